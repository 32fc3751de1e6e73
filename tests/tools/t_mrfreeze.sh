#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mrfreeze (the busy-host tests' witness of whole-host freezes) sees a
# freeze that is there: watching CPU 0 only, a real-time busy loop of
# 300 ms on CPU 0 (above the witness's priority) must be reported as one
# freeze (its pieces joined) inside the loop's own time stamps, at least
# 300 ms - 2 x 10 ms long (the loop's start and the witness's 10 ms
# threshold).  Root (SCHED_FIFO); skipped otherwise.
set -u
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (SCHED_FIFO)"; exit 77; }
bin=build/mrfreeze
[ -x "$bin" ] || { echo "FAIL: $bin not built (make)"; exit 1; }
out=$(mktemp)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -f "$out"' EXIT
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

taskset -c 0 "$bin" -m 10 >"$out" &
pid=$!
for ((i = 0; i < 100; i++)); do grep -q '^watching' "$out" && break; sleep 0.05; done
grep -q '^watching 1 CPUs' "$out" || { echo "FAIL: mrfreeze did not start: $(cat "$out")"; exit 1; }
sleep 0.2
t0=$(now_us)
# timeout above the loop's priority, so that it can end it.
chrt -f 60 taskset -c 0 timeout 0.3 chrt -f 50 sh -c 'while :; do :; done'
t1=$(now_us)
sleep 0.2
kill -s TERM "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" = 0 ] || { echo "FAIL: mrfreeze exited $rc"; cat "$out"; exit 1; }
cat "$out"
# Pieces less than 2 ms apart joined; the longest freeze inside [t0, t1].
read -r from to ms <<<"$(awk -v t0="$t0" -v t1="$t1" '
	$1 == "freeze" { if (n && $2 - e <= 2000) { e = $3 } else { if (n) print s, e; s = $2; e = $3; n = 1 } }
	END { if (n) print s, e }' "$out" |
	awk -v t0="$t0" -v t1="$t1" '$1 >= t0 && $2 <= t1 + 20000 && $2 - $1 > best { best = $2 - $1; b = $0 }
	END { if (b != "") printf "%s %.1f\n", b, best / 1000 }')"
[ -n "${ms:-}" ] || { echo "FAIL: no freeze reported within the busy loop ($t0 .. $t1)"; exit 1; }
echo "busy loop $(( (t1 - t0) / 1000 )) ms (from its command's stamps); freeze seen: $ms ms"
awk -v ms="$ms" 'BEGIN { exit !(ms >= 280) }' || { echo "FAIL: freeze of $ms ms, expected >= 280"; exit 1; }
echo "ok: mrfreeze saw the freeze"
