// SPDX-License-Identifier: GPL-2.0-or-later
/* meshroutectl: show and steer a running meshrouted through its control socket. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "mlx4.h"
#include "mtime.h"

#define DEFAULT_SOCKET "/run/meshroute/meshroute.sock"
#define TIMEOUT_MS 5000
#define MAX_REPLY (16u << 20)

/* Exit codes: the daemon said .ok / .error; we could not ask it. */
enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

struct command {
	const char *name;
	const char *args;
	const char *help;
	int min_args, max_args;		/* words after the name */
};

/*
 * Commands we know, for help and argument checks.  Anything else is sent
 * as is, so a newer daemon's commands work with this client.
 */
static const struct command commands[] = {
	{ "status", "", "peers, paths in use, sessions and drop counters (-j: JSON)", 0, 0 },
	{ "metrics", "", "Prometheus text exposition of the same counters", 0, 0 },
	{ "mesh", "[--dot]", "every cable of the mesh and its health, warnings (-j: JSON; --dot: Graphviz)", 0, 1 },
	{ "drain", "PORT", "take a fast port out of service (peers are told AdminDown)", 1, 1 },
	{ "undrain", "PORT", "put a drained port back in service", 1, 1 },
	{ "reload", "", "re-read the configuration file (like SIGHUP), print what changed", 0, 0 },
	{ "mlx4", "[--set TYPE]", "mlx4 ports and their type; --set ib|eth|auto switches them (local)", 0, 4 },
	{ "help", "", "this text", 0, 0 },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: meshroutectl [-s SOCKET] [-j] COMMAND [ARGS]\n\n"
		   "  -s SOCKET  control socket (default: control-socket of %s, else %s)\n"
		   "  -j         ask for JSON where the command supports it\n\ncommands:\n",
		MR_DEFAULT_CONFIG, DEFAULT_SOCKET);
	for (i = 0; i < NCOMMANDS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-18s %s\n", name, commands[i].help);
	}
	fprintf(f, "\nexit status: 0 done, 1 the daemon (or mlx4) reported an error, "
		   "2 usage error or no answer from the daemon\n");
}

static const struct command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The request line: "[-j ]word word...\n"; 0, or -1 when it cannot be expressed. */
static int build_request(bool json, int argc, char **argv, char *buf, size_t len)
{
	size_t off = 0;
	int i, n;

	if (json) {
		n = snprintf(buf, len, "-j ");
		off = (size_t)n;
	}
	for (i = 0; i < argc; i++) {
		if (argv[i][0] == '\0' || strpbrk(argv[i], " \t\r\n")) {
			fprintf(stderr, "meshroutectl: argument \"%s\" is empty or contains blanks\n",
				argv[i]);
			return -1;
		}
		n = snprintf(buf + off, len - off, "%s%s", i ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= len - off) {
			fprintf(stderr, "meshroutectl: request longer than %d bytes\n",
				CONTROL_MAX_REQUEST);
			return -1;
		}
		off += (size_t)n;
	}
	if (off + 1 >= len) {
		fprintf(stderr, "meshroutectl: request longer than %d bytes\n", CONTROL_MAX_REQUEST);
		return -1;
	}
	buf[off++] = '\n';
	buf[off] = '\0';
	return 0;
}

static int ctl_connect(const char *path)
{
	struct sockaddr_un sa;
	struct timeval tv = { .tv_sec = TIMEOUT_MS / 1000 };
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "meshroutectl: socket path too long: %s\n", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "meshroutectl: socket: %s\n", strerror(errno));
		return -1;
	}
	/* Bounds connect() on a full backlog and the request's send(). */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (e == EACCES || e == EPERM)
			fprintf(stderr, "meshroutectl: cannot connect to %s: %s "
					"(root or group " CONTROL_GROUP " needed)\n", path, strerror(e));
		else
			fprintf(stderr, "meshroutectl: cannot connect to %s: %s: "
					"is meshrouted running?\n", path, strerror(e));
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads until end of file within the deadline into *buf; 0 or -1 (reported). */
static int read_reply(int fd, const char *path, char **buf, size_t *len)
{
	mtime_t deadline = mtime_now() + MTIME_MS(TIMEOUT_MS);
	size_t cap = 0;
	char *p;

	*buf = NULL;
	*len = 0;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		mtime_t left = deadline - mtime_now();
		ssize_t n;
		int rc;

		if (left <= 0) {
			fprintf(stderr, "meshroutectl: no complete reply from %s within %d s\n",
				path, TIMEOUT_MS / 1000);
			return -1;
		}
		rc = poll(&pfd, 1, (int)((left + 999) / 1000));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			fprintf(stderr, "meshroutectl: poll: %s\n", strerror(errno));
			return -1;
		}
		if (rc == 0)
			continue;	/* the deadline check above reports it */
		if (*len + 4096 > cap) {
			if (cap >= MAX_REPLY) {
				fprintf(stderr, "meshroutectl: reply larger than %u bytes\n", MAX_REPLY);
				return -1;
			}
			cap = cap ? cap * 2 : 65536;
			p = realloc(*buf, cap);
			if (!p) {
				fprintf(stderr, "meshroutectl: out of memory\n");
				return -1;
			}
			*buf = p;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		/* ECONNRESET: the daemon closed with input of ours unread; the reply is complete. */
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 0;
		if (n < 0) {
			fprintf(stderr, "meshroutectl: read %s: %s\n", path, strerror(errno));
			return -1;
		}
		*len += (size_t)n;
	}
}

/*
 * Splits a reply into body and status (control.h): the last line is ".ok"
 * or ".error".  Returns EXIT_OK, EXIT_ERROR, or -1 if there is no status.
 */
static int reply_status(const char *buf, size_t len, size_t *bodylen)
{
	size_t start;

	if (len == 0 || buf[len - 1] != '\n')
		return -1;
	start = len - 1;
	while (start > 0 && buf[start - 1] != '\n')
		start--;
	*bodylen = start;
	if (len - start == 4 && memcmp(buf + start, ".ok\n", 4) == 0)
		return EXIT_OK;
	if (len - start == 7 && memcmp(buf + start, ".error\n", 7) == 0)
		return EXIT_ERROR;
	return -1;
}

/* One request, one reply: EXIT_OK/EXIT_ERROR with the reply, or -1 (reported). */
static int ask(const char *path, const char *req, char **reply, size_t *bodylen)
{
	size_t len = strlen(req);
	int fd, st;

	*reply = NULL;
	fd = ctl_connect(path);
	if (fd < 0)
		return -1;
	st = -1;
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		fprintf(stderr, "meshroutectl: cannot send to %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (read_reply(fd, path, reply, &len) < 0)
		goto out;
	st = reply_status(*reply, len, bodylen);
	if (st < 0)
		fprintf(stderr, "meshroutectl: %s closed the connection without a complete reply\n",
			path);
out:
	close(fd);
	if (st < 0) {
		free(*reply);
		*reply = NULL;
	}
	return st;
}

/* Polls "drained PORT" until the daemon says every peer confirmed, up to 5 s. */
static int wait_drained(const char *path, const char *port)
{
	mtime_t deadline = mtime_now() + MTIME_MS(TIMEOUT_MS);
	char req[CONTROL_MAX_REQUEST + 1], *reply;
	size_t bodylen;
	int st;

	snprintf(req, sizeof(req), "drained %s\n", port);
	for (;;) {
		st = ask(path, req, &reply, &bodylen);
		if (st < 0)
			return EXIT_USAGE;
		if (st == EXIT_OK || mtime_now() >= deadline) {
			if (st != EXIT_OK)
				fprintf(stderr, "meshroutectl: peers did not confirm within %d s; "
						"traffic of ours has left %s, theirs may not have\n",
					TIMEOUT_MS / 1000, port);
			fwrite(reply, 1, bodylen, st == EXIT_OK ? stdout : stderr);
			free(reply);
			return st == EXIT_OK ? EXIT_OK : EXIT_ERROR;
		}
		free(reply);
		usleep(10000);
	}
}

/*
 * Without -s: the control-socket of the daemon's configuration file, so
 * that `systemctl reload` (ExecReload runs us) and the admin reach a daemon
 * whose socket was moved; the built-in default when the file cannot be
 * read or parsed (a reload of a broken file then still reaches the default
 * socket and reports the daemon's errors).
 */
static const char *socket_of_config(char *buf, size_t len)
{
	static struct mr_config cfg;
	char *errs = NULL;
	size_t errlen = 0;
	FILE *errf = open_memstream(&errs, &errlen);
	int err;

	if (!errf || access(MR_DEFAULT_CONFIG, R_OK) < 0) {
		if (errf)
			fclose(errf);
		free(errs);
		return DEFAULT_SOCKET;
	}
	err = config_load(MR_DEFAULT_CONFIG, &cfg, errf);
	fclose(errf);
	free(errs);
	if (err < 0 || !cfg.control_socket[0])
		return DEFAULT_SOCKET;
	snprintf(buf, len, "%s", cfg.control_socket);
	return buf;
}

int main(int argc, char **argv)
{
	static char conf_sock[sizeof(((struct mr_config *)0)->control_socket)];
	const char *path = NULL;
	const struct command *cmd;
	char req[CONTROL_MAX_REQUEST + 1], *reply = NULL;
	size_t bodylen = 0;
	bool json = false;
	int opt, st, nargs;

	while ((opt = getopt(argc, argv, "+s:jh")) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = command_find(argv[0]);
	if (cmd && strcmp(cmd->name, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	nargs = argc - 1;
	if (cmd && (nargs < cmd->min_args || nargs > cmd->max_args)) {
		fprintf(stderr, "usage: meshroutectl %s%s%s\n", cmd->name, cmd->args[0] ? " " : "",
			cmd->args);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "mlx4") == 0) {
		/* Local: reads and writes sysfs, the daemon is not involved. */
		st = mlx4_command(argc, argv, json, stdout, stderr);
		if (fflush(stdout) != 0)
			return EXIT_USAGE;
		return st;
	}
	if (build_request(json, argc, argv, req, sizeof(req)) < 0)
		return EXIT_USAGE;
	if (!path)
		path = socket_of_config(conf_sock, sizeof(conf_sock));

	st = ask(path, req, &reply, &bodylen);
	if (st < 0)
		return EXIT_USAGE;
	if (st == EXIT_OK && strcmp(argv[0], "drain") == 0 && !json) {
		/* Done only once the peers confirm: then pulling the cable loses nothing. */
		fwrite(reply, 1, bodylen, stdout);
		free(reply);
		return wait_drained(path, argv[1]);
	}
	/* The daemon's error text goes where errors go. */
	fwrite(reply, 1, bodylen, st == EXIT_OK ? stdout : stderr);
	free(reply);
	if (fflush(stdout) != 0)
		return EXIT_USAGE;
	return st;
}
