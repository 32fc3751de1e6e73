// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of sessloss.c: a fast session fed with the peer's counts as
 * link reports bring them (one pair a second, 50 probes a second) is taken
 * out of service when it loses too much (max-loss 2 %: loss.h's windows),
 * comes back once the loss has fallen, or when the counts have stopped for
 * good; LAN, MTU and drained sessions are never judged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sessloss.h"

#define T0 MTIME_S(1000)
#define CONF "[node alpha]\naddress = 10.0.0.1\nlan = eno1\nfast = p1\n" \
	     "[node beta]\naddress = 10.0.0.2\nlan = eno1\nfast = p1\n"

static struct mr_config cfg;
static struct mr_port port;
static struct mr_sess s;
static uint32_t sent, rcvd;

static int setup(void **state)
{
	(void)state;
	if (config_load_string("t.conf", CONF, &cfg, stderr) != 0)
		return -1;
	memset(&port, 0, sizeof(port));
	snprintf(port.name, sizeof(port.name), "p1");
	port.ifindex = 11;
	port.carrier = true;
	memset(&s, 0, sizeof(s));
	s.port = &port;
	s.peer = 1;
	s.local = cfg.nodes[0].addr4;
	s.remote = cfg.nodes[1].addr4;
	s.bfd.state = BFD_STATE_UP;
	s.bfd.local_discr = 7;
	s.bfd.remote_discr = 9;
	s.up_since = T0 - MTIME_S(60);
	s.loss_permille = s.loss_to_permille = -1;
	sent = rcvd = 0;
	return 0;
}

/* One second of the peer's probes to us, `lost` of 50 lost, reported at t. */
static enum sessloss_action second(mtime_t t, uint32_t lost, struct sessloss_change *chg)
{
	sent += 50;
	rcvd += 50 - lost;
	loss_sample(&s.loss_from, LOSS_SRC_REPORT, 9, 7, sent, rcvd, t);
	s.report_at = t;
	return sessloss_check(&s, &cfg, t, chg);
}

static void test_trip_and_return(void **state)
{
	struct sessloss_change chg;
	enum sessloss_action a = SESSLOSS_NONE;
	int i;

	(void)state;
	/* 10 % lost: out within the short window (10 s). */
	for (i = 0; i <= 10 && a == SESSLOSS_NONE; i++)
		a = second(T0 + MTIME_S(i), 5, &chg);
	assert_int_equal(a, SESSLOSS_OUT);
	assert_true(s.loss_out);
	assert_int_equal(s.loss_out_since, T0 + MTIME_S(i - 1));
	assert_string_equal(chg.diag, "loss 10.0% from peer");
	assert_int_equal(s.loss_permille, 100);
	/* What the daemon does with OUT. */
	s.bfd.state = BFD_STATE_ADMIN_DOWN;
	/* Still lossy: stays out, nothing new. */
	assert_int_equal(second(T0 + MTIME_S(i), 5, &chg), SESSLOSS_NONE);
	/* Clean for long enough: back, said once. */
	a = SESSLOSS_NONE;
	for (i = i + 1; i < 200 && a == SESSLOSS_NONE; i++)
		a = second(T0 + MTIME_S(i), 0, &chg);
	assert_int_equal(a, SESSLOSS_BACK);
	assert_false(s.loss_out);
	/* Below a quarter of max-loss over the long window, the outage's losses included. */
	assert_string_equal(chg.diag, "loss 0.3% from peer");
	assert_int_equal(second(T0 + MTIME_S(i), 0, &chg), SESSLOSS_NONE);
}

/* 0.5 % (a quarter of max-loss) trips neither window: never out. */
static void test_below_max(void **state)
{
	struct sessloss_change chg;
	int i;

	(void)state;
	for (i = 0; i < 60; i++)
		assert_int_equal(second(T0 + MTIME_S(i), i % 4 == 0, &chg), SESSLOSS_NONE);
	assert_false(s.loss_out);
}

/* LAN, MTU and drained sessions: figures kept, never judged. */
static void test_not_judged(void **state)
{
	struct sessloss_change chg;
	int i, k;

	(void)state;
	for (k = 0; k < 3; k++) {
		setup(NULL);
		port.lan = k == 0;
		s.mtu = k == 1;
		port.drained = k == 2;
		for (i = 0; i < 20; i++)
			assert_int_equal(second(T0 + MTIME_S(i), 25, &chg), SESSLOSS_NONE);
		assert_false(s.loss_out);
		assert_int_equal(s.loss_permille, 500);
	}
}

/* Out, and then the peer sends no counts at all: back after the give-up, "loss unknown". */
static void test_give_up(void **state)
{
	struct sessloss_change chg;
	enum sessloss_action a = SESSLOSS_NONE;
	mtime_t t;
	int i;

	(void)state;
	for (i = 0; i <= 10 && a == SESSLOSS_NONE; i++)
		a = second(T0 + MTIME_S(i), 10, &chg);
	assert_int_equal(a, SESSLOSS_OUT);
	s.bfd.state = BFD_STATE_ADMIN_DOWN;
	a = SESSLOSS_NONE;
	for (t = T0 + MTIME_S(i); t < T0 + MTIME_S(i) + 2 * LOSS_GIVE_UP && a == SESSLOSS_NONE;
	     t += MTIME_S(1))
		a = sessloss_tick(&s, &cfg, t, &chg);
	assert_int_equal(a, SESSLOSS_BACK);
	assert_string_equal(chg.diag, "loss unknown");
	assert_true(t - MTIME_S(1) >= s.loss_out_since + LOSS_GIVE_UP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_trip_and_return, setup),
		cmocka_unit_test_setup(test_below_max, setup),
		cmocka_unit_test_setup(test_not_judged, setup),
		cmocka_unit_test_setup(test_give_up, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
