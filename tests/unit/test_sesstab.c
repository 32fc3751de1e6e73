// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of sesstab.c over tables built as the daemon builds them:
 * alpha's fast ports p1 (ifindex 11) and p2 (12) and LAN eno1 (2), to
 * beta and gamma.  Which session a packet is for (by discriminator, then
 * from where; by source without one; padded bootstrap probes to the MTU
 * session), discriminators unique and never 0 or the bootstrap value, and
 * which old session a new one continues over a reload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mtu.h"
#include "net.h"
#include "sesstab.h"

#include "alpha_tables.h"

#define NOW MTIME_S(1000)

static struct mr_config cfg;
static struct mr_port ports[3];
static struct mr_sess sess[6], msess[4];
static struct sesstab tab;

/* alpha_tables.h's, and MTU sessions on p1 and p2 to beta and gamma. */
static int setup(void **state)
{
	int i, nm = 0;

	(void)state;
	tab = (struct sesstab){ .msess = msess };
	if (alpha_tables(&cfg, ports, &tab, sess, NOW) < 0)
		return -1;
	for (i = 0; i < 4; i++) {
		struct sess_spec sp = {
			.cfg = &cfg, .self = ALPHA, .peer = i % 2 ? GAMMA : BETA,
			.port = &ports[i / 2], .mtu = true,
		};

		sesstab_new(&tab, &sp, msess, &nm, NOW);
	}
	tab.nmsess = nm;
	return 0;
}

/* A packet from node on ifindex, Your Discriminator your (0: none), padded or not. */
static void packet(int node, int ifindex, uint32_t your, bool padded, struct net_msg *m,
		   struct bfd_packet *p)
{
	memset(m, 0, sizeof(*m));
	memset(p, 0, sizeof(*p));
	m->src = cfg.nodes[node].addr4;
	m->ifindex = ifindex;
	p->length = 24;
	m->len = padded ? 1472 : 24;
	p->your_discr = your;
	p->my_discr = 77;
}

static void test_new(void **state)
{
	int i, k;

	(void)state;
	assert_int_equal(tab.nsess, 6);
	assert_int_equal(tab.nmsess, 4);
	for (i = 0; i < 6; i++) {
		assert_int_equal(sess[i].fd, -1);
		assert_false(sess[i].mtu);
		assert_int_equal(sess[i].loss_permille, -1);
		assert_true(mr_addr_eq(&sess[i].local, &cfg.nodes[ALPHA].addr4));
	}
	/* LAN sessions run the LAN's timers. */
	assert_int_equal(sess[4].bfd.params.desired_min_tx_us, cfg.lan_interval_us);
	assert_int_equal(sess[0].bfd.params.desired_min_tx_us, cfg.interval_us);
	/* MTU sessions: AdminDown until their port probes, with the MTU timers. */
	for (i = 0; i < 4; i++) {
		assert_true(msess[i].mtu);
		assert_int_equal(msess[i].bfd.state, BFD_STATE_ADMIN_DOWN);
		assert_int_equal(msess[i].bfd.params.desired_min_tx_us, mtu_interval(&cfg));
	}
	/* Every discriminator unique across both tables, never 0 or the bootstrap value. */
	for (i = 0; i < 10; i++) {
		const struct mr_sess *a = i < 6 ? &sess[i] : &msess[i - 6];

		assert_true(a->bfd.local_discr != 0 && a->bfd.local_discr != MTU_BOOTSTRAP_DISCR);
		for (k = i + 1; k < 10; k++)
			assert_true(a->bfd.local_discr !=
				    (k < 6 ? sess[k].bfd.local_discr : msess[k - 6].bfd.local_discr));
	}
}

/* With the daemon's prefix (the receive filter's): every new discriminator carries it. */
static void test_prefix(void **state)
{
	struct sess_spec sp = { .cfg = &cfg, .self = ALPHA, .peer = BETA, .port = &ports[0] };
	struct mr_sess extra[1];
	int n = 0;

	(void)state;
	tab.discr_prefix = 0xabcd;
	sesstab_new(&tab, &sp, extra, &n, NOW);
	assert_int_equal(extra[0].bfd.local_discr >> 16, 0xabcd);
	assert_int_equal(sesstab_new_discr(&tab, extra, n) >> 16, 0xabcd);
}

static void test_demux(void **state)
{
	struct net_msg m;
	struct bfd_packet p;
	int miss = 0;

	(void)state;
	/* Ours, from the right port and peer. */
	packet(BETA, 12, sess[2].bfd.local_discr, false, &m, &p);
	assert_ptr_equal(sesstab_demux(&tab, &m, &p, &miss), &sess[2]);
	/* Ours, but from another port (a moved cable), or another peer. */
	packet(BETA, 11, sess[2].bfd.local_discr, false, &m, &p);
	assert_null(sesstab_demux(&tab, &m, &p, &miss));
	assert_int_equal(miss, SESSTAB_WRONG_PORT);
	packet(GAMMA, 12, sess[2].bfd.local_discr, false, &m, &p);
	assert_null(sesstab_demux(&tab, &m, &p, &miss));
	assert_int_equal(miss, SESSTAB_WRONG_PORT);
	/* Nobody's discriminator. */
	packet(BETA, 12, 12345, false, &m, &p);
	assert_null(sesstab_demux(&tab, &m, &p, &miss));
	assert_int_equal(miss, SESSTAB_NO_SESSION);
	/* None yet: by port and source. */
	packet(GAMMA, 2, 0, false, &m, &p);
	assert_ptr_equal(sesstab_demux(&tab, &m, &p, &miss), &sess[5]);
	packet(GAMMA, 99, 0, false, &m, &p);
	assert_null(sesstab_demux(&tab, &m, &p, &miss));
	assert_int_equal(miss, SESSTAB_NO_SESSION);
	/* An MTU session's discriminator, padded or not. */
	packet(GAMMA, 11, msess[1].bfd.local_discr, true, &m, &p);
	assert_ptr_equal(sesstab_demux(&tab, &m, &p, &miss), &msess[1]);
	/* A padded probe that does not know our MTU session yet: by source among MTU sessions. */
	packet(BETA, 12, MTU_BOOTSTRAP_DISCR, true, &m, &p);
	assert_ptr_equal(sesstab_demux(&tab, &m, &p, &miss), &msess[2]);
	/* The bootstrap value unpadded is nobody's. */
	packet(BETA, 12, MTU_BOOTSTRAP_DISCR, false, &m, &p);
	assert_null(sesstab_demux(&tab, &m, &p, &miss));
}

/* With the index: every session found by its discriminator, others not; demux as without. */
static void test_index(void **state)
{
	struct sesstab_index x = { NULL, 0 };
	struct net_msg m;
	struct bfd_packet p;
	int i, miss = 0;

	(void)state;
	assert_int_equal(sesstab_index_build(&x, &tab), 0);
	tab.index = &x;
	for (i = 0; i < 6; i++)
		assert_ptr_equal(sesstab_by_discr(&tab, sess[i].bfd.local_discr), &sess[i]);
	for (i = 0; i < 4; i++)
		assert_ptr_equal(sesstab_by_discr(&tab, msess[i].bfd.local_discr), &msess[i]);
	assert_null(sesstab_by_discr(&tab, 12345));
	assert_null(sesstab_by_discr(&tab, 0));
	packet(BETA, 12, sess[2].bfd.local_discr, false, &m, &p);
	assert_ptr_equal(sesstab_demux(&tab, &m, &p, &miss), &sess[2]);
	packet(BETA, 11, msess[2].bfd.local_discr, true, &m, &p);
	assert_null(sesstab_demux(&tab, &m, &p, &miss));
	assert_int_equal(miss, SESSTAB_WRONG_PORT);
	sesstab_index_free(&x);
	assert_int_equal(x.mask, 0);
}

/* Reload: same port, peer and addresses carry on; taken ones and changed addresses do not. */
static void test_match(void **state)
{
	struct mr_config ncfg;
	struct sess_spec sp = { .cfg = &ncfg, .self = 1, .peer = 0, .fam = 0 };
	bool carried[6] = { false }, mcarried[4] = { false };

	(void)state;
	/* The new file lists gamma first and alpha second: indexes move, names stay. */
	assert_int_equal(config_load_string("n.conf",
					    "[node gamma]\naddress = 10.0.0.3\nlan = eno1\nfast = p1\n"
					    "[node alpha]\naddress = 10.0.0.1\nlan = eno1\nfast = p1\n"
					    "[node beta]\naddress = 10.0.0.22\nlan = eno1\nfast = p1\n",
					    &ncfg, stderr), 0);
	assert_ptr_equal(sesstab_match(sess, 6, carried, &cfg, &sp, &ports[0]), &sess[1]);
	assert_ptr_equal(sesstab_match(sess, 6, carried, &cfg, &sp, &ports[2]), &sess[5]);
	/* Already carried. */
	carried[1] = true;
	assert_null(sesstab_match(sess, 6, carried, &cfg, &sp, &ports[0]));
	/* beta's address changed: a new session. */
	sp.peer = 2;
	assert_null(sesstab_match(sess, 6, carried, &cfg, &sp, &ports[1]));
	/* MTU sessions the same way. */
	sp.peer = 0;
	assert_ptr_equal(sesstab_match(msess, 4, mcarried, &cfg, &sp, &ports[1]), &msess[3]);
}

/* The receive filter's list: every session's discriminator of the family, regular and MTU, once. */
static void test_discrs(void **state)
{
	uint32_t *v;
	int n, i, j, k;

	(void)state;
	n = sesstab_discrs(&tab, AF_INET, &v);
	assert_int_equal(n, tab.nsess + tab.nmsess);
	for (i = 0; i < n; i++) {
		k = 0;
		for (j = 0; j < tab.nsess; j++)
			k += sess[j].bfd.local_discr == v[i];
		for (j = 0; j < tab.nmsess; j++)
			k += msess[j].bfd.local_discr == v[i];
		assert_int_equal(k, 1);
	}
	free(v);
	/* No IPv6 address in the config: no IPv6 session. */
	n = sesstab_discrs(&tab, AF_INET6, &v);
	assert_int_equal(n, 0);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_new, setup),
		cmocka_unit_test_setup(test_demux, setup),
		cmocka_unit_test_setup(test_prefix, setup),
		cmocka_unit_test_setup(test_index, setup),
		cmocka_unit_test_setup(test_match, setup),
		cmocka_unit_test_setup(test_discrs, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
