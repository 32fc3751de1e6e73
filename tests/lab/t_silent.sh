#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# Silent failure: a cable stops passing anything (ARP included) while both
# ports keep carrier, so only BFD can notice.  Both ends must move to the LAN
# (target: median outage <= 100 ms at 20ms x 3) and come back hold-down after
# the cable heals (target: median <= hold-down + 100 ms).  Five trials over
# the cables in turn, a 5,000 pkt/s stream across the cable in each.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
#
# The fault is an nftables netdev ingress chain with policy drop on both
# ports of the cable's wire namespace.
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3, hold-down 1s)"
lab_mesh3
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10
lab_show_routes

outages=() failbacks=() i=0
for pair in "n1 n2" "n2 n3" "n3 n1" "n2 n1" "n3 n2"; do
	read -r a b <<<"$pair"
	i=$((i + 1))
	lab_log "-- trial $i: the $a -- $b cable goes silent"
	lab_failover_trial "lab_silent $a $b" "$a" "$b"
	outages+=("$TRIAL_OUTAGE_MS")
	failbacks+=("$TRIAL_FAILBACK_MS")
done

lab_log "== silent failure, 5 trials: outages ${outages[*]} ms; fail-back beyond hold-down (from the heal command's end) ${failbacks[*]} ms"
assert_le "median outage of a silent failure" "$(lab_median "${outages[@]}")" 100 " ms"
assert_le "median fail-back time beyond hold-down" "$(lab_median "${failbacks[@]}")" 100 " ms"
