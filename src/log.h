/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging: stderr in the foreground, syslog otherwise; one line per event. */
#ifndef MR_LOG_H
#define MR_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* to_stderr: foreground mode. verbose: also log_debug(). */
void log_init(const char *ident, bool to_stderr, bool verbose);
void log_set_verbose(bool verbose);

/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only during start-up: logs and exits 1. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * A token bucket for messages triggered by packets from the network, so a
 * flood of bad packets costs a few log lines a second, not a full disk.
 * Returns true if the caller may log now; *suppressed gets how many calls were
 * refused since the last allowed one.
 */
struct log_ratelimit {
	long long last_us;	/* last refill, monotonic microseconds */
	unsigned tokens;	/* messages left in this burst */
	unsigned suppressed;	/* refused since the last allowed message */
};
bool log_ratelimit_ok(struct log_ratelimit *rl, unsigned *suppressed);

#endif
