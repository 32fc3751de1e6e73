#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 120
# A mis-cabled mesh (issue 20): the cable meant for n1 fast1 -- n3 went into
# n2 instead, so n1's two ports both reach n2 and n1 has no cable to n3.
# Every node's `meshroutectl mesh` must say so in a warning that names the
# nodes and the ports ("a cable in the wrong port?"), n1 must log it and
# raise it to its alert-command, and the n1 -- n3 pair shows state none.
#
#   n1 fast0 -[w12a]- fast0 n2 fast1 -[w23]- fast0 n3
#   n1 fast1 -[w12b]- fast2 n2                      n3 fast1 -[w3x]- (nothing)
#   + lan0 of each on one bridge (the LAN)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_lib.sh"
trap lab_cleanup EXIT
lab_require_daemon
command -v jq >/dev/null || lab_skip "no jq (scripts/install-deps.sh installs it)"

alerts=$LAB_DIR/alerts
cat >"$LAB_DIR/alert.sh" <<-EOS
#!/bin/sh
echo "\$MESHROUTE_NODE \$MESHROUTE_EVENT \$MESHROUTE_PEER \$MESHROUTE_NEW_STATE \$MESHROUTE_DIAG" >>"$alerts"
EOS
chmod 0755 "$LAB_DIR/alert.sh"

# wrong_port NODE: the text of NODE's wrong-port warnings, one a line.
wrong_port() { ctl "$1" -j mesh | jq -r '.warnings[] | select(.kind == "wrong-port") | .text'; }
# warned NODE: NODE's view has n1's warning, naming n1's ports, n2's ports and n3.
warned() {
	wrong_port "$1" | grep -F 'n1: fast0 and fast1 both reach n2 (its fast0 and fast2)' |
		grep -qF 'no cable to n3'
}

lab_log "== n1's second cable in n2's third port instead of n3"
lab_node n1; lab_node n2; lab_node n3
lab_lan n1 n2 n3
lab_cable w12a n1 fast0 n2 fast0
lab_cable w12b n1 fast1 n2 fast2
lab_cable w23 n2 fast1 n3 fast0
lab_finish_build
# n3's second port, with nothing plugged in: a veth whose other end, up in a
# namespace of its own, leads nowhere (carrier, but no one answers).
lab_quiet_ns "$(lab_ns w3x)"
ip -n "$(lab_ns w3x)" link add n3 type veth peer name fast1 netns "$(lab_ns n3)"
ip -n "$(lab_ns w3x)" link set n3 up
ip -n "$(lab_ns n3)" addr add "$(lab_addr n3)/32" dev fast1
ip -n "$(lab_ns n3)" link set fast1 up
LAB_FAST[n3]="fast0 fast1"
lab_start_daemons "hold-down = 1s" "alert-command = $LAB_DIR/alert.sh"

reply=$(ctl n1 -j mesh 2>&1) || true
if ! printf '%s' "$reply" | jq -e '.links' >/dev/null 2>&1; then
	lab_skip "this meshrouted has no mesh view: \`meshroutectl -j mesh\` said: $(printf '%s' "$reply" | head -c 200)"
fi

# Warnings wait MESH_GRACE (5 s) after start for the other nodes' tables.
if ! wait_for 15 warned n1; then
	ctl n1 mesh >&2 || true
	lab_fail "n1's mesh view has no warning naming n1 fast0 and fast1, n2 fast0 and fast2, and n3 within 15 s"
fi
ctl n1 mesh
lab_ok "n1: $(wrong_port n1 | grep -F 'n1: fast0 and fast1')"
wait_for 5 warned n3 || lab_fail "n3's mesh view does not have the warning"
lab_ok "n3 shows the same warning"

[ "$(ctl n1 -j mesh | jq -c '.links[] | select(.nodes == ["n1", "n3"]) | [.ports, .state]')" = \
	'[[null,null],"none"]' ] || lab_fail "the n1 - n3 pair is not shown as state none with null ports"
lab_ok "n1 - n3: state none, ports null"
[ "$(ctl n1 -j mesh | jq '[.links[] | select(.nodes == ["n1", "n2"] and .state == "up")] | length')" = 2 ] ||
	lab_fail "n1 does not show its two cables to n2 up"
lab_ok "n1 - n2: two cables up (fast0-fast0, fast1-fast2)"

grep -qF 'mesh: n1: fast0 and fast1 both reach n2' "$LAB_DIR/n1.log" ||
	lab_fail "n1's log does not have the warning"
lab_ok "n1 logged it"
wait_for 3 grep -q '^n1 mesh-warning n2 wrong-port n1: fast0 and fast1 both reach n2' "$alerts" ||
	lab_fail "n1's alert-command did not get mesh-warning wrong-port: $(cat "$alerts" 2>/dev/null)"
lab_ok "n1's alert-command: $(grep '^n1 mesh-warning n2 wrong-port' "$alerts" | head -n1)"
