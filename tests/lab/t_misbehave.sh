#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 240
# Misbehaving neighbours of the daemon never stall probing.  With every
# session Up at 20ms x 3:
#  (a) control clients that connect, send "metrics" and then never read
#      (receive buffer shrunk to 1 KiB so that the reply cannot just sit in
#      it), for 10 s;
#  (b) at the same time clients that send a huge request (1 MiB, no newline)
#      and an endless slow one (one byte every 100 ms, for 10 s);
#  (c) an alert command (a script in the run dir) that floods its output
#      (yes | head -c 100000000), then one that hangs (sleep 600): alerts
#      are triggered by cutting and healing the n2 -- n3 cable, twice for
#      the first, until two hanging ones ran for the second.
# Asserted throughout: no session flaps except those of the cable that is
# cut (flaps counters and "-> Down" log lines), the cut cable still fails
# over and back, and "meshroutectl status" answers within 1 s on every
# poll (every 100-200 ms) of the nodes concerned.  Also: the daemon drops
# the clients (they see their connection end), and kills the hung alert
# commands (alert timeout 10 s, SIGKILL 1 s later): no "sleep 600" is left.
#
#                 n1                  n1 fast0 -[w12]- fast1 n2
#          fast0 /  \ fast1           n1 fast1 -[w13]- fast0 n3
#            [w12]  [w13]             n2 fast0 -[w23]- fast1 n3   <- cut, healed
#          fast1 \  / fast0
#             n2 -[w23]- n3           + lan0 of each on one bridge (the LAN)
#            fast0     fast1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile_lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
PY=/usr/bin/python3
[ -x $PY ] || lab_fail "$PY missing"

# The alert command: one line per run, then what alert.mode says.
alert=$LAB_DIR/alert.sh
echo none >"$LAB_DIR/alert.mode"
cat >"$alert" <<-EOS
#!/bin/sh
echo "\$MESHROUTE_NODE \$MESHROUTE_EVENT \$(date +%T.%N)" >>"$LAB_DIR/alert.runs"
case \$(cat "$LAB_DIR/alert.mode") in
hang)	exec sleep 600 ;;
flood)	yes | head -c 100000000 ;;
esac
EOS
chmod 0755 "$alert"

# The misbehaving control clients (python: bash cannot speak unix sockets).
cat >"$LAB_DIR/client.py" <<-'EOS'
import socket, sys, time
mode, path, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
if mode == "noread":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.connect(path)
t0 = time.monotonic()
end = "kept"
try:
    if mode == "noread":
        s.sendall(b"metrics\n")
        time.sleep(secs)
    elif mode == "huge":
        s.sendall(b"x" * (1 << 20))
        time.sleep(secs)
    elif mode == "slow":
        while time.monotonic() - t0 < secs:
            s.send(b"s")
            time.sleep(0.1)
    # Did the daemon drop us?  Whatever it sent, then EOF or a reset.
    s.setblocking(False)
    got = b""
    while True:
        try:
            b = s.recv(65536)
        except BlockingIOError:
            break
        if not b:
            end = "closed"
            break
        got += b
except (BrokenPipeError, ConnectionResetError):
    end = "reset"
print("%s: %s after %.1f s, last line %r" % (mode, end, time.monotonic() - t0,
      got.rstrip(b"\n").split(b"\n")[-1][:40] if end != "reset" else b""))
EOS

lab_log "== 3-node mesh, meshrouted on every node (20ms x 3, hold-down 1s), alert-command $alert"
lab_mesh3
lab_start_daemons "hold-down = 1s" "alert-command = $alert"
lab_wait_routes 10
p23=$(lab_port n2 n3) p32=$(lab_port n3 n2)

# flaps of every session of NODE but those on EXCEPT_PORT, one per line
flaps_of() {	# NODE [EXCEPT_PORT]
	hl_json "$1"
	hl_sessions | awk -v x="${2:-}" '$2 != x { print $1, $2, $3, $5 }'
}
declare -A f0
snap_flaps() { f0[n1]=$(flaps_of n1); f0[n2]=$(flaps_of n2 "$p23"); f0[n3]=$(flaps_of n3 "$p32"); }
check_flaps() {	# WHAT
	local n now
	for n in n1 n2 n3; do
		case $n in n2) now=$(flaps_of n2 "$p23") ;; n3) now=$(flaps_of n3 "$p32") ;; *) now=$(flaps_of n1) ;; esac
		[ "$now" = "${f0[$n]}" ] || {
			diff <(echo "${f0[$n]}") <(echo "$now") >&2
			lab_fail "$1: a session of $n that was not cut flapped"
		}
	done
	lab_ok "$1: no flap on any session not cut (flaps counters of n1, n2, n3)"
}
# "-> Down" lines other than those of the cut cable's ports
downs_elsewhere() {
	{
		grep -- '-> Down' "$LAB_DIR/n1.log"
		grep -- '-> Down' "$LAB_DIR/n2.log" | grep -v "via $p23:"
		grep -- '-> Down' "$LAB_DIR/n3.log" | grep -v "via $p32:"
	} | grep -c . || true
}

# poll_status SECONDS NODE...: "meshroutectl status" on each NODE, every
# ~100 ms, for SECONDS (monotonic); fails on an answer slower than 1 s.
# poll_status_until SECONDS COND NODE...: the same, but done as soon as
# COND (a command) succeeds, checked after each round; returns 1 if it did
# not within SECONDS.  POLL_MAX_MS, POLL_N: slowest answer and number of
# polls.
poll_status() { poll_status_until "$1" false "${@:2}" || true; }
poll_status_until() {
	local end cond=$2 n ms
	lab_mono
	end=$(( LAB_MONO_MS + $(lab_us_of "$1") / 1000 ))
	shift 2
	POLL_MAX_MS=0 POLL_N=0
	while :; do
		for n in "$@"; do
			ms=$(hl_status_ms "$n") || lab_fail "meshroutectl status on $n failed (no answer within 5 s)"
			(( ms > POLL_MAX_MS )) && POLL_MAX_MS=$ms
			(( ms <= 1000 )) || lab_fail "meshroutectl status on $n took $ms ms"
			POLL_N=$((POLL_N + 1))
		done
		$cond && return 0
		lab_mono
		(( LAB_MONO_MS < end )) || return 1
		lab_sleep 0.1
	done
}

# sleepers: the hung alert commands (sleep 600) running in n2's and n3's namespaces
sleepers() {
	local pids
	pids=$(for n in n2 n3; do ip netns pids "$(lab_ns $n)"; done | paste -sd, -)
	[ -n "$pids" ] || { echo 0; return; }
	ps -o args= -p "$pids" | grep -c '^sleep 600' || true
}

snap_flaps
downs0=$(downs_elsewhere)

lab_log "-- (a) + (b): 4 clients that never read, 2 huge requests, 2 endless slow ones, for 10 s"
clients=()
for mode in noread noread noread noread huge huge slow slow; do
	ip netns exec "$(lab_ns n1)" $PY "$LAB_DIR/client.py" $mode "$LAB_DIR/n1.sock" 10 \
		>>"$LAB_DIR/clients.out" 2>&1 &
	clients+=("$!")
	LAB_PIDS+=("$!")
done
poll_status 10 n1
for pid in "${clients[@]}"; do
	wait_for 5 eval "! lab_alive $pid" || lab_fail "a misbehaving client is still running"
	wait "$pid" || lab_fail "a misbehaving client failed: $(cat "$LAB_DIR/clients.out")"
	lab_reaped "$pid"
done
sed 's/^/      /' "$LAB_DIR/clients.out"
lab_ok "status on n1 answered $POLL_N times during it, slowest ${POLL_MAX_MS} ms"
assert_eq "clients the daemon did not drop" 0 "$(grep -c ': kept after' "$LAB_DIR/clients.out" || true)"
check_flaps "(a) + (b)"
lab_wait_routes 1

on_lan() { lab_route_is n2 n3 lan && lab_route_is n3 n2 lan; }
on_cable() { lab_route_is n2 n3 "$p23" && lab_route_is n3 n2 "$p32"; }
cycle() {	# WHAT: cut the n2 -- n3 cable, wait for the failover, heal it, wait for the fail-back
	lab_cut_carrier n2 n3
	poll_status_until 1 on_lan n2 n3 || {
		lab_show_routes >&2
		lab_fail "$1: the cut n2 -- n3 cable did not fail over within 1 s"
	}
	lab_heal n2 n3
	poll_status_until 2.5 on_cable n2 n3 || {
		lab_show_routes >&2
		lab_fail "$1: the healed n2 -- n3 cable did not fail back within 2.5 s (hold-down 1 s)"
	}
	lab_ok "$1: failover and fail-back of n2 -- n3; status answered $POLL_N times, slowest ${POLL_MAX_MS} ms"
}

lab_log "-- (c1) the alert command floods its output (100 MB): cut and heal n2 -- n3 twice"
echo flood >"$LAB_DIR/alert.mode"
runs0=$(wc -l 2>/dev/null <"$LAB_DIR/alert.runs" || echo 0)
cycle "flooding alerts, cycle 1"
cycle "flooding alerts, cycle 2"
runs=$(( $(wc -l <"$LAB_DIR/alert.runs") - runs0 ))
assert_ge "alert command runs (flooding)" "$runs" 2
check_flaps "(c1) flooding alerts"

lab_log "-- (c2) the alert command hangs (sleep 600): cut and heal n2 -- n3 until it ran twice"
echo hang >"$LAB_DIR/alert.mode"
runs0=$(wc -l <"$LAB_DIR/alert.runs")
# The cycles above may have spent the alerts' burst (10 per node, then one
# per 6 s): cycle until two hanging commands ran, at least twice, at most 8
# times (8 cycles take longer than a refill).
i=0
while :; do
	i=$((i + 1))
	cycle "hanging alerts, cycle $i"
	runs=$(( $(wc -l <"$LAB_DIR/alert.runs") - runs0 ))
	{ (( i >= 2 && runs >= 2 )) || (( i >= 8 )); } && break
done
assert_ge "alert command runs (hanging, $i cycles)" "$runs" 2
lab_log "      $(sleepers) 'sleep 600' running now"
check_flaps "(c2) hanging alerts"

lab_log "-- the hung alert commands are killed (timeout 10 s + 1 s): status keeps answering"
echo none >"$LAB_DIR/alert.mode"
no_sleepers() { [ "$(sleepers)" = 0 ]; }
# Each is killed 11 s after its start at the latest (the last started
# during the last cycle); 25 s leaves room for a busy host; status is
# polled all along.
poll_status_until 25 no_sleepers n2 n3 ||
	lab_fail "'sleep 600' alert commands still running 25 s later: $(sleepers)"
lab_ok "no 'sleep 600' left; status on n2, n3 answered $POLL_N times meanwhile, slowest ${POLL_MAX_MS} ms"
grep -h 'alert' "$LAB_DIR"/n[23].log | grep -i 'killed\|still running\|suppressed\|busy\|skipped' | sort | uniq -c | sed 's/^/      /' | head -n 8
check_flaps "all of it"
assert_eq "'-> Down' lines, other than the cut cable's" "$downs0" "$(downs_elsewhere)"
lab_wait_routes 1
lab_log "== misbehaving clients and alert commands: no flap, status always answered within 1 s"
