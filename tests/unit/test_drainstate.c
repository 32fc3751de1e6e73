// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for the drained-ports state file: parse, format, set, atomic save and load. */
#include <dirent.h>
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

#include "drainstate.h"

/* Parses text; returns the skipped-line count, the messages in *errs (caller frees). */
static int parse(const char *text, struct drainstate *ds, char **errs)
{
	size_t len = 0;
	FILE *f = open_memstream(errs, &len);
	int bad;

	assert_non_null(f);
	bad = drainstate_parse("drained", text, ds, f);
	fclose(f);
	return bad;
}

static void test_parse(void **state)
{
	struct drainstate ds;
	char *errs;

	(void)state;
	assert_int_equal(parse("# comment\n\nenp65s0f0 2026-12-03T10:00:00Z\n  fast1\t\n"
			       "vlan.100@x\n", &ds, &errs), 0);
	assert_string_equal(errs, "");
	free(errs);
	assert_int_equal(ds.n, 3);
	assert_string_equal(ds.port[0], "enp65s0f0");
	assert_string_equal(ds.since[0], "2026-12-03T10:00:00Z");
	assert_string_equal(ds.port[1], "fast1");
	assert_string_equal(ds.since[1], "");
	assert_string_equal(ds.port[2], "vlan.100@x");
	assert_true(drainstate_has(&ds, "fast1"));
	assert_false(drainstate_has(&ds, "fast"));

	/* No final newline, CRLF. */
	assert_int_equal(parse("a\r\nb", &ds, &errs), 0);
	free(errs);
	assert_int_equal(ds.n, 2);
	assert_string_equal(ds.port[0], "a");
	assert_string_equal(ds.port[1], "b");

	assert_int_equal(parse("", &ds, &errs), 0);
	free(errs);
	assert_int_equal(ds.n, 0);
}

static void test_parse_bad_lines(void **state)
{
	struct drainstate ds;
	char *errs;

	(void)state;
	assert_int_equal(parse("fast0\nthis-name-is-far-too-long\nfa/st\nfast0\nfast1\n", &ds,
			       &errs), 3);
	assert_string_equal(errs,
			    "drained:2: \"this-name-is-far-too-long\" is not a port name: line ignored\n"
			    "drained:3: \"fa/st\" is not a port name: line ignored\n"
			    "drained:4: fast0 named twice\n");
	free(errs);
	/* The good lines still count. */
	assert_int_equal(ds.n, 2);
	assert_string_equal(ds.port[0], "fast0");
	assert_string_equal(ds.port[1], "fast1");
}

static void test_parse_too_many(void **state)
{
	struct drainstate ds;
	char text[MR_MAX_FAST * 8 + 16] = "", *errs, want[64];
	int i;

	(void)state;
	for (i = 0; i <= MR_MAX_FAST; i++)
		sprintf(text + strlen(text), "p%d\n", i);
	assert_int_equal(parse(text, &ds, &errs), 1);
	snprintf(want, sizeof(want), "drained:%d: more than %d ports: p%d ignored\n",
		 MR_MAX_FAST + 1, MR_MAX_FAST, MR_MAX_FAST);
	assert_string_equal(errs, want);
	free(errs);
	assert_int_equal(ds.n, MR_MAX_FAST);
}

static void test_set(void **state)
{
	struct drainstate ds = { .n = 0 };

	(void)state;
	assert_int_equal(drainstate_set(&ds, "fast0", true, "T1"), 0);
	assert_int_equal(drainstate_set(&ds, "fast1", true, "T2"), 0);
	assert_int_equal(drainstate_set(&ds, "fast2", true, "T3"), 0);
	/* Drained again: the first time is kept. */
	assert_int_equal(drainstate_set(&ds, "fast0", true, "T9"), 1);
	assert_string_equal(ds.since[0], "T1");
	/* Undrain keeps the others in order. */
	assert_int_equal(drainstate_set(&ds, "fast1", false, NULL), 0);
	assert_int_equal(ds.n, 2);
	assert_string_equal(ds.port[0], "fast0");
	assert_string_equal(ds.port[1], "fast2");
	assert_string_equal(ds.since[1], "T3");
	assert_int_equal(drainstate_set(&ds, "fast1", false, NULL), 1);
	assert_int_equal(drainstate_set(&ds, "bad name", true, NULL), -EINVAL);
	assert_int_equal(drainstate_set(&ds, "", true, NULL), -EINVAL);
}

static void test_format_round_trip(void **state)
{
	struct drainstate ds = { .n = 0 }, back;
	char *text = NULL, *errs;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(drainstate_set(&ds, "enp65s0f1", true, "2026-12-03T10:00:00Z"), 0);
	assert_int_equal(drainstate_set(&ds, "fast0", true, ""), 0);
	drainstate_format(&ds, f);
	fclose(f);
	assert_non_null(strstr(text, "\nenp65s0f1 2026-12-03T10:00:00Z\nfast0\n"));
	assert_int_equal(text[0], '#');
	assert_int_equal(parse(text, &back, &errs), 0);
	free(errs);
	assert_int_equal(back.n, 2);
	assert_memory_equal(&ds, &back, sizeof(ds));
	free(text);
}

/* Entries of dir other than . and .. (a leftover temporary file would show). */
static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_save_load(void **state)
{
	char dir[] = "/tmp/test_drainstate.XXXXXX", path[300];
	struct drainstate ds = { .n = 0 }, back;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* No file yet: nothing drained. */
	back.n = 7;
	assert_int_equal(drainstate_load(dir, &back), 0);
	assert_int_equal(back.n, 0);

	assert_int_equal(drainstate_set(&ds, "fast0", true, "2026-12-03T10:00:00Z"), 0);
	assert_int_equal(drainstate_save(dir, &ds), 0);
	assert_int_equal(dir_entries(dir), 1);
	snprintf(path, sizeof(path), "%s/%s", dir, DRAINSTATE_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(drainstate_load(dir, &back), 0);
	assert_memory_equal(&ds, &back, sizeof(ds));

	/* Overwritten, not appended. */
	assert_int_equal(drainstate_set(&ds, "fast0", false, NULL), 0);
	assert_int_equal(drainstate_save(dir, &ds), 0);
	assert_int_equal(drainstate_load(dir, &back), 0);
	assert_int_equal(back.n, 0);
	assert_int_equal(dir_entries(dir), 1);

	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	/* A directory that is gone: an error, nothing written. */
	assert_true(drainstate_save(dir, &ds) < 0);
}

/* The drain command's call: load, change, save; without a state directory nothing. */
static void test_record(void **state)
{
	char dir[] = "/tmp/test_drainstate.XXXXXX", path[300];
	struct drainstate back;

	(void)state;
	assert_non_null(mkdtemp(dir));
	unsetenv("STATE_DIRECTORY");
	assert_null(drainstate_dir(NULL));
	assert_int_equal(drainstate_record("fast0", true), 0);
	assert_int_equal(dir_entries(dir), 0);

	/* As systemd sets it for StateDirectory=meshroute other: the first one. */
	snprintf(path, sizeof(path), "%s:/nonexistent", dir);
	setenv("STATE_DIRECTORY", path, 1);
	assert_string_equal(drainstate_dir(NULL), dir);
	assert_int_equal(drainstate_record("fast0", true), 0);
	assert_int_equal(drainstate_record("fast1", true), 0);
	assert_int_equal(drainstate_record("fast0", true), 0);
	assert_int_equal(drainstate_record("fast1", false), 0);
	assert_int_equal(drainstate_load(dir, &back), 0);
	assert_int_equal(back.n, 1);
	assert_string_equal(back.port[0], "fast0");
	assert_int_equal(strlen(back.since[0]), strlen("2026-12-03T10:00:00Z"));
	assert_int_equal(back.since[0][10], 'T');

	/* A relative STATE_DIRECTORY is not trusted. */
	setenv("STATE_DIRECTORY", "relative/dir", 1);
	assert_null(drainstate_dir(NULL));
	unsetenv("STATE_DIRECTORY");
	snprintf(path, sizeof(path), "%s/%s", dir, DRAINSTATE_FILE);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad_lines),
		cmocka_unit_test(test_parse_too_many),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
