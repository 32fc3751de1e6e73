// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the host checks' decisions: hosts as structs in, warnings out (no root). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <linux/rtnetlink.h>

#include "hostcheck.h"

/* Two nodes; n1's LAN port is `lan`, fast ports enp1s0f0 enp1s0f1. */
static const char *conf_text(const char *lan, bool v6)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "[node n1]\naddress = 10.10.0.1\n%slan = %s\nfast = enp1s0f0 enp1s0f1\n\n"
		 "[node n2]\naddress = 10.10.0.2\n%slan = vmbr0\nfast = enp1s0f0 enp1s0f1\n",
		 v6 ? "address = fd00:10::1\n" : "", lan, v6 ? "address = fd00:10::2\n" : "");
	return buf;
}

/* A host built up by the tests below. */
struct host {
	struct mr_config cfg;
	struct hc_link links[16];
	struct nl_addr addrs[16];
	struct nl_route routes[16];
	struct hc_udp udp[8];
	struct hostcheck_input in;
	struct hostcheck_result res;
};

static void host_init(struct host *h, const char *lan, bool v6)
{
	memset(h, 0, sizeof(*h));
	assert_int_equal(config_load_string("meshroute.conf", conf_text(lan, v6), &h->cfg, stderr), 0);
	h->in.cfg = &h->cfg;
	h->in.self = 0;
	h->in.links = h->links;
	h->in.addrs = h->addrs;
	h->in.routes = h->routes;
	h->in.udp = h->udp;
	h->in.hash_policy[0] = h->in.hash_policy[1] = 1;
}

static void link_add(struct host *h, int ifindex, const char *name, int master, const char *kind)
{
	struct hc_link *l = &h->links[h->in.nlinks++];

	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->master = master;
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
}

static void addr_add(struct host *h, int ifindex, const char *addr, int prefixlen)
{
	struct nl_addr *a = &h->addrs[h->in.naddrs++];

	a->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	a->ifindex = ifindex;
	a->prefixlen = (uint8_t)prefixlen;
	assert_int_equal(inet_pton(a->family, addr, a->addr), 1);
}

/* "10.10.0.0/24" over oif (0: none), gateway gw or NULL. */
static struct nl_route *route_add(struct host *h, const char *prefix, int oif, const char *gw,
				  uint8_t proto, uint32_t metric, uint32_t table)
{
	struct nl_route *r = &h->routes[h->in.nroutes++];
	char a[64];
	const char *slash = strchr(prefix, '/');

	snprintf(a, sizeof(a), "%.*s", (int)(slash - prefix), prefix);
	r->family = strchr(a, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(r->family, a, r->dst), 1);
	r->dst_len = (uint8_t)atoi(slash + 1);
	r->protocol = proto;
	r->priority = metric;
	r->table = table;
	r->type = RTN_UNICAST;
	if (oif) {
		r->oif[0] = oif;
		r->noif = 1;
	}
	if (gw) {
		assert_int_equal(inet_pton(r->family, gw, r->gw), 1);
		r->has_gw = true;
	}
	return r;
}

static void udp_add(struct host *h, int family, uint16_t port, int pid, const char *comm)
{
	struct hc_udp *u = &h->udp[h->in.nudp++];

	u->family = family;
	u->port = port;
	u->pid = pid;
	snprintf(u->comm, sizeof(u->comm), "%s", comm);
}

/* A sound Proxmox VE node: address on vmbr0 (eno1 its port), /32 on each fast port. */
static void proxmox_host(struct host *h, const char *lan)
{
	host_init(h, lan, false);
	link_add(h, 1, "lo", 0, "");
	link_add(h, 2, "eno1", 4, "");
	link_add(h, 3, "enp1s0f0", 0, "");
	link_add(h, 4, "vmbr0", 0, "bridge");
	link_add(h, 5, "enp1s0f1", 0, "");
	addr_add(h, 4, "10.10.0.1", 24);
	addr_add(h, 3, "10.10.0.1", 32);
	addr_add(h, 5, "10.10.0.1", 32);
	route_add(h, "10.10.0.0/24", 4, NULL, RTPROT_KERNEL, 0, RT_TABLE_MAIN);
	route_add(h, "0.0.0.0/0", 4, "10.10.0.254", RTPROT_BOOT, 0, RT_TABLE_MAIN);
	/* Our own route, and the local table's entry: never warned about. */
	route_add(h, "10.10.0.2/32", 3, NULL, MR_RTPROT, 0, RT_TABLE_MAIN);
	route_add(h, "10.10.0.1/32", 4, NULL, RTPROT_KERNEL, 0, RT_TABLE_LOCAL)->type = RTN_LOCAL;
}

static int eval(struct host *h)
{
	return hostcheck_eval(&h->in, &h->res);
}

/* Fails with every warning printed unless warning i contains each of the strings. */
static void expect(struct host *h, int i, ...)
{
	const char *want;
	va_list ap;

	if (i >= h->res.n) {
		fail_msg("expected warning %d, got %d warnings", i, h->res.n);
		return;
	}
	va_start(ap, i);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (!strstr(h->res.msg[i], want))
			fail_msg("warning %d lacks \"%s\": %s", i, want, h->res.msg[i]);
	va_end(ap);
}

static void print_all(const struct host *h)
{
	int i;

	for (i = 0; i < h->res.n; i++)
		printf("  warning %d: %s\n", i, h->res.msg[i]);
}

static void test_sound_host(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	proxmox_host(h, "vmbr0");
	if (eval(h) != 0) {
		print_all(h);
		fail_msg("a sound host got warnings");
	}
	free(h);
}

static void test_lan_bridge_port(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	proxmox_host(h, "eno1");
	assert_int_equal(eval(h), 1);	/* not repeated as "no LAN route" */
	expect(h, 0, "lan = eno1 is a port of bridge vmbr0, which holds this node's address 10.10.0.1",
	       "never come Up", "Fix: lan = vmbr0 in [node n1] of meshroute.conf", NULL);

	/* The address elsewhere: named. */
	h->addrs[0].ifindex = 6;
	link_add(h, 6, "vmbr1", 0, "bridge");
	assert_int_equal(eval(h), 1);
	expect(h, 0, "lan = eno1 is a port of bridge vmbr0; this node's address 10.10.0.1 is on vmbr1",
	       "Fix: lan = vmbr1", NULL);

	/* A bond without the address anywhere but the fast ports. */
	h->links[3].kind[0] = '\0';
	snprintf(h->links[3].kind, sizeof(h->links[3].kind), "bond");
	snprintf(h->links[3].name, sizeof(h->links[3].name), "bond0");
	h->addrs[0].ifindex = 3;	/* now only on fast ports */
	assert_int_equal(eval(h), 1);
	expect(h, 0, "lan = eno1 is a port of bond bond0, and this node's address 10.10.0.1 is on no "
		     "LAN interface", "put the address on bond0 and set lan = bond0", NULL);
	free(h);
}

static void test_address_not_on_lan(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	proxmox_host(h, "vmbr0");
	link_add(h, 7, "eno2", 0, "");
	h->addrs[0].ifindex = 7;	/* 10.10.0.1/24 on eno2 */
	h->routes[0].oif[0] = 7;
	assert_int_equal(eval(h), 1);
	expect(h, 0, "this node's address 10.10.0.1 is not on its LAN port vmbr0 but on eno2",
	       "Fix: lan = eno2", NULL);

	/* Not on any LAN interface. */
	h->in.naddrs = 0;
	addr_add(h, 3, "10.10.0.1", 32);
	assert_int_equal(eval(h), 1);
	expect(h, 0, "is not on its LAN port vmbr0 (nor on any other interface but the fast ports)",
	       "ip -4 addr add 10.10.0.1/PREFIX dev vmbr0", NULL);

	/* No such interface at all. */
	proxmox_host(h, "eth7");
	assert_int_equal(eval(h), 1);
	expect(h, 0, "lan = eth7: no such interface on this host", NULL);
	free(h);
}

static void test_no_lan_route(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	proxmox_host(h, "vmbr0");
	h->addrs[0].prefixlen = 32;	/* 10.10.0.1/32 on vmbr0: no subnet route */
	h->routes[0].dst_len = 32;
	h->routes[0].dst[3] = 1;	/* ... only the own /32 */
	assert_int_equal(eval(h), 1);
	expect(h, 0, "peer n2 (10.10.0.2) is not on the LAN port vmbr0",
	       "follows 0.0.0.0/0 via 10.10.0.254 dev vmbr0 proto boot metric 0 table main",
	       "put the LAN's subnet on vmbr0", NULL);

	h->in.nroutes = 0;
	assert_int_equal(eval(h), 1);
	expect(h, 0, "no route covers peer n2 (10.10.0.2) but meshroute's",
	       "ip -4 addr add 10.10.0.1/PREFIX dev vmbr0", NULL);

	/* The subnet on another port. */
	proxmox_host(h, "vmbr0");
	link_add(h, 8, "eno2", 0, "");
	h->routes[0].oif[0] = 8;
	assert_int_equal(eval(h), 1);
	expect(h, 0, "follows 10.10.0.0/24 dev eno2 proto kernel", NULL);
	free(h);
}

static void test_foreign_routes(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	proxmox_host(h, "vmbr0");
	/* The Proxmox wiki's routed mesh: "up ip route add 10.10.0.2/32 dev enp1s0f0". */
	route_add(h, "10.10.0.2/32", 3, NULL, RTPROT_BOOT, 0, RT_TABLE_MAIN);
	/* FRR openfabric (Proxmox SDN fabric), metric 20. */
	route_add(h, "10.10.0.2/32", 5, "10.10.0.2", 197, 20, RT_TABLE_MAIN);
	/* Somebody's policy table. */
	route_add(h, "10.10.0.2/32", 3, NULL, RTPROT_STATIC, 0, 100);
	/* Not to a peer: ignored. */
	route_add(h, "10.10.0.9/32", 3, NULL, RTPROT_BOOT, 0, RT_TABLE_MAIN);
	assert_int_equal(eval(h), 3);
	expect(h, 0, "route 10.10.0.2/32 dev enp1s0f0 proto boot metric 0 table main to peer n2",
	       "replaces it", "neither is left", "ip -4 route del 10.10.0.2/32 proto 3 metric 0",
	       "Proxmox wiki's routed mesh", NULL);
	expect(h, 1, "route 10.10.0.2/32 via 10.10.0.2 dev enp1s0f1 proto openfabric metric 20",
	       "stays underneath meshroute's route (metric 0)", "instead of the LAN",
	       "ip -4 route del 10.10.0.2/32 proto 197 metric 20", "SDN fabric", NULL);
	expect(h, 2, "table 100", "policy rule", "ip -4 route del 10.10.0.2/32 proto 4 metric 0 table 100",
	       NULL);
	free(h);
}

static void test_ipv6_metric(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	proxmox_host(h, "vmbr0");
	assert_int_equal(config_load_string("meshroute.conf", conf_text("vmbr0", true), &h->cfg,
					    stderr), 0);
	addr_add(h, 4, "fd00:10::1", 64);
	route_add(h, "fd00:10::/64", 4, NULL, RTPROT_KERNEL, 256, RT_TABLE_MAIN);
	route_add(h, "fd00:10::2/128", 3, NULL, RTPROT_BOOT, 512, RT_TABLE_MAIN);
	route_add(h, "fd00:10::2/128", 3, NULL, RTPROT_BOOT, 2048, RT_TABLE_MAIN);
	route_add(h, "fd00:10::2/128", 3, NULL, RTPROT_BOOT, 1024, RT_TABLE_MAIN);
	assert_int_equal(eval(h), 3);
	expect(h, 0, "fd00:10::2/128 dev enp1s0f0 proto boot metric 512",
	       "lower metric than meshroute's (1024): it shadows", "ip -6 route del", NULL);
	expect(h, 1, "metric 2048", "stays underneath meshroute's route (metric 1024)", NULL);
	expect(h, 2, "metric 1024", "replaces it", NULL);
	free(h);
}

static void test_fast_port_enslaved(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	proxmox_host(h, "vmbr0");
	link_add(h, 9, "vmbr1", 0, "bridge");
	h->links[2].master = 9;	/* enp1s0f0 */
	assert_int_equal(eval(h), 1);
	expect(h, 0, "fast port enp1s0f0 is a port of bridge vmbr1", "take enp1s0f0 out of vmbr1",
	       "RSTP or broadcast mesh", NULL);
	free(h);
}

static void test_udp_taken(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	proxmox_host(h, "vmbr0");
	udp_add(h, AF_INET, 3784, 1234, "bfdd");
	udp_add(h, AF_INET6, 3784, 1234, "bfdd");	/* the same daemon's IPv6 socket */
	assert_int_equal(eval(h), 1);
	expect(h, 0, "UDP port 3784 (BFD) is already in use by FRR's bfdd (pid 1234)",
	       "will not start", "bfdd=no in /etc/frr/daemons", NULL);

	h->in.nudp = 0;
	udp_add(h, AF_INET, 3784, 77, "bird");
	udp_add(h, AF_INET, 3786, 0, "");
	assert_int_equal(eval(h), 2);
	expect(h, 0, "in use by BIRD (pid 77)", "protocol bfd", NULL);
	expect(h, 1, "UDP port 3786 (relay-port: link reports) is already in use by a process this "
		     "check cannot see (ss -lunp 'sport = :3786' names it)", "counts no probe loss",
	       "another relay-port", NULL);
	/* With relay = on the daemon needs it to start. */
	h->cfg.relay = true;
	assert_int_equal(eval(h), 2);
	expect(h, 1, "UDP port 3786 (relay-port: link reports, relay) is already in use",
	       "will not start", NULL);
	h->cfg.relay = false;

	/* Hidden by the unit's sandbox: the hint names the likely owner. */
	h->in.nudp = 0;
	udp_add(h, AF_INET, 3784, 0, "");
	h->in.frr_bfdd = true;
	assert_int_equal(eval(h), 1);
	expect(h, 0, "probably FRR's bfdd (bfdd=yes in /etc/frr/daemons)", "bfdd=no", NULL);

	/* --check-config next to the running daemon: not a conflict; at start-up it is. */
	h->in.nudp = 0;
	udp_add(h, AF_INET, 3784, 55, "meshrouted");
	h->in.check_mode = true;
	assert_int_equal(eval(h), 0);
	h->in.check_mode = false;
	assert_int_equal(eval(h), 1);
	expect(h, 0, "another meshrouted (pid 55)", "systemctl stop meshrouted", NULL);
	free(h);
}

static void test_hash_policy(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	proxmox_host(h, "vmbr0");
	h->in.hash_policy[0] = 0;
	h->in.hash_policy[1] = 3;	/* custom: the admin's */
	assert_int_equal(eval(h), 0);	/* start-up: sysctl.c's business */
	h->in.check_mode = true;
	assert_int_equal(eval(h), 1);
	expect(h, 0, "net.ipv4.fib_multipath_hash_policy is 0 (layer 3)", "sets it to 1", NULL);
	h->cfg.set_sysctl = false;
	assert_int_equal(eval(h), 1);
	expect(h, 0, "sysctl -w net.ipv4.fib_multipath_hash_policy=1", NULL);
	/* One fast port: no multipath route possible. */
	h->cfg.nodes[0].nfast = 1;
	assert_int_equal(eval(h), 0);
	free(h);
}

static void test_realtime(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	proxmox_host(h, "vmbr0");
	h->cfg.realtime = true;
	assert_int_equal(eval(h), 1);
	expect(h, 0, "realtime = yes", "flapped healthy links", "Fix: realtime = no in [global]", NULL);
	h->in.check_mode = true;	/* the same at start-up and with --check-config */
	assert_int_equal(eval(h), 1);
	h->in.rt_kernel = true;		/* PREEMPT_RT preempts the kernel worker */
	assert_int_equal(eval(h), 0);
	h->in.rt_kernel = false;
	h->cfg.realtime = false;
	assert_int_equal(eval(h), 0);
	free(h);
}

static void test_many_warnings_counted(void **state)
{
	struct host *h = calloc(1, sizeof(*h));
	struct hostcheck_input in;
	struct hostcheck_result *res = calloc(1, sizeof(*res));
	struct hc_udp *udp = calloc(HOSTCHECK_MAX_WARNINGS + 5, sizeof(*udp));
	int i;

	(void)state;
	proxmox_host(h, "vmbr0");
	in = h->in;
	for (i = 0; i < HOSTCHECK_MAX_WARNINGS + 5; i++) {
		udp[i].family = AF_INET;
		udp[i].port = 3784;
		udp[i].pid = 100 + i;
		snprintf(udp[i].comm, sizeof(udp[i].comm), "x%d", i);
	}
	in.udp = udp;
	in.nudp = HOSTCHECK_MAX_WARNINGS + 5;
	assert_int_equal(hostcheck_eval(&in, res), HOSTCHECK_MAX_WARNINGS);
	assert_int_equal(res->dropped, 5);
	free(udp);
	free(res);
	free(h);
}

static void test_parse_udp(void **state)
{
	static const char udp4[] =
		"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
		"timeout inode ref pointer drops            \n"
		"  115: 00000000:0EC8 00000000:0000 07 00000000:00000000 00:00000000 00000000     0"
		"        0 129524 2 0000000080c6179a 0        \n"
		"  116: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101"
		"        0 5555 2 0000000080c6179a 0        \n"
		"  117: 0A0A0001:0ECA 00000000:0000 07 00000000:00000000 00:00000000 00000000     0"
		"        0 777 2 0000000080c6179a 0        \n";
	static const char udp6[] =
		"  sl  local_address                         remote_address                        st "
		"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
		"  117: 00000000000000000000000001000000:0EC8 00000000000000000000000000000000:0000 07 "
		"00000000:00000000 00:00000000 00000000     0        0 129525 2 00000000ff20c3bc 0\n";
	struct hc_udp u[4];
	int n = 0;

	(void)state;
	assert_int_equal(hostcheck_parse_udp(udp4, AF_INET, 3784, 3786, u, &n, 4), 2);
	assert_int_equal(n, 2);
	assert_int_equal(u[0].port, 3784);
	assert_int_equal(u[0].inode, 129524);
	assert_int_equal(u[0].family, AF_INET);
	assert_int_equal(u[1].port, 3786);
	assert_int_equal(u[1].inode, 777);
	assert_int_equal(hostcheck_parse_udp(udp6, AF_INET6, 3784, 0, u, &n, 4), 1);
	assert_int_equal(u[2].family, AF_INET6);
	assert_int_equal(u[2].inode, 129525);
	/* Only BFD's port asked for. */
	n = 0;
	assert_int_equal(hostcheck_parse_udp(udp4, AF_INET, 3784, 0, u, &n, 4), 1);
	/* Full. */
	assert_int_equal(hostcheck_parse_udp(udp4, AF_INET, 3784, 3786, u, &n, 2), 1);
	assert_int_equal(n, 2);
	/* Not that file. */
	assert_int_equal(hostcheck_parse_udp("hello\n", AF_INET, 3784, 0, u, &n, 4), -1);
	/* An IPv6 line in the IPv4 file is not taken for one. */
	n = 0;
	assert_int_equal(hostcheck_parse_udp(udp6, AF_INET, 3784, 0, u, &n, 4), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(hostcheck_proto_name(197), "openfabric");
	assert_string_equal(hostcheck_proto_name(RTPROT_BOOT), "boot");
	assert_null(hostcheck_proto_name(250));
	assert_string_equal(hostcheck_owner_name("bfdd"), "FRR's bfdd");
	assert_string_equal(hostcheck_owner_name("bird"), "BIRD");
	assert_string_equal(hostcheck_owner_name("socat"), "socat");
	assert_null(hostcheck_owner_name(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sound_host),
		cmocka_unit_test(test_lan_bridge_port),
		cmocka_unit_test(test_address_not_on_lan),
		cmocka_unit_test(test_no_lan_route),
		cmocka_unit_test(test_foreign_routes),
		cmocka_unit_test(test_ipv6_metric),
		cmocka_unit_test(test_fast_port_enslaved),
		cmocka_unit_test(test_udp_taken),
		cmocka_unit_test(test_hash_policy),
		cmocka_unit_test(test_realtime),
		cmocka_unit_test(test_many_warnings_counted),
		cmocka_unit_test(test_parse_udp),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
