// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: relay advertisements (advert_decode) on hostile datagrams, and the table they feed. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "advert.h"
#include "auth.h"
#include "fuzz_keys.h"

/*
 * Input: one control byte (bit 0: authentication configured), with bit 0
 * the key file text up to a NUL byte, then one datagram.  Seeds are written
 * by tests/fuzz/make-seeds.py (HMACs computed there, independently).
 *
 * Besides "no crash", checks what the daemon relies on: an accepted
 * message re-encodes to exactly its bytes (so nothing is accepted that the
 * format does not describe), its count and lifetime are within bounds, it
 * carries an HMAC exactly when authentication is configured, and the table
 * it feeds never reports a sender as reaching anything past its lifetime.
 */

#define NOW MTIME_S(1000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct advert_table t;
	struct auth_keyring kr;
	struct advert a;
	uint8_t out[ADVERT_MAX_LEN];
	const uint8_t *msg;
	size_t len, n;
	bool keyed;
	int err;

	if (!fuzz_keys(data, size, MR_AUTH_METICULOUS_KEYED_SHA1, &kr, &keyed, &msg, &len))
		return 0;
	err = advert_decode(msg, len, keyed ? &kr : NULL, &a);
	check(err >= 0 && err < ADVERT_ERR_MAX);
	check(advert_err_name(err) != NULL);
	if (err == ADVERT_OK) {
		check(a.npeers <= ADVERT_MAX_PEERS);
		check(a.lifetime_ms >= 1 && a.lifetime_ms <= ADVERT_MAX_LIFETIME_MS);
		check(!!(a.flags & ADVERT_F_MAC) == keyed);
		check(len <= ADVERT_MAX_LEN);
		/* Signed with the first key, it must come out byte for byte. */
		if (!keyed || a.key_id == kr.keys[0].id) {
			n = advert_encode(&a, keyed ? &kr : NULL, out, sizeof(out));
			check(n == len && memcmp(out, msg, len) == 0);
		}
		{
			int sender = (int)(a.seq % MR_MAX_NODES);
			mtime_t life = MTIME_MS(a.lifetime_ms);
			uint32_t reach = a.npeers ? (uint32_t)a.peers[0][3] : 0;
			bool changed;

			/* Fresh per input: runs must not depend on one another. */
			advert_table_clear(&t);
			check(advert_table_update(&t, sender, a.seq - 1, life, 0, NOW - 1, NULL) ==
			      ADVERT_ACCEPTED);
			check(advert_table_update(&t, sender, a.seq - 1, life, 0, NOW, NULL) ==
			      ADVERT_REPLAY);
			if (advert_table_update(&t, sender, a.seq, life, reach, NOW, &changed) ==
			    ADVERT_ACCEPTED) {
				check(advert_table_next_expiry(&t) <= NOW + life);
				check(advert_table_reaches(&t, sender, 0, NOW) == (reach & 1));
			}
			check(!advert_table_reaches(&t, sender, 0, NOW + life));
		}
	}
	auth_keyring_clear(&kr);
	return 0;
}
