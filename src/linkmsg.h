/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages between meshroute daemons on relay-port (UDP 3786), the glue:
 * one receive socket per address family, always open, that dispatches by
 * magic to relay advertisements (relay.c) or link reports (linkrep.h);
 * one transmit socket per (fast port, family), bound to the port, TTL 255,
 * shared by both; and the link reports themselves: about once a second
 * over every fast port to the meshrouted found there, the counts that let
 * loss.c tell lost probes from late ones, and the round-trip time of the
 * cable.  See docs/DESIGN.md, "Lossy links".
 *
 * And the mesh view's node tables (meshnode.h): a round of this node's link
 * table about once a second (within MESH_MIN_GAP of a change) to every
 * other node over the LAN port and to the node heard on every fast port,
 * as link reports with a node table section and no link section; those
 * that arrive, over any path, go to the view alone (meshnode.h).  The
 * facts of our own ports are gathered from the daemon's sessions every
 * MESHNODE_FACTS_EVERY.  See docs/DESIGN.md, "Mesh view".
 */
#ifndef MR_LINKMSG_H
#define MR_LINKMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "linkrep.h"
#include "loop.h"
#include "loss.h"
#include "meshnode.h"
#include "mtime.h"

struct auth_keyring;
struct log_ratelimit;
struct mr_port;
struct mr_sess;
struct net_msg;

/*
 * A report about every LINKMSG_INTERVAL (90-110 %) per link.  It goes out
 * with any wake-up up to LINKMSG_SLACK before it is due, and its counts are
 * taken with any wake-up up to LINKMSG_SLACK after they have settled: with
 * the probes' own wake-ups (at most every 20 ms by default) reports cost no
 * wake-ups of their own.
 */
#define LINKMSG_INTERVAL MTIME_S(1)
#define LINKMSG_SLACK MTIME_MS(50)
/*
 * A peer that answered none of LINKMSG_UNANSWERED reports runs no
 * meshrouted that sends them (FRR, BIRD, an older meshrouted): one report
 * every LINKMSG_RETRY from then on, until it answers.
 */
#define LINKMSG_UNANSWERED 10
#define LINKMSG_RETRY MTIME_S(60)
/* A link whose last report is this old accepts any sequence number (a restarted sender). */
#define LINKMSG_EXPIRE MTIME_S(10)
/*
 * A report's kernel stamp is its cut through the probe stream only when it
 * waited at most this long in the socket: a wall-clock step while it waited
 * would move the stamp by up to the step (net.h), and this bounds that.
 */
#define LINKMSG_STAMP_TRUST MTIME_MS(100)
/*
 * Reports read but not yet counted: until the probe sockets were read empty
 * LINKMSG_SETTLE after their arrival.  A probe stamped before the report
 * may still be on its way to the socket (another CPU's backlog, processed
 * late on a busy host); the settle time lets it arrive.
 */
#define LINKMSG_PENDING 16
#define LINKMSG_SETTLE MTIME_MS(10)
#define LINKMSG_PENDING_MAX_AGE MTIME_S(1)

/* One per (fast port, peer) the two nodes share an address family for. */
struct mr_link {
	struct mr_port *port;
	int peer;
	struct mr_addr local, remote;	/* the family reports use: IPv4 if both have it */
	/* sending */
	mtime_t next_tx;
	uint32_t unanswered;		/* reports sent since the peer's last one came */
	uint64_t tx_packets, tx_errors;
	/* receiving */
	bool heard;			/* seq and heard_at are valid */
	uint32_t seq;
	mtime_t heard_at;		/* arrival (kernel stamp) of the last accepted report */
	uint64_t echo_tx;		/* tx time of the last report counted, echoed in ours */
	mtime_t echo_at;		/* its arrival (kernel stamp) */
	char peer_port[16];		/* the peer's name of its port on this cable */
	uint64_t rx_packets;
	struct rtt rtt;
};

enum linkmsg_drop {
	LINKMSG_DROP_MAGIC,	/* neither an advertisement nor a link report */
	LINKMSG_DROP_TTL,	/* TTL not 255: not from a neighbour */
	LINKMSG_DROP_DECODE,	/* linkrep_decode() refused it: see drop_decode[] */
	LINKMSG_DROP_SENDER,	/* not a node of the config, us, or source != sender */
	LINKMSG_DROP_PORT,	/* not on a fast port of ours towards that sender */
	LINKMSG_DROP_REPLAY,	/* sequence number not newer */
	LINKMSG_DROP_MAX
};

struct linkmsg_pending {
	int link;			/* index into links */
	mtime_t at;			/* kernel arrival stamp */
	bool trusted;			/* at is a kernel stamp, within LINKMSG_STAMP_TRUST */
	mtime_t read_at;
	struct linkrep_link l;
};

struct linkmsg_state {
	struct loop_fd rx[2];		/* IPv4, IPv6 */
	uint16_t rx_port;		/* what they are bound to */
	int tx_fd[MR_MAX_FAST][2];	/* per fast port (index into e->ports) and family */
	int tx_ifindex[MR_MAX_FAST][2];
	uint16_t tx_sport[MR_MAX_FAST][2];
	uint32_t seq;
	struct mr_link *links;
	int nlinks;
	struct linkmsg_pending pend[LINKMSG_PENDING];
	int npend;
	mtime_t settle_at;		/* wake up then: a pending report has settled */
	uint64_t tx_packets, tx_errors, rx_packets;
	uint64_t drops[LINKMSG_DROP_MAX];
	uint64_t drop_decode[LINKREP_ERR_MAX];
	/* the mesh view (meshnode.h): NULL until linkmsg_start(), or out of memory */
	struct meshnode *mesh;
	mtime_t mesh_facts_at;		/* gather the ports' facts then */
	int lan_fd[2];			/* node tables over the LAN port, per family */
	int lan_ifindex[2];
	uint16_t lan_sport[2];
	uint64_t mesh_tx, mesh_tx_errors;	/* node table messages */
};

/*
 * What link reports work with, lent by the daemon for one call: the
 * config, the ports and both session tables (the counts come from and go
 * to the sessions), the keys, the loop (for the receive sockets), and
 * calls back: an advertisement arrived (relay's), a session's loss counts
 * changed, and for the mesh view whether a port carries our traffic to a
 * peer, and a warning to log and alert.  Link reports never see the
 * daemon itself.
 */
struct linkmsg_env {
	const struct mr_config *cfg;
	int self;
	struct mr_port *ports;		/* index: port index (tx_fd[]'s) */
	int nports;
	struct mr_sess *sess, *msess;	/* regular and MTU sessions */
	int nsess, nmsess;
	const struct auth_keyring *keys;
	struct log_ratelimit *rl;	/* drops' and send errors' log lines */
	struct loop *loop;
	mtime_t rx_read_at;		/* the probe sockets were last read empty then */
	bool *rx_backlog;		/* set when a report waits for them to be read */
	void (*advert)(void *ctx, const struct net_msg *m);
	void (*loss_changed)(void *ctx, struct mr_sess *s, mtime_t now);
	/* The mesh view: our traffic to peer goes over ifindex now (route.h); a warning to report. */
	bool (*in_service)(void *ctx, int peer, int ifindex);
	meshnode_warn_fn *mesh_warning;
	/* The receive sockets' handler in the loop: builds an env, calls linkmsg_rx(). */
	void (*on_readable)(void *ctx, uint32_t events);
	void *ctx;
};

/* Zeroes the state (fds -1); before anything else. */
void linkmsg_init(struct linkmsg_state *lm);
/*
 * At start (after the sessions exist) and after every reload: opens the
 * receive sockets on relay-port (again if it changed), builds the links.
 * 0, or -errno when no socket could be opened (the caller decides).
 */
int linkmsg_start(struct linkmsg_state *lm, const struct linkmsg_env *e);
/*
 * Reload (e: the running config): the links of the new config (ports as
 * in nports, which e->ports receives); those whose (port, peer, addresses)
 * stay keep their state.  Call linkmsg_reload_apply() after the swap.
 * NULL when out of memory.
 */
struct mr_link *linkmsg_reload(struct linkmsg_state *lm, const struct linkmsg_env *e,
			       const struct mr_config *ncfg, int nself, const struct mr_port *nports,
			       int nn, int *count);
void linkmsg_reload_apply(struct linkmsg_state *lm, struct mr_link *links, int count);
/* Closes everything (shutdown). */
void linkmsg_stop(struct linkmsg_state *lm, const struct linkmsg_env *e);

/* The transmit socket of fast port pi (index into e->ports) in family fam (0, 1); -1 if none. */
int linkmsg_tx_socket(struct linkmsg_state *lm, const struct linkmsg_env *e, int pi, int fam);

/* The link of a session's (port, peer), NULL if none. */
const struct mr_link *linkmsg_link_of_const(const struct linkmsg_state *lm,
					    const struct mr_sess *s);

/* Reads the receive sockets (a budget per call): reports are queued, advertisements handed on. */
void linkmsg_rx(struct linkmsg_state *lm, const struct linkmsg_env *e);

/* Reports waiting for the probe sockets to be read empty (fire_timers reads them first). */
bool linkmsg_pending(const struct linkmsg_state *lm);
/*
 * The pending reports that arrived LINKMSG_SETTLE before the last time the
 * probe sockets were read empty (e->rx_read_at): their counts go to loss.c.
 */
void linkmsg_process(struct linkmsg_state *lm, const struct linkmsg_env *e, mtime_t now);

mtime_t linkmsg_next_deadline(const struct linkmsg_state *lm);
/* Sends the reports that are due; the mesh view's facts, rounds and warnings. */
void linkmsg_timers(struct linkmsg_state *lm, const struct linkmsg_env *e, mtime_t now);

/* The mesh view (meshroutectl mesh) and its metrics; nothing when it could not be set up. */
void linkmsg_mesh_render(const struct linkmsg_state *lm, enum mesh_format fmt, mtime_t now,
			 FILE *out);
void linkmsg_mesh_metrics(const struct linkmsg_state *lm, mtime_t now, FILE *out);

const char *linkmsg_drop_name(int reason);

#endif
