#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the libFuzzer harnesses built by `make fuzz-build` (build-fuzz/fuzz_NAME).
#
#   run.sh SECONDS NAME...   fuzz each NAME for SECONDS (make fuzz)
#   run.sh --check NAME...   make fuzz-check: replay tests/fuzz/regress/NAME/*,
#                            then fuzz them all within FUZZ_CHECK_BUDGET seconds
#                            of wall time (default 28; 9 s each with 5 or 6 harnesses
#                            on 2 CPUs), or FUZZ_CHECK_TIME seconds each if set
#
# Each run starts from a temporary copy of tests/fuzz/corpus/NAME/ plus
# tests/fuzz/regress/NAME/, so the repository never grows.  A crash is saved as
# build-fuzz/artifacts/NAME/crash-* (add it to tests/fuzz/regress/NAME/ once
# fixed) and fails the run.  Ends with "fuzz: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."

check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
	# Harnesses run as many at once as there are CPUs, so the wall time is
	# rounds * secs: split the budget over the rounds.
	rounds=$(( ($# + $(nproc) - 1) / $(nproc) ))
	secs=${FUZZ_CHECK_TIME:-$(( ${FUZZ_CHECK_BUDGET:-28} / (rounds > 0 ? rounds : 1) ))}
else
	secs=${1:?usage: run.sh SECONDS|--check NAME...}
	shift
fi
[ $# -gt 0 ] || { echo "usage: run.sh SECONDS|--check NAME..." >&2; exit 2; }

# Longest input worth trying per harness, bytes.
max_len() {
	case $1 in
	packet) echo 512 ;;		# a train of up to ~10 packets
	auth) echo 1024 ;;		# a few key lines and one packet
	config) echo 8192 ;;		# the example config is ~4 kB
	control) echo 4200 ;;		# just past CONTROL_MAX_REQUEST
	advert) echo 512 ;;		# a key file line and one message (<= 112 bytes)
	linkrep) echo 1536 ;;		# a key file line and one message (<= 1400 bytes)
	*) echo 4096 ;;
	esac
}

work=$(mktemp -d /tmp/meshroute-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p build-fuzz/artifacts

# fuzz_one NAME: fuzzes NAME for $secs seconds, log in $work/NAME.log; 0 if no crash.
fuzz_one() {
	local name=$1 bin=build-fuzz/fuzz_$1 corpus=$work/corpus-$1
	mkdir -p "$corpus" "build-fuzz/artifacts/$name"
	cp tests/fuzz/corpus/"$name"/* tests/fuzz/regress/"$name"/* "$corpus"/ 2>/dev/null
	# -timeout: one input taking 10 s is a hang; leaks count as crashes.
	"$bin" -max_total_time="$secs" -max_len="$(max_len "$name")" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$name/" \
		"$corpus" >"$work/$name.log" 2>&1
}

# replay NAME: runs every regression input of NAME once; 0 if none crashes.
replay() {
	local name=$1 files
	files=(tests/fuzz/regress/"$name"/*)
	[ -e "${files[0]}" ] || return 0
	if ! "build-fuzz/fuzz_$name" -timeout=10 "${files[@]}" >"$work/$name.replay" 2>&1; then
		tail -n 40 "$work/$name.replay"
		return 1
	fi
	echo "   replayed ${#files[@]} regression input(s)"
}

report() {
	local name=$1 rc=$2 runs cov
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
	cov=$(grep -o 'cov: [0-9]*' "$work/$name.log" | tail -n1)
	if [ "$rc" = 0 ]; then
		echo "PASS fuzz_$name (${secs} s, ${runs:-?} runs, ${cov:-cov: ?})"
		return 0
	fi
	echo "--- last lines of the fuzz_$name log"
	grep -v '^#[0-9]' "$work/$name.log" | tail -n 60
	echo "FAIL fuzz_$name (exit $rc); input saved in build-fuzz/artifacts/$name/"
	return 1
}

passed=0 failed=0
for name in "$@"; do
	[ -x "build-fuzz/fuzz_$name" ] || { echo "fuzz: build-fuzz/fuzz_$name missing: make fuzz-build" >&2; exit 1; }
done

if [ $check = 1 ]; then
	for name in "$@"; do
		echo "== fuzz_$name: regressions"
		if replay "$name"; then :; else
			echo "FAIL fuzz_$name: a regression input crashes again"
			failed=$((failed + 1))
		fi
	done
fi

# As many harnesses at once as there are CPUs; each has a fixed time budget.
jobs_max=$(nproc)
running=0
for name in "$@"; do
	echo "== fuzz_$name: ${secs} s"
	( fuzz_one "$name"; echo $? >"$work/$name.rc" ) &
	running=$((running + 1))
	if [ $running -ge "$jobs_max" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
for name in "$@"; do
	if report "$name" "$(cat "$work/$name.rc" 2>/dev/null || echo '?')"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed = 0 ]
