#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 300
# Floods: while n1's sessions are Up at 20ms x 3, n2 (a real neighbour, on
# a fast cable and on the LAN) floods n1's address on UDP 3784 with
# build/mrflood, one kind after the other, FLOOD_S seconds each (default 30):
#   garbage      random bytes          -> drops "decode"
#   wrong-discr  well-formed BFD, Your Discriminator none of n1's
#                                      -> drops "no_session"
#   ttl          well-formed, TTL 254, carrying the real session's Your
#                Discriminator and State Down (it would take the session
#                down if the TTL check were missing)  -> drops "ttl"
#   bad-auth     well-formed, A bit + Keyed SHA1 section with a random digest,
#                the real session's discriminator, State Down; auth is off,
#                so it is not expected     -> drops "auth"
# Each kind is sent at FLOOD_RATE packets/s (default 100,000) in all, half
# through n2's fast port to n1 (SO_BINDTODEVICE: it leaves there whatever
# the routes say) and half through n2's LAN port, concurrently: the issue's
# 100,000 pkt/s for 30 s per kind, at n1's fast and LAN ports.  Total
# flood time 4 x FLOOD_S (2 minutes by default; FLOOD_S=8 for a quick run).
# The flood generators run at nice 10: they stand for another machine, and
# on this 2-core lab box the kernel's packet path of all the namespaces
# (softirq, ksoftirqd) must still get the CPU it needs.  A generator held
# off the CPU does not burst to catch up (at most 20 ms of packets at once,
# the rest is skipped: see mrflood.c).  What rate this machine reached is
# printed; the test needs at least FLOOD_MIN_RATE (default 20,000 pkt/s)
# to mean anything.
#
# Asserted, per kind:
#   - no session on any node changes state: no "-> Down" logged, flaps
#     counters (status -j) unchanged, every session that was Up is Up;
#   - no route changes: "ip monitor route" logs nothing on any node, and
#     every node's routes (all tables) are identical before and after;
#   - n1's daemon CPU (utime + stime, /proc/PID/stat) stays below
#     FLOOD_CPU_MAX % of one core (default 80; measured on the 2-core lab
#     box: 38-55 % at 68,000-100,000 pkt/s, 4.6-6.5 us per packet);
#   - n1's log grows by at most 3 lines a second (plus a burst of 10): the
#     "dropped BFD packet" lines are rate-limited;
#   - the drop counter of that kind's reason rose by the number of flood
#     packets that reached n1's UDP layer (nftables input counter on the
#     flood's source ports) minus those the socket itself dropped
#     (Udp RcvbufErrors), within 0.5 %; the other reasons did not move;
#   - "meshroutectl status" on n1 answers within 1 s during the flood.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2   <- flood
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1                                       <- flood
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile_lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

MRFLOOD=${MRFLOOD:-$LAB_REPO/build/mrflood}
[ -x "$MRFLOOD" ] || lab_fail "$MRFLOOD missing: run make"
FLOOD_S=${FLOOD_S:-30}
FLOOD_RATE=${FLOOD_RATE:-100000}
FLOOD_MIN_RATE=${FLOOD_MIN_RATE:-20000}
FLOOD_CPU_MAX=${FLOOD_CPU_MAX:-80}
FLOOD_KINDS=${FLOOD_KINDS:-garbage wrong-discr ttl bad-auth}
SPORT_FAST=40001 SPORT_LAN=40002	# the flood's source ports, to count it

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3); n2 floods n1 ($FLOOD_RATE pkt/s, $FLOOD_S s per kind)"
lab_mesh3
lab_start_daemons
lab_wait_routes 10
p12=$(lab_port n1 n2)	# n1's port to n2
p21=$(lab_port n2 n1)	# n2's port to n1
pid=${LAB_DAEMON[n1]}

# Flood packets reaching n1's UDP layer, per source port.
lab_exec n1 nft -f - <<-EOF
table inet mrflood {
counter fast { }
counter lan { }
chain input {
type filter hook input priority 0; policy accept;
udp sport $SPORT_FAST udp dport 3784 counter name "fast"
udp sport $SPORT_LAN udp dport 3784 counter name "lan"
}
}
EOF
nft_count() {	# fast|lan
	local out
	out=$(lab_exec n1 nft list counter inet mrflood "$1")
	[[ $out =~ packets\ ([0-9]+) ]] || lab_fail "no nft counter $1 on n1"
	echo "${BASH_REMATCH[1]}"
}
rcvbuf_errors() { lab_exec n1 awk '/^Udp:/ && ++n == 2 { print $6 }' /proc/net/snmp; }

reasons=(decode ttl no_session wrong_port auth admin_down)
declare -A d0 d1 flaps0 routes0 events0 up0
totals=()

snapshot_drops() {	# ARRAY_NAME
	local -n arr=$1
	local r
	hl_json n1
	for r in "${reasons[@]}"; do
		arr[$r]=$(hl_counter drops "$r")
		[ -n "${arr[$r]}" ] || lab_fail "status -j of n1 has no drops.$r"
	done
}

flood_kind() {	# KIND REASON [MRFLOOD ARGS for the fast port] -- [... for the LAN]
	local kind=$1 reason=$2 fast_args=() lan_args=() n r t0 t1 c0 c1 l0 l1 f0 l0n f1 l1n e0 e1
	local pf pl out_f out_l ms max_ms=0 w rate_f rate_l total cpu lines arrived expect delta slack
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do fast_args+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	lan_args=("$@")

	lab_log "-- $kind: $FLOOD_S s at $((FLOOD_RATE / 2)) pkt/s through n2 $p21 and $((FLOOD_RATE / 2)) pkt/s through n2 lan0"
	for n in n1 n2 n3; do
		flaps0[$n]=$(hl_flaps "$n")
		up0[$n]=$(hl_up_count "$n")
		routes0[$n]=$(hl_routes "$n")
		events0[$n]=$(hl_route_events "$n")
	done
	downs0=$(cat "$LAB_DIR"/n[123].log | grep -c -- '-> Down' || true)
	snapshot_drops d0
	f0=$(nft_count fast) l0n=$(nft_count lan) e0=$(rcvbuf_errors)
	l0=$(wc -l <"$LAB_DIR/n1.log")
	c0=$(hl_cpu_ticks "$pid")
	t0=$(now_us)

	out_f=$LAB_DIR/flood.$kind.fast out_l=$LAB_DIR/flood.$kind.lan
	ip netns exec "$(lab_ns n2)" nice -n 10 "$MRFLOOD" --dst "$(lab_addr n1)" --port 3784 \
		--rate $((FLOOD_RATE / 2)) --duration "$FLOOD_S" --kind "$kind" \
		--bind-dev "$p21" --src-port $SPORT_FAST "${fast_args[@]}" >"$out_f" 2>&1 &
	pf=$!
	LAB_PIDS+=("$pf")
	ip netns exec "$(lab_ns n2)" nice -n 10 "$MRFLOOD" --dst "$(lab_addr n1)" --port 3784 \
		--rate $((FLOOD_RATE / 2)) --duration "$FLOOD_S" --kind "$kind" \
		--bind-dev lan0 --src-port $SPORT_LAN "${lan_args[@]}" >"$out_l" 2>&1 &
	pl=$!
	LAB_PIDS+=("$pl")

	# Meanwhile: the control socket keeps answering, nothing goes down.
	# Each daemon's run-queue wait (/proc/PID/schedstat) per second is
	# kept for the record: a real-time task that waits tens of ms in a
	# second was held off the CPU (RT throttling, or the box is starved).
	declare -A wait0 waitmax
	for n in n1 n2 n3; do
		read -r _ wait0[$n] _ <"/proc/${LAB_DAEMON[$n]}/schedstat"
		waitmax[$n]=0
	done
	while lab_alive "$pf" || lab_alive "$pl"; do
		lab_sleep 1
		ms=$(hl_status_ms n1) || lab_fail "$kind flood: meshroutectl status on n1 failed"
		(( ms > max_ms )) && max_ms=$ms
		for n in n1 n2 n3; do
			read -r _ w _ <"/proc/${LAB_DAEMON[$n]}/schedstat"
			(( w - wait0[$n] > waitmax[$n] )) && waitmax[$n]=$(( w - wait0[$n] ))
			wait0[$n]=$w
		done
	done
	wait "$pf" || lab_fail "$kind flood (fast): mrflood failed: $(cat "$out_f")"
	wait "$pl" || lab_fail "$kind flood (LAN): mrflood failed: $(cat "$out_l")"
	lab_reaped "$pf"
	lab_reaped "$pl"
	t1=$(now_us)
	c1=$(hl_cpu_ticks "$pid")
	lab_sleep 0.2	# what is still queued for the daemon
	l1=$(wc -l <"$LAB_DIR/n1.log")
	f1=$(nft_count fast) l1n=$(nft_count lan) e1=$(rcvbuf_errors)
	snapshot_drops d1

	lab_log "      daemons' longest run-queue wait in a second: n1 $((waitmax[n1] / 1000)) us," \
		"n2 $((waitmax[n2] / 1000)) us, n3 $((waitmax[n3] / 1000)) us"
	lab_log "      fast: $(cat "$out_f")"
	lab_log "      LAN:  $(cat "$out_l")"
	rate_f=$(lab_kv "$(cat "$out_f")" rate) rate_l=$(lab_kv "$(cat "$out_l")" rate)
	total=$(( ${rate_f%.*} + ${rate_l%.*} ))
	totals+=("$total")
	arrived=$(( f1 - f0 + l1n - l0n ))
	cpu=$(awk -v t=$((c1 - c0)) -v hz="$HL_CLK_TCK" -v us=$((t1 - t0)) \
		'BEGIN { printf "%.1f", 100 * t / hz / (us / 1e6) }')
	lab_log "      reached $total pkt/s in all; $arrived reached n1's UDP layer" \
		"($(( arrived * 1000000 / (t1 - t0) )) pkt/s); n1's daemon: $cpu % of a core" \
		"($(awk -v t=$((c1 - c0)) -v hz="$HL_CLK_TCK" -v n="$arrived" \
			'BEGIN { printf "%.2f", n ? t / hz * 1e6 / n : 0 }') us/packet)," \
		"status answered in <= $max_ms ms"
	(( total < FLOOD_RATE * 95 / 100 )) &&
		lab_log "      note: this machine reached $total of the $FLOOD_RATE pkt/s asked"
	assert_ge "$kind: flood rate reached" "$total" "$FLOOD_MIN_RATE" " pkt/s"

	# Nothing moved.
	for n in n1 n2 n3; do
		assert_eq "$kind: $n's sessions' flaps" "${flaps0[$n]}" "$(hl_flaps "$n")"
		assert_eq "$kind: $n's sessions Up" "${up0[$n]}" "$(hl_up_count "$n")"
		[ "$(hl_routes "$n")" = "${routes0[$n]}" ] || {
			diff <(printf '%s\n' "${routes0[$n]}") <(hl_routes "$n") >&2
			lab_fail "$kind: $n's routes changed during the flood"
		}
		assert_eq "$kind: route events on $n during the flood" 0 \
			$(( $(hl_route_events "$n") - events0[$n] ))
	done
	assert_eq "$kind: '-> Down' lines logged by any node" "$downs0" \
		"$(cat "$LAB_DIR"/n[123].log | grep -c -- '-> Down' || true)"

	assert_le "$kind: n1's daemon CPU during the flood" "$cpu" "$FLOOD_CPU_MAX" " % of a core"
	lines=$(( l1 - l0 ))
	assert_le "$kind: n1's log lines during the ${FLOOD_S} s flood" "$lines" \
		$(( 3 * (t1 - t0) / 1000000 + 10 ))
	assert_le "$kind: 'meshroutectl status' on n1 during the flood" "$max_ms" 1000 " ms"

	# The counters show it.
	expect=$(( arrived - (e1 - e0) ))
	delta=$(( d1[$reason] - d0[$reason] ))
	slack=$(( expect / 200 + 10 ))
	lab_log "      drops.$reason +$delta; flood packets at n1's UDP layer $arrived, dropped by the socket $((e1 - e0))"
	assert_ge "$kind: drops.$reason increase" "$delta" $(( expect - slack ))
	assert_le "$kind: drops.$reason increase" "$delta" $(( arrived + slack ))
	assert_ge "$kind: flood packets that reached n1 (of $(( $(lab_kv "$(cat "$out_f")" sent) + $(lab_kv "$(cat "$out_l")" sent) )) sent)" \
		"$arrived" $(( FLOOD_MIN_RATE * FLOOD_S * 9 / 10 ))
	for r in "${reasons[@]}"; do
		[ "$r" = "$reason" ] && continue
		assert_le "$kind: drops.$r increase" $(( d1[$r] - d0[$r] )) 10
	done
	if [ "$reason" = decode ]; then
		hl_json n1
		lab_log "      decode_errors: $(printf '%s\n' "$HL_JSON" | grep -o '"decode_errors":{[^}]*}')"
	fi
	lab_sleep 1
}

# The real discriminators: ttl and bad-auth carry them (the nastiest case),
# wrong-discr avoids them all.
discr_fast=$(hl_discr n1 n2 "$p12")
discr_lan=$(hl_discr n1 n2 lan0)
all=$(hl_discrs n1)
[ -n "$discr_fast" ] && [ -n "$discr_lan" ] || lab_fail "no discriminators of n1's sessions to n2"
lab_log "   n1's sessions to n2: $p12 discriminator $discr_fast, lan0 $discr_lan"

for kind in $FLOOD_KINDS; do
	case $kind in
	garbage)	flood_kind garbage decode ;;
	wrong-discr)	flood_kind wrong-discr no_session --exclude-discr "$all" -- --exclude-discr "$all" ;;
	ttl)		flood_kind ttl ttl --your-discr "$discr_fast" --state down -- \
				--your-discr "$discr_lan" --state down ;;
	bad-auth)	flood_kind bad-auth auth --your-discr "$discr_fast" --state down -- \
				--your-discr "$discr_lan" --state down ;;
	*)		lab_fail "unknown flood kind $kind" ;;
	esac
done

lab_wait_routes 1
lab_log "== floods (${FLOOD_KINDS// /, }): reached ${totals[*]} pkt/s, no flap, no route change"
