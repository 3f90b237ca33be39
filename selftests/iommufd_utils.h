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

#include <assert.h>
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

/* MOCK_PAGE_SIZE (2 KiB, the mock IO page) comes from iommufd_test.h */

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* CPU page size and the shared test buffer (set by the test's constructor). */
static unsigned long PAGE_SIZE;
static size_t BUFFER_SIZE;
static void *buffer;

/*
 * Sets PAGE_SIZE and maps @pages pages of shared anonymous memory as the
 * test buffer, filled with 0x5a. Shared, so it stays on small pages (page
 * refcounts are exact) and forked test children see the same pages, already
 * faulted in. Call it from the test program's constructor.
 */
static inline void setup_test_buffer(size_t pages)
{
	PAGE_SIZE = sysconf(_SC_PAGESIZE);
	BUFFER_SIZE = pages * PAGE_SIZE;
	buffer = mmap(NULL, BUFFER_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert(buffer != MAP_FAILED);
	memset(buffer, 0x5a, BUFFER_SIZE);
}

/* Fails the current test unless @cmd returns -1 with errno @expected. */
#define EXPECT_ERRNO(expected, cmd)                                         \
	({                                                                  \
		ASSERT_EQ(-1, cmd);                                         \
		EXPECT_EQ(expected, errno);                                 \
	})

/* ---- IOMMU_DESTROY ---- */

static inline int _test_ioctl_destroy(int fd, __u32 id)
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

static inline int _test_ioctl_ioas_alloc(int fd, __u32 *id)
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
static inline int _test_ioctl_ioas_map(int fd, __u32 ioas_id, void *va,
				       __u64 length, __u64 *iova, __u32 flags)
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

static inline int _test_ioctl_ioas_unmap(int fd, __u32 ioas_id, __u64 iova,
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

static inline int _test_ioctl_iova_ranges(int fd, __u32 ioas_id,
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

static inline int _test_ioctl_allow_iovas(int fd, __u32 ioas_id,
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
static inline int _test_cmd_add_reserved(int fd, __u32 ioas_id, __u64 start,
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

static inline int _test_cmd_mock_domain(int fd, __u32 pt_id, __u32 *stdev_id,
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

static inline int _test_cmd_mock_domain_replace(int fd, __u32 stdev_id,
						__u32 pt_id, __u32 *hwpt_id)
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
static inline int _test_cmd_check_map(int fd, __u32 hwpt_id, __u64 iova,
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
static inline int _test_cmd_check_refs(int fd, const void *uptr, __u64 length,
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


/* ---- access objects ---- */

/* Create an access on IOAS @ioas_id; returns its fd in *@access_fd. */
static inline int _test_cmd_create_access(int fd, __u32 ioas_id, int *access_fd,
					  __u32 flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = ioas_id,
		.create_access = { .flags = flags },
	};
	int ret;

	ret = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (!ret)
		*access_fd = cmd.create_access.out_access_fd;
	return ret;
}
#define test_cmd_create_access(ioas_id, access_fdp, flags)                 \
	ASSERT_EQ(0, _test_cmd_create_access(self->fd, ioas_id, access_fdp, \
					     flags))
#define test_err_create_access(err, ioas_id, flags)                        \
	({                                                                 \
		int __afd = -1;                                            \
		EXPECT_ERRNO(err, _test_cmd_create_access(self->fd,        \
							  ioas_id, &__afd, \
							  flags));         \
	})

/* Closing the fd destroys the access and undoes its pins. */
#define test_cmd_destroy_access(access_fd) ASSERT_EQ(0, close(access_fd))

/* Pin [iova, iova + length) through @access_fd; *@pages_id names the pin. */
static inline int _test_cmd_access_pages(int fd, int access_fd, __u64 iova,
					 __u64 length, const void *uptr,
					 __u32 flags, __u32 *pages_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = access_fd,
		.access_pages = {
			.flags = flags,
			.iova = iova,
			.length = length,
			.uptr = (uintptr_t)uptr,
		},
	};
	int ret;

	ret = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (!ret && pages_id)
		*pages_id = cmd.access_pages.out_access_pages_id;
	return ret;
}
#define test_cmd_access_pages(access_fd, iova, length, uptr, flags, idp)   \
	ASSERT_EQ(0, _test_cmd_access_pages(self->fd, access_fd, iova,     \
					    length, uptr, flags, idp))
#define test_err_access_pages(err, access_fd, iova, length, uptr, flags)   \
	EXPECT_ERRNO(err, _test_cmd_access_pages(self->fd, access_fd, iova, \
						 length, uptr, flags, NULL))

static inline int _test_cmd_destroy_access_pages(int fd, int access_fd,
						 __u32 pages_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		.id = access_fd,
		.destroy_access_pages = { .access_pages_id = pages_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}
#define test_cmd_destroy_access_pages(access_fd, pages_id)                 \
	ASSERT_EQ(0, _test_cmd_destroy_access_pages(self->fd, access_fd,   \
						    pages_id))
#define test_err_destroy_access_pages(err, access_fd, pages_id)            \
	EXPECT_ERRNO(err, _test_cmd_destroy_access_pages(self->fd,         \
							 access_fd,        \
							 pages_id))

/* Copy @length bytes between IOVA @iova and @uptr (MOCK_ACCESS_RW_*). */
static inline int _test_cmd_access_rw(int fd, int access_fd, __u64 iova,
				      void *uptr, __u64 length, __u32 flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = access_fd,
		.access_rw = {
			.iova = iova,
			.length = length,
			.uptr = (uintptr_t)uptr,
			.flags = flags,
		},
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}
#define test_cmd_access_rw(access_fd, iova, uptr, length, flags)           \
	ASSERT_EQ(0, _test_cmd_access_rw(self->fd, access_fd, iova, uptr,  \
					 length, flags))
#define test_err_access_rw(err, access_fd, iova, uptr, length, flags)      \
	EXPECT_ERRNO(err, _test_cmd_access_rw(self->fd, access_fd, iova,   \
					      uptr, length, flags))

static inline int _test_cmd_access_replace_ioas(int fd, int access_fd,
						__u32 ioas_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
		.id = access_fd,
		.access_replace_ioas = { .ioas_id = ioas_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}
#define test_cmd_access_replace_ioas(access_fd, ioas_id)                   \
	ASSERT_EQ(0, _test_cmd_access_replace_ioas(self->fd, access_fd,    \
						   ioas_id))
#define test_err_access_replace_ioas(err, access_fd, ioas_id)              \
	EXPECT_ERRNO(err, _test_cmd_access_replace_ioas(self->fd,          \
							access_fd, ioas_id))

/* ---- IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT ---- */

/* What the core uses when nobody set a limit: 1024 page pointers. */
#define TEMP_MEMORY_DEFAULT (1024 * sizeof(void *))

static inline int _test_cmd_set_temp_memory_limit(int fd, __u32 limit)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
		.memory_limit = { .limit = limit },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}
#define test_cmd_set_temp_memory_limit(limit)                              \
	ASSERT_EQ(0, _test_cmd_set_temp_memory_limit(self->fd, limit))

/* ---- IOMMU_OPTION ---- */

static inline int _test_ioctl_option(int fd, __u32 option_id, __u16 op,
				     __u32 object_id, __u64 *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object_id,
		.val64 = *val,
	};
	int ret;

	ret = ioctl(fd, IOMMU_OPTION, &cmd);
	if (!ret)
		*val = cmd.val64;
	return ret;
}

/* ---- IOMMU_IOAS_COPY ---- */

static inline int _test_ioctl_ioas_copy_flags(int fd, __u32 flags,
					      __u32 dst_ioas, __u64 *dst_iova,
					      __u32 src_ioas, __u64 src_iova,
					      __u64 length)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst_ioas,
		.src_ioas_id = src_ioas,
		.length = length,
		.dst_iova = *dst_iova,
		.src_iova = src_iova,
	};
	int ret;

	ret = ioctl(fd, IOMMU_IOAS_COPY, &cmd);
	if (!ret)
		*dst_iova = cmd.dst_iova;
	return ret;
}

/* ---- xiommu's own test ops ---- */

/*
 * XIOMMU_TEST_OP_MOCK_DEVICE: a device of mock @unit (in the group of
 * @group_stdev if not 0), bound and attached to @pt_id as @flags say.
 */
static inline int _test_cmd_mock_device(int fd, __u32 pt_id, __u32 unit,
					__u32 group_stdev, __u32 flags,
					__u32 *stdev_id, __u32 *hwpt_id,
					__u32 *idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = XIOMMU_TEST_OP_MOCK_DEVICE,
		.id = pt_id,
		.mock_device = {
			.flags = flags,
			.unit = unit,
			.group_stdev_id = group_stdev,
		},
	};
	int ret;

	ret = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (ret)
		return ret;
	if (stdev_id)
		*stdev_id = cmd.mock_device.out_stdev_id;
	if (hwpt_id)
		*hwpt_id = cmd.mock_device.out_hwpt_id;
	if (idev_id)
		*idev_id = cmd.mock_device.out_idev_id;
	return 0;
}
#define test_cmd_mock_device(pt_id, unit, group, flags, stdevp, hwptp, idevp) \
	ASSERT_EQ(0, _test_cmd_mock_device(self->fd, pt_id, unit, group,     \
					   flags, stdevp, hwptp, idevp))
#define test_err_mock_device(err, pt_id, unit, group, flags)                 \
	EXPECT_ERRNO(err, _test_cmd_mock_device(self->fd, pt_id, unit, group, \
						flags, NULL, NULL, NULL))

/* Bind (1) or unbind (0) the mock kernel driver on a selftest device */
static inline int _test_cmd_mock_driver(int fd, __u32 stdev_id, __u32 bind)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = XIOMMU_TEST_OP_MOCK_DRIVER,
		.id = stdev_id,
		.mock_driver = { .bind = bind },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* Is the selftest device attached to HWPT @hwpt_id's domain now? */
static inline int _test_cmd_check_domain(int fd, __u32 stdev_id, __u32 hwpt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = XIOMMU_TEST_OP_MD_CHECK_DOMAIN,
		.id = stdev_id,
		.check_domain = { .hwpt_id = hwpt_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}
#define test_cmd_check_domain(stdev_id, hwpt_id)                           \
	ASSERT_EQ(0, _test_cmd_check_domain(self->fd, stdev_id, hwpt_id))

static inline int _test_cmd_mock_detach(int fd, __u32 stdev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = XIOMMU_TEST_OP_MOCK_DETACH,
		.id = stdev_id,
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* The size of the IOPTE mapping @iova in mock HWPT @hwpt_id */
static inline int _test_cmd_md_iopte(int fd, __u32 hwpt_id, __u64 iova,
				     __u64 *pgsize)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = XIOMMU_TEST_OP_MD_IOPTE,
		.id = hwpt_id,
		.md_iopte = { .iova = iova },
	};
	int ret;

	ret = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (!ret)
		*pgsize = cmd.md_iopte.out_pgsize;
	return ret;
}

/*
 * Close an iommufd and check, through a fresh one, that nothing of the test
 * buffer stayed pinned. Teardown may only use EXPECT_*: an ASSERT would
 * jump back into the harness and run the teardown again.
 */
static inline void teardown_iommufd(int fd, struct __test_metadata *_metadata)
{
	int check_fd;

	EXPECT_EQ(0, close(fd));
	check_fd = open("/dev/iommu", O_RDWR);
	EXPECT_NE(-1, check_fd);
	if (check_fd == -1)
		return;
	EXPECT_EQ(0, _test_cmd_check_refs(check_fd, buffer, BUFFER_SIZE, 0));
	close(check_fd);
}

/*
 * The three variants of a mock fixture: no device, one and two mock
 * devices (variant->mock_domains), as every iommufd suite here runs.
 * Use: MOCK_DOMAIN_VARIANTS(fixture);
 */
#define MOCK_DOMAIN_VARIANTS(fixture)                                       \
	FIXTURE_VARIANT(fixture) {                                          \
		unsigned int mock_domains;                                  \
	};                                                                  \
	FIXTURE_VARIANT_ADD(fixture, no_domain) {                           \
		.mock_domains = 0,                                          \
	};                                                                  \
	FIXTURE_VARIANT_ADD(fixture, mock_domain) {                         \
		.mock_domains = 1,                                          \
	};                                                                  \
	FIXTURE_VARIANT_ADD(fixture, two_mock_domain) {                     \
		.mock_domains = 2,                                          \
	}

#endif /* XIOMMU_SELFTEST_IOMMUFD_UTILS_H */
