/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Path policy, pure: which fast ports should carry traffic to a peer, from
 * the state of the sessions to it.  No I/O, no clock reads.
 */
#ifndef MR_PATH_H
#define MR_PATH_H

#include <stdbool.h>

#include "mtime.h"

#define PATH_MAX_OIF 8

/* One fast port's view of one peer; each port appears at most once. */
struct path_candidate {
	int ifindex;
	bool up;		/* BFD session Up */
	bool usable;		/* carrier present, not drained */
	mtime_t up_since;	/* when the session last came Up */
};

struct path_result {
	int oif[PATH_MAX_OIF];	/* sorted by ifindex; 0 entries = use the LAN */
	int noif;
	mtime_t recheck_at;	/* when a held-down port becomes eligible, or MTIME_NEVER */
};

/*
 * A port carries traffic when its session is Up, the port is usable, and the
 * session has stayed Up for hold_down (so a healing link proves itself
 * before traffic returns to it).  Losing a port takes effect at once.
 */
void path_select(const struct path_candidate *c, int n, mtime_t now, mtime_t hold_down,
		 struct path_result *out);

/* Adds a port to a path, keeping oif[] sorted; ignored when full. */
void path_add_oif(struct path_result *p, int ifindex);

bool path_equal(const struct path_result *a, const struct path_result *b);

#endif
