// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/iommu uAPI selftests on the mock IOMMU (xiommu_mock).
 *
 * Runs as root in a guest with xiommu.ko and xiommu_mock.ko loaded. The
 * mock's IOMMU_TEST_CMD creates mock devices attached to an IOAS and lets
 * the test read the mock domains' software page tables (MD_CHECK_MAP) and
 * the pin count of user pages (MD_CHECK_REFS), so every IOAS operation is
 * checked against what actually reached the "hardware".
 *
 * Expected errno values are those of upstream Linux iommufd (v6.6
 * behaviour). Where xiommu's core differs, the test fails: the core is
 * wrong, not the test.
 *
 * Fixture iommufd_ioas runs every test with 0, 1 and 2 mock devices
 * attached to the IOAS: with none nothing is pinned at map time and any
 * IOVA alignment is accepted; with mock devices the IOAS takes the mock
 * aperture and the 2 KiB mock IO page alignment, and mapped pages are
 * pinned once however many domains mirror them.
 */
#include <assert.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "iommufd_utils.h"

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(16);
}

/* Largest power of two dividing @v (v != 0). */
static uint64_t low_bit(uint64_t v)
{
	return v & -v;
}

/* Smallest power of two >= @v. */
static uint64_t pow2_ceil(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* ---- context-level tests ---- */

FIXTURE(iommufd)
{
	int fd;
};

FIXTURE_SETUP(iommufd)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
}

FIXTURE_TEARDOWN(iommufd)
{
	teardown_iommufd(self->fd, _metadata);
}

TEST_F(iommufd, simple_close)
{
}

TEST_F(iommufd, cmd_fail)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = 0 };

	/* There is never an object 0 */
	test_err_ioctl_destroy(ENOENT, 0);
	test_err_ioctl_destroy(ENOENT, 12345);
	/* Unreadable argument */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IOMMU_DESTROY, NULL));
	/* Numbers outside the dispatch table and a foreign ioctl type */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd,
				   _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE - 1),
				   &cmd));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd,
				   _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 31),
				   &cmd));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO('x', IOMMUFD_CMD_BASE),
				   &cmd));
}

/* IOMMU_DESTROY with a structure longer than the kernel's */
TEST_F(iommufd, cmd_ex_fail)
{
	struct {
		struct iommu_destroy cmd;
		__u64 future;
	} ext = { .cmd = { .size = sizeof(ext), .id = 0 } };

	/* Longer, zero tail: processed, the id does not exist */
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_DESTROY, &ext));
	/* Longer, non-zero tail */
	ext.future = 1ULL << 63;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, IOMMU_DESTROY, &ext));
	/* Exact size ignores what follows */
	ext.cmd.size = sizeof(ext.cmd);
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_DESTROY, &ext));
	/* Shorter than the oldest layout */
	ext.cmd.size = sizeof(ext.cmd) - 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_DESTROY, &ext));
	ext.cmd.size = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_DESTROY, &ext));
}

TEST_F(iommufd, ioas_alloc_flags)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };
	__u32 a, b;

	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_IOAS_ALLOC, &cmd));
	cmd.flags = 1U << 31;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_IOAS_ALLOC, &cmd));

	/* Ids are unique and never 0; destroyed ones are gone */
	test_ioctl_ioas_alloc(&a);
	test_ioctl_ioas_alloc(&b);
	ASSERT_NE(a, b);
	test_ioctl_destroy(a);
	test_err_ioctl_destroy(ENOENT, a);
	test_ioctl_destroy(b);
}

TEST_F(iommufd, test_cmd_fail)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd) };
	__u32 ioas_id;

	/* Unknown op numbers */
	cmd.op = 0;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_TEST_CMD, &cmd));
	cmd.op = 0x10000;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_TEST_CMD, &cmd));
	/* __reserved must be zero */
	cmd.op = IOMMU_TEST_OP_MD_CHECK_REFS;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_TEST_CMD, &cmd));

	/* Misaligned checks are rejected before any lookup */
	test_err_check_map(EINVAL, 0, MOCK_APERTURE_START + 1, MOCK_PAGE_SIZE,
			   buffer);
	test_err_check_map(EINVAL, 0, MOCK_APERTURE_START, MOCK_PAGE_SIZE + 1,
			   buffer);
	test_err_check_map(EINVAL, 0, MOCK_APERTURE_START, MOCK_PAGE_SIZE,
			   (char *)buffer + 1);
	test_err_check_map(EINVAL, 0, MOCK_APERTURE_START, 2 * MOCK_PAGE_SIZE,
			   (void *)(uintptr_t)(0 - MOCK_PAGE_SIZE));
	test_err_check_refs(EINVAL, (char *)buffer + 1, PAGE_SIZE, 0);
	test_err_check_refs(EINVAL, buffer, PAGE_SIZE - 1, 0);

	/* Well-formed checks name an object that is not there */
	test_err_check_map(ENOENT, 0, MOCK_APERTURE_START, MOCK_PAGE_SIZE,
			   buffer);
	test_err_mock_domain(ENOENT, 0, NULL, NULL, NULL);
	test_err_mock_domain(ENOENT, 12345, NULL, NULL, NULL);

	/* An IOAS is not an HWPT */
	test_ioctl_ioas_alloc(&ioas_id);
	test_err_check_map(ENOENT, ioas_id, MOCK_APERTURE_START,
			   MOCK_PAGE_SIZE, buffer);

	/* Nothing of ours is pinned; the check is not vacuous */
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	test_err_check_refs(EIO, buffer, BUFFER_SIZE, 1);
	/* An unmapped user address cannot be checked */
	test_err_check_refs(EFAULT, (void *)(uintptr_t)PAGE_SIZE, PAGE_SIZE, 0);
}

/* A reply that cannot be written back creates nothing */
TEST_F(iommufd, mock_domain_efault)
{
	struct iommu_test_cmd *cmd;
	__u32 ioas_id;

	test_ioctl_ioas_alloc(&ioas_id);
	cmd = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, cmd);
	cmd->size = sizeof(*cmd);
	cmd->op = IOMMU_TEST_OP_MOCK_DOMAIN;
	cmd->id = ioas_id;
	ASSERT_EQ(0, mprotect(cmd, PAGE_SIZE, PROT_READ));

	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IOMMU_TEST_CMD, cmd));
	/* No device was left attached to the IOAS */
	test_ioctl_destroy(ioas_id);
	ASSERT_EQ(0, munmap(cmd, PAGE_SIZE));
}

/* ---- size-extensible structure rules, one variant per ioctl ---- */

FIXTURE(iommufd_size)
{
	int fd;
};

FIXTURE_VARIANT(iommufd_size)
{
	unsigned long ioc;
	size_t struct_size;
	size_t min_size;
};

FIXTURE_SETUP(iommufd_size)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
}

FIXTURE_TEARDOWN(iommufd_size)
{
	teardown_iommufd(self->fd, _metadata);
}

/* min_size: the end of the last field of the oldest layout */
FIXTURE_VARIANT_ADD(iommufd_size, destroy)
{
	.ioc = IOMMU_DESTROY,
	.struct_size = sizeof(struct iommu_destroy),
	.min_size = offsetofend(struct iommu_destroy, id),
};

FIXTURE_VARIANT_ADD(iommufd_size, ioas_alloc)
{
	.ioc = IOMMU_IOAS_ALLOC,
	.struct_size = sizeof(struct iommu_ioas_alloc),
	.min_size = offsetofend(struct iommu_ioas_alloc, out_ioas_id),
};

FIXTURE_VARIANT_ADD(iommufd_size, ioas_iova_ranges)
{
	.ioc = IOMMU_IOAS_IOVA_RANGES,
	.struct_size = sizeof(struct iommu_ioas_iova_ranges),
	.min_size = offsetofend(struct iommu_ioas_iova_ranges, out_iova_alignment),
};

FIXTURE_VARIANT_ADD(iommufd_size, ioas_map)
{
	.ioc = IOMMU_IOAS_MAP,
	.struct_size = sizeof(struct iommu_ioas_map),
	.min_size = offsetofend(struct iommu_ioas_map, iova),
};

FIXTURE_VARIANT_ADD(iommufd_size, ioas_unmap)
{
	.ioc = IOMMU_IOAS_UNMAP,
	.struct_size = sizeof(struct iommu_ioas_unmap),
	.min_size = offsetofend(struct iommu_ioas_unmap, length),
};

FIXTURE_VARIANT_ADD(iommufd_size, ioas_allow_iovas)
{
	.ioc = IOMMU_IOAS_ALLOW_IOVAS,
	.struct_size = sizeof(struct iommu_ioas_allow_iovas),
	.min_size = offsetofend(struct iommu_ioas_allow_iovas, allowed_iovas),
};

FIXTURE_VARIANT_ADD(iommufd_size, ioas_copy)
{
	.ioc = IOMMU_IOAS_COPY,
	.struct_size = sizeof(struct iommu_ioas_copy),
	.min_size = offsetofend(struct iommu_ioas_copy, src_iova),
};

FIXTURE_VARIANT_ADD(iommufd_size, option)
{
	.ioc = IOMMU_OPTION,
	.struct_size = sizeof(struct iommu_option),
	.min_size = offsetofend(struct iommu_option, val64),
};

FIXTURE_VARIANT_ADD(iommufd_size, vfio_ioas)
{
	.ioc = IOMMU_VFIO_IOAS,
	.struct_size = sizeof(struct iommu_vfio_ioas),
	.min_size = offsetofend(struct iommu_vfio_ioas, __reserved),
};

FIXTURE_VARIANT_ADD(iommufd_size, hwpt_alloc)
{
	.ioc = IOMMU_HWPT_ALLOC,
	.struct_size = sizeof(struct iommu_hwpt_alloc),
	.min_size = offsetofend(struct iommu_hwpt_alloc, __reserved),
};

FIXTURE_VARIANT_ADD(iommufd_size, get_hw_info)
{
	.ioc = IOMMU_GET_HW_INFO,
	.struct_size = sizeof(struct iommu_hw_info),
	.min_size = offsetofend(struct iommu_hw_info, __reserved),
};

FIXTURE_VARIANT_ADD(iommufd_size, test_cmd)
{
	.ioc = IOMMU_TEST_CMD,
	.struct_size = sizeof(struct iommu_test_cmd),
	.min_size = XIOMMU_TEST_CMD_SIZE_V66,
};

/*
 * Issue the ioctl on an all-zero structure of @size bytes (followed by
 * @tail_byte at offset @tail_at if non-zero) and return errno or 0.
 */
static int size_probe(int fd, unsigned long ioc, __u32 size, size_t tail_at,
		      uint8_t tail_byte)
{
	uint64_t storage[64] = {};
	uint8_t *raw = (uint8_t *)storage;

	assert(tail_at < sizeof(storage));
	memcpy(raw, &size, sizeof(size));
	raw[tail_at] = tail_byte;
	if (ioctl(fd, ioc, raw))
		return errno;
	return 0;
}

TEST_F(iommufd_size, rules)
{
	size_t ssize = variant->struct_size;
	int exact;

	/* Shorter than the oldest layout: EINVAL, even with junk after it */
	EXPECT_EQ(EINVAL, size_probe(self->fd, variant->ioc, 0, 8, 0));
	EXPECT_EQ(EINVAL, size_probe(self->fd, variant->ioc, 4, 8, 0));
	EXPECT_EQ(EINVAL, size_probe(self->fd, variant->ioc,
				     variant->min_size - 1, ssize, 0xff));

	/* Longer with any non-zero byte past the known layout: E2BIG */
	EXPECT_EQ(E2BIG, size_probe(self->fd, variant->ioc, ssize + 1, ssize,
				    0xff));
	EXPECT_EQ(E2BIG, size_probe(self->fd, variant->ioc, ssize + 64,
				    ssize + 63, 1));

	/*
	 * Longer with a zero tail, and the oldest layout, behave exactly
	 * like the kernel's own size (whatever that does with zeroes).
	 */
	exact = size_probe(self->fd, variant->ioc, ssize, ssize, 0xff);
	EXPECT_NE(E2BIG, exact);
	EXPECT_EQ(exact, size_probe(self->fd, variant->ioc, ssize + 1, ssize, 0));
	EXPECT_EQ(exact, size_probe(self->fd, variant->ioc, ssize + 64,
				    ssize + 64, 0xff));
	EXPECT_EQ(exact, size_probe(self->fd, variant->ioc, variant->min_size,
				    variant->min_size, 0xff));
}

/* ---- IOAS tests with 0, 1 or 2 mock devices attached ---- */

FIXTURE(iommufd_ioas)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_ids[2];
	__u32 hwpt_ids[2];
	__u32 idev_ids[2];
	__u64 base_iova;
};

MOCK_DOMAIN_VARIANTS(iommufd_ioas);

FIXTURE_SETUP(iommufd_ioas)
{
	unsigned int i;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	for (i = 0; i != variant->mock_domains; i++) {
		test_cmd_mock_domain(self->ioas_id, &self->stdev_ids[i],
				     &self->hwpt_ids[i], &self->idev_ids[i]);
		ASSERT_NE(0, self->stdev_ids[i]);
		ASSERT_NE(0, self->hwpt_ids[i]);
		ASSERT_NE(0, self->idev_ids[i]);
	}
	self->base_iova = MOCK_APERTURE_START;
}

FIXTURE_TEARDOWN(iommufd_ioas)
{
	teardown_iommufd(self->fd, _metadata);
}

/* Every mock HWPT of the fixture maps [iova, iova + length) to @uptr. */
#define check_mock_iova(uptr, iova, length)                                \
	({                                                                 \
		unsigned int __i;                                          \
		for (__i = 0; __i != variant->mock_domains; __i++)         \
			test_cmd_check_map(self->hwpt_ids[__i], iova,      \
					   length, uptr);                  \
	})

/* Pages a mapping pins: once with any number of domains, none without. */
#define mapped_refs() (variant->mock_domains ? 1 : 0)

TEST_F(iommufd_ioas, ioas_auto_destroy)
{
}

TEST_F(iommufd_ioas, ioas_destroy)
{
	if (variant->mock_domains) {
		/* A device's HWPT uses the IOAS */
		test_err_ioctl_destroy(EBUSY, self->ioas_id);
	} else {
		test_ioctl_destroy(self->ioas_id);
		test_err_ioctl_destroy(ENOENT, self->ioas_id);
	}
}

TEST_F(iommufd_ioas, ioas_area_destroy)
{
	/* A mapping changes nothing about who may destroy the IOAS */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, self->base_iova);
	check_mock_iova(buffer, self->base_iova, PAGE_SIZE);
	if (variant->mock_domains)
		test_err_ioctl_destroy(EBUSY, self->ioas_id);
	else
		test_ioctl_destroy(self->ioas_id);
}

TEST_F(iommufd_ioas, ioas_destroy_after_devices)
{
	unsigned int i;

	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, self->base_iova);
	check_mock_iova(buffer, self->base_iova, BUFFER_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, mapped_refs());

	for (i = 0; i != variant->mock_domains; i++) {
		test_err_ioctl_destroy(EBUSY, self->ioas_id);
		test_ioctl_destroy(self->stdev_ids[i]);
		test_err_ioctl_destroy(ENOENT, self->stdev_ids[i]);
	}
	/* With no domain left nothing stays pinned */
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	/* The automatically created HWPTs went with their last device */
	for (i = 0; i != variant->mock_domains; i++)
		test_err_check_map(ENOENT, self->hwpt_ids[i], self->base_iova,
				   PAGE_SIZE, buffer);

	test_ioctl_destroy(self->ioas_id);
	test_err_ioctl_destroy(ENOENT, self->ioas_id);
}

TEST_F(iommufd_ioas, objects_in_use)
{
	if (!variant->mock_domains)
		SKIP(return, "needs a mock device");

	/* An HWPT with a device attached */
	test_err_ioctl_destroy(EBUSY, self->hwpt_ids[0]);
	/* A device object belongs to its binding, not to IOMMU_DESTROY */
	test_err_ioctl_destroy(EBUSY, self->idev_ids[0]);
}

TEST_F(iommufd_ioas, hwpt_attach)
{
	__u32 stdev_id, hwpt_id;

	if (!variant->mock_domains) {
		test_err_mock_domain(ENOENT, self->hwpt_ids[0], NULL, NULL,
				     NULL);
		return;
	}
	/* A new device can join an existing HWPT directly */
	test_cmd_mock_domain(self->hwpt_ids[0], &stdev_id, &hwpt_id, NULL);
	ASSERT_EQ(self->hwpt_ids[0], hwpt_id);
	/* Objects that are neither IOAS nor HWPT */
	test_err_mock_domain(EINVAL, self->idev_ids[0], NULL, NULL, NULL);
	test_err_mock_domain(EINVAL, self->stdev_ids[0], NULL, NULL, NULL);

	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, self->base_iova);
	test_cmd_check_map(hwpt_id, self->base_iova, PAGE_SIZE, buffer);
	test_ioctl_destroy(stdev_id);
}

TEST_F(iommufd_ioas, map_fixed)
{
	__u64 iova = self->base_iova;

	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, iova);
	check_mock_iova(buffer, iova, BUFFER_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, mapped_refs());
	test_err_check_refs(EIO, buffer, BUFFER_SIZE, mapped_refs() + 1);

	if (variant->mock_domains) {
		/* The page table holds exactly this, nothing shifted */
		test_err_check_map(EINVAL, self->hwpt_ids[0], iova, PAGE_SIZE,
				   (char *)buffer + PAGE_SIZE);
		test_err_check_map(EINVAL, self->hwpt_ids[0],
				   iova + MOCK_PAGE_SIZE, MOCK_PAGE_SIZE,
				   buffer);
		test_err_check_map(EINVAL, self->hwpt_ids[0],
				   iova + BUFFER_SIZE, MOCK_PAGE_SIZE,
				   buffer);
		test_err_check_map(EINVAL, self->hwpt_ids[0],
				   iova - MOCK_PAGE_SIZE, MOCK_PAGE_SIZE,
				   buffer);
	}

	test_ioctl_ioas_unmap(iova, BUFFER_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	if (variant->mock_domains)
		test_err_check_map(EINVAL, self->hwpt_ids[0], iova,
				   MOCK_PAGE_SIZE, buffer);
}

TEST_F(iommufd_ioas, map_kernel_iova)
{
	__u64 iovas[10];
	unsigned int i;

	for (i = 0; i != 10; i++) {
		__u64 length = PAGE_SIZE * (i + 1);
		uint64_t align = pow2_ceil(length);

		if (low_bit((uintptr_t)buffer) < align)
			align = low_bit((uintptr_t)buffer);
		test_ioctl_ioas_map(buffer, length, &iovas[i]);
		EXPECT_NE(0, iovas[i]);
		/* The IOVA keeps the buffer's alignment, up to the length */
		EXPECT_EQ(0, iovas[i] % align);
		if (variant->mock_domains) {
			EXPECT_LE(MOCK_APERTURE_START, iovas[i]);
			EXPECT_LE(iovas[i] + length - 1, MOCK_APERTURE_LAST);
		}
		check_mock_iova(buffer, iovas[i], length);
	}
	/* Ten mappings of the first page: pinned ten times with a domain */
	test_cmd_check_refs(buffer, PAGE_SIZE, 10 * mapped_refs());
	for (i = 0; i != 10; i++)
		test_ioctl_ioas_unmap(iovas[i], PAGE_SIZE * (i + 1));
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
}

TEST_F(iommufd_ioas, map_same_pages_twice)
{
	__u64 second = self->base_iova + 2 * BUFFER_SIZE;

	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, self->base_iova);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, second);
	check_mock_iova(buffer, self->base_iova, BUFFER_SIZE);
	check_mock_iova(buffer, second, BUFFER_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 2 * mapped_refs());

	test_ioctl_ioas_unmap(self->base_iova, BUFFER_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, mapped_refs());
	check_mock_iova(buffer, second, BUFFER_SIZE);
	test_ioctl_ioas_unmap(second, BUFFER_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
}

/* Sub-page offsets the mock's 2 KiB IO pages allow */
TEST_F(iommufd_ioas, map_io_page_offsets)
{
	char *half = (char *)buffer + MOCK_PAGE_SIZE;
	__u64 iova = 0;

	/* Page-aligned memory at an IOVA that is only IO-page aligned */
	iova = self->base_iova + MOCK_PAGE_SIZE;
	test_ioctl_ioas_map_fixed(buffer, 2 * PAGE_SIZE, iova);
	check_mock_iova(buffer, iova, 2 * PAGE_SIZE);
	test_cmd_check_refs(buffer, 2 * PAGE_SIZE, mapped_refs());
	test_ioctl_ioas_unmap(iova, 2 * PAGE_SIZE);

	/* Memory starting half way into a page, fixed and kernel IOVA */
	iova = self->base_iova + 4 * PAGE_SIZE + MOCK_PAGE_SIZE;
	test_ioctl_ioas_map_fixed(half, PAGE_SIZE, iova);
	check_mock_iova(half, iova, PAGE_SIZE);
	test_cmd_check_refs(buffer, 2 * PAGE_SIZE, mapped_refs());
	test_ioctl_ioas_unmap(iova, PAGE_SIZE);

	test_ioctl_ioas_map(half, 3 * MOCK_PAGE_SIZE, &iova);
	EXPECT_EQ(0, iova % MOCK_PAGE_SIZE);
	check_mock_iova(half, iova, 3 * MOCK_PAGE_SIZE);
	test_ioctl_ioas_unmap(iova, 3 * MOCK_PAGE_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
}

TEST_F(iommufd_ioas, area)
{
	__u64 unmapped;
	unsigned int i;

	/* Nothing to unmap */
	for (i = 0; i != 10; i++)
		test_err_ioctl_ioas_unmap(ENOENT, self->base_iova + i * PAGE_SIZE,
					  PAGE_SIZE);

	/* Separate areas unmap separately */
	for (i = 0; i != 10; i++)
		test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE,
					  self->base_iova + i * PAGE_SIZE);
	for (i = 0; i != 10; i++)
		check_mock_iova(buffer, self->base_iova + i * PAGE_SIZE,
				PAGE_SIZE);
	test_cmd_check_refs(buffer, PAGE_SIZE, 10 * mapped_refs());
	for (i = 0; i != 10; i++)
		test_ioctl_ioas_unmap(self->base_iova + i * PAGE_SIZE,
				      PAGE_SIZE);

	/* An area cannot be split */
	test_ioctl_ioas_map_fixed(buffer, 2 * PAGE_SIZE,
				  self->base_iova + 16 * PAGE_SIZE);
	test_err_ioctl_ioas_unmap(ENOENT, self->base_iova + 16 * PAGE_SIZE,
				  PAGE_SIZE);
	test_err_ioctl_ioas_unmap(ENOENT, self->base_iova + 17 * PAGE_SIZE,
				  PAGE_SIZE);
	test_err_ioctl_ioas_unmap(ENOENT, self->base_iova + 17 * PAGE_SIZE,
				  4 * PAGE_SIZE);
	check_mock_iova(buffer, self->base_iova + 16 * PAGE_SIZE,
			2 * PAGE_SIZE);

	/* Nor overlapped by a new one */
	test_err_ioctl_ioas_map_fixed(EEXIST, buffer, 2 * PAGE_SIZE,
				      self->base_iova + 16 * PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EEXIST, buffer, PAGE_SIZE,
				      self->base_iova + 16 * PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EEXIST, buffer, PAGE_SIZE,
				      self->base_iova + 17 * PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EEXIST, buffer, 2 * PAGE_SIZE,
				      self->base_iova + 15 * PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EEXIST, buffer, 4 * PAGE_SIZE,
				      self->base_iova + 15 * PAGE_SIZE);
	check_mock_iova(buffer, self->base_iova + 16 * PAGE_SIZE,
			2 * PAGE_SIZE);
	test_cmd_check_refs(buffer, 2 * PAGE_SIZE, mapped_refs());

	/* Unmap all takes it, and succeeds again on an empty IOAS */
	ASSERT_EQ(0, _test_ioctl_ioas_unmap(self->fd, self->ioas_id, 0,
					    UINT64_MAX, &unmapped));
	EXPECT_EQ(2 * PAGE_SIZE, unmapped);
	ASSERT_EQ(0, _test_ioctl_ioas_unmap(self->fd, self->ioas_id, 0,
					    UINT64_MAX, &unmapped));
	EXPECT_EQ(0, unmapped);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
}

TEST_F(iommufd_ioas, unmap_all)
{
	__u64 unmapped = 1;

	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, self->base_iova);
	test_ioctl_ioas_map_fixed(buffer, 2 * PAGE_SIZE,
				  self->base_iova + 4 * PAGE_SIZE);
	test_ioctl_ioas_map_fixed(buffer, 3 * PAGE_SIZE,
				  self->base_iova + 8 * PAGE_SIZE);
	check_mock_iova(buffer, self->base_iova, PAGE_SIZE);
	check_mock_iova(buffer, self->base_iova + 4 * PAGE_SIZE, 2 * PAGE_SIZE);
	check_mock_iova(buffer, self->base_iova + 8 * PAGE_SIZE, 3 * PAGE_SIZE);

	ASSERT_EQ(0, _test_ioctl_ioas_unmap(self->fd, self->ioas_id, 0,
					    UINT64_MAX, &unmapped));
	EXPECT_EQ(6 * PAGE_SIZE, unmapped);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	if (variant->mock_domains)
		test_err_check_map(EINVAL, self->hwpt_ids[0], self->base_iova,
				   PAGE_SIZE, buffer);

	/* Empty: still success, nothing unmapped */
	ASSERT_EQ(0, _test_ioctl_ioas_unmap(self->fd, self->ioas_id, 0,
					    UINT64_MAX, &unmapped));
	EXPECT_EQ(0, unmapped);

	/* The IOVA space is free again */
	test_ioctl_ioas_map_fixed(buffer, 3 * PAGE_SIZE, self->base_iova);
	check_mock_iova(buffer, self->base_iova, 3 * PAGE_SIZE);
}

TEST_F(iommufd_ioas, unmap_covering_areas)
{
	__u64 base = self->base_iova + 4 * PAGE_SIZE;
	__u64 unmapped;
	unsigned int i;

	for (i = 0; i != 4; i++)
		test_ioctl_ioas_map_fixed(buffer, 8 * PAGE_SIZE,
					  base + i * 16 * PAGE_SIZE);

	/* A range that cuts into the first or the last area */
	test_err_ioctl_ioas_unmap(ENOENT, base - 4 * PAGE_SIZE, 8 * PAGE_SIZE);
	test_err_ioctl_ioas_unmap(ENOENT, base + 3 * 16 * PAGE_SIZE +
						  4 * PAGE_SIZE,
				  8 * PAGE_SIZE);
	check_mock_iova(buffer, base, 8 * PAGE_SIZE);
	check_mock_iova(buffer, base + 3 * 16 * PAGE_SIZE, 8 * PAGE_SIZE);

	/* A range containing all four, holes included */
	ASSERT_EQ(0, _test_ioctl_ioas_unmap(self->fd, self->ioas_id,
					    base - 4 * PAGE_SIZE,
					    4 * 16 * PAGE_SIZE, &unmapped));
	EXPECT_EQ(32 * PAGE_SIZE, unmapped);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
}

TEST_F(iommufd_ioas, iova_ranges)
{
	struct iommu_iova_range ranges[4];
	__u64 alignment = 0;
	__u32 num;

	memset(ranges, 0, sizeof(ranges));
	num = 4;
	ASSERT_EQ(0, _test_ioctl_iova_ranges(self->fd, self->ioas_id, ranges,
					     &num, &alignment));
	ASSERT_EQ(1, num);
	if (variant->mock_domains) {
		EXPECT_EQ(MOCK_APERTURE_START, ranges[0].start);
		EXPECT_EQ(MOCK_APERTURE_LAST, ranges[0].last);
		EXPECT_EQ(MOCK_PAGE_SIZE, alignment);
	} else {
		EXPECT_EQ(0, ranges[0].start);
		EXPECT_EQ(UINT64_MAX, ranges[0].last);
		EXPECT_EQ(1, alignment);
	}
	EXPECT_EQ(0, ranges[1].start);
	EXPECT_EQ(0, ranges[1].last);

	/* Too small an array: EMSGSIZE, the count, nothing written */
	memset(ranges, 0, sizeof(ranges));
	num = 0;
	EXPECT_ERRNO(EMSGSIZE, _test_ioctl_iova_ranges(self->fd, self->ioas_id,
						       ranges, &num, NULL));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, ranges[0].start);
	EXPECT_EQ(0, ranges[0].last);

	/* A mapping does not change the usable ranges */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, self->base_iova);
	num = 4;
	ASSERT_EQ(0, _test_ioctl_iova_ranges(self->fd, self->ioas_id, ranges,
					     &num, NULL));
	EXPECT_EQ(1, num);
}

TEST_F(iommufd_ioas, iova_ranges_bad)
{
	struct iommu_iova_range range;
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = self->ioas_id,
		.num_iovas = 1,
		.allowed_iovas = (uintptr_t)&range,
		.__reserved = 1,
	};

	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	cmd.__reserved = 0;
	cmd.ioas_id = 0;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	if (variant->mock_domains) {
		cmd.ioas_id = self->hwpt_ids[0];
		EXPECT_ERRNO(ENOENT,
			     ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	}
	/* Unwritable array */
	cmd.ioas_id = self->ioas_id;
	cmd.allowed_iovas = 8;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
}

TEST_F(iommufd_ioas, map_bad_length_and_overflow)
{
	__u64 iova = self->base_iova;

	/* Zero length, fixed or not */
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, 0, iova);
	test_err_ioctl_ioas_map(EINVAL, buffer, 0, &iova);
	/* Lengths and IOVAs that do not fit an unsigned long */
	test_err_ioctl_ioas_map_fixed(EOVERFLOW, buffer, UINT64_MAX, iova);
	test_err_ioctl_ioas_map_fixed(EOVERFLOW, buffer, PAGE_SIZE,
				      UINT64_MAX);
	/* IOVA + length wraps */
	test_err_ioctl_ioas_map_fixed(EOVERFLOW, buffer, 2 * PAGE_SIZE,
				      UINT64_MAX - PAGE_SIZE + 1);
	/* User address + length wraps */
	test_err_ioctl_ioas_map_fixed(EOVERFLOW,
				      (void *)(uintptr_t)(UINT64_MAX -
							  PAGE_SIZE + 1),
				      2 * PAGE_SIZE, iova);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	/* Nothing was mapped by any of these */
	test_err_ioctl_ioas_unmap(ENOENT, 0, UINT64_MAX - 1);
}

TEST_F(iommufd_ioas, map_bad_flags_and_ids)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = self->ioas_id,
		.user_va = (uintptr_t)buffer,
		.length = PAGE_SIZE,
		.iova = self->base_iova,
	};

	cmd.flags |= 1 << 3;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.flags = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA | (1U << 31);
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.flags = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.__reserved = 0;

	/* No such object */
	cmd.ioas_id = 0;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	cmd.ioas_id = self->ioas_id + 1000;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));

	/* Objects of another type */
	if (variant->mock_domains) {
		cmd.ioas_id = self->hwpt_ids[0];
		EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
		cmd.ioas_id = self->idev_ids[0];
		EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
		cmd.ioas_id = self->stdev_ids[0];
		EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	}

	/* The good command works after all that */
	cmd.ioas_id = self->ioas_id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
	check_mock_iova(buffer, self->base_iova, PAGE_SIZE);
}

TEST_F(iommufd_ioas, map_unaligned)
{
	__u64 iova = self->base_iova;
	__u64 kiova = 0;

	if (!variant->mock_domains) {
		/* Without a domain the IOAS has no alignment constraint */
		test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, iova + 1);
		test_ioctl_ioas_unmap(iova + 1, PAGE_SIZE);
		test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE + 1, iova);
		test_ioctl_ioas_unmap(iova, PAGE_SIZE + 1);
		test_ioctl_ioas_map_fixed((char *)buffer + 1, PAGE_SIZE, iova);
		test_ioctl_ioas_unmap(iova, PAGE_SIZE);
		test_ioctl_ioas_map((char *)buffer + 1, PAGE_SIZE, &kiova);
		test_ioctl_ioas_unmap(kiova, PAGE_SIZE);
		return;
	}

	/* IOVA not a multiple of the IO page size */
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, PAGE_SIZE, iova + 1);
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, PAGE_SIZE,
				      iova + MOCK_PAGE_SIZE / 2);
	/* Length not a multiple */
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, PAGE_SIZE + 1, iova);
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, MOCK_PAGE_SIZE / 2,
				      iova);
	test_err_ioctl_ioas_map(EINVAL, buffer, PAGE_SIZE + 1, &kiova);
	/* User address not a multiple */
	test_err_ioctl_ioas_map_fixed(EINVAL, (char *)buffer + 1, PAGE_SIZE,
				      iova);
	test_err_ioctl_ioas_map_fixed(EINVAL,
				      (char *)buffer + MOCK_PAGE_SIZE / 2,
				      PAGE_SIZE, iova);
	test_err_ioctl_ioas_map(EINVAL, (char *)buffer + 1, PAGE_SIZE, &kiova);

	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	test_err_ioctl_ioas_unmap(ENOENT, 0, UINT64_MAX - 1);
}

TEST_F(iommufd_ioas, map_outside_aperture)
{
	if (!variant->mock_domains) {
		/* Any IOVA is usable without a domain */
		test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, PAGE_SIZE);
		test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE,
					  (__u64)MOCK_APERTURE_LAST + 1);
		return;
	}
	/* Below, above and across the end of the mock aperture */
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, PAGE_SIZE,
				      MOCK_APERTURE_START - PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, PAGE_SIZE,
				      (__u64)MOCK_APERTURE_LAST + 1);
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, 2 * PAGE_SIZE,
				      (__u64)MOCK_APERTURE_LAST + 1 -
					      PAGE_SIZE);
	/* The last page of the aperture is fine */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE,
				  (__u64)MOCK_APERTURE_LAST + 1 - PAGE_SIZE);
	check_mock_iova(buffer, (__u64)MOCK_APERTURE_LAST + 1 - PAGE_SIZE,
			PAGE_SIZE);
}

TEST_F(iommufd_ioas, map_unmapped_memory)
{
	size_t len = 4 * PAGE_SIZE;
	__u64 iova = self->base_iova;
	char *mem;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	/* Second half gone */
	ASSERT_EQ(0, munmap(mem + len / 2, len / 2));

	if (!variant->mock_domains) {
		/* Nothing is pinned until a domain or access needs it */
		test_ioctl_ioas_map_fixed(mem, len, iova);
		test_ioctl_ioas_unmap(iova, len);
	} else {
		/* Pinning fails half way through, and is undone */
		test_err_ioctl_ioas_map_fixed(EFAULT, mem, len, iova);
		test_err_ioctl_ioas_map(EFAULT, mem, len, &iova);
		test_cmd_check_refs(mem, len / 2, 0);
		test_err_check_map(EINVAL, self->hwpt_ids[0],
				   self->base_iova, MOCK_PAGE_SIZE, mem);
		/* First page gone as well */
		ASSERT_EQ(0, munmap(mem, len / 2));
		test_err_ioctl_ioas_map_fixed(EFAULT, mem, len, iova);
	}
	test_err_ioctl_ioas_unmap(ENOENT, 0, UINT64_MAX - 1);
}

TEST_F(iommufd_ioas, unmap_bad)
{
	__u64 iova = self->base_iova;
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = self->ioas_id,
		.iova = iova,
		.length = PAGE_SIZE,
	};

	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, iova);

	test_err_ioctl_ioas_unmap(EINVAL, iova, 0);
	test_err_ioctl_ioas_unmap(EOVERFLOW, UINT64_MAX, 1);
	test_err_ioctl_ioas_unmap(EOVERFLOW, iova, UINT64_MAX);
	test_err_ioctl_ioas_unmap(EOVERFLOW, UINT64_MAX - PAGE_SIZE + 1,
				  2 * PAGE_SIZE);

	cmd.ioas_id = 0;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_UNMAP, &cmd));
	if (variant->mock_domains) {
		cmd.ioas_id = self->hwpt_ids[0];
		EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_UNMAP, &cmd));
		cmd.ioas_id = self->stdev_ids[0];
		EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_IOAS_UNMAP, &cmd));
	}

	/* The mapping survived every failed attempt */
	check_mock_iova(buffer, iova, PAGE_SIZE);
	test_cmd_check_refs(buffer, PAGE_SIZE, mapped_refs());
	test_ioctl_ioas_unmap(iova, PAGE_SIZE);
}

TEST_F(iommufd_ioas, iova_alloc_sweep)
{
	unsigned int length;
	__u64 iova = 0;

	for (length = 1; length != 2 * PAGE_SIZE; length++) {
		if (variant->mock_domains && length % MOCK_PAGE_SIZE) {
			test_err_ioctl_ioas_map(EINVAL, buffer, length, &iova);
		} else {
			test_ioctl_ioas_map(buffer, length, &iova);
			if (length % MOCK_PAGE_SIZE == 0)
				check_mock_iova(buffer, iova, length);
			test_ioctl_ioas_unmap(iova, length);
		}
	}
}

TEST_F(iommufd_ioas, domain_add_remove_with_mappings)
{
	__u32 stdev_id, hwpt_id;

	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, self->base_iova);
	test_cmd_check_refs(buffer, BUFFER_SIZE, mapped_refs());

	/* A device attached later sees the existing mappings */
	test_cmd_mock_domain(self->ioas_id, &stdev_id, &hwpt_id, NULL);
	test_cmd_check_map(hwpt_id, self->base_iova, BUFFER_SIZE, buffer);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 1);

	/* Mappings made afterwards reach every domain */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE,
				  self->base_iova + 2 * BUFFER_SIZE);
	test_cmd_check_map(hwpt_id, self->base_iova + 2 * BUFFER_SIZE,
			   PAGE_SIZE, buffer);
	check_mock_iova(buffer, self->base_iova + 2 * BUFFER_SIZE, PAGE_SIZE);

	test_ioctl_destroy(stdev_id);
	test_cmd_check_refs((char *)buffer + PAGE_SIZE,
			    BUFFER_SIZE - PAGE_SIZE, mapped_refs());
	check_mock_iova(buffer, self->base_iova, BUFFER_SIZE);
}

TEST_F(iommufd_ioas, get_hw_info)
{
	struct {
		struct iommu_test_hw_info info;
		uint8_t trailing[24];
	} out;
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.data_len = sizeof(out),
		.data_uptr = (uintptr_t)&out,
	};
	unsigned int i;

	if (!variant->mock_domains) {
		cmd.dev_id = self->ioas_id;
		EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
		return;
	}

	/* Larger buffer: the payload, then zeroes */
	memset(&out, 0xff, sizeof(out));
	cmd.dev_id = self->idev_ids[0];
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, cmd.out_data_type);
	EXPECT_EQ(0, out.info.flags);
	EXPECT_EQ(IOMMU_HW_INFO_SELFTEST_REGVAL, out.info.test_reg);
	for (i = 0; i != sizeof(out.trailing); i++)
		EXPECT_EQ(0, out.trailing[i]);

	/* Smaller buffer: what fits */
	memset(&out, 0xff, sizeof(out));
	cmd.data_len = sizeof(__u32);
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_SELFTEST, cmd.out_data_type);
	EXPECT_EQ(0, out.info.flags);
	EXPECT_EQ(0xffffffff, out.info.test_reg);

	/* Not a device */
	cmd.dev_id = self->hwpt_ids[0];
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
}

TEST_F(iommufd_ioas, mock_domain_replace)
{
	__u32 ioas2, hwpt2, hwpt_back;

	if (!variant->mock_domains)
		SKIP(return, "needs a mock device");

	test_ioctl_ioas_alloc(&ioas2);
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, self->base_iova);

	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0], ioas2,
						   &hwpt2));
	ASSERT_NE(0, hwpt2);
	test_err_ioctl_destroy(EBUSY, ioas2);
	/* ioas2 is what the device sees now */
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, ioas2,
					  (char *)buffer + PAGE_SIZE,
					  PAGE_SIZE, &(__u64){ self->base_iova },
					  MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	test_cmd_check_map(hwpt2, self->base_iova, PAGE_SIZE,
			   (char *)buffer + PAGE_SIZE);

	/* A device id is not an attach target */
	EXPECT_ERRNO(EINVAL, _test_cmd_mock_domain_replace(self->fd,
							   self->stdev_ids[0],
							   self->idev_ids[0],
							   NULL));
	/* Only selftest devices can be replaced */
	EXPECT_ERRNO(ENOENT, _test_cmd_mock_domain_replace(self->fd,
							   self->ioas_id,
							   ioas2, NULL));

	/* With one device the automatic HWPT went away with the move */
	if (variant->mock_domains == 1)
		EXPECT_ERRNO(ENOENT,
			     _test_cmd_mock_domain_replace(self->fd,
							   self->stdev_ids[0],
							   self->hwpt_ids[0],
							   NULL));

	/* And back: ioas2 is free again */
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0],
						   self->ioas_id, &hwpt_back));
	test_cmd_check_map(hwpt_back, self->base_iova, PAGE_SIZE, buffer);
	test_ioctl_destroy(ioas2);
}

TEST_F(iommufd_ioas, add_reserved)
{
	__u64 rstart = self->base_iova + 4 * PAGE_SIZE;
	__u64 rlen = 8 * PAGE_SIZE;
	struct iommu_iova_range ranges[4];
	__u64 iovas[10];
	unsigned int i;
	__u32 num;

	/* Only an IOAS takes reserved ranges */
	EXPECT_ERRNO(ENOENT, _test_cmd_add_reserved(self->fd, 0, rstart,
						    rlen));
	if (variant->mock_domains)
		EXPECT_ERRNO(ENOENT,
			     _test_cmd_add_reserved(self->fd,
						    self->hwpt_ids[0], rstart,
						    rlen));
	test_cmd_add_reserved(rstart, rlen);

	/* Nothing maps into it, fixed or chosen by the kernel */
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, 4 * PAGE_SIZE,
				      rstart - 2 * PAGE_SIZE);
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, PAGE_SIZE,
				      rstart + rlen - PAGE_SIZE);
	test_ioctl_ioas_map_fixed(buffer, 4 * PAGE_SIZE, self->base_iova);
	check_mock_iova(buffer, self->base_iova, 4 * PAGE_SIZE);
	for (i = 0; i != 10; i++) {
		__u64 length = PAGE_SIZE * (i + 1);

		test_ioctl_ioas_map(buffer, length, &iovas[i]);
		EXPECT_EQ(false, iovas[i] + length > rstart &&
					 iovas[i] < rstart + rlen);
		check_mock_iova(buffer, iovas[i], length);
	}

	/* A range over a mapping cannot be reserved */
	test_err_add_reserved(EADDRINUSE, self->base_iova + PAGE_SIZE,
			      PAGE_SIZE);

	/* The usable IOVA ranges now have a hole */
	memset(ranges, 0, sizeof(ranges));
	num = 4;
	ASSERT_EQ(0, _test_ioctl_iova_ranges(self->fd, self->ioas_id, ranges,
					     &num, NULL));
	ASSERT_EQ(2, num);
	if (variant->mock_domains) {
		EXPECT_EQ(MOCK_APERTURE_START, ranges[0].start);
		EXPECT_EQ(MOCK_APERTURE_LAST, ranges[1].last);
	} else {
		EXPECT_EQ(0, ranges[0].start);
		EXPECT_EQ(UINT64_MAX, ranges[1].last);
	}
	EXPECT_EQ(rstart - 1, ranges[0].last);
	EXPECT_EQ(rstart + rlen, ranges[1].start);

	/* One slot for two ranges: the first is written, the count is 2 */
	memset(ranges, 0, sizeof(ranges));
	num = 1;
	EXPECT_ERRNO(EMSGSIZE, _test_ioctl_iova_ranges(self->fd, self->ioas_id,
						       ranges, &num, NULL));
	EXPECT_EQ(2, num);
	EXPECT_EQ(rstart - 1, ranges[0].last);
	EXPECT_EQ(0, ranges[1].start);
	EXPECT_EQ(0, ranges[1].last);
}

TEST_F(iommufd_ioas, reserved_and_allowed)
{
	struct iommu_iova_range allowed = {
		.start = self->base_iova,
		.last = self->base_iova + 64 * PAGE_SIZE - 1,
	};
	__u64 iova = 0;

	/* A reserved range may not cut into an allowed one */
	ASSERT_EQ(0, _test_ioctl_allow_iovas(self->fd, self->ioas_id,
					     &allowed, 1));
	test_err_add_reserved(EADDRINUSE, self->base_iova + PAGE_SIZE,
			      PAGE_SIZE);

	/* Kernel-chosen IOVAs come from the allowed range */
	test_ioctl_ioas_map(buffer, 2 * PAGE_SIZE, &iova);
	EXPECT_LE(allowed.start, iova);
	EXPECT_LE(iova + 2 * PAGE_SIZE - 1, allowed.last);
	check_mock_iova(buffer, iova, 2 * PAGE_SIZE);

	/* Nor an allowed range into a reserved one */
	ASSERT_EQ(0, _test_ioctl_allow_iovas(self->fd, self->ioas_id, NULL,
					     0));
	test_cmd_add_reserved(self->base_iova + 100 * PAGE_SIZE, PAGE_SIZE);
	allowed.last = self->base_iova + 128 * PAGE_SIZE - 1;
	EXPECT_ERRNO(EADDRINUSE, _test_ioctl_allow_iovas(self->fd,
							 self->ioas_id,
							 &allowed, 1));
}

/* Every IO-page-aligned start and end inside 8 pages, kernel IOVA */
TEST_F(iommufd_ioas, all_aligns)
{
	size_t buf_size = 8 * PAGE_SIZE;
	char *buf = buffer;
	size_t start, end;

	for (start = 0; start < buf_size; start += MOCK_PAGE_SIZE) {
		for (end = start + MOCK_PAGE_SIZE; end <= buf_size;
		     end += MOCK_PAGE_SIZE) {
			size_t first = start / PAGE_SIZE * PAGE_SIZE;
			size_t last = (end + PAGE_SIZE - 1) / PAGE_SIZE *
				      PAGE_SIZE;
			size_t length = end - start;
			__u64 iova = 0;

			test_ioctl_ioas_map(buf + start, length, &iova);
			check_mock_iova(buf + start, iova, length);
			test_cmd_check_refs(buf + first, last - first,
					    mapped_refs());
			test_ioctl_ioas_unmap(iova, length);
		}
	}
	test_cmd_check_refs(buf, buf_size, 0);
}

/* Transparent huge pages, whole and at odd offsets */
TEST_F(iommufd_ioas, map_thp)
{
	size_t huge = 2UL << 20;
	size_t len = 2 * huge;
	char *raw, *mem;
	__u64 iova = 0;

	raw = mmap(NULL, len + huge, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, raw);
	mem = (char *)(((uintptr_t)raw + huge - 1) & ~(huge - 1));
	madvise(mem, len, MADV_HUGEPAGE);
	memset(mem, 0x33, len);

	test_ioctl_ioas_map_fixed(mem, len, self->base_iova);
	check_mock_iova(mem, self->base_iova, len);
	test_cmd_check_refs(mem, len, mapped_refs());
	test_ioctl_ioas_unmap(self->base_iova, len);

	test_ioctl_ioas_map(mem + 3 * PAGE_SIZE + MOCK_PAGE_SIZE,
			    huge + 5 * PAGE_SIZE, &iova);
	check_mock_iova(mem + 3 * PAGE_SIZE + MOCK_PAGE_SIZE, iova,
			huge + 5 * PAGE_SIZE);
	test_ioctl_ioas_unmap(iova, huge + 5 * PAGE_SIZE);
	test_cmd_check_refs(mem, len, 0);
	ASSERT_EQ(0, munmap(raw, len + huge));
}

static int _test_ioctl_ioas_copy(int fd, __u32 dst_ioas, __u64 dst_iova,
				 __u32 src_ioas, __u64 src_iova, __u64 length)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
		.dst_ioas_id = dst_ioas,
		.src_ioas_id = src_ioas,
		.length = length,
		.dst_iova = dst_iova,
		.src_iova = src_iova,
	};

	return ioctl(fd, IOMMU_IOAS_COPY, &cmd);
}

/*
 * Read-only mapping of a private writable file page: the process's next
 * write must not leave the device on the old page (Linux 6.2 GUP breaks
 * COW for such pins, 6.1 does not: the core does it).
 */
TEST_F(iommufd_ioas, ro_unshare)
{
	__u64 iova = 0;
	uint8_t *buf;
	int fd;

	fd = open("/proc/self/exe", O_RDONLY);
	ASSERT_NE(-1, fd);
	buf = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		   0);
	ASSERT_NE(MAP_FAILED, buf);
	close(fd);
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, self->ioas_id, buf,
					  PAGE_SIZE, &iova,
					  IOMMU_IOAS_MAP_READABLE));
	check_mock_iova(buf, iova, PAGE_SIZE);
	memset(buf, 1, PAGE_SIZE);
	check_mock_iova(buf, iova, PAGE_SIZE);
	/* Still read-only for devices and for copies */
	EXPECT_ERRNO(EPERM, _test_ioctl_ioas_copy(self->fd, self->ioas_id,
						  iova + BUFFER_SIZE,
						  self->ioas_id, iova,
						  PAGE_SIZE));
	test_ioctl_ioas_unmap(iova, PAGE_SIZE);
	ASSERT_EQ(0, munmap(buf, PAGE_SIZE));
}

/* IOAS_COPY shares the pinned pages instead of pinning again */
TEST_F(iommufd_ioas, copy_shares_pins)
{
	__u64 dst = self->base_iova + 2 * BUFFER_SIZE;
	__u32 ioas2, stdev2, hwpt2;

	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, self->base_iova);
	test_ioctl_ioas_alloc(&ioas2);
	test_cmd_mock_domain(ioas2, &stdev2, &hwpt2, NULL);

	ASSERT_EQ(0, _test_ioctl_ioas_copy(self->fd, ioas2, dst, self->ioas_id,
					   self->base_iova, BUFFER_SIZE));
	test_cmd_check_map(hwpt2, dst, BUFFER_SIZE, buffer);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 1);

	/* The copy outlives the source mapping */
	test_ioctl_ioas_unmap(self->base_iova, BUFFER_SIZE);
	test_cmd_check_map(hwpt2, dst, BUFFER_SIZE, buffer);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 1);
	EXPECT_ERRNO(ENOENT, _test_ioctl_ioas_copy(self->fd, ioas2, dst,
						   self->ioas_id,
						   self->base_iova, PAGE_SIZE));

	/* A slice of a mapping, within one IOAS */
	ASSERT_EQ(0, _test_ioctl_ioas_copy(self->fd, ioas2, dst + BUFFER_SIZE,
					   ioas2, dst + PAGE_SIZE,
					   2 * PAGE_SIZE));
	test_cmd_check_map(hwpt2, dst + BUFFER_SIZE, 2 * PAGE_SIZE,
			   (char *)buffer + PAGE_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 1);

	/* Without a domain left, nothing stays pinned */
	test_ioctl_destroy(stdev2);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	test_ioctl_destroy(ioas2);
}

static int _test_ioctl_hwpt_alloc(int fd, __u32 flags, __u32 dev_id,
				  __u32 pt_id, __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
	};
	int ret;

	ret = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	if (!ret)
		*hwpt_id = cmd.out_hwpt_id;
	return ret;
}

TEST_F(iommufd_ioas, hwpt_alloc)
{
	struct iommu_hwpt_alloc bad = {
		.size = sizeof(bad),
		.pt_id = self->ioas_id,
		.__reserved = 1,
	};
	__u32 hwpt, auto_hwpt, stdev, replaced;

	if (!variant->mock_domains)
		SKIP(return, "needs a mock device");

	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, self->base_iova);

	/* Flags and fields of the newest layout: iommufd_hwpt.c */
	EXPECT_ERRNO(EOPNOTSUPP, _test_ioctl_hwpt_alloc(self->fd, 1U << 31,
							self->idev_ids[0],
							self->ioas_id, &hwpt));
	bad.dev_id = self->idev_ids[0];
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_HWPT_ALLOC, &bad));
	EXPECT_ERRNO(ENOENT, _test_ioctl_hwpt_alloc(self->fd, 0, self->ioas_id,
						    self->ioas_id, &hwpt));
	/* A paging HWPT as pt_id: a nested HWPT, none without data */
	EXPECT_ERRNO(EOPNOTSUPP, _test_ioctl_hwpt_alloc(self->fd, 0,
							self->idev_ids[0],
							self->hwpt_ids[0],
							&hwpt));

	/* A new HWPT mirrors what the IOAS already maps */
	ASSERT_EQ(0, _test_ioctl_hwpt_alloc(self->fd, 0, self->idev_ids[0],
					    self->ioas_id, &hwpt));
	test_cmd_check_map(hwpt, self->base_iova, BUFFER_SIZE, buffer);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 1);

	/* It is never chosen automatically */
	test_cmd_mock_domain(self->ioas_id, &stdev, &auto_hwpt, NULL);
	EXPECT_NE(hwpt, auto_hwpt);
	test_ioctl_destroy(stdev);

	/* Devices join it by id; in use it cannot be destroyed */
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0], hwpt,
						   &replaced));
	EXPECT_EQ(hwpt, replaced);
	test_err_ioctl_destroy(EBUSY, hwpt);
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0],
						   self->ioas_id, &replaced));
	check_mock_iova(buffer, self->base_iova, BUFFER_SIZE);
	test_ioctl_destroy(hwpt);
	/* (Before any new object can reuse the id) */
	test_err_check_map(ENOENT, hwpt, self->base_iova, PAGE_SIZE, buffer);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 1);
}

/* A domain cannot join an IOAS whose mappings it could not hold */
TEST_F(iommufd_ioas, attach_conflicts)
{
	struct iommu_iova_range range;
	__u64 alignment = 0;
	__u32 num = 1;

	if (variant->mock_domains)
		SKIP(return, "needs an IOAS without domains");

	/* A mapping outside the mock aperture */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, PAGE_SIZE);
	test_err_mock_domain(EADDRINUSE, self->ioas_id, NULL, NULL, NULL);
	test_ioctl_ioas_unmap(PAGE_SIZE, PAGE_SIZE);

	/* Mappings the 2 KiB IO page size cannot express */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, self->base_iova + 1);
	test_err_mock_domain(EADDRINUSE, self->ioas_id, NULL, NULL, NULL);
	test_ioctl_ioas_unmap(self->base_iova + 1, PAGE_SIZE);
	test_ioctl_ioas_map_fixed((char *)buffer + 1, PAGE_SIZE,
				  self->base_iova);
	test_err_mock_domain(EADDRINUSE, self->ioas_id, NULL, NULL, NULL);
	test_ioctl_ioas_unmap(self->base_iova, PAGE_SIZE);
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE + 1, self->base_iova);
	test_err_mock_domain(EADDRINUSE, self->ioas_id, NULL, NULL, NULL);

	/* Failed attaches left the IOAS as it was, nothing pinned */
	ASSERT_EQ(0, _test_ioctl_iova_ranges(self->fd, self->ioas_id, &range,
					     &num, &alignment));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, range.start);
	EXPECT_EQ(1, alignment);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	test_ioctl_ioas_unmap(self->base_iova, PAGE_SIZE + 1);

	/* Allowed IOVA the aperture would take away */
	range.start = PAGE_SIZE;
	range.last = MOCK_APERTURE_START + PAGE_SIZE - 1;
	ASSERT_EQ(0, _test_ioctl_allow_iovas(self->fd, self->ioas_id, &range,
					     1));
	test_err_mock_domain(EADDRINUSE, self->ioas_id, NULL, NULL, NULL);
	ASSERT_EQ(0, _test_ioctl_allow_iovas(self->fd, self->ioas_id, NULL,
					     0));

	/* And an aligned mapping inside the aperture is fine */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, self->base_iova);
	test_cmd_mock_domain(self->ioas_id, &self->stdev_ids[0],
			     &self->hwpt_ids[0], NULL);
	test_cmd_check_map(self->hwpt_ids[0], self->base_iova, PAGE_SIZE,
			   buffer);
}

/*
 * The mock module cannot be unloaded while a mock device or domain exists
 * (the core pins it). If this ever succeeds, the tests after it fail too.
 */
TEST_F(iommufd_ioas, mock_module_pinned)
{
	if (!variant->mock_domains)
		SKIP(return, "needs a mock device");

	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, self->base_iova);
	EXPECT_ERRNO(EWOULDBLOCK, syscall(SYS_delete_module, "xiommu_mock",
					  O_NONBLOCK));
	check_mock_iova(buffer, self->base_iova, PAGE_SIZE);
}

TEST_HARNESS_MAIN
