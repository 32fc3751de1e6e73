/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mesh view (mesh.h) rendered: a table for people (`meshroutectl
 * mesh`), JSON (`-j mesh`), Graphviz DOT (`mesh --dot`) and Prometheus
 * metrics (appended to `metrics` and the metrics file).  Pure: the view in,
 * text to `out`.  The JSON keys and metric names are a stable interface:
 * docs/control.md.
 */
#ifndef MR_MESHFMT_H
#define MR_MESHFMT_H

#include <stdbool.h>
#include <stdio.h>

#include "mesh.h"

enum mesh_format {
	MESH_FMT_TEXT,
	MESH_FMT_JSON,
	MESH_FMT_DOT,
};

/*
 * The arguments of the control command "mesh" (after the word itself):
 * none, or "--dot"; json from the request's -j.  0 with *fmt set, or -1
 * with one line of error to err (an unknown word, -j with --dot).
 */
int mesh_format_parse(bool json, int argc, char **argv, enum mesh_format *fmt, FILE *err);

/*
 * The view in one format:
 *  - MESH_FMT_TEXT: rows "NODES PORTS STATE SINCE RTT(ms) JITTER(ms)
 *    LOSS%(A>B/B>A) FLAPS", one per cable, then the warnings;
 *  - MESH_FMT_JSON: {"node": SELF, "nodes": [...], "links": [{"nodes": [A,
 *    B], "ports": [PA, PB], "state", "since_s", "rtt_ms", "jitter_ms",
 *    "loss_pct": [A_TO_B, B_TO_A], "flaps", "detect_ms", "last_detect_ms",
 *    "reported_by": [...]}], "silent": [...], "warnings": [{"kind",
 *    "nodes", "text"}]}; null for anything unknown;
 *  - MESH_FMT_DOT: an undirected graph: the nodes (a silent one dashed),
 *    one edge per cable coloured by state with its ports at its ends and
 *    RTT and loss in its label; a missing cable of the full-mesh check
 *    dotted.
 */
void mesh_render(const struct mesh_view *v, enum mesh_format fmt, FILE *out);

/* Prometheus text format 0.0.4: the meshroute_link_* and meshroute_mesh_* families. */
void mesh_metrics(const struct mesh_view *v, FILE *out);

#endif
