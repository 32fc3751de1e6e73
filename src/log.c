// SPDX-License-Identifier: GPL-2.0-or-later
/* Logging to stderr or syslog, in the style of OpenBSD's log.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mtime.h"

static bool log_stderr = true;
static bool log_verbose;
static bool log_stamp;	/* wall-clock prefix on stderr, unless journald adds its own */

void log_init(const char *ident, bool to_stderr, bool verbose)
{
	log_stderr = to_stderr;
	log_verbose = verbose;
	/* journald stamps lines itself; a terminal or a log file asked for gets ours. */
	log_stamp = to_stderr && !getenv("JOURNAL_STREAM") &&
		    (isatty(STDERR_FILENO) || getenv("MESHROUTE_LOG_TIMESTAMPS"));
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_verbose(bool verbose)
{
	log_verbose = verbose;
}

static void vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_stderr) {
		char stamp[32] = "";

		if (log_stamp) {
			struct timespec ts;
			struct tm tm;

			clock_gettime(CLOCK_REALTIME, &ts);
			localtime_r(&ts.tv_sec, &tm);
			/* Microseconds: detection at 10 ms x 3 is judged to the ms. */
			snprintf(stamp, sizeof(stamp), "%02d:%02d:%02d.%06ld ", tm.tm_hour, tm.tm_min,
				 tm.tm_sec, ts.tv_nsec / 1000);
		}
		fprintf(stderr, "%s%s%s%s\n", stamp, buf, suffix ? ": " : "", suffix ? suffix : "");
		fflush(stderr);
	} else {
		syslog(pri, "%s%s%s", buf, suffix ? ": " : "", suffix ? suffix : "");
	}
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_NOTICE, fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

/* Bursts of 5 lines, refilled at 1 line per second. */
#define RL_BURST 5
#define RL_REFILL_US 1000000

bool log_ratelimit_ok(struct log_ratelimit *rl, unsigned *suppressed)
{
	long long now = mtime_now();

	if (rl->last_us == 0) {
		rl->last_us = now;
		rl->tokens = RL_BURST;
	}
	while (now - rl->last_us >= RL_REFILL_US && rl->tokens < RL_BURST) {
		rl->tokens++;
		rl->last_us += RL_REFILL_US;
	}
	if (rl->tokens >= RL_BURST)
		rl->last_us = now;
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
