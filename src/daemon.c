// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon: sessions per (fast port, candidate peer), routes per peer. */
#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cap-ng.h>
#include <systemd/sd-daemon.h>

#include "alert.h"
#include "auth.h"
#include "command.h"
#include "control.h"
#include "daemon.h"
#include "drainstate.h"
#include "log.h"
#include "net.h"
#include "nl.h"
#include "standby.h"
#include "status.h"
#include "sysctl.h"

/* A full route resync from a dump, in case an event was missed. */
#define RESYNC_INTERVAL MTIME_S(10)
/* SCHED_FIFO priority: above normal work, below the kernel's own threads. */
#define MR_RT_PRIORITY 10
/* How often metrics-file is rewritten. */
#define METRICS_FILE_EVERY MTIME_S(10)
/* A failed route change is retried after this long. */
#define ROUTE_RETRY MTIME_MS(500)

static const char *drop_names[MR_DROP_MAX] = {
	[MR_DROP_DECODE] = "decode",
	[MR_DROP_TTL] = "ttl",
	[MR_DROP_NO_SESSION] = "no_session",
	[MR_DROP_WRONG_PORT] = "wrong_port",
	[MR_DROP_AUTH] = "auth",
	[MR_DROP_ADMIN_DOWN] = "admin_down",
};

const char *mr_drop_name(int reason)
{
	return reason >= 0 && reason < MR_DROP_MAX ? drop_names[reason] : "?";
}

static const struct mr_node *self_node(const struct mr_daemon *d)
{
	return &d->cfg.nodes[d->self];
}

static const char *peer_name(const struct mr_daemon *d, int node)
{
	return d->cfg.nodes[node].name;
}

/* "fast0+fast1" or "LAN" */
static const char *path_str(const struct mr_daemon *d, const struct path_result *p, char *buf,
			    size_t len)
{
	size_t off = 0;
	int i, j;

	if (p->noif == 0)
		return "LAN";
	buf[0] = '\0';
	if (p->relayed)
		off += (size_t)snprintf(buf, len, "via %s (", p->relay_node >= 0 &&
					p->relay_node < d->cfg.nnodes ?
					d->cfg.nodes[p->relay_node].name : "?");
	for (i = 0; i < p->noif; i++) {
		const char *name = "?";

		for (j = 0; j < d->nports; j++)
			if (d->ports[j].ifindex == p->oif[i])
				name = d->ports[j].name;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
					i ? "+" : "", name);
	}
	if (p->relayed)
		snprintf(buf + off, off < len ? len - off : 0, ")");
	return buf;
}

static struct mr_port *port_by_ifindex(struct mr_daemon *d, int ifindex)
{
	int i;

	for (i = 0; i < d->nports; i++)
		if (d->ports[i].ifindex == ifindex && ifindex > 0)
			return &d->ports[i];
	return NULL;
}

static struct mr_port *port_by_name(struct mr_daemon *d, const char *name)
{
	int i;

	for (i = 0; i < d->nports; i++)
		if (strcmp(d->ports[i].name, name) == 0)
			return &d->ports[i];
	return NULL;
}

/* MTU sessions (RFC 9764 padded probes): defined below, hooked in here and there. */
static void mtu_candidate(struct mr_daemon *d, const struct mr_sess *s, mtime_t now,
			  bool in_service, bool *up, mtime_t *up_since);
static void mtu_sess_left_up(struct mr_daemon *d, struct mr_sess *m, const struct bfd_output *out,
			     mtime_t now);
static void mtu_check_port_peer(struct mr_daemon *d, const struct mr_port *port, int peer,
				mtime_t now);
static void mtu_port_lost(struct mr_daemon *d, struct mr_port *port, mtime_t now, bool gone);
static void mtu_port_link(struct mr_daemon *d, struct mr_port *port, unsigned mtu, mtime_t now);
static int mtu_send(struct mr_sess *m, const uint8_t *buf, size_t len);
static bool params_equal(const struct bfd_session_params *a, const struct bfd_session_params *b);

/* ---- routes ---- */

static const struct mr_addr *node_addr(const struct mr_node *n, int fam)
{
	return fam ? &n->addr6 : &n->addr4;
}

static bool fam_in_use(const struct mr_daemon *d, int node, int fam)
{
	return node_addr(self_node(d), fam)->family && node_addr(&d->cfg.nodes[node], fam)->family;
}

static void peer_apply(struct mr_daemon *d, struct mr_peer *p, int fam,
		       const struct path_result *want, mtime_t now)
{
	const struct mr_node *me = self_node(d), *peer = &d->cfg.nodes[p->node];
	const struct mr_addr *dst = node_addr(peer, fam);
	struct mr_route *rt = &p->rt[fam];
	char before[128], after[128], addr[64];
	int family = fam ? AF_INET6 : AF_INET;
	uint8_t plen = fam ? 128 : 32;
	int err;

	if (rt->installed_known && path_equal(&rt->installed, want))
		return;
	if (want->noif == 0)
		err = nl_route_delete(d->nl, family, dst->bytes, plen);
	else if (want->relayed)
		err = nl_route_replace_via(d->nl, family, dst->bytes, plen, node_addr(me, fam)->bytes,
					   node_addr(&d->cfg.nodes[want->relay_node], fam)->bytes,
					   want->oif[0]);
	else
		err = nl_route_replace(d->nl, family, dst->bytes, plen,
				       node_addr(me, fam)->bytes, want->oif, want->noif);
	if (err == -ESRCH || err == -ENOENT)
		err = 0;	/* already gone: that is what we wanted */
	if (err < 0) {
		/* nl logged the kernel's reason; try again soon. */
		rt->installed_known = false;
		rt->recheck_at = mtime_min(rt->recheck_at, now + ROUTE_RETRY);
		return;
	}
	/* installed keeps the last known path even while unsure of it. */
	if (!path_equal(&rt->installed, want)) {
		struct alert_event ev = {
			.event = "path-change", .node = me->name, .peer = peer->name,
			.peer_address = mr_addr_str(dst, addr, sizeof(addr)), .port = "",
			.old_state = path_str(d, &rt->installed, before, sizeof(before)),
			.new_state = path_str(d, want, after, sizeof(after)), .diag = "",
			.logged = true,
		};

		log_notice("%s (%s): path %s -> %s", peer->name, ev.peer_address, ev.old_state,
			   ev.new_state);
		/* Scrapers see a path change within a second, not ten. */
		d->next_metrics = mtime_min(d->next_metrics, now + MTIME_S(1));
		/* A link's first bring-up after start is news to no one. */
		if (rt->ever_fast || want->noif == 0)
			alert_emit(d->alert, &ev, now);
		rt->changed_at = now;
		relay_routes_changed(d);
	}
	rt->installed = *want;
	rt->installed_known = true;
	if (want->noif > 0)
		rt->ever_fast = true;
}

/*
 * Flap damping's half-life: five hold-downs, at least a second.  The third
 * failure in quick succession starts doubling the hold-down (path.h).
 */
static mtime_t damp_half_life(const struct mr_daemon *d)
{
	return mtime_max(MTIME_S(1), (mtime_t)d->cfg.hold_down_us * 5);
}

/* Recomputes and installs the paths to one peer, each family on its own. */
static void peer_update(struct mr_daemon *d, struct mr_peer *p, mtime_t now)
{
	struct path_candidate c[MR_MAX_FAST];
	struct path_result want;
	int fam, i, k, n;

	for (fam = 0; fam < MR_NFAM; fam++) {
		if (!fam_in_use(d, p->node, fam))
			continue;
		for (i = 0, n = 0; i < d->nsess && n < MR_MAX_FAST; i++) {
			struct mr_sess *s = &d->sess[i];

			if (s->peer != p->node || s->port->lan || mr_fam(s->local.family) != fam)
				continue;
			c[n].ifindex = s->port->ifindex;
			c[n].up = s->bfd.state == BFD_STATE_UP;
			c[n].usable = s->port->carrier && !s->port->drained && s->fd >= 0;
			c[n].up_since = s->up_since;
			c[n].hold = damp_hold(&s->damp, now, damp_half_life(d), d->cfg.hold_down_us,
					      &c[n].hold_changes_at);
			c[n].in_service = false;
			for (k = 0; k < p->rt[fam].installed.noif; k++)
				if (p->rt[fam].installed.oif[k] == s->port->ifindex)
					c[n].in_service = p->rt[fam].installed_known &&
							  !p->rt[fam].installed.relayed;
			mtu_candidate(d, s, now, c[n].in_service, &c[n].up, &c[n].up_since);
			n++;
		}
		path_select(c, n, now, &want);
		/*
		 * IPv6 multipath over device-only next hops needs nexthop
		 * objects (nl.h); without them one healthy port carries it,
		 * the lowest ifindex, stably.
		 */
		if (fam == 1 && want.noif > 1 && !nl_ipv6_multipath(d->nl))
			want.noif = 1;
		/* No direct port: perhaps through a neighbour (relay = on, IPv4). */
		if (fam == 0)
			relay_path(d, p->node, now, &want);
		p->rt[fam].recheck_at = want.recheck_at;
		peer_apply(d, p, fam, &want, now);
	}
}

void daemon_peers_update(struct mr_daemon *d, mtime_t now)
{
	int i;

	for (i = 0; i < d->cfg.nnodes; i++)
		if (i != d->self)
			peer_update(d, &d->peers[i], now);
}

static void peer_init(struct mr_peer *p, int node, mtime_t now)
{
	int f;

	memset(p, 0, sizeof(*p));
	p->node = node;
	for (f = 0; f < MR_NFAM; f++) {
		p->rt[f].recheck_at = MTIME_NEVER;
		p->rt[f].changed_at = now;
	}
}

/* Both families' routes to the LAN, whatever we believed was installed. */
static void peer_withdraw(struct mr_daemon *d, struct mr_peer *p, mtime_t now)
{
	struct path_result none = { .noif = 0, .recheck_at = MTIME_NEVER };
	int f;

	for (f = 0; f < MR_NFAM; f++) {
		if (!node_addr(&d->cfg.nodes[p->node], f)->family)
			continue;
		p->rt[f].installed_known = false;
		peer_apply(d, p, f, &none, now);
	}
}

static mtime_t peer_recheck_at(const struct mr_peer *p)
{
	return mtime_min(p->rt[0].recheck_at, p->rt[1].recheck_at);
}

static struct mr_peer *peer_of(struct mr_daemon *d, int node)
{
	return &d->peers[node];
}

/* ---- sessions ---- */

/* The session's packets are built but not sent (its timers still run). */
static bool sess_quiet(const struct mr_daemon *d, const struct mr_sess *s)
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
		for (i = 0; i < d->cfg.nnodes; i++)
			if (i != s->peer && s->port->active[i] > 0)
				return true;
	}
	/* MTU probes only to the peer found on the port, and only while probing. */
	return s->mtu && (!s->pad_to || s->port->active[s->peer] == 0);
}

/*
 * Quiet and not Up or coming up: nothing to send, nothing to judge.  Its
 * timer then runs with the next wake-up instead of costing one of its own
 * (parked discovery candidates and MTU sessions are most sessions of a mesh).
 */
static bool sess_idle(const struct mr_daemon *d, const struct mr_sess *s)
{
	return (s->bfd.state == BFD_STATE_DOWN || s->bfd.state == BFD_STATE_ADMIN_DOWN) &&
	       sess_quiet(d, s);
}

static void sess_send(struct mr_daemon *d, struct mr_sess *s, mtime_t now)
{
	struct bfd_packet pkt;
	uint8_t buf[BFD_MAX_PKT_LEN];
	size_t len;
	int err;

	bfd_session_build(&s->bfd, &pkt, now);
	if (s->mtu)
		pkt.your_discr = mtu_your_discr(pkt.your_discr);
	if (sess_quiet(d, s))
		return;
	auth_prepare(&d->keys, &s->auth, &pkt);
	len = bfd_encode(&pkt, buf, sizeof(buf));
	if (len == 0 || auth_sign(&d->keys, &pkt, buf, len) < 0) {
		s->tx_errors++;
		log_warnx("%s via %s: cannot encode BFD packet", peer_name(d, s->peer),
			  s->port->name);
		return;
	}
	err = s->mtu ? mtu_send(s, buf, len) :
	      s->connected ? net_send_connected(s->fd, buf, len) :
	      net_send(s->fd, &s->remote, BFD_PORT_CONTROL, buf, len);
	if (err < 0) {
		unsigned supp;

		s->tx_errors++;
		/* Expected while a port has no carrier or the neighbour is unresolved. */
		if (log_ratelimit_ok(&d->rl_drop, &supp))
			log_debug("%s via %s: send: %s", peer_name(d, s->peer), s->port->name,
				  strerror(-err));
		return;
	}
	s->tx_packets++;
}

/*
 * Redundancy towards a peer: a working fast path and a working LAN path.
 * Losing either (fast down while the LAN is down too, or the LAN down while
 * the fast link works) is worth telling, since the next failure is an outage.
 */
static void redundancy_check(struct mr_daemon *d, int peer, mtime_t now)
{
	bool fast = false, lan = false, have_lan = false;
	struct mr_peer *p = &d->peers[peer];
	const char *what;
	int i;

	for (i = 0; i < d->nsess; i++) {
		const struct mr_sess *s = &d->sess[i];

		if (s->peer != peer)
			continue;
		if (s->port->lan) {
			have_lan = true;
			lan |= s->bfd.state == BFD_STATE_UP;
		} else {
			fast |= s->bfd.state == BFD_STATE_UP;
		}
	}
	if (!have_lan)
		return;
	/* Only after both paths have been seen working once: start-up is not a loss. */
	if (fast && lan)
		p->redundancy_seen = true;
	if (!p->redundancy_seen || (fast && lan) == !p->redundancy_lost)
		return;
	p->redundancy_lost = !(fast && lan);
	what = !fast && !lan ? "fast and LAN paths down" : !lan ? "LAN path down" :
	       "fast path down";
	if (p->redundancy_lost)
		p->redundancy_what = what;
	else
		what = p->redundancy_what ? p->redundancy_what : "?";	/* what was lost */
	{
		char addr[64];
		struct alert_event ev = {
			.event = p->redundancy_lost ? "redundancy-lost" : "redundancy-restored",
			.node = self_node(d)->name, .peer = peer_name(d, peer),
			.peer_address = mr_addr_str(&d->cfg.nodes[peer].addr4, addr, sizeof(addr)),
			.port = "", .old_state = p->redundancy_lost ? "redundant" : what,
			.new_state = p->redundancy_lost ? what : "redundant", .diag = "",
		};

		alert_emit(d->alert, &ev, now);
	}
}

static void sess_output(struct mr_daemon *d, struct mr_sess *s, const struct bfd_output *out,
			mtime_t now)
{
	if (out->state_changed) {
		char detect[64] = "", raddr[64];

		if (!s->mtu)
			s->port->active[s->peer] += (out->new_state >= BFD_STATE_INIT) -
						    (out->old_state >= BFD_STATE_INIT);
		/*
		 * Probes lost while the session changes state (an outage, a
		 * drain, a key that does not match) are BFD's business, not
		 * the cable's loss: the counting starts over.  Not when we take
		 * the cable out for loss ourselves: that run decides its return.
		 */
		if (!(out->new_state == BFD_STATE_ADMIN_DOWN && s->loss_out)) {
			loss_dir_reset(&s->loss_from);
			loss_dir_reset(&s->loss_to);
			s->loss_reset_at = now;
			s->seq_valid = false;
		}
		if (out->new_state == BFD_STATE_UP) {
			s->up_since = now;
		} else if (out->old_state == BFD_STATE_UP) {
			s->up_since = 0;
			s->last_down_diag = out->diag;
			if (s->mtu)
				mtu_sess_left_up(d, s, out, now);
			/*
			 * Our own AdminDown (drain, reload) or the peer's (its
			 * shutdown) is not a failure of the link.
			 */
			else if (out->new_state == BFD_STATE_DOWN &&
			    !(out->diag == BFD_DIAG_NEIGHBOR_DOWN &&
			      s->bfd.remote_state == BFD_STATE_ADMIN_DOWN)) {
				s->flaps++;
				damp_flap(&s->damp, now, damp_half_life(d));
			}
		}
		if (out->detect_us) {
			s->last_detect_us = (uint32_t)out->detect_us;
			snprintf(detect, sizeof(detect), ", detected after %.1f ms of silence",
				 (double)out->detect_us / 1000.0);
		}
		log_notice("%s (%s) via %s: %ssession %s -> %s (diag %s%s%s)%s", peer_name(d, s->peer),
			   mr_addr_str(&s->remote, raddr, sizeof(raddr)),
			   s->port->name, s->mtu ? "MTU " : "", bfd_state_name(out->old_state),
			   bfd_state_name(out->new_state), bfd_diag_name(out->diag),
			   s->bfd.remote_state == BFD_STATE_ADMIN_DOWN ? ", peer AdminDown" : "",
			   out->diag == BFD_DIAG_NEIGHBOR_DOWN && s->bfd.remote_state !=
			   BFD_STATE_ADMIN_DOWN ? ", peer signalled Down" : "", detect);
		/* Session-up alerts only for a session that was Up before (not start-up). */
		if (!s->mtu && ((out->new_state == BFD_STATE_UP && s->ever_up) ||
				out->old_state == BFD_STATE_UP)) {
			char addr[64];
			struct alert_event ev = {
				.event = out->new_state == BFD_STATE_UP ? "session-up" : "session-down",
				.node = self_node(d)->name, .peer = peer_name(d, s->peer),
				.peer_address = mr_addr_str(&s->remote, addr, sizeof(addr)),
				.port = s->port->name, .old_state = bfd_state_name(out->old_state),
				.new_state = bfd_state_name(out->new_state),
				.diag = bfd_diag_name(out->diag), .detect_us = (uint32_t)out->detect_us,
				.logged = true,
			};

			alert_emit(d->alert, &ev, now);
		}
		if (out->new_state == BFD_STATE_UP)
			s->ever_up = true;
		redundancy_check(d, s->peer, now);
	}
	/*
	 * Routes first: when a peer sees our answer to its AdminDown, our
	 * traffic has already left the port (drain relies on that).
	 */
	if (out->state_changed && !s->port->lan) {
		peer_update(d, peer_of(d, s->peer), now);
		mtu_check_port_peer(d, s->port, s->peer, now);
	}
	if (out->send)
		sess_send(d, s, now);
}

/*
 * A session's socket keeps its route (connect): no route lookup per packet,
 * a tenth of the daemon's CPU time at 10 ms.  MTU probes stay unconnected
 * (a few per second).  Until it succeeds (IPv6 needs the probe route first)
 * packets are sent with their address, as they always may be.
 */
static void sess_connect(struct mr_sess *s)
{
	int err;

	if (s->connected || s->mtu || s->fd < 0)
		return;
	err = net_tx_connect(s->fd, &s->remote, BFD_PORT_CONTROL);
	s->connected = err == 0;
	if (err)
		log_debug("%s: transmit socket not connected yet: %s", s->port->name, strerror(-err));
}

/*
 * IPv6 finds no route to a peer on a port that carries none (unlike IPv4,
 * which assumes on-link for a socket bound to a device): give our marked
 * BFD sockets one, in the probe table.  Replace is idempotent, and the
 * kernel drops it with the port, so it is simply re-asserted on resync.
 */
static void probe_route(struct mr_daemon *d, struct mr_sess *s)
{
	if (s->local.family != AF_INET6 || s->fd < 0 || s->port->ifindex <= 0 || !d->nl)
		return;
	if (!d->probe_rule && nl_probe_rule(d->nl, AF_INET6, true) == 0)
		d->probe_rule = true;
	if (nl_probe_route_replace(d->nl, AF_INET6, s->remote.bytes, s->port->ifindex,
				   (uint32_t)s->port->ifindex) == 0)
		sess_connect(s);
}

static void probe_routes_sync(struct mr_daemon *d)
{
	int i;

	for (i = 0; i < d->nsess; i++)
		probe_route(d, &d->sess[i]);
}

static void sess_open(struct mr_daemon *d, struct mr_sess *s)
{
	int fd;

	if (s->fd >= 0 || s->port->ifindex <= 0)
		return;
	fd = net_tx_open(s->local.family, &s->local, s->port->ifindex, &s->sport);
	if (fd < 0) {
		log_warnx("%s via %s: no transmit socket; the session stays Down",
			  peer_name(d, s->peer), s->port->name);
		return;
	}
	if (s->mtu && net_tx_dont_fragment(fd, s->local.family) < 0) {
		/* Probes that may be fragmented prove nothing: stay silent (verdict failed). */
		log_warnx("%s via %s: cannot set Don't Fragment; no MTU probes",
			  peer_name(d, s->peer), s->port->name);
		close(fd);
		return;
	}
	s->fd = fd;
	probe_route(d, s);
	sess_connect(s);
}

static void sess_close(struct mr_sess *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->connected = false;
}

static bool discr_used(const struct mr_sess *arr, int n, uint32_t v)
{
	int i;

	for (i = 0; i < n; i++)
		if (arr[i].bfd.local_discr == v)
			return true;
	return false;
}

/* A random, nonzero discriminator unused by both session sets (RFC 5880 §6.8.1). */
static uint32_t new_discr(const struct mr_daemon *d, const struct mr_sess *other, int nother)
{
	uint32_t v;

	do {
		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			v = (uint32_t)mtime_now() ^ (uint32_t)getpid();
	} while (v == 0 || v == MTU_BOOTSTRAP_DISCR || discr_used(d->sess, d->nsess, v) ||
		 discr_used(other, nother, v) ||
		 discr_used(d->msess, d->nmsess, v));
	return v;
}

static void sess_params(const struct mr_config *cfg, bool lan, struct bfd_session_params *p)
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

/* A new session in arr[*n] on `port` to node `peer` of cfg. */
static void sess_new(struct mr_daemon *d, const struct mr_config *cfg, int self,
		     struct mr_sess *arr, int *n, struct mr_port *port, bool lan, int peer,
		     int fam, mtime_t now)
{
	struct bfd_session_params params;
	struct mr_sess *s = &arr[*n];

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->port = port;
	s->peer = peer;
	s->local = *node_addr(&cfg->nodes[self], fam);
	s->remote = *node_addr(&cfg->nodes[peer], fam);
	sess_params(cfg, lan, &params);
	bfd_session_init(&s->bfd, &params, new_discr(d, arr, *n), new_discr(d, arr, *n), now);
	auth_state_init(&s->auth, new_discr(d, arr, *n));
	s->loss_permille = s->loss_to_permille = -1;
	(*n)++;
}

static int sessions_create(struct mr_daemon *d, mtime_t now)
{
	int i, n, f, count = 0;

	d->sess = calloc((size_t)(d->nports * d->cfg.nnodes * MR_NFAM), sizeof(*d->sess));
	if (!d->sess)
		return -ENOMEM;
	d->nsess = 0;
	for (i = 0; i < d->nports; i++)
		for (n = 0; n < d->cfg.nnodes; n++)
			for (f = 0; f < MR_NFAM; f++)
				if (n != d->self && fam_in_use(d, n, f))
					sess_new(d, &d->cfg, d->self, d->sess, &count, &d->ports[i],
						 d->ports[i].lan, n, f, now);
	d->nsess = count;
	for (i = 0; i < d->nsess; i++)
		sess_open(d, &d->sess[i]);
	return 0;
}

/* ---- ports ---- */

/* ARP/ND retries on fast ports: as often as idle probes go out, 10 ms..1 s. */
static unsigned neigh_retrans_ms(const struct mr_config *cfg)
{
	unsigned ms = cfg->idle_interval_us / 1000;

	return ms < 10 ? 10 : ms > 1000 ? 1000 : ms;
}

static void port_lost(struct mr_daemon *d, struct mr_port *port, mtime_t now, bool gone)
{
	struct bfd_output out;
	int i;

	for (i = 0; i < d->nsess; i++) {
		struct mr_sess *s = &d->sess[i];

		if (s->port != port)
			continue;
		bfd_session_path_down(&s->bfd, now, &out);
		out.send = false;	/* nothing can leave a port without carrier */
		sess_output(d, s, &out, now);
		if (gone)
			sess_close(s);
	}
	mtu_port_lost(d, port, now, gone);
	/* Routes over a port that went down administratively are flushed by the
	 * kernel without a notification (IPv4): our view of them is stale. */
	for (i = 0; i < d->cfg.nnodes; i++) {
		int f, j;

		for (f = 0; f < MR_NFAM; f++) {
			struct mr_route *rt = &d->peers[i].rt[f];

			for (j = 0; j < rt->installed.noif; j++)
				if (rt->installed.oif[j] == port->ifindex)
					rt->installed_known = false;
		}
	}
	for (i = 0; i < d->cfg.nnodes; i++)
		if (i != d->self)
			peer_update(d, &d->peers[i], now);
}

static void on_link(void *arg, const struct nl_link *l, bool deleted)
{
	struct mr_daemon *d = arg;
	struct mr_port *port = port_by_name(d, l->name);
	mtime_t now = mtime_now();
	bool carrier = l->up && l->carrier;
	int i;

	if (!port) {
		/* A port renamed away from one of our names. */
		port = port_by_ifindex(d, l->ifindex);
		if (!port)
			return;
		log_warnx("port %s is now called %s: taken out of service", port->name, l->name);
		deleted = true;
	}
	if (deleted) {
		if (port->ifindex != l->ifindex)
			return;
		log_warnx("port %s disappeared", port->name);
		port->carrier = false;
		port_lost(d, port, now, true);
		port->ifindex = 0;
		return;
	}
	if (port->ifindex != l->ifindex) {
		if (port->ifindex > 0) {
			log_warnx("port %s re-created (ifindex %d -> %d)", port->name,
				  port->ifindex, l->ifindex);
			port->carrier = false;
			port_lost(d, port, now, true);
		} else {
			log_info("port %s present (ifindex %d)", port->name, l->ifindex);
		}
		port->ifindex = l->ifindex;
		sysctl_prepare_port(port->name, !port->lan, d->cfg.set_sysctl,
				    neigh_retrans_ms(&d->cfg));
		for (i = 0; i < d->nsess; i++)
			if (d->sess[i].port == port)
				sess_open(d, &d->sess[i]);
		for (i = 0; i < d->nmsess; i++)
			if (d->msess[i].port == port)
				sess_open(d, &d->msess[i]);
	}
	if (port->carrier && !carrier) {
		log_notice("port %s: carrier lost", port->name);
		port->carrier = false;
		port_lost(d, port, now, false);
	} else if (!port->carrier && carrier) {
		log_notice("port %s: carrier up", port->name);
		port->carrier = true;
		/* Both ends see the carrier at once: probe now, not at the next idle tick. */
		for (i = 0; i < d->nsess; i++) {
			if (d->sess[i].port != port)
				continue;
			/* An admin down flushed the IPv6 probe route with the port. */
			probe_route(d, &d->sess[i]);
			nl_neigh_delete(d->nl, d->sess[i].remote.family, d->sess[i].remote.bytes,
					port->ifindex);
			bfd_session_kick(&d->sess[i].bfd, now);
		}
		for (i = 0; i < d->nmsess; i++)
			if (d->msess[i].port == port)
				bfd_session_kick(&d->msess[i].bfd, now);
	}
	mtu_port_link(d, port, l->mtu, now);
}

static void on_route(void *arg, const struct nl_route *r, bool deleted)
{
	struct mr_daemon *d = arg;
	mtime_t now = mtime_now();
	int n;

	int fam = mr_fam(r->family);

	if (r->protocol != MR_RTPROT || r->table != 254 /* RT_TABLE_MAIN */ ||
	    (r->family != AF_INET && r->family != AF_INET6) || r->dst_len != (fam ? 128 : 32))
		return;
	for (n = 0; n < d->cfg.nnodes; n++) {
		const struct mr_addr *a = node_addr(&d->cfg.nodes[n], fam);
		struct mr_route *rt = &d->peers[n].rt[fam];
		struct path_result seen = { .noif = 0, .recheck_at = MTIME_NEVER };
		int i;

		if (n == d->self || a->family != r->family ||
		    memcmp(a->bytes, r->dst, fam ? 16 : 4) != 0)
			continue;
		if (!deleted) {
			for (i = 0; i < r->noif; i++)
				path_add_oif(&seen, r->oif[i]);
			relay_route_seen(d, r, &seen);
		}
		if (rt->installed_known && path_equal(&rt->installed, &seen))
			return;
		if (deleted)
			log_warnx("%s: our route was removed by someone else", d->cfg.nodes[n].name);
		rt->installed = seen;
		rt->installed_known = true;
		peer_update(d, &d->peers[n], now);
		return;
	}
}

static void on_addr(void *arg, const struct nl_addr *a, bool deleted)
{
	(void)arg;
	(void)a;
	(void)deleted;
}

static const struct nl_handlers handlers_template = {
	.link = on_link,
	.route = on_route,
	.addr = on_addr,
};

static void resync(struct mr_daemon *d);

/* Dump callbacks only collect: a command sent mid-dump would interleave with it. */
#define COLLECT_MAX 256
struct collected {
	struct nl_route routes[COLLECT_MAX];
	struct nl_link links[COLLECT_MAX];
	int nroutes, nlinks;
	bool truncated;
};

static void collect_route(void *arg, const struct nl_route *r, bool deleted)
{
	struct collected *c = arg;

	if (deleted)
		return;
	if (c->nroutes == COLLECT_MAX) {
		c->truncated = true;
		return;
	}
	c->routes[c->nroutes++] = *r;
}

static void collect_link(void *arg, const struct nl_link *l, bool deleted)
{
	struct collected *c = arg;

	if (deleted)
		return;
	if (c->nlinks == COLLECT_MAX) {
		c->truncated = true;
		return;
	}
	c->links[c->nlinks++] = *l;
}

/* Full resync of links and of our routes: at start, periodically, after ENOBUFS. */
static void resync(struct mr_daemon *d)
{
	struct collected *c = calloc(1, sizeof(*c));
	struct nl_handlers h = { .link = collect_link, .route = collect_route, .ctx = c };
	int i;

	if (!c) {
		log_warnx("resync: out of memory");
		return;
	}
	if (nl_dump_links(d->nl, &h) < 0) {
		log_warnx("link dump failed; keeping the previous view");
	} else {
		for (i = 0; i < d->nports; i++) {
			struct mr_port *p = &d->ports[i];
			bool found = false;
			int j;

			for (j = 0; j < c->nlinks; j++) {
				if (strcmp(c->links[j].name, p->name) == 0) {
					on_link(d, &c->links[j], false);
					found = true;
				}
			}
			if (!found && p->ifindex > 0) {
				struct nl_link gone = { .ifindex = p->ifindex };

				snprintf(gone.name, sizeof(gone.name), "%s", p->name);
				on_link(d, &gone, true);
			}
		}
	}
	if (nl_dump_routes(d->nl, AF_UNSPEC, MR_RTPROT, &h) < 0) {
		log_warnx("route dump failed");
		free(c);
		return;
	}
	for (i = 0; i < d->cfg.nnodes; i++) {
		int f, j, k;

		if (i == d->self)
			continue;
		for (f = 0; f < MR_NFAM; f++) {
			const struct mr_addr *a = node_addr(&d->cfg.nodes[i], f);
			struct path_result seen = { .noif = 0, .recheck_at = MTIME_NEVER };

			for (j = 0; j < c->nroutes; j++) {
				const struct nl_route *r = &c->routes[j];

				if (r->family != a->family || r->dst_len != (f ? 128 : 32) ||
				    r->table != 254 || r->protocol != MR_RTPROT ||
				    memcmp(r->dst, a->bytes, f ? 16 : 4) != 0)
					continue;
				for (k = 0; k < r->noif; k++)
					path_add_oif(&seen, r->oif[k]);
				relay_route_seen(d, r, &seen);
			}
			d->peers[i].rt[f].installed = seen;
			d->peers[i].rt[f].installed_known = true;
		}
		peer_update(d, &d->peers[i], mtime_now());
	}
	relay_forget_routes(d);
	probe_routes_sync(d);
	free(c);
}

/* ---- MTU sessions ---- */

/*
 * Per (fast port, peer), in one family, a second BFD session whose packets
 * are padded to the port's MTU and sent with Don't Fragment (RFC 9764): its
 * handshake proves that full-size frames pass both ways, which the small
 * regular probes cannot.  The port carries traffic to the peer only while
 * both are Up (mtu.h).  These sessions live in d->msess; they transmit only
 * while the port probes and its regular session to that peer is Init or Up.
 */

/* The MTU session's bring-up takes a few of its packets: a few detection times. */
static mtime_t mtu_grace(const struct mr_daemon *d)
{
	return mtime_max(MTIME_S(1), (mtime_t)mtu_window(&d->cfg) * 4);
}

static void mtu_params(const struct mr_config *cfg, struct bfd_session_params *p)
{
	memset(p, 0, sizeof(*p));
	p->detect_mult = cfg->multiplier;
	p->desired_min_tx_us = p->required_min_rx_us = mtu_interval(cfg);
	p->idle_tx_us = mtu_interval(cfg);
}

/* IPv4 when both nodes have it, else IPv6; -1 when they share no family. */
static int mtu_fam(const struct mr_config *cfg, int self, int peer)
{
	int f;

	for (f = 0; f < MR_NFAM; f++)
		if (node_addr(&cfg->nodes[self], f)->family && node_addr(&cfg->nodes[peer], f)->family)
			return f;
	return -1;
}

static struct mr_sess *mtu_sess_of(struct mr_daemon *d, const struct mr_port *port, int peer)
{
	int i;

	for (i = 0; i < d->nmsess; i++)
		if (d->msess[i].port == port && d->msess[i].peer == peer)
			return &d->msess[i];
	return NULL;
}

/* The regular session of the MTU session's family: what the verdict is about. */
static const struct mr_sess *mtu_regular(const struct mr_daemon *d, const struct mr_sess *m)
{
	int i;

	for (i = 0; i < d->nsess; i++)
		if (d->sess[i].port == m->port && d->sess[i].peer == m->peer &&
		    d->sess[i].local.family == m->local.family)
			return &d->sess[i];
	return NULL;
}

static void mtu_input_of(const struct mr_daemon *d, const struct mr_sess *m,
			 const struct mr_sess *reg, struct mtu_input *in)
{
	memset(in, 0, sizeof(*in));
	/*
	 * AdminDown is probing switched off: ours (also while we still tell
	 * the peer), or the peer's (a reload to mtu-probe = off), which gets no
	 * verdict rather than a link out until our own reload.
	 */
	in->probe = m->pad_to > 0 && m->bfd.state != BFD_STATE_ADMIN_DOWN && !m->peer_stopped;
	in->reg_up = reg && reg->bfd.state == BFD_STATE_UP;
	in->reg_up_since = reg ? reg->up_since : 0;
	in->mtu_up = m->bfd.state == BFD_STATE_UP;
	in->mtu_up_since = m->up_since;
	in->mtu_lost_at = m->mtu_lost_at;
	in->probe_since = m->probe_since;
	in->grace = mtu_grace(d);
}

static void mtu_candidate(struct mr_daemon *d, const struct mr_sess *s, mtime_t now,
			  bool in_service, bool *up, mtime_t *up_since)
{
	struct mr_sess *m = mtu_sess_of(d, s->port, s->peer);
	struct mtu_input in;

	if (!m)
		return;
	mtu_input_of(d, m, s, &in);
	mtu_gate(&in, now, in_service, up, up_since);
}

/* The peer's largest padded probe that reached us lately, 0 if none. */
static unsigned mtu_passes(const struct mr_daemon *d, const struct mr_sess *m, mtime_t now)
{
	return mtu_passes_now(m->passes, m->passes_at, now, mtu_window(&d->cfg));
}

/* Reports a changed verdict: a log line each time, an alert for failed and its end. */
static void mtu_check(struct mr_daemon *d, struct mr_sess *m, mtime_t now)
{
	struct mtu_input in;
	enum mtu_verdict v, old = (enum mtu_verdict)m->verdict;
	char diag[96], addr[64];

	mtu_input_of(d, m, mtu_regular(d, m), &in);
	v = mtu_judge(&in, now, &m->verdict_recheck);
	if (v == old)
		return;
	m->verdict = (uint8_t)v;
	d->next_metrics = mtime_min(d->next_metrics, now + MTIME_S(1));
	/* A grace that ran out, or a verdict that moves the traffic. */
	peer_update(d, peer_of(d, m->peer), now);
	mr_addr_str(&m->remote, addr, sizeof(addr));
	if (v == MTU_FAILED || (old == MTU_FAILED && v == MTU_OK)) {
		struct alert_event ev = {
			.event = v == MTU_FAILED ? "mtu-failed" : "mtu-ok",
			.node = self_node(d)->name, .peer = peer_name(d, m->peer),
			.peer_address = addr, .port = m->port->name,
			.old_state = mtu_verdict_name(old), .new_state = mtu_verdict_name(v),
			.diag = v == MTU_FAILED ? mtu_diag(m->pad_to, mtu_passes(d, m, now), diag,
							   sizeof(diag)) : "", .logged = true,
		};

		if (v == MTU_FAILED)
			log_notice("%s on %s: %s: not used for traffic to %s", ev.peer, ev.port,
				   ev.diag, ev.peer);
		else
			log_notice("%s on %s: MTU %u passes again", ev.peer, ev.port, m->pad_to);
		alert_emit(d->alert, &ev, now);
		return;
	}
	/* off, unknown and pending are every candidate's lot at start: only debug. */
	if (old == MTU_OK || old == MTU_FAILED || v == MTU_OK)
		log_info("%s (%s) on %s: MTU verdict %s -> %s", peer_name(d, m->peer), addr,
			 m->port->name, mtu_verdict_name(old), mtu_verdict_name(v));
	else
		log_debug("%s (%s) on %s: MTU verdict %s -> %s", peer_name(d, m->peer), addr,
			  m->port->name, mtu_verdict_name(old), mtu_verdict_name(v));
}

/*
 * After a state change of either session of (port, peer).  The regular
 * session just found its peer: start the MTU handshake now rather than at
 * the next (slow) MTU interval, so that both are Up within a few round trips
 * and the hold-down, counted from the later, is not stretched.
 */
static void mtu_check_port_peer(struct mr_daemon *d, const struct mr_port *port, int peer,
				mtime_t now)
{
	struct mr_sess *m = mtu_sess_of(d, port, peer);

	if (!m)
		return;
	if (m->pad_to && port->active[peer] > 0)
		bfd_session_kick(&m->bfd, now);
	mtu_check(d, m, now);
}

/*
 * An MTU session left Up.  While the small probes still pass, that is a
 * failure of the link (damped like one); with them it is counted once, by
 * the regular session.
 */
static void mtu_sess_left_up(struct mr_daemon *d, struct mr_sess *m, const struct bfd_output *out,
			     mtime_t now)
{
	bool reg_up = false;
	int i;

	m->mtu_lost_at = now;
	/* Our AdminDown or the peer's: probing switched off, not a failure. */
	if (out->new_state != BFD_STATE_DOWN || m->bfd.remote_state == BFD_STATE_ADMIN_DOWN)
		return;
	for (i = 0; i < d->nsess; i++)
		reg_up |= d->sess[i].port == m->port && d->sess[i].peer == m->peer &&
			  d->sess[i].bfd.state == BFD_STATE_UP;
	if (!reg_up)
		return;
	m->flaps++;
	for (i = 0; i < d->nsess; i++)
		if (d->sess[i].port == m->port && d->sess[i].peer == m->peer)
			damp_flap(&d->sess[i].damp, now, damp_half_life(d));
}

static int mtu_send(struct mr_sess *m, const uint8_t *buf, size_t len)
{
	size_t total = mtu_payload_len(m->local.family, m->pad_to, len);

	/* Unpadded it would pass for a regular probe. */
	if (total <= len)
		return -EMSGSIZE;
	return net_send_padded(m->fd, &m->remote, BFD_PORT_CONTROL, buf, len, total);
}

/* A new MTU session in arr[*n]: AdminDown (silent) until its port probes. */
static void mtu_sess_new(struct mr_daemon *d, const struct mr_config *cfg, int self,
			 struct mr_sess *arr, int *n, struct mr_port *port, int peer, int fam,
			 mtime_t now)
{
	struct bfd_session_params params;
	struct bfd_output out;
	struct mr_sess *m = &arr[*n];

	sess_new(d, cfg, self, arr, n, port, false, peer, fam, now);
	mtu_params(cfg, &params);
	bfd_session_init(&m->bfd, &params, m->bfd.local_discr, new_discr(d, arr, *n), now);
	bfd_session_admin_down(&m->bfd, BFD_DIAG_ADMIN_DOWN, now, &out);
	m->mtu = true;
}

static int mtu_sessions_create(struct mr_daemon *d, mtime_t now)
{
	int i, n, f, count = 0;

	d->msess = calloc((size_t)(d->nports * d->cfg.nnodes), sizeof(*d->msess));
	if (!d->msess)
		return -ENOMEM;
	d->nmsess = 0;
	for (i = 0; i < d->nports; i++)
		for (n = 0; n < d->cfg.nnodes; n++)
			if (!d->ports[i].lan && n != d->self &&
			    (f = mtu_fam(&d->cfg, d->self, n)) >= 0)
				mtu_sess_new(d, &d->cfg, d->self, d->msess, &count, &d->ports[i], n,
					     f, now);
	d->nmsess = count;
	for (i = 0; i < d->nmsess; i++)
		sess_open(d, &d->msess[i]);
	return 0;
}

/* Probing on or off, or a new size, after the port's MTU or the config changed. */
static void mtu_port_eval(struct mr_daemon *d, struct mr_port *port, mtime_t now)
{
	bool want, logged = false;
	unsigned size;
	int i;

	if (port->lan)
		return;
	port->was_jumbo |= port->mtu > MTU_ETHERNET;
	want = mtu_probe_wanted(d->cfg.mtu_probe, port->mtu, port->was_jumbo);
	size = want ? port->mtu : 0;
	for (i = 0; i < d->nmsess; i++) {
		struct mr_sess *m = &d->msess[i];
		struct bfd_output out;
		unsigned old = m->pad_to;

		if (m->port != port || old == size)
			continue;
		if (!logged)
			log_notice("port %s: MTU %u: %s", port->name, port->mtu,
				   !size ? "padded BFD probes off" : old ? "padded BFD probes resized" :
				   "padded BFD probes on");
		logged = true;
		if (!old) {
			m->pad_to = size;
			m->probe_since = now;
			bfd_session_admin_up(&m->bfd, now, &out);
			sess_output(d, m, &out, now);
		} else if (!size) {
			/* Tells the peer (while still padded, twice: one may be lost), then falls silent. */
			bfd_session_admin_down(&m->bfd, BFD_DIAG_ADMIN_DOWN, now, &out);
			sess_output(d, m, &out, now);
			if (m->bfd.remote_discr)
				sess_send(d, m, now);
			m->pad_to = 0;
		} else {
			m->pad_to = size;
		}
		mtu_check(d, m, now);
		peer_update(d, peer_of(d, m->peer), now);
	}
}

static void mtu_port_link(struct mr_daemon *d, struct mr_port *port, unsigned mtu, mtime_t now)
{
	if (mtu == 0 || mtu == port->mtu)
		return;
	port->mtu = mtu;
	mtu_port_eval(d, port, now);
}

static void mtu_port_lost(struct mr_daemon *d, struct mr_port *port, mtime_t now, bool gone)
{
	int i;

	for (i = 0; i < d->nmsess; i++) {
		struct mr_sess *m = &d->msess[i];
		struct bfd_output out;

		if (m->port != port)
			continue;
		bfd_session_path_down(&m->bfd, now, &out);
		out.send = false;
		sess_output(d, m, &out, now);
		if (gone)
			sess_close(m);
	}
}

static void mtu_timers(struct mr_daemon *d, mtime_t now)
{
	int i;

	for (i = 0; i < d->nmsess; i++) {
		struct mr_sess *m = &d->msess[i];
		struct bfd_output out;

		if (bfd_session_next_event(&m->bfd) <= now) {
			bfd_session_timer(&m->bfd, now, &out);
			sess_output(d, m, &out, now);
		}
		if (m->verdict_recheck <= now)
			mtu_check(d, m, now);
	}
}

static mtime_t mtu_next_deadline(const struct mr_daemon *d)
{
	mtime_t t = MTIME_NEVER;
	int i;

	for (i = 0; i < d->nmsess; i++) {
		const struct mr_sess *m = &d->msess[i];

		if (!sess_idle(d, m))
			t = mtime_min(t, bfd_session_next_event(&m->bfd));
		t = mtime_min(t, m->verdict_recheck);
	}
	return t;
}

static void mtu_shutdown(struct mr_daemon *d, mtime_t now)
{
	int i;

	for (i = 0; i < d->nmsess; i++) {
		struct mr_sess *m = &d->msess[i];
		struct bfd_output out;

		bfd_session_admin_down(&m->bfd, BFD_DIAG_ADMIN_DOWN, now, &out);
		if (m->fd >= 0 && m->bfd.remote_discr && m->pad_to) {
			sess_send(d, m, now);
			sess_send(d, m, now);
		}
		sess_close(m);
	}
	free(d->msess);
	d->msess = NULL;
	d->nmsess = 0;
}

/*
 * Reload: the MTU sessions of the new config, ports at the same index as in
 * nports (d->ports receives them); unchanged (port, peer, addresses) keep
 * running, the others are told AdminDown.  NULL when out of memory.
 */
static struct mr_sess *mtu_reload(struct mr_daemon *d, const struct mr_config *ncfg, int nself,
				  const struct mr_port *nports, int nn, int *count, mtime_t now)
{
	struct mr_sess *arr = calloc((size_t)(nn * ncfg->nnodes) + 1, sizeof(*arr));
	struct bfd_session_params params;
	int i, n, f, k;

	*count = 0;
	mtu_params(ncfg, &params);
	for (i = 0; i < nn; i++) {
		for (n = 0; n < ncfg->nnodes; n++) {
			struct mr_sess *old = NULL;

			if (!arr || nports[i].lan || n == nself || (f = mtu_fam(ncfg, nself, n)) < 0)
				continue;
			for (k = 0; k < d->nmsess && !old; k++) {
				struct mr_sess *o = &d->msess[k];

				if (o->fd != -2 && strcmp(o->port->name, nports[i].name) == 0 &&
				    strcmp(d->cfg.nodes[o->peer].name, ncfg->nodes[n].name) == 0 &&
				    mr_addr_eq(&o->remote, node_addr(&ncfg->nodes[n], f)) &&
				    mr_addr_eq(&o->local, node_addr(&ncfg->nodes[nself], f)))
					old = o;
			}
			if (!old) {
				mtu_sess_new(d, ncfg, nself, arr, count, &d->ports[i], n, f, now);
				continue;
			}
			arr[*count] = *old;
			old->fd = -2;
			arr[*count].port = &d->ports[i];
			arr[*count].peer = n;
			if (!params_equal(&params, &arr[*count].bfd.params)) {
				struct bfd_output o;

				bfd_session_set_params(&arr[*count].bfd, &params, now, &o);
			}
			(*count)++;
		}
	}
	for (k = 0; k < d->nmsess; k++) {
		struct mr_sess *o = &d->msess[k];
		struct bfd_output o_;

		if (o->fd == -2)
			continue;
		bfd_session_admin_down(&o->bfd, BFD_DIAG_ADMIN_DOWN, now, &o_);
		if (o->fd >= 0 && o->bfd.remote_discr && o->pad_to)
			sess_send(d, o, now);
		sess_close(o);
	}
	return arr;
}

/* After a reload's swap: the carried and new MTU sessions in place, probing re-evaluated. */
static void mtu_reload_apply(struct mr_daemon *d, struct mr_sess *arr, int count, mtime_t now)
{
	int i;

	free(d->msess);
	d->msess = arr;
	d->nmsess = count;
	for (i = 0; i < d->nmsess; i++)
		sess_open(d, &d->msess[i]);
	for (i = 0; i < d->nports; i++)
		mtu_port_eval(d, &d->ports[i], now);
}

/* ---- packet reception ---- */

static void drop(struct mr_daemon *d, int reason, const struct net_msg *m, const char *detail)
{
	char src[64];
	unsigned supp = 0;

	d->drops[reason]++;
	if (!log_ratelimit_ok(&d->rl_drop, &supp))
		return;
	log_info("dropped BFD packet from %s on ifindex %d: %s%s%s", mr_addr_str(&m->src, src,
		 sizeof(src)), m->ifindex, mr_drop_name(reason), detail ? ": " : "",
		 detail ? detail : "");
	if (supp)
		log_info("(%u more dropped packets not logged)", supp);
}

/*
 * The session of arr[n] a packet is for: by (port, source) when by_source,
 * else by Your Discriminator (and then it must come from that session's
 * port and peer).
 */
static struct mr_sess *demux_in(struct mr_sess *arr, int n, const struct net_msg *m,
				const struct bfd_packet *pkt, bool by_source, int *reason)
{
	int i;

	for (i = 0; i < n; i++) {
		struct mr_sess *s = &arr[i];

		if (!by_source) {
			if (s->bfd.local_discr != pkt->your_discr)
				continue;
			/* Our discriminator from elsewhere: a moved cable or a forgery. */
			if (s->port->ifindex != m->ifindex || !mr_addr_eq(&s->remote, &m->src)) {
				*reason = MR_DROP_WRONG_PORT;
				return NULL;
			}
			return s;
		}
		if (s->port->ifindex == m->ifindex && mr_addr_eq(&s->remote, &m->src))
			return s;
	}
	*reason = MR_DROP_NO_SESSION;
	return NULL;
}

/*
 * Two sessions may share (port, peer): the regular one and the MTU one.
 * The MTU session has its own discriminator, and takes the padded packets
 * (RFC 9764) that do not know it yet (mtu.h: MTU_BOOTSTRAP_DISCR);
 * everything else is the regular one's.
 */
static struct mr_sess *sess_demux(struct mr_daemon *d, const struct net_msg *m,
				  const struct bfd_packet *pkt, int *reason)
{
	bool padded = bfd_padded(pkt, m->len);
	bool by_source = mtu_demux_by_source(pkt->your_discr, padded);
	struct mr_sess *s;

	if (pkt->your_discr) {
		s = demux_in(d->msess, d->nmsess, m, pkt, padded && by_source, reason);
		if (s || *reason == MR_DROP_WRONG_PORT || (padded && by_source))
			return s;
	}
	return demux_in(d->sess, d->nsess, m, pkt, !pkt->your_discr, reason);
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
static mtime_t rx_arrival(const struct net_msg *m, mtime_t now)
{
	return m->rx_at > 0 && m->rx_at <= now && now - m->rx_at <= RX_STAMP_TRUST ? m->rx_at : now;
}

/* One received datagram, from checks to the session's state machine. */
static void rx_one(struct mr_daemon *d, const struct net_msg *m, mtime_t now)
{
	struct bfd_packet pkt;
	struct bfd_output out;
	struct mr_sess *s;
	mtime_t at;
	int err, reason, ar;

	d->rx_queued_max = mtime_max(d->rx_queued_max, m->rx_delay - d->rx_allow);
	err = bfd_decode(m->buf, m->len, &pkt);
	if (err != BFD_DECODE_OK) {
		d->drop_decode[err < BFD_DECODE_ERR_MAX ? err : 0]++;
		drop(d, MR_DROP_DECODE, m, bfd_decode_strerror(err));
		return;
	}
	/* RFC 5881 §5: single hop means nobody routed it to us. */
	if (m->ttl != 255) {
		drop(d, MR_DROP_TTL, m, NULL);
		return;
	}
	s = sess_demux(d, m, &pkt, &reason);
	if (!s) {
		drop(d, reason, m, NULL);
		return;
	}
	/* §6.8.6: authentication before anything of the packet is believed. */
	auth_state_expire(&s->auth, now, bfd_session_detect_time(&s->bfd));
	ar = auth_verify(&d->keys, &s->auth, &pkt, m->buf, m->len, now);
	if (ar != AUTH_OK) {
		d->drop_auth[ar]++;
		drop(d, MR_DROP_AUTH, m, auth_result_str(ar));
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
	if (pkt.auth_present && auth_counts_packets(&d->keys)) {
		s->seq_valid = true;
		s->seq_key = pkt.my_discr;
		s->seq_last = pkt.auth.seq;
		s->seq_rcvd = s->lrx.count;
		s->seq_at = m->rx_at;
	}
	at = rx_arrival(m, now);
	if (bfd_session_rx(&s->bfd, &pkt, at, now, &out) < 0) {
		d->drops[MR_DROP_ADMIN_DOWN]++;
		return;
	}
	s->rx_packets++;
	if (s->mtu && bfd_padded(&pkt, m->len)) {
		s->passes = mtu_ip_size(m->src.family, m->len);
		/* On the detection timer's clock: "lately" ends when the session times out. */
		s->passes_at = at;
	}
	sess_output(d, s, &out, now);
}

/*
 * Drains one receive socket, a batch per system call (recvmmsg); a short
 * batch means the queue is empty, so no further call just to hear EAGAIN.
 * A budget keeps timers on time during a flood.  Returns true when the
 * socket is empty (then nothing queued can be older than the detection
 * timers about to be judged).
 */
static bool rx_drain(struct mr_daemon *d, int fd)
{
	static struct net_msg batch[NET_RECV_BATCH];
	int budget = 256, got, i;

	while (budget > 0) {
		mtime_t now;

		got = net_recv_many(fd, batch, NET_RECV_BATCH);
		if (got == -EAGAIN || got == -EWOULDBLOCK)
			return true;
		if (got < 0) {
			errno = -got;
			log_warn("receive BFD packet");
			return true;
		}
		/* One clock read per batch: every datagram in it had arrived by now. */
		now = mtime_now();
		for (i = 0; i < got; i++)
			rx_one(d, &batch[i], now);
		if (got < NET_RECV_BATCH)
			return true;
		budget -= got;
	}
	return false;
}

/*
 * Before any detection timer is judged, every probe that arrived by now must
 * have been read: after a stall (a busy host, SIGSTOP) the socket holds the
 * proof that the peers never went silent, more than one wake-up's budget of
 * it.  Bounded, so that a flood cannot keep the timers from running.
 */
#define RX_CATCH_UP MTIME_MS(20)
static void rx_catch_up(struct mr_daemon *d)
{
	mtime_t start = mtime_now();
	bool empty4, empty6;

	/* Coalesced, a probe waits up to one read-to-read gap by design: not lateness. */
	d->rx_allow = d->rx_lazy && d->rx_read_at ? start - d->rx_read_at : 0;
	do {
		empty4 = d->rx4.fd < 0 || rx_drain(d, d->rx4.fd);
		empty6 = d->rx6.fd < 0 || rx_drain(d, d->rx6.fd);
	} while (!(empty4 && empty6) && mtime_now() - start < RX_CATCH_UP);
	d->rx_allow = 0;
	if (empty4 && empty6)
		d->rx_read_at = start;
}

/*
 * Coalesced receive (rx-coalesce = yes, docs/DESIGN.md).  When a session
 * sends every RX_LAZY_MAX or faster, the daemon wakes up that often anyway;
 * being woken by every arriving probe as well doubles its wake-ups, and each
 * arrival that wakes it makes the sender's kernel wake another CPU (on a VM,
 * an exit to the hypervisor): together most of the daemon's CPU time.  So
 * the receive sockets then leave the epoll set and are read on every
 * wake-up, at most RX_LAZY_MAX after the previous one ended.  Detection
 * timers are judged only after that read (fire_timers), so no probe is too
 * late for them; what may wait up to RX_LAZY_MAX is acting on what the
 * peer says (its Down after a one-way failure, a Poll).  Slower timers keep
 * the immediate wake-up: there it would cost more latency and save less.
 */
#define RX_LAZY_MAX MTIME_MS(10)

static bool rx_lazy_wanted(const struct mr_daemon *d)
{
	int i;

	if (!d->cfg.rx_coalesce)
		return false;
	for (i = 0; i < d->nsess; i++) {
		const struct bfd_session *b = &d->sess[i].bfd;

		if (b->next_tx != MTIME_NEVER && bfd_session_tx_interval(b) <= RX_LAZY_MAX)
			return true;
	}
	return false;
}

static void rx_mode_update(struct mr_daemon *d, mtime_t now)
{
	bool lazy = rx_lazy_wanted(d);
	int err = 0;

	if (lazy == d->rx_lazy || (!lazy && now < d->rx_mode_retry_at))
		return;
	if (lazy) {
		loop_del(&d->loop, &d->rx4);
		if (d->rx6.fd >= 0)
			loop_del(&d->loop, &d->rx6);
		d->rx_read_at = now;
		d->rx_next_read = now + RX_LAZY_MAX;
	} else {
		err = loop_add(&d->loop, &d->rx4, EPOLLIN);
		if (!err && d->rx6.fd >= 0 && (err = loop_add(&d->loop, &d->rx6, EPOLLIN)) < 0)
			loop_del(&d->loop, &d->rx4);
		if (err) {
			/*
			 * Stay coalesced: reads every RX_LAZY_MAX still happen.
			 * Retried once a second, not on every wake-up (and log line).
			 */
			log_warnx("receive sockets stay read every %d ms", (int)(RX_LAZY_MAX / 1000));
			d->rx_mode_retry_at = now + MTIME_S(1);
			return;
		}
		/* Whatever came since the last read would wake nobody: read it now. */
		d->rx_backlog = true;
	}
	d->rx_lazy = lazy;
	log_debug("probes read %s", lazy ? "on the daemon's own wake-ups (rx-coalesce)" :
		  "as they arrive");
}

static void on_rx4(void *arg, uint32_t events)
{
	struct mr_daemon *d = arg;

	(void)events;
	if (!rx_drain(d, d->rx4.fd))
		d->rx_backlog = true;
}

static void on_rx6(void *arg, uint32_t events)
{
	struct mr_daemon *d = arg;

	(void)events;
	if (!rx_drain(d, d->rx6.fd))
		d->rx_backlog = true;
}

static void on_netlink(void *arg, uint32_t events)
{
	struct mr_daemon *d = arg;
	struct nl_handlers h = handlers_template;
	int err;

	(void)events;
	h.ctx = d;
	err = nl_monitor_read(d->nl, &h);
	if (err == -ENOBUFS) {
		log_warnx("netlink events were lost (ENOBUFS): resynchronising from a dump");
		resync(d);
	} else if (err < 0 && err != -EAGAIN) {
		errno = -err;
		log_warn("netlink monitor");
	}
}

static void on_signal(void *arg, uint32_t events)
{
	struct mr_daemon *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(d->sig.fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %d: shutting down", si.ssi_signo);
			d->stop = true;
			break;
		case SIGHUP:
			log_info("SIGHUP: reloading %s", d->cfg.path);
			daemon_reload(d, NULL);
			break;
		default:
			break;
		}
	}
}

/* ---- start, run, stop ---- */

static int ports_init(struct mr_daemon *d)
{
	const struct mr_node *me = self_node(d);
	int i;

	d->nports = 0;
	for (i = 0; i < me->nfast; i++) {
		struct mr_port *p = &d->ports[d->nports++];

		memset(p, 0, sizeof(*p));
		memcpy(p->name, me->fast[i], sizeof(p->name));
	}
	memset(&d->ports[d->nports], 0, sizeof(d->ports[0]));
	memcpy(d->ports[d->nports].name, me->lan, sizeof(d->ports[0].name));
	d->ports[d->nports].lan = true;
	d->nports++;
	return 0;
}

static int stale_routes_remove(struct mr_daemon *d);
static void probe_routes_flush(struct mr_daemon *d);
int daemon_start(struct mr_daemon *d)
{
	sigset_t mask;
	mtime_t now = mtime_now();
	int err, i;

	d->rx4.fd = d->rx6.fd = d->nlmon.fd = d->sig.fd = -1;
	relay_init(&d->relay);
	linkmsg_init(&d->lm);
	for (i = 0; i < MR_MAX_NODES; i++)
		peer_init(&d->peers[i], i, now);
	ports_init(d);
	if (sysctl_prepare_port("all", false, d->cfg.set_sysctl, 0))
		log_warnx("host settings are not as meshroute needs them: failover may not work (see above)");

	if ((err = loop_init(&d->loop)) < 0)
		return err;
	if ((err = alert_open(&d->alert, d->cfg.alert_command, &d->loop)) < 0)
		return err;
	/* Before privileges are dropped: the socket's group is set with chown. */
	if ((err = control_open(&d->ctl, d->cfg.control_socket, &d->loop, command_run, d)) < 0) {
		log_warnx("control socket %s: %s", d->cfg.control_socket, strerror(-err));
		return err;
	}
	if ((err = nl_open(&d->nl)) < 0)
		return err;
	if ((err = stale_routes_remove(d)) < 0)
		return err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		err = -errno;
		log_warn("sigprocmask");
		return err;
	}
	d->sig.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sig.fd < 0) {
		err = -errno;
		log_warn("signalfd");
		return err;
	}
	d->sig.fn = on_signal;
	d->sig.arg = d;
	if ((err = loop_add(&d->loop, &d->sig, EPOLLIN)) < 0)
		return err;

	d->rx4.fd = net_rx_open(AF_INET, BFD_PORT_CONTROL);
	if (d->rx4.fd < 0)
		return d->rx4.fd;
	d->rx4.fn = on_rx4;
	d->rx4.arg = d;
	if ((err = loop_add(&d->loop, &d->rx4, EPOLLIN)) < 0)
		return err;
	if (self_node(d)->addr6.family == AF_INET6) {
		d->rx6.fd = net_rx_open(AF_INET6, BFD_PORT_CONTROL);
		if (d->rx6.fd < 0)
			return d->rx6.fd;
		d->rx6.fn = on_rx6;
		d->rx6.arg = d;
		if ((err = loop_add(&d->loop, &d->rx6, EPOLLIN)) < 0)
			return err;
	}

	d->nlmon.fd = nl_monitor_fd(d->nl);
	d->nlmon.fn = on_netlink;
	d->nlmon.arg = d;
	if ((err = loop_add(&d->loop, &d->nlmon, EPOLLIN)) < 0)
		return err;

	if ((err = sessions_create(d, now)) < 0)
		return err;
	if ((err = mtu_sessions_create(d, now)) < 0)
		return err;
	/* Ports and carrier as they are now; events keep it current from here. */
	resync(d);
	/* Not fatal: without it no loss is counted (logged); relay = on needs it, below. */
	linkmsg_start(d);
	if ((err = relay_start(d)) < 0)
		return err;
	for (i = 0; i < d->nports; i++)
		if (d->ports[i].ifindex == 0)
			log_warnx("port %s does not exist (yet): waiting for it", d->ports[i].name);
	d->next_resync = mtime_now() + RESYNC_INTERVAL;
	{
		uint64_t usec = 0;

		d->next_watchdog = MTIME_NEVER;
		if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
			d->watchdog_every = (mtime_t)usec / 2;
			d->next_watchdog = mtime_now() + d->watchdog_every;
		}
	}
	log_info("node %s: %d fast port(s), %d session(s), interval %u ms x %u, hold-down %u ms",
		 self_node(d)->name, d->nports - 1, d->nsess, d->cfg.interval_us / 1000,
		 d->cfg.multiplier, d->cfg.hold_down_us / 1000);
	sd_notify(0, "READY=1\nSTATUS=probing");
	return 0;
}

/* Every probe route of ours, whichever run installed it. */
static void probe_routes_flush(struct mr_daemon *d)
{
	struct collected *c = calloc(1, sizeof(*c));
	struct nl_handlers h = { .route = collect_route, .ctx = c };
	int i;

	if (!c)
		return;
	if (nl_dump_table_routes(d->nl, AF_INET6, MR_PROBE_TABLE, MR_RTPROT, &h) == 0)
		for (i = 0; i < c->nroutes; i++)
			if (c->routes[i].noif > 0)
				nl_probe_route_delete(d->nl, AF_INET6, c->routes[i].dst,
						      c->routes[i].oif[0], c->routes[i].priority);
	free(c);
}

static int stale_routes_remove(struct mr_daemon *d)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct collected *c = calloc(1, sizeof(*c));
	struct nl_handlers h = { .route = collect_route, .ctx = c };
	int err = 0, f, i;

	if (!c)
		return -ENOMEM;
	for (f = 0; f < 2; f++) {
		c->nroutes = 0;
		if ((err = nl_dump_routes(d->nl, families[f], MR_RTPROT, &h)) < 0)
			break;
		for (i = 0; i < c->nroutes; i++) {
			const struct nl_route *r = &c->routes[i];
			int e;

			if (r->protocol != MR_RTPROT || r->table != 254)
				continue;
			/* Left by an earlier run: which links work is unknown now, so the LAN it is. */
			e = nl_route_delete(d->nl, r->family, r->dst, r->dst_len);
			if (e < 0 && e != -ESRCH && e != -ENOENT)
				log_warnx("could not remove a route left by an earlier run");
			else
				log_info("removed a route left by an earlier run");
		}
	}
	free(c);
	if (err == 0)
		probe_routes_flush(d);
	return err;
}

/*
 * The metrics for node_exporter's textfile collector: written to a
 * temporary file beside it and renamed, so the collector never reads half a
 * file.  A failure is logged once until the next success.
 */
static void metrics_file_write(struct mr_daemon *d, mtime_t now)
{
	char tmp[300];
	FILE *f;
	int err = 0;

	if (!d->cfg.metrics_file[0])
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", d->cfg.metrics_file, (int)getpid());
	f = fopen(tmp, "we");
	if (!f) {
		err = errno;
	} else {
		status_metrics(d, now, f);
		/* node_exporter runs as another user; the unit's UMask would hide it. */
		if (fchmod(fileno(f), 0644) != 0 || fflush(f) != 0)
			err = errno;
		if (fclose(f) != 0 && !err)
			err = errno;
		if (!err && rename(tmp, d->cfg.metrics_file) != 0)
			err = errno;
		if (err)
			unlink(tmp);
	}
	if (err && !d->metrics_failing)
		log_warnx("metrics-file %s: %s (retrying every %d s)", d->cfg.metrics_file,
			  strerror(err), (int)(METRICS_FILE_EVERY / 1000000));
	d->metrics_failing = err != 0;
}

/*
 * Keeps the daemon's pages in RAM (lock-memory = yes), so that a host under
 * memory pressure cannot page out the probing path.  Pages allocated later
 * are locked too; they count against RLIMIT_MEMLOCK once privileges are
 * dropped, so the limit is lifted first where we may (root, or systemd's
 * LimitMEMLOCK=infinity in meshrouted.service).
 */
static void lock_memory(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	int flags = MCL_CURRENT | MCL_FUTURE;

	if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0 &&
	    (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur != RLIM_INFINITY)) {
		/* A finite limit: later allocations would fail, lock what is there. */
		log_warnx("lock-memory: RLIMIT_MEMLOCK is limited (raise it, e.g. "
			  "LimitMEMLOCK=infinity): only the memory allocated so far is locked");
		flags = MCL_CURRENT;
	}
	if (mlockall(flags) < 0)
		log_warn("lock-memory: mlockall");
	else
		log_debug("memory locked%s", flags & MCL_FUTURE ? ", also future allocations" : "");
}

/*
 * Probing at 20 ms x 3 leaves 60 ms of slack: a daemon starved that long by
 * a busy host would declare healthy links dead.  A low real-time priority
 * puts it ahead of ordinary work; it sleeps almost all the time, and the
 * kernel's RT throttling bounds it anyway.  Alert commands must not
 * inherit it (SCHED_RESET_ON_FORK).
 */
static mtime_t standby_fire(void *arg, mtime_t deadline);

static int standby_init(void *arg)
{
	return daemon_drop_privileges(arg);
}

/*
 * The standby takes over this long after a missed deadline: a tenth of
 * the interval (detection takes `multiplier` intervals), at least 0.5 ms
 * so that an ordinary wake-up's delay does not wake it, at most 2 ms.
 */
static mtime_t standby_slack(const struct mr_config *cfg)
{
	mtime_t s = cfg->interval_us / 10;

	return s < 500 ? 500 : s > MTIME_MS(2) ? MTIME_MS(2) : s;
}

void daemon_realtime(struct mr_daemon *d)
{
	struct sched_param sp = { .sched_priority = MR_RT_PRIORITY };
	struct standby_ops ops = { standby_fire, standby_init, d };
	int policy = SCHED_OTHER, err;

	if (d->cfg.lock_memory)
		lock_memory();
	if (!d->cfg.realtime)
		log_debug("normal scheduling (realtime = no)");
	else if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0)
		log_warn("cannot run at real-time priority (SCHED_FIFO %d); a busy host may "
			 "delay probes", MR_RT_PRIORITY);
	else {
		policy = SCHED_FIFO;
		log_debug("running at real-time priority SCHED_FIFO %d", MR_RT_PRIORITY);
	}
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_lock(&d->lock);
	d->loop.lock = &d->lock;
	err = standby_start(&d->standby, &d->lock, &ops, standby_slack(&d->cfg), policy,
			    MR_RT_PRIORITY);
	if (err < 0)
		log_warnx("no standby thread (%s): a kernel worker holding this CPU can delay "
			  "probes", strerror(-err));
}

int daemon_drop_privileges(struct mr_daemon *d)
{
	(void)d;
	if (geteuid() != 0)
		return 0;
	/*
	 * Routes and SO_PRIORITY 7 need CAP_NET_ADMIN for as long as we run;
	 * nothing else is needed once the sockets exist.  Files we write
	 * later (/proc/sys/net/ipv4/conf/PORT/...) are root's own, so uid 0
	 * without CAP_DAC_OVERRIDE still may.
	 */
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN) < 0 ||
	    capng_apply(CAPNG_SELECT_BOTH) < 0) {
		log_warnx("could not drop capabilities; running with all of root's");
		return -EPERM;
	}
	log_debug("capabilities dropped to CAP_NET_ADMIN");
	return 0;
}

/* The standby covers all but the main thread's own chores (fire_timers). */
static mtime_t next_deadline(struct mr_daemon *d, bool standby)
{
	mtime_t t = standby ? MTIME_NEVER : mtime_min(d->next_resync, d->next_watchdog);
	int i;

	t = mtime_min(t, d->next_loss_tick);
	t = mtime_min(t, relay_next_deadline(d));
	t = mtime_min(t, linkmsg_next_deadline(d));
	t = mtime_min(t, mtu_next_deadline(d));
	if (d->cfg.metrics_file[0] && !standby)
		t = mtime_min(t, d->next_metrics);
	t = mtime_min(t, alert_next_deadline(d->alert));
	if (!standby)
		t = mtime_min(t, control_next_deadline(d->ctl));
	for (i = 0; i < d->nsess; i++) {
		const struct mr_sess *s = &d->sess[i];

		if (sess_idle(d, s))
			continue;
		t = mtime_min(t, bfd_session_next_event(&s->bfd));
	}
	for (i = 0; i < d->cfg.nnodes; i++)
		t = mtime_min(t, peer_recheck_at(&d->peers[i]));
	if (d->rx_lazy)
		t = mtime_min(t, d->rx_next_read);
	return t;
}

/*
 * A lossy link (a dying transceiver, a bad cable) keeps BFD Up while TCP
 * collapses.  Probe loss is counted in both directions from the senders'
 * own counts (loss.h: link reports, or meticulous authentication's
 * sequence numbers), so a late sender is never a lossy link.  When the
 * trip rule fires the session is set AdminDown (diagnostic Path Down), so
 * that both ends move their traffic; its probes and the reports go on
 * being counted, and it returns once the loss has fallen below a quarter
 * of max-loss over 30 s (hysteresis), then through the normal bring-up and
 * (damped) hold-down.  Without counts nothing is judged (said once).
 */
#define LOSS_NO_COUNTS_AFTER MTIME_S(10)	/* Up this long without counts: say so */

static const char *loss_dir_text(int dir)
{
	return dir == LOSS_TO_PEER ? "of our probes to the peer" : "of the peer's probes";
}

static const char *loss_src_text(int src, int dir)
{
	if (src == LOSS_SRC_AUTH)
		return "counted from the peer's authentication sequence numbers";
	return dir == LOSS_TO_PEER ? "counted by the peer, from its link reports" :
	       "counted from the peer's link reports";
}

/* "5.7" from lost/sent: tenths of a percent, rounded down. */
static void pct_str(const struct loss_count *c, char *buf, size_t len)
{
	uint64_t pm = c->sent && c->lost > 0 ? (uint64_t)c->lost * 1000 / c->sent : 0;

	snprintf(buf, len, "%u.%u", (unsigned)(pm / 10), (unsigned)(pm % 10));
}

/* Counts from the peer lately: reports that name the session, or auth sequence numbers. */
static bool loss_counted(const struct mr_sess *s, mtime_t now)
{
	return (s->report_at && now - s->report_at <= LOSS_STALE) || loss_fresh(&s->loss_from, now);
}

void daemon_loss_check(struct mr_daemon *d, struct mr_sess *s, mtime_t now)
{
	unsigned max = d->cfg.max_loss_permille;
	struct loss_verdict v;
	struct bfd_output out;
	char addr[64], diag[48], pct[16];

	s->loss_permille = loss_permille(&s->loss_from, now);
	s->loss_to_permille = loss_permille(&s->loss_to, now);
	if (s->port->lan || s->mtu || s->port->drained)
		return;
	loss_judge(&s->loss_from, &s->loss_to, max, s->loss_out, s->loss_out_since, now, &v);
	pct_str(&v.c, pct, sizeof(pct));
	snprintf(diag, sizeof(diag), "loss %s%% %s peer", pct, v.dir == LOSS_TO_PEER ? "to" : "from");
	if (!s->loss_out && s->bfd.state == BFD_STATE_UP && v.action == LOSS_TRIP) {
		struct alert_event ev = {
			.event = "loss-high", .node = self_node(d)->name,
			.peer = peer_name(d, s->peer),
			.peer_address = mr_addr_str(&s->remote, addr, sizeof(addr)),
			.port = s->port->name, .old_state = "Up", .new_state = "AdminDown",
			.diag = diag, .logged = true,
		};

		log_notice("%s (%s) via %s: %d of %u %s lost over the last %d s (%s%%, max-loss "
			   "%u.%u%%; %s): taken out of service", ev.peer, ev.peer_address,
			   s->port->name, (int)v.c.lost, v.c.sent, loss_dir_text(v.dir),
			   (int)(v.width / MTIME_S(1)), pct, max / 10, max % 10,
			   loss_src_text(v.src, v.dir));
		alert_emit(d->alert, &ev, now);
		s->loss_out = true;
		s->loss_out_since = now;
		damp_flap(&s->damp, now, damp_half_life(d));
		bfd_session_admin_down(&s->bfd, BFD_DIAG_PATH_DOWN, now, &out);
		sess_output(d, s, &out, now);
		return;
	}
	if (s->loss_out && v.action == LOSS_CLEAR) {
		struct alert_event ev = {
			.event = "loss-ok", .node = self_node(d)->name,
			.peer = peer_name(d, s->peer),
			.peer_address = mr_addr_str(&s->remote, addr, sizeof(addr)),
			.port = s->port->name, .old_state = "AdminDown", .new_state = "Down",
			.diag = v.src != LOSS_SRC_NONE ? diag : "loss unknown", .logged = true,
		};

		if (!max)
			log_notice("%s (%s) via %s: max-loss is off: back in service", ev.peer,
				   ev.peer_address, s->port->name);
		else if (v.src != LOSS_SRC_NONE)
			log_notice("%s (%s) via %s: probe loss down to %d of %u over the last %d s "
				   "(%s%%, below a quarter of max-loss): back in service", ev.peer,
				   ev.peer_address, s->port->name, v.c.lost > 0 ? (int)v.c.lost : 0,
				   v.c.sent, (int)(v.c.span / MTIME_S(1)), pct);
		else
			log_notice("%s (%s) via %s: probe loss unknown for %d s (the peer sends no "
				   "counts any more): back in service", ev.peer, ev.peer_address,
				   s->port->name, (int)(LOSS_GIVE_UP / MTIME_S(1)));
		alert_emit(d->alert, &ev, now);
		s->loss_out = false;
		bfd_session_admin_up(&s->bfd, now, &out);
		sess_output(d, s, &out, now);
	}
}

/*
 * Once a second per session: the peer's meticulous sequence numbers as a
 * pair of counts when it sends no reports, the verdicts that time alone
 * changes (a window going stale, the give-up), and "no counts" once.
 */
static void loss_tick(struct mr_daemon *d, struct mr_sess *s, mtime_t now)
{
	char addr[64];

	if (s->seq_valid && s->seq_at >= s->loss_reset_at &&
	    !(s->report_at && now - s->report_at <= LOSS_STALE)) {
		loss_sample(&s->loss_from, LOSS_SRC_AUTH, s->seq_key, s->bfd.local_discr, s->seq_last,
			    s->seq_rcvd, s->seq_at);
		s->seq_valid = false;
	}
	daemon_loss_check(d, s, now);
	if (s->port->lan || s->mtu)
		return;
	if (loss_counted(s, now)) {
		if (s->loss_none_logged)
			log_info("%s (%s) via %s: probe loss counted again (%s)", peer_name(d, s->peer),
				 mr_addr_str(&s->remote, addr, sizeof(addr)), s->port->name,
				 loss_src_name(s->loss_from.src));
		s->loss_none_logged = false;
		return;
	}
	if (s->loss_none_logged || !d->cfg.max_loss_permille || s->bfd.state != BFD_STATE_UP ||
	    now - s->up_since < LOSS_NO_COUNTS_AFTER)
		return;
	log_notice("%s (%s) via %s: loss: unknown, the peer sends no counts (no link reports, no "
		   "meticulous authentication): probe loss on this link is not judged",
		   peer_name(d, s->peer), mr_addr_str(&s->remote, addr, sizeof(addr)), s->port->name);
	s->loss_none_logged = true;
}

/*
 * Says so when the daemon itself ran late (a busy host, a stopped process):
 * by how much its earliest deadline was missed, and the oldest probe it
 * found waiting.  Late by more than one probe interval is worth a line.
 */
static void late_check(struct mr_daemon *d, mtime_t deadline, mtime_t now)
{
	mtime_t late = deadline != MTIME_NEVER && now > deadline ? now - deadline : 0;
	unsigned supp;

	late = mtime_max(late, d->rx_queued_max);
	d->rx_queued_max = 0;
	if (late <= (mtime_t)d->cfg.interval_us)
		return;
	d->late_max_us = mtime_max(d->late_max_us, late);
	/* One line per episode: the wake-ups right after a stall are late too. */
	if (now - d->late_logged_at < MTIME_S(1))
		return;
	d->late_logged_at = now;
	if (log_ratelimit_ok(&d->rl_late, &supp))
		log_warnx("meshrouted ran %lld.%lld ms late (busy host, or the process was stopped): "
			  "timers judged only after reading every probe queued meanwhile%s",
			  (long long)late / 1000, (long long)(late % 1000) / 100,
			  supp ? " (earlier such lines suppressed)" : "");
}

/*
 * Periodic packets go out together: a wake-up that sends one also sends
 * every other whose §6.8.7 window is open, and those sent together share
 * the first one's jittered next time where their windows allow (session.h).
 * Each wake-up costs far more than a packet (the scheduler, the peer's
 * wake-up), so N sessions to a node cost about one wake-up per interval.
 */
#define TX_GROUPS 4	/* distinct next times kept per wake-up (intervals differ) */

static void tx_pull(struct mr_daemon *d, mtime_t now)
{
	int i;

	for (i = 0; i < d->nsess && d->sess[i].bfd.next_tx > now; i++)
		;
	if (i == d->nsess)
		return;
	for (i = 0; i < d->nsess; i++)
		bfd_session_tx_pull(&d->sess[i].bfd, now);
}

static void tx_align(struct mr_daemon *d, mtime_t now)
{
	mtime_t lead[TX_GROUPS];
	int i, k, n = 0;

	for (i = 0; i < d->nsess; i++) {
		struct bfd_session *b = &d->sess[i].bfd;

		if (b->last_tx != now || b->next_tx == MTIME_NEVER)
			continue;
		for (k = 0; k < n && !bfd_session_tx_align(b, lead[k]); k++)
			;
		if (k == n && n < TX_GROUPS)
			lead[n++] = b->next_tx;
	}
}

/*
 * `standby`: run by the standby thread while the main thread is late.
 * It leaves the main thread's chores alone: the control clients (their
 * events may be in the main thread's hands), the resync, the metrics file
 * and the watchdog, which must only hear from a main loop that runs.
 */
static void fire_timers(struct mr_daemon *d, bool standby)
{
	mtime_t now;
	int i;

	now = mtime_now();
	/*
	 * The wake-up may have been the timeout alone (epoll reports no
	 * events once its timeout passed during a stop), so look for queued
	 * probes whenever a detection timer is due, not only after a budget
	 * ran out.
	 */
	for (i = 0; i < d->nsess && !d->rx_backlog; i++)
		if (d->sess[i].bfd.detect_deadline <= now)
			d->rx_backlog = true;
	for (i = 0; i < d->nmsess && !d->rx_backlog; i++)
		if (d->msess[i].bfd.detect_deadline <= now)
			d->rx_backlog = true;
	if (d->rx_backlog || d->rx_lazy || linkmsg_pending(d)) {
		rx_catch_up(d);
		d->rx_backlog = false;
		now = mtime_now();
	}
	/* Link reports read before that: every probe that came before them is counted now. */
	linkmsg_process(d, now);

	tx_pull(d, now);
	for (i = 0; i < d->nsess; i++) {
		struct mr_sess *s = &d->sess[i];
		struct bfd_output out;

		if (bfd_session_next_event(&s->bfd) > now)
			continue;
		bfd_session_timer(&s->bfd, now, &out);
		sess_output(d, s, &out, now);
	}
	tx_align(d, now);
	rx_mode_update(d, now);
	mtu_timers(d, now);
	for (i = 0; i < d->cfg.nnodes; i++) {
		if (i != d->self && peer_recheck_at(&d->peers[i]) <= now)
			peer_update(d, &d->peers[i], now);
	}
	relay_timers(d, now);
	linkmsg_timers(d, now);
	if (d->next_loss_tick <= now) {
		for (i = 0; i < d->nsess; i++)
			loss_tick(d, &d->sess[i], now);
		for (i = 0; i < d->nmsess; i++)
			loss_tick(d, &d->msess[i], now);
		d->next_loss_tick = now + MTIME_S(1);
	}
	alert_timers(d->alert, now);
	if (standby)
		goto out;
	/* Also frees closed clients: must run after every loop_run_once(). */
	control_timers(d->ctl, now);
	if (d->next_resync <= now) {
		resync(d);
		d->next_resync = now + RESYNC_INTERVAL;
	}
	if (d->next_metrics <= now) {
		metrics_file_write(d, now);
		d->next_metrics = now + METRICS_FILE_EVERY;
	}
	if (d->next_watchdog <= now) {
		/* Only a loop that really runs reaches here: a hang stops the pings. */
		sd_notify(0, "WATCHDOG=1");
		d->next_watchdog = now + d->watchdog_every;
	}
out:
	/*
	 * From the end of this wake-up, not from its read: a session sending
	 * at exactly RX_LAZY_MAX then reads on its own wake-up, not one before.
	 */
	if (d->rx_lazy)
		d->rx_next_read = mtime_now() + RX_LAZY_MAX;
}

/* The standby thread, holding the lock: the main thread missed `deadline`. */
static mtime_t standby_fire(void *arg, mtime_t deadline)
{
	struct mr_daemon *d = arg;

	late_check(d, deadline, mtime_now());
	fire_timers(d, true);
	return next_deadline(d, true);
}

int daemon_run(struct mr_daemon *d)
{
	while (!d->stop) {
		mtime_t deadline = next_deadline(d, false), before = mtime_now();

		standby_arm(d->standby, deadline);
		if (loop_run_once(&d->loop, deadline) < 0)
			return 1;
		/*
		 * Lateness only counts for a deadline we slept towards, and
		 * not when the standby ran the timers in time (it judged its
		 * own lateness).
		 */
		if (!standby_covered(d->standby))
			late_check(d, mtime_max(deadline, before), mtime_now());
		fire_timers(d, false);
	}
	return d->exit_code;
}

void daemon_shutdown(struct mr_daemon *d)
{
	mtime_t now = mtime_now();
	int i;

	standby_stop(d->standby);
	d->standby = NULL;
	sd_notify(0, "STOPPING=1");
	/* Stale metrics would say our sessions are Up forever. */
	if (d->cfg.metrics_file[0] && unlink(d->cfg.metrics_file) != 0 && errno != ENOENT)
		log_warn("cannot remove %s", d->cfg.metrics_file);
	control_close(d->ctl);
	d->ctl = NULL;
	/* No one relays through us any more (an empty advertisement), then... */
	relay_stop(d);
	linkmsg_stop(d);
	/* ...our traffic to the LAN, then ask the peers to move theirs. */
	for (i = 0; i < d->cfg.nnodes && d->nl; i++)
		if (i != d->self)
			peer_withdraw(d, &d->peers[i], now);
	for (i = 0; i < d->nsess; i++) {
		struct mr_sess *s = &d->sess[i];
		struct bfd_output out;

		bfd_session_admin_down(&s->bfd, BFD_DIAG_ADMIN_DOWN, now, &out);
		if (s->fd >= 0 && s->bfd.remote_discr) {
			sess_send(d, s, now);
			sess_send(d, s, now);	/* one loss must not leave the peer waiting */
		}
		sess_close(s);
	}
	mtu_shutdown(d, now);
	free(d->sess);
	d->sess = NULL;
	d->nsess = 0;
	if (d->probe_rule) {
		probe_routes_flush(d);
		nl_probe_rule(d->nl, AF_INET6, false);
	}
	if (d->rx4.fd >= 0)
		close(d->rx4.fd);
	if (d->rx6.fd >= 0)
		close(d->rx6.fd);
	if (d->sig.fd >= 0)
		close(d->sig.fd);
	if (d->nl)
		nl_close(d->nl);
	alert_close(d->alert);
	d->alert = NULL;
	loop_close(&d->loop);
	auth_keyring_clear(&d->keys);
	log_info("stopped; routes withdrawn");
}

/* ---- reload ---- */

static bool params_equal(const struct bfd_session_params *a, const struct bfd_session_params *b)
{
	return a->desired_min_tx_us == b->desired_min_tx_us &&
	       a->required_min_rx_us == b->required_min_rx_us &&
	       a->detect_mult == b->detect_mult && a->idle_tx_us == b->idle_tx_us;
}

/* The old session that a new (port, peer) pair continues, if any. */
static struct mr_sess *sess_match(struct mr_daemon *d, const struct mr_config *ncfg, int nself,
				  const struct mr_port *port, int peer, int fam)
{
	int i;

	for (i = 0; i < d->nsess; i++) {
		struct mr_sess *o = &d->sess[i];

		if (o->fd == -2)	/* already carried over */
			continue;
		if (strcmp(o->port->name, port->name) == 0 && o->port->lan == port->lan &&
		    strcmp(d->cfg.nodes[o->peer].name, ncfg->nodes[peer].name) == 0 &&
		    mr_addr_eq(&o->remote, node_addr(&ncfg->nodes[peer], fam)) &&
		    mr_addr_eq(&o->local, node_addr(&ncfg->nodes[nself], fam)))
			return o;
	}
	return NULL;
}

static void report(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(FILE *out, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_info("reload: %s", buf);
	if (out)
		fprintf(out, "%s\n", buf);
}

int daemon_reload(struct mr_daemon *d, FILE *out)
{
	struct mr_config *ncfg = calloc(1, sizeof(*ncfg));
	struct mr_port nports[MR_MAX_FAST + 1];
	struct mr_peer npeers[MR_MAX_NODES];
	struct mr_sess *nsess = NULL, *nmsess;
	struct mr_link *nlinks;
	struct auth_keyring nkeys;
	bool resend[(MR_MAX_FAST + 1) * MR_MAX_NODES * MR_NFAM] = { false };
	char *errs = NULL;
	size_t errlen = 0;
	FILE *errf;
	mtime_t now = mtime_now();
	int nself = -1, nn = 0, ns = 0, nms = 0, nl = 0, kept = 0, added = 0, removed = 0, i, n, f;

	if (!ncfg)
		return -1;
	errf = open_memstream(&errs, &errlen);
	if (!errf || config_load(d->cfg.path, ncfg, errf) < 0) {
		char *line, *save = NULL;

		if (errf)
			fclose(errf);
		/* Every error to the log and to the requester; nothing changes. */
		for (line = errs ? strtok_r(errs, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save))
			report(out, "%s", line);
		report(out, "%s rejected; the running configuration is unchanged", d->cfg.path);
		free(errs);
		free(ncfg);
		return -1;
	}
	fclose(errf);
	free(errs);
	for (n = 0; n < ncfg->nnodes; n++)
		if (strcmp(ncfg->nodes[n].name, self_node(d)->name) == 0)
			nself = n;
	if (nself < 0) {
		report(out, "%s: this node (%s) is no longer in the file; not applied",
		       d->cfg.path, self_node(d)->name);
		free(ncfg);
		return -1;
	}
	/* The key file may have changed under the same name: always re-read it. */
	auth_keyring_clear(&nkeys);
	if (ncfg->auth_type != MR_AUTH_NONE) {
		char *kerrs = NULL;
		size_t kerrlen = 0;
		FILE *kf = open_memstream(&kerrs, &kerrlen);
		int kret = kf ? auth_keyring_load(ncfg->auth_key_file, ncfg->auth_type, &nkeys, kf) : -1;
		char *line, *save = NULL;

		if (kf)
			fclose(kf);
		if (kret < 0) {
			for (line = kerrs ? strtok_r(kerrs, "\n", &save) : NULL; line;
			     line = strtok_r(NULL, "\n", &save))
				report(out, "%s", line);
			report(out, "%s rejected; the running configuration is unchanged",
			       d->cfg.path);
			free(kerrs);
			free(ncfg);
			return -1;
		}
		free(kerrs);
	}
	if (d->sock_override[0])
		snprintf(ncfg->control_socket, sizeof(ncfg->control_socket), "%s",
			 d->sock_override);
	if (strcmp(ncfg->control_socket, d->cfg.control_socket) != 0) {
		report(out, "control-socket changed: takes effect at the next restart");
		snprintf(ncfg->control_socket, sizeof(ncfg->control_socket), "%s",
			 d->cfg.control_socket);
	}
	/* Both need privileges dropped after start-up. */
	if (ncfg->realtime != d->cfg.realtime) {
		report(out, "realtime changed: takes effect at the next restart");
		ncfg->realtime = d->cfg.realtime;
	}
	if (ncfg->lock_memory != d->cfg.lock_memory) {
		report(out, "lock-memory changed: takes effect at the next restart");
		ncfg->lock_memory = d->cfg.lock_memory;
	}

	/* Ports: runtime state follows the name. */
	memset(nports, 0, sizeof(nports));
	for (i = 0; i <= ncfg->nodes[nself].nfast; i++) {
		struct mr_port *p = &nports[nn++], *old;
		bool lan = i == ncfg->nodes[nself].nfast;

		memcpy(p->name, lan ? ncfg->nodes[nself].lan : ncfg->nodes[nself].fast[i],
		       sizeof(p->name));
		p->lan = lan;
		old = port_by_name(d, p->name);
		if (old && old->lan == lan) {
			p->ifindex = old->ifindex;
			p->carrier = old->carrier;
			p->drained = old->drained;
			p->mtu = old->mtu;
			p->was_jumbo = old->was_jumbo;
		}
	}

	/* Sessions: unchanged (port, peer, addresses) pairs keep running. */
	nsess = calloc((size_t)(nn * ncfg->nnodes * MR_NFAM), sizeof(*nsess));
	if (!nsess) {
		free(ncfg);
		return -1;
	}
	for (i = 0; i < nn; i++) {
		for (n = 0; n < ncfg->nnodes; n++) {
			for (f = 0; f < MR_NFAM; f++) {
				struct bfd_session_params params;
				struct bfd_output o;
				struct mr_sess *old;

				if (n == nself || !node_addr(&ncfg->nodes[nself], f)->family ||
				    !node_addr(&ncfg->nodes[n], f)->family)
					continue;
				/* Final addresses: d->ports receives nports below. */
				old = sess_match(d, ncfg, nself, &nports[i], n, f);
				if (!old) {
					sess_new(d, ncfg, nself, nsess, &ns, &d->ports[i],
						 nports[i].lan, n, f, now);
					added++;
					continue;
				}
				nsess[ns] = *old;
				old->fd = -2;
				nsess[ns].port = &d->ports[i];
				nsess[ns].peer = n;
				sess_params(ncfg, nports[i].lan, &params);
				if (!params_equal(&params, &nsess[ns].bfd.params)) {
					/* New timers through a Poll Sequence: no flap. */
					bfd_session_set_params(&nsess[ns].bfd, &params, now, &o);
					resend[ns] = o.send;
				}
				ns++;
				kept++;
			}
		}
	}

	/* Sessions that are gone: tell their peers, as at shutdown. */
	for (i = 0; i < d->nsess; i++) {
		struct mr_sess *o = &d->sess[i];
		struct bfd_output out_;

		if (o->fd == -2)
			continue;
		removed++;
		bfd_session_admin_down(&o->bfd, BFD_DIAG_ADMIN_DOWN, now, &out_);
		if (o->fd >= 0 && o->bfd.remote_discr)
			sess_send(d, o, now);
		sess_close(o);
	}

	/* Peers: a peer that left, or whose address changed, loses its route. */
	for (n = 0; n < ncfg->nnodes; n++)
		peer_init(&npeers[n], n, now);
	for (i = 0; i < d->cfg.nnodes; i++) {
		bool found = false;

		if (i == d->self)
			continue;
		for (n = 0; n < ncfg->nnodes; n++) {
			if (n != nself && strcmp(ncfg->nodes[n].name, d->cfg.nodes[i].name) == 0 &&
			    mr_addr_eq(&ncfg->nodes[n].addr4, &d->cfg.nodes[i].addr4) &&
			    mr_addr_eq(&ncfg->nodes[n].addr6, &d->cfg.nodes[i].addr6)) {
				npeers[n] = d->peers[i];
				npeers[n].node = n;
				found = true;
			}
		}
		if (!found)
			peer_withdraw(d, &d->peers[i], now);
	}

	nmsess = mtu_reload(d, ncfg, nself, nports, nn, &nms, now);
	if (!nmsess)
		report(out, "out of memory: MTU probes stopped until the next reload");
	nlinks = linkmsg_reload(d, ncfg, nself, nports, nn, &nl);
	if (!nlinks)
		report(out, "out of memory: link reports stopped until the next reload");

	if (ncfg->set_sysctl && !d->cfg.set_sysctl)
		for (i = 0; i < nn; i++)
			if (nports[i].ifindex > 0)
				sysctl_prepare_port(nports[i].name, !nports[i].lan, true,
						    neigh_retrans_ms(ncfg));

	relay_reload(d, ncfg, nself);
	if (strcmp(ncfg->alert_command, d->cfg.alert_command) != 0 &&
	    alert_set_command(d->alert, ncfg->alert_command) < 0)
		report(out, "alert-command %s refused; keeping the previous one", ncfg->alert_command);
	/* Swap.  A new auth type restarts sequence numbers; new keys do not (rollover). */
	if (ncfg->auth_type != d->cfg.auth_type)
		for (i = 0; i < ns; i++)
			auth_state_init(&nsess[i].auth, new_discr(d, nsess, ns));
	auth_keyring_clear(&d->keys);
	d->keys = nkeys;
	auth_keyring_clear(&nkeys);
	free(d->sess);
	d->sess = nsess;
	d->nsess = ns;
	memcpy(d->ports, nports, sizeof(nports));
	d->nports = nn;
	memcpy(&d->cfg, ncfg, sizeof(*ncfg));
	d->self = nself;
	memcpy(d->peers, npeers, sizeof(npeers));
	free(ncfg);

	for (i = 0; i < d->nsess; i++)
		if (d->sess[i].bfd.state >= BFD_STATE_INIT)
			d->sess[i].port->active[d->sess[i].peer]++;
	for (i = 0; i < d->nsess; i++) {
		sess_open(d, &d->sess[i]);
		if (resend[i])
			sess_send(d, &d->sess[i], now);
	}
	mtu_reload_apply(d, nmsess, nms, now);
	linkmsg_reload_apply(d, nlinks, nl);
	resync(d);
	linkmsg_start(d);
	if (relay_start(d) < 0)
		report(out, "relay: could not start (see the log); traffic uses direct ports or the LAN");
	report(out, "%s applied: %d session(s) kept, %d added, %d removed", d->cfg.path, kept,
	       added, removed);
	return 0;
}

/* ---- drain ---- */

int daemon_drain(struct mr_daemon *d, const char *name, bool drain, FILE *out)
{
	struct mr_port *port = port_by_name(d, name);
	mtime_t now = mtime_now();
	int i;

	if (!port || port->lan) {
		fprintf(out, "%s is not a fast port of this node (fast ports:", name);
		for (i = 0; i < d->nports; i++)
			if (!d->ports[i].lan)
				fprintf(out, " %s", d->ports[i].name);
		fprintf(out, ")\n");
		return -1;
	}
	if (port->drained == drain) {
		fprintf(out, "%s is already %s\n", name, drain ? "drained" : "in service");
		return 0;
	}
	port->drained = drain;
	drainstate_record(name, drain);
	log_notice("port %s: %s by the admin", name, drain ? "drained" : "back in service");
	if (drain) {
		/* Our traffic leaves the port first (atomic replace, acked)... */
		for (i = 0; i < d->cfg.nnodes; i++)
			if (i != d->self)
				peer_update(d, &d->peers[i], now);
		/* ...then the peer is told, and moves its own (RFC 5880 §6.8.16). */
		for (i = 0; i < d->nsess; i++) {
			struct mr_sess *s = &d->sess[i];
			struct bfd_output o;

			if (s->port != port)
				continue;
			bfd_session_admin_down(&s->bfd, BFD_DIAG_ADMIN_DOWN, now, &o);
			sess_output(d, s, &o, now);
		}
		fprintf(out, "%s drained: traffic moved off it, peers told (AdminDown)\n", name);
	} else {
		for (i = 0; i < d->nsess; i++) {
			struct mr_sess *s = &d->sess[i];
			struct bfd_output o;

			if (s->port != port)
				continue;
			s->loss_out = false;
			bfd_session_admin_up(&s->bfd, now, &o);
			sess_output(d, s, &o, now);
		}
		fprintf(out, "%s back in service: traffic returns after the sessions have been Up "
			"for hold-down (%u ms)\n", name, d->cfg.hold_down_us / 1000);
	}
	return 0;
}

int daemon_drain_done(struct mr_daemon *d, const char *name, FILE *out)
{
	struct mr_port *port = port_by_name(d, name);
	int i, waiting = 0;

	if (!port || port->lan || !port->drained) {
		fprintf(out, "%s is not drained\n", name);
		return -1;
	}
	/*
	 * Done when no peer still thinks the link is Up: a peer that answered
	 * our AdminDown with Down has moved its traffic away (meshrouted moves
	 * routes before it answers).
	 */
	for (i = 0; i < d->nsess; i++) {
		const struct mr_sess *s = &d->sess[i];

		if (s->port == port && s->bfd.remote_discr &&
		    s->bfd.remote_state == BFD_STATE_UP)
			waiting++;
	}
	if (waiting) {
		fprintf(out, "%s: waiting for %d peer session(s) to confirm\n", name, waiting);
		return 1;
	}
	fprintf(out, "%s drained: no traffic uses it any more\n", name);
	return 0;
}
