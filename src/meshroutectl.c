// SPDX-License-Identifier: GPL-2.0-or-later
/* meshroutectl: show and steer a running meshrouted. */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "meshroutectl: the control interface is not available in this version\n");
	return 1;
}
