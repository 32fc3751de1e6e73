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
	mtime_t hold;		/* this port's hold-down now (damped), us */
	mtime_t hold_changes_at;	/* when `hold` drops next, MTIME_NEVER if never */
	bool in_service;	/* carries the traffic now: hold-down already served */
};

/*
 * Flap damping: every failure of a link adds 1 to its penalty, which halves
 * every half-life; the hold-down is multiplied by 2^(floor(penalty) -
 * DAMP_FREE) (at most 2^DAMP_MAX_LEVEL).  An occasional failure costs
 * nothing extra; a link that keeps flapping is kept out of service for
 * longer and longer, and once stable returns after a hold-down that shrinks
 * as the penalty decays.
 */
#define DAMP_FREE 2
#define DAMP_MAX_LEVEL 5
#define DAMP_MAX_PENALTY (DAMP_FREE + DAMP_MAX_LEVEL + 1.0)

struct damp {
	double penalty;		/* at time `at` */
	mtime_t at;
};

/* A failure at `now`. */
void damp_flap(struct damp *d, mtime_t now, mtime_t half_life);
/*
 * The damped hold-down at `now` for a base hold-down; *changes_at gets when
 * it next shrinks (MTIME_NEVER when undamped).
 */
mtime_t damp_hold(const struct damp *d, mtime_t now, mtime_t half_life, mtime_t hold_down,
		  mtime_t *changes_at);

struct path_result {
	int oif[PATH_MAX_OIF];	/* sorted by ifindex; 0 entries = use the LAN */
	int noif;
	mtime_t recheck_at;	/* when a held-down port becomes eligible, or MTIME_NEVER */
	/*
	 * Relayed (relay = on): oif[0] leads to node relay_node, which
	 * forwards to the peer over its own direct fast link.  noif is 1.
	 */
	bool relayed;
	int relay_node;
};

/*
 * A port carries traffic when its session is Up, the port is usable, and the
 * session has stayed Up for its hold-down (so a healing link proves itself
 * before traffic returns to it) or the port already carries it (a longer
 * hold-down from a reload does not take working links out).  Losing a port
 * takes effect at once.
 */
void path_select(const struct path_candidate *c, int n, mtime_t now, struct path_result *out);

/* Adds a port to a path, keeping oif[] sorted; ignored when full. */
void path_add_oif(struct path_result *p, int ifindex);

bool path_equal(const struct path_result *a, const struct path_result *b);

/*
 * Relay (relay = on, IPv4): when no direct fast port carries a peer's
 * traffic, a neighbour may.  One candidate per other node N (neither us nor
 * the peer): the port our direct, in-service route to N uses (0: none), and
 * whether N's fresh advertisement says it reaches the peer directly.
 */
struct relay_candidate {
	int node;
	int oif;		/* lowest in-service direct fast port to `node`, 0 if none */
	bool reaches;		/* N's live advertisement lists the peer */
};

/*
 * Index in c of the neighbour to relay through, or -1 (the LAN): the lowest
 * node index among those with a port and a live advertisement listing the
 * peer.  Deterministic, so both directions of a pair tend to agree.
 */
int path_relay_pick(const struct relay_candidate *c, int n);

/* Sets *out to a path through candidate c (its port, relayed). */
void path_relay_set(struct path_result *out, const struct relay_candidate *c);

/*
 * What traffic that this node forwards for others (arrived on a fast port)
 * may use towards a peer, given the path of our own traffic: only a direct
 * fast path, never a relayed one (else the LAN).  This is the loop-freedom
 * rule: a packet is relayed at most once, so it crosses at most two fast
 * links (docs/DESIGN.md, "Relay").
 */
void path_for_forwarded(const struct path_result *own, struct path_result *out);

#endif
