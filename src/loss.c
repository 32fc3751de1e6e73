// SPDX-License-Identifier: GPL-2.0-or-later
/* Probe loss estimation from arrival counts and the median arrival gap. */
#include <stdlib.h>
#include <string.h>

#include "loss.h"

#define BUCKET_US MTIME_S(1)

void loss_reset(struct loss *l, mtime_t now)
{
	memset(l, 0, sizeof(*l));
	l->bucket_end = now + BUCKET_US;
}

void loss_rx(struct loss *l, int64_t at_ns)
{
	if (l->last_ns && at_ns > l->last_ns) {
		int64_t gap = (at_ns - l->last_ns) / 1000;

		l->gaps[l->gi] = gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
		l->gi = (l->gi + 1) % LOSS_GAPS;
		if (l->ngaps < LOSS_GAPS)
			l->ngaps++;
	}
	l->last_ns = at_ns;
	l->cur++;
}

void loss_tick(struct loss *l, mtime_t now)
{
	/* A long stall closes several buckets; the later ones saw nothing. */
	while (now >= l->bucket_end) {
		l->rx[l->bi] = l->cur;
		l->bi = (l->bi + 1) % LOSS_BUCKETS;
		if (l->nb < LOSS_BUCKETS)
			l->nb++;
		l->cur = 0;
		l->bucket_end += BUCKET_US;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int loss_permille(const struct loss *l)
{
	uint32_t sorted[LOSS_GAPS], median;
	uint64_t received = 0, expected;
	int i;

	if (l->nb < LOSS_BUCKETS || l->ngaps < LOSS_GAPS / 4)
		return -1;
	memcpy(sorted, l->gaps, (size_t)l->ngaps * sizeof(sorted[0]));
	qsort(sorted, (size_t)l->ngaps, sizeof(sorted[0]), cmp_u32);
	median = sorted[l->ngaps / 2];
	if (median == 0)
		return -1;
	for (i = 0; i < LOSS_BUCKETS; i++)
		received += l->rx[i];
	expected = (uint64_t)LOSS_BUCKETS * BUCKET_US / median;
	if (expected < LOSS_MIN_EXPECTED)
		return -1;
	if (received >= expected)
		return 0;
	return (int)((expected - received) * 1000 / expected);
}
