// SPDX-License-Identifier: GPL-2.0-or-later
/* Host checks: bridge ports, addresses, other routes to the peers, UDP ports taken. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "hostcheck.h"
#include "log.h"

#define BFD_PORT 3784
#define OUR_METRIC_V4 0		/* no RTA_PRIORITY: IPv4 metric 0 */
#define OUR_METRIC_V6 1024	/* no RTA_PRIORITY: the kernel's IP6_RT_PRIO_USER */

/* ---- naming ---- */

static const struct {
	uint8_t proto;
	const char *name;
} proto_names[] = {
	{ RTPROT_KERNEL, "kernel" }, { RTPROT_BOOT, "boot" }, { RTPROT_STATIC, "static" },
	{ 11, "zebra" }, { 12, "bird" }, { 16, "dhcp" }, { 18, "keepalived" }, { 42, "babel" },
	{ 186, "bgp" }, { 187, "isis" }, { 188, "ospf" }, { 189, "rip" }, { 190, "ripng" },
	{ 191, "nhrp" }, { 192, "eigrp" }, { 193, "ldp" }, { 194, "sharp" }, { 195, "pbr" },
	{ 196, "static (FRR staticd)" }, { 197, "openfabric" },
};

const char *hostcheck_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	return NULL;
}

/* Where a route of this protocol comes from, to be removed there too. */
static const char *proto_source(uint8_t proto)
{
	if (proto == RTPROT_BOOT || proto == RTPROT_STATIC)
		return "an \"up ip route add\" line in /etc/network/interfaces, as the Proxmox wiki's "
		       "routed mesh has, or a static route";
	if (proto == RTPROT_KERNEL)
		return "a point-to-point address (ip addr ... peer ...) on that port";
	if (proto == 197)
		return "FRR's fabricd: a Proxmox SDN fabric (Datacenter > SDN > Fabrics) or an "
		       "openfabric mesh in /etc/frr/frr.conf";
	if (proto == 12)
		return "BIRD's configuration";
	if (proto == 11 || (proto >= 186 && proto <= 196))
		return "FRR's configuration (/etc/frr/frr.conf)";
	return "the program that installs it";
}

const char *hostcheck_owner_name(const char *comm)
{
	if (!comm || !comm[0])
		return NULL;
	if (strcmp(comm, "bfdd") == 0)
		return "FRR's bfdd";
	if (strcmp(comm, "bird") == 0 || strcmp(comm, "bird6") == 0)
		return "BIRD";
	if (strcmp(comm, "meshrouted") == 0)
		return "another meshrouted";
	return comm;
}

/* ---- the decisions ---- */

static void add(struct hostcheck_result *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct hostcheck_result *out, const char *fmt, ...)
{
	va_list ap;

	if (out->n == HOSTCHECK_MAX_WARNINGS) {
		out->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(out->msg[out->n++], sizeof(out->msg[0]), fmt, ap);
	va_end(ap);
}

static const struct hc_link *link_by_name(const struct hostcheck_input *in, const char *name)
{
	int i;

	for (i = 0; i < in->nlinks; i++)
		if (strcmp(in->links[i].name, name) == 0)
			return &in->links[i];
	return NULL;
}

static const struct hc_link *link_by_index(const struct hostcheck_input *in, int ifindex)
{
	int i;

	for (i = 0; i < in->nlinks; i++)
		if (in->links[i].ifindex == ifindex)
			return &in->links[i];
	return NULL;
}

static const char *ifname(const struct hostcheck_input *in, int ifindex, char *buf, size_t len)
{
	const struct hc_link *l = link_by_index(in, ifindex);

	if (l)
		return l->name;
	snprintf(buf, len, "if%d", ifindex);
	return buf;
}

static bool is_fast(const struct mr_node *me, const char *name)
{
	int i;

	for (i = 0; i < me->nfast; i++)
		if (strcmp(me->fast[i], name) == 0)
			return true;
	return false;
}

/*
 * The interface that holds address a as a LAN would: not one of the fast
 * ports (they carry it as /32 or /128), a subnet address preferred.
 */
static const struct nl_addr *addr_holder(const struct hostcheck_input *in, const struct mr_addr *a)
{
	const struct mr_node *me = &in->cfg->nodes[in->self];
	const struct nl_addr *any = NULL;
	char buf[16];
	int i;

	for (i = 0; i < in->naddrs; i++) {
		const struct nl_addr *x = &in->addrs[i];

		if (x->family != a->family || memcmp(x->addr, a->bytes, mr_addr_len(a->family)) ||
		    is_fast(me, ifname(in, x->ifindex, buf, sizeof(buf))))
			continue;
		if (x->prefixlen < 8 * mr_addr_len(a->family))
			return x;
		if (!any)
			any = x;
	}
	return any;
}

static bool addr_on(const struct hostcheck_input *in, const struct mr_addr *a, int ifindex)
{
	int i;

	for (i = 0; i < in->naddrs; i++)
		if (in->addrs[i].family == a->family && in->addrs[i].ifindex == ifindex &&
		    memcmp(in->addrs[i].addr, a->bytes, mr_addr_len(a->family)) == 0)
			return true;
	return false;
}

/* Does prefix dst/len contain addr (family-sized bytes)? */
static bool prefix_has(const uint8_t *dst, unsigned len, const uint8_t *addr)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(dst, addr, full))
		return false;
	return rest == 0 || ((dst[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* "10.10.0.2/32 dev ens19 proto boot metric 0 table main" */
static void route_str(const struct hostcheck_input *in, const struct nl_route *r, char *buf,
		      size_t len)
{
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN], n[16], proto[16];
	const char *pn = hostcheck_proto_name(r->protocol);
	size_t off;
	int i;

	inet_ntop(r->family, r->dst, a, sizeof(a));
	off = (size_t)snprintf(buf, len, "%s/%u", a, r->dst_len);
	if (r->type == RTN_BLACKHOLE || r->type == RTN_UNREACHABLE || r->type == RTN_PROHIBIT)
		off += (size_t)snprintf(buf + off, len - off, " %s", r->type == RTN_BLACKHOLE ?
					"blackhole" : r->type == RTN_UNREACHABLE ? "unreachable" :
					"prohibit");
	if (r->has_gw && off < len) {
		inet_ntop(r->family, r->gw, g, sizeof(g));
		off += (size_t)snprintf(buf + off, len - off, " via %s", g);
	}
	for (i = 0; i < r->noif && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : " dev ",
					ifname(in, r->oif[i], n, sizeof(n)));
	if (!pn) {
		snprintf(proto, sizeof(proto), "%u", r->protocol);
		pn = proto;
	}
	if (off < len)
		off += (size_t)snprintf(buf + off, len - off, " proto %s metric %u", pn, r->priority);
	if (off < len) {
		if (r->table == RT_TABLE_MAIN)
			snprintf(buf + off, len - off, " table main");
		else
			snprintf(buf + off, len - off, " table %u", r->table);
	}
}

static const char *fam_word(int family)
{
	return family == AF_INET ? "ip -4" : "ip -6";
}

/* The LAN port: not enslaved, and holding the node's address.  Returns true if sound. */
static bool check_lan(const struct hostcheck_input *in, struct hostcheck_result *out)
{
	const struct mr_node *me = &in->cfg->nodes[in->self];
	const struct mr_addr *fams[2] = { &me->addr4, &me->addr6 };
	const struct hc_link *lan = link_by_name(in, me->lan);
	char a[INET6_ADDRSTRLEN];
	bool ok = true;
	int f;

	if (!lan) {
		add(out, "lan = %s: no such interface on this host; the LAN sessions wait for it "
			 "(ip -br link lists the names; on Proxmox VE the LAN is usually vmbr0)", me->lan);
		return false;
	}
	if (lan->master) {
		const struct hc_link *m = link_by_index(in, lan->master);
		const struct mr_addr *a0 = me->addr4.family ? &me->addr4 : &me->addr6;
		const struct nl_addr *h = addr_holder(in, a0);
		char mn[16], hn[16];
		const char *mname = m ? m->name : ifname(in, lan->master, mn, sizeof(mn));
		const char *kind = m && m->kind[0] ? m->kind : "master";

		mr_addr_str(a0, a, sizeof(a));
		if (h && h->ifindex == lan->master)
			add(out, "lan = %s is a port of %s %s, which holds this node's address %s: "
				 "LAN packets arrive on %s, so the LAN sessions on %s never come Up and "
				 "every peer's redundancy looks lost. Fix: lan = %s in [node %s] of %s",
			    me->lan, kind, mname, a, mname, me->lan, mname, me->name, in->cfg->path);
		else if (h)
			add(out, "lan = %s is a port of %s %s; this node's address %s is on %s: "
				 "the LAN sessions on %s never come Up. Fix: lan = %s in [node %s] of %s",
			    me->lan, kind, mname, a, ifname(in, h->ifindex, hn, sizeof(hn)), me->lan,
			    ifname(in, h->ifindex, hn, sizeof(hn)), me->name, in->cfg->path);
		else
			add(out, "lan = %s is a port of %s %s, and this node's address %s is on no LAN "
				 "interface: the LAN sessions never come Up. Fix: put the address on %s "
				 "and set lan = %s in [node %s] of %s",
			    me->lan, kind, mname, a, mname, mname, me->name, in->cfg->path);
		return false;
	}
	for (f = 0; f < 2; f++) {
		const struct nl_addr *h;
		char hn[16];

		if (!fams[f]->family || addr_on(in, fams[f], lan->ifindex))
			continue;
		ok = false;
		mr_addr_str(fams[f], a, sizeof(a));
		h = addr_holder(in, fams[f]);
		if (h)
			add(out, "this node's address %s is not on its LAN port %s but on %s: the LAN "
				 "sessions never come Up. Fix: lan = %s in [node %s] of %s",
			    a, me->lan, ifname(in, h->ifindex, hn, sizeof(hn)),
			    ifname(in, h->ifindex, hn, sizeof(hn)), me->name, in->cfg->path);
		else
			add(out, "this node's address %s is not on its LAN port %s (nor on any other "
				 "interface but the fast ports): the LAN sessions never come Up and a "
				 "failed fast link has no fallback. Fix: %s addr add %s/PREFIX dev %s "
				 "(the LAN's prefix length), and the same in /etc/network/interfaces",
			    a, me->lan, fam_word(fams[f]->family), a, me->lan);
	}
	return ok;
}

/* A fast port enslaved to a bridge or bond: the wiki's RSTP or broadcast mesh still in place. */
static void check_fast(const struct hostcheck_input *in, struct hostcheck_result *out)
{
	const struct mr_node *me = &in->cfg->nodes[in->self];
	int i;

	for (i = 0; i < me->nfast; i++) {
		const struct hc_link *l = link_by_name(in, me->fast[i]), *m;
		const char *mname, *kind;
		char mn[16];

		if (!l || !l->master)
			continue;
		m = link_by_index(in, l->master);
		mname = m ? m->name : ifname(in, l->master, mn, sizeof(mn));
		kind = m && m->kind[0] ? m->kind : "master";
		add(out, "fast port %s is a port of %s %s: meshroute needs each fast port as a plain "
			 "interface carrying the node's address. Fix: take %s out of %s (the Proxmox "
			 "wiki's RSTP or broadcast mesh: remove that %s from /etc/network/interfaces, "
			 "then ifreload -a)",
		    me->fast[i], kind, mname, me->fast[i], mname, kind);
	}
}

static bool route_counts(const struct nl_route *r)
{
	return r->protocol != MR_RTPROT && r->table != MR_PROBE_TABLE && r->table != MR_RELAY_TABLE &&
	       r->table != RT_TABLE_LOCAL && r->type != RTN_LOCAL && r->type != RTN_BROADCAST &&
	       r->type != RTN_ANYCAST && r->type != RTN_MULTICAST;
}

/* Host routes to the peer from anything but us. */
static void check_peer_routes(const struct hostcheck_input *in, const struct mr_node *peer,
			      const struct mr_addr *pa, struct hostcheck_result *out)
{
	unsigned full = 8 * (unsigned)mr_addr_len(pa->family);
	uint32_t ours = pa->family == AF_INET ? OUR_METRIC_V4 : OUR_METRIC_V6;
	char a[INET6_ADDRSTRLEN], rs[200], del[240];
	int i;

	mr_addr_str(pa, a, sizeof(a));
	for (i = 0; i < in->nroutes; i++) {
		const struct nl_route *r = &in->routes[i];
		char t[24] = "";

		if (r->family != pa->family || r->dst_len != full ||
		    memcmp(r->dst, pa->bytes, mr_addr_len(pa->family)) || !route_counts(r))
			continue;
		route_str(in, r, rs, sizeof(rs));
		if (r->table != RT_TABLE_MAIN)
			snprintf(t, sizeof(t), " table %u", r->table);
		snprintf(del, sizeof(del), "%s route del %s/%u proto %u metric %u%s",
			 fam_word(r->family), a, r->dst_len, r->protocol, r->priority, t);
		if (r->table != RT_TABLE_MAIN)
			add(out, "route %s to peer %s: a policy rule that looks table %u up before main "
				 "(ip rule) makes it shadow meshroute's route, whatever BFD says. Fix: "
				 "remove it (%s) and %s",
			    rs, peer->name, r->table, del, proto_source(r->protocol));
		else if (r->priority == ours)
			add(out, "route %s to peer %s: meshroute's route replaces it as soon as a fast "
				 "link to %s is Up, and once meshroute withdraws its route (a failed link, "
				 "the daemon stopped) neither is left. Fix: remove it (%s) and %s",
			    rs, peer->name, peer->name, del, proto_source(r->protocol));
		else if (r->priority < ours)
			add(out, "route %s to peer %s has a lower metric than meshroute's (%u): it "
				 "shadows meshroute's route, traffic to %s follows it whatever BFD says. "
				 "Fix: remove it (%s) and %s",
			    rs, peer->name, ours, peer->name, del, proto_source(r->protocol));
		else
			add(out, "route %s to peer %s stays underneath meshroute's route (metric %u) and "
				 "carries the traffic to %s whenever meshroute withdraws its own (a failed "
				 "link, the daemon stopped) instead of the LAN. Fix: remove it (%s) and %s",
			    rs, peer->name, ours, peer->name, del, proto_source(r->protocol));
	}
}

/* What carries traffic to the peer once meshroute's route is gone: a route over the LAN port. */
static void check_lan_route(const struct hostcheck_input *in, const struct mr_node *peer,
			    const struct mr_addr *pa, struct hostcheck_result *out)
{
	const struct mr_node *me = &in->cfg->nodes[in->self];
	const struct hc_link *lan = link_by_name(in, me->lan);
	unsigned full = 8 * (unsigned)mr_addr_len(pa->family);
	const struct nl_route *best = NULL;
	char a[INET6_ADDRSTRLEN], rs[200], mine[INET6_ADDRSTRLEN];
	int i;

	if (!lan)
		return;
	for (i = 0; i < in->nroutes; i++) {
		const struct nl_route *r = &in->routes[i];

		if (r->family != pa->family || r->table != RT_TABLE_MAIN || r->dst_len >= full ||
		    !route_counts(r) || !prefix_has(r->dst, r->dst_len, pa->bytes))
			continue;
		if (!best || r->dst_len > best->dst_len ||
		    (r->dst_len == best->dst_len && r->priority < best->priority))
			best = r;
	}
	mr_addr_str(pa, a, sizeof(a));
	mr_addr_str(pa->family == AF_INET ? &me->addr4 : &me->addr6, mine, sizeof(mine));
	if (!best) {
		add(out, "no route covers peer %s (%s) but meshroute's: when its fast links fail, "
			 "traffic to %s has nowhere to go. Fix: give the LAN port %s the LAN's subnet "
			 "(%s addr add %s/PREFIX dev %s, and in /etc/network/interfaces)",
		    peer->name, a, peer->name, me->lan, fam_word(pa->family), mine, me->lan);
		return;
	}
	if (best->type == RTN_UNICAST && best->noif == 1 && best->oif[0] == lan->ifindex &&
	    !best->has_gw)
		return;
	route_str(in, best, rs, sizeof(rs));
	add(out, "peer %s (%s) is not on the LAN port %s: when its fast links fail, traffic to %s "
		 "follows %s, and the LAN sessions (single hop) cannot reach it. Fix: put the LAN's "
		 "subnet on %s, with every node's address in it",
	    peer->name, a, me->lan, peer->name, rs, me->lan);
}

static void check_udp(const struct hostcheck_input *in, struct hostcheck_result *out)
{
	int i, j;

	for (i = 0; i < in->nudp; i++) {
		const struct hc_udp *u = &in->udp[i];
		const char *owner = hostcheck_owner_name(u->comm);
		char what[64], who[160], fix[400];
		bool dup = false;

		if (in->check_mode && strcmp(u->comm, "meshrouted") == 0)
			continue;	/* the running daemon, whose config is being checked */
		for (j = 0; j < i && !dup; j++)
			dup = in->udp[j].port == u->port && in->udp[j].pid == u->pid &&
			      strcmp(in->udp[j].comm, u->comm) == 0;
		if (dup)
			continue;	/* its IPv4 and IPv6 sockets: one warning */
		if (u->port == BFD_PORT)
			snprintf(what, sizeof(what), "UDP port %u (BFD)", u->port);
		else
			snprintf(what, sizeof(what), "UDP port %u (relay-port: link reports%s)",
				 u->port, in->cfg->relay ? ", relay" : "");
		if (owner && u->pid)
			snprintf(who, sizeof(who), "%s (pid %d)", owner, u->pid);
		else if (in->frr_bfdd && u->port == BFD_PORT)
			snprintf(who, sizeof(who), "a process this check cannot see, probably FRR's bfdd "
				 "(bfdd=yes in /etc/frr/daemons)");
		else if (in->bird_bfd && u->port == BFD_PORT)
			snprintf(who, sizeof(who), "a process this check cannot see, probably BIRD "
				 "(protocol bfd in its configuration)");
		else
			snprintf(who, sizeof(who), "a process this check cannot see (ss -lunp 'sport = "
				 ":%u' names it)", u->port);
		if ((owner && strcmp(owner, "FRR's bfdd") == 0) ||
		    (!u->pid && in->frr_bfdd && u->port == BFD_PORT))
			snprintf(fix, sizeof(fix), "one host has one BFD speaker: turn FRR's BFD off here "
				 "(bfdd=no in /etc/frr/daemons, systemctl restart frr); FRR elsewhere can "
				 "still peer with meshroute (README: FRR and BIRD)");
		else if ((owner && strcmp(owner, "BIRD") == 0) ||
			 (!u->pid && in->bird_bfd && u->port == BFD_PORT))
			snprintf(fix, sizeof(fix), "one host has one BFD speaker: remove BIRD's protocol "
				 "bfd (birdc configure); BIRD elsewhere can still peer with meshroute");
		else if (owner && strcmp(owner, "another meshrouted") == 0)
			snprintf(fix, sizeof(fix), "stop the other meshrouted first (systemctl stop "
				 "meshrouted)");
		else if (u->port == BFD_PORT)
			snprintf(fix, sizeof(fix), "stop it; BFD's port is fixed by RFC 5881");
		else
			snprintf(fix, sizeof(fix), "stop it, or choose another relay-port (the same on "
				 "every node)");
		/* BFD's port and relay = on are fatal; without relay, the link
		 * reports' socket only costs the loss counting (linkmsg.c). */
		add(out, "%s is already in use by %s: %s. Fix: %s", what, who,
		    u->port == BFD_PORT || in->cfg->relay ? "meshrouted cannot bind it and will not "
		    "start" : "meshrouted cannot receive link reports, so it counts no probe loss "
		    "(max-loss is not enforced)", fix);
	}
}

static void check_hash(const struct hostcheck_input *in, struct hostcheck_result *out)
{
	static const char *const fam[2] = { "ipv4", "ipv6" };
	int f;

	if (!in->check_mode || in->cfg->nodes[in->self].nfast < 2)
		return;
	for (f = 0; f < 2; f++) {
		int p = in->hash_policy[f];

		if (p != 0 && p != 2)
			continue;
		add(out, "net.%s.fib_multipath_hash_policy is %d (layer 3): two cables to one peer "
			 "carry every flow between the two nodes on one of them. %s", fam[f], p,
		    in->cfg->set_sysctl ? "meshrouted sets it to 1 when it starts (set-sysctl = yes)"
					: "Fix: sysctl -w net.ipv4.fib_multipath_hash_policy=1 "
					  "net.ipv6.fib_multipath_hash_policy=1, and the same in "
					  "/etc/sysctl.d/ (set-sysctl = no)");
	}
}

/*
 * The busy-host bench (docs/BENCHMARKS.md, "Busy host") found realtime = yes
 * worse than the default under namespace churn and no better under any
 * other load; README advised it before, so configs that followed that
 * advice get told.  A PREEMPT_RT kernel preempts the kernel worker that
 * holds the CPU, which is what made it worse, so it is left alone there.
 */
static void check_realtime(const struct hostcheck_input *in, struct hostcheck_result *out)
{
	if (!in->cfg->realtime || in->rt_kernel)
		return;
	add(out, "realtime = yes: on a kernel without full preemption a real-time meshrouted "
		 "waits on a CPU that a kernel worker holds (namespace clean-up: guests "
		 "stopping); measured on busy hosts it flapped healthy links where realtime = "
		 "no did not (README, \"Busy nodes\"). Fix: realtime = no in [global] "
		 "(the default), and restart meshrouted");
}

int hostcheck_eval(const struct hostcheck_input *in, struct hostcheck_result *out)
{
	const struct mr_node *me = &in->cfg->nodes[in->self];
	bool lan_ok;
	int p, f;

	memset(out, 0, sizeof(*out));
	lan_ok = check_lan(in, out);
	check_fast(in, out);
	for (p = 0; p < in->cfg->nnodes; p++) {
		const struct mr_node *peer = &in->cfg->nodes[p];
		const struct mr_addr *mine[2] = { &me->addr4, &me->addr6 };
		const struct mr_addr *theirs[2] = { &peer->addr4, &peer->addr6 };

		if (p == in->self)
			continue;
		for (f = 0; f < 2; f++) {
			if (!mine[f]->family || !theirs[f]->family)
				continue;
			check_peer_routes(in, peer, theirs[f], out);
			/* A wrong lan = says it all; its missing subnet route would only repeat it. */
			if (lan_ok)
				check_lan_route(in, peer, theirs[f], out);
		}
	}
	check_udp(in, out);
	check_hash(in, out);
	check_realtime(in, out);
	return out->n;
}

/* ---- /proc/net/udp ---- */

int hostcheck_parse_udp(const char *text, int family, uint16_t a, uint16_t b,
			struct hc_udp *out, int *n, int max)
{
	const char *line = text, *eol;
	int added = 0;

	/* "  sl  local_address rem_address   st tx_queue ..." */
	if (!strstr(text, "local_address"))
		return -1;
	for (; line && *line; line = eol ? eol + 1 : NULL) {
		char local[64];
		unsigned port;
		unsigned long inode;

		eol = strchr(line, '\n');
		if (sscanf(line, " %*u: %63[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %*x %*x:%*x %*x:%*x %*x "
				 "%*u %*d %lu", local, &port, &inode) != 3)
			continue;
		if (strlen(local) != (family == AF_INET ? 8u : 32u) || port == 0 ||
		    (port != a && port != b))
			continue;
		if (*n == max)
			break;
		memset(&out[*n], 0, sizeof(out[0]));
		out[*n].family = family;
		out[*n].port = (uint16_t)port;
		out[*n].inode = inode;
		(*n)++;
		added++;
	}
	return added;
}

/* ---- collecting ---- */

struct collect {
	const struct mr_config *cfg;
	struct hc_link *links;
	int nlinks;
	struct nl_addr *addrs;
	int naddrs;
	struct nl_route *routes;
	int nroutes;
	bool full;
};

static void on_link(void *arg, const struct nl_link *l, bool deleted)
{
	struct collect *c = arg;
	int i;

	if (deleted)
		return;
	for (i = 0; i < c->nlinks; i++)
		if (c->links[i].ifindex == l->ifindex)
			return;	/* seen twice: a restarted dump */
	if (c->nlinks == HOSTCHECK_MAX_LINKS) {
		c->full = true;
		return;
	}
	c->links[c->nlinks].ifindex = l->ifindex;
	snprintf(c->links[c->nlinks].name, sizeof(c->links[0].name), "%s", l->name);
	c->nlinks++;
}

static void on_addr(void *arg, const struct nl_addr *a, bool deleted)
{
	struct collect *c = arg;

	if (deleted)
		return;
	if (c->naddrs == HOSTCHECK_MAX_ADDRS) {
		c->full = true;
		return;
	}
	c->addrs[c->naddrs++] = *a;
}

/* Only routes that cover some node's address matter (a full BGP table does not). */
static void on_route(void *arg, const struct nl_route *r, bool deleted)
{
	struct collect *c = arg;
	int i;

	if (deleted)
		return;
	for (i = 0; i < c->cfg->nnodes; i++) {
		const struct mr_addr *a = r->family == AF_INET ? &c->cfg->nodes[i].addr4 :
								 &c->cfg->nodes[i].addr6;

		if (a->family == r->family && prefix_has(r->dst, r->dst_len, a->bytes))
			break;
	}
	if (i == c->cfg->nnodes)
		return;
	if (c->nroutes == HOSTCHECK_MAX_ROUTES) {
		c->full = true;
		return;
	}
	c->routes[c->nroutes++] = *r;
}

/* /sys/class/net/IF/master -> "../vmbr0"; the master's kind from its sysfs directories. */
static void link_masters(struct collect *c)
{
	int i, j;

	for (i = 0; i < c->nlinks; i++) {
		char path[96], target[64];
		const char *base;
		struct stat st;
		ssize_t n;

		snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", c->links[i].name);
		if (stat(path, &st) == 0)
			snprintf(c->links[i].kind, sizeof(c->links[i].kind), "bridge");
		snprintf(path, sizeof(path), "/sys/class/net/%s/bonding", c->links[i].name);
		if (stat(path, &st) == 0)
			snprintf(c->links[i].kind, sizeof(c->links[i].kind), "bond");
		snprintf(path, sizeof(path), "/sys/class/net/%s/master", c->links[i].name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		base = strrchr(target, '/');
		base = base ? base + 1 : target;
		for (j = 0; j < c->nlinks; j++)
			if (strcmp(c->links[j].name, base) == 0)
				c->links[i].master = c->links[j].ifindex;
	}
}

static char *read_text(const char *path, size_t max)
{
	char *buf = malloc(max + 1);
	size_t got = 0;
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (got < max && (n = read(fd, buf + got, max - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return buf;
}

/* Any line of the file that, blanks removed, starts with `want` (e.g. "bfdd=yes"). */
static bool file_has_line(const char *path, const char *want)
{
	char *text = read_text(path, 1 << 20), *line, *save = NULL;
	bool found = false;

	if (!text)
		return false;
	for (line = strtok_r(text, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char flat[256];
		size_t k = 0;

		for (; *line && k < sizeof(flat) - 1; line++)
			if (!isspace((unsigned char)*line))
				flat[k++] = *line;
		flat[k] = '\0';
		found = flat[0] != '#' && strncmp(flat, want, strlen(want)) == 0;
	}
	free(text);
	return found;
}

/* Which process holds each socket: /proc/PID/fd/N -> "socket:[INODE]". */
static void udp_owners(struct hc_udp *u, int n)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	int left = n;

	if (!proc)
		return;
	while (left > 0 && (p = readdir(proc)) != NULL) {
		char path[300], link[64];
		struct dirent *f;
		DIR *fds;
		int pid = atoi(p->d_name), i;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;	/* gone, or not ours to see */
		while (left > 0 && (f = readdir(fds)) != NULL) {
			unsigned long inode;
			ssize_t len;

			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, f->d_name);
			len = readlink(path, link, sizeof(link) - 1);
			if (len <= 0)
				continue;
			link[len] = '\0';
			if (sscanf(link, "socket:[%lu]", &inode) != 1)
				continue;
			for (i = 0; i < n; i++) {
				char *comm, *nl;

				if (u[i].pid || u[i].inode != inode)
					continue;
				u[i].pid = pid;
				snprintf(path, sizeof(path), "/proc/%d/comm", pid);
				comm = read_text(path, 64);
				if (comm) {
					if ((nl = strchr(comm, '\n')))
						*nl = '\0';
					snprintf(u[i].comm, sizeof(u[i].comm), "%s", comm);
					free(comm);
				}
				left--;
			}
		}
		closedir(fds);
	}
	closedir(proc);
}

static int read_sysctl(const char *path)
{
	char *t = read_text(path, 32);
	int v = -1;

	if (t) {
		if (t[0] >= '0' && t[0] <= '9')
			v = atoi(t);
		free(t);
	}
	return v;
}

static void hostcheck_free(struct hostcheck_input *in)
{
	if (!in)
		return;
	free((void *)in->links);
	free((void *)in->addrs);
	free((void *)in->routes);
	free((void *)in->udp);
	free(in);
}

/*
 * Reads the host into a freshly allocated input (free with
 * hostcheck_free()).  nl may be NULL: a handle is opened and closed.
 * 0 or -errno (logged).
 */
static int hostcheck_collect(struct nl *nl, const struct mr_config *cfg, int self,
			     bool check_mode, struct hostcheck_input **out)
{
	struct hostcheck_input *in = calloc(1, sizeof(*in));
	struct collect c = { .cfg = cfg };
	struct nl_handlers h = { .link = on_link, .addr = on_addr, .route = on_route, .ctx = &c };
	struct hc_udp *udp = calloc(HOSTCHECK_MAX_UDP, sizeof(*udp));
	static const char *const udpfiles[2] = { "/proc/net/udp", "/proc/net/udp6" };
	struct nl *own = NULL;
	int err = 0, nudp = 0, i;

	c.links = calloc(HOSTCHECK_MAX_LINKS, sizeof(*c.links));
	c.addrs = calloc(HOSTCHECK_MAX_ADDRS, sizeof(*c.addrs));
	c.routes = calloc(HOSTCHECK_MAX_ROUTES, sizeof(*c.routes));
	if (!in || !udp || !c.links || !c.addrs || !c.routes) {
		err = -ENOMEM;
		goto fail;
	}
	if (!nl) {
		if ((err = nl_open(&own)) < 0)
			goto fail;
		nl = own;
	}
	if ((err = nl_dump_links(nl, &h)) < 0 || (err = nl_dump_addrs(nl, AF_UNSPEC, &h)) < 0 ||
	    (err = nl_dump_all_routes(nl, AF_UNSPEC, &h)) < 0)
		goto fail;
	if (c.full)
		log_warnx("host checks: more interfaces, addresses or routes than they read; "
			  "some were not looked at");
	link_masters(&c);
	for (i = 0; i < 2; i++) {
		char *text = read_text(udpfiles[i], 4 << 20);

		if (!text)
			continue;	/* IPv6 disabled */
		/* relay-port is always bound: link reports ride on it, relay or not. */
		hostcheck_parse_udp(text, i ? AF_INET6 : AF_INET, 3784, cfg->relay_port,
				    udp, &nudp, HOSTCHECK_MAX_UDP);
		free(text);
	}
	if (nudp)
		udp_owners(udp, nudp);

	in->cfg = cfg;
	in->self = self;
	in->links = c.links;
	in->nlinks = c.nlinks;
	in->addrs = c.addrs;
	in->naddrs = c.naddrs;
	in->routes = c.routes;
	in->nroutes = c.nroutes;
	in->udp = udp;
	in->nudp = nudp;
	in->frr_bfdd = file_has_line("/etc/frr/daemons", "bfdd=yes");
	in->bird_bfd = file_has_line("/etc/bird/bird.conf", "protocolbfd") ||
		       file_has_line("/etc/bird.conf", "protocolbfd");
	in->check_mode = check_mode;
	in->hash_policy[0] = read_sysctl("/proc/sys/net/ipv4/fib_multipath_hash_policy");
	in->hash_policy[1] = read_sysctl("/proc/sys/net/ipv6/fib_multipath_hash_policy");
	in->rt_kernel = read_sysctl("/sys/kernel/realtime") == 1;
	if (own)
		nl_close(own);
	*out = in;
	return 0;
fail:
	if (err == -ENOMEM)
		log_warnx("host checks: out of memory");
	if (own)
		nl_close(own);
	free(c.links);
	free(c.addrs);
	free(c.routes);
	free(udp);
	free(in);
	return err;
}

int hostcheck_run(struct nl *nl, const struct mr_config *cfg, int self, bool check_mode, FILE *out)
{
	struct hostcheck_input *in = NULL;
	struct hostcheck_result *res = calloc(1, sizeof(*res));
	int err, i;

	if (!res) {
		err = -ENOMEM;
		log_warnx("host checks: out of memory");
		goto out;
	}
	if ((err = hostcheck_collect(nl, cfg, self, check_mode, &in)) < 0)
		goto out;
	hostcheck_eval(in, res);
	for (i = 0; i < res->n; i++) {
		if (out)
			fprintf(out, "warning: %s\n", res->msg[i]);
		else
			log_warnx("host check: %s", res->msg[i]);
	}
	if (res->dropped) {
		if (out)
			fprintf(out, "warning: %d more host warnings not shown\n", res->dropped);
		else
			log_warnx("host check: %d more warnings not shown", res->dropped);
	}
	err = res->n + res->dropped;
out:
	hostcheck_free(in);
	free(res);
	return err;
}
