#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/archcheck.sh can fail: on a made-up src/ it must pass a tree that
# keeps the rules, and fail each breach (a daemon.c over the limit, a
# function of 81 lines counted from its signature's first line, an include
# cycle), pass a known breach and fail the same one once it grows.
set -u
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0

# func NAME BODYLINES: a function whose signature takes two lines, so its
# length from the signature's first line is BODYLINES + 5.
func() {
	printf 'static int %s(int a,\n\t\tint b)\n{\n' "$1"
	for ((i = 0; i < $2; i++)); do printf '\ta += b;\n'; done
	printf '\treturn a;\n}\n\n'
}
fresh() {
	rm -rf "$dir/src" && mkdir "$dir/src"
	printf '#include "a.h"\n' > "$dir/src/daemon.c"
	printf '#include "b.h"\n' > "$dir/src/a.h"
	: > "$dir/src/b.h"; : > "$dir/src/a.c"; : > "$dir/src/b.c"
	: > "$dir/known"
}
# expect RC WHAT: runs archcheck on the made-up tree.
expect() {
	./scripts/archcheck.sh "$dir/src" "$dir/known" > "$dir/out" 2>&1
	local rc=$?
	if [ "$rc" = "$1" ]; then
		echo "ok: $2 (exit $rc)"
	else
		echo "FAIL: $2: exit $rc, expected $1"; sed 's/^/  /' "$dir/out"
		fails=$((fails + 1))
	fi
}

fresh; func f 75 >> "$dir/src/a.c"
expect 0 "a function of 80 lines from its signature"
fresh; func f 76 >> "$dir/src/a.c"
expect 1 "a function of 81 lines from its signature"
grep -q 'a.c:1: f: 81 lines' "$dir/out" || { echo "FAIL: the 81 lines not reported from line 1"; fails=$((fails + 1)); }
echo "func a.c f 81" > "$dir/known"
expect 0 "the same function listed as known at 81"
echo "func a.c f 80" > "$dir/known"
expect 1 "a known function grown beyond its ceiling"
fresh; for ((i = 0; i < 1001; i++)); do echo "/* $i */"; done >> "$dir/src/daemon.c"
expect 1 "daemon.c over 1000 lines"
fresh; printf '#include "daemon.h"\n' > "$dir/src/b.h"; : > "$dir/src/daemon.h"
printf '#include "a.h"\n' > "$dir/src/daemon.h"
expect 1 "an include cycle a -> b -> daemon -> a"
grep -q 'cycle' "$dir/out" || { echo "FAIL: the cycle not named"; fails=$((fails + 1)); }
fresh
expect 0 "a tree that keeps every rule"

[ "$fails" = 0 ]
