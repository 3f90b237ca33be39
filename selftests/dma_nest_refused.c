// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nesting on the real drivers: none of the IOMMUs QEMU 7.2 emulates for
 * our drivers can nest (VT-d in 7.2 has no first-stage translation,
 * virtio-iommu has no nesting at all, and our SMMUv3 driver uses stage 1
 * only), so none offers a NEST_PARENT paging domain or a nested domain.
 * On an edu device behind whatever unit translates it (the vtd, virtio and
 * smmuv3 profiles), the nesting uAPI must refuse with upstream's errno and leave
 * the device's normal DMA path working:
 *
 *  - IOMMU_HWPT_ALLOC with IOMMU_HWPT_ALLOC_NEST_PARENT: EOPNOTSUPP;
 *  - a nested HWPT on a plain paging HWPT: EINVAL (not a NEST_PARENT);
 *  - IOMMU_HWPT_INVALIDATE on a paging HWPT: EINVAL, entry_num 0;
 *  - IOMMU_VIOMMU_ALLOC of any type: EOPNOTSUPP (the unit has no vIOMMU,
 *    checked before the HWPT), so no vDEVICE or vEVENTQ can exist (ENOENT).
 *
 *   scripts/vm --profile vtd --add build/bin/dma_nest_refused -- /dma_nest_refused
 */
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"

FIXTURE(nest) {
	char bdf[PCI_BDF_LEN];
	int iommufd, devfd;
	uint32_t ioas, dev_id, hwpt;
	bool idle;
};

FIXTURE_SETUP(nest)
{
	uint32_t pt_id;

	self->iommufd = -1;
	self->devfd = -1;
	self->idle = false;
	if (edu_find_solo(self->bdf))
		SKIP(return, "no edu device");
	ASSERT_EQ(0, pci_make_idle(self->bdf));
	self->idle = true;
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas));
	ASSERT_EQ(0, vfio_dev_bind_driver(self->bdf));
	self->devfd = vfio_dev_open(self->bdf);
	ASSERT_LE(0, self->devfd);
	ASSERT_EQ(0, vfio_dev_bind(self->devfd, self->iommufd, &self->dev_id));
	pt_id = self->ioas;
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt_id));
	self->hwpt = pt_id;
}

FIXTURE_TEARDOWN(nest)
{
	if (self->devfd >= 0)
		close(self->devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	if (self->idle)
		pci_make_idle(self->bdf);
}

static int hwpt_alloc(int fd, uint32_t flags, uint32_t dev_id, uint32_t pt_id,
		      uint32_t data_type, void *data, uint32_t len,
		      uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int ret = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!ret)
		*out = cmd.out_hwpt_id;
	return ret;
}

TEST_F(nest, no_nest_parent)
{
	uint32_t id;

	ASSERT_EQ(-1, hwpt_alloc(self->iommufd, IOMMU_HWPT_ALLOC_NEST_PARENT,
				 self->dev_id, self->ioas, IOMMU_HWPT_DATA_NONE,
				 NULL, 0, &id));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(nest, no_nested)
{
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	struct iommu_hwpt_arm_smmuv3 ste = {};
	uint32_t plain, id;

	ASSERT_EQ(0, hwpt_alloc(self->iommufd, 0, self->dev_id, self->ioas,
				IOMMU_HWPT_DATA_NONE, NULL, 0, &plain));
	ASSERT_EQ(-1, hwpt_alloc(self->iommufd, 0, self->dev_id, plain,
				 IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				 &id));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, hwpt_alloc(self->iommufd, 0, self->dev_id, plain,
				 IOMMU_HWPT_DATA_ARM_SMMUV3, &ste,
				 sizeof(ste), &id));
	EXPECT_EQ(EINVAL, errno);
	/* Nor on the automatic HWPT the device is attached to */
	ASSERT_EQ(-1, hwpt_alloc(self->iommufd, 0, self->dev_id, self->hwpt,
				 IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				 &id));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, iommufd_destroy(self->iommufd, plain));
}

TEST_F(nest, no_invalidate)
{
	struct iommu_hwpt_vtd_s1_invalidate inv = {};
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = self->hwpt,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.data_uptr = (uintptr_t)&inv,
		.entry_len = sizeof(inv),
		.entry_num = 1,
	};

	ASSERT_EQ(-1, ioctl(self->iommufd, IOMMU_HWPT_INVALIDATE, &cmd));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, cmd.entry_num);
	cmd.hwpt_id = self->ioas;
	cmd.entry_num = 1;
	ASSERT_EQ(-1, ioctl(self->iommufd, IOMMU_HWPT_INVALIDATE, &cmd));
	EXPECT_EQ(EINVAL, errno);
}

static int viommu_alloc(int fd, uint32_t type, uint32_t dev_id,
			uint32_t hwpt_id)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = dev_id,
		.hwpt_id = hwpt_id,
	};

	return ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);
}

TEST_F(nest, no_viommu)
{
	struct iommu_vdevice_alloc vdev = {
		.size = sizeof(vdev),
		.viommu_id = self->hwpt,
		.dev_id = self->dev_id,
	};
	struct iommu_veventq_alloc veventq = {
		.size = sizeof(veventq),
		.viommu_id = self->hwpt,
		.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
		.veventq_depth = 4,
	};
	uint32_t plain;

	ASSERT_EQ(0, hwpt_alloc(self->iommufd, 0, self->dev_id, self->ioas,
				IOMMU_HWPT_DATA_NONE, NULL, 0, &plain));
	ASSERT_EQ(-1, viommu_alloc(self->iommufd, IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
				   self->dev_id, plain));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, viommu_alloc(self->iommufd,
				   IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
				   self->dev_id, self->hwpt));
	EXPECT_EQ(EOPNOTSUPP, errno);
	/* the default type is no type; an unknown device is ENOENT */
	ASSERT_EQ(-1, viommu_alloc(self->iommufd, IOMMU_VIOMMU_TYPE_DEFAULT,
				   self->dev_id, plain));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, viommu_alloc(self->iommufd, IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
				   self->ioas, plain));
	EXPECT_EQ(ENOENT, errno);
	/* an HWPT is no vIOMMU */
	ASSERT_EQ(-1, ioctl(self->iommufd, IOMMU_VDEVICE_ALLOC, &vdev));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, ioctl(self->iommufd, IOMMU_VEVENTQ_ALLOC, &veventq));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, iommufd_destroy(self->iommufd, plain));
}

/* The refusals changed nothing: the device still does DMA. */
TEST_F(nest, dma_still_works)
{
	uint32_t id;
	uint8_t *buf;

	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	hwpt_alloc(self->iommufd, IOMMU_HWPT_ALLOC_NEST_PARENT, self->dev_id,
		   self->ioas, IOMMU_HWPT_DATA_NONE, NULL, 0, &id);
	viommu_alloc(self->iommufd, IOMMU_VIOMMU_TYPE_ARM_SMMUV3, self->dev_id,
		     self->hwpt);
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, true));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, buf, 4096,
				 0x100000));
	memset(buf, 0x5c, 2048);
	ASSERT_EQ(0, edu_dma(self->devfd, 0x100000, 0, 2048, false));
	memset(buf, 0, 2048);
	ASSERT_EQ(0, edu_dma(self->devfd, 0x100000 + 2048, 0, 2048, true));
	EXPECT_EQ(0x5c, buf[2048]);
	EXPECT_EQ(0x5c, buf[4095]);
	munmap(buf, 4096);
}

TEST_HARNESS_MAIN
