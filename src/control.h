/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's side of the control socket: a unix stream socket that only
 * root and the group `meshroute` may use (mode 0660), served from the
 * daemon's event loop without ever blocking it.
 *
 * Protocol, one request per connection:
 *
 *   client: one line, at most CONTROL_MAX_REQUEST bytes with its '\n':
 *           words separated by spaces, e.g. "status", "-j status",
 *           "drain fast1".  Closing the write side ends the line too.
 *   daemon: the reply body (text, ending with '\n' unless empty), then a
 *           last line ".ok" or ".error", then it closes the connection.
 *
 * The body is everything before the last line; the client reads until
 * end of file.  A connection that ends without a status line is a failure
 * (daemon stopped, request timed out).  Protocol errors are answered the
 * same way, e.g. "request too long\n.error\n".
 *
 * A client must send its line within CONTROL_TIMEOUT of connecting and keep
 * reading its reply (no CONTROL_TIMEOUT without progress), else it is
 * dropped.  At most CONTROL_MAX_CLIENTS are served at once; more are told
 * "too many clients".
 */
#ifndef MR_CONTROL_H
#define MR_CONTROL_H

#include <stdio.h>

#include "loop.h"
#include "mtime.h"

#define CONTROL_MAX_REQUEST 4096
#define CONTROL_MAX_CLIENTS 16
#define CONTROL_MAX_ARGS 32
#define CONTROL_TIMEOUT MTIME_S(2)
#define CONTROL_GROUP "meshroute"

struct control;

/*
 * Answers one request: argv[0..argc-1] are its words (argc >= 1; writable,
 * valid during the call only).  Writes the reply body to out and returns 0
 * for ".ok", anything else for ".error".
 */
typedef int (*control_fn)(void *arg, int argc, char **argv, FILE *out);

/*
 * Listens on `path`: creates its directory (0755) if missing, replaces a
 * stale socket file nobody listens on, refuses (-EADDRINUSE) if another
 * daemon answers there or (-EEXIST) if the file is not a socket; binds
 * under umask 0117, mode 0660, group CONTROL_GROUP if /etc/group has it.
 * Registers with loop l.  0 or -errno, with the reason logged.
 */
int control_open(struct control **out, const char *path, struct loop *l, control_fn fn,
		 void *arg);

/* Earliest client deadline, MTIME_NEVER when there is none. */
mtime_t control_next_deadline(const struct control *c);

/*
 * Drops clients past their deadline and frees closed ones.  Call it after
 * every loop_run_once() (closing is deferred to here because an event for a
 * client may still be pending in the batch that closed it).
 */
void control_timers(struct control *c, mtime_t now);

/* Closes every client and the socket, and removes the socket file. NULL is fine. */
void control_close(struct control *c);

#endif
