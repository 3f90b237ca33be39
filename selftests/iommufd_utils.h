/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the /dev/iommu selftests that run on the mock IOMMU.
 *
 * Each ioctl has three layers:
 *  - _test_<name>(fd, ...): issue the ioctl, return its result (0 or -1
 *    with errno set) and fill the outputs; usable anywhere;
 *  - test_<name>(...): inside a TEST_F body (uses self->fd and _metadata),
 *    assert that the ioctl succeeds;
 *  - test_err_<name>(err, ...): assert that it fails with errno @err.
 */
#ifndef XIOMMU_SELFTEST_IOMMUFD_UTILS_H
#define XIOMMU_SELFTEST_IOMMUFD_UTILS_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <xiommu/iommufd_test.h>

#include "kselftest_harness.h"

#define MOCK_PAGE_SIZE XIOMMU_MOCK_IO_PAGE_SIZE

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* CPU page size and the shared test buffer (set by the test's constructor). */
static unsigned long PAGE_SIZE;
static size_t BUFFER_SIZE;
static void *buffer;

/* Fails the current test unless @cmd returns -1 with errno @expected. */
#define EXPECT_ERRNO(expected, cmd)                                         \
	({                                                                  \
		ASSERT_EQ(-1, cmd);                                         \
		EXPECT_EQ(expected, errno);                                 \
	})

/* ---- IOMMU_DESTROY ---- */

static int _test_ioctl_destroy(int fd, __u32 id)
{
	struct iommu_destroy cmd = {
		.size = sizeof(cmd),
		.id = id,
	};

	return ioctl(fd, IOMMU_DESTROY, &cmd);
}
#define test_ioctl_destroy(id) ASSERT_EQ(0, _test_ioctl_destroy(self->fd, id))
#define test_err_ioctl_destroy(err, id) \
	EXPECT_ERRNO(err, _test_ioctl_destroy(self->fd, id))

/* ---- IOMMU_IOAS_ALLOC ---- */

static int _test_ioctl_ioas_alloc(int fd, __u32 *id)
{
	struct iommu_ioas_alloc cmd = {
		.size = sizeof(cmd),
	};
	int ret;

	ret = ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);
	if (!ret)
		*id = cmd.out_ioas_id;
	return ret;
}
#define test_ioctl_ioas_alloc(id)                                          \
	({                                                                 \
		ASSERT_EQ(0, _test_ioctl_ioas_alloc(self->fd, id));        \
		ASSERT_NE(0, *(id));                                       \
	})

/* ---- IOMMU_IOAS_MAP ---- */

#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

/*
 * Map @length bytes at @va. With IOMMU_IOAS_MAP_FIXED_IOVA in @flags *@iova
 * is the IOVA to use, otherwise the kernel picks it and returns it there.
 */
static int _test_ioctl_ioas_map(int fd, __u32 ioas_id, void *va, __u64 length,
				__u64 *iova, __u32 flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = length,
		.iova = *iova,
	};
	int ret;

	ret = ioctl(fd, IOMMU_IOAS_MAP, &cmd);
	if (!ret)
		*iova = cmd.iova;
	return ret;
}

#define test_ioctl_ioas_map(va, length, iovap)                             \
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, self->ioas_id, va,     \
					  length, iovap, MAP_RW))
#define test_err_ioctl_ioas_map(err, va, length, iovap)                    \
	EXPECT_ERRNO(err, _test_ioctl_ioas_map(self->fd, self->ioas_id, va, \
					       length, iovap, MAP_RW))
#define test_ioctl_ioas_map_fixed(va, length, iova)                        \
	({                                                                 \
		__u64 __iova = (iova);                                     \
		ASSERT_EQ(0, _test_ioctl_ioas_map(                         \
				     self->fd, self->ioas_id, va, length,  \
				     &__iova,                              \
				     MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA)); \
	})
#define test_err_ioctl_ioas_map_fixed(err, va, length, iova)               \
	({                                                                 \
		__u64 __iova = (iova);                                     \
		EXPECT_ERRNO(err, _test_ioctl_ioas_map(                    \
					  self->fd, self->ioas_id, va,     \
					  length, &__iova,                 \
					  MAP_RW |                         \
						  IOMMU_IOAS_MAP_FIXED_IOVA)); \
	})

/* ---- IOMMU_IOAS_UNMAP ---- */

static int _test_ioctl_ioas_unmap(int fd, __u32 ioas_id, __u64 iova,
				  __u64 length, __u64 *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = length,
	};
	int ret;

	ret = ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
	if (!ret && unmapped)
		*unmapped = cmd.length;
	return ret;
}
/* Unmap exactly [iova, iova + length): also checks the returned length. */
#define test_ioctl_ioas_unmap(iova, length)                                \
	({                                                                 \
		__u64 __unmapped = 0;                                      \
		ASSERT_EQ(0, _test_ioctl_ioas_unmap(self->fd,              \
						    self->ioas_id, iova,   \
						    length, &__unmapped)); \
		ASSERT_EQ((__u64)(length), __unmapped);                    \
	})
#define test_err_ioctl_ioas_unmap(err, iova, length)                       \
	EXPECT_ERRNO(err, _test_ioctl_ioas_unmap(self->fd, self->ioas_id,  \
						 iova, length, NULL))

/* ---- IOMMU_IOAS_IOVA_RANGES ---- */

static int _test_ioctl_iova_ranges(int fd, __u32 ioas_id,
				   struct iommu_iova_range *ranges,
				   __u32 *num, __u64 *alignment)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = *num,
		.allowed_iovas = (uintptr_t)ranges,
	};
	int ret;

	ret = ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);
	*num = cmd.num_iovas;
	if (alignment)
		*alignment = cmd.out_iova_alignment;
	return ret;
}

/* ---- IOMMU_IOAS_ALLOW_IOVAS ---- */

static int _test_ioctl_allow_iovas(int fd, __u32 ioas_id,
				   const struct iommu_iova_range *ranges,
				   __u32 num)
{
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = num,
		.allowed_iovas = (uintptr_t)ranges,
	};

	return ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

/* ---- IOMMU_TEST_CMD ---- */

/* Reserve [start, start + length) in IOAS @ioas_id, as a device would. */
static int _test_cmd_add_reserved(int fd, __u32 ioas_id, __u64 start,
				  __u64 length)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.id = ioas_id,
		.add_reserved = { .start = start, .length = length },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}
#define test_cmd_add_reserved(start, length)                               \
	ASSERT_EQ(0, _test_cmd_add_reserved(self->fd, self->ioas_id, start, \
					    length))
#define test_err_add_reserved(err, start, length)                          \
	EXPECT_ERRNO(err, _test_cmd_add_reserved(self->fd, self->ioas_id,  \
						 start, length))

static int _test_cmd_mock_domain(int fd, __u32 pt_id, __u32 *stdev_id,
				 __u32 *hwpt_id, __u32 *idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = pt_id,
	};
	int ret;

	ret = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (ret)
		return ret;
	if (stdev_id)
		*stdev_id = cmd.mock_domain.out_stdev_id;
	if (hwpt_id)
		*hwpt_id = cmd.mock_domain.out_hwpt_id;
	if (idev_id)
		*idev_id = cmd.mock_domain.out_idev_id;
	return 0;
}
#define test_cmd_mock_domain(pt_id, stdevp, hwptp, idevp)                  \
	ASSERT_EQ(0, _test_cmd_mock_domain(self->fd, pt_id, stdevp, hwptp, \
					   idevp))
#define test_err_mock_domain(err, pt_id, stdevp, hwptp, idevp)             \
	EXPECT_ERRNO(err, _test_cmd_mock_domain(self->fd, pt_id, stdevp,   \
						hwptp, idevp))

static int _test_cmd_mock_domain_replace(int fd, __u32 stdev_id, __u32 pt_id,
					 __u32 *hwpt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev_id,
		.mock_domain_replace = { .pt_id = pt_id },
	};
	int ret;

	ret = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (!ret && hwpt_id)
		*hwpt_id = cmd.mock_domain_replace.pt_id;
	return ret;
}

/* Does HWPT @hwpt_id map [iova, iova + length) to the memory at @uptr? */
static int _test_cmd_check_map(int fd, __u32 hwpt_id, __u64 iova,
			       __u64 length, const void *uptr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt_id,
		.check_map = {
			.iova = iova,
			.length = length,
			.uptr = (uintptr_t)uptr,
		},
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}
#define test_cmd_check_map(hwpt_id, iova, length, uptr)                    \
	ASSERT_EQ(0, _test_cmd_check_map(self->fd, hwpt_id, iova, length,  \
					 uptr))
#define test_err_check_map(err, hwpt_id, iova, length, uptr)               \
	EXPECT_ERRNO(err, _test_cmd_check_map(self->fd, hwpt_id, iova,     \
					      length, uptr))

/* Is every page of [uptr, uptr + length) pinned exactly @refs times? */
static int _test_cmd_check_refs(int fd, const void *uptr, __u64 length,
				__u32 refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = {
			.length = length,
			.uptr = (uintptr_t)uptr,
			.refs = refs,
		},
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}
#define test_cmd_check_refs(uptr, length, refs)                            \
	ASSERT_EQ(0, _test_cmd_check_refs(self->fd, uptr, length, refs))
#define test_err_check_refs(err, uptr, length, refs)                       \
	EXPECT_ERRNO(err, _test_cmd_check_refs(self->fd, uptr, length, refs))

#endif /* XIOMMU_SELFTEST_IOMMUFD_UTILS_H */
