// SPDX-License-Identifier: GPL-2.0-only
/*
 * The legacy VFIO API of xiommu_vfio_pci: containers (/dev/vfio/vfio),
 * groups (/dev/vfio/N) and the sysfs iommu_group link, with upstream
 * VFIO's ioctls and errno (Linux 6.1 drivers/vfio/container.c,
 * vfio_main.c and vfio_iommu_type1.c), DMA through a container's
 * mappings with QEMU's edu device, and group ownership against the device
 * cdev path (Documentation/groups.md).
 *
 *   scripts/vm --profile vtd --add build/bin/vfio_legacy -- /vfio_legacy
 *
 * Layout (profiles vtd, virtio): one edu on the root complex, two behind a
 * PCIe-to-PCI bridge (one group). Tests whose layout is missing skip. The
 * viability test with a kernel driver needs one that does DMA on its own
 * (pci-stub does not count: it is driver_managed_dma): uio_pci_generic,
 * put into the guest as /uio.ko and /uio_pci_generic.ko (--add them from
 * /lib/modules/$(scripts/kver.sh)/kernel/drivers/uio/) or already loaded.
 */
#include "kselftest_harness.h"
#include "lib/dma_util.h"
#include "lib/vfio_legacy.h"

#define BUF_SIZE	4096
#define DMA_LEN		2048
#define IOVA_SRC	0x100000ULL
#define IOVA_DST	0x200000ULL
#define TIMEOUT_S	120

/* One edu alone in its group, bound to xiommu-vfio-pci. */
FIXTURE(legacy) {
	char bdf[PCI_BDF_LEN];
	int group;
	int cfd;
	int gfd;
};

FIXTURE_SETUP(legacy)
{
	self->cfd = -1;
	self->gfd = -1;
	if (edu_find_solo(self->bdf))
		SKIP(return, "no edu device");
	ASSERT_EQ(0, vfio_dev_bind_driver(self->bdf));
	self->group = vfio_group_number(self->bdf);
	ASSERT_LE(XIOMMU_GROUP_NUM_BASE, self->group);
	self->cfd = vfio_container_open();
	ASSERT_LE(0, self->cfd);
	self->gfd = vfio_group_open(self->group);
	ASSERT_LE(0, self->gfd);
}

FIXTURE_TEARDOWN(legacy)
{
	if (self->gfd >= 0)
		close(self->gfd);
	if (self->cfd >= 0)
		close(self->cfd);
}

/* The sysfs link, the group directory and the node agree on the number. */
TEST_F(legacy, sysfs_group_link)
{
	char real[PATH_MAX], path[PATH_MAX + 64], want[PATH_MAX];
	struct stat st;

	ASSERT_EQ(0, vfio_group_link_target(self->bdf, real, sizeof(real)));
	snprintf(want, sizeof(want), XIOMMU_GROUPS_SYSFS "/%d", self->group);
	ASSERT_STREQ(want, real);
	snprintf(path, sizeof(path), "%s/devices/%s", real, self->bdf);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_TRUE(vfio_group_node_exists(self->group));
	/* Never a number the kernel's own IOMMU core uses (from 0). */
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d",
		 self->group);
	ASSERT_NE(0, access(path, F_OK));
}

/* Container ioctls before any group: upstream's answers without a model. */
TEST_F(legacy, container_without_group)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	char buf[8];
	int cfd2;

	ASSERT_EQ(VFIO_API_VERSION,
		  vfio_ioctl_val(self->cfd, VFIO_GET_API_VERSION, 0));
	ASSERT_EQ(1, vfio_ioctl_val(self->cfd, VFIO_CHECK_EXTENSION,
				    VFIO_TYPE1_IOMMU));
	ASSERT_EQ(1, vfio_ioctl_val(self->cfd, VFIO_CHECK_EXTENSION,
				    VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(1, vfio_ioctl_val(self->cfd, VFIO_CHECK_EXTENSION,
				    VFIO_UNMAP_ALL));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_CHECK_EXTENSION,
				    VFIO_DMA_CC_IOMMU));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_CHECK_EXTENSION,
				    VFIO_NOIOMMU_IOMMU));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_CHECK_EXTENSION,
				    VFIO_SPAPR_TCE_IOMMU));
	/* No group: no IOMMU model, and nothing else works. */
	ASSERT_EQ(-EINVAL, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
					  VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->cfd, VFIO_IOMMU_GET_INFO, &info));
	ASSERT_EQ(-EINVAL, vfio_map_dma(self->cfd, buf, IOVA_SRC, 4096));
	ASSERT_EQ(-EINVAL, vfio_unmap_dma(self->cfd, 0, 0,
					  VFIO_DMA_UNMAP_FLAG_ALL, NULL));
	/* Containers are not exclusive. */
	cfd2 = vfio_container_open();
	ASSERT_LE(0, cfd2);
	close(cfd2);
}

/* The group state machine and its errno, step by step. */
TEST_F(legacy, group_rules)
{
	char name[PCI_BDF_LEN + 8];
	uint32_t flags = 0;
	int nullfd, dfd;

	/* One open group fd at a time. */
	ASSERT_EQ(-EBUSY, vfio_group_open(self->group));

	{
		struct vfio_group_status st = { .argsz = 4 };

		ASSERT_EQ(-EINVAL,
			  vfio_ioctl(self->gfd, VFIO_GROUP_GET_STATUS, &st));
	}
	ASSERT_EQ(0, vfio_group_status(self->gfd, &flags));
	ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags);

	ASSERT_EQ(-ENOTTY, vfio_ioctl_val(self->gfd, VFIO_GET_API_VERSION, 0));
	ASSERT_EQ(-EINVAL, vfio_group_unset_container(self->gfd));
	ASSERT_EQ(-EINVAL, vfio_group_device_fd(self->gfd, self->bdf));
	ASSERT_EQ(-EBADF, vfio_group_set_container(self->gfd, 1000));
	nullfd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, nullfd);
	ASSERT_EQ(-EINVAL, vfio_group_set_container(self->gfd, nullfd));
	close(nullfd);

	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	ASSERT_EQ(0, vfio_group_status(self->gfd, &flags));
	ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET,
		  flags);
	ASSERT_EQ(-EINVAL, vfio_group_set_container(self->gfd, self->cfd));

	/* No IOMMU model yet. */
	ASSERT_EQ(-EINVAL, vfio_group_device_fd(self->gfd, self->bdf));
	ASSERT_EQ(-EINVAL, vfio_map_dma(self->cfd, name, IOVA_SRC, 4096));
	ASSERT_EQ(-ENODEV, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU, 99));
	ASSERT_EQ(-ENODEV, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
					  VFIO_SPAPR_TCE_IOMMU));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(-EINVAL, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
					  VFIO_TYPE1v2_IOMMU));

	/* Device names: exact, of a device of this group. */
	ASSERT_EQ(-ENODEV, vfio_group_device_fd(self->gfd, "0000:00:1f.7"));
	ASSERT_EQ(-ENODEV, vfio_group_device_fd(self->gfd, ""));
	snprintf(name, sizeof(name), "%s ", self->bdf);
	ASSERT_EQ(-ENODEV, vfio_group_device_fd(self->gfd, name));
	ASSERT_EQ(-EFAULT, vfio_ioctl(self->gfd, VFIO_GROUP_GET_DEVICE_FD,
				      (void *)8));

	dfd = vfio_group_device_fd(self->gfd, self->bdf);
	ASSERT_LE(0, dfd);
	/* One device fd per device at a time (see Documentation/vfio.md). */
	ASSERT_EQ(-EBUSY, vfio_group_device_fd(self->gfd, self->bdf));
	/* A device fd keeps the group in its container. */
	ASSERT_EQ(-EBUSY, vfio_group_unset_container(self->gfd));
	close(dfd);
	ASSERT_EQ(0, vfio_group_unset_container(self->gfd));
	ASSERT_EQ(0, vfio_group_status(self->gfd, &flags));
	ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags);
	/* The last group took the IOMMU model along. */
	ASSERT_EQ(-EINVAL, vfio_map_dma(self->cfd, name, IOVA_SRC, 4096));
	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
				    VFIO_TYPE1_IOMMU));
}

/* A cap of @type in the chain of @info (@len bytes), or NULL. */
static struct vfio_info_cap_header *find_cap(void *info, size_t len,
					     uint16_t id)
{
	struct vfio_iommu_type1_info *hdr = info;
	uint32_t off = hdr->cap_offset;

	while (off && off + sizeof(struct vfio_info_cap_header) <= len) {
		struct vfio_info_cap_header *cap = info + off;

		if (cap->id == id)
			return cap;
		off = cap->next;
	}
	return NULL;
}

/* VFIO_IOMMU_GET_INFO and its capability chain. */
TEST_F(legacy, iommu_get_info)
{
	struct vfio_iommu_type1_info_cap_iova_range *iova;
	struct vfio_iommu_type1_info_dma_avail *avail;
	struct vfio_iommu_type1_info info = { .argsz = 8 };
	struct vfio_iommu_type1_info *big;
	uint32_t need, i;
	bool src_ok = false;

	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU));

	ASSERT_EQ(-EINVAL, vfio_ioctl(self->cfd, VFIO_IOMMU_GET_INFO, &info));
	info.argsz = sizeof(info);
	ASSERT_EQ(0, vfio_ioctl(self->cfd, VFIO_IOMMU_GET_INFO, &info));
	ASSERT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, info.flags);
	ASSERT_NE(0, info.iova_pgsizes & 4096);
	/* The caps did not fit: argsz says how much they need. */
	ASSERT_EQ(0, info.cap_offset);
	ASSERT_LT(sizeof(info), info.argsz);
	need = info.argsz;

	big = calloc(1, need);
	ASSERT_NE(NULL, big);
	big->argsz = need;
	ASSERT_EQ(0, vfio_ioctl(self->cfd, VFIO_IOMMU_GET_INFO, big));
	ASSERT_EQ(need, big->argsz);
	ASSERT_EQ(sizeof(*big), big->cap_offset);
	avail = (void *)find_cap(big, need, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	ASSERT_NE(NULL, avail);
	ASSERT_LT(0, avail->avail);
	iova = (void *)find_cap(big, need,
				VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	ASSERT_NE(NULL, iova);
	ASSERT_LT(0, iova->nr_iovas);
	for (i = 0; i < iova->nr_iovas; i++)
		if (iova->iova_ranges[i].start <= IOVA_SRC &&
		    iova->iova_ranges[i].end >= IOVA_DST + BUF_SIZE - 1)
			src_ok = true;
	ASSERT_TRUE(src_ok);
	free(big);
}

/* MAP_DMA / UNMAP_DMA and their malformed forms. */
TEST_F(legacy, map_unmap)
{
	struct vfio_iommu_type1_dma_map map = { 0 };
	struct vfio_iommu_type1_dma_unmap unmap = { 0 };
	uint8_t *buf = dma_buf_alloc(4 * BUF_SIZE);
	uint64_t unmapped = 0;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU));

	map.argsz = offsetof(struct vfio_iommu_type1_dma_map, size);
	map.flags = VFIO_DMA_MAP_FLAG_READ;
	map.vaddr = (uintptr_t)buf;
	map.iova = IOVA_SRC;
	map.size = BUF_SIZE;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->cfd, VFIO_IOMMU_MAP_DMA, &map));
	map.argsz = sizeof(map);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_VADDR;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->cfd, VFIO_IOMMU_MAP_DMA, &map));
	map.flags = 1u << 7;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->cfd, VFIO_IOMMU_MAP_DMA, &map));
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	ASSERT_EQ(0, vfio_ioctl(self->cfd, VFIO_IOMMU_MAP_DMA, &map));
	/* Overlaps an existing mapping. */
	ASSERT_EQ(-EEXIST, vfio_ioctl(self->cfd, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, buf + BUF_SIZE, IOVA_DST,
				  3 * BUF_SIZE));

	unmap.argsz = 8;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->cfd, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(-EINVAL, vfio_unmap_dma(self->cfd, IOVA_SRC, BUF_SIZE,
					  VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
					  NULL));
	ASSERT_EQ(-EINVAL, vfio_unmap_dma(self->cfd, IOVA_SRC, BUF_SIZE,
					  VFIO_DMA_UNMAP_FLAG_VADDR, NULL));
	ASSERT_EQ(-EINVAL, vfio_unmap_dma(self->cfd, IOVA_SRC, BUF_SIZE,
					  VFIO_DMA_UNMAP_FLAG_ALL, NULL));
	{
		struct vfio_iommu_type1_dirty_bitmap db = {
			.argsz = sizeof(db),
			.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START,
		};

		ASSERT_EQ(-ENOTTY,
			  vfio_ioctl(self->cfd, VFIO_IOMMU_DIRTY_PAGES, &db));
	}

	ASSERT_EQ(0, vfio_unmap_dma(self->cfd, IOVA_SRC, BUF_SIZE, 0,
				    &unmapped));
	ASSERT_EQ(BUF_SIZE, unmapped);
	ASSERT_EQ(0, vfio_unmap_dma(self->cfd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL,
				    &unmapped));
	ASSERT_EQ(3 * BUF_SIZE, unmapped);
	dma_buf_free(buf, 4 * BUF_SIZE);
}

/* Open the device the way QEMU does and DMA through the container. */
TEST_F_TIMEOUT(legacy, dma_through_container, TIMEOUT_S)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	struct vfio_region_info rinfo = { .argsz = sizeof(rinfo) };
	uint8_t *src = dma_buf_alloc(BUF_SIZE), *dst = dma_buf_alloc(BUF_SIZE);
	uint32_t id;
	uint16_t vendor;
	void *bar;
	int dfd;

	ASSERT_NE(NULL, src);
	ASSERT_NE(NULL, dst);
	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU));
	/* QEMU maps guest RAM before it opens the devices. */
	ASSERT_EQ(0, vfio_map_dma(self->cfd, src, IOVA_SRC, BUF_SIZE));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, dst, IOVA_DST, BUF_SIZE));

	dfd = vfio_group_device_fd(self->gfd, self->bdf);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, vfio_dev_info(dfd, &dinfo));
	ASSERT_NE(0, dinfo.flags & VFIO_DEVICE_FLAGS_PCI);
	ASSERT_EQ(0, vfio_dev_region(dfd, VFIO_PCI_CONFIG_REGION_INDEX,
				     &rinfo));
	ASSERT_EQ(0, vfio_dev_pread(dfd, VFIO_PCI_CONFIG_REGION_INDEX, 0,
				    &vendor, 2));
	ASSERT_EQ(EDU_VENDOR, vendor);
	/* Already bound: the cdev ioctl has nothing to do here. */
	{
		int iommufd = iommufd_open();

		ASSERT_LE(0, iommufd);
		ASSERT_EQ(-EINVAL, vfio_dev_bind(dfd, iommufd, NULL));
		close(iommufd);
	}

	/* The BAR: read the ID register through read() and through mmap. */
	ASSERT_EQ(0, edu_read32(dfd, EDU_REG_ID, &id));
	ASSERT_EQ(EDU_ID_VALUE, id);
	ASSERT_EQ(0, vfio_dev_region(dfd, VFIO_PCI_BAR0_REGION_INDEX, &rinfo));
	ASSERT_NE(0, rinfo.flags & VFIO_REGION_INFO_FLAG_MMAP);
	bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, dfd,
		   rinfo.offset);
	ASSERT_NE(MAP_FAILED, bar);
	ASSERT_EQ(EDU_ID_VALUE, *(volatile uint32_t *)bar);

	ASSERT_EQ(0, vfio_dev_set_master(dfd, true));
	dma_fill(src, BUF_SIZE, 0x5a);
	memset(dst, 0, BUF_SIZE);
	ASSERT_EQ(0, edu_dma(dfd, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(dfd, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(src, dst, DMA_LEN));

	/* A mapping made while the device is open reaches it too. */
	ASSERT_EQ(0, vfio_unmap_dma(self->cfd, IOVA_DST, BUF_SIZE, 0, NULL));
	memset(dst, 0, BUF_SIZE);
	ASSERT_EQ(0, vfio_map_dma(self->cfd, dst, IOVA_DST + 0x10000,
				  BUF_SIZE));
	ASSERT_EQ(0, edu_dma(dfd, IOVA_DST + 0x10000, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(src, dst, DMA_LEN));

	munmap(bar, 4096);
	close(dfd);
	dma_buf_free(src, BUF_SIZE);
	dma_buf_free(dst, BUF_SIZE);
}

/*
 * A group held through a group fd cannot be bound through a cdev with an
 * iommufd, and the reverse; closing gives the group back.
 */
TEST_F(legacy, group_fd_vs_cdev)
{
	uint32_t flags = 0;
	int iommufd, cdev, dfd;

	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);

	/* Group fd first. */
	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU));
	dfd = vfio_group_device_fd(self->gfd, self->bdf);
	ASSERT_LE(0, dfd);
	cdev = vfio_dev_open(self->bdf);
	ASSERT_LE(0, cdev);
	ASSERT_EQ(-EBUSY, vfio_dev_bind(cdev, iommufd, NULL));
	/* Still EBUSY with only the container holding the group. */
	close(dfd);
	ASSERT_EQ(-EBUSY, vfio_dev_bind(cdev, iommufd, NULL));
	/* Closing the group fd gives it back. */
	close(self->gfd);
	ASSERT_EQ(0, vfio_dev_bind(cdev, iommufd, NULL));

	/* Now the cdev holds it: the group is not viable for a container. */
	self->gfd = vfio_group_open(self->group);
	ASSERT_LE(0, self->gfd);
	ASSERT_EQ(0, vfio_group_status(self->gfd, &flags));
	ASSERT_EQ(0, flags & VFIO_GROUP_FLAGS_VIABLE);
	ASSERT_EQ(-EBUSY, vfio_group_set_container(self->gfd, self->cfd));
	close(cdev);
	ASSERT_EQ(0, vfio_group_status(self->gfd, &flags));
	ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags);
	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	close(iommufd);
}

/* Closing the container first: groups keep it alive until they go. */
TEST_F(legacy, release_order)
{
	int dfd;

	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU));
	dfd = vfio_group_device_fd(self->gfd, self->bdf);
	ASSERT_LE(0, dfd);
	close(self->cfd);
	self->cfd = -1;
	close(self->gfd);
	self->gfd = -1;
	/* The device fd still works, and holds the group. */
	{
		uint32_t id;

		ASSERT_EQ(0, edu_read32(dfd, EDU_REG_ID, &id));
		ASSERT_EQ(EDU_ID_VALUE, id);
	}
	ASSERT_EQ(-EBUSY, vfio_group_open(self->group));
	close(dfd);
	self->gfd = vfio_group_open(self->group);
	ASSERT_LE(0, self->gfd);
}

/* Unbinding the last device removes the node; an open group fd goes dead. */
TEST_F(legacy, node_follows_driver)
{
	uint32_t flags;

	ASSERT_EQ(0, pci_make_idle(self->bdf));
	ASSERT_FALSE(vfio_group_node_exists(self->group));
	ASSERT_EQ(-ENODEV, vfio_group_status(self->gfd, &flags));
	ASSERT_EQ(-ENODEV, vfio_group_set_container(self->gfd, self->cfd));
	/* The sysfs link stays: it belongs to the IOMMU, not the driver. */
	ASSERT_EQ(self->group, vfio_group_number(self->bdf));
	ASSERT_EQ(0, vfio_dev_bind_driver(self->bdf));
	ASSERT_TRUE(vfio_group_node_exists(self->group));
}

/* TYPE1 (v1): any page-aligned part of a mapping can be unmapped. */
TEST_F(legacy, type1_v1_partial_unmap)
{
	uint8_t *buf = dma_buf_alloc(4 * BUF_SIZE);
	uint64_t unmapped = 0;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
				    VFIO_TYPE1_IOMMU));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, buf, IOVA_SRC, 4 * BUF_SIZE));
	ASSERT_EQ(0, vfio_unmap_dma(self->cfd, IOVA_SRC + BUF_SIZE, BUF_SIZE,
				    0, &unmapped));
	ASSERT_EQ(BUF_SIZE, unmapped);
	/* The rest is still there, in two pieces. */
	ASSERT_EQ(-EEXIST, vfio_map_dma(self->cfd, buf, IOVA_SRC, BUF_SIZE));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, buf + BUF_SIZE,
				  IOVA_SRC + BUF_SIZE, BUF_SIZE));
	ASSERT_EQ(0, vfio_unmap_dma(self->cfd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL,
				    &unmapped));
	ASSERT_EQ(4 * BUF_SIZE, unmapped);
	dma_buf_free(buf, 4 * BUF_SIZE);
}

/*
 * The driver leaves the device while user space holds a device fd from the
 * group: the fd is revoked (ENODEV, BAR mapping gone), the group goes dead,
 * and closing everything gives the group back for a new round.
 */
TEST_F(legacy, remove_while_open)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	struct vfio_region_info rinfo = { .argsz = sizeof(rinfo) };
	uint8_t *buf = dma_buf_alloc(BUF_SIZE);
	uint32_t flags, id;
	void *bar;
	int dfd, iommufd, cdev;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	ASSERT_EQ(0, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, buf, IOVA_SRC, BUF_SIZE));
	dfd = vfio_group_device_fd(self->gfd, self->bdf);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, vfio_dev_region(dfd, VFIO_PCI_BAR0_REGION_INDEX, &rinfo));
	bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, dfd,
		   rinfo.offset);
	ASSERT_NE(MAP_FAILED, bar);
	ASSERT_EQ(EDU_ID_VALUE, *(volatile uint32_t *)bar);

	ASSERT_EQ(0, pci_make_idle(self->bdf));
	ASSERT_EQ(-ENODEV, vfio_dev_info(dfd, &dinfo));
	ASSERT_EQ(-ENODEV, edu_read32(dfd, EDU_REG_ID, &id));
	ASSERT_EQ(-ENODEV, vfio_group_status(self->gfd, &flags));
	ASSERT_FALSE(vfio_group_node_exists(self->group));
	/* The container still works for what it holds. */
	ASSERT_EQ(0, vfio_unmap_dma(self->cfd, IOVA_SRC, BUF_SIZE, 0, NULL));
	munmap(bar, 4096);
	close(dfd);
	close(self->gfd);
	self->gfd = -1;

	/* Everything was given back: a cdev can have the device now. */
	ASSERT_EQ(0, vfio_dev_bind_driver(self->bdf));
	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	cdev = vfio_dev_open(self->bdf);
	ASSERT_LE(0, cdev);
	ASSERT_EQ(0, vfio_dev_bind(cdev, iommufd, NULL));
	close(cdev);
	close(iommufd);
	self->gfd = vfio_group_open(self->group);
	ASSERT_LE(0, self->gfd);
	dma_buf_free(buf, BUF_SIZE);
}

/* The bridge group: two edus, one number, one group fd, shared mappings. */
FIXTURE(bridge) {
	char a[PCI_BDF_LEN];
	char b[PCI_BDF_LEN];
	int group;
	int cfd;
	int gfd;
};

FIXTURE_SETUP(bridge)
{
	self->cfd = -1;
	self->gfd = -1;
	if (edu_find_pair(self->a, self->b))
		SKIP(return, "no two edus behind one bridge");
	ASSERT_EQ(0, vfio_dev_bind_driver(self->a));
	ASSERT_EQ(0, vfio_dev_bind_driver(self->b));
	self->group = vfio_group_number(self->a);
	ASSERT_LE(XIOMMU_GROUP_NUM_BASE, self->group);
}

FIXTURE_TEARDOWN(bridge)
{
	if (self->gfd >= 0)
		close(self->gfd);
	if (self->cfd >= 0)
		close(self->cfd);
	vfio_dev_bind_driver(self->a);
	vfio_dev_bind_driver(self->b);
}

TEST_F_TIMEOUT(bridge, one_group_two_devices, TIMEOUT_S)
{
	uint8_t *src = dma_buf_alloc(BUF_SIZE), *dst = dma_buf_alloc(BUF_SIZE);
	int da, db;

	ASSERT_EQ(self->group, vfio_group_number(self->b));
	ASSERT_EQ(0, vfio_legacy_setup(self->a, &self->cfd, &self->gfd));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, src, IOVA_SRC, BUF_SIZE));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, dst, IOVA_DST, BUF_SIZE));
	da = vfio_group_device_fd(self->gfd, self->a);
	ASSERT_LE(0, da);
	db = vfio_group_device_fd(self->gfd, self->b);
	ASSERT_LE(0, db);
	ASSERT_EQ(0, vfio_dev_set_master(da, true));
	ASSERT_EQ(0, vfio_dev_set_master(db, true));

	/* a reads src into its buffer, b writes its own buffer to dst... */
	dma_fill(src, BUF_SIZE, 0x33);
	memset(dst, 0, BUF_SIZE);
	ASSERT_EQ(0, edu_dma(da, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(da, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(src, dst, DMA_LEN));
	/* ...and b uses the same mappings. */
	dma_fill(src, BUF_SIZE, 0x44);
	memset(dst, 0, BUF_SIZE);
	ASSERT_EQ(0, edu_dma(db, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(db, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(src, dst, DMA_LEN));
	close(da);
	close(db);
	dma_buf_free(src, BUF_SIZE);
	dma_buf_free(dst, BUF_SIZE);
}

#define KDRV	"uio_pci_generic"

/* Load uio_pci_generic if the guest carries it; true if it is there. */
static bool have_kernel_driver(void)
{
	if (!access(PCI_SYSFS "/drivers/" KDRV, F_OK))
		return true;
	if (!access("/uio.ko", F_OK) && !access("/" KDRV ".ko", F_OK) &&
	    system("insmod /uio.ko; insmod /" KDRV ".ko") >= 0)
		return !access(PCI_SYSFS "/drivers/" KDRV, F_OK);
	return false;
}

/* Bind @bdf to a kernel driver that does DMA through the DMA API. */
static int bind_kernel_driver(const char *bdf)
{
	char drv[64];
	int ret;

	ret = pci_set_override(bdf, KDRV);
	if (!ret)
		ret = pci_unbind(bdf);
	if (!ret)
		ret = sysfs_write(PCI_SYSFS "/drivers_probe", bdf);
	if (!ret)
		ret = pci_driver(bdf, drv, sizeof(drv));
	return ret ? ret : (strcmp(drv, KDRV) ? -ENODEV : 0);
}

/* A member bound to a kernel driver makes the group not viable. */
TEST_F(bridge, not_viable_with_kernel_driver)
{
	uint32_t flags = 0;

	if (!have_kernel_driver())
		SKIP(return, KDRV " not available (see the top of the file)");
	self->cfd = vfio_container_open();
	ASSERT_LE(0, self->cfd);
	self->gfd = vfio_group_open(self->group);
	ASSERT_LE(0, self->gfd);
	ASSERT_EQ(0, vfio_group_status(self->gfd, &flags));
	ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags);

	ASSERT_EQ(0, bind_kernel_driver(self->b));
	ASSERT_EQ(0, vfio_group_status(self->gfd, &flags));
	ASSERT_EQ(0, flags);
	ASSERT_EQ(-EBUSY, vfio_group_set_container(self->gfd, self->cfd));
	/* Idle is fine again. */
	ASSERT_EQ(0, pci_make_idle(self->b));
	ASSERT_EQ(0, vfio_group_status(self->gfd, &flags));
	ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE, flags);
	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	/* The idle member is guarded while the container holds the group. */
	ASSERT_TRUE(pci_override_is(self->b, VFIO_DEV_DRIVER));
	close(self->gfd);
	self->gfd = -1;
	ASSERT_TRUE(pci_override_is(self->b, ""));
}

/*
 * Two groups in one container (the solo edu and the bridge group): one
 * SET_IOMMU, one address space; the second group's devices see mappings
 * made before it joined.
 */
TEST_F_TIMEOUT(bridge, two_groups_one_container, TIMEOUT_S)
{
	char solo[PCI_BDF_LEN];
	uint8_t *src = dma_buf_alloc(BUF_SIZE), *dst = dma_buf_alloc(BUF_SIZE);
	int gsolo, dsolo, da;

	if (edu_find_two_groups(solo, self->a))
		SKIP(return, "no two edus in different groups");
	ASSERT_EQ(0, vfio_dev_bind_driver(solo));
	ASSERT_NE(self->group, vfio_group_number(solo));
	ASSERT_EQ(0, vfio_legacy_setup(solo, &self->cfd, &gsolo));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, src, IOVA_SRC, BUF_SIZE));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, dst, IOVA_DST, BUF_SIZE));

	self->gfd = vfio_group_open(vfio_group_number(self->a));
	ASSERT_LE(0, self->gfd);
	ASSERT_EQ(0, vfio_group_set_container(self->gfd, self->cfd));
	/* The container has its model already. */
	ASSERT_EQ(-EINVAL, vfio_ioctl_val(self->cfd, VFIO_SET_IOMMU,
					  VFIO_TYPE1v2_IOMMU));
	/* A device of another group is not found through this one. */
	ASSERT_EQ(-ENODEV, vfio_group_device_fd(gsolo, self->a));
	dsolo = vfio_group_device_fd(gsolo, solo);
	ASSERT_LE(0, dsolo);
	da = vfio_group_device_fd(self->gfd, self->a);
	ASSERT_LE(0, da);
	ASSERT_EQ(0, vfio_dev_set_master(dsolo, true));
	ASSERT_EQ(0, vfio_dev_set_master(da, true));

	/* solo reads src, a writes the same bytes (from its own read) to dst */
	dma_fill(src, BUF_SIZE, 0x77);
	memset(dst, 0, BUF_SIZE);
	ASSERT_EQ(0, edu_dma(dsolo, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(da, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(da, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(src, dst, DMA_LEN));
	memset(dst, 0, BUF_SIZE);
	ASSERT_EQ(0, edu_dma(dsolo, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(src, dst, DMA_LEN));

	/* One group leaving keeps the model and the mappings for the other. */
	close(da);
	ASSERT_EQ(0, vfio_group_unset_container(self->gfd));
	memset(dst, 0, BUF_SIZE);
	ASSERT_EQ(0, edu_dma(dsolo, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(src, dst, DMA_LEN));

	close(dsolo);
	close(gsolo);
	dma_buf_free(src, BUF_SIZE);
	dma_buf_free(dst, BUF_SIZE);
}

/*
 * MAP_DMA of a peer's mmap'd BAR (VM_PFNMAP memory, as QEMU maps every
 * assigned device's BARs): a's DMA reaches b's registers through it.
 */
TEST_F_TIMEOUT(bridge, map_peer_bar, TIMEOUT_S)
{
	struct vfio_region_info rinfo = { .argsz = sizeof(rinfo) };
	uint8_t *src = dma_buf_alloc(BUF_SIZE);
	const uint64_t bar_iova = 0x400000, magic = 0x1122334455667788ULL;
	uint64_t unmapped = 0, val = 0;
	uint8_t *bar;
	int da, db;

	ASSERT_NE(NULL, src);
	ASSERT_EQ(0, vfio_legacy_setup(self->a, &self->cfd, &self->gfd));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, src, IOVA_SRC, BUF_SIZE));
	da = vfio_group_device_fd(self->gfd, self->a);
	ASSERT_LE(0, da);
	db = vfio_group_device_fd(self->gfd, self->b);
	ASSERT_LE(0, db);
	ASSERT_EQ(0, vfio_dev_region(db, VFIO_PCI_BAR0_REGION_INDEX, &rinfo));
	bar = mmap(NULL, 2 * BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, db,
		   rinfo.offset);
	ASSERT_NE(MAP_FAILED, bar);
	/* A range that leaves the PFNMAP memory is refused whole. */
	ASSERT_EQ(0, munmap(bar + BUF_SIZE, BUF_SIZE));
	ASSERT_EQ(-EFAULT, vfio_map_dma(self->cfd, bar, bar_iova,
					2 * BUF_SIZE));
	ASSERT_EQ(0, vfio_map_dma(self->cfd, bar, bar_iova, BUF_SIZE));

	/* a: RAM -> its buffer -> b's DMA source register (BAR0 + 0x80). */
	ASSERT_EQ(0, vfio_dev_set_master(da, true));
	memcpy(src, &magic, sizeof(magic));
	ASSERT_EQ(0, edu_dma(da, IOVA_SRC, 0, sizeof(magic), false));
	ASSERT_EQ(0, edu_dma(da, bar_iova + EDU_REG_DMA_SRC, 0,
			     sizeof(magic), true));
	ASSERT_EQ(0, edu_read64(db, EDU_REG_DMA_SRC, &val));
	ASSERT_EQ(magic, val);
	/* The CPU mapping shows it too. */
	ASSERT_EQ(magic, *(volatile uint64_t *)(bar + EDU_REG_DMA_SRC));

	ASSERT_EQ(0, vfio_unmap_dma(self->cfd, bar_iova, BUF_SIZE, 0,
				    &unmapped));
	ASSERT_EQ(BUF_SIZE, unmapped);
	/* Mapped again and left for close to clean up. */
	ASSERT_EQ(0, vfio_map_dma(self->cfd, bar, bar_iova, BUF_SIZE));
	munmap(bar, BUF_SIZE);
	close(da);
	close(db);
	dma_buf_free(src, BUF_SIZE);
}

TEST_HARNESS_MAIN
