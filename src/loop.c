// SPDX-License-Identifier: GPL-2.0-or-later
/* epoll + timerfd event loop. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

int loop_init(struct loop *l)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	int err;

	l->armed = MTIME_NEVER;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		err = -errno;
		log_warn("epoll_create1");
		return err;
	}
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->timerfd < 0) {
		err = -errno;
		log_warn("timerfd_create");
		close(l->epfd);
		return err;
	}
	/* data.ptr NULL marks the timer. */
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->timerfd, &ev) < 0) {
		err = -errno;
		log_warn("epoll_ctl add timerfd");
		close(l->timerfd);
		close(l->epfd);
		return err;
	}
	return 0;
}

void loop_close(struct loop *l)
{
	if (l->timerfd >= 0)
		close(l->timerfd);
	if (l->epfd >= 0)
		close(l->epfd);
	l->timerfd = l->epfd = -1;
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

static int arm(struct loop *l, mtime_t deadline)
{
	struct itimerspec its;

	if (deadline == l->armed)
		return 0;
	memset(&its, 0, sizeof(its));
	if (deadline != MTIME_NEVER) {
		/* 0 would disarm: a deadline in the past fires at once. */
		its.it_value = mtime_to_timespec(deadline > 0 ? deadline : 1);
	}
	if (timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		int err = -errno;

		log_warn("timerfd_settime");
		return err;
	}
	l->armed = deadline;
	return 0;
}

int loop_run_once(struct loop *l, mtime_t deadline)
{
	struct epoll_event evs[32];
	int n, i, err;

	if ((err = arm(l, deadline)) < 0)
		return err;
	n = epoll_wait(l->epfd, evs, 32, -1);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		err = -errno;
		log_warn("epoll_wait");
		return err;
	}
	for (i = 0; i < n; i++) {
		struct loop_fd *h = evs[i].data.ptr;

		if (!h) {
			uint64_t expirations;

			/* Drain; the caller re-reads the clock and fires what is due. */
			if (read(l->timerfd, &expirations, sizeof(expirations)) < 0 &&
			    errno != EAGAIN)
				log_warn("read timerfd");
			l->armed = MTIME_NEVER;
			continue;
		}
		h->fn(h->arg, evs[i].events);
	}
	return 0;
}
