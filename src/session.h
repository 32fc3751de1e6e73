/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One BFD session's state machine and timers (RFC 5880 §6.8), pure: time
 * and packets in, actions out.  No sockets, no clock reads, no logging, so
 * that every rule can be unit-tested with a fake clock.
 *
 * Usage: after any call that fills a struct bfd_output, the caller sends a
 * packet built with bfd_session_build() if out.send is set, and reports
 * out.state_changed.  The caller sleeps until bfd_session_next_event() and
 * then calls bfd_session_timer().
 */
#ifndef MR_SESSION_H
#define MR_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "mtime.h"
#include "packet.h"

/* RFC 5880 §6.8.3: while not Up, advertise at least one second. */
#define BFD_SLOW_TX_US 1000000u

struct bfd_session_params {
	uint32_t desired_min_tx_us;	/* wanted when Up, microseconds */
	uint32_t required_min_rx_us;	/* microseconds */
	uint8_t detect_mult;
	/*
	 * Desired Min TX advertised while not Up, us; 0 = the RFC's 1 s.
	 * Shorter lets a healed link be seen within milliseconds.
	 */
	uint32_t idle_tx_us;
};

struct bfd_session {
	/* RFC 5880 §6.8.1 state variables */
	uint8_t state;			/* enum bfd_state */
	uint8_t remote_state;
	uint8_t local_diag;		/* enum bfd_diag */
	uint32_t local_discr;
	uint32_t remote_discr;
	uint32_t desired_min_tx;	/* advertised now, us */
	uint32_t required_min_rx;	/* advertised now, us */
	uint32_t remote_min_rx;		/* us; 1 until heard, RFC §6.8.1 */
	uint32_t remote_desired_min_tx;	/* us */
	uint8_t detect_mult;
	uint8_t remote_detect_mult;
	bool remote_demand;

	struct bfd_session_params params;	/* configured target */

	/*
	 * Poll Sequence (§6.8.3): the advertised values change at once, the
	 * ones our timers use (eff_*) only when the Final arrives, where the
	 * RFC says the old value must hold until then.
	 */
	bool poll_active;
	bool poll_restart;		/* values changed again mid-sequence */
	bool final_pending;		/* peer polled: answer with F */
	uint32_t eff_desired_min_tx;	/* us, drives our transmit interval */
	uint32_t eff_required_min_rx;	/* us, drives our detection time */

	mtime_t next_tx;		/* MTIME_NEVER when not transmitting */
	mtime_t last_tx;		/* last packet built, 0 if none */
	mtime_t detect_deadline;	/* MTIME_NEVER when not armed */
	mtime_t last_rx;		/* last accepted packet, 0 if none */
	mtime_t state_since;
	uint32_t rng;			/* jitter PRNG state, never 0 */
};

struct bfd_output {
	bool send;			/* transmit a packet now */
	bool state_changed;
	uint8_t old_state, new_state;
	uint8_t diag;			/* local diagnostic after the change */
	mtime_t detect_us;		/* on timeout: silence that triggered it */
};

void bfd_session_init(struct bfd_session *s, const struct bfd_session_params *p,
		      uint32_t local_discr, uint32_t seed, mtime_t now);

/*
 * A packet that passed bfd_decode(), authentication, and demultiplexing to
 * this session (§6.8.6), read at `now`, arrived at `rx_at` (<= now; 0 if
 * unknown): the detection time runs from its arrival, so a packet read
 * late (a coalesced read, a busy host) does not push detection out.
 * Returns 0, or -1 when the packet is to be discarded (session AdminDown).
 */
int bfd_session_rx(struct bfd_session *s, const struct bfd_packet *pkt, mtime_t rx_at,
		   mtime_t now, struct bfd_output *out);

/* Fires detection and transmit timers that are due at `now`. */
void bfd_session_timer(struct bfd_session *s, mtime_t now, struct bfd_output *out);

/* Earliest time at which bfd_session_timer() has something to do. */
mtime_t bfd_session_next_event(const struct bfd_session *s);

/*
 * Coalescing of periodic packets, so that a daemon with many sessions wakes
 * once per interval, not once per session.  §6.8.7 only bounds each
 * interval: 75-100% (75-90% with Detect Mult 1) of the transmit interval
 * since the last packet.  bfd_session_tx_window() gives those bounds for
 * the scheduled packet (false when none is scheduled or none was sent yet).
 * bfd_session_tx_pull() moves it to `now` if `now` is within them (another
 * session is sending anyway); bfd_session_tx_align() moves it to `t`, the
 * jittered time another session just drew, if `t` is within them: sessions
 * sent together then keep going together, each interval still drawn at
 * random per packet.  Both return whether they moved it.
 */
bool bfd_session_tx_window(const struct bfd_session *s, mtime_t *lo, mtime_t *hi);
bool bfd_session_tx_pull(struct bfd_session *s, mtime_t now);
bool bfd_session_tx_align(struct bfd_session *s, mtime_t t);

/* Fills the next packet to send and schedules the following one (§6.8.7). */
void bfd_session_build(struct bfd_session *s, struct bfd_packet *pkt, mtime_t now);

/* New configured timers: applied through a Poll Sequence when Up. */
void bfd_session_set_params(struct bfd_session *s, const struct bfd_session_params *p,
			    mtime_t now, struct bfd_output *out);

/* Local AdminDown (drain, shutdown) with a diagnostic, and back to Down. */
void bfd_session_admin_down(struct bfd_session *s, uint8_t diag, mtime_t now,
			    struct bfd_output *out);
void bfd_session_admin_up(struct bfd_session *s, mtime_t now, struct bfd_output *out);

/* Transmit now if not Up (a port just got its carrier back). */
void bfd_session_kick(struct bfd_session *s, mtime_t now);

/* The forwarding path is known dead (carrier lost): Down with Path Down. */
void bfd_session_path_down(struct bfd_session *s, mtime_t now, struct bfd_output *out);

/* Current detection time (us) and transmit interval (us, before jitter). */
uint32_t bfd_session_detect_time(const struct bfd_session *s);
uint32_t bfd_session_tx_interval(const struct bfd_session *s);

/* Jittered interval (§6.8.7): 75-100% of `interval`, 75-90% if mult is 1. */
uint32_t bfd_jitter(uint32_t *rng, uint32_t interval, uint8_t detect_mult);

#endif
