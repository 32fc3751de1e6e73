// SPDX-License-Identifier: GPL-2.0-or-later
/* Configuration: reads the INI file with libinih, checks it, prints it back. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ini.h>

#include "config.h"

/*
 * How lines are read.  Debian's libinih does not pass line numbers to the
 * handler, and ini_parse() reports only the first syntax error.  So we feed
 * it through ini_parse_stream() with our own reader, which counts lines and
 * looks at each line before inih does: the handler runs for the line the
 * reader returned last, so p->line is the handler's line.  The reader mirrors
 * inih's (v55, Debian defaults) line classification to find every syntax
 * error, section header (also those of empty sections) and continuation line.
 *
 * inih's defaults that matter: ';' and '#' start a comment at the start of a
 * line, ';' after whitespace starts one inside a line; we also strip '#'
 * after whitespace from values, so "interval = 20ms  # why" works.  inih
 * joins an indented line to the key above it (INI_ALLOW_MULTILINE); that is
 * never what a meshroute user means, so such a line is reported as an error.
 */

#define MAX_FILE_SIZE (1 << 20)	/* bytes; a real file is a few hundred */
#define MAX_ERRORS 1000		/* keeps a fuzzer's garbage from eating memory */

#define US_PER_MS 1000ULL
#define US_PER_S 1000000ULL
#define US_PER_M 60000000ULL

enum gkey {
	G_INTERVAL,
	G_MULTIPLIER,
	G_HOLD_DOWN,
	G_LAN_INTERVAL,
	G_IDLE_INTERVAL,
	G_MAX_LOSS,
	G_MTU_PROBE,
	G_MTU_PROBE_INTERVAL,
	G_SET_SYSCTL,
	G_ALERT_COMMAND,
	G_METRICS_FILE,
	G_AUTH_KEY_FILE,
	G_AUTH_TYPE,
	G_CONTROL_SOCKET,
	G_REALTIME,
	G_LOCK_MEMORY,
	G_RELAY,
	G_RELAY_PORT,
	G_RX_COALESCE,
	G_NKEYS
};

static const char *const gkey_names[G_NKEYS] = {
	[G_INTERVAL] = "interval",
	[G_MULTIPLIER] = "multiplier",
	[G_HOLD_DOWN] = "hold-down",
	[G_LAN_INTERVAL] = "lan-interval",
	[G_IDLE_INTERVAL] = "idle-interval",
	[G_MAX_LOSS] = "max-loss",
	[G_MTU_PROBE] = "mtu-probe",
	[G_MTU_PROBE_INTERVAL] = "mtu-probe-interval",
	[G_SET_SYSCTL] = "set-sysctl",
	[G_ALERT_COMMAND] = "alert-command",
	[G_METRICS_FILE] = "metrics-file",
	[G_AUTH_KEY_FILE] = "auth-key-file",
	[G_AUTH_TYPE] = "auth-type",
	[G_CONTROL_SOCKET] = "control-socket",
	[G_REALTIME] = "realtime",
	[G_LOCK_MEMORY] = "lock-memory",
	[G_RELAY] = "relay",
	[G_RELAY_PORT] = "relay-port",
	[G_RX_COALESCE] = "rx-coalesce",
};

static const char *const auth_names[] = {
	[BFD_AUTH_NONE] = "none",
	[BFD_AUTH_SIMPLE] = "simple",
	[BFD_AUTH_KEYED_MD5] = "keyed-md5",
	[BFD_AUTH_MET_KEYED_MD5] = "meticulous-keyed-md5",
	[BFD_AUTH_KEYED_SHA1] = "keyed-sha1",
	[BFD_AUTH_MET_KEYED_SHA1] = "meticulous-keyed-sha1",
};
#define NAUTH (sizeof(auth_names) / sizeof(auth_names[0]))

static const char *const mtu_probe_names[] = {
	[MR_MTU_PROBE_AUTO] = "auto",
	[MR_MTU_PROBE_ON] = "on",
	[MR_MTU_PROBE_OFF] = "off",
};
#define NMTUPROBE (sizeof(mtu_probe_names) / sizeof(mtu_probe_names[0]))

/* Allowed range of each duration key, microseconds. */
struct dur_range {
	uint64_t min, max;
	const char *text;
};

static const struct dur_range interval_range = { US_PER_MS, 60 * US_PER_S, "1ms..60s" };
static const struct dur_range hold_down_range = { 0, 60 * US_PER_M, "0s..60m" };

/* Where each key of a node was given, for messages naming both lines. */
struct node_lines {
	int addr, addr4, addr6, lan, fast;	/* addr: first address key, valid or not */
};

struct cfg_error {
	int line;
	int seq;	/* keeps errors of one line in the order found */
	char *msg;
};

enum section {
	SECT_NONE,	/* before any header */
	SECT_GLOBAL,
	SECT_NODE,
	SECT_IGNORE,	/* unknown section, already reported */
};

struct parser {
	const char *name;		/* for messages */
	const char *text;		/* the whole input */
	size_t len, pos;		/* bytes; read position */
	int line;			/* of the line last handed to inih */
	bool cont;			/* that line continues the previous key */
	bool prev_key;			/* inih would join an indented line */

	struct mr_config *cfg;
	enum section sect;
	struct mr_node *node;		/* current node, maybe &scratch */
	struct node_lines *nl;
	bool node_real;			/* node is stored in cfg */
	struct mr_node scratch;		/* a rejected node: its keys are still checked */
	struct node_lines scratch_lines;
	struct node_lines lines[MR_MAX_NODES];
	int nnode_sections;		/* [node] headers seen, valid or not */
	bool too_many_reported;

	int global_line;		/* first [global] header, 0 if none */
	int gkey_line[G_NKEYS];		/* where each global key was set */

	struct cfg_error *errs;
	int nerr, errcap;
};

static void perr(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records an error; they are printed sorted by line once the file is read. */
static void perr(struct parser *p, int line, const char *fmt, ...)
{
	struct cfg_error *e;
	va_list ap;
	char *msg;

	if (p->nerr >= MAX_ERRORS) {
		p->nerr++;
		return;
	}
	if (p->nerr == p->errcap) {
		int cap = p->errcap ? 2 * p->errcap : 16;
		struct cfg_error *n = realloc(p->errs, cap * sizeof(*n));

		if (n == NULL) {
			p->nerr++;
			return;
		}
		p->errs = n;
		p->errcap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	e = &p->errs[p->nerr];
	e->line = line;
	e->seq = p->nerr;
	e->msg = msg;
	p->nerr++;
}

static int error_cmp(const void *a, const void *b)
{
	const struct cfg_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_errors(struct parser *p, FILE *errf)
{
	int n = p->nerr < MAX_ERRORS ? p->nerr : MAX_ERRORS;

	if (n > p->errcap)
		n = p->errcap;
	if (n > 0)
		qsort(p->errs, n, sizeof(*p->errs), error_cmp);
	for (int i = 0; i < n; i++) {
		if (errf != NULL)
			fprintf(errf, "%s:%d: %s\n", p->name, p->errs[i].line,
			    p->errs[i].msg ? p->errs[i].msg : "out of memory");
		free(p->errs[i].msg);
	}
	if (p->nerr > n && errf != NULL)
		fprintf(errf, "%s: %d more errors not shown\n", p->name, p->nerr - n);
	free(p->errs);
	p->errs = NULL;
	p->nerr = p->errcap = 0;
}

/* strlcpy(): truncates to size - 1 characters, always terminated. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- value parsers: pure, each says nothing; the caller words the error ---- */

int mr_addr_parse(const char *s, struct mr_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, out->bytes) != 1)
			return -1;
		out->family = AF_INET6;
	} else {
		if (inet_pton(AF_INET, s, out->bytes) != 1)
			return -1;
		out->family = AF_INET;
	}
	return 0;
}

const char *mr_addr_str(const struct mr_addr *a, char *buf, size_t len)
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    inet_ntop(a->family, a->bytes, buf, len) == NULL)
		snprintf(buf, len, "none");
	return buf;
}

bool mr_addr_eq(const struct mr_addr *a, const struct mr_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, mr_addr_len(a->family)) == 0;
}

/* A host route to it makes sense: not unspecified, loopback, multicast, broadcast or link-local. */
static bool addr_routable(const struct mr_addr *a)
{
	const uint8_t *b = a->bytes;
	static const uint8_t zero[16];

	if (a->family == AF_INET)
		return b[0] != 0 && b[0] != 127 && b[0] < 224 &&
		    !(b[0] == 169 && b[1] == 254);
	if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
		return false;	/* :: and ::1 */
	return b[0] != 0xff && !(b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

enum dur_status { DUR_OK, DUR_BAD, DUR_NO_UNIT, DUR_OVERFLOW };

static enum dur_status parse_duration(const char *s, uint64_t *us)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = { { "us", 1 }, { "ms", US_PER_MS }, { "s", US_PER_S }, { "m", US_PER_M } };
	uint64_t n = 0;
	bool overflow = false;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return DUR_BAD;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = *p - '0';

		if (n > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			n = n * 10 + d;
	}
	if (*p == '\0')
		return DUR_NO_UNIT;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		if (overflow || n > UINT64_MAX / units[i].mult)
			return DUR_OVERFLOW;
		*us = n * units[i].mult;
		return DUR_OK;
	}
	return DUR_BAD;
}

int config_parse_duration(const char *s, uint64_t *us)
{
	return parse_duration(s, us) == DUR_OK ? 0 : -1;
}

const char *config_duration_str(uint64_t us, char *buf, size_t len)
{
	if (us == 0)
		snprintf(buf, len, "0s");
	else if (us % US_PER_M == 0)
		snprintf(buf, len, "%llum", (unsigned long long)(us / US_PER_M));
	else if (us % US_PER_S == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(us / US_PER_S));
	else if (us % US_PER_MS == 0)
		snprintf(buf, len, "%llums", (unsigned long long)(us / US_PER_MS));
	else
		snprintf(buf, len, "%lluus", (unsigned long long)us);
	return buf;
}

const char *config_auth_type_name(uint8_t type)
{
	return type < NAUTH ? auth_names[type] : "unknown";
}

/* "auto", "on", "off"; "unknown" if out of range. */
static const char *config_mtu_probe_name(uint8_t mode)
{
	return mode < NMTUPROBE ? mtu_probe_names[mode] : "unknown";
}

/* Like the kernel's dev_valid_name(), and no '#' or ';' so a name never reads as a comment. */
static bool ifname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == '#' || *s == ';' || isspace((unsigned char)*s))
			return false;
	return true;
}
#define IFNAME_RULE "1..15 characters, none of / : # ; or whitespace, not . or .."

static bool node_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 31)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}
#define NODE_NAME_RULE "1..31 characters of A-Z a-z 0-9 _ . -"

/* ---- [global] keys ---- */

static void set_duration(struct parser *p, const char *key, const char *v,
    const struct dur_range *r, uint32_t *out)
{
	uint64_t us = 0;

	switch (parse_duration(v, &us)) {
	case DUR_OK:
		if (us < r->min || us > r->max)
			break;
		*out = (uint32_t)us;	/* every range's max fits */
		return;
	case DUR_OVERFLOW:
		break;
	case DUR_NO_UNIT:
		perr(p, p->line, "%s: \"%s\": missing unit (us, ms, s or m, e.g. 20ms)", key, v);
		return;
	case DUR_BAD:
		perr(p, p->line, "%s: \"%s\" is not a duration (use e.g. 20ms or 1s)", key, v);
		return;
	}
	perr(p, p->line, "%s: %s is out of range (%s)", key, v, r->text);
}

static void set_path(struct parser *p, const char *key, const char *v, char *out, size_t size)
{
	if (v[0] != '/') {
		perr(p, p->line, "%s: \"%s\" is not an absolute path", key, v);
		return;
	}
	for (const char *s = v; *s; s++) {
		if (isspace((unsigned char)*s)) {
			perr(p, p->line, "%s: \"%s\" contains whitespace (one path, no arguments: "
			    "it is run without a shell)", key, v);
			return;
		}
	}
	if (strlen(v) >= size) {
		perr(p, p->line, "%s: path too long (at most %zu characters)", key, size - 1);
		return;
	}
	copy_str(out, size, v);
}

/* "2%", "0.5%", "2" (percent) or "off"; stored in tenths of a percent. */
static void set_loss(struct parser *p, const char *key, const char *v, uint16_t *out)
{
	unsigned long whole = 0, tenth = 0;
	const char *s = v;

	if (strcmp(v, "off") == 0) {
		*out = 0;
		return;
	}
	while (isdigit((unsigned char)*s) && whole < 1000)
		whole = whole * 10 + (unsigned long)(*s++ - '0');
	if (*s == '.' && isdigit((unsigned char)s[1])) {
		tenth = (unsigned long)(s[1] - '0');
		s += 2;
	}
	if (*s == '%')
		s++;
	if (s == v || *s != '\0' || !isdigit((unsigned char)v[0])) {
		perr(p, p->line, "%s: \"%s\" is not a percentage (e.g. 2%% or 0.5%%, or off)", key, v);
		return;
	}
	if (whole * 10 + tenth < 1 || whole * 10 + tenth > 500) {
		perr(p, p->line, "%s: %s is out of range (0.1%%..50%%, or off)", key, v);
		return;
	}
	*out = (uint16_t)(whole * 10 + tenth);
}

static void set_bool(struct parser *p, const char *key, const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		perr(p, p->line, "%s: \"%s\" is not a boolean (yes/no, on/off, true/false, 1/0)",
		    key, v);
}

/* Index of v in names[n], or n. */
static size_t name_index(const char *const *names, size_t n, const char *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			break;
	return i;
}

/*
 * key's value v as a decimal number (no sign, no unit) in min..max: true
 * and *out; else false, the error reported ("not a number", "out of
 * range", both naming the range).
 */
static bool set_count(struct parser *p, const char *key, const char *v, unsigned long min,
		      unsigned long max, unsigned long *out)
{
	unsigned long n = 0;
	const char *s;

	for (s = v; isdigit((unsigned char)*s); s++)
		n = n > 100000 ? n : n * 10 + (unsigned long)(*s - '0');	/* saturates */
	if (s == v || *s != '\0')
		perr(p, p->line, "%s: \"%s\" is not a number (%lu..%lu)", key, v, min, max);
	else if (n < min || n > max)
		perr(p, p->line, "%s: %s is out of range (%lu..%lu)", key, v, min, max);
	else
		*out = n;
	return s != v && *s == '\0' && n >= min && n <= max;
}

static void set_multiplier(struct parser *p, const char *v, uint8_t *out)
{
	unsigned long n;

	if (set_count(p, "multiplier", v, 1, 255, &n))
		*out = (uint8_t)n;
}

static void set_relay_port(struct parser *p, const char *v, uint16_t *out)
{
	unsigned long n;

	if (!set_count(p, "relay-port", v, 1, 65535, &n))
		return;
	if (n == 3784 || n == 3785)
		perr(p, p->line, "relay-port: %s is BFD's (3784 control, 3785 echo)", v);
	else
		*out = (uint16_t)n;
}

/* One of names[0..n) into *out, its index; else the error (a format with one %s, the value). */
static void set_name(struct parser *p, const char *v, const char *const *names, size_t n,
		     uint8_t *out, const char *err)
{
	size_t i = name_index(names, n, v);

	if (i == n)
		perr(p, p->line, err, v);
	else
		*out = (uint8_t)i;
}

/* The [global] key's index, its line noted; -1 (reported) when unknown or given twice. */
static int gkey_find(struct parser *p, const char *key)
{
	int k;

	for (k = 0; k < G_NKEYS; k++)
		if (strcmp(key, gkey_names[k]) == 0)
			break;
	if (k == G_NKEYS) {
		perr(p, p->line, "unknown key \"%s\" in [global] (known: interval, multiplier, "
		    "hold-down, lan-interval, idle-interval, max-loss, mtu-probe, mtu-probe-interval, set-sysctl, "
		    "alert-command, metrics-file, auth-key-file, auth-type, control-socket, realtime, lock-memory, "
		    "relay, relay-port, rx-coalesce)", key);
		return -1;
	}
	if (p->gkey_line[k] != 0) {
		perr(p, p->line, "duplicate key \"%s\" in [global] (first at line %d)",
		    key, p->gkey_line[k]);
		return -1;
	}
	p->gkey_line[k] = p->line;
	return k;
}

static void global_key(struct parser *p, const char *key, const char *v)
{
	struct mr_config *cfg = p->cfg;

	switch (gkey_find(p, key)) {
	case -1:
		break;
	case G_INTERVAL:
		set_duration(p, key, v, &interval_range, &cfg->interval_us);
		break;
	case G_LAN_INTERVAL:
		set_duration(p, key, v, &interval_range, &cfg->lan_interval_us);
		break;
	case G_MAX_LOSS:
		set_loss(p, key, v, &cfg->max_loss_permille);
		break;
	case G_IDLE_INTERVAL:
		set_duration(p, key, v, &interval_range, &cfg->idle_interval_us);
		break;
	case G_MTU_PROBE_INTERVAL:
		set_duration(p, key, v, &interval_range, &cfg->mtu_probe_interval_us);
		break;
	case G_MTU_PROBE:
		set_name(p, v, mtu_probe_names, NMTUPROBE, &cfg->mtu_probe,
			 "mtu-probe: \"%s\" is not auto, on or off");
		break;
	case G_HOLD_DOWN:
		set_duration(p, key, v, &hold_down_range, &cfg->hold_down_us);
		break;
	case G_MULTIPLIER:
		set_multiplier(p, v, &cfg->multiplier);
		break;
	case G_SET_SYSCTL:
		set_bool(p, key, v, &cfg->set_sysctl);
		break;
	case G_REALTIME:
		set_bool(p, key, v, &cfg->realtime);
		break;
	case G_LOCK_MEMORY:
		set_bool(p, key, v, &cfg->lock_memory);
		break;
	case G_RX_COALESCE:
		set_bool(p, key, v, &cfg->rx_coalesce);
		break;
	case G_RELAY:
		set_bool(p, key, v, &cfg->relay);
		break;
	case G_RELAY_PORT:
		set_relay_port(p, v, &cfg->relay_port);
		break;
	case G_ALERT_COMMAND:
		set_path(p, key, v, cfg->alert_command, sizeof(cfg->alert_command));
		break;
	case G_METRICS_FILE:
		set_path(p, key, v, cfg->metrics_file, sizeof(cfg->metrics_file));
		break;
	case G_AUTH_KEY_FILE:
		set_path(p, key, v, cfg->auth_key_file, sizeof(cfg->auth_key_file));
		break;
	case G_CONTROL_SOCKET:
		set_path(p, key, v, cfg->control_socket, sizeof(cfg->control_socket));
		break;
	case G_AUTH_TYPE:
		set_name(p, v, auth_names, NAUTH, &cfg->auth_type,
			 "auth-type: \"%s\" is not an auth type (none, simple, keyed-md5, "
			 "meticulous-keyed-md5, keyed-sha1, meticulous-keyed-sha1)");
		break;
	}
}

/* ---- [node NAME] keys ---- */

static void node_address(struct parser *p, const char *v)
{
	struct mr_node *n = p->node;
	struct mr_addr a, *slot;
	int *slot_line;
	char buf[INET6_ADDRSTRLEN];

	if (p->nl->addr == 0)
		p->nl->addr = p->line;
	if (strchr(v, '/') != NULL) {
		perr(p, p->line, "address: \"%s\": no prefix length allowed (one host address)", v);
		return;
	}
	if (mr_addr_parse(v, &a) < 0) {
		perr(p, p->line, "address: \"%s\" is not an IPv4 or IPv6 address", v);
		return;
	}
	mr_addr_str(&a, buf, sizeof(buf));
	if (!addr_routable(&a)) {
		perr(p, p->line, "address: %s is not a routable unicast address "
		    "(not unspecified, loopback, multicast or link-local)", buf);
		return;
	}
	slot = a.family == AF_INET ? &n->addr4 : &n->addr6;
	slot_line = a.family == AF_INET ? &p->nl->addr4 : &p->nl->addr6;
	if (mr_addr_eq(slot, &a)) {
		perr(p, p->line, "address: %s repeated in [node %s] (first at line %d)",
		    buf, n->name, *slot_line);
		return;
	}
	if (slot->family != 0) {
		perr(p, p->line, "address: second %s address %s in [node %s] "
		    "(first at line %d; at most one per family)",
		    a.family == AF_INET ? "IPv4" : "IPv6", buf, n->name, *slot_line);
		return;
	}
	/* Other nodes' addresses; the current one is already in cfg unless rejected. */
	for (int i = 0; i < p->cfg->nnodes; i++) {
		const struct mr_node *o = &p->cfg->nodes[i];

		if (o == n)
			continue;
		if (mr_addr_eq(&o->addr4, &a) || mr_addr_eq(&o->addr6, &a)) {
			perr(p, p->line, "address: %s of [node %s] is already used by "
			    "[node %s] at line %d", buf, n->name, o->name,
			    a.family == AF_INET ? p->lines[i].addr4 : p->lines[i].addr6);
			return;
		}
	}
	*slot = a;
	*slot_line = p->line;
}

static void node_fast(struct parser *p, const char *v)
{
	struct mr_node *n = p->node;
	char buf[1024];
	char *tok, *save;

	copy_str(buf, sizeof(buf), v);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!ifname_valid(tok)) {
			perr(p, p->line, "fast: \"%s\" is not a valid interface name (" IFNAME_RULE ")", tok);
			continue;
		}
		bool dup = false;
		for (int i = 0; i < n->nfast; i++)
			dup |= strcmp(n->fast[i], tok) == 0;
		if (dup) {
			perr(p, p->line, "fast: %s listed twice", tok);
			continue;
		}
		if (n->nfast == MR_MAX_FAST) {
			perr(p, p->line, "fast: too many ports (at most %d)", MR_MAX_FAST);
			return;
		}
		copy_str(n->fast[n->nfast++], sizeof(n->fast[0]), tok);
	}
}

static void node_key(struct parser *p, const char *key, const char *v)
{
	struct mr_node *n = p->node;
	int *line;

	if (strcmp(key, "address") == 0) {
		node_address(p, v);
		return;
	}
	if (strcmp(key, "lan") == 0)
		line = &p->nl->lan;
	else if (strcmp(key, "fast") == 0)
		line = &p->nl->fast;
	else {
		perr(p, p->line, "unknown key \"%s\" in [node %s] (known: address, lan, fast)",
		    key, n->name);
		return;
	}
	/* "fast" may be repeated, its lists joined: 32 long names do not fit in one line. */
	if (line == &p->nl->fast) {
		if (*line == 0)
			*line = p->line;
		node_fast(p, v);
		return;
	}
	if (*line != 0) {
		perr(p, p->line, "duplicate key \"%s\" in [node %s] (first at line %d)",
		    key, n->name, *line);
		return;
	}
	*line = p->line;
	if (!ifname_valid(v))
		perr(p, p->line, "lan: \"%s\" is not a valid interface name (" IFNAME_RULE
		    "; exactly one)", v);
	else
		copy_str(n->lan, sizeof(n->lan), v);
}

/* Checks of one node that need all its keys. */
static void node_finish(struct parser *p)
{
	struct mr_node *n = p->node;
	struct node_lines *nl = p->nl;

	/* A rejected node already has its error; more would only be noise. */
	if (!p->node_real)
		return;
	if (nl->addr == 0)
		perr(p, n->line, "[node %s]: missing key \"address\" "
		    "(one IPv4 and/or one IPv6 address)", n->name);
	if (nl->lan == 0)
		perr(p, n->line, "[node %s]: missing key \"lan\" (exactly one LAN interface)", n->name);
	if (nl->fast == 0)
		perr(p, n->line, "[node %s]: missing key \"fast\" (1..%d fast interfaces)",
		    n->name, MR_MAX_FAST);
	for (int i = 0; n->lan[0] && i < n->nfast; i++)
		if (strcmp(n->fast[i], n->lan) == 0)
			perr(p, nl->fast, "fast: %s is also the lan port of [node %s] (line %d)",
			    n->lan, n->name, nl->lan);
}

/* ---- sections ---- */

static void section_end(struct parser *p)
{
	if (p->sect == SECT_NODE)
		node_finish(p);
	p->sect = SECT_NONE;
}

static void section_begin(struct parser *p, const char *s, size_t len)
{
	char sec[512], *name;
	struct mr_node *n;

	section_end(p);
	while (len > 0 && isspace((unsigned char)*s))
		s++, len--;
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	snprintf(sec, sizeof(sec), "%.*s", (int)len, s);

	if (strcmp(sec, "global") == 0) {
		if (p->global_line != 0)
			perr(p, p->line, "duplicate [global] section (first at line %d)", p->global_line);
		else
			p->global_line = p->line;
		p->sect = SECT_GLOBAL;
		return;
	}
	if (strncmp(sec, "node", 4) != 0 || (sec[4] != '\0' && !isspace((unsigned char)sec[4]))) {
		perr(p, p->line, "unknown section [%s] (expected [global] or [node NAME])", sec);
		p->sect = SECT_IGNORE;
		return;
	}
	for (name = sec + 4; isspace((unsigned char)*name); name++)
		;

	p->sect = SECT_NODE;
	p->nnode_sections++;
	memset(&p->scratch, 0, sizeof(p->scratch));
	memset(&p->scratch_lines, 0, sizeof(p->scratch_lines));
	p->node = &p->scratch;
	p->nl = &p->scratch_lines;
	p->node_real = false;
	copy_str(p->scratch.name, sizeof(p->scratch.name), name);
	p->scratch.line = p->line;

	if (!node_name_valid(name)) {
		perr(p, p->line, "invalid node name \"%s\" (" NODE_NAME_RULE ")", name);
		return;
	}
	for (int i = 0; i < p->cfg->nnodes; i++) {
		if (strcmp(p->cfg->nodes[i].name, name) == 0) {
			perr(p, p->line, "duplicate [node %s] (first at line %d)",
			    name, p->cfg->nodes[i].line);
			return;
		}
	}
	if (p->cfg->nnodes == MR_MAX_NODES) {
		if (!p->too_many_reported)
			perr(p, p->line, "too many nodes: at most %d", MR_MAX_NODES);
		p->too_many_reported = true;
		return;
	}
	n = &p->cfg->nodes[p->cfg->nnodes];
	*n = p->scratch;
	p->node = n;
	p->nl = &p->lines[p->cfg->nnodes];
	p->node_real = true;
	p->cfg->nnodes++;
}

/* ---- the reader and the handler given to inih ---- */

static bool is_comment_start(char c)
{
	return c == ';' || c == '#';
}

/* inih's find_chars_or_comment(): the first of chars, or an inline ';' after whitespace. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
	bool was_space = false;

	while (*s && (!chars || !strchr(chars, *s)) && !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

/* Classifies a line as inih will, before inih sees it. */
static void scan_line(struct parser *p, const char *raw)
{
	char buf[1024], *line = buf, *start, *end;
	size_t n;

	p->cont = false;
	copy_str(buf, sizeof(buf), raw);
	n = strlen(buf);
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	start = line;
	if (p->line == 1 && memcmp(start, "\xEF\xBB\xBF", 3) == 0)
		start += 3;
	while (isspace((unsigned char)*start))
		start++;

	if (*start == '\0' || is_comment_start(*start))
		return;
	if (p->prev_key && start > line) {
		p->cont = true;
		return;
	}
	if (*start == '[') {
		end = (char *)find_chars_or_comment(start + 1, "]");
		if (*end != ']') {
			perr(p, p->line, "section header without closing ']'");
			return;
		}
		const char *after = end + 1;
		while (isspace((unsigned char)*after))
			after++;
		if (*after != '\0' && !is_comment_start(*after))
			perr(p, p->line, "unexpected text \"%s\" after section header", after);
		p->prev_key = false;
		section_begin(p, start + 1, end - start - 1);
		return;
	}
	end = (char *)find_chars_or_comment(start, "=:");
	if (*end != '=' && *end != ':') {
		perr(p, p->line, "expected \"key = value\", [global] or [node NAME]");
		return;
	}
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	p->prev_key = end > start;
}

/* fgets() for inih over our buffer, counting lines. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *s, *nl;
	size_t n, content;

	if (p->pos >= p->len || num < 4)
		return NULL;
	s = p->text + p->pos;
	nl = memchr(s, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - s) + 1 : p->len - p->pos;
	p->pos += n;
	p->line++;
	content = n;
	if (content > 0 && s[content - 1] == '\n')
		content--;
	if (content > 0 && s[content - 1] == '\r')
		content--;

	/* A line we reject reaches inih as an empty one, so it stays in step. */
	snprintf(str, num, "\n");
	p->cont = false;
	if (memchr(s, '\0', n) != NULL) {
		perr(p, p->line, "line contains a NUL byte");
		return str;
	}
	/* inih needs room for "\r\n\0" (see INI_MAX_LINE). */
	if (content > (size_t)num - 3 || content >= 1000) {
		perr(p, p->line, "line too long (at most %d characters)", num - 3 < 999 ? num - 3 : 999);
		return str;
	}
	memcpy(str, s, n);
	str[n] = '\0';
	scan_line(p, str);
	return str;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parser *p = user;
	char v[1024];
	size_t n;

	(void)section;	/* scan_line() tracked it, including empty sections */
	if (p->cont) {
		perr(p, p->line, "indented line would continue the value of \"%s\" "
		    "(continuation lines are not supported; remove the indentation)", key);
		return 1;
	}
	if (strlen(value) >= sizeof(v)) {
		perr(p, p->line, "%s: value too long", key);
		return 1;
	}
	/* inih strips only "; comment"; strip "# comment" too (also at the start). */
	copy_str(v, sizeof(v), value);
	for (char *c = v; *c; c++) {
		if (*c == '#' && (c == v || isspace((unsigned char)c[-1]))) {
			*c = '\0';
			break;
		}
	}
	n = strlen(v);
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		v[--n] = '\0';

	if (p->sect == SECT_IGNORE)
		return 1;
	if (key[0] == '\0') {
		perr(p, p->line, "missing key name before '='");
		return 1;
	}
	if (p->sect == SECT_NONE) {
		perr(p, p->line, "key \"%s\" outside any section (put it under [global] "
		    "or [node NAME])", key);
		return 1;
	}
	if (v[0] == '\0') {
		perr(p, p->line, "%s: missing value", key);
		return 1;
	}
	if (p->sect == SECT_GLOBAL)
		global_key(p, key, v);
	else
		node_key(p, key, v);
	return 1;
}

/* Checks that need the whole file. */
static void check_all(struct parser *p, int lastline)
{
	struct mr_config *cfg = p->cfg;

	if (cfg->auth_type != BFD_AUTH_NONE && cfg->auth_key_file[0] == '\0' &&
	    p->gkey_line[G_AUTH_KEY_FILE] == 0)
		perr(p, p->gkey_line[G_AUTH_TYPE], "auth-type %s needs auth-key-file",
		    config_auth_type_name(cfg->auth_type));
	if (cfg->auth_type == BFD_AUTH_NONE && p->gkey_line[G_AUTH_KEY_FILE] != 0 &&
	    p->gkey_line[G_AUTH_TYPE] == 0)
		perr(p, p->gkey_line[G_AUTH_KEY_FILE], "auth-key-file is set but auth-type is "
		    "not (set auth-type, or auth-type = none to stage a key)");

	if (p->nnode_sections < 2)
		perr(p, cfg->nnodes > 0 ? cfg->nodes[0].line : (lastline > 0 ? lastline : 1),
		    "at least 2 nodes needed, found %d", p->nnode_sections);

	/* Both ends of a BFD session need the same address family. */
	for (int i = 0; i < cfg->nnodes; i++) {
		const struct mr_node *a = &cfg->nodes[i];

		for (int j = 0; j < i; j++) {
			const struct mr_node *b = &cfg->nodes[j];

			if ((a->addr4.family || a->addr6.family) &&
			    (b->addr4.family || b->addr6.family) &&
			    !(a->addr4.family && b->addr4.family) &&
			    !(a->addr6.family && b->addr6.family)) {
				perr(p, a->line, "[node %s] shares no address family with "
				    "[node %s] (line %d)", a->name, b->name, b->line);
				break;
			}
		}
	}
}

void config_defaults(struct mr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->interval_us = 20 * US_PER_MS;
	cfg->lan_interval_us = 200 * US_PER_MS;
	cfg->idle_interval_us = 50 * US_PER_MS;
	cfg->max_loss_permille = 20;	/* 2 %: see max-loss in meshroute.conf(5) */
	cfg->mtu_probe = MR_MTU_PROBE_AUTO;
	cfg->mtu_probe_interval_us = 100 * US_PER_MS;
	cfg->hold_down_us = 2 * US_PER_S;
	cfg->multiplier = 3;
	cfg->set_sysctl = true;
	cfg->relay = false;	/* opt-in: see relay in meshroute.conf(5) */
	cfg->relay_port = 3786;
	cfg->rx_coalesce = true;
	cfg->auth_type = BFD_AUTH_NONE;
	snprintf(cfg->control_socket, sizeof(cfg->control_socket), "/run/meshroute/meshroute.sock");
}

static int load_buffer(const char *name, const char *text, size_t len,
    struct mr_config *cfg, FILE *errf)
{
	struct parser *p;
	int rc, ret;

	config_defaults(cfg);
	copy_str(cfg->path, sizeof(cfg->path), name);
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		if (errf)
			fprintf(errf, "%s: out of memory\n", name);
		return -1;
	}
	p->name = name;
	p->text = text;
	p->len = len;
	p->cfg = cfg;

	rc = ini_parse_stream(reader, p, handler, p);
	section_end(p);
	if (rc == -2)
		perr(p, p->line, "out of memory");
	else if (rc > 0 && p->nerr == 0)	/* our mirror of inih missed it */
		perr(p, rc, "syntax error");
	check_all(p, p->line);

	ret = p->nerr ? -1 : 0;
	flush_errors(p, errf);
	free(p);
	return ret;
}

int config_load_string(const char *name, const char *text, struct mr_config *cfg, FILE *errf)
{
	return load_buffer(name, text, strlen(text), cfg, errf);
}

int config_load(const char *path, struct mr_config *cfg, FILE *errf)
{
	FILE *f;
	char *buf;
	size_t len;
	int ret;

	f = fopen(path, "re");
	if (f == NULL) {
		if (errf)
			fprintf(errf, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(MAX_FILE_SIZE + 1);
	if (buf == NULL) {
		fclose(f);
		if (errf)
			fprintf(errf, "%s: out of memory\n", path);
		return -1;
	}
	len = fread(buf, 1, MAX_FILE_SIZE + 1, f);
	if (ferror(f)) {
		if (errf)
			fprintf(errf, "%s: read error: %s\n", path, strerror(errno));
		ret = -1;
	} else if (len > MAX_FILE_SIZE) {
		if (errf)
			fprintf(errf, "%s: file too large (at most %d bytes)\n", path, MAX_FILE_SIZE);
		ret = -1;
	} else {
		buf[len] = '\0';
		ret = load_buffer(path, buf, len, cfg, errf);
	}
	free(buf);
	fclose(f);
	return ret;
}

/* ---- using and printing a loaded config ---- */

int config_find_self(const struct mr_config *cfg, const char *name,
    const struct mr_addr *local, int nlocal, FILE *errf)
{
	int found[MR_MAX_NODES], nfound = 0;

	if (name != NULL) {
		for (int i = 0; i < cfg->nnodes; i++)
			if (strcmp(cfg->nodes[i].name, name) == 0)
				return i;
		if (errf)
			fprintf(errf, "no node named \"%s\" in %s\n", name, cfg->path);
		return -1;
	}
	for (int i = 0; i < cfg->nnodes; i++) {
		for (int j = 0; j < nlocal; j++) {
			if (mr_addr_eq(&cfg->nodes[i].addr4, &local[j]) ||
			    mr_addr_eq(&cfg->nodes[i].addr6, &local[j])) {
				found[nfound++] = i;
				break;
			}
		}
	}
	if (nfound == 1)
		return found[0];
	if (errf == NULL)
		return -1;
	if (nfound == 0) {
		fprintf(errf, "none of this host's addresses is in %s (name the node instead)\n",
		    cfg->path);
		return -1;
	}
	fprintf(errf, "addresses of several nodes are local:");
	for (int k = 0; k < nfound; k++) {
		const struct mr_node *n = &cfg->nodes[found[k]];
		char buf[INET6_ADDRSTRLEN];

		fprintf(errf, "%s %s (", k ? "," : "", n->name);
		for (int j = 0, first = 1; j < nlocal; j++) {
			if (mr_addr_eq(&n->addr4, &local[j]) || mr_addr_eq(&n->addr6, &local[j])) {
				fprintf(errf, "%s%s", first ? "" : " ",
				    mr_addr_str(&local[j], buf, sizeof(buf)));
				first = 0;
			}
		}
		fprintf(errf, ")");
	}
	fprintf(errf, "\n");
	return -1;
}

static void print_addrs(const struct mr_node *n, FILE *out)
{
	char buf[INET6_ADDRSTRLEN];

	if (n->addr4.family)
		fprintf(out, " %s", mr_addr_str(&n->addr4, buf, sizeof(buf)));
	if (n->addr6.family)
		fprintf(out, " %s", mr_addr_str(&n->addr6, buf, sizeof(buf)));
}

/* The plan's "bfd" part: timers, loss, MTU probes, hold-down, auth. */
static void plan_bfd(const struct mr_config *cfg, FILE *out)
{
	char d1[32], d2[32];

	fprintf(out, "bfd\n");
	fprintf(out, "  fast ports: interval %s, multiplier %u, detection time %s\n",
	    config_duration_str(cfg->interval_us, d1, sizeof(d1)), cfg->multiplier,
	    config_duration_str((uint64_t)cfg->interval_us * cfg->multiplier, d2, sizeof(d2)));
	fprintf(out, "  lan port:   interval %s, multiplier %u, detection time %s\n",
	    config_duration_str(cfg->lan_interval_us, d1, sizeof(d1)), cfg->multiplier,
	    config_duration_str((uint64_t)cfg->lan_interval_us * cfg->multiplier, d2, sizeof(d2)));
	fprintf(out, "  idle:       interval %s while a session is not Up\n",
	    config_duration_str(cfg->idle_interval_us, d1, sizeof(d1)));
	if (cfg->max_loss_permille)
		fprintf(out, "  max-loss:   %u.%u%% of probes lost either way (7/8 of it over 10s, "
		    "half over 30s, counted) takes a fast port out\n",
		    cfg->max_loss_permille / 10, cfg->max_loss_permille % 10);
	else
		fprintf(out, "  max-loss:   off\n");
	if (cfg->mtu_probe == MR_MTU_PROBE_OFF)
		fprintf(out, "  mtu-probe:  off\n");
	else
		fprintf(out, "  mtu-probe:  %s, padded to the port's MTU%s, interval %s, "
		    "detection time %s\n", config_mtu_probe_name(cfg->mtu_probe),
		    cfg->mtu_probe == MR_MTU_PROBE_AUTO ? " when above 1500" : "",
		    config_duration_str(mtu_interval(cfg), d1, sizeof(d1)),
		    config_duration_str(mtu_window(cfg), d2, sizeof(d2)));
	fprintf(out, "  hold-down:  %s\n", config_duration_str(cfg->hold_down_us, d1, sizeof(d1)));
	if (cfg->auth_type == BFD_AUTH_NONE)
		fprintf(out, "  auth:       none\n");
	else
		fprintf(out, "  auth:       %s, key file %s\n",
		    config_auth_type_name(cfg->auth_type), cfg->auth_key_file);
}

/* The plan's "daemon" part: how it runs, what it writes, where it listens. */
static void plan_daemon(const struct mr_config *cfg, FILE *out)
{
	fprintf(out, "daemon\n");
	fprintf(out, "  set-sysctl:     %s\n", cfg->set_sysctl ? "yes" : "no");
	fprintf(out, "  realtime:       %s\n", cfg->realtime ? "yes (SCHED_FIFO)" : "no");
	fprintf(out, "  lock-memory:    %s\n", cfg->lock_memory ? "yes" : "no");
	fprintf(out, "  rx-coalesce:    %s\n",
	    cfg->rx_coalesce ? "yes (probes read on the daemon's own wake-ups at <= 10 ms)" : "no");
	if (cfg->relay)
		fprintf(out, "  relay:          on (IPv4; advertisements on UDP port %u)\n",
		    cfg->relay_port);
	else
		fprintf(out, "  relay:          off\n");
	fprintf(out, "  alert-command:  %s\n", cfg->alert_command[0] ? cfg->alert_command : "none");
	fprintf(out, "  metrics-file:   %s\n", cfg->metrics_file[0] ? cfg->metrics_file : "none");
	fprintf(out, "  control-socket: %s\n", cfg->control_socket);
}

/* The plan's "peers" part: each peer's addresses in the families both ends have. */
static void plan_peers(const struct mr_config *cfg, int self, FILE *out)
{
	const struct mr_node *me = &cfg->nodes[self];

	fprintf(out, "peers: host route via a fast port while its BFD session is Up, else via %s\n"
	    "  (which fast port reaches which peer is found at run time)\n", me->lan);
	for (int i = 0; i < cfg->nnodes; i++) {
		const struct mr_node *n = &cfg->nodes[i];
		char buf[INET6_ADDRSTRLEN];

		if (i == self)
			continue;
		fprintf(out, "  %s", n->name);
		/* BFD and the host route need the family at both ends. */
		if (n->addr4.family && me->addr4.family)
			fprintf(out, " %s", mr_addr_str(&n->addr4, buf, sizeof(buf)));
		if (n->addr6.family && me->addr6.family)
			fprintf(out, " %s", mr_addr_str(&n->addr6, buf, sizeof(buf)));
		if (n->addr4.family && !me->addr4.family)
			fprintf(out, " (%s unused: %s has no IPv4)",
			    mr_addr_str(&n->addr4, buf, sizeof(buf)), me->name);
		if (n->addr6.family && !me->addr6.family)
			fprintf(out, " (%s unused: %s has no IPv6)",
			    mr_addr_str(&n->addr6, buf, sizeof(buf)), me->name);
		fprintf(out, "\n");
	}
}

void config_print_plan(const struct mr_config *cfg, int self, FILE *out)
{
	const struct mr_node *me;

	if (self < 0 || self >= cfg->nnodes)
		return;
	me = &cfg->nodes[self];
	fprintf(out, "plan for node %s (%s line %d)\n", me->name, cfg->path, me->line);
	fprintf(out, "  addresses:");
	print_addrs(me, out);
	fprintf(out, "\n");
	fprintf(out, "  lan port:   %s\n", me->lan);
	fprintf(out, "  fast ports:");
	for (int i = 0; i < me->nfast; i++)
		fprintf(out, " %s", me->fast[i]);
	fprintf(out, "\n");

	plan_bfd(cfg, out);
	plan_daemon(cfg, out);
	plan_peers(cfg, self, out);
}

void config_write(const struct mr_config *cfg, FILE *out)
{
	char buf[INET6_ADDRSTRLEN];

	fprintf(out, "# meshroute configuration\n\n[global]\n");
	fprintf(out, "interval = %s\n", config_duration_str(cfg->interval_us, buf, sizeof(buf)));
	fprintf(out, "multiplier = %u\n", cfg->multiplier);
	fprintf(out, "hold-down = %s\n", config_duration_str(cfg->hold_down_us, buf, sizeof(buf)));
	fprintf(out, "lan-interval = %s\n",
	    config_duration_str(cfg->lan_interval_us, buf, sizeof(buf)));
	fprintf(out, "idle-interval = %s\n",
	    config_duration_str(cfg->idle_interval_us, buf, sizeof(buf)));
	if (cfg->max_loss_permille)
		fprintf(out, "max-loss = %u.%u%%\n", cfg->max_loss_permille / 10,
		    cfg->max_loss_permille % 10);
	else
		fprintf(out, "max-loss = off\n");
	fprintf(out, "mtu-probe = %s\n", config_mtu_probe_name(cfg->mtu_probe));
	fprintf(out, "mtu-probe-interval = %s\n",
	    config_duration_str(cfg->mtu_probe_interval_us, buf, sizeof(buf)));
	fprintf(out, "set-sysctl = %s\n", cfg->set_sysctl ? "yes" : "no");
	fprintf(out, "realtime = %s\n", cfg->realtime ? "yes" : "no");
	fprintf(out, "lock-memory = %s\n", cfg->lock_memory ? "yes" : "no");
	fprintf(out, "rx-coalesce = %s\n", cfg->rx_coalesce ? "yes" : "no");
	fprintf(out, "relay = %s\n", cfg->relay ? "on" : "off");
	fprintf(out, "relay-port = %u\n", cfg->relay_port);
	if (cfg->alert_command[0])
		fprintf(out, "alert-command = %s\n", cfg->alert_command);
	if (cfg->metrics_file[0])
		fprintf(out, "metrics-file = %s\n", cfg->metrics_file);
	if (cfg->auth_key_file[0])
		fprintf(out, "auth-key-file = %s\n", cfg->auth_key_file);
	fprintf(out, "auth-type = %s\n", config_auth_type_name(cfg->auth_type));
	fprintf(out, "control-socket = %s\n", cfg->control_socket);

	for (int i = 0; i < cfg->nnodes; i++) {
		const struct mr_node *n = &cfg->nodes[i];

		fprintf(out, "\n[node %s]\n", n->name);
		if (n->addr4.family)
			fprintf(out, "address = %s\n", mr_addr_str(&n->addr4, buf, sizeof(buf)));
		if (n->addr6.family)
			fprintf(out, "address = %s\n", mr_addr_str(&n->addr6, buf, sizeof(buf)));
		fprintf(out, "lan = %s\n", n->lan);
		/* Eight to a line: a line of inih holds at most 197 characters. */
		for (int j = 0; j < n->nfast; j++)
			fprintf(out, "%s %s%s", j % 8 ? "" : "fast =", n->fast[j],
			    j % 8 == 7 || j == n->nfast - 1 ? "\n" : "");
	}
}

static bool node_equal(const struct mr_node *a, const struct mr_node *b)
{
	if (strcmp(a->name, b->name) || strcmp(a->lan, b->lan) || a->nfast != b->nfast ||
	    !mr_addr_eq(&a->addr4, &b->addr4) || !mr_addr_eq(&a->addr6, &b->addr6))
		return false;
	for (int i = 0; i < a->nfast; i++)
		if (strcmp(a->fast[i], b->fast[i]) != 0)
			return false;
	return true;
}

bool config_equal(const struct mr_config *a, const struct mr_config *b)
{
	if (a->interval_us != b->interval_us || a->lan_interval_us != b->lan_interval_us ||
	    a->idle_interval_us != b->idle_interval_us ||
	    a->max_loss_permille != b->max_loss_permille ||
	    a->mtu_probe != b->mtu_probe ||
	    a->mtu_probe_interval_us != b->mtu_probe_interval_us ||
	    a->hold_down_us != b->hold_down_us || a->multiplier != b->multiplier ||
	    a->set_sysctl != b->set_sysctl || a->auth_type != b->auth_type ||
	    a->realtime != b->realtime || a->lock_memory != b->lock_memory ||
	    a->rx_coalesce != b->rx_coalesce ||
	    a->relay != b->relay || a->relay_port != b->relay_port ||
	    strcmp(a->alert_command, b->alert_command) ||
	    strcmp(a->metrics_file, b->metrics_file) ||
	    strcmp(a->auth_key_file, b->auth_key_file) ||
	    strcmp(a->control_socket, b->control_socket) || a->nnodes != b->nnodes)
		return false;
	for (int i = 0; i < a->nnodes; i++)
		if (!node_equal(&a->nodes[i], &b->nodes[i]))
			return false;
	return true;
}
