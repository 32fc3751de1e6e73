// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: config_load_string() on any text; what loads must print, re-parse and compare equal. */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define NAME "fuzz.conf"
#define MAX_INPUT (64 * 1024)	/* config files are small; larger only slows the search */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

/*
 * Every error line is "fuzz.conf:LINE: msg" with 1 <= LINE <= lines + 1, or
 * the "fuzz.conf: N more errors not shown" summary.
 */
static void check_errors(const char *err, size_t len, int lines)
{
	const char *p = err, *end = err + len, *nl;
	const size_t plen = strlen(NAME ":");
	long line;
	char *num_end;

	check(len > 0 && err[len - 1] == '\n');
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		check(nl != NULL);
		check((size_t)(nl - p) > plen && memcmp(p, NAME ":", plen) == 0);
		if (p[plen] == ' ') {
			check(strstr(p, " more errors not shown\n") != NULL);
		} else {
			check(isdigit((unsigned char)p[plen]));
			line = strtol(p + plen, &num_end, 10);
			check(line >= 1 && line <= lines + 1);
			check(num_end[0] == ':' && num_end[1] == ' ' && num_end + 2 < nl);
		}
		p = nl + 1;
	}
}

static void check_loaded(const struct mr_config *cfg)
{
	struct mr_config again;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	check(cfg->nnodes >= 2 && cfg->nnodes <= MR_MAX_NODES);
	check(cfg->multiplier >= 1 && cfg->interval_us > 0 && cfg->lan_interval_us > 0);
	for (i = 0; i < cfg->nnodes; i++) {
		const struct mr_node *n = &cfg->nodes[i];

		check(n->nfast >= 1 && n->nfast <= MR_MAX_FAST);
		check(n->addr4.family || n->addr6.family);
		check(memchr(n->name, '\0', sizeof(n->name)) != NULL);
		/* Looking a node up by its name finds it. */
		check(config_find_self(cfg, n->name, NULL, 0, devnull) == i);
		/* ... and by one of its addresses (no address is on two nodes). */
		check(config_find_self(cfg, NULL, n->addr4.family ? &n->addr4 : &n->addr6, 1,
				       devnull) == i);
		config_print_plan(cfg, i, devnull);
	}

	/* config_write() output parses back to an equal config (golden round trip). */
	f = open_memstream(&text, &len);
	check(f != NULL);
	config_write(cfg, f);
	check(fclose(f) == 0);
	if (config_load_string("written.conf", text, &again, stderr) != 0) {
		fprintf(stderr, "--- config_write() output that does not load:\n%s", text);
		check(false);
	}
	check(config_equal(cfg, &again) && config_equal(&again, cfg));
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mr_config *cfg;
	char *text, *err = NULL;
	size_t errlen = 0, i;
	FILE *errf;
	int rc, lines = 1;

	if (size > MAX_INPUT)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	check(devnull != NULL);
	/* The daemon reads the file into a NUL-terminated buffer: an embedded NUL ends the text. */
	text = malloc(size + 1);
	cfg = malloc(sizeof(*cfg));
	check(text && cfg);
	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; i < size && text[i]; i++)
		lines += text[i] == '\n';

	errf = open_memstream(&err, &errlen);
	check(errf != NULL);
	rc = config_load_string(NAME, text, cfg, errf);
	check(fclose(errf) == 0);
	check(rc == 0 || rc == -1);
	if (rc == 0) {
		check(errlen == 0);	/* success is silent */
		check_loaded(cfg);
	} else {
		check_errors(err, errlen, lines);	/* failure always says why, with file:line */
	}
	free(err);
	free(cfg);
	free(text);
	return 0;
}
