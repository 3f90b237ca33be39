// SPDX-License-Identifier: GPL-2.0-only
/*
 * The newest upstream IOMMU_HWPT_ALLOC and IOMMU_GET_HW_INFO fields and
 * flags, and dirty tracking (IOMMU_HWPT_SET_DIRTY_TRACKING,
 * IOMMU_HWPT_GET_DIRTY_BITMAP), on the mock IOMMU.
 *
 * Runs as root in the mock guest (xiommu.ko, xiommu_mock.ko). Fixture
 * iommufd_hwpt runs each test with 0, 1 and 2 mock devices attached to an
 * IOAS; tests that need a device skip with none. Expected errno values
 * are upstream's (newest release); the few places where xiommu chooses
 * differently say so (Documentation/iommufd.md).
 *
 * The mock's dirty model (upstream's): IOMMU_TEST_OP_DIRTY plays a device
 * writing at IOVAs of a tracking mock HWPT; the bitmap read back must show
 * exactly those IOPTEs, at the page_size granule asked for.
 */
#include <stdlib.h>

#include "iommufd_utils.h"
#include "iommufd_nest_utils.h"

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(16);
}

/* The Linux 6.6 sizes of the structs that grew since. */
#define HWPT_ALLOC_SIZE_V66	24
#define HW_INFO_SIZE_V66	32

#define hwpt_alloc(flags, dev_id, pt_id, hwptp)                          \
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, flags, dev_id, pt_id,     \
				      IOMMU_HWPT_DATA_NONE, NULL, 0, hwptp))
#define err_hwpt_alloc(err, flags, dev_id, pt_id)                        \
	EXPECT_ERRNO(err, _test_hwpt_alloc(self->fd, flags, dev_id, pt_id, \
					   IOMMU_HWPT_DATA_NONE, NULL, 0, NULL))

static int _set_dirty(int fd, __u32 hwpt_id, __u32 flags)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.hwpt_id = hwpt_id,
	};

	return ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static int _get_dirty(int fd, __u32 hwpt_id, __u32 flags, __u64 iova,
		      __u64 length, __u64 page_size, void *bitmap)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.flags = flags,
		.iova = iova,
		.length = length,
		.page_size = page_size,
		.data = (uintptr_t)bitmap,
	};

	return ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

/* IOMMU_TEST_OP_DIRTY: "device writes" where @bitmap has bits set */
static int _mock_dirty(int fd, __u32 hwpt_id, __u64 iova, __u64 length,
		       __u64 page_size, const void *bitmap, __u64 *nr_dirty)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DIRTY,
		.id = hwpt_id,
		.dirty = {
			.iova = iova,
			.length = length,
			.page_size = page_size,
			.uptr = (uintptr_t)bitmap,
		},
	};
	int ret;

	ret = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (!ret && nr_dirty)
		*nr_dirty = cmd.dirty.out_nr_dirty;
	return ret;
}

static bool bit_get(const uint8_t *map, unsigned long n)
{
	return map[n / 8] & (1U << (n % 8));
}

static void bit_set(uint8_t *map, unsigned long n)
{
	map[n / 8] |= 1U << (n % 8);
}

/* IOMMU_HWPT_ALLOC on @pt_id with the mock's page-table format @type */
static int _hwpt_alloc_fmt(int fd, __u32 flags, __u32 dev_id, __u32 pt_id,
			   __u32 type, __u32 *hwpt_id)
{
	struct iommu_hwpt_selftest data = { .pagetable_type = type };

	return _test_hwpt_alloc(fd, flags, dev_id, pt_id,
				IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
				hwpt_id);
}

FIXTURE(iommufd_hwpt)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_ids[2];
	__u32 hwpt_ids[2];
	__u32 idev_ids[2];
	__u64 base_iova;
};

MOCK_DOMAIN_VARIANTS(iommufd_hwpt);

FIXTURE_SETUP(iommufd_hwpt)
{
	unsigned int i;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	for (i = 0; i != variant->mock_domains; i++)
		test_cmd_mock_domain(self->ioas_id, &self->stdev_ids[i],
				     &self->hwpt_ids[i], &self->idev_ids[i]);
	self->base_iova = MOCK_APERTURE_START;
}

FIXTURE_TEARDOWN(iommufd_hwpt)
{
	teardown_iommufd(self->fd, _metadata);
}

/* Checks that need no device, then the device-independent ones */
TEST_F(iommufd_hwpt, alloc_inputs)
{
	__u32 data = IOMMU_TEST_IOTLB_DEFAULT;
	__u32 dev = variant->mock_domains ? self->idev_ids[0] : self->ioas_id;
	__u32 id;
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev,
		.pt_id = self->ioas_id,
		.__reserved = 1,
	};

	/* Upstream's order: __reserved, data_type vs data_len, then ids */
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, dev, self->ioas_id,
					      IOMMU_HWPT_DATA_NONE, &data,
					      sizeof(data), NULL));
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, dev, self->ioas_id,
					      IOMMU_HWPT_DATA_SELFTEST, &data, 0,
					      NULL));
	if (!variant->mock_domains) {
		/* The IOAS ID is no device */
		err_hwpt_alloc(ENOENT, 0, self->ioas_id, self->ioas_id);
		return;
	}

	/* pt_id: none, a device, a selftest object: EINVAL (6.6: ENOENT) */
	err_hwpt_alloc(EINVAL, 0, dev, 0);
	err_hwpt_alloc(EINVAL, 0, dev, 0xdead);
	err_hwpt_alloc(EINVAL, 0, dev, self->idev_ids[0]);
	err_hwpt_alloc(EINVAL, 0, dev, self->stdev_ids[0]);
	/* A paging HWPT as pt_id is a nested request: needs data */
	err_hwpt_alloc(EOPNOTSUPP, 0, dev, self->hwpt_ids[0]);

	/* FAULT_ID_VALID with fault_id 0: no queue (iommufd_fault.c) */
	err_hwpt_alloc(ENOENT, IOMMU_HWPT_FAULT_ID_VALID, dev, self->ioas_id);
	/* unknown flags */
	/* PASID (iommufd_pasid.c) is accepted, not with an unknown flag */
	err_hwpt_alloc(EOPNOTSUPP, IOMMU_HWPT_ALLOC_PASID | 1U << 4, dev,
		       self->ioas_id);
	err_hwpt_alloc(EOPNOTSUPP, 1U << 4, dev, self->ioas_id);
	err_hwpt_alloc(EOPNOTSUPP, 1U << 31, dev, self->ioas_id);

	/*
	 * Driver data on an IOAS is the mock's page-table format (the
	 * 4-byte v1 layout: the default format); another driver's type:
	 * EOPNOTSUPP
	 */
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, 0, dev, self->ioas_id,
				      IOMMU_HWPT_DATA_SELFTEST, &data,
				      sizeof(data), &id));
	test_ioctl_destroy(id);
	EXPECT_ERRNO(EOPNOTSUPP, _test_hwpt_alloc(self->fd,
						  IOMMU_HWPT_ALLOC_NEST_PARENT,
						  dev, self->ioas_id,
						  IOMMU_HWPT_DATA_VTD_S1,
						  &data, sizeof(data), NULL));
}

TEST_F(iommufd_hwpt, alloc_flags)
{
	__u32 flags[] = {
		IOMMU_HWPT_ALLOC_NEST_PARENT,
		IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.pt_id = self->ioas_id,
		.__reserved2 = 0xffffffff,
	};
	__u32 hwpt, stdev, attached;
	unsigned int i;

	if (!variant->mock_domains)
		SKIP(return, "needs a mock device");

	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, self->base_iova);
	for (i = 0; i != sizeof(flags) / sizeof(flags[0]); i++) {
		hwpt_alloc(flags[i], self->idev_ids[0], self->ioas_id, &hwpt);
		/* Mirrors the IOAS like any paging HWPT, and devices join */
		test_cmd_check_map(hwpt, self->base_iova, BUFFER_SIZE, buffer);
		test_cmd_mock_domain(hwpt, &stdev, &attached, NULL);
		EXPECT_EQ(hwpt, attached);
		test_ioctl_destroy(stdev);
		test_ioctl_destroy(hwpt);
	}

	/* __reserved2 is not looked at (upstream) */
	cmd.dev_id = self->idev_ids[0];
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	test_ioctl_destroy(cmd.out_hwpt_id);
}

/* A device whose unit cannot track dirty pages */
TEST_F(iommufd_hwpt, no_dirty_device)
{
	__u32 stdev, hwpt, idev, dirty_hwpt, plain_hwpt;

	EXPECT_ERRNO(EINVAL, _test_mock_domain_flags(self->fd, self->ioas_id,
						     1U << 3, NULL, NULL,
						     NULL));
	ASSERT_EQ(0, _test_mock_domain_flags(self->fd, self->ioas_id,
					     MOCK_FLAGS_DEVICE_NO_DIRTY, &stdev,
					     &hwpt, &idev));

	err_hwpt_alloc(EOPNOTSUPP, IOMMU_HWPT_ALLOC_DIRTY_TRACKING, idev,
		       self->ioas_id);
	/* Everything else still works for it */
	hwpt_alloc(IOMMU_HWPT_ALLOC_NEST_PARENT, idev, self->ioas_id,
		   &plain_hwpt);
	test_ioctl_destroy(plain_hwpt);

	if (!variant->mock_domains)
		return;
	/* It cannot join a dirty-tracking HWPT (upstream: EINVAL) */
	hwpt_alloc(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, self->idev_ids[0],
		   self->ioas_id, &dirty_hwpt);
	EXPECT_ERRNO(EINVAL, _test_mock_domain_flags(self->fd, dirty_hwpt,
						     MOCK_FLAGS_DEVICE_NO_DIRTY,
						     NULL, NULL, NULL));
	EXPECT_ERRNO(EINVAL, _test_cmd_mock_domain_replace(self->fd, stdev,
							   dirty_hwpt, NULL));
	/* A dirty-capable device can */
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0],
						   dirty_hwpt, NULL));
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0],
						   self->ioas_id, NULL));
	test_ioctl_destroy(dirty_hwpt);
}

static int _hw_info(int fd, __u32 dev_id, __u32 flags, __u32 in_type,
		    struct iommu_hw_info *out)
{
	static struct iommu_test_hw_info payload;

	*out = (struct iommu_hw_info){
		.size = sizeof(*out),
		.flags = flags,
		.dev_id = dev_id,
		.data_len = sizeof(payload),
		.data_uptr = (uintptr_t)&payload,
		.in_data_type = in_type,
		.out_max_pasid_log2 = 0xff,
		.out_capabilities = ~0ULL,
	};
	return ioctl(fd, IOMMU_GET_HW_INFO, out);
}

TEST_F(iommufd_hwpt, hw_info)
{
	struct iommu_hw_info info;
	__u32 idev;

	if (!variant->mock_domains) {
		EXPECT_ERRNO(ENOENT, _hw_info(self->fd, self->ioas_id, 0, 0,
					      &info));
		return;
	}
	idev = self->idev_ids[0];

	ASSERT_EQ(0, _hw_info(self->fd, idev, 0, 0, &info));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, info.out_data_type);
	EXPECT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING, info.out_capabilities);
	EXPECT_EQ(0, info.out_max_pasid_log2);

	/* Without the flag the input type is ignored */
	ASSERT_EQ(0, _hw_info(self->fd, idev, 0, 12345, &info));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, info.out_data_type);

	/* Asking for a type: the default, the mock's own, another one */
	ASSERT_EQ(0, _hw_info(self->fd, idev, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			      IOMMU_HW_INFO_TYPE_DEFAULT, &info));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, info.out_data_type);
	ASSERT_EQ(0, _hw_info(self->fd, idev, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			      IOMMU_HW_INFO_TYPE_SELFTEST, &info));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, info.out_data_type);
	EXPECT_ERRNO(EOPNOTSUPP,
		     _hw_info(self->fd, idev, IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			      IOMMU_HW_INFO_TYPE_INTEL_VTD, &info));

	/* Unknown flag, reserved bytes */
	EXPECT_ERRNO(EOPNOTSUPP, _hw_info(self->fd, idev, 1U << 1, 0, &info));
	info.flags = 0;
	info.__reserved[1] = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
}

TEST_F(iommufd_hwpt, hw_info_device_flags)
{
	struct iommu_hw_info info;
	__u32 idev;

	ASSERT_EQ(0, _test_mock_domain_flags(self->fd, self->ioas_id,
					     MOCK_FLAGS_DEVICE_NO_DIRTY, NULL,
					     NULL, &idev));
	ASSERT_EQ(0, _hw_info(self->fd, idev, 0, 0, &info));
	EXPECT_EQ(0, info.out_capabilities);
	EXPECT_EQ(0, info.out_max_pasid_log2);

	ASSERT_EQ(0, _test_mock_domain_flags(self->fd, self->ioas_id,
					     MOCK_FLAGS_DEVICE_PASID, NULL,
					     NULL, &idev));
	ASSERT_EQ(0, _hw_info(self->fd, idev, 0, 0, &info));
	/* Not a PCI device: no PCI PASID capability bits */
	EXPECT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING, info.out_capabilities);
	EXPECT_EQ(MOCK_PASID_WIDTH, info.out_max_pasid_log2);
}

/* Programs built against the Linux 6.6 header keep working */
TEST_F(iommufd_hwpt, v66_sizes)
{
	struct {
		struct iommu_hwpt_alloc cmd;
		uint8_t guard[32];
	} alloc;
	struct {
		struct iommu_hw_info cmd;
		uint8_t guard[32];
	} info;
	struct iommu_test_hw_info payload;
	struct iommu_test_cmd tcmd = {
		.size = XIOMMU_TEST_CMD_SIZE_V66,
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = self->ioas_id,
	};
	uint8_t *raw;
	unsigned int i;

	/* The test command at its 6.6 size still makes devices */
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_TEST_CMD, &tcmd));
	EXPECT_NE(0, tcmd.mock_domain.out_idev_id);
	/* but an op whose member lies past it needs the larger size */
	tcmd.op = IOMMU_TEST_OP_DIRTY;
	tcmd.id = tcmd.mock_domain.out_hwpt_id;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_TEST_CMD, &tcmd));

	memset(&alloc, 0xa5, sizeof(alloc));
	alloc.cmd = (struct iommu_hwpt_alloc){
		.size = HWPT_ALLOC_SIZE_V66,
		.dev_id = tcmd.mock_domain.out_idev_id,
		.pt_id = self->ioas_id,
	};
	/* Bytes past the 6.6 size hold junk: never read, never written */
	memset((uint8_t *)&alloc + HWPT_ALLOC_SIZE_V66, 0xa5,
	       sizeof(alloc) - HWPT_ALLOC_SIZE_V66);
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc.cmd));
	EXPECT_NE(0, alloc.cmd.out_hwpt_id);
	raw = (uint8_t *)&alloc;
	for (i = HWPT_ALLOC_SIZE_V66; i != sizeof(alloc); i++)
		EXPECT_EQ(0xa5, raw[i]);

	memset(&info, 0xa5, sizeof(info));
	info.cmd = (struct iommu_hw_info){
		.size = HW_INFO_SIZE_V66,
		.dev_id = tcmd.mock_domain.out_idev_id,
		.data_len = sizeof(payload),
		.data_uptr = (uintptr_t)&payload,
	};
	memset((uint8_t *)&info + HW_INFO_SIZE_V66, 0xa5,
	       sizeof(info) - HW_INFO_SIZE_V66);
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_GET_HW_INFO, &info.cmd));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, info.cmd.out_data_type);
	EXPECT_EQ(IOMMU_HW_INFO_SELFTEST_REGVAL, payload.test_reg);
	/* Written back: the 6.6 part only (out_max_pasid_log2 is in it) */
	EXPECT_EQ(0, info.cmd.out_max_pasid_log2);
	raw = (uint8_t *)&info;
	for (i = HW_INFO_SIZE_V66; i != sizeof(info); i++)
		EXPECT_EQ(0xa5, raw[i]);
}

TEST_F(iommufd_hwpt, dirty_inputs)
{
	__u32 plain, dirty;
	uint64_t bitmap[4] = {};
	__u64 iova = self->base_iova;

	/* No such HWPT, or not an HWPT */
	EXPECT_ERRNO(ENOENT, _set_dirty(self->fd, 0xdead,
					IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	EXPECT_ERRNO(ENOENT, _set_dirty(self->fd, self->ioas_id, 0));
	EXPECT_ERRNO(ENOENT, _get_dirty(self->fd, self->ioas_id, 0, iova,
					PAGE_SIZE, PAGE_SIZE, bitmap));
	EXPECT_ERRNO(EOPNOTSUPP, _set_dirty(self->fd, self->ioas_id, 2));
	EXPECT_ERRNO(EOPNOTSUPP, _get_dirty(self->fd, self->ioas_id, 2, iova,
					    PAGE_SIZE, PAGE_SIZE, bitmap));
	if (!variant->mock_domains)
		return;

	hwpt_alloc(0, self->idev_ids[0], self->ioas_id, &plain);
	hwpt_alloc(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, self->idev_ids[0],
		   self->ioas_id, &dirty);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, iova);

	/* HWPTs without dirty tracking: EOPNOTSUPP (also the automatic) */
	EXPECT_ERRNO(EOPNOTSUPP, _set_dirty(self->fd, plain,
					    IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	EXPECT_ERRNO(EOPNOTSUPP, _set_dirty(self->fd, self->hwpt_ids[0], 0));
	EXPECT_ERRNO(EOPNOTSUPP, _get_dirty(self->fd, plain, 0, iova,
					    PAGE_SIZE, PAGE_SIZE, bitmap));

	/* Flags, reserved */
	EXPECT_ERRNO(EOPNOTSUPP, _set_dirty(self->fd, dirty, 1U << 1));
	EXPECT_ERRNO(EOPNOTSUPP,
		     _get_dirty(self->fd, dirty,
				IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR << 1,
				iova, PAGE_SIZE, PAGE_SIZE, bitmap));
	{
		struct iommu_hwpt_get_dirty_bitmap cmd = {
			.size = sizeof(cmd),
			.hwpt_id = dirty,
			.__reserved = 1,
			.iova = iova,
			.length = PAGE_SIZE,
			.page_size = PAGE_SIZE,
			.data = (uintptr_t)bitmap,
		};

		EXPECT_ERRNO(EOPNOTSUPP,
			     ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				   &cmd));
	}

	/* Range rules */
	EXPECT_ERRNO(EINVAL, _get_dirty(self->fd, dirty, 0, iova, 0,
					PAGE_SIZE, bitmap));
	EXPECT_ERRNO(EOVERFLOW, _get_dirty(self->fd, dirty, 0, ~0ULL - 4095,
					   2 * PAGE_SIZE, PAGE_SIZE, bitmap));
	/* Not aligned to the IOAS's 2 KiB IO page */
	EXPECT_ERRNO(EINVAL, _get_dirty(self->fd, dirty, 0, iova + 1024,
					PAGE_SIZE, 1024, bitmap));
	EXPECT_ERRNO(EINVAL, _get_dirty(self->fd, dirty, 0, iova,
					PAGE_SIZE + 1024, 1024, bitmap));
	/* page_size: 0, not a power of two, not dividing iova/length */
	EXPECT_ERRNO(EINVAL, _get_dirty(self->fd, dirty, 0, iova, PAGE_SIZE,
					0, bitmap));
	EXPECT_ERRNO(EINVAL, _get_dirty(self->fd, dirty, 0, iova,
					3 * MOCK_PAGE_SIZE, 3 * MOCK_PAGE_SIZE,
					bitmap));
	EXPECT_ERRNO(EINVAL, _get_dirty(self->fd, dirty, 0,
					iova + MOCK_PAGE_SIZE, PAGE_SIZE,
					PAGE_SIZE, bitmap));
	EXPECT_ERRNO(EINVAL, _get_dirty(self->fd, dirty, 0, iova,
					3 * MOCK_PAGE_SIZE, PAGE_SIZE,
					bitmap));

	/* The bitmap must be readable and writable */
	EXPECT_ERRNO(EFAULT, _get_dirty(self->fd, dirty, 0, iova, PAGE_SIZE,
					PAGE_SIZE, NULL));
	EXPECT_ERRNO(EFAULT, _get_dirty(self->fd, dirty, 0, iova, PAGE_SIZE,
					PAGE_SIZE, (void *)"ro"));

	/* The test op needs tracking on, and sane arguments */
	EXPECT_ERRNO(EINVAL, _mock_dirty(self->fd, dirty, iova, PAGE_SIZE,
					 MOCK_PAGE_SIZE, bitmap, NULL));
	ASSERT_EQ(0, _set_dirty(self->fd, dirty,
				IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	EXPECT_ERRNO(EINVAL, _mock_dirty(self->fd, dirty, iova, 0,
					 MOCK_PAGE_SIZE, bitmap, NULL));
	EXPECT_ERRNO(EINVAL, _mock_dirty(self->fd, dirty, iova, PAGE_SIZE,
					 MOCK_PAGE_SIZE, NULL, NULL));
	EXPECT_ERRNO(EINVAL, _mock_dirty(self->fd, plain, iova, PAGE_SIZE,
					 MOCK_PAGE_SIZE, bitmap, NULL));
	EXPECT_ERRNO(EFAULT, _mock_dirty(self->fd, dirty, iova, PAGE_SIZE,
					 MOCK_PAGE_SIZE, (void *)8, NULL));
	/* Switching to the current state is fine both ways */
	ASSERT_EQ(0, _set_dirty(self->fd, dirty,
				IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	ASSERT_EQ(0, _set_dirty(self->fd, dirty, 0));
	ASSERT_EQ(0, _set_dirty(self->fd, dirty, 0));
	EXPECT_ERRNO(EINVAL, _mock_dirty(self->fd, dirty, iova, PAGE_SIZE,
					 MOCK_PAGE_SIZE, bitmap, NULL));

	test_ioctl_ioas_unmap(iova, BUFFER_SIZE);
	test_ioctl_destroy(dirty);
	test_ioctl_destroy(plain);
}

/*
 * Writes go in at the IO page granule, are read back at several granules,
 * NO_CLEAR keeps them, a read without it consumes them, enabling again
 * forgets them, bits the caller had set stay set.
 */
TEST_F(iommufd_hwpt, dirty_bitmap)
{
	unsigned long io_pages = BUFFER_SIZE / MOCK_PAGE_SIZE;
	unsigned long cpu_pages = BUFFER_SIZE / PAGE_SIZE;
	uint8_t in[64] = {}, out[64], want[64];
	__u64 iova = self->base_iova, nr;
	unsigned long i;
	__u32 dirty;

	if (!variant->mock_domains)
		SKIP(return, "needs a mock device");
	ASSERT_GE(sizeof(in) * 8, io_pages);

	hwpt_alloc(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, self->idev_ids[0],
		   self->ioas_id, &dirty);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, iova);
	ASSERT_EQ(0, _set_dirty(self->fd, dirty,
				IOMMU_HWPT_DIRTY_TRACKING_ENABLE));

	/* Clean after enabling */
	memset(out, 0, sizeof(out));
	ASSERT_EQ(0, _get_dirty(self->fd, dirty, 0, iova, BUFFER_SIZE,
				MOCK_PAGE_SIZE, out));
	for (i = 0; i != io_pages; i++)
		EXPECT_FALSE(bit_get(out, i));

	/* Every third IO page written, plus one past the mapping */
	for (i = 0; i < io_pages; i += 3)
		bit_set(in, i);
	bit_set(in, io_pages);
	ASSERT_EQ(0, _mock_dirty(self->fd, dirty, iova,
				 BUFFER_SIZE + MOCK_PAGE_SIZE, MOCK_PAGE_SIZE,
				 in, &nr));
	EXPECT_EQ((io_pages + 2) / 3, nr);

	/* NO_CLEAR twice: the same each time */
	for (int round = 0; round != 2; round++) {
		memset(out, 0, sizeof(out));
		ASSERT_EQ(0, _get_dirty(self->fd, dirty,
					IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
					iova, BUFFER_SIZE, MOCK_PAGE_SIZE,
					out));
		for (i = 0; i != io_pages; i++)
			EXPECT_EQ(i % 3 == 0, bit_get(out, i));
	}

	/* At CPU page granule: a page is dirty if either half is */
	memset(out, 0, sizeof(out));
	ASSERT_EQ(0, _get_dirty(self->fd, dirty,
				IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, iova,
				BUFFER_SIZE, PAGE_SIZE, out));
	memset(want, 0, sizeof(want));
	for (i = 0; i < io_pages; i += 3)
		bit_set(want, i * MOCK_PAGE_SIZE / PAGE_SIZE);
	for (i = 0; i != cpu_pages; i++)
		EXPECT_EQ(bit_get(want, i), bit_get(out, i));

	/* A sub-range: bit 0 is its first page */
	memset(out, 0, sizeof(out));
	ASSERT_EQ(0, _get_dirty(self->fd, dirty,
				IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
				iova + 3 * MOCK_PAGE_SIZE, 6 * MOCK_PAGE_SIZE,
				MOCK_PAGE_SIZE, out));
	EXPECT_EQ(0x09, out[0]);

	/* Bits the caller set stay set (OR), unwritten bytes untouched */
	memset(out, 0xff, sizeof(out));
	out[0] = 0x40;
	ASSERT_EQ(0, _get_dirty(self->fd, dirty, 0, iova, 6 * MOCK_PAGE_SIZE,
				MOCK_PAGE_SIZE, out));
	EXPECT_EQ(0x49, out[0]);
	EXPECT_EQ(0xff, out[1]);

	/* That read cleared the first 6 IO pages only */
	memset(out, 0, sizeof(out));
	ASSERT_EQ(0, _get_dirty(self->fd, dirty, 0, iova, BUFFER_SIZE,
				MOCK_PAGE_SIZE, out));
	for (i = 0; i != io_pages; i++)
		EXPECT_EQ(i % 3 == 0 && i >= 6, bit_get(out, i));
	memset(out, 0, sizeof(out));
	ASSERT_EQ(0, _get_dirty(self->fd, dirty, 0, iova, BUFFER_SIZE,
				MOCK_PAGE_SIZE, out));
	for (i = 0; i != io_pages; i++)
		EXPECT_FALSE(bit_get(out, i));

	/* Enabling again forgets what was recorded */
	ASSERT_EQ(0, _mock_dirty(self->fd, dirty, iova, BUFFER_SIZE,
				 MOCK_PAGE_SIZE, in, &nr));
	ASSERT_EQ(0, _set_dirty(self->fd, dirty,
				IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	memset(out, 0, sizeof(out));
	ASSERT_EQ(0, _get_dirty(self->fd, dirty, 0, iova, BUFFER_SIZE,
				MOCK_PAGE_SIZE, out));
	for (i = 0; i != io_pages; i++)
		EXPECT_FALSE(bit_get(out, i));

	test_ioctl_ioas_unmap(iova, BUFFER_SIZE);
	test_ioctl_destroy(dirty);
}

/*
 * A range larger than one window of the kernel's walk (8192 bits): dirty
 * pages on both sides of a window boundary, and far apart, land at the
 * right bits; the unmapped rest is clean.
 */
TEST_F(iommufd_hwpt, dirty_bitmap_windows)
{
	const unsigned long nbits = 3 * 8192 + 5;
	const __u64 length = nbits * MOCK_PAGE_SIZE;
	unsigned long io_pages = BUFFER_SIZE / MOCK_PAGE_SIZE;
	unsigned long first = 8192 - io_pages / 2, i;
	__u64 iova = self->base_iova, map_iova, nr;
	uint8_t *in, *out;
	__u32 dirty;

	if (!variant->mock_domains)
		SKIP(return, "needs a mock device");
	in = calloc(1, nbits / 8 + 1);
	out = calloc(1, nbits / 8 + 1);
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);

	hwpt_alloc(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, self->idev_ids[0],
		   self->ioas_id, &dirty);
	/* The buffer straddles the first window boundary */
	map_iova = iova + first * MOCK_PAGE_SIZE;
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, map_iova);
	/* And again at the very end of the range */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE,
				  iova + length - PAGE_SIZE);
	ASSERT_EQ(0, _set_dirty(self->fd, dirty,
				IOMMU_HWPT_DIRTY_TRACKING_ENABLE));

	for (i = 0; i != nbits; i++)
		bit_set(in, i);
	ASSERT_EQ(0, _mock_dirty(self->fd, dirty, iova, length,
				 MOCK_PAGE_SIZE, in, &nr));
	EXPECT_EQ(io_pages + PAGE_SIZE / MOCK_PAGE_SIZE, nr);

	ASSERT_EQ(0, _get_dirty(self->fd, dirty, 0, iova, length,
				MOCK_PAGE_SIZE, out));
	for (i = 0; i != nbits; i++) {
		bool mapped = (i >= first && i < first + io_pages) ||
			      i >= nbits - PAGE_SIZE / MOCK_PAGE_SIZE;

		if (bit_get(out, i) != mapped) {
			EXPECT_EQ(mapped, bit_get(out, i));
			break;
		}
	}

	test_ioctl_ioas_unmap(map_iova, BUFFER_SIZE);
	test_ioctl_ioas_unmap(iova + length - PAGE_SIZE, PAGE_SIZE);
	test_ioctl_destroy(dirty);
	free(in);
	free(out);
}

/*
 * IOMMU_HWPT_ALLOC with IOMMU_HWPT_DATA_SELFTEST on an IOAS: a paging HWPT
 * in the page-table format the data names. The data follows the
 * size-extensible rules; unknown formats and other drivers' types are
 * EOPNOTSUPP; a failed allocation leaves nothing behind.
 */
TEST_F(iommufd_hwpt, paging_data)
{
	struct {
		struct iommu_hwpt_selftest cfg;
		__u32 more;
	} big = { .cfg = { .pagetable_type = MOCK_IOMMUPT_HUGE } };
	struct iommu_hwpt_selftest cfg = {};
	__u32 dev, id, id2, nodirty_stdev, nodirty_idev;
	__u64 iova = self->base_iova;

	if (!variant->mock_domains) {
		/* No device: ENOENT, after the data_type/data_len check */
		EXPECT_ERRNO(ENOENT, _hwpt_alloc_fmt(self->fd, 0,
						     self->ioas_id,
						     self->ioas_id,
						     MOCK_IOMMUPT_DEFAULT,
						     NULL));
		return;
	}
	dev = self->idev_ids[0];
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, iova);

	/* Both formats, with and without dirty tracking */
	ASSERT_EQ(0, _hwpt_alloc_fmt(self->fd, 0, dev, self->ioas_id,
				     MOCK_IOMMUPT_DEFAULT, &id));
	test_cmd_check_map(id, iova, BUFFER_SIZE, buffer);
	test_ioctl_destroy(id);
	ASSERT_EQ(0, _hwpt_alloc_fmt(self->fd, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				     dev, self->ioas_id, MOCK_IOMMUPT_HUGE,
				     &id));
	test_cmd_check_map(id, iova, BUFFER_SIZE, buffer);
	ASSERT_EQ(0, _set_dirty(self->fd, id,
				IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	/* A device attaches to it and leaves again */
	test_cmd_mock_domain(id, &nodirty_stdev, &id2, NULL);
	EXPECT_EQ(id, id2);
	test_ioctl_destroy(nodirty_stdev);
	test_ioctl_destroy(id);

	/* Only the v1 field (iotlb, ignored for paging): the default format */
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, 0, dev, self->ioas_id,
				      IOMMU_HWPT_DATA_SELFTEST, &cfg,
				      offsetofend(struct iommu_hwpt_selftest,
						  iotlb), &id));
	test_ioctl_destroy(id);
	/* Longer than the driver's struct: EINVAL, whatever the tail */
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, dev, self->ioas_id,
					      IOMMU_HWPT_DATA_SELFTEST, &big,
					      sizeof(big), &id));
	big.more = 1;
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, dev, self->ioas_id,
					      IOMMU_HWPT_DATA_SELFTEST, &big,
					      sizeof(big), &id));
	/* Shorter than the first field */
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, dev, self->ioas_id,
					      IOMMU_HWPT_DATA_SELFTEST, &cfg,
					      3, &id));
	/* Unreadable */
	EXPECT_ERRNO(EFAULT, _test_hwpt_alloc(self->fd, 0, dev, self->ioas_id,
					      IOMMU_HWPT_DATA_SELFTEST,
					      (void *)8, sizeof(cfg), &id));
	/* Formats the mock has not (2: upstream's removed AMDv1) */
	EXPECT_ERRNO(EOPNOTSUPP, _hwpt_alloc_fmt(self->fd, 0, dev,
						 self->ioas_id, 2, &id));
	EXPECT_ERRNO(EOPNOTSUPP, _hwpt_alloc_fmt(self->fd, 0, dev,
						 self->ioas_id, ~0U, &id));
	/* Another driver's type */
	EXPECT_ERRNO(EOPNOTSUPP, _test_hwpt_alloc(self->fd, 0, dev,
						  self->ioas_id,
						  IOMMU_HWPT_DATA_VTD_S1, &cfg,
						  sizeof(cfg), &id));
	/* Flags keep their rules with data */
	EXPECT_ERRNO(EOPNOTSUPP, _hwpt_alloc_fmt(self->fd, 1U << 31, dev,
						 self->ioas_id,
						 MOCK_IOMMUPT_DEFAULT, &id));
	ASSERT_EQ(0, _test_mock_domain_flags(self->fd, self->ioas_id,
					     MOCK_FLAGS_DEVICE_NO_DIRTY,
					     &nodirty_stdev, NULL,
					     &nodirty_idev));
	EXPECT_ERRNO(EOPNOTSUPP,
		     _hwpt_alloc_fmt(self->fd, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				     nodirty_idev, self->ioas_id,
				     MOCK_IOMMUPT_HUGE, &id));
	test_ioctl_destroy(nodirty_stdev);

	/* Nothing was left behind: the IOAS unmaps and goes */
	test_ioctl_ioas_unmap(iova, BUFFER_SIZE);
}

/*
 * Dirty state is per IOPTE: in the huge format a 2 MiB hugetlb page mapped
 * at a 1 MiB aligned IOVA sits in MOCK_HUGE_PAGE_SIZE IOPTEs, so one device
 * write makes its whole 1 MiB dirty; in the default format only the 2 KiB
 * IO page written. NO_CLEAR keeps the state, a plain read clears it.
 */
TEST_F(iommufd_hwpt, dirty_huge_iopte)
{
	const size_t huge = 2UL << 20;
	const unsigned long npte = MOCK_HUGE_PAGE_SIZE / MOCK_PAGE_SIZE;
	const unsigned long nbits = huge / MOCK_PAGE_SIZE;
	__u64 iova = self->base_iova, nr;
	uint8_t in[128], out[128];
	unsigned int fmt;
	unsigned long i;
	void *mem;

	if (!variant->mock_domains)
		SKIP(return, "needs a mock device");
	ASSERT_EQ(nbits / 8, sizeof(out));
	mem = mmap(NULL, huge, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1,
		   0);
	if (mem == MAP_FAILED)
		SKIP(return, "no 2 MiB hugetlb page (vm.nr_hugepages)");
	test_ioctl_ioas_map_fixed(mem, huge, iova);

	for (fmt = MOCK_IOMMUPT_DEFAULT; fmt <= MOCK_IOMMUPT_HUGE; fmt++) {
		unsigned long written = fmt == MOCK_IOMMUPT_HUGE ? npte : 1;
		__u32 id;

		ASSERT_EQ(0, _hwpt_alloc_fmt(self->fd,
					     IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					     self->idev_ids[0], self->ioas_id,
					     fmt, &id)) {
			TH_LOG("format %u: %s", fmt, strerror(errno));
		}
		test_cmd_check_map(id, iova, huge, mem);
		ASSERT_EQ(0, _set_dirty(self->fd, id,
					IOMMU_HWPT_DIRTY_TRACKING_ENABLE));

		/* One IO page written in each 1 MiB half, not at its start */
		memset(in, 0, sizeof(in));
		bit_set(in, 5);
		bit_set(in, npte + npte - 1);
		ASSERT_EQ(0, _mock_dirty(self->fd, id, iova, huge,
					 MOCK_PAGE_SIZE, in, &nr));
		EXPECT_EQ(2, nr);

		memset(out, 0, sizeof(out));
		ASSERT_EQ(0, _get_dirty(self->fd, id,
					IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
					iova, huge, MOCK_PAGE_SIZE, out));
		for (i = 0; i != nbits; i++) {
			bool want = written == npte || i == 5 ||
				    i == 2 * npte - 1;

			if (bit_get(out, i) != want) {
				EXPECT_EQ(want, bit_get(out, i));
				break;
			}
		}
		/* At 1 MiB granule: both halves, whatever the format */
		memset(out, 0, sizeof(out));
		ASSERT_EQ(0, _get_dirty(self->fd, id, 0, iova, huge,
					MOCK_HUGE_PAGE_SIZE, out));
		EXPECT_EQ(0x3, out[0]);
		/* That read cleared everything */
		memset(out, 0, sizeof(out));
		ASSERT_EQ(0, _get_dirty(self->fd, id, 0, iova, huge,
					MOCK_PAGE_SIZE, out));
		for (i = 0; i != nbits; i++)
			if (bit_get(out, i)) {
				EXPECT_FALSE(bit_get(out, i));
				break;
			}
		test_ioctl_destroy(id);
	}
	test_ioctl_ioas_unmap(iova, huge);
	munmap(mem, huge);
}

TEST_HARNESS_MAIN
