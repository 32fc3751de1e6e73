#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# A daemon restarts over stale state: SIGKILL leaves its routes in the
# kernel, a cable dies while it is away.  The new daemon must take over its
# routes without duplicates and drop the one over the dead cable.  SIGTERM
# everywhere then leaves no proto 204 route at all.
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

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3, hold-down 1s)"
lab_mesh3
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10

lab_log "== SIGKILL n1's daemon: its routes stay behind"
lab_stop_daemon n1 KILL
assert_eq "n1's (stale) route to n2" "$(lab_port n1 n2)" "$(lab_route n1 n2)"
assert_eq "n1's (stale) route to n3" "$(lab_port n1 n3)" "$(lab_route n1 n3)"

lab_log "== the n1 -- n2 cable dies while n1's daemon is away"
lab_cut_carrier n1 n2
wait_for 2 lab_route_is n2 n1 lan || lab_fail "n2 kept its route to n1"
lab_ok "n2 withdrew its route to n1"

lab_log "== restart n1's daemon"
lab_start_daemon n1
wait_for 2 lab_route_is n1 n2 lan || { lab_show_routes >&2; lab_fail "n1 kept its stale route over the dead cable"; }
lab_ok "n1 dropped its stale route to n2"
wait_for 4 lab_route_is n1 n3 "$(lab_port n1 n3)" || { lab_show_routes >&2; lab_fail "n1 has no route to n3"; }
wait_for 4 lab_route_is n3 n1 "$(lab_port n3 n1)" || { lab_show_routes >&2; lab_fail "n3 has no route to n1"; }
assert_eq "n1's proto $LAB_PROTO routes (only to n3)" 1 "$(lab_count_routes n1)"
assert_eq "n1's route to n2, well past hold-down" lan "$(lab_route n1 n2)"

lab_log "== heal the cable"
lab_heal n1 n2
lab_wait_routes 4
for n in n1 n2 n3; do
	assert_eq "$n's proto $LAB_PROTO routes (one per peer)" 2 "$(lab_count_routes $n)"
done

lab_log "== SIGTERM every daemon: no route of theirs is left"
for n in n1 n2 n3; do
	lab_stop_daemon $n TERM
	assert_eq "meshrouted on $n exit status after SIGTERM" 0 "$LAB_DAEMON_STATUS"
	lab_no_proto_routes $n || lab_fail "$n keeps proto $LAB_PROTO routes: $(ip -n "$(lab_ns $n)" route show table all proto $LAB_PROTO)"
	lab_ok "$n: no proto $LAB_PROTO route left"
done
