#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 100
# False positives, short version (the benchmark's soak lasts 10 minutes):
# for 45 s (SOAK_SECS), iperf3 TCP in both directions saturates the n1 -- n2
# cable while a CPU burner (stress-ng, else shell busy loops) keeps every
# core busy; at 20ms x 3 no BFD session may flap and no route may move.
#
#        n1 fast0 --[w12]-- fast0 n2      + lan0 of each on one bridge
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
. "$(dirname "$0")/../../bench/lib.sh"
lab_require_daemon
command -v iperf3 >/dev/null || lab_fail "iperf3 missing: run make deps"

secs=${SOAK_SECS:-45}
lab_log "== 2 nodes, one cable, meshrouted 20ms x 3; ${secs} s of iperf3 + CPU burner"
bench_b2b1
lab_start_daemons "interval = 20ms" "multiplier = 3"
lab_wait_routes 10
lab_sleep 1
bench_soak "$secs" n1 n2
lab_log "   iperf3 ${SOAK_MBPS} Mbit/s both ways; burner: $SOAK_CPU"
assert_eq "session flaps under load" 0 "$SOAK_FLAPS"
assert_eq "route changes under load" 0 "$SOAK_PATH_CHANGES"
