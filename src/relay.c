// SPDX-License-Identifier: GPL-2.0-or-later
/* Relay over a neighbour's fast link: advertisements, relayed paths, the forwarding side. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "net.h"
#include "nl.h"
#include "relay.h"
#include "sysctl.h"

/* The forwarding settings are re-read this often (an admin may change them). */
#define RELAY_CHECK_EVERY MTIME_S(1)

static const char *const drop_names[RELAY_DROP_MAX] = {
	[RELAY_DROP_DECODE] = "decode",
	[RELAY_DROP_TTL] = "ttl",
	[RELAY_DROP_PORT] = "port",
	[RELAY_DROP_SENDER] = "sender",
	[RELAY_DROP_REPLAY] = "replay",
};

const char *relay_drop_name(int reason)
{
	return reason >= 0 && reason < RELAY_DROP_MAX ? drop_names[reason] : "?";
}

static const struct mr_addr *addr4(const struct mr_daemon *d, int node)
{
	return &d->cfg.nodes[node].addr4;
}

static bool relay_wanted(const struct mr_daemon *d)
{
	return d->cfg.relay && addr4(d, d->self)->family == AF_INET;
}

static int node_by_addr4(const struct mr_daemon *d, const uint8_t *a)
{
	int n;

	for (n = 0; n < d->cfg.nnodes; n++)
		if (addr4(d, n)->family == AF_INET && memcmp(addr4(d, n)->bytes, a, 4) == 0)
			return n;
	return -1;
}

/* Our own traffic to node n goes over a direct, in-service fast port: its lowest, or 0. */
static int direct_oif(const struct mr_daemon *d, int n)
{
	const struct mr_route *rt = &d->peers[n].rt[0];

	if (n == d->self || addr4(d, n)->family != AF_INET || !rt->installed_known ||
	    rt->installed.noif == 0 || rt->installed.relayed)
		return 0;
	return rt->installed.oif[0];
}

void relay_init(struct relay_state *r)
{
	memset(r, 0, sizeof(*r));
}

/* ---- the forwarding side: rules and the relay table ---- */

struct dsts {
	uint8_t dst[64][4];
	int n;
};

static void collect_dst(void *arg, const struct nl_route *r, bool deleted)
{
	struct dsts *c = arg;

	if (!deleted && r->family == AF_INET && r->table == MR_RELAY_TABLE && c->n < 64)
		memcpy(c->dst[c->n++], r->dst, 4);
}

/* Every route of ours in the relay table, whichever run installed it. */
static void table_flush(struct mr_daemon *d)
{
	struct dsts c = { .n = 0 };
	struct nl_handlers h = { .route = collect_dst, .ctx = &c };
	int i;

	if (nl_dump_table_routes(d->nl, AF_INET, MR_RELAY_TABLE, MR_RTPROT, &h) < 0)
		return;
	for (i = 0; i < c.n; i++)
		nl_relay_route_delete(d->nl, c.dst[i]);
	for (i = 0; i < MR_MAX_NODES; i++)
		d->relay.fwd_known[i] = false;
}

static void rules_flush(struct mr_daemon *d)
{
	int i;

	/* One rule per call; a handful at most. */
	for (i = 0; i < 4 * MR_MAX_FAST && nl_relay_rule(d->nl, NULL, false) == 0; i++)
		;
	d->relay.nrules = 0;
}

/* One rule per fast port of the config; 0, or -1 if one could not be added. */
static int rules_sync(struct mr_daemon *d)
{
	struct relay_state *r = &d->relay;
	char keep[MR_MAX_FAST][16];
	int i, j, nkeep = 0, bad = 0;

	for (i = 0; i < d->nports; i++) {
		if (d->ports[i].lan)
			continue;
		if (nl_relay_rule(d->nl, d->ports[i].name, true) < 0)
			bad++;
		else
			memcpy(keep[nkeep++], d->ports[i].name, 16);
	}
	/* Ports that left the config lose their rule only now: no gap for the others. */
	for (i = 0; i < r->nrules; i++) {
		bool still = false;

		for (j = 0; j < nkeep; j++)
			still |= strcmp(keep[j], r->rule_port[i]) == 0;
		if (!still)
			nl_relay_rule(d->nl, r->rule_port[i], false);
	}
	memcpy(r->rule_port, keep, sizeof(keep));
	r->nrules = nkeep;
	return bad ? -1 : 0;
}

/*
 * The relay table, per peer: what traffic forwarded for others may use,
 * never a relayed path (path_for_forwarded); the LAN when we have no
 * direct one, unreachable if even the LAN port is missing (never a miss,
 * which would fall through to the main table and its relayed routes).
 */
static void fwd_sync(struct mr_daemon *d)
{
	struct relay_state *r = &d->relay;
	int lan = 0, i, n;

	for (i = 0; i < d->nports; i++)
		if (d->ports[i].lan)
			lan = d->ports[i].ifindex;
	for (n = 0; n < d->cfg.nnodes; n++) {
		const struct mr_route *rt = &d->peers[n].rt[0];
		struct path_result own = { .noif = 0, .recheck_at = MTIME_NEVER }, w;

		if (n == d->self || addr4(d, n)->family != AF_INET)
			continue;
		if (rt->installed_known)
			own = rt->installed;
		path_for_forwarded(&own, &w);
		if (w.noif == 0 && lan > 0) {
			w.oif[0] = lan;
			w.noif = 1;
		}
		if (r->fwd_known[n] && path_equal(&r->fwd[n], &w))
			continue;
		if (nl_relay_route_replace(d->nl, addr4(d, n)->bytes, addr4(d, d->self)->bytes,
					   w.oif, w.noif) == 0) {
			r->fwd[n] = w;
			r->fwd_known[n] = true;
		}
	}
}

/*
 * Puts back the forwarding settings relay changed: all of them, or
 * (gone_only) those of ports that are no longer fast ports of the config.
 */
static void forwarding_restore(struct mr_daemon *d, bool gone_only)
{
	struct relay_state *r = &d->relay;
	int i, k, keep = 0;

	for (i = 0; i < r->nfwd; i++) {
		bool still = false;

		for (k = 0; gone_only && k < d->nports && !still; k++)
			still = !d->ports[k].lan && strcmp(d->ports[k].name, r->fwd_port[i]) == 0;
		if (still) {
			if (keep != i) {
				memcpy(r->fwd_port[keep], r->fwd_port[i], sizeof(r->fwd_port[keep]));
				r->fwd_was[keep] = r->fwd_was[i];
			}
			keep++;
			continue;
		}
		sysctl_relay_restore(r->fwd_port[i], r->fwd_was[i]);
	}
	r->nfwd = keep;
}

/* sysctl_relay_port() set forwarding on `port` from `was`: remembered once (the first value). */
static void forwarding_changed(struct relay_state *r, const char *port, int was)
{
	int i;

	if (was < 0)
		return;
	for (i = 0; i < r->nfwd; i++)
		if (strcmp(r->fwd_port[i], port) == 0)
			return;
	if (r->nfwd >= MR_MAX_FAST)
		return;
	snprintf(r->fwd_port[r->nfwd], sizeof(r->fwd_port[r->nfwd]), "%s", port);
	r->fwd_was[r->nfwd++] = was;
}

/*
 * Can this node forward for others?  Forwarding and loose reverse-path
 * filtering on every present fast port, and the rules in place.  A change
 * is logged once; verbose: warn about each wrong setting (start, reload).
 */
static void check_capable(struct mr_daemon *d, bool rules_ok, bool verbose)
{
	struct relay_state *r = &d->relay;
	bool was = r->capable;
	char why[sizeof(r->why)] = "";
	int i;

	if (!rules_ok)
		snprintf(why, sizeof(why), "the policy rules (iif PORT lookup %u) could not be "
			 "installed", MR_RELAY_TABLE);
	forwarding_restore(d, true);
	for (i = 0; i < d->nports && !why[0]; i++) {
		int bad, fwd_was;

		if (d->ports[i].lan || d->ports[i].ifindex <= 0)
			continue;
		bad = sysctl_relay_port(d->ports[i].name, d->cfg.set_sysctl, !verbose, &fwd_was);
		forwarding_changed(r, d->ports[i].name, fwd_was);

		if (bad & SYSCTL_RELAY_FORWARDING)
			snprintf(why, sizeof(why), "net.ipv4.conf.%s.forwarding is not 1%s",
				 d->ports[i].name, d->cfg.set_sysctl ? " and could not be set" :
				 " (set-sysctl = no)");
		else if (bad)
			snprintf(why, sizeof(why), "reverse-path filtering on %s is strict "
				 "(rp_filter 1, here or in all)%s", d->ports[i].name,
				 d->cfg.set_sysctl ? " and could not be set" : " (set-sysctl = no)");
	}
	r->capable = !why[0];
	if (r->capable != was || verbose || strcmp(why, r->why) != 0) {
		if (r->capable && (!was || verbose))
			log_notice("relay: this node relays for its peers (forwarding on its fast ports, "
				   "policy table %u)", MR_RELAY_TABLE);
		else if (!r->capable && (was || verbose || strcmp(why, r->why) != 0))
			log_warnx("relay: this node does not relay for its peers: %s; it advertises "
				  "no peer, so no one relays through it", why);
	}
	snprintf(r->why, sizeof(r->why), "%s", why);
	if (r->capable != was)
		r->resend = true;
}

/* ---- advertisements ---- */

static uint32_t reach_now(const struct mr_daemon *d)
{
	uint32_t reach = 0;
	int n;

	if (!d->relay.capable)
		return 0;
	for (n = 0; n < d->cfg.nnodes; n++)
		if (direct_oif(d, n) > 0)
			reach |= 1u << n;
	return reach;
}

/* To every neighbour over every in-service fast port to it. */
static void send_all(struct mr_daemon *d)
{
	struct relay_state *r = &d->relay;
	struct advert a;
	uint8_t buf[ADVERT_MAX_LEN];
	int n, k, pi;

	memset(&a, 0, sizeof(a));
	memcpy(a.sender, addr4(d, d->self)->bytes, 4);
	a.lifetime_ms = (uint32_t)(RELAY_LIFETIME / 1000);
	r->reach = reach_now(d);
	for (n = 0; n < d->cfg.nnodes; n++)
		if (r->reach >> n & 1u)
			memcpy(a.peers[a.npeers++], addr4(d, n)->bytes, 4);
	for (n = 0; n < d->cfg.nnodes; n++) {
		const struct mr_route *rt = &d->peers[n].rt[0];

		if (direct_oif(d, n) == 0)
			continue;
		for (k = 0; k < rt->installed.noif; k++) {
			size_t len;
			int fd = -1, err;

			for (pi = 0; pi < d->nports; pi++)
				if (!d->ports[pi].lan && d->ports[pi].ifindex == rt->installed.oif[k])
					fd = linkmsg_tx_socket(d, pi, 0);
			if (fd < 0)
				continue;
			a.seq = ++r->seq;
			len = advert_encode(&a, &d->keys, buf, sizeof(buf));
			if (len == 0) {
				r->tx_errors++;
				continue;
			}
			err = net_send(fd, addr4(d, n), d->cfg.relay_port, buf, len);
			if (err < 0)
				r->tx_errors++;
			else
				r->tx_packets++;
		}
	}
}

static void rx_drop(struct mr_daemon *d, int reason, const struct net_msg *m, const char *detail)
{
	char src[64];
	unsigned supp = 0;

	d->relay.drops[reason]++;
	if (!log_ratelimit_ok(&d->rl_drop, &supp))
		return;
	log_info("dropped relay advertisement from %s on ifindex %d: %s%s%s",
		 mr_addr_str(&m->src, src, sizeof(src)), m->ifindex, relay_drop_name(reason),
		 detail ? ": " : "", detail ? detail : "");
	if (supp)
		log_info("(%u more dropped packets not logged)", supp);
}

void relay_rx(struct mr_daemon *d, const struct net_msg *m)
{
	struct relay_state *r = &d->relay;
	struct advert a;
	uint32_t reach = 0;
	bool changed, fast = false;
	int err, sender, i;
	mtime_t now = mtime_now();

	/* Advertisements to a node with relay = off are nobody's business. */
	if (!r->running)
		return;
	/* Only a neighbour on a cable can send with TTL 255 that arrives as 255. */
	if (m->ttl != 255) {
		rx_drop(d, RELAY_DROP_TTL, m, NULL);
		return;
	}
	for (i = 0; i < d->nports; i++)
		fast |= !d->ports[i].lan && d->ports[i].ifindex == m->ifindex;
	if (!fast) {
		rx_drop(d, RELAY_DROP_PORT, m, NULL);
		return;
	}
	err = advert_decode(m->buf, m->len, &d->keys, &a);
	if (err != ADVERT_OK) {
		r->drop_decode[err]++;
		rx_drop(d, RELAY_DROP_DECODE, m, advert_err_name(err));
		return;
	}
	sender = node_by_addr4(d, a.sender);
	if (sender < 0 || sender == d->self || m->src.family != AF_INET ||
	    memcmp(m->src.bytes, a.sender, 4) != 0) {
		rx_drop(d, RELAY_DROP_SENDER, m, NULL);
		return;
	}
	for (i = 0; i < a.npeers; i++) {
		int p = node_by_addr4(d, a.peers[i]);

		/* Addresses outside our config cannot be relayed to anyway. */
		if (p >= 0 && p != sender)
			reach |= 1u << p;
	}
	if (advert_table_update(&r->table, sender, a.seq, MTIME_MS(a.lifetime_ms), reach,
				now, &changed) != ADVERT_ACCEPTED) {
		rx_drop(d, RELAY_DROP_REPLAY, m, NULL);
		return;
	}
	r->rx_packets++;
	if (changed) {
		log_debug("relay: %s now reaches %#x directly", d->cfg.nodes[sender].name, reach);
		r->reeval = true;
	}
}

/* ---- the daemon's side ---- */

/* restore: the forwarding settings too (not when relay restarts for a new config). */
static void stop(struct mr_daemon *d, bool restore)
{
	struct relay_state *r = &d->relay;
	int i;

	/* Neighbours stop relaying through us now, not when our entry expires. */
	if (r->running) {
		r->capable = false;
		send_all(d);
	}
	if (d->nl) {
		for (i = 0; i < r->nrules; i++)
			nl_relay_rule(d->nl, r->rule_port[i], false);
		rules_flush(d);
		table_flush(d);
	}
	r->nrules = 0;
	r->running = false;
	r->capable = false;
	r->why[0] = '\0';
	r->resend = r->reeval = false;
	advert_table_clear(&r->table);
	memset(r->fwd_known, 0, sizeof(r->fwd_known));
	if (restore)
		forwarding_restore(d, false);
}

void relay_stop(struct mr_daemon *d)
{
	stop(d, true);
}

int relay_start(struct mr_daemon *d)
{
	struct relay_state *r = &d->relay;
	mtime_t now = mtime_now();

	if (!relay_wanted(d)) {
		if (r->running) {
			log_notice("relay: turned off");
			relay_stop(d);
		} else if (d->nl) {
			/* Whatever an earlier run with relay = on left behind. */
			rules_flush(d);
			table_flush(d);
		}
		/* Also when a reload stopped relay first (relay_reload()). */
		forwarding_restore(d, false);
		if (d->cfg.relay)
			log_warnx("relay: this node has no IPv4 address: relay is IPv4 only");
		return 0;
	}
	if (!r->running) {
		/* linkmsg.c receives them; without its IPv4 socket there is no relay. */
		if (d->lm.rx[0].fd < 0) {
			log_warnx("relay: cannot receive advertisements on UDP port %u",
				  d->cfg.relay_port);
			return -EADDRNOTAVAIL;
		}
		rules_flush(d);
		table_flush(d);
		r->running = true;
		r->next_send = now;
		log_info("relay: on (IPv4), advertisements on UDP port %u every %d ms",
			 d->cfg.relay_port, (int)(RELAY_INTERVAL / 1000));
	}
	check_capable(d, rules_sync(d) == 0, true);
	r->next_check = now + RELAY_CHECK_EVERY;
	memset(r->fwd_known, 0, sizeof(r->fwd_known));
	r->resend = r->reeval = true;
	return 0;
}

void relay_reload(struct mr_daemon *d, const struct mr_config *ncfg, int nself)
{
	bool same = ncfg->relay && ncfg->relay_port == d->cfg.relay_port &&
		    ncfg->nnodes == d->cfg.nnodes && nself == d->self;
	int n;

	if (!d->relay.running)
		return;
	/* What neighbours said is kept by node index: only while those stay the same. */
	for (n = 0; same && n < ncfg->nnodes; n++)
		same = strcmp(ncfg->nodes[n].name, d->cfg.nodes[n].name) == 0 &&
		       mr_addr_eq(&ncfg->nodes[n].addr4, &d->cfg.nodes[n].addr4);
	if (!same) {
		log_notice("relay: restarted for the new configuration");
		stop(d, false);
	}
}

void relay_path(struct mr_daemon *d, int peer, mtime_t now, struct path_result *want)
{
	struct relay_candidate c[MR_MAX_NODES];
	int n, k = 0, i;

	if (!d->relay.running || want->noif > 0 || addr4(d, peer)->family != AF_INET)
		return;
	for (n = 0; n < d->cfg.nnodes; n++) {
		if (n == d->self || n == peer || addr4(d, n)->family != AF_INET)
			continue;
		c[k].node = n;
		c[k].oif = direct_oif(d, n);
		c[k].reaches = advert_table_reaches(&d->relay.table, n, peer, now);
		k++;
	}
	i = path_relay_pick(c, k);
	if (i >= 0)
		path_relay_set(want, &c[i]);
}

void relay_routes_changed(struct mr_daemon *d)
{
	if (d->relay.running)
		d->relay.resend = d->relay.reeval = true;
}

void relay_route_seen(const struct mr_daemon *d, const struct nl_route *r,
		      struct path_result *seen)
{
	if (!r->has_gw || r->family != AF_INET)
		return;
	seen->relayed = true;
	/* A gateway that is no node of ours: -1, so it differs from anything we want. */
	seen->relay_node = node_by_addr4(d, r->gw);
}

void relay_forget_routes(struct mr_daemon *d)
{
	if (d->relay.running) {
		memset(d->relay.fwd_known, 0, sizeof(d->relay.fwd_known));
		d->relay.reeval = true;
	}
}

mtime_t relay_next_deadline(const struct mr_daemon *d)
{
	const struct relay_state *r = &d->relay;
	mtime_t t;

	if (!r->running)
		return MTIME_NEVER;
	if (r->reeval)
		return 0;
	t = mtime_min(r->next_send, r->next_check);
	if (r->resend)
		t = mtime_min(t, r->last_send + RELAY_MIN_GAP);
	return mtime_min(t, advert_table_next_expiry(&r->table));
}

void relay_timers(struct mr_daemon *d, mtime_t now)
{
	struct relay_state *r = &d->relay;

	if (!r->running)
		return;
	if (r->next_check <= now) {
		check_capable(d, rules_sync(d) == 0, false);
		r->next_check = now + RELAY_CHECK_EVERY;
	}
	if (advert_table_expire(&r->table, now)) {
		log_debug("relay: an advertisement expired");
		r->reeval = true;
	}
	if (r->reeval) {
		r->reeval = false;
		daemon_peers_update(d, now);
		fwd_sync(d);
	}
	if (reach_now(d) != r->reach)
		r->resend = true;
	if (r->next_send <= now || (r->resend && r->last_send + RELAY_MIN_GAP <= now)) {
		send_all(d);
		r->resend = false;
		r->last_send = now;
		r->next_send = now + RELAY_INTERVAL;
	}
}
