#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# Clock steps: the wall clock of n1's daemon jumps an hour ahead, then three
# hours back, then to the truth (NTP stepping a clock, an admin setting the
# date), while a stream crosses the cables.  Every timer runs on
# CLOCK_MONOTONIC, so nothing may happen: no flap, no route change, no loss
# estimate, no lost packet.  The machine's clock is never touched: n1's
# daemon runs under libfaketime (LD_PRELOAD, monotonic left alone), which
# steps only what that process reads from CLOCK_REALTIME; its log
# timestamps (wall clock) show the steps took effect.
#
#    n1 fast0 --[w12a]-- fast0 n2
#    n1 fast1 --[w12b]-- fast1 n2      + lan0 of both on the LAN
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -e "$FAKETIME_LIB" ] || lab_fail "libfaketime missing: run make deps"
MESHROUTECTL=${MESHROUTECTL:-$LAB_REPO/build/meshroutectl}

lab_log "== 2 nodes, 2 cables; n1's daemon under libfaketime"
lab_b2b2
lab_write_config "hold-down = 1s"
for node in n1 n2; do lab_monitor_start "$node"; done
fake=$LAB_DIR/faketime
echo "+0" >"$fake"
LD_PRELOAD=$FAKETIME_LIB FAKETIME_TIMESTAMP_FILE=$fake FAKETIME_NO_CACHE=1 DONT_FAKE_MONOTONIC=1 \
	lab_start_daemon n1
lab_start_daemon n2
lab_b2b2_up

# The hour of n1's last log line after a reload (its wall clock).
n1_hour() {
	lab_mrctl n1 reload >/dev/null || lab_fail "reload failed"
	tail -n 3 "$LAB_DIR/n1.log" | grep -o '^[0-9][0-9]:' | tail -n1 | cut -c1-2
}
real_hour=$(date +%H)
lab_stream_start n1 n2 60000
for step in "+1h" "-2h" "+0"; do
	echo "$step" >"$fake"
	lab_sleep 3
	case $step in
	+1h) want=$(date -d "+1 hour" +%H) ;;
	-2h) want=$(date -d "-2 hour" +%H) ;;
	*) want=$(date +%H) ;;
	esac
	got=$(n1_hour)
	assert_eq "n1's wall clock hour after a step to $step (machine: $real_hour)" "$want" "$got"
done
lab_stream_wait
lost=$(lab_kv "$LAB_STREAM_RESULT" lost)
assert_le "stream packets lost across the clock steps" "$lost" 0

lab_b2b2_steady "during the steps"
grep -E "taken out of service|ran .* late" "$LAB_DIR/n1.log" "$LAB_DIR/n2.log" &&
	lab_fail "a clock step looked like loss or a late daemon"
lab_ok "no loss verdict, no lateness reported"
