#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# Reloading the configuration of a running mesh.  New timers and hold-down
# (meshroutectl reload on n1 and n3, SIGHUP on n2): no session leaves Up,
# no route moves, a stream across loses nothing, the negotiated interval
# changes and the new hold-down is used.  A broken file is rejected with its
# file:line and changes nothing.  A node added to the file (one that does not
# exist) adds its sessions without disturbing the others; removing it again
# removes them.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
. "$(dirname "$0")/ctl_lib.sh"
CONF=$LAB_DIR/meshroute.conf

# The fast sessions that are Up, as "peer/port/state/tx/detect/flaps/discr" words.
fast_sessions() {
	lab_sessions "$1" | awk '$2 != "lan0" && $4 == "Up" {
		printf "%s%s/%s/%s/%s/%s/%s/%s", sep, $1, $2, $4, $6, $7, $8, $9; sep = " " }
		END { print "" }'
}
up_fast_values() {	# NODE COLUMN: the distinct values of a column over its Up fast sessions
	lab_sessions "$1" | awk -v c="$2" '$2 != "lan0" && $4 == "Up" { print $c }' | sort -u | xargs
}
tx_intervals() { up_fast_values "$1" 6; }	# NODE
all_tx_are() {	# MS: on every node
	local n
	for n in "${LAB_NODES[@]}"; do
		[ "$(tx_intervals "$n")" = "$1" ] || return 1
	done
}
total_flaps() { lab_sessions "$1" | awk '{ s += $8 } END { print s + 0 }'; }

# Marks the logs; no_down_since_mark checks that no session left Up (or
# went Down at all) and that no route changed since.
declare -A MARK_LOG MARK_ROUTES
mark() {
	local n
	for n in "${LAB_NODES[@]}"; do
		MARK_LOG[$n]=$(wc -l <"$LAB_DIR/$n.log")
		MARK_ROUTES[$n]=$(wc -l <"$LAB_DIR/$n.routes")
	done
}
no_disturbance_since_mark() {	# WHAT
	local n lines
	for n in "${LAB_NODES[@]}"; do
		lines=$(tail -n +$(( MARK_LOG[$n] + 1 )) "$LAB_DIR/$n.log" |
			grep -E 'session Up -> |-> Down|-> AdminDown|path .* -> ' || true)
		[ -z "$lines" ] || { printf '%s\n' "$lines" >&2; lab_fail "$1: $n's sessions or paths changed"; }
		lines=$(tail -n +$(( MARK_ROUTES[$n] + 1 )) "$LAB_DIR/$n.routes")
		[ -z "$lines" ] || { printf '%s\n' "$lines" >&2; lab_fail "$1: $n's routes changed"; }
	done
	lab_ok "$1: no session left Up, no path or route changed on any node"
}

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3, hold-down 1s)"
lab_mesh3
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10
wait_for 3 all_tx_are 20 || lab_fail "fast sessions not all at 20 ms: $(tx_intervals n1)"
declare -A FLAPS SESS
for n in "${LAB_NODES[@]}"; do
	FLAPS[$n]=$(total_flaps "$n")
	SESS[$n]=$(fast_sessions "$n")
done
lab_log "      n1's fast sessions: ${SESS[n1]}"

lab_log "== interval 30ms, hold-down 2s: reload on n1 and n3, SIGHUP on n2"
lab_flow_watch n1 5201
lab_stream_start n1 n2
wait_for 2 lab_flow_ge n1 "$(lab_port n1 n2)" 250 || lab_fail "the stream does not cross n1 $(lab_port n1 n2)"
mark
cp "$CONF" "$LAB_DIR/conf.before"
lab_write_config "interval = 30ms" "hold-down = 2s"
out=$(ctl n1 reload) || lab_fail "meshroutectl reload on n1: exit $? ($out)"
lab_log "      n1: $out"
assert_eq "n1 reload result" "$CONF applied: 6 session(s) kept, 0 added, 0 removed" "$(echo "$out" | tail -n1)"
kill -HUP "${LAB_DAEMON[n2]}"
out=$(ctl n3 reload) || lab_fail "meshroutectl reload on n3: exit $? ($out)"
wait_for 2 grep -q "reload: $CONF applied" "$LAB_DIR/n2.log" || lab_fail "n2 did not log a reload after SIGHUP"
lab_ok "n2 reloaded on SIGHUP: $(grep "reload: $CONF applied" "$LAB_DIR/n2.log" | tail -n1 | sed 's/^[0-9:.]* //')"
wait_for 3 all_tx_are 30 || lab_fail "negotiated intervals did not become 30 ms (n1: $(tx_intervals n1), n2: $(tx_intervals n2), n3: $(tx_intervals n3))"
lab_ok "negotiated tx_interval_ms of every Up fast session on every node: 30"
assert_eq "n1's detect_time_ms" 90 "$(up_fast_values n1 7)"
# 500 more packets over the cable at the new timers, then the count.
f=$(lab_flow n1 "$(lab_port n1 n2)")
wait_for 2 lab_flow_ge n1 "$(lab_port n1 n2)" $(( f + 500 )) || lab_fail "the stream stopped crossing n1 $(lab_port n1 n2)"
lab_stream_stop
lab_log "      stream: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
lab_stream_lossless "stream across the reloads"
no_disturbance_since_mark "after the reloads"
for n in "${LAB_NODES[@]}"; do
	assert_eq "$n's flaps (sum over sessions)" "${FLAPS[$n]}" "$(total_flaps "$n")"
	# Same sessions (discriminators), now at 30 ms.
	assert_eq "$n's fast sessions, kept" "$(echo "${SESS[$n]}" | sed 's|/Up/20/60/|/Up/30/90/|g')" \
		"$(fast_sessions "$n")"
done

lab_log "== the new hold-down (2s) is used: pull the n1 -- n3 cable and heal it"
lab_cut_carrier n1 n3
wait_for 2 eval 'lab_route_is n1 n3 lan && lab_route_is n3 n1 lan' ||
	{ lab_show_routes >&2; lab_fail "n1 -- n3 did not move to the LAN"; }
lab_heal n1 n3
wait_for 5 eval 'lab_route_is n1 n3 "$(lab_port n1 n3)" && lab_route_is n3 n1 "$(lab_port n3 n1)"' ||
	{ lab_show_routes >&2; lab_fail "n1 -- n3 did not come back"; }
# The daemons' log stamps: not before 2000 ms from the stamp before the
# heal, not after 2300 ms from the one after it.
lab_event_bounds "$LAB_HEAL_BEFORE_US" "$LAB_HEAL_AFTER_US" n1 n3 "$(lab_port n1 n3)" n3 n1 "$(lab_port n3 n1)"
assert_ge "fail-back after heal (hold-down now 2000 ms)" "$LAB_EV_HI_MS" 2000 " ms"
assert_le "fail-back after heal (hold-down now 2000 ms; heal command $LAB_EV_CMD_MS ms)" "$LAB_EV_LO_MS" 2300 " ms"
for n in "${LAB_NODES[@]}"; do FLAPS[$n]=$(total_flaps "$n"); SESS[$n]=$(fast_sessions "$n"); done
lab_wait_routes 3

lab_log "== a broken file is rejected with file:line, nothing changes"
cp "$CONF" "$LAB_DIR/conf.good"
lab_write_config "interval = 30ms" "hold-down = 2s" "frobnicate = 1"
sed -i 's/^interval = 30ms$/interval = 10ms/' "$CONF"	# would change something
line=$(grep -n '^frobnicate' "$CONF" | cut -d: -f1)
mark
rc=0
out=$(ctl n1 reload 2>&1) || rc=$?
assert_eq "meshroutectl reload of a broken file: exit status" 1 "$rc"
printf '%s\n' "$out" | sed 's/^/      /'
printf '%s\n' "$out" | grep -qF "$CONF:$line: unknown key \"frobnicate\"" ||
	lab_fail "the error does not name $CONF:$line: $out"
lab_ok "the error names $CONF:$line"
printf '%s\n' "$out" | grep -q "rejected; the running configuration is unchanged" ||
	lab_fail "no 'rejected' line: $out"
kill -HUP "${LAB_DAEMON[n2]}"
wait_for 2 eval 'tail -n +$(( MARK_LOG[n2] + 1 )) "$LAB_DIR/n2.log" | grep -q "reload: .*rejected"' ||
	lab_fail "n2 did not log the rejection after SIGHUP"
lab_ok "n2 logged the rejection on SIGHUP and kept running"
lab_alive "${LAB_DAEMON[n2]}" || lab_fail "n2's daemon died on SIGHUP with a broken file"
lab_sleep 0.3
assert_eq "negotiated intervals after the rejected reload" 30 "$(tx_intervals n1)"
no_disturbance_since_mark "after the rejected reloads"
for n in "${LAB_NODES[@]}"; do
	assert_eq "$n's fast sessions, unchanged" "${SESS[$n]}" "$(fast_sessions "$n")"
done

lab_log "== a new node in the file: its sessions are added, the others are kept"
cp "$LAB_DIR/conf.good" "$CONF"
printf '\n[node n4]\naddress = 10.10.0.4\nlan = lan0\nfast = fast0 fast1\n' >>"$CONF"
mark
for n in "${LAB_NODES[@]}"; do
	out=$(ctl "$n" reload) || lab_fail "reload on $n with n4 added: exit $? ($out)"
	assert_eq "$n reload result with n4" "$CONF applied: 6 session(s) kept, 3 added, 0 removed" \
		"$(echo "$out" | tail -n1)"
done
assert_eq "n1's sessions to n4" "Down Down Down" \
	"$(lab_sessions n1 | awk '$1 == "n4" { print $4 }' | xargs)"
assert_eq "n1's path to n4" "lan" "$(lab_peer_via n1 n4)"
lab_sleep 0.5
no_disturbance_since_mark "after adding n4"
lab_routes_fast n1 n2 n3 || { lab_show_routes >&2; lab_fail "routes moved"; }
for n in "${LAB_NODES[@]}"; do
	assert_eq "$n's fast sessions, kept" "${SESS[$n]}" "$(fast_sessions "$n")"
done

lab_log "== n4 removed again"
cp "$LAB_DIR/conf.good" "$CONF"
mark
out=$(ctl n1 reload) || lab_fail "reload on n1 with n4 removed: exit $? ($out)"
assert_eq "n1 reload result without n4" "$CONF applied: 6 session(s) kept, 0 added, 3 removed" \
	"$(echo "$out" | tail -n1)"
lab_sleep 0.3
no_disturbance_since_mark "after removing n4"
assert_eq "n1's fast sessions, kept" "${SESS[n1]}" "$(fast_sessions n1)"
