// SPDX-License-Identifier: GPL-2.0-or-later
/* Prints every [global] default as config_write() writes it: the code's own defaults, for t_docs.sh. */
#include <stdio.h>

#include "config.h"

int main(void)
{
	static struct mr_config cfg;

	config_defaults(&cfg);
	config_write(&cfg, stdout);
	return 0;
}
