#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# Pulling a cable: both ends lose carrier at once.  meshrouted must move the
# traffic to the LAN on both ends from the link event alone (target: median
# outage <= 20 ms at 20ms x 3; both ends' routes off the cable: <= 20 ms),
# and come back hold-down after the cable is back (target: median <=
# hold-down + 100 ms).  Five trials over the cables in turn, a 5,000 pkt/s
# stream across the cable in each.
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

outages=() failbacks=() detects=() i=0
for pair in "n1 n2" "n2 n3" "n3 n1" "n2 n1" "n3 n2"; do
	read -r a b <<<"$pair"
	i=$((i + 1))
	lab_log "-- trial $i: pull the $a -- $b cable"
	lab_failover_trial "lab_cut_carrier $a $b" "$a" "$b"
	outages+=("$TRIAL_OUTAGE_MS")
	failbacks+=("$TRIAL_FAILBACK_MS")
	detects+=("$TRIAL_DETECT_MS")
done

lab_log "== carrier loss, 5 trials: outages ${outages[*]} ms; both routes off the cable at most" \
	"${detects[*]} ms after the cut's command returned; fail-back beyond hold-down (from the heal command's end) ${failbacks[*]} ms"
assert_le "median outage when a cable is pulled" "$(lab_median "${outages[@]}")" 20 " ms"
# The stream runs one way; the other end must move on its own carrier loss
# too, well before BFD (60 ms here) would tell it.  From the daemons' own
# log stamps, after the command that cut the cable returned: never more than
# they took (a late "ip monitor" or a slow "ip" cannot fail it).
assert_le "median time until both ends' routes left the cable" "$(lab_median "${detects[@]}")" 20 " ms"
assert_le "median fail-back time beyond hold-down" "$(lab_median "${failbacks[@]}")" 100 " ms"
