/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MTU verification, pure: whether a fast port runs padded BFD probes (RFC
 * 9764), how large they are, and the verdict per (port, peer) that gates the
 * port's use.  A second BFD session per (port, peer), its packets padded to
 * the port's MTU and sent with Don't Fragment, proves by its three-way
 * handshake that full-size frames pass both ways; the regular session keeps
 * running small and fast.  No I/O, no clock reads.
 */
#ifndef MR_MTU_H
#define MR_MTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mtime.h"

#define MTU_ETHERNET 1500	/* auto probes only above this */
#define MTU_IP4_UDP_HDR 28	/* IPv4 (no options) + UDP headers */
#define MTU_IP6_UDP_HDR 48	/* IPv6 (no extension headers) + UDP headers */

/*
 * Your Discriminator of an MTU session's packets while it does not know the
 * peer's (RFC 5880 would send 0).  With 0, an implementation that knows only
 * one session per (port, peer) (FRR, BIRD, an older meshrouted) would take
 * them for its regular session and go Down; with a value no session has, it
 * discards them.  Never used as a local discriminator.
 */
#define MTU_BOOTSTRAP_DISCR 0xffffffffu

/* Your Discriminator for an MTU session's packet: the peer's, or the bootstrap value. */
uint32_t mtu_your_discr(uint32_t remote_discr);

/*
 * Whether a received packet (Your Discriminator your_discr, padded or not)
 * is to be matched to a session by (port, source) rather than by Your
 * Discriminator: a regular one with 0, an MTU one with the bootstrap value.
 */
bool mtu_demux_by_source(uint32_t your_discr, bool padded);

/*
 * Whether a fast port probes its MTU: mode is MR_MTU_PROBE_*; auto probes a
 * port whose MTU is, or has been since start, above 1500 (a port that loses
 * its jumbo MTU at run time is the fault to catch, not a reason to stop).
 */
bool mtu_probe_wanted(int mode, unsigned port_mtu, bool was_jumbo);

/* UDP payload bytes that make an IP packet of `mtu` bytes; 0 if it cannot hold `bfd_len`. */
size_t mtu_payload_len(int family, unsigned mtu, size_t bfd_len);

/* IP packet size of a UDP datagram with `payload` bytes. */
unsigned mtu_ip_size(int family, size_t payload);

enum mtu_verdict {
	MTU_OFF,		/* no MTU probing on the port */
	MTU_UNKNOWN,		/* the regular session is not Up: nothing to judge */
	MTU_PENDING,		/* regular Up, MTU session not yet: within the grace */
	MTU_OK,			/* MTU session Up */
	MTU_FAILED,		/* regular Up, MTU session not: past the grace, or lost */
	MTU_VERDICT_MAX
};

struct mtu_input {
	bool probe;		/* the port probes its MTU */
	bool reg_up;		/* the regular session to the peer on the port is Up */
	mtime_t reg_up_since;
	bool mtu_up;		/* the MTU session is Up */
	mtime_t mtu_up_since;
	mtime_t mtu_lost_at;	/* when the MTU session last left Up, 0 if never */
	mtime_t probe_since;	/* when probing (ours or the peer's) last started */
	mtime_t grace;		/* how long the MTU session may take to come Up */
};

/*
 * The verdict at `now`; *recheck_at gets when it changes by itself
 * (PENDING -> FAILED), else MTIME_NEVER.  The grace runs from the later of
 * the regular session's bring-up and the start of probing.
 */
enum mtu_verdict mtu_judge(const struct mtu_input *in, mtime_t now, mtime_t *recheck_at);

/*
 * The port carries traffic to the peer only when both sessions are Up, and
 * its hold-down counts from the later of the two: *up and *up_since are the
 * regular session's on entry, the gated ones on return.  A port already in
 * service keeps its traffic while the verdict is pending (probing was just
 * switched on for a working link); it loses it when the verdict fails.
 */
void mtu_gate(const struct mtu_input *in, mtime_t now, bool in_service, bool *up,
	      mtime_t *up_since);

/*
 * A padded probe of `passes` bytes received at `at`: its size while more
 * recent than `window` (the MTU session's detection time: at a timeout the
 * last one is that old, and no longer proves anything), else 0.
 */
unsigned mtu_passes_now(unsigned passes, mtime_t at, mtime_t now, mtime_t window);

/* "ok", "pending", ...; "?" otherwise. */
const char *mtu_verdict_name(int v);

/*
 * The diagnostic: "MTU 9000 not passing, 1500 does", or "..., small probes
 * do" when no padded probe from the peer arrived lately (passes == 0).
 */
const char *mtu_diag(unsigned size, unsigned passes, char *buf, size_t len);

#endif
