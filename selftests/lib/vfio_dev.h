/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space helpers for xiommu_vfio_pci and /dev/iommu: PCI sysfs
 * (finding devices, binding them to the driver), the vfio device cdev
 * (BIND/ATTACH/DETACH, regions, config space) and the iommufd IOAS calls a
 * DMA test needs. Header-only so every selftest and tool that includes it
 * links it statically with no build-system help.
 *
 * Convention: functions return 0 (or a non-negative value) on success and
 * -errno on failure, so callers can assert on the exact errno:
 * ASSERT_EQ(-EBUSY, vfio_dev_bind(fd, iommufd, &devid)).
 */
#ifndef XIOMMU_SELFTESTS_VFIO_DEV_H
#define XIOMMU_SELFTESTS_VFIO_DEV_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>
#include <xiommu/vfio_cdev.h>

#define PCI_SYSFS		"/sys/bus/pci"
#define PCI_BDF_LEN		16	/* "dddd:bb:dd.f" + NUL, rounded up */
#define VFIO_REGION_OFFSET(index)	((uint64_t)(index) << 40)

/* ---------------------------------------------------------------- sysfs */

/*
 * The PCI driver name xiommu_vfio_pci registered under: "vfio-pci", or
 * "xiommu-vfio-pci" when the kernel's own vfio-pci had the name first
 * (Documentation/vfio.md, "Driver name"). Found in the module's sysfs
 * drivers/ directory ("pci:NAME"); "vfio-pci" if the module is not loaded.
 */
static inline const char *vfio_dev_driver(void)
{
	static char name[64];
	struct dirent *e;
	DIR *d;

	snprintf(name, sizeof(name), "vfio-pci");
	d = opendir("/sys/module/xiommu_vfio_pci/drivers");
	if (!d)
		return name;
	while ((e = readdir(d))) {
		if (!strncmp(e->d_name, "pci:", 4)) {
			snprintf(name, sizeof(name), "%.60s", e->d_name + 4);
			break;
		}
	}
	closedir(d);
	return name;
}
#define VFIO_DEV_DRIVER		vfio_dev_driver()

/* Read a sysfs file into @buf (NUL-terminated, trailing newline dropped). */
static inline int sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

static inline int sysfs_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len ? len : 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return 0;
}

/* Copy @src into @dst of @len bytes; -ENAMETOOLONG if it does not fit. */
static inline int str_copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

static inline int pci_attr_read(const char *bdf, const char *attr,
				char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s/%s", bdf, attr);
	return sysfs_read(path, buf, len);
}

static inline int pci_attr_write(const char *bdf, const char *attr,
				 const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s/%s", bdf, attr);
	return sysfs_write(path, val);
}

static inline int pci_attr_u32(const char *bdf, const char *attr,
			       uint32_t *val)
{
	char buf[64];
	int ret;

	ret = pci_attr_read(bdf, attr, buf, sizeof(buf));
	if (ret)
		return ret;
	*val = strtoul(buf, NULL, 0);
	return 0;
}

static inline int pci_bdf_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/*
 * Fill @bdfs with up to @max devices @vendor:@device, sorted by BDF.
 * Return: the number found (may exceed @max), or -errno.
 */
static inline int pci_find_devices(uint16_t vendor, uint16_t device,
				   char (*bdfs)[PCI_BDF_LEN], int max)
{
	struct dirent *de;
	int n = 0;
	DIR *dir;

	dir = opendir(PCI_SYSFS "/devices");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		uint32_t v, d;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= PCI_BDF_LEN)
			continue;
		if (pci_attr_u32(de->d_name, "vendor", &v) ||
		    pci_attr_u32(de->d_name, "device", &d))
			continue;
		if (v != vendor || d != device)
			continue;
		if (n < max)
			strcpy(bdfs[n], de->d_name);
		n++;
	}
	closedir(dir);
	qsort(bdfs, n < max ? n : max, sizeof(*bdfs), pci_bdf_cmp);
	return n;
}

/* Does @name look like a PCI address "dddd:bb:dd.f"? */
static inline bool pci_is_bdf(const char *name)
{
	unsigned int dom, bus, dev, fn;
	char end;

	return sscanf(name, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &end) == 4;
}

/*
 * The PCI bridge @bdf sits behind, from the sysfs device path
 * (/sys/devices/pci0000:00/0000:00:05.0/0000:01:00.0/0000:02:01.0 -> the
 * parent is 0000:01:00.0). Return: 0 and @parent, -ENOENT for a device on
 * a root bus, or -errno.
 */
static inline int pci_parent_bridge(const char *bdf, char *parent,
				    size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];
	char *slash;

	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s", bdf);
	if (!realpath(path, real))
		return -errno;
	slash = strrchr(real, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	slash = strrchr(real, '/');
	if (!slash || !pci_is_bdf(slash + 1))
		return -ENOENT;
	return str_copy(parent, len, slash + 1);
}

/* Name of the driver bound to @bdf, "" if none. */
static inline int pci_driver(const char *bdf, char *drv, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	char *base;

	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		if (errno != ENOENT)
			return -errno;
		drv[0] = 0;
		return 0;
	}
	link[n] = 0;
	base = strrchr(link, '/');
	return str_copy(drv, len, base ? base + 1 : link);
}

/* Unbind @bdf from whatever driver it has (no-op if none). */
static inline int pci_unbind(const char *bdf)
{
	char drv[64];
	int ret;

	ret = pci_driver(bdf, drv, sizeof(drv));
	if (ret || !drv[0])
		return ret;
	return pci_attr_write(bdf, "driver/unbind", bdf);
}

/*
 * @len bytes of @bdf's real config space at @off, as the kernel reads it
 * from the device (sysfs "config"), not through a vfio fd.
 */
static inline int pci_config_read_real(const char *bdf, uint32_t off,
				       void *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s/config", bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, off);
	n = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return n;
}

/* Set (or with "" clear) driver_override. */
static inline int pci_set_override(const char *bdf, const char *drv)
{
	return pci_attr_write(bdf, "driver_override", drv[0] ? drv : "\n");
}

/*
 * Bind @bdf to xiommu-vfio-pci: driver_override, unbind from any other
 * driver, drivers_probe. Idempotent.
 */
static inline int vfio_dev_bind_driver(const char *bdf)
{
	char drv[64];
	int ret;

	ret = pci_driver(bdf, drv, sizeof(drv));
	if (ret)
		return ret;
	if (!strcmp(drv, VFIO_DEV_DRIVER))
		return 0;
	ret = pci_set_override(bdf, VFIO_DEV_DRIVER);
	if (ret)
		return ret;
	ret = pci_unbind(bdf);
	if (ret)
		return ret;
	ret = sysfs_write(PCI_SYSFS "/drivers_probe", bdf);
	if (ret)
		return ret;
	ret = pci_driver(bdf, drv, sizeof(drv));
	if (ret)
		return ret;
	return strcmp(drv, VFIO_DEV_DRIVER) ? -ENODEV : 0;
}

/*
 * Path of @bdf's device node, /dev/vfio/devices/vfioN, found through
 * /sys/bus/pci/devices/<bdf>/vfio-dev/vfioN. Creates the node from the
 * class device's "dev" attribute if devtmpfs did not.
 */
static inline int vfio_dev_path(const char *bdf, char *path, size_t len)
{
	char dir[PATH_MAX], attr[PATH_MAX + 16], devno[32];
	unsigned int major, minor;
	struct dirent *de;
	char name[NAME_MAX + 1] = "";
	DIR *d;
	int ret;

	snprintf(dir, sizeof(dir), PCI_SYSFS "/devices/%s/vfio-dev", bdf);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4)) {
			str_copy(name, sizeof(name), de->d_name);
			break;
		}
	closedir(d);
	if (!name[0])
		return -ENOENT;

	snprintf(path, len, "/dev/vfio/devices/%s", name);
	if (!access(path, F_OK))
		return 0;
	snprintf(attr, sizeof(attr), "%s/%s/dev", dir, name);
	ret = sysfs_read(attr, devno, sizeof(devno));
	if (ret)
		return ret;
	if (sscanf(devno, "%u:%u", &major, &minor) != 2)
		return -EINVAL;
	mkdir("/dev/vfio", 0755);
	mkdir("/dev/vfio/devices", 0755);
	if (mknod(path, S_IFCHR | 0600, makedev(major, minor)) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Open @bdf's vfio cdev (the device must be bound to the driver). */
static inline int vfio_dev_open(const char *bdf)
{
	char path[PATH_MAX];
	int ret, fd;

	ret = vfio_dev_path(bdf, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ----------------------------------------------------------- vfio cdev */

static inline int vfio_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int vfio_dev_bind(int devfd, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};
	int ret;

	ret = vfio_ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (!ret && devid)
		*devid = bind.out_devid;
	return ret;
}

/* @pt_id: in IOAS/HWPT id, out the attached HWPT id. */
static inline int vfio_dev_attach(int devfd, uint32_t *pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = *pt_id,
	};
	int ret;

	ret = vfio_ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	if (!ret)
		*pt_id = attach.pt_id;
	return ret;
}

static inline int vfio_dev_detach(int devfd)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};

	return vfio_ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
}

static inline int vfio_dev_info(int devfd, struct vfio_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return vfio_ioctl(devfd, VFIO_DEVICE_GET_INFO, info);
}

static inline int vfio_dev_region(int devfd, uint32_t index,
				  struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return vfio_ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, info);
}

/* Exactly @len bytes at @off of region @index, or -errno (-EIO if short). */
static inline int vfio_dev_pread(int devfd, uint32_t index, uint64_t off,
				 void *buf, size_t len)
{
	ssize_t n = pread(devfd, buf, len, VFIO_REGION_OFFSET(index) + off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static inline int vfio_dev_pwrite(int devfd, uint32_t index, uint64_t off,
				  const void *buf, size_t len)
{
	ssize_t n = pwrite(devfd, buf, len, VFIO_REGION_OFFSET(index) + off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static inline int vfio_cfg_read16(int devfd, uint32_t off, uint16_t *val)
{
	return vfio_dev_pread(devfd, VFIO_PCI_CONFIG_REGION_INDEX, off, val,
			      sizeof(*val));
}

static inline int vfio_cfg_write16(int devfd, uint32_t off, uint16_t val)
{
	return vfio_dev_pwrite(devfd, VFIO_PCI_CONFIG_REGION_INDEX, off, &val,
			       sizeof(val));
}

#define VFIO_PCI_COMMAND		0x04
#define VFIO_PCI_COMMAND_MEMORY		0x2
#define VFIO_PCI_COMMAND_MASTER		0x4

/* Set or clear Bus Master Enable (and make sure Memory Space is on). */
static inline int vfio_dev_set_master(int devfd, bool on)
{
	uint16_t cmd;
	int ret;

	ret = vfio_cfg_read16(devfd, VFIO_PCI_COMMAND, &cmd);
	if (ret)
		return ret;
	cmd |= VFIO_PCI_COMMAND_MEMORY;
	if (on)
		cmd |= VFIO_PCI_COMMAND_MASTER;
	else
		cmd &= ~VFIO_PCI_COMMAND_MASTER;
	ret = vfio_cfg_write16(devfd, VFIO_PCI_COMMAND, cmd);
	if (ret)
		return ret;
	ret = vfio_cfg_read16(devfd, VFIO_PCI_COMMAND, &cmd);
	if (ret)
		return ret;
	return !!(cmd & VFIO_PCI_COMMAND_MASTER) == on ? 0 : -EIO;
}

/* -------------------------------------------------------------- iommufd */

static inline int iommufd_open(void)
{
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static inline int iommufd_ioas_alloc(int fd, uint32_t *ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int ret;

	ret = vfio_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);
	if (!ret)
		*ioas_id = cmd.out_ioas_id;
	return ret;
}

static inline int iommufd_destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return vfio_ioctl(fd, IOMMU_DESTROY, &cmd);
}

/* Map @len bytes at @va to the fixed @iova, readable and writable. */
static inline int iommufd_map(int fd, uint32_t ioas_id, void *va, size_t len,
			      uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return vfio_ioctl(fd, IOMMU_IOAS_MAP, &cmd);
}

static inline int iommufd_unmap(int fd, uint32_t ioas_id, uint64_t iova,
				uint64_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = len,
	};

	return vfio_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
}

/*
 * Is [@iova, @iova + @len) inside one of the IOAS's usable IOVA ranges?
 * Return: 1 yes, 0 no, -errno.
 */
static inline int iommufd_iova_usable(int fd, uint32_t ioas_id,
				      uint64_t iova, uint64_t len)
{
	struct iommu_iova_range ranges[32];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = 32,
		.allowed_iovas = (uintptr_t)ranges,
	};
	uint32_t i;
	int ret;

	ret = vfio_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);
	if (ret)
		return ret;
	for (i = 0; i < cmd.num_iovas; i++)
		if (iova >= ranges[i].start &&
		    iova + len - 1 <= ranges[i].last)
			return 1;
	return 0;
}

/* ------------------------------------------------------------- helpers */

/* Page-aligned, zeroed, anonymous memory for DMA. */
static inline void *dma_buf_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void dma_buf_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

/*
 * Faults every xiommu unit has reported (sum of
 * /sys/kernel/debug/xiommu/<unit>/faults); mounts debugfs if needed.
 * Return: the count, or -errno.
 */
static inline int64_t xiommu_faults(void)
{
	const char *pattern = "/sys/kernel/debug/xiommu/*/faults";
	int64_t sum = 0;
	glob_t g;
	size_t i;

	if (access("/sys/kernel/debug/xiommu", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (glob(pattern, 0, NULL, &g))
		return -ENOENT;
	for (i = 0; i < g.gl_pathc; i++) {
		char buf[32];
		int ret = sysfs_read(g.gl_pathv[i], buf, sizeof(buf));

		if (ret) {
			globfree(&g);
			return ret;
		}
		sum += strtoll(buf, NULL, 0);
	}
	globfree(&g);
	return sum;
}

/* Sleep @ms milliseconds (fault reporting is polled every ~50 ms). */
static inline void msleep(unsigned int ms)
{
	usleep(ms * 1000);
}

#endif /* XIOMMU_SELFTESTS_VFIO_DEV_H */
