// SPDX-License-Identifier: GPL-2.0-or-later
/* epoll event loop with a nanosecond timeout (epoll_pwait2). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

int loop_init(struct loop *l)
{
	int err;

	l->lock = NULL;
	l->take = NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		err = -errno;
		log_warn("epoll_create1");
		return err;
	}
	return 0;
}

void loop_close(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int loop_add(struct loop *l, struct loop_fd *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, h->fd, &ev) < 0) {
		int err = -errno;

		log_warn("epoll_ctl add fd %d", h->fd);
		return err;
	}
	return 0;
}

void loop_del(struct loop *l, struct loop_fd *h)
{
	if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, h->fd, NULL) < 0 && errno != ENOENT &&
	    errno != EBADF)
		log_warn("epoll_ctl del fd %d", h->fd);
}

int loop_run_once(struct loop *l, mtime_t deadline)
{
	struct epoll_event evs[32];
	struct timespec ts, *tsp = NULL;
	int n, i, err;

	/*
	 * epoll_pwait2 takes the timeout in nanoseconds: one system call per
	 * wake-up, where a timerfd needs three (arm, wait, read).  It is
	 * relative, so it is computed from CLOCK_MONOTONIC right here.
	 */
	if (deadline != MTIME_NEVER) {
		mtime_t left = deadline - mtime_now();

		ts = mtime_to_timespec(left > 0 ? left : 0);
		tsp = &ts;
	}
	if (l->lock)
		pthread_mutex_unlock(l->lock);
	n = epoll_pwait2(l->epfd, evs, 32, tsp, NULL);
	err = errno;
	if (l->take)
		l->take(l->take_arg);
	else if (l->lock)
		pthread_mutex_lock(l->lock);
	errno = err;
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		err = -errno;
		log_warn("epoll_pwait2");
		return err;
	}
	for (i = 0; i < n; i++) {
		struct loop_fd *h = evs[i].data.ptr;

		h->fn(h->arg, evs[i].events);
	}
	return 0;
}
