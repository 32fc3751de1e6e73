# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# A busy host, for tests/lab/t_busy_*.sh and bench/busy.sh; sourced after
# tests/lab/lib.sh (it replaces lab_cleanup as the EXIT trap by
# busy_cleanup, which stops the load first and then runs lab_cleanup).
#
# The load is what a Ceph or Proxmox node lives with:
#   churn  guests starting and stopping: a loop that creates a network
#          namespace "$LAB_ID-chN", adds $BUSY_VETHS (100) veth pairs in it
#          with one `ip -n NS -batch -` and deletes it again (the kernel's
#          RTNL and its namespace clean-up, cleanup_net, work hard);
#   cpu    every core saturated: stress-ng --cpu $BUSY_CPU_WORKERS (two
#          workers per core: more runnable tasks than there are cores, as
#          `stress-ng --cpu 4` on issue 22's 2-core host).
# Each runs in a session of its own (setsid), as the services that start
# guests or run Ceph do on a real host: the scheduler shares the CPU
# between sessions (autogroup) or services (cgroups) before it shares it
# between their tasks.  busy_load_start churn|cpu|both starts it,
# busy_load_check says whether it still runs (a load that died or never
# started would make any test pass), busy_load_stop stops it and sets
# BUSY_CHURN_NS (namespaces churned), BUSY_CHURN_FAILS (namespaces whose
# veths could not be made) and BUSY_CHURN_RATE (per second).  Both are
# stopped and every churn namespace removed on exit, also when the test
# fails or is interrupted (busy_cleanup).
#
# Counting what the load did to the daemons:
#   busy_counts NODE           BUSY_FLAPS, BUSY_MTU_FLAPS (over all of NODE's
#                              sessions), BUSY_TAKEOVERS and BUSY_SENDS (its
#                              standby thread's takeovers and stand-in
#                              probes, "-" for a daemon without), now;
#                              a dead daemon or a control socket that does
#                              not answer is a failure, never a 0
#   busy_route_events NODE     BUSY_EVENTS: meshroute route events of NODE so
#                              far ("ip monitor route" since its daemon
#                              started), after making sure the monitor has
#                              read every change the kernel made until now
#   busy_mark NODE...          remember each node's counts
#   busy_since_mark NODE       BUSY_D_FLAPS, BUSY_D_MTU, BUSY_D_EVENTS since busy_mark
#   busy_assert_steady WHAT NODE...  0, 0 and 0 on every node, or the test fails
# (They set variables instead of printing: a lab_fail inside "$(...)" would
# only end the subshell, and the caller would read an empty count as 0.)
#
# Topology busy_meshes K: K 3-node full meshes on one LAN, each with its own
# config (busy_config), so that several sets of settings live through the
# same load at the same time:
#   n1 fast0 -[w12]- fast1 n2, n1 fast1 -[w13]- fast0 n3, n2 fast0 -[w23]- fast1 n3
#   n4 fast0 -[w45]- fast1 n5, n4 fast1 -[w46]- fast0 n6, n5 fast0 -[w56]- fast1 n6
# Six daemons on the host: more load than one cluster node carries, on purpose.

BUSY_VETHS=${BUSY_VETHS:-100}
BUSY_CPU_WORKERS=${BUSY_CPU_WORKERS:-$(( 2 * $(nproc) ))}
BUSY_CHURN_PID=
BUSY_CPU_PID=
BUSY_CHURN_T0=
BUSY_CHURN_NS=0
BUSY_CHURN_FAILS=0
BUSY_CHURN_RATE=0
BUSY_SYNC=0
declare -A BUSY_MARK_FLAPS BUSY_MARK_MTU BUSY_MARK_EVENTS BUSY_MARK_US BUSY_DETECT_MS BUSY_INTERVAL_MS
MRFREEZE=${MRFREEZE:-$LAB_REPO/build/mrfreeze}
BUSY_FREEZE_PID=

# ---- the load ------------------------------------------------------------------

# busy_churn_loop PREFIX COUNTFILE: the churn (runs in a background bash of
# its own).  COUNTFILE gets "NAMESPACES FAILED_BATCHES" after each round.
# A TERM lets the namespace in hand be deleted before it exits; a failure to
# create a namespace ends the loop (busy_load_check then fails the test).
busy_churn_loop() {
	local prefix=$1 count=$2 i=0 fails=0 k batch="" stop=0
	for ((k = 0; k < BUSY_VETHS; k++)); do
		batch+="link add ch${k}a type veth peer name ch${k}b"$'\n'
	done
	trap 'stop=1' TERM INT
	trap - EXIT
	set +e
	while [ $stop = 0 ]; do
		i=$((i + 1))
		ip netns add "$prefix$i" || break
		printf '%s' "$batch" | ip -n "$prefix$i" -batch - >/dev/null 2>&1 || fails=$((fails + 1))
		ip netns del "$prefix$i"
		echo "$i $fails" >"$count.tmp" && mv "$count.tmp" "$count"
	done
	ip netns del "$prefix$i" 2>/dev/null
	exit 0
}

busy_churn_start() {
	[ -z "$BUSY_CHURN_PID" ] || return 0
	echo "0 0" >"$LAB_DIR/churn.count"
	BUSY_VETHS=$BUSY_VETHS setsid bash -c "$(declare -f busy_churn_loop); busy_churn_loop $LAB_ID-ch $LAB_DIR/churn.count" &
	BUSY_CHURN_PID=$!
	LAB_PIDS+=("$BUSY_CHURN_PID")	# lab_teardown's backstop
	BUSY_CHURN_T0=$(now_us)
}

# busy_churn_count: "NAMESPACES FAILED_BATCHES" so far.
busy_churn_count() { cat "$LAB_DIR/churn.count" 2>/dev/null || echo "0 0"; }

busy_churn_stop() {
	local t1
	[ -n "$BUSY_CHURN_PID" ] || return 0
	kill -s TERM "$BUSY_CHURN_PID" 2>/dev/null
	# The loop finishes the namespace in hand (a second or so on a busy host).
	wait_for 20 eval '! lab_alive '"$BUSY_CHURN_PID" || kill -s KILL "$BUSY_CHURN_PID" 2>/dev/null
	wait "$BUSY_CHURN_PID" 2>/dev/null || true
	lab_reaped "$BUSY_CHURN_PID"
	BUSY_CHURN_PID=
	t1=$(now_us)
	busy_churn_clean
	read -r BUSY_CHURN_NS BUSY_CHURN_FAILS <<<"$(busy_churn_count)"
	BUSY_CHURN_RATE=$(awk -v n="$BUSY_CHURN_NS" -v t=$((t1 - BUSY_CHURN_T0)) \
		'BEGIN { printf "%.1f", (t > 0 ? n / (t / 1e6) : 0) }')	# (unparenthesised, ">" redirects)
}

# busy_churn_clean: removes churn namespaces of this run that are left
# (a loop killed in the middle of one).  Nothing runs inside them.
busy_churn_clean() {
	local ns
	for ns in $(ip netns list | awk '{ print $1 }' | grep "^$LAB_ID-ch[0-9]*$"); do
		ip netns del "$ns" 2>/dev/null
	done
}

busy_cpu_workers() { pgrep -c -P "$BUSY_CPU_PID" 2>/dev/null || true; }

busy_cpu_start() {
	[ -z "$BUSY_CPU_PID" ] || return 0
	command -v stress-ng >/dev/null || lab_fail "stress-ng missing: run make deps"
	# A time limit as a backstop: it cannot outlive a run killed hard
	# (run.sh also kills every process of the run, by its LAB_ID).
	setsid stress-ng --cpu "$BUSY_CPU_WORKERS" --timeout "${BUSY_CPU_MAX_S:-600}s" --quiet >/dev/null 2>&1 &
	BUSY_CPU_PID=$!
	LAB_PIDS+=("$BUSY_CPU_PID")
	wait_for 5 eval '[ "$(busy_cpu_workers)" -ge '"$BUSY_CPU_WORKERS"' ]' ||
		lab_fail "stress-ng did not start its $BUSY_CPU_WORKERS workers"
}

busy_cpu_stop() {
	[ -n "$BUSY_CPU_PID" ] || return 0
	# stress-ng ends its workers on TERM.
	kill -s TERM "$BUSY_CPU_PID" 2>/dev/null
	wait_for 10 eval '! lab_alive '"$BUSY_CPU_PID"' && [ "$(busy_cpu_workers)" = 0 ]' || {
		pkill -KILL -P "$BUSY_CPU_PID" 2>/dev/null
		kill -s KILL "$BUSY_CPU_PID" 2>/dev/null
	}
	wait "$BUSY_CPU_PID" 2>/dev/null || true
	lab_reaped "$BUSY_CPU_PID"
	BUSY_CPU_PID=
}

# busy_load_start churn|cpu|both|none / busy_load_stop
busy_load_start() {
	case $1 in
	churn) busy_churn_start ;;
	cpu) busy_cpu_start ;;
	both) busy_cpu_start; busy_churn_start ;;
	none) ;;
	*) lab_fail "busy_load_start: unknown load '$1'" ;;
	esac
}

# busy_load_check WHAT: the load started is still running, in full: the
# churn loop alive and every one of its rounds made its veths, stress-ng
# with all its workers.  A test under a load that is gone tests nothing.
busy_load_check() {
	local n f
	if [ -n "$BUSY_CHURN_PID" ]; then
		lab_alive "$BUSY_CHURN_PID" || lab_fail "$1: the churn loop ended by itself (ip netns add failed?)"
		read -r n f <<<"$(busy_churn_count)"
		[ "$n" -ge 1 ] || lab_fail "$1: the churn loop has not finished one namespace"
		[ "$f" = 0 ] || lab_fail "$1: $f of $n churn namespaces did not get their $BUSY_VETHS veth pairs"
	fi
	if [ -n "$BUSY_CPU_PID" ]; then
		lab_alive "$BUSY_CPU_PID" && [ "$(busy_cpu_workers)" -ge "$BUSY_CPU_WORKERS" ] ||
			lab_fail "$1: stress-ng no longer runs its $BUSY_CPU_WORKERS workers"
	fi
	return 0
}

busy_load_stop() {
	busy_churn_stop
	busy_cpu_stop
}

# ---- the witness of whole-host freezes -------------------------------------------

# busy_freeze_start: tests/tools/mrfreeze watches every CPU (a real-time
# thread pinned to each, waking every millisecond) and logs, to
# $LAB_DIR/freeze.log, each stretch of 5 ms or more during which no CPU ran
# it: the whole host stood still, no daemon could send or read.
busy_freeze_start() {
	[ -z "$BUSY_FREEZE_PID" ] || return 0
	[ -x "$MRFREEZE" ] || lab_fail "$MRFREEZE is not built: run make"
	"$MRFREEZE" -m 5 >"$LAB_DIR/freeze.log" 2>&1 &
	BUSY_FREEZE_PID=$!
	LAB_PIDS+=("$BUSY_FREEZE_PID")
	wait_for 5 grep -q '^watching' "$LAB_DIR/freeze.log" ||
		lab_fail "mrfreeze did not start: $(cat "$LAB_DIR/freeze.log")"
}

busy_freeze_stop() {
	[ -n "$BUSY_FREEZE_PID" ] || return 0
	kill -s TERM "$BUSY_FREEZE_PID" 2>/dev/null
	wait "$BUSY_FREEZE_PID" 2>/dev/null || true
	lab_reaped "$BUSY_FREEZE_PID"
	BUSY_FREEZE_PID=
}

# busy_freezes AFTER_US: "START_US END_US MS" of each whole-host freeze
# since AFTER_US (mrfreeze's pieces of one freeze joined).
busy_freezes() {
	awk -v after="$1" '$1 == "freeze" && $3 >= after {
		if (n && $2 - e <= 2000) { e = $3; next }
		if (n) printf "%.0f %.0f %.1f\n", s, e, (e - s) / 1000
		s = $2; e = $3; n = 1
	} END { if (n) printf "%.0f %.0f %.1f\n", s, e, (e - s) / 1000 }' "$LAB_DIR/freeze.log" 2>/dev/null
}

# busy_explain NODE FROM_US TO_US: the session Downs NODE's daemon logged
# in [FROM_US, TO_US) and how many of them a whole-host freeze explains:
# one at least as long as NODE's detection time less one interval less
# 5 ms (the peer's last probe before the freeze left up to one interval
# before it; 5 ms for the witness's own resolution and for which process
# runs first after it), the Down stamped between the freeze's start and
# one detection time after its end.  Sets BUSY_DOWNS, BUSY_UNEXPLAINED and
# BUSY_EXCUSE (the freezes that explain some, their lengths).
busy_explain() {
	local n=$1 det=${BUSY_DETECT_MS[$1]:-60} ivl=${BUSY_INTERVAL_MS[$1]:-20} downs freezes r
	downs=$(awk -v after="$2" -v before="$3" -v midnight="$(lab_midnight "$2")" "$LAB_LOG_AWK"'
		stamped($1) && / -> Down/ && (us = stamp_us($1)) >= after && us < before { printf "%.0f\n", us }' \
		"$LAB_DIR/$n.log")
	freezes=$(busy_freezes "$(( $2 - det * 1000 ))" | awk -v min=$((det - ivl - 5)) '$3 >= min')
	r=$(printf '%s\n' "$downs" | awk -v det=$((det * 1000)) -v fz="$freezes" '
		BEGIN { nf = split(fz, l, "\n")
			for (i = 1; i <= nf; i++) { split(l[i], x, " "); fs[i] = x[1]; fe[i] = x[2]; fm[i] = x[3] } }
		NF { total++; ok = 0
		     for (i = 1; i <= nf; i++) if ($1 >= fs[i] && $1 <= fe[i] + det) { ok = i; break }
		     if (ok) used[ok] = 1; else bad++ }
		END { printf "%d %d ", total, bad
		      for (i = 1; i <= nf; i++) if (i in used) printf "%s%.1f ms", (k++ ? ", " : ""), fm[i] }')
	read -r BUSY_DOWNS BUSY_UNEXPLAINED BUSY_EXCUSE <<<"$r"
}

# busy_excused NODE: NODE's daemon logged session Downs since its
# busy_mark, and a whole-host freeze explains every one (busy_explain).
# A node with route changes but no session Down (a loss or MTU verdict) is
# never excused.  BUSY_EXCUSE says what explains them.
busy_excused() {
	busy_explain "$1" "${BUSY_MARK_US[$1]}" "$(now_us)"
	[ "$BUSY_DOWNS" -gt 0 ] && [ "$BUSY_UNEXPLAINED" = 0 ] || return 1
	BUSY_EXCUSE="$BUSY_DOWNS session Down(s) each within the detection time of a whole-host freeze ($BUSY_EXCUSE)"
}

# The EXIT trap: the load goes first (its namespaces are not in
# LAB_NAMESPACES), then lab_cleanup, with the test's exit status.  Signals
# are ignored from here on, as lab_cleanup does: a second Ctrl-C must not
# leave the churn or stress-ng running.
busy_cleanup() {
	local rc=$?
	trap '' HUP INT TERM PIPE
	# A signal noted during lab_sleep (LAB_SIGNAL) would make every
	# lab_sleep of the clean-up exit again, cutting it short.
	LAB_SIGNAL=
	set +e
	busy_load_stop
	busy_freeze_stop
	busy_churn_clean
	(exit "$rc")
	lab_cleanup
}
trap busy_cleanup EXIT

# ---- counting --------------------------------------------------------------------

# busy_counts NODE: BUSY_FLAPS and BUSY_MTU_FLAPS summed over every session
# of NODE's daemon (MTU flaps: MTU sessions that went Down while their
# regular session stayed Up, a false MTU verdict's kind), BUSY_TAKEOVERS
# (scheduling.standby_takeovers; "-" if the daemon reports none).
busy_counts() {
	local node=$1 pid out
	pid=${LAB_DAEMON[$node]:-}
	[ -n "$pid" ] && lab_alive "$pid" || lab_fail "meshrouted on $node is not running (see $LAB_DIR/$node.log)"
	out=$(timeout 5 "$MESHROUTECTL" -s "$LAB_DIR/$node.sock" -j status 2>&1) ||
		lab_fail "meshrouted on $node does not answer on its control socket: $out"
	out=$(printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = d["sessions"]
t = d.get("scheduling", {}).get("standby_takeovers", "-")
u = d.get("scheduling", {}).get("standby_sends", "-")
print("%d %d %s %s" % (sum(x["flaps"] for x in s), sum(x.get("mtu_flaps") or 0 for x in s), t, u) if s else "no-sessions")') ||
		lab_fail "meshroutectl status of $node is not JSON with sessions[].flaps"
	[[ $out =~ ^([0-9]+)\ ([0-9]+)\ ([0-9]+|-)\ ([0-9]+|-)$ ]] || lab_fail "meshrouted on $node has no sessions ($out)"
	BUSY_FLAPS=${BASH_REMATCH[1]} BUSY_MTU_FLAPS=${BASH_REMATCH[2]} BUSY_TAKEOVERS=${BASH_REMATCH[3]}
	BUSY_SENDS=${BASH_REMATCH[4]}
}

# busy_monitor_sync NODE: returns once NODE's "ip monitor" has printed every
# route change the kernel made before the call: a route of another
# protocol (99) to a documentation address is added and deleted, and its
# deletion must show up in the monitor's log (netlink notifications of one
# namespace arrive in order).  A monitor that lags behind on a busy host
# would otherwise hide the latest changes from a count.
busy_monitor_sync() {
	local node=$1 addr ns f=$LAB_DIR/$1.routes
	BUSY_SYNC=$((BUSY_SYNC + 1))
	addr=198.51.$(( BUSY_SYNC / 250 % 250 )).$(( BUSY_SYNC % 250 + 1 ))
	ns=$(lab_ns "$node")
	ip -n "$ns" route add "$addr/32" dev lo proto 99 metric 4242 &&
		ip -n "$ns" route del "$addr/32" dev lo proto 99 metric 4242 ||
		lab_fail "cannot add and delete a marker route on $node"
	wait_for 10 grep -q "Deleted $addr dev lo .*proto 99 " "$f" ||
		lab_fail "the route monitor of $node did not see a marker route within 10 s"
}

# busy_route_events NODE: BUSY_EVENTS, meshroute's route events on NODE so far.
busy_route_events() {
	local f=$LAB_DIR/$1.routes
	[ -n "${LAB_MONITOR[$1]:-}" ] && lab_alive "${LAB_MONITOR[$1]}" ||
		lab_fail "no route monitor running on $1"
	busy_monitor_sync "$1"
	BUSY_EVENTS=$(grep -c " proto \($LAB_PROTO\|meshroute\) " "$f" || true)
	lab_is_number "$BUSY_EVENTS" || lab_fail "cannot count the route events in $f"
}

busy_mark() {	# NODE...
	local n
	for n in "$@"; do
		BUSY_MARK_US[$n]=$(now_us)
		busy_counts "$n"
		busy_route_events "$n"
		BUSY_MARK_FLAPS[$n]=$BUSY_FLAPS BUSY_MARK_MTU[$n]=$BUSY_MTU_FLAPS BUSY_MARK_EVENTS[$n]=$BUSY_EVENTS
	done
}

busy_since_mark() {	# NODE: BUSY_D_FLAPS BUSY_D_MTU BUSY_D_EVENTS since busy_mark
	busy_counts "$1"
	busy_route_events "$1"
	BUSY_D_FLAPS=$(( BUSY_FLAPS - ${BUSY_MARK_FLAPS[$1]:?busy_mark $1 first} ))
	BUSY_D_MTU=$(( BUSY_MTU_FLAPS - BUSY_MARK_MTU[$1] ))
	BUSY_D_EVENTS=$(( BUSY_EVENTS - BUSY_MARK_EVENTS[$1] ))
}

# busy_assert_steady WHAT NODE...: no flap, no MTU flap and no route event
# on any node since busy_mark; prints every node's figures first, then
# fails on any.
busy_assert_steady() {
	local what=$1 n f m e bad=() line=""
	shift
	for n in "$@"; do
		busy_since_mark "$n"
		f=$BUSY_D_FLAPS m=$BUSY_D_MTU e=$BUSY_D_EVENTS
		line+=" $n: $f flaps, $m MTU flaps, $e route events;"
		[ "$f" = 0 ] && [ "$m" = 0 ] && [ "$e" = 0 ] || bad+=("$n")
	done
	lab_log "   $what:${line%;}"
	busy_freeze_report
	[ ${#bad[@]} = 0 ] || {
		for n in "${bad[@]}"; do
			echo "   --- $n.log (sessions, verdicts, lateness, paths):" >&2
			grep -E "session .* -> |ran [0-9.]+ ms late|path .* -> |loss|MTU" "$LAB_DIR/$n.log" | tail -n 8 >&2
		done
		busy_all_excused "${bad[@]}" &&
			lab_skip "$what: the host itself froze (every CPU, tests/tools/mrfreeze) longer than the" \
				"detection time allows: no process could send or read; ${bad[*]}: $BUSY_EXCUSE." \
				"Not the daemon's doing; a host that freezes so needs longer timers"
		lab_fail "$what: flaps or route changes on ${bad[*]}"
	}
	lab_ok "$what: 0 flaps, 0 MTU flaps and 0 route changes on $*"
}

# busy_all_excused NODE...: busy_excused for each (BUSY_EXCUSE: the last one's).
busy_all_excused() {
	local n
	[ -n "$BUSY_FREEZE_PID" ] || return 1
	for n in "$@"; do busy_excused "$n" || return 1; done
}

# busy_freeze_report: the whole-host freezes since the first node's mark, logged.
busy_freeze_report() {
	local all
	[ -n "$BUSY_FREEZE_PID" ] || return 0
	all=$(busy_freezes "${BUSY_MARK_US[n1]:-0}")
	if [ -z "$all" ]; then
		lab_log "   whole-host freezes (every CPU stopped >= 5 ms): none"
	else
		lab_log "   whole-host freezes (every CPU stopped >= 5 ms): $(printf '%s\n' "$all" | wc -l)," \
			"the longest $(printf '%s\n' "$all" | sort -k3 -n | tail -n1 | cut -d' ' -f3) ms"
	fi
}

# busy_late NODE: "COUNT MAX_MS" of NODE's "meshrouted ran X ms late" log
# lines so far (one line per episode, at most one a second: a count of
# episodes, not of late wake-ups).
busy_late() {
	awk 'match($0, /ran [0-9.]+ ms late/) {
		v = substr($0, RSTART + 4, RLENGTH - 12) + 0; n++; if (v > m) m = v }
	END { printf "%d %g\n", n, m }' "$LAB_DIR/$1.log"
}

# ---- topology and configs -------------------------------------------------------

# busy_meshes K: K 3-node full meshes (n1-n3, n4-n6, ...) on one LAN.
busy_meshes() {
	local k a b c nodes=()
	for ((k = 0; k < $1; k++)); do
		nodes+=("n$((3 * k + 1))" "n$((3 * k + 2))" "n$((3 * k + 3))")
	done
	for a in "${nodes[@]}"; do lab_node "$a"; done
	lab_lan "${nodes[@]}"
	for ((k = 0; k < $1; k++)); do
		a=$((3 * k + 1)) b=$((3 * k + 2)) c=$((3 * k + 3))
		lab_cable "w$a$b" "n$a" fast0 "n$b" fast1
		lab_cable "w$a$c" "n$a" fast1 "n$c" fast0
		lab_cable "w$b$c" "n$b" fast0 "n$c" fast1
	done
	lab_finish_build
}

# busy_config "NODE..." [LINE...]: $LAB_DIR/NODE.conf for each of the nodes
# (which lab_start_daemon then uses): a cluster of those nodes only, with
# the daemon's own defaults except for the [global] LINEs given -- unlike
# lab_write_config, which adds the lab's (realtime = yes among them).
busy_config() {
	local nodes=$1 node first
	shift
	first=${nodes%% *}
	{
		echo "# written by tests/lab/busy_lib.sh for run $LAB_ID"
		echo "[global]"
		printf '%s\n' "$@"
		for node in $nodes; do
			printf '\n[node %s]\naddress = %s\nlan = lan0\nfast = %s\n' \
				"$node" "$(lab_addr "$node")" "${LAB_FAST[$node]}"
		done
	} >"$LAB_DIR/$first.conf"
	for node in ${nodes#"$first"}; do
		cp "$LAB_DIR/$first.conf" "$LAB_DIR/$node.conf"
	done
}

# busy_start NODE...: route monitors, then the daemons (with their configs).
busy_start() {
	local n
	for n in "$@"; do lab_monitor_start "$n"; done
	for n in "$@"; do lab_start_daemon "$n"; done
}

# busy_wait_up TIMEOUT_S NODE...: every route between the nodes on its cable.
busy_wait_up() {
	local t=$1
	shift
	wait_for "$t" lab_routes_fast "$@" && return 0
	lab_show_routes >&2
	lab_fail "routes of $* did not all move to the fast ports within $t s"
}

# ---- a real fault under load -----------------------------------------------------

# busy_down_us NODE PEER AFTER_US: wall-clock us of NODE's first "session
# Up -> Down" line for its session to PEER over their cable, at or after
# AFTER_US; empty if none (yet).
busy_down_us() {
	local a=$1 b=$2
	local addr
	addr=$(lab_addr "$b")
	# (bracket expressions, not backslashes: awk -v would eat those)
	lab_log_match_us "$a" "^$b [(]${addr//./[.]}[)] via $(lab_port "$a" "$b"): session Up -> Down" "$3"
}

# busy_cut A B DETECT_MS: with the load running, the A -- B cable goes
# silent (lab_silent: nothing passes, carrier stays).  Both daemons must
# log their session Down within DETECT_MS + BUSY_SLACK_MS of the stamp
# taken right AFTER the fault's command returned (LAB_FAULT_AFTER_US): by
# then the fault is in place, so the last probe either end received came
# before it, and a daemon on time declares the session Down DETECT_MS
# (interval x multiplier) after that probe or earlier.  BUSY_SLACK_MS
# (default: DETECT_MS once more) is the daemon's own lateness allowed:
# beyond one detection time its own probes would leave more than a
# detection time apart too, so its peers would have declared it dead, which
# the steady-state check just forbade.  Neither the fault command's
# duration nor a late "ip monitor" can fail the check; both times come from
# the daemons' own log stamps.  The routes' moves are then waited for (5 s:
# they go through the RTNL lock, which the churn holds for long stretches;
# how long they took, from the daemons' "path ... -> LAN" lines, is
# printed, not bounded).  Sets BUSY_CUT_DOWN_MS (after-stamp -> the later
# session Down) and BUSY_CUT_ROUTE_MS (after-stamp -> the later route move).
busy_cut() {
	local a=$1 b=$2 detect=$3 slack da= db= last
	slack=${BUSY_SLACK_MS:-$detect}
	lab_silent "$a" "$b"
	wait_for 5 eval "lab_route_is $a $b lan && lab_route_is $b $a lan" || {
		lab_show_routes >&2
		lab_fail "the $a -- $b cable went silent under load; its routes stayed on it for 5 s"
	}
	wait_for 2 eval 'da=$(busy_down_us '"$a $b $LAB_FAULT_BEFORE_US"'); [ -n "$da" ]' ||
		lab_fail "$a moved its route to $b but logged no session Down"
	wait_for 2 eval 'db=$(busy_down_us '"$b $a $LAB_FAULT_BEFORE_US"'); [ -n "$db" ]' ||
		lab_fail "$b moved its route to $a but logged no session Down"
	last=$(( da > db ? da : db ))
	BUSY_CUT_DOWN_MS=$(lab_us_str $(( last > LAB_FAULT_AFTER_US ? last - LAB_FAULT_AFTER_US : 0 )))
	lab_event_bounds "$LAB_FAULT_BEFORE_US" "$LAB_FAULT_AFTER_US" "$a" "$b" lan "$b" "$a" lan
	BUSY_CUT_ROUTE_MS=$LAB_EV_LO_MS
	lab_log "   silent cut $a -- $b: sessions Down $BUSY_CUT_DOWN_MS ms after the fault command returned" \
		"($a $(lab_us_str $(( da - LAB_FAULT_AFTER_US ))), $b $(lab_us_str $(( db - LAB_FAULT_AFTER_US ))) ms;" \
		"the command took $LAB_EV_CMD_MS ms), both routes off the cable $BUSY_CUT_ROUTE_MS ms after it;" \
		"detection time $detect ms"
	assert_le "silent cut $a -- $b under load: both sessions Down, from the fault in place" \
		"$BUSY_CUT_DOWN_MS" $(( detect + slack )) " ms"
}

# ---- the lab tests' common body ----------------------------------------------------

# BUSY_SETTINGS: the [global] lines of the 10 ms mesh (BUSY_FAST=1): the
# defaults otherwise, realtime = no (README: leave it off on busy nodes).
BUSY_SETTINGS=("realtime = no")

# busy_test LOAD (churn|cpu|both): a 3-node mesh, n1-n3, at the daemon's
# defaults (20ms x 3, what README.md advises for busy nodes) under LOAD for
# $BUSY_SECS (25) seconds.  No session may flap and no route may move on
# any node; then, still under load, one cable goes silent and both of its
# sessions must go Down in time (busy_cut), and nothing else may move.
# BUSY_FAST=1 adds a second mesh, n4-n6, at 10ms x 3 (BUSY_SETTINGS) held
# to the same rules: it passed under these loads (9 runs of the three
# tests), but flapped in 3 of 6 runs with stress-ng --cpu 2 added on top
# (docs/BENCHMARKS.md, "Busy host"), so it is not part of make check.
busy_test() {
	local load=$1 secs=${BUSY_SECS:-25} n f m nodes="n1 n2 n3"
	lab_require_daemon
	if [ "${BUSY_FAST:-0}" = 1 ]; then
		nodes="n1 n2 n3 n4 n5 n6"
		lab_log "== two 3-node meshes: n1-n3 defaults (20ms x 3), n4-n6 10ms x 3 with ${BUSY_SETTINGS[*]}; load: $load, ${secs} s"
		busy_meshes 2
		busy_config "n1 n2 n3"
		busy_config "n4 n5 n6" "interval = 10ms" "multiplier = 3" "${BUSY_SETTINGS[@]}"
	else
		lab_log "== a 3-node mesh at the defaults (20ms x 3); load: $load, ${secs} s"
		busy_meshes 1
		busy_config "n1 n2 n3"
	fi
	for n in n1 n2 n3; do BUSY_DETECT_MS[$n]=60 BUSY_INTERVAL_MS[$n]=20; done
	for n in n4 n5 n6; do BUSY_DETECT_MS[$n]=30 BUSY_INTERVAL_MS[$n]=10; done
	# shellcheck disable=SC2086
	busy_start $nodes
	busy_freeze_start
	busy_wait_up 15 n1 n2 n3
	[ "${BUSY_FAST:-0}" = 1 ] && busy_wait_up 15 n4 n5 n6
	# The mark comes before the load: its own start-up (stress-ng forking,
	# the first namespaces) is part of the test.
	# shellcheck disable=SC2086
	busy_mark $nodes
	busy_load_start "$load"
	lab_sleep "$secs"
	busy_load_check "after ${secs} s of $load"
	[ "$load" = cpu ] || lab_log "   churn so far: $(busy_churn_count | cut -d' ' -f1) namespaces of $BUSY_VETHS veth pairs"
	for n in $nodes; do
		read -r f m <<<"$(busy_late "$n")"
		busy_counts "$n"
		lab_log "   $n: $f \"ran late\" episodes logged$([ "$f" = 0 ] || echo ", the worst $m ms");" \
			"standby takeovers so far: $BUSY_TAKEOVERS, probes it sent for a stuck main thread: $BUSY_SENDS"
	done
	# shellcheck disable=SC2086
	busy_assert_steady "${secs} s of $load" $nodes

	# A real fault, still under load.
	# shellcheck disable=SC2086
	busy_mark $nodes
	busy_cut n1 n2 60
	[ "${BUSY_FAST:-0}" = 1 ] && busy_cut n4 n5 30
	busy_load_check "during the cuts"
	busy_assert_steady "n3 after the cuts" n3
	[ "${BUSY_FAST:-0}" = 1 ] && busy_assert_steady "n6 after the cuts" n6
	for n in n1 n2 n4 n5; do
		[ "${BUSY_FAST:-0}" = 1 ] || [ "$n" = n1 ] || [ "$n" = n2 ] || continue
		busy_since_mark "$n"
		assert_eq "$n: flaps from the cut (its one session on the cable)" 1 "$BUSY_D_FLAPS"
		assert_eq "$n: route events from the cut (its one route off the cable)" 1 "$BUSY_D_EVENTS"
	done
	assert_eq "n1's route to n3 after the cut" "$(lab_port n1 n3)" "$(lab_route n1 n3)"
	[ "${BUSY_FAST:-0}" = 1 ] && assert_eq "n4's route to n6 after the cut" "$(lab_port n4 n6)" "$(lab_route n4 n6)"
	busy_load_stop
	[ "$load" = cpu ] || lab_log "   churn: $BUSY_CHURN_NS namespaces, $BUSY_CHURN_RATE per second"
	return 0
}
