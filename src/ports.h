/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * This node's ports (its fast ports, then its LAN port) as the kernel
 * reports them: a port present, renamed away, re-created or gone, its
 * carrier lost or back, its MTU; a full resync of them from a link dump.
 * A port that loses its carrier or disappears takes its sessions Down
 * (diagnostic Path Down) at once; one that appears gets its sockets; a
 * carrier that returns makes its sessions probe now, not at the next idle
 * tick (both ends see it at once).  And drain: a fast port taken out of
 * service by the admin, and back.
 *
 * Called by the daemon only, with a struct ports_env lent per call (the
 * port and session tables, netlink for dumps and neighbour entries, and
 * calls back for what follows in the rest of the daemon).  It never sees
 * struct mr_daemon and never writes routes.
 */
#ifndef MR_PORTS_H
#define MR_PORTS_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "mtime.h"
#include "nl.h"
#include "sess.h"
#include "session.h"

struct ports_env {
	const struct mr_config *cfg;
	struct mr_port *ports;
	int nports;
	struct mr_sess *sess;		/* regular sessions */
	int nsess;
	struct mr_sess *msess;		/* MTU sessions */
	int nmsess;
	struct nl *nl;
	/* A session's state machine output (the daemon dispatches it). */
	void (*output)(void *ctx, struct mr_sess *s, const struct bfd_output *out, mtime_t now);
	/* After port's regular sessions went Down (gone: it disappeared): the rest follows. */
	void (*lost)(void *ctx, struct mr_port *port, mtime_t now, bool gone);
	/* Socket, probe route and destination of a session whose port now exists. */
	void (*start)(void *ctx, struct mr_sess *s);
	/* The IPv6 probe route of s again (the kernel flushed it with the port). */
	void (*probe_route)(void *ctx, struct mr_sess *s);
	/* Every peer's routes decided again (a port drained). */
	void (*reroute_all)(void *ctx, mtime_t now);
	/* The port's MTU as the kernel reports it (0: not told). */
	void (*mtu)(void *ctx, struct mr_port *port, unsigned mtu, mtime_t now);
	void *ctx;
};

/* The ports of node me into ports (fast ones, then the LAN's), nothing known of them yet; how many. */
int ports_of_node(const struct mr_node *me, struct mr_port *ports);
/* The port called name, NULL if none. */
struct mr_port *ports_by_name(struct mr_port *ports, int n, const char *name);
/* ARP/ND retries on fast ports (sysctl.h): as often as idle probes go out, 10 ms..1 s. */
unsigned ports_neigh_retrans_ms(const struct mr_config *cfg);
/* A link event (nl.h's monitor; deleted: RTM_DELLINK). */
void ports_link(const struct ports_env *e, const struct nl_link *l, bool deleted);
/*
 * Every port again from a link dump: as an event each, a port not in it
 * as gone.  A failed dump keeps the previous view (logged).  0, or -1 when
 * out of memory (logged; nothing done).
 */
int ports_resync(const struct ports_env *e);
/*
 * The admin takes a fast port out of service (drain: every peer's routes
 * moved off it first, then AdminDown to its peers, RFC 5880 §6.8.16) or
 * back (undrain); kept across restarts (drainstate.h).  Replies to out.
 * 0 or -1 (not a fast port of ours).
 */
int ports_drain(const struct ports_env *e, const char *name, bool drain, FILE *out);
/* After a drain: 0 when every peer has confirmed (none still Up), 1 while waiting, -1 on error. */
int ports_drain_done(const struct ports_env *e, const char *name, FILE *out);

#endif
