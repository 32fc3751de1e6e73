// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of rx.c's decisions on one datagram, without sockets: over
 * session tables built as the daemon builds them (alpha_tables.h), which
 * packet reaches which session's state machine (the env's deliver) and
 * which is dropped, counted under which reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rx.h"

#include "alpha_tables.h"

#define NOW MTIME_S(1000)

static struct mr_config cfg;
static struct mr_port ports[3];
static struct mr_sess sess[6];
static struct auth_keyring keys;
static struct log_ratelimit rl;
static struct rx rx;
static struct rx_env env;
static struct mr_sess *delivered;
static int ndelivered;

static void deliver(void *ctx, struct mr_sess *s, const struct bfd_output *out, mtime_t now)
{
	(void)ctx;
	(void)out;
	(void)now;
	delivered = s;
	ndelivered++;
}

static int setup(void **state)
{
	(void)state;
	memset(sess, 0, sizeof(sess));
	env = (struct rx_env){ .cfg = &cfg, .self = ALPHA, .keys = &keys, .rl = &rl,
			       .deliver = deliver };
	if (alpha_tables(&cfg, ports, &env.tab, sess, NOW) < 0)
		return -1;
	auth_keyring_clear(&keys);
	rx_init(&rx);
	delivered = NULL;
	ndelivered = 0;
	return 0;
}

/* A Down probe from node on ifindex with TTL ttl, Your Discriminator your (0: none). */
static void probe(int node, int ifindex, int ttl, uint32_t your, struct net_msg *m)
{
	struct bfd_packet p = {
		.version = 1, .state = BFD_STATE_DOWN, .detect_mult = 3, .length = 24,
		.my_discr = 77, .your_discr = your, .desired_min_tx_us = 1000000,
		.required_min_rx_us = 1000000,
	};

	memset(m, 0, sizeof(*m));
	m->src = cfg.nodes[node].addr4;
	m->ifindex = ifindex;
	m->ttl = ttl;
	m->rx_at = NOW;
	m->len = bfd_encode(&p, m->buf, sizeof(m->buf));
	assert_int_equal(m->len, 24);
}

static uint64_t dropped(void)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < MR_DROP_MAX; i++)
		n += rx.drops[i];
	return n;
}

/* Without Your Discriminator: by (ingress port, source); delivered and counted. */
static void test_delivered(void **state)
{
	struct net_msg m;

	(void)state;
	probe(GAMMA, 12, 255, 0, &m);
	rx_packet(&rx, &env, &m, NOW);
	assert_int_equal(ndelivered, 1);
	assert_ptr_equal(delivered, &sess[3]);
	assert_int_equal(sess[3].rx_packets, 1);
	assert_int_equal(dropped(), 0);
	/* With ours, on its port from its peer: the same session. */
	probe(GAMMA, 12, 255, sess[3].bfd.local_discr, &m);
	rx_packet(&rx, &env, &m, NOW);
	assert_int_equal(ndelivered, 2);
	assert_ptr_equal(delivered, &sess[3]);
}

/* RFC 5881 §5: a TTL other than 255 was routed to us; dropped before any session sees it. */
static void test_ttl(void **state)
{
	struct net_msg m;

	(void)state;
	probe(BETA, 11, 254, 0, &m);
	rx_packet(&rx, &env, &m, NOW);
	assert_int_equal(ndelivered, 0);
	assert_int_equal(rx.drops[MR_DROP_TTL], 1);
	assert_int_equal(dropped(), 1);
	assert_int_equal(sess[0].rx_packets, 0);
}

static void test_malformed(void **state)
{
	struct net_msg m;

	(void)state;
	probe(BETA, 11, 255, 0, &m);
	m.buf[0] = 0;	/* version 0 */
	rx_packet(&rx, &env, &m, NOW);
	assert_int_equal(ndelivered, 0);
	assert_int_equal(rx.drops[MR_DROP_DECODE], 1);
	assert_int_equal(rx.drop_decode[BFD_DECODE_VERSION], 1);
}

/* A discriminator of nobody's, or ours arriving on the wrong port: told apart. */
static void test_no_session_wrong_port(void **state)
{
	struct net_msg m;

	(void)state;
	probe(BETA, 11, 255, 0x12345678, &m);
	rx_packet(&rx, &env, &m, NOW);
	assert_int_equal(rx.drops[MR_DROP_NO_SESSION], 1);
	probe(BETA, 12, 255, sess[0].bfd.local_discr, &m);
	rx_packet(&rx, &env, &m, NOW);
	assert_int_equal(rx.drops[MR_DROP_WRONG_PORT], 1);
	/* From a stranger's address with no discriminator. */
	probe(BETA, 11, 255, 0, &m);
	m.src.bytes[3] = 99;
	rx_packet(&rx, &env, &m, NOW);
	assert_int_equal(rx.drops[MR_DROP_NO_SESSION], 2);
	assert_int_equal(ndelivered, 0);
}

/* Our session AdminDown discards what it gets, but the probe still counts for loss. */
static void test_admin_down(void **state)
{
	struct bfd_output out;
	struct net_msg m;

	(void)state;
	bfd_session_admin_down(&sess[0].bfd, BFD_DIAG_ADMIN_DOWN, NOW, &out);
	probe(BETA, 11, 255, 0, &m);
	rx_packet(&rx, &env, &m, NOW);
	assert_int_equal(ndelivered, 0);
	assert_int_equal(rx.drops[MR_DROP_ADMIN_DOWN], 1);
	assert_int_equal(sess[0].lrx.count, 1);
	assert_int_equal(sess[0].rx_packets, 0);
}

/* Authentication configured: a probe without its section is refused (RFC 5880 §6.8.6). */
static void test_auth_required(void **state)
{
	struct net_msg m;

	(void)state;
	keys.type = BFD_AUTH_KEYED_SHA1;
	keys.nkeys = 1;
	probe(BETA, 11, 255, 0, &m);
	rx_packet(&rx, &env, &m, NOW);
	auth_keyring_clear(&keys);
	assert_int_equal(ndelivered, 0);
	assert_int_equal(rx.drops[MR_DROP_AUTH], 1);
}

/* Read as they arrive: no deadline of its own; lazy: the next read. */
static void test_deadline(void **state)
{
	(void)state;
	assert_true(rx_next_deadline(&rx) == MTIME_NEVER);
	rx.lazy = true;
	rx.next_read = NOW + RX_LAZY_MAX;
	assert_true(rx_next_deadline(&rx) == NOW + RX_LAZY_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_delivered, setup),
		cmocka_unit_test_setup(test_ttl, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_no_session_wrong_port, setup),
		cmocka_unit_test_setup(test_admin_down, setup),
		cmocka_unit_test_setup(test_auth_required, setup),
		cmocka_unit_test_setup(test_deadline, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
