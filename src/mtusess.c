// SPDX-License-Identifier: GPL-2.0-or-later
/* MTU sessions over the daemon's tables: gate, verdicts, flaps (mtusess.h). */
#include <string.h>

#include "mtusess.h"

/* The MTU session's bring-up takes a few of its packets: a few detection times. */
static mtime_t grace(const struct mr_config *cfg)
{
	return mtime_max(MTIME_S(1), (mtime_t)mtu_window(cfg) * 4);
}

void mtusess_params(const struct mr_config *cfg, struct bfd_session_params *p)
{
	memset(p, 0, sizeof(*p));
	p->detect_mult = cfg->multiplier;
	p->desired_min_tx_us = p->required_min_rx_us = mtu_interval(cfg);
	p->idle_tx_us = mtu_interval(cfg);
}

struct mr_sess *mtusess_of(const struct mtusess_view *v, const struct mr_port *port, int peer)
{
	int i;

	for (i = 0; i < v->nmsess; i++)
		if (v->msess[i].port == port && v->msess[i].peer == peer)
			return &v->msess[i];
	return NULL;
}

/* The regular session of the MTU session's family: what the verdict is about. */
static const struct mr_sess *regular_of(const struct mtusess_view *v, const struct mr_sess *m)
{
	int i;

	for (i = 0; i < v->nsess; i++)
		if (v->sess[i].port == m->port && v->sess[i].peer == m->peer &&
		    v->sess[i].local.family == m->local.family)
			return &v->sess[i];
	return NULL;
}

static void input_of(const struct mtusess_view *v, const struct mr_sess *m,
		     const struct mr_sess *reg, struct mtu_input *in)
{
	memset(in, 0, sizeof(*in));
	/*
	 * AdminDown is probing switched off: ours (also while we still tell
	 * the peer), or the peer's (a reload to mtu-probe = off), which gets no
	 * verdict rather than a link out until our own reload.
	 */
	in->probe = m->pad_to > 0 && m->bfd.state != BFD_STATE_ADMIN_DOWN && !m->peer_stopped;
	in->reg_up = reg && reg->bfd.state == BFD_STATE_UP;
	in->reg_up_since = reg ? reg->up_since : 0;
	in->mtu_up = m->bfd.state == BFD_STATE_UP;
	in->mtu_up_since = m->up_since;
	in->mtu_lost_at = m->mtu_lost_at;
	in->probe_since = m->probe_since;
	in->grace = grace(v->cfg);
}

void mtusess_gate(const struct mtusess_view *v, const struct mr_sess *s, mtime_t now,
		  bool in_service, bool *up, mtime_t *up_since)
{
	struct mr_sess *m = mtusess_of(v, s->port, s->peer);
	struct mtu_input in;

	if (!m)
		return;
	input_of(v, m, s, &in);
	mtu_gate(&in, now, in_service, up, up_since);
}

bool mtusess_judge(const struct mtusess_view *v, struct mr_sess *m, mtime_t now,
		   struct mtusess_change *chg)
{
	struct mtu_input in;
	enum mtu_verdict nv, old = (enum mtu_verdict)m->verdict;

	input_of(v, m, regular_of(v, m), &in);
	nv = mtu_judge(&in, now, &m->verdict_recheck);
	if (nv == old)
		return false;
	m->verdict = (uint8_t)nv;
	chg->old = old;
	chg->new = nv;
	chg->alert = nv == MTU_FAILED || (old == MTU_FAILED && nv == MTU_OK);
	chg->diag[0] = '\0';
	/* The peer's largest padded probe that reached us lately, 0 if none. */
	if (nv == MTU_FAILED)
		mtu_diag(m->pad_to, mtu_passes_now(m->passes, m->passes_at, now, mtu_window(v->cfg)),
			 chg->diag, sizeof(chg->diag));
	return true;
}

void mtusess_left_up(const struct mtusess_view *v, struct mr_sess *m,
		     const struct bfd_output *out, mtime_t half_life, mtime_t now)
{
	bool reg_up = false;
	int i;

	m->mtu_lost_at = now;
	/* Our AdminDown or the peer's: probing switched off, not a failure. */
	if (out->new_state != BFD_STATE_DOWN || m->bfd.remote_state == BFD_STATE_ADMIN_DOWN)
		return;
	for (i = 0; i < v->nsess; i++)
		reg_up |= v->sess[i].port == m->port && v->sess[i].peer == m->peer &&
			  v->sess[i].bfd.state == BFD_STATE_UP;
	if (!reg_up)
		return;
	m->flaps++;
	for (i = 0; i < v->nsess; i++)
		if (v->sess[i].port == m->port && v->sess[i].peer == m->peer)
			damp_flap(&v->sess[i].damp, now, half_life);
}

mtime_t mtusess_next_deadline(const struct mtusess_view *v)
{
	mtime_t t = MTIME_NEVER;
	int i;

	for (i = 0; i < v->nmsess; i++) {
		const struct mr_sess *m = &v->msess[i];

		if (!sess_idle(m, v->cfg->nnodes))
			t = mtime_min(t, bfd_session_next_event(&m->bfd));
		t = mtime_min(t, m->verdict_recheck);
	}
	return t;
}
