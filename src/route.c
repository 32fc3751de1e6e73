// SPDX-License-Identifier: GPL-2.0-or-later
/* Wanted and installed routes: the main table's host routes, the relay and probe tables (route.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "log.h"
#include "nl.h"
#include "route.h"

static const struct path_result lan_path = { .noif = 0, .recheck_at = MTIME_NEVER };

static const struct mr_addr *addr_of(const struct rib *r, int node, int fam)
{
	return mr_node_addr(&r->cfg->nodes[node], fam);
}

/* The node of an IPv4 address (a gateway, a relay's sender), -1 if none. */
static int node_by_addr4(const struct rib *r, const uint8_t *a)
{
	int n;

	for (n = 0; n < r->cfg->nnodes; n++)
		if (addr_of(r, n, 0)->family == AF_INET && memcmp(addr_of(r, n, 0)->bytes, a, 4) == 0)
			return n;
	return -1;
}

void rib_init(struct rib *r, const struct mr_config *cfg, int self, struct nl *nl, mtime_t now)
{
	int n, f;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->self = self;
	r->nl = nl;
	for (n = 0; n < MR_MAX_NODES; n++)
		for (f = 0; f < MR_NFAM; f++) {
			r->rt[n][f].installed = lan_path;
			r->rt[n][f].recheck_at = MTIME_NEVER;
			r->rt[n][f].changed_at = now;
		}
}

/* ---- dumps: callbacks only collect, a command mid-dump would interleave with it ---- */

#define COLLECT_MAX 256
struct collected {
	struct nl_route routes[COLLECT_MAX];
	int n;
};

static void collect_route(void *arg, const struct nl_route *rt, bool deleted)
{
	struct collected *c = arg;

	if (!deleted && c->n < COLLECT_MAX)
		c->routes[c->n++] = *rt;
}

/*
 * Our routes of one table (family AF_UNSPEC: both) into a new collection;
 * NULL on error, logged (nl.c logs a failed dump).
 */
static struct collected *dump(struct rib *r, int family, uint32_t table, int *err)
{
	struct collected *c = calloc(1, sizeof(*c));
	struct nl_handlers h = { .route = collect_route, .ctx = c };

	*err = -ENOMEM;
	if (!c) {
		log_warnx("routes: out of memory for a route dump");
		return NULL;
	}
	*err = nl_dump_routes(r->nl, family, table, MR_RTPROT, &h);
	if (*err < 0) {
		free(c);
		return NULL;
	}
	return c;
}

void rib_probe_flush(struct rib *r)
{
	static const struct nl_rule_req rule = {
		.family = AF_INET6, .table = MR_PROBE_TABLE, .pref = MR_PROBE_RULE_PREF,
		.fwmark = MR_PROBE_MARK,
	};
	struct collected *c;
	int i, err;

	if (!r->nl)
		return;
	c = dump(r, AF_INET6, MR_PROBE_TABLE, &err);
	for (i = 0; c && i < c->n; i++) {
		struct nl_route_req req;

		if (c->routes[i].noif == 0)
			continue;
		nl_route_req_host(&req, MR_PROBE_TABLE, AF_INET6, c->routes[i].dst);
		req.noif = 1;
		req.oif[0] = c->routes[i].oif[0];
		req.metric = c->routes[i].priority;
		nl_route_delete(r->nl, &req);
	}
	free(c);
	if (r->probe_rule && nl_rule_delete(r->nl, &rule) != -EBUSY)
		r->probe_rule = false;
}

int rib_probe_route(struct rib *r, const struct mr_addr *addr, int ifindex)
{
	static const struct nl_rule_req rule = {
		.family = AF_INET6, .table = MR_PROBE_TABLE, .pref = MR_PROBE_RULE_PREF,
		.fwmark = MR_PROBE_MARK,
	};
	struct nl_route_req req;

	if (!r->nl || addr->family != AF_INET6 || ifindex <= 0)
		return -EINVAL;
	if (!r->probe_rule && nl_rule_add(r->nl, &rule) == 0)
		r->probe_rule = true;
	nl_route_req_host(&req, MR_PROBE_TABLE, AF_INET6, addr->bytes);
	req.noif = 1;
	req.oif[0] = ifindex;
	req.metric = (uint32_t)ifindex;
	return nl_route_replace(r->nl, &req);
}

int rib_remove_stale(struct rib *r)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct collected *c;
	int err = 0, f, i;

	for (f = 0; f < 2; f++) {
		if (!(c = dump(r, families[f], RT_TABLE_MAIN, &err)))
			return err;
		for (i = 0; i < c->n; i++) {
			const struct nl_route *rt = &c->routes[i];
			struct nl_route_req req;

			if (rt->protocol != MR_RTPROT || rt->table != RT_TABLE_MAIN)
				continue;
			nl_route_req_host(&req, RT_TABLE_MAIN, rt->family, rt->dst);
			req.dst_len = rt->dst_len;
			/* A failure is logged by nl.c, with the route; one already gone is fine. */
			if (nl_route_delete(r->nl, &req) == 0)
				log_info("removed a route left by an earlier run");
		}
		free(c);
	}
	rib_probe_flush(r);
	return 0;
}

/* ---- deciding ---- */

int rib_direct_oif(const struct rib *r, int n)
{
	const struct rib_route *rt = &r->rt[n][0];

	if (n == r->self || addr_of(r, n, 0)->family != AF_INET || !rt->installed_known ||
	    rt->installed.noif == 0 || rt->installed.relayed)
		return 0;
	return rt->installed.oif[0];
}

/* No direct port to peer (IPv4): through a neighbour whose advertisement lists it, if any. */
static void relay_path(const struct rib *r, int peer, const struct advert_table *adv, mtime_t now,
		       struct path_result *want)
{
	struct relay_candidate c[MR_MAX_NODES];
	int n, k = 0, i;

	if (want->noif > 0 || addr_of(r, peer, 0)->family != AF_INET)
		return;
	for (n = 0; n < r->cfg->nnodes; n++) {
		if (n == r->self || n == peer || addr_of(r, n, 0)->family != AF_INET)
			continue;
		c[k].node = n;
		c[k].oif = rib_direct_oif(r, n);
		c[k].reaches = advert_table_reaches(adv, n, peer, now);
		k++;
	}
	i = path_relay_pick(c, k);
	if (i >= 0)
		path_relay_set(want, &c[i]);
}

void rib_decide(const struct rib *r, int peer, int fam, const struct path_candidate *c, int n,
		const struct advert_table *adv, mtime_t now, struct path_result *want)
{
	path_select(c, n, now, want);
	/*
	 * IPv6 multipath over device-only next hops needs nexthop objects
	 * (nl.h); without them one healthy port carries it, the lowest
	 * ifindex, stably.
	 */
	if (fam == 1 && want->noif > 1 && !(r->nl && nl_ipv6_multipath(r->nl)))
		want->noif = 1;
	if (fam == 0 && adv)
		relay_path(r, peer, adv, now, want);
}

bool rib_in_service(const struct rib *r, int peer, int fam, int ifindex)
{
	const struct rib_route *rt = &r->rt[peer][fam];
	bool in = false;
	int k;

	for (k = 0; k < rt->installed.noif; k++)
		if (rt->installed.oif[k] == ifindex)
			in = rt->installed_known && !rt->installed.relayed;
	return in;
}

mtime_t rib_recheck_at(const struct rib *r, int peer)
{
	return mtime_min(r->rt[peer][0].recheck_at, r->rt[peer][1].recheck_at);
}

/* ---- writing ---- */

/* The kernel's answer to making `want` our route to peer in fam (0: done). */
static int route_write(struct rib *r, int peer, int fam, const struct path_result *want)
{
	struct nl_route_req req;
	int err;

	nl_route_req_host(&req, RT_TABLE_MAIN, mr_fam_family(fam), addr_of(r, peer, fam)->bytes);
	if (want->noif == 0) {
		err = nl_route_delete(r->nl, &req);
		/* Already gone: that is what we wanted. */
		return err == -ESRCH || err == -ENOENT ? 0 : err;
	}
	req.has_src = true;
	memcpy(req.src, addr_of(r, r->self, fam)->bytes, sizeof(req.src));
	req.noif = want->relayed ? 1 : want->noif;
	memcpy(req.oif, want->oif, sizeof(req.oif[0]) * (size_t)req.noif);
	if (want->relayed) {
		req.has_gw = true;
		memcpy(req.gw, addr_of(r, want->relay_node, fam)->bytes, sizeof(req.gw));
	}
	return nl_route_replace(r->nl, &req);
}

bool rib_apply(struct rib *r, int peer, int fam, const struct path_result *want, mtime_t now,
	       struct rib_change *chg)
{
	struct rib_route *rt = &r->rt[peer][fam];
	bool changed;

	rt->recheck_at = want->recheck_at;
	if (rt->installed_known && path_equal(&rt->installed, want))
		return false;
	if (route_write(r, peer, fam, want) < 0) {
		/* nl logged the kernel's reason; try again soon. */
		rt->installed_known = false;
		rt->recheck_at = mtime_min(rt->recheck_at, now + ROUTE_RETRY);
		return false;
	}
	/* installed keeps the last known path even while unsure of it. */
	changed = !path_equal(&rt->installed, want);
	if (changed) {
		chg->peer = peer;
		chg->fam = fam;
		chg->old = rt->installed;
		chg->new = *want;
		/* A link's first bring-up after start is news to no one. */
		chg->alert = rt->ever_fast || want->noif == 0;
		rt->changed_at = now;
	}
	rt->installed = *want;
	rt->installed_known = true;
	if (want->noif > 0)
		rt->ever_fast = true;
	return changed;
}

bool rib_withdraw(struct rib *r, int peer, int fam, mtime_t now, struct rib_change *chg)
{
	struct path_result none = lan_path;

	r->rt[peer][fam].installed_known = false;
	return rib_apply(r, peer, fam, &none, now, chg);
}

/* ---- what the kernel holds ---- */

/* The peer whose host route in family fam rt is, -1 if it is none of ours. */
static int route_peer(const struct rib *r, const struct nl_route *rt, int fam)
{
	int n;

	if (rt->protocol != MR_RTPROT || rt->table != RT_TABLE_MAIN ||
	    (rt->family != AF_INET && rt->family != AF_INET6) || rt->dst_len != (fam ? 128 : 32))
		return -1;
	for (n = 0; n < r->cfg->nnodes; n++) {
		const struct mr_addr *a = addr_of(r, n, fam);

		if (n != r->self && a->family == rt->family &&
		    memcmp(a->bytes, rt->dst, fam ? 16 : 4) == 0)
			return n;
	}
	return -1;
}

/* The path a route of ours in the kernel is: its ports, and its gateway's node if relayed. */
static void route_seen(const struct rib *r, const struct nl_route *rt, struct path_result *seen)
{
	int k;

	for (k = 0; k < rt->noif; k++)
		path_add_oif(seen, rt->oif[k]);
	if (!rt->has_gw || rt->family != AF_INET)
		return;
	seen->relayed = true;
	/* A gateway that is no node of ours: -1, so it differs from anything we want. */
	seen->relay_node = node_by_addr4(r, rt->gw);
}

int rib_route_event(struct rib *r, const struct nl_route *rt, bool deleted)
{
	int fam = mr_fam(rt->family), n = route_peer(r, rt, fam);
	struct path_result seen = lan_path;
	struct rib_route *cur;

	if (n < 0)
		return -1;
	cur = &r->rt[n][fam];
	if (!deleted)
		route_seen(r, rt, &seen);
	if (cur->installed_known && path_equal(&cur->installed, &seen))
		return -1;
	if (deleted)
		log_warnx("%s: our route was removed by someone else", r->cfg->nodes[n].name);
	cur->installed = seen;
	cur->installed_known = true;
	return n;
}

int rib_resync(struct rib *r)
{
	struct path_result seen[MR_MAX_NODES][MR_NFAM];
	struct collected *c;
	int err, i, n, f;

	if (!(c = dump(r, AF_UNSPEC, RT_TABLE_MAIN, &err)))
		return err;
	for (n = 0; n < MR_MAX_NODES; n++)
		for (f = 0; f < MR_NFAM; f++)
			seen[n][f] = lan_path;
	for (i = 0; i < c->n; i++) {
		f = mr_fam(c->routes[i].family);
		if ((n = route_peer(r, &c->routes[i], f)) >= 0)
			route_seen(r, &c->routes[i], &seen[n][f]);
	}
	for (n = 0; n < r->cfg->nnodes; n++)
		for (f = 0; f < MR_NFAM && n != r->self; f++) {
			r->rt[n][f].installed = seen[n][f];
			r->rt[n][f].installed_known = true;
		}
	free(c);
	rib_fwd_forget(r);
	return 0;
}

void rib_port_down(struct rib *r, int ifindex)
{
	int n, f, k;

	for (n = 0; n < r->cfg->nnodes; n++)
		for (f = 0; f < MR_NFAM; f++)
			for (k = 0; k < r->rt[n][f].installed.noif; k++)
				if (r->rt[n][f].installed.oif[k] == ifindex)
					r->rt[n][f].installed_known = false;
}

/* ---- relay: the forwarding side ---- */

void rib_fwd_forget(struct rib *r)
{
	memset(r->fwd_known, 0, sizeof(r->fwd_known));
}

void rib_fwd_sync(struct rib *r, int lan_ifindex)
{
	int n;

	for (n = 0; n < r->cfg->nnodes && r->nl; n++) {
		const struct rib_route *rt = &r->rt[n][0];
		struct path_result own = rt->installed_known ? rt->installed : lan_path, w;
		struct nl_route_req req;

		if (n == r->self || addr_of(r, n, 0)->family != AF_INET)
			continue;
		path_for_forwarded(&own, &w);
		/* No direct path: the LAN; unreachable without one (never a miss into main). */
		if (w.noif == 0 && lan_ifindex > 0) {
			w.oif[0] = lan_ifindex;
			w.noif = 1;
		}
		if (r->fwd_known[n] && path_equal(&r->fwd[n], &w))
			continue;
		nl_route_req_host(&req, MR_RELAY_TABLE, AF_INET, addr_of(r, n, 0)->bytes);
		req.has_src = true;
		memcpy(req.src, addr_of(r, r->self, 0)->bytes, 4);
		req.noif = w.noif;
		memcpy(req.oif, w.oif, sizeof(req.oif[0]) * (size_t)w.noif);
		if (nl_route_replace(r->nl, &req) == 0) {
			r->fwd[n] = w;
			r->fwd_known[n] = true;
		}
	}
}

/* The rule "iif ifname lookup MR_RELAY_TABLE" added or deleted (ifname NULL: any one of ours). */
static int relay_rule(struct rib *r, const char *ifname, bool add)
{
	struct nl_rule_req req = {
		.family = AF_INET, .table = MR_RELAY_TABLE, .pref = MR_RELAY_RULE_PREF,
	};

	if (ifname)
		snprintf(req.iifname, sizeof(req.iifname), "%s", ifname);
	return add ? nl_rule_add(r->nl, &req) : nl_rule_delete(r->nl, &req);
}

int rib_relay_rules(struct rib *r, const char (*names)[16], int n)
{
	char keep[MR_MAX_FAST][16];
	int i, j, nkeep = 0, bad = 0;

	for (i = 0; i < n && i < MR_MAX_FAST; i++) {
		if (relay_rule(r, names[i], true) < 0)
			bad++;
		else
			memcpy(keep[nkeep++], names[i], 16);
	}
	/* Ports that left the config lose their rule only now: no gap for the others. */
	for (i = 0; i < r->nrules; i++) {
		bool still = false;

		for (j = 0; j < nkeep; j++)
			still |= strcmp(keep[j], r->rule_port[i]) == 0;
		if (!still)
			relay_rule(r, r->rule_port[i], false);
	}
	memcpy(r->rule_port, keep, sizeof(keep));
	r->nrules = nkeep;
	return bad ? -1 : 0;
}

void rib_relay_clear(struct rib *r)
{
	struct collected *c;
	int i, err;

	if (!r->nl)
		return;
	for (i = 0; i < r->nrules; i++)
		relay_rule(r, r->rule_port[i], false);
	/* Then any left by an earlier run: one rule per call, a handful at most. */
	for (i = 0; i < 4 * MR_MAX_FAST && relay_rule(r, NULL, false) == 0; i++)
		;
	r->nrules = 0;
	c = dump(r, AF_INET, MR_RELAY_TABLE, &err);
	for (i = 0; c && i < c->n; i++) {
		struct nl_route_req req;

		if (c->routes[i].family != AF_INET || c->routes[i].table != MR_RELAY_TABLE)
			continue;
		nl_route_req_host(&req, MR_RELAY_TABLE, AF_INET, c->routes[i].dst);
		nl_route_delete(r->nl, &req);
	}
	free(c);
	rib_fwd_forget(r);
}

/* ---- reload ---- */

void rib_peer_map(const struct mr_config *old, int oself, const struct mr_config *ncfg, int nself,
		  int old_of[MR_MAX_NODES])
{
	int n, i;

	for (n = 0; n < MR_MAX_NODES; n++) {
		old_of[n] = -1;
		for (i = 0; n < ncfg->nnodes && n != nself && i < old->nnodes; i++)
			if (i != oself && strcmp(ncfg->nodes[n].name, old->nodes[i].name) == 0 &&
			    mr_addr_eq(&ncfg->nodes[n].addr4, &old->nodes[i].addr4) &&
			    mr_addr_eq(&ncfg->nodes[n].addr6, &old->nodes[i].addr6))
				old_of[n] = i;
	}
}

void rib_reload(const struct rib *r, const int old_of[MR_MAX_NODES], mtime_t now,
		struct rib_route nrt[MR_MAX_NODES][MR_NFAM])
{
	struct rib fresh;
	int n;

	rib_init(&fresh, r->cfg, r->self, NULL, now);
	for (n = 0; n < MR_MAX_NODES; n++)
		memcpy(nrt[n], old_of[n] >= 0 ? r->rt[old_of[n]] : fresh.rt[n], sizeof(nrt[n]));
}

void rib_reload_swap(struct rib *r, int nself, struct rib_route nrt[MR_MAX_NODES][MR_NFAM])
{
	r->self = nself;
	memcpy(r->rt, nrt, sizeof(r->rt));
}
