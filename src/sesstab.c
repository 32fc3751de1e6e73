// SPDX-License-Identifier: GPL-2.0-or-later
/* The session tables: demultiplexing, discriminators, new and carried sessions (sesstab.h). */
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "mtu.h"
#include "mtusess.h"
#include "net.h"
#include "sesstab.h"

static struct mr_sess *demux_in(struct mr_sess *arr, int n, const struct net_msg *m,
				const struct bfd_packet *pkt, bool by_source, int *miss)
{
	int i;

	for (i = 0; i < n; i++) {
		struct mr_sess *s = &arr[i];

		if (!by_source) {
			if (s->bfd.local_discr != pkt->your_discr)
				continue;
			/* Our discriminator from elsewhere: a moved cable or a forgery. */
			if (s->port->ifindex != m->ifindex || !mr_addr_eq(&s->remote, &m->src)) {
				*miss = SESSTAB_WRONG_PORT;
				return NULL;
			}
			return s;
		}
		if (s->port->ifindex == m->ifindex && mr_addr_eq(&s->remote, &m->src))
			return s;
	}
	*miss = SESSTAB_NO_SESSION;
	return NULL;
}

struct mr_sess *sesstab_demux(const struct sesstab *t, const struct net_msg *m,
			      const struct bfd_packet *pkt, int *miss)
{
	bool padded = bfd_padded(pkt, m->len);
	bool by_source = mtu_demux_by_source(pkt->your_discr, padded);
	struct mr_sess *s;

	if (pkt->your_discr) {
		s = demux_in(t->msess, t->nmsess, m, pkt, padded && by_source, miss);
		if (s || *miss == SESSTAB_WRONG_PORT || (padded && by_source))
			return s;
	}
	return demux_in(t->sess, t->nsess, m, pkt, !pkt->your_discr, miss);
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
