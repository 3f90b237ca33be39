// SPDX-License-Identifier: GPL-2.0-only
/*
 * PASID attach on the mock IOMMU (xiommu_mock): IOMMU_HWPT_ALLOC_PASID and
 * the test ops IOMMU_TEST_OP_PASID_ATTACH / _REPLACE / _DETACH /
 * _CHECK_HWPT, which call the core's xiommu_idev_pasid_*() as a VFIO
 * driver does. _CHECK_HWPT reads what the mock "hardware" translates the
 * PASID through (its set_dev_pasid), not the core's bookkeeping.
 *
 * The fixture runs with 0, 1 and 2 mock devices with PASID support
 * (MOCK_FLAGS_DEVICE_PASID, MOCK_PASID_WIDTH bits), each attached to the
 * IOAS through an automatic HWPT; expected errno values are upstream
 * Linux's (newest iommufd); teardown checks that nothing stayed pinned.
 */
#include <stdlib.h>

#include "iommufd_utils.h"
#include "iommufd_nest_utils.h"

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(8);
}

FIXTURE(iommufd_pasid)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_ids[2];
	__u32 hwpt_ids[2];
	__u32 idev_ids[2];
	__u32 s2_id;		/* paging, IOMMU_HWPT_ALLOC_PASID */
	__u32 plain_id;		/* paging, NEST_PARENT, not PASID-capable */
	__u32 nested_id;	/* nested on plain_id, IOMMU_HWPT_ALLOC_PASID */
};

MOCK_DOMAIN_VARIANTS(iommufd_pasid);

#define attach(i, pasid, pt)                                               \
	ASSERT_EQ(0, _test_pasid_attach(self->fd, self->stdev_ids[i], pasid, \
					pt))
#define err_attach(err, i, pasid, pt)                                      \
	EXPECT_ERRNO(err, _test_pasid_attach(self->fd, self->stdev_ids[i],  \
					     pasid, pt))
#define replace(i, pasid, pt)                                              \
	ASSERT_EQ(0, _test_pasid_replace(self->fd, self->stdev_ids[i],      \
					 pasid, pt))
#define err_replace(err, i, pasid, pt)                                     \
	EXPECT_ERRNO(err, _test_pasid_replace(self->fd, self->stdev_ids[i], \
					      pasid, pt))
#define detach(i, pasid)                                                   \
	ASSERT_EQ(0, _test_pasid_detach(self->fd, self->stdev_ids[i], pasid))
/* the mock hardware has @pasid of device @i on @hwpt (0: nothing) */
#define check(i, pasid, hwpt)                                              \
	ASSERT_EQ(0, _test_pasid_check(self->fd, self->stdev_ids[i], pasid, \
				       hwpt))
#define rid_replace(i, pt)                                                 \
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,                \
						   self->stdev_ids[i], pt,  \
						   NULL))
#define err_rid_replace(err, i, pt)                                        \
	EXPECT_ERRNO(err, _test_cmd_mock_domain_replace(self->fd,           \
							self->stdev_ids[i], \
							pt, NULL))

FIXTURE_SETUP(iommufd_pasid)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	unsigned int i;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	for (i = 0; i != variant->mock_domains; i++)
		ASSERT_EQ(0, _test_mock_domain_flags(self->fd, self->ioas_id,
						     MOCK_FLAGS_DEVICE_PASID,
						     &self->stdev_ids[i],
						     &self->hwpt_ids[i],
						     &self->idev_ids[i]));
	if (!variant->mock_domains)
		return;
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, IOMMU_HWPT_ALLOC_PASID,
				      self->idev_ids[0], self->ioas_id,
				      IOMMU_HWPT_DATA_NONE, NULL, 0,
				      &self->s2_id));
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, IOMMU_HWPT_ALLOC_NEST_PARENT,
				      self->idev_ids[0], self->ioas_id,
				      IOMMU_HWPT_DATA_NONE, NULL, 0,
				      &self->plain_id));
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, IOMMU_HWPT_ALLOC_PASID,
				      self->idev_ids[0], self->plain_id,
				      IOMMU_HWPT_DATA_SELFTEST, &data,
				      sizeof(data), &self->nested_id));
}

FIXTURE_TEARDOWN(iommufd_pasid)
{
	teardown_iommufd(self->fd, _metadata);
}

#define NEED_DEVICE()                                                      \
	do {                                                               \
		if (!variant->mock_domains)                                \
			SKIP(return, "needs a mock device");               \
	} while (0)

/* IOMMU_GET_HW_INFO reports the PASID width the mock device has */
TEST_F(iommufd_pasid, hw_info_width)
{
	static struct iommu_test_hw_info payload;
	struct iommu_hw_info info = {
		.size = sizeof(info),
		.data_len = sizeof(payload),
		.data_uptr = (uintptr_t)&payload,
		.out_max_pasid_log2 = 0xff,
	};
	__u32 stdev, idev;

	NEED_DEVICE();
	info.dev_id = self->idev_ids[0];
	if (ioctl(self->fd, IOMMU_GET_HW_INFO, &info))
		TH_LOG("GET_HW_INFO: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	EXPECT_EQ(MOCK_PASID_WIDTH, info.out_max_pasid_log2);
	/* not PCI: no PCI PASID capability bits */
	EXPECT_EQ(0, info.out_capabilities & (IOMMU_HW_CAP_PCI_PASID_EXEC |
					       IOMMU_HW_CAP_PCI_PASID_PRIV));

	ASSERT_EQ(0, _test_mock_domain_flags(self->fd, self->ioas_id, 0,
					     &stdev, NULL, &idev));
	info.dev_id = idev;
	info.data_len = sizeof(payload);
	info.out_max_pasid_log2 = 0xff;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	EXPECT_EQ(0, info.out_max_pasid_log2);
	test_ioctl_destroy(stdev);
}

/* IOMMU_HWPT_ALLOC_PASID on paging and nested HWPTs, with other flags */
TEST_F(iommufd_pasid, hwpt_alloc_flag)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	__u32 id, parent;

	if (!variant->mock_domains) {
		EXPECT_ERRNO(ENOENT, _test_hwpt_alloc(self->fd,
						      IOMMU_HWPT_ALLOC_PASID,
						      self->ioas_id,
						      self->ioas_id,
						      IOMMU_HWPT_DATA_NONE,
						      NULL, 0, NULL));
		return;
	}
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd,
				      IOMMU_HWPT_ALLOC_PASID |
				      IOMMU_HWPT_ALLOC_NEST_PARENT |
				      IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				      self->idev_ids[0], self->ioas_id,
				      IOMMU_HWPT_DATA_NONE, NULL, 0, &parent));
	/* a PASID-capable parent, a PASID-capable nested HWPT on it */
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, IOMMU_HWPT_ALLOC_PASID,
				      self->idev_ids[0], parent,
				      IOMMU_HWPT_DATA_SELFTEST, &data,
				      sizeof(data), &id));
	test_ioctl_destroy(id);
	/* nested HWPTs take no other flag */
	EXPECT_ERRNO(EOPNOTSUPP,
		     _test_hwpt_alloc(self->fd,
				      IOMMU_HWPT_ALLOC_PASID |
				      IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				      self->idev_ids[0], parent,
				      IOMMU_HWPT_DATA_SELFTEST, &data,
				      sizeof(data), NULL));
	/* unknown flags next to PASID */
	EXPECT_ERRNO(EOPNOTSUPP,
		     _test_hwpt_alloc(self->fd, IOMMU_HWPT_ALLOC_PASID | (1U << 31),
				      self->idev_ids[0], self->ioas_id,
				      IOMMU_HWPT_DATA_NONE, NULL, 0, NULL));
	test_ioctl_destroy(parent);
}

/* The op's own errors: no such device, no device object, bad IDs */
TEST_F(iommufd_pasid, bad_ids)
{
	EXPECT_ERRNO(ENOENT, _test_pasid_attach(self->fd, 0xfffffff, 100,
						self->ioas_id));
	EXPECT_ERRNO(ENOENT, _test_pasid_replace(self->fd, 0xfffffff, 100,
						 self->ioas_id));
	EXPECT_ERRNO(ENOENT, _test_pasid_detach(self->fd, 0xfffffff, 100));
	EXPECT_ERRNO(ENOENT, _test_pasid_check(self->fd, 0xfffffff, 100, 0));
	/* an IOAS is not a selftest device */
	EXPECT_ERRNO(ENOENT, _test_pasid_detach(self->fd, self->ioas_id, 100));
	if (!variant->mock_domains)
		return;
	err_attach(ENOENT, 0, 100, 0xfffffff);
	/* a device object is neither IOAS nor HWPT */
	err_attach(EINVAL, 0, 100, self->idev_ids[0]);
	err_replace(EINVAL, 0, 100, self->idev_ids[0]);
	EXPECT_ERRNO(ENOENT, _test_pasid_check(self->fd, self->stdev_ids[0],
					       100, 0xfffffff));
	check(0, 100, 0);
}

/* Which HWPTs a PASID takes, and the PASID range */
TEST_F(iommufd_pasid, attach_rules)
{
	NEED_DEVICE();

	/* detach of a PASID never attached: nothing happens */
	detach(0, 100);
	check(0, 100, 0);

	/* the RID is on an automatic (not PASID-capable) HWPT */
	err_attach(EINVAL, 0, 100, self->s2_id);
	check(0, 100, 0);
	rid_replace(0, self->s2_id);

	/* an IOAS, and HWPTs not allocated with IOMMU_HWPT_ALLOC_PASID */
	err_attach(EINVAL, 0, 100, self->ioas_id);
	err_attach(EINVAL, 0, 100, self->plain_id);
	check(0, 100, 0);
	/* PASID 0 is the RID's; the device has MOCK_PASID_WIDTH bits */
	err_attach(EINVAL, 0, 0, self->s2_id);
	err_attach(EINVAL, 0, 1U << MOCK_PASID_WIDTH, self->s2_id);
	err_attach(EINVAL, 0, 0xffffffff, self->s2_id);

	attach(0, 1, self->s2_id);
	attach(0, (1U << MOCK_PASID_WIDTH) - 1, self->nested_id);
	check(0, 1, self->s2_id);
	check(0, (1U << MOCK_PASID_WIDTH) - 1, self->nested_id);
	EXPECT_ERRNO(EINVAL, _test_pasid_check(self->fd, self->stdev_ids[0],
					       1, self->nested_id));
	EXPECT_ERRNO(EINVAL, _test_pasid_check(self->fd, self->stdev_ids[0],
					       2, self->s2_id));

	/* attached already: EBUSY, to the same or another HWPT */
	err_attach(EBUSY, 0, 1, self->s2_id);
	err_attach(EBUSY, 0, 1, self->nested_id);
	check(0, 1, self->s2_id);

	/* an HWPT a PASID uses cannot be destroyed */
	test_err_ioctl_destroy(EBUSY, self->s2_id);
	test_err_ioctl_destroy(EBUSY, self->nested_id);

	detach(0, 1);
	detach(0, (1U << MOCK_PASID_WIDTH) - 1);
	check(0, 1, 0);
	check(0, (1U << MOCK_PASID_WIDTH) - 1, 0);
	detach(0, 1);
	test_ioctl_destroy(self->nested_id);
}

/* While a PASID is attached the RID only moves to PASID-capable HWPTs */
TEST_F(iommufd_pasid, rid_follows_pasid_rules)
{
	NEED_DEVICE();

	rid_replace(0, self->s2_id);
	attach(0, 100, self->nested_id);
	err_rid_replace(EINVAL, 0, self->plain_id);
	/* an IOAS gives an automatic HWPT, which is not PASID-capable */
	err_rid_replace(EINVAL, 0, self->ioas_id);
	check(0, 100, self->nested_id);
	/* the RID may leave (blocking) and come back to a capable HWPT */
	ASSERT_EQ(0, _test_cmd_mock_detach(self->fd, self->stdev_ids[0]));
	check(0, 100, self->nested_id);
	err_rid_replace(EINVAL, 0, self->plain_id);
	rid_replace(0, self->s2_id);
	detach(0, 100);
	/* no PASID left: any HWPT again */
	rid_replace(0, self->plain_id);
	rid_replace(0, self->ioas_id);
}

/* Replace: only an attached PASID, in one step, the old one kept on failure */
TEST_F(iommufd_pasid, replace)
{
	NEED_DEVICE();

	rid_replace(0, self->s2_id);
	err_replace(EINVAL, 0, 200, self->s2_id);
	check(0, 200, 0);
	attach(0, 200, self->s2_id);
	err_replace(EINVAL, 0, 200, self->ioas_id);
	err_replace(EINVAL, 0, 200, self->plain_id);
	err_replace(ENOENT, 0, 200, 0xfffffff);
	check(0, 200, self->s2_id);
	replace(0, 200, self->nested_id);
	check(0, 200, self->nested_id);
	/* the old HWPT is free again, the new one is used */
	test_err_ioctl_destroy(EBUSY, self->nested_id);
	replace(0, 200, self->nested_id);	/* onto itself: nothing */
	check(0, 200, self->nested_id);
	replace(0, 200, self->s2_id);
	check(0, 200, self->s2_id);
	test_ioctl_destroy(self->nested_id);
	/* another PASID is not attached by this */
	err_replace(EINVAL, 0, 201, self->s2_id);
	detach(0, 200);
	check(0, 200, 0);
}

/*
 * The mock fails the second set_dev_pasid of IOMMU_TEST_PASID_RESERVED
 * (ENOMEM): the failed replace leaves the PASID on its old HWPT.
 */
TEST_F(iommufd_pasid, replace_driver_failure)
{
	__u32 p = IOMMU_TEST_PASID_RESERVED;

	NEED_DEVICE();
	rid_replace(0, self->s2_id);
	attach(0, p, self->s2_id);
	err_replace(ENOMEM, 0, p, self->nested_id);
	check(0, p, self->s2_id);
	/* nothing leaked a reference: the target can go */
	test_ioctl_destroy(self->nested_id);
	detach(0, p);
	check(0, p, 0);
	rid_replace(0, self->ioas_id);
	test_ioctl_destroy(self->s2_id);
}

/* A device without PASID support: no PASID attach, but capable HWPTs */
TEST_F(iommufd_pasid, device_without_pasid)
{
	__u32 stdev, idev, hwpt;

	NEED_DEVICE();
	ASSERT_EQ(0, _test_mock_domain_flags(self->fd, self->ioas_id, 0,
					     &stdev, &hwpt, &idev));
	/* its RID may use a PASID-capable HWPT */
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd, stdev,
						   self->nested_id, NULL));
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd, stdev,
						   self->s2_id, NULL));
	EXPECT_ERRNO(EINVAL, _test_pasid_attach(self->fd, stdev, 100,
						self->s2_id));
	EXPECT_ERRNO(EINVAL, _test_pasid_attach(self->fd, stdev, 100,
						self->plain_id));
	EXPECT_ERRNO(EINVAL, _test_pasid_check(self->fd, stdev, 100,
					       self->s2_id));
	ASSERT_EQ(0, _test_pasid_detach(self->fd, stdev, 100));
	test_ioctl_destroy(stdev);
}

/* Independent devices: their PASIDs are their own */
TEST_F(iommufd_pasid, two_devices)
{
	if (variant->mock_domains < 2)
		SKIP(return, "needs two mock devices");
	rid_replace(0, self->s2_id);
	rid_replace(1, self->s2_id);
	attach(0, 300, self->s2_id);
	attach(1, 300, self->nested_id);
	check(0, 300, self->s2_id);
	check(1, 300, self->nested_id);
	detach(0, 300);
	check(0, 300, 0);
	check(1, 300, self->nested_id);
	/* closing the file with PASIDs attached is the teardown's job */
}

/*
 * Two devices of one group: the first attach sets the PASID on every
 * PASID-capable member; the other joins the same HWPT only; the PASID
 * stays until the last of them detaches.
 */
TEST_F(iommufd_pasid, group_members)
{
	__u32 a, b, plain, ia, ib;

	NEED_DEVICE();
	test_cmd_mock_device(self->s2_id, XIOMMU_MOCK_UNIT_MOCK0, 0,
			     XIOMMU_MOCK_DEVICE_PASID, &a, NULL, &ia);
	test_cmd_mock_device(self->s2_id, XIOMMU_MOCK_UNIT_MOCK0, a,
			     XIOMMU_MOCK_DEVICE_PASID, &b, NULL, &ib);
	/* a member without PASID support is skipped by the hardware */
	test_cmd_mock_device(self->s2_id, XIOMMU_MOCK_UNIT_MOCK0, a, 0,
			     &plain, NULL, NULL);
	ASSERT_EQ(0, _test_pasid_attach(self->fd, a, 400, self->s2_id));
	ASSERT_EQ(0, _test_pasid_check(self->fd, a, 400, self->s2_id));
	ASSERT_EQ(0, _test_pasid_check(self->fd, b, 400, self->s2_id));
	ASSERT_EQ(0, _test_pasid_check(self->fd, plain, 400, 0));
	/* b joins a's HWPT only */
	EXPECT_ERRNO(EINVAL, _test_pasid_attach(self->fd, b, 400,
						self->nested_id));
	ASSERT_EQ(0, _test_pasid_attach(self->fd, b, 400, self->s2_id));
	EXPECT_ERRNO(EBUSY, _test_pasid_attach(self->fd, b, 400, self->s2_id));
	/* the group moves as one */
	ASSERT_EQ(0, _test_pasid_replace(self->fd, b, 400, self->nested_id));
	ASSERT_EQ(0, _test_pasid_check(self->fd, a, 400, self->nested_id));
	ASSERT_EQ(0, _test_pasid_check(self->fd, b, 400, self->nested_id));
	ASSERT_EQ(0, _test_pasid_detach(self->fd, a, 400));
	ASSERT_EQ(0, _test_pasid_check(self->fd, b, 400, self->nested_id));
	/* a is no longer attached there: replace needs it */
	EXPECT_ERRNO(EINVAL, _test_pasid_replace(self->fd, a, 400,
						 self->s2_id));
	/* destroying b (unbind) detaches its PASIDs: the group's is gone */
	test_ioctl_destroy(b);
	ASSERT_EQ(0, _test_pasid_check(self->fd, a, 400, 0));
	test_ioctl_destroy(self->nested_id);
	test_ioctl_destroy(plain);
	test_ioctl_destroy(a);
}

/* A kernel driver bound to a member revokes the group's PASIDs too */
TEST_F(iommufd_pasid, fail_closed)
{
	__u32 a, b;

	NEED_DEVICE();
	test_cmd_mock_device(self->s2_id, XIOMMU_MOCK_UNIT_MOCK0, 0,
			     XIOMMU_MOCK_DEVICE_PASID, &a, NULL, NULL);
	test_cmd_mock_device(0, XIOMMU_MOCK_UNIT_MOCK0, a,
			     XIOMMU_MOCK_DEVICE_NO_BIND |
			     XIOMMU_MOCK_DEVICE_PASID, &b, NULL, NULL);
	ASSERT_EQ(0, _test_pasid_attach(self->fd, a, 500, self->s2_id));
	ASSERT_EQ(0, _test_pasid_check(self->fd, b, 500, self->s2_id));
	ASSERT_EQ(0, _test_cmd_mock_driver(self->fd, b, 1));
	ASSERT_EQ(0, _test_pasid_check(self->fd, a, 500, 0));
	ASSERT_EQ(0, _test_pasid_check(self->fd, b, 500, 0));
	EXPECT_ERRNO(EBUSY, _test_pasid_replace(self->fd, a, 500,
						self->nested_id));
	EXPECT_ERRNO(EBUSY, _test_pasid_attach(self->fd, a, 501,
					       self->s2_id));
	/* the bookkeeping stays: detach works and frees the HWPT */
	ASSERT_EQ(0, _test_pasid_detach(self->fd, a, 500));
	ASSERT_EQ(0, _test_cmd_mock_driver(self->fd, b, 0));
	test_ioctl_destroy(a);
	test_ioctl_destroy(b);
	test_ioctl_destroy(self->s2_id);
}

/* Destroying the device with PASIDs attached releases the HWPTs */
TEST_F(iommufd_pasid, destroy_attached_device)
{
	NEED_DEVICE();
	rid_replace(0, self->s2_id);
	attach(0, 600, self->s2_id);
	attach(0, 601, self->nested_id);
	test_err_ioctl_destroy(EBUSY, self->nested_id);
	test_ioctl_destroy(self->stdev_ids[0]);
	test_ioctl_destroy(self->nested_id);
	if (variant->mock_domains == 1)
		test_ioctl_destroy(self->s2_id);
}

TEST_HARNESS_MAIN
