/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BFD authentication (RFC 5880 §6.7): key file, signing and verifying Control packets. */
#ifndef MR_AUTH_H
#define MR_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mtime.h"
#include "packet.h"

/*
 * Key file format (named by auth-key-file; see docs/auth.md):
 *
 *	# comment: '#' as the first non-blank character of a line
 *	KEYID SECRET
 *
 * KEYID is the Auth Key ID sent on the wire, decimal 0..255, unique in the
 * file. SECRET is one word of printable text taken byte for byte, or
 * "hex:" followed by an even number of hex digits. Its length is 1..16
 * bytes for simple, keyed-md5 and meticulous-keyed-md5 (§4.2, §4.3) and
 * 1..20 bytes for keyed-sha1 and meticulous-keyed-sha1 (§4.4). At most
 * AUTH_MAX_KEYS lines. The first key is the one we send with; every key in
 * the file is accepted on receipt, so keys roll over without a session
 * going down: add the new key second, reload every node, move it first,
 * reload, remove the old key, reload.
 *
 * The file must be a regular file with no permission bits for group or
 * others (chmod 600), and owned by root when the daemon runs as root.
 */
#define AUTH_MAX_KEYS 8
#define AUTH_KEY_MAX 20		/* SHA1 key size, bytes; §4.4 */
#define AUTH_FILE_MAX 65536	/* bytes; a key file is a few lines */

struct auth_key {
	uint8_t id;			/* Auth Key ID */
	uint8_t len;			/* bytes of secret in use, 1..AUTH_KEY_MAX */
	uint8_t secret[AUTH_KEY_MAX];	/* zero beyond len */
};

/* Shared by all sessions: one configured type and its keys. */
struct auth_keyring {
	uint8_t type;			/* enum bfd_auth_type */
	struct auth_key keys[AUTH_MAX_KEYS];	/* keys[0] signs */
	int nkeys;			/* 1..AUTH_MAX_KEYS after a successful load */
};

/*
 * Reads a key file for an auth type (enum bfd_auth_type). Refuses a file that is not
 * regular, that group or others may access, or, when we run as root, that
 * root does not own. Every error goes to errf as "path:line: msg\n" (or
 * "path: msg\n"). Returns 0, or -1 with *kr wiped.
 */
int auth_keyring_load(const char *path, uint8_t type, struct auth_keyring *kr, FILE *errf);

/* The same from a string (name used in messages), without the file checks: tests, fuzzing. */
int auth_keyring_parse(const char *name, const char *text, uint8_t type,
		       struct auth_keyring *kr, FILE *errf);

/* Overwrites the secrets (explicit_bzero) and empties the ring. */
void auth_keyring_clear(struct auth_keyring *kr);

/* A type other than none and at least one key: packets and messages are signed. */
bool auth_keyring_in_use(const struct auth_keyring *kr);

/*
 * A meticulous type (§6.7.3, §6.7.4): every packet carries the next
 * sequence number, so the numbers a peer sends are its own count of the
 * packets it sent (loss.h uses them).
 */
bool auth_counts_packets(const struct auth_keyring *kr);

/* Authentication state of one session (RFC 5880 §6.8.1). */
struct auth_state {
	uint32_t xmit_seq;		/* bfd.XmitAuthSeq: next sequence number to send */
	uint32_t rcv_seq;		/* bfd.RcvAuthSeq: last accepted sequence number */
	bool rcv_seq_known;		/* bfd.AuthSeqKnown */
	mtime_t last_rx;		/* last accepted authenticated packet, us */
};

/* random_seq: from getrandom(); §6.8.1 wants bfd.XmitAuthSeq random. */
void auth_state_init(struct auth_state *st, uint32_t random_seq);

/*
 * §6.8.1: bfd.AuthSeqKnown goes back to 0 after no packets for at least
 * twice the Detection Time, so a restarted peer (new random sequence) is
 * learnt again. Call before auth_verify() with the session's current
 * Detection Time. Only authenticated packets count as received: otherwise
 * a peer whose sequence fell outside the window would never recover.
 */
void auth_state_expire(struct auth_state *st, mtime_t now, uint32_t detect_us);

/*
 * Before bfd_encode(): sets pkt->auth_present and pkt->auth from keys[0]
 * (type, Auth Len, key ID, password or sequence number). For the MD5/SHA1
 * types it uses bfd.XmitAuthSeq and then increments it: on every packet,
 * which §6.7.3/§6.7.4 require for the meticulous types and allow for the
 * keyed ones. kr NULL, type none or no key: no auth section.
 */
void auth_prepare(const struct auth_keyring *kr, struct auth_state *st, struct bfd_packet *pkt);

/*
 * After bfd_encode() of pkt into buf (len bytes, as it returned): writes
 * the MD5/SHA1 digest in place (§6.7.3/§6.7.4: over the whole packet with
 * the key, zero-padded to the digest size, in the digest field). Nothing
 * to do for simple password or no auth. Returns 0, or -EINVAL (packet and
 * ring disagree). The digests are Nettle's, which cannot fail.
 */
int auth_sign(const struct auth_keyring *kr, const struct bfd_packet *pkt, uint8_t *buf,
	      size_t len);

enum auth_result {
	AUTH_OK = 0,
	AUTH_NOT_EXPECTED,	/* A bit set, no authentication configured */
	AUTH_MISSING,		/* A bit clear, authentication configured */
	AUTH_WRONG_TYPE,	/* Auth Type is not the configured one */
	AUTH_UNKNOWN_KEY,	/* Auth Key ID not in the key file */
	AUTH_BAD_DIGEST,	/* MD5/SHA1 digest does not match */
	AUTH_BAD_PASSWORD,	/* simple password does not match */
	AUTH_SEQ_REPLAY,	/* genuine digest, sequence number outside the window */
	AUTH_RESULT_MAX
};

/*
 * Checks a packet that passed bfd_decode() (pkt) against its raw bytes
 * (buf, len >= pkt->length) and the session's state, by §6.7.2-§6.7.4
 * (with erratum 7083: the state changes only for a packet that is
 * accepted). The sequence window is bfd.RcvAuthSeq to bfd.RcvAuthSeq +
 * 3 * Detect Mult inclusive (keyed), or from bfd.RcvAuthSeq + 1
 * (meticulous), modulo 2^32, where Detect Mult is the received packet's
 * field. On AUTH_OK updates st (rcv_seq, rcv_seq_known, last_rx = now).
 * kr NULL or type none: AUTH_OK without an auth section, else
 * AUTH_NOT_EXPECTED. Returns enum auth_result.
 */
int auth_verify(const struct auth_keyring *kr, struct auth_state *st,
		const struct bfd_packet *pkt, const uint8_t *buf, size_t len, mtime_t now);

/* Stable token per result for drop counters ("ok", "auth_missing", ...); never NULL. */
const char *auth_result_name(int r);

/* Short human text for logs; never NULL. */
const char *auth_result_str(int r);

/*
 * meshroute's own messages between daemons (relay advertisements, link
 * reports) are signed with the BFD key ring whatever its type: an
 * HMAC-SHA256 over the message, keyed with the secret of one key.  The
 * policy is the same for every message: an HMAC is required exactly when
 * the ring is in use, keys[0] signs, every key of the ring verifies (key
 * rollover), and the comparison takes constant time.
 */
#define AUTH_MSG_MAC_LEN 32

enum auth_msg_result {
	AUTH_MSG_OK = 0,
	AUTH_MSG_MISSING,	/* authentication configured, no HMAC */
	AUTH_MSG_UNEXPECTED,	/* HMAC present, no authentication configured */
	AUTH_MSG_UNKNOWN_KEY,	/* key id not in the key file */
	AUTH_MSG_BAD_MAC,	/* HMAC does not match */
};

/*
 * HMAC of body (len bytes) with keys[0] into mac; kr must be in use.  The
 * body names that key (kr->keys[0].id) where the message format says.
 */
void auth_msg_sign(const struct auth_keyring *kr, const uint8_t *body, size_t len,
		   uint8_t mac[AUTH_MSG_MAC_LEN]);

/*
 * Checks a message's HMAC (mac NULL: it carries none) made with key_id
 * over body.  Returns enum auth_msg_result.
 */
int auth_msg_verify(const struct auth_keyring *kr, const uint8_t *body, size_t len,
		    uint8_t key_id, const uint8_t *mac);

#endif
