// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the control socket's request path end to end, as a hostile
 * local client drives it: control.c reads the bytes from a real unix
 * socket (line framing, length limit, NUL and CR handling, word
 * splitting), command.c dispatches them against a hand-built daemon, and
 * status.c renders the replies.  Every reply must be well formed.
 *
 * control.c has no pure entry point (its parser is static and tied to the
 * client state machine), so this goes through the socket; it stays
 * deterministic because the harness owns both ends and drives the event
 * loop itself.  The daemon's reload/drain (which would touch netlink) are
 * replaced at link time (-Wl,--wrap, see the Makefile) by fakes that only
 * echo their argument: that argument is fuzzed text, so -j exercises the
 * JSON string escaping too.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "command.h"
#include "control.h"
#include "daemon.h"
#include "log.h"
#include "loop.h"

#define CONF "[global]\ninterval = 20ms\n" \
	     "[node alpha]\naddress = 10.0.0.1\naddress = fd00::1\nlan = eno1\nfast = p1 p2\n" \
	     "[node beta]\naddress = 10.0.0.2\naddress = fd00::2\nlan = eno1\nfast = p1 p2\n"
#define NOW MTIME_S(100000)
#define MAX_REPLY (1 << 20)
#define MAX_INPUT (CONTROL_MAX_REQUEST + 64)	/* beyond it only "request too long" */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int __wrap_daemon_reload(struct mr_daemon *d, FILE *out);
int __wrap_daemon_drain(struct mr_daemon *d, const char *port, bool drain, FILE *out);
int __wrap_daemon_drain_done(struct mr_daemon *d, const char *port, FILE *out);

static struct {
	char dir[64];
	char path[108];
	struct loop loop;
	struct control *ctl;
	struct mr_daemon *d;
} fx;

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

/* ---- the fake daemon ---- */

static int port_index(struct mr_daemon *d, const char *port)
{
	for (int i = 0; i < d->nports; i++)
		if (strcmp(d->ports[i].name, port) == 0)
			return i;
	return -1;
}

int __wrap_daemon_reload(struct mr_daemon *d, FILE *out)
{
	(void)d;
	fprintf(out, "config reloaded\n");
	return 0;
}

int __wrap_daemon_drain(struct mr_daemon *d, const char *port, bool drain, FILE *out)
{
	int i = port_index(d, port);

	if (i < 0 || d->ports[i].lan) {
		fprintf(out, "no fast port \"%s\"\n", port);
		return -1;
	}
	d->ports[i].drained = drain;
	fprintf(out, "%s %s\n", port, drain ? "drained" : "back in service");
	return 0;
}

int __wrap_daemon_drain_done(struct mr_daemon *d, const char *port, FILE *out)
{
	int i = port_index(d, port);

	if (i < 0) {
		fprintf(out, "no port \"%s\"\n", port);
		return -1;
	}
	return d->ports[i].drained ? 0 : 1;
}

/* Two nodes, three ports, sessions in every state: enough for every renderer branch. */
static struct mr_daemon *daemon_fixture(void)
{
	static const char *const names[] = { "p1", "p2", "eno1" };
	static const uint8_t states[] = { BFD_STATE_UP, BFD_STATE_DOWN, BFD_STATE_INIT,
					  BFD_STATE_ADMIN_DOWN };
	struct bfd_session_params p = { 20000, 20000, 3, 50000 };
	struct mr_daemon *d = calloc(1, sizeof(*d));
	int i;

	check(d != NULL);
	check(config_load_string("fuzz.conf", CONF, &d->cfg, stderr) == 0);
	d->self = 0;
	d->nports = 3;
	for (i = 0; i < 3; i++) {
		snprintf(d->ports[i].name, sizeof(d->ports[i].name), "%s", names[i]);
		d->ports[i].ifindex = 10 + i;
		d->ports[i].carrier = i != 1;
		d->ports[i].lan = i == 2;
	}
	d->nsess = 4;
	d->sess = calloc((size_t)d->nsess, sizeof(*d->sess));
	check(d->sess != NULL);
	for (i = 0; i < d->nsess; i++) {
		struct mr_sess *s = &d->sess[i];
		bool v6 = i == 3;

		bfd_session_init(&s->bfd, &p, 100 + (uint32_t)i, 1, NOW - MTIME_S(60));
		s->bfd.state = states[i];
		s->bfd.remote_discr = states[i] == BFD_STATE_UP ? 7 : 0;
		s->port = &d->ports[i % 3];
		s->peer = 1;
		s->local = v6 ? d->cfg.nodes[0].addr6 : d->cfg.nodes[0].addr4;
		s->remote = v6 ? d->cfg.nodes[1].addr6 : d->cfg.nodes[1].addr4;
		s->fd = -1;
		s->up_since = states[i] == BFD_STATE_UP ? NOW - MTIME_S(60) : 0;
		s->flaps = (uint32_t)i;
		s->tx_packets = 1000u * (uint64_t)i;
	}
	for (i = 0; i < MR_MAX_NODES; i++)
		d->rib.rt[i][0].recheck_at = d->rib.rt[i][1].recheck_at = MTIME_NEVER;
	path_add_oif(&d->rib.rt[1][0].installed, 10);
	d->rib.rt[1][0].installed_known = true;
	d->rx.drops[MR_DROP_TTL] = 3;
	d->rx.drop_decode[BFD_DECODE_SHORT] = 2;
	d->rx.drop_auth[AUTH_BAD_DIGEST] = 1;
	return d;
}

/* ---- the client ---- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_control", true, false);
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/mr-fuzz-control.XXXXXX");
	check(mkdtemp(fx.dir) != NULL);
	snprintf(fx.path, sizeof(fx.path), "%s/ctl.sock", fx.dir);
	check(loop_init(&fx.loop) == 0);
	fx.d = daemon_fixture();
	check(control_open(&fx.ctl, fx.path, &fx.loop, command_run, fx.d) == 0);
	return 0;
}

/* At exit (not after a crash: the directory then stays in /tmp for inspection). */
static void cleanup(void) __attribute__((destructor));
static void cleanup(void)
{
	if (fx.ctl)
		control_close(fx.ctl);
	if (fx.dir[0])
		rmdir(fx.dir);
}

static int client_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	check(fd >= 0);
	memcpy(sa.sun_path, fx.path, strlen(fx.path));
	check(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	return fd;
}

/* Runs the daemon's loop until it has answered and closed; returns the reply's length. */
static size_t exchange(int fd, char *reply)
{
	mtime_t give_up = mtime_now() + MTIME_S(5);
	size_t len = 0;
	ssize_t n;

	for (;;) {
		check(loop_run_once(&fx.loop, mtime_now() + MTIME_MS(100)) == 0);
		control_timers(fx.ctl, mtime_now());
		for (;;) {
			n = recv(fd, reply + len, MAX_REPLY - len, MSG_DONTWAIT);
			if (n > 0) {
				len += (size_t)n;
				check(len < MAX_REPLY);
				continue;
			}
			if (n == 0)
				return len;	/* the daemon closed: reply complete */
			check(errno == EAGAIN || errno == EINTR);
			break;
		}
		/* A daemon that neither answers nor closes would stall meshroutectl. */
		check(mtime_now() < give_up);
	}
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static bool is_json_request(const uint8_t *data, size_t size)
{
	return size >= 3 && memcmp(data, "-j", 2) == 0 && (data[2] == ' ' || data[2] == '\t');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char reply[MAX_REPLY];
	size_t len, body;
	const uint8_t *nl;
	int fd;

	if (size > MAX_INPUT)
		return 0;
	fd = client_connect();
	/* Fits the socket buffer: the whole request is queued before the daemon reads. */
	check(size == 0 || send(fd, data, size, MSG_NOSIGNAL) == (ssize_t)size);
	check(shutdown(fd, SHUT_WR) == 0);
	len = exchange(fd, reply);
	close(fd);
	control_timers(fx.ctl, mtime_now());

	if (size == 0) {
		check(len == 0);	/* nothing asked, nothing said */
		return 0;
	}
	/* Body, then exactly one status line, last. */
	check(ends_with(reply, len, "\n.ok\n") || ends_with(reply, len, "\n.error\n") ||
	      (len == 4 && memcmp(reply, ".ok\n", 4) == 0) ||
	      (len == 7 && memcmp(reply, ".error\n", 7) == 0));
	body = len - (ends_with(reply, len, ".ok\n") ? 4 : 7);
	check(memchr(reply, '\0', len) == NULL);
	/* At most CONTROL_MAX_REQUEST bytes with the '\n', else refused as a whole. */
	nl = memchr(data, '\n', size);
	if ((nl ? (size_t)(nl - data) : size) >= CONTROL_MAX_REQUEST)
		check(len == strlen("request too long\n.error\n") &&
		      memcmp(reply, "request too long\n", 17) == 0);
	/* -j: one JSON object, control characters (the fuzzed words too) escaped. */
	if (is_json_request(data, size) && ends_with(reply, len, ".ok\n")) {
		check(body >= 3 && reply[0] == '{' && reply[body - 2] == '}' &&
		      reply[body - 1] == '\n');
		for (size_t i = 0; i + 1 < body; i++)
			check((unsigned char)reply[i] >= 0x20 || reply[i] == '\n');
	}
	return 0;
}
