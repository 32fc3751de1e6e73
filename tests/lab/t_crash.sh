#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# SIGKILL in the middle of a failover, then restart (t_restart.sh kills a
# daemon at rest; this one kills it while it is reacting to a fault).  Three
# trials on the n1 -- n2 cable, each: fault, SIGKILL of n1's daemon a few
# ms later, restart, checks, heal, fail-back:
#   carrier  the cable is pulled (both ends lose carrier) and n1's daemon is
#            killed right after (the netlink event is in flight or being
#            handled: the kill lands within ~25 ms of the cut, the time an
#            "ip" command takes here);
#   frozen   the same, but n1's daemon is stopped (SIGSTOP) before the cut
#            and killed 20 ms after it: it never acted on the carrier loss,
#            its route over the dead cable is certainly left behind;
#   silent   the cable goes silent (carrier stays) and n1's daemon is killed
#            as soon as the "nft" command that did it returns (it takes
#            20-40 ms here): in the middle of BFD's 60 ms detection, before
#            it could withdraw the route, which is left behind over a link
#            that passes nothing.
# The kill's delay is printed as a range: the fault took effect at some point
# while the command that made it ran (an "ip" or "nft" fork: 10-60 ms on a
# loaded box).
# After the restart: the stale route over the dead cable is gone, no route is
# duplicated (one proto 204 route per peer, no repeated device), the route to
# n3 is over its fast port, and every session that has a healthy link (n3 on
# its fast port, n2 and n3 on the LAN) is Up within 1 s of the restart
# (status -j polled every 10 ms; the time from the start of the new daemon
# to the last of them Up is printed).  After the heal the cable returns to
# service after hold-down (1 s) and all of n1's sessions are Up.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2   <- cut, n1 killed
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile_lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3, hold-down 1s)"
lab_mesh3
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10
p12=$(lab_port n1 n2) p13=$(lab_port n1 n3)

# n1's sessions that should be Up: "peer port" lines, sorted.
want_up() {	# [dead]: with the n1 -- n2 cable dead
	{
		printf '%s\n' "n3 $p13" "n2 lan0" "n3 lan0"
		[ "${1:-}" = dead ] || echo "n2 $p12"
	} | sort
}
up_sessions() {	# n1's IPv4 sessions that are Up: "peer port" lines, sorted
	HL_JSON=$(hl_ctl n1 -j status 2>/dev/null) || return 1
	hl_sessions | awk '$3 == "ipv4" && $4 == "Up" { print $1, $2 }' | sort
}
sessions_up_with_dead() { [ "$(up_sessions)" = "$(want_up dead)" ]; }
sessions_all_up() { [ "$(up_sessions)" = "$(want_up)" ]; }

crash_trial() {	# carrier|silent
	local how=$1 pid t t_fault t_done t_kill t_start t_up up_ms n r ev0 peer port u
	pid=${LAB_DAEMON[n1]}
	ev0=$(hl_route_events n1)
	lab_log "-- $how: fault on n1 -- n2, SIGKILL of n1's daemon during the failover"
	lab_pick_cable n1 n2
	# (stderr muted: bash reports "Killed" for a SIGKILL'd job whenever it
	# notices; the ip and nft commands keep theirs in $LAB_DIR/crash.err)
	{
		case $how in
		carrier)
			t=$EPOCHREALTIME t_fault=${t/./}
			ip -n "$LAB_C_WIRE" link set n1 down 2>>"$LAB_DIR/crash.err"
			t=$EPOCHREALTIME t_done=${t/./}	# (no fork)
			kill -s KILL "$pid"	# (a builtin: no fork in between)
			t=$EPOCHREALTIME t_kill=${t/./}
			ip -n "$LAB_C_WIRE" link set n2 down 2>>"$LAB_DIR/crash.err"
			LAB_FAULT[$LAB_C_WIRE]=carrier
			;;
		frozen)
			kill -s STOP "$pid"
			t=$EPOCHREALTIME t_fault=${t/./}
			ip -n "$LAB_C_WIRE" link set n1 down 2>>"$LAB_DIR/crash.err"
			ip -n "$LAB_C_WIRE" link set n2 down 2>>"$LAB_DIR/crash.err"
			LAB_FAULT[$LAB_C_WIRE]=carrier
			t=$EPOCHREALTIME t_done=${t/./}	# (no fork)
			lab_sleep 0.02
			kill -s KILL "$pid"
			t=$EPOCHREALTIME t_kill=${t/./}
			;;
		silent)
			t=$EPOCHREALTIME t_fault=${t/./}
			lab_silent n1 n2 2>>"$LAB_DIR/crash.err"
			t=$EPOCHREALTIME t_done=${t/./}	# (no fork)
			kill -s KILL "$pid"
			t=$EPOCHREALTIME t_kill=${t/./}
			;;
		esac
		wait "$pid" || true
	} 2>/dev/null
	lab_reaped "$pid"
	unset "LAB_DAEMON[n1]"
	# The fault took effect while its command ran: between t_fault and t_done.
	echo "=== lab: SIGKILL $(( (t_kill - t_done) / 1000 ))-$(( (t_kill - t_fault) / 1000 )) ms after the fault ($how) $(date +%T.%N)" \
		>>"$LAB_DIR/n1.log"
	lab_log "      killed $(( (t_kill - t_done) / 1000 ))-$(( (t_kill - t_fault) / 1000 )) ms after the fault" \
		"(it took effect during a $(( (t_done - t_fault) / 1000 )) ms command)"
	lab_log "      n1's routes left behind: to n2 '$(lab_route n1 n2)', to n3 '$(lab_route n1 n3)'"
	wait_for 2 lab_route_is n2 n1 lan || lab_fail "n2 kept its route to n1 over the dead cable"

	t=$EPOCHREALTIME t_start=${t/./}	# (no fork before the start)
	lab_start_daemon n1
	wait_for 3 sessions_up_with_dead || {
		lab_log "      n1's sessions: $(hl_json n1; hl_sessions | tr '\n' ';')"
		lab_fail "$how: n1's sessions with a healthy link not all Up within 3 s of the restart"
	}
	# When each came Up: the new daemon's own log stamps, not the polls
	# above (each a meshroutectl and awk fork, tens of ms on a busy host).
	t_up=0
	while read -r peer port; do
		u=$(lab_log_match_us n1 "^$peer \\(10\\.10\\.0\\.${peer#n}\\) via $port: session [A-Za-z]+ -> Up " "$t_start")
		[ -n "$u" ] || lab_fail "$how: n1's log has no 'session ... -> Up' for $peer via $port since the restart"
		(( u > t_up )) && t_up=$u
	done < <(want_up dead)
	up_ms=$(( (t_up - t_start) / 1000 ))
	CRASH_UP_MS+=("$up_ms")
	lab_log "      restart to every session with a healthy link Up: $up_ms ms"
	assert_le "$how: restart to sessions Up (from before the start to the daemon's log stamps)" "$up_ms" 1000 " ms"
	wait_for 2 lab_route_is n1 n2 lan || { lab_show_routes >&2; lab_fail "$how: n1 kept its stale route over the dead cable"; }
	lab_ok "$how: no route to n2 over the dead cable"
	wait_for 3 lab_route_is n1 n3 "$p13" || { lab_show_routes >&2; lab_fail "$how: n1's route to n3 is not over $p13"; }
	assert_eq "$how: n1's route to n3 (no repeated device)" "$p13" "$(lab_route n1 n3)"
	assert_eq "$how: n1's proto $LAB_PROTO routes (IPv4, only to n3)" 1 "$(lab_count_routes n1)"
	r=$(ip -n "$(lab_ns n1)" -6 route show table all proto "$LAB_PROTO" | grep -c . || true)
	lab_log "      n1's IPv6 proto $LAB_PROTO routes: $r"
	n=$(tail -n +$((ev0 + 1)) "$LAB_DIR/n1.routes" | grep -c ' 10\.10\.0\.3 ' || true)
	lab_log "      route events for n1's route to n3 since the fault: $n ($(tail -n +$((ev0 + 1)) \
		"$LAB_DIR/n1.routes" | grep ' 10\.10\.0\.3 ' | cut -c1-90 | paste -sd'|' -))"
	assert_eq "$how: n1's route to n2, well past hold-down" lan "$(lab_route n1 n2)"

	lab_heal n1 n2
	wait_for 3 lab_route_is n1 n2 "$p12" || { lab_show_routes >&2; lab_fail "$how: no fail-back to $p12 after the heal"; }
	lab_event_bounds "$LAB_HEAL_BEFORE_US" "$LAB_HEAL_AFTER_US" n1 n2 "$p12"
	lab_log "      n1 -> n2 back over $p12 $LAB_EV_LO_MS-$LAB_EV_HI_MS ms after the heal"
	# The restarted daemon keeps hold-down too (from before the heal: never less than it took).
	assert_ge "$how: n1 -> n2 back over $p12 after the heal, not before hold-down" "$LAB_EV_HI_MS" "$LAB_HOLD_MS" " ms"
	wait_for 3 lab_route_is n2 n1 "$(lab_port n2 n1)" || { lab_show_routes >&2; lab_fail "$how: n2 -> n1 did not fail back"; }
	wait_for 1 sessions_all_up || lab_fail "$how: n1's sessions not all Up after the heal: $(up_sessions | tr '\n' ';')"
	lab_wait_routes 1
	for n in n1 n2 n3; do
		assert_eq "$how: $n's proto $LAB_PROTO routes (one per peer)" 2 "$(lab_count_routes $n)"
	done
}

CRASH_UP_MS=()
crash_trial carrier
crash_trial frozen
crash_trial silent
lab_log "== SIGKILL mid-failover: routes reconciled, sessions Up ${CRASH_UP_MS[*]} ms after the restart"
