// SPDX-License-Identifier: GPL-2.0-or-later
/* A BFD session's socket and its packets out (sess.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mtu.h"
#include "net.h"
#include "sess.h"

void sess_params(const struct mr_config *cfg, bool lan, struct bfd_session_params *p)
{
	memset(p, 0, sizeof(*p));
	p->detect_mult = cfg->multiplier;
	if (lan) {
		/* LAN sessions only watch the fallback path; they never move routes. */
		p->desired_min_tx_us = p->required_min_rx_us = cfg->lan_interval_us;
		p->idle_tx_us = (uint32_t)mtime_max(cfg->lan_interval_us, cfg->idle_interval_us);
	} else {
		p->desired_min_tx_us = p->required_min_rx_us = cfg->interval_us;
		p->idle_tx_us = cfg->idle_interval_us;
	}
}

bool sess_params_equal(const struct bfd_session_params *a, const struct bfd_session_params *b)
{
	return a->desired_min_tx_us == b->desired_min_tx_us &&
	       a->required_min_rx_us == b->required_min_rx_us &&
	       a->detect_mult == b->detect_mult && a->idle_tx_us == b->idle_tx_us;
}

static int mtu_send(struct mr_sess *m, const uint8_t *buf, size_t len)
{
	size_t total = mtu_payload_len(m->local.family, m->pad_to, len);

	/* Unpadded it would pass for a regular probe. */
	if (total <= len)
		return -EMSGSIZE;
	return net_send_padded(m->fd, &m->remote, BFD_PORT_CONTROL, buf, len, total);
}

/* The session's packets are built but not sent (its timers still run); nnodes: the config's. */
static bool sess_quiet(const struct mr_sess *s, int nnodes)
{
	int i;

	/*
	 * Nothing leaves a port without carrier; sending anyway would only
	 * leave an INCOMPLETE neighbour entry that delays the link's return.
	 */
	if (s->fd < 0 || !s->port->carrier)
		return true;
	/*
	 * Discovery probes every candidate peer on every port; once a port has
	 * found its peer, the other candidates there stay quiet until that
	 * session fails (a moved cable).
	 */
	if (!s->port->lan && s->bfd.state == BFD_STATE_DOWN && s->bfd.remote_discr == 0) {
		for (i = 0; i < nnodes; i++)
			if (i != s->peer && s->port->active[i] > 0)
				return true;
	}
	/* MTU probes only to the peer found on the port, and only while probing. */
	return s->mtu && (!s->pad_to || s->port->active[s->peer] == 0);
}

bool sess_idle(const struct mr_sess *s, int nnodes)
{
	return (s->bfd.state == BFD_STATE_DOWN || s->bfd.state == BFD_STATE_ADMIN_DOWN) &&
	       sess_quiet(s, nnodes);
}

/*
 * What the standby may send again for us while the daemon's thread is
 * stuck (standby.h): a regular session's packet on its connected socket,
 * the same bytes, unless the sequence number must grow (meticulous
 * authentication).  Not a Final: it answers one Poll (a Poll may be
 * repeated: it is, until its Final comes).
 */
static void publish(struct mr_sess *s, const struct sess_io *io, const struct bfd_packet *pkt,
		    const uint8_t *buf, size_t len, mtime_t now)
{
	bool ok = io->sb && !s->mtu && s->connected && !auth_counts_packets(io->keys) && !pkt->final;

	if (!s->txsb && ok) {
		s->txslot = standby_tx_slot(io->sb);
		s->txsb = s->txslot >= 0 ? io->sb : NULL;
	}
	if (!s->txsb)
		return;
	/* (a packet it must not repeat leaves the slot with nothing to send) */
	s->tx_packets += standby_tx_publish(s->txsb, s->txslot, ok ? s->fd : -1, buf, len,
					   bfd_session_tx_interval(&s->bfd), now);
}

void sess_unpublish(struct mr_sess *s)
{
	if (!s->txsb)
		return;
	s->tx_packets += standby_tx_release(s->txsb, s->txslot);
	s->txsb = NULL;
}

void sess_send(struct mr_sess *s, const struct sess_io *io, mtime_t now)
{
	struct bfd_packet pkt;
	uint8_t buf[BFD_MAX_PKT_LEN];
	size_t len;
	int err;

	bfd_session_build(&s->bfd, &pkt, now);
	if (s->mtu)
		pkt.your_discr = mtu_your_discr(pkt.your_discr);
	if (sess_quiet(s, io->cfg->nnodes)) {
		/* Quiet: nothing of it may go out, not even a copy. */
		if (s->txsb)
			s->tx_packets += standby_tx_publish(s->txsb, s->txslot, -1, NULL, 0, 0, now);
		return;
	}
	auth_prepare(io->keys, &s->auth, &pkt);
	len = bfd_encode(&pkt, buf, sizeof(buf));
	if (len == 0 || auth_sign(io->keys, &pkt, buf, len) < 0) {
		s->tx_errors++;
		log_warnx("%s via %s: cannot encode BFD packet", io->cfg->nodes[s->peer].name,
			  s->port->name);
		return;
	}
	err = s->mtu ? mtu_send(s, buf, len) :
	      s->connected ? net_send_connected(s->fd, buf, len) :
	      net_send(s->fd, &s->remote, BFD_PORT_CONTROL, buf, len);
	publish(s, io, &pkt, buf, len, now);
	if (err < 0) {
		unsigned supp;

		s->tx_errors++;
		/* Expected while a port has no carrier or the neighbour is unresolved. */
		if (log_ratelimit_ok(io->rl, &supp))
			log_debug("%s via %s: send: %s", io->cfg->nodes[s->peer].name, s->port->name,
				  strerror(-err));
		return;
	}
	s->tx_packets++;
}

void sess_connect(struct mr_sess *s)
{
	int err;

	if (s->connected || s->mtu || s->fd < 0)
		return;
	err = net_tx_connect(s->fd, &s->remote, BFD_PORT_CONTROL);
	s->connected = err == 0;
	if (err)
		log_debug("%s: transmit socket not connected yet: %s", s->port->name, strerror(-err));
}

int sess_open(struct mr_sess *s, const struct mr_config *cfg)
{
	int fd;

	if (s->fd >= 0 || s->port->ifindex <= 0)
		return 0;
	fd = net_tx_open(s->local.family, &s->local, s->port->ifindex, &s->sport);
	if (fd < 0) {
		log_warnx("%s via %s: no transmit socket; the session stays Down",
			  cfg->nodes[s->peer].name, s->port->name);
		return fd;
	}
	if (s->mtu && net_tx_dont_fragment(fd, s->local.family) < 0) {
		/* Probes that may be fragmented prove nothing: stay silent (verdict failed). */
		log_warnx("%s via %s: cannot set Don't Fragment; no MTU probes",
			  cfg->nodes[s->peer].name, s->port->name);
		close(fd);
		return -EOPNOTSUPP;
	}
	s->fd = fd;
	return 1;
}

void sess_close(struct mr_sess *s)
{
	sess_unpublish(s);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->connected = false;
}

void sess_goodbye(struct mr_sess *s, const struct sess_io *io, int times, mtime_t now)
{
	struct bfd_output out;
	int i;

	bfd_session_admin_down(&s->bfd, BFD_DIAG_ADMIN_DOWN, now, &out);
	/* Only a peer that knows us can take it in; MTU sessions only while probing. */
	if (s->fd >= 0 && s->bfd.remote_discr && (!s->mtu || s->pad_to))
		for (i = 0; i < times; i++)
			sess_send(s, io, now);
	sess_close(s);
}
