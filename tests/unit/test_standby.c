// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The standby thread (standby.h): it runs the timers only when the main
 * thread missed an armed deadline by the slack, never before that time,
 * never when disarmed, and it keeps off the main thread's CPU.  Bounds are
 * times the standby cannot precede; nothing here depends on how fast the
 * machine is, except that a thread eventually runs (the test would hang,
 * not pass, if it never did).
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "standby.h"

#define SLACK MTIME_MS(1)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int fired, inits;
static mtime_t fired_at, fired_for, next_for_standby;

static mtime_t fire(void *arg, mtime_t deadline)
{
	(void)arg;
	fired++;
	fired_at = mtime_now();
	fired_for = deadline;
	return next_for_standby;
}

static int init_ok(void *arg)
{
	(void)arg;
	inits++;
	return 0;
}

static int init_fails(void *arg)
{
	(void)arg;
	return -1;	/* -EPERM */
}

static const struct standby_ops ops = { fire, init_ok, NULL };

static void sleep_us(mtime_t us)
{
	struct timespec ts = mtime_to_timespec(us);

	while (nanosleep(&ts, &ts) < 0)
		;
}

/* The main thread "sleeping": the lock released, as in loop_run_once. */
static void main_waits(mtime_t us)
{
	pthread_mutex_unlock(&lock);
	sleep_us(us);
	pthread_mutex_lock(&lock);
}

static int two_cpus(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) >= 2;
}

static struct standby *start(void)
{
	struct standby *sb = NULL;

	fired = inits = 0;
	next_for_standby = MTIME_NEVER;
	pthread_mutex_lock(&lock);
	assert_int_equal(standby_start(&sb, &lock, &ops, SLACK, SCHED_OTHER, 0), 0);
	assert_non_null(sb);
	assert_int_equal(inits, 1);
	return sb;
}

static void stop(struct standby *sb)
{
	standby_stop(sb);
	pthread_mutex_unlock(&lock);
}

/* A main thread that oversleeps its deadline: the standby runs the timers, not before deadline + slack. */
static void test_takes_over_when_late(void **state)
{
	struct standby *sb;
	mtime_t deadline;

	(void)state;
	if (!two_cpus())
		skip();
	sb = start();
	deadline = mtime_now() + MTIME_MS(2);
	standby_arm(sb, deadline);
	/* Until it has run: a machine as slow as it likes only makes this longer. */
	do
		main_waits(MTIME_MS(5));
	while (!fired);
	assert_int_equal(fired, 1);
	assert_true(standby_covered(sb));
	assert_true(fired_for == deadline);
	assert_true(fired_at >= deadline + SLACK);
	stop(sb);
}

/* Re-armed each wait (the healthy case), or disarmed: it never runs. */
static void test_never_when_rearmed_or_disarmed(void **state)
{
	struct standby *sb;
	struct standby_stats st;
	int i;

	(void)state;
	if (!two_cpus())
		skip();
	sb = start();
	standby_arm(sb, MTIME_NEVER);
	main_waits(MTIME_MS(20));
	assert_int_equal(fired, 0);
	assert_false(standby_covered(sb));
	/* Armed far ahead and re-armed before it is due, while holding the lock throughout. */
	for (i = 0; i < 5; i++)
		standby_arm(sb, mtime_now() + MTIME_S(10));
	main_waits(MTIME_MS(20));
	assert_int_equal(fired, 0);
	standby_stats(sb, &st);
	assert_int_equal(st.takeovers, 0);
	stop(sb);
}

/* While the main thread stays away, the standby keeps the timers going at the deadlines fire() returns. */
static void test_keeps_going_while_main_away(void **state)
{
	struct standby *sb;
	struct standby_stats st;

	(void)state;
	if (!two_cpus())
		skip();
	sb = start();
	next_for_standby = mtime_now();	/* always something due: at most one run per slack */
	standby_arm(sb, mtime_now());
	do
		main_waits(MTIME_MS(10));
	while (fired < 3);
	standby_stats(sb, &st);
	assert_true(st.takeovers >= 3);
	stop(sb);
}

/* It keeps off the CPU the main thread armed it from. */
static void test_keeps_off_main_cpu(void **state)
{
	struct standby *sb;
	struct standby_stats st;
	cpu_set_t old, one, theirs;
	int cpu;

	(void)state;
	if (!two_cpus())
		skip();
	sb = start();
	/* The main thread held on one CPU, so that it cannot move between the calls. */
	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	standby_arm(sb, MTIME_NEVER);
	standby_stats(sb, &st);
	assert_int_equal(st.cpu, cpu);
	assert_int_equal(sched_getaffinity(st.tid, sizeof(theirs), &theirs), 0);
	assert_false(CPU_ISSET(cpu, &theirs));
	assert_true(CPU_COUNT(&theirs) >= 1);
	assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
	stop(sb);
}

/* One allowed CPU: no standby, and the NULL standby is accepted everywhere. */
static void test_one_cpu(void **state)
{
	cpu_set_t old, one;
	struct standby *sb = (struct standby *)1;
	struct standby_stats st;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	assert_int_equal(standby_start(&sb, &lock, &ops, SLACK, SCHED_OTHER, 0), 0);
	assert_null(sb);
	assert_int_equal(sched_setaffinity(0, sizeof(old), &old), 0);
	standby_arm(NULL, mtime_now());
	assert_false(standby_covered(NULL));
	standby_stats(NULL, &st);
	assert_int_equal(st.takeovers, 0);
	assert_int_equal(st.cpu, -1);
	standby_stop(NULL);
}

/* The thread's own set-up (dropping privileges) fails: no standby, an error. */
static void test_init_fails(void **state)
{
	static const struct standby_ops bad = { fire, init_fails, NULL };
	struct standby *sb = NULL;

	(void)state;
	if (!two_cpus())
		skip();
	pthread_mutex_lock(&lock);
	assert_true(standby_start(&sb, &lock, &bad, SLACK, SCHED_OTHER, 0) < 0);
	assert_null(sb);
	pthread_mutex_unlock(&lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_takes_over_when_late),
		cmocka_unit_test(test_never_when_rearmed_or_disarmed),
		cmocka_unit_test(test_keeps_going_while_main_away),
		cmocka_unit_test(test_keeps_off_main_cpu),
		cmocka_unit_test(test_one_cpu),
		cmocka_unit_test(test_init_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
