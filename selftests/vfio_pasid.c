// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT / DETACH with VFIO_DEVICE_ATTACH_PASID /
 * VFIO_DEVICE_DETACH_PASID on a real device of xiommu_vfio_pci (cdev
 * path): the argsz and flags rules and, since no IOMMU QEMU 7.2 emulates
 * as xiommu drives it gives devices PASIDs (IOMMU_GET_HW_INFO
 * out_max_pasid_log2 0), the refusals with upstream's errno. Runs on the
 * vtd and virtio profiles (vfio_* naming):
 *
 *   scripts/vm --profile vtd --add build/bin/vfio_pasid -- /vfio_pasid
 */
#include "kselftest_harness.h"
#include "lib/dma_util.h"

#define TIMEOUT_S	180	/* per test, seconds; TCG is slow */
#define offsetofend(T, m)	(offsetof(T, m) + sizeof(((T *)0)->m))

FIXTURE(pasid)
{
	char bdf[PCI_BDF_LEN];
	int iommufd;
	int devfd;
	uint32_t devid;
	uint32_t ioas_id;
	uint32_t hwpt_id;	/* the RID's automatic HWPT */
};

FIXTURE_SETUP(pasid)
{
	self->iommufd = -1;
	self->devfd = -1;
	if (edu_find_solo(self->bdf))
		SKIP(return, "no edu device");
	ASSERT_EQ(0, vfio_dev_bind_driver(self->bdf));
	self->devfd = vfio_dev_open(self->bdf);
	ASSERT_LE(0, self->devfd);
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, vfio_dev_bind(self->devfd, self->iommufd, &self->devid));
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas_id));
	self->hwpt_id = self->ioas_id;
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &self->hwpt_id));
}

FIXTURE_TEARDOWN(pasid)
{
	if (self->devfd >= 0)
		close(self->devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
}

static int attach_pt(int devfd, uint32_t argsz, uint32_t flags,
		     uint32_t pasid, uint32_t *pt_id)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = argsz,
		.flags = flags,
		.pt_id = *pt_id,
		.pasid = pasid,
	};
	int ret;

	ret = vfio_ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
	if (!ret)
		*pt_id = a.pt_id;
	return ret;
}

static int detach_pt(int devfd, uint32_t argsz, uint32_t flags,
		     uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt d = {
		.argsz = argsz,
		.flags = flags,
		.pasid = pasid,
	};

	return vfio_ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

static int hwpt_alloc(int fd, uint32_t flags, uint32_t dev_id, uint32_t pt_id,
		      uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
	};

	if (ioctl(fd, IOMMU_HWPT_ALLOC, &cmd))
		return -errno;
	if (out)
		*out = cmd.out_hwpt_id;
	return 0;
}

/* The device reports no PASIDs, so no HWPT can be made PASID-capable. */
TEST_F_TIMEOUT(pasid, no_pasid_support, TIMEOUT_S)
{
	struct iommu_hw_info info = {
		.size = sizeof(info),
		.dev_id = self->devid,
		.out_max_pasid_log2 = 0xff,
		.out_capabilities = ~0ULL,
	};

	ASSERT_EQ(0, vfio_ioctl(self->iommufd, IOMMU_GET_HW_INFO, &info));
	EXPECT_EQ(0, info.out_max_pasid_log2);
	EXPECT_EQ(0, info.out_capabilities & (IOMMU_HW_CAP_PCI_PASID_EXEC |
					       IOMMU_HW_CAP_PCI_PASID_PRIV));
	/* the driver has no PASID attach: an unsupported capability */
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc(self->iommufd, IOMMU_HWPT_ALLOC_PASID,
					  self->devid, self->ioas_id, NULL));
}

/* argsz and flags of ATTACH, upstream's order and errno */
TEST_F_TIMEOUT(pasid, attach_args, TIMEOUT_S)
{
	uint32_t head = offsetofend(struct vfio_device_attach_iommufd_pt,
				    pt_id);
	uint32_t full = offsetofend(struct vfio_device_attach_iommufd_pt,
				    pasid);
	uint32_t pt, paging = 0;

	pt = self->ioas_id;
	EXPECT_EQ(-EINVAL, attach_pt(self->devfd, head - 1, 0, 0, &pt));
	EXPECT_EQ(-EINVAL, attach_pt(self->devfd, full, 1U << 1, 1, &pt));
	EXPECT_EQ(-EINVAL, attach_pt(self->devfd, full, ~0U, 1, &pt));
	/* the PASID flag needs argsz to cover @pasid */
	EXPECT_EQ(-EINVAL, attach_pt(self->devfd, head,
				     VFIO_DEVICE_ATTACH_PASID, 1, &pt));
	/* a v6.6-sized attach still replaces the RID */
	ASSERT_EQ(0, attach_pt(self->devfd, head, 0, 0, &pt));
	EXPECT_EQ(self->hwpt_id, pt);

	/* no PASID of this device attaches: IOAS or paging HWPT, any PASID */
	pt = self->ioas_id;
	EXPECT_EQ(-EINVAL, attach_pt(self->devfd, full,
				     VFIO_DEVICE_ATTACH_PASID, 1, &pt));
	ASSERT_EQ(0, hwpt_alloc(self->iommufd, 0, self->devid, self->ioas_id,
				&paging));
	pt = paging;
	EXPECT_EQ(-EINVAL, attach_pt(self->devfd, full,
				     VFIO_DEVICE_ATTACH_PASID, 1, &pt));
	EXPECT_EQ(-EINVAL, attach_pt(self->devfd, full,
				     VFIO_DEVICE_ATTACH_PASID, 0, &pt));
	pt = 0xfffffff;
	EXPECT_EQ(-ENOENT, attach_pt(self->devfd, full,
				     VFIO_DEVICE_ATTACH_PASID, 1, &pt));
	/* the RID can still use the paging HWPT, which is free afterwards */
	pt = paging;
	ASSERT_EQ(0, attach_pt(self->devfd, full, 0, 0, &pt));
	EXPECT_EQ(paging, pt);
	pt = self->ioas_id;
	ASSERT_EQ(0, attach_pt(self->devfd, full, 0, 0, &pt));
	ASSERT_EQ(0, iommufd_destroy(self->iommufd, paging));
}

/* argsz and flags of DETACH; detaching a PASID never attached is a no-op */
TEST_F_TIMEOUT(pasid, detach_args, TIMEOUT_S)
{
	uint32_t head = offsetofend(struct vfio_device_detach_iommufd_pt,
				    flags);
	uint32_t full = offsetofend(struct vfio_device_detach_iommufd_pt,
				    pasid);
	uint32_t pt;

	EXPECT_EQ(-EINVAL, detach_pt(self->devfd, head - 1, 0, 0));
	EXPECT_EQ(-EINVAL, detach_pt(self->devfd, full, 1U << 1, 1));
	EXPECT_EQ(-EINVAL, detach_pt(self->devfd, head,
				     VFIO_DEVICE_DETACH_PASID, 1));
	ASSERT_EQ(0, detach_pt(self->devfd, full, VFIO_DEVICE_DETACH_PASID, 1));
	ASSERT_EQ(0, detach_pt(self->devfd, full, VFIO_DEVICE_DETACH_PASID,
			       0xffffffff));
	/* the RID stayed attached: its automatic HWPT is still in use */
	EXPECT_EQ(-EBUSY, iommufd_destroy(self->iommufd, self->hwpt_id));
	ASSERT_EQ(0, detach_pt(self->devfd, head, 0, 0));
	/* RID detached: the automatic HWPT went with it */
	EXPECT_EQ(-ENOENT, iommufd_destroy(self->iommufd, self->hwpt_id));
	pt = self->ioas_id;
	ASSERT_EQ(0, attach_pt(self->devfd, full, 0, 0, &pt));
}

/* An fd not bound to an iommufd refuses both flags (EINVAL) */
TEST_F_TIMEOUT(pasid, unbound_fd, TIMEOUT_S)
{
	uint32_t pt = self->ioas_id;
	int fd2;

	/* a second open of the device is not bound */
	fd2 = vfio_dev_open(self->bdf);
	if (fd2 < 0)
		SKIP(return, "second open refused (%d)", fd2);
	EXPECT_EQ(-EINVAL, attach_pt(fd2, sizeof(struct vfio_device_attach_iommufd_pt),
			       VFIO_DEVICE_ATTACH_PASID, 1, &pt));
	EXPECT_EQ(-EINVAL, detach_pt(fd2, sizeof(struct vfio_device_detach_iommufd_pt),
			       VFIO_DEVICE_DETACH_PASID, 1));
	close(fd2);
}

TEST_HARNESS_MAIN
