// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon: sessions per (fast port, candidate peer), routes per peer. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "alert.h"
#include "auth.h"
#include "control.h"
#include "daemon.h"
#include "log.h"
#include "metricsfile.h"
#include "mtusess.h"
#include "mtuport.h"
#include "nl.h"
#include "ports.h"
#include "privs.h"
#include "sessloss.h"
#include "sesstab.h"
#include "standby.h"
#include "status.h"
#include "sysctl.h"

/* A full route resync from a dump, in case an event was missed. */
#define RESYNC_INTERVAL MTIME_S(10)
/* SCHED_FIFO priority: above normal work, below the kernel's own threads. */
#define MR_RT_PRIORITY 10

static const struct mr_node *self_node(const struct mr_daemon *d)
{
	return &d->cfg.nodes[d->self];
}

struct sesstab daemon_sesstab(const struct mr_daemon *d)
{
	struct sesstab t = { d->sess, d->nsess, d->msess, d->nmsess, &d->sidx, d->discr_prefix };

	return t;
}

static const char *peer_name(const struct mr_daemon *d, int node)
{
	return d->cfg.nodes[node].name;
}

/* "fast0+fast1" or "LAN" */
static const char *path_str(const struct mr_daemon *d, const struct path_result *p, char *buf,
			    size_t len)
{
	size_t off = 0;
	int i, j;

	if (p->noif == 0)
		return "LAN";
	buf[0] = '\0';
	if (p->relayed)
		off += (size_t)snprintf(buf, len, "via %s (", p->relay_node >= 0 &&
					p->relay_node < d->cfg.nnodes ?
					d->cfg.nodes[p->relay_node].name : "?");
	for (i = 0; i < p->noif; i++) {
		const char *name = "?";

		for (j = 0; j < d->nports; j++)
			if (d->ports[j].ifindex == p->oif[i])
				name = d->ports[j].name;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
					i ? "+" : "", name);
	}
	if (p->relayed)
		snprintf(buf + off, off < len ? len - off : 0, ")");
	return buf;
}

static void mtu_check_port_peer(struct mr_daemon *d, const struct mr_port *port, int peer,
				mtime_t now);

/* ---- routes ---- */

static bool fam_in_use(const struct mr_daemon *d, int node, int fam)
{
	return mr_fam_shared(self_node(d), &d->cfg.nodes[node], fam);
}

/* The path to a peer changed: one log line, metrics soon, the alert, relay told. */
static void route_changed(struct mr_daemon *d, const struct rib_change *chg, mtime_t now)
{
	const struct mr_node *peer = &d->cfg.nodes[chg->peer];
	char before[128], after[128], addr[64];
	struct alert_event ev = {
		.event = "path-change", .node = self_node(d)->name, .peer = peer->name,
		.peer_address = mr_addr_str(mr_node_addr(peer, chg->fam), addr, sizeof(addr)),
		.port = "", .old_state = path_str(d, &chg->old, before, sizeof(before)),
		.new_state = path_str(d, &chg->new, after, sizeof(after)), .diag = "",
		.logged = true,
	};

	log_notice("%s (%s): path %s -> %s", peer->name, ev.peer_address, ev.old_state,
		   ev.new_state);
	/* Scrapers see a path change within a second, not ten. */
	d->next_metrics = mtime_min(d->next_metrics, now + MTIME_S(1));
	if (chg->alert)
		alert_emit(d->alert, &ev, now);
	relay_routes_changed(&d->relay);
}

/*
 * Flap damping's half-life: five hold-downs, at least a second.  The third
 * failure in quick succession starts doubling the hold-down (path.h).
 */
mtime_t daemon_half_life(const struct mr_daemon *d)
{
	return mtime_max(MTIME_S(1), (mtime_t)d->cfg.hold_down_us * 5);
}

static struct mtusess_view mtu_view(const struct mr_daemon *d)
{
	struct mtusess_view v = {
		.cfg = &d->cfg, .sess = d->sess, .nsess = d->nsess, .msess = d->msess,
		.nmsess = d->nmsess,
	};

	return v;
}

static void mtu_left_up(struct mr_daemon *d, struct mr_sess *m, const struct bfd_output *out,
			mtime_t now)
{
	struct mtusess_view mv = mtu_view(d);

	mtusess_left_up(&mv, m, out, daemon_half_life(d), now);
}

/* Recomputes and installs the paths to one peer, each family on its own. */
void daemon_peer_update(struct mr_daemon *d, int peer, mtime_t now)
{
	struct mtusess_view mv = mtu_view(d);
	struct path_candidate c[MR_MAX_FAST];
	struct path_result want;
	struct rib_change chg;
	int fam, i, n;

	for (fam = 0; fam < MR_NFAM; fam++) {
		if (!fam_in_use(d, peer, fam))
			continue;
		for (i = 0, n = 0; i < d->nsess && n < MR_MAX_FAST; i++) {
			struct mr_sess *s = &d->sess[i];

			if (s->peer != peer || s->port->lan || mr_fam(s->local.family) != fam)
				continue;
			c[n].ifindex = s->port->ifindex;
			c[n].up = s->bfd.state == BFD_STATE_UP;
			c[n].usable = s->port->carrier && !s->port->drained && s->fd >= 0;
			c[n].up_since = s->up_since;
			c[n].hold = damp_hold(&s->damp, now, daemon_half_life(d), d->cfg.hold_down_us,
					      &c[n].hold_changes_at);
			c[n].in_service = rib_in_service(&d->rib, peer, fam, s->port->ifindex);
			mtusess_gate(&mv, s, now, c[n].in_service, &c[n].up, &c[n].up_since);
			n++;
		}
		rib_decide(&d->rib, peer, fam, c, n, relay_table(&d->relay), now, &want);
		if (rib_apply(&d->rib, peer, fam, &want, now, &chg))
			route_changed(d, &chg, now);
	}
}

/* Recomputes and installs the paths to every peer. */
void daemon_peers_update(struct mr_daemon *d, mtime_t now)
{
	int i;

	for (i = 0; i < d->cfg.nnodes; i++)
		if (i != d->self)
			daemon_peer_update(d, i, now);
}

/* Both families' routes to the LAN, whatever we believed was installed. */
void daemon_peer_withdraw(struct mr_daemon *d, int peer, mtime_t now)
{
	struct rib_change chg;
	int f;

	for (f = 0; f < MR_NFAM; f++)
		if (mr_node_addr(&d->cfg.nodes[peer], f)->family &&
		    rib_withdraw(&d->rib, peer, f, now, &chg))
			route_changed(d, &chg, now);
}

/* ---- sessions ---- */

/* Redundancy towards a peer (redund.h) judged from its sessions now; alerted when lost or restored. */
static void redundancy_check(struct mr_daemon *d, int peer, mtime_t now)
{
	bool fast = false, lan = false, have_lan = false;
	struct redund_change chg;
	struct alert_event ev;
	char addr[64];
	int i;

	for (i = 0; i < d->nsess; i++) {
		const struct mr_sess *s = &d->sess[i];

		if (s->peer != peer)
			continue;
		if (s->port->lan) {
			have_lan = true;
			lan |= s->bfd.state == BFD_STATE_UP;
		} else {
			fast |= s->bfd.state == BFD_STATE_UP;
		}
	}
	if (!redund_judge(&d->red[peer], have_lan, fast, lan, &chg))
		return;
	ev = (struct alert_event){
		.event = chg.lost ? "redundancy-lost" : "redundancy-restored",
		.node = self_node(d)->name, .peer = peer_name(d, peer),
		.peer_address = mr_addr_str(&d->cfg.nodes[peer].addr4, addr, sizeof(addr)),
		.port = "", .old_state = chg.old_state, .new_state = chg.new_state, .diag = "",
	};

	alert_emit(d->alert, &ev, now);
}

/* Session-up alerts only for a session that was Up before (not start-up). */
static void sess_alert(struct mr_daemon *d, const struct mr_sess *s, const struct bfd_output *out,
		       mtime_t now)
{
	struct alert_event ev;
	char addr[64];

	if (s->mtu || !((out->new_state == BFD_STATE_UP && s->ever_up) ||
			out->old_state == BFD_STATE_UP))
		return;
	ev = (struct alert_event){
		.event = out->new_state == BFD_STATE_UP ? "session-up" : "session-down",
		.node = self_node(d)->name, .peer = peer_name(d, s->peer),
		.peer_address = mr_addr_str(&s->remote, addr, sizeof(addr)),
		.port = s->port->name, .old_state = bfd_state_name(out->old_state),
		.new_state = bfd_state_name(out->new_state),
		.diag = bfd_diag_name(out->diag), .detect_us = (uint32_t)out->detect_us,
		.logged = true,
	};

	alert_emit(d->alert, &ev, now);
}

void daemon_sess_output(struct mr_daemon *d, struct mr_sess *s, const struct bfd_output *out,
			mtime_t now)
{
	if (out->state_changed) {
		char detect[64] = "", raddr[64];

		if (!s->mtu)
			s->port->active[s->peer] += (out->new_state >= BFD_STATE_INIT) -
						    (out->old_state >= BFD_STATE_INIT);
		/*
		 * Probes lost while the session changes state (an outage, a
		 * drain, a key that does not match) are BFD's business, not
		 * the cable's loss: the counting starts over.  Not when we take
		 * the cable out for loss ourselves: that run decides its return.
		 */
		if (!(out->new_state == BFD_STATE_ADMIN_DOWN && s->loss_out)) {
			loss_dir_reset(&s->loss_from);
			loss_dir_reset(&s->loss_to);
			s->loss_reset_at = now;
			s->seq_valid = false;
		}
		if (out->new_state == BFD_STATE_UP) {
			s->up_since = now;
		} else if (out->old_state == BFD_STATE_UP) {
			s->up_since = 0;
			s->last_down_diag = out->diag;
			if (s->mtu)
				mtu_left_up(d, s, out, now);
			/*
			 * Our own AdminDown (drain, reload) or the peer's (its
			 * shutdown) is not a failure of the link.
			 */
			else if (out->new_state == BFD_STATE_DOWN &&
			    !(out->diag == BFD_DIAG_NEIGHBOR_DOWN &&
			      s->bfd.remote_state == BFD_STATE_ADMIN_DOWN)) {
				s->flaps++;
				damp_flap(&s->damp, now, daemon_half_life(d));
			}
		}
		if (out->detect_us) {
			s->last_detect_us = (uint32_t)out->detect_us;
			snprintf(detect, sizeof(detect), ", detected after %.1f ms of silence",
				 (double)out->detect_us / 1000.0);
		}
		log_notice("%s (%s) via %s: %ssession %s -> %s (diag %s%s%s)%s", peer_name(d, s->peer),
			   mr_addr_str(&s->remote, raddr, sizeof(raddr)),
			   s->port->name, s->mtu ? "MTU " : "", bfd_state_name(out->old_state),
			   bfd_state_name(out->new_state), bfd_diag_name(out->diag),
			   s->bfd.remote_state == BFD_STATE_ADMIN_DOWN ? ", peer AdminDown" : "",
			   out->diag == BFD_DIAG_NEIGHBOR_DOWN && s->bfd.remote_state !=
			   BFD_STATE_ADMIN_DOWN ? ", peer signalled Down" : "", detect);
		sess_alert(d, s, out, now);
		if (out->new_state == BFD_STATE_UP)
			s->ever_up = true;
		redundancy_check(d, s->peer, now);
	}
	/*
	 * Routes first: when a peer sees our answer to its AdminDown, our
	 * traffic has already left the port (drain relies on that).
	 */
	if (out->state_changed && !s->port->lan) {
		daemon_peer_update(d, s->peer, now);
		mtu_check_port_peer(d, s->port, s->peer, now);
	}
	if (out->send)
		sess_send(s, &d->sio, now);
}

/*
 * IPv6 finds no route to a peer on a port that carries none (unlike IPv4,
 * which assumes on-link for a socket bound to a device): give our marked
 * BFD sockets one, in the probe table.  Replace is idempotent, and the
 * kernel drops it with the port, so it is simply re-asserted on resync.
 */
void daemon_probe_route(struct mr_daemon *d, struct mr_sess *s)
{
	if (s->local.family != AF_INET6 || s->fd < 0 || s->port->ifindex <= 0 || !d->nl)
		return;
	if (rib_probe_route(&d->rib, &s->remote, s->port->ifindex) == 0)
		sess_connect(s);
}

static void probe_routes_sync(struct mr_daemon *d)
{
	int i;

	for (i = 0; i < d->nsess; i++)
		daemon_probe_route(d, &d->sess[i]);
}

/* The session's transmit socket, once its port exists; then its probe route and its destination. */
void daemon_sess_start(struct mr_daemon *d, struct mr_sess *s)
{
	if (sess_open(s, &d->cfg) <= 0)
		return;
	daemon_probe_route(d, s);
	sess_connect(s);
}

/* Both tables indexed by discriminator (searched instead without the memory: logged). */
void daemon_sessions_indexed(struct mr_daemon *d)
{
	struct sesstab t = daemon_sesstab(d);

	if (sesstab_index_build(&d->sidx, &t) < 0)
		log_warnx("out of memory for the sessions' index: packets are matched by search");
}

/* ---- ports (ports.h) ---- */

static void on_link(void *arg, const struct nl_link *l, bool deleted)
{
	struct ports_env e;

	daemon_ports_env(arg, &e);
	ports_link(&e, l, deleted);
}

static void on_route(void *arg, const struct nl_route *r, bool deleted)
{
	struct mr_daemon *d = arg;
	int peer = rib_route_event(&d->rib, r, deleted);

	if (peer >= 0)
		daemon_peer_update(d, peer, mtime_now());
}

static const struct nl_handlers handlers_template = {
	.link = on_link,
	.route = on_route,
};

/* Full resync of links and of our routes: at start, periodically, after ENOBUFS. */
void daemon_resync(struct mr_daemon *d)
{
	struct ports_env e;

	daemon_ports_env(d, &e);
	if (ports_resync(&e) < 0)
		return;
	if (rib_resync(&d->rib) < 0)
		return;
	daemon_peers_update(d, mtime_now());
	relay_forget_routes(&d->relay);
	probe_routes_sync(d);
}

static void mtu_check_port_peer(struct mr_daemon *d, const struct mr_port *port, int peer,
				mtime_t now)
{
	struct mtuport_env e;

	daemon_mtu_env(d, &e);
	mtuport_check_port_peer(&e, port, peer, now);
}

/* ---- packet reception (rx.h) ---- */

static void on_rx4(void *arg, uint32_t events)
{
	struct mr_daemon *d = arg;
	struct rx_env e;

	(void)events;
	daemon_rx_env(d, &e);
	rx_readable(&d->rx, &e, d->rx.sk4.fd);
}

static void on_rx6(void *arg, uint32_t events)
{
	struct mr_daemon *d = arg;
	struct rx_env e;

	(void)events;
	daemon_rx_env(d, &e);
	rx_readable(&d->rx, &e, d->rx.sk6.fd);
}

static void on_netlink(void *arg, uint32_t events)
{
	struct mr_daemon *d = arg;
	struct nl_handlers h = handlers_template;
	int err;

	(void)events;
	h.ctx = d;
	err = nl_monitor_read(d->nl, &h);
	if (err == -ENOBUFS) {
		log_warnx("netlink events were lost (ENOBUFS): resynchronising from a dump");
		daemon_resync(d);
	} else if (err < 0 && err != -EAGAIN) {
		errno = -err;
		log_warn("netlink monitor");
	}
}

static void on_signal(void *arg, uint32_t events)
{
	struct mr_daemon *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(d->sig.fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %d: shutting down", si.ssi_signo);
			d->stop = true;
			break;
		case SIGHUP:
			log_info("SIGHUP: reloading %s", d->cfg.path);
			daemon_reload(d, NULL);
			break;
		default:
			break;
		}
	}
}

/* Relay's timers; the routes decided again in between when it asks. */
static void relay_tick(struct mr_daemon *d, mtime_t now)
{
	struct relay_env e;
	bool decide;

	if (!d->relay.running)
		return;
	daemon_relay_env(d, &e);
	decide = relay_timers(&d->relay, &e, now);
	if (decide)
		daemon_peers_update(d, now);
	relay_send_due(&d->relay, &e, decide, now);
}

/* ---- start, run, stop ---- */

/* Stop signals and SIGHUP through a signalfd in the loop (blocked otherwise); 0 or -errno. */
static int start_signals(struct mr_daemon *d)
{
	sigset_t mask;
	int err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		err = -errno;
		log_warn("sigprocmask");
		return err;
	}
	d->sig.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sig.fd < 0) {
		err = -errno;
		log_warn("signalfd");
		return err;
	}
	d->sig.fn = on_signal;
	d->sig.arg = d;
	return loop_add(&d->loop, &d->sig, EPOLLIN);
}

/* The BFD receive sockets (IPv6 only if we have an IPv6 address) and the netlink monitor in the loop. */
static int start_rx(struct mr_daemon *d)
{
	int err;

	/* Random, neither 0 (no prefix) nor 0xffff (MTU_BOOTSTRAP_DISCR's). */
	do {
		if (getrandom(&d->discr_prefix, sizeof(d->discr_prefix), 0) != sizeof(d->discr_prefix))
			d->discr_prefix = (uint16_t)(mtime_now() ^ (mtime_t)getpid());
	} while (d->discr_prefix == 0 || d->discr_prefix == 0xffff);
	if ((err = rx_open(&d->rx, &d->loop, self_node(d)->addr6.family == AF_INET6, on_rx4, on_rx6,
			   d)) < 0)
		return err;
	daemon_rx_filter_update(d);
	d->nlmon.fd = nl_monitor_fd(d->nl);
	d->nlmon.fn = on_netlink;
	d->nlmon.arg = d;
	return loop_add(&d->loop, &d->nlmon, EPOLLIN);
}

/* systemd's watchdog, when enabled: pinged at half its interval. */
static void start_watchdog(struct mr_daemon *d)
{
	uint64_t usec = 0;

	d->next_watchdog = MTIME_NEVER;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		d->watchdog_every = (mtime_t)usec / 2;
		d->next_watchdog = mtime_now() + d->watchdog_every;
	}
}

int daemon_start(struct mr_daemon *d)
{
	struct linkmsg_env le;
	mtime_t now = mtime_now();
	int err, i;

	d->sio = (struct sess_io){ .cfg = &d->cfg, .keys = &d->keys, .rl = &d->rl_drop, .sb = d->standby };
	rx_init(&d->rx);
	d->nlmon.fd = d->sig.fd = -1;
	relay_init(&d->relay);
	linkmsg_init(&d->lm);
	d->nports = ports_of_node(self_node(d), d->ports);
	if (sysctl_prepare_port("all", false, d->cfg.set_sysctl, 0))
		log_warnx("host settings are not as meshroute needs them: failover may not work (see above)");

	if ((err = loop_init(&d->loop)) < 0)
		return err;
	if ((err = alert_open(&d->alert, d->cfg.alert_command, &d->loop)) < 0)
		return err;
	/* Before privileges are dropped: the socket's group is set with chown. */
	/* (control_open logged why, with the path) */
	if ((err = control_open(&d->ctl, d->cfg.control_socket, &d->loop, d->on_command, d)) < 0)
		return err;
	if ((err = nl_open(&d->nl)) < 0)
		return err;
	rib_init(&d->rib, &d->cfg, d->self, d->nl, now);
	if ((err = rib_remove_stale(&d->rib)) < 0)
		return err;

	if ((err = start_signals(d)) < 0 || (err = start_rx(d)) < 0)
		return err;
	if ((err = daemon_sessions_start(d, now)) < 0)
		return err;
	/* Ports and carrier as they are now; events keep it current from here. */
	daemon_resync(d);
	/* Not fatal: without it no loss is counted (logged); relay = on needs it, below. */
	daemon_linkmsg_env(d, &le);
	linkmsg_start(&d->lm, &le);
	if ((err = daemon_relay_start(d)) < 0)
		return err;
	for (i = 0; i < d->nports; i++)
		if (d->ports[i].ifindex == 0)
			log_warnx("port %s does not exist (yet): waiting for it", d->ports[i].name);
	d->next_resync = mtime_now() + RESYNC_INTERVAL;
	start_watchdog(d);
	log_info("node %s: %d fast port(s), %d session(s), interval %u ms x %u, hold-down %u ms",
		 self_node(d)->name, d->nports - 1, d->nsess, d->cfg.interval_us / 1000,
		 d->cfg.multiplier, d->cfg.hold_down_us / 1000);
	sd_notify(0, "READY=1\nSTATUS=probing");
	return 0;
}

void daemon_status_view(const struct mr_daemon *d, struct status_view *v)
{
	*v = (struct status_view){
		.cfg = &d->cfg, .self = d->self, .ports = d->ports, .nports = d->nports,
		.sess = d->sess, .nsess = d->nsess, .msess = d->msess, .nmsess = d->nmsess,
		.rib = &d->rib, .relay = &d->relay, .lm = &d->lm, .drops = d->rx.drops,
		.drop_decode = d->rx.drop_decode, .drop_auth = d->rx.drop_auth,
		.late_max_us = d->late_max_us, .standby = d->standby,
	};
}


/*
 * Probing at 20 ms x 3 leaves 60 ms of slack: a daemon starved that long by
 * a busy host would declare healthy links dead.  A low real-time priority
 * puts it ahead of ordinary work; it sleeps almost all the time, and the
 * kernel's RT throttling bounds it anyway.  Alert commands must not
 * inherit it (SCHED_RESET_ON_FORK).
 */
static mtime_t standby_fire(void *arg, mtime_t deadline);

static int standby_init(void *arg)
{
	return daemon_drop_privileges(arg);
}

/*
 * The standby takes over this long after a missed deadline: a tenth of
 * the interval (detection takes `multiplier` intervals), at least 0.5 ms
 * so that an ordinary wake-up's delay does not wake it, at most 2 ms.
 */
static mtime_t standby_slack(const struct mr_config *cfg)
{
	mtime_t s = cfg->interval_us / 10;

	return s < 500 ? 500 : s > MTIME_MS(2) ? MTIME_MS(2) : s;
}

void daemon_realtime(struct mr_daemon *d)
{
	struct sched_param sp = { .sched_priority = MR_RT_PRIORITY };
	struct standby_ops ops = { standby_fire, standby_init, d };
	int policy = SCHED_OTHER, err;

	if (d->cfg.lock_memory)
		privs_lock_memory();
	if (!d->cfg.realtime)
		log_debug("normal scheduling (realtime = no)");
	else if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0)
		log_warn("cannot run at real-time priority (SCHED_FIFO %d); a busy host may "
			 "delay probes", MR_RT_PRIORITY);
	else {
		policy = SCHED_FIFO;
		log_debug("running at real-time priority SCHED_FIFO %d", MR_RT_PRIORITY);
	}
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_lock(&d->lock);
	d->loop.lock = &d->lock;
	err = standby_start(&d->standby, &d->lock, &ops, standby_slack(&d->cfg), policy,
			    MR_RT_PRIORITY);
	d->sio.sb = d->standby;
	if (d->standby) {
		d->loop.take = standby_lock_cb;
		d->loop.take_arg = d->standby;
	}
	if (err < 0)
		log_warnx("no standby thread (%s): a kernel worker holding this CPU can delay "
			  "probes", strerror(-err));
}

int daemon_drop_privileges(struct mr_daemon *d)
{
	(void)d;
	return privs_drop();
}

/* The standby covers all but the main thread's own chores (fire_timers). */
static mtime_t next_deadline(struct mr_daemon *d, bool standby)
{
	struct mtusess_view mv = mtu_view(d);
	mtime_t t = standby ? MTIME_NEVER : mtime_min(d->next_resync, d->next_watchdog);
	int i;

	t = mtime_min(t, d->next_loss_tick);
	t = mtime_min(t, relay_next_deadline(&d->relay));
	t = mtime_min(t, linkmsg_next_deadline(&d->lm));
	t = mtime_min(t, mtusess_next_deadline(&mv));
	if (d->cfg.metrics_file[0] && !standby)
		t = mtime_min(t, d->next_metrics);
	t = mtime_min(t, alert_next_deadline(d->alert));
	if (!standby)
		t = mtime_min(t, control_next_deadline(d->ctl));
	for (i = 0; i < d->nsess; i++) {
		const struct mr_sess *s = &d->sess[i];

		if (sess_idle(s, d->cfg.nnodes))
			continue;
		t = mtime_min(t, bfd_session_next_event(&s->bfd));
	}
	for (i = 0; i < d->cfg.nnodes; i++)
		t = mtime_min(t, rib_recheck_at(&d->rib, i));
	t = mtime_min(t, rx_next_deadline(&d->rx));
	return t;
}

/*
 * Probe loss judged (sessloss.h): out of service is AdminDown with
 * diagnostic Path Down, so that both ends move their traffic; the return
 * goes through the normal bring-up and the (damped) hold-down.
 */
static void loss_apply(struct mr_daemon *d, struct mr_sess *s, const struct sessloss_change *chg,
		       mtime_t now)
{
	struct bfd_output out;
	char addr[64];
	bool outage = chg->action == SESSLOSS_OUT;
	struct alert_event ev = {
		.event = outage ? "loss-high" : "loss-ok", .node = self_node(d)->name,
		.peer = peer_name(d, s->peer),
		.peer_address = mr_addr_str(&s->remote, addr, sizeof(addr)),
		.port = s->port->name, .old_state = outage ? "Up" : "AdminDown",
		.new_state = outage ? "AdminDown" : "Down", .diag = chg->diag, .logged = true,
	};

	if (chg->action == SESSLOSS_NONE)
		return;
	alert_emit(d->alert, &ev, now);
	if (outage) {
		damp_flap(&s->damp, now, daemon_half_life(d));
		bfd_session_admin_down(&s->bfd, BFD_DIAG_PATH_DOWN, now, &out);
	} else {
		bfd_session_admin_up(&s->bfd, now, &out);
	}
	daemon_sess_output(d, s, &out, now);
}

void daemon_loss_check(struct mr_daemon *d, struct mr_sess *s, mtime_t now)
{
	struct sessloss_change chg;

	if (sessloss_check(s, &d->cfg, now, &chg) != SESSLOSS_NONE)
		loss_apply(d, s, &chg, now);
}

static void loss_tick(struct mr_daemon *d, struct mr_sess *s, mtime_t now)
{
	struct sessloss_change chg;

	if (sessloss_tick(s, &d->cfg, now, &chg) != SESSLOSS_NONE)
		loss_apply(d, s, &chg, now);
}

/*
 * Says so when the daemon itself ran late (a busy host, a stopped process):
 * by how much its earliest deadline was missed, and the oldest probe it
 * found waiting.  Late by more than one probe interval is worth a line.
 */
static void late_check(struct mr_daemon *d, mtime_t deadline, mtime_t now)
{
	mtime_t late = deadline != MTIME_NEVER && now > deadline ? now - deadline : 0;
	unsigned supp;

	late = mtime_max(late, d->rx.queued_max);
	d->rx.queued_max = 0;
	if (late <= (mtime_t)d->cfg.interval_us)
		return;
	d->late_max_us = mtime_max(d->late_max_us, late);
	/* One line per episode: the wake-ups right after a stall are late too. */
	if (now - d->late_logged_at < MTIME_S(1))
		return;
	d->late_logged_at = now;
	if (log_ratelimit_ok(&d->rl_late, &supp))
		log_warnx("meshrouted ran %lld.%lld ms late (busy host, or the process was stopped): "
			  "timers judged only after reading every probe queued meanwhile%s",
			  (long long)late / 1000, (long long)(late % 1000) / 100,
			  supp ? " (earlier such lines suppressed)" : "");
}

/*
 * Periodic packets go out together: a wake-up that sends one also sends
 * every other whose §6.8.7 window is open, and those sent together share
 * the first one's jittered next time where their windows allow (session.h).
 * Each wake-up costs far more than a packet (the scheduler, the peer's
 * wake-up), so N sessions to a node cost about one wake-up per interval.
 */
#define TX_GROUPS 4	/* distinct next times kept per wake-up (intervals differ) */

static void tx_pull(struct mr_daemon *d, mtime_t now)
{
	int i;

	for (i = 0; i < d->nsess && d->sess[i].bfd.next_tx > now; i++)
		;
	if (i == d->nsess)
		return;
	for (i = 0; i < d->nsess; i++)
		bfd_session_tx_pull(&d->sess[i].bfd, now);
}

static void tx_align(struct mr_daemon *d, mtime_t now)
{
	mtime_t lead[TX_GROUPS];
	int i, k, n = 0;

	for (i = 0; i < d->nsess; i++) {
		struct bfd_session *b = &d->sess[i].bfd;

		if (b->last_tx != now || b->next_tx == MTIME_NEVER)
			continue;
		for (k = 0; k < n && !bfd_session_tx_align(b, lead[k]); k++)
			;
		if (k == n && n < TX_GROUPS)
			lead[n++] = b->next_tx;
	}
}

/* fire_timers' part that only the main thread runs (see there). */
static void main_chores(struct mr_daemon *d, mtime_t now)
{
	struct status_view v;

	/* Also frees closed clients: must run after every loop_run_once(). */
	control_timers(d->ctl, now);
	if (d->next_resync <= now) {
		daemon_resync(d);
		d->next_resync = now + RESYNC_INTERVAL;
	}
	if (d->next_metrics <= now) {
		if (d->cfg.metrics_file[0]) {
			daemon_status_view(d, &v);
			metricsfile_write(d->cfg.metrics_file, &v, now, &d->metrics_failing);
		}
		d->next_metrics = now + METRICS_FILE_EVERY;
	}
	if (d->next_watchdog <= now) {
		/* Only a loop that really runs reaches here: a hang stops the pings. */
		sd_notify(0, "WATCHDOG=1");
		d->next_watchdog = now + d->watchdog_every;
	}
}

/*
 * `standby`: run by the standby thread while the main thread is late.
 * It leaves the main thread's chores alone: the control clients (their
 * events may be in the main thread's hands), the resync, the metrics file
 * and the watchdog, which must only hear from a main loop that runs.
 */
static void fire_timers(struct mr_daemon *d, bool standby)
{
	struct rx_env re;
	struct mtuport_env me;
	struct linkmsg_env le;
	mtime_t now;
	int i;

	now = mtime_now();
	daemon_rx_env(d, &re);
	if (rx_before_timers(&d->rx, &re, linkmsg_pending(&d->lm), now))
		now = mtime_now();
	/* Link reports read before that: every probe that came before them is counted now. */
	daemon_linkmsg_env(d, &le);
	linkmsg_process(&d->lm, &le, now);

	tx_pull(d, now);
	for (i = 0; i < d->nsess; i++) {
		struct mr_sess *s = &d->sess[i];
		struct bfd_output out;

		if (bfd_session_next_event(&s->bfd) > now)
			continue;
		bfd_session_timer(&s->bfd, now, &out);
		daemon_sess_output(d, s, &out, now);
	}
	tx_align(d, now);
	daemon_rx_env(d, &re);
	rx_mode_update(&d->rx, &re, now);
	daemon_mtu_env(d, &me);
	mtuport_timers(&me, now);
	for (i = 0; i < d->cfg.nnodes; i++) {
		if (i != d->self && rib_recheck_at(&d->rib, i) <= now)
			daemon_peer_update(d, i, now);
	}
	relay_tick(d, now);
	daemon_linkmsg_env(d, &le);
	linkmsg_timers(&d->lm, &le, now);
	if (d->next_loss_tick <= now) {
		for (i = 0; i < d->nsess; i++)
			loss_tick(d, &d->sess[i], now);
		for (i = 0; i < d->nmsess; i++)
			loss_tick(d, &d->msess[i], now);
		d->next_loss_tick = now + MTIME_S(1);
	}
	alert_timers(d->alert, now);
	if (!standby)
		main_chores(d, now);
	rx_wakeup_done(&d->rx);
}

/* The standby thread, holding the lock: the main thread missed `deadline`. */
static mtime_t standby_fire(void *arg, mtime_t deadline)
{
	struct mr_daemon *d = arg;

	late_check(d, deadline, mtime_now());
	fire_timers(d, true);
	return next_deadline(d, true);
}

int daemon_run(struct mr_daemon *d)
{
	while (!d->stop) {
		mtime_t deadline = next_deadline(d, false), before = mtime_now();

		standby_arm(d->standby, deadline);
		if (loop_run_once(&d->loop, deadline) < 0)
			return 1;
		/*
		 * Lateness only counts for a deadline we slept towards, and
		 * not when the standby ran the timers in time (it judged its
		 * own lateness).
		 */
		if (!standby_covered(d->standby))
			late_check(d, mtime_max(deadline, before), mtime_now());
		fire_timers(d, false);
	}
	return d->exit_code;
}

void daemon_shutdown(struct mr_daemon *d)
{
	struct mtuport_env me;
	struct linkmsg_env le;
	struct relay_env re;
	mtime_t now = mtime_now();
	int i;

	/* Nothing of ours is sent by the standby any more, before it goes. */
	for (i = 0; i < d->nsess; i++)
		sess_unpublish(&d->sess[i]);
	d->sio.sb = NULL;
	standby_stop(d->standby);
	d->standby = NULL;
	sd_notify(0, "STOPPING=1");
	/* Stale metrics would say our sessions are Up forever. */
	if (d->cfg.metrics_file[0] && unlink(d->cfg.metrics_file) != 0 && errno != ENOENT)
		log_warn("cannot remove %s", d->cfg.metrics_file);
	control_close(d->ctl);
	d->ctl = NULL;
	/* No one relays through us any more (an empty advertisement), then... */
	daemon_relay_env(d, &re);
	relay_stop(&d->relay, &re);
	daemon_linkmsg_env(d, &le);
	linkmsg_stop(&d->lm, &le);
	/* ...our traffic to the LAN, then ask the peers to move theirs. */
	for (i = 0; i < d->cfg.nnodes && d->nl; i++)
		if (i != d->self)
			daemon_peer_withdraw(d, i, now);
	/* Twice: one loss must not leave the peer waiting. */
	for (i = 0; i < d->nsess; i++)
		sess_goodbye(&d->sess[i], &d->sio, 2, now);
	daemon_mtu_env(d, &me);
	mtuport_shutdown(&me, now);
	sesstab_index_free(&d->sidx);
	free(d->sess);
	d->sess = NULL;
	d->nsess = 0;
	if (d->rib.probe_rule)
		rib_probe_flush(&d->rib);
	rx_close(&d->rx);
	if (d->sig.fd >= 0)
		close(d->sig.fd);
	if (d->nl)
		nl_close(d->nl);
	alert_close(d->alert);
	d->alert = NULL;
	loop_close(&d->loop);
	auth_keyring_clear(&d->keys);
	log_info("stopped; routes withdrawn");
}

/* ---- drain (ports.h) ---- */

int daemon_drain(struct mr_daemon *d, const char *name, bool drain, FILE *out)
{
	struct ports_env e;

	daemon_ports_env(d, &e);
	return ports_drain(&e, name, drain, out);
}

int daemon_drain_done(struct mr_daemon *d, const char *name, FILE *out)
{
	struct ports_env e;

	daemon_ports_env(d, &e);
	return ports_drain_done(&e, name, out);
}
