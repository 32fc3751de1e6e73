#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/soak.sh OUT SECONDS: false positives.  Two nodes, one cable + LAN,
# meshrouted at 20ms x 3; for SECONDS, iperf3 TCP both ways across the cable
# and a CPU burner on every core (bench_soak).  Appends to OUT:
#   soak SECONDS FLAPS PATH_CHANGES MBIT_S BURNER...
. "$(dirname "$0")/../tests/lab/lib.sh"
trap lab_cleanup EXIT
. "$(dirname "$0")/lib.sh"
OUT=$1 SECS=$2
lab_require_daemon
lab_log "== soak: ${SECS} s, 20ms x 3, iperf3 --bidir over the cable, every core busy"
bench_b2b1
lab_start_daemons "interval = 20ms" "multiplier = 3"
lab_wait_routes 10
lab_sleep 1
bench_soak "$SECS" n1 n2
lab_log "   $SOAK_FLAPS session flaps, $SOAK_PATH_CHANGES route changes; iperf3 $SOAK_MBPS Mbit/s; burner: $SOAK_CPU"
echo "soak $SECS $SOAK_FLAPS ${SOAK_PATH_CHANGES%% *} $SOAK_MBPS $SOAK_CPU" >>"$OUT"
