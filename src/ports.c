// SPDX-License-Identifier: GPL-2.0-or-later
/* This node's ports as the kernel reports them (ports.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drainstate.h"
#include "log.h"
#include "ports.h"
#include "sysctl.h"

int ports_of_node(const struct mr_node *me, struct mr_port *ports)
{
	int i;

	memset(ports, 0, (size_t)(me->nfast + 1) * sizeof(*ports));
	for (i = 0; i < me->nfast; i++)
		memcpy(ports[i].name, me->fast[i], sizeof(ports[i].name));
	memcpy(ports[i].name, me->lan, sizeof(ports[i].name));
	ports[i].lan = true;
	return i + 1;
}

struct mr_port *ports_by_name(struct mr_port *ports, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(ports[i].name, name) == 0)
			return &ports[i];
	return NULL;
}

static struct mr_port *by_ifindex(const struct ports_env *e, int ifindex)
{
	int i;

	for (i = 0; i < e->nports; i++)
		if (e->ports[i].ifindex == ifindex && ifindex > 0)
			return &e->ports[i];
	return NULL;
}

unsigned ports_neigh_retrans_ms(const struct mr_config *cfg)
{
	unsigned ms = cfg->idle_interval_us / 1000;

	return ms < 10 ? 10 : ms > 1000 ? 1000 : ms;
}

/* The port lost its carrier or disappeared (gone): its sessions Down now, then the rest. */
static void port_lost(const struct ports_env *e, struct mr_port *port, mtime_t now, bool gone)
{
	struct bfd_output out;
	int i;

	for (i = 0; i < e->nsess; i++) {
		struct mr_sess *s = &e->sess[i];

		if (s->port != port)
			continue;
		bfd_session_path_down(&s->bfd, now, &out);
		out.send = false;	/* nothing can leave a port without carrier */
		e->output(e->ctx, s, &out, now);
		if (gone)
			sess_close(s);
	}
	e->lost(e->ctx, port, now, gone);
}

void ports_link(const struct ports_env *e, const struct nl_link *l, bool deleted)
{
	struct mr_port *port = ports_by_name(e->ports, e->nports, l->name);
	mtime_t now = mtime_now();
	bool carrier = l->up && l->carrier;
	int i;

	if (!port) {
		/* A port renamed away from one of our names. */
		port = by_ifindex(e, l->ifindex);
		if (!port)
			return;
		log_warnx("port %s is now called %s: taken out of service", port->name, l->name);
		deleted = true;
	}
	if (deleted) {
		if (port->ifindex != l->ifindex)
			return;
		log_warnx("port %s disappeared", port->name);
		port->carrier = false;
		port_lost(e, port, now, true);
		port->ifindex = 0;
		return;
	}
	if (port->ifindex != l->ifindex) {
		if (port->ifindex > 0) {
			log_warnx("port %s re-created (ifindex %d -> %d)", port->name,
				  port->ifindex, l->ifindex);
			port->carrier = false;
			port_lost(e, port, now, true);
		} else {
			log_info("port %s present (ifindex %d)", port->name, l->ifindex);
		}
		port->ifindex = l->ifindex;
		sysctl_prepare_port(port->name, !port->lan, e->cfg->set_sysctl,
				    ports_neigh_retrans_ms(e->cfg));
		for (i = 0; i < e->nsess; i++)
			if (e->sess[i].port == port)
				e->start(e->ctx, &e->sess[i]);
		for (i = 0; i < e->nmsess; i++)
			if (e->msess[i].port == port)
				e->start(e->ctx, &e->msess[i]);
	}
	if (port->carrier && !carrier) {
		log_notice("port %s: carrier lost", port->name);
		port->carrier = false;
		port_lost(e, port, now, false);
	} else if (!port->carrier && carrier) {
		log_notice("port %s: carrier up", port->name);
		port->carrier = true;
		/* Both ends see the carrier at once: probe now, not at the next idle tick. */
		for (i = 0; i < e->nsess; i++) {
			if (e->sess[i].port != port)
				continue;
			/* An admin down flushed the IPv6 probe route with the port. */
			e->probe_route(e->ctx, &e->sess[i]);
			nl_neigh_delete(e->nl, e->sess[i].remote.family, e->sess[i].remote.bytes,
					port->ifindex);
			bfd_session_kick(&e->sess[i].bfd, now);
		}
		for (i = 0; i < e->nmsess; i++)
			if (e->msess[i].port == port)
				bfd_session_kick(&e->msess[i].bfd, now);
	}
	e->mtu(e->ctx, port, l->mtu, now);
}

/* Dump callbacks only collect: a command sent mid-dump would interleave with it. */
#define COLLECT_MAX 256
struct collected {
	struct nl_link links[COLLECT_MAX];
	int nlinks;
	bool truncated;
};

static void collect_link(void *arg, const struct nl_link *l, bool deleted)
{
	struct collected *c = arg;

	if (deleted)
		return;
	if (c->nlinks == COLLECT_MAX) {
		c->truncated = true;
		return;
	}
	c->links[c->nlinks++] = *l;
}

int ports_resync(const struct ports_env *e)
{
	struct collected *c = calloc(1, sizeof(*c));
	struct nl_handlers h = { .link = collect_link, .ctx = c };
	int i;

	if (!c) {
		log_warnx("resync: out of memory");
		return -ENOMEM;
	}
	if (nl_dump_links(e->nl, &h) < 0) {
		log_warnx("link dump failed; keeping the previous view");
	} else {
		for (i = 0; i < e->nports; i++) {
			struct mr_port *p = &e->ports[i];
			bool found = false;
			int j;

			for (j = 0; j < c->nlinks; j++) {
				if (strcmp(c->links[j].name, p->name) == 0) {
					ports_link(e, &c->links[j], false);
					found = true;
				}
			}
			if (!found && p->ifindex > 0) {
				struct nl_link gone = { .ifindex = p->ifindex };

				snprintf(gone.name, sizeof(gone.name), "%s", p->name);
				ports_link(e, &gone, true);
			}
		}
	}
	free(c);
	return 0;
}

int ports_drain(const struct ports_env *e, const char *name, bool drain, FILE *out)
{
	struct mr_port *port = ports_by_name(e->ports, e->nports, name);
	mtime_t now = mtime_now();
	int i;

	if (!port || port->lan) {
		fprintf(out, "%s is not a fast port of this node (fast ports:", name);
		for (i = 0; i < e->nports; i++)
			if (!e->ports[i].lan)
				fprintf(out, " %s", e->ports[i].name);
		fprintf(out, ")\n");
		return -1;
	}
	if (port->drained == drain) {
		fprintf(out, "%s is already %s\n", name, drain ? "drained" : "in service");
		return 0;
	}
	port->drained = drain;
	drainstate_record(name, drain);
	log_notice("port %s: %s by the admin", name, drain ? "drained" : "back in service");
	if (drain) {
		/* Our traffic leaves the port first (atomic replace, acked)... */
		e->reroute_all(e->ctx, now);
		/* ...then the peer is told, and moves its own (RFC 5880 §6.8.16). */
		for (i = 0; i < e->nsess; i++) {
			struct mr_sess *s = &e->sess[i];
			struct bfd_output o;

			if (s->port != port)
				continue;
			bfd_session_admin_down(&s->bfd, BFD_DIAG_ADMIN_DOWN, now, &o);
			e->output(e->ctx, s, &o, now);
		}
		fprintf(out, "%s drained: traffic moved off it, peers told (AdminDown)\n", name);
	} else {
		for (i = 0; i < e->nsess; i++) {
			struct mr_sess *s = &e->sess[i];
			struct bfd_output o;

			if (s->port != port)
				continue;
			s->loss_out = false;
			bfd_session_admin_up(&s->bfd, now, &o);
			e->output(e->ctx, s, &o, now);
		}
		fprintf(out, "%s back in service: traffic returns after the sessions have been Up "
			"for hold-down (%u ms)\n", name, e->cfg->hold_down_us / 1000);
	}
	return 0;
}

int ports_drain_done(const struct ports_env *e, const char *name, FILE *out)
{
	struct mr_port *port = ports_by_name(e->ports, e->nports, name);
	int i, waiting = 0;

	if (!port || port->lan || !port->drained) {
		fprintf(out, "%s is not drained\n", name);
		return -1;
	}
	/*
	 * Done when no peer still thinks the link is Up: a peer that answered
	 * our AdminDown with Down has moved its traffic away (meshrouted moves
	 * routes before it answers).
	 */
	for (i = 0; i < e->nsess; i++) {
		const struct mr_sess *s = &e->sess[i];

		if (s->port == port && s->bfd.remote_discr &&
		    s->bfd.remote_state == BFD_STATE_UP)
			waiting++;
	}
	if (waiting) {
		fprintf(out, "%s: waiting for %d peer session(s) to confirm\n", name, waiting);
		return 1;
	}
	fprintf(out, "%s drained: no traffic uses it any more\n", name);
	return 0;
}
