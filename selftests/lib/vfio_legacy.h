/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space helpers for the legacy VFIO API of xiommu_vfio_pci:
 * containers (/dev/vfio/vfio), groups (/dev/vfio/N) and the sysfs
 * iommu_group link that names a device's group. Header-only, like
 * vfio_dev.h; same convention: 0 (or a non-negative value) or -errno.
 */
#ifndef XIOMMU_SELFTESTS_VFIO_LEGACY_H
#define XIOMMU_SELFTESTS_VFIO_LEGACY_H

#include "vfio_dev.h"

#define VFIO_CONTAINER_PATH	"/dev/vfio/vfio"
#define XIOMMU_GROUPS_SYSFS	"/sys/kernel/xiommu_groups"
#define XIOMMU_GROUP_NUM_BASE	10000	/* src/iommu/group_user.c */

/*
 * @bdf's group number as QEMU and DPDK find it: the basename of the
 * iommu_group link. Return: the number, or -errno.
 */
static inline int vfio_group_number(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	base = strrchr(link, '/');
	return atoi(base ? base + 1 : link);
}

/* Where the iommu_group link of @bdf points to, resolved. */
static inline int vfio_group_link_target(const char *bdf, char *real,
					 size_t len)
{
	char path[PATH_MAX];

	if (len < PATH_MAX)
		return -EINVAL;
	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s/iommu_group", bdf);
	return realpath(path, real) ? 0 : -errno;
}

static inline int vfio_container_open(void)
{
	int fd = open(VFIO_CONTAINER_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Open /dev/vfio/@group. */
static inline int vfio_group_open(int group)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static inline bool vfio_group_node_exists(int group)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	return !access(path, F_OK);
}

/* ioctl() with an integer argument: the result or -errno. */
static inline long vfio_ioctl_val(int fd, unsigned long cmd, unsigned long arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static inline int vfio_group_status(int gfd, uint32_t *flags)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int ret = vfio_ioctl(gfd, VFIO_GROUP_GET_STATUS, &st);

	if (!ret)
		*flags = st.flags;
	return ret;
}

static inline int vfio_group_set_container(int gfd, int cfd)
{
	return vfio_ioctl(gfd, VFIO_GROUP_SET_CONTAINER, &cfd);
}

static inline int vfio_group_unset_container(int gfd)
{
	return ioctl(gfd, VFIO_GROUP_UNSET_CONTAINER) ? -errno : 0;
}

/* VFIO_GROUP_GET_DEVICE_FD: the device fd or -errno. */
static inline int vfio_group_device_fd(int gfd, const char *name)
{
	int fd = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, name);

	return fd < 0 ? -errno : fd;
}

/* VFIO_IOMMU_MAP_DMA of @len bytes at @va to @iova, read+write. */
static inline int vfio_map_dma(int cfd, void *va, uint64_t iova,
			       uint64_t len)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = len,
	};

	return vfio_ioctl(cfd, VFIO_IOMMU_MAP_DMA, &map);
}

/* VFIO_IOMMU_UNMAP_DMA; @unmapped (may be NULL) gets the bytes unmapped. */
static inline int vfio_unmap_dma(int cfd, uint64_t iova, uint64_t len,
				 uint32_t flags, uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = len,
	};
	int ret = vfio_ioctl(cfd, VFIO_IOMMU_UNMAP_DMA, &unmap);

	if (!ret && unmapped)
		*unmapped = unmap.size;
	return ret;
}

/*
 * A container with @bdf's group set to it and the type1v2 IOMMU model:
 * QEMU's and DPDK's sequence. Returns the group fd in @gfd.
 */
static inline int vfio_legacy_setup(const char *bdf, int *cfd, int *gfd)
{
	int group, ret;

	group = vfio_group_number(bdf);
	if (group < 0)
		return group;
	*cfd = vfio_container_open();
	if (*cfd < 0)
		return *cfd;
	*gfd = vfio_group_open(group);
	if (*gfd < 0) {
		ret = *gfd;
		close(*cfd);
		return ret;
	}
	ret = vfio_group_set_container(*gfd, *cfd);
	if (!ret)
		ret = vfio_ioctl_val(*cfd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
	if (ret) {
		close(*gfd);
		close(*cfd);
	}
	return ret;
}

#endif /* XIOMMU_SELFTESTS_VFIO_LEGACY_H */
