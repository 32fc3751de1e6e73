#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The printable PCIe bracket (hardware/bracket/bracket.scad): renders it with
# openscad, with its defaults (two QSFP cut-outs) into $BUILD/bracket/
# bracket.stl and as a dual SFP+ variant set with -D, and checks each STL with
# check_stl.py: closed, consistently oriented 2-manifold, no degenerate
# triangles, one part, positive volume, and the bounding box of the PCI
# Express CEM full-height bracket.  Also checks that the checker catches
# broken meshes and that the model refuses impossible parameters.
# Ends with "bracket: N passed, N failed"; non-zero exit on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 1

BUILD=${BUILD:-build}
out=$BUILD/bracket
scad=hardware/bracket/bracket.scad
check=tests/hardware/check_stl.py
passed=0 failed=0

pass() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() { echo "bracket: $passed passed, $failed failed"; [ "$failed" = 0 ]; exit; }

if ! command -v openscad >/dev/null; then
	fail "openscad is not installed (apt-get install openscad, or make deps)"
	finish
fi
mkdir -p "$out"

# openscad writes ASCII STL unless told otherwise; binary is 5x smaller.
fmt=()
openscad --help 2>&1 | grep -q binstl && fmt=(--export-format binstl)

# Expected bounding box with the defaults.  From the CEM full-height bracket:
#   X  120.02 finger tip .. underside of the screw tab, + the printed tab
#      thickness on top (tab_t: 1.6 by default; the steel one is 0.86)
#   Y  21.59 = 18.42 plate + 3.17 of screw tab overhanging the PCB-side edge
#   Z  11.43 depth of the screw tab (the tallest thing standing on the plate)
len_at() { awk -v t="$1" 'BEGIN { printf "%.2f", 120.02 + t }'; }

# run_checker NAME STL [ARGS]: runs check_stl.py, adds its counts to ours.
run_checker() {
	local name=$1 log line p f
	shift
	log=$(python3 "$check" --name "$name" "$@" 2>&1)
	echo "$log" | sed 's/^/    /'
	line=$(echo "$log" | grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" | tail -n1)
	if [ -z "$line" ]; then
		fail "$name: check_stl.py gave no summary"
		return
	fi
	read -r p f <<<"$(echo "$line" | sed 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\1 \2/')"
	passed=$((passed + p))
	failed=$((failed + f))
}

# render NAME STL [-D ...]: renders the model, timed, under a time limit.
render() {
	local name=$1 stl=$2 start secs log
	shift 2
	rm -f "$stl"
	start=$(date +%s.%N)
	log=$(timeout 120 openscad "${fmt[@]}" -o "$stl" "$@" "$scad" 2>&1)
	local rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	if [ $rc = 0 ] && [ -s "$stl" ]; then
		pass "$name: rendered $stl in ${secs} s"
		return 0
	fi
	echo "$log" | grep -E "ERROR|WARNING|rror" | sed 's/^/    /'
	fail "$name: openscad failed (rc $rc, ${secs} s)"
	return 1
}

echo "== checker self-test"
if python3 "$check" --self-test | sed 's/^/    /'; [ "${PIPESTATUS[0]}" = 0 ]; then
	pass "check_stl.py catches open, flipped, inside-out, degenerate, non-manifold, split and wrong-size meshes"
else
	fail "check_stl.py self-test"
fi

echo "== default bracket (dual QSFP)"
if render default "$out/bracket.stl"; then
	run_checker bracket-default "$out/bracket.stl" --size "$(len_at 1.6)" 21.59 11.43 --tol 0.05
fi

echo "== dual SFP+ variant (README example, 2 mm tab)"
if render sfp "$out/bracket-sfp.stl" \
	-D 'ports=[[36,15.25,10.4,0.4],[56,15.25,10.4,0.4]]' \
	-D 'ear_x=[20,70]' -D ear_hole_d=2.9 -D tab_t=2.0; then
	run_checker bracket-sfp "$out/bracket-sfp.stl" --size "$(len_at 2.0)" 21.59 11.43 --tol 0.05
fi

echo "== impossible parameters are refused"
bad=$out/bracket-bad.stl
rm -f "$bad"
# Refused means the model's own assert said so: openscad failing for any
# other reason (killed at the time limit, a crash, a missing file) is no
# proof that the model checks its parameters.
log=$(timeout 120 openscad "${fmt[@]}" -o "$bad" -D 'ports=[[36,19,9,0],[50,19,9,0]]' "$scad" 2>&1)
rc=$?
if [ $rc = 0 ] || [ -s "$bad" ]; then
	fail "overlapping port cut-outs were accepted"
elif ! printf '%s\n' "$log" | grep -q "Assertion .* failed: \"ports at x=36 and x=50 overlap"; then
	echo "$log" | head -n 5 | sed 's/^/    /'
	fail "openscad failed (rc $rc) without the model's overlap assertion"
else
	pass "overlapping port cut-outs stop the render (the model's assert), no STL written"
fi
rm -f "$bad"

finish
