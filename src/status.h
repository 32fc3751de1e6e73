/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `meshroutectl status` and `metrics` show: pure renderers from a
 * view of the daemon's state (struct status_view: sessions, ports, routes,
 * relay, link reports, counters) and the current time to text.  No I/O
 * besides `out`, no clock reads, so they are unit-tested with a hand-built
 * view.  The JSON keys and metric names are a stable interface:
 * docs/control.md.
 */
#ifndef MR_STATUS_H
#define MR_STATUS_H

#include <stdint.h>
#include <stdio.h>

#include "auth.h"
#include "config.h"
#include "linkmsg.h"
#include "mtime.h"
#include "net.h"
#include "packet.h"
#include "relay.h"
#include "route.h"
#include "sess.h"

struct standby;

/* What the renderers read, lent for one call (daemon_status_view(), or a test's). */
struct status_view {
	const struct mr_config *cfg;
	int self;
	const struct mr_port *ports;
	int nports;
	const struct mr_sess *sess;	/* regular sessions */
	int nsess;
	const struct mr_sess *msess;	/* MTU sessions */
	int nmsess;
	const struct rib *rib;		/* the routes, installed */
	const struct relay_state *relay;
	const struct linkmsg_state *lm;
	const uint64_t *drops;		/* [MR_DROP_MAX]: received BFD packets dropped, by reason */
	const uint64_t *drop_decode;	/* [BFD_DECODE_ERR_MAX] */
	const uint64_t *drop_auth;	/* [AUTH_RESULT_MAX] */
	mtime_t late_max_us;		/* the worst lateness of the daemon's wake-ups */
	const struct standby *standby;	/* NULL: no standby thread */
};

/*
 * One screen for a person: peers with their path in use, the sessions
 * (silent candidate sessions of fast ports folded into one line per port),
 * then the drop counters.  Not for parsing: use status_json().
 */
void status_text(const struct status_view *d, mtime_t now, FILE *out);

/* The same, complete, as one JSON object with snake_case keys. */
void status_json(const struct status_view *d, mtime_t now, FILE *out);

/* s as a JSON string, quoted and escaped (also for command.c's replies). */
void status_json_string(const char *s, FILE *out);

/* Prometheus text exposition format 0.0.4, HELP and TYPE for every family. */
void status_metrics(const struct status_view *d, mtime_t now, FILE *out);

#endif
