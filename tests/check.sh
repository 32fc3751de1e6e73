#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Everything `make check` runs: every unit test binary, the contrib,
# packaging and hardware script suites, fuzzing, ASan, then the namespace
# lab.  Counts test suites (one per unit test binary, one per script, one
# per lab test) and ends with "check: N passed, N failed, N skipped".  A
# suite that exits 77 was skipped (it could not run on this host and says
# why: "SKIP: reason"); skips are listed with their reasons and counted apart
# from passes.  A unit test whose build failed is a failure: its binary is
# never run from an earlier build.  Non-zero exit on any failure.
set -u
cd "$(dirname "$0")/.."

passed=0 failed=0 skipped=0 skips=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# suite NAME CMD...: runs CMD, its output shown and kept; 0 passed, 77
# skipped (the last "SKIP:" line says why), anything else failed.
suite() {
	local name=$1 rc reason
	shift
	echo "== $name"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	case $rc in
	0) passed=$((passed + 1)) ;;
	77)
		reason=$(sed -n 's/^.*SKIP:[[:space:]]*//p' "$out" | tail -n1)
		skipped=$((skipped + 1))
		skips+=("$name: ${reason:-no reason given}")
		echo "SKIPPED: $name"
		;;
	*)
		echo "FAILED: $name (exit $rc)"
		failed=$((failed + 1))
		;;
	esac
}

for src in tests/unit/test_*.c; do
	[ -e "$src" ] || continue
	bin=build/$(basename "$src" .c)
	# Built on its own: if this build fails, an older binary must not run.
	if make --no-print-directory "$bin"; then
		suite "$bin" ./tests/run-unit.sh "$bin"
	else
		echo "FAILED: $bin did not build"
		failed=$((failed + 1))
	fi
done

# The layout's rules (daemon.c's size, function length, no include cycle).
suite "scripts/archcheck.sh" ./scripts/archcheck.sh

# Self-contained script suites: each exits 0 on success, 77 when skipped.
for t in tests/tools/t_*.sh tests/contrib/t_*.sh tests/packaging/t_*.sh tests/hardware/t_*.sh; do
	[ -e "$t" ] || continue
	suite "$t" "$t"
done

# Fuzzing, bounded (<= 40 s), then unit tests and one lab test under ASan + UBSan.
suite "make fuzz-check" make --no-print-directory fuzz-check
suite "tests/asan/run.sh" ./tests/asan/run.sh

echo "== lab"
./tests/lab/run.sh 2>&1 | tee "$out"
lab_rc=${PIPESTATUS[0]}
line=$(grep -E '^lab: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n1)
if [ -n "$line" ]; then
	read -r lp lf ls <<<"$(echo "$line" | sed 's/lab: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped/\1 \2 \3/')"
	passed=$((passed + lp))
	failed=$((failed + lf))
	skipped=$((skipped + ls))
	while IFS= read -r l; do
		skips+=("lab ${l#SKIP }")
	done < <(grep '^SKIP ' "$out")
	[ "$lab_rc" != 0 ] && [ "$lf" = 0 ] && failed=$((failed + 1))
else
	echo "check: the lab did not run"
	failed=$((failed + 1))
fi

for s in "${skips[@]}"; do
	echo "check: skipped $s"
done
echo "check: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
