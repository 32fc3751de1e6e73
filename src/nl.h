/* SPDX-License-Identifier: GPL-2.0-or-later */
/* All rtnetlink access of the daemon: link/address/route dumps, route changes, events. */
#ifndef MR_NL_H
#define MR_NL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One handle, two NETLINK_ROUTE sockets (the babeld/iproute2 layout):
 *  - the command socket sends one request at a time, each with its own
 *    sequence number, and waits for the kernel's ack or the end of the dump;
 *    replies whose sequence number or port id do not match are dropped.
 *    NETLINK_EXT_ACK and NETLINK_GET_STRICT_CHK are on, so the kernel says
 *    *why* it refused (that text is logged and kept for nl_last_error()), and
 *    it rejects dump requests it would otherwise silently not filter.
 *  - the monitor socket is nonblocking, subscribed to link, address and
 *    IPv4/IPv6 route groups, with a 4 MiB receive buffer. If the kernel still
 *    drops events, nl_monitor_read() returns -ENOBUFS and the caller resyncs
 *    with the dumps.
 *
 * Every function returns 0 or -errno. The handle is not thread-safe.
 * Handlers called from a dump must not issue commands (nl_route_*, nl_dump_*)
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

/* Monitor and dump callbacks; any may be NULL. */
struct nl_handlers {
	void (*link)(void *ctx, const struct nl_link *l, bool deleted);
	void (*addr)(void *ctx, const struct nl_addr *a, bool deleted);
	void (*route)(void *ctx, const struct nl_route *r, bool deleted);
	void *ctx;
};

/* Opens both sockets and subscribes the monitor (RTNLGRP_LINK, IPV4/IPV6_IFADDR, IPV4/IPV6_ROUTE). */
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
/* Routes of the main table with the given protocol (0 = any) and family (AF_UNSPEC = both). */
int nl_dump_routes(struct nl *nl, int family, uint8_t protocol, const struct nl_handlers *h);
/* The same for another table (probe routes). */
int nl_dump_table_routes(struct nl *nl, int family, uint32_t table, uint8_t protocol,
			 const struct nl_handlers *h);

/*
 * Installs dst/dst_len in the main table, proto MR_RTPROT, scope link,
 * preferred source src (family-sized bytes, NULL = none), over the given
 * output interfaces: noif == 1 is a plain route with RTA_OIF; noif > 1 is
 * RTA_MULTIPATH with one rtnexthop per ifindex and no gateway.
 * NLM_F_CREATE|NLM_F_REPLACE, so switching paths is atomic (never
 * delete-then-add). Waits for the ack; on error logs once with the kernel's
 * extended ack text and the route.
 *
 * AF_INET6 with noif > 1: the multipath API (RTA_MULTIPATH) refuses
 * device-only IPv6 next hops ("Device only routes can not be added for IPv6
 * using the multipath API"; older kernels made separate routes), but a
 * group of nexthop objects (Linux >= 5.3) is one ECMP route: one device
 * next hop per port, one group per destination, the route with RTA_NH_ID,
 * all proto MR_RTPROT with ids from 0x6d720000 up (ids another program
 * holds are skipped, ours left by a killed run deleted and reused).  Every install rewrites the port next hops and the
 * group (an admin down deletes a port's next hop in the kernel); a route
 * that leaves the group (one oif, deleted) has its group deleted.  Route
 * events keep reporting the members (with nexthop_compat_mode 0, from the
 * group as last installed).  -EOPNOTSUPP where nl_ipv6_multipath() is
 * false: the caller uses one oif.
 * Other kernel refusals worth knowing: -ENETDOWN ("Nexthop device is not
 * up") over an admin-down interface; -EINVAL for a prefsrc that is not a
 * local address, which for IPv6 includes a still-tentative (DAD) one.
 */
int nl_route_replace(struct nl *nl, int family, const uint8_t *dst, uint8_t dst_len,
		     const uint8_t *src, const int *oifs, int noif);
/*
 * Whether this kernel has nexthop objects (IPv6 multipath above); probed
 * once with a dump, false also while the handle is busy in a dump.
 */
bool nl_ipv6_multipath(struct nl *nl);

/*
 * The same with one nexthop through a gateway: dst via gw dev oif onlink
 * (the gateway is a neighbour on that port whatever the routing table says;
 * our nodes' fast ports carry only /32 addresses).  Used for relayed paths.
 */
int nl_route_replace_via(struct nl *nl, int family, const uint8_t *dst, uint8_t dst_len,
			 const uint8_t *src, const uint8_t *gw, int oif);

/*
 * Relay (IPv4): packets that arrive on a fast port are looked up in
 * MR_RELAY_TABLE, through one rule per fast port "iif PORT lookup
 * MR_RELAY_TABLE pref MR_RELAY_RULE_PREF" (after the local table's rule 0,
 * before main's 32766).  That table holds, per peer, only a direct route
 * (over oifs) or the LAN's (noif 1, the LAN port), or unreachable (noif 0),
 * never a relayed one: see docs/DESIGN.md, "Relay".
 */
#define MR_RELAY_TABLE 205
#define MR_RELAY_RULE_PREF 205
int nl_relay_route_replace(struct nl *nl, const uint8_t *dst, const uint8_t *src,
			   const int *oifs, int noif);
/* -ESRCH/-ENOENT when absent, not logged. */
int nl_relay_route_delete(struct nl *nl, const uint8_t *dst);
/*
 * Adds (idempotent) the rule for ifname, or deletes it; ifname NULL with
 * add = false deletes any one rule of ours (call until -ENOENT).
 */
int nl_relay_rule(struct nl *nl, const char *ifname, bool add);

/*
 * Deletes our route to dst (proto MR_RTPROT, main table, all nexthops).
 * -ESRCH (or -ENOENT) when absent is returned but not logged as an error.
 */
int nl_route_delete(struct nl *nl, int family, const uint8_t *dst, uint8_t dst_len);

/*
 * Probe routes (IPv6): a host route to dst on port oif in MR_PROBE_TABLE,
 * one per (port, peer) with its own metric, looked up only by packets
 * marked MR_PROBE_MARK through the rule nl_probe_rule() installs, so our
 * BFD sockets reach a peer on a port that carries no route to it.
 */
#define MR_PROBE_TABLE 204
#define MR_PROBE_MARK 0x6d720000u	/* "mr" */
#define MR_PROBE_RULE_PREF 204
int nl_probe_route_replace(struct nl *nl, int family, const uint8_t *dst, int oif,
			   uint32_t metric);
int nl_probe_route_delete(struct nl *nl, int family, const uint8_t *dst, int oif,
			  uint32_t metric);
/*
 * Forgets the neighbour entry of addr on a port (absent is fine).  An entry
 * left INCOMPLETE while the cable was out is retried only once a second;
 * a fresh one is resolved at the first packet.
 */
int nl_neigh_delete(struct nl *nl, int family, const uint8_t *addr, int ifindex);

/* Adds (idempotent) or deletes the fwmark rule for MR_PROBE_TABLE. */
int nl_probe_rule(struct nl *nl, int family, bool add);

/*
 * The kernel's extended ack text for the last failed command on this handle
 * ("" if the kernel gave none); for control-socket replies.
 */
const char *nl_last_error(const struct nl *nl);

/* ifindex of a name (if_nametoindex, no netlink round trip), 0 if none. */
int nl_ifindex(const char *name);

/*
 * Every route of every table and protocol (AF_UNSPEC = both families), for
 * the host checks (hostcheck.h): other programs' routes to our peers.
 */
int nl_dump_all_routes(struct nl *nl, int family, const struct nl_handlers *h);

#endif
