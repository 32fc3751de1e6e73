// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the daemon lends its modules: for each, the environment struct of
 * its header (struct ports_env, mtuport_env, rx_env, linkmsg_env,
 * relay_env), built afresh for each call from struct mr_daemon, and the
 * calls back, wired to the dispatcher (daemon.c: a session's output, a
 * peer's routes decided again, a session's loss judged) or to another
 * module (link reports hand relay its advertisements; relay sends through
 * link reports' sockets).  Part of the daemon, not a module: the one
 * place where the modules' contracts meet struct mr_daemon, so that none
 * of them sees it.  Nothing here decides anything.
 */
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "daemon.h"
#include "mtuport.h"
#include "ports.h"
#include "rx.h"

/* ---- ports (ports.h) ---- */

static void ports_output(void *ctx, struct mr_sess *s, const struct bfd_output *out, mtime_t now)
{
	daemon_sess_output(ctx, s, out, now);
}

/* A port's sessions went Down: its MTU sessions follow, and every peer's routes are decided again. */
static void ports_lost(void *ctx, struct mr_port *port, mtime_t now, bool gone)
{
	struct mr_daemon *d = ctx;
	struct mtuport_env me;

	daemon_mtu_env(d, &me);
	mtuport_lost(&me, port, now, gone);
	/* Routes over a port that went down administratively are flushed by the
	 * kernel without a notification (IPv4): our view of them is stale. */
	rib_port_down(&d->rib, port->ifindex);
	daemon_peers_update(d, now);
}

static void ports_start(void *ctx, struct mr_sess *s)
{
	daemon_sess_start(ctx, s);
}

static void ports_probe_route(void *ctx, struct mr_sess *s)
{
	daemon_probe_route(ctx, s);
}

static void ports_mtu(void *ctx, struct mr_port *port, unsigned mtu, mtime_t now)
{
	struct mtuport_env me;

	daemon_mtu_env(ctx, &me);
	mtuport_link(&me, port, mtu, now);
}

static void ports_reroute_all(void *ctx, mtime_t now)
{
	daemon_peers_update(ctx, now);
}

void daemon_ports_env(struct mr_daemon *d, struct ports_env *e)
{
	*e = (struct ports_env){
		.cfg = &d->cfg, .ports = d->ports, .nports = d->nports, .sess = d->sess,
		.nsess = d->nsess, .msess = d->msess, .nmsess = d->nmsess, .nl = d->nl,
		.output = ports_output, .lost = ports_lost, .start = ports_start,
		.probe_route = ports_probe_route, .reroute_all = ports_reroute_all,
		.mtu = ports_mtu, .ctx = d,
	};
}

/* ---- MTU sessions (mtusess.h, mtuport.h) ---- */

static void mtu_output(void *ctx, struct mr_sess *m, const struct bfd_output *out, mtime_t now)
{
	daemon_sess_output(ctx, m, out, now);
}

static void mtu_reroute(void *ctx, int peer, bool metrics_soon, mtime_t now)
{
	struct mr_daemon *d = ctx;

	if (metrics_soon)
		d->next_metrics = mtime_min(d->next_metrics, now + MTIME_S(1));
	daemon_peer_update(d, peer, now);
}

/* Every table is in by now (start, reload): their discriminators before their first packets. */
static void mtu_table_in(void *ctx)
{
	daemon_rx_filter_update(ctx);
}

static void mtu_start(void *ctx, struct mr_sess *m)
{
	daemon_sess_start(ctx, m);
}

void daemon_mtu_env(struct mr_daemon *d, struct mtuport_env *e)
{
	*e = (struct mtuport_env){
		.cfg = &d->cfg, .self_name = d->cfg.nodes[d->self].name, .ports = d->ports,
		.nports = d->nports, .sess = d->sess, .nsess = d->nsess, .msess = &d->msess,
		.nmsess = &d->nmsess, .tab = daemon_sesstab(d), .sio = &d->sio, .alert = d->alert,
		.half_life = daemon_half_life(d), .output = mtu_output, .reroute = mtu_reroute,
		.table_in = mtu_table_in, .start = mtu_start, .ctx = d,
	};
}

/* ---- packet reception (rx.h) ---- */

static void rx_deliver(void *ctx, struct mr_sess *s, const struct bfd_output *out, mtime_t now)
{
	daemon_sess_output(ctx, s, out, now);
}

/* What the receive path may use of ours, lent for one rx.h call. */
void daemon_rx_env(struct mr_daemon *d, struct rx_env *e)
{
	*e = (struct rx_env){
		.cfg = &d->cfg, .self = d->self, .tab = daemon_sesstab(d), .keys = &d->keys,
		.rl = &d->rl_drop, .loop = &d->loop, .deliver = rx_deliver, .ctx = d,
	};
}

void daemon_rx_filter_update(struct mr_daemon *d)
{
	struct rx_env e;

	daemon_rx_env(d, &e);
	rx_filter_update(&d->rx, &e);
}

/* ---- link reports: what they may use of ours, lent per call ---- */

static void linkmsg_advert(void *ctx, const struct net_msg *m)
{
	struct mr_daemon *d = ctx;
	struct relay_env e;

	daemon_relay_env(d, &e);
	relay_rx(&d->relay, &e, m);
}

static void linkmsg_loss_changed(void *ctx, struct mr_sess *s, mtime_t now)
{
	daemon_loss_check(ctx, s, now);
}

/* Our traffic to peer goes over ifindex now (its hold-down served), directly, in either family. */
static bool linkmsg_in_service(void *ctx, int peer, int ifindex)
{
	struct mr_daemon *d = ctx;
	int f;

	for (f = 0; f < MR_NFAM; f++)
		if (rib_in_service(&d->rib, peer, f, ifindex))
			return true;
	return false;
}

/* A mesh view warning: logged; the nodes it names raise it to alert-command, the others only show it. */
static void linkmsg_mesh_warning(void *ctx, const struct mesh_warning *w, bool cleared, bool ours)
{
	struct mr_daemon *d = ctx;
	const char *peer = "";
	char diag[320];
	int n;

	for (n = 0; n < d->cfg.nnodes; n++)
		if (n != d->self && (w->nodes & MESH_NODE_BIT(n))) {
			peer = d->cfg.nodes[n].name;
			break;
		}
	if (cleared)
		log_info("mesh: cleared: %s", w->text);
	else if (ours)
		log_warnx("mesh: %s", w->text);
	else
		log_info("mesh: %s", w->text);
	if (!ours)
		return;
	snprintf(diag, sizeof(diag), "%s", w->text);
	{
		struct alert_event ev = {
			.event = cleared ? "mesh-warning-cleared" : "mesh-warning",
			.node = d->cfg.nodes[d->self].name, .peer = peer, .peer_address = "",
			.port = "", .old_state = "", .new_state = mesh_warn_kind_name(w->kind),
			.diag = diag, .logged = true,
		};

		alert_emit(d->alert, &ev, mtime_now());
	}
}

static void on_linkmsg(void *arg, uint32_t events)
{
	struct mr_daemon *d = arg;
	struct linkmsg_env e;

	(void)events;
	daemon_linkmsg_env(d, &e);
	linkmsg_rx(&d->lm, &e);
}

void daemon_linkmsg_env(struct mr_daemon *d, struct linkmsg_env *e)
{
	memset(e, 0, sizeof(*e));
	e->cfg = &d->cfg;
	e->self = d->self;
	e->ports = d->ports;
	e->nports = d->nports;
	e->sess = d->sess;
	e->nsess = d->nsess;
	e->msess = d->msess;
	e->nmsess = d->nmsess;
	e->keys = &d->keys;
	e->rl = &d->rl_drop;
	e->loop = &d->loop;
	e->rx_read_at = d->rx.read_at;
	e->rx_backlog = &d->rx.backlog;
	e->advert = linkmsg_advert;
	e->loss_changed = linkmsg_loss_changed;
	e->in_service = linkmsg_in_service;
	e->mesh_warning = linkmsg_mesh_warning;
	e->on_readable = on_linkmsg;
	e->ctx = d;
}

/* ---- relay: what it may use of ours, lent per call ---- */

static int relay_tx_socket(void *ctx, int pi)
{
	struct mr_daemon *d = ctx;
	struct linkmsg_env e;

	daemon_linkmsg_env(d, &e);
	return linkmsg_tx_socket(&d->lm, &e, pi, 0);
}

/* What relay may use of ours (config, routes, ports, keys), for one relay.h call. */
void daemon_relay_env(struct mr_daemon *d, struct relay_env *e)
{
	int i;

	memset(e, 0, sizeof(*e));
	e->cfg = &d->cfg;
	e->self = d->self;
	e->rib = &d->rib;
	e->keys = &d->keys;
	e->rl = &d->rl_drop;
	e->can_receive = d->lm.rx[0].fd >= 0;
	for (i = 0; i < d->nports && i < MR_MAX_FAST + 1; i++) {
		memcpy(e->ports[i].name, d->ports[i].name, sizeof(e->ports[i].name));
		e->ports[i].ifindex = d->ports[i].ifindex;
		e->ports[i].lan = d->ports[i].lan;
	}
	e->nports = i;
	e->tx_socket = relay_tx_socket;
	e->ctx = d;
}

int daemon_relay_start(struct mr_daemon *d)
{
	struct relay_env e;

	daemon_relay_env(d, &e);
	return relay_start(&d->relay, &e);
}

