#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# Two cables between two nodes share the load: 16 TCP flows n1 -> n2 over
# the multipath route each put at least 20% of the bytes on each cable
# (meshrouted sets layer-4 multipath hashing: with the kernel's default,
# layer 3, every flow between two one-address nodes takes the same cable).
# Then one cable goes silent mid-transfer: the route shrinks to the other
# one and every flow completes, byte for byte what was sent.
#
#        n1 fast0 --[w12a]-- fast0 n2
#        n1 fast1 --[w12b]-- fast1 n2        + lan0 of each on one bridge
#
# MP_FAMILY=6 (t_multipath_load6.sh) does the same over IPv6 (fd00:10::N on
# every port, /128 routes): device-only IPv6 multipath is a group of nexthop
# objects (ip nexthop), which the route must use.
#
# The flows have fixed ports (source 40001.., destination 5301..) and the
# nodes a fixed multipath hash seed (net.ipv4.fib_multipath_hash_seed,
# kernel 6.11 and later), so the split is the same on every run; on an
# older kernel the hash key is random per boot and a 16-flow split falls
# below 20% on one cable in about 2% of boots.
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

FLOWS=16 BYTES=12000000 MBPS=16 PORT0=5301 SPORT0=40001 SEED=1
FAM=${MP_FAMILY:-4}
case $FAM in
4) route() { lab_route "$@"; }; addr() { lab_addr "$1"; } ;;
6) route() { lab_route6 "$@"; }; addr() { lab_addr6 "$1"; } ;;
*) lab_fail "MP_FAMILY must be 4 or 6, not $FAM" ;;
esac

routes_are() {	# EXPECTED: both ends' routes
	[ "$(route n1 n2)" = "$1" ] && [ "$(route n2 n1)" = "$1" ]
}

cable_bytes() {	# the flows' bytes n1 sent over both fast ports
	echo $(( $(lab_flow n1 fast0 bytes) + $(lab_flow n1 fast1 bytes) ))
}

lab_log "== two nodes, two cables, meshrouted on both (20ms x 3, hold-down 1s), IPv$FAM flows"
lab_b2b2
if [ "$FAM" = 6 ]; then
	for n in n1 n2; do
		ip -n "$(lab_ns $n)" -6 addr add "$(lab_addr6 $n)/64" dev lan0 nodad
		for p in ${LAB_FAST[$n]}; do
			ip -n "$(lab_ns $n)" -6 addr add "$(lab_addr6 $n)/128" dev "$p" nodad
		done
	done
fi
for n in n1 n2; do
	assert_eq "$n: fib_multipath_hash_policy before meshrouted" 0 \
		"$(lab_exec $n sysctl -n net.ipv4.fib_multipath_hash_policy)"
	if lab_exec $n test -e /proc/sys/net/ipv4/fib_multipath_hash_seed; then
		lab_exec $n sysctl -q -w net.ipv4.fib_multipath_hash_seed=$SEED
	else
		lab_log "      note: no fib_multipath_hash_seed on this kernel: the split is random per boot"
	fi
done
lab_write_config "hold-down = 1s"
[ "$FAM" = 6 ] && lab_config_v6
for n in n1 n2; do lab_monitor_start $n; done
for n in n1 n2; do lab_start_daemon $n; done
lab_wait_routes 10
wait_for 5 routes_are "fast0 fast1" || lab_fail "IPv$FAM routes: n1 -> n2 $(route n1 n2), n2 -> n1 $(route n2 n1)"
lab_ok "IPv$FAM routes n1 <-> n2 over both cables"
if [ "$FAM" = 6 ]; then
	# One route whose next hop is a group of the daemon's nexthop objects.
	out=$(ip -n "$(lab_ns n1)" -6 route show table main proto "$LAB_PROTO" "$(lab_addr6 n2)/128")
	[[ $out =~ nhid\ ([0-9]+) ]] || lab_fail "n1's IPv6 route to n2 uses no nexthop group: $out"
	nhid=${BASH_REMATCH[1]}
	grp=$(ip -n "$(lab_ns n1)" nexthop show id "$nhid")
	[[ $grp =~ group\ [0-9]+/[0-9]+ ]] && [[ $grp =~ proto\ (meshroute|$LAB_PROTO) ]] ||
		lab_fail "n1's nexthop $nhid is not a group of meshroute's: $grp"
	lab_ok "n1's IPv6 route to n2: nexthop $nhid ($grp)"
fi
for n in n1 n2; do
	assert_eq "$n: fib_multipath_hash_policy set by meshrouted" 1 \
		"$(lab_exec $n sysctl -n net.ipv4.fib_multipath_hash_policy)"
	assert_eq "$n: IPv6 fib_multipath_hash_policy set by meshrouted" 1 \
		"$(lab_exec $n sysctl -n net.ipv6.fib_multipath_hash_policy)"
done
grep -q 'set net.ipv4.fib_multipath_hash_policy from 0 to 1' "$LAB_DIR/n1.log" ||
	lab_fail "n1's log does not say it set net.ipv4.fib_multipath_hash_policy"
lab_ok "n1's log says why it set net.ipv4.fib_multipath_hash_policy"

lab_log "== $FLOWS TCP flows of $BYTES bytes at $MBPS Mbit/s each, n1 -> n2"
lab_flow_watch n1 $PORT0-$((PORT0 + FLOWS - 1))
rpids=() spids=()
for ((i = 0; i < FLOWS; i++)); do
	ip netns exec "$(lab_ns n2)" "$MRSTREAM" tcp-recv --port $((PORT0 + i)) --bind "$(addr n2)" \
		--max-time 90 >"$LAB_DIR/recv.$i" 2>&1 &
	rpids+=("$!"); LAB_PIDS+=("$!")
done
for ((i = 0; i < FLOWS; i++)); do
	wait_for 3 lab_listening n2 tcp $((PORT0 + i)) || lab_fail "receiver on port $((PORT0 + i)) did not start"
done
for ((i = 0; i < FLOWS; i++)); do
	ip netns exec "$(lab_ns n1)" "$MRSTREAM" tcp-send --dst "$(addr n2)" --port $((PORT0 + i)) \
		--sport $((SPORT0 + i)) --bytes $BYTES --rate-mbps $MBPS --seed $((RANDOM * 65536 + i)) \
		--max-time 90 >"$LAB_DIR/send.$i" 2>&1 &
	spids+=("$!"); LAB_PIDS+=("$!")
done

# A third of the transfer, then the split so far (both cables up).
wait_for 30 eval '(( $(cable_bytes) >= FLOWS * BYTES / 3 ))' ||
	lab_fail "the flows did not move a third of their bytes over the fast ports in 30 s ($(cable_bytes) bytes)"
f0=$(lab_flow n1 fast0 bytes) f1=$(lab_flow n1 fast1 bytes) l0=$(lab_flow n1 lan0 bytes)
lab_log "      bytes so far: fast0 $f0, fast1 $f1, lan0 $l0"
assert_eq "flow bytes on the LAN while both cables are up" 0 "$l0"
assert_ge "fast0's share of the bytes" $(( f0 * 100 / (f0 + f1) )) 20 " %"
assert_ge "fast1's share of the bytes" $(( f1 * 100 / (f0 + f1) )) 20 " %"

lab_log "== fast0 goes silent mid-transfer"
lab_silent n1 n2 fast0
wait_for 2 routes_are fast1 || { lab_show_routes >&2; lab_fail "the routes did not shrink to fast1"; }
lab_ok "both ends route over fast1 only"
u=$(lab_flow n1 fast0 bytes) s=$(lab_flow n1 fast1 bytes)
wait_for 10 lab_flow_ge n1 fast1 $(( s + BYTES )) bytes || lab_fail "the flows did not move to fast1"
assert_eq "flow bytes on n1 fast0 after the route moved" 0 $(( $(lab_flow n1 fast0 bytes) - u ))

lab_log "== every flow completes with its data intact"
for ((i = 0; i < FLOWS; i++)); do
	src=0 dst=0
	wait "${spids[i]}" || src=$?
	wait "${rpids[i]}" || dst=$?
	lab_reaped "${spids[i]}"; lab_reaped "${rpids[i]}"
	sent=$(tail -n1 "$LAB_DIR/send.$i") got=$(tail -n1 "$LAB_DIR/recv.$i")
	[ $src = 0 ] || lab_fail "flow $i: sender exit status $src: $sent"
	[ $dst = 0 ] || lab_fail "flow $i: receiver exit status $dst (reset, short read or mismatch): $got"
	[ "$(lab_kv "$got" bytes)" = $BYTES ] || lab_fail "flow $i: received $(lab_kv "$got" bytes) of $BYTES bytes"
	[ "$(lab_kv "$got" mismatch)" = 0 ] || lab_fail "flow $i: $(lab_kv "$got" mismatch) bytes differ"
	[ "$(lab_kv "$sent" sha256)" = "$(lab_kv "$got" sha256)" ] || lab_fail "flow $i: sha256 differs"
done
lab_ok "$FLOWS flows: every byte arrived, sha256 equal, no reset"
lab_log "      bytes in all: fast0 $(lab_flow n1 fast0 bytes), fast1 $(lab_flow n1 fast1 bytes), lan0 $(lab_flow n1 lan0 bytes)"
if [ "$FAM" = 6 ]; then
	lab_log "== on exit the daemons leave no nexthop object behind"
	for n in n1 n2; do
		lab_stop_daemon $n
		assert_eq "$n: meshroute's nexthop objects after exit" "" \
			"$(ip -n "$(lab_ns $n)" nexthop show protocol "$LAB_PROTO")"
	done
fi
