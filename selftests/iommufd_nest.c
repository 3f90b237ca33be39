// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested HWPTs and IOMMU_HWPT_INVALIDATE on the mock IOMMU (xiommu_mock).
 *
 * A NEST_PARENT paging HWPT is allocated on the IOAS, a nested HWPT on top
 * of it with IOMMU_HWPT_DATA_SELFTEST (every entry of the mock's 4-entry
 * IOTLB starts with the value given), and IOMMU_HWPT_INVALIDATE resets
 * entries, which IOMMU_TEST_OP_MD_CHECK_IOTLB reads back. Expected errno
 * values are upstream Linux's (newest iommufd); the fixture runs with 0, 1
 * and 2 mock devices, and teardown checks that nothing stayed pinned.
 */
#include <stdlib.h>

#include "iommufd_utils.h"
#include "iommufd_nest_utils.h"

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(8);
}

/* Entries 0..3 of nested HWPT @id hold a, b, c, d. */
#define check_iotlb(id, a, b, c, d)                                        \
	({                                                                 \
		EXPECT_EQ(0, _test_cmd_check_iotlb(self->fd, id, 0, a));   \
		EXPECT_EQ(0, _test_cmd_check_iotlb(self->fd, id, 1, b));   \
		EXPECT_EQ(0, _test_cmd_check_iotlb(self->fd, id, 2, c));   \
		EXPECT_EQ(0, _test_cmd_check_iotlb(self->fd, id, 3, d));   \
	})

#define DEF IOMMU_TEST_IOTLB_DEFAULT

FIXTURE(iommufd_nest)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_ids[2];
	__u32 hwpt_ids[2];
	__u32 idev_ids[2];
	__u32 parent_id;
	__u32 nested_id;
};

MOCK_DOMAIN_VARIANTS(iommufd_nest);

/*
 * With a device: a NEST_PARENT HWPT on the IOAS (mapping the buffer) and a
 * nested HWPT on it, IOTLB entries DEF.
 */
FIXTURE_SETUP(iommufd_nest)
{
	unsigned int i;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	for (i = 0; i != variant->mock_domains; i++)
		test_cmd_mock_domain(self->ioas_id, &self->stdev_ids[i],
				     &self->hwpt_ids[i], &self->idev_ids[i]);
	self->parent_id = 0;
	self->nested_id = 0;
	if (!variant->mock_domains)
		return;
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, IOMMU_HWPT_ALLOC_NEST_PARENT,
				      self->idev_ids[0], self->ioas_id,
				      IOMMU_HWPT_DATA_NONE, NULL, 0,
				      &self->parent_id));
	ASSERT_EQ(0, _test_hwpt_nested(self->fd, self->idev_ids[0],
				       self->parent_id, DEF,
				       &self->nested_id));
}

FIXTURE_TEARDOWN(iommufd_nest)
{
	teardown_iommufd(self->fd, _metadata);
}

#define NEED_DEVICE()                                                      \
	do {                                                               \
		if (!variant->mock_domains)                                \
			SKIP(return, "needs a mock device");               \
	} while (0)

/*
 * A mock device's own cache (IOMMU_TEST_OP_DEV_CHECK_CACHE) starts with
 * every entry at IOMMU_TEST_DEV_CACHE_DEFAULT; the op names the device by
 * its device object ID. Nothing changes the entries until vDEVICE
 * invalidation exists.
 */
TEST_F(iommufd_nest, dev_cache_default)
{
	unsigned int i, c;

	for (i = 0; i != variant->mock_domains; i++) {
		for (c = 0; c < MOCK_DEV_CACHE_NUM; c++)
			ASSERT_EQ(0, _test_cmd_dev_check_cache(self->fd,
							self->idev_ids[i], c,
							IOMMU_TEST_DEV_CACHE_DEFAULT));
		EXPECT_ERRNO(EINVAL, _test_cmd_dev_check_cache(self->fd,
							self->idev_ids[i], 0,
							IOMMU_TEST_DEV_CACHE_DEFAULT + 1));
		EXPECT_ERRNO(EINVAL, _test_cmd_dev_check_cache(self->fd,
							self->idev_ids[i],
							MOCK_DEV_CACHE_ID_MAX + 1,
							IOMMU_TEST_DEV_CACHE_DEFAULT));
		/* the selftest device object is no device object */
		EXPECT_ERRNO(ENOENT, _test_cmd_dev_check_cache(self->fd,
							self->stdev_ids[i], 0,
							IOMMU_TEST_DEV_CACHE_DEFAULT));
	}
	EXPECT_ERRNO(ENOENT, _test_cmd_dev_check_cache(self->fd,
						       self->ioas_id, 0,
						       IOMMU_TEST_DEV_CACHE_DEFAULT));
	EXPECT_ERRNO(ENOENT, _test_cmd_dev_check_cache(self->fd, 0xfffffff, 0,
						       IOMMU_TEST_DEV_CACHE_DEFAULT));
}

/* The parent is a paging HWPT like any other: it maps the IOAS. */
TEST_F(iommufd_nest, parent_is_paging)
{
	NEED_DEVICE();
	test_cmd_check_map(self->parent_id, MOCK_APERTURE_START, BUFFER_SIZE,
			   buffer);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 1);
	/* ... and is never picked by an automatic attach. */
	EXPECT_NE(self->parent_id, self->hwpt_ids[0]);
	/* The nested HWPT maps nothing itself: no paging checks on it. */
	test_err_check_map(ENOENT, self->nested_id, MOCK_APERTURE_START,
			   PAGE_SIZE, buffer);
	check_iotlb(self->nested_id, DEF, DEF, DEF, DEF);
}

TEST_F(iommufd_nest, alloc_errors)
{
	struct iommu_hwpt_selftest data = { .iotlb = 7 };
	struct {
		struct iommu_hwpt_selftest data;
		__u32 more;
	} big = { .data = { .iotlb = 9 } };
	__u32 plain, id;

	/* No device: nothing to allocate for */
	EXPECT_ERRNO(ENOENT, _test_hwpt_alloc(self->fd, 0, 0, self->ioas_id,
					      IOMMU_HWPT_DATA_NONE, NULL, 0,
					      &id));
	/* data_type and data_len go together, checked before any lookup */
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, 0, self->ioas_id,
					      IOMMU_HWPT_DATA_NONE, &data,
					      sizeof(data), &id));
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, 0, self->ioas_id,
					      IOMMU_HWPT_DATA_SELFTEST, &data,
					      0, &id));
	NEED_DEVICE();

	/* pt_id that is no IOAS or HWPT, or nothing at all: EINVAL */
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
					      self->idev_ids[0],
					      IOMMU_HWPT_DATA_NONE, NULL, 0,
					      &id));
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
					      0xfffffff, IOMMU_HWPT_DATA_NONE,
					      NULL, 0, &id));
	/*
	 * Paging: unknown flags; selftest data on an IOAS is a paging HWPT
	 * (the mock's page-table format), not a nested one
	 */
	EXPECT_ERRNO(EOPNOTSUPP,
		     _test_hwpt_alloc(self->fd, 1U << 31, self->idev_ids[0],
				      self->ioas_id, IOMMU_HWPT_DATA_NONE,
				      NULL, 0, &id));
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
				      self->ioas_id, IOMMU_HWPT_DATA_SELFTEST,
				      &data, sizeof(data), &id));
	/* ... and no parent for nested ones (no NEST_PARENT) */
	EXPECT_ERRNO(EINVAL, _test_hwpt_nested(self->fd, self->idev_ids[0],
					       id, 1, NULL));
	test_ioctl_destroy(id);

	/* Nested: only on an explicit NEST_PARENT HWPT, with data */
	EXPECT_ERRNO(EOPNOTSUPP, _test_hwpt_alloc(self->fd, 0,
						  self->idev_ids[0],
						  self->parent_id,
						  IOMMU_HWPT_DATA_NONE, NULL,
						  0, &id));
	EXPECT_ERRNO(EINVAL, _test_hwpt_nested(self->fd, self->idev_ids[0],
					       self->hwpt_ids[0], 1, &id));
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
				      self->ioas_id, IOMMU_HWPT_DATA_NONE, NULL,
				      0, &plain));
	EXPECT_ERRNO(EINVAL, _test_hwpt_nested(self->fd, self->idev_ids[0],
					       plain, 1, &id));
	test_ioctl_destroy(plain);
	/* A nested HWPT is no parent */
	EXPECT_ERRNO(EINVAL, _test_hwpt_nested(self->fd, self->idev_ids[0],
					       self->nested_id, 1, &id));
	EXPECT_ERRNO(EOPNOTSUPP,
		     _test_hwpt_alloc(self->fd, IOMMU_HWPT_ALLOC_NEST_PARENT,
				      self->idev_ids[0], self->parent_id,
				      IOMMU_HWPT_DATA_SELFTEST, &data,
				      sizeof(data), &id));
	/* Data the mock does not know, too short, non-zero tail, bad uptr */
	EXPECT_ERRNO(EOPNOTSUPP,
		     _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
				      self->parent_id, IOMMU_HWPT_DATA_VTD_S1,
				      &data, sizeof(data), &id));
	/* shorter than the first field (iotlb) the mock needs */
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
					      self->parent_id,
					      IOMMU_HWPT_DATA_SELFTEST, &data,
					      sizeof(data.iotlb) - 1, &id));
	/* longer than the driver's struct: EINVAL, whatever the tail */
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
					      self->parent_id,
					      IOMMU_HWPT_DATA_SELFTEST, &big,
					      sizeof(big), &id));
	big.more = 1;
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
					      self->parent_id,
					      IOMMU_HWPT_DATA_SELFTEST, &big,
					      sizeof(big), &id));
	EXPECT_ERRNO(EFAULT, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
					      self->parent_id,
					      IOMMU_HWPT_DATA_SELFTEST,
					      (void *)8, sizeof(data), &id));
	/* The driver's own size works */
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
				      self->parent_id, IOMMU_HWPT_DATA_SELFTEST,
				      &big.data, sizeof(big.data), &id));
	check_iotlb(id, 9, 9, 9, 9);
	test_ioctl_destroy(id);

	/* MD_CHECK_IOTLB itself */
	EXPECT_ERRNO(EINVAL, _test_cmd_check_iotlb(self->fd, self->nested_id,
						   MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1,
						   DEF));
	EXPECT_ERRNO(EINVAL, _test_cmd_check_iotlb(self->fd, self->nested_id,
						   0, DEF + 1));
	EXPECT_ERRNO(ENOENT, _test_cmd_check_iotlb(self->fd, self->parent_id,
						   0, DEF));
}

/* A v6.6-sized IOMMU_HWPT_ALLOC (no data fields) still works. */
TEST_F(iommufd_nest, alloc_v66_size)
{
	struct iommu_hwpt_alloc cmd = {
		.size = offsetofend(struct iommu_hwpt_alloc, __reserved),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
		.pt_id = self->ioas_id,
	};

	NEED_DEVICE();
	cmd.dev_id = self->idev_ids[0];
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	test_cmd_check_map(cmd.out_hwpt_id, MOCK_APERTURE_START, BUFFER_SIZE,
			   buffer);
	test_ioctl_destroy(cmd.out_hwpt_id);
}

/* Object lifetime: the parent outlives its nested HWPTs. */
TEST_F(iommufd_nest, lifetime)
{
	__u32 second, id;

	NEED_DEVICE();
	test_err_ioctl_destroy(EBUSY, self->parent_id);
	ASSERT_EQ(0, _test_hwpt_nested(self->fd, self->idev_ids[0],
				       self->parent_id, 3, &second));
	check_iotlb(second, 3, 3, 3, 3);
	test_ioctl_destroy(self->nested_id);
	test_err_ioctl_destroy(EBUSY, self->parent_id);
	/* The IOAS is held by the parent, and unmaps reach its domain */
	test_err_ioctl_destroy(EBUSY, self->ioas_id);
	test_ioctl_destroy(second);
	test_ioctl_destroy(self->parent_id);
	/* (Before any new object can reuse the ids) */
	EXPECT_ERRNO(ENOENT, _test_cmd_check_iotlb(self->fd, second, 0, 3));
	EXPECT_ERRNO(EINVAL, _test_hwpt_nested(self->fd, self->idev_ids[0],
					       self->parent_id, 1, &id));
}

/* Devices attach to a nested HWPT, which then cannot be destroyed. */
TEST_F(iommufd_nest, attach)
{
	__u32 got;
	unsigned int i;

	NEED_DEVICE();
	for (i = 0; i != variant->mock_domains; i++) {
		ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
							   self->stdev_ids[i],
							   self->nested_id,
							   &got));
		EXPECT_EQ(self->nested_id, got);
		test_cmd_check_domain(self->stdev_ids[i], self->nested_id);
	}
	test_err_ioctl_destroy(EBUSY, self->nested_id);
	test_err_ioctl_destroy(EBUSY, self->parent_id);
	/* Replace straight to the parent, then back to the nested one */
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0],
						   self->parent_id, &got));
	test_cmd_check_domain(self->stdev_ids[0], self->parent_id);
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0],
						   self->nested_id, &got));
	test_cmd_check_domain(self->stdev_ids[0], self->nested_id);
	/* Unmapping the IOAS still works under an attached nested HWPT */
	test_ioctl_ioas_unmap(MOCK_APERTURE_START, BUFFER_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	test_cmd_check_map(self->parent_id, MOCK_APERTURE_START, BUFFER_SIZE,
			   buffer);
	/* Back to the IOAS: the nested HWPT is free again */
	for (i = 0; i != variant->mock_domains; i++)
		ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
							   self->stdev_ids[i],
							   self->ioas_id,
							   &got));
	test_ioctl_destroy(self->nested_id);
	test_ioctl_destroy(self->parent_id);
}

/* Closing the file with a device on a nested HWPT leaves nothing behind. */
TEST_F(iommufd_nest, close_attached)
{
	__u32 got;

	NEED_DEVICE();
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0],
						   self->nested_id, &got));
	/* teardown closes the fd and checks the pins */
}

TEST_F(iommufd_nest, invalidate_errors)
{
	struct iommu_hwpt_invalidate_selftest inv = { .iotlb_id = 0 };
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = self->nested_id,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.data_uptr = (uintptr_t)&inv,
		.entry_len = sizeof(inv),
		.entry_num = 1,
		.__reserved = 1,
	};
	__u32 num;

	/* Checked before the object: every variant */
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	EXPECT_EQ(0, cmd.entry_num);
	cmd.__reserved = 0;
	cmd.entry_num = 1;
	cmd.data_uptr = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	EXPECT_EQ(0, cmd.entry_num);
	cmd.data_uptr = (uintptr_t)&inv;
	cmd.entry_len = 0;
	cmd.entry_num = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	cmd.size = offsetofend(struct iommu_hwpt_invalidate, entry_num);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	/* Not a nested HWPT */
	num = 1;
	EXPECT_ERRNO(ENOENT, _test_hwpt_invalidate(self->fd, 0xfffffff,
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						   &inv, sizeof(inv), &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->ioas_id,
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						   &inv, sizeof(inv), &num));
	EXPECT_EQ(0, num);
	NEED_DEVICE();
	num = 1;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->parent_id,
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						   &inv, sizeof(inv), &num));
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->hwpt_ids[0],
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						   &inv, sizeof(inv), &num));

	/* Driver checks: type, entry size, flags, index, memory */
	num = 1;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->nested_id,
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
						   &inv, sizeof(inv), &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->nested_id,
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						   &inv, sizeof(inv) - 1, &num));
	EXPECT_EQ(0, num);
	inv.flags = 1U << 7;
	num = 1;
	EXPECT_ERRNO(EOPNOTSUPP,
		     _test_hwpt_invalidate(self->fd, self->nested_id,
					   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
					   &inv, sizeof(inv), &num));
	EXPECT_EQ(0, num);
	inv.flags = 0;
	inv.iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	num = 1;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->nested_id,
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						   &inv, sizeof(inv), &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_ERRNO(EFAULT, _test_hwpt_invalidate(self->fd, self->nested_id,
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						   (void *)8, sizeof(inv), &num));
	EXPECT_EQ(0, num);
	/* Nothing was invalidated by any of it */
	check_iotlb(self->nested_id, DEF, DEF, DEF, DEF);

	/* Zero entries: only the type is checked */
	num = 0;
	EXPECT_EQ(0, _test_hwpt_invalidate(self->fd, self->nested_id,
					   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
					   NULL, 0, &num));
	EXPECT_EQ(0, num);
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->nested_id,
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
						   NULL, 0, &num));
}

TEST_F(iommufd_nest, invalidate)
{
	struct iommu_hwpt_invalidate_selftest reqs[4] = {};
	struct {
		struct iommu_hwpt_invalidate_selftest inv;
		__u32 more;
	} big[2] = {};
	__u32 num;

	NEED_DEVICE();
	/* One entry */
	reqs[0].iotlb_id = 2;
	num = 1;
	ASSERT_EQ(0, _test_hwpt_invalidate(self->fd, self->nested_id,
					   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
					   reqs, sizeof(reqs[0]), &num));
	EXPECT_EQ(1, num);
	check_iotlb(self->nested_id, DEF, DEF, 0, DEF);

	/* Partial progress: stops at the bad third entry, reports 2 done */
	reqs[0].iotlb_id = 0;
	reqs[1].iotlb_id = 1;
	reqs[2].iotlb_id = MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1;
	reqs[3].iotlb_id = 3;
	num = 4;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->nested_id,
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						   reqs, sizeof(reqs[0]), &num));
	EXPECT_EQ(2, num);
	check_iotlb(self->nested_id, 0, 0, 0, DEF);

	/* Resume after the bad one */
	num = 1;
	ASSERT_EQ(0, _test_hwpt_invalidate(self->fd, self->nested_id,
					   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
					   &reqs[3], sizeof(reqs[0]), &num));
	EXPECT_EQ(1, num);
	check_iotlb(self->nested_id, 0, 0, 0, 0);

	/*
	 * Entries larger than the driver's struct (a newer user): refused
	 * whatever the tail holds, before the first one (upstream: a driver
	 * does not guess at fields it does not know); at the driver's size
	 * the same requests go through.
	 */
	ASSERT_EQ(0, _test_hwpt_nested(self->fd, self->idev_ids[0],
				       self->parent_id, 5, &self->nested_id));
	big[0].inv.iotlb_id = 1;
	big[1].inv.flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	big[1].inv.iotlb_id = 0;
	num = 2;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->nested_id,
						   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
						   big, sizeof(big[0]), &num));
	EXPECT_EQ(0, num);
	check_iotlb(self->nested_id, 5, 5, 5, 5);
	reqs[0] = big[0].inv;
	reqs[1] = big[1].inv;
	num = 1;
	ASSERT_EQ(0, _test_hwpt_invalidate(self->fd, self->nested_id,
					   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
					   reqs, sizeof(reqs[0]), &num));
	EXPECT_EQ(1, num);
	check_iotlb(self->nested_id, 5, 0, 5, 5);
	num = 1;
	ASSERT_EQ(0, _test_hwpt_invalidate(self->fd, self->nested_id,
					   IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
					   &reqs[1], sizeof(reqs[0]), &num));
	EXPECT_EQ(1, num);
	check_iotlb(self->nested_id, 0, 0, 0, 0);
}

TEST_HARNESS_MAIN
