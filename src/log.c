// SPDX-License-Identifier: GPL-2.0-or-later
/* Logging to stderr or syslog, in the style of OpenBSD's log.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "mtime.h"

static bool log_stderr = true;
static bool log_verbose;
static bool log_stamp;		/* wall-clock prefix on stderr when it is a terminal, unless journald adds its own */
static bool log_stamp_always;	/* ... and always: MESHROUTE_LOG_TIMESTAMPS */
static bool log_journal;	/* stderr is journald's stream: "<N>" priority prefixes */

/* JOURNAL_STREAM is set and names the file that stderr is. */
static bool log_stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	/*
	 * systemd sets JOURNAL_STREAM=DEV:INODE of the stream it connected;
	 * a child that redirected stderr elsewhere inherits the variable, so
	 * only a match with stderr itself counts (sd_journal_stream_fd(3)).
	 */
	if (!env || sscanf(env, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *ident, bool to_stderr, bool verbose)
{
	log_stderr = to_stderr;
	log_verbose = verbose;
	log_journal = to_stderr && log_stderr_is_journal();
	/*
	 * journald stamps lines itself; a terminal or a log file asked for
	 * gets ours.  Whether stderr is a terminal is asked per line: it may be
	 * redirected after start-up (tests capture it).
	 */
	log_stamp = to_stderr && !log_journal && !getenv("JOURNAL_STREAM");
	log_stamp_always = getenv("MESHROUTE_LOG_TIMESTAMPS") != NULL;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* sd-daemon.h's "<N>" prefix for a syslog priority: journald reads it as the line's PRIORITY. */
static const char *journal_prefix(int pri)
{
	switch (pri) {
	case LOG_EMERG:
		return SD_EMERG;
	case LOG_ALERT:
		return SD_ALERT;
	case LOG_CRIT:
		return SD_CRIT;
	case LOG_ERR:
		return SD_ERR;
	case LOG_WARNING:
		return SD_WARNING;
	case LOG_NOTICE:
		return SD_NOTICE;
	case LOG_INFO:
		return SD_INFO;
	default:
		return SD_DEBUG;
	}
}

static void vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_stderr) {
		char stamp[32] = "";

		if (log_stamp && (log_stamp_always || isatty(STDERR_FILENO))) {
			struct timespec ts;
			struct tm tm;

			clock_gettime(CLOCK_REALTIME, &ts);
			localtime_r(&ts.tv_sec, &tm);
			/* Microseconds: detection at 10 ms x 3 is judged to the ms. */
			snprintf(stamp, sizeof(stamp), "%02d:%02d:%02d.%06ld ", tm.tm_hour, tm.tm_min,
				 tm.tm_sec, ts.tv_nsec / 1000);
		}
		fprintf(stderr, "%s%s%s%s%s\n", log_journal ? journal_prefix(pri) : "", stamp, buf,
			suffix ? ": " : "", suffix ? suffix : "");
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

void log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
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

/*
 * Error reports written to a FILE (config_load's errf): each complete line
 * goes to stderr with the err prefix; a partial line waits for its end.
 */
struct errline {
	char buf[1024];
	size_t len;
};

static void errline_flush(struct errline *e)
{
	fprintf(stderr, "%s%.*s\n", SD_ERR, (int)e->len, e->buf);
	fflush(stderr);
	e->len = 0;
}

static ssize_t errline_write(void *cookie, const char *data, size_t size)
{
	struct errline *e = cookie;
	size_t i;

	for (i = 0; i < size; i++) {
		if (data[i] == '\n' || e->len == sizeof(e->buf)) {
			errline_flush(e);
			if (data[i] == '\n')
				continue;
		}
		e->buf[e->len++] = data[i];
	}
	return (ssize_t)size;
}

static int errline_close(void *cookie)
{
	struct errline *e = cookie;

	if (e->len)
		errline_flush(e);
	return 0;
}

FILE *log_error_file(void)
{
	static struct errline line;
	static FILE *f;
	static const cookie_io_functions_t io = { .write = errline_write, .close = errline_close };

	if (!log_journal)
		return stderr;
	if (!f) {
		f = fopencookie(&line, "w", io);
		if (!f)
			return stderr;
		setvbuf(f, NULL, _IONBF, 0);
	}
	return f;
}

/* Bursts of 5 lines, refilled at 1 line per second. */
#define RL_BURST 5
#define RL_REFILL_US MTIME_S(1)

bool token_take(struct token_bucket *b, unsigned burst, mtime_t every, mtime_t now)
{
	mtime_t n;

	if (b->at == 0) {
		b->at = now;
		b->tokens = burst;
	}
	n = (now - b->at) / every;
	if (n > 0) {
		b->tokens = n >= burst - b->tokens ? burst : b->tokens + (unsigned)n;
		b->at += n * every;
	}
	if (b->tokens >= burst)
		b->at = now;
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}

bool log_ratelimit_ok(struct log_ratelimit *rl, unsigned *suppressed)
{
	if (!token_take(&rl->b, RL_BURST, RL_REFILL_US, mtime_now())) {
		rl->suppressed++;
		return false;
	}
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
