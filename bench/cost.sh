#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/cost.sh OUT F P FAMILIES: meshrouted's cost on n1 of a star
# (bench_star: n1 + P peers, F fast LANs, 1 or 2 address families), all
# daemons at $BENCH_COST_INTERVAL (default 10ms) x 3, measured over
# $BENCH_COST_WINDOWS windows of $BENCH_COST_SECS (default 10 s) once every
# session of n1 is Up; then the floor: udpfloor between n1 and n2 over fast0
# at the same packet rate, daemons stopped; then the floor of waking up.
# Appends one line per window to OUT:
#   cost SESSIONS UP CPU_PCT_TICKS CPU_PCT_NS RSS_KIB PKT_PER_S NS_PER_PKT FLOOR_NS_PER_PKT F P FAM FLAPS
#        PSS_KIB PRIVATE_KIB WAKEUPS_PER_S WAKE_FLOOR_CPU_PCT
# (the last: `udpfloor --wake` at n1's rate of wake-ups, alone).
# On the star of one peer (6 sessions), then the same sessions with FRR's
# bfdd instead of meshrouted, same timers, as many windows, one line each:
#   frrcost SESSIONS UP CPU_PCT_TICKS CPU_PCT_NS RSS_KIB PKT_PER_S NS_PER_PKT
#           WAKEUPS_PER_S PSS_KIB PRIVATE_KIB
. "$(dirname "$0")/../tests/lab/lib.sh"
trap lab_cleanup EXIT
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frr.sh"
OUT=$1 F=$2 P=$3 FAM=$4
IVAL=${BENCH_COST_INTERVAL:-10ms}
SECS=${BENCH_COST_SECS:-10}
WINDOWS=${BENCH_COST_WINDOWS:-10}
FLOOR=${BENCH_FLOOR:-$BENCH_REPO/build/bench/udpfloor}
lab_require_daemon

want=$(( (F + 1) * P * FAM ))
lab_log "== cost: n1 + $P peers, $F fast LANs, $FAM address famil$([ "$FAM" = 1 ] && echo y || echo ies): $want sessions on n1, $IVAL x 3"
# Per family, n1 holds an entry per peer and port, each peer one per fast
# port and one per node on the LAN: P (2F + 1 + P); twice that for the
# link-local addresses IPv6 learns too, and for margin.
bench_neigh_room $(( 2 * P * (2 * F + 1 + P) * FAM ))
bench_star "$F" "$P" "$FAM"
bench_star_config "$FAM" "$IVAL"
for node in "${LAB_NODES[@]}"; do
	lab_monitor_start "$node"
done
for node in "${LAB_NODES[@]}"; do
	lab_start_daemon "$node"
done
n1_up() { read -r TOTAL UP _ <<<"$(bench_sessions n1)"; [ "$UP" -ge "$want" ]; }
wait_for 60 n1_up || lab_log "   note: only $UP of $TOTAL sessions of n1 are Up after 60 s"
lab_sleep 3
bench_status n1 | python3 -c 'import json,sys; [print("     ", x["port"], x["peer"], x["family"], x["state"], "flaps", x["flaps"], x["last_down_diag"], x["last_detect_ms"]) for x in json.load(sys.stdin)["sessions"] if x["flaps"]]'
pid=${LAB_DAEMON[n1]}

# cost_window PID COUNTER: one window of $SECS seconds of process PID, whose
# packets COUNTER (a command printing "sessions up flaps tx rx") counts.
# Sets W_TOTAL W_UP W_FLAPS (in the window), W_TICKS_PCT and W_NS_PCT (CPU %
# of one core from utime+stime and from schedstat), W_RSS W_PSS W_PRIV (KiB),
# W_PPS (probe packets sent + received per second), W_NSPP (CPU ns per
# packet) and W_WPS (wake-ups per second).
cost_window() {
	local pid=$1 counter=$2 a0 a1 b0 b1 w0 w1 t0 t1 ns0 ns1 c0 c1 f0 tx0 rx0 tx1 rx1
	# Counters and CPU each over their own interval: the counters' from the
	# middle of one read to the middle of the other (each takes python a
	# good part of a second to parse; the same part at both ends).
	a0=$(now_us); read -r _ _ f0 tx0 rx0 <<<"$($counter)"; a1=$(now_us)
	read -r t0 ns0 _ <<<"$(bench_proc "$pid")"
	c0=$(bench_switches "$pid")
	w0=$(now_us)
	lab_sleep "$SECS"
	read -r t1 ns1 W_RSS W_PSS W_PRIV <<<"$(bench_proc "$pid")"
	c1=$(bench_switches "$pid")
	w1=$(now_us)
	b0=$(now_us); read -r W_TOTAL W_UP W_FLAPS tx1 rx1 <<<"$($counter)"; b1=$(now_us)
	W_FLAPS=$((W_FLAPS - f0))
	read -r W_TICKS_PCT W_NS_PCT W_PPS W_NSPP W_WPS <<<"$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" \
		-v ns=$((ns1 - ns0)) -v w=$((w1 - w0)) -v p=$((tx1 - tx0 + rx1 - rx0)) \
		-v pw=$(( (b0 + b1) / 2 - (a0 + a1) / 2 )) -v c=$((c1 - c0)) 'BEGIN {
		pps = p / (pw / 1e6)
		printf "%.3f %.3f %.0f %.0f %.0f\n", 100 * t / hz / (w / 1e6), 100 * ns / 1e3 / w, pps,
			pps ? ns / (w / 1e6) / pps : 0, c / (w / 1e6) }')"
}

lines=()
pps_all=()
wps_all=()
for ((win = 0; win < WINDOWS; win++)); do
	cost_window "$pid" "bench_sessions n1"
	lab_log "   window $((win + 1))/$WINDOWS: n1: $W_TOTAL sessions, $W_UP Up, $W_FLAPS flaps; CPU ${W_TICKS_PCT}% (utime+stime)," \
		"${W_NS_PCT}% (schedstat); RSS ${W_RSS} KiB, PSS ${W_PSS} KiB, private ${W_PRIV} KiB;" \
		"${W_PPS} probe pkt/s sent+received; ${W_NSPP} ns per packet; ${W_WPS} wake-ups/s; load $(cut -d' ' -f1 /proc/loadavg)"
	# Which sessions flapped, why, after how much silence: load or us.
	[ "$W_FLAPS" = 0 ] || bench_status n1 | python3 -c 'import json,sys; [print("     ", x["port"], x["peer"], x["family"], x["state"], "flaps", x["flaps"], x["last_down_diag"], x["last_detect_ms"]) for x in json.load(sys.stdin)["sessions"] if x["flaps"]]'
	lines+=("$want $W_UP $W_TICKS_PCT $W_NS_PCT $W_RSS $W_PPS $W_NSPP FLOOR $F $P $FAM $W_FLAPS $W_PSS $W_PRIV $W_WPS WAKE")
	pps_all+=("$W_PPS")
	wps_all+=("$W_WPS")
done
for node in "${LAB_NODES[@]}"; do
	lab_stop_daemon "$node"
done

# The floor, at n1's (median) packet rate: half sent, half received, on each end.
read -r _ pps _ <<<"$(bench_stats "${pps_all[@]}")"
rate=$(( ${pps%.*} / 2 ))
[ "$rate" -ge 1 ] || rate=1
for ((win = 0; win < WINDOWS; win++)); do
	lab_exec n2 "$FLOOR" "$(lab_addr n2)" "$(lab_addr n1)" 3799 "$rate" "$((SECS + 1))" >"$LAB_DIR/floor.n2" 2>&1 &
	fpid=$!
	LAB_PIDS+=("$fpid")
	lab_sleep 0.5
	floor=$(lab_exec n1 "$FLOOR" "$(lab_addr n1)" "$(lab_addr n2)" 3799 "$rate" "$SECS")
	wait "$fpid" || true
	lab_reaped "$fpid"
	lab_log "   floor window $((win + 1))/$WINDOWS (udpfloor n1 <-> n2 at $rate pkt/s each way): $floor"
	floor_ns=$(lab_kv "$floor" ns_per_pkt)
	lines[win]=${lines[win]/FLOOR/$floor_ns}
done

# The floor of waking up alone, at n1's (median) rate of wake-ups: what this
# machine charges a process that sleeps and wakes that often doing nothing.
read -r _ wps _ <<<"$(bench_stats "${wps_all[@]}")"
wps=${wps%.*}
[ "$wps" -ge 1 ] || wps=1
for ((win = 0; win < WINDOWS; win++)); do
	wake=$(lab_exec n1 "$FLOOR" --wake "$wps" "$SECS")
	lab_log "   wake floor window $((win + 1))/$WINDOWS (udpfloor --wake $wps): $wake"
	echo "cost ${lines[win]/WAKE/$(lab_kv "$wake" cpu_pct)}" >>"$OUT"
done

# The same sessions run by FRR's bfdd, same timers, same lab, same run: what a
# mature BFD daemon costs on this host (zebra, which bfdd needs, not counted).
[ "$P" = 1 ] && [ "${BENCH_COST_FRR:-1}" = 1 ] || exit 0
if ! frr_available; then
	lab_log "== FRR not installed (apt-get install frr): no FRR cost rows"
	exit 0
fi
lab_log "== cost: FRR $(frr_version) bfdd instead, the same $want sessions, $IVAL x 3 (LAN: 200 ms)"
frr_loose_rpf n1 n2
for pair in "n1 n2" "n2 n1"; do
	read -r n m <<<"$pair"
	peers=
	for port in ${LAB_FAST[$n]} lan0; do
		ms=${IVAL%ms}
		[ "$port" = lan0 ] && ms=200
		# ($(...) drops the block's last newline.)
		peers+=$(frr_peer "$(lab_addr "$m") interface $port local-address $(lab_addr "$n")" "$ms" 3)$'\n'
		[ "$FAM" = 2 ] && peers+=$(frr_peer "$(frr_ll "$m" "$port") interface $port" "$ms" 3)$'\n'
	done
	frr_launch "$n" "$peers"
done
frr_all_up() { read -r FTOTAL FUP _ <<<"$(frr_sessions n1)"; [ "${FUP:-0}" -ge "$want" ]; }
wait_for 60 frr_all_up || lab_log "   note: only ${FUP:-0} of ${FTOTAL:-0} bfdd sessions of n1 are up after 60 s"
lab_sleep 3
read -r _ bpid <<<"${FRR_PIDS[n1]}"
for ((win = 0; win < WINDOWS; win++)); do
	cost_window "$bpid" "frr_sessions n1"
	lab_log "   FRR window $((win + 1))/$WINDOWS: n1's bfdd: $W_TOTAL sessions, $W_UP up; CPU ${W_TICKS_PCT}% (utime+stime)," \
		"${W_NS_PCT}% (schedstat); RSS ${W_RSS} KiB, PSS ${W_PSS} KiB, private ${W_PRIV} KiB; ${W_PPS} probe pkt/s" \
		"sent+received; ${W_NSPP} ns per packet; ${W_WPS} wake-ups/s"
	echo "frrcost $want $W_UP $W_TICKS_PCT $W_NS_PCT $W_RSS $W_PPS $W_NSPP $W_WPS $W_PSS $W_PRIV" >>"$OUT"
done
frr_stop n1
frr_stop n2
