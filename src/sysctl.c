// SPDX-License-Identifier: GPL-2.0-or-later
/* Checks and sets the host sysctls meshroute depends on. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sysctl.h"

static int read_int(const char *path, int *val)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	err = n < 0 ? -errno : -EIO;	/* before close() can change errno */
	close(fd);
	if (n <= 0)
		return err;
	buf[n] = '\0';
	*val = atoi(buf);
	return 0;
}

static int write_int(const char *path, int val)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%d\n", val);
	int fd = open(path, O_WRONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, (size_t)len);
	err = n == len ? 0 : (n < 0 ? -errno : -EIO);	/* before close() can change errno */
	close(fd);
	return err;
}

/*
 * One sysctl (file `path`, shown as `name`) that must satisfy ok(value,
 * want); `want` is what we write.  Returns 1 if it is still wrong, 0
 * otherwise; a file that does not exist counts as right when `absent_ok`.
 */
static int check_set(const char *path, const char *name, bool (*ok)(int, int), int want,
		     bool set, const char *why, bool quiet, bool absent_ok)
{
	int val = 0, err;

	if ((err = read_int(path, &val)) < 0) {
		if (err == -ENOENT && absent_ok)
			return 0;
		errno = -err;
		log_warn("cannot read %s", name);
		return 1;
	}
	if (ok(val, want))
		return 0;
	if (!set) {
		if (!quiet)
			log_warnx("%s is %d, needs %d: %s (set-sysctl = no)", name, val, want, why);
		return 1;
	}
	if ((err = write_int(path, want)) < 0) {
		errno = -err;
		log_warn("cannot set %s from %d to %d (%s)", name, val, want, why);
		return 1;
	}
	log_info("set %s from %d to %d: %s", name, val, want, why);
	return 0;
}

/* net.SECTION.IFNAME.KEY, e.g. section "ipv4.conf": the file net/ipv4/conf/IF/KEY. */
static int fix_q(const char *section, const char *ifname, const char *key,
		 bool (*ok)(int, int), int want, bool set, const char *why, bool quiet)
{
	char path[160], name[160], *c;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/%s/%s", section, ifname, key);
	for (c = path + strlen("/proc/sys/net/"); *c && c < path + strlen("/proc/sys/net/") +
	     strlen(section); c++)
		if (*c == '.')
			*c = '/';
	snprintf(name, sizeof(name), "net.%s.%s.%s", section, ifname, key);
	/* IPv6 disabled on the port: nothing to tune */
	return check_set(path, name, ok, want, set, why, quiet, strncmp(section, "ipv6", 4) == 0);
}

static int fix(const char *section, const char *ifname, const char *key,
	       bool (*ok)(int, int), int want, bool set, const char *why)
{
	return fix_q(section, ifname, key, ok, want, set, why, false);
}

static bool rp_filter_ok(int v, int want)
{
	(void)want;
	return v != 1;
}

static bool is_want(int v, int want)
{
	return v == want;
}

static bool at_most(int v, int want)
{
	return v > 0 && v <= want;
}

int sysctl_prepare_port(const char *ifname, bool fast, bool set, unsigned retrans_ms)
{
	int bad = 0;

	/*
	 * Strict reverse-path filtering drops a peer's packets that arrive on a
	 * port other than the one our route back points to: after a failover
	 * the probes on the fast port, before it the LAN probes.  Loose mode
	 * (2) still drops spoofed sources.  The effective value is the maximum
	 * of "all" and the port's own, so both must be fixed.
	 */
	bad += fix("ipv4.conf", ifname, "rp_filter", rp_filter_ok, 2, set,
		   "strict reverse-path filtering drops probes and traffic arriving on the other port of the same address");
	if (!fast)
		return bad;
	/* If we are not running, a dead cable must not keep its route. */
	bad += fix("ipv4.conf", ifname, "ignore_routes_with_linkdown", is_want, 1, set,
		   "routes over a port without carrier must not be used");
	/*
	 * The first probes after a cable comes back often meet a link that is
	 * up at one end only; their ARP/ND request is lost and the kernel asks
	 * again only after retrans_time (1 s by default), delaying the
	 * link's return by up to that much.
	 */
	bad += fix("ipv4.neigh", ifname, "retrans_time_ms", at_most, (int)retrans_ms, set,
		   "a lost ARP request must not delay a healed link for a second");
	bad += fix("ipv6.neigh", ifname, "retrans_time_ms", at_most, (int)retrans_ms, set,
		   "a lost neighbour solicitation must not delay a healed link for a second");
	return bad;
}

static void forwarding_path(const char *ifname, char *path, size_t len)
{
	snprintf(path, len, "/proc/sys/net/ipv4/conf/%s/forwarding", ifname);
}

int sysctl_relay_port(const char *ifname, bool set, bool quiet, int *fwd_was)
{
	char path[96];
	int bad = 0, before = -1;

	*fwd_was = -1;
	forwarding_path(ifname, path, sizeof(path));
	if (read_int(path, &before) < 0)
		before = -1;

	/*
	 * IPv4 decides by the ingress device: forwarding on the fast ports
	 * alone lets the node pass peers' traffic between fast ports without
	 * making it a router on the LAN (the global ip_forward stays as it is).
	 */
	if (fix_q("ipv4.conf", ifname, "forwarding", is_want, 1, set,
		  "relay = on: this node forwards its peers' traffic arriving on this fast port",
		  quiet))
		bad |= SYSCTL_RELAY_FORWARDING;
	else if (before >= 0 && before != 1)
		*fwd_was = before;	/* ours to put back when relay goes off */
	/* A relayed packet's source is reached over another port: strict mode drops it. */
	if (fix_q("ipv4.conf", ifname, "rp_filter", rp_filter_ok, 2, set,
		  "relay = on: relayed packets arrive from sources routed over another port", quiet) ||
	    fix_q("ipv4.conf", "all", "rp_filter", rp_filter_ok, 2, set,
		  "relay = on: relayed packets arrive from sources routed over another port", quiet))
		bad |= SYSCTL_RELAY_RP_FILTER;
	return bad;
}

int sysctl_relay_restore(const char *ifname, int was)
{
	char path[96];
	int now, err;

	forwarding_path(ifname, path, sizeof(path));
	if ((err = read_int(path, &now)) < 0) {
		if (err == -ENOENT)
			return 0;
		errno = -err;
		log_warn("relay off: cannot read net.ipv4.conf.%s.forwarding", ifname);
		return err;
	}
	if (now != 1) {
		log_info("relay off: net.ipv4.conf.%s.forwarding is %d, no longer the 1 relay set: "
			 "left as it is", ifname, now);
		return 0;
	}
	if ((err = write_int(path, was)) < 0) {
		errno = -err;
		log_warn("relay off: cannot set net.ipv4.conf.%s.forwarding back to %d", ifname, was);
		return err;
	}
	log_info("relay off: net.ipv4.conf.%s.forwarding back from 1 to %d", ifname, was);
	return 0;
}

/*
 * fib_multipath_hash_policy 3 (custom) hashes on the fields chosen in
 * fib_multipath_hash_fields: fine if they include a port (0x10 source
 * port, 0x20 destination port), and the admin's choice either way.
 */
#define HASH_FIELDS_PORTS 0x30

static bool hash_policy_ok(int v, int want)
{
	return v == want || v == 3;
}

int sysctl_multipath_hash(bool set)
{
	static const char *const fams[] = { "ipv4", "ipv6" };
	int bad = 0, i, fields;

	for (i = 0; i < 2; i++) {
		char path[96], name[96];
		int policy = 0;

		snprintf(path, sizeof(path), "/proc/sys/net/%s/fib_multipath_hash_policy", fams[i]);
		snprintf(name, sizeof(name), "net.%s.fib_multipath_hash_policy", fams[i]);
		/*
		 * Every node has one address, so all flows between two nodes
		 * share source and destination: the default layer-3 hash (0)
		 * puts every one of them on the same cable of a multipath
		 * route.  Layer 4 (1) spreads them by their ports.
		 */
		if (check_set(path, name, hash_policy_ok, 1, set,
			      "flows between two nodes have the same addresses: with a layer-3 hash "
			      "all of them take one of several cables to a peer",
			      false, i == 1))
			bad++;
		else if (read_int(path, &policy) == 0 && policy == 3) {
			snprintf(path, sizeof(path), "/proc/sys/net/%s/fib_multipath_hash_fields",
				 fams[i]);
			if (read_int(path, &fields) == 0 && !(fields & HASH_FIELDS_PORTS)) {
				log_warnx("net.%s.fib_multipath_hash_policy is 3 (custom) and "
					  "net.%s.fib_multipath_hash_fields (0x%x) holds no port (0x10, 0x20): "
					  "all flows between two nodes take one of several cables; "
					  "add the ports or set the policy to 1",
					  fams[i], fams[i], (unsigned)fields);
				bad++;
			}
		}
	}
	return bad;
}
