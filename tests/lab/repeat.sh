#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The flake finder (make check-repeat N=5 [LOAD=stress] [TESTS="t_silent ..."]):
# runs the lab suite (tests/lab/run.sh, every test or those named) N times
# in a row and prints each test's pass rate, its failures and skips, and the
# first line of each failure.  With LOAD=stress, "stress-ng --cpu CPUS"
# (LOAD_CPUS, default 2) runs in the background for the whole of it, and is
# stopped on exit, also on failure or Ctrl-C.  A test that fails only
# under load while the daemons misbehave (flaps, a false failover) shows a
# product bug; a test that fails under load while the daemons did the right
# thing shows a test that depends on this machine's speed.
# Usage: tests/lab/repeat.sh N [TEST...]; exit 0 only if every run passed.
set -u
cd "$(dirname "$0")/../.."

n=${1:?usage: tests/lab/repeat.sh N [TEST...]}
shift
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "repeat: N must be a positive number, got '$n'" >&2; exit 2; }
load=${LOAD:-}
dir=$(mktemp -d /tmp/meshroute-repeat.XXXXXX)
stress_pid=

stop_load() {
	[ -n "$stress_pid" ] || return 0
	kill -s TERM "$stress_pid" 2>/dev/null
	wait "$stress_pid" 2>/dev/null
	stress_pid=
}
trap 'stop_load; echo "repeat: results in $dir"' EXIT
trap 'exit 130' INT TERM HUP

case $load in
"") ;;
stress)
	command -v stress-ng >/dev/null || { echo "repeat: stress-ng missing: run make deps" >&2; exit 1; }
	# No --timeout: it runs until stop_load; its own process group, so
	# that TERM reaches its workers.
	setsid stress-ng --cpu "${LOAD_CPUS:-2}" --quiet &
	stress_pid=$!
	echo "repeat: stress-ng --cpu ${LOAD_CPUS:-2} running (pid $stress_pid)"
	;;
*)
	echo "repeat: LOAD must be empty or 'stress', got '$load'" >&2
	exit 2
	;;
esac

rc=0
for ((i = 1; i <= n; i++)); do
	echo "== repeat: run $i of $n${load:+ (LOAD=$load)}"
	./tests/lab/run.sh "$@" 2>&1 | tee "$dir/run$i.log"
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	[ -z "$stress_pid" ] || kill -0 "$stress_pid" 2>/dev/null ||
		{ echo "repeat: stress-ng ended early: the load was not there" >&2; exit 1; }
done
stop_load

echo "== repeat: $n run(s)${load:+ with LOAD=$load}: passes per test"
cat "$dir"/run*.log | awk -v n="$n" '
	/^(PASS|FAIL|SKIP) / { t = $2; seen[t] = 1; r[t, $1]++ }
	/^FAIL: / && cur != "" && !(cur in why) { why[cur] = substr($0, 7) }
	/^== t_/ { cur = $2 }
	END {
		for (t in seen) {
			printf "%-22s %d/%d passed", t, r[t, "PASS"], n
			if (r[t, "FAIL"]) printf ", %d failed", r[t, "FAIL"]
			if (r[t, "SKIP"]) printf ", %d skipped", r[t, "SKIP"]
			if (r[t, "PASS"] + r[t, "FAIL"] + r[t, "SKIP"] < n) printf ", %d did not run", n - r[t, "PASS"] - r[t, "FAIL"] - r[t, "SKIP"]
			if (t in why) printf "  (first failure: %s)", why[t]
			printf "\n"
		}
	}' | sort
exit $rc
