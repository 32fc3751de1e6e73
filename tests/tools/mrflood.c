// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mrflood: a bounded flood of hostile packets at a BFD port, for the lab.
 *
 *   mrflood --dst ADDR [--port 3784] --rate PPS --duration S
 *           --kind garbage|wrong-discr|ttl|bad-auth|zero-discr
 *           [--ttl N] [--src-port P] [--bind-dev IF] [--state down|up|admindown|init]
 *           [--your-discr N] [--exclude-discr N[,N...]] [--seed N] [--batch N]
 *
 * Kinds (RFC 5880 §4.1 Control packets are written byte by byte):
 *   garbage      random bytes, random length 1..64.  A draw that happens to
 *                look like a Control packet (24+ bytes, version 1) gets its
 *                Length field zeroed, so that every one is a decode error.
 *   wrong-discr  well-formed: version 1, state Up, Detect Mult 3, Length 24,
 *                random nonzero My and Your Discriminators (Your never one of
 *                --exclude-discr), TTL 255.
 *   ttl          well-formed, TTL 254 (or --ttl): single hop forbids it.
 *   bad-auth     well-formed with the A bit and a Keyed SHA1 section (type 4,
 *                length 28, Length 52) holding a random sequence number and
 *                digest, TTL 255.
 *   zero-discr   well-formed, Your Discriminator 0, TTL 255: in State Up (the
 *                default) RFC 5880 §6.8.6 discards it before any session is
 *                looked up; with --state down it is looked up by source.
 * --your-discr puts a real session's discriminator in every well-formed
 * packet (ttl, bad-auth: the nastiest case: the packet would reach that
 * session if the check were missing); --state sets their State field.
 *
 * Paced on absolute CLOCK_MONOTONIC deadlines (packet i is due at start +
 * i / rate), sent in batches of up to --batch (64) with sendmmsg(2).  A
 * sender that fell behind (descheduled: the lab runs it at low priority)
 * sends at most 20 ms worth of packets (or one batch) at once and skips the
 * rest (skipped=N): no catch-up burst, a stall costs packets, not a spike.  It never sends more than rate * duration
 * packets, stops at the end of --duration whatever it managed (and, as a
 * backstop, SIGALRM 6 s later), and prints one line:
 *   sent=N failed=N skipped=N seconds=S rate=R
 * (failed: packets the kernel refused, e.g. ENOBUFS).  Only ever sends to
 * --dst.  SIGINT/SIGTERM end it early, with the report.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"

#define TOOL_NAME "mrflood"
#define TOOL_INT_BASE 0	/* options may be hex (discriminators) */
#include "tool.h"

#define MAX_RATE 5000000ull		/* packets per second */
#define MAX_DURATION_MS 600000ull	/* 10 minutes */
#define MAX_BATCH 256			/* packets per sendmmsg */
#define PKT_MAX 64			/* bytes of the largest packet we build */
#define MAX_EXCLUDE 64
#define BFD_LEN 24
#define BFD_SHA1_LEN 28
#define BFD_AUTH_KEYED_SHA1 4

enum kind { K_GARBAGE, K_WRONG_DISCR, K_TTL, K_BAD_AUTH, K_ZERO_DISCR };

struct opts {
	const char *dst;
	const char *bind_dev;
	uint16_t port;
	uint16_t src_port;
	uint64_t rate;
	uint64_t duration_ms;
	enum kind kind;
	int ttl;			/* -1: by kind */
	int state;			/* BFD state field, 0..3 */
	uint32_t your_discr;		/* 0: random */
	uint32_t exclude[MAX_EXCLUDE];
	int nexclude;
	uint64_t seed;
	unsigned batch;
};

static void on_alarm(int sig)
{
	static const char msg[] = "mrflood: backstop reached, giving up\n";
	ssize_t r;

	(void)sig;
	r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)r;
	_exit(3);
}

/* xorshift64*: fast, good enough for junk. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint32_t rnd_nonzero32(void)
{
	uint32_t v;

	do
		v = (uint32_t)(rnd() >> 32);
	while (v == 0);
	return v;
}

/* "1.5" -> 1500 ms; at most 3 decimals. */
static int parse_seconds(const char *s, uint64_t *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v * 1000 > (double)MAX_DURATION_MS) {
		fprintf(stderr, "mrflood: --duration %s: expected seconds in (0, %llu]\n", s,
			MAX_DURATION_MS / 1000);
		return -1;
	}
	*ms = (uint64_t)(v * 1000 + 0.5);
	if (*ms == 0)
		*ms = 1;
	return 0;
}

static bool excluded(const struct opts *o, uint32_t v)
{
	int i;

	for (i = 0; i < o->nexclude; i++)
		if (o->exclude[i] == v)
			return true;
	return false;
}

/* Builds one packet of the flood into p; returns its length. */
static size_t build(const struct opts *o, uint8_t *p)
{
	size_t len, i;
	uint32_t your;

	if (o->kind == K_GARBAGE) {
		len = 1 + (size_t)(rnd() % PKT_MAX);
		for (i = 0; i < len; i += 8) {
			uint64_t r = rnd();
			size_t n = len - i < 8 ? len - i : 8;

			memcpy(p + i, &r, n);
		}
		if (len >= BFD_LEN && (p[0] >> 5) == 1)
			p[3] = 0;	/* never a well-formed Control packet */
		return len;
	}
	len = o->kind == K_BAD_AUTH ? BFD_LEN + BFD_SHA1_LEN : BFD_LEN;
	if (o->kind == K_ZERO_DISCR) {
		your = 0;
	} else if (o->your_discr) {
		your = o->your_discr;
	} else {
		do
			your = rnd_nonzero32();
		while (excluded(o, your));
	}
	p[0] = 1 << 5;				/* version 1, diag 0 */
	p[1] = (uint8_t)(o->state << 6);	/* state, no flags */
	if (o->kind == K_BAD_AUTH)
		p[1] |= 0x04;			/* A */
	p[2] = 3;				/* Detect Mult */
	p[3] = (uint8_t)len;
	put32(p + 4, rnd_nonzero32());		/* My Discriminator */
	put32(p + 8, your);			/* Your Discriminator */
	put32(p + 12, 20000);			/* Desired Min TX, us */
	put32(p + 16, 20000);			/* Required Min RX, us */
	put32(p + 20, 0);			/* Required Min Echo RX */
	if (o->kind == K_BAD_AUTH) {
		uint8_t *a = p + BFD_LEN;

		a[0] = BFD_AUTH_KEYED_SHA1;
		a[1] = BFD_SHA1_LEN;
		a[2] = (uint8_t)rnd();		/* Key ID */
		a[3] = 0;			/* Reserved */
		put32(a + 4, (uint32_t)rnd());	/* Sequence Number */
		for (i = 0; i < 20; i += 4)		/* Auth Key/Digest */
			put32(a + 8 + i, (uint32_t)rnd());
	}
	return len;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mrflood --dst ADDR [--port 3784] --rate PPS --duration S\n"
		"               --kind garbage|wrong-discr|ttl|bad-auth|zero-discr [--ttl N]\n"
		"               [--src-port P] [--bind-dev IF] [--state down|up|admindown|init]\n"
		"               [--your-discr N] [--exclude-discr N[,N...]] [--seed N] [--batch N]\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 't' },
		{ "kind", required_argument, NULL, 'k' },
		{ "ttl", required_argument, NULL, 'T' },
		{ "src-port", required_argument, NULL, 'P' },
		{ "bind-dev", required_argument, NULL, 'b' },
		{ "state", required_argument, NULL, 's' },
		{ "your-discr", required_argument, NULL, 'y' },
		{ "exclude-discr", required_argument, NULL, 'x' },
		{ "seed", required_argument, NULL, 'S' },
		{ "batch", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_kind = false;
	uint64_t v;
	int c;

	*o = (struct opts){ .port = 3784, .ttl = -1, .state = 3, .batch = 64 };
	o->seed = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() << 32 ^ now_ns();
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dst = optarg;
			break;
		case 'p':
			if (parse_u64("port", optarg, 1, 65535, &v) < 0)
				return -1;
			o->port = (uint16_t)v;
			break;
		case 'r':
			if (parse_u64("rate", optarg, 1, MAX_RATE, &o->rate) < 0)
				return -1;
			break;
		case 't':
			if (parse_seconds(optarg, &o->duration_ms) < 0)
				return -1;
			break;
		case 'k':
			have_kind = true;
			if (!strcmp(optarg, "garbage"))
				o->kind = K_GARBAGE;
			else if (!strcmp(optarg, "wrong-discr"))
				o->kind = K_WRONG_DISCR;
			else if (!strcmp(optarg, "ttl"))
				o->kind = K_TTL;
			else if (!strcmp(optarg, "bad-auth"))
				o->kind = K_BAD_AUTH;
			else if (!strcmp(optarg, "zero-discr"))
				o->kind = K_ZERO_DISCR;
			else {
				fprintf(stderr, "mrflood: --kind %s: garbage, wrong-discr, ttl, bad-auth or "
					"zero-discr\n", optarg);
				return -1;
			}
			break;
		case 'T':
			if (parse_u64("ttl", optarg, 1, 255, &v) < 0)
				return -1;
			o->ttl = (int)v;
			break;
		case 'P':
			if (parse_u64("src-port", optarg, 1, 65535, &v) < 0)
				return -1;
			o->src_port = (uint16_t)v;
			break;
		case 'b':
			o->bind_dev = optarg;
			break;
		case 's':
			if (!strcmp(optarg, "admindown"))
				o->state = 0;
			else if (!strcmp(optarg, "down"))
				o->state = 1;
			else if (!strcmp(optarg, "init"))
				o->state = 2;
			else if (!strcmp(optarg, "up"))
				o->state = 3;
			else {
				fprintf(stderr, "mrflood: --state %s: admindown, down, init or up\n", optarg);
				return -1;
			}
			break;
		case 'y':
			if (parse_u64("your-discr", optarg, 1, UINT32_MAX, &v) < 0)
				return -1;
			o->your_discr = (uint32_t)v;
			break;
		case 'x': {
			char *list = strdup(optarg), *tok, *save = NULL;

			if (!list)
				return -1;
			for (tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
				if (o->nexclude == MAX_EXCLUDE) {
					fprintf(stderr, "mrflood: more than %d --exclude-discr values\n",
						MAX_EXCLUDE);
					free(list);
					return -1;
				}
				if (parse_u64("exclude-discr", tok, 0, UINT32_MAX, &v) < 0) {
					free(list);
					return -1;
				}
				o->exclude[o->nexclude++] = (uint32_t)v;
			}
			free(list);
			break;
		}
		case 'S':
			if (parse_u64("seed", optarg, 0, UINT64_MAX, &o->seed) < 0)
				return -1;
			break;
		case 'B':
			if (parse_u64("batch", optarg, 1, MAX_BATCH, &v) < 0)
				return -1;
			o->batch = (unsigned)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !o->dst || !o->rate || !o->duration_ms || !have_kind) {
		usage(stderr);
		return -1;
	}
	if (o->ttl < 0)
		o->ttl = o->kind == K_TTL ? 254 : 255;
	if (o->your_discr && excluded(o, o->your_discr)) {
		fprintf(stderr, "mrflood: --your-discr is also excluded\n");
		return -1;
	}
	return 0;
}

static int open_socket(const struct opts *o, struct sockaddr_storage *dst, socklen_t *dlen)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *ai;
	char portstr[8];
	int fd, err, sndbuf = 4 << 20;

	snprintf(portstr, sizeof(portstr), "%u", o->port);
	err = getaddrinfo(o->dst, portstr, &hints, &ai);
	if (err) {
		fprintf(stderr, "mrflood: %s: not a numeric address: %s\n", o->dst, gai_strerror(err));
		return -1;
	}
	memcpy(dst, ai->ai_addr, ai->ai_addrlen);
	*dlen = ai->ai_addrlen;
	freeaddrinfo(ai);

	fd = socket(dst->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0) {
		perror("mrflood: socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (o->bind_dev &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->bind_dev, (socklen_t)strlen(o->bind_dev)) < 0) {
		fprintf(stderr, "mrflood: SO_BINDTODEVICE %s: %s\n", o->bind_dev, strerror(errno));
		goto fail;
	}
	if (dst->ss_family == AF_INET6)
		err = setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &o->ttl, sizeof(o->ttl));
	else
		err = setsockopt(fd, IPPROTO_IP, IP_TTL, &o->ttl, sizeof(o->ttl));
	if (err < 0) {
		perror("mrflood: setting the TTL");
		goto fail;
	}
	if (o->src_port) {
		struct sockaddr_storage src = { .ss_family = dst->ss_family };
		int one = 1;

		if (dst->ss_family == AF_INET6)
			((struct sockaddr_in6 *)&src)->sin6_port = htons(o->src_port);
		else
			((struct sockaddr_in *)&src)->sin_port = htons(o->src_port);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&src, *dlen) < 0) {
			fprintf(stderr, "mrflood: bind source port %u: %s\n", o->src_port, strerror(errno));
			goto fail;
		}
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int main(int argc, char **argv)
{
	static uint8_t bufs[MAX_BATCH][PKT_MAX];
	static struct mmsghdr msgs[MAX_BATCH];
	static struct iovec iovs[MAX_BATCH];
	struct sockaddr_storage dst;
	socklen_t dlen;
	struct opts o;
	uint64_t total, sent = 0, failed = 0, skipped = 0, next = 0, maxlag, start, end, now, due,
		 last_err_report = 0;
	double secs;
	int fd;
	unsigned i;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	rng_state = o.seed ? o.seed : 1;
	fd = open_socket(&o, &dst, &dlen);
	if (fd < 0)
		return 1;
	catch_stop();
	signal(SIGALRM, on_alarm);
	alarm((unsigned)(o.duration_ms / 1000 + 6));

	total = o.rate * o.duration_ms / 1000;
	if (total == 0)
		total = 1;
	for (i = 0; i < o.batch; i++) {
		iovs[i].iov_base = bufs[i];
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = dlen;
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	/* At most 20 ms of packets (or one batch) at once: see the top. */
	maxlag = o.rate / 50 > o.batch ? o.rate / 50 : o.batch;
	start = now_ns();
	end = start + o.duration_ms * 1000000ull;
	while (next < total && !stop_requested) {
		unsigned n;
		int r;

		now = now_ns();
		if (now >= end)
			break;
		/* Packets due by now: packet k is due at start + k / rate. */
		due = (uint64_t)((unsigned __int128)(now - start) * o.rate / NSEC) + 1;
		if (due > total)
			due = total;
		if (due <= next) {
			sleep_until(start + (uint64_t)((unsigned __int128)next * NSEC / o.rate));
			continue;
		}
		if (due - next > maxlag) {
			skipped += due - next - maxlag;
			next = due - maxlag;
		}
		n = (unsigned)(due - next < o.batch ? due - next : o.batch);
		for (i = 0; i < n; i++)
			iovs[i].iov_len = build(&o, bufs[i]);
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* The kernel refused the first one: count it and go on. */
			failed++;
			next++;
			if (now - last_err_report > NSEC) {
				fprintf(stderr, "mrflood: send: %s\n", strerror(errno));
				last_err_report = now;
			}
			continue;
		}
		sent += (unsigned)r;
		next += (unsigned)r;
	}
	now = now_ns();
	secs = (double)(now - start) / 1e9;
	printf("sent=%" PRIu64 " failed=%" PRIu64 " skipped=%" PRIu64 " seconds=%.3f rate=%.0f\n",
	       sent, failed, skipped, secs,
	       secs > 0 ? (double)sent / secs : 0.0);
	close(fd);
	return 0;
}
