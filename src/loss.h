/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Probe loss estimation, pure: how many of the peer's BFD packets did not
 * arrive over a sliding window.  BFD has no sequence numbers, so the peer's
 * sending interval is estimated as the median gap between arrivals (a
 * missing packet makes one gap twice as long; the median ignores that until
 * half the packets are lost), and the loss is 1 - received / expected.
 * Arrival times should come from the kernel (SO_TIMESTAMPNS), so a daemon
 * that was busy for a moment does not see packets bunched together.
 */
#ifndef MR_LOSS_H
#define MR_LOSS_H

#include <stdint.h>

#include "mtime.h"

#define LOSS_GAPS 256		/* arrival gaps kept for the median */
#define LOSS_BUCKETS 10		/* window, in one-second buckets */
#define LOSS_MIN_EXPECTED 100	/* fewer expected packets: no verdict */

struct loss {
	int64_t last_ns;		/* last arrival, 0 = none */
	uint32_t gaps[LOSS_GAPS];	/* microseconds */
	int ngaps, gi;
	uint32_t rx[LOSS_BUCKETS];	/* arrivals per completed bucket */
	uint32_t cur;			/* arrivals in the bucket being filled */
	mtime_t bucket_end;		/* end of the bucket being filled */
	int nb;				/* completed buckets in rx[], up to LOSS_BUCKETS */
	int bi;				/* next slot of rx[] */
};

/* Starts over (the peer's rate changes with the session's state). */
void loss_reset(struct loss *l, mtime_t now);
/* One packet arrived at at_ns (any clock, nanoseconds). */
void loss_rx(struct loss *l, int64_t at_ns);
/* Closes the buckets that ended by `now`; call at least once a second. */
void loss_tick(struct loss *l, mtime_t now);
/*
 * Estimated loss over the window in tenths of a percent (0..1000), or -1
 * when there is not enough data for a verdict yet.
 */
int loss_permille(const struct loss *l);

#endif
