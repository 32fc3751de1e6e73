/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's run-time state and the glue between its modules: BFD
 * sessions on this node's ports, the path policy per peer, the kernel's
 * routes, and the event loop that drives them.
 */
#ifndef MR_DAEMON_H
#define MR_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "auth.h"
#include "config.h"
#include "log.h"
#include "linkmsg.h"
#include "loss.h"
#include "loop.h"
#include "mtime.h"
#include "mtu.h"
#include "packet.h"
#include "path.h"
#include "relay.h"
#include "session.h"

struct nl;
struct control;

enum mr_drop {
	MR_DROP_DECODE,		/* bfd_decode() refused it: see drop_decode[] */
	MR_DROP_TTL,		/* TTL / hop limit not 255 (RFC 5881 §5) */
	MR_DROP_NO_SESSION,	/* no session for its discriminator / source */
	MR_DROP_WRONG_PORT,	/* arrived on another port or from another source */
	MR_DROP_AUTH,		/* failed authentication: see drop_auth[] */
	MR_DROP_ADMIN_DOWN,	/* our session is AdminDown */
	MR_DROP_MAX
};

struct mr_port {
	char name[16];
	int ifindex;		/* 0 while the port does not exist */
	bool carrier;		/* IFF_UP and IFF_LOWER_UP */
	bool lan;
	bool drained;		/* taken out of service by the admin */
	/* Sessions in Init or Up per peer node: who answers on this cable. */
	uint16_t active[MR_MAX_NODES];
	unsigned mtu;		/* bytes, 0 until the kernel told */
	bool was_jumbo;		/* MTU above 1500 at some point since start */
};

struct mr_sess {
	struct bfd_session bfd;
	struct mr_port *port;
	int peer;		/* node index in the config */
	struct mr_addr local, remote;
	int fd;			/* transmit socket, -1 while the port is absent */
	bool connected;		/* fd has its destination fixed (net_tx_connect) */
	uint16_t sport;
	mtime_t up_since;	/* when it last came Up, 0 when not Up */
	uint64_t tx_packets, rx_packets, tx_errors;
	uint32_t flaps;		/* Up -> not Up, except on the peer's AdminDown */
	uint32_t last_detect_us;	/* silence before the last timeout */
	uint8_t last_down_diag;
	struct auth_state auth;	/* RFC 5880 §6.7 sequence numbers */
	struct damp damp;	/* flap damping of the hold-down */
	bool ever_up;		/* has been Up since start (session-up alerts after that) */
	/*
	 * Probe loss, counted (loss.h): every probe from the peer that passed
	 * authentication, in any state, with its kernel arrival stamp; the two
	 * directions' pairs of counts; the pair of the peer's last link report
	 * for the echo in ours; the peer's last meticulous auth sequence
	 * number with our count by it.
	 */
	struct loss_rx lrx;
	struct loss_dir loss_from;	/* the peer's probes to us */
	struct loss_dir loss_to;	/* ours to the peer */
	bool echo_valid;
	uint32_t echo_key, echo_sent, echo_rcvd;
	uint64_t echo_tx;	/* the tx time (the peer's clock) of the report they were cut at */
	mtime_t report_at;	/* a link report last named this session, 0: never */
	mtime_t loss_reset_at;	/* counting started over (state change): older pairs are ignored */
	bool seq_valid;
	uint32_t seq_key, seq_last, seq_rcvd;
	mtime_t seq_at;
	int loss_permille;	/* the peer's probes lost over 10 s, -1 while unknown */
	int loss_to_permille;	/* ours to the peer, -1 while unknown */
	bool loss_none_logged;	/* "the peer sends no counts" was logged */
	bool loss_out;		/* taken out of service for loss (AdminDown) */
	mtime_t loss_out_since;
	/* MTU sessions only (d->msess): padded probes, one per (fast port, peer). */
	bool mtu;
	unsigned pad_to;	/* IP packet size of our probes (the port's MTU), 0: not probing */
	unsigned passes;	/* largest padded probe from the peer lately (IP bytes), 0: none */
	mtime_t passes_at;
	mtime_t mtu_lost_at;	/* when it last left Up, 0 if never */
	mtime_t probe_since;	/* when our probing or the peer's last started */
	bool peer_stopped;	/* the peer's MTU session said AdminDown last */
	uint8_t verdict;	/* enum mtu_verdict, as last reported */
	mtime_t verdict_recheck;
};

/* Address families: index 0 is IPv4, 1 is IPv6. */
#define MR_NFAM 2
static inline int mr_fam(int family)
{
	return family == AF_INET6;
}

/* The host route to one peer in one family. */
struct mr_route {
	struct path_result installed;	/* what the kernel holds for it */
	bool installed_known;		/* false: rewrite regardless */
	mtime_t recheck_at;
	mtime_t changed_at;		/* last path change */
	bool ever_fast;			/* has been on a fast port since start */
};

struct mr_peer {
	int node;
	struct mr_route rt[MR_NFAM];	/* each family fails over on its own */
	bool redundancy_seen;		/* fast and LAN paths both worked once */
	bool redundancy_lost;
	const char *redundancy_what;	/* which path was lost (a string literal) */
};

struct mr_daemon {
	struct mr_config cfg;
	int self;
	bool verbose;

	struct mr_port ports[MR_MAX_FAST + 1];
	int nports;
	struct mr_sess *sess;
	int nsess;
	struct mr_sess *msess;		/* MTU sessions, one per (fast port, peer): mtu_sess.c */
	int nmsess;
	struct mr_peer peers[MR_MAX_NODES];

	struct nl *nl;
	struct alerter *alert;
	struct control *ctl;
	struct loop loop;
	pthread_mutex_t lock;		/* all of this; the main thread's but while it waits */
	struct standby *standby;	/* standby.h; NULL with one CPU */
	struct loop_fd rx4, rx6, nlmon, sig;
	bool probe_rule;		/* IPv6 probe rule installed */
	char sock_override[108];	/* -s: wins over control-socket, also on reload */
	mtime_t next_resync;
	mtime_t next_metrics;		/* metrics-file rewrite */
	mtime_t next_loss_tick;		/* once a second: auth-sequence counts, loss verdicts */
	bool metrics_failing;
	mtime_t next_watchdog;		/* MTIME_NEVER without a systemd watchdog */
	mtime_t watchdog_every;
	bool stop;
	int exit_code;

	uint64_t drops[MR_DROP_MAX];
	uint64_t drop_decode[BFD_DECODE_ERR_MAX];
	uint64_t drop_auth[AUTH_RESULT_MAX];
	struct auth_keyring keys;	/* type none: no authentication */
	struct log_ratelimit rl_drop;
	struct log_ratelimit rl_late;
	bool rx_backlog;		/* a receive socket still held packets after a wake-up */
	bool rx_lazy;			/* rx-coalesce in effect: sockets out of epoll */
	mtime_t rx_read_at;		/* last time both receive sockets were read empty */
	mtime_t rx_next_read;		/* coalesced: read again by then at the latest */
	mtime_t rx_mode_retry_at;	/* after a failed switch back to wake-on-arrival */
	mtime_t rx_allow;		/* queueing that coalescing explains, us */
	mtime_t rx_queued_max;		/* oldest probe found waiting since the last check, us */
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
/* Keeps only the capabilities needed from now on (CAP_NET_ADMIN). */
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
/* Recomputes and installs the paths to every peer (relay.c: a neighbour's reach changed). */
void daemon_peers_update(struct mr_daemon *d, mtime_t now);
/*
 * New counts for a session (linkmsg.c: a link report): its loss figures
 * and, for a regular fast session, the verdict (out of service or back).
 */
void daemon_loss_check(struct mr_daemon *d, struct mr_sess *s, mtime_t now);
/* Routes withdrawn, peers told (AdminDown), everything closed. */
void daemon_shutdown(struct mr_daemon *d);

const char *mr_drop_name(int reason);

#endif
