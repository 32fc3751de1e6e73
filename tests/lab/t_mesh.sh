#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 150
# The whole mesh from any node (issue 20): on a 3-node mesh, n1's
# `meshroutectl -j mesh` shows all three cables up, each with the ports of
# both ends and an RTT and jitter; a silent failure of the n2--n3 cable (n1
# is no end of it) shows on n1 within 3 s, and its return after the
# hold-down; the RTT of a cable agrees with `ping` over the same cable
# (medians within a factor of 2, or 100 us apart); with both of n1's cables
# silent, the other nodes' tables still reach it over the LAN.  The
# mis-cabled lab is t_mesh_cabling.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
command -v jq >/dev/null || lab_skip "no jq (scripts/install-deps.sh installs it)"

# mesh_rows NODE A B: NODE's rows for the cables between A and B, one per
# line: state port_a port_b rtt_ms jitter_ms flaps (null: unknown).
mesh_rows() {
	ctl "$1" -j mesh | jq -r --arg a "$2" --arg b "$3" \
		'.links[] | select(.nodes == [$a, $b]) |
		 "\(.state) \(.ports[0]) \(.ports[1]) \(.rtt_ms) \(.jitter_ms) \(.flaps)"'
}
mesh_state() { mesh_rows "$1" "$2" "$3" | awk 'NR == 1 { print $1 }'; }
# up_with_rtt NODE A B PA PB: one row, up, those ports, RTT and jitter known.
up_with_rtt() {
	[ "$(mesh_rows "$1" "$2" "$3")" != "" ] &&
		mesh_rows "$1" "$2" "$3" | awk -v pa="$4" -v pb="$5" \
			'NR > 1 || $1 != "up" || $2 != pa || $3 != pb || $4 == "null" || $5 == "null" { bad = 1 }
			 END { exit bad }'
}
# ms_of_ping NODE PORT DST: the median of 50 pings over that port, ms.
ping_median() {
	lab_exec "$1" ping -n -I "$2" -c 50 -i 0.02 -W 1 "$3" 2>/dev/null |
		sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# rtt_median NODE A B: the median of 10 readings of the cable's RTT in NODE's view, 0.3 s apart.
rtt_median() {
	local i vals=()
	for i in 1 2 3 4 5 6 7 8 9 10; do
		vals+=("$(mesh_rows "$1" "$2" "$3" | awk 'NR == 1 { print $4 }')")
		lab_sleep 0.3
	done
	printf '%s\n' "${vals[@]}" | grep -v null | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# rtt_agrees WHAT MESH_MS PING_MS: within a factor of 2, or 0.1 ms apart.
rtt_agrees() {
	if awk -v m="$2" -v p="$3" 'BEGIN { d = m - p; if (d < 0) d = -d
		exit !(d <= 0.1 || (m <= 2 * p && p <= 2 * m)) }'; then
		lab_ok "$1: RTT $2 ms in the mesh view, $3 ms by ping"
	else
		lab_fail "$1: RTT $2 ms in the mesh view, $3 ms by ping: not within a factor of 2 or 0.1 ms"
	fi
}

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3, hold-down 1s)"
lab_mesh3
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10

reply=$(ctl n1 -j mesh 2>&1) || true
if ! printf '%s' "$reply" | jq -e '.links' >/dev/null 2>&1; then
	lab_skip "this meshrouted has no mesh view: \`meshroutectl -j mesh\` said: $(printf '%s' "$reply" | head -c 200)"
fi

lab_log "-- from n1: every cable up, with the ports of both ends, RTT and jitter"
all_up() {
	up_with_rtt n1 n1 n2 fast0 fast1 && up_with_rtt n1 n1 n3 fast1 fast0 &&
		up_with_rtt n1 n2 n3 fast0 fast1
}
if ! wait_for 15 all_up; then
	ctl n1 mesh >&2 || true
	lab_fail "n1's mesh view did not show the three cables up with RTT and jitter within 15 s"
fi
ctl n1 mesh
lab_ok "n1 sees n1 fast0 - n2 fast1, n1 fast1 - n3 fast0 and n2 fast0 - n3 fast1 up, with RTT and jitter"
# The same picture from the other nodes.
wait_for 5 eval 'up_with_rtt n3 n1 n2 fast0 fast1' || lab_fail "n3 does not see the n1 - n2 cable up"
lab_ok "n3 sees the n1 - n2 cable (it is no end of) up as well"

lab_log "-- RTT against ping over the same cable"
rtt_agrees "n1 - n2 (n1's own cable)" "$(rtt_median n1 n1 n2)" "$(ping_median n1 fast0 "$(lab_addr n2)")"
rtt_agrees "n2 - n3 (seen from n1, measured by n2)" "$(rtt_median n1 n2 n3)" \
	"$(ping_median n2 fast0 "$(lab_addr n3)")"

lab_log "-- the n2 - n3 cable goes silent: n1 sees it within 3 s"
flaps_before=$(mesh_rows n1 n2 n3 | awk 'NR == 1 { print $6 }')
lab_mono
t0=$LAB_MONO_MS
lab_silent n2 n3
wait_for 3 eval '[ "$(mesh_state n1 n2 n3)" = down ]' ||
	lab_fail "n1's view of n2 - n3: \"$(mesh_state n1 n2 n3)\" 3 s after the cable went silent (want down)"
lab_mono
seen_ms=$((LAB_MONO_MS - t0))
assert_le "time until n1 shows the n2 - n3 cable down" "$seen_ms" 3000 " ms"
row=$(mesh_rows n1 n2 n3)
[ "$(printf '%s\n' "$row" | awk '{ print $2 "-" $3 }')" = fast0-fast1 ] ||
	lab_fail "the dead cable's ports are no longer shown: $row"
lab_ok "a dead cable still shows where it goes: $row"

lab_log "-- healed: back up in n1's view after the hold-down (${LAB_HOLD_MS} ms)"
lab_mono
t0=$LAB_MONO_MS
lab_heal n2 n3
wait_for $((LAB_HOLD_MS / 1000 + 5)) eval '[ "$(mesh_state n1 n2 n3)" = up ]' ||
	lab_fail "n1's view of n2 - n3: \"$(mesh_state n1 n2 n3)\" $((LAB_HOLD_MS / 1000 + 5)) s after the heal (want up)"
lab_mono
back_ms=$((LAB_MONO_MS - t0))
# Up means in service: not before the hold-down has passed since the heal.
assert_ge "time until n1 shows it up again (not before the hold-down)" "$back_ms" "$LAB_HOLD_MS" " ms"
assert_le "time until n1 shows it up again" "$back_ms" $((LAB_HOLD_MS + 3000)) " ms"
flaps_after=$(mesh_rows n1 n2 n3 | awk 'NR == 1 { print $6 }')
assert_ge "flaps of n2 - n3 seen from n1" "$flaps_after" $((flaps_before + 1))

lab_log "-- n1's both cables silent: the tables still come over the LAN"
lab_silent n1 n2
lab_silent n1 n3
wait_for 3 eval '[ "$(mesh_state n1 n1 n2)" = down ] && [ "$(mesh_state n1 n1 n3)" = down ]' ||
	lab_fail "n1 does not show its own two cables down"
# Past the tables' lifetime (5 s): what n1 holds of n2 and n3 came over the LAN alone.
lab_sleep 6
[ "$(ctl n1 -j mesh | jq -c '.silent')" = '[]' ] ||
	lab_fail "n1 lost n2's or n3's table with only the LAN left: silent $(ctl n1 -j mesh | jq -c '.silent')"
[ "$(ctl n1 -j mesh | jq -c '.links[] | select(.nodes == ["n2", "n3"]) | [.state, .reported_by]')" = \
	'["up",["n2","n3"]]' ] || lab_fail "n1's view of n2 - n3 over the LAN alone: $(mesh_rows n1 n2 n3)"
lab_ok "over the LAN alone n1 still has live tables of n2 and n3 (n2 - n3 up, reported by both)"
lab_heal n1 n2
lab_heal n1 n3

lab_log "-- --dot draws, metrics carry the cables"
if command -v dot >/dev/null; then
	ctl n1 mesh --dot | dot -Tsvg -o "$LAB_DIR/mesh.svg" || lab_fail "dot refused n1's mesh --dot"
	[ "$(grep -c '<g id="edge' "$LAB_DIR/mesh.svg")" = 3 ] || lab_fail "mesh.svg has not 3 edges"
	lab_ok "meshroutectl mesh --dot | dot -Tsvg: 3 cables drawn"
fi
ctl n1 metrics | grep -q '^meshroute_link_rtt_seconds{node_a="n2",port_a="fast0",node_b="n3",port_b="fast1"} ' ||
	lab_fail "n1's metrics have no RTT of the n2 - n3 cable"
lab_ok "n1's metrics carry the RTT of the n2 - n3 cable"
# Every metric the Grafana dashboard and the alerting rules query is one the daemon exports.
{ jq -r '.panels[].targets[]?.expr' "$LAB_REPO/contrib/meshroute-dashboard.json"
  sed 's/#.*//' "$LAB_REPO/contrib/meshroute-alerts.yml"; } |
	grep -o 'meshroute_[a-z_]*[a-z]' | sort -u >"$LAB_DIR/queried"
ctl n1 metrics | sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' | sort -u >"$LAB_DIR/exported"
missing=$(comm -23 "$LAB_DIR/queried" "$LAB_DIR/exported" | xargs)
[ -s "$LAB_DIR/queried" ] && [ -z "$missing" ] ||
	lab_fail "queried by contrib/ but not in n1's metrics: ${missing:-(no query found)}"
lab_ok "the $(wc -l <"$LAB_DIR/queried") metrics contrib/'s dashboard and rules query are all in n1's metrics"
lab_log "t_mesh: n2 - n3 silent seen on n1 after ${seen_ms} ms, back after ${back_ms} ms"
