/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for DMA tests that must run unchanged on every IOMMU profile
 * (VT-d, virtio-iommu, ...): finding the edu devices by topology, and
 * reading the fault counters of the xiommu unit that translates a given
 * device from the core's debugfs files:
 *
 *   /sys/kernel/debug/xiommu/<unit>/endpoints  "<bdf> group G domain T
 *                                               owned O faults N" lines
 *   /sys/kernel/debug/xiommu/<unit>/faults     faults the unit reported
 *   /sys/kernel/debug/xiommu/<unit>/poll       optional (drivers that poll
 *                                               the hardware for faults):
 *                                               reading it polls at once
 *
 * The per-unit count is the one to compare: a driver may be unable to name
 * the device behind a fault (devices behind a PCIe-to-PCI bridge share one
 * requester ID), and then only the unit's counter moves.
 *
 * Same conventions as vfio_dev.h: 0 or a count on success, -errno on error.
 */
#ifndef XIOMMU_SELFTESTS_DMA_UTIL_H
#define XIOMMU_SELFTESTS_DMA_UTIL_H

#include "edu.h"

#define XIOMMU_DEBUGFS		"/sys/kernel/debug/xiommu"
#define XIOMMU_UNIT_LEN		64
#define DMA_MAX_EDUS		8
/* Long enough for a driver that polls every 50 ms to have seen a fault. */
#define DMA_FAULT_WAIT_MS	300

static inline void xiommu_debugfs_mount(void)
{
	if (access(XIOMMU_DEBUGFS, F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
}

/*
 * Name of the xiommu unit whose endpoints file lists @bdf ("dmar0", ...).
 * Return: 0, -ENOENT if no unit translates @bdf, or -errno.
 */
static inline int xiommu_dev_unit(const char *bdf, char *unit, size_t len)
{
	char line[256];
	size_t blen = strlen(bdf), i;
	int ret = -ENOENT;
	glob_t g;

	xiommu_debugfs_mount();
	if (glob(XIOMMU_DEBUGFS "/*/endpoints", 0, NULL, &g))
		return -ENOENT;
	for (i = 0; i < g.gl_pathc && ret == -ENOENT; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char *dir, *slash;

			if (strncmp(line, bdf, blen) || line[blen] != ' ')
				continue;
			dir = g.gl_pathv[i] + strlen(XIOMMU_DEBUGFS "/");
			slash = strchr(dir, '/');
			*slash = 0;
			ret = str_copy(unit, len, dir);
			*slash = '/';
			break;
		}
		fclose(f);
	}
	globfree(&g);
	return ret;
}

/* Read one number from /sys/kernel/debug/xiommu/@unit/@file. */
static inline int64_t xiommu_unit_u64(const char *unit, const char *file)
{
	char path[PATH_MAX], buf[64];
	int ret;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/%s", unit, file);
	ret = sysfs_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	return strtoll(buf, NULL, 0);
}

/*
 * The number after "@key " on a line of /sys/kernel/debug/xiommu/@unit/@file
 * (the last such line wins). Return: the number, -ENOENT if no line has
 * @key, or -errno if the file cannot be opened.
 */
static inline int64_t xiommu_unit_key(const char *unit, const char *file,
				      const char *key)
{
	char path[PATH_MAX], line[256];
	size_t n = strlen(key);
	int64_t val = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/%s", unit, file);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ' ')
			val = strtoll(line + n + 1, NULL, 0);
	fclose(f);
	return val;
}

/*
 * Let faults from DMA that already finished reach the counters: wait
 * DMA_FAULT_WAIT_MS, then read @unit's "poll" file if the driver has one.
 */
static inline void xiommu_fault_settle(const char *unit)
{
	char path[PATH_MAX], buf[128];

	usleep(DMA_FAULT_WAIT_MS * 1000);
	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/poll", unit);
	sysfs_read(path, buf, sizeof(buf));
}

/*
 * Faster variant for tests that check many DMAs: when the driver has a
 * "poll" file, polling it right after the DMA finished is enough (the
 * device model records the fault before the DMA completes); otherwise
 * wait DMA_FAULT_WAIT_MS.
 */
static inline void xiommu_fault_sync(const char *unit)
{
	char path[PATH_MAX], buf[128];

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/poll", unit);
	if (sysfs_read(path, buf, sizeof(buf)))
		usleep(DMA_FAULT_WAIT_MS * 1000);
}

/* Faults reported by @unit so far, or -errno. */
static inline int64_t xiommu_unit_faults(const char *unit)
{
	return xiommu_unit_u64(unit, "faults");
}

/*
 * The fault count of the unit that translates @bdf, after
 * xiommu_fault_settle(). Return: the count or -errno.
 */
static inline int64_t xiommu_dev_unit_faults(const char *bdf)
{
	char unit[XIOMMU_UNIT_LEN];
	int ret = xiommu_dev_unit(bdf, unit, sizeof(unit));

	if (ret)
		return ret;
	xiommu_fault_settle(unit);
	return xiommu_unit_faults(unit);
}

/*
 * The VT-d domain id behind @bdf's context entry on @unit, read from the
 * unit's debugfs "context" file (lines "BB:DD.F ... translated ... did N").
 * Return: the id, or -1 if @bdf is not translated or the file is missing.
 */
static inline int xiommu_dev_did(const char *unit, const char *bdf)
{
	char path[PATH_MAX], line[512], want[16], *p;
	unsigned int dom, bus, dev, fn;
	int did = -1;
	FILE *f;

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return -1;
	snprintf(want, sizeof(want), "%02x:%02x.%x ", bus, dev, fn);
	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/context", unit);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (strncmp(p, want, strlen(want)) || !strstr(p, " translated"))
			continue;
		p = strstr(p, " did ");
		if (p)
			did = atoi(p + 5);
	}
	fclose(f);
	return did;
}

/* IOMMU_HWPT_ALLOC: a page table for @dev_id mirroring IOAS @ioas_id. */
static inline int iommufd_hwpt_alloc(int fd, uint32_t dev_id,
				     uint32_t ioas_id, uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.pt_id = ioas_id,
	};
	int ret;

	ret = vfio_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	if (!ret)
		*hwpt_id = cmd.out_hwpt_id;
	return ret;
}

/* The edu to use for single-device tests: prefer one alone in its group. */
static inline int edu_find_solo(char *bdf)
{
	char edus[DMA_MAX_EDUS][PCI_BDF_LEN], parent[PCI_BDF_LEN];
	int n, i;

	n = edu_find(edus, DMA_MAX_EDUS);
	if (n <= 0)
		return n ? n : -ENODEV;
	if (n > DMA_MAX_EDUS)
		n = DMA_MAX_EDUS;
	for (i = 0; i < n; i++)
		if (pci_parent_bridge(edus[i], parent, sizeof(parent)) ==
		    -ENOENT)
			break;
	strcpy(bdf, edus[i < n ? i : 0]);
	return 0;
}

/* Two edus behind the same bridge (hence in one group). */
static inline int edu_find_pair(char *a, char *b)
{
	char edus[DMA_MAX_EDUS][PCI_BDF_LEN], par[DMA_MAX_EDUS][PCI_BDF_LEN];
	int n, i, j;

	n = edu_find(edus, DMA_MAX_EDUS);
	if (n <= 0)
		return n ? n : -ENODEV;
	if (n > DMA_MAX_EDUS)
		n = DMA_MAX_EDUS;
	for (i = 0; i < n; i++)
		if (pci_parent_bridge(edus[i], par[i], sizeof(par[i])))
			par[i][0] = 0;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (par[i][0] && !strcmp(par[i], par[j])) {
				strcpy(a, edus[i]);
				strcpy(b, edus[j]);
				return 0;
			}
	return -ENODEV;
}

/*
 * Two edus in different groups: one on a root bus and one behind a
 * bridge (the layout of the vtd and virtio profiles).
 */
static inline int edu_find_two_groups(char *a, char *b)
{
	char edus[DMA_MAX_EDUS][PCI_BDF_LEN], parent[PCI_BDF_LEN];
	int n, i, root = -1, bridged = -1;

	n = edu_find(edus, DMA_MAX_EDUS);
	if (n <= 0)
		return n ? n : -ENODEV;
	if (n > DMA_MAX_EDUS)
		n = DMA_MAX_EDUS;
	for (i = 0; i < n; i++) {
		if (pci_parent_bridge(edus[i], parent, sizeof(parent)) ==
		    -ENOENT) {
			if (root < 0)
				root = i;
		} else if (bridged < 0) {
			bridged = i;
		}
	}
	if (root < 0 || bridged < 0)
		return -ENODEV;
	strcpy(a, edus[root]);
	strcpy(b, edus[bridged]);
	return 0;
}

/* A byte pattern that differs per @seed and along the buffer. */
static inline void dma_fill(void *buf, size_t len, uint8_t seed)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

static inline bool dma_all_bytes(const void *buf, size_t len, uint8_t val)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != val)
			return false;
	return true;
}

/* Is @bdf's driver_override @want? (Empty reads back as "(null)" on 6.1.) */
static inline bool pci_override_is(const char *bdf, const char *want)
{
	char buf[128];

	if (pci_attr_read(bdf, "driver_override", buf, sizeof(buf)))
		return false;
	if (!strcmp(buf, "(null)"))
		buf[0] = 0;
	return !strcmp(buf, want);
}

/* Leave @bdf idle: no driver, no driver_override. */
static inline int pci_make_idle(const char *bdf)
{
	int ret = pci_unbind(bdf);

	return ret ? ret : pci_set_override(bdf, "");
}

/*
 * Bind @bdf to xiommu-vfio-pci, open it, bind it to @iommufd and attach
 * it to @ioas_id with Bus Master on. Return: the device fd or -errno.
 */
static inline int edu_open_attached(const char *bdf, int iommufd,
				    uint32_t ioas_id, uint32_t *hwpt_id)
{
	uint32_t pt_id = ioas_id;
	int fd, ret;

	ret = vfio_dev_bind_driver(bdf);
	if (ret)
		return ret;
	fd = vfio_dev_open(bdf);
	if (fd < 0)
		return fd;
	ret = vfio_dev_bind(fd, iommufd, NULL);
	if (!ret)
		ret = vfio_dev_attach(fd, &pt_id);
	if (!ret)
		ret = vfio_dev_set_master(fd, true);
	if (ret) {
		close(fd);
		return ret;
	}
	if (hwpt_id)
		*hwpt_id = pt_id;
	return fd;
}

#endif /* XIOMMU_SELFTESTS_DMA_UTIL_H */
