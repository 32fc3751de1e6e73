// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of route.c, the routes that carry traffic, without root:
 * linked against tests/unit/fake_nl.c, an in-memory kernel, instead of
 * nl.o.  Each test decides and applies routes as the daemon does and checks
 * what the "kernel" then holds, what change is reported, and when the
 * decision is to be made again.
 *
 * Nodes: alpha (us: 10.0.0.1, fd00::1), beta (10.0.0.2, fd00::2), gamma
 * (10.0.0.3, IPv4 only), delta (10.0.0.4).  Fast ports are ifindex 11, 12,
 * 13; the LAN port is 2.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <linux/rtnetlink.h>

#include "fake_nl.h"
#include "nl.h"
#include "route.h"

#define NOW MTIME_S(1000)
#define HOLD MTIME_S(1)
#define LAN 2

#define CONF "[global]\nhold-down = 1s\n" \
	     "[node alpha]\naddress = 10.0.0.1\naddress = fd00::1\nlan = eno1\nfast = p1 p2 p3\n" \
	     "[node beta]\naddress = 10.0.0.2\naddress = fd00::2\nlan = eno1\nfast = p1 p2 p3\n" \
	     "[node gamma]\naddress = 10.0.0.3\nlan = eno1\nfast = p1 p2 p3\n" \
	     "[node delta]\naddress = 10.0.0.4\nlan = eno1\nfast = p1 p2 p3\n"

enum { ALPHA, BETA, GAMMA, DELTA };

static struct mr_config cfg;
static struct rib rib;

static int setup(void **state)
{
	(void)state;
	if (config_load_string("t.conf", CONF, &cfg, stderr) != 0)
		return -1;
	fake_nl_reset();
	rib_init(&rib, &cfg, ALPHA, FAKE_NL, NOW);
	return 0;
}

static const uint8_t *addr(int node, int fam)
{
	return mr_node_addr(&cfg.nodes[node], fam)->bytes;
}

/* A candidate port: Up since `up_for` before NOW (0: Down), usable, plain hold-down. */
static struct path_candidate cand(int ifindex, mtime_t up_for)
{
	struct path_candidate c = {
		.ifindex = ifindex, .up = up_for > 0, .usable = true,
		.up_since = up_for > 0 ? NOW - up_for : 0, .hold = HOLD,
		.hold_changes_at = MTIME_NEVER,
	};

	return c;
}

/* Decide and apply as the daemon's peer_update() does; the change, if any, in *chg. */
static bool update(int peer, int fam, struct path_candidate *c, int n,
		   const struct advert_table *adv, mtime_t now, struct rib_change *chg)
{
	struct path_result want;
	int i;

	for (i = 0; i < n; i++)
		c[i].in_service = rib_in_service(&rib, peer, fam, c[i].ifindex);
	rib_decide(&rib, peer, fam, c, n, adv, now, &want);
	return rib_apply(&rib, peer, fam, &want, now, chg);
}

/* The kernel's main-table route to peer in fam has exactly these oifs (none: no route). */
static void assert_kernel(int peer, int fam, const int *oifs, int n)
{
	const struct nl_route_req *k = fake_nl_route(RT_TABLE_MAIN, fam ? AF_INET6 : AF_INET,
						      addr(peer, fam));
	int i;

	if (n == 0) {
		if (k)
			fail_msg("expected no route to %s, the kernel has one over %d port(s)",
				 cfg.nodes[peer].name, k->noif);
		return;
	}
	if (!k)
		fail_msg("expected a route to %s over %d port(s), the kernel has none",
			 cfg.nodes[peer].name, n);
	if (k->noif != n)
		fail_msg("route to %s: expected %d port(s), got %d", cfg.nodes[peer].name, n, k->noif);
	for (i = 0; i < n; i++)
		if (k->oif[i] != oifs[i])
			fail_msg("route to %s: port %d: expected ifindex %d, got %d",
				 cfg.nodes[peer].name, i, oifs[i], k->oif[i]);
	/* Our traffic leaves with our one address, whatever the port. */
	assert_true(k->has_src);
	assert_memory_equal(k->src, addr(ALPHA, fam), fam ? 16 : 4);
}

/* Up after the hold-down: multipath over both, first bring-up without an alert; no rewrite after. */
static void test_up_multipath(void **state)
{
	struct path_candidate c[2] = { cand(12, 2 * HOLD), cand(11, 2 * HOLD) };
	static const int both[] = { 11, 12 };
	struct rib_change chg;
	int writes;

	(void)state;
	assert_true(update(BETA, 0, c, 2, NULL, NOW, &chg));
	assert_kernel(BETA, 0, both, 2);
	assert_int_equal(chg.peer, BETA);
	assert_int_equal(chg.old.noif, 0);
	assert_int_equal(chg.new.noif, 2);
	assert_false(chg.alert);	/* start-up is news to no one */
	assert_int_equal(rib.rt[BETA][0].changed_at, NOW);
	writes = fake_nl.writes;
	assert_false(update(BETA, 0, c, 2, NULL, NOW + 1, &chg));
	assert_int_equal(fake_nl.writes, writes);
}

/* Held down: no route yet, and the decision comes back when the hold-down ends. */
static void test_hold_down(void **state)
{
	struct path_candidate c[1] = { cand(11, HOLD / 4) };
	struct rib_change chg;
	static const int one[] = { 11 };

	(void)state;
	assert_false(update(BETA, 0, c, 1, NULL, NOW, &chg));
	assert_kernel(BETA, 0, NULL, 0);
	assert_int_equal(rib_recheck_at(&rib, BETA), NOW - HOLD / 4 + HOLD);
	assert_true(update(BETA, 0, c, 1, NULL, NOW - HOLD / 4 + HOLD, &chg));
	assert_kernel(BETA, 0, one, 1);
	assert_int_equal(rib_recheck_at(&rib, BETA), MTIME_NEVER);
}

/* One port fails, then the other: atomic replace to one port, then a delete to the LAN, alerted. */
static void test_failover(void **state)
{
	struct path_candidate c[2] = { cand(11, 2 * HOLD), cand(12, 2 * HOLD) };
	static const int one[] = { 12 };
	struct rib_change chg;

	(void)state;
	assert_true(update(BETA, 0, c, 2, NULL, NOW, &chg));
	c[0].up = false;
	assert_true(update(BETA, 0, c, 2, NULL, NOW + 1, &chg));
	assert_kernel(BETA, 0, one, 1);
	assert_int_equal(chg.old.noif, 2);
	assert_true(chg.alert);
	c[1].usable = false;	/* carrier lost */
	assert_true(update(BETA, 0, c, 2, NULL, NOW + 2, &chg));
	assert_kernel(BETA, 0, NULL, 0);
	assert_int_equal(chg.new.noif, 0);
	assert_true(chg.alert);
	/* Back on the LAN before ever having been on a fast port: alerted too. */
	assert_true(rib_withdraw(&rib, GAMMA, 0, NOW, &chg) == false);
}

/* A port already in service keeps its traffic through a longer hold-down (a reload). */
static void test_in_service_keeps(void **state)
{
	struct path_candidate c[1] = { cand(11, 2 * HOLD) };
	struct rib_change chg;
	static const int one[] = { 11 };

	(void)state;
	assert_true(update(BETA, 0, c, 1, NULL, NOW, &chg));
	c[0].hold = 10 * HOLD;
	assert_false(update(BETA, 0, c, 1, NULL, NOW + 1, &chg));
	assert_kernel(BETA, 0, one, 1);
}

/* The kernel refuses: nothing believed installed, retried after ROUTE_RETRY, then done. */
static void test_write_failure_retried(void **state)
{
	struct path_candidate c[1] = { cand(11, 2 * HOLD) };
	struct rib_change chg;
	static const int one[] = { 11 };

	(void)state;
	fake_nl.fail_next = -ENETDOWN;
	assert_false(update(BETA, 0, c, 1, NULL, NOW, &chg));
	assert_kernel(BETA, 0, NULL, 0);
	assert_false(rib.rt[BETA][0].installed_known);
	assert_int_equal(rib_recheck_at(&rib, BETA), NOW + ROUTE_RETRY);
	assert_true(update(BETA, 0, c, 1, NULL, NOW + ROUTE_RETRY, &chg));
	assert_kernel(BETA, 0, one, 1);
}

/* A route already gone when we delete it is what we wanted: no retry. */
static void test_delete_absent(void **state)
{
	struct path_candidate c[1] = { cand(11, 2 * HOLD) };
	struct rib_change chg;

	(void)state;
	assert_true(update(BETA, 0, c, 1, NULL, NOW, &chg));
	fake_nl_reset();	/* someone flushed it unannounced */
	c[0].up = false;
	assert_true(update(BETA, 0, c, 1, NULL, NOW + 1, &chg));
	assert_int_equal(fake_nl.writes, 1);
	assert_true(rib.rt[BETA][0].installed_known);
	assert_int_equal(rib_recheck_at(&rib, BETA), MTIME_NEVER);
}

/* IPv6 without nexthop objects: one port of two, the lowest ifindex; its own route, separate from IPv4's. */
static void test_ipv6_one_port(void **state)
{
	struct path_candidate c[2] = { cand(12, 2 * HOLD), cand(11, 2 * HOLD) };
	static const int one[] = { 11 }, both[] = { 11, 12 };
	struct rib_change chg;

	(void)state;
	assert_true(update(BETA, 1, c, 2, NULL, NOW, &chg));
	assert_kernel(BETA, 1, one, 1);
	assert_int_equal(chg.fam, 1);
	assert_true(update(BETA, 0, c, 2, NULL, NOW, &chg));
	assert_kernel(BETA, 0, both, 2);
	assert_kernel(BETA, 1, one, 1);
}

/* IPv6 with nexthop objects in the kernel: multipath like IPv4. */
static void test_ipv6_multipath(void **state)
{
	struct path_candidate c[2] = { cand(12, 2 * HOLD), cand(11, 2 * HOLD) };
	static const int both[] = { 11, 12 };
	struct rib_change chg;

	(void)state;
	fake_nl.ipv6_multipath = true;
	assert_true(update(BETA, 1, c, 2, NULL, NOW, &chg));
	assert_kernel(BETA, 1, both, 2);
	assert_int_equal(chg.new.noif, 2);
}

/*
 * Relay: no direct port to gamma; our route to beta is direct over 12 and
 * beta advertises that it reaches gamma: gamma via beta over 12, onlink.
 * Once beta's advertisement is gone, back to the LAN.
 */
static void test_relayed(void **state)
{
	struct path_candidate cb[1] = { cand(12, 2 * HOLD) }, cg[1] = { cand(13, 0) };
	struct advert_table adv;
	const struct nl_route_req *k;
	struct rib_change chg;
	bool changed;

	(void)state;
	memset(&adv, 0, sizeof(adv));
	assert_int_equal(advert_table_update(&adv, BETA, 1, MTIME_MS(350), 1u << GAMMA, NOW,
					     &changed), ADVERT_ACCEPTED);
	assert_true(update(BETA, 0, cb, 1, &adv, NOW, &chg));
	assert_int_equal(rib_direct_oif(&rib, BETA), 12);
	assert_true(update(GAMMA, 0, cg, 1, &adv, NOW, &chg));
	k = fake_nl_route(RT_TABLE_MAIN, AF_INET, addr(GAMMA, 0));
	assert_non_null(k);
	assert_true(k->has_gw);
	assert_memory_equal(k->gw, addr(BETA, 0), 4);
	assert_int_equal(k->noif, 1);
	assert_int_equal(k->oif[0], 12);
	assert_true(chg.new.relayed);
	assert_int_equal(chg.new.relay_node, BETA);
	/* A relayed route is no direct one: nobody relays through us to gamma. */
	assert_int_equal(rib_direct_oif(&rib, GAMMA), 0);
	assert_false(rib_in_service(&rib, GAMMA, 0, 12));
	/* Relay off (no table), or the advertisement expired: the LAN. */
	assert_true(update(GAMMA, 0, cg, 1, NULL, NOW + 1, &chg));
	assert_kernel(GAMMA, 0, NULL, 0);
	assert_true(update(GAMMA, 0, cg, 1, &adv, NOW + 2, &chg));
	assert_true(update(GAMMA, 0, cg, 1, &adv, NOW + MTIME_MS(400), &chg));
	assert_kernel(GAMMA, 0, NULL, 0);
}

/* Route events: someone else's change to our route is learnt and undone; others are ignored. */
static void test_route_events(void **state)
{
	struct path_candidate c[1] = { cand(11, 2 * HOLD) };
	static const int one[] = { 11 };
	struct rib_change chg;
	struct nl_route ev;

	(void)state;
	assert_true(update(BETA, 0, c, 1, NULL, NOW, &chg));
	memset(&ev, 0, sizeof(ev));
	ev.family = AF_INET;
	memcpy(ev.dst, addr(BETA, 0), 4);
	ev.dst_len = 32;
	ev.protocol = MR_RTPROT;
	ev.table = RT_TABLE_MAIN;
	ev.noif = 1;
	ev.oif[0] = 11;
	/* Our own write echoed back: nothing to do. */
	assert_int_equal(rib_route_event(&rib, &ev, false), -1);
	/* Not ours: another protocol, table, or prefix. */
	ev.protocol = RTPROT_STATIC;
	ev.oif[0] = 12;
	assert_int_equal(rib_route_event(&rib, &ev, false), -1);
	ev.protocol = MR_RTPROT;
	ev.table = MR_RELAY_TABLE;
	assert_int_equal(rib_route_event(&rib, &ev, false), -1);
	ev.table = RT_TABLE_MAIN;
	ev.dst_len = 24;
	assert_int_equal(rib_route_event(&rib, &ev, false), -1);
	ev.dst_len = 32;
	/* Moved to another port by someone: re-decided, and put back. */
	assert_int_equal(rib_route_event(&rib, &ev, false), BETA);
	assert_int_equal(rib.rt[BETA][0].installed.oif[0], 12);
	assert_true(update(BETA, 0, c, 1, NULL, NOW + 1, &chg));
	assert_kernel(BETA, 0, one, 1);
	/* Deleted by someone: re-decided and written again. */
	fake_nl_reset();
	ev.oif[0] = 11;
	assert_int_equal(rib_route_event(&rib, &ev, true), BETA);
	assert_int_equal(rib.rt[BETA][0].installed.noif, 0);
	assert_true(update(BETA, 0, c, 1, NULL, NOW + 2, &chg));
	assert_kernel(BETA, 0, one, 1);
}

/* Resync: what a dump shows becomes what is installed; a port down makes its routes unknown. */
static void test_resync_and_port_down(void **state)
{
	struct path_candidate c[1] = { cand(11, 2 * HOLD) };
	struct nl_route_req k;
	struct rib_change chg;
	int writes;

	(void)state;
	nl_route_req_host(&k, RT_TABLE_MAIN, AF_INET, addr(GAMMA, 0));
	k.noif = 1;
	k.oif[0] = 13;
	fake_nl.routes[fake_nl.nroutes++] = k;
	assert_int_equal(rib_resync(&rib), 0);
	assert_true(rib.rt[GAMMA][0].installed_known);
	assert_int_equal(rib.rt[GAMMA][0].installed.noif, 1);
	assert_int_equal(rib.rt[GAMMA][0].installed.oif[0], 13);
	assert_true(rib.rt[BETA][0].installed_known);
	assert_int_equal(rib.rt[BETA][0].installed.noif, 0);
	/* A dump that fails changes nothing. */
	fake_nl.dump_fail = -EINTR;
	assert_int_equal(rib_resync(&rib), -EINTR);
	fake_nl.dump_fail = 0;

	assert_true(update(BETA, 0, c, 1, NULL, NOW, &chg));
	writes = fake_nl.writes;
	rib_port_down(&rib, 11);
	assert_false(rib.rt[BETA][0].installed_known);
	assert_true(rib.rt[GAMMA][0].installed_known);
	/* Same path, but unknown: written again, and no change reported. */
	assert_false(update(BETA, 0, c, 1, NULL, NOW + 1, &chg));
	assert_int_equal(fake_nl.writes, writes + 1);
}

/* Start-up: an earlier run's routes go (main table and probe table), nothing else. */
static void test_remove_stale(void **state)
{
	struct nl_route_req k;

	(void)state;
	nl_route_req_host(&k, RT_TABLE_MAIN, AF_INET, addr(BETA, 0));
	k.noif = 1;
	k.oif[0] = 11;
	fake_nl.routes[fake_nl.nroutes++] = k;
	nl_route_req_host(&k, RT_TABLE_MAIN, AF_INET6, addr(BETA, 1));
	fake_nl.routes[fake_nl.nroutes++] = k;
	nl_route_req_host(&k, MR_PROBE_TABLE, AF_INET6, addr(BETA, 1));
	k.noif = 1;
	k.oif[0] = 11;
	k.metric = 11;
	fake_nl.routes[fake_nl.nroutes++] = k;
	k.oif[0] = 12;
	k.metric = 12;
	fake_nl.routes[fake_nl.nroutes++] = k;
	nl_route_req_host(&k, MR_RELAY_TABLE, AF_INET, addr(BETA, 0));
	k.noif = 0;
	fake_nl.routes[fake_nl.nroutes++] = k;
	assert_int_equal(rib_remove_stale(&rib), 0);
	/* Relay's table is relay's to flush (relay = on or off decides). */
	assert_int_equal(fake_nl.nroutes, 1);
	assert_int_equal(fake_nl.routes[0].table, MR_RELAY_TABLE);
	fake_nl.dump_fail = -EINTR;
	assert_int_equal(rib_remove_stale(&rib), -EINTR);
}

/* Probe routes: one per (port, peer) by metric, the rule first; all gone at the flush. */
static void test_probe_routes(void **state)
{
	struct mr_addr v4 = cfg.nodes[BETA].addr4;

	(void)state;
	assert_int_equal(rib_probe_route(&rib, &cfg.nodes[BETA].addr6, 11), 0);
	assert_int_equal(rib_probe_route(&rib, &cfg.nodes[BETA].addr6, 12), 0);
	assert_int_equal(rib_probe_route(&rib, &cfg.nodes[BETA].addr6, 12), 0);
	assert_int_equal(fake_nl.nroutes, 2);
	assert_true(rib.probe_rule);
	assert_non_null(fake_nl_rule(MR_PROBE_TABLE, ""));
	assert_int_equal(fake_nl_rule(MR_PROBE_TABLE, "")->fwmark, MR_PROBE_MARK);
	assert_int_equal(rib_probe_route(&rib, &v4, 11), -EINVAL);
	rib_probe_flush(&rib);
	assert_int_equal(fake_nl.nroutes, 0);
	assert_int_equal(fake_nl.nrules, 0);
	assert_false(rib.probe_rule);
}

/*
 * The relay table: a peer reached directly keeps that path, one reached
 * through a relay or not at all gets the LAN (never a relayed path: loop
 * freedom), and unreachable without a LAN port.  Rewritten only on change.
 */
static void test_relay_table(void **state)
{
	struct path_candidate cb[2] = { cand(11, 2 * HOLD), cand(12, 2 * HOLD) };
	struct path_candidate cg[1] = { cand(13, 0) };
	const struct nl_route_req *k;
	struct advert_table adv;
	struct rib_change chg;
	bool changed;
	int writes;

	(void)state;
	memset(&adv, 0, sizeof(adv));
	advert_table_update(&adv, BETA, 1, MTIME_S(10), 1u << GAMMA, NOW, &changed);
	update(BETA, 0, cb, 2, &adv, NOW, &chg);
	update(GAMMA, 0, cg, 1, &adv, NOW, &chg);
	assert_true(rib.rt[GAMMA][0].installed.relayed);
	rib_fwd_sync(&rib, LAN);
	k = fake_nl_route(MR_RELAY_TABLE, AF_INET, addr(BETA, 0));
	assert_non_null(k);
	assert_int_equal(k->noif, 2);
	assert_memory_equal(k->src, addr(ALPHA, 0), 4);
	k = fake_nl_route(MR_RELAY_TABLE, AF_INET, addr(GAMMA, 0));
	assert_non_null(k);
	assert_int_equal(k->noif, 1);
	assert_int_equal(k->oif[0], LAN);
	assert_false(k->has_gw);
	writes = fake_nl.writes;
	rib_fwd_sync(&rib, LAN);
	assert_int_equal(fake_nl.writes, writes);
	rib_fwd_forget(&rib);
	rib_fwd_sync(&rib, 0);
	k = fake_nl_route(MR_RELAY_TABLE, AF_INET, addr(DELTA, 0));
	assert_non_null(k);
	assert_int_equal(k->noif, 0);	/* unreachable: never a miss into main */
	/* IPv6 and ourselves: no relay routes. */
	assert_null(fake_nl_route(MR_RELAY_TABLE, AF_INET, addr(ALPHA, 0)));
	rib_relay_clear(&rib);
	assert_null(fake_nl_route(MR_RELAY_TABLE, AF_INET, addr(BETA, 0)));
	assert_null(fake_nl_route(MR_RELAY_TABLE, AF_INET, addr(DELTA, 0)));
	/* The main table is untouched by all of it. */
	assert_non_null(fake_nl_route(RT_TABLE_MAIN, AF_INET, addr(BETA, 0)));
}

/* Rules: one per fast port; a port that left loses its rule after the new ones are in. */
static void test_relay_rules(void **state)
{
	static const char first[][16] = { "p1", "p2" }, second[][16] = { "p2", "p3" };

	(void)state;
	assert_int_equal(rib_relay_rules(&rib, first, 2), 0);
	assert_non_null(fake_nl_rule(MR_RELAY_TABLE, "p1"));
	assert_non_null(fake_nl_rule(MR_RELAY_TABLE, "p2"));
	assert_int_equal(rib_relay_rules(&rib, second, 2), 0);
	assert_null(fake_nl_rule(MR_RELAY_TABLE, "p1"));
	assert_non_null(fake_nl_rule(MR_RELAY_TABLE, "p3"));
	assert_int_equal(fake_nl.nrules, 2);
	fake_nl.fail_next = -EPERM;
	assert_int_equal(rib_relay_rules(&rib, second, 2), -1);
	/* An earlier run's rule too. */
	fake_nl.rules[fake_nl.nrules++] = (struct nl_rule_req){
		.family = AF_INET, .table = MR_RELAY_TABLE, .pref = MR_RELAY_RULE_PREF,
		.iifname = "old0",
	};
	rib_relay_clear(&rib);
	assert_int_equal(fake_nl.nrules, 0);
	assert_int_equal(rib.nrules, 0);
}

/*
 * Reload: a peer that stays (name and addresses) keeps its route and
 * state at its new index; one whose address changed does not; beyond
 * the new config nothing is carried.
 */
static void test_reload_carry(void **state)
{
	struct path_candidate c[1] = { cand(11, 2 * HOLD) };
	struct rib_route nrt[MR_MAX_NODES][MR_NFAM];
	struct mr_config ncfg;
	struct rib_change chg;
	int old_of[MR_MAX_NODES];

	(void)state;
	assert_true(update(BETA, 0, c, 1, NULL, NOW, &chg));
	assert_int_equal(config_load_string("n.conf", "[node gamma]\naddress = 10.0.0.3\n"
					    "lan = eno1\nfast = p1\n[node beta]\naddress = 10.0.0.2\n"
					    "address = fd00::2\nlan = eno1\nfast = p1\n"
					    "[node alpha]\naddress = 10.0.0.1\naddress = fd00::1\n"
					    "lan = eno1\nfast = p1\n[node delta]\naddress = 10.0.0.44\n"
					    "lan = eno1\nfast = p1\n", &ncfg, stderr), 0);
	rib_peer_map(&cfg, ALPHA, &ncfg, 2, old_of);
	assert_int_equal(old_of[0], GAMMA);
	assert_int_equal(old_of[1], BETA);
	assert_int_equal(old_of[2], -1);	/* ourselves */
	assert_int_equal(old_of[3], -1);	/* delta's address changed */
	assert_int_equal(old_of[4], -1);
	rib_reload(&rib, old_of, NOW + 1, nrt);
	assert_int_equal(nrt[1][0].installed.noif, 1);
	assert_true(nrt[1][0].ever_fast);
	assert_int_equal(nrt[3][0].installed.noif, 0);
	assert_false(nrt[3][0].installed_known);
	assert_int_equal(nrt[3][0].changed_at, NOW + 1);
	rib_reload_swap(&rib, 2, nrt);
	assert_int_equal(rib.self, 2);
	assert_int_equal(rib.rt[1][0].installed.oif[0], 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_up_multipath, setup),
		cmocka_unit_test_setup(test_hold_down, setup),
		cmocka_unit_test_setup(test_failover, setup),
		cmocka_unit_test_setup(test_in_service_keeps, setup),
		cmocka_unit_test_setup(test_write_failure_retried, setup),
		cmocka_unit_test_setup(test_delete_absent, setup),
		cmocka_unit_test_setup(test_ipv6_one_port, setup),
		cmocka_unit_test_setup(test_ipv6_multipath, setup),
		cmocka_unit_test_setup(test_relayed, setup),
		cmocka_unit_test_setup(test_route_events, setup),
		cmocka_unit_test_setup(test_resync_and_port_down, setup),
		cmocka_unit_test_setup(test_remove_stale, setup),
		cmocka_unit_test_setup(test_probe_routes, setup),
		cmocka_unit_test_setup(test_relay_table, setup),
		cmocka_unit_test_setup(test_relay_rules, setup),
		cmocka_unit_test_setup(test_reload_carry, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
