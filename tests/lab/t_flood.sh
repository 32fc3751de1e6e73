#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 180
# Floods with the CPU bound: while n1's sessions are Up (the lab's settings,
# 20ms x 3) and stress-ng keeps every core busy (2 workers per core, the
# whole test), n2 (a real neighbour, on a fast cable and on the LAN) floods
# n1's address on UDP 3784 with build/mrflood, one kind after the other,
# FLOOD_S seconds each (default 4):
#   garbage      random bytes                      -> drops "kernel", "decode"
#   ttl          well-formed, TTL 254, the real session's discriminator,
#                State Down (it would take the session down if the TTL
#                check were missing)                  -> "kernel", "ttl"
#   zero-discr   Your Discriminator 0 in State Up    -> "kernel", "decode"
#   wrong-discr  well-formed, Your Discriminator none of n1's
#                                                    -> "kernel", "no_session"
#   bad-auth     well-formed, A bit + Keyed SHA1 section with a random
#                digest, the real session's discriminator, State Down; auth
#                is off, so it is not expected        -> "kernel", "auth"
#   near-discr   well-formed, a Your Discriminator with n1's prefix that no
#                session has (what someone who saw n1's packets could send)
#                                                    -> "kernel", "no_session"
# The receive sockets' filter (src/net.h) drops them all in the kernel
# ("kernel"), but for a random 1 in 256 it lets through so that the daemon
# still names their reason; near-discr comes from a peer's address with
# one of n1's discriminators' prefix: the filter holds the sessions' own
# discriminators, not only their prefix, so it drops that too.  Each kind is sent at FLOOD_RATE packets/s (default 100,000) in all,
# half through n2's fast port to n1 (SO_BINDTODEVICE: it leaves there
# whatever the routes say) and half through n2's LAN port.  Then a last
# near-discr flood, during which the n1 -- n3 cable goes silent.
#
# Asserted, per kind:
#   - no session on any node changes state: no "-> Down" logged, flaps
#     counters unchanged, every session that was Up is Up;
#   - no route changes: "ip monitor route" logs nothing on any node, and
#     every node's routes (all tables) are identical before and after;
#   - every flood packet that reached n1's UDP layer (an nftables counter on
#     the flood's source ports) is counted once, by the kind's reasons
#     (kernel: the filter or a full queue; the daemon's own), exactly; no
#     other reason moves.  For every kind the daemon's own reason
#     counts at most 1 in 128 of them (the filter's sample is 1 in 256): it
#     does next to no work per flood packet, whatever the rate;
#   - n1's daemon does not wake up per packet: from 1 s into the flood (the
#     daemon decides per 100 ms window whether it is flooded; until then it
#     may wake for every packet that reaches it) to its end, its wake-ups
#     (voluntary context switches) per second stay within 1.2 x (its rate at
#     rest, measured under the same load, + 100 + T): 100 is one coalesced
#     read every 10 ms (daemon.c: RX_FLOOD_*, RX_LAZY_MAX), T the packets
#     that reached the daemon per second, at most 200: a flood thinner than
#     20 per 100 ms is read as it arrives, a thicker one every 10 ms.  A
#     daemon woken per packet would be at the arrival rate (tens of
#     thousands);
#   - n1's log grows by at most 3 lines a second (plus a burst of 10);
#   - "meshroutectl status" on n1 answers (within 5 s: alive, not a timing:
#     starting meshroutectl on a saturated host takes what it takes).
# During the last flood, the silent n1 -- n3 cable:
#   - both ends move their routes to each other to the LAN (within 3 s),
#     and each daemon's own silence before the timeout (last_detect_ms) is
#     at least the session's detection time and at most twice it (a daemon
#     later than that would also time out healthy sessions);
#   - nothing else moves (n2's sessions and routes, n1's and n3's towards
#     n2), and after the heal every route is back as before.
# What the flood costs in CPU, and how late it makes other processes, is a
# figure of the bench (bench/flood.sh), not a limit here: it depends on the
# machine.  Here it is only printed, with the rates reached.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile_lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

MRFLOOD=${MRFLOOD:-$LAB_REPO/build/mrflood}
[ -x "$MRFLOOD" ] || lab_fail "$MRFLOOD missing: run make"
command -v stress-ng >/dev/null || lab_fail "stress-ng missing: run make deps"
FLOOD_S=${FLOOD_S:-4}
(( FLOOD_S >= 3 )) || lab_fail "FLOOD_S=$FLOOD_S: at least 3 s (wake-ups are counted from 1 s on)"
FLOOD_RATE=${FLOOD_RATE:-100000}
FLOOD_KINDS=${FLOOD_KINDS:-garbage ttl zero-discr wrong-discr bad-auth near-discr}
REST_S=3
SPORT_FAST=40001 SPORT_LAN=40002	# the flood's source ports, to count it

lab_log "== 3-node mesh, meshrouted on every node; every core busy; n2 floods n1 ($FLOOD_RATE pkt/s, $FLOOD_S s per kind)"
lab_mesh3
lab_start_daemons
lab_wait_routes 10
p12=$(lab_port n1 n2)	# n1's port to n2
p21=$(lab_port n2 n1)	# n2's port to n1
p13=$(lab_port n1 n3)
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
arrived() { echo $(( $(nft_count fast) + $(nft_count lan) )); }

reasons=(decode ttl no_session wrong_port auth admin_down kernel)
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

# counted REASON...: whether those reasons' increase since d0 is what
# reached n1 since the flood began (D_SUM, D_ARRIVED).
counted() {
	local r
	snapshot_drops d1
	D_ARRIVED=$(( $(arrived) - A0 )) D_SUM=0
	for r in "$@"; do
		D_SUM=$(( D_SUM + d1[$r] - d0[$r] ))
	done
	[ "$D_SUM" = "$D_ARRIVED" ]
}

# The CPU bound: stress-ng, 2 workers per core, for the whole test.
cores=$(nproc)
lab_exec n3 stress-ng --cpu $(( 2 * cores )) --timeout 600s --quiet >/dev/null 2>&1 &
spid=$!
LAB_PIDS+=("$spid")
stress_workers() {
	local p n=0
	for p in $(ip netns pids "$(lab_ns n3)"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = stress-ng-cpu ] && n=$((n + 1))
	done
	(( n >= 2 * cores ))
}
wait_for 5 stress_workers || lab_fail "stress-ng did not start its $(( 2 * cores )) workers"

# poll_status SECONDS: n1's status once a second for SECONDS (alive), and
# the same polling at rest and during floods, so that its wake-ups are in both.
poll_status() {
	local end=$(( $(hl_mono_us) + $(lab_us_of "$1") )) ms
	while (( $(hl_mono_us) < end )); do
		ms=$(hl_status_ms n1) || lab_fail "meshroutectl status on n1 gave no answer within 5 s"
		(( ms > MAX_MS )) && MAX_MS=$ms
		lab_sleep 1
	done
}

MAX_MS=0
w0=$(hl_wakeups "$pid") t0=$(hl_mono_us)
poll_status "$REST_S"
w1=$(hl_wakeups "$pid") t1=$(hl_mono_us)
rest_wps=$(( (w1 - w0) * 1000000 / (t1 - t0) ))
lab_log "   at rest, every core busy: n1's daemon wakes $rest_wps times a second"

# start_flood NAME KIND [MRFLOOD ARGS for the fast port] -- [... for the LAN]
start_flood() {
	local name=$1 kind=$2 fast_args=() lan_args=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do fast_args+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	lan_args=("$@")
	OUT_F=$LAB_DIR/flood.$name.fast OUT_L=$LAB_DIR/flood.$name.lan
	ip netns exec "$(lab_ns n2)" "$MRFLOOD" --dst "$(lab_addr n1)" --port 3784 \
		--rate $((FLOOD_RATE / 2)) --duration "$FLOOD_S" --kind "$kind" \
		--bind-dev "$p21" --src-port $SPORT_FAST "${fast_args[@]}" >"$OUT_F" 2>&1 &
	PF=$!
	LAB_PIDS+=("$PF")
	ip netns exec "$(lab_ns n2)" "$MRFLOOD" --dst "$(lab_addr n1)" --port 3784 \
		--rate $((FLOOD_RATE / 2)) --duration "$FLOOD_S" --kind "$kind" \
		--bind-dev lan0 --src-port $SPORT_LAN "${lan_args[@]}" >"$OUT_L" 2>&1 &
	PL=$!
	LAB_PIDS+=("$PL")
}

end_flood() {	# KIND
	wait "$PF" || lab_fail "$1 flood (fast): mrflood failed: $(cat "$OUT_F")"
	wait "$PL" || lab_fail "$1 flood (LAN): mrflood failed: $(cat "$OUT_L")"
	lab_reaped "$PF"
	lab_reaped "$PL"
	lab_log "      fast: $(cat "$OUT_F")"
	lab_log "      LAN:  $(cat "$OUT_L")"
}

snapshot_all() {
	local n
	for n in n1 n2 n3; do
		flaps0[$n]=$(hl_flaps "$n")
		up0[$n]=$(hl_up_count "$n")
		routes0[$n]=$(hl_routes "$n")
		events0[$n]=$(hl_route_events "$n")
	done
	downs0=$(cat "$LAB_DIR"/n[123].log | grep -c -- '-> Down' || true)
}

nothing_moved() {	# WHAT
	local n
	for n in n1 n2 n3; do
		assert_eq "$1: $n's sessions' flaps" "${flaps0[$n]}" "$(hl_flaps "$n")"
		assert_eq "$1: $n's sessions Up" "${up0[$n]}" "$(hl_up_count "$n")"
		[ "$(hl_routes "$n")" = "${routes0[$n]}" ] || {
			diff <(printf '%s\n' "${routes0[$n]}") <(hl_routes "$n") >&2
			lab_fail "$1: $n's routes changed"
		}
		assert_eq "$1: route events on $n" 0 $(( $(hl_route_events "$n") - events0[$n] ))
	done
	assert_eq "$1: '-> Down' lines logged by any node" "$downs0" \
		"$(cat "$LAB_DIR"/n[123].log | grep -c -- '-> Down' || true)"
}

# flood_kind NAME KIND "REASON..." [MRFLOOD ARGS for the fast port] -- [... for the LAN]
flood_kind() {
	local name=$1 kind=$2 expect r c0 c1 t0 t1 w0 w1 i0 i1 l0 lines wps cpu rate_f rate_l total thin wps_max own
	local ws0 ws1 ts0 ts1
	read -r -a expect <<<"$3"
	shift 3
	lab_log "-- $name: $FLOOD_S s at $((FLOOD_RATE / 2)) pkt/s through n2 $p21 and $((FLOOD_RATE / 2)) pkt/s through n2 lan0"
	snapshot_all
	snapshot_drops d0
	A0=$(arrived)
	l0=$(wc -l <"$LAB_DIR/n1.log")
	c0=$(hl_cpu_ticks "$pid") w0=$(hl_wakeups "$pid") t0=$(hl_mono_us) i0=$(hl_preempted "$pid")
	MAX_MS=0
	start_flood "$name" "$kind" "$@"
	# Meanwhile: the control socket keeps answering.
	poll_status 1
	ws0=$(hl_wakeups "$pid") ts0=$(hl_mono_us)
	lab_alive "$PF" && lab_alive "$PL" || lab_fail "$name: the flood ended within its first second"
	while lab_alive "$PF" || lab_alive "$PL"; do
		poll_status 1
	done
	ws1=$(hl_wakeups "$pid") ts1=$(hl_mono_us)
	c1=$(hl_cpu_ticks "$pid") w1=$(hl_wakeups "$pid") t1=$(hl_mono_us) i1=$(hl_preempted "$pid")
	end_flood "$name"

	rate_f=$(lab_kv "$(cat "$OUT_F")" rate) rate_l=$(lab_kv "$(cat "$OUT_L")" rate)
	total=$(( ${rate_f%.*} + ${rate_l%.*} ))
	totals+=("$total")
	# Until the daemon has read what the flood left queued (it reads the
	# kernel's count with each read of the socket).
	wait_for 3 counted "${expect[@]}" || true
	wps=$(( (ws1 - ws0) * 1000000 / (ts1 - ts0) ))
	# The daemon's own reasons: what reached it, per second.
	thin=0
	for r in "${expect[@]}"; do
		[ "$r" = kernel ] || thin=$(( thin + d1[$r] - d0[$r] ))
	done
	thin=$(( thin * 1000000 / (t1 - t0) ))
	(( thin > 200 )) && thin=200
	wps_max=$(( (rest_wps + 100 + thin) * 12 / 10 ))
	cpu=$(awk -v t=$((c1 - c0)) -v hz="$HL_CLK_TCK" -v us=$((t1 - t0)) \
		'BEGIN { printf "%.1f", 100 * t / hz / (us / 1e6) }')
	lab_log "      sent $total pkt/s in all; $D_ARRIVED reached n1's UDP layer" \
		"($(( D_ARRIVED * 1000000 / (t1 - t0) )) pkt/s); n1's daemon: $cpu % of a core" \
		"(utime + stime), $(( (w1 - w0) * 1000000 / (t1 - t0) )) wake-ups/s ($wps from 1 s on), preempted $(( (i1 - i0) * 1000000 / (t1 - t0) )) times/s;" \
		"status answered in <= $MAX_MS ms"

	nothing_moved "$name"
	for r in "${reasons[@]}"; do
		lab_log "      drops.$r +$(( d1[$r] - d0[$r] ))"
	done
	assert_ge "$name: flood packets that reached n1" "$D_ARRIVED" 1
	assert_eq "$name: flood packets counted by ${expect[*]} (of $D_ARRIVED that reached n1)" \
		"$D_ARRIVED" "$D_SUM"
	for r in "${reasons[@]}"; do
		[[ " ${expect[*]} " == *" $r "* ]] && continue
		assert_eq "$name: drops.$r increase" 0 $(( d1[$r] - d0[$r] ))
	done
	if [ "${expect[0]}" = kernel ]; then	# a kind for the filter
		own=$(( D_SUM - d1[kernel] + d0[kernel] ))
		assert_le "$name: flood packets the daemon itself dropped (the filter's sample, 1 in 256)" \
			"$own" $(( D_ARRIVED / 128 + 10 ))
	fi
	assert_le "$name: n1's daemon's wake-ups per second, from 1 s into the flood" "$wps" "$wps_max"
	lines=$(( $(wc -l <"$LAB_DIR/n1.log") - l0 ))
	assert_le "$name: n1's log lines during the ${FLOOD_S} s flood" "$lines" \
		$(( 3 * (t1 - t0) / 1000000 + 10 ))
}

# The real discriminators: ttl and bad-auth carry them (the nastiest case),
# wrong-discr avoids them all.
discr_fast=$(hl_discr n1 n2 "$p12")
discr_lan=$(hl_discr n1 n2 lan0)
all=$(hl_discrs n1)
[ -n "$discr_fast" ] && [ -n "$discr_lan" ] || lab_fail "no discriminators of n1's sessions to n2"
lab_log "   n1's sessions to n2: $p12 discriminator $discr_fast, lan0 $discr_lan"

# One of n1's discriminators' prefix (net.h), in a value no session has.
near=$(( (discr_fast & 0xffff0000) | ((discr_fast + 1) & 0xffff) ))
while [[ ",$all," == *",$near,"* ]]; do
	near=$(( (near & 0xffff0000) | ((near + 1) & 0xffff) ))
done

for kind in $FLOOD_KINDS; do
	case $kind in
	garbage)	flood_kind garbage garbage "kernel decode" ;;
	ttl)		flood_kind ttl ttl "kernel ttl" --your-discr "$discr_fast" --state down -- \
				--your-discr "$discr_lan" --state down ;;
	zero-discr)	flood_kind zero-discr zero-discr "kernel decode" ;;
	wrong-discr)	flood_kind wrong-discr wrong-discr "kernel no_session" --exclude-discr "$all" -- \
				--exclude-discr "$all" ;;
	bad-auth)	flood_kind bad-auth bad-auth "kernel auth" --your-discr "$discr_fast" --state down -- \
				--your-discr "$discr_lan" --state down ;;
	near-discr)	flood_kind near-discr wrong-discr "kernel no_session" --your-discr "$near" -- \
				--your-discr "$near" ;;
	*)		lab_fail "unknown flood kind $kind" ;;
	esac
done

# A real fault during the flood that comes closest to ours.
lab_log "-- near-discr again; the n1 -- n3 cable goes silent during it"
snapshot_all
A0=$(arrived)
hl_json n1
n1_n3=$(hl_sess_field n1 n3 "$p13" flaps)
start_flood near-discr wrong-discr --your-discr "$near" -- --your-discr "$near"
wait_for "$FLOOD_S" eval '(( $(arrived) - A0 >= 1000 ))' || lab_fail "the flood did not reach n1"
lab_silent n1 n3
wait_for 3 eval "lab_route_is n1 n3 lan && lab_route_is n3 n1 lan" || {
	lab_show_routes >&2
	lab_fail "the silent n1 -- n3 cable was not detected during the flood"
}
lab_alive "$PF" || lab_alive "$PL" || lab_fail "the flood had ended before the fault was detected"
for pair in "n1 n3" "n3 n1"; do
	read -r a b <<<"$pair"
	hl_json "$a"
	pa=$(lab_port "$a" "$b")
	det=$(hl_sess_field "$a" "$b" "$pa" detect_time_ms)
	last=$(hl_sess_field "$a" "$b" "$pa" last_detect_ms)
	assert_eq "$a's session to $b via $pa" Down "$(hl_sess_field "$a" "$b" "$pa" state)"
	assert_ge "$a: silence before the timeout (last_detect_ms), not less than its detection time" \
		"$last" "$det" " ms"
	assert_le "$a: silence before the timeout (last_detect_ms), at most twice the detection time" \
		"$last" $(( 2 * ${det%.*} )) " ms"
done
while lab_alive "$PF" || lab_alive "$PL"; do
	lab_sleep 0.1
done
end_flood near-discr
for n in n1 n3; do
	assert_eq "during the fault: $n's sessions Up (one fewer)" $(( up0[$n] - 1 )) "$(hl_up_count "$n")"
done
assert_eq "during the fault: n2's sessions' flaps" "${flaps0[n2]}" "$(hl_flaps n2)"
assert_eq "during the fault: route events on n2" 0 $(( $(hl_route_events n2) - events0[n2] ))
assert_eq "during the fault: n1's route to n2" "$p12" "$(lab_route n1 n2)"
assert_eq "during the fault: n3's route to n2" "$(lab_port n3 n2)" "$(lab_route n3 n2)"
lab_heal n1 n3
wait_for $(( LAB_HOLD_MS / 1000 + 3 )) eval "lab_route_is n1 n3 '$p13' && lab_route_is n3 n1 '$(lab_port n3 n1)'" || {
	lab_show_routes >&2
	lab_fail "after healing, the routes between n1 and n3 did not come back"
}
for n in n1 n2 n3; do
	[ "$(hl_routes "$n")" = "${routes0[$n]}" ] || {
		diff <(printf '%s\n' "${routes0[$n]}") <(hl_routes "$n") >&2
		lab_fail "after the heal: $n's routes are not as before"
	}
done
hl_json n1
assert_eq "n1's session to n3 via $p13: flaps" $(( n1_n3 + 1 )) "$(hl_sess_field n1 n3 "$p13" flaps)"

lab_log "== floods (${FLOOD_KINDS// /, }) with every core busy: sent ${totals[*]} pkt/s; no flap, no route change, every packet counted; a silent cable during a flood detected"
