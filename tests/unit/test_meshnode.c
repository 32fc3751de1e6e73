// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of meshnode.c: three nodes' mesh state, fed with port facts
 * as the daemon would, exchanging their tables by hand (through the
 * linkrep codec, signed), without sockets: the view every node builds, the
 * sending schedule, expiry of a silent node, the warnings raised and
 * cleared, reload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "meshnode.h"

#define T0 MTIME_S(100)

static const char conf3[] =
	"[global]\n"
	"[node n1]\naddress = 10.0.0.1\nlan = eth0\nfast = fast0 fast1\n"
	"[node n2]\naddress = 10.0.0.2\nlan = eth0\nfast = fast0 fast1\n"
	"[node n3]\naddress = 10.0.0.3\nlan = eth0\nfast = fast0 fast1\n";

static struct mr_config cfg;
static struct meshnode *mn[3];
static uint32_t seq[3] = { 1000, 2000, 3000 };
static mtime_t now;

/* What each node's port sees: the node on it, and the cable's state. */
struct wire {
	int node;		/* -1: nothing there */
	int port;		/* the far end's port on the cable */
	bool up, lossy;
	int64_t rtt_us;
};
static struct wire wires[3][2];

/* Warnings reported by meshnode_tick, per node. */
struct seen {
	int raised, cleared, ours;
	char last[320];
	char last_kind[16];
};
static struct seen seen[3];

static void on_warn(void *arg, const struct mesh_warning *w, bool cleared, bool ours)
{
	struct seen *s = arg;

	if (cleared) {
		s->cleared++;
		return;
	}
	s->raised++;
	s->ours += ours;
	snprintf(s->last, sizeof(s->last), "%s", w->text);
	snprintf(s->last_kind, sizeof(s->last_kind), "%s", mesh_warn_kind_name(w->kind));
}

static int setup(void **state)
{
	int i;

	(void)state;
	config_defaults(&cfg);
	if (config_load_string("mesh.conf", conf3, &cfg, stderr) != 0)
		return -1;
	now = T0;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 3; i++) {
		mn[i] = meshnode_new();
		if (!mn[i])
			return -1;
		meshnode_configure(mn[i], &cfg, i, false, now);
	}
	return 0;
}

static int teardown(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		meshnode_free(mn[i]);
	return 0;
}

/* The full mesh: n1 fast0-n2 fast0, n1 fast1-n3 fast0, n2 fast1-n3 fast1, all up. */
static void cable_full_mesh(void)
{
	wires[0][0] = (struct wire){ 1, 0, true, false, 40 };
	wires[1][0] = (struct wire){ 0, 0, true, false, 42 };
	wires[0][1] = (struct wire){ 2, 0, true, false, 50 };
	wires[2][0] = (struct wire){ 0, 1, true, false, 52 };
	wires[1][1] = (struct wire){ 2, 1, true, false, 60 };
	wires[2][1] = (struct wire){ 1, 1, true, false, 61 };
}

/* The peer's port on the far end of node x's port p, "" if no one. */
static const char *far_port(int x, int p)
{
	return wires[x][p].node < 0 ? "" : wires[x][p].port ? "fast1" : "fast0";
}

/* The daemon's gathering: facts and figures of every port of node x. */
static void facts(int x)
{
	int p;

	for (p = 0; p < 2; p++) {
		const struct wire *w = &wires[x][p];
		struct mesh_port_facts f = { .present = true, .carrier = true };
		struct mesh_cable_stats st[3];
		int n;

		for (n = 0; n < 3; n++)
			st[n] = (struct mesh_cable_stats){ .rtt_us = -1, .jitter_us = -1,
							   .loss_to = -1, .loss_from = -1 };
		if (w->node >= 0) {
			f.heard = w->up ? MESH_NODE_BIT(w->node) : 0;
			f.in_service = w->up && !w->lossy ? MESH_NODE_BIT(w->node) : 0;
			f.lossy = w->lossy ? MESH_NODE_BIT(w->node) : 0;
			st[w->node].rtt_us = w->up ? w->rtt_us : -1;
			st[w->node].jitter_us = w->up ? 3 : -1;
			st[w->node].loss_to = st[w->node].loss_from = w->lossy ? 80 : 0;
			st[w->node].flaps = 1;
			st[w->node].detect_us = 60000;
			snprintf(st[w->node].peer_port, sizeof(st[0].peer_port), "%s", far_port(x, p));
		}
		meshnode_port(mn[x], p, &f, st, 3, now);
	}
}

/*
 * Node x's round when due: every part through the wire format (encoded,
 * decoded) to every other node, as over the LAN; drop: a node that gets
 * nothing.  Returns the parts sent.
 */
static int round_of(int x, int drop)
{
	struct linkrep_nodes parts[4];
	int np, k, y;

	if (meshnode_next_send(mn[x]) > now)
		return 0;
	np = meshnode_send(mn[x], now, parts, 4);
	for (k = 0; k < np; k++) {
		struct linkrep r = { .sender = *mesh_node_addr(&cfg, x), .seq = ++seq[x],
				     .has_nodes = true, .nodes = parts[k] };
		uint8_t buf[LINKREP_MAX_LEN];
		struct linkrep in;
		size_t len = linkrep_encode(&r, NULL, buf, sizeof(buf));

		assert_true(len > 0);
		assert_int_equal(linkrep_decode(buf, len, NULL, &in), LINKREP_OK);
		assert_true(in.has_nodes && !in.has_link);
		for (y = 0; y < 3; y++)
			if (y != x && y != drop)
				meshnode_table_rx(mn[y], mesh_node_by_addr(&cfg, &in.sender), in.seq,
						  &in.nodes, MESHNODE_VIA_LAN, now);
	}
	return np;
}

/* Runs the three nodes for `us` in 10 ms steps (n: the node that is silent, -1 none). */
static void run(mtime_t us, int silent)
{
	mtime_t end = now + us;
	int x;

	for (; now < end; now += MTIME_MS(10))
		for (x = 0; x < 3; x++) {
			if (x == silent)
				continue;
			facts(x);
			round_of(x, silent);
			meshnode_tick(mn[x], now, on_warn, &seen[x]);
		}
}

static const struct mesh_link *row(int x, int a, int b)
{
	const struct mesh_view *v = meshnode_view(mn[x], now);
	int i;

	for (i = 0; i < v->nlinks; i++)
		if (v->links[i].a == a && v->links[i].b == b)
			return &v->links[i];
	fail_msg("no row %d-%d", a, b);
	return NULL;
}

static char *render(int x, enum mesh_format fmt)
{
	static char buf[65536];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	meshnode_render(mn[x], fmt, now, f);
	fclose(f);
	return buf;
}

static void test_full_mesh(void **state)
{
	const struct mesh_link *l;
	char *j;

	(void)state;
	cable_full_mesh();
	run(MTIME_S(3), -1);
	/* Every node sees the three cables up, with the ports of both ends. */
	for (int x = 0; x < 3; x++) {
		l = row(x, 1, 2);
		assert_int_equal(l->state, LINKREP_NS_UP);
		assert_string_equal(l->port_a, "fast1");
		assert_string_equal(l->port_b, "fast1");
		assert_true(l->by_a && l->by_b);
		assert_int_equal(row(x, 0, 1)->state, LINKREP_NS_UP);
		assert_int_equal(row(x, 0, 2)->state, LINKREP_NS_UP);
	}
	/* n1 is no end of n2-n3: the RTT is n2's (the first end's). */
	assert_int_equal(row(0, 1, 2)->rtt_us, 60);
	assert_int_equal(row(0, 0, 1)->rtt_us, 40);
	j = render(0, MESH_FMT_JSON);
	assert_non_null(strstr(j, "\"nodes\": [\"n2\", \"n3\"], \"ports\": [\"fast1\", \"fast1\"], "
				  "\"state\": \"up\""));
	/* A healthy mesh: no warnings at all, also after the grace. */
	assert_int_equal(seen[0].raised + seen[1].raised + seen[2].raised, 0);
	assert_int_equal(meshnode_view(mn[0], now)->nwarn, 0);
}

/* About one round a second, and one within MESH_MIN_GAP of a change. */
static void test_schedule(void **state)
{
	struct meshnode_stats st;
	mtime_t t;

	(void)state;
	cable_full_mesh();
	run(MTIME_S(10), -1);
	meshnode_get_stats(mn[1], &st);
	/* First round 250 ms in, then every 0.9-1.1 s, plus the rounds of the changes at start. */
	assert_true(st.rounds >= 9 && st.rounds <= 12);
	/* Parts of a round come once per path; the other copies are old. */
	meshnode_get_stats(mn[0], &st);
	assert_true(st.rx[MESHNODE_VIA_LAN] >= 18);
	/* A change: the next round within MESH_MIN_GAP. */
	t = meshnode_next_send(mn[1]);
	assert_true(t > now + MESH_MIN_GAP || t <= now + MESH_INTERVAL * 11 / 10);
	wires[1][1].up = false;
	facts(1);
	assert_true(meshnode_next_send(mn[1]) <= now + MESH_MIN_GAP);
	assert_true(meshnode_next_deadline(mn[1]) <= meshnode_next_send(mn[1]));
	/* Nothing changes: the same deadline. */
	t = meshnode_next_send(mn[1]);
	facts(1);
	assert_int_equal(meshnode_next_send(mn[1]), t);
}

/* n2-n3 fails silently (both ends see their session go down): n1 sees it, then its return. */
static void test_remote_failure(void **state)
{
	mtime_t t;

	(void)state;
	cable_full_mesh();
	run(MTIME_S(6), -1);
	wires[1][1].up = wires[2][1].up = false;
	t = now;
	while (row(0, 1, 2)->state == LINKREP_NS_UP && now < t + MTIME_S(5))
		run(MTIME_MS(10), -1);
	assert_int_equal(row(0, 1, 2)->state, LINKREP_NS_DOWN);
	/* Facts every 10 ms here, a round within 250 ms of the change. */
	assert_true(now - t <= MESH_MIN_GAP + MTIME_MS(20));
	/* The ports are still known from the tables: a dead cable shows where it goes. */
	assert_string_equal(row(0, 1, 2)->port_a, "fast1");
	assert_null(strstr(render(0, MESH_FMT_TEXT), "n2-n3  fast1-fast1  up"));
	wires[1][1].up = wires[2][1].up = true;
	run(MTIME_MS(400), -1);
	assert_int_equal(row(0, 1, 2)->state, LINKREP_NS_UP);
	assert_non_null(strstr(render(0, MESH_FMT_TEXT), "n2-n3"));
}

/* A node that falls silent: its entries expire, the others warn, and clear once it is back. */
static void test_silent_node(void **state)
{
	const struct mesh_view *v;

	(void)state;
	cable_full_mesh();
	run(MTIME_S(6), -1);
	run(MTIME_MS(MESH_LIFETIME_MS) + MTIME_S(1), 2);
	v = meshnode_view(mn[0], now);
	assert_false(v->live[2]);
	assert_true(v->live[1]);
	assert_int_equal(seen[0].raised, 1);
	assert_string_equal(seen[0].last_kind, "silent");
	assert_non_null(strstr(seen[0].last, "n3"));
	/* n3 cannot raise it: n1, the first live node, does; n2 only shows it. */
	assert_int_equal(seen[0].ours, 1);
	assert_int_equal(seen[1].raised, 1);
	assert_int_equal(seen[1].ours, 0);
	/* n3's cables are still shown, from their other ends. */
	assert_true(row(0, 1, 2)->by_a && !row(0, 1, 2)->by_b);
	run(MTIME_S(2), -1);
	assert_int_equal(seen[0].cleared, 1);
	assert_true(meshnode_view(mn[0], now)->live[2]);
}

/* n1's two ports both to n2, n3 without a cable to n1: the warning names nodes and ports. */
static void test_miscabled(void **state)
{
	(void)state;
	wires[0][0] = (struct wire){ 1, 0, true, false, 40 };
	wires[0][1] = (struct wire){ 1, 1, true, false, 41 };
	wires[1][0] = (struct wire){ 0, 0, true, false, 40 };
	wires[1][1] = (struct wire){ 0, 1, true, false, 41 };
	wires[2][0] = (struct wire){ -1, 0, false, false, -1 };
	wires[2][1] = (struct wire){ -1, 0, false, false, -1 };
	run(MTIME_S(7), -1);
	assert_true(seen[0].raised >= 1);
	assert_true(seen[0].ours >= 1);
	assert_non_null(strstr(render(0, MESH_FMT_TEXT), "n1: fast0 and fast1 both reach n2"));
	assert_non_null(strstr(render(0, MESH_FMT_JSON), "\"kind\": \"wrong-port\""));
	/* n3 has no cable to anyone: state none, null ports. */
	assert_int_equal(row(0, 0, 2)->state, LINKREP_NS_NONE);
	assert_non_null(strstr(render(0, MESH_FMT_JSON),
			       "\"nodes\": [\"n1\", \"n3\"], \"ports\": [null, null], \"state\": \"none\""));
	/* Every node warns (n3 too: it sees the tables of the others). */
	assert_true(seen[2].raised >= 1);
}

/* A cable moved, then a reload accepts it; a reload that changes the nodes forgets the store. */
static void test_reload(void **state)
{
	struct mr_config c2;

	(void)state;
	cable_full_mesh();
	run(MTIME_S(6), -1);
	/* n1 fast0 now goes to n3 fast0; n3's fast0 was n1's fast1: that cable is gone. */
	wires[0][0] = (struct wire){ 2, 0, true, false, 40 };
	wires[2][0] = (struct wire){ 0, 0, true, false, 40 };
	wires[0][1] = (struct wire){ -1, 0, false, false, -1 };
	wires[1][0] = (struct wire){ -1, 0, false, false, -1 };
	run(MTIME_S(2), -1);
	assert_true(seen[0].raised >= 1);
	assert_non_null(strstr(render(0, MESH_FMT_TEXT), "n1 fast0 now reaches n3"));
	/* The admin's reload on n1: the new cabling is what is expected. */
	meshnode_configure(mn[0], &cfg, 0, true, now);
	run(MTIME_S(2), -1);
	assert_null(strstr(render(0, MESH_FMT_TEXT), "n1 fast0 now reaches n3"));
	assert_true(seen[0].cleared >= 1);
	/* The tables of the others are kept over a reload that keeps the nodes. */
	assert_true(meshnode_view(mn[0], now)->live[1]);
	/* Another node set: forgotten. */
	c2 = cfg;
	snprintf(c2.nodes[2].name, sizeof(c2.nodes[2].name), "n9");
	meshnode_configure(mn[0], &c2, 0, false, now);
	assert_false(meshnode_view(mn[0], now)->live[1]);
	assert_int_equal(meshnode_nports(mn[0]), 2);
	assert_string_equal(meshnode_port_name(mn[0], 1), "fast1");
	assert_null(meshnode_port_name(mn[0], 2));
}

/* Copies over other paths are old; a table from us or from no node is refused. */
static void test_rx_refused(void **state)
{
	struct linkrep_nodes parts[4];
	struct meshnode_stats st;

	(void)state;
	cable_full_mesh();
	facts(1);
	now += MTIME_S(1);
	assert_int_equal(meshnode_send(mn[1], now, parts, 4), 1);
	assert_int_equal(parts[0].count, 2);
	assert_int_equal(parts[0].lifetime_ms, MESH_LIFETIME_MS);
	assert_int_equal(meshnode_table_rx(mn[0], 1, 7, &parts[0], MESHNODE_VIA_FAST, now),
			 MESH_ACCEPTED);
	assert_int_equal(meshnode_table_rx(mn[0], 1, 7, &parts[0], MESHNODE_VIA_LAN, now), MESH_OLD);
	assert_int_equal(meshnode_table_rx(mn[0], 0, 8, &parts[0], MESHNODE_VIA_LAN, now), -1);
	assert_int_equal(meshnode_table_rx(mn[0], 3, 8, &parts[0], MESHNODE_VIA_LAN, now), -1);
	meshnode_get_stats(mn[0], &st);
	assert_int_equal(st.rx[MESHNODE_VIA_FAST], 1);
	assert_int_equal(st.rx[MESHNODE_VIA_LAN], 0);
	assert_int_equal(st.rx_old, 1);
	assert_int_equal(st.rx_refused, 2);
}

/* Metrics of the view: per-cable state and RTT in seconds. */
static void test_metrics(void **state)
{
	static char buf[65536];
	FILE *f;

	(void)state;
	cable_full_mesh();
	run(MTIME_S(3), -1);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	meshnode_metrics(mn[0], now, f);
	fclose(f);
	assert_non_null(strstr(buf, "meshroute_link_rtt_seconds{node_a=\"n1\",port_a=\"fast0\","
				    "node_b=\"n2\",port_b=\"fast0\"} 0.00004"));
	assert_non_null(strstr(buf, "meshroute_mesh_node_reporting{node=\"n3\"} 1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_mesh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_miscabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
