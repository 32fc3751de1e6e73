/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BFD authentication (RFC 5880 §6.7): key file, signing and verifying Control packets. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>
#include <nettle/sha1.h>

#include "auth.h"
#include "config.h"

#define AUTH_LINE_MAX 256	/* bytes per key file line */

/* ---- key file ---- */

/* Longest secret for a type: §4.2 password 1..16, §4.3 MD5 key 16, §4.4 SHA1 key 20. */
static size_t key_max(uint8_t type)
{
	switch (type) {
	case BFD_AUTH_SIMPLE:
	case BFD_AUTH_KEYED_MD5:
	case BFD_AUTH_MET_KEYED_MD5:
		return 16;
	default:
		return AUTH_KEY_MAX;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Key ID: decimal 0..255, no sign, no leading garbage. 0 or -1. */
static int parse_id(const char *s, size_t n, uint8_t *id)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 3)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 255)
		return -1;
	*id = (uint8_t)v;
	return 0;
}

/*
 * One "KEYID SECRET" line (n bytes, no newline) into *k. Reports its own
 * error as name:line. 0 or -1.
 */
/* A secret given as hex:DIGITS (the digits, nd of them) into k; 0, or -1 with the error in errf. */
static int parse_hex_secret(const char *name, int line, const char *digits, size_t nd,
			    uint8_t type, struct auth_key *k, FILE *errf)
{
	size_t i, max = key_max(type);

	if (nd == 0 || nd % 2 != 0) {
		fprintf(errf, "%s:%d: key %u: hex: needs an even, nonzero number of "
			"hex digits\n", name, line, k->id);
		return -1;
	}
	if (nd / 2 > max) {
		fprintf(errf, "%s:%d: key %u: secret is %zu bytes, %s allows 1..%zu\n",
			name, line, k->id, nd / 2, config_auth_type_name(type), max);
		return -1;
	}
	for (i = 0; i < nd / 2; i++) {
		int hi = hexval((unsigned char)digits[2 * i]);
		int lo = hexval((unsigned char)digits[1 + 2 * i]);

		if (hi < 0 || lo < 0) {
			fprintf(errf, "%s:%d: key %u: hex: has a character that is "
				"not a hex digit\n", name, line, k->id);
			return -1;
		}
		k->secret[i] = (uint8_t)(hi << 4 | lo);
	}
	k->len = (uint8_t)(nd / 2);
	return 0;
}

static int parse_line(const char *name, int line, const char *s, size_t n, uint8_t type,
		      struct auth_key *k, FILE *errf)
{
	size_t i = 0, idlen, slen, max = key_max(type);
	const char *id, *sec;

	while (i < n && is_blank(s[i]))
		i++;
	id = s + i;
	while (i < n && !is_blank(s[i]))
		i++;
	idlen = (size_t)(s + i - id);
	while (i < n && is_blank(s[i]))
		i++;
	sec = s + i;
	while (i < n && !is_blank(s[i]))
		i++;
	slen = (size_t)(s + i - sec);
	while (i < n && is_blank(s[i]))
		i++;

	if (parse_id(id, idlen, &k->id) < 0) {
		fprintf(errf, "%s:%d: key id \"%.*s\" is not a number 0..255\n", name, line,
			(int)(idlen > 16 ? 16 : idlen), id);
		return -1;
	}
	if (slen == 0) {
		fprintf(errf, "%s:%d: key %u has no secret (want \"KEYID SECRET\")\n", name,
			line, k->id);
		return -1;
	}
	if (i < n) {
		/* Never echo the line: it holds a secret. */
		fprintf(errf, "%s:%d: key %u: text after the secret (a secret is one word; "
			"use hex: for spaces)\n", name, line, k->id);
		return -1;
	}

	memset(k->secret, 0, sizeof(k->secret));
	if (slen >= 4 && memcmp(sec, "hex:", 4) == 0)
		return parse_hex_secret(name, line, sec + 4, slen - 4, type, k, errf);
	if (slen > max) {
		fprintf(errf, "%s:%d: key %u: secret is %zu bytes, %s allows 1..%zu\n", name,
			line, k->id, slen, config_auth_type_name(type), max);
		return -1;
	}
	for (i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)sec[i];

		if (c < 0x20 || c == 0x7f) {
			fprintf(errf, "%s:%d: key %u: secret has a control character "
				"(use hex:)\n", name, line, k->id);
			return -1;
		}
	}
	memcpy(k->secret, sec, slen);
	k->len = (uint8_t)slen;
	return 0;
}

/* Parses n bytes of text (may lack a final newline). 0 or -1. */
static int parse_buf(const char *name, const char *text, size_t n, uint8_t type,
		     struct auth_keyring *kr, FILE *errf)
{
	const char *p = text, *end = text + n;
	int line = 0, err = 0, i;

	memset(kr, 0, sizeof(*kr));
	kr->type = type;
	if (type > BFD_AUTH_MET_KEYED_SHA1) {
		fprintf(errf, "%s: auth type %u is unknown\n", name, type);
		return -1;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t len = (size_t)(eol - p);
		struct auth_key k;
		size_t j = 0;

		line++;
		while (j < len && is_blank(p[j]))
			j++;
		if (j == len || p[j] == '#')
			goto next;
		if (memchr(p, '\0', len)) {
			fprintf(errf, "%s:%d: NUL byte in the key file\n", name, line);
			err = -1;
			goto next;
		}
		if (len > AUTH_LINE_MAX) {
			fprintf(errf, "%s:%d: line longer than %d bytes\n", name, line,
				AUTH_LINE_MAX);
			err = -1;
			goto next;
		}
		if (parse_line(name, line, p, len, type, &k, errf) < 0) {
			err = -1;
			goto next;
		}
		for (i = 0; i < kr->nkeys; i++) {
			if (kr->keys[i].id == k.id) {
				fprintf(errf, "%s:%d: key id %u is listed twice\n", name, line,
					k.id);
				err = -1;
				goto next;
			}
		}
		if (kr->nkeys == AUTH_MAX_KEYS) {
			fprintf(errf, "%s:%d: more than %d keys\n", name, line, AUTH_MAX_KEYS);
			err = -1;
			goto next;
		}
		kr->keys[kr->nkeys++] = k;
next:
		explicit_bzero(&k, sizeof(k));
		p = nl ? nl + 1 : end;
	}
	if (err == 0 && kr->nkeys == 0) {
		fprintf(errf, "%s: no keys (want lines \"KEYID SECRET\")\n", name);
		err = -1;
	}
	if (err < 0)
		auth_keyring_clear(kr);
	kr->type = type;
	return err;
}

int auth_keyring_parse(const char *name, const char *text, uint8_t type,
		       struct auth_keyring *kr, FILE *errf)
{
	return parse_buf(name, text, strlen(text), type, kr, errf);
}

int auth_keyring_load(const char *path, uint8_t type, struct auth_keyring *kr, FILE *errf)
{
	char *buf = NULL;
	struct stat sb;
	size_t n = 0;
	int fd, ret = -1;

	memset(kr, 0, sizeof(*kr));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(errf, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	/* fstat on the open file: no window between the check and the read. */
	if (fstat(fd, &sb) < 0) {
		fprintf(errf, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		fprintf(errf, "%s: not a regular file\n", path);
		goto out;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		fprintf(errf, "%s: mode %04o gives group or others access to the keys; "
			"run chmod 600 %s\n", path, (unsigned)(sb.st_mode & 07777), path);
		goto out;
	}
	if (geteuid() == 0 && sb.st_uid != 0) {
		fprintf(errf, "%s: owned by uid %u, not root; run chown root %s\n", path,
			(unsigned)sb.st_uid, path);
		goto out;
	}
	if (sb.st_size > AUTH_FILE_MAX) {
		fprintf(errf, "%s: larger than %d bytes\n", path, AUTH_FILE_MAX);
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		fprintf(errf, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, (size_t)sb.st_size + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(errf, "%s: %s\n", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)sb.st_size) {
			fprintf(errf, "%s: file grew while being read\n", path);
			goto out;
		}
	}
	ret = parse_buf(path, buf, n, type, kr, errf);
out:
	if (buf) {
		explicit_bzero(buf, (size_t)sb.st_size + 1);
		free(buf);
	}
	close(fd);
	return ret;
}

void auth_keyring_clear(struct auth_keyring *kr)
{
	explicit_bzero(kr, sizeof(*kr));
}

/* The key with that Auth Key ID, NULL if the ring has none. */
static const struct auth_key *auth_key_find(const struct auth_keyring *kr, uint8_t id)
{
	int i;

	for (i = 0; i < kr->nkeys; i++)
		if (kr->keys[i].id == id)
			return &kr->keys[i];
	return NULL;
}

/* ---- per-session state ---- */

void auth_state_init(struct auth_state *st, uint32_t random_seq)
{
	memset(st, 0, sizeof(*st));
	st->xmit_seq = random_seq;
	st->rcv_seq_known = false;	/* §6.8.1: initialised to zero */
}

void auth_state_expire(struct auth_state *st, mtime_t now, uint32_t detect_us)
{
	if (st->rcv_seq_known && now - st->last_rx >= 2 * (mtime_t)detect_us)
		st->rcv_seq_known = false;
}

/* ---- transmit ---- */

bool auth_keyring_in_use(const struct auth_keyring *kr)
{
	return kr && kr->type != BFD_AUTH_NONE && kr->nkeys > 0;
}

static bool is_md5(uint8_t type)
{
	return type == BFD_AUTH_KEYED_MD5 || type == BFD_AUTH_MET_KEYED_MD5;
}

/* MD5 and SHA1 types carry a digest; simple password (and none) do not. */
static bool has_digest(uint8_t type)
{
	return is_md5(type) || type == BFD_AUTH_KEYED_SHA1 || type == BFD_AUTH_MET_KEYED_SHA1;
}

static bool is_meticulous(uint8_t type)
{
	return type == BFD_AUTH_MET_KEYED_MD5 || type == BFD_AUTH_MET_KEYED_SHA1;
}

bool auth_counts_packets(const struct auth_keyring *kr)
{
	return auth_keyring_in_use(kr) && is_meticulous(kr->type);
}

void auth_prepare(const struct auth_keyring *kr, struct auth_state *st, struct bfd_packet *pkt)
{
	const struct auth_key *k;

	memset(&pkt->auth, 0, sizeof(pkt->auth));
	pkt->auth_present = auth_keyring_in_use(kr);
	if (!pkt->auth_present)
		return;
	k = &kr->keys[0];
	pkt->auth.type = kr->type;
	pkt->auth.key_id = k->id;
	if (kr->type == BFD_AUTH_SIMPLE) {
		/* §6.7.2: the password goes in the clear. */
		pkt->auth.len = (uint8_t)(3 + k->len);
		memcpy(pkt->auth.password, k->secret, k->len);
		pkt->auth.password_len = k->len;
		return;
	}
	/* §4.3/§4.4: Auth Len 24 (MD5) or 28 (SHA1); the digest is filled by auth_sign(). */
	pkt->auth.len = is_md5(kr->type) ? 24 : 28;
	/*
	 * §6.7.3/§6.7.4: meticulous increments bfd.XmitAuthSeq on every packet;
	 * keyed at least when the contents change, and every packet is simplest.
	 * The receiver's window (3 * Detect Mult) covers the losses before its
	 * detection timer fires.
	 */
	pkt->auth.seq = st->xmit_seq++;
}

/*
 * The digest of the first len bytes of pkt with the key, zero-padded to the
 * digest size, in the digest field at off (§6.7.3/§6.7.4). 0, or -EINVAL
 * when dlen is not the type's digest size (callers check that the packet's
 * Auth Type is the ring's, so it is). Nettle's hashes themselves cannot
 * fail: no provider to load, no FIPS mode refusing MD5.
 */
static int digest(uint8_t type, const struct auth_key *k, const uint8_t *pkt, size_t len,
		   size_t off, size_t dlen, uint8_t out[SHA1_DIGEST_SIZE])
{
	uint8_t tmp[256];
	union {
		struct md5_ctx md5;
		struct sha1_ctx sha1;
	} ctx;

	if (dlen != (is_md5(type) ? MD5_DIGEST_SIZE : SHA1_DIGEST_SIZE))
		return -EINVAL;
	memcpy(tmp, pkt, len);
	memset(tmp + off, 0, dlen);
	memcpy(tmp + off, k->secret, k->len < dlen ? k->len : dlen);
	if (is_md5(type)) {
		md5_init(&ctx.md5);
		md5_update(&ctx.md5, len, tmp);
		md5_digest(&ctx.md5, MD5_DIGEST_SIZE, out);
	} else {
		sha1_init(&ctx.sha1);
		sha1_update(&ctx.sha1, len, tmp);
		sha1_digest(&ctx.sha1, SHA1_DIGEST_SIZE, out);
	}
	explicit_bzero(tmp, sizeof(tmp));
	explicit_bzero(&ctx, sizeof(ctx));
	return 0;
}

int auth_sign(const struct auth_keyring *kr, const struct bfd_packet *pkt, uint8_t *buf,
	      size_t len)
{
	uint8_t md[SHA1_DIGEST_SIZE];
	const struct auth_key *k;
	size_t off, dlen;
	int err;

	if (!pkt->auth_present)
		return auth_keyring_in_use(kr) ? -EINVAL : 0;
	if (!auth_keyring_in_use(kr) || pkt->auth.type != kr->type)
		return -EINVAL;
	if (!has_digest(kr->type))
		return 0;	/* simple password: already in the packet */
	off = bfd_auth_digest_offset(pkt, &dlen);
	k = auth_key_find(kr, pkt->auth.key_id);
	if (!k || off == 0 || off + dlen > len || len > 255)
		return -EINVAL;
	err = digest(kr->type, k, buf, len, off, dlen, md);
	if (err == 0)
		memcpy(buf + off, md, dlen);
	explicit_bzero(md, sizeof(md));
	return err;
}

/* ---- receive ---- */

int auth_verify(const struct auth_keyring *kr, struct auth_state *st,
		const struct bfd_packet *pkt, const uint8_t *buf, size_t len, mtime_t now)
{
	const struct bfd_auth *a = &pkt->auth;
	uint8_t md[SHA1_DIGEST_SIZE];
	const struct auth_key *k;
	size_t off, dlen;
	uint32_t ahead, window;
	bool same;

	/* §6.8.6: A bit set and bfd.AuthType zero, or the reverse: discard. */
	if (!auth_keyring_in_use(kr))
		return pkt->auth_present ? AUTH_NOT_EXPECTED : AUTH_OK;
	if (!pkt->auth_present)
		return AUTH_MISSING;
	/* §6.7.2-§6.7.4: wrong Auth Type, or a Key ID we do not have: discard. */
	if (a->type != kr->type)
		return AUTH_WRONG_TYPE;
	k = auth_key_find(kr, a->key_id);
	if (!k)
		return AUTH_UNKNOWN_KEY;

	if (kr->type == BFD_AUTH_SIMPLE) {
		/* §6.7.2: the Password must equal the key selected by the Key ID. */
		if (a->password_len != k->len ||
		    !memeql_sec(a->password, k->secret, k->len))
			return AUTH_BAD_PASSWORD;
		st->last_rx = now;
		return AUTH_OK;
	}

	/* bfd_decode() checked Auth Len (24 or 28, §6.7.3/§6.7.4) and Length <= len. */
	off = bfd_auth_digest_offset(pkt, &dlen);
	if (off == 0 || pkt->length > len || off + dlen > pkt->length)
		return AUTH_BAD_DIGEST;
	/* The digest covers "the entire BFD Control packet": Length bytes. */
	if (digest(kr->type, k, buf, pkt->length, off, dlen, md) < 0)
		return AUTH_BAD_DIGEST;
	/* memeql_sec: 1 when equal (the opposite sense of memcmp), in constant time. */
	same = memeql_sec(md, buf + off, dlen);
	explicit_bzero(md, sizeof(md));
	if (!same)
		return AUTH_BAD_DIGEST;

	/*
	 * §6.7.3/§6.7.4: with bfd.AuthSeqKnown, the sequence number must lie in
	 * bfd.RcvAuthSeq (+1 if meticulous) .. bfd.RcvAuthSeq + 3 * Detect Mult,
	 * in 32-bit circular space; the unsigned difference does the wrap.
	 */
	if (st->rcv_seq_known) {
		ahead = a->seq - st->rcv_seq;
		window = 3u * pkt->detect_mult;
		if (ahead > window || (is_meticulous(kr->type) && ahead == 0))
			return AUTH_SEQ_REPLAY;
	}
	/* Erratum 7083: learn the sequence only from a packet that is accepted. */
	st->rcv_seq = a->seq;
	st->rcv_seq_known = true;
	st->last_rx = now;
	return AUTH_OK;
}

static const char *const result_names[AUTH_RESULT_MAX] = {
	[AUTH_OK] = "ok",
	[AUTH_NOT_EXPECTED] = "auth_not_expected",
	[AUTH_MISSING] = "auth_missing",
	[AUTH_WRONG_TYPE] = "auth_wrong_type",
	[AUTH_UNKNOWN_KEY] = "auth_unknown_key",
	[AUTH_BAD_DIGEST] = "auth_bad_digest",
	[AUTH_BAD_PASSWORD] = "auth_bad_password",
	[AUTH_SEQ_REPLAY] = "auth_seq_replay",
};

static const char *const result_text[AUTH_RESULT_MAX] = {
	[AUTH_OK] = "ok",
	[AUTH_NOT_EXPECTED] = "authenticated packet, none configured",
	[AUTH_MISSING] = "unauthenticated packet, authentication configured",
	[AUTH_WRONG_TYPE] = "Auth Type differs from the configured one",
	[AUTH_UNKNOWN_KEY] = "Auth Key ID not in the key file",
	[AUTH_BAD_DIGEST] = "digest does not match (wrong key or altered packet)",
	[AUTH_BAD_PASSWORD] = "password does not match",
	[AUTH_SEQ_REPLAY] = "sequence number outside the window (replay or peer restart)",
};

const char *auth_result_name(int r)
{
	return r >= 0 && r < AUTH_RESULT_MAX ? result_names[r] : "?";
}

const char *auth_result_str(int r)
{
	return r >= 0 && r < AUTH_RESULT_MAX ? result_text[r] : "?";
}

/* ---- meshroute's own messages: HMAC-SHA256 with the same key ring ---- */

_Static_assert(AUTH_MSG_MAC_LEN == SHA256_DIGEST_SIZE, "a message MAC is a whole HMAC-SHA256");

static void msg_mac(const struct auth_key *k, const uint8_t *data, size_t len,
		    uint8_t out[AUTH_MSG_MAC_LEN])
{
	struct hmac_sha256_ctx ctx;

	hmac_sha256_set_key(&ctx, k->len, k->secret);
	hmac_sha256_update(&ctx, len, data);
	hmac_sha256_digest(&ctx, AUTH_MSG_MAC_LEN, out);
	/* The context holds the key's inner and outer pads. */
	explicit_bzero(&ctx, sizeof(ctx));
}

void auth_msg_sign(const struct auth_keyring *kr, const uint8_t *body, size_t len,
		   uint8_t mac[AUTH_MSG_MAC_LEN])
{
	msg_mac(&kr->keys[0], body, len, mac);
}

int auth_msg_verify(const struct auth_keyring *kr, const uint8_t *body, size_t len,
		    uint8_t key_id, const uint8_t *mac)
{
	uint8_t want[AUTH_MSG_MAC_LEN];
	const struct auth_key *k;
	int ok;

	if (auth_keyring_in_use(kr) && !mac)
		return AUTH_MSG_MISSING;
	if (!auth_keyring_in_use(kr))
		return mac ? AUTH_MSG_UNEXPECTED : AUTH_MSG_OK;
	k = auth_key_find(kr, key_id);
	if (!k)
		return AUTH_MSG_UNKNOWN_KEY;
	msg_mac(k, body, len, want);
	/* memeql_sec: 1 when equal, in constant time. */
	ok = memeql_sec(want, mac, AUTH_MSG_MAC_LEN);
	explicit_bzero(want, sizeof(want));
	return ok ? AUTH_MSG_OK : AUTH_MSG_BAD_MAC;
}
