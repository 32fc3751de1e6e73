#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# A TCP transfer n1 -> n2, paced to 200 Mbit/s, survives a pulled cable and
# its return: no reset, every byte identical (sha256 and a byte-by-byte
# check against the generator), the receiver got every byte the sender
# says it sent.  The transfer is seen on the fast port (40 MB), then the LAN
# (20 MB), then the fast port again (20 MB); it runs until then (the
# sender's --bytes 0), however long the checks take on this machine.
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

MBPS=200 PORT=5301

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3, hold-down 1s)"
lab_mesh3
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10
fast=$(lab_port n1 n2)
lab_flow_watch n1 $PORT

lab_log "== a transfer at $MBPS Mbit/s, n1 -> n2, until the checks are done"
ip netns exec "$(lab_ns n2)" "$MRSTREAM" tcp-recv --port $PORT --bind "$(lab_addr n2)" \
	--max-time 100 >"$LAB_DIR/tcp.recv" 2>&1 &
rpid=$!; LAB_PIDS+=("$rpid")
wait_for 2 lab_listening n2 tcp $PORT || lab_fail "tcp receiver did not start"
ip netns exec "$(lab_ns n1)" "$MRSTREAM" tcp-send --dst "$(lab_addr n2)" --port $PORT \
	--bytes 0 --rate-mbps $MBPS --seed $RANDOM --max-time 100 >"$LAB_DIR/tcp.send" 2>&1 &
spid=$!; LAB_PIDS+=("$spid")

wait_for 5 lab_flow_ge n1 "$fast" 40000000 bytes || lab_fail "the transfer does not cross n1 $fast"
lab_ok "40 MB crossed n1 $fast"
lab_cut_carrier n1 n2
wait_for 2 eval 'lab_route_is n1 n2 lan && lab_route_is n2 n1 lan' ||
	{ lab_show_routes >&2; lab_fail "the routes did not move to the LAN"; }
lan=$(lab_flow n1 lan0 bytes)
wait_for 5 lab_flow_ge n1 lan0 $(( lan + 20000000 )) bytes || lab_fail "the transfer did not move to the LAN"
lab_ok "20 MB more crossed n1 lan0 with the cable pulled"
lab_heal n1 n2
wait_for 4 eval "lab_route_is n1 n2 $fast && lab_route_is n2 n1 $(lab_port n2 n1)" ||
	{ lab_show_routes >&2; lab_fail "the routes did not come back"; }
f=$(lab_flow n1 "$fast" bytes)
wait_for 5 lab_flow_ge n1 "$fast" $(( f + 20000000 )) bytes || lab_fail "the transfer did not move back to $fast"
lab_ok "20 MB more crossed n1 $fast after the cable came back"

src=0 dst=0
lab_alive "$spid" || lab_fail "the sender ended before the test stopped it: $(cat "$LAB_DIR/tcp.send")"
kill -s INT "$spid"
wait "$spid" || src=$?
wait "$rpid" || dst=$?
lab_reaped "$spid"; lab_reaped "$rpid"
sent=$(grep '^bytes=' "$LAB_DIR/tcp.send" | tail -n1) got=$(grep '^bytes=' "$LAB_DIR/tcp.recv" | tail -n1)
lab_log "      sender:   $sent"
lab_log "      receiver: $got"
assert_eq "sender exit status" 0 $src
assert_eq "receiver exit status (reset, short read or mismatch)" 0 $dst
# 80 MB of packets crossed the ports above: 75 MB of payload at least.
assert_ge "bytes the sender sent" "$(lab_kv "$sent" bytes)" 75000000
assert_eq "bytes received, of those the sender sent" "$(lab_kv "$sent" bytes)" "$(lab_kv "$got" bytes)"
assert_eq "bytes differing from what was sent" 0 "$(lab_kv "$got" mismatch)"
assert_eq "receiver's sha256" "$(lab_kv "$sent" sha256)" "$(lab_kv "$got" sha256)"
