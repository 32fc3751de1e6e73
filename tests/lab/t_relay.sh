#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 200
# Relay (relay = on) in a 3-node full mesh.  When the A -- B cable goes
# silent, A and B each reach the other through C over two fast hops instead
# of the LAN: routes "via C", the stream's packets cross C's fast ports
# (nft counters and interface counters on C), nothing takes the LAN, and the
# outage stays within the LAN fallback's bound (median <= 100 ms at 20ms x 3,
# as t_silent.sh).  After healing, traffic returns to the direct cable after
# hold-down.  Then A -- B and C -- B die together: traffic to B takes the
# LAN, and no packet loops (no node ever sends ICMP Time Exceeded, and the
# stream arrives).  relay = off by a reload on n1: its rules go and its fast
# ports' forwarding is back to what it was before the daemon set it; relay =
# on again sets it again.  On exit, the rules, the relay table and the
# forwarding settings are gone.
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

# ICMP Time Exceeded messages a node has sent (a loop ends in those).
time_exceeded() {
	lab_exec "$1" awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "OutTimeExcds") c = i; h = 1 } else print $c }' /proc/net/snmp
}

# Datagrams a node has forwarded (relayed) in all.
forwarded() {
	lab_exec "$1" awk '/^Ip:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "ForwDatagrams") c = i; h = 1 } else print $c }' /proc/net/snmp
}

relay_rules() { lab_exec "$1" ip -4 rule show pref 205 | grep -c 'lookup 205' || true; }

lab_log "== 3-node mesh, relay = on (20ms x 3, hold-down 1s)"
lab_mesh3
# What forwarding was on each fast port before the daemons touched it (the
# value relay = off and the daemon's exit must put back).
declare -A fwd0
for n in n1 n2 n3; do
	for p in ${LAB_FAST[$n]}; do
		fwd0[$n.$p]=$(lab_exec $n sysctl -n net.ipv4.conf.$p.forwarding)
		[ "${fwd0[$n.$p]}" = 1 ] && lab_exec $n sysctl -q -w net.ipv4.conf.$p.forwarding=0 >/dev/null &&
			fwd0[$n.$p]=0
	done
done
lab_start_daemons "hold-down = 1s" "relay = on"
lab_wait_routes 10
lab_show_routes

lab_log "-- every node is ready to relay: forwarding on its fast ports only, one rule per fast port"
for n in n1 n2 n3; do
	for p in ${LAB_FAST[$n]}; do
		assert_eq "$n net.ipv4.conf.$p.forwarding" 1 "$(lab_exec $n sysctl -n net.ipv4.conf.$p.forwarding)"
	done
	assert_eq "$n net.ipv4.conf.lan0.forwarding" 0 "$(lab_exec $n sysctl -n net.ipv4.conf.lan0.forwarding)"
	assert_eq "$n net.ipv4.ip_forward (global)" 0 "$(lab_exec $n sysctl -n net.ipv4.ip_forward)"
	assert_eq "$n rules iif FASTPORT lookup 205" 2 "$(relay_rules $n)"
	wait_for 2 eval "lab_mrctl $n status | grep -q '^relay: on; relays for its peers'" ||
		lab_fail "$n does not say it relays: $(lab_mrctl $n status | grep relay)"
done

outages=() failbacks=() i=0
for trio in "n1 n2 n3" "n2 n3 n1" "n3 n1 n2"; do
	read -r a b c <<<"$trio"
	i=$((i + 1))
	pab=$(lab_port $a $b) pba=$(lab_port $b $a)
	pac=$(lab_port $a $c) pbc=$(lab_port $b $c) pca=$(lab_port $c $a) pcb=$(lab_port $c $b)
	lab_log "-- trial $i: the $a -- $b cable goes silent; $c relays"
	assert_eq "before: $a's route to $b" "$pab" "$(lab_route $a $b)"
	lab_flow_watch $a 5201-5202
	lab_flow_watch $c 5201-5202
	lab_stream_start $a $b - 5201
	wait_for 2 lab_flow_ge $a "$pab" $(( LAB_STREAM_RATE / 20 )) ||
		lab_fail "the stream $a -> $b does not cross $a $pab"
	fwd=$(forwarded $c)
	rx_c=$(lab_rx $c "$pca")
	tx_c=$(lab_tx $c "$pcb")

	lab_silent $a $b
	wait_for 3 eval "lab_route_is $a $b 'via $c $pac' && lab_route_is $b $a 'via $c $pbc'" || {
		lab_show_routes >&2
		lab_fail "after the cut, $a and $b do not relay through $c"
	}
	assert_eq "$a reaches $b through (ip route get)" "$pac" "$(lab_path $a $b)"
	lab_mrctl $a status | grep -q "^$b .* via $c ($pac)" ||
		lab_fail "meshroutectl status on $a does not show 'via $c ($pac)': $(lab_mrctl $a status | grep "^$b ")"
	assert_eq "JSON path of $b on $a" "relay $c" \
		"$(lab_mrctl $a -j status | lab_json "' '.join(p['via'] + ' ' + p['relay'] for p in d['peers'] if p['name'] == '$b' and p['family'] == 'ipv4')")"
	c0=$(lab_flow $c "$pcb")
	wait_for 2 lab_flow_ge $c "$pcb" $(( c0 + LAB_STREAM_RATE / 10 )) ||
		lab_fail "the stream does not cross $c towards $b ($c $pcb)"
	# While 500 more packets go through $c, none may take the dead cable.
	fast=$(lab_flow $a "$pab") c0=$(lab_flow $c "$pcb")
	wait_for 2 lab_flow_ge $c "$pcb" $(( c0 + 500 )) || lab_fail "the stream stopped crossing $c"
	assert_eq "stream packets on $a $pab after the failover" 0 $(( $(lab_flow $a "$pab") - fast ))
	assert_eq "stream packets on $a lan0 (the LAN was never used)" 0 "$(lab_flow $a lan0)"
	assert_ge "packets $c received on $pca (rx_packets delta)" $(( $(lab_rx $c "$pca") - rx_c )) $(( LAB_STREAM_RATE / 10 ))
	assert_ge "packets $c sent on $pcb (tx_packets delta)" $(( $(lab_tx $c "$pcb") - tx_c )) $(( LAB_STREAM_RATE / 10 ))
	assert_ge "datagrams $c forwarded (Ip ForwDatagrams delta)" $(( $(forwarded $c) - fwd )) $(( LAB_STREAM_RATE / 10 ))
	lab_stream_stop
	outages+=("$(lab_kv "$LAB_STREAM_RESULT" outage_ms)")
	lab_log "      stream: $LAB_STREAM_RESULT"

	lab_stream_start $a $b - 5202
	lab_heal $a $b
	wait_for $(( LAB_HOLD_MS / 1000 + 3 )) eval "lab_route_is $a $b '$pab' && lab_route_is $b $a '$pba'" || {
		lab_show_routes >&2
		lab_fail "after healing, $a and $b did not return to their cable"
	}
	# Not before hold-down, from the stamp before the heal (daemons' logs).
	lab_event_bounds "$LAB_HEAL_BEFORE_US" "$LAB_HEAL_AFTER_US" $a $b "$pab" $b $a "$pba"
	assert_ge "time from heal to direct again (hold-down $LAB_HOLD_MS ms)" "$LAB_EV_HI_MS" "$LAB_HOLD_MS" " ms"
	n=$(lab_flow $a "$pab")
	wait_for 2 lab_flow_ge $a "$pab" $(( n + LAB_STREAM_RATE / 20 )) ||
		lab_fail "the stream did not move back to $a $pab"
	lab_stream_stop
	failbacks+=("$(lab_kv "$LAB_STREAM_RESULT" outage_ms)")
	lab_log "      fail-back stream: $LAB_STREAM_RESULT"
done
lab_log "== relayed failover, 3 trials: outages ${outages[*]} ms; fail-back outages ${failbacks[*]} ms"
assert_le "median outage of a relayed failover (LAN fallback's bound)" "$(lab_median "${outages[@]}")" 100 " ms"

lab_log "-- n1 -- n2 and n3 -- n2 die together: n2 only over the LAN, no loop"
declare -A tex
for n in n1 n2 n3; do tex[$n]=$(time_exceeded $n); done
lab_flow_watch n1 5201-5202
lab_stream_start n1 n2
wait_for 2 lab_flow_ge n1 "$(lab_port n1 n2)" $(( LAB_STREAM_RATE / 20 )) || lab_fail "no stream n1 -> n2"
lab_silent n1 n2
lab_silent n3 n2
wait_for 3 eval "lab_route_is n1 n2 lan && lab_route_is n2 n1 lan && lab_route_is n3 n2 lan && lab_route_is n2 n3 lan" || {
	lab_show_routes >&2
	lab_fail "n2 is not reached over the LAN after both its cables died"
}
l0=$(lab_flow n1 lan0)
# Half a second of the stream over the LAN before it stops: all of it must arrive.
wait_for 3 lab_flow_ge n1 lan0 $(( l0 + LAB_STREAM_RATE / 2 )) || lab_fail "the stream does not cross n1 lan0"
assert_eq "n3's relay table: what it forwards to n2 takes" "dev lan0" \
	"$(lab_exec n3 ip -4 route show table 205 10.10.0.2/32 | grep -o 'dev [^ ]*')"
lab_stream_stop
lab_log "      stream: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
# Every packet n1 sent over the LAN (its own counter) could arrive: no loop
# ate any (those sent into the dead cable before the failover are lost).
assert_ge "stream packets that arrived, against those n1 sent over the LAN" \
	"$(lab_kv "$LAB_STREAM_RESULT" received)" "$(lab_flow n1 lan0)"
for n in n1 n2 n3; do
	assert_eq "ICMP Time Exceeded sent by $n (a loop would expire TTLs)" "${tex[$n]}" "$(time_exceeded $n)"
done

lab_log "-- relay = off by a reload on n1: rules gone, forwarding on its fast ports as before"
# (only n1 reloads: the others keep the config they started with)
lab_config_set relay off
out=$(lab_mrctl n1 reload 2>&1) || lab_fail "meshroutectl reload (relay = off) on n1: $out"
assert_eq "n1 rules lookup 205 after relay = off" 0 "$(relay_rules n1)"
for p in ${LAB_FAST[n1]}; do
	assert_eq "n1 net.ipv4.conf.$p.forwarding after relay = off" "${fwd0[n1.$p]}" \
		"$(lab_exec n1 sysctl -n net.ipv4.conf.$p.forwarding)"
done
grep -q "relay off: net.ipv4.conf.fast0.forwarding back from 1 to ${fwd0[n1.fast0]}" "$LAB_DIR/n1.log" ||
	lab_fail "n1 did not log that it put fast0's forwarding back"
lab_config_set relay on
out=$(lab_mrctl n1 reload 2>&1) || lab_fail "meshroutectl reload (relay = on) on n1: $out"
for p in ${LAB_FAST[n1]}; do
	assert_eq "n1 net.ipv4.conf.$p.forwarding after relay = on again" 1 \
		"$(lab_exec n1 sysctl -n net.ipv4.conf.$p.forwarding)"
done
assert_eq "n1 rules lookup 205 after relay = on again" 2 "$(relay_rules n1)"

lab_log "-- at exit the daemons remove their rules and the relay table, and put forwarding back"
for n in n1 n2 n3; do
	lab_stop_daemon $n
	assert_eq "$n rules lookup 205 after exit" 0 "$(relay_rules $n)"
	for p in ${LAB_FAST[$n]}; do
		assert_eq "$n net.ipv4.conf.$p.forwarding after exit" "${fwd0[$n.$p]}" \
			"$(lab_exec $n sysctl -n net.ipv4.conf.$p.forwarding)"
	done
	lab_no_proto_routes $n || lab_fail "$n keeps proto $LAB_PROTO routes: $(ip -n "$(lab_ns $n)" route show table all proto $LAB_PROTO)"
done
