// SPDX-License-Identifier: GPL-2.0-or-later
/* Status as a table, as JSON and as Prometheus metrics, from one set of field tables. */
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mtu.h"
#include "standby.h"
#include "status.h"
#include "textfmt.h"

/* ---- values: one cell, rendered as text, JSON or a metric sample ---- */

enum val_kind {
	V_STR,
	V_UINT,
	V_MS,		/* u in microseconds, shown in milliseconds */
	V_AGE,		/* u in microseconds, shown as "5m02s" or seconds in JSON */
	V_PATH,		/* path: port names, or the LAN */
	V_BOOL,		/* u: "yes"/"no" in text, true/false in JSON */
	V_MTU,		/* the MTU verdict of a (port, peer): a summary in text, its name in JSON */
	V_LOSS,		/* the loss of both directions: "1.2/0.0" in text; JSON: loss_pct's number */
};

struct val {
	enum val_kind kind;
	bool none;			/* never happened: "-" in text, null in JSON */
	const char *s;
	uint64_t u;
	const struct path_result *path;
	const struct mr_sess *mtu;
	char buf[64];			/* storage behind s when the getter formats */
};

/* What a getter looks at: the daemon, the time, and the row's object. */
struct row {
	const struct status_view *d;
	mtime_t now;
	const struct mr_sess *s;	/* session rows */
	const struct rib_route *rt;	/* peer rows: one per peer and address family */
	int node, fam;			/* peer rows: the peer, and the family of rt */
	int idx;			/* drop reason / decode error rows */
};

struct field {
	const char *key;		/* JSON key, stable: docs/control.md */
	const char *head;		/* text column header; NULL: JSON only */
	void (*get)(const struct row *r, struct val *v);
};

static void set_str(struct val *v, const char *s)
{
	v->kind = V_STR;
	v->s = s;
}

static void set_uint(struct val *v, enum val_kind kind, uint64_t u)
{
	v->kind = kind;
	v->u = u;
}

/* Age of `since` at `now`; none when since is 0 (never). */
static void set_age(struct val *v, mtime_t since, mtime_t now)
{
	v->kind = V_AGE;
	v->none = since == 0;
	v->u = since == 0 || now < since ? 0 : (uint64_t)(now - since);
}

static const char *node_name(const struct status_view *d, int node)
{
	return d->cfg->nodes[node].name;
}

static const struct mr_addr *node_addr(const struct status_view *d, int node, int fam)
{
	return fam ? &d->cfg->nodes[node].addr6 : &d->cfg->nodes[node].addr4;
}

static const char *fam_name(int fam)
{
	return fam ? "ipv6" : "ipv4";
}

static const char *port_name_by_ifindex(const struct status_view *d, int ifindex, char *buf,
					size_t len)
{
	int i;

	for (i = 0; i < d->nports; i++)
		if (d->ports[i].ifindex == ifindex)
			return d->ports[i].name;
	snprintf(buf, len, "if%d", ifindex);
	return buf;
}

/* ---- peer fields ---- */

static void peer_name_get(const struct row *r, struct val *v)
{
	set_str(v, node_name(r->d, r->node));
}

static void peer_family_get(const struct row *r, struct val *v)
{
	set_str(v, fam_name(r->fam));
}

static void peer_address_get(const struct row *r, struct val *v)
{
	set_str(v, mr_addr_str(node_addr(r->d, r->node, r->fam), v->buf, sizeof(v->buf)));
}

static void peer_path_get(const struct row *r, struct val *v)
{
	v->kind = V_PATH;
	v->path = &(*r->rt).installed;
}

static void peer_via_get(const struct row *r, struct val *v)
{
	const struct path_result *p = &(*r->rt).installed;

	set_str(v, p->noif == 0 ? "lan" : p->relayed ? "relay" : "fast");
}

/* The neighbour that relays our traffic to the peer; null unless relayed. */
static void peer_relay_get(const struct row *r, struct val *v)
{
	const struct path_result *p = &(*r->rt).installed;

	v->none = !p->relayed || p->noif == 0;
	set_str(v, p->relayed && p->relay_node >= 0 && p->relay_node < r->d->cfg->nnodes ?
		node_name(r->d, p->relay_node) : "?");
}

static void peer_since_get(const struct row *r, struct val *v)
{
	set_age(v, (*r->rt).changed_at, r->now);
}

static const struct field peer_fields[] = {
	{ "name", "PEER", peer_name_get },
	{ "family", NULL, peer_family_get },
	{ "address", "ADDRESS", peer_address_get },
	{ "path", "PATH", peer_path_get },
	{ "via", NULL, peer_via_get },
	{ "relay", NULL, peer_relay_get },
	{ "path_since_s", "SINCE", peer_since_get },
};

/* ---- session fields ---- */

static void sess_peer_get(const struct row *r, struct val *v)
{
	set_str(v, node_name(r->d, r->s->peer));
}

static void sess_port_get(const struct row *r, struct val *v)
{
	set_str(v, r->s->port->name);
}

static void sess_family_get(const struct row *r, struct val *v)
{
	set_str(v, fam_name(mr_fam(r->s->local.family)));
}

static void sess_state_get(const struct row *r, struct val *v)
{
	set_str(v, bfd_state_name(r->s->bfd.state));
}

static void sess_remote_state_get(const struct row *r, struct val *v)
{
	set_str(v, bfd_state_name(r->s->bfd.remote_state));
}

static void sess_since_get(const struct row *r, struct val *v)
{
	set_age(v, r->s->bfd.state_since, r->now);
	v->none = false;	/* state_since is set from the session's start */
}

static void sess_flaps_get(const struct row *r, struct val *v)
{
	set_uint(v, V_UINT, r->s->flaps);
}

static void sess_local_discr_get(const struct row *r, struct val *v)
{
	set_uint(v, V_UINT, r->s->bfd.local_discr);
}

static void sess_remote_discr_get(const struct row *r, struct val *v)
{
	set_uint(v, V_UINT, r->s->bfd.remote_discr);
	v->none = r->s->bfd.remote_discr == 0;	/* not heard from yet */
}

static void sess_tx_get(const struct row *r, struct val *v)
{
	set_uint(v, V_MS, bfd_session_tx_interval(&r->s->bfd));
}

static void sess_detect_get(const struct row *r, struct val *v)
{
	set_uint(v, V_MS, bfd_session_detect_time(&r->s->bfd));
}

static void sess_last_detect_get(const struct row *r, struct val *v)
{
	set_uint(v, V_MS, r->s->last_detect_us);
	v->none = r->s->last_detect_us == 0;
}

/* Percent with one decimal: V_MS shows u / 1000 with one, so u = permille x 100. */
static void set_permille(struct val *v, int permille)
{
	set_uint(v, V_MS, permille > 0 ? (uint64_t)permille * 100 : 0);
	v->none = permille < 0;		/* no counts lately */
}

/* JSON: the peer's probes lost (as before); text: both directions, "in/out". */
static void sess_loss_get(const struct row *r, struct val *v)
{
	set_permille(v, r->s->loss_permille);
	v->kind = V_LOSS;
}

static void sess_loss_to_get(const struct row *r, struct val *v)
{
	set_permille(v, r->s->loss_to_permille);
}

/* Where the counts come from: "reports", "auth-sequence", or "none" (nothing judged). */
static const char *loss_source(const struct mr_sess *s, mtime_t now)
{
	if (s->report_at && now - s->report_at <= LOSS_STALE)
		return "reports";
	if (loss_fresh(&s->loss_from, now) && s->loss_from.src == LOSS_SRC_AUTH)
		return "auth-sequence";
	return "none";
}

static void sess_loss_source_get(const struct row *r, struct val *v)
{
	set_str(v, r->s->port->lan ? "" : loss_source(r->s, r->now));
	v->none = r->s->port->lan;
}

static void sess_rtt_get(const struct row *r, struct val *v)
{
	const struct mr_link *l = r->s->port->lan ? NULL : linkmsg_link_of_const(r->d->lm, r->s);
	int64_t us = l ? rtt_median(&l->rtt, r->now) : -1;

	set_uint(v, V_MS, us > 0 ? (uint64_t)us : 0);
	v->none = us < 0;
}

static void sess_jitter_get(const struct row *r, struct val *v)
{
	const struct mr_link *l = r->s->port->lan ? NULL : linkmsg_link_of_const(r->d->lm, r->s);
	int64_t us = l ? rtt_jitter(&l->rtt, r->now) : -1;

	set_uint(v, V_MS, us > 0 ? (uint64_t)us : 0);
	v->none = us < 0;
}

/* The peer's name for its port on this cable, from its link reports. */
static void sess_peer_port_get(const struct row *r, struct val *v)
{
	const struct mr_link *l = r->s->port->lan ? NULL : linkmsg_link_of_const(r->d->lm, r->s);

	set_str(v, l ? l->peer_port : "");
	v->none = !l || !l->peer_port[0];
}

static void sess_last_diag_get(const struct row *r, struct val *v)
{
	set_str(v, bfd_diag_name(r->s->last_down_diag));
}

static void sess_tx_packets_get(const struct row *r, struct val *v)
{
	set_uint(v, V_UINT, r->s->tx_packets);
}

static void sess_rx_packets_get(const struct row *r, struct val *v)
{
	set_uint(v, V_UINT, r->s->rx_packets);
}

/* The MTU session of a regular session's (port, peer), NULL if none. */
static const struct mr_sess *mtu_sess(const struct status_view *d, const struct mr_sess *s)
{
	int i;

	for (i = 0; i < d->nmsess; i++)
		if (d->msess[i].port == s->port && d->msess[i].peer == s->peer)
			return &d->msess[i];
	return NULL;
}

static bool mtu_failed(const struct status_view *d, const struct mr_sess *s)
{
	const struct mr_sess *m = mtu_sess(d, s);

	return m && m->verdict == MTU_FAILED;
}

/* The port under the session: in service, drained by the admin, or not usable. */
static void sess_link_get(const struct row *r, struct val *v)
{
	const struct mr_port *p = r->s->port;

	set_str(v, p->ifindex <= 0 ? "absent" : p->drained ? "drained" :
		   !p->carrier ? "no-carrier" : r->s->loss_out ? "lossy" :
		   mtu_failed(r->d, r->s) ? "mtu" : "ok");
}

/* The MTU session of the row's (port, peer); NULL on the LAN. */
static const struct mr_sess *row_mtu(const struct row *r)
{
	return r->s->port->lan ? NULL : mtu_sess(r->d, r->s);
}

static unsigned row_mtu_passes(const struct row *r, const struct mr_sess *m)
{
	return mtu_passes_now(m->passes, m->passes_at, r->now, (mtime_t)mtu_window(r->d->cfg));
}

static void sess_mtu_get(const struct row *r, struct val *v)
{
	v->kind = V_MTU;
	v->mtu = row_mtu(r);
	v->none = !v->mtu;
}

static void sess_mtu_size_get(const struct row *r, struct val *v)
{
	const struct mr_sess *m = row_mtu(r);

	set_uint(v, V_UINT, m ? m->pad_to : 0);
	v->none = !m || !m->pad_to;
}

static void sess_mtu_ok_get(const struct row *r, struct val *v)
{
	const struct mr_sess *m = row_mtu(r);

	set_uint(v, V_BOOL, m && m->verdict == MTU_OK);
	v->none = !m || !m->pad_to;
}

static void sess_mtu_passes_get(const struct row *r, struct val *v)
{
	const struct mr_sess *m = row_mtu(r);

	set_uint(v, V_UINT, m ? row_mtu_passes(r, m) : 0);
	v->none = v->u == 0;
}

static void sess_mtu_state_get(const struct row *r, struct val *v)
{
	const struct mr_sess *m = row_mtu(r);

	set_str(v, m ? bfd_state_name(m->bfd.state) : "");
	v->none = !m || !m->pad_to;
}

static void sess_mtu_flaps_get(const struct row *r, struct val *v)
{
	const struct mr_sess *m = row_mtu(r);

	set_uint(v, V_UINT, m ? m->flaps : 0);
	v->none = !m;
}

static const struct field sess_fields[] = {
	{ "peer", "PEER", sess_peer_get },
	{ "port", "PORT", sess_port_get },
	{ "link", "LINK", sess_link_get },
	{ "family", "AF", sess_family_get },
	{ "state", "STATE", sess_state_get },
	{ "remote_state", "REMOTE", sess_remote_state_get },
	{ "since_s", "SINCE", sess_since_get },
	{ "flaps", "FLAPS", sess_flaps_get },
	{ "local_discr", NULL, sess_local_discr_get },
	{ "remote_discr", "RDISCR", sess_remote_discr_get },
	{ "tx_interval_ms", "TX(ms)", sess_tx_get },
	{ "detect_time_ms", "DETECT(ms)", sess_detect_get },
	{ "last_detect_ms", "LASTDET(ms)", sess_last_detect_get },
	{ "loss_pct", "LOSS%(IN/OUT)", sess_loss_get },
	{ "loss_to_peer_pct", NULL, sess_loss_to_get },
	{ "loss_source", NULL, sess_loss_source_get },
	{ "rtt_ms", "RTT(ms)", sess_rtt_get },
	{ "jitter_ms", NULL, sess_jitter_get },
	{ "peer_port", NULL, sess_peer_port_get },
	{ "last_down_diag", NULL, sess_last_diag_get },
	{ "tx_packets", "TX_PKTS", sess_tx_packets_get },
	{ "rx_packets", "RX_PKTS", sess_rx_packets_get },
	{ "mtu_verdict", "MTU", sess_mtu_get },
	{ "mtu_ok", NULL, sess_mtu_ok_get },
	{ "mtu_size", NULL, sess_mtu_size_get },
	{ "mtu_passes", NULL, sess_mtu_passes_get },
	{ "mtu_state", NULL, sess_mtu_state_get },
	{ "mtu_flaps", NULL, sess_mtu_flaps_get },
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

/* ---- rows ---- */

/*
 * Row k of the peer tables: peer k / MR_NFAM in family k % MR_NFAM, when
 * both that node and this one have an address of the family (as routed).
 */
static bool peer_row(const struct status_view *d, int k, mtime_t now, struct row *r)
{
	int node = k / MR_NFAM, fam = k % MR_NFAM;

	if (node == d->self || !node_addr(d, d->self, fam)->family ||
	    !node_addr(d, node, fam)->family)
		return false;
	memset(r, 0, sizeof(*r));
	r->d = d;
	r->now = now;
	r->rt = &d->rib->rt[node][fam];
	r->node = node;
	r->fam = fam;
	return true;
}

static int peer_rows(const struct status_view *d)
{
	return d->cfg->nnodes * MR_NFAM;
}

static void sess_row(const struct status_view *d, int i, mtime_t now, struct row *r)
{
	memset(r, 0, sizeof(*r));
	r->d = d;
	r->now = now;
	r->s = &d->sess[i];
}

/*
 * A fast port has a session to every other node but only one is cabled
 * there: the others stay Down without ever hearing anything.  The text
 * view counts them instead of listing them.
 */
static bool sess_silent_candidate(const struct mr_sess *s)
{
	return !s->port->lan && s->bfd.state <= BFD_STATE_DOWN && s->rx_packets == 0 &&
	       s->flaps == 0;
}

/* ---- text ---- */

/*
 * "fast0+fast1", "via n3 (fast1)" when a neighbour relays it, or "LAN"
 * when no fast port carries the traffic.
 */
static const char *path_text(const struct status_view *d, const struct path_result *p, char *buf,
			     size_t len)
{
	size_t off = 0;
	int i;

	if (p->noif == 0)
		return "LAN";
	buf[0] = '\0';
	if (p->relayed) {
		char ib[16];

		snprintf(buf, len, "via %s (%s)", p->relay_node >= 0 && p->relay_node < d->cfg->nnodes ?
			 node_name(d, p->relay_node) : "?",
			 port_name_by_ifindex(d, p->oif[0], ib, sizeof(ib)));
		return buf;
	}
	for (i = 0; i < p->noif && off < len; i++) {
		char ib[16];

		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "+" : "",
					port_name_by_ifindex(d, p->oif[i], ib, sizeof(ib)));
	}
	return buf;
}

/* "-" (not probing), "ok 9000", "pending 9000", "failed 9000, 1500 passes". */
static const char *mtu_text(const struct row *r, const struct mr_sess *m, char *buf, size_t len)
{
	unsigned passes = row_mtu_passes(r, m);

	if (!m->pad_to)
		return "-";
	if (m->verdict == MTU_FAILED && passes)
		snprintf(buf, len, "failed %u, %u passes", m->pad_to, passes);
	else
		snprintf(buf, len, "%s %u", mtu_verdict_name(m->verdict), m->pad_to);
	return buf;
}

static const char *cell_text(const struct row *r, const struct field *f, char *buf, size_t len)
{
	struct val v;

	memset(&v, 0, sizeof(v));
	f->get(r, &v);
	if (v.none && v.kind != V_LOSS)
		return "-";
	switch (v.kind) {
	case V_STR:
		snprintf(buf, len, "%s", v.s);
		return buf;
	case V_UINT:
		snprintf(buf, len, "%" PRIu64, v.u);
		return buf;
	case V_MS:
		return fmt_ms(v.u, buf, len);
	case V_AGE:
		return fmt_age(v.u, buf, len);
	case V_PATH:
		return path_text(r->d, v.path, buf, len);
	case V_BOOL:
		return v.u ? "yes" : "no";
	case V_MTU:
		return mtu_text(r, v.mtu, buf, len);
	case V_LOSS: {
		char a[16], b[16];

		if (r->s->loss_permille < 0 && r->s->loss_to_permille < 0)
			return "-";
		snprintf(buf, len, "%s/%s", r->s->loss_permille < 0 ? "-" :
			 fmt_ms((uint64_t)r->s->loss_permille * 100, a, sizeof(a)),
			 r->s->loss_to_permille < 0 ? "-" :
			 fmt_ms((uint64_t)r->s->loss_to_permille * 100, b, sizeof(b)));
		return buf;
	}
	}
	return "?";
}

#define CELL 128
#define MAX_COLS 32

struct table {
	const struct field *fields;
	size_t nfields;
	int width[MAX_COLS];
	bool right[MAX_COLS];
};

_Static_assert(sizeof(sess_fields) / sizeof(sess_fields[0]) <= MAX_COLS,
	       "status: more session fields than table columns");

static void table_init(struct table *t, const struct field *fields, size_t n)
{
	size_t c;

	memset(t, 0, sizeof(*t));
	t->fields = fields;
	t->nfields = n;
	for (c = 0; c < n && c < MAX_COLS; c++)
		if (fields[c].head)
			t->width[c] = (int)strlen(fields[c].head);
}

static void table_measure(struct table *t, const struct row *r)
{
	char buf[CELL];
	size_t c;

	for (c = 0; c < t->nfields && c < MAX_COLS; c++) {
		struct val v;
		int w;

		if (!t->fields[c].head)
			continue;
		memset(&v, 0, sizeof(v));
		t->fields[c].get(r, &v);
		t->right[c] = v.kind == V_UINT || v.kind == V_MS || v.kind == V_AGE || v.kind == V_LOSS;
		w = (int)strlen(cell_text(r, &t->fields[c], buf, sizeof(buf)));
		if (w > t->width[c])
			t->width[c] = w;
	}
}

/* One line: the headers when r is NULL, else the row's cells; two spaces between columns. */
static void table_line(const struct table *t, const struct row *r, FILE *out)
{
	char buf[CELL], line[MAX_COLS * (CELL + 2) + 1];
	size_t c, off = 0;

	for (c = 0; c < t->nfields && c < MAX_COLS; c++) {
		const char *s;

		if (!t->fields[c].head)
			continue;
		s = r ? cell_text(r, &t->fields[c], buf, sizeof(buf)) : t->fields[c].head;
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%*s", off ? "  " : "",
					t->right[c] ? t->width[c] : -t->width[c], s);
		if (off >= sizeof(line))
			off = sizeof(line) - 1;
	}
	/* The last column is padded too: trim it. */
	while (off > 0 && line[off - 1] == ' ')
		line[--off] = '\0';
	fprintf(out, "%s\n", line);
}

static const char *sched_policy(void)
{
	return sched_getscheduler(0) == SCHED_FIFO ? "SCHED_FIFO" : "SCHED_OTHER";
}

/* How the daemon is scheduled and whether the host made it late. */
static void sched_text(const struct status_view *d, FILE *out)
{
	struct standby_stats st;

	standby_stats(d->standby, &st);
	fprintf(out, "scheduling: %s, standby thread %s", sched_policy(),
		d->standby ? "on" : "off (one CPU)");
	if (d->standby)
		fprintf(out, " (took over %" PRIu64 " time(s), stood in with %" PRIu64 " packet(s))",
			st.takeovers, st.tx_sent);
	if (d->late_max_us)
		fprintf(out, "; worst lateness %lld.%lld ms", (long long)d->late_max_us / 1000,
			(long long)(d->late_max_us % 1000) / 100);
	fputc('\n', out);
}

static void drops_text(const struct status_view *d, FILE *out)
{
	const char *sep;
	int i, j;

	fprintf(out, "drops:");
	for (i = 0; i < MR_DROP_MAX; i++) {
		fprintf(out, "%s %s %" PRIu64, i ? "," : "", mr_drop_name(i), d->drops[i]);
		if (i != MR_DROP_DECODE || d->drops[i] == 0)
			continue;
		fprintf(out, " (");
		for (j = 1, sep = ""; j < BFD_DECODE_ERR_MAX; j++) {
			if (!d->drop_decode[j])
				continue;
			fprintf(out, "%s%s %" PRIu64, sep, bfd_decode_errname(j), d->drop_decode[j]);
			sep = ", ";
		}
		fprintf(out, ")");
	}
	fprintf(out, "\n");
}

/* " name count, name count, ..." from a counter array and its names. */
static void text_counters(const uint64_t *count, int n, const char *(*name)(int), FILE *out)
{
	int i;

	for (i = 0; i < n; i++)
		fprintf(out, "%s %s %" PRIu64, i ? "," : "", name(i), count[i]);
}

static void linkmsg_text(const struct status_view *d, FILE *out)
{
	const struct linkmsg_state *lm = d->lm;

	fprintf(out, "link reports: sent %" PRIu64 ", received %" PRIu64 ", dropped:",
		lm->tx_packets, lm->rx_packets);
	text_counters(lm->drops, LINKMSG_DROP_MAX, linkmsg_drop_name, out);
	fprintf(out, "\n");
}

/* Only with relay = on: whether we relay for others, what neighbours said, drops. */
static void relay_text(const struct status_view *d, mtime_t now, FILE *out)
{
	const struct relay_state *r = d->relay;
	int i, n;

	if (!r->running)
		return;
	if (r->capable)
		fprintf(out, "relay: on; relays for its peers\n");
	else
		fprintf(out, "relay: on; does NOT relay for its peers: %s\n", r->why);
	for (i = 0; i < d->cfg->nnodes; i++) {
		const struct advert_entry *e = &r->table.e[i];
		const char *sep = "";

		if (i == d->self || !e->valid || now >= e->expires)
			continue;
		fprintf(out, "  %s reaches directly:", node_name(d, i));
		for (n = 0; n < d->cfg->nnodes; n++)
			if (e->reach >> n & 1u) {
				fprintf(out, "%s %s", sep, node_name(d, n));
				sep = ",";
			}
		fprintf(out, "%s (expires in %lld ms)\n", e->reach ? "" : " none",
			(long long)((e->expires - now) / 1000));
	}
	fprintf(out, "relay adverts: sent %" PRIu64 ", received %" PRIu64 ", dropped:",
		r->tx_packets, r->rx_packets);
	text_counters(r->drops, RELAY_DROP_MAX, relay_drop_name, out);
	fprintf(out, "\n");
}

/*
 * Row i of the text view's session table (sessions) or peer table: false
 * for a row it leaves out (a silent candidate; a peer without an address
 * of the family).
 */
static bool text_row(const struct status_view *d, bool sessions, int i, mtime_t now,
		     struct row *r)
{
	if (!sessions)
		return peer_row(d, i, now, r);
	if (sess_silent_candidate(&d->sess[i]))
		return false;
	sess_row(d, i, now, r);
	return true;
}

/* The peer or session table: every row measured first, so that each column fits them all. */
static void table_text(const struct status_view *d, bool sessions, mtime_t now, FILE *out)
{
	int i, n = sessions ? d->nsess : peer_rows(d);
	struct table t;
	struct row r;

	if (sessions)
		table_init(&t, sess_fields, NFIELDS(sess_fields));
	else
		table_init(&t, peer_fields, NFIELDS(peer_fields));
	for (i = 0; i < n; i++)
		if (text_row(d, sessions, i, now, &r))
			table_measure(&t, &r);
	table_line(&t, NULL, out);
	for (i = 0; i < n; i++)
		if (text_row(d, sessions, i, now, &r))
			table_line(&t, &r, out);
}

void status_text(const struct status_view *d, mtime_t now, FILE *out)
{
	int i, j, silent;

	fprintf(out, "node %s\n\n", node_name(d, d->self));
	table_text(d, false, now, out);
	fprintf(out, "\n");
	table_text(d, true, now, out);
	for (i = 0; i < d->nports; i++) {
		silent = 0;
		for (j = 0; j < d->nsess; j++)
			if (d->sess[j].port == &d->ports[i] && sess_silent_candidate(&d->sess[j]))
				silent++;
		if (silent)
			fprintf(out, "%s: %d silent candidate session(s) not shown (Down, nothing received)\n",
				d->ports[i].name, silent);
	}
	for (i = 0; i < d->nsess; i++) {
		const struct mr_sess *s = &d->sess[i];

		if (!s->port->lan && s->bfd.state == BFD_STATE_UP &&
		    strcmp(loss_source(s, now), "none") == 0)
			fprintf(out, "%s via %s (%s): loss: unknown, the peer sends no counts (no link "
				"reports, no meticulous authentication)\n", node_name(d, s->peer),
				s->port->name, fam_name(mr_fam(s->local.family)));
	}
	fprintf(out, "\n");
	sched_text(d, out);
	drops_text(d, out);
	linkmsg_text(d, out);
	relay_text(d, now, out);
}

/* ---- JSON ---- */

void status_json_string(const char *s, FILE *out)
{
	fmt_json_string(s, out);
}

static void json_val(const struct row *r, const struct val *v, FILE *out)
{
	char buf[32];
	int i;

	if (v->none) {
		fputs("null", out);
		return;
	}
	switch (v->kind) {
	case V_STR:
		status_json_string(v->s, out);
		break;
	case V_UINT:
		fprintf(out, "%" PRIu64, v->u);
		break;
	case V_MS:
	case V_LOSS:
		fputs(fmt_ms(v->u, buf, sizeof(buf)), out);
		break;
	case V_AGE:
		fprintf(out, "%" PRIu64 ".%03" PRIu64, v->u / 1000000, v->u / 1000 % 1000);
		break;
	case V_BOOL:
		fputs(v->u ? "true" : "false", out);
		break;
	case V_MTU:
		status_json_string(mtu_verdict_name(v->mtu->verdict), out);
		break;
	case V_PATH:
		fputc('[', out);
		for (i = 0; i < v->path->noif; i++) {
			char ib[16];

			if (i)
				fputc(',', out);
			status_json_string(port_name_by_ifindex(r->d, v->path->oif[i], ib, sizeof(ib)), out);
		}
		fputc(']', out);
		break;
	}
}

static void json_object(const struct row *r, const struct field *fields, size_t n, FILE *out)
{
	size_t i;

	fputc('{', out);
	for (i = 0; i < n; i++) {
		struct val v;

		memset(&v, 0, sizeof(v));
		fields[i].get(r, &v);
		if (i)
			fputc(',', out);
		status_json_string(fields[i].key, out);
		fputc(':', out);
		json_val(r, &v, out);
	}
	fputc('}', out);
}

/* {"name":count,...} from a counter array and its names, skipping index `from` below. */
static void json_counters(const uint64_t *count, int from, int n, const char *(*name)(int),
			  FILE *out)
{
	int i;

	fputc('{', out);
	for (i = from; i < n; i++) {
		if (i > from)
			fputc(',', out);
		status_json_string(name(i), out);
		fprintf(out, ":%" PRIu64, count[i]);
	}
	fputc('}', out);
}

/* "relay": {...}, null with relay = off. */
static void relay_json(const struct status_view *d, mtime_t now, FILE *out)
{
	const struct relay_state *r = d->relay;
	int i, n, k = 0;

	fputs(",\"relay\":", out);
	if (!r->running) {
		fputs("null", out);
		return;
	}
	fprintf(out, "{\"relaying\":%s,\"why_not\":", r->capable ? "true" : "false");
	if (r->capable)
		fputs("null", out);
	else
		status_json_string(r->why, out);
	fputs(",\"neighbours\":[", out);
	for (i = 0; i < d->cfg->nnodes; i++) {
		const struct advert_entry *e = &r->table.e[i];
		int m = 0;

		if (i == d->self || !e->valid || now >= e->expires)
			continue;
		if (k++)
			fputc(',', out);
		fputs("{\"name\":", out);
		status_json_string(node_name(d, i), out);
		fputs(",\"reaches\":[", out);
		for (n = 0; n < d->cfg->nnodes; n++)
			if (e->reach >> n & 1u) {
				if (m++)
					fputc(',', out);
				status_json_string(node_name(d, n), out);
			}
		fprintf(out, "],\"expires_in_ms\":%lld}", (long long)((e->expires - now) / 1000));
	}
	fprintf(out, "],\"adverts_sent\":%" PRIu64 ",\"adverts_received\":%" PRIu64
		",\"adverts_send_errors\":%" PRIu64 ",\"drops\":", r->tx_packets, r->rx_packets,
		r->tx_errors);
	json_counters(r->drops, 0, RELAY_DROP_MAX, relay_drop_name, out);
	fputs(",\"decode_errors\":", out);
	json_counters(r->drop_decode, 1, ADVERT_ERR_MAX, advert_err_name, out);
	fputc('}', out);
}

void status_json(const struct status_view *d, mtime_t now, FILE *out)
{
	struct standby_stats st;
	struct row r;
	int i, n;

	fputs("{\"node\":", out);
	status_json_string(node_name(d, d->self), out);
	fputs(",\"peers\":[", out);
	for (i = n = 0; i < peer_rows(d); i++) {
		if (!peer_row(d, i, now, &r))
			continue;
		if (n++)
			fputc(',', out);
		json_object(&r, peer_fields, NFIELDS(peer_fields), out);
	}
	fputs("],\"sessions\":[", out);
	for (i = 0; i < d->nsess; i++) {
		sess_row(d, i, now, &r);
		if (i)
			fputc(',', out);
		json_object(&r, sess_fields, NFIELDS(sess_fields), out);
	}
	standby_stats(d->standby, &st);
	fprintf(out, "],\"scheduling\":{\"policy\":\"%s\",\"standby\":%s,\"standby_takeovers\":%"
		PRIu64 ",\"standby_sends\":%" PRIu64 ",\"late_max_ms\":%lld.%03lld}", sched_policy(),
		d->standby ? "true" : "false", st.takeovers, st.tx_sent, (long long)d->late_max_us / 1000,
		(long long)d->late_max_us % 1000);
	fputs(",\"drops\":", out);
	json_counters(d->drops, 0, MR_DROP_MAX, mr_drop_name, out);
	/* BFD_DECODE_OK is not an error. */
	fputs(",\"decode_errors\":", out);
	json_counters(d->drop_decode, 1, BFD_DECODE_ERR_MAX, bfd_decode_errname, out);
	/* AUTH_OK is not an error either. */
	fputs(",\"auth_errors\":", out);
	json_counters(d->drop_auth, 1, AUTH_RESULT_MAX, auth_result_name, out);
	fprintf(out, ",\"link_reports\":{\"sent\":%" PRIu64 ",\"received\":%" PRIu64
		",\"send_errors\":%" PRIu64 ",\"drops\":", d->lm->tx_packets, d->lm->rx_packets,
		d->lm->tx_errors);
	json_counters(d->lm->drops, 0, LINKMSG_DROP_MAX, linkmsg_drop_name, out);
	fputs(",\"decode_errors\":", out);
	json_counters(d->lm->drop_decode, 1, LINKREP_ERR_MAX, linkrep_err_name, out);
	fputc('}', out);
	relay_json(d, now, out);
	fputs("}\n", out);
}

/* ---- Prometheus metrics ---- */

enum metric_scope { M_SESSION, M_MTU, M_PEER, M_DROP, M_DECODE, M_AUTH, M_RELAY_DROP,
		    M_LINK_DROP, M_DAEMON };

struct metric {
	const char *name;
	const char *type;		/* "gauge" or "counter" */
	enum metric_scope scope;	/* which rows, and so which labels */
	uint64_t (*get)(const struct row *r);
	const char *help;
	bool (*known)(const struct row *r);	/* NULL: always; false: no sample */
};

/* A metric in seconds (Prometheus' base unit): its getter gives microseconds. */
static bool metric_micro(const struct metric *m)
{
	size_t n = strlen(m->name);

	return n > 8 && strcmp(m->name + n - 8, "_seconds") == 0;
}

static uint64_t m_state(const struct row *r)
{
	return r->s->bfd.state;
}

static uint64_t m_up(const struct row *r)
{
	return r->s->bfd.state == BFD_STATE_UP;
}

static uint64_t m_flaps(const struct row *r)
{
	return r->s->flaps;
}

static uint64_t m_loss(const struct row *r)
{
	return r->s->loss_permille > 0 ? (uint64_t)r->s->loss_permille : 0;
}

static bool m_loss_known(const struct row *r)
{
	return r->s->loss_permille >= 0;
}

static uint64_t m_lossy(const struct row *r)
{
	return r->s->loss_out;
}

static uint64_t m_loss_to(const struct row *r)
{
	return r->s->loss_to_permille > 0 ? (uint64_t)r->s->loss_to_permille : 0;
}

static bool m_loss_to_known(const struct row *r)
{
	return r->s->loss_to_permille >= 0;
}

static uint64_t m_loss_counted(const struct row *r)
{
	return !r->s->port->lan && strcmp(loss_source(r->s, r->now), "none") != 0;
}

static int64_t row_rtt(const struct row *r, bool jitter)
{
	const struct mr_link *l = r->s->port->lan ? NULL : linkmsg_link_of_const(r->d->lm, r->s);

	if (!l)
		return -1;
	return jitter ? rtt_jitter(&l->rtt, r->now) : rtt_median(&l->rtt, r->now);
}

static uint64_t m_rtt(const struct row *r)
{
	return (uint64_t)row_rtt(r, false);
}

static bool m_rtt_known(const struct row *r)
{
	return row_rtt(r, false) >= 0;
}

static uint64_t m_jitter(const struct row *r)
{
	return (uint64_t)row_rtt(r, true);
}

static bool m_jitter_known(const struct row *r)
{
	return row_rtt(r, true) >= 0;
}

static uint64_t m_link_drops(const struct row *r)
{
	return r->d->lm->drops[r->idx];
}

static uint64_t m_tx(const struct row *r)
{
	return r->s->tx_packets;
}

static uint64_t m_rx(const struct row *r)
{
	return r->s->rx_packets;
}

static uint64_t m_tx_errors(const struct row *r)
{
	return r->s->tx_errors;
}

static uint64_t m_mtu_ok(const struct row *r)
{
	return mtu_sess(r->d, r->s)->verdict == MTU_OK;
}

static uint64_t m_mtu_size(const struct row *r)
{
	return mtu_sess(r->d, r->s)->pad_to;
}

static uint64_t m_mtu_passes(const struct row *r)
{
	return row_mtu_passes(r, mtu_sess(r->d, r->s));
}

static uint64_t m_drops(const struct row *r)
{
	return r->d->drops[r->idx];
}

static uint64_t m_decode(const struct row *r)
{
	return r->d->drop_decode[r->idx];
}

static uint64_t m_auth(const struct row *r)
{
	return r->d->drop_auth[r->idx];
}

static uint64_t m_path_fast(const struct row *r)
{
	return (*r->rt).installed.noif > 0;
}

static uint64_t m_path_ports(const struct row *r)
{
	return (uint64_t)(*r->rt).installed.noif;
}

static uint64_t m_path_relayed(const struct row *r)
{
	return (*r->rt).installed.noif > 0 && (*r->rt).installed.relayed;
}

static uint64_t m_takeovers(const struct row *r)
{
	struct standby_stats st;

	standby_stats(r->d->standby, &st);
	return st.takeovers;
}

static uint64_t m_standby_sends(const struct row *r)
{
	struct standby_stats st;

	standby_stats(r->d->standby, &st);
	return st.tx_sent;
}

static uint64_t m_late_max(const struct row *r)
{
	return (uint64_t)r->d->late_max_us;
}

static uint64_t m_relay_drops(const struct row *r)
{
	return r->d->relay->drops[r->idx];
}

static const struct metric metrics[] = {
	{ "meshroute_session_state", "gauge", M_SESSION, m_state,
	  "BFD session state (RFC 5880 4.1): 0 AdminDown, 1 Down, 2 Init, 3 Up.", NULL },
	{ "meshroute_session_up", "gauge", M_SESSION, m_up,
	  "1 if the BFD session is Up, else 0.", NULL },
	{ "meshroute_session_flaps_total", "counter", M_SESSION, m_flaps,
	  "Times the session left Up, not counting the peer's AdminDown.", NULL },
	{ "meshroute_session_probe_loss_permille", "gauge", M_SESSION, m_loss,
	  "The peer's probes lost over the last 10 s, in tenths of a percent, counted (no sample without counts).",
	  m_loss_known },
	{ "meshroute_session_probe_loss_to_peer_permille", "gauge", M_SESSION, m_loss_to,
	  "Our probes lost on the way to the peer over the last 10 s, in tenths of a percent, as the peer counted them.",
	  m_loss_to_known },
	{ "meshroute_session_loss_counted", "gauge", M_SESSION, m_loss_counted,
	  "1 if the peer sends counts (link reports or meticulous auth), so probe loss is judged; 0 if not.",
	  NULL },
	{ "meshroute_session_rtt_seconds", "gauge", M_SESSION, m_rtt,
	  "Round-trip time of the session's cable: median of the last 16 link reports.", m_rtt_known },
	{ "meshroute_session_rtt_jitter_seconds", "gauge", M_SESSION, m_jitter,
	  "Mean difference between consecutive round-trip times of the cable.", m_jitter_known },
	{ "meshroute_session_lossy", "gauge", M_SESSION, m_lossy,
	  "1 while the port is out of service for probe loss above max-loss.", NULL },
	{ "meshroute_session_packets_sent_total", "counter", M_SESSION, m_tx,
	  "BFD Control packets sent.", NULL },
	{ "meshroute_session_packets_received_total", "counter", M_SESSION, m_rx,
	  "BFD Control packets accepted for the session.", NULL },
	{ "meshroute_session_send_errors_total", "counter", M_SESSION, m_tx_errors,
	  "BFD Control packets the kernel refused to send.", NULL },
	{ "meshroute_mtu_ok", "gauge", M_MTU, m_mtu_ok,
	  "1 if padded probes of the port's MTU pass both ways (RFC 9764), else 0.", NULL },
	{ "meshroute_mtu_probe_bytes", "gauge", M_MTU, m_mtu_size,
	  "Size of the padded probes sent (the port's MTU), bytes.", NULL },
	{ "meshroute_mtu_passes_bytes", "gauge", M_MTU, m_mtu_passes,
	  "Size of the peer's padded probes arriving lately, bytes (0: none).", NULL },
	{ "meshroute_packets_dropped_total", "counter", M_DROP, m_drops,
	  "Received BFD packets dropped, by reason.", NULL },
	{ "meshroute_packets_decode_errors_total", "counter", M_DECODE, m_decode,
	  "Received BFD packets that failed to decode, by field (part of reason=\"decode\").", NULL },
	{ "meshroute_packets_auth_errors_total", "counter", M_AUTH, m_auth,
	  "Received BFD packets that failed authentication, by result (part of reason=\"auth\").", NULL },
	{ "meshroute_peer_path_fast", "gauge", M_PEER, m_path_fast,
	  "1 if traffic to the peer uses fast ports, 0 if it uses the LAN.", NULL },
	{ "meshroute_peer_path_ports", "gauge", M_PEER, m_path_ports,
	  "Fast ports carrying traffic to the peer (0: the LAN).", NULL },
	{ "meshroute_peer_path_relayed", "gauge", M_PEER, m_path_relayed,
	  "1 if traffic to the peer goes through a neighbour that relays it (relay = on), else 0.", NULL },
	{ "meshroute_relay_adverts_dropped_total", "counter", M_RELAY_DROP, m_relay_drops,
	  "Received relay advertisements dropped, by reason.", NULL },
	{ "meshroute_standby_takeovers_total", "counter", M_DAEMON, m_takeovers,
	  "Times the standby thread ran the timers because the main thread was woken late.", NULL },
	{ "meshroute_standby_sends_total", "counter", M_DAEMON, m_standby_sends,
	  "Probes the standby thread sent while the main thread held its lock but did not run.", NULL },
	{ "meshroute_late_max_seconds", "gauge", M_DAEMON, m_late_max,
	  "Worst lateness of the daemon's timers since start (beyond one interval; 0: never).", NULL },
	{ "meshroute_link_reports_dropped_total", "counter", M_LINK_DROP, m_link_drops,
	  "Received messages on relay-port dropped before they reached relay, and link reports dropped, by reason.",
	  NULL },
};

static void prom_label(const char *name, const char *value, bool first, FILE *out)
{
	fprintf(out, "%s%s=", first ? "" : ",", name);
	fmt_prom_value(value, out);
}

static void prom_labels(const struct row *r, enum metric_scope scope, FILE *out)
{
	if (scope == M_DAEMON)
		return;
	fputc('{', out);
	switch (scope) {
	case M_SESSION:
	case M_MTU:
		prom_label("peer", node_name(r->d, r->s->peer), true, out);
		prom_label("port", r->s->port->name, false, out);
		prom_label("family", fam_name(mr_fam(r->s->local.family)), false, out);
		break;
	case M_PEER:
		prom_label("peer", node_name(r->d, r->node), true, out);
		prom_label("family", fam_name(r->fam), false, out);
		break;
	case M_DROP:
		prom_label("reason", mr_drop_name(r->idx), true, out);
		break;
	case M_DECODE:
		prom_label("error", bfd_decode_errname(r->idx), true, out);
		break;
	case M_AUTH:
		prom_label("result", auth_result_name(r->idx), true, out);
		break;
	case M_RELAY_DROP:
		prom_label("reason", relay_drop_name(r->idx), true, out);
		break;
	case M_LINK_DROP:
		prom_label("reason", linkmsg_drop_name(r->idx), true, out);
		break;
	case M_DAEMON:
		return;
	}
	fputc('}', out);
}

static void prom_sample(const struct metric *m, const struct row *r, FILE *out)
{
	if (m->known && !m->known(r))
		return;
	fputs(m->name, out);
	prom_labels(r, m->scope, out);
	if (metric_micro(m))
		fprintf(out, " %" PRIu64 ".%06" PRIu64 "\n", m->get(r) / 1000000, m->get(r) % 1000000);
	else
		fprintf(out, " %" PRIu64 "\n", m->get(r));
}

void status_metrics(const struct status_view *d, mtime_t now, FILE *out)
{
	size_t k;
	struct row r;
	int i;

	for (k = 0; k < NFIELDS(metrics); k++) {
		const struct metric *m = &metrics[k];

		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name, m->type);
		switch (m->scope) {
		case M_SESSION:
			for (i = 0; i < d->nsess; i++) {
				sess_row(d, i, now, &r);
				prom_sample(m, &r, out);
			}
			break;
		case M_MTU:
			/* Only where the port probes its MTU. */
			for (i = 0; i < d->nsess; i++) {
				const struct mr_sess *ms;

				sess_row(d, i, now, &r);
				ms = d->sess[i].port->lan ? NULL : mtu_sess(d, &d->sess[i]);
				if (ms && ms->pad_to)
					prom_sample(m, &r, out);
			}
			break;
		case M_PEER:
			for (i = 0; i < peer_rows(d); i++)
				if (peer_row(d, i, now, &r))
					prom_sample(m, &r, out);
			break;
		case M_DROP:
		case M_DECODE:
		case M_AUTH:
		case M_RELAY_DROP:
		case M_LINK_DROP: {
			/* Index 0 of the decode and auth tables is "ok", not a drop. */
			int first = m->scope == M_DECODE || m->scope == M_AUTH ? 1 : 0;
			int end = m->scope == M_DROP ? MR_DROP_MAX :
				  m->scope == M_RELAY_DROP ? RELAY_DROP_MAX :
				  m->scope == M_LINK_DROP ? LINKMSG_DROP_MAX :
				  m->scope == M_DECODE ? BFD_DECODE_ERR_MAX : AUTH_RESULT_MAX;

			memset(&r, 0, sizeof(r));
			r.d = d;
			r.now = now;
			for (i = first; i < end; i++) {
				r.idx = i;
				prom_sample(m, &r, out);
			}
			break;
		}
		case M_DAEMON:
			memset(&r, 0, sizeof(r));
			r.d = d;
			r.now = now;
			prom_sample(m, &r, out);
			break;
		}
	}
	/* The mesh view's meshroute_link_* and meshroute_mesh_* families (meshfmt.h). */
	linkmsg_mesh_metrics(d->lm, now, out);
}
