// SPDX-License-Identifier: GPL-2.0-or-later
/* nl.c against the real kernel: every test runs in a fresh private network namespace. */
/*
 * Topology, rebuilt for each test by setup() in a new netns:
 *
 *   lo (up)
 *   mr0a 10.0.0.1/24 fd00::1/64 <--veth--> mr0b
 *   mr1a 10.0.1.1/24            <--veth--> mr1b
 *
 * All four ends are up. Needs root (unshare(CLONE_NEWNET)) and ip(8);
 * without them the binary exits 77 (skipped, with its reason), not 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "mtime.h"
#include "nl.h"

static bool netns_ok;
static const char *skip_reason = "";

/* ---- helpers ---- */

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		print_error("command failed (%d): %s\n", rc, cmd);
	return rc;
}

static void sh_ok(const char *cmd)
{
	assert_int_equal(sh(cmd), 0);
}

/* Output of a shell command, NUL-terminated. */
static void sh_out(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
}

/* Everything the handlers saw, in order. */
#define MAX_EV 512
struct events {
	struct nl_link link[MAX_EV];
	bool link_del[MAX_EV];
	int nlink;
	struct nl_addr addr[MAX_EV];
	bool addr_del[MAX_EV];
	int naddr;
	struct nl_route route[MAX_EV];
	bool route_del[MAX_EV];
	int nroute;
	int overflow;
};

static void rec_link(void *ctx, const struct nl_link *l, bool deleted)
{
	struct events *ev = ctx;

	if (ev->nlink == MAX_EV) {
		ev->overflow++;
		return;
	}
	ev->link_del[ev->nlink] = deleted;
	ev->link[ev->nlink++] = *l;
}

static void rec_addr(void *ctx, const struct nl_addr *a, bool deleted)
{
	struct events *ev = ctx;

	if (ev->naddr == MAX_EV) {
		ev->overflow++;
		return;
	}
	ev->addr_del[ev->naddr] = deleted;
	ev->addr[ev->naddr++] = *a;
}

static void rec_route(void *ctx, const struct nl_route *r, bool deleted)
{
	struct events *ev = ctx;

	if (ev->nroute == MAX_EV) {
		ev->overflow++;
		return;
	}
	ev->route_del[ev->nroute] = deleted;
	ev->route[ev->nroute++] = *r;
}

static struct events *ev_new(struct nl_handlers *h)
{
	struct events *ev = calloc(1, sizeof(*ev));

	assert_non_null(ev);
	*h = (struct nl_handlers){ rec_link, rec_addr, rec_route, ev };
	return ev;
}

/* Latest record of a link by name, or NULL. */
static const struct nl_link *last_link(const struct events *ev, const char *name, bool *deleted)
{
	int i;

	for (i = ev->nlink - 1; i >= 0; i--)
		if (strcmp(ev->link[i].name, name) == 0) {
			if (deleted)
				*deleted = ev->link_del[i];
			return &ev->link[i];
		}
	return NULL;
}

static void ip4(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, out), 1);
}

static void ip6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

/* Sorted copy of a route's oifs, so ECMP order does not matter. */
static void sorted_oifs(const struct nl_route *r, int *out)
{
	int i, j;

	for (i = 0; i < r->noif; i++)
		out[i] = r->oif[i];
	for (i = 1; i < r->noif; i++)
		for (j = i; j > 0 && out[j - 1] > out[j]; j--) {
			int t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
}

/* Our routes of one family, via a fresh dump. */
/* A request as the daemon builds one: dst/dst_len in table, src (NULL: none), oifs. */
static struct nl_route_req req(uint32_t table, int family, const uint8_t *dst, uint8_t dst_len,
			       const uint8_t *src, const int *oifs, int noif)
{
	struct nl_route_req r;
	int i;

	nl_route_req_host(&r, table, family, dst);
	r.dst_len = dst_len;
	if (src) {
		r.has_src = true;
		memcpy(r.src, src, sizeof(r.src));
	}
	r.noif = noif;
	for (i = 0; i < noif && i < NL_MAX_NH; i++)
		r.oif[i] = oifs[i];
	return r;
}

static int route_replace(struct nl *nl, uint32_t table, int family, const uint8_t *dst,
			 uint8_t dst_len, const uint8_t *src, const int *oifs, int noif)
{
	struct nl_route_req r = req(table, family, dst, dst_len, src, oifs, noif);

	return nl_route_replace(nl, &r);
}

static int route_delete(struct nl *nl, uint32_t table, int family, const uint8_t *dst,
			uint8_t dst_len)
{
	struct nl_route_req r = req(table, family, dst, dst_len, NULL, NULL, 0);

	return nl_route_delete(nl, &r);
}

/* The relay rule of one port (NULL: any one of ours). */
static int relay_rule(struct nl *nl, const char *ifname, bool add)
{
	struct nl_rule_req r = {
		.family = AF_INET, .table = MR_RELAY_TABLE, .pref = MR_RELAY_RULE_PREF,
	};

	if (ifname)
		snprintf(r.iifname, sizeof(r.iifname), "%s", ifname);
	return add ? nl_rule_add(nl, &r) : nl_rule_delete(nl, &r);
}

static struct events *dump_ours(struct nl *nl, int family)
{
	struct nl_handlers h;
	struct events *ev = ev_new(&h);

	assert_int_equal(nl_dump_routes(nl, family, RT_TABLE_MAIN, MR_RTPROT, &h), 0);
	assert_int_equal(ev->overflow, 0);
	return ev;
}

struct want_link {
	const char *name;
	bool carrier;
};

static bool pred_carrier(const struct events *ev, const void *arg)
{
	const struct want_link *w = arg;
	const struct nl_link *l = last_link(ev, w->name, NULL);

	/* Up means operstate UP too: the kernel's linkwatch sets it after the
	 * carrier, later when RTNL is busy (seen: carrier up, operstate still
	 * LOWERLAYERDOWN, on a host churning namespaces). */
	return l && l->carrier == w->carrier && (!w->carrier || l->operstate == IF_OPER_UP);
}

struct want_route {
	int family;
	uint8_t dst[16];
	bool deleted;
	int noif;
};

static bool pred_route(const struct events *ev, const void *arg)
{
	const struct want_route *w = arg;
	int i;

	for (i = 0; i < ev->nroute; i++) {
		const struct nl_route *r = &ev->route[i];

		if (r->family == w->family && r->protocol == MR_RTPROT &&
		    r->table == RT_TABLE_MAIN && ev->route_del[i] == w->deleted &&
		    memcmp(r->dst, w->dst, 16) == 0 && (w->noif == 0 || r->noif == w->noif))
			return true;
	}
	return false;
}

/*
 * Feeds monitor events into ev until pred holds or timeout_ms passes: waits
 * on the condition, never a blind sleep.
 */
static bool wait_for(struct nl *nl, struct events *ev, const struct nl_handlers *h,
		     bool (*pred)(const struct events *, const void *), const void *arg, int timeout_ms)
{
	mtime_t deadline = mtime_now() + MTIME_MS(timeout_ms);

	for (;;) {
		struct pollfd p = { .fd = nl_monitor_fd(nl), .events = POLLIN };
		mtime_t left;

		if (pred(ev, arg))
			return true;
		left = deadline - mtime_now();
		if (left <= 0)
			return false;
		poll(&p, 1, (int)(left / 1000) + 1);
		assert_int_equal(nl_monitor_read(nl, h), 0);
		assert_int_equal(ev->overflow, 0);
	}
}

/* Runs fn with stderr (where log.c writes) captured into out. */
struct capture {
	int saved;
	FILE *f;
};

static void capture_start(struct capture *c)
{
	fflush(stderr);
	c->f = tmpfile();
	assert_non_null(c->f);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->f), STDERR_FILENO) >= 0);
}

static void capture_end(struct capture *c, char *out, size_t len)
{
	size_t n;

	fflush(stderr);
	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	rewind(c->f);
	n = fread(out, 1, len - 1, c->f);
	out[n] = '\0';
	fclose(c->f);
	/* Show it anyway, so a failing run explains itself. */
	fputs(out, stderr);
}

/* ---- fixture: a fresh netns per test ---- */

static int setup(void **state)
{
	struct nl *nl;

	*state = NULL;
	if (!netns_ok)
		return 0;	/* the test skips */
	if (unshare(CLONE_NEWNET) < 0) {
		print_error("unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -1;
	}
	if (sh("ip link set lo up") ||
	    sh("ip link add mr0a type veth peer name mr0b") ||
	    sh("ip link add mr1a type veth peer name mr1b") ||
	    sh("ip addr add 10.0.0.1/24 dev mr0a") ||
	    sh("ip addr add fd00::1/64 dev mr0a nodad") ||
	    sh("ip addr add 10.0.1.1/24 dev mr1a") ||
	    sh("for l in mr0a mr0b mr1a mr1b; do ip link set $l up || exit 1; done"))
		return -1;
	if (nl_open(&nl) < 0)
		return -1;
	*state = nl;
	return 0;
}

static int teardown(void **state)
{
	nl_close(*state);	/* the netns goes away with its last socket */
	return 0;
}

#define NEED_NETNS() do { if (!netns_ok) { print_message("skipped: %s\n", skip_reason); skip(); } } while (0)

/* Waits until name's carrier is as wanted, starting from a dump (the resync pattern). */
static void wait_carrier(struct nl *nl, const char *name, bool carrier)
{
	struct nl_handlers h;
	struct events *ev = ev_new(&h);
	const struct want_link w = { name, carrier };

	assert_int_equal(nl_dump_links(nl, &h), 0);
	if (!wait_for(nl, ev, &h, pred_carrier, &w, 5000))
		fail_msg("%s: carrier (and operstate) not %s after 5 s", name, carrier ? "up" : "down");
	free(ev);
}

/* ---- tests ---- */

static void test_dump_links(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	struct nl_handlers h;
	struct events *ev = ev_new(&h);
	const char *names[] = { "lo", "mr0a", "mr0b", "mr1a", "mr1b" };
	size_t i;

	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		wait_carrier(nl, names[i], true);
	assert_int_equal(nl_dump_links(nl, &h), 0);
	assert_int_equal(ev->nlink, 5);		/* nothing else in a fresh netns */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		bool deleted = true;
		const struct nl_link *l = last_link(ev, names[i], &deleted);

		assert_non_null(l);
		assert_false(deleted);
		assert_int_equal(l->ifindex, (int)if_nametoindex(names[i]));
		assert_true(l->up);
		assert_true(l->flags & IFF_UP);
		if (i > 0) {
			assert_true(l->carrier);
			assert_true(l->flags & IFF_LOWER_UP);
			assert_int_equal(l->mtu, 1500);
			assert_int_equal(l->operstate, IF_OPER_UP);
		}
	}
	assert_int_equal((int)if_nametoindex("mr-nonexistent"), 0);
	free(ev);
}

static void test_dump_addrs(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	struct nl_handlers h;
	struct events *ev = ev_new(&h);
	uint8_t a4[16], a6[16];
	bool seen4 = false, seen6 = false;
	int i;

	ip4("10.0.0.1", a4);
	ip6("fd00::1", a6);
	assert_int_equal(nl_dump_addrs(nl, AF_UNSPEC, &h), 0);
	for (i = 0; i < ev->naddr; i++) {
		const struct nl_addr *a = &ev->addr[i];

		assert_false(ev->addr_del[i]);
		if (a->family == AF_INET && memcmp(a->addr, a4, 4) == 0) {
			assert_int_equal(a->ifindex, (int)if_nametoindex("mr0a"));
			assert_int_equal(a->prefixlen, 24);
			seen4 = true;
		}
		if (a->family == AF_INET6 && memcmp(a->addr, a6, 16) == 0) {
			assert_int_equal(a->ifindex, (int)if_nametoindex("mr0a"));
			assert_int_equal(a->prefixlen, 64);
			assert_false(a->flags & IFA_F_TENTATIVE);	/* nodad */
			seen6 = true;
		}
	}
	assert_true(seen4);
	assert_true(seen6);

	/* One family only. */
	memset(ev, 0, sizeof(*ev));
	assert_int_equal(nl_dump_addrs(nl, AF_INET, &h), 0);
	assert_true(ev->naddr >= 3);	/* 127.0.0.1, 10.0.0.1, 10.0.1.1 */
	for (i = 0; i < ev->naddr; i++)
		assert_int_equal(ev->addr[i].family, AF_INET);
	free(ev);
}

static void test_route_replace_single(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	uint8_t dst[16], src[16];
	int oif = (int)if_nametoindex("mr0a");
	struct events *ev;
	char out[4096];

	ip4("10.9.9.9", dst);
	ip4("10.0.0.1", src);
	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 0);
	free(ev);

	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, src, &oif, 1), 0);
	/* Replacing with the same path again is not an error (no EEXIST). */
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, src, &oif, 1), 0);

	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 1);
	assert_memory_equal(ev->route[0].dst, dst, 4);
	assert_int_equal(ev->route[0].dst_len, 32);
	assert_int_equal(ev->route[0].protocol, MR_RTPROT);
	assert_int_equal(ev->route[0].table, RT_TABLE_MAIN);
	assert_int_equal(ev->route[0].scope, RT_SCOPE_LINK);
	assert_int_equal(ev->route[0].type, RTN_UNICAST);
	assert_int_equal(ev->route[0].noif, 1);
	assert_int_equal(ev->route[0].oif[0], oif);
	assert_true(ev->route[0].has_prefsrc);
	assert_memory_equal(ev->route[0].prefsrc, src, 4);
	free(ev);

	/* What an admin sees: ip(8) agrees, and the protocol filter hides kernel routes. */
	sh_out("ip -4 route show table main", out, sizeof(out));
	assert_non_null(strstr(out, "10.9.9.9 dev mr0a proto "));
	assert_non_null(strstr(out, "scope link src 10.0.0.1"));
	sh_out("ip -4 route show table main proto 204", out, sizeof(out));
	assert_non_null(strstr(out, "10.9.9.9 dev mr0a"));
	assert_null(strstr(out, "10.0.0.0/24"));

	/* The any-protocol dump sees the connected routes too. */
	{
		struct nl_handlers h;

		ev = ev_new(&h);
		assert_int_equal(nl_dump_routes(nl, AF_INET, RT_TABLE_MAIN, 0, &h), 0);
		assert_true(ev->nroute >= 3);	/* 10.0.0.0/24, 10.0.1.0/24, ours */
		free(ev);
	}
}

/*
 * Relay: a relayed host route through a gateway on another port (onlink),
 * reported back with its gateway; the relay table's direct, LAN and
 * unreachable routes; and the per-port iif rules, idempotent and removable.
 */
static void test_relay_routes_and_rules(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	uint8_t dst[16], src[16], gw[16];
	int oif1 = (int)if_nametoindex("mr1a"), oifs[2] = { (int)if_nametoindex("mr0a"), (int)if_nametoindex("mr1a") };
	struct nl_handlers h;
	struct events *ev;
	char out[4096];
	int i;

	ip4("10.9.9.9", dst);
	ip4("10.0.0.1", src);
	/* Not in mr1a's subnet: only onlink makes it a valid gateway there. */
	ip4("10.7.7.7", gw);
	{
		struct nl_route_req r = req(RT_TABLE_MAIN, AF_INET, dst, 32, src, &oif1, 1);

		r.has_gw = true;
		memcpy(r.gw, gw, 4);
		assert_int_equal(nl_route_replace(nl, &r), 0);
		assert_int_equal(nl_route_replace(nl, &r), 0);
		/* A gateway needs exactly one oif. */
		r.noif = 2;
		r.oif[1] = oifs[0];
		assert_int_equal(nl_route_replace(nl, &r), -EINVAL);
	}
	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 1);
	assert_true(ev->route[0].has_gw);
	assert_memory_equal(ev->route[0].gw, gw, 4);
	assert_int_equal(ev->route[0].oif[0], oif1);
	free(ev);
	sh_out("ip -4 route show table main proto 204", out, sizeof(out));
	assert_non_null(strstr(out, "10.9.9.9 via 10.7.7.7 dev mr1a"));
	assert_non_null(strstr(out, "onlink"));
	/* Back to a direct route: one atomic replace drops the gateway. */
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, src, oifs, 1), 0);
	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 1);
	assert_false(ev->route[0].has_gw);
	free(ev);

	/* The relay table: multipath, single, unreachable; the main table is untouched. */
	assert_int_equal(route_replace(nl, MR_RELAY_TABLE, AF_INET, dst, 32, src, oifs, 2), 0);
	sh_out("ip -4 route show table 205", out, sizeof(out));
	assert_non_null(strstr(out, "10.9.9.9 proto 204"));
	assert_non_null(strstr(out, "nexthop dev mr0a"));
	assert_int_equal(route_replace(nl, MR_RELAY_TABLE, AF_INET, dst, 32, src, &oif1, 1), 0);
	sh_out("ip -4 route show table 205", out, sizeof(out));
	assert_non_null(strstr(out, "10.9.9.9 dev mr1a proto 204 scope link src 10.0.0.1"));
	assert_int_equal(route_replace(nl, MR_RELAY_TABLE, AF_INET, dst, 32, src, NULL, 0), 0);
	sh_out("ip -4 route show table 205", out, sizeof(out));
	assert_non_null(strstr(out, "unreachable 10.9.9.9 proto 204"));
	ev = ev_new(&h);
	assert_int_equal(nl_dump_routes(nl, AF_INET, MR_RELAY_TABLE, MR_RTPROT, &h), 0);
	assert_int_equal(ev->nroute, 1);
	assert_int_equal(ev->route[0].table, MR_RELAY_TABLE);
	assert_int_equal(ev->route[0].type, RTN_UNREACHABLE);
	free(ev);
	assert_int_equal(route_delete(nl, MR_RELAY_TABLE, AF_INET, dst, 32), 0);
	assert_true(route_delete(nl, MR_RELAY_TABLE, AF_INET, dst, 32) < 0);	/* gone */
	/* An absent table of ours dumps as empty, not as an error. */
	ev = ev_new(&h);
	assert_int_equal(nl_dump_routes(nl, AF_INET, 206, MR_RTPROT, &h), 0);
	assert_int_equal(ev->nroute, 0);
	free(ev);
	/* The main table route survived all of that. */
	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 1);
	free(ev);

	/* Rules: one per port, adding twice is fine, deleting any one until none. */
	assert_int_equal(relay_rule(nl, "mr0a", true), 0);
	assert_int_equal(relay_rule(nl, "mr0a", true), 0);
	assert_int_equal(relay_rule(nl, "fast-absent", true), 0);	/* by name: may come later */
	sh_out("ip -4 rule show", out, sizeof(out));
	assert_non_null(strstr(out, "205:\tfrom all iif mr0a lookup 205"));
	assert_non_null(strstr(out, "iif fast-absent"));
	assert_int_equal(relay_rule(nl, "mr0a", false), 0);
	assert_int_equal(relay_rule(nl, "mr0a", false), -ENOENT);
	for (i = 0; i < 4 && relay_rule(nl, NULL, false) == 0; i++)
		;
	assert_int_equal(i, 1);
	sh_out("ip -4 rule show", out, sizeof(out));
	assert_null(strstr(out, "lookup 205"));
}

/*
 * IPv6 probe routes: one host route per (port, peer) in MR_PROBE_TABLE,
 * told apart by metric; deleting one by oif and metric leaves the other;
 * the fwmark rule that makes only our sockets look there.
 */
static void test_probe_routes_and_rule(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	int oifs[2] = { (int)if_nametoindex("mr0a"), (int)if_nametoindex("mr1a") };
	struct nl_rule_req rule = {
		.family = AF_INET6, .table = MR_PROBE_TABLE, .pref = MR_PROBE_RULE_PREF,
		.fwmark = MR_PROBE_MARK,
	};
	struct nl_route_req r;
	struct nl_handlers h;
	struct events *ev;
	uint8_t dst[16];
	char out[4096];
	int i;

	ip6("fd00::2", dst);
	for (i = 0; i < 2; i++) {
		r = req(MR_PROBE_TABLE, AF_INET6, dst, 128, NULL, &oifs[i], 1);
		r.metric = (uint32_t)oifs[i];
		assert_int_equal(nl_route_replace(nl, &r), 0);
		assert_int_equal(nl_route_replace(nl, &r), 0);
	}
	ev = ev_new(&h);
	assert_int_equal(nl_dump_routes(nl, AF_INET6, MR_PROBE_TABLE, MR_RTPROT, &h), 0);
	assert_int_equal(ev->nroute, 2);
	free(ev);
	sh_out("ip -6 route show table 204", out, sizeof(out));
	assert_non_null(strstr(out, "fd00::2 dev mr0a proto 204 metric"));
	assert_non_null(strstr(out, "fd00::2 dev mr1a proto 204 metric"));
	/* The main table saw none of it. */
	ev = dump_ours(nl, AF_INET6);
	assert_int_equal(ev->nroute, 0);
	free(ev);

	r = req(MR_PROBE_TABLE, AF_INET6, dst, 128, NULL, &oifs[0], 1);
	r.metric = (uint32_t)oifs[0];
	assert_int_equal(nl_route_delete(nl, &r), 0);
	assert_true(nl_route_delete(nl, &r) < 0);
	ev = ev_new(&h);
	assert_int_equal(nl_dump_routes(nl, AF_INET6, MR_PROBE_TABLE, MR_RTPROT, &h), 0);
	assert_int_equal(ev->nroute, 1);
	assert_int_equal(ev->route[0].oif[0], oifs[1]);
	assert_int_equal(ev->route[0].priority, (uint32_t)oifs[1]);
	free(ev);

	assert_int_equal(nl_rule_add(nl, &rule), 0);
	assert_int_equal(nl_rule_add(nl, &rule), 0);
	sh_out("ip -6 rule show", out, sizeof(out));
	assert_non_null(strstr(out, "204:\tfrom all fwmark 0x6d720000 lookup 204"));
	assert_int_equal(nl_rule_delete(nl, &rule), 0);
	assert_int_equal(nl_rule_delete(nl, &rule), -ENOENT);
	sh_out("ip -6 rule show", out, sizeof(out));
	assert_null(strstr(out, "lookup 204"));
}

static void test_route_multipath(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	int oifs[2] = { (int)if_nametoindex("mr0a"), (int)if_nametoindex("mr1a") };
	int got[NL_MAX_NH], want[2];
	uint8_t dst[16], src[16];
	struct events *ev;
	char out[4096];

	ip4("10.9.9.9", dst);
	ip4("10.0.0.1", src);
	want[0] = oifs[0] < oifs[1] ? oifs[0] : oifs[1];
	want[1] = oifs[0] < oifs[1] ? oifs[1] : oifs[0];

	/* Two paths: one route, RTA_MULTIPATH with both oifs. */
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, src, oifs, 2), 0);
	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 1);
	assert_int_equal(ev->route[0].noif, 2);
	sorted_oifs(&ev->route[0], got);
	assert_int_equal(got[0], want[0]);
	assert_int_equal(got[1], want[1]);
	assert_true(ev->route[0].has_prefsrc);
	free(ev);
	sh_out("ip -4 route show table main proto 204", out, sizeof(out));
	assert_non_null(strstr(out, "nexthop dev mr0a"));
	assert_non_null(strstr(out, "nexthop dev mr1a"));

	/* Two paths to one, in place: still exactly one route. */
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, src, &oifs[1], 1), 0);
	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 1);
	assert_int_equal(ev->route[0].noif, 1);
	assert_int_equal(ev->route[0].oif[0], oifs[1]);
	free(ev);

	/* And back to two. */
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, src, oifs, 2), 0);
	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 1);
	assert_int_equal(ev->route[0].noif, 2);
	free(ev);

	/* Delete removes the whole route; a second delete says it is gone. */
	assert_int_equal(route_delete(nl, RT_TABLE_MAIN, AF_INET, dst, 32), 0);
	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 0);
	free(ev);
	assert_int_equal(route_delete(nl, RT_TABLE_MAIN, AF_INET, dst, 32), -ESRCH);
}

static void test_route_ipv6(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	int oifs[2] = { (int)if_nametoindex("mr0a"), (int)if_nametoindex("mr1a") };
	int got[NL_MAX_NH];
	uint8_t dst[16], src[16];
	struct events *ev;
	char out[4096];

	ip6("fd00:99::9", dst);
	ip6("fd00::1", src);
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst, 128, src, oifs, 1), 0);
	ev = dump_ours(nl, AF_INET6);
	assert_int_equal(ev->nroute, 1);
	assert_memory_equal(ev->route[0].dst, dst, 16);
	assert_int_equal(ev->route[0].dst_len, 128);
	assert_int_equal(ev->route[0].protocol, MR_RTPROT);
	assert_int_equal(ev->route[0].table, RT_TABLE_MAIN);
	assert_int_equal(ev->route[0].noif, 1);
	assert_int_equal(ev->route[0].oif[0], oifs[0]);
	assert_true(ev->route[0].has_prefsrc);
	assert_memory_equal(ev->route[0].prefsrc, src, 16);
	free(ev);

	/* Switch the path in place. */
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst, 128, NULL, &oifs[1], 1), 0);
	ev = dump_ours(nl, AF_INET6);
	assert_int_equal(ev->nroute, 1);
	assert_int_equal(ev->route[0].oif[0], oifs[1]);
	assert_false(ev->route[0].has_prefsrc);
	free(ev);

	/*
	 * Device-only IPv6 ECMP: the multipath API refuses it, a group of
	 * nexthop objects does it (one route, both ports, proto 204 objects).
	 */
	assert_true(nl_ipv6_multipath(nl));
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst, 128, src, oifs, 2), 0);
	ev = dump_ours(nl, AF_INET6);
	assert_int_equal(ev->nroute, 1);
	assert_int_equal(ev->route[0].noif, 2);
	assert_true(ev->route[0].nh_id >= 0x6d720000u);
	sorted_oifs(&ev->route[0], got);
	assert_int_equal(got[0], oifs[0] < oifs[1] ? oifs[0] : oifs[1]);
	assert_int_equal(got[1], oifs[0] < oifs[1] ? oifs[1] : oifs[0]);
	assert_true(ev->route[0].has_prefsrc);
	free(ev);
	sh_out("ip nexthop show protocol 204", out, sizeof(out));
	assert_non_null(strstr(out, "dev mr0a"));
	assert_non_null(strstr(out, "dev mr1a"));
	assert_non_null(strstr(out, "group "));
	/* Again (the same group rewritten), then back to one port: the group goes. */
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst, 128, src, oifs, 2), 0);
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst, 128, NULL, &oifs[1], 1), 0);
	ev = dump_ours(nl, AF_INET6);
	assert_int_equal(ev->nroute, 1);
	assert_int_equal(ev->route[0].noif, 1);
	assert_int_equal(ev->route[0].oif[0], oifs[1]);
	assert_int_equal(ev->route[0].nh_id, 0);
	free(ev);
	sh_out("ip nexthop show protocol 204", out, sizeof(out));
	assert_null(strstr(out, "group "));
	/* A port whose next hop the kernel deleted (admin down and up) is rewritten. */
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst, 128, NULL, oifs, 2), 0);
	sh_out("ip link set mr0a down && ip link set mr0a up && ip nexthop show protocol 204", out,
	       sizeof(out));
	assert_null(strstr(out, "dev mr0a"));
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst, 128, NULL, oifs, 2), 0);
	ev = dump_ours(nl, AF_INET6);
	assert_int_equal(ev->nroute, 1);
	assert_int_equal(ev->route[0].noif, 2);
	free(ev);
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst, 128, NULL, &oifs[1], 1), 0);

	/* The IPv4 dump does not see it; AF_UNSPEC does. */
	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 0);
	free(ev);
	ev = dump_ours(nl, AF_UNSPEC);
	assert_int_equal(ev->nroute, 1);
	free(ev);

	assert_int_equal(route_delete(nl, RT_TABLE_MAIN, AF_INET6, dst, 128), 0);
	ev = dump_ours(nl, AF_INET6);
	assert_int_equal(ev->nroute, 0);
	free(ev);
	assert_int_equal(route_delete(nl, RT_TABLE_MAIN, AF_INET6, dst, 128), -ESRCH);
}

/* A handle that made IPv6 multipath routes leaves no nexthop object once they are gone. */
static void test_route_ipv6_nexthops_cleared(void **state)
{
	NEED_NETNS();
	struct nl *own;
	int oifs[2] = { (int)if_nametoindex("mr0a"), (int)if_nametoindex("mr1a") };
	uint8_t dst[16];
	char out[4096];

	(void)state;
	ip6("fd00:99::8", dst);
	assert_int_equal(nl_open(&own), 0);
	assert_int_equal(route_replace(own, RT_TABLE_MAIN, AF_INET6, dst, 128, NULL, oifs, 2), 0);
	sh_out("ip nexthop show protocol 204", out, sizeof(out));
	assert_non_null(strstr(out, "group "));
	assert_int_equal(route_delete(own, RT_TABLE_MAIN, AF_INET6, dst, 128), 0);
	sh_out("ip nexthop show protocol 204", out, sizeof(out));
	assert_null(strstr(out, "group "));
	assert_non_null(strstr(out, "dev mr0a"));
	nl_close(own);
	sh_out("ip nexthop show protocol 204", out, sizeof(out));
	assert_string_equal(out, "");
}

/*
 * Objects a killed run left (a group where the next run wants a port's
 * next hop), and one another program holds: the new handle deletes and
 * reuses its own, skips the other's, and gets its multipath route.
 */
static void test_route_ipv6_nexthop_leftovers(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	int oifs[2] = { (int)if_nametoindex("mr0a"), (int)if_nametoindex("mr1a") };
	uint8_t dst[16];
	struct events *ev;
	char out[4096];

	ip6("fd00:99::7", dst);
	sh_out("ip -6 nexthop add id 1836187660 dev mr1a proto 204 && "
	       "ip nexthop add id 1836187648 group 1836187660 proto 204 && "
	       "ip -6 nexthop add id 1836187649 dev mr0a proto 99", out, sizeof(out));
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst, 128, NULL, oifs, 2), 0);
	ev = dump_ours(nl, AF_INET6);
	assert_int_equal(ev->nroute, 1);
	assert_int_equal(ev->route[0].noif, 2);
	free(ev);
	/* (99 is "openr" in iproute2's names) */
	sh_out("ip nexthop show id 1836187649", out, sizeof(out));
	assert_non_null(strstr(out, "dev mr0a"));
	assert_null(strstr(out, "proto 204"));
	sh_out("ip nexthop show id 1836187648", out, sizeof(out));
	assert_null(strstr(out, "group"));
	assert_int_equal(route_delete(nl, RT_TABLE_MAIN, AF_INET6, dst, 128), 0);
}

static void test_route_errors(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	int bad = 9999, ok = (int)if_nametoindex("mr0a"), zero = 0;
	uint8_t dst[16], dst6[16], src[16];
	struct capture c;
	char log[4096];
	struct events *ev;
	int err;

	ip4("10.9.9.9", dst);
	assert_int_equal((int)if_nametoindex("mr-nope"), 0);

	/* A prefsrc that is not ours: -errno, and the kernel's reason in the log line. */
	ip4("192.0.2.77", src);
	capture_start(&c);
	err = route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, src, &ok, 1);
	capture_end(&c, log, sizeof(log));
	assert_int_equal(err, -EINVAL);
	print_message("%s", log);
	assert_non_null(strstr(log, "(kernel: Invalid prefsrc address)"));
	assert_non_null(strstr(log, "10.9.9.9/32 dev mr0a src 192.0.2.77"));
	assert_non_null(strstr(log, strerror(EINVAL)));

	/* Same for IPv6, whose messages differ. */
	ip6("fd00:99::9", dst6);
	ip6("fd00:77::1", src);
	capture_start(&c);
	err = route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst6, 128, src, &ok, 1);
	capture_end(&c, log, sizeof(log));
	assert_int_equal(err, -EINVAL);
	print_message("%s", log);
	assert_non_null(strstr(log, "(kernel: "));

	/*
	 * Nonexistent ifindex: -ENODEV. The kernel attaches no text to this one
	 * (fib_check_nh_nongw), so the log line names the route and errno only,
	 * and the previous request's text must not leak into it.
	 */
	capture_start(&c);
	err = route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, NULL, &bad, 1);
	capture_end(&c, log, sizeof(log));
	assert_int_equal(err, -ENODEV);
	assert_non_null(strstr(log, "10.9.9.9/32 dev #9999"));
	assert_non_null(strstr(log, strerror(ENODEV)));
	assert_null(strstr(log, "kernel:"));
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET6, dst6, 128, NULL, &bad, 1), -ENODEV);

	/* Over an admin-down interface. */
	sh_ok("ip link set mr1a down");
	ok = (int)if_nametoindex("mr1a");
	capture_start(&c);
	err = route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, NULL, &ok, 1);
	capture_end(&c, log, sizeof(log));
	assert_int_equal(err, -ENETDOWN);
	print_message("%s", log);
	assert_non_null(strstr(log, "(kernel: "));

	/* Caller mistakes are refused before the kernel sees them. */
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 33, NULL, &ok, 1), -EINVAL);
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, NULL, &ok, 0), -EINVAL);
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, NULL, &zero, 1), -EINVAL);
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_PACKET, dst, 32, NULL, &ok, 1), -EINVAL);
	assert_int_equal(nl_dump_routes(nl, AF_PACKET, RT_TABLE_MAIN, 0, NULL), -EAFNOSUPPORT);

	/* Nothing was installed by any of that. */
	ev = dump_ours(nl, AF_UNSPEC);
	assert_int_equal(ev->nroute, 0);
	free(ev);

	/* Deleting an absent route: -ESRCH, and no warning logged. */
	capture_start(&c);
	err = route_delete(nl, RT_TABLE_MAIN, AF_INET, dst, 32);
	capture_end(&c, log, sizeof(log));
	assert_int_equal(err, -ESRCH);
	assert_string_equal(log, "");

	/* The handle still works after errors (sequence numbers stay in step). */
	ok = (int)if_nametoindex("mr0a");
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, NULL, &ok, 1), 0);
	assert_int_equal(route_delete(nl, RT_TABLE_MAIN, AF_INET, dst, 32), 0);
}

/* Setting one veth end down takes the carrier of the other end. */
static void test_monitor_carrier(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	struct nl_handlers h;
	struct events *ev;
	const struct want_link down = { "mr0b", false }, up = { "mr0b", true };
	const struct nl_link *l;

	wait_carrier(nl, "mr0b", true);
	ev = ev_new(&h);
	assert_int_equal(nl_monitor_read(nl, &h), 0);	/* drain */
	memset(ev, 0, sizeof(*ev));

	sh_ok("ip link set mr0a down");
	if (!wait_for(nl, ev, &h, pred_carrier, &down, 5000))
		fail_msg("no carrier-loss event for mr0b within 5 s");
	l = last_link(ev, "mr0b", NULL);
	assert_true(l->up);		/* still administratively up */
	assert_false(l->flags & IFF_LOWER_UP);
	assert_int_equal(l->ifindex, (int)if_nametoindex("mr0b"));
	l = last_link(ev, "mr0a", NULL);
	assert_non_null(l);
	assert_false(l->up);
	assert_false(l->carrier);

	sh_ok("ip link set mr0a up");
	if (!wait_for(nl, ev, &h, pred_carrier, &up, 5000))
		fail_msg("no carrier-up event for mr0b within 5 s");

	/* Deleting a veth deletes both ends. */
	sh_ok("ip link del mr1a");
	{
		const struct want_link gone = { "mr1b", false };
		bool deleted = false;

		if (!wait_for(nl, ev, &h, pred_carrier, &gone, 5000))
			fail_msg("no event for mr1b within 5 s");
		/* Poll a little longer for the RTM_DELLINK itself. */
		for (int i = 0; i < 50 && !deleted; i++) {
			struct pollfd p = { .fd = nl_monitor_fd(nl), .events = POLLIN };

			last_link(ev, "mr1b", &deleted);
			if (!deleted) {
				poll(&p, 1, 100);
				assert_int_equal(nl_monitor_read(nl, &h), 0);
			}
		}
		assert_true(deleted);
	}
	free(ev);
}

/*
 * Route events from other programs (here ip(8)) reach the monitor; the echo
 * of our own changes does not (it would arrive late, after newer changes).
 */
static void test_monitor_routes(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	int oifs[2] = { (int)if_nametoindex("mr0a"), (int)if_nametoindex("mr1a") };
	struct want_route w = { .family = AF_INET };
	struct nl_handlers h;
	struct events *ev = ev_new(&h);
	uint8_t src[16];

	ip4("10.9.9.9", w.dst);
	ip4("10.0.0.1", src);
	assert_int_equal(nl_monitor_read(nl, &h), 0);	/* drain setup's events */
	memset(ev, 0, sizeof(*ev));

	assert_int_equal(sh("ip route replace 10.9.9.9/32 proto 204 scope link "
			    "nexthop dev mr0a nexthop dev mr1a"), 0);
	w.noif = 2;
	if (!wait_for(nl, ev, &h, pred_route, &w, 2000))
		fail_msg("no RTM_NEWROUTE with 2 nexthops for 10.9.9.9/32");

	assert_int_equal(sh("ip route replace 10.9.9.9/32 proto 204 scope link dev mr0a"), 0);
	w.noif = 1;
	if (!wait_for(nl, ev, &h, pred_route, &w, 2000))
		fail_msg("no RTM_NEWROUTE with 1 nexthop for 10.9.9.9/32");

	assert_int_equal(sh("ip route del 10.9.9.9/32 proto 204"), 0);
	w.deleted = true;
	w.noif = 0;
	if (!wait_for(nl, ev, &h, pred_route, &w, 2000))
		fail_msg("no RTM_DELROUTE for 10.9.9.9/32");

	/* Our own changes: done, but not echoed. */
	memset(ev, 0, sizeof(*ev));
	w.deleted = false;
	w.noif = 2;
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, w.dst, 32, src, oifs, 2), 0);
	if (wait_for(nl, ev, &h, pred_route, &w, 200))
		fail_msg("the echo of our own route replace reached the monitor");
	assert_int_equal(route_delete(nl, RT_TABLE_MAIN, AF_INET, w.dst, 32), 0);

	/* IPv6 too. */
	memset(&w, 0, sizeof(w));
	w.family = AF_INET6;
	ip6("fd00:99::9", w.dst);
	assert_int_equal(sh("ip -6 route replace fd00:99::9/128 proto 204 dev mr0a"), 0);
	w.noif = 1;
	if (!wait_for(nl, ev, &h, pred_route, &w, 2000))
		fail_msg("no RTM_NEWROUTE for fd00:99::9/128");
	assert_int_equal(sh("ip -6 route del fd00:99::9/128 proto 204"), 0);
	w.deleted = true;
	w.noif = 0;
	if (!wait_for(nl, ev, &h, pred_route, &w, 2000))
		fail_msg("no RTM_DELROUTE for fd00:99::9/128");
	free(ev);
}

static void count_route(void *ctx, const struct nl_route *r, bool deleted)
{
	if (!deleted && r->protocol == MR_RTPROT)
		(*(int *)ctx)++;
}

/* A monitor that overflows says so (-ENOBUFS); a dump then resyncs. */
static void test_monitor_enobufs(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	int small = 1, oif = (int)if_nametoindex("mr0a"), n = 0, i, err;
	struct nl_handlers h = { .route = count_route, .ctx = &n };
	uint8_t dst[16];

	/* Shrink the monitor's buffer to the kernel's minimum (test only). */
	assert_int_equal(setsockopt(nl_monitor_fd(nl), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	for (i = 0; i < 200; i++) {
		ip4("10.8.0.0", dst);
		dst[2] = (uint8_t)(i >> 8);
		dst[3] = (uint8_t)i;
		assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, NULL, &oif, 1), 0);
	}
	err = nl_monitor_read(nl, &h);
	if (err == 0)	/* the overflow may sit behind what was queued first */
		err = nl_monitor_read(nl, &h);
	assert_int_equal(err, -ENOBUFS);
	/* The socket is still usable after the overflow. */
	assert_int_equal(nl_monitor_read(nl, &h), 0);

	n = 0;
	assert_int_equal(nl_dump_routes(nl, AF_INET, RT_TABLE_MAIN, MR_RTPROT, &h), 0);
	assert_int_equal(n, 200);
}

struct reenter {
	struct nl *nl;
	int calls;
	int err;
};

static void reenter_route(void *ctx, const struct nl_route *r, bool deleted)
{
	struct reenter *re = ctx;
	int oif = r->oif[0];

	if (deleted)
		return;
	re->calls++;
	re->err = route_replace(re->nl, RT_TABLE_MAIN, AF_INET, r->dst, 32, NULL, &oif, 1);
}

/* A dump handler that issues a command gets -EBUSY, and the dump is not disturbed. */
static void test_busy_in_dump(void **state)
{
	NEED_NETNS();
	struct nl *nl = *state;
	struct reenter re = { .nl = nl };
	struct nl_handlers h = { .route = reenter_route, .ctx = &re };
	int oif = (int)if_nametoindex("mr0a");
	uint8_t dst[16];
	struct events *ev;

	ip4("10.9.9.9", dst);
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, NULL, &oif, 1), 0);
	ip4("10.9.9.10", dst);
	assert_int_equal(route_replace(nl, RT_TABLE_MAIN, AF_INET, dst, 32, NULL, &oif, 1), 0);
	assert_int_equal(nl_dump_routes(nl, AF_INET, RT_TABLE_MAIN, MR_RTPROT, &h), 0);
	assert_int_equal(re.calls, 2);
	assert_int_equal(re.err, -EBUSY);
	ev = dump_ours(nl, AF_INET);
	assert_int_equal(ev->nroute, 2);
	free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dump_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_addrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_replace_single, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_multipath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_routes_and_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_routes_and_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_ipv6_nexthops_cleared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_ipv6_nexthop_leftovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_carrier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_enobufs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_in_dump, setup, teardown),
	};

	log_init("test_nl", true, getenv("MR_TEST_VERBOSE") != NULL);
	if (geteuid() != 0) {
		skip_reason = "needs root for a private network namespace";
	} else if (unshare(CLONE_NEWNET) < 0) {
		skip_reason = "unshare(CLONE_NEWNET) failed";
	} else if (system("ip -V >/dev/null 2>&1") != 0) {
		skip_reason = "ip(8) from iproute2 is missing";
	} else {
		netns_ok = true;
	}
	if (!netns_ok) {
		/* Exit 77: reported as skipped (tests/run-unit.sh), never as passed. */
		print_message("SKIP: test_nl: %s\n", skip_reason);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
