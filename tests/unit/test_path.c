// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the path policy: which fast ports carry a peer's traffic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "path.h"

#define HOLD MTIME_S(2)
#define NOW MTIME_S(100)

struct path_case {
	const char *name;
	struct path_candidate c[4];
	int n;
	int want[4];
	int nwant;
	mtime_t recheck_at;
};

static const struct path_case cases[] = {
	{ "no candidates: LAN", { { 0 } }, 0, { 0 }, 0, MTIME_NEVER },
	{ "up long enough", { { 5, true, true, NOW - HOLD, HOLD, MTIME_NEVER, false } }, 1, { 5 }, 1, MTIME_NEVER },
	{ "up but held down", { { 5, true, true, NOW - HOLD + 1, HOLD, MTIME_NEVER, false } }, 1, { 0 }, 0, NOW + 1 },
	{ "down", { { 5, false, true, 0, HOLD, MTIME_NEVER, false } }, 1, { 0 }, 0, MTIME_NEVER },
	{ "up without carrier", { { 5, true, false, NOW - HOLD, HOLD, MTIME_NEVER, false } }, 1, { 0 }, 0, MTIME_NEVER },
	{ "absent port", { { 0, true, true, NOW - HOLD, HOLD, MTIME_NEVER, false } }, 1, { 0 }, 0, MTIME_NEVER },
	{ "two ports sorted",
	  { { 9, true, true, 0, HOLD, MTIME_NEVER, false }, { 4, true, true, 0, HOLD, MTIME_NEVER, false } }, 2, { 4, 9 }, 2, MTIME_NEVER },
	{ "one of two lost",
	  { { 9, false, true, 0, HOLD, MTIME_NEVER, false }, { 4, true, true, 0, HOLD, MTIME_NEVER, false } }, 2, { 4 }, 1, MTIME_NEVER },
	{ "one eligible, one held: earliest recheck",
	  { { 9, true, true, NOW - 5, HOLD, MTIME_NEVER, false }, { 4, true, true, 0, HOLD, MTIME_NEVER, false }, { 7, true, true, NOW - 9, HOLD, MTIME_NEVER, false } }, 3,
	  { 4 }, 1, NOW - 9 + HOLD },
};

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct path_case *t = &cases[i];
		struct path_result r;
		int j;

		path_select(t->c, t->n, NOW, &r);
		if (r.noif != t->nwant || r.recheck_at != t->recheck_at)
			fail_msg("%s: expected %d ports recheck %lld, got %d ports recheck %lld",
				 t->name, t->nwant, (long long)t->recheck_at, r.noif,
				 (long long)r.recheck_at);
		for (j = 0; j < r.noif; j++)
			if (r.oif[j] != t->want[j])
				fail_msg("%s: port %d: expected ifindex %d, got %d", t->name, j,
					 t->want[j], r.oif[j]);
	}
}

/* A damped port: held longer, and rechecked when the damping decays. */
static void test_damped_candidate(void **state)
{
	struct path_candidate c = { 4, true, true, NOW - 3 * HOLD, 4 * HOLD, NOW + 5, false };
	struct path_result r;

	(void)state;
	path_select(&c, 1, NOW, &r);
	assert_int_equal(r.noif, 0);
	assert_int_equal(r.recheck_at, NOW + 5);
	c.hold = 2 * HOLD;
	path_select(&c, 1, NOW, &r);
	assert_int_equal(r.noif, 1);
}

static void test_damp(void **state)
{
	const mtime_t half = MTIME_S(10);
	struct damp d = { 0, 0 };
	mtime_t at, hold;
	int i;

	(void)state;
	hold = damp_hold(&d, NOW, half, HOLD, &at);
	assert_int_equal(hold, HOLD);
	assert_int_equal(at, MTIME_NEVER);
	/* DAMP_FREE failures in a row cost nothing extra... */
	for (i = 0; i < DAMP_FREE; i++)
		damp_flap(&d, NOW, half);
	hold = damp_hold(&d, NOW, half, HOLD, &at);
	assert_int_equal(hold, HOLD);
	assert_int_equal(at, MTIME_NEVER);
	/* ...the next one doubles the hold-down until the penalty decays. */
	damp_flap(&d, NOW, half);
	hold = damp_hold(&d, NOW, half, HOLD, &at);
	assert_int_equal(hold, 2 * HOLD);
	assert_true(at > NOW && at <= NOW + 2);	/* penalty 3.0 drops below 3 at once */
	hold = damp_hold(&d, NOW + 1, half, HOLD, &at);
	assert_int_equal(hold, HOLD);
	/* A link that keeps flapping every 300 ms: capped at 2^DAMP_MAX_LEVEL. */
	for (i = 0; i < 200; i++)
		damp_flap(&d, NOW + MTIME_MS(300) * i, half);
	assert_true(d.penalty <= DAMP_MAX_PENALTY);
	at = NOW + MTIME_MS(300) * 199;
	hold = damp_hold(&d, at, half, HOLD, &at);
	assert_int_equal(hold, HOLD << DAMP_MAX_LEVEL);
	/* Decays once stable: penalty 8 halves to 4 (level 2) in one half-life, 2 in two. */
	at = NOW + MTIME_MS(300) * 199;
	assert_int_equal(damp_hold(&d, at + half, half, HOLD, &hold), HOLD << 2);
	assert_int_equal(damp_hold(&d, at + 2 * half, half, HOLD, &hold), HOLD);
	/* The announced change time is when the level really drops. */
	hold = damp_hold(&d, at, half, HOLD, &at);
	assert_int_equal(damp_hold(&d, at, half, HOLD, &hold), HOLD << (DAMP_MAX_LEVEL - 1));
	assert_int_equal(damp_hold(&d, at - 2, half, HOLD, &hold), HOLD << DAMP_MAX_LEVEL);
}

/* A port already carrying traffic keeps it when the hold-down grows (reload). */
static void test_in_service_keeps(void **state)
{
	struct path_candidate c = { 4, true, true, NOW - HOLD, 2 * HOLD, MTIME_NEVER, false };
	struct path_result r;

	(void)state;
	path_select(&c, 1, NOW, &r);
	assert_int_equal(r.noif, 0);
	c.in_service = true;
	path_select(&c, 1, NOW, &r);
	assert_int_equal(r.noif, 1);
	/* ...but not when its session is down. */
	c.up = false;
	path_select(&c, 1, NOW, &r);
	assert_int_equal(r.noif, 0);
}

static void test_equal(void **state)
{
	struct path_result a = { .oif = { 1, 2 }, .noif = 2 }, b = a, c = { .oif = { 1 }, .noif = 1 };

	(void)state;
	b.recheck_at = 42;	/* only the ports count */
	assert_true(path_equal(&a, &b));
	assert_false(path_equal(&a, &c));
	c.oif[1] = 3;
	c.noif = 2;
	assert_false(path_equal(&a, &c));
}

static void test_add_full(void **state)
{
	struct path_result r = { .noif = 0 };
	int i;

	(void)state;
	for (i = PATH_MAX_OIF + 2; i > 0; i--)
		path_add_oif(&r, i);
	assert_int_equal(r.noif, PATH_MAX_OIF);
	for (i = 1; i < r.noif; i++)
		assert_true(r.oif[i - 1] < r.oif[i]);
}

static void test_relay_pick(void **state)
{
	struct relay_candidate none[] = { { 1, 0, true }, { 3, 7, false } };
	struct relay_candidate two[] = { { 3, 7, true }, { 1, 5, true }, { 2, 0, true } };
	struct path_result r = { .noif = 0, .recheck_at = NOW + 5 }, direct, q;

	(void)state;
	/* A neighbour without an in-service link to us, or that does not reach the peer: LAN. */
	assert_int_equal(path_relay_pick(none, 2), -1);
	assert_int_equal(path_relay_pick(none, 0), -1);
	/* Several: the lowest node index, whatever the order given. */
	assert_int_equal(path_relay_pick(two, 3), 1);
	path_relay_set(&r, &two[1]);
	assert_true(r.relayed);
	assert_int_equal(r.relay_node, 1);
	assert_int_equal(r.noif, 1);
	assert_int_equal(r.oif[0], 5);
	assert_int_equal(r.recheck_at, NOW + 5);	/* a held-down port still gets rechecked */
	/* Relayed and direct over the same port differ; so do two relays. */
	memset(&direct, 0, sizeof(direct));
	path_add_oif(&direct, 5);
	assert_false(path_equal(&r, &direct));
	q = r;
	q.relay_node = 3;
	assert_false(path_equal(&r, &q));
	q.relay_node = 1;
	assert_true(path_equal(&r, &q));
}

/*
 * Loop freedom: what forwarded traffic may use is the direct path or the
 * LAN, never a relayed one, so no packet is relayed twice.
 */
static void test_forwarded_never_relayed(void **state)
{
	struct relay_candidate c = { 2, 9, true };
	struct path_result own, out;

	(void)state;
	memset(&own, 0, sizeof(own));
	path_add_oif(&own, 4);
	path_add_oif(&own, 6);
	path_for_forwarded(&own, &out);
	assert_true(path_equal(&own, &out));
	assert_false(out.relayed);
	path_relay_set(&own, &c);
	path_for_forwarded(&own, &out);
	assert_int_equal(out.noif, 0);
	assert_false(out.relayed);
	memset(&own, 0, sizeof(own));
	path_for_forwarded(&own, &out);
	assert_int_equal(out.noif, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relay_pick),
		cmocka_unit_test(test_forwarded_never_relayed),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_damped_candidate),
		cmocka_unit_test(test_damp),
		cmocka_unit_test(test_in_service_keeps),
		cmocka_unit_test(test_add_full),
	};

	return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
