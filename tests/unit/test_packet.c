// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the BFD Control packet codec against hand-written byte vectors. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "packet.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Every 32-bit field gets distinct bytes, so a field read from the wrong
 * offset or in the wrong byte order shows up as a wrong value.
 */
#define DISCRS 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08
#define DISCRS_YOUR0 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00
#define DISCRS_MY0 0x00, 0x00, 0x00, 0x00, 0x05, 0x06, 0x07, 0x08
#define INTERVALS 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc
/* byte0 = Vers|Diag, byte1 = Sta|P|F|C|A|D|M, Detect Mult, Length */
#define HDR(b0, b1, mult, len) b0, b1, mult, len, DISCRS, INTERVALS

#define WANT_IDS .version = 1, .my_discr = 0x01020304, .your_discr = 0x05060708, \
	.desired_min_tx_us = 0x11223344, .required_min_rx_us = 0x55667788, \
	.required_min_echo_rx_us = 0x99aabbcc
#define WANT_IDS_YOUR0 .version = 1, .my_discr = 0x01020304, .your_discr = 0, \
	.desired_min_tx_us = 0x11223344, .required_min_rx_us = 0x55667788, \
	.required_min_echo_rx_us = 0x99aabbcc

#define MD5_DIGEST 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, \
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf
#define SHA1_DIGEST 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, \
	0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3

struct decode_case {
	const char *name;
	uint8_t buf[BFD_MAX_PKT_LEN + 16];
	size_t len;		/* datagram size */
	int err;		/* expected enum bfd_decode_err */
	struct bfd_packet want;	/* compared when err is BFD_DECODE_OK */
};

/* Prints every field that differs as "name: field: expected X, got Y"; returns the count. */
static int packet_diff(const char *name, const struct bfd_packet *want,
		       const struct bfd_packet *got)
{
	int bad = 0;

#define CMP(field) do { \
	if ((unsigned long)want->field != (unsigned long)got->field) { \
		print_error("%s: %s: expected %#lx, got %#lx\n", name, #field, \
			    (unsigned long)want->field, (unsigned long)got->field); \
		bad++; \
	} \
} while (0)
#define CMPBYTES(field, n) do { \
	if (memcmp(want->field, got->field, (n)) != 0) { \
		print_error("%s: %s: bytes differ\n", name, #field); \
		bad++; \
	} \
} while (0)
	CMP(version);
	CMP(diag);
	CMP(state);
	CMP(poll);
	CMP(final);
	CMP(cpi);
	CMP(auth_present);
	CMP(demand);
	CMP(multipoint);
	CMP(detect_mult);
	CMP(length);
	CMP(my_discr);
	CMP(your_discr);
	CMP(desired_min_tx_us);
	CMP(required_min_rx_us);
	CMP(required_min_echo_rx_us);
	if (want->auth_present) {
		CMP(auth.type);
		CMP(auth.len);
		CMP(auth.key_id);
		if (want->auth.type == BFD_AUTH_SIMPLE) {
			CMP(auth.password_len);
			CMPBYTES(auth.password, want->auth.password_len);
		} else {
			CMP(auth.seq);
			CMPBYTES(auth.digest, sizeof(want->auth.digest));
		}
	}
#undef CMP
#undef CMPBYTES
	return bad;
}

static void run_decode_cases(const struct decode_case *cases, size_t n)
{
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		const struct decode_case *c = &cases[i];
		struct bfd_packet got;
		int err = bfd_decode(c->buf, c->len, &got);

		if (err != c->err) {
			print_error("%s: expected %s, got %s (%s)\n", c->name,
				    bfd_decode_errname(c->err), bfd_decode_errname(err),
				    bfd_decode_strerror(err));
			failed++;
			continue;
		}
		if (err == BFD_DECODE_OK && packet_diff(c->name, &c->want, &got))
			failed++;
	}
	if (failed)
		fail_msg("%d of %zu decode cases failed", failed, n);
}

/* One header field or flag bit at a time; every case must decode. */
static const struct decode_case field_cases[] = {
	{ "base, state Up", { HDR(0x20, 0xc0, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .detect_mult = 3, .length = 24 } },
	{ "state AdminDown", { HDR(0x20, 0x00, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_ADMIN_DOWN, .detect_mult = 3, .length = 24 } },
	{ "state Down", { HDR(0x20, 0x40, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_DOWN, .detect_mult = 3, .length = 24 } },
	{ "state Init", { HDR(0x20, 0x80, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_INIT, .detect_mult = 3, .length = 24 } },
	{ "diag 1 time-expired", { HDR(0x21, 0xc0, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .diag = 1, .state = BFD_STATE_UP, .detect_mult = 3, .length = 24 } },
	{ "diag 8 rev-concat", { HDR(0x28, 0xc0, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .diag = 8, .state = BFD_STATE_UP, .detect_mult = 3, .length = 24 } },
	{ "diag 31 reserved, version intact", { HDR(0x3f, 0xc0, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .diag = 31, .state = BFD_STATE_UP, .detect_mult = 3, .length = 24 } },
	{ "P alone", { HDR(0x20, 0xe0, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .poll = true, .detect_mult = 3, .length = 24 } },
	{ "F alone", { HDR(0x20, 0xd0, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .final = true, .detect_mult = 3, .length = 24 } },
	{ "C alone", { HDR(0x20, 0xc8, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .cpi = true, .detect_mult = 3, .length = 24 } },
	{ "D alone", { HDR(0x20, 0xc2, 3, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .demand = true, .detect_mult = 3, .length = 24 } },
	{ "A alone (simple, 1-byte password)",
	  { HDR(0x20, 0xc4, 3, 28), 0x01, 0x04, 0x07, 'x' }, 28, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3, .length = 28,
	    .auth = { .type = BFD_AUTH_SIMPLE, .len = 4, .key_id = 7, .password = "x",
		      .password_len = 1 } } },
	{ "Detect Mult 255", { HDR(0x20, 0xc0, 255, 24) }, 24, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .detect_mult = 255, .length = 24 } },
	{ "Your Discr 0 accepted in Down", { 0x20, 0x40, 3, 24, DISCRS_YOUR0, INTERVALS }, 24,
	  BFD_DECODE_OK,
	  { WANT_IDS_YOUR0, .state = BFD_STATE_DOWN, .detect_mult = 3, .length = 24 } },
	{ "Your Discr 0 accepted in AdminDown", { 0x20, 0x00, 3, 24, DISCRS_YOUR0, INTERVALS }, 24,
	  BFD_DECODE_OK,
	  { WANT_IDS_YOUR0, .state = BFD_STATE_ADMIN_DOWN, .detect_mult = 3, .length = 24 } },
	{ "A clear, trailing bytes beyond Length ignored",
	  { HDR(0x20, 0xc0, 3, 24), 0x01, 0x04, 0x07, 'x', 0xff, 0xff }, 30, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .detect_mult = 3, .length = 24 } },
	{ "A clear, Length 30 within a 30-byte datagram",
	  { HDR(0x20, 0xc0, 3, 30), 0, 0, 0, 0, 0, 0 }, 30, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .detect_mult = 3, .length = 30 } },
	{ "simple, 16-byte password",
	  { HDR(0x20, 0xc4, 3, 43), 0x01, 19, 0x02,
	    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p' },
	  43, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3, .length = 43,
	    .auth = { .type = BFD_AUTH_SIMPLE, .len = 19, .key_id = 2,
		      .password = "abcdefghijklmnop", .password_len = 16 } } },
	{ "keyed MD5",
	  { HDR(0x20, 0xc4, 3, 48), 0x02, 24, 0x05, 0x00, 0xde, 0xad, 0xbe, 0xef, MD5_DIGEST },
	  48, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3, .length = 48,
	    .auth = { .type = BFD_AUTH_KEYED_MD5, .len = 24, .key_id = 5, .seq = 0xdeadbeef,
		      .digest = { MD5_DIGEST } } } },
	{ "meticulous MD5, Reserved byte set (ignored)",
	  { HDR(0x20, 0xc4, 3, 48), 0x03, 24, 0x06, 0xff, 0x00, 0x00, 0x01, 0x02, MD5_DIGEST },
	  48, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3, .length = 48,
	    .auth = { .type = BFD_AUTH_MET_KEYED_MD5, .len = 24, .key_id = 6, .seq = 0x102,
		      .digest = { MD5_DIGEST } } } },
	{ "keyed SHA1",
	  { HDR(0x20, 0xc4, 3, 52), 0x04, 28, 0x09, 0x00, 0x12, 0x34, 0x56, 0x78, SHA1_DIGEST },
	  52, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3, .length = 52,
	    .auth = { .type = BFD_AUTH_KEYED_SHA1, .len = 28, .key_id = 9, .seq = 0x12345678,
		      .digest = { SHA1_DIGEST } } } },
	{ "meticulous SHA1, padding beyond Length",
	  { HDR(0x20, 0xc4, 3, 52), 0x05, 28, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, SHA1_DIGEST,
	    0xee, 0xee }, 54, BFD_DECODE_OK,
	  { WANT_IDS, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3, .length = 52,
	    .auth = { .type = BFD_AUTH_MET_KEYED_SHA1, .len = 28, .key_id = 0xff,
		      .seq = 0xffffffff, .digest = { SHA1_DIGEST } } } },
};

/* One §6.8.6 rule broken per case; every other field is valid. */
static const struct decode_case error_cases[] = {
	{ "empty datagram", { 0 }, 0, BFD_DECODE_SHORT, { 0 } },
	{ "23 bytes", { HDR(0x20, 0xc0, 3, 24) }, 23, BFD_DECODE_SHORT, { 0 } },
	{ "version 0", { HDR(0x00, 0xc0, 3, 24) }, 24, BFD_DECODE_VERSION, { 0 } },
	{ "version 2", { HDR(0x40, 0xc0, 3, 24) }, 24, BFD_DECODE_VERSION, { 0 } },
	{ "version 7", { HDR(0xe0, 0xc0, 3, 24) }, 24, BFD_DECODE_VERSION, { 0 } },
	{ "Length 0", { HDR(0x20, 0xc0, 3, 0) }, 24, BFD_DECODE_LENGTH, { 0 } },
	{ "Length 23", { HDR(0x20, 0xc0, 3, 23) }, 24, BFD_DECODE_LENGTH, { 0 } },
	{ "Length 25 > 24-byte datagram", { HDR(0x20, 0xc0, 3, 25) }, 24, BFD_DECODE_LENGTH,
	  { 0 } },
	{ "Length 255 > 52-byte datagram", { HDR(0x20, 0xc0, 3, 255) }, 52, BFD_DECODE_LENGTH,
	  { 0 } },
	{ "A bit, Length 24", { HDR(0x20, 0xc4, 3, 24), 0x01, 0x04, 0x07, 'x' }, 28,
	  BFD_DECODE_LENGTH, { 0 } },
	{ "A bit, Length 25", { HDR(0x20, 0xc4, 3, 25), 0x01, 0x04, 0x07, 'x' }, 28,
	  BFD_DECODE_LENGTH, { 0 } },
	{ "Detect Mult 0", { HDR(0x20, 0xc0, 0, 24) }, 24, BFD_DECODE_DETECT_MULT, { 0 } },
	{ "M bit alone", { HDR(0x20, 0xc1, 3, 24) }, 24, BFD_DECODE_MULTIPOINT, { 0 } },
	{ "My Discr 0", { 0x20, 0xc0, 3, 24, DISCRS_MY0, INTERVALS }, 24, BFD_DECODE_MY_DISCR,
	  { 0 } },
	{ "Your Discr 0 in Init", { 0x20, 0x80, 3, 24, DISCRS_YOUR0, INTERVALS }, 24,
	  BFD_DECODE_YOUR_DISCR, { 0 } },
	{ "Your Discr 0 in Up", { 0x20, 0xc0, 3, 24, DISCRS_YOUR0, INTERVALS }, 24,
	  BFD_DECODE_YOUR_DISCR, { 0 } },
	{ "first broken rule wins: version before Detect Mult", { HDR(0x40, 0xc1, 0, 24) }, 24,
	  BFD_DECODE_VERSION, { 0 } },
	{ "auth type 0 (Reserved)", { HDR(0x20, 0xc4, 3, 28), 0x00, 0x04, 0x07, 'x' }, 28,
	  BFD_DECODE_AUTH, { 0 } },
	{ "auth type 6 (unassigned)",
	  { HDR(0x20, 0xc4, 3, 48), 0x06, 24, 0x05, 0x00, 0, 0, 0, 1, MD5_DIGEST }, 48,
	  BFD_DECODE_AUTH, { 0 } },
	{ "auth type 255", { HDR(0x20, 0xc4, 3, 28), 0xff, 0x04, 0x07, 'x' }, 28,
	  BFD_DECODE_AUTH, { 0 } },
	{ "simple, Auth Len 3 (empty password)", { HDR(0x20, 0xc4, 3, 28), 0x01, 0x03, 0x07, 'x' },
	  28, BFD_DECODE_AUTH, { 0 } },
	{ "simple, Auth Len 2", { HDR(0x20, 0xc4, 3, 26), 0x01, 0x02 }, 26, BFD_DECODE_AUTH,
	  { 0 } },
	{ "simple, Auth Len 20 (17-byte password)",
	  { HDR(0x20, 0xc4, 3, 44), 0x01, 20, 0x02,
	    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q' },
	  44, BFD_DECODE_AUTH, { 0 } },
	{ "keyed MD5, Auth Len 23",
	  { HDR(0x20, 0xc4, 3, 48), 0x02, 23, 0x05, 0x00, 0, 0, 0, 1, MD5_DIGEST }, 48,
	  BFD_DECODE_AUTH, { 0 } },
	{ "meticulous MD5, Auth Len 28",
	  { HDR(0x20, 0xc4, 3, 52), 0x03, 28, 0x05, 0x00, 0, 0, 0, 1, SHA1_DIGEST }, 52,
	  BFD_DECODE_AUTH, { 0 } },
	{ "keyed SHA1, Auth Len 24",
	  { HDR(0x20, 0xc4, 3, 48), 0x04, 24, 0x05, 0x00, 0, 0, 0, 1, MD5_DIGEST }, 48,
	  BFD_DECODE_AUTH, { 0 } },
	{ "meticulous SHA1, Auth Len 29",
	  { HDR(0x20, 0xc4, 3, 52), 0x05, 29, 0x05, 0x00, 0, 0, 0, 1, SHA1_DIGEST }, 52,
	  BFD_DECODE_AUTH, { 0 } },
	{ "simple, Auth Len 8 > Length - 24",
	  { HDR(0x20, 0xc4, 3, 28), 0x01, 0x08, 0x07, 'a', 'b', 'c', 'd', 'e' }, 32,
	  BFD_DECODE_AUTH, { 0 } },
	{ "keyed MD5, Length 47 cuts the digest",
	  { HDR(0x20, 0xc4, 3, 47), 0x02, 24, 0x05, 0x00, 0, 0, 0, 1, MD5_DIGEST }, 48,
	  BFD_DECODE_AUTH, { 0 } },
	{ "keyed SHA1 in an MD5-sized packet",
	  { HDR(0x20, 0xc4, 3, 48), 0x04, 28, 0x05, 0x00, 0, 0, 0, 1, MD5_DIGEST }, 48,
	  BFD_DECODE_AUTH, { 0 } },
};

static void test_decode_fields(void **state __attribute__((unused)))
{
	run_decode_cases(field_cases, ARRAY_SIZE(field_cases));
}

static void test_decode_errors(void **state __attribute__((unused)))
{
	run_decode_cases(error_cases, ARRAY_SIZE(error_cases));
}

/* On error the Mandatory Section is still filled, so the caller can log what it dropped. */
static void test_decode_error_keeps_header(void **state __attribute__((unused)))
{
	static const uint8_t buf[] = { 0x23, 0xc0, 3, 24, DISCRS_YOUR0, INTERVALS };
	struct bfd_packet got;

	assert_int_equal(bfd_decode(buf, sizeof(buf), &got), BFD_DECODE_YOUR_DISCR);
	assert_int_equal(got.state, BFD_STATE_UP);
	assert_int_equal(got.diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(got.my_discr, 0x01020304);
}

/* Encoder output compared byte by byte with vectors written by hand. */
static void test_encode_vectors(void **state __attribute__((unused)))
{
	static const struct {
		const char *name;
		struct bfd_packet p;
		uint8_t want[BFD_MAX_PKT_LEN];
		size_t want_len;
	} cases[] = {
		{ "base with every flag but M",
		  { WANT_IDS, .diag = 8, .state = BFD_STATE_INIT, .poll = true, .final = true,
		    .cpi = true, .demand = true, .detect_mult = 5, .length = 99 },
		  { HDR(0x28, 0xba, 5, 24) }, 24 },
		{ "M bit, so test tools can craft it",
		  { WANT_IDS, .state = BFD_STATE_DOWN, .multipoint = true, .detect_mult = 1 },
		  { HDR(0x20, 0x41, 1, 24) }, 24 },
		{ "simple password",
		  { WANT_IDS, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3,
		    .auth = { .type = BFD_AUTH_SIMPLE, .key_id = 7, .password = "pw",
			      .password_len = 2 } },
		  { HDR(0x20, 0xc4, 3, 29), 0x01, 0x05, 0x07, 'p', 'w' }, 29 },
		{ "keyed MD5",
		  { WANT_IDS, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3,
		    .auth = { .type = BFD_AUTH_KEYED_MD5, .len = 24, .key_id = 5,
			      .seq = 0xdeadbeef, .digest = { MD5_DIGEST } } },
		  { HDR(0x20, 0xc4, 3, 48), 0x02, 24, 0x05, 0x00, 0xde, 0xad, 0xbe, 0xef,
		    MD5_DIGEST }, 48 },
		{ "meticulous SHA1",
		  { WANT_IDS, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3,
		    .auth = { .type = BFD_AUTH_MET_KEYED_SHA1, .key_id = 9, .seq = 0x12345678,
			      .digest = { SHA1_DIGEST } } },
		  { HDR(0x20, 0xc4, 3, 52), 0x05, 28, 0x09, 0x00, 0x12, 0x34, 0x56, 0x78,
		    SHA1_DIGEST }, 52 },
	};
	int failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t buf[BFD_MAX_PKT_LEN];
		size_t n = bfd_encode(&cases[i].p, buf, sizeof(buf));

		if (n != cases[i].want_len) {
			print_error("%s: expected %zu bytes, got %zu\n", cases[i].name,
				    cases[i].want_len, n);
			failed++;
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			if (buf[j] != cases[i].want[j]) {
				print_error("%s: byte %zu: expected 0x%02x, got 0x%02x\n",
					    cases[i].name, j, cases[i].want[j], buf[j]);
				failed++;
				break;
			}
		}
	}
	if (failed)
		fail_msg("%d encode vector(s) wrong", failed);
}

static void test_round_trip(void **state __attribute__((unused)))
{
	static const struct {
		const char *name;
		struct bfd_packet p;
	} cases[] = {
		{ "no auth, Down, Your Discr 0",
		  { .version = 1, .state = BFD_STATE_DOWN, .detect_mult = 3, .my_discr = 1,
		    .desired_min_tx_us = 1000000, .required_min_rx_us = 1000000 } },
		{ "no auth, Up, all flags, extreme values",
		  { .version = 1, .diag = BFD_DIAG_REV_CONCAT_DOWN, .state = BFD_STATE_UP,
		    .poll = true, .final = true, .cpi = true, .demand = true, .detect_mult = 255,
		    .my_discr = UINT32_MAX, .your_discr = 0x80000000,
		    .desired_min_tx_us = UINT32_MAX, .required_min_rx_us = 1,
		    .required_min_echo_rx_us = UINT32_MAX } },
		{ "simple, 1 byte",
		  { .version = 1, .state = BFD_STATE_INIT, .auth_present = true, .detect_mult = 3,
		    .my_discr = 2, .your_discr = 3,
		    .auth = { .type = BFD_AUTH_SIMPLE, .key_id = 1, .password = "z",
			      .password_len = 1 } } },
		{ "simple, 16 bytes",
		  { .version = 1, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3,
		    .my_discr = 2, .your_discr = 3,
		    .auth = { .type = BFD_AUTH_SIMPLE, .key_id = 255,
			      .password = "0123456789abcdef", .password_len = 16 } } },
		{ "keyed MD5",
		  { .version = 1, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3,
		    .my_discr = 2, .your_discr = 3,
		    .auth = { .type = BFD_AUTH_KEYED_MD5, .key_id = 4, .seq = 17,
			      .digest = { MD5_DIGEST } } } },
		{ "meticulous keyed MD5",
		  { .version = 1, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3,
		    .my_discr = 2, .your_discr = 3,
		    .auth = { .type = BFD_AUTH_MET_KEYED_MD5, .key_id = 4, .seq = UINT32_MAX,
			      .digest = { MD5_DIGEST } } } },
		{ "keyed SHA1",
		  { .version = 1, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3,
		    .my_discr = 2, .your_discr = 3,
		    .auth = { .type = BFD_AUTH_KEYED_SHA1, .key_id = 4, .seq = 0x01020304,
			      .digest = { SHA1_DIGEST } } } },
		{ "meticulous keyed SHA1",
		  { .version = 1, .state = BFD_STATE_UP, .auth_present = true, .detect_mult = 3,
		    .my_discr = 2, .your_discr = 3,
		    .auth = { .type = BFD_AUTH_MET_KEYED_SHA1, .key_id = 0, .seq = 0,
			      .digest = { SHA1_DIGEST } } } },
	};
	static const uint8_t auth_len[] = {
		[BFD_AUTH_KEYED_MD5] = 24, [BFD_AUTH_MET_KEYED_MD5] = 24,
		[BFD_AUTH_KEYED_SHA1] = 28, [BFD_AUTH_MET_KEYED_SHA1] = 28,
	};
	int failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct bfd_packet want = cases[i].p, got;
		uint8_t buf[BFD_MAX_PKT_LEN];
		size_t n = bfd_encode(&want, buf, sizeof(buf));
		int err;

		if (want.auth_present)
			want.auth.len = want.auth.type == BFD_AUTH_SIMPLE ?
				(uint8_t)(3 + want.auth.password_len) : auth_len[want.auth.type];
		want.length = (uint8_t)(BFD_HDR_LEN + (want.auth_present ? want.auth.len : 0));
		if (n != want.length) {
			print_error("%s: expected %u bytes, got %zu\n", cases[i].name,
				    want.length, n);
			failed++;
			continue;
		}
		err = bfd_decode(buf, n, &got);
		if (err != BFD_DECODE_OK) {
			print_error("%s: expected ok, got %s\n", cases[i].name,
				    bfd_decode_errname(err));
			failed++;
			continue;
		}
		if (packet_diff(cases[i].name, &want, &got))
			failed++;
	}
	if (failed)
		fail_msg("%d round trip(s) failed", failed);
}

/* A buffer one byte short is refused and left untouched; the exact size works. */
static void test_encode_too_small(void **state __attribute__((unused)))
{
	static const struct {
		const char *name;
		struct bfd_packet p;
		size_t need;
	} cases[] = {
		{ "no auth", { .state = BFD_STATE_DOWN, .detect_mult = 3, .my_discr = 1 }, 24 },
		{ "simple, 16 bytes",
		  { .state = BFD_STATE_DOWN, .detect_mult = 3, .my_discr = 1, .auth_present = true,
		    .auth = { .type = BFD_AUTH_SIMPLE, .password_len = 16 } }, 43 },
		{ "keyed MD5",
		  { .state = BFD_STATE_DOWN, .detect_mult = 3, .my_discr = 1, .auth_present = true,
		    .auth = { .type = BFD_AUTH_KEYED_MD5 } }, 48 },
		{ "keyed SHA1",
		  { .state = BFD_STATE_DOWN, .detect_mult = 3, .my_discr = 1, .auth_present = true,
		    .auth = { .type = BFD_AUTH_KEYED_SHA1 } }, 52 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t buf[BFD_MAX_PKT_LEN + 1];
		size_t n;

		memset(buf, 0xa5, sizeof(buf));
		n = bfd_encode(&cases[i].p, buf, cases[i].need - 1);
		if (n != 0)
			fail_msg("%s: cap %zu: expected 0, got %zu", cases[i].name,
				 cases[i].need - 1, n);
		for (size_t j = 0; j < sizeof(buf); j++)
			if (buf[j] != 0xa5)
				fail_msg("%s: byte %zu written into a too-small buffer",
					 cases[i].name, j);
		n = bfd_encode(&cases[i].p, buf, cases[i].need);
		if (n != cases[i].need)
			fail_msg("%s: cap %zu: expected %zu, got %zu", cases[i].name,
				 cases[i].need, cases[i].need, n);
		if (buf[cases[i].need] != 0xa5)
			fail_msg("%s: wrote past the encoded length", cases[i].name);
	}
}

static void test_encode_invalid(void **state __attribute__((unused)))
{
	static const struct {
		const char *name;
		struct bfd_packet p;
	} cases[] = {
		{ "state 4", { .state = 4, .detect_mult = 3, .my_discr = 1 } },
		{ "diag 32", { .diag = 32, .detect_mult = 3, .my_discr = 1 } },
		{ "A bit with auth type 0",
		  { .detect_mult = 3, .my_discr = 1, .auth_present = true,
		    .auth = { .type = BFD_AUTH_NONE } } },
		{ "A bit with auth type 6",
		  { .detect_mult = 3, .my_discr = 1, .auth_present = true, .auth = { .type = 6 } } },
		{ "simple, empty password",
		  { .detect_mult = 3, .my_discr = 1, .auth_present = true,
		    .auth = { .type = BFD_AUTH_SIMPLE, .password_len = 0 } } },
		{ "simple, 17-byte password",
		  { .detect_mult = 3, .my_discr = 1, .auth_present = true,
		    .auth = { .type = BFD_AUTH_SIMPLE, .password_len = 17 } } },
		{ "MD5 with Auth Len 28",
		  { .detect_mult = 3, .my_discr = 1, .auth_present = true,
		    .auth = { .type = BFD_AUTH_KEYED_MD5, .len = 28 } } },
		{ "simple, Auth Len disagrees with password",
		  { .detect_mult = 3, .my_discr = 1, .auth_present = true,
		    .auth = { .type = BFD_AUTH_SIMPLE, .len = 5, .password_len = 3 } } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t buf[BFD_MAX_PKT_LEN];
		size_t n = bfd_encode(&cases[i].p, buf, sizeof(buf));

		if (n != 0)
			fail_msg("%s: expected 0, got %zu", cases[i].name, n);
	}
}

/* The auth module writes its digest at the offset; decode must read it from the same place. */
static void test_digest_offset(void **state __attribute__((unused)))
{
	static const struct {
		uint8_t type;
		bool auth_present;
		size_t want_off, want_len;
	} cases[] = {
		{ BFD_AUTH_KEYED_MD5, true, 32, 16 },
		{ BFD_AUTH_MET_KEYED_MD5, true, 32, 16 },
		{ BFD_AUTH_KEYED_SHA1, true, 32, 20 },
		{ BFD_AUTH_MET_KEYED_SHA1, true, 32, 20 },
		{ BFD_AUTH_SIMPLE, true, 0, 0 },
		{ BFD_AUTH_KEYED_SHA1, false, 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct bfd_packet p = {
			.state = BFD_STATE_UP, .detect_mult = 3, .my_discr = 1, .your_discr = 2,
			.auth_present = cases[i].auth_present,
			.auth = { .type = cases[i].type, .password_len = 4 },
		}, got;
		uint8_t buf[BFD_MAX_PKT_LEN];
		size_t dlen = 99, off = bfd_auth_digest_offset(&p, &dlen);

		if (off != cases[i].want_off || dlen != cases[i].want_len)
			fail_msg("type %u: expected offset %zu len %zu, got %zu len %zu",
				 cases[i].type, cases[i].want_off, cases[i].want_len, off, dlen);
		assert_int_equal(bfd_auth_digest_offset(&p, NULL), cases[i].want_off);
		if (off == 0)
			continue;
		assert_int_not_equal(bfd_encode(&p, buf, sizeof(buf)), 0);
		assert_true(off + dlen == buf[3]);	/* the digest ends the packet */
		memset(buf + off, 0x5c, dlen);
		assert_int_equal(bfd_decode(buf, buf[3], &got), BFD_DECODE_OK);
		for (size_t j = 0; j < dlen; j++)
			assert_int_equal(got.auth.digest[j], 0x5c);
	}
}

/* RFC 9764: a large packet is the BFD packet plus zeros after Length. */
static void test_padded(void **state __attribute__((unused)))
{
	static uint8_t buf[9000];
	struct bfd_packet p = {
		.state = BFD_STATE_UP, .detect_mult = 3, .my_discr = 7, .your_discr = 9,
		.desired_min_tx_us = 100000, .required_min_rx_us = 100000,
	}, got;
	size_t len = bfd_encode(&p, buf, sizeof(buf));

	assert_int_equal(len, BFD_HDR_LEN);
	assert_int_equal(bfd_decode(buf, len, &got), BFD_DECODE_OK);
	assert_false(bfd_padded(&got, len));
	/* padded to a 9000-byte IPv4 packet: Length unchanged, the rest ignored */
	assert_int_equal(bfd_decode(buf, 8972, &got), BFD_DECODE_OK);
	assert_int_equal(got.length, BFD_HDR_LEN);
	assert_int_equal(got.my_discr, 7);
	assert_true(bfd_padded(&got, 8972));
	assert_true(bfd_padded(&got, len + 1));
}

static void test_names(void **state __attribute__((unused)))
{
	static const char *const states[] = { "AdminDown", "Down", "Init", "Up" };
	static const char *const diags[] = {
		"none", "time-expired", "echo-failed", "neighbor-down", "forwarding-reset",
		"path-down", "concat-path-down", "admin-down", "rev-concat-path-down",
	};
	static const char *const errnames[] = {
		"ok", "short", "version", "length", "detect_mult", "multipoint", "my_discr",
		"your_discr", "auth",
	};

	assert_int_equal(ARRAY_SIZE(errnames), BFD_DECODE_ERR_MAX);
	for (unsigned i = 0; i < ARRAY_SIZE(states); i++)
		assert_string_equal(bfd_state_name(i), states[i]);
	assert_string_equal(bfd_state_name(4), "?");
	assert_string_equal(bfd_state_name(UINT_MAX), "?");
	for (unsigned i = 0; i < ARRAY_SIZE(diags); i++)
		assert_string_equal(bfd_diag_name(i), diags[i]);
	assert_string_equal(bfd_diag_name(9), "?");
	assert_string_equal(bfd_diag_name(31), "?");
	assert_string_equal(bfd_diag_name(UINT_MAX), "?");

	for (int i = 0; i < BFD_DECODE_ERR_MAX; i++) {
		assert_string_equal(bfd_decode_errname(i), errnames[i]);
		/* Distinct texts, or the logs cannot tell two drops apart. */
		for (int j = 0; j < i; j++)
			assert_string_not_equal(bfd_decode_strerror(i), bfd_decode_strerror(j));
	}
	assert_string_equal(bfd_decode_errname(-1), "unknown");
	assert_string_equal(bfd_decode_errname(BFD_DECODE_ERR_MAX), "unknown");
	assert_string_equal(bfd_decode_strerror(-1), "unknown decode error");
	assert_string_equal(bfd_decode_strerror(BFD_DECODE_ERR_MAX), "unknown decode error");
	assert_string_equal(bfd_decode_strerror(INT_MAX), "unknown decode error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_fields),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_decode_error_keeps_header),
		cmocka_unit_test(test_encode_vectors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encode_too_small),
		cmocka_unit_test(test_encode_invalid),
		cmocka_unit_test(test_digest_offset),
		cmocka_unit_test(test_padded),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
