/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metrics-file for node_exporter's textfile collector: status.h's
 * Prometheus metrics of a view, written to a temporary file beside the
 * path and renamed over it, so the collector never reads half a file;
 * readable by all (node_exporter runs as another user).  Called by the
 * daemon every METRICS_FILE_EVERY (and soon after a path change); a
 * failure is logged once until the next success.  Never renders anything
 * itself.
 */
#ifndef MR_METRICSFILE_H
#define MR_METRICSFILE_H

#include <stdbool.h>

#include "mtime.h"
#include "status.h"

/* How often the daemon rewrites it. */
#define METRICS_FILE_EVERY MTIME_S(10)

/*
 * Writes v's metrics at now to path.  *failing: whether the previous
 * write failed (then a new failure is not logged again); updated.
 * 0 or an errno.
 */
int metricsfile_write(const char *path, const struct status_view *v, mtime_t now, bool *failing);

#endif
