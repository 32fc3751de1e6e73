// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The standby thread (standby.h): it runs the timers only when the main
 * thread missed an armed deadline by the slack, never before that time,
 * never when disarmed, and it keeps off the main thread's CPU.  Bounds are
 * times the standby cannot precede; nothing here depends on how fast the
 * machine is, except that a thread eventually runs (the test would hang,
 * not pass, if it never did).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "standby.h"

#define SLACK MTIME_MS(1)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int fired, inits;
static mtime_t fired_at, fired_for, next_for_standby;

static atomic_int fire_hold, in_fire;	/* fire() blocks while fire_hold */

static void sleep_us(mtime_t us);

static mtime_t fire(void *arg, mtime_t deadline)
{
	(void)arg;
	atomic_store(&in_fire, 1);
	while (atomic_load(&fire_hold))
		sleep_us(200);
	atomic_store(&in_fire, 0);
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

/* The test's standby, stopped by teardown() also when an assertion failed. */
static struct standby *cur;

static struct standby *start(void)
{
	fired = inits = 0;
	next_for_standby = MTIME_NEVER;
	pthread_mutex_lock(&lock);
	assert_int_equal(standby_start(&cur, &lock, &ops, SLACK, SCHED_OTHER, 0), 0);
	assert_non_null(cur);
	assert_int_equal(inits, 1);
	return cur;
}

static void stop(struct standby *sb)
{
	standby_stop(sb);
	cur = NULL;
	pthread_mutex_unlock(&lock);
}

static int teardown(void **state)
{
	(void)state;
	if (cur)
		stop(cur);
	/*
	 * Whether an assertion failed with the lock held or not, this thread
	 * owns it after the trylock (no other thread is left): let it go, so
	 * that a failed test fails instead of hanging the next one.
	 */
	(void)pthread_mutex_trylock(&lock);
	pthread_mutex_unlock(&lock);
	return 0;
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

/*
 * A deadline already past when armed (work due at start-up) is judged from
 * the arming: the standby never reports lateness since the deadline itself
 * (it once logged the host's uptime as lateness for a deadline of 0).
 */
static void test_past_deadline_judged_from_arming(void **state)
{
	struct standby *sb;
	mtime_t armed_at;

	(void)state;
	if (!two_cpus())
		skip();
	sb = start();
	armed_at = mtime_now();
	standby_arm(sb, 0);
	do
		main_waits(MTIME_MS(5));
	while (!fired);
	assert_true(fired_for >= armed_at);
	assert_true(fired_at >= fired_for + SLACK);
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

/* A UDP pair on loopback: *rx bound, *tx connected to it (as a session's socket is). */
static void udp_pair(int *rx, int *tx)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	*rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	*tx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(*rx >= 0 && *tx >= 0);
	assert_int_equal(bind(*rx, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(*rx, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(connect(*tx, (struct sockaddr *)&a, sizeof(a)), 0);
}

/* A started standby with one slot, and a socket pair for it (skips on one CPU). */
static struct standby *start_tx(int *rx, int *tx, int *slot)
{
	struct standby *sb;

	if (!two_cpus())
		skip();
	udp_pair(rx, tx);
	sb = start();
	*slot = standby_tx_slot(sb);
	assert_true(*slot >= 0);
	return sb;
}

/* Datagrams queued on rx, each checked to be `pkt`. */
static int drain(int rx, const uint8_t *pkt, size_t len)
{
	uint8_t buf[128];
	ssize_t n;
	int got = 0;

	while ((n = recv(rx, buf, sizeof(buf), 0)) >= 0) {
		assert_int_equal(n, len);
		assert_memory_equal(buf, pkt, len);
		got++;
	}
	return got;
}

/*
 * A main thread that holds the lock and does not run (held here, sleeping):
 * once it is late for its deadline by the slack, the standby sends the
 * published packet each time its interval has passed -- never before
 * deadline + slack, never faster than the interval -- without the lock.
 * Once released, nothing more goes out; the count comes back for the
 * session's own.
 */
static void test_stands_in_while_lock_held(void **state)
{
	static const uint8_t pkt[24] = { 0x20, 0xc0, 3, 24, 1, 2, 3, 4 };
	const mtime_t interval = MTIME_MS(2);
	struct standby *sb;
	mtime_t t0, deadline, held;
	int rx, tx, slot, got = 0, late_got;
	struct pollfd pfd;
	uint32_t sent;

	(void)state;
	sb = start_tx(&rx, &tx, &slot);
	t0 = mtime_now();
	assert_int_equal(standby_tx_publish(sb, slot, tx, pkt, sizeof(pkt), interval, t0), 0);
	deadline = t0 + MTIME_MS(3);
	standby_arm(sb, deadline);
	/* The lock kept: until two copies came (a slow machine only makes it longer). */
	pfd = (struct pollfd){ .fd = rx, .events = POLLIN };
	while (got < 2) {
		assert_true(poll(&pfd, 1, 10000) == 1);
		if (got == 0)
			assert_true(mtime_now() >= mtime_max(deadline + SLACK, t0 + interval));
		got += drain(rx, pkt, sizeof(pkt));
	}
	held = mtime_now() - t0;
	assert_int_equal(fired, 0);	/* the timers wait for the lock */
	sent = standby_tx_release(sb, slot);
	got += drain(rx, pkt, sizeof(pkt));
	/* Every copy arrived (loopback), none faster than the interval. */
	assert_int_equal(sent, got);
	assert_true(got <= (held + MTIME_MS(1)) / interval + 1);
	/* Released: the lock held longer, no more copies. */
	sleep_us(4 * interval);
	late_got = drain(rx, pkt, sizeof(pkt));
	assert_int_equal(late_got, 0);
	standby_arm(sb, MTIME_NEVER);
	stop(sb);
	close(rx);
	close(tx);
}

/* Held, late, but the packet's interval has not passed since it was sent: nothing to send. */
static void test_stands_in_only_when_due(void **state)
{
	static const uint8_t pkt[24] = { 0x20, 0xc0, 3, 24 };
	struct standby *sb;
	int rx, tx, slot;
	mtime_t t0;

	(void)state;
	sb = start_tx(&rx, &tx, &slot);
	t0 = mtime_now();
	standby_tx_publish(sb, slot, tx, pkt, sizeof(pkt), MTIME_S(10), t0);
	standby_arm(sb, t0 + MTIME_MS(1));
	sleep_us(MTIME_MS(30));
	assert_int_equal(drain(rx, pkt, sizeof(pkt)), 0);
	/* A slot with nothing to stand in for (fd -1, e.g. a Final) sends nothing either. */
	standby_tx_publish(sb, slot, -1, pkt, sizeof(pkt), MTIME_MS(1), 0);
	sleep_us(MTIME_MS(10));
	assert_int_equal(drain(rx, pkt, sizeof(pkt)), 0);
	assert_int_equal(standby_tx_release(sb, slot), 0);
	standby_arm(sb, MTIME_NEVER);
	stop(sb);
	close(rx);
	close(tx);
}

/* Watches rx for a copy while fire() holds the lock, then lets fire() go. */
struct watch {
	int rx, got, during;
};

static void *watch_rx(void *arg)
{
	struct watch *w = arg;
	struct pollfd pfd = { .fd = w->rx, .events = POLLIN };
	uint8_t buf[128];

	if (poll(&pfd, 1, 10000) == 1) {
		w->during = atomic_load(&in_fire);
		while (recv(w->rx, buf, sizeof(buf), 0) >= 0)
			w->got++;
	}
	atomic_store(&fire_hold, 0);
	return NULL;
}

/*
 * The standby took over and is then kept from running while it holds the
 * lock (here: fire() blocks).  The main thread, woken past the deadline +
 * slack, finds the lock held: it sends the published packet itself while
 * it waits (without it, nothing goes out until fire() returns: the watcher
 * waits 10 s and the test fails).
 */
static void test_main_stands_in_for_stuck_standby(void **state)
{
	static const uint8_t pkt[24] = { 0x20, 0xc0, 3, 24, 5, 6, 7, 8 };
	struct watch w = { 0 };
	struct standby *sb;
	pthread_t th;
	mtime_t t0, deadline;
	int rx, tx, slot, i;

	(void)state;
	sb = start_tx(&rx, &tx, &slot);
	atomic_store(&fire_hold, 1);
	atomic_store(&in_fire, 0);
	t0 = mtime_now();
	assert_int_equal(standby_tx_publish(sb, slot, tx, pkt, sizeof(pkt), MTIME_MS(2), t0), 0);
	deadline = t0 + MTIME_MS(3);
	standby_arm(sb, deadline);
	pthread_mutex_unlock(&lock);	/* the main thread waits... */
	for (i = 0; i < 100000 && !atomic_load(&in_fire); i++)
		sleep_us(100);
	assert_true(atomic_load(&in_fire));	/* the standby took over: it holds the lock */
	assert_true(mtime_now() >= deadline + SLACK);
	w.rx = rx;
	assert_int_equal(pthread_create(&th, NULL, watch_rx, &w), 0);
	standby_lock(sb);		/* ...and comes back late */
	pthread_join(th, NULL);
	assert_true(w.got >= 1);
	assert_true(w.during);		/* sent while the standby held the lock */
	assert_int_equal(fired, 1);
	assert_true(standby_tx_release(sb, slot) >= (uint32_t)w.got);
	standby_arm(sb, MTIME_NEVER);
	stop(sb);
	close(rx);
	close(tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_takes_over_when_late, teardown),
		cmocka_unit_test_teardown(test_past_deadline_judged_from_arming, teardown),
		cmocka_unit_test_teardown(test_never_when_rearmed_or_disarmed, teardown),
		cmocka_unit_test_teardown(test_keeps_going_while_main_away, teardown),
		cmocka_unit_test_teardown(test_keeps_off_main_cpu, teardown),
		cmocka_unit_test_teardown(test_one_cpu, teardown),
		cmocka_unit_test_teardown(test_init_fails, teardown),
		cmocka_unit_test_teardown(test_stands_in_while_lock_held, teardown),
		cmocka_unit_test_teardown(test_stands_in_only_when_due, teardown),
		cmocka_unit_test_teardown(test_main_stands_in_for_stuck_standby, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
