#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# MTU mismatch: a link whose small frames pass but whose jumbo frames are
# dropped keeps the regular BFD session Up while it black-holes large
# packets.  With every link at MTU 9000, meshrouted (mtu-probe = auto) runs
# padded BFD probes of 9000 bytes (RFC 9764) next to the regular ones; a link
# that stops passing them must leave service at BOTH ends (routes to the
# LAN) with the regular session still Up, a diagnostic naming the sizes, and
# return after hold-down once it passes them again.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
#
# Faults on the n1 -- n2 cable: (1) n2's port set back to MTU 1500, (2) the
# wire passes only 1500 both ways, (3) only from n1 to n2.  A large ping
# (8000 bytes, fragmentation allowed) must get through afterwards; it is
# black-holed while a route stays on such a link (T_MTU_PROBE=off shows it).
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
MESHROUTECTL=${MESHROUTECTL:-$LAB_REPO/build/meshroutectl}
PROBE=${T_MTU_PROBE:-auto}
LEAVE_MS=1500	# MTU sessions at 100ms x 3: 300 ms to notice, plus margin for load

# reg NODE PORT KEY / mtu NODE PORT KEY: the regular IPv4 session on PORT to
# the peer cabled there, or its MTU key mtu_KEY, from status -j.
reg() {
	lab_mrctl "$1" -j status | lab_json "[p['$3'] for p in d['sessions'] if p['port'] == '$2' and p['peer'] == '${LAB_PEER[$1:$2]}' and p['family'] == 'ipv4'][0]"
}
mtu() {
	lab_mrctl "$1" -j status | lab_json "[p['mtu_$3'] for p in d['sessions'] if p['port'] == '$2' and p['peer'] == '${LAB_PEER[$1:$2]}' and p['family'] == 'ipv4'][0]"
}
verdicts_are() { [ "$(mtu n1 "$P1" verdict)" = "$1" ] && [ "$(mtu n2 "$P2" verdict)" = "$1" ]; }
# big_ping FROM TO [OPTION...]: three pings of 8000 bytes, all answered.
big_ping() {
	lab_exec "$1" ping -q -n -c 3 -i 0.2 -W 1 -s 8000 "${@:3}" "$(lab_addr "$2")" 2>&1 |
		grep -q ' 3 received'
}
both_on() { lab_route_is n1 n2 "$1" && lab_route_is n2 n1 "$2"; }

# fault DESCRIPTION DIAG1 DIAG2 CMD...: apply CMD; both ends must leave the
# link within LEAVE_MS, keep the regular session Up, log DIAGn (n1, n2).
fault() {
	local what=$1 diag1=$2 diag2=$3 t t0 t1
	shift 3
	lab_log "-- $what"
	t=$EPOCHREALTIME t0=${t/./}
	"$@"
	t=$EPOCHREALTIME t1=${t/./}
	wait_for 5 both_on lan lan ||
		lab_fail "$what: routes n1 -> n2 '$(lab_route n1 n2)', n2 -> n1 '$(lab_route n2 n1)', expected lan at both ends"
	# From the stamp after the change (daemons' logs): never more than they took.
	lab_event_bounds "$t0" "$t1" n1 n2 lan n2 n1 lan
	assert_le "$what: both ends off the link after (command $LAB_EV_CMD_MS ms)" "$LAB_EV_LO_MS" "$LEAVE_MS" " ms"
	assert_eq "$what: regular sessions at both ends" "Up Up" "$(reg n1 "$P1" state) $(reg n2 "$P2" state)"
	assert_eq "$what: link state at both ends" "mtu mtu" "$(reg n1 "$P1" link) $(reg n2 "$P2" link)"
	wait_for 2 grep -q "n2 on $P1: $diag1" "$LAB_DIR/n1.log" ||
		lab_fail "$what: no '$diag1' in n1's log"
	lab_ok "n1 logs: n2 on $P1: $diag1"
	wait_for 2 grep -q "n1 on $P2: $diag2" "$LAB_DIR/n2.log" ||
		lab_fail "$what: no '$diag2' in n2's log"
	lab_ok "n2 logs: n1 on $P2: $diag2"
	big_ping n1 n2 || lab_fail "$what: 8000-byte pings n1 -> n2 lost"
	lab_ok "8000-byte pings n1 -> n2 answered (over the LAN)"
}

# heal CMD...: both ends back on the link after hold-down (and not before).
heal() {
	local t t0 t1
	t=$EPOCHREALTIME t0=${t/./}
	"$@"
	t=$EPOCHREALTIME t1=${t/./}
	wait_for 10 both_on "$P1" "$P2" || lab_fail "the link did not return after the fix"
	# Not before hold-down from the stamp before the fix, not later than
	# hold-down + 500 ms from the one after it (daemons' logs).
	lab_event_bounds "$t0" "$t1" n1 n2 "$P1" n2 n1 "$P2"
	assert_ge "back on the link after (hold-down $LAB_HOLD_MS ms)" "$LAB_EV_HI_MS" "$LAB_HOLD_MS" " ms"
	# The first padded probe after the fix (100 ms interval) starts the hold-down.
	assert_le "back on the link after (command $LAB_EV_CMD_MS ms)" "$LAB_EV_LO_MS" $((LAB_HOLD_MS + 500)) " ms"
	wait_for 2 verdicts_are ok || lab_fail "MTU verdicts not ok after the fix"
}

# The alert command records what an admin's would receive.
alerts=$LAB_DIR/alerts
cat >"$LAB_DIR/alert.sh" <<-EOS
#!/bin/sh
echo "\$MESHROUTE_NODE \$MESHROUTE_EVENT \$MESHROUTE_PEER \$MESHROUTE_PORT \$MESHROUTE_DIAG" >>"$alerts"
EOS
chmod 0755 "$LAB_DIR/alert.sh"
alerted() { grep -qxF "$1" "$alerts" 2>/dev/null; }

lab_log "== 3-node mesh, every link at MTU 9000, mtu-probe = $PROBE (hold-down 1s)"
lab_mesh3
lab_mtu 9000
lab_start_daemons "hold-down = 1s" "mtu-probe = $PROBE" "alert-command = $LAB_DIR/alert.sh"
lab_wait_routes 10
lab_show_routes
P1=$(lab_port n1 n2) P2=$(lab_port n2 n1)
W=$(lab_wire n1 n2)
lab_exec n1 ping -q -n -c 2 -i 0.2 -W 1 -M "do" -s 8972 "$(lab_addr n2)" >/dev/null ||
	lab_fail "9000-byte frames do not pass n1 -> n2 -> n1 on a healthy lab"
lab_ok "9000-byte packets (DF) pass n1 -> n2 -> n1"
if [ "$PROBE" != off ]; then
	wait_for 5 verdicts_are ok || lab_fail "MTU verdicts '$(mtu n1 "$P1" verdict)' '$(mtu n2 "$P2" verdict)', expected ok"
	assert_eq "padded probe size at both ends" "9000 9000" "$(mtu n1 "$P1" size) $(mtu n2 "$P2" size)"
	lab_log "$(lab_mrctl n1 status | sed 's/^/    /')"
fi

fault "n2's $P2 set to MTU 1500" "MTU 9000 not passing, 1500 does" \
	"MTU 1500 not passing, small probes do" ip -n "$(lab_ns n2)" link set "$P2" mtu 1500
assert_eq "n1 sees n2's padded probes of" 1500 "$(mtu n1 "$P1" passes)"
assert_eq "n1's metric meshroute_mtu_ok for n2 on $P1" 0 \
	"$(lab_mrctl n1 metrics | sed -n "s/^meshroute_mtu_ok{peer=\"n2\",port=\"$P1\",family=\"ipv4\"} //p")"
wait_for 2 alerted "n1 mtu-failed n2 $P1 MTU 9000 not passing, 1500 does" ||
	lab_fail "no mtu-failed alert on n1: $(cat "$alerts" 2>/dev/null)"
lab_ok "alert on n1: mtu-failed n2 $P1 MTU 9000 not passing, 1500 does"
heal ip -n "$(lab_ns n2)" link set "$P2" mtu 9000
wait_for 2 alerted "n2 mtu-ok n1 $P2 " || lab_fail "no mtu-ok alert on n2: $(cat "$alerts" 2>/dev/null)"
lab_ok "alert on n2: mtu-ok n1 $P2"
assert_eq "n1's metric meshroute_mtu_ok for n2 on $P1" 1 \
	"$(lab_mrctl n1 metrics | sed -n "s/^meshroute_mtu_ok{peer=\"n2\",port=\"$P1\",family=\"ipv4\"} //p")"

fault "the n1 -- n2 wire passes only 1500" "MTU 9000 not passing, small probes do" \
	"MTU 9000 not passing, small probes do" eval "ip -n $W link set n1 mtu 1500; ip -n $W link set n2 mtu 1500"
heal eval "ip -n $W link set n1 mtu 9000; ip -n $W link set n2 mtu 9000"

fault "the n1 -- n2 wire passes only 1500 from n1 to n2" \
	"MTU 9000 not passing to the peer (its 9000-byte probes arrive)" \
	"MTU 9000 not passing, small probes do" ip -n "$W" link set n1 mtu 1500
ip -n "$W" link set n1 mtu 9000
wait_for 15 both_on "$P1" "$P2" || lab_fail "the link did not return after the fix"
lab_ok "back on the link after the fix"
assert_eq "flaps of the regular sessions (MTU failures count for damping only)" "0 0" \
	"$(reg n1 "$P1" flaps) $(reg n2 "$P2" flaps)"

lab_log "-- mtu-probe = off by a rolling reload: nothing moves"
routes0=$(cat "$LAB_DIR"/n[123].routes | wc -l)
lab_config_set mtu-probe off
lab_mrctl n1 reload >/dev/null
n2_verdict_is() { [ "$(mtu n2 "$P2" verdict)" = "$1" ]; }
wait_for 2 n2_verdict_is off ||
	lab_fail "n2's verdict '$(mtu n2 "$P2" verdict)' after n1 stopped probing, expected off"
lab_ok "n2 sees that n1 stopped probing: verdict off"
lab_sleep 1
assert_eq "n1, n2: routes to each other, 1 s after n1's reload" "$P1 $P2" "$(lab_route n1 n2) $(lab_route n2 n1)"
for n in n2 n3; do lab_mrctl $n reload >/dev/null; done
lab_config_set mtu-probe auto
for n in n1 n2 n3; do lab_mrctl $n reload >/dev/null; done
wait_for 5 verdicts_are ok || lab_fail "MTU verdicts '$(mtu n1 "$P1" verdict)' '$(mtu n2 "$P2" verdict)' after the reloads back to auto"
assert_eq "route changes during the reloads" "$routes0" "$(cat "$LAB_DIR"/n[123].routes | wc -l)"

# Probing must not slow the regular failover down: silent failures of the
# other cables, the MTU handshake after the regular one within the fail-back
# target (hold-down + 100 ms, median).
outages=() failbacks=()
for pair in "n2 n3" "n3 n1" "n3 n2"; do
	read -r a b <<<"$pair"
	lab_log "-- the $a -- $b cable goes silent (jumbo frames, MTU probes on)"
	lab_failover_trial "lab_silent $a $b" "$a" "$b"
	outages+=("$TRIAL_OUTAGE_MS")
	failbacks+=("$TRIAL_FAILBACK_MS")
done
lab_log "== silent failures with MTU probes: outages ${outages[*]} ms; fail-back beyond hold-down (from the heal command's end) ${failbacks[*]} ms"
assert_le "median outage of a silent failure" "$(lab_median "${outages[@]}")" 100 " ms"
assert_le "median fail-back time beyond hold-down" "$(lab_median "${failbacks[@]}")" 100 " ms"
