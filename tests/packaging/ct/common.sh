# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Sourced INSIDE the test container (container.sh) by the scripts that
# ct_boot runs as a service: PASS/FAIL helpers, and a two-node network:
# this node n1 (10.99.0.1) and its peer n2 in network namespace "peer"
# (10.99.0.2), joined by a LAN (lan0, /24) and one cable (fast0, /32).
# The peer's meshrouted runs by hand (not under systemd), n1's is the unit.

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
finish() {
	echo "$1: $([ $fails = 0 ] && echo "all passed" || echo "$fails failed")"
	exit $((fails != 0))
}

# wait_for SECONDS CMD...: polls CMD every 100 ms until it succeeds.
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

ct_net() {
	ip link set lo up
	ip netns add peer
	ip -n peer link set lo up
	ip link add lan0 type veth peer name lan0 netns peer
	ip link add fast0 type veth peer name fast0 netns peer
	ip addr add 10.99.0.1/24 dev lan0
	ip addr add 10.99.0.1/32 dev fast0
	ip -n peer addr add 10.99.0.2/24 dev lan0
	ip -n peer addr add 10.99.0.2/32 dev fast0
	for i in lan0 fast0; do
		ip link set "$i" up
		ip -n peer link set "$i" up
	done
}

# ct_config [GLOBAL LINE...]: /etc/meshroute/meshroute.conf for both nodes.
ct_config() {
	mkdir -p /etc/meshroute
	{
		echo "[global]"
		echo "hold-down = 1s"
		printf '%s\n' "$@"
		printf '\n[node n1]\naddress = 10.99.0.1\nlan = lan0\nfast = fast0\n'
		printf '\n[node n2]\naddress = 10.99.0.2\nlan = lan0\nfast = fast0\n'
	} >/etc/meshroute/meshroute.conf
}

# The peer runs outside the sandbox: it must not send alerts of its own.
ct_peer_start() {
	grep -v '^alert-command' /etc/meshroute/meshroute.conf >/run/peer.conf
	ip netns exec peer /usr/sbin/meshrouted -f -c /run/peer.conf -n n2 -s /run/peer.sock \
		>>/run/peer.log 2>&1 &
}

# ct_route: n1's route to n2 (its devices, or "lan" when it has none).
ct_route() {
	local r
	r=$(ip -4 -o route show proto meshroute 10.99.0.2 | grep -o 'dev [^ ]*' | awk '{ print $2 }' | xargs)
	echo "${r:-lan}"
}
ct_route_is() { [ "$(ct_route)" = "$1" ]; }

ct_pid() { systemctl show -p MainPID --value meshrouted; }
