/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MTU sessions over the daemon's session tables: per (fast port, peer),
 * in one family, a second BFD session whose packets are padded to the
 * port's MTU and sent with Don't Fragment (RFC 9764).  Its handshake
 * proves that full-size frames pass both ways, which the small regular
 * probes cannot; the port carries traffic to the peer only while both are
 * Up (mtu.h's gate).  This module reads the tables through a view and
 * returns verdict changes: the daemon logs, alerts and re-decides the
 * routes.  No I/O.
 */
#ifndef MR_MTUSESS_H
#define MR_MTUSESS_H

#include <stdbool.h>

#include "config.h"
#include "mtime.h"
#include "mtu.h"
#include "sess.h"
#include "session.h"

/* The daemon's tables, lent for one call. */
struct mtusess_view {
	const struct mr_config *cfg;
	struct mr_sess *sess;		/* regular sessions: what a verdict is about */
	int nsess;
	struct mr_sess *msess;		/* MTU sessions, one per (fast port, peer) */
	int nmsess;
};

/* The BFD timers of an MTU session of cfg (mtu-probe-interval). */
void mtusess_params(const struct mr_config *cfg, struct bfd_session_params *p);

/* The MTU session of (port, peer), NULL if none. */
struct mr_sess *mtusess_of(const struct mtusess_view *v, const struct mr_port *port, int peer);

/*
 * Regular session s as a path candidate (path.h): its MTU session's
 * verdict may hold it back (mtu_gate()).  up and up_since as path.h has them.
 */
void mtusess_gate(const struct mtusess_view *v, const struct mr_sess *s, mtime_t now,
		  bool in_service, bool *up, mtime_t *up_since);

/* A changed verdict of MTU session m, for the caller's log line and alert. */
struct mtusess_change {
	enum mtu_verdict old, new;
	bool alert;		/* failed, or failed -> ok: worth an alert */
	char diag[96];		/* failed: what passes and what does not */
};

/*
 * Judges m again (mtu_judge(); m->verdict_recheck says when next): true
 * when its verdict changed, with *chg filled and m->verdict updated.
 */
bool mtusess_judge(const struct mtusess_view *v, struct mr_sess *m, mtime_t now,
		   struct mtusess_change *chg);

/*
 * MTU session m left Up (out: its output).  While the small probes still
 * pass, that is a failure of the link: counted as a flap of m and damped
 * on the link's regular sessions (half_life); with them down it is
 * counted once, by the regular session.
 */
void mtusess_left_up(const struct mtusess_view *v, struct mr_sess *m,
		     const struct bfd_output *out, mtime_t half_life, mtime_t now);

/* The earliest timer of the MTU sessions (idle ones run with other wake-ups) and rechecks. */
mtime_t mtusess_next_deadline(const struct mtusess_view *v);

#endif
