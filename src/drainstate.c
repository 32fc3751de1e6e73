// SPDX-License-Identifier: GPL-2.0-or-later
/* Drained ports kept in a small state file, rewritten atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drainstate.h"
#include "log.h"

#define DRAINSTATE_MAX_BYTES 65536	/* far beyond MR_MAX_FAST lines */

static char state_dir[256];
static bool state_dir_set;

static bool port_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 15)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == ':' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

static int find(const struct drainstate *ds, const char *port)
{
	int i;

	for (i = 0; i < ds->n; i++)
		if (strcmp(ds->port[i], port) == 0)
			return i;
	return -1;
}

bool drainstate_has(const struct drainstate *ds, const char *port)
{
	return find(ds, port) >= 0;
}

int drainstate_set(struct drainstate *ds, const char *port, bool drained, const char *since)
{
	int i = find(ds, port);

	if (!port_name_ok(port, strlen(port)))
		return -EINVAL;
	if (!drained) {
		if (i < 0)
			return 1;
		/* Order kept: the file reads in the order the admin drained. */
		memmove(&ds->port[i], &ds->port[i + 1], sizeof(ds->port[0]) * (size_t)(ds->n - i - 1));
		memmove(&ds->since[i], &ds->since[i + 1], sizeof(ds->since[0]) * (size_t)(ds->n - i - 1));
		ds->n--;
		return 0;
	}
	if (i >= 0)
		return 1;
	if (ds->n == MR_MAX_FAST)
		return -ENOSPC;
	snprintf(ds->port[ds->n], sizeof(ds->port[0]), "%s", port);
	snprintf(ds->since[ds->n], sizeof(ds->since[0]), "%s", since ? since : "");
	ds->n++;
	return 0;
}

int drainstate_parse(const char *name, const char *text, struct drainstate *ds, FILE *errf)
{
	const char *p = text;
	int lineno = 0, bad = 0;

	memset(ds, 0, sizeof(*ds));
	while (*p) {
		const char *eol = strchr(p, '\n'), *w, *end;
		size_t len, wlen;
		char port[16], since[24] = "";

		end = eol ? eol : p + strlen(p);
		lineno++;
		len = (size_t)(end - p);
		/* words: PORT [SINCE] */
		w = p;
		while (w < end && (*w == ' ' || *w == '\t' || *w == '\r'))
			w++;
		if (w == end || *w == '#')
			goto next;
		for (wlen = 0; w + wlen < end && w[wlen] != ' ' && w[wlen] != '\t' && w[wlen] != '\r';
		     wlen++)
			;
		if (!port_name_ok(w, wlen)) {
			fprintf(errf, "%s:%d: \"%.*s\" is not a port name: line ignored\n", name, lineno,
				(int)(len > 40 ? 40 : len), p);
			bad++;
			goto next;
		}
		memcpy(port, w, wlen);
		port[wlen] = '\0';
		w += wlen;
		while (w < end && (*w == ' ' || *w == '\t'))
			w++;
		for (wlen = 0; w + wlen < end && w[wlen] != ' ' && w[wlen] != '\t' && w[wlen] != '\r';
		     wlen++)
			;
		if (wlen > 0 && wlen < sizeof(since)) {
			memcpy(since, w, wlen);
			since[wlen] = '\0';
		}
		if (drainstate_has(ds, port)) {
			fprintf(errf, "%s:%d: %s named twice\n", name, lineno, port);
			bad++;
		} else if (drainstate_set(ds, port, true, since) == -ENOSPC) {
			fprintf(errf, "%s:%d: more than %d ports: %s ignored\n", name, lineno,
				MR_MAX_FAST, port);
			bad++;
		}
next:
		if (!eol)
			break;
		p = eol + 1;
	}
	return bad;
}

void drainstate_format(const struct drainstate *ds, FILE *out)
{
	int i;

	fprintf(out, "# meshrouted: fast ports drained with \"meshroutectl drain PORT\", kept across\n"
		     "# restarts and reboots until \"meshroutectl undrain PORT\".  PORT SINCE (UTC).\n");
	for (i = 0; i < ds->n; i++)
		fprintf(out, "%s%s%s\n", ds->port[i], ds->since[i][0] ? " " : "", ds->since[i]);
}

const char *drainstate_dir(const char *dir)
{
	const char *env;
	size_t len;

	state_dir[0] = '\0';
	state_dir_set = true;
	if (!dir && (env = getenv("STATE_DIRECTORY")) != NULL) {
		/* StateDirectory=a b gives "/var/lib/a:/var/lib/b": ours is the first. */
		len = strcspn(env, ":");
		if (len > 0 && len < sizeof(state_dir) && env[0] == '/') {
			memcpy(state_dir, env, len);
			state_dir[len] = '\0';
		}
	} else if (dir && strlen(dir) < sizeof(state_dir)) {
		snprintf(state_dir, sizeof(state_dir), "%s", dir);
	}
	if (!state_dir[0]) {
		log_info("drained ports are not kept across restarts: no state directory "
			 "(systemd's StateDirectory= sets one)");
		return NULL;
	}
	return state_dir;
}

static int file_path(const char *dir, const char *file, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dir, file);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int drainstate_load(const char *dir, struct drainstate *ds)
{
	char path[300], *text;
	ssize_t n;
	size_t got = 0;
	int fd, err;
	char *errs = NULL;
	size_t errlen = 0;
	FILE *errf;

	memset(ds, 0, sizeof(*ds));
	if ((err = file_path(dir, DRAINSTATE_FILE, path, sizeof(path))) < 0)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		err = -errno;
		log_warn("drain state %s", path);
		return err;
	}
	text = malloc(DRAINSTATE_MAX_BYTES + 1);
	if (!text) {
		err = -ENOMEM;
		log_warnx("drain state %s: out of memory", path);
		goto out;
	}
	while (got < DRAINSTATE_MAX_BYTES &&
	       (n = read(fd, text + got, DRAINSTATE_MAX_BYTES - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			log_warn("drain state %s: read", path);
			goto out;
		}
		got += (size_t)n;
	}
	close(fd);
	fd = -1;
	text[got] = '\0';
	errf = open_memstream(&errs, &errlen);
	if (errf) {
		char *line, *save = NULL;

		drainstate_parse(path, text, ds, errf);
		fclose(errf);
		for (line = strtok_r(errs, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			log_warnx("%s", line);
		free(errs);
	} else {
		drainstate_parse(path, text, ds, stderr);
	}
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return err;
}

int drainstate_save(const char *dir, const struct drainstate *ds)
{
	char path[300], tmp[300];
	FILE *f;
	int fd, dfd, err;

	if ((err = file_path(dir, DRAINSTATE_FILE, path, sizeof(path))) < 0 ||
	    (err = file_path(dir, "." DRAINSTATE_FILE ".XXXXXX", tmp, sizeof(tmp))) < 0)
		return err;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		log_warn("drain state: cannot create a file in %s", dir);
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto fail;
	}
	drainstate_format(ds, f);
	/* Readable by the admins who read the daemon's other files; mkostemp made it 0600. */
	if (fflush(f) != 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		err = -errno;
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0) {
		err = -errno;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		err = -errno;
		goto fail;
	}
	/* The rename itself must reach the disk before a power cut. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) < 0)
			log_warn("drain state: fsync %s", dir);
		close(dfd);
	}
	return 0;
fail:
	errno = -err;
	log_warn("drain state: cannot write %s", path);
	unlink(tmp);
	return err;
}

int drainstate_record(const char *port, bool drained)
{
	struct drainstate ds;
	char since[24] = "";
	struct timespec ts;
	struct tm tm;
	int err;

	if (!state_dir_set || !state_dir[0])
		return 0;
	if ((err = drainstate_load(state_dir, &ds)) < 0)
		return err;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (gmtime_r(&ts.tv_sec, &tm))
		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
	err = drainstate_set(&ds, port, drained, since);
	if (err == 1)
		return 0;
	if (err < 0) {
		log_warnx("drain state: cannot record %s: %s", port, strerror(-err));
		return err;
	}
	return drainstate_save(state_dir, &ds);
}
