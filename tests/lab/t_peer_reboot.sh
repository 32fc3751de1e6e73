#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# A peer reboots: its daemon dies without a word, its ports go down, its
# routes, neighbours and addresses vanish; it comes back with default
# sysctls (strict rp_filter) and a fresh daemon.  Its peers must withdraw
# their routes to it, and everything must come back on the fast ports.
# Three reboots, the median time to withdraw judged.
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

reboots=()
for trial in 1 2 3; do
	lab_log "== trial $trial: n2 goes down"
	lab_power_off n2
	wait_for 2 eval 'lab_route_is n1 n2 lan && lab_route_is n3 n2 lan' ||
		{ lab_show_routes >&2; lab_fail "n1 and n3 kept their routes to n2"; }
	# From the kill of n2's daemon (the first thing a power cut does to its
	# probes) to n1's and n3's own log stamps of their route changes.
	lab_event_bounds "$LAB_STOP_BEFORE_US" "$LAB_STOP_AFTER_US" n1 n2 lan n3 n2 lan
	lab_log "      n1 and n3 on the LAN to n2 $LAB_EV_LO_MS-$LAB_EV_HI_MS ms after n2 went down"
	reboots+=("$LAB_EV_LO_MS")
	assert_eq "n1's route to n3 (unaffected)" "$(lab_port n1 n3)" "$(lab_route n1 n3)"

	lab_log "== n2 boots"
	lab_power_on n2
	assert_eq "n2's rp_filter on $(lab_port n2 n1) before its daemon starts" 1 \
		"$(lab_rp_filter n2 "$(lab_port n2 n1)")"
	lab_start_daemon n2
	lab_wait_routes 5
	lab_show_routes
	for p in ${LAB_FAST[n2]}; do
		r=$(lab_rp_filter n2 "$p")
		[ "$r" != 1 ] || lab_fail "n2 $p still has strict rp_filter with meshrouted running"
		lab_ok "n2 $p: effective rp_filter $r (not strict)"
	done
done
# BFD's detection time, 3 x 20 ms after n2's last probe, plus its jitter.
assert_le "median time until n1 and n3 withdrew their routes to n2" "$(lab_median "${reboots[@]}")" 100 " ms"

lab_log "== a stream n1 -> n2 crosses the fast port again"
lab_flow_watch n1 5201
lab_stream_start n1 n2 1000
lab_stream_wait
lab_log "      stream: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
lab_stream_lossless "stream n1 -> n2 after the reboots"
# (the counter also sees the stream's end markers)
assert_ge "stream packets sent on n1 $(lab_port n1 n2), of the $LAB_STREAM_SENT sent" \
	"$(lab_flow n1 "$(lab_port n1 n2)")" "$LAB_STREAM_SENT"
assert_eq "stream packets sent on n1 lan0" 0 "$(lab_flow n1 lan0)"
