#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every unit test binary given; fails if any fails.  A binary that
# exits 77 could not run here (it prints "SKIP: reason"): reported as
# skipped, never as passed.  Ends with "unit: N passed, N failed,
# N skipped"; exit 1 on any failure, else 77 if every test given skipped,
# else 0.
passed=0 failed=0 skipped=0
for t in "$@"; do
	echo "== $t"
	"$t"
	rc=$?
	case $rc in
	0) passed=$((passed + 1)) ;;
	77) echo "SKIPPED: $t"; skipped=$((skipped + 1)) ;;
	*) echo "FAILED: $t (exit $rc)"; failed=$((failed + 1)) ;;
	esac
done
echo "unit: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ] || exit 1
[ $skipped -gt 0 ] && [ $passed = 0 ] && exit 77
exit 0
