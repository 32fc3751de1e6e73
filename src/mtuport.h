/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MTU probing on the fast ports, around the MTU sessions (mtusess.h):
 * padded probes on, off or resized when a port's MTU or mtu-probe changes
 * (mtu_probe_wanted()), a port that lost its carrier or disappeared, the
 * MTU sessions' timers, a changed verdict reported (a log line each time,
 * an alert for failed and its end), and the MTU session table built for a
 * reload (carried or new) and put in place.
 *
 * Called by the daemon only, with a struct mtuport_env lent per call: the
 * tables, the session I/O, the alerter, and four calls back (a session's
 * output for the dispatcher, routes to a peer to decide again, a new table
 * in place, a session to start).  It never sees struct mr_daemon, never writes routes and
 * never opens a socket itself.  Times are mtime_t (us, CLOCK_MONOTONIC).
 */
#ifndef MR_MTUPORT_H
#define MR_MTUPORT_H

#include <stdbool.h>

#include "alert.h"
#include "config.h"
#include "mtime.h"
#include "mtusess.h"
#include "sess.h"
#include "sesstab.h"
#include "session.h"

struct mtuport_env {
	const struct mr_config *cfg;	/* the running config */
	const char *self_name;		/* this node, for alerts */
	struct mr_port *ports;		/* the daemon's ports (new sessions point into them) */
	int nports;
	struct mr_sess *sess;		/* regular sessions, as mtusess.h reads them */
	int nsess;
	struct mr_sess **msess;		/* the MTU session table, replaced by mtuport_reload_apply */
	int *nmsess;
	struct sesstab tab;		/* both tables, for new discriminators */
	const struct sess_io *sio;
	struct alerter *alert;
	mtime_t half_life;		/* flap damping's (path.h) */
	/* A state machine's output of an MTU session: the daemon dispatches it. */
	void (*output)(void *ctx, struct mr_sess *m, const struct bfd_output *out, mtime_t now);
	/* The routes to peer decided again; metrics_soon: a verdict changed (scrapers told soon). */
	void (*reroute)(void *ctx, int peer, bool metrics_soon, mtime_t now);
	/* A new MTU table is in (mtuport_reload_apply), before any of its sessions sends. */
	void (*table_in)(void *ctx);
	/* Socket, probe route and destination of a session whose port exists. */
	void (*start)(void *ctx, struct mr_sess *m);
	void *ctx;
};

/* The port's MTU as the kernel reports it (0: not told): probing re-evaluated when it changed. */
void mtuport_link(const struct mtuport_env *e, struct mr_port *port, unsigned mtu, mtime_t now);
/* The port lost its carrier (gone: it disappeared, sockets closed): its MTU sessions Down. */
void mtuport_lost(const struct mtuport_env *e, struct mr_port *port, mtime_t now, bool gone);
/*
 * After a state change of either session of (port, peer): the regular one
 * just found its peer, so the MTU handshake starts now, not at the next
 * (slow) MTU interval; then the verdict is judged again.
 */
void mtuport_check_port_peer(const struct mtuport_env *e, const struct mr_port *port, int peer,
			     mtime_t now);
/* The MTU sessions' due timers and verdict rechecks. */
void mtuport_timers(const struct mtuport_env *e, mtime_t now);
/* AdminDown twice to every MTU session's peer, the table freed. */
void mtuport_shutdown(const struct mtuport_env *e, mtime_t now);
/*
 * Reload: the MTU sessions of ncfg (this node nself), ports at the same
 * index as in nports (e->ports receives them at the swap); unchanged
 * (port, peer, addresses) carried (carried[] marks the old ones, new
 * timers set without a flap), the old others told AdminDown.  NULL when
 * out of memory.  *count: how many.
 */
struct mr_sess *mtuport_reload(const struct mtuport_env *e, const struct mr_config *ncfg, int nself,
			       const struct mr_port *nports, int nn, bool *carried, int *count,
			       mtime_t now);
/* After the swap: arr in place of e's table (table_in told), sessions started, probing re-evaluated per port. */
void mtuport_reload_apply(const struct mtuport_env *e, struct mr_sess *arr, int count, mtime_t now);

#endif
