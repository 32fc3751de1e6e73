// SPDX-License-Identifier: GPL-2.0-or-later
/* Relay advertisements: codec, HMAC, and the table of what neighbours said. */
#include <string.h>

#include "advert.h"
#include "bytes.h"

static const uint8_t magic[4] = { 0x6d, 0x72, 0x52, 0x41 };	/* "mrRA" */

static const char *const err_names[ADVERT_ERR_MAX] = {
	[ADVERT_OK] = "ok",
	[ADVERT_ERR_LENGTH] = "length",
	[ADVERT_ERR_MAGIC] = "magic",
	[ADVERT_ERR_VERSION] = "version",
	[ADVERT_ERR_FLAGS] = "flags",
	[ADVERT_ERR_COUNT] = "count",
	[ADVERT_ERR_LIFETIME] = "lifetime",
	[ADVERT_ERR_MAC_MISSING] = "mac_missing",
	[ADVERT_ERR_MAC_UNEXPECTED] = "mac_unexpected",
	[ADVERT_ERR_KEY] = "unknown_key",
	[ADVERT_ERR_MAC] = "bad_mac",
};

const char *advert_err_name(int err)
{
	return err >= 0 && err < ADVERT_ERR_MAX ? err_names[err] : "?";
}

bool advert_is(const uint8_t *buf, size_t len)
{
	return len >= sizeof(magic) && memcmp(buf, magic, sizeof(magic)) == 0;
}

_Static_assert(ADVERT_MAC_LEN == AUTH_MSG_MAC_LEN, "the advert MAC is auth.h's message HMAC");

size_t advert_encode(const struct advert *a, const struct auth_keyring *kr, uint8_t *buf,
		     size_t len)
{
	bool sign = auth_keyring_in_use(kr);
	size_t body, need;
	int i;

	if (a->npeers > ADVERT_MAX_PEERS)
		return 0;
	body = ADVERT_HDR_LEN + 4 * (size_t)a->npeers;
	need = body + (sign ? ADVERT_MAC_LEN : 0);
	if (len < need)
		return 0;
	memcpy(buf, magic, sizeof(magic));
	buf[4] = ADVERT_VERSION;
	buf[5] = sign ? ADVERT_F_MAC : 0;
	buf[6] = a->npeers;
	buf[7] = sign ? kr->keys[0].id : 0;
	memcpy(buf + 8, a->sender, 4);
	put32(buf + 12, a->seq);
	put32(buf + 16, a->lifetime_ms);
	for (i = 0; i < a->npeers; i++)
		memcpy(buf + ADVERT_HDR_LEN + 4 * i, a->peers[i], 4);
	if (sign)
		auth_msg_sign(kr, buf, body, buf + body);
	return need;
}

int advert_decode(const uint8_t *buf, size_t len, const struct auth_keyring *kr,
		  struct advert *out)
{
	size_t body;
	int i;

	if (len < ADVERT_HDR_LEN)
		return ADVERT_ERR_LENGTH;
	if (memcmp(buf, magic, sizeof(magic)) != 0)
		return ADVERT_ERR_MAGIC;
	if (buf[4] != ADVERT_VERSION)
		return ADVERT_ERR_VERSION;
	/* Reserved bits, and a key id without an HMAC, would be ignored: refused instead. */
	if ((buf[5] & ~ADVERT_F_MAC) || (!(buf[5] & ADVERT_F_MAC) && buf[7] != 0))
		return ADVERT_ERR_FLAGS;
	if (buf[6] > ADVERT_MAX_PEERS)
		return ADVERT_ERR_COUNT;
	body = ADVERT_HDR_LEN + 4 * (size_t)buf[6];
	if (len != body + ((buf[5] & ADVERT_F_MAC) ? ADVERT_MAC_LEN : 0))
		return ADVERT_ERR_LENGTH;
	/* Authentication before anything of it is believed. */
	switch (auth_msg_verify(kr, buf, body, buf[7], (buf[5] & ADVERT_F_MAC) ? buf + body : NULL)) {
	case AUTH_MSG_OK:
		break;
	case AUTH_MSG_MISSING:
		return ADVERT_ERR_MAC_MISSING;
	case AUTH_MSG_UNEXPECTED:
		return ADVERT_ERR_MAC_UNEXPECTED;
	case AUTH_MSG_UNKNOWN_KEY:
		return ADVERT_ERR_KEY;
	default:
		return ADVERT_ERR_MAC;
	}
	if (get32(buf + 16) == 0 || get32(buf + 16) > ADVERT_MAX_LIFETIME_MS)
		return ADVERT_ERR_LIFETIME;
	memset(out, 0, sizeof(*out));
	out->flags = buf[5];
	out->key_id = buf[7];
	memcpy(out->sender, buf + 8, 4);
	out->seq = get32(buf + 12);
	out->lifetime_ms = get32(buf + 16);
	out->npeers = buf[6];
	for (i = 0; i < out->npeers; i++)
		memcpy(out->peers[i], buf + ADVERT_HDR_LEN + 4 * i, 4);
	return ADVERT_OK;
}

static bool alive(const struct advert_entry *e, mtime_t now)
{
	return e->valid && now < e->expires;
}

int advert_table_update(struct advert_table *t, int sender, uint32_t seq, mtime_t lifetime,
			uint32_t reach, mtime_t now, bool *changed)
{
	struct advert_entry *e;
	bool was;

	if (changed)
		*changed = false;
	if (sender < 0 || sender >= MR_MAX_NODES)
		return ADVERT_REPLAY;
	e = &t->e[sender];
	was = alive(e, now);
	/* Serial arithmetic: "newer" survives wrap-around; equal is a replay. */
	if (was && (int32_t)(seq - e->seq) <= 0)
		return ADVERT_REPLAY;
	if (changed)
		*changed = !was || e->reach != reach;
	e->valid = true;
	e->seq = seq;
	e->expires = now + lifetime;
	e->reach = reach;
	return ADVERT_ACCEPTED;
}

bool advert_table_reaches(const struct advert_table *t, int sender, int peer, mtime_t now)
{
	if (sender < 0 || sender >= MR_MAX_NODES || peer < 0 || peer >= MR_MAX_NODES)
		return false;
	return alive(&t->e[sender], now) && (t->e[sender].reach >> peer & 1u);
}

bool advert_table_expire(struct advert_table *t, mtime_t now)
{
	bool any = false;
	int i;

	for (i = 0; i < MR_MAX_NODES; i++) {
		if (t->e[i].valid && now >= t->e[i].expires) {
			/* The sequence number is kept: only liveness is lost. */
			t->e[i].valid = false;
			any = true;
		}
	}
	return any;
}

mtime_t advert_table_next_expiry(const struct advert_table *t)
{
	mtime_t n = MTIME_NEVER;
	int i;

	for (i = 0; i < MR_MAX_NODES; i++)
		if (t->e[i].valid)
			n = mtime_min(n, t->e[i].expires);
	return n;
}

void advert_table_clear(struct advert_table *t)
{
	memset(t, 0, sizeof(*t));
}
