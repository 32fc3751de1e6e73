/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The BFD receive path: the two receive sockets (IPv4, IPv6) and their
 * kernel filter (net.h), each datagram checked (decode, TTL 255 of RFC
 * 5881 §5, the session it is for (sesstab.h), authentication before
 * anything of it is believed, RFC 5880 §6.8.6) and handed to its session's
 * state machine, drops counted by reason, the kernel's own drops read;
 * and when sockets are read: on arrival, or on the daemon's own wake-ups
 * (rx-coalesce, or a flood) with every queued probe read before any
 * detection timer is judged.
 *
 * Called by the daemon only, with a struct rx_env lent per call: the
 * session tables, keys, the loop, and one call back, `deliver`, which gets
 * a session's state machine output (the daemon's dispatcher).  It never
 * sees struct mr_daemon, never sends and never touches routes.  Times are
 * mtime_t (us, CLOCK_MONOTONIC).
 */
#ifndef MR_RX_H
#define MR_RX_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "mtime.h"
#include "net.h"
#include "packet.h"
#include "sesstab.h"
#include "session.h"

/*
 * Coalesced receive (rx-coalesce = yes, docs/DESIGN.md).  When a session
 * sends every RX_LAZY_MAX or faster, the daemon wakes up that often anyway;
 * being woken by every arriving probe as well doubles its wake-ups, and each
 * arrival that wakes it makes the sender's kernel wake another CPU (on a VM,
 * an exit to the hypervisor): together most of the daemon's CPU time.  So
 * the receive sockets then leave the epoll set and are read on every
 * wake-up, at most RX_LAZY_MAX after the previous one ended.  Detection
 * timers are judged only after that read (rx_before_timers), so no probe is too
 * late for them; what may wait up to RX_LAZY_MAX is acting on what the
 * peer says (its Down after a one-way failure, a Poll).  Slower timers keep
 * the immediate wake-up: there it would cost more latency and save less.
 */
#define RX_LAZY_MAX MTIME_MS(10)

struct rx {
	struct loop_fd sk4, sk6;	/* the receive sockets; fd -1: none */
	uint64_t drops[MR_DROP_MAX];	/* by reason (net.h) */
	uint64_t drop_decode[BFD_DECODE_ERR_MAX];
	uint64_t drop_auth[AUTH_RESULT_MAX];
	uint32_t sk_drops[2];		/* IPv4, IPv6 socket: the kernel's drop counter, as last read */
	bool backlog;			/* a socket still held packets after a wake-up */
	bool lazy;			/* read on the daemon's own wake-ups: sockets out of epoll */
	mtime_t read_at;		/* last time both sockets were read empty */
	mtime_t next_read;		/* lazy: read again by then at the latest */
	mtime_t mode_retry_at;		/* after a failed switch back to wake-on-arrival */
	mtime_t flood_at;		/* flood check: start of the current window */
	uint64_t flood_drops;		/* ... packets dropped before it */
	mtime_t flood_until;		/* lazy until then: a flood */
	mtime_t allow;			/* queueing that coalescing explains, us */
	mtime_t queued_max;		/* oldest probe found waiting since the caller last took it, us */
};

/* What the receive path may use of the daemon's, lent for one call. */
struct rx_env {
	const struct mr_config *cfg;	/* rx-coalesce; the peers' addresses (filter) */
	int self;
	struct sesstab tab;		/* which session a packet is for; discriminators (filter) */
	const struct auth_keyring *keys;
	struct log_ratelimit *rl;	/* dropped packets' log lines */
	struct loop *loop;		/* the sockets leave it while lazy */
	/* A session's state machine output after a packet: the daemon dispatches it. */
	void (*deliver)(void *ctx, struct mr_sess *s, const struct bfd_output *out, mtime_t now);
	void *ctx;
};

/* No sockets, nothing counted. */
void rx_init(struct rx *rx);
/*
 * Opens the IPv4 socket (and the IPv6 one with ipv6) on the BFD port, in
 * the loop with on4 / on6 (arg) called when readable.  0 or -errno.
 */
int rx_open(struct rx *rx, struct loop *loop, bool ipv6, loop_fn on4, loop_fn on6, void *arg);
void rx_close(struct rx *rx);
/*
 * The sockets' filter for e's sessions and config: the sessions'
 * discriminators (or, short of memory, their prefix), the authentication,
 * the configured peers' addresses.  To be called whenever the tables
 * change, before new sessions send.  Refused by the kernel: logged, and
 * the same checks are made here, only dearer.
 */
void rx_filter_update(struct rx *rx, const struct rx_env *e);
/* One datagram received at now: checked, counted, delivered to its session (or dropped). */
void rx_packet(struct rx *rx, const struct rx_env *e, const struct net_msg *m, mtime_t now);
/* Socket fd is readable: drained within a budget (backlog set if it was not emptied). */
void rx_readable(struct rx *rx, const struct rx_env *e, int fd);
/*
 * Before the timers of a wake-up: when a detection timer is due, sockets
 * are lazy, a packet is known to wait, or `pending` (the caller's other
 * sockets need the probes counted first), every queued probe is read
 * (bounded).  True when it read: the caller reads the clock again.
 */
bool rx_before_timers(struct rx *rx, const struct rx_env *e, bool pending, mtime_t now);
/* After the timers: flood check, then sockets in or out of epoll as wanted (logged). */
void rx_mode_update(struct rx *rx, const struct rx_env *e, mtime_t now);
/* At the end of a wake-up: lazy, the next read is RX_LAZY_MAX from now. */
void rx_wakeup_done(struct rx *rx);
/* When the sockets must be read next without a wake-up by arrival (MTIME_NEVER: none). */
mtime_t rx_next_deadline(const struct rx *rx);

#endif
