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
# The flows have fixed ports (source 40001.., destination 5301..) and the
# nodes a fixed multipath hash seed (net.ipv4.fib_multipath_hash_seed,
# kernel 6.11 and later), so the split is the same on every run; on an
# older kernel the hash key is random per boot and a 16-flow split falls
# below 20% on one cable in about 2% of boots.
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

FLOWS=16 BYTES=12000000 MBPS=16 PORT0=5301 SPORT0=40001 SEED=1

routes_are() {	# EXPECTED: both ends' routes
	lab_route_is n1 n2 "$1" && lab_route_is n2 n1 "$1"
}

cable_bytes() {	# the flows' bytes n1 sent over both fast ports
	echo $(( $(lab_flow n1 fast0 bytes) + $(lab_flow n1 fast1 bytes) ))
}

lab_log "== two nodes, two cables, meshrouted on both (20ms x 3, hold-down 1s)"
lab_b2b2
for n in n1 n2; do
	assert_eq "$n: fib_multipath_hash_policy before meshrouted" 0 \
		"$(lab_exec $n sysctl -n net.ipv4.fib_multipath_hash_policy)"
	if lab_exec $n test -e /proc/sys/net/ipv4/fib_multipath_hash_seed; then
		lab_exec $n sysctl -q -w net.ipv4.fib_multipath_hash_seed=$SEED
	else
		lab_log "      note: no fib_multipath_hash_seed on this kernel: the split is random per boot"
	fi
done
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10
assert_eq "n1's route to n2" "fast0 fast1" "$(lab_route n1 n2)"
for n in n1 n2; do lab_exec $n sysctl -q -w net.ipv4.fib_multipath_hash_policy=0; done
lab_log "      policy put back to the kernel's default: $(lab_exec n1 sysctl -n net.ipv4.fib_multipath_hash_policy)"

lab_log "== $FLOWS TCP flows of $BYTES bytes at $MBPS Mbit/s each, n1 -> n2"
lab_flow_watch n1 $PORT0-$((PORT0 + FLOWS - 1))
rpids=() spids=()
for ((i = 0; i < FLOWS; i++)); do
	ip netns exec "$(lab_ns n2)" "$MRSTREAM" tcp-recv --port $((PORT0 + i)) --bind "$(lab_addr n2)" \
		--max-time 90 >"$LAB_DIR/recv.$i" 2>&1 &
	rpids+=("$!"); LAB_PIDS+=("$!")
done
for ((i = 0; i < FLOWS; i++)); do
	wait_for 3 lab_listening n2 tcp $((PORT0 + i)) || lab_fail "receiver on port $((PORT0 + i)) did not start"
done
for ((i = 0; i < FLOWS; i++)); do
	ip netns exec "$(lab_ns n1)" "$MRSTREAM" tcp-send --dst "$(lab_addr n2)" --port $((PORT0 + i)) \
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

