// SPDX-License-Identifier: GPL-2.0-or-later
/* Control socket commands: status, metrics, mesh, reload, drain, undrain. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "daemon.h"
#include "linkmsg.h"
#include "meshfmt.h"
#include "status.h"

struct command {
	const char *name;
	int min_args, max_args;	/* words after the name */
	bool json;		/* renders JSON itself; otherwise wrapped */
	int (*run)(struct mr_daemon *d, bool json, char **args, FILE *out);
};

static int cmd_status(struct mr_daemon *d, bool json, char **args, FILE *out)
{
	struct status_view v;

	(void)args;
	daemon_status_view(d, &v);
	(json ? status_json : status_text)(&v, mtime_now(), out);
	return 0;
}

static int cmd_metrics(struct mr_daemon *d, bool json, char **args, FILE *out)
{
	struct status_view v;

	(void)json;
	(void)args;
	daemon_status_view(d, &v);
	status_metrics(&v, mtime_now(), out);
	return 0;
}

static int request_error(bool json, FILE *out, const char *msg);

/* The whole mesh (meshfmt.h): text, -j, or --dot. */
static int cmd_mesh(struct mr_daemon *d, bool json, char **args, FILE *out)
{
	char msg[160] = "";
	enum mesh_format fmt;
	FILE *err = fmemopen(msg, sizeof(msg) - 1, "w");
	int rc;

	if (!err)
		return request_error(json, out, "mesh: out of memory");
	rc = mesh_format_parse(json, args[0] ? 1 : 0, args, &fmt, err);
	fclose(err);
	if (rc < 0) {
		msg[strcspn(msg, "\n")] = '\0';
		return request_error(json, out, msg);
	}
	/* Without the view (out of memory at start) an error, also in JSON. */
	if (!d->lm.mesh)
		return request_error(json, out, "mesh: the mesh view is not available "
				     "(out of memory at start)");
	linkmsg_mesh_render(&d->lm, fmt, mtime_now(), out);
	return 0;
}

static int cmd_reload(struct mr_daemon *d, bool json, char **args, FILE *out)
{
	(void)json;
	(void)args;
	return daemon_reload(d, out) == 0 ? 0 : -1;
}

static int cmd_drain(struct mr_daemon *d, bool json, char **args, FILE *out)
{
	(void)json;
	return daemon_drain(d, args[0], true, out);
}

static int cmd_undrain(struct mr_daemon *d, bool json, char **args, FILE *out)
{
	(void)json;
	return daemon_drain(d, args[0], false, out);
}

/* Asked repeatedly by meshroutectl after drain: non-zero until peers confirm. */
static int cmd_drained(struct mr_daemon *d, bool json, char **args, FILE *out)
{
	(void)json;
	return daemon_drain_done(d, args[0], out) == 0 ? 0 : -1;
}

static const struct command commands[] = {
	{ "status", 0, 0, true, cmd_status },
	{ "metrics", 0, 0, false, cmd_metrics },
	{ "mesh", 0, 1, true, cmd_mesh },
	{ "reload", 0, 0, false, cmd_reload },
	{ "drain", 1, 1, false, cmd_drain },
	{ "undrain", 1, 1, false, cmd_undrain },
	{ "drained", 1, 1, false, cmd_drained },
};

/* Text replies as {"ok": bool, "message": "..."} for -j. */
static int run_wrapped(const struct command *c, struct mr_daemon *d, char **args, FILE *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f)
		return -1;
	ret = c->run(d, false, args, f);
	fclose(f);
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	fprintf(out, "{\"ok\": %s, \"message\": ", ret == 0 ? "true" : "false");
	status_json_string(text ? text : "", out);
	fprintf(out, "}\n");
	free(text);
	return ret;
}

/* An error of the request itself, as text or, for -j, as JSON. */
static int request_error(bool json, FILE *out, const char *msg)
{
	if (json) {
		fprintf(out, "{\"ok\": false, \"message\": ");
		status_json_string(msg, out);
		fprintf(out, "}\n");
	} else {
		fprintf(out, "%s\n", msg);
	}
	return -1;
}

int command_run(void *arg, int argc, char **argv, FILE *out)
{
	char msg[256];
	struct mr_daemon *d = arg;
	bool json = false;
	size_t i;

	if (argc > 0 && strcmp(argv[0], "-j") == 0) {
		json = true;
		argc--;
		argv++;
	}
	if (argc == 0)
		return request_error(json, out, "no command");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];

		if (strcmp(argv[0], c->name) != 0)
			continue;
		if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
			snprintf(msg, sizeof(msg), "%s: takes %d argument(s)", c->name, c->min_args);
			return request_error(json, out, msg);
		}
		if (json && !c->json)
			return run_wrapped(c, d, argv + 1, out);
		return c->run(d, json, argv + 1, out);
	}
	snprintf(msg, sizeof(msg), "unknown command \"%.64s\" (meshroutectl help lists them)",
		 argv[0]);
	return request_error(json, out, msg);
}
