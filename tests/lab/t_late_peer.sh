#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# A late peer is not a lossy link.  n2's daemon is stopped for 20 ms of
# every 100 ms for 20 s (SIGSTOP / SIGCONT: a starved process on a busy
# host), at the defaults (20 ms x 3, max-loss 2 %).  Each pause is shorter
# than the 60 ms detection time less an interval, so BFD stays Up; but n2's
# probes come late, up to two intervals apart, which in arrival gaps looks
# like 10-20 % loss: the gap-based estimator of earlier versions took such
# links out of service.  n2 sends fewer probes and its link reports say so;
# n2 also reads late, and cuts its counts at n1's reports by kernel stamps.
# So: no loss counted either way, no verdict, no flap, no route change.
# Then an outage: the cable silent for 1 s.  The probes lost while it is
# down are BFD's business (the sessions go Down and come back), not the
# cable's loss: the counting starts over with the session, and no loss
# verdict follows the link's return.
#
#    n1 fast0 --[w12]-- fast0 n2        + lan0 of both on the LAN
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
MESHROUTECTL=${MESHROUTECTL:-$LAB_REPO/build/meshroutectl}
PAUSE=0.020 EVERY=0.100 SECS=20

lab_log "== 2 nodes, one cable, 20ms x 3, max-loss 2 %"
lab_pair
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10
wait_for 15 eval '[ "$(lab_mr_sess n1 fast0 ipv4 loss_source)" = reports ] && [ "$(lab_mr_sess n2 fast0 ipv4 loss_source)" = reports ]' ||
	lab_fail "the loss is not counted from link reports"
flaps1=$(lab_mr_sess n1 fast0 ipv4 flaps) flaps2=$(lab_mr_sess n2 fast0 ipv4 flaps)
routes1=$(wc -l <"$LAB_DIR/n1.routes") routes2=$(wc -l <"$LAB_DIR/n2.routes")
tx2=$(lab_mr_sess n2 fast0 ipv4 tx_packets)

lab_log "== n2's daemon stopped for ${PAUSE#0.0} ms of every ${EVERY#0.} ms for $SECS s"
pid=${LAB_DAEMON[n2]}
t=$EPOCHREALTIME end=$(( ${t/./} + SECS * 1000000 )) longest=0 pauses=0
while t=$EPOCHREALTIME; (( ${t/./} < end )); do
	kill -STOP "$pid"
	a=$EPOCHREALTIME
	lab_sleep "$PAUSE"
	kill -CONT "$pid"
	b=$EPOCHREALTIME
	(( ${b/./} - ${a/./} > longest )) && longest=$(( ${b/./} - ${a/./} ))
	pauses=$((pauses + 1))
	lab_sleep "$EVERY"
done
kill -CONT "$pid"
lab_ok "$pauses pauses, the longest $(( longest / 1000 )) ms"
# A pause of 40 ms or more could let BFD itself time out: the test would prove nothing.
assert_le "longest pause (this harness's own lateness)" $(( longest / 1000 )) 39 " ms"
sent=$(( $(lab_mr_sess n2 fast0 ipv4 tx_packets) - tx2 ))
lab_ok "n2 sent $sent probes in $SECS s ($(( sent * 1000 / (SECS * 57) )) per mille of its unhindered rate)"

lab_log "== nothing counted as lost, nothing moved"
lab_sleep 2
for n in n1 n2; do
	loss=$(lab_mr_sess "$n" fast0 ipv4 loss_source loss_pct loss_to_peer_pct)
	assert_eq "$n: loss source, in, out" "reports 0 0" "$loss"
	grep -q "taken out of service" "$LAB_DIR/$n.log" && lab_fail "$n took the cable out for loss"
done
assert_eq "n1's flaps" "$flaps1" "$(lab_mr_sess n1 fast0 ipv4 flaps)"
assert_eq "n2's flaps" "$flaps2" "$(lab_mr_sess n2 fast0 ipv4 flaps)"
assert_eq "n1's route events during the pauses" "$routes1" "$(wc -l <"$LAB_DIR/n1.routes")"
assert_eq "n2's route events during the pauses" "$routes2" "$(wc -l <"$LAB_DIR/n2.routes")"
assert_eq "n1's route to n2" fast0 "$(lab_route n1 n2)"
assert_eq "n2's route to n1" fast0 "$(lab_route n2 n1)"

lab_log "== an outage of 1 s is BFD's business, not probe loss"
lab_silent n1 n2
lab_sleep 1
lab_heal n1 n2
lab_wait_routes 10
lab_sleep 12
for n in n1 n2; do
	grep -q "taken out of service" "$LAB_DIR/$n.log" && lab_fail "$n took the cable out for loss after the outage"
	assert_eq "$n: loss in, out 12 s after the outage" "0 0" "$(lab_mr_sess "$n" fast0 ipv4 loss_pct loss_to_peer_pct)"
done
assert_eq "n1's route to n2 after the outage" fast0 "$(lab_route n1 n2)"
