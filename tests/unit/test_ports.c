// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of ports.c over alpha's tables (alpha_tables.h), with the
 * env's calls back recorded in order: a port's carrier lost, a port gone
 * or renamed away (its sessions Down first, then the rest of the daemon
 * told), its MTU passed on, and drain: every peer's routes moved before
 * any peer is told AdminDown, undrain, and the replies.  Nothing here
 * reaches netlink (no dump, no carrier coming back).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ports.h"

#include "alpha_tables.h"

#define NOW MTIME_S(1000)

static struct mr_config cfg;
static struct mr_port ports[3];
static struct mr_sess sess[6];
static struct sesstab tab;
static struct ports_env env;
static char calls[64][64];	/* "output p1 beta", "lost p1 gone", "reroute", "mtu p1 9000" */
static int ncalls;

static void record(const char *fmt, const char *a, const char *b)
{
	assert_true(ncalls < 64);
	snprintf(calls[ncalls++], sizeof(calls[0]), fmt, a, b);
}

static void output(void *ctx, struct mr_sess *s, const struct bfd_output *out, mtime_t now)
{
	(void)ctx;
	(void)now;
	(void)out;
	record("output %s %s", s->port->name, cfg.nodes[s->peer].name);
}

static void lost(void *ctx, struct mr_port *port, mtime_t now, bool gone)
{
	(void)ctx;
	(void)now;
	record("lost %s %s", port->name, gone ? "gone" : "carrier");
}

static void reroute_all(void *ctx, mtime_t now)
{
	(void)ctx;
	(void)now;
	record("reroute%s%s", "", "");
}

static void mtu(void *ctx, struct mr_port *port, unsigned bytes, mtime_t now)
{
	char b[16];

	(void)ctx;
	(void)now;
	snprintf(b, sizeof(b), "%u", bytes);
	record("mtu %s %s", port->name, b);
}

static int setup(void **state)
{
	int i;

	(void)state;
	tab = (struct sesstab){ 0 };
	if (alpha_tables(&cfg, ports, &tab, sess, NOW) < 0)
		return -1;
	for (i = 0; i < 3; i++)
		ports[i].carrier = true;
	env = (struct ports_env){
		.cfg = &cfg, .ports = ports, .nports = 3, .sess = sess, .nsess = tab.nsess,
		.output = output, .lost = lost, .reroute_all = reroute_all, .mtu = mtu,
	};
	ncalls = 0;
	return 0;
}

static void test_of_node(void **state)
{
	struct mr_port p[MR_MAX_FAST + 1];

	(void)state;
	assert_int_equal(ports_of_node(&cfg.nodes[ALPHA], p), 3);
	assert_string_equal(p[0].name, "p1");
	assert_string_equal(p[1].name, "p2");
	assert_string_equal(p[2].name, "eno1");
	assert_false(p[0].lan || p[1].lan);
	assert_true(p[2].lan);
	assert_int_equal(p[0].ifindex, 0);
	assert_ptr_equal(ports_by_name(ports, 3, "p2"), &ports[1]);
	assert_null(ports_by_name(ports, 3, "p3"));
}

/* Carrier lost: the port's two sessions Down, then the rest told, then its MTU. */
static void test_carrier_lost(void **state)
{
	struct nl_link l = { .ifindex = 12, .name = "p2", .up = true, .mtu = 9000 };

	(void)state;
	ports_link(&env, &l, false);
	assert_int_equal(ncalls, 4);
	assert_string_equal(calls[0], "output p2 beta");
	assert_string_equal(calls[1], "output p2 gamma");
	assert_string_equal(calls[2], "lost p2 carrier");
	assert_string_equal(calls[3], "mtu p2 9000");
	assert_false(ports[1].carrier);
	assert_int_equal(ports[1].ifindex, 12);
	/* The same again: nothing new to say but the MTU. */
	ncalls = 0;
	ports_link(&env, &l, false);
	assert_int_equal(ncalls, 1);
	assert_string_equal(calls[0], "mtu p2 9000");
}

/* Gone, or renamed away from our name: out of service, its ifindex forgotten. */
static void test_gone_renamed(void **state)
{
	struct nl_link gone = { .ifindex = 11, .name = "p1" };
	struct nl_link renamed = { .ifindex = 12, .name = "p9", .up = true, .carrier = true };
	struct nl_link stranger = { .ifindex = 40, .name = "p1" };

	(void)state;
	/* A delete of another interface that once had our name: not ours. */
	ports_link(&env, &stranger, true);
	assert_int_equal(ncalls, 0);
	ports_link(&env, &gone, true);
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[2], "lost p1 gone");
	assert_int_equal(ports[0].ifindex, 0);
	assert_false(ports[0].carrier);
	ncalls = 0;
	ports_link(&env, &renamed, false);
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[0], "output p2 beta");
	assert_string_equal(calls[2], "lost p2 gone");
	assert_int_equal(ports[1].ifindex, 0);
}

/* Drain: our routes move first (reroute), then the port's peers are told. */
static void test_drain(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_non_null(out);
	assert_int_equal(ports_drain(&env, "p1", true, out), 0);
	assert_true(ports[0].drained);
	assert_int_equal(ncalls, 3);
	assert_string_equal(calls[0], "reroute");
	assert_string_equal(calls[1], "output p1 beta");
	assert_string_equal(calls[2], "output p1 gamma");
	assert_int_equal(sess[0].bfd.state, BFD_STATE_ADMIN_DOWN);
	assert_int_equal(sess[2].bfd.state, BFD_STATE_DOWN);
	/* No peer still Up: done at once. */
	assert_int_equal(ports_drain_done(&env, "p1", out), 0);
	assert_int_equal(ports_drain(&env, "p1", true, out), 0);
	assert_int_equal(ncalls, 3);
	/* The LAN and unknown names are refused. */
	assert_int_equal(ports_drain(&env, "eno1", true, out), -1);
	assert_int_equal(ports_drain(&env, "p7", true, out), -1);
	assert_int_equal(ports_drain_done(&env, "p2", out), -1);
	ncalls = 0;
	assert_int_equal(ports_drain(&env, "p1", false, out), 0);
	assert_false(ports[0].drained);
	assert_int_equal(ncalls, 2);
	assert_int_equal(sess[0].bfd.state, BFD_STATE_DOWN);
	fclose(out);
	assert_non_null(strstr(text, "p1 drained: traffic moved off it"));
	assert_non_null(strstr(text, "p1 is already drained"));
	assert_non_null(strstr(text, "eno1 is not a fast port of this node (fast ports: p1 p2)"));
	assert_non_null(strstr(text, "p1 back in service"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_of_node, setup),
		cmocka_unit_test_setup(test_carrier_lost, setup),
		cmocka_unit_test_setup(test_gone_renamed, setup),
		cmocka_unit_test_setup(test_drain, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
