#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# Interop with FRR 8.4 bfdd: meshrouted (dual-stack) on n1, FRR's zebra and
# bfdd on n2 with their own config, sockets and pid files (nothing of the
# host's frr service), one IPv4 and one IPv6 single-hop peer on fast0.
#
#     n1 (meshrouted) fast0 --[w12]-- fast0 n2 (FRR bfdd)    + lan0 on the LAN
#     10.10.0.1, fd00:10::1                 10.10.0.2, fd00:10::2
#
# The session comes Up with FRR started first and (after FRR's restart)
# with meshrouted first, both sides agree on the negotiated timers; timer
# changes on either side go through Poll/Final without a Down; silent and
# one-way failures are detected by both; FRR's "shutdown" (AdminDown) takes
# the route away without counting a flap; FRR's restart brings the sessions
# back with new discriminators.  Timers 50ms x 5: this is about the
# protocol, and vtysh can stall bfdd for tens of ms on a loaded 2-core box.
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
command -v vtysh >/dev/null && [ -x "$LAB_FRR_BIN/bfdd" ] || lab_fail "FRR missing: run make deps"

A4=10.10.0.1 A6=fd00:10::1		# n1, as FRR's peers
P4="$A4 interface fast0 local-address 10.10.0.2"
P6="$A6 interface fast0 local-address fd00:10::2"

# mr FAMILY KEY...: n1's fast0 session; frr ADDR KEY...: FRR's peer ADDR.
mr() { local f=$1; shift; lab_mr_sess n1 fast0 "$f" "$@"; }
frr() { lab_frr_peer n2 "$@"; }
mr_is() { [ "$(mr "$1" state)" = "$2" ]; }		# FAMILY STATE
frr_is() { [ "$(frr "$1" status)" = "$2" ]; }		# ADDR STATUS
frr_downs() { lab_frr_counter n2 "$1" session-down; }	# ADDR
both_up() { mr_is ipv4 Up && mr_is ipv6 Up && frr_is $A4 up && frr_is $A6 up; }
routes_fast() { lab_route_is n1 n2 fast0 && lab_route6_is n1 n2 fast0; }
routes_lan() { lab_route_is n1 n2 lan && lab_route6_is n1 n2 lan; }

wait_both_up() {	# WHAT
	wait_for 5 both_up || lab_fail "$1: sessions not Up: n1 v4 $(mr ipv4 state) v6 $(mr ipv6 state)," \
		"FRR v4 $(frr $A4 status) v6 $(frr $A6 status)"
	wait_for 3 routes_fast || lab_fail "$1: n1's routes to n2: v4 $(lab_route n1 n2), v6 $(lab_route6 n1 n2)"
	lab_ok "$1: v4 and v6 sessions Up on both sides, n1's /32 and /128 routes over fast0"
}

# check_timers FAMILY ADDR INTERVAL MULT: what each side reports matches what
# the other advertises, and the negotiated values follow RFC 5880 6.8.2/6.8.4.
check_timers() {
	local f=$1 a=$2 iv=$3 m=$4 tx det ftx frx fm rrx rtx rm
	read -r tx det < <(mr "$f" tx_interval_ms detect_time_ms)
	read -r ftx frx fm rrx rtx rm < <(frr "$a" transmit-interval receive-interval detect-multiplier \
		remote-receive-interval remote-transmit-interval remote-detect-multiplier)
	assert_eq "$f: FRR sees n1's Desired Min TX / Required Min RX / Detect Mult" "$iv $iv $m" "$rtx $rrx $rm"
	assert_eq "$f: n1's negotiated TX interval, max(own $iv, FRR's RX $frx) ms" \
		$(( iv > frx ? iv : frx )) "$tx"
	assert_eq "$f: n1's detection time, FRR's mult $fm x max(own $iv, FRR's TX $ftx) ms" \
		$(( fm * (iv > ftx ? iv : ftx) )) "$det"
	lab_log "      $f: n1 sends every $tx ms, detects in $det ms; FRR sends every" \
		"$(( ftx > rrx ? ftx : rrx )) ms, detects in $(( rm * (frx > rtx ? frx : rtx) )) ms"
}

cat >"$LAB_DIR/frr.in" <<EOF
bfd
 peer $P4
  transmit-interval 50
  receive-interval 50
  detect-multiplier 5
 !
 peer $P6
  transmit-interval 50
  receive-interval 50
  detect-multiplier 5
 !
!
EOF

lab_log "== n1 meshrouted (dual-stack), n2 FRR bfdd: FRR starts first"
lab_pair v6
lab_foreign_node n2
lab_frr_start n2 "$LAB_DIR/frr.in"
lab_write_config "interval = 50ms" "multiplier = 5" "hold-down = 500ms"
lab_config_v6
lab_monitor_start n1
wait_for 3 eval "frr_is $A4 down" || lab_fail "FRR has no peer $A4: $(lab_vtysh n2 -c 'show bfd peers brief')"
lab_start_daemon n1
wait_both_up "FRR first"
t_start=$(lab_mono_ms)	# (monotonic; both sessions were Up by then)
check_timers ipv4 $A4 50 5
check_timers ipv6 $A6 50 5

lab_log "== FRR changes its timers (TX 80, RX 60, mult 4): Poll from FRR, Final from n1"
lab_pf_watch n1 n2
lab_frr_peer_set n2 "$P4" "transmit-interval 80" "receive-interval 60" "detect-multiplier 4"
wait_for 3 eval '[ "$(mr ipv4 tx_interval_ms detect_time_ms)" = "60 320" ]' ||
	lab_fail "n1 did not take FRR's new timers: $(mr ipv4 tx_interval_ms detect_time_ms)"
check_timers ipv4 $A4 50 5
assert_ge "Control packets with Poll from FRR" "$(lab_pf n2 n1 p)" 1
assert_ge "Control packets with Final from n1" "$(lab_pf n1 n2 f)" 1

lab_log "== n1 changes its timers (interval 100ms, multiplier 6) by reload: Poll from n1, Final from FRR"
lab_pf_watch n1 n2
lab_config_set interval 100ms
lab_config_set multiplier 6
lab_mrctl n1 reload >/dev/null || lab_fail "meshroutectl reload failed"
wait_for 3 eval '[ "$(frr $A4 remote-receive-interval remote-detect-multiplier)" = "100 6" ]' ||
	lab_fail "FRR did not take n1's new timers: $(frr $A4 remote-receive-interval remote-transmit-interval remote-detect-multiplier)"
check_timers ipv4 $A4 100 6
check_timers ipv6 $A6 100 6
assert_ge "Control packets with Poll from n1" "$(lab_pf n1 n2 p)" 1
assert_ge "Control packets with Final from FRR" "$(lab_pf n2 n1 f)" 1
# Back to 50ms x 5 on both sides (more Poll Sequences) for the faults.
lab_frr_peer_set n2 "$P4" "transmit-interval 50" "receive-interval 50" "detect-multiplier 5"
lab_config_set interval 50ms
lab_config_set multiplier 5
lab_mrctl n1 reload >/dev/null || lab_fail "meshroutectl reload failed"
wait_for 3 eval '[ "$(mr ipv4 tx_interval_ms detect_time_ms)" = "50 250" ] && [ "$(frr $A4 remote-receive-interval)" = 50 ]' ||
	lab_fail "timers not back to 50ms x 5: n1 $(mr ipv4 tx_interval_ms detect_time_ms)"
up_ms=$(( $(lab_mono_ms) - t_start ))
for f in ipv4 ipv6; do
	read -r st flaps since < <(mr $f state flaps since_s)
	assert_eq "$f: n1's session state, flaps after 4 timer changes" "Up 0" "$st $flaps"
	assert_ge "$f: n1's session Up since (s; not reset, $up_ms ms since both were Up)" "$since" \
		"$(awk -v m="$up_ms" 'BEGIN { printf "%.1f", m / 1000 - 1 }')"
done
for a in $A4 $A6; do
	assert_eq "FRR peer $a: status, session-down events" "up 0" "$(frr $a status) $(frr_downs $a)"
done

lab_log "== FRR shuts its IPv4 peer down (AdminDown)"
lab_frr_peer_set n2 "$P4" shutdown
wait_for 2 lab_route_is n1 n2 lan || lab_fail "n1 kept its route to n2 after FRR's AdminDown"
lab_ok "n1 withdrew its IPv4 route to n2"
read -r st diag flaps < <(mr ipv4 state last_down_diag flaps)
assert_eq "n1's IPv4 session: state, last_down_diag, flaps" "Down neighbor-down 0" "$st $diag $flaps"
grep -q "n2 (10.10.0.2) via fast0: session Up -> Down (diag neighbor-down, peer AdminDown)" "$LAB_DIR/n1.log" ||
	lab_fail "no 'diag neighbor-down, peer AdminDown' line in n1's log"
lab_ok "n1 logged: $(grep -o 'session Up -> Down (diag neighbor-down, peer AdminDown)' "$LAB_DIR/n1.log" | head -n1)"
assert_eq "n1's IPv6 route to n2 (its session untouched)" fast0 "$(lab_route6 n1 n2)"
lab_frr_peer_set n2 "$P4" "no shutdown"
wait_both_up "after FRR's no shutdown"
assert_eq "n1's IPv4 session: flaps after FRR's AdminDown" 0 "$(mr ipv4 flaps)"

lab_log "== silent failure of the cable"
d4=$(frr_downs $A4) d6=$(frr_downs $A6)
lab_silent n1 n2
wait_for 2 routes_lan || lab_fail "n1 kept a route to n2: v4 $(lab_route n1 n2), v6 $(lab_route6 n1 n2)"
lab_event_bounds "$LAB_FAULT_BEFORE_US" "$LAB_FAULT_AFTER_US" n1 n2 lan
lab_ok "n1 withdrew its /32 and /128 routes to n2 $LAB_EV_LO_MS-$LAB_EV_HI_MS ms after the fault"
wait_for 2 eval '[ "$(frr_downs $A4) $(frr_downs $A6)" = "$((d4 + 1)) $((d6 + 1))" ]' ||
	lab_fail "FRR did not see both sessions go down: $(frr $A4 status) $(frr $A6 status)"
assert_eq "n1: v4 / v6 last_down_diag" "time-expired time-expired" "$(mr ipv4 last_down_diag) $(mr ipv6 last_down_diag)"
for a in $A4 $A6; do
	assert_eq "FRR peer $a: status / diagnostic" "down / control detection time expired" \
		"$(frr $a status) / $(frr $a diagnostic)"
done
lab_heal n1 n2
wait_both_up "after healing"

for dir in "n1 n2" "n2 n1"; do
	read -r a b <<<"$dir"
	lab_log "== one-way failure: $a -> $b dropped"
	d4=$(frr_downs $A4) f4=$(mr ipv4 flaps)
	lab_oneway "$a" "$b"
	wait_for 2 lab_route_is n1 n2 lan || lab_fail "n1 kept its route to n2"
	wait_for 2 eval '[ "$(frr_downs $A4)" = $((d4 + 1)) ] && [ "$(mr ipv4 flaps)" = $((f4 + 1)) ]' ||
		lab_fail "not detected by both: FRR session-down $(frr_downs $A4), n1 flaps $(mr ipv4 flaps)"
	lab_ok "both saw the IPv4 session go down: n1 $(mr ipv4 last_down_diag), FRR $(frr $A4 diagnostic)"
	lab_heal "$a" "$b"
	wait_both_up "after healing"
done

lab_log "== FRR restarts (meshrouted keeps running: this time it was first)"
read -r rd4 ld4 < <(mr ipv4 remote_discr local_discr)
read -r rd6 ld6 < <(mr ipv6 remote_discr local_discr)
assert_eq "FRR's remote-id = n1's local_discr (v4 v6)" "$ld4 $ld6" "$(frr $A4 remote-id) $(frr $A6 remote-id)"
lab_frr_stop n2
wait_for 2 routes_lan || lab_fail "n1 kept a route to n2 after FRR stopped"
lab_ok "n1 withdrew its routes to n2 once FRR stopped"
lab_frr_start n2 "$LAB_DIR/frr.in"
wait_both_up "after FRR's restart"
read -r nrd4 nld4 < <(mr ipv4 remote_discr local_discr)
read -r nrd6 nld6 < <(mr ipv6 remote_discr local_discr)
[ "$nrd4" != "$rd4" ] && [ "$nrd6" != "$rd6" ] || lab_fail "FRR's discriminators did not change: $rd4 $rd6 -> $nrd4 $nrd6"
lab_ok "FRR's new discriminators: v4 $rd4 -> $nrd4, v6 $rd6 -> $nrd6"
assert_eq "FRR's id = n1's remote_discr (v4 v6)" "$nrd4 $nrd6" "$(frr $A4 id) $(frr $A6 id)"
assert_eq "FRR's remote-id = n1's local_discr (v4 v6)" "$nld4 $nld6" "$(frr $A4 remote-id) $(frr $A6 remote-id)"
check_timers ipv4 $A4 50 5
check_timers ipv6 $A6 50 5
