#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# Relay (relay = on) in a 4-node ring of dual-port nodes: opposite nodes
# (n1 and n3, n2 and n4) have no cable, yet reach each other over two fast
# hops through a neighbour (the lowest-numbered one that reaches the peer:
# n2 for n1 <-> n3), asserted by the stream's packets crossing that
# neighbour's fast ports.  When a cable on that side dies (n1 -- n2,
# silent), n1 <-> n3 moves to the other side of the ring (through n4) within
# the LAN fallback's bound, never touching the LAN; after healing it
# returns to the n2 side.
#
#   n1 fast0 -[w12]- fast1 n2 fast0 -[w23]- fast1 n3
#   n1 fast1 -[w41]- fast0 n4 fast1 -[w34]- fast0 n3      + the LAN
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

# Every pair of the ring: neighbours direct, opposite nodes through the lowest neighbour.
ring_routes() {
	lab_route_is n1 n2 fast0 && lab_route_is n1 n4 fast1 && lab_route_is n1 n3 "via n2 fast0" &&
	lab_route_is n3 n2 fast1 && lab_route_is n3 n4 fast0 && lab_route_is n3 n1 "via n2 fast1" &&
	lab_route_is n2 n1 fast1 && lab_route_is n2 n3 fast0 && lab_route_is n2 n4 "via n1 fast1" &&
	lab_route_is n4 n1 fast0 && lab_route_is n4 n3 fast1 && lab_route_is n4 n2 "via n1 fast0"
}

ring_show() {
	local a b
	for a in n1 n2 n3 n4; do
		for b in n1 n2 n3 n4; do
			[ "$a" = "$b" ] || printf '    %s -> %s: %s\n' "$a" "$b" "$(lab_route "$a" "$b")"
		done
	done
}

lab_log "== 4-node ring, relay = on (20ms x 3, hold-down 1s)"
lab_ring4
lab_start_daemons "hold-down = 1s" "relay = on"
wait_for 10 ring_routes || { ring_show >&2; lab_fail "the ring's routes did not settle"; }
ring_show

outages=()
for i in 1 2 3; do
	lab_log "-- trial $i: n1 -> n3 over two fast hops through n2; then n1 -- n2 goes silent"
	lab_flow_watch n1 5201
	lab_flow_watch n2 5201
	lab_flow_watch n4 5201
	lab_stream_start n1 n3
	wait_for 2 lab_flow_ge n2 fast0 $(( LAB_STREAM_RATE / 10 )) ||
		lab_fail "the stream n1 -> n3 does not cross n2 (n2 fast0 towards n3)"
	assert_eq "stream packets through n4 while n2 relays" 0 "$(lab_flow n4 fast1)"
	tx4=$(lab_tx n4 fast1)

	lab_silent n1 n2
	wait_for 3 eval "lab_route_is n1 n3 'via n4 fast1' && lab_route_is n3 n1 'via n4 fast0'" || {
		ring_show >&2
		lab_fail "n1 <-> n3 did not move to the other side of the ring (through n4)"
	}
	c4=$(lab_flow n4 fast1)
	wait_for 2 lab_flow_ge n4 fast1 $(( c4 + LAB_STREAM_RATE / 10 )) ||
		lab_fail "the stream n1 -> n3 does not cross n4 after the cut"
	assert_ge "packets n4 sent towards n3 (tx_packets delta)" $(( $(lab_tx n4 fast1) - tx4 )) $(( LAB_STREAM_RATE / 10 ))
	assert_eq "stream packets on n1 lan0 (the LAN was never used)" 0 "$(lab_flow n1 lan0)"
	# n1 -- n2 are now three fast hops apart: relay stops at two, so the LAN.
	assert_eq "n1's route to n2 (no neighbour reaches it directly)" lan "$(lab_route n1 n2)"
	lab_stream_stop
	outages+=("$(lab_kv "$LAB_STREAM_RESULT" outage_ms)")
	lab_log "      stream: $LAB_STREAM_RESULT"

	lab_heal n1 n2
	wait_for $(( LAB_HOLD_MS / 1000 + 3 )) ring_routes || {
		ring_show >&2
		lab_fail "after healing, the ring's routes did not return"
	}
done
lab_log "== ring failover to the other side, 3 trials: outages ${outages[*]} ms"
assert_le "median outage, relayed around the ring (LAN fallback's bound)" "$(lab_median "${outages[@]}")" 100 " ms"
