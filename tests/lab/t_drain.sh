#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# Planned maintenance loses nothing.  Two nodes back to back with two
# cables, a sequence-numbered UDP stream each way.  "meshroutectl drain" of
# the port n1's stream uses returns only once the peer has moved its traffic
# too; then that cable is pulled, healed, and the port undrained: both
# streams lose no packet, and the multipath route is back after hold-down.
# Then both ports drained: the traffic moves to the LAN, still losing
# nothing, and comes back when they are undrained.
#
#        n1 fast0 --[w12a]-- fast0 n2
#        n1 fast1 --[w12b]-- fast1 n2        + lan0 of each on one bridge
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
. "$(dirname "$0")/ctl_lib.sh"

routes_are() { lab_route_is n1 n2 "$1" && lab_route_is n2 n1 "$1"; }	# EXPECTED, both ends
fast_flow() { echo $(( $(lab_flow "$1" fast0) + $(lab_flow "$1" fast1) )); }	# NODE
sess_field() { lab_sess_field "$@"; }	# NODE PORT KEY

# Asserts that stay to the end, so that the rest still runs and reports.
late_failures=()
late_check() {	# WHAT EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then lab_ok "$1: $3"; else
		lab_log "  LATE FAIL  $1: expected '$2', got '$3'"
		late_failures+=("$1: expected '$2', got '$3'")
	fi
}

lab_log "== two nodes, two cables, meshrouted on both (20ms x 3, hold-down 1s)"
lab_b2b2
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10
assert_eq "n1's route to n2" "fast0 fast1" "$(lab_route n1 n2)"
assert_eq "n2's route to n1" "fast0 fast1" "$(lab_route n2 n1)"

lab_log "== streams both ways; drain the port n1's stream uses"
lab_flow_watch n1 5201-5202
lab_flow_watch n2 5201-5202
streams_start n1 n2
wait_for 2 eval '(( $(fast_flow n1) >= 250 && $(fast_flow n2) >= 250 ))' ||
	lab_fail "the streams do not cross the fast ports"
if (( $(lab_flow n1 fast0) > $(lab_flow n1 fast1) )); then used=fast0 spare=fast1; else used=fast1 spare=fast0; fi
lab_log "      n1's stream hashes onto $used; n2's onto $( (( $(lab_flow n2 fast0) > $(lab_flow n2 fast1) )) && echo fast0 || echo fast1)"

lab_mono; t0=$LAB_MONO_MS
out=$(ctl n1 drain "$used") || lab_fail "meshroutectl drain $used: exit $? ($out)"
lab_mono; t1=$LAB_MONO_MS
# Straight after: a route dump, not an event log, so "before the pull" is certain.
r21=$(lab_route n2 n1) r12=$(lab_route n1 n2)
lab_log "      $(echo "$out" | tr '\n' ';') ($(( t1 - t0 )) ms)"
assert_eq "drain output ends with the peers' confirmation" "$used drained: no traffic uses it any more" \
	"$(echo "$out" | tail -n1)"
assert_eq "n2's route to n1 when drain returned" "$spare" "$r21"
assert_eq "n1's route to n2 when drain returned" "$spare" "$r12"
assert_eq "n1's $used session state" AdminDown "$(sess_field n1 "$used" state)"
assert_eq "n2's $used session: the peer's state" AdminDown "$(sess_field n2 "$used" remote_state)"
# The man page: status shows the drained ports.  Checked at the end.
st=$(ctl n1 status)
late_check "status of n1 names $used as drained" yes \
	"$(printf '%s\n' "$st" | grep -qiE "drain.*\\b$used\\b|\\b$used\\b.*drain" && echo yes || echo no)"
late_check "status -j of n1 says $used is drained" yes \
	"$(ctl n1 -j status | grep -q '"drained"' && echo yes || echo no)"
# Both streams go on over the spare cable meanwhile (500 packets each):
# none of theirs may take the drained one.
u1=$(lab_flow n1 "$used") u2=$(lab_flow n2 "$used") s1=$(lab_flow n1 "$spare") s2=$(lab_flow n2 "$spare")
wait_for 3 eval '(( $(lab_flow n1 "$spare") >= s1 + 500 && $(lab_flow n2 "$spare") >= s2 + 500 ))' ||
	lab_fail "the streams do not cross $spare after the drain"
assert_eq "stream packets n1 sent on $used after drain" 0 $(( $(lab_flow n1 "$used") - u1 ))
assert_eq "stream packets n2 sent on $used after drain" 0 $(( $(lab_flow n2 "$used") - u2 ))
out=$(ctl n1 drain "$used") || lab_fail "drain twice: exit $?"
assert_eq "drain of a drained port" "$used is already drained" "$(echo "$out" | head -n1)"

lab_log "== pull the drained cable, heal it: nothing moves"
lab_cut_carrier n1 n2 "$used"
# (nothing should move: 0.3 s, five detection times, for a change to show)
lab_sleep 0.3
assert_eq "routes after the pull" "$spare $spare" "$(lab_route n1 n2) $(lab_route n2 n1)"
lab_heal n1 n2 "$used"
# A drained port stays out of service once healed, beyond hold-down.
lab_sleep $(( LAB_HOLD_MS / 1000 + 1 )).2
assert_eq "routes after the heal, past hold-down (still drained)" "$spare $spare" \
	"$(lab_route n1 n2) $(lab_route n2 n1)"
assert_eq "n1's $used session while drained" AdminDown "$(sess_field n1 "$used" state)"

lab_log "== undrain: multipath after hold-down"
t=$EPOCHREALTIME t0=${t/./}
out=$(ctl n1 undrain "$used") || lab_fail "meshroutectl undrain $used: exit $? ($out)"
t=$EPOCHREALTIME t1=${t/./}
lab_log "      $out"
wait_for $(( LAB_HOLD_MS / 1000 + 3 )) routes_are "fast0 fast1" ||
	{ lab_show_routes >&2; lab_fail "the multipath route did not come back after undrain"; }
# From the daemons' logs: not earlier than hold-down after the stamp before
# the undrain, not later than hold-down + 200 ms after the one after it.
lab_event_bounds "$t0" "$t1" n1 n2 "fast0 fast1" n2 n1 "fast0 fast1"
assert_ge "multipath back after undrain, beyond hold-down" \
	"$(lab_us_str $(( LAB_EV_HI_US - LAB_HOLD_MS * 1000 )))" 0 " ms"
assert_le "multipath back after undrain, beyond hold-down (undrain took $LAB_EV_CMD_MS ms)" \
	"$(lab_us_str $(( LAB_EV_LO_US - LAB_HOLD_MS * 1000 )))" 200 " ms"
assert_eq "n1's $used session after undrain" Up "$(sess_field n1 "$used" state)"
assert_eq "flaps of n1's $used session (drain is no failure)" 0 "$(sess_field n1 "$used" flaps)"
assert_eq "flaps of n2's $used session (the peer's AdminDown is no failure)" 0 \
	"$(sess_field n2 "$used" flaps)"
f1=$(fast_flow n1) f2=$(fast_flow n2)
wait_for 2 eval '(( $(fast_flow n1) >= f1 + 500 && $(fast_flow n2) >= f2 + 500 ))' ||
	lab_fail "the streams do not cross the fast ports after the undrain"
streams_stop_lossless "drain, pull, heal, undrain"

lab_log "== drain both ports of n1: the LAN, without loss"
wait_for 5 routes_are "fast0 fast1" || { lab_show_routes >&2; lab_fail "routes not on both cables"; }
streams_start n1 n2
wait_for 2 eval '(( $(fast_flow n1) >= 250 && $(fast_flow n2) >= 250 ))' ||
	lab_fail "the streams do not cross the fast ports"
ctl n1 drain fast0 >/dev/null || lab_fail "drain fast0: exit $?"
assert_eq "routes with fast0 drained" "fast1 fast1" "$(lab_route n1 n2) $(lab_route n2 n1)"
ctl n1 drain fast1 >/dev/null || lab_fail "drain fast1: exit $?"
assert_eq "routes with both drained (n1, n2)" "lan lan" "$(lab_route n1 n2) $(lab_route n2 n1)"
assert_eq "n1 reaches n2 through" lan0 "$(lab_path n1 n2)"
assert_eq "n2 reaches n1 through" lan0 "$(lab_path n2 n1)"
l1=$(lab_flow n1 lan0) l2=$(lab_flow n2 lan0)
wait_for 2 eval '(( $(lab_flow n1 lan0) >= l1 + 500 && $(lab_flow n2 lan0) >= l2 + 500 ))' ||
	lab_fail "the streams do not cross the LAN"
# While 500 more packets each cross the LAN, none may take a fast port.
f1=$(fast_flow n1) f2=$(fast_flow n2) l1=$(lab_flow n1 lan0) l2=$(lab_flow n2 lan0)
wait_for 2 eval '(( $(lab_flow n1 lan0) >= l1 + 500 && $(lab_flow n2 lan0) >= l2 + 500 ))' ||
	lab_fail "the streams stopped crossing the LAN"
assert_eq "stream packets on the fast ports with both drained" "0 0" \
	"$(( $(fast_flow n1) - f1 )) $(( $(fast_flow n2) - f2 ))"
ctl n1 undrain fast0 >/dev/null || lab_fail "undrain fast0: exit $?"
ctl n1 undrain fast1 >/dev/null || lab_fail "undrain fast1: exit $?"
wait_for $(( LAB_HOLD_MS / 1000 + 3 )) routes_are "fast0 fast1" ||
	{ lab_show_routes >&2; lab_fail "the multipath route did not come back"; }
lab_ok "both undrained: multipath over fast0 fast1 again"
f1=$(fast_flow n1) f2=$(fast_flow n2)
wait_for 2 eval '(( $(fast_flow n1) >= f1 + 500 && $(fast_flow n2) >= f2 + 500 ))' ||
	lab_fail "the streams do not cross the fast ports after the undrain"
streams_stop_lossless "drain to the LAN and back"

lab_log "== errors"
out=$(ctl n1 drain lan0 2>&1) && lab_fail "drain of the LAN port succeeded: $out"
assert_eq "drain lan0: exit status" 1 "$( ctl n1 drain lan0 >/dev/null 2>&1; echo $?)"
assert_eq "undrain of a port in service: exit status" 0 "$( ctl n1 undrain fast0 >/dev/null 2>&1; echo $?)"
assert_eq "drain without a port: exit status (usage)" 2 "$( ctl n1 drain >/dev/null 2>&1; echo $?)"

for f in "${late_failures[@]}"; do
	lab_fail "$f"
done
