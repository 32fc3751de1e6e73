/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's run-time state and its dispatcher: BFD sessions on this
 * node's ports (sess.h, mtusess.h), packets in (rx.h), timers, state
 * changes out to the path policy and the routes (route.h), alerts, relay
 * (relay.h) and link reports (linkmsg.h); ports and drain (ports.h), MTU
 * probing (mtuport.h); start, stop and reload.  The modules it drives get
 * an environment struct per call (envs.c), never struct mr_daemon.
 * status.c and command.c read and steer it: status through a view
 * (daemon_status_view()); main() wires command_run in (on_command).
 */
#ifndef MR_DAEMON_H
#define MR_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "auth.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "linkmsg.h"
#include "loss.h"
#include "loop.h"
#include "mtime.h"
#include "mtu.h"
#include "net.h"
#include "packet.h"
#include "path.h"
#include "redund.h"
#include "relay.h"
#include "route.h"
#include "rx.h"
#include "sess.h"
#include "sesstab.h"
#include "session.h"

struct nl;
struct control;
struct status_view;
struct mtuport_env;
struct ports_env;

struct mr_daemon {
	struct mr_config cfg;
	int self;
	bool verbose;
	struct sess_io sio;		/* for sess_send(): &cfg, &keys, &rl_drop */
	control_fn on_command;		/* the control socket's requests (main: command_run) */

	struct mr_port ports[MR_MAX_FAST + 1];
	int nports;
	struct mr_sess *sess;
	int nsess;
	struct mr_sess *msess;		/* MTU sessions, one per (fast port, peer): mtusess.h */
	int nmsess;
	struct sesstab_index sidx;	/* both tables by local discriminator: sesstab.h */
	struct rib rib;			/* routes: route.h */
	struct mr_redundancy red[MR_MAX_NODES];

	struct nl *nl;
	struct alerter *alert;
	struct control *ctl;
	struct loop loop;
	pthread_mutex_t lock;		/* all of this; the main thread's but while it waits */
	struct standby *standby;	/* standby.h; NULL with one CPU */
	struct loop_fd nlmon, sig;
	struct rx rx;			/* the BFD receive path: rx.h */
	char sock_override[108];	/* -s: wins over control-socket, also on reload */
	mtime_t next_resync;
	mtime_t next_metrics;		/* metrics-file rewrite */
	mtime_t next_loss_tick;		/* once a second: auth-sequence counts, loss verdicts */
	bool metrics_failing;
	mtime_t next_watchdog;		/* MTIME_NEVER without a systemd watchdog */
	mtime_t watchdog_every;
	bool stop;
	int exit_code;

	uint16_t discr_prefix;		/* upper half of every local discriminator, 0: none (net.h) */
	struct auth_keyring keys;	/* type none: no authentication */
	struct log_ratelimit rl_drop;
	struct log_ratelimit rl_late;
	mtime_t late_max_us;		/* worst lateness since start, us */
	mtime_t late_logged_at;
	struct relay_state relay;	/* relay = on: relay.h */
	struct linkmsg_state lm;	/* link reports, relay-port sockets: linkmsg.h */
};

/* Sets everything up (sockets, netlink, stale routes); 0 or -errno. */
int daemon_start(struct mr_daemon *d);
/*
 * realtime = yes: SCHED_FIFO (low priority) so a busy host cannot starve
 * probes; lock-memory = yes: mlockall.  Then starts the standby thread
 * (standby.h), which drops its own privileges as daemon_drop_privileges.
 */
void daemon_realtime(struct mr_daemon *d);
/*
 * Keeps only the capabilities needed from now on (CAP_NET_ADMIN), for the
 * calling thread.  0, or -EPERM (logged): the daemon then runs on with
 * root's, since it still protects the traffic, which matters more than
 * its own confinement.
 */
int daemon_drop_privileges(struct mr_daemon *d);
/* Runs until a stop signal; returns the exit code. */
int daemon_run(struct mr_daemon *d);
/*
 * Re-reads the config file.  A broken file changes nothing; otherwise
 * sessions whose port, peer and addresses are unchanged keep running (new
 * timers through a Poll Sequence), the others are added or told AdminDown.
 * Messages go to the log and, if out is not NULL, to out.  0 or -1.
 */
int daemon_reload(struct mr_daemon *d, FILE *out);
/*
 * Takes a fast port out of service (drain: routes moved off it first, then
 * AdminDown to its peers) or back (undrain).  Replies to out.  0 or -1.
 */
int daemon_drain(struct mr_daemon *d, const char *port, bool drain, FILE *out);
/* After a drain: 0 when every peer has confirmed, 1 while waiting, -1 on error. */
int daemon_drain_done(struct mr_daemon *d, const char *port, FILE *out);
/* What status.h's renderers read of the daemon, lent until it changes. */
void daemon_status_view(const struct mr_daemon *d, struct status_view *v);
/* Routes withdrawn, peers told (AdminDown), everything closed. */
void daemon_shutdown(struct mr_daemon *d);

/*
 * Inside the daemon.  Two more files belong to it and take struct
 * mr_daemon whole: reload.c (a reload builds a whole new daemon state
 * beside the running one, tells the old sessions and routes what goes,
 * swaps, restarts relay and link reports; start builds its session tables
 * the same way) and envs.c (the environment structs the daemon lends its
 * modules, and their calls back).  What they and daemon.c call of each
 * other is below; nobody else calls any of it.
 */
/* reload.c: start's session tables, built as a reload builds them, from none.  0 or -ENOMEM. */
int daemon_sessions_start(struct mr_daemon *d, mtime_t now);
/* daemon.c, the dispatcher: a session's state machine output (log, alerts, routes, send). */
void daemon_sess_output(struct mr_daemon *d, struct mr_sess *s, const struct bfd_output *out,
			mtime_t now);
/* The routes to one peer (to every peer) decided and installed again. */
void daemon_peer_update(struct mr_daemon *d, int peer, mtime_t now);
void daemon_peers_update(struct mr_daemon *d, mtime_t now);
/* Both families' routes to peer to the LAN, the change logged and alerted. */
void daemon_peer_withdraw(struct mr_daemon *d, int peer, mtime_t now);
/* A session's probe loss judged (sessloss.h) and acted on. */
void daemon_loss_check(struct mr_daemon *d, struct mr_sess *s, mtime_t now);
/* Flap damping's half-life (path.h) for the running config. */
mtime_t daemon_half_life(const struct mr_daemon *d);
struct sesstab daemon_sesstab(const struct mr_daemon *d);
/* A session's transmit socket once its port exists, its IPv6 probe route, its destination. */
void daemon_sess_start(struct mr_daemon *d, struct mr_sess *s);
/* The IPv6 probe route of s (route.h), then its destination. */
void daemon_probe_route(struct mr_daemon *d, struct mr_sess *s);
/* Both session tables indexed by discriminator (searched without the memory: logged). */
void daemon_sessions_indexed(struct mr_daemon *d);
/* Full resync of links and of our routes: at start, periodically, after ENOBUFS, after a reload. */
void daemon_resync(struct mr_daemon *d);
/* envs.c: what each module may use of ours, lent for one call. */
void daemon_ports_env(struct mr_daemon *d, struct ports_env *e);
void daemon_mtu_env(struct mr_daemon *d, struct mtuport_env *e);
void daemon_rx_env(struct mr_daemon *d, struct rx_env *e);
void daemon_linkmsg_env(struct mr_daemon *d, struct linkmsg_env *e);
void daemon_relay_env(struct mr_daemon *d, struct relay_env *e);
/* rx_filter_update() with our env: whenever the session tables change. */
void daemon_rx_filter_update(struct mr_daemon *d);
/* relay_start() with our env: 0 or -errno. */
int daemon_relay_start(struct mr_daemon *d);

#endif
