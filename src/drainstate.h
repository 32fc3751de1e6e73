/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drained fast ports kept across restarts, so that a package upgrade (which
 * restarts the daemon), a crash or a reboot does not put a port back into
 * service that the admin took out with `meshroutectl drain`.
 *
 * The state is the file "drained" in the state directory that systemd's
 * StateDirectory= names in $STATE_DIRECTORY (/var/lib/meshroute for the
 * packaged unit), one line per drained port:
 *	PORT SINCE
 * SINCE being when it was drained (UTC, ISO 8601); lines starting with '#'
 * are comments.  It is rewritten atomically (a temporary file in the same
 * directory, fsync, rename, fsync of the directory): a crash leaves the old
 * or the new state, never half of one.  Without a state directory (the
 * daemon run by hand) drains are not kept: drainstate_dir() says so once.
 *
 * The directory is file-scope state set once at start-up (like the log's
 * settings), so that the drain command records a change with one call.
 */
#ifndef MR_DRAINSTATE_H
#define MR_DRAINSTATE_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

#define DRAINSTATE_FILE "drained"

struct drainstate {
	char port[MR_MAX_FAST][16];	/* IFNAMSIZ names */
	char since[MR_MAX_FAST][24];	/* "2026-12-03T10:00:00Z", "" when unknown */
	int n;
};

/* ---- pure: text <-> set ---- */

/*
 * Parses the file's text into ds (cleared first).  A line that is not a
 * port name (1..15 of [A-Za-z0-9_.:@-]), a duplicate, or more than
 * MR_MAX_FAST ports: reported to errf as "name:line: what" and skipped; the
 * good lines still count (the admin's drains are worth more than a perfect
 * file).  Returns the number of lines skipped.
 */
int drainstate_parse(const char *name, const char *text, struct drainstate *ds, FILE *errf);
/* The file's text: a comment saying what it is, then one line per port. */
void drainstate_format(const struct drainstate *ds, FILE *out);
bool drainstate_has(const struct drainstate *ds, const char *port);
/*
 * Adds (keeping an existing entry's time) or removes port; since: the time
 * to record for a new entry.  0, 1 when nothing changed, or -ENOSPC /
 * -EINVAL (not a valid port name).
 */
int drainstate_set(struct drainstate *ds, const char *port, bool drained, const char *since);

/* ---- the file ---- */

/*
 * The state directory: dir, or the first entry of $STATE_DIRECTORY when
 * dir is NULL.  Returns the directory in use, NULL when there is none
 * (drains are then kept in memory only; logged once at info).
 */
const char *drainstate_dir(const char *dir);
/* Reads the file of dir; an absent file is an empty set.  0 or -errno (logged). */
int drainstate_load(const char *dir, struct drainstate *ds);
/* Writes ds atomically as the file of dir.  0 or -errno (logged). */
int drainstate_save(const char *dir, const struct drainstate *ds);
/*
 * The call for the drain command: port drained (true) or back in service,
 * recorded in the state directory set by drainstate_dir().  Nothing without
 * one.  0 or -errno (logged: the drain itself still holds until a restart).
 */
int drainstate_record(const char *port, bool drained);

#endif
