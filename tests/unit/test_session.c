// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the BFD session state machine (src/session.h) against
 * RFC 5880 §6.8, driven by a fake clock and hand-filled packets, plus a tiny
 * network simulator that wires two sessions back to back.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "session.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define LOCAL_DISCR 0x11111111u
#define PEER_DISCR 0x22222222u
#define T0 MTIME_S(100)		/* fake clock start: nothing special about 0 */

#define ST_ADMIN BFD_STATE_ADMIN_DOWN
#define ST_DOWN BFD_STATE_DOWN
#define ST_INIT BFD_STATE_INIT
#define ST_UP BFD_STATE_UP

static const struct bfd_session_params P20 = {
	.desired_min_tx_us = 20000, .required_min_rx_us = 20000, .detect_mult = 3,
};

/* Prints "<case>: <what>: expected X, got Y" on a mismatch; returns 1 if it was one. */
static int expect_eq(const char *name, const char *what, long long want, long long got)
{
	if (want == got)
		return 0;
	print_error("%s: %s: expected %lld, got %lld\n", name, what, want, got);
	return 1;
}

static int expect_range(const char *name, const char *what, long long lo, long long hi,
			long long got)
{
	if (got >= lo && got <= hi)
		return 0;
	print_error("%s: %s: expected %lld..%lld, got %lld\n", name, what, lo, hi, got);
	return 1;
}

/* Both need locals `name` (const char *) and `bad` (int). */
#define EQ(what, want, got) (bad += expect_eq(name, (what), (long long)(want), (long long)(got)))
#define RANGE(what, lo, hi, got) \
	(bad += expect_range(name, (what), (long long)(lo), (long long)(hi), (long long)(got)))

/* A packet as the peer would send it in `state`: 1 s while not Up (§6.8.3), 20 ms when Up. */
static struct bfd_packet peer_pkt(uint8_t state)
{
	struct bfd_packet p = {
		.version = BFD_VERSION,
		.state = state,
		.detect_mult = 3,
		.length = BFD_HDR_LEN,
		.my_discr = PEER_DISCR,
		.your_discr = LOCAL_DISCR,
		.desired_min_tx_us = state == ST_UP ? 20000 : BFD_SLOW_TX_US,
		.required_min_rx_us = 20000,
	};

	return p;
}

static struct bfd_output rx(struct bfd_session *s, struct bfd_packet p, mtime_t now, int *ret)
{
	struct bfd_output out;
	int r = bfd_session_rx(s, &p, now, now, &out);

	if (ret)
		*ret = r;
	return out;
}

static struct bfd_packet build(struct bfd_session *s, mtime_t now)
{
	struct bfd_packet p;

	bfd_session_build(s, &p, now);
	return p;
}

/*
 * Brings a fresh session to `state` at `now` through the public API only.
 * For Up, `up` is the peer's Up packet (its timers matter); the Poll
 * Sequence of the Up transition is completed with a Final.
 */
static void session_to(struct bfd_session *s, const struct bfd_session_params *p,
		       uint8_t state, const struct bfd_packet *up, mtime_t now)
{
	struct bfd_output out;
	struct bfd_packet pkt;

	bfd_session_init(s, p, LOCAL_DISCR, 12345, now);
	switch (state) {
	case ST_ADMIN:
		bfd_session_admin_down(s, BFD_DIAG_ADMIN_DOWN, now, &out);
		break;
	case ST_DOWN:
		break;
	case ST_INIT:
		rx(s, peer_pkt(ST_DOWN), now, NULL);
		break;
	case ST_UP:
		pkt = up ? *up : peer_pkt(ST_UP);
		pkt.state = ST_INIT;
		rx(s, pkt, now, NULL);		/* Down + Init -> Up */
		build(s, now);			/* our Poll for the new timers */
		pkt = up ? *up : peer_pkt(ST_UP);
		pkt.final = true;
		rx(s, pkt, now, NULL);
		break;
	}
	if (s->state != state)
		fail_msg("session_to: expected %s, got %s", bfd_state_name(state),
			 bfd_state_name(s->state));
	if (state == ST_UP && s->poll_active)
		fail_msg("session_to: Poll Sequence still active after the Final");
}

/* ---- §6.8.6 transition table ---- */

struct fsm_case {
	uint8_t local, received;
	int ret;		/* bfd_session_rx() result */
	uint8_t want;		/* state after */
	bool changed;
	uint8_t diag;		/* checked when changed */
};

static void test_fsm_table(void **unused)
{
	/* RFC 5880 §6.8.6, every (local state, received State) cell. */
	static const struct fsm_case cases[] = {
		/* "If bfd.SessionState is AdminDown: Discard the packet" */
		{ ST_ADMIN, ST_ADMIN, -1, ST_ADMIN, false, 0 },
		{ ST_ADMIN, ST_DOWN, -1, ST_ADMIN, false, 0 },
		{ ST_ADMIN, ST_INIT, -1, ST_ADMIN, false, 0 },
		{ ST_ADMIN, ST_UP, -1, ST_ADMIN, false, 0 },
		/* received AdminDown: "If bfd.SessionState is not Down" -> Down, diag 3 */
		{ ST_DOWN, ST_ADMIN, 0, ST_DOWN, false, 0 },
		{ ST_INIT, ST_ADMIN, 0, ST_DOWN, true, BFD_DIAG_NEIGHBOR_DOWN },
		{ ST_UP, ST_ADMIN, 0, ST_DOWN, true, BFD_DIAG_NEIGHBOR_DOWN },
		/* Down: Down -> Init, Init -> Up, Up ignored */
		{ ST_DOWN, ST_DOWN, 0, ST_INIT, true, BFD_DIAG_NONE },
		{ ST_DOWN, ST_INIT, 0, ST_UP, true, BFD_DIAG_NONE },
		{ ST_DOWN, ST_UP, 0, ST_DOWN, false, 0 },
		/* Init: Init or Up -> Up, Down ignored */
		{ ST_INIT, ST_DOWN, 0, ST_INIT, false, 0 },
		{ ST_INIT, ST_INIT, 0, ST_UP, true, BFD_DIAG_NONE },
		{ ST_INIT, ST_UP, 0, ST_UP, true, BFD_DIAG_NONE },
		/* Up: Down -> Down with diag 3, Init/Up no change */
		{ ST_UP, ST_DOWN, 0, ST_DOWN, true, BFD_DIAG_NEIGHBOR_DOWN },
		{ ST_UP, ST_INIT, 0, ST_UP, false, 0 },
		{ ST_UP, ST_UP, 0, ST_UP, false, 0 },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct fsm_case *c = &cases[i];
		struct bfd_session s;
		struct bfd_output out;
		char name[64];
		int ret;
		uint8_t diag_before;

		snprintf(name, sizeof(name), "local %s, received %s", bfd_state_name(c->local),
			 bfd_state_name(c->received));
		session_to(&s, &P20, c->local, NULL, T0);
		diag_before = s.local_diag;
		out = rx(&s, peer_pkt(c->received), T0 + 1000, &ret);
		EQ("return", c->ret, ret);
		if (s.state != c->want) {
			print_error("%s: state: expected %s, got %s\n", name,
				    bfd_state_name(c->want), bfd_state_name(s.state));
			bad++;
		}
		EQ("out.state_changed", c->changed, out.state_changed);
		if (c->changed) {
			EQ("out.old_state", c->local, out.old_state);
			EQ("out.new_state", c->want, out.new_state);
			EQ("out.diag", c->diag, out.diag);
			EQ("local_diag", c->diag, s.local_diag);
			/* the peer learns of a change at once, not a slow interval later */
			EQ("out.send", true, out.send);
		} else {
			EQ("local_diag unchanged", diag_before, s.local_diag);
		}
	}
	assert_int_equal(bad, 0);
}

static void test_admin_down_discards(void **unused)
{
	/*
	 * §6.8.6: the remote variables are set before "If bfd.SessionState is
	 * AdminDown: Discard the packet", and a discarded packet does not count
	 * as received for the Detection Time.
	 */
	const char *name = "AdminDown rx";
	struct bfd_session s;
	struct bfd_packet p = peer_pkt(ST_DOWN);
	struct bfd_output out;
	int bad = 0, ret;

	session_to(&s, &P20, ST_ADMIN, NULL, T0);
	p.my_discr = 0xabcdef01;
	p.required_min_rx_us = 70000;
	out = rx(&s, p, T0 + 5000, &ret);
	EQ("return", -1, ret);
	EQ("state", ST_ADMIN, s.state);
	EQ("out.state_changed", false, out.state_changed);
	EQ("remote_discr", 0xabcdef01, s.remote_discr);
	EQ("remote_min_rx", 70000, s.remote_min_rx);
	EQ("detect_deadline", MTIME_NEVER, s.detect_deadline);
	/* a whole minute of packets changes nothing */
	for (mtime_t t = T0 + 10000; t < T0 + MTIME_S(60); t += MTIME_MS(500)) {
		rx(&s, peer_pkt(ST_INIT), t, NULL);
		bfd_session_timer(&s, t, &out);
		if (out.state_changed || s.state != ST_ADMIN) {
			print_error("%s: left AdminDown at t=+%lld us\n", name, (long long)(t - T0));
			bad++;
			break;
		}
	}
	assert_int_equal(bad, 0);
}

/* ---- §6.8.3 one-second rule ---- */

struct slow_case {
	uint8_t state;
	uint32_t desired;	/* configured */
	uint32_t want;		/* advertised Desired Min TX */
};

static void test_slow_rate_while_not_up(void **unused)
{
	/* §6.8.3: "When bfd.SessionState is not Up, ... not less than one second". */
	static const struct slow_case cases[] = {
		{ ST_ADMIN, 20000, 1000000 },
		{ ST_DOWN, 20000, 1000000 },
		{ ST_INIT, 20000, 1000000 },
		{ ST_UP, 20000, 20000 },
		{ ST_DOWN, 2000000, 2000000 },	/* a floor, not a fixed value */
		{ ST_UP, 2000000, 2000000 },
		{ ST_DOWN, 999999, 1000000 },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct slow_case *c = &cases[i];
		struct bfd_session_params p = P20;
		struct bfd_session s;
		struct bfd_packet pkt;
		char name[64];

		snprintf(name, sizeof(name), "%s, configured %u us", bfd_state_name(c->state),
			 c->desired);
		p.desired_min_tx_us = c->desired;
		session_to(&s, &p, c->state, NULL, T0);
		pkt = build(&s, T0);
		EQ("packet Desired Min TX", c->want, pkt.desired_min_tx_us);
		EQ("packet Required Min RX", 20000, pkt.required_min_rx_us);
		EQ("packet State", c->state, pkt.state);
	}
	assert_int_equal(bad, 0);
}

/* ---- §6.8.4 detection time ---- */

struct detect_case {
	const char *name;
	uint32_t our_rx;
	uint8_t our_mult;
	uint32_t remote_tx;
	uint8_t remote_mult;
	uint32_t want;
};

static void test_detect_time(void **unused)
{
	/*
	 * §6.8.4: "the remote system's Detect Mult multiplied by the agreed
	 * transmit interval of the remote system (the greater of
	 * bfd.RequiredMinRxInterval and the last received Desired Min TX)".
	 */
	static const struct detect_case cases[] = {
		{ "equal", 20000, 3, 20000, 3, 60000 },
		{ "our rx larger", 50000, 3, 20000, 3, 150000 },
		{ "remote tx larger", 20000, 3, 300000, 3, 900000 },
		{ "remote mult, not ours", 20000, 5, 20000, 2, 40000 },
		{ "remote mult 1", 10000, 3, 30000, 1, 30000 },
		{ "saturates", 4000000000u, 3, 20000, 255, UINT32_MAX },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct detect_case *c = &cases[i];
		const char *name = c->name;
		struct bfd_session_params p = {
			.desired_min_tx_us = 20000, .required_min_rx_us = c->our_rx,
			.detect_mult = c->our_mult,
		};
		struct bfd_packet up = peer_pkt(ST_UP);
		struct bfd_session s;
		mtime_t t = T0 + 7000;

		up.desired_min_tx_us = c->remote_tx;
		up.detect_mult = c->remote_mult;
		session_to(&s, &p, ST_UP, &up, T0);
		rx(&s, up, t, NULL);
		EQ("bfd_session_detect_time", c->want, bfd_session_detect_time(&s));
		EQ("detect_deadline - last rx", c->want, s.detect_deadline - t);
	}
	assert_int_equal(bad, 0);
}

static void test_detect_from_arrival(void **unused)
{
	/*
	 * §6.8.4: the Detection Time runs from the last packet's arrival.  A
	 * packet read 8 ms after it arrived (a coalesced read) must not move
	 * detection out by 8 ms; an arrival time after the read (a bogus
	 * stamp) or unknown (0) counts as the time of reading.
	 */
	static const struct {
		const char *name;
		mtime_t arrived, read, want_last;
	} cases[] = {
		{ "read 8 ms late", T0 + 10000, T0 + 18000, T0 + 10000 },
		{ "read at once", T0 + 10000, T0 + 10000, T0 + 10000 },
		{ "stamp after the read", T0 + 19000, T0 + 18000, T0 + 18000 },
		{ "no stamp", 0, T0 + 18000, T0 + 18000 },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *name = cases[i].name;
		struct bfd_packet up = peer_pkt(ST_UP);
		struct bfd_session s;
		struct bfd_output out;

		session_to(&s, &P20, ST_UP, &up, T0);
		bfd_session_rx(&s, &up, cases[i].arrived, cases[i].read, &out);
		EQ("detect_deadline", cases[i].want_last + 60000, s.detect_deadline);
		bfd_session_timer(&s, cases[i].want_last + 60000 - 1, &out);
		EQ("still Up 1 us before", ST_UP, s.state);
		bfd_session_timer(&s, cases[i].want_last + 60000, &out);
		EQ("Down at arrival + detection time", ST_DOWN, s.state);
	}
	assert_int_equal(bad, 0);
}

static void test_detect_timeout(void **unused)
{
	/*
	 * §6.8.4: no packet for a Detection Time in Init or Up: "MUST set
	 * bfd.SessionState to Down and bfd.LocalDiag to 1". Fires exactly at
	 * the Detection Time, not one microsecond before.
	 */
	static const uint8_t states[] = { ST_INIT, ST_UP };
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		const char *name = bfd_state_name(states[i]);
		struct bfd_session s;
		struct bfd_output out;
		struct bfd_packet p;
		mtime_t last = T0 + 3000;
		uint32_t detect;

		session_to(&s, &P20, states[i], NULL, T0);
		rx(&s, peer_pkt(states[i] == ST_UP ? ST_UP : ST_DOWN), last, NULL);
		detect = bfd_session_detect_time(&s);
		EQ("detection time", states[i] == ST_UP ? 60000 : 3000000, detect);
		EQ("next_event <= deadline", true,
		   bfd_session_next_event(&s) <= last + detect);

		bfd_session_timer(&s, last + detect - 1, &out);
		EQ("state_changed 1 us early", false, out.state_changed);
		EQ("state 1 us early", states[i], s.state);

		bfd_session_timer(&s, last + detect, &out);
		EQ("state_changed", true, out.state_changed);
		EQ("out.old_state", states[i], out.old_state);
		EQ("out.new_state", ST_DOWN, out.new_state);
		EQ("state", ST_DOWN, s.state);
		EQ("out.diag", BFD_DIAG_TIME_EXPIRED, out.diag);
		EQ("out.detect_us", detect, out.detect_us);
		EQ("out.send", true, out.send);
		p = build(&s, last + detect);
		EQ("packet State", ST_DOWN, p.state);
		EQ("packet Diag", BFD_DIAG_TIME_EXPIRED, p.diag);
		EQ("packet Desired Min TX back to 1 s", BFD_SLOW_TX_US, p.desired_min_tx_us);
	}
	assert_int_equal(bad, 0);
}

static void test_remote_discr_reset_after_silence(void **unused)
{
	/*
	 * §6.8.1 bfd.RemoteDiscr: "If a period of a Detection Time passes
	 * without the receipt of a valid, authenticated BFD packet from the
	 * remote system, this variable MUST be set to zero" -- also in Down.
	 */
	const char *name = "Down, peer AdminDown then silent";
	struct bfd_session s;
	struct bfd_output out;
	struct bfd_packet p;
	mtime_t last = T0 + 1000;
	uint32_t detect;
	int bad = 0;

	session_to(&s, &P20, ST_UP, NULL, T0);
	out = rx(&s, peer_pkt(ST_ADMIN), last, NULL);
	EQ("state", ST_DOWN, s.state);
	EQ("diag", BFD_DIAG_NEIGHBOR_DOWN, out.diag);
	detect = bfd_session_detect_time(&s);
	EQ("detection time from the peer's 1 s", 3000000, detect);

	bfd_session_timer(&s, last + detect - 1, &out);
	EQ("remote_discr before a Detection Time", PEER_DISCR, s.remote_discr);
	bfd_session_timer(&s, last + detect, &out);
	EQ("remote_discr after a Detection Time", 0, s.remote_discr);
	EQ("state_changed (already Down)", false, out.state_changed);
	EQ("state", ST_DOWN, s.state);
	p = build(&s, last + detect);
	EQ("packet Your Discriminator", 0, p.your_discr);
	/* §6.8.18: "SHOULD reset bfd.RemoteMinRxInterval to its initial value of 1" */
	EQ("remote_min_rx", 1, s.remote_min_rx);
	assert_int_equal(bad, 0);
}

/* ---- §6.8.2 / §6.8.7 transmit interval and jitter ---- */

struct txi_case {
	uint8_t state;		/* ST_DOWN or ST_UP */
	uint32_t desired;	/* configured */
	uint32_t remote_rx;	/* peer's Required Min RX */
	uint32_t want;
};

static void test_tx_interval(void **unused)
{
	/*
	 * §6.8.7: interval is "the greater of bfd.DesiredMinTxInterval and
	 * bfd.RemoteMinRxInterval", each packet 75-100% of it; while not Up,
	 * bfd.DesiredMinTxInterval is at least 1 s (§6.8.3).
	 */
	static const struct txi_case cases[] = {
		{ ST_UP, 20000, 20000, 20000 },
		{ ST_UP, 20000, 50000, 50000 },
		{ ST_UP, 100000, 20000, 100000 },
		{ ST_DOWN, 20000, 50000, 1000000 },
		{ ST_DOWN, 2000000, 50000, 2000000 },
		{ ST_DOWN, 20000, 3000000, 3000000 },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct txi_case *c = &cases[i];
		struct bfd_session_params p = P20;
		struct bfd_packet pkt = peer_pkt(ST_UP);
		struct bfd_session s;
		mtime_t now = T0 + 2000;
		char name[80];

		snprintf(name, sizeof(name), "%s, desired %u, remote rx %u",
			 bfd_state_name(c->state), c->desired, c->remote_rx);
		p.desired_min_tx_us = c->desired;
		pkt.required_min_rx_us = c->remote_rx;
		if (c->state == ST_UP) {
			session_to(&s, &p, ST_UP, &pkt, T0);
		} else {
			session_to(&s, &p, ST_DOWN, NULL, T0);
			pkt = peer_pkt(ST_ADMIN);	/* keeps us Down */
			pkt.required_min_rx_us = c->remote_rx;
		}
		rx(&s, pkt, now, NULL);
		EQ("bfd_session_tx_interval", c->want, bfd_session_tx_interval(&s));
		build(&s, now);
		RANGE("next_tx - now", c->want * 3 / 4, c->want, s.next_tx - now);
	}
	assert_int_equal(bad, 0);
}

static void test_jitter_bounds(void **unused)
{
	/*
	 * §6.8.7: "reduced by a random value of 0 to 25%"; "If bfd.DetectMult is
	 * equal to 1, ... no more than 90% ... and ... no less than 75%". The
	 * spread check makes a constant (unjittered) result fail too.
	 */
	static const struct {
		uint8_t mult;
		uint32_t interval;
		unsigned lo_pct, hi_pct;
	} cases[] = {
		{ 3, 1000000, 75, 100 },
		{ 2, 20000, 75, 100 },
		{ 255, 3300, 75, 100 },
		{ 1, 1000000, 75, 90 },
		{ 1, 20000, 75, 90 },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t rng = 0x1234567u + (uint32_t)i, iv = cases[i].interval;
		uint64_t lo = (uint64_t)iv * cases[i].lo_pct / 100;
		uint64_t hi = (uint64_t)iv * cases[i].hi_pct / 100;
		uint64_t min = UINT64_MAX, max = 0, sum = 0;
		const unsigned draws = 100000;
		char name[64];

		snprintf(name, sizeof(name), "mult %u, interval %u", cases[i].mult, iv);
		for (unsigned k = 0; k < draws; k++) {
			uint32_t j = bfd_jitter(&rng, iv, cases[i].mult);

			min = j < min ? j : min;
			max = j > max ? j : max;
			sum += j;
		}
		RANGE("min draw", lo, lo + iv / 100, min);
		RANGE("max draw", hi - iv / 100, hi, max);
		/* uniform over the range: mean near its middle */
		RANGE("mean draw", (lo + hi) / 2 - iv / 100, (lo + hi) / 2 + iv / 100, sum / draws);
		EQ("rng state nonzero", true, rng != 0);
	}
	assert_int_equal(bad, 0);
}

static void test_jitter_applied_per_packet(void **unused)
{
	/* §6.8.7 "jittered on a per-packet basis", with the session's own Detect Mult. */
	static const uint8_t mults[] = { 3, 1 };
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(mults); i++) {
		struct bfd_session_params p = P20;
		struct bfd_session s;
		mtime_t now = T0, min = MTIME_NEVER, max = 0;
		mtime_t hi = mults[i] == 1 ? 18000 : 20000;
		char name[32];

		snprintf(name, sizeof(name), "detect mult %u", mults[i]);
		p.detect_mult = mults[i];
		session_to(&s, &p, ST_UP, NULL, T0);
		for (int k = 0; k < 5000; k++) {
			mtime_t gap;

			build(&s, now);
			gap = s.next_tx - now;
			min = gap < min ? gap : min;
			max = gap > max ? gap : max;
			now = s.next_tx;
		}
		RANGE("shortest gap", 15000, 15500, min);
		RANGE("longest gap", hi - 500, hi, max);
	}
	assert_int_equal(bad, 0);
}

static void test_tx_window(void **unused)
{
	/*
	 * §6.8.7's bounds for the next periodic packet: 75-100% of the
	 * interval after the last one, 75-90% with Detect Mult 1. Pull and
	 * align move it only within them, and never a packet not scheduled.
	 */
	static const struct {
		uint8_t mult;
		mtime_t hi;
	} cases[] = { { 3, 20000 }, { 1, 18000 } };
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct bfd_session_params p = P20;
		struct bfd_packet pkt = peer_pkt(ST_UP);
		struct bfd_session s;
		mtime_t now = T0 + 1000, lo = 0, hi = 0, sched;
		char name[32];

		snprintf(name, sizeof(name), "detect mult %u", cases[i].mult);
		p.detect_mult = cases[i].mult;
		session_to(&s, &p, ST_UP, NULL, T0);
		build(&s, now);
		sched = s.next_tx;
		EQ("window known", true, bfd_session_tx_window(&s, &lo, &hi));
		EQ("window start", now + 15000, lo);
		EQ("window end", now + cases[i].hi, hi);
		EQ("pull before the window", false, bfd_session_tx_pull(&s, now + 14999));
		EQ("next_tx unmoved", sched, s.next_tx);
		EQ("align before the window", false, bfd_session_tx_align(&s, now + 14999));
		EQ("align after the window", false, bfd_session_tx_align(&s, now + cases[i].hi + 1));
		EQ("next_tx unmoved", sched, s.next_tx);
		EQ("align at the window's end", true, bfd_session_tx_align(&s, now + cases[i].hi));
		EQ("next_tx aligned", now + cases[i].hi, s.next_tx);
		EQ("pull at the window's start", true, bfd_session_tx_pull(&s, now + 15000));
		EQ("next_tx pulled", now + 15000, s.next_tx);
		EQ("pull of a due packet", false, bfd_session_tx_pull(&s, now + 16000));
		/* §6.8.7: nothing periodic for a peer that asks for none: nothing to move. */
		pkt.required_min_rx_us = 0;
		rx(&s, pkt, now + 16000, NULL);
		EQ("no window without periodic packets", false, bfd_session_tx_window(&s, &lo, &hi));
		EQ("no pull without periodic packets", false, bfd_session_tx_pull(&s, now + 18000));
		EQ("no align without periodic packets", false, bfd_session_tx_align(&s, now + 18000));
		EQ("next_tx", MTIME_NEVER, s.next_tx);
	}
	assert_int_equal(bad, 0);
}

static void test_tx_coalesce(void **unused)
{
	/*
	 * Four sessions at 20 ms, started out of step, driven the way the
	 * daemon does: at each wake-up the due ones are sent, together with
	 * every one whose window is open (pull), then all sent take the first
	 * one's jittered time (align).  They must end up in one wake-up per
	 * interval, every gap of every session within 75-100% of it, and the
	 * gaps still spread over that range (jitter per packet, not fixed).
	 */
	const char *name = "4 sessions at 20 ms";
	enum { N = 4, ROUNDS = 4000 };
	struct bfd_session s[N];
	mtime_t last[N], gmin = MTIME_NEVER, gmax = 0, gsum = 0, now = T0 + 1000;
	long gaps = 0, wakeups = 0;
	int bad = 0, i, r;

	for (i = 0; i < N; i++) {
		session_to(&s[i], &P20, ST_UP, NULL, T0);
		s[i].rng = 0x9e3779b9u * (uint32_t)(i + 1);
		build(&s[i], now + i * 4000);	/* out of step */
		last[i] = now + i * 4000;
	}
	for (r = 0; r < ROUNDS; r++) {
		mtime_t lead = MTIME_NEVER;

		now = MTIME_NEVER;
		for (i = 0; i < N; i++)
			now = mtime_min(now, s[i].next_tx);
		for (i = 0; i < N; i++)
			bfd_session_tx_pull(&s[i], now);
		for (i = 0; i < N; i++) {
			mtime_t gap;

			if (s[i].next_tx > now)
				continue;
			gap = now - last[i];
			gmin = mtime_min(gmin, gap);
			gmax = mtime_max(gmax, gap);
			gsum += gap;
			gaps++;
			last[i] = now;
			build(&s[i], now);
			if (lead == MTIME_NEVER)
				lead = s[i].next_tx;
			else
				bfd_session_tx_align(&s[i], lead);
		}
		wakeups++;
	}
	RANGE("shortest gap", 15000, 15500, gmin);
	RANGE("longest gap", 19500, 20000, gmax);
	RANGE("mean gap", 17000, 18000, gsum / gaps);
	/* In step at the end, nearly every wake-up sent all four. */
	EQ("sessions apart at the end", 0, (s[1].next_tx != s[0].next_tx) + (s[2].next_tx != s[0].next_tx) +
	   (s[3].next_tx != s[0].next_tx));
	RANGE("packets per wake-up (x100)", 380, 400, gaps * 100 / wakeups);
	assert_int_equal(bad, 0);
}

/* Runs s's timer every ms from *now to end: 1 (reported) if it sends, else 0; *now ends at end. */
static int no_periodic_tx(const char *name, struct bfd_session *s, mtime_t *now, mtime_t end)
{
	struct bfd_output out;

	for (; *now < end; *now += 1000) {
		bfd_session_timer(s, *now, &out);
		if (out.send) {
			print_error("%s: periodic packet at +%lld us\n", name, (long long)(*now - T0));
			return 1;
		}
	}
	return 0;
}

static void test_remote_min_rx_zero(void **unused)
{
	/*
	 * §6.8.7: "A system MUST NOT periodically transmit BFD Control packets
	 * if bfd.RemoteMinRxInterval is zero", yet a Poll is still answered
	 * "without respect to the transmission timer or any other transmission
	 * limitations".
	 */
	static const uint8_t states[] = { ST_DOWN, ST_UP };
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		const char *name = bfd_state_name(states[i]);
		struct bfd_session s;
		struct bfd_output out;
		struct bfd_packet p = peer_pkt(states[i] == ST_UP ? ST_UP : ST_ADMIN), f;
		mtime_t now = T0 + 1000;

		session_to(&s, &P20, states[i], NULL, T0);
		p.required_min_rx_us = 0;
		rx(&s, p, now, NULL);
		EQ("next_tx", MTIME_NEVER, s.next_tx);
		/* until the peer goes silent for a Detection Time, nothing periodic */
		bad += no_periodic_tx(name, &s, &now, now + bfd_session_detect_time(&s) / 2);
		rx(&s, p, now, NULL);	/* the peer is still there, still asking for nothing */
		bad += no_periodic_tx(name, &s, &now, now + bfd_session_detect_time(&s) - 1);
		p.poll = true;
		out = rx(&s, p, now, NULL);
		EQ("Poll answered (out.send)", true, out.send);
		f = build(&s, now);
		EQ("answer has F", true, f.final);
		EQ("answer has no P", false, f.poll);
		EQ("next_tx after the Final", MTIME_NEVER, s.next_tx);

		/* the peer asks for packets again: periodic transmission resumes */
		p = peer_pkt(states[i] == ST_UP ? ST_UP : ST_ADMIN);
		now += 5000;
		rx(&s, p, now, NULL);
		RANGE("next_tx - now after resuming", 0, bfd_session_tx_interval(&s),
		      s.next_tx - now);
	}
	assert_int_equal(bad, 0);
}

struct rerate_case {
	const char *name;
	uint32_t peer_rx_before, peer_rx_after;	/* peer's Required Min RX, us */
	mtime_t rx_at;				/* after our last packet, us */
	mtime_t lo, hi;				/* next_tx - last packet, us */
};

static void test_remote_rx_change_applies_from_last_packet(void **unused)
{
	/*
	 * §6.8.3: when bfd.RemoteMinRxInterval is reduced, "the local system
	 * cannot wait longer than the new interval between the previous packet
	 * sent and the next packet sent. If this interval has already passed
	 * since the last transmission, a new packet MUST be transmitted
	 * immediately." §6.8.7: and never faster than the interval in force,
	 * so a packet scheduled at a shorter interval moves out when it grows.
	 */
	static const struct rerate_case cases[] = {
		{ "1 s -> 20 ms, 900 ms after the last packet: now", 1000000, 20000, 900000,
		  900000, 900000 },
		{ "1 s -> 20 ms, 5 ms after the last packet: from the last", 1000000, 20000, 5000,
		  15000, 20000 },
		{ "20 ms -> 1 s, 1 ms after the last packet: moved out", 20000, 1000000, 1000,
		  750000, 1000000 },
		{ "20 ms -> 50 ms, 16 ms after the last packet", 20000, 50000, 16000,
		  37500, 50000 },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct rerate_case *c = &cases[i];
		const char *name = c->name;
		struct bfd_packet pkt = peer_pkt(ST_UP);
		struct bfd_session s;
		mtime_t last = T0 + 10000;

		pkt.required_min_rx_us = c->peer_rx_before;
		session_to(&s, &P20, ST_UP, &pkt, T0);
		rx(&s, pkt, last - 100, NULL);
		build(&s, last);
		EQ("tx interval before", c->peer_rx_before, bfd_session_tx_interval(&s));
		pkt.required_min_rx_us = c->peer_rx_after;
		rx(&s, pkt, last + c->rx_at, NULL);
		EQ("tx interval after", c->peer_rx_after, bfd_session_tx_interval(&s));
		RANGE("next_tx - last packet", c->lo, c->hi, s.next_tx - last);
	}
	assert_int_equal(bad, 0);
}

static void test_remote_demand(void **unused)
{
	/*
	 * §6.8.6/§6.8.7: with the peer's D bit set and both sides Up, periodic
	 * transmission stops, "and a Poll Sequence is not being transmitted":
	 * a Poll of ours still goes out periodically until its Final. D clear
	 * again, or a state other than Up: periodic packets resume (§6.8.6).
	 * We never set D ourselves (§6.6: bfd.DemandMode is 0).
	 */
	const char *name = "peer in Demand mode";
	struct bfd_session_params p = P20;
	struct bfd_session s;
	struct bfd_output out;
	struct bfd_packet pkt = peer_pkt(ST_UP), b;
	mtime_t now = T0 + 1000;
	int bad = 0;

	session_to(&s, &P20, ST_UP, NULL, T0);
	pkt.demand = true;
	rx(&s, pkt, now, NULL);
	EQ("next_tx in remote Demand mode", MTIME_NEVER, s.next_tx);
	b = build(&s, now);			/* e.g. a Final */
	EQ("our D bit", false, b.demand);
	EQ("next_tx after a non-periodic packet", MTIME_NEVER, s.next_tx);

	p.desired_min_tx_us = 30000;
	bfd_session_set_params(&s, &p, now + 100, &out);
	EQ("poll_active", true, s.poll_active);
	RANGE("Poll scheduled", 1, 20000, s.next_tx - now);
	for (int k = 0; k < 2; k++) {
		now = s.next_tx;
		b = build(&s, now);
		EQ("periodic Poll: P", true, b.poll);
		RANGE("next Poll", 15000, 20000, s.next_tx - now);
		rx(&s, pkt, now + 500, NULL);		/* no F yet */
		EQ("Poll still scheduled", true, s.next_tx != MTIME_NEVER);
	}
	pkt.final = true;
	rx(&s, pkt, now + 1000, NULL);
	EQ("poll_active after the Final", false, s.poll_active);
	EQ("next_tx after the Final", MTIME_NEVER, s.next_tx);

	pkt.final = false;
	pkt.demand = false;
	rx(&s, pkt, now + 2000, NULL);
	RANGE("D clear: periodic again", 1, 30000, s.next_tx - (now + 2000));

	pkt.demand = true;
	rx(&s, pkt, now + 3000, NULL);
	EQ("D set again", MTIME_NEVER, s.next_tx);
	pkt.state = ST_DOWN;
	out = rx(&s, pkt, now + 4000, NULL);
	EQ("peer Down: our state", ST_DOWN, s.state);
	RANGE("not Up: periodic again", 0, BFD_SLOW_TX_US, s.next_tx - (now + 4000));
	assert_int_equal(bad, 0);
}

struct build_case {
	uint8_t state;
	bool peer_polls;
	bool own_poll;
};

static void test_built_packet_fields(void **unused)
{
	/*
	 * §6.8.7 "Contents of transmitted packets" and §4.1: Version 1, Diag =
	 * bfd.LocalDiag, Sta = bfd.SessionState, P only in our Poll Sequence,
	 * F only to answer a Poll, never both (§6.5), C clear (we share fate
	 * with the control plane), D clear (bfd.DemandMode is 0), M "MUST be
	 * zero on both transmit and receipt", Detect Mult = bfd.DetectMult, My
	 * Discriminator = bfd.LocalDiscr (nonzero), Your Discriminator =
	 * bfd.RemoteDiscr, Required Min Echo RX 0 (no Echo function, §6.8.9).
	 */
	static const struct build_case cases[] = {
		{ ST_ADMIN, false, false }, { ST_DOWN, false, false }, { ST_INIT, false, false },
		{ ST_UP, false, false }, { ST_UP, true, false }, { ST_UP, false, true },
		{ ST_UP, true, true }, { ST_DOWN, true, false }, { ST_INIT, true, false },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct build_case *c = &cases[i];
		struct bfd_session_params p = P20;
		struct bfd_session s;
		struct bfd_output out;
		struct bfd_packet pkt, b;
		mtime_t now = T0 + 1000;
		char name[64];

		snprintf(name, sizeof(name), "%s%s%s", bfd_state_name(c->state),
			 c->peer_polls ? ", peer polls" : "", c->own_poll ? ", own Poll" : "");
		p.detect_mult = 4;
		session_to(&s, &p, c->state, NULL, T0);
		if (c->own_poll) {
			p.desired_min_tx_us = 30000;
			bfd_session_set_params(&s, &p, now, &out);
		}
		if (c->peer_polls && c->state != ST_ADMIN) {
			pkt = peer_pkt(c->state == ST_UP ? ST_UP : c->state == ST_INIT ? ST_DOWN :
				       ST_ADMIN);
			pkt.poll = true;
			rx(&s, pkt, now, NULL);
		}
		b = build(&s, now);
		EQ("Version", BFD_VERSION, b.version);
		EQ("Diag", s.local_diag, b.diag);
		EQ("State", c->state, b.state);
		EQ("F", c->peer_polls, b.final);
		EQ("P", c->own_poll && !c->peer_polls, b.poll);
		EQ("P and F together", false, b.poll && b.final);
		EQ("C", false, b.cpi);
		EQ("A (added later by auth_prepare)", false, b.auth_present);
		EQ("D", false, b.demand);
		EQ("M", false, b.multipoint);
		EQ("Detect Mult", 4, b.detect_mult);
		EQ("My Discriminator", LOCAL_DISCR, b.my_discr);
		EQ("Your Discriminator", s.remote_discr, b.your_discr);
		EQ("Required Min Echo RX", 0, b.required_min_echo_rx_us);
	}
	assert_int_equal(bad, 0);
}

struct mult_case {
	uint8_t state;
	bool mid_poll;		/* an interval Poll Sequence already runs */
};

static void test_detect_mult_change_immediate(void **unused)
{
	/*
	 * §6.8.3: parameter changes other than the two deferred intervals take
	 * effect at once; §6.8.12: a new bfd.DetectMult "will be sent with the
	 * next outgoing Control packet, and no special processing is
	 * required" -- no Poll of its own, even in the middle of one.
	 */
	static const struct mult_case cases[] = {
		{ ST_DOWN, false }, { ST_UP, false }, { ST_UP, true },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct mult_case *c = &cases[i];
		struct bfd_session_params p = P20;
		struct bfd_session s;
		struct bfd_output out;
		struct bfd_packet b;
		char name[48];

		snprintf(name, sizeof(name), "%s%s", bfd_state_name(c->state),
			 c->mid_poll ? ", mid-Poll" : "");
		session_to(&s, &p, c->state, NULL, T0);
		if (c->mid_poll) {
			p.required_min_rx_us = 50000;
			bfd_session_set_params(&s, &p, T0 + 500, &out);
		}
		p.detect_mult = 7;
		bfd_session_set_params(&s, &p, T0 + 1000, &out);
		EQ("bfd.DetectMult", 7, s.detect_mult);
		EQ("poll_active", c->mid_poll, s.poll_active);
		b = build(&s, T0 + 1000);
		EQ("next packet Detect Mult", 7, b.detect_mult);
		EQ("next packet P", c->mid_poll, b.poll);
	}
	assert_int_equal(bad, 0);
}

static void test_init_variables(void **unused)
{
	/*
	 * §6.8.1 initial values: SessionState Down, RemoteSessionState Down,
	 * RemoteDiscr 0, LocalDiag 0, DesiredMinTxInterval >= 1 s (here with
	 * idle_tx 0, the RFC default), RemoteMinRxInterval 1, RemoteDemandMode
	 * 0; LocalDiscr as given (the daemon draws it nonzero and unique).
	 */
	const char *name = "bfd_session_init";
	struct bfd_session s;
	int bad = 0;

	memset(&s, 0xa5, sizeof(s));
	bfd_session_init(&s, &P20, LOCAL_DISCR, 1, T0);
	EQ("SessionState", ST_DOWN, s.state);
	EQ("RemoteSessionState", ST_DOWN, s.remote_state);
	EQ("LocalDiscr", LOCAL_DISCR, s.local_discr);
	EQ("RemoteDiscr", 0, s.remote_discr);
	EQ("LocalDiag", BFD_DIAG_NONE, s.local_diag);
	RANGE("DesiredMinTxInterval", BFD_SLOW_TX_US, UINT32_MAX, s.desired_min_tx);
	EQ("RequiredMinRxInterval", 20000, s.required_min_rx);
	EQ("RemoteMinRxInterval", 1, s.remote_min_rx);
	EQ("RemoteDemandMode", false, s.remote_demand);
	EQ("DetectMult", 3, s.detect_mult);
	EQ("detection timer not armed", MTIME_NEVER, s.detect_deadline);
	RANGE("first packet (Active role)", T0, T0 + 20000, s.next_tx);
	assert_int_equal(bad, 0);
}

/* ---- §6.5 / §6.8.3 Poll Sequence ---- */

static void test_poll_answered_with_final(void **unused)
{
	/*
	 * §6.8.7: a Poll is answered "as soon as practicable, without respect
	 * to the transmission timer"; §6.5: never both P and F. Our own Poll
	 * Sequence resumes on the next packet.
	 */
	const char *name = "peer polls during our own Poll Sequence";
	struct bfd_session_params p = P20;
	struct bfd_session s;
	struct bfd_output out;
	struct bfd_packet pkt;
	mtime_t now = T0 + 1000;
	int bad = 0;

	session_to(&s, &P20, ST_UP, NULL, T0);
	p.desired_min_tx_us = 30000;
	bfd_session_set_params(&s, &p, now, &out);
	EQ("own poll active", true, s.poll_active);

	pkt = peer_pkt(ST_UP);
	pkt.poll = true;
	out = rx(&s, pkt, now + 100, NULL);
	EQ("out.send on Poll", true, out.send);
	pkt = build(&s, now + 100);
	EQ("reply F", true, pkt.final);
	EQ("reply P", false, pkt.poll);
	pkt = build(&s, s.next_tx);
	EQ("next packet P", true, pkt.poll);
	EQ("next packet F", false, pkt.final);
	EQ("next packet Desired Min TX", 30000, pkt.desired_min_tx_us);
	assert_int_equal(bad, 0);
}

static void test_tx_increase_waits_for_final(void **unused)
{
	/*
	 * §6.8.3: "If bfd.DesiredMinTxInterval is increased and
	 * bfd.SessionState is Up, the actual transmission interval used MUST
	 * NOT change until the Poll Sequence ... has terminated." §6.5: the
	 * Poll rides on "those scheduled periodic transmissions; additional
	 * packets MUST NOT be sent."
	 */
	const char *name = "desired tx 20 -> 100 ms while Up";
	struct bfd_session_params p = P20;
	struct bfd_session s;
	struct bfd_output out;
	struct bfd_packet pkt;
	mtime_t now = T0 + 1000;
	int bad = 0;

	session_to(&s, &P20, ST_UP, NULL, T0);
	build(&s, now);
	RANGE("next_tx - last packet", 15000, 20000, s.next_tx - now);
	p.desired_min_tx_us = 100000;
	/* late in the interval: the packet already due in <= 6 ms must not slip */
	bfd_session_set_params(&s, &p, now + 14000, &out);
	EQ("out.send (no extra packet)", false, out.send);
	EQ("tx interval before the Final", 20000, bfd_session_tx_interval(&s));
	RANGE("next_tx - last packet after set_params", 15000, 20000, s.next_tx - now);

	for (int k = 0; k < 3; k++) {	/* the Final may take several Polls */
		now = s.next_tx;
		pkt = build(&s, now);
		EQ("P on scheduled packet", true, pkt.poll);
		EQ("F on scheduled packet", false, pkt.final);
		EQ("advertised Desired Min TX", 100000, pkt.desired_min_tx_us);
		RANGE("next gap before the Final", 15000, 20000, s.next_tx - now);
		rx(&s, peer_pkt(ST_UP), now + 500, NULL);	/* no F yet */
		EQ("tx interval while polling", 20000, bfd_session_tx_interval(&s));
	}

	pkt = peer_pkt(ST_UP);
	pkt.final = true;
	rx(&s, pkt, now + 1000, NULL);
	EQ("poll_active after the Final", false, s.poll_active);
	EQ("tx interval after the Final", 100000, bfd_session_tx_interval(&s));
	now = s.next_tx;
	pkt = build(&s, now);
	EQ("P after the Final", false, pkt.poll);
	RANGE("gap after the Final", 75000, 100000, s.next_tx - now);
	assert_int_equal(bad, 0);
}

static void test_rx_decrease_waits_for_final(void **unused)
{
	/*
	 * §6.8.3: "If bfd.RequiredMinRxInterval is reduced and
	 * bfd.SessionState is Up, the previous value ... MUST be used when
	 * calculating the Detection Time ... until the Poll Sequence ... has
	 * terminated."
	 */
	const char *name = "required rx 100 -> 20 ms while Up";
	struct bfd_session_params p = P20;
	struct bfd_session s;
	struct bfd_output out;
	struct bfd_packet pkt;
	mtime_t now = T0 + 1000;
	int bad = 0;

	p.required_min_rx_us = 100000;
	session_to(&s, &p, ST_UP, NULL, T0);
	rx(&s, peer_pkt(ST_UP), now, NULL);
	EQ("detection time before", 300000, bfd_session_detect_time(&s));

	p.required_min_rx_us = 20000;
	bfd_session_set_params(&s, &p, now + 10, &out);
	EQ("detection time right after set_params", 300000, bfd_session_detect_time(&s));
	EQ("detect_deadline kept", now + 300000, s.detect_deadline);
	pkt = build(&s, s.next_tx);
	EQ("P", true, pkt.poll);
	EQ("advertised Required Min RX", 20000, pkt.required_min_rx_us);

	rx(&s, peer_pkt(ST_UP), now + 15000, NULL);	/* not the Final */
	EQ("detection time on a non-Final packet", 300000, bfd_session_detect_time(&s));
	EQ("detect_deadline on a non-Final packet", now + 15000 + 300000, s.detect_deadline);

	pkt = peer_pkt(ST_UP);
	pkt.final = true;
	rx(&s, pkt, now + 20000, NULL);
	EQ("detection time after the Final", 60000, bfd_session_detect_time(&s));
	EQ("detect_deadline after the Final", now + 20000 + 60000, s.detect_deadline);
	assert_int_equal(bad, 0);
}

static void test_poll_restart(void **unused)
{
	/*
	 * §6.8.3: with several changes needing a Poll Sequence, the semantics
	 * of the Final must stay clear: one packet, a round trip of quiet, or
	 * "an additional BFD Control packet with the Final (F) bit *clear*
	 * MUST be received after the Poll Sequence has completed prior to the
	 * initiation of another Poll Sequence". So Finals answering Polls sent
	 * before a change must not put the newer values into effect.
	 */
	const char *name = "rx 100 -> 50 -> 20 ms mid-sequence";
	struct bfd_session_params p = P20;
	struct bfd_session s;
	struct bfd_output out;
	struct bfd_packet pkt, fin = peer_pkt(ST_UP);
	mtime_t now = T0 + 1000;
	int bad = 0;

	fin.final = true;
	p.required_min_rx_us = 100000;
	session_to(&s, &p, ST_UP, NULL, T0);

	p.required_min_rx_us = 50000;		/* first change */
	bfd_session_set_params(&s, &p, now, &out);
	for (int k = 0; k < 2; k++) {		/* two Polls in flight */
		now = s.next_tx;
		pkt = build(&s, now);
		EQ("first Polls: P", true, pkt.poll);
		EQ("first Polls: Required Min RX", 50000, pkt.required_min_rx_us);
	}
	p.required_min_rx_us = 20000;		/* second change, mid-sequence */
	bfd_session_set_params(&s, &p, now + 100, &out);
	EQ("detection time after the second change", 300000, bfd_session_detect_time(&s));

	/* the two Finals answer the two Polls that carried 50 ms */
	rx(&s, fin, now + 1000, NULL);
	rx(&s, fin, now + 1100, NULL);
	RANGE("detection time after Finals to the old Polls", 150000, 300000,
	      bfd_session_detect_time(&s));

	/* until a packet without F arrives, a new Poll Sequence would be ambiguous */
	now = s.next_tx;
	pkt = build(&s, now);
	EQ("between Final and F-clear packet: P", false, pkt.poll);
	EQ("between Final and F-clear packet: Required Min RX", 50000, pkt.required_min_rx_us);

	/* a packet without F settles it; the new value is then polled for */
	rx(&s, peer_pkt(ST_UP), now + 5000, NULL);
	now = s.next_tx;
	pkt = build(&s, now);
	EQ("restarted Poll: P", true, pkt.poll);
	EQ("restarted Poll: Required Min RX", 20000, pkt.required_min_rx_us);
	RANGE("detection time while the restarted Poll runs", 150000, 300000,
	      bfd_session_detect_time(&s));
	rx(&s, fin, now + 1000, NULL);
	EQ("detection time after its Final", 60000, bfd_session_detect_time(&s));
	EQ("poll_active at the end", false, s.poll_active);
	pkt = build(&s, s.next_tx);
	EQ("P at the end", false, pkt.poll);
	EQ("Required Min RX at the end", 20000, pkt.required_min_rx_us);
	assert_int_equal(bad, 0);
}

static void test_set_params_unchanged_no_poll(void **unused)
{
	/* §6.8.3: a Poll Sequence is for changed intervals; same values start none. */
	const char *name = "same params while Up";
	struct bfd_session s;
	struct bfd_output out;
	struct bfd_packet pkt;
	int bad = 0;

	session_to(&s, &P20, ST_UP, NULL, T0);
	bfd_session_set_params(&s, &P20, T0 + 1000, &out);
	EQ("poll_active", false, s.poll_active);
	pkt = build(&s, s.next_tx);
	EQ("P", false, pkt.poll);
	assert_int_equal(bad, 0);
}

/* ---- §6.8.16 and local events ---- */

struct path_case {
	uint8_t from;
	bool changed;
};

static void test_path_down(void **unused)
{
	/* Carrier lost: Down with diag 5 "Path Down" (§6.8.16 allows that diagnostic). */
	static const struct path_case cases[] = {
		{ ST_UP, true }, { ST_INIT, true }, { ST_DOWN, false }, { ST_ADMIN, false },
	};
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *name = bfd_state_name(cases[i].from);
		uint8_t want = cases[i].changed ? ST_DOWN : cases[i].from;
		struct bfd_session s;
		struct bfd_output out;
		struct bfd_packet pkt;

		session_to(&s, &P20, cases[i].from, NULL, T0);
		bfd_session_path_down(&s, T0 + 1000, &out);
		EQ("state_changed", cases[i].changed, out.state_changed);
		EQ("state", want, s.state);
		if (!cases[i].changed)
			continue;
		EQ("out.diag", BFD_DIAG_PATH_DOWN, out.diag);
		EQ("out.send", true, out.send);
		pkt = build(&s, T0 + 1000);
		EQ("packet State", ST_DOWN, pkt.state);
		EQ("packet Diag", BFD_DIAG_PATH_DOWN, pkt.diag);
		EQ("packet Desired Min TX", BFD_SLOW_TX_US, pkt.desired_min_tx_us);
	}
	assert_int_equal(bad, 0);
}

static void test_admin_down_up(void **unused)
{
	/*
	 * §6.8.16: "Set bfd.SessionState to AdminDown, Set bfd.LocalDiag to an
	 * appropriate value"; packets "SHOULD be transmitted for at least a
	 * Detection Time"; enabling again: "Set bfd.SessionState to Down".
	 */
	const char *name = "admin down/up from Up";
	struct bfd_session s;
	struct bfd_output out;
	struct bfd_packet pkt;
	mtime_t now = T0 + 1000;
	int bad = 0;

	session_to(&s, &P20, ST_UP, NULL, T0);
	bfd_session_admin_down(&s, BFD_DIAG_ADMIN_DOWN, now, &out);
	EQ("state_changed", true, out.state_changed);
	EQ("out.old_state", ST_UP, out.old_state);
	EQ("out.new_state", ST_ADMIN, out.new_state);
	EQ("out.diag", BFD_DIAG_ADMIN_DOWN, out.diag);
	EQ("out.send", true, out.send);
	EQ("detect_deadline", MTIME_NEVER, s.detect_deadline);
	pkt = build(&s, now);
	EQ("packet State", ST_ADMIN, pkt.state);
	EQ("packet Diag", BFD_DIAG_ADMIN_DOWN, pkt.diag);
	EQ("packet Desired Min TX", BFD_SLOW_TX_US, pkt.desired_min_tx_us);
	RANGE("keeps transmitting", 1, BFD_SLOW_TX_US, s.next_tx - now);

	bfd_session_admin_down(&s, BFD_DIAG_PATH_DOWN, now + 10, &out);
	EQ("second admin_down: state_changed", false, out.state_changed);
	EQ("second admin_down: diag kept", BFD_DIAG_ADMIN_DOWN, s.local_diag);

	now += MTIME_S(10);
	bfd_session_admin_up(&s, now, &out);
	EQ("admin_up: state_changed", true, out.state_changed);
	EQ("admin_up: new_state", ST_DOWN, out.new_state);
	EQ("admin_up: state", ST_DOWN, s.state);
	EQ("admin_up: remote_discr", 0, s.remote_discr);
	pkt = build(&s, now);
	EQ("admin_up: packet State", ST_DOWN, pkt.state);
	EQ("admin_up: packet Your Discriminator", 0, pkt.your_discr);

	bfd_session_admin_up(&s, now + 10, &out);
	EQ("admin_up while Down: state_changed", false, out.state_changed);

	/* and it comes up again through the handshake */
	rx(&s, peer_pkt(ST_DOWN), now + 1000, NULL);
	EQ("after peer Down", ST_INIT, s.state);
	rx(&s, peer_pkt(ST_UP), now + 2000, NULL);
	EQ("after peer Up", ST_UP, s.state);
	assert_int_equal(bad, 0);
}

static void test_peer_restart_new_discr(void **unused)
{
	/*
	 * The peer reboots and comes back with a new discriminator: its Down
	 * takes us Down (diag 3, §6.8.6), the next Down to Init, its Init/Up
	 * to Up, and we address it by the new discriminator.
	 */
	static const struct {
		uint8_t peer;
		uint8_t want;
		uint8_t diag;
	} steps[] = {
		{ ST_DOWN, ST_DOWN, BFD_DIAG_NEIGHBOR_DOWN },
		{ ST_DOWN, ST_INIT, 0xff },	/* 0xff: diag not specified by the RFC here */
		{ ST_UP, ST_UP, 0xff },
	};
	struct bfd_session s;
	mtime_t now = T0 + 1000;
	int bad = 0;

	session_to(&s, &P20, ST_UP, NULL, T0);
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		struct bfd_packet pkt = peer_pkt(steps[i].peer);
		struct bfd_output out;
		char name[48];

		snprintf(name, sizeof(name), "step %zu: peer %s", i + 1,
			 bfd_state_name(steps[i].peer));
		pkt.my_discr = 0x33333333;
		pkt.your_discr = i == 0 ? 0 : LOCAL_DISCR;
		out = rx(&s, pkt, now, NULL);
		EQ("state_changed", true, out.state_changed);
		EQ("state", steps[i].want, s.state);
		if (steps[i].diag != 0xff)
			EQ("diag", steps[i].diag, s.local_diag);
		EQ("remote_discr", 0x33333333, s.remote_discr);
		pkt = build(&s, now);
		EQ("packet Your Discriminator", 0x33333333, pkt.your_discr);
		now += 300000;
	}
	assert_int_equal(bad, 0);
}

/* ---- two sessions back to back ---- */

#define SIM_LATENCY 1000	/* one-way delay, us */
#define SIM_LOG 8192
#define SIM_TRANS 64
#define SIM_QUEUE 64

struct sim_tx {
	mtime_t at;
	bool periodic, poll, final;
	uint8_t state, diag;
	uint32_t desired_min_tx, required_min_rx, your_discr;
};

struct sim_trans {
	mtime_t at;
	uint8_t old_state, new_state, diag;
	mtime_t detect_us;
};

struct sim_side {
	struct bfd_session s;
	bool drop_tx;			/* everything this side sends is lost */
	struct sim_tx tx[SIM_LOG];
	unsigned ntx;
	struct sim_trans tr[SIM_TRANS];
	unsigned ntr;
	mtime_t last_heard;		/* last packet delivered to this side */
};

struct sim_flight {
	mtime_t at;
	int to;
	struct bfd_packet pkt;
};

struct sim {
	struct sim_side side[2];
	struct sim_flight q[SIM_QUEUE];
	unsigned nq;
	mtime_t now;
	int errors;			/* invariant violations, each printed */
};

static struct sim *sim_new(void)
{
	struct sim *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->now = T0;
	bfd_session_init(&m->side[0].s, &P20, 0xa0a0a0a0, 1, T0);
	bfd_session_init(&m->side[1].s, &P20, 0xb0b0b0b0, 2, T0);
	return m;
}

static void sim_note(struct sim *m, int i, const struct bfd_output *out)
{
	struct sim_side *d = &m->side[i];

	if (!out->state_changed || d->ntr >= SIM_TRANS)
		return;
	d->tr[d->ntr++] = (struct sim_trans){ m->now, out->old_state, out->new_state,
					      out->diag, out->detect_us };
}

static void sim_send(struct sim *m, int i, bool periodic)
{
	struct sim_side *d = &m->side[i];
	struct bfd_packet p;

	bfd_session_build(&d->s, &p, m->now);
	if (p.poll && p.final) {	/* §6.5 */
		print_error("side %c at %lld: packet with both P and F\n", 'A' + i,
			    (long long)(m->now - T0));
		m->errors++;
	}
	if (p.state != ST_UP && p.desired_min_tx_us < BFD_SLOW_TX_US) {	/* §6.8.3 */
		print_error("side %c at %lld: %s with Desired Min TX %u < 1 s\n", 'A' + i,
			    (long long)(m->now - T0), bfd_state_name(p.state), p.desired_min_tx_us);
		m->errors++;
	}
	if (d->ntx < SIM_LOG)
		d->tx[d->ntx++] = (struct sim_tx){ m->now, periodic, p.poll, p.final, p.state,
						   p.diag, p.desired_min_tx_us,
						   p.required_min_rx_us, p.your_discr };
	if (d->drop_tx)
		return;
	if (m->nq >= SIM_QUEUE)
		fail_msg("sim queue full");
	m->q[m->nq++] = (struct sim_flight){ m->now + SIM_LATENCY, !i, p };
}

static void sim_deliver(struct sim *m, const struct sim_flight *f)
{
	struct sim_side *d = &m->side[f->to];
	struct bfd_output out;

	/* §6.3 demultiplexing: a nonzero Your Discriminator must be ours */
	if (f->pkt.your_discr != 0 && f->pkt.your_discr != d->s.local_discr)
		return;
	d->last_heard = m->now;
	bfd_session_rx(&d->s, &f->pkt, m->now, m->now, &out);
	sim_note(m, f->to, &out);
	if (f->pkt.poll && !out.send) {
		print_error("side %c at %lld: Poll not answered at once\n", 'A' + f->to,
			    (long long)(m->now - T0));
		m->errors++;
	}
	if (!out.send)
		return;
	sim_send(m, f->to, false);
	if (f->pkt.poll && !d->tx[d->ntx - 1].final) {
		print_error("side %c at %lld: answer to a Poll without F\n", 'A' + f->to,
			    (long long)(m->now - T0));
		m->errors++;
	}
}

/* Runs both sessions and the wire until `until` (absolute fake time). */
static void sim_run(struct sim *m, mtime_t until)
{
	for (long guard = 0; guard < 10000000; guard++) {
		mtime_t next = MTIME_NEVER;

		for (int i = 0; i < 2; i++)
			next = mtime_min(next, bfd_session_next_event(&m->side[i].s));
		for (unsigned k = 0; k < m->nq; k++)
			next = mtime_min(next, m->q[k].at);
		if (next > until) {
			m->now = until;
			return;
		}
		m->now = mtime_max(m->now, next);

		while (m->nq && m->q[0].at <= m->now) {	/* FIFO: equal latency */
			struct sim_flight f = m->q[0];

			memmove(&m->q[0], &m->q[1], --m->nq * sizeof(m->q[0]));
			sim_deliver(m, &f);
		}
		for (int i = 0; i < 2; i++) {
			struct bfd_output out;

			if (bfd_session_next_event(&m->side[i].s) > m->now)
				continue;
			bfd_session_timer(&m->side[i].s, m->now, &out);
			sim_note(m, i, &out);
			if (out.send)
				sim_send(m, i, true);
		}
	}
	fail_msg("sim_run: no progress");
}

/* First transition of side i into `state` at or after `from`; NULL if none. */
static const struct sim_trans *sim_find(const struct sim *m, int i, uint8_t state, mtime_t from)
{
	for (unsigned k = 0; k < m->side[i].ntr; k++)
		if (m->side[i].tr[k].new_state == state && m->side[i].tr[k].at >= from)
			return &m->side[i].tr[k];
	return NULL;
}

/* Checks every gap before a periodic packet sent in [from, to] is lo..hi us. */
static int sim_check_gaps(const struct sim *m, int i, mtime_t from, mtime_t to, mtime_t lo,
			  mtime_t hi, const char *name)
{
	const struct sim_side *d = &m->side[i];
	unsigned n = 0;
	int bad = 0;

	for (unsigned k = 1; k < d->ntx; k++) {
		mtime_t gap = d->tx[k].at - d->tx[k - 1].at;

		if (!d->tx[k].periodic || d->tx[k].at < from || d->tx[k].at > to)
			continue;
		n++;
		if (gap < lo || gap > hi) {
			print_error("%s: side %c packet at %lld: gap expected %lld..%lld, got %lld\n",
				    name, 'A' + i, (long long)(d->tx[k].at - T0), (long long)lo,
				    (long long)hi, (long long)gap);
			bad++;
		}
	}
	if (n < 3) {
		print_error("%s: side %c: only %u periodic packets to check\n", name, 'A' + i, n);
		bad++;
	}
	return bad;
}

/* Brings both sides Up and through their Poll Sequences; returns the time they are done. */
static mtime_t sim_bring_up(struct sim *m)
{
	sim_run(m, T0 + MTIME_S(2));
	for (int i = 0; i < 2; i++)
		if (m->side[i].s.state != ST_UP || m->side[i].s.poll_active)
			fail_msg("sim_bring_up: side %c %s, poll_active %d", 'A' + i,
				 bfd_state_name(m->side[i].s.state), m->side[i].s.poll_active);
	return m->now;
}

static void test_sim_handshake(void **unused)
{
	/*
	 * §6.2 three-way handshake, then §6.8.3: both sides leave the 1 s
	 * slow rate for 20 ms through a Poll Sequence (P answered by F).
	 */
	const char *name = "handshake";
	struct sim *m = sim_new();
	int bad = 0;

	sim_run(m, T0 + MTIME_S(3));
	for (int i = 0; i < 2; i++) {
		const struct sim_side *d = &m->side[i];
		const struct sim_trans *up = sim_find(m, i, ST_UP, T0);
		unsigned finals = 0, fast_polls = 0;

		EQ(i ? "B state" : "A state", ST_UP, d->s.state);
		EQ(i ? "B reached Up" : "A reached Up", true, up != NULL);
		if (up)
			RANGE(i ? "B time to Up" : "A time to Up", 0, MTIME_MS(50), up->at - T0);
		/* Down->Up (it heard Init first) or Down->Init->Up, and no flap after */
		RANGE(i ? "B transitions" : "A transitions", 1, 2, d->ntr);
		if (d->ntr)
			EQ(i ? "B last transition to" : "A last transition to", ST_UP,
			   d->tr[d->ntr - 1].new_state);
		for (unsigned k = 0; k < d->ntx; k++) {
			finals += d->tx[k].final;
			fast_polls += d->tx[k].poll && d->tx[k].desired_min_tx == 20000;
		}
		EQ(i ? "B sent P with 20 ms" : "A sent P with 20 ms", true, fast_polls >= 1);
		EQ(i ? "B sent F" : "A sent F", true, finals >= 1);
		EQ(i ? "B poll_active" : "A poll_active", false, d->s.poll_active);
		EQ(i ? "B tx interval" : "A tx interval", 20000, bfd_session_tx_interval(&d->s));
		EQ(i ? "B detection time" : "A detection time", 60000,
		   bfd_session_detect_time(&d->s));
		EQ(i ? "B remote_discr" : "A remote_discr", m->side[!i].s.local_discr,
		   d->s.remote_discr);
		EQ(i ? "B last Desired Min TX" : "A last Desired Min TX", 20000,
		   d->tx[d->ntx - 1].desired_min_tx);
		bad += sim_check_gaps(m, i, T0 + MTIME_S(1), T0 + MTIME_S(3), 15000, 20000, name);
	}
	EQ("invariant violations", 0, m->errors);
	free(m);
	assert_int_equal(bad, 0);
}

static void test_sim_one_way_from_start(void **unused)
{
	/* A's packets never reach B: B never hears A, A never hears B's Init. */
	const char *name = "A->B lost from the start";
	struct sim *m = sim_new();
	int bad = 0;

	m->side[0].drop_tx = true;
	sim_run(m, T0 + MTIME_S(10));
	EQ("B transitions", 0, m->side[1].ntr);
	EQ("B state", ST_DOWN, m->side[1].s.state);
	EQ("B remote_discr", 0, m->side[1].s.remote_discr);
	EQ("A ever Up", false, sim_find(m, 0, ST_UP, T0) != NULL);
	EQ("A state (Down + Down -> Init, then stuck)", ST_INIT, m->side[0].s.state);
	/* §6.8.3/§6.8.7: 1 s less up to 25% jitter while not Up */
	bad += sim_check_gaps(m, 1, T0, T0 + MTIME_S(10), 750000, 1000000, name);
	bad += sim_check_gaps(m, 0, T0 + MTIME_S(1), T0 + MTIME_S(10), 750000, 1000000, name);
	EQ("invariant violations", 0, m->errors);
	free(m);
	assert_int_equal(bad, 0);
}

static void test_sim_one_way_when_up(void **unused)
{
	/*
	 * Up, then A->B dies: B detects after its Detection Time (diag 1),
	 * tells A, A goes Down with diag 3; neither comes back Up.
	 */
	const char *name = "A->B lost while Up";
	struct sim *m = sim_new();
	const struct sim_trans *bd, *ad;
	mtime_t cut;
	int bad = 0;

	cut = sim_bring_up(m);
	m->side[0].drop_tx = true;
	sim_run(m, cut + MTIME_S(10));	/* packets already on the wire still arrive */

	bd = sim_find(m, 1, ST_DOWN, cut);
	ad = sim_find(m, 0, ST_DOWN, cut);
	EQ("B went Down", true, bd != NULL);
	EQ("A went Down", true, ad != NULL);
	if (bd) {
		EQ("B diag", BFD_DIAG_TIME_EXPIRED, bd->diag);
		EQ("B detect_us", 60000, bd->detect_us);
		EQ("B Down at last heard + detection time", m->side[1].last_heard + 60000, bd->at);
	}
	if (ad)
		EQ("A diag", BFD_DIAG_NEIGHBOR_DOWN, ad->diag);
	EQ("A Up again", false, sim_find(m, 0, ST_UP, cut) != NULL);
	EQ("B Up again", false, sim_find(m, 1, ST_UP, cut) != NULL);
	EQ("B state", ST_DOWN, m->side[1].s.state);
	EQ("A state", ST_INIT, m->side[0].s.state);
	EQ("invariant violations", 0, m->errors);
	free(m);
	assert_int_equal(bad, 0);
}

static void test_sim_admin_down_peer(void **unused)
{
	/*
	 * §6.8.16 / §6.8.6: A AdminDown -> B Down with diag 3 and B stays Down
	 * (not Init) while A stays AdminDown; after admin_up both come Up.
	 */
	const char *name = "A admin down, then up";
	struct sim *m = sim_new();
	struct bfd_output out;
	const struct sim_trans *bd;
	mtime_t t;
	int bad = 0;

	t = sim_bring_up(m);
	bfd_session_admin_down(&m->side[0].s, BFD_DIAG_ADMIN_DOWN, t, &out);
	sim_note(m, 0, &out);
	if (out.send)
		sim_send(m, 0, false);
	sim_run(m, t + MTIME_S(10));
	bd = sim_find(m, 1, ST_DOWN, t);
	EQ("B went Down", true, bd != NULL);
	if (bd) {
		EQ("B diag", BFD_DIAG_NEIGHBOR_DOWN, bd->diag);
		RANGE("B Down delay", SIM_LATENCY, SIM_LATENCY, bd->at - t);
	}
	EQ("B Init while A AdminDown", false, sim_find(m, 1, ST_INIT, t) != NULL);
	EQ("B state", ST_DOWN, m->side[1].s.state);
	EQ("A state", ST_ADMIN, m->side[0].s.state);

	t = m->now;
	bfd_session_admin_up(&m->side[0].s, t, &out);
	sim_note(m, 0, &out);
	if (out.send)
		sim_send(m, 0, false);
	sim_run(m, t + MTIME_S(3));
	EQ("A state after admin_up", ST_UP, m->side[0].s.state);
	EQ("B state after admin_up", ST_UP, m->side[1].s.state);
	EQ("invariant violations", 0, m->errors);
	free(m);
	assert_int_equal(bad, 0);
}

static void test_sim_peer_restart(void **unused)
{
	/* B restarts with a new discriminator; A's old-discriminator packets are not B's. */
	const char *name = "B restarts";
	struct sim *m = sim_new();
	const struct sim_trans *ad, *au;
	mtime_t t;
	int bad = 0;

	t = sim_bring_up(m);
	bfd_session_init(&m->side[1].s, &P20, 0xc0c0c0c0, 3, t);
	sim_run(m, t + MTIME_S(3));
	ad = sim_find(m, 0, ST_DOWN, t);
	EQ("A went Down", true, ad != NULL);
	if (ad) {
		EQ("A diag", BFD_DIAG_NEIGHBOR_DOWN, ad->diag);
		au = sim_find(m, 0, ST_UP, ad->at);
		EQ("A Up again", true, au != NULL);
		if (au)
			RANGE("A recovery time", 0, MTIME_MS(50), au->at - ad->at);
	}
	EQ("A state", ST_UP, m->side[0].s.state);
	EQ("B state", ST_UP, m->side[1].s.state);
	EQ("A remote_discr", 0xc0c0c0c0, m->side[0].s.remote_discr);
	EQ("A detection time", 60000, bfd_session_detect_time(&m->side[0].s));
	EQ("invariant violations", 0, m->errors);
	free(m);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fsm_table),
		cmocka_unit_test(test_admin_down_discards),
		cmocka_unit_test(test_slow_rate_while_not_up),
		cmocka_unit_test(test_detect_time),
		cmocka_unit_test(test_detect_from_arrival),
		cmocka_unit_test(test_detect_timeout),
		cmocka_unit_test(test_remote_discr_reset_after_silence),
		cmocka_unit_test(test_tx_interval),
		cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_jitter_applied_per_packet),
		cmocka_unit_test(test_tx_window),
		cmocka_unit_test(test_tx_coalesce),
		cmocka_unit_test(test_remote_min_rx_zero),
		cmocka_unit_test(test_remote_rx_change_applies_from_last_packet),
		cmocka_unit_test(test_remote_demand),
		cmocka_unit_test(test_built_packet_fields),
		cmocka_unit_test(test_detect_mult_change_immediate),
		cmocka_unit_test(test_init_variables),
		cmocka_unit_test(test_poll_answered_with_final),
		cmocka_unit_test(test_tx_increase_waits_for_final),
		cmocka_unit_test(test_rx_decrease_waits_for_final),
		cmocka_unit_test(test_poll_restart),
		cmocka_unit_test(test_set_params_unchanged_no_poll),
		cmocka_unit_test(test_path_down),
		cmocka_unit_test(test_admin_down_up),
		cmocka_unit_test(test_peer_restart_new_discr),
		cmocka_unit_test(test_sim_handshake),
		cmocka_unit_test(test_sim_one_way_from_start),
		cmocka_unit_test(test_sim_one_way_when_up),
		cmocka_unit_test(test_sim_admin_down_peer),
		cmocka_unit_test(test_sim_peer_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
