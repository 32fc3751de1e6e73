// SPDX-License-Identifier: GPL-2.0-or-later
/* The mesh view as text, JSON, DOT and metrics (see meshfmt.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "meshfmt.h"
#include "textfmt.h"

int mesh_format_parse(bool json, int argc, char **argv, enum mesh_format *fmt, FILE *err)
{
	*fmt = json ? MESH_FMT_JSON : MESH_FMT_TEXT;
	if (argc == 0)
		return 0;
	if (argc == 1 && strcmp(argv[0], "--dot") == 0) {
		if (json) {
			fprintf(err, "mesh: -j and --dot do not go together\n");
			return -1;
		}
		*fmt = MESH_FMT_DOT;
		return 0;
	}
	fprintf(err, "mesh: unknown argument \"%s\" (usage: mesh [--dot])\n", argv[argc > 1 &&
		strcmp(argv[0], "--dot") == 0 ? 1 : 0]);
	return -1;
}

/* ---- numbers ---- */

/* Per mille as percent with one decimal: "0.0", "2.5", "100.0". */
static const char *pct_str(int permille, char *buf, size_t len)
{
	snprintf(buf, len, "%d.%d", permille / 10, permille % 10);
	return buf;
}

static uint64_t link_age(const struct mesh_view *v, const struct mesh_link *l)
{
	return v->now > l->since ? (uint64_t)(v->now - l->since) : 0;
}

/* ---- text ---- */

enum { C_NODES, C_PORTS, C_STATE, C_SINCE, C_RTT, C_JITTER, C_LOSS, C_FLAPS, C_MAX };

static const char *const heads[C_MAX] = {
	"NODES", "PORTS", "STATE", "SINCE", "RTT(ms)", "JITTER(ms)", "LOSS%(A>B/B>A)", "FLAPS",
};

static void cell(const struct mesh_view *v, const struct mesh_link *l, int c, char *buf,
		 size_t len)
{
	char x[24], y[24];
	bool none = l->state == LINKREP_NS_NONE;

	switch (c) {
	case C_NODES:
		snprintf(buf, len, "%s-%s", v->names[l->a], v->names[l->b]);
		break;
	case C_PORTS:
		if (none)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%s-%s", l->port_a[0] ? l->port_a : "?",
				 l->port_b[0] ? l->port_b : "?");
		break;
	case C_STATE:
		snprintf(buf, len, "%s", mesh_state_name(l->state));
		break;
	case C_SINCE:
		snprintf(buf, len, "%s", none || !l->since_known ? "-" :
			 fmt_age(link_age(v, l), x, sizeof(x)));
		break;
	case C_RTT:
		snprintf(buf, len, "%s", l->rtt_us < 0 ? "-" : fmt_ms((uint64_t)l->rtt_us, x, sizeof(x)));
		break;
	case C_JITTER:
		snprintf(buf, len, "%s", l->jitter_us < 0 ? "-" :
			 fmt_ms((uint64_t)l->jitter_us, x, sizeof(x)));
		break;
	case C_LOSS:
		snprintf(buf, len, "%s/%s", l->loss_ab < 0 ? "-" : pct_str(l->loss_ab, x, sizeof(x)),
			 l->loss_ba < 0 ? "-" : pct_str(l->loss_ba, y, sizeof(y)));
		break;
	default:
		if (l->flaps_known)
			snprintf(buf, len, "%" PRIu32, l->flaps);
		else
			snprintf(buf, len, "-");
		break;
	}
}

/* Left-aligned in its width, two blanks between columns; the last one unpadded. */
static void put_cell(const char *s, size_t width, bool last, FILE *out)
{
	if (last)
		fprintf(out, "%s\n", s);
	else
		fprintf(out, "%-*s  ", (int)width, s);
}

static void mesh_text(const struct mesh_view *v, FILE *out)
{
	size_t w[C_MAX];
	char buf[64];
	int i, c, live = 0;

	for (i = 0; i < v->nnodes; i++)
		live += v->live[i];
	fprintf(out, "mesh seen from %s: %d nodes, %d with a live link table\n",
		v->self >= 0 && v->self < v->nnodes ? v->names[v->self] : "?", v->nnodes, live);
	for (c = 0; c < C_MAX; c++)
		w[c] = strlen(heads[c]);
	for (i = 0; i < v->nlinks; i++)
		for (c = 0; c < C_MAX; c++) {
			cell(v, &v->links[i], c, buf, sizeof(buf));
			if (strlen(buf) > w[c])
				w[c] = strlen(buf);
		}
	for (c = 0; c < C_MAX; c++)
		put_cell(heads[c], w[c], c == C_MAX - 1, out);
	for (i = 0; i < v->nlinks; i++)
		for (c = 0; c < C_MAX; c++) {
			cell(v, &v->links[i], c, buf, sizeof(buf));
			put_cell(buf, w[c], c == C_MAX - 1, out);
		}
	if (v->nwarn == 0)
		return;
	fprintf(out, "\nwarnings:\n");
	for (i = 0; i < v->nwarn; i++)
		fprintf(out, "  %s\n", v->warn[i].text);
	if (v->warn_dropped)
		fprintf(out, "  (%u more)\n", v->warn_dropped);
}

/* ---- JSON ---- */

static void json_opt_str(const char *s, bool known, FILE *out)
{
	if (known && s[0])
		fmt_json_string(s, out);
	else
		fputs("null", out);
}

static void json_ms(int64_t us, FILE *out)
{
	char buf[32];

	fputs(us < 0 ? "null" : fmt_ms((uint64_t)us, buf, sizeof(buf)), out);
}

static void json_pct(int permille, FILE *out)
{
	char buf[16];

	fputs(permille < 0 ? "null" : pct_str(permille, buf, sizeof(buf)), out);
}

static void json_link(const struct mesh_view *v, const struct mesh_link *l, FILE *out)
{
	bool none = l->state == LINKREP_NS_NONE;
	uint64_t age = link_age(v, l);

	fputs("{\"nodes\": [", out);
	fmt_json_string(v->names[l->a], out);
	fputs(", ", out);
	fmt_json_string(v->names[l->b], out);
	fputs("], \"ports\": [", out);
	json_opt_str(l->port_a, !none, out);
	fputs(", ", out);
	json_opt_str(l->port_b, !none, out);
	fputs("], \"state\": ", out);
	fmt_json_string(mesh_state_name(l->state), out);
	fputs(", \"since_s\": ", out);
	if (none || !l->since_known)
		fputs("null", out);
	else
		fprintf(out, "%" PRIu64 ".%03" PRIu64, age / 1000000, age / 1000 % 1000);
	fputs(", \"rtt_ms\": ", out);
	json_ms(l->rtt_us, out);
	fputs(", \"jitter_ms\": ", out);
	json_ms(l->jitter_us, out);
	fputs(", \"loss_pct\": [", out);
	json_pct(l->loss_ab, out);
	fputs(", ", out);
	json_pct(l->loss_ba, out);
	fputs("], \"flaps\": ", out);
	if (l->flaps_known)
		fprintf(out, "%" PRIu32, l->flaps);
	else
		fputs("null", out);
	fputs(", \"detect_ms\": ", out);
	json_ms(l->detect_us ? (int64_t)l->detect_us : -1, out);
	fputs(", \"last_detect_ms\": ", out);
	json_ms(l->last_detect_us ? (int64_t)l->last_detect_us : -1, out);
	fputs(", \"reported_by\": [", out);
	if (l->by_a)
		fmt_json_string(v->names[l->a], out);
	if (l->by_b) {
		fputs(l->by_a ? ", " : "", out);
		fmt_json_string(v->names[l->b], out);
	}
	fputs("]}", out);
}

static void json_names(const struct mesh_view *v, uint32_t mask, FILE *out)
{
	int n, k = 0;

	fputc('[', out);
	for (n = 0; n < v->nnodes; n++)
		if (mask & MESH_NODE_BIT(n)) {
			fputs(k++ ? ", " : "", out);
			fmt_json_string(v->names[n], out);
		}
	fputc(']', out);
}

static void mesh_json(const struct mesh_view *v, FILE *out)
{
	uint32_t all = 0, silent = 0;
	int i;

	for (i = 0; i < v->nnodes; i++) {
		all |= MESH_NODE_BIT(i);
		if (!v->live[i])
			silent |= MESH_NODE_BIT(i);
	}
	fputs("{\"node\": ", out);
	fmt_json_string(v->self >= 0 && v->self < v->nnodes ? v->names[v->self] : "", out);
	fputs(", \"nodes\": ", out);
	json_names(v, all, out);
	fputs(", \"links\": [", out);
	for (i = 0; i < v->nlinks; i++) {
		fputs(i ? ",\n  " : "\n  ", out);
		json_link(v, &v->links[i], out);
	}
	fputs("],\n \"silent\": ", out);
	json_names(v, silent, out);
	fputs(", \"warnings\": [", out);
	for (i = 0; i < v->nwarn; i++) {
		fputs(i ? ",\n  " : "\n  ", out);
		fputs("{\"kind\": ", out);
		fmt_json_string(mesh_warn_kind_name(v->warn[i].kind), out);
		fputs(", \"nodes\": ", out);
		json_names(v, v->warn[i].nodes, out);
		fputs(", \"text\": ", out);
		fmt_json_string(v->warn[i].text, out);
		fputc('}', out);
	}
	fputs("]}\n", out);
}

/* ---- DOT ---- */

static const char *state_colour(int state)
{
	switch (state) {
	case LINKREP_NS_UP:
		return "forestgreen";
	case LINKREP_NS_DOWN:
		return "red3";
	case LINKREP_NS_DRAINED:
		return "gray50";
	case LINKREP_NS_MTU:
		return "purple";
	case LINKREP_NS_LOSSY:
		return "darkorange";
	default:
		return "gray70";
	}
}

/* A DOT double-quoted string: quote and backslash escaped. */
static void dot_str(const char *s, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* Was a no-cable warning given for the pair? */
static bool pair_warned(const struct mesh_view *v, int a, int b)
{
	int i;

	for (i = 0; i < v->nwarn; i++)
		if (v->warn[i].kind == MESH_W_NO_CABLE &&
		    v->warn[i].nodes == (MESH_NODE_BIT(a) | MESH_NODE_BIT(b)))
			return true;
	return false;
}

static void mesh_dot(const struct mesh_view *v, FILE *out)
{
	char label[160], x[24], y[24], z[24];
	int i;

	fputs("graph meshroute {\n", out);
	snprintf(label, sizeof(label), "meshroute mesh seen from %s",
		 v->self >= 0 && v->self < v->nnodes ? v->names[v->self] : "?");
	fputs("\tgraph [label=", out);
	dot_str(label, out);
	fputs(", labelloc=t, fontname=\"Helvetica\", fontsize=12, layout=circo, mindist=2.2];\n"
	      "\tnode [shape=box, style=\"rounded,filled\", fillcolor=white, "
	      "fontname=\"Helvetica\"];\n"
	      "\tedge [fontname=\"Helvetica\", fontsize=9, penwidth=2, labeldistance=1.6];\n", out);
	for (i = 0; i < v->nnodes; i++) {
		fputc('\t', out);
		dot_str(v->names[i], out);
		if (!v->live[i])
			fputs(" [style=\"rounded,dashed\", color=gray50, fontcolor=gray50]", out);
		fputs(";\n", out);
	}
	for (i = 0; i < v->nlinks; i++) {
		const struct mesh_link *l = &v->links[i];

		if (l->state == LINKREP_NS_NONE) {
			if (!pair_warned(v, l->a, l->b))
				continue;
			fputc('\t', out);
			dot_str(v->names[l->a], out);
			fputs(" -- ", out);
			dot_str(v->names[l->b], out);
			fputs(" [style=dotted, color=red3, fontcolor=red3, label=\"no cable\"];\n",
			      out);
			continue;
		}
		fputc('\t', out);
		dot_str(v->names[l->a], out);
		fputs(" -- ", out);
		dot_str(v->names[l->b], out);
		fprintf(out, " [color=%s, fontcolor=%s, taillabel=", state_colour(l->state),
			state_colour(l->state));
		dot_str(l->port_a[0] ? l->port_a : "?", out);
		fputs(", headlabel=", out);
		dot_str(l->port_b[0] ? l->port_b : "?", out);
		snprintf(label, sizeof(label), "%s%s%s%s\nloss %s / %s %%", mesh_state_name(l->state),
			 l->rtt_us >= 0 ? " " : "",
			 l->rtt_us >= 0 ? fmt_ms((uint64_t)l->rtt_us, x, sizeof(x)) : "",
			 l->rtt_us >= 0 ? " ms" : "",
			 l->loss_ab >= 0 ? pct_str(l->loss_ab, y, sizeof(y)) : "-",
			 l->loss_ba >= 0 ? pct_str(l->loss_ba, z, sizeof(z)) : "-");
		fputs(", label=", out);
		/* dot_str would double the backslash of the line break: written as is. */
		fputc('"', out);
		for (const char *p = label; *p; p++) {
			if (*p == '\n')
				fputs("\\n", out);
			else {
				if (*p == '"' || *p == '\\')
					fputc('\\', out);
				fputc(*p, out);
			}
		}
		fputs("\"];\n", out);
	}
	fputs("}\n", out);
}

void mesh_render(const struct mesh_view *v, enum mesh_format fmt, FILE *out)
{
	switch (fmt) {
	case MESH_FMT_JSON:
		mesh_json(v, out);
		break;
	case MESH_FMT_DOT:
		mesh_dot(v, out);
		break;
	default:
		mesh_text(v, out);
		break;
	}
}

/* ---- metrics ---- */

static void link_labels(const struct mesh_view *v, const struct mesh_link *l, FILE *out)
{
	fputs("node_a=", out);
	fmt_prom_value(v->names[l->a], out);
	fputs(",port_a=", out);
	fmt_prom_value(l->port_a, out);
	fputs(",node_b=", out);
	fmt_prom_value(v->names[l->b], out);
	fputs(",port_b=", out);
	fmt_prom_value(l->port_b, out);
}

static void family(const char *name, const char *type, const char *help, FILE *out)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A sample in seconds from microseconds. */
static void seconds(uint64_t us, FILE *out)
{
	fprintf(out, " %" PRIu64 ".%06" PRIu64 "\n", us / 1000000, us % 1000000);
}

enum link_metric { LM_RTT, LM_JITTER, LM_DETECT, LM_LAST_DETECT };

/* A gauge family in seconds, one sample a cable that has the figure. */
static void link_gauge(const struct mesh_view *v, const char *name, const char *help,
		       enum link_metric m, FILE *out)
{
	int i;

	family(name, "gauge", help, out);
	for (i = 0; i < v->nlinks; i++) {
		const struct mesh_link *l = &v->links[i];
		int64_t us = m == LM_RTT ? l->rtt_us : m == LM_JITTER ? l->jitter_us :
			     m == LM_DETECT ? (l->detect_us ? (int64_t)l->detect_us : -1) :
			     (l->last_detect_us ? (int64_t)l->last_detect_us : -1);

		if (us < 0 || l->state == LINKREP_NS_NONE)
			continue;
		fprintf(out, "%s{", name);
		link_labels(v, l, out);
		fputc('}', out);
		seconds((uint64_t)us, out);
	}
}

void mesh_metrics(const struct mesh_view *v, FILE *out)
{
	unsigned counts[MESH_W_MAX] = { 0 };
	int i, s, k;

	family("meshroute_link_state", "gauge",
	       "State of a cable of the mesh as this node sees it: 1 for its state, 0 for the others.",
	       out);
	for (i = 0; i < v->nlinks; i++)
		for (s = 0; s < LINKREP_NS_MAX; s++) {
			fputs("meshroute_link_state{", out);
			link_labels(v, &v->links[i], out);
			fprintf(out, ",state=\"%s\"} %d\n", mesh_state_name(s), v->links[i].state == s);
		}
	link_gauge(v, "meshroute_link_rtt_seconds",
		   "Round-trip time of a cable: median of the last 16 link reports (no sample while unknown).",
		   LM_RTT, out);
	link_gauge(v, "meshroute_link_rtt_jitter_seconds",
		   "Mean difference between consecutive round-trip times of a cable.", LM_JITTER, out);
	family("meshroute_link_loss_ratio", "gauge",
	       "Probes lost on a cable over the last 10 s, 0..1, per direction (no sample while unknown).",
	       out);
	for (i = 0; i < v->nlinks; i++)
		for (k = 0; k < 2; k++) {
			const struct mesh_link *l = &v->links[i];
			int pm = k ? l->loss_ba : l->loss_ab;

			if (pm < 0 || l->state == LINKREP_NS_NONE)
				continue;
			fputs("meshroute_link_loss_ratio{", out);
			link_labels(v, l, out);
			fprintf(out, ",direction=\"%s\"} %d.%03d\n", k ? "b_to_a" : "a_to_b", pm / 1000,
				pm % 1000);
		}
	family("meshroute_link_flaps_total", "counter",
	       "Times a cable's session left Up, as counted by the end that counted more.", out);
	for (i = 0; i < v->nlinks; i++) {
		const struct mesh_link *l = &v->links[i];

		if (!l->flaps_known || l->state == LINKREP_NS_NONE)
			continue;
		fputs("meshroute_link_flaps_total{", out);
		link_labels(v, l, out);
		fprintf(out, "} %" PRIu32 "\n", l->flaps);
	}
	link_gauge(v, "meshroute_link_detect_time_seconds",
		   "Detection time of a cable's session (RFC 5880 6.8.4), the longer of its two ends.",
		   LM_DETECT, out);
	link_gauge(v, "meshroute_link_last_detect_seconds",
		   "Silence before a cable's last detection timeout (no sample if none).",
		   LM_LAST_DETECT, out);
	family("meshroute_mesh_node_reporting", "gauge",
	       "1 if this node has a live link table from the node (itself: always), else 0.", out);
	for (i = 0; i < v->nnodes; i++) {
		fputs("meshroute_mesh_node_reporting{node=", out);
		fmt_prom_value(v->names[i], out);
		fprintf(out, "} %d\n", v->live[i]);
	}
	family("meshroute_mesh_warnings", "gauge", "Cabling warnings of the mesh view, by kind.",
	       out);
	for (i = 0; i < v->nwarn; i++)
		if (v->warn[i].kind < MESH_W_MAX)
			counts[v->warn[i].kind]++;
	for (k = 0; k < MESH_W_MAX; k++)
		fprintf(out, "meshroute_mesh_warnings{kind=\"%s\"} %u\n", mesh_warn_kind_name(k),
			counts[k]);
}
