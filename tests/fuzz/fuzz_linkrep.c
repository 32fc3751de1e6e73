// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: link reports (linkrep_decode) on hostile datagrams. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "auth.h"
#include "fuzz_keys.h"
#include "linkrep.h"

/*
 * Input: one control byte (bit 0: authentication configured), with bit 0
 * the key file text up to a NUL byte, then one datagram.  Seeds are written
 * by tests/fuzz/make-seeds.py (HMACs computed there, independently).
 *
 * Besides "no crash", checks what the daemon relies on: an accepted
 * message carries an HMAC exactly when authentication is configured, its
 * sender is an IPv4 or IPv6 address, its port name is a short printable
 * string, every entry names a session (nonzero discriminator) of a known
 * kind and state, echo counts come only with the echo flag, a node table
 * stays within its bounds (entries, total, lifetime, states, per mille
 * values, a node exactly when a state other than none), and -- when
 * it has no sections of unknown types -- it re-encodes to exactly its
 * bytes, so nothing is accepted that the format does not describe.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static bool name_ok(const char *p, size_t min)
{
	size_t n = strnlen(p, 16), i;

	for (i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return false;
	return n >= min && n <= 15;
}

static void check_nodes(const struct linkrep_nodes *t)
{
	int i;

	check(t->count <= LINKREP_NT_MAX && t->total <= LINKREP_NT_MAX_TOTAL);
	check(t->first + t->count <= t->total);
	check(t->lifetime_ms >= 1 && t->lifetime_ms <= LINKREP_NT_MAX_LIFETIME_MS);
	for (i = 0; i < t->count; i++) {
		const struct linkrep_port *e = &t->p[i];
		bool none = e->node.family == 0;

		check(name_ok(e->port, 1) && name_ok(e->peer_port, 0));
		check(e->node.family == 0 || e->node.family == AF_INET ||
		      e->node.family == AF_INET6);
		check((e->expected.family == 0) == none);
		check(e->state < LINKREP_NS_MAX && (e->state == LINKREP_NS_NONE) == none);
		check(!none || e->peer_port[0] == '\0');
		check(e->loss_to <= 1000 || e->loss_to == LINKREP_NT_LOSS_UNKNOWN);
		check(e->loss_from <= 1000 || e->loss_from == LINKREP_NT_LOSS_UNKNOWN);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_keyring kr;
	struct linkrep r;
	uint8_t out[LINKREP_MAX_LEN];
	const uint8_t *msg;
	size_t len, n;
	bool keyed;
	int err, i;

	if (!fuzz_keys(data, size, BFD_AUTH_KEYED_SHA1, &kr, &keyed, &msg, &len))
		return 0;
	err = linkrep_decode(msg, len, keyed ? &kr : NULL, &r);
	check(err >= 0 && err < LINKREP_ERR_MAX);
	check(linkrep_err_name(err) != NULL);
	if (err == LINKREP_OK) {
		check(!!(r.flags & LINKREP_F_MAC) == keyed);
		check(r.sender.family == AF_INET || r.sender.family == AF_INET6);
		check(len <= LINKREP_MAX_LEN);
		if (r.has_link) {
			size_t pl = strnlen(r.link.port, sizeof(r.link.port));

			check(pl >= 1 && pl <= 15);
			for (n = 0; n < pl; n++)
				check(r.link.port[n] > 0x20 && r.link.port[n] < 0x7f);
			check(r.link.count <= LINKREP_MAX_ENTRIES);
			check(r.link.echo_us != 0 || r.link.held_us == 0);
			for (i = 0; i < r.link.count; i++) {
				const struct linkrep_entry *e = &r.link.e[i];

				check(e->local_discr != 0);
				check(e->kind >= LINKREP_KIND_IPV4 && e->kind <= LINKREP_KIND_MTU);
				check(e->state <= 3);
				check((e->flags & LINKREP_E_ECHO) ||
				      (e->echo_sent == 0 && e->echo_received == 0));
			}
		}
		if (r.has_nodes)
			check_nodes(&r.nodes);
		/* Signed with the first key and nothing skipped: byte for byte. */
		if (r.skipped == 0 && (!keyed || r.key_id == kr.keys[0].id)) {
			n = linkrep_encode(&r, keyed ? &kr : NULL, out, sizeof(out));
			check(n == len && memcmp(out, msg, len) == 0);
		}
	}
	auth_keyring_clear(&kr);
	return 0;
}
