// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mrstream: bounded, paced test streams for the namespace lab.
 *
 *   udp-send  sequence-numbered datagrams paced on absolute CLOCK_MONOTONIC
 *             deadlines; the last packets (end markers) carry the total count.
 *             SIGINT or SIGTERM ends the stream early, end markers included.
 *   udp-recv  counts them and prints one key=value line: loss, duplicates,
 *             reordering, the longest arrival gap and the outage (lost / rate).
 *   tcp-send  N bytes of seeded pseudo-random data paced to R Mbit/s (N 0:
 *             until SIGINT or SIGTERM, then a clean end).
 *   tcp-recv  verifies every byte against the same generator.
 *
 * Every mode stops by itself (--max-time, default 60 s) and sends only to the
 * address it was given.  Wire formats are written and read byte by byte in
 * network order, never through struct overlays.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "bytes.h"

#define TOOL_NAME "mrstream"
#include "tool.h"

#define UDP_MAGIC 0x4d525331u		/* "MRS1" */
#define TCP_MAGIC 0x4d525431u		/* "MRT1" */
#define UDP_HDR_LEN 32u			/* bytes */
#define TCP_HDR_LEN 32u			/* bytes */
#define UDP_FLAG_END 1u
#define END_MARKERS 5			/* sent 10 ms apart */
#define MAX_SEQ 100000000ull		/* bitmap limit: 12.5 MB */
#define MAX_RATE 2000000ull		/* packets per second */
#define SEND_BATCH 1024			/* packets sent per wake-up, at most */
#define END_DRAIN_MS 20			/* wait for stragglers after an end marker */

struct opts {
	const char *dst;		/* destination address (numeric) */
	const char *bind;		/* local address to bind (numeric), or NULL */
	uint16_t port;
	uint64_t rate;			/* packets per second (udp-send) */
	uint64_t count;			/* packets (udp-send) */
	uint64_t size;			/* datagram payload, bytes (udp-send) */
	uint64_t until_idle;		/* ms without packets that ends udp-recv */
	uint64_t max_time;		/* s, hard bound for every mode */
	uint64_t bytes;			/* tcp-send payload length */
	double rate_mbps;		/* tcp-send pacing, 0 = as fast as possible */
	uint64_t seed;			/* tcp-send generator seed */
	uint16_t sport;			/* tcp-send source port, 0 = ephemeral */
};

/* ---- small helpers ---------------------------------------------------- */

/*
 * tool.h's stop_requested, set by SIGINT/SIGTERM (catch_stop()): in
 * udp-send and tcp-send it ends the stream early, cleanly; in udp-recv it
 * reports what arrived so far, then exits.
 */

/* Whole-process backstop: whatever blocks, the tool ends by itself. */
static void on_alarm(int sig)
{
	static const char msg[] = "mrstream: max time reached, giving up\n";
	ssize_t r;

	(void)sig;
	r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)r;
	_exit(3);
}

static void arm_backstop(uint64_t seconds)
{
	signal(SIGALRM, on_alarm);
	alarm((unsigned int)seconds);
}

static int parse_addr(const char *s, uint16_t port, bool passive, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | (passive ? AI_PASSIVE : 0) };
	struct addrinfo *ai;
	char portstr[8];
	int err;

	snprintf(portstr, sizeof(portstr), "%u", port);
	err = getaddrinfo(s, portstr, &hints, &ai);
	if (err) {
		fprintf(stderr, "mrstream: %s: not a numeric address: %s\n", s, gai_strerror(err));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* A socket bound to --bind (or to every address, dual stack if possible). */
static int bound_socket(int type, const struct opts *o)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6, .sin6_port = htons(o->port) };
	struct sockaddr_in any4 = { .sin_family = AF_INET, .sin_port = htons(o->port) };
	socklen_t len;
	int fd, one = 1, zero = 0;

	if (o->bind) {
		if (parse_addr(o->bind, o->port, true, &ss, &len) < 0)
			return -1;
	} else {
		memcpy(&ss, &any6, sizeof(any6));
		len = sizeof(any6);
	}
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0 && !o->bind && errno == EAFNOSUPPORT) {
		/* IPv6 disabled: fall back to IPv4 only. */
		memcpy(&ss, &any4, sizeof(any4));
		len = sizeof(any4);
		fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	}
	if (fd < 0) {
		perror("mrstream: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6 && !o->bind)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		fprintf(stderr, "mrstream: bind %s port %u: %s\n", o->bind ? o->bind : "*", o->port,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void grow_buffer(int fd, int opt, int force_opt, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof(bytes)) < 0)
		setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes));
}

/* ---- UDP ---------------------------------------------------------------- */

/* Builds one datagram: magic, flags, seq, rate, total (end markers only). */
static void udp_encode(uint8_t *buf, uint32_t flags, uint64_t seq, uint32_t rate, uint64_t total)
{
	put32(buf, UDP_MAGIC);
	put32(buf + 4, flags);
	put64(buf + 8, seq);
	put32(buf + 16, rate);
	put32(buf + 20, 0);
	put64(buf + 24, total);
}

static int cmd_udp_send(const struct opts *o)
{
	struct sockaddr_storage dst;
	socklen_t dlen;
	uint8_t *buf;
	uint64_t start, stop, i = 0, errors = 0, elapsed;
	int fd, m;

	if (!o->dst || !o->port || !o->rate || !o->count) {
		fprintf(stderr, "mrstream udp-send: --dst, --port, --rate and --count are required\n");
		return 2;
	}
	if (parse_addr(o->dst, o->port, false, &dst, &dlen) < 0)
		return 2;
	fd = socket(dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("mrstream: socket");
		return 3;
	}
	grow_buffer(fd, SO_SNDBUF, SO_SNDBUFFORCE, 4 << 20);
	buf = calloc(1, o->size);
	if (!buf) {
		close(fd);
		return 3;
	}
	catch_stop();
	start = now_ns();
	stop = start + o->max_time * NSEC;
	while (i < o->count && !stop_requested) {
		uint64_t now = now_ns();
		int batch = 0;

		if (now >= stop)
			break;
		/* Everything due by now goes out; a late wake-up catches up. */
		while (i < o->count && batch < SEND_BATCH &&
		       start + i * NSEC / o->rate <= now) {
			udp_encode(buf, 0, i, (uint32_t)o->rate, 0);
			if (sendto(fd, buf, o->size, 0, (struct sockaddr *)&dst, dlen) < 0) {
				/* Route changes, missing neighbours and full queues
				 * lose this packet; the receiver counts it as lost. */
				if (errno != EHOSTUNREACH && errno != ENETUNREACH &&
				    errno != ENOBUFS && errno != EAGAIN && errno != EPERM &&
				    errno != ECONNREFUSED && errno != EINVAL && errno != ENETDOWN) {
					perror("mrstream: sendto");
					free(buf);
					close(fd);
					return 3;
				}
				errors++;
			}
			i++;
			batch++;
		}
		if (i < o->count && batch < SEND_BATCH)
			sleep_until(start + i * NSEC / o->rate);
	}
	elapsed = now_ns() - start;
	/* End markers carry the total, so the receiver knows where the stream ends. */
	for (m = 0; m < END_MARKERS; m++) {
		udp_encode(buf, UDP_FLAG_END, i, (uint32_t)o->rate, i);
		if (sendto(fd, buf, o->size, 0, (struct sockaddr *)&dst, dlen) < 0)
			errors++;
		if (m + 1 < END_MARKERS)
			sleep_until(now_ns() + 10 * 1000000ull);
	}
	printf("sent=%" PRIu64 " errors=%" PRIu64 " rate=%" PRIu64 " elapsed_ms=%.1f\n", i, errors,
	       o->rate, (double)elapsed / 1e6);
	free(buf);
	close(fd);
	return i == o->count || stop_requested ? 0 : 1;
}

struct udp_stats {
	uint8_t *seen;			/* bitmap of sequence numbers received */
	size_t seen_len;		/* bytes */
	uint64_t received, dup, reorder, invalid;
	int64_t first, last;		/* first arrival's seq, highest seq; -1 if none */
	uint64_t total;			/* from an end marker */
	bool end;
	uint32_t rate;			/* pps, from the packets */
	uint64_t prev_arrival;		/* ns, kernel timestamp of the previous packet */
	uint64_t max_gap;		/* ns */
};

static int mark_seen(struct udp_stats *st, uint64_t seq)
{
	size_t byte = (size_t)(seq / 8);

	if (byte >= st->seen_len) {
		size_t n = st->seen_len ? st->seen_len : 4096;
		uint8_t *p;

		while (n <= byte)
			n *= 2;
		p = realloc(st->seen, n);
		if (!p)
			return -1;
		memset(p + st->seen_len, 0, n - st->seen_len);
		st->seen = p;
		st->seen_len = n;
	}
	if (st->seen[byte] & (1u << (seq % 8)))
		return 1;
	st->seen[byte] |= (uint8_t)(1u << (seq % 8));
	return 0;
}

static uint64_t arrival_ns(struct msghdr *mh)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
		}
	}
	return now_ns();
}

static void udp_account(struct udp_stats *st, const uint8_t *p, size_t len, uint64_t at)
{
	uint64_t seq;
	int r;

	if (len < UDP_HDR_LEN || get32(p) != UDP_MAGIC) {
		st->invalid++;
		return;
	}
	st->rate = get32(p + 16);
	if (get32(p + 4) & UDP_FLAG_END) {
		st->total = get64(p + 24);
		st->end = true;
		return;
	}
	seq = get64(p + 8);
	if (seq >= MAX_SEQ) {
		st->invalid++;
		return;
	}
	r = mark_seen(st, seq);
	if (r < 0) {
		st->invalid++;
		return;
	}
	if (r) {
		st->dup++;
		return;
	}
	if (st->prev_arrival && at > st->prev_arrival && at - st->prev_arrival > st->max_gap)
		st->max_gap = at - st->prev_arrival;
	st->prev_arrival = at;
	if (st->first < 0)
		st->first = (int64_t)seq;
	if (st->last >= 0 && (int64_t)seq < st->last)
		st->reorder++;
	if ((int64_t)seq > st->last)
		st->last = (int64_t)seq;
	st->received++;
}

static int cmd_udp_recv(const struct opts *o)
{
	struct udp_stats st = { .first = -1, .last = -1 };
	uint64_t start, stop, last_rx = 0, end_at = 0, expected, in_range = 0, lost, s;
	uint8_t buf[65536];
	char ctrl[256];
	int fd, one = 1;

	if (!o->port || !o->until_idle) {
		fprintf(stderr, "mrstream udp-recv: --port and --until-idle are required\n");
		return 2;
	}
	fd = bound_socket(SOCK_DGRAM, o);
	if (fd < 0)
		return 3;
	grow_buffer(fd, SO_RCVBUF, SO_RCVBUFFORCE, 8 << 20);
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	catch_stop();
	start = now_ns();
	stop = start + o->max_time * NSEC;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ns(), wake = stop;
		int timeout;

		if (now >= stop || stop_requested)
			break;
		if (end_at && now >= end_at)
			break;
		if (last_rx && now - last_rx >= o->until_idle * 1000000ull)
			break;
		if (last_rx && last_rx + o->until_idle * 1000000ull < wake)
			wake = last_rx + o->until_idle * 1000000ull;
		if (end_at && end_at < wake)
			wake = end_at;
		timeout = (int)((wake - now + 999999) / 1000000);
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR) {
			perror("mrstream: poll");
			return 3;
		}
		for (;;) {
			struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
			struct msghdr mh = {
				.msg_iov = &iov, .msg_iovlen = 1,
				.msg_control = ctrl, .msg_controllen = sizeof(ctrl),
			};
			ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				perror("mrstream: recvmsg");
				return 3;
			}
			udp_account(&st, buf, (size_t)n, arrival_ns(&mh));
			last_rx = now_ns();
			if (st.end && !end_at)
				end_at = last_rx + END_DRAIN_MS * 1000000ull;
		}
	}
	close(fd);
	/* Without an end marker the stream ends at the highest number seen. */
	expected = st.end ? st.total : (uint64_t)(st.last + 1);
	for (s = 0; s < expected && s / 8 < st.seen_len; s++)
		if (st.seen[s / 8] & (1u << (s % 8)))
			in_range++;
	lost = expected - in_range;
	printf("received=%" PRIu64 " lost=%" PRIu64 " dup=%" PRIu64 " reorder=%" PRIu64
	       " first=%" PRId64 " last=%" PRId64 " max_gap_ms=%.1f outage_ms=%.1f"
	       " rate=%u end=%d invalid=%" PRIu64 "\n",
	       st.received, lost, st.dup, st.reorder, st.first, st.last,
	       (double)st.max_gap / 1e6, st.rate ? (double)lost * 1000.0 / st.rate : 0.0,
	       st.rate, st.end ? 1 : 0, st.invalid);
	free(st.seen);
	return st.received ? 0 : 1;
}

/* ---- TCP ---------------------------------------------------------------- */

/* Deterministic byte stream (splitmix64), reproducible from its seed at any
 * chunking: the receiver regenerates exactly what the sender sent. */
struct gen {
	uint64_t state;
	uint8_t word[8];
	unsigned int used;		/* bytes of word already handed out */
};

static uint64_t gen_next(struct gen *g)
{
	uint64_t z = (g->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void gen_init(struct gen *g, uint64_t seed)
{
	g->state = seed;
	g->used = 8;
}

static void gen_fill(struct gen *g, uint8_t *out, size_t n)
{
	while (n && g->used < 8) {
		*out++ = g->word[g->used++];
		n--;
	}
	while (n >= 8) {
		put64(out, gen_next(g));
		out += 8;
		n -= 8;
	}
	if (n) {
		put64(g->word, gen_next(g));
		g->used = 0;
		while (n--)
			*out++ = g->word[g->used++];
	}
}

static void hex(const uint8_t *d, unsigned int n, char *out)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int cmd_tcp_send(const struct opts *o)
{
	static uint8_t buf[65536];
	uint8_t hdr[TCP_HDR_LEN] = { 0 }, md[SHA256_DIGEST_SIZE];
	struct sockaddr_storage dst;
	socklen_t dlen;
	char mdhex[2 * SHA256_DIGEST_SIZE + 1];
	uint64_t sent = 0, start;
	struct sha256_ctx ctx;
	struct gen g;
	int fd, err, rc = 0;
	ssize_t r;

	if (!o->dst || !o->port) {
		fprintf(stderr, "mrstream tcp-send: --dst and --port are required\n");
		return 2;
	}
	if (parse_addr(o->dst, o->port, false, &dst, &dlen) < 0)
		return 2;
	fd = socket(dst.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && o->sport) {
		/* A fixed 4-tuple: the test knows which flow is which, run after run. */
		struct sockaddr_storage src = { .ss_family = dst.ss_family };
		int one = 1;

		if (dst.ss_family == AF_INET)
			((struct sockaddr_in *)&src)->sin_port = htons(o->sport);
		else
			((struct sockaddr_in6 *)&src)->sin6_port = htons(o->sport);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&src, dlen) < 0) {
			fprintf(stderr, "mrstream: bind source port %u: %s\n", o->sport, strerror(errno));
			close(fd);
			return 3;
		}
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, dlen) < 0) {
		fprintf(stderr, "mrstream: connect %s port %u: %s\n", o->dst, o->port, strerror(errno));
		return 3;
	}
	put32(hdr, TCP_MAGIC);
	put32(hdr + 4, 1);
	put64(hdr + 8, o->seed);
	put64(hdr + 16, o->bytes);
	sha256_init(&ctx);
	gen_init(&g, o->seed);
	catch_stop();
	err = write_all(fd, hdr, sizeof(hdr));
	start = now_ns();
	/* --bytes 0: until SIGINT/SIGTERM, then a clean end (the receiver
	 * checks every byte it got and prints how many). */
	while (!err && (o->bytes == 0 || sent < o->bytes) && !stop_requested) {
		size_t n = o->bytes == 0 || o->bytes - sent >= sizeof(buf) ? sizeof(buf) :
			   (size_t)(o->bytes - sent);

		if (now_ns() - start >= o->max_time * NSEC) {
			err = -ETIMEDOUT;
			break;
		}

		/* Absolute deadline for this chunk: sent bits at rate_mbps. */
		if (o->rate_mbps > 0)
			sleep_until(start + (uint64_t)((double)sent * 8000.0 / o->rate_mbps));
		gen_fill(&g, buf, n);
		sha256_update(&ctx, n, buf);
		err = write_all(fd, buf, n);
		if (!err)
			sent += n;	/* (write_all finishes a chunk a signal interrupted) */
	}
	if (!err && shutdown(fd, SHUT_WR) < 0)
		err = -errno;
	/* The receiver closes once it has read and checked everything. */
	while (!err) {
		r = read(fd, buf, sizeof(buf));
		if (r == 0)
			break;
		if (r < 0 && errno != EINTR)
			err = -errno;
	}
	sha256_digest(&ctx, sizeof(md), md);
	hex(md, sizeof(md), mdhex);
	printf("bytes=%" PRIu64 " sha256=%s elapsed_ms=%.1f\n", sent, mdhex,
	       (double)(now_ns() - start) / 1e6);
	if (err) {
		fprintf(stderr, "mrstream: tcp-send after %" PRIu64 " bytes: %s\n", sent, strerror(-err));
		rc = 1;
	}
	close(fd);
	return rc;
}

static int read_full(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r == 0)
			return -EPIPE;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int cmd_tcp_recv(const struct opts *o)
{
	static uint8_t buf[262144], want[262144];
	uint8_t hdr[TCP_HDR_LEN], md[SHA256_DIGEST_SIZE];
	char mdhex[2 * SHA256_DIGEST_SIZE + 1];
	uint64_t got = 0, total, mismatch = 0, first_bad = UINT64_MAX, stop;
	struct pollfd pfd;
	struct sha256_ctx ctx;
	struct gen g;
	int lfd, fd, err = 0, rc = 0;

	if (!o->port) {
		fprintf(stderr, "mrstream tcp-recv: --port is required\n");
		return 2;
	}
	lfd = bound_socket(SOCK_STREAM, o);
	if (lfd < 0)
		return 3;
	if (listen(lfd, 1) < 0) {
		perror("mrstream: listen");
		return 3;
	}
	pfd = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&pfd, 1, (int)(o->max_time * 1000)) <= 0) {
		fprintf(stderr, "mrstream: tcp-recv: no connection within %" PRIu64 " s\n", o->max_time);
		return 3;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (fd < 0) {
		perror("mrstream: accept");
		return 3;
	}
	err = read_full(fd, hdr, sizeof(hdr));
	if (err || get32(hdr) != TCP_MAGIC) {
		fprintf(stderr, "mrstream: tcp-recv: bad or missing stream header\n");
		close(fd);
		return 1;
	}
	total = get64(hdr + 16);
	gen_init(&g, get64(hdr + 8));
	sha256_init(&ctx);
	stop = now_ns() + o->max_time * NSEC;
	for (;;) {
		ssize_t n;
		size_t i;
		uint64_t now = now_ns();

		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (now >= stop || poll(&pfd, 1, (int)((stop - now) / 1000000 + 1)) == 0) {
			err = -ETIMEDOUT;
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		sha256_update(&ctx, (size_t)n, buf);
		gen_fill(&g, want, (size_t)n);
		if (memcmp(buf, want, (size_t)n)) {
			for (i = 0; i < (size_t)n; i++) {
				if (buf[i] != want[i]) {
					if (first_bad == UINT64_MAX)
						first_bad = got + i;
					mismatch++;
				}
			}
		}
		got += (uint64_t)n;
	}
	if (total && got > total)	/* total 0: the sender's --bytes 0, until it stopped */
		mismatch += got - total;
	sha256_digest(&ctx, sizeof(md), md);
	hex(md, sizeof(md), mdhex);
	printf("bytes=%" PRIu64 " sha256=%s mismatch=%" PRIu64 "\n", got, mdhex, mismatch);
	if (err) {
		fprintf(stderr, "mrstream: tcp-recv after %" PRIu64 " bytes: %s\n", got, strerror(-err));
		rc = 1;
	}
	if (total && got < total) {
		fprintf(stderr, "mrstream: tcp-recv: short read: %" PRIu64 " of %" PRIu64 " bytes\n",
			got, total);
		rc = 1;
	}
	if (mismatch) {
		fprintf(stderr, "mrstream: tcp-recv: %" PRIu64 " bytes differ, first at offset %" PRIu64 "\n",
			mismatch, first_bad);
		rc = 1;
	}
	close(fd);
	return rc;
}

/* ---- command line ------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mrstream udp-recv --port P [--bind ADDR] --until-idle MS [--max-time S]\n"
		"       mrstream udp-send --dst ADDR --port P --rate PPS --count N [--size BYTES] [--max-time S]\n"
		"       mrstream tcp-recv --port P [--bind ADDR] [--max-time S]\n"
		"       mrstream tcp-send --dst ADDR --port P --bytes N [--rate-mbps R] [--seed S] [--sport P]\n"
		"                         [--max-time S]\n"
		"udp-send: SIGINT/SIGTERM ends the stream early (end markers still sent)\n"
		"udp-recv: SIGINT/SIGTERM reports what arrived so far and exits\n"
		"tcp-send: --bytes 0 sends until SIGINT/SIGTERM, then ends the stream cleanly\n"
		"udp-recv prints: received= lost= dup= reorder= first= last= max_gap_ms= outage_ms= rate= end= invalid=\n"
		"tcp-* print: bytes= sha256= (tcp-recv also mismatch=); non-zero exit on reset, short read, mismatch\n");
}

enum { O_DST = 1, O_BIND, O_PORT, O_RATE, O_COUNT, O_SIZE, O_IDLE, O_MAXT, O_BYTES, O_MBPS, O_SEED,
       O_SPORT };

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "dst", required_argument, NULL, O_DST },
		{ "bind", required_argument, NULL, O_BIND },
		{ "port", required_argument, NULL, O_PORT },
		{ "rate", required_argument, NULL, O_RATE },
		{ "count", required_argument, NULL, O_COUNT },
		{ "size", required_argument, NULL, O_SIZE },
		{ "until-idle", required_argument, NULL, O_IDLE },
		{ "max-time", required_argument, NULL, O_MAXT },
		{ "bytes", required_argument, NULL, O_BYTES },
		{ "rate-mbps", required_argument, NULL, O_MBPS },
		{ "seed", required_argument, NULL, O_SEED },
		{ "sport", required_argument, NULL, O_SPORT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		const char *name = c > 0 && c <= O_SPORT ? lo[c - 1].name : "";

		switch (c) {
		case O_DST:
			o->dst = optarg;
			break;
		case O_BIND:
			o->bind = optarg;
			break;
		case O_PORT:
			if (parse_u64(name, optarg, 1, 65535, &v) < 0)
				return -1;
			o->port = (uint16_t)v;
			break;
		case O_RATE:
			if (parse_u64(name, optarg, 1, MAX_RATE, &o->rate) < 0)
				return -1;
			break;
		case O_COUNT:
			if (parse_u64(name, optarg, 1, MAX_SEQ, &o->count) < 0)
				return -1;
			break;
		case O_SIZE:
			if (parse_u64(name, optarg, UDP_HDR_LEN, 65000, &o->size) < 0)
				return -1;
			break;
		case O_IDLE:
			if (parse_u64(name, optarg, 1, 3600000, &o->until_idle) < 0)
				return -1;
			break;
		case O_MAXT:
			if (parse_u64(name, optarg, 1, 3600, &o->max_time) < 0)
				return -1;
			break;
		case O_BYTES:
			if (parse_u64(name, optarg, 0, 1ull << 40, &o->bytes) < 0)
				return -1;
			break;
		case O_MBPS:
			errno = 0;
			o->rate_mbps = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->rate_mbps >= 0 && o->rate_mbps <= 1e6)) {
				fprintf(stderr, "mrstream: --rate-mbps %s: expected 0..1000000\n", optarg);
				return -1;
			}
			break;
		case O_SEED:
			if (parse_u64(name, optarg, 0, UINT64_MAX, &o->seed) < 0)
				return -1;
			break;
		case O_SPORT:
			if (parse_u64(name, optarg, 1, 65535, &v) < 0)
				return -1;
			o->sport = (uint16_t)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mrstream: unexpected argument %s\n", argv[optind]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const struct opts *o);
	} cmds[] = {
		{ "udp-send", cmd_udp_send },
		{ "udp-recv", cmd_udp_recv },
		{ "tcp-send", cmd_tcp_send },
		{ "tcp-recv", cmd_tcp_recv },
	};
	struct opts o = { .size = 64, .max_time = 60, .seed = 1 };
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (parse_opts(argc - 1, argv + 1, &o) < 0) {
			usage(stderr);
			return 2;
		}
		setvbuf(stdout, NULL, _IOLBF, 0);
		/* A reset connection must show as an error, not kill us silently. */
		signal(SIGPIPE, SIG_IGN);
		/* The backstop fires a little after the mode's own bound. */
		arm_backstop(o.max_time + 5);
		return cmds[i].fn(&o);
	}
	usage(strcmp(argv[1], "-h") && strcmp(argv[1], "--help") ? stderr : stdout);
	return strcmp(argv[1], "-h") && strcmp(argv[1], "--help") ? 2 : 0;
}
