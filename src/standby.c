// SPDX-License-Identifier: GPL-2.0-or-later
/* The standby thread (standby.h): runs the timers when the main thread is late. */
#include <errno.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "standby.h"

/*
 * A published packet.  Written by whoever holds the lock, read without it
 * by the thread standing in (standby_lock): a sequence count (odd while
 * being written) tells a torn read, which is then skipped; `fd` and
 * `sending` make a release wait for a send in progress (both sequentially
 * consistent: the releaser stores fd -1 then reads `sending`, the one
 * standing in stores `sending` then reads fd, so one of them sees the
 * other's store).  Only one thread stands in at a time: it does so only
 * while the other holds the lock.
 */
struct tx_slot {
	atomic_uint seq;
	atomic_int fd;			/* -1: nothing to send */
	uint8_t pkt[STANDBY_TX_LEN];
	atomic_uint len;
	_Atomic mtime_t interval;
	_Atomic mtime_t last;		/* the last send, the session's or the standby's */
	atomic_uint sent;		/* by the standby, not yet handed back */
	bool used;			/* (under the lock) */
};

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
	_Atomic mtime_t armed;	/* the deadline being watched, MTIME_NEVER for none */
	uint64_t takeovers, seen;
	mtime_t late_max;
	atomic_bool stop;
	struct tx_slot tx[STANDBY_TX_SLOTS];
	atomic_int ntx;		/* slots ever used: the standby looks at these */
	atomic_int sending;	/* a thread is in stand_in() */
	atomic_ullong tx_sent;
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

struct tx_copy {
	int fd;
	unsigned len;
	mtime_t interval;
	uint8_t pkt[STANDBY_TX_LEN];
};

static bool slot_read(struct tx_slot *t, struct tx_copy *c)
{
	unsigned s1 = atomic_load_explicit(&t->seq, memory_order_acquire);

	if (s1 & 1)
		return false;
	c->fd = atomic_load(&t->fd);
	c->len = atomic_load_explicit(&t->len, memory_order_relaxed);
	c->interval = atomic_load_explicit(&t->interval, memory_order_relaxed);
	if (c->len > STANDBY_TX_LEN)
		return false;
	memcpy(c->pkt, t->pkt, c->len);
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&t->seq, memory_order_relaxed) == s1;
}

/*
 * Without the lock, its holder late: sends every published packet whose
 * interval has passed since its last send.  Returns when the next one is due.
 */
static mtime_t stand_in(struct standby *sb, mtime_t now)
{
	mtime_t next = MTIME_NEVER, due;
	int i, n = atomic_load(&sb->ntx);
	struct tx_copy c;

	atomic_store(&sb->sending, 1);
	for (i = 0; i < n; i++) {
		struct tx_slot *t = &sb->tx[i];

		if (!slot_read(t, &c) || c.fd < 0 || c.interval <= 0)
			continue;
		due = atomic_load(&t->last) + c.interval;
		if (now < due) {
			next = mtime_min(next, due);
			continue;
		}
		/* A failure is the port's (no carrier...): the session's own sends say so. */
		if (send(c.fd, c.pkt, c.len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)c.len) {
			atomic_fetch_add(&t->sent, 1);
			atomic_fetch_add(&sb->tx_sent, 1);
		}
		atomic_store(&t->last, now);
		next = mtime_min(next, now + c.interval);
	}
	atomic_store(&sb->sending, 0);
	return next;
}

/*
 * Takes the lock, from either thread.  While the other thread holds it past
 * the armed deadline + slack, stands in for it: the due packets go out,
 * again each time one is due (at least every slack, never sooner than half
 * a millisecond apart).  The holder may be the main thread kept off its CPU
 * in the middle of its work, or the standby itself, taken over and then
 * kept off its CPU by a kernel task that does not yield (traced: an `ip`
 * creating veths ran 25 ms on the standby's CPU while the standby, holding
 * the lock, was runnable, and the woken main thread slept on the lock).
 * Before the deadline + slack it waits for the lock only until then.
 */
void standby_lock(struct standby *sb)
{
	struct timespec ts;
	mtime_t now, armed, next;

	while (pthread_mutex_trylock(sb->lock) != 0) {
		now = mtime_now();
		armed = atomic_load(&sb->armed);
		if (atomic_load(&sb->stop) || armed == MTIME_NEVER) {
			pthread_mutex_lock(sb->lock);
			return;
		}
		if (now < armed + sb->slack) {
			ts = mtime_to_timespec(armed + sb->slack);
			if (pthread_mutex_clocklock(sb->lock, CLOCK_MONOTONIC, &ts) == 0)
				return;
			continue;
		}
		next = stand_in(sb, now);
		next = mtime_max(mtime_min(next, now + sb->slack), now + MTIME_MS(1) / 2);
		ts = mtime_to_timespec(next);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
}

void standby_lock_cb(void *sb)
{
	standby_lock(sb);
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
		standby_lock(sb);
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
	st->tx_sent = atomic_load(&sb->tx_sent);
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

int standby_tx_slot(struct standby *sb)
{
	int i;

	if (!sb)
		return -1;
	for (i = 0; i < STANDBY_TX_SLOTS; i++)
		if (!sb->tx[i].used) {
			sb->tx[i].used = true;
			atomic_store(&sb->tx[i].fd, -1);
			atomic_store(&sb->tx[i].sent, 0);
			atomic_store(&sb->tx[i].last, 0);
			if (i >= atomic_load(&sb->ntx))
				atomic_store(&sb->ntx, i + 1);
			return i;
		}
	return -1;
}

uint32_t standby_tx_publish(struct standby *sb, int slot, int fd, const uint8_t *pkt, size_t len,
			    mtime_t interval, mtime_t sent_at)
{
	struct tx_slot *t;

	if (!sb || slot < 0 || slot >= STANDBY_TX_SLOTS)
		return 0;
	t = &sb->tx[slot];
	atomic_fetch_add_explicit(&t->seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	if (fd < 0 || !pkt || len > STANDBY_TX_LEN) {
		/* Nothing to stand in for (withdrawn, or it does not fit). */
		atomic_store(&t->fd, -1);
	} else {
		atomic_store(&t->fd, fd);
		memcpy(t->pkt, pkt, len);
		atomic_store_explicit(&t->len, (unsigned)len, memory_order_relaxed);
		atomic_store_explicit(&t->interval, interval, memory_order_relaxed);
	}
	if (sent_at > atomic_load(&t->last))
		atomic_store(&t->last, sent_at);
	atomic_fetch_add_explicit(&t->seq, 1, memory_order_release);
	return atomic_exchange(&t->sent, 0);
}

uint32_t standby_tx_release(struct standby *sb, int slot)
{
	struct tx_slot *t;

	if (!sb || slot < 0 || slot >= STANDBY_TX_SLOTS)
		return 0;
	t = &sb->tx[slot];
	atomic_store(&t->fd, -1);
	/* Its socket may be closed once no send of the standby can still be using it. */
	while (atomic_load(&sb->sending))
		sched_yield();
	t->used = false;
	return atomic_exchange(&t->sent, 0);
}
