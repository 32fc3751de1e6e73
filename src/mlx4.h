/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mellanox ConnectX-3 (mlx4) port types, through sysfs: list them and
 * switch them between InfiniBand and Ethernet (meshroutectl mlx4).
 *
 * The kernel's mlx4_core driver binds each card as a PCI device; the
 * device's directory (reached from /sys/bus/pci/drivers/mlx4_core/ADDRESS)
 * has one file per port, mlx4_port1, mlx4_port2, ...  Reading one gives
 * "ib\n", "eth\n", or "auto (ib)\n" / "auto (eth)\n" when the port type is
 * sensed; writing "ib\n", "eth\n" or "auto\n" (with the newline: the driver
 * compares whole strings) changes it.  The netdevs of a card are in the
 * device's net/ directory, each with dev_port = port - 1.
 *
 * Everything takes the sysfs root ("/sys" on a real system) so that the
 * unit tests run against a fake tree.
 */
#ifndef MESHROUTE_MLX4_H
#define MESHROUTE_MLX4_H

#include <stdbool.h>
#include <stdio.h>

#define MLX4_SYSFS_DEFAULT "/sys"
#define MLX4_DRIVER_DIR "bus/pci/drivers/mlx4_core"

struct mlx4_port {
	char pci[64];		/* PCI address, e.g. 0000:03:00.0 */
	int port;		/* 1-based; 0: the card has no mlx4_port files */
	char type[16];		/* "ib", "eth"; "" when unreadable */
	bool sensed;		/* "auto (...)": the type is auto-sensed */
	char netdevs[256];	/* its netdevs, space-separated; "" none */
	char path[1024];		/* the mlx4_portN file */
	int err;		/* errno of reading it, 0 if read */
};

struct mlx4_list {
	struct mlx4_port *ports;	/* by PCI address, then port number */
	size_t n;
};

/*
 * Scans SYSROOT (NULL: "/sys") for mlx4 ports.  Returns the number of
 * cards found (0 with no driver directory), or -1 on an error other than
 * that (out of memory, unreadable driver directory), reported on ERR.
 * Free the list with mlx4_list_free.
 */
int mlx4_scan(const char *sysroot, struct mlx4_list *list, FILE *err);
void mlx4_list_free(struct mlx4_list *list);

/* The type as people read it: "ib", "eth", "auto (eth)", "?" if unreadable. */
const char *mlx4_type_text(const struct mlx4_port *p, char *buf, size_t len);

/* "ib", "eth", "auto": true if TYPE is one the driver accepts. */
bool mlx4_type_valid(const char *type);

/*
 * Switches every mlx4 port under SYSROOT to TYPE: writes it to each port
 * whose type differs, then re-reads every port.  A card that accepts only
 * equal port types may refuse the first port until the second is written
 * too, so only the types read back at the end count.  Says what it did on
 * OUT, what failed on ERR.  0 if every port now has TYPE, -1 otherwise
 * (also when there is no mlx4 port at all).
 */
int mlx4_set(const char *sysroot, const char *type, FILE *out, FILE *err);

/*
 * meshroutectl mlx4 [--set TYPE] [--sysfs ROOT], ARGV[0] being "mlx4":
 * returns the exit status (0 done, 1 failed, 2 usage).
 */
int mlx4_command(int argc, char **argv, bool json, FILE *out, FILE *err);

#endif
