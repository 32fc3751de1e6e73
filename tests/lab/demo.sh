#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `sudo make demo`: meshroute on a 3-node cluster built from network
# namespaces.  Pulls a cable and silences another while a stream runs, and
# shows what happens.  Everything it creates is removed on exit.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT

if [ -t 1 ]; then B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'; else B= G= R= N=; fi
step=0
heading() { step=$((step + 1)); printf '\n%s%d. %s%s\n' "$B" "$step" "$*" "$N"; }
say() { printf '   %s\n' "$*"; }

show_routes() {
	local n
	for n in "${LAB_NODES[@]}"; do
		ip -n "$(lab_ns "$n")" -4 route show proto "$LAB_PROTO" | sed "s/^/   $n: /"
	done
}

# The daemon's own log lines about NODE since line FROM.
daemon_says() { tail -n +"$(( $2 + 1 ))" "$LAB_DIR/$1.log" | grep -v '^===' | sed "s/^/   [$1] /"; }
log_lines() { wc -l <"$LAB_DIR/$1.log"; }

counters() {	# NODE IF...: stream packets sent per interface since lab_flow_watch
	local n=$1 i out=""
	shift
	for i in "$@"; do out+="$i: $(lab_flow "$n" "$i") packets   "; done
	say "$n sent the stream on  $out"
}

lab_require_daemon
printf '%smeshroute demo%s: three servers, a shared LAN, and a full mesh of direct cables.\n' "$B" "$N"
say "Each node has ONE address (10.10.0.N) on all its ports; meshrouted finds out by"
say "itself which peer is on which cable, and routes to it over the cable while BFD"
say "says it is healthy, over the LAN otherwise."

heading "Building the cluster in network namespaces (run $LAB_ID)"
lab_mesh3
sed -n '/^#  *n1   /,/^#  *fast0     fast1/p' "$0" | sed 's/^#/  /'
say "The cabling is deliberately not what the port names suggest."

heading "Starting meshrouted on every node (BFD every 20 ms, down after 3 missed, hold-down 2 s)"
lab_start_daemons "hold-down = 2s" >/dev/null
lab_wait_routes 15
say "Every node discovered its peers. Routes installed by meshrouted (proto $LAB_PROTO):"
show_routes

heading "A 5,000 packet/s stream from n1 to n2 takes the direct cable"
lab_flow_watch n1 5201-5202
lab_stream_start n1 n2 $(( LAB_STREAM_RATE * 60 ))
wait_for 3 lab_flow_ge n1 fast0 1000 || lab_fail "the stream does not cross n1 fast0"
counters n1 fast0 fast1 lan0

heading "Pulling the n1 -- n2 cable"
m1=$(log_lines n1) m2=$(log_lines n2)
lab_cut_carrier n1 n2
wait_for 3 eval 'lab_route_is n1 n2 lan && lab_route_is n2 n1 lan' || lab_fail "no failover"
say "ip link now shows NO-CARRIER on n1 fast0 and on n2 fast1; the daemons say:"
daemon_says n1 "$m1"
daemon_says n2 "$m2"
say "n1 now reaches n2 through: $(lab_path n1 n2)"
f=$(lab_flow n1 fast0) l=$(lab_flow n1 lan0)
wait_for 3 lab_flow_ge n1 lan0 $(( l + 2500 )) || lab_fail "the stream does not cross the LAN"
say "since the failover the stream sent $(( $(lab_flow n1 fast0) - f )) packets on fast0 and $(( $(lab_flow n1 lan0) - l )) on lan0"
lab_stream_stop
say "${G}outage: $(lab_kv "$LAB_STREAM_RESULT" lost) packets lost = $(lab_kv "$LAB_STREAM_RESULT" outage_ms) ms${N} (kernel carrier event; target <= 20 ms)"

heading "Plugging the cable back in"
lab_stream_start n1 n2 $(( LAB_STREAM_RATE * 60 )) 5202
m1=$(log_lines n1)
lab_heal n1 n2
say "waiting: the link must stay up for the 2 s hold-down before traffic returns ..."
wait_for 6 eval 'lab_route_is n1 n2 fast0 && lab_route_is n2 n1 fast1' || lab_fail "no fail-back"
back=$(lab_event_ms "$LAB_HEAL_US" n1 n2 fast0 n2 n1 fast1)
daemon_says n1 "$m1"
say "${G}routes back on the cable ${back} ms after it was plugged in${N} (hold-down 2000 ms + $(( back - 2000 )) ms)"
f=$(lab_flow n1 fast0)
wait_for 3 lab_flow_ge n1 fast0 $(( f + 2500 )) || lab_fail "the stream did not return to fast0"
lab_stream_stop
say "the stream is back on fast0; lost during fail-back: $(lab_kv "$LAB_STREAM_RESULT" lost) packets"

heading "A silent failure on n1 -- n3: the cable keeps its link but passes nothing"
say "(no carrier event this time: only BFD can notice)"
lab_flow_watch n3 5201-5202
lab_stream_start n3 n1 $(( LAB_STREAM_RATE * 60 ))
wait_for 3 lab_flow_ge n3 fast0 1000 || lab_fail "the stream does not cross n3 fast0"
m1=$(log_lines n1) m3=$(log_lines n3)
lab_silent n1 n3
wait_for 3 eval 'lab_route_is n1 n3 lan && lab_route_is n3 n1 lan' || lab_fail "no failover"
daemon_says n1 "$m1"
daemon_says n3 "$m3"
l=$(lab_flow n3 lan0)
wait_for 3 lab_flow_ge n3 lan0 $(( l + 2500 )) || lab_fail "the stream does not cross the LAN"
lab_stream_stop
say "${G}outage: $(lab_kv "$LAB_STREAM_RESULT" lost) packets lost = $(lab_kv "$LAB_STREAM_RESULT" outage_ms) ms${N} (BFD detection 3 x 20 ms; target <= 100 ms)"
say "routes now:"
show_routes
lab_heal n1 n3
wait_for 6 eval 'lab_route_is n1 n3 fast1 && lab_route_is n3 n1 fast0' || lab_fail "no fail-back"
say "healed: back on the cable $(lab_event_ms "$LAB_HEAL_US" n1 n3 fast1 n3 n1 fast0) ms after the fault was removed"

heading "Stopping the daemons (SIGTERM): they remove their routes"
for n in "${LAB_NODES[@]}"; do
	lab_stop_daemon "$n" TERM
	if lab_no_proto_routes "$n"; then r="${G}none left${N}"; else r="${R}some left${N}"; fi
	say "$n: meshrouted exited with status $LAB_DAEMON_STATUS; its routes: $r"
done
printf '\n%sDone.%s Cleaning up the namespaces.\n' "$B" "$N"
