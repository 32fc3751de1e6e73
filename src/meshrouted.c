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
	memcpy(la->a[la->n].bytes, a->addr, a->family == AF_INET ? 4 : 16);
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct mr_daemon d;
	const char *conf = MR_DEFAULT_CONFIG, *name = NULL, *sock = NULL;
	bool foreground = false, check = false;
	int c, err;

	while ((c = getopt_long(argc, argv, "c:n:fs:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'v':
			d.verbose = true;
			break;
		case 'C':
			check = true;
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

	if (config_load(conf, &d.cfg, log_error_file()) < 0) {
		fprintf(log_error_file(), "meshrouted: %s: configuration rejected\n", conf);
		return 1;
	}
	if (sock) {
		if (strlen(sock) >= sizeof(d.cfg.control_socket)) {
			fprintf(log_error_file(), "meshrouted: -s %s: path too long\n", sock);
			return 2;
		}
		snprintf(d.cfg.control_socket, sizeof(d.cfg.control_socket), "%s", sock);
		snprintf(d.sock_override, sizeof(d.sock_override), "%s", sock);
	}
	if (d.cfg.auth_type != MR_AUTH_NONE &&
	    auth_keyring_load(d.cfg.auth_key_file, d.cfg.auth_type, &d.keys, log_error_file()) < 0) {
		fprintf(log_error_file(), "meshrouted: %s: key file rejected\n", d.cfg.auth_key_file);
		return 1;
	}
	d.self = find_self(&d.cfg, name);
	if (d.self < 0)
		return 1;
	if (check) {
		config_print_plan(&d.cfg, d.self, stdout);
		/* What on this host would get in the way: warnings only, the file is fine. */
		fflush(stdout);
		hostcheck_run(NULL, &d.cfg, d.self, true, stderr);
		return 0;
	}
	if (geteuid() != 0)
		log_warnx("not root: setting routes and sysctls will fail");
	if (!foreground) {
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
	err = daemon_start(&d);
	if (err < 0) {
		log_errx("start-up failed: %s", strerror(-err));
		daemon_shutdown(&d);
		return 1;
	}
	drains_restore(&d);
	daemon_realtime(&d);
	daemon_drop_privileges(&d);
	/* What start-up parsed and collected is free now: give it back. */
	malloc_trim(0);
	err = daemon_run(&d);
	daemon_shutdown(&d);
	return err;
}
