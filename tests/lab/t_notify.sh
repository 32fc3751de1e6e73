#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 60
# What systemd sees of the daemon, without systemd: the notify protocol
# (READY=1 once probing, WATCHDOG=1 at half of WATCHDOG_USEC while the loop
# runs, STOPPING=1 on SIGTERM) on a socket of our own, and the capabilities it
# keeps after start-up (CAP_NET_ADMIN only, bounding set empty).
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

lab_log "== two nodes; n1's daemon started as systemd would (NOTIFY_SOCKET, WATCHDOG_USEC=200ms)"
lab_b2b2
lab_write_config "hold-down = 1s"
sock=$LAB_DIR/notify.sock
msgs=$LAB_DIR/notify.log
# A datagram listener in n1's namespace: unix sockets are not namespaced.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.time() + 30
with open(sys.argv[2], "a", buffering=1) as f:
    while time.time() < end:
        try:
            d = s.recv(4096).decode()
        except socket.timeout:
            continue
        f.write("%.3f %s\n" % (time.time(), d.replace("\n", " ")))
' "$sock" "$msgs" &
LAB_PIDS+=("$!")
wait_for 5 test -S "$sock" || lab_fail "notify listener did not start"
for n in n1 n2; do lab_monitor_start "$n"; done
NOTIFY_SOCKET=$sock WATCHDOG_USEC=200000 lab_start_daemon n1
lab_start_daemon n2
lab_wait_routes 10

wait_for 5 grep -q "READY=1" "$msgs" || lab_fail "no READY=1 from the daemon"
lab_ok "READY=1: $(grep -m1 READY=1 "$msgs" | cut -d' ' -f2-)"
lab_sleep 1.2
n=$(grep -c "WATCHDOG=1" "$msgs" || true)
assert_ge "WATCHDOG=1 pings in ~1.5 s at WATCHDOG_USEC=200ms (one per 100 ms)" "$n" 8

pid=${LAB_DAEMON[n1]}
eff=$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$pid/status")
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' "/proc/$pid/status")
# CAP_NET_ADMIN is capability 12: 1 << 12.
assert_eq "effective capabilities after start-up (CAP_NET_ADMIN only)" 0000000000001000 "$eff"
assert_eq "bounding set after start-up (empty)" 0000000000000000 "$bnd"
policy=$(awk '{ print $41 }' "/proc/$pid/stat")
assert_eq "scheduling policy (1 = SCHED_FIFO)" 1 "$policy"

lab_stop_daemon n1
assert_eq "exit status after SIGTERM" 0 "$LAB_DAEMON_STATUS"
wait_for 2 grep -q "STOPPING=1" "$msgs" || lab_fail "no STOPPING=1 on SIGTERM"
lab_ok "STOPPING=1 on SIGTERM"
