#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the namespace lab tests (every tests/lab/t_*.sh, or those named), each
# under a timeout (a "# lab-timeout: SECONDS" line in a test overrides the
# default of 120 s), prints PASS/FAIL per test, then "lab: N passed, N failed".
# A test also fails if it leaves a namespace of its run behind.
set -u
cd "$(dirname "$0")/../.."

if [ "$(id -u)" != 0 ]; then
	echo "lab: the namespace tests need root (sudo make lab)" >&2
	exit 1
fi
for tool in ip nft ss timeout; do
	command -v $tool >/dev/null || { echo "lab: $tool missing: run make deps" >&2; exit 1; }
done
[ -x build/mrstream ] || { echo "lab: build/mrstream missing: run make" >&2; exit 1; }

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=(tests/lab/t_*.sh)
fi

passed=0 failed=0 failures=()
for t in "${tests[@]}"; do
	[ -f "$t" ] || t=tests/lab/$t
	[ -f "$t" ] || t=$t.sh
	name=$(basename "$t" .sh)
	limit=$(sed -n 's/^# lab-timeout: *\([0-9]*\).*/\1/p' "$t" | head -n1)
	export LAB_ID=mr$$${RANDOM}x
	echo "== $name"
	start=$(date +%s.%N)
	# --foreground: Ctrl-C still reaches the test, which then cleans up.
	timeout --foreground -k 10 "${limit:-120}" bash "$t"
	rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	left=$(ip netns list | awk '{ print $1 }' | grep "^$LAB_ID-" | xargs)
	if [ -n "$left" ]; then
		echo "lab: $name left namespaces behind: $left" >&2
		for ns in $left; do ip netns del "$ns"; done
		[ $rc = 0 ] && rc=1
	fi
	if [ $rc = 130 ]; then
		echo "lab: interrupted during $name"
		exit 130
	fi
	if [ $rc = 0 ]; then
		echo "PASS $name (${secs} s)"
		passed=$((passed + 1))
	else
		[ $rc = 124 ] && echo "lab: $name timed out after ${limit:-120} s" >&2
		echo "FAIL $name (${secs} s, exit $rc)"
		failed=$((failed + 1))
		failures+=("$name")
	fi
done
[ $failed = 0 ] || echo "lab: failed: ${failures[*]}"
echo "lab: $passed passed, $failed failed"
[ $failed = 0 ]
