// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of mtusess.c over hand-built session tables: which regular
 * session a verdict is about, the verdict changes returned (and when an
 * alert is due), the gate on the path, and a lost MTU session counted as
 * a flap only while the small probes pass.
 *
 * Port p1 (ifindex 11) towards beta: a regular IPv4 session and an MTU
 * session probing 9000 bytes; port p2 (ifindex 12) towards beta with a
 * regular session only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mtusess.h"

#define NOW MTIME_S(1000)
#define CONF "[global]\nmtu-probe = on\n" \
	     "[node alpha]\naddress = 10.0.0.1\nlan = eno1\nfast = p1 p2\n" \
	     "[node beta]\naddress = 10.0.0.2\nlan = eno1\nfast = p1 p2\n"

static struct mr_config cfg;
static struct mr_port ports[2];
static struct mr_sess sess[2], msess[1];
static struct mtusess_view view;

static void sess_up(struct mr_sess *s, mtime_t since)
{
	s->bfd.state = BFD_STATE_UP;
	s->up_since = since;
}

static int setup(void **state)
{
	(void)state;
	if (config_load_string("t.conf", CONF, &cfg, stderr) != 0)
		return -1;
	memset(ports, 0, sizeof(ports));
	memset(sess, 0, sizeof(sess));
	memset(msess, 0, sizeof(msess));
	snprintf(ports[0].name, sizeof(ports[0].name), "p1");
	ports[0].ifindex = 11;
	snprintf(ports[1].name, sizeof(ports[1].name), "p2");
	ports[1].ifindex = 12;
	for (int i = 0; i < 2; i++) {
		sess[i].port = &ports[i];
		sess[i].peer = 1;
		sess[i].local = cfg.nodes[0].addr4;
		sess[i].remote = cfg.nodes[1].addr4;
		sess[i].bfd.state = BFD_STATE_DOWN;
		sess[i].fd = -1;
	}
	msess[0] = sess[0];
	msess[0].mtu = true;
	msess[0].pad_to = 9000;
	msess[0].probe_since = NOW - MTIME_S(100);
	msess[0].verdict = MTU_UNKNOWN;
	msess[0].verdict_recheck = MTIME_NEVER;
	msess[0].bfd.remote_state = BFD_STATE_DOWN;	/* 0 would be AdminDown */
	view = (struct mtusess_view){ .cfg = &cfg, .sess = sess, .nsess = 2, .msess = msess,
				      .nmsess = 1 };
	return 0;
}

static void test_of(void **state)
{
	(void)state;
	assert_ptr_equal(mtusess_of(&view, &ports[0], 1), &msess[0]);
	assert_null(mtusess_of(&view, &ports[1], 1));
	assert_null(mtusess_of(&view, &ports[0], 0));
}

/* Regular Up, MTU session not: pending through the grace, then failed (alerted, with why). */
static void test_pending_then_failed(void **state)
{
	struct mtusess_change chg;
	mtime_t end;

	(void)state;
	sess_up(&sess[0], NOW);
	assert_true(mtusess_judge(&view, &msess[0], NOW, &chg));
	assert_int_equal(chg.old, MTU_UNKNOWN);
	assert_int_equal(chg.new, MTU_PENDING);
	assert_false(chg.alert);
	assert_int_equal(msess[0].verdict, MTU_PENDING);
	end = msess[0].verdict_recheck;
	assert_true(end > NOW && end != MTIME_NEVER);
	assert_int_equal(mtusess_next_deadline(&view), end);
	/* Nothing new before the grace ends. */
	assert_false(mtusess_judge(&view, &msess[0], end - 1, &chg));
	/* The peer's 1500-byte padded probes arrived just now. */
	msess[0].passes = 1500;
	msess[0].passes_at = end;
	assert_true(mtusess_judge(&view, &msess[0], end, &chg));
	assert_int_equal(chg.new, MTU_FAILED);
	assert_true(chg.alert);
	assert_string_equal(chg.diag, "MTU 9000 not passing, 1500 does");
	/* Back Up: ok, and the end of a failure is alerted too. */
	sess_up(&msess[0], end + 1);
	assert_true(mtusess_judge(&view, &msess[0], end + 2, &chg));
	assert_int_equal(chg.old, MTU_FAILED);
	assert_int_equal(chg.new, MTU_OK);
	assert_true(chg.alert);
	assert_string_equal(chg.diag, "");
}

/* The verdict is about the regular session of the same port: p2's being Up changes nothing. */
static void test_other_port(void **state)
{
	struct mtusess_change chg;

	(void)state;
	sess_up(&sess[1], NOW);
	assert_false(mtusess_judge(&view, &msess[0], NOW, &chg));
	assert_int_equal(msess[0].verdict, MTU_UNKNOWN);
}

/* The gate: p1 held back until its MTU session is Up, counted from the later bring-up; p2 free. */
static void test_gate(void **state)
{
	bool up = true;
	mtime_t since = NOW - MTIME_S(10);

	(void)state;
	sess_up(&sess[0], since);
	mtusess_gate(&view, &sess[0], NOW, false, &up, &since);
	assert_false(up);
	up = true;
	since = NOW - MTIME_S(10);
	sess_up(&msess[0], NOW - MTIME_S(2));
	mtusess_gate(&view, &sess[0], NOW, false, &up, &since);
	assert_true(up);
	assert_int_equal(since, NOW - MTIME_S(2));
	up = true;
	since = NOW - MTIME_S(10);
	mtusess_gate(&view, &sess[1], NOW, false, &up, &since);
	assert_true(up);
	assert_int_equal(since, NOW - MTIME_S(10));
}

/* Lost while the small probes pass: a flap, damped on the link; with them down, or AdminDown, not. */
static void test_left_up(void **state)
{
	struct bfd_output out = { .state_changed = true, .old_state = BFD_STATE_UP,
				  .new_state = BFD_STATE_DOWN };

	(void)state;
	sess_up(&sess[0], NOW - MTIME_S(10));
	mtusess_left_up(&view, &msess[0], &out, MTIME_S(5), NOW);
	assert_int_equal(msess[0].mtu_lost_at, NOW);
	assert_int_equal(msess[0].flaps, 1);
	assert_true(sess[0].damp.penalty > 0);
	assert_true(sess[1].damp.penalty == 0);	/* another port */
	/* The small probes down too: the regular session counts it, not this one. */
	sess[0].bfd.state = BFD_STATE_DOWN;
	mtusess_left_up(&view, &msess[0], &out, MTIME_S(5), NOW + 1);
	assert_int_equal(msess[0].mtu_lost_at, NOW + 1);
	assert_int_equal(msess[0].flaps, 1);
	/* Probing switched off (AdminDown): no failure. */
	sess_up(&sess[0], NOW);
	out.new_state = BFD_STATE_ADMIN_DOWN;
	mtusess_left_up(&view, &msess[0], &out, MTIME_S(5), NOW + 2);
	assert_int_equal(msess[0].flaps, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_of, setup),
		cmocka_unit_test_setup(test_pending_then_failed, setup),
		cmocka_unit_test_setup(test_other_port, setup),
		cmocka_unit_test_setup(test_gate, setup),
		cmocka_unit_test_setup(test_left_up, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
