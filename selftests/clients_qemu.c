// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debian's own QEMU 7.2 assigns edu devices with -device vfio-pci (the
 * legacy VFIO API: /dev/vfio/vfio, /dev/vfio/N) and this program plays the
 * nested guest through QEMU's qtest protocol on the nested QEMU's stdio.
 *
 * The nested machine is q35 under TCG with a 64 KiB firmware image whose
 * reset vector only halts (written here, no upstream blob): Debian's QEMU
 * has no qtest accelerator, and a vCPU running a real BIOS would race the
 * test for the PCI devices. Everything a guest driver would do is done
 * through qtest instead: config space through ports 0xcf8/0xcfc, BAR MMIO
 * with readl/writel, nested RAM with read/write, interrupts seen with
 * "irq_intercept_in ioapic" (INTx) and as the MSI message QEMU writes into
 * nested RAM (an MSI address that is RAM, not the APIC's window).
 *
 * The devices must already be bound to a VFIO driver (the kernel's
 * vfio-pci or xiommu-vfio-pci; scripts/clients-guest does that). Layout
 * (scripts/vm profiles clients, clients-kernel, clients-virtio):
 * 0000:00:04.0 edu alone in its group, 0000:02:01.0 and 0000:02:02.0 edus
 * behind a PCIe-to-PCI bridge (one group).
 *
 * usage: clients_qemu [QEMU_BINARY]   (default qemu-system-x86_64)
 * Output: TAP, one line per check. Logs: /tmp/clients-qemu-N.{stderr,qtest}
 * (copied to /results/ when a case fails).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HALT_BIOS	"/tmp/clients-halt.bin"
#define BIOS_SIZE	0x10000		/* 64 KiB, mapped below 4 GiB */
#define NESTED_MEM	"64M"
#define REPLY_TIMEOUT_MS 60000		/* one qtest command, TCG in TCG */
#define DMA_TIMEOUT_MS	20000		/* one edu transfer (~100 ms virtual) */
#define IRQ_TIMEOUT_MS	20000

/* edu registers (BAR0), see selftests/lib/edu.h and DESIGN.md */
#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_RUN	0x1
#define EDU_DMA_TO_RAM	0x2
#define EDU_BUF		0x40000
#define EDU_ID_VALUE	0x010000edU
#define EDU_VENDOR_DEV	0x11e81234U
#define EDU_BAR_SIZE	0x100000U

/* nested guest physical layout */
#define BAR_BASE	0xe0000000U	/* + 16 MiB per device */
#define RAM_SRC		0x100000U	/* + 64 KiB per device */
#define RAM_DST		0x200000U
#define RAM_MSI		0x300000U
#define DMA_LEN		3000		/* < 4095, the edu's safe maximum */

static int test_no;
static int failed;
static int run_no;

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d ", ok ? "ok" : "not ok", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failed++;
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* cli; hlt; jmp hlt at the reset vector (0xfffffff0), zeros elsewhere. */
static int write_halt_bios(void)
{
	static const unsigned char reset[] = { 0xfa, 0xf4, 0xeb, 0xfd };
	static unsigned char img[BIOS_SIZE];
	int fd, ok;

	memcpy(img + BIOS_SIZE - 16, reset, sizeof(reset));
	fd = open(HALT_BIOS, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ok = write(fd, img, sizeof(img)) == (ssize_t)sizeof(img);
	return close(fd) || !ok ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* One nested QEMU and its qtest channel                              */

#define MAX_EVENTS 64

struct qemu {
	pid_t pid;
	int to;			/* its stdin: our commands */
	int from;		/* its stdout: replies and IRQ events */
	char buf[1 << 17];	/* partial line */
	size_t len;
	char line[1 << 17];
	int events[MAX_EVENTS];	/* +N raise, -N-1 lower */
	int nevents;
	bool dead;
	char errlog[64];
};

/* Read one line; false on EOF or timeout. */
static bool q_getline(struct qemu *q, int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		struct pollfd p = { .fd = q->from, .events = POLLIN };
		uint64_t now;
		ssize_t n;

		if (nl) {
			size_t l = nl - q->buf;

			memcpy(q->line, q->buf, l);
			q->line[l] = 0;
			memmove(q->buf, nl + 1, q->len - l - 1);
			q->len -= l + 1;
			return true;
		}
		if (q->dead || q->len == sizeof(q->buf))
			return false;
		now = now_ms();
		if (now >= deadline)
			return false;
		if (poll(&p, 1, deadline - now) <= 0)
			continue;
		n = read(q->from, q->buf + q->len, sizeof(q->buf) - q->len);
		if (n <= 0) {
			q->dead = true;
			return false;
		}
		q->len += n;
	}
}

/*
 * An "IRQ raise N" / "IRQ lower N" line: remember it if N is one of the
 * IOAPIC pins q35 wires PCI INTx to (GSI 16-23, PIRQA-H). The others are
 * the machine's own: the PIT, which reset leaves running, toggles IRQ 0.
 */
static bool q_event(struct qemu *q)
{
	int n;

	if (sscanf(q->line, "IRQ raise %d", &n) == 1) {
		if (n >= 16 && n < 24 && q->nevents < MAX_EVENTS)
			q->events[q->nevents++] = n;
		return true;
	}
	if (sscanf(q->line, "IRQ lower %d", &n) == 1) {
		if (n >= 16 && n < 24 && q->nevents < MAX_EVENTS)
			q->events[q->nevents++] = -n - 1;
		return true;
	}
	return false;
}

/*
 * Send one command, wait for its "OK [VALUE]" reply (IRQ events that come
 * first are queued). Returns the reply's text after "OK" (maybe ""), or
 * NULL on FAIL, EOF or timeout.
 */
static const char *q_cmd(struct qemu *q, const char *fmt, ...)
{
	char cmd[1 << 14];
	va_list ap;
	int n;

	if (q->dead)
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(cmd) - 1)
		return NULL;
	cmd[n++] = '\n';
	if (write(q->to, cmd, n) != n) {
		q->dead = true;
		return NULL;
	}
	for (;;) {
		if (!q_getline(q, REPLY_TIMEOUT_MS)) {
			diag("qtest: no reply to '%.*s'", n - 1, cmd);
			q->dead = true;
			return NULL;
		}
		if (q_event(q))
			continue;
		if (!strncmp(q->line, "OK", 2))
			return q->line[2] == ' ' ? q->line + 3 : q->line + 2;
		diag("qtest: '%.*s' -> '%s'", n - 1, cmd, q->line);
		return NULL;
	}
}

static bool q_val(struct qemu *q, uint64_t *val, const char *fmt, ...)
{
	char cmd[256];
	const char *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = q_cmd(q, "%s", cmd);
	if (!r)
		return false;
	*val = strtoull(r, NULL, 0);
	return true;
}

/* Wait for an IRQ event (raise if @raise) on any line; returns the line or -1. */
static int q_wait_irq(struct qemu *q, bool raise, int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		int i;

		for (i = 0; i < q->nevents; i++) {
			int e = q->events[i];

			if ((e >= 0) == raise) {
				memmove(&q->events[i], &q->events[i + 1],
					(q->nevents - i - 1) * sizeof(int));
				q->nevents--;
				return e >= 0 ? e : -e - 1;
			}
		}
		if (now_ms() >= deadline || q->dead)
			return -1;
		if (q_getline(q, deadline - now_ms()) && !q_event(q))
			diag("qtest: unexpected '%s'", q->line);
	}
}

/* Start QEMU with one -device vfio-pci per BDF, the nth at slot 4 + n. */
static bool q_start(struct qemu *q, const char *qemu, const char **bdfs, int n)
{
	int in[2], out[2], i, argc = 0;
	char devs[4][128], qlog[64];
	const char *argv[64];

	memset(q, 0, sizeof(*q));
	run_no++;
	snprintf(q->errlog, sizeof(q->errlog), "/tmp/clients-qemu-%d.stderr", run_no);
	snprintf(qlog, sizeof(qlog), "/tmp/clients-qemu-%d.qtest", run_no);
	argv[argc++] = qemu;
	argv[argc++] = "-machine";
	argv[argc++] = "q35";
	argv[argc++] = "-accel";
	argv[argc++] = "tcg";
	argv[argc++] = "-m";
	argv[argc++] = NESTED_MEM;
	argv[argc++] = "-nodefaults";
	argv[argc++] = "-display";
	argv[argc++] = "none";
	argv[argc++] = "-bios";
	argv[argc++] = HALT_BIOS;
	argv[argc++] = "-qtest";
	argv[argc++] = "stdio";
	argv[argc++] = "-qtest-log";
	argv[argc++] = qlog;
	for (i = 0; i < n && i < 4; i++) {
		snprintf(devs[i], sizeof(devs[i]),
			 "vfio-pci,host=%s,bus=pcie.0,addr=%02x.0", bdfs[i], 4 + i);
		argv[argc++] = "-device";
		argv[argc++] = devs[i];
	}
	argv[argc] = NULL;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return false;
	q->pid = fork();
	if (q->pid < 0)
		return false;
	if (!q->pid) {
		int fd = open(q->errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(in[0], 0);
		dup2(out[1], 1);
		if (fd >= 0)
			dup2(fd, 2);
		execvp(qemu, (char **)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	q->to = in[1];
	q->from = out[0];
	/* QEMU answers once the machine exists (vfio-pci realized). */
	return q_cmd(q, "inl 0xcfc") != NULL;
}

static void dump_file(const char *path, int max_lines)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && n++ < max_lines)
		printf("#   %s", line);
	if (n > max_lines)
		printf("#   ...\n");
	fclose(f);
}

/* Stop QEMU (SIGTERM, as libqtest does); true if it exited normally. */
static bool q_stop(struct qemu *q)
{
	int status = 0;
	uint64_t deadline = now_ms() + 30000;
	pid_t r;

	close(q->to);
	kill(q->pid, SIGTERM);
	while ((r = waitpid(q->pid, &status, WNOHANG)) == 0 && now_ms() < deadline)
		usleep(50000);
	if (r == 0) {
		kill(q->pid, SIGKILL);
		waitpid(q->pid, &status, 0);
		diag("qemu did not exit on SIGTERM");
		close(q->from);
		return false;
	}
	close(q->from);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * Lines QEMU printed on stderr that are not expected (vfio reports every
 * failed ioctl or config write there). Expected, and only shown:
 *  - "terminating on signal 15": how the test stops it;
 *  - "Cannot reset device ..., no available reset mechanism": the edu has
 *    no FLR or PM reset and is alone on its bus segment (or shares it), so
 *    VFIO_DEVICE_RESET / hot reset cannot be done; QEMU says so at reset;
 *  - GLib's "g_timer_elapsed: assertion 'timer != NULL'": QEMU 7.2's qtest
 *    logs an IRQ event after its log timer is gone at exit.
 */
static int stderr_complaints(struct qemu *q)
{
	static const char *const expected[] = {
		"terminating on signal",
		"no available reset mechanism",
		"g_timer_elapsed: assertion",
	};
	char line[512];
	FILE *f = fopen(q->errlog, "r");
	int n = 0;
	size_t i;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
			if (strstr(line, expected[i]))
				break;
		printf("#   qemu%s: %s", i < sizeof(expected) / sizeof(expected[0]) ?
		       " (expected)" : "", line);
		n += i == sizeof(expected) / sizeof(expected[0]);
	}
	fclose(f);
	return n;
}

/* ------------------------------------------------------------------ */
/* Nested config space (mechanism #1, ports 0xcf8/0xcfc), bus 0         */

static uint32_t cfg_addr(int slot, int reg)
{
	return 0x80000000U | slot << 11 | (reg & 0xfc);
}

static bool cfg_read(struct qemu *q, int slot, int reg, int size, uint32_t *val)
{
	uint64_t v;

	if (!q_cmd(q, "outl 0xcf8 0x%x", cfg_addr(slot, reg)))
		return false;
	if (!q_val(q, &v, "in%c 0x%x", size == 4 ? 'l' : size == 2 ? 'w' : 'b',
		   0xcfc + (reg & 3)))
		return false;
	*val = v;
	return true;
}

static bool cfg_write(struct qemu *q, int slot, int reg, int size, uint32_t val)
{
	return q_cmd(q, "outl 0xcf8 0x%x", cfg_addr(slot, reg)) &&
	       q_cmd(q, "out%c 0x%x 0x%x",
		     size == 4 ? 'l' : size == 2 ? 'w' : 'b', 0xcfc + (reg & 3), val);
}

static int cfg_find_cap(struct qemu *q, int slot, int id)
{
	uint32_t v;
	int pos, guard = 48;

	if (!cfg_read(q, slot, 0x34, 1, &v))
		return -1;
	for (pos = v & 0xfc; pos && guard--; pos = (v >> 8) & 0xfc) {
		if (!cfg_read(q, slot, pos, 2, &v))
			return -1;
		if ((v & 0xff) == (uint32_t)id)
			return pos;
	}
	return 0;
}

static bool mmio_read(struct qemu *q, uint32_t addr, uint32_t *val)
{
	uint64_t v;

	if (!q_val(q, &v, "readl 0x%x", addr))
		return false;
	*val = v;
	return true;
}

static bool mmio_write(struct qemu *q, uint32_t addr, uint32_t val)
{
	return q_cmd(q, "writel 0x%x 0x%x", addr, val);
}

static bool ram_write(struct qemu *q, uint32_t addr, const uint8_t *data, int len)
{
	static char hex[2 * 4096 + 1];
	int i;

	for (i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", data[i]);
	return q_cmd(q, "write 0x%x 0x%x 0x%s", addr, len, hex);
}

static bool ram_read(struct qemu *q, uint32_t addr, uint8_t *data, int len)
{
	const char *r = q_cmd(q, "read 0x%x 0x%x", addr, len);
	int i;

	if (!r || strncmp(r, "0x", 2) || (int)strlen(r) < 2 + 2 * len)
		return false;
	for (i = 0; i < len; i++) {
		unsigned int b;

		if (sscanf(r + 2 + 2 * i, "%2x", &b) != 1)
			return false;
		data[i] = b;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* The checks                                                         */

/*
 * Program the nested BAR0 and the command register of the device at
 * @slot like a guest driver would, then check the edu answers at the BAR.
 */
static bool edu_setup(struct qemu *q, int slot, uint32_t bar, const char *what)
{
	uint32_t id = 0, size = 0, cmd = 0, v = 0;

	if (!cfg_read(q, slot, 0, 4, &id) || id != EDU_VENDOR_DEV) {
		tap(false, "%s: nested config space reads the edu's ID (0x%08x)", what, id);
		return false;
	}
	/* BAR sizing, the way firmware does it */
	if (!cfg_write(q, slot, 0x10, 4, 0xffffffff) ||
	    !cfg_read(q, slot, 0x10, 4, &size) ||
	    !cfg_write(q, slot, 0x10, 4, bar) ||
	    !cfg_read(q, slot, 0x10, 4, &v)) {
		tap(false, "%s: BAR0 sizing", what);
		return false;
	}
	tap((size & 0xfffffff0) == (uint32_t)-EDU_BAR_SIZE && (v & 0xfffffff0) == bar,
	    "%s: BAR0 sizes as 1 MiB (0x%08x) and takes its address (0x%08x)",
	    what, size, v);
	if (!cfg_read(q, slot, 0x04, 2, &cmd) ||
	    !cfg_write(q, slot, 0x04, 2, cmd | 0x6) ||
	    !cfg_read(q, slot, 0x04, 2, &v)) {
		tap(false, "%s: command register", what);
		return false;
	}
	tap((v & 0x6) == 0x6, "%s: Memory Space and Bus Master enabled (command 0x%04x)",
	    what, v);
	if (!mmio_read(q, bar + EDU_ID, &id) ||
	    !mmio_write(q, bar + EDU_LIVENESS, 0x12345678) ||
	    !mmio_read(q, bar + EDU_LIVENESS, &v)) {
		tap(false, "%s: BAR0 MMIO", what);
		return false;
	}
	tap(id == EDU_ID_VALUE && v == ~0x12345678U,
	    "%s: BAR0 MMIO reaches the edu (id 0x%08x, liveness 0x%08x)", what, id, v);
	return id == EDU_ID_VALUE;
}

static bool edu_dma_wait(struct qemu *q, uint32_t bar)
{
	uint64_t deadline = now_ms() + DMA_TIMEOUT_MS;
	uint32_t v;

	do {
		if (!mmio_read(q, bar + EDU_DMA_CMD, &v))
			return false;
		if (!(v & EDU_DMA_RUN))
			return true;
		usleep(20000);
	} while (now_ms() < deadline);
	return false;
}

static bool edu_dma(struct qemu *q, uint32_t bar, uint32_t src, uint32_t dst,
		    uint32_t cmd)
{
	return mmio_write(q, bar + EDU_DMA_SRC, src) &&
	       mmio_write(q, bar + EDU_DMA_DST, dst) &&
	       mmio_write(q, bar + EDU_DMA_COUNT, DMA_LEN) &&
	       mmio_write(q, bar + EDU_DMA_CMD, cmd) &&
	       edu_dma_wait(q, bar);
}

/*
 * The edu copies nested RAM into its buffer and back out to another
 * place: both directions of DMA through the IOMMU mapping QEMU made of
 * the nested RAM (VFIO_IOMMU_MAP_DMA).
 */
static void check_dma(struct qemu *q, int idx, uint32_t bar, const char *what)
{
	static uint8_t pattern[DMA_LEN], back[DMA_LEN];
	uint32_t src = RAM_SRC + idx * 0x10000, dst = RAM_DST + idx * 0x10000;
	int i;
	bool ok;

	for (i = 0; i < DMA_LEN; i++)
		pattern[i] = (uint8_t)(i * 7 + idx * 31 + 1);
	memset(back, 0, sizeof(back));
	ok = ram_write(q, src, pattern, DMA_LEN) && ram_write(q, dst, back, DMA_LEN);
	ok = ok && edu_dma(q, bar, src, EDU_BUF, EDU_DMA_RUN);
	tap(ok, "%s: DMA nested RAM -> edu buffer completes", what);
	ok = ok && edu_dma(q, bar, EDU_BUF, dst, EDU_DMA_RUN | EDU_DMA_TO_RAM);
	tap(ok, "%s: DMA edu buffer -> nested RAM completes", what);
	ok = ok && ram_read(q, dst, back, DMA_LEN);
	tap(ok && !memcmp(pattern, back, DMA_LEN),
	    "%s: %d bytes made the round trip intact", what, DMA_LEN);
}

/* INTx: the edu's line raised, seen at the nested IOAPIC, lowered on ack. */
static void check_intx(struct qemu *q, uint32_t bar, const char *what)
{
	uint32_t status = 0;
	int up, down;

	if (!mmio_write(q, bar + EDU_IRQ_RAISE, 0x1)) {
		tap(false, "%s: INTx raised", what);
		return;
	}
	up = q_wait_irq(q, true, IRQ_TIMEOUT_MS);
	tap(up >= 16 && up < 24, "%s: INTx arrives at nested IOAPIC pin %d", what, up);
	tap(mmio_read(q, bar + EDU_IRQ_STATUS, &status) && status == 0x1,
	    "%s: edu interrupt status 0x%x", what, status);
	/* the ack lowers the edu's line; the access also EOIs QEMU's INTx */
	mmio_write(q, bar + EDU_IRQ_ACK, 0x1);
	down = q_wait_irq(q, false, IRQ_TIMEOUT_MS);
	tap(up >= 0 && down == up, "%s: INTx lowered after the ack (pin %d)", what, down);
	/* and it fires again: the line was unmasked */
	mmio_write(q, bar + EDU_IRQ_RAISE, 0x4);
	up = q_wait_irq(q, true, IRQ_TIMEOUT_MS);
	mmio_write(q, bar + EDU_IRQ_ACK, 0x4);
	down = q_wait_irq(q, false, IRQ_TIMEOUT_MS);
	tap(up >= 16 && down == up, "%s: a second INTx arrives and is lowered", what);
}

/* MSI: enabled through the nested config space, message lands in RAM. */
static void check_msi(struct qemu *q, int slot, uint32_t bar, const char *what)
{
	uint32_t ctrl = 0, status = 0, data = 0;
	uint64_t deadline;
	uint8_t word[4] = { 0 };
	int cap = cfg_find_cap(q, slot, 0x05), i, data_off;
	bool ok;

	tap(cap > 0, "%s: MSI capability found at 0x%x", what, cap);
	if (cap <= 0 || !cfg_read(q, slot, cap + 2, 2, &ctrl))
		return;
	data_off = ctrl & 0x80 ? 12 : 8;	/* 64-bit address capable */
	ok = ram_write(q, RAM_MSI, word, 4) &&
	     cfg_write(q, slot, cap + 4, 4, RAM_MSI) &&
	     (!(ctrl & 0x80) || cfg_write(q, slot, cap + 8, 4, 0)) &&
	     cfg_write(q, slot, cap + data_off, 2, 0x4d51) &&
	     cfg_write(q, slot, cap + 2, 2, (ctrl & ~0x70) | 0x1) &&
	     cfg_read(q, slot, cap + 2, 2, &ctrl);
	tap(ok && (ctrl & 1), "%s: MSI enabled in the nested config space (control 0x%04x)",
	    what, ctrl);
	if (!ok)
		return;
	q->nevents = 0;
	ok = mmio_write(q, bar + EDU_IRQ_RAISE, 0x8);
	deadline = now_ms() + IRQ_TIMEOUT_MS;
	while (ok && now_ms() < deadline) {
		ok = ram_read(q, RAM_MSI, word, 4);
		data = word[0] | word[1] << 8 | word[2] << 16 | (uint32_t)word[3] << 24;
		if (data)
			break;
		usleep(20000);
	}
	tap(ok && data == 0x4d51, "%s: MSI message written to nested RAM (data 0x%x)",
	    what, data);
	tap(mmio_read(q, bar + EDU_IRQ_STATUS, &status) && status == 0x8,
	    "%s: edu interrupt status 0x%x", what, status);
	for (i = 0; i < q->nevents; i++)
		if (q->events[i] >= 0)
			break;
	tap(i == q->nevents, "%s: no INTx while MSI is enabled", what);
	mmio_write(q, bar + EDU_IRQ_ACK, 0x8);
	/* a second message after a DMA that raises its interrupt when done */
	ok = ram_write(q, RAM_MSI, (uint8_t[4]){ 0 }, 4) &&
	     edu_dma(q, bar, RAM_SRC, EDU_BUF, EDU_DMA_RUN | 0x4);
	deadline = now_ms() + IRQ_TIMEOUT_MS;
	data = 0;
	while (ok && now_ms() < deadline) {
		ok = ram_read(q, RAM_MSI, word, 4);
		data = word[0] | word[1] << 8 | word[2] << 16 | (uint32_t)word[3] << 24;
		if (data)
			break;
		usleep(20000);
	}
	tap(ok && data == 0x4d51, "%s: DMA-done interrupt arrives as MSI", what);
	mmio_write(q, bar + EDU_IRQ_ACK, 0x100);
	cfg_write(q, slot, cap + 2, 2, ctrl & ~1);
}

/* File descriptors of @pid open on /dev/vfio/vfio and on /dev/vfio/N. */
static void count_vfio_fds(pid_t pid, int *containers, int *groups)
{
	char path[64], target[PATH_MAX], seen[8][PATH_MAX];
	struct dirent *de;
	int nseen = 0, i;
	DIR *d;

	*containers = *groups = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char link[PATH_MAX];
		ssize_t n;

		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (!strcmp(target, "/dev/vfio/vfio")) {
			(*containers)++;
		} else if (!strncmp(target, "/dev/vfio/", 10) &&
			   isdigit((unsigned char)target[10])) {
			for (i = 0; i < nseen; i++)
				if (!strcmp(seen[i], target))
					break;
			if (i == nseen && nseen < 8) {
				strcpy(seen[nseen++], target);
				(*groups)++;
			}
		}
	}
	closedir(d);
}

static void finish_run(struct qemu *q, const char *what, int failed_before)
{
	int complaints = stderr_complaints(q);

	tap(complaints == 0, "%s: QEMU printed no unexpected error or warning", what);
	tap(q_stop(q), "%s: QEMU exits cleanly", what);
	if (failed != failed_before) {
		char cmd[256];

		diag("%s: QEMU's stderr:", what);
		dump_file(q->errlog, 40);
		snprintf(cmd, sizeof(cmd), "mkdir -p /results && cp /tmp/clients-qemu-%d.* /results/",
			 run_no);
		if (system(cmd))
			diag("cannot copy the logs to /results");
	}
}

/* One edu: config space, BAR, DMA both ways, INTx, MSI. */
static void run_single(const char *qemu)
{
	const char *bdfs[] = { "0000:00:04.0" };
	const char *what = "qemu-edu";
	int before = failed;
	struct qemu *q = calloc(1, sizeof(*q));

	if (!q_start(q, qemu, bdfs, 1)) {
		tap(false, "%s: QEMU starts with -device vfio-pci,host=%s", what, bdfs[0]);
		finish_run(q, what, before);
		free(q);
		return;
	}
	tap(true, "%s: QEMU starts with -device vfio-pci,host=%s", what, bdfs[0]);
	tap(q_cmd(q, "irq_intercept_in ioapic") != NULL, "%s: nested IOAPIC intercepted", what);
	if (edu_setup(q, 4, BAR_BASE, what)) {
		check_dma(q, 0, BAR_BASE, what);
		check_intx(q, BAR_BASE, what);
		check_msi(q, 4, BAR_BASE, what);
	}
	finish_run(q, what, before);
	free(q);
}

/* Two devices in one container (QEMU shares it when it can). */
static void run_pair(const char *qemu, const char *what, const char *a,
		     const char *b, int expect_groups)
{
	const char *bdfs[] = { a, b };
	int before = failed, i, containers, groups;
	struct qemu *q = calloc(1, sizeof(*q));
	bool ok[2];

	if (!q_start(q, qemu, bdfs, 2)) {
		tap(false, "%s: QEMU starts with %s and %s", what, a, b);
		finish_run(q, what, before);
		free(q);
		return;
	}
	tap(true, "%s: QEMU starts with %s and %s", what, a, b);
	count_vfio_fds(q->pid, &containers, &groups);
	tap(containers == 1 && groups == expect_groups,
	    "%s: one container, %d group(s) open (%d, %d)", what, expect_groups,
	    containers, groups);
	for (i = 0; i < 2; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s/%s", what, bdfs[i]);
		ok[i] = edu_setup(q, 4 + i, BAR_BASE + i * 0x1000000, name);
	}
	for (i = 0; i < 2; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s/%s", what, bdfs[i]);
		if (ok[i])
			check_dma(q, i, BAR_BASE + i * 0x1000000, name);
	}
	finish_run(q, what, before);
	free(q);
}

int main(int argc, char **argv)
{
	const char *qemu = argc > 1 ? argv[1] : "qemu-system-x86_64";

	signal(SIGPIPE, SIG_IGN);
	printf("TAP version 13\n");
	if (write_halt_bios()) {
		printf("1..1\nnot ok 1 write %s: %s\n", HALT_BIOS, strerror(errno));
		return 1;
	}
	run_single(qemu);
	run_pair(qemu, "qemu-bridge-group", "0000:02:01.0", "0000:02:02.0", 1);
	run_pair(qemu, "qemu-two-groups", "0000:00:04.0", "0000:02:01.0", 2);
	printf("1..%d\n", test_no);
	return failed ? 1 : 0;
}
