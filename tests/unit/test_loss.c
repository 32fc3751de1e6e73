// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the counted loss estimator, its trip rule and the RTT figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loss.h"

#define MAX 20u			/* max-loss 2.0 %, the default */
#define T0 MTIME_S(1000)

/* xorshift32: reproducible jitter and loss */
static uint32_t rng;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static bool chance(double p)
{
	return next() % 1000000 < (uint32_t)(p * 1000000);
}

/*
 * One direction of a link, as the daemon sees it: the sender's probes
 * (RFC 5880 jitter, 75-100 % of the interval), each lost with probability
 * `loss` once `loss_from` is reached; the sender's link report about once a
 * second (90-110 %), lost like a probe, 50 us on the wire.  A pair is the
 * sender's sent count when it sent the report and the receiver's count of
 * probes that arrived before the report did.  pause: every pause_every the
 * sender sends nothing for `pause` (a busy or stopped daemon).
 */
struct sim {
	mtime_t now, next_probe, next_report, loss_from;
	uint32_t interval_us;
	double loss;
	uint32_t sent, rcvd;
	mtime_t pause, pause_every, next_pause;
	struct loss_dir d;
	int trips;
	mtime_t first_trip;	/* after loss_from, 0 if none */
};

static void sim_init(struct sim *s, uint32_t interval_us, double loss, mtime_t loss_from)
{
	memset(s, 0, sizeof(*s));
	s->now = T0;
	s->interval_us = interval_us;
	s->loss = loss;
	s->loss_from = loss_from;
	s->next_probe = T0 + 1000;
	s->next_report = T0 + MTIME_MS(500);
	s->next_pause = MTIME_NEVER;
}

/* Runs until `until`; every pair goes to the estimator, and the trip rule is asked. */
static void sim_run(struct sim *s, mtime_t until, unsigned max)
{
	struct loss_dir none;
	struct loss_verdict v;

	loss_dir_reset(&none);
	while (s->now < until) {
		if (s->next_pause <= s->next_probe) {
			/* The sender sleeps: its schedule, and its reports, slip. */
			s->next_probe += s->pause;
			s->next_report = mtime_max(s->next_report, s->next_pause + s->pause);
			s->next_pause += s->pause_every;
			continue;
		}
		if (s->next_probe <= s->next_report) {
			s->now = s->next_probe;
			s->sent++;
			if (!(s->now >= s->loss_from && chance(s->loss)))
				s->rcvd++;
			s->next_probe += s->interval_us - next() % (s->interval_us / 4 + 1);
			continue;
		}
		s->now = s->next_report;
		s->next_report += MTIME_MS(900) + next() % MTIME_MS(200);
		if (s->now >= s->loss_from && chance(s->loss))
			continue;	/* the report itself was lost */
		loss_sample(&s->d, LOSS_SRC_REPORT, 7, 9, s->sent, s->rcvd, s->now + 50);
		loss_judge(&s->d, &none, max, false, 0, s->now + 50, &v);
		if (v.action == LOSS_TRIP) {
			s->trips++;
			if (!s->first_trip && s->now >= s->loss_from)
				s->first_trip = s->now + 50;
		}
	}
}

static int cmp_mtime(const void *a, const void *b)
{
	mtime_t x = *(const mtime_t *)a, y = *(const mtime_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * `trials` links, each clean for 40 s, then losing `loss`: how many trip
 * within `within` of the loss's start, and the median time (both printed,
 * for the figures in loss.h); a trip before the loss began fails the test.
 */
static int detect(uint32_t interval_us, double loss, mtime_t within, int trials, uint32_t seed,
		  mtime_t *median)
{
	mtime_t t[500];
	int i, caught = 0;

	assert_true(trials <= 500);
	rng = seed;
	for (i = 0; i < trials; i++) {
		struct sim s;
		mtime_t start = T0 + MTIME_S(40);

		sim_init(&s, interval_us, loss, start);
		sim_run(&s, start + within, MAX);
		if (s.trips && !s.first_trip)
			fail_msg("tripped before the loss began (trial %d)", i);
		t[i] = s.first_trip ? s.first_trip - start : MTIME_NEVER;
		caught += s.first_trip != 0;
	}
	qsort(t, (size_t)trials, sizeof(t[0]), cmp_mtime);
	*median = t[trials / 2];
	print_message("%g %% at %u ms: %d/%d within %d s, median %.1f s\n", loss * 100,
		      interval_us / 1000, caught, trials, (int)(within / MTIME_S(1)), *median / 1e6);
	return caught;
}

static void test_catches_5pct_within_10s(void **state)
{
	mtime_t med;
	int got;

	(void)state;
	/* Missed with probability 1.3e-4 per trial at 20 ms (loss.h): 300 of 300. */
	got = detect(20000, 0.05, MTIME_S(10), 300, 1, &med);
	assert_int_equal(got, 300);
	assert_true(med < MTIME_S(7));
	assert_int_equal(detect(10000, 0.05, MTIME_S(10), 300, 2, &med), 300);
}

static void test_catches_2pct_within_30s(void **state)
{
	mtime_t med;

	(void)state;
	/* Missed with probability 1.5e-3 per trial at 20 ms: expect 0.45 of 300. */
	assert_true(detect(20000, 0.02, MTIME_S(30), 300, 3, &med) >= 297);
	assert_int_equal(detect(10000, 0.02, MTIME_S(30), 300, 4, &med), 300);
}

static void test_clean_and_low_loss_never_trip(void **state)
{
	static const double rates[] = { 0, 0.0005, 0.001 };
	size_t i;

	(void)state;
	rng = 5;
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct sim s;

		/* Two hours of a link losing at most a twentieth of max-loss. */
		sim_init(&s, 20000, rates[i], T0);
		sim_run(&s, T0 + MTIME_S(7200), MAX);
		assert_int_equal(s.trips, 0);
	}
}

/* Five minutes of a clean link whose sender sends nothing for `pause` every `every`. */
static void late_sender(mtime_t pause, mtime_t every, mtime_t first)
{
	struct sim s;

	sim_init(&s, 20000, 0, T0);
	s.pause = pause;
	s.pause_every = every;
	s.next_pause = T0 + first;
	sim_run(&s, T0 + MTIME_S(300), MAX);
	assert_int_equal(s.trips, 0);
	assert_int_equal(loss_permille(&s.d, s.now), 0);
}

static void test_late_sender_is_not_lossy(void **state)
{
	(void)state;
	rng = 6;
	/*
	 * A sender starved for 45 ms of every 100 (its probes late by more than
	 * two intervals), and one stopped for 900 ms every 5 s: the gaps of a
	 * lossy wire, but it sent fewer and says so.
	 */
	late_sender(MTIME_MS(45), MTIME_MS(100), MTIME_MS(70));
	late_sender(MTIME_MS(900), MTIME_S(5), MTIME_S(3));
}

/*
 * The worst a cut can do: every pair's received count one off, either way
 * (a probe overtaken by the report, or one that overtook it), at any
 * max-loss down to the smallest: never a trip on a clean stream.
 */
static void test_cut_edges_never_trip(void **state)
{
	static const unsigned maxes[] = { 1, 5, 20, 500 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(maxes) / sizeof(maxes[0]); k++) {
		struct loss_dir d, none;
		struct loss_verdict v;
		uint32_t sent = 0;
		mtime_t t = T0;
		int i;

		loss_dir_reset(&d);
		loss_dir_reset(&none);
		rng = 7;
		for (i = 0; i < 3600; i++) {
			int off = (int)(next() % 3) - 1;

			t += MTIME_MS(900) + next() % MTIME_MS(200);
			sent += 50 + next() % 10;
			loss_sample(&d, LOSS_SRC_REPORT, 1, 2, sent, (uint32_t)((int)sent + off), t);
			loss_judge(&d, &none, maxes[k], false, 0, t, &v);
			assert_int_equal(v.action, LOSS_KEEP);
		}
	}
}

static void test_window_counts(void **state)
{
	struct loss_dir d;
	struct loss_count c;
	mtime_t t = T0;
	int i;

	(void)state;
	loss_dir_reset(&d);
	assert_int_equal(loss_sample(&d, LOSS_SRC_REPORT, 1, 2, 1000, 500, t), LOSS_SAMPLE_FIRST);
	/* 40 s of pairs one second apart: 50 sent, 49 received each. */
	for (i = 1; i <= 40; i++)
		assert_int_equal(loss_sample(&d, LOSS_SRC_REPORT, 1, 2, 1000 + 50 * (uint32_t)i,
					     500 + 49 * (uint32_t)i, t + MTIME_S(i)),
				 LOSS_SAMPLE_ADDED);
	loss_window(&d, LOSS_SHORT, &c);
	assert_int_equal(c.sent, 500);
	assert_int_equal(c.lost, 10);
	assert_true(c.span == MTIME_S(10));
	loss_window(&d, LOSS_LONG, &c);
	assert_int_equal(c.sent, 1500);
	assert_int_equal(c.lost, 30);
	assert_int_equal(loss_permille(&d, t + MTIME_S(40)), 20);
	/* A direction with no pair for LOSS_STALE is unknown. */
	assert_int_equal(loss_permille(&d, t + MTIME_S(40) + LOSS_STALE + 1), -1);
	/* A pair at the same time is ignored; counts wrap modulo 2^32. */
	assert_int_equal(loss_sample(&d, LOSS_SRC_REPORT, 1, 2, 5, 5, t + MTIME_S(40)),
			 LOSS_SAMPLE_OLD);
	loss_dir_reset(&d);
	loss_sample(&d, LOSS_SRC_AUTH, 1, 2, 0xfffffff0u, 0xffffff00u, t);
	assert_int_equal(loss_sample(&d, LOSS_SRC_AUTH, 1, 2, 0x20, 0xffffff2eu, t + MTIME_S(1)),
			 LOSS_SAMPLE_ADDED);
	loss_window(&d, LOSS_SHORT, &c);
	assert_int_equal(c.sent, 0x30);
	assert_int_equal(c.lost, 2);
}

static void test_new_runs(void **state)
{
	struct loss_dir d;
	struct loss_count c;

	(void)state;
	loss_dir_reset(&d);
	loss_sample(&d, LOSS_SRC_REPORT, 1, 2, 100, 100, T0);
	assert_int_equal(loss_sample(&d, LOSS_SRC_REPORT, 1, 2, 150, 140, T0 + MTIME_S(1)),
			 LOSS_SAMPLE_ADDED);
	/* The peer's session was recreated (discriminator): counts restart, a new window. */
	assert_int_equal(loss_sample(&d, LOSS_SRC_REPORT, 3, 2, 10, 150, T0 + MTIME_S(2)),
			 LOSS_SAMPLE_FIRST);
	loss_window(&d, LOSS_LONG, &c);
	assert_int_equal(c.sent, 0);
	/* Another source. */
	assert_int_equal(loss_sample(&d, LOSS_SRC_AUTH, 3, 2, 60, 200, T0 + MTIME_S(3)),
			 LOSS_SAMPLE_FIRST);
	/* Fewer sent than before, or more received than sent: not one stream. */
	assert_int_equal(loss_sample(&d, LOSS_SRC_AUTH, 3, 2, 50, 210, T0 + MTIME_S(4)),
			 LOSS_SAMPLE_RESET);
	assert_int_equal(loss_sample(&d, LOSS_SRC_AUTH, 3, 2, 100, 263, T0 + MTIME_S(5)),
			 LOSS_SAMPLE_RESET);
	/* Two more received than sent is a cut, not another stream. */
	assert_int_equal(loss_sample(&d, LOSS_SRC_AUTH, 3, 2, 150, 315, T0 + MTIME_S(6)),
			 LOSS_SAMPLE_ADDED);
	loss_window(&d, LOSS_SHORT, &c);
	assert_int_equal(c.lost, -2);
	assert_int_equal(loss_permille(&d, T0 + MTIME_S(6)), 0);
	/* A gap of more than LOSS_MAX_GAP: a new run. */
	assert_int_equal(loss_sample(&d, LOSS_SRC_AUTH, 3, 2, 900, 1000,
				     T0 + MTIME_S(6) + LOSS_MAX_GAP + 1), LOSS_SAMPLE_FIRST);
	/* Too many sent in one step for a delta. */
	assert_int_equal(loss_sample(&d, LOSS_SRC_AUTH, 3, 2, 900 + 70000, 1000 + 70000,
				     T0 + MTIME_S(20)), LOSS_SAMPLE_RESET);
}

/* One direction's counts as the daemon gets them, from a first pair (0, 0). */
struct stream {
	struct loss_dir d;
	uint32_t sent, rcvd;
};

static void stream_start(struct stream *s, mtime_t t)
{
	loss_dir_reset(&s->d);
	s->sent = s->rcvd = 0;
	loss_sample(&s->d, LOSS_SRC_REPORT, 1, 2, 0, 0, t);
}

/* Feeds `secs` of pairs, one a second after t: `per_s` sent, `lost_per_s` of them lost. */
static mtime_t feed(struct stream *s, mtime_t t, int secs, uint32_t per_s, uint32_t lost_per_s)
{
	int i;

	for (i = 0; i < secs; i++) {
		t += MTIME_S(1);
		s->sent += per_s;
		s->rcvd += per_s - lost_per_s;
		loss_sample(&s->d, LOSS_SRC_REPORT, 1, 2, s->sent, s->rcvd, t);
	}
	return t;
}

/*
 * feed(), then the trip rule on s as the only direction with counts, the
 * link in use, at max-loss `max`: the verdict's action (*v has the rest).
 */
static int judge_after(struct stream *s, mtime_t *t, int secs, uint32_t per_s,
		       uint32_t lost_per_s, unsigned max, struct loss_verdict *v)
{
	struct loss_dir none;

	loss_dir_reset(&none);
	*t = feed(s, *t, secs, per_s, lost_per_s);
	loss_judge(&s->d, &none, max, false, 0, *t, v);
	return v->action;
}

static void test_levels_exact(void **state)
{
	struct loss_dir none;
	struct loss_verdict v;
	struct stream s;
	mtime_t t = T0;

	(void)state;
	loss_dir_reset(&none);
	/* 800 a second for 10 s, 13 lost of every 800 (1.625 %): below 7/8 of 2 %... */
	stream_start(&s, t);
	assert_int_equal(judge_after(&s, &t, 10, 800, 13, MAX, &v), LOSS_KEEP);
	/* ...14 per 800 is exactly 7/8 of it: trips on the short window. */
	assert_int_equal(judge_after(&s, &t, 10, 800, 14, MAX, &v), LOSS_TRIP);
	assert_true(v.width == LOSS_SHORT);
	assert_int_equal(v.dir, LOSS_FROM_PEER);
	assert_int_equal(v.c.sent, 8000);
	assert_int_equal(v.c.lost, 140);
	/* 1 % trips on the long window, not the short one, once it spans LOSS_LONG_SPAN. */
	stream_start(&s, t);
	assert_int_equal(judge_after(&s, &t, 24, 1000, 10, MAX, &v), LOSS_KEEP);
	assert_int_equal(judge_after(&s, &t, 1, 1000, 10, MAX, &v), LOSS_TRIP);
	assert_true(v.width == LOSS_LONG);
	assert_int_equal(v.c.sent, 25000);
	/* Three lost never trip, whatever the rate; four at the smallest max-loss do. */
	stream_start(&s, t);
	assert_int_equal(judge_after(&s, &t, 1, 10, 3, MAX, &v), LOSS_KEEP);
	assert_int_equal(judge_after(&s, &t, 1, 1000, 1, 1, &v), LOSS_TRIP);
	/* max-loss off: never. */
	loss_judge(&s.d, &none, 0, false, 0, t, &v);
	assert_int_equal(v.action, LOSS_KEEP);
	/* Our probes to the peer count the same: the second direction. */
	loss_judge(&none, &s.d, 1, false, 0, t, &v);
	assert_int_equal(v.action, LOSS_TRIP);
	assert_int_equal(v.dir, LOSS_TO_PEER);
	/* A stale direction says nothing. */
	loss_judge(&s.d, &none, 1, false, 0, t + LOSS_STALE + 1, &v);
	assert_int_equal(v.action, LOSS_KEEP);
}

static void test_return(void **state)
{
	struct stream from, to;
	struct loss_dir none;
	struct loss_verdict v;
	mtime_t t = T0, out_at;
	int i;

	(void)state;
	loss_dir_reset(&none);
	stream_start(&from, t);
	stream_start(&to, t);
	/* 5 % lost from the peer at 50 a second: out. */
	for (i = 0; i < 10; i++) {
		t = feed(&from, t, 1, 50, i % 2 ? 2 : 3);
		feed(&to, t - MTIME_S(1), 1, 50, 0);
	}
	loss_judge(&from.d, &to.d, MAX, false, 0, t, &v);
	assert_int_equal(v.action, LOSS_TRIP);
	out_at = t;
	/* Out (AdminDown): 23 a second each way.  Still lossy: stays out. */
	for (i = 0; i < 60; i++) {
		t = feed(&from, t, 1, 23, i % 20 == 0 ? 1 : 0);
		feed(&to, t - MTIME_S(1), 1, 23, 0);
		loss_judge(&from.d, &to.d, MAX, true, out_at, t, &v);
		if (v.action == LOSS_CLEAR)
			break;
	}
	/* 3 lost of 690 in 30 s is below a quarter of 2 %: back after the window is long enough. */
	assert_int_equal(v.action, LOSS_CLEAR);
	assert_true(t - out_at >= LOSS_LONG_SPAN);
	/* Not while the other direction still loses (this one afresh, clean). */
	stream_start(&from, t);
	for (i = 0; i < 40; i++) {
		t = feed(&from, t, 1, 23, 0);
		feed(&to, t - MTIME_S(1), 1, 23, 1);
		loss_judge(&from.d, &to.d, MAX, true, out_at, t, &v);
		assert_int_equal(v.action, LOSS_KEEP);
	}
	assert_int_equal(v.dir, LOSS_TO_PEER);
	/* No counts at all: back after LOSS_GIVE_UP, the benefit of the doubt. */
	loss_judge(&none, &none, MAX, true, t, t + LOSS_GIVE_UP - 1, &v);
	assert_int_equal(v.action, LOSS_KEEP);
	loss_judge(&none, &none, MAX, true, t, t + LOSS_GIVE_UP, &v);
	assert_int_equal(v.action, LOSS_CLEAR);
	assert_int_equal(v.src, LOSS_SRC_NONE);
}

static void test_rx_cut(void **state)
{
	struct loss_rx r;
	uint32_t n;
	int i;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_true(loss_rx_count_at(&r, T0, &n));
	assert_int_equal(n, 0);
	for (i = 1; i <= 10; i++)
		loss_rx_add(&r, T0 + MTIME_MS(10) * i, true);
	/* Arrived at 10..100 ms: by 55 ms, five. */
	assert_true(loss_rx_count_at(&r, T0 + MTIME_MS(55), &n));
	assert_int_equal(n, 5);
	assert_true(loss_rx_count_at(&r, T0, &n));
	assert_int_equal(n, 0);
	assert_true(loss_rx_count_at(&r, T0 + MTIME_S(1), &n));
	assert_int_equal(n, 10);
	/* Reordered by a CPU: still counted by stamp. */
	loss_rx_add(&r, T0 + MTIME_MS(115), true);
	loss_rx_add(&r, T0 + MTIME_MS(112), true);
	assert_true(loss_rx_count_at(&r, T0 + MTIME_MS(113), &n));
	assert_int_equal(n, 11);
	/* A read time among those after the cut: no count. */
	loss_rx_add(&r, T0 + MTIME_MS(130), false);
	assert_false(loss_rx_count_at(&r, T0 + MTIME_MS(113), &n));
	assert_true(loss_rx_count_at(&r, T0 + MTIME_MS(131), &n));
	assert_int_equal(n, 13);
	/* The ring no longer reaches back to the cut. */
	for (i = 0; i < LOSS_RX_RING; i++)
		loss_rx_add(&r, T0 + MTIME_S(2) + i, true);
	assert_false(loss_rx_count_at(&r, T0 + MTIME_S(1), &n));
	assert_true(loss_rx_count_at(&r, T0 + MTIME_S(2) + 3, &n));
	assert_int_equal(n, 13 + 4);
}

static void test_rtt(void **state)
{
	struct rtt r;
	static const uint32_t v[] = { 100, 140, 90, 5000, 110 };
	size_t i;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_true(rtt_median(&r, T0) == -1);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		rtt_add(&r, v[i], T0);
	/* One sample of a sender that was preempted does not move the median. */
	assert_true(rtt_median(&r, T0) == 110);
	/* |40| + |50| + |4910| + |4890| over 4 */
	assert_true(rtt_jitter(&r, T0) == (40 + 50 + 4910 + 4890) / 4);
	assert_true(rtt_median(&r, T0 + RTT_STALE + 1) == -1);
	for (i = 0; i < 3 * RTT_SAMPLES; i++)
		rtt_add(&r, 200, T0);
	assert_true(rtt_median(&r, T0) == 200);
	assert_true(rtt_jitter(&r, T0) == 0);
	assert_string_equal(loss_src_name(LOSS_SRC_AUTH), "auth sequence");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_counts),
		cmocka_unit_test(test_new_runs),
		cmocka_unit_test(test_levels_exact),
		cmocka_unit_test(test_return),
		cmocka_unit_test(test_cut_edges_never_trip),
		cmocka_unit_test(test_late_sender_is_not_lossy),
		cmocka_unit_test(test_clean_and_low_loss_never_trip),
		cmocka_unit_test(test_catches_5pct_within_10s),
		cmocka_unit_test(test_catches_2pct_within_30s),
		cmocka_unit_test(test_rx_cut),
		cmocka_unit_test(test_rtt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
