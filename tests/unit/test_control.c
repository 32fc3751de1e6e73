// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of control.c over a real unix socket in a temporary directory, driven by the loop. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "control.h"
#include "log.h"
#include "loop.h"

#define BIG_REPLY (8u << 20)	/* far more than a unix socket buffers */

struct fixture {
	char dir[64];		/* mkdtemp */
	char path[100];		/* dir/run/ctl.sock: the directory does not exist yet */
	struct loop loop;
	struct control *ctl;
	int calls;
	char last[256];		/* the words of the last request, joined by '|' */
};

/* The test's command table: "status", "fail", "big", anything else is unknown. */
static int handler(void *arg, int argc, char **argv, FILE *out)
{
	struct fixture *fx = arg;
	size_t off = 0;
	int i;

	fx->calls++;
	fx->last[0] = '\0';
	for (i = 0; i < argc; i++)
		off += (size_t)snprintf(fx->last + off, sizeof(fx->last) - off, "%s%s",
					i ? "|" : "", argv[i]);
	if (strcmp(argv[argc - 1], "status") == 0) {
		fprintf(out, "all good\nsecond line");	/* no final newline: control adds it */
		return 0;
	}
	if (strcmp(argv[0], "fail") == 0) {
		fprintf(out, "it failed\n");
		return 1;
	}
	if (strcmp(argv[0], "big") == 0) {
		for (size_t n = 0; n < BIG_REPLY; n += 64)
			fprintf(out, "%063zu\n", n);
		return 0;
	}
	fprintf(out, "unknown command: %s\n", argv[0]);
	return -1;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/mrctl.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/run/ctl.sock", fx->dir);
	assert_int_equal(loop_init(&fx->loop), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char sub[160];

	control_close(fx->ctl);
	loop_close(&fx->loop);
	unlink(fx->path);
	snprintf(sub, sizeof(sub), "%s/run", fx->dir);
	rmdir(sub);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void open_ctl(struct fixture *fx)
{
	int err = control_open(&fx->ctl, fx->path, &fx->loop, handler, fx);

	if (err)
		fail_msg("control_open %s: %s", fx->path, strerror(-err));
}

static int client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail_msg("connect %s: %s", path, strerror(errno));
	return fd;
}

static void client_send(int fd, const char *s, size_t len)
{
	assert_int_equal(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* One turn of the daemon's loop: wait at most 20 ms, then what fire_timers() would do. */
static void turn(struct fixture *fx)
{
	assert_int_equal(loop_run_once(&fx->loop, mtime_now() + MTIME_MS(20)), 0);
	control_timers(fx->ctl, mtime_now());
}

/*
 * Turns the loop until the client has read its whole reply (end of file),
 * at most ~2 s.  Returns the reply; *err gets a read error (0 for EOF).
 */
static char *exchange(struct fixture *fx, int fd, int *err)
{
	static char buf[65536];
	size_t len = 0;
	int i;

	*err = -1;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 100; i++) {
		ssize_t n;

		turn(fx);
		while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
			len += (size_t)n;
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			*err = n == 0 ? 0 : errno;
			break;
		}
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

struct req_case {
	const char *send;
	size_t len;		/* 0: strlen(send) */
	const char *want_reply;
	const char *want_words;	/* what the handler saw; NULL: not called */
};

static const struct req_case req_cases[] = {
	{ "status\n", 0, "all good\nsecond line\n.ok\n", "status" },
	{ "-j status\n", 0, "all good\nsecond line\n.ok\n", "-j|status" },
	{ "  -j \t status  \r\n", 0, "all good\nsecond line\n.ok\n", "-j|status" },
	{ "fail now\n", 0, "it failed\n.error\n", "fail|now" },
	{ "drain p1\n", 0, "unknown command: drain\n.error\n", "drain|p1" },
	{ "status\nfail\n", 0, "all good\nsecond line\n.ok\n", "status" },	/* one request only */
	{ "\n", 0, "empty request\n.error\n", NULL },
	{ "   \n", 0, "empty request\n.error\n", NULL },
	{ "st\0tus\n", 7, "invalid request: NUL byte\n.error\n", NULL },
	{ "status", 0, "all good\nsecond line\n.ok\n", "status" },	/* EOF ends the line */
};

static void test_requests(void **state)
{
	struct fixture *fx = *state;
	size_t i;

	open_ctl(fx);
	for (i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		const struct req_case *t = &req_cases[i];
		size_t len = t->len ? t->len : strlen(t->send);
		int fd = client_connect(fx->path), err, calls = fx->calls;
		char *reply;

		client_send(fd, t->send, len);
		if (t->send[len - 1] != '\n')
			shutdown(fd, SHUT_WR);
		reply = exchange(fx, fd, &err);
		if (err != 0 || strcmp(reply, t->want_reply) != 0)
			fail_msg("case %zu: expected reply \"%s\", got \"%s\" (read error %d)", i,
				 t->want_reply, reply, err);
		if (t->want_words && strcmp(fx->last, t->want_words) != 0)
			fail_msg("case %zu: handler expected \"%s\", got \"%s\"", i, t->want_words,
				 fx->last);
		if (!t->want_words && fx->calls != calls)
			fail_msg("case %zu: handler called for an invalid request", i);
	}
	assert_int_equal(control_next_deadline(fx->ctl), MTIME_NEVER);
}

static void test_request_too_long(void **state)
{
	struct fixture *fx = *state;
	char big[10240];
	char *reply;
	int fd, err;

	open_ctl(fx);
	memset(big, 'x', sizeof(big));
	fd = client_connect(fx->path);
	client_send(fd, big, sizeof(big));
	reply = exchange(fx, fd, &err);
	assert_int_equal(fx->calls, 0);
	/* A clean end of file: the daemon read what we sent before closing. */
	if (err != 0 || strcmp(reply, "request too long\n.error\n") != 0)
		fail_msg("got \"%s\" (read error %d)", reply, err);

	/* 4096 bytes with the newline is the most allowed. */
	memset(big, ' ', CONTROL_MAX_REQUEST - 7);
	memcpy(big + CONTROL_MAX_REQUEST - 7, "status\n", 7);
	fd = client_connect(fx->path);
	client_send(fd, big, CONTROL_MAX_REQUEST);
	reply = exchange(fx, fd, &err);
	assert_string_equal(reply, "all good\nsecond line\n.ok\n");
}

/* A client that never reads its reply costs the daemon nothing but a slot until its deadline. */
static void test_nonreader_does_not_block(void **state)
{
	struct fixture *fx = *state;
	mtime_t before, deadline;
	char buf[65536];
	size_t total = 0;
	char *reply;
	int lazy, fd, err, i;
	ssize_t n;

	open_ctl(fx);
	lazy = client_connect(fx->path);
	client_send(lazy, "big\n", 4);
	before = mtime_now();
	for (i = 0; i < 5; i++)
		turn(fx);
	assert_int_equal(fx->calls, 1);
	/* The reply is stuck in the socket buffer, and the loop still answers others. */
	fd = client_connect(fx->path);
	client_send(fd, "status\n", 7);
	reply = exchange(fx, fd, &err);
	assert_string_equal(reply, "all good\nsecond line\n.ok\n");
	assert_true(mtime_now() - before < CONTROL_TIMEOUT);

	deadline = control_next_deadline(fx->ctl);
	assert_true(deadline > mtime_now() && deadline <= mtime_now() + CONTROL_TIMEOUT);
	control_timers(fx->ctl, deadline);
	assert_int_equal(control_next_deadline(fx->ctl), MTIME_NEVER);

	/* Dropped: what it reads ends early, without a status line. */
	while ((n = read(lazy, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	close(lazy);
	assert_true(n == 0 || (n < 0 && errno == ECONNRESET));
	assert_true(total < BIG_REPLY);
}

static void test_silent_client_dropped(void **state)
{
	struct fixture *fx = *state;
	mtime_t t0 = mtime_now(), deadline;
	char c;
	int fd;

	open_ctl(fx);
	fd = client_connect(fx->path);
	turn(fx);
	deadline = control_next_deadline(fx->ctl);
	assert_true(deadline >= t0 + CONTROL_TIMEOUT && deadline <= mtime_now() + CONTROL_TIMEOUT);
	control_timers(fx->ctl, deadline - 1);
	assert_int_equal(control_next_deadline(fx->ctl), deadline);
	control_timers(fx->ctl, deadline);
	assert_int_equal(control_next_deadline(fx->ctl), MTIME_NEVER);
	assert_int_equal(read(fd, &c, 1), 0);
	close(fd);
	assert_int_equal(fx->calls, 0);
}

static void test_too_many_clients(void **state)
{
	struct fixture *fx = *state;
	int fds[CONTROL_MAX_CLIENTS], fd, err, i;
	char *reply;

	open_ctl(fx);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		fds[i] = client_connect(fx->path);
		turn(fx);
	}
	fd = client_connect(fx->path);
	reply = exchange(fx, fd, &err);
	assert_string_equal(reply, "too many clients\n.error\n");
	/* Slots come back once clients finish. */
	client_send(fds[0], "status\n", 7);
	reply = exchange(fx, fds[0], &err);
	assert_string_equal(reply, "all good\nsecond line\n.ok\n");
	fd = client_connect(fx->path);
	client_send(fd, "status\n", 7);
	reply = exchange(fx, fd, &err);
	assert_string_equal(reply, "all good\nsecond line\n.ok\n");
	for (i = 1; i < CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void test_permissions(void **state)
{
	struct fixture *fx = *state;
	struct group *gr = getgrnam(CONTROL_GROUP);
	char sub[160];
	struct stat st;

	open_ctl(fx);
	assert_int_equal(lstat(fx->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	if ((st.st_mode & 07777) != 0660)
		fail_msg("socket mode %04o, expected 0660", st.st_mode & 07777);
	if (gr && st.st_gid != gr->gr_gid)
		fail_msg("socket group %u, expected %s (%u)", st.st_gid, CONTROL_GROUP, gr->gr_gid);
	snprintf(sub, sizeof(sub), "%s/run", fx->dir);
	assert_int_equal(stat(sub, &st), 0);
	if ((st.st_mode & 07777) != 0755)
		fail_msg("created directory mode %04o, expected 0755", st.st_mode & 07777);
	control_close(fx->ctl);
	fx->ctl = NULL;
	assert_int_equal(lstat(fx->path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_stale_socket_replaced(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char sub[160], *reply;
	int fd, err;

	/* What a killed daemon leaves: a socket file nobody listens on. */
	snprintf(sub, sizeof(sub), "%s/run", fx->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fx->path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	open_ctl(fx);
	fd = client_connect(fx->path);
	client_send(fd, "status\n", 7);
	reply = exchange(fx, fd, &err);
	assert_string_equal(reply, "all good\nsecond line\n.ok\n");
}

static void test_live_socket_kept(void **state)
{
	struct fixture *fx = *state;
	struct control *second = NULL;
	char *reply;
	int fd, err;

	open_ctl(fx);
	assert_int_equal(control_open(&second, fx->path, &fx->loop, handler, fx), -EADDRINUSE);
	assert_null(second);
	/* The first one still owns the path and answers. */
	fd = client_connect(fx->path);
	client_send(fd, "status\n", 7);
	reply = exchange(fx, fd, &err);
	assert_string_equal(reply, "all good\nsecond line\n.ok\n");
}

static void test_not_a_socket_kept(void **state)
{
	struct fixture *fx = *state;
	struct control *c = NULL;
	char sub[160];
	struct stat st;
	FILE *f;

	snprintf(sub, sizeof(sub), "%s/run", fx->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	f = fopen(fx->path, "w");
	assert_non_null(f);
	fputs("precious\n", f);
	fclose(f);
	assert_int_equal(control_open(&c, fx->path, &fx->loop, handler, fx), -EEXIST);
	assert_int_equal(stat(fx->path, &st), 0);
	assert_true(S_ISREG(st.st_mode) && st.st_size == 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonreader_does_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_client_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_socket_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_socket_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_socket_kept, setup, teardown),
	};

	log_init("test_control", true, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
