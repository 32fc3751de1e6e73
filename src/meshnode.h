/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mesh view's state in the daemon (issue 20), pure: no I/O, no clock
 * reads, no daemon.h.  It owns this node's port trackers (mesh.h), the
 * store of the tables other nodes sent, the memory of silent cables and
 * the warnings last seen, and it is fed by small calls:
 *
 *   meshnode_port()      what the daemon knows about one fast port now
 *                        (sessions heard, in service, lossy, MTU, RTT...)
 *   meshnode_table_rx()  a node table part arrived (authenticated already)
 *   meshnode_send()      when due: the parts of our table to send
 *   meshnode_tick()      rebuilds the view when due, reports warnings
 *                        raised and cleared (for the log and alerts)
 *   meshnode_render(), meshnode_metrics()   `meshroutectl mesh`, metrics
 *
 * Who calls it: linkmsg.c only (it owns the relay-port sockets and runs
 * from the daemon's loop), on its struct linkmsg_env lent per call:
 *
 *   linkmsg_start() (start, and after every reload)   mesh_start():
 *       meshnode_new() once, then meshnode_configure(cfg, self, now):
 *       keeps the trackers of ports whose name stayed and the store while
 *       the nodes stay the same; forgets the rest.
 *   linkmsg_timers() (every wake-up of the loop)   mesh_timers(): every
 *       MESHNODE_FACTS_EVERY, meshnode_port() for every fast port from
 *       e->ports, e->sess, e->msess, the links and e->in_service() (is the
 *       port in a peer's installed path); then meshnode_send() when
 *       meshnode_next_send() is due (the parts go to every other node over
 *       the LAN port and to the node heard on every fast port), then
 *       meshnode_tick() with e->mesh_warning (the daemon logs, and alerts
 *       by the nodes a warning names).
 *   linkmsg_next_deadline()   includes meshnode_next_deadline().
 *   report_rx() -> mesh_rx()   a report with a node table and no link
 *       section: meshnode_table_rx(), from a fast port or the LAN.
 *   linkmsg_stop()   meshnode_free().
 *   linkmsg_mesh_render(), linkmsg_mesh_metrics()   meshnode_render(),
 *       meshnode_metrics(), for command.c's "mesh" and status_metrics().
 *
 * What arrives over the LAN feeds this view only: nothing here is read by
 * path.c, route code or loss verdicts.
 */
#ifndef MR_MESHNODE_H
#define MR_MESHNODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "linkrep.h"
#include "mesh.h"
#include "meshfmt.h"
#include "mtime.h"

/* How often linkmsg.c gathers the ports' facts: a change is sent within this + MESH_MIN_GAP. */
#define MESHNODE_FACTS_EVERY MTIME_MS(100)
/*
 * The view (and its warnings) is rebuilt every MESHNODE_VIEW_EVERY, when an
 * entry expires, and after a change (a table arrived, a port changed) but
 * at most once per MESHNODE_BUILD_GAP: tables from every node over every
 * path cost one build, not one each.
 */
#define MESHNODE_VIEW_EVERY MTIME_S(1)
#define MESHNODE_BUILD_GAP MTIME_MS(100)

/* Where a table came from: counters, and the log's words; either feeds the view only. */
enum meshnode_via {
	MESHNODE_VIA_FAST,
	MESHNODE_VIA_LAN,
	MESHNODE_VIA_MAX
};

struct meshnode_stats {
	uint64_t rx[MESHNODE_VIA_MAX];	/* parts taken */
	uint64_t rx_old;		/* copies over another path, replays */
	uint64_t rx_refused;		/* sender not a node, or us */
	uint64_t rounds;		/* rounds of our table sent */
	uint64_t warnings_raised, warnings_cleared;
};

struct meshnode;

/* NULL when out of memory (about 250 kB: the view, the store, the memory). */
struct meshnode *meshnode_new(void);
void meshnode_free(struct meshnode *mn);

/*
 * At start and after every reload (cfg is the daemon's, and must stay
 * where it is: the node keeps a pointer).  The trackers of this node's fast
 * ports are kept by name; the store and the memory of cables are kept
 * while the nodes (names and addresses) stay, else forgotten.  The first
 * call starts the warnings' grace (MESH_GRACE).  A reload asked for by the
 * admin also re-learns every port's expected neighbour (relearn): the
 * recabling is intended.
 */
void meshnode_configure(struct meshnode *mn, const struct mr_config *cfg, int self, bool relearn,
			mtime_t now);

/* This node's fast ports, in configuration order (meshnode_port's `port`). */
int meshnode_nports(const struct meshnode *mn);
const char *meshnode_port_name(const struct meshnode *mn, int port);

/*
 * Facts about fast port `port` (index into this node's `fast` list) at
 * now; st[n] the figures of the cable to node n (st may be NULL: none
 * known), nst entries.  A change of the port's neighbour or state asks for
 * a round of our table within MESH_MIN_GAP.  Returns whether it changed.
 */
bool meshnode_port(struct meshnode *mn, int port, const struct mesh_port_facts *f,
		   const struct mesh_cable_stats *st, int nst, mtime_t now);

/*
 * A node table part from node `sender` (authenticated, its source address
 * the sender's: the caller checked) with sequence number seq.  Returns
 * enum mesh_update, or -1 for a sender that is not another node.
 */
int meshnode_table_rx(struct meshnode *mn, int sender, uint32_t seq, const struct linkrep_nodes *t,
		      enum meshnode_via via, mtime_t now);

/* When the next round is due (MESH_INTERVAL, sooner after a change). */
mtime_t meshnode_next_send(const struct meshnode *mn);
/*
 * The earliest of the next round, the next once-a-second rebuild and the
 * next expiry (a change waits for a wake-up that comes anyway).
 */
mtime_t meshnode_next_deadline(const struct meshnode *mn);

/*
 * A round: our table at now, split into parts (at most max, each one
 * message), the next round scheduled.  Returns how many parts.
 */
int meshnode_send(struct meshnode *mn, mtime_t now, struct linkrep_nodes *parts, int max);

/*
 * A warning raised (cleared false) or cleared; ours: this node raises it
 * (alerts): it names this node, or, for a silent node, this node is the
 * first live one in the configuration.
 */
typedef void meshnode_warn_fn(void *arg, const struct mesh_warning *w, bool cleared, bool ours);

/*
 * Rebuilds the view when due (a table arrived, a port changed, an entry
 * expired, or MESHNODE_VIEW_EVERY passed) and calls fn for every warning
 * raised or cleared since the last build (fn may be NULL).
 */
void meshnode_tick(struct meshnode *mn, mtime_t now, meshnode_warn_fn *fn, void *arg);

/* The view built at now (for the control command: always current). */
const struct mesh_view *meshnode_view(struct meshnode *mn, mtime_t now);
void meshnode_render(struct meshnode *mn, enum mesh_format fmt, mtime_t now, FILE *out);
/* The mesh view's metrics (meshfmt.h), as of the last build (or now if none). */
void meshnode_metrics(struct meshnode *mn, mtime_t now, FILE *out);

void meshnode_get_stats(const struct meshnode *mn, struct meshnode_stats *st);

#endif
