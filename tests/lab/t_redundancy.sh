#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# LAN monitoring: BFD also runs over the LAN (lan-interval), never to move
# routes, only so the admins learn when redundancy is lost.  n2's LAN cable
# is pulled while its fast cables work: n1 reports "redundancy-lost" for n2
# (LAN path down) through its alert command, and its route to n2 stays on the
# fast port; the LAN cable back: "redundancy-restored".  Then the fast cable
# dies while the LAN works: "redundancy-lost" (fast path down), traffic on
# the LAN; healed: "redundancy-restored".
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

alert=$LAB_DIR/alert.sh
cat >"$alert" <<-'EOS'
	#!/bin/sh
	echo "$MESHROUTE_EVENT $MESHROUTE_PEER $MESHROUTE_OLD_STATE -> $MESHROUTE_NEW_STATE" >>"${0%.sh}.$MESHROUTE_NODE.log"
	EOS
chmod 0755 "$alert"
events() { cat "$LAB_DIR/alert.n1.log" 2>/dev/null; }
has_event() { events | grep -q "$1"; }

lab_log "== 3-node mesh, lan-interval 100ms, hold-down 1s, alerts logged"
lab_mesh3
lab_start_daemons "hold-down = 1s" "lan-interval = 100ms" "alert-command = $alert"
lab_wait_routes 10
lan=$(lab_ns lan)

lab_log "== n2's LAN cable pulled"
ip -n "$lan" link set n2 down
wait_for 5 has_event "^redundancy-lost n2 redundant -> LAN path down" || {
	events >&2; lab_fail "no redundancy-lost alert for n2 (LAN path down)"; }
lab_ok "n1 alerted: $(events | grep '^redundancy-lost n2' | tail -n1)"
assert_eq "n1's route to n2 (LAN sessions never move routes)" "$(lab_port n1 n2)" "$(lab_route n1 n2)"
assert_eq "n1's route to n3" "$(lab_port n1 n3)" "$(lab_route n1 n3)"

lab_log "== n2's LAN cable back"
ip -n "$lan" link set n2 up
wait_for 10 has_event "^redundancy-restored n2 LAN path down -> redundant" || {
	events >&2; lab_fail "no redundancy-restored alert for n2"; }
lab_ok "n1 alerted: $(events | grep '^redundancy-restored n2' | tail -n1)"

lab_log "== the n1 -- n2 fast cable pulled, the LAN works"
lab_cut_carrier n1 n2
wait_for 5 has_event "^redundancy-lost n2 redundant -> fast path down" || {
	events >&2; lab_fail "no redundancy-lost alert for n2 (fast path down)"; }
lab_ok "n1 alerted: $(events | grep '^redundancy-lost n2' | tail -n1)"
assert_eq "n1 reaches n2 through" lan0 "$(lab_path n1 n2)"
wait_for 3 has_event "^path-change n2 $(lab_port n1 n2) -> LAN" || lab_fail "no path-change alert fast -> LAN"
lab_ok "n1 alerted the path change: $(events | grep "^path-change n2" | tail -n1)"
lab_heal n1 n2
wait_for 5 has_event "^redundancy-restored n2 fast path down -> redundant" || {
	events >&2; lab_fail "no redundancy-restored alert after the heal"; }
wait_for 5 lab_route_is n1 n2 "$(lab_port n1 n2)" || lab_fail "route to n2 not back on the fast port"
wait_for 3 has_event "^path-change n2 LAN -> $(lab_port n1 n2)" || lab_fail "no path-change alert LAN -> fast"
lab_ok "back: $(events | tail -n2 | xargs echo)"
assert_eq "alerts about n3 (untouched)" 0 "$(events | grep -c ' n3 ' || true)"
