// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for log.c's output format: journald priority prefixes only when stderr is the journal. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/*
 * stderr goes to a fresh temporary file; JOURNAL_STREAM is set to `env`
 * ("match": that file's DEV:INODE, NULL: unset); then the lines the
 * calls in `emit` produce are returned (caller frees).
 */
static char *capture(const char *env, bool verbose, void (*emit)(void))
{
	char path[] = "/tmp/test_log.XXXXXX", var[64];
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	struct stat st;
	char *text;
	FILE *f;
	long len;

	assert_true(fd >= 0 && saved >= 0);
	unlink(path);
	assert_int_equal(fstat(fd, &st), 0);
	if (env && strcmp(env, "match") == 0) {
		snprintf(var, sizeof(var), "%llu:%llu", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino);
		env = var;
	}
	if (env)
		setenv("JOURNAL_STREAM", env, 1);
	else
		unsetenv("JOURNAL_STREAM");
	fflush(stderr);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	log_init("test_log", true, verbose);
	emit();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	f = fdopen(fd, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	unsetenv("JOURNAL_STREAM");
	return text;
}

static void emit_each(void)
{
	errno = ENOENT;
	log_warn("cannot open %s", "x");
	log_warnx("port %s: carrier lost", "fast0");
	log_notice("n2 via fast0: session Up -> Down");
	log_info("set %s", "rp_filter");
	log_debug("debug %d", 1);
	log_errx("start-up failed: %s", "no such device");
}

static int group_setup(void **state)
{
	(void)state;
	unsetenv("MESHROUTE_LOG_TIMESTAMPS");
	return 0;
}

/* MESHROUTE_LOG_TIMESTAMPS: "HH:MM:SS.uuuuuu " before each line, also into a file. */
static void emit_one(void)
{
	log_notice("n2 via fast0: session Up -> Down");
}

static void test_timestamps_asked_for(void **state)
{
	char *out;
	unsigned h, m, sec, us;
	char rest[64];

	(void)state;
	setenv("MESHROUTE_LOG_TIMESTAMPS", "1", 1);
	out = capture(NULL, false, emit_one);
	unsetenv("MESHROUTE_LOG_TIMESTAMPS");
	if (sscanf(out, "%2u:%2u:%2u.%6u %63[^\n]", &h, &m, &sec, &us, rest) != 5)
		fail_msg("expected a time stamp, got \"%s\"", out);
	assert_string_equal(rest, "n2 via fast0: session Up -> Down");
	free(out);
	/* journald stamps lines itself: no stamp, the priority instead. */
	setenv("MESHROUTE_LOG_TIMESTAMPS", "1", 1);
	out = capture("match", false, emit_one);
	unsetenv("MESHROUTE_LOG_TIMESTAMPS");
	assert_string_equal(out, "<5>n2 via fast0: session Up -> Down\n");
	free(out);
}

static void test_journal_prefixes(void **state)
{
	char *out = capture("match", true, emit_each);

	(void)state;
	assert_string_equal(out,
			    "<4>cannot open x: No such file or directory\n"
			    "<4>port fast0: carrier lost\n"
			    "<5>n2 via fast0: session Up -> Down\n"
			    "<6>set rp_filter\n"
			    "<7>debug 1\n"
			    "<3>start-up failed: no such device\n");
	free(out);
}

static void test_plain_without_journal(void **state)
{
	char *out = capture(NULL, false, emit_each);

	(void)state;
	/* Not a terminal, no MESHROUTE_LOG_TIMESTAMPS: no stamp; not verbose: no debug. */
	assert_string_equal(out,
			    "cannot open x: No such file or directory\n"
			    "port fast0: carrier lost\n"
			    "n2 via fast0: session Up -> Down\n"
			    "set rp_filter\n"
			    "start-up failed: no such device\n");
	free(out);
}

/* Inherited by a child whose stderr is elsewhere, or garbage: plain lines. */
static void test_journal_stream_of_another_file(void **state)
{
	static const char *const envs[] = { "1:2", "", "x", "12:34:56", "18446744073709551615:1" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
		char *out = capture(envs[i], false, emit_each);

		if (strncmp(out, "cannot open x", 13) != 0)
			fail_msg("JOURNAL_STREAM=\"%s\": expected a plain first line, got \"%.40s\"",
				 envs[i], out);
		free(out);
	}
}

/* What config_load writes to its errf: one err line each, partial writes joined. */
static void emit_errf(void)
{
	FILE *f = log_error_file();

	fprintf(f, "meshroute.conf:3: unknown key \"intervall\"\n");
	fprintf(f, "meshroute.conf:9: ");
	fprintf(f, "node n1: no fast port\n");
	fflush(f);
}

static void test_error_file(void **state)
{
	char *out = capture("match", false, emit_errf);

	(void)state;
	assert_string_equal(out, "<3>meshroute.conf:3: unknown key \"intervall\"\n"
				 "<3>meshroute.conf:9: node n1: no fast port\n");
	free(out);
	out = capture(NULL, false, emit_errf);
	assert_string_equal(out, "meshroute.conf:3: unknown key \"intervall\"\n"
				 "meshroute.conf:9: node n1: no fast port\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_prefixes),
		cmocka_unit_test(test_plain_without_journal),
		cmocka_unit_test(test_journal_stream_of_another_file),
		cmocka_unit_test(test_error_file),
		cmocka_unit_test(test_timestamps_asked_for),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
