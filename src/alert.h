/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Alerts: one log line per event, and the admin's alert command run for it,
 * asynchronously, so that a slow, hanging or chatty command never delays
 * probing.
 *
 * The command is executed directly (no shell) as
 *	COMMAND EVENT PEER PORT OLD_STATE NEW_STATE
 * in a clean environment: PATH=/usr/sbin:/usr/bin:/sbin:/bin plus
 *	MESHROUTE_EVENT MESHROUTE_NODE MESHROUTE_PEER MESHROUTE_PEER_ADDRESS
 *	MESHROUTE_PORT MESHROUTE_OLD_STATE MESHROUTE_NEW_STATE MESHROUTE_DIAG
 *	MESHROUTE_DETECT_MS	detection time, e.g. "45.0"; "" when not applicable
 *	MESHROUTE_TIME		wall clock, ISO 8601 UTC, e.g. 2024-05-01T12:00:00Z
 *	MESHROUTE_SUPPRESSED	events not run (rate limit) since the last run
 * stdin, stdout and stderr are /dev/null: output is discarded so that a flood
 * of it can never fill a pipe the daemon must drain.  Commands that want to
 * report should use logger(1).  The child is in its own process group, with
 * default signal dispositions, an empty signal mask and only fds 0-2.
 *
 * Limits: at most ALERT_MAX_RUNNING commands at once; a token bucket of
 * ALERT_BURST runs refilled one per ALERT_REFILL_US (so a flapping link costs
 * at most 10 processes, then one every 6 s); events beyond either limit are
 * logged but not run, and counted as suppressed.  A command still running
 * after its timeout (10 s) gets SIGTERM on its process group, then SIGKILL
 * one second later.  Children are reaped through pidfds in the loop, so no
 * SIGCHLD handler is needed.
 *
 * Usage: alert_emit() on each event; the caller's loop sleeps until
 * alert_next_deadline() at the latest and then calls alert_timers().
 */
#ifndef MR_ALERT_H
#define MR_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "mtime.h"

#define ALERT_MAX_RUNNING 4
#define ALERT_BURST 10
#define ALERT_REFILL_US MTIME_S(6)
#define ALERT_TIMEOUT_US MTIME_S(10)
#define ALERT_KILL_GRACE_US MTIME_S(1)	/* SIGTERM -> SIGKILL */

/* Every string must be non-NULL; "" when not applicable. */
struct alert_event {
	const char *event;	/* "path-change", "session-down", "session-up",
				   "redundancy-lost", "redundancy-restored", "loss-high",
				   "loss-ok", "mtu-failed", "mtu-ok", "mesh-warning",
				   "mesh-warning-cleared" (the list in meshroute.conf(5)) */
	const char *node;	/* this node */
	const char *peer;	/* peer node name */
	const char *peer_address;
	const char *port;	/* port name */
	const char *old_state;	/* BFD state name, a path ("fast0", "LAN", "fast0+fast1"),
				   an MTU verdict, or what redundancy lost */
	const char *new_state;	/* likewise; for a mesh warning, its kind */
	const char *diag;	/* BFD diagnostic name, what was measured ("loss 5.7% to peer"),
				   or a mesh warning's text */
	uint32_t detect_us;	/* detection time, microseconds; 0 if not applicable */
	bool logged;		/* the caller logged the event in its own words already */
};

struct alert_stats {
	uint64_t run;		/* commands started */
	uint64_t suppressed;	/* events not run: rate limit or too many running */
	uint64_t timed_out;	/* commands killed after the timeout */
	uint64_t failed;	/* could not start, non-zero exit, or killed by a signal */
	unsigned running;	/* commands running now */
};

struct alerter;

/* command: absolute path, or "" for log lines only.  0 or -errno. */
int alert_open(struct alerter **out, const char *command, struct loop *l);
/* On reload; commands already running are left to finish.  0 or -errno. */
int alert_set_command(struct alerter *a, const char *command);
/* Logs one line for the event; runs the command unless limited.  Never waits. */
void alert_emit(struct alerter *a, const struct alert_event *ev, mtime_t now);
/* Earliest kill deadline of the running commands, MTIME_NEVER if none. */
mtime_t alert_next_deadline(const struct alerter *a);
/* Signals commands past their deadline. */
void alert_timers(struct alerter *a, mtime_t now);
void alert_get_stats(const struct alerter *a, struct alert_stats *st);
/* Kills (SIGKILL) and reaps the commands still running, then frees.  NULL is fine. */
void alert_close(struct alerter *a);

/* For tests: a shorter timeout than ALERT_TIMEOUT_US. */
void alert_set_timeout(struct alerter *a, mtime_t timeout_us);

#endif
