/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `meshroutectl status` and `metrics` show: pure renderers from the
 * daemon's state and the current time to text.  No I/O besides `out`, no
 * clock reads, so they are unit-tested with a hand-built struct mr_daemon.
 * The JSON keys and metric names are a stable interface: docs/control.md.
 */
#ifndef MR_STATUS_H
#define MR_STATUS_H

#include <stdio.h>

#include "daemon.h"
#include "mtime.h"

/*
 * One screen for a person: peers with their path in use, the sessions
 * (silent candidate sessions of fast ports folded into one line per port),
 * then the drop counters.  Not for parsing: use status_json().
 */
void status_text(const struct mr_daemon *d, mtime_t now, FILE *out);

/* The same, complete, as one JSON object with snake_case keys. */
void status_json(const struct mr_daemon *d, mtime_t now, FILE *out);

/* Prometheus text exposition format 0.0.4, HELP and TYPE for every family. */
/* s as a JSON string, quoted and escaped. */
void status_json_string(const char *s, FILE *out);

void status_metrics(const struct mr_daemon *d, mtime_t now, FILE *out);

#endif
