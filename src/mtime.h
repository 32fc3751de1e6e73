/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed monotonic time in microseconds (BFD's unit), from CLOCK_MONOTONIC. */
#ifndef MR_MTIME_H
#define MR_MTIME_H

#include <stdint.h>
#include <time.h>

/* Microseconds since an arbitrary point (CLOCK_MONOTONIC); never wall-clock. */
typedef int64_t mtime_t;

#define MTIME_NEVER INT64_MAX
#define MTIME_MS(x) ((mtime_t)(x) * 1000)
#define MTIME_S(x) ((mtime_t)(x) * 1000000)

static inline mtime_t mtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (mtime_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline mtime_t mtime_min(mtime_t a, mtime_t b)
{
	return a < b ? a : b;
}

static inline mtime_t mtime_max(mtime_t a, mtime_t b)
{
	return a > b ? a : b;
}

static inline struct timespec mtime_to_timespec(mtime_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000, .tv_nsec = (t % 1000000) * 1000 };
	return ts;
}

#endif
