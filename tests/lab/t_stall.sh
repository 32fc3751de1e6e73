#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# CPU starvation: n1's daemon is stopped (SIGSTOP) for 2 s while n2's probes
# keep arriving, far longer than n1's detection time of n2 (10 ms x 3),
# then continued.  The probes queued meanwhile prove that n2 never went
# silent: n1 must read them all (about 460, more than one wake-up's receive
# budget) before it judges any detection timer, and must not flap; it says
# that it ran late.  n2 must not flap either (n1 advertises a multiplier of
# 255, so n2 waits 2.55 s for it), nor take the cables out for loss: n1 sent
# nothing for 2 s, a pause, not frame loss.
#
#    n1 fast0 --[w12a]-- fast0 n2      n1: interval 10ms, multiplier 255
#    n1 fast1 --[w12b]-- fast1 n2      n2: interval 10ms, multiplier 3,
#    + lan0 of both on the LAN              lan-interval 1s (n1 detects its
#                                           LAN session after 3 s)
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

lab_log "== 2 nodes, 2 cables; n1 detects n2 after 30 ms, n2 detects n1 after 2.55 s"
lab_b2b2
lab_write_config "interval = 10ms" "hold-down = 1s" "lan-interval = 1s"
sed 's|^multiplier[[:space:]]*=.*|multiplier = 255|' "$LAB_DIR/meshroute.conf" >"$LAB_DIR/n1.conf"
for node in n1 n2; do
	lab_monitor_start "$node"
done
lab_start_daemon n1
lab_start_daemon n2
lab_b2b2_up
rx0=$(lab_mr_sess n1 fast0 ipv4 rx_packets)

pid=${LAB_DAEMON[n1]}
lab_log "== n1's daemon stopped for 2 s"
kill -s STOP "$pid"
lab_sleep 2
kill -s CONT "$pid"
wait_for 2 eval '[ "$(lab_mr_sess n1 fast0 ipv4 rx_packets)" -gt $((rx0 + 150)) ]' ||
	lab_fail "n1 did not read the probes queued while it was stopped"
lab_sleep 1

lab_b2b2_steady "after the stall"
grep -E "session Up -> |taken out of service" "$LAB_DIR/n1.log" "$LAB_DIR/n2.log" &&
	lab_fail "a session left Up or a cable was taken out"
line=$(grep -m1 "ran .* late" "$LAB_DIR/n1.log") || lab_fail "n1 did not say that it ran late"
lab_ok "n1: ${line#* }"
