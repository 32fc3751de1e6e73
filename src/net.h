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

/* Whole datagram, padding included: the largest UDP payload there is, so nothing is truncated. */
#define NET_MAX_DGRAM 65536
#define NET_RECV_BATCH 8	/* datagrams per receive system call, at most */

/*
 * The fields before the buffer: a short packet then touches one page of
 * memory, not two (a batch of them stays out of the resident set).
 */
struct net_msg {
	size_t len;
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
	uint8_t buf[NET_MAX_DGRAM];
};

/* Receive socket bound to the wildcard address and `port`; -errno on error. */
int net_rx_open(int family, uint16_t port);

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
	MR_DROP_MAX
};
const char *mr_drop_name(int reason);

#endif
