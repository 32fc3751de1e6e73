// SPDX-License-Identifier: GPL-2.0-or-later
/* A session's probe loss, judged (sessloss.h). */
#include <stdio.h>

#include "log.h"
#include "loss.h"
#include "sessloss.h"

/*
 * A lossy link (a dying transceiver, a bad cable) keeps BFD Up while TCP
 * collapses.  Probe loss is counted in both directions from the senders'
 * own counts (loss.h: link reports, or meticulous authentication's
 * sequence numbers), so a late sender is never a lossy link.  When the
 * trip rule fires the session is set AdminDown (diagnostic Path Down), so
 * that both ends move their traffic; its probes and the reports go on
 * being counted, and it returns once the loss has fallen below a quarter
 * of max-loss over 30 s (hysteresis), then through the normal bring-up and
 * (damped) hold-down.  Without counts nothing is judged (said once).
 */

static const char *loss_dir_text(int dir)
{
	return dir == LOSS_TO_PEER ? "of our probes to the peer" : "of the peer's probes";
}

static const char *loss_src_text(int src, int dir)
{
	if (src == LOSS_SRC_AUTH)
		return "counted from the peer's authentication sequence numbers";
	return dir == LOSS_TO_PEER ? "counted by the peer, from its link reports" :
	       "counted from the peer's link reports";
}

/* "5.7" from lost/sent: tenths of a percent, rounded down. */
static void pct_str(const struct loss_count *c, char *buf, size_t len)
{
	uint64_t pm = c->sent && c->lost > 0 ? (uint64_t)c->lost * 1000 / c->sent : 0;

	snprintf(buf, len, "%u.%u", (unsigned)(pm / 10), (unsigned)(pm % 10));
}

/* Counts from the peer lately: reports that name the session, or auth sequence numbers. */
static bool loss_counted(const struct mr_sess *s, mtime_t now)
{
	return (s->report_at && now - s->report_at <= LOSS_STALE) || loss_fresh(&s->loss_from, now);
}

enum sessloss_action sessloss_check(struct mr_sess *s, const struct mr_config *cfg, mtime_t now,
				    struct sessloss_change *chg)
{
	unsigned max = cfg->max_loss_permille;
	const char *peer = cfg->nodes[s->peer].name;
	struct loss_verdict v;
	char addr[64], pct[16];

	chg->action = SESSLOSS_NONE;
	chg->diag[0] = '\0';
	s->loss_permille = loss_permille(&s->loss_from, now);
	s->loss_to_permille = loss_permille(&s->loss_to, now);
	if (s->port->lan || s->mtu || s->port->drained)
		return SESSLOSS_NONE;
	loss_judge(&s->loss_from, &s->loss_to, max, s->loss_out, s->loss_out_since, now, &v);
	pct_str(&v.c, pct, sizeof(pct));
	snprintf(chg->diag, sizeof(chg->diag), "loss %s%% %s peer", pct,
		 v.dir == LOSS_TO_PEER ? "to" : "from");
	mr_addr_str(&s->remote, addr, sizeof(addr));
	if (!s->loss_out && s->bfd.state == BFD_STATE_UP && v.action == LOSS_TRIP) {
		log_notice("%s (%s) via %s: %d of %u %s lost over the last %d s (%s%%, max-loss "
			   "%u.%u%%; %s): taken out of service", peer, addr, s->port->name,
			   (int)v.c.lost, v.c.sent, loss_dir_text(v.dir), (int)(v.width / MTIME_S(1)),
			   pct, max / 10, max % 10, loss_src_text(v.src, v.dir));
		s->loss_out = true;
		s->loss_out_since = now;
		chg->action = SESSLOSS_OUT;
		return chg->action;
	}
	if (!s->loss_out || v.action != LOSS_CLEAR)
		return SESSLOSS_NONE;
	if (!max)
		log_notice("%s (%s) via %s: max-loss is off: back in service", peer, addr,
			   s->port->name);
	else if (v.src != LOSS_SRC_NONE)
		log_notice("%s (%s) via %s: probe loss down to %d of %u over the last %d s "
			   "(%s%%, below a quarter of max-loss): back in service", peer, addr,
			   s->port->name, v.c.lost > 0 ? (int)v.c.lost : 0, v.c.sent,
			   (int)(v.c.span / MTIME_S(1)), pct);
	else
		log_notice("%s (%s) via %s: probe loss unknown for %d s (the peer sends no "
			   "counts any more): back in service", peer, addr, s->port->name,
			   (int)(LOSS_GIVE_UP / MTIME_S(1)));
	if (v.src == LOSS_SRC_NONE)
		snprintf(chg->diag, sizeof(chg->diag), "loss unknown");
	s->loss_out = false;
	chg->action = SESSLOSS_BACK;
	return chg->action;
}

enum sessloss_action sessloss_tick(struct mr_sess *s, const struct mr_config *cfg, mtime_t now,
				   struct sessloss_change *chg)
{
	const char *peer = cfg->nodes[s->peer].name;
	enum sessloss_action a;
	char addr[64];

	if (s->seq_valid && s->seq_at >= s->loss_reset_at &&
	    !(s->report_at && now - s->report_at <= LOSS_STALE)) {
		loss_sample(&s->loss_from, LOSS_SRC_AUTH, s->seq_key, s->bfd.local_discr, s->seq_last,
			    s->seq_rcvd, s->seq_at);
		s->seq_valid = false;
	}
	a = sessloss_check(s, cfg, now, chg);
	if (s->port->lan || s->mtu)
		return a;
	mr_addr_str(&s->remote, addr, sizeof(addr));
	if (loss_counted(s, now)) {
		if (s->loss_none_logged)
			log_info("%s (%s) via %s: probe loss counted again (%s)", peer, addr,
				 s->port->name, loss_src_name(s->loss_from.src));
		s->loss_none_logged = false;
		return a;
	}
	/* Taken out just now: not Up any more, as before. */
	if (s->loss_none_logged || !cfg->max_loss_permille || s->bfd.state != BFD_STATE_UP ||
	    a == SESSLOSS_OUT || now - s->up_since < SESSLOSS_NO_COUNTS_AFTER)
		return a;
	log_notice("%s (%s) via %s: loss: unknown, the peer sends no counts (no link reports, no "
		   "meticulous authentication): probe loss on this link is not judged", peer, addr,
		   s->port->name);
	s->loss_none_logged = true;
	return a;
}
