// SPDX-License-Identifier: GPL-2.0-only
/*
 * Groups, domains and IOMMU instances on the mock IOMMU (xiommu_mock):
 * the rules of Documentation/groups.md under test.
 *
 * xiommu's own test ops (XIOMMU_TEST_OP_*, include/uapi/xiommu/
 * iommufd_test.h) create mock devices of a chosen unit (mock0: upstream's
 * geometry; mock1: larger IOPTEs and aperture; mock2: a driver without
 * XIOMMU_CAP_IOMMUFD), in the group of another device, idle (not bound)
 * or bound but not attached; bind a kernel driver that does not manage
 * DMA through xiommu to a device; detach; and look at which domain a device
 * is attached to in the mock "hardware" and at IOPTE sizes.
 */
#include <assert.h>
#include <stdlib.h>
#include <time.h>

#include "iommufd_utils.h"
#include "lib/thp.h"

#define HUGE_SIZE (2UL << 20)
#define MOCK1_HUGE XIOMMU_MOCK_HUGE_PAGE_SIZE
#define BLOCKED XIOMMU_MOCK_DOMAIN_BLOCKED
#define IDENTITY XIOMMU_MOCK_DOMAIN_IDENTITY
#define NO_BIND XIOMMU_MOCK_DEVICE_NO_BIND
#define NO_ATTACH XIOMMU_MOCK_DEVICE_NO_ATTACH

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(16);
}

FIXTURE(groups)
{
	int fd;
	__u32 ioas_id;
};

FIXTURE_SETUP(groups)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
}

FIXTURE_TEARDOWN(groups)
{
	teardown_iommufd(self->fd, _metadata);
}

static int replace(int fd, __u32 stdev, __u32 pt_id, __u32 *hwpt)
{
	return _test_cmd_mock_domain_replace(fd, stdev, pt_id, hwpt);
}

/*
 * A 2 * HUGE_SIZE buffer of transparent huge pages, 2 MiB aligned; NULL
 * (and *raw unmapped) if the kernel has none to give.
 */
static char *thp_alloc(void **raw)
{
	char *mem;

	*raw = mmap(NULL, 3 * HUGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*raw == MAP_FAILED)
		return NULL;
	mem = (char *)(((uintptr_t)*raw + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
	if (madvise(mem, 2 * HUGE_SIZE, MADV_HUGEPAGE))
		goto err_unmap;
	memset(mem, 0x42, 2 * HUGE_SIZE);
	if (thp_kb() < (long)(2 * HUGE_SIZE / 1024))
		goto err_unmap;
	return mem;

err_unmap:
	munmap(*raw, 3 * HUGE_SIZE);
	return NULL;
}

/* ---- two mock instances that differ ---- */

TEST_F(groups, instances_differ)
{
	__u32 stdev0, hwpt0, idev0, stdev1, hwpt1, idev1, hwpt_x;
	struct iommu_iova_range range;
	__u64 align = 0;
	__u32 num = 1;

	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, 0, 0,
			     &stdev0, &hwpt0, &idev0);
	/* Automatic selection skips mock0's HWPT and makes a new one */
	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK1, 0, 0,
			     &stdev1, &hwpt1, &idev1);
	ASSERT_NE(hwpt0, hwpt1);
	test_cmd_check_domain(stdev0, hwpt0);
	test_cmd_check_domain(stdev1, hwpt1);
	/* A second mock1 device reuses mock1's HWPT */
	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK1, 0, 0,
			     NULL, &hwpt_x, NULL);
	EXPECT_EQ(hwpt1, hwpt_x);

	/* The IOAS takes the intersection of both apertures */
	ASSERT_EQ(0, _test_ioctl_iova_ranges(self->fd, self->ioas_id, &range,
					     &num, &align));
	ASSERT_EQ(1, num);
	EXPECT_EQ(MOCK_APERTURE_START, range.start);
	EXPECT_EQ(MOCK_APERTURE_LAST, range.last);
	EXPECT_EQ(MOCK_PAGE_SIZE, align);

	/* An HWPT never crosses instances: EINVAL, both ways */
	EXPECT_ERRNO(EINVAL, replace(self->fd, stdev1, hwpt0, NULL));
	EXPECT_ERRNO(EINVAL, replace(self->fd, stdev0, hwpt1, NULL));
	test_err_mock_device(EINVAL, hwpt0, XIOMMU_MOCK_UNIT_MOCK1, 0, 0);
	test_err_mock_device(EINVAL, hwpt1, XIOMMU_MOCK_UNIT_MOCK0, 0, 0);
	test_cmd_check_domain(stdev0, hwpt0);
	test_cmd_check_domain(stdev1, hwpt1);

	/* An explicit HWPT belongs to the instance of its device */
	{
		struct iommu_hwpt_alloc cmd = {
			.size = sizeof(cmd),
			.dev_id = idev1,
			.pt_id = self->ioas_id,
		};

		ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
		EXPECT_ERRNO(EINVAL, replace(self->fd, stdev0,
					     cmd.out_hwpt_id, NULL));
		ASSERT_EQ(0, replace(self->fd, stdev1, cmd.out_hwpt_id,
				     &hwpt_x));
		test_cmd_check_domain(stdev1, cmd.out_hwpt_id);
		ASSERT_EQ(0, replace(self->fd, stdev1, self->ioas_id,
				     &hwpt_x));
		EXPECT_EQ(hwpt1, hwpt_x);
		test_ioctl_destroy(cmd.out_hwpt_id);
	}

	/* Both mirror the IOAS */
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	test_cmd_check_map(hwpt0, MOCK_APERTURE_START, BUFFER_SIZE, buffer);
	test_cmd_check_map(hwpt1, MOCK_APERTURE_START, BUFFER_SIZE, buffer);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 1);
}

/* Contiguous memory becomes the largest IOPTE each instance has */
TEST_F(groups, large_iopte)
{
	__u64 iova = MOCK_APERTURE_START + 2 * HUGE_SIZE;
	__u32 hwpt0, hwpt1;
	__u64 pgsize = 0;
	void *raw;
	char *mem;

	mem = thp_alloc(&raw);
	if (!mem)
		SKIP(return, "no transparent huge pages");
	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, 0, 0,
			     NULL, &hwpt0, NULL);
	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK1, 0, 0,
			     NULL, &hwpt1, NULL);
	test_ioctl_ioas_map_fixed(mem, 2 * HUGE_SIZE, iova);
	test_cmd_check_map(hwpt0, iova, 2 * HUGE_SIZE, mem);
	test_cmd_check_map(hwpt1, iova, 2 * HUGE_SIZE, mem);
	ASSERT_EQ(0, _test_cmd_md_iopte(self->fd, hwpt0, iova, &pgsize));
	EXPECT_EQ(MOCK_PAGE_SIZE, pgsize);
	/* A THP is 2 MiB of contiguous memory: mock1's 1 MiB IOPTEs */
	ASSERT_EQ(0, _test_cmd_md_iopte(self->fd, hwpt1, iova, &pgsize));
	EXPECT_EQ(MOCK1_HUGE, pgsize);
	ASSERT_EQ(0, _test_cmd_md_iopte(self->fd, hwpt1,
					iova + 2 * HUGE_SIZE - PAGE_SIZE,
					&pgsize));
	EXPECT_EQ(MOCK1_HUGE, pgsize);
	EXPECT_ERRNO(ENOENT, _test_cmd_md_iopte(self->fd, hwpt1,
						iova + 2 * HUGE_SIZE,
						&pgsize));
	test_ioctl_ioas_unmap(iova, 2 * HUGE_SIZE);
	EXPECT_ERRNO(ENOENT, _test_cmd_md_iopte(self->fd, hwpt1, iova,
						&pgsize));

	/* Shifted by a page: no 1 MiB IOPTE can start where it begins */
	test_ioctl_ioas_map_fixed(mem + PAGE_SIZE, HUGE_SIZE, iova);
	ASSERT_EQ(0, _test_cmd_md_iopte(self->fd, hwpt1, iova, &pgsize));
	EXPECT_EQ(MOCK_PAGE_SIZE, pgsize);
	test_ioctl_ioas_unmap(iova, HUGE_SIZE);
	ASSERT_EQ(0, munmap(raw, 3 * HUGE_SIZE));
}

/* IOMMU_OPTION_HUGE_PAGES 0: nothing above PAGE_SIZE */
TEST_F(groups, huge_pages_off)
{
	__u64 iova = MOCK_APERTURE_START + 2 * HUGE_SIZE;
	__u64 val = 0, pgsize = 0;
	__u32 hwpt1;
	void *raw;
	char *mem;

	mem = thp_alloc(&raw);
	if (!mem)
		SKIP(return, "no transparent huge pages");
	ASSERT_EQ(0, _test_ioctl_option(self->fd, IOMMU_OPTION_HUGE_PAGES,
					IOMMU_OPTION_OP_SET, self->ioas_id,
					&val));
	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK1, 0, 0,
			     NULL, &hwpt1, NULL);
	test_ioctl_ioas_map_fixed(mem, 2 * HUGE_SIZE, iova);
	test_cmd_check_map(hwpt1, iova, 2 * HUGE_SIZE, mem);
	ASSERT_EQ(0, _test_cmd_md_iopte(self->fd, hwpt1, iova, &pgsize));
	EXPECT_EQ(MOCK_PAGE_SIZE, pgsize);
	/* Cannot turn them back off with mappings in a domain... */
	val = 1;
	ASSERT_EQ(0, _test_ioctl_option(self->fd, IOMMU_OPTION_HUGE_PAGES,
					IOMMU_OPTION_OP_SET, self->ioas_id,
					&val));
	val = 0;
	EXPECT_ERRNO(EINVAL, _test_ioctl_option(self->fd,
						IOMMU_OPTION_HUGE_PAGES,
						IOMMU_OPTION_OP_SET,
						self->ioas_id, &val));
	/* ...and new mappings use large IOPTEs again */
	test_ioctl_ioas_map_fixed(mem, 2 * HUGE_SIZE, iova + 2 * HUGE_SIZE);
	ASSERT_EQ(0, _test_cmd_md_iopte(self->fd, hwpt1, iova + 2 * HUGE_SIZE,
					&pgsize));
	EXPECT_EQ(MOCK1_HUGE, pgsize);
	test_ioctl_ioas_unmap(iova, 4 * HUGE_SIZE);
	ASSERT_EQ(0, munmap(raw, 3 * HUGE_SIZE));
}

/* ---- XIOMMU_CAP_IOMMUFD is a positive opt-in ---- */

TEST_F(groups, no_iommufd_cap)
{
	__u32 stdev0, stdev2;

	/* A device of a driver that did not opt in cannot be bound */
	test_err_mock_device(EOPNOTSUPP, self->ioas_id,
			     XIOMMU_MOCK_UNIT_NO_IOMMUFD, 0, 0);
	test_err_mock_device(EOPNOTSUPP, self->ioas_id,
			     XIOMMU_MOCK_UNIT_NO_IOMMUFD, 0, NO_ATTACH);
	/* It exists as a device all the same */
	test_cmd_mock_device(0, XIOMMU_MOCK_UNIT_NO_IOMMUFD, 0, NO_BIND,
			     &stdev2, NULL, NULL);
	test_cmd_check_domain(stdev2, IDENTITY);
	/* Groups never span units; unknown units and flags */
	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, 0, 0,
			     &stdev0, NULL, NULL);
	test_err_mock_device(EINVAL, self->ioas_id,
			     XIOMMU_MOCK_UNIT_NO_IOMMUFD, stdev0, NO_BIND);
	test_err_mock_device(EINVAL, self->ioas_id, 3, 0, 0);
	test_err_mock_device(EOPNOTSUPP, self->ioas_id,
			     XIOMMU_MOCK_UNIT_MOCK0, 0, 1 << 7);
	test_err_mock_device(ENOENT, self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0,
			     self->ioas_id, 0);
	/* Nothing was left half made: the IOAS has one device */
	test_ioctl_destroy(stdev0);
	test_ioctl_destroy(self->ioas_id);
}

/* ---- a group of several devices ---- */

TEST_F(groups, multi_device_replace)
{
	__u32 a, b, c, d, hwpt1, hwpt2, hwpt3, got, ioas2;
	__u32 idev_a;

	/* A and B in one group on the IOAS, C bound only, D idle */
	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, 0, 0, &a,
			     &hwpt1, &idev_a);
	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, a, 0, &b,
			     &got, NULL);
	EXPECT_EQ(hwpt1, got);
	test_cmd_mock_device(0, XIOMMU_MOCK_UNIT_MOCK0, a, NO_ATTACH, &c,
			     NULL, NULL);
	test_cmd_mock_device(0, XIOMMU_MOCK_UNIT_MOCK0, a, NO_BIND, &d, NULL,
			     NULL);
	/* The hardware attaches groups: all four translate through hwpt1 */
	test_cmd_check_domain(a, hwpt1);
	test_cmd_check_domain(b, hwpt1);
	test_cmd_check_domain(c, hwpt1);
	test_cmd_check_domain(d, hwpt1);

	/* An unattached member may only join the group's HWPT */
	test_ioctl_ioas_alloc(&ioas2);
	EXPECT_ERRNO(EINVAL, replace(self->fd, c, ioas2, NULL));
	ASSERT_EQ(0, replace(self->fd, c, self->ioas_id, &got));
	EXPECT_EQ(hwpt1, got);

	/* The first device to move moves the group, and the others follow */
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	ASSERT_EQ(0, replace(self->fd, a, ioas2, &hwpt2));
	EXPECT_NE(hwpt1, hwpt2);
	test_cmd_check_domain(a, hwpt2);
	test_cmd_check_domain(b, hwpt2);
	test_cmd_check_domain(c, hwpt2);
	test_cmd_check_domain(d, hwpt2);
	/* The automatic hwpt1 went with its last device */
	test_err_check_map(ENOENT, hwpt1, MOCK_APERTURE_START, PAGE_SIZE,
			   buffer);
	test_ioctl_ioas_unmap(MOCK_APERTURE_START, BUFFER_SIZE);
	test_ioctl_destroy(self->ioas_id);
	test_err_ioctl_destroy(EBUSY, ioas2);

	/* The others moving too is a no-op, also onto the HWPT by id */
	ASSERT_EQ(0, replace(self->fd, b, ioas2, &got));
	EXPECT_EQ(hwpt2, got);
	ASSERT_EQ(0, replace(self->fd, c, hwpt2, &got));
	EXPECT_EQ(hwpt2, got);
	ASSERT_EQ(0, replace(self->fd, a, hwpt2, &got));
	test_cmd_check_domain(d, hwpt2);

	/* Onto an explicit HWPT, moved by another member */
	{
		struct iommu_hwpt_alloc cmd = {
			.size = sizeof(cmd),
			.dev_id = idev_a,
			.pt_id = ioas2,
		};

		ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
		hwpt3 = cmd.out_hwpt_id;
	}
	ASSERT_EQ(0, replace(self->fd, b, hwpt3, &got));
	test_cmd_check_domain(a, hwpt3);
	test_cmd_check_domain(d, hwpt3);
	test_err_ioctl_destroy(EBUSY, hwpt3);
	test_err_check_map(ENOENT, hwpt2, MOCK_APERTURE_START, PAGE_SIZE,
			   buffer);

	/* Detach: the group stays while any member is attached... */
	ASSERT_EQ(0, _test_cmd_mock_detach(self->fd, a));
	ASSERT_EQ(0, _test_cmd_mock_detach(self->fd, a));
	test_cmd_check_domain(d, hwpt3);
	ASSERT_EQ(0, _test_cmd_mock_detach(self->fd, b));
	test_cmd_check_domain(d, hwpt3);
	/* ...and the last detach blocks it, never passthrough */
	ASSERT_EQ(0, _test_cmd_mock_detach(self->fd, c));
	test_cmd_check_domain(a, BLOCKED);
	test_cmd_check_domain(d, BLOCKED);
	EXPECT_ERRNO(EINVAL, _test_cmd_mock_detach(self->fd, d));
	test_ioctl_destroy(hwpt3);

	/* Re-attaching one member brings the group back */
	ASSERT_EQ(0, replace(self->fd, c, ioas2, &got));
	test_cmd_check_domain(d, got);

	/* The last unbind gives the group back to the kernel */
	test_ioctl_destroy(a);
	test_ioctl_destroy(b);
	test_cmd_check_domain(d, got);
	test_ioctl_destroy(c);
	test_cmd_check_domain(d, IDENTITY);
	test_ioctl_destroy(ioas2);
}

/* ---- fail closed ---- */

/* Wait until @stdev is on the blocking domain (the core checks async). */
static int wait_blocked(int fd, __u32 stdev)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	unsigned int i;

	for (i = 0; i != 300; i++) {
		if (!_test_cmd_check_domain(fd, stdev, BLOCKED))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Does the kernel log have a line with both @a and @b? */
static bool kmsg_has(const char *a, const char *b)
{
	char rec[1024];
	bool found = false;
	ssize_t n;
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return false;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = 0;
		if (strstr(rec, a) && strstr(rec, b))
			found = true;
	}
	close(fd);
	return found;
}

TEST_F(groups, fail_closed)
{
	__u32 a, m, n, hwpt, got;

	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, 0, 0, &a,
			     &hwpt, NULL);
	test_cmd_mock_device(0, XIOMMU_MOCK_UNIT_MOCK0, a, NO_BIND, &m, NULL,
			     NULL);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	test_cmd_check_domain(m, hwpt);

	/* An admin binds a kernel driver to the idle member */
	ASSERT_EQ(0, _test_cmd_mock_driver(self->fd, m, 1));
	EXPECT_ERRNO(EBUSY, _test_cmd_mock_driver(self->fd, m, 1));
	ASSERT_EQ(0, wait_blocked(self->fd, a));
	test_cmd_check_domain(m, BLOCKED);
	EXPECT_EQ(true, kmsg_has("fail closed", "xiommu_mock_drv"));

	/* The user side is revoked: no attach or replace, not even a no-op */
	EXPECT_ERRNO(EBUSY, replace(self->fd, a, hwpt, NULL));
	EXPECT_ERRNO(EBUSY, replace(self->fd, a, self->ioas_id, NULL));
	test_err_mock_device(EBUSY, self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, a,
			     0);
	test_cmd_check_domain(a, BLOCKED);
	/* The IOAS itself keeps working */
	test_ioctl_ioas_unmap(MOCK_APERTURE_START, BUFFER_SIZE);
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, MOCK_APERTURE_START);
	test_cmd_check_map(hwpt, MOCK_APERTURE_START, PAGE_SIZE, buffer);

	/* Unbinding the driver does not undo the revocation... */
	ASSERT_EQ(0, _test_cmd_mock_driver(self->fd, m, 0));
	EXPECT_ERRNO(EBUSY, replace(self->fd, a, hwpt, NULL));
	test_cmd_check_domain(a, BLOCKED);
	/* ...the owner releasing the group does */
	test_ioctl_destroy(a);
	test_cmd_check_domain(m, IDENTITY);

	/* A kernel driver on a member makes the group unclaimable */
	ASSERT_EQ(0, _test_cmd_mock_driver(self->fd, m, 1));
	test_err_mock_device(EBUSY, self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, m,
			     0);
	test_err_mock_device(EBUSY, 0, XIOMMU_MOCK_UNIT_MOCK0, m, NO_ATTACH);
	test_cmd_check_domain(m, IDENTITY);
	ASSERT_EQ(0, _test_cmd_mock_driver(self->fd, m, 0));
	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, m, 0, &n,
			     &got, NULL);
	test_cmd_check_domain(m, got);
	test_cmd_check_map(got, MOCK_APERTURE_START, PAGE_SIZE, buffer);
	test_ioctl_destroy(n);
	test_cmd_check_domain(m, IDENTITY);
}

/* A kernel driver bound to the very device user space holds */
TEST_F(groups, fail_closed_bound_device)
{
	__u32 a, hwpt;

	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, 0, 0, &a,
			     &hwpt, NULL);
	ASSERT_EQ(0, _test_cmd_mock_driver(self->fd, a, 1));
	ASSERT_EQ(0, wait_blocked(self->fd, a));
	EXPECT_ERRNO(EBUSY, replace(self->fd, a, hwpt, NULL));
	/* Closing the iommufd releases it with the driver still bound */
}

TEST_HARNESS_MAIN
