/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Relay advertisements, pure: the wire format of the small UDP message a
 * node with relay = on sends each neighbour over each in-service fast port
 * ("these are the peers I reach over a direct, in-service fast link"), its
 * authentication, and the table of what each neighbour said, with replay
 * protection and expiry.  No I/O, no clock reads.
 *
 * Wire format, version 1 (all integers in network byte order):
 *
 *	 0  magic "mrRA" (0x6d 0x72 0x52 0x41)
 *	 4  version (1)
 *	 5  flags: bit 0 = HMAC present; the other bits are 0
 *	 6  count: peer addresses that follow, 0..ADVERT_MAX_PEERS
 *	 7  key id (the auth-key-file key that made the HMAC; 0 without one)
 *	 8  sender's node address (IPv4)
 *	12  sequence number (increases by one per message sent, modulo 2^32)
 *	16  lifetime, ms (1..ADVERT_MAX_LIFETIME_MS): forget it after that
 *	20  count x IPv4 address: peers the sender reaches directly
 *	..  with flag bit 0: HMAC-SHA256 (32 bytes) over every byte before it,
 *	    keyed with the secret of `key id`
 *
 * The length is exactly 20 + 4 * count (+ 32): at most ADVERT_MAX_LEN.
 */
#ifndef MR_ADVERT_H
#define MR_ADVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "mtime.h"

#define ADVERT_VERSION 1
#define ADVERT_HDR_LEN 20
#define ADVERT_MAC_LEN 32
#define ADVERT_MAX_PEERS (MR_MAX_NODES - 1)
#define ADVERT_MAX_LEN (ADVERT_HDR_LEN + 4 * ADVERT_MAX_PEERS + ADVERT_MAC_LEN)
#define ADVERT_MAX_LIFETIME_MS 60000
#define ADVERT_F_MAC 0x01
#define ADVERT_DEFAULT_PORT 3786

struct advert {
	uint8_t flags;			/* ADVERT_F_* (set by encode/decode) */
	uint8_t key_id;
	uint8_t sender[4];
	uint32_t seq;
	uint32_t lifetime_ms;
	uint8_t npeers;
	uint8_t peers[ADVERT_MAX_PEERS][4];
};

enum advert_err {
	ADVERT_OK = 0,
	ADVERT_ERR_LENGTH,		/* shorter than a header, or not 20 + 4n (+ 32) */
	ADVERT_ERR_MAGIC,
	ADVERT_ERR_VERSION,
	ADVERT_ERR_FLAGS,		/* reserved flag bits set, or a key id without HMAC */
	ADVERT_ERR_COUNT,		/* more than ADVERT_MAX_PEERS */
	ADVERT_ERR_LIFETIME,		/* 0 or above ADVERT_MAX_LIFETIME_MS */
	ADVERT_ERR_MAC_MISSING,		/* authentication configured, no HMAC */
	ADVERT_ERR_MAC_UNEXPECTED,	/* HMAC present, no authentication configured */
	ADVERT_ERR_KEY,			/* key id not in the key file */
	ADVERT_ERR_MAC,			/* HMAC does not match */
	ADVERT_ERR_MAX
};

/*
 * Encodes a into buf (len bytes).  With a keyring in use (kr not NULL, a
 * type other than none, a key), keys[0] signs it.  Returns the length, or
 * 0 when it does not fit or a->npeers is too large.
 */
size_t advert_encode(const struct advert *a, const struct auth_keyring *kr, uint8_t *buf,
		     size_t len);

/*
 * Decodes and authenticates buf: an HMAC is required exactly when kr is in
 * use, and checked (constant time) against the key it names.  Returns
 * enum advert_err; *out is valid only on ADVERT_OK.
 */
int advert_decode(const uint8_t *buf, size_t len, const struct auth_keyring *kr,
		  struct advert *out);

/* Stable token per error for drop counters ("ok", "length", ...); never NULL. */
const char *advert_err_name(int err);

/* Does buf start like an advertisement (its magic)?  For dispatching by magic. */
bool advert_is(const uint8_t *buf, size_t len);

/*
 * What each neighbour (by node index) last said: the set of node indices it
 * reaches directly, until when that holds, and the sequence number.
 */
struct advert_entry {
	bool valid;
	uint32_t seq;
	mtime_t expires;
	uint32_t reach;		/* bit n: reaches node n over a direct fast link */
};

struct advert_table {
	struct advert_entry e[MR_MAX_NODES];
};

enum advert_update {
	ADVERT_ACCEPTED,
	ADVERT_REPLAY,		/* sequence number not newer while the entry is alive */
};

/*
 * A message from `sender` (node index) at `now`: accepted when its sequence
 * number is newer (RFC 1982 serial arithmetic) than the last accepted one,
 * or when the last one has expired (a restarted sender starts anywhere).
 * *changed (may be NULL) tells whether the reach set or liveness changed.
 */
int advert_table_update(struct advert_table *t, int sender, uint32_t seq, mtime_t lifetime,
			uint32_t reach, mtime_t now, bool *changed);

/* Does a live entry of `sender` list `peer`? */
bool advert_table_reaches(const struct advert_table *t, int sender, int peer, mtime_t now);

/* Drops expired entries; true if one was dropped. */
bool advert_table_expire(struct advert_table *t, mtime_t now);

/* When the next live entry expires, MTIME_NEVER if none. */
mtime_t advert_table_next_expiry(const struct advert_table *t);

/* Forgets everything (relay turned off, reload). */
void advert_table_clear(struct advert_table *t);

#endif
