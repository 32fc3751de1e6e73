// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the test tools mrflood and mrstream share: the monotonic clock in
 * ns, SIGINT/SIGTERM as a stop flag, a sleep that the flag ends, and the
 * integer options.  Define TOOL_NAME ("mrflood") before including it, and
 * TOOL_INT_BASE to 0 where options may be given in hex (discriminators).
 */
#ifndef MR_TOOL_H
#define MR_TOOL_H

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef TOOL_INT_BASE
#define TOOL_INT_BASE 10
#endif

#define NSEC 1000000000ull

static volatile sig_atomic_t stop_requested;

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static inline void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGINT and SIGTERM set stop_requested (no SA_RESTART: a blocking call returns EINTR). */
static inline void catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Until deadline_ns (now_ns()'s clock), or until a stop is requested. */
static inline void sleep_until(uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / NSEC),
		.tv_nsec = (long)(deadline_ns % NSEC),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
	       !stop_requested)
		;
}

/* Option --name's value s, an integer in min..max, into *out; -1 (reported) if it is not. */
static inline int parse_u64(const char *name, const char *s, uint64_t min, uint64_t max,
			    uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, TOOL_INT_BASE);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, TOOL_NAME ": --%s %s: expected an integer in %" PRIu64 "..%" PRIu64 "\n",
			name, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

#endif
