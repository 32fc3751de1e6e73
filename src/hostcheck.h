/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host checks: what on this host would keep meshroute from working, found
 * before it bites, each reported as one warning that names the fix.  Run
 * by `meshrouted --check-config` and at start-up; they never change
 * anything and never stop the daemon.
 *
 *  - the LAN port is a bridge or bond port (Proxmox VE: the address is on
 *    vmbr0, eno1 is its port): LAN sessions would never come Up;
 *  - a fast port is a bridge or bond port (the wiki's RSTP or broadcast
 *    mesh still in place);
 *  - the node's address is not on its LAN port;
 *  - no route over the LAN port covers a peer: a failed fast link would
 *    leave nowhere to go;
 *  - a host route to a peer of another protocol, metric or table (the
 *    Proxmox wiki's routed mesh, FRR openfabric / Proxmox SDN fabric,
 *    proto 197): meshroute's route replaces it, or it stays underneath and
 *    carries the traffic whenever meshroute withdraws, or it shadows it;
 *  - UDP 3784 (BFD) or relay-port (3786: link reports, relay) already in
 *    use (FRR's bfdd, BIRD);
 *  - with --check-config only: layer-3 multipath hashing on a node with
 *    two or more fast ports (start-up fixes or reports it, sysctl.h);
 *  - realtime = yes on a kernel that is not PREEMPT_RT: measured to flap
 *    healthy links on busy hosts, where realtime = no did not (a real-time
 *    task waits on a CPU that a kernel worker holds: meshrouted(8),
 *    "Scheduling").
 *
 * Two halves: hostcheck_eval() decides from plain structs (no I/O, unit
 * tested), hostcheck.c's collect half reads the host (netlink through nl.c,
 * /proc/net/udp{,6}, /proc/PID/fd, /sys/class/net/IF/master, sysctls).
 */
#ifndef MR_HOSTCHECK_H
#define MR_HOSTCHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "nl.h"

#define HOSTCHECK_MAX_LINKS 256
#define HOSTCHECK_MAX_ADDRS 512
#define HOSTCHECK_MAX_ROUTES 4096
#define HOSTCHECK_MAX_UDP 16
#define HOSTCHECK_MAX_WARNINGS 32

/* An interface and what it is enslaved to. */
struct hc_link {
	int ifindex;
	char name[16];
	int master;		/* ifindex of its bridge or bond, 0 when none */
	char kind[16];		/* "bridge", "bond" or "" (for a master: what it is) */
};

/* A UDP socket bound to one of the ports we need, and who holds it. */
struct hc_udp {
	int family;		/* AF_INET, AF_INET6 */
	uint16_t port;
	unsigned long inode;
	int pid;		/* 0 when not found (no permission, or gone) */
	char comm[16];		/* /proc/PID/comm, "" when unknown */
};

struct hostcheck_input {
	const struct mr_config *cfg;
	int self;
	const struct hc_link *links;
	int nlinks;
	const struct nl_addr *addrs;
	int naddrs;
	const struct nl_route *routes;	/* every table, both families */
	int nroutes;
	const struct hc_udp *udp;
	int nudp;
	/* Hints for an owner that /proc does not show (the unit's sandbox hides other users' processes). */
	bool frr_bfdd;		/* /etc/frr/daemons says bfdd=yes */
	bool bird_bfd;		/* /etc/bird/bird.conf has a "protocol bfd" */
	bool check_mode;	/* --check-config: the running meshrouted is not a conflict; sysctls reported */
	int hash_policy[2];	/* net.ipv4 / net.ipv6 fib_multipath_hash_policy, -1 unknown */
	bool rt_kernel;		/* /sys/kernel/realtime is 1: a PREEMPT_RT kernel preempts kernel work */
};

struct hostcheck_result {
	char msg[HOSTCHECK_MAX_WARNINGS][640];
	int n;
	int dropped;		/* warnings beyond HOSTCHECK_MAX_WARNINGS */
};

/* The decisions: warnings with their fixes, in a stable order.  Returns out->n. */
int hostcheck_eval(const struct hostcheck_input *in, struct hostcheck_result *out);

/*
 * /proc/net/udp or udp6 text: appends the sockets bound to port a or b
 * (0: unused) to out[*n] (at most max); inode and family set, owner not.
 * Returns how many were added, or -1 for text that is not that format.
 */
int hostcheck_parse_udp(const char *text, int family, uint16_t a, uint16_t b,
			struct hc_udp *out, int *n, int max);

/* Who holds a UDP port: "FRR's bfdd", "BIRD", "another meshrouted", the process name, or NULL. */
const char *hostcheck_owner_name(const char *comm);

/* Common route protocol numbers by name ("static", "openfabric", ...), NULL if unknown. */
const char *hostcheck_proto_name(uint8_t proto);

/*
 * Collect, evaluate, report: each warning to out as "warning: MSG" (out
 * not NULL, --check-config) or to the log at priority warning.  Returns
 * the number of warnings, or -errno when the host could not be read.
 */
int hostcheck_run(struct nl *nl, const struct mr_config *cfg, int self, bool check_mode,
		  FILE *out);

#endif
