#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# A changing host: a fast port that is deleted and re-created with the same
# name (a new ifindex, as when an mlx4 card's port type is switched), and one
# that is renamed away and back.  The daemon follows ports by name: traffic
# leaves a port the moment it goes, sessions are rebuilt on the new
# interface, and the route returns after hold-down.  It never exits.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2   <- re-created
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3   <- renamed
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

lab_log "== 3-node mesh; n1's port to n3 does not exist yet when the daemons start"
lab_mesh3
p12=$(lab_port n1 n2)
p13=$(lab_port n1 n3)
w12=$(lab_wire n1 n2)
ns1=$(lab_ns n1)
ip -n "$ns1" link set "$p13" down
ip -n "$ns1" link set "$p13" name notyet
lab_start_daemons "hold-down = 1s"
wait_for 5 lab_route_is n1 n2 "$p12" || lab_fail "n1 did not start routing to n2"
lab_alive "${LAB_DAEMON[n1]}" || lab_fail "meshrouted on n1 exited with a port missing"
assert_eq "n1's route to n3 while its port is missing" lan "$(lab_route n1 n3)"
grep -q "port $p13 does not exist (yet)" "$LAB_DIR/n1.log" || lab_fail "no log line for the missing port"
lab_ok "started without $p13, and said so"
ip -n "$ns1" link set notyet name "$p13"
ip -n "$ns1" addr replace "$(lab_addr n1)/32" dev "$p13"
ip -n "$ns1" link set "$p13" up
lab_wait_routes 10
lab_ok "$p13 appeared: every route on its fast port"
old=$(lab_exec n1 cat "/sys/class/net/$p12/ifindex")

lab_log "== n1 $p12 is deleted"
ip -n "$ns1" link del "$p12"
wait_for 2 lab_route_is n1 n2 lan || lab_fail "n1's route to n2 stayed after $p12 was deleted"
lab_ok "n1's route to n2 left the deleted port at once"
assert_eq "n1's route to n3 (other port)" "$p13" "$(lab_route n1 n3)"
lab_alive "${LAB_DAEMON[n1]}" || lab_fail "meshrouted on n1 exited"

lab_log "== n1 $p12 is created again (same name, new ifindex)"
ip -n "$ns1" link add "$p12" type veth peer name n1 netns "$w12"
ip netns exec "$w12" nft delete table netdev mrwire
ip netns exec "$w12" nft -f - <<-NFT
	table netdev mrwire {
	chain from_n1 { type filter hook ingress device "n1" priority $LAB_WIRE_PRIO; fwd to "n2"; }
	chain from_n2 { type filter hook ingress device "n2" priority $LAB_WIRE_PRIO; fwd to "n1"; }
	}
	NFT
ip -n "$w12" link set n1 up
ip -n "$ns1" addr add "$(lab_addr n1)/32" dev "$p12"
ip -n "$ns1" link set "$p12" up
new=$(lab_exec n1 cat "/sys/class/net/$p12/ifindex")
[ "$new" != "$old" ] || lab_fail "the re-created port kept ifindex $old"
wait_for 5 eval 'lab_route_is n1 n2 "$p12" && lab_route_is n2 n1 "$(lab_port n2 n1)"' || {
	lab_show_routes >&2; lab_fail "the route did not return to the re-created $p12"; }
lab_ok "route to n2 back on $p12 (ifindex $old -> $new)"
grep -q "port $p12 disappeared" "$LAB_DIR/n1.log" || lab_fail "no log line for the deleted port"
grep -qE "port $p12 (present|re-created)" "$LAB_DIR/n1.log" || lab_fail "no log line for the new port"
assert_eq "rp_filter on the new port (set again by the daemon)" 2 "$(lab_rp_filter n1 "$p12")"

lab_log "== n1 $p13 is renamed away, then back"
ip -n "$ns1" link set "$p13" down
ip -n "$ns1" link set "$p13" name tmpport
ip -n "$ns1" link set tmpport up
wait_for 2 lab_route_is n1 n3 lan || lab_fail "n1's route to n3 stayed on a port renamed away"
lab_ok "the renamed port left service"
ip -n "$ns1" link set tmpport down
ip -n "$ns1" link set tmpport name "$p13"
ip -n "$ns1" addr replace "$(lab_addr n1)/32" dev "$p13"
ip -n "$ns1" link set "$p13" up
wait_for 5 lab_route_is n1 n3 "$p13" || { lab_show_routes >&2; lab_fail "route to n3 not back after the rename back"; }
lab_ok "route to n3 back on $p13 after the rename back"
lab_alive "${LAB_DAEMON[n1]}" || lab_fail "meshrouted on n1 exited"
