// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of redund.c: redundancy towards a peer is judged only once
 * both paths worked, lost when either goes (what went is said), restored
 * when both work again (what had gone is said), told once per change, and
 * never for a peer without a LAN session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "redund.h"

/* Start-up: paths coming up one by one is not a loss. */
static void test_startup(void **state)
{
	struct mr_redundancy r = { 0 };
	struct redund_change c;

	(void)state;
	assert_false(redund_judge(&r, true, false, false, &c));
	assert_false(redund_judge(&r, true, false, true, &c));
	assert_false(redund_judge(&r, true, true, true, &c));
	assert_true(r.seen);
	assert_false(r.lost);
}

static void test_lost_restored(void **state)
{
	struct mr_redundancy r = { 0 };
	struct redund_change c;

	(void)state;
	assert_false(redund_judge(&r, true, true, true, &c));
	/* The fast path goes: lost, said once. */
	assert_true(redund_judge(&r, true, false, true, &c));
	assert_true(c.lost);
	assert_string_equal(c.old_state, "redundant");
	assert_string_equal(c.new_state, "fast path down");
	assert_false(redund_judge(&r, true, false, true, &c));
	/* Still lost when the LAN goes too: no second alert. */
	assert_false(redund_judge(&r, true, false, false, &c));
	/* Both back: restored, from what was lost first. */
	assert_true(redund_judge(&r, true, true, true, &c));
	assert_false(c.lost);
	assert_string_equal(c.old_state, "fast path down");
	assert_string_equal(c.new_state, "redundant");
	/* The LAN goes; then both. */
	assert_true(redund_judge(&r, true, true, false, &c));
	assert_string_equal(c.new_state, "LAN path down");
	assert_true(redund_judge(&r, true, true, true, &c));
	r = (struct mr_redundancy){ .seen = true };
	assert_true(redund_judge(&r, true, false, false, &c));
	assert_string_equal(c.new_state, "fast and LAN paths down");
}

/* No LAN session to that peer: nothing to judge, ever. */
static void test_no_lan(void **state)
{
	struct mr_redundancy r = { .seen = true };
	struct redund_change c;

	(void)state;
	assert_false(redund_judge(&r, false, false, false, &c));
	assert_false(redund_judge(&r, false, true, false, &c));
	assert_false(r.lost);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_startup),
		cmocka_unit_test(test_lost_restored),
		cmocka_unit_test(test_no_lan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
