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
# (the multiarch directory is the machine's: x86_64-linux-gnu, aarch64-linux-gnu, ...)
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n1)
[ -n "$FAKETIME_LIB" ] || lab_fail "libfaketime missing: run make deps"
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

# n1_offset: how far n1's wall clock is from the machine's, in seconds:
# the stamp of the line n1 logs for a reload, against the machine's time
# of day just before it (seconds since midnight both; a day's wrap is
# undone).  Sets OFFSET and SLACK (how long the reload took, whole seconds
# rounded up: the stamp is that much later at most).
n1_offset() {
	local t0 t1 stamp sod0 sod
	t0=$(now_us)
	lab_mrctl n1 reload >/dev/null || lab_fail "reload failed"
	t1=$(now_us)
	stamp=$(tail -n 3 "$LAB_DIR/n1.log" | grep 'reload: ' | tail -n1 | grep -o '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]') ||
		lab_fail "n1 logged no stamped reload line: $(tail -n 3 "$LAB_DIR/n1.log")"
	sod0=$(date -d "@$(( t0 / 1000000 ))" +%H:%M:%S | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
	sod=$(echo "$stamp" | awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
	OFFSET=$(( (sod - sod0 + 86400 + 43200) % 86400 - 43200 ))
	SLACK=$(( (t1 - t0 + 999999) / 1000000 + 1 ))
}
lab_stream_start n1 n2
for step in "+1h" "-2h" "+0"; do
	echo "$step" >"$fake"
	lab_sleep 3
	case $step in
	+1h) want=3600 ;;
	-2h) want=-7200 ;;
	*) want=0 ;;
	esac
	n1_offset
	# (the stamp is whole seconds: it may read up to a second early, and
	# later by what the reload took)
	(( OFFSET >= want - 1 && OFFSET <= want + SLACK )) ||
		lab_fail "n1's wall clock after a step to $step: $OFFSET s from the machine's, expected $want s (+$SLACK)"
	lab_ok "n1's wall clock after a step to $step: $OFFSET s from the machine's (expected $want s)"
done
lab_stream_stop
lab_log "      stream: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
lab_stream_lossless "stream across the clock steps"

lab_b2b2_steady "during the steps"
grep -E "taken out of service|ran .* late" "$LAB_DIR/n1.log" "$LAB_DIR/n2.log" &&
	lab_fail "a clock step looked like loss or a late daemon"
lab_ok "no loss verdict, no lateness reported"
