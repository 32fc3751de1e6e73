/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BFD Control packet codec (RFC 5880 §4): bytes to struct and back, no I/O. */
#ifndef MR_PACKET_H
#define MR_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BFD_PORT_CONTROL 3784	/* RFC 5881 §4, single hop */
#define BFD_VERSION 1
#define BFD_HDR_LEN 24		/* Mandatory Section, RFC 5880 §4.1 */
#define BFD_MAX_PKT_LEN (24 + 28)	/* header + largest auth section (SHA1) */

enum bfd_state {
	BFD_STATE_ADMIN_DOWN = 0,
	BFD_STATE_DOWN = 1,
	BFD_STATE_INIT = 2,
	BFD_STATE_UP = 3,
};

/* RFC 5880 §4.1 "Diagnostic"; 9..31 are reserved but still decoded. */
enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_TIME_EXPIRED = 1,
	BFD_DIAG_ECHO_FAILED = 2,
	BFD_DIAG_NEIGHBOR_DOWN = 3,
	BFD_DIAG_FWD_RESET = 4,
	BFD_DIAG_PATH_DOWN = 5,
	BFD_DIAG_CONCAT_DOWN = 6,
	BFD_DIAG_ADMIN_DOWN = 7,
	BFD_DIAG_REV_CONCAT_DOWN = 8,
};

/* RFC 5880 §4.1 "Auth Type"; 0 is Reserved on the wire, so never valid with the A bit. */
enum bfd_auth_type {
	BFD_AUTH_NONE = 0,
	BFD_AUTH_SIMPLE = 1,
	BFD_AUTH_KEYED_MD5 = 2,
	BFD_AUTH_MET_KEYED_MD5 = 3,
	BFD_AUTH_KEYED_SHA1 = 4,
	BFD_AUTH_MET_KEYED_SHA1 = 5,
};

#define BFD_AUTH_PASSWORD_MAX 16	/* §4.2: 1 to 16 bytes */
#define BFD_AUTH_MD5_DIGEST_LEN 16	/* §4.3 */
#define BFD_AUTH_SHA1_DIGEST_LEN 20	/* §4.4 */

/* The Authentication Section, RFC 5880 §4.2-4.4. */
struct bfd_auth {
	uint8_t type;		/* enum bfd_auth_type */
	uint8_t len;		/* Auth Len as on the wire, bytes */
	uint8_t key_id;
	uint32_t seq;		/* MD5/SHA1 types, host order */
	uint8_t digest[20];	/* MD5 uses 16, SHA1 20 */
	uint8_t password[16];	/* simple password, 1..16 bytes, not NUL-terminated */
	uint8_t password_len;
};

/* One BFD Control packet, fields in host order. */
struct bfd_packet {
	uint8_t version, diag, state;	/* state: enum bfd_state; diag: enum bfd_diag */
	bool poll, final, cpi, auth_present, demand, multipoint;
	uint8_t detect_mult;
	uint8_t length;			/* Length field, bytes */
	uint32_t my_discr, your_discr;
	uint32_t desired_min_tx_us, required_min_rx_us, required_min_echo_rx_us;
	struct bfd_auth auth;		/* valid when auth_present */
};

enum bfd_decode_err {
	BFD_DECODE_OK = 0,
	BFD_DECODE_SHORT,
	BFD_DECODE_VERSION,
	BFD_DECODE_LENGTH,
	BFD_DECODE_DETECT_MULT,
	BFD_DECODE_MULTIPOINT,
	BFD_DECODE_MY_DISCR,
	BFD_DECODE_YOUR_DISCR,
	BFD_DECODE_AUTH,
	BFD_DECODE_ERR_MAX
};

/*
 * Decodes one datagram of len bytes into *out. Applies the RFC 5880 §6.8.6
 * checks that need no session: version, Length >= 24 (>= 26 with A bit),
 * Length <= datagram size, Detect Mult != 0, M bit clear, My Discriminator
 * != 0, Your Discriminator == 0 only in state Down or AdminDown; auth section:
 * type known, Auth Len consistent with the type (§4.2 simple 4..19, §4.3 MD5
 * 24, §4.4 SHA1 28) and within Length. Bytes beyond Length are ignored
 * (padding; RFC 9764 large packets rely on it).
 *
 * Returns enum bfd_decode_err. Unless the result is BFD_DECODE_SHORT, the
 * Mandatory Section fields of *out are filled even on error, so the caller can
 * log what it dropped; out->auth is meaningful only on BFD_DECODE_OK.
 */
int bfd_decode(const uint8_t *buf, size_t len, struct bfd_packet *out);

/*
 * RFC 9764: a datagram longer than the decoded packet's Length carries
 * padding (a large packet probing the path MTU).  p must come from a
 * successful bfd_decode() of those len bytes.
 */
bool bfd_padded(const struct bfd_packet *p, size_t len);

/* Short human text naming the field, for logs; never NULL. */
const char *bfd_decode_strerror(int err);

/* Short stable token per error for metrics labels ("ok", "short", ...); never NULL. */
const char *bfd_decode_errname(int err);

/*
 * Encodes p into buf. Version is always BFD_VERSION and Length is computed
 * (24, or 24 + Auth Len): p->version and p->length are ignored. With
 * auth_present, Auth Len is derived from the type (simple: 3 + password_len);
 * a nonzero p->auth.len that disagrees makes p invalid. MD5/SHA1 digest bytes
 * are written as given: the auth module fills them in place afterwards (see
 * bfd_auth_digest_offset()). Only wire representability is checked (diag <
 * 32, state < 4, known auth type, password 1..16): the §6.8.6 receive rules
 * are not enforced, so test tools can craft packets a peer must drop.
 * Returns bytes written, or 0 if cap is too small or p is invalid.
 */
size_t bfd_encode(const struct bfd_packet *p, uint8_t *buf, size_t cap);

/*
 * Offset of the Auth Key/Digest field inside the encoded form of p when p
 * carries MD5/SHA1 auth, with its size in *digest_len (may be NULL). Returns
 * 0 (and *digest_len = 0) if p has no digest.
 */
size_t bfd_auth_digest_offset(const struct bfd_packet *p, size_t *digest_len);

/* "AdminDown", "Down", "Init", "Up"; "?" otherwise. */
const char *bfd_state_name(unsigned state);

/* "none", "time-expired", ..., "rev-concat-path-down"; "?" otherwise. */
const char *bfd_diag_name(unsigned diag);

#endif
