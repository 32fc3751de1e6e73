// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reload (daemon.h: daemon_reload), in four steps: build the new state
 * beside the running one (config, keys, ports, sessions carried or new,
 * routes and redundancy mapped to the new peer numbers), tell what goes
 * (AdminDown to removed sessions, removed peers' routes to the LAN), swap,
 * run (sockets, first packets, relay and link reports restarted).  Start
 * builds its session tables the same way, from no old ones
 * (daemon_sessions_start).  Part of the daemon, not a module of its own:
 * it needs all of struct mr_daemon (daemon.h says which of daemon.c's
 * helpers it uses).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "daemon.h"
#include "mtuport.h"
#include "ports.h"
#include "sysctl.h"

static const struct mr_node *self_node(const struct mr_daemon *d)
{
	return &d->cfg.nodes[d->self];
}

static void report(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(FILE *out, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_info("reload: %s", buf);
	if (out)
		fprintf(out, "%s\n", buf);
}

/* Everything a reload builds before it swaps: the new config and what follows from it. */
struct reload {
	struct mr_config *ncfg;
	int nself;
	struct auth_keyring nkeys;
	struct mr_port nports[MR_MAX_FAST + 1];
	int nn;
	struct mr_sess *nsess, *nmsess;
	int ns, nms, kept, added, removed;
	bool resend[(MR_MAX_FAST + 1) * MR_MAX_NODES * MR_NFAM];
	/* Old sessions that live on in the new tables (their sockets with them). */
	bool carried[(MR_MAX_FAST + 1) * MR_MAX_NODES * MR_NFAM];
	bool mcarried[MR_MAX_FAST * MR_MAX_NODES];
	struct rib_route nrt[MR_MAX_NODES][MR_NFAM];
	struct mr_redundancy nred[MR_MAX_NODES];
	struct mr_link *nlinks;
	int nlk;
};

/* What a loader wrote to errf, line by line, then "rejected": to the log and the requester. */
static void report_rejected(FILE *out, char *errs, const char *path)
{
	char *line, *save = NULL;

	for (line = errs ? strtok_r(errs, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		report(out, "%s", line);
	report(out, "%s rejected; the running configuration is unchanged", path);
}

/* The file parsed into r->ncfg, with this node in it; 0 or -1 (reported). */
static int reload_config(struct mr_daemon *d, FILE *out, struct reload *r)
{
	char *errs = NULL;
	size_t errlen = 0;
	FILE *errf = open_memstream(&errs, &errlen);
	int n;

	if (!errf || config_load(d->cfg.path, r->ncfg, errf) < 0) {
		if (errf)
			fclose(errf);
		report_rejected(out, errs, d->cfg.path);
		free(errs);
		return -1;
	}
	fclose(errf);
	free(errs);
	for (n = 0; n < r->ncfg->nnodes; n++)
		if (strcmp(r->ncfg->nodes[n].name, self_node(d)->name) == 0)
			r->nself = n;
	if (r->nself < 0) {
		report(out, "%s: this node (%s) is no longer in the file; not applied",
		       d->cfg.path, self_node(d)->name);
		return -1;
	}
	return 0;
}

/* The key file may have changed under the same name: always re-read.  0 or -1 (reported). */
static int reload_keys(struct mr_daemon *d, FILE *out, struct reload *r)
{
	char *kerrs = NULL;
	size_t kerrlen = 0;
	FILE *kf;
	int kret;

	if (r->ncfg->auth_type == BFD_AUTH_NONE)
		return 0;
	kf = open_memstream(&kerrs, &kerrlen);
	kret = kf ? auth_keyring_load(r->ncfg->auth_key_file, r->ncfg->auth_type, &r->nkeys, kf) : -1;
	if (kf)
		fclose(kf);
	if (kret < 0)
		report_rejected(out, kerrs, d->cfg.path);
	free(kerrs);
	return kret < 0 ? -1 : 0;
}

/* Settings that only a restart applies keep their running value (said so). */
static void reload_restart_only(struct mr_daemon *d, FILE *out, struct mr_config *ncfg)
{
	if (d->sock_override[0])
		snprintf(ncfg->control_socket, sizeof(ncfg->control_socket), "%s",
			 d->sock_override);
	if (strcmp(ncfg->control_socket, d->cfg.control_socket) != 0) {
		report(out, "control-socket changed: takes effect at the next restart");
		snprintf(ncfg->control_socket, sizeof(ncfg->control_socket), "%s",
			 d->cfg.control_socket);
	}
	/* Both need privileges dropped after start-up. */
	if (ncfg->realtime != d->cfg.realtime) {
		report(out, "realtime changed: takes effect at the next restart");
		ncfg->realtime = d->cfg.realtime;
	}
	if (ncfg->lock_memory != d->cfg.lock_memory) {
		report(out, "lock-memory changed: takes effect at the next restart");
		ncfg->lock_memory = d->cfg.lock_memory;
	}
}

/* Ports: runtime state follows the name. */
static void reload_ports(struct mr_daemon *d, struct reload *r)
{
	int i;

	memset(r->nports, 0, sizeof(r->nports));
	r->nn = ports_of_node(&r->ncfg->nodes[r->nself], r->nports);
	for (i = 0; i < r->nn; i++) {
		struct mr_port *p = &r->nports[i];
		const struct mr_port *old = ports_by_name(d->ports, d->nports, p->name);

		if (old && old->lan == p->lan) {
			p->ifindex = old->ifindex;
			p->carrier = old->carrier;
			p->drained = old->drained;
			p->mtu = old->mtu;
			p->was_jumbo = old->was_jumbo;
		}
	}
}

/* Old session o continues as r->nsess[r->ns], on port index i: new timers through a Poll Sequence. */
static void reload_carry(struct mr_daemon *d, struct reload *r, struct mr_sess *o, int i, int n,
			 mtime_t now)
{
	struct bfd_session_params params;
	struct mr_sess *s = &r->nsess[r->ns];
	struct bfd_output out;

	*s = *o;
	r->carried[o - d->sess] = true;
	s->port = &d->ports[i];
	s->peer = n;
	sess_params(r->ncfg, r->nports[i].lan, &params);
	if (!sess_params_equal(&params, &s->bfd.params)) {
		/* No flap. */
		bfd_session_set_params(&s->bfd, &params, now, &out);
		r->resend[r->ns] = out.send;
	}
	r->ns++;
	r->kept++;
}

/* Sessions: unchanged (port, peer, addresses) pairs keep running.  0 or -1 (out of memory). */
static int reload_sessions(struct mr_daemon *d, struct reload *r, mtime_t now)
{
	const struct mr_config *ncfg = r->ncfg;
	struct sess_spec sp = { .cfg = ncfg, .self = r->nself };
	struct sesstab t = daemon_sesstab(d);
	int i, n, f;

	r->nsess = calloc((size_t)(r->nn * ncfg->nnodes * MR_NFAM), sizeof(*r->nsess));
	if (!r->nsess)
		return -ENOMEM;
	for (i = 0; i < r->nn; i++)
		for (n = 0; n < ncfg->nnodes; n++)
			for (f = 0; f < MR_NFAM; f++) {
				struct mr_sess *old;

				if (n == r->nself || !mr_fam_shared(&ncfg->nodes[r->nself],
								    &ncfg->nodes[n], f))
					continue;
				/* Final addresses: d->ports receives nports at the swap. */
				sp.peer = n;
				sp.fam = f;
				sp.port = &d->ports[i];
				sp.lan = r->nports[i].lan;
				old = sesstab_match(d->sess, d->nsess, r->carried, &d->cfg, &sp,
						    &r->nports[i]);
				if (old) {
					reload_carry(d, r, old, i, n, now);
					continue;
				}
				sesstab_new(&t, &sp, r->nsess, &r->ns, now);
				r->added++;
			}
	return 0;
}

/* Sessions that are gone: tell their peers, as at shutdown. */
static void reload_sessions_gone(struct mr_daemon *d, struct reload *r, mtime_t now)
{
	int i;

	for (i = 0; i < d->nsess; i++) {
		if (r->carried[i])
			continue;
		r->removed++;
		sess_goodbye(&d->sess[i], &d->sio, 1, now);
	}
}

/*
 * Start: the session tables built as a reload builds them, from no old
 * ones (every session new); sockets opened where the port exists.  0 or
 * -ENOMEM.
 */
int daemon_sessions_start(struct mr_daemon *d, mtime_t now)
{
	struct mtuport_env me;
	struct reload *r = calloc(1, sizeof(*r));
	struct mr_sess *marr = NULL;
	int i, nm = 0, err = -ENOMEM;

	if (!r)
		return -ENOMEM;
	r->ncfg = &d->cfg;
	r->nself = d->self;
	memcpy(r->nports, d->ports, sizeof(r->nports));
	r->nn = d->nports;
	if ((err = reload_sessions(d, r, now)) < 0)
		goto out;
	d->sess = r->nsess;
	d->nsess = r->ns;
	for (i = 0; i < d->nsess; i++)
		daemon_sess_start(d, &d->sess[i]);
	daemon_mtu_env(d, &me);
	marr = mtuport_reload(&me, &d->cfg, d->self, d->ports, d->nports, r->mcarried, &nm, now);
	if (!marr) {
		err = -ENOMEM;
		goto out;
	}
	daemon_mtu_env(d, &me);
	mtuport_reload_apply(&me, marr, nm, now);
	daemon_sessions_indexed(d);
	err = 0;
out:
	free(r);
	return err;
}

/* Peers: a peer that left, or whose address changed, loses its route. */
static void reload_peers(struct mr_daemon *d, struct reload *r, mtime_t now)
{
	int old_of[MR_MAX_NODES];
	int i, n;

	rib_peer_map(&d->cfg, d->self, r->ncfg, r->nself, old_of);
	for (i = 0; i < d->cfg.nnodes; i++) {
		bool found = false;

		for (n = 0; n < MR_MAX_NODES; n++)
			found |= old_of[n] == i;
		if (i != d->self && !found)
			daemon_peer_withdraw(d, i, now);
	}
	rib_reload(&d->rib, old_of, now, r->nrt);
	for (n = 0; n < MR_MAX_NODES; n++)
		r->nred[n] = old_of[n] >= 0 ? d->red[old_of[n]] : (struct mr_redundancy){ 0 };
}

/* The rest of the daemon told of the new config before the swap: MTU, link reports, sysctls, relay, alerts. */
static void reload_others(struct mr_daemon *d, FILE *out, struct reload *r, mtime_t now)
{
	struct mtuport_env me;
	struct linkmsg_env le;
	struct relay_env re;
	const struct mr_config *ncfg = r->ncfg;
	int i;

	daemon_mtu_env(d, &me);
	r->nmsess = mtuport_reload(&me, ncfg, r->nself, r->nports, r->nn, r->mcarried, &r->nms, now);
	if (!r->nmsess)
		report(out, "out of memory: MTU probes stopped until the next reload");
	daemon_linkmsg_env(d, &le);
	r->nlinks = linkmsg_reload(&d->lm, &le, ncfg, r->nself, r->nports, r->nn, &r->nlk);
	if (!r->nlinks)
		report(out, "out of memory: link reports stopped until the next reload");
	if (ncfg->set_sysctl && !d->cfg.set_sysctl)
		for (i = 0; i < r->nn; i++)
			if (r->nports[i].ifindex > 0)
				sysctl_prepare_port(r->nports[i].name, !r->nports[i].lan, true,
						    ports_neigh_retrans_ms(ncfg));
	daemon_relay_env(d, &re);
	relay_reload(&d->relay, &re, ncfg, r->nself);
	if (strcmp(ncfg->alert_command, d->cfg.alert_command) != 0 &&
	    alert_set_command(d->alert, ncfg->alert_command) < 0)
		report(out, "alert-command %s refused; keeping the previous one", ncfg->alert_command);
}

/* The new config, keys, ports, sessions and routes in place of the old. */
static void reload_swap(struct mr_daemon *d, struct reload *r)
{
	struct sesstab t = daemon_sesstab(d);
	int i;

	/* A new auth type restarts sequence numbers; new keys do not (rollover). */
	if (r->ncfg->auth_type != d->cfg.auth_type)
		for (i = 0; i < r->ns; i++)
			auth_state_init(&r->nsess[i].auth, sesstab_new_discr(&t, r->nsess, r->ns));
	auth_keyring_clear(&d->keys);
	d->keys = r->nkeys;
	auth_keyring_clear(&r->nkeys);
	/* Searched, not indexed, until both new tables are in (reload_run). */
	sesstab_index_free(&d->sidx);
	free(d->sess);
	d->sess = r->nsess;
	d->nsess = r->ns;
	r->nsess = NULL;
	memcpy(d->ports, r->nports, sizeof(r->nports));
	d->nports = r->nn;
	memcpy(&d->cfg, r->ncfg, sizeof(*r->ncfg));
	d->self = r->nself;
	rib_reload_swap(&d->rib, r->nself, r->nrt);
	memcpy(d->red, r->nred, sizeof(r->nred));
	/* New peers or authentication: before the new sessions' first packets. */
	daemon_rx_filter_update(d);
}

/* After the swap: sockets, first packets, and what restarts with the config. */
static void reload_run(struct mr_daemon *d, FILE *out, struct reload *r, mtime_t now)
{
	struct mtuport_env me;
	struct linkmsg_env le;
	int i;

	for (i = 0; i < d->nsess; i++)
		if (d->sess[i].bfd.state >= BFD_STATE_INIT)
			d->sess[i].port->active[d->sess[i].peer]++;
	for (i = 0; i < d->nsess; i++) {
		daemon_sess_start(d, &d->sess[i]);
		if (r->resend[i])
			sess_send(&d->sess[i], &d->sio, now);
	}
	daemon_mtu_env(d, &me);
	mtuport_reload_apply(&me, r->nmsess, r->nms, now);
	daemon_sessions_indexed(d);
	linkmsg_reload_apply(&d->lm, r->nlinks, r->nlk);
	daemon_resync(d);
	daemon_linkmsg_env(d, &le);
	linkmsg_start(&d->lm, &le);
	if (daemon_relay_start(d) < 0)
		report(out, "relay: could not start (see the log); traffic uses direct ports or the LAN");
	report(out, "%s applied: %d session(s) kept, %d added, %d removed", d->cfg.path, r->kept,
	       r->added, r->removed);
}

/* Build, tell the old sessions and routes what goes, swap, run: see daemon.h. */
int daemon_reload(struct mr_daemon *d, FILE *out)
{
	struct reload *r = calloc(1, sizeof(*r));
	mtime_t now = mtime_now();
	int ret = -1;

	if (!r || !(r->ncfg = calloc(1, sizeof(*r->ncfg))))
		goto out;
	r->nself = -1;
	auth_keyring_clear(&r->nkeys);
	if (reload_config(d, out, r) < 0 || reload_keys(d, out, r) < 0)
		goto out;
	reload_restart_only(d, out, r->ncfg);
	reload_ports(d, r);
	if (reload_sessions(d, r, now) < 0) {
		report(out, "out of memory; the running configuration is unchanged");
		goto out;
	}
	reload_sessions_gone(d, r, now);
	reload_peers(d, r, now);
	reload_others(d, out, r, now);
	reload_swap(d, r);
	reload_run(d, out, r, now);
	ret = 0;
out:
	if (r) {
		/* No key material left behind, whichever step stopped. */
		auth_keyring_clear(&r->nkeys);
		free(r->nsess);
		free(r->ncfg);
		free(r);
	}
	return ret;
}
