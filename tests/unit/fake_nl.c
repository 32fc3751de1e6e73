// SPDX-License-Identifier: GPL-2.0-or-later
/* An in-memory kernel behind nl.h's route, rule and dump calls (fake_nl.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include "fake_nl.h"

struct fake_nl fake_nl;

void fake_nl_reset(void)
{
	memset(&fake_nl, 0, sizeof(fake_nl));
}

static size_t alen(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static bool same_dst(const struct nl_route_req *a, uint32_t table, int family, const uint8_t *dst,
		     uint8_t dst_len)
{
	return a->table == table && a->family == family && a->dst_len == dst_len &&
	       memcmp(a->dst, dst, alen(family)) == 0;
}

const struct nl_route_req *fake_nl_route(uint32_t table, int family, const uint8_t *dst)
{
	int i;

	for (i = 0; i < fake_nl.nroutes; i++)
		if (same_dst(&fake_nl.routes[i], table, family, dst, (uint8_t)(8 * alen(family))))
			return &fake_nl.routes[i];
	return NULL;
}

const struct nl_rule_req *fake_nl_rule(uint32_t table, const char *ifname)
{
	int i;

	for (i = 0; i < fake_nl.nrules; i++)
		if (fake_nl.rules[i].table == table && strcmp(fake_nl.rules[i].iifname, ifname) == 0)
			return &fake_nl.rules[i];
	return NULL;
}

static int take_failure(void)
{
	int err = fake_nl.fail_next;

	fake_nl.fail_next = 0;
	return err;
}

int nl_route_replace(struct nl *nl, const struct nl_route_req *r)
{
	int i, err;

	(void)nl;
	if (alen(r->family) == 0 || r->noif < 0 || r->noif > NL_MAX_NH ||
	    (r->has_gw && r->noif != 1) || (r->noif == 0 && r->table == RT_TABLE_MAIN))
		return -EINVAL;
	for (i = 0; i < r->noif; i++)
		if (r->oif[i] <= 0)
			return -EINVAL;
	if (r->family == AF_INET6 && r->noif > 1 &&
	    (!fake_nl.ipv6_multipath || r->table != RT_TABLE_MAIN || r->has_gw))
		return -EOPNOTSUPP;
	if ((err = take_failure()) < 0)
		return err;
	fake_nl.writes++;
	/* The kernel's key: table, destination and metric. */
	for (i = 0; i < fake_nl.nroutes; i++)
		if (same_dst(&fake_nl.routes[i], r->table, r->family, r->dst, r->dst_len) &&
		    fake_nl.routes[i].metric == r->metric)
			break;
	if (i == FAKE_NL_MAX)
		return -ENOMEM;
	if (i == fake_nl.nroutes)
		fake_nl.nroutes++;
	fake_nl.routes[i] = *r;
	return 0;
}

int nl_route_delete(struct nl *nl, const struct nl_route_req *r)
{
	int i, err;

	(void)nl;
	if (alen(r->family) == 0)
		return -EINVAL;
	if ((err = take_failure()) < 0)
		return err;
	fake_nl.writes++;
	for (i = 0; i < fake_nl.nroutes; i++) {
		const struct nl_route_req *k = &fake_nl.routes[i];

		if (!same_dst(k, r->table, r->family, r->dst, r->dst_len))
			continue;
		/* One oif and a metric pick one route of several. */
		if (r->noif == 1 && r->metric && (k->metric != r->metric || k->oif[0] != r->oif[0]))
			continue;
		fake_nl.routes[i] = fake_nl.routes[--fake_nl.nroutes];
		return 0;
	}
	return -ESRCH;
}

static bool rule_matches(const struct nl_rule_req *k, const struct nl_rule_req *r)
{
	return k->family == r->family && k->table == r->table && k->pref == r->pref &&
	       (!r->fwmark || k->fwmark == r->fwmark) &&
	       (!r->iifname[0] || strcmp(k->iifname, r->iifname) == 0);
}

int nl_rule_add(struct nl *nl, const struct nl_rule_req *r)
{
	int i, err;

	(void)nl;
	if ((err = take_failure()) < 0)
		return err;
	for (i = 0; i < fake_nl.nrules; i++)
		if (memcmp(&fake_nl.rules[i], r, sizeof(*r)) == 0)
			return 0;
	if (fake_nl.nrules == FAKE_NL_MAX)
		return -ENOMEM;
	fake_nl.rules[fake_nl.nrules++] = *r;
	return 0;
}

int nl_rule_delete(struct nl *nl, const struct nl_rule_req *r)
{
	int i, err;

	(void)nl;
	if ((err = take_failure()) < 0)
		return err;
	for (i = 0; i < fake_nl.nrules; i++)
		if (rule_matches(&fake_nl.rules[i], r)) {
			memmove(&fake_nl.rules[i], &fake_nl.rules[i + 1],
				sizeof(fake_nl.rules[0]) * (size_t)(fake_nl.nrules - i - 1));
			fake_nl.nrules--;
			return 0;
		}
	return -ENOENT;
}

/* A stored route as a dump reports it. */
static void as_dumped(const struct nl_route_req *k, struct nl_route *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	out->family = k->family;
	memcpy(out->dst, k->dst, sizeof(out->dst));
	out->dst_len = k->dst_len;
	out->protocol = MR_RTPROT;
	out->table = k->table;
	out->type = k->noif ? RTN_UNICAST : RTN_UNREACHABLE;
	out->scope = k->has_gw || !k->noif ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	out->noif = k->noif;
	for (i = 0; i < k->noif; i++)
		out->oif[i] = k->oif[i];
	out->has_prefsrc = k->has_src;
	memcpy(out->prefsrc, k->src, sizeof(out->prefsrc));
	out->has_gw = k->has_gw;
	memcpy(out->gw, k->gw, sizeof(out->gw));
	out->priority = k->metric;
}

int nl_dump_routes(struct nl *nl, int family, uint32_t table, uint8_t protocol,
		   const struct nl_handlers *h)
{
	struct nl_route r;
	int i;

	(void)nl;
	if (fake_nl.dump_fail)
		return fake_nl.dump_fail;
	for (i = 0; i < fake_nl.nroutes; i++) {
		const struct nl_route_req *k = &fake_nl.routes[i];

		if (k->table != table || (family != AF_UNSPEC && k->family != family) ||
		    (protocol && protocol != MR_RTPROT))
			continue;
		as_dumped(k, &r);
		if (h && h->route)
			h->route(h->ctx, &r, false);
	}
	return 0;
}

bool nl_ipv6_multipath(struct nl *nl)
{
	(void)nl;
	return fake_nl.ipv6_multipath;
}
