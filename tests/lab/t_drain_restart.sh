#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# A drain outlives a restart (an upgrade restarts the daemon; so does a
# crash): meshrouted keeps drained ports in $STATE_DIRECTORY/drained (set
# by systemd's StateDirectory=, here by the test) and starts them drained,
# so the peer never sees the link Up again until the admin undrains it.
#
#        n1 fast0 --[w12]-- fast0 n2        + lan0 of each on one bridge
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

start() {	# NODE: meshrouted with its own state directory
	STATE_DIRECTORY=$LAB_DIR/state.$1 lab_start_daemon "$1"
}

routes_are() {	# EXPECTED: both ends' routes
	lab_route_is n1 n2 "$1" && lab_route_is n2 n1 "$1"
}

link_of() { lab_mr_sess "$1" fast0 ipv4 link; }	# NODE: ok, drained, ...

# completes WORD... CUR: what bash completion (etc/completion/meshroutectl.bash)
# offers for CUR after "meshroutectl -s n1.sock WORD...", space-separated.
completes() {
	PATH=$(dirname "$MESHROUTECTL"):$PATH bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"
		shift
		COMP_WORDS=(meshroutectl "$@")
		COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
		COMP_LINE="meshroutectl $*"
		COMP_POINT=${#COMP_LINE}
		_meshroutectl meshroutectl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' - "$LAB_REPO/etc/completion/meshroutectl.bash" \
		-s "$LAB_DIR/n1.sock" "$@" | sed '/^$/d' | xargs
}

lab_log "== two nodes, one cable, state directories for both daemons"
lab_node n1; lab_node n2
lab_lan n1 n2
lab_cable w12 n1 fast0 n2 fast0
lab_finish_build
mkdir -p "$LAB_DIR/state.n1" "$LAB_DIR/state.n2"
lab_write_config "hold-down = 1s"
for n in n1 n2; do lab_monitor_start $n; start $n; done
lab_wait_routes 10

[ -r /usr/share/bash-completion/bash_completion ] || lab_fail "bash-completion missing: run make deps"
assert_eq "completion of 'meshroutectl drain '" fast0 "$(completes drain "")"
assert_eq "completion of 'meshroutectl undrain ' (nothing drained)" "" "$(completes undrain "")"
assert_eq "completion of commands" "drain" "$(completes dr)"

lab_log "== drain n1 fast0"
lab_mrctl n1 drain fast0 >/dev/null || lab_fail "meshroutectl drain fast0 failed"
wait_for 2 routes_are lan || { lab_show_routes >&2; lab_fail "routes stayed on fast0 after drain"; }
lab_ok "both ends on the LAN"
assert_eq "completion of 'meshroutectl undrain '" fast0 "$(completes undrain "")"
assert_eq "completion of 'meshroutectl drain ' (fast0 is drained)" "" "$(completes drain "")"
state=$(cat "$LAB_DIR/state.n1/drained" 2>/dev/null || true)
grep -qE '^fast0 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' <<<"$state" ||
	lab_fail "state file lacks 'fast0 TIME': $(printf '%s' "$state" | tr '\n' '|')"
lab_ok "n1's state file: $(grep '^fast0' <<<"$state")"
assert_eq "n2's state file (nothing drained there)" "" "$(grep -v '^#' "$LAB_DIR/state.n2/drained" 2>/dev/null || true)"

for sig in TERM KILL; do
	lab_log "== restart n1's daemon (SIG$sig): fast0 stays drained"
	lab_stop_daemon n1 $sig
	t=$(now_us)
	start n1
	wait_for 3 eval '[ "$(link_of n1)" = drained ]' || lab_fail "after the restart n1 fast0 is $(link_of n1), not drained"
	lab_ok "n1 fast0 is drained after the restart"
	grep -q "port fast0: still drained since" "$LAB_DIR/n1.log" || lab_fail "n1's log does not say fast0 is still drained"
	# Hold-down (1 s) plus time to spare: the link must not come back.
	lab_sleep 3
	assert_eq "n1's route to n2 after the restart" lan "$(lab_route n1 n2)"
	assert_eq "n2's route to n1 after the restart" lan "$(lab_route n2 n1)"
	assert_eq "route events putting n2's route to n1 on fast0 since the restart" "" \
		"$(lab_route_event_us n2 n1 fast0 "$t")"
	assert_eq "n2's session to n1 on fast0" down "$(lab_mr_sess n2 fast0 ipv4 state | tr A-Z a-z)"
done

lab_log "== undrain: back in service, and it stays so across a restart"
lab_mrctl n1 undrain fast0 >/dev/null || lab_fail "meshroutectl undrain fast0 failed"
wait_for 4 routes_are fast0 || { lab_show_routes >&2; lab_fail "routes did not return to fast0"; }
lab_ok "routes back on fast0"
assert_eq "n1's state file after undrain" "" "$(grep -v '^#' "$LAB_DIR/state.n1/drained" || true)"
lab_stop_daemon n1
start n1
wait_for 6 routes_are fast0 || { lab_show_routes >&2; lab_fail "routes did not return to fast0 after the restart"; }
assert_eq "n1 fast0 after the restart" ok "$(link_of n1)"
