// SPDX-License-Identifier: GPL-2.0-or-later
/* The metrics-file (metricsfile.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "metricsfile.h"

int metricsfile_write(const char *path, const struct status_view *v, mtime_t now, bool *failing)
{
	char tmp[300];
	FILE *f;
	int err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "we");
	if (!f) {
		err = errno;
	} else {
		status_metrics(v, now, f);
		/* node_exporter runs as another user; the unit's UMask would hide it. */
		if (fchmod(fileno(f), 0644) != 0 || fflush(f) != 0)
			err = errno;
		if (fclose(f) != 0 && !err)
			err = errno;
		if (!err && rename(tmp, path) != 0)
			err = errno;
		if (err)
			unlink(tmp);
	}
	if (err && !*failing)
		log_warnx("metrics-file %s: %s (retrying every %d s)", path, strerror(err),
			  (int)(METRICS_FILE_EVERY / 1000000));
	*failing = err != 0;
	return err;
}
