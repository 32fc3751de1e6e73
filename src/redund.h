/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Redundancy towards a peer: a working fast path and a working LAN path.
 * Losing either (fast down while the LAN is down too, or the LAN down
 * while the fast link works) is worth telling, since the next failure is
 * an outage; so is its return.  Judged only after both paths have been
 * seen working once (start-up is not a loss), and only towards peers with
 * a LAN session.  Pure: the daemon gathers the sessions' states and sends
 * the alert.
 */
#ifndef MR_REDUND_H
#define MR_REDUND_H

#include <stdbool.h>

/* Per peer, kept across reloads (mapped to the new peer numbers). */
struct mr_redundancy {
	bool seen;		/* fast and LAN paths both worked once */
	bool lost;
	const char *what;	/* which path was lost (a string literal) */
};

/* A change of redundancy, for the alert. */
struct redund_change {
	bool lost;		/* lost (redundancy-lost), else restored */
	const char *old_state, *new_state;	/* "redundant" or what was lost */
};

/*
 * The peer's paths now: fast (a fast session Up), lan (its LAN session
 * Up), have_lan (it has a LAN session at all).  True when redundancy was
 * lost or restored just now, with *chg filled.
 */
bool redund_judge(struct mr_redundancy *p, bool have_lan, bool fast, bool lan,
		  struct redund_change *chg);

#endif
