/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's routes of this node, wanted and installed (a small RIB):
 *  - per peer and address family, the host route in the main table, over
 *    fast ports (several: multipath), through a neighbour that relays it,
 *    or none (the LAN's subnet route carries the traffic);
 *  - relay = on: the relay table MR_RELAY_TABLE (what traffic forwarded
 *    for others may use, never a relayed path) and its iif rules;
 *  - IPv6: the probe routes of MR_PROBE_TABLE and their fwmark rule.
 *
 * The decision is rib_decide() (path.h's policy, IPv6's one port, the
 * relay fallback), the write rib_apply(): compare with what the kernel
 * holds (our writes, route events, dumps), one atomic replace or a delete,
 * a retry after ROUTE_RETRY when the kernel refused.  This module is the
 * only caller of nl.h's route and rule writes; it logs only netlink's
 * failures and someone else's changes to our routes: path changes are
 * returned (struct rib_change) for the caller to log and alert, and it
 * never calls alerts or relay.  Unit-tested against a fake nl
 * (tests/unit/fake_nl.c).
 */
#ifndef MR_ROUTE_H
#define MR_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "advert.h"
#include "config.h"
#include "mtime.h"
#include "path.h"

struct nl;
struct nl_route;

/* A failed route change is retried after this long. */
#define ROUTE_RETRY MTIME_MS(500)

/* The host route to one peer in one family. */
struct rib_route {
	struct path_result installed;	/* what the kernel holds for it */
	bool installed_known;		/* false: rewrite regardless */
	mtime_t recheck_at;		/* decide again then: a hold-down ends, a retry */
	mtime_t changed_at;		/* last path change */
	bool ever_fast;			/* has been on a fast port since start */
};

struct rib {
	const struct mr_config *cfg;	/* the daemon's: nodes, addresses */
	int self;			/* this node's index in cfg */
	struct nl *nl;			/* NULL: nothing is written */
	struct rib_route rt[MR_MAX_NODES][MR_NFAM];
	/* relay = on: MR_RELAY_TABLE as installed, and the ports with an iif rule */
	struct path_result fwd[MR_MAX_NODES];
	bool fwd_known[MR_MAX_NODES];
	char rule_port[MR_MAX_FAST][16];
	int nrules;
	bool probe_rule;		/* the IPv6 probe rule is installed */
};

/* Every route unknown and on the LAN, none installed by us yet. */
void rib_init(struct rib *r, const struct mr_config *cfg, int self, struct nl *nl, mtime_t now);

/*
 * At start: our routes in the main table left by an earlier run (which
 * links work is unknown now, so the LAN it is), and every probe route of
 * ours.  0 or -errno (a dump failed).
 */
int rib_remove_stale(struct rib *r);

/*
 * The route wanted to `peer` in family fam, from its fast ports'
 * candidates (path.h): path_select(); for IPv6 one port only unless the
 * kernel has nexthop objects (nl_ipv6_multipath()), the lowest ifindex,
 * stably; for IPv4
 * with no direct port and relay running (adv not NULL), a neighbour whose
 * live advertisement lists the peer, reached over our in-service direct
 * route to it.  want->recheck_at says when to decide again.
 */
void rib_decide(const struct rib *r, int peer, int fam, const struct path_candidate *c, int n,
		const struct advert_table *adv, mtime_t now, struct path_result *want);

/* The port ifindex carries our traffic to peer directly now (its hold-down is served). */
bool rib_in_service(const struct rib *r, int peer, int fam, int ifindex);

/* A change of the path our traffic to a peer takes, for the caller's log line and alert. */
struct rib_change {
	int peer, fam;
	struct path_result old, new;
	bool alert;		/* not the link's first bring-up since start */
};

/*
 * Makes the kernel hold `want` to peer in fam unless it does already:
 * replace (or delete for the LAN), acked.  Returns true when the path
 * changed, with *chg filled; false when it was in place, or the kernel
 * refused (retried at now + ROUTE_RETRY at the latest: recheck_at).
 */
bool rib_apply(struct rib *r, int peer, int fam, const struct path_result *want, mtime_t now,
	       struct rib_change *chg);

/* rib_apply() of the LAN (no route of ours) whatever we believed installed: shutdown, a peer removed. */
bool rib_withdraw(struct rib *r, int peer, int fam, mtime_t now, struct rib_change *chg);

/* The earliest recheck_at of a peer's routes. */
mtime_t rib_recheck_at(const struct rib *r, int peer);

/*
 * A route event (the monitor) or a dump's entry: when it is our host route
 * to a peer in the main table and differs from what we believe installed,
 * that becomes what is installed (someone else changed or removed it:
 * logged) and the peer's index is returned for a new decision; else -1.
 */
int rib_route_event(struct rib *r, const struct nl_route *rt, bool deleted);

/*
 * What the kernel holds, from a dump of our main-table routes: every
 * peer's installed path (decide them all again afterwards); the relay
 * table is rewritten at the next rib_fwd_sync().  0 or -errno.
 */
int rib_resync(struct rib *r);

/* The port ifindex went down administratively: IPv4 flushed our routes over it unannounced. */
void rib_port_down(struct rib *r, int ifindex);

/* The lowest port of our direct (not relayed), in-service IPv4 route to node n; 0: none. */
int rib_direct_oif(const struct rib *r, int n);

/*
 * Relay = on, the forwarding side.  rib_fwd_sync(): per peer, the relay
 * table's route: our own direct path (path_for_forwarded), else the LAN
 * port (lan_ifindex), else unreachable.  rib_relay_rules(): one rule per
 * fast port named (a port that left loses its rule only after the others
 * are in); 0, or -1 if one could not be added.  rib_relay_clear(): every
 * rule and relay-table route of ours, whichever run installed them.
 * rib_fwd_forget(): the relay table's contents are unknown (rewrite).
 */
void rib_fwd_sync(struct rib *r, int lan_ifindex);
int rib_relay_rules(struct rib *r, const char (*names)[16], int n);
void rib_relay_clear(struct rib *r);
void rib_fwd_forget(struct rib *r);

/*
 * IPv6 probe route to addr over port ifindex (metric: the ifindex), with
 * the fwmark rule first if it is not in yet.  Replace is idempotent, and
 * the kernel drops the route with the port.  0 or -errno.
 */
int rib_probe_route(struct rib *r, const struct mr_addr *addr, int ifindex);
/* Every probe route of ours, whichever run installed it; the rule too if we added it. */
void rib_probe_flush(struct rib *r);

/*
 * Reload: old_of[n] is the index in r's (current) config of new node n
 * when it is the same peer (name and addresses), else -1; see
 * rib_peer_map().  rib_reload() returns the routes of the new config
 * (carried or new) in nrt; rib_reload_swap() puts them in place once the
 * config has been swapped.  Peers not carried are to be withdrawn first.
 */
void rib_peer_map(const struct mr_config *old, int oself, const struct mr_config *ncfg, int nself,
		  int old_of[MR_MAX_NODES]);
void rib_reload(const struct rib *r, const int old_of[MR_MAX_NODES], mtime_t now,
		struct rib_route nrt[MR_MAX_NODES][MR_NFAM]);
void rib_reload_swap(struct rib *r, int nself, struct rib_route nrt[MR_MAX_NODES][MR_NFAM]);

#endif
