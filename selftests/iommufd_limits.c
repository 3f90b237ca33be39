// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_OPTION and pinned-page accounting against RLIMIT_MEMLOCK, on the
 * mock IOMMU (xiommu_mock).
 *
 * Pages are charged when they get pinned (a domain or a pinning access
 * needs them), per user (default) or per process (IOMMU_OPTION_RLIMIT_MODE
 * 1, as VFIO type1 does), against the mapping process's RLIMIT_MEMLOCK; a
 * caller with CAP_IPC_LOCK is not charged. Over the limit a map, attach or
 * pin fails with ENOMEM and pins nothing. The tests drop capabilities in
 * the harness's per-test child process, so other tests keep root's.
 */
#include <assert.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "iommufd_utils.h"

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(16);
}

/* Drop capability @cap from this process's effective and permitted sets. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	data[cap / 32].permitted &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data);
}

/* A field of /proc/self/status in kB ("VmPin", "VmLck"), or -1. */
static long status_kb(const char *field)
{
	char line[256];
	long val = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, strlen(field)) &&
		    line[strlen(field)] == ':') {
			val = strtol(line + strlen(field) + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static int set_memlock(unsigned long bytes)
{
	struct rlimit rl = { .rlim_cur = bytes, .rlim_max = bytes };

	return setrlimit(RLIMIT_MEMLOCK, &rl);
}

/* ---- IOMMU_OPTION ---- */

FIXTURE(options)
{
	int fd;
};

FIXTURE_SETUP(options)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
}

FIXTURE_TEARDOWN(options)
{
	teardown_iommufd(self->fd, _metadata);
}

TEST_F(options, rlimit_mode)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.val64 = 77,
	};
	__u32 ioas_id;

	ASSERT_EQ(0, ioctl(self->fd, IOMMU_OPTION, &cmd));
	EXPECT_EQ(0, cmd.val64);
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.val64 = 1;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.val64 = 2;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_GET;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_OPTION, &cmd));
	EXPECT_EQ(1, cmd.val64);

	/* Global: no object, known ops only */
	cmd.object_id = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.object_id = 0;
	cmd.op = 2;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_SET;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.__reserved = 0;
	cmd.option_id = 99;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.option_id = IOMMU_OPTION_RLIMIT_MODE;

	/* Only while the context is empty */
	test_ioctl_ioas_alloc(&ioas_id);
	cmd.val64 = 0;
	EXPECT_ERRNO(EBUSY, ioctl(self->fd, IOMMU_OPTION, &cmd));
	test_ioctl_destroy(ioas_id);
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_OPTION, &cmd));

	/* And only with CAP_SYS_RESOURCE; reading needs nothing */
	ASSERT_EQ(0, drop_cap(CAP_SYS_RESOURCE));
	cmd.val64 = 1;
	EXPECT_ERRNO(EPERM, ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_GET;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_OPTION, &cmd));
	EXPECT_EQ(0, cmd.val64);
}

TEST_F(options, huge_pages)
{
	__u64 val = 3;
	__u32 ioas_id;

	/* Per IOAS: object 0 and other objects are no IOAS */
	EXPECT_ERRNO(ENOENT, _test_ioctl_option(self->fd,
						IOMMU_OPTION_HUGE_PAGES,
						IOMMU_OPTION_OP_GET, 0, &val));
	test_ioctl_ioas_alloc(&ioas_id);
	ASSERT_EQ(0, _test_ioctl_option(self->fd, IOMMU_OPTION_HUGE_PAGES,
					IOMMU_OPTION_OP_GET, ioas_id, &val));
	EXPECT_EQ(1, val);
	val = 0;
	ASSERT_EQ(0, _test_ioctl_option(self->fd, IOMMU_OPTION_HUGE_PAGES,
					IOMMU_OPTION_OP_SET, ioas_id, &val));
	val = 3;
	ASSERT_EQ(0, _test_ioctl_option(self->fd, IOMMU_OPTION_HUGE_PAGES,
					IOMMU_OPTION_OP_GET, ioas_id, &val));
	EXPECT_EQ(0, val);
	val = 2;
	EXPECT_ERRNO(EINVAL, _test_ioctl_option(self->fd,
						IOMMU_OPTION_HUGE_PAGES,
						IOMMU_OPTION_OP_SET, ioas_id,
						&val));
	EXPECT_ERRNO(EOPNOTSUPP, _test_ioctl_option(self->fd,
						    IOMMU_OPTION_HUGE_PAGES,
						    2, ioas_id, &val));
	/* Off means PAGE_SIZE alignment, also with no domain */
	EXPECT_ERRNO(EINVAL, _test_ioctl_ioas_map(self->fd, ioas_id,
						  (char *)buffer + 1,
						  PAGE_SIZE,
						  &(__u64){ PAGE_SIZE },
						  MAP_RW |
						  IOMMU_IOAS_MAP_FIXED_IOVA));
	/* Turning it off over a misaligned mapping: EADDRINUSE */
	val = 1;
	ASSERT_EQ(0, _test_ioctl_option(self->fd, IOMMU_OPTION_HUGE_PAGES,
					IOMMU_OPTION_OP_SET, ioas_id, &val));
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, ioas_id,
					  (char *)buffer + 1, PAGE_SIZE,
					  &(__u64){ PAGE_SIZE },
					  MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	val = 0;
	EXPECT_ERRNO(EADDRINUSE, _test_ioctl_option(self->fd,
						    IOMMU_OPTION_HUGE_PAGES,
						    IOMMU_OPTION_OP_SET,
						    ioas_id, &val));
	test_ioctl_destroy(ioas_id);
}

/* ---- accounting ---- */

FIXTURE(accounting)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_id;
};

FIXTURE_VARIANT(accounting)
{
	bool mm_mode;
};

FIXTURE_VARIANT_ADD(accounting, per_user)
{
	.mm_mode = false,
};

FIXTURE_VARIANT_ADD(accounting, per_process)
{
	.mm_mode = true,
};

FIXTURE_SETUP(accounting)
{
	__u64 val = variant->mm_mode;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	ASSERT_EQ(0, _test_ioctl_option(self->fd, IOMMU_OPTION_RLIMIT_MODE,
					IOMMU_OPTION_OP_SET, 0, &val));
	test_ioctl_ioas_alloc(&self->ioas_id);
	/* From here on this test process is charged for what it pins */
	ASSERT_EQ(0, drop_cap(CAP_IPC_LOCK));
	ASSERT_EQ(0, set_memlock(4 * PAGE_SIZE));
}

FIXTURE_TEARDOWN(accounting)
{
	teardown_iommufd(self->fd, _metadata);
}

/* Locked memory charged to this process (per process mode only) */
#define charged_kb() (variant->mm_mode ? status_kb("VmLck") : 0)

TEST_F(accounting, map_over_limit)
{
	long pin0 = status_kb("VmPin");
	__u64 iova = MOCK_APERTURE_START;
	__u32 hwpt;

	ASSERT_LE(0, pin0);
	test_cmd_mock_domain(self->ioas_id, &self->stdev_id, &hwpt, NULL);
	/* Five pages with a limit of four: nothing pinned at all */
	test_err_ioctl_ioas_map_fixed(ENOMEM, buffer, 5 * PAGE_SIZE, iova);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	EXPECT_EQ(pin0, status_kb("VmPin"));
	EXPECT_EQ(0, charged_kb());

	/* Up to the limit is fine */
	test_ioctl_ioas_map_fixed(buffer, 3 * PAGE_SIZE, iova);
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, iova + 4 * PAGE_SIZE);
	EXPECT_EQ(pin0 + 4 * PAGE_SIZE / 1024, status_kb("VmPin"));
	if (variant->mm_mode)
		EXPECT_EQ(4 * PAGE_SIZE / 1024, charged_kb());
	test_err_ioctl_ioas_map_fixed(ENOMEM, (char *)buffer + 8 * PAGE_SIZE,
				      PAGE_SIZE, iova + 8 * PAGE_SIZE);
	/* Copies share the pinned pages: no new charge */
	ASSERT_EQ(0, _test_ioctl_ioas_copy_flags(self->fd,
						 MAP_RW |
							 IOMMU_IOAS_MAP_FIXED_IOVA,
						 self->ioas_id,
						 &(__u64){ iova + 16 * PAGE_SIZE },
						 self->ioas_id, iova,
						 3 * PAGE_SIZE));
	EXPECT_EQ(pin0 + 4 * PAGE_SIZE / 1024, status_kb("VmPin"));

	/* Unmapping returns the charge */
	test_ioctl_ioas_unmap(iova, 3 * PAGE_SIZE);
	test_ioctl_ioas_unmap(iova + 16 * PAGE_SIZE, 3 * PAGE_SIZE);
	EXPECT_EQ(pin0 + PAGE_SIZE / 1024, status_kb("VmPin"));
	test_ioctl_ioas_map_fixed((char *)buffer + 8 * PAGE_SIZE,
				  3 * PAGE_SIZE, iova + 8 * PAGE_SIZE);
	test_ioctl_destroy(self->stdev_id);
	EXPECT_EQ(pin0, status_kb("VmPin"));
	EXPECT_EQ(0, charged_kb());
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
}

/* Nothing is charged until a domain needs the pages; then all or nothing */
TEST_F(accounting, attach_over_limit)
{
	long pin0 = status_kb("VmPin");
	__u64 iova = MOCK_APERTURE_START;
	__u32 hwpt;

	test_ioctl_ioas_map_fixed(buffer, 3 * PAGE_SIZE, iova);
	test_ioctl_ioas_map_fixed(buffer, 2 * PAGE_SIZE, iova + 8 * PAGE_SIZE);
	EXPECT_EQ(pin0, status_kb("VmPin"));
	test_err_mock_domain(ENOMEM, self->ioas_id, NULL, NULL, NULL);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	EXPECT_EQ(pin0, status_kb("VmPin"));
	EXPECT_EQ(0, charged_kb());

	test_ioctl_ioas_unmap(iova + 8 * PAGE_SIZE, 2 * PAGE_SIZE);
	test_cmd_mock_domain(self->ioas_id, NULL, &hwpt, NULL);
	test_cmd_check_map(hwpt, iova, 3 * PAGE_SIZE, buffer);
	EXPECT_EQ(pin0 + 3 * PAGE_SIZE / 1024, status_kb("VmPin"));
}

/* An access pin is charged like a domain's */
TEST_F(accounting, access_over_limit)
{
	__u64 iova = MOCK_APERTURE_START;
	__u32 id;
	int afd;

	test_ioctl_ioas_map_fixed(buffer, 8 * PAGE_SIZE, iova);
	test_cmd_create_access(self->ioas_id, &afd,
			       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	test_err_access_pages(ENOMEM, afd, iova, 5 * PAGE_SIZE, buffer, 0);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	test_cmd_access_pages(afd, iova, 4 * PAGE_SIZE, buffer, 0, &id);
	test_err_access_pages(ENOMEM, afd, iova + 4 * PAGE_SIZE, PAGE_SIZE,
			      (char *)buffer + 4 * PAGE_SIZE, 0);
	/* The same pages again cost nothing */
	test_cmd_access_pages(afd, iova + PAGE_SIZE, PAGE_SIZE,
			      (char *)buffer + PAGE_SIZE, 0, NULL);
	test_cmd_destroy_access(afd);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	EXPECT_EQ(0, charged_kb());
}

/* Without CAP_IPC_LOCK the limit applies to pins at attach time too */
TEST_F(accounting, no_limit_without_domain)
{
	/* Not pinned, not charged: any size maps */
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	test_err_mock_domain(ENOMEM, self->ioas_id, NULL, NULL, NULL);
	test_ioctl_ioas_unmap(MOCK_APERTURE_START, BUFFER_SIZE);
	test_cmd_mock_domain(self->ioas_id, NULL, NULL, NULL);
}

/* A mapper with CAP_IPC_LOCK is never charged */
TEST_F(options, ipc_lock_exempt)
{
	long pin0 = status_kb("VmPin");
	__u32 ioas_id, hwpt;

	ASSERT_EQ(0, set_memlock(0));
	test_ioctl_ioas_alloc(&ioas_id);
	ASSERT_EQ(0, _test_cmd_mock_domain(self->fd, ioas_id, NULL, &hwpt,
					   NULL));
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, ioas_id, buffer,
					  BUFFER_SIZE,
					  &(__u64){ MOCK_APERTURE_START },
					  MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	test_cmd_check_map(hwpt, MOCK_APERTURE_START, BUFFER_SIZE, buffer);
	/* Pinned all the same */
	EXPECT_EQ(pin0 + BUFFER_SIZE / 1024, status_kb("VmPin"));
	EXPECT_EQ(0, status_kb("VmLck"));
}

TEST_HARNESS_MAIN
