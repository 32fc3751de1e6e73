// SPDX-License-Identifier: GPL-2.0-or-later
/* The mesh view's state in the daemon (see meshnode.h). */
#include <stdlib.h>
#include <string.h>

#include "meshnode.h"

struct meshnode {
	const struct mr_config *cfg;
	int self;
	bool configured;
	mtime_t started_at;

	/* this node's fast ports, in configuration order */
	int nports;
	char names[MR_MAX_FAST][16];
	struct mesh_port port[MR_MAX_FAST];
	struct mesh_cable_stats st[MR_MAX_FAST];	/* of the cable to the port's neighbour */

	/* what the configuration's nodes were: the store is kept while they stay */
	int nnodes;
	char node_names[MR_MAX_NODES][32];
	struct mr_addr node_addr[MR_MAX_NODES][2];

	struct mesh_store store;
	struct mesh_memory mem;

	/* sending */
	mtime_t next_send, last_send;

	/* the view and its warnings */
	bool dirty;			/* something changed since the last build */
	mtime_t built_at;		/* MTIME_NEVER: never */
	mtime_t diffed_at;		/* the build whose warnings were last reported */
	struct mesh_view view;
	int nprev;
	struct mesh_warning prev[MESH_MAX_WARNINGS];

	struct meshnode_stats stats;
};

struct meshnode *meshnode_new(void)
{
	struct meshnode *mn = calloc(1, sizeof(*mn));

	if (!mn)
		return NULL;
	mn->self = -1;
	mn->built_at = mn->diffed_at = MTIME_NEVER;
	mn->next_send = MTIME_NEVER;
	return mn;
}

void meshnode_free(struct meshnode *mn)
{
	free(mn);
}

static bool same_nodes(const struct meshnode *mn, const struct mr_config *cfg)
{
	int n;

	if (mn->nnodes != cfg->nnodes)
		return false;
	for (n = 0; n < cfg->nnodes; n++)
		if (strcmp(mn->node_names[n], cfg->nodes[n].name) != 0 ||
		    !mr_addr_eq(&mn->node_addr[n][0], &cfg->nodes[n].addr4) ||
		    !mr_addr_eq(&mn->node_addr[n][1], &cfg->nodes[n].addr6))
			return false;
	return true;
}

void meshnode_configure(struct meshnode *mn, const struct mr_config *cfg, int self, bool relearn,
			mtime_t now)
{
	const struct mr_node *me = &cfg->nodes[self];
	char names[MR_MAX_FAST][16];
	struct mesh_port port[MR_MAX_FAST];
	struct mesh_cable_stats st[MR_MAX_FAST];
	bool nodes_same = mn->configured && same_nodes(mn, cfg) && mn->self == self;
	int i, k, n = me->nfast < MR_MAX_FAST ? me->nfast : MR_MAX_FAST;

	if (n > LINKREP_NT_MAX_TOTAL)
		n = LINKREP_NT_MAX_TOTAL;
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", me->fast[i]);
		mesh_port_init(&port[i], now);
		memset(&st[i], 0, sizeof(st[i]));
		st[i].rtt_us = st[i].jitter_us = -1;
		st[i].loss_to = st[i].loss_from = -1;
		/* A port that stays keeps what it found, while node indices mean the same. */
		for (k = 0; k < mn->nports && nodes_same; k++)
			if (strcmp(mn->names[k], names[i]) == 0) {
				port[i] = mn->port[k];
				st[i] = mn->st[k];
				if (relearn)
					mesh_port_relearn(&port[i]);
			}
	}
	memcpy(mn->names, names, sizeof(names[0]) * (size_t)n);
	memcpy(mn->port, port, sizeof(port[0]) * (size_t)n);
	memcpy(mn->st, st, sizeof(st[0]) * (size_t)n);
	mn->nports = n;
	if (!nodes_same) {
		mesh_store_clear(&mn->store);
		memset(&mn->mem, 0, sizeof(mn->mem));
		mn->nprev = 0;
	}
	mn->nnodes = cfg->nnodes;
	for (i = 0; i < cfg->nnodes; i++) {
		snprintf(mn->node_names[i], sizeof(mn->node_names[i]), "%s", cfg->nodes[i].name);
		mn->node_addr[i][0] = cfg->nodes[i].addr4;
		mn->node_addr[i][1] = cfg->nodes[i].addr6;
	}
	mn->cfg = cfg;
	mn->self = self;
	if (!mn->configured) {
		mn->started_at = now;
		/* The first round soon, so that the others learn of us. */
		mn->next_send = now + MESH_MIN_GAP;
	}
	mn->configured = true;
	mn->dirty = true;
}

int meshnode_nports(const struct meshnode *mn)
{
	return mn->nports;
}

const char *meshnode_port_name(const struct meshnode *mn, int port)
{
	return port >= 0 && port < mn->nports ? mn->names[port] : NULL;
}

/* A round within MESH_MIN_GAP of a change, but never closer than that to the last. */
static void send_soon(struct meshnode *mn, mtime_t now)
{
	mtime_t t = mn->last_send ? mn->last_send + MESH_MIN_GAP : now;

	mn->next_send = mtime_min(mn->next_send, t > now ? t : now);
}

bool meshnode_port(struct meshnode *mn, int port, const struct mesh_port_facts *f,
		   const struct mesh_cable_stats *st, int nst, mtime_t now)
{
	struct mesh_port *p;
	bool changed;

	if (port < 0 || port >= mn->nports)
		return false;
	p = &mn->port[port];
	changed = mesh_port_update(p, f, now);
	if (p->node >= 0 && st && p->node < nst)
		mn->st[port] = st[p->node];
	if (changed) {
		mn->dirty = true;
		send_soon(mn, now);
	}
	return changed;
}

int meshnode_table_rx(struct meshnode *mn, int sender, uint32_t seq, const struct linkrep_nodes *t,
		      enum meshnode_via via, mtime_t now)
{
	int r;

	if (!mn->cfg || sender < 0 || sender >= mn->cfg->nnodes || sender == mn->self) {
		mn->stats.rx_refused++;
		return -1;
	}
	r = mesh_store_update(&mn->store, sender, seq, t, now);
	if (r == MESH_ACCEPTED) {
		mn->stats.rx[via < MESHNODE_VIA_MAX ? via : MESHNODE_VIA_FAST]++;
		mn->dirty = true;
	} else {
		mn->stats.rx_old++;
	}
	return r;
}

mtime_t meshnode_next_send(const struct meshnode *mn)
{
	return mn->configured ? mn->next_send : MTIME_NEVER;
}

mtime_t meshnode_next_deadline(const struct meshnode *mn)
{
	mtime_t t;

	if (!mn->configured)
		return MTIME_NEVER;
	if (mn->built_at == MTIME_NEVER)
		return mn->started_at;
	/*
	 * A change is built into the view with the next wake-up after
	 * MESHNODE_BUILD_GAP (the probes' come every few ms): no wake-up of its
	 * own, only the once-a-second rebuild and the expiries have one.
	 */
	t = mtime_min(mn->next_send, mn->built_at + MESHNODE_VIEW_EVERY);
	/* An entry that expires changes the view: rebuilt then, not a second later. */
	return mtime_min(t, mesh_store_next_expiry(&mn->store, mn->built_at));
}

/* Our table as entries at now. */
static int own_entries(const struct meshnode *mn, mtime_t now, struct linkrep_port *out)
{
	int i;

	for (i = 0; i < mn->nports; i++)
		mesh_port_entry(mn->cfg, mn->names[i], &mn->port[i], &mn->st[i], now, &out[i]);
	return mn->nports;
}

/* 90-110 % of MESH_INTERVAL, from a hash of the time: the nodes' rounds do not go in step. */
static mtime_t interval(mtime_t now)
{
	uint32_t x = (uint32_t)now * 2654435761u;

	return MESH_INTERVAL * 9 / 10 + (mtime_t)(x % (uint32_t)(MESH_INTERVAL / 5));
}

int meshnode_send(struct meshnode *mn, mtime_t now, struct linkrep_nodes *parts, int max)
{
	struct linkrep_port own[LINKREP_NT_MAX_TOTAL];
	int n, k, np;

	if (!mn->configured)
		return 0;
	n = own_entries(mn, now, own);
	np = mesh_parts(n);
	if (np > max)
		np = max;
	for (k = 0; k < np; k++)
		mesh_part(own, n, k, MESH_LIFETIME_MS, &parts[k]);
	mn->last_send = now;
	mn->next_send = now + interval(now);
	mn->stats.rounds++;
	return np;
}

static void build(struct meshnode *mn, mtime_t now)
{
	struct linkrep_port own[LINKREP_NT_MAX_TOTAL];
	struct mesh_input in = {
		.cfg = mn->cfg, .self = mn->self, .own = own, .store = &mn->store,
		.now = now, .started_at = mn->started_at,
	};

	in.nown = own_entries(mn, now, own);
	mesh_build(&in, &mn->mem, &mn->view);
	mn->built_at = now;
	mn->dirty = false;
}

static bool prev_has(const struct meshnode *mn, const char *key)
{
	int i;

	for (i = 0; i < mn->nprev; i++)
		if (strcmp(mn->prev[i].key, key) == 0)
			return true;
	return false;
}

static bool build_due(const struct meshnode *mn, mtime_t now)
{
	return mn->built_at == MTIME_NEVER || now >= mn->built_at + MESHNODE_VIEW_EVERY ||
	       (mn->dirty && now >= mn->built_at + MESHNODE_BUILD_GAP) ||
	       mesh_store_next_expiry(&mn->store, mn->built_at) <= now;
}

static bool ours(const struct mesh_warning *w, uint32_t me, bool first_live)
{
	return w->kind == MESH_W_SILENT ? first_live : (w->nodes & me) != 0;
}

void meshnode_tick(struct meshnode *mn, mtime_t now, meshnode_warn_fn *fn, void *arg)
{
	const struct mesh_view *v = &mn->view;
	uint32_t me;
	int i, first_live;

	if (!mn->configured)
		return;
	if (build_due(mn, now))
		build(mn, now);
	/* Also a build for the control command since the last tick: its warnings are new too. */
	if (mn->built_at == mn->diffed_at)
		return;
	mn->diffed_at = mn->built_at;
	me = MESH_NODE_BIT(mn->self);
	/* A silent node cannot raise its own warning: the first live node does. */
	for (i = 0; i < v->nnodes && !v->live[i]; i++)
		;
	first_live = i;
	for (i = 0; i < v->nwarn; i++) {
		if (prev_has(mn, v->warn[i].key))
			continue;
		mn->stats.warnings_raised++;
		if (fn)
			fn(arg, &v->warn[i], false, ours(&v->warn[i], me, first_live == mn->self));
	}
	for (i = 0; i < mn->nprev; i++) {
		if (mesh_view_has_warning(v, mn->prev[i].key))
			continue;
		mn->stats.warnings_cleared++;
		if (fn)
			fn(arg, &mn->prev[i], true, ours(&mn->prev[i], me, first_live == mn->self));
	}
	mn->nprev = v->nwarn;
	memcpy(mn->prev, v->warn, sizeof(v->warn[0]) * (size_t)v->nwarn);
}

const struct mesh_view *meshnode_view(struct meshnode *mn, mtime_t now)
{
	if (mn->configured && (mn->built_at != now || mn->dirty))
		build(mn, now);
	return &mn->view;
}

void meshnode_render(struct meshnode *mn, enum mesh_format fmt, mtime_t now, FILE *out)
{
	mesh_render(meshnode_view(mn, now), fmt, out);
}

void meshnode_metrics(struct meshnode *mn, mtime_t now, FILE *out)
{
	if (!mn->configured)
		return;
	mesh_metrics(meshnode_view(mn, now), out);
}

void meshnode_get_stats(const struct meshnode *mn, struct meshnode_stats *st)
{
	*st = mn->stats;
}
