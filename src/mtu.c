// SPDX-License-Identifier: GPL-2.0-or-later
/* MTU verification verdicts (RFC 9764 padded BFD), pure. */
#include <stdio.h>
#include <sys/socket.h>

#include "config.h"
#include "mtu.h"

bool mtu_probe_wanted(int mode, unsigned port_mtu, bool was_jumbo)
{
	switch (mode) {
	case MR_MTU_PROBE_ON:
		return port_mtu > 0;
	case MR_MTU_PROBE_AUTO:
		return port_mtu > MTU_ETHERNET || (port_mtu > 0 && was_jumbo);
	default:
		return false;
	}
}

uint32_t mtu_your_discr(uint32_t remote_discr)
{
	return remote_discr ? remote_discr : MTU_BOOTSTRAP_DISCR;
}

bool mtu_demux_by_source(uint32_t your_discr, bool padded)
{
	return padded ? your_discr == MTU_BOOTSTRAP_DISCR : your_discr == 0;
}

static unsigned hdr_len(int family)
{
	return family == AF_INET6 ? MTU_IP6_UDP_HDR : MTU_IP4_UDP_HDR;
}

size_t mtu_payload_len(int family, unsigned mtu, size_t bfd_len)
{
	if (mtu < hdr_len(family) + bfd_len)
		return 0;
	return mtu - hdr_len(family);
}

unsigned mtu_ip_size(int family, size_t payload)
{
	return (unsigned)payload + hdr_len(family);
}

enum mtu_verdict mtu_judge(const struct mtu_input *in, mtime_t now, mtime_t *recheck_at)
{
	*recheck_at = MTIME_NEVER;
	if (!in->probe)
		return MTU_OFF;
	if (!in->reg_up)
		return MTU_UNKNOWN;
	mtime_t start = mtime_max(in->reg_up_since, in->probe_since);

	if (in->mtu_up)
		return MTU_OK;
	/* Lost while the small probes kept passing: no grace for that. */
	if (in->mtu_lost_at && in->mtu_lost_at >= start)
		return MTU_FAILED;
	if (now < start + in->grace) {
		*recheck_at = start + in->grace;
		return MTU_PENDING;
	}
	return MTU_FAILED;
}

void mtu_gate(const struct mtu_input *in, mtime_t now, bool in_service, bool *up,
	      mtime_t *up_since)
{
	mtime_t recheck;

	if (!in->probe || !*up)
		return;
	if (in->mtu_up) {
		*up_since = mtime_max(*up_since, in->mtu_up_since);
		return;
	}
	if (in_service && mtu_judge(in, now, &recheck) == MTU_PENDING)
		return;
	*up = false;
	*up_since = 0;
}

unsigned mtu_passes_now(unsigned passes, mtime_t at, mtime_t now, mtime_t window)
{
	return passes && now - at < window ? passes : 0;
}

const char *mtu_verdict_name(int v)
{
	static const char *const names[MTU_VERDICT_MAX] = {
		[MTU_OFF] = "off", [MTU_UNKNOWN] = "unknown", [MTU_PENDING] = "pending",
		[MTU_OK] = "ok", [MTU_FAILED] = "failed",
	};

	return v >= 0 && v < MTU_VERDICT_MAX ? names[v] : "?";
}

const char *mtu_diag(unsigned size, unsigned passes, char *buf, size_t len)
{
	if (passes >= size)
		snprintf(buf, len, "MTU %u not passing to the peer (its %u-byte probes arrive)",
			 size, passes);
	else if (passes)
		snprintf(buf, len, "MTU %u not passing, %u does", size, passes);
	else
		snprintf(buf, len, "MTU %u not passing, small probes do", size);
	return buf;
}
