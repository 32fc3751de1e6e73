// SPDX-License-Identifier: GPL-2.0-or-later
/* Alerts: event log lines and the alert command, spawned and reaped without blocking. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "log.h"

/* Only without pidfds (Linux < 5.3): how often to look for exited children. */
#define ALERT_POLL_US MTIME_MS(100)

struct alert_child {
	struct loop_fd h;	/* pidfd; fd -1 when the slot is free or without pidfds */
	struct alerter *a;
	pid_t pid;		/* 0: slot free */
	mtime_t deadline;	/* next signal, MTIME_NEVER after SIGKILL */
	mtime_t poll_at;	/* without a pidfd: next waitpid(), else MTIME_NEVER */
	bool termed;		/* SIGTERM sent: the timeout fired */
};

struct alerter {
	struct loop *loop;
	char command[256];
	mtime_t timeout;		/* us */
	struct token_bucket runs;	/* ALERT_BURST, one back per ALERT_REFILL_US */
	uint64_t suppressed_since_run;	/* reported to the next command */
	struct alert_stats st;
	struct alert_child child[ALERT_MAX_RUNNING];
	struct log_ratelimit rl;	/* failure and suppression messages */
};

static int check_command(const char *command)
{
	if (command[0] && command[0] != '/') {
		log_warnx("alert: command must be an absolute path: %s", command);
		return -EINVAL;
	}
	if (strlen(command) >= sizeof(((struct alerter *)0)->command)) {
		log_warnx("alert: command path too long");
		return -ENAMETOOLONG;
	}
	/* Missing now is not fatal: it may be installed later; each run reports it. */
	if (command[0] && access(command, X_OK) < 0)
		log_warn("alert: %s", command);
	return 0;
}

int alert_open(struct alerter **out, const char *command, struct loop *l)
{
	struct alerter *a;
	int err, i;

	*out = NULL;
	if ((err = check_command(command)) < 0)
		return err;
	if (!(a = calloc(1, sizeof(*a))))
		return -ENOMEM;
	a->loop = l;
	snprintf(a->command, sizeof(a->command), "%s", command);
	a->timeout = ALERT_TIMEOUT_US;
	for (i = 0; i < ALERT_MAX_RUNNING; i++)
		a->child[i].h.fd = -1;
	*out = a;
	return 0;
}

int alert_set_command(struct alerter *a, const char *command)
{
	int err;

	if ((err = check_command(command)) < 0)
		return err;
	snprintf(a->command, sizeof(a->command), "%s", command);
	return 0;
}

void alert_set_timeout(struct alerter *a, mtime_t timeout_us)
{
	a->timeout = timeout_us;
}

static void child_free(struct alert_child *c)
{
	if (c->h.fd >= 0) {
		loop_del(c->a->loop, &c->h);
		close(c->h.fd);
	}
	c->h.fd = -1;
	c->pid = 0;
	c->a->st.running--;
}

static void child_report(struct alert_child *c, int status)
{
	struct alerter *a = c->a;
	unsigned supp;

	if (c->termed)
		return;		/* counted and logged when the timeout fired */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	a->st.failed++;
	if (!log_ratelimit_ok(&a->rl, &supp))
		return;
	if (WIFEXITED(status))
		log_warnx("alert: command exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_warnx("alert: command killed by signal %d", WTERMSIG(status));
}

/* Reaps c if it has exited; true if it did. */
static bool child_reap(struct alert_child *c)
{
	int status = 0;
	pid_t r;

	r = waitpid(c->pid, &status, WNOHANG);
	if (r == 0)
		return false;
	if (r < 0) {
		if (errno == EINTR)
			return false;
		/* ECHILD: someone set SIGCHLD to SIG_IGN; the kernel reaped it. */
		log_warn("alert: waitpid %d", (int)c->pid);
	} else {
		child_report(c, status);
	}
	child_free(c);
	return true;
}

static void child_exited(void *arg, uint32_t events)
{
	child_reap(arg);
}

/* "NAME=value" into buf; values are ours, truncation only shortens them. */
static char *env_put(char *buf, size_t len, const char *name, const char *value)
{
	snprintf(buf, len, "%s=%s", name, value);
	return buf;
}

/*
 * The child's attributes: the daemon blocks its stop signals for signalfd
 * and may ignore SIGPIPE; both survive execve, so reset them.  Its own
 * process group lets the timeout kill whatever the command started.
 * stdin and stdout /dev/null, stderr to stdout.
 */
static void spawn_setup(posix_spawnattr_t *attr, posix_spawn_file_actions_t *fa)
{
	sigset_t none, all;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(attr);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(attr, 0);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setsigdefault(attr, &all);
	posix_spawn_file_actions_init(fa);
	posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(fa, 1, 2);
	/* Our fds are all close-on-exec; this also covers a library's that is not. */
	posix_spawn_file_actions_addclosefrom_np(fa, 3);
}

static void spawn(struct alerter *a, struct alert_child *c, const struct alert_event *ev,
		  mtime_t now)
{
	enum { E_PATH, E_EVENT, E_NODE, E_PEER, E_ADDR, E_PORT, E_OLD, E_NEW, E_DIAG, E_DETECT,
	       E_TIME, E_SUPP, E_MAX };
	char env[E_MAX][320], detect[32] = "", wall[32] = "", supp[24];
	char *envp[E_MAX + 1];
	char *argv[] = { a->command, (char *)ev->event, (char *)ev->peer, (char *)ev->port,
			 (char *)ev->old_state, (char *)ev->new_state, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct timespec ts;
	struct tm tm;
	unsigned rlsupp;
	pid_t pid;
	int err, fd;

	if (ev->detect_us)
		snprintf(detect, sizeof(detect), "%.1f", ev->detect_us / 1000.0);
	/* Wall clock only for the human reading the mail; timers stay monotonic. */
	clock_gettime(CLOCK_REALTIME, &ts);
	if (gmtime_r(&ts.tv_sec, &tm))
		strftime(wall, sizeof(wall), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(supp, sizeof(supp), "%llu", (unsigned long long)a->suppressed_since_run);
	envp[E_PATH] = env_put(env[E_PATH], sizeof(env[0]), "PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
	envp[E_EVENT] = env_put(env[E_EVENT], sizeof(env[0]), "MESHROUTE_EVENT", ev->event);
	envp[E_NODE] = env_put(env[E_NODE], sizeof(env[0]), "MESHROUTE_NODE", ev->node);
	envp[E_PEER] = env_put(env[E_PEER], sizeof(env[0]), "MESHROUTE_PEER", ev->peer);
	envp[E_ADDR] = env_put(env[E_ADDR], sizeof(env[0]), "MESHROUTE_PEER_ADDRESS",
			       ev->peer_address);
	envp[E_PORT] = env_put(env[E_PORT], sizeof(env[0]), "MESHROUTE_PORT", ev->port);
	envp[E_OLD] = env_put(env[E_OLD], sizeof(env[0]), "MESHROUTE_OLD_STATE", ev->old_state);
	envp[E_NEW] = env_put(env[E_NEW], sizeof(env[0]), "MESHROUTE_NEW_STATE", ev->new_state);
	envp[E_DIAG] = env_put(env[E_DIAG], sizeof(env[0]), "MESHROUTE_DIAG", ev->diag);
	envp[E_DETECT] = env_put(env[E_DETECT], sizeof(env[0]), "MESHROUTE_DETECT_MS", detect);
	envp[E_TIME] = env_put(env[E_TIME], sizeof(env[0]), "MESHROUTE_TIME", wall);
	envp[E_SUPP] = env_put(env[E_SUPP], sizeof(env[0]), "MESHROUTE_SUPPRESSED", supp);
	envp[E_MAX] = NULL;

	spawn_setup(&attr, &fa);
	/* glibc's posix_spawn reports exec failures (ENOENT, EACCES) here. */
	err = posix_spawn(&pid, a->command, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err) {
		a->st.failed++;
		if (log_ratelimit_ok(&a->rl, &rlsupp))
			log_warnx("alert: cannot run %s: %s", a->command, strerror(err));
		return;
	}
	a->st.run++;
	a->st.running++;
	a->suppressed_since_run = 0;
	c->a = a;
	c->pid = pid;
	c->termed = false;
	c->deadline = now + a->timeout;
	c->poll_at = MTIME_NEVER;
	c->h.fn = child_exited;
	c->h.arg = c;
	/* Readable once the child exits; O_CLOEXEC is implied. */
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0) {
		c->h.fd = fd;
		if (loop_add(a->loop, &c->h, EPOLLIN) < 0) {
			close(fd);
			c->h.fd = -1;
		}
	}
	if (c->h.fd < 0)
		c->poll_at = now + ALERT_POLL_US;
}

void alert_emit(struct alerter *a, const struct alert_event *ev, mtime_t now)
{
	char detect[32] = "-";
	struct alert_child *c = NULL;
	unsigned supp;
	int i;

	if (ev->detect_us)
		snprintf(detect, sizeof(detect), "%.1fms", ev->detect_us / 1000.0);
	if (!ev->logged)
		log_notice("alert: %s peer=%s port=%s old=%s new=%s diag=%s detect=%s", ev->event,
		   ev->peer[0] ? ev->peer : "-", ev->port[0] ? ev->port : "-",
		   ev->old_state[0] ? ev->old_state : "-", ev->new_state[0] ? ev->new_state : "-",
		   ev->diag[0] ? ev->diag : "-", detect);
	if (!a->command[0])
		return;
	for (i = 0; i < ALERT_MAX_RUNNING && !c; i++)
		if (a->child[i].pid == 0)
			c = &a->child[i];
	/* A free slot first, so that a busy moment does not also spend tokens. */
	if (!c || !token_take(&a->runs, ALERT_BURST, ALERT_REFILL_US, now)) {
		a->st.suppressed++;
		a->suppressed_since_run++;
		if (log_ratelimit_ok(&a->rl, &supp))
			log_warnx("alert: %s, command not run (%llu events not run since the last)",
				  c ? "rate limit reached" : "too many commands running",
				  (unsigned long long)a->suppressed_since_run);
		return;
	}
	spawn(a, c, ev, now);
}

mtime_t alert_next_deadline(const struct alerter *a)
{
	mtime_t t = MTIME_NEVER;
	int i;

	for (i = 0; i < ALERT_MAX_RUNNING; i++) {
		if (a->child[i].pid == 0)
			continue;
		t = mtime_min(t, mtime_min(a->child[i].deadline, a->child[i].poll_at));
	}
	return t;
}

void alert_timers(struct alerter *a, mtime_t now)
{
	unsigned supp;
	int i;

	for (i = 0; i < ALERT_MAX_RUNNING; i++) {
		struct alert_child *c = &a->child[i];

		if (c->pid == 0)
			continue;
		if (c->poll_at <= now) {
			if (child_reap(c))
				continue;
			c->poll_at = now + ALERT_POLL_US;
		}
		if (c->deadline > now)
			continue;
		/* Not reaped yet, so the pid (and group id) cannot have been reused. */
		if (!c->termed) {
			kill(-c->pid, SIGTERM);
			c->termed = true;
			c->deadline = now + ALERT_KILL_GRACE_US;
			a->st.timed_out++;
			if (log_ratelimit_ok(&a->rl, &supp))
				log_warnx("alert: command still running after %.1f s, killed",
					  a->timeout / 1e6);
		} else {
			kill(-c->pid, SIGKILL);
			c->deadline = MTIME_NEVER;
		}
	}
}

void alert_get_stats(const struct alerter *a, struct alert_stats *st)
{
	*st = a->st;
}

void alert_close(struct alerter *a)
{
	int i;

	if (!a)
		return;
	for (i = 0; i < ALERT_MAX_RUNNING; i++) {
		struct alert_child *c = &a->child[i];

		if (c->pid == 0)
			continue;
		kill(-c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		child_free(c);
	}
	free(a);
}
