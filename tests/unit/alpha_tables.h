/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fixture for the unit tests over session tables (test_sesstab,
 * test_rx): node alpha with fast ports p1 (ifindex 11) and p2 (12) and LAN
 * eno1 (2), to beta and gamma, and its regular sessions built as the daemon
 * builds them: (p1, beta), (p1, gamma), (p2, beta), (p2, gamma),
 * (eno1, beta), (eno1, gamma).
 */
#ifndef MR_TEST_ALPHA_TABLES_H
#define MR_TEST_ALPHA_TABLES_H

#include <stdio.h>
#include <string.h>

#include "sesstab.h"

#define ALPHA_CONF "[node alpha]\naddress = 10.0.0.1\nlan = eno1\nfast = p1 p2\n" \
		   "[node beta]\naddress = 10.0.0.2\nlan = eno1\nfast = p1 p2\n" \
		   "[node gamma]\naddress = 10.0.0.3\nlan = eno1\nfast = p1 p2\n"

enum { ALPHA, BETA, GAMMA };

/* cfg loaded, ports[3] named and numbered, sess[6] built into tab (its nsess set).  0 or -1. */
static inline int alpha_tables(struct mr_config *cfg, struct mr_port *ports, struct sesstab *tab,
			       struct mr_sess *sess, mtime_t now)
{
	static const char *const names[3] = { "p1", "p2", "eno1" };
	int i, n = 0;

	if (config_load_string("t.conf", ALPHA_CONF, cfg, stderr) != 0)
		return -1;
	memset(ports, 0, 3 * sizeof(*ports));
	for (i = 0; i < 3; i++) {
		snprintf(ports[i].name, sizeof(ports[i].name), "%s", names[i]);
		ports[i].ifindex = i < 2 ? 11 + i : 2;
		ports[i].lan = i == 2;
	}
	tab->sess = sess;
	for (i = 0; i < 6; i++) {
		struct sess_spec sp = {
			.cfg = cfg, .self = ALPHA, .peer = i % 2 ? GAMMA : BETA,
			.port = &ports[i / 2], .lan = i / 2 == 2,
		};

		sesstab_new(tab, &sp, sess, &n, now);
	}
	tab->nsess = n;
	return 0;
}

#endif
