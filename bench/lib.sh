# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers of bench/run.sh (and tests/lab/t_soak.sh), sourced after
# tests/lab/lib.sh: statistics, a failover trial that records instead of
# failing, topologies for the cost runs, the daemon's CPU and memory, the
# soak.  Everything runs inside the lab's namespaces and is cleaned up by
# lab_cleanup.
BENCH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MESHROUTECTL=${MESHROUTECTL:-$BENCH_REPO/build/meshroutectl}
CLK_TCK=$(getconf CLK_TCK)

# ---- statistics ----------------------------------------------------------

# bench_stats V...: "n median p95 min max" (nearest-rank p95), numbers only;
# "0 - - - -" for none.  The median is the lab's (lab_median, lib.sh): the
# middle value, the upper middle one of an even count.
bench_stats() {
	[ $# -gt 0 ] || { echo "0 - - - -"; return; }
	printf '%s\n' "$@" | sort -g | awk "$LAB_MEDIAN_AWK"' { v[NR] = $1 }
		END { p = int(NR * 0.95); if (p < NR * 0.95) p++; if (p < 1) p = 1
		      printf "%d %g %g %g %g\n", NR, lab_median(v, NR), v[p], v[1], v[NR] }'
}

# ---- a flood's arrivals ------------------------------------------------------

# bench_flood_counter NODE SPORT: an nft counter in NODE's input hook of the
# UDP packets from source port SPORT to 3784 (a flood's: real sessions send
# from 49152-65535, RFC 5881), read by bench_flood_arrived NODE.
bench_flood_counter() {
	lab_exec "$1" nft -f - <<-EOF || lab_fail "nft flood counter on $1"
	table inet mrbench {
	counter flood { }
	chain input {
	type filter hook input priority 0; policy accept;
	udp sport $2 udp dport 3784 counter name "flood"
	}
	}
	EOF
}

bench_flood_arrived() {
	local out
	out=$(lab_exec "$1" nft list counter inet mrbench flood)
	[[ $out =~ packets\ ([0-9]+) ]] || lab_fail "no flood counter on $1"
	echo "${BASH_REMATCH[1]}"
}

# ---- topology: two nodes, one cable, the LAN --------------------------------

bench_b2b1() {
	lab_node n1
	lab_node n2
	lab_lan n1 n2
	lab_cable w12 n1 fast0 n2 fast0
	lab_finish_build
}

# ---- one failover trial, recorded ------------------------------------------

# bench_trial FAULT A B: a $LAB_STREAM_RATE pkt/s stream A -> B over their
# cable; FAULT (lab_cut_carrier|lab_silent|lab_oneway) A B; both routes must
# leave the cable within 3 s; heal; both must come back.  Sets
# TRIAL_OUTAGE_MS (stream loss / rate), TRIAL_DETECT_MS (fault -> both
# routes moved, from "ip monitor" events), TRIAL_DOWN_MS (fault -> both
# daemons logged the cable's session Down: measured as FRR's row is) and
# TRIAL_FAILBACK_MS (heal -> both routes back, minus hold-down); a value
# left empty is a miss.
bench_trial() {
	local fault=$1 a=$2 b=$3 pa pb moved=0
	pa=$(lab_port "$a" "$b")
	pb=$(lab_port "$b" "$a")
	TRIAL_OUTAGE_MS= TRIAL_DETECT_MS= TRIAL_DOWN_MS= TRIAL_FAILBACK_MS=
	lab_flow_watch "$a" 5201
	lab_stream_start "$a" "$b" - 5201
	# The stream flows over the cable (0.1 s of it) before the fault.
	wait_for 3 lab_flow_ge "$a" "$pa" $(( LAB_STREAM_RATE / 10 )) ||
		lab_fail "the stream $a -> $b does not cross $a $pa"
	"$fault" "$a" "$b"
	if wait_for 3 eval "lab_route_is $a $b lan && lab_route_is $b $a lan"; then
		moved=1
		TRIAL_DETECT_MS=$(lab_event_ms "$LAB_FAULT_US" "$a" "$b" lan "$b" "$a" lan)
		TRIAL_DOWN_MS=$(bench_down_ms "$LAB_FAULT_US" "$a" "$pa" "$b" "$pb")
		# The stream flows over the LAN (0.1 s of it) before it stops:
		# its loss then counts the whole outage.
		local l
		l=$(lab_flow "$a" lan0)
		wait_for 3 lab_flow_ge "$a" lan0 $(( l + LAB_STREAM_RATE / 10 )) ||
			lab_log "      the stream does not cross $a lan0 after the failover"
	else
		lab_sleep 0.2
	fi
	lab_stream_stop
	[ $moved = 1 ] && TRIAL_OUTAGE_MS=$(lab_kv "$LAB_STREAM_RESULT" outage_ms)
	lab_heal "$a" "$b" "$pa"
	if wait_for $(( LAB_HOLD_MS / 1000 + 5 )) eval "lab_route_is $a $b '$pa' && lab_route_is $b $a '$pb'"; then
		[ $moved = 1 ] && TRIAL_FAILBACK_MS=$(( $(lab_event_ms "$LAB_HEAL_US" "$a" "$b" "$pa" "$b" "$a" "$pb") - LAB_HOLD_MS ))
	else
		lab_log "      routes did not come back after heal: waiting longer"
		lab_wait_routes 20
	fi
	lab_sleep 0.3
}

# bench_down_us NODE PORT AFTER_US: when (epoch us) NODE's meshrouted logged
# its session via PORT going from Up to Down, the first time after AFTER_US;
# empty if it has not.  The log's stamps are local time of day to the us
# (MESHROUTE_LOG_TIMESTAMPS, set by lab_start_daemon).
bench_down_us() {
	local node=$1 port=$2 after=$3 day line us
	day=$(date -d "@$(( after / 1000000 ))" +%F)
	while IFS= read -r line; do
		[[ $line =~ ^([0-9]{2}:[0-9]{2}:[0-9]{2})\.([0-9]{6})\  ]] || continue
		us=$(date -d "$day ${BASH_REMATCH[1]}" +%s)${BASH_REMATCH[2]}
		# A stamp after midnight, in a run that started the day before.
		(( us < after - 43200000000 )) && us=$(( us + 86400000000 ))
		(( us > after )) || continue
		echo "$us"
		return 0
	done < <(grep -F -- " via $port: session Up -> Down" "$LAB_DIR/$node.log")
}

# bench_down_ms SINCE_US NODE PORT...: ms from SINCE_US until every NODE
# logged its session via PORT Down (0 if before: SINCE_US is the middle of
# the fault's command); empty if one did not within 1 s.
bench_down_ms() {
	local since=$1 last=0 e node port
	shift
	while [ $# -ge 2 ]; do
		node=$1 port=$2
		e=
		wait_for 1 eval 'e=$(bench_down_us '"$node $port"' $((since - 200000))); [ -n "$e" ]' ||
			{ echo; return 0; }
		(( e > last )) && last=$e
		shift 2
	done
	(( last < since )) && last=$since
	echo $(( (last - since) / 1000 ))
}

# ---- the daemon's status -----------------------------------------------------

bench_status() { "$MESHROUTECTL" -s "$LAB_DIR/$1.sock" -j status; }	# NODE

# bench_sessions NODE: "total up flaps tx rx" over all of NODE's sessions;
# bench_sessions_of JSON: the same from a status already taken.  Nothing
# (and a non-zero status) when there is no status to read: a daemon that
# does not answer has no "0 flaps".
bench_sessions() { local j; j=$(bench_status "$1") || return 1; bench_sessions_of "$j"; }
bench_sessions_of() {
	echo "$1" | python3 -c '
import json, sys
s = json.load(sys.stdin)["sessions"]
print(len(s), sum(x["state"] == "Up" for x in s), sum(x["flaps"] for x in s),
      sum(x["tx_packets"] for x in s), sum(x["rx_packets"] for x in s))'
}

# bench_flaps NODE...: flaps summed over the nodes; fails the run (lab_fail)
# if one of their daemons is gone or does not answer.
bench_flaps() {
	local n sum=0 f out
	for n in "$@"; do
		lab_alive "${LAB_DAEMON[$n]:-0}" || lab_fail "meshrouted on $n is not running (flaps unknown)"
		out=$(bench_sessions "$n") || lab_fail "meshrouted on $n does not answer status (flaps unknown)"
		read -r _ _ f _ _ <<<"$out"
		lab_is_number "$f" || lab_fail "no flaps count from meshrouted on $n: '$out'"
		sum=$((sum + f))
	done
	echo "$sum"
}

# bench_proc PID: "cpu_ticks runtime_ns rss_kib pss_kib private_kib"
# (utime+stime from /proc/PID/stat, on-CPU ns summed over the threads'
# /proc/PID/task/*/schedstat,
# VmRSS from status; Pss and Private_Clean + Private_Dirty from smaps_rollup).
bench_proc() {
	local pid=$1 stat rest
	stat=$(cat "/proc/$pid/stat")
	rest=${stat##*) }
	# shellcheck disable=SC2086
	set -- $rest
	echo "$(( ${12} + ${13} )) $(cat "/proc/$pid/task/"*/schedstat 2>/dev/null | awk '{ n += $1 } END { printf "%.0f\n", n }')" \
		"$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")" \
		"$(awk '/^Pss:/ { pss = $2 } /^Private_(Clean|Dirty):/ { p += $2 } END { print pss + 0, p + 0 }' \
			"/proc/$pid/smaps_rollup" 2>/dev/null || echo "0 0")"
}

# bench_switches PID: context switches so far (voluntary + involuntary) of
# all its threads: each is a wake-up of a daemon that sleeps between them.
bench_switches() {
	cat "/proc/$1/task/"*/status 2>/dev/null |
		awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { printf "%.0f\n", n }'
}

# ---- topology for the cost runs: a star of fast LANs ------------------------

# bench_star F P FAMILIES: nodes n1..n(P+1); each has F fast ports fast0..,
# fast port k of every node on bridge br0 of namespace $LAB_ID-fbk; the
# peers' bridge ports are isolated, so on the fast LANs n1 reaches every
# peer on every port and the peers reach only n1.  n1 then has
# (F + 1) * P * FAMILIES sessions, all of them Up; FAMILIES 2 adds IPv6
# (fd00:10::N, /128 on fast ports, /64 on lan0).
bench_star() {
	local f=$1 p=$2 fam=$3 i k node nodes=() ns port
	for ((i = 1; i <= p + 1; i++)); do
		lab_node "n$i"
		nodes+=("n$i")
	done
	lab_lan "${nodes[@]}"
	for ((k = 0; k < f; k++)); do
		ns=$(lab_ns "fb$k")
		lab_switch_ns "$ns"
		for node in "${nodes[@]}"; do
			port=fast$k
			lab_wire_index
			ip -n "$ns" link add "$node" index "$LAB_IFINDEX" type veth peer name "$port" netns "$(lab_ns "$node")"
			ip -n "$ns" link set "$node" master br0 up
			[ "$node" = n1 ] || ip -n "$ns" link set dev "$node" type bridge_slave isolated on
			ip -n "$(lab_ns "$node")" addr add "$(lab_addr "$node")/32" dev "$port"
			ip -n "$(lab_ns "$node")" link set "$port" up
			LAB_FAST[$node]="${LAB_FAST[$node]} $port"
		done
	done
	if [ "$fam" = 2 ]; then
		for node in "${nodes[@]}"; do
			{
				echo "addr add fd00:10::${node#n}/64 dev lan0 nodad"
				for port in ${LAB_FAST[$node]}; do
					echo "addr add fd00:10::${node#n}/128 dev $port nodad"
				done
			} | ip -n "$(lab_ns "$node")" -batch -
		done
	fi
	lab_finish_build
}

# bench_neigh_room ENTRIES: the kernel's ARP and neighbour discovery tables
# are shared by every namespace, with room for 1024 entries each by default
# (gc_thresh3), and a full table drops packets ("neighbor table overflow");
# a star of 600 sessions has more entries than that over all its nodes.
# Raises the limits for this run when ENTRIES would not fit.
bench_neigh_room() {
	local fam key
	for fam in ipv4 ipv6; do
		key=net.$fam.neigh.default
		[ "$(sysctl -n "$key.gc_thresh3")" -ge "$1" ] && continue
		lab_host_sysctl "$key.gc_thresh3" $(( $1 * 2 ))
		lab_host_sysctl "$key.gc_thresh2" "$1"
	done
}

# bench_star_config FAMILIES INTERVAL: the config of a star, in the lab's place.
bench_star_config() {
	local fam=$1 ival=$2 node conf=$LAB_DIR/meshroute.conf
	{
		echo "[global]"
		echo "interval = $ival"
		echo "multiplier = 3"
		echo "hold-down = 2s"
		echo "idle-interval = 1s"
		echo "realtime = yes"	# as lab_write_config: the lab shares two cores
		for node in "${LAB_NODES[@]}"; do
			printf '\n[node %s]\naddress = %s\n' "$node" "$(lab_addr "$node")"
			[ "$fam" = 2 ] && echo "address = fd00:10::${node#n}"
			printf 'lan = lan0\nfast =%s\n' "${LAB_FAST[$node]}"
		done
	} >"$conf"
	LAB_HOLD_MS=2000
}

# ---- soak ------------------------------------------------------------------

# bench_soak SECONDS A B: with meshrouted Up between A and B (their cable),
# iperf3 TCP in both directions across the cable and stress-ng (or a shell
# busy loop) on every core, all bounded to SECONDS.  Sets SOAK_FLAPS (session
# flaps on A and B during the soak), SOAK_PATH_CHANGES (route events between
# them), SOAK_MBPS (iperf3's total, both directions) and SOAK_CPU (what
# burned the cores).
bench_soak() {
	local secs=$1 a=$2 b=$3 f0 f1 ipid spid=() cores i out r0 r1 rc
	cores=$(nproc)
	f0=$(bench_flaps "$a" "$b") || exit 1
	r0=$(cat "$LAB_DIR/$a.routes" "$LAB_DIR/$b.routes" | grep -c "proto \($LAB_PROTO\|meshroute\)" || true)
	lab_exec "$b" iperf3 -s -1 -B "$(lab_addr "$b")" -p 5301 >"$LAB_DIR/iperf3.server" 2>&1 &
	LAB_PIDS+=("$!")
	wait_for 3 lab_listening "$b" tcp 5301 || lab_fail "iperf3 server on $b did not start"
	if command -v stress-ng >/dev/null; then
		lab_exec "$a" stress-ng --cpu "$cores" --timeout "${secs}s" --quiet >/dev/null 2>&1 &
		spid+=("$!"); LAB_PIDS+=("$!")
		SOAK_CPU="stress-ng --cpu $cores"
	else
		for ((i = 0; i < cores; i++)); do
			lab_exec "$a" timeout "$secs" sh -c 'while :; do :; done' &
			spid+=("$!"); LAB_PIDS+=("$!")
		done
		SOAK_CPU="$cores shell busy loops"
	fi
	lab_exec "$a" iperf3 -c "$(lab_addr "$b")" -B "$(lab_addr "$a")" -p 5301 --bidir -t "$secs" -J \
		>"$LAB_DIR/iperf3.json" 2>&1 &
	ipid=$!
	LAB_PIDS+=("$ipid")
	rc=0
	wait "$ipid" || rc=$?
	lab_reaped "$ipid"
	for i in "${spid[@]}"; do
		wait "$i" 2>/dev/null || true
		lab_reaped "$i"
	done
	# No traffic, no soak: a failed iperf3 fails the run, it is not a quiet hour.
	[ "$rc" = 0 ] || lab_fail "iperf3 failed (exit $rc): $(tail -c 400 "$LAB_DIR/iperf3.json")"
	SOAK_MBPS=$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))["end"]
print(round((j["sum_sent"]["bits_per_second"] + j.get("sum_sent_bidir_reverse", {}).get("bits_per_second", 0)) / 1e6))' \
		"$LAB_DIR/iperf3.json" 2>/dev/null) || lab_fail "iperf3 gave no throughput: $(tail -c 400 "$LAB_DIR/iperf3.json")"
	[ "$SOAK_MBPS" -gt 0 ] 2>/dev/null || lab_fail "iperf3 moved nothing ($SOAK_MBPS Mbit/s)"
	f1=$(bench_flaps "$a" "$b") || exit 1
	r1=$(cat "$LAB_DIR/$a.routes" "$LAB_DIR/$b.routes" | grep -c "proto \($LAB_PROTO\|meshroute\)" || true)
	SOAK_FLAPS=$((f1 - f0))
	SOAK_PATH_CHANGES=$((r1 - r0))
	out=$(lab_route "$a" "$b")
	[ "$out" = "$(lab_port "$a" "$b")" ] || SOAK_PATH_CHANGES="$SOAK_PATH_CHANGES (route now: $out)"
}
