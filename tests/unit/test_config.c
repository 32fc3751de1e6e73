// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of config.c: every error path, defaults, units, round trip, find_self, golden plans. */
#include <arpa/inet.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

/* Golden files, relative to the repo root where the tests run. */
#define GOLDEN_DIR "tests/config"

/* Two valid nodes, 4 lines each, to complete a config around the line under test. */
#define N1 "[node n1]\naddress = 10.0.0.1\nlan = eno1\nfast = p1 p2\n"
#define N2 "[node n2]\naddress = 10.0.0.2\nlan = eno1\nfast = p1 p2\n"
/* One more fast port than a node may have. */
#define P33 "p1 p2 p3 p4 p5 p6 p7 p8 p9 p10 p11 p12 p13 p14 p15 p16 p17 p18 p19 p20 p21 p22 p23 p24 p25 p26 p27 p28 p29 p30 p31 p32 p33"
#define N3 "[node n3]\naddress = 10.0.0.3\nlan = eno1\nfast = p1\n"
#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10

struct bad_case {
	const char *name;
	const char *text;
	int line;		/* expected "t.conf:LINE: " */
	const char *phrase;	/* expected within that message, the only one */
};

static const struct bad_case bad_cases[] = {
	/* syntax, found by the line reader */
	{ "line_too_long", "[global]\nalert-command = /" X100 X100 "\n" N1 N2, 2, "line too long" },
	{ "section_no_bracket", "[global\n" N1 N2, 1, "without closing ']'" },
	{ "section_trailing_text", "[global] x\n" N1 N2, 1, "unexpected text \"x\" after section header" },
	{ "no_equals", "[global]\ninterval 20ms\n" N1 N2, 2, "expected \"key = value\"" },
	{ "continuation", "[global]\ninterval = 20ms\n  multiplier = 3\n" N1 N2, 3,
	  "would continue the value of \"interval\"" },
	{ "continuation_header", "[global]\ninterval = 20ms\n  [node n0]\n" N1 N2, 3,
	  "continuation lines are not supported" },
	{ "key_outside_section", "interval = 20ms\n" N1 N2, 1, "key \"interval\" outside any section" },
	{ "unknown_section", "[foo]\nx = 1\n" N1 N2, 1, "unknown section [foo]" },
	{ "unknown_section_nodes", "[nodes n3]\n" N1 N2, 1, "unknown section [nodes n3]" },
	{ "empty_key", "[global]\n= 3\n" N1 N2, 2, "missing key name" },
	{ "missing_value", "[global]\ninterval =\n" N1 N2, 2, "interval: missing value" },
	{ "missing_value_comment", "[global]\ninterval = # soon\n" N1 N2, 2, "interval: missing value" },

	/* sections and nodes */
	{ "node_name_chars", N1 N2 "[node a/b]\naddress = 10.0.0.3\nlan = eno1\nfast = p1\n", 9,
	  "invalid node name \"a/b\"" },
	{ "node_name_long", N1 N2 "[node abcdefghijabcdefghijabcdefghij12]\n", 9, "invalid node name" },
	{ "node_name_empty", N1 N2 "[node]\n", 9, "invalid node name \"\"" },
	{ "node_duplicate", N1 N2 "[node n1]\naddress = 10.0.0.3\nlan = eno1\nfast = p1\n", 9,
	  "duplicate [node n1] (first at line 1)" },
	{ "global_duplicate", "[global]\n[global]\n" N1 N2, 2, "duplicate [global] section (first at line 1)" },
	{ "one_node", N1, 1, "at least 2 nodes needed, found 1" },
	{ "no_nodes", "[global]\ninterval = 20ms\n", 2, "at least 2 nodes needed, found 0" },
	{ "empty_file", "", 1, "at least 2 nodes needed" },
	{ "node_missing_address", N1 "[node n2]\nlan = eno1\nfast = p1\n", 5, "missing key \"address\"" },
	{ "node_missing_lan", N1 "[node n2]\naddress = 10.0.0.2\nfast = p1\n", 5, "missing key \"lan\"" },
	{ "node_missing_fast", N1 "[node n2]\naddress = 10.0.0.2\nlan = eno1\n", 5, "missing key \"fast\"" },
	{ "no_shared_family", N1 "[node n2]\naddress = fd00::2\nlan = eno1\nfast = p1\n", 5,
	  "[node n2] shares no address family with [node n1] (line 1)" },

	/* keys */
	{ "unknown_global_key", "[global]\nintervall = 20ms\n" N1 N2, 2, "unknown key \"intervall\" in [global]" },
	{ "unknown_node_key", "[node n1]\naddress = 10.0.0.1\nlan = eno1\nfast = p1\nfastt = p2\n" N2, 5,
	  "unknown key \"fastt\" in [node n1]" },
	{ "duplicate_global_key", "[global]\ninterval = 20ms\ninterval = 30ms\n" N1 N2, 3,
	  "duplicate key \"interval\" in [global] (first at line 2)" },
	{ "duplicate_lan", "[node n1]\naddress = 10.0.0.1\nlan = eno1\nlan = eno2\nfast = p1\n" N2, 4,
	  "duplicate key \"lan\" in [node n1] (first at line 3)" },
	{ "duplicate_fast", "[node n1]\naddress = 10.0.0.1\nlan = eno1\nfast = p1\nfast = p2 p1\n" N2, 5,
	  "fast: p1 listed twice" },

	/* durations */
	{ "duration_garbage", "[global]\ninterval = 5x\n" N1 N2, 2,
	  "interval: \"5x\" is not a duration (use e.g. 20ms or 1s)" },
	{ "duration_decimal", "[global]\ninterval = 1.5s\n" N1 N2, 2, "is not a duration" },
	{ "duration_negative", "[global]\nhold-down = -1s\n" N1 N2, 2, "is not a duration" },
	{ "duration_space", "[global]\ninterval = 20 ms\n" N1 N2, 2, "is not a duration" },
	{ "duration_no_unit", "[global]\ninterval = 20\n" N1 N2, 2, "interval: \"20\": missing unit" },
	{ "duration_too_small", "[global]\ninterval = 999us\n" N1 N2, 2, "interval: 999us is out of range (1ms..60s)" },
	{ "max_loss_word", "[global]\nmax-loss = lots\n" N1 N2, 2, "max-loss: \"lots\" is not a percentage" },
	{ "max_loss_range", "[global]\nmax-loss = 60%\n" N1 N2, 2, "max-loss: 60% is out of range (0.1%..50%, or off)" },
	{ "mtu_probe_word", "[global]\nmtu-probe = yes\n" N1 N2, 2, "mtu-probe: \"yes\" is not auto, on or off" },
	{ "mtu_probe_interval_range", "[global]\nmtu-probe-interval = 90s\n" N1 N2, 2,
	  "mtu-probe-interval: 90s is out of range (1ms..60s)" },
	{ "mtu_probe_interval_unit", "[global]\nmtu-probe-interval = 100\n" N1 N2, 2,
	  "mtu-probe-interval: \"100\": missing unit" },
	{ "mtu_probe_dup", "[global]\nmtu-probe = on\nmtu-probe = off\n" N1 N2, 3,
	  "duplicate key \"mtu-probe\" in [global] (first at line 2)" },
	{ "duration_zero", "[global]\nlan-interval = 0ms\n" N1 N2, 2, "lan-interval: 0ms is out of range (1ms..60s)" },
	{ "duration_too_big", "[global]\ninterval = 61s\n" N1 N2, 2, "out of range (1ms..60s)" },
	{ "duration_overflow", "[global]\ninterval = 99999999999999999999999s\n" N1 N2, 2, "out of range" },
	{ "duration_mult_overflow", "[global]\ninterval = 18446744073709551615m\n" N1 N2, 2, "out of range" },
	{ "hold_down_too_big", "[global]\nhold-down = 61m\n" N1 N2, 2, "hold-down: 61m is out of range (0s..60m)" },

	/* numbers, booleans, names */
	{ "multiplier_text", "[global]\nmultiplier = three\n" N1 N2, 2, "multiplier: \"three\" is not a number (1..255)" },
	{ "multiplier_suffix", "[global]\nmultiplier = 3x\n" N1 N2, 2, "is not a number" },
	{ "multiplier_zero", "[global]\nmultiplier = 0\n" N1 N2, 2, "multiplier: 0 is out of range (1..255)" },
	{ "multiplier_256", "[global]\nmultiplier = 256\n" N1 N2, 2, "out of range (1..255)" },
	{ "multiplier_huge", "[global]\nmultiplier = 99999999999999999999999\n" N1 N2, 2, "out of range (1..255)" },
	{ "bool_bad", "[global]\nset-sysctl = maybe\n" N1 N2, 2, "set-sysctl: \"maybe\" is not a boolean" },
	{ "realtime_bad", "[global]\nrealtime = fifo\n" N1 N2, 2, "realtime: \"fifo\" is not a boolean" },
	{ "lock_memory_bad", "[global]\nlock-memory = all\n" N1 N2, 2, "lock-memory: \"all\" is not a boolean" },
	{ "rx_coalesce_bad", "[global]\nrx-coalesce = lazy\n" N1 N2, 2, "rx-coalesce: \"lazy\" is not a boolean" },
	{ "relay_bool_bad", "[global]\nrelay = sometimes\n" N1 N2, 2, "relay: \"sometimes\" is not a boolean" },
	{ "relay_port_text", "[global]\nrelay-port = high\n" N1 N2, 2, "relay-port: \"high\" is not a number (1..65535)" },
	{ "relay_port_zero", "[global]\nrelay-port = 0\n" N1 N2, 2, "relay-port: 0 is out of range (1..65535)" },
	{ "relay_port_big", "[global]\nrelay-port = 65536\n" N1 N2, 2, "relay-port: 65536 is out of range" },
	{ "relay_port_bfd", "[global]\nrelay-port = 3784\n" N1 N2, 2, "relay-port: 3784 is BFD's" },
	{ "auth_type_bad", "[global]\nauth-type = sha1\n" N1 N2, 2, "auth-type: \"sha1\" is not an auth type" },
	{ "auth_type_without_key", "[global]\nauth-type = keyed-sha1\n" N1 N2, 2,
	  "auth-type keyed-sha1 needs auth-key-file" },
	{ "auth_key_without_type", "[global]\nauth-key-file = /etc/k\n" N1 N2, 2,
	  "auth-key-file is set but auth-type is not" },

	/* paths */
	{ "path_relative", "[global]\nalert-command = bin/alert\n" N1 N2, 2,
	  "alert-command: \"bin/alert\" is not an absolute path" },
	{ "path_relative_key", "[global]\nauth-type = simple\nauth-key-file = k\n" N1 N2, 3, "is not an absolute path" },
	{ "path_whitespace", "[global]\nalert-command = /bin/alert -v\n" N1 N2, 2, "contains whitespace" },
	{ "path_too_long", "[global]\ncontrol-socket = /" X100 "12345678\n" N1 N2, 2,
	  "control-socket: path too long (at most 107 characters)" },

	/* addresses */
	{ "address_garbage", "[node n1]\naddress = 10.0.0.300\nlan = eno1\nfast = p1\n" N2, 2,
	  "address: \"10.0.0.300\" is not an IPv4 or IPv6 address" },
	{ "address_prefix", "[node n1]\naddress = 10.0.0.1/24\nlan = eno1\nfast = p1\n" N2, 2,
	  "no prefix length allowed" },
	{ "address_multicast", "[node n1]\naddress = 224.0.0.1\nlan = eno1\nfast = p1\n" N2, 2,
	  "224.0.0.1 is not a routable unicast address" },
	{ "address_loopback", "[node n1]\naddress = 127.0.0.1\nlan = eno1\nfast = p1\n" N2, 2, "not a routable" },
	{ "address_unspecified6", "[node n1]\naddress = ::\nlan = eno1\nfast = p1\n" N2, 2, "not a routable" },
	{ "address_linklocal6", "[node n1]\naddress = fe80::1\nlan = eno1\nfast = p1\n" N2, 2, "not a routable" },
	{ "address_linklocal4", "[node n1]\naddress = 169.254.1.1\nlan = eno1\nfast = p1\n" N2, 2, "not a routable" },
	{ "address_scope_id", "[node n1]\naddress = 10.0.0.1\naddress = fd00::1%eth0\nlan = eno1\nfast = p1\n" N2, 3,
	  "is not an IPv4 or IPv6 address" },
	{ "address_second_v4", "[node n1]\naddress = 10.0.0.1\naddress = 10.0.0.9\nlan = eno1\nfast = p1\n" N2, 3,
	  "second IPv4 address 10.0.0.9 in [node n1] (first at line 2; at most one per family)" },
	{ "address_second_v6", "[node n1]\naddress = fd00::1\naddress = fd00::9\nlan = eno1\nfast = p1\n"
	  "[node n2]\naddress = fd00::2\nlan = eno1\nfast = p1\n", 3, "second IPv6 address fd00::9" },
	{ "address_repeated", "[node n1]\naddress = 10.0.0.1\naddress = 10.0.0.1\nlan = eno1\nfast = p1\n" N2, 3,
	  "10.0.0.1 repeated in [node n1] (first at line 2)" },
	{ "address_two_nodes", N1 "[node n2]\naddress = 10.0.0.1\nlan = eno1\nfast = p1\n", 6,
	  "10.0.0.1 of [node n2] is already used by [node n1] at line 2" },
	{ "address_two_nodes_v6", "[node n1]\naddress = fd00::1\nlan = eno1\nfast = p1\n"
	  "[node n2]\naddress = fd00:0::1\nlan = eno1\nfast = p1\n", 6, "fd00::1 of [node n2] is already used" },

	/* interfaces */
	{ "lan_two_names", "[node n1]\naddress = 10.0.0.1\nlan = eno1 eno2\nfast = p1\n" N2, 3,
	  "lan: \"eno1 eno2\" is not a valid interface name" },
	{ "lan_dot", "[node n1]\naddress = 10.0.0.1\nlan = ..\nfast = p1\n" N2, 3, "not a valid interface name" },
	{ "lan_slash", "[node n1]\naddress = 10.0.0.1\nlan = a/b\nfast = p1\n" N2, 3, "not a valid interface name" },
	{ "lan_too_long", "[node n1]\naddress = 10.0.0.1\nlan = abcdefghijklmnop\nfast = p1\n" N2, 3,
	  "not a valid interface name (1..15 characters" },
	{ "fast_bad_name", "[node n1]\naddress = 10.0.0.1\nlan = eno1\nfast = p1 p:2\n" N2, 4,
	  "fast: \"p:2\" is not a valid interface name" },
	{ "fast_twice", "[node n1]\naddress = 10.0.0.1\nlan = eno1\nfast = p1 p2 p1\n" N2, 4, "fast: p1 listed twice" },
	{ "fast_too_many", "[node n1]\naddress = 10.0.0.1\nlan = eno1\nfast = " P33 "\n" N2, 4,
	  "fast: too many ports (at most 32)" },
	{ "fast_is_lan", "[node n1]\naddress = 10.0.0.1\nlan = eno1\nfast = p1 eno1\n" N2, 4,
	  "fast: eno1 is also the lan port of [node n1] (line 3)" },
};

/* Loads text named path, or with text NULL the file at path; returns the error output (caller frees). */
static char *load_errors_at(const char *path, const char *text, int *rc, struct mr_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*rc = text ? config_load_string(path, text, cfg, f) : config_load(path, cfg, f);
	fclose(f);
	return buf;
}

static char *load_errors(const char *text, int *rc, struct mr_config *cfg)
{
	return load_errors_at("t.conf", text, rc, cfg);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* True if some line of out starts with prefix and contains phrase. */
static bool has_error(const char *out, const char *prefix, const char *phrase)
{
	for (const char *l = out; *l; ) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char *line = strndup(l, len);
		bool ok = strncmp(line, prefix, strlen(prefix)) == 0 && strstr(line, phrase) != NULL;

		free(line);
		if (ok)
			return true;
		if (!nl)
			break;
		l = nl + 1;
	}
	return false;
}

static void test_bad_case(void **state)
{
	const struct bad_case *c = *state;
	struct mr_config *cfg = malloc(sizeof(*cfg));
	char prefix[32];
	int rc;
	char *out = load_errors(c->text, &rc, cfg);

	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", c->line);
	if (rc != -1 || !has_error(out, prefix, c->phrase) || count_lines(out) != 1) {
		print_error("case %s\n  expected: rc -1, one error line starting \"%s\" containing \"%s\"\n"
		    "  actual:   rc %d, output:\n%s\n", c->name, prefix, c->phrase, rc, out);
		free(out);
		free(cfg);
		fail();
	}
	free(out);
	free(cfg);
}

static int load_ok(const char *text, struct mr_config *cfg)
{
	int rc;
	char *out = load_errors(text, &rc, cfg);

	if (rc != 0 || out[0] != '\0')
		print_error("expected a clean load, got rc %d:\n%s\n", rc, out);
	free(out);
	return rc;
}

static void test_defaults(void **state)
{
	struct mr_config cfg;

	(void)state;
	assert_int_equal(load_ok(N1 N2, &cfg), 0);
	assert_int_equal(cfg.interval_us, 20000);
	assert_int_equal(cfg.lan_interval_us, 200000);
	assert_int_equal(cfg.idle_interval_us, 50000);
	assert_int_equal(cfg.max_loss_permille, 20);
	assert_int_equal(cfg.mtu_probe, MR_MTU_PROBE_AUTO);
	assert_int_equal(cfg.mtu_probe_interval_us, 100000);
	assert_int_equal(cfg.hold_down_us, 2000000);
	assert_int_equal(cfg.multiplier, 3);
	assert_true(cfg.set_sysctl);
	assert_false(cfg.realtime);	/* issue: off by default */
	assert_false(cfg.lock_memory);
	assert_true(cfg.rx_coalesce);
	assert_false(cfg.relay);
	assert_int_equal(cfg.relay_port, 3786);
	assert_string_equal(cfg.alert_command, "");
	assert_string_equal(cfg.auth_key_file, "");
	assert_int_equal(cfg.auth_type, BFD_AUTH_NONE);
	assert_string_equal(cfg.control_socket, "/run/meshroute/meshroute.sock");
	assert_string_equal(cfg.path, "t.conf");
	assert_int_equal(cfg.nnodes, 2);
	assert_string_equal(cfg.nodes[1].name, "n2");
	assert_int_equal(cfg.nodes[1].line, 5);
	assert_int_equal(cfg.nodes[1].addr4.family, AF_INET);
	assert_int_equal(cfg.nodes[1].addr6.family, 0);
	assert_string_equal(cfg.nodes[1].lan, "eno1");
	assert_int_equal(cfg.nodes[1].nfast, 2);
	assert_string_equal(cfg.nodes[1].fast[1], "p2");
}

static void test_all_keys(void **state)
{
	struct mr_config cfg;
	char buf[64];

	(void)state;
	assert_int_equal(load_ok(
	    "# comment\n"
	    "; comment\n"
	    "[global]\n"
	    "interval = 5ms        # why\n"
	    "multiplier = 255 ; why\n"
	    "hold-down = 0s\n"
	    "lan-interval = 1500us\n"
	    "idle-interval = 1s\n"
	    "max-loss = 0.5%\n"
	    "mtu-probe = off\n"
	    "mtu-probe-interval = 250ms\n"
	    "set-sysctl = off\n"
	    "realtime = yes\n"
	    "lock-memory = on\n"
	    "rx-coalesce = no\n"
	    "alert-command = /usr/local/bin/meshroute-alert\n"
	    "metrics-file = /var/lib/prometheus/node-exporter/meshroute.prom\n"
	    "auth-key-file = /etc/meshroute/bfd.key\n"
	    "auth-type = meticulous-keyed-sha1\n"
	    "control-socket: /run/x.sock\n"
	    "[node a.b-c_9]\n"
	    "address = fd00:10::1\n"
	    "address = 10.10.0.1\n"
	    "lan = eno1\n"
	    "fast = \tp1  p2\tp3 p4 p5 p6 p7 p8   \n"
	    "[ node  n2 ]\n"
	    "address = 10.10.0.2\n"
	    "lan = eth0\n"
	    "fast = x\n", &cfg), 0);
	assert_int_equal(cfg.interval_us, 5000);
	assert_int_equal(cfg.multiplier, 255);
	assert_int_equal(cfg.hold_down_us, 0);
	assert_int_equal(cfg.lan_interval_us, 1500);
	assert_int_equal(cfg.idle_interval_us, 1000000);
	assert_int_equal(cfg.max_loss_permille, 5);
	assert_int_equal(cfg.mtu_probe, MR_MTU_PROBE_OFF);
	assert_int_equal(cfg.mtu_probe_interval_us, 250000);
	assert_false(cfg.set_sysctl);
	assert_true(cfg.realtime);
	assert_true(cfg.lock_memory);
	assert_false(cfg.rx_coalesce);
	assert_string_equal(cfg.alert_command, "/usr/local/bin/meshroute-alert");
	assert_string_equal(cfg.metrics_file, "/var/lib/prometheus/node-exporter/meshroute.prom");
	assert_string_equal(cfg.auth_key_file, "/etc/meshroute/bfd.key");
	assert_int_equal(cfg.auth_type, BFD_AUTH_MET_KEYED_SHA1);
	assert_string_equal(cfg.control_socket, "/run/x.sock");
	assert_string_equal(cfg.nodes[0].name, "a.b-c_9");
	assert_string_equal(mr_addr_str(&cfg.nodes[0].addr4, buf, sizeof(buf)), "10.10.0.1");
	assert_string_equal(mr_addr_str(&cfg.nodes[0].addr6, buf, sizeof(buf)), "fd00:10::1");
	assert_int_equal(cfg.nodes[0].nfast, 8);
	assert_string_equal(cfg.nodes[0].fast[7], "p8");
	assert_string_equal(cfg.nodes[1].name, "n2");
	assert_int_equal(cfg.nodes[1].line, 26);
}

/* CRLF line ends, a UTF-8 BOM and blank lines do not disturb line numbers. */
static void test_line_ends(void **state)
{
	struct mr_config cfg;
	int rc;
	char *out;

	(void)state;
	assert_int_equal(load_ok("\xEF\xBB\xBF[global]\r\n\r\ninterval = 1s\r\n" N1 N2, &cfg), 0);
	assert_int_equal(cfg.interval_us, 1000000);
	assert_int_equal(cfg.nodes[0].line, 4);
	out = load_errors("\xEF\xBB\xBF[global]\r\n\r\ninterval = 1\r\n" N1 N2, &rc, &cfg);
	assert_int_equal(rc, -1);
	if (!has_error(out, "t.conf:3: ", "missing unit"))
		fail_msg("expected t.conf:3: ... missing unit, got:\n%s", out);
	free(out);
}

/* Bool spellings. */
static void test_booleans(void **state)
{
	static const struct { const char *s; bool v; } cases[] = {
		{ "yes", true }, { "on", true }, { "true", true }, { "1", true },
		{ "no", false }, { "off", false }, { "false", false }, { "0", false },
	};
	struct mr_config cfg;
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[global]\nset-sysctl = %s\n" N1 N2, cases[i].s);
		assert_int_equal(load_ok(text, &cfg), 0);
		if (cfg.set_sysctl != cases[i].v)
			fail_msg("set-sysctl = %s: expected %d, got %d", cases[i].s, cases[i].v, cfg.set_sysctl);
	}
}

static void test_auth_names(void **state)
{
	struct mr_config cfg;
	char text[256];

	(void)state;
	for (uint8_t t = 1; t <= BFD_AUTH_MET_KEYED_SHA1; t++) {
		snprintf(text, sizeof(text), "[global]\nauth-type = %s\nauth-key-file = /k\n" N1 N2,
		    config_auth_type_name(t));
		assert_int_equal(load_ok(text, &cfg), 0);
		assert_int_equal(cfg.auth_type, t);
	}
	assert_string_equal(config_auth_type_name(0), "none");
	assert_string_equal(config_auth_type_name(4), "keyed-sha1");
	assert_string_equal(config_auth_type_name(6), "unknown");
}

static void test_durations(void **state)
{
	static const struct { const char *s; int rc; uint64_t us; } cases[] = {
		{ "0s", 0, 0 }, { "1us", 0, 1 }, { "20ms", 0, 20000 }, { "1s", 0, 1000000 },
		{ "2m", 0, 120000000 }, { "007ms", 0, 7000 },
		{ "18446744073709551615us", 0, UINT64_MAX },
		{ "18446744073709551616us", -1, 0 }, { "18446744073709552s", -1, 0 },
		{ "20", -1, 0 }, { "", -1, 0 }, { "ms", -1, 0 }, { "1h", -1, 0 }, { "1 s", -1, 0 },
		{ "1.5s", -1, 0 }, { "-1s", -1, 0 }, { "+1s", -1, 0 }, { "1MS", -1, 0 }, { "1mss", -1, 0 },
	};
	static const struct { uint64_t us; const char *s; } fmt[] = {
		{ 0, "0s" }, { 1, "1us" }, { 1500, "1500us" }, { 20000, "20ms" }, { 1000000, "1s" },
		{ 90000000, "90s" }, { 120000000, "2m" }, { 3600000000ULL, "60m" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t us = 0;
		int rc = config_parse_duration(cases[i].s, &us);

		if (rc != cases[i].rc || (rc == 0 && us != cases[i].us))
			fail_msg("\"%s\": expected rc %d us %llu, got rc %d us %llu", cases[i].s,
			    cases[i].rc, (unsigned long long)cases[i].us, rc, (unsigned long long)us);
	}
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++)
		assert_string_equal(config_duration_str(fmt[i].us, buf, sizeof(buf)), fmt[i].s);
}

/*
 * The padded sessions never run faster than the regular ones: a busy host
 * that delays both must fail the regular session first, never pass for an
 * MTU fault (docs/DESIGN.md, "Jumbo frames").  The plan shows what runs.
 */
static void test_mtu_interval(void **state)
{
	struct mr_config cfg;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	assert_int_equal(config_load_string("t", "[global]\ninterval = 500ms\nmtu-probe = on\n" N1 N2,
					    &cfg, stderr), 0);
	assert_int_equal(cfg.mtu_probe_interval_us, 100000);
	assert_int_equal(mtu_interval(&cfg), 500000);
	assert_true(mtu_window(&cfg) == 1500000);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	config_print_plan(&cfg, 0, out);
	fclose(out);
	assert_non_null(strstr(buf, "interval 500ms, detection time 1500ms"));
	free(buf);
	assert_int_equal(config_load_string("t", "[global]\nmtu-probe-interval = 200ms\n" N1 N2,
					    &cfg, stderr), 0);
	assert_int_equal(mtu_interval(&cfg), 200000);
}

static void test_addr(void **state)
{
	struct mr_addr a, b;
	char buf[64];

	(void)state;
	assert_int_equal(mr_addr_parse("10.1.2.3", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(a.bytes, "\x0a\x01\x02\x03", 4);
	assert_string_equal(mr_addr_str(&a, buf, sizeof(buf)), "10.1.2.3");
	assert_int_equal(mr_addr_parse("FD00:0::1", &b), 0);
	assert_int_equal(b.family, AF_INET6);
	assert_string_equal(mr_addr_str(&b, buf, sizeof(buf)), "fd00::1");
	assert_false(mr_addr_eq(&a, &b));
	assert_int_equal(mr_addr_parse("fd00::1", &a), 0);
	assert_true(mr_addr_eq(&a, &b));
	assert_int_equal(mr_addr_parse("10.0.0.1/32", &a), -1);
	assert_int_equal(mr_addr_parse("10.0.0", &a), -1);
	assert_int_equal(mr_addr_parse("", &a), -1);
	assert_int_equal(mr_addr_parse("fd00::1/128", &a), -1);
	memset(&a, 0, sizeof(a));
	assert_string_equal(mr_addr_str(&a, buf, sizeof(buf)), "none");
}

/* Loads text, writes it, loads that again: both must be equal. */
static void round_trip(const char *name, const char *text)
{
	struct mr_config *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	char *written = NULL, *errs = NULL;
	size_t len = 0, elen = 0;
	FILE *f, *ef;

	assert_int_equal(config_load_string(name, text, a, stderr), 0);
	f = open_memstream(&written, &len);
	config_write(a, f);
	fclose(f);
	ef = open_memstream(&errs, &elen);
	if (config_load_string("written", written, b, ef) != 0 || !config_equal(a, b)) {
		fclose(ef);
		print_error("%s: round trip differs\n  written:\n%s\n  errors:\n%s\n", name, written, errs);
		fail();
	}
	fclose(ef);
	/* Only path and line numbers may differ: compare the rest byte for byte. */
	memcpy(b->path, a->path, sizeof(a->path));
	for (int i = 0; i < b->nnodes; i++)
		b->nodes[i].line = a->nodes[i].line;
	assert_memory_equal(a, b, sizeof(*a));
	free(written);
	free(errs);
	free(a);
	free(b);
}

static void test_round_trip(void **state)
{
	(void)state;
	round_trip("defaults", N1 N2);
	round_trip("full",
	    "[global]\ninterval = 1500us\nmultiplier = 7\nhold-down = 90s\nlan-interval = 1s\n"
	    "set-sysctl = no\nalert-command = /bin/a\nauth-key-file = /k\nauth-type = keyed-md5\n"
	    "control-socket = /tmp/s\nrelay = on\nrelay-port = 4000\n"
	    "mtu-probe = on\nmtu-probe-interval = 1s\n"
	    "[node x]\naddress = fd00::1\naddress = 10.0.0.1\nlan = l\nfast = a b c d e f g h\n"
	    "[node y]\naddress = fd00::2\nlan = l\nfast = a\n"
	    "[node z]\naddress = 10.0.0.3\naddress = fd00::3\nlan = l2\nfast = z\n");
	round_trip("most fast ports",
	    "[node x]\naddress = 10.0.0.1\nlan = l\n"
	    "fast = fastport0000000 fastport0000001 fastport0000002 fastport0000003 fastport0000004\n"
	    "fast = fastport0000005 fastport0000006 fastport0000007 fastport0000008 fastport0000009\n"
	    "fast = fastport0000010 fastport0000011 fastport0000012 fastport0000013 fastport0000014\n"
	    "fast = fastport0000015 fastport0000016 fastport0000017 fastport0000018 fastport0000019\n"
	    "fast = fastport0000020 fastport0000021 fastport0000022 fastport0000023 fastport0000024\n"
	    "fast = fastport0000025 fastport0000026 fastport0000027 fastport0000028 fastport0000029\n"
	    "fast = fastport0000030 fastport0000031\n"
	    "[node y]\naddress = 10.0.0.2\nlan = l\nfast = a\n");
}

static void test_config_equal(void **state)
{
	struct mr_config a, b;

	(void)state;
	assert_int_equal(load_ok(N1 N2, &a), 0);
	assert_int_equal(load_ok("# moved down two lines\n\n" N1 N2, &b), 0);
	assert_true(config_equal(&a, &b));
	assert_int_equal(load_ok(N1 N2 N3, &b), 0);
	assert_false(config_equal(&a, &b));
	assert_int_equal(load_ok("[global]\nhold-down = 3s\n" N1 N2, &b), 0);
	assert_false(config_equal(&a, &b));
	assert_int_equal(load_ok("[global]\nrelay = yes\n" N1 N2, &b), 0);
	assert_true(b.relay);
	assert_false(config_equal(&a, &b));
	assert_int_equal(load_ok("[global]\nrelay-port = 3787\n" N1 N2, &b), 0);
	assert_false(config_equal(&a, &b));
	assert_int_equal(load_ok(N2 N1, &b), 0);
	assert_false(config_equal(&a, &b));
	assert_int_equal(load_ok("[global]\nmtu-probe = off\n" N1 N2, &b), 0);
	assert_false(config_equal(&a, &b));
	assert_int_equal(load_ok("[global]\nmtu-probe-interval = 200ms\n" N1 N2, &b), 0);
	assert_false(config_equal(&a, &b));
	assert_int_equal(load_ok("[global]\nmtu-probe = auto\nmtu-probe-interval = 100ms\n" N1 N2, &b), 0);
	assert_true(config_equal(&a, &b));
}

/* find_self: one message, exact, on every failure. */
static void expect_self(const struct mr_config *cfg, const char *name, const char *const *addrs,
    int want, const char *want_msg)
{
	struct mr_addr local[4];
	int n = 0, got;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (; addrs && addrs[n]; n++)
		assert_int_equal(mr_addr_parse(addrs[n], &local[n]), 0);
	got = config_find_self(cfg, name, local, n, f);
	fclose(f);
	if (got != want || strcmp(out, want_msg) != 0)
		fail_msg("find_self(%s): expected %d \"%s\", got %d \"%s\"", name ? name : "NULL",
		    want, want_msg, got, out);
	free(out);
}

static void test_find_self(void **state)
{
	struct mr_config cfg;

	(void)state;
	assert_int_equal(load_ok(N1 N2 "[node n3]\naddress = 10.0.0.3\naddress = fd00::3\nlan = e\nfast = p\n",
	    &cfg), 0);
	expect_self(&cfg, "n2", NULL, 1, "");
	expect_self(&cfg, "n9", NULL, -1, "no node named \"n9\" in t.conf\n");
	expect_self(&cfg, NULL, (const char *[]){ "192.168.1.5", "10.0.0.2", NULL }, 1, "");
	expect_self(&cfg, NULL, (const char *[]){ "fd00::3", NULL }, 2, "");
	expect_self(&cfg, NULL, (const char *[]){ "10.0.0.3", "fd00::3", NULL }, 2, "");
	expect_self(&cfg, NULL, (const char *[]){ "192.168.1.5", NULL }, -1,
	    "none of this host's addresses is in t.conf (name the node instead)\n");
	expect_self(&cfg, NULL, NULL, -1, "none of this host's addresses is in t.conf (name the node instead)\n");
	expect_self(&cfg, NULL, (const char *[]){ "10.0.0.1", "fd00::3", "10.0.0.3", NULL }, -1,
	    "addresses of several nodes are local: n1 (10.0.0.1), n3 (fd00::3 10.0.0.3)\n");
}

/* All errors of a file are reported, sorted by line, also those found only later. */
static void test_all_errors(void **state)
{
	struct mr_config cfg;
	int rc;
	char *out;
	const char *want =
	    "t.conf:2: auth-type keyed-md5 needs auth-key-file\n"
	    "t.conf:3: multiplier: 0 is out of range (1..255)\n"
	    "t.conf:4: [node n1]: missing key \"lan\" (exactly one LAN interface)\n"
	    "t.conf:10: fast: eno1 is also the lan port of [node n2] (line 9)\n"
	    "t.conf:12: address: 10.0.0.2 of [node n3] is already used by [node n2] at line 8\n"
	    "t.conf:15: expected \"key = value\", [global] or [node NAME]\n";

	(void)state;
	out = load_errors(
	    "[global]\n"
	    "auth-type = keyed-md5\n"
	    "multiplier = 0\n"
	    "[node n1]\n"
	    "address = 10.0.0.1\n"
	    "fast = p1\n"
	    "[node n2]\n"
	    "address = 10.0.0.2\n"
	    "lan = eno1\n"
	    "fast = p1 eno1\n"
	    "[node n3]\n"
	    "address = 10.0.0.2\n"
	    "lan = e\n"
	    "fast = p\n"
	    "bogus line\n", &rc, &cfg);
	if (rc != -1 || strcmp(out, want) != 0)
		fail_msg("expected rc -1 and:\n%s\nactual rc %d:\n%s", want, rc, out);
	free(out);
}

static void test_too_many_nodes(void **state)
{
	char text[4096] = "", *out;
	struct mr_config cfg;
	int rc, len = 0;

	(void)state;
	for (int i = 1; i <= MR_MAX_NODES + 2; i++)
		len += snprintf(text + len, sizeof(text) - len,
		    "[node n%d]\naddress = 10.0.0.%d\nlan = e\nfast = p\n", i, i);
	out = load_errors(text, &rc, &cfg);
	/* The 17th header is on line 16 * 4 + 1. */
	if (rc != -1 || strcmp(out, "t.conf:65: too many nodes: at most 16\n") != 0)
		fail_msg("expected rc -1 and t.conf:65: too many nodes, got rc %d:\n%s", rc, out);
	free(out);
	text[0] = '\0';
	len = 0;
	for (int i = 1; i <= MR_MAX_NODES; i++)
		len += snprintf(text + len, sizeof(text) - len,
		    "[node n%d]\naddress = 10.0.0.%d\nlan = e\nfast = p\n", i, i);
	assert_int_equal(load_ok(text, &cfg), 0);
	assert_int_equal(cfg.nnodes, MR_MAX_NODES);
}

/* A node with the most fast ports, each with the longest name: "fast" given four times. */
static void test_most_fast_ports(void **state)
{
	char text[2048], *t = text;
	struct mr_config cfg;
	char *out;
	int rc;

	(void)state;
	t += sprintf(t, "[node n1]\naddress = 10.0.0.1\nlan = eno1\n");
	for (int i = 0; i < MR_MAX_FAST; i++)
		t += sprintf(t, "%s fastport%07d%s", i % 8 ? "" : "fast =", i, i % 8 == 7 ? "\n" : "");
	strcpy(t, N2);
	assert_int_equal(load_ok(text, &cfg), 0);
	assert_int_equal(cfg.nodes[0].nfast, MR_MAX_FAST);
	assert_string_equal(cfg.nodes[0].fast[MR_MAX_FAST - 1], "fastport0000031");

	/* One more on a line of its own, and one listed again on another line. */
	strcpy(t, "fast = fastport0000001 p33\n" N2);
	out = load_errors(text, &rc, &cfg);
	if (rc != -1 || strcmp(out, "t.conf:8: fast: fastport0000001 listed twice\n"
	    "t.conf:8: fast: too many ports (at most 32)\n") != 0)
		fail_msg("expected rc -1, a port listed twice and too many ports, got rc %d:\n%s", rc, out);
	free(out);
}

/* A file: config_load() reads it; a NUL byte, a missing or huge file are errors. */
static void test_files(void **state)
{
	char path[] = "/tmp/test_config.XXXXXX";
	struct mr_config cfg;
	char *out;
	FILE *f;
	int fd, rc;
	static const char good[] = N1 N2;
	static const char nul[] = "[global]\ninterval = 1s\n\0\n" N1 N2;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fwrite(good, 1, sizeof(good) - 1, f);
	fclose(f);
	assert_int_equal(config_load(path, &cfg, stderr), 0);
	assert_string_equal(cfg.path, path);

	f = fopen(path, "w");
	fwrite(nul, 1, sizeof(nul) - 1, f);
	fclose(f);
	out = load_errors_at(path, NULL, &rc, &cfg);
	if (rc != -1 || !has_error(out, path, ":3: line contains a NUL byte") || count_lines(out) != 1)
		fail_msg("NUL byte: expected %s:3: line contains a NUL byte, got rc %d:\n%s", path, rc, out);
	free(out);

	f = fopen(path, "w");
	for (int i = 0; i < (1 << 20) / 10 + 1; i++)
		fputs("#23456789\n", f);
	fclose(f);
	out = load_errors_at(path, NULL, &rc, &cfg);
	if (rc != -1 || strstr(out, "file too large") == NULL)
		fail_msg("expected file too large, got rc %d:\n%s", rc, out);
	free(out);

	unlink(path);
	out = load_errors_at(path, NULL, &rc, &cfg);
	if (rc != -1 || strstr(out, ": cannot open: No such file or directory") == NULL)
		fail_msg("expected cannot open, got rc %d:\n%s", rc, out);
	free(out);
}

/* The shipped example is valid and says what the defaults are. */
static void test_example(void **state)
{
	struct mr_config ex, def;

	(void)state;
	assert_int_equal(config_load("etc/meshroute.conf.example", &ex, stderr), 0);
	assert_int_equal(ex.nnodes, 3);
	assert_int_equal(load_ok(N1 N2, &def), 0);
	assert_int_equal(ex.interval_us, def.interval_us);
	assert_int_equal(ex.lan_interval_us, def.lan_interval_us);
	assert_int_equal(ex.hold_down_us, def.hold_down_us);
	assert_int_equal(ex.multiplier, def.multiplier);
	assert_int_equal(ex.set_sysctl, def.set_sysctl);
	assert_int_equal(ex.relay, def.relay);
	assert_int_equal(ex.relay_port, def.relay_port);
	assert_int_equal(ex.auth_type, def.auth_type);
	assert_string_equal(ex.control_socket, def.control_socket);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (fread(buf, 1, n, f) != (size_t)n)
		n = 0;
	fclose(f);
	return buf;
}

/*
 * tests/config/X.conf with X.plan: loads, prints every node's plan (blank
 * line between) and compares; also round-trips it.  With X.err: must fail
 * with exactly that output.  MR_UPDATE_GOLDEN=1 rewrites the expected files.
 */
static void test_golden(void **state)
{
	const char *conf = *state;
	char base[512], expect_path[600], *want, *got = NULL, *text;
	size_t len = 0;
	struct mr_config *cfg = malloc(sizeof(*cfg));
	bool is_err;
	FILE *out;
	int rc;

	snprintf(base, sizeof(base), "%.*s", (int)(strlen(conf) - 5), conf);
	snprintf(expect_path, sizeof(expect_path), "%s.err", base);
	is_err = access(expect_path, F_OK) == 0;
	if (!is_err)
		snprintf(expect_path, sizeof(expect_path), "%s.plan", base);

	out = open_memstream(&got, &len);
	rc = config_load(conf, cfg, is_err ? out : stderr);
	if (!is_err && rc == 0) {
		for (int i = 0; i < cfg->nnodes; i++) {
			if (i > 0)
				fputc('\n', out);
			config_print_plan(cfg, i, out);
		}
	}
	fclose(out);

	if (getenv("MR_UPDATE_GOLDEN") != NULL) {
		FILE *f = fopen(expect_path, "w");

		fputs(got, f);
		fclose(f);
	}
	want = read_all(expect_path);
	if (want == NULL)
		fail_msg("%s: missing expected output %s (MR_UPDATE_GOLDEN=1 writes it)", conf, expect_path);
	if (rc != (is_err ? -1 : 0) || strcmp(want, got) != 0) {
		print_error("%s: rc %d\n--- expected (%s)\n%s--- actual\n%s---\n", conf, rc, expect_path, want, got);
		fail();
	}
	if (!is_err) {
		text = read_all(conf);
		round_trip(conf, text);
		free(text);
	}
	free(want);
	free(got);
	free(cfg);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_auth_names),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_mtu_interval),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_config_equal),
		cmocka_unit_test(test_find_self),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_too_many_nodes),
		cmocka_unit_test(test_most_fast_ports),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_example),
	};
	size_t nbad = sizeof(bad_cases) / sizeof(bad_cases[0]);
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	char *golden[64];
	size_t ngolden = 0, n = 0;
	struct CMUnitTest *tests;
	struct dirent *de;
	DIR *d;
	int rc;

	/* One cmocka test per golden file and per bad config, so each is named in the report. */
	d = opendir(GOLDEN_DIR);
	if (d == NULL) {
		fprintf(stderr, "cannot open %s: run the tests from the repository root\n", GOLDEN_DIR);
		return 1;
	}
	while ((de = readdir(d)) != NULL && ngolden < sizeof(golden) / sizeof(golden[0])) {
		size_t l = strlen(de->d_name);

		if (l > 5 && strcmp(de->d_name + l - 5, ".conf") == 0 &&
		    asprintf(&golden[ngolden], GOLDEN_DIR "/%s", de->d_name) > 0)
			ngolden++;
	}
	closedir(d);
	qsort(golden, ngolden, sizeof(golden[0]), cmp_str);

	tests = calloc(nfixed + nbad + ngolden, sizeof(*tests));
	for (size_t i = 0; i < nfixed; i++)
		tests[n++] = fixed[i];
	for (size_t i = 0; i < nbad; i++)
		tests[n++] = (struct CMUnitTest){ .name = bad_cases[i].name, .test_func = test_bad_case,
		    .initial_state = (void *)&bad_cases[i] };
	for (size_t i = 0; i < ngolden; i++)
		tests[n++] = (struct CMUnitTest){ .name = golden[i], .test_func = test_golden,
		    .initial_state = golden[i] };
	rc = _cmocka_run_group_tests("config", tests, n, NULL, NULL);
	for (size_t i = 0; i < ngolden; i++)
		free(golden[i]);
	free(tests);
	return rc;
}
