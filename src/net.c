// SPDX-License-Identifier: GPL-2.0-or-later
/* BFD single-hop UDP sockets (RFC 5881). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "nl.h"

#define BFD_SPORT_MIN 49152
#define BFD_SPORT_MAX 65535
#define BFD_TOS_CS6 0xc0
#define BFD_SO_PRIORITY 7	/* TC_PRIO_CONTROL */
#define NET_PROBE_MARK MR_PROBE_MARK

static void to_sockaddr(const struct mr_addr *a, uint16_t port, struct sockaddr_storage *ss,
			socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->bytes, 16);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		*len = sizeof(*s4);
	}
}

static int setopt(int fd, int level, int name, int val, const char *what)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)) < 0) {
		int err = -errno;

		log_warn("setsockopt %s", what);
		return err;
	}
	return 0;
}

int net_rx_open(int family, uint16_t port)
{
	struct sockaddr_storage ss;
	struct mr_addr any = { .family = family };
	socklen_t len;
	int fd, err;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0) {
		err = -errno;
		log_warn("socket for BFD receive");
		return err;
	}
	if (family == AF_INET6) {
		if ((err = setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY")) ||
		    (err = setopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO")) ||
		    (err = setopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT")))
			goto fail;
	} else {
		if ((err = setopt(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO")) ||
		    (err = setopt(fd, IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL")))
			goto fail;
	}
	/* Arrival times from the kernel: loss estimation must not see a busy loop. */
	if ((err = setopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS")))
		goto fail;
	/*
	 * A burst of probes must not be dropped while the loop is busy, nor
	 * behind a flood of junk: 4 MiB, past rmem_max (we have CAP_NET_ADMIN
	 * at start-up), else whatever the host allows.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 4 << 20 }, sizeof(int)) < 0)
		setopt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20, "SO_RCVBUF");
	to_sockaddr(&any, port, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		err = -errno;
		log_warn("bind BFD receive socket to port %u", port);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return err;
}

/*
 * How long ago (us) the kernel stamped a packet, from its wall-clock stamp.
 * Negative or over MAX_QUEUE_AGE means the wall clock stepped between the
 * stamp and now (or the stamp is bogus): 0, i.e. "just now".
 */
#define MAX_QUEUE_AGE MTIME_S(10)
static mtime_t stamp_age(const struct timespec *ts, const struct timespec *now)
{
	int64_t age = ((int64_t)now->tv_sec - ts->tv_sec) * 1000000 +
		      (now->tv_nsec - ts->tv_nsec) / 1000;

	return age < 0 || age > MAX_QUEUE_AGE ? 0 : age;
}

/*
 * Fills `m` from what recvmsg/recvmmsg returned for it; `wall` and `mono`
 * are the two clocks read once after the call, for the whole batch.
 */
static void msg_parse(struct net_msg *m, struct msghdr *msg, size_t n,
		      const struct timespec *wall, mtime_t mono)
{
	const struct sockaddr_storage *ss = msg->msg_name;
	struct cmsghdr *c;

	m->len = n;
	m->ifindex = 0;
	m->ttl = -1;
	m->rx_at = 0;
	m->rx_delay = 0;
	memset(&m->src, 0, sizeof(m->src));
	memset(&m->dst, 0, sizeof(m->dst));
	m->sport = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		m->src.family = AF_INET;
		memcpy(m->src.bytes, &s4->sin_addr, 4);
		m->sport = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		m->src.family = AF_INET6;
		memcpy(m->src.bytes, &s6->sin6_addr, 16);
		m->sport = ntohs(s6->sin6_port);
	}
	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			m->ifindex = pi.ipi_ifindex;
			m->dst.family = AF_INET;
			memcpy(m->dst.bytes, &pi.ipi_addr, 4);
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
			int ttl;

			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			m->ttl = ttl;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			m->ifindex = (int)pi.ipi6_ifindex;
			m->dst.family = AF_INET6;
			memcpy(m->dst.bytes, &pi.ipi6_addr, 16);
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			m->rx_delay = stamp_age(&ts, wall);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
			int hl;

			memcpy(&hl, CMSG_DATA(c), sizeof(hl));
			m->ttl = hl;
		}
	}
	m->rx_at = mono - m->rx_delay;
}

int net_recv_many(int fd, struct net_msg *m, unsigned int n)
{
	union cbuf {
		struct cmsghdr align;
		char buf[256];
	};
	static union cbuf cbuf[NET_RECV_BATCH];
	static struct sockaddr_storage ss[NET_RECV_BATCH];
	struct mmsghdr mm[NET_RECV_BATCH];
	struct iovec iov[NET_RECV_BATCH];
	struct timespec wall;
	unsigned int i;
	mtime_t mono;
	int got;

	if (n > NET_RECV_BATCH)
		n = NET_RECV_BATCH;
	for (i = 0; i < n; i++) {
		iov[i] = (struct iovec){ .iov_base = m[i].buf, .iov_len = sizeof(m[i].buf) };
		mm[i].msg_hdr = (struct msghdr){
			.msg_name = &ss[i], .msg_namelen = sizeof(ss[i]),
			.msg_iov = &iov[i], .msg_iovlen = 1,
			.msg_control = cbuf[i].buf, .msg_controllen = sizeof(cbuf[i].buf),
		};
		mm[i].msg_len = 0;
	}
	got = recvmmsg(fd, mm, n, MSG_DONTWAIT, NULL);
	if (got < 0)
		return -errno;
	/* A failed wall-clock read makes every stamp look stepped: age 0. */
	if (clock_gettime(CLOCK_REALTIME, &wall) < 0)
		wall.tv_sec = wall.tv_nsec = 0;
	mono = mtime_now();
	for (i = 0; i < (unsigned int)got; i++)
		msg_parse(&m[i], &mm[i].msg_hdr, mm[i].msg_len, &wall, mono);
	return got;
}

int net_recv(int fd, struct net_msg *m)
{
	int n = net_recv_many(fd, m, 1);

	return n < 0 ? n : 0;
}

int net_tx_open(int family, const struct mr_addr *src, int ifindex, uint16_t *sport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t start;
	int fd, err, i;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0) {
		err = -errno;
		log_warn("socket for BFD transmit");
		return err;
	}
	if ((err = setopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, ifindex, "SO_BINDTOIFINDEX")) ||
	    (err = setopt(fd, SOL_SOCKET, SO_PRIORITY, BFD_SO_PRIORITY, "SO_PRIORITY")) ||
	    /* Selects the probe routes' table (IPv6 needs a route on the port). */
	    (err = setopt(fd, SOL_SOCKET, SO_MARK, (int)NET_PROBE_MARK, "SO_MARK")))
		goto fail;
	if (family == AF_INET6) {
		if ((err = setopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS")) ||
		    (err = setopt(fd, IPPROTO_IPV6, IPV6_TCLASS, BFD_TOS_CS6, "IPV6_TCLASS")) ||
		    /* Still tentative (DAD at boot, ifup) or not on the port yet: bind it anyway. */
		    (err = setopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, 1, "IPV6_FREEBIND")))
			goto fail;
	} else {
		if ((err = setopt(fd, IPPROTO_IP, IP_TTL, 255, "IP_TTL")) ||
		    (err = setopt(fd, IPPROTO_IP, IP_TOS, BFD_TOS_CS6, "IP_TOS")) ||
		    /* The address may not be on the port yet; the port is what counts. */
		    (err = setopt(fd, IPPROTO_IP, IP_FREEBIND, 1, "IP_FREEBIND")))
			goto fail;
	}
	/* RFC 5881 §4: a session keeps its source port, also on a new socket. */
	if (*sport >= BFD_SPORT_MIN)
		start = (uint16_t)(*sport - BFD_SPORT_MIN);
	else if (getrandom(&start, sizeof(start), GRND_NONBLOCK) != sizeof(start))
		start = (uint16_t)getpid();
	/* RFC 5881 §4: source port 49152-65535, SHOULD be unique per session. */
	for (i = 0; i < 16384; i++) {
		uint16_t port = BFD_SPORT_MIN + (uint16_t)((start + i) % (BFD_SPORT_MAX - BFD_SPORT_MIN + 1));

		to_sockaddr(src, port, &ss, &len);
		if (bind(fd, (struct sockaddr *)&ss, len) == 0) {
			*sport = port;
			return fd;
		}
		if (errno != EADDRINUSE) {
			err = -errno;
			log_warn("bind BFD transmit socket");
			goto fail;
		}
	}
	err = -EADDRINUSE;
	log_warnx("bind BFD transmit socket: no free source port in %d-%d", BFD_SPORT_MIN,
		  BFD_SPORT_MAX);
fail:
	close(fd);
	return err;
}

int net_send(int fd, const struct mr_addr *dst, uint16_t port, const void *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t slen;

	to_sockaddr(dst, port, &ss, &slen);
	if (sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ss, slen) < 0)
		return -errno;
	return 0;
}

int net_tx_connect(int fd, const struct mr_addr *dst, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t slen;

	to_sockaddr(dst, port, &ss, &slen);
	if (connect(fd, (struct sockaddr *)&ss, slen) < 0)
		return -errno;
	return 0;
}

int net_send_connected(int fd, const void *buf, size_t len)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (send(fd, buf, len, MSG_DONTWAIT) >= 0)
			return 0;
		/* Errors an ICMP message leaves on a connected socket (udp_err). */
		if (errno != ECONNREFUSED && errno != EHOSTUNREACH && errno != ENETUNREACH &&
		    errno != EHOSTDOWN && errno != EPROTO)
			break;
	}
	return -errno;
}

int net_tx_dont_fragment(int fd, int family)
{
	if (family == AF_INET6)
		return setopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE,
			      "IPV6_MTU_DISCOVER") ?:
		       setopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, 1, "IPV6_DONTFRAG");
	return setopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE, "IP_MTU_DISCOVER");
}

int net_send_padded(int fd, const struct mr_addr *dst, uint16_t port, const void *buf, size_t len,
		    size_t total)
{
	static uint8_t zeros[NET_MAX_DGRAM];	/* never written: .bss, not 64 KiB of .rodata */
	struct sockaddr_storage ss;
	struct iovec iov[2] = {
		{ .iov_base = (void *)buf, .iov_len = len },
		{ .iov_base = zeros, .iov_len = total > len ? total - len : 0 },
	};
	struct msghdr msg = { .msg_name = &ss, .msg_iov = iov, .msg_iovlen = 2 };

	if (total > len && total - len > sizeof(zeros))
		return -EMSGSIZE;
	to_sockaddr(dst, port, &ss, &msg.msg_namelen);
	if (sendmsg(fd, &msg, MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}
