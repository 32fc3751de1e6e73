// SPDX-License-Identifier: GPL-2.0-or-later
/* Link reports and the relay-port sockets (see linkmsg.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "daemon.h"
#include "log.h"
#include "mtu.h"
#include "net.h"

static const char *const drop_names[LINKMSG_DROP_MAX] = {
	[LINKMSG_DROP_MAGIC] = "magic",
	[LINKMSG_DROP_TTL] = "ttl",
	[LINKMSG_DROP_DECODE] = "decode",
	[LINKMSG_DROP_SENDER] = "sender",
	[LINKMSG_DROP_PORT] = "port",
	[LINKMSG_DROP_REPLAY] = "replay",
};

const char *linkmsg_drop_name(int reason)
{
	return reason >= 0 && reason < LINKMSG_DROP_MAX ? drop_names[reason] : "?";
}

static const struct mr_addr *node_addr(const struct mr_config *cfg, int node, int fam)
{
	return fam ? &cfg->nodes[node].addr6 : &cfg->nodes[node].addr4;
}

/* IPv4 when both nodes have it, else IPv6; -1 when they share no family. */
static int link_fam(const struct mr_config *cfg, int self, int peer)
{
	int f;

	for (f = 0; f < MR_NFAM; f++)
		if (node_addr(cfg, self, f)->family && node_addr(cfg, peer, f)->family)
			return f;
	return -1;
}

static uint32_t jitter_rng;

/* 90-110 % of LINKMSG_INTERVAL, so that the nodes' reports do not go in step. */
static mtime_t next_interval(void)
{
	jitter_rng ^= jitter_rng << 13;
	jitter_rng ^= jitter_rng >> 17;
	jitter_rng ^= jitter_rng << 5;
	return LINKMSG_INTERVAL * 9 / 10 + (mtime_t)(jitter_rng % (uint32_t)(LINKMSG_INTERVAL / 5));
}

void linkmsg_init(struct linkmsg_state *lm)
{
	struct timespec ts;
	int i, f;

	memset(lm, 0, sizeof(*lm));
	lm->settle_at = MTIME_NEVER;
	for (f = 0; f < MR_NFAM; f++)
		lm->rx[f].fd = -1;
	for (i = 0; i < MR_MAX_FAST; i++)
		for (f = 0; f < MR_NFAM; f++)
			lm->tx_fd[i][f] = -1;
	for (f = 0; f < MR_NFAM; f++)
		lm->lan_fd[f] = -1;
	/* Numbers that go on rising across a restart: the wall clock in ms. */
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		lm->seq = (uint32_t)((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
	if (getrandom(&jitter_rng, sizeof(jitter_rng), GRND_NONBLOCK) != sizeof(jitter_rng) ||
	    jitter_rng == 0)
		jitter_rng = (uint32_t)getpid() | 1;
}

/* ---- links ---- */

static void link_new(struct mr_link *l, const struct mr_config *cfg, int self, struct mr_port *port,
		     int peer, int fam, mtime_t now)
{
	memset(l, 0, sizeof(*l));
	l->port = port;
	l->peer = peer;
	l->local = *node_addr(cfg, self, fam);
	l->remote = *node_addr(cfg, peer, fam);
	l->next_tx = now + next_interval() / 2;
}

struct mr_link *linkmsg_reload(struct mr_daemon *d, const struct mr_config *ncfg, int nself,
			       const struct mr_port *nports, int nn, int *count)
{
	struct mr_link *arr = calloc((size_t)(nn * ncfg->nnodes) + 1, sizeof(*arr));
	mtime_t now = mtime_now();
	int i, n, f, k;

	*count = 0;
	if (!arr)
		return NULL;
	for (i = 0; i < nn; i++) {
		for (n = 0; n < ncfg->nnodes; n++) {
			struct mr_link *old = NULL;

			if (nports[i].lan || n == nself || (f = link_fam(ncfg, nself, n)) < 0)
				continue;
			for (k = 0; k < d->lm.nlinks && !old; k++) {
				struct mr_link *o = &d->lm.links[k];

				if (strcmp(o->port->name, nports[i].name) == 0 &&
				    strcmp(d->cfg.nodes[o->peer].name, ncfg->nodes[n].name) == 0 &&
				    mr_addr_eq(&o->remote, node_addr(ncfg, n, f)) &&
				    mr_addr_eq(&o->local, node_addr(ncfg, nself, f)))
					old = o;
			}
			if (old)
				arr[*count] = *old;
			else
				link_new(&arr[*count], ncfg, nself, NULL, n, f, now);
			/* Final addresses: d->ports receives nports. */
			arr[*count].port = &d->ports[i];
			arr[*count].peer = n;
			(*count)++;
		}
	}
	return arr;
}

void linkmsg_reload_apply(struct mr_daemon *d, struct mr_link *links, int count)
{
	free(d->lm.links);
	d->lm.links = links;
	d->lm.nlinks = count;
	/* Pending reports name links by index. */
	d->lm.npend = 0;
}

struct mr_link *linkmsg_link_of(struct mr_daemon *d, const struct mr_sess *s)
{
	int i;

	for (i = 0; i < d->lm.nlinks; i++)
		if (d->lm.links[i].port == s->port && d->lm.links[i].peer == s->peer)
			return &d->lm.links[i];
	return NULL;
}

const struct mr_link *linkmsg_link_of_const(const struct mr_daemon *d, const struct mr_sess *s)
{
	return linkmsg_link_of((struct mr_daemon *)d, s);
}

/* ---- sockets ---- */

int linkmsg_tx_socket(struct mr_daemon *d, int pi, int fam)
{
	struct linkmsg_state *lm = &d->lm;
	int ifindex, *fd;

	if (pi < 0 || pi >= MR_MAX_FAST || pi >= d->nports || fam < 0 || fam >= MR_NFAM)
		return -1;
	ifindex = d->ports[pi].ifindex;
	if (ifindex <= 0 || d->ports[pi].lan || !node_addr(&d->cfg, d->self, fam)->family)
		return -1;
	fd = &lm->tx_fd[pi][fam];
	if (*fd >= 0 && lm->tx_ifindex[pi][fam] == ifindex)
		return *fd;
	if (*fd >= 0)
		close(*fd);
	/* Bound to the port (the routes do not matter), TTL 255, like BFD's. */
	*fd = net_tx_open(fam ? AF_INET6 : AF_INET, node_addr(&d->cfg, d->self, fam), ifindex,
			  &lm->tx_sport[pi][fam]);
	lm->tx_ifindex[pi][fam] = ifindex;
	if (*fd < 0) {
		log_warnx("no transmit socket for reports and advertisements on %s", d->ports[pi].name);
		*fd = -1;
	}
	return *fd;
}

static void rx_close(struct mr_daemon *d)
{
	int f;

	for (f = 0; f < MR_NFAM; f++) {
		if (d->lm.rx[f].fd < 0)
			continue;
		loop_del(&d->loop, &d->lm.rx[f]);
		close(d->lm.rx[f].fd);
		d->lm.rx[f].fd = -1;
	}
}

static void on_rx(void *arg, uint32_t events);

/* At start, and after a reload (an intended recabling: the ports' neighbours are learnt anew). */
static void mesh_start(struct mr_daemon *d)
{
	struct linkmsg_state *lm = &d->lm;
	mtime_t now = mtime_now();
	bool reload = lm->mesh != NULL;

	if (!lm->mesh && !(lm->mesh = meshnode_new())) {
		log_warnx("no memory for the mesh view: meshroutectl mesh shows nothing");
		return;
	}
	meshnode_configure(lm->mesh, &d->cfg, d->self, reload, now);
	lm->mesh_facts_at = now;
}

int linkmsg_start(struct mr_daemon *d)
{
	struct linkmsg_state *lm = &d->lm;
	int f, err = 0, open = 0;

	if (!lm->links) {
		int count;
		struct mr_link *arr = linkmsg_reload(d, &d->cfg, d->self, d->ports, d->nports,
						     &count);

		if (!arr)
			return -ENOMEM;
		linkmsg_reload_apply(d, arr, count);
	}
	if (lm->rx_port != d->cfg.relay_port)
		rx_close(d);
	for (f = 0; f < MR_NFAM; f++) {
		struct loop_fd *h = &lm->rx[f];

		if (!node_addr(&d->cfg, d->self, f)->family) {
			if (h->fd >= 0) {
				loop_del(&d->loop, h);
				close(h->fd);
				h->fd = -1;
			}
			continue;
		}
		if (h->fd >= 0) {
			open++;
			continue;
		}
		h->fd = net_rx_open(f ? AF_INET6 : AF_INET, d->cfg.relay_port);
		if (h->fd < 0) {
			err = h->fd;
			h->fd = -1;
			log_warnx("cannot receive link reports%s on UDP port %u (%s): %s; probe loss "
				  "is not counted", f ? "" : " and relay advertisements",
				  d->cfg.relay_port, f ? "IPv6" : "IPv4", strerror(-err));
			continue;
		}
		h->fn = on_rx;
		h->arg = d;
		if ((err = loop_add(&d->loop, h, EPOLLIN)) < 0) {
			close(h->fd);
			h->fd = -1;
			continue;
		}
		open++;
	}
	lm->rx_port = d->cfg.relay_port;
	mesh_start(d);
	return open ? 0 : err;
}

void linkmsg_stop(struct mr_daemon *d)
{
	int i, f;

	rx_close(d);
	for (i = 0; i < MR_MAX_FAST; i++)
		for (f = 0; f < MR_NFAM; f++) {
			if (d->lm.tx_fd[i][f] >= 0)
				close(d->lm.tx_fd[i][f]);
			d->lm.tx_fd[i][f] = -1;
		}
	for (f = 0; f < MR_NFAM; f++) {
		if (d->lm.lan_fd[f] >= 0)
			close(d->lm.lan_fd[f]);
		d->lm.lan_fd[f] = -1;
	}
	free(d->lm.links);
	d->lm.links = NULL;
	d->lm.nlinks = 0;
	d->lm.npend = 0;
	meshnode_free(d->lm.mesh);
	d->lm.mesh = NULL;
}

/* ---- receiving ---- */

static void drop(struct mr_daemon *d, int reason, const struct net_msg *m, const char *detail)
{
	char src[64];
	unsigned supp = 0;

	d->lm.drops[reason]++;
	if (!log_ratelimit_ok(&d->rl_drop, &supp))
		return;
	log_info("dropped message from %s on ifindex %d to UDP port %u: %s%s%s",
		 mr_addr_str(&m->src, src, sizeof(src)), m->ifindex, d->cfg.relay_port,
		 linkmsg_drop_name(reason), detail ? ": " : "", detail ? detail : "");
	if (supp)
		log_info("(%u more dropped packets not logged)", supp);
}

static int node_by_addr(const struct mr_daemon *d, const struct mr_addr *a)
{
	int n;

	for (n = 0; n < d->cfg.nnodes; n++)
		if (mr_addr_eq(node_addr(&d->cfg, n, mr_fam(a->family)), a))
			return n;
	return -1;
}

static int link_index(const struct mr_daemon *d, int ifindex, int peer)
{
	int i;

	for (i = 0; i < d->lm.nlinks; i++)
		if (d->lm.links[i].port->ifindex == ifindex && ifindex > 0 &&
		    d->lm.links[i].peer == peer)
			return i;
	return -1;
}

static void mesh_rx(struct mr_daemon *d, const struct net_msg *m, int sender,
		    const struct linkrep *r, mtime_t now)
{
	enum meshnode_via via = MESHNODE_VIA_MAX;
	int i;

	for (i = 0; i < d->nports; i++)
		if (d->ports[i].ifindex == m->ifindex && m->ifindex > 0)
			via = d->ports[i].lan ? MESHNODE_VIA_LAN : MESHNODE_VIA_FAST;
	if (via == MESHNODE_VIA_MAX) {
		drop(d, LINKMSG_DROP_PORT, m, NULL);
		return;
	}
	d->lm.rx_packets++;
	if (d->lm.mesh)
		meshnode_table_rx(d->lm.mesh, sender, r->seq, &r->nodes, via, now);
}

static void report_rx(struct mr_daemon *d, const struct net_msg *m, mtime_t now)
{
	struct linkmsg_state *lm = &d->lm;
	struct linkrep r;
	struct mr_link *l;
	struct linkmsg_pending *p;
	bool trusted = m->rx_delay > 0 && m->rx_delay <= LINKMSG_STAMP_TRUST;
	int err, sender, li;

	/* Only a neighbour on a cable can send with TTL 255 that arrives as 255. */
	if (m->ttl != 255) {
		drop(d, LINKMSG_DROP_TTL, m, NULL);
		return;
	}
	err = linkrep_decode(m->buf, m->len, &d->keys, &r);
	if (err != LINKREP_OK) {
		lm->drop_decode[err]++;
		drop(d, LINKMSG_DROP_DECODE, m, linkrep_err_name(err));
		return;
	}
	sender = node_by_addr(d, &r.sender);
	if (sender < 0 || sender == d->self || !mr_addr_eq(&m->src, &r.sender)) {
		drop(d, LINKMSG_DROP_SENDER, m, NULL);
		return;
	}
	/* A node table alone: for the view only, from a fast port or the LAN. */
	if (r.has_nodes && !r.has_link) {
		mesh_rx(d, m, sender, &r, now);
		return;
	}
	li = link_index(d, m->ifindex, sender);
	if (li < 0) {
		drop(d, LINKMSG_DROP_PORT, m, NULL);
		return;
	}
	l = &lm->links[li];
	/* Serial arithmetic: "newer" survives wrap-around; equal is a replay. */
	if (l->heard && now - l->heard_at < LINKMSG_EXPIRE && (int32_t)(r.seq - l->seq) <= 0) {
		drop(d, LINKMSG_DROP_REPLAY, m, NULL);
		return;
	}
	if (l->unanswered >= LINKMSG_UNANSWERED)
		log_info("%s via %s: link reports from the peer again", d->cfg.nodes[sender].name,
			 l->port->name);
	l->unanswered = 0;
	l->heard = true;
	l->seq = r.seq;
	l->heard_at = m->rx_at;
	l->rx_packets++;
	lm->rx_packets++;
	if (!r.has_link)
		return;
	memcpy(l->peer_port, r.link.port, sizeof(l->peer_port));
	/*
	 * Our tx time came back, held by the peer for held_us: the rest is the
	 * cable both ways.  Both ends' arrival times are kernel stamps.
	 */
	if (trusted && r.link.echo_us && r.link.echo_us <= (uint64_t)m->rx_at) {
		int64_t rtt = (int64_t)((uint64_t)m->rx_at - r.link.echo_us) - r.link.held_us;

		if (rtt >= 0 && rtt < MTIME_S(10))
			rtt_add(&l->rtt, (uint32_t)rtt, m->rx_at);
	}
	/* The counts wait until every probe that came before the report has been read. */
	if (lm->npend == LINKMSG_PENDING) {
		linkmsg_process(d, now);
		if (lm->npend == LINKMSG_PENDING) {
			memmove(&lm->pend[0], &lm->pend[1], sizeof(lm->pend[0]) * (LINKMSG_PENDING - 1));
			lm->npend--;
		}
	}
	p = &lm->pend[lm->npend++];
	p->link = li;
	p->at = m->rx_at;
	p->trusted = trusted;
	p->read_at = now;
	p->l = r.link;
	d->rx_backlog = true;
	d->lm.settle_at = mtime_min(d->lm.settle_at, p->at + LINKMSG_SETTLE + LINKMSG_SLACK);
}

static void on_rx(void *arg, uint32_t events)
{
	static struct net_msg m;
	struct mr_daemon *d = arg;
	int budget = 64, f;

	(void)events;
	for (f = 0; f < MR_NFAM; f++) {
		int fd = d->lm.rx[f].fd;

		while (fd >= 0 && budget-- > 0) {
			int err = net_recv(fd, &m);

			if (err == -EAGAIN || err == -EWOULDBLOCK)
				break;
			if (err < 0) {
				errno = -err;
				log_warn("receive on UDP port %u", d->cfg.relay_port);
				break;
			}
			if (advert_is(m.buf, m.len))
				relay_rx(d, &m);
			else if (linkrep_is(m.buf, m.len))
				report_rx(d, &m, mtime_now());
			else
				drop(d, LINKMSG_DROP_MAGIC, &m, NULL);
		}
	}
}

/* A session of the link's (port, peer) that the entry names, the other way round. */
static struct mr_sess *entry_sess(struct mr_daemon *d, const struct mr_link *l,
				  const struct linkrep_entry *e)
{
	struct mr_sess *arr[2] = { d->sess, d->msess };
	int n[2] = { d->nsess, d->nmsess }, k, i;

	if (e->remote_discr == 0)
		return NULL;
	for (k = 0; k < 2; k++)
		for (i = 0; i < n[k]; i++) {
			struct mr_sess *s = &arr[k][i];

			if (s->port == l->port && s->peer == l->peer &&
			    s->bfd.local_discr == e->remote_discr &&
			    s->bfd.remote_discr == e->local_discr)
				return s;
		}
	return NULL;
}

static void resolve(struct mr_daemon *d, const struct linkmsg_pending *p, mtime_t now)
{
	struct mr_link *l = &d->lm.links[p->link];
	int i;

	/* Ours echo this report: its tx time, and the pairs cut at its arrival (a kernel stamp). */
	if (p->trusted) {
		l->echo_tx = p->l.tx_us;
		l->echo_at = p->at;
	}

	for (i = 0; i < p->l.count; i++) {
		const struct linkrep_entry *e = &p->l.e[i];
		struct mr_sess *s = entry_sess(d, l, e);
		uint32_t rcvd;

		if (!s)
			continue;
		s->report_at = p->at;
		/* Cut before the session changed state: the counting started over since. */
		if (p->at < s->loss_reset_at)
			continue;
		/* The peer's probes to us: its count, ours up to the report's arrival. */
		if (p->trusted && loss_rx_count_at(&s->lrx, p->at, &rcvd)) {
			loss_sample(&s->loss_from, LOSS_SRC_REPORT, e->local_discr, e->remote_discr,
				    e->sent, rcvd, p->at);
			s->echo_valid = true;
			s->echo_key = e->local_discr;
			s->echo_sent = e->sent;
			s->echo_rcvd = rcvd;
			s->echo_tx = p->l.tx_us;
		}
		/*
		 * Ours to the peer: the pair it cut at our report sent at echo_us
		 * (our clock), which is the pair's time: a pair cut before our
		 * session changed state (the peer echoes the last one it could
		 * make, also after an outage) is not counted.  Ours not above
		 * what we sent.
		 */
		if ((e->flags & LINKREP_E_ECHO) && p->l.echo_us && p->l.echo_us <= (uint64_t)p->at &&
		    (mtime_t)p->l.echo_us >= s->loss_reset_at &&
		    (uint32_t)((uint32_t)s->tx_packets - e->echo_sent) < 1u << 31)
			loss_sample(&s->loss_to, LOSS_SRC_REPORT, e->local_discr, e->remote_discr,
				    e->echo_sent, e->echo_received, (mtime_t)p->l.echo_us);
		daemon_loss_check(d, s, now);
	}
}

bool linkmsg_pending(const struct mr_daemon *d)
{
	return d->lm.npend > 0;
}

void linkmsg_process(struct mr_daemon *d, mtime_t now)
{
	struct linkmsg_state *lm = &d->lm;
	int i, k = 0;

	lm->settle_at = MTIME_NEVER;
	for (i = 0; i < lm->npend; i++) {
		struct linkmsg_pending *p = &lm->pend[i];

		if (p->link < lm->nlinks && p->at + LINKMSG_SETTLE < d->rx_read_at) {
			resolve(d, p, now);
			continue;
		}
		/* Not yet settled, or a flood kept the sockets from being read empty. */
		if (p->link >= lm->nlinks || now - p->read_at > LINKMSG_PENDING_MAX_AGE)
			continue;
		lm->pend[k++] = *p;
		/*
		 * A wake-up of its own only if none comes within the slack; once
		 * that has passed (a flood keeps the sockets full), the daemon's own.
		 */
		if (p->at + LINKMSG_SETTLE + LINKMSG_SLACK > now)
			lm->settle_at = mtime_min(lm->settle_at,
						  p->at + LINKMSG_SETTLE + LINKMSG_SLACK);
	}
	lm->npend = k;
}

/* ---- sending ---- */

/* The session's peer answers: Init or Up, out for loss (AdminDown), or a probe within 3 s. */
static bool sess_heard(const struct mr_sess *s, mtime_t now)
{
	const struct loss_rx *r = &s->lrx;

	return s->bfd.state >= BFD_STATE_INIT || s->loss_out ||
	       (r->n && now - r->at[(r->head + LOSS_RX_RING - 1) % LOSS_RX_RING] <= MTIME_S(3));
}

/* The peer has been heard on the link lately, by any session in any state. */
static bool link_wanted(const struct mr_daemon *d, const struct mr_link *l, mtime_t now)
{
	int i;

	if (l->port->ifindex <= 0 || !l->port->carrier || l->port->drained)
		return false;
	for (i = 0; i < d->nsess; i++) {
		const struct mr_sess *s = &d->sess[i];

		if (s->port == l->port && s->peer == l->peer && sess_heard(s, now))
			return true;
	}
	return false;
}

/* echo_tx: the report whose tx time ours echoes; an entry's pair must be from that one. */
static void entry_of(const struct mr_sess *s, uint64_t echo_tx, struct linkrep_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->local_discr = s->bfd.local_discr;
	e->remote_discr = s->bfd.remote_discr;
	e->kind = s->mtu ? LINKREP_KIND_MTU :
		  s->local.family == AF_INET6 ? LINKREP_KIND_IPV6 : LINKREP_KIND_IPV4;
	e->state = s->bfd.state;
	e->sent = (uint32_t)s->tx_packets;
	e->received = s->lrx.count;
	if (s->echo_valid && s->echo_key == s->bfd.remote_discr && echo_tx && s->echo_tx == echo_tx) {
		e->flags = LINKREP_E_ECHO;
		e->echo_sent = s->echo_sent;
		e->echo_received = s->echo_rcvd;
	}
}

static void report_send(struct mr_daemon *d, struct mr_link *l)
{
	struct mr_sess *arr[2] = { d->sess, d->msess };
	int n[2] = { d->nsess, d->nmsess }, k, i, fd, pi = (int)(l->port - d->ports), err;
	uint8_t buf[LINKREP_MAX_LEN];
	struct linkrep r;
	mtime_t now;
	size_t len;

	memset(&r, 0, sizeof(r));
	r.sender = l->local;
	r.has_link = true;
	snprintf(r.link.port, sizeof(r.link.port), "%s", l->port->name);
	fd = linkmsg_tx_socket(d, pi, mr_fam(l->local.family));
	if (fd < 0)
		return;
	r.seq = ++d->lm.seq;
	/* Read just before sending: what is between here and the wire is in the RTT. */
	now = mtime_now();
	r.link.tx_us = (uint64_t)now;
	if (l->echo_tx && now >= l->echo_at && now - l->echo_at < LINKMSG_EXPIRE) {
		r.link.echo_us = l->echo_tx;
		r.link.held_us = (uint32_t)(now - l->echo_at);
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < n[k] && r.link.count < LINKREP_MAX_ENTRIES; i++) {
			const struct mr_sess *s = &arr[k][i];

			/* Only sessions the peer can name: we know its discriminator. */
			if (s->port == l->port && s->peer == l->peer && s->bfd.remote_discr)
				entry_of(s, r.link.echo_us, &r.link.e[r.link.count++]);
		}
	len = linkrep_encode(&r, &d->keys, buf, sizeof(buf));
	err = len ? net_send(fd, &l->remote, d->cfg.relay_port, buf, len) : -EINVAL;
	if (err < 0) {
		unsigned supp;

		l->tx_errors++;
		d->lm.tx_errors++;
		if (log_ratelimit_ok(&d->rl_drop, &supp))
			log_debug("%s via %s: link report: %s", d->cfg.nodes[l->peer].name,
				  l->port->name, strerror(-err));
		return;
	}
	l->tx_packets++;
	d->lm.tx_packets++;
	if (++l->unanswered == LINKMSG_UNANSWERED)
		log_info("%s via %s: no link report back after %d: the peer runs no meshrouted "
			 "that sends them (FRR, BIRD, an older version); one a minute from now on",
			 d->cfg.nodes[l->peer].name, l->port->name, LINKMSG_UNANSWERED);
}

/* ---- the mesh view: our ports' facts, rounds of our table, warnings ---- */

/*
 * Our traffic to peer goes over port now (its hold-down served), directly,
 * in either family.  The one place that reads the installed routes: after
 * the issue 18 refactor, rib_in_service(&d->rib, peer, fam, ifindex).
 */
static bool port_in_service(const struct mr_daemon *d, const struct mr_port *port, int peer)
{
	int f, k;

	for (f = 0; f < MR_NFAM; f++) {
		const struct path_result *p = &d->peers[peer].rt[f].installed;

		for (k = 0; k < p->noif && !p->relayed; k++)
			if (p->oif[k] == port->ifindex && port->ifindex > 0)
				return true;
	}
	return false;
}

static int max_known(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a > b ? a : b;
}

/* What the daemon knows about fast port `port` now, for meshnode_port(). */
static void port_facts(const struct mr_daemon *d, const struct mr_port *port, mtime_t now,
		       struct mesh_port_facts *f, struct mesh_cable_stats *st)
{
	int i, n;

	memset(f, 0, sizeof(*f));
	f->present = port->ifindex > 0;
	f->carrier = port->carrier;
	f->drained = port->drained;
	for (n = 0; n < MR_MAX_NODES; n++) {
		memset(&st[n], 0, sizeof(st[n]));
		st[n].rtt_us = st[n].jitter_us = -1;
		st[n].loss_to = st[n].loss_from = -1;
	}
	for (i = 0; i < d->nsess; i++) {
		const struct mr_sess *s = &d->sess[i];
		struct mesh_cable_stats *c = &st[s->peer];
		uint32_t bit = MESH_NODE_BIT(s->peer);

		if (s->port != port)
			continue;
		if (sess_heard(s, now))
			f->heard |= bit;
		if (s->loss_out)
			f->lossy |= bit;
		if (!(f->in_service & bit) && port_in_service(d, port, s->peer))
			f->in_service |= bit;
		/* IPv4 and IPv6 sessions of one cable: the worse figure. */
		if (s->flaps > c->flaps)
			c->flaps = s->flaps;
		if (s->last_detect_us > c->last_detect_us)
			c->last_detect_us = s->last_detect_us;
		if (s->bfd.state == BFD_STATE_UP && bfd_session_detect_time(&s->bfd) > c->detect_us)
			c->detect_us = bfd_session_detect_time(&s->bfd);
		c->loss_to = max_known(c->loss_to, s->loss_to_permille);
		c->loss_from = max_known(c->loss_from, s->loss_permille);
	}
	for (i = 0; i < d->nmsess; i++)
		if (d->msess[i].port == port && d->msess[i].verdict == MTU_FAILED)
			f->mtu_failed |= MESH_NODE_BIT(d->msess[i].peer);
	for (i = 0; i < d->lm.nlinks; i++) {
		const struct mr_link *l = &d->lm.links[i];

		if (l->port != port)
			continue;
		st[l->peer].rtt_us = rtt_median(&l->rtt, now);
		st[l->peer].jitter_us = rtt_jitter(&l->rtt, now);
		memcpy(st[l->peer].peer_port, l->peer_port, sizeof(st[0].peer_port));
	}
}

static void mesh_gather(struct mr_daemon *d, mtime_t now)
{
	struct mesh_cable_stats st[MR_MAX_NODES];
	struct mesh_port_facts f;
	int i, k;

	for (k = 0; k < meshnode_nports(d->lm.mesh); k++) {
		const char *name = meshnode_port_name(d->lm.mesh, k);

		for (i = 0; i < d->nports; i++) {
			if (d->ports[i].lan || strcmp(d->ports[i].name, name) != 0)
				continue;
			port_facts(d, &d->ports[i], now, &f, st);
			meshnode_port(d->lm.mesh, k, &f, st, d->cfg.nnodes, now);
		}
	}
}

/* The LAN port's transmit socket in family fam (0, 1), -1 if none. */
static int lan_socket(struct mr_daemon *d, int fam)
{
	struct linkmsg_state *lm = &d->lm;
	const struct mr_port *lan = NULL;
	int i;

	for (i = 0; i < d->nports; i++)
		if (d->ports[i].lan)
			lan = &d->ports[i];
	if (!lan || lan->ifindex <= 0 || !node_addr(&d->cfg, d->self, fam)->family)
		return -1;
	if (lm->lan_fd[fam] >= 0 && lm->lan_ifindex[fam] == lan->ifindex)
		return lm->lan_fd[fam];
	if (lm->lan_fd[fam] >= 0)
		close(lm->lan_fd[fam]);
	lm->lan_fd[fam] = net_tx_open(fam ? AF_INET6 : AF_INET, node_addr(&d->cfg, d->self, fam),
				      lan->ifindex, &lm->lan_sport[fam]);
	lm->lan_ifindex[fam] = lan->ifindex;
	if (lm->lan_fd[fam] < 0) {
		log_warnx("no transmit socket for link tables on the LAN port %s", lan->name);
		lm->lan_fd[fam] = -1;
	}
	return lm->lan_fd[fam];
}

static void mesh_send_one(struct mr_daemon *d, int fd, const struct mr_addr *dst, const uint8_t *buf,
			  size_t len, const char *peer, const char *port)
{
	int err = fd < 0 ? -EBADF : len ? net_send(fd, dst, d->cfg.relay_port, buf, len) : -EINVAL;
	unsigned supp;

	if (err == 0) {
		d->lm.mesh_tx++;
		return;
	}
	d->lm.mesh_tx_errors++;
	if (log_ratelimit_ok(&d->rl_drop, &supp))
		log_debug("%s via %s: link table: %s", peer, port, strerror(-err));
}

/* A round of our table: to every other node over the LAN, and over every fast port it answers on. */
static void mesh_send(struct mr_daemon *d, mtime_t now)
{
	struct linkrep_nodes parts[(LINKREP_NT_MAX_TOTAL + LINKREP_NT_MAX - 1) / LINKREP_NT_MAX];
	uint8_t buf[LINKREP_MAX_LEN];
	int np, k, n, i, f;

	np = meshnode_send(d->lm.mesh, now, parts, (int)(sizeof(parts) / sizeof(parts[0])));
	for (k = 0; k < np; k++) {
		/* One sequence number per part: its copies over the other paths are old news. */
		uint32_t seq = ++d->lm.seq;

		for (n = 0; n < d->cfg.nnodes; n++) {
			struct linkrep r;
			size_t len;

			if (n == d->self || (f = link_fam(&d->cfg, d->self, n)) < 0)
				continue;
			memset(&r, 0, sizeof(r));
			r.sender = *node_addr(&d->cfg, d->self, f);
			r.seq = seq;
			r.has_nodes = true;
			r.nodes = parts[k];
			len = linkrep_encode(&r, &d->keys, buf, sizeof(buf));
			mesh_send_one(d, lan_socket(d, f), node_addr(&d->cfg, n, f), buf, len,
				      d->cfg.nodes[n].name, "the LAN");
			for (i = 0; i < d->lm.nlinks; i++) {
				struct mr_link *l = &d->lm.links[i];

				/* Not to a peer that sends no link reports (FRR, BIRD): it would not listen. */
				if (l->peer != n || !link_wanted(d, l, now) ||
				    l->unanswered >= LINKMSG_UNANSWERED)
					continue;
				/* The link's family may differ from the LAN's choice: same rule, same result. */
				mesh_send_one(d, linkmsg_tx_socket(d, (int)(l->port - d->ports), f),
					      &l->remote, buf, len, d->cfg.nodes[n].name, l->port->name);
			}
		}
	}
}

static void mesh_warned(void *arg, const struct mesh_warning *w, bool cleared, bool ours)
{
	struct mr_daemon *d = arg;
	const char *peer = "";
	char diag[320];
	int n;

	for (n = 0; n < d->cfg.nnodes; n++)
		if (n != d->self && (w->nodes & MESH_NODE_BIT(n))) {
			peer = d->cfg.nodes[n].name;
			break;
		}
	if (cleared)
		log_info("mesh: cleared: %s", w->text);
	else if (ours)
		log_warnx("mesh: %s", w->text);
	else
		log_info("mesh: %s", w->text);
	/* The nodes a warning names raise it; the others only show it. */
	if (!ours)
		return;
	snprintf(diag, sizeof(diag), "%s", w->text);
	{
		struct alert_event ev = {
			.event = cleared ? "mesh-warning-cleared" : "mesh-warning",
			.node = d->cfg.nodes[d->self].name, .peer = peer, .peer_address = "",
			.port = "", .old_state = "", .new_state = mesh_warn_kind_name(w->kind),
			.diag = diag, .logged = true,
		};

		alert_emit(d->alert, &ev, mtime_now());
	}
}

static void mesh_timers(struct mr_daemon *d, mtime_t now)
{
	struct meshnode *mn = d->lm.mesh;

	if (!mn)
		return;
	if (d->lm.mesh_facts_at <= now + LINKMSG_SLACK) {
		mesh_gather(d, now);
		d->lm.mesh_facts_at = now + MESHNODE_FACTS_EVERY;
	}
	if (meshnode_next_send(mn) <= now + LINKMSG_SLACK)
		mesh_send(d, now);
	meshnode_tick(mn, now, mesh_warned, d);
}

void linkmsg_mesh_render(struct mr_daemon *d, enum mesh_format fmt, mtime_t now, FILE *out)
{
	if (d->lm.mesh)
		meshnode_render(d->lm.mesh, fmt, now, out);
	else
		fputs("the mesh view is not available (out of memory at start)\n", out);
}

void linkmsg_mesh_metrics(const struct mr_daemon *d, mtime_t now, FILE *out)
{
	if (d->lm.mesh)
		meshnode_metrics(d->lm.mesh, now, out);
}

void linkmsg_timers(struct mr_daemon *d, mtime_t now)
{
	int i;

	for (i = 0; i < d->lm.nlinks; i++) {
		struct mr_link *l = &d->lm.links[i];

		if (l->next_tx > now + LINKMSG_SLACK)
			continue;
		if (!link_wanted(d, l, now)) {
			/* Checked again with the next report's time; sent at once when it is. */
			l->next_tx = now + next_interval();
			continue;
		}
		report_send(d, l);
		l->next_tx = now + (l->unanswered >= LINKMSG_UNANSWERED ? LINKMSG_RETRY :
				    next_interval());
	}
	mesh_timers(d, now);
}

mtime_t linkmsg_next_deadline(const struct mr_daemon *d)
{
	mtime_t t = MTIME_NEVER;
	int i;

	for (i = 0; i < d->lm.nlinks; i++)
		t = mtime_min(t, d->lm.links[i].next_tx);
	if (d->lm.mesh) {
		t = mtime_min(t, d->lm.mesh_facts_at);
		t = mtime_min(t, meshnode_next_deadline(d->lm.mesh));
	}
	return mtime_min(t, d->lm.settle_at);
}
