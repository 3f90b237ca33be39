// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO type1 container ioctls on /dev/iommu, on the mock IOMMU.
 *
 * The container ioctls work on the compatibility IOAS chosen with
 * IOMMU_VFIO_IOAS. Fixture vfio_compat sets one up with a mock device
 * attached (what VFIO would call a container with a group) and selects
 * TYPE1v2 or TYPE1 with VFIO_SET_IOMMU. Expected errno values are those of
 * upstream iommufd's emulation (v6.6); where they differ from the real
 * vfio_iommu_type1 (Documentation/iommufd.md lists each difference) a
 * comment says so.
 */
#include <assert.h>
#include <stdlib.h>
#include <linux/vfio.h>

#include "iommufd_utils.h"

#define HUGE_SIZE (2UL << 20)

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(16);
}

static int vfio_map(int fd, __u64 iova, void *va, __u64 size, __u32 flags)
{
	struct vfio_iommu_type1_dma_map cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	return ioctl(fd, VFIO_IOMMU_MAP_DMA, &cmd);
}

#define VFIO_RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* Returns the ioctl result; *unmapped gets the size the kernel wrote. */
static int vfio_unmap(int fd, __u64 iova, __u64 size, __u32 flags,
		      __u64 *unmapped)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	int ret;

	ret = ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &cmd);
	if (unmapped)
		*unmapped = cmd.size;
	return ret;
}

/* ---- no compatibility IOAS ---- */

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

TEST_F(iommufd, simple_ioctls)
{
	ASSERT_EQ(VFIO_API_VERSION, ioctl(self->fd, VFIO_GET_API_VERSION));
	EXPECT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	EXPECT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION,
			   VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL));
	/* Not provided: no-IOMMU mode, nesting, vaddr update */
	EXPECT_EQ(0, ioctl(self->fd, VFIO_CHECK_EXTENSION,
			   VFIO_NOIOMMU_IOMMU));
	EXPECT_EQ(0, ioctl(self->fd, VFIO_CHECK_EXTENSION,
			   VFIO_TYPE1_NESTING_IOMMU));
	EXPECT_EQ(0, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR));
	EXPECT_EQ(0, ioctl(self->fd, VFIO_CHECK_EXTENSION, 12345));
	/* Cache coherency is a property of the compatibility IOAS */
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, VFIO_CHECK_EXTENSION,
				   VFIO_DMA_CC_IOMMU));
	/* Other VFIO ioctls are not container ioctls of iommufd */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, VFIO_IOMMU_DIRTY_PAGES, buffer));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, VFIO_GROUP_GET_STATUS, buffer));
}

TEST_F(iommufd, unmap_cmd)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.iova = MOCK_APERTURE_START,
		.size = PAGE_SIZE,
	};

	cmd.argsz = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &cmd));
	cmd.argsz = sizeof(cmd);
	cmd.flags = 1U << 31;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &cmd));
	/* The dirty bitmap flag of type1 is not supported */
	cmd.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &cmd));
	cmd.flags = 0;
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, &cmd));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VFIO_IOMMU_UNMAP_DMA, NULL));
}

TEST_F(iommufd, map_cmd)
{
	struct vfio_iommu_type1_dma_map cmd = {
		.iova = MOCK_APERTURE_START,
		.size = PAGE_SIZE,
		.vaddr = (uintptr_t)buffer,
	};

	cmd.argsz = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &cmd));
	cmd.argsz = sizeof(cmd);
	cmd.flags = 1U << 31;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &cmd));
	/* No vaddr update (VFIO_UPDATE_VADDR is not offered) */
	cmd.flags = VFIO_DMA_MAP_FLAG_VADDR;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &cmd));
	cmd.flags = VFIO_RW;
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, VFIO_IOMMU_MAP_DMA, &cmd));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VFIO_IOMMU_MAP_DMA, NULL));
}

TEST_F(iommufd, info_cmd)
{
	struct vfio_iommu_type1_info cmd = {};

	cmd.argsz = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_IOMMU_GET_INFO, &cmd));
	cmd.argsz = sizeof(cmd);
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, VFIO_IOMMU_GET_INFO, &cmd));
}

TEST_F(iommufd, set_iommu_cmd)
{
	/* Needs a compatibility IOAS, as VFIO needs a group */
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, VFIO_SET_IOMMU,
				   VFIO_TYPE1v2_IOMMU));
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU));
	/* Other IOMMU types never */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_SET_IOMMU, 0));
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_SET_IOMMU,
				   VFIO_NOIOMMU_IOMMU));
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_SET_IOMMU,
				   VFIO_TYPE1_NESTING_IOMMU));
}

TEST_F(iommufd, vfio_ioas)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_GET,
	};
	__u32 ioas_id;

	EXPECT_ERRNO(ENODEV, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_SET;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = 3;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.__reserved = 0;

	test_ioctl_ioas_alloc(&ioas_id);
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = ioas_id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	cmd.ioas_id = 0;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	EXPECT_EQ(ioas_id, cmd.ioas_id);
	/* Now the container ioctls reach it */
	EXPECT_EQ(1, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, buffer,
			      PAGE_SIZE, VFIO_RW));
	/* ... which is an ordinary IOAS */
	ASSERT_EQ(0, _test_ioctl_ioas_unmap(self->fd, ioas_id,
					    MOCK_APERTURE_START, PAGE_SIZE,
					    NULL));

	/* Destroying the IOAS clears it */
	test_ioctl_destroy(ioas_id);
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, VFIO_SET_IOMMU,
				   VFIO_TYPE1v2_IOMMU));

	/* And so does CLEAR */
	test_ioctl_ioas_alloc(&ioas_id);
	cmd.op = IOMMU_VFIO_IOAS_SET;
	cmd.ioas_id = ioas_id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_CLEAR;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.op = IOMMU_VFIO_IOAS_GET;
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
}

/* ---- with a compatibility IOAS and a mock device ---- */

FIXTURE(vfio_compat)
{
	int fd;
	__u32 ioas_id;
	__u32 hwpt_id;
};

FIXTURE_VARIANT(vfio_compat)
{
	unsigned long version;
};

FIXTURE_VARIANT_ADD(vfio_compat, Ver1v2)
{
	.version = VFIO_TYPE1v2_IOMMU,
};

FIXTURE_VARIANT_ADD(vfio_compat, Ver1v0)
{
	.version = VFIO_TYPE1_IOMMU,
};

FIXTURE_SETUP(vfio_compat)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_SET,
	};

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	test_cmd_mock_domain(self->ioas_id, NULL, &self->hwpt_id, NULL);
	cmd.ioas_id = self->ioas_id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, variant->version));
}

FIXTURE_TEARDOWN(vfio_compat)
{
	teardown_iommufd(self->fd, _metadata);
}

TEST_F(vfio_compat, option_huge_pages)
{
	__u64 val = 3;

	ASSERT_EQ(0, _test_ioctl_option(self->fd, IOMMU_OPTION_HUGE_PAGES,
					IOMMU_OPTION_OP_GET, self->ioas_id,
					&val));
	EXPECT_EQ(variant->version == VFIO_TYPE1_IOMMU ? 0 : 1, val);
}

TEST_F(vfio_compat, set_iommu_with_mappings)
{
	/* Type1 (v1) cannot be chosen once a domain holds mappings */
	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, buffer,
			      PAGE_SIZE, VFIO_RW));
	if (variant->version == VFIO_TYPE1v2_IOMMU)
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, VFIO_SET_IOMMU,
					   VFIO_TYPE1_IOMMU));
	else
		ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU,
				   VFIO_TYPE1_IOMMU));
	/* Back to v2 is always possible */
	ASSERT_EQ(0, ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	/* The mock's IOPTEs do not force snooping */
	EXPECT_EQ(0, ioctl(self->fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU));
}

static bool is_filled(const void *buf, uint8_t c, size_t len)
{
	const uint8_t *p = buf;

	for (; len; p++, len--)
		if (*p != c)
			return false;
	return true;
}

/* GET_INFO with @argsz, in a buffer whose tail must stay untouched */
#define get_info(_argsz)                                                   \
	({                                                                 \
		struct vfio_iommu_type1_info *__info = buffer;             \
		size_t __sz = (_argsz);                                    \
		memset(buffer, 0xAA, BUFFER_SIZE);                         \
		memset(__info, 0, __sz < sizeof(*__info) ? __sz :          \
						  sizeof(*__info));        \
		__info->argsz = __sz;                                      \
		ASSERT_EQ(0, ioctl(self->fd, VFIO_IOMMU_GET_INFO, __info)); \
		ASSERT_EQ(true, is_filled((char *)buffer + __sz, 0xAA,     \
					  BUFFER_SIZE - __sz));            \
		__info;                                                    \
	})

static void check_caps(struct __test_metadata *_metadata,
		       struct vfio_iommu_type1_info *info)
{
	const struct vfio_info_cap_header *cap;
	unsigned int seen = 0;

	ASSERT_GE(info->argsz, info->cap_offset + sizeof(*cap));
	cap = (void *)((char *)buffer + info->cap_offset);
	for (;;) {
		switch (cap->id) {
		case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: {
			const struct vfio_iommu_type1_info_cap_iova_range *r =
				(const void *)cap;

			EXPECT_EQ(1, r->header.version);
			ASSERT_EQ(1, r->nr_iovas);
			EXPECT_EQ(MOCK_APERTURE_START, r->iova_ranges[0].start);
			EXPECT_EQ(MOCK_APERTURE_LAST, r->iova_ranges[0].end);
			seen |= 1;
			break;
		}
		case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: {
			const struct vfio_iommu_type1_info_dma_avail *d =
				(const void *)cap;

			EXPECT_EQ(1, d->header.version);
			EXPECT_EQ(UINT32_MAX, d->avail);
			seen |= 2;
			break;
		}
		default:
			ASSERT_EQ(0, cap->id);
		}
		if (!cap->next)
			break;
		ASSERT_GE(info->argsz, cap->next + sizeof(*cap));
		ASSERT_LT((char *)cap, (char *)buffer + cap->next);
		cap = (void *)((char *)buffer + cap->next);
	}
	EXPECT_NE(0, seen);
}

TEST_F(vfio_compat, get_info)
{
	struct vfio_iommu_type1_info *info;
	size_t full, sz;

	/* The layout before capabilities existed */
	info = get_info(offsetof(struct vfio_iommu_type1_info, cap_offset));
	EXPECT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, info->flags);
	/* 2 KiB mock IOPTEs are reported as one CPU page */
	EXPECT_EQ(PAGE_SIZE, info->iova_pgsizes);

	/* The struct alone: the size with every cap comes back */
	info = get_info(sizeof(*info));
	EXPECT_EQ(0, info->cap_offset);
	ASSERT_LT(sizeof(*info), info->argsz);
	full = info->argsz;

	/* Every size in between: only whole caps, a consistent chain */
	for (sz = sizeof(*info); sz <= full; sz++) {
		info = get_info(sz);
		EXPECT_EQ(full, info->argsz);
		if (info->cap_offset)
			check_caps(_metadata, info);
	}
	info = get_info(full);
	ASSERT_EQ(sizeof(*info), info->cap_offset);
	check_caps(_metadata, info);
}

TEST_F(vfio_compat, map)
{
	unsigned long iovas[16];
	__u64 unmapped = 0;
	unsigned int i;

	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, buffer,
			      BUFFER_SIZE, VFIO_RW));
	test_cmd_check_map(self->hwpt_id, MOCK_APERTURE_START, BUFFER_SIZE,
			   buffer);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 1);
	/* Over an existing mapping, outside the aperture, zero size */
	EXPECT_ERRNO(EEXIST, vfio_map(self->fd, MOCK_APERTURE_START, buffer,
				      PAGE_SIZE, VFIO_RW));
	EXPECT_ERRNO(EINVAL, vfio_map(self->fd, MOCK_APERTURE_START - PAGE_SIZE,
				      buffer, PAGE_SIZE, VFIO_RW));
	EXPECT_ERRNO(EINVAL, vfio_map(self->fd, MOCK_APERTURE_START +
				      BUFFER_SIZE, buffer, 0, VFIO_RW));
	ASSERT_EQ(0, vfio_unmap(self->fd, MOCK_APERTURE_START, BUFFER_SIZE, 0,
				&unmapped));
	EXPECT_EQ(BUFFER_SIZE, unmapped);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);

	/* Unmap of nothing: ENOENT (type1: success, size 0) */
	EXPECT_ERRNO(ENOENT, vfio_unmap(self->fd, MOCK_APERTURE_START,
					BUFFER_SIZE, 0, &unmapped));
	EXPECT_EQ(0, unmapped);

	/* UNMAP_ALL wants iova and size 0 */
	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, buffer,
			      BUFFER_SIZE, VFIO_RW));
	EXPECT_ERRNO(EINVAL, vfio_unmap(self->fd, MOCK_APERTURE_START,
					BUFFER_SIZE, VFIO_DMA_UNMAP_FLAG_ALL,
					NULL));
	EXPECT_ERRNO(EINVAL, vfio_unmap(self->fd, 0, 1,
					VFIO_DMA_UNMAP_FLAG_ALL, NULL));
	ASSERT_EQ(0, vfio_unmap(self->fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL,
				&unmapped));
	EXPECT_EQ(BUFFER_SIZE, unmapped);
	ASSERT_EQ(0, vfio_unmap(self->fd, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL,
				&unmapped));
	EXPECT_EQ(0, unmapped);

	/* Page by page, unmapped in random order */
	for (i = 0; i != 16; i++) {
		iovas[i] = MOCK_APERTURE_START + i * PAGE_SIZE;
		ASSERT_EQ(0, vfio_map(self->fd, iovas[i],
				      (char *)buffer + i * PAGE_SIZE,
				      PAGE_SIZE, VFIO_RW));
	}
	test_cmd_check_map(self->hwpt_id, MOCK_APERTURE_START, BUFFER_SIZE,
			   buffer);
	for (i = 0; i != 16; i++) {
		unsigned int j = i + rand() % (16 - i);
		unsigned long t = iovas[i];

		iovas[i] = iovas[j];
		iovas[j] = t;
	}
	for (i = 0; i != 16; i++) {
		ASSERT_EQ(0, vfio_unmap(self->fd, iovas[i], PAGE_SIZE, 0,
					&unmapped));
		EXPECT_EQ(PAGE_SIZE, unmapped);
	}
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);

	/* A map without permissions is still a mapping */
	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, buffer,
			      PAGE_SIZE, 0));
	ASSERT_EQ(0, vfio_unmap(self->fd, MOCK_APERTURE_START, PAGE_SIZE, 0,
				NULL));
}

/*
 * Part of a mapping: type1 (v1) cuts the mapping and unmaps just that
 * part; v2 refuses with ENOENT (type1 v2: EINVAL).
 */
TEST_F(vfio_compat, partial_unmap)
{
	size_t len = 2 * HUGE_SIZE;
	unsigned long iovas[16];
	__u64 piece = len / 16;
	__u64 unmapped;
	unsigned int i;
	char *raw, *mem;

	raw = mmap(NULL, len + HUGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, raw);
	mem = (char *)(((uintptr_t)raw + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
	madvise(mem, len, MADV_HUGEPAGE);
	memset(mem, 0x11, len);

	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, mem, len,
			      VFIO_RW));
	for (i = 0; i != 16; i++)
		iovas[i] = MOCK_APERTURE_START + i * piece;
	for (i = 0; i != 16; i++) {
		unsigned int j = i + rand() % (16 - i);
		unsigned long t = iovas[i];

		iovas[i] = iovas[j];
		iovas[j] = t;
	}
	for (i = 0; i != 16; i++) {
		if (variant->version == VFIO_TYPE1v2_IOMMU) {
			EXPECT_ERRNO(ENOENT, vfio_unmap(self->fd, iovas[i],
							piece, 0, NULL));
			continue;
		}
		ASSERT_EQ(0, vfio_unmap(self->fd, iovas[i], piece, 0,
					&unmapped));
		EXPECT_EQ(piece, unmapped);
		test_err_check_map(EINVAL, self->hwpt_id, iovas[i],
				   MOCK_PAGE_SIZE, mem);
	}
	if (variant->version == VFIO_TYPE1v2_IOMMU) {
		test_cmd_check_map(self->hwpt_id, MOCK_APERTURE_START, len,
				   mem);
		ASSERT_EQ(0, vfio_unmap(self->fd, MOCK_APERTURE_START, len, 0,
					&unmapped));
		EXPECT_EQ(len, unmapped);
	} else {
		/* Cuts are at page boundaries only */
		ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, mem,
				      4 * PAGE_SIZE, VFIO_RW));
		EXPECT_ERRNO(EINVAL, vfio_unmap(self->fd,
						MOCK_APERTURE_START +
							MOCK_PAGE_SIZE,
						PAGE_SIZE, 0, NULL));
		/* Rejected by the cut: nothing unmapped */
		test_cmd_check_map(self->hwpt_id, MOCK_APERTURE_START,
				   4 * PAGE_SIZE, mem);
		/* Cutting at the edges only: the middle goes */
		ASSERT_EQ(0, vfio_unmap(self->fd, MOCK_APERTURE_START +
							PAGE_SIZE,
					2 * PAGE_SIZE, 0, &unmapped));
		EXPECT_EQ(2 * PAGE_SIZE, unmapped);
		test_cmd_check_map(self->hwpt_id, MOCK_APERTURE_START,
				   PAGE_SIZE, mem);
		test_cmd_check_map(self->hwpt_id,
				   MOCK_APERTURE_START + 3 * PAGE_SIZE,
				   PAGE_SIZE, mem + 3 * PAGE_SIZE);
		ASSERT_EQ(0, vfio_unmap(self->fd, 0, 0,
					VFIO_DMA_UNMAP_FLAG_ALL, &unmapped));
		EXPECT_EQ(2 * PAGE_SIZE, unmapped);
	}
	test_cmd_check_refs(mem, len, 0);
	ASSERT_EQ(0, munmap(raw, len + HUGE_SIZE));
}

/* An access pin keeps a mapping whole: no cut through it */
TEST_F(vfio_compat, partial_unmap_pinned)
{
	__u32 id;
	int afd;

	if (variant->version != VFIO_TYPE1_IOMMU)
		SKIP(return, "cuts are a type1 (v1) thing");
	ASSERT_EQ(0, vfio_map(self->fd, MOCK_APERTURE_START, buffer,
			      4 * PAGE_SIZE, VFIO_RW));
	test_cmd_create_access(self->ioas_id, &afd,
			       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	test_cmd_access_pages(afd, MOCK_APERTURE_START, PAGE_SIZE, buffer, 0,
			      &id);
	EXPECT_ERRNO(EINVAL, vfio_unmap(self->fd,
					MOCK_APERTURE_START + PAGE_SIZE,
					PAGE_SIZE, 0, NULL));
	test_cmd_destroy_access_pages(afd, id);
	ASSERT_EQ(0, vfio_unmap(self->fd, MOCK_APERTURE_START + PAGE_SIZE,
				PAGE_SIZE, 0, NULL));
	test_cmd_destroy_access(afd);
}

TEST_HARNESS_MAIN
