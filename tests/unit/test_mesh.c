// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of mesh.c and meshfmt.c: the port tracker, the store of
 * received tables, matching cables from both ends, the cabling warnings,
 * and the four renderers.  With MESH_DOT_DIR set, the DOT of each example
 * mesh is also written there (tests/contrib/t_mesh_dot.sh renders it with
 * Graphviz).
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

#include "mesh.h"
#include "meshfmt.h"

#define T0 MTIME_S(1000)	/* the test's "now"; the daemon started at 0 */

static const char conf3[] =
	"[global]\n"
	"[node n1]\naddress = 10.0.0.1\naddress = fd00::1\nlan = eth0\nfast = fast0 fast1\n"
	"[node n2]\naddress = 10.0.0.2\naddress = fd00::2\nlan = eth0\nfast = fast0 fast1\n"
	"[node n3]\naddress = fd00::3\nlan = eth0\nfast = fast0 fast1\n";

static struct mr_config cfg;
static struct mesh_store store;
static struct mesh_view *view;
static struct mesh_memory mem;
static struct linkrep_port own[4];
static int nown;
static uint32_t seq = 100;

static int setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	if (config_load_string("mesh.conf", conf3, &cfg, stderr) != 0)
		return -1;
	mesh_store_clear(&store);
	memset(&mem, 0, sizeof(mem));
	memset(own, 0, sizeof(own));
	nown = 0;
	view = calloc(1, sizeof(*view));
	return view ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(view);
	return 0;
}

/* An entry: port, far port, node (-1: none), expected, state, since (ms), RTT, loss to/from. */
static struct linkrep_port entry(const char *port, const char *peer_port, int node, int expected,
				 int state, uint64_t since_ms, int64_t rtt, int loss_to,
				 int loss_from, uint32_t flaps)
{
	struct mesh_port p = { .node = node, .expected = expected, .state = (uint8_t)state,
			       .since = T0 - (mtime_t)since_ms * 1000 };
	struct mesh_cable_stats st = { .rtt_us = rtt, .jitter_us = rtt < 0 ? -1 : rtt / 10,
				       .loss_to = loss_to, .loss_from = loss_from, .flaps = flaps,
				       .detect_us = 60000, .last_detect_us = flaps ? 58000 : 0 };
	struct linkrep_port e;

	snprintf(st.peer_port, sizeof(st.peer_port), "%s", peer_port);
	mesh_port_entry(&cfg, port, &p, &st, T0, &e);
	return e;
}

/* Node `sender` sends its table of n entries, arriving `ago` before T0. */
static void table_from(int sender, const struct linkrep_port *e, int n, mtime_t ago)
{
	int k;

	for (k = 0; k < mesh_parts(n); k++) {
		struct linkrep_nodes part;

		mesh_part(e, n, k, MESH_LIFETIME_MS, &part);
		assert_int_equal(mesh_store_update(&store, sender, ++seq, &part, T0 - ago),
				 MESH_ACCEPTED);
	}
}

static void build(void)
{
	struct mesh_input in = { .cfg = &cfg, .self = 0, .own = own, .nown = nown,
				 .store = &store, .now = T0, .started_at = 0 };

	mesh_build(&in, &mem, view);
}

static const struct mesh_link *row(int a, int b, const char *pa)
{
	int i;

	for (i = 0; i < view->nlinks; i++)
		if (view->links[i].a == a && view->links[i].b == b &&
		    (!pa || strcmp(view->links[i].port_a, pa) == 0))
			return &view->links[i];
	fail_msg("no row %d-%d %s", a, b, pa ? pa : "");
	return NULL;
}

static void as_text(const struct mesh_view *v, FILE *out) { mesh_render(v, MESH_FMT_TEXT, out); }
static void as_json(const struct mesh_view *v, FILE *out) { mesh_render(v, MESH_FMT_JSON, out); }
static void as_dot(const struct mesh_view *v, FILE *out) { mesh_render(v, MESH_FMT_DOT, out); }

/* The view as fn writes it (as_text, as_json, as_dot, mesh_metrics). */
static char *render(void (*fn)(const struct mesh_view *, FILE *))
{
	static char buf[65536];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	fn(view, f);
	fclose(f);
	return buf;
}

static void dot_out(const char *name)
{
	const char *dir = getenv("MESH_DOT_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.dot", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	mesh_render(view, MESH_FMT_DOT, f);
	fclose(f);
}

/* n1 fast0 - n2 fast0, n1 fast1 - n3 fast0, n2 fast1 - n3 fast1, all up. */
static void healthy(void)
{
	struct linkrep_port t2[2], t3[2];

	own[0] = entry("fast0", "fast0", 1, 1, LINKREP_NS_UP, 65000, 45, 0, 0, 1);
	own[1] = entry("fast1", "fast0", 2, 2, LINKREP_NS_UP, 64000, 52, 0, 3, 0);
	nown = 2;
	t2[0] = entry("fast0", "fast0", 0, 0, LINKREP_NS_UP, 65100, 47, 0, 0, 0);
	t2[1] = entry("fast1", "fast1", 2, 2, LINKREP_NS_UP, 30000, 61, 5, 7, 2);
	t3[0] = entry("fast0", "fast1", 0, 0, LINKREP_NS_UP, 64100, 50, 2, 0, 0);
	t3[1] = entry("fast1", "fast1", 1, 1, LINKREP_NS_UP, 29000, -1, 8, 6, 1);
	table_from(1, t2, 2, MTIME_MS(300));
	table_from(2, t3, 2, MTIME_MS(700));
}

static void test_healthy(void **state)
{
	const struct mesh_link *l;

	(void)state;
	healthy();
	build();
	assert_int_equal(view->nlinks, 3);
	assert_int_equal(view->nwarn, 0);
	l = row(0, 1, "fast0");
	assert_string_equal(l->port_b, "fast0");
	assert_int_equal(l->state, LINKREP_NS_UP);
	assert_true(l->by_a && l->by_b);
	/* Our own RTT first; since the later of the two ends' up (n1's: 65 s ago). */
	assert_int_equal(l->rtt_us, 45);
	assert_int_equal(l->since, T0 - MTIME_S(65));
	assert_int_equal(l->flaps, 1);
	l = row(0, 2, "fast1");
	assert_string_equal(l->port_b, "fast0");
	/* n1 -> n3 as n3 counted it (its "from"), n3 -> n1 as n1 counted it. */
	assert_int_equal(l->loss_ab, 0);
	assert_int_equal(l->loss_ba, 3);
	l = row(1, 2, "fast1");
	assert_string_equal(l->port_b, "fast1");
	assert_int_equal(l->rtt_us, 61);	/* n2's: n3 has none */
	assert_int_equal(l->loss_ab, 6);	/* n2 -> n3: n3's "from" */
	assert_int_equal(l->loss_ba, 7);	/* n3 -> n2: n2's "from" */
	assert_int_equal(l->flaps, 2);
	/* n3's since is 0.7 s older in arrival: 29 s + 0.7 s against n2's 30 s + 0.3 s. */
	assert_int_equal(l->since, T0 - MTIME_MS(29700));
	dot_out("healthy");
}

static void test_one_way_silent_failure(void **state)
{
	struct linkrep_port t2[2];
	const struct mesh_link *l;

	(void)state;
	healthy();
	/* n2 noticed first: down 1.2 s; n3's last table still says up. */
	t2[0] = entry("fast0", "fast0", 0, 0, LINKREP_NS_UP, 65100, 47, 0, 0, 0);
	t2[1] = entry("fast1", "fast1", 2, 2, LINKREP_NS_DOWN, 1200, -1, -1, -1, 3);
	table_from(1, t2, 2, 0);
	build();
	l = row(1, 2, NULL);
	assert_int_equal(l->state, LINKREP_NS_DOWN);
	assert_int_equal(l->since, T0 - MTIME_MS(1200));
	assert_int_equal(l->flaps, 3);
	/* Drained at one end wins over down at the other. */
	t2[1].state = LINKREP_NS_DRAINED;
	table_from(1, t2, 2, 0);
	build();
	assert_int_equal(row(1, 2, NULL)->state, LINKREP_NS_DRAINED);
	t2[1].state = LINKREP_NS_LOSSY;
	table_from(1, t2, 2, 0);
	build();
	assert_int_equal(row(1, 2, NULL)->state, LINKREP_NS_LOSSY);
	dot_out("example");
}

/* n1's two ports both to n2 (its fast0, fast1); n3 has no cable to n1 nor n2. */
static void miscabled(void)
{
	struct linkrep_port t2[2], t3[2];

	own[0] = entry("fast0", "fast0", 1, 1, LINKREP_NS_UP, 9000, 40, 0, 0, 0);
	own[1] = entry("fast1", "fast1", 1, 1, LINKREP_NS_UP, 9000, 42, 0, 0, 0);
	nown = 2;
	t2[0] = entry("fast0", "fast0", 0, 0, LINKREP_NS_UP, 9000, 41, 0, 0, 0);
	t2[1] = entry("fast1", "fast1", 0, 0, LINKREP_NS_UP, 9000, 43, 0, 0, 0);
	t3[0] = entry("fast0", "", -1, -1, LINKREP_NS_NONE, 9000, -1, -1, -1, 0);
	t3[1] = entry("fast1", "", -1, -1, LINKREP_NS_NONE, 9000, -1, -1, -1, 0);
	table_from(1, t2, 2, 0);
	table_from(2, t3, 2, 0);
}

static void test_miscabled(void **state)
{
	const struct mesh_warning *w;
	int i, wrong = 0;

	(void)state;
	miscabled();
	build();
	assert_int_equal(view->nlinks, 4);
	assert_string_equal(row(0, 1, "fast0")->port_b, "fast0");
	assert_string_equal(row(0, 1, "fast1")->port_b, "fast1");
	assert_int_equal(row(0, 2, NULL)->state, LINKREP_NS_NONE);
	assert_int_equal(row(1, 2, NULL)->state, LINKREP_NS_NONE);
	assert_true(mesh_view_has_warning(view, "no-cable n1 n3"));
	assert_true(mesh_view_has_warning(view, "no-cable n2 n3"));
	assert_true(mesh_view_has_warning(view, "wrong-port n1 n2"));
	assert_true(mesh_view_has_warning(view, "wrong-port n2 n1"));
	for (i = 0; i < view->nwarn; i++) {
		w = &view->warn[i];
		if (strcmp(w->key, "wrong-port n1 n2") == 0) {
			assert_string_equal(w->text, "n1: fast0 and fast1 both reach n2 (its fast0 and "
				"fast1) while n1 has no cable to n3: a cable in the wrong port?");
			assert_int_equal(w->nodes, 7);
			wrong++;
		}
		if (strcmp(w->key, "no-cable n1 n3") == 0)
			assert_string_equal(w->text, "n1 - n3: no cable, though every node has enough "
				"fast ports for a full mesh; free ports: n1 (none); n3 fast0, fast1");
	}
	assert_int_equal(wrong, 1);
	assert_int_equal(view->nwarn, 4);
	dot_out("miscabled");
}

static void test_no_full_mesh_ports(void **state)
{
	static const char conf[] =
		"[global]\n"
		"[node n1]\naddress = 10.0.0.1\naddress = fd00::1\nlan = eth0\nfast = fast0 fast1\n"
		"[node n2]\naddress = 10.0.0.2\naddress = fd00::2\nlan = eth0\nfast = fast0 fast1\n"
		"[node n3]\naddress = fd00::3\nlan = eth0\nfast = fast0\n";

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_load_string("mesh.conf", conf, &cfg, stderr), 0);
	miscabled();
	build();
	/* n3 has one port: the config does not ask for a full mesh, the double cable still warns. */
	assert_false(mesh_view_has_warning(view, "no-cable n1 n3"));
	assert_true(mesh_view_has_warning(view, "wrong-port n1 n2"));
}

static void test_silent(void **state)
{
	const struct mesh_link *l;

	(void)state;
	healthy();
	/* n3's tables are 6 s old: expired (lifetime 5 s). */
	mesh_store_clear(&store);
	{
		struct linkrep_port t3[2];

		t3[0] = entry("fast0", "fast1", 0, 0, LINKREP_NS_UP, 64100, 50, 2, 0, 0);
		t3[1] = entry("fast1", "fast1", 1, 1, LINKREP_NS_UP, 29000, -1, 8, 6, 1);
		table_from(2, t3, 2, MTIME_S(6));
	}
	{
		struct linkrep_port t2[2];

		t2[0] = entry("fast0", "fast0", 0, 0, LINKREP_NS_UP, 65100, 47, 0, 0, 0);
		t2[1] = entry("fast1", "fast1", 2, 2, LINKREP_NS_DOWN, 5000, -1, -1, -1, 3);
		table_from(1, t2, 2, 0);
	}
	build();
	assert_false(view->live[2]);
	l = row(1, 2, NULL);
	assert_true(l->by_a && !l->by_b);
	assert_string_equal(l->port_b, "fast1");	/* as n2 learned it */
	assert_int_equal(l->state, LINKREP_NS_DOWN);
	assert_true(mesh_view_has_warning(view, "silent n3"));
	assert_int_equal(view->nwarn, 1);
	assert_non_null(strstr(view->warn[0].text, "n3: no link table for 6.0 s"));
	/* No warnings during the grace after start. */
	{
		struct mesh_input in = { .cfg = &cfg, .self = 0, .own = own, .nown = nown,
					 .store = &store, .now = T0, .started_at = T0 - MTIME_S(1) };

		mesh_build(&in, &mem, view);
		assert_int_equal(view->nwarn, 0);
	}
	dot_out("silent");
}

static void test_memory(void **state)
{
	(void)state;
	healthy();
	build();
	/* Both n2 and n3 fall silent: their cable is remembered, down, not "none". */
	mesh_store_clear(&store);
	build();
	assert_int_equal(row(1, 2, NULL)->state, LINKREP_NS_DOWN);
	assert_string_equal(row(1, 2, NULL)->port_a, "fast1");
	assert_false(row(1, 2, NULL)->by_a || row(1, 2, NULL)->by_b);
	/* Our own cables come from our own table. */
	assert_int_equal(row(0, 1, NULL)->state, LINKREP_NS_UP);
	/* Once an end speaks again and its table has no cable to the other: none. */
	miscabled();
	build();
	assert_int_equal(row(1, 2, NULL)->state, LINKREP_NS_NONE);
	mesh_store_clear(&store);
	build();
	assert_int_equal(row(1, 2, NULL)->state, LINKREP_NS_NONE);
	/* Without memory, a pair never seen is "none". */
	memset(&mem, 0, sizeof(mem));
	build();
	assert_int_equal(row(1, 2, NULL)->state, LINKREP_NS_NONE);
}

static void test_moved(void **state)
{
	struct linkrep_port t2[2], t3[2];
	const struct mesh_link *l;

	(void)state;
	/* n1 fast0 went from n2 (its fast0) to n3 (its fast1). */
	own[0] = entry("fast0", "fast1", 2, 1, LINKREP_NS_UP, 3000, 45, 0, 0, 0);
	own[1] = entry("fast1", "fast0", 2, 2, LINKREP_NS_UP, 64000, 52, 0, 0, 0);
	nown = 2;
	t2[0] = entry("fast0", "fast0", 0, 0, LINKREP_NS_DOWN, 3100, -1, -1, -1, 1);
	t2[1] = entry("fast1", "", -1, -1, LINKREP_NS_NONE, 64000, -1, -1, -1, 0);
	t3[0] = entry("fast0", "fast1", 0, 0, LINKREP_NS_UP, 64000, 50, 0, 0, 0);
	t3[1] = entry("fast1", "fast0", 0, 0, LINKREP_NS_UP, 2900, 44, 0, 0, 0);
	table_from(1, t2, 2, 0);
	table_from(2, t3, 2, 0);
	build();
	assert_true(mesh_view_has_warning(view, "moved n1 fast0"));
	l = row(0, 2, "fast0");
	assert_string_equal(l->port_b, "fast1");
	assert_int_equal(l->state, LINKREP_NS_UP);
	/* n2's end of the old cable, from its table alone. */
	l = row(0, 1, "fast0");
	assert_true(!l->by_a && l->by_b);
	assert_int_equal(l->state, LINKREP_NS_DOWN);
	for (int i = 0; i < view->nwarn; i++)
		if (view->warn[i].kind == MESH_W_MOVED)
			assert_string_equal(view->warn[i].text,
				"n1 fast0 now reaches n3 fast1, not n2 found there first: a cable "
				"moved? (meshroutectl reload on n1 accepts the new cabling)");
	dot_out("moved");
}

/* Ends that name no far port (a peer without link reports yet) pair up only unambiguously. */
static void test_nameless(void **state)
{
	struct linkrep_port t2[2];

	(void)state;
	own[0] = entry("fast0", "", 1, 1, LINKREP_NS_UP, 1000, -1, -1, -1, 0);
	nown = 1;
	t2[0] = entry("fast0", "", 0, 0, LINKREP_NS_UP, 1000, -1, -1, -1, 0);
	table_from(1, t2, 1, 0);
	build();
	assert_int_equal(row(0, 1, NULL)->by_a && row(0, 1, NULL)->by_b, 1);
	assert_string_equal(row(0, 1, NULL)->port_b, "fast0");
	/* Two each: which goes with which is not known, four one-ended rows. */
	own[1] = entry("fast1", "", 1, 1, LINKREP_NS_UP, 1000, -1, -1, -1, 0);
	nown = 2;
	t2[1] = entry("fast1", "", 0, 0, LINKREP_NS_UP, 1000, -1, -1, -1, 0);
	table_from(1, t2, 2, 0);
	build();
	assert_int_equal(view->nlinks, 4 + 2);
	/* One end names the other's port: enough. */
	own[0] = entry("fast0", "fast1", 1, 1, LINKREP_NS_UP, 1000, -1, -1, -1, 0);
	own[1] = entry("fast1", "fast0", 1, 1, LINKREP_NS_UP, 1000, -1, -1, -1, 0);
	build();
	assert_int_equal(view->nlinks, 2 + 2);
	assert_string_equal(row(0, 1, "fast0")->port_b, "fast1");
}

static void test_port_tracker(void **state)
{
	struct mesh_port p;
	struct mesh_port_facts f = { .present = true, .carrier = true };

	(void)state;
	mesh_port_init(&p, 10);
	assert_false(mesh_port_update(&p, &f, 20));
	assert_int_equal(p.state, LINKREP_NS_NONE);
	assert_int_equal(p.since, 10);
	/* Heard n2 (index 1): down until in service (hold-down served). */
	f.heard = MESH_NODE_BIT(1);
	assert_true(mesh_port_update(&p, &f, 30));
	assert_int_equal(p.node, 1);
	assert_int_equal(p.expected, 1);
	assert_int_equal(p.state, LINKREP_NS_DOWN);
	f.in_service = MESH_NODE_BIT(1);
	assert_true(mesh_port_update(&p, &f, 40));
	assert_int_equal(p.state, LINKREP_NS_UP);
	assert_int_equal(p.since, 40);
	assert_false(mesh_port_update(&p, &f, 50));
	f.mtu_failed = MESH_NODE_BIT(1);
	assert_true(mesh_port_update(&p, &f, 60));
	assert_int_equal(p.state, LINKREP_NS_MTU);
	f.lossy = MESH_NODE_BIT(1);
	f.in_service = 0;
	assert_true(mesh_port_update(&p, &f, 70));
	assert_int_equal(p.state, LINKREP_NS_LOSSY);
	f.drained = true;
	assert_true(mesh_port_update(&p, &f, 80));
	assert_int_equal(p.state, LINKREP_NS_DRAINED);
	/* Cable pulled: nothing heard, the neighbour stays (where the cable went), down. */
	memset(&f, 0, sizeof(f));
	f.present = true;
	assert_true(mesh_port_update(&p, &f, 90));
	assert_int_equal(p.node, 1);
	assert_int_equal(p.state, LINKREP_NS_DOWN);
	/* Plugged into n3 (index 2): moved, n2 still expected. */
	f.carrier = true;
	f.heard = f.in_service = MESH_NODE_BIT(2);
	assert_true(mesh_port_update(&p, &f, 100));
	assert_int_equal(p.node, 2);
	assert_int_equal(p.expected, 1);
	assert_int_equal(p.state, LINKREP_NS_UP);
	/* Hearing n2 as well does not make it flip. */
	f.heard |= MESH_NODE_BIT(1);
	assert_false(mesh_port_update(&p, &f, 110));
	assert_int_equal(p.node, 2);
	mesh_port_relearn(&p);
	assert_int_equal(p.expected, 2);
}

static void test_store(void **state)
{
	struct linkrep_port e[20];
	struct linkrep_nodes part;
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		char name[16];

		snprintf(name, sizeof(name), "p%d", i);
		e[i] = entry(name, "", -1, -1, LINKREP_NS_NONE, (uint64_t)i, -1, -1, -1, 0);
	}
	assert_int_equal(mesh_parts(20), 2);
	assert_int_equal(mesh_parts(13), 1);
	assert_int_equal(mesh_parts(0), 1);
	mesh_part(e, 20, 1, 5000, &part);
	assert_int_equal(part.total, 20);
	assert_int_equal(part.first, 13);
	assert_int_equal(part.count, 7);
	assert_string_equal(part.p[0].port, "p13");
	/* Part 1 first, then part 0 (another path is faster): both taken. */
	assert_int_equal(mesh_store_update(&store, 1, 501, &part, 1000), MESH_ACCEPTED);
	mesh_part(e, 20, 0, 5000, &part);
	assert_int_equal(mesh_store_update(&store, 1, 500, &part, 1100), MESH_ACCEPTED);
	assert_int_equal(store.n[1].total, 20);
	assert_true(store.n[1].s[0].valid && store.n[1].s[19].valid);
	/* The same message again (over the LAN after a fast port): nothing new. */
	assert_int_equal(mesh_store_update(&store, 1, 500, &part, 1200), MESH_OLD);
	assert_int_equal(store.old, 1);
	/* The table shrinks (a reload removed ports): the rest goes. */
	mesh_part(e, 5, 0, 5000, &part);
	assert_int_equal(mesh_store_update(&store, 1, 502, &part, 1300), MESH_ACCEPTED);
	assert_int_equal(store.n[1].total, 5);
	assert_false(store.n[1].s[5].valid);
	assert_true(mesh_store_live(&store, 1, 1300 + MTIME_MS(4999)));
	assert_false(mesh_store_live(&store, 1, 1300 + MTIME_MS(5000)));
	assert_false(mesh_store_live(&store, 2, 1300));
	assert_int_equal(mesh_store_next_expiry(&store, 1300), 1300 + MTIME_MS(5000));
	/* A restarted sender starts anywhere: refused while alive, taken once expired. */
	assert_int_equal(mesh_store_update(&store, 1, 7, &part, 2000), MESH_OLD);
	assert_int_equal(mesh_store_update(&store, 1, 7, &part, 1300 + MTIME_S(5)), MESH_ACCEPTED);
	/* Wrap-around of the sequence number is newer. */
	assert_int_equal(mesh_store_update(&store, 3, 0xfffffffe, &part, 1), MESH_ACCEPTED);
	assert_int_equal(mesh_store_update(&store, 3, 1, &part, 2), MESH_ACCEPTED);
	assert_int_equal(mesh_store_update(&store, 3, 0xffffffff, &part, 3), MESH_OLD);
	/* A lifetime is capped at 60 s whatever a sender says. */
	part.lifetime_ms = 1000000;
	assert_int_equal(mesh_store_update(&store, 4, 1, &part, 0), MESH_ACCEPTED);
	assert_false(mesh_store_live(&store, 4, MTIME_S(60)));
	assert_int_equal(mesh_store_update(&store, -1, 1, &part, 0), MESH_OLD);
	assert_int_equal(mesh_store_update(&store, MR_MAX_NODES, 1, &part, 0), MESH_OLD);
}

static void test_entry(void **state)
{
	struct mesh_port p;
	struct mesh_cable_stats st = { .peer_port = "eno5", .rtt_us = 5000000000LL,
				       .jitter_us = -1, .loss_to = 2000, .loss_from = -1 };
	struct linkrep_port e;
	uint8_t buf[LINKREP_MAX_LEN];
	struct linkrep r, back;

	(void)state;
	mesh_port_init(&p, T0 - MTIME_S(3));
	mesh_port_entry(&cfg, "fast1", &p, &st, T0, &e);
	/* No neighbour: nothing of a cable, whatever the figures say. */
	assert_int_equal(e.state, LINKREP_NS_NONE);
	assert_int_equal(e.node.family, 0);
	assert_string_equal(e.peer_port, "");
	assert_int_equal(e.since_ms, 3000);
	p.node = 2;
	p.expected = 1;
	p.state = LINKREP_NS_UP;
	mesh_port_entry(&cfg, "fast1", &p, &st, T0, &e);
	/* n3 is IPv6-only: named by its IPv6 address. */
	assert_int_equal(e.node.family, AF_INET6);
	assert_int_equal(e.expected.family, AF_INET);
	assert_int_equal(e.rtt_us, LINKREP_NT_UNKNOWN32);	/* out of range: unknown */
	assert_int_equal(e.jitter_us, LINKREP_NT_UNKNOWN32);
	assert_int_equal(e.loss_to, 1000);
	assert_int_equal(e.loss_from, LINKREP_NT_LOSS_UNKNOWN);
	/* What the tracker makes, the codec carries. */
	memset(&r, 0, sizeof(r));
	r.sender = *mesh_node_addr(&cfg, 0);
	r.has_nodes = true;
	mesh_part(&e, 1, 0, MESH_LIFETIME_MS, &r.nodes);
	assert_int_not_equal(linkrep_encode(&r, NULL, buf, sizeof(buf)), 0);
	assert_int_equal(linkrep_decode(buf, linkrep_encode(&r, NULL, buf, sizeof(buf)), NULL,
					&back), LINKREP_OK);
	assert_memory_equal(&back.nodes.p[0], &e, sizeof(e));
	assert_int_equal(mesh_node_by_addr(&cfg, &e.node), 2);
}

/* ---- renderers ---- */

static void test_json(void **state)
{
	(void)state;
	miscabled();
	build();
	assert_string_equal(render(as_json),
		"{\"node\": \"n1\", \"nodes\": [\"n1\", \"n2\", \"n3\"], \"links\": [\n"
		"  {\"nodes\": [\"n1\", \"n2\"], \"ports\": [\"fast0\", \"fast0\"], \"state\": \"up\", "
		"\"since_s\": 9.000, \"rtt_ms\": 0.04, \"jitter_ms\": 0.004, \"loss_pct\": [0.0, 0.0], "
		"\"flaps\": 0, \"detect_ms\": 60, \"last_detect_ms\": null, \"reported_by\": [\"n1\", \"n2\"]},\n"
		"  {\"nodes\": [\"n1\", \"n2\"], \"ports\": [\"fast1\", \"fast1\"], \"state\": \"up\", "
		"\"since_s\": 9.000, \"rtt_ms\": 0.042, \"jitter_ms\": 0.004, \"loss_pct\": [0.0, 0.0], "
		"\"flaps\": 0, \"detect_ms\": 60, \"last_detect_ms\": null, \"reported_by\": [\"n1\", \"n2\"]},\n"
		"  {\"nodes\": [\"n1\", \"n3\"], \"ports\": [null, null], \"state\": \"none\", "
		"\"since_s\": null, \"rtt_ms\": null, \"jitter_ms\": null, \"loss_pct\": [null, null], "
		"\"flaps\": null, \"detect_ms\": null, \"last_detect_ms\": null, \"reported_by\": []},\n"
		"  {\"nodes\": [\"n2\", \"n3\"], \"ports\": [null, null], \"state\": \"none\", "
		"\"since_s\": null, \"rtt_ms\": null, \"jitter_ms\": null, \"loss_pct\": [null, null], "
		"\"flaps\": null, \"detect_ms\": null, \"last_detect_ms\": null, \"reported_by\": []}],\n"
		" \"silent\": [], \"warnings\": [\n"
		"  {\"kind\": \"no-cable\", \"nodes\": [\"n1\", \"n3\"], \"text\": \"n1 - n3: no cable, "
		"though every node has enough fast ports for a full mesh; free ports: n1 (none); n3 fast0, "
		"fast1\"},\n"
		"  {\"kind\": \"no-cable\", \"nodes\": [\"n2\", \"n3\"], \"text\": \"n2 - n3: no cable, "
		"though every node has enough fast ports for a full mesh; free ports: n2 (none); n3 fast0, "
		"fast1\"},\n"
		"  {\"kind\": \"wrong-port\", \"nodes\": [\"n1\", \"n2\", \"n3\"], \"text\": \"n1: fast0 and "
		"fast1 both reach n2 (its fast0 and fast1) while n1 has no cable to n3: a cable in the "
		"wrong port?\"},\n"
		"  {\"kind\": \"wrong-port\", \"nodes\": [\"n1\", \"n2\", \"n3\"], \"text\": \"n2: fast0 and "
		"fast1 both reach n1 (its fast0 and fast1) while n2 has no cable to n3: a cable in the "
		"wrong port?\"}]}\n");
}

static void test_text(void **state)
{
	const char *t;

	(void)state;
	healthy();
	build();
	t = render(as_text);
	assert_string_equal(t,
		"mesh seen from n1: 3 nodes, 3 with a live link table\n"
		"NODES  PORTS        STATE  SINCE  RTT(ms)  JITTER(ms)  LOSS%(A>B/B>A)  FLAPS\n"
		"n1-n2  fast0-fast0  up     1m05s  0.045    0.004       0.0/0.0         1\n"
		"n1-n3  fast1-fast0  up     1m04s  0.052    0.005       0.0/0.3         0\n"
		"n2-n3  fast1-fast1  up     29.7s  0.061    0.006       0.6/0.7         2\n");
	miscabled();
	build();
	t = render(as_text);
	assert_non_null(strstr(t, "n1-n3  -            none   -      -        -           -/-             -\n"));
	assert_non_null(strstr(t, "\nwarnings:\n  n1 - n3: no cable"));
}

static void test_dot(void **state)
{
	const char *t;

	(void)state;
	miscabled();
	build();
	t = render(as_dot);
	assert_non_null(strstr(t, "graph meshroute {\n"));
	assert_non_null(strstr(t, "\t\"n1\" -- \"n2\" [color=forestgreen, fontcolor=forestgreen, "
				  "taillabel=\"fast0\", headlabel=\"fast0\", "
				  "label=\"up 0.04 ms\\nloss 0.0 / 0.0 %\"];\n"));
	assert_non_null(strstr(t, "\t\"n1\" -- \"n3\" [style=dotted, color=red3"));
	/* A silent node is drawn dashed. */
	test_silent(state);
	t = render(as_dot);
	assert_non_null(strstr(t, "\t\"n3\" [style=\"rounded,dashed\""));
	assert_non_null(strstr(t, "color=red3, fontcolor=red3, taillabel=\"fast1\", "
				  "headlabel=\"fast1\", label=\"down\\nloss - / - %\"]"));
}

static void test_metrics(void **state)
{
	const char *t;

	(void)state;
	healthy();
	build();
	t = render(mesh_metrics);
	assert_non_null(strstr(t, "# TYPE meshroute_link_state gauge\n"));
	assert_non_null(strstr(t, "meshroute_link_state{node_a=\"n1\",port_a=\"fast0\",node_b=\"n2\","
				  "port_b=\"fast0\",state=\"up\"} 1\n"));
	assert_non_null(strstr(t, "meshroute_link_state{node_a=\"n1\",port_a=\"fast0\",node_b=\"n2\","
				  "port_b=\"fast0\",state=\"down\"} 0\n"));
	assert_non_null(strstr(t, "meshroute_link_rtt_seconds{node_a=\"n1\",port_a=\"fast0\","
				  "node_b=\"n2\",port_b=\"fast0\"} 0.000045\n"));
	assert_non_null(strstr(t, "meshroute_link_loss_ratio{node_a=\"n2\",port_a=\"fast1\","
				  "node_b=\"n3\",port_b=\"fast1\",direction=\"a_to_b\"} 0.006\n"));
	assert_non_null(strstr(t, "meshroute_link_loss_ratio{node_a=\"n2\",port_a=\"fast1\","
				  "node_b=\"n3\",port_b=\"fast1\",direction=\"b_to_a\"} 0.007\n"));
	assert_non_null(strstr(t, "meshroute_link_flaps_total{node_a=\"n2\",port_a=\"fast1\","
				  "node_b=\"n3\",port_b=\"fast1\"} 2\n"));
	assert_non_null(strstr(t, "meshroute_link_detect_time_seconds{node_a=\"n1\",port_a=\"fast0\","
				  "node_b=\"n2\",port_b=\"fast0\"} 0.060000\n"));
	assert_non_null(strstr(t, "meshroute_link_last_detect_seconds{node_a=\"n1\",port_a=\"fast0\","
				  "node_b=\"n2\",port_b=\"fast0\"} 0.058000\n"));
	assert_non_null(strstr(t, "meshroute_mesh_node_reporting{node=\"n3\"} 1\n"));
	assert_non_null(strstr(t, "meshroute_mesh_warnings{kind=\"wrong-port\"} 0\n"));
	miscabled();
	build();
	t = render(mesh_metrics);
	assert_non_null(strstr(t, "meshroute_mesh_warnings{kind=\"wrong-port\"} 2\n"));
	assert_non_null(strstr(t, "meshroute_link_state{node_a=\"n1\",port_a=\"\",node_b=\"n3\","
				  "port_b=\"\",state=\"none\"} 1\n"));
	/* No samples of numbers for a pair without a cable. */
	assert_null(strstr(t, "meshroute_link_flaps_total{node_a=\"n1\",port_a=\"\""));
}

static void test_format_parse(void **state)
{
	char dot[] = "--dot", x[] = "-x";
	char *a1[] = { dot }, *a2[] = { x }, *a3[] = { dot, x };
	enum mesh_format f;
	FILE *devnull = fopen("/dev/null", "w");

	(void)state;
	assert_int_equal(mesh_format_parse(false, 0, NULL, &f, devnull), 0);
	assert_int_equal(f, MESH_FMT_TEXT);
	assert_int_equal(mesh_format_parse(true, 0, NULL, &f, devnull), 0);
	assert_int_equal(f, MESH_FMT_JSON);
	assert_int_equal(mesh_format_parse(false, 1, a1, &f, devnull), 0);
	assert_int_equal(f, MESH_FMT_DOT);
	assert_int_equal(mesh_format_parse(true, 1, a1, &f, devnull), -1);
	assert_int_equal(mesh_format_parse(false, 1, a2, &f, devnull), -1);
	assert_int_equal(mesh_format_parse(false, 2, a3, &f, devnull), -1);
	fclose(devnull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_healthy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_way_silent_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_miscabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_full_mesh_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nameless, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_tracker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_parse, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
