// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wakelate: how late an ordinary process (SCHED_OTHER, nice 0) wakes up,
 * pinned to one CPU.  It sleeps until every next millisecond (absolute
 * CLOCK_MONOTONIC deadlines) for SECS seconds and prints
 *   cpu=N wakes=N max_us=N p99_us=N over2ms=N over10ms=N
 * A real-time process that keeps that CPU busy (a flooded daemon at
 * SCHED_FIFO that never sleeps) shows up here as lateness: the scheduler
 * runs no SCHED_OTHER task on a CPU while a runnable real-time one is
 * there, up to the real-time throttle (950 ms of each second by default).
 *
 *   wakelate CPU SECS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NSEC 1000000000ull
#define PERIOD (NSEC / 1000)
#define BUCKETS 100001		/* lateness histogram, 1 us each, last bucket: >= 100 ms */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static uint32_t hist[BUCKETS];
	struct sched_param sp = { .sched_priority = 0 };
	uint64_t secs, next, end, wakes = 0, max = 0, over2 = 0, over10 = 0, want, seen = 0;
	unsigned long cpu;
	cpu_set_t set;
	char *e1, *e2;
	size_t i;

	if (argc != 3 || (cpu = strtoul(argv[1], &e1, 10), *e1) ||
	    (secs = strtoull(argv[2], &e2, 10), *e2) || !secs || secs > 3600 || cpu >= CPU_SETSIZE) {
		fprintf(stderr, "usage: wakelate CPU SECS\n");
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		fprintf(stderr, "wakelate: CPU %lu: %s\n", cpu, strerror(errno));
		return 1;
	}
	/* Whatever the caller runs at: an ordinary process is what is measured. */
	if (sched_setscheduler(0, SCHED_OTHER, &sp) < 0) {
		fprintf(stderr, "wakelate: SCHED_OTHER: %s\n", strerror(errno));
		return 1;
	}
	alarm((unsigned int)secs + 5);
	next = now_ns();
	end = next + secs * NSEC;
	while (next < end) {
		struct timespec ts;
		uint64_t now, late;

		next += PERIOD;
		ts.tv_sec = (time_t)(next / NSEC);
		ts.tv_nsec = (long)(next % NSEC);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		now = now_ns();
		late = now > next ? now - next : 0;
		wakes++;
		hist[late / 1000 < BUCKETS - 1 ? late / 1000 : BUCKETS - 1]++;
		if (late > max)
			max = late;
		over2 += late > 2000000;
		over10 += late > 10000000;
		/* After a delay, the next deadline is a period from now: one delay, one count. */
		if (late > PERIOD)
			next = now;
	}
	want = wakes - wakes / 100;	/* nearest rank: the p99 is the want-th smallest */
	for (i = 0; i < BUCKETS; i++) {
		seen += hist[i];
		if (seen >= want)
			break;
	}
	printf("cpu=%lu wakes=%llu max_us=%llu p99_us=%zu over2ms=%llu over10ms=%llu\n", cpu,
	       (unsigned long long)wakes, (unsigned long long)(max / 1000), i,
	       (unsigned long long)over2, (unsigned long long)over10);
	return 0;
}
