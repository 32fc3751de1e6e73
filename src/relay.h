/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Relay over a neighbour's fast link (relay = on, IPv4): sends and
 * receives the advertisements (advert.c) and keeps what neighbours said
 * (for route.c, which chooses relayed paths), decides when this node's
 * forwarding side (route.c's policy rules and relay table, the forwarding
 * sysctls) is to be rewritten, and says why when it cannot relay for
 * others.  See docs/DESIGN.md, "Relay".
 */
#ifndef MR_RELAY_H
#define MR_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "advert.h"
#include "auth.h"
#include "config.h"
#include "log.h"
#include "mtime.h"
#include "route.h"

struct net_msg;

/* Advertisements: every RELAY_INTERVAL, valid for RELAY_LIFETIME. */
#define RELAY_INTERVAL MTIME_MS(100)
#define RELAY_LIFETIME MTIME_MS(350)
/* At most one triggered advertisement per RELAY_MIN_GAP. */
#define RELAY_MIN_GAP MTIME_MS(10)

enum relay_drop {
	RELAY_DROP_DECODE,	/* advert_decode() refused it: see drop_decode[] */
	RELAY_DROP_TTL,		/* TTL not 255: not from a neighbour */
	RELAY_DROP_PORT,	/* not received on one of our fast ports */
	RELAY_DROP_SENDER,	/* not a node of the config, us, or source != sender */
	RELAY_DROP_REPLAY,	/* sequence number not newer */
	RELAY_DROP_MAX
};

struct relay_state {
	bool running;			/* relay = on and started */
	bool capable;			/* forwards for others: settings right, rules in */
	char why[200];			/* why not capable ("" when capable) */
	uint32_t seq;
	mtime_t next_send, last_send, next_check;
	bool resend, reeval;
	uint32_t reach;			/* last advertised set (node bits) */
	struct advert_table table;
	/* Forwarding sysctls relay changed: what they were, restored when relay goes off. */
	char fwd_port[MR_MAX_FAST][16];
	int fwd_was[MR_MAX_FAST];
	int nfwd;
	uint64_t tx_packets, tx_errors, rx_packets;
	uint64_t drops[RELAY_DROP_MAX];
	uint64_t drop_decode[ADVERT_ERR_MAX];
};

/* One of this node's ports as relay sees it. */
struct relay_port {
	char name[16];
	int ifindex;		/* 0 while the port does not exist */
	bool lan;
};

/*
 * What relay works with, lent by the daemon for one call: the config, our
 * routes (what we reach directly; relay's rules and table are written
 * through route.h), the ports, the keys that sign advertisements.  Relay
 * never sees the daemon itself.
 */
struct relay_env {
	const struct mr_config *cfg;
	int self;
	struct rib *rib;
	const struct auth_keyring *keys;
	struct log_ratelimit *rl;	/* drops' log lines (shared with the daemon's drops) */
	bool can_receive;		/* an IPv4 socket on relay-port is open (linkmsg.c's) */
	struct relay_port ports[MR_MAX_FAST + 1];
	int nports;
	/* The IPv4 socket to send on from port index pi (linkmsg.c's), -1: none. */
	int (*tx_socket)(void *ctx, int pi);
	void *ctx;
};

/* Zeroes the state; before anything else. */
void relay_init(struct relay_state *r);
/*
 * At start and after every reload (after linkmsg_start(), whose sockets
 * carry the advertisements): with relay = on, installs the rules and
 * checks the forwarding settings; with relay = off, removes whatever an
 * earlier run or configuration left.  0 or -errno.
 */
int relay_start(struct relay_state *r, const struct relay_env *e);
/* Before a reload replaces the config (e: the old one): stops relaying if it changes what relay uses. */
void relay_reload(struct relay_state *r, const struct relay_env *e, const struct mr_config *ncfg,
		  int nself);
/*
 * Rules and relay table removed (shutdown, relay turned off), and the
 * forwarding sysctls relay set put back as they were.
 */
void relay_stop(struct relay_state *r, const struct relay_env *e);

/* An advertisement that arrived on relay-port (linkmsg.c dispatches by magic). */
void relay_rx(struct relay_state *r, const struct relay_env *e, const struct net_msg *m);

/* What neighbours advertise, for route.h's rib_decide(); NULL while relay is off. */
const struct advert_table *relay_table(const struct relay_state *r);
/* Our routes changed: advertise and re-evaluate soon (same loop turn). */
void relay_routes_changed(struct relay_state *r);
/* Our route tables' contents were unknown (resync): re-evaluate soon. */
void relay_forget_routes(struct relay_state *r);

mtime_t relay_next_deadline(const struct relay_state *r);
/*
 * The timers, in two halves around the daemon's decision: relay_timers()
 * re-checks the forwarding settings and expires advertisements, and
 * returns true when the routes are to be decided again now; the daemon
 * does that, then relay_send_due() rewrites the relay table (if it
 * decided again) and sends the advertisements that are due.
 */
bool relay_timers(struct relay_state *r, const struct relay_env *e, mtime_t now);
void relay_send_due(struct relay_state *r, const struct relay_env *e, bool decided, mtime_t now);

const char *relay_drop_name(int reason);

#endif
