# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the tests/contrib checks that need one outside tool and a
# scratch folder (t_mesh_dot.sh, t_monitoring.sh).  Not a test: check.sh
# runs tests/contrib/t_*.sh only.

# contrib_start TOOL PACKAGE NAME: into the top of the tree; without TOOL,
# skipped (exit 77) with the package that brings it; else $tmp
# (/tmp/NAME-PID-XXXXXX), removed on exit, and $fails at 0 for pass/fail.
# Skipped before the folder is made, so that a skip leaves nothing behind.
contrib_start() {
	top=$(cd "$(dirname "$0")/../.." && pwd)
	cd "$top" || exit 1
	command -v "$1" >/dev/null 2>&1 || { echo "SKIP: no $1 ($2: scripts/install-deps.sh)"; exit 77; }
	tmp=$(mktemp -d "/tmp/$3-$$-XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	fails=0
}

pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
