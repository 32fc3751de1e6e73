#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab-timeout: 60
# IPv6 at boot: the daemons start while their IPv6 addresses are still
# tentative (duplicate address detection running, as right after boot or
# ifup), so no socket can bind them yet.  The IPv6 sessions must come Up
# once DAD is done, without a reload: the transmit sockets bind the address
# with IPV6_FREEBIND.
#
#        n1 fast0 --[w12]-- fast0 n2        + lan0 of each on one bridge
#        fd00:10::N/64 on lan0, /128 on fast0, added WITH duplicate address
#        detection (no "nodad"): lan0 3 probes 1 s apart; fast0 30 probes,
#        1 s apart until meshrouted sets the port's retrans_time_ms to
#        idle-interval (50 ms): still tentative for 1.5 s after it started
. "$(dirname "$0")/lib.sh"
trap lab_cleanup EXIT
lab_require_daemon

tentative() {	# NODE IF: its fd00:10:: address is still tentative
	ip -n "$(lab_ns "$1")" -6 addr show dev "$2" tentative | grep -q "fd00:10::"
}

lab_log "== two nodes, IPv6 addresses added with duplicate address detection"
lab_node n1; lab_node n2
lab_lan n1 n2
lab_cable w12 n1 fast0 n2 fast0
lab_finish_build
for n in n1 n2; do
	lab_exec $n sysctl -q -w net.ipv6.conf.lan0.dad_transmits=3 net.ipv6.conf.fast0.dad_transmits=30 \
		net.ipv6.neigh.lan0.retrans_time_ms=1000 net.ipv6.neigh.fast0.retrans_time_ms=1000
done
for n in n1 n2; do
	ip -n "$(lab_ns $n)" -6 addr add "$(lab_addr6 $n)/64" dev lan0
	ip -n "$(lab_ns $n)" -6 addr add "$(lab_addr6 $n)/128" dev fast0
done
lab_write_config "hold-down = 1s"
lab_config_v6
for n in n1 n2; do
	lab_monitor_start $n
	lab_start_daemon $n
done
# Start-up (sockets opened, sessions created) must be over while DAD still runs.
for n in n1 n2; do
	wait_for 5 grep -q "node $n: " "$LAB_DIR/$n.log" || lab_fail "meshrouted on $n did not finish start-up"
	tentative $n fast0 || lab_fail "$n's fast0 address was no longer tentative when its daemon was up: test too slow"
	tentative $n lan0 || lab_fail "$n's lan0 address was no longer tentative when its daemon was up: test too slow"
done
lab_ok "both daemons running, their IPv6 addresses still tentative"
wait_for 10 eval '! tentative n1 fast0 && ! tentative n2 fast0 && ! tentative n1 lan0 && ! tentative n2 lan0' ||
	lab_fail "DAD did not finish in 10 s"
lab_ok "DAD done"

lab_log "== the IPv6 sessions come Up and the /128 routes move to fast0, no reload"
wait_for 8 eval '[ "$(lab_mr_sess n1 fast0 ipv6 state | tr A-Z a-z)" = up ]' || {
	grep -i "transmit socket\|ipv6\|fd00" "$LAB_DIR/n1.log" | tail -n 5 | sed 's/^/    /' >&2
	lab_fail "n1's IPv6 session on fast0 is $(lab_mr_sess n1 fast0 ipv6 state), not Up"
}
lab_ok "n1's IPv6 session on fast0 is Up"
wait_for 5 eval 'lab_route6_is n1 n2 fast0 && lab_route6_is n2 n1 fast0' ||
	lab_fail "IPv6 routes: n1 -> n2 $(lab_route6 n1 n2), n2 -> n1 $(lab_route6 n2 n1)"
lab_ok "IPv6 routes over fast0 on both nodes"
wait_for 5 eval '[ "$(lab_mr_sess n1 lan0 ipv6 state | tr A-Z a-z)" = up ]' ||
	lab_fail "n1's IPv6 session on lan0 is $(lab_mr_sess n1 lan0 ipv6 state), not Up"
lab_ok "n1's IPv6 session on lan0 is Up"
assert_eq "reloads" 0 "$(grep -c 'reload:' "$LAB_DIR/n1.log" || true)"
