// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of status.c: the text table, JSON validity and keys, Prometheus exposition grammar. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "status.h"

#define NOW MTIME_S(100000)

#define CONF "[global]\ninterval = 20ms\nlan-interval = 100ms\n" \
	     "[node alpha]\naddress = 10.0.0.1\naddress = fd00::1\nlan = eno1\nfast = p1 p2\n" \
	     "[node beta]\naddress = 10.0.0.2\naddress = fd00::2\nlan = eno1\nfast = p1 p2\n" \
	     "[node gamma]\naddress = 10.0.0.3\nlan = eno1\nfast = p1 p2\n"

/* How one session of the fixture looks; remote_discr 0 = never heard. */
struct sess_spec {
	int port, peer, family;
	uint8_t state, remote_state;
	mtime_t since;			/* age at NOW, us */
	uint32_t flaps, remote_discr;
	uint32_t tx_us, rx_us, remote_tx_us;	/* eff_desired_min_tx, eff_required_min_rx, remote desired */
	uint8_t remote_mult;
	uint32_t last_detect_us;
	uint8_t last_down_diag;
	uint64_t tx, rx;
};

static const struct sess_spec fixture[] = {
	/* p1 is cabled to beta, p2 to gamma; eno1 is the LAN. */
	{ 0, 1, AF_INET, BFD_STATE_UP, BFD_STATE_UP, 65300000, 2, 4660, 20000, 20000, 30000, 3,
	  61500, BFD_DIAG_TIME_EXPIRED, 1000, 990 },
	{ 0, 1, AF_INET6, BFD_STATE_UP, BFD_STATE_UP, 2000000, 0, 4661, 20000, 20000, 20000, 3,
	  0, 0, 100, 99 },
	{ 0, 2, AF_INET, BFD_STATE_DOWN, BFD_STATE_DOWN, 10000000, 0, 0, 50000, 20000, 0, 0, 0, 0,
	  40, 0 },
	{ 1, 1, AF_INET, BFD_STATE_DOWN, BFD_STATE_DOWN, 10000000, 0, 0, 50000, 20000, 0, 0, 0, 0,
	  40, 0 },
	{ 1, 2, AF_INET, BFD_STATE_INIT, BFD_STATE_DOWN, 250000, 0, 77, 50000, 20000, 1000000, 3,
	  0, 0, 12, 5 },
	{ 2, 1, AF_INET, BFD_STATE_UP, BFD_STATE_UP, MTIME_S(3 * 3600 + 4 * 60), 0, 99, 100000,
	  100000, 100000, 3, 0, 0, 5001, 5000 },
	{ 2, 2, AF_INET, BFD_STATE_DOWN, BFD_STATE_ADMIN_DOWN, 10000000, 1, 0, 100000, 100000, 0,
	  0, 0, BFD_DIAG_NEIGHBOR_DOWN, 40, 0 },
};

#define NFIXTURE (int)(sizeof(fixture) / sizeof(fixture[0]))

static struct mr_daemon *daemon_fixture(void)
{
	static const char *const port_names[] = { "p1", "p2", "eno1" };
	static const int ifindex[] = { 11, 12, 2 };
	struct mr_daemon *d = calloc(1, sizeof(*d));
	int i;

	assert_non_null(d);
	if (config_load_string("t.conf", CONF, &d->cfg, stderr) != 0)
		fail_msg("fixture config does not load");
	d->self = 0;
	d->nports = 3;
	for (i = 0; i < 3; i++) {
		snprintf(d->ports[i].name, sizeof(d->ports[i].name), "%s", port_names[i]);
		d->ports[i].ifindex = ifindex[i];
		d->ports[i].carrier = true;
		d->ports[i].lan = i == 2;
	}
	d->ports[1].drained = true;	/* p2: meshroutectl drain p2 */
	d->sess = calloc(NFIXTURE, sizeof(*d->sess));
	assert_non_null(d->sess);
	d->nsess = NFIXTURE;
	for (i = 0; i < NFIXTURE; i++) {
		const struct sess_spec *f = &fixture[i];
		struct mr_sess *s = &d->sess[i];
		struct bfd_session_params p = { 20000, 20000, 3, 50000 };

		bfd_session_init(&s->bfd, &p, 1000 + (uint32_t)i, 1, NOW - f->since);
		s->port = &d->ports[f->port];
		s->peer = f->peer;
		s->local = f->family == AF_INET6 ? d->cfg.nodes[0].addr6 : d->cfg.nodes[0].addr4;
		s->remote = f->family == AF_INET6 ? d->cfg.nodes[f->peer].addr6
						  : d->cfg.nodes[f->peer].addr4;
		s->fd = -1;
		s->bfd.state = f->state;
		s->bfd.remote_state = f->remote_state;
		s->bfd.remote_discr = f->remote_discr;
		s->bfd.eff_desired_min_tx = f->tx_us;
		s->bfd.eff_required_min_rx = f->rx_us;
		s->bfd.remote_desired_min_tx = f->remote_tx_us;
		s->bfd.remote_min_rx = f->remote_discr ? f->rx_us : 1;
		s->bfd.remote_detect_mult = f->remote_mult;
		s->up_since = f->state == BFD_STATE_UP ? NOW - f->since : 0;
		s->flaps = f->flaps;
		s->last_detect_us = f->last_detect_us;
		/* One session with counts from link reports, the rest without. */
		s->loss_permille = i == 0 ? 53 : -1;
		s->loss_to_permille = i == 0 ? 0 : -1;
		s->report_at = i == 0 ? NOW - MTIME_S(1) : 0;
		s->last_down_diag = f->last_down_diag;
		s->tx_packets = f->tx;
		s->rx_packets = f->rx;
	}
	for (i = 0; i < MR_MAX_NODES; i++) {
		d->peers[i].node = i;
		d->peers[i].rt[0].recheck_at = d->peers[i].rt[1].recheck_at = MTIME_NEVER;
	}
	/* beta over p1 in both families, gamma (IPv4 only) on the LAN since start */
	path_add_oif(&d->peers[1].rt[0].installed, 11);
	d->peers[1].rt[0].installed_known = true;
	d->peers[1].rt[0].changed_at = NOW - 65000000;
	path_add_oif(&d->peers[1].rt[1].installed, 11);
	d->peers[1].rt[1].installed_known = true;
	d->peers[1].rt[1].changed_at = NOW - 1000000;
	d->peers[2].rt[0].installed_known = true;
	/*
	 * MTU sessions: p1 probes 9000 bytes, failed towards beta (its 1500-byte
	 * probes arrive), nothing to judge towards gamma; p2 does not probe.
	 */
	d->msess = calloc(4, sizeof(*d->msess));
	assert_non_null(d->msess);
	d->nmsess = 4;
	for (i = 0; i < 4; i++) {
		struct mr_sess *m = &d->msess[i];
		struct bfd_session_params p = { 100000, 100000, 3, 100000 };

		bfd_session_init(&m->bfd, &p, 2000 + (uint32_t)i, 1, NOW - MTIME_S(10));
		m->mtu = true;
		m->port = &d->ports[i / 2];
		m->peer = 1 + i % 2;
		m->local = d->cfg.nodes[0].addr4;
		m->remote = d->cfg.nodes[m->peer].addr4;
		m->fd = -1;
		m->pad_to = i < 2 ? 9000 : 0;
		m->verdict = i == 0 ? MTU_FAILED : i == 1 ? MTU_UNKNOWN : MTU_OFF;
	}
	d->msess[0].passes = 1500;
	d->msess[0].passes_at = NOW - MTIME_MS(100);
	d->msess[0].flaps = 1;
	d->msess[0].tx_packets = 50;
	d->msess[0].rx_packets = 40;
	d->msess[1].passes = 1500;	/* too old to count: 300 ms is the MTU detection time */
	d->msess[1].passes_at = NOW - MTIME_MS(300);
	d->drops[MR_DROP_TTL] = 3;
	d->drops[MR_DROP_KERNEL] = 7;
	d->drops[MR_DROP_DECODE] = 2;
	d->drop_decode[BFD_DECODE_SHORT] = 2;
	/* The cable of p1 to beta: link reports with round-trip times, and beta's port name. */
	d->lm.links = calloc(1, sizeof(*d->lm.links));
	assert_non_null(d->lm.links);
	d->lm.nlinks = 1;
	d->lm.links[0].port = &d->ports[0];
	d->lm.links[0].peer = 1;
	snprintf(d->lm.links[0].peer_port, sizeof(d->lm.links[0].peer_port), "fast1");
	rtt_add(&d->lm.links[0].rtt, 120, NOW - MTIME_S(2));
	rtt_add(&d->lm.links[0].rtt, 140, NOW - MTIME_S(2));
	rtt_add(&d->lm.links[0].rtt, 100, NOW - MTIME_S(1));
	d->lm.tx_packets = 7;
	d->lm.rx_packets = 6;
	d->lm.drops[LINKMSG_DROP_MAGIC] = 1;
	return d;
}

static void daemon_free(struct mr_daemon *d)
{
	free(d->sess);
	free(d->msess);
	free(d->lm.links);
	free(d);
}

typedef void (*render_fn)(const struct mr_daemon *d, mtime_t now, FILE *out);

static char *render(render_fn fn, const struct mr_daemon *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(d, NOW, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* ---- text ---- */

/* The line of text whose whitespace-separated words are exactly `want`, joined by one space. */
static bool has_row(const char *text, const char *want)
{
	const char *line = text;

	while (*line) {
		const char *end = strchr(line, '\n');
		char norm[512];
		size_t n = 0;
		bool space = false;

		if (!end)
			end = line + strlen(line);
		for (const char *p = line; p < end && n < sizeof(norm) - 2; p++) {
			if (isspace((unsigned char)*p)) {
				space = n > 0;
				continue;
			}
			if (space)
				norm[n++] = ' ';
			space = false;
			norm[n++] = *p;
		}
		norm[n] = '\0';
		if (strcmp(norm, want) == 0)
			return true;
		line = *end ? end + 1 : end;
	}
	return false;
}

static const char *const text_rows[] = {
	"node alpha",
	"PEER ADDRESS PATH SINCE",
	"beta 10.0.0.2 p1 1m05s",
	"beta fd00::2 p1 1.0s",
	"gamma 10.0.0.3 LAN -",
	"PEER PORT LINK AF STATE REMOTE SINCE FLAPS RDISCR TX(ms) DETECT(ms) LASTDET(ms) "
	"LOSS%(IN/OUT) RTT(ms) TX_PKTS RX_PKTS MTU",
	"beta p1 mtu ipv4 Up Up 1m05s 2 4660 20 90 61.5 5.3/0 0.12 1000 990 failed 9000, 1500 passes",
	"beta p1 mtu ipv6 Up Up 2.0s 0 4661 20 60 - - 0.12 100 99 failed 9000, 1500 passes",
	"gamma p2 drained ipv4 Init Down 250ms 0 77 50 3000 - - - 12 5 -",
	"beta eno1 ok ipv4 Up Up 3h04m 0 99 100 300 - - - 5001 5000 -",
	"gamma eno1 ok ipv4 Down AdminDown 10.0s 1 - 100 0 - - - 40 0 -",
	"p1: 1 silent candidate session(s) not shown (Down, nothing received)",
	"p2: 1 silent candidate session(s) not shown (Down, nothing received)",
	"beta via p1 (ipv6): loss: unknown, the peer sends no counts (no link reports, no "
	"meticulous authentication)",
	"drops: decode 2 (short 2), ttl 3, no_session 0, wrong_port 0, auth 0, admin_down 0, kernel 7",
	"link reports: sent 7, received 6, dropped: magic 1, ttl 0, decode 0, sender 0, port 0, replay 0",
};

static void test_text_rows(void **state)
{
	struct mr_daemon *d = daemon_fixture();
	char *text = render(status_text, d);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(text_rows) / sizeof(text_rows[0]); i++)
		if (!has_row(text, text_rows[i]))
			fail_msg("expected a row \"%s\" in:\n%s", text_rows[i], text);
	/* Silent candidates are folded, not listed. */
	if (strstr(text, "gamma  p1"))
		fail_msg("silent candidate gamma via p1 listed:\n%s", text);
	free(text);
	daemon_free(d);
}

/* The line that starts with `start` and contains `part`, or NULL; *len gets its length. */
static const char *find_line(const char *text, const char *start, const char *part, size_t *len)
{
	const char *line = text;

	while (*line) {
		const char *end = strchr(line, '\n');
		char buf[512];

		if (!end)
			end = line + strlen(line);
		*len = (size_t)(end - line);
		snprintf(buf, sizeof(buf), "%.*s", (int)*len, line);
		if (strncmp(buf, start, strlen(start)) == 0 && strstr(buf, part))
			return line;
		line = *end ? end + 1 : end;
	}
	return NULL;
}

static void test_text_columns_aligned(void **state)
{
	struct mr_daemon *d = daemon_fixture();
	char *text = render(status_text, d);
	const char *hdr, *row;
	size_t hdr_len, row_len;

	(void)state;
	hdr = find_line(text, "PEER ", "RX_PKTS", &hdr_len);
	row = find_line(text, "beta ", " 4660 ", &row_len);
	if (!hdr || !row)
		fail_msg("no session header or row in:\n%s", text);
	/* Right-aligned numbers: RX_PKTS ends where its header ends (MTU, text, follows). */
	{
		const char *h = strstr(hdr, "RX_PKTS"), *c = strstr(row, " 990 ");

		if (!h || !c || h - hdr + 7 != c - row + 4 || (size_t)(c - row) > row_len)
			fail_msg("header and row end in different columns (%zu, %zu):\n%s",
				 h ? (size_t)(h - hdr + 7) : 0, c ? (size_t)(c - row + 4) : 0, text);
		(void)hdr_len;
	}
	free(text);
	daemon_free(d);
}

/* ---- JSON: a strict validator for what RFC 8259 allows ---- */

struct json {
	const char *p;
};

static bool json_value(struct json *j, int depth);

static void json_ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool json_string(struct json *j)
{
	if (*j->p++ != '"')
		return false;
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)j->p[i]))
						return false;
				j->p += 4;
			} else if (!strchr("\"\\/bfnrt", *j->p) || !*j->p) {
				return false;
			}
		}
		j->p++;
	}
	j->p++;
	return true;
}

static bool json_number(struct json *j)
{
	const char *p = j->p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (isdigit((unsigned char)*p))
			p++;
	else
		return false;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	j->p = p;
	return true;
}

static bool json_container(struct json *j, int depth, char close, bool object)
{
	j->p++;
	json_ws(j);
	if (*j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (object) {
			if (!json_string(j))
				return false;
			json_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!json_value(j, depth + 1))
			return false;
		json_ws(j);
		if (*j->p == close) {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool json_value(struct json *j, int depth)
{
	if (depth > 32)
		return false;
	json_ws(j);
	switch (*j->p) {
	case '{':
		return json_container(j, depth, '}', true);
	case '[':
		return json_container(j, depth, ']', false);
	case '"':
		return json_string(j);
	case 't':
		return strncmp(j->p, "true", 4) == 0 && (j->p += 4);
	case 'f':
		return strncmp(j->p, "false", 5) == 0 && (j->p += 5);
	case 'n':
		return strncmp(j->p, "null", 4) == 0 && (j->p += 4);
	default:
		return json_number(j);
	}
}

/* One JSON value and nothing but white space after it. */
static bool json_valid(const char *s)
{
	struct json j = { s };

	if (!json_value(&j, 0))
		return false;
	json_ws(&j);
	return *j.p == '\0';
}

static void test_json_validator_rejects(void **state)
{
	static const char *const bad[] = {
		"", "{", "{\"a\"}", "{\"a\":1,}", "[1 2]", "{\"a\":01}", "\"x\n\"", "{a:1}",
		"[1] x", "{\"a\":.5}", "{\"a\":\"\\x\"}", "nul",
	};
	size_t i;

	(void)state;
	/* A checker that accepts everything would make the tests below worthless. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json_valid(bad[i]))
			fail_msg("validator accepted invalid JSON: %s", bad[i]);
	assert_true(json_valid("{\"a\":[1,-2.5e3,\"\\u00e9\",null,true,{}]}\n"));
}

static const char *const json_parts[] = {
	"{\"node\":\"alpha\",\"peers\":[",
	"{\"name\":\"beta\",\"family\":\"ipv4\",\"address\":\"10.0.0.2\",\"path\":[\"p1\"],\"via\":\"fast\","
	"\"relay\":null,\"path_since_s\":65.000}",
	"{\"name\":\"beta\",\"family\":\"ipv6\",\"address\":\"fd00::2\",\"path\":[\"p1\"],"
	"\"via\":\"fast\",\"relay\":null,\"path_since_s\":1.000}",
	"{\"name\":\"gamma\",\"family\":\"ipv4\",\"address\":\"10.0.0.3\",\"path\":[],\"via\":\"lan\","
	"\"relay\":null,\"path_since_s\":null}",
	"{\"peer\":\"beta\",\"port\":\"p1\",\"link\":\"mtu\",\"family\":\"ipv4\",\"state\":\"Up\",\"remote_state\":\"Up\","
	"\"since_s\":65.300,\"flaps\":2,\"local_discr\":1000,\"remote_discr\":4660,"
	"\"tx_interval_ms\":20,\"detect_time_ms\":90,\"last_detect_ms\":61.5,\"loss_pct\":5.3,"
	"\"loss_to_peer_pct\":0,\"loss_source\":\"reports\",\"rtt_ms\":0.12,\"jitter_ms\":0.03,"
	"\"peer_port\":\"fast1\",\"last_down_diag\":\"time-expired\",\"tx_packets\":1000,\"rx_packets\":990,"
	"\"mtu_verdict\":\"failed\",\"mtu_ok\":false,\"mtu_size\":9000,\"mtu_passes\":1500,"
	"\"mtu_state\":\"Down\",\"mtu_flaps\":1}",
	/* The silent candidate on p1: a probing port, nothing to judge, an old probe not counted. */
	"\"mtu_verdict\":\"unknown\",\"mtu_ok\":false,\"mtu_size\":9000,\"mtu_passes\":null,",
	/* p2 does not probe; the LAN never does. */
	"\"rx_packets\":5,\"mtu_verdict\":\"off\",\"mtu_ok\":null,\"mtu_size\":null,\"mtu_passes\":null,"
	"\"mtu_state\":null,\"mtu_flaps\":0}",
	"\"rx_packets\":5000,\"mtu_verdict\":null,\"mtu_ok\":null,\"mtu_size\":null,\"mtu_passes\":null,"
	"\"mtu_state\":null,\"mtu_flaps\":null}",
	"{\"peer\":\"gamma\",\"port\":\"p1\",\"link\":\"ok\",\"family\":\"ipv4\",\"state\":\"Down\",\"remote_state\":\"Down\","
	"\"since_s\":10.000,\"flaps\":0,\"local_discr\":1002,\"remote_discr\":null,",
	"\"drops\":{\"decode\":2,\"ttl\":3,\"no_session\":0,\"wrong_port\":0,\"auth\":0,"
	"\"admin_down\":0,\"kernel\":7}",
	"\"decode_errors\":{\"short\":2,\"version\":0,",
	"\"auth_errors\":{\"auth_not_expected\":0,\"auth_missing\":0,",
	/* IPv6 to beta over the same cable: no counts of its own, the cable's RTT. */
	"\"loss_pct\":null,\"loss_to_peer_pct\":null,\"loss_source\":\"none\",\"rtt_ms\":0.12,"
	"\"jitter_ms\":0.03,\"peer_port\":\"fast1\",",
	/* The LAN: no link reports there. */
	"\"loss_pct\":null,\"loss_to_peer_pct\":null,\"loss_source\":null,\"rtt_ms\":null,"
	"\"jitter_ms\":null,\"peer_port\":null,",
	"\"link_reports\":{\"sent\":7,\"received\":6,\"send_errors\":0,\"drops\":{\"magic\":1,"
	"\"ttl\":0,\"decode\":0,\"sender\":0,\"port\":0,\"replay\":0},\"decode_errors\":{\"length\":0,",
};

static void test_json(void **state)
{
	struct mr_daemon *d = daemon_fixture();
	char *js = render(status_json, d);
	size_t i;

	(void)state;
	if (!json_valid(js))
		fail_msg("invalid JSON:\n%s", js);
	for (i = 0; i < sizeof(json_parts) / sizeof(json_parts[0]); i++)
		if (!strstr(js, json_parts[i]))
			fail_msg("expected %s\nin:\n%s", json_parts[i], js);
	/* JSON lists every session, silent candidates included. */
	{
		int n = 0;

		for (const char *p = js; (p = strstr(p, "\"peer\":")); p++)
			n++;
		assert_int_equal(n, NFIXTURE);
	}
	free(js);
	daemon_free(d);
}

/* Names the config would refuse still come out as valid JSON and metrics. */
static void test_escaping(void **state)
{
	struct mr_daemon *d = daemon_fixture();
	char *js, *text;

	(void)state;
	snprintf(d->cfg.nodes[2].name, sizeof(d->cfg.nodes[2].name), "ga\"m\\m\na\x01");
	js = render(status_json, d);
	if (!json_valid(js))
		fail_msg("invalid JSON:\n%s", js);
	assert_non_null(strstr(js, "\"name\":\"ga\\\"m\\\\m\\u000aa\\u0001\""));
	text = render(status_metrics, d);
	assert_non_null(strstr(text, "meshroute_peer_path_fast{peer=\"ga\\\"m\\\\m\\na\x01\",family=\"ipv4\"} 0\n"));
	free(js);
	free(text);
	daemon_free(d);
}

/* ---- metrics: the text exposition format 0.0.4 ---- */

static bool metric_name(const char **p)
{
	const char *s = *p;

	if (!(isalpha((unsigned char)*s) || *s == '_' || *s == ':'))
		return false;
	while (isalnum((unsigned char)*s) || *s == '_' || *s == ':')
		s++;
	*p = s;
	return true;
}

static bool label_set(const char **p)
{
	const char *s = *p;

	if (*s != '{')
		return true;
	s++;
	while (*s != '}') {
		if (!(isalpha((unsigned char)*s) || *s == '_'))
			return false;
		while (isalnum((unsigned char)*s) || *s == '_')
			s++;
		if (*s++ != '=' || *s++ != '"')
			return false;
		while (*s != '"') {
			if (*s == '\0' || *s == '\n')
				return false;
			if (*s == '\\') {
				s++;
				if (*s != '\\' && *s != '"' && *s != 'n')
					return false;
			}
			s++;
		}
		s++;
		if (*s == ',')
			s++;
		else if (*s != '}')
			return false;
	}
	*p = s + 1;
	return true;
}

#define MAX_FAMILIES 64

struct families {
	char name[MAX_FAMILIES][96];
	char type[MAX_FAMILIES][16];
	int help[MAX_FAMILIES];
	int samples[MAX_FAMILIES];
	int n;
};

static int family_find(struct families *f, const char *name, size_t len)
{
	for (int i = 0; i < f->n; i++)
		if (strlen(f->name[i]) == len && strncmp(f->name[i], name, len) == 0)
			return i;
	return -1;
}

/* Checks every line: 0, or -1 with the line number and text in err. */
#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)
static int metrics_check(const char *text, struct families *f, char *err, size_t errlen)
{
	char line[1024];
	const char *p = text;
	int lineno = 0;

	memset(f, 0, sizeof(*f));
	if (!*text || text[strlen(text) - 1] != '\n')
		BAD("empty or no final newline");
	while (*p) {
		const char *end = strchr(p, '\n'), *s, *name;
		size_t len = (size_t)(end - p);
		char *num_end;
		int i;

		lineno++;
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p = end + 1;
		if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0) {
			bool help = line[2] == 'H';

			name = s = line + 7;
			if (!metric_name(&s) || *s != ' ' || s[1] == '\0')
				BAD("line %d: bad comment: %s", lineno, line);
			i = family_find(f, name, (size_t)(s - name));
			if (i < 0) {
				if (f->n == MAX_FAMILIES)
					BAD("too many families");
				i = f->n++;
				snprintf(f->name[i], sizeof(f->name[i]), "%.*s", (int)(s - name), name);
			}
			if (help) {
				f->help[i]++;
				continue;
			}
			if (f->type[i][0] || f->samples[i])
				BAD("line %d: TYPE repeated or after samples: %s", lineno, line);
			if (strcmp(s + 1, "gauge") && strcmp(s + 1, "counter"))
				BAD("line %d: unexpected type: %s", lineno, line);
			snprintf(f->type[i], sizeof(f->type[i]), "%s", s + 1);
			continue;
		}
		if (line[0] == '#')
			BAD("line %d: unexpected comment: %s", lineno, line);
		name = s = line;
		if (!metric_name(&s))
			BAD("line %d: bad metric name: %s", lineno, line);
		i = family_find(f, name, (size_t)(s - name));
		if (i < 0 || !f->type[i][0])
			BAD("line %d: sample without TYPE: %s", lineno, line);
		if (!label_set(&s) || *s != ' ')
			BAD("line %d: bad labels: %s", lineno, line);
		s++;
		strtod(s, &num_end);
		if (num_end == s || *num_end != '\0')
			BAD("line %d: bad value: %s", lineno, line);
		if (!strcmp(f->type[i], "counter") &&
		    (strlen(f->name[i]) < 6 || strcmp(f->name[i] + strlen(f->name[i]) - 6, "_total")))
			BAD("line %d: counter not named *_total: %s", lineno, line);
		f->samples[i]++;
	}
	return 0;
}
#undef BAD

static void test_metrics_checker_rejects(void **state)
{
	static const char *const bad[] = {
		"x 1\n",					/* no TYPE */
		"# TYPE x gauge\nx{a=\"1} 1\n",		/* unterminated label */
		"# TYPE x gauge\nx{a=1} 1\n",			/* unquoted */
		"# TYPE x gauge\nx{a=\"\\q\"} 1\n",	/* bad escape */
		"# TYPE x gauge\nx 1 2 3\n",			/* trailing junk */
		"# TYPE x gauge\nx\n",				/* no value */
		"# TYPE x counter\nx 1\n",			/* counter without _total */
		"# TYPE x gauge\nx 1\n# TYPE x gauge\n",	/* TYPE twice */
		"# TYPE x summary\nx 1\n",			/* not a type we emit */
		"# TYPE x gauge\nx 1",				/* no final newline */
	};
	struct families f;
	char err[1200];

	(void)state;
	/* A checker that accepts everything would make test_metrics worthless. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (metrics_check(bad[i], &f, err, sizeof(err)) == 0)
			fail_msg("checker accepted: %s", bad[i]);
	if (metrics_check("# HELP x_total h\n# TYPE x_total counter\nx_total{a=\"\\\"\\n\"} 1e3\n",
			  &f, err, sizeof(err)) != 0)
		fail_msg("checker refused a valid exposition: %s", err);
}

static const char *const samples[] = {
	"meshroute_session_state{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 3",
	"meshroute_session_state{peer=\"gamma\",port=\"p2\",family=\"ipv4\"} 2",
	"meshroute_session_up{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 1",
	"meshroute_session_up{peer=\"gamma\",port=\"p2\",family=\"ipv4\"} 0",
	"meshroute_session_flaps_total{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 2",
	"meshroute_session_probe_loss_permille{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 53",
	"meshroute_session_lossy{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 0",
	"meshroute_session_probe_loss_to_peer_permille{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 0",
	"meshroute_session_loss_counted{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 1",
	"meshroute_session_loss_counted{peer=\"beta\",port=\"p1\",family=\"ipv6\"} 0",
	"meshroute_session_rtt_seconds{peer=\"beta\",port=\"p1\",family=\"ipv6\"} 0.000120",
	"meshroute_session_rtt_jitter_seconds{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 0.000030",
	"meshroute_link_reports_dropped_total{reason=\"magic\"} 1",
	"meshroute_session_packets_sent_total{peer=\"beta\",port=\"eno1\",family=\"ipv4\"} 5001",
	"meshroute_session_packets_received_total{peer=\"beta\",port=\"eno1\",family=\"ipv4\"} 5000",
	"meshroute_packets_dropped_total{reason=\"ttl\"} 3",
	"meshroute_packets_dropped_total{reason=\"decode\"} 2",
	"meshroute_packets_dropped_total{reason=\"kernel\"} 7",
	"meshroute_packets_decode_errors_total{error=\"short\"} 2",
	"meshroute_session_up{peer=\"beta\",port=\"p1\",family=\"ipv6\"} 1",
	"meshroute_peer_path_fast{peer=\"beta\",family=\"ipv4\"} 1",
	"meshroute_peer_path_fast{peer=\"beta\",family=\"ipv6\"} 1",
	"meshroute_peer_path_fast{peer=\"gamma\",family=\"ipv4\"} 0",
	"meshroute_peer_path_ports{peer=\"beta\",family=\"ipv4\"} 1",
	"meshroute_peer_path_ports{peer=\"gamma\",family=\"ipv4\"} 0",
	"meshroute_mtu_ok{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 0",
	"meshroute_mtu_ok{peer=\"beta\",port=\"p1\",family=\"ipv6\"} 0",
	"meshroute_mtu_probe_bytes{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 9000",
	"meshroute_mtu_passes_bytes{peer=\"beta\",port=\"p1\",family=\"ipv4\"} 1500",
	"meshroute_mtu_passes_bytes{peer=\"gamma\",port=\"p1\",family=\"ipv4\"} 0",
};

static void test_metrics(void **state)
{
	static const struct {
		const char *name, *type;
		int samples;
	} want[] = {
		{ "meshroute_session_state", "gauge", NFIXTURE },
		{ "meshroute_session_up", "gauge", NFIXTURE },
		{ "meshroute_session_flaps_total", "counter", NFIXTURE },
		{ "meshroute_session_probe_loss_permille", "gauge", 1 },	/* only with counts */
		{ "meshroute_session_probe_loss_to_peer_permille", "gauge", 1 },
		{ "meshroute_session_loss_counted", "gauge", NFIXTURE },
		/* The cable of p1 to beta, both families. */
		{ "meshroute_session_rtt_seconds", "gauge", 2 },
		{ "meshroute_session_rtt_jitter_seconds", "gauge", 2 },
		{ "meshroute_link_reports_dropped_total", "counter", LINKMSG_DROP_MAX },
		{ "meshroute_session_lossy", "gauge", NFIXTURE },
		{ "meshroute_session_packets_sent_total", "counter", NFIXTURE },
		{ "meshroute_session_packets_received_total", "counter", NFIXTURE },
		{ "meshroute_packets_dropped_total", "counter", MR_DROP_MAX },
		{ "meshroute_peer_path_fast", "gauge", 3 },
		{ "meshroute_peer_path_ports", "gauge", 3 },
		{ "meshroute_peer_path_relayed", "gauge", 3 },
		{ "meshroute_relay_adverts_dropped_total", "counter", RELAY_DROP_MAX },
		/* Sessions on p1, the probing port: beta in both families, gamma. */
		{ "meshroute_mtu_ok", "gauge", 3 },
		{ "meshroute_mtu_probe_bytes", "gauge", 3 },
		{ "meshroute_mtu_passes_bytes", "gauge", 3 },
	};
	struct mr_daemon *d = daemon_fixture();
	char *text = render(status_metrics, d);
	struct families f;
	char err[1200];
	size_t i;

	(void)state;
	if (metrics_check(text, &f, err, sizeof(err)) != 0)
		fail_msg("%s in:\n%s", err, text);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int k = family_find(&f, want[i].name, strlen(want[i].name));

		if (k < 0)
			fail_msg("no family %s in:\n%s", want[i].name, text);
		if (strcmp(f.type[k], want[i].type) || f.samples[k] != want[i].samples ||
		    f.help[k] != 1)
			fail_msg("%s: expected %s with %d samples and one HELP, got %s with %d, %d HELP",
				 want[i].name, want[i].type, want[i].samples, f.type[k],
				 f.samples[k], f.help[k]);
	}
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char line[256];

		snprintf(line, sizeof(line), "\n%s\n", samples[i]);
		if (!strstr(text, line))
			fail_msg("expected sample %s in:\n%s", samples[i], text);
	}
	free(text);
	daemon_free(d);
}

/*
 * relay = on: gamma's traffic goes through beta over p1 (gamma's own cable
 * is drained); text, JSON and metrics say so, and the relay section shows
 * what beta advertised, its drops, and why this node does not relay.
 */
static void test_relayed(void **state)
{
	struct mr_daemon *d = daemon_fixture();
	struct relay_candidate c = { .node = 1, .oif = 11, .reaches = true };
	char *text, *js, *m;

	(void)state;
	d->peers[2].rt[0].installed.recheck_at = MTIME_NEVER;
	path_relay_set(&d->peers[2].rt[0].installed, &c);
	d->relay.running = true;
	d->relay.capable = false;
	snprintf(d->relay.why, sizeof(d->relay.why), "net.ipv4.conf.p1.forwarding must be 1");
	advert_table_update(&d->relay.table, 1, 7, MTIME_MS(350), 1u << 2, NOW - MTIME_MS(100),
			    NULL);
	d->relay.drops[RELAY_DROP_REPLAY] = 4;
	d->relay.rx_packets = 9;
	d->relay.tx_packets = 8;

	text = render(status_text, d);
	if (!has_row(text, "gamma 10.0.0.3 via beta (p1) -"))
		fail_msg("no relayed row in:\n%s", text);
	if (!has_row(text, "relay: on; does NOT relay for its peers: net.ipv4.conf.p1.forwarding must be 1") ||
	    !has_row(text, "beta reaches directly: gamma (expires in 250 ms)") ||
	    !has_row(text, "relay adverts: sent 8, received 9, dropped: decode 0, ttl 0, port 0, sender 0, replay 4"))
		fail_msg("relay section missing in:\n%s", text);
	js = render(status_json, d);
	if (!json_valid(js))
		fail_msg("invalid JSON:\n%s", js);
	if (!strstr(js, "{\"name\":\"gamma\",\"family\":\"ipv4\",\"address\":\"10.0.0.3\","
		    "\"path\":[\"p1\"],\"via\":\"relay\",\"relay\":\"beta\",") ||
	    !strstr(js, "\"relay\":{\"relaying\":false,\"why_not\":\"net.ipv4.conf.p1.forwarding must be 1\","
		    "\"neighbours\":[{\"name\":\"beta\",\"reaches\":[\"gamma\"],\"expires_in_ms\":250}]"))
		fail_msg("relayed path or relay section missing in JSON:\n%s", js);
	m = render(status_metrics, d);
	if (!strstr(m, "\nmeshroute_peer_path_relayed{peer=\"gamma\",family=\"ipv4\"} 1\n") ||
	    !strstr(m, "\nmeshroute_peer_path_relayed{peer=\"beta\",family=\"ipv4\"} 0\n") ||
	    !strstr(m, "\nmeshroute_relay_adverts_dropped_total{reason=\"replay\"} 4\n"))
		fail_msg("relay metrics missing in:\n%s", m);
	free(text);
	free(js);
	free(m);
	daemon_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_rows),
		cmocka_unit_test(test_text_columns_aligned),
		cmocka_unit_test(test_json_validator_rejects),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_metrics_checker_rejects),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_relayed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
