/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host settings that one-address-on-every-port routing needs: checked at
 * start and whenever a port appears, set when the config allows it,
 * otherwise a warning naming the sysctl and the value it needs.
 */
#ifndef MR_SYSCTL_H
#define MR_SYSCTL_H

#include <stdbool.h>

/*
 * Settings of `ifname` ("all" for the global ones).  fast: a fast port
 * (routes over it must not be used without carrier; neighbour resolution
 * retried every retrans_ms at most).  Returns the number of settings still
 * wrong afterwards.
 */
int sysctl_prepare_port(const char *ifname, bool fast, bool set, unsigned retrans_ms);

/*
 * relay = on: net.ipv4.conf.IFNAME.forwarding must be 1 on a fast port for
 * this node to relay, and reverse-path filtering not strict (IFNAME and
 * all); set when allowed.  quiet: no warning when wrong and may not be set
 * (periodic re-checks).  *fwd_was: the value forwarding had when this call
 * set it to 1, else -1.  Returns the SYSCTL_RELAY_* bits still wrong.
 */
#define SYSCTL_RELAY_FORWARDING 1
#define SYSCTL_RELAY_RP_FILTER 2
int sysctl_relay_port(const char *ifname, bool set, bool quiet, int *fwd_was);
/*
 * Relay turned off (or the daemon stopping): net.ipv4.conf.IFNAME.forwarding
 * back to `was`, the value sysctl_relay_port() found, if it is still the 1
 * relay set (an admin's later change is left alone, logged).  A port that is
 * gone took its setting with it.  0, or -errno (logged).
 */
int sysctl_relay_restore(const char *ifname, int was);

/*
 * Layer-4 multipath hashing, net.ipv4 and net.ipv6 fib_multipath_hash_policy
 * = 1 (3, custom, is left alone if its fields include a port): set when
 * allowed, else a warning naming the setting.  Host-wide; only matters to a
 * node with two or more fast ports (two cables to one peer make a multipath
 * route).  Returns the number of settings still wrong.
 */
int sysctl_multipath_hash(bool set);

#endif
