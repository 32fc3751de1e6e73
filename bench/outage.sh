#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/outage.sh OUT: failover of meshrouted, then detection of FRR's bfdd,
# on the same two-node topology (n1 fast0 --[w12]-- fast0 n2, + LAN), at
# every interval of $BENCH_INTERVALS (ms) x 3, for carrier loss, silent
# failure and one-way failure (n1 -> n2 dropped), $BENCH_TRIALS trials each
# ($BENCH_FAULTS: a subset of "carrier silent oneway").
# Appends raw values to OUT, one line each:
#   TOOL METRIC FAULT INTERVAL_MS VALUE...   ("miss" for a trial that failed)
. "$(dirname "$0")/../tests/lab/lib.sh"
trap lab_cleanup EXIT
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frr.sh"
OUT=$1
TRIALS=${BENCH_TRIALS:-10}
INTERVALS=${BENCH_INTERVALS:-10 20 50}
HOLD=${BENCH_HOLD:-1s}
LAB_STREAM_RATE=${BENCH_RATE:-10000}
FAULTS=
for f in ${BENCH_FAULTS:-carrier silent oneway}; do
	case $f in
	carrier) FAULTS+=" carrier:lab_cut_carrier" ;;
	silent) FAULTS+=" silent:lab_silent" ;;
	oneway) FAULTS+=" oneway:lab_oneway" ;;
	*) echo "bench: BENCH_FAULTS: $f is not one of carrier silent oneway" >&2; exit 2 ;;
	esac
done
lab_require_daemon

bench_b2b1
for ival in $INTERVALS; do
	lab_log "== meshrouted, ${ival}ms x 3, hold-down $HOLD: $TRIALS trials per fault"
	lab_start_daemons "interval = ${ival}ms" "multiplier = 3" "hold-down = $HOLD"
	lab_wait_routes 10
	for f in $FAULTS; do
		name=${f%%:*} fn=${f#*:}
		out=() det=() down=() back=()
		for ((i = 1; i <= TRIALS; i++)); do
			bench_trial "$fn" n1 n2
			out+=("${TRIAL_OUTAGE_MS:-miss}") det+=("${TRIAL_DETECT_MS:-miss}") back+=("${TRIAL_FAILBACK_MS:-miss}")
			down+=("${TRIAL_DOWN_MS:-miss}")
		done
		lab_log "   $name: outage ${out[*]} ms; sessions Down ${down[*]} ms; routes moved ${det[*]} ms;" \
			"fail-back beyond hold-down ${back[*]} ms"
		echo "meshrouted outage $name $ival ${out[*]}" >>"$OUT"
		echo "meshrouted down $name $ival ${down[*]}" >>"$OUT"
		echo "meshrouted detect $name $ival ${det[*]}" >>"$OUT"
		echo "meshrouted failback $name $ival ${back[*]}" >>"$OUT"
	done
	lab_stop_daemon n1
	lab_stop_daemon n2
done

if ! frr_available; then
	lab_log "== FRR not installed (apt-get install frr): no FRR rows"
	exit 0
fi
# meshrouted is gone, its routes with it.
wait_for 5 eval 'lab_no_proto_routes n1 && lab_no_proto_routes n2' || lab_log "   note: meshrouted routes left behind"
frr_loose_rpf n1 n2
for ival in $INTERVALS; do
	lab_log "== FRR $(frr_version) bfdd, ${ival}ms x 3: $TRIALS trials per fault (detection only)"
	frr_start n1 n2 "$ival" 3
	frr_start n2 n1 "$ival" 3
	wait_for 10 eval 'frr_up n1 && frr_up n2' || lab_fail "FRR sessions did not come up"
	lab_sleep 1
	for f in $FAULTS; do
		name=${f%%:*} fn=${f#*:}
		det=()
		for ((i = 1; i <= TRIALS; i++)); do
			# The same stream as meshrouted's trials, for the same load on
			# the host (it crosses the LAN here: no route follows bfdd).
			lab_stream_start n1 n2 $(( LAB_STREAM_RATE * 30 ))
			lab_sleep 0.3
			"$fn" n1 n2
			d=$(frr_detect_ms "$LAB_FAULT_US" n1 n2)
			det+=("${d:-miss}")
			lab_sleep 0.2
			lab_stream_stop
			lab_heal n1 n2
			wait_for 10 eval 'frr_up n1 && frr_up n2' || lab_fail "FRR sessions did not come back up"
			lab_sleep 0.5
		done
		lab_log "   $name: detection ${det[*]} ms"
		echo "frr detect $name $ival ${det[*]}" >>"$OUT"
	done
	frr_stop n1
	frr_stop n2
done
