/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake of nl.h's route and rule calls for unit tests that run without
 * root: a small in-memory kernel (routes of our protocol per table, policy
 * rules) that answers as the kernel does where nl.h's contract says so
 * (replace creates or replaces, a delete of an absent route is -ESRCH, an
 * absent rule -ENOENT, no unreachable route in the main table, no IPv6
 * device-only multipath unless it has nexthop objects: ipv6_multipath),
 * with a knob to make the next write fail.
 *
 * It is linked instead of nl.o (an object before libmeshroute.a): a test
 * whose code calls an nl function the fake lacks pulls nl.o from the
 * archive and fails to link with duplicate symbols, so nothing can reach
 * the real kernel by accident.  The struct nl pointer is not looked at.
 */
#ifndef MR_FAKE_NL_H
#define MR_FAKE_NL_H

#include "nl.h"

#define FAKE_NL_MAX 64

struct fake_nl {
	struct nl_route_req routes[FAKE_NL_MAX];	/* the kernel's routes of our protocol */
	int nroutes;
	struct nl_rule_req rules[FAKE_NL_MAX];
	int nrules;
	int fail_next;		/* -errno: the next route or rule write returns it, then 0 again */
	int writes;		/* route writes that reached the "kernel" (replace and delete) */
	int dump_fail;		/* -errno: dumps return it while set */
	bool ipv6_multipath;	/* nexthop objects: IPv6 routes over several ports (off by default) */
};

extern struct fake_nl fake_nl;

/* Empties the kernel and the counters. */
void fake_nl_reset(void);

/* The route to dst (family-sized) in table, NULL if none; with several (metrics), the first. */
const struct nl_route_req *fake_nl_route(uint32_t table, int family, const uint8_t *dst);

/* The rule of that table with iif ifname ("" for none), NULL if none. */
const struct nl_rule_req *fake_nl_rule(uint32_t table, const char *ifname);

/* A handle to pass where a struct nl * is wanted. */
#define FAKE_NL ((struct nl *)&fake_nl)

#endif
