// SPDX-License-Identifier: GPL-2.0-or-later
/* Control socket: unix stream, one request line per connection, nonblocking throughout. */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "log.h"

/* Unread input is discarded in chunks of this size before closing. */
#define DRAIN_CHUNK 4096
#define DRAIN_MAX (64 * 1024)

enum client_state {
	CL_FREE,	/* slot unused */
	CL_READING,	/* waiting for the request line */
	CL_WRITING,	/* sending the reply */
	CL_CLOSED,	/* fd closed; slot reusable after control_timers() */
};

struct client {
	struct loop_fd h;
	struct control *ctl;
	enum client_state st;
	mtime_t deadline;		/* dropped when reached */
	char req[CONTROL_MAX_REQUEST + 1];
	size_t reqlen;			/* bytes in req */
	char *reply;			/* body and status line, malloc'd */
	size_t replylen, replyoff;	/* bytes in reply, bytes already sent */
};

struct control {
	struct loop *loop;
	struct loop_fd listen;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;			/* of the socket file we bound, so close */
	ino_t ino;			/* removes ours and nothing else */
	control_fn fn;
	void *arg;
	struct client clients[CONTROL_MAX_CLIENTS];
};

/* ---- clients ---- */

static void client_close(struct client *cl)
{
	loop_del(cl->ctl->loop, &cl->h);
	close(cl->h.fd);
	cl->h.fd = -1;
	free(cl->reply);
	cl->reply = NULL;
	/* Not CL_FREE yet: this batch of events may still name this slot. */
	cl->st = CL_CLOSED;
}

/*
 * Reads and discards what the client still sends: closing a unix socket
 * with unread input makes the peer's reads fail with ECONNRESET.
 */
static void client_drain(struct client *cl)
{
	char buf[DRAIN_CHUNK];
	size_t total = 0;
	ssize_t n;

	while (total < DRAIN_MAX) {
		n = recv(cl->h.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		total += (size_t)n;
	}
}

static void client_write(struct client *cl)
{
	ssize_t n;

	while (cl->replyoff < cl->replylen) {
		n = send(cl->h.fd, cl->reply + cl->replyoff, cl->replylen - cl->replyoff,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;	/* EPOLLOUT (edge-triggered) brings us back */
			log_debug("control: client went away: %s", strerror(errno));
			client_close(cl);
			return;
		}
		cl->replyoff += (size_t)n;
		/* A reader that makes progress may take longer than one timeout. */
		cl->deadline = mtime_now() + CONTROL_TIMEOUT;
	}
	client_drain(cl);
	client_close(cl);
}

/* Takes ownership of the malloc'd reply and starts sending it. */
static void client_reply(struct client *cl, char *reply, size_t len)
{
	cl->st = CL_WRITING;
	cl->reply = reply;
	cl->replylen = len;
	cl->replyoff = 0;
	cl->deadline = mtime_now() + CONTROL_TIMEOUT;
	client_write(cl);
}

static void client_error(struct client *cl, const char *msg)
{
	char *reply;
	int len;

	len = asprintf(&reply, "%s\n.error\n", msg);
	if (len < 0) {
		client_close(cl);
		return;
	}
	client_reply(cl, reply, (size_t)len);
}

/* Splits the line into words at spaces and tabs; -1 when there are too many. */
static int split_words(char *line, char **argv, int max)
{
	char *save = NULL, *w;
	int argc = 0;

	for (w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (argc == max)
			return -1;
		argv[argc++] = w;
	}
	return argc;
}

static void client_dispatch(struct client *cl, size_t linelen)
{
	struct control *c = cl->ctl;
	char *argv[CONTROL_MAX_ARGS + 1], *body = NULL;
	size_t bodylen = 0;
	FILE *f;
	int argc, rc;

	cl->req[linelen] = '\0';
	if (linelen > 0 && cl->req[linelen - 1] == '\r')
		cl->req[--linelen] = '\0';
	if (memchr(cl->req, '\0', linelen)) {
		client_error(cl, "invalid request: NUL byte");
		return;
	}
	log_debug("control: request \"%s\"", cl->req);
	argc = split_words(cl->req, argv, CONTROL_MAX_ARGS);
	if (argc < 0) {
		client_error(cl, "invalid request: too many words");
		return;
	}
	if (argc == 0) {
		client_error(cl, "empty request");
		return;
	}
	argv[argc] = NULL;
	f = open_memstream(&body, &bodylen);
	if (!f) {
		log_warn("control: open_memstream");
		client_error(cl, "out of memory");
		return;
	}
	rc = c->fn(c->arg, argc, argv, f);
	fflush(f);
	if (bodylen > 0 && body[bodylen - 1] != '\n')
		fputc('\n', f);
	fputs(rc == 0 ? ".ok\n" : ".error\n", f);
	if (fclose(f) != 0) {
		free(body);
		client_error(cl, "out of memory");
		return;
	}
	client_reply(cl, body, bodylen);
}

static void client_read(struct client *cl)
{
	char *nl;
	ssize_t n;

	for (;;) {
		if (cl->reqlen == CONTROL_MAX_REQUEST) {
			client_error(cl, "request too long");
			return;
		}
		n = recv(cl->h.fd, cl->req + cl->reqlen, CONTROL_MAX_REQUEST - cl->reqlen,
			 MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				log_debug("control: client went away: %s", strerror(errno));
				client_close(cl);
			}
			return;
		}
		if (n == 0) {
			/* End of file also ends the line; with nothing asked, nothing to say. */
			if (cl->reqlen == 0)
				client_close(cl);
			else
				client_dispatch(cl, cl->reqlen);
			return;
		}
		nl = memchr(cl->req + cl->reqlen, '\n', (size_t)n);
		cl->reqlen += (size_t)n;
		if (nl) {
			client_dispatch(cl, (size_t)(nl - cl->req));
			return;
		}
	}
}

static void on_client(void *arg, uint32_t events)
{
	struct client *cl = arg;

	switch (cl->st) {
	case CL_READING:
		if (events & EPOLLERR) {
			client_close(cl);
			return;
		}
		client_read(cl);
		break;
	case CL_WRITING:
		if (events & EPOLLERR) {
			client_close(cl);
			return;
		}
		if (events & EPOLLIN)
			client_drain(cl);
		client_write(cl);
		break;
	case CL_FREE:
	case CL_CLOSED:
		/* A stale event from the batch that closed it. */
		break;
	}
}

static struct client *client_slot(struct control *c)
{
	int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].st == CL_FREE)
			return &c->clients[i];
	return NULL;
}

static void on_accept(void *arg, uint32_t events)
{
	static const char busy[] = "too many clients\n.error\n";
	struct control *c = arg;
	struct client *cl;
	int fd, i;

	/* A bounded batch, so a flood of connections cannot starve the sessions. */
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		fd = accept4(c->listen.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("control: accept");
			return;
		}
		cl = client_slot(c);
		if (!cl) {
			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				log_debug("control: rejecting a client: %s", strerror(errno));
			close(fd);
			continue;
		}
		memset(cl, 0, sizeof(*cl));
		cl->ctl = c;
		cl->h.fd = fd;
		cl->h.fn = on_client;
		cl->h.arg = cl;
		cl->deadline = mtime_now() + CONTROL_TIMEOUT;
		/* Edge-triggered: every handler reads or writes until EAGAIN. */
		if (loop_add(c->loop, &cl->h, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) < 0) {
			close(fd);
			cl->h.fd = -1;
			continue;
		}
		cl->st = CL_READING;
	}
}

mtime_t control_next_deadline(const struct control *c)
{
	mtime_t t = MTIME_NEVER;
	int i;

	if (!c)
		return t;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].st == CL_READING || c->clients[i].st == CL_WRITING)
			t = mtime_min(t, c->clients[i].deadline);
	return t;
}

void control_timers(struct control *c, mtime_t now)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct client *cl = &c->clients[i];

		if ((cl->st == CL_READING || cl->st == CL_WRITING) && cl->deadline <= now) {
			log_debug("control: client dropped: %s",
				  cl->st == CL_READING ? "no request line in time"
						       : "it does not read its reply");
			client_close(cl);
		}
		/* Outside the event batch now: closed slots can be reused. */
		if (cl->st == CL_CLOSED)
			cl->st = CL_FREE;
	}
}

/* ---- the listening socket ---- */

/* Creates the socket's directory, 0755, if it is missing. */
static int make_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	int err;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0) {
		if (errno == EEXIST)
			return 0;
		err = -errno;
		log_warn("control: cannot create %s", dir);
		return err;
	}
	/* Exactly 0755 whatever the umask: group members must reach the socket. */
	if (chmod(dir, 0755) < 0) {
		err = -errno;
		log_warn("control: chmod %s", dir);
		return err;
	}
	return 0;
}

/*
 * A socket file left by a daemon that died is removed; one that a daemon
 * still answers on is not, nor anything that is not a socket.
 */
static int remove_stale(const struct sockaddr_un *sa, const char *path)
{
	struct stat st;
	int fd, rc, e;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		e = -errno;
		log_warn("control: %s", path);
		return e;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("control: %s exists and is not a socket; not replacing it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = -errno;
		log_warn("control: socket");
		return e;
	}
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	e = errno;
	close(fd);
	/* EAGAIN: a listener whose backlog is full is still a listener. */
	if (rc == 0 || e == EAGAIN) {
		log_warnx("control: another daemon answers on %s; is meshrouted already running?",
			  path);
		return -EADDRINUSE;
	}
	if (e == ENOENT)
		return 0;	/* gone meanwhile */
	if (e != ECONNREFUSED) {
		log_warnx("control: cannot tell whether %s is in use: %s", path, strerror(e));
		return -e;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		e = -errno;
		log_warn("control: cannot remove stale %s", path);
		return e;
	}
	log_info("control: removed stale socket %s", path);
	return 0;
}

/*
 * The group of the control socket, read from /etc/group alone, where the
 * package creates it (addgroup --system), without NSS: a directory service
 * may hang while the network is what is broken, and NSS modules
 * (libnss_systemd: 320 KiB resident) would stay loaded for the daemon's
 * life.  Without the group the socket is root's alone.
 */
static bool control_group(gid_t *gid)
{
	struct group *gr = NULL;
	FILE *f;

	f = fopen("/etc/group", "re");
	if (!f) {
		log_warn("control: /etc/group");
		return false;
	}
	while ((gr = fgetgrent(f)))
		if (strcmp(gr->gr_name, CONTROL_GROUP) == 0)
			break;
	if (gr)
		*gid = gr->gr_gid;
	fclose(f);
	return gr != NULL;
}

/*
 * Binds c's socket to sa's path with mode 0660 and group CONTROL_GROUP if
 * it exists, and notes which file it is (c->dev, c->ino: close removes
 * only ours).  *bound once the path exists.  0 or -errno (logged).
 */
static int bind_restricted(struct control *c, const struct sockaddr_un *sa, bool *bound,
			   bool *has_group)
{
	const char *path = sa->sun_path;
	struct stat st;
	mode_t old;
	gid_t gid;
	int err;

	/* Never a moment with a wider mode than 0660 (single-threaded: umask is ours). */
	old = umask(0117);
	err = bind(c->listen.fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ? -errno : 0;
	umask(old);
	if (err < 0) {
		errno = -err;
		log_warn("control: bind %s", path);
		return err;
	}
	*bound = true;
	if (chmod(path, 0660) < 0) {
		err = -errno;
		log_warn("control: chmod %s", path);
		return err;
	}
	*has_group = control_group(&gid);
	if (*has_group && chown(path, (uid_t)-1, gid) < 0)
		log_warn("control: chown %s to group %s", path, CONTROL_GROUP);
	if (stat(path, &st) < 0) {
		err = -errno;
		log_warn("control: stat %s", path);
		return err;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	return 0;
}

int control_open(struct control **out, const char *path, struct loop *l, control_fn fn,
		 void *arg)
{
	struct sockaddr_un sa;
	struct control *c = NULL;
	bool has_group = false, bound = false;
	int err, i;

	*out = NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof(sa.sun_path)) {
		log_warnx("control: socket path \"%s\" is empty or longer than %zu bytes", path,
			  sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path));
	if ((err = make_parent(path)) < 0)
		return err;
	if ((err = remove_stale(&sa, path)) < 0)
		return err;

	c = calloc(1, sizeof(*c));
	if (!c) {
		log_warnx("control: out of memory");
		return -ENOMEM;
	}
	c->loop = l;
	c->fn = fn;
	c->arg = arg;
	snprintf(c->path, sizeof(c->path), "%s", path);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		c->clients[i].h.fd = -1;
	c->listen.fn = on_accept;
	c->listen.arg = c;
	c->listen.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->listen.fd < 0) {
		err = -errno;
		log_warn("control: socket");
		goto fail;
	}
	if ((err = bind_restricted(c, &sa, &bound, &has_group)) < 0)
		goto fail;
	if (listen(c->listen.fd, CONTROL_MAX_CLIENTS) < 0) {
		err = -errno;
		log_warn("control: listen %s", path);
		goto fail;
	}
	if ((err = loop_add(l, &c->listen, EPOLLIN)) < 0)
		goto fail;
	log_debug("control: listening on %s (mode 0660%s%s)", path, has_group ? ", group " : "",
		  has_group ? CONTROL_GROUP : "");
	*out = c;
	return 0;

fail:
	if (bound)
		unlink(path);
	if (c->listen.fd >= 0)
		close(c->listen.fd);
	free(c);
	return err;
}

void control_close(struct control *c)
{
	struct stat st;
	int i;

	if (!c)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].st == CL_READING || c->clients[i].st == CL_WRITING)
			client_close(&c->clients[i]);
	loop_del(c->loop, &c->listen);
	close(c->listen.fd);
	/* Only our own file: a successor may have bound the path meanwhile. */
	if (lstat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->path);
	free(c);
}
