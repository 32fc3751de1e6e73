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
# It runs until the test's cleanup ends it, and writes each message with
# the kernel's stamp of its sending (SO_TIMESTAMPNS: when the daemon sent
# it, not when python got to read it).
python3 -c '
import socket, struct, sys
SO_TIMESTAMPNS = 35
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        d, anc, _, _ = s.recvmsg(4096, 256)
        ts = [struct.unpack("qq", v[:16]) for l, t, v in anc if l == socket.SOL_SOCKET and t == SO_TIMESTAMPNS]
        sec, ns = ts[0] if ts else (0, 0)
        f.write("%d.%09d %s\n" % (sec, ns, d.decode().replace("\n", " ")))
' "$sock" "$msgs" &
LAB_PIDS+=("$!")
wait_for 5 test -S "$sock" || lab_fail "notify listener did not start"
for n in n1 n2; do lab_monitor_start "$n"; done
NOTIFY_SOCKET=$sock WATCHDOG_USEC=200000 lab_start_daemon n1
lab_start_daemon n2
lab_wait_routes 10

wait_for 5 grep -q "READY=1" "$msgs" || lab_fail "no READY=1 from the daemon"
lab_ok "READY=1: $(grep -m1 READY=1 "$msgs" | cut -d' ' -f2-)"
# The cadence, from the kernel's send stamps of 10 pings: half of
# WATCHDOG_USEC apart (the daemon schedules each 100 ms after the last), and
# never as far apart as WATCHDOG_USEC itself (systemd would kill it).
wait_for 5 eval '[ "$(grep -c "WATCHDOG=1" "$msgs")" -ge 11 ]' ||
	lab_fail "fewer than 11 WATCHDOG=1 in 5 s at WATCHDOG_USEC=200ms: $(grep -c "WATCHDOG=1" "$msgs")"
gaps=$(grep "WATCHDOG=1" "$msgs" | head -n 11 | awk '{ split($1, t, "."); us = t[1] * 1000000 + substr(t[2], 1, 6)
	if (NR > 1) printf "%.1f\n", (us - prev) / 1000; prev = us }' | xargs)
lab_log "      gaps between WATCHDOG=1 pings (ms): $gaps"
# shellcheck disable=SC2086
assert_ge "median gap between WATCHDOG=1 pings" "$(lab_median $gaps)" 90 " ms"
# shellcheck disable=SC2086
assert_le "median gap between WATCHDOG=1 pings" "$(lab_median $gaps)" 150 " ms"
# shellcheck disable=SC2086
assert_le "longest gap between WATCHDOG=1 pings" "$(printf '%s\n' $gaps | sort -g | tail -n1)" 200 " ms"

pid=${LAB_DAEMON[n1]}
eff=$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$pid/status")
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' "/proc/$pid/status")
# CAP_NET_ADMIN is capability 12: 1 << 12.
assert_eq "effective capabilities after start-up (CAP_NET_ADMIN only)" 0000000000001000 "$eff"
assert_eq "bounding set after start-up (empty)" 0000000000000000 "$bnd"
# realtime = yes (the lab's config): SCHED_FIFO, unless this host refuses
# real-time scheduling (a container without CAP_SYS_NICE, a cgroup without
# real-time budget); then the daemon must say so, and run on normally.
policy=$(lab_sched_policy "$pid")
if grep -q "cannot run at real-time priority" "$LAB_DIR/n1.log"; then
	lab_log "      note: this host refused SCHED_FIFO: $(grep -m1 'cannot run at real-time priority' "$LAB_DIR/n1.log" | cut -d' ' -f2-)"
	assert_eq "scheduling policy after the refusal the daemon logged (0 = SCHED_OTHER)" 0 "$policy"
else
	assert_eq "scheduling policy (1 = SCHED_FIFO; the daemon logged no refusal)" 1 "$policy"
fi

lab_stop_daemon n1
assert_eq "exit status after SIGTERM" 0 "$LAB_DAEMON_STATUS"
wait_for 2 grep -q "STOPPING=1" "$msgs" || lab_fail "no STOPPING=1 on SIGTERM"
lab_ok "STOPPING=1 on SIGTERM"
