#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# CPU starvation: n1's daemon is stopped (SIGSTOP) for 3 s while n2's probes
# keep arriving, fifty times n1's detection time of n2 (60 ms), then
# continued.  The probes queued meanwhile prove that n2 never went silent:
# n1 must read them all (about 340, more than one wake-up's receive budget
# of 256) before it judges any detection timer, and must not flap; it says
# that it ran late.  n2 must not flap either (n1 advertises a multiplier of
# 255 at 20 ms, so n2 waits 5.1 s for it: the 2.1 s to spare are for a busy
# harness, and the stop is measured on the monotonic clock and checked to
# have stayed below that), nor take the cables out for loss: n1 sent
# nothing for 3 s, a pause, not frame loss.
#
#    n1 fast0 --[w12a]-- fast0 n2      n1: interval 20ms, multiplier 255
#    n1 fast1 --[w12b]-- fast1 n2      n2: interval 10ms, multiplier 3,
#    + lan0 of both on the LAN              lan-interval 1s (n1 detects its
#                                           LAN session after 3 s)
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

DETECT2_MS=$(( 20 * 255 ))	# n2's detection time of n1

lab_log "== 2 nodes, 2 cables; n1 detects n2 after 60 ms, n2 detects n1 after $DETECT2_MS ms"
lab_b2b2
lab_write_config "interval = 10ms" "hold-down = 1s" "lan-interval = 1s"
sed -e 's|^multiplier[[:space:]]*=.*|multiplier = 255|' -e 's|^interval[[:space:]]*=.*|interval = 20ms|' \
	"$LAB_DIR/meshroute.conf" >"$LAB_DIR/n1.conf"
for node in n1 n2; do
	lab_monitor_start "$node"
done
lab_start_daemon n1
lab_start_daemon n2
lab_b2b2_up
rx0=$(lab_mr_sess n1 fast0 ipv4 rx_packets)

pid=${LAB_DAEMON[n1]}
lab_log "== n1's daemon stopped for 3 s"
lab_mono; t0=$LAB_MONO_MS
kill -s STOP "$pid"
lab_sleep 3
kill -s CONT "$pid"
lab_mono; stopped=$(( LAB_MONO_MS - t0 ))
# Measured between stamps taken outside the stop: at least as long as it was.
lab_log "      n1 stopped for at most $stopped ms"
(( stopped + 20 < DETECT2_MS )) ||
	lab_fail "the harness kept n1 stopped $stopped ms, past n2's detection time ($DETECT2_MS ms): nothing to judge"
wait_for 2 eval '[ "$(lab_mr_sess n1 fast0 ipv4 rx_packets)" -gt $((rx0 + 100)) ]' ||
	lab_fail "n1 did not read the probes queued while it was stopped"
lab_sleep 1

lab_b2b2_steady "after the stall"
grep -E "session Up -> |taken out of service" "$LAB_DIR/n1.log" "$LAB_DIR/n2.log" &&
	lab_fail "a session left Up or a cable was taken out"
line=$(grep -m1 "ran .* late" "$LAB_DIR/n1.log") || lab_fail "n1 did not say that it ran late"
lab_ok "n1: ${line#* }"
