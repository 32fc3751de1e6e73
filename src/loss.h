/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Probe loss estimation, pure: how many of the peer's BFD packets did not
 * arrive over a sliding window.  BFD has no sequence numbers, so every gap
 * between two arrivals is judged against the peer's interval, estimated as
 * the median of recent gaps: RFC 5880 §6.8.7 jitter keeps a gap between 75
 * and 100 % of the interval, so one lost packet makes a gap of 150-200 %
 * and a gap of about k medians hides k - 1 lost packets (up to 8 in a row:
 * a longer gap is a pause, the detection time's business).  The loss is
 * lost / (received + lost), both counted from the same gaps, so it does not
 * depend on where the window's edges fall or on the exact rate.
 * Arrival times should come from the kernel (SO_TIMESTAMPNS), so a daemon
 * that was busy for a moment does not see packets bunched together.
 */
#ifndef MR_LOSS_H
#define MR_LOSS_H

#include <stdint.h>

#include "mtime.h"

#define LOSS_GAPS 128		/* arrival gaps kept for the median */
#define LOSS_MIN_GAPS 32	/* fewer: no reference interval yet */
#define LOSS_BUCKETS 10		/* window, in one-second buckets */
#define LOSS_MIN_PACKETS 100	/* fewer received + lost in the window: no verdict */

struct loss {
	int64_t last_ns;		/* last arrival, 0 = none */
	uint32_t gaps[LOSS_GAPS];	/* microseconds, a ring */
	int ngaps, gi;
	uint32_t ref_us;		/* median gap at the last tick, 0 = not known yet */
	uint32_t rx[LOSS_BUCKETS];	/* arrivals per completed bucket */
	uint32_t lost[LOSS_BUCKETS];	/* packets missing from the gaps, per bucket */
	uint32_t cur_rx, cur_lost;	/* the bucket being filled */
	mtime_t bucket_end;		/* end of the bucket being filled */
	int nb;				/* completed buckets, up to LOSS_BUCKETS */
	int bi;				/* next slot of rx[] / lost[] */
};

/* Starts over (the peer's rate changes with the session's state). */
void loss_reset(struct loss *l, mtime_t now);
/* One packet arrived at at_ns (any clock, nanoseconds, not going back). */
void loss_rx(struct loss *l, int64_t at_ns);
/*
 * Closes the buckets that ended by `now` and re-estimates the peer's
 * interval; call about once a second.
 */
void loss_tick(struct loss *l, mtime_t now);
/*
 * Estimated loss over the window in tenths of a percent (0..1000), or -1
 * when there is not enough data for a verdict yet (a full window since the
 * last reset, with at least LOSS_MIN_PACKETS judged).
 */
int loss_permille(const struct loss *l);

#endif
