// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu-top: what xiommu is doing, from debugfs and sysfs.
 *
 *   xiommu-top                 refresh every 2 s until interrupted
 *   xiommu-top -n SECONDS      refresh period
 *   xiommu-top -c COUNT        stop after COUNT screens
 *   xiommu-top --once          one screen, no terminal control
 *   xiommu-top --json          one JSON document on stdout (for scripts)
 *
 * Sources (Documentation/iommufd.md, "Observing xiommu"), all written by
 * the core under /sys/kernel/debug/xiommu/:
 *   units               "unit NAME driver D endpoints N faults N"
 *   UNIT/endpoints      "DEVICE group N domain T owned 0|1 faults N"
 *   contexts            "context N pid P comm C", then that context's
 *                       objects, each "ioas|hwpt|device|access ID k v ..."
 * and, per endpoint, the name of the kernel driver bound to it
 * (/sys/bus/BUS/devices/DEVICE/driver). Every line of the core's files is
 * "KIND ID" followed by key/value pairs; the JSON keeps every pair, so a
 * new key shows up without a new tool. Needs root (debugfs).
 *
 * Exit status: 0, 1 if debugfs or the xiommu files cannot be read, 2 on a
 * usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEBUGFS		"/sys/kernel/debug/xiommu"
#define MAX_PAIRS	24
#define MAX_RECORDS	4096

/* One line of a core file: "KIND ID k1 v1 k2 v2 ...". */
struct record {
	char kind[16];
	char id[64];
	int parent;		/* index of the context a record belongs to */
	int npairs;
	char key[MAX_PAIRS][24];
	char val[MAX_PAIRS][96];
};

static struct record records[MAX_RECORDS];
static int nrecords;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *get(const struct record *r, const char *key)
{
	int i;

	for (i = 0; i < r->npairs; i++)
		if (!strcmp(r->key[i], key))
			return r->val[i];
	return NULL;
}

static const char *get_or(const struct record *r, const char *key,
			  const char *dflt)
{
	const char *v = get(r, key);

	return v ? v : dflt;
}

static void set(struct record *r, const char *key, const char *val)
{
	if (r->npairs >= MAX_PAIRS)
		return;
	snprintf(r->key[r->npairs], sizeof(r->key[0]), "%s", key);
	snprintf(r->val[r->npairs], sizeof(r->val[0]), "%s", val);
	r->npairs++;
}

/*
 * Parse one line into a new record. @kind overrides the first token (the
 * endpoints files start with the device name, not a kind).
 */
static struct record *parse_line(char *line, const char *kind, int parent)
{
	char *tok, *save = NULL, *key = NULL;
	struct record *r;

	if (nrecords >= MAX_RECORDS)
		return NULL;
	r = &records[nrecords];
	memset(r, 0, sizeof(*r));
	r->parent = parent;
	if (!kind) {
		tok = strtok_r(line, " \t\n", &save);
		if (!tok)
			return NULL;
		snprintf(r->kind, sizeof(r->kind), "%s", tok);
		line = NULL;
	} else {
		snprintf(r->kind, sizeof(r->kind), "%s", kind);
	}
	tok = strtok_r(line, " \t\n", &save);
	if (!tok)
		return NULL;
	snprintf(r->id, sizeof(r->id), "%s", tok);
	while ((tok = strtok_r(NULL, " \t\n", &save))) {
		if (!key) {
			key = tok;
			continue;
		}
		set(r, key, tok);
		key = NULL;
	}
	nrecords++;
	return r;
}

static FILE *open_debugfs(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), DEBUGFS "/%s", name);
	return fopen(path, "r");
}

/* The kernel driver bound to @dev, found on any bus. */
static void driver_of(const char *dev, char *out, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *buses[] = { "pci", "platform", "virtio" };
	unsigned int i;
	ssize_t n;

	snprintf(out, len, "-");
	for (i = 0; i < sizeof(buses) / sizeof(buses[0]); i++) {
		snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver",
			 buses[i], dev);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		/* the basename, cut to fit: a driver name is short */
		snprintf(out, len, "%.63s", strrchr(link, '/') ?
			 strrchr(link, '/') + 1 : link);
		return;
	}
}

/* Read every source into records[]. Returns -1 if xiommu is not there. */
static int collect(void)
{
	char line[1024], name[300], drv[64];
	int unit_end, i, ctx = -1;
	struct record *r;
	FILE *f;

	nrecords = 0;
	f = open_debugfs("units");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		parse_line(line, NULL, -1);
	fclose(f);
	unit_end = nrecords;

	for (i = 0; i < unit_end; i++) {
		snprintf(name, sizeof(name), "%s/endpoints", records[i].id);
		f = open_debugfs(name);
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			r = parse_line(line, "endpoint", -1);
			if (!r)
				continue;
			set(r, "unit", records[i].id);
			driver_of(r->id, drv, sizeof(drv));
			set(r, "driver", drv);
		}
		fclose(f);
	}

	f = open_debugfs("contexts");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			bool is_ctx = !strncmp(line, "context ", 8);

			r = parse_line(line, NULL, is_ctx ? -1 : ctx);
			if (r && is_ctx)
				ctx = r - records;
		}
		fclose(f);
	}
	return 0;
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_value(const char *s)
{
	if (is_number(s))
		fputs(s, stdout);
	else
		json_string(s);
}

static void json_record(const struct record *r, const char *indent)
{
	int i;

	printf("%s{\"id\": ", indent);
	json_value(r->id);
	for (i = 0; i < r->npairs; i++) {
		printf(", ");
		json_string(r->key[i]);
		printf(": ");
		json_value(r->val[i]);
	}
}

/* A top-level array of every record of @kind (not inside a context). */
static void json_array(const char *name, const char *kind, bool last)
{
	bool first = true;
	int i;

	printf("  \"%s\": [", name);
	for (i = 0; i < nrecords; i++) {
		if (strcmp(records[i].kind, kind) || records[i].parent >= 0)
			continue;
		printf("%s\n", first ? "" : ",");
		json_record(&records[i], "    ");
		printf("}");
		first = false;
	}
	printf("%s]%s\n", first ? "" : "\n  ", last ? "" : ",");
}

static void print_json(void)
{
	bool first = true, firstobj;
	int i, j;

	printf("{\n");
	json_array("units", "unit", false);
	json_array("endpoints", "endpoint", false);
	printf("  \"contexts\": [");
	for (i = 0; i < nrecords; i++) {
		if (strcmp(records[i].kind, "context"))
			continue;
		printf("%s\n", first ? "" : ",");
		json_record(&records[i], "    ");
		printf(", \"objects\": [");
		firstobj = true;
		for (j = 0; j < nrecords; j++) {
			if (records[j].parent != i)
				continue;
			printf("%s\n", firstobj ? "" : ",");
			json_record(&records[j], "      ");
			printf(", \"type\": ");
			json_string(records[j].kind);
			printf("}");
			firstobj = false;
		}
		printf("%s]}", firstobj ? "" : "\n    ");
		first = false;
	}
	printf("%s]\n}\n", first ? "" : "\n  ");
}

/* "4194304" -> "4.0M" */
static const char *human(const char *bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTP";
	double v;
	int u = 0;

	if (!bytes || !is_number(bytes))
		return "-";
	v = strtod(bytes, NULL);
	while (v >= 1024 && units[u + 1]) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0fB", v);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

static void print_screen(bool tty)
{
	char b1[32], b2[32], when[64];
	time_t now = time(NULL);
	int i, j;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	if (tty)
		printf("\033[H\033[2J");
	printf("xiommu-top  %s\n\n", when);

	printf("%-12s %-12s %9s %9s\n", "UNIT", "DRIVER", "ENDPOINTS",
	       "FAULTS");
	for (i = 0; i < nrecords; i++)
		if (!strcmp(records[i].kind, "unit"))
			printf("%-12s %-12s %9s %9s\n", records[i].id,
			       get_or(&records[i], "driver", "-"),
			       get_or(&records[i], "endpoints", "-"),
			       get_or(&records[i], "faults", "-"));

	printf("\n%-14s %-8s %6s %-9s %-6s %-16s %7s\n", "ENDPOINT", "UNIT",
	       "GROUP", "DOMAIN", "OWNED", "DRIVER", "FAULTS");
	for (i = 0; i < nrecords; i++)
		if (!strcmp(records[i].kind, "endpoint"))
			printf("%-14s %-8s %6s %-9s %-6s %-16s %7s\n",
			       records[i].id, get_or(&records[i], "unit", "-"),
			       get_or(&records[i], "group", "-"),
			       get_or(&records[i], "domain", "-"),
			       strcmp(get_or(&records[i], "owned", "0"), "0") ?
			       "user" : "kernel",
			       get_or(&records[i], "driver", "-"),
			       get_or(&records[i], "faults", "-"));

	printf("\nCONTEXTS\n");
	for (i = 0; i < nrecords; i++) {
		if (strcmp(records[i].kind, "context"))
			continue;
		printf("  context %s  pid %s (%s)  %s\n", records[i].id,
		       get_or(&records[i], "pid", "-"),
		       get_or(&records[i], "comm", "-"),
		       get_or(&records[i], "kind", ""));
		for (j = 0; j < nrecords; j++) {
			const struct record *o = &records[j];

			if (o->parent != i)
				continue;
			if (!strcmp(o->kind, "ioas"))
				printf("    IOAS %-5s mapped %-8s pinned %-8s areas %s\n",
				       o->id, human(get(o, "mapped"), b1, sizeof(b1)),
				       human(get(o, "pinned"), b2, sizeof(b2)),
				       get_or(o, "areas", "-"));
			else if (!strcmp(o->kind, "hwpt"))
				printf("    HWPT %-5s ioas %-5s unit %-8s domain %-8s faults %s\n",
				       o->id, get_or(o, "ioas", "-"),
				       get_or(o, "unit", "-"),
				       get_or(o, "domain", "-"),
				       get_or(o, "faults", "-"));
			else if (!strcmp(o->kind, "device"))
				printf("    DEV  %-5s %-14s hwpt %s\n", o->id,
				       get_or(o, "dev", "-"),
				       get_or(o, "hwpt", "-"));
			else
				printf("    %-4s %s\n", o->kind, o->id);
		}
	}
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: xiommu-top [--once | --json] [-n SECONDS] [-c COUNT]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool once = false, json = false, tty;
	long interval = 2, count = -1;
	int c;

	while ((c = getopt_long(argc, argv, "ojn:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			once = true;
			break;
		case 'j':
			json = true;
			break;
		case 'n':
			interval = strtol(optarg, NULL, 10);
			if (interval < 1) {
				usage(stderr);
				return 2;
			}
			break;
		case 'c':
			count = strtol(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	if (collect()) {
		fprintf(stderr, "xiommu-top: cannot read %s/units: %s (is xiommu loaded, debugfs mounted, and are you root?)\n",
			DEBUGFS, strerror(errno));
		return 1;
	}
	if (json) {
		print_json();
		return 0;
	}
	tty = !once && isatty(STDOUT_FILENO);
	if (once)
		count = 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (;;) {
		print_screen(tty);
		if (count > 0 && --count == 0)
			break;
		sleep(interval);
		if (stop || collect())
			break;
	}
	return 0;
}
