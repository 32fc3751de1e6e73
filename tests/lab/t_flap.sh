#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# A flapping cable: the n1 -- n2 cable loses and regains carrier every 300 ms
# (0.15 s out, 0.15 s in, plus the time the lab needs to pull and plug it)
# for a minute.  The routes must not follow it: flap damping (path.h) keeps
# the link out of service while it flaps (at most a few route changes, all
# told), the alert command runs at most as often as its rate limit allows,
# the other cables are untouched, and once the cable is stable it returns to
# service on its own.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2   <- flaps
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

FLAP_S=${FLAP_S:-60}

# The alert command: one line per run, in a file per node.
alert=$LAB_DIR/alert.sh
cat >"$alert" <<-'EOS'
#!/bin/sh
echo "$MESHROUTE_NODE $MESHROUTE_EVENT $MESHROUTE_PEER $MESHROUTE_OLD_STATE -> $MESHROUTE_NEW_STATE" >>"${0%.sh}.$MESHROUTE_NODE.log"
EOS
chmod 0755 "$alert"

lab_log "== 3-node mesh, hold-down 1s, the n1 -- n2 cable flaps every 300 ms for $FLAP_S s"
lab_mesh3
lab_start_daemons "hold-down = 1s" "alert-command = $alert"
lab_wait_routes 10
p12=$(lab_port n1 n2)
p13=$(lab_port n1 n3)
changes_before=$(grep -c "n2 (10.10.0.2): path" "$LAB_DIR/n1.log")

lab_mono; end=$(( LAB_MONO_MS + FLAP_S * 1000 ))
cycles=0
while (( LAB_MONO_MS < end )); do
	lab_cut_carrier n1 n2
	lab_sleep 0.15
	lab_heal n1 n2
	lab_sleep 0.15
	cycles=$((cycles + 1))
	lab_mono
done
lab_log "   $cycles carrier cycles"

changes=$(( $(grep -c "n2 (10.10.0.2): path" "$LAB_DIR/n1.log") - changes_before ))
assert_le "n1's route changes to n2 while the cable flapped $cycles times" "$changes" 4
assert_eq "n1's route to n3 (other cable) during the flapping" "$p13" "$(lab_route n1 n3)"
assert_eq "n3's sessions never went down" 0 \
	"$(grep -c -- "-> Down" "$LAB_DIR/n3.log" || true)"
runs=$(cat "$LAB_DIR"/alert.n1.log 2>/dev/null | wc -l)
# Rate limit: a burst of 10, then one per 6 s.  Each of the $cycles cycles
# was a session going down and up again: far more events than the burst,
# which must all have run (none would mean the alerts are broken, not
# limited).
assert_ge "alert command runs on n1 ($cycles cycles)" "$runs" 10
assert_le "alert command runs on n1" "$runs" $(( 10 + FLAP_S / 6 + 2 ))
suppressed=$(grep -c "alert" "$LAB_DIR/n1.log" || true)
lab_log "   n1: $changes route change(s), $runs alert run(s), $(grep -c -- '-> Down' "$LAB_DIR/n1.log") session-down lines logged"

# Stable now: the damped hold-down decays and the cable comes back by itself.
wait_for 60 lab_route_is n1 n2 "$p12" || {
	lab_show_routes >&2
	lab_fail "the cable did not return to service within 60 s of becoming stable"
}
# From the stamp before the last heal to n1's own log stamp of the return:
# never less than it took.  Undamped, that is the hold-down (1 s) plus the
# session's bring-up; damped, the hold-down doubled at least once.
lab_event_bounds "$LAB_HEAL_BEFORE_US" "$LAB_HEAL_AFTER_US" n1 n2 "$p12"
back=$LAB_EV_HI_MS
lab_ok "back in service $LAB_EV_LO_MS-$LAB_EV_HI_MS ms after the last heal (damped hold-down)"
assert_ge "damping kept it out at least twice the plain hold-down" "$back" $(( 2 * LAB_HOLD_MS )) " ms"
wait_for 5 lab_route_is n2 n1 "$(lab_port n2 n1)" || lab_fail "n2's route to n1 did not return"
lab_log "== flapping: $changes route changes in $FLAP_S s of flapping, back ${back} ms after it stopped"
