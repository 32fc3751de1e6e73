// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of mtu.c: when a port probes, probe sizes, the verdict and the path gate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "config.h"
#include "mtu.h"

#define T0 MTIME_S(1000)
#define GRACE MTIME_MS(1200)

static void test_probe_wanted(void **state)
{
	(void)state;
	/* auto: jumbo ports only, and a port that had a jumbo MTU keeps probing */
	assert_false(mtu_probe_wanted(MR_MTU_PROBE_AUTO, 1500, false));
	assert_true(mtu_probe_wanted(MR_MTU_PROBE_AUTO, 1501, false));
	assert_true(mtu_probe_wanted(MR_MTU_PROBE_AUTO, 9000, false));
	assert_true(mtu_probe_wanted(MR_MTU_PROBE_AUTO, 1500, true));
	/* an MTU not known yet: nothing to pad to */
	assert_false(mtu_probe_wanted(MR_MTU_PROBE_AUTO, 0, true));
	assert_false(mtu_probe_wanted(MR_MTU_PROBE_ON, 0, false));
	assert_true(mtu_probe_wanted(MR_MTU_PROBE_ON, 1500, false));
	assert_true(mtu_probe_wanted(MR_MTU_PROBE_ON, 1280, false));
	assert_false(mtu_probe_wanted(MR_MTU_PROBE_OFF, 9000, true));
	assert_false(mtu_probe_wanted(99, 9000, true));
}

static void test_bootstrap_discr(void **state)
{
	(void)state;
	assert_int_equal(mtu_your_discr(0), MTU_BOOTSTRAP_DISCR);
	assert_int_equal(mtu_your_discr(1234), 1234);
	/* regular packets: by source with 0 only, padded (RFC 9764 peers) or not */
	assert_true(mtu_demux_by_source(0, false));
	assert_false(mtu_demux_by_source(1234, false));
	assert_false(mtu_demux_by_source(MTU_BOOTSTRAP_DISCR, false));
	/* padded: the MTU session's bootstrap by source, a real discriminator by it */
	assert_true(mtu_demux_by_source(MTU_BOOTSTRAP_DISCR, true));
	assert_false(mtu_demux_by_source(1234, true));
	assert_false(mtu_demux_by_source(0, true));
}

static void test_sizes(void **state)
{
	(void)state;
	/* IP packet exactly the MTU: 20 + 8 (IPv4), 40 + 8 (IPv6) of headers */
	assert_int_equal(mtu_payload_len(AF_INET, 9000, 24), 8972);
	assert_int_equal(mtu_payload_len(AF_INET6, 9000, 24), 8952);
	assert_int_equal(mtu_payload_len(AF_INET, 1500, 52), 1472);
	assert_int_equal(mtu_ip_size(AF_INET, 8972), 9000);
	assert_int_equal(mtu_ip_size(AF_INET6, 1452), 1500);
	/* too small to hold the BFD packet: no padded probe at all */
	assert_int_equal(mtu_payload_len(AF_INET, 51, 24), 0);
	assert_int_equal(mtu_payload_len(AF_INET, 52, 24), 24);
	assert_int_equal(mtu_payload_len(AF_INET6, 60, 24), 0);
}

static struct mtu_input input(bool reg_up, bool mtu_up)
{
	struct mtu_input in = {
		.probe = true, .reg_up = reg_up, .reg_up_since = reg_up ? T0 : 0,
		.mtu_up = mtu_up, .mtu_up_since = mtu_up ? T0 + MTIME_MS(250) : 0,
		.grace = GRACE,
	};

	return in;
}

static void test_judge(void **state)
{
	struct mtu_input in;
	mtime_t re;

	(void)state;
	in = input(true, true);
	in.probe = false;
	assert_int_equal(mtu_judge(&in, T0, &re), MTU_OFF);
	assert_true(re == MTIME_NEVER);
	in = input(false, false);
	assert_int_equal(mtu_judge(&in, T0, &re), MTU_UNKNOWN);
	/* an MTU session Up over a dead regular one proves nothing about the link */
	in = input(false, true);
	assert_int_equal(mtu_judge(&in, T0, &re), MTU_UNKNOWN);
	in = input(true, true);
	assert_int_equal(mtu_judge(&in, T0 + MTIME_MS(300), &re), MTU_OK);
	assert_true(re == MTIME_NEVER);
	/* bring-up: pending for the grace, then failed by itself */
	in = input(true, false);
	assert_int_equal(mtu_judge(&in, T0 + MTIME_MS(100), &re), MTU_PENDING);
	assert_true(re == T0 + GRACE);
	assert_int_equal(mtu_judge(&in, T0 + GRACE - 1, &re), MTU_PENDING);
	assert_int_equal(mtu_judge(&in, T0 + GRACE, &re), MTU_FAILED);
	assert_true(re == MTIME_NEVER);
	/* lost while the regular session stayed Up: failed at once, no grace */
	in.mtu_lost_at = T0 + MTIME_MS(500);
	assert_int_equal(mtu_judge(&in, T0 + MTIME_MS(500), &re), MTU_FAILED);
	/* lost before the regular session's bring-up: a new grace */
	in.mtu_lost_at = T0 - MTIME_S(5);
	assert_int_equal(mtu_judge(&in, T0 + MTIME_MS(500), &re), MTU_PENDING);
	/* probing switched on (or resumed by the peer) on a link Up for long: grace from then */
	in.mtu_lost_at = 0;
	in.probe_since = T0 + MTIME_S(60);
	assert_int_equal(mtu_judge(&in, T0 + MTIME_S(60) + 1, &re), MTU_PENDING);
	assert_true(re == T0 + MTIME_S(60) + GRACE);
	assert_int_equal(mtu_judge(&in, T0 + MTIME_S(60) + GRACE, &re), MTU_FAILED);
}

static void test_gate(void **state)
{
	struct mtu_input in;
	bool up;
	mtime_t since;

	(void)state;
	/* both Up: hold-down counts from the later of the two */
	in = input(true, true);
	up = true, since = T0;
	mtu_gate(&in, T0 + MTIME_MS(300), false, &up, &since);
	assert_true(up);
	assert_true(since == T0 + MTIME_MS(250));
	/* the MTU session came Up first (a regular flap): the regular one counts */
	in.mtu_up_since = T0 - MTIME_S(60);
	up = true, since = T0;
	mtu_gate(&in, T0 + MTIME_MS(300), false, &up, &since);
	assert_true(up && since == T0);
	/* MTU session not Up: the port carries nothing to the peer */
	in = input(true, false);
	up = true, since = T0;
	mtu_gate(&in, T0 + MTIME_MS(300), false, &up, &since);
	assert_false(up);
	assert_true(since == 0);
	/* not probing: the regular session alone decides */
	in.probe = false;
	up = true, since = T0;
	mtu_gate(&in, T0 + MTIME_MS(300), false, &up, &since);
	assert_true(up && since == T0);
	/* a port in service keeps its traffic while pending, not once failed */
	in = input(true, false);
	up = true, since = T0;
	mtu_gate(&in, T0 + GRACE - 1, true, &up, &since);
	assert_true(up && since == T0);
	mtu_gate(&in, T0 + GRACE, true, &up, &since);
	assert_false(up);
	/* ... nor once the MTU session was lost */
	in.mtu_lost_at = T0 + MTIME_MS(100);
	up = true, since = T0;
	mtu_gate(&in, T0 + MTIME_MS(200), true, &up, &since);
	assert_false(up);
	/* regular Down stays Down */
	in = input(false, true);
	up = false, since = 0;
	mtu_gate(&in, T0 + MTIME_MS(300), false, &up, &since);
	assert_false(up);
}

static void test_passes_and_diag(void **state)
{
	char buf[96];

	(void)state;
	assert_int_equal(mtu_passes_now(1500, T0, T0 + MTIME_MS(299), MTIME_MS(300)), 1500);
	/* at a timeout the last probe is a detection time old: it proves nothing */
	assert_int_equal(mtu_passes_now(1500, T0, T0 + MTIME_MS(300), MTIME_MS(300)), 0);
	assert_int_equal(mtu_passes_now(0, T0, T0, MTIME_MS(300)), 0);
	assert_string_equal(mtu_diag(9000, 1500, buf, sizeof(buf)), "MTU 9000 not passing, 1500 does");
	assert_string_equal(mtu_diag(9000, 0, buf, sizeof(buf)),
			    "MTU 9000 not passing, small probes do");
	assert_string_equal(mtu_diag(9000, 9000, buf, sizeof(buf)),
			    "MTU 9000 not passing to the peer (its 9000-byte probes arrive)");
	assert_string_equal(mtu_verdict_name(MTU_FAILED), "failed");
	assert_string_equal(mtu_verdict_name(MTU_OK), "ok");
	assert_string_equal(mtu_verdict_name(MTU_VERDICT_MAX), "?");
	assert_string_equal(mtu_verdict_name(-1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_wanted),
		cmocka_unit_test(test_bootstrap_discr),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_gate),
		cmocka_unit_test(test_passes_and_diag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
