#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# Two nodes back to back with two cables: one multipath route over both.
# Pull the cable the stream uses: the route shrinks to the other cable (not
# the LAN) with a small outage; heal: both again after hold-down (three
# trials, medians judged).  Both cables down: the LAN.
#
#        n1 fast0 --[w12a]-- fast0 n2
#        n1 fast1 --[w12b]-- fast1 n2        + lan0 of each on one bridge
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

routes_are() {	# EXPECTED: both ends' routes
	lab_route_is n1 n2 "$1" && lab_route_is n2 n1 "$1"
}

lab_log "== two nodes, two cables, meshrouted on both (20ms x 3, hold-down 1s)"
lab_b2b2
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10
assert_eq "n1's route to n2" "fast0 fast1" "$(lab_route n1 n2)"
assert_eq "n2's route to n1" "fast0 fast1" "$(lab_route n2 n1)"

# Three trials, medians judged: pull the cable the stream uses, check the
# route shrinks to the other one, heal, multipath again after hold-down.
outages=() backs=()
for trial in 1 2 3; do
	lab_log "== trial $trial: pull the cable that carries the stream"
	lab_flow_watch n1 5201-5202
	lab_stream_start n1 n2
	wait_for 2 eval '(( $(lab_flow n1 fast0) + $(lab_flow n1 fast1) >= 250 ))' ||
		lab_fail "the stream crosses neither fast port"
	if (( $(lab_flow n1 fast0) > $(lab_flow n1 fast1) )); then used=fast0 spare=fast1; else used=fast1 spare=fast0; fi
	lab_log "      the stream hashes onto $used"
	lab_cut_carrier n1 n2 "$used"
	wait_for 2 routes_are $spare || { lab_show_routes >&2; lab_fail "the routes did not shrink to $spare"; }
	lab_ok "both ends route over $spare only"
	u=$(lab_flow n1 $used) s=$(lab_flow n1 $spare) l=$(lab_flow n1 lan0)
	wait_for 2 lab_flow_ge n1 $spare $(( s + 500 )) || lab_fail "the stream did not move to $spare"
	assert_eq "stream packets on n1 $used after the cut" 0 $(( $(lab_flow n1 $used) - u ))
	assert_eq "stream packets on n1 lan0 after the cut" 0 $(( $(lab_flow n1 lan0) - l ))
	lab_stream_stop
	lab_log "      stream: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
	outages+=("$(lab_kv "$LAB_STREAM_RESULT" outage_ms)")

	lab_log "-- heal: multipath again after hold-down"
	lab_heal n1 n2 "$used"
	wait_for 4 routes_are "fast0 fast1" || { lab_show_routes >&2; lab_fail "the multipath route did not come back"; }
	# From the daemons' logs: not before hold-down after the stamp before
	# the heal; the time after the one after it is judged below (median).
	lab_event_bounds "$LAB_HEAL_BEFORE_US" "$LAB_HEAL_AFTER_US" n1 n2 "fast0 fast1" n2 n1 "fast0 fast1"
	assert_ge "fail-back beyond hold-down (from before the heal)" \
		"$(lab_us_str $(( LAB_EV_HI_US - LAB_HOLD_MS * 1000 )))" 0 " ms"
	backs+=("$(lab_us_str $(( LAB_EV_LO_US - LAB_HOLD_MS * 1000 )))")
done
lab_log "== pulled cable, 3 trials: outages ${outages[*]} ms; multipath back at hold-down + ${backs[*]} ms"
# The packets the receiver missed of those the sender sent, / rate.
assert_le "median stream outage moving to the other cable" "$(lab_median "${outages[@]}")" 20 " ms"
assert_le "median fail-back beyond hold-down (from after the heal)" "$(lab_median "${backs[@]}")" 100 " ms"

lab_log "== both cables pulled: the LAN"
lab_cut_carrier n1 n2 fast0
lab_cut_carrier n1 n2 fast1
wait_for 2 routes_are lan || { lab_show_routes >&2; lab_fail "routes stayed on dead cables"; }
assert_eq "n1 reaches n2 through" lan0 "$(lab_path n1 n2)"
lab_heal n1 n2 fast1
wait_for 4 routes_are fast1 || { lab_show_routes >&2; lab_fail "no route over the healed fast1"; }
lab_ok "one cable back: both ends route over fast1"
lab_heal n1 n2 fast0
wait_for 4 routes_are "fast0 fast1" || { lab_show_routes >&2; lab_fail "the multipath route did not come back"; }
lab_ok "both cables back: multipath over fast0 fast1"
