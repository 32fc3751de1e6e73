// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mrfreeze: a witness of whole-host freezes, for the busy-host lab tests
 * (tests/lab/busy_lib.sh).
 *
 * One thread per CPU, pinned to it, real-time (SCHED_FIFO), wakes up every
 * millisecond (absolute CLOCK_MONOTONIC deadlines).  A wake-up later than
 * --min-ms is an interval during which that CPU ran nothing of ours.  When
 * such intervals of EVERY CPU overlap, no user-space thread of any
 * priority ran anywhere on the host for that overlap (a non-preempting
 * kernel busy on every CPU, or a hypervisor that took the whole virtual
 * machine away): a daemon can neither send nor receive then, whatever its
 * design.  Each such overlap longer than --min-ms is printed as
 *   freeze START_US END_US MS STEAL_TICKS
 * (a freeze that goes on is printed in pieces as it grows, each starting
 * where the last ended: join pieces less than 2 ms apart)
 * START/END on the wall clock (microseconds since the epoch, as the
 * daemons' log stamps), STEAL_TICKS the hypervisor's steal time booked to
 * the CPUs over the longest of the intervals (/proc/stat, USER_HZ).  At the
 * end (SIGTERM, SIGINT): "wakeups N late M freezes K max MS".
 * Exit 1 when a thread cannot be pinned or made real-time: a witness that
 * may itself be starved would see freezes that are not there.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPUS 64
#define RING 16

struct late {
	int64_t from, to;	/* CLOCK_MONOTONIC ns: due, woke */
	long long steal;	/* steal ticks of this CPU when it woke */
};

static struct {
	int cpu;
	pthread_t tid;
	struct late ring[RING];
	unsigned n;		/* late intervals so far */
	long long steal_before;	/* at the last on-time check */
	uint64_t wakeups;
} w[MAX_CPUS];

static int ncpu;
static int64_t min_ns = 10000000;
static atomic_int stop;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_end;	/* the end of the last freeze printed */
static unsigned nfreezes;
static double max_ms;

static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* CLOCK_MONOTONIC ns -> wall clock us, by the two clocks' offset now. */
static long long wall_us(int64_t mono)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((long long)r.tv_sec * 1000000000 + r.tv_nsec -
		((long long)m.tv_sec * 1000000000 + m.tv_nsec) + mono) / 1000;
}

static long long steal_ticks(int cpu)
{
	char line[512], want[24];
	long long v[8], r = -1;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)) &&
		    sscanf(line + strlen(want), "%lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1],
			   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
			r = v[7];
			break;
		}
	fclose(f);
	return r;
}

/* With mu held, after CPU i logged a late interval: the overlap with every other CPU's. */
static void check_freeze(int i)
{
	const struct late *mine = &w[i].ring[(w[i].n - 1) % RING];
	int64_t from = mine->from, to = mine->to;
	long long steal = mine->steal - w[i].steal_before;	/* (this CPU's) */
	int c;
	unsigned k;

	for (c = 0; c < ncpu; c++) {
		int64_t bf = 0, bt = 0;

		if (c == i)
			continue;
		/* The other CPU's interval that overlaps ours the most. */
		for (k = 0; k < RING && k < w[c].n; k++) {
			const struct late *l = &w[c].ring[k];
			int64_t f = l->from > from ? l->from : from, t = l->to < to ? l->to : to;

			if (t - f > bt - bf) {
				bf = f;
				bt = t;
			}
		}
		if (bt - bf <= 0)
			return;
		from = bf;
		to = bt;
	}
	if (to - from < min_ns || to <= last_end)
		return;
	if (from < last_end)
		from = last_end;
	last_end = to;
	nfreezes++;
	if ((to - from) / 1e6 > max_ms)
		max_ms = (to - from) / 1e6;
	printf("freeze %lld %lld %.1f %lld\n", wall_us(from), wall_us(to), (to - from) / 1e6,
	       steal < 0 ? -1 : steal);
	fflush(stdout);
}

static void *run(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct timespec ts;
	int64_t due;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	due = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	w[i].steal_before = steal_ticks(w[i].cpu);
	while (!atomic_load(&stop)) {
		int64_t now;

		due += 1000000;
		ts.tv_sec = due / 1000000000;
		ts.tv_nsec = due % 1000000000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !atomic_load(&stop))
			;
		now = mono_ns();
		w[i].wakeups++;
		if (now - due >= min_ns) {
			struct late *prev = w[i].n ? &w[i].ring[(w[i].n - 1) % RING] : NULL;

			pthread_mutex_lock(&mu);
			/* Late again right after being late: the same interval, longer. */
			if (prev && due - prev->to <= 1000000) {
				prev->to = now;
				prev->steal = steal_ticks(w[i].cpu);
			} else {
				w[i].ring[w[i].n % RING] = (struct late){ due, now, steal_ticks(w[i].cpu) };
				w[i].n++;
			}
			check_freeze(i);
			w[i].steal_before = w[i].ring[(w[i].n - 1) % RING].steal;
			pthread_mutex_unlock(&mu);
		} else if (w[i].wakeups % 256 == 0) {
			w[i].steal_before = steal_ticks(w[i].cpu);
		}
		/* Late: the next deadline from now, not a burst of catch-up wake-ups. */
		if (now - due > 1000000)
			due = now;
	}
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 1 };
	pthread_attr_t attr;
	cpu_set_t all, one;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t wakeups = 0;
	unsigned late = 0;
	int c, i, err;

	while ((c = getopt(argc, argv, "m:")) != -1) {
		if (c != 'm' || atof(optarg) <= 0) {
			fprintf(stderr, "usage: mrfreeze [-m MIN_MS]\n");
			return 2;
		}
		min_ns = (int64_t)(atof(optarg) * 1e6);
	}
	if (sched_getaffinity(0, sizeof(all), &all) < 0) {
		perror("mrfreeze: sched_getaffinity");
		return 1;
	}
	for (c = 0; c < CPU_SETSIZE && ncpu < MAX_CPUS; c++)
		if (CPU_ISSET(c, &all))
			w[ncpu++].cpu = c;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < ncpu; i++) {
		CPU_ZERO(&one);
		CPU_SET(w[i].cpu, &one);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		pthread_attr_setschedparam(&attr, &sp);
		err = pthread_create(&w[i].tid, &attr, run, (void *)(intptr_t)i);
		pthread_attr_destroy(&attr);
		if (err) {
			fprintf(stderr, "mrfreeze: a SCHED_FIFO thread pinned to CPU %d: %s\n", w[i].cpu,
				strerror(err));
			return 1;
		}
	}
	printf("watching %d CPUs, freezes of %.1f ms or more\n", ncpu, min_ns / 1e6);
	fflush(stdout);
	for (i = 0; i < ncpu; i++) {
		pthread_join(w[i].tid, NULL);
		wakeups += w[i].wakeups;
		late += w[i].n;
	}
	printf("wakeups %llu late %u freezes %u max %.1f\n", (unsigned long long)wakeups, late, nfreezes,
	       max_ms);
	return 0;
}
