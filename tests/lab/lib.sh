# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# The meshroute namespace lab: builds a small cluster out of network
# namespaces, injects faults, runs meshrouted on every node and asserts on
# what an admin would look at (routes, counters, stream loss).  Sourced by
# tests/lab/t_*.sh and tests/lab/demo.sh; needs root, bash, iproute2, nftables.
#
# lab_mesh3 (3 nodes, full mesh; the cabling is deliberately not what the
# port names suggest, so that the daemon has to discover it):
#
#                            10.10.0.1
#                               n1
#                     fast0 /        \ fast1
#                          /          \
#                       [w12]        [w13]
#                          \          /
#                     fast1 \        / fast0
#                 10.10.0.2  n2      n3  10.10.0.3
#                        fast0 \    / fast1
#                               [w23]
#
#   n1 fast0 -> n2    n2 fast0 -> n3    n3 fast0 -> n1
#   n1 fast1 -> n3    n2 fast1 -> n1    n3 fast1 -> n2
#
# lab_ring4 (4 nodes in a ring, dual-port cards; opposite nodes, n1-n3 and
# n2-n4, have no cable between them):
#
#   n1 fast0 -[w12]- fast1 n2 fast0 -[w23]- fast1 n3
#   n1 fast1 -[w41]- fast0 n4 fast1 -[w34]- fast0 n3
#
# lab_b2b2 (2 nodes, two cables):  n1 fast0 --[w12a]-- fast0 n2
#                                  n1 fast1 --[w12b]-- fast1 n2
#
# Both: every node's lan0 (10.10.0.N/24) is a port of bridge br0 in
# $LAB_ID-lan; every fast port carries the node's same address as /32.
# A cable [wXY] is namespace $LAB_ID-wXY holding two veths named after the
# nodes they lead to ("n1", "n2"), joined by nftables (table netdev mrwire:
# an ingress chain on each veth, priority LAB_WIRE_PRIO (0), "fwd to" the other
# one).  Not a bridge: a bridge port only forwards once the kernel's linkwatch
# has set its operstate UP, up to a second after the carrier came back, which
# real cables do not do.  Faults are applied there (lab_wire_drop's ingress
# chains in table netdev mrlab run first, at LAB_FAULT_PRIO (-10)), so the
# nodes see exactly what a real cable fault shows them.  Anything else that
# wants to see a wire's frames must hook ingress below LAB_WIRE_PRIO too:
# "fwd" ends a frame's way through the ingress hook.
#
# Namespaces: $LAB_ID-n1.. (nodes), $LAB_ID-lan, $LAB_ID-w12..  All are
# deleted, and every process started here is killed, by lab_cleanup, which
# runs on EXIT (also on failure and Ctrl-C).  Traffic only ever flows inside
# these namespaces.  Node sysctls are Debian's defaults except rp_filter=1
# (strict), on purpose: meshrouted has to fix it.
#
# Functions, by concern:
#   build     lab_mesh3, lab_ring4, lab_b2b2 (or lab_node, lab_lan, lab_cable,
#             lab_finish_build); lab_power_off / lab_power_on NODE (reboot);
#             lab_mtu MTU (every link of the lab, jumbo frames)
#   cabling   lab_port NODE PEER (fast port(s)), lab_wire NODE PEER (wire ns)
#   faults    lab_cut_carrier | lab_silent | lab_oneway | lab_heal A B [PORT_A]
#             (oneway drops A -> B only); each stamps the wall clock before
#             and after its command: LAB_FAULT_BEFORE_US / LAB_FAULT_AFTER_US,
#             LAB_HEAL_BEFORE_US / LAB_HEAL_AFTER_US (the change took effect
#             in between; LAB_FAULT_US / LAB_HEAL_US, the middle, is an
#             estimate for printed figures only, never for an assertion)
#   daemons   lab_start_daemons [CONFIG LINE...], lab_start_daemon NODE,
#             lab_stop_daemon NODE [SIGNAL] (status in LAB_DAEMON_STATUS)
#   observe   lab_route NODE PEER ("fast0", "fast0 fast1" or "lan"),
#             lab_path NODE PEER (device the kernel uses), lab_wait_routes S,
#             lab_b2b2_up / lab_b2b2_steady WHEN (two nodes: nothing moved),
#             lab_count_routes NODE, lab_no_proto_routes NODE, lab_rp_filter,
#             lab_tx / lab_rx NODE IF, lab_flow_watch NODE PORT + lab_flow NODE IF
#             (the test stream's own packets per interface),
#             lab_event_bounds (when the daemons changed their routes, from
#             their own logs, as bounds around an action's two stamps),
#             lab_event_ms (the same from "ip monitor", for printed figures)
#   streams   lab_stream_start FROM TO [COUNT [PORT]] (no COUNT: until
#             stopped), lab_stream_stop, lab_stream_wait (receiver's report in
#             LAB_STREAM_RESULT, the sender's own count in LAB_STREAM_SENT),
#             lab_kv LINE KEY
#   trial     lab_failover_trial FAULT A B: one fault-and-heal cycle, checked
#   asserts   wait_for TIMEOUT_S CMD..., assert_eq, assert_le, assert_ge,
#             lab_fail, lab_skip REASON (exit 77: run.sh counts it apart),
#             lab_median; all print expected and actual
#   clocks    lab_mono (LAB_MONO_MS: monotonic, for every wait and duration
#             the harness measures), now_us / now_ms (wall clock: only for
#             stamps compared with the daemons' logs and "ip monitor")
#
# Environment: MESHROUTED, MRSTREAM (binaries), LAB_ID (run id, set by
# run.sh), LAB_VERBOSE=1 (meshrouted -v).  Logs: $LAB_DIR/NODE.log (daemon),
# $LAB_DIR/NODE.routes (route events); kept if the test fails.  Host
# sysctls a test changes (lab_host_sysctl) are listed in $LAB_DIR/host.sysctl
# until restored, so that run.sh restores them after a test it had to kill.

LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MESHROUTED=${MESHROUTED:-$LAB_REPO/build/meshrouted}
MRSTREAM=${MRSTREAM:-$LAB_REPO/build/mrstream}
LAB_ID=${LAB_ID:-mr$$$(printf '%04x' $((RANDOM)))}
LAB_DIR=$(mktemp -d "/tmp/meshroute-lab.$LAB_ID.XXXX")
LAB_PROTO=204			# meshroute's route protocol number
LAB_STREAM_RATE=5000		# packets per second of the test streams
LAB_WIRE_PRIO=0			# netdev ingress priority of a wire's forwarding
LAB_FAULT_PRIO=-10		# ... of its faults: before it, so a drop is final

LAB_NODES=()			# node names, in creation order
LAB_NAMESPACES=()		# every namespace of this run
LAB_PIDS=()			# every background process of this run
declare -A LAB_PORTS		# [node:peer] -> fast port(s) of node cabled to peer
declare -A LAB_WIRE		# [node:port] -> wire namespace of that cable
declare -A LAB_PEER		# [node:port] -> node at the other end
declare -A LAB_PEER_PORT	# [node:port] -> port at the other end
declare -A LAB_FAST		# [node] -> its fast ports
declare -A LAB_DAEMON		# [node] -> meshrouted pid
declare -A LAB_MONITOR		# [node] -> pid of its "ip monitor route"
declare -A LAB_FAULT		# [wire ns] -> carrier|drop: the fault applied there
LAB_FAULT_US=0			# when the last fault took effect, us
LAB_HEAL_US=0			# when the last heal took effect, us
LAB_HOLD_MS=2000		# hold-down of the running daemons, ms
LAB_DAEMON_STATUS=		# exit status of the last lab_stop_daemon

set -eu
trap lab_cleanup EXIT
# A signal ends the run through the EXIT trap.  Never exit from inside
# "read -t" though (lab_sleep): bash 5.2 then crashes later in the cleanup
# (a stale longjmp) and leaves the namespaces behind.  There, only note it.
LAB_IN_READ=0 LAB_SIGNAL=
lab_on_signal() {
	if [ "$LAB_IN_READ" = 1 ]; then LAB_SIGNAL=$1; else exit "$1"; fi
}
trap 'lab_on_signal 129' HUP
trap 'lab_on_signal 130' INT
trap 'lab_on_signal 141' PIPE
trap 'lab_on_signal 143' TERM

# ---- small helpers ---------------------------------------------------------

lab_ns() { echo "$LAB_ID-$1"; }
lab_addr() { echo "10.10.0.${1#n}"; }
lab_exec() { local n=$1; shift; ip netns exec "$(lab_ns "$n")" "$@"; }

# Wall-clock time, microseconds and milliseconds: only for stamps that are
# compared with the daemons' log stamps and "ip monitor -ts", which are
# wall-clock time too.  (An NTP step between two such stamps corrupts that
# one measurement; nothing waits on this clock.)
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
now_ms() { local t=$EPOCHREALTIME; echo $(( ${t/./} / 1000 )); }

# lab_mono: LAB_MONO_MS, a monotonic clock (the kernel's boot time, from
# /proc/uptime: no fork, 10 ms resolution), for every wait, deadline and
# duration that the harness measures on its own; lab_mono_ms prints it.
lab_mono() {
	local up
	read -r up _ </proc/uptime
	LAB_MONO_MS=$(( 10#${up/./} * 10 ))
}
lab_mono_ms() { lab_mono; echo "$LAB_MONO_MS"; }

# lab_us_of SECONDS: "1.5" -> 1500000, without forking a process.
lab_us_of() {
	local i=${1%%.*} f=
	[[ $1 == *.* ]] && f=${1#*.}
	f=${f}000000
	echo $(( 10#${i:-0} * 1000000 + 10#${f:0:6} ))
}

# Sleeping and polling cost no process: forks are slow enough here (15-20 ms
# each on a loaded 2-core box) to blur millisecond measurements.
mkfifo "$LAB_DIR/sleep"
exec {LAB_SLEEP_FD}<>"$LAB_DIR/sleep"
lab_sleep() {
	LAB_IN_READ=1
	read -r -t "$1" -u "$LAB_SLEEP_FD" _ || true
	LAB_IN_READ=0
	[ -z "$LAB_SIGNAL" ] || exit "$LAB_SIGNAL"
}

lab_log() { printf '%s\n' "$*"; }
lab_ok() { printf '  ok  %s\n' "$*"; }

lab_fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# lab_skip REASON: this test cannot run on this host; exit status 77, which
# run.sh reports as SKIP with the reason, counted apart from PASS and FAIL.
lab_skip() {
	printf 'SKIP: %s\n' "$*" >&2
	[ -z "${LAB_SKIP_FILE:-}" ] || printf '%s\n' "$*" >"$LAB_SKIP_FILE"
	exit 77
}

# wait_for TIMEOUT_S CMD...: polls CMD every 10 ms until it succeeds (0) or
# TIMEOUT_S (may be fractional) has passed on the monotonic clock (1); CMD
# runs once more at the deadline.
wait_for() {
	local deadline
	lab_mono
	deadline=$(( LAB_MONO_MS + $(lab_us_of "$1") / 1000 ))
	shift
	while :; do
		"$@" && return 0
		lab_mono
		(( LAB_MONO_MS < deadline )) || return 1
		lab_sleep 0.01
	done
}

assert_eq() {	# WHAT EXPECTED ACTUAL
	[ "$2" = "$3" ] || lab_fail "$1: expected '$2', got '$3'"
	lab_ok "$1: $3"
}

# A number, or the assertion fails: an empty reading must not pass as 0.
lab_is_number() { [[ $1 =~ ^-?[0-9]+([.][0-9]+)?$ ]]; }

assert_le() {	# WHAT ACTUAL LIMIT [UNIT]
	lab_is_number "$2" || lab_fail "$1: expected a number <= $3${4:-}, got '$2'"
	awk -v a="$2" -v l="$3" 'BEGIN { exit !(a + 0 <= l + 0) }' ||
		lab_fail "$1: expected <= $3${4:-}, got $2${4:-}"
	lab_ok "$1: $2${4:-} (limit $3${4:-})"
}

assert_ge() {	# WHAT ACTUAL MINIMUM [UNIT]
	lab_is_number "$2" || lab_fail "$1: expected a number >= $3${4:-}, got '$2'"
	awk -v a="$2" -v l="$3" 'BEGIN { exit !(a + 0 >= l + 0) }' ||
		lab_fail "$1: expected >= $3${4:-}, got $2${4:-}"
	lab_ok "$1: $2${4:-} (minimum $3${4:-})"
}

# lab_kv "key=value ..." KEY: the value of KEY in a mrstream report line.
lab_kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1; }

# lab_median N...: the median as tests/lab and bench/ define it: the middle
# value of an odd count, the UPPER of the two middle values of an even one
# (of 4 trials, 3 must be within a limit that the median is held to); empty
# for none.  LAB_MEDIAN_AWK is that definition (bench/lib.sh uses it; the
# same in bench/report.py's median()).
LAB_MEDIAN_AWK='function lab_median(v, n) { return n ? v[int(n / 2) + 1] : "" }'
lab_median() {
	[ $# -gt 0 ] || { echo; return; }
	printf '%s\n' "$@" | sort -g | awk "$LAB_MEDIAN_AWK"' { v[NR] = $1 } END { print lab_median(v, NR) }'
}

lab_require_daemon() {
	[ -x "$MESHROUTED" ] || lab_fail "$MESHROUTED missing: run make"
}

# ---- building the lab -------------------------------------------------------

lab_add_ns() {
	LAB_NAMESPACES+=("$1")
	ip netns add "$1"
	ip -n "$1" link set lo up
}

# Debian-like defaults, except strict reverse-path filtering, on purpose: the
# daemon has to fix it.  New namespaces inherit IPv4 settings from the host,
# so everything that matters is set explicitly.
lab_node_sysctls() {
	local node=$1 ifs=(all default) args=() i
	[ -e "/run/netns/$(lab_ns "$node")" ] || return 0
	for i in $(ip -n "$(lab_ns "$node")" -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
		[ "$i" = lo ] || ifs+=("$i")
	done
	args+=(net.ipv4.ip_forward=0 net.ipv4.fib_multipath_hash_policy=0)
	for i in "${ifs[@]}"; do
		args+=("net.ipv4.conf.$i.rp_filter=1" "net.ipv4.conf.$i.arp_ignore=0"
		       "net.ipv4.conf.$i.arp_announce=0" "net.ipv4.conf.$i.arp_filter=0"
		       "net.ipv4.conf.$i.accept_local=0"
		       "net.ipv4.conf.$i.ignore_routes_with_linkdown=0")
	done
	lab_exec "$node" sysctl -q -w "${args[@]}" >/dev/null
}

lab_node() {
	LAB_NODES+=("$1")
	LAB_FAST[$1]=""
	lab_add_ns "$(lab_ns "$1")"
	lab_node_sysctls "$1"
}

# A namespace that only forwards frames: no IPv6 chatter of its own, and
# bridged frames do not pass the host's iptables hooks (br_netfilter, when
# loaded -- Docker loads it -- charges every frame crossing a lab cable to
# the sending process: 7 % of a daemon's CPU time at 10 ms).  A cable or a
# switch has no firewall.  -e: the keys exist only with br_netfilter.
lab_quiet_ns() {
	local ns=$1
	lab_add_ns "$ns"
	ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	ip netns exec "$ns" sysctl -e -q -w net.bridge.bridge-nf-call-iptables=0 \
		net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0 >/dev/null
}

# ... with a bridge br0 (the LAN).
lab_switch_ns() {
	local ns=$1
	lab_quiet_ns "$ns"
	ip -n "$ns" link add br0 type bridge stp_state 0 mcast_snooping 0
	ip -n "$ns" link set br0 up
}

# lab_wire_index: an interface index for the switch or wire side of a lab
# veth, unlike any the node side gets.  The kernel treats a veth whose index
# equals its peer's (each counted in its own namespace) as a plain NIC, whose
# carrier changes reach netlink through the rate-limited link watch: a node
# learnt that its cable was pulled up to 70 ms late, where every other lab
# cable took < 5 ms.  Sets LAB_IFINDEX.
LAB_IFINDEX=1000
lab_wire_index() { LAB_IFINDEX=$((LAB_IFINDEX + 1)); }

# lab_lan NODE...: the shared LAN, every node's lan0 on one bridge.
lab_lan() {
	local ns node
	ns=$(lab_ns lan)
	lab_switch_ns "$ns"
	for node in "$@"; do
		lab_wire_index
		ip -n "$ns" link add "$node" index "$LAB_IFINDEX" type veth peer name lan0 netns "$(lab_ns "$node")"
		ip -n "$ns" link set "$node" master br0 up
		ip -n "$(lab_ns "$node")" addr add "$(lab_addr "$node")/24" dev lan0
		ip -n "$(lab_ns "$node")" link set lan0 up
	done
}

# lab_cable WIRE A PORT_A B PORT_B: one point-to-point fast link.  Frames
# entering the wire from one node leave it towards the other one as soon as
# both wire-side veths are up (see the top of this file).
lab_cable() {
	local wire=$1 a=$2 pa=$3 b=$4 pb=$5 ns end node port
	ns=$(lab_ns "$wire")
	lab_quiet_ns "$ns"
	for end in "$a $pa" "$b $pb"; do
		read -r node port <<<"$end"
		lab_wire_index
		ip -n "$ns" link add "$node" index "$LAB_IFINDEX" type veth peer name "$port" netns "$(lab_ns "$node")"
	done
	ip netns exec "$ns" nft -f - <<-EOF
	table netdev mrwire {
	chain from_$a { type filter hook ingress device "$a" priority $LAB_WIRE_PRIO; fwd to "$b"; }
	chain from_$b { type filter hook ingress device "$b" priority $LAB_WIRE_PRIO; fwd to "$a"; }
	}
	EOF
	for end in "$a $pa" "$b $pb"; do
		read -r node port <<<"$end"
		ip -n "$ns" link set "$node" up
		ip -n "$(lab_ns "$node")" addr add "$(lab_addr "$node")/32" dev "$port"
		ip -n "$(lab_ns "$node")" link set "$port" up
		LAB_WIRE[$node:$port]=$wire
		LAB_FAST[$node]=$(printf '%s\n' ${LAB_FAST[$node]} "$port" | sort | xargs)
	done
	LAB_PEER[$a:$pa]=$b; LAB_PEER_PORT[$a:$pa]=$pb
	LAB_PEER[$b:$pb]=$a; LAB_PEER_PORT[$b:$pb]=$pa
	LAB_PORTS[$a:$b]=$(printf '%s\n' ${LAB_PORTS[$a:$b]:-} "$pa" | sort | xargs)
	LAB_PORTS[$b:$a]=$(printf '%s\n' ${LAB_PORTS[$b:$a]:-} "$pb" | sort | xargs)
}

lab_link_up() {	# NODE IF: administratively up with carrier
	ip -n "$(lab_ns "$1")" -br link show dev "$2" 2>/dev/null | awk '{ exit $2 != "UP" }'
}

lab_no_carrier() {	# NODE IF
	ip -n "$(lab_ns "$1")" link show dev "$2" | grep -q NO-CARRIER
}

# lab_lan_forwarding NODE: the LAN's bridge forwards NODE's frames (a bridge
# port starts forwarding only when linkwatch has seen its carrier, up to a
# second after the node set lan0 up).
lab_lan_forwarding() {
	bridge -n "$(lab_ns lan)" link show dev "$1" 2>/dev/null | grep -q 'state forwarding'
}

lab_all_links_up() {
	local node port
	for node in "${LAB_NODES[@]}"; do
		lab_link_up "$node" lan0 || return 1
		lab_lan_forwarding "$node" || return 1
		for port in ${LAB_FAST[$node]}; do
			lab_link_up "$node" "$port" || return 1
		done
	done
}

lab_finish_build() {
	local node
	for node in "${LAB_NODES[@]}"; do
		lab_node_sysctls "$node"
	done
	wait_for 5 lab_all_links_up || lab_fail "lab links did not come up"
}

# lab_power_off NODE: what a reboot does to NODE's network: its daemon dies
# (SIGKILL: no goodbye), its ports go down, routes, neighbours and addresses
# are flushed.
lab_power_off() {
	local node=$1 ns i
	ns=$(lab_ns "$node")
	[ -n "${LAB_DAEMON[$node]:-}" ] && lab_stop_daemon "$node" KILL
	for i in lan0 ${LAB_FAST[$node]}; do
		ip -n "$ns" link set "$i" down
		ip -n "$ns" addr flush dev "$i"
	done
	ip -n "$ns" -4 route flush table main
	ip -n "$ns" neigh flush all
}

# lab_power_on NODE: NODE boots: default sysctls, addresses, ports up (no daemon).
lab_power_on() {
	local node=$1 ns i
	ns=$(lab_ns "$node")
	lab_node_sysctls "$node"
	ip -n "$ns" addr add "$(lab_addr "$node")/24" dev lan0
	for i in ${LAB_FAST[$node]}; do
		ip -n "$ns" addr add "$(lab_addr "$node")/32" dev "$i"
	done
	for i in lan0 ${LAB_FAST[$node]}; do
		ip -n "$ns" link set "$i" up
	done
	wait_for 5 lab_all_links_up || lab_fail "$node's links did not come up"
}

lab_mesh3() {
	lab_node n1; lab_node n2; lab_node n3
	lab_lan n1 n2 n3
	lab_cable w12 n1 fast0 n2 fast1
	lab_cable w13 n1 fast1 n3 fast0
	lab_cable w23 n2 fast0 n3 fast1
	lab_finish_build
}

lab_ring4() {
	lab_node n1; lab_node n2; lab_node n3; lab_node n4
	lab_lan n1 n2 n3 n4
	lab_cable w12 n1 fast0 n2 fast1
	lab_cable w23 n2 fast0 n3 fast1
	lab_cable w34 n3 fast0 n4 fast1
	lab_cable w41 n4 fast0 n1 fast1
	lab_finish_build
}

lab_b2b2() {
	lab_node n1; lab_node n2
	lab_lan n1 n2
	lab_cable w12a n1 fast0 n2 fast0
	lab_cable w12b n1 fast1 n2 fast1
	lab_finish_build
}

# lab_b2b2_up: wait until both cables carry traffic both ways; remembers
# each node's route-event count for lab_b2b2_steady.
lab_b2b2_up() {
	wait_for 10 eval 'lab_route_is n1 n2 "fast0 fast1" && lab_route_is n2 n1 "fast0 fast1"' || {
		lab_show_routes >&2; lab_fail "routes did not come up"; }
	lab_ok "both cables carry traffic both ways"
	LAB_B2B_EV1=$(wc -l <"$LAB_DIR/n1.routes") LAB_B2B_EV2=$(wc -l <"$LAB_DIR/n2.routes")
}

# lab_b2b2_steady WHEN: since lab_b2b2_up, every fast session still Up with
# no flap, and no route event on either node ("WHEN" names the episode).
lab_b2b2_steady() {
	local n p
	for n in n1 n2; do
		for p in fast0 fast1; do
			assert_eq "$n $p: session state $1" up "$(lab_mr_sess "$n" "$p" ipv4 state | tr 'A-Z' 'a-z')"
			assert_eq "$n $p: flaps $1" 0 "$(lab_mr_sess "$n" "$p" ipv4 flaps)"
		done
	done
	assert_eq "n1's route events $1" "$LAB_B2B_EV1" "$(wc -l <"$LAB_DIR/n1.routes")"
	assert_eq "n2's route events $1" "$LAB_B2B_EV2" "$(wc -l <"$LAB_DIR/n2.routes")"
}

# lab_mtu MTU: every link of the built lab at MTU bytes: the nodes' ports,
# the wires' veths and the LAN's (its bridge follows its ports).  Veths drop
# a frame larger than the receiving end's MTU, as a real port does.
lab_mtu() {
	local mtu=$1 node port
	for node in "${LAB_NODES[@]}"; do
		ip -n "$(lab_ns lan)" link set "$node" mtu "$mtu"
		ip -n "$(lab_ns "$node")" link set lan0 mtu "$mtu"
		for port in ${LAB_FAST[$node]}; do
			ip -n "$(lab_ns "${LAB_WIRE[$node:$port]}")" link set "$node" mtu "$mtu"
			ip -n "$(lab_ns "$node")" link set "$port" mtu "$mtu"
		done
	done
}

# lab_port NODE PEER: NODE's fast port(s) cabled to PEER.
lab_port() { echo "${LAB_PORTS[$1:$2]:?no cable between $1 and $2}"; }

# lab_wire NODE PEER: the wire namespace(s) of the cable(s) between them.
lab_wire() {
	local p out=()
	for p in $(lab_port "$1" "$2"); do
		out+=("$(lab_ns "${LAB_WIRE[$1:$p]}")")
	done
	echo "${out[*]}"
}

# ---- faults -----------------------------------------------------------------

# Picks the cable between A and B (A's PORT if there are several) and sets
# LAB_C_WIRE (namespace), LAB_C_PA, LAB_C_PB (node ports at each end).
lab_pick_cable() {
	local a=$1 b=$2 pa=${3:-}
	if [ -z "$pa" ]; then
		pa=$(lab_port "$a" "$b")
		[ "${pa// /}" = "$pa" ] || lab_fail "$a and $b have several cables ($pa): name $a's port"
	fi
	[ "${LAB_PEER[$a:$pa]:-}" = "$b" ] || lab_fail "$a $pa is not cabled to $b"
	LAB_C_WIRE=$(lab_ns "${LAB_WIRE[$a:$pa]}")
	LAB_C_PA=$pa
	LAB_C_PB=${LAB_PEER_PORT[$a:$pa]}
}

# Each fault and heal stamps the wall clock right before its command
# (LAB_FAULT_BEFORE_US, LAB_HEAL_BEFORE_US: a time the change cannot
# precede) and right after it returned (..._AFTER_US: a time it cannot
# follow), without a fork in between.  Lower bounds on how long the daemons
# took are measured from BEFORE, upper bounds from AFTER (lab_event_bounds),
# so that neither can fail because the command took long.  LAB_FAULT_US and
# LAB_HEAL_US, the middle, are for printed estimates only (bench/, demo).
LAB_FAULT_BEFORE_US=0 LAB_FAULT_AFTER_US=0 LAB_HEAL_BEFORE_US=0 LAB_HEAL_AFTER_US=0
lab_fault_stamps() {	# BEFORE_US: the command that made the fault just returned
	local t=$EPOCHREALTIME
	LAB_FAULT_BEFORE_US=$1 LAB_FAULT_AFTER_US=${t/./}
	LAB_FAULT_US=$(( (LAB_FAULT_BEFORE_US + LAB_FAULT_AFTER_US) / 2 ))
}
lab_heal_stamps() {	# BEFORE_US: the command that healed just returned
	local t=$EPOCHREALTIME
	LAB_HEAL_BEFORE_US=$1 LAB_HEAL_AFTER_US=${t/./}
	LAB_HEAL_US=$(( (LAB_HEAL_BEFORE_US + LAB_HEAL_AFTER_US) / 2 ))
}

# lab_cut_carrier A B [PORT_A]: pull the cable: both nodes see NO-CARRIER.
# One ip process for both ends: a pulled cable drops both carriers at once,
# and a second ip process started after the first had B lose its carrier
# 15-70 ms after A, later than BFD at 10 ms x 3 (the kernel still takes a
# few ms per device it sets down).
lab_cut_carrier() {
	local t
	lab_pick_cable "$@"
	t=$EPOCHREALTIME
	printf 'link set %s down\nlink set %s down\n' "$1" "$2" | ip -n "$LAB_C_WIRE" -batch -
	lab_fault_stamps "${t/./}"
	LAB_FAULT[$LAB_C_WIRE]=carrier
	wait_for 2 lab_no_carrier "$1" "$LAB_C_PA" || lab_fail "$1 $LAB_C_PA kept its carrier"
	wait_for 2 lab_no_carrier "$2" "$LAB_C_PB" || lab_fail "$2 $LAB_C_PB kept its carrier"
}

# Drops, on the wire, every frame (ARP included) that enters from the nodes
# given, before the wire's forwarding (table mrwire) sees it: a drop in an
# earlier base chain is final.  Links stay up with carrier: only BFD can
# notice.
lab_wire_drop() {	# WIRE_NS NODE...
	local ns=$1 n rules="" t
	shift
	for n in "$@"; do
		rules+="chain from_$n { type filter hook ingress device \"$n\" priority $LAB_FAULT_PRIO; policy drop; }"$'\n'
	done
	t=$EPOCHREALTIME
	ip netns exec "$ns" nft -f - <<-EOF
	table netdev mrlab {
	$rules
	}
	EOF
	lab_fault_stamps "${t/./}"
	LAB_FAULT[$ns]=drop
}

# lab_silent A B [PORT_A]: nothing passes in either direction.
lab_silent() {
	lab_pick_cable "$@"
	lab_wire_drop "$LAB_C_WIRE" "$1" "$2"
}

# lab_oneway A B [PORT_A]: A -> B is dropped, B -> A still passes.
lab_oneway() {
	lab_pick_cable "$@"
	lab_wire_drop "$LAB_C_WIRE" "$1"
}

# lab_heal A B [PORT_A]: undo the fault on that cable.
lab_heal() {
	local t
	lab_pick_cable "$@"
	case ${LAB_FAULT[$LAB_C_WIRE]:-} in
	carrier)
		t=$EPOCHREALTIME
		printf 'link set %s up\nlink set %s up\n' "$1" "$2" | ip -n "$LAB_C_WIRE" -batch -
		;;
	drop)
		t=$EPOCHREALTIME
		ip netns exec "$LAB_C_WIRE" nft delete table netdev mrlab
		;;
	*)
		lab_fail "lab_heal $*: no fault on that cable"
		;;
	esac
	lab_heal_stamps "${t/./}"
	unset "LAB_FAULT[$LAB_C_WIRE]"
	wait_for 2 lab_link_up "$1" "$LAB_C_PA" || lab_fail "$1 $LAB_C_PA has no carrier after heal"
	wait_for 2 lab_link_up "$2" "$LAB_C_PB" || lab_fail "$2 $LAB_C_PB has no carrier after heal"
}

# ---- observing ----------------------------------------------------------------

# lab_route NODE PEER: the device(s) of NODE's proto 204 route to PEER in the
# main table, sorted, or "lan" if there is none; a relayed route (relay = on)
# shows as "via NODE DEV".  A duplicate route shows as a repeated device.
# lab_route_get does the same into LAB_R, without a subshell.
lab_route_get() {
	local out w prev= devs=() via=
	out=$(ip -n "$LAB_ID-$1" -4 -o route show table main proto "$LAB_PROTO" "10.10.0.${2#n}/32")
	for w in $out; do
		[ "$prev" = dev ] && devs+=("$w")
		[ "$prev" = via ] && via="via n${w##*.} "
		prev=$w
	done
	lab_sort_words "${devs[@]}"
	LAB_R=${LAB_SORTED:-lan}
	[ -z "$via" ] || LAB_R=$via$LAB_R
}

lab_route() { lab_route_get "$@"; echo "$LAB_R"; }

lab_route_is() { lab_route_get "$1" "$2"; [ "$LAB_R" = "$3" ]; }	# NODE PEER EXPECTED

# lab_sort_words WORD...: LAB_SORTED, the words sorted, space-separated.
lab_sort_words() {
	local a=("$@") i j t
	for ((i = 1; i < ${#a[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			[[ ${a[j-1]} > ${a[j]} ]] || break
			t=${a[j]}; a[j]=${a[j-1]}; a[j-1]=$t
		done
	done
	LAB_SORTED=${a[*]}
}

# ---- route events, timed by the kernel's notifications ----------------------

# Every node's routes are watched by "ip monitor" from the start of its
# daemon: timing a failover by polling would measure the polling.  -N: the
# protocol as a number (FRR's rt_protos.d/frr.conf names 197 "openfabric", hence 204 for us).
lab_monitor_start() {
	local node=$1
	[ -n "${LAB_MONITOR[$node]:-}" ] && return 0
	ip -n "$(lab_ns "$node")" -N -ts -o -4 monitor route >"$LAB_DIR/$node.routes" 2>&1 &
	LAB_MONITOR[$node]=$!
	LAB_PIDS+=("$!")
}

# lab_route_event_us NODE PEER EXPECTED AFTER_US: when (us) NODE's route to
# PEER first became EXPECTED (device list, or "lan" for its removal) after
# AFTER_US; empty if it has not (yet).
lab_route_event_us() {
	local node=$1 dst="10.10.0.${2#n}" want=$3 after line ts rest w prev devs
	after=$(date -d "@${4:0:-6}.${4: -6}" +%FT%T.%6N)
	while IFS= read -r line; do
		[[ $line =~ ^\[([^]]+)\]\ (.*)$ ]] || continue
		ts=${BASH_REMATCH[1]} rest=${BASH_REMATCH[2]}
		[[ $ts < $after ]] && continue
		[[ " $rest " == *" proto $LAB_PROTO "* || " $rest " == *" proto meshroute "* ]] || continue
		if [ "$want" = lan ]; then
			[[ $rest == "Deleted $dst "* ]] || continue
		else
			[[ $rest == "$dst "* ]] || continue
			devs=() prev=
			for w in $rest; do
				[ "$prev" = dev ] && devs+=("$w")
				prev=$w
			done
			lab_sort_words "${devs[@]}"
			[ "$LAB_SORTED" = "$want" ] || continue
		fi
		date -d "${ts/T/ }" +%s%6N
		return 0
	done <"$LAB_DIR/$node.routes"
}

# lab_event_ms SINCE_US NODE PEER EXPECTED [NODE PEER EXPECTED]...: ms from
# SINCE_US until the last of these route changes (waits up to 1 s for each
# to show up in the monitor's log).  For printed figures (demo, bench): the
# monitor stamps when it gets to print, and SINCE_US is usually a middle;
# assertions use lab_event_bounds.
lab_event_ms() {
	local since=$1 last
	shift
	# SINCE_US is the middle of the fault's command; on a loaded host the
	# change can land before it, so look from 200 ms earlier (and count 0).
	lab_last_event lab_route_event_us 1 $(( since - 200000 )) "$@"
	last=$LAB_LAST_US
	(( last < since )) && last=$since
	echo $(( (last - since) / 1000 ))
}

# lab_last_event FINDER TIMEOUT_S AFTER_US NODE PEER EXPECTED [...]: the
# latest of these route changes, each found by FINDER NODE PEER EXPECTED
# AFTER_US (lab_route_event_us, lab_log_event_us) within TIMEOUT_S (it may
# not be written yet), in LAB_LAST_US; fails the test if one is missing.
lab_last_event() {
	local finder=$1 timeout=$2 after=$3 e node peer want
	shift 3
	LAB_LAST_US=0
	while [ $# -ge 3 ]; do
		node=$1 peer=$2 want=$3
		# (eval runs inside wait_for: only locals of this function, no $1..)
		wait_for "$timeout" eval 'e=$($finder $node $peer "$want" $after); [ -n "$e" ]' ||
			lab_fail "$finder: no change of $node's route to $peer to '$want' (see $LAB_DIR/$node.log, $node.routes)"
		(( e > LAB_LAST_US )) && LAB_LAST_US=$e
		shift 3
	done
	return 0
}

# ---- route changes, timed by the daemons' own logs --------------------------

# The daemon logs "PEER (ADDRESS): path OLD -> NEW" right after the kernel
# acknowledged the route change (daemon.c, peer_apply), stamped with the
# wall clock to the microsecond (MESHROUTE_LOG_TIMESTAMPS, set by
# lab_start_daemon), at real-time priority: a stamp that is neither before
# the change nor late by more than the daemon itself was, unlike "ip
# monitor" (stamps when it gets to print, at normal priority).

# lab_us_str US: microseconds as milliseconds with three decimals ("-1.250").
lab_us_str() {
	local us=$1 sign=
	(( us < 0 )) && { sign=-; us=$(( -us )); }
	printf '%s%d.%03d' "$sign" $(( us / 1000 )) $(( us % 1000 ))
}

# The daemon's log stamps are the local time of day: LAB_LOG_AWK's
# stamp_us(S) makes one (S, "HH:MM:SS.uuuuuu") wall-clock us, given awk
# variables midnight (local midnight of the day of AFTER_US, s: lab_midnight
# AFTER_US) and after (a stamp more than 12 h before it is the next day's).
LAB_LOG_AWK='
function stamp_us(s,   hms, us) {
	split(s, hms, "[:.]")
	us = ((midnight + hms[1] * 3600 + hms[2] * 60 + hms[3]) * 1000000) + hms[4]
	return us < after - 43200000000 ? us + 86400000000 : us
}
function stamped(f) { return f ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9][0-9][0-9][0-9]$/ }'
lab_midnight() { date -d "$(date -d "@$(( $1 / 1000000 ))" +%F)" +%s; }	# AFTER_US

# lab_log_event_us NODE PEER EXPECTED AFTER_US: the wall-clock time (us) of
# the first change of NODE's IPv4 route to PEER to EXPECTED (lab_route's
# form: "fast0", "fast0 fast1", "via n3 fast0" or "lan") that NODE's
# daemon logged at or after AFTER_US; empty if none (yet).
lab_log_event_us() {
	local node=$1 peer=$2 want=$3 after=$4
	[ -e "$LAB_DIR/$node.log" ] || return 0
	awk -v peer="$peer (10.10.0.${peer#n}): path " -v want="$want" -v after="$after" \
	    -v midnight="$(lab_midnight "$after")" "$LAB_LOG_AWK"'
	function norm(s,   n, a, i, j, t, via, out) {
		if (s == "LAN") return "lan"
		if (s ~ /^via [^ ]+ \(.*\)$/) {
			via = "via " substr(s, 5, index(s, " (") - 5) " "
			s = substr(s, index(s, " (") + 2); s = substr(s, 1, length(s) - 1)
		}
		n = split(s, a, "+")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		out = a[1]
		for (i = 2; i <= n; i++) out = out " " a[i]
		return via out
	}
	stamped($1) {
		rest = substr($0, length($1) + 2)
		if (substr(rest, 1, length(peer)) != peer) next
		rest = substr(rest, length(peer) + 1)
		if (norm(substr(rest, index(rest, " -> ") + 4)) != want) next
		if ((us = stamp_us($1)) >= after) { printf "%.0f\n", us; exit }
	}' "$LAB_DIR/$node.log"
}

# lab_log_match_us NODE ERE AFTER_US: the wall-clock time (us) of the first
# line of NODE's daemon log, stamped at or after AFTER_US, whose text (after
# the stamp) matches the extended regular expression ERE; empty if none.
lab_log_match_us() {
	local node=$1 ere=$2 after=$3
	[ -e "$LAB_DIR/$node.log" ] || return 0
	awk -v ere="$ere" -v after="$after" -v midnight="$(lab_midnight "$after")" "$LAB_LOG_AWK"'
	stamped($1) && substr($0, length($1) + 2) ~ ere {
		if ((us = stamp_us($1)) >= after) { printf "%.0f\n", us; exit }
	}' "$LAB_DIR/$node.log"
}

# lab_event_bounds BEFORE_US AFTER_US NODE PEER EXPECTED [NODE PEER EXPECTED]...:
# when the last of these route changes was made, relative to an action that
# took effect between BEFORE_US and AFTER_US (its stamps), from the
# daemons' logs (waits up to 2 s for each line).  Sets, in ms with three
# decimals: LAB_EV_HI_MS (from BEFORE: never less than the time the daemons
# really took, for lower bounds: "not earlier than"), LAB_EV_LO_MS (from
# AFTER, 0 if the change came while the command still ran: never more than
# they took, for upper bounds: "not later than") and LAB_EV_CMD_MS (the
# command's own duration, all that separates the two).  LAB_EV_LO_US and
# LAB_EV_HI_US are the same in us.
lab_event_bounds() {
	local before=$1 after=$2 last
	shift 2
	lab_last_event lab_log_event_us 2 "$before" "$@"
	last=$LAB_LAST_US
	LAB_EV_HI_US=$(( last - before ))
	LAB_EV_LO_US=$(( last > after ? last - after : 0 ))
	LAB_EV_HI_MS=$(lab_us_str "$LAB_EV_HI_US")
	LAB_EV_LO_MS=$(lab_us_str "$LAB_EV_LO_US")
	LAB_EV_CMD_MS=$(lab_us_str $(( after - before )))
}

# lab_path NODE PEER: the device the kernel really uses for PEER.
lab_path() {
	ip -n "$(lab_ns "$1")" -4 route get "$(lab_addr "$2")" | grep -o 'dev [^ ]*' | awk '{ print $2 }'
}

# lab_routes_fast NODE...: every pair of the nodes given has its proto 204
# route over the fast port(s) that really lead to the peer.
lab_routes_fast() {
	local a b
	for a in "$@"; do
		for b in "$@"; do
			[ "$a" = "$b" ] && continue
			lab_route_is "$a" "$b" "$(lab_port "$a" "$b")" || return 1
		done
	done
}

lab_show_routes() {
	local a b
	for a in "${LAB_NODES[@]}"; do
		for b in "${LAB_NODES[@]}"; do
			[ "$a" = "$b" ] || printf '    %s -> %s: %s\n' "$a" "$b" "$(lab_route "$a" "$b")"
		done
	done
}

# lab_wait_routes TIMEOUT_S: all routes of the lab over their fast ports.
lab_wait_routes() {
	wait_for "$1" lab_routes_fast "${LAB_NODES[@]}" && return 0
	lab_show_routes >&2
	lab_fail "routes did not all move to the fast ports within $1 s"
}

lab_no_proto_routes() {	# NODE: no route of protocol 204 left, IPv4 or IPv6
	[ -z "$(ip -n "$(lab_ns "$1")" -4 route show table all proto "$LAB_PROTO")" ] &&
		[ -z "$(ip -n "$(lab_ns "$1")" -6 route show table all proto "$LAB_PROTO")" ]
}

# lab_count_routes NODE: how many proto 204 routes NODE has (a multipath
# route counts once).
lab_count_routes() {
	ip -n "$(lab_ns "$1")" -4 route show table all proto "$LAB_PROTO" | grep -c '^[^[:space:]]' || true
}

# lab_rp_filter NODE IF: the effective rp_filter of IF, max(all, IF).
lab_rp_filter() {
	local a i
	a=$(lab_exec "$1" sysctl -n net.ipv4.conf.all.rp_filter)
	i=$(lab_exec "$1" sysctl -n "net.ipv4.conf.$2.rp_filter")
	echo $(( a > i ? a : i ))
}

lab_tx() { lab_exec "$1" cat "/sys/class/net/$2/statistics/tx_packets"; }	# NODE IF
lab_rx() { lab_exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }	# NODE IF

# lab_flow_watch NODE PORT[-PORT]: count, per outgoing interface of NODE, the packets
# and bytes to transport port PORT (the test stream), apart from BFD and
# neighbour discovery that also use those links.
lab_flow_watch() {
	local node=$1 port=$2 i counters="" rules=""
	for i in lan0 ${LAB_FAST[$node]}; do
		counters+="counter c_$i { }"$'\n'
		rules+="oifname \"$i\" meta l4proto { tcp, udp } th dport $port counter name \"c_$i\""$'\n'
	done
	lab_exec "$node" nft delete table inet mrlab 2>/dev/null || true
	lab_exec "$node" nft -f - <<-EOF
	table inet mrlab {
	$counters
	chain post {
	type filter hook postrouting priority 0; policy accept;
	$rules
	}
	}
	EOF
}

# lab_flow NODE IF [bytes]: stream packets (or bytes) NODE sent out of IF.
lab_flow() {
	local out
	out=$(ip netns exec "$(lab_ns "$1")" nft list counter inet mrlab "c_$2")
	[[ $out =~ packets\ ([0-9]+)\ bytes\ ([0-9]+) ]] || lab_fail "no counter c_$2 on $1"
	if [ "${3:-}" = bytes ]; then echo "${BASH_REMATCH[2]}"; else echo "${BASH_REMATCH[1]}"; fi
}

lab_flow_ge() { (( $(lab_flow "$1" "$2" "${4:-}") >= $3 )); }	# NODE IF MIN [bytes]

# ---- daemons --------------------------------------------------------------

lab_ms_of() {	# a config duration (20ms, 2s, 1m, 500us) in ms
	awk -v d="$1" 'BEGIN {
		n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
		m = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
		if (m < 0) exit 1
		printf "%d", n * m }'
}

# lab_write_config [LINE...]: one config for all nodes; LINEs go to [global]
# and replace the defaults they name (interval 20ms, multiplier 3, hold-down
# 2s, realtime yes: the lab runs several nodes, traffic generators and CPU
# burners on two cores, the case realtime = yes is documented for).
lab_write_config() {
	local conf=$LAB_DIR/meshroute.conf key line node defaults
	defaults=("interval = 20ms" "multiplier = 3" "hold-down = 2s" "realtime = yes")
	{
		echo "# written by tests/lab/lib.sh for run $LAB_ID"
		echo "[global]"
		for line in "${defaults[@]}"; do
			key=${line%% *}
			printf '%s\n' "$@" | grep -q "^$key[[:space:]]*=" || echo "$line"
		done
		for line in "$@"; do
			echo "$line"
		done
		for node in "${LAB_NODES[@]}"; do
			printf '\n[node %s]\naddress = %s\nlan = lan0\nfast = %s\n' \
				"$node" "$(lab_addr "$node")" "${LAB_FAST[$node]}"
		done
	} >"$conf"
	line=$(sed -n 's/^hold-down[[:space:]]*=[[:space:]]*//p' "$conf" | tail -n1)
	LAB_HOLD_MS=$(lab_ms_of "$line") || lab_fail "hold-down '$line' not understood"
}

# lab_start_daemon NODE: meshrouted in NODE's namespace, log in $LAB_DIR/NODE.log.
# The config is $LAB_DIR/NODE.conf if a test wrote one (a node with other
# timers), else the common $LAB_DIR/meshroute.conf.
lab_start_daemon() {
	local node=$1 sock=$LAB_DIR/$1.sock pid conf=$LAB_DIR/meshroute.conf
	[ -e "$LAB_DIR/$node.conf" ] && conf=$LAB_DIR/$node.conf
	lab_require_daemon
	rm -f "$sock"
	echo "=== lab: start $(date +%T.%N)" >>"$LAB_DIR/$node.log"
	MESHROUTE_LOG_TIMESTAMPS=1 ip netns exec "$(lab_ns "$node")" "$MESHROUTED" -f -c "$conf" \
		-n "$node" -s "$sock" ${LAB_VERBOSE:+-v} >>"$LAB_DIR/$node.log" 2>&1 </dev/null &
	pid=$!
	LAB_PIDS+=("$pid")
	LAB_DAEMON[$node]=$pid
	# Ready once its control socket exists; a daemon without one is only
	# reported (the control interface has tests of its own).
	wait_for 2 lab_daemon_ready "$node" ||
		lab_log "      note: meshrouted on $node has no control socket $sock after 2 s"
	lab_note_sched "$node"
}

# lab_sched_policy PID: the scheduling policy of PID (0 SCHED_OTHER, 1
# SCHED_FIFO, ... field 41 of /proc/PID/stat), empty if it is gone.
lab_sched_policy() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	echo "${39}"
}

# lab_note_sched NODE: says so when NODE's daemon was configured realtime =
# yes but runs without SCHED_FIFO (the host refused it: a container without
# CAP_SYS_NICE, no real-time budget in its cgroup): the timing tests then
# measure a daemon that any busy process can delay, and their output says it.
lab_note_sched() {
	local node=$1 conf=$LAB_DIR/meshroute.conf policy
	[ -e "$LAB_DIR/$node.conf" ] && conf=$LAB_DIR/$node.conf
	grep -qE '^realtime[[:space:]]*=[[:space:]]*yes' "$conf" 2>/dev/null || return 0
	policy=$(lab_sched_policy "${LAB_DAEMON[$node]}")
	[ -z "$policy" ] || [ "$policy" = 1 ] ||
		lab_log "      note: meshrouted on $node runs without SCHED_FIFO (policy $policy): the host refused it"
}

# lab_reaped PID: forget a process this run has waited for.
lab_reaped() {
	local p keep=()
	for p in "${LAB_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	LAB_PIDS=("${keep[@]}")
}

lab_alive() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }

lab_daemon_ready() {
	lab_alive "${LAB_DAEMON[$1]}" || {
		tail -n 20 "$LAB_DIR/$1.log" >&2
		lab_fail "meshrouted on $1 exited during start-up"
	}
	[ -S "$LAB_DIR/$1.sock" ]
}

# lab_start_daemons [CONFIG LINE...]: write the config and start every node.
lab_start_daemons() {
	local node
	lab_write_config "$@"
	for node in "${LAB_NODES[@]}"; do
		lab_monitor_start "$node"
	done
	for node in "${LAB_NODES[@]}"; do
		lab_start_daemon "$node"
	done
}

# lab_stop_daemon NODE [SIGNAL]: signal (TERM by default) and reap it; its
# exit status is left in LAB_DAEMON_STATUS, the wall clock right before and
# after the kill in LAB_STOP_BEFORE_US / LAB_STOP_AFTER_US.
lab_stop_daemon() {
	local node=$1 sig=${2:-TERM} pid gone=0 t
	pid=${LAB_DAEMON[$node]:?no daemon on $node}
	# (stderr muted: bash would report "Killed" for a SIGKILL'd job)
	{
		t=$EPOCHREALTIME
		kill -s "$sig" "$pid"	# (a builtin: no fork between the stamps)
		LAB_STOP_BEFORE_US=${t/./} t=$EPOCHREALTIME LAB_STOP_AFTER_US=${t/./}
		wait_for 5 eval '! lab_alive '"$pid" && gone=1
	} 2>/dev/null
	if [ $gone = 0 ]; then
		kill -s KILL "$pid" 2>/dev/null || true
		lab_fail "meshrouted on $node ignored SIG$sig for 5 s"
	fi
	LAB_DAEMON_STATUS=0
	{ wait "$pid" || LAB_DAEMON_STATUS=$?; } 2>/dev/null
	lab_reaped "$pid"
	unset "LAB_DAEMON[$node]"
	echo "=== lab: stopped by SIG$sig, status $LAB_DAEMON_STATUS $(date +%T.%N)" >>"$LAB_DIR/$node.log"
}

# ---- streams ----------------------------------------------------------------

# lab_stream_start FROM TO [COUNT [PORT]]: a UDP stream of COUNT packets at
# $LAB_STREAM_RATE pps from FROM to TO's address; without COUNT (or with
# COUNT "-") it runs until lab_stream_stop, at most LAB_STREAM_MAX_S
# seconds, so that how long a test's checks take on a slow machine never
# decides whether the stream still runs.  Sets LAB_STREAM_RPID,
# LAB_STREAM_SPID and LAB_STREAM_OUT (receiver's report file; the sender's
# is $LAB_STREAM_OUT.send).
LAB_STREAM_MAX_S=300
lab_stream_start() {
	local from=$1 to=$2 count=${3:--} port=${4:-5201} maxt
	if [ "$count" = - ]; then
		maxt=$LAB_STREAM_MAX_S
		count=$(( LAB_STREAM_RATE * maxt ))
	else
		maxt=$(( count / LAB_STREAM_RATE + 10 ))
	fi
	LAB_STREAM_OUT=$LAB_DIR/stream.$port.$(now_ms)
	ip netns exec "$(lab_ns "$to")" "$MRSTREAM" udp-recv --port "$port" --bind "$(lab_addr "$to")" \
		--until-idle 3000 --max-time $(( maxt + 5 )) >"$LAB_STREAM_OUT" 2>&1 &
	LAB_STREAM_RPID=$!
	LAB_PIDS+=("$LAB_STREAM_RPID")
	wait_for 2 lab_listening "$to" udp "$port" || lab_fail "stream receiver on $to did not start"
	ip netns exec "$(lab_ns "$from")" "$MRSTREAM" udp-send --dst "$(lab_addr "$to")" --port "$port" \
		--rate "$LAB_STREAM_RATE" --count "$count" --max-time "$maxt" >"$LAB_STREAM_OUT.send" 2>&1 &
	LAB_STREAM_SPID=$!
	LAB_PIDS+=("$LAB_STREAM_SPID")
}

lab_listening() {	# NODE udp|tcp PORT
	[ -n "$(lab_exec "$1" ss -Hn"${2:0:1}"l "sport = :$3")" ]
}

# lab_stream_stop: ends the stream now (the sender still sends its end
# markers), then lab_stream_wait.  Fails if the sender had already ended:
# the stream then did not cover everything the test did meanwhile.
lab_stream_stop() {
	lab_alive "$LAB_STREAM_SPID" ||
		lab_fail "the stream sender ended before the test stopped it: $(cat "$LAB_STREAM_OUT.send" 2>/dev/null)"
	kill -s INT "$LAB_STREAM_SPID" 2>/dev/null || true
	lab_stream_wait
}

# lab_stream_wait: waits for the stream's end; LAB_STREAM_RESULT is the
# receiver's report line, LAB_STREAM_SENT what the sender says it sent.
# Fails unless both tools report, and the receiver saw the end markers
# (which carry the sender's count: its "lost" is counted against that).
lab_stream_wait() {
	local line
	wait "$LAB_STREAM_SPID" || true
	wait "$LAB_STREAM_RPID" || true
	lab_reaped "$LAB_STREAM_SPID"
	lab_reaped "$LAB_STREAM_RPID"
	line=$(grep '^sent=' "$LAB_STREAM_OUT.send" | tail -n1)
	LAB_STREAM_SENT=$(lab_kv "$line" sent)
	lab_is_number "$LAB_STREAM_SENT" ||
		lab_fail "the stream sender reported no count: $(cat "$LAB_STREAM_OUT.send")"
	LAB_STREAM_RESULT=$(tail -n1 "$LAB_STREAM_OUT")
	[ "$(lab_kv "$LAB_STREAM_RESULT" end)" = 1 ] ||
		lab_fail "stream receiver missed the end of the stream: $LAB_STREAM_RESULT"
}

# lab_stream_lossless WHAT: the stream just stopped lost nothing: the
# receiver got every one of the packets the sender says it sent (and the
# sender sent some).
lab_stream_lossless() {
	assert_ge "$1: packets the sender sent" "$LAB_STREAM_SENT" 1
	assert_eq "$1: packets lost" 0 "$(lab_kv "$LAB_STREAM_RESULT" lost)"
	assert_eq "$1: packets received, of the $LAB_STREAM_SENT sent" "$LAB_STREAM_SENT" \
		"$(lab_kv "$LAB_STREAM_RESULT" received)"
}

# ---- a failover trial, shared by the fault tests --------------------------

# lab_failover_trial FAULT A B: with a UDP stream A -> B running over their
# cable, run FAULT (e.g. "lab_silent n1 n2", "lab_oneway n2 n1"), check
# that both ends move to the LAN and that the stream follows, heal, check the
# fail-back.  Sets TRIAL_OUTAGE_MS (stream loss at failover, as time: the
# packets the receiver missed of those the sender sent, / rate),
# TRIAL_DETECT_MS (fault to both routes gone: no more than the daemons
# took, for upper bounds), TRIAL_FAILBACK_MS (heal to both routes back,
# minus hold-down: no more than they took) and TRIAL_BACK_OUTAGE_MS (stream
# loss at fail-back).  Each fail-back is also checked not to come before
# hold-down, from the stamp before the heal: the daemons' own log stamps,
# so neither a slow command nor a late "ip monitor" can fail either check
# (lab_event_bounds).
lab_failover_trial() {
	local fault=$1 a=$2 b=$3 pa pb fast lan tx n
	pa=$(lab_port "$a" "$b")
	pb=$(lab_port "$b" "$a")
	assert_eq "before: $a's route to $b" "$pa" "$(lab_route "$a" "$b")"
	assert_eq "before: $b's route to $a" "$pb" "$(lab_route "$b" "$a")"
	lab_flow_watch "$a" 5201-5202

	# Runs until stopped, once the checks are done.
	lab_stream_start "$a" "$b" - 5201
	wait_for 2 lab_flow_ge "$a" "$pa" $(( LAB_STREAM_RATE / 20 )) ||
		lab_fail "the stream $a -> $b does not cross $a $pa"

	$fault
	wait_for 3 eval "lab_route_is $a $b lan && lab_route_is $b $a lan" || {
		lab_show_routes >&2
		lab_fail "after '$fault' the routes between $a and $b stayed on the fast ports"
	}
	lab_event_bounds "$LAB_FAULT_BEFORE_US" "$LAB_FAULT_AFTER_US" "$a" "$b" lan "$b" "$a" lan
	TRIAL_DETECT_MS=$LAB_EV_LO_MS
	TRIAL_DETECT_RANGE="$LAB_EV_LO_MS-$LAB_EV_HI_MS"
	assert_eq "after '$fault': $a reaches $b through" lan0 "$(lab_path "$a" "$b")"
	assert_eq "after '$fault': $b reaches $a through" lan0 "$(lab_path "$b" "$a")"
	for n in "${LAB_NODES[@]}"; do
		[ "$n" = "$a" ] || [ "$n" = "$b" ] && continue
		assert_eq "after '$fault': $a's route to $n (other cable)" "$(lab_port "$a" "$n")" \
			"$(lab_route "$a" "$n")"
	done

	fast=$(lab_flow "$a" "$pa")
	lan=$(lab_flow "$a" lan0)
	tx=$(lab_tx "$a" lan0)
	wait_for 2 lab_flow_ge "$a" lan0 $(( lan + LAB_STREAM_RATE / 10 )) ||
		lab_fail "the stream does not cross $a lan0 after the failover"
	assert_eq "stream packets on $a $pa after the failover" 0 $(( $(lab_flow "$a" "$pa") - fast ))
	assert_ge "packets sent on $a lan0 (tx_packets delta)" $(( $(lab_tx "$a" lan0) - tx )) \
		$(( LAB_STREAM_RATE / 10 ))

	lab_stream_stop
	TRIAL_OUTAGE_MS=$(lab_kv "$LAB_STREAM_RESULT" outage_ms)
	lab_log "      stream: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"

	lab_stream_start "$a" "$b" - 5202
	lab_heal "$a" "$b" "$pa"
	wait_for $(( LAB_HOLD_MS / 1000 + 3 )) eval "lab_route_is $a $b '$pa' && lab_route_is $b $a '$pb'" || {
		lab_show_routes >&2
		lab_fail "after healing, the routes between $a and $b did not come back"
	}
	lab_event_bounds "$LAB_HEAL_BEFORE_US" "$LAB_HEAL_AFTER_US" "$a" "$b" "$pa" "$b" "$a" "$pb"
	TRIAL_FAILBACK_MS=$(lab_us_str $(( LAB_EV_LO_US - LAB_HOLD_MS * 1000 )))
	# Earlier than hold-down would mean a flapping cable flaps the routes.
	assert_ge "fail-back after heal, beyond hold-down (from the stamp before the heal)" \
		"$(lab_us_str $(( LAB_EV_HI_US - LAB_HOLD_MS * 1000 )))" 0 " ms"
	n=$(lab_flow "$a" "$pa")
	wait_for 2 lab_flow_ge "$a" "$pa" $(( n + LAB_STREAM_RATE / 20 )) ||
		lab_fail "the stream did not move back to $a $pa"
	lab_stream_stop
	TRIAL_BACK_OUTAGE_MS=$(lab_kv "$LAB_STREAM_RESULT" outage_ms)
	lab_log "      stream: $LAB_STREAM_RESULT (sent $LAB_STREAM_SENT)"
	lab_log "      outage ${TRIAL_OUTAGE_MS} ms; both ends on the LAN ${TRIAL_DETECT_RANGE} ms after the fault" \
		"(the ends of its $(lab_us_str $(( LAB_FAULT_AFTER_US - LAB_FAULT_BEFORE_US ))) ms command);" \
		"fail-back ${TRIAL_FAILBACK_MS}..$(lab_us_str $(( LAB_EV_HI_US - LAB_HOLD_MS * 1000 ))) ms" \
		"beyond hold-down (heal command $LAB_EV_CMD_MS ms), its outage ${TRIAL_BACK_OUTAGE_MS} ms"
}

# ---- cleanup ------------------------------------------------------------------

# lab_host_sysctl KEY VALUE: sets a sysctl of the host's own namespace for
# this run only; lab_cleanup puts the old value back.  Only for what has no
# per-namespace copy (the neighbour tables' limits are global).  The old
# value is written to $LAB_DIR/host.sysctl first: if the test is killed
# before its cleanup ran (run.sh's timeout ends with SIGKILL), run.sh
# restores what that file lists.
LAB_SYSCTL_RESTORE=()
lab_host_sysctl() {
	local old
	old=$(sysctl -n "$1") || lab_fail "sysctl $1 cannot be read"
	LAB_SYSCTL_RESTORE+=("$1=$old")
	printf '%s=%s\n' "$1" "$old" >>"$LAB_DIR/host.sysctl"
	sysctl -q -w "$1=$2" >/dev/null || lab_fail "sysctl $1=$2 refused"
}

# lab_teardown: ends every process of this run (those it started, then
# anything still inside its namespaces: an alert command, a daemon's
# child), deletes the namespaces, restores the host sysctls.
lab_teardown() {
	local - pid ns i
	set +e	# (local -: only here) every step runs, whatever failed before
	for pid in "${LAB_PIDS[@]}"; do
		kill -s TERM "$pid" 2>/dev/null
	done
	for pid in "${LAB_PIDS[@]}"; do
		for i in $(seq 100); do
			lab_alive "$pid" || break
			sleep 0.01
		done
		kill -s KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ((i = ${#LAB_NAMESPACES[@]} - 1; i >= 0; i--)); do
		ns=${LAB_NAMESPACES[i]}
		[ -e "/run/netns/$ns" ] || continue
		# Anything still inside was started by this run.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -s KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns"
	done
	for ((i = ${#LAB_SYSCTL_RESTORE[@]} - 1; i >= 0; i--)); do
		sysctl -q -w "${LAB_SYSCTL_RESTORE[i]}" >/dev/null
	done
	[ -e "$LAB_DIR/host.sysctl" ] && mv "$LAB_DIR/host.sysctl" "$LAB_DIR/host.sysctl.restored"
	return 0
}

# lab_cleanup: the EXIT trap.  Signals are ignored from here on, never
# reset to their default: a second Ctrl-C or run.sh's timeout must not cut
# the cleanup short (and leave real-time daemons and namespaces behind).
lab_cleanup() {
	local rc=$? f node
	trap '' HUP INT TERM PIPE
	trap - EXIT
	set +e
	# A daemon that died on its own (not through lab_stop_daemon) fails the
	# test, whatever the test checked: its routes stay behind and could
	# pass for a daemon that did its work.
	for node in "${!LAB_DAEMON[@]}"; do
		lab_alive "${LAB_DAEMON[$node]}" && continue
		printf 'FAIL: meshrouted on %s (pid %s) died during the test\n' "$node" "${LAB_DAEMON[$node]}" >&2
		{ [ "$rc" = 0 ] || [ "$rc" = 77 ]; } && rc=1
	done
	lab_teardown
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		for f in "$LAB_DIR"/n*.log; do
			[ -s "$f" ] || continue
			echo "--- last lines of $f" >&2
			tail -n 25 "$f" >&2
		done
		# Only root reads the logs kept (a test may have opened the
		# directory to the frr group or to other users).
		chgrp root "$LAB_DIR" 2>/dev/null
		chmod 0700 "$LAB_DIR" 2>/dev/null
		echo "lab: logs kept in $LAB_DIR" >&2
	else
		rm -rf "$LAB_DIR"
	fi
	exit "$rc"
}

# ==== interop ==================================================================
# For tests/lab/t_interop_*.sh: meshrouted on n1 against another BFD
# implementation on n2, FRR 8.4's bfdd (with its zebra) or BIRD 2.0, each
# with its own config, sockets, pid and log files under $LAB_DIR (the FRR
# daemons run as user frr: $LAB_DIR is opened to group frr, x only).  The
# host's own frr/bird services are neither used nor touched.  IPv6 addresses
# are fd00:10::N: /64 on the LAN, /128 on the fast ports.
#   build     lab_pair [v6] (n1 fast0 --[w12]-- fast0 n2, and the LAN),
#             lab_foreign_node NODE (point-to-point addresses, loose rp_filter)
#   meshroute lab_config_v6, lab_config_set KEY VALUE, lab_mrctl NODE ARGS...,
#             lab_mr_sess NODE PORT FAMILY KEY..., lab_mr_drop NODE KEY,
#             lab_route6 NODE PEER, lab_route6_is NODE PEER EXPECTED
#   FRR       lab_frr_start NODE CONF, lab_frr_stop NODE [SIGNAL],
#             lab_vtysh NODE ARGS..., lab_frr_peer_set NODE PEER_SPEC CMD...,
#             lab_frr_peer / lab_frr_counter NODE PEER_ADDR KEY...
#   BIRD      lab_bird_start NODE CONF, lab_bird_stop NODE [SIGNAL],
#             lab_birdc NODE ARGS..., lab_bird_sess NODE PEER_ADDR FIELD
#   wire      lab_pf_watch A B, lab_pf A B p|f (Poll / Final bits seen)
#   misc      lab_json EXPR (python expression on d, the JSON on stdin)

MESHROUTECTL=${MESHROUTECTL:-$LAB_REPO/build/meshroutectl}
LAB_FRR_BIN=${LAB_FRR_BIN:-/usr/lib/frr}
declare -A LAB_FOREIGN		# [node] -> pids of its FRR or BIRD daemons

lab_addr6() { echo "fd00:10::${1#n}"; }

# lab_pair [v6]: two nodes, one cable (n1 fast0 -- fast0 n2) and the LAN;
# with v6 also their IPv6 addresses.
lab_pair() {
	local node port
	lab_node n1; lab_node n2
	lab_lan n1 n2
	lab_cable w12 n1 fast0 n2 fast0
	if [ "${1:-}" = v6 ]; then
		for node in n1 n2; do
			ip -n "$(lab_ns "$node")" -6 addr add "$(lab_addr6 "$node")/64" dev lan0 nodad
			for port in ${LAB_FAST[$node]}; do
				ip -n "$(lab_ns "$node")" -6 addr add "$(lab_addr6 "$node")/128" dev "$port" nodad
			done
		done
	fi
	lab_finish_build
}

# lab_foreign_node NODE: NODE runs another BFD implementation and is set up
# as a router would be: each fast port's address in point-to-point form
# (BIRD only runs sessions to on-link neighbours; it also gives the route
# back to the peer over that port), loose reverse-path filtering.
lab_foreign_node() {
	local node=$1 ns port peer a6
	ns=$(lab_ns "$node")
	a6=$(lab_addr6 "$node")
	for port in ${LAB_FAST[$node]}; do
		peer=${LAB_PEER[$node:$port]}
		ip -n "$ns" addr del "$(lab_addr "$node")/32" dev "$port"
		ip -n "$ns" addr add "$(lab_addr "$node")/32" peer "$(lab_addr "$peer")/32" dev "$port"
		if ip -n "$ns" -6 addr show dev "$port" | grep -q " $a6/128 "; then
			ip -n "$ns" -6 addr del "$a6/128" dev "$port"
			ip -n "$ns" -6 addr add "$a6/128" peer "$(lab_addr6 "$peer")/128" dev "$port" nodad
		fi
		lab_exec "$node" sysctl -q -w "net.ipv4.conf.$port.rp_filter=2" >/dev/null
	done
	lab_exec "$node" sysctl -q -w net.ipv4.conf.all.rp_filter=2 >/dev/null
}

# lab_config_v6: every node of the written config also gets its IPv6 address.
lab_config_v6() {
	local node
	for node in "${LAB_NODES[@]}"; do
		sed -i "/^\[node $node\]$/,/^address = / s/^address = .*/&\naddress = $(lab_addr6 "$node")/" \
			"$LAB_DIR/meshroute.conf"
	done
}

# lab_config_set KEY VALUE: set (or add) a [global] key of the config.
lab_config_set() {
	local conf=$LAB_DIR/meshroute.conf
	if grep -q "^$1[[:space:]]*=" "$conf"; then
		sed -i "s|^$1[[:space:]]*=.*|$1 = $2|" "$conf"
	else
		sed -i "s|^\[global\]$|&\n$1 = $2|" "$conf"
	fi
}

lab_mrctl() { local n=$1; shift; "$MESHROUTECTL" -s "$LAB_DIR/$n.sock" "$@"; }	# NODE ARGS...

# lab_json EXPR: EXPR (python; d is the JSON document read from stdin)
# printed: strings as they are, other values as JSON (None as null), a
# tuple's items separated by spaces; a missing key or entry prints null.
lab_json() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
def f(v):
    return v if isinstance(v, str) else json.dumps(v)
try:
    v = eval(sys.argv[1])
except (LookupError, TypeError):
    v = None
print(" ".join(f(x) for x in v) if isinstance(v, tuple) else f(v))' "$1"
}

lab_keys() { local k out="("; for k in "$@"; do out+="p['$k'], "; done; echo "$out)"; }	# KEY...

# lab_mr_sess NODE PORT FAMILY KEY...: keys of meshrouted's session on PORT
# (to the peer found there) in FAMILY (ipv4/ipv6), from status -j.
lab_mr_sess() {
	local n=$1 port=$2 fam=$3
	shift 3
	lab_mrctl "$n" -j status |
		lab_json "[$(lab_keys "$@") for p in d['sessions'] if p['port'] == '$port' and p['family'] == '$fam'][0]"
}

lab_mr_drop() { lab_mrctl "$1" -j status | lab_json "d['drops']['$2']"; }	# NODE KEY

# lab_route6 NODE PEER: as lab_route, for the /128 route to PEER (table
# main: table 197 holds meshrouted's IPv6 probe routes).
lab_route6() {
	local out w prev= devs=()
	out=$(ip -n "$(lab_ns "$1")" -6 -o route show table main proto "$LAB_PROTO" "$(lab_addr6 "$2")/128")
	for w in $out; do
		[ "$prev" = dev ] && devs+=("$w")
		prev=$w
	done
	lab_sort_words "${devs[@]}"
	echo "${LAB_SORTED:-lan}"
}

lab_route6_is() { [ "$(lab_route6 "$1" "$2")" = "$3" ]; }	# NODE PEER EXPECTED

# lab_bg NODE LOG CMD...: CMD in NODE's namespace, in the background, as
# one of NODE's foreign daemons; real-time (SCHED_FIFO 10) like meshrouted,
# so that a loaded test box does not starve its probes.
lab_bg() {
	local node=$1 log=$2
	shift 2
	ip netns exec "$(lab_ns "$node")" chrt -f 10 "$@" >>"$log" 2>&1 </dev/null &
	LAB_PIDS+=("$!")
	LAB_FOREIGN[$node]="${LAB_FOREIGN[$node]:-} $!"
}

# lab_foreign_stop NODE [SIGNAL]: stop NODE's foreign daemons, reap them.
lab_foreign_stop() {
	local node=$1 sig=${2:-TERM} pid
	for pid in ${LAB_FOREIGN[$node]:-}; do
		kill -s "$sig" "$pid" 2>/dev/null || true
	done
	for pid in ${LAB_FOREIGN[$node]:-}; do
		wait_for 5 eval "! lab_alive $pid" 2>/dev/null || {
			kill -s KILL "$pid" 2>/dev/null
			lab_fail "process $pid on $node ignored SIG$sig for 5 s"
		}
		{ wait "$pid" || true; } 2>/dev/null
		lab_reaped "$pid"
	done
	LAB_FOREIGN[$node]=
	echo "=== lab: stopped by SIG$sig $(date +%T.%N)" >>"$LAB_DIR/$node.log"
}

# ---- FRR ----

lab_frr_dir() { echo "$LAB_DIR/$1.frr"; }

lab_vtysh() { local n=$1; shift; lab_exec "$n" vtysh --vty_socket "$(lab_frr_dir "$n")" "$@"; }	# NODE ARGS...

# lab_frr_start NODE CONF: zebra and bfdd in NODE's namespace, then CONF (a
# file of vtysh commands: "bfd", " peer ...") pushed through vtysh.
lab_frr_start() {
	local node=$1 conf=$2 dir
	dir=$(lab_frr_dir "$node")
	getent group frr >/dev/null && getent passwd frr >/dev/null ||
		lab_fail "no user and group frr on this host: FRR is not installed (run make deps)"
	mkdir -p "$dir"
	chgrp frr "$LAB_DIR" || lab_fail "chgrp frr $LAB_DIR failed"
	chmod g+x "$LAB_DIR" || lab_fail "chmod g+x $LAB_DIR failed"
	cp "$conf" "$dir/frr.conf"
	rm -f "$dir"/*.vty "$dir/zserv.api" "$dir/bfdd.sock"
	: >"$dir/zebra.conf"
	: >"$dir/bfdd.conf"
	chown -R frr:frr "$dir" || lab_fail "chown frr $dir failed"
	echo "=== lab: start FRR $(date +%T.%N)" >>"$LAB_DIR/$node.log"
	lab_bg "$node" "$LAB_DIR/$node.log" "$LAB_FRR_BIN/zebra" -f "$dir/zebra.conf" -i "$dir/zebra.pid" \
		--vty_socket "$dir" -z "$dir/zserv.api" -P 0 --log "file:$dir/zebra.log"
	wait_for 5 test -S "$dir/zserv.api" || lab_fail "zebra on $node did not start"
	lab_bg "$node" "$LAB_DIR/$node.log" "$LAB_FRR_BIN/bfdd" -f "$dir/bfdd.conf" -i "$dir/bfdd.pid" \
		--vty_socket "$dir" -z "$dir/zserv.api" -P 0 --bfdctl "$dir/bfdd.sock" --log "file:$dir/bfdd.log"
	wait_for 5 test -S "$dir/bfdd.vty" || lab_fail "bfdd on $node did not start"
	lab_vtysh "$node" -f "$dir/frr.conf" >>"$LAB_DIR/$node.log" 2>&1 || lab_fail "vtysh on $node refused $conf"
}

lab_frr_stop() { lab_foreign_stop "$@"; }	# NODE [SIGNAL]

# lab_frr_peer NODE PEER_ADDR KEY...: keys of FRR's "show bfd peers json"
# entry for PEER_ADDR (status, id, remote-id, transmit-interval, ...).
lab_frr_peer() {
	local n=$1 a=$2
	shift 2
	lab_vtysh "$n" -c 'show bfd peers json' | lab_json "[$(lab_keys "$@") for p in d if p['peer'] == '$a'][0]"
}

lab_frr_counter() {	# NODE PEER_ADDR KEY...: from "show bfd peers counters json"
	local n=$1 a=$2
	shift 2
	lab_vtysh "$n" -c 'show bfd peers counters json' | lab_json "[$(lab_keys "$@") for p in d if p['peer'] == '$a'][0]"
}

# lab_frr_peer_set NODE PEER_SPEC COMMAND...: configure FRR's bfd peer
# PEER_SPEC ("ADDR interface IF local-address SELF") through vtysh.
lab_frr_peer_set() {
	local n=$1 spec=$2 args=() c
	shift 2
	for c in "$@"; do args+=(-c "$c"); done
	lab_vtysh "$n" -c 'configure terminal' -c bfd -c "peer $spec" "${args[@]}" >>"$LAB_DIR/$n.log" 2>&1 ||
		lab_fail "vtysh on $n refused: peer $spec: $*"
}

# ---- BIRD ----

lab_bird_sock() { echo "$LAB_DIR/$1.bird.ctl"; }

lab_birdc() { local n=$1; shift; birdc -s "$(lab_bird_sock "$n")" "$@"; }	# NODE ARGS...

# lab_bird_start NODE CONF: BIRD in NODE's namespace with CONF, its own
# control socket and pid file; output to $LAB_DIR/NODE.log.
lab_bird_start() {
	local node=$1 conf=$2 sock
	sock=$(lab_bird_sock "$node")
	rm -f "$sock"
	echo "=== lab: start BIRD $(date +%T.%N)" >>"$LAB_DIR/$node.log"
	lab_bg "$node" "$LAB_DIR/$node.log" bird -f -c "$conf" -s "$sock" -P "$LAB_DIR/$node.bird.pid"
	wait_for 5 test -S "$sock" || lab_fail "bird on $node did not start"
}

lab_bird_stop() { lab_foreign_stop "$@"; }	# NODE [SIGNAL]

# lab_bird_sess NODE PEER_ADDR FIELD: a column of "show bfd sessions" for
# PEER_ADDR: 2 interface, 3 state, 4 since, 5 interval (s), 6 timeout (s).
lab_bird_sess() {
	lab_birdc "$1" show bfd sessions | awk -v a="$2" -v f="$3" '$1 == a { print $f; found = 1; exit }
		END { if (!found) print "none" }'
}

# ---- Poll and Final bits on the wire ----

# lab_pf_watch A B: count, on the wire between A and B, the BFD Control
# packets entering from each node with the Poll and with the Final bit set
# (a counting chain ahead of the wire's forwarding and of its faults).
lab_pf_watch() {
	local n rules=""
	lab_pick_cable "$1" "$2"
	for n in "$1" "$2"; do
		rules+="counter p_$n { }
		counter f_$n { }
		chain pf_$n { type filter hook ingress device \"$n\" priority $((LAB_FAULT_PRIO - 10));
		udp dport 3784 @th,72,8 & 0x20 == 0x20 counter name \"p_$n\"
		udp dport 3784 @th,72,8 & 0x10 == 0x10 counter name \"f_$n\"; }
		"
	done
	ip netns exec "$LAB_C_WIRE" nft delete table netdev mrbfd 2>/dev/null || true
	ip netns exec "$LAB_C_WIRE" nft -f - <<-EOF
	table netdev mrbfd {
	$rules
	}
	EOF
}

# lab_pf A B p|f: Control packets with Poll (p) or Final (f) A sent to B.
lab_pf() {
	local out
	lab_pick_cable "$1" "$2"
	out=$(ip netns exec "$LAB_C_WIRE" nft list counter netdev mrbfd "$3_$1")
	[[ $out =~ packets\ ([0-9]+) ]] || lab_fail "no counter $3_$1 on $LAB_C_WIRE"
	echo "${BASH_REMATCH[1]}"
}
