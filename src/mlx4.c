// SPDX-License-Identifier: GPL-2.0-or-later
/* mlx4 port types through sysfs: list and switch (see mlx4.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlx4.h"

static const char *root_or_default(const char *sysroot)
{
	return sysroot && *sysroot ? sysroot : MLX4_SYSFS_DEFAULT;
}

/* snprintf for paths: a truncated one is left empty (and then fails to open). */
static void pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';
}

/* strlcpy: SRC, truncated to fit. */
static void copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "mlx4_port<N>", N > 0 and digits only (not mlx4_port1_mtu): N, else 0. */
static int port_number(const char *name)
{
	const char *p = name + strlen("mlx4_port");
	long n;
	char *end;

	if (strncmp(name, "mlx4_port", strlen("mlx4_port")) != 0 || !isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	n = strtol(p, &end, 10);
	if (*end || errno || n <= 0 || n > 64)
		return 0;
	return (int)n;
}

/* Reads a small sysfs file into buf, trailing blanks removed: 0 or -errno. */
static int read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = -errno;	/* before close() can change it */
	close(fd);
	if (n < 0)
		return err;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

/* (Re-)reads p->path into p->type, p->sensed, p->err. */
static void port_read(struct mlx4_port *p)
{
	char buf[64], *t = buf;
	size_t l;

	p->type[0] = '\0';
	p->sensed = false;
	p->err = -read_small(p->path, buf, sizeof(buf));
	if (p->err)
		return;
	if (strncmp(buf, "auto", 4) == 0) {
		/* "auto (eth)" */
		p->sensed = true;
		t = buf + 4;
		while (*t == ' ' || *t == '(')
			t++;
		l = strcspn(t, ")");
		t[l] = '\0';
	}
	copy(p->type, sizeof(p->type), *t ? t : "?");
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_pci_device(const struct dirent *e)
{
	/* Not bind, unbind, new_id, module, uevent ...: "0000:03:00.0". */
	return e->d_name[0] != '.' && strchr(e->d_name, ':') != NULL;
}

static int is_port_file(const struct dirent *e)
{
	return port_number(e->d_name) > 0;
}

static int cmp_ports(const struct dirent **a, const struct dirent **b)
{
	return port_number((*a)->d_name) - port_number((*b)->d_name);
}

static int not_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void append_word(char *buf, size_t len, const char *w)
{
	size_t l = strlen(buf);

	snprintf(buf + l, len - l, "%s%s", l ? " " : "", w);
}

/*
 * The port (1-based) a netdev of the card belongs to, from its dev_port
 * (or, on old kernels, dev_id); 0 if not known.
 */
static int netdev_port(const char *devdir, const char *ifname)
{
	char path[PATH_MAX], buf[32], *end;
	const char *files[] = { "dev_port", "dev_id" };
	size_t i;
	long v;

	for (i = 0; i < 2; i++) {
		pathf(path, sizeof(path), "%s/net/%s/%s", devdir, ifname, files[i]);
		if (read_small(path, buf, sizeof(buf)) != 0 || !buf[0])
			continue;
		v = strtol(buf, &end, 0);
		if (*end == '\0' && v >= 0 && v < 64)
			return (int)v + 1;
	}
	return 0;
}

static int list_add(struct mlx4_list *list, const struct mlx4_port *p)
{
	struct mlx4_port *n = realloc(list->ports, (list->n + 1) * sizeof(*n));

	if (!n)
		return -1;
	list->ports = n;
	list->ports[list->n++] = *p;
	return 0;
}

/* Adds the ports of one card; 0 or -1 (out of memory). */
static int scan_device(const char *devdir, const char *pci, struct mlx4_list *list)
{
	struct dirent **ents = NULL, **nets = NULL;
	int n, nn, i, j, ret = 0;
	size_t first = list->n, k;

	n = scandir(devdir, &ents, is_port_file, cmp_ports);
	if (n < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		struct mlx4_port p;

		memset(&p, 0, sizeof(p));
		copy(p.pci, sizeof(p.pci), pci);
		p.port = port_number(ents[i]->d_name);
		pathf(p.path, sizeof(p.path), "%s/%s", devdir, ents[i]->d_name);
		port_read(&p);
		if (list_add(list, &p) < 0)
			ret = -1;
	}
	if (n == 0) {
		struct mlx4_port p;

		memset(&p, 0, sizeof(p));
		copy(p.pci, sizeof(p.pci), pci);
		if (list_add(list, &p) < 0)
			ret = -1;
	}

	/* Its netdevs, on the port they belong to (every port if unknown). */
	{
		char netdir[PATH_MAX];

		pathf(netdir, sizeof(netdir), "%s/net", devdir);
		nn = scandir(netdir, &nets, not_dot, cmp_names);
	}
	for (j = 0; j < nn && ret == 0; j++) {
		int port = netdev_port(devdir, nets[j]->d_name);

		for (k = first; k < list->n; k++) {
			struct mlx4_port *p = &list->ports[k];

			if (port == 0 || p->port == port || p->port == 0)
				append_word(p->netdevs, sizeof(p->netdevs), nets[j]->d_name);
		}
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	for (j = 0; j < nn; j++)
		free(nets[j]);
	free(nets);
	return ret;
}

int mlx4_scan(const char *sysroot, struct mlx4_list *list, FILE *err)
{
	struct dirent **ents = NULL;
	char drv[PATH_MAX];
	int n, i, cards = 0, ret = 0;

	list->ports = NULL;
	list->n = 0;
	pathf(drv, sizeof(drv), "%s/" MLX4_DRIVER_DIR, root_or_default(sysroot));
	n = scandir(drv, &ents, is_pci_device, cmp_names);
	if (n < 0) {
		if (errno == ENOENT)
			return 0;	/* driver not loaded: no card */
		fprintf(err, "meshroutectl: cannot read %s: %s\n", drv, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char dev[PATH_MAX];
		struct stat st;

		pathf(dev, sizeof(dev), "%s/%s", drv, ents[i]->d_name);
		if (ret == 0 && stat(dev, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (scan_device(dev, ents[i]->d_name, list) < 0) {
				fprintf(err, "meshroutectl: out of memory\n");
				ret = -1;
			}
			cards++;
		}
		free(ents[i]);
	}
	free(ents);
	if (ret < 0) {
		mlx4_list_free(list);
		return -1;
	}
	return cards;
}

void mlx4_list_free(struct mlx4_list *list)
{
	free(list->ports);
	list->ports = NULL;
	list->n = 0;
}

const char *mlx4_type_text(const struct mlx4_port *p, char *buf, size_t len)
{
	if (p->err || !p->type[0])
		snprintf(buf, len, "?");
	else if (p->sensed)
		snprintf(buf, len, "auto (%s)", p->type);
	else
		snprintf(buf, len, "%s", p->type);
	return buf;
}

static void json_string(const char *s, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void print_json(const struct mlx4_list *list, FILE *out)
{
	size_t i;

	fprintf(out, "{\"cards\": [");
	for (i = 0; i < list->n; i++) {
		const struct mlx4_port *p = &list->ports[i];
		bool new_card = i == 0 || strcmp(p->pci, list->ports[i - 1].pci) != 0;
		bool last_of_card = i + 1 == list->n || strcmp(p->pci, list->ports[i + 1].pci) != 0;
		char nd[sizeof(p->netdevs)], *w, *save = NULL;
		bool first = true;

		if (new_card) {
			fprintf(out, "%s{\"pci\": ", i ? ", " : "");
			json_string(p->pci, out);
			fprintf(out, ", \"ports\": [");
		}
		if (p->port > 0) {
			fprintf(out, "%s{\"port\": %d, \"type\": ", new_card ? "" : ", ", p->port);
			if (p->err || !p->type[0])
				fprintf(out, "null");
			else
				json_string(p->type, out);
			fprintf(out, ", \"auto\": %s, \"netdevs\": [", p->sensed ? "true" : "false");
			snprintf(nd, sizeof(nd), "%s", p->netdevs);
			for (w = strtok_r(nd, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
				fprintf(out, "%s", first ? "" : ", ");
				json_string(w, out);
				first = false;
			}
			fprintf(out, "]");
			if (p->err) {
				fprintf(out, ", \"error\": ");
				json_string(strerror(p->err), out);
			}
			fprintf(out, "}");
		}
		if (last_of_card)
			fprintf(out, "]}");
	}
	fprintf(out, "]}\n");
}

/* A table (or one JSON object with -j) of the ports. */
static void mlx4_print(const struct mlx4_list *list, bool json, FILE *out)
{
	size_t i;

	if (json) {
		print_json(list, out);
		return;
	}
	if (list->n == 0) {
		fprintf(out, "no mlx4 card: no PCI device is bound to the mlx4_core driver\n");
		return;
	}
	fprintf(out, "%-14s %-4s %-11s %s\n", "PCI", "PORT", "TYPE", "NETDEV");
	for (i = 0; i < list->n; i++) {
		const struct mlx4_port *p = &list->ports[i];
		char type[32], port[8];

		if (p->port == 0) {
			fprintf(out, "%-14s %-4s %-11s %s\n", p->pci, "-", "(no ports)",
				p->netdevs[0] ? p->netdevs : "-");
			continue;
		}
		snprintf(port, sizeof(port), "%d", p->port);
		fprintf(out, "%-14s %-4s %-11s %s", p->pci, port, mlx4_type_text(p, type, sizeof(type)),
			p->netdevs[0] ? p->netdevs : "-");
		if (p->err)
			fprintf(out, "  (%s: %s)", p->path, strerror(p->err));
		fputc('\n', out);
	}
}

bool mlx4_type_valid(const char *type)
{
	return strcmp(type, "ib") == 0 || strcmp(type, "eth") == 0 || strcmp(type, "auto") == 0;
}

/* Whether the port's type, as read, is TYPE. */
static bool port_is(const struct mlx4_port *p, const char *type)
{
	if (p->err || !p->type[0])
		return false;
	if (strcmp(type, "auto") == 0)
		return p->sensed;
	return !p->sensed && strcmp(p->type, type) == 0;
}

/* Writes "TYPE\n" to the port's file: 0 or -errno. */
static int port_write(const struct mlx4_port *p, const char *type)
{
	char buf[16];
	int fd, err = 0;
	size_t len;
	ssize_t n;

	len = (size_t)snprintf(buf, sizeof(buf), "%s\n", type);
	fd = open(p->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

/*
 * Writes TYPE to every port not already of that type, before reading any
 * back: a card may take the new type only for both ports at once.
 * werr[i]: 0 untouched, -1 written, else the errno of the write.
 */
static void ports_write(const struct mlx4_list *list, const char *type, int *werr)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		const struct mlx4_port *p = &list->ports[i];

		if (p->port == 0 || port_is(p, type))
			continue;
		werr[i] = -port_write(p, type);
		werr[i] = werr[i] ? werr[i] : -1;
	}
}

/*
 * Reads each written port back and says what became of it: the ports now
 * of TYPE on OUT (counted in *changed), the others on ERR with the reason.
 * 0 if every port is of TYPE, -1 if not.
 */
static int ports_verify(struct mlx4_list *list, const char *type, const int *werr,
			int *changed, FILE *out, FILE *err)
{
	int ret = 0;
	size_t i;

	for (i = 0; i < list->n; i++) {
		struct mlx4_port *p = &list->ports[i];
		char before[32], after[32];

		if (p->port == 0)
			continue;
		mlx4_type_text(p, before, sizeof(before));
		if (werr[i] == 0) {
			fprintf(out, "%s port %d: already %s\n", p->pci, p->port, before);
			continue;
		}
		port_read(p);
		mlx4_type_text(p, after, sizeof(after));
		if (port_is(p, type)) {
			fprintf(out, "%s port %d: %s -> %s\n", p->pci, p->port, before, after);
			(*changed)++;
			continue;
		}
		ret = -1;
		if (werr[i] > 0)
			fprintf(err, "meshroutectl: %s port %d: cannot write \"%s\" to %s: %s%s\n",
				p->pci, p->port, type, p->path, strerror(werr[i]),
				(werr[i] == EACCES || werr[i] == EPERM) && geteuid() != 0 ?
					" (root needed)" : "");
		else
			fprintf(err, "meshroutectl: %s port %d: still %s after writing \"%s\" to %s "
				     "(the kernel log may say why)\n",
				p->pci, p->port, after, type, p->path);
	}
	return ret;
}

/*
 * A write to sysfs lasts until the driver reloads; the module option is
 * what survives a reboot, so the admin is told the line to keep.  "auto"
 * is the driver's default and needs none.
 */
static void persist_hint(const struct mlx4_list *list, const char *type, FILE *out)
{
	/* port_type_array: 1 InfiniBand, 2 Ethernet, one value per port. */
	int maxport = 0, k;
	size_t i;

	if (strcmp(type, "auto") == 0)
		return;
	for (i = 0; i < list->n; i++)
		if (list->ports[i].port > maxport)
			maxport = list->ports[i].port;
	fprintf(out, "until the next reboot; to keep it, put \"options mlx4_core port_type_array=");
	for (k = 0; k < maxport; k++)
		fprintf(out, "%s%c", k ? "," : "", strcmp(type, "eth") == 0 ? '2' : '1');
	fprintf(out, "\" in /etc/modprobe.d/mlx4.conf and run update-initramfs -u\n");
}

int mlx4_set(const char *sysroot, const char *type, FILE *out, FILE *err)
{
	struct mlx4_list list;
	int *werr = NULL, cards, ret, changed = 0;
	size_t i, nports = 0;

	if (!mlx4_type_valid(type)) {
		fprintf(err, "meshroutectl: mlx4 port type \"%s\": use ib, eth or auto\n", type);
		return -1;
	}
	cards = mlx4_scan(sysroot, &list, err);
	if (cards < 0)
		return -1;
	for (i = 0; i < list.n; i++)
		nports += list.ports[i].port > 0;
	if (nports == 0) {
		fprintf(err, "meshroutectl: no mlx4 port to switch under %s/" MLX4_DRIVER_DIR "\n",
			root_or_default(sysroot));
		mlx4_list_free(&list);
		return -1;
	}
	werr = calloc(list.n, sizeof(*werr));
	if (!werr) {
		fprintf(err, "meshroutectl: out of memory\n");
		mlx4_list_free(&list);
		return -1;
	}
	ports_write(&list, type, werr);
	ret = ports_verify(&list, type, werr, &changed, out, err);
	if (changed)
		persist_hint(&list, type, out);
	free(werr);
	mlx4_list_free(&list);
	return ret;
}

static void mlx4_usage(FILE *f)
{
	fprintf(f, "usage: meshroutectl [-j] mlx4 [--set ib|eth|auto] [--sysfs ROOT]\n");
}

int mlx4_command(int argc, char **argv, bool json, FILE *out, FILE *err)
{
	static const struct option opts[] = {
		{ "set", required_argument, NULL, 'S' },
		{ "sysfs", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = MLX4_SYSFS_DEFAULT, *set = NULL;
	struct mlx4_list list;
	int opt, ret;

	optind = 0;	/* glibc: start over, from argv[1] */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case 'S':
			set = optarg;
			break;
		case 'R':
			root = optarg;
			break;
		case 'h':
			mlx4_usage(out);
			return 0;
		default:
			fprintf(err, "meshroutectl: mlx4: bad option \"%s\"\n", argv[optind - 1]);
			mlx4_usage(err);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(err, "meshroutectl: mlx4: unexpected argument \"%s\"\n", argv[optind]);
		mlx4_usage(err);
		return 2;
	}
	if (set && !mlx4_type_valid(set)) {
		fprintf(err, "meshroutectl: mlx4: port type \"%s\": use ib, eth or auto\n", set);
		return 2;
	}
	if (set) {
		ret = mlx4_set(root, set, json ? err : out, err) == 0 ? 0 : 1;
		if (!json)
			return ret;
	} else {
		ret = 0;
	}
	if (mlx4_scan(root, &list, err) < 0)
		return 1;
	mlx4_print(&list, json, out);
	mlx4_list_free(&list);
	return ret;
}
