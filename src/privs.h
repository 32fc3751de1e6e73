/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the daemon asks of the kernel for itself once it is set up: its
 * memory locked (lock-memory = yes), and only the capability it needs from
 * then on (CAP_NET_ADMIN).  Each logs its own failure.
 */
#ifndef MR_PRIVS_H
#define MR_PRIVS_H

/* mlockall() of current and (where RLIMIT_MEMLOCK allows) future pages. */
void privs_lock_memory(void);

/*
 * The calling thread keeps CAP_NET_ADMIN only (nothing to do unless root).
 * 0, or -EPERM (logged: it runs on with root's).
 */
int privs_drop(void);

#endif
