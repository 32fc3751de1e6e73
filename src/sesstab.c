// SPDX-License-Identifier: GPL-2.0-or-later
/* The session tables: demultiplexing, discriminators, new and carried sessions (sesstab.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "mtu.h"
#include "mtusess.h"
#include "net.h"
#include "sesstab.h"

/* Session number k of t: regular ones first, then MTU ones. */
static struct mr_sess *nth(const struct sesstab *t, uint32_t k)
{
	return k < (uint32_t)t->nsess ? &t->sess[k] : &t->msess[k - (uint32_t)t->nsess];
}

static uint32_t slot_of(uint32_t discr, uint32_t mask)
{
	return (discr * 2654435761u) & mask;	/* Knuth's multiplicative hash */
}

void sesstab_index_free(struct sesstab_index *x)
{
	free(x->slot);
	x->slot = NULL;
	x->mask = 0;
}

int sesstab_index_build(struct sesstab_index *x, const struct sesstab *t)
{
	uint32_t n = (uint32_t)(t->nsess + t->nmsess), size = 16, k, h;

	sesstab_index_free(x);
	while (size < 2 * n)
		size *= 2;
	if (!(x->slot = calloc(size, sizeof(*x->slot))))
		return -ENOMEM;
	x->mask = size - 1;
	for (k = 0; k < n; k++) {
		for (h = slot_of(nth(t, k)->bfd.local_discr, x->mask); x->slot[h];
		     h = (h + 1) & x->mask)
			;
		x->slot[h] = k + 1;
	}
	return 0;
}

struct mr_sess *sesstab_by_discr(const struct sesstab *t, uint32_t discr)
{
	const struct sesstab_index *x = t->index;
	uint32_t h, k, n = (uint32_t)(t->nsess + t->nmsess);

	if (x && x->mask) {
		for (h = slot_of(discr, x->mask); x->slot[h]; h = (h + 1) & x->mask)
			if (nth(t, x->slot[h] - 1)->bfd.local_discr == discr)
				return nth(t, x->slot[h] - 1);
		return NULL;
	}
	for (k = 0; k < n; k++)
		if (nth(t, k)->bfd.local_discr == discr)
			return nth(t, k);
	return NULL;
}

/* Among arr[0..n): the session on the packet's port whose peer sent it. */
static struct mr_sess *by_source(struct mr_sess *arr, int n, const struct net_msg *m)
{
	int i;

	for (i = 0; i < n; i++)
		if (arr[i].port->ifindex == m->ifindex && mr_addr_eq(&arr[i].remote, &m->src))
			return &arr[i];
	return NULL;
}

struct mr_sess *sesstab_demux(const struct sesstab *t, const struct net_msg *m,
			      const struct bfd_packet *pkt, int *miss)
{
	bool padded = bfd_padded(pkt, m->len);
	struct mr_sess *s;

	*miss = SESSTAB_NO_SESSION;
	/* A padded probe that does not know our MTU session yet. */
	if (pkt->your_discr && padded && mtu_demux_by_source(pkt->your_discr, padded))
		return by_source(t->msess, t->nmsess, m);
	if (!pkt->your_discr)
		return by_source(t->sess, t->nsess, m);
	/* Discriminators are unique across both tables. */
	if (!(s = sesstab_by_discr(t, pkt->your_discr)))
		return NULL;
	/* Our discriminator from elsewhere: a moved cable or a forgery. */
	if (s->port->ifindex != m->ifindex || !mr_addr_eq(&s->remote, &m->src)) {
		*miss = SESSTAB_WRONG_PORT;
		return NULL;
	}
	return s;
}

static bool discr_used(const struct mr_sess *arr, int n, uint32_t v)
{
	int i;

	for (i = 0; i < n; i++)
		if (arr[i].bfd.local_discr == v)
			return true;
	return false;
}

uint32_t sesstab_new_discr(const struct sesstab *t, const struct mr_sess *other, int nother)
{
	uint32_t v;

	do {
		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			v = (uint32_t)mtime_now() ^ (uint32_t)getpid();
		/* Ours start with the daemon's prefix: the receive filter drops the rest (net.h). */
		if (t->discr_prefix)
			v = (uint32_t)t->discr_prefix << 16 | (v & 0xffff);
	} while (v == 0 || v == MTU_BOOTSTRAP_DISCR || discr_used(t->sess, t->nsess, v) ||
		 discr_used(other, nother, v) || discr_used(t->msess, t->nmsess, v));
	return v;
}

void sesstab_new(const struct sesstab *t, const struct sess_spec *sp, struct mr_sess *arr, int *n,
		 mtime_t now)
{
	const struct mr_config *cfg = sp->cfg;
	struct bfd_session_params params;
	struct mr_sess *s = &arr[*n];
	struct bfd_output out;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->port = sp->port;
	s->peer = sp->peer;
	s->local = *mr_node_addr(&cfg->nodes[sp->self], sp->fam);
	s->remote = *mr_node_addr(&cfg->nodes[sp->peer], sp->fam);
	sess_params(cfg, sp->lan, &params);
	bfd_session_init(&s->bfd, &params, sesstab_new_discr(t, arr, *n),
			 sesstab_new_discr(t, arr, *n), now);
	auth_state_init(&s->auth, sesstab_new_discr(t, arr, *n));
	s->loss_permille = s->loss_to_permille = -1;
	(*n)++;
	if (!sp->mtu)
		return;
	mtusess_params(cfg, &params);
	bfd_session_init(&s->bfd, &params, s->bfd.local_discr, sesstab_new_discr(t, arr, *n), now);
	bfd_session_admin_down(&s->bfd, BFD_DIAG_ADMIN_DOWN, now, &out);
	s->mtu = true;
}

struct mr_sess *sesstab_match(struct mr_sess *arr, int n, const bool *carried,
			      const struct mr_config *old_cfg, const struct sess_spec *sp,
			      const struct mr_port *port)
{
	const struct mr_config *ncfg = sp->cfg;
	int i;

	for (i = 0; i < n; i++) {
		struct mr_sess *o = &arr[i];

		if (carried[i])
			continue;
		if (strcmp(o->port->name, port->name) == 0 && o->port->lan == port->lan &&
		    strcmp(old_cfg->nodes[o->peer].name, ncfg->nodes[sp->peer].name) == 0 &&
		    mr_addr_eq(&o->remote, mr_node_addr(&ncfg->nodes[sp->peer], sp->fam)) &&
		    mr_addr_eq(&o->local, mr_node_addr(&ncfg->nodes[sp->self], sp->fam)))
			return o;
	}
	return NULL;
}

int sesstab_discrs(const struct sesstab *t, int family, uint32_t **out)
{
	uint32_t *v = malloc(((size_t)t->nsess + (size_t)t->nmsess + 1) * sizeof(*v));
	int i, n = 0;

	*out = NULL;
	if (!v)
		return -ENOMEM;
	for (i = 0; i < t->nsess; i++)
		if (t->sess[i].local.family == family)
			v[n++] = t->sess[i].bfd.local_discr;
	for (i = 0; i < t->nmsess; i++)
		if (t->msess[i].local.family == family)
			v[n++] = t->msess[i].bfd.local_discr;
	*out = v;
	return n;
}
