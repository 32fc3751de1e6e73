// SPDX-License-Identifier: GPL-2.0-or-later
/* Redundancy towards a peer (redund.h). */
#include "redund.h"

bool redund_judge(struct mr_redundancy *p, bool have_lan, bool fast, bool lan,
		  struct redund_change *chg)
{
	const char *what;

	if (!have_lan)
		return false;
	/* Only after both paths have been seen working once: start-up is not a loss. */
	if (fast && lan)
		p->seen = true;
	if (!p->seen || (fast && lan) == !p->lost)
		return false;
	p->lost = !(fast && lan);
	what = !fast && !lan ? "fast and LAN paths down" : !lan ? "LAN path down" :
	       "fast path down";
	if (p->lost)
		p->what = what;
	else
		what = p->what ? p->what : "?";	/* what was lost */
	chg->lost = p->lost;
	chg->old_state = p->lost ? "redundant" : what;
	chg->new_state = p->lost ? what : "redundant";
	return true;
}
