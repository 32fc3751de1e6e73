/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging: stderr in the foreground (journald priorities when it is the journal), syslog otherwise; one line per event. */
#ifndef MR_LOG_H
#define MR_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "mtime.h"

/*
 * to_stderr: foreground mode. verbose: also log_debug().  When stderr is
 * journald's stream (JOURNAL_STREAM names it), every line starts with its
 * priority as sd-daemon(3)'s "<N>" prefix, so `journalctl -p warning` works;
 * otherwise lines are plain (time-stamped on a terminal or with
 * MESHROUTE_LOG_TIMESTAMPS).
 */
void log_init(const char *ident, bool to_stderr, bool verbose);
/*
 * Where modules that report to a FILE (config_load's errf) should write
 * during start-up: stderr, or, when stderr is the journal, a stream that
 * gives each line priority err.  Never closed.
 */
FILE *log_error_file(void);

/* log_warn appends ": strerror(errno)"; log_warnx does not.  log_errx: priority err (start-up refused). */
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A token bucket: full (burst tokens) at its first use, one token back
 * every `every`, and a full bucket saves no time up for later.  now: the
 * caller's clock (mtime_now(), or a test's).  True when a token was taken.
 */
struct token_bucket {
	unsigned tokens;
	mtime_t at;		/* last refill; 0 before the first use */
};
bool token_take(struct token_bucket *b, unsigned burst, mtime_t every, mtime_t now);

/*
 * For messages triggered by packets from the network (a token bucket of
 * 5, one a second), so a flood of bad packets costs a few log lines a
 * second, not a full disk.  Returns true if the caller may log now;
 * *suppressed gets how many calls were refused since the last allowed one.
 */
struct log_ratelimit {
	struct token_bucket b;
	unsigned suppressed;	/* refused since the last allowed message */
};
bool log_ratelimit_ok(struct log_ratelimit *rl, unsigned *suppressed);

#endif
