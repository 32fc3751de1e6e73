// SPDX-License-Identifier: GPL-2.0-or-later
/* BFD session state machine and timers (RFC 5880 §6.8), without I/O. */
#include <string.h>

#include "session.h"

/*
 * §6.8.6, the state changes driven by the peer's State field, as a table
 * indexed [local state][received state].  -1: no change.
 */
struct bfd_transition {
	int8_t new_state;
	uint8_t diag;
};

static const struct bfd_transition bfd_fsm[4][4] = {
	/* local AdminDown: packets are discarded before this table */
	[BFD_STATE_ADMIN_DOWN] = {
		{ -1, 0 }, { -1, 0 }, { -1, 0 }, { -1, 0 } },
	[BFD_STATE_DOWN] = {
		[BFD_STATE_ADMIN_DOWN] = { -1, 0 },
		[BFD_STATE_DOWN] = { BFD_STATE_INIT, BFD_DIAG_NONE },
		[BFD_STATE_INIT] = { BFD_STATE_UP, BFD_DIAG_NONE },
		[BFD_STATE_UP] = { -1, 0 },
	},
	[BFD_STATE_INIT] = {
		[BFD_STATE_ADMIN_DOWN] = { BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN },
		[BFD_STATE_DOWN] = { -1, 0 },
		[BFD_STATE_INIT] = { BFD_STATE_UP, BFD_DIAG_NONE },
		[BFD_STATE_UP] = { BFD_STATE_UP, BFD_DIAG_NONE },
	},
	[BFD_STATE_UP] = {
		[BFD_STATE_ADMIN_DOWN] = { BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN },
		[BFD_STATE_DOWN] = { BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN },
		[BFD_STATE_INIT] = { -1, 0 },
		[BFD_STATE_UP] = { -1, 0 },
	},
};

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* xorshift32: jitter needs spread, not secrecy. */
static uint32_t rng_next(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

uint32_t bfd_jitter(uint32_t *rng, uint32_t interval, uint8_t detect_mult)
{
	/* §6.8.7: reduce by 0-25%, or by 10-25% when Detect Mult is 1. */
	uint32_t min_pct = 75, max_pct = detect_mult == 1 ? 90 : 100;
	uint32_t pct = min_pct + rng_next(rng) % (max_pct - min_pct + 1);

	return (uint32_t)((uint64_t)interval * pct / 100);
}

uint32_t bfd_session_tx_interval(const struct bfd_session *s)
{
	/* §6.8.7: the slower of what we want and what the peer can take. */
	return max_u32(s->eff_desired_min_tx, s->remote_min_rx);
}

uint32_t bfd_session_detect_time(const struct bfd_session *s)
{
	/* §6.8.4, asynchronous mode. */
	uint64_t t = (uint64_t)s->remote_detect_mult *
		     max_u32(s->eff_required_min_rx, s->remote_desired_min_tx);

	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

/* The values advertised for the current state (§6.8.3's one-second rule). */
static void advertise(struct bfd_session *s)
{
	if (s->state == BFD_STATE_UP)
		s->desired_min_tx = s->params.desired_min_tx_us;
	else
		s->desired_min_tx = max_u32(s->params.desired_min_tx_us,
					    s->params.idle_tx_us ? s->params.idle_tx_us : BFD_SLOW_TX_US);
	s->required_min_rx = s->params.required_min_rx_us;
	s->detect_mult = s->params.detect_mult;
}

/*
 * Changes what we advertise; while Up that needs a Poll Sequence, and the
 * timers keep an increased tx interval / decreased rx interval until it ends.
 */
static void update_advertised(struct bfd_session *s)
{
	uint32_t old_tx = s->desired_min_tx, old_rx = s->required_min_rx;

	if (s->state == BFD_STATE_UP && (s->poll_active || s->poll_restart)) {
		/*
		 * §6.8.3: one change per Poll Sequence, or a Final could answer
		 * a Poll that carried the older values. Keep advertising those;
		 * bfd_session_rx() polls for the new ones once this sequence has
		 * ended and a packet without F has followed. Detect Mult needs
		 * no Poll (§6.8.12).
		 */
		s->poll_restart = true;
		s->detect_mult = s->params.detect_mult;
		return;
	}
	advertise(s);
	if (s->state != BFD_STATE_UP) {
		s->eff_desired_min_tx = s->desired_min_tx;
		s->eff_required_min_rx = s->required_min_rx;
		s->poll_active = false;
		s->poll_restart = false;
		return;
	}
	if (old_tx == s->desired_min_tx && old_rx == s->required_min_rx)
		return;
	if (s->desired_min_tx < s->eff_desired_min_tx)
		s->eff_desired_min_tx = s->desired_min_tx;
	if (s->required_min_rx > s->eff_required_min_rx)
		s->eff_required_min_rx = s->required_min_rx;
	s->poll_active = true;
}

static void arm_detect(struct bfd_session *s, mtime_t now)
{
	/* AdminDown discards packets (§6.8.6), so there is nothing to detect. */
	if (s->state == BFD_STATE_ADMIN_DOWN || s->last_rx == 0 || s->remote_detect_mult == 0) {
		s->detect_deadline = MTIME_NEVER;
		return;
	}
	s->detect_deadline = s->last_rx + bfd_session_detect_time(s);
	(void)now;
}

/*
 * Reschedules the next periodic packet after a change of interval. The
 * interval runs from the last packet sent: §6.8.3 "the local system cannot
 * wait longer than the new interval between the previous packet sent and
 * the next packet sent. If this interval has already passed since the last
 * transmission, a new packet MUST be transmitted immediately."
 */
static void rearm_tx(struct bfd_session *s, mtime_t now)
{
	mtime_t next, base = s->last_tx && s->last_tx <= now ? s->last_tx : now;

	if (s->remote_min_rx == 0 ||
	    (s->remote_demand && s->state == BFD_STATE_UP &&
	     s->remote_state == BFD_STATE_UP && !s->poll_active)) {
		/*
		 * §6.8.7: no periodic packets for a peer that asks for none;
		 * in remote Demand mode, only while no Poll Sequence runs.
		 */
		s->next_tx = MTIME_NEVER;
		return;
	}
	next = base + bfd_jitter(&s->rng, bfd_session_tx_interval(s), s->detect_mult);
	if (next < now)
		next = now;
	if (s->next_tx == MTIME_NEVER || next < s->next_tx)
		s->next_tx = next;
}

static void set_state(struct bfd_session *s, uint8_t state, uint8_t diag, mtime_t now,
		      struct bfd_output *out)
{
	if (!out->state_changed)
		out->old_state = s->state;
	out->state_changed = true;
	out->new_state = state;
	out->diag = diag;
	s->state = state;
	s->local_diag = diag;
	s->state_since = now;
	update_advertised(s);
	/* Tell the peer at once: waiting up to a slow interval would stall bring-up. */
	out->send = true;
}

void bfd_session_init(struct bfd_session *s, const struct bfd_session_params *p,
		      uint32_t local_discr, uint32_t seed, mtime_t now)
{
	memset(s, 0, sizeof(*s));
	s->params = *p;
	s->state = BFD_STATE_DOWN;
	s->remote_state = BFD_STATE_DOWN;
	s->local_discr = local_discr;
	s->remote_min_rx = 1;
	s->rng = seed ? seed : 0x9e3779b9u;
	s->state_since = now;
	s->detect_deadline = MTIME_NEVER;
	advertise(s);
	s->eff_desired_min_tx = s->desired_min_tx;
	s->eff_required_min_rx = s->required_min_rx;
	/* First packet soon, but spread so many sessions do not start in step. */
	s->next_tx = now + bfd_jitter(&s->rng, 20000, 3) / 4;
}

int bfd_session_rx(struct bfd_session *s, const struct bfd_packet *pkt, mtime_t rx_at,
		   mtime_t now, struct bfd_output *out)
{
	const struct bfd_transition *t;
	uint32_t old_tx_interval = bfd_session_tx_interval(s);

	memset(out, 0, sizeof(*out));
	/* §6.8.6, in the RFC's order. */
	s->remote_discr = pkt->my_discr;
	s->remote_state = pkt->state;
	s->remote_demand = pkt->demand;
	s->remote_min_rx = pkt->required_min_rx_us;
	s->remote_desired_min_tx = pkt->desired_min_tx_us;
	s->remote_detect_mult = pkt->detect_mult;

	if (pkt->poll) {
		s->final_pending = true;
		out->send = true;
	}
	if (pkt->final && s->poll_active) {
		s->poll_active = false;
		s->eff_desired_min_tx = s->desired_min_tx;
		s->eff_required_min_rx = s->required_min_rx;
	} else if (!pkt->final && !s->poll_active && s->poll_restart) {
		/* §6.8.3: F clear after the Final: now poll for the newer values. */
		s->poll_restart = false;
		update_advertised(s);
	}

	if (s->state == BFD_STATE_ADMIN_DOWN)
		return -1;

	/* §6.8.4: the detection time is measured from the last packet's arrival. */
	s->last_rx = rx_at > 0 && rx_at <= now ? rx_at : now;
	t = &bfd_fsm[s->state][pkt->state & 3];
	if (t->new_state >= 0 && t->new_state != s->state)
		set_state(s, (uint8_t)t->new_state, t->diag, now, out);

	arm_detect(s, now);
	/*
	 * §6.8.7: never faster than the interval now in force, so a packet
	 * scheduled at a shorter one is moved out to it.
	 */
	if (bfd_session_tx_interval(s) > old_tx_interval)
		s->next_tx = MTIME_NEVER;
	/* §6.8.7: also stop at once when the peer now asks for no packets. */
	if (bfd_session_tx_interval(s) != old_tx_interval || s->next_tx == MTIME_NEVER ||
	    s->remote_min_rx == 0 || s->remote_demand)
		rearm_tx(s, now);
	return 0;
}

void bfd_session_timer(struct bfd_session *s, mtime_t now, struct bfd_output *out)
{
	memset(out, 0, sizeof(*out));
	if (s->detect_deadline <= now) {
		s->detect_deadline = MTIME_NEVER;
		if (s->state == BFD_STATE_UP || s->state == BFD_STATE_INIT) {
			out->detect_us = now - s->last_rx;
			set_state(s, BFD_STATE_DOWN, BFD_DIAG_TIME_EXPIRED, now, out);
		}
		/* §6.8.1: forget the peer once it has gone silent. */
		s->remote_discr = 0;
		s->remote_state = BFD_STATE_DOWN;
		s->remote_demand = false;
		s->remote_min_rx = 1;
		rearm_tx(s, now);
	}
	if (s->next_tx <= now)
		out->send = true;
}

bool bfd_session_tx_window(const struct bfd_session *s, mtime_t *lo, mtime_t *hi)
{
	uint64_t iv = bfd_session_tx_interval(s);

	if (s->next_tx == MTIME_NEVER || s->last_tx == 0)
		return false;
	*lo = s->last_tx + (mtime_t)(iv * 75 / 100);
	*hi = s->last_tx + (mtime_t)(iv * (s->detect_mult == 1 ? 90 : 100) / 100);
	return true;
}

bool bfd_session_tx_pull(struct bfd_session *s, mtime_t now)
{
	mtime_t lo, hi;

	if (s->next_tx <= now || !bfd_session_tx_window(s, &lo, &hi) || lo > now)
		return false;
	s->next_tx = now;
	return true;
}

bool bfd_session_tx_align(struct bfd_session *s, mtime_t t)
{
	mtime_t lo, hi;

	if (!bfd_session_tx_window(s, &lo, &hi) || t < lo || t > hi)
		return false;
	s->next_tx = t;
	return true;
}

mtime_t bfd_session_next_event(const struct bfd_session *s)
{
	return mtime_min(s->next_tx, s->detect_deadline);
}

void bfd_session_build(struct bfd_session *s, struct bfd_packet *pkt, mtime_t now)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->version = BFD_VERSION;
	pkt->diag = s->local_diag;
	pkt->state = s->state;
	/* §6.8.7: a Final answers a Poll; both bits never together. */
	if (s->final_pending) {
		pkt->final = true;
		s->final_pending = false;
	} else if (s->poll_active) {
		pkt->poll = true;
	}
	pkt->detect_mult = s->detect_mult;
	pkt->my_discr = s->local_discr;
	pkt->your_discr = s->remote_discr;
	pkt->desired_min_tx_us = s->desired_min_tx;
	pkt->required_min_rx_us = s->required_min_rx;
	pkt->required_min_echo_rx_us = 0;	/* no Echo function */
	s->last_tx = now;
	s->next_tx = MTIME_NEVER;
	rearm_tx(s, now);
}

void bfd_session_set_params(struct bfd_session *s, const struct bfd_session_params *p,
			    mtime_t now, struct bfd_output *out)
{
	memset(out, 0, sizeof(*out));
	s->params = *p;
	update_advertised(s);
	arm_detect(s, now);
	/*
	 * Keep the packet already scheduled: pushing it out could stretch the
	 * gap past the interval (§6.8.7). §6.5: the Poll rides on scheduled
	 * packets, "additional packets MUST NOT be sent".
	 */
	rearm_tx(s, now);
}

void bfd_session_admin_down(struct bfd_session *s, uint8_t diag, mtime_t now,
			    struct bfd_output *out)
{
	memset(out, 0, sizeof(*out));
	if (s->state == BFD_STATE_ADMIN_DOWN)
		return;
	set_state(s, BFD_STATE_ADMIN_DOWN, diag, now, out);
	s->detect_deadline = MTIME_NEVER;
	s->next_tx = MTIME_NEVER;
	rearm_tx(s, now);
}

void bfd_session_admin_up(struct bfd_session *s, mtime_t now, struct bfd_output *out)
{
	memset(out, 0, sizeof(*out));
	if (s->state != BFD_STATE_ADMIN_DOWN)
		return;
	set_state(s, BFD_STATE_DOWN, BFD_DIAG_NONE, now, out);
	s->remote_discr = 0;
	s->last_rx = 0;
	s->next_tx = MTIME_NEVER;
	rearm_tx(s, now);
}

void bfd_session_path_down(struct bfd_session *s, mtime_t now, struct bfd_output *out)
{
	memset(out, 0, sizeof(*out));
	if (s->state != BFD_STATE_UP && s->state != BFD_STATE_INIT)
		return;
	out->detect_us = 0;
	set_state(s, BFD_STATE_DOWN, BFD_DIAG_PATH_DOWN, now, out);
	s->detect_deadline = MTIME_NEVER;
	s->remote_discr = 0;
	s->remote_state = BFD_STATE_DOWN;
	s->next_tx = MTIME_NEVER;
	rearm_tx(s, now);
}

void bfd_session_kick(struct bfd_session *s, mtime_t now)
{
	if (s->state != BFD_STATE_UP && s->state != BFD_STATE_ADMIN_DOWN &&
	    s->next_tx != MTIME_NEVER)
		s->next_tx = now;
}
