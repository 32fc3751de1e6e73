/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UDP sockets for BFD Control packets, single hop (RFC 5881): one receive
 * socket per address family on port 3784 that reports ingress port and TTL,
 * and one transmit socket per session, pinned to its port.
 */
#ifndef MR_NET_H
#define MR_NET_H

#include <stddef.h>
#include <stdint.h>

#include "mtime.h"

#include "config.h"

/*
 * What is kept of a received datagram: its first NET_KEEP bytes.  A BFD
 * Control packet's Length is one byte, so every Control packet fits, and so
 * does a relay advertisement (advert.h: ADVERT_MAX_LEN); the rest of a
 * longer datagram is RFC 9764 padding, counted in len but not kept.  Small
 * buffers let a batch be large without the daemon's memory growing.
 */
#define NET_KEEP 256
#define NET_MAX_DGRAM 65536	/* the largest UDP payload there is: a padded probe's bound */
#define NET_RECV_BATCH 64	/* datagrams per receive system call, at most */

struct net_msg {
	size_t len;		/* the whole datagram, padding included; buf holds min(len, NET_KEEP) */
	struct mr_addr src, dst;
	uint16_t sport;
	int ifindex;		/* ingress port */
	int ttl;		/* TTL / hop limit, -1 if the kernel gave none */
	/*
	 * Arrival on CLOCK_MONOTONIC (us): the kernel's stamp (SO_TIMESTAMPNS,
	 * which is wall-clock time) moved onto the monotonic clock, so that a
	 * daemon that was busy or stopped still knows when each packet came,
	 * and a wall-clock step changes nothing; the time of reading if the
	 * kernel gave no stamp or the wall clock stepped in between.
	 */
	mtime_t rx_at;
	mtime_t rx_delay;	/* how long it waited in the socket (us), 0 if unknown */
	uint8_t buf[NET_KEEP];
};

/*
 * Receive socket bound to the wildcard address and `port`, that reports each
 * datagram's ingress port, TTL / hop limit and arrival time; -errno on error.
 */
int net_rx_open(int family, uint16_t port);

/*
 * The socket's drop counter (SO_MEMINFO): datagrams the kernel dropped
 * instead of queueing them, refused by the socket filter or finding the
 * queue full, since the socket was made; it wraps at 2^32.  0 or -errno.
 */
int net_rx_drops(int fd, uint32_t *drops);

/*
 * The socket filter of a BFD Control receive socket (classic BPF, run by
 * the kernel on each datagram before it is queued): it drops what the
 * daemon would discard before any session state is looked at, so that a
 * flood of it never wakes the daemon:
 *   - TTL / hop limit not 255 (RFC 5881 §5: nobody routed it to us);
 *   - shorter than the 24-byte mandatory section;
 *   - RFC 5880 §6.8.6: version not 1; Length below 24, or below 26 with the
 *     A bit; Length beyond the datagram (a longer datagram is padding, RFC
 *     9764, and passes); Detect Mult 0; the Multipoint bit; My
 *     Discriminator 0; Your Discriminator 0 in State Init or Up;
 *   - the A bit where auth is NET_AUTH_NONE, no A bit where NET_AUTH_SET
 *     (§6.8.6: the authentication in use decides; ours is the daemon's);
 *   - with discrs (not NULL): a nonzero Your Discriminator that is none of
 *     the ndiscrs given (the running sessions' local discriminators: a
 *     flood that guesses our prefix costs the daemon nothing either); if
 *     they do not all fit in the program's jumps, discr_prefix instead;
 *   - else with a discr_prefix (not 0): a nonzero Your Discriminator whose
 *     upper 16 bits are not discr_prefix, i.e. no session's of ours when
 *     every local discriminator starts with it;
 *     either way 0xffffffff, an MTU session's bootstrap value (mtu.h),
 *     passes;
 *   - with peers: a source address that is none of them (a session is
 *     found by its peer's address, whatever the discriminator says).
 * These are bfd_decode()'s checks but the authentication section's, and
 * the first steps of the session lookup and auth_verify(): a datagram the
 * filter lets through may still be refused there, none it drops would have
 * been accepted.  One in `sample` of the datagrams it would drop passes
 * anyway (at random): the daemon still counts and logs by reason what it
 * drops, at that rate, for whoever looks for a misconfigured peer.
 * Writes the program for `family` into prog (room for NET_BFD_FILTER_MAX
 * instructions) and returns its length, -EINVAL (sample not a power of 2,
 * a peer of another family) or -E2BIG (too many peers for its jumps).
 */
#define NET_BFD_FILTER_MAX 256
#define NET_BFD_SAMPLE 256	/* the daemon's: 1 in 256 of the drops */
enum { NET_AUTH_ANY, NET_AUTH_NONE, NET_AUTH_SET };
struct net_bfd_match {
	const uint32_t *discrs;		/* NULL: discr_prefix decides */
	int ndiscrs;
	uint16_t discr_prefix;		/* 0: any Your Discriminator */
	int auth;			/* NET_AUTH_* */
	const struct mr_addr *peers;	/* NULL: any source */
	int npeers;
	unsigned int sample;		/* a power of 2; 0: every drop is final */
};
struct sock_filter;
int net_bfd_filter(int family, const struct net_bfd_match *m, struct sock_filter *prog);

/*
 * Attaches net_bfd_filter() to a receive socket, in place of the one it
 * had (not locked: a reload brings new peers or authentication); 0 or
 * -errno.  What it drops is counted by the kernel, in the socket's drop
 * counter (net_rx_drops), not by reason.
 */
int net_rx_filter_bfd(int fd, int family, const struct net_bfd_match *m);

/* One datagram: 0, -EAGAIN when none is queued, or another -errno. */
int net_recv(int fd, struct net_msg *m);

/*
 * Up to `n` (at most NET_RECV_BATCH) queued datagrams in one system call
 * (recvmmsg): how many were read, 1..n, or -EAGAIN when none is queued, or
 * another -errno.  Fewer than `n` means the queue was empty at that moment:
 * no further call is needed to find that out.
 */
int net_recv_many(int fd, struct net_msg *m, unsigned int n);

/*
 * Transmit socket from `src` bound to interface `ifindex` (routing table
 * ignored: packets leave through that port whatever the routes say), TTL
 * 255, network-control priority (SO_PRIORITY 7, DSCP CS6).  The source port
 * is picked in 49152-65535 (RFC 5881 §4) and returned in *sport; a port
 * already in *sport (a session's previous socket) is tried first.
 */
int net_tx_open(int family, const struct mr_addr *src, int ifindex, uint16_t *sport);

/*
 * For padded (RFC 9764) probes: Don't Fragment, and the device's MTU rather
 * than a learnt path MTU (IP_PMTUDISC_PROBE / IPV6_PMTUDISC_PROBE), so a
 * packet too large for the port fails to send instead of being split.
 */
int net_tx_dont_fragment(int fd, int family);

/* buf, then zeros up to `total` bytes (RFC 9764 padding) in one datagram; 0 or -errno. */
int net_send_padded(int fd, const struct mr_addr *dst, uint16_t port, const void *buf, size_t len,
		    size_t total);

/* 0 or -errno. */
int net_send(int fd, const struct mr_addr *dst, uint16_t port, const void *buf, size_t len);

/*
 * Fixes a transmit socket's destination: the kernel then keeps the route it
 * looked up instead of looking one up for every packet (re-checked when the
 * routes change).  0 or -errno (IPv6: no route to the peer on the port yet).
 */
int net_tx_connect(int fd, const struct mr_addr *dst, uint16_t port);

/*
 * Sends on a connected socket; 0 or -errno.  An ICMP error that came back
 * for an earlier packet fails the next send once: that send is repeated.
 */
int net_send_connected(int fd, const void *buf, size_t len);

/* Why the daemon dropped a received BFD packet (counted, and named by mr_drop_name()). */
enum mr_drop {
	MR_DROP_DECODE,		/* bfd_decode() refused it: see drop_decode[] */
	MR_DROP_TTL,		/* TTL / hop limit not 255 (RFC 5881 §5) */
	MR_DROP_NO_SESSION,	/* no session for its discriminator / source */
	MR_DROP_WRONG_PORT,	/* arrived on another port or from another source */
	MR_DROP_AUTH,		/* failed authentication: see drop_auth[] */
	MR_DROP_ADMIN_DOWN,	/* our session is AdminDown */
	MR_DROP_KERNEL,		/* by the kernel: the sockets' filter (net.h), or a full queue */
	MR_DROP_MAX
};
const char *mr_drop_name(int reason);

#endif
