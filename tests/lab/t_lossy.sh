#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# A lossy link: the n1 -> n2 direction of a cable drops 5 % of its frames (a
# dying transceiver).  At 20 ms x 3 BFD stays Up (three losses in a row are
# needed), while TCP over such a link collapses.  With the default max-loss
# (2 % over 10 s) n2 must take the link out of service and tell n1
# (AdminDown, diag path-down), so both ends move to the LAN; the other
# cables stay.  Once the loss is gone for a full window the link returns
# (hold-down after the session is Up).  First, healthy cables must read
# (close to) no loss over their first full window: an earlier estimator
# misread a healthy cable there and took it out.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2   <- 5 % n1 -> n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
MESHROUTECTL=${MESHROUTECTL:-$LAB_REPO/build/meshroutectl}

# Highest loss estimate (in %) of NODE's fast sessions that are Up, "none"
# while any of them has no full window yet.
max_loss() {
	lab_mrctl "$1" -j status | lab_json "(lambda v: 'none' if not v or None in v else max(v))([p['loss_pct'] for p in d['sessions'] if p['port'].startswith('fast') and p['state'].lower() == 'up'])"
}

lab_log "== 3-node mesh, 20ms x 3, max-loss at its default (2%), hold-down 1s"
lab_mesh3
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10

lab_log "== healthy cables: the first full window of every session"
wait_for 25 eval '[ "$(max_loss n1)" != none ] && [ "$(max_loss n2)" != none ] && [ "$(max_loss n3)" != none ]' ||
	lab_fail "no loss verdict 25 s after start"
for n in n1 n2 n3; do
	assert_le "$n: highest loss estimate of its healthy cables" "$(max_loss "$n")" 1 " %"
done
for n in n1 n2 n3; do
	grep -q "taken out of service" "$LAB_DIR/$n.log" && lab_fail "$n took a healthy cable out"
done
lab_ok "no healthy cable taken out"

w=$(lab_wire n1 n2)
t0=$(now_ms)
ip netns exec "$w" nft -f - <<-NFT
	table netdev lossy {
	chain from_n1 { type filter hook ingress device "n1" priority $LAB_FAULT_PRIO; numgen random mod 100 < 5 drop; }
	}
	NFT
lab_log "== 5 % of n1 -> n2 frames dropped"
wait_for 25 eval 'lab_route_is n2 n1 lan && lab_route_is n1 n2 lan' || {
	lab_show_routes >&2; lab_fail "the lossy link stayed in service"; }
lab_ok "both ends left the lossy link after $(( $(now_ms) - t0 )) ms"
grep -qE "of the peer's probes lost over 10 s \(max-loss 2.0%\): taken out of service" "$LAB_DIR/n2.log" ||
	lab_fail "n2 did not log the loss"
lab_ok "n2: $(grep -m1 "probes lost" "$LAB_DIR/n2.log" | cut -d' ' -f2-)"
grep -q "peer AdminDown" "$LAB_DIR/n1.log" || lab_fail "n1 was not told (AdminDown)"
assert_eq "n1's route to n3 (healthy cable)" "$(lab_port n1 n3)" "$(lab_route n1 n3)"
assert_eq "n2's route to n3 (healthy cable)" "$(lab_port n2 n3)" "$(lab_route n2 n3)"
link=$(lab_mr_sess n2 "$(lab_port n2 n1)" ipv4 link)
assert_eq "n2's status marks the link" lossy "$link"
lab_mrctl n2 metrics | grep -q "^meshroute_session_lossy{peer=\"n1\",port=\"$(lab_port n2 n1)\",family=\"ipv4\"} 1$" ||
	lab_fail "n2's metrics do not mark the link lossy"
lab_ok "status and metrics mark the link lossy"

lab_log "== the loss stops"
ip netns exec "$w" nft delete table netdev lossy
t0=$(now_ms)
wait_for 45 eval 'lab_route_is n2 n1 "$(lab_port n2 n1)" && lab_route_is n1 n2 "$(lab_port n1 n2)"' || {
	lab_show_routes >&2; lab_fail "the link did not return once the loss stopped"; }
lab_ok "back in service $(( $(now_ms) - t0 )) ms after the loss stopped (a full 10 s window, then hold-down)"
grep -q "back in service" "$LAB_DIR/n2.log" || lab_fail "n2 did not log the return"
for n in n1 n3; do
	grep -q "taken out of service" "$LAB_DIR/$n.log" && lab_fail "$n took a healthy cable out"
done
lab_ok "only the lossy cable was ever taken out"
