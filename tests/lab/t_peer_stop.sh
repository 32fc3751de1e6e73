#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# The peer's daemon stops while every cable is fine.  SIGTERM: it removes
# its own routes and its peers withdraw theirs.  SIGKILL (no goodbye): its
# peers withdraw theirs once BFD times out; a stream running meanwhile must
# lose nothing, since both paths still work.  Three trials of each, the
# medians judged; times from the kill (stamped right after it: a builtin,
# no fork) to the peers' own log stamps of their route changes.
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

terms=()
for trial in 1 2 3; do
	lab_log "== trial $trial: SIGTERM the daemon on n2"
	lab_stop_daemon n2 TERM
	assert_eq "meshrouted on n2 exit status after SIGTERM" 0 "$LAB_DAEMON_STATUS"
	assert_eq "proto $LAB_PROTO routes left on n2" 0 "$(lab_count_routes n2)"
	wait_for 2 peers_gave_up_n2 || { lab_show_routes >&2; lab_fail "n1 and n3 kept their routes to n2"; }
	lab_event_bounds "$LAB_STOP_BEFORE_US" "$LAB_STOP_AFTER_US" n1 n2 lan n3 n2 lan
	lab_log "      n1 and n3 on the LAN to n2 $LAB_EV_LO_MS-$LAB_EV_HI_MS ms after the SIGTERM"
	terms+=("$LAB_EV_LO_MS")
	assert_eq "n1's route to n3 (unaffected)" "$(lab_port n1 n3)" "$(lab_route n1 n3)"
	assert_eq "n3's route to n1 (unaffected)" "$(lab_port n3 n1)" "$(lab_route n3 n1)"
	lab_start_daemon n2
	lab_wait_routes 5
	lab_ok "all routes back on the fast ports"
done
# The stopping daemon says AdminDown: its peers need not wait for a timeout.
assert_le "median time until n1 and n3 withdrew their routes to n2 after SIGTERM" \
	"$(lab_median "${terms[@]}")" 50 " ms"

kills=() outages=()
for trial in 1 2 3; do
	lab_log "== trial $trial: SIGKILL the daemon on n2, with a stream n1 -> n2 running"
	lab_flow_watch n1 5201
	lab_stream_start n1 n2
	wait_for 2 lab_flow_ge n1 "$(lab_port n1 n2)" 250 || lab_fail "the stream does not cross n1 $(lab_port n1 n2)"
	lab_stop_daemon n2 KILL
	wait_for 2 peers_gave_up_n2 || { lab_show_routes >&2; lab_fail "n1 and n3 kept their routes to n2"; }
	lab_event_bounds "$LAB_STOP_BEFORE_US" "$LAB_STOP_AFTER_US" n1 n2 lan n3 n2 lan
	lab_log "      n1 and n3 on the LAN to n2 $LAB_EV_LO_MS-$LAB_EV_HI_MS ms after the SIGKILL"
	kills+=("$LAB_EV_LO_MS")
	lan=$(lab_flow n1 lan0)
	wait_for 2 lab_flow_ge n1 lan0 $(( lan + 500 )) || lab_fail "the stream did not move to n1 lan0"
	lab_stream_stop
	lab_log "      stream: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
	outages+=("$(lab_kv "$LAB_STREAM_RESULT" outage_ms)")
	lab_start_daemon n2
	lab_wait_routes 5
done
# Detection time is 3 x 20 ms after the last packet the daemon sent (at
# most one interval before the kill), plus the 25 % jitter of RFC 5880.
assert_le "median time until n1 and n3 withdrew their routes to n2 after SIGKILL" \
	"$(lab_median "${kills[@]}")" 100 " ms"
assert_le "median stream outage while n1 withdrew its route (both paths work)" \
	"$(lab_median "${outages[@]}")" 20 " ms"
