// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of advert.c: the relay advertisement codec, its HMAC, replay and expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "advert.h"

static struct advert sample(void)
{
	struct advert a;

	memset(&a, 0, sizeof(a));
	memcpy(a.sender, "\x0a\x0a\x00\x03", 4);
	a.seq = 0xfffffffe;
	a.lifetime_ms = 350;
	a.npeers = 2;
	memcpy(a.peers[0], "\x0a\x0a\x00\x01", 4);
	memcpy(a.peers[1], "\x0a\x0a\x00\x02", 4);
	return a;
}

static void keys(struct auth_keyring *kr, const char *text)
{
	if (auth_keyring_parse("k", text, BFD_AUTH_MET_KEYED_SHA1, kr, stderr) != 0)
		fail_msg("key ring %s does not parse", text);
}

static void test_roundtrip_plain(void **state)
{
	struct advert a = sample(), b;
	uint8_t buf[ADVERT_MAX_LEN];
	size_t n;

	(void)state;
	n = advert_encode(&a, NULL, buf, sizeof(buf));
	assert_int_equal(n, ADVERT_HDR_LEN + 8);
	/* The documented layout, byte for byte. */
	assert_memory_equal(buf, "mrRA\x01\x00\x02\x00\x0a\x0a\x00\x03\xff\xff\xff\xfe\x00\x00\x01\x5e"
			    "\x0a\x0a\x00\x01\x0a\x0a\x00\x02", n);
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_OK);
	assert_int_equal(b.seq, a.seq);
	assert_int_equal(b.lifetime_ms, 350);
	assert_int_equal(b.npeers, 2);
	assert_memory_equal(b.sender, a.sender, 4);
	assert_memory_equal(b.peers, a.peers, 8);
	/* An empty list is valid: "I reach no one directly". */
	a.npeers = 0;
	n = advert_encode(&a, NULL, buf, sizeof(buf));
	assert_int_equal(n, ADVERT_HDR_LEN);
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_OK);
	assert_int_equal(b.npeers, 0);
}

static void test_bounds(void **state)
{
	struct advert a = sample(), b;
	uint8_t buf[ADVERT_MAX_LEN + 8];
	size_t n;

	(void)state;
	a.npeers = ADVERT_MAX_PEERS;
	n = advert_encode(&a, NULL, buf, sizeof(buf));
	assert_int_equal(n, ADVERT_HDR_LEN + 4 * ADVERT_MAX_PEERS);
	assert_int_equal(advert_encode(&a, NULL, buf, n - 1), 0);	/* does not fit */
	a.npeers = ADVERT_MAX_PEERS + 1;
	assert_int_equal(advert_encode(&a, NULL, buf, sizeof(buf)), 0);
	a = sample();
	n = advert_encode(&a, NULL, buf, sizeof(buf));
	assert_int_equal(advert_decode(buf, ADVERT_HDR_LEN - 1, NULL, &b), ADVERT_ERR_LENGTH);
	assert_int_equal(advert_decode(buf, n - 1, NULL, &b), ADVERT_ERR_LENGTH);
	assert_int_equal(advert_decode(buf, n + 4, NULL, &b), ADVERT_ERR_LENGTH);
	buf[0] ^= 1;
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_ERR_MAGIC);
	buf[0] ^= 1;
	buf[4] = 2;
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_ERR_VERSION);
	buf[4] = 1;
	buf[5] = 0x80;
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_ERR_FLAGS);
	buf[5] = 0;
	buf[7] = 3;	/* a key id, but no HMAC */
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_ERR_FLAGS);
	buf[7] = 0;
	buf[6] = ADVERT_MAX_PEERS + 1;
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_ERR_COUNT);
	buf[6] = 2;
	memset(buf + 16, 0, 4);
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_ERR_LIFETIME);
	buf[17] = 0x01;	/* 65536 ms */
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_ERR_LIFETIME);
	buf[17] = 0;
	buf[19] = 1;
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_OK);
}

static void test_hmac(void **state)
{
	struct auth_keyring kr, other, none;
	struct advert a = sample(), b;
	uint8_t buf[ADVERT_MAX_LEN];
	size_t n;
	int i;

	(void)state;
	memset(&none, 0, sizeof(none));
	keys(&kr, "7 secret-one\n");
	n = advert_encode(&a, &kr, buf, sizeof(buf));
	assert_int_equal(n, ADVERT_HDR_LEN + 8 + ADVERT_MAC_LEN);
	assert_int_equal(buf[5], ADVERT_F_MAC);
	assert_int_equal(buf[7], 7);
	assert_int_equal(advert_decode(buf, n, &kr, &b), ADVERT_OK);
	assert_int_equal(b.key_id, 7);
	/* Both directions of a mismatch in configuration. */
	assert_int_equal(advert_decode(buf, n, NULL, &b), ADVERT_ERR_MAC_UNEXPECTED);
	assert_int_equal(advert_decode(buf, n, &none, &b), ADVERT_ERR_MAC_UNEXPECTED);
	{
		uint8_t plain[ADVERT_MAX_LEN];
		size_t pn = advert_encode(&a, NULL, plain, sizeof(plain));

		assert_int_equal(advert_decode(plain, pn, &kr, &b), ADVERT_ERR_MAC_MISSING);
	}
	/* Any changed byte, covered or MAC, fails. */
	for (i = 8; i < (int)n; i++) {
		buf[i] ^= 0x10;
		assert_int_equal(advert_decode(buf, n, &kr, &b), ADVERT_ERR_MAC);
		buf[i] ^= 0x10;
	}
	/* Rollover: a ring that also holds key 7 accepts it; one without it does not. */
	keys(&other, "9 secret-two\n7 secret-one\n");
	assert_int_equal(advert_decode(buf, n, &other, &b), ADVERT_OK);
	auth_keyring_clear(&other);
	keys(&other, "9 secret-two\n");
	assert_int_equal(advert_decode(buf, n, &other, &b), ADVERT_ERR_KEY);
	auth_keyring_clear(&other);
	keys(&other, "7 secret-other\n");
	assert_int_equal(advert_decode(buf, n, &other, &b), ADVERT_ERR_MAC);
	auth_keyring_clear(&other);
	auth_keyring_clear(&kr);
	assert_string_equal(advert_err_name(ADVERT_ERR_MAC), "bad_mac");
	assert_string_equal(advert_err_name(-1), "?");
}

/*
 * Advertisements signed by the meshrouted of commit 80c8ca2, whose
 * HMAC-SHA256 was OpenSSL's (HMAC(EVP_sha256())); the HMAC is now Nettle's,
 * and a neighbour still running the OpenSSL build must be believed. Each MAC
 * was also checked with Python's hmac module. The second key is RFC 4231's
 * test case 1 key (20 x 0x0b); the RFC's messages themselves are not
 * advertisements, and the HMAC is not exposed on its own.
 */
static const uint8_t old_build_7[60] = {
	0x6d, 0x72, 0x52, 0x41, 0x01, 0x01, 0x02, 0x07,
	0x0a, 0x0a, 0x00, 0x03, 0xff, 0xff, 0xff, 0xfe, 0x00, 0x00, 0x01, 0x5e,
	0x0a, 0x0a, 0x00, 0x01, 0x0a, 0x0a, 0x00, 0x02,
	0x3c, 0x4b, 0x2d, 0x0b, 0xdb, 0x29, 0x6e, 0xf7,
	0xca, 0xf4, 0x67, 0xe3, 0x7d, 0xdb, 0x7d, 0x02,
	0xe5, 0x55, 0x76, 0x46, 0x05, 0x52, 0x0b, 0x61,
	0x9b, 0x52, 0x89, 0x2e, 0x54, 0x6f, 0x96, 0x0b,
};
static const uint8_t old_build_200[68] = {
	0x6d, 0x72, 0x52, 0x41, 0x01, 0x01, 0x04, 0xc8,
	0xc0, 0xa8, 0x01, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xea, 0x60,
	0xc0, 0xa8, 0x01, 0x01, 0xc0, 0xa8, 0x01, 0x02, 0xc0, 0xa8, 0x01, 0x03,
	0xc0, 0xa8, 0x01, 0x04,
	0xcc, 0xce, 0x16, 0x84, 0xd6, 0xa7, 0x57, 0x41,
	0x78, 0xe1, 0x24, 0xc1, 0x14, 0xcf, 0x62, 0x0a,
	0x91, 0x3f, 0x66, 0x56, 0xc6, 0xa4, 0x04, 0x36,
	0xd2, 0x82, 0xce, 0xea, 0x0c, 0xc2, 0x95, 0xa8,
};

static void old_build_kat(const char *keyfile, const struct advert *a, const uint8_t *want,
			  size_t want_len)
{
	struct auth_keyring kr;
	struct advert b;
	uint8_t buf[ADVERT_MAX_LEN];
	size_t n, i;

	keys(&kr, keyfile);
	/* The old build's bytes are believed... */
	assert_int_equal(advert_decode(want, want_len, &kr, &b), ADVERT_OK);
	assert_int_equal(b.seq, a->seq);
	assert_int_equal(b.npeers, a->npeers);
	assert_memory_equal(b.peers, a->peers, 4 * (size_t)a->npeers);
	/* ...and encoding the same advertisement gives the same bytes. */
	n = advert_encode(a, &kr, buf, sizeof(buf));
	assert_int_equal(n, want_len);
	for (i = 0; i < n; i++)
		if (buf[i] != want[i])
			fail_msg("key file %s: byte %zu: expected %#04x, got %#04x", keyfile, i,
				 want[i], buf[i]);
	buf[n - 1] ^= 0x80;
	assert_int_equal(advert_decode(buf, n, &kr, &b), ADVERT_ERR_MAC);
	auth_keyring_clear(&kr);
}

static void test_hmac_known_answer_old_build(void **state)
{
	struct advert a = sample();

	(void)state;
	old_build_kat("7 secret-one\n", &a, old_build_7, sizeof(old_build_7));
	a.seq = 1;
	a.lifetime_ms = ADVERT_MAX_LIFETIME_MS;
	a.npeers = 4;
	memcpy(a.sender, "\xc0\xa8\x01\x05", 4);
	memcpy(a.peers[0], "\xc0\xa8\x01\x01", 4);
	memcpy(a.peers[1], "\xc0\xa8\x01\x02", 4);
	memcpy(a.peers[2], "\xc0\xa8\x01\x03", 4);
	memcpy(a.peers[3], "\xc0\xa8\x01\x04", 4);
	old_build_kat("200 hex:0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b\n", &a, old_build_200,
		      sizeof(old_build_200));
}

static void test_table_replay_and_expiry(void **state)
{
	struct advert_table t;
	mtime_t now = MTIME_S(10), life = MTIME_MS(350);
	bool changed;

	(void)state;
	advert_table_clear(&t);
	assert_int_equal(advert_table_next_expiry(&t), MTIME_NEVER);
	assert_int_equal(advert_table_update(&t, 2, 100, life, 1u << 1, now, &changed), ADVERT_ACCEPTED);
	assert_true(changed);
	assert_true(advert_table_reaches(&t, 2, 1, now));
	assert_false(advert_table_reaches(&t, 2, 0, now));
	/* The same or an older number is a replay while the entry lives. */
	assert_int_equal(advert_table_update(&t, 2, 100, life, 0, now + 1, &changed), ADVERT_REPLAY);
	assert_int_equal(advert_table_update(&t, 2, 99, life, 0, now + 1, &changed), ADVERT_REPLAY);
	assert_true(advert_table_reaches(&t, 2, 1, now + 1));
	/* Newer, same set: accepted, not a change, lifetime extended. */
	assert_int_equal(advert_table_update(&t, 2, 101, life, 1u << 1, now + 100, &changed),
			 ADVERT_ACCEPTED);
	assert_false(changed);
	assert_int_equal(advert_table_next_expiry(&t), now + 100 + life);
	/* Never stale: at its lifetime it stops counting, even before expire() runs. */
	assert_true(advert_table_reaches(&t, 2, 1, now + 100 + life - 1));
	assert_false(advert_table_reaches(&t, 2, 1, now + 100 + life));
	assert_false(advert_table_expire(&t, now + 100 + life - 1));
	assert_true(advert_table_expire(&t, now + 100 + life));
	assert_int_equal(advert_table_next_expiry(&t), MTIME_NEVER);
	/* A restarted sender starts lower: accepted once the old entry expired. */
	assert_int_equal(advert_table_update(&t, 2, 5, life, 1u << 3, now + MTIME_S(1), &changed),
			 ADVERT_ACCEPTED);
	assert_true(changed);
	assert_true(advert_table_reaches(&t, 2, 3, now + MTIME_S(1)));
	/* Serial arithmetic: 0xffffffff -> 0 is newer. */
	assert_int_equal(advert_table_update(&t, 4, 0xffffffff, life, 0, now, NULL), ADVERT_ACCEPTED);
	assert_int_equal(advert_table_update(&t, 4, 0, life, 1, now + 1, &changed), ADVERT_ACCEPTED);
	assert_true(changed);
	/* Out of range senders are refused, not stored. */
	assert_int_equal(advert_table_update(&t, MR_MAX_NODES, 1, life, 0, now, NULL), ADVERT_REPLAY);
	assert_false(advert_table_reaches(&t, -1, 0, now));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_plain),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_hmac_known_answer_old_build),
		cmocka_unit_test(test_table_replay_and_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
