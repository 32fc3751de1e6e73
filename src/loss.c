// SPDX-License-Identifier: GPL-2.0-or-later
/* Probe loss from the senders' own counts, and round-trip times (see loss.h). */
#include <stdlib.h>
#include <string.h>

#include "loss.h"

const char *loss_src_name(int src)
{
	switch (src) {
	case LOSS_SRC_REPORT:
		return "link reports";
	case LOSS_SRC_AUTH:
		return "auth sequence";
	default:
		return "none";
	}
}

void loss_dir_reset(struct loss_dir *d)
{
	memset(d, 0, sizeof(*d));
}

static void run_start(struct loss_dir *d, uint8_t src, uint32_t kl, uint32_t kr, uint32_t sent,
		      uint32_t rcvd, mtime_t at)
{
	loss_dir_reset(d);
	d->src = src;
	d->have = true;
	d->key_local = kl;
	d->key_remote = kr;
	d->last_sent = sent;
	d->last_rcvd = rcvd;
	d->last_at = d->run_at = at;
}

int loss_sample(struct loss_dir *d, uint8_t src, uint32_t key_local, uint32_t key_remote,
		uint32_t sent, uint32_t rcvd, mtime_t at)
{
	uint32_t ds, dr;
	struct loss_delta *e;

	if (!d->have || d->src != src || d->key_local != key_local ||
	    d->key_remote != key_remote || at - d->last_at > LOSS_MAX_GAP) {
		run_start(d, src, key_local, key_remote, sent, rcvd, at);
		return LOSS_SAMPLE_FIRST;
	}
	if (at <= d->last_at)
		return LOSS_SAMPLE_OLD;
	ds = sent - d->last_sent;
	dr = rcvd - d->last_rcvd;
	/* Backwards, or more arrived than was sent: not the same stream. */
	if (ds >= 1u << 31 || dr >= 1u << 31 || dr > ds + LOSS_EDGE || ds > UINT16_MAX) {
		run_start(d, src, key_local, key_remote, sent, rcvd, at);
		return LOSS_SAMPLE_RESET;
	}
	if (d->n == LOSS_RING)
		d->base_ms = d->d[d->head].at_ms;	/* the oldest is overwritten */
	e = &d->d[d->head];
	e->at_ms = (uint32_t)((at - d->run_at) / 1000);
	e->sent = (uint16_t)ds;
	e->lost = (int16_t)((int32_t)ds - (int32_t)dr);
	d->head = (uint8_t)((d->head + 1) % LOSS_RING);
	if (d->n < LOSS_RING)
		d->n++;
	d->last_sent = sent;
	d->last_rcvd = rcvd;
	d->last_at = at;
	return LOSS_SAMPLE_ADDED;
}

bool loss_fresh(const struct loss_dir *d, mtime_t now)
{
	return d->have && d->src != LOSS_SRC_NONE && now - d->last_at <= LOSS_STALE;
}

void loss_window(const struct loss_dir *d, mtime_t width, struct loss_count *c)
{
	uint32_t end_ms, w_ms = (uint32_t)(width / 1000), start_ms;
	int i;

	memset(c, 0, sizeof(*c));
	if (!d->have || d->n == 0)
		return;
	end_ms = d->d[(d->head + LOSS_RING - 1) % LOSS_RING].at_ms;
	/* Newest first; a delta counts when it begins within the window. */
	for (i = 1; i <= d->n; i++) {
		const struct loss_delta *e = &d->d[(d->head + LOSS_RING - i) % LOSS_RING];

		start_ms = i < d->n ? d->d[(d->head + LOSS_RING - i - 1) % LOSS_RING].at_ms :
		       d->base_ms;
		if (end_ms - start_ms > w_ms)
			break;
		c->sent += e->sent;
		c->lost += e->lost;
		c->span = (mtime_t)(end_ms - start_ms) * 1000;
	}
}

int loss_permille(const struct loss_dir *d, mtime_t now)
{
	struct loss_count c;

	if (!loss_fresh(d, now))
		return -1;
	loss_window(d, LOSS_SHORT, &c);
	if (c.sent == 0)
		return -1;
	return c.lost <= 0 ? 0 : (int)((uint64_t)c.lost * 1000 / c.sent);
}

/*
 * lost / sent >= num / den of max (permille), with at least LOSS_MIN_LOST
 * lost: integers only, so the boundary is exact.
 */
static bool at_least(const struct loss_count *c, unsigned max, unsigned num, unsigned den)
{
	return c->lost >= LOSS_MIN_LOST &&
	       (uint64_t)c->lost * 1000 * den >= (uint64_t)max * num * c->sent;
}

/* Does one direction trip?  Fills v when it does. */
static bool trips(const struct loss_dir *d, int dir, unsigned max, mtime_t now,
		  struct loss_verdict *v)
{
	static const struct { mtime_t width, span; unsigned num, den; } levels[] = {
		{ LOSS_SHORT, 0, 7, 8 },
		{ LOSS_LONG, LOSS_LONG_SPAN, 1, 2 },
	};
	struct loss_count c;
	size_t i;

	if (!loss_fresh(d, now))
		return false;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		loss_window(d, levels[i].width, &c);
		if (c.span >= levels[i].span && at_least(&c, max, levels[i].num, levels[i].den)) {
			v->dir = dir;
			v->src = d->src;
			v->width = levels[i].width;
			v->c = c;
			return true;
		}
	}
	return false;
}

/* Is one direction (fresh) below a quarter of max-loss over a long enough window? */
static bool below_return(const struct loss_dir *d, unsigned max, struct loss_count *c)
{
	loss_window(d, LOSS_LONG, c);
	if (c->span < LOSS_LONG_SPAN)
		return false;
	return c->lost <= 0 || (uint64_t)c->lost * 1000 * 4 < (uint64_t)max * c->sent;
}

void loss_judge(const struct loss_dir *from, const struct loss_dir *to, unsigned max_permille,
		bool out, mtime_t out_since, mtime_t now, struct loss_verdict *v)
{
	const struct loss_dir *dirs[2] = { from, to };
	struct loss_verdict clear;
	bool counted = false;
	int i;

	memset(v, 0, sizeof(*v));
	v->action = LOSS_KEEP;
	if (!out) {
		for (i = 0; i < 2 && max_permille; i++)
			if (trips(dirs[i], i, max_permille, now, v)) {
				v->action = LOSS_TRIP;
				return;
			}
		return;
	}
	if (max_permille == 0) {
		v->action = LOSS_CLEAR;
		return;
	}
	/* Every direction with counts must be low; the first one found tells why. */
	memset(&clear, 0, sizeof(clear));
	for (i = 1; i >= 0; i--) {
		struct loss_count c;

		if (!loss_fresh(dirs[i], now))
			continue;
		counted = true;
		v->dir = clear.dir = i;
		v->src = clear.src = dirs[i]->src;
		v->width = clear.width = LOSS_LONG;
		if (!below_return(dirs[i], max_permille, &c)) {
			v->c = c;
			return;
		}
		clear.c = c;
	}
	/* No counts at all (the peer stopped reporting): the benefit of the doubt, after a while. */
	if (counted || now - out_since >= LOSS_GIVE_UP) {
		*v = clear;
		v->action = LOSS_CLEAR;
	}
}

/* ---- kernel arrival stamps ---- */

void loss_rx_add(struct loss_rx *r, mtime_t at, bool trusted)
{
	uint32_t bit = 1u << r->head;

	r->count++;
	r->at[r->head] = at;
	r->untrusted = trusted ? r->untrusted & ~bit : r->untrusted | bit;
	r->head = (uint8_t)((r->head + 1) % LOSS_RX_RING);
	if (r->n < LOSS_RX_RING)
		r->n++;
}

bool loss_rx_count_at(const struct loss_rx *r, mtime_t t, uint32_t *count)
{
	uint32_t after = 0;
	bool reached = false;
	int i;

	for (i = 1; i <= r->n; i++) {
		int k = (r->head + LOSS_RX_RING - i) % LOSS_RX_RING;

		if (r->at[k] > t) {
			/* A stamp that is the read time may be later than the arrival. */
			if (r->untrusted >> k & 1u)
				return false;
			after++;
		} else {
			reached = true;
		}
	}
	/* Every arrival since the start is in the ring, or one of them is not after t. */
	if (!reached && r->n < r->count)
		return false;
	*count = r->count - after;
	return true;
}

/* ---- round-trip time ---- */

void rtt_add(struct rtt *r, uint32_t us, mtime_t at)
{
	r->us[r->head] = us;
	r->head = (uint8_t)((r->head + 1) % RTT_SAMPLES);
	if (r->n < RTT_SAMPLES)
		r->n++;
	r->last_at = at;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int64_t rtt_median(const struct rtt *r, mtime_t now)
{
	uint32_t s[RTT_SAMPLES];

	if (r->n == 0 || now - r->last_at > RTT_STALE)
		return -1;
	memcpy(s, r->us, sizeof(s));
	/* The ring's unused slots are at the end until it is full. */
	qsort(s, r->n, sizeof(s[0]), cmp_u32);
	return r->n % 2 ? s[r->n / 2] : ((int64_t)s[r->n / 2 - 1] + s[r->n / 2]) / 2;
}

int64_t rtt_jitter(const struct rtt *r, mtime_t now)
{
	uint64_t sum = 0;
	int i;

	if (r->n < 2 || now - r->last_at > RTT_STALE)
		return -1;
	for (i = 1; i < r->n; i++) {
		uint32_t a = r->us[(r->head + RTT_SAMPLES - i) % RTT_SAMPLES];
		uint32_t b = r->us[(r->head + RTT_SAMPLES - i - 1) % RTT_SAMPLES];

		sum += a > b ? a - b : b - a;
	}
	return (int64_t)(sum / (uint64_t)(r->n - 1));
}
