#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# A lossy link: the n1 -> n2 direction of a cable drops 10 % of its frames (a
# dying transceiver).  At 20 ms x 10 BFD stays Up (ten losses in a row are
# needed), while TCP would collapse.
# n2 estimates the loss of n1's probes over 10 s, takes the link out of
# service above max-loss (5 %), and tells n1 (AdminDown, diag path-down), so
# both ends move to the LAN; the other cables stay.  Once the loss is gone
# for a full window the link returns (hold-down after the session is Up).
#
# NOT part of make check (run.sh only runs t_*.sh): max-loss is experimental.
# In CI its first window after a session came Up once read more than 5 % on
# a healthy cable and took it out.  Run by hand: tests/lab/run.sh x_lossy
#
#                 n1                  n1 fast0 -[w12]- fast1 n2   <- 10 % n1 -> n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

lab_log "== 3-node mesh, 20ms x 10, max-loss 5%, hold-down 1s"
lab_mesh3
lab_start_daemons "hold-down = 1s" "multiplier = 10" "max-loss = 5%"
lab_wait_routes 10
w=$(lab_wire n1 n2)

t0=$(now_ms)
ip netns exec "$w" nft -f - <<-NFT
	table netdev lossy {
	chain from_n1 { type filter hook ingress device "n1" priority $LAB_FAULT_PRIO; numgen random mod 100 < 10 drop; }
	}
	NFT
lab_log "== 10 % of n1 -> n2 frames dropped"
wait_for 25 eval 'lab_route_is n2 n1 lan && lab_route_is n1 n2 lan' || {
	lab_show_routes >&2; lab_fail "the lossy link stayed in service"; }
lab_ok "both ends left the lossy link after $(( $(now_ms) - t0 )) ms"
grep -qE "of the peer's probes lost over 10 s \(max-loss 5.0%\): taken out of service" "$LAB_DIR/n2.log" ||
	lab_fail "n2 did not log the loss"
lab_ok "n2: $(grep -m1 "probes lost" "$LAB_DIR/n2.log" | cut -d' ' -f2-)"
grep -q "peer AdminDown" "$LAB_DIR/n1.log" || lab_fail "n1 was not told (AdminDown)"
assert_eq "n1's route to n3 (healthy cable)" "$(lab_port n1 n3)" "$(lab_route n1 n3)"
assert_eq "n2's route to n3 (healthy cable)" "$(lab_port n2 n3)" "$(lab_route n2 n3)"
loss=$(MESHROUTECTL=${MESHROUTECTL:-$LAB_REPO/build/meshroutectl}; "$MESHROUTECTL" -s "$LAB_DIR/n2.sock" status | awk '$1 == "n1" && $3 == "lossy" { print $3 }' | head -n1)
assert_eq "n2's status marks the link" lossy "$loss"

lab_log "== the loss stops"
ip netns exec "$w" nft delete table netdev lossy
t0=$(now_ms)
wait_for 45 eval 'lab_route_is n2 n1 "$(lab_port n2 n1)" && lab_route_is n1 n2 "$(lab_port n1 n2)"' || {
	lab_show_routes >&2; lab_fail "the link did not return once the loss stopped"; }
lab_ok "back in service $(( $(now_ms) - t0 )) ms after the loss stopped (a full 10 s window, then hold-down)"
grep -q "back in service" "$LAB_DIR/n2.log" || lab_fail "n2 did not log the return"
