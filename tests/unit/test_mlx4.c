// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of mlx4.c against a fake sysfs tree in a temporary directory,
 * laid out as the kernel's mlx4_core driver shows its cards:
 *
 *   ROOT/bus/pci/drivers/mlx4_core/{bind,unbind,uevent,module}
 *   ROOT/bus/pci/drivers/mlx4_core/0000:03:00.0 -> ROOT/devices/pci0000:00/0000:03:00.0
 *   ROOT/bus/pci/drivers/mlx4_core/0000:04:00.0 -> ROOT/devices/pci0000:00/0000:04:00.0
 *   .../0000:03:00.0/mlx4_port1 "ib", mlx4_port2 "auto (eth)", mlx4_port1_mtu,
 *                    net/ib0 (dev_port 0), net/enp3s0d1 (dev_port 1)
 *   .../0000:04:00.0: no mlx4_port files
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cap-ng.h>
#include <cmocka.h>

#include "mlx4.h"

static char root[64];
static char dev3[256], dev4[256];

static void mkdirs(const char *fmt, ...)
{
	char path[512], cmd[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static void put(const char *content, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

/* The whole content of a file of the tree, or "" if unreadable. */
static const char *get(const char *fmt, ...)
{
	static char buf[256];
	char path[512];
	va_list ap;
	size_t n;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	char drv[256], link[512];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/mr-mlx4-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(drv, sizeof(drv), "%s/bus/pci/drivers/mlx4_core", root);
	snprintf(dev3, sizeof(dev3), "%s/devices/pci0000:00/0000:03:00.0", root);
	snprintf(dev4, sizeof(dev4), "%s/devices/pci0000:00/0000:04:00.0", root);
	mkdirs("%s", drv);
	mkdirs("%s/module/mlx4_core", root);
	mkdirs("%s/net/ib0", dev3);
	mkdirs("%s/net/enp3s0d1", dev3);
	mkdirs("%s/net", dev4);
	put("", "%s/bind", drv);
	put("", "%s/unbind", drv);
	put("", "%s/uevent", drv);
	put("ib\n", "%s/mlx4_port1", dev3);
	put("auto (eth)\n", "%s/mlx4_port2", dev3);
	put("2048\n", "%s/mlx4_port1_mtu", dev3);
	put("0x1590\n", "%s/device", dev3);
	put("0\n", "%s/net/ib0/dev_port", dev3);
	put("1\n", "%s/net/enp3s0d1/dev_port", dev3);
	put("0x1003\n", "%s/device", dev4);
	/* As in sysfs: the driver's entries are symlinks to the devices. */
	snprintf(link, sizeof(link), "%s/0000:03:00.0", drv);
	if (symlink("../../../../devices/pci0000:00/0000:03:00.0", link) < 0)
		return -1;
	snprintf(link, sizeof(link), "%s/0000:04:00.0", drv);
	if (symlink("../../../../devices/pci0000:00/0000:04:00.0", link) < 0)
		return -1;
	snprintf(link, sizeof(link), "%s/module", drv);
	if (symlink("../../../../module/mlx4_core", link) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s'; rm -rf '%s'", root, root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Captured output of one call. */
struct capture {
	char *out, *err;
	size_t outlen, errlen;
	FILE *fo, *fe;
};

static void cap_open(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->fo = open_memstream(&c->out, &c->outlen);
	c->fe = open_memstream(&c->err, &c->errlen);
	assert_non_null(c->fo);
	assert_non_null(c->fe);
}

static void cap_close(struct capture *c)
{
	fclose(c->fo);
	fclose(c->fe);
}

static void cap_free(struct capture *c)
{
	free(c->out);
	free(c->err);
}

static void test_scan(void **state)
{
	struct mlx4_list l;
	char t[32];

	(void)state;
	assert_int_equal(mlx4_scan(root, &l, stderr), 2);
	assert_int_equal(l.n, 3);

	assert_string_equal(l.ports[0].pci, "0000:03:00.0");
	assert_int_equal(l.ports[0].port, 1);
	assert_string_equal(l.ports[0].type, "ib");
	assert_false(l.ports[0].sensed);
	assert_string_equal(l.ports[0].netdevs, "ib0");
	assert_int_equal(l.ports[0].err, 0);

	assert_string_equal(l.ports[1].pci, "0000:03:00.0");
	assert_int_equal(l.ports[1].port, 2);
	assert_string_equal(l.ports[1].type, "eth");
	assert_true(l.ports[1].sensed);
	assert_string_equal(mlx4_type_text(&l.ports[1], t, sizeof(t)), "auto (eth)");
	assert_string_equal(l.ports[1].netdevs, "enp3s0d1");

	/* The card without port files is listed, as such. */
	assert_string_equal(l.ports[2].pci, "0000:04:00.0");
	assert_int_equal(l.ports[2].port, 0);
	mlx4_list_free(&l);
}

static void test_list_text(void **state)
{
	struct capture c;
	char *argv[] = { "mlx4", "--sysfs", root, NULL };

	(void)state;
	cap_open(&c);
	assert_int_equal(mlx4_command(3, argv, false, c.fo, c.fe), 0);
	cap_close(&c);
	assert_string_equal(c.out,
		"PCI            PORT TYPE        NETDEV\n"
		"0000:03:00.0   1    ib          ib0\n"
		"0000:03:00.0   2    auto (eth)  enp3s0d1\n"
		"0000:04:00.0   -    (no ports)  -\n");
	assert_string_equal(c.err, "");
	cap_free(&c);
}

static void test_list_json(void **state)
{
	struct capture c;
	char *argv[] = { "mlx4", "--sysfs", root, NULL };

	(void)state;
	cap_open(&c);
	assert_int_equal(mlx4_command(3, argv, true, c.fo, c.fe), 0);
	cap_close(&c);
	assert_string_equal(c.out,
		"{\"cards\": [{\"pci\": \"0000:03:00.0\", \"ports\": ["
		"{\"port\": 1, \"type\": \"ib\", \"auto\": false, \"netdevs\": [\"ib0\"]}, "
		"{\"port\": 2, \"type\": \"eth\", \"auto\": true, \"netdevs\": [\"enp3s0d1\"]}]}, "
		"{\"pci\": \"0000:04:00.0\", \"ports\": []}]}\n");
	cap_free(&c);
}

static void test_set_eth(void **state)
{
	struct capture c;
	struct mlx4_list l;
	char *argv[] = { "mlx4", "--set", "eth", "--sysfs", root, NULL };

	(void)state;
	cap_open(&c);
	assert_int_equal(mlx4_command(5, argv, false, c.fo, c.fe), 0);
	cap_close(&c);
	assert_string_equal(c.err, "");
	assert_non_null(strstr(c.out, "0000:03:00.0 port 1: ib -> eth\n"));
	assert_non_null(strstr(c.out, "0000:03:00.0 port 2: auto (eth) -> eth\n"));
	assert_non_null(strstr(c.out, "port_type_array=2,2"));
	cap_free(&c);

	/* What the driver wants: the word and a newline, nothing else. */
	assert_string_equal(get("%s/mlx4_port1", dev3), "eth\n");
	assert_string_equal(get("%s/mlx4_port2", dev3), "eth\n");
	assert_string_equal(get("%s/mlx4_port1_mtu", dev3), "2048\n");
	assert_int_equal(mlx4_scan(root, &l, stderr), 2);
	assert_string_equal(l.ports[0].type, "eth");
	assert_false(l.ports[0].sensed);
	assert_string_equal(l.ports[1].type, "eth");
	assert_false(l.ports[1].sensed);
	mlx4_list_free(&l);

	/* Again: nothing to do, nothing written. */
	cap_open(&c);
	assert_int_equal(mlx4_set(root, "eth", c.fo, c.fe), 0);
	cap_close(&c);
	assert_string_equal(c.out, "0000:03:00.0 port 1: already eth\n"
				   "0000:03:00.0 port 2: already eth\n");
	assert_string_equal(c.err, "");
	cap_free(&c);

	/* And back to auto. */
	cap_open(&c);
	assert_int_equal(mlx4_set(root, "auto", c.fo, c.fe), 0);
	cap_close(&c);
	assert_string_equal(get("%s/mlx4_port1", dev3), "auto\n");
	/* The driver's default: no module option to keep. */
	assert_null(strstr(c.out, "port_type_array"));
	cap_free(&c);
}

/* InfiniBand is 1 in the module option, and the port already of the type stays unwritten. */
static void test_set_ib(void **state)
{
	struct capture c;

	(void)state;
	cap_open(&c);
	assert_int_equal(mlx4_set(root, "ib", c.fo, c.fe), 0);
	cap_close(&c);
	assert_string_equal(c.err, "");
	assert_non_null(strstr(c.out, "0000:03:00.0 port 1: already ib\n"));
	assert_non_null(strstr(c.out, "0000:03:00.0 port 2: auto (eth) -> ib\n"));
	assert_non_null(strstr(c.out, "port_type_array=1,1\""));
	assert_string_equal(get("%s/mlx4_port2", dev3), "ib\n");
	cap_free(&c);
}

/*
 * An unwritable port file (what a user other than root meets): a clear
 * error naming the file and the reason, exit status 1, the other port is
 * still switched.  Run in a child without capabilities, so that it also
 * holds when the tests run as root (CAP_DAC_OVERRIDE ignores file modes).
 */
static void test_set_unwritable(void **state)
{
	char outp[128], errp[128], port1[512];
	int status;
	pid_t pid;

	(void)state;
	snprintf(port1, sizeof(port1), "%s/mlx4_port1", dev3);
	snprintf(outp, sizeof(outp), "%s/out", root);
	snprintf(errp, sizeof(errp), "%s/err", root);
	assert_int_equal(chmod(port1, 0444), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "mlx4", "--set", "eth", "--sysfs", root, NULL };
		FILE *o = fopen(outp, "w"), *e = fopen(errp, "w");
		int rc;

		capng_clear(CAPNG_SELECT_BOTH);
		if (!o || !e || capng_apply(CAPNG_SELECT_BOTH) != 0)
			_exit(99);
		rc = mlx4_command(5, argv, false, o, e);
		fclose(o);
		fclose(e);
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_string_equal(get("%s/mlx4_port1", dev3), "ib\n");
	assert_string_equal(get("%s/mlx4_port2", dev3), "eth\n");
	{
		char want[700];

		snprintf(want, sizeof(want), "meshroutectl: 0000:03:00.0 port 1: cannot write \"eth\" to "
			 "%s/bus/pci/drivers/mlx4_core/0000:03:00.0/mlx4_port1: Permission denied", root);
		assert_non_null(strstr(get("%s", errp), want));
	}
	assert_non_null(strstr(get("%s", outp), "0000:03:00.0 port 2: auto (eth) -> eth\n"));
}

/* The driver takes the write but the type stays (e.g. unsupported by the card). */
static void test_set_refused(void **state)
{
	struct capture c;
	char port2[512];

	(void)state;
	snprintf(port2, sizeof(port2), "%s/mlx4_port2", dev3);
	unlink(port2);
	/* Takes every write, reads back empty. */
	assert_int_equal(symlink("/dev/null", port2), 0);
	cap_open(&c);
	assert_int_equal(mlx4_set(root, "eth", c.fo, c.fe), -1);
	cap_close(&c);
	assert_non_null(strstr(c.out, "0000:03:00.0 port 1: ib -> eth\n"));
	assert_non_null(strstr(c.err, "0000:03:00.0 port 2: still ? after writing \"eth\""));
	cap_free(&c);
}

static void test_no_driver(void **state)
{
	struct capture c;
	struct mlx4_list l;
	char empty[128];
	char *argv[] = { "mlx4", "--sysfs", empty, NULL };

	(void)state;
	snprintf(empty, sizeof(empty), "%s/devices", root);
	assert_int_equal(mlx4_scan(empty, &l, stderr), 0);
	assert_int_equal(l.n, 0);
	mlx4_list_free(&l);

	cap_open(&c);
	assert_int_equal(mlx4_command(3, argv, false, c.fo, c.fe), 0);
	cap_close(&c);
	assert_non_null(strstr(c.out, "no mlx4 card"));
	cap_free(&c);

	cap_open(&c);
	assert_int_equal(mlx4_set(empty, "eth", c.fo, c.fe), -1);
	cap_close(&c);
	assert_non_null(strstr(c.err, "no mlx4 port to switch"));
	cap_free(&c);
}

static void test_usage(void **state)
{
	struct capture c;
	char *bad_type[] = { "mlx4", "--set", "infiniband", NULL };
	char *extra[] = { "mlx4", "eth", NULL };
	char *bad_opt[] = { "mlx4", "--force", NULL };

	(void)state;
	assert_false(mlx4_type_valid("ETH"));
	assert_true(mlx4_type_valid("ib"));
	cap_open(&c);
	assert_int_equal(mlx4_command(3, bad_type, false, c.fo, c.fe), 2);
	assert_int_equal(mlx4_command(2, extra, false, c.fo, c.fe), 2);
	assert_int_equal(mlx4_command(2, bad_opt, false, c.fo, c.fe), 2);
	cap_close(&c);
	assert_non_null(strstr(c.err, "port type \"infiniband\": use ib, eth or auto"));
	assert_non_null(strstr(c.err, "unexpected argument \"eth\""));
	assert_non_null(strstr(c.err, "bad option \"--force\""));
	cap_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_eth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_ib, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_unwritable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
