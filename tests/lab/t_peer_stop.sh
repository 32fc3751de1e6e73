#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# The peer's daemon stops while every cable is fine.  SIGTERM: it removes
# its own routes and its peers withdraw theirs.  SIGKILL (no goodbye): its
# peers withdraw theirs once BFD times out; a stream running meanwhile must
# lose nothing, since both paths still work.
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

peers_gave_up_n2() { lab_route_is n1 n2 lan && lab_route_is n3 n2 lan; }

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3, hold-down 1s)"
lab_mesh3
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10

lab_log "== SIGTERM the daemon on n2"
t0=$(now_us)
lab_stop_daemon n2 TERM
assert_eq "meshrouted on n2 exit status after SIGTERM" 0 "$LAB_DAEMON_STATUS"
assert_eq "proto $LAB_PROTO routes left on n2" 0 "$(lab_count_routes n2)"
wait_for 2 peers_gave_up_n2 || { lab_show_routes >&2; lab_fail "n1 and n3 kept their routes to n2"; }
assert_le "n1 and n3 withdrew their routes to n2 after SIGTERM" "$(lab_event_ms $t0 n1 n2 lan n3 n2 lan)" 50 " ms"
assert_eq "n1's route to n3 (unaffected)" "$(lab_port n1 n3)" "$(lab_route n1 n3)"
assert_eq "n3's route to n1 (unaffected)" "$(lab_port n3 n1)" "$(lab_route n3 n1)"

lab_log "== start it again"
lab_start_daemon n2
lab_wait_routes 5
lab_ok "all routes back on the fast ports"

lab_log "== SIGKILL the daemon on n2, with a stream n1 -> n2 running"
lab_flow_watch n1 5201
lab_stream_start n1 n2 $(( LAB_STREAM_RATE * 20 ))
wait_for 2 lab_flow_ge n1 "$(lab_port n1 n2)" 250 || lab_fail "the stream does not cross n1 $(lab_port n1 n2)"
t0=$(now_us)
lab_stop_daemon n2 KILL
wait_for 2 peers_gave_up_n2 || { lab_show_routes >&2; lab_fail "n1 and n3 kept their routes to n2"; }
# Detection time is 3 x 20 ms after the last packet the daemon sent.
assert_le "n1 and n3 withdrew their routes to n2 after SIGKILL" "$(lab_event_ms $t0 n1 n2 lan n3 n2 lan)" 100 " ms"
lan=$(lab_flow n1 lan0)
wait_for 2 lab_flow_ge n1 lan0 $(( lan + 500 )) || lab_fail "the stream did not move to n1 lan0"
lab_stream_stop
lab_log "      stream: $LAB_STREAM_RESULT"
assert_le "stream outage while n1 withdrew its route (both paths work)" \
	"$(lab_kv "$LAB_STREAM_RESULT" outage_ms)" 20 " ms"
