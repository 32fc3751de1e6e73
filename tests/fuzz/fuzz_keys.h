/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The start of a keyed harness's input (fuzz_advert, fuzz_linkrep): one
 * control byte (bit 0: authentication configured), with bit 0 the key
 * file text up to a NUL byte; the message follows.
 */
#ifndef MR_FUZZ_KEYS_H
#define MR_FUZZ_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"

/*
 * Splits data into *keyed, the key ring (*kr, type `type`; zeroed when not
 * keyed) and the message (*msg, *len).  False: an input to skip (no NUL
 * after the key text, or a key file that does not parse).
 */
static inline bool fuzz_keys(const uint8_t *data, size_t size, uint8_t type,
			     struct auth_keyring *kr, bool *keyed, const uint8_t **msg, size_t *len)
{
	const uint8_t *nul;
	char text[512];
	size_t tl;
	FILE *devnull;
	int err;

	memset(kr, 0, sizeof(*kr));
	if (size < 1)
		return false;
	*keyed = data[0] & 1;
	*msg = data + 1;
	*len = size - 1;
	if (!*keyed)
		return true;
	nul = memchr(*msg, 0, *len);
	if (!nul || (size_t)(nul - *msg) >= sizeof(text))
		return false;
	tl = (size_t)(nul - *msg);
	memcpy(text, *msg, tl);
	text[tl] = '\0';
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		return false;
	err = auth_keyring_parse("fuzz.key", text, type, kr, devnull);
	fclose(devnull);
	if (err != 0)
		return false;
	*msg = nul + 1;
	*len = size - 1 - tl - 1;
	return true;
}

#endif
