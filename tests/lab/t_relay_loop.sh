#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# Relay is loop-free by construction, even when advertisements lie.  In the
# 4-node ring (n1 - n2 - n3 - n4 - n1), both of n2's cables die, and forged
# advertisements (valid for 60 s, sequence numbers above the real ones, so
# the true ones are refused as replays) tell n1 that n4 reaches n2, and n4
# and n3 that n1 and n4 do.  The main tables then point n1 -> n4 -> n1 for
# n2, and n3 sends its traffic for n2 to n4.  A stream n3 -> n2 still
# arrives: n4 looks up what it forwards in table 205 (direct or LAN only) and
# sends it over the LAN; no node sends ICMP Time Exceeded.
# Negative control (so that this test can fail): with the daemons of n1, n3
# and n4 paused (their routes frozen) and n1's and n4's rules deleted by
# hand, the same packets loop between n1 and n4 (Time Exceeded rises, tens
# of thousands of packets a second go back and forth), and stop once the
# rules are back.
# (Why not the 3-node mesh: a loop there could only carry packets whose
# source is one of the two nodes, and the kernel drops packets that arrive
# with its own address as source.)
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

time_exceeded() {
	lab_exec "$1" awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "OutTimeExcds") c = i; h = 1 } else print $c }' /proc/net/snmp
}
te_sum() { echo $(( $(time_exceeded n1) + $(time_exceeded n4) )); }

# forge FROM TO: a message on FROM's port towards TO, "FROM reaches n2 and TO".
forge() {
	lab_exec "$1" python3 - "$(lab_port "$1" "$2")" "$(lab_addr "$1")" "$(lab_addr "$2")" <<-'EOF2'
	import socket, struct, sys
	port, me, to = sys.argv[1:4]
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, port.encode())
	s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
	msg = b"mrRA" + bytes([1, 0, 2, 0]) + socket.inet_aton(me) + struct.pack("!II", 1000000, 60000)
	msg += socket.inet_aton("10.10.0.2") + socket.inet_aton(to)
	s.sendto(msg, (to, 3786))
	EOF2
}

lab_log "== 4-node ring, relay = on; n2's cables die and n1, n3, n4 are lied to"
lab_ring4
lab_start_daemons "hold-down = 1s" "relay = on"
wait_for 10 eval "lab_route_is n1 n2 fast0 && lab_route_is n3 n2 fast1 && lab_route_is n4 n2 'via n1 fast0'" ||
	lab_fail "the ring's routes did not settle"
lab_silent n1 n2
lab_silent n3 n2
wait_for 3 eval "lab_route_is n1 n2 lan && lab_route_is n3 n2 lan && lab_route_is n4 n2 lan" ||
	lab_fail "n2 is not on the LAN for everyone after both its cables died"
forge n4 n1
forge n1 n4
forge n4 n3
wait_for 3 eval "lab_route_is n1 n2 'via n4 fast1' && lab_route_is n4 n2 'via n1 fast0' && lab_route_is n3 n2 'via n4 fast0'" || {
	for a in n1 n3 n4; do lab_log "    $a -> n2: $(lab_route $a n2)"; done
	lab_fail "the forged advertisements did not produce the n1 <-> n4 routing loop"
}
lab_ok "main tables: n3 -> n2 via n4, n4 -> n2 via n1, n1 -> n2 via n4"

declare -A tex
for n in n1 n2 n3 n4; do tex[$n]=$(time_exceeded $n); done
lab_flow_watch n4 5201
lab_stream_start n3 n2
wait_for 3 lab_flow_ge n4 lan0 $(( LAB_STREAM_RATE / 2 )) ||
	lab_fail "the stream n3 -> n2 does not leave n4 over its LAN port"
assert_eq "stream packets n4 sent on to n1 (relayed twice)" 0 "$(lab_flow n4 fast0)"
for n in n1 n2 n3 n4; do
	assert_eq "ICMP Time Exceeded sent by $n" "${tex[$n]}" "$(time_exceeded $n)"
done

lab_log "-- negative control: the daemons of n1, n3, n4 paused (routes frozen), n1's and n4's rules deleted by hand"
kill -STOP "${LAB_DAEMON[n1]}" "${LAB_DAEMON[n3]}" "${LAB_DAEMON[n4]}"
t0=$(te_sum)
for n in n1 n4; do
	for p in ${LAB_FAST[$n]}; do lab_exec $n ip rule del iif "$p" lookup 205 pref 205; done
done
looped=0
wait_for 2 eval '(( $(te_sum) > t0 ))' && looped=1
lab_log "      without the rules: $(( $(te_sum) - t0 )) ICMP Time Exceeded, $(lab_flow n4 fast0) stream packets n4 -> n1"
for n in n1 n4; do
	for p in ${LAB_FAST[$n]}; do lab_exec $n ip rule add iif "$p" lookup 205 pref 205; done
done
lab_sleep 0.2
t1=$(te_sum)
lab_sleep 0.5
t2=$(te_sum)
kill -CONT "${LAB_DAEMON[n1]}" "${LAB_DAEMON[n3]}" "${LAB_DAEMON[n4]}"
[ $looped = 1 ] || lab_fail "no TTL expired without the rules: this test could not see a loop"
lab_ok "without the rules the packets loop (the test can see a loop)"
assert_eq "ICMP Time Exceeded in 0.5 s with the rules back" "$t1" "$t2"
lab_stream_stop
lab_log "      stream: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
# Every packet n4 sent to n2 over the LAN (its own counter) arrived.
assert_ge "stream packets that arrived, against those n4 sent over the LAN" \
	"$(lab_kv "$LAB_STREAM_RESULT" received)" "$(lab_flow n4 lan0)"
