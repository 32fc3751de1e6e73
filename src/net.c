// SPDX-License-Identifier: GPL-2.0-or-later
/* BFD single-hop UDP sockets (RFC 5881). */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bytes.h"
#include "log.h"
#include "net.h"
#include "nl.h"
#include "packet.h"

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

int net_rx_drops(int fd, uint32_t *drops)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mi);

	static bool warned;
	int err;

	/* One system call per read of the socket, not a control message per datagram. */
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) < 0 ||
	    (len <= SK_MEMINFO_DROPS * sizeof(mi[0]) && (errno = ENOPROTOOPT))) {
		err = -errno;
		if (!warned)
			log_warn("getsockopt SO_MEMINFO: the kernel's drops are not counted");
		warned = true;
		return err;
	}
	*drops = mi[SK_MEMINFO_DROPS];
	return 0;
}

/*
 * The BFD filter (net.h).  A UDP socket's filter sees the datagram from its
 * UDP header on (the BFD packet at offset 8, skb->len the UDP length); the
 * IP header is reached relative to the network header (SKF_NET_OFF).
 */
#define F_UDP 8				/* the BFD packet's offset */
#define F_VERS (F_UDP + 0)		/* version (3 bits), diagnostic */
#define F_FLAGS (F_UDP + 1)		/* state (2 bits), P F C A D M */
#define F_MULT (F_UDP + 2)
#define F_LEN (F_UDP + 3)
#define F_MY (F_UDP + 4)
#define F_YOUR (F_UDP + 8)
#define F_STATE_INIT 0x80		/* State Init (2) in the flags byte; Up (3) is above */
#define F_A 0x04
#define F_M 0x01
#define F_NET(off) ((uint32_t)SKF_NET_OFF + (off))

/*
 * A small assembler: jumps go to labels, resolved once the program is
 * written (classic BPF jumps are relative and forward only; a conditional
 * one reaches at most 255 instructions ahead).
 */
enum { L_NEXT, L_DROP, L_PASS, L_ZERO, L_AUTH, L_FITS, L_YOURS, L_SOURCE, L_FIXED };
struct bpf_asm {
	struct sock_filter *prog;
	int jt[NET_BFD_FILTER_MAX], jf[NET_BFD_FILTER_MAX];
	int at[L_FIXED + 2 * MR_MAX_NODES];
	int nlabels;
	unsigned int n;
	bool full;
};

static void op(struct bpf_asm *a, uint16_t code, uint32_t k, int jt, int jf)
{
	if (a->n == NET_BFD_FILTER_MAX) {
		a->full = true;
		return;
	}
	a->prog[a->n] = (struct sock_filter)BPF_JUMP(code, k, 0, 0);
	a->jt[a->n] = jt;
	a->jf[a->n] = jf;
	a->n++;
}

static void stmt(struct bpf_asm *a, uint16_t code, uint32_t k)
{
	op(a, code, k, L_NEXT, L_NEXT);
}

static void here(struct bpf_asm *a, int label)
{
	a->at[label] = (int)a->n;
}

static bool resolve(struct bpf_asm *a)
{
	unsigned int i;
	int d;

	if (a->full)
		return false;
	for (i = 0; i < a->n; i++) {
		if (BPF_CLASS(a->prog[i].code) != BPF_JMP)
			continue;
		if (BPF_OP(a->prog[i].code) == BPF_JA) {
			a->prog[i].k = (uint32_t)(a->at[a->jt[i]] - (int)i - 1);
			continue;
		}
		d = a->jt[i] ? a->at[a->jt[i]] - (int)i - 1 : 0;
		if (d < 0 || d > 255)
			return false;
		a->prog[i].jt = (uint8_t)d;
		d = a->jf[i] ? a->at[a->jf[i]] - (int)i - 1 : 0;
		if (d < 0 || d > 255)
			return false;
		a->prog[i].jf = (uint8_t)d;
	}
	return true;
}

/* From one of m's peers (none given: anyone), else to L_DROP; -EINVAL for a peer that does not fit. */
static int filter_source(struct bpf_asm *a, int family, const struct net_bfd_match *m)
{
	const uint16_t ld_w = BPF_LD | BPF_W | BPF_ABS, jeq = BPF_JMP | BPF_JEQ | BPF_K;
	bool v6 = family == AF_INET6;
	int i, w;

	if (!m->peers)
		return 0;
	if (!v6)
		stmt(a, ld_w, F_NET(12));
	for (i = 0; i < m->npeers; i++) {
		const uint8_t *b = m->peers[i].bytes;
		int next = a->nlabels++;

		if (m->peers[i].family != family || next >= (int)(sizeof(a->at) / sizeof(a->at[0])))
			return -EINVAL;
		if (!v6) {
			op(a, jeq, get32(b), L_PASS, L_NEXT);
			continue;
		}
		for (w = 0; w < 4; w++) {
			stmt(a, ld_w, F_NET(8 + 4 * w));
			op(a, jeq, get32(b + 4 * w), w == 3 ? L_PASS : L_NEXT, next);
		}
		here(a, next);
	}
	op(a, BPF_JMP | BPF_JA, 0, L_DROP, L_DROP);
	return 0;
}

/*
 * A nonzero Your Discriminator to L_SOURCE if it is one of ours (exact: one
 * of m->discrs; else with m->discr_prefix), else to L_DROP.  An MTU
 * session's bootstrap value (mtu.h) is nobody's and passes.  The list's
 * jumps reach L_SOURCE just past it, so its length does not count against
 * the 255-instruction reach of a conditional jump.
 */
static void filter_yours(struct bpf_asm *a, const struct net_bfd_match *m, bool exact)
{
	const uint16_t jeq = BPF_JMP | BPF_JEQ | BPF_K;
	int i;

	op(a, jeq, 0xffffffffu, L_SOURCE, L_NEXT);
	if (exact) {
		for (i = 0; i < m->ndiscrs; i++)
			op(a, jeq, m->discrs[i], L_SOURCE, L_NEXT);
		op(a, BPF_JMP | BPF_JA, 0, L_DROP, L_DROP);
		return;
	}
	stmt(a, BPF_ALU | BPF_RSH | BPF_K, 16);
	op(a, jeq, m->discr_prefix, L_SOURCE, m->discr_prefix ? L_DROP : L_SOURCE);
}

static int bfd_filter(int family, const struct net_bfd_match *m, struct sock_filter *prog, bool exact)
{
	struct bpf_asm a = { .prog = prog, .nlabels = L_FIXED };
	const uint16_t ld_b = BPF_LD | BPF_B | BPF_ABS, ld_w = BPF_LD | BPF_W | BPF_ABS;
	const uint16_t jeq = BPF_JMP | BPF_JEQ | BPF_K, jge = BPF_JMP | BPF_JGE | BPF_K;
	const uint16_t jset = BPF_JMP | BPF_JSET | BPF_K, ja = BPF_JMP | BPF_JA;
	bool v6 = family == AF_INET6;

	if (m->sample & (m->sample - 1))
		return -EINVAL;
	/* RFC 5881 §5: TTL / hop limit 255. */
	stmt(&a, ld_b, F_NET(v6 ? 7 : 8));
	op(&a, jeq, 255, L_NEXT, L_DROP);
	/* The mandatory section is there. */
	stmt(&a, BPF_LD | BPF_W | BPF_LEN, 0);
	op(&a, jge, F_UDP + 24, L_NEXT, L_DROP);
	/* RFC 5880 §6.8.6, in its order: version 1, ... */
	stmt(&a, ld_b, F_VERS);
	stmt(&a, BPF_ALU | BPF_AND | BPF_K, 0xe0);
	op(&a, jeq, 1 << 5, L_NEXT, L_DROP);
	/* ... Length at least 24, 26 with the A bit (and the A bit as our authentication wants), ... */
	stmt(&a, ld_b, F_FLAGS);
	op(&a, jset, F_A, L_AUTH, L_NEXT);
	if (m->auth == NET_AUTH_SET)
		op(&a, ja, 0, L_DROP, L_DROP);
	stmt(&a, ld_b, F_LEN);
	op(&a, jge, 24, L_FITS, L_DROP);
	here(&a, L_AUTH);
	if (m->auth == NET_AUTH_NONE)
		op(&a, ja, 0, L_DROP, L_DROP);
	stmt(&a, ld_b, F_LEN);
	op(&a, jge, 26, L_NEXT, L_DROP);
	/* ... and within the datagram (what follows it is padding), ... */
	here(&a, L_FITS);
	stmt(&a, BPF_ALU | BPF_ADD | BPF_K, F_UDP);
	stmt(&a, BPF_MISC | BPF_TAX, 0);
	stmt(&a, BPF_LD | BPF_W | BPF_LEN, 0);
	op(&a, BPF_JMP | BPF_JGE | BPF_X, 0, L_NEXT, L_DROP);
	/* ... Detect Mult not 0, no Multipoint bit, ... */
	stmt(&a, ld_b, F_MULT);
	op(&a, jeq, 0, L_DROP, L_NEXT);
	stmt(&a, ld_b, F_FLAGS);
	op(&a, jset, F_M, L_DROP, L_NEXT);
	/* ... My Discriminator not 0, ... */
	stmt(&a, ld_w, F_MY);
	op(&a, jeq, 0, L_DROP, L_NEXT);
	/* ... Your Discriminator 0 only in State Down or AdminDown, ... */
	stmt(&a, ld_w, F_YOUR);
	op(&a, jeq, 0, L_NEXT, L_YOURS);
	stmt(&a, ld_b, F_FLAGS);
	op(&a, jge, F_STATE_INIT, L_DROP, L_SOURCE);
	/* ... else one of ours, ... */
	here(&a, L_YOURS);
	filter_yours(&a, m, exact);
	/* ... from a peer's address: no session has another. */
	here(&a, L_SOURCE);
	if (filter_source(&a, family, m) < 0)
		return -EINVAL;
	/* The whole datagram, or none of it... */
	here(&a, L_PASS);
	stmt(&a, BPF_RET | BPF_K, 0xffffffffu);
	/* ... but 1 in m->sample of the drops, so that the daemon sees what they are. */
	here(&a, L_DROP);
	if (m->sample) {
		stmt(&a, BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_AD_OFF + SKF_AD_RANDOM);
		op(&a, jset, m->sample - 1, L_ZERO, L_NEXT);
		stmt(&a, BPF_RET | BPF_K, 0xffffffffu);
	}
	here(&a, L_ZERO);
	stmt(&a, BPF_RET | BPF_K, 0);
	return resolve(&a) ? (int)a.n : -E2BIG;
}

int net_bfd_filter(int family, const struct net_bfd_match *m, struct sock_filter *prog)
{
	int n = bfd_filter(family, m, prog, m->discrs != NULL);

	/* Too many discriminators for the jumps: the prefix, as dear for floods but as safe. */
	if (n == -E2BIG && m->discrs)
		n = bfd_filter(family, m, prog, false);
	return n;
}

int net_rx_filter_bfd(int fd, int family, const struct net_bfd_match *m)
{
	struct sock_filter prog[NET_BFD_FILTER_MAX];
	struct sock_fprog fp = { .filter = prog };
	int n = net_bfd_filter(family, m, prog), err;

	if (n < 0) {
		log_warnx("BFD receive filter: %d peers do not fit", m->npeers);
		return n;
	}
	fp.len = (unsigned short)n;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0) {
		err = -errno;
		log_warn("setsockopt SO_ATTACH_FILTER");
		return err;
	}
	return 0;
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
	/* MSG_TRUNC: each length is the datagram's, also where buf keeps less. */
	got = recvmmsg(fd, mm, n, MSG_DONTWAIT | MSG_TRUNC, NULL);
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

static const char *drop_names[MR_DROP_MAX] = {
	[MR_DROP_DECODE] = "decode",
	[MR_DROP_TTL] = "ttl",
	[MR_DROP_NO_SESSION] = "no_session",
	[MR_DROP_WRONG_PORT] = "wrong_port",
	[MR_DROP_AUTH] = "auth",
	[MR_DROP_ADMIN_DOWN] = "admin_down",
	[MR_DROP_KERNEL] = "kernel",
};

const char *mr_drop_name(int reason)
{
	return reason >= 0 && reason < MR_DROP_MAX ? drop_names[reason] : "?";
}
