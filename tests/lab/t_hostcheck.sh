#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 90
# Host checks: n1 is set up as a Proxmox VE node often is before meshroute
# (its address on the bridge vmbr0, lan0 a port of it; the wiki's static
# /32 to the peer; an FRR openfabric route under it; FRR's bfdd holding UDP
# 3784).  `meshrouted --check-config` warns about each with the fix, and so
# does start-up, which then fails on the port bfdd holds.  Fixed as the
# warnings say, --check-config is silent and the LAN session comes Up.
#
#        n1 fast0 --[w12]-- fast0 n2
#        n1: lan0 (port of vmbr0, 10.10.0.1/24) --[lan bridge]-- lan0 n2
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

check_config() {	# NODE: the warnings of meshrouted --check-config (its stderr)
	lab_exec "$1" "$MESHROUTED" --check-config -c "$LAB_DIR/meshroute.conf" -n "$1" 2>&1 >/dev/null
}

expect_warning() {	# TEXT WHAT: TEXT is one of the warnings in $out
	grep -qF -- "$1" <<<"$out" || { printf '%s\n' "$out" | sed 's/^/    /' >&2; lab_fail "no warning: $2"; }
	lab_ok "warning: $2"
}

lab_log "== n1 as a Proxmox VE node: its address on vmbr0, lan0 a port of it; config says lan = lan0"
lab_node n1; lab_node n2
lab_lan n1 n2
lab_cable w12 n1 fast0 n2 fast0
ns1=$(lab_ns n1)
ip -n "$ns1" link add vmbr0 type bridge stp_state 0
ip -n "$ns1" addr del "$(lab_addr n1)/24" dev lan0
ip -n "$ns1" link set lan0 master vmbr0
ip -n "$ns1" addr add "$(lab_addr n1)/24" dev vmbr0
ip -n "$ns1" link set vmbr0 up
lab_finish_build
# realtime = no, README's advice (the lab's default is yes): the realtime
# warning has a step of its own below.
lab_write_config "hold-down = 1s" "realtime = no"

out=$(check_config n1)
expect_warning "lan = lan0 is a port of bridge vmbr0, which holds this node's address 10.10.0.1" \
	"the LAN port is a bridge port (names vmbr0)"
expect_warning "Fix: lan = vmbr0 in [node n1] of $LAB_DIR/meshroute.conf" "the fix: lan = vmbr0"
assert_eq "warnings about n2 (its host is sound)" "" "$(check_config n2)"

lab_log "== realtime = yes (README's advice before it was measured on busy hosts)"
sed -i 's/^realtime = no$/realtime = yes/' "$LAB_DIR/meshroute.conf"
out=$(check_config n2)
if [ "$(cat /sys/kernel/realtime 2>/dev/null)" = 1 ]; then
	assert_eq "warnings about n2 with realtime = yes on a PREEMPT_RT kernel" "" "$out"
else
	expect_warning "realtime = yes: on a kernel without full preemption" "realtime = yes: what was measured"
	expect_warning "Fix: realtime = no in [global]" "realtime = yes: the fix"
	assert_eq "warnings about n2 with realtime = yes" 1 "$(grep -c . <<<"$out")"
fi
sed -i 's/^realtime = yes$/realtime = no/' "$LAB_DIR/meshroute.conf"

lab_log "== the wiki's static /32 to n2, and an openfabric route (proto 197) under it"
ip -n "$ns1" route add "$(lab_addr n2)/32" dev fast0 proto boot
ip -n "$ns1" route add "$(lab_addr n2)/32" via "$(lab_addr n2)" dev fast0 onlink proto 197 metric 20
out=$(check_config n1)
expect_warning "route 10.10.0.2/32 dev fast0 proto boot metric 0 table main to peer n2: meshroute's route replaces it" \
	"the static /32 is replaced, then gone"
expect_warning "ip -4 route del 10.10.0.2/32 proto 3 metric 0" "the static /32: how to remove it"
expect_warning "route 10.10.0.2/32 via 10.10.0.2 dev fast0 proto openfabric metric 20 table main to peer n2 stays underneath" \
	"the openfabric route outlives meshroute's"
expect_warning "Proxmox SDN fabric" "the openfabric route: where it comes from"

lab_log "== FRR's bfdd holds UDP 3784"
printf 'bfd\n' >"$LAB_DIR/n1.frr.conf"
lab_frr_start n1 "$LAB_DIR/n1.frr.conf"
wait_for 5 lab_listening n1 udp 3784 || lab_fail "bfdd does not listen on UDP 3784"
bfdd=$(lab_exec n1 ss -Hlunp 'sport = :3784' | grep -o 'bfdd",pid=[0-9]*' | head -n1 | sed 's/.*pid=//')
[ -n "$bfdd" ] || lab_fail "ss does not show bfdd on UDP 3784"
out=$(check_config n1)
expect_warning "UDP port 3784 (BFD) is already in use by FRR's bfdd (pid $bfdd)" "3784 taken, owner and pid named"
expect_warning "bfdd=no in /etc/frr/daemons" "3784 taken: the fix"

lab_log "== start-up says the same, then fails on the port"
rc=0
lab_exec n1 timeout 10 "$MESHROUTED" -f -c "$LAB_DIR/meshroute.conf" -n n1 -s "$LAB_DIR/n1.sock" \
	>"$LAB_DIR/n1.start" 2>&1 || rc=$?
out=$(cat "$LAB_DIR/n1.start")
assert_eq "meshrouted's exit status with 3784 taken" 1 $rc
expect_warning "host check: lan = lan0 is a port of bridge vmbr0" "start-up: the bridged LAN port"
expect_warning "host check: route 10.10.0.2/32 dev fast0 proto boot" "start-up: the static /32"
expect_warning "host check: UDP port 3784 (BFD) is already in use by FRR's bfdd (pid $bfdd)" "start-up: bfdd named"
grep -n "host check: UDP port 3784" "$LAB_DIR/n1.start" | head -n1 | cut -d: -f1 >"$LAB_DIR/w.line"
grep -n "start-up failed" "$LAB_DIR/n1.start" | head -n1 | cut -d: -f1 >"$LAB_DIR/f.line"
[ -s "$LAB_DIR/f.line" ] || lab_fail "no 'start-up failed' line: $(tail -n 3 "$LAB_DIR/n1.start")"
assert_le "the warning comes before the failure (line)" "$(cat "$LAB_DIR/w.line")" "$(cat "$LAB_DIR/f.line")"
lab_frr_stop n1

lab_log "== fixed as the warnings say: lan = vmbr0, the routes removed"
sed -i '/^\[node n1\]$/,/^\[/ s/^lan = lan0$/lan = vmbr0/' "$LAB_DIR/meshroute.conf"
# (zebra, started and stopped above, may have swept the proto 197 route already)
ip -n "$ns1" route del "$(lab_addr n2)/32" proto 3 metric 0 2>/dev/null || true
ip -n "$ns1" route del "$(lab_addr n2)/32" proto 197 metric 20 2>/dev/null || true
assert_eq "routes to n2 left on n1" "" "$(ip -n "$ns1" -4 route show "$(lab_addr n2)/32")"
assert_eq "n1's warnings after the fixes" "" "$(check_config n1)"
for n in n1 n2; do	# the config written above, as fixed
	lab_monitor_start $n
	lab_start_daemon $n
done
wait_for 10 eval '[ "$(lab_mr_sess n1 vmbr0 ipv4 state | tr A-Z a-z)" = up ]' ||
	lab_fail "n1's LAN session on vmbr0 is $(lab_mr_sess n1 vmbr0 ipv4 state), not Up"
lab_ok "n1's LAN session on vmbr0 is Up"
lab_wait_routes 10
lab_ok "both routes over fast0"
if grep -q "host check:" "$LAB_DIR/n1.log"; then
	grep "host check:" "$LAB_DIR/n1.log" | sed 's/^/    /' >&2
	lab_fail "start-up still warns after the fixes"
fi
lab_ok "start-up: no host warnings after the fixes"
