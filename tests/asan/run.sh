#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Everything under AddressSanitizer + UBSan (`make asan`, build-asan/):
#   1. every unit test build-asan/test_*;
#   2. one lab failover test (t_silent, or ASAN_LAB_TEST) with the ASan daemon.
# Any sanitizer report fails, also one that did not change an exit status (a
# report from a child process, or from the daemon while the lab test passed).
# The lab deletes its logs when a test passes, so the daemons' reports are
# sent to files of our own with log_path.  Needs root for the lab (namespaces).
# Ends with "asan: N passed, N failed, N skipped" (a unit test that exits 77
# could not run here: skipped, with its reason).
set -u
cd "$(dirname "$0")/../.."

LAB_TEST=${ASAN_LAB_TEST:-t_silent}
REPORT_RE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:'

work=$(mktemp -d /tmp/meshroute-asan.XXXXXX)
trap 'rm -rf "$work"' EXIT

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

echo "== building with ASan + UBSan (make asan)"
# build/mrstream: the lab's traffic generator, from the normal build.
if ! make --no-print-directory asan build/mrstream; then
	echo "asan: the sanitizer build failed"
	echo "asan: 0 passed, 1 failed"
	exit 1
fi

# ---- 1. unit tests ----
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for src in tests/unit/test_*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	bin=build-asan/$name
	echo "== $bin"
	if [ ! -x "$bin" ]; then
		fail "$name (not built)"
		continue
	fi
	"$bin" >"$work/$name.log" 2>&1
	rc=$?
	if [ $rc = 77 ] && ! grep -Eq "$REPORT_RE" "$work/$name.log"; then
		# Could not run here (test_nl without root): said, not counted as passed.
		echo "SKIP $name: $(sed -n 's/^SKIP: //p' "$work/$name.log" | tail -n1)"
		skipped=$((skipped + 1))
	elif [ $rc != 0 ] || grep -Eq "$REPORT_RE" "$work/$name.log"; then
		grep -Ev '^\[ +(RUN|OK) +\]' "$work/$name.log" | tail -n 60
		fail "$name (exit $rc)"
	else
		pass "$name"
	fi
done

# ---- 2. one lab failover test with the ASan daemon ----
echo "== lab $LAB_TEST with build-asan/meshrouted"
if [ "$(id -u)" != 0 ]; then
	fail "lab $LAB_TEST (needs root for the network namespaces)"
else
	# The daemon stays uid 0 after dropping capabilities: a 0700 root directory is writable.
	mkdir -p "$work/reports"
	ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$work/reports/asan" \
	UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$work/reports/ubsan" \
	MESHROUTED=$PWD/build-asan/meshrouted \
		./tests/lab/run.sh "$LAB_TEST" 2>&1 | tee "$work/lab.out"
	lab_rc=${PIPESTATUS[0]}
	# On failure the lab keeps its logs (daemon stderr included): check them too.
	kept=$(sed -n 's/^lab: logs kept in //p' "$work/lab.out")
	reports=$(grep -lE "$REPORT_RE" "$work"/reports/* ${kept:+"$kept"/*.log} 2>/dev/null)
	if [ -n "$reports" ]; then
		for f in $reports; do
			echo "--- sanitizer report in $f"
			grep -E -A 30 "$REPORT_RE" "$f" | head -n 60
		done
		fail "lab $LAB_TEST (sanitizer reports from the daemon)"
	elif [ "$lab_rc" != 0 ]; then
		fail "lab $LAB_TEST (exit $lab_rc)"
	else
		pass "lab $LAB_TEST"
	fi
fi

echo "asan: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
