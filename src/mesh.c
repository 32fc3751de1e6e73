// SPDX-License-Identifier: GPL-2.0-or-later
/* The mesh view: own table, received tables, matching and warnings (see mesh.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "mesh.h"

static const char *const state_names[LINKREP_NS_MAX] = {
	[LINKREP_NS_NONE] = "none",
	[LINKREP_NS_UP] = "up",
	[LINKREP_NS_DOWN] = "down",
	[LINKREP_NS_DRAINED] = "drained",
	[LINKREP_NS_MTU] = "mtu",
	[LINKREP_NS_LOSSY] = "lossy",
};

static const char *const warn_names[MESH_W_MAX] = {
	[MESH_W_SILENT] = "silent",
	[MESH_W_NO_CABLE] = "no-cable",
	[MESH_W_WRONG_PORT] = "wrong-port",
	[MESH_W_MOVED] = "moved",
};

const char *mesh_state_name(int state)
{
	return state >= 0 && state < LINKREP_NS_MAX ? state_names[state] : "?";
}

const char *mesh_warn_kind_name(int kind)
{
	return kind >= 0 && kind < MESH_W_MAX ? warn_names[kind] : "?";
}

/* ---- this node's table ---- */

void mesh_port_init(struct mesh_port *p, mtime_t now)
{
	p->node = p->expected = -1;
	p->state = LINKREP_NS_NONE;
	p->since = now;
}

static int lowest_bit(uint32_t m)
{
	return m ? __builtin_ctz(m) : -1;
}

bool mesh_port_update(struct mesh_port *p, const struct mesh_port_facts *f, mtime_t now)
{
	int node = p->node;
	uint8_t state;

	/* The current neighbour first: a port that hears two nodes does not flip between them. */
	if (f->in_service)
		node = node >= 0 && (f->in_service & MESH_NODE_BIT(node)) ? node :
		       lowest_bit(f->in_service);
	else if (f->heard)
		node = node >= 0 && (f->heard & MESH_NODE_BIT(node)) ? node : lowest_bit(f->heard);
	if (node >= 0 && p->expected < 0)
		p->expected = node;
	if (node < 0)
		state = LINKREP_NS_NONE;
	else if (f->drained)
		state = LINKREP_NS_DRAINED;
	else if (f->lossy & MESH_NODE_BIT(node))
		state = LINKREP_NS_LOSSY;
	else if (f->mtu_failed & MESH_NODE_BIT(node))
		state = LINKREP_NS_MTU;
	else if (f->present && f->carrier && (f->in_service & MESH_NODE_BIT(node)))
		state = LINKREP_NS_UP;
	else
		state = LINKREP_NS_DOWN;
	if (node == p->node && state == p->state)
		return false;
	p->node = node;
	p->state = state;
	p->since = now;
	return true;
}

void mesh_port_relearn(struct mesh_port *p)
{
	p->expected = p->node;
}

const struct mr_addr *mesh_node_addr(const struct mr_config *cfg, int node)
{
	return cfg->nodes[node].addr4.family ? &cfg->nodes[node].addr4 : &cfg->nodes[node].addr6;
}

int mesh_node_by_addr(const struct mr_config *cfg, const struct mr_addr *a)
{
	int n;

	if (!a->family)
		return -1;
	for (n = 0; n < cfg->nnodes; n++)
		if (mr_addr_eq(&cfg->nodes[n].addr4, a) || mr_addr_eq(&cfg->nodes[n].addr6, a))
			return n;
	return -1;
}

static uint32_t u32_or_unknown(int64_t v)
{
	return v < 0 || v >= (int64_t)LINKREP_NT_UNKNOWN32 ? LINKREP_NT_UNKNOWN32 : (uint32_t)v;
}

static uint16_t permille_or_unknown(int v)
{
	return v < 0 ? LINKREP_NT_LOSS_UNKNOWN : v > 1000 ? 1000 : (uint16_t)v;
}

void mesh_port_entry(const struct mr_config *cfg, const char *name, const struct mesh_port *p,
		     const struct mesh_cable_stats *st, mtime_t now, struct linkrep_port *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->port, sizeof(out->port), "%s", name);
	out->state = p->node >= 0 ? p->state : LINKREP_NS_NONE;
	out->since_ms = now > p->since ? (uint64_t)(now - p->since) / 1000 : 0;
	out->rtt_us = out->jitter_us = LINKREP_NT_UNKNOWN32;
	out->loss_to = out->loss_from = LINKREP_NT_LOSS_UNKNOWN;
	if (p->node < 0 || p->node >= cfg->nnodes)
		return;
	out->node = *mesh_node_addr(cfg, p->node);
	out->expected = *mesh_node_addr(cfg, p->expected >= 0 && p->expected < cfg->nnodes ?
					p->expected : p->node);
	if (!st)
		return;
	snprintf(out->peer_port, sizeof(out->peer_port), "%s", st->peer_port);
	out->rtt_us = u32_or_unknown(st->rtt_us);
	out->jitter_us = u32_or_unknown(st->jitter_us);
	out->loss_to = permille_or_unknown(st->loss_to);
	out->loss_from = permille_or_unknown(st->loss_from);
	out->flaps = st->flaps;
	out->detect_us = st->detect_us;
	out->last_detect_us = st->last_detect_us;
}

int mesh_parts(int n)
{
	return n <= 0 ? 1 : (n + LINKREP_NT_MAX - 1) / LINKREP_NT_MAX;
}

void mesh_part(const struct linkrep_port *e, int n, int k, uint32_t lifetime_ms,
	       struct linkrep_nodes *out)
{
	int first = k * LINKREP_NT_MAX;

	memset(out, 0, sizeof(*out));
	if (n > LINKREP_NT_MAX_TOTAL)
		n = LINKREP_NT_MAX_TOTAL;
	out->total = (uint8_t)n;
	out->lifetime_ms = lifetime_ms;
	if (first >= n)
		return;
	out->first = (uint8_t)first;
	out->count = (uint8_t)(n - first < LINKREP_NT_MAX ? n - first : LINKREP_NT_MAX);
	memcpy(out->p, e + first, sizeof(out->p[0]) * out->count);
}

/* ---- the tables other nodes sent ---- */

static bool seq_newer(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

int mesh_store_update(struct mesh_store *st, int sender, uint32_t seq,
		      const struct linkrep_nodes *t, mtime_t now)
{
	struct mesh_remote *r;
	mtime_t life;
	bool taken = false;
	int i;

	if (sender < 0 || sender >= MR_MAX_NODES)
		return MESH_OLD;
	r = &st->n[sender];
	life = MTIME_MS(t->lifetime_ms > LINKREP_NT_MAX_LIFETIME_MS ? LINKREP_NT_MAX_LIFETIME_MS :
			t->lifetime_ms);
	if (!r->heard || now >= r->expires || seq_newer(seq, r->seq)) {
		r->heard = true;
		r->seq = seq;
		r->total = t->total > LINKREP_NT_MAX_TOTAL ? LINKREP_NT_MAX_TOTAL : t->total;
		r->at = now;
		r->expires = now + life;
		for (i = r->total; i < LINKREP_NT_MAX_TOTAL; i++)
			r->s[i].valid = false;
		taken = true;
	}
	for (i = 0; i < t->count && t->first + i < r->total; i++) {
		struct mesh_slot *s = &r->s[t->first + i];

		if (s->valid && now < s->expires && !seq_newer(seq, s->seq))
			continue;
		s->valid = true;
		s->seq = seq;
		s->at = now;
		s->expires = now + life;
		s->p = t->p[i];
		taken = true;
	}
	if (taken)
		st->accepted++;
	else
		st->old++;
	return taken ? MESH_ACCEPTED : MESH_OLD;
}

bool mesh_store_live(const struct mesh_store *st, int node, mtime_t now)
{
	return node >= 0 && node < MR_MAX_NODES && st->n[node].heard && now < st->n[node].expires;
}

mtime_t mesh_store_next_expiry(const struct mesh_store *st, mtime_t now)
{
	mtime_t t = MTIME_NEVER;
	int n, i;

	for (n = 0; n < MR_MAX_NODES; n++) {
		const struct mesh_remote *r = &st->n[n];

		if (!r->heard || now >= r->expires)
			continue;
		t = mtime_min(t, r->expires);
		for (i = 0; i < r->total; i++)
			if (r->s[i].valid && now < r->s[i].expires)
				t = mtime_min(t, r->s[i].expires);
	}
	return t;
}

void mesh_store_clear(struct mesh_store *st)
{
	memset(st, 0, sizeof(*st));
}

/* ---- the view ---- */

/* One end of a cable, from one node's table: node x's port, towards node y. */
struct half {
	int x, y;
	const struct linkrep_port *e;
	mtime_t at;			/* when the entry was true (its since_ms counts back from it) */
	bool matched;
};

struct build {
	const struct mesh_input *in;
	struct mesh_view *v;
	struct half h[MR_MAX_NODES * LINKREP_NT_MAX_TOTAL];
	int nh;
	/* Per node: its table's entries as halves [first, first + n), live or not. */
	int first[MR_MAX_NODES], n[MR_MAX_NODES];
};

static void add_half(struct build *b, int x, const struct linkrep_port *e, mtime_t at)
{
	int y = mesh_node_by_addr(b->in->cfg, &e->node);

	if (y < 0 || y == x || b->nh >= (int)(sizeof(b->h) / sizeof(b->h[0])))
		return;
	b->h[b->nh++] = (struct half){ .x = x, .y = y, .e = e, .at = at };
}

/* Every live entry with a neighbour, own table and received ones. */
static void collect(struct build *b)
{
	const struct mesh_input *in = b->in;
	int n, i;

	for (n = 0; n < in->cfg->nnodes && n < MR_MAX_NODES; n++) {
		b->first[n] = b->nh;
		if (n == in->self) {
			for (i = 0; i < in->nown && i < LINKREP_NT_MAX_TOTAL; i++)
				add_half(b, n, &in->own[i], in->now);
		} else if (mesh_store_live(in->store, n, in->now)) {
			const struct mesh_remote *r = &in->store->n[n];

			for (i = 0; i < r->total; i++)
				if (r->s[i].valid && in->now < r->s[i].expires)
					add_half(b, n, &r->s[i].p, r->s[i].at);
		}
		b->n[n] = b->nh - b->first[n];
	}
}

/*
 * Do halves p (x's port towards y) and q (y's port towards x) describe one
 * cable?  level 2: each names the other's port; 1: one does and the other
 * names none; 0: neither names one.
 */
static bool halves_match(const struct half *p, const struct half *q, int level)
{
	bool pq = strcmp(p->e->peer_port, q->e->port) == 0;
	bool qp = strcmp(q->e->peer_port, p->e->port) == 0;
	bool p_none = !p->e->peer_port[0], q_none = !q->e->peer_port[0];

	if (p->x != q->y || p->y != q->x)
		return false;
	switch (level) {
	case 2:
		return pq && qp;
	case 1:
		return (pq && q_none) || (qp && p_none);
	default:
		return p_none && q_none;
	}
}

/* Unmatched halves from x towards y. */
static int unmatched(const struct build *b, int x, int y, int *last)
{
	int i, c = 0;

	for (i = b->first[x]; i < b->first[x] + b->n[x]; i++)
		if (!b->h[i].matched && b->h[i].y == y) {
			c++;
			*last = i;
		}
	return c;
}

/* The deciding end's state: drained, lossy, mtu, down, up (worst first). */
static int state_rank(int s)
{
	switch (s) {
	case LINKREP_NS_DRAINED:
		return 5;
	case LINKREP_NS_LOSSY:
		return 4;
	case LINKREP_NS_MTU:
		return 3;
	case LINKREP_NS_DOWN:
		return 2;
	case LINKREP_NS_UP:
		return 1;
	default:
		return 0;
	}
}

static mtime_t half_since(const struct half *h)
{
	return h->at - (mtime_t)(h->e->since_ms > (uint64_t)INT64_MAX / 2000 ?
				 (uint64_t)INT64_MAX / 2000 : h->e->since_ms) * 1000;
}

static int64_t opt32(uint32_t v)
{
	return v == LINKREP_NT_UNKNOWN32 ? -1 : (int64_t)v;
}

static int opt_loss(uint16_t v)
{
	return v == LINKREP_NT_LOSS_UNKNOWN ? -1 : v;
}

static struct mesh_link *new_link(struct mesh_view *v)
{
	struct mesh_link *l;

	if (v->nlinks >= MESH_MAX_LINKS)
		return NULL;
	l = &v->links[v->nlinks++];
	memset(l, 0, sizeof(*l));
	l->rtt_us = l->jitter_us = -1;
	l->loss_ab = l->loss_ba = -1;
	return l;
}

/*
 * A row from the half of end x (and of end y when matched).  p: a's end,
 * q: b's end; either may be NULL, not both.
 */
static void make_row(struct build *b, const struct half *p, const struct half *q)
{
	const struct half *one = p ? p : q, *decide, *first;
	struct mesh_link *l = new_link(b->v);

	if (!l)
		return;
	l->a = p ? p->x : q->y;
	l->b = p ? p->y : q->x;
	/* Ports: each end's own name, else what the other end learned of it. */
	if (p)
		snprintf(l->port_a, sizeof(l->port_a), "%s", p->e->port);
	else
		snprintf(l->port_a, sizeof(l->port_a), "%s", q->e->peer_port);
	if (q)
		snprintf(l->port_b, sizeof(l->port_b), "%s", q->e->port);
	else
		snprintf(l->port_b, sizeof(l->port_b), "%s", p->e->peer_port);
	l->by_a = p != NULL;
	l->by_b = q != NULL;
	if (p && q) {
		int rp = state_rank(p->e->state), rq = state_rank(q->e->state);

		decide = rp > rq ? p : rq > rp ? q : NULL;
		l->state = decide ? decide->e->state : p->e->state;
		/* Same state at both ends: since the later of the two changes. */
		l->since = decide ? half_since(decide) :
			   mtime_max(half_since(p), half_since(q));
	} else {
		l->state = one->e->state;
		l->since = half_since(one);
	}
	l->since_known = true;
	/* RTT and jitter: the viewer's own measure first (no report delay), then a's, then b's. */
	first = p && p->x == b->in->self ? p : q && q->x == b->in->self ? q : p ? p : q;
	l->rtt_us = opt32(first->e->rtt_us);
	l->jitter_us = opt32(first->e->jitter_us);
	if (l->rtt_us < 0 && first == p && q) {
		l->rtt_us = opt32(q->e->rtt_us);
		l->jitter_us = opt32(q->e->jitter_us);
	} else if (l->rtt_us < 0 && first == q && p) {
		l->rtt_us = opt32(p->e->rtt_us);
		l->jitter_us = opt32(p->e->jitter_us);
	}
	/* Loss a -> b is counted by b (its "from"); a learns the same figure from b's reports. */
	l->loss_ab = q ? opt_loss(q->e->loss_from) : -1;
	if (l->loss_ab < 0 && p)
		l->loss_ab = opt_loss(p->e->loss_to);
	l->loss_ba = p ? opt_loss(p->e->loss_from) : -1;
	if (l->loss_ba < 0 && q)
		l->loss_ba = opt_loss(q->e->loss_to);
	l->flaps_known = true;
	l->flaps = p && q ? (p->e->flaps > q->e->flaps ? p->e->flaps : q->e->flaps) : one->e->flaps;
	l->detect_us = p && q ? (p->e->detect_us > q->e->detect_us ? p->e->detect_us :
				 q->e->detect_us) : one->e->detect_us;
	l->last_detect_us = p && q ? (p->e->last_detect_us > q->e->last_detect_us ?
				      p->e->last_detect_us : q->e->last_detect_us) :
			    one->e->last_detect_us;
}

static void match_pair(struct build *b, int a, int bb)
{
	int level, i, j;

	for (level = 2; level >= 0; level--) {
		for (i = b->first[a]; i < b->first[a] + b->n[a]; i++) {
			struct half *p = &b->h[i];

			if (p->matched || p->y != bb)
				continue;
			for (j = b->first[bb]; j < b->first[bb] + b->n[bb]; j++) {
				struct half *q = &b->h[j];
				int last;

				if (q->matched || !halves_match(p, q, level))
					continue;
				/* Nameless ends pair up only when nothing else could be meant. */
				if (level == 0 && (unmatched(b, a, bb, &last) != 1 ||
						   unmatched(b, bb, a, &last) != 1))
					continue;
				p->matched = q->matched = true;
				make_row(b, p, q);
				break;
			}
		}
	}
	for (i = b->first[a]; i < b->first[a] + b->n[a]; i++)
		if (!b->h[i].matched && b->h[i].y == bb) {
			b->h[i].matched = true;
			make_row(b, &b->h[i], NULL);
		}
	for (j = b->first[bb]; j < b->first[bb] + b->n[bb]; j++)
		if (!b->h[j].matched && b->h[j].y == a) {
			b->h[j].matched = true;
			make_row(b, NULL, &b->h[j]);
		}
}

/* Rows of a pair from memory (both ends silent), or its row of state none. */
static void pair_rest(struct build *b, struct mesh_memory *mem, int a, int bb, int rows)
{
	struct mesh_link *l;
	int k;

	if (rows > 0) {
		if (mem) {
			/* Remembered for when both ends fall silent. */
			mem->pair[a][bb].n = 0;
			mem->pair[a][bb].at = b->in->now;
			for (k = b->v->nlinks - rows; k < b->v->nlinks; k++) {
				int m = mem->pair[a][bb].n;

				if (m >= MESH_PAIR_MEMORY)
					break;
				memcpy(mem->pair[a][bb].port_a[m], b->v->links[k].port_a, 16);
				memcpy(mem->pair[a][bb].port_b[m], b->v->links[k].port_b, 16);
				mem->pair[a][bb].n++;
			}
		}
		return;
	}
	/* A live end whose table has no cable to the other: none is there now. */
	if (mem && (b->v->live[a] || b->v->live[bb]))
		mem->pair[a][bb].n = 0;
	if (mem && mem->pair[a][bb].n > 0) {
		for (k = 0; k < mem->pair[a][bb].n; k++) {
			if (!(l = new_link(b->v)))
				return;
			l->a = a;
			l->b = bb;
			memcpy(l->port_a, mem->pair[a][bb].port_a[k], 16);
			memcpy(l->port_b, mem->pair[a][bb].port_b[k], 16);
			/* Neither end heard: not vouched for. */
			l->state = LINKREP_NS_DOWN;
			l->since_known = true;
			l->since = mem->pair[a][bb].at;
		}
		return;
	}
	if (!(l = new_link(b->v)))
		return;
	l->a = a;
	l->b = bb;
	l->state = LINKREP_NS_NONE;
}

/* ---- warnings ---- */

static struct mesh_warning *warn(struct mesh_view *v, int kind, uint32_t nodes)
{
	struct mesh_warning *w;

	if (v->nwarn >= MESH_MAX_WARNINGS) {
		v->warn_dropped++;
		return NULL;
	}
	w = &v->warn[v->nwarn++];
	memset(w, 0, sizeof(*w));
	w->kind = (uint8_t)kind;
	w->nodes = nodes;
	return w;
}

/* Appends to a warning's text. */
static void wcat(struct mesh_warning *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wcat(struct mesh_warning *w, const char *fmt, ...)
{
	size_t off = strlen(w->text);
	va_list ap;

	if (off >= sizeof(w->text) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(w->text + off, sizeof(w->text) - off, fmt, ap);
	va_end(ap);
}

/* The warning's key; through a buffer of its own (names come from the same view). */
static void wkey(struct mesh_warning *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wkey(struct mesh_warning *w, const char *fmt, ...)
{
	char buf[sizeof(w->key)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(w->key, buf, sizeof(buf));
}

static void age_text(mtime_t us, char *buf, size_t len)
{
	if (us < MTIME_S(60))
		snprintf(buf, len, "%" PRId64 ".%" PRId64 " s", us / 1000000, us / 100000 % 10);
	else
		snprintf(buf, len, "%" PRId64 " min", us / 60000000);
}

static void warn_silent(const struct build *b)
{
	struct mesh_view *v = b->v;
	int n;

	for (n = 0; n < v->nnodes; n++) {
		struct mesh_warning *w;
		char age[32];

		if (v->live[n] || !(w = warn(v, MESH_W_SILENT, MESH_NODE_BIT(n))))
			continue;
		wkey(w, "silent %s", v->names[n]);
		if (v->heard[n]) {
			age_text(b->in->now - v->heard_at[n], age, sizeof(age));
			wcat(w, "%s: no link table for %s (its meshrouted is silent or cut off on every "
			     "fast link and the LAN); its cables as its neighbours see them", v->names[n],
			     age);
		} else {
			wcat(w, "%s: no link table since start (meshrouted not running there, a version "
			     "without link tables, or cut off on every fast link and the LAN)",
			     v->names[n]);
		}
	}
}

static int pair_cables(const struct mesh_view *v, int x, int y)
{
	int a = x < y ? x : y, bb = x < y ? y : x, i, c = 0;

	for (i = 0; i < v->nlinks; i++)
		if (v->links[i].a == a && v->links[i].b == bb &&
		    v->links[i].state != LINKREP_NS_NONE)
			c++;
	return c;
}

/* " fast1, fast2" or " (none)": x's ports with no neighbour found, from its live table. */
static void free_ports(const struct build *b, int x, struct mesh_warning *w)
{
	const struct mesh_input *in = b->in;
	int i, c = 0;

	if (x == in->self) {
		for (i = 0; i < in->nown; i++)
			if (in->own[i].state == LINKREP_NS_NONE)
				wcat(w, "%s%s", c++ ? ", " : " ", in->own[i].port);
	} else {
		const struct mesh_remote *r = &in->store->n[x];

		for (i = 0; i < r->total; i++)
			if (r->s[i].valid && in->now < r->s[i].expires &&
			    r->s[i].p.state == LINKREP_NS_NONE)
				wcat(w, "%s%s", c++ ? ", " : " ", r->s[i].p.port);
	}
	if (!c)
		wcat(w, " (none)");
}

static void warn_no_cable(const struct build *b)
{
	const struct mr_config *cfg = b->in->cfg;
	struct mesh_view *v = b->v;
	int n, i;

	/* Only where the config gives every node a port for each other node. */
	for (n = 0; n < cfg->nnodes; n++)
		if (cfg->nodes[n].nfast < cfg->nnodes - 1)
			return;
	for (i = 0; i < v->nlinks; i++) {
		const struct mesh_link *l = &v->links[i];
		struct mesh_warning *w;

		/* Both ends must speak: a silent node has its own warning. */
		if (l->state != LINKREP_NS_NONE || !v->live[l->a] || !v->live[l->b])
			continue;
		if (!(w = warn(v, MESH_W_NO_CABLE, MESH_NODE_BIT(l->a) | MESH_NODE_BIT(l->b))))
			return;
		wkey(w, "no-cable %s %s", v->names[l->a], v->names[l->b]);
		wcat(w, "%s - %s: no cable, though every node has enough fast ports for a full mesh; "
		     "free ports: %s", v->names[l->a], v->names[l->b], v->names[l->a]);
		free_ports(b, l->a, w);
		wcat(w, "; %s", v->names[l->b]);
		free_ports(b, l->b, w);
	}
}

/* "fast0 and fast1" / "fast0, fast1 and fast2": x's ports on the cables of pair (x, y). */
static void pair_ports(const struct mesh_view *v, int x, int y, bool own, struct mesh_warning *w)
{
	int a = x < y ? x : y, bb = x < y ? y : x, i, k = 0, n = pair_cables(v, x, y);

	for (i = 0; i < v->nlinks; i++) {
		const struct mesh_link *l = &v->links[i];
		const char *port;

		if (l->a != a || l->b != bb || l->state == LINKREP_NS_NONE)
			continue;
		port = (x == a) == own ? l->port_a : l->port_b;
		wcat(w, "%s%s", k == 0 ? "" : k == n - 1 ? " and " : ", ", port[0] ? port : "?");
		k++;
	}
}

static void warn_wrong_port(const struct build *b)
{
	struct mesh_view *v = b->v;
	int x, y, z;

	for (x = 0; x < v->nnodes; x++)
		for (y = 0; y < v->nnodes; y++) {
			struct mesh_warning *w;
			uint32_t missing = 0;
			int c = 0;

			if (x == y || !v->live[x] || pair_cables(v, x, y) < 2)
				continue;
			for (z = 0; z < v->nnodes; z++)
				if (z != x && z != y && pair_cables(v, x, z) == 0)
					missing |= MESH_NODE_BIT(z);
			if (!missing || !(w = warn(v, MESH_W_WRONG_PORT,
						   MESH_NODE_BIT(x) | MESH_NODE_BIT(y) | missing)))
				continue;
			wkey(w, "wrong-port %s %s", v->names[x], v->names[y]);
			wcat(w, "%s: ", v->names[x]);
			pair_ports(v, x, y, true, w);
			wcat(w, " %s reach %s (its ", pair_cables(v, x, y) == 2 ? "both" : "all",
			     v->names[y]);
			pair_ports(v, x, y, false, w);
			wcat(w, ") while %s has no cable to ", v->names[x]);
			for (z = 0; z < v->nnodes; z++)
				if (missing & MESH_NODE_BIT(z))
					wcat(w, "%s%s", c++ ? ", " : "", v->names[z]);
			wcat(w, ": a cable in the wrong port?");
		}
}

static void moved_one(const struct build *b, int x, const struct linkrep_port *e)
{
	const struct mr_config *cfg = b->in->cfg;
	struct mesh_view *v = b->v;
	struct mesh_warning *w;
	int now = mesh_node_by_addr(cfg, &e->node), was = mesh_node_by_addr(cfg, &e->expected);
	char nb[64], wb[64];
	uint32_t nodes = MESH_NODE_BIT(x);

	if (!e->node.family || !e->expected.family || mr_addr_eq(&e->node, &e->expected))
		return;
	if (now >= 0)
		nodes |= MESH_NODE_BIT(now);
	if (was >= 0)
		nodes |= MESH_NODE_BIT(was);
	if (!(w = warn(v, MESH_W_MOVED, nodes)))
		return;
	snprintf(nb, sizeof(nb), "%s", now >= 0 ? v->names[now] : "?");
	if (now < 0)
		mr_addr_str(&e->node, nb, sizeof(nb));
	snprintf(wb, sizeof(wb), "%s", was >= 0 ? v->names[was] : "?");
	if (was < 0)
		mr_addr_str(&e->expected, wb, sizeof(wb));
	wkey(w, "moved %s %s", v->names[x], e->port);
	wcat(w, "%s %s now reaches %s%s%s, not %s found there first: a cable moved? (meshroutectl "
	     "reload on %s accepts the new cabling)", v->names[x], e->port, nb,
	     e->peer_port[0] ? " " : "", e->peer_port, wb, v->names[x]);
}

static void warn_moved(const struct build *b)
{
	const struct mesh_input *in = b->in;
	int n, i;

	for (n = 0; n < b->v->nnodes; n++) {
		if (n == in->self) {
			for (i = 0; i < in->nown; i++)
				moved_one(b, n, &in->own[i]);
		} else if (b->v->live[n]) {
			const struct mesh_remote *r = &in->store->n[n];

			for (i = 0; i < r->total; i++)
				if (r->s[i].valid && in->now < r->s[i].expires)
					moved_one(b, n, &r->s[i].p);
		}
	}
}

void mesh_build(const struct mesh_input *in, struct mesh_memory *mem, struct mesh_view *v)
{
	static struct build b;	/* ~16 kB of halves: kept off the stack */
	int nn = in->cfg->nnodes < MR_MAX_NODES ? in->cfg->nnodes : MR_MAX_NODES, n, a, bb;

	memset(v, 0, offsetof(struct mesh_view, links));
	v->nlinks = v->nwarn = 0;
	v->warn_dropped = 0;
	v->nnodes = nn;
	v->self = in->self;
	v->now = in->now;
	for (n = 0; n < nn; n++) {
		snprintf(v->names[n], sizeof(v->names[n]), "%s", in->cfg->nodes[n].name);
		v->live[n] = n == in->self || mesh_store_live(in->store, n, in->now);
		v->heard[n] = n == in->self || in->store->n[n].heard;
		v->heard_at[n] = n == in->self ? in->now : in->store->n[n].at;
	}
	memset(&b, 0, sizeof(b));
	b.in = in;
	b.v = v;
	collect(&b);
	for (a = 0; a < nn; a++)
		for (bb = a + 1; bb < nn; bb++) {
			int before = v->nlinks;

			match_pair(&b, a, bb);
			pair_rest(&b, mem, a, bb, v->nlinks - before);
		}
	/* Warnings wait until every node had time to send its first table. */
	if (in->now - in->started_at < MESH_GRACE)
		return;
	warn_silent(&b);
	warn_no_cable(&b);
	warn_wrong_port(&b);
	warn_moved(&b);
}

bool mesh_view_has_warning(const struct mesh_view *v, const char *key)
{
	int i;

	for (i = 0; i < v->nwarn; i++)
		if (strcmp(v->warn[i].key, key) == 0)
			return true;
	return false;
}
