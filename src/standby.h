/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The standby: a second thread that runs the daemon's timers when the event
 * loop's own wake-up is late.
 *
 * Why (issue 22, measured with ftrace): on a kernel without preemption
 * (CONFIG_PREEMPT_NONE, or preempt=none) a task woken on a CPU where a
 * kernel worker runs (cleanup_net when network namespaces are deleted,
 * under the RTNL lock) waits until that worker yields, up to tens of ms,
 * while the other CPU sits idle.  A SCHED_FIFO task is hit hardest: the
 * scheduler keeps it on its CPU expecting to preempt the worker.  The
 * namespace clean-up work runs one item at a time, so a second thread
 * kept off the main thread's CPU is free when the main thread is not.
 *
 * Contract: every piece of daemon state is touched only under the lock.
 * The main thread holds it except while it waits in epoll (loop.h's
 * `lock`), and arms the standby with its deadline before each wait.  If
 * the main thread has not taken the lock back `slack` after that deadline,
 * the standby takes it and calls ops->fire(), which does the time-critical
 * work (reading queued probes, session timers, sending) and returns the
 * next deadline it covers.  On a healthy host the standby never wakes:
 * each wait re-arms its timer before it expires.
 *
 * The lock can also be held by a main thread that does not run: preempted
 * in the middle of its work and then kept off its CPU by kernel work that
 * does not yield (the same cleanup_net, 80 ms measured), or blocked in a
 * system call that waits for the RTNL lock.  For that, the sessions
 * publish the last packet they sent (standby_tx_publish): when the standby
 * finds the lock held past the deadline plus its slack, it sends, without
 * the lock, each published packet whose interval has passed since it or
 * the main thread last sent it, until it gets the lock.  The peers keep
 * hearing us; nothing of ours is judged meanwhile (our timers wait for the
 * lock, and then read every queued probe first).  Only what may be sent
 * again unchanged is published: a regular session's periodic packet on a
 * connected socket, without meticulous authentication (whose sequence
 * number must grow).
 *
 * The standby runs on any allowed CPU except the one the main thread last
 * slept on, at the same scheduling policy.  With one allowed CPU there is
 * no standby (standby_start returns 0 and sets *out to NULL; every other
 * function accepts NULL).
 */
#ifndef MR_STANDBY_H
#define MR_STANDBY_H

#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "mtime.h"

struct standby_ops {
	/* Under the lock, when the main thread is late for `deadline`. */
	mtime_t (*fire)(void *arg, mtime_t deadline);
	/* In the new thread once its scheduling is set: e.g. drop privileges. */
	int (*thread_init)(void *arg);
	void *arg;
};

struct standby_stats {
	uint64_t takeovers;	/* times the standby ran the timers */
	uint64_t tx_sent;	/* packets it sent while the lock was held (standby_tx_publish) */
	mtime_t late_max;	/* the main thread's worst lateness it covered */
	int cpu;		/* the main thread's CPU the standby avoids, or -1 */
	pid_t tid;		/* the standby thread's, 0 without one */
};

struct standby;

/*
 * Starts the standby thread for `lock` (held by the caller from now on,
 * as the main thread).  `policy`/`prio` as for sched_setscheduler (the
 * main thread's own).  0, with *out NULL when there is a single CPU;
 * -errno if the thread could not be set up (then the daemon runs without).
 */
int standby_start(struct standby **out, pthread_mutex_t *lock, const struct standby_ops *ops,
		  mtime_t slack, int policy, int prio);
/*
 * Either thread: takes the lock; while the other holds it past the armed
 * deadline + slack, sends the due published packets without it (the
 * holder may be kept off its CPU: the standby too, once it took over).
 */
void standby_lock(struct standby *sb);
/* The same for loop.h's `take` (arg: the standby). */
void standby_lock_cb(void *sb);
/* Main thread, holding the lock, before it waits towards `deadline`. */
void standby_arm(struct standby *sb, mtime_t deadline);
/* Main thread, holding the lock: did the standby run since the last arm? */
bool standby_covered(const struct standby *sb);
void standby_stats(const struct standby *sb, struct standby_stats *st);
/* Main thread, holding the lock: stops and joins the thread, frees it. */
void standby_stop(struct standby *sb);

/*
 * Published packets (all: holding the lock).  A slot per session: -1 when
 * all STANDBY_TX_SLOTS are taken (that session then has no stand-in) or
 * there is no standby.  Publishing after each send: the packet, the
 * connected socket it goes out on, the session's transmit interval, when
 * it was sent; fd -1 (or no packet) withdraws what the slot had, until the
 * next publish.  Before the socket is closed the slot is released: the
 * call waits until the standby is not sending on it.  Both return the
 * packets the standby sent for the slot since the last call, for the
 * session's own transmit count.
 */
#define STANDBY_TX_SLOTS 256
#define STANDBY_TX_LEN 64
int standby_tx_slot(struct standby *sb);
uint32_t standby_tx_publish(struct standby *sb, int slot, int fd, const uint8_t *pkt, size_t len,
			    mtime_t interval, mtime_t sent_at);
uint32_t standby_tx_release(struct standby *sb, int slot);

#endif
