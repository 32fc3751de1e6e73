/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Configuration: the INI file shared by every node, parsed, checked and printed. */
#ifndef MR_CONFIG_H
#define MR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "packet.h"

#define MR_DEFAULT_CONFIG "/etc/meshroute/meshroute.conf"
#define MR_MAX_NODES 16
#define MR_MAX_FAST 32


/* mtu-probe: padded BFD (RFC 9764) proving a fast port's MTU passes. */
enum {
	MR_MTU_PROBE_AUTO = 0,	/* on for a port whose MTU is above 1500 */
	MR_MTU_PROBE_ON = 1,
	MR_MTU_PROBE_OFF = 2,
};

struct mr_addr {
	int family;		/* AF_INET, AF_INET6, or 0 when absent */
	uint8_t bytes[16];	/* network order; AF_INET uses bytes[0..3] */
};

struct mr_node {
	char name[32];			/* [A-Za-z0-9_.-]{1,31} */
	struct mr_addr addr4, addr6;	/* family 0 when absent; at least one is set */
	char lan[16];			/* IFNAMSIZ */
	char fast[MR_MAX_FAST][16];
	int nfast;			/* 1..MR_MAX_FAST */
	int line;			/* line of the [node] header, for messages */
};

struct mr_config {
	char path[256];			/* file name used in messages */
	uint32_t interval_us;		/* fast ports: desired min tx = required min rx */
	uint32_t lan_interval_us;	/* the same on the LAN port */
	uint32_t idle_interval_us;	/* tx while not Up: RFC 5880 says >= 1s, see docs */
	uint16_t max_loss_permille;	/* probe loss that takes a fast port out, 0 = off */
	uint8_t mtu_probe;		/* MR_MTU_PROBE_* */
	uint32_t mtu_probe_interval_us;	/* the padded (MTU) sessions' interval */
	uint32_t hold_down_us;		/* a healed fast link stays Up this long before use */
	uint8_t multiplier;		/* detect mult, 1..255 */
	bool set_sysctl;		/* may the daemon set rp_filter etc. */
	bool realtime;			/* SCHED_FIFO for the daemon (off by default) */
	bool lock_memory;		/* mlockall() (off by default) */
	bool rx_coalesce;		/* read probes on own wake-ups at fast intervals */
	bool relay;			/* relay over a neighbour's fast link (IPv4) */
	uint16_t relay_port;		/* UDP port of relay advertisements */
	char alert_command[256];	/* absolute path or "" */
	char metrics_file[256];		/* node_exporter textfile, absolute path or "" */
	char auth_key_file[256];	/* absolute path or "" */
	char control_socket[108];	/* sizeof(sun_path) */
	uint8_t auth_type;		/* enum bfd_auth_type; BFD_AUTH_NONE: no authentication */
	struct mr_node nodes[MR_MAX_NODES];
	int nnodes;			/* 2..MR_MAX_NODES after a successful load */
};

/* Zeroes cfg (padding included, so memcmp works) and sets every default. */
void config_defaults(struct mr_config *cfg);

/*
 * Parses a file into cfg (config_defaults() first); reports every error as
 * "path:line: msg\n" to errf, sorted by line; returns 0, or -1 if any error
 * (cfg then unspecified).
 */
int config_load(const char *path, struct mr_config *cfg, FILE *errf);
/* Same from a string (name used in messages), for tests and fuzzing. */
int config_load_string(const char *name, const char *text, struct mr_config *cfg, FILE *errf);

/*
 * Finds this node: by name if name != NULL, else the node owning one of the
 * nlocal local addresses. Returns the node index, or -1 with one message to errf.
 */
int config_find_self(const struct mr_config *cfg, const char *name,
    const struct mr_addr *local, int nlocal, FILE *errf);

/*
 * Prints the resolved plan for node `self`: timers with units, ports and
 * candidate peers (every other node; cabling is found at run time).
 * Stable, golden-file tested format.
 */
void config_print_plan(const struct mr_config *cfg, int self, FILE *out);

/* Writes cfg back as an INI file that config_load_string() parses to an equal struct. */
void config_write(const struct mr_config *cfg, FILE *out);

/* Equal settings and nodes; ignores path and line numbers (e.g. for a reload). */
bool config_equal(const struct mr_config *a, const struct mr_config *b);

/* "10.0.0.1" or "fd00::1"; 0 or -1. A prefix length ("/24") is an error. */
int mr_addr_parse(const char *s, struct mr_addr *out);
/* inet_ntop into buf; "none" for family 0. Returns buf. */
const char *mr_addr_str(const struct mr_addr *a, char *buf, size_t len);
bool mr_addr_eq(const struct mr_addr *a, const struct mr_addr *b);

/* Bytes of an address of family: 4 for AF_INET, else 16 (AF_INET6; callers check it is set). */
static inline size_t mr_addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Address families, as an index: 0 is IPv4, 1 is IPv6. */
#define MR_NFAM 2
static inline int mr_fam(int family)
{
	return family == AF_INET6;
}

static inline int mr_fam_family(int fam)
{
	return fam ? AF_INET6 : AF_INET;
}

/* A node's address of family index fam (family 0 when it has none). */
static inline const struct mr_addr *mr_node_addr(const struct mr_node *n, int fam)
{
	return fam ? &n->addr6 : &n->addr4;
}

/* Both nodes have an address of family index fam: sessions and routes between them in it. */
static inline bool mr_fam_shared(const struct mr_node *a, const struct mr_node *b, int fam)
{
	return mr_node_addr(a, fam)->family && mr_node_addr(b, fam)->family;
}

/* The family one message between two nodes uses: IPv4 when both have it, else IPv6; -1: none. */
static inline int mr_fam_first_shared(const struct mr_node *a, const struct mr_node *b)
{
	int f;

	for (f = 0; f < MR_NFAM; f++)
		if (mr_fam_shared(a, b, f))
			return f;
	return -1;
}

/* "20ms", "1s", "500us", "2m" into microseconds; 0 or -1 (bad, no unit, overflow). */
int config_parse_duration(const char *s, uint64_t *us);
/* The reverse, in the largest unit that is exact ("0s", "1500us", "20ms", "2m"). Returns buf. */
const char *config_duration_str(uint64_t us, char *buf, size_t len);
/*
 * The MTU sessions' interval, us: mtu-probe-interval, but never faster than
 * the regular sessions' interval.  Both are sent by the same loop, so a busy
 * host that delays one delays the other; with the padded session's
 * detection time never the shorter, a late sender fails the regular session
 * first and never passes for an MTU fault.
 */
static inline uint32_t mtu_interval(const struct mr_config *cfg)
{
	return cfg->mtu_probe_interval_us > cfg->interval_us ? cfg->mtu_probe_interval_us :
	       cfg->interval_us;
}

/* The MTU sessions' detection time, us. */
static inline uint64_t mtu_window(const struct mr_config *cfg)
{
	return (uint64_t)mtu_interval(cfg) * cfg->multiplier;
}

/* "none", "simple", "keyed-md5", ...; "unknown" if out of range. */
const char *config_auth_type_name(uint8_t type);

#endif
