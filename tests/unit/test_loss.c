// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the probe loss estimator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>

#include <cmocka.h>

#include "loss.h"

/* xorshift for reproducible jitter and loss */
static uint32_t rng = 12345;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/*
 * A peer sending every `interval_us` less 0-25 % jitter (RFC 5880 §6.8.7)
 * for `seconds`, each packet lost with probability permille/1000.
 */
static void simulate(struct loss *l, mtime_t *now, uint32_t interval_us, int permille,
		     int seconds)
{
	mtime_t end = *now + MTIME_S(seconds);

	while (*now < end) {
		*now += interval_us - (mtime_t)(next() % (interval_us / 4 + 1));
		loss_tick(l, *now);
		if ((int)(next() % 1000) >= permille)
			loss_rx(l, *now * 1000);
	}
}

struct loss_case {
	const char *name;
	uint32_t interval_us;
	int permille;
};

static void test_estimates(void **state)
{
	static const struct loss_case cases[] = {
		{ "no loss at 20 ms", 20000, 0 },
		{ "1% at 20 ms", 20000, 10 },
		{ "3% at 20 ms", 20000, 30 },
		{ "5% at 20 ms", 20000, 50 },
		{ "10% at 10 ms", 10000, 100 },
		{ "5% at 50 ms", 50000, 50 },
		{ "30% at 20 ms", 20000, 300 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct loss l;
		mtime_t now = MTIME_S(1000);
		int got;

		loss_reset(&l, now);
		simulate(&l, &now, cases[i].interval_us, cases[i].permille, 12);
		got = loss_permille(&l);
		/*
		 * Within 1.5 points (the median of a lossy stream leans a little
		 * long) plus three standard deviations of the binomial count of
		 * lost packets among the ~10 s / (0.875 x interval) expected.
		 */
		{
			double n = 10e6 / (0.875 * cases[i].interval_us), p = cases[i].permille / 1000.0;
			int tol = 15 + (int)(3000.0 * sqrt(p * (1 - p) / n));

			if (got < 0 || abs(got - cases[i].permille) > tol)
				fail_msg("%s: expected %d +- %d permille, got %d", cases[i].name,
					 cases[i].permille, tol, got);
		}
	}
}

static void test_no_verdict_before_window(void **state)
{
	struct loss l;
	mtime_t now = MTIME_S(1);

	(void)state;
	loss_reset(&l, now);
	simulate(&l, &now, 20000, 0, 5);
	assert_int_equal(loss_permille(&l), -1);
	simulate(&l, &now, 20000, 0, 6);
	assert_true(loss_permille(&l) >= 0);
	/* Too few packets for a verdict: 1 s interval. */
	loss_reset(&l, now);
	simulate(&l, &now, 1000000, 0, 12);
	assert_int_equal(loss_permille(&l), -1);
}

static void test_silence_is_total_loss(void **state)
{
	struct loss l;
	mtime_t now = MTIME_S(1);

	(void)state;
	loss_reset(&l, now);
	simulate(&l, &now, 20000, 0, 11);
	/* The peer stops for 5 s: half the window is missing. */
	now += MTIME_S(5);
	loss_tick(&l, now);
	assert_in_range(loss_permille(&l), 450, 550);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_estimates),
		cmocka_unit_test(test_no_verdict_before_window),
		cmocka_unit_test(test_silence_is_total_loss),
	};

	return cmocka_run_group_tests_name("loss", tests, NULL, NULL);
}
