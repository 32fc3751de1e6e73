#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# meshroutectl against running daemons: status (text and JSON), metrics
# (Prometheus text with HELP/TYPE), errors and exit codes, the control
# socket's permissions (0660: another user is refused with a clear message,
# a member of the socket's group gets in), and SIGTERM: exit 0, the peers
# see AdminDown and move their traffic to the LAN without loss, no route of
# ours is left behind.
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

json_ok() { python3 -m json.tool >/dev/null; }	# stdin parses as JSON

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3, hold-down 1s)"
lab_mesh3
lab_start_daemons "hold-down = 1s"
lab_wait_routes 10

lab_log "== status"
out=$(ctl n1 status) || lab_fail "meshroutectl status: exit $?"
printf '%s\n' "$out" | sed 's/^/      /'
assert_eq "status: first line" "node n1" "$(echo "$out" | head -n1)"
for peer in n2 n3; do
	port=$(lab_port n1 $peer)
	printf '%s\n' "$out" | grep -qE "^$peer +$(lab_addr $peer) +$port " ||
		lab_fail "status: no line '$peer $(lab_addr $peer) $port' in the peer table"
	printf '%s\n' "$out" | grep -qE "^$peer +$port +ok +ipv4 +Up +Up " ||
		lab_fail "status: no Up session to $peer on $port"
done
lab_ok "status: both peers over their fast port, their sessions Up"
printf '%s\n' "$out" | grep -q '^drops: ' || lab_fail "status: no drops line"

lab_log "== -j: JSON"
js=$(ctl n1 -j status) || lab_fail "meshroutectl -j status: exit $?"
printf '%s\n' "$js" | json_ok || lab_fail "status -j is not JSON: $js"
lab_ok "status -j parses (python3 -m json.tool)"
assert_eq "status -j: one line" 1 "$(printf '%s\n' "$js" | wc -l)"
printf '%s\n' "$js" | python3 -c '
import json, sys
s = json.load(sys.stdin)
want_top = {"node", "peers", "sessions", "drops", "decode_errors"}
want_peer = {"name", "family", "address", "path", "via", "path_since_s"}
want_sess = {"peer", "port", "family", "state", "remote_state", "since_s", "flaps",
             "local_discr", "remote_discr", "tx_interval_ms", "detect_time_ms",
             "last_detect_ms", "last_down_diag", "tx_packets", "rx_packets"}
assert want_top <= set(s), set(s)
assert s["node"] == "n1"
assert {p["name"] for p in s["peers"]} == {"n2", "n3"}, s["peers"]
for p in s["peers"]:
    assert want_peer <= set(p), p
    assert p["via"] == "fast" and len(p["path"]) == 1, p
for x in s["sessions"]:
    assert want_sess <= set(x), x
assert set(s["drops"]) >= {"decode", "ttl", "no_session", "wrong_port", "auth", "admin_down"}
' || lab_fail "status -j lacks documented keys (docs/control.md)"
lab_ok "status -j has the keys docs/control.md documents"
assert_eq "n1's path to n2 (status -j)" fast "$(lab_peer_via n1 n2)"
# (A failing command's JSON goes to stderr, with exit status 1.)
# (mlx4 without cards: an empty list, exit 0, as meshroutectl(8) says)
for spec in "0 metrics" "0 undrain $(lab_port n1 n2)" "1 drain nosuchport" "0 mlx4 --sysfs $LAB_DIR/nosys"; do
	read -r want cmd <<<"$spec"
	rc=0
	# shellcheck disable=SC2086
	out=$(ctl n1 -j $cmd 2>&1) || rc=$?
	assert_eq "-j $cmd: exit status" "$want" "$rc"
	printf '%s\n' "$out" | json_ok || lab_fail "-j $cmd is not JSON: $out"
	lab_ok "-j $cmd: JSON ($(printf '%s' "$out" | head -c 60)...)"
done

lab_log "== metrics"
m=$(ctl n1 metrics) || lab_fail "meshroutectl metrics: exit $?"
for name in meshroute_session_state meshroute_session_up meshroute_session_flaps_total \
	    meshroute_session_packets_sent_total meshroute_session_packets_received_total \
	    meshroute_packets_dropped_total meshroute_peer_path_fast meshroute_peer_path_ports; do
	printf '%s\n' "$m" | grep -qE "^# TYPE $name (gauge|counter|histogram)$" ||
		lab_fail "metrics: no TYPE line for $name"
	printf '%s\n' "$m" | grep -qE "^# HELP $name " || lab_fail "metrics: no HELP line for $name"
done
lab_ok "metrics: HELP and TYPE lines for every documented metric"
# Every sample belongs to a metric with a TYPE line (histograms: _bucket, _sum, _count).
bad=$(printf '%s\n' "$m" | awk '
	/^# TYPE / { typed[$3] = 1; next }
	/^#/ || NF == 0 { next }
	{ n = $1; sub(/\{.*/, "", n); b = n; sub(/_(bucket|sum|count)$/, "", b)
	  if (!(n in typed) && !(b in typed)) print n }' | sort -u | xargs)
assert_eq "metrics: samples without a TYPE line" "" "$bad"
bad=$(printf '%s\n' "$m" | grep -vE '^#|^$' | grep -vcE '^[a-z_:][a-z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+(Inf|NaN)?$' || true)
assert_eq "metrics: malformed sample lines" 0 "$bad"
assert_eq "metrics: n1's session to n2 on $(lab_port n1 n2)" 1 \
	"$(printf '%s\n' "$m" | sed -n "s/^meshroute_session_up{peer=\"n2\",port=\"$(lab_port n1 n2)\",family=\"ipv4\"} //p")"
assert_eq "metrics: n1's path to n2 is fast" 1 \
	"$(printf '%s\n' "$m" | sed -n 's/^meshroute_peer_path_fast{peer="n2",family="ipv4"} //p')"

lab_log "== errors and exit codes"
rc=0; out=$(ctl n1 frobnicate 2>&1) || rc=$?
assert_eq "unknown command: exit status" 1 "$rc"
printf '%s\n' "$out" | grep -q 'unknown command' || lab_fail "unknown command: message '$out'"
rc=0; out=$(ctl n1 drain nosuchport 2>&1) || rc=$?
assert_eq "drain of an unknown port: exit status" 1 "$rc"
lab_ok "drain nosuchport says: $out"
rc=0; ctl n1 status extra >/dev/null 2>&1 || rc=$?
assert_eq "status with an argument: exit status (usage)" 2 "$rc"
rc=0; out=$("$CTL" -s "$LAB_DIR/none.sock" status 2>&1) || rc=$?
assert_eq "no daemon on the socket: exit status" 2 "$rc"
printf '%s\n' "$out" | grep -q 'is meshrouted running?' || lab_fail "no daemon: message '$out'"

lab_log "== the control socket: 0660, other users refused"
sock=$LAB_DIR/n1.sock
assert_eq "socket mode" 660 "$(stat -c %a "$sock")"
assert_eq "socket owner" root "$(stat -c %U "$sock")"
# The daemon reads /etc/group alone (no NSS): the group counts only if it is there.
if grep -q "^meshroute:" /etc/group; then want_group=meshroute; else want_group=root; fi
assert_eq "socket group" "$want_group" "$(stat -c %G "$sock")"
# Let another user reach the socket (the lab's directory is 0700) and run
# a copy of meshroutectl.  The other user is uid/gid 65534 by number: no
# name ("nobody", "nogroup") that a host may lack or spell otherwise.  (If
# this test fails before the chmod back, lab_cleanup closes the directory
# it keeps.)
chmod go+x "$LAB_DIR"
install -m 0755 "$CTL" "$LAB_DIR/meshroutectl"
rc=0; out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$LAB_DIR/meshroutectl" -s "$sock" status 2>&1) || rc=$?
assert_eq "status as uid 65534: exit status" 2 "$rc"
printf '%s\n' "$out" | grep -q "Permission denied (root or group meshroute needed)" ||
	lab_fail "status as uid 65534: message '$out'"
lab_ok "uid 65534 is told: $out"
gid=$(stat -c %g "$sock")
rc=0; out=$(setpriv --reuid=65534 --regid=65534 --groups="$gid" "$LAB_DIR/meshroutectl" -s "$sock" status 2>&1) || rc=$?
assert_eq "status as uid 65534 in the socket's group ($gid): exit status" 0 "$rc"
chmod go-x "$LAB_DIR"

lab_log "== SIGTERM on n2, a stream n1 -> n2 running"
lab_flow_watch n1 5201
lab_stream_start n1 n2
wait_for 2 lab_flow_ge n1 "$(lab_port n1 n2)" 250 || lab_fail "the stream does not cross n1 $(lab_port n1 n2)"
mark1=$(wc -l <"$LAB_DIR/n1.log") mark3=$(wc -l <"$LAB_DIR/n3.log")
lab_stop_daemon n2 TERM
assert_eq "meshrouted on n2: exit status after SIGTERM" 0 "$LAB_DAEMON_STATUS"
lab_no_proto_routes n2 || { ip -n "$(lab_ns n2)" route show table all proto "$LAB_PROTO" >&2; lab_fail "routes of protocol $LAB_PROTO left on n2"; }
lab_ok "no route of protocol $LAB_PROTO left on n2"
wait_for 1 eval 'lab_route_is n1 n2 lan && lab_route_is n3 n2 lan' ||
	{ lab_show_routes >&2; lab_fail "n1 and n3 kept their routes to n2 after its SIGTERM"; }
# From the stamp right after the kill to n1's and n3's own log stamps.
lab_event_bounds "$LAB_STOP_BEFORE_US" "$LAB_STOP_AFTER_US" n1 n2 lan n3 n2 lan
assert_le "n1 and n3 on the LAN to n2, after SIGTERM" "$LAB_EV_LO_MS" 500 " ms"
for n in n1 n3; do
	p=$(lab_port "$n" n2)
	mark=mark${n#n}
	tail -n +$(( ${!mark} + 1 )) "$LAB_DIR/$n.log" |
		grep -qE "^([0-9:.]+ )?n2 \(10\.10\.0\.2\) via $p: session Up -> Down \(diag neighbor-down, peer AdminDown\)" ||
		lab_fail "$n's log has no 'peer AdminDown' for n2 via $p"
	lab_ok "$n saw n2's AdminDown on $p"
done
assert_eq "n1 reaches n2 through" lan0 "$(lab_path n1 n2)"
l=$(lab_flow n1 lan0)
wait_for 2 lab_flow_ge n1 lan0 $(( l + 500 )) || lab_fail "the stream does not cross n1's lan0"
lab_stream_stop
lab_log "      stream: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
lab_stream_lossless "stream across n2's SIGTERM"
assert_eq "flaps of n1's session to n2 (a peer's AdminDown is no failure)" 0 \
	"$(lab_sess_field n1 "$(lab_port n1 n2)" flaps n2)"
rc=0; out=$(ctl n2 status 2>&1) || rc=$?
assert_eq "status of the stopped n2: exit status" 2 "$rc"
lab_ok "status of the stopped n2 says: $out"
