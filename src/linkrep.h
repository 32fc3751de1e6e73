/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Link reports, pure: the wire format of the message meshrouted sends about
 * once a second over each fast port to the meshrouted found there, and its
 * authentication.  The message is a fixed header followed by typed,
 * length-prefixed sections, so that later versions add sections that older
 * receivers skip.  Section type 1, "link": per BFD session
 * on that (port, peer), the sender's own count of the probes it SENT and
 * RECEIVED, which is what lets the receiver tell a lost probe from a late
 * one (loss.h), and time stamps for the link's round-trip time.  Section
 * type 2, "node table": the sender's whole link table (every fast port, the
 * node found on it, state, RTT, loss), which every node shares with every
 * other for the mesh view (mesh.h).  No I/O, no clock reads.
 *
 * Wire format, version 1 (all integers in network byte order):
 *
 *	 0  magic "mrLR" (0x6d 0x72 0x4c 0x52)
 *	 4  version (1)
 *	 5  flags: bit 0 = HMAC present; the other bits are 0
 *	 6  key id (the auth-key-file key that made the HMAC; 0 without one)
 *	 7  address family of the sender field: 4 (IPv4) or 6 (IPv6)
 *	 8  sender's node address, 16 bytes (IPv4: 4 bytes, then 12 zero bytes)
 *	24  sequence number (increases by one per report the sender sends,
 *	    modulo 2^32; it starts from the sender's wall clock in ms)
 *	28  sections, back to back, each:
 *	      0  type
 *	      1  reserved (0)
 *	      2  length of the section's body in bytes (not counting these 4)
 *	      4  body
 *	..  with flag bit 0: HMAC-SHA256 (32 bytes) over every byte before it,
 *	    keyed with the secret of `key id`
 *
 * A section of an unknown type is skipped; a known type at most once.
 *
 * Section type 1, "link" (the sender's side of the cable the message
 * crossed), body 40 + 28 x count bytes:
 *
 *	 0  sender's port name, 16 bytes: 1..15 printable bytes, zero-padded
 *	16  tx time: the sender's CLOCK_MONOTONIC when it sent this, us
 *	24  echo time: the tx time of the last report the sender received (and
 *	    counted) from the addressee over this cable, 0 if none
 *	32  echo held: us from that report's arrival (its kernel stamp) to this
 *	    report's tx time; 0 when echo time is 0
 *	36  count: session entries that follow, 0..LINKREP_MAX_ENTRIES
 *	37  3 reserved bytes (0)
 *	40  count x entry, one per BFD session of the sender on the cable:
 *	      0  sender's local discriminator (nonzero)
 *	      4  sender's remote discriminator (0 while unknown)
 *	      8  kind: 1 = regular IPv4, 2 = regular IPv6, 3 = padded (MTU)
 *	      9  the sender's session state (RFC 5880: 0..3)
 *	     10  flags: bit 0 = the two echo fields hold a pair; others 0
 *	     11  reserved (0)
 *	     12  sent: probes the sender sent on the session since it began
 *	     16  received: probes it received from the addressee on it (every
 *	         one that passed authentication, whatever the session's state)
 *	     20  echo sent: the addressee's `sent` for this session in the
 *	         report named by echo time
 *	     24  echo received: the sender's `received` when that report
 *	         arrived: every probe that arrived before it, by kernel stamps
 *	    (the echo flag is clear when the sender has no such pair for
 *	    that very report).  The addressee dates the pair by its own tx
 *	    time, the echo time.
 *	    Counts run modulo 2^32; only their differences are used.
 *
 * The round-trip time of the cable is t_arrival - echo time - echo held,
 * all measured by kernel stamps at both ends but the tx times.
 *
 * Section type 2, "node table" (the sender's link table, for the mesh view
 * of every node: mesh.h), body 8 + 100 x count bytes:
 *
 *	 0  total: the sender's fast ports, 0..LINKREP_NT_MAX_TOTAL
 *	 1  first: the index (in the sender's table) of the first entry here
 *	 2  count: entries that follow, 0..LINKREP_NT_MAX; first + count <= total
 *	 3  reserved (0)
 *	 4  lifetime, ms, 1..LINKREP_NT_MAX_LIFETIME_MS: the receiver forgets
 *	    these entries that long after their arrival (a silent sender's
 *	    entries expire)
 *	 8  count x entry, one per fast port of the sender:
 *	      0  port name, 16 bytes: 1..15 printable bytes, zero-padded
 *	     16  peer port: the far end's name for its port on this cable, from
 *	         its link reports; 0..15 printable bytes, zero-padded (all
 *	         zero: unknown)
 *	     32  node: the neighbour found on the port (the node whose session
 *	         is in service on it, else the one last found there), 16 bytes
 *	         encoded as the header's sender; all zero with family 0
 *	     48  expected: the neighbour the port was first found with since
 *	         the sender started (or re-learned); the same encoding
 *	     64  node's family: 0 (none found), 4 or 6
 *	     65  expected's family: 0, 4 or 6; 0 exactly when node's is 0
 *	     66  state: LINKREP_NS_* (none exactly when node's family is 0)
 *	     67  reserved (0)
 *	     68  since: ms the port has been in this state (with this node) at
 *	         sending, 64 bits
 *	     76  RTT of the cable, us (the link section's measure); all ones:
 *	         unknown
 *	     80  its jitter, us; all ones: unknown
 *	     84  loss to the node: the sender's probes lost over the last 10 s,
 *	         per mille (0..1000), 0xffff: unknown
 *	     86  loss from the node: the node's probes to the sender, likewise
 *	     88  flaps: times the cable's session left Up since the sender began
 *	     92  detection time of the cable's session, us (RFC 5880 6.8.4),
 *	         0: none negotiated
 *	     96  last detection: silence before the cable's last detection
 *	         timeout, us, 0: none since the sender started
 *	A table longer than LINKREP_NT_MAX entries goes in several messages
 *	(first, count); each entry lives on its own, by its arrival.  Sizes:
 *	header 28 + section 4 + 8 + 100 x 13 + HMAC 32 = 1372 bytes at most.
 */
#ifndef MR_LINKREP_H
#define MR_LINKREP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"

#define LINKREP_VERSION 1
#define LINKREP_HDR_LEN 28
#define LINKREP_SEC_HDR_LEN 4
#define LINKREP_MAC_LEN AUTH_MSG_MAC_LEN
#define LINKREP_F_MAC 0x01

#define LINKREP_SEC_LINK 1
#define LINKREP_LINK_LEN 40		/* before the entries */
#define LINKREP_ENTRY_LEN 28
#define LINKREP_MAX_ENTRIES 8
#define LINKREP_E_ECHO 0x01

/* Largest message accepted (sections to come included); one frame of a 1500-byte link. */
#define LINKREP_MAX_LEN 1400

#define LINKREP_SEC_NODES 2
#define LINKREP_NT_LEN 8		/* before the entries */
#define LINKREP_NT_ENTRY_LEN 100
#define LINKREP_NT_MAX 13		/* entries in one message */
#define LINKREP_NT_MAX_TOTAL MR_MAX_FAST
#define LINKREP_NT_MAX_LIFETIME_MS 60000
#define LINKREP_NT_UNKNOWN32 UINT32_MAX	/* rtt_us, jitter_us */
#define LINKREP_NT_LOSS_UNKNOWN 0xffff

/* A port's state in a node table: the cable's, as its sender sees it. */
enum linkrep_nstate {
	LINKREP_NS_NONE = 0,	/* no neighbour found on the port since start */
	LINKREP_NS_UP = 1,	/* in service: carries traffic to the node */
	LINKREP_NS_DOWN = 2,	/* not in service: no carrier, session not Up, in hold-down */
	LINKREP_NS_DRAINED = 3,	/* taken out by the admin (meshroutectl drain) */
	LINKREP_NS_MTU = 4,	/* its MTU does not pass (mtu-probe) */
	LINKREP_NS_LOSSY = 5,	/* taken out for probe loss above max-loss */
	LINKREP_NS_MAX
};

enum linkrep_kind {
	LINKREP_KIND_IPV4 = 1,
	LINKREP_KIND_IPV6 = 2,
	LINKREP_KIND_MTU = 3,
};

struct linkrep_entry {
	uint32_t local_discr, remote_discr;
	uint8_t kind, state, flags;
	uint32_t sent, received;
	uint32_t echo_sent, echo_received;	/* with LINKREP_E_ECHO */
};

struct linkrep_link {
	char port[16];			/* NUL-terminated */
	uint64_t tx_us, echo_us;
	uint32_t held_us;
	uint8_t count;
	struct linkrep_entry e[LINKREP_MAX_ENTRIES];
};

/* One entry of a node table: one fast port of its sender. */
struct linkrep_port {
	char port[16];			/* NUL-terminated */
	char peer_port[16];		/* "" while unknown */
	struct mr_addr node;		/* family 0: no neighbour found */
	struct mr_addr expected;	/* family 0 exactly when node's is */
	uint8_t state;			/* enum linkrep_nstate */
	uint64_t since_ms;
	uint32_t rtt_us, jitter_us;	/* LINKREP_NT_UNKNOWN32 while unknown */
	uint16_t loss_to, loss_from;	/* per mille, LINKREP_NT_LOSS_UNKNOWN while unknown */
	uint32_t flaps;
	uint32_t detect_us, last_detect_us;	/* 0: none */
};

struct linkrep_nodes {
	uint8_t total, first, count;
	uint32_t lifetime_ms;
	struct linkrep_port p[LINKREP_NT_MAX];
};

struct linkrep {
	uint8_t flags;			/* LINKREP_F_* (set by encode/decode) */
	uint8_t key_id;
	struct mr_addr sender;		/* AF_INET or AF_INET6 */
	uint32_t seq;
	bool has_link;
	struct linkrep_link link;
	bool has_nodes;
	struct linkrep_nodes nodes;
	uint8_t skipped;		/* sections of unknown types (decode) */
};

enum linkrep_err {
	LINKREP_OK = 0,
	LINKREP_ERR_LENGTH,		/* shorter than header (+ HMAC), or above LINKREP_MAX_LEN */
	LINKREP_ERR_MAGIC,
	LINKREP_ERR_VERSION,
	LINKREP_ERR_FLAGS,		/* reserved flag bits set, or a key id without HMAC */
	LINKREP_ERR_ADDRESS,		/* family not 4 or 6, IPv4 padding not zero, all-zero address */
	LINKREP_ERR_SECTION,		/* a section header or body runs past the end */
	LINKREP_ERR_DUPLICATE,		/* a known section twice */
	LINKREP_ERR_LINK,		/* link section: length, count, port name, reserved, echo */
	LINKREP_ERR_ENTRY,		/* an entry: discriminator, kind, state, flags, echo */
	LINKREP_ERR_MAC_MISSING,	/* authentication configured, no HMAC */
	LINKREP_ERR_MAC_UNEXPECTED,	/* HMAC present, no authentication configured */
	LINKREP_ERR_KEY,		/* key id not in the key file */
	LINKREP_ERR_MAC,		/* HMAC does not match */
	LINKREP_ERR_NODES,		/* node table: length, total, first, count, reserved, lifetime */
	LINKREP_ERR_NODE,		/* a node table entry: names, addresses, state, reserved, loss */
	LINKREP_ERR_MAX
};

/*
 * Encodes r (its link section if r->has_link, then its node table if
 * r->has_nodes) into buf (len bytes).  With a keyring in use (auth.h)
 * keys[0] signs it.  Returns the length, or 0 when it does not fit or r is
 * not representable (family, count, port name, an entry decode would
 * refuse).
 */
size_t linkrep_encode(const struct linkrep *r, const struct auth_keyring *kr, uint8_t *buf,
		      size_t len);

/*
 * Decodes and authenticates buf: an HMAC is required exactly when kr is in
 * use, and checked before any section is read.  Returns enum linkrep_err;
 * *out is valid only on LINKREP_OK.
 */
int linkrep_decode(const uint8_t *buf, size_t len, const struct auth_keyring *kr,
		   struct linkrep *out);

/* Does buf start like a link report (its magic)?  For dispatching by magic. */
bool linkrep_is(const uint8_t *buf, size_t len);

/* Stable token per error for drop counters ("ok", "length", ...); never NULL. */
const char *linkrep_err_name(int err);

#endif
