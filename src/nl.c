// SPDX-License-Identifier: GPL-2.0-or-later
/* rtnetlink with libmnl: an acked, sequence-checked command socket and a monitor socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "nl.h"

/* The kernel builds dump datagrams of up to 32 KiB when the reader offers that much. */
#define NL_BUF_SIZE 32768
#define NL_MON_RCVBUF (4 * 1024 * 1024)	/* bytes */
#define NL_CMD_TIMEOUT_S 5	/* the kernel always answers; this only guards against a hang */
#define NL_DUMP_TRIES 8		/* restarts of a dump marked NLM_F_DUMP_INTR */
#define NL_REQ_SIZE 1024	/* our largest request is < 200 bytes */

/*
 * IPv6 multipath over device-only next hops goes through nexthop objects
 * (see nl.h): one per fast port, one group per destination.  Their ids
 * are ours for the life of the handle, taken from NL_NH_ID_BASE upwards,
 * skipping any that another program (FRR's zebra) holds.
 */
#define NL_NH_ID_BASE 0x6d720000u	/* "mr", as MR_PROBE_MARK */
#define NL_NH_ID_TRIES 4096
#define NL_NH_SLOTS 64

struct nl_nh_port {
	int ifindex;
	uint32_t id;
};

struct nl_nh_group {
	uint8_t dst[16];	/* IPv6 destination whose route uses it */
	uint32_t id;
	bool in_use;		/* a route of ours points at it */
	int noif;
	int oif[NL_MAX_NH];	/* its members, as last installed */
};

struct nl {
	struct mnl_socket *cmd;
	struct mnl_socket *mon;
	uint32_t cmd_portid;
	uint32_t seq;		/* last sequence number sent on cmd */
	bool cmd_busy;		/* a request is waiting for its reply */
	bool mon_busy;		/* nl_monitor_read() is running */
	char errmsg[256];	/* extended ack text of the last failed command */
	struct nl_nh_port nh_port[NL_NH_SLOTS];
	struct nl_nh_group nh_group[NL_NH_SLOTS];
	int nnh_port, nnh_group;
	uint32_t nh_next;	/* next nexthop id to try */
	int nh_support;		/* nexthop objects: 0 not probed yet, 1 yes, -1 no */
	uint8_t cmd_buf[NL_BUF_SIZE] __attribute__((aligned(8)));
	uint8_t mon_buf[NL_BUF_SIZE] __attribute__((aligned(8)));
};

static const struct nl_handlers nl_no_handlers;

static size_t nl_addr_len(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

/*
 * One datagram from the kernel. Datagrams from another process (nl_pid != 0)
 * are dropped. -EMSGSIZE if the datagram did not fit (it is lost).
 */
static ssize_t nl_recv(int fd, void *buf, size_t len)
{
	for (;;) {
		struct sockaddr_nl sa;
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = {
			.msg_name = &sa, .msg_namelen = sizeof(sa),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t n = recvmsg(fd, &msg, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (msg.msg_namelen != sizeof(sa) || sa.nl_family != AF_NETLINK || sa.nl_pid != 0) {
			log_debug("nl: dropped a datagram not from the kernel (port %u)", sa.nl_pid);
			continue;
		}
		return n;
	}
}

/* ---- attribute parsing ---- */

/* Which attributes we read and how to validate them; others are ignored. */
struct nl_attrs {
	const struct nlattr **tb;
	uint16_t max;
	const enum mnl_attr_data_type *types;	/* [max + 1]; MNL_TYPE_UNSPEC: length checked by the reader */
};

static int nl_attr_cb(const struct nlattr *a, void *data)
{
	const struct nl_attrs *p = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type > p->max)
		return MNL_CB_OK;	/* newer kernel attribute */
	if (p->types[type] != MNL_TYPE_UNSPEC && mnl_attr_validate(a, p->types[type]) < 0)
		return MNL_CB_ERROR;
	p->tb[type] = a;
	return MNL_CB_OK;
}

static int nl_parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nl_attrs *p)
{
	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, hdrlen, nl_attr_cb, (void *)p) == MNL_CB_ERROR)
		return -EBADMSG;
	return 0;
}

/* Copies a family-sized address attribute; -EBADMSG if its length is wrong. */
static int nl_get_addr(const struct nlattr *a, int family, uint8_t out[16])
{
	size_t alen = nl_addr_len(family);

	if (alen == 0 || mnl_attr_get_payload_len(a) != alen)
		return -EBADMSG;
	memcpy(out, mnl_attr_get_payload(a), alen);
	return 0;
}

static const enum mnl_attr_data_type nl_link_types[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
	[IFLA_MTU] = MNL_TYPE_U32,
	[IFLA_OPERSTATE] = MNL_TYPE_U8,
	[IFLA_CARRIER] = MNL_TYPE_U8,
};

static int nl_parse_link(const struct nlmsghdr *nlh, struct nl_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct nl_attrs p = { tb, IFLA_MAX, nl_link_types };
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	int err;

	if ((err = nl_parse_attrs(nlh, sizeof(*ifi), &p)) < 0)
		return err;
	if (ifi->ifi_index <= 0)
		return -EBADMSG;
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->up = ifi->ifi_flags & IFF_UP;
	/* IFF_LOWER_UP is "running and carrier ok"; IFLA_CARRIER is the raw carrier bit. */
	l->carrier = ifi->ifi_flags & IFF_LOWER_UP;
	if (tb[IFLA_CARRIER] && !mnl_attr_get_u8(tb[IFLA_CARRIER]))
		l->carrier = false;
	if (tb[IFLA_IFNAME])
		snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_OPERSTATE])
		l->operstate = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
	return 0;
}

static const enum mnl_attr_data_type nl_addr_types[IFA_MAX + 1] = {
	[IFA_FLAGS] = MNL_TYPE_U32,
};

/* 0, 1 for a family we do not handle, or -EBADMSG. */
static int nl_parse_addr(const struct nlmsghdr *nlh, struct nl_addr *a)
{
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct nl_attrs p = { tb, IFA_MAX, nl_addr_types };
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *at;
	int err;

	if ((err = nl_parse_attrs(nlh, sizeof(*ifa), &p)) < 0)
		return err;
	if (nl_addr_len(ifa->ifa_family) == 0)
		return 1;
	memset(a, 0, sizeof(*a));
	a->family = ifa->ifa_family;
	a->ifindex = ifa->ifa_index;
	a->prefixlen = ifa->ifa_prefixlen;
	a->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	/* On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours. */
	at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!at)
		return -EBADMSG;
	return nl_get_addr(at, a->family, a->addr);
}

static const enum mnl_attr_data_type nl_route_types[RTA_MAX + 1] = {
	[RTA_OIF] = MNL_TYPE_U32,
	[RTA_TABLE] = MNL_TYPE_U32,
	[RTA_PRIORITY] = MNL_TYPE_U32,
	[RTA_GATEWAY] = MNL_TYPE_BINARY,
	[RTA_NH_ID] = MNL_TYPE_U32,
};

/* RTA_MULTIPATH: a packed list of struct rtnexthop, each followed by its own attributes. */
static int nl_parse_multipath(const struct nlattr *a, struct nl_route *r)
{
	const uint8_t *p = mnl_attr_get_payload(a);
	size_t left = mnl_attr_get_payload_len(a);

	while (left >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *nh = (const struct rtnexthop *)p;
		size_t step;

		if (nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left)
			return -EBADMSG;
		if (r->noif < NL_MAX_NH)
			r->oif[r->noif++] = nh->rtnh_ifindex;
		step = RTNH_ALIGN(nh->rtnh_len);
		if (step >= left)
			break;
		left -= step;
		p += step;
	}
	return 0;
}

/* 0, 1 for a route we do not report (other family, cached clone), or -EBADMSG. */
static int nl_parse_route(const struct nlmsghdr *nlh, struct nl_route *r)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct nl_attrs p = { tb, RTA_MAX, nl_route_types };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	int err;

	if ((err = nl_parse_attrs(nlh, sizeof(*rtm), &p)) < 0)
		return err;
	if (nl_addr_len(rtm->rtm_family) == 0 || (rtm->rtm_flags & RTM_F_CLONED))
		return 1;
	if (rtm->rtm_dst_len > 8 * nl_addr_len(rtm->rtm_family))
		return -EBADMSG;
	memset(r, 0, sizeof(*r));
	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->protocol = rtm->rtm_protocol;
	r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r->type = rtm->rtm_type;
	r->scope = rtm->rtm_scope;
	r->priority = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	if (tb[RTA_DST] && (err = nl_get_addr(tb[RTA_DST], r->family, r->dst)) < 0)
		return err;
	if (tb[RTA_PREFSRC]) {
		if ((err = nl_get_addr(tb[RTA_PREFSRC], r->family, r->prefsrc)) < 0)
			return err;
		r->has_prefsrc = true;
	}
	if (tb[RTA_GATEWAY]) {
		if ((err = nl_get_addr(tb[RTA_GATEWAY], r->family, r->gw)) < 0)
			return err;
		r->has_gw = true;
	}
	if (tb[RTA_NH_ID])
		r->nh_id = mnl_attr_get_u32(tb[RTA_NH_ID]);
	if (tb[RTA_MULTIPATH])
		return nl_parse_multipath(tb[RTA_MULTIPATH], r);
	if (tb[RTA_OIF]) {
		r->oif[0] = mnl_attr_get_u32(tb[RTA_OIF]);
		r->noif = 1;
	}
	return 0;
}

/* ---- dispatch ---- */

/* What a route dump keeps; the kernel filters too (strict checking), this makes sure. */
struct nl_filter {
	const struct nl_handlers *h;
	const struct nl *nl;	/* set: a route over one of our nexthop groups gets its members */
	int *nh_owner;		/* set: RTM_NEWNEXTHOP replies give their protocol here */
	bool routes;		/* filter routes: table, protocol */
	uint8_t protocol;	/* 0 = any */
	uint32_t table;		/* with routes: 0 means the main table */
};

static void nl_dispatch(const struct nlmsghdr *nlh, const struct nl_filter *f)
{
	const struct nl_handlers *h = f->h;
	uint16_t type = nlh->nlmsg_type;
	int err = 0;

	switch (type) {
	case RTM_NEWLINK:
	case RTM_DELLINK: {
		struct nl_link l;

		if (!h->link)
			return;
		if ((err = nl_parse_link(nlh, &l)) == 0)
			h->link(h->ctx, &l, type == RTM_DELLINK);
		break;
	}
	case RTM_NEWADDR:
	case RTM_DELADDR: {
		struct nl_addr a;

		if (!h->addr)
			return;
		if ((err = nl_parse_addr(nlh, &a)) == 0)
			h->addr(h->ctx, &a, type == RTM_DELADDR);
		break;
	}
	case RTM_NEWROUTE:
	case RTM_DELROUTE: {
		struct nl_route r;

		if (!h->route)
			return;
		if ((err = nl_parse_route(nlh, &r)) != 0)
			break;
		if (f->routes && (r.table != (f->table ? f->table : RT_TABLE_MAIN) ||
				  (f->protocol && r.protocol != f->protocol)))
			return;
		if (f->nl && r.nh_id && r.noif == 0) {
			/* net.ipv4.nexthop_compat_mode = 0: no expanded next hops. */
			int i;

			for (i = 0; i < f->nl->nnh_group; i++)
				if (f->nl->nh_group[i].id == r.nh_id) {
					r.noif = f->nl->nh_group[i].noif;
					memcpy(r.oif, f->nl->nh_group[i].oif, sizeof(r.oif));
				}
		}
		h->route(h->ctx, &r, type == RTM_DELROUTE);
		break;
	}
	case RTM_NEWNEXTHOP:
		if (f->nh_owner && nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nhmsg)))
			*f->nh_owner = ((const struct nhmsg *)mnl_nlmsg_get_payload(nlh))->nh_protocol;
		return;
	default:
		return;
	}
	if (err < 0)
		log_debug("nl: skipped a malformed message (type %u, %u bytes)", type, nlh->nlmsg_len);
}

/* ---- command socket ---- */

static int nl_ext_ack_cb(const struct nlattr *a, void *data)
{
	struct nl *nl = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* Extended ack TLVs start 'off' bytes into the payload of an NLMSG_ERROR or NLMSG_DONE. */
static void nl_parse_ext_ack(struct nl *nl, const struct nlmsghdr *nlh, size_t off)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, off, nl_ext_ack_cb, nl);
}

/* 0 for an ack, else the kernel's -errno; the ext ack text lands in nl->errmsg. */
static int nl_parse_error(struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	/* Unless NETLINK_CAP_ACK took effect, our request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	nl_parse_ext_ack(nl, nlh, off);
	if (e->error == 0) {
		if (nl->errmsg[0])	/* the kernel may attach a warning to a success */
			log_info("nl: kernel warning: %s", nl->errmsg);
		nl->errmsg[0] = '\0';
		return 0;
	}
	return e->error < 0 ? e->error : -EPROTO;
}

/* A dump ends with NLMSG_DONE carrying 0 or the -errno that stopped it. */
static int nl_parse_done(struct nl *nl, const struct nlmsghdr *nlh)
{
	int status;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(status))
		return 0;
	memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(status));
	if (status >= 0)
		return 0;
	nl_parse_ext_ack(nl, nlh, sizeof(status));
	return status;
}

/*
 * Sends one request with a fresh sequence number and reads until its ack
 * (NLMSG_ERROR) or, for a dump, NLMSG_DONE. Data messages of the reply go to
 * f (may be NULL). Replies with another sequence number or port id (leftovers
 * of an abandoned request) are dropped. *intr is set if the dump was marked
 * inconsistent.
 */
static int nl_talk(struct nl *nl, struct nlmsghdr *req, const struct nl_filter *f, bool *intr)
{
	int fd = mnl_socket_get_fd(nl->cmd);
	uint32_t seq;
	int err;

	if (nl->cmd_busy)
		return -EBUSY;
	nl->cmd_busy = true;
	nl->errmsg[0] = '\0';
	seq = ++nl->seq;
	req->nlmsg_seq = seq;
	req->nlmsg_pid = 0;
	if (mnl_socket_sendto(nl->cmd, req, req->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		const struct nlmsghdr *m = (const struct nlmsghdr *)nl->cmd_buf;
		ssize_t n = nl_recv(fd, nl->cmd_buf, sizeof(nl->cmd_buf));
		int len;

		if (n < 0) {
			err = (n == -EAGAIN || n == -EWOULDBLOCK) ? -ETIMEDOUT : (int)n;
			goto out;
		}
		for (len = (int)n; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != nl->cmd_portid) {
				log_debug("nl: dropped a stale reply (seq %u, want %u)", m->nlmsg_seq, seq);
				continue;
			}
			if ((m->nlmsg_flags & NLM_F_DUMP_INTR) && intr)
				*intr = true;
			switch (m->nlmsg_type) {
			case NLMSG_ERROR:
				err = nl_parse_error(nl, m);
				goto out;
			case NLMSG_DONE:
				err = nl_parse_done(nl, m);
				goto out;
			case NLMSG_NOOP:
			case NLMSG_OVERRUN:
				break;
			default:
				if (f)
					nl_dispatch(m, f);
				break;
			}
		}
	}
out:
	nl->cmd_busy = false;
	return err;
}

/* " (kernel: text)" or "" */
static const char *nl_ext_suffix(const struct nl *nl, char *buf, size_t len)
{
	if (!nl->errmsg[0])
		return "";
	snprintf(buf, len, " (kernel: %s)", nl->errmsg);
	return buf;
}

/* Runs a dump request, restarting it while the kernel marks it interrupted. */
static int nl_dump(struct nl *nl, struct nlmsghdr *req, const char *what, const struct nl_filter *f)
{
	char ext[300];
	int tries, err;

	for (tries = 0; tries < NL_DUMP_TRIES; tries++) {
		bool intr = false;

		err = nl_talk(nl, req, f, &intr);
		if (err == -EBUSY)
			return err;	/* caller bug; nothing was sent */
		/* A table of our own that holds nothing yet does not exist: it is empty. */
		if (err == -ENOENT && f->routes && f->table != 0 && f->table != RT_TABLE_MAIN)
			return 0;
		if (err < 0) {
			log_warnx("nl: %s dump: %s%s", what, strerror(-err),
				  nl_ext_suffix(nl, ext, sizeof(ext)));
			return err;
		}
		if (!intr)
			return 0;
		log_debug("nl: %s dump interrupted by a change, restarting", what);
	}
	log_warnx("nl: %s dump: still inconsistent after %d tries", what, NL_DUMP_TRIES);
	return -EINTR;
}

/* A request header plus its family header, zeroed, in buf. */
static struct nlmsghdr *nl_req(void *buf, uint16_t type, uint16_t flags, void **hdr, size_t hdrlen)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, NL_REQ_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	*hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

int nl_dump_links(struct nl *nl, const struct nl_handlers *h)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	const struct nl_filter f = { .h = h ? h : &nl_no_handlers };
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = nl_req(buf, RTM_GETLINK, NLM_F_DUMP, (void **)&ifi, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	/* Statistics are most of a link message and we do not read them. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_dump(nl, nlh, "link", &f);
}

_Static_assert(offsetof(struct ifaddrmsg, ifa_family) == 0 && offsetof(struct rtmsg, rtm_family) == 0,
	       "dump_family() sets the family as the header's first byte");

/*
 * A dump of `type` selected by family alone (a header of hdrlen bytes, all
 * zero but the family), through h; AF_UNSPEC dumps IPv4, then IPv6.  `what`
 * names the objects for the log, after "IPv4 " or "IPv6 ".
 */
static int dump_family(struct nl *nl, uint16_t type, size_t hdrlen, int family, const char *what,
		       const struct nl_handlers *h)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	const struct nl_filter f = { .h = h ? h : &nl_no_handlers };
	struct nlmsghdr *nlh;
	char desc[64];
	uint8_t *hdr;
	int err;

	if (family == AF_UNSPEC) {
		if ((err = dump_family(nl, type, hdrlen, AF_INET, what, h)) < 0)
			return err;
		return dump_family(nl, type, hdrlen, AF_INET6, what, h);
	}
	if (nl_addr_len(family) == 0)
		return -EAFNOSUPPORT;
	nlh = nl_req(buf, type, NLM_F_DUMP, (void **)&hdr, hdrlen);
	hdr[0] = (uint8_t)family;
	snprintf(desc, sizeof(desc), "%s %s", family == AF_INET ? "IPv4" : "IPv6", what);
	return nl_dump(nl, nlh, desc, &f);
}

int nl_dump_addrs(struct nl *nl, int family, const struct nl_handlers *h)
{
	return dump_family(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), family, "address", h);
}

int nl_dump_routes(struct nl *nl, int family, uint32_t table, uint8_t protocol,
		   const struct nl_handlers *h)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	const struct nl_filter f = {
		.h = h ? h : &nl_no_handlers, .routes = true, .protocol = protocol,
		.table = table, .nl = nl,
	};
	struct rtmsg *rtm;
	struct nlmsghdr *nlh;
	int err;

	if (family == AF_UNSPEC) {
		if ((err = nl_dump_routes(nl, AF_INET, table, protocol, h)) < 0)
			return err;
		return nl_dump_routes(nl, AF_INET6, table, protocol, h);
	}
	if (nl_addr_len(family) == 0)
		return -EAFNOSUPPORT;
	nlh = nl_req(buf, RTM_GETROUTE, NLM_F_DUMP, (void **)&rtm, sizeof(*rtm));
	/* With strict checking the kernel filters on these header fields. */
	rtm->rtm_family = family;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = protocol;
	if (table >= 256 && !mnl_attr_put_u32_check(nlh, sizeof(buf), RTA_TABLE, table))
		return -EMSGSIZE;
	return nl_dump(nl, nlh, family == AF_INET ? "IPv4 route" : "IPv6 route", &f);
}

/* "10.0.0.1/32 dev a,b src 10.0.0.2 via 10.0.0.3 onlink table 205 metric 7" for log lines. */
static void nl_route_str(char *out, size_t len, const struct nl_route_req *r)
{
	char a[INET6_ADDRSTRLEN] = "?";
	size_t o;
	int i;

	inet_ntop(r->family, r->dst, a, sizeof(a));
	o = (size_t)snprintf(out, len, "%s/%u", a, r->dst_len);
	for (i = 0; i < r->noif && o < len; i++) {
		char name[IF_NAMESIZE];

		if (!if_indextoname((unsigned)r->oif[i], name))
			snprintf(name, sizeof(name), "#%d", r->oif[i]);
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? "," : " dev ", name);
	}
	if (r->has_src && o < len && inet_ntop(r->family, r->src, a, sizeof(a)))
		o += (size_t)snprintf(out + o, len - o, " src %s", a);
	if (r->has_gw && o < len && inet_ntop(r->family, r->gw, a, sizeof(a)))
		o += (size_t)snprintf(out + o, len - o, " via %s onlink", a);
	if (r->table != RT_TABLE_MAIN && o < len)
		o += (size_t)snprintf(out + o, len - o, " table %u", r->table);
	if (r->metric && o < len)
		snprintf(out + o, len - o, " metric %u", r->metric);
}

/* ---- nexthop objects: IPv6 multipath over device-only next hops ---- */

/*
 * Who holds nexthop `id`: -ENOENT nobody, else its protocol (>= 0), or
 * another -errno (-EOPNOTSUPP and the like: no nexthop objects here).
 */
static int nh_owner(struct nl *nl, uint32_t id)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	int owner = -ENOENT, err;
	const struct nl_filter f = { .h = &nl_no_handlers, .nh_owner = &owner };
	struct nhmsg *nhm;
	struct nlmsghdr *nlh = nl_req(buf, RTM_GETNEXTHOP, NLM_F_ACK, (void **)&nhm, sizeof(*nhm));

	nhm->nh_family = AF_UNSPEC;
	if (!mnl_attr_put_u32_check(nlh, sizeof(buf), NHA_ID, id))
		return -EMSGSIZE;
	err = nl_talk(nl, nlh, &f, NULL);
	if (err == -ENOENT || err == -ESRCH)
		return -ENOENT;
	return err < 0 ? err : owner;
}

static int nh_delete(struct nl *nl, uint32_t id)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	struct nhmsg *nhm;
	struct nlmsghdr *nlh = nl_req(buf, RTM_DELNEXTHOP, NLM_F_ACK, (void **)&nhm, sizeof(*nhm));

	nhm->nh_family = AF_UNSPEC;
	if (!mnl_attr_put_u32_check(nlh, sizeof(buf), NHA_ID, id))
		return -EMSGSIZE;
	return nl_talk(nl, nlh, NULL, NULL);
}

/* A nexthop id for us: free, or ours (MR_RTPROT) left by an earlier run. */
static int nh_alloc(struct nl *nl, uint32_t *id)
{
	int tries, i, owner;

	if (nl->nh_next < NL_NH_ID_BASE)
		nl->nh_next = NL_NH_ID_BASE;
	for (tries = 0; tries < NL_NH_ID_TRIES; tries++) {
		uint32_t cand = nl->nh_next++;
		bool mine = false;

		for (i = 0; i < nl->nnh_port; i++)
			mine |= nl->nh_port[i].id == cand;
		for (i = 0; i < nl->nnh_group; i++)
			mine |= nl->nh_group[i].id == cand;
		if (mine)
			continue;
		owner = nh_owner(nl, cand);
		/*
		 * Ours but not this handle's: left by an earlier run (killed),
		 * perhaps a group where we now want a port's next hop, which
		 * the kernel would not replace in place.  Its routes went at
		 * start-up; the object goes now.
		 */
		if (owner == MR_RTPROT && nh_delete(nl, cand) == 0)
			owner = -ENOENT;
		if (owner == -ENOENT) {
			*id = cand;
			return 0;
		}
		if (owner < 0)
			return owner;
		log_debug("nl: nexthop id %u belongs to protocol %d, skipped", cand, owner);
	}
	log_warnx("nl: no free nexthop id in %u-%u", NL_NH_ID_BASE, nl->nh_next - 1);
	return -ENOSPC;
}

/* RTM_NEWNEXTHOP, create or replace: over oif (group NULL) or a group of members. */
static int nh_replace(struct nl *nl, uint32_t id, int oif, const uint32_t *group, int n)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	struct nexthop_grp g[NL_MAX_NH];
	char ext[300];
	struct nhmsg *nhm;
	struct nlmsghdr *nlh = nl_req(buf, RTM_NEWNEXTHOP, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
				      (void **)&nhm, sizeof(*nhm));
	int i, err;

	/* A group has no family of its own; a device-only next hop is IPv6's. */
	nhm->nh_family = group ? AF_UNSPEC : AF_INET6;
	nhm->nh_protocol = MR_RTPROT;
	if (!mnl_attr_put_u32_check(nlh, sizeof(buf), NHA_ID, id))
		return -EMSGSIZE;
	if (group) {
		memset(g, 0, sizeof(g));
		for (i = 0; i < n; i++)
			g[i].id = group[i];	/* weight 0: 1 */
		if (!mnl_attr_put_check(nlh, sizeof(buf), NHA_GROUP, (size_t)n * sizeof(g[0]), g))
			return -EMSGSIZE;
	} else if (!mnl_attr_put_u32_check(nlh, sizeof(buf), NHA_OIF, (uint32_t)oif)) {
		return -EMSGSIZE;
	}
	err = nl_talk(nl, nlh, NULL, NULL);
	if (err < 0)
		log_warnx("nl: nexthop %u (%s): %s%s", id, group ? "group" : "device", strerror(-err),
			  nl_ext_suffix(nl, ext, sizeof(ext)));
	return err;
}

bool nl_ipv6_multipath(struct nl *nl)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	const struct nl_filter f = { .h = &nl_no_handlers };
	struct nhmsg *nhm;
	struct nlmsghdr *nlh;
	int err;

	if (nl->nh_support)
		return nl->nh_support > 0;
	/* A dump of nexthop objects: kernels without them (< 5.3) refuse the request. */
	nlh = nl_req(buf, RTM_GETNEXTHOP, NLM_F_DUMP, (void **)&nhm, sizeof(*nhm));
	nhm->nh_family = AF_UNSPEC;
	err = nl_talk(nl, nlh, &f, NULL);
	if (err == -EBUSY)
		return false;	/* ask again later */
	nl->nh_support = err == 0 ? 1 : -1;
	if (err < 0)
		log_info("nl: no nexthop objects (%s): IPv6 takes one of several cables to a peer",
			 strerror(-err));
	return nl->nh_support > 0;
}

/* The group of IPv6 destination dst (allocated on first use), or NULL. */
static struct nl_nh_group *nh_group_of(struct nl *nl, const uint8_t *dst, bool alloc)
{
	struct nl_nh_group *g;
	int i;

	for (i = 0; i < nl->nnh_group; i++)
		if (memcmp(nl->nh_group[i].dst, dst, 16) == 0)
			return &nl->nh_group[i];
	if (!alloc || nl->nnh_group >= NL_NH_SLOTS)
		return NULL;
	g = &nl->nh_group[nl->nnh_group];
	memset(g, 0, sizeof(*g));
	if (nh_alloc(nl, &g->id) < 0)
		return NULL;
	memcpy(g->dst, dst, 16);
	nl->nnh_group++;
	return g;
}

/*
 * The group for an IPv6 route to dst over oifs: each port's next hop and
 * the group (re)written, so that one the kernel dropped with its port (an
 * admin down deletes device next hops) is back.  0 and *id, or -errno.
 */
static int nh_group_set(struct nl *nl, const uint8_t *dst, const int *oifs, int noif, uint32_t *id)
{
	uint32_t members[NL_MAX_NH];
	struct nl_nh_group *g;
	int i, k, err;

	for (i = 0; i < noif; i++) {
		struct nl_nh_port *p = NULL;

		for (k = 0; k < nl->nnh_port; k++)
			if (nl->nh_port[k].ifindex == oifs[i])
				p = &nl->nh_port[k];
		if (!p) {
			if (nl->nnh_port >= NL_NH_SLOTS)
				return -ENOSPC;
			p = &nl->nh_port[nl->nnh_port];
			if ((err = nh_alloc(nl, &p->id)) < 0)
				return err;
			p->ifindex = oifs[i];
			nl->nnh_port++;
		}
		if ((err = nh_replace(nl, p->id, oifs[i], NULL, 0)) < 0)
			return err;
		members[i] = p->id;
	}
	if (!(g = nh_group_of(nl, dst, true)))
		return -ENOSPC;
	if ((err = nh_replace(nl, g->id, 0, members, noif)) < 0)
		return err;
	g->noif = noif;
	memcpy(g->oif, oifs, (size_t)noif * sizeof(oifs[0]));
	*id = g->id;
	return 0;
}

/* dst's route no longer uses its group: removed (the kernel's copy is only clutter now). */
static void nh_group_release(struct nl *nl, const uint8_t *dst)
{
	struct nl_nh_group *g = nh_group_of(nl, dst, false);

	if (!g || !g->in_use)
		return;
	g->in_use = false;
	g->noif = 0;
	if (nh_delete(nl, g->id) < 0 && nl->errmsg[0])
		log_debug("nl: nexthop group %u: %s", g->id, nl->errmsg);
}

/* The checks every request passes before it is built; 0 or -EINVAL (logged). */
static int route_req_check(const struct nl_route_req *r, bool add)
{
	size_t alen = nl_addr_len(r->family);
	int i;

	if (alen == 0 || r->dst_len > 8 * alen || r->noif < 0 || r->noif > NL_MAX_NH ||
	    (add && r->has_gw && r->noif != 1) ||
	    (add && r->noif == 0 && r->table == RT_TABLE_MAIN)) {
		log_warnx("nl: route %s: invalid arguments (family %d, /%u, %d oifs)",
			  add ? "replace" : "delete", r->family, r->dst_len, r->noif);
		return -EINVAL;
	}
	for (i = 0; i < r->noif; i++)
		if (r->oif[i] <= 0) {
			log_warnx("nl: route %s: invalid ifindex %d", add ? "replace" : "delete",
				  r->oif[i]);
			return -EINVAL;
		}
	return 0;
}

/* The nexthops of r: its nexthop group (nh_id), else RTA_OIF for one, RTA_MULTIPATH for several. */
static bool route_put_oifs(struct nlmsghdr *nlh, size_t size, const struct nl_route_req *r,
			   uint32_t nh_id)
{
	struct rtnexthop nh[NL_MAX_NH];
	int i;

	if (nh_id)
		return mnl_attr_put_u32_check(nlh, size, RTA_NH_ID, nh_id);
	if (r->noif == 1)
		return mnl_attr_put_u32_check(nlh, size, RTA_OIF, (uint32_t)r->oif[0]);
	if (r->noif == 0)
		return true;
	/* No NLA_F_NESTED: RTA_MULTIPATH is a packed rtnexthop list, not nested attributes. */
	memset(nh, 0, sizeof(nh));
	for (i = 0; i < r->noif; i++) {
		nh[i].rtnh_len = sizeof(nh[i]);
		nh[i].rtnh_hops = 0;	/* weight 1 */
		nh[i].rtnh_ifindex = r->oif[i];
	}
	return mnl_attr_put_check(nlh, size, RTA_MULTIPATH, (size_t)r->noif * sizeof(nh[0]), nh);
}

/*
 * An acked RTM_NEWROUTE/RTM_DELROUTE for r in buf (NL_REQ_SIZE), with what
 * both carry: family, prefix, table, our protocol, then RTA_DST and
 * RTA_TABLE (the table in full: rtm_table holds only 8 bits).  The caller
 * sets scope and type and adds the rest.  NULL if it does not fit.
 */
static struct nlmsghdr *route_msg(uint8_t *buf, uint16_t type, uint16_t flags,
				  const struct nl_route_req *r, struct rtmsg **rtm)
{
	struct nlmsghdr *nlh = nl_req(buf, type, NLM_F_ACK | flags, (void **)rtm, sizeof(**rtm));
	size_t alen = nl_addr_len(r->family);

	(*rtm)->rtm_family = (uint8_t)r->family;
	(*rtm)->rtm_dst_len = r->dst_len;
	(*rtm)->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	(*rtm)->rtm_protocol = MR_RTPROT;
	if (!mnl_attr_put_check(nlh, NL_REQ_SIZE, RTA_DST, alen, r->dst) ||
	    !mnl_attr_put_u32_check(nlh, NL_REQ_SIZE, RTA_TABLE, r->table))
		return NULL;
	return nlh;
}

/*
 * Sends a route request and logs its result once ("nl: route WHAT DESC
 * proto N", NOTE after a success).  A delete of a route that is not there
 * is no failure worth a warning: the caller wanted it gone.
 */
static int route_talk(struct nl *nl, struct nlmsghdr *nlh, const char *what, const char *desc,
		      const char *note)
{
	char ext[300];
	int err = nl_talk(nl, nlh, NULL, NULL);

	if (nlh->nlmsg_type == RTM_DELROUTE && (err == -ESRCH || err == -ENOENT))
		log_debug("nl: route %s %s proto %u: not installed", what, desc, MR_RTPROT);
	else if (err < 0)
		log_warnx("nl: route %s %s proto %u: %s%s", what, desc, MR_RTPROT, strerror(-err),
			  nl_ext_suffix(nl, ext, sizeof(ext)));
	else
		log_debug("nl: route %s %s proto %u%s", what, desc, MR_RTPROT, note);
	return err;
}

/*
 * IPv6 over several ports: the multipath API refuses device-only IPv6 next
 * hops; a group of nexthop objects is what the kernel takes.  0 and
 * *nh_id, or -errno (logged).
 */
static int route_nh_group(struct nl *nl, const struct nl_route_req *r, const char *desc,
			  uint32_t *nh_id)
{
	int err;

	if (r->table != RT_TABLE_MAIN || r->has_gw || !nl_ipv6_multipath(nl)) {
		log_debug("nl: route replace %s: IPv6 multipath needs nexthop objects", desc);
		return -EOPNOTSUPP;
	}
	if ((err = nh_group_set(nl, r->dst, r->oif, r->noif, nh_id)) < 0)
		log_warnx("nl: route replace %s: its nexthop group: %s", desc, strerror(-err));
	return err;
}

int nl_route_replace(struct nl *nl, const struct nl_route_req *r)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	size_t alen = nl_addr_len(r->family);
	char desc[300];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	uint32_t nh_id = 0;
	int err;

	if ((err = route_req_check(r, true)) < 0)
		return err;
	nl_route_str(desc, sizeof(desc), r);
	if (r->noif == 0)
		snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " unreachable");
	if (r->family == AF_INET6 && r->noif > 1 &&
	    (err = route_nh_group(nl, r, desc, &nh_id)) < 0)
		return err;

	nlh = route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r, &rtm);
	if (!nlh ||
	    (r->has_src && r->noif > 0 &&
	     !mnl_attr_put_check(nlh, sizeof(buf), RTA_PREFSRC, alen, r->src)) ||
	    (r->has_gw && !mnl_attr_put_check(nlh, sizeof(buf), RTA_GATEWAY, alen, r->gw)) ||
	    (r->metric && !mnl_attr_put_u32_check(nlh, sizeof(buf), RTA_PRIORITY, r->metric)) ||
	    !route_put_oifs(nlh, sizeof(buf), r, nh_id))
		return -EMSGSIZE;
	/* A gateway route is universe scope; the gateway itself is on-link (RTNH_F_ONLINK). */
	rtm->rtm_scope = r->has_gw || r->noif == 0 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = r->noif == 0 ? RTN_UNREACHABLE : RTN_UNICAST;
	if (r->has_gw)
		rtm->rtm_flags |= RTNH_F_ONLINK;

	err = route_talk(nl, nlh, "replace", desc, nh_id ? " (nexthop group)" : "");
	/* A failed write holds on to its group: the kernel may still route through it. */
	if (nh_id)
		nh_group_of(nl, r->dst, false)->in_use = true;
	else if (err == 0 && r->family == AF_INET6 && r->table == RT_TABLE_MAIN)
		nh_group_release(nl, r->dst);
	return err;
}

int nl_route_delete(struct nl *nl, const struct nl_route_req *r)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	char desc[300];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int err;

	if ((err = route_req_check(r, false)) < 0)
		return err;
	nl_route_str(desc, sizeof(desc), r);
	nlh = route_msg(buf, RTM_DELROUTE, 0, r, &rtm);	/* only ours: MR_RTPROT */
	/* One oif and a metric pick one of several routes to dst (probe routes). */
	if (!nlh ||
	    (r->noif == 1 && r->metric &&
	     (!mnl_attr_put_u32_check(nlh, sizeof(buf), RTA_OIF, (uint32_t)r->oif[0]) ||
	      !mnl_attr_put_u32_check(nlh, sizeof(buf), RTA_PRIORITY, r->metric))))
		return -EMSGSIZE;
	rtm->rtm_scope = RT_SCOPE_NOWHERE;	/* any scope */
	rtm->rtm_type = RTN_UNSPEC;		/* any type */

	err = route_talk(nl, nlh, "delete", desc, "");
	if ((err == 0 || err == -ESRCH || err == -ENOENT) && r->family == AF_INET6 &&
	    r->table == RT_TABLE_MAIN && r->dst_len == 128)
		nh_group_release(nl, r->dst);
	return err;
}

/* ---- policy rules ---- */

/* RTM_NEWRULE or RTM_DELRULE for r; the kernel's answer. */
static int rule_talk(struct nl *nl, const struct nl_rule_req *r, bool add)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	struct fib_rule_hdr *frh;
	struct nlmsghdr *nlh;

	nlh = nl_req(buf, add ? RTM_NEWRULE : RTM_DELRULE,
		     NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0), (void **)&frh,
		     sizeof(*frh));
	frh->family = (uint8_t)r->family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	if ((r->iifname[0] && !mnl_attr_put_strz_check(nlh, sizeof(buf), FRA_IIFNAME, r->iifname)) ||
	    (r->fwmark && (!mnl_attr_put_u32_check(nlh, sizeof(buf), FRA_FWMARK, r->fwmark) ||
			   !mnl_attr_put_u32_check(nlh, sizeof(buf), FRA_FWMASK, 0xffffffffu))) ||
	    !mnl_attr_put_u32_check(nlh, sizeof(buf), FRA_TABLE, r->table) ||
	    !mnl_attr_put_u32_check(nlh, sizeof(buf), FRA_PRIORITY, r->pref))
		return -EMSGSIZE;
	return nl_talk(nl, nlh, NULL, NULL);
}

static void rule_log_error(struct nl *nl, const struct nl_rule_req *r, bool add, int err)
{
	char ext[300], mark[32] = "";

	if (r->fwmark)
		snprintf(mark, sizeof(mark), " fwmark %#x", r->fwmark);
	log_warnx("nl: %s rule%s%s%s lookup %u: %s%s", add ? "add" : "delete",
		  r->iifname[0] || !r->fwmark ? " iif " : "",
		  r->iifname[0] ? r->iifname : !r->fwmark ? "*" : "", mark, r->table,
		  strerror(-err), nl_ext_suffix(nl, ext, sizeof(ext)));
}

int nl_rule_add(struct nl *nl, const struct nl_rule_req *r)
{
	int err = rule_talk(nl, r, true);

	if (err == -EEXIST)
		return 0;
	if (err < 0)
		rule_log_error(nl, r, true, err);
	return err;
}

int nl_rule_delete(struct nl *nl, const struct nl_rule_req *r)
{
	int err = rule_talk(nl, r, false);

	if (err == -ENOENT || err == -ESRCH)
		return -ENOENT;	/* none (left): not an error */
	if (err < 0)
		rule_log_error(nl, r, false, err);
	return err;
}

/* ---- neighbours ---- */

int nl_neigh_delete(struct nl *nl, int family, const uint8_t *addr, int ifindex)
{
	uint8_t buf[NL_REQ_SIZE] __attribute__((aligned(8)));
	size_t alen = nl_addr_len(family);
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	char ext[300];
	int err;

	if (alen == 0 || !addr || ifindex <= 0)
		return -EINVAL;
	nlh = nl_req(buf, RTM_DELNEIGH, NLM_F_ACK, (void **)&ndm, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)family;
	ndm->ndm_ifindex = ifindex;
	if (!mnl_attr_put_check(nlh, sizeof(buf), NDA_DST, alen, addr))
		return -EMSGSIZE;
	err = nl_talk(nl, nlh, NULL, NULL);
	if (err == -ENOENT || err == -ESRCH)
		return 0;
	if (err < 0)
		log_warnx("nl: neighbour delete on #%d: %s%s", ifindex, strerror(-err),
			  nl_ext_suffix(nl, ext, sizeof(ext)));
	return err;
}

/* ---- monitor socket ---- */

int nl_monitor_fd(const struct nl *nl)
{
	return mnl_socket_get_fd(nl->mon);
}

int nl_monitor_read(struct nl *nl, const struct nl_handlers *h)
{
	const struct nl_filter f = { .h = h ? h : &nl_no_handlers, .nl = nl };
	int fd = mnl_socket_get_fd(nl->mon);
	int err = 0;

	if (nl->mon_busy)
		return -EBUSY;
	nl->mon_busy = true;
	for (;;) {
		const struct nlmsghdr *m = (const struct nlmsghdr *)nl->mon_buf;
		ssize_t n = nl_recv(fd, nl->mon_buf, sizeof(nl->mon_buf));
		int len;

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			/* A truncated datagram is as lost as a dropped one. */
			log_info("nl: monitor lost events (%s), resync needed", strerror(-(int)n));
			err = -ENOBUFS;
			break;
		}
		if (n < 0) {
			err = (int)n;
			log_warnx("nl: monitor read: %s", strerror(-err));
			break;
		}
		for (len = (int)n; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			/*
			 * The echo of a route change we made ourselves carries our
			 * command socket's port id: we know it already, and applied
			 * late (after a newer change of ours) it would look like
			 * someone else rewriting our route.
			 */
			if ((m->nlmsg_type == RTM_NEWROUTE || m->nlmsg_type == RTM_DELROUTE) &&
			    m->nlmsg_pid != 0 && m->nlmsg_pid == mnl_socket_get_portid(nl->cmd))
				continue;
			nl_dispatch(m, &f);
		}
	}
	nl->mon_busy = false;
	return err;
}

/* ---- setup ---- */

static int nl_setopt(struct mnl_socket *s, int opt, const char *name)
{
	int one = 1;

	if (mnl_socket_setsockopt(s, opt, &one, sizeof(one)) < 0) {
		int err = -errno;

		log_warn("nl: setsockopt %s", name);
		return err;
	}
	return 0;
}

int nl_open(struct nl **out)
{
	static const unsigned groups[] = {
		RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
	};
	struct timeval tv = { .tv_sec = NL_CMD_TIMEOUT_S };
	int rcvbuf = NL_MON_RCVBUF;
	struct nl *nl;
	size_t i;
	int err;

	*out = NULL;
	if (!(nl = calloc(1, sizeof(*nl))))
		return -ENOMEM;
	nl->seq = (uint32_t)time(NULL);

	/* Command socket: blocking while it waits for its ack. */
	if (!(nl->cmd = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) ||
	    mnl_socket_bind(nl->cmd, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		log_warn("nl: command socket");
		goto fail;
	}
	nl->cmd_portid = mnl_socket_get_portid(nl->cmd);
	if ((err = nl_setopt(nl->cmd, NETLINK_EXT_ACK, "NETLINK_EXT_ACK")) < 0 ||
	    (err = nl_setopt(nl->cmd, NETLINK_GET_STRICT_CHK, "NETLINK_GET_STRICT_CHK")) < 0)
		goto fail;
	/* Optional: errors then echo only our header, not the whole request. */
	nl_setopt(nl->cmd, NETLINK_CAP_ACK, "NETLINK_CAP_ACK");
	if (setsockopt(mnl_socket_get_fd(nl->cmd), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		err = -errno;
		log_warn("nl: setsockopt SO_RCVTIMEO");
		goto fail;
	}

	/* Monitor socket: nonblocking, for the event loop. */
	if (!(nl->mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK)) ||
	    mnl_socket_bind(nl->mon, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		log_warn("nl: monitor socket");
		goto fail;
	}
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		unsigned grp = groups[i];

		if (mnl_socket_setsockopt(nl->mon, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
			err = -errno;
			log_warn("nl: monitor: join group %u", groups[i]);
			goto fail;
		}
	}
	/* FORCE goes past net.core.rmem_max (needs CAP_NET_ADMIN); else take what we get. */
	if (setsockopt(nl_monitor_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0 &&
	    setsockopt(nl_monitor_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		log_warn("nl: monitor: receive buffer of %d bytes", rcvbuf);

	*out = nl;
	return 0;
fail:
	nl_close(nl);
	return err;
}

void nl_close(struct nl *nl)
{
	bool used = false;
	int i;

	if (!nl)
		return;
	/* The port next hops of IPv6 multipath, unless a route of ours still uses them. */
	for (i = 0; i < nl->nnh_group; i++)
		used |= nl->nh_group[i].in_use;
	for (i = 0; !used && nl->cmd && i < nl->nnh_port; i++)
		nh_delete(nl, nl->nh_port[i].id);
	if (nl->cmd)
		mnl_socket_close(nl->cmd);
	if (nl->mon)
		mnl_socket_close(nl->mon);
	free(nl);
}

/* ---- host checks (hostcheck.c) ---- */

/*
 * Strict checking: table 0 and protocol 0 select every table and protocol,
 * and dump_family's filter (routes = false) passes them all on.
 */
int nl_dump_all_routes(struct nl *nl, int family, const struct nl_handlers *h)
{
	return dump_family(nl, RTM_GETROUTE, sizeof(struct rtmsg), family, "route (all tables)", h);
}
