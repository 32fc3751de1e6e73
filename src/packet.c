// SPDX-License-Identifier: GPL-2.0-or-later
/* BFD Control packet codec, RFC 5880 §4 and the stateless checks of §6.8.6. */
#include <string.h>

#include "bytes.h"
#include "packet.h"

/* Byte 1 of the Mandatory Section, RFC 5880 §4.1: Sta(2) P F C A D M. */
#define BFD_FLAG_P 0x20
#define BFD_FLAG_F 0x10
#define BFD_FLAG_C 0x08
#define BFD_FLAG_A 0x04
#define BFD_FLAG_D 0x02
#define BFD_FLAG_M 0x01

/* Offsets inside the packet, §4.1-4.4. */
#define OFF_MY_DISCR 4
#define OFF_YOUR_DISCR 8
#define OFF_DESIRED_TX 12
#define OFF_REQUIRED_RX 16
#define OFF_REQUIRED_ECHO_RX 20
#define OFF_AUTH_TYPE 24
#define OFF_AUTH_LEN 25
#define OFF_AUTH_KEY_ID 26
#define OFF_AUTH_PASSWORD 27
#define OFF_AUTH_SEQ 28		/* after Key ID and a Reserved byte */
#define OFF_AUTH_DIGEST 32

/* §4.1: with the A bit, Length must cover at least Auth Type and Auth Len. */
#define BFD_HDR_AUTH_MIN_LEN 26

#define AUTH_SIMPLE_MIN_LEN (3 + 1)
#define AUTH_SIMPLE_MAX_LEN (3 + BFD_AUTH_PASSWORD_MAX)
#define AUTH_MD5_LEN 24
#define AUTH_SHA1_LEN 28

/* Digest size for the MD5/SHA1 types, 0 for the others. */
static size_t auth_digest_len(uint8_t type)
{
	switch (type) {
	case BFD_AUTH_KEYED_MD5:
	case BFD_AUTH_MET_KEYED_MD5:
		return BFD_AUTH_MD5_DIGEST_LEN;
	case BFD_AUTH_KEYED_SHA1:
	case BFD_AUTH_MET_KEYED_SHA1:
		return BFD_AUTH_SHA1_DIGEST_LEN;
	default:
		return 0;
	}
}

/*
 * Checks and decodes the Authentication Section that starts at buf[24];
 * avail is Length - 24, already known to be >= 2.
 */
static int decode_auth(const uint8_t *buf, size_t avail, struct bfd_auth *a)
{
	size_t dlen;

	a->type = buf[OFF_AUTH_TYPE];
	a->len = buf[OFF_AUTH_LEN];
	if (a->len > avail)
		return BFD_DECODE_AUTH;

	switch (a->type) {
	case BFD_AUTH_SIMPLE:
		/* §4.2: Auth Len is the password length plus three, password 1..16 bytes. */
		if (a->len < AUTH_SIMPLE_MIN_LEN || a->len > AUTH_SIMPLE_MAX_LEN)
			return BFD_DECODE_AUTH;
		a->key_id = buf[OFF_AUTH_KEY_ID];
		a->password_len = (uint8_t)(a->len - 3);
		memcpy(a->password, buf + OFF_AUTH_PASSWORD, a->password_len);
		return BFD_DECODE_OK;
	case BFD_AUTH_KEYED_MD5:
	case BFD_AUTH_MET_KEYED_MD5:
		/* §4.3: Auth Len is 24. */
		if (a->len != AUTH_MD5_LEN)
			return BFD_DECODE_AUTH;
		break;
	case BFD_AUTH_KEYED_SHA1:
	case BFD_AUTH_MET_KEYED_SHA1:
		/* §4.4: Auth Len is 28. */
		if (a->len != AUTH_SHA1_LEN)
			return BFD_DECODE_AUTH;
		break;
	default:
		/* 0 is Reserved and 6..255 unassigned (§4.1): nothing we can verify. */
		return BFD_DECODE_AUTH;
	}

	/* §4.3/§4.4: the Reserved byte is ignored on receipt. */
	dlen = auth_digest_len(a->type);
	a->key_id = buf[OFF_AUTH_KEY_ID];
	a->seq = get32(buf + OFF_AUTH_SEQ);
	memcpy(a->digest, buf + OFF_AUTH_DIGEST, dlen);
	return BFD_DECODE_OK;
}

int bfd_decode(const uint8_t *buf, size_t len, struct bfd_packet *out)
{
	memset(out, 0, sizeof(*out));
	if (len < BFD_HDR_LEN)
		return BFD_DECODE_SHORT;

	out->version = buf[0] >> 5;
	out->diag = buf[0] & 0x1f;
	out->state = buf[1] >> 6;
	out->poll = buf[1] & BFD_FLAG_P;
	out->final = buf[1] & BFD_FLAG_F;
	out->cpi = buf[1] & BFD_FLAG_C;
	out->auth_present = buf[1] & BFD_FLAG_A;
	out->demand = buf[1] & BFD_FLAG_D;
	out->multipoint = buf[1] & BFD_FLAG_M;
	out->detect_mult = buf[2];
	out->length = buf[3];
	out->my_discr = get32(buf + OFF_MY_DISCR);
	out->your_discr = get32(buf + OFF_YOUR_DISCR);
	out->desired_min_tx_us = get32(buf + OFF_DESIRED_TX);
	out->required_min_rx_us = get32(buf + OFF_REQUIRED_RX);
	out->required_min_echo_rx_us = get32(buf + OFF_REQUIRED_ECHO_RX);

	/* §6.8.6, in the RFC's order, so the first rule broken is the one reported. */
	if (out->version != BFD_VERSION)
		return BFD_DECODE_VERSION;
	if (out->length < (out->auth_present ? BFD_HDR_AUTH_MIN_LEN : BFD_HDR_LEN))
		return BFD_DECODE_LENGTH;
	/* Longer datagrams are fine: the excess is padding (RFC 9764). */
	if (out->length > len)
		return BFD_DECODE_LENGTH;
	if (out->detect_mult == 0)
		return BFD_DECODE_DETECT_MULT;
	/* Multipoint (RFC 8562) is not supported; §6.8.6 says discard. */
	if (out->multipoint)
		return BFD_DECODE_MULTIPOINT;
	if (out->my_discr == 0)
		return BFD_DECODE_MY_DISCR;
	/* A peer that has not learnt our discriminator must not claim the session is up. */
	if (out->your_discr == 0 && out->state != BFD_STATE_DOWN &&
	    out->state != BFD_STATE_ADMIN_DOWN)
		return BFD_DECODE_YOUR_DISCR;

	if (out->auth_present)
		return decode_auth(buf, (size_t)out->length - BFD_HDR_LEN, &out->auth);
	return BFD_DECODE_OK;
}

/* Auth Len for p's auth section, or 0 if it cannot be put on the wire. */
static size_t encode_auth_len(const struct bfd_auth *a)
{
	size_t alen;

	switch (a->type) {
	case BFD_AUTH_SIMPLE:
		if (a->password_len < 1 || a->password_len > BFD_AUTH_PASSWORD_MAX)
			return 0;
		alen = 3 + (size_t)a->password_len;
		break;
	case BFD_AUTH_KEYED_MD5:
	case BFD_AUTH_MET_KEYED_MD5:
		alen = AUTH_MD5_LEN;
		break;
	case BFD_AUTH_KEYED_SHA1:
	case BFD_AUTH_MET_KEYED_SHA1:
		alen = AUTH_SHA1_LEN;
		break;
	default:
		return 0;
	}
	/* A caller-set Auth Len that disagrees means the struct is inconsistent. */
	if (a->len != 0 && a->len != alen)
		return 0;
	return alen;
}

size_t bfd_encode(const struct bfd_packet *p, uint8_t *buf, size_t cap)
{
	const struct bfd_auth *a = &p->auth;
	size_t alen = 0, total;

	if (p->diag > 0x1f || p->state > BFD_STATE_UP)
		return 0;
	if (p->auth_present) {
		alen = encode_auth_len(a);
		if (alen == 0)
			return 0;
	}
	total = BFD_HDR_LEN + alen;
	if (cap < total)
		return 0;

	memset(buf, 0, total);
	buf[0] = (uint8_t)(BFD_VERSION << 5 | p->diag);
	buf[1] = (uint8_t)(p->state << 6 |
			   (p->poll ? BFD_FLAG_P : 0) |
			   (p->final ? BFD_FLAG_F : 0) |
			   (p->cpi ? BFD_FLAG_C : 0) |
			   (p->auth_present ? BFD_FLAG_A : 0) |
			   (p->demand ? BFD_FLAG_D : 0) |
			   (p->multipoint ? BFD_FLAG_M : 0));
	buf[2] = p->detect_mult;
	buf[3] = (uint8_t)total;
	put32(buf + OFF_MY_DISCR, p->my_discr);
	put32(buf + OFF_YOUR_DISCR, p->your_discr);
	put32(buf + OFF_DESIRED_TX, p->desired_min_tx_us);
	put32(buf + OFF_REQUIRED_RX, p->required_min_rx_us);
	put32(buf + OFF_REQUIRED_ECHO_RX, p->required_min_echo_rx_us);
	if (!p->auth_present)
		return total;

	buf[OFF_AUTH_TYPE] = a->type;
	buf[OFF_AUTH_LEN] = (uint8_t)alen;
	buf[OFF_AUTH_KEY_ID] = a->key_id;
	if (a->type == BFD_AUTH_SIMPLE) {
		memcpy(buf + OFF_AUTH_PASSWORD, a->password, a->password_len);
		return total;
	}
	/* §4.3/§4.4: Reserved is zero on transmit (left by the memset). */
	put32(buf + OFF_AUTH_SEQ, a->seq);
	memcpy(buf + OFF_AUTH_DIGEST, a->digest, auth_digest_len(a->type));
	return total;
}

size_t bfd_auth_digest_offset(const struct bfd_packet *p, size_t *digest_len)
{
	size_t dlen = p->auth_present ? auth_digest_len(p->auth.type) : 0;

	if (digest_len)
		*digest_len = dlen;
	return dlen ? OFF_AUTH_DIGEST : 0;
}

static const char *const decode_errtext[BFD_DECODE_ERR_MAX] = {
	[BFD_DECODE_OK] = "ok",
	[BFD_DECODE_SHORT] = "datagram shorter than the 24-byte Mandatory Section",
	[BFD_DECODE_VERSION] = "Version is not 1",
	[BFD_DECODE_LENGTH] = "Length below minimum or beyond the datagram",
	[BFD_DECODE_DETECT_MULT] = "Detect Mult is zero",
	[BFD_DECODE_MULTIPOINT] = "Multipoint bit is set",
	[BFD_DECODE_MY_DISCR] = "My Discriminator is zero",
	[BFD_DECODE_YOUR_DISCR] = "Your Discriminator is zero in state Init or Up",
	[BFD_DECODE_AUTH] = "Authentication Section has unknown type or bad Auth Len",
};

static const char *const decode_errname[BFD_DECODE_ERR_MAX] = {
	[BFD_DECODE_OK] = "ok",
	[BFD_DECODE_SHORT] = "short",
	[BFD_DECODE_VERSION] = "version",
	[BFD_DECODE_LENGTH] = "length",
	[BFD_DECODE_DETECT_MULT] = "detect_mult",
	[BFD_DECODE_MULTIPOINT] = "multipoint",
	[BFD_DECODE_MY_DISCR] = "my_discr",
	[BFD_DECODE_YOUR_DISCR] = "your_discr",
	[BFD_DECODE_AUTH] = "auth",
};

const char *bfd_decode_strerror(int err)
{
	if (err < 0 || err >= BFD_DECODE_ERR_MAX)
		return "unknown decode error";
	return decode_errtext[err];
}

const char *bfd_decode_errname(int err)
{
	if (err < 0 || err >= BFD_DECODE_ERR_MAX)
		return "unknown";
	return decode_errname[err];
}

static const char *const state_names[] = {
	[BFD_STATE_ADMIN_DOWN] = "AdminDown",
	[BFD_STATE_DOWN] = "Down",
	[BFD_STATE_INIT] = "Init",
	[BFD_STATE_UP] = "Up",
};

static const char *const diag_names[] = {
	[BFD_DIAG_NONE] = "none",
	[BFD_DIAG_TIME_EXPIRED] = "time-expired",
	[BFD_DIAG_ECHO_FAILED] = "echo-failed",
	[BFD_DIAG_NEIGHBOR_DOWN] = "neighbor-down",
	[BFD_DIAG_FWD_RESET] = "forwarding-reset",
	[BFD_DIAG_PATH_DOWN] = "path-down",
	[BFD_DIAG_CONCAT_DOWN] = "concat-path-down",
	[BFD_DIAG_ADMIN_DOWN] = "admin-down",
	[BFD_DIAG_REV_CONCAT_DOWN] = "rev-concat-path-down",
};

const char *bfd_state_name(unsigned state)
{
	if (state >= sizeof(state_names) / sizeof(state_names[0]))
		return "?";
	return state_names[state];
}

const char *bfd_diag_name(unsigned diag)
{
	if (diag >= sizeof(diag_names) / sizeof(diag_names[0]))
		return "?";
	return diag_names[diag];
}

bool bfd_padded(const struct bfd_packet *p, size_t len)
{
	return len > p->length;
}
