#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/busy.sh OUT LOAD: false failovers on a busy host (issue 22).
# Side by side in one lab, under the same LOAD (churn, cpu or both:
# tests/lab/busy_lib.sh; or flood, below), one 3-node full mesh per daemon set of
# $BENCH_BUSY_SETS (default "mr20 mr10 mr10rt frr10"):
#   mr20    meshrouted, its defaults (20ms x 3)
#   mr10    meshrouted, 10ms x 3, otherwise its defaults (realtime = no)
#   mr10rt  meshrouted, 10ms x 3, realtime = yes (README's advice for busy nodes before issue 22)
#   frr10   FRR bfdd (+ the zebra it needs), 10ms x 3, one single-hop session
#           per fast port (as bench/frr.sh), no routes (8.4's staticd has
#           no BFD-tracked routes)
# The nodes of set k are n(3k-2)..n(3k) on one LAN.  After every session is
# Up, the load starts and runs for $BENCH_BUSY_WINDOWS (5) windows of
# $BENCH_BUSY_SECS (60) seconds, back to back.  Per window and set:
# session downs on each of the three nodes (meshrouted: flaps + MTU flaps
# from `meshroutectl -j status`; bfdd: session-down from `show bfd peers
# counters json`), route changes on the set's first node (`ip monitor`,
# synchronised before each reading: busy_route_events), the
# "ran N ms late" episodes meshrouted logged (count over the three nodes and
# the worst), CPU of each daemon (utime + stime over wall time, median of
# the three), and the churn's namespaces per second.  A daemon that dies or
# stops answering, or a load that stops, fails the run: a count of 0 from
# a dead daemon is no figure.  Appends one line per window and set to OUT:
#   LOAD SET SECS DOWNS_A DOWNS_B DOWNS_C ROUTES LATE_N LATE_MAX_MS CPU_PCT CHURN_PER_S TAKEOVERS ON_LAN FREEZES FREEZE_MAX_MS UNEXPLAINED
# (TAKEOVERS: the standby thread's over the three nodes, from
# `meshroutectl -j status`, scheduling.standby_takeovers; ON_LAN: how many
# of node A's two routes are on the LAN at the window's end -- sessions
# that flap often are damped, their routes stay on the LAN and then do not
# count as route changes; FREEZES: whole-host freezes in the window long
# enough to take down a session of the set -- its detection time less one
# interval less 5 ms, as busy_explain says -- seen by tests/tools/mrfreeze,
# FREEZE_MAX_MS the longest freeze of any length; UNEXPLAINED: meshrouted's
# session downs over the three nodes that no such freeze explains, "-" for
# bfdd, whose downs are not stamped in a log)
# ("-" where a set has no such figure); under the flood load two more:
# FLOOD_KIND FLOOD_PPS ARRIVED_PPS (packets per second the set's flood sent,
# and those that reached node A's input hook: an nft counter).
# LOAD flood: in every window, node B of every set floods node A's address
# on UDP 3784 over their cable with build/mrflood, all sets at once,
# $BENCH_BUSY_FLOOD_RATE (100000) pkt/s over the host split evenly between
# the sets (two cores cannot carry 100,000 pkt/s per set; bench/flood.sh
# measures one daemon at the full rate), one kind per window in the order
# of $BENCH_BUSY_FLOOD_KINDS ("wrong-discr garbage ttl zero-discr
# bad-auth", then again): wrong-discr never hits a discriminator of node A,
# ttl and bad-auth carry the discriminator of A's session to B (the
# nastiest case, as bench/flood.sh).  bench/busy.sh --report OUT prints
# the markdown table of OUT (medians [min-max] over the windows).
set -u
if [ "${1:-}" = --report ]; then
	BENCH_DIR=$(dirname "$0") exec python3 - "$2" <<'EOF'
import os
import sys
from collections import OrderedDict

sys.path.insert(0, os.environ["BENCH_DIR"])
from stats import median

def cell(vals, fmt="%g"):
    v = [float(x) for x in vals if x != "-"]
    if not v:
        return "—"
    if min(v) == max(v):
        return fmt % v[0]
    return "%s [%s–%s]" % (fmt % median(v), fmt % min(v), fmt % max(v))

NAMES = {
    "mr20": "meshrouted, defaults (20 ms × 3)",
    "mr10": "meshrouted, 10 ms × 3, defaults (realtime = no)",
    "mr10rt": "meshrouted, 10 ms × 3, realtime = yes",
    "frr10": "FRR bfdd, 10 ms × 3",
}
rows = OrderedDict()
for line in open(sys.argv[1]):
    w = line.split()
    if len(w) in (12, 13, 16, 19):
        rows.setdefault((w[0], w[1]), []).append((w + ["-"] * 7)[2:19])
print("| load | daemon | windows | session downs per window, node A / B / C | route changes per window, node A "
      "| node A's routes on the LAN at a window's end (of 2) "
      "| \"ran late\" episodes per window (3 nodes) | worst lateness logged, ms | standby takeovers per window (3 nodes) "
      "| CPU % per daemon | churn, namespaces/s "
      "| whole-host freezes per window that can take a session down | longest freeze, ms "
      "| downs no freeze explains (3 nodes) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (load, s), ws in rows.items():
    col = lambda i: [w[i] for w in ws]
    print("| %s | %s | %d × %s s | %s / %s / %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        load, NAMES.get(s, s), len(ws), ws[0][0], cell(col(1)), cell(col(2)), cell(col(3)), cell(col(4)),
        cell(col(10)), cell(col(5)), cell(col(6)), cell(col(9)), cell(col(7), "%.1f"), cell(col(8), "%.1f"),
        cell(col(11)), cell(col(12), "%.1f"), cell(col(13))))
floods = [(load, s, w) for (load, s), ws in rows.items() for w in ws if w[14] != "-"]
if floods:
    print()
    print("| load | daemon | window's flood kind | pkt/s sent to node A | pkt/s that reached node A | session downs, node A / B / C | route changes, node A | CPU % per daemon |")
    print("|---|---|---|---|---|---|---|---|")
    for load, s, w in floods:
        print("| %s | %s | %s | %s | %s | %s / %s / %s | %s | %s |" % (load, NAMES.get(s, s), w[14], w[15], w[16], w[1], w[2], w[3], w[4], w[7]))
EOF
fi

. "$(dirname "$0")/../tests/lab/lib.sh"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frr.sh"
. "$(dirname "$0")/../tests/lab/busy_lib.sh"	# (its trap, busy_cleanup, ends the load first)
OUT=$1 LOAD=$2
SETS=${BENCH_BUSY_SETS:-mr20 mr10 mr10rt frr10}
SECS=${BENCH_BUSY_SECS:-60}
WINDOWS=${BENCH_BUSY_WINDOWS:-5}
BUSY_CPU_MAX_S=$(( SECS * WINDOWS + 300 ))
lab_require_daemon
case $LOAD in churn|cpu|both|flood) ;; *) lab_fail "bench/busy.sh: LOAD must be churn, cpu, both or flood" ;; esac
FLOOD_RATE=${BENCH_BUSY_FLOOD_RATE:-100000}
read -r -a flood_kinds <<<"${BENCH_BUSY_FLOOD_KINDS:-wrong-discr garbage ttl zero-discr bad-auth}"
MRFLOOD=${MRFLOOD:-$BENCH_REPO/build/mrflood}
if [ "$LOAD" = flood ]; then
	[ -x "$MRFLOOD" ] || lab_fail "$MRFLOOD missing: run make"
	[ ${#flood_kinds[@]} -ge 1 ] || lab_fail "BENCH_BUSY_FLOOD_KINDS: no kind"
	for k in "${flood_kinds[@]}"; do
		case $k in wrong-discr|garbage|ttl|zero-discr|bad-auth) ;;
		*) lab_fail "BENCH_BUSY_FLOOD_KINDS: $k is not one of wrong-discr garbage ttl zero-discr bad-auth" ;;
		esac
	done
fi

read -r -a sets <<<"$SETS"
for s in "${sets[@]}"; do
	case $s in
	mr20|mr10|mr10rt) ;;
	frr10) frr_available || { lab_log "   FRR not installed (apt-get install frr): no frr10 set"; continue; } ;;
	*) lab_fail "BENCH_BUSY_SETS: $s is not one of mr20 mr10 mr10rt frr10" ;;
	esac
done
frr_available || read -r -a sets <<<"${SETS//frr10/}"
[ ${#sets[@]} -ge 1 ] || lab_fail "BENCH_BUSY_SETS: nothing to run"

lab_log "== busy host: load $LOAD, $WINDOWS windows of $SECS s; side by side: ${sets[*]}"
busy_meshes ${#sets[@]}

declare -A SET_NODES	# [set] -> "nA nB nC"
k=0
for s in "${sets[@]}"; do
	SET_NODES[$s]="n$((3 * k + 1)) n$((3 * k + 2)) n$((3 * k + 3))"
	k=$((k + 1))
done

for s in "${sets[@]}"; do
	nodes=${SET_NODES[$s]}
	case $s in
	mr20) busy_config "$nodes" ;;
	mr10) busy_config "$nodes" "interval = 10ms" "multiplier = 3" ;;
	mr10rt) busy_config "$nodes" "interval = 10ms" "multiplier = 3" "realtime = yes" ;;
	frr10)
		# shellcheck disable=SC2086
		frr_loose_rpf $nodes
		for n in $nodes; do
			peers=""
			for p in $nodes; do
				[ "$p" = "$n" ] && continue
				peers+=$(frr_peer "$(lab_addr "$p") interface $(lab_port "$n" "$p") local-address $(lab_addr "$n")" 10 3)$'\n'
			done
			frr_launch "$n" "$peers"
		done
		continue
		;;
	esac
	# shellcheck disable=SC2086
	busy_start $nodes
done

# frr_all_up NODE...: every bfdd session of the nodes is up (2 per node).
frr_all_up() {
	local n t u
	for n in "$@"; do
		read -r t u _ <<<"$(frr_sessions "$n" 2>/dev/null)" || return 1
		[ "${t:-0}" = 2 ] && [ "${u:-0}" = 2 ] || return 1
	done
}
for s in "${sets[@]}"; do
	# shellcheck disable=SC2086
	if [ "$s" = frr10 ]; then
		wait_for 20 frr_all_up ${SET_NODES[$s]} || lab_fail "FRR sessions of ${SET_NODES[$s]} did not come up"
	else
		busy_wait_up 20 ${SET_NODES[$s]}
	fi
done
lab_sleep 2

# ---- readings ------------------------------------------------------------------

# bench_busy_read: READ_DOWNS[node], READ_ROUTES[node], READ_LINES[node]
# (daemon log lines so far), READ_TICKS[node] (daemon CPU ticks), READ_MS
# (monotonic), READ_CHURN (namespaces so far).
declare -A READ_DOWNS READ_ROUTES READ_LINES READ_TICKS READ_TAKE PREV_DOWNS PREV_ROUTES PREV_LINES PREV_TICKS PREV_TAKE
bench_busy_read() {
	local s n f m pid t total
	for s in "${sets[@]}"; do
		for n in ${SET_NODES[$s]}; do
			if [ "$s" = frr10 ]; then
				pid=${FRR_PIDS[$n]##* }
				lab_alive "$pid" || lab_fail "bfdd on $n is not running (see $LAB_DIR/frr-$n/bfdd.log)"
				read -r total _ f _ <<<"$(frr_sessions "$n")"
				[ "${total:-0}" = 2 ] && lab_is_number "$f" ||
					lab_fail "bfdd on $n does not report its 2 sessions ($total)"
				READ_DOWNS[$n]=$f
			else
				pid=${LAB_DAEMON[$n]}
				busy_counts "$n"
				READ_DOWNS[$n]=$(( BUSY_FLAPS + BUSY_MTU_FLAPS ))
				READ_TAKE[$n]=$BUSY_TAKEOVERS
				READ_LINES[$n]=$(wc -l <"$LAB_DIR/$n.log")
			fi
			read -r t _ <<<"$(bench_proc "$pid")"
			READ_TICKS[$n]=$t
		done
		n=${SET_NODES[$s]%% *}
		[ "$s" = frr10 ] || { busy_route_events "$n"; READ_ROUTES[$n]=$BUSY_EVENTS; }
	done
	lab_mono
	READ_MS=$LAB_MONO_MS
	read -r READ_CHURN _ <<<"$(busy_churn_count)"
}

bench_busy_keep() {
	local k
	for k in "${!READ_DOWNS[@]}"; do PREV_DOWNS[$k]=${READ_DOWNS[$k]}; done
	for k in "${!READ_ROUTES[@]}"; do PREV_ROUTES[$k]=${READ_ROUTES[$k]}; done
	for k in "${!READ_LINES[@]}"; do PREV_LINES[$k]=${READ_LINES[$k]}; done
	for k in "${!READ_TICKS[@]}"; do PREV_TICKS[$k]=${READ_TICKS[$k]}; done
	for k in "${!READ_TAKE[@]}"; do PREV_TAKE[$k]=${READ_TAKE[$k]}; done
	PREV_MS=$READ_MS PREV_CHURN=$READ_CHURN
}

# bench_busy_late NODE FROM_LINE TO_LINE: "COUNT MAX_MS" of the "ran N ms
# late" lines in that part of NODE's log.
bench_busy_late() {
	sed -n "$(( $2 + 1 )),$3p" "$LAB_DIR/$1.log" | awk 'match($0, /ran [0-9.]+ ms late/) {
		v = substr($0, RSTART + 4, RLENGTH - 12) + 0; n++; if (v > m) m = v }
	END { printf "%d %g\n", n, m }'
}

# bench_busy_discrs SET: "DISCR ALL" of the set's node A: the local
# discriminator of its session to node B, and all of its own, comma-separated.
bench_busy_discrs() {
	local a b out
	read -r a b _ <<<"${SET_NODES[$1]}"
	if [ "$1" = frr10 ]; then
		out=$(frr_vtysh "$a" "show bfd peers json")
	else
		out=$(timeout 5 "$MESHROUTECTL" -s "$LAB_DIR/$a.sock" -j status)
	fi
	printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
if isinstance(d, dict):		# meshrouted: sessions[]; bfdd: a list of peers
    d = [dict(s, id=s["local_discr"]) for s in d["sessions"] if s.get("family", "ipv4") == "ipv4"]
mine = [s for s in d if s.get("peer") in (sys.argv[1], sys.argv[2])]
print(mine[0]["id"] if mine else "", ",".join(str(s["id"]) for s in d))' "$(lab_addr "$b")" "$b" ||
		lab_fail "no discriminators of $a's sessions"
}

# bench_busy_flood_arrived SET: the flood's packets that reached the input
# hook of the set's node A so far.
FLOOD_SPORT=40001
bench_busy_flood_arrived() { bench_flood_arrived "${SET_NODES[$1]%% *}"; }

# bench_busy_flood_start KIND: one flood per set, B -> A over their cable,
# $FLOOD_RATE / sets pkt/s for $SECS s (FLOOD_PIDS[set]).
declare -A FLOOD_PIDS FLOOD_A0
bench_busy_flood_start() {
	local kind=$1 s a b discr all args
	for s in "${sets[@]}"; do
		read -r a b _ <<<"${SET_NODES[$s]}"
		read -r discr all <<<"$(bench_busy_discrs "$s")"
		[ -n "$discr" ] && [ -n "$all" ] || lab_fail "no discriminator of $a's session to $b ($s)"
		case $kind in
		wrong-discr) args=(--kind wrong-discr --exclude-discr "$all") ;;
		ttl|bad-auth) args=(--kind "$kind" --your-discr "$discr" --state down) ;;
		*) args=(--kind "$kind") ;;
		esac
		FLOOD_A0[$s]=$(bench_busy_flood_arrived "$s")
		ip netns exec "$(lab_ns "$b")" nice -n 10 "$MRFLOOD" --dst "$(lab_addr "$a")" --port 3784 \
			--rate $(( FLOOD_RATE / ${#sets[@]} )) --duration "$SECS" --bind-dev "$(lab_port "$b" "$a")" \
			--src-port $FLOOD_SPORT "${args[@]}" >"$LAB_DIR/flood-$s.out" 2>&1 &
		FLOOD_PIDS[$s]=$!
		LAB_PIDS+=("$!")
	done
}

# bench_busy_flood_wait: every flood ended well; FLOOD_SENT[set] its pkt/s
# sent, FLOOD_ARRIVED[set] those that reached node A, per second.
declare -A FLOOD_SENT FLOOD_ARRIVED
bench_busy_flood_wait() {
	local s out secs
	for s in "${sets[@]}"; do
		wait "${FLOOD_PIDS[$s]}" || lab_fail "mrflood of $s failed: $(cat "$LAB_DIR/flood-$s.out")"
		lab_reaped "${FLOOD_PIDS[$s]}"
		out=$(cat "$LAB_DIR/flood-$s.out")
		FLOOD_SENT[$s]=$(lab_kv "$out" rate) secs=$(lab_kv "$out" seconds)
		lab_is_number "${FLOOD_SENT[$s]}" && lab_is_number "$secs" || lab_fail "mrflood of $s: no rate in $out"
	done
	lab_sleep 0.5	# what is still on its way is counted
	for s in "${sets[@]}"; do
		secs=$(lab_kv "$(cat "$LAB_DIR/flood-$s.out")" seconds)
		FLOOD_ARRIVED[$s]=$(awk -v n=$(( $(bench_busy_flood_arrived "$s") - FLOOD_A0[$s] )) -v t="$secs" \
			'BEGIN { printf "%.0f", n / t }')
	done
}

busy_freeze_start
bench_busy_read
bench_busy_keep
win_us=$(now_us)
if [ "$LOAD" = flood ]; then
	for s in "${sets[@]}"; do bench_flood_counter "${SET_NODES[$s]%% *}" $FLOOD_SPORT; done
	lab_log "   flood: $(( FLOOD_RATE / ${#sets[@]} )) pkt/s at each set's node A (from its node B, over their cable), kinds by window: ${flood_kinds[*]}"
else
	busy_load_start "$LOAD"
fi
for ((w = 1; w <= WINDOWS; w++)); do
	fkind=-
	if [ "$LOAD" = flood ]; then
		fkind=${flood_kinds[$(( (w - 1) % ${#flood_kinds[@]} ))]}
		bench_busy_flood_start "$fkind"
	fi
	lab_sleep "$SECS"
	[ "$LOAD" = flood ] && bench_busy_flood_wait
	busy_load_check "window $w"
	bench_busy_read
	now=$(now_us)
	el=$(( READ_MS - PREV_MS ))
	fmax=$(busy_freezes "$win_us" | awk -v from="$win_us" '$1 >= from && $3 > m { m = $3 } END { printf "%g", m }')
	churn=-
	[ "$LOAD" = cpu ] || [ "$LOAD" = flood ] || churn=$(awk -v n=$(( READ_CHURN - PREV_CHURN )) -v t="$el" 'BEGIN { printf "%.1f", n * 1000 / t }')
	line="   window $w ($(awk -v t="$el" 'BEGIN { printf "%.1f", t / 1000 }') s):"
	for s in "${sets[@]}"; do
		downs=() cpus=() lates=0 latemax=0 routes=- take=0
		for n in ${SET_NODES[$s]}; do
			downs+=($(( READ_DOWNS[$n] - PREV_DOWNS[$n] )))
			cpus+=("$(awk -v d=$(( READ_TICKS[$n] - PREV_TICKS[$n] )) -v hz="$CLK_TCK" -v t="$el" \
				'BEGIN { printf "%.2f", d / hz * 100000 / t }')")
			if [ "$s" != frr10 ]; then
				read -r c m <<<"$(bench_busy_late "$n" "${PREV_LINES[$n]}" "${READ_LINES[$n]}")"
				lates=$((lates + c))
				if [ "$take" != - ] && [ "${READ_TAKE[$n]}" != - ]; then
					take=$(( take + READ_TAKE[$n] - PREV_TAKE[$n] ))
				else
					take=-
				fi
				latemax=$(awk -v a="$latemax" -v b="$m" 'BEGIN { print (b > a ? b : a) }')
			fi
		done
		n=${SET_NODES[$s]%% *}
		onlan=-
		if [ "$s" != frr10 ]; then
			routes=$(( READ_ROUTES[$n] - PREV_ROUTES[$n] ))
			onlan=0
			for p in ${SET_NODES[$s]}; do
				[ "$p" = "$n" ] || ! lab_route_is "$n" "$p" lan || onlan=$((onlan + 1))
			done
		fi
		[ "$s" = frr10 ] && lates=- latemax=- take=-
		case $s in mr20) det=60 ivl=20 ;; *) det=30 ivl=10 ;; esac
		fz=$(busy_freezes "$win_us" | awk -v from="$win_us" -v min=$((det - ivl - 5)) '$1 >= from && $3 >= min' | wc -l)
		unexp=-
		if [ "$s" != frr10 ]; then
			unexp=0
			for n in ${SET_NODES[$s]}; do
				BUSY_DETECT_MS[$n]=$det BUSY_INTERVAL_MS[$n]=$ivl
				busy_explain "$n" "$win_us" "$now"
				unexp=$((unexp + BUSY_UNEXPLAINED))
			done
		fi
		cpu=$(lab_median "${cpus[@]}")
		fsent=- farr=-
		[ "$fkind" = - ] || fsent=${FLOOD_SENT[$s]%.*} farr=${FLOOD_ARRIVED[$s]}
		echo "$LOAD $s $SECS ${downs[*]} $routes $lates $latemax $cpu $churn $take $onlan $fz $fmax $unexp $fkind $fsent $farr" >>"$OUT"
		line+=" $s:"
		[ "$fkind" = - ] || line+=" flood $fkind $fsent pkt/s sent, $farr arrived,"
		line+=" downs $(IFS=/; echo "${downs[*]}") (no freeze explains $unexp), routes $routes (on the LAN now: $onlan), late $lates (worst $latemax ms), takeovers $take, cpu $cpu %, freezes $fz;"
	done
	line=${line%;}
	[ "$churn" = - ] || line+="; churn $churn namespaces/s"
	lab_log "$line; longest whole-host freeze $fmax ms"
	bench_busy_keep
	win_us=$now
done
busy_load_stop
[ "$LOAD" = cpu ] || [ "$LOAD" = flood ] || lab_log "   churn: $BUSY_CHURN_NS namespaces, $BUSY_CHURN_RATE per second"
