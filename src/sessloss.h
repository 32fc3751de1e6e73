/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A session's probe loss, judged (max-loss): loss.c counts and decides,
 * this module applies it to one session of the daemon's (its figures, when
 * it goes out of service and comes back, and the log line an admin greps
 * for) and returns what changed; the daemon alerts, damps and takes the
 * session AdminDown or back up.  No I/O besides the log.
 */
#ifndef MR_SESSLOSS_H
#define MR_SESSLOSS_H

#include "config.h"
#include "mtime.h"
#include "sess.h"

/* Up this long without counts from the peer: say so, once. */
#define SESSLOSS_NO_COUNTS_AFTER MTIME_S(10)

enum sessloss_action {
	SESSLOSS_NONE,
	SESSLOSS_OUT,		/* loss too high: take the session out of service (AdminDown) */
	SESSLOSS_BACK,		/* low again, or unknown for too long: back in service */
};

/* What to tell the admin's alert command (the log line is written already). */
struct sessloss_change {
	enum sessloss_action action;
	char diag[48];		/* "loss 5.7% to peer", or "loss unknown" */
};

/*
 * New counts, or time passed: the session's loss figures (loss_permille,
 * loss_to_permille) brought up to date and, for a regular fast session
 * not drained, the verdict.  On SESSLOSS_OUT/BACK, s->loss_out (and
 * loss_out_since) already say so, and *chg tells the rest.
 */
enum sessloss_action sessloss_check(struct mr_sess *s, const struct mr_config *cfg, mtime_t now,
				    struct sessloss_change *chg);

/*
 * Once a second per session: the peer's meticulous sequence numbers as a
 * pair of counts when it sends no reports, then sessloss_check() (the
 * verdicts that time alone changes: a window going stale, the give-up),
 * and "no counts" logged once.
 */
enum sessloss_action sessloss_tick(struct mr_sess *s, const struct mr_config *cfg, mtime_t now,
				   struct sessloss_change *chg);

#endif
