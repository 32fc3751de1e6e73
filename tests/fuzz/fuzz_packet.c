// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: bfd_decode() on hostile datagrams, then the session state machine on what passes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "packet.h"
#include "session.h"

/*
 * The input is a train of datagrams: the first is decoded from the whole
 * input (so every length and any padding is tried), and while datagrams
 * decode the next one starts Length bytes later.  A single real packet is
 * thus a valid seed, and the fuzzer reaches packet sequences (Poll/Final,
 * Down -> Init -> Up -> Down) by appending packets.
 *
 * Each decoded packet goes to one session driven by a fake clock, as the
 * daemon's loop would drive it: timers fire in order up to the packet's
 * arrival, every requested packet is built and checked.  Two fields that the
 * session never reads steer the harness (RFC 5880 has no Echo here and the
 * peer's Diagnostic is only logged):
 *   Required Min Echo RX Interval: microseconds of silence before this packet;
 *   Diag 28..31 (reserved on the wire): a local event first (path down,
 *   admin down, admin up, new timers through a Poll Sequence).
 */

#define MAX_TIMER_STEPS 64	/* timer firings per gap; a longer gap is a late loop */
#define MAX_PACKETS 64

#define OP_PATH_DOWN 28
#define OP_ADMIN_DOWN 29
#define OP_ADMIN_UP 30
#define OP_SET_PARAMS 31

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

/* A decoded packet re-encodes to one that decodes to the same fields (Length aside). */
static void check_codec(const struct bfd_packet *p)
{
	uint8_t buf[BFD_MAX_PKT_LEN];
	struct bfd_packet q, norm = *p;
	size_t n;

	n = bfd_encode(p, buf, sizeof(buf));
	check(n >= BFD_HDR_LEN);
	check(bfd_decode(buf, n, &q) == BFD_DECODE_OK);
	check(q.length == n);
	norm.length = q.length;
	check(memcmp(&norm, &q, sizeof(q)) == 0);
}

static void check_session(const struct bfd_session *s)
{
	check(s->state <= BFD_STATE_UP);
	check(s->remote_state <= BFD_STATE_UP);
	check(s->local_diag < 32);
	/* AdminDown: packets are discarded, so no detection timer either. */
	check(s->state != BFD_STATE_ADMIN_DOWN || s->detect_deadline == MTIME_NEVER);
	/* Probing never stops by accident: only AdminDown or the peer's wish ends it. */
	check(s->state == BFD_STATE_ADMIN_DOWN || s->next_tx != MTIME_NEVER ||
	      s->remote_min_rx == 0 ||
	      (s->remote_demand && s->state == BFD_STATE_UP && s->remote_state == BFD_STATE_UP));
}

/* What the daemon does on out.send: build, then the peer must be able to take it. */
static void send_packet(struct bfd_session *s, mtime_t now)
{
	uint8_t buf[BFD_MAX_PKT_LEN];
	struct bfd_packet pkt, back;
	size_t n;

	bfd_session_build(s, &pkt, now);
	/* §6.8.7: never P and F together. */
	check(!(pkt.poll && pkt.final));
	check(pkt.state <= BFD_STATE_UP);
	check(pkt.my_discr == s->local_discr && pkt.my_discr != 0);
	check(pkt.detect_mult != 0);
	check(pkt.desired_min_tx_us > 0 && pkt.required_min_rx_us > 0);
	/* §6.8.3: not Up, at least the idle interval is advertised. */
	check(s->state == BFD_STATE_UP || pkt.desired_min_tx_us >= s->params.idle_tx_us);
	/* Transmitting: a positive interval, and the next packet strictly later. */
	check(bfd_session_tx_interval(s) > 0);
	check(s->next_tx == MTIME_NEVER || s->next_tx > now);
	/* Every packet we send passes a peer's bfd_decode(). */
	n = bfd_encode(&pkt, buf, sizeof(buf));
	check(n == BFD_HDR_LEN);
	check(bfd_decode(buf, n, &back) == BFD_DECODE_OK);
}

static void handle(struct bfd_session *s, const struct bfd_output *out, mtime_t now)
{
	check(!out->state_changed || (out->old_state <= BFD_STATE_UP &&
				      out->new_state <= BFD_STATE_UP &&
				      out->new_state == s->state));
	if (out->send)
		send_packet(s, now);
	check_session(s);
}

/* Runs the timers that fall due up to `until`, in order, like the loop. */
static mtime_t run_until(struct bfd_session *s, mtime_t now, mtime_t until)
{
	struct bfd_output out;
	mtime_t t;
	int i;

	for (i = 0; i < MAX_TIMER_STEPS; i++) {
		t = bfd_session_next_event(s);
		if (t > until)
			break;
		now = mtime_max(now, t);
		bfd_session_timer(s, now, &out);
		handle(s, &out, now);
	}
	return until;
}

static void local_event(struct bfd_session *s, const struct bfd_packet *pkt, mtime_t now)
{
	struct bfd_session_params p;
	struct bfd_output out;

	switch (pkt->diag) {
	case OP_PATH_DOWN:
		bfd_session_path_down(s, now, &out);
		break;
	case OP_ADMIN_DOWN:
		bfd_session_admin_down(s, BFD_DIAG_ADMIN_DOWN, now, &out);
		break;
	case OP_ADMIN_UP:
		bfd_session_admin_up(s, now, &out);
		break;
	case OP_SET_PARAMS:
		/* Timers in the config's ranges: interval 1ms..60s, mult 1..255. */
		p.desired_min_tx_us = 1000 + pkt->my_discr % 60000000;
		p.required_min_rx_us = 1000 + pkt->your_discr % 60000000;
		p.detect_mult = (uint8_t)(1 + pkt->detect_mult % 255);
		p.idle_tx_us = pkt->cpi ? 0 : 50000;
		bfd_session_set_params(s, &p, now, &out);
		break;
	default:
		return;
	}
	handle(s, &out, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bfd_session_params params = { 20000, 20000, 3, 50000 };
	struct bfd_session s;
	struct bfd_packet pkt;
	struct bfd_output out;
	mtime_t now = MTIME_S(1000), end;
	size_t off = 0;
	int npkt, rc;

	bfd_session_init(&s, &params, 0x4d520001, 1, now);
	for (npkt = 0; npkt < MAX_PACKETS && off < size; npkt++) {
		rc = bfd_decode(data + off, size - off, &pkt);
		check(rc >= 0 && rc < BFD_DECODE_ERR_MAX);
		check(bfd_decode_strerror(rc) != NULL && bfd_decode_errname(rc) != NULL);
		if (rc != BFD_DECODE_OK)
			break;
		/* What decode promises (RFC 5880 §6.8.6). */
		check(pkt.version == BFD_VERSION && pkt.detect_mult != 0 && !pkt.multipoint);
		check(pkt.my_discr != 0 && pkt.state <= BFD_STATE_UP);
		check(pkt.your_discr != 0 || pkt.state <= BFD_STATE_DOWN);
		check(pkt.length >= BFD_HDR_LEN && pkt.length <= size - off);
		check_codec(&pkt);

		now = run_until(&s, now, now + pkt.required_min_echo_rx_us);
		local_event(&s, &pkt, now);
		rc = bfd_session_rx(&s, &pkt, now, now, &out);
		check(rc == 0 || s.state == BFD_STATE_ADMIN_DOWN);
		handle(&s, &out, now);
		off += pkt.length;
	}
	/* Then silence: by the Detection Time the session must be down (§6.8.4). */
	end = s.detect_deadline == MTIME_NEVER ? now + MTIME_S(10) : mtime_max(now, s.detect_deadline);
	now = run_until(&s, now, end);
	bfd_session_timer(&s, now, &out);
	handle(&s, &out, now);
	check(s.state == BFD_STATE_DOWN || s.state == BFD_STATE_ADMIN_DOWN);
	return 0;
}
