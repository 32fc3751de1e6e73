#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every unit test binary given; fails if any fails.
fail=0
for t in "$@"; do
	echo "== $t"
	"$t" || { echo "FAILED: $t"; fail=1; }
done
exit $fail
