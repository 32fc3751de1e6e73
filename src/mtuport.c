// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MTU probing on the fast ports (mtuport.h).  Per (fast port, peer), in one
 * family, a second BFD session whose packets are padded to the port's MTU
 * and sent with Don't Fragment (RFC 9764): its handshake proves that
 * full-size frames pass both ways, which the small regular probes cannot.
 * The port carries traffic to the peer only while both are Up (mtu.h).
 * These sessions transmit only while the port probes and its regular
 * session to that peer is Init or Up.
 */
#include <stdlib.h>

#include "log.h"
#include "mtuport.h"

static struct mtusess_view view_of(const struct mtuport_env *e)
{
	struct mtusess_view v = {
		.cfg = e->cfg, .sess = e->sess, .nsess = e->nsess, .msess = *e->msess,
		.nmsess = *e->nmsess,
	};

	return v;
}

/* Reports a changed verdict: a log line each time, an alert for failed and its end. */
static void check(const struct mtuport_env *e, struct mr_sess *m, mtime_t now)
{
	struct mtusess_view mv = view_of(e);
	struct mtusess_change chg;
	const char *old, *new, *peer = e->cfg->nodes[m->peer].name;
	char addr[64];

	if (!mtusess_judge(&mv, m, now, &chg))
		return;
	old = mtu_verdict_name(chg.old);
	new = mtu_verdict_name(chg.new);
	/* A grace that ran out, or a verdict that moves the traffic. */
	e->reroute(e->ctx, m->peer, true, now);
	mr_addr_str(&m->remote, addr, sizeof(addr));
	if (chg.alert) {
		struct alert_event ev = {
			.event = chg.new == MTU_FAILED ? "mtu-failed" : "mtu-ok",
			.node = e->self_name, .peer = peer, .peer_address = addr,
			.port = m->port->name, .old_state = old, .new_state = new, .diag = chg.diag,
			.logged = true,
		};

		if (chg.new == MTU_FAILED)
			log_notice("%s on %s: %s: not used for traffic to %s", ev.peer, ev.port,
				   ev.diag, ev.peer);
		else
			log_notice("%s on %s: MTU %u passes again", ev.peer, ev.port, m->pad_to);
		alert_emit(e->alert, &ev, now);
		return;
	}
	/* off, unknown and pending are every candidate's lot at start: only debug. */
	if (chg.old == MTU_OK || chg.old == MTU_FAILED || chg.new == MTU_OK)
		log_info("%s (%s) on %s: MTU verdict %s -> %s", peer, addr, m->port->name, old, new);
	else
		log_debug("%s (%s) on %s: MTU verdict %s -> %s", peer, addr, m->port->name, old, new);
}

void mtuport_check_port_peer(const struct mtuport_env *e, const struct mr_port *port, int peer,
			     mtime_t now)
{
	struct mtusess_view mv = view_of(e);
	struct mr_sess *m = mtusess_of(&mv, port, peer);

	if (!m)
		return;
	if (m->pad_to && port->active[peer] > 0)
		bfd_session_kick(&m->bfd, now);
	check(e, m, now);
}

/* MTU session m probes at size (0: not at all) from now on; it was at old. */
static void resize(const struct mtuport_env *e, struct mr_sess *m, unsigned old, unsigned size,
		   mtime_t now)
{
	struct bfd_output out;

	if (!old) {
		m->pad_to = size;
		m->probe_since = now;
		bfd_session_admin_up(&m->bfd, now, &out);
		e->output(e->ctx, m, &out, now);
	} else if (!size) {
		/* Tells the peer (while still padded, twice: one may be lost), then falls silent. */
		bfd_session_admin_down(&m->bfd, BFD_DIAG_ADMIN_DOWN, now, &out);
		e->output(e->ctx, m, &out, now);
		if (m->bfd.remote_discr)
			sess_send(m, e->sio, now);
		m->pad_to = 0;
	} else {
		m->pad_to = size;
	}
}

/* Probing on or off, or a new size, after the port's MTU or the config changed. */
static void port_eval(const struct mtuport_env *e, struct mr_port *port, mtime_t now)
{
	bool want, logged = false;
	unsigned size;
	int i;

	if (port->lan)
		return;
	port->was_jumbo |= port->mtu > MTU_ETHERNET;
	want = mtu_probe_wanted(e->cfg->mtu_probe, port->mtu, port->was_jumbo);
	size = want ? port->mtu : 0;
	for (i = 0; i < *e->nmsess; i++) {
		struct mr_sess *m = &(*e->msess)[i];
		unsigned old = m->pad_to;

		if (m->port != port || old == size)
			continue;
		if (!logged)
			log_notice("port %s: MTU %u: %s", port->name, port->mtu,
				   !size ? "padded BFD probes off" : old ? "padded BFD probes resized" :
				   "padded BFD probes on");
		logged = true;
		resize(e, m, old, size, now);
		check(e, m, now);
		e->reroute(e->ctx, m->peer, false, now);
	}
}

void mtuport_link(const struct mtuport_env *e, struct mr_port *port, unsigned mtu, mtime_t now)
{
	if (mtu == 0 || mtu == port->mtu)
		return;
	port->mtu = mtu;
	port_eval(e, port, now);
}

void mtuport_lost(const struct mtuport_env *e, struct mr_port *port, mtime_t now, bool gone)
{
	int i;

	for (i = 0; i < *e->nmsess; i++) {
		struct mr_sess *m = &(*e->msess)[i];
		struct bfd_output out;

		if (m->port != port)
			continue;
		bfd_session_path_down(&m->bfd, now, &out);
		out.send = false;
		e->output(e->ctx, m, &out, now);
		if (gone)
			sess_close(m);
	}
}

void mtuport_timers(const struct mtuport_env *e, mtime_t now)
{
	int i;

	for (i = 0; i < *e->nmsess; i++) {
		struct mr_sess *m = &(*e->msess)[i];
		struct bfd_output out;

		if (bfd_session_next_event(&m->bfd) <= now) {
			bfd_session_timer(&m->bfd, now, &out);
			e->output(e->ctx, m, &out, now);
		}
		if (m->verdict_recheck <= now)
			check(e, m, now);
	}
}

void mtuport_shutdown(const struct mtuport_env *e, mtime_t now)
{
	int i;

	for (i = 0; i < *e->nmsess; i++)
		sess_goodbye(&(*e->msess)[i], e->sio, 2, now);
	free(*e->msess);
	*e->msess = NULL;
	*e->nmsess = 0;
}

/* Old MTU session old continues as arr[*count], on port index i to peer n, with ncfg's timers. */
static void carry(const struct mtuport_env *e, const struct bfd_session_params *params,
		  struct mr_sess *old, struct mr_sess *arr, int *count, int i, int n, mtime_t now)
{
	struct mr_sess *s = &arr[*count];

	*s = *old;
	s->port = &e->ports[i];
	s->peer = n;
	if (!sess_params_equal(params, &s->bfd.params)) {
		struct bfd_output o;

		bfd_session_set_params(&s->bfd, params, now, &o);
	}
	(*count)++;
}

struct mr_sess *mtuport_reload(const struct mtuport_env *e, const struct mr_config *ncfg, int nself,
			       const struct mr_port *nports, int nn, bool *carried, int *count,
			       mtime_t now)
{
	struct mr_sess *arr = calloc((size_t)(nn * ncfg->nnodes) + 1, sizeof(*arr));
	struct sess_spec sp = { .cfg = ncfg, .self = nself, .mtu = true };
	struct bfd_session_params params;
	int i, n, k;

	*count = 0;
	mtusess_params(ncfg, &params);
	for (i = 0; i < nn; i++) {
		for (n = 0; n < ncfg->nnodes; n++) {
			struct mr_sess *old = NULL;

			sp.peer = n;
			sp.port = &e->ports[i];
			if (!arr || nports[i].lan || n == nself ||
			    (sp.fam = mr_fam_first_shared(&ncfg->nodes[nself], &ncfg->nodes[n])) < 0)
				continue;
			old = sesstab_match(*e->msess, *e->nmsess, carried, e->cfg, &sp, &nports[i]);
			if (!old) {
				sesstab_new(&e->tab, &sp, arr, count, now);
				continue;
			}
			carried[old - *e->msess] = true;
			carry(e, &params, old, arr, count, i, n, now);
		}
	}
	for (k = 0; k < *e->nmsess; k++)
		if (!carried[k])
			sess_goodbye(&(*e->msess)[k], e->sio, 1, now);
	return arr;
}

void mtuport_reload_apply(const struct mtuport_env *e, struct mr_sess *arr, int count, mtime_t now)
{
	int i;

	free(*e->msess);
	*e->msess = arr;
	*e->nmsess = count;
	e->table_in(e->ctx);
	for (i = 0; i < count; i++)
		e->start(e->ctx, &arr[i]);
	for (i = 0; i < e->nports; i++)
		port_eval(e, &e->ports[i], now);
}
