// SPDX-License-Identifier: GPL-2.0-or-later
/* meshrouted: BFD-checked direct links with millisecond route failover. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "config.h"
#include "daemon.h"
#include "drainstate.h"
#include "hostcheck.h"
#include "log.h"
#include "nl.h"
#include "sysctl.h"

#define MR_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: meshrouted [-fv] [-c FILE] [-n NAME] [-s SOCKET]\n"
		"       meshrouted --check-config [-c FILE] [-n NAME]\n"
		"  -c FILE         configuration (default %s)\n"
		"  -n NAME         this node's name (default: the node owning a local address)\n"
		"  -f              stay in the foreground and log to stderr\n"
		"  -s SOCKET       control socket path (overrides control-socket)\n"
		"  -v              verbose (debug) logging\n"
		"  --check-config  validate the file, print this node's plan, exit\n"
		"  -V              print the version\n",
		MR_DEFAULT_CONFIG);
}

struct local_addrs {
	struct mr_addr a[64];
	int n;
};

static void collect_addr(void *arg, const struct nl_addr *a, bool deleted)
{
	struct local_addrs *la = arg;

	if (deleted || la->n == 64)
		return;
	la->a[la->n].family = a->family;
	memcpy(la->a[la->n].bytes, a->addr, mr_addr_len(a->family));
	la->n++;
}

/* The node is found by its address unless named: read this host's addresses. */
static int find_self(const struct mr_config *cfg, const char *name)
{
	struct local_addrs la = { .n = 0 };
	struct nl_handlers h = { .addr = collect_addr, .ctx = &la };
	struct nl *nl;

	if (!name) {
		if (nl_open(&nl) < 0)
			return -1;
		if (nl_dump_addrs(nl, AF_UNSPEC, &h) < 0) {
			nl_close(nl);
			return -1;
		}
		nl_close(nl);
	}
	return config_find_self(cfg, name, la.a, la.n, log_error_file());
}

/*
 * Ports drained before the restart stay drained: their sessions start in
 * AdminDown before the first probe goes out (the loop has not run yet).
 */
static void drains_restore(struct mr_daemon *d)
{
	struct drainstate ds;
	const char *dir = drainstate_dir(NULL);
	int i;

	if (!dir || drainstate_load(dir, &ds) < 0)
		return;
	for (i = 0; i < ds.n; i++) {
		char *msg = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&msg, &len);
		int err;

		if (!out)
			return;
		err = daemon_drain(d, ds.port[i], true, out);
		fclose(out);
		if (err < 0) {
			log_warnx("%s/%s names %s, not a fast port of this node: forgotten",
				  dir, DRAINSTATE_FILE, ds.port[i]);
			drainstate_record(ds.port[i], false);
		} else {
			log_notice("port %s: still drained since %s, as %s/%s says: "
				   "\"meshroutectl undrain %s\" puts it back in service",
				   ds.port[i], ds.since[i][0] ? ds.since[i] : "an earlier run", dir,
				   DRAINSTATE_FILE, ds.port[i]);
		}
		free(msg);
	}
}

/* The command line; -1 to go on, else the exit code. */
struct options {
	const char *conf, *name, *sock;
	bool foreground, check, verbose;
};

static int options_parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:n:fs:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->conf = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 's':
			o->sock = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'C':
			o->check = true;
			break;
		case 'V':
			printf("meshrouted %s\n", MR_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/*
 * The config (with -s's socket), the key file, this node: into d.  -1 to
 * go on, else the exit code (the error said).
 */
static int load(struct mr_daemon *d, const struct options *o)
{
	if (config_load(o->conf, &d->cfg, log_error_file()) < 0) {
		fprintf(log_error_file(), "meshrouted: %s: configuration rejected\n", o->conf);
		return 1;
	}
	if (o->sock) {
		if (strlen(o->sock) >= sizeof(d->cfg.control_socket)) {
			fprintf(log_error_file(), "meshrouted: -s %s: path too long\n", o->sock);
			return 2;
		}
		snprintf(d->cfg.control_socket, sizeof(d->cfg.control_socket), "%s", o->sock);
		snprintf(d->sock_override, sizeof(d->sock_override), "%s", o->sock);
	}
	if (d->cfg.auth_type != BFD_AUTH_NONE &&
	    auth_keyring_load(d->cfg.auth_key_file, d->cfg.auth_type, &d->keys,
			      log_error_file()) < 0) {
		fprintf(log_error_file(), "meshrouted: %s: key file rejected\n",
			d->cfg.auth_key_file);
		return 1;
	}
	d->self = find_self(&d->cfg, o->name);
	return d->self < 0 ? 1 : -1;
}

int main(int argc, char **argv)
{
	static struct mr_daemon d;
	struct options o = { .conf = MR_DEFAULT_CONFIG };
	int err;

	if ((err = options_parse(argc, argv, &o)) >= 0)
		return err;
	d.verbose = o.verbose;
	log_init("meshrouted", true, d.verbose);
	/*
	 * Fixed malloc thresholds.  glibc raises them on its own once a large
	 * mapped buffer is freed (the config file's, 1 MiB), after which it
	 * keeps up to twice that of freed heap resident for good.  Buffers of
	 * 32 KiB and more (netlink dumps, status replies) get their own mapping
	 * and go back to the kernel when freed.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 * 1024);
	mallopt(M_TRIM_THRESHOLD, 64 * 1024);

	if ((err = load(&d, &o)) >= 0)
		return err;
	if (o.check) {
		config_print_plan(&d.cfg, d.self, stdout);
		/* What on this host would get in the way: warnings only, the file is fine. */
		fflush(stdout);
		hostcheck_run(NULL, &d.cfg, d.self, true, stderr);
		return 0;
	}
	if (geteuid() != 0)
		log_warnx("not root: setting routes and sysctls will fail");
	if (!o.foreground) {
		if (daemon(0, 0) < 0) {
			perror("meshrouted: daemon");
			return 1;
		}
		log_init("meshrouted", false, d.verbose);
	}
	hostcheck_run(NULL, &d.cfg, d.self, false, NULL);
	/* Two cables to one peer (a multipath route) share flows only with a layer-4 hash. */
	if (d.cfg.nodes[d.self].nfast >= 2)
		sysctl_multipath_hash(d.cfg.set_sysctl);
	d.on_command = command_run;
	err = daemon_start(&d);
	if (err < 0) {
		log_errx("start-up failed: %s", strerror(-err));
		daemon_shutdown(&d);
		return 1;
	}
	drains_restore(&d);
	daemon_realtime(&d);
	/* A failure is logged; the daemon runs on (daemon.h says why). */
	(void)daemon_drop_privileges(&d);
	/* What start-up parsed and collected is free now: give it back. */
	malloc_trim(0);
	err = daemon_run(&d);
	daemon_shutdown(&d);
	return err;
}
