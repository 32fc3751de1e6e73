/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Relay over a neighbour's fast link (relay = on, IPv4), the glue: sends
 * and receives the advertisements (advert.c), chooses relayed paths
 * (path.c's path_relay_pick), keeps this node's forwarding side (policy
 * rules and the relay table, forwarding sysctls) and says why when it
 * cannot relay for others.  See docs/DESIGN.md, "Relay".
 */
#ifndef MR_RELAY_H
#define MR_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "advert.h"
#include "config.h"
#include "loop.h"
#include "mtime.h"
#include "path.h"

struct mr_daemon;
struct net_msg;
struct nl_route;

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
	char rule_port[MR_MAX_FAST][16];	/* iif rules installed */
	int nrules;
	uint32_t seq;
	mtime_t next_send, last_send, next_check;
	bool resend, reeval;
	uint32_t reach;			/* last advertised set (node bits) */
	struct advert_table table;
	struct path_result fwd[MR_MAX_NODES];	/* MR_RELAY_TABLE as installed */
	bool fwd_known[MR_MAX_NODES];
	/* Forwarding sysctls relay changed: what they were, restored when relay goes off. */
	char fwd_port[MR_MAX_FAST][16];
	int fwd_was[MR_MAX_FAST];
	int nfwd;
	uint64_t tx_packets, tx_errors, rx_packets;
	uint64_t drops[RELAY_DROP_MAX];
	uint64_t drop_decode[ADVERT_ERR_MAX];
};

/* Zeroes the state (fds -1); before anything else. */
void relay_init(struct relay_state *r);
/*
 * At start and after every reload (after linkmsg_start(), whose sockets
 * carry the advertisements): with relay = on, installs the rules and
 * checks the forwarding settings; with relay = off, removes whatever an
 * earlier run or configuration left.  0 or -errno.
 */
int relay_start(struct mr_daemon *d);
/* Before a reload replaces the config: stops relaying if it changes what relay uses. */
void relay_reload(struct mr_daemon *d, const struct mr_config *ncfg, int nself);
/*
 * Rules and relay table removed (shutdown, relay turned off), and the
 * forwarding sysctls relay set put back as they were.
 */
void relay_stop(struct mr_daemon *d);

/* An advertisement that arrived on relay-port (linkmsg.c dispatches by magic). */
void relay_rx(struct mr_daemon *d, const struct net_msg *m);

/*
 * For peer_update(): want has no direct fast port to `peer` (IPv4): makes
 * it a relayed path when a neighbour qualifies, else leaves it (the LAN).
 */
void relay_path(struct mr_daemon *d, int peer, mtime_t now, struct path_result *want);
/* Our routes changed: advertise and re-evaluate soon (same loop turn). */
void relay_routes_changed(struct mr_daemon *d);
/* A route of ours seen in the kernel: fills seen's relay fields from its gateway. */
void relay_route_seen(const struct mr_daemon *d, const struct nl_route *r,
		      struct path_result *seen);
/* Our route tables' contents are unknown (resync): rewrite the relay table. */
void relay_forget_routes(struct mr_daemon *d);

mtime_t relay_next_deadline(const struct mr_daemon *d);
void relay_timers(struct mr_daemon *d, mtime_t now);

const char *relay_drop_name(int reason);

#endif
