// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The BFD receive sockets' filter (net.h: net_bfd_filter), run by the kernel
 * itself: a receive socket from net_rx_open() with the filter attached, on
 * loopback (no privileges needed; loopback keeps the sender's TTL), gets
 * hand-made datagrams, each followed by a valid "marker" datagram.  What
 * arrives before the marker passed the filter, and once the marker is
 * there, the socket's drop counter must have counted each one dropped.
 * Then a few thousand random mutations of a valid packet: the filter must
 * drop exactly those that bfd_decode() refuses for a reason that needs no
 * session (and those with TTL 254, or a Your Discriminator not ours), never
 * one it accepts.  The sample of drops it lets through is checked apart.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "bytes.h"
#include "net.h"
#include "packet.h"

#define MARK_MY 0x5e4e1000u		/* the marker's My Discriminator */
#define TTL_OK 255
#define PREFIX 0x7a3c			/* our discriminators' upper half */
#define OURS(low) ((uint32_t)PREFIX << 16 | (low))

struct rig {
	int family;
	int rx, tx;
	struct sockaddr_storage to;
	socklen_t tolen;
	uint32_t seq;		/* markers sent */
	struct net_msg got[NET_RECV_BATCH];
};

/* A valid Control packet: version 1, State Up, Detect Mult 3, Length 24. */
static size_t valid(uint8_t *p, size_t cap)
{
	memset(p, 0, cap);
	p[0] = 1 << 5;
	p[1] = BFD_STATE_UP << 6;
	p[2] = 3;
	p[3] = 24;
	put32(p + 4, 0x11223344);
	put32(p + 8, OURS(0x7788));
	put32(p + 12, 10000);
	put32(p + 16, 10000);
	return 24;
}

/* The loopback address of family, as the filter's peer list holds it. */
static struct mr_addr lo(int family, int last)
{
	struct mr_addr a = { .family = family };

	if (family == AF_INET6) {
		a.bytes[15] = (uint8_t)last;
	} else {
		a.bytes[0] = 127;
		a.bytes[3] = (uint8_t)last;
	}
	return a;
}

/* Our prefix, any authentication, the sender (loopback) among the peers, no sample. */
static struct mr_addr peers[2];

static struct net_bfd_match base(int family)
{
	peers[0] = lo(family, 2);
	peers[1] = lo(family, 1);
	return (struct net_bfd_match){ .discr_prefix = PREFIX, .auth = NET_AUTH_ANY,
				       .peers = peers, .npeers = 2 };
}

static void attach(struct rig *r, struct net_bfd_match m)
{
	assert_int_equal(net_rx_filter_bfd(r->rx, r->family, &m), 0);
}

/* Returns 0, or -1 with the reason printed: the caller skips (IPv6 off). */
static int rig_open(struct rig *r, int family)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	uint16_t port;

	memset(r, 0, sizeof(*r));
	r->family = family;
	r->rx = net_rx_open(family, 0);
	if (r->rx < 0) {
		print_message("no %s receive socket: %s\n", family == AF_INET6 ? "IPv6" : "IPv4",
			      strerror(-r->rx));
		return -1;
	}
	attach(r, base(family));
	assert_int_equal(getsockname(r->rx, (struct sockaddr *)&ss, &len), 0);
	r->tx = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	assert_true(r->tx >= 0);
	memset(&r->to, 0, sizeof(r->to));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&r->to;

		port = ((struct sockaddr_in6 *)&ss)->sin6_port;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = port;
		s6->sin6_addr = in6addr_loopback;
		r->tolen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&r->to;

		port = ((struct sockaddr_in *)&ss)->sin_port;
		s4->sin_family = AF_INET;
		s4->sin_port = port;
		/* To 127.0.0.2, from 127.0.0.1: source and destination differ. */
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
		r->tolen = sizeof(*s4);
	}
	if (connect(r->tx, (struct sockaddr *)&r->to, r->tolen) < 0) {
		print_message("no %s loopback: %s\n", family == AF_INET6 ? "IPv6" : "IPv4",
			      strerror(errno));
		close(r->rx);
		close(r->tx);
		return -1;
	}
	return 0;
}

static void rig_close(struct rig *r)
{
	close(r->rx);
	close(r->tx);
}

static void send_ttl(struct rig *r, const uint8_t *p, size_t len, int ttl)
{
	if (r->family == AF_INET6)
		assert_int_equal(setsockopt(r->tx, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)), 0);
	else
		assert_int_equal(setsockopt(r->tx, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)), 0);
	assert_int_equal(send(r->tx, p, len, 0), (ssize_t)len);
}

static uint32_t sk_drops(int fd)
{
	uint32_t v = 0;

	assert_int_equal(net_rx_drops(fd, &v), 0);
	return v;
}

/*
 * Sends p (len bytes, TTL ttl), then a marker; returns whether p arrived
 * (before the marker: loopback keeps the order), its length as received
 * in *got_len.  Checks that the socket counted a drop exactly when p did
 * not arrive.
 */
static bool through(struct rig *r, const uint8_t *p, size_t len, int ttl, size_t *got_len)
{
	uint8_t mark[24];
	bool arrived = false, marked = false;
	uint32_t before = sk_drops(r->rx);

	send_ttl(r, p, len, ttl);
	valid(mark, sizeof(mark));
	put32(mark + 4, MARK_MY);
	put32(mark + 8, OURS(++r->seq));
	send_ttl(r, mark, sizeof(mark), TTL_OK);
	while (!marked) {
		struct pollfd pfd = { .fd = r->rx, .events = POLLIN };
		int n, i;

		/* A marker that never comes fails the test: the filter dropped a valid packet. */
		assert_int_equal(poll(&pfd, 1, 2000), 1);
		n = net_recv_many(r->rx, r->got, NET_RECV_BATCH);
		assert_true(n > 0);
		for (i = 0; i < n; i++) {
			const struct net_msg *m = &r->got[i];

			if (m->len == sizeof(mark) && get32(m->buf + 4) == MARK_MY &&
			    get32(m->buf + 8) == OURS(r->seq)) {
				assert_false(marked);
				assert_int_equal(m->ttl, TTL_OK);
				marked = true;
				continue;
			}
			/* Only p can come before its marker. */
			assert_false(marked);
			assert_false(arrived);
			arrived = true;
			*got_len = m->len;
			assert_int_equal(m->ttl, ttl);
			assert_memory_equal(m->buf, p, len < NET_KEEP ? len : NET_KEEP);
		}
	}
	/* The marker came after it: the counter has its final value. */
	assert_int_equal(sk_drops(r->rx) - before, arrived ? 0 : 1);
	return arrived;
}

/*
 * For a filter that would drop the marker too (the sender is no peer, the
 * marker has no auth section):
 * whether p was dropped, by the socket's drop counter, read once a marker
 * sent after it to a second, unfiltered socket has arrived.  Loopback
 * delivers in order what one CPU sends: the test keeps to one.
 */
static bool dropped_alone(struct rig *r, const uint8_t *p, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	uint32_t before = sk_drops(r->rx);
	struct pollfd pfd;
	cpu_set_t one, was;
	char x[8];
	int side, cpu = sched_getcpu();
	bool dropped;

	assert_true(cpu >= 0);
	assert_int_equal(sched_getaffinity(0, sizeof(was), &was), 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	side = net_rx_open(r->family, 0);
	assert_true(side >= 0);
	assert_int_equal(getsockname(side, (struct sockaddr *)&ss, &sl), 0);
	if (r->family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	else
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1);
	send_ttl(r, p, len, TTL_OK);
	assert_int_equal(sendto(r->tx, "m", 1, 0, (struct sockaddr *)&ss, sl), 1);
	pfd = (struct pollfd){ .fd = side, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	dropped = sk_drops(r->rx) - before == 1;
	/* Dropped, or queued: one or the other. */
	assert_int_equal(recv(r->rx, x, sizeof(x), MSG_DONTWAIT) < 0, dropped);
	close(side);
	assert_int_equal(sched_setaffinity(0, sizeof(was), &was), 0);
	return dropped;
}

static bool passes(struct rig *r, const uint8_t *p, size_t len, int ttl)
{
	size_t got = 0;
	bool ok = through(r, p, len, ttl, &got);

	if (ok)
		assert_int_equal(got, len);
	return ok;
}

/* Every rule of the filter, each broken alone; and what must pass. */
static void cases(int family)
{
	uint8_t p[1500], big[9000];
	struct mr_addr many[MR_MAX_NODES - 1];
	struct rig r;
	size_t n;
	int k;

	if (rig_open(&r, family) < 0) {
		skip();
		return;
	}
	n = valid(p, sizeof(p));
	assert_true(passes(&r, p, n, TTL_OK));

	/* RFC 5881 §5: TTL / hop limit 255 only. */
	assert_false(passes(&r, p, n, 254));
	assert_false(passes(&r, p, n, 1));
	assert_false(passes(&r, p, n, 64));

	/* Shorter than the mandatory section. */
	assert_false(passes(&r, p, 23, TTL_OK));
	assert_false(passes(&r, p, 1, TTL_OK));
	assert_false(passes(&r, p, 0, TTL_OK));

	/* Version 1 only. */
	p[0] = 0;
	assert_false(passes(&r, p, n, TTL_OK));
	p[0] = 2 << 5;
	assert_false(passes(&r, p, n, TTL_OK));
	p[0] = 7 << 5 | 0x1f;
	assert_false(passes(&r, p, n, TTL_OK));
	p[0] = 1 << 5 | 0x1f;	/* any diagnostic */
	assert_true(passes(&r, p, n, TTL_OK));
	n = valid(p, sizeof(p));

	/* Length: at least 24 (26 with A), within the datagram. */
	p[3] = 23;
	assert_false(passes(&r, p, n, TTL_OK));
	p[3] = 0;
	assert_false(passes(&r, p, n, TTL_OK));
	p[3] = 25;
	assert_false(passes(&r, p, 24, TTL_OK));
	assert_true(passes(&r, p, 25, TTL_OK));
	p[3] = 255;
	assert_false(passes(&r, p, 254, TTL_OK));
	assert_true(passes(&r, p, 255, TTL_OK));
	p[1] |= 0x04;		/* A */
	p[3] = 24;
	assert_false(passes(&r, p, 48, TTL_OK));
	p[3] = 25;
	assert_false(passes(&r, p, 48, TTL_OK));
	p[3] = 26;
	assert_true(passes(&r, p, 48, TTL_OK));
	p[3] = 48;
	assert_true(passes(&r, p, 48, TTL_OK));
	assert_false(passes(&r, p, 47, TTL_OK));
	n = valid(p, sizeof(p));

	/* Padding (RFC 9764): a longer datagram passes whole, its length reported. */
	assert_true(passes(&r, p, sizeof(p), TTL_OK));
	memcpy(big, p, n);
	memset(big + n, 0, sizeof(big) - n);
	assert_true(passes(&r, big, sizeof(big), TTL_OK));
	assert_false(passes(&r, big, sizeof(big), 254));

	/* Detect Mult, Multipoint, My Discriminator. */
	p[2] = 0;
	assert_false(passes(&r, p, n, TTL_OK));
	p[2] = 255;
	assert_true(passes(&r, p, n, TTL_OK));
	p[2] = 3;
	p[1] |= 0x01;		/* M */
	assert_false(passes(&r, p, n, TTL_OK));
	p[1] = BFD_STATE_UP << 6 | 0x20 | 0x10 | 0x08 | 0x02;	/* P F C D: fine */
	assert_true(passes(&r, p, n, TTL_OK));
	n = valid(p, sizeof(p));
	put32(p + 4, 0);
	assert_false(passes(&r, p, n, TTL_OK));
	n = valid(p, sizeof(p));

	/* Your Discriminator 0: only in Down and AdminDown. */
	put32(p + 8, 0);
	p[1] = BFD_STATE_UP << 6;
	assert_false(passes(&r, p, n, TTL_OK));
	p[1] = BFD_STATE_INIT << 6 | 0x3a;	/* P F C D */
	assert_false(passes(&r, p, n, TTL_OK));
	p[1] = BFD_STATE_DOWN << 6;
	assert_true(passes(&r, p, n, TTL_OK));
	p[1] = BFD_STATE_ADMIN_DOWN << 6 | 0x3a;
	assert_true(passes(&r, p, n, TTL_OK));
	/* An MTU session's bootstrap value is not 0 (mtu.h). */
	put32(p + 8, 0xffffffffu);
	p[1] = BFD_STATE_UP << 6;
	assert_true(passes(&r, p, n, TTL_OK));

	/* Anything else: ours, by the prefix. */
	put32(p + 8, OURS(0));
	assert_true(passes(&r, p, n, TTL_OK));
	put32(p + 8, OURS(0xffff));
	assert_true(passes(&r, p, n, TTL_OK));
	put32(p + 8, OURS(0) + 0x10000);
	assert_false(passes(&r, p, n, TTL_OK));
	put32(p + 8, OURS(0) - 1);
	assert_false(passes(&r, p, n, TTL_OK));
	put32(p + 8, 0xfffffffeu);
	assert_false(passes(&r, p, n, TTL_OK));
	put32(p + 8, 1);
	assert_false(passes(&r, p, n, TTL_OK));
	p[1] = BFD_STATE_DOWN << 6;	/* in any state */
	assert_false(passes(&r, p, n, TTL_OK));

	/* Our authentication decides the A bit. */
	n = valid(p, sizeof(p));
	attach(&r, (struct net_bfd_match){ .discr_prefix = PREFIX, .auth = NET_AUTH_NONE,
					   .peers = peers, .npeers = 2 });
	assert_true(passes(&r, p, n, TTL_OK));
	p[1] |= 0x04;
	p[3] = 48;
	assert_false(passes(&r, p, 48, TTL_OK));
	attach(&r, (struct net_bfd_match){ .discr_prefix = PREFIX, .auth = NET_AUTH_SET,
					   .peers = peers, .npeers = 2 });
	assert_false(dropped_alone(&r, p, 48));
	p[1] &= (uint8_t)~0x04;
	p[3] = 24;
	assert_true(dropped_alone(&r, p, n));
	assert_true(dropped_alone(&r, p, 48));
	attach(&r, base(family));

	/* Peers: only their addresses (the sender is not lo(2)); none listed, nobody. */
	n = valid(p, sizeof(p));
	attach(&r, (struct net_bfd_match){ .discr_prefix = PREFIX, .peers = peers, .npeers = 1 });
	assert_true(dropped_alone(&r, p, n));
	put32(p + 8, 0);
	p[1] = BFD_STATE_DOWN << 6;	/* looked up by source: still a stranger */
	assert_true(dropped_alone(&r, p, n));
	put32(p + 8, 0xffffffffu);	/* an MTU bootstrap: the same */
	assert_true(dropped_alone(&r, p, n));
	put32(p + 8, 0);
	attach(&r, (struct net_bfd_match){ .discr_prefix = PREFIX, .peers = peers, .npeers = 0 });
	assert_true(dropped_alone(&r, p, n));
	/* The sender last of the most peers there can be, each of the others one bit off it. */
	for (k = 0; k < MR_MAX_NODES - 2; k++) {
		many[k] = lo(family, 1);
		many[k].bytes[family == AF_INET6 ? 15 - k % 16 : 3 - k % 4] ^= (uint8_t)(1u << (k % 8));
	}
	attach(&r, (struct net_bfd_match){ .discr_prefix = PREFIX, .peers = many,
					   .npeers = MR_MAX_NODES - 2 });
	assert_true(dropped_alone(&r, p, n));
	many[MR_MAX_NODES - 2] = lo(family, 1);
	attach(&r, (struct net_bfd_match){ .discr_prefix = PREFIX, .peers = many,
					   .npeers = MR_MAX_NODES - 1 });
	assert_true(passes(&r, p, n, TTL_OK));
	assert_false(dropped_alone(&r, p, n));

	/* No list, no prefix: any source, any nonzero Your Discriminator. */
	n = valid(p, sizeof(p));
	attach(&r, (struct net_bfd_match){ 0 });
	put32(p + 8, 1);
	assert_true(passes(&r, p, n, TTL_OK));
	put32(p + 8, 0xfffffffeu);
	assert_true(passes(&r, p, n, TTL_OK));
	put32(p + 8, 0);
	assert_false(passes(&r, p, n, TTL_OK));
	assert_false(passes(&r, p, n, 254));
	rig_close(&r);
}

static void test_cases_ipv4(void **state)
{
	(void)state;
	cases(AF_INET);
}

static void test_cases_ipv6(void **state)
{
	(void)state;
	cases(AF_INET6);
}

/* xorshift32, seeded: the same packets every run. */
static uint32_t rnd_state = 0x2545f491u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/*
 * The filter against the decoder: random mutations of valid packets (with
 * and without an auth section, padded or short), random TTL.  A stateless
 * refusal of bfd_decode(), or a Your Discriminator not ours, must be
 * dropped, and nothing else may be.
 */
static void against_decoder(int family)
{
	uint8_t p[96];
	struct bfd_packet pkt;
	struct rig r;
	int k, dropped = 0, passed = 0;

	if (rig_open(&r, family) < 0) {
		skip();
		return;
	}
	for (k = 0; k < 3000; k++) {
		size_t len = valid(p, sizeof(p)), got = 0;
		int ttl = rnd() % 8 ? TTL_OK : 254, err, i, flips = 1 + (int)(rnd() % 3);
		bool want;

		if (rnd() % 3 == 0) {	/* a Keyed SHA1 section */
			p[1] |= 0x04;
			p[3] = 52;
			p[24] = BFD_AUTH_KEYED_SHA1;
			p[25] = 28;
			len = 52;
		}
		for (i = 0; i < flips; i++) {
			unsigned int at = rnd() % 12, what = rnd() % 4;

			/* The fields the filter reads are in the first 12 bytes. */
			if (what == 0)
				p[at] = (uint8_t)rnd();
			else if (what == 1)
				p[at] ^= (uint8_t)(1u << (rnd() % 8));
			else if (what == 2)
				p[at] = 0;
			else
				len = rnd() % sizeof(p);
		}
		err = bfd_decode(p, len, &pkt);
		want = ttl == TTL_OK && (err == BFD_DECODE_OK || err == BFD_DECODE_AUTH) &&
		       (pkt.your_discr == 0 || pkt.your_discr == 0xffffffffu ||
			pkt.your_discr >> 16 == PREFIX);
		if (through(&r, p, len, ttl, &got) != want)
			fail_msg("packet %d (%zu bytes, TTL %d, %02x %02x %02x %02x, decode %s): filter %s it",
				 k, len, ttl, p[0], p[1], p[2], p[3], bfd_decode_errname(err),
				 want ? "dropped" : "passed");
		if (want)
			assert_int_equal(got, len);
		want ? passed++ : dropped++;
	}
	print_message("%s: %d passed, %d dropped\n", family == AF_INET6 ? "IPv6" : "IPv4", passed,
		      dropped);
	/* The mutations must have exercised both sides. */
	assert_true(passed > 300);
	assert_true(dropped > 300);
	rig_close(&r);
}

static void test_decoder_ipv4(void **state)
{
	(void)state;
	against_decoder(AF_INET);
}

static void test_decoder_ipv6(void **state)
{
	(void)state;
	against_decoder(AF_INET6);
}

/*
 * One in NET_BFD_SAMPLE of the drops passes: 25,600 TTL-254 packets, 100
 * expected; fewer than 40 or more than 200 is a chance below 1e-9.
 */
static void sample(int family)
{
	struct net_bfd_match m;
	uint8_t p[24], mark[24];
	struct rig r;
	int k, through = 0;

	if (rig_open(&r, family) < 0) {
		skip();
		return;
	}
	m = base(family);
	m.sample = NET_BFD_SAMPLE;
	attach(&r, m);
	valid(p, sizeof(p));
	valid(mark, sizeof(mark));
	put32(mark + 4, MARK_MY);
	for (k = 0; k < 256; k++) {
		int i, done = 0;

		/* 100 at a time, then a marker: an unprivileged queue holds that many. */
		for (i = 0; i < 100; i++)
			send_ttl(&r, p, sizeof(p), 254);
		send_ttl(&r, mark, sizeof(mark), TTL_OK);
		while (!done) {
			struct pollfd pfd = { .fd = r.rx, .events = POLLIN };
			int n;

			assert_int_equal(poll(&pfd, 1, 2000), 1);
			n = net_recv_many(r.rx, r.got, NET_RECV_BATCH);
			assert_true(n > 0);
			for (i = 0; i < n; i++) {
				if (get32(r.got[i].buf + 4) == MARK_MY) {
					done = 1;
					continue;
				}
				assert_int_equal(r.got[i].ttl, 254);
				through++;
			}
		}
	}
	print_message("%s: %d of 25600 dropped packets sampled through\n",
		      family == AF_INET6 ? "IPv6" : "IPv4", through);
	assert_in_range(through, 40, 200);
	rig_close(&r);
}

static void test_sample_ipv4(void **state)
{
	(void)state;
	sample(AF_INET);
}

static void test_sample_ipv6(void **state)
{
	(void)state;
	sample(AF_INET6);
}

/*
 * With the sessions' discriminators given, only those (and the MTU
 * bootstrap value) pass, however close a flood's guess is to them: the
 * same prefix and the next low half are dropped.  With none given (no
 * session yet) only Your Discriminator 0 passes.
 */
static void exact(int family)
{
	static const uint32_t ours[2] = { OURS(0x7788), OURS(0x0042) };
	struct net_bfd_match m;
	struct rig r;
	uint8_t p[64];
	size_t n;

	if (rig_open(&r, family) < 0)
		skip();
	m = base(family);
	m.discrs = ours;
	m.ndiscrs = 2;
	attach(&r, m);
	n = valid(p, sizeof(p));
	assert_false(dropped_alone(&r, p, n));
	put32(p + 8, OURS(0x0042));
	assert_false(dropped_alone(&r, p, n));
	put32(p + 8, 0xffffffffu);
	assert_false(dropped_alone(&r, p, n));
	put32(p + 8, OURS(0x7789));
	assert_true(dropped_alone(&r, p, n));
	put32(p + 8, OURS(0x0041));
	assert_true(dropped_alone(&r, p, n));
	put32(p + 8, 0x11117788u);
	assert_true(dropped_alone(&r, p, n));
	m.ndiscrs = 0;
	attach(&r, m);
	put32(p + 8, OURS(0x7788));
	assert_true(dropped_alone(&r, p, n));
	p[1] = BFD_STATE_DOWN << 6;
	put32(p + 8, 0);
	assert_false(dropped_alone(&r, p, n));
	rig_close(&r);
}

static void test_exact_ipv4(void **state)
{
	(void)state;
	exact(AF_INET);
}

static void test_exact_ipv6(void **state)
{
	(void)state;
	exact(AF_INET6);
}

/* More discriminators than the jumps reach: the program the prefix alone gives. */
static void test_exact_too_many(void **state)
{
	struct sock_filter prog[NET_BFD_FILTER_MAX], pref[NET_BFD_FILTER_MAX];
	uint32_t many[300];
	struct net_bfd_match m = base(AF_INET6);
	int i, n, np;

	(void)state;
	for (i = 0; i < 300; i++)
		many[i] = OURS((uint32_t)i + 1);
	np = net_bfd_filter(AF_INET6, &m, pref);
	m.discrs = many;
	m.ndiscrs = 300;
	n = net_bfd_filter(AF_INET6, &m, prog);
	assert_int_equal(n, np);
	assert_memory_equal(prog, pref, (size_t)n * sizeof(prog[0]));
	/* A few fit, and make a longer program than the prefix's. */
	m.ndiscrs = 8;
	assert_true(net_bfd_filter(AF_INET6, &m, prog) > np);
}

/* The program itself: fits its room, ends in verdicts, jumps stay inside; what it refuses. */
static void test_program(void **state)
{
	struct sock_filter prog[NET_BFD_FILTER_MAX];
	struct mr_addr many[MR_MAX_NODES - 1];
	struct net_bfd_match m;
	int fam[2] = { AF_INET, AF_INET6 }, f, n, i;

	(void)state;
	for (f = 0; f < 4; f++) {
		/* The most peers a config holds, authentication, sampling: the longest program. */
		for (i = 0; i < MR_MAX_NODES - 1; i++)
			many[i] = lo(fam[f % 2], i + 1);
		m = (struct net_bfd_match){ .discr_prefix = f < 2 ? PREFIX : 0, .auth = NET_AUTH_SET,
					    .peers = many, .npeers = MR_MAX_NODES - 1,
					    .sample = NET_BFD_SAMPLE };
		n = net_bfd_filter(fam[f % 2], &m, prog);
		assert_true(n > 0 && n <= NET_BFD_FILTER_MAX);
		assert_int_equal(BPF_CLASS(prog[n - 1].code), BPF_RET);
		for (i = 0; i < n; i++) {
			if (BPF_CLASS(prog[i].code) != BPF_JMP)
				continue;
			if (BPF_OP(prog[i].code) == BPF_JA) {
				assert_true(i + 1 + (int)prog[i].k < n);
				continue;
			}
			assert_true(i + 1 + prog[i].jt < n);
			assert_true(i + 1 + prog[i].jf < n);
		}
	}
	m = base(AF_INET);
	m.sample = 3;
	assert_int_equal(net_bfd_filter(AF_INET, &m, prog), -EINVAL);
	m = base(AF_INET6);
	assert_int_equal(net_bfd_filter(AF_INET, &m, prog), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program),
		cmocka_unit_test(test_cases_ipv4),
		cmocka_unit_test(test_cases_ipv6),
		cmocka_unit_test(test_decoder_ipv4),
		cmocka_unit_test(test_decoder_ipv6),
		cmocka_unit_test(test_sample_ipv4),
		cmocka_unit_test(test_sample_ipv6),
		cmocka_unit_test(test_exact_ipv4),
		cmocka_unit_test(test_exact_ipv6),
		cmocka_unit_test(test_exact_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
