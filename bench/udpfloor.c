// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * udpfloor: the floor for meshrouted's cost per probe packet.  The least a
 * BFD-like daemon can do: one UDP socket, a 24-byte datagram sent to a peer
 * every 1/RATE s on absolute CLOCK_MONOTONIC deadlines, poll() until the
 * next deadline, every datagram that arrives read.  No protocol, no timers
 * per session, no routes.  Run one on each end; after SECS it prints
 *   tx=N rx=N cpu_ns=N ns_per_pkt=X
 * where cpu_ns is its own user+system time (getrusage), per packet sent or
 * received.  Stops by itself after SECS (and an alarm as a backstop).
 *
 *   udpfloor LOCAL_ADDR PEER_ADDR PORT RATE SECS     (IPv4, numeric)
 *
 * The floor of waking up: a process that only sleeps until its next
 * deadline, RATE times a second, and does nothing when it wakes; prints
 *   wakes=N cpu_ns=N ns_per_wake=X cpu_pct=Y
 *
 *   udpfloor --wake RATE SECS
 *
 * How long the host keeps a runnable real-time process off the CPU: sleeps
 * until every next millisecond (SCHED_FIFO if allowed) for SECS and prints
 *   rt=0|1 max_late_us=N over10ms=N over25ms=N
 * with the time of each delay over 25 ms on stderr.  A BFD daemon at 10 ms x
 * 3 that is not run for 30 ms, or whose peers are not, sees its sessions
 * time out whatever it does.
 *
 *   udpfloor --stall SECS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NSEC 1000000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * NSEC +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
}

static int stall(uint64_t secs)
{
	struct sched_param sp = { .sched_priority = 50 };
	int rt = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
	uint64_t next = now_ns(), end = next + secs * NSEC, late, max = 0, over10 = 0, over25 = 0;

	while (next < end) {
		struct timespec ts;
		uint64_t now;

		next += NSEC / 1000;
		ts.tv_sec = (time_t)(next / NSEC);
		ts.tv_nsec = (long)(next % NSEC);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		now = now_ns();
		late = now > next ? now - next : 0;
		if (late > max)
			max = late;
		over10 += late > 10000000;
		if (late > 25000000) {
			time_t t = time(NULL);

			over25++;
			fprintf(stderr, "late %llu us at %s", (unsigned long long)(late / 1000), ctime(&t));
		}
		/* After a delay, start afresh: one stall is one report, not a burst. */
		if (late > 1000000)
			next = now;
	}
	printf("rt=%d max_late_us=%llu over10ms=%llu over25ms=%llu\n", rt,
	       (unsigned long long)(max / 1000), (unsigned long long)over10, (unsigned long long)over25);
	return 0;
}

/* RATE and SECS from the command line; arms the backstop alarm. */
static int rate_secs(const char *r, const char *t, uint64_t *rate, uint64_t *secs)
{
	*rate = strtoull(r, NULL, 10);
	*secs = strtoull(t, NULL, 10);
	if (!*rate || *rate > 1000000 || !*secs || *secs > 3600) {
		fprintf(stderr, "udpfloor: RATE 1..1000000, SECS 1..3600\n");
		return -1;
	}
	alarm((unsigned int)*secs + 5);
	return 0;
}

/* Absolute deadlines, as the daemon's event loop: no drift from late wake-ups. */
static int wake_floor(uint64_t rate, uint64_t secs)
{
	uint64_t start = now_ns(), end = start + secs * NSEC, next = start, wakes = 0, c0 = cpu_ns();

	for (uint64_t now = start; now < end; now = now_ns()) {
		struct timespec ts;
		uint64_t d;

		while (next <= now)
			next += NSEC / rate;
		d = next - now;
		ts.tv_sec = (time_t)(d / NSEC);
		ts.tv_nsec = (long)(d % NSEC);
		ppoll(NULL, 0, &ts, NULL);
		wakes++;
	}
	c0 = cpu_ns() - c0;
	printf("wakes=%llu cpu_ns=%llu ns_per_wake=%.0f cpu_pct=%.3f\n", (unsigned long long)wakes,
	       (unsigned long long)c0, wakes ? (double)c0 / (double)wakes : 0.0,
	       100.0 * (double)c0 / (double)(secs * NSEC));
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in me = { .sin_family = AF_INET }, peer = { .sin_family = AF_INET };
	uint8_t buf[64] = { 0x20, 0xc0, 3, 24 };	/* looks like a BFD Control packet */
	uint64_t rate, secs, start, end, next, tx = 0, rx = 0, c0;
	int fd;

	if (argc == 3 && strcmp(argv[1], "--stall") == 0)
		return rate_secs("1", argv[2], &rate, &secs) ? 2 : stall(secs);
	if (argc == 4 && strcmp(argv[1], "--wake") == 0)
		return rate_secs(argv[2], argv[3], &rate, &secs) ? 2 : wake_floor(rate, secs);
	if (argc != 6 || inet_pton(AF_INET, argv[1], &me.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &peer.sin_addr) != 1) {
		fprintf(stderr, "usage: udpfloor LOCAL_ADDR PEER_ADDR PORT RATE SECS\n"
			"       udpfloor --wake RATE SECS\n"
			"       udpfloor --stall SECS\n");
		return 2;
	}
	me.sin_port = peer.sin_port = htons((uint16_t)atoi(argv[3]));
	if (rate_secs(argv[4], argv[5], &rate, &secs))
		return 2;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("udpfloor: socket/bind");
		return 3;
	}
	c0 = cpu_ns();
	start = now_ns();
	end = start + secs * NSEC;
	next = start;
	for (;;) {
		uint64_t now = now_ns();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms;


		if (now >= end)
			break;
		while (next <= now) {
			if (sendto(fd, buf, 24, 0, (struct sockaddr *)&peer, sizeof(peer)) == 24)
				tx++;
			next += NSEC / rate;
		}
		for (;;) {
			ssize_t n = recv(fd, buf + 32, 32, 0);

			if (n < 0)
				break;
			rx++;
		}
		/* poll's millisecond timeout is too coarse: a ppoll-like wait
		 * with a timespec, as a timerfd-driven daemon would get. */
		{
			struct timespec ts;
			uint64_t d = next > now ? next - now : 0;

			ts.tv_sec = (time_t)(d / NSEC);
			ts.tv_nsec = (long)(d % NSEC);
			ms = ppoll(&p, 1, &ts, NULL);
			(void)ms;
		}
	}
	c0 = cpu_ns() - c0;
	printf("tx=%llu rx=%llu cpu_ns=%llu ns_per_pkt=%.0f\n", (unsigned long long)tx,
	       (unsigned long long)rx, (unsigned long long)c0,
	       tx + rx ? (double)c0 / (double)(tx + rx) : 0.0);
	close(fd);
	return 0;
}
