#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Holds the docs to the code: config keys and their defaults, meshroutectl
# and control socket commands, status JSON keys, metric names and alert
# events, extracted from src/ (defaults from config_defaults() itself,
# through tests/packaging/docs_defaults.c), must appear in the man pages,
# docs/control.md, the example config, contrib/README.md and the bash
# completion (tests/packaging/docs_check.py says what is checked where).
# No root needed; builds build/libmeshroute.a if missing.
set -u
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make --no-print-directory build/libmeshroute.a >"$tmp/make.log" 2>&1; then
	cat "$tmp/make.log"
	echo "FAIL: cannot build build/libmeshroute.a"
	exit 1
fi
# shellcheck disable=SC2046
if ! ${CC:-cc} -std=gnu11 -Isrc -o "$tmp/defaults" tests/packaging/docs_defaults.c build/libmeshroute.a \
	$(pkg-config --libs libmnl inih libsystemd nettle libcap-ng) -lm 2>"$tmp/cc.log"; then
	cat "$tmp/cc.log"
	echo "FAIL: cannot build tests/packaging/docs_defaults.c"
	exit 1
fi
"$tmp/defaults" >"$tmp/defaults.txt" || { echo "FAIL: docs_defaults"; exit 1; }
python3 tests/packaging/docs_check.py "$PWD" "$tmp/defaults.txt"
