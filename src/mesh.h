/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mesh view, pure: every node's link table put together into one
 * picture of the cluster's cabling and of every cable's health, as any
 * node sees it.  No I/O, no clock reads.  Three parts:
 *
 *  - this node's own table: one tracker per fast port (mesh_port), fed
 *    with facts about the port's sessions, giving each port's neighbour,
 *    the neighbour it was first found with, the cable's state and since;
 *    mesh_port_entry() turns it into a node table entry (linkrep.h,
 *    section 2) for sending;
 *  - the store of the tables other nodes sent (mesh_store): per sender
 *    and port, replay protection by sequence number and expiry by the
 *    lifetime the sender gave;
 *  - the view (mesh_build): for every pair of configured nodes, one row
 *    per cable, matched from both ends' tables by node and port names (one
 *    end's view when the other is silent), or one row of state none; and
 *    the cabling warnings.  Renderers: meshfmt.h.
 *
 * What arrives over the LAN feeds this view only, never a routing decision:
 * nothing here is read by path.c or route code.
 */
#ifndef MR_MESH_H
#define MR_MESH_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "linkrep.h"
#include "mtime.h"

/*
 * Sending: a round of the whole table every MESH_INTERVAL (90-110 %), and
 * one within MESH_MIN_GAP of a change of a port's state or neighbour, at
 * most one round per MESH_MIN_GAP.  A round is ceil(ports / LINKREP_NT_MAX)
 * messages to every other node over the LAN and to the neighbour on every
 * fast port: at most 4 rounds a second.
 */
#define MESH_INTERVAL MTIME_S(1)
#define MESH_MIN_GAP MTIME_MS(250)
/* The lifetime we give our entries: five rounds missed over every path. */
#define MESH_LIFETIME_MS 5000
/* No warnings about silent nodes or missing cables this soon after start. */
#define MESH_GRACE MTIME_S(5)

#define MESH_NODE_BIT(n) (1u << (n))

/* ---- this node's table ---- */

/* What the daemon knows about one fast port; masks have one bit per node index. */
struct mesh_port_facts {
	bool present;		/* the port exists (ifindex > 0) */
	bool carrier;
	bool drained;		/* meshroutectl drain */
	uint32_t heard;		/* nodes whose session on the port is Init or Up, or heard within 3 s */
	uint32_t in_service;	/* nodes the port carries traffic to (hold-down served) */
	uint32_t lossy;		/* nodes whose session on the port is out for probe loss */
	uint32_t mtu_failed;	/* nodes whose MTU verdict on the port is failed */
};

struct mesh_port {
	int node;		/* the neighbour found on it (now, or last), -1: none yet */
	int expected;		/* the neighbour it was first found with, -1: none yet */
	uint8_t state;		/* enum linkrep_nstate */
	mtime_t since;		/* when state or node last changed (or the tracker began) */
};

void mesh_port_init(struct mesh_port *p, mtime_t now);
/*
 * New facts at `now`.  The neighbour is the node in service on the port,
 * else one heard on it (the current neighbour first, then the lowest
 * index), else the last one found (a dead cable still shows where it
 * went).  The state: none without a neighbour ever; else drained, lossy,
 * mtu, up (in service to the neighbour), down -- in that order.  Returns
 * whether the state or the neighbour changed.
 */
bool mesh_port_update(struct mesh_port *p, const struct mesh_port_facts *f, mtime_t now);
/* An intended recabling: the current neighbour becomes the expected one. */
void mesh_port_relearn(struct mesh_port *p);

/* Figures of a port's cable to its neighbour; -1 while unknown. */
struct mesh_cable_stats {
	char peer_port[16];		/* the neighbour's name of its port, "" unknown */
	int64_t rtt_us, jitter_us;
	int loss_to, loss_from;		/* per mille: our probes to it, its probes to us */
	uint32_t flaps;
	uint32_t detect_us, last_detect_us;	/* 0: none */
};

/* The node's address that tables name it by: IPv4 if it has one, else IPv6. */
const struct mr_addr *mesh_node_addr(const struct mr_config *cfg, int node);
/* The node whose address (either family) is a, -1 if none. */
int mesh_node_by_addr(const struct mr_config *cfg, const struct mr_addr *a);

/* The node table entry of a port (its name, tracker and figures) at `now`. */
void mesh_port_entry(const struct mr_config *cfg, const char *name, const struct mesh_port *p,
		     const struct mesh_cable_stats *st, mtime_t now, struct linkrep_port *out);

/*
 * Splits a table of n entries into messages: part k (0-based) of
 * mesh_parts(n) gets entries [first, first + count).  lifetime_ms: what
 * the receivers keep them for.
 */
int mesh_parts(int n);
void mesh_part(const struct linkrep_port *e, int n, int k, uint32_t lifetime_ms,
	       struct linkrep_nodes *out);

/* ---- the tables other nodes sent ---- */

struct mesh_slot {
	bool valid;
	uint32_t seq;			/* of the message it came in */
	mtime_t at, expires;		/* arrival, and arrival + lifetime */
	struct linkrep_port p;
};

struct mesh_remote {
	bool heard;			/* a table since start (or the last clear) */
	uint32_t seq;			/* of the newest message (its total holds) */
	uint8_t total;
	mtime_t at, expires;		/* of the newest message */
	struct mesh_slot s[LINKREP_NT_MAX_TOTAL];
};

struct mesh_store {
	struct mesh_remote n[MR_MAX_NODES];
	uint64_t accepted, old;		/* messages: taken, not newer (a copy over another path) */
};

enum mesh_update {
	MESH_ACCEPTED,		/* at least one entry or the table's size taken */
	MESH_OLD,		/* nothing newer than what came over another path: a copy or a replay */
};

/*
 * A node table part from node `sender` (already authenticated and mapped
 * to a node index by the caller) with sequence number seq, arrived at
 * `now`.  An entry is taken when its slot is empty or expired or seq is
 * newer (RFC 1982 serial arithmetic) than its slot's; the table's size
 * likewise.  A restarted sender (any sequence number) is taken once its
 * old entries expired.  Returns enum mesh_update.
 */
int mesh_store_update(struct mesh_store *st, int sender, uint32_t seq,
		      const struct linkrep_nodes *t, mtime_t now);
/* The sender's table is alive (its newest message has not expired). */
bool mesh_store_live(const struct mesh_store *st, int node, mtime_t now);
/* When the next live table or entry expires, MTIME_NEVER if none (a re-render timer). */
mtime_t mesh_store_next_expiry(const struct mesh_store *st, mtime_t now);
/* Forgets everything (a reload that changed the nodes). */
void mesh_store_clear(struct mesh_store *st);

/* ---- the view ---- */

#define MESH_MAX_LINKS (MR_MAX_NODES * LINKREP_NT_MAX_TOTAL + MR_MAX_NODES * MR_MAX_NODES / 2)
#define MESH_MAX_WARNINGS 64
#define MESH_PAIR_MEMORY 4	/* cables remembered per pair, for when both ends fall silent */

struct mesh_link {
	int a, b;			/* node indices, a < b (config order) */
	char port_a[16], port_b[16];	/* "" while unknown (none: both) */
	uint8_t state;			/* enum linkrep_nstate */
	bool since_known;
	mtime_t since;			/* when the state began (may precede our start) */
	int64_t rtt_us, jitter_us;	/* -1 unknown */
	int loss_ab, loss_ba;		/* per mille, -1 unknown: a's probes to b, b's to a */
	bool flaps_known;
	uint32_t flaps;
	uint32_t detect_us, last_detect_us;	/* 0: unknown / none */
	bool by_a, by_b;		/* a live table of that end backs the row */
};

enum mesh_warn_kind {
	MESH_W_SILENT,		/* no live table from a node */
	MESH_W_NO_CABLE,	/* a pair without a cable where every node has ports for a full mesh */
	MESH_W_WRONG_PORT,	/* two ports of a node reach one peer while another has none */
	MESH_W_MOVED,		/* a port hears another node than the one it was found with */
	MESH_W_MAX
};

struct mesh_warning {
	uint8_t kind;		/* enum mesh_warn_kind */
	uint32_t nodes;		/* the nodes it names (MESH_NODE_BIT) */
	char key[96];		/* stable while the condition lasts: for log and alert diffs */
	char text[320];
};

/*
 * What a view remembers between builds: the cables last seen per pair, so
 * that a pair whose both ends fell silent shows them (down: nobody vouches
 * for them) instead of "none" (which means: no cable seen since start).
 * A live end whose table shows no cable to the other clears the memory.
 */
struct mesh_memory {
	struct {
		int n;
		char port_a[MESH_PAIR_MEMORY][16], port_b[MESH_PAIR_MEMORY][16];
		mtime_t at;		/* last backed by a live table */
	} pair[MR_MAX_NODES][MR_MAX_NODES];	/* [a][b], a < b */
};

struct mesh_input {
	const struct mr_config *cfg;
	int self;
	const struct linkrep_port *own;	/* this node's table (mesh_port_entry at now) */
	int nown;
	const struct mesh_store *store;
	mtime_t now;
	mtime_t started_at;		/* the daemon's start: warnings wait MESH_GRACE */
};

struct mesh_view {
	int nnodes, self;
	char names[MR_MAX_NODES][32];
	bool live[MR_MAX_NODES];	/* a live table (self: always) */
	bool heard[MR_MAX_NODES];	/* a table since start */
	mtime_t heard_at[MR_MAX_NODES];	/* newest table's arrival */
	mtime_t now;
	int nlinks;
	struct mesh_link links[MESH_MAX_LINKS];
	int nwarn;
	unsigned warn_dropped;		/* beyond MESH_MAX_WARNINGS */
	struct mesh_warning warn[MESH_MAX_WARNINGS];
};

/*
 * Builds the view (about 80 kB: allocate it, do not put it on the stack).
 * mem may be NULL (no memory of cables whose both ends fell silent).
 */
void mesh_build(const struct mesh_input *in, struct mesh_memory *mem, struct mesh_view *v);

/* Does the view hold a warning with this key? */
bool mesh_view_has_warning(const struct mesh_view *v, const char *key);

/* "none", "up", "down", "drained", "mtu", "lossy"; "?" out of range. */
const char *mesh_state_name(int state);
/* "silent", "no-cable", "wrong-port", "moved"; "?" out of range. */
const char *mesh_warn_kind_name(int kind);

#endif
