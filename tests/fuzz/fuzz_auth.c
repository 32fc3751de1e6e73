// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: key file parser, and auth_verify() on hostile packets against the parsed keys. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "packet.h"

/*
 * Input: one byte of auth type (modulo 8, so 6 and 7 try unknown types),
 * the key file text up to a NUL byte, then one datagram.  Seeds are
 * written by tests/fuzz/make-seeds.py.
 *
 * Besides "no crash", checks what the daemon relies on: a parsed ring is
 * sane; a packet is accepted at most as the sequence window allows; every
 * key in the file verifies packets signed with it; and for MD5/SHA1 any
 * single bit changed in a signed packet is refused.
 */

#define NAME "fuzz.key"
#define NOW MTIME_S(1000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static bool is_digest(uint8_t type)
{
	return type >= BFD_AUTH_KEYED_MD5 && type <= BFD_AUTH_MET_KEYED_SHA1;
}

static bool is_meticulous(uint8_t type)
{
	return type == BFD_AUTH_MET_KEYED_MD5 || type == BFD_AUTH_MET_KEYED_SHA1;
}

static void check_ring(const struct auth_keyring *kr, uint8_t type)
{
	size_t max = (type == BFD_AUTH_KEYED_SHA1 || type == BFD_AUTH_MET_KEYED_SHA1 ||
		      type == BFD_AUTH_NONE) ? 20 : 16;
	int i, j;

	check(kr->type == type);
	check(kr->nkeys >= 1 && kr->nkeys <= AUTH_MAX_KEYS);
	for (i = 0; i < kr->nkeys; i++) {
		const struct auth_key *k = &kr->keys[i];

		check(k->len >= 1 && k->len <= max);
		for (j = k->len; j < AUTH_KEY_MAX; j++)
			check(k->secret[j] == 0);
		for (j = 0; j < i; j++)
			check(kr->keys[j].id != k->id);
	}
}

/* Errors are "fuzz.key:LINE: msg" or "fuzz.key: msg", one per line, never empty. */
static void check_errors(const char *err, size_t len)
{
	const char *p = err, *end = err + len, *nl;

	check(len > 0 && err[len - 1] == '\n');
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		check(nl && (size_t)(nl - p) > strlen(NAME ":") &&
		      memcmp(p, NAME ":", strlen(NAME ":")) == 0);
	}
}

/* The hostile packet against a fresh session state, then replayed. */
static void verify_input(const struct auth_keyring *kr, const uint8_t *buf, size_t len)
{
	struct bfd_packet pkt;
	struct auth_state st;
	int r, again;

	if (bfd_decode(buf, len, &pkt) != BFD_DECODE_OK)
		return;
	auth_state_init(&st, 0);
	r = auth_verify(kr, &st, &pkt, buf, len, NOW);
	check(r >= 0 && r < AUTH_RESULT_MAX);
	check(auth_result_name(r) != NULL && auth_result_str(r) != NULL);
	if (kr->type == BFD_AUTH_NONE) {
		check(r == (pkt.auth_present ? AUTH_NOT_EXPECTED : AUTH_OK));
		return;
	}
	if (r != AUTH_OK) {
		check(!st.rcv_seq_known);	/* erratum 7083: a refused packet teaches nothing */
		return;
	}
	check(pkt.auth_present && pkt.auth.type == kr->type);
	if (!is_digest(kr->type))
		return;
	check(st.rcv_seq_known && st.rcv_seq == pkt.auth.seq && st.last_rx == NOW);
	/* §6.7.3/§6.7.4: a replay passes only the keyed types' window. */
	again = auth_verify(kr, &st, &pkt, buf, len, NOW + 1);
	check(again == (is_meticulous(kr->type) ? AUTH_SEQ_REPLAY : AUTH_OK));
}

/* Signs a packet like the daemon does; returns its length. */
static size_t sign(const struct auth_keyring *kr, struct auth_state *st, struct bfd_packet *p,
		   uint8_t *buf)
{
	size_t n;

	auth_prepare(kr, st, p);
	n = bfd_encode(p, buf, BFD_MAX_PKT_LEN);
	check(n > 0);
	check(auth_sign(kr, p, buf, n) == 0);
	return n;
}

/* Every key of the ring, used to send, is accepted by a receiver with the same file. */
static void check_round_trip(const struct auth_keyring *kr, const struct bfd_packet *tmpl,
			     size_t flip)
{
	uint8_t buf[BFD_MAX_PKT_LEN];
	struct auth_keyring tx;
	struct bfd_packet p, got;
	struct auth_state st_tx, st_rx;
	size_t n;
	int i, r;

	for (i = 0; i < kr->nkeys; i++) {
		tx = *kr;
		tx.keys[0] = kr->keys[i];
		tx.keys[i] = kr->keys[0];
		p = *tmpl;
		auth_state_init(&st_tx, (uint32_t)flip * 2654435761u);
		n = sign(&tx, &st_tx, &p, buf);
		check(bfd_decode(buf, n, &got) == BFD_DECODE_OK);
		auth_state_init(&st_rx, 0);
		r = auth_verify(kr, &st_rx, &got, buf, n, NOW);
		check(r == AUTH_OK);
		if (kr->type == BFD_AUTH_NONE || !is_digest(kr->type))
			continue;
		/* The next packet from the same sender is in the window too. */
		p = *tmpl;
		n = sign(&tx, &st_tx, &p, buf);
		check(bfd_decode(buf, n, &got) == BFD_DECODE_OK);
		check(auth_verify(kr, &st_rx, &got, buf, n, NOW + 1) == AUTH_OK);
		/* One bit flipped anywhere in the packet: refused, whatever it hit. */
		buf[(flip / 8) % n] ^= (uint8_t)(1u << (flip % 8));
		auth_state_init(&st_rx, 0);
		if (bfd_decode(buf, n, &got) == BFD_DECODE_OK)
			check(auth_verify(kr, &st_rx, &got, buf, n, NOW) != AUTH_OK);
		buf[(flip / 8) % n] ^= (uint8_t)(1u << (flip % 8));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bfd_packet plain = {
		.version = BFD_VERSION, .state = BFD_STATE_UP, .detect_mult = 3,
		.my_discr = 0x11, .your_discr = 0x22,
		.desired_min_tx_us = 20000, .required_min_rx_us = 20000,
	};
	const uint8_t *nul, *pkt = NULL;
	struct auth_keyring kr;
	struct bfd_packet tmpl;
	char *text, *err = NULL;
	size_t errlen = 0, tlen, plen = 0;
	uint8_t type;
	FILE *errf;
	int rc;

	if (size < 1 || size > AUTH_FILE_MAX)
		return 0;
	type = data[0] % 8;
	nul = memchr(data + 1, '\0', size - 1);
	tlen = nul ? (size_t)(nul - (data + 1)) : size - 1;
	if (nul) {
		pkt = nul + 1;
		plen = size - (size_t)(pkt - data);
	}
	text = malloc(tlen + 1);
	check(text != NULL);
	memcpy(text, data + 1, tlen);
	text[tlen] = '\0';

	errf = open_memstream(&err, &errlen);
	check(errf != NULL);
	rc = auth_keyring_parse(NAME, text, type, &kr, errf);
	check(fclose(errf) == 0);
	check(rc == 0 || rc == -1);
	if (rc < 0) {
		check_errors(err, errlen);
		check(kr.nkeys == 0);	/* wiped */
	} else {
		check(errlen == 0);
		check_ring(&kr, type);
		if (pkt)
			verify_input(&kr, pkt, plen);
		/* The round trip uses the input's packet as template when it decodes. */
		tmpl = plain;
		if (pkt && bfd_decode(pkt, plen, &tmpl) != BFD_DECODE_OK)
			tmpl = plain;
		check_round_trip(&kr, &tmpl, size);
		auth_keyring_clear(&kr);
	}
	free(err);
	free(text);
	return 0;
}
