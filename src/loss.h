/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Probe loss and round-trip time of a link, pure: no I/O, no clock reads.
 *
 * Loss is counted, never guessed from arrival gaps: a late sender and a
 * lossy wire look the same in the gaps, but a late sender also SENDS fewer
 * probes.  So each direction of a session is judged from pairs of
 * cumulative counts (probes the sender sent, probes the receiver got) taken
 * at the same cut through the stream; between two pairs, lost = delta sent
 * - delta received.  The pairs come from the peer's link reports
 * (linkrep.h: its sent count, our received count up to the report's kernel
 * arrival stamp -- the other direction the peer measured the same way and
 * echoes back), or, for a peer without reports, from RFC 5880 meticulous
 * authentication, whose sequence number is the sender's own count.
 * Without either nothing is judged.  The caller starts a direction over
 * (loss_dir_reset) when its session changes state: probes lost in an outage
 * are BFD's business, not the cable's loss.
 *
 * A cut can be off by at most one probe at each end (a probe sent just
 * before the report, overtaken by it on another CPU or queue), so any
 * window's count is off by at most LOSS_EDGE; a verdict needs
 * LOSS_MIN_LOST > LOSS_EDGE lost probes, so edges alone never trip it.
 *
 * Trip rule, per direction, on every new pair, with M = max-loss:
 *	over the last 10 s: lost >= LOSS_MIN_LOST and lost/sent >= 7/8 M, or
 *	over the last 30 s: lost >= LOSS_MIN_LOST and lost/sent >= 1/2 M,
 *	once the pairs span LOSS_LONG_SPAN (a shorter span is not the
 *	sample the 1/2 M level was worked out for).
 * Return (the link was taken out): over the last 30 s (again spanning at
 * least LOSS_LONG_SPAN) lost/sent < 1/4 M in every direction with counts --
 * half the lower trip level, the same 2:1 hysteresis as before.
 *
 * Why those levels (one direction, binomial; scripts/loss-stats.py prints
 * every figure): a peer at 20 ms sends 57 probes/s (RFC 5880 jitter makes
 * the mean interval 87.5 %).  A report comes at most 1.1 s after the last,
 * so 10 s after a loss began the newest pair holds >= 8.9 s of it.  5 %
 * lost: the 10-s window has 571 probes, the trip needs 10 lost, 25 are
 * expected: missed with probability 1.3e-4 (1.6e-7 at 10 ms).  2 % lost:
 * the 30-s window (1714 probes) needs 18, 33 are expected: missed by 30 s
 * with probability 1.5e-3 (9e-6 at 10 ms; both directions lossy, as on a
 * bad cable: 2e-6).  2 % cannot be told from 1 % much better in 30 s at
 * these rates: that is why the 30-s level is M/2, not M.  The price is a
 * grey zone below M: at 20 ms a link losing 0.5 % is taken out many times
 * a day, one losing 0.25 % every few days to weeks (0.024-0.27 a day,
 * simulated 0.1), 0.1 % practically never, and a clean link (counts are
 * exact) never.  At 10 ms everything is sharper (0.25 %: never).
 */
#ifndef MR_LOSS_H
#define MR_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "mtime.h"

#define LOSS_SHORT MTIME_S(10)		/* the short window */
#define LOSS_LONG MTIME_S(30)		/* the long window */
#define LOSS_RING 40			/* pairs kept: > 30 s of one a second, jittered */
#define LOSS_EDGE 2			/* the most a window's count is off by its cuts */
#define LOSS_MIN_LOST 4			/* fewer lost in a window never trip */
#define LOSS_MAX_GAP MTIME_S(10)	/* pairs further apart: a new run */
#define LOSS_STALE MTIME_S(5)		/* no pair for this long: the direction is unknown */
#define LOSS_LONG_SPAN MTIME_S(25)	/* the long window counts once its pairs span this */
#define LOSS_GIVE_UP MTIME_S(30)	/* out, and no counts at all this long: return */

/* Where a direction's counts come from. */
enum loss_src {
	LOSS_SRC_NONE = 0,
	LOSS_SRC_REPORT,	/* the peer's link reports (both directions) */
	LOSS_SRC_AUTH,		/* the peer's meticulous auth sequence numbers (from it only) */
};

/* The stream of probes between one pair and the next. */
struct loss_delta {
	uint32_t at_ms;		/* the later pair's time, ms since the run began */
	uint16_t sent;
	int16_t lost;		/* sent - received: may be -LOSS_EDGE..-1 at a cut */
};

/* One direction of one session. */
struct loss_dir {
	uint8_t src;			/* enum loss_src of the run */
	uint8_t n, head;		/* deltas in d[], next slot */
	bool have;			/* a run began: the last_* fields hold its newest pair */
	uint32_t key_local, key_remote;	/* the two discriminators the counts belong to */
	uint32_t last_sent, last_rcvd;
	mtime_t last_at;		/* the newest pair */
	mtime_t run_at;			/* the run's first pair (at_ms counts from it) */
	uint32_t base_ms;		/* where the oldest delta in d[] begins */
	struct loss_delta d[LOSS_RING];
};

/* Forgets everything (the direction becomes unknown). */
void loss_dir_reset(struct loss_dir *d);

enum loss_sample_result {
	LOSS_SAMPLE_ADDED,	/* a delta for the windows */
	LOSS_SAMPLE_FIRST,	/* the first pair of a new run (source, discriminators, a gap) */
	LOSS_SAMPLE_OLD,	/* not after the newest pair: ignored */
	LOSS_SAMPLE_RESET,	/* counts that cannot be one stream: a new run from this pair */
};

/*
 * A pair of cumulative counts (modulo 2^32) at `at`: the sender's `sent`
 * and the receiver's `rcvd`, of the session whose discriminators are
 * key_local and key_remote, counted by `src`.  Counts that do not continue
 * the run (another source or session, fewer than before, more received than
 * sent beyond LOSS_EDGE, more than LOSS_MAX_GAP after the previous pair)
 * start a new one.  Returns enum loss_sample_result.
 */
int loss_sample(struct loss_dir *d, uint8_t src, uint32_t key_local, uint32_t key_remote,
		uint32_t sent, uint32_t rcvd, mtime_t at);

/* A pair within LOSS_STALE of now. */
bool loss_fresh(const struct loss_dir *d, mtime_t now);

struct loss_count {
	uint32_t sent;
	int32_t lost;		/* can be slightly negative: the cuts */
	mtime_t span;		/* time the counted deltas cover, us */
};

/*
 * The deltas of the current run that lie within `width` before its newest
 * pair (the window ends at the newest pair, not at now).
 */
void loss_window(const struct loss_dir *d, mtime_t width, struct loss_count *c);

/* Loss over the short window in tenths of a percent, -1 when not fresh or nothing sent. */
int loss_permille(const struct loss_dir *d, mtime_t now);

enum loss_action { LOSS_KEEP, LOSS_TRIP, LOSS_CLEAR };
enum loss_dir_id { LOSS_FROM_PEER, LOSS_TO_PEER };

struct loss_verdict {
	int action;		/* enum loss_action */
	int dir;		/* enum loss_dir_id of a trip (or the worse one) */
	uint8_t src;		/* its counts' source */
	mtime_t width;		/* LOSS_SHORT or LOSS_LONG */
	struct loss_count c;	/* the window that decided */
};

/*
 * The trip rule and its return (above) at `now`, for a link that is in
 * service (out false) or was taken out for loss at out_since.  from: the
 * peer's probes to us; to: ours to the peer.  max_permille 0: never trips
 * (a link out returns).
 */
void loss_judge(const struct loss_dir *from, const struct loss_dir *to, unsigned max_permille,
		bool out, mtime_t out_since, mtime_t now, struct loss_verdict *v);

/*
 * Kernel arrival stamps of the latest probes received on a session, to cut
 * the received count at a report's arrival.
 */
#define LOSS_RX_RING 32
struct loss_rx {
	uint32_t count;			/* probes received, modulo 2^32 */
	uint8_t n, head;
	uint32_t untrusted;		/* bit per slot: a stamp not from the kernel */
	mtime_t at[LOSS_RX_RING];
};

/* One more probe received, arrived at `at`; trusted: the kernel's stamp. */
void loss_rx_add(struct loss_rx *r, mtime_t at, bool trusted);

/*
 * *count = probes received that arrived no later than t.  False when the
 * ring does not reach back to t (more than LOSS_RX_RING arrived since) or
 * a probe after t has an untrusted stamp.
 */
bool loss_rx_count_at(const struct loss_rx *r, mtime_t t, uint32_t *count);

/* Round-trip times of a link: the latest RTT_SAMPLES. */
#define RTT_SAMPLES 16
#define RTT_STALE MTIME_S(10)
struct rtt {
	uint32_t us[RTT_SAMPLES];	/* in arrival order, a ring */
	uint8_t n, head;
	mtime_t last_at;
};

void rtt_add(struct rtt *r, uint32_t us, mtime_t at);
/* Median of the kept samples, us; -1 when none arrived within RTT_STALE. */
int64_t rtt_median(const struct rtt *r, mtime_t now);
/*
 * Jitter: the mean absolute difference between consecutive samples (RFC
 * 3550's measure of variation, over RTTs), us; -1 with fewer than two.
 */
int64_t rtt_jitter(const struct rtt *r, mtime_t now);

/* "link reports", "auth sequence", "none" */
const char *loss_src_name(int src);

#endif
