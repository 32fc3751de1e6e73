#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The median is defined once per language: the lab's (tests/lab/lib.sh,
# lab_median, awk) and the bench reports' (bench/stats.py).  Both must give
# the same value on the same numbers -- odd and even counts, ties,
# negatives, fractions -- and it must be the upper middle value of an even
# count (2 of 4 under a limit is not a median under it).
set -u
cd "$(dirname "$0")/../.."
fails=0
# lib.sh makes a run directory when sourced; it is removed on exit.
LAB_ID=tmedian$$
# shellcheck source=../lab/lib.sh
. tests/lab/lib.sh
trap 'rm -rf "$LAB_DIR"' EXIT

check() {
	local want=$1 a p
	shift
	a=$(lab_median "$@")
	p=$(python3 -c 'import sys; sys.path.insert(0, "bench"); from stats import median; print("%g" % median([float(x) for x in sys.argv[1:]]))' "$@")
	if awk -v a="$a" -v p="$p" -v w="$want" 'BEGIN { exit !(a + 0 == w + 0 && p + 0 == w + 0) }'; then
		echo "ok: median of $* = $want"
	else
		echo "FAIL: median of $*: lab $a, bench $p, expected $want"
		fails=$((fails + 1))
		return 1
	fi
}
check 3 3
check 2 1 2 3
check 3 4 1 3 2
check 10 10 10 9 11
check -1.5 -1.5 -7 0.25
check 0.25 0.125 0.5 0.25 0.0625
# Random lists: the two agree.
for ((i = 0; i < 40; i++)); do
	n=$((RANDOM % 9 + 1)) v=()
	for ((k = 0; k < n; k++)); do v+=("$((RANDOM % 200 - 100)).$((RANDOM % 10))"); done
	want=$(printf '%s\n' "${v[@]}" | sort -g | awk '{ x[NR] = $1 } END { print x[int(NR / 2) + 1] }')
	out=$(check "$want" "${v[@]}") || { echo "$out"; fails=$((fails + 1)); }
done
[ "$fails" = 0 ] && echo "ok: lab and bench medians agree"
[ "$fails" = 0 ]
