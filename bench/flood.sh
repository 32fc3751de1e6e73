#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/flood.sh [OUT]: what a flood of hostile BFD packets costs meshrouted,
# and whether a flooded daemon keeps ordinary processes off the CPU.
#
# The 3-node mesh of the lab (lab_mesh3), meshrouted on every node with the
# lab's settings (20ms x 3, realtime = yes; BENCH_FLOOD_CONFIG adds or
# replaces config lines, e.g. "realtime = no").  For each kind of
# BENCH_FLOOD_KINDS, BENCH_FLOOD_WINDOWS windows (default 5): n2 floods n1's
# address on UDP 3784 with build/mrflood at BENCH_FLOOD_RATE pkt/s (default
# 100,000) for BENCH_FLOOD_SECS (default 10) through its fast port to n1
# (nice 10: the generator stands for another machine).  Kind "none" is the
# same window without a flood: the daemon's cost at rest.  Kinds:
#   garbage      random bytes                       (RFC 5880 §6.8.6 checks)
#   ttl          well-formed, TTL 254, n1's real discriminator (RFC 5881 §5)
#   zero-discr   Your Discriminator 0 in State Up   (§6.8.6)
#   wrong-discr  well-formed, no discriminator of n1's
#   bad-auth     well-formed, n1's real discriminator, an auth section no
#                session expects
#   near-discr   well-formed, a Your Discriminator with the prefix of n1's
#                (src/net.h) that no session has: it passes the filter and
#                only the daemon can refuse it (what someone who saw n1's
#                packets on the cable could send)
# In each window:
#   - n1's daemon CPU: on-CPU ns of its threads (/proc/PID/task/*/schedstat)
#     over the window, % of one core, and per flood packet that reached n1's
#     UDP layer (an nftables counter in n1);
#   - the host's softirq time (/proc/stat), % of one core: where the kernel
#     receives the packets and runs the socket filter, charged to nobody;
#   - an ordinary process's wake-up lateness on each CPU (bench/wakelate:
#     SCHED_OTHER, pinned, 1 ms sleeps): max and p99 over all CPUs, and
#     per CPU;
#   - session flaps (sum over all nodes) and route events (all nodes).
# Appends one line per window to OUT (default build/bench/raw.txt):
#   flood KIND WINDOW RATE_SENT PKT_S_AT_N1 CPU_PCT NS_PER_PKT SOFTIRQ_PCT
#         LATE_MAX_US LATE_P99_US FLAPS ROUTE_EVENTS [CPUn_MAX_US CPUn_P99_US]...
# and prints, per kind, the median and the range (min-max) over the windows.
# Needs root and the lab lock (flock /tmp/meshroute-lab.lock bench/flood.sh).
. "$(dirname "$0")/../tests/lab/lib.sh"
trap lab_cleanup EXIT
. "$(dirname "$0")/lib.sh"
. "$LAB_REPO/tests/lab/hostile_lib.sh"
OUT=${1:-$BENCH_REPO/build/bench/raw.txt}
KINDS=${BENCH_FLOOD_KINDS:-none garbage ttl zero-discr wrong-discr bad-auth near-discr}
WINDOWS=${BENCH_FLOOD_WINDOWS:-5}
SECS=${BENCH_FLOOD_SECS:-10}
RATE=${BENCH_FLOOD_RATE:-100000}
MRFLOOD=${MRFLOOD:-$BENCH_REPO/build/mrflood}
WAKELATE=$BENCH_REPO/build/bench/wakelate
SPORT=40001
lab_require_daemon
[ -x "$MRFLOOD" ] || lab_fail "$MRFLOOD missing: run make"
mkdir -p "$BENCH_REPO/build/bench" "$(dirname "$OUT")"
cc -O2 -Wall -Wextra -Werror -o "$WAKELATE" "$BENCH_REPO/bench/wakelate.c" || exit 1
ncpu=$(nproc)

config=()
[ -n "${BENCH_FLOOD_CONFIG:-}" ] && mapfile -t config < <(printf '%s\n' "$BENCH_FLOOD_CONFIG" | tr ';' '\n')
lab_log "== flood: n2 floods n1 at $RATE pkt/s through its fast port, $WINDOWS windows of $SECS s per kind" \
	"(kinds: $KINDS; config: 20ms x 3, realtime = yes${config[*]:+; ${config[*]}})"
lab_mesh3
lab_start_daemons "${config[@]}"
lab_wait_routes 10
p12=$(lab_port n1 n2)
p21=$(lab_port n2 n1)
pid=${LAB_DAEMON[n1]}
bench_flood_counter n1 $SPORT
arrived() { bench_flood_arrived n1; }
oncpu_ns() { cat "/proc/$pid/task/"*/schedstat | awk '{ n += $1 } END { printf "%.0f\n", n }'; }
softirq_ticks() { awk '/^cpu / { print $8 }' /proc/stat; }
flaps_all() { echo $(( $(hl_flaps n1) + $(hl_flaps n2) + $(hl_flaps n3) )); }
events_all() { echo $(( $(hl_route_events n1) + $(hl_route_events n2) + $(hl_route_events n3) )); }
discr=$(hl_discr n1 n2 "$p12")
all=$(hl_discrs n1)
[ -n "$discr" ] || lab_fail "no discriminator of n1's session to n2 on $p12"
near=$(( (discr & 0xffff0000) | ((discr + 1) & 0xffff) ))
while [[ ",$all," == *",$near,"* ]]; do
	near=$(( (near & 0xffff0000) | ((near + 1) & 0xffff) ))
done
lab_sleep 2

declare -A cpu nspp sirq lmax lp99 pps cmax cp99
for kind in $KINDS; do
	args=()
	case $kind in
	none) ;;
	garbage|zero-discr) args=(--kind "$kind") ;;
	wrong-discr) args=(--kind wrong-discr --exclude-discr "$all") ;;
	ttl|bad-auth) args=(--kind "$kind" --your-discr "$discr" --state down) ;;
	near-discr) args=(--kind wrong-discr --your-discr "$near") ;;
	*) lab_fail "BENCH_FLOOD_KINDS: unknown kind $kind" ;;
	esac
	for ((win = 1; win <= WINDOWS; win++)); do
		f0=$(flaps_all) e0=$(events_all) a0=$(arrived)
		lates=()
		for ((c = 0; c < ncpu; c++)); do
			lab_exec n3 "$WAKELATE" "$c" "$SECS" >"$LAB_DIR/late.$c" 2>&1 &
			lates+=("$!")
			LAB_PIDS+=("$!")
		done
		n0=$(oncpu_ns) s0=$(softirq_ticks) t0=$(hl_mono_us)
		if [ "$kind" = none ]; then
			lab_sleep "$SECS"
			sent=0
		else
			ip netns exec "$(lab_ns n2)" nice -n 10 "$MRFLOOD" --dst "$(lab_addr n1)" --port 3784 \
				--rate "$RATE" --duration "$SECS" --bind-dev "$p21" --src-port $SPORT "${args[@]}" \
				>"$LAB_DIR/flood.out" 2>&1 &
			fp=$!
			LAB_PIDS+=("$fp")
			wait "$fp" || lab_fail "mrflood failed: $(cat "$LAB_DIR/flood.out")"
			lab_reaped "$fp"
			sent=$(lab_kv "$(cat "$LAB_DIR/flood.out")" rate)
		fi
		n1=$(oncpu_ns) s1=$(softirq_ticks) t1=$(hl_mono_us)
		for p in "${lates[@]}"; do
			wait "$p" || lab_fail "wakelate failed: $(cat "$LAB_DIR"/late.*)"
			lab_reaped "$p"
		done
		lab_sleep 0.5	# what the flood left queued is read before the counters are
		a1=$(arrived) f1=$(flaps_all) e1=$(events_all)
		read -r w_max w_p99 <<<"$(cat "$LAB_DIR"/late.* | awk '{
			for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			if (v["max_us"] > m) m = v["max_us"]; if (v["p99_us"] > p) p = v["p99_us"] }
			END { print m + 0, p + 0 }')"
		percpu=() percpu_log=()
		for ((c = 0; c < ncpu; c++)); do
			read -r c_max c_p99 <<<"$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "=")
				v[kv[1]] = kv[2] } } END { print v["max_us"] + 0, v["p99_us"] + 0 }' "$LAB_DIR/late.$c")"
			percpu+=("$c_max" "$c_p99")
			percpu_log+=("cpu$c $c_max/$c_p99")
			cmax[$kind,$c]+=" $c_max" cp99[$kind,$c]+=" $c_p99"
		done
		read -r w_cpu w_pps w_nspp w_sirq <<<"$(awk -v ns=$((n1 - n0)) -v us=$((t1 - t0)) \
			-v a=$((a1 - a0)) -v st=$((s1 - s0)) -v hz="$CLK_TCK" 'BEGIN {
			printf "%.2f %.0f %.0f %.2f\n", 100 * ns / 1e3 / us, a / (us / 1e6),
				a ? ns / a : 0, 100 * st / hz / (us / 1e6) }')"
		lab_log "   $kind $win/$WINDOWS: sent ${sent%.*} pkt/s, $w_pps pkt/s at n1's UDP layer; n1's daemon" \
			"$w_cpu % of a core ($w_nspp ns per flood packet); softirq $w_sirq %; SCHED_OTHER wake-ups" \
			"late by <= $w_max us (p99 $w_p99 us; max/p99 ${percpu_log[*]}); $((f1 - f0)) flaps, $((e1 - e0)) route events"
		echo "flood $kind $win ${sent%.*} $w_pps $w_cpu $w_nspp $w_sirq $w_max $w_p99 $((f1 - f0)) $((e1 - e0)) ${percpu[*]}" >>"$OUT"
		cpu[$kind]+=" $w_cpu" nspp[$kind]+=" $w_nspp" sirq[$kind]+=" $w_sirq"
		lmax[$kind]+=" $w_max" lp99[$kind]+=" $w_p99" pps[$kind]+=" $w_pps"
	done
done

# median [min-max] of a list
mm() { read -r _ m _ lo hi <<<"$(bench_stats "$@")"; echo "$m [$lo-$hi]"; }
lab_log "== flood: medians [min-max] over $WINDOWS windows of $SECS s at $RATE pkt/s asked"
printf '   %-12s %-20s %-26s %-20s %-16s %-22s %s\n' kind "pkt/s at n1" "n1 daemon CPU % of a core" \
	"ns per flood pkt" "softirq %" "SCHED_OTHER max late us" "p99 late us"
for kind in $KINDS; do
	# shellcheck disable=SC2086
	printf '   %-12s %-20s %-26s %-20s %-16s %-22s %s\n' "$kind" "$(mm ${pps[$kind]})" "$(mm ${cpu[$kind]})" \
		"$(mm ${nspp[$kind]})" "$(mm ${sirq[$kind]})" "$(mm ${lmax[$kind]})" "$(mm ${lp99[$kind]})"
done
lab_log "   SCHED_OTHER wake-up lateness per CPU, us: max, p99 (medians [min-max])"
for kind in $KINDS; do
	line=""
	for ((c = 0; c < ncpu; c++)); do
		# shellcheck disable=SC2086
		line+="  cpu$c max $(mm ${cmax[$kind,$c]}) p99 $(mm ${cp99[$kind,$c]})"
	done
	printf '   %-12s%s\n' "$kind" "$line"
done
