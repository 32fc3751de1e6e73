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

#include "advert.h"
#include "linkmsg.h"
#include "log.h"
#include "mtu.h"
#include "net.h"
#include "sess.h"

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
	l->local = *mr_node_addr(&cfg->nodes[self], fam);
	l->remote = *mr_node_addr(&cfg->nodes[peer], fam);
	l->next_tx = now + next_interval() / 2;
}

struct mr_link *linkmsg_reload(struct linkmsg_state *lm, const struct linkmsg_env *e,
			       const struct mr_config *ncfg, int nself,
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

			if (nports[i].lan || n == nself ||
			    (f = mr_fam_first_shared(&ncfg->nodes[nself], &ncfg->nodes[n])) < 0)
				continue;
			for (k = 0; k < lm->nlinks && !old; k++) {
				struct mr_link *o = &lm->links[k];

				if (strcmp(o->port->name, nports[i].name) == 0 &&
				    strcmp(e->cfg->nodes[o->peer].name, ncfg->nodes[n].name) == 0 &&
				    mr_addr_eq(&o->remote, mr_node_addr(&ncfg->nodes[n], f)) &&
				    mr_addr_eq(&o->local, mr_node_addr(&ncfg->nodes[nself], f)))
					old = o;
			}
			if (old)
				arr[*count] = *old;
			else
				link_new(&arr[*count], ncfg, nself, NULL, n, f, now);
			/* Final addresses: e->ports receives nports. */
			arr[*count].port = &e->ports[i];
			arr[*count].peer = n;
			(*count)++;
		}
	}
	return arr;
}

void linkmsg_reload_apply(struct linkmsg_state *lm, struct mr_link *links, int count)
{
	free(lm->links);
	lm->links = links;
	lm->nlinks = count;
	/* Pending reports name links by index. */
	lm->npend = 0;
}

static struct mr_link *linkmsg_link_of(struct linkmsg_state *lm, const struct mr_sess *s)
{
	int i;

	for (i = 0; i < lm->nlinks; i++)
		if (lm->links[i].port == s->port && lm->links[i].peer == s->peer)
			return &lm->links[i];
	return NULL;
}

const struct mr_link *linkmsg_link_of_const(const struct linkmsg_state *lm, const struct mr_sess *s)
{
	return linkmsg_link_of((struct linkmsg_state *)lm, s);
}

/* ---- sockets ---- */

int linkmsg_tx_socket(struct linkmsg_state *lm, const struct linkmsg_env *e, int pi, int fam)
{
	int ifindex, *fd;

	if (pi < 0 || pi >= MR_MAX_FAST || pi >= e->nports || fam < 0 || fam >= MR_NFAM)
		return -1;
	ifindex = e->ports[pi].ifindex;
	if (ifindex <= 0 || e->ports[pi].lan ||
	    !mr_node_addr(&e->cfg->nodes[e->self], fam)->family)
		return -1;
	fd = &lm->tx_fd[pi][fam];
	if (*fd >= 0 && lm->tx_ifindex[pi][fam] == ifindex)
		return *fd;
	if (*fd >= 0)
		close(*fd);
	/* Bound to the port (the routes do not matter), TTL 255, like BFD's. */
	*fd = net_tx_open(fam ? AF_INET6 : AF_INET, mr_node_addr(&e->cfg->nodes[e->self], fam),
			  ifindex, &lm->tx_sport[pi][fam]);
	lm->tx_ifindex[pi][fam] = ifindex;
	if (*fd < 0) {
		log_warnx("no transmit socket for reports and advertisements on %s",
			  e->ports[pi].name);
		*fd = -1;
	}
	return *fd;
}

static void rx_close(struct linkmsg_state *lm, const struct linkmsg_env *e)
{
	int f;

	for (f = 0; f < MR_NFAM; f++) {
		if (lm->rx[f].fd < 0)
			continue;
		loop_del(e->loop, &lm->rx[f]);
		close(lm->rx[f].fd);
		lm->rx[f].fd = -1;
	}
}

/* At start, and after a reload (an intended recabling: the ports' neighbours are learnt anew). */
static void mesh_start(struct linkmsg_state *lm, const struct linkmsg_env *e)
{
	mtime_t now = mtime_now();
	bool reload = lm->mesh != NULL;

	if (!lm->mesh && !(lm->mesh = meshnode_new())) {
		log_warnx("no memory for the mesh view: meshroutectl mesh shows nothing");
		return;
	}
	meshnode_configure(lm->mesh, e->cfg, e->self, reload, now);
	lm->mesh_facts_at = now;
}

int linkmsg_start(struct linkmsg_state *lm, const struct linkmsg_env *e)
{
	int f, err = 0, open = 0;

	if (!lm->links) {
		int count;
		struct mr_link *arr = linkmsg_reload(lm, e, e->cfg, e->self, e->ports, e->nports,
						     &count);

		if (!arr)
			return -ENOMEM;
		linkmsg_reload_apply(lm, arr, count);
	}
	if (lm->rx_port != e->cfg->relay_port)
		rx_close(lm, e);
	for (f = 0; f < MR_NFAM; f++) {
		struct loop_fd *h = &lm->rx[f];

		if (!mr_node_addr(&e->cfg->nodes[e->self], f)->family) {
			if (h->fd >= 0) {
				loop_del(e->loop, h);
				close(h->fd);
				h->fd = -1;
			}
			continue;
		}
		if (h->fd >= 0) {
			open++;
			continue;
		}
		h->fd = net_rx_open(f ? AF_INET6 : AF_INET, e->cfg->relay_port);
		if (h->fd < 0) {
			err = h->fd;
			h->fd = -1;
			log_warnx(
				"cannot receive link reports%s on UDP port %u (%s): %s; probe loss "
				"is not counted",
				f ? "" : " and relay advertisements", e->cfg->relay_port,
				f ? "IPv6" : "IPv4", strerror(-err));
			continue;
		}
		h->fn = e->on_readable;
		h->arg = e->ctx;
		if ((err = loop_add(e->loop, h, EPOLLIN)) < 0) {
			close(h->fd);
			h->fd = -1;
			continue;
		}
		open++;
	}
	lm->rx_port = e->cfg->relay_port;
	mesh_start(lm, e);
	return open ? 0 : err;
}

void linkmsg_stop(struct linkmsg_state *lm, const struct linkmsg_env *e)
{
	int i, f;

	rx_close(lm, e);
	for (i = 0; i < MR_MAX_FAST; i++)
		for (f = 0; f < MR_NFAM; f++) {
			if (lm->tx_fd[i][f] >= 0)
				close(lm->tx_fd[i][f]);
			lm->tx_fd[i][f] = -1;
		}
	for (f = 0; f < MR_NFAM; f++) {
		if (lm->lan_fd[f] >= 0)
			close(lm->lan_fd[f]);
		lm->lan_fd[f] = -1;
	}
	free(lm->links);
	lm->links = NULL;
	lm->nlinks = 0;
	lm->npend = 0;
	meshnode_free(lm->mesh);
	lm->mesh = NULL;
}

/* ---- receiving ---- */

static void drop(struct linkmsg_state *lm, const struct linkmsg_env *e, int reason,
		 const struct net_msg *m, const char *detail)
{
	char src[64];
	unsigned supp = 0;

	lm->drops[reason]++;
	if (!log_ratelimit_ok(e->rl, &supp))
		return;
	log_info("dropped message from %s on ifindex %d to UDP port %u: %s%s%s",
		 mr_addr_str(&m->src, src, sizeof(src)), m->ifindex, e->cfg->relay_port,
		 linkmsg_drop_name(reason), detail ? ": " : "", detail ? detail : "");
	if (supp)
		log_info("(%u more dropped packets not logged)", supp);
}

static int node_by_addr(const struct linkmsg_state *lm, const struct linkmsg_env *e,
			const struct mr_addr *a)
{
	int n;

	for (n = 0; n < e->cfg->nnodes; n++)
		if (mr_addr_eq(mr_node_addr(&e->cfg->nodes[n], mr_fam(a->family)), a))
			return n;
	return -1;
}

static int link_index(const struct linkmsg_state *lm, const struct linkmsg_env *e, int ifindex,
		      int peer)
{
	int i;

	for (i = 0; i < lm->nlinks; i++)
		if (lm->links[i].port->ifindex == ifindex && ifindex > 0 &&
		    lm->links[i].peer == peer)
			return i;
	return -1;
}

static void mesh_rx(struct linkmsg_state *lm, const struct linkmsg_env *e,
		    const struct net_msg *m, int sender, const struct linkrep *r, mtime_t now)
{
	enum meshnode_via via = MESHNODE_VIA_MAX;
	int i;

	for (i = 0; i < e->nports; i++)
		if (e->ports[i].ifindex == m->ifindex && m->ifindex > 0)
			via = e->ports[i].lan ? MESHNODE_VIA_LAN : MESHNODE_VIA_FAST;
	if (via == MESHNODE_VIA_MAX) {
		drop(lm, e, LINKMSG_DROP_PORT, m, NULL);
		return;
	}
	lm->rx_packets++;
	if (lm->mesh)
		meshnode_table_rx(lm->mesh, sender, r->seq, &r->nodes, via, now);
}

/*
 * The sender's node index of a report that came over one cable hop, decodes
 * and authenticates, and names as sender the node it came from; -1 (counted
 * and logged as a drop) for any other.
 */
static int report_sender(struct linkmsg_state *lm, const struct linkmsg_env *e,
			 const struct net_msg *m, struct linkrep *r)
{
	int err, sender;

	/* Only a neighbour on a cable can send with TTL 255 that arrives as 255. */
	if (m->ttl != 255) {
		drop(lm, e, LINKMSG_DROP_TTL, m, NULL);
		return -1;
	}
	err = linkrep_decode(m->buf, m->len, e->keys, r);
	if (err != LINKREP_OK) {
		lm->drop_decode[err]++;
		drop(lm, e, LINKMSG_DROP_DECODE, m, linkrep_err_name(err));
		return -1;
	}
	sender = node_by_addr(lm, e, &r->sender);
	if (sender < 0 || sender == e->self || !mr_addr_eq(&m->src, &r->sender)) {
		drop(lm, e, LINKMSG_DROP_SENDER, m, NULL);
		return -1;
	}
	return sender;
}

/*
 * Our tx time came back, held by the peer for held_us: the rest is the
 * cable both ways.  Both ends' arrival times are kernel stamps, so a report
 * read late (untrusted stamp) gives no sample.
 */
static void rtt_sample(struct mr_link *l, const struct net_msg *m, const struct linkrep_link *rl,
		       bool trusted)
{
	int64_t rtt;

	if (!trusted || !rl->echo_us || rl->echo_us > (uint64_t)m->rx_at)
		return;
	rtt = (int64_t)((uint64_t)m->rx_at - rl->echo_us) - rl->held_us;
	if (rtt >= 0 && rtt < MTIME_S(10))
		rtt_add(&l->rtt, (uint32_t)rtt, m->rx_at);
}

/* The counts wait until every probe that came before the report has been read. */
static void report_defer(struct linkmsg_state *lm, const struct linkmsg_env *e, int li,
			 const struct net_msg *m, const struct linkrep_link *rl, bool trusted,
			 mtime_t now)
{
	struct linkmsg_pending *p;

	if (lm->npend == LINKMSG_PENDING) {
		linkmsg_process(lm, e, now);
		if (lm->npend == LINKMSG_PENDING) {
			memmove(&lm->pend[0], &lm->pend[1],
				sizeof(lm->pend[0]) * (LINKMSG_PENDING - 1));
			lm->npend--;
		}
	}
	p = &lm->pend[lm->npend++];
	p->link = li;
	p->at = m->rx_at;
	p->trusted = trusted;
	p->read_at = now;
	p->l = *rl;
	*e->rx_backlog = true;
	lm->settle_at = mtime_min(lm->settle_at, p->at + LINKMSG_SETTLE + LINKMSG_SLACK);
}

static void report_rx(struct linkmsg_state *lm, const struct linkmsg_env *e,
		      const struct net_msg *m, mtime_t now)
{
	struct linkrep r;
	struct mr_link *l;
	bool trusted = m->rx_delay > 0 && m->rx_delay <= LINKMSG_STAMP_TRUST;
	int sender, li;

	sender = report_sender(lm, e, m, &r);
	if (sender < 0)
		return;
	/* A node table alone: for the view only, from a fast port or the LAN. */
	if (r.has_nodes && !r.has_link) {
		mesh_rx(lm, e, m, sender, &r, now);
		return;
	}
	li = link_index(lm, e, m->ifindex, sender);
	if (li < 0) {
		drop(lm, e, LINKMSG_DROP_PORT, m, NULL);
		return;
	}
	l = &lm->links[li];
	/* Serial arithmetic: "newer" survives wrap-around; equal is a replay. */
	if (l->heard && now - l->heard_at < LINKMSG_EXPIRE && (int32_t)(r.seq - l->seq) <= 0) {
		drop(lm, e, LINKMSG_DROP_REPLAY, m, NULL);
		return;
	}
	if (l->unanswered >= LINKMSG_UNANSWERED)
		log_info("%s via %s: link reports from the peer again", e->cfg->nodes[sender].name,
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
	rtt_sample(l, m, &r.link, trusted);
	report_defer(lm, e, li, m, &r.link, trusted, now);
}

void linkmsg_rx(struct linkmsg_state *lm, const struct linkmsg_env *e)
{
	static struct net_msg m;
	int budget = 64, f;

	for (f = 0; f < MR_NFAM; f++) {
		int fd = lm->rx[f].fd;

		while (fd >= 0 && budget-- > 0) {
			int err = net_recv(fd, &m);

			if (err == -EAGAIN || err == -EWOULDBLOCK)
				break;
			if (err < 0) {
				errno = -err;
				log_warn("receive on UDP port %u", e->cfg->relay_port);
				break;
			}
			if (advert_is(m.buf, m.len))
				e->advert(e->ctx, &m);
			else if (linkrep_is(m.buf, m.len))
				report_rx(lm, e, &m, mtime_now());
			else
				drop(lm, e, LINKMSG_DROP_MAGIC, &m, NULL);
		}
	}
}

/* A session of the link's (port, peer) that the entry names, the other way round. */
static struct mr_sess *entry_sess(const struct linkmsg_env *e, const struct mr_link *l,
				  const struct linkrep_entry *en)
{
	struct mr_sess *arr[2] = { e->sess, e->msess };
	int n[2] = { e->nsess, e->nmsess }, k, i;

	if (en->remote_discr == 0)
		return NULL;
	for (k = 0; k < 2; k++)
		for (i = 0; i < n[k]; i++) {
			struct mr_sess *s = &arr[k][i];

			if (s->port == l->port && s->peer == l->peer &&
			    s->bfd.local_discr == en->remote_discr &&
			    s->bfd.remote_discr == en->local_discr)
				return s;
		}
	return NULL;
}

static void resolve(struct linkmsg_state *lm, const struct linkmsg_env *e,
		    const struct linkmsg_pending *p, mtime_t now)
{
	struct mr_link *l = &lm->links[p->link];
	int i;

	/* Ours echo this report: its tx time, and the pairs cut at its arrival (a kernel stamp). */
	if (p->trusted) {
		l->echo_tx = p->l.tx_us;
		l->echo_at = p->at;
	}

	for (i = 0; i < p->l.count; i++) {
		const struct linkrep_entry *en = &p->l.e[i];
		struct mr_sess *s = entry_sess(e, l, en);
		uint32_t rcvd;

		if (!s)
			continue;
		s->report_at = p->at;
		/* Cut before the session changed state: the counting started over since. */
		if (p->at < s->loss_reset_at)
			continue;
		/* The peer's probes to us: its count, ours up to the report's arrival. */
		if (p->trusted && loss_rx_count_at(&s->lrx, p->at, &rcvd)) {
			loss_sample(&s->loss_from, LOSS_SRC_REPORT, en->local_discr,
				    en->remote_discr, en->sent, rcvd, p->at);
			s->echo_valid = true;
			s->echo_key = en->local_discr;
			s->echo_sent = en->sent;
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
		if ((en->flags & LINKREP_E_ECHO) && p->l.echo_us &&
		    p->l.echo_us <= (uint64_t)p->at && (mtime_t)p->l.echo_us >= s->loss_reset_at &&
		    (uint32_t)((uint32_t)s->tx_packets - en->echo_sent) < 1u << 31)
			loss_sample(&s->loss_to, LOSS_SRC_REPORT, en->local_discr, en->remote_discr,
				    en->echo_sent, en->echo_received, (mtime_t)p->l.echo_us);
		e->loss_changed(e->ctx, s, now);
	}
}

bool linkmsg_pending(const struct linkmsg_state *lm)
{
	return lm->npend > 0;
}

void linkmsg_process(struct linkmsg_state *lm, const struct linkmsg_env *e, mtime_t now)
{
	int i, k = 0;

	lm->settle_at = MTIME_NEVER;
	for (i = 0; i < lm->npend; i++) {
		struct linkmsg_pending *p = &lm->pend[i];

		if (p->link < lm->nlinks && p->at + LINKMSG_SETTLE < e->rx_read_at) {
			resolve(lm, e, p, now);
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
static bool link_wanted(const struct linkmsg_state *lm, const struct linkmsg_env *e,
			const struct mr_link *l, mtime_t now)
{
	int i;

	if (l->port->ifindex <= 0 || !l->port->carrier || l->port->drained)
		return false;
	for (i = 0; i < e->nsess; i++) {
		const struct mr_sess *s = &e->sess[i];

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
	if (s->echo_valid && s->echo_key == s->bfd.remote_discr && echo_tx &&
	    s->echo_tx == echo_tx) {
		e->flags = LINKREP_E_ECHO;
		e->echo_sent = s->echo_sent;
		e->echo_received = s->echo_rcvd;
	}
}

static void report_send(struct linkmsg_state *lm, const struct linkmsg_env *e, struct mr_link *l)
{
	struct mr_sess *arr[2] = { e->sess, e->msess };
	int n[2] = { e->nsess, e->nmsess }, k, i, fd, pi = (int)(l->port - e->ports), err;
	uint8_t buf[LINKREP_MAX_LEN];
	struct linkrep r;
	mtime_t now;
	size_t len;

	memset(&r, 0, sizeof(r));
	r.sender = l->local;
	r.has_link = true;
	snprintf(r.link.port, sizeof(r.link.port), "%s", l->port->name);
	fd = linkmsg_tx_socket(lm, e, pi, mr_fam(l->local.family));
	if (fd < 0)
		return;
	r.seq = ++lm->seq;
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
	len = linkrep_encode(&r, e->keys, buf, sizeof(buf));
	err = len ? net_send(fd, &l->remote, e->cfg->relay_port, buf, len) : -EINVAL;
	if (err < 0) {
		unsigned supp;

		l->tx_errors++;
		lm->tx_errors++;
		if (log_ratelimit_ok(e->rl, &supp))
			log_debug("%s via %s: link report: %s", e->cfg->nodes[l->peer].name,
				  l->port->name, strerror(-err));
		return;
	}
	l->tx_packets++;
	lm->tx_packets++;
	if (++l->unanswered == LINKMSG_UNANSWERED)
		log_info("%s via %s: no link report back after %d: the peer runs no meshrouted "
			 "that sends them (FRR, BIRD, an older version); one a minute from now on",
			 e->cfg->nodes[l->peer].name, l->port->name, LINKMSG_UNANSWERED);
}

/* ---- the mesh view: our ports' facts, rounds of our table, warnings ---- */

static int max_known(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a > b ? a : b;
}

/* What the daemon knows about fast port `port` now, for meshnode_port(). */
static void port_facts(const struct linkmsg_state *lm, const struct linkmsg_env *e,
		       const struct mr_port *port, mtime_t now, struct mesh_port_facts *f,
		       struct mesh_cable_stats *st)
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
	for (i = 0; i < e->nsess; i++) {
		const struct mr_sess *s = &e->sess[i];
		struct mesh_cable_stats *c = &st[s->peer];
		uint32_t bit = MESH_NODE_BIT(s->peer);

		if (s->port != port)
			continue;
		if (sess_heard(s, now))
			f->heard |= bit;
		if (s->loss_out)
			f->lossy |= bit;
		/* Our traffic to the peer goes over this port now, directly (route.h). */
		if (!(f->in_service & bit) && port->ifindex > 0 &&
		    e->in_service(e->ctx, s->peer, port->ifindex))
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
	for (i = 0; i < e->nmsess; i++)
		if (e->msess[i].port == port && e->msess[i].verdict == MTU_FAILED)
			f->mtu_failed |= MESH_NODE_BIT(e->msess[i].peer);
	for (i = 0; i < lm->nlinks; i++) {
		const struct mr_link *l = &lm->links[i];

		if (l->port != port)
			continue;
		st[l->peer].rtt_us = rtt_median(&l->rtt, now);
		st[l->peer].jitter_us = rtt_jitter(&l->rtt, now);
		memcpy(st[l->peer].peer_port, l->peer_port, sizeof(st[0].peer_port));
	}
}

static void mesh_gather(struct linkmsg_state *lm, const struct linkmsg_env *e, mtime_t now)
{
	struct mesh_cable_stats st[MR_MAX_NODES];
	struct mesh_port_facts f;
	int i, k;

	for (k = 0; k < meshnode_nports(lm->mesh); k++) {
		const char *name = meshnode_port_name(lm->mesh, k);

		for (i = 0; i < e->nports; i++) {
			if (e->ports[i].lan || strcmp(e->ports[i].name, name) != 0)
				continue;
			port_facts(lm, e, &e->ports[i], now, &f, st);
			meshnode_port(lm->mesh, k, &f, st, e->cfg->nnodes, now);
		}
	}
}

/* The LAN port's transmit socket in family fam (0, 1), -1 if none. */
static int lan_socket(struct linkmsg_state *lm, const struct linkmsg_env *e, int fam)
{
	const struct mr_addr *self = mr_node_addr(&e->cfg->nodes[e->self], fam);
	const struct mr_port *lan = NULL;
	int i;

	for (i = 0; i < e->nports; i++)
		if (e->ports[i].lan)
			lan = &e->ports[i];
	if (!lan || lan->ifindex <= 0 || !self->family)
		return -1;
	if (lm->lan_fd[fam] >= 0 && lm->lan_ifindex[fam] == lan->ifindex)
		return lm->lan_fd[fam];
	if (lm->lan_fd[fam] >= 0)
		close(lm->lan_fd[fam]);
	lm->lan_fd[fam] = net_tx_open(fam ? AF_INET6 : AF_INET, self, lan->ifindex,
				      &lm->lan_sport[fam]);
	lm->lan_ifindex[fam] = lan->ifindex;
	if (lm->lan_fd[fam] < 0) {
		log_warnx("no transmit socket for link tables on the LAN port %s", lan->name);
		lm->lan_fd[fam] = -1;
	}
	return lm->lan_fd[fam];
}

static void mesh_send_one(struct linkmsg_state *lm, const struct linkmsg_env *e, int fd,
			  const struct mr_addr *dst, const uint8_t *buf, size_t len, const char *peer,
			  const char *port)
{
	int err = fd < 0 ? -EBADF : len ? net_send(fd, dst, e->cfg->relay_port, buf, len) : -EINVAL;
	unsigned supp;

	if (err == 0) {
		lm->mesh_tx++;
		return;
	}
	lm->mesh_tx_errors++;
	if (log_ratelimit_ok(e->rl, &supp))
		log_debug("%s via %s: link table: %s", peer, port, strerror(-err));
}

/* Our table's part to node n in family f: over the LAN, and over every fast port n answers on. */
static void mesh_send_to(struct linkmsg_state *lm, const struct linkmsg_env *e, int n, int f,
			 const uint8_t *buf, size_t len, mtime_t now)
{
	const char *name = e->cfg->nodes[n].name;
	int i;

	mesh_send_one(lm, e, lan_socket(lm, e, f), mr_node_addr(&e->cfg->nodes[n], f), buf, len,
		      name, "the LAN");
	for (i = 0; i < lm->nlinks; i++) {
		struct mr_link *l = &lm->links[i];

		/* Not to a peer that sends no link reports (FRR, BIRD): it would not listen. */
		if (l->peer != n || !link_wanted(lm, e, l, now) || l->unanswered >= LINKMSG_UNANSWERED)
			continue;
		/* The link's family may differ from the LAN's choice: same rule, same result. */
		mesh_send_one(lm, e, linkmsg_tx_socket(lm, e, (int)(l->port - e->ports), f),
			      &l->remote, buf, len, name, l->port->name);
	}
}

/* A round of our table: to every other node over the LAN, and over every fast port it answers on. */
static void mesh_send(struct linkmsg_state *lm, const struct linkmsg_env *e, mtime_t now)
{
	struct linkrep_nodes parts[(LINKREP_NT_MAX_TOTAL + LINKREP_NT_MAX - 1) / LINKREP_NT_MAX];
	uint8_t buf[LINKREP_MAX_LEN];
	int np, k, n, f;

	np = meshnode_send(lm->mesh, now, parts, (int)(sizeof(parts) / sizeof(parts[0])));
	for (k = 0; k < np; k++) {
		/* One sequence number per part: its copies over the other paths are old news. */
		uint32_t seq = ++lm->seq;

		for (n = 0; n < e->cfg->nnodes; n++) {
			struct linkrep r;

			if (n == e->self ||
			    (f = mr_fam_first_shared(&e->cfg->nodes[e->self], &e->cfg->nodes[n])) < 0)
				continue;
			memset(&r, 0, sizeof(r));
			r.sender = *mr_node_addr(&e->cfg->nodes[e->self], f);
			r.seq = seq;
			r.has_nodes = true;
			r.nodes = parts[k];
			mesh_send_to(lm, e, n, f, buf, linkrep_encode(&r, e->keys, buf, sizeof(buf)),
				     now);
		}
	}
}

static void mesh_timers(struct linkmsg_state *lm, const struct linkmsg_env *e, mtime_t now)
{
	struct meshnode *mn = lm->mesh;

	if (!mn)
		return;
	if (lm->mesh_facts_at <= now + LINKMSG_SLACK) {
		mesh_gather(lm, e, now);
		lm->mesh_facts_at = now + MESHNODE_FACTS_EVERY;
	}
	if (meshnode_next_send(mn) <= now + LINKMSG_SLACK)
		mesh_send(lm, e, now);
	meshnode_tick(mn, now, e->mesh_warning, e->ctx);
}

void linkmsg_mesh_render(const struct linkmsg_state *lm, enum mesh_format fmt, mtime_t now,
			 FILE *out)
{
	if (lm->mesh)
		meshnode_render(lm->mesh, fmt, now, out);
	else
		fputs("the mesh view is not available (out of memory at start)\n", out);
}

void linkmsg_mesh_metrics(const struct linkmsg_state *lm, mtime_t now, FILE *out)
{
	if (lm->mesh)
		meshnode_metrics(lm->mesh, now, out);
}

void linkmsg_timers(struct linkmsg_state *lm, const struct linkmsg_env *e, mtime_t now)
{
	int i;

	for (i = 0; i < lm->nlinks; i++) {
		struct mr_link *l = &lm->links[i];

		if (l->next_tx > now + LINKMSG_SLACK)
			continue;
		if (!link_wanted(lm, e, l, now)) {
			/* Checked again with the next report's time; sent at once when it is. */
			l->next_tx = now + next_interval();
			continue;
		}
		report_send(lm, e, l);
		l->next_tx = now + (l->unanswered >= LINKMSG_UNANSWERED ? LINKMSG_RETRY :
				    next_interval());
	}
	mesh_timers(lm, e, now);
}

mtime_t linkmsg_next_deadline(const struct linkmsg_state *lm)
{
	mtime_t t = MTIME_NEVER;
	int i;

	for (i = 0; i < lm->nlinks; i++)
		t = mtime_min(t, lm->links[i].next_tx);
	if (lm->mesh) {
		t = mtime_min(t, lm->mesh_facts_at);
		t = mtime_min(t, meshnode_next_deadline(lm->mesh));
	}
	return mtime_min(t, lm->settle_at);
}
