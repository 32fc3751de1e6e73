#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# One-way failure: a cable passes traffic in one direction only.  The end
# that still receives must learn it from BFD (the peer reports Down) and
# withdraw its route too: both ends move to the LAN, whichever direction
# broke.  The stream runs a -> b; in half the trials its own direction is
# cut, in the others only the reverse one (the stream itself could still
# pass, but the link is not healthy).
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
lab_show_routes

outages=() failbacks=()
for trial in "n1 n2 n1 n2" "n1 n2 n2 n1" "n2 n3 n2 n3" "n2 n3 n3 n2"; do
	read -r a b from to <<<"$trial"
	lab_log "-- stream $a -> $b, the cable drops $from -> $to"
	lab_failover_trial "lab_oneway $from $to" "$a" "$b"
	outages+=("$TRIAL_OUTAGE_MS")
	failbacks+=("$TRIAL_FAILBACK_MS")
done

lab_log "== one-way failure, 4 trials: outages ${outages[*]} ms; fail-back beyond hold-down (from the heal command's end) ${failbacks[*]} ms"
assert_le "median outage of a one-way failure" "$(lab_median "${outages[@]}")" 100 " ms"
assert_le "median fail-back time beyond hold-down" "$(lab_median "${failbacks[@]}")" 100 " ms"
