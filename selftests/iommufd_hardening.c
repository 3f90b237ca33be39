// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hostile-user regression tests on the mock IOMMU (issue 11):
 *  - IOMMU_TEST_CMD demands CAP_SYS_ADMIN (the test ops reach driver
 *    internals); the rest of /dev/iommu does not;
 *  - xiommu_mock survives its own inputs (MOCK_DOMAIN_REPLACE on a device
 *    made with XIOMMU_MOCK_DEVICE_NO_BIND);
 *  - kernel memory follows what is pinned and charged, never the IOVA
 *    length asked for (Documentation/iommufd.md, "Memory bounds").
 *
 *   scripts/vm --profile mock --add build/bin/iommufd_hardening -- /iommufd_hardening
 */
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "iommufd_utils.h"

#define NOBODY		65534
#define NO_BIND		XIOMMU_MOCK_DEVICE_NO_BIND

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(16);
}

FIXTURE(hard)
{
	int fd;
	__u32 ioas_id;
};

FIXTURE_SETUP(hard)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
}

FIXTURE_TEARDOWN(hard)
{
	teardown_iommufd(self->fd, _metadata);
}

/* A /proc/meminfo field in kB, or -1. */
static long meminfo_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			val = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return val;
}

/* Kernel memory a user can make us allocate: slab + vmalloc, in kB. */
static long kmem_kb(void)
{
	return meminfo_kb("Slab") + meminfo_kb("VmallocUsed");
}

/* Samples kmem_kb() until told to stop, keeping the peak. */
struct sampler {
	pthread_t thread;
	volatile bool stop;
	long peak;
};

static void *sampler_fn(void *arg)
{
	struct sampler *sp = arg;
	struct timespec ts = { .tv_nsec = 2 * 1000 * 1000 };

	while (!sp->stop) {
		long kb = kmem_kb();

		if (kb > sp->peak)
			sp->peak = kb;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Become uid/gid 65534 with no capabilities and @memlock bytes of RLIMIT_MEMLOCK. */
static int become_nobody(unsigned long memlock)
{
	struct rlimit rl = { .rlim_cur = memlock, .rlim_max = memlock };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return -errno;
	if (setgid(NOBODY) || setuid(NOBODY))
		return -errno;
	return 0;
}

/*
 * Guards item 4: IOMMU_TEST_CMD was usable by any opener of /dev/iommu
 * while xiommu_mock was loaded. Without CAP_SYS_ADMIN it is EPERM; the
 * real ioctls still work.
 */
TEST_F(hard, test_cmd_needs_cap_sys_admin)
{
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		__u32 ioas;

		if (become_nobody(1 << 20))
			_exit(10);
		if (!_test_cmd_mock_domain(self->fd, self->ioas_id, NULL, NULL,
					   NULL) || errno != EPERM)
			_exit(11);
		if (!_test_cmd_create_access(self->fd, self->ioas_id,
					     &(int){ 0 }, 0) || errno != EPERM)
			_exit(12);
		if (_test_ioctl_ioas_alloc(self->fd, &ioas))
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Root still has it */
	test_cmd_mock_domain(self->ioas_id, NULL, NULL, NULL);
}

/*
 * Guards item 4: MOCK_DOMAIN_REPLACE on a device made with
 * XIOMMU_MOCK_DEVICE_NO_BIND dereferenced its NULL device object (an
 * oops); it is EINVAL.
 */
TEST_F(hard, replace_on_unbound_mock_device)
{
	__u32 stdev, hwpt, idle;

	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK0, 0, 0,
			     &stdev, &hwpt, NULL);
	test_cmd_mock_device(0, XIOMMU_MOCK_UNIT_MOCK0, 0, NO_BIND, &idle,
			     NULL, NULL);
	EXPECT_ERRNO(EINVAL, _test_cmd_mock_domain_replace(self->fd, idle,
							   hwpt, NULL));
	EXPECT_ERRNO(EINVAL, _test_cmd_mock_domain_replace(self->fd, idle,
							   self->ioas_id,
							   NULL));
}

/*
 * Guards item 2: an unprivileged user (uid 65534, 1 MiB RLIMIT_MEMLOCK)
 * mapping 2^38 bytes into an IOAS with a domain gets ENOMEM at once, and
 * the kernel allocates nothing on the way: the old code allocated 8 bytes
 * per 4 KiB page of the request (512 MiB) before charging.
 */
TEST_F(hard, huge_map_unprivileged_enomem)
{
	pid_t pid;
	int status;

	test_cmd_mock_device(self->ioas_id, XIOMMU_MOCK_UNIT_MOCK1, 0, 0,
			     NULL, NULL, NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		__u64 iova = XIOMMU_MOCK1_APERTURE_START;
		struct sampler sp = { .peak = 0 };
		long before, after;
		double t0, dt;
		int i;

		if (become_nobody(1 << 20))
			_exit(10);
		before = kmem_kb();
		sp.peak = before;
		if (pthread_create(&sp.thread, NULL, sampler_fn, &sp))
			_exit(14);
		t0 = now_s();
		/* Three at once used to wake the OOM killer */
		for (i = 0; i < 3; i++) {
			if (!_test_ioctl_ioas_map(self->fd, self->ioas_id,
						  buffer, 1ULL << 38, &iova,
						  MAP_RW |
						  IOMMU_IOAS_MAP_FIXED_IOVA))
				_exit(11);
			if (errno != ENOMEM)
				_exit(12);
		}
		dt = now_s() - t0;
		sp.stop = true;
		pthread_join(sp.thread, NULL);
		after = kmem_kb();
		fprintf(stderr, "# 3 maps of 2^38 bytes: %.3f s, kmem %ld -> %ld kB, peak %ld kB\n",
			dt, before, after, sp.peak);
		/*
		 * Slab noise is far below 4 MiB; the old array was 512 MiB.
		 * On the debug kernel KASAN's quarantine keeps freed objects
		 * counted in Slab for a while (2 MiB seen after this test),
		 * so what stays afterwards gets the same 4 MiB bound.
		 */
		if (sp.peak - before > 4096 || after - before > 4096)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * Guards item 2: one access pin of one page of a 16 GiB mapping held a
 * page-pointer array for the whole mapping (32 MiB of vmalloc) for as
 * long as the pin lasted. Now the kernel memory held follows the pinned
 * pages only.
 */
TEST_F(hard, one_page_pin_of_huge_mapping)
{
	__u64 iova = XIOMMU_MOCK1_APERTURE_START, len = 1ULL << 34;
	long before, during;
	__u32 pages_id;
	int access_fd;

	/* No domain: nothing is pinned (or even looked at) by the map */
	test_ioctl_ioas_map_fixed(buffer, len, iova);
	test_cmd_create_access(self->ioas_id, &access_fd,
			       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	before = kmem_kb();
	test_cmd_access_pages(access_fd, iova, PAGE_SIZE, buffer, 0, &pages_id);
	during = kmem_kb();
	TH_LOG("one pinned page of 16 GiB: kmem %ld -> %ld kB", before, during);
	EXPECT_GT(1024, during - before);
	test_cmd_destroy_access_pages(access_fd, pages_id);
	test_cmd_destroy_access(access_fd);
	test_ioctl_ioas_unmap(iova, len);
}

TEST_HARNESS_MAIN
