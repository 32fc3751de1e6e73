// SPDX-License-Identifier: GPL-2.0-or-later
/* The BFD receive path (rx.h): sockets, checks, drops, when sockets are read. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "linkmsg.h"
#include "mtu.h"
#include "rx.h"

void rx_init(struct rx *rx)
{
	*rx = (struct rx){ .sk4.fd = -1, .sk6.fd = -1 };
}

int rx_open(struct rx *rx, struct loop *loop, bool ipv6, loop_fn on4, loop_fn on6, void *arg)
{
	int err;

	rx->sk4.fd = net_rx_open(AF_INET, BFD_PORT_CONTROL);
	if (rx->sk4.fd < 0)
		return rx->sk4.fd;
	rx->sk4.fn = on4;
	rx->sk4.arg = arg;
	if ((err = loop_add(loop, &rx->sk4, EPOLLIN)) < 0)
		return err;
	if (!ipv6)
		return 0;
	rx->sk6.fd = net_rx_open(AF_INET6, BFD_PORT_CONTROL);
	if (rx->sk6.fd < 0)
		return rx->sk6.fd;
	rx->sk6.fn = on6;
	rx->sk6.arg = arg;
	return loop_add(loop, &rx->sk6, EPOLLIN);
}

void rx_close(struct rx *rx)
{
	if (rx->sk4.fd >= 0)
		close(rx->sk4.fd);
	if (rx->sk6.fd >= 0)
		close(rx->sk6.fd);
	rx->sk4.fd = rx->sk6.fd = -1;
}

/*
 * The receive sockets' filter (net.h) for the running sessions and config:
 * our sessions' discriminators (or, short of memory, their prefix), our
 * authentication, the configured peers' addresses.  Called whenever the
 * session tables change, before new sessions send.  Without it (a kernel
 * that refuses it: logged) the daemon's own checks are the same, only
 * dearer.
 */
void rx_filter_update(struct rx *rx, const struct rx_env *e)
{
	static const int fams[2] = { AF_INET, AF_INET6 };
	struct mr_addr peers[MR_MAX_NODES];
	struct net_bfd_match m = {
		.discr_prefix = e->tab.discr_prefix,
		.auth = e->keys->type != BFD_AUTH_NONE && e->keys->nkeys > 0 ? NET_AUTH_SET : NET_AUTH_NONE,
		.peers = peers,
		.sample = NET_BFD_SAMPLE,
	};
		uint32_t *discrs = NULL;
	int f, i, fd;

	for (f = 0; f < 2; f++) {
		fd = fams[f] == AF_INET6 ? rx->sk6.fd : rx->sk4.fd;
		if (fd < 0)
			continue;
		m.npeers = 0;
		for (i = 0; i < e->cfg->nnodes; i++)	/* (node_addr: 0 IPv4, 1 IPv6) */
			if (i != e->self && mr_node_addr(&e->cfg->nodes[i], f)->family == fams[f])
				peers[m.npeers++] = *mr_node_addr(&e->cfg->nodes[i], f);
		free(discrs);
		discrs = NULL;
		m.ndiscrs = sesstab_discrs(&e->tab, fams[f], &discrs);
		m.discrs = m.ndiscrs < 0 ? NULL : discrs;
		if (net_rx_filter_bfd(fd, fams[f], &m) < 0)
			log_warnx("BFD receive socket (%s) without its filter: malformed packets, wrong "
				  "TTLs and strangers are dropped by the daemon, not by the kernel",
				  fams[f] == AF_INET6 ? "IPv6" : "IPv4");
	}
	free(discrs);
}

static void drop(struct rx *rx, const struct rx_env *e, int reason, const struct net_msg *m, const char *detail)
{
	char src[64];
	unsigned supp = 0;

	rx->drops[reason]++;
	if (!log_ratelimit_ok(e->rl, &supp))
		return;
	log_info("dropped BFD packet from %s on ifindex %d: %s%s%s", mr_addr_str(&m->src, src,
		 sizeof(src)), m->ifindex, mr_drop_name(reason), detail ? ": " : "",
		 detail ? detail : "");
	if (supp)
		log_info("(%u more dropped packets not logged)", supp);
}

/*
 * When a probe arrived, for the detection timer: the kernel's stamp when
 * the probe waited no longer than a coalesced read makes it wait (then
 * detection is not pushed out by our reading late), the time of reading
 * otherwise.  An older stamp is a stalled daemon -- reading time is the
 * safe side there, as before -- or a wall-clock step between the stamp and
 * the read, which must not make a probe look older than it is.
 */
#define RX_STAMP_TRUST MTIME_MS(15)
static mtime_t arrival(const struct net_msg *m, mtime_t now)
{
	return m->rx_at > 0 && m->rx_at <= now && now - m->rx_at <= RX_STAMP_TRUST ? m->rx_at : now;
}

/* One received datagram, from checks to the session's state machine. */
void rx_packet(struct rx *rx, const struct rx_env *e, const struct net_msg *m, mtime_t now)
{
		struct bfd_packet pkt;
	struct bfd_output out;
	struct mr_sess *s;
	mtime_t at;
	int err, miss, ar;

	rx->queued_max = mtime_max(rx->queued_max, m->rx_delay - rx->allow);
	err = bfd_decode(m->buf, m->len, &pkt);
	if (err != BFD_DECODE_OK) {
		rx->drop_decode[err < BFD_DECODE_ERR_MAX ? err : 0]++;
		drop(rx, e, MR_DROP_DECODE, m, bfd_decode_strerror(err));
		return;
	}
	/* RFC 5881 §5: single hop means nobody routed it to us. */
	if (m->ttl != 255) {
		drop(rx, e, MR_DROP_TTL, m, NULL);
		return;
	}
	s = sesstab_demux(&e->tab, m, &pkt, &miss);
	if (!s) {
		drop(rx, e, miss == SESSTAB_WRONG_PORT ? MR_DROP_WRONG_PORT : MR_DROP_NO_SESSION, m, NULL);
		return;
	}
	/* §6.8.6: authentication before anything of the packet is believed. */
	auth_state_expire(&s->auth, now, bfd_session_detect_time(&s->bfd));
	ar = auth_verify(e->keys, &s->auth, &pkt, m->buf, m->len, now);
	if (ar != AUTH_OK) {
		rx->drop_auth[ar]++;
		drop(rx, e, MR_DROP_AUTH, m, auth_result_str(ar));
		return;
	}
	/*
	 * The peer stops probing (AdminDown), or (re)starts: then its MTU
	 * session gets a bring-up grace.  Remembered here, since the
	 * session forgets a silent peer's state after a detection time.
	 */
	if (s->mtu) {
		bool stopped = pkt.state == BFD_STATE_ADMIN_DOWN;

		if (s->peer_stopped && !stopped)
			s->probe_since = now;
		s->peer_stopped = stopped;
	}
	/*
	 * Counted for loss whatever the session's state (AdminDown discards
	 * it below): the peer counted it as sent.  Kernel arrival time, on
	 * the monotonic clock (net.h), to cut the count at a link report.
	 */
	loss_rx_add(&s->lrx, m->rx_at, m->rx_delay > 0 && m->rx_delay <= LINKMSG_STAMP_TRUST);
	/* Meticulous authentication: the peer's sequence number is its own count. */
	if (pkt.auth_present && auth_counts_packets(e->keys)) {
		s->seq_valid = true;
		s->seq_key = pkt.my_discr;
		s->seq_last = pkt.auth.seq;
		s->seq_rcvd = s->lrx.count;
		s->seq_at = m->rx_at;
	}
	at = arrival(m, now);
	if (bfd_session_rx(&s->bfd, &pkt, at, now, &out) < 0) {
		rx->drops[MR_DROP_ADMIN_DOWN]++;
		return;
	}
	s->rx_packets++;
	if (s->mtu && bfd_padded(&pkt, m->len)) {
		s->passes = mtu_ip_size(m->src.family, m->len);
		/* On the detection timer's clock: "lately" ends when the session times out. */
		s->passes_at = at;
	}
	e->deliver(e->ctx, s, &out, now);
}

/*
 * Drains one receive socket, a batch per system call (recvmmsg); a short
 * batch means the queue is empty, so no further call just to hear EAGAIN.
 * A budget keeps timers on time during a flood.  Returns true when the
 * socket is empty (then nothing queued can be older than the detection
 * timers about to be judged).
 */
static bool drain(struct rx *rx, const struct rx_env *e, int fd)
{
	static struct net_msg batch[NET_RECV_BATCH];
	uint32_t *seen = &rx->sk_drops[fd == rx->sk6.fd], kernel;
	int budget = 256, got = 0, i;

	while (budget > 0) {
		mtime_t now;

		got = net_recv_many(fd, batch, NET_RECV_BATCH);
		if (got == -EAGAIN || got == -EWOULDBLOCK) {
			got = 0;
			break;
		}
		if (got < 0) {
			errno = -got;
			log_warn("receive BFD packet");
			got = 0;
			break;
		}
		/* One clock read per batch: every datagram in it had arrived by now. */
		now = mtime_now();
		for (i = 0; i < got; i++)
			rx_packet(rx, e, &batch[i], now);
		if (got < NET_RECV_BATCH)
			break;
		budget -= got;
	}
	/* What the kernel dropped meanwhile (wraps at 2^32). */
	if (net_rx_drops(fd, &kernel) == 0) {
		rx->drops[MR_DROP_KERNEL] += (uint32_t)(kernel - *seen);
		*seen = kernel;
	}
	return got < NET_RECV_BATCH;
}

/*
 * Before any detection timer is judged, every probe that arrived by now must
 * have been read: after a stall (a busy host, SIGSTOP) the socket holds the
 * proof that the peers never went silent, more than one wake-up's budget of
 * it.  Bounded, so that a flood cannot keep the timers from running.
 */
#define RX_CATCH_UP MTIME_MS(20)
static void catch_up(struct rx *rx, const struct rx_env *e)
{
	mtime_t start = mtime_now();
	bool empty4, empty6;

	/* Coalesced, a probe waits up to one read-to-read gap by design: not lateness. */
	rx->allow = rx->lazy && rx->read_at ? start - rx->read_at : 0;
	do {
		empty4 = rx->sk4.fd < 0 || drain(rx, e, rx->sk4.fd);
		empty6 = rx->sk6.fd < 0 || drain(rx, e, rx->sk6.fd);
	} while (!(empty4 && empty6) && mtime_now() - start < RX_CATCH_UP);
	rx->allow = 0;
	if (empty4 && empty6)
		rx->read_at = start;
}

/*
 * A flood that passes the receive filter (net.h: from a peer's address,
 * with a discriminator of ours or none; or the filter's sample of what it
 * drops) would wake the daemon for every packet where probes are read as
 * they arrive.  While more than RX_FLOOD_DROPS packets are dropped per
 * RX_FLOOD_WINDOW (a sampled flood of 51,200 pkt/s), and RX_FLOOD_HOLD
 * after, they are read on the daemon's own wake-ups instead, a batch every
 * RX_LAZY_MAX at most, as with rx-coalesce (whatever its setting).
 */
#define RX_FLOOD_WINDOW MTIME_MS(100)
#define RX_FLOOD_DROPS 20
#define RX_FLOOD_HOLD MTIME_S(1)

static void flood_check(struct rx *rx, mtime_t now)
{
	mtime_t span = now - rx->flood_at;
	uint64_t dropped = 0, n;
	int i;

	if (span < RX_FLOOD_WINDOW)
		return;
	/* Not AdminDown's: those are a peer's probes, at a peer's rate. */
	for (i = 0; i < MR_DROP_MAX; i++)
		if (i != MR_DROP_ADMIN_DOWN && i != MR_DROP_KERNEL)
			dropped += rx->drops[i];
	n = dropped - rx->flood_drops;
	if (n > (uint64_t)(RX_FLOOD_DROPS * span / RX_FLOOD_WINDOW)) {
		if (now >= rx->flood_until)
			log_notice("flood: %llu packets dropped in %lld ms: probes are read every %d ms "
				   "until it stops", (unsigned long long)n, (long long)(span / 1000),
				   (int)(RX_LAZY_MAX / 1000));
		rx->flood_until = now + RX_FLOOD_HOLD;
	}
	rx->flood_at = now;
	rx->flood_drops = dropped;
}

static bool lazy_wanted(const struct rx *rx, const struct rx_env *e, mtime_t now)
{
	int i;

	if (now < rx->flood_until)
		return true;
	if (!e->cfg->rx_coalesce)
		return false;
	for (i = 0; i < e->tab.nsess; i++) {
		const struct bfd_session *b = &e->tab.sess[i].bfd;

		if (b->next_tx != MTIME_NEVER && bfd_session_tx_interval(b) <= RX_LAZY_MAX)
			return true;
	}
	return false;
}

void rx_mode_update(struct rx *rx, const struct rx_env *e, mtime_t now)
{
	bool lazy;
	int err = 0;

	flood_check(rx, now);
	lazy = lazy_wanted(rx, e, now);

	if (lazy == rx->lazy || (!lazy && now < rx->mode_retry_at))
		return;
	if (lazy) {
		loop_del(e->loop, &rx->sk4);
		if (rx->sk6.fd >= 0)
			loop_del(e->loop, &rx->sk6);
		rx->read_at = now;
		rx->next_read = now + RX_LAZY_MAX;
	} else {
		err = loop_add(e->loop, &rx->sk4, EPOLLIN);
		if (!err && rx->sk6.fd >= 0 && (err = loop_add(e->loop, &rx->sk6, EPOLLIN)) < 0)
			loop_del(e->loop, &rx->sk4);
		if (err) {
			/*
			 * Stay coalesced: reads every RX_LAZY_MAX still happen.
			 * Retried once a second, not on every wake-up (and log line).
			 */
			log_warnx("receive sockets stay read every %d ms", (int)(RX_LAZY_MAX / 1000));
			rx->mode_retry_at = now + MTIME_S(1);
			return;
		}
		/* Whatever came since the last read would wake nobody: read it now. */
		rx->backlog = true;
	}
	rx->lazy = lazy;
	log_debug("probes read %s", !lazy ? "as they arrive" : now < rx->flood_until ?
		  "on the daemon's own wake-ups (flood)" : "on the daemon's own wake-ups (rx-coalesce)");
}

void rx_readable(struct rx *rx, const struct rx_env *e, int fd)
{
	if (!drain(rx, e, fd))
		rx->backlog = true;
}

bool rx_before_timers(struct rx *rx, const struct rx_env *e, bool pending, mtime_t now)
{
	int i;

	/*
	 * The wake-up may have been the timeout alone (epoll reports no
	 * events once its timeout passed during a stop), so look for queued
	 * probes whenever a detection timer is due, not only after a budget
	 * ran out.
	 */
	for (i = 0; i < e->tab.nsess && !rx->backlog; i++)
		if (e->tab.sess[i].bfd.detect_deadline <= now)
			rx->backlog = true;
	for (i = 0; i < e->tab.nmsess && !rx->backlog; i++)
		if (e->tab.msess[i].bfd.detect_deadline <= now)
			rx->backlog = true;
	if (!(rx->backlog || rx->lazy || pending))
		return false;
	catch_up(rx, e);
	rx->backlog = false;
	return true;
}

void rx_wakeup_done(struct rx *rx)
{
	/*
	 * From the end of this wake-up, not from its read: a session sending
	 * at exactly RX_LAZY_MAX then reads on its own wake-up, not one before.
	 */
	if (rx->lazy)
		rx->next_read = mtime_now() + RX_LAZY_MAX;
}

mtime_t rx_next_deadline(const struct rx *rx)
{
	return rx->lazy ? rx->next_read : MTIME_NEVER;
}
