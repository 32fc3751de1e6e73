// SPDX-License-Identifier: GPL-2.0-or-later
/* Relay over a neighbour's fast link: advertisements, relayed paths, the forwarding side. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

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

static const struct mr_addr *addr4(const struct relay_env *e, int node)
{
	return &e->cfg->nodes[node].addr4;
}

static bool relay_wanted(const struct relay_env *e)
{
	return e->cfg->relay && addr4(e, e->self)->family == AF_INET;
}

static int node_by_addr4(const struct relay_env *e, const uint8_t *a)
{
	int n;

	for (n = 0; n < e->cfg->nnodes; n++)
		if (addr4(e, n)->family == AF_INET && memcmp(addr4(e, n)->bytes, a, 4) == 0)
			return n;
	return -1;
}

void relay_init(struct relay_state *r)
{
	memset(r, 0, sizeof(*r));
}

/* ---- the forwarding side: rules and the relay table (route.c) ---- */

/* One rule per fast port of the config; 0, or -1 if one could not be added. */
static int rules_sync(const struct relay_env *e)
{
	char names[MR_MAX_FAST][16];
	int i, n = 0;

	for (i = 0; i < e->nports && n < MR_MAX_FAST; i++)
		if (!e->ports[i].lan)
			memcpy(names[n++], e->ports[i].name, 16);
	return rib_relay_rules(e->rib, (const char (*)[16])names, n);
}

/*
 * Puts back the forwarding settings relay changed: all of them, or
 * (gone_only) those of ports that are no longer fast ports of the config.
 */
static void forwarding_restore(struct relay_state *r, const struct relay_env *e, bool gone_only)
{
	int i, k, keep = 0;

	for (i = 0; i < r->nfwd; i++) {
		bool still = false;

		for (k = 0; gone_only && k < e->nports && !still; k++)
			still = !e->ports[k].lan && strcmp(e->ports[k].name, r->fwd_port[i]) == 0;
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
static void check_capable(struct relay_state *r, const struct relay_env *e, bool rules_ok,
			  bool verbose)
{
	bool was = r->capable;
	char why[sizeof(r->why)] = "";
	int i;

	if (!rules_ok)
		snprintf(why, sizeof(why), "the policy rules (iif PORT lookup %u) could not be "
			 "installed", MR_RELAY_TABLE);
	forwarding_restore(r, e, true);
	for (i = 0; i < e->nports && !why[0]; i++) {
		int bad, fwd_was;

		if (e->ports[i].lan || e->ports[i].ifindex <= 0)
			continue;
		bad = sysctl_relay_port(e->ports[i].name, e->cfg->set_sysctl, !verbose, &fwd_was);
		forwarding_changed(r, e->ports[i].name, fwd_was);

		if (bad & SYSCTL_RELAY_FORWARDING)
			snprintf(why, sizeof(why), "net.ipv4.conf.%s.forwarding is not 1%s",
				 e->ports[i].name, e->cfg->set_sysctl ? " and could not be set" :
				 " (set-sysctl = no)");
		else if (bad)
			snprintf(why, sizeof(why), "reverse-path filtering on %s is strict "
				 "(rp_filter 1, here or in all)%s", e->ports[i].name,
				 e->cfg->set_sysctl ? " and could not be set" : " (set-sysctl = no)");
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

static int ports_lan(const struct relay_env *e)
{
	int i, lan = 0;

	for (i = 0; i < e->nports; i++)
		if (e->ports[i].lan)
			lan = e->ports[i].ifindex;
	return lan;
}

static uint32_t reach_now(const struct relay_state *r, const struct relay_env *e)
{
	uint32_t reach = 0;
	int n;

	if (!r->capable)
		return 0;
	for (n = 0; n < e->cfg->nnodes; n++)
		if (rib_direct_oif(e->rib, n) > 0)
			reach |= 1u << n;
	return reach;
}

/* To every neighbour over every in-service fast port to it. */
static void send_all(struct relay_state *r, const struct relay_env *e)
{
	struct advert a;
	uint8_t buf[ADVERT_MAX_LEN];
	int n, k, pi;

	memset(&a, 0, sizeof(a));
	memcpy(a.sender, addr4(e, e->self)->bytes, 4);
	a.lifetime_ms = (uint32_t)(RELAY_LIFETIME / 1000);
	r->reach = reach_now(r, e);
	for (n = 0; n < e->cfg->nnodes; n++)
		if (r->reach >> n & 1u)
			memcpy(a.peers[a.npeers++], addr4(e, n)->bytes, 4);
	for (n = 0; n < e->cfg->nnodes; n++) {
		const struct rib_route *rt = &e->rib->rt[n][0];

		if (rib_direct_oif(e->rib, n) == 0)
			continue;
		for (k = 0; k < rt->installed.noif; k++) {
			size_t len;
			int fd = -1, err;

			for (pi = 0; pi < e->nports; pi++)
				if (!e->ports[pi].lan && e->ports[pi].ifindex == rt->installed.oif[k])
					fd = e->tx_socket(e->ctx, pi);
			if (fd < 0)
				continue;
			a.seq = ++r->seq;
			len = advert_encode(&a, e->keys, buf, sizeof(buf));
			if (len == 0) {
				r->tx_errors++;
				continue;
			}
			err = net_send(fd, addr4(e, n), e->cfg->relay_port, buf, len);
			if (err < 0)
				r->tx_errors++;
			else
				r->tx_packets++;
		}
	}
}

static void rx_drop(struct relay_state *r, const struct relay_env *e, int reason,
		    const struct net_msg *m, const char *detail)
{
	char src[64];
	unsigned supp = 0;

	r->drops[reason]++;
	if (!log_ratelimit_ok(e->rl, &supp))
		return;
	log_info("dropped relay advertisement from %s on ifindex %d: %s%s%s",
		 mr_addr_str(&m->src, src, sizeof(src)), m->ifindex, relay_drop_name(reason),
		 detail ? ": " : "", detail ? detail : "");
	if (supp)
		log_info("(%u more dropped packets not logged)", supp);
}

void relay_rx(struct relay_state *r, const struct relay_env *e, const struct net_msg *m)
{
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
		rx_drop(r, e, RELAY_DROP_TTL, m, NULL);
		return;
	}
	for (i = 0; i < e->nports; i++)
		fast |= !e->ports[i].lan && e->ports[i].ifindex == m->ifindex;
	if (!fast) {
		rx_drop(r, e, RELAY_DROP_PORT, m, NULL);
		return;
	}
	err = advert_decode(m->buf, m->len, e->keys, &a);
	if (err != ADVERT_OK) {
		r->drop_decode[err]++;
		rx_drop(r, e, RELAY_DROP_DECODE, m, advert_err_name(err));
		return;
	}
	sender = node_by_addr4(e, a.sender);
	if (sender < 0 || sender == e->self || m->src.family != AF_INET ||
	    memcmp(m->src.bytes, a.sender, 4) != 0) {
		rx_drop(r, e, RELAY_DROP_SENDER, m, NULL);
		return;
	}
	for (i = 0; i < a.npeers; i++) {
		int p = node_by_addr4(e, a.peers[i]);

		/* Addresses outside our config cannot be relayed to anyway. */
		if (p >= 0 && p != sender)
			reach |= 1u << p;
	}
	if (advert_table_update(&r->table, sender, a.seq, MTIME_MS(a.lifetime_ms), reach,
				now, &changed) != ADVERT_ACCEPTED) {
		rx_drop(r, e, RELAY_DROP_REPLAY, m, NULL);
		return;
	}
	r->rx_packets++;
	if (changed) {
		log_debug("relay: %s now reaches %#x directly", e->cfg->nodes[sender].name, reach);
		r->reeval = true;
	}
}

/* ---- the daemon's side ---- */

/* restore: the forwarding settings too (not when relay restarts for a new config). */
static void stop(struct relay_state *r, const struct relay_env *e, bool restore)
{
	/* Neighbours stop relaying through us now, not when our entry expires. */
	if (r->running) {
		r->capable = false;
		send_all(r, e);
	}
	rib_relay_clear(e->rib);
	r->running = false;
	r->capable = false;
	r->why[0] = '\0';
	r->resend = r->reeval = false;
	advert_table_clear(&r->table);
	if (restore)
		forwarding_restore(r, e, false);
}

void relay_stop(struct relay_state *r, const struct relay_env *e)
{
	stop(r, e, true);
}

int relay_start(struct relay_state *r, const struct relay_env *e)
{
	mtime_t now = mtime_now();

	if (!relay_wanted(e)) {
		if (r->running) {
			log_notice("relay: turned off");
			relay_stop(r, e);
		} else {
			/* Whatever an earlier run with relay = on left behind. */
			rib_relay_clear(e->rib);
		}
		/* Also when a reload stopped relay first (relay_reload()). */
		forwarding_restore(r, e, false);
		if (e->cfg->relay)
			log_warnx("relay: this node has no IPv4 address: relay is IPv4 only");
		return 0;
	}
	if (!r->running) {
		/* linkmsg.c receives them; without its IPv4 socket there is no relay. */
		if (!e->can_receive) {
			log_warnx("relay: cannot receive advertisements on UDP port %u",
				  e->cfg->relay_port);
			return -EADDRNOTAVAIL;
		}
		rib_relay_clear(e->rib);
		r->running = true;
		r->next_send = now;
		log_info("relay: on (IPv4), advertisements on UDP port %u every %d ms",
			 e->cfg->relay_port, (int)(RELAY_INTERVAL / 1000));
	}
	check_capable(r, e, rules_sync(e) == 0, true);
	r->next_check = now + RELAY_CHECK_EVERY;
	rib_fwd_forget(e->rib);
	r->resend = r->reeval = true;
	return 0;
}

void relay_reload(struct relay_state *r, const struct relay_env *e, const struct mr_config *ncfg,
		  int nself)
{
	bool same = ncfg->relay && ncfg->relay_port == e->cfg->relay_port &&
		    ncfg->nnodes == e->cfg->nnodes && nself == e->self;
	int n;

	if (!r->running)
		return;
	/* What neighbours said is kept by node index: only while those stay the same. */
	for (n = 0; same && n < ncfg->nnodes; n++)
		same = strcmp(ncfg->nodes[n].name, e->cfg->nodes[n].name) == 0 &&
		       mr_addr_eq(&ncfg->nodes[n].addr4, &e->cfg->nodes[n].addr4);
	if (!same) {
		log_notice("relay: restarted for the new configuration");
		stop(r, e, false);
	}
}

const struct advert_table *relay_table(const struct relay_state *r)
{
	return r->running ? &r->table : NULL;
}

void relay_routes_changed(struct relay_state *r)
{
	if (r->running)
		r->resend = r->reeval = true;
}

void relay_forget_routes(struct relay_state *r)
{
	if (r->running)
		r->reeval = true;
}

mtime_t relay_next_deadline(const struct relay_state *r)
{
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

bool relay_timers(struct relay_state *r, const struct relay_env *e, mtime_t now)
{
	bool decide;

	if (!r->running)
		return false;
	if (r->next_check <= now) {
		check_capable(r, e, rules_sync(e) == 0, false);
		r->next_check = now + RELAY_CHECK_EVERY;
	}
	if (advert_table_expire(&r->table, now)) {
		log_debug("relay: an advertisement expired");
		r->reeval = true;
	}
	decide = r->reeval;
	r->reeval = false;
	return decide;
}

void relay_send_due(struct relay_state *r, const struct relay_env *e, bool decided, mtime_t now)
{
	if (!r->running)
		return;
	if (decided)
		rib_fwd_sync(e->rib, ports_lan(e));
	if (reach_now(r, e) != r->reach)
		r->resend = true;
	if (r->next_send <= now || (r->resend && r->last_send + RELAY_MIN_GAP <= now)) {
		send_all(r, e);
		r->resend = false;
		r->last_send = now;
		r->next_send = now + RELAY_INTERVAL;
	}
}
