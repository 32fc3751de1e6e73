/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's session tables (regular sessions, and MTU sessions: one
 * per fast port and peer), read through a view: which session a received
 * packet is for (RFC 5880 §6.8.6), new sessions with discriminators unique
 * across both tables (§6.8.1), and which old session a new one continues
 * over a reload.  No I/O (discriminators come from getrandom()).
 */
#ifndef MR_SESSTAB_H
#define MR_SESSTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "mtime.h"
#include "packet.h"
#include "sess.h"

struct net_msg;

/*
 * Local discriminator -> session, for both tables (open addressing, half
 * full at most).  Built after the tables are (start, reload): the tables
 * and the sessions' discriminators do not change in between.
 */
struct sesstab_index {
	uint32_t *slot;		/* session number + 1 (regular first, then MTU); 0: empty */
	uint32_t mask;		/* slots - 1; 0: no index (searched instead) */
};

/* The daemon's two tables, lent for one call. */
struct sesstab {
	struct mr_sess *sess;		/* regular sessions */
	int nsess;
	struct mr_sess *msess;		/* MTU sessions */
	int nmsess;
	const struct sesstab_index *index;	/* NULL, or built for exactly these tables */
	uint16_t discr_prefix;		/* every local discriminator starts with it (net.h's filter); 0: none */
};

/*
 * The local discriminators of t's sessions (regular and MTU) of `family`
 * (AF_INET, AF_INET6), for the receive filter (net.h): their number, in a
 * malloc'd *out the caller frees, or -ENOMEM (*out NULL).
 */
int sesstab_discrs(const struct sesstab *t, int family, uint32_t **out);

/* The index of t's tables into *x (an old one freed); 0, or -ENOMEM (then *x is empty). */
int sesstab_index_build(struct sesstab_index *x, const struct sesstab *t);
void sesstab_index_free(struct sesstab_index *x);

/* The session (either table) whose local discriminator is discr, NULL if none. */
struct mr_sess *sesstab_by_discr(const struct sesstab *t, uint32_t discr);

/* Why a packet found no session. */
enum sesstab_miss {
	SESSTAB_NO_SESSION = 1,		/* none for its discriminator / source */
	SESSTAB_WRONG_PORT,		/* our discriminator, but another port or source */
};

/*
 * The session a received packet is for: by Your Discriminator when set
 * (and then it must come from that session's port and peer: else a moved
 * cable or a forgery), else by (port, source) among regular sessions;
 * padded probes that do not know the MTU session yet (mtu.h) by (port,
 * source) among MTU sessions.  NULL with *miss set when none.
 */
struct mr_sess *sesstab_demux(const struct sesstab *t, const struct net_msg *m,
			      const struct bfd_packet *pkt, int *miss);

/*
 * A random discriminator with t's prefix in its upper 16 bits: not 0, not
 * MTU_BOOTSTRAP_DISCR, used neither in t nor in other[0..nother).
 */
uint32_t sesstab_new_discr(const struct sesstab *t, const struct mr_sess *other, int nother);

/* What a new session is. */
struct sess_spec {
	const struct mr_config *cfg;	/* the config it is of (the new one on reload) */
	int self, peer;			/* node indexes in cfg */
	int fam;			/* address family index */
	struct mr_port *port;		/* where its port will live */
	bool lan;			/* on the LAN port (timers: sess_params()) */
	bool mtu;			/* an MTU session: AdminDown, silent until the port probes */
};

/* A new session of sp in arr[*n] (then *n + 1), its socket not open yet (fd -1). */
void sesstab_new(const struct sesstab *t, const struct sess_spec *sp, struct mr_sess *arr, int *n,
		 mtime_t now);

/*
 * Reload: the session of arr[0..n) (of old_cfg) that the new session sp
 * continues: the same port name and role (port: the new table's port,
 * for its name), the same peer name and addresses, and not carried over
 * already (carried[i]).  NULL if none.
 */
struct mr_sess *sesstab_match(struct mr_sess *arr, int n, const bool *carried,
			      const struct mr_config *old_cfg, const struct sess_spec *sp,
			      const struct mr_port *port);

#endif
