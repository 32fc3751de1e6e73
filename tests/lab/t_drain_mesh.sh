#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# Drain in a 3-node mesh, one cable per pair: draining n1's port to n2 moves
# the n1 <-> n2 traffic to the LAN, both ways, before "meshroutectl drain"
# returns and without losing a packet; n1 <-> n3 stays on its cable.
# Undrain: back on the cable after hold-down, still without loss.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
. "$(dirname "$0")/ctl_lib.sh"

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3, hold-down 1s)"
lab_mesh3
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10
p12=$(lab_port n1 n2) p21=$(lab_port n2 n1)

lab_log "== streams n1 <-> n2; drain n1 $p12 (its cable to n2)"
lab_flow_watch n1 5201-5202
lab_flow_watch n2 5201-5202
streams_start n1 n2
wait_for 2 eval 'lab_flow_ge n1 $p12 250 && lab_flow_ge n2 $p21 250' ||
	lab_fail "the streams do not cross the n1 -- n2 cable"
lab_mono; t0=$LAB_MONO_MS
out=$(ctl n1 drain "$p12") || lab_fail "meshroutectl drain $p12: exit $? ($out)"
r12=$(lab_route n1 n2) r21=$(lab_route n2 n1)
lab_log "      $(echo "$out" | tr '\n' ';') ($(( $(lab_mono_ms) - t0 )) ms)"
assert_eq "n1's route to n2 when drain returned" lan "$r12"
assert_eq "n2's route to n1 when drain returned" lan "$r21"
assert_eq "n1's route to n3 (other cable)" "$(lab_port n1 n3)" "$(lab_route n1 n3)"
assert_eq "n2's route to n3 (other cable)" "$(lab_port n2 n3)" "$(lab_route n2 n3)"
l1=$(lab_flow n1 lan0) l2=$(lab_flow n2 lan0)
wait_for 2 eval '(( $(lab_flow n1 lan0) >= l1 + 500 && $(lab_flow n2 lan0) >= l2 + 500 ))' ||
	lab_fail "the streams do not cross the LAN"
# While 500 more packets each cross the LAN, none may take the drained cable.
f1=$(lab_flow n1 "$p12") f2=$(lab_flow n2 "$p21") l1=$(lab_flow n1 lan0) l2=$(lab_flow n2 lan0)
wait_for 2 eval '(( $(lab_flow n1 lan0) >= l1 + 500 && $(lab_flow n2 lan0) >= l2 + 500 ))' ||
	lab_fail "the streams stopped crossing the LAN"
assert_eq "stream packets on the drained cable (n1, n2)" "0 0" \
	"$(( $(lab_flow n1 "$p12") - f1 )) $(( $(lab_flow n2 "$p21") - f2 ))"

lab_log "== undrain: back on the cable after hold-down"
t=$EPOCHREALTIME t0=${t/./}
ctl n1 undrain "$p12" >/dev/null || lab_fail "meshroutectl undrain $p12: exit $?"
t=$EPOCHREALTIME t1=${t/./}
wait_for $(( LAB_HOLD_MS / 1000 + 3 )) lab_routes_fast n1 n2 n3 ||
	{ lab_show_routes >&2; lab_fail "the n1 -- n2 routes did not come back"; }
# Not earlier than hold-down after the stamp before the undrain (daemons' logs).
lab_event_bounds "$t0" "$t1" n1 n2 "$p12" n2 n1 "$p21"
assert_ge "back on the cable after undrain, beyond hold-down" \
	"$(lab_us_str $(( LAB_EV_HI_US - LAB_HOLD_MS * 1000 )))" 0 " ms"
f1=$(lab_flow n1 "$p12")
wait_for 2 lab_flow_ge n1 "$p12" $(( f1 + 500 )) || lab_fail "the stream did not return to n1 $p12"
streams_stop_lossless "drain to the LAN and undrain"
