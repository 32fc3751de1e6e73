#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Everything `make check` runs: every unit test binary, the contrib,
# packaging and hardware script suites, then the namespace lab.  Counts test suites (one per unit test binary, one per lab test) and
# ends with "check: N passed, N failed"; non-zero exit on any failure.
set -u
cd "$(dirname "$0")/.."

passed=0 failed=0

units=$(ls tests/unit/test_*.c 2>/dev/null | sed 's|tests/unit/\(.*\)\.c|build/\1|')
if [ -n "$units" ]; then
	echo "== building unit tests"
	# shellcheck disable=SC2086
	make --no-print-directory $units || echo "check: some unit tests did not build"
fi
for src in tests/unit/test_*.c; do
	[ -e "$src" ] || continue
	bin=build/$(basename "$src" .c)
	if [ -x "$bin" ] && ./tests/run-unit.sh "$bin"; then
		passed=$((passed + 1))
	else
		[ -x "$bin" ] || echo "FAILED: $bin was not built"
		failed=$((failed + 1))
	fi
done

# Self-contained script suites: each exits 0 on success.
for t in tests/contrib/t_*.sh tests/packaging/t_*.sh tests/hardware/t_*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	if "$t"; then
		passed=$((passed + 1))
	else
		echo "FAILED: $t"
		failed=$((failed + 1))
	fi
done

# Fuzzing, bounded (<= 40 s), then unit tests and one lab test under ASan + UBSan.
echo "== make fuzz-check"
if make --no-print-directory fuzz-check; then passed=$((passed + 1)); else echo "FAILED: make fuzz-check"; failed=$((failed + 1)); fi
echo "== tests/asan/run.sh"
if ./tests/asan/run.sh; then passed=$((passed + 1)); else echo "FAILED: tests/asan/run.sh"; failed=$((failed + 1)); fi

echo "== lab"
out=$(mktemp)
./tests/lab/run.sh 2>&1 | tee "$out"
lab_rc=${PIPESTATUS[0]}
line=$(grep -E '^lab: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n1)
rm -f "$out"
if [ -n "$line" ]; then
	read -r lp lf <<<"$(echo "$line" | sed 's/lab: \([0-9]*\) passed, \([0-9]*\) failed/\1 \2/')"
	passed=$((passed + lp))
	failed=$((failed + lf))
	[ "$lab_rc" != 0 ] && [ "$lf" = 0 ] && failed=$((failed + 1))
else
	echo "check: the lab did not run"
	failed=$((failed + 1))
fi

echo "check: $passed passed, $failed failed"
[ $failed = 0 ]
