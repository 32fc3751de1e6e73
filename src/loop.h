/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event loop: epoll over file descriptors with a nanosecond timeout
 * (epoll_pwait2) computed from CLOCK_MONOTONIC, so the daemon sleeps
 * exactly until its earliest deadline and never polls.
 */
#ifndef MR_LOOP_H
#define MR_LOOP_H

#include <pthread.h>
#include <stdint.h>

#include "mtime.h"

typedef void (*loop_fn)(void *arg, uint32_t events);

struct loop_fd {
	int fd;
	loop_fn fn;
	void *arg;
};

struct loop {
	int epfd;
	/*
	 * If set: held by the caller, released only while waiting, so that
	 * another thread (standby.h) may run the timers meanwhile.
	 */
	pthread_mutex_t *lock;
	/* If set, takes `lock` back after the wait (standby_lock: stands in
	 * for a holder that does not run), else pthread_mutex_lock. */
	void (*take)(void *arg);
	void *take_arg;
};

int loop_init(struct loop *l);
void loop_close(struct loop *l);
/* `h` must stay valid while registered. 0 or -errno. */
int loop_add(struct loop *l, struct loop_fd *h, uint32_t events);
void loop_del(struct loop *l, struct loop_fd *h);
/*
 * Waits until a registered fd is ready or `deadline` passes, then runs the
 * ready handlers.  Returns 0, or -errno if waiting failed (EINTR is not).
 */
int loop_run_once(struct loop *l, mtime_t deadline);

#endif
