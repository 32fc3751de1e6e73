// SPDX-License-Identifier: GPL-2.0-or-later
/* Path policy: fast ports wanted for a peer, with hold-down. */
#include <math.h>
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

void path_select(const struct path_candidate *c, int n, mtime_t now, struct path_result *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	out->recheck_at = MTIME_NEVER;
	for (i = 0; i < n; i++) {
		mtime_t eligible_at;

		if (!c[i].up || !c[i].usable || c[i].ifindex <= 0)
			continue;
		eligible_at = c[i].up_since + c[i].hold;
		if (eligible_at > now && !c[i].in_service) {
			/* Eligible when held long enough, or sooner if the damping decays. */
			out->recheck_at = mtime_min(out->recheck_at,
						    mtime_min(eligible_at, c[i].hold_changes_at));
			continue;
		}
		path_add_oif(out, c[i].ifindex);
	}
}

bool path_equal(const struct path_result *a, const struct path_result *b)
{
	return a->noif == b->noif &&
	       memcmp(a->oif, b->oif, (size_t)a->noif * sizeof(a->oif[0])) == 0 &&
	       a->relayed == b->relayed && (!a->relayed || a->relay_node == b->relay_node);
}

int path_relay_pick(const struct relay_candidate *c, int n)
{
	int i, best = -1;

	for (i = 0; i < n; i++) {
		if (c[i].oif <= 0 || !c[i].reaches)
			continue;
		if (best < 0 || c[i].node < c[best].node)
			best = i;
	}
	return best;
}

void path_relay_set(struct path_result *out, const struct relay_candidate *c)
{
	mtime_t recheck = out->recheck_at;

	memset(out, 0, sizeof(*out));
	out->recheck_at = recheck;
	out->oif[0] = c->oif;
	out->noif = 1;
	out->relayed = true;
	out->relay_node = c->node;
}

void path_for_forwarded(const struct path_result *own, struct path_result *out)
{
	memset(out, 0, sizeof(*out));
	out->recheck_at = MTIME_NEVER;
	if (own->relayed)
		return;		/* never relayed twice: the LAN */
	memcpy(out->oif, own->oif, sizeof(out->oif));
	out->noif = own->noif;
}

static double decayed(const struct damp *d, mtime_t now, mtime_t half_life)
{
	if (d->penalty <= 0 || half_life <= 0 || now <= d->at)
		return half_life <= 0 ? 0 : d->penalty;
	return d->penalty * exp2(-(double)(now - d->at) / (double)half_life);
}

void damp_flap(struct damp *d, mtime_t now, mtime_t half_life)
{
	d->penalty = fmin(decayed(d, now, half_life) + 1.0, DAMP_MAX_PENALTY);
	d->at = now;
}

mtime_t damp_hold(const struct damp *d, mtime_t now, mtime_t half_life, mtime_t hold_down,
		  mtime_t *changes_at)
{
	double p = decayed(d, now, half_life);
	int level = (int)floor(p) - DAMP_FREE;

	*changes_at = MTIME_NEVER;
	if (level <= 0)
		return hold_down;
	if (level > DAMP_MAX_LEVEL)
		level = DAMP_MAX_LEVEL;
	/* p falls below level + DAMP_FREE after half_life * log2(p / that). */
	*changes_at = now + (mtime_t)ceil((double)half_life *
					  log2(p / (level + DAMP_FREE))) + 1;
	return hold_down << level;
}
