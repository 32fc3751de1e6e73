// SPDX-License-Identifier: GPL-2.0-or-later
/* The standby thread (standby.h): runs the timers when the main thread is late. */
#include <errno.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "standby.h"

struct standby {
	pthread_t thread;
	pthread_mutex_t *lock;
	struct standby_ops ops;
	mtime_t slack;
	int policy, prio;
	int tfd;
	pid_t tid;
	cpu_set_t allowed;
	int main_cpu;		/* the CPU the standby keeps off, -1 before the first arm */
	bool affinity_failed;	/* said once */
	mtime_t armed;		/* the deadline being watched, MTIME_NEVER for none */
	uint64_t takeovers, seen;
	mtime_t late_max;
	bool stop;
	sem_t ready;
	int init_err;
};

/* Wakes the standby at `at` (absolute, CLOCK_MONOTONIC), or never. */
static void timer_set(struct standby *sb, mtime_t at)
{
	struct itimerspec its = { 0 };

	if (at != MTIME_NEVER)
		its.it_value = mtime_to_timespec(at > 0 ? at : 1);
	if (timerfd_settime(sb->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_warn("standby: timerfd_settime");
}

/* Keeps the standby off `cpu`, where the main thread sleeps. */
static void keep_off(struct standby *sb, int cpu)
{
	cpu_set_t set = sb->allowed;

	sb->main_cpu = cpu;
	CPU_CLR(cpu, &set);
	if (CPU_COUNT(&set) == 0)
		return;		/* outside the set we started with: leave it */
	if (sched_setaffinity(sb->tid, sizeof(set), &set) < 0 && !sb->affinity_failed) {
		sb->affinity_failed = true;
		log_warn("standby: sched_setaffinity (CPU %d excluded)", cpu);
	}
}

static void *standby_main(void *arg)
{
	struct standby *sb = arg;
	sigset_t all;
	int err = 0;

	/* Signals belong to the main thread's signalfd. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	sb->tid = gettid();
	if (sb->policy != SCHED_OTHER) {
		struct sched_param sp = { .sched_priority = sb->prio };

		if (sched_setscheduler(0, sb->policy | SCHED_RESET_ON_FORK, &sp) < 0) {
			err = -errno;
			log_warn("standby: sched_setscheduler");
		}
	}
	if (!err && sb->ops.thread_init)
		err = sb->ops.thread_init(sb->ops.arg);
	sb->init_err = err;
	sem_post(&sb->ready);
	if (err)
		return NULL;

	for (;;) {
		uint64_t n;
		mtime_t now;

		if (read(sb->tfd, &n, sizeof(n)) < 0 && errno != EINTR) {
			log_warn("standby: read timerfd; the standby stops");
			return NULL;
		}
		pthread_mutex_lock(sb->lock);
		if (sb->stop) {
			pthread_mutex_unlock(sb->lock);
			return NULL;
		}
		now = mtime_now();
		/* The main thread re-arms before each wait: still armed means late. */
		if (sb->armed != MTIME_NEVER && now >= sb->armed + sb->slack) {
			sb->takeovers++;
			sb->late_max = mtime_max(sb->late_max, now - sb->armed);
			sb->armed = sb->ops.fire(sb->ops.arg, sb->armed);
			/* Never sooner than one slack from now: no spinning on work it leaves. */
			if (sb->armed != MTIME_NEVER) {
				sb->armed = mtime_max(sb->armed, mtime_now());
				timer_set(sb, sb->armed + sb->slack);
			}
		}
		pthread_mutex_unlock(sb->lock);
	}
}

int standby_start(struct standby **out, pthread_mutex_t *lock, const struct standby_ops *ops,
		  mtime_t slack, int policy, int prio)
{
	struct standby *sb;
	bool sem = false;
	int err;

	*out = NULL;
	sb = calloc(1, sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	sb->tfd = -1;
	if (sched_getaffinity(0, sizeof(sb->allowed), &sb->allowed) < 0) {
		err = -errno;
		log_warn("standby: sched_getaffinity");
		goto fail;
	}
	if (CPU_COUNT(&sb->allowed) < 2) {
		log_debug("one CPU allowed: no standby thread");
		free(sb);
		return 0;
	}
	sb->lock = lock;
	sb->ops = *ops;
	sb->slack = slack;
	sb->policy = policy;
	sb->prio = prio;
	sb->main_cpu = -1;
	sb->armed = MTIME_NEVER;
	sb->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (sb->tfd < 0) {
		err = -errno;
		log_warn("standby: timerfd_create");
		goto fail;
	}
	if (sem_init(&sb->ready, 0, 0) < 0) {
		err = -errno;
		log_warn("standby: sem_init");
		goto fail;
	}
	sem = true;
	err = -pthread_create(&sb->thread, NULL, standby_main, sb);
	if (err) {
		log_warnx("standby: pthread_create: %s", strerror(-err));
		goto fail;
	}
	while (sem_wait(&sb->ready) < 0 && errno == EINTR)
		;
	if (sb->init_err) {
		err = sb->init_err;
		pthread_join(sb->thread, NULL);
		goto fail;
	}
	log_debug("standby thread %d ready (takes over %lld us after a missed deadline)",
		  (int)sb->tid, (long long)slack);
	*out = sb;
	return 0;

fail:
	if (sem)
		sem_destroy(&sb->ready);
	if (sb->tfd >= 0)
		close(sb->tfd);
	free(sb);
	return err;
}

void standby_arm(struct standby *sb, mtime_t deadline)
{
	int cpu;

	if (!sb)
		return;
	cpu = sched_getcpu();
	if (cpu >= 0 && cpu != sb->main_cpu)
		keep_off(sb, cpu);
	/*
	 * A deadline already past (work due at start, or left over) is
	 * judged from now: lateness only counts for a deadline slept towards.
	 */
	if (deadline != MTIME_NEVER)
		deadline = mtime_max(deadline, mtime_now());
	sb->armed = deadline;
	sb->seen = sb->takeovers;
	timer_set(sb, deadline == MTIME_NEVER ? MTIME_NEVER : deadline + sb->slack);
}

bool standby_covered(const struct standby *sb)
{
	return sb && sb->takeovers != sb->seen;
}

void standby_stats(const struct standby *sb, struct standby_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->cpu = -1;
	if (!sb)
		return;
	st->takeovers = sb->takeovers;
	st->late_max = sb->late_max;
	st->cpu = sb->main_cpu;
	st->tid = sb->tid;
}

void standby_stop(struct standby *sb)
{
	if (!sb)
		return;
	sb->stop = true;
	timer_set(sb, 1);	/* long past: wakes it now */
	pthread_mutex_unlock(sb->lock);
	pthread_join(sb->thread, NULL);
	pthread_mutex_lock(sb->lock);
	sem_destroy(&sb->ready);
	close(sb->tfd);
	free(sb);
}
