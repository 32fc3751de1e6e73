#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# relay = on with set-sysctl = no and authentication (meticulous-keyed-sha1,
# so advertisements carry an HMAC): n3's fast ports do not forward, so n3
# refuses to relay, says why (log and status) and advertises no peer; when
# n1 -- n2 dies their traffic takes the LAN, not n3.  Once the admin sets
# forwarding on n3's fast ports, n3 relays within seconds and n1 <-> n2
# moves to it.  A forged advertisement (wrong HMAC) is dropped and counted.
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

lab_log "== 3-node mesh, relay = on, set-sysctl = no, authenticated; n3 does not forward"
lab_mesh3
printf '1 Relay.Key-1\n' >"$LAB_DIR/bfd.keys"
chmod 600 "$LAB_DIR/bfd.keys"
# What the daemons may not set themselves: everything but n3's forwarding.
for n in n1 n2 n3; do
	lab_exec $n sysctl -q -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.lan0.rp_filter=2 >/dev/null
	for p in ${LAB_FAST[$n]}; do
		lab_exec $n sysctl -q -w "net.ipv4.conf.$p.rp_filter=2" \
			"net.ipv4.conf.$p.ignore_routes_with_linkdown=1" \
			"net.ipv4.neigh.$p.retrans_time_ms=50" >/dev/null
		[ $n = n3 ] || lab_exec $n sysctl -q -w "net.ipv4.conf.$p.forwarding=1" >/dev/null
	done
done
lab_start_daemons "hold-down = 1s" "relay = on" "set-sysctl = no" \
	"auth-type = meticulous-keyed-sha1" "auth-key-file = $LAB_DIR/bfd.keys"
lab_wait_routes 10

wait_for 2 eval "lab_mrctl n3 status | grep -q '^relay: on; does NOT relay for its peers: net.ipv4.conf.fast[01].forwarding is not 1 (set-sysctl = no)'" ||
	lab_fail "n3 does not say why it does not relay: $(lab_mrctl n3 status | grep '^relay')"
lab_ok "n3 says: $(lab_mrctl n3 status | grep '^relay:')"
grep -q 'relay: this node does not relay for its peers: net.ipv4.conf.fast[01].forwarding' "$LAB_DIR/n3.log" ||
	lab_fail "n3's log does not say why it does not relay"
assert_eq "n3's fast0 forwarding (set-sysctl = no: left alone)" 0 "$(lab_exec n3 sysctl -n net.ipv4.conf.fast0.forwarding)"
wait_for 2 eval "lab_mrctl n1 status | grep -q '^  n3 reaches directly: none'" ||
	lab_fail "n1 does not see n3's empty advertisement: $(lab_mrctl n1 status | grep reaches)"
wait_for 2 eval "lab_mrctl n1 status | grep -q '^  n2 reaches directly: n1, n3'" ||
	lab_fail "n1 does not see n2's advertisement: $(lab_mrctl n1 status | grep reaches)"
assert_eq "advertisement decode errors on n1 (HMAC accepted)" 0 \
	"$(lab_mrctl n1 -j status | lab_json "sum(d['relay']['decode_errors'].values())")"

lab_log "-- a forged advertisement from n2's side (n3 reaches n2, wrong HMAC) is dropped"
bad0=$(lab_mrctl n1 -j status | lab_json "d['relay']['decode_errors']['bad_mac']")
lab_exec n2 python3 - "$(lab_port n2 n1)" <<-'EOF2'
	import socket, struct, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, sys.argv[1].encode())
	s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
	msg = b"mrRA" + bytes([1, 1, 1, 1]) + socket.inet_aton("10.10.0.3") + struct.pack("!II", 0xfffffff0, 350)
	msg += socket.inet_aton("10.10.0.2") + bytes(32)
	s.sendto(msg, ("10.10.0.1", 3786))
EOF2
wait_for 2 eval '[ "$(lab_mrctl n1 -j status | lab_json "d[\"relay\"][\"decode_errors\"][\"bad_mac\"]")" -gt '"$bad0"' ]' ||
	lab_fail "n1 did not count the forged advertisement as bad_mac"
lab_ok "n1 dropped it: bad_mac $(lab_mrctl n1 -j status | lab_json "d['relay']['decode_errors']['bad_mac']")"

lab_log "-- n1 -- n2 goes silent: n3 does not relay, so the LAN"
lab_silent n1 n2
wait_for 3 eval "lab_route_is n1 n2 lan && lab_route_is n2 n1 lan" || {
	lab_show_routes >&2
	lab_fail "n1 <-> n2 did not fall back to the LAN"
}
lab_sleep 0.5
assert_eq "n1's route to n2, 0.5 s later (not through n3)" lan "$(lab_route n1 n2)"

lab_log "-- the admin sets forwarding on n3's fast ports: n3 relays, n1 <-> n2 moves to it"
for p in ${LAB_FAST[n3]}; do
	lab_exec n3 sysctl -q -w "net.ipv4.conf.$p.forwarding=1" >/dev/null
done
wait_for 3 eval "lab_route_is n1 n2 'via n3 $(lab_port n1 n3)' && lab_route_is n2 n1 'via n3 $(lab_port n2 n3)'" || {
	lab_show_routes >&2
	lab_fail "n1 <-> n2 did not move to n3 once n3 could forward"
}
assert_eq "n3's status" "relay: on; relays for its peers" "$(lab_mrctl n3 status | grep '^relay:')"
lab_exec n1 ping -q -c 5 -i 0.05 -W 1 10.10.0.2 >/dev/null || lab_fail "n1 cannot ping n2 through n3"
lab_ok "n1 pings n2 through n3"

lab_log "-- a reload that changes nothing keeps the relayed path (no path change)"
changes=$(grep -c 'n2 (10.10.0.2): path' "$LAB_DIR/n1.log" || true)
for n in n1 n2 n3; do lab_mrctl $n reload >/dev/null || lab_fail "reload on $n failed"; done
lab_sleep 0.5
assert_eq "n1's route to n2 after the reload" "via n3 $(lab_port n1 n3)" "$(lab_route n1 n2)"
assert_eq "path changes n1 logged for n2 during the reload" "$changes" "$(grep -c 'n2 (10.10.0.2): path' "$LAB_DIR/n1.log" || true)"

lab_log "-- relay = off by reload on every node: n1 <-> n2 back on the LAN, rules and relay table gone"
lab_config_set relay off
for n in n1 n2 n3; do lab_mrctl $n reload >/dev/null || lab_fail "reload on $n failed"; done
wait_for 3 eval "lab_route_is n1 n2 lan && lab_route_is n2 n1 lan" || {
	lab_show_routes >&2
	lab_fail "n1 <-> n2 did not return to the LAN when relay was turned off"
}
for n in n1 n2 n3; do
	assert_eq "$n rules lookup 205 after relay = off" 0 "$(lab_exec $n ip -4 rule show pref 205 | grep -c 'lookup 205' || true)"
	assert_eq "$n routes in table 205 after relay = off" "" "$(lab_exec $n ip -4 route show table 205 2>/dev/null)"
done
