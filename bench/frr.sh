# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# FRR (Debian 12: 8.4) zebra + bfdd inside lab nodes, for bench/run.sh.
# Sourced after tests/lab/lib.sh.  Every daemon runs in the foreground of a
# background job (its pid in LAB_PIDS, so lab_cleanup ends it) with its own
# config, pid file, vty socket directory, zserv socket and bfdd control
# socket: several instances side by side, nothing in /etc/frr or /run/frr.
# Session state changes are logged by "debug bfd peer" with microsecond
# timestamps (wall clock), which is what frr_detect_ms reads.
FRR_DIR=/usr/lib/frr
declare -A FRR_PIDS	# [node] -> "zebra_pid bfdd_pid"

frr_available() { [ -x "$FRR_DIR/bfdd" ] && [ -x "$FRR_DIR/zebra" ] && command -v vtysh >/dev/null; }

frr_version() { "$FRR_DIR/bfdd" --version 2>/dev/null | sed -n 's/^bfdd version //p' | head -n1; }

# frr_start NODE PEER INTERVAL_MS MULT: zebra + bfdd on NODE with one
# single-hop session to PEER over NODE's fast port to it.
frr_start() {
	local node=$1 peer=$2 ms=$3 mult=$4
	frr_launch "$node" "$(frr_peer "$(lab_addr "$peer") interface $(lab_port "$node" "$peer") local-address $(lab_addr "$node")" "$ms" "$mult")"
}

# frr_peer "ADDR interface IF ..." INTERVAL_MS MULT: a peer block of bfdd.conf.
frr_peer() {
	printf ' peer %s\n  receive-interval %s\n  transmit-interval %s\n  detect-multiplier %s\n exit\n' "$1" "$2" "$2" "$3"
}

# frr_launch NODE PEER_BLOCKS: zebra + bfdd on NODE, bfdd with those peers.
frr_launch() {
	local node=$1 peers=$2 d ns pids=()
	d=$LAB_DIR/frr-$node
	ns=$(lab_ns "$node")
	rm -rf "$d"; mkdir -p "$d"
	{
		echo "log file $d/bfdd.log debugging"
		echo "log timestamp precision 6"
		echo "debug bfd peer"
		echo "bfd"
		printf '%s\n' "$peers"
		echo "exit"
	} >"$d/bfdd.conf"
	echo "log timestamp precision 6" >"$d/zebra.conf"
	ip netns exec "$ns" "$FRR_DIR/zebra" -u root -g frrvty -f "$d/zebra.conf" -i "$d/zebra.pid" \
		--vty_socket "$d" -z "$d/zserv.api" -P 0 --log "file:$d/zebra.log" >/dev/null 2>&1 </dev/null &
	pids+=("$!"); LAB_PIDS+=("$!")
	wait_for 5 test -S "$d/zserv.api" || lab_fail "FRR zebra on $node did not start (see $d/zebra.log)"
	ip netns exec "$ns" "$FRR_DIR/bfdd" -u root -g frrvty -f "$d/bfdd.conf" -i "$d/bfdd.pid" \
		--vty_socket "$d" -z "$d/zserv.api" -P 0 --bfdctl "$d/bfdd.sock" \
		>"$d/bfdd.out" 2>&1 </dev/null &
	pids+=("$!"); LAB_PIDS+=("$!")
	FRR_PIDS[$node]="${pids[*]}"
	wait_for 5 test -S "$d/bfdd.vty" || lab_fail "FRR bfdd on $node did not start (see $d/bfdd.log)"
}

# frr_loose_rpf NODE...: loose reverse-path filtering on every interface of
# the nodes.  With meshrouted gone its host routes are gone too: the peer's
# probes arrive on the fast ports, the route back to its one address is the LAN's.
frr_loose_rpf() {
	local n k
	for n in "$@"; do
		for k in all $(ip -n "$(lab_ns "$n")" -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
			lab_exec "$n" sysctl -q -w "net.ipv4.conf.$k.rp_filter=2" >/dev/null ||
				lab_fail "rp_filter of $k on $n"
		done
	done
}

# frr_ll NODE PORT: NODE's IPv6 link-local address on PORT (bfdd's IPv6
# single-hop peers).
frr_ll() { ip -n "$(lab_ns "$1")" -6 -o addr show dev "$2" scope link | awk '{ print $4 }' | cut -d/ -f1; }

frr_stop() {	# NODE
	local pid
	for pid in ${FRR_PIDS[$1]:-}; do
		kill -s TERM "$pid" 2>/dev/null || true
	done
	for pid in ${FRR_PIDS[$1]:-}; do
		wait_for 5 eval '! lab_alive '"$pid" || kill -s KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		lab_reaped "$pid"
	done
	unset "FRR_PIDS[$1]"
}

frr_vtysh() {	# NODE CMD
	lab_exec "$1" vtysh --vty_socket "$LAB_DIR/frr-$1" -c "$2" 2>/dev/null
}

# frr_up NODE: its session is up.
frr_up() { frr_vtysh "$1" "show bfd peers json" | grep -q '"status":"up"'; }

# frr_sessions NODE: "total up downs tx rx" over NODE's bfdd sessions (times
# a session went down, control packets sent and received), as bench_sessions.
frr_sessions() {
	python3 -c '
import json, sys
peers, counters = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(len(peers), sum(p["status"] == "up" for p in peers), sum(c.get("session-down", 0) for c in counters),
      sum(c.get("control-packet-output", 0) for c in counters),
      sum(c.get("control-packet-input", 0) for c in counters))' \
		"$(frr_vtysh "$1" "show bfd peers json")" "$(frr_vtysh "$1" "show bfd peers counters json")"
}

# frr_event_us NODE TO AFTER_US: wall-clock us of NODE's first "state-change
# ... -> TO" log line (TO: down or up) after AFTER_US; empty if none yet.
frr_event_us() {
	local node=$1 to=$2 after=$3 line d t us
	while IFS= read -r line; do
		[[ $line =~ ^([0-9/]+)\ ([0-9:.]+)\ .*state-change:\ \[.*\]\ [a-z]+\ -\>\ $to ]] || continue
		d=${BASH_REMATCH[1]} t=${BASH_REMATCH[2]}
		us=$(date -d "${d//\//-} ${t%.*}" +%s)${t#*.}
		us=${us:0:16}
		(( us > after )) || continue
		echo "$us"
		return 0
	done <"$LAB_DIR/frr-$node/bfdd.log"
}

# frr_detect_ms SINCE_US A B: ms from SINCE_US until both A and B logged
# their session going down; empty if one did not within 2 s.
frr_detect_ms() {
	local since=$1 last=0 e n
	for n in "$2" "$3"; do
		e=
		wait_for 2 eval 'e=$(frr_event_us '"$n"' down '"$since"'); [ -n "$e" ]' || { echo; return 0; }
		(( e > last )) && last=$e
	done
	echo $(( (last - since) / 1000 ))
}
