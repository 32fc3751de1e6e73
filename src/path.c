// SPDX-License-Identifier: GPL-2.0-or-later
/* Path policy: fast ports wanted for a peer, with hold-down. */
#include <string.h>

#include "path.h"

void path_add_oif(struct path_result *p, int ifindex)
{
	int j;

	if (p->noif == PATH_MAX_OIF)
		return;
	/* Insertion sort: a stable order makes equal sets compare equal. */
	for (j = p->noif; j > 0 && p->oif[j - 1] > ifindex; j--)
		p->oif[j] = p->oif[j - 1];
	p->oif[j] = ifindex;
	p->noif++;
}

void path_select(const struct path_candidate *c, int n, mtime_t now, mtime_t hold_down,
		 struct path_result *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	out->recheck_at = MTIME_NEVER;
	for (i = 0; i < n; i++) {
		mtime_t eligible_at;

		if (!c[i].up || !c[i].usable || c[i].ifindex <= 0)
			continue;
		eligible_at = c[i].up_since + hold_down;
		if (eligible_at > now) {
			out->recheck_at = mtime_min(out->recheck_at, eligible_at);
			continue;
		}
		path_add_oif(out, c[i].ifindex);
	}
}

bool path_equal(const struct path_result *a, const struct path_result *b)
{
	return a->noif == b->noif &&
	       memcmp(a->oif, b->oif, (size_t)a->noif * sizeof(a->oif[0])) == 0;
}
