#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# Dual stack: every node also has fd00:10::N (/64 on the LAN, /128 on its fast
# ports).  Each family gets its own BFD sessions and host routes (/32 and
# /128), and fails over on its own: dropping only IPv6 on a cable withdraws
# the /128 routes over it and leaves the /32 ones alone.  On exit the daemon
# leaves no route of its protocol, no probe route in table 204 and no rule.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2   <- IPv6 cut
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

v6() { echo "fd00:10::${1#n}"; }

# route6 NODE PEER: the device of NODE's proto 204 /128 route to PEER, or "lan".
route6() {
	local out
	out=$(ip -n "$(lab_ns "$1")" -6 -o route show table main proto "$LAB_PROTO" "$(v6 "$2")/128")
	[ -n "$out" ] || { echo lan; return; }
	echo "$out" | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n1
}
route6_is() { [ "$(route6 "$1" "$2")" = "$3" ]; }

all6_fast() {
	local a b
	for a in "${LAB_NODES[@]}"; do
		for b in "${LAB_NODES[@]}"; do
			[ "$a" = "$b" ] && continue
			route6_is "$a" "$b" "$(lab_port "$a" "$b")" || return 1
		done
	done
}

lab_log "== 3-node mesh, dual stack, meshrouted on every node (20ms x 3, hold-down 1s)"
lab_mesh3
for n in "${LAB_NODES[@]}"; do
	ip -n "$(lab_ns "$n")" addr add "$(v6 "$n")/64" dev lan0 nodad
	for p in ${LAB_FAST[$n]}; do
		ip -n "$(lab_ns "$n")" addr add "$(v6 "$n")/128" dev "$p" nodad
	done
done
lab_write_config "hold-down = 1s"
for n in "${LAB_NODES[@]}"; do
	sed -i "/^\[node $n\]/,/^address/ s|^address = .*|&\naddress = $(v6 "$n")|" "$LAB_DIR/meshroute.conf"
done
grep -q "address = fd00:10::3" "$LAB_DIR/meshroute.conf" || lab_fail "config has no IPv6 addresses"
for n in "${LAB_NODES[@]}"; do lab_monitor_start "$n"; done
for n in "${LAB_NODES[@]}"; do lab_start_daemon "$n"; done
lab_wait_routes 10

wait_for 10 all6_fast || { ip -n "$(lab_ns n1)" -6 route >&2; lab_fail "the /128 routes did not move to the fast ports"; }
lab_ok "every /128 route is on its fast port"
assert_eq "IPv6 traffic n1 -> n2 leaves through" "$(lab_port n1 n2)" \
	"$(lab_exec n1 ip -6 route get "$(v6 n2)" | sed -n 's/.* dev \([^ ]*\).*/\1/p')"
lab_exec n1 ping -6 -c 2 -i 0.2 -W 1 "$(v6 n2)" >/dev/null || lab_fail "no IPv6 ping n1 -> n2"
lab_ok "IPv6 ping n1 -> n2 over the cable"

lab_log "== the n1 -- n2 cable drops IPv6 only"
w=$(lab_wire n1 n2)
ip netns exec "$w" nft -f - <<-NFT
	table netdev v6cut {
	chain from_n1 { type filter hook ingress device "n1" priority $LAB_FAULT_PRIO; meta protocol ip6 drop; }
	chain from_n2 { type filter hook ingress device "n2" priority $LAB_FAULT_PRIO; meta protocol ip6 drop; }
	}
	NFT
wait_for 3 eval 'route6_is n1 n2 lan && route6_is n2 n1 lan' || lab_fail "the /128 routes over the cable stayed"
lab_ok "both ends withdrew their /128 route over the cable"
assert_eq "n1's IPv4 route to n2 (unaffected)" "$(lab_port n1 n2)" "$(lab_route n1 n2)"
assert_eq "n2's IPv4 route to n1 (unaffected)" "$(lab_port n2 n1)" "$(lab_route n2 n1)"
assert_eq "n1's /128 route to n3 (other cable)" "$(lab_port n1 n3)" "$(route6 n1 n3)"
lab_exec n1 ping -6 -c 2 -i 0.2 -W 1 "$(v6 n2)" >/dev/null || lab_fail "no IPv6 ping n1 -> n2 over the LAN"
lab_ok "IPv6 ping n1 -> n2 over the LAN"

lab_log "== heal"
ip netns exec "$w" nft delete table netdev v6cut
wait_for 5 eval 'route6_is n1 n2 "$(lab_port n1 n2)" && route6_is n2 n1 "$(lab_port n2 n1)"' ||
	lab_fail "the /128 routes did not return after heal"
lab_ok "the /128 routes are back on the cable"

lab_log "== SIGTERM: nothing of ours left"
lab_stop_daemon n1
assert_eq "n1's daemon exit status" 0 "$LAB_DAEMON_STATUS"
assert_eq "proto $LAB_PROTO routes left on n1 (IPv4+IPv6)" "" \
	"$(ip -n "$(lab_ns n1)" route show table all proto "$LAB_PROTO"; ip -n "$(lab_ns n1)" -6 route show table all proto "$LAB_PROTO")"
assert_eq "probe routes left in table 204 on n1" "" "$(ip -n "$(lab_ns n1)" -6 route show table 204 2>/dev/null)"
assert_eq "fwmark rules left on n1" "" "$(ip -n "$(lab_ns n1)" -6 rule | grep fwmark || true)"
