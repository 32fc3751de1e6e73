#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the namespace lab tests (every tests/lab/t_*.sh, or those named), each
# under a timeout (a "# lab-timeout: SECONDS" line in a test overrides the
# default of 120 s), prints PASS/FAIL/SKIP per test, then "lab: N passed,
# N failed, N skipped".  A test that exits 77 was skipped: it could not run
# on this host and says why (lab_skip); every other non-zero exit is a
# failure.  A test also fails if it leaves anything of its run behind.
# After each test, whatever it may have left (it was killed at its timeout,
# or its cleanup failed) is removed here: the processes of its run (found
# by the LAB_ID in their environment, and anything inside its namespaces),
# its namespaces, and the host sysctls it changed (its host.sysctl file).
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

# Monotonic seconds (/proc/uptime), for the durations printed.
mono() { local up; read -r up _ </proc/uptime; echo "$up"; }

# leftovers ID: removes what test run ID left behind; prints what it found.
leftovers() {
	local id=$1 pids ns f left=() line
	# Processes of the run in any namespace (ip netns exec keeps the
	# environment), then anything still inside its namespaces.
	pids=$(grep -lzx "LAB_ID=$id" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | xargs)
	for ns in $(ip netns list | awk '{ print $1 }' | grep "^$id-"); do
		left+=("$ns")
		pids+=" $(ip netns pids "$ns" 2>/dev/null | xargs)"
	done
	# shellcheck disable=SC2086
	[ -z "${pids// /}" ] || { echo "process(es) $pids"; kill -s KILL $pids 2>/dev/null; }
	for ns in "${left[@]}"; do
		ip netns del "$ns"
	done
	[ ${#left[@]} = 0 ] || echo "namespace(s) ${left[*]}"
	for f in /tmp/meshroute-lab."$id".*/host.sysctl; do
		[ -e "$f" ] || continue
		tac "$f" | while IFS= read -r line; do sysctl -q -w "$line" >/dev/null; done
		mv "$f" "$f.restored"
		echo "host sysctls not restored ($(cut -d= -f1 "$f.restored" | xargs))"
	done
}

passed=0 failed=0 skipped=0 failures=() skips=()
for t in "${tests[@]}"; do
	[ -f "$t" ] || t=tests/lab/$t
	[ -f "$t" ] || t=$t.sh
	name=$(basename "$t" .sh)
	limit=$(sed -n 's/^# lab-timeout: *\([0-9]*\).*/\1/p' "$t" | head -n1)
	id=mr$$${RANDOM}x
	skipfile=/tmp/meshroute-lab.$id.skip
	echo "== $name"
	start=$(mono)
	# --foreground: Ctrl-C still reaches the test, which then cleans up.
	# LAB_ID only in the test's environment: it marks the processes of
	# this run, not run.sh's own.
	LAB_ID=$id LAB_SKIP_FILE=$skipfile timeout --foreground -k 10 "${limit:-120}" bash "$t"
	rc=$?
	secs=$(awk -v s="$start" -v e="$(mono)" 'BEGIN { printf "%.1f", e - s }')
	found=$(leftovers "$id")
	if [ -n "$found" ]; then
		echo "lab: $name left behind: $(echo "$found" | paste -sd';' -)" >&2
		# A test that ended by itself must leave nothing (its cleanup
		# failed); one killed at its timeout has failed already.
		{ [ $rc = 0 ] || [ $rc = 77 ]; } && rc=1
	fi
	reason=$(cat "$skipfile" 2>/dev/null)
	rm -f "$skipfile"
	if [ $rc = 130 ]; then
		echo "lab: interrupted during $name"
		exit 130
	fi
	if [ $rc = 0 ]; then
		echo "PASS $name (${secs} s)"
		passed=$((passed + 1))
	elif [ $rc = 77 ]; then
		echo "SKIP $name (${secs} s): ${reason:-no reason given}"
		skipped=$((skipped + 1))
		skips+=("$name")
	else
		[ $rc = 124 ] && echo "lab: $name timed out after ${limit:-120} s" >&2
		echo "FAIL $name (${secs} s, exit $rc)"
		failed=$((failed + 1))
		failures+=("$name")
	fi
done
[ $failed = 0 ] || echo "lab: failed: ${failures[*]}"
[ $skipped = 0 ] || echo "lab: skipped: ${skips[*]}"
echo "lab: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
