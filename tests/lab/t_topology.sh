#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The lab's own self-test, without meshrouted: the cabling is what lib.sh
# says, every fault blocks exactly what it should, heal undoes it, and
# cleanup leaves nothing behind.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge ($LAB_ID-lan)
#            fast0     fast1
#
# Routes are put by hand (proto static, /32 over the fast port that really
# leads to the peer, on both ends, since rp_filter is strict here).
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT

# reach FROM TO: does ping get an answer?
reach() {
	if command -v ping >/dev/null; then
		lab_exec "$1" ping -q -n -c 3 -i 0.05 -W 0.3 -w 1 "$(lab_addr "$2")" >/dev/null 2>&1
	else
		[ "$(udp_probe "$1" "$2")" -gt 0 ]
	fi
}

# udp_probe FROM TO: how many of the 100 datagrams FROM sends to TO arrive.
# The sender must report having sent all 100; the receiver runs until it
# has seen the sender's end markers or, when nothing gets through (a
# fault), until 0.5 s after the sender finished, long after its last
# datagram could have arrived: no clock starts before both are running.
udp_probe() {
	local out rpid sent
	out=$LAB_DIR/probe.$1.$2
	ip netns exec "$(lab_ns "$2")" "$MRSTREAM" udp-recv --port 5300 --bind "$(lab_addr "$2")" \
		--until-idle 300 --max-time 60 >"$out" 2>&1 &
	rpid=$!
	LAB_PIDS+=("$rpid")
	wait_for 2 lab_listening "$2" udp 5300 || lab_fail "probe receiver on $2 did not start"
	sent=$(lab_exec "$1" "$MRSTREAM" udp-send --dst "$(lab_addr "$2")" --port 5300 \
		--rate 2000 --count 100 2>&1) || true
	[ "$(lab_kv "$sent" sent)" = 100 ] || lab_fail "probe sender on $1 did not send 100 datagrams: $sent"
	wait_for 0.5 eval '! lab_alive $rpid' || kill -s INT "$rpid" 2>/dev/null
	wait "$rpid" || true
	lab_reaped "$rpid"
	tail -n1 "$out" | grep -q '^received=' || { echo 0; return; }
	lab_kv "$(tail -n1 "$out")" received
}

lab_log "== building the 3-node mesh ($LAB_ID)"
lab_mesh3
for n in n1 n2 n3; do
	assert_eq "$n: rp_filter on lan0 (strict, on purpose)" 1 \
		"$(lab_exec $n sysctl -n net.ipv4.conf.lan0.rp_filter)"
	assert_eq "$n: address on lan0" "$(lab_addr $n)/24" \
		"$(ip -n "$(lab_ns $n)" -4 -o addr show dev lan0 | awk '{ print $4 }')"
done
assert_eq "n1's port to n2" fast0 "$(lab_port n1 n2)"
assert_eq "n2's port to n1" fast1 "$(lab_port n2 n1)"
assert_eq "n3's port to n2" fast1 "$(lab_port n3 n2)"
assert_eq "wire between n3 and n1" "$LAB_ID-w13" "$(lab_wire n3 n1)"

lab_log "== the LAN alone"
reach n1 n2 || lab_fail "n1 cannot ping n2 over the LAN"
assert_eq "n1 reaches n2 through" lan0 "$(lab_path n1 n2)"

lab_log "== static /32 routes over the fast ports: pings cross the right port"
for a in n1 n2 n3; do
	for b in n1 n2 n3; do
		[ $a = $b ] && continue
		ip -n "$(lab_ns $a)" route add "$(lab_addr $b)/32" dev "$(lab_port $a $b)" \
			scope link src "$(lab_addr $a)" proto static
	done
done
for pair in "n1 n2" "n2 n3" "n3 n1" "n2 n1"; do
	read -r a b <<<"$pair"
	pa=$(lab_port $a $b); pb=$(lab_port $b $a)
	declare -A tx0=()
	for i in lan0 fast0 fast1; do tx0[$i]=$(lab_tx $a $i); done
	rx0=$(lab_rx $b "$pb")
	lab_exec $a ping -q -n -c 50 -i 0.002 -W 1 "$(lab_addr $b)" >/dev/null ||
		lab_fail "$a cannot ping $b over $pa"
	for i in lan0 fast0 fast1; do
		d=$(( $(lab_tx $a $i) - ${tx0[$i]} ))
		if [ $i = "$pa" ]; then
			assert_ge "$a -> $b: packets sent on $a $i" $d 50
		else
			assert_le "$a -> $b: packets sent on $a $i" $d 9
		fi
	done
	assert_ge "$a -> $b: packets received on $b $pb" $(( $(lab_rx $b "$pb") - rx0 )) 50
done

lab_log "== silent failure n1 -- n2: nothing passes, links stay up"
lab_silent n1 n2
lab_link_up n1 fast0 || lab_fail "n1 fast0 lost its carrier in a silent failure"
lab_link_up n2 fast1 || lab_fail "n2 fast1 lost its carrier in a silent failure"
reach n1 n2 && lab_fail "n1 still reaches n2 during a silent failure"
assert_eq "n1 -> n2 datagrams arriving (silent)" 0 "$(udp_probe n1 n2)"
assert_eq "n2 -> n1 datagrams arriving (silent)" 0 "$(udp_probe n2 n1)"
reach n1 n3 || lab_fail "the n1 -- n3 cable suffers from the n1 -- n2 fault"
lab_heal n1 n2
reach n1 n2 || lab_fail "n1 cannot reach n2 after heal"
lab_ok "healed: n1 reaches n2 over fast0"

lab_log "== one-way failure n1 -> n2: only that direction is dropped"
reach n2 n1 || lab_fail "n2 cannot ping n1 before the one-way fault"
lab_oneway n1 n2
assert_eq "n1 -> n2 datagrams arriving (one-way)" 0 "$(udp_probe n1 n2)"
assert_eq "n2 -> n1 datagrams arriving (one-way)" 100 "$(udp_probe n2 n1)"
lab_heal n1 n2
assert_eq "n1 -> n2 datagrams arriving (healed)" 100 "$(udp_probe n1 n2)"

lab_log "== carrier cut n2 -- n3: NO-CARRIER on both node ports"
lab_cut_carrier n2 n3
lab_no_carrier n2 fast0 || lab_fail "n2 fast0 has carrier with its cable pulled"
lab_ok "n2 fast0 shows NO-CARRIER"
lab_no_carrier n3 fast1 || lab_fail "n3 fast1 has carrier with its cable pulled"
lab_ok "n3 fast1 shows NO-CARRIER"
lab_no_carrier n2 fast1 && lab_fail "n2 fast1 (to n1) lost its carrier too"
reach n2 n3 && lab_fail "n2 still reaches n3 over a pulled cable"
lab_ok "n2 cannot ping n3 over the pulled cable"
lab_log "      n2's static route to n3 now: $(ip -n "$(lab_ns n2)" route show "$(lab_addr n3)/32")"
# The pings above left n2's ARP entry for n3 incomplete, retried once a
# second: forget it, so that the first ping after heal asks at once.
ip -n "$(lab_ns n2)" neigh flush dev fast0
lab_heal n2 n3
if command -v ping >/dev/null; then
	# A re-plugged cable passes frames at once, as a real one does (a
	# bridge in the wire would wait for linkwatch, up to a second).
	ping_once() { lab_exec n2 ping -q -n -c 1 -W 0.05 "$(lab_addr n3)" >/dev/null 2>&1; }
	wait_for 2 ping_once || lab_fail "n2 cannot reach n3 after heal"
	# From the stamp after the heal's command: no more than the cable took
	# (plus this poll's own lateness: a ping forked every 10 ms or so).
	assert_le "n2 -> n3: first ping answered after heal" $(( ($(now_us) - LAB_HEAL_AFTER_US) / 1000 )) 800 " ms"
fi
reach n2 n3 || lab_fail "n2 cannot reach n3 after heal"
lab_ok "healed: n2 reaches n3"

lab_log "== lab_route reads proto $LAB_PROTO routes"
assert_eq "n1's meshroute route to n2 (only static ones exist)" lan "$(lab_route n1 n2)"
ip -n "$(lab_ns n1)" route replace "$(lab_addr n2)/32" proto $LAB_PROTO scope link \
	src "$(lab_addr n1)" nexthop dev fast1 nexthop dev fast0
assert_eq "n1's multipath route to n2" "fast0 fast1" "$(lab_route n1 n2)"
ip -n "$(lab_ns n1)" route del "$(lab_addr n2)/32" proto $LAB_PROTO
assert_eq "n1's route to n2 after removal" lan "$(lab_route n1 n2)"

lab_log "== cleanup leaves nothing"
ip netns exec "$(lab_ns n1)" "$MRSTREAM" udp-recv --port 5400 --until-idle 1000 --max-time 60 >/dev/null 2>&1 &
straggler=$!
LAB_PIDS+=("$straggler")
# What the EXIT trap does, but keeping this run's logs: a subshell, so that
# this shell's own cleanup still runs at its exit.
(lab_teardown)
left=$(ip netns list | awk '{ print $1 }' | grep -c "^$LAB_ID-" || true)
assert_eq "namespaces of this run left after cleanup" 0 "$left"
lab_alive "$straggler" && lab_fail "process $straggler survived cleanup"
lab_ok "background process $straggler was ended"
