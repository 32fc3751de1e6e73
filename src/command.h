/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket's commands: a table from request words to daemon calls. */
#ifndef MR_COMMAND_H
#define MR_COMMAND_H

#include <stdio.h>

/* control_fn for control_open(): arg is the struct mr_daemon. */
int command_run(void *arg, int argc, char **argv, FILE *out);

#endif
