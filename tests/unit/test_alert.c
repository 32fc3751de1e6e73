// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for alerts: real commands (small sh scripts in a temp dir) run
 * through a real event loop, checking what the command receives and that a
 * hanging or chatty command never holds up the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "alert.h"
#include "log.h"
#include "loop.h"

/*
 * How late a 5 ms timer may fire while a command misbehaves, not counting
 * the time this thread waited for a CPU (runq_wait): below the 200 ms a
 * blocking wait for the hung command (killed at its timeout) would cost.
 */
#define TICK MTIME_MS(5)
#define MAX_LATE MTIME_MS(150)

static char dir[64];

/*
 * How long this thread has been runnable but waiting for a CPU, in us (the
 * second field of /proc/thread-self/schedstat); 0 where the kernel does not
 * say (no CONFIG_SCHED_INFO: the limits are then plain elapsed time).  The
 * upper limits below subtract what it grew by: they judge what the code
 * under test waited for (a blocking wait, a sleep) or spent, never how
 * busy the machine was, so they hold under ASan and on a loaded host.
 * Lower limits are plain elapsed time: a wait cannot end early by load.
 */
static mtime_t runq_wait(void)
{
	unsigned long long run, wait;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%llu %llu", &run, &wait);
	fclose(f);
	return n == 2 ? (mtime_t)(wait / 1000) : 0;
}

/* Elapsed time since start (us), minus the CPU wait since runq0. */
static mtime_t own_time(mtime_t start, mtime_t runq0)
{
	return mtime_now() - start - (runq_wait() - runq0);
}

static const struct alert_event ev_down = {
	.event = "session-down", .node = "n1", .peer = "n2", .peer_address = "10.0.0.2",
	.port = "fast0", .old_state = "Up", .new_state = "Down", .diag = "time-expired",
	.detect_us = 12345,
};

static const struct alert_event ev_path = {
	.event = "path-change", .node = "n1", .peer = "n2", .peer_address = "10.0.0.2",
	.port = "", .old_state = "fast0", .new_state = "LAN", .diag = "", .detect_us = 0,
};

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/mr-alert-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	/* What the clean environment must not pass on. */
	setenv("MR_TEST_LEAK", "1", 1);
	log_init("test_alert", true, false);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Writes DIR/name as an executable script, sh unless body starts with "#!";
 * "{D}" in body stands for DIR.
 */
static const char *script(const char *name, const char *body)
{
	static char path[128];
	FILE *f;
	const char *p;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	if (strncmp(body, "#!", 2) != 0)
		fputs("#!/bin/sh\n", f);
	for (p = body; *p; p++) {
		if (strncmp(p, "{D}", 3) == 0) {
			fputs(dir, f);
			p += 2;
		} else {
			fputc(*p, f);
		}
	}
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static bool slurp(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY)) < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n >= 0;
}

static int count_lines(const char *s, const char *prefix)
{
	int n = 0;
	size_t plen = strlen(prefix);

	while (s && *s) {
		if (strncmp(s, prefix, plen) == 0)
			n++;
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return n;
}

static void expect_line(const char *text, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (strncmp(text, want + 1, strlen(want + 1)) != 0 && !strstr(text, want))
		fail_msg("expected line \"%s\" in:\n%s", line, text);
}

/* ---- stderr capture, to check the log lines an admin would grep ---- */

static int saved_stderr = -1;

static void capture_begin(void)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/log", dir);
	fflush(stderr);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static void capture_end(char *buf, size_t len)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	assert_true(slurp("log", buf, len));
}

/*
 * Runs the loop as the daemon does, alongside a module with a 5 ms periodic
 * timer, until no command is running or `limit` passes.  Returns how late
 * that timer fired at worst, less the time the thread waited for a CPU
 * meanwhile (since the previous tick was handled: an over-estimate of the
 * wait that made it late, so load cannot fail the limit; a blocking wait
 * of the loop still shows in full unless the host kept it off the CPU for
 * as long in the same round).
 */
static mtime_t drive(struct alerter *a, struct loop *l, mtime_t limit)
{
	mtime_t start = mtime_now(), tick = start + TICK, late = 0, now, runq0 = runq_wait(), runq;
	struct alert_stats st;

	for (;;) {
		alert_get_stats(a, &st);
		now = mtime_now();
		if (st.running == 0 || now - start > limit)
			break;
		assert_int_equal(loop_run_once(l, mtime_min(tick, alert_next_deadline(a))), 0);
		now = mtime_now();
		if (now >= tick) {
			runq = runq_wait();
			late = mtime_max(late, now - tick - (runq - runq0));
			runq0 = runq;
			tick = now + TICK;
		}
		alert_timers(a, now);
	}
	return late;
}

/* What run_down() saw: the loop's worst lateness, elapsed time, and elapsed time less CPU waits. */
struct run {
	mtime_t late, took, own;
};

/*
 * Emits ev_down and drives the loop until the command is gone (5 s at
 * most), the log captured into buf; *st: the stats after.
 */
static struct run run_down(struct alerter *a, struct loop *l, char *buf, size_t len,
			   struct alert_stats *st)
{
	mtime_t start, runq0;
	struct run r;

	capture_begin();
	runq0 = runq_wait();
	start = mtime_now();
	alert_emit(a, &ev_down, start);
	r.late = drive(a, l, MTIME_S(5));
	r.took = mtime_now() - start;
	r.own = own_time(start, runq0);
	capture_end(buf, len);
	alert_get_stats(a, st);
	return r;
}

static bool process_gone(pid_t pid)
{
	char path[64], buf[256], *p;
	mtime_t until = mtime_now() + MTIME_S(2);
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	while (mtime_now() < until) {
		if ((fd = open(path, O_RDONLY)) < 0)
			return true;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		/* Orphans may linger as zombies under a container's init: dead all the same. */
		if ((p = strrchr(buf, ')')) && p[1] == ' ' && p[2] == 'Z')
			return true;
		usleep(10000);
	}
	return false;
}

/* ---- tests ---- */

static void test_arguments_and_environment(void **state)
{
	struct loop l;
	struct alerter *a;
	struct alert_stats st;
	char buf[4096], *p;
	int y, mo, d, h, mi, s;
	char z;

	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(alert_open(&a, script("dump.sh", "printf '%s\\n' \"$@\" > {D}/args\n"
							   "env > {D}/env\n"), &l), 0);
	run_down(a, &l, buf, sizeof(buf), &st);
	assert_int_equal(st.run, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.running, 0);

	assert_true(slurp("args", buf, sizeof(buf)));
	assert_string_equal(buf, "session-down\nn2\nfast0\nUp\nDown\n");
	assert_true(slurp("env", buf, sizeof(buf)));
	expect_line(buf, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	expect_line(buf, "MESHROUTE_EVENT=session-down");
	expect_line(buf, "MESHROUTE_NODE=n1");
	expect_line(buf, "MESHROUTE_PEER=n2");
	expect_line(buf, "MESHROUTE_PEER_ADDRESS=10.0.0.2");
	expect_line(buf, "MESHROUTE_PORT=fast0");
	expect_line(buf, "MESHROUTE_OLD_STATE=Up");
	expect_line(buf, "MESHROUTE_NEW_STATE=Down");
	expect_line(buf, "MESHROUTE_DIAG=time-expired");
	expect_line(buf, "MESHROUTE_DETECT_MS=12.3");
	expect_line(buf, "MESHROUTE_SUPPRESSED=0");
	if (strstr(buf, "MR_TEST_LEAK") || strstr(buf, "\nHOME="))
		fail_msg("the daemon's environment leaked into the command:\n%s", buf);
	p = strstr(buf, "MESHROUTE_TIME=");
	assert_non_null(p);
	if (sscanf(p, "MESHROUTE_TIME=%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s,
		   &z) != 7 || z != 'Z' || y < 2020)
		fail_msg("MESHROUTE_TIME is not ISO 8601 UTC: %.40s", p);

	/* Not applicable fields are empty, not missing, so scripts can use set -u. */
	alert_emit(a, &ev_path, mtime_now());
	drive(a, &l, MTIME_S(5));
	assert_true(slurp("args", buf, sizeof(buf)));
	assert_string_equal(buf, "path-change\nn2\n\nfast0\nLAN\n");
	assert_true(slurp("env", buf, sizeof(buf)));
	expect_line(buf, "MESHROUTE_DETECT_MS=");
	expect_line(buf, "MESHROUTE_DIAG=");
	expect_line(buf, "MESHROUTE_PORT=");
	alert_close(a);
	loop_close(&l);
}

/* The daemon blocks its stop signals for signalfd: the command must not inherit that. */
static void test_child_hygiene(void **state)
{
	struct loop l;
	struct alerter *a;
	sigset_t block, old;
	char buf[4096], pid[16], pgrp[16];
	unsigned long long blk, ign;
	int leak;

	assert_int_equal(loop_init(&l), 0);
	/* Perl, not sh: dash clears its signal mask at start-up and would hide ours. */
	assert_int_equal(alert_open(&a, script("hygiene.pl",
		"#!/usr/bin/perl\n"
		"sub out { open(my $h, '>', \"{D}/$_[0]\") or die; print $h $_[1]; close $h; }\n"
		"open(my $st, '<', '/proc/self/status') or die;\n"
		"out('sig', join('', grep { /^(SigBlk|SigIgn):/ } <$st>));\n"
		"out('pgrp', \"$$ \" . getpgrp() . \"\\n\");\n"
		"opendir(my $d, '/proc/self/fd') or die;\n"
		"out('fds', join(\"\\n\", sort grep { /^\\d+$/ } readdir($d)) . \"\\n\");\n"
		"out('stdio', join(\"\\n\", map { readlink(\"/proc/self/fd/$_\") } 0..2) . \"\\n\");\n"),
		&l), 0);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGINT);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, &old), 0);
	signal(SIGPIPE, SIG_IGN);
	leak = dup2(open("/dev/null", O_RDONLY), 77);	/* no O_CLOEXEC on purpose */
	assert_int_equal(leak, 77);

	alert_emit(a, &ev_down, mtime_now());
	drive(a, &l, MTIME_S(5));
	close(leak);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &old, NULL);

	assert_true(slurp("sig", buf, sizeof(buf)));
	assert_int_equal(sscanf(buf, "SigBlk: %llx SigIgn: %llx", &blk, &ign), 2);
	assert_int_equal(blk, 0);
	/*
	 * Signals 1-31 only: glibc's posix_spawn leaves its two internal
	 * real-time signals (32, 33) ignored, and glibc re-installs their
	 * handlers in any program that needs them.  Perl ignores SIGFPE itself.
	 */
	if (ign & 0x7fffffffull & ~(1ull << (SIGFPE - 1)))
		fail_msg("the command inherited ignored signals: %s", buf);
	assert_true(slurp("pgrp", buf, sizeof(buf)));
	assert_int_equal(sscanf(buf, "%15s %15s", pid, pgrp), 2);
	assert_string_equal(pid, pgrp);		/* leader of its own group */
	assert_true(slurp("fds", buf, sizeof(buf)));
	if (strstr(buf, "77\n"))
		fail_msg("fd 77 leaked into the command: %s", buf);
	assert_true(slurp("stdio", buf, sizeof(buf)));
	assert_string_equal(buf, "/dev/null\n/dev/null\n/dev/null\n");
	alert_close(a);
	loop_close(&l);
}

static void test_hanging_command_killed(void **state)
{
	struct loop l;
	struct alerter *a;
	struct alert_stats st;
	char buf[4096];
	struct run r;

	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(alert_open(&a, script("hang.sh", "sleep 60 & echo $! > {D}/sleep.pid\n"
							  "wait\n"), &l), 0);
	alert_set_timeout(a, MTIME_MS(200));
	r = run_down(a, &l, buf, sizeof(buf), &st);
	if (r.late > MAX_LATE)
		fail_msg("5 ms timer fired %lld us late while the command hung", (long long)r.late);
	assert_int_equal(st.running, 0);
	assert_int_equal(st.timed_out, 1);
	assert_int_equal(st.failed, 0);
	/* SIGTERM was enough: no wait for the SIGKILL grace (1 s). */
	if (r.took < MTIME_MS(200) || r.own > MTIME_MS(900))
		fail_msg("expected the kill 200 ms after the start, took %lld us (%lld us not waiting for a CPU)",
			 (long long)r.took, (long long)r.own);
	assert_non_null(strstr(buf, "alert: command still running after 0.2 s, killed\n"));
	/* The whole process group went, not just the shell. */
	assert_true(slurp("sleep.pid", buf, sizeof(buf)));
	assert_true(process_gone(atoi(buf)));
	alert_close(a);
	loop_close(&l);
}

static void test_sigterm_ignored_then_sigkill(void **state)
{
	struct loop l;
	struct alerter *a;
	struct alert_stats st;
	struct run r;

	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(alert_open(&a, script("stubborn.sh", "trap '' TERM\n"
							      "while :; do sleep 0.05; done\n"), &l), 0);
	alert_set_timeout(a, MTIME_MS(100));
	r = run_down(a, &l, (char[1024]){ 0 }, 1024, &st);
	if (r.late > MAX_LATE)
		fail_msg("5 ms timer fired %lld us late while the command hung", (long long)r.late);
	assert_int_equal(st.running, 0);
	assert_int_equal(st.timed_out, 1);
	if (r.took < MTIME_MS(100) + ALERT_KILL_GRACE_US || r.own > MTIME_MS(100) + MTIME_S(2))
		fail_msg("expected SIGKILL 1.1 s after the start, took %lld us (%lld us not waiting for a CPU)",
			 (long long)r.took, (long long)r.own);
	alert_close(a);
	loop_close(&l);
}

static void test_output_flood(void **state)
{
	struct loop l;
	struct alerter *a;
	struct alert_stats st;
	char buf[64];
	mtime_t t, late, runq0;

	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(alert_open(&a, script("flood.sh",
		"head -c 10485760 /dev/zero\n"
		"head -c 10485760 /dev/zero >&2\n"
		"echo done > {D}/flood.done\n"), &l), 0);
	runq0 = runq_wait();
	t = mtime_now();
	alert_emit(a, &ev_down, t);
	t = own_time(t, runq0);
	if (t > MTIME_MS(50))
		fail_msg("alert_emit took %lld us (not counting the wait for a CPU)", (long long)t);
	late = drive(a, &l, MTIME_S(10));
	if (late > MAX_LATE)
		fail_msg("5 ms timer fired %lld us late during the flood", (long long)late);
	alert_get_stats(a, &st);
	assert_int_equal(st.running, 0);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.timed_out, 0);
	assert_true(slurp("flood.done", buf, sizeof(buf)));
	assert_string_equal(buf, "done\n");
	alert_close(a);
	loop_close(&l);
}

static void test_rate_limit(void **state)
{
	struct loop l;
	struct alerter *a;
	struct alert_stats st;
	char buf[65536];
	mtime_t t0 = mtime_now();
	int i;

	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(alert_open(&a, script("count.sh",
		"echo \"$MESHROUTE_SUPPRESSED\" >> {D}/suppressed\n"), &l), 0);
	capture_begin();
	/* A flapping link: each command finishes before the next event, so only the bucket limits. */
	for (i = 0; i < 50; i++) {
		alert_emit(a, &ev_down, t0);
		drive(a, &l, MTIME_S(5));
	}
	alert_get_stats(a, &st);
	assert_int_equal(st.run, ALERT_BURST);
	assert_int_equal(st.suppressed, 50 - ALERT_BURST);

	/* Less than one refill period later: still nothing. */
	alert_emit(a, &ev_down, t0 + ALERT_REFILL_US - 1);
	alert_get_stats(a, &st);
	assert_int_equal(st.run, ALERT_BURST);
	/* One token back: the next run learns how many it missed. */
	alert_emit(a, &ev_down, t0 + ALERT_REFILL_US);
	drive(a, &l, MTIME_S(5));
	alert_emit(a, &ev_down, t0 + ALERT_REFILL_US);
	capture_end(buf, sizeof(buf));
	alert_get_stats(a, &st);
	assert_int_equal(st.run, ALERT_BURST + 1);
	assert_int_equal(st.suppressed, 50 - ALERT_BURST + 2);
	assert_int_equal(st.failed, 0);
	/* Every event still has its log line. */
	assert_int_equal(count_lines(buf, "alert: session-down peer=n2"), 53);

	assert_true(slurp("suppressed", buf, sizeof(buf)));
	assert_int_equal(count_lines(buf, "0\n"), ALERT_BURST);
	expect_line(buf, "41");
	alert_close(a);
	loop_close(&l);
}

static void test_concurrency_cap_and_close(void **state)
{
	struct loop l;
	struct alerter *a;
	struct alert_stats st;
	char buf[4096], *p;
	mtime_t until;
	int i, n = 0;
	pid_t pids[ALERT_MAX_RUNNING];

	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(alert_open(&a, script("slow.sh", "echo $$ >> {D}/pids\nexec sleep 60\n"),
				    &l), 0);
	capture_begin();
	for (i = 0; i < ALERT_MAX_RUNNING + 2; i++)
		alert_emit(a, &ev_down, mtime_now());
	capture_end(buf, sizeof(buf));
	alert_get_stats(a, &st);
	assert_int_equal(st.run, ALERT_MAX_RUNNING);
	assert_int_equal(st.running, ALERT_MAX_RUNNING);
	assert_int_equal(st.suppressed, 2);
	assert_non_null(strstr(buf, "too many commands running"));

	until = mtime_now() + MTIME_S(5);
	while (mtime_now() < until) {
		if (slurp("pids", buf, sizeof(buf)) && count_lines(buf, "") == ALERT_MAX_RUNNING)
			break;
		usleep(10000);
	}
	for (p = buf; n < ALERT_MAX_RUNNING && *p; p = strchr(p, '\n') + 1)
		pids[n++] = atoi(p);
	assert_int_equal(n, ALERT_MAX_RUNNING);

	alert_close(a);
	/* Killed and reaped: our own children, so they are gone, not zombies. */
	for (i = 0; i < n; i++)
		if (kill(pids[i], 0) == 0 || errno != ESRCH)
			fail_msg("command %d still exists after alert_close", (int)pids[i]);
	loop_close(&l);
}

static void test_missing_command(void **state)
{
	struct loop l;
	struct alerter *a;
	struct alert_stats st;
	char buf[4096];
	mtime_t t, runq0;

	assert_int_equal(loop_init(&l), 0);
	capture_begin();
	/* Accepted with a warning: it may be installed after the daemon starts. */
	assert_int_equal(alert_open(&a, "/nonexistent/meshroute-alert", &l), 0);
	alert_emit(a, &ev_down, mtime_now());
	alert_emit(a, &ev_down, mtime_now());
	capture_end(buf, sizeof(buf));
	alert_get_stats(a, &st);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.run, 0);
	assert_int_equal(st.running, 0);
	assert_int_equal(alert_next_deadline(a), MTIME_NEVER);
	assert_non_null(strstr(buf, "alert: cannot run /nonexistent/meshroute-alert: "
				    "No such file or directory\n"));
	/* The loop is unaffected. */
	runq0 = runq_wait();
	t = mtime_now();
	assert_int_equal(loop_run_once(&l, t + TICK), 0);
	assert_true(own_time(t, runq0) < TICK + MAX_LATE);
	alert_close(a);
	loop_close(&l);
}

static void test_failure_status_logged(void **state)
{
	struct loop l;
	struct alerter *a;
	struct alert_stats st;
	char buf[4096];

	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(alert_open(&a, script("fail.sh", "exit 3\n"), &l), 0);
	run_down(a, &l, buf, sizeof(buf), &st);
	assert_int_equal(st.run, 1);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.timed_out, 0);
	assert_non_null(strstr(buf, "alert: command exited with status 3\n"));
	alert_close(a);
	loop_close(&l);
}

static void test_no_command_only_logs(void **state)
{
	struct loop l;
	struct alerter *a;
	struct alert_stats st;
	char buf[4096];

	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(alert_open(&a, "", &l), 0);
	capture_begin();
	alert_emit(a, &ev_down, mtime_now());
	alert_emit(a, &ev_path, mtime_now());
	capture_end(buf, sizeof(buf));
	assert_string_equal(buf,
		"alert: session-down peer=n2 port=fast0 old=Up new=Down diag=time-expired "
		"detect=12.3ms\n"
		"alert: path-change peer=n2 port=- old=fast0 new=LAN diag=- detect=-\n");
	alert_get_stats(a, &st);
	assert_int_equal(st.run + st.suppressed + st.failed + st.running, 0);
	assert_int_equal(alert_next_deadline(a), MTIME_NEVER);
	alert_close(a);
	loop_close(&l);
}

static void test_open_rejects_relative(void **state)
{
	struct loop l;
	struct alerter *a = (struct alerter *)&l;

	assert_int_equal(loop_init(&l), 0);
	capture_begin();
	assert_int_equal(alert_open(&a, "bin/alert", &l), -EINVAL);
	capture_end((char[256]){ 0 }, 256);
	assert_null(a);
	assert_int_equal(alert_open(&a, "", &l), 0);
	assert_int_equal(alert_set_command(a, "alert"), -EINVAL);
	alert_close(a);
	alert_close(NULL);
	loop_close(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments_and_environment),
		cmocka_unit_test(test_child_hygiene),
		cmocka_unit_test(test_hanging_command_killed),
		cmocka_unit_test(test_sigterm_ignored_then_sigkill),
		cmocka_unit_test(test_output_flood),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_concurrency_cap_and_close),
		cmocka_unit_test(test_missing_command),
		cmocka_unit_test(test_failure_status_logged),
		cmocka_unit_test(test_no_command_only_logs),
		cmocka_unit_test(test_open_rejects_relative),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
