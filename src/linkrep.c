// SPDX-License-Identifier: GPL-2.0-or-later
/* Link reports: codec and HMAC (see linkrep.h). */
#include <string.h>
#include <sys/socket.h>

#include "bytes.h"
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
	[LINKREP_ERR_NODES] = "nodes",
	[LINKREP_ERR_NODE] = "node",
};

const char *linkrep_err_name(int err)
{
	return err >= 0 && err < LINKREP_ERR_MAX ? err_names[err] : "?";
}

bool linkrep_is(const uint8_t *buf, size_t len)
{
	return len >= sizeof(magic) && memcmp(buf, magic, sizeof(magic)) == 0;
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

/* ---- section 2, node table ---- */

/* 0..15 printable bytes, then zeros: a port name or nothing (unknown). */
static bool opt_name_ok(const uint8_t *p)
{
	return all_zero(p, 16) || port_name_ok(p);
}

/* Family byte and 16 address bytes, as the header's sender, or family 0 and all zero. */
static bool addr_ok(uint8_t fam, const uint8_t *a)
{
	switch (fam) {
	case 0:
		return all_zero(a, 16);
	case 4:
		return all_zero(a + 4, 12) && !all_zero(a, 4);
	case 6:
		return !all_zero(a, 16);
	default:
		return false;
	}
}

static uint8_t addr_fam_byte(const struct mr_addr *a)
{
	return a->family == AF_INET ? 4 : a->family == AF_INET6 ? 6 : 0;
}

static void addr_put(uint8_t *p, const struct mr_addr *a)
{
	memset(p, 0, 16);
	if (a->family)
		memcpy(p, a->bytes, mr_addr_len(a->family));
}

static void addr_get(struct mr_addr *a, uint8_t fam, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->family = fam == 4 ? AF_INET : fam == 6 ? AF_INET6 : 0;
	if (a->family)
		memcpy(a->bytes, p, mr_addr_len(a->family));
}

static bool loss_ok(uint16_t v)
{
	return v <= 1000 || v == LINKREP_NT_LOSS_UNKNOWN;
}

/* The checks decode makes on an entry's bytes (and encode on what it would write). */
static bool node_entry_ok(const uint8_t *p)
{
	bool none = p[64] == 0;

	return port_name_ok(p) && opt_name_ok(p + 16) && addr_ok(p[64], p + 32) &&
	       addr_ok(p[65], p + 48) && (p[65] == 0) == none && p[66] < LINKREP_NS_MAX &&
	       (p[66] == LINKREP_NS_NONE) == none && (!none || all_zero(p + 16, 16)) &&
	       p[67] == 0 && loss_ok(get16(p + 84)) && loss_ok(get16(p + 86));
}

static void node_entry_put(uint8_t *p, const struct linkrep_port *e)
{
	memset(p, 0, LINKREP_NT_ENTRY_LEN);
	memcpy(p, e->port, strnlen(e->port, 15));
	memcpy(p + 16, e->peer_port, strnlen(e->peer_port, 15));
	addr_put(p + 32, &e->node);
	addr_put(p + 48, &e->expected);
	p[64] = addr_fam_byte(&e->node);
	p[65] = addr_fam_byte(&e->expected);
	p[66] = e->state;
	put64(p + 68, e->since_ms);
	put32(p + 76, e->rtt_us);
	put32(p + 80, e->jitter_us);
	put16(p + 84, e->loss_to);
	put16(p + 86, e->loss_from);
	put32(p + 88, e->flaps);
	put32(p + 92, e->detect_us);
	put32(p + 96, e->last_detect_us);
}

static void node_entry_get(const uint8_t *p, struct linkrep_port *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->port, p, 15);
	memcpy(e->peer_port, p + 16, 15);
	addr_get(&e->node, p[64], p + 32);
	addr_get(&e->expected, p[65], p + 48);
	e->state = p[66];
	e->since_ms = get64(p + 68);
	e->rtt_us = get32(p + 76);
	e->jitter_us = get32(p + 80);
	e->loss_to = get16(p + 84);
	e->loss_from = get16(p + 86);
	e->flaps = get32(p + 88);
	e->detect_us = get32(p + 92);
	e->last_detect_us = get32(p + 96);
}

static bool nodes_hdr_ok(uint8_t total, uint8_t first, uint8_t count, uint32_t lifetime_ms)
{
	return total <= LINKREP_NT_MAX_TOTAL && count <= LINKREP_NT_MAX &&
	       (unsigned)first + count <= total && (count > 0 || first == 0) && lifetime_ms >= 1 &&
	       lifetime_ms <= LINKREP_NT_MAX_LIFETIME_MS;
}

static size_t nodes_len(const struct linkrep_nodes *t)
{
	return LINKREP_SEC_HDR_LEN + LINKREP_NT_LEN + (size_t)t->count * LINKREP_NT_ENTRY_LEN;
}

/* Writes the section at p (nodes_len bytes); false when an entry is not representable. */
static bool nodes_encode(const struct linkrep_nodes *t, uint8_t *p)
{
	int i;

	if (!nodes_hdr_ok(t->total, t->first, t->count, t->lifetime_ms))
		return false;
	p[0] = LINKREP_SEC_NODES;
	p[1] = 0;
	put16(p + 2, (uint16_t)(nodes_len(t) - LINKREP_SEC_HDR_LEN));
	p += LINKREP_SEC_HDR_LEN;
	p[0] = t->total;
	p[1] = t->first;
	p[2] = t->count;
	p[3] = 0;
	put32(p + 4, t->lifetime_ms);
	p += LINKREP_NT_LEN;
	for (i = 0; i < t->count; i++, p += LINKREP_NT_ENTRY_LEN) {
		const struct linkrep_port *e = &t->p[i];

		/* Names that do not fit their 15 bytes, or unknown families, are refused. */
		if (strnlen(e->port, sizeof(e->port)) > 15 ||
		    strnlen(e->peer_port, sizeof(e->peer_port)) > 15 ||
		    (e->node.family && !addr_fam_byte(&e->node)) ||
		    (e->expected.family && !addr_fam_byte(&e->expected)))
			return false;
		node_entry_put(p, e);
		if (!node_entry_ok(p))
			return false;
	}
	return true;
}

static int nodes_decode(const uint8_t *p, size_t n, struct linkrep_nodes *t)
{
	int i;

	if (n < LINKREP_NT_LEN || p[3] != 0 || !nodes_hdr_ok(p[0], p[1], p[2], get32(p + 4)) ||
	    n != LINKREP_NT_LEN + (size_t)p[2] * LINKREP_NT_ENTRY_LEN)
		return LINKREP_ERR_NODES;
	memset(t, 0, sizeof(*t));
	t->total = p[0];
	t->first = p[1];
	t->count = p[2];
	t->lifetime_ms = get32(p + 4);
	p += LINKREP_NT_LEN;
	for (i = 0; i < t->count; i++, p += LINKREP_NT_ENTRY_LEN) {
		if (!node_entry_ok(p))
			return LINKREP_ERR_NODE;
		node_entry_get(p, &t->p[i]);
	}
	return LINKREP_OK;
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
	if (r->has_nodes)
		body += nodes_len(&r->nodes);
	need = body + (sign ? LINKREP_MAC_LEN : 0);
	if (need > len || need > LINKREP_MAX_LEN)
		return 0;
	/* Checked in place: what is encoded must decode. */
	if (r->has_nodes &&
	    !nodes_encode(&r->nodes, buf + body - nodes_len(&r->nodes)))
		return 0;
	memcpy(buf, magic, sizeof(magic));
	buf[4] = LINKREP_VERSION;
	buf[5] = sign ? LINKREP_F_MAC : 0;
	buf[6] = sign ? kr->keys[0].id : 0;
	buf[7] = r->sender.family == AF_INET ? 4 : 6;
	memset(buf + 8, 0, 16);
	memcpy(buf + 8, r->sender.bytes, mr_addr_len(r->sender.family));
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
	memcpy(out->sender.bytes, buf + 8, mr_addr_len(out->sender.family));
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
		case LINKREP_SEC_NODES:
			if (out->has_nodes)
				return LINKREP_ERR_DUPLICATE;
			err = nodes_decode(buf + off + LINKREP_SEC_HDR_LEN, n, &out->nodes);
			if (err != LINKREP_OK)
				return err;
			out->has_nodes = true;
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
