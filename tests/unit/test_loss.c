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
		{ "no loss at 10 ms", 10000, 0 },
		{ "no loss at 3 ms", 3000, 0 },
		{ "1% at 20 ms", 20000, 10 },
		{ "2% at 20 ms", 20000, 20 },
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
		 * Counting is exact for uniform jitter and loss up to about a
		 * third: allow three standard deviations of the binomial count
		 * of lost packets among the ~10 s / (0.875 x interval) sent,
		 * plus half a point for the window's edges.
		 */
		{
			double n = 10e6 / (0.875 * cases[i].interval_us), p = cases[i].permille / 1000.0;
			int tol = 5 + (int)(3000.0 * sqrt(p * (1 - p) / n));

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
	simulate(&l, &now, 20000, 0, 7);
	assert_int_equal(loss_permille(&l), 0);
	/* Too few packets for a verdict: 1 s interval. */
	loss_reset(&l, now);
	simulate(&l, &now, 1000000, 0, 30);
	assert_int_equal(loss_permille(&l), -1);
}

/*
 * A healthy peer, but the daemon looks at the window at uneven times (it is
 * busy, or its once-a-second tick runs late): the verdict must stay clean.
 * The first estimator (received / (10 s / median gap)) read several percent
 * here, because a bucket closed late holds more than a second of arrivals
 * and the window's sum no longer matches its 10 s.
 */
static void test_late_ticks_clean(void **state)
{
	struct loss l;
	mtime_t now = MTIME_S(50), end, tick;
	int worst = 0, pm;

	(void)state;
	loss_reset(&l, now);
	tick = now + MTIME_MS(1900);
	end = now + MTIME_S(40);
	while (now < end) {
		now += 20000 - (mtime_t)(next() % 5001);
		if (now >= tick) {
			loss_tick(&l, now);
			pm = loss_permille(&l);
			if (pm > worst)
				worst = pm;
			/* 0.3 to 1.9 s between ticks */
			tick = now + MTIME_MS(300) + (mtime_t)(next() % 1600000);
		}
		loss_rx(&l, now * 1000);
	}
	assert_in_range(worst, 0, 5);
}

/*
 * Extra packets (a state change, a Final answering a Poll: RFC 5880 §6.5
 * sends them at once) make short gaps; they are packets received, not
 * lost ones, and must not make the regular gaps look long.
 */
static void test_extra_packets_clean(void **state)
{
	struct loss l;
	mtime_t now = MTIME_S(7), end;
	int k = 0;

	(void)state;
	loss_reset(&l, now);
	end = now + MTIME_S(15);
	while (now < end) {
		now += 20000 - (mtime_t)(next() % 5001);
		loss_tick(&l, now);
		loss_rx(&l, now * 1000);
		if (++k % 25 == 0)	/* twice a second, one more packet 0.2 ms later */
			loss_rx(&l, (now + 200) * 1000);
	}
	assert_int_equal(loss_permille(&l), 0);
}

/* A few packets lost in a row are counted exactly. */
static void test_short_run(void **state)
{
	struct loss l;
	mtime_t now = MTIME_S(1);
	int pm;

	(void)state;
	loss_reset(&l, now);
	simulate(&l, &now, 20000, 0, 6);
	/* 5 packets missing: a gap of 6 intervals */
	now += 6 * 20000;
	loss_rx(&l, now * 1000);
	simulate(&l, &now, 20000, 0, 6);
	pm = loss_permille(&l);
	/* 5 of ~570 + 5 */
	assert_in_range(pm, 7, 10);
}

/*
 * A peer that sent nothing for 2 s (its daemon stopped, or starved, or a
 * link stutter shorter than a long detection time) paused; it did not lose
 * 114 packets at random.  Counting it would take a healthy cable out.
 */
static void test_pause_not_loss(void **state)
{
	struct loss l;
	mtime_t now = MTIME_S(1);

	(void)state;
	loss_reset(&l, now);
	simulate(&l, &now, 20000, 0, 6);
	now += MTIME_S(2);
	loss_tick(&l, now);
	loss_rx(&l, now * 1000);
	simulate(&l, &now, 20000, 0, 6);
	assert_int_equal(loss_permille(&l), 0);
}

/* The arrival clock going back (a bogus timestamp) is ignored, not a huge gap. */
static void test_clock_back(void **state)
{
	struct loss l;
	mtime_t now = MTIME_S(100);

	(void)state;
	loss_reset(&l, now);
	simulate(&l, &now, 20000, 0, 6);
	loss_rx(&l, 5000);
	simulate(&l, &now, 20000, 0, 6);
	assert_int_equal(loss_permille(&l), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_estimates),
		cmocka_unit_test(test_no_verdict_before_window),
		cmocka_unit_test(test_late_ticks_clean),
		cmocka_unit_test(test_extra_packets_clean),
		cmocka_unit_test(test_short_run),
		cmocka_unit_test(test_pause_not_loss),
		cmocka_unit_test(test_clock_back),
	};

	return cmocka_run_group_tests_name("loss", tests, NULL, NULL);
}
