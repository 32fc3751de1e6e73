/* SPDX-License-Identifier: GPL-2.0-or-later */
/* All rtnetlink access of the daemon: dumps, route and rule changes, link and route events. */
#ifndef MR_NL_H
#define MR_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/*
 * One handle, two NETLINK_ROUTE sockets (the babeld/iproute2 layout):
 *  - the command socket sends one request at a time, each with its own
 *    sequence number, and waits for the kernel's ack or the end of the dump;
 *    replies whose sequence number or port id do not match are dropped.
 *    NETLINK_EXT_ACK and NETLINK_GET_STRICT_CHK are on, so the kernel says
 *    *why* it refused (that text is in the log line of the failure), and
 *    it rejects dump requests it would otherwise silently not filter.
 *  - the monitor socket is nonblocking, subscribed to the link and the
 *    IPv4/IPv6 route groups, with a 4 MiB receive buffer. If the kernel still
 *    drops events, nl_monitor_read() returns -ENOBUFS and the caller resyncs
 *    with the dumps.
 *
 * Every function returns 0 or -errno. The handle is not thread-safe.
 * Handlers called from a dump must not issue commands (nl_route_*, nl_rule_*, nl_dump_*)
 * on the same handle: the command socket is busy, such calls return -EBUSY.
 * Handlers called from nl_monitor_read() may issue commands.
 */

#define MR_RTPROT 204	/* our route protocol number; /etc/iproute2/rt_protos.d/meshroute.conf names it "meshroute" */

struct nl;	/* opaque: command socket + monitor socket */

struct nl_link {
	int ifindex;
	char name[16];		/* IFNAMSIZ, NUL-terminated */
	unsigned flags;		/* IFF_* from ifi_flags */
	bool carrier;		/* IFF_LOWER_UP (and IFLA_CARRIER when present): admin up and link up */
	bool up;		/* IFF_UP: administratively up */
	unsigned mtu;		/* bytes; 0 if not reported */
	uint8_t operstate;	/* IF_OPER_* (RFC 2863) */
};

struct nl_addr {
	int family;		/* AF_INET or AF_INET6 */
	int ifindex;
	uint8_t addr[16];	/* family-sized, network byte order (IFA_LOCAL, else IFA_ADDRESS) */
	uint8_t prefixlen;	/* bits */
	uint32_t flags;		/* IFA_F_*: an IPv6 address with IFA_F_TENTATIVE cannot be bound or used as prefsrc yet */
};

#define NL_MAX_NH 8

struct nl_route {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t dst[16];	/* family-sized, network byte order; all zero for a default route */
	uint8_t dst_len;	/* prefix length, bits */
	uint8_t protocol;	/* RTPROT_*; ours is MR_RTPROT */
	uint32_t table;		/* RT_TABLE_* (RTA_TABLE when present, so ids > 255 are right) */
	uint8_t type;		/* RTN_* */
	uint8_t scope;		/* RT_SCOPE_* */
	int noif;		/* output interfaces in oif[]; 0 for e.g. blackhole routes */
	int oif[NL_MAX_NH];	/* RTA_OIF, or one per RTA_MULTIPATH nexthop (first NL_MAX_NH only) */
	uint8_t prefsrc[16];	/* family-sized, valid if has_prefsrc */
	bool has_prefsrc;
	uint32_t priority;	/* RTA_PRIORITY (metric), 0 if absent */
	uint8_t gw[16];		/* RTA_GATEWAY of a single-nexthop route, valid if has_gw */
	bool has_gw;
	uint32_t nh_id;		/* RTA_NH_ID: the route uses nexthop object nh_id (0: none) */
};

/*
 * Monitor and dump callbacks; any may be NULL.  addr is for nl_dump_addrs()
 * only: the monitor joins no address group.
 */
struct nl_handlers {
	void (*link)(void *ctx, const struct nl_link *l, bool deleted);
	void (*addr)(void *ctx, const struct nl_addr *a, bool deleted);
	void (*route)(void *ctx, const struct nl_route *r, bool deleted);
	void *ctx;
};

/* Opens both sockets and subscribes the monitor (RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE). */
int nl_open(struct nl **out);
void nl_close(struct nl *nl);

/* The monitor socket, for epoll (EPOLLIN). */
int nl_monitor_fd(const struct nl *nl);

/*
 * Reads all pending monitor messages and calls the handlers. Returns 0, or
 * -ENOBUFS when the kernel dropped events (caller must resync with the dumps
 * below, then call this again: the socket stays usable), or another -errno.
 * Route events carry table and protocol so the caller filters; RTM_DELROUTE
 * gives deleted=true. Cached IPv6 routes (RTM_F_CLONED, e.g. PMTU exceptions)
 * are not reported: they are not routing table entries.
 *
 * Kernel caveat: when an interface goes administratively down, IPv4 flushes
 * the routes over it WITHOUT sending RTM_DELROUTE (IPv6 does send them). A
 * link event with up=false therefore means "my IPv4 routes over it are gone".
 * On carrier loss alone IPv4 keeps the routes (flagged linkdown).
 */
int nl_monitor_read(struct nl *nl, const struct nl_handlers *h);

/*
 * Dumps call the handler once per object with deleted=false. A dump the
 * kernel marks inconsistent (NLM_F_DUMP_INTR) is restarted, so a handler may
 * see an object twice; after several interrupted tries the result is -EINTR.
 */
int nl_dump_links(struct nl *nl, const struct nl_handlers *h);
int nl_dump_addrs(struct nl *nl, int family, const struct nl_handlers *h);	/* AF_UNSPEC = both */
/*
 * Routes of one table (RT_TABLE_MAIN, MR_RELAY_TABLE, MR_PROBE_TABLE) with
 * the given protocol (0 = any) and family (AF_UNSPEC = both).
 */
int nl_dump_routes(struct nl *nl, int family, uint32_t table, uint8_t protocol,
		   const struct nl_handlers *h);

/*
 * Relay (IPv4): packets that arrive on a fast port are looked up in
 * MR_RELAY_TABLE, through one rule per fast port "iif PORT lookup
 * MR_RELAY_TABLE pref MR_RELAY_RULE_PREF" (after the local table's rule 0,
 * before main's 32766).  That table holds, per peer, only a direct route
 * (over oifs) or the LAN's (one oif, the LAN port), or unreachable (no
 * oif), never a relayed one: see docs/DESIGN.md, "Relay".
 */
#define MR_RELAY_TABLE 205
#define MR_RELAY_RULE_PREF 205
/*
 * Probe routes (IPv6): a host route to a peer on one port in
 * MR_PROBE_TABLE, one per (port, peer) told apart by metric, looked up only
 * by packets marked MR_PROBE_MARK through the rule "fwmark MR_PROBE_MARK
 * lookup MR_PROBE_TABLE pref MR_PROBE_RULE_PREF", so our BFD sockets reach
 * a peer on a port that carries no route to it.
 */
#define MR_PROBE_TABLE 204
#define MR_PROBE_MARK 0x6d720000u	/* "mr" */
#define MR_PROBE_RULE_PREF 204

/* One route of ours (protocol MR_RTPROT) to write or delete. */
struct nl_route_req {
	uint32_t table;		/* RT_TABLE_MAIN (traffic), MR_RELAY_TABLE or MR_PROBE_TABLE */
	int family;		/* AF_INET or AF_INET6 */
	uint8_t dst[16];	/* family-sized, network byte order */
	uint8_t dst_len;	/* prefix length, bits */
	bool has_src;
	uint8_t src[16];	/* preferred source (RTA_PREFSRC), family-sized */
	bool has_gw;
	uint8_t gw[16];		/* a gateway on the port, onlink: then noif is 1 */
	int noif;		/* output interfaces; 0 is an unreachable route */
	int oif[NL_MAX_NH];
	uint32_t metric;	/* RTA_PRIORITY; 0: none */
};

/* A host route (/32, /128) to dst (family-sized bytes) in table, everything else empty. */
static inline void nl_route_req_host(struct nl_route_req *r, uint32_t table, int family,
				     const uint8_t *dst)
{
	size_t alen = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	memset(r, 0, sizeof(*r));
	r->table = table;
	r->family = family;
	r->dst_len = (uint8_t)(8 * alen);
	if (dst)
		memcpy(r->dst, dst, alen);
}

/*
 * Installs r, NLM_F_CREATE|NLM_F_REPLACE, so switching paths is atomic
 * (never delete-then-add): one oif is a plain route with RTA_OIF (scope
 * link, or through the gateway onlink, scope universe), several are
 * RTA_MULTIPATH with one rtnexthop per ifindex and no gateway, none an
 * unreachable route (not allowed in the main table: -EINVAL).  Waits for
 * the ack; on error logs once with the kernel's extended ack text and the
 * route.
 *
 * AF_INET6 with noif > 1: the multipath API (RTA_MULTIPATH) refuses
 * device-only IPv6 next hops ("Device only routes can not be added for IPv6
 * using the multipath API"; older kernels made separate routes), but a
 * group of nexthop objects (Linux >= 5.3) is one ECMP route: one device
 * next hop per port, one group per destination, the route with RTA_NH_ID,
 * all proto MR_RTPROT with ids from 0x6d720000 up (ids another program
 * holds are skipped, ours left by a killed run deleted and reused).
 * Every install rewrites the port next hops and the group (an admin down
 * deletes a port's next hop in the kernel); a route
 * that leaves the group (one oif, deleted) has its group deleted.  Route
 * events keep reporting the members (with nexthop_compat_mode 0, from the
 * group as last installed).  -EOPNOTSUPP where nl_ipv6_multipath() is
 * false: the caller uses one oif.
 * Other kernel refusals worth knowing: -ENETDOWN ("Nexthop device is not
 * up") over an admin-down interface; -EINVAL for a prefsrc that is not a
 * local address, which for IPv6 includes a still-tentative (DAD) one.
 */
int nl_route_replace(struct nl *nl, const struct nl_route_req *r);
/*
 * Whether this kernel has nexthop objects (IPv6 multipath above); probed
 * once with a dump, false also while the handle is busy in a dump.
 */
bool nl_ipv6_multipath(struct nl *nl);

/*
 * Deletes our route to r's dst in r's table (all nexthops); with one oif
 * and a metric, only the route over that oif with that metric (probe
 * routes).  -ESRCH (or -ENOENT) when absent is returned but not logged as
 * an error.
 */
int nl_route_delete(struct nl *nl, const struct nl_route_req *r);

/* A policy rule of ours: "[iif IIFNAME] [fwmark FWMARK] lookup TABLE pref PREF". */
struct nl_rule_req {
	int family;
	uint32_t table;
	uint32_t pref;
	uint32_t fwmark;	/* 0: none */
	char iifname[16];	/* "": any input interface */
};

/* Adds r; one that exists already is fine.  0 or -errno (logged). */
int nl_rule_add(struct nl *nl, const struct nl_rule_req *r);
/*
 * Deletes the first rule that matches r (an empty iifname and no fwmark
 * match any rule of that table and preference): 0, -ENOENT when there is
 * none (not logged), or another -errno (logged).
 */
int nl_rule_delete(struct nl *nl, const struct nl_rule_req *r);

/*
 * Forgets the neighbour entry of addr on a port (absent is fine).  An entry
 * left INCOMPLETE while the cable was out is retried only once a second;
 * a fresh one is resolved at the first packet.
 */
int nl_neigh_delete(struct nl *nl, int family, const uint8_t *addr, int ifindex);

/*
 * Every route of every table and protocol (AF_UNSPEC = both families), for
 * the host checks (hostcheck.h): other programs' routes to our peers.
 */
int nl_dump_all_routes(struct nl *nl, int family, const struct nl_handlers *h);

#endif
