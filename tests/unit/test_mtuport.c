// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of mtuport.c over alpha's tables (alpha_tables.h) and its MTU
 * sessions on p1 and p2, with the env's calls back recorded in order:
 * padded probes on when a port's MTU goes jumbo (mtu-probe = auto), kept
 * on (resized, no new handshake) when it shrinks back (the fault to
 * catch), off with mtu-probe = off; a lost port's MTU sessions Down; a
 * reload's MTU table carried over, in place, the receive filter told
 * before any session starts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mtuport.h"

#include "alpha_tables.h"

#define NOW MTIME_S(1000)

static struct mr_config cfg;
static struct mr_port ports[3];
static struct mr_sess sess[6];
static struct mr_sess *msess;
static int nmsess;
static struct sesstab tab;
static struct sess_io sio;
static struct mtuport_env env;
static char calls[64][64];
static int ncalls;

/* The session's state after the output (out's states are only set on a change). */
static void output(void *ctx, struct mr_sess *m, const struct bfd_output *out, mtime_t now)
{
	(void)ctx;
	(void)now;
	(void)out;
	snprintf(calls[ncalls++], sizeof(calls[0]), "output %s %s %s", m->port->name,
		 cfg.nodes[m->peer].name, bfd_state_name(m->bfd.state));
}

static void reroute(void *ctx, int peer, bool metrics_soon, mtime_t now)
{
	(void)ctx;
	(void)now;
	(void)metrics_soon;
	snprintf(calls[ncalls++], sizeof(calls[0]), "reroute %s", cfg.nodes[peer].name);
}

static void table_in(void *ctx)
{
	(void)ctx;
	snprintf(calls[ncalls++], sizeof(calls[0]), "table in");
}

static void start(void *ctx, struct mr_sess *m)
{
	(void)ctx;
	snprintf(calls[ncalls++], sizeof(calls[0]), "start %s %s", m->port->name,
		 cfg.nodes[m->peer].name);
}

static int setup(void **state)
{
	bool carried[8] = { false };
	int count;

	(void)state;
	tab = (struct sesstab){ 0 };
	if (alpha_tables(&cfg, ports, &tab, sess, NOW) < 0)
		return -1;
	cfg.mtu_probe = MR_MTU_PROBE_AUTO;
	msess = NULL;
	nmsess = 0;
	env = (struct mtuport_env){
		.cfg = &cfg, .self_name = "alpha", .ports = ports, .nports = 3, .sess = sess,
		.nsess = tab.nsess, .msess = &msess, .nmsess = &nmsess, .tab = tab, .sio = &sio,
		.half_life = MTIME_S(1), .output = output, .reroute = reroute,
		.table_in = table_in, .start = start,
	};
	/* Start: the table built from none, then put in place. */
	msess = mtuport_reload(&env, &cfg, ALPHA, ports, 3, carried, &count, NOW);
	assert_non_null(msess);
	assert_int_equal(count, 4);	/* (p1, p2) x (beta, gamma); none on the LAN */
	ncalls = 0;
	{
		struct mr_sess *arr = msess;

		msess = NULL;
		mtuport_reload_apply(&env, arr, count, NOW);
	}
	assert_int_equal(nmsess, 4);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(msess);
	return 0;
}

/* In place, the filter told first, then each session started; no MTU known yet: no probing. */
static void test_start(void **state)
{
	(void)state;
	assert_int_equal(ncalls, 5);
	assert_string_equal(calls[0], "table in");
	assert_string_equal(calls[1], "start p1 beta");
	assert_string_equal(calls[4], "start p2 gamma");
	assert_int_equal(msess[0].pad_to, 0);
	assert_int_equal(msess[0].bfd.state, BFD_STATE_ADMIN_DOWN);
}

/* Jumbo: probes on (AdminDown -> Down), each peer's routes decided again; shrinking keeps them. */
static void test_jumbo(void **state)
{
	(void)state;
	ncalls = 0;
	mtuport_link(&env, &ports[0], 9000, NOW);
	assert_int_equal(ports[0].mtu, 9000);
	assert_true(ports[0].was_jumbo);
	assert_int_equal(msess[0].pad_to, 9000);
	assert_int_equal(msess[2].pad_to, 0);	/* p2's: untouched */
	assert_string_equal(calls[0], "output p1 beta Down");
	assert_string_equal(calls[ncalls - 1], "reroute gamma");
	/* The same MTU again: nothing. */
	ncalls = 0;
	mtuport_link(&env, &ports[0], 9000, NOW);
	mtuport_link(&env, &ports[0], 0, NOW);
	assert_int_equal(ncalls, 0);
	/* Back to 1500: still probed (was jumbo), at the new size, no new handshake. */
	mtuport_link(&env, &ports[0], 1500, NOW);
	assert_int_equal(msess[0].pad_to, 1500);
	assert_int_equal(msess[0].bfd.state, BFD_STATE_DOWN);
	/* mtu-probe = off, then a change: probes off, AdminDown. */
	cfg.mtu_probe = MR_MTU_PROBE_OFF;
	mtuport_link(&env, &ports[0], 9000, NOW);
	assert_int_equal(msess[0].pad_to, 0);
	assert_int_equal(msess[0].bfd.state, BFD_STATE_ADMIN_DOWN);
}

/* A lost port: its MTU sessions' outputs, nothing sent; the other port's untouched. */
static void test_lost(void **state)
{
	(void)state;
	mtuport_link(&env, &ports[1], 9000, NOW);
	ncalls = 0;
	mtuport_lost(&env, &ports[1], NOW, false);
	assert_int_equal(ncalls, 2);
	assert_string_equal(calls[0], "output p2 beta Down");
	assert_string_equal(calls[1], "output p2 gamma Down");
}

/* A reload of the same config: every MTU session carried over, none told AdminDown. */
static void test_reload_carries(void **state)
{
	bool carried[8] = { false };
	struct mr_sess *arr;
	uint32_t discr = msess[1].bfd.local_discr;
	int count, i;

	(void)state;
	arr = mtuport_reload(&env, &cfg, ALPHA, ports, 3, carried, &count, NOW);
	assert_non_null(arr);
	assert_int_equal(count, 4);
	for (i = 0; i < 4; i++)
		assert_true(carried[i]);
	assert_int_equal(arr[1].bfd.local_discr, discr);
	free(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jumbo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_carries, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
