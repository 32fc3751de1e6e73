// SPDX-License-Identifier: GPL-2.0-or-later
/* Probe loss estimation from arrival gaps (see loss.h). */
#include <stdlib.h>
#include <string.h>

#include "loss.h"

#define BUCKET_US MTIME_S(1)
/*
 * A gap hiding more than this many packets in a row is a pause, not frame
 * loss: random loss of a few percent almost never loses eight in a row,
 * a longer silence is BFD's detection time's business, and a peer whose
 * daemon was stopped or starved for a while (it sent nothing) must not
 * look like a lossy cable afterwards.
 */
#define LOSS_MAX_RUN 8

void loss_reset(struct loss *l, mtime_t now)
{
	memset(l, 0, sizeof(*l));
	l->bucket_end = now + BUCKET_US;
}

void loss_rx(struct loss *l, int64_t at_ns)
{
	if (l->last_ns && at_ns > l->last_ns) {
		int64_t gap = (at_ns - l->last_ns) / 1000;
		uint32_t g = gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;

		l->gaps[l->gi] = g;
		l->gi = (l->gi + 1) % LOSS_GAPS;
		if (l->ngaps < LOSS_GAPS)
			l->ngaps++;
		if (l->ref_us) {
			/* Rounded: 0.75..1 intervals is none lost, 1.5..2 one, ... */
			uint64_t k = ((uint64_t)g + l->ref_us / 2) / l->ref_us;

			if (k > 1 && k - 1 <= LOSS_MAX_RUN)
				l->cur_lost += (uint32_t)(k - 1);
		}
	}
	if (l->last_ns == 0 || at_ns > l->last_ns)
		l->last_ns = at_ns;
	/* Arrivals before the interval is known are not judged, so not counted. */
	if (l->ref_us)
		l->cur_rx++;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void loss_tick(struct loss *l, mtime_t now)
{
	/* A long stall closes several buckets; the later ones saw nothing. */
	while (now >= l->bucket_end) {
		if (l->ref_us) {
			l->rx[l->bi] = l->cur_rx;
			l->lost[l->bi] = l->cur_lost;
			l->bi = (l->bi + 1) % LOSS_BUCKETS;
			if (l->nb < LOSS_BUCKETS)
				l->nb++;
		}
		l->cur_rx = l->cur_lost = 0;
		l->bucket_end += BUCKET_US;
	}
	/*
	 * The median of the last LOSS_GAPS gaps: lost packets lengthen a few
	 * gaps, extra packets (state changes, Final) shorten a few; neither
	 * moves the median until they are half of them.
	 */
	if (l->ngaps >= LOSS_MIN_GAPS) {
		uint32_t sorted[LOSS_GAPS];

		memcpy(sorted, l->gaps, (size_t)l->ngaps * sizeof(sorted[0]));
		qsort(sorted, (size_t)l->ngaps, sizeof(sorted[0]), cmp_u32);
		l->ref_us = sorted[l->ngaps / 2];
	}
}

int loss_permille(const struct loss *l)
{
	uint64_t rx = 0, lost = 0;
	int i;

	if (l->nb < LOSS_BUCKETS)
		return -1;
	for (i = 0; i < LOSS_BUCKETS; i++) {
		rx += l->rx[i];
		lost += l->lost[i];
	}
	if (rx + lost < LOSS_MIN_PACKETS)
		return -1;
	return (int)(lost * 1000 / (rx + lost));
}
