// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of linkrep.c: the link report codec, its sections and its HMAC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "linkrep.h"

static struct linkrep sample(void)
{
	struct linkrep r;

	memset(&r, 0, sizeof(r));
	r.sender.family = AF_INET;
	memcpy(r.sender.bytes, "\x0a\x0a\x00\x02", 4);
	r.seq = 0x01020304;
	r.has_link = true;
	snprintf(r.link.port, sizeof(r.link.port), "fast1");
	r.link.tx_us = 0x0000000102030405ull;
	r.link.echo_us = 0x0000000a0b0c0d0eull;
	r.link.held_us = 250;
	r.link.count = 2;
	r.link.e[0] = (struct linkrep_entry){ .local_discr = 0x11111111, .remote_discr = 0x22222222,
		.kind = LINKREP_KIND_IPV4, .state = 3, .flags = LINKREP_E_ECHO, .sent = 1000,
		.received = 990, .echo_sent = 950, .echo_received = 941 };
	r.link.e[1] = (struct linkrep_entry){ .local_discr = 0x33333333, .remote_discr = 0,
		.kind = LINKREP_KIND_MTU, .state = 1, .flags = 0, .sent = 7, .received = 0 };
	return r;
}

static void keys(struct auth_keyring *kr, const char *text)
{
	if (auth_keyring_parse("k", text, BFD_AUTH_KEYED_SHA1, kr, stderr) != 0)
		fail_msg("key ring %s does not parse", text);
}

static const uint8_t layout[] =
	"mrLR\x01\x00\x00\x04"
	"\x0a\x0a\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x01\x02\x03\x04"
	/* link section: type 1, body 40 + 2 x 28 = 96 */
	"\x01\x00\x00\x60"
	"fast1\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x00\x00\x00\x01\x02\x03\x04\x05"
	"\x00\x00\x00\x0a\x0b\x0c\x0d\x0e"
	"\x00\x00\x00\xfa"
	"\x02\x00\x00\x00"
	"\x11\x11\x11\x11\x22\x22\x22\x22\x01\x03\x01\x00"
	"\x00\x00\x03\xe8\x00\x00\x03\xde\x00\x00\x03\xb6\x00\x00\x03\xad"
	"\x33\x33\x33\x33\x00\x00\x00\x00\x03\x01\x00\x00"
	"\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";

/*
 * r encoded without a key into buf (LINKREP_MAX_LEN) is the documented
 * layout `want` (len bytes), byte for byte, and decodes into *b.  Its length.
 */
static size_t encodes_as(const struct linkrep *r, const uint8_t *want, size_t len, uint8_t *buf,
			 struct linkrep *b)
{
	size_t n = linkrep_encode(r, NULL, buf, LINKREP_MAX_LEN);

	assert_int_equal(n, len);
	assert_memory_equal(buf, want, n);
	assert_true(linkrep_is(buf, n));
	assert_int_equal(linkrep_decode(buf, n, NULL, b), LINKREP_OK);
	return n;
}

static void test_roundtrip_plain(void **state)
{
	struct linkrep r = sample(), b;
	uint8_t buf[LINKREP_MAX_LEN];

	(void)state;
	assert_int_equal(encodes_as(&r, layout, sizeof(layout) - 1, buf, &b),
			 LINKREP_HDR_LEN + 4 + 40 + 2 * 28);
	assert_int_equal(b.sender.family, AF_INET);
	assert_memory_equal(b.sender.bytes, r.sender.bytes, 4);
	assert_int_equal(b.seq, r.seq);
	assert_true(b.has_link);
	assert_string_equal(b.link.port, "fast1");
	assert_true(b.link.tx_us == r.link.tx_us);
	assert_true(b.link.echo_us == r.link.echo_us);
	assert_int_equal(b.link.held_us, 250);
	assert_int_equal(b.link.count, 2);
	assert_memory_equal(&b.link.e[0], &r.link.e[0], sizeof(r.link.e[0]));
	assert_memory_equal(&b.link.e[1], &r.link.e[1], sizeof(r.link.e[1]));
	assert_int_equal(b.skipped, 0);
}

static void test_ipv6_and_empty(void **state)
{
	struct linkrep r = sample(), b;
	uint8_t buf[LINKREP_MAX_LEN];
	size_t n;

	(void)state;
	r.sender.family = AF_INET6;
	memcpy(r.sender.bytes, "\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02", 16);
	r.link.count = 0;
	r.link.echo_us = 0;
	n = linkrep_encode(&r, NULL, buf, sizeof(buf));
	assert_int_equal(n, LINKREP_HDR_LEN + 4 + 40);
	assert_int_equal(buf[7], 6);
	assert_int_equal(linkrep_decode(buf, n, NULL, &b), LINKREP_OK);
	assert_int_equal(b.sender.family, AF_INET6);
	assert_memory_equal(b.sender.bytes, r.sender.bytes, 16);
	/* No echo: no hold either, whatever the struct said. */
	assert_int_equal(b.link.held_us, 0);
	/* A header alone is a valid (if useless) message. */
	r.has_link = false;
	n = linkrep_encode(&r, NULL, buf, sizeof(buf));
	assert_int_equal(n, LINKREP_HDR_LEN);
	assert_int_equal(linkrep_decode(buf, n, NULL, &b), LINKREP_OK);
	assert_false(b.has_link);
}

static void test_keyed(void **state)
{
	struct auth_keyring kr, other, none;
	struct linkrep r = sample(), b;
	uint8_t buf[LINKREP_MAX_LEN];
	size_t n;

	(void)state;
	keys(&kr, "7 first-key\n9 second\n");
	memset(&none, 0, sizeof(none));
	n = linkrep_encode(&r, &kr, buf, sizeof(buf));
	assert_int_equal(n, LINKREP_HDR_LEN + 4 + 40 + 2 * 28 + LINKREP_MAC_LEN);
	assert_int_equal(buf[5], LINKREP_F_MAC);
	assert_int_equal(buf[6], 7);
	assert_int_equal(linkrep_decode(buf, n, &kr, &b), LINKREP_OK);
	assert_int_equal(b.key_id, 7);
	assert_int_equal(b.link.e[0].sent, 1000);
	/* Every key of the ring verifies (rollover), the first signs. */
	keys(&other, "9 second\n7 first-key\n");
	assert_int_equal(linkrep_decode(buf, n, &other, &b), LINKREP_OK);
	keys(&other, "8 first-key\n");
	assert_int_equal(linkrep_decode(buf, n, &other, &b), LINKREP_ERR_KEY);
	keys(&other, "7 first-kez\n");
	assert_int_equal(linkrep_decode(buf, n, &other, &b), LINKREP_ERR_MAC);
	/* Signed exactly when authentication is configured. */
	assert_int_equal(linkrep_decode(buf, n, &none, &b), LINKREP_ERR_MAC_UNEXPECTED);
	assert_int_equal(linkrep_decode(buf, n, NULL, &b), LINKREP_ERR_MAC_UNEXPECTED);
	n = linkrep_encode(&r, NULL, buf, sizeof(buf));
	assert_int_equal(linkrep_decode(buf, n, &kr, &b), LINKREP_ERR_MAC_MISSING);
	/* Any altered byte fails the HMAC, the counts included. */
	n = linkrep_encode(&r, &kr, buf, sizeof(buf));
	buf[LINKREP_HDR_LEN + 4 + 40 + 15] ^= 1;
	assert_int_equal(linkrep_decode(buf, n, &kr, &b), LINKREP_ERR_MAC);
	auth_keyring_clear(&kr);
	auth_keyring_clear(&other);
}

/* Decodes good after setting `len` bytes from `off` to `val`, expecting `want`. */
static void expect_fill(const uint8_t *good, size_t n, size_t off, size_t len, uint8_t val,
			int want)
{
	uint8_t buf[LINKREP_MAX_LEN];
	struct linkrep b;

	memcpy(buf, good, n);
	memset(buf + off, val, len);
	if (linkrep_decode(buf, n, NULL, &b) != want)
		fail_msg("bytes %zu..%zu = 0x%02x: got %s, want %s", off, off + len - 1, val,
			 linkrep_err_name(linkrep_decode(buf, n, NULL, &b)), linkrep_err_name(want));
}

static void expect(const uint8_t *good, size_t n, size_t off, uint8_t val, int want)
{
	expect_fill(good, n, off, 1, val, want);
}

/* What encode writes without a key ring: 0 when it refuses r. */
static size_t encoded(const struct linkrep *r)
{
	uint8_t buf[LINKREP_MAX_LEN];

	return linkrep_encode(r, NULL, buf, sizeof(buf));
}

/*
 * Encode refuses BASE() after EDIT (which names the report `bad`), as decode
 * would refuse it: nothing goes out that a peer must drop.
 */
#define REFUSED(BASE, EDIT)							\
	do {									\
		struct linkrep bad = BASE();					\
										\
		EDIT;								\
		if (encoded(&bad) != 0)						\
			fail_msg("encoded a report after %s", #EDIT);		\
	} while (0)

static void test_refused(void **state)
{
	struct linkrep r = sample(), b;
	uint8_t good[LINKREP_MAX_LEN];
	size_t n, e0 = LINKREP_HDR_LEN + 4 + 40;

	(void)state;
	n = linkrep_encode(&r, NULL, good, sizeof(good));
	assert_int_equal(linkrep_decode(good, LINKREP_HDR_LEN - 1, NULL, &b), LINKREP_ERR_LENGTH);
	expect(good, n, 0, 'x', LINKREP_ERR_MAGIC);
	expect(good, n, 4, 2, LINKREP_ERR_VERSION);
	expect(good, n, 5, 0x02, LINKREP_ERR_FLAGS);
	expect(good, n, 6, 1, LINKREP_ERR_FLAGS);	/* key id without HMAC */
	expect(good, n, 7, 5, LINKREP_ERR_ADDRESS);
	expect(good, n, 12, 1, LINKREP_ERR_ADDRESS);	/* IPv4 padding */
	expect(good, n, 29, 1, LINKREP_ERR_SECTION);	/* reserved byte of a section header */
	expect(good, n, 30, 1, LINKREP_ERR_SECTION);	/* body longer than the message */
	expect(good, n, 31, 0x5f, LINKREP_ERR_LINK);	/* body one short of its count */
	expect(good, n, 32, ' ', LINKREP_ERR_LINK);	/* port name starting with a blank */
	expect(good, n, 32 + 6, 'x', LINKREP_ERR_LINK);	/* junk after the name's end */
	expect(good, n, 32 + 36, 3, LINKREP_ERR_LINK);	/* count that does not match */
	expect(good, n, 32 + 37, 1, LINKREP_ERR_LINK);	/* reserved */
	expect(good, n, e0 + 0, 0, LINKREP_OK);		/* one byte of four: still nonzero */
	expect(good, n, e0 + 8, 4, LINKREP_ERR_ENTRY);	/* kind */
	expect(good, n, e0 + 8, 0, LINKREP_ERR_ENTRY);
	expect(good, n, e0 + 9, 4, LINKREP_ERR_ENTRY);	/* state */
	expect(good, n, e0 + 10, 2, LINKREP_ERR_ENTRY);	/* flags */
	expect(good, n, e0 + 11, 1, LINKREP_ERR_ENTRY);	/* reserved */
	expect(good, n, e0 + 28 + 23, 1, LINKREP_ERR_ENTRY);	/* echo count without the flag */
	expect_fill(good, n, e0, 4, 0, LINKREP_ERR_ENTRY);	/* a zero local discriminator */
	expect_fill(good, n, 32 + 24, 8, 0, LINKREP_ERR_LINK);	/* a hold without an echo */
	/* Truncated anywhere inside the section. */
	assert_int_equal(linkrep_decode(good, n - 1, NULL, &b), LINKREP_ERR_SECTION);
	assert_int_equal(linkrep_decode(good, LINKREP_HDR_LEN + 2, NULL, &b), LINKREP_ERR_SECTION);
	/* Too long a message. */
	assert_int_equal(linkrep_decode(good, LINKREP_MAX_LEN + 1, NULL, &b), LINKREP_ERR_LENGTH);
}

static void test_sections(void **state)
{
	struct linkrep r = sample(), b;
	uint8_t buf[LINKREP_MAX_LEN];
	size_t n, sec;

	(void)state;
	n = linkrep_encode(&r, NULL, buf, sizeof(buf));
	sec = n - LINKREP_HDR_LEN;
	/* A later version's section (type 9, 5 bytes) before and after: skipped. */
	memmove(buf + LINKREP_HDR_LEN + 9, buf + LINKREP_HDR_LEN, sec);
	memcpy(buf + LINKREP_HDR_LEN, "\x09\x00\x00\x05hello", 9);
	memcpy(buf + LINKREP_HDR_LEN + 9 + sec, "\x0a\x00\x00\x00", 4);
	n += 13;
	assert_int_equal(linkrep_decode(buf, n, NULL, &b), LINKREP_OK);
	assert_int_equal(b.skipped, 2);
	assert_true(b.has_link);
	assert_int_equal(b.link.e[0].received, 990);
	/* The link section twice. */
	n = linkrep_encode(&r, NULL, buf, sizeof(buf));
	memcpy(buf + n, buf + LINKREP_HDR_LEN, sec);
	assert_int_equal(linkrep_decode(buf, n + sec, NULL, &b), LINKREP_ERR_DUPLICATE);
}

static void test_encode_refuses(void **state)
{
	struct linkrep r = sample();
	uint8_t buf[LINKREP_MAX_LEN];

	(void)state;
	assert_int_equal(linkrep_encode(&r, NULL, buf, LINKREP_HDR_LEN + 10), 0);
	REFUSED(sample, bad.link.count = LINKREP_MAX_ENTRIES + 1);
	REFUSED(sample, bad.link.port[0] = '\0');
	REFUSED(sample, memset(bad.link.port, 'x', sizeof(bad.link.port)));	/* no room for the NUL */
	REFUSED(sample, bad.link.e[0].kind = 7);
	REFUSED(sample, bad.sender.family = 0);
	/* Echo values without the flag are not sent. */
	r.link.e[1].echo_sent = 5;
	assert_int_not_equal(linkrep_encode(&r, NULL, buf, sizeof(buf)), 0);
	assert_true(strcmp(linkrep_err_name(LINKREP_ERR_MAC), "bad_mac") == 0);
	assert_true(strcmp(linkrep_err_name(99), "?") == 0);
}

/* ---- section 2: node table ---- */

static void ip4(struct mr_addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	memcpy(a->bytes, "\x0a\x0a\x00", 3);
	a->bytes[3] = last;
}

static struct linkrep nodes_sample(void)
{
	struct linkrep r;
	struct linkrep_port *e;

	memset(&r, 0, sizeof(r));
	ip4(&r.sender, 1);
	r.seq = 0x0a0b0c0d;
	r.has_nodes = true;
	r.nodes.total = 3;
	r.nodes.first = 1;
	r.nodes.count = 2;
	r.nodes.lifetime_ms = 5000;
	e = &r.nodes.p[0];
	snprintf(e->port, sizeof(e->port), "fast1");
	snprintf(e->peer_port, sizeof(e->peer_port), "fast0");
	ip4(&e->node, 3);
	ip4(&e->expected, 2);
	e->state = LINKREP_NS_UP;
	e->since_ms = 0x0102030405ull;
	e->rtt_us = 45;
	e->jitter_us = 3;
	e->loss_to = 12;
	e->loss_from = LINKREP_NT_LOSS_UNKNOWN;
	e->flaps = 7;
	e->detect_us = 60000;
	e->last_detect_us = 59000;
	e = &r.nodes.p[1];
	snprintf(e->port, sizeof(e->port), "enp65s0f1");
	e->state = LINKREP_NS_NONE;
	e->since_ms = 1000;
	e->rtt_us = e->jitter_us = LINKREP_NT_UNKNOWN32;
	e->loss_to = e->loss_from = LINKREP_NT_LOSS_UNKNOWN;
	return r;
}

static const uint8_t nodes_layout[] =
	"mrLR\x01\x00\x00\x04"
	"\x0a\x0a\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x0a\x0b\x0c\x0d"
	/* node table section: type 2, body 8 + 2 x 100 = 208 */
	"\x02\x00\x00\xd0"
	"\x03\x01\x02\x00" "\x00\x00\x13\x88"
	/* entry 1 */
	"fast1\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"fast0\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x0a\x0a\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x0a\x0a\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x04\x04\x01\x00"
	"\x00\x00\x00\x01\x02\x03\x04\x05"
	"\x00\x00\x00\x2d" "\x00\x00\x00\x03"
	"\x00\x0c\xff\xff"
	"\x00\x00\x00\x07" "\x00\x00\xea\x60" "\x00\x00\xe6\x78"
	/* entry 2: no neighbour */
	"enp65s0f1\x00\x00\x00\x00\x00\x00\x00"
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x00\x00\x00\x00"
	"\x00\x00\x00\x00\x00\x00\x03\xe8"
	"\xff\xff\xff\xff" "\xff\xff\xff\xff"
	"\xff\xff\xff\xff"
	"\x00\x00\x00\x00" "\x00\x00\x00\x00" "\x00\x00\x00\x00";

static void test_nodes_roundtrip(void **state)
{
	struct linkrep r = nodes_sample(), b;
	uint8_t buf[LINKREP_MAX_LEN];
	size_t n;
	int i;

	(void)state;
	n = encodes_as(&r, nodes_layout, sizeof(nodes_layout) - 1, buf, &b);
	assert_int_equal(n, LINKREP_HDR_LEN + 4 + 8 + 2 * 100);
	assert_false(b.has_link);
	assert_true(b.has_nodes);
	assert_int_equal(b.nodes.total, 3);
	assert_int_equal(b.nodes.first, 1);
	assert_int_equal(b.nodes.count, 2);
	assert_int_equal(b.nodes.lifetime_ms, 5000);
	for (i = 0; i < 2; i++)
		assert_memory_equal(&b.nodes.p[i], &r.nodes.p[i], sizeof(r.nodes.p[i]));

	/* Beside a link section, which stays byte for byte what it was. */
	r.has_link = true;
	r.link = sample().link;
	n = linkrep_encode(&r, NULL, buf, sizeof(buf));
	assert_int_equal(n, LINKREP_HDR_LEN + 4 + 40 + 2 * 28 + 4 + 8 + 2 * 100);
	assert_memory_equal(buf + LINKREP_HDR_LEN, layout + LINKREP_HDR_LEN, 4 + 40 + 2 * 28);
	assert_int_equal(linkrep_decode(buf, n, NULL, &b), LINKREP_OK);
	assert_true(b.has_link && b.has_nodes);
	assert_int_equal(b.link.e[0].sent, 1000);
	assert_string_equal(b.nodes.p[0].peer_port, "fast0");
	/* The node table twice. */
	memcpy(buf + n, buf + n - (4 + 8 + 2 * 100), 4 + 8 + 2 * 100);
	assert_int_equal(linkrep_decode(buf, n + 4 + 8 + 2 * 100, NULL, &b),
			 LINKREP_ERR_DUPLICATE);
}

/* The largest table part: 13 entries of IPv6 nodes, signed, within LINKREP_MAX_LEN. */
static void test_nodes_size(void **state)
{
	struct auth_keyring kr;
	struct linkrep r = nodes_sample(), b;
	uint8_t buf[LINKREP_MAX_LEN + 200];
	size_t n;
	int i;

	(void)state;
	keys(&kr, "1 k\n");
	r.nodes.total = LINKREP_NT_MAX_TOTAL;
	r.nodes.first = LINKREP_NT_MAX_TOTAL - LINKREP_NT_MAX;
	r.nodes.count = LINKREP_NT_MAX;
	r.nodes.lifetime_ms = LINKREP_NT_MAX_LIFETIME_MS;
	for (i = 0; i < LINKREP_NT_MAX; i++) {
		struct linkrep_port *e = &r.nodes.p[i];

		*e = nodes_sample().nodes.p[0];
		memset(e->port, 'p', 15);
		e->port[15] = '\0';
		e->port[14] = (char)('a' + i);
		memset(e->peer_port, 'q', 15);
		e->peer_port[15] = '\0';
		e->node.family = e->expected.family = AF_INET6;
		memset(e->node.bytes, 0xfd, 16);
		memset(e->expected.bytes, 0xfe, 16);
	}
	n = linkrep_encode(&r, &kr, buf, sizeof(buf));
	assert_int_equal(n, LINKREP_HDR_LEN + 4 + 8 + LINKREP_NT_MAX * 100 + LINKREP_MAC_LEN);
	assert_true(n <= LINKREP_MAX_LEN);
	assert_int_equal(linkrep_decode(buf, n, &kr, &b), LINKREP_OK);
	assert_memory_equal(&b.nodes, &r.nodes, sizeof(r.nodes));
	/* One more does not exist on the wire. */
	r.nodes.count = LINKREP_NT_MAX + 1;
	r.nodes.first = 0;
	assert_int_equal(linkrep_encode(&r, &kr, buf, sizeof(buf)), 0);
	auth_keyring_clear(&kr);
}

static void nodes_expect(size_t off, uint8_t val, int want)
{
	struct linkrep r = nodes_sample();
	uint8_t good[LINKREP_MAX_LEN];
	size_t n = linkrep_encode(&r, NULL, good, sizeof(good));

	expect(good, n, off, val, want);
}

static void test_nodes_refused(void **state)
{
	const size_t t = LINKREP_HDR_LEN + 4, e1 = t + 8, e2 = e1 + 100;
	struct linkrep r = nodes_sample(), b;
	uint8_t buf[LINKREP_MAX_LEN];
	size_t n;

	(void)state;
	nodes_expect(t + 0, LINKREP_NT_MAX_TOTAL + 1, LINKREP_ERR_NODES);	/* total */
	nodes_expect(t + 0, 2, LINKREP_ERR_NODES);	/* first + count beyond total */
	nodes_expect(t + 1, 2, LINKREP_ERR_NODES);
	nodes_expect(t + 2, 1, LINKREP_ERR_NODES);	/* count against the length */
	nodes_expect(t + 3, 1, LINKREP_ERR_NODES);	/* reserved */
	nodes_expect(t + 6, 0, LINKREP_OK);		/* lifetime 0x0088 = 136 ms */
	nodes_expect(t + 4, 1, LINKREP_ERR_NODES);	/* lifetime above 60 s */
	nodes_expect(e1 + 0, ' ', LINKREP_ERR_NODE);	/* port name */
	nodes_expect(e1 + 0, 0, LINKREP_ERR_NODE);	/* empty port name */
	nodes_expect(e1 + 16 + 7, 'x', LINKREP_ERR_NODE);	/* junk after the peer port */
	nodes_expect(e1 + 32 + 5, 1, LINKREP_ERR_NODE);	/* IPv4 padding of node */
	nodes_expect(e1 + 48 + 15, 1, LINKREP_ERR_NODE);	/* ... of expected */
	nodes_expect(e1 + 64, 5, LINKREP_ERR_NODE);	/* family */
	nodes_expect(e1 + 64, 6, LINKREP_OK);		/* IPv6 node: nonzero, fine */
	nodes_expect(e1 + 64, 0, LINKREP_ERR_NODE);	/* no node, but an address and state */
	nodes_expect(e1 + 65, 0, LINKREP_ERR_NODE);	/* node without expected */
	nodes_expect(e1 + 66, LINKREP_NS_MAX, LINKREP_ERR_NODE);	/* state */
	nodes_expect(e1 + 66, LINKREP_NS_NONE, LINKREP_ERR_NODE);	/* none with a node */
	nodes_expect(e1 + 66, LINKREP_NS_LOSSY, LINKREP_OK);
	nodes_expect(e1 + 67, 1, LINKREP_ERR_NODE);	/* reserved */
	nodes_expect(e1 + 84, 0x03, LINKREP_OK);	/* loss 0x030c = 780 per mille */
	nodes_expect(e1 + 84, 0x04, LINKREP_ERR_NODE);	/* 0x040c = 1036 */
	nodes_expect(e1 + 86, 0x03, LINKREP_ERR_NODE);	/* 0x03ff = 1023 */
	nodes_expect(e1 + 86, 0x00, LINKREP_OK);	/* 0x00ff = 255 */
	nodes_expect(e2 + 16, 'x', LINKREP_ERR_NODE);	/* a peer port without a node */
	nodes_expect(e2 + 66, LINKREP_NS_UP, LINKREP_ERR_NODE);	/* a state without a node */
	nodes_expect(e2 + 64, 4, LINKREP_ERR_NODE);	/* a family with a zero address */
	n = linkrep_encode(&r, NULL, buf, sizeof(buf));
	expect_fill(buf, n, t + 4, 4, 0, LINKREP_ERR_NODES);	/* lifetime 0 */
	/* Truncated in the table. */
	assert_int_equal(linkrep_decode(buf, n - 1, NULL, &b), LINKREP_ERR_SECTION);
	REFUSED(nodes_sample, bad.nodes.p[0].state = LINKREP_NS_NONE);	/* none beside a node */
	REFUSED(nodes_sample, bad.nodes.p[0].loss_to = 1001);
	REFUSED(nodes_sample, bad.nodes.lifetime_ms = 0);
	REFUSED(nodes_sample, memset(bad.nodes.p[1].port, 'x', sizeof(bad.nodes.p[1].port)));
	REFUSED(nodes_sample, bad.nodes.p[0].node.family = AF_UNIX);
	assert_string_equal(linkrep_err_name(LINKREP_ERR_NODE), "node");
	assert_string_equal(linkrep_err_name(LINKREP_ERR_NODES), "nodes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_plain),
		cmocka_unit_test(test_ipv6_and_empty),
		cmocka_unit_test(test_keyed),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_nodes_roundtrip),
		cmocka_unit_test(test_nodes_size),
		cmocka_unit_test(test_nodes_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
