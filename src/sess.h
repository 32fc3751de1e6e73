/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The records of this node's ports and of its BFD sessions on them, as
 * the daemon keeps them and link reports (linkmsg.c) and status read
 * them: the protocol state (session.h), the socket, counters, loss
 * counting (loss.h), flap damping (path.h), and for MTU sessions the
 * padded probing (mtu.h); and what one session does on its own: its
 * parameters, its transmit socket, its packets out.  The daemon owns the
 * tables.
 */
#ifndef MR_SESS_H
#define MR_SESS_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "log.h"
#include "loss.h"
#include "mtime.h"
#include "path.h"
#include "session.h"
#include "standby.h"

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
	struct standby *txsb;	/* its packets published to this standby (standby.h), or NULL */
	int txslot;		/* ... in this slot */
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
	/* MTU sessions only (the daemon's msess): padded probes, one per (fast port, peer). */
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

/* What sending needs besides the session: names for log lines, the keys that sign, a log budget. */
struct sess_io {
	const struct mr_config *cfg;
	const struct auth_keyring *keys;
	struct log_ratelimit *rl;	/* send errors' debug lines */
	struct standby *sb;	/* stands in when the daemon's thread is stuck (standby.h), or NULL */
};

/* The BFD timers of a session of cfg on a fast port, or (lan) on the LAN port. */
void sess_params(const struct mr_config *cfg, bool lan, struct bfd_session_params *p);
bool sess_params_equal(const struct bfd_session_params *a, const struct bfd_session_params *b);

/*
 * Quiet and not Up or coming up: nothing to send, nothing to judge.  Its
 * timer then runs with the next wake-up instead of costing one of its own
 * (parked discovery candidates and MTU sessions are most sessions of a mesh).
 */
bool sess_idle(const struct mr_sess *s, int nnodes);
/* Builds the next packet (bfd_session_build) and sends it unless the session is quiet. */
void sess_send(struct mr_sess *s, const struct sess_io *io, mtime_t now);

/*
 * Opens the transmit socket of a session whose port exists: 1 when it was
 * opened now (the caller adds the IPv6 probe route, then sess_connect()),
 * 0 when there is nothing to do, -errno when it could not (logged: the
 * session stays Down).
 */
int sess_open(struct mr_sess *s, const struct mr_config *cfg);
/*
 * A session's socket keeps its route (connect): no route lookup per packet,
 * a tenth of the daemon's CPU time at 10 ms.  MTU probes stay unconnected
 * (a few per second).  Until it succeeds (IPv6 needs the probe route first)
 * packets are sent with their address, as they always may be.
 */
void sess_connect(struct mr_sess *s);
/* Closes the transmit socket (its published packet withdrawn first: standby.h). */
void sess_close(struct mr_sess *s);
/* Withdraws the session's published packet (before the standby stops); sess_send publishes again. */
void sess_unpublish(struct mr_sess *s);
/*
 * The session is removed (reload, shutdown): AdminDown (RFC 5880 §6.8.16),
 * said `times` times to a peer that knows us, then the socket closed.
 */
void sess_goodbye(struct mr_sess *s, const struct sess_io *io, int times, mtime_t now);

#endif
