#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sudo make bench  (or sudo ./bench/run.sh [SECTION...]): meshroute's numbers, measured in
# the namespace lab (tests/lab/lib.sh), printed as a table and written to
# build/bench/results.md.  Sections, each in its own lab run (own
# namespaces, all removed on exit, also on failure or Ctrl-C):
#   outage  meshrouted's failover (stream outage, detection, fail-back) and
#           FRR bfdd's detection, same topology, same run (bench/outage.sh)
#   cost    CPU, RSS and cost per probe packet against a bare UDP loop at
#           6, 60, 270 and 600 sessions on the measured node (bench/cost.sh),
#           BENCH_COST_WINDOWS windows of BENCH_COST_SECS each, medians
#           reported; `sudo ./bench/run.sh cost` runs only this part and
#           BENCH_COST_SETS="6" only the 6-session star (about 6 min); on
#           that star FRR bfdd's cost too, the same sessions (BENCH_COST_FRR=0: not)
#   soak    session flaps at 20ms x 3 under iperf3 + CPU burner (bench/soak.sh)
#   busy    false failovers on a busy host (bench/busy.sh): meshrouted at
#           20ms x 3 and 10ms x 3 (realtime no and yes) and FRR bfdd at
#           10ms x 3 side by side, one lab run per load of BENCH_BUSY_LOADS
#           ("churn cpu both flood"; flood: bench/busy.sh), BENCH_BUSY_WINDOWS (5) windows of
#           BENCH_BUSY_SECS (60) each; BENCH_BUSY_SETS ("mr20 mr10 mr10rt frr10")
#   flood   what a 100,000 pkt/s flood of each hostile kind costs meshrouted
#           (CPU, ns per packet, softirq) and an ordinary process's wake-up
#           lateness (bench/flood.sh; BENCH_FLOOD_WINDOWS, BENCH_FLOOD_SECS)
# Environment: BENCH_TRIALS (10), BENCH_INTERVALS ("10 20 50"), BENCH_RATE
# (stream pkt/s, 10000), BENCH_HOLD (1s), BENCH_SOAK (s, 600), BENCH_COST_SECS
# (10), BENCH_COST_WINDOWS (10), BENCH_COST_SETS ("6 60 270 600"), BENCH_COST_FRR (1), BENCH_FAULTS
# ("carrier silent oneway"), BENCH_BUSY_* (above), BENCH_SECTIONS
# ("outage cost soak busy flood"; SECTION arguments win).
set -u
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench: needs root (sudo make bench)" >&2; exit 1; }
for t in ip nft ss python3 iperf3; do
	command -v $t >/dev/null || { echo "bench: $t missing: run make deps" >&2; exit 1; }
done
[ -x build/meshrouted ] && [ -x build/mrstream ] || { echo "bench: run make first" >&2; exit 1; }
mkdir -p build/bench
cc -O2 -Wall -Wextra -Werror -o build/bench/udpfloor bench/udpfloor.c || exit 1

SECTIONS=${*:-${BENCH_SECTIONS:-outage cost soak busy flood}}
RAW=build/bench/raw.txt
BUSY=build/bench/busy.txt
FLOOD=build/bench/flood.txt
LOG=build/bench/run.log
: >"$RAW"
: >"$BUSY"
: >"$FLOOD"
: >"$LOG"
export BENCH_TRIALS=${BENCH_TRIALS:-10} BENCH_SOAK=${BENCH_SOAK:-600}
started=$(date -u +%FT%TZ)
t0=$(date +%s)
rc=0

section() {	# NAME CMD...
	local r
	export LAB_ID=mrb$$${RANDOM}x
	echo "== bench: $1" | tee -a "$LOG"
	"${@:2}" 2>&1 | tee -a "$LOG"
	r=${PIPESTATUS[0]}
	left=$(ip netns list | awk '{ print $1 }' | grep "^$LAB_ID-" | xargs)
	[ -z "$left" ] || { echo "bench: $1 left namespaces: $left" >&2; for ns in $left; do ip netns del "$ns"; done; }
	[ "$r" = 0 ] || { echo "bench: section $1 failed (exit $r)" | tee -a "$LOG"; rc=1; }
	[ "$r" = 130 ] && exit 130
}
trap 'exit 130' INT TERM

for s in $SECTIONS; do
	case $s in
	outage) section outage bash bench/outage.sh "$RAW" ;;
	cost)
		for n in ${BENCH_COST_SETS:-6 60 270 600}; do
			case $n in
			6) section "cost 6" bash bench/cost.sh "$RAW" 2 1 2 ;;
			60) section "cost 60" bash bench/cost.sh "$RAW" 2 10 2 ;;
			270) section "cost 270" bash bench/cost.sh "$RAW" 8 15 2 ;;
			600) section "cost 600" bash bench/cost.sh "$RAW" 19 15 2 ;;
			*) echo "bench: BENCH_COST_SETS: $n is not one of 6 60 270 600" >&2; exit 2 ;;
			esac
		done
		;;
	soak) section soak bash bench/soak.sh "$RAW" "$BENCH_SOAK" ;;
	flood) section flood bash bench/flood.sh "$FLOOD" ;;
	busy)
		for l in ${BENCH_BUSY_LOADS:-churn cpu both flood}; do
			case $l in
			churn|cpu|both|flood) section "busy $l" bash bench/busy.sh "$BUSY" "$l" ;;
			*) echo "bench: BENCH_BUSY_LOADS: $l is not one of churn cpu both flood" >&2; exit 2 ;;
			esac
		done
		;;
	*) echo "bench: unknown section $s" >&2; exit 2 ;;
	esac
done

frr=$(/usr/lib/frr/bfdd --version 2>/dev/null | sed -n 's/^bfdd version //p' | head -n1)
python3 bench/report.py "$RAW" \
	--started "$started" --minutes "$(( ($(date +%s) - t0 + 59) / 60 ))" \
	--machine "$(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)" \
	--kernel "$(uname -r)" --os "$(. /etc/os-release; echo "$PRETTY_NAME")" \
	--meshroute "$(git describe --always --dirty 2>/dev/null || echo unknown)" \
	--frr "${frr:-not installed}" --iperf3 "$(iperf3 --version 2>/dev/null | head -n1 | awk '{ print $2 }')" \
	--stress "$(stress-ng --version 2>/dev/null | awk '{ print $3 }')" \
	--env "BENCH_TRIALS=$BENCH_TRIALS BENCH_SOAK=$BENCH_SOAK BENCH_INTERVALS=\"${BENCH_INTERVALS:-10 20 50}\" BENCH_RATE=${BENCH_RATE:-10000} BENCH_HOLD=${BENCH_HOLD:-1s} BENCH_COST_SECS=${BENCH_COST_SECS:-10} BENCH_COST_WINDOWS=${BENCH_COST_WINDOWS:-10} BENCH_COST_SETS=\"${BENCH_COST_SETS:-6 60 270 600}\" BENCH_COST_FRR=${BENCH_COST_FRR:-1} BENCH_FAULTS=\"${BENCH_FAULTS:-carrier silent oneway}\"" \
	>build/bench/results.md
if [ -s "$BUSY" ]; then
	{
		echo "## False failovers on a busy host"
		echo
		echo "Preempt model: $(cat /sys/kernel/debug/sched/preempt 2>/dev/null || zcat /proc/config.gz 2>/dev/null | grep -E '^CONFIG_PREEMPT(_NONE|_VOLUNTARY|_LAZY|_RT|_DYNAMIC)?=y' | xargs || echo unknown)." \
			"Each cell: median [min–max] over the windows (bench/busy.sh)."
		echo
		bash bench/busy.sh --report "$BUSY"
		echo
	} >>build/bench/results.md
fi
if [ -s "$FLOOD" ]; then
	{
		echo "## Floods"
		echo
		echo "Per kind, over the windows (bench/flood.sh; raw lines in $FLOOD):"
		echo
		awk '/== flood: medians/ { on = 1 } /^== bench:/ { on = 0 } on { print "    " $0 }' "$LOG"
		echo
	} >>build/bench/results.md
fi
cat build/bench/results.md
echo "bench: table in build/bench/results.md, raw values in $RAW, log in $LOG"
exit $rc
