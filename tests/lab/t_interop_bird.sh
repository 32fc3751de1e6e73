#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# Interop with BIRD 2.0 BFD: meshrouted on n1, BIRD on n2 with its own
# config, control socket and pid file (nothing of the host's bird service).
#
#     n1 (meshrouted) fast0 --[w12]-- fast0 n2 (BIRD)     + lan0 on the LAN
#     10.10.0.1/32                     10.10.0.2/32 peer 10.10.0.1 (BIRD only
#                                      runs sessions to on-link neighbours)
#
# The session comes Up with BIRD started first and (after BIRD's restart)
# with meshrouted first, both sides show the same negotiated timers; timer
# changes on either side go through Poll/Final without a Down; silent and
# one-way failures are detected by both; BIRD's restart gives new
# discriminators.  Then every RFC 5880 authentication type: a wrong key
# never brings the session Up (and counts auth drops), the right one does,
# and a key rollover (docs/auth.md) keeps it Up.  BIRD 2.0.12 (Debian 12)
# never sends AdminDown (disabling the protocol, removing the neighbour or
# shutting BIRD down all just go silent), other versions may: "birdc
# disable" must take n1's route off the cable either way, as a timeout
# (time-expired, a flap) or as the peer's AdminDown (neighbor-down, no
# flap), whichever this BIRD sent; AdminDown is covered by t_interop_frr.
# Timers 50ms x 5: this is about the protocol, not about speed.
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
command -v bird >/dev/null && command -v birdc >/dev/null || lab_fail "BIRD missing: run make deps"

A=10.10.0.1		# n1, BIRD's neighbour
BIRD_CONF=$LAB_DIR/n2.bird.conf

# bird_conf INTERVAL_MS MULT [AUTH_TYPE [ID:PASSWORD...]]: BIRD's config
# (AUTH_TYPE as meshrouted names it; the first password signs), applied
# with "birdc configure" when BIRD runs.
bird_conf() {
	local iv=$1 m=$2 auth=${3:-none} pw pws="" out
	shift 3 2>/dev/null || shift $#
	for pw in "$@"; do
		pws+=" password \"${pw#*:}\" { id ${pw%%:*}; };"
	done
	cat >"$BIRD_CONF" <<-EOF
	router id 10.10.0.2;
	log "$LAB_DIR/n2.bird.log" all;
	protocol device { }
	protocol bfd bfd1 {
	  interface "fast0" {
	    interval $iv ms; multiplier $m; idle tx interval 50 ms;
	    authentication ${auth//-/ };$pws
	  };
	  neighbor $A dev "fast0" local 10.10.0.2;
	}
	EOF
	[ -S "$(lab_bird_sock n2)" ] || return 0
	out=$(lab_birdc n2 configure 2>&1) || true
	[[ $out == *Reconfigured* ]] || lab_fail "BIRD refused $BIRD_CONF: $out"
}

# mr_keys ID:SECRET...: n1's key file (the first one signs).
mr_keys() {
	local k
	for k in "$@"; do echo "${k%%:*} ${k#*:}"; done >"$LAB_DIR/bfd.keys"
	chmod 600 "$LAB_DIR/bfd.keys"
}

mr_reload() { lab_mrctl n1 reload >>"$LAB_DIR/n1.log" 2>&1 || lab_fail "meshroutectl reload refused: $(tail -n3 "$LAB_DIR/n1.log")"; }
mr() { lab_mr_sess n1 fast0 ipv4 "$@"; }		# KEY...
bird() { lab_bird_sess n2 $A "$1"; }			# FIELD (3 state, 4 since, 5 interval, 6 timeout)
bird_ms() { awk -v s="$(bird "$1")" 'BEGIN { printf "%d", s * 1000 + 0.5 }'; }
# bird_since_ms: BIRD's "Since" (time of day) in ms; it wobbles by a ms.
bird_since_ms() { bird 4 | awk -F: '{ printf "%d", ($1 * 3600 + $2 * 60 + $3) * 1000 + 0.5 }'; }
bird_same_since() {	# WHAT MS: BIRD's session Up, its "Since" still MS (+-5 ms)
	local now
	now=$(bird_since_ms)
	[ "$(bird 3)" = Up ] && (( now - $2 <= 5 && $2 - now <= 5 )) ||
		lab_fail "$1: BIRD's session $(bird 3) since $(bird 4), was Up since $2 ms after midnight"
	lab_ok "$1: BIRD's session still Up since $(bird 4)"
}
both_up() { [ "$(mr state)" = Up ] && [ "$(bird 3)" = Up ]; }
ups() { grep -c 'via fast0: session .* -> Up' "$LAB_DIR/n1.log" || true; }

wait_both_up() {	# WHAT
	wait_for 5 both_up || lab_fail "$1: session not Up: n1 $(mr state), BIRD $(bird 3)"
	wait_for 3 lab_route_is n1 n2 fast0 || lab_fail "$1: n1's route to n2: $(lab_route n1 n2)"
	lab_ok "$1: session Up on both sides, n1's route over fast0"
}

# check_timers N1_INTERVAL N1_MULT BIRD_INTERVAL BIRD_MULT: both sides show
# the negotiated TX interval and detection time of RFC 5880 6.8.2 / 6.8.4.
check_timers() {
	local iv=$1 m=$2 biv=$3 bm=$4
	assert_eq "n1's TX interval / detection time (ms)" \
		"$(( iv > biv ? iv : biv )) $(( bm * (iv > biv ? iv : biv) ))" "$(mr tx_interval_ms detect_time_ms)"
	assert_eq "BIRD's TX interval / detection time (ms)" \
		"$(( iv > biv ? iv : biv )) $(( m * (iv > biv ? iv : biv) ))" "$(bird_ms 5) $(bird_ms 6)"
}

lab_log "== n1 meshrouted, n2 BIRD: BIRD starts first"
lab_pair
lab_foreign_node n2
bird_conf 50 5
lab_bird_start n2 "$BIRD_CONF"
lab_write_config "interval = 50ms" "multiplier = 5" "hold-down = 500ms"
lab_monitor_start n1
wait_for 3 eval '[ "$(bird 3)" = Down ]' || lab_fail "BIRD has no session to $A: $(lab_birdc n2 show bfd sessions)"
lab_start_daemon n1
wait_both_up "BIRD first"
check_timers 50 5 50 5
bsince=$(bird_since_ms)

lab_log "== BIRD changes its timers (interval 80ms, multiplier 4): Poll from BIRD, Final from n1"
lab_pf_watch n1 n2
bird_conf 80 4
wait_for 3 eval '[ "$(mr tx_interval_ms detect_time_ms)" = "80 320" ]' ||
	lab_fail "n1 did not take BIRD's new timers: $(mr tx_interval_ms detect_time_ms)"
check_timers 50 5 80 4
assert_ge "Control packets with Poll from BIRD" "$(lab_pf n2 n1 p)" 1
assert_ge "Control packets with Final from n1" "$(lab_pf n1 n2 f)" 1

lab_log "== n1 changes its timers (interval 100ms, multiplier 6) by reload: Poll from n1, Final from BIRD"
lab_pf_watch n1 n2
lab_config_set interval 100ms
lab_config_set multiplier 6
mr_reload
wait_for 3 eval '[ "$(bird_ms 6)" = 600 ]' || lab_fail "BIRD did not take n1's new timers: $(bird 5) $(bird 6)"
check_timers 100 6 80 4
assert_ge "Control packets with Poll from n1" "$(lab_pf n1 n2 p)" 1
assert_ge "Control packets with Final from BIRD" "$(lab_pf n2 n1 f)" 1
bird_conf 50 5
lab_config_set interval 50ms
lab_config_set multiplier 5
mr_reload
wait_for 3 eval '[ "$(mr tx_interval_ms detect_time_ms)" = "50 250" ] && [ "$(bird_ms 6)" = 250 ]' ||
	lab_fail "timers not back to 50ms x 5: n1 $(mr tx_interval_ms detect_time_ms), BIRD $(bird 5) $(bird 6)"
check_timers 50 5 50 5
assert_eq "n1's session state, flaps after 4 timer changes" "Up 0" "$(mr state flaps)"
bird_same_since "after 4 timer changes" "$bsince"

lab_log "== silent failure of the cable"
lab_silent n1 n2
wait_for 2 lab_route_is n1 n2 lan || lab_fail "n1 kept its route to n2"
lab_event_bounds "$LAB_FAULT_BEFORE_US" "$LAB_FAULT_AFTER_US" n1 n2 lan
lab_ok "n1 withdrew its route to n2 $LAB_EV_LO_MS-$LAB_EV_HI_MS ms after the fault"
wait_for 2 eval '[ "$(bird 3)" = Down ]' || lab_fail "BIRD's session stayed $(bird 3)"
assert_eq "n1's session: state, last_down_diag / BIRD's session state" "Down time-expired / Down" \
	"$(mr state last_down_diag) / $(bird 3)"
lab_heal n1 n2
wait_both_up "after healing"

for dir in "n1 n2" "n2 n1"; do
	read -r a b <<<"$dir"
	lab_log "== one-way failure: $a -> $b dropped"
	bsince=$(bird 4) f=$(mr flaps)
	lab_oneway "$a" "$b"
	wait_for 2 lab_route_is n1 n2 lan || lab_fail "n1 kept its route to n2"
	wait_for 2 eval '[ "$(bird 3)" != Up ] && [ "$(mr flaps)" = $((f + 1)) ]' ||
		lab_fail "not detected by both: BIRD $(bird 3), n1 flaps $(mr flaps)"
	lab_ok "both saw the session go down: n1 $(mr state last_down_diag), BIRD $(bird 3) since $(bird 4) (was Up since $bsince)"
	lab_heal "$a" "$b"
	wait_both_up "after healing"
done

lab_log "== BIRD disables its BFD protocol: a timeout for n1, or BIRD's AdminDown"
f=$(mr flaps)
lab_birdc n2 disable bfd1 >/dev/null
wait_for 2 lab_route_is n1 n2 lan || lab_fail "n1 kept its route to n2"
read -r st diag flaps < <(mr state last_down_diag flaps)
case $diag in
time-expired)
	assert_eq "n1's session: state, last_down_diag, flaps (BIRD went silent)" \
		"Down time-expired $((f + 1))" "$st $diag $flaps" ;;
neighbor-down)
	assert_eq "n1's session: state, last_down_diag, flaps (BIRD sent AdminDown: no failure)" \
		"Down neighbor-down $f" "$st $diag $flaps" ;;
*)
	lab_fail "n1's session after 'birdc disable': $st, diag '$diag', flaps $flaps (was $f)" ;;
esac
lab_birdc n2 enable bfd1 >/dev/null
wait_both_up "after birdc enable"

lab_log "== BIRD restarts (meshrouted keeps running: this time it was first)"
rd=$(mr remote_discr)
lab_bird_stop n2
wait_for 2 lab_route_is n1 n2 lan || lab_fail "n1 kept its route to n2 after BIRD stopped"
lab_bird_start n2 "$BIRD_CONF"
wait_both_up "after BIRD's restart"
nrd=$(mr remote_discr)
[ "$nrd" != "$rd" ] && [ "$nrd" != null ] || lab_fail "BIRD's discriminator did not change: $rd -> $nrd"
lab_ok "BIRD's new discriminator: $rd -> $nrd"
check_timers 50 5 50 5

lab_config_set auth-key-file "$LAB_DIR/bfd.keys"
for auth in simple keyed-md5 meticulous-keyed-md5 keyed-sha1 meticulous-keyed-sha1; do
	lab_log "== authentication $auth"
	# A wrong key on BIRD's side: never Up, n1 counts auth drops.
	mr_keys 1:Secret.One-11
	bird_conf 50 5 "$auth" 1:Wrong.Key-99
	lab_config_set auth-type "$auth"
	mr_reload
	wait_for 2 lab_route_is n1 n2 lan || lab_fail "n1 kept its route to n2 with a wrong key on BIRD"
	u=$(ups) d0=$(lab_mr_drop n1 auth)
	lab_sleep 1
	d1=$(lab_mr_drop n1 auth)
	assert_eq "wrong key: n1's state / BIRD's state / n1's sessions that came Up" "Down / Down / 0" \
		"$(mr state) / $(bird 3) / $(( $(ups) - u ))"
	assert_ge "wrong key: auth drops on n1 in 1 s" $(( d1 - d0 )) 10
	# The right key.
	bird_conf 50 5 "$auth" 1:Secret.One-11
	wait_both_up "$auth, same key"
	read -r f since < <(mr flaps since_s)
	bsince=$(bird_since_ms) d0=$(lab_mr_drop n1 auth) t0=$(lab_mono_ms)
	# Rollover to key 2 as docs/auth.md says, BIRD's side first at each step.
	bird_conf 50 5 "$auth" 1:Secret.One-11 2:Secret.Two-22
	mr_keys 1:Secret.One-11 2:Secret.Two-22
	mr_reload
	bird_conf 50 5 "$auth" 2:Secret.Two-22 1:Secret.One-11
	mr_keys 2:Secret.Two-22 1:Secret.One-11
	mr_reload
	lab_sleep 0.3
	bird_conf 50 5 "$auth" 2:Secret.Two-22
	mr_keys 2:Secret.Two-22
	mr_reload
	lab_sleep 0.5
	assert_eq "$auth rollover: n1's state, flaps" "Up $f" "$(mr state flaps)"
	bird_same_since "$auth rollover" "$bsince"
	assert_ge "$auth rollover: n1's session Up since (s, not reset)" "$(mr since_s)" \
		"$(awk -v s="$since" -v d=$(( $(lab_mono_ms) - t0 )) 'BEGIN { print s + d / 1000 - 0.2 }')"
	assert_eq "$auth rollover: auth drops on n1 (total before / after)" "$d0" "$(lab_mr_drop n1 auth)"
	assert_eq "$auth rollover: n1's route to n2" fast0 "$(lab_route n1 n2)"
done
