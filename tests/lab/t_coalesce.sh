#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# Coalesced receive (rx-coalesce = yes, the default): at 10 ms x 3 a daemon
# reads its peers' probes when it wakes up to send its own, instead of
# being woken by every arrival as well.  What an admin would check:
# - the kernel's count of the daemon's wake-ups (voluntary context
#   switches) is about one per transmit interval, not one per peer more;
# - nothing flaps, no route moves;
# - a one-way failure (the end that still receives learns it from the
#   peer's Down, read up to 10 ms later) still moves both ends fast;
# - negative control: `rx-coalesce = no` by reload, and the same count
#   shows the daemon woken by its two peers' arrivals again.
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

SECS=5

# wake_ratio NODE: NODE's daemon's wake-ups per packet one of its fast
# sessions sends, over SECS seconds (1.0 = one wake-up per interval).
wake_ratio() {
	local pid=${LAB_DAEMON[$1]} w0 w1 t0 t1
	w0=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status")
	t0=$(lab_mr_sess "$1" fast0 ipv4 tx_packets)
	lab_sleep "$SECS"
	w1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status")
	t1=$(lab_mr_sess "$1" fast0 ipv4 tx_packets)
	lab_log "   $1: $(( (w1 - w0) / SECS )) wake-ups/s, fast0 sends $(( (t1 - t0) / SECS )) probes/s" >&2
	awk -v w=$((w1 - w0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.2f\n", t ? w / t : 99 }'
}

lab_log "== 3-node mesh, meshrouted on every node (10ms x 3, hold-down 1s)"
lab_mesh3
lab_start_daemons "interval = 10ms" "hold-down = 1s"
lab_wait_routes 10
lab_show_routes
ev=$(cat "$LAB_DIR"/n*.routes | wc -l)
lab_sleep 1

lab_log "== coalesced receive: wake-ups of n1's daemon"
ratio=$(wake_ratio n1)
assert_le "n1's wake-ups per transmit interval (coalesced)" "$ratio" 1.4
assert_eq "route events while steady" "$ev" "$(cat "$LAB_DIR"/n*.routes | wc -l)"
for p in fast0 fast1; do
	assert_eq "n1 $p: flaps" 0 "$(lab_mr_sess n1 "$p" ipv4 flaps)"
done

outages=()
for trial in 1 2 3; do
	lab_log "-- trial $trial: stream n1 -> n2, the cable drops n1 -> n2 (n1 learns it from n2)"
	lab_failover_trial "lab_oneway n1 n2" n1 n2
	outages+=("$TRIAL_OUTAGE_MS")
done
lab_log "== one-way failure at 10ms x 3, 3 trials: outages ${outages[*]} ms"
# Detection 30 ms + reading the peer's Down up to 10 ms later + the lab's slack.
assert_le "median outage of a one-way failure" "$(lab_median "${outages[@]}")" 80 " ms"

lab_log "== negative control: rx-coalesce = no on n1 (reload)"
# Only n1 is told to reload the shared file; n2 and n3 keep coalescing.
sed -i 's|^\[global\]|[global]\nrx-coalesce = no|' "$LAB_DIR/meshroute.conf"
out=$(lab_mrctl n1 reload 2>&1) || lab_fail "reload on n1: $out"
lab_log "   n1: $(echo "$out" | tail -n1)"
lab_sleep 1
ratio=$(wake_ratio n1)
assert_ge "n1's wake-ups per transmit interval (woken by every arrival)" "$ratio" 1.8
