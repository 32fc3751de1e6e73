// SPDX-License-Identifier: GPL-2.0-or-later
/* This process's privileges and memory (privs.h). */
#include <errno.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cap-ng.h>

#include "log.h"
#include "privs.h"

/*
 * Keeps the daemon's pages in RAM (lock-memory = yes), so that a host under
 * memory pressure cannot page out the probing path.  Pages allocated later
 * are locked too; they count against RLIMIT_MEMLOCK once privileges are
 * dropped, so the limit is lifted first where we may (root, or systemd's
 * LimitMEMLOCK=infinity in meshrouted.service).
 */
void privs_lock_memory(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	int flags = MCL_CURRENT | MCL_FUTURE;

	if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0 &&
	    (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur != RLIM_INFINITY)) {
		/* A finite limit: later allocations would fail, lock what is there. */
		log_warnx("lock-memory: RLIMIT_MEMLOCK is limited (raise it, e.g. "
			  "LimitMEMLOCK=infinity): only the memory allocated so far is locked");
		flags = MCL_CURRENT;
	}
	if (mlockall(flags) < 0)
		log_warn("lock-memory: mlockall");
	else
		log_debug("memory locked%s", flags & MCL_FUTURE ? ", also future allocations" : "");
}

int privs_drop(void)
{
	if (geteuid() != 0)
		return 0;
	/*
	 * Routes and SO_PRIORITY 7 need CAP_NET_ADMIN for as long as we run;
	 * nothing else is needed once the sockets exist.  Files we write
	 * later (/proc/sys/net/ipv4/conf/PORT/...) are root's own, so uid 0
	 * without CAP_DAC_OVERRIDE still may.
	 */
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN) < 0 ||
	    capng_apply(CAPNG_SELECT_BOTH) < 0) {
		log_warnx("could not drop capabilities; running with all of root's");
		return -EPERM;
	}
	log_debug("capabilities dropped to CAP_NET_ADMIN");
	return 0;
}
