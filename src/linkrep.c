// SPDX-License-Identifier: GPL-2.0-or-later
/* Link reports: codec and HMAC (see linkrep.h). */
#include <string.h>
#include <sys/socket.h>

#include "linkrep.h"

static const uint8_t magic[4] = { 0x6d, 0x72, 0x4c, 0x52 };	/* "mrLR" */

static const char *const err_names[LINKREP_ERR_MAX] = {
	[LINKREP_OK] = "ok",
	[LINKREP_ERR_LENGTH] = "length",
	[LINKREP_ERR_MAGIC] = "magic",
	[LINKREP_ERR_VERSION] = "version",
	[LINKREP_ERR_FLAGS] = "flags",
	[LINKREP_ERR_ADDRESS] = "address",
	[LINKREP_ERR_SECTION] = "section",
	[LINKREP_ERR_DUPLICATE] = "duplicate",
	[LINKREP_ERR_LINK] = "link",
	[LINKREP_ERR_ENTRY] = "entry",
	[LINKREP_ERR_MAC_MISSING] = "mac_missing",
	[LINKREP_ERR_MAC_UNEXPECTED] = "mac_unexpected",
	[LINKREP_ERR_KEY] = "unknown_key",
	[LINKREP_ERR_MAC] = "bad_mac",
};

const char *linkrep_err_name(int err)
{
	return err >= 0 && err < LINKREP_ERR_MAX ? err_names[err] : "?";
}

bool linkrep_is(const uint8_t *buf, size_t len)
{
	return len >= sizeof(magic) && memcmp(buf, magic, sizeof(magic)) == 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* 1..15 printable bytes, then zeros to the end of the 16: an interface name. */
static bool port_name_ok(const uint8_t *p)
{
	size_t n = 0;

	while (n < 16 && p[n] > 0x20 && p[n] < 0x7f)
		n++;
	return n >= 1 && n <= 15 && all_zero(p + n, 16 - n);
}

static bool entry_ok(const struct linkrep_entry *e)
{
	return e->local_discr != 0 && e->kind >= LINKREP_KIND_IPV4 && e->kind <= LINKREP_KIND_MTU &&
	       e->state <= 3 && !(e->flags & ~LINKREP_E_ECHO) &&
	       ((e->flags & LINKREP_E_ECHO) || (e->echo_sent == 0 && e->echo_received == 0));
}

static size_t link_len(const struct linkrep_link *l)
{
	return LINKREP_SEC_HDR_LEN + LINKREP_LINK_LEN + (size_t)l->count * LINKREP_ENTRY_LEN;
}

static void link_encode(const struct linkrep_link *l, uint8_t *p)
{
	int i;

	p[0] = LINKREP_SEC_LINK;
	p[1] = 0;
	put16(p + 2, (uint16_t)(link_len(l) - LINKREP_SEC_HDR_LEN));
	p += LINKREP_SEC_HDR_LEN;
	memset(p, 0, LINKREP_LINK_LEN);
	memcpy(p, l->port, strnlen(l->port, 15));
	put64(p + 16, l->tx_us);
	put64(p + 24, l->echo_us);
	put32(p + 32, l->echo_us ? l->held_us : 0);
	p[36] = l->count;
	p += LINKREP_LINK_LEN;
	for (i = 0; i < l->count; i++, p += LINKREP_ENTRY_LEN) {
		const struct linkrep_entry *e = &l->e[i];
		bool echo = e->flags & LINKREP_E_ECHO;

		put32(p, e->local_discr);
		put32(p + 4, e->remote_discr);
		p[8] = e->kind;
		p[9] = e->state;
		p[10] = e->flags;
		p[11] = 0;
		put32(p + 12, e->sent);
		put32(p + 16, e->received);
		put32(p + 20, echo ? e->echo_sent : 0);
		put32(p + 24, echo ? e->echo_received : 0);
	}
}

size_t linkrep_encode(const struct linkrep *r, const struct auth_keyring *kr, uint8_t *buf,
		      size_t len)
{
	bool sign = auth_keyring_in_use(kr);
	size_t body = LINKREP_HDR_LEN, need;
	int i;

	if (r->sender.family != AF_INET && r->sender.family != AF_INET6)
		return 0;
	if (r->has_link) {
		struct linkrep_link tmp = r->link;

		if (r->link.count > LINKREP_MAX_ENTRIES)
			return 0;
		/* What is encoded must decode: the same checks. */
		memset(tmp.port, 0, sizeof(tmp.port));
		memcpy(tmp.port, r->link.port, strnlen(r->link.port, sizeof(tmp.port)));
		if (tmp.port[15] || !port_name_ok((const uint8_t *)tmp.port))
			return 0;
		for (i = 0; i < r->link.count; i++) {
			struct linkrep_entry e = r->link.e[i];

			if (!(e.flags & LINKREP_E_ECHO))
				e.echo_sent = e.echo_received = 0;
			if (!entry_ok(&e))
				return 0;
		}
		body += link_len(&r->link);
	}
	need = body + (sign ? LINKREP_MAC_LEN : 0);
	if (need > len || need > LINKREP_MAX_LEN)
		return 0;
	memcpy(buf, magic, sizeof(magic));
	buf[4] = LINKREP_VERSION;
	buf[5] = sign ? LINKREP_F_MAC : 0;
	buf[6] = sign ? kr->keys[0].id : 0;
	buf[7] = r->sender.family == AF_INET ? 4 : 6;
	memset(buf + 8, 0, 16);
	memcpy(buf + 8, r->sender.bytes, r->sender.family == AF_INET ? 4 : 16);
	put32(buf + 24, r->seq);
	if (r->has_link)
		link_encode(&r->link, buf + LINKREP_HDR_LEN);
	if (sign)
		auth_msg_sign(kr, buf, body, buf + body);
	return need;
}

static int link_decode(const uint8_t *p, size_t n, struct linkrep_link *l)
{
	int i;

	if (n < LINKREP_LINK_LEN || p[36] > LINKREP_MAX_ENTRIES ||
	    n != LINKREP_LINK_LEN + (size_t)p[36] * LINKREP_ENTRY_LEN || !all_zero(p + 37, 3) ||
	    !port_name_ok(p))
		return LINKREP_ERR_LINK;
	memset(l, 0, sizeof(*l));
	memcpy(l->port, p, 15);
	l->tx_us = get64(p + 16);
	l->echo_us = get64(p + 24);
	l->held_us = get32(p + 32);
	/* A hold without anything held would be believed by nobody: refused. */
	if (l->echo_us == 0 && l->held_us != 0)
		return LINKREP_ERR_LINK;
	l->count = p[36];
	p += LINKREP_LINK_LEN;
	for (i = 0; i < l->count; i++, p += LINKREP_ENTRY_LEN) {
		struct linkrep_entry *e = &l->e[i];

		e->local_discr = get32(p);
		e->remote_discr = get32(p + 4);
		e->kind = p[8];
		e->state = p[9];
		e->flags = p[10];
		e->sent = get32(p + 12);
		e->received = get32(p + 16);
		e->echo_sent = get32(p + 20);
		e->echo_received = get32(p + 24);
		if (p[11] != 0 || !entry_ok(e))
			return LINKREP_ERR_ENTRY;
	}
	return LINKREP_OK;
}

int linkrep_decode(const uint8_t *buf, size_t len, const struct auth_keyring *kr,
		   struct linkrep *out)
{
	bool has_mac;
	size_t body, off;
	int err;

	if (len < LINKREP_HDR_LEN || len > LINKREP_MAX_LEN)
		return LINKREP_ERR_LENGTH;
	if (!linkrep_is(buf, len))
		return LINKREP_ERR_MAGIC;
	if (buf[4] != LINKREP_VERSION)
		return LINKREP_ERR_VERSION;
	has_mac = buf[5] & LINKREP_F_MAC;
	/* Reserved bits, and a key id without an HMAC, would be ignored: refused instead. */
	if ((buf[5] & ~LINKREP_F_MAC) || (!has_mac && buf[6] != 0))
		return LINKREP_ERR_FLAGS;
	if (has_mac && len < LINKREP_HDR_LEN + LINKREP_MAC_LEN)
		return LINKREP_ERR_LENGTH;
	body = len - (has_mac ? LINKREP_MAC_LEN : 0);
	/* Authentication before anything of it is believed. */
	switch (auth_msg_verify(kr, buf, body, buf[6], has_mac ? buf + body : NULL)) {
	case AUTH_MSG_OK:
		break;
	case AUTH_MSG_MISSING:
		return LINKREP_ERR_MAC_MISSING;
	case AUTH_MSG_UNEXPECTED:
		return LINKREP_ERR_MAC_UNEXPECTED;
	case AUTH_MSG_UNKNOWN_KEY:
		return LINKREP_ERR_KEY;
	default:
		return LINKREP_ERR_MAC;
	}
	memset(out, 0, sizeof(*out));
	out->flags = buf[5];
	out->key_id = buf[6];
	if (buf[7] == 4 && all_zero(buf + 12, 12) && !all_zero(buf + 8, 4))
		out->sender.family = AF_INET;
	else if (buf[7] == 6 && !all_zero(buf + 8, 16))
		out->sender.family = AF_INET6;
	else
		return LINKREP_ERR_ADDRESS;
	memcpy(out->sender.bytes, buf + 8, out->sender.family == AF_INET ? 4 : 16);
	out->seq = get32(buf + 24);
	for (off = LINKREP_HDR_LEN; off < body;) {
		size_t n;

		if (body - off < LINKREP_SEC_HDR_LEN)
			return LINKREP_ERR_SECTION;
		n = get16(buf + off + 2);
		if (buf[off + 1] != 0 || body - off - LINKREP_SEC_HDR_LEN < n)
			return LINKREP_ERR_SECTION;
		switch (buf[off]) {
		case LINKREP_SEC_LINK:
			if (out->has_link)
				return LINKREP_ERR_DUPLICATE;
			err = link_decode(buf + off + LINKREP_SEC_HDR_LEN, n, &out->link);
			if (err != LINKREP_OK)
				return err;
			out->has_link = true;
			break;
		default:
			/* A later version's section: its own business. */
			if (out->skipped < UINT8_MAX)
				out->skipped++;
			break;
		}
		off += LINKREP_SEC_HDR_LEN + n;
	}
	return LINKREP_OK;
}
