// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_MAP_FILE on the mock IOMMU (xiommu_mock): mapping a memfd by
 * file offset (src/iommufd/pages_file.c).
 *
 * Each test maps a 16-page memfd that the test also mmaps shared at
 * self->mem, so the mock's CHECK_MAP and CHECK_REFS (which take a user
 * address) see the file's pages. Fixture map_file runs with 0, 1 and 2
 * mock domains on the IOAS. Expected errno values are upstream iommufd's
 * (IOMMU_IOAS_MAP_FILE, Linux 6.13+) unless a comment says otherwise; every
 * teardown checks that no page of the memfd or the test buffer is left
 * pinned.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>

#include "iommufd_utils.h"

#define FILE_PAGES 16

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(4);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static int map_file(int fd, __u32 flags, __u32 ioas_id, int mfd,
		    __u64 start, __u64 length, __u64 *iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.fd = mfd,
		.start = start,
		.length = length,
		.iova = *iova,
	};
	int ret;

	ret = ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);
	if (!ret)
		*iova = cmd.iova;
	return ret;
}

#define test_map_file(mfd, start, length, iovap)                           \
	ASSERT_EQ(0, map_file(self->fd, MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA, \
			      self->ioas_id, mfd, start, length, iovap))
#define test_err_map_file(err, flags, mfd, start, length)                  \
	({                                                                 \
		__u64 __iova = self->base_iova;                            \
		EXPECT_ERRNO(err, map_file(self->fd, flags, self->ioas_id, \
					   mfd, start, length, &__iova));  \
	})

FIXTURE(map_file)
{
	int fd;
	int mfd;
	void *mem;
	size_t len;
	__u32 ioas_id;
	__u32 stdev_ids[2];
	__u32 hwpt_ids[2];
	__u64 base_iova;
};

MOCK_DOMAIN_VARIANTS(map_file);

FIXTURE_SETUP(map_file)
{
	unsigned int i;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	for (i = 0; i != variant->mock_domains; i++)
		test_cmd_mock_domain(self->ioas_id, &self->stdev_ids[i],
				     &self->hwpt_ids[i], NULL);
	self->base_iova = MOCK_APERTURE_START;

	self->len = FILE_PAGES * PAGE_SIZE;
	self->mfd = memfd_create("map_file", MFD_ALLOW_SEALING);
	ASSERT_NE(-1, self->mfd);
	ASSERT_EQ(0, ftruncate(self->mfd, self->len));
	self->mem = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->mfd, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0xa5, self->len);
}

FIXTURE_TEARDOWN(map_file)
{
	/* Close the IOAS first: then nothing of the memfd may stay pinned. */
	teardown_iommufd(self->fd, _metadata);
	self->fd = open("/dev/iommu", O_RDWR);
	EXPECT_NE(-1, self->fd);
	EXPECT_EQ(0, _test_cmd_check_refs(self->fd, self->mem, self->len, 0));
	close(self->fd);
	munmap(self->mem, self->len);
	close(self->mfd);
}

/* Every mock HWPT maps [iova, iova + length) to the memory at @uptr. */
#define check_mock_iova(uptr, iova, length)                                \
	({                                                                 \
		unsigned int __i;                                          \
		for (__i = 0; __i != variant->mock_domains; __i++)         \
			test_cmd_check_map(self->hwpt_ids[__i], iova,      \
					   length, uptr);                  \
	})

/* A mapping pins its pages once if a domain needs them, else not at all. */
#define mapped_refs() (variant->mock_domains ? 1 : 0)

/* Whole file and a slice at an offset, as IOMMU_IOAS_MAP of the mmap. */
TEST_F(map_file, basic)
{
	__u64 iova = self->base_iova, iova2 = self->base_iova + self->len;
	char *mem = self->mem;

	test_map_file(self->mfd, 0, self->len, &iova);
	check_mock_iova(mem, iova, self->len);
	test_cmd_check_refs(mem, self->len, mapped_refs());

	/* Pages 3..7: a second mapping shares no pin bookkeeping */
	test_map_file(self->mfd, 3 * PAGE_SIZE, 5 * PAGE_SIZE, &iova2);
	EXPECT_NE(iova, iova2);
	check_mock_iova(mem + 3 * PAGE_SIZE, iova2, 5 * PAGE_SIZE);
	test_cmd_check_refs(mem + 3 * PAGE_SIZE, 5 * PAGE_SIZE,
			    2 * mapped_refs());

	test_ioctl_ioas_unmap(iova, self->len);
	test_cmd_check_refs(mem, 3 * PAGE_SIZE, 0);
	test_cmd_check_refs(mem + 3 * PAGE_SIZE, 5 * PAGE_SIZE,
			    mapped_refs());
	test_ioctl_ioas_unmap(iova2, 5 * PAGE_SIZE);
	test_cmd_check_refs(mem, self->len, 0);
}

/* The file's pages, not the caller's address space: no VA is needed. */
TEST_F(map_file, no_user_va)
{
	__u64 iova = self->base_iova;
	__u32 stdev, hwpt;
	int dupfd;

	test_map_file(self->mfd, 0, self->len, &iova);
	/* Drop the user mapping and our fd: the IOAS still names the file */
	ASSERT_EQ(0, munmap(self->mem, self->len));
	dupfd = dup(self->mfd);
	ASSERT_NE(-1, dupfd);
	close(self->mfd);
	/* Attaching a domain now pins the file's pages */
	test_cmd_mock_domain(self->ioas_id, &stdev, &hwpt, NULL);

	/* Look at them through a new mapping of the same file */
	self->mfd = dupfd;
	self->mem = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->mfd, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	test_cmd_check_map(hwpt, iova, self->len, self->mem);
	test_cmd_check_refs(self->mem, self->len, 1);
	test_ioctl_destroy(stdev);
	test_cmd_check_refs(self->mem, self->len, mapped_refs());
	test_ioctl_ioas_unmap(iova, self->len);
}

/* Errno of bad input, in upstream's order; nothing is left behind. */
TEST_F(map_file, bad_input)
{
	__u64 iova = self->base_iova;
	int ro, nul, sealed;
	char path[64];

	test_err_map_file(EOPNOTSUPP, MAP_RW | (1U << 3), self->mfd, 0,
			  PAGE_SIZE);
	test_err_map_file(EINVAL, 0, self->mfd, 0, PAGE_SIZE);
	test_err_map_file(EOVERFLOW, MAP_RW, self->mfd, 0, UINT64_MAX);
	test_err_map_file(EOVERFLOW, MAP_RW, self->mfd, UINT64_MAX - 1,
			  PAGE_SIZE);
	test_err_map_file(EINVAL, MAP_RW, self->mfd, 0, 0);
	test_err_map_file(EBADF, MAP_RW, -1, 0, PAGE_SIZE);
	EXPECT_ERRNO(ENOENT, map_file(self->fd, MAP_RW, 999999, self->mfd, 0,
				      PAGE_SIZE, &iova));

	/* Not a memory file (ours refuses at map time, upstream at pin) */
	nul = open("/dev/null", O_RDWR);
	ASSERT_NE(-1, nul);
	test_err_map_file(EINVAL, MAP_RW, nul, 0, PAGE_SIZE);
	close(nul);
	/* The iommufd itself: no reference cycle */
	test_err_map_file(EINVAL, MAP_RW, self->fd, 0, PAGE_SIZE);

	/* Read-only fd: readable mappings only */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->mfd);
	ro = open(path, O_RDONLY);
	ASSERT_NE(-1, ro);
	test_err_map_file(EPERM, MAP_RW, ro, 0, PAGE_SIZE);
	test_err_map_file(EPERM, IOMMU_IOAS_MAP_WRITEABLE, ro, 0, PAGE_SIZE);
	iova = self->base_iova;
	ASSERT_EQ(0, map_file(self->fd, IOMMU_IOAS_MAP_READABLE,
			      self->ioas_id, ro, 0, PAGE_SIZE, &iova));
	close(ro);
	check_mock_iova(self->mem, iova, PAGE_SIZE);
	test_ioctl_ioas_unmap(iova, PAGE_SIZE);

	/* Write-sealed: no writeable mapping; readable is fine */
	sealed = memfd_create("sealed", MFD_ALLOW_SEALING);
	ASSERT_NE(-1, sealed);
	ASSERT_EQ(0, ftruncate(sealed, PAGE_SIZE));
	ASSERT_EQ(0, fcntl(sealed, F_ADD_SEALS, F_SEAL_WRITE));
	test_err_map_file(EPERM, MAP_RW, sealed, 0, PAGE_SIZE);
	iova = self->base_iova;
	ASSERT_EQ(0, map_file(self->fd, IOMMU_IOAS_MAP_READABLE,
			      self->ioas_id, sealed, 0, PAGE_SIZE, &iova));
	test_ioctl_ioas_unmap(iova, PAGE_SIZE);
	close(sealed);

	/* A writeable mapping holds off F_SEAL_WRITE until it is unmapped */
	sealed = memfd_create("sealed", MFD_ALLOW_SEALING);
	ASSERT_NE(-1, sealed);
	ASSERT_EQ(0, ftruncate(sealed, PAGE_SIZE));
	iova = self->base_iova;
	ASSERT_EQ(0, map_file(self->fd, MAP_RW, self->ioas_id, sealed, 0,
			      PAGE_SIZE, &iova));
	EXPECT_ERRNO(EBUSY, fcntl(sealed, F_ADD_SEALS, F_SEAL_WRITE));
	test_ioctl_ioas_unmap(iova, PAGE_SIZE);
	EXPECT_EQ(0, fcntl(sealed, F_ADD_SEALS, F_SEAL_WRITE));
	close(sealed);

	/* Nothing mapped, nothing pinned */
	test_err_ioctl_ioas_unmap(ENOENT, self->base_iova, PAGE_SIZE);
	test_cmd_check_refs(self->mem, self->len, 0);
}

/* Past the file's end: EINVAL when the pages get pinned (upstream's). */
TEST_F(map_file, past_eof)
{
	__u64 iova = self->base_iova;
	__u32 stdev, hwpt;

	if (variant->mock_domains) {
		test_err_map_file(EINVAL, MAP_RW, self->mfd,
				  (FILE_PAGES - 1) * PAGE_SIZE, 2 * PAGE_SIZE);
		test_err_map_file(EINVAL, MAP_RW, self->mfd,
				  FILE_PAGES * PAGE_SIZE, PAGE_SIZE);
		test_cmd_check_refs(self->mem, self->len, 0);
		return;
	}
	/* Nothing is pinned without a domain: the map succeeds ... */
	test_map_file(self->mfd, (FILE_PAGES - 1) * PAGE_SIZE, 2 * PAGE_SIZE,
		      &iova);
	/* ... and attaching a domain fails, leaving nothing pinned */
	test_err_mock_domain(EINVAL, self->ioas_id, &stdev, &hwpt, NULL);
	test_cmd_check_refs(self->mem, self->len, 0);
	/* Growing the file makes it pinnable */
	ASSERT_EQ(0, ftruncate(self->mfd, self->len + PAGE_SIZE));
	test_cmd_mock_domain(self->ioas_id, &stdev, &hwpt, NULL);
	test_cmd_check_refs((char *)self->mem + (FILE_PAGES - 1) * PAGE_SIZE,
			    PAGE_SIZE, 1);
	test_ioctl_destroy(stdev);
	test_ioctl_ioas_unmap(iova, 2 * PAGE_SIZE);
}

/* Holes of a sparse memfd are allocated when pinned. */
TEST_F(map_file, hole)
{
	__u64 iova = self->base_iova;
	char *mem;
	int mfd;

	mfd = memfd_create("hole", 0);
	ASSERT_NE(-1, mfd);
	ASSERT_EQ(0, ftruncate(mfd, 4 * PAGE_SIZE));
	test_map_file(mfd, 0, 4 * PAGE_SIZE, &iova);
	mem = mmap(NULL, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   mfd, 0);
	ASSERT_NE(MAP_FAILED, mem);
	check_mock_iova(mem, iova, 4 * PAGE_SIZE);
	test_cmd_check_refs(mem, 4 * PAGE_SIZE, mapped_refs());
	test_ioctl_ioas_unmap(iova, 4 * PAGE_SIZE);
	test_cmd_check_refs(mem, 4 * PAGE_SIZE, 0);
	munmap(mem, 4 * PAGE_SIZE);
	close(mfd);
}

/* COPY of a file-backed range shares its pins, in another IOAS too. */
TEST_F(map_file, copy)
{
	__u64 iova = self->base_iova, dst_iova = self->base_iova;
	__u32 ioas2, stdev, hwpt;

	test_map_file(self->mfd, 0, self->len, &iova);
	test_ioctl_ioas_alloc(&ioas2);
	test_cmd_mock_domain(ioas2, &stdev, &hwpt, NULL);
	ASSERT_EQ(0, _test_ioctl_ioas_copy_flags(self->fd, MAP_RW, ioas2,
						 &dst_iova, self->ioas_id,
						 iova + PAGE_SIZE,
						 4 * PAGE_SIZE));
	test_cmd_check_map(hwpt, dst_iova, 4 * PAGE_SIZE,
			   (char *)self->mem + PAGE_SIZE);
	/* One pin however many domains and IOASes show the pages */
	test_cmd_check_refs((char *)self->mem + PAGE_SIZE, 4 * PAGE_SIZE, 1);
	test_ioctl_ioas_unmap(iova, self->len);
	test_cmd_check_refs((char *)self->mem + PAGE_SIZE, 4 * PAGE_SIZE, 1);
	test_ioctl_destroy(stdev);
	test_cmd_check_refs(self->mem, self->len, 0);
}

/* Access objects pin and copy file-backed memory by IOVA. */
TEST_F(map_file, access)
{
	__u64 iova = self->base_iova;
	char *mem = self->mem;
	char data[64], back[64];
	__u32 pages_id;
	int access_fd;

	test_map_file(self->mfd, 0, self->len, &iova);
	test_cmd_create_access(self->ioas_id, &access_fd,
			       MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);

	/* Copies before anything is pinned (without domains) and after */
	memset(data, 0x3c, sizeof(data));
	test_cmd_access_rw(access_fd, iova + PAGE_SIZE - 8, data,
			   sizeof(data), MOCK_ACCESS_RW_WRITE);
	EXPECT_EQ(0, memcmp(mem + PAGE_SIZE - 8, data, sizeof(data)));
	mem[5 * PAGE_SIZE] = 0x42;
	test_cmd_access_rw(access_fd, iova + 5 * PAGE_SIZE, back,
			   sizeof(back), 0);
	EXPECT_EQ(0x42, back[0]);

	/* A pin is a user: the pages stay pinned until it is undone */
	test_cmd_access_pages(access_fd, iova + 2 * PAGE_SIZE,
			      3 * PAGE_SIZE, mem + 2 * PAGE_SIZE, 0,
			      &pages_id);
	test_cmd_check_refs(mem + 2 * PAGE_SIZE, 3 * PAGE_SIZE, 1);
	memset(data, 0x77, sizeof(data));
	test_cmd_access_rw(access_fd, iova + 3 * PAGE_SIZE, data,
			   sizeof(data), MOCK_ACCESS_RW_WRITE);
	EXPECT_EQ(0x77, mem[3 * PAGE_SIZE]);
	test_cmd_destroy_access_pages(access_fd, pages_id);
	test_cmd_check_refs(mem + 2 * PAGE_SIZE, 3 * PAGE_SIZE,
			    mapped_refs());
	test_cmd_destroy_access(access_fd);
	test_ioctl_ioas_unmap(iova, self->len);
}

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

/* RLIMIT_MEMLOCK applies as for IOMMU_IOAS_MAP, when pages get pinned. */
TEST_F(map_file, accounting)
{
	struct rlimit rl = { 4 * PAGE_SIZE, 4 * PAGE_SIZE };
	__u64 iova = self->base_iova;
	__u32 stdev, hwpt;

	ASSERT_EQ(0, drop_cap(CAP_IPC_LOCK));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	if (variant->mock_domains) {
		test_err_map_file(ENOMEM, MAP_RW, self->mfd, 0,
				  5 * PAGE_SIZE);
		test_cmd_check_refs(self->mem, self->len, 0);
		test_map_file(self->mfd, 0, 4 * PAGE_SIZE, &iova);
		test_cmd_check_refs(self->mem, 4 * PAGE_SIZE, 1);
		test_ioctl_ioas_unmap(iova, 4 * PAGE_SIZE);
		return;
	}
	test_map_file(self->mfd, 0, 5 * PAGE_SIZE, &iova);
	test_err_mock_domain(ENOMEM, self->ioas_id, &stdev, &hwpt, NULL);
	test_cmd_check_refs(self->mem, self->len, 0);
	test_ioctl_ioas_unmap(iova, 5 * PAGE_SIZE);
}

static int change_process(int fd, __u32 reserved)
{
	struct iommu_ioas_change_process cmd = {
		.size = sizeof(cmd),
		.__reserved = reserved,
	};

	return ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd);
}

/* This process's VmPin (mm->pinned_vm) in kB, or -1. */
static long vm_pin_kb(void)
{
	char line[256];
	long val = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmPin:", 6))
			val = strtol(line + 6, NULL, 10);
	fclose(f);
	return val;
}

/*
 * CHANGE_PROCESS moves what file mappings pin to the caller: a forked
 * child takes the charge over (over its RLIMIT_MEMLOCK: ENOMEM, nothing
 * moves), then the parent takes it back. A user-VA mapping: EINVAL.
 */
TEST_F(map_file, change_process)
{
	struct rlimit rl = { 64 * PAGE_SIZE, 64 * PAGE_SIZE };
	long pinned_kb = variant->mock_domains ? self->len / 1024 : 0;
	__u64 iova = self->base_iova, va_iova = self->base_iova + self->len;
	int to_child[2], to_parent[2];
	long pin0;
	pid_t pid;
	char c;

	/* Charged from here on, with room for the pages twice over */
	ASSERT_EQ(0, drop_cap(CAP_IPC_LOCK));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	EXPECT_ERRNO(EOPNOTSUPP, change_process(self->fd, 1));
	/* Nothing mapped: nothing to move */
	ASSERT_EQ(0, change_process(self->fd, 0));

	pin0 = vm_pin_kb();
	ASSERT_LE(0, pin0);
	test_map_file(self->mfd, 0, self->len, &iova);
	ASSERT_EQ(pin0 + pinned_kb, vm_pin_kb());
	/* A user-VA mapping cannot move: EINVAL and nothing changed */
	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, va_iova);
	EXPECT_ERRNO(EINVAL, change_process(self->fd, 0));
	test_ioctl_ioas_unmap(va_iova, PAGE_SIZE);
	ASSERT_EQ(pin0 + pinned_kb, vm_pin_kb());

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_NE(-1, pid);
	if (!pid) {
		struct rlimit low = { 4 * PAGE_SIZE, 64 * PAGE_SIZE };
		long child0 = vm_pin_kb();
		int bad = 0;

		/* A parent that fails before writing must not leave us hung */
		close(to_child[1]);
		close(to_parent[0]);

		/* Over the child's limit: ENOMEM, nothing moved */
		if (setrlimit(RLIMIT_MEMLOCK, &low))
			_exit(10);
		if (variant->mock_domains &&
		    (change_process(self->fd, 0) != -1 || errno != ENOMEM))
			bad |= 1;
		if (vm_pin_kb() != child0)
			bad |= 2;
		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(11);
		if (change_process(self->fd, 0))
			bad |= 4;
		if (vm_pin_kb() != child0 + pinned_kb)
			bad |= 8;
		/* Again: already ours, a no-op */
		if (change_process(self->fd, 0) ||
		    vm_pin_kb() != child0 + pinned_kb)
			bad |= 16;
		if (write(to_parent[1], "x", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			bad |= 32;
		_exit(bad);
	}
	close(to_child[0]);
	close(to_parent[1]);
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	/* The child carries the pins now */
	EXPECT_EQ(pin0, vm_pin_kb());
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	{
		int status;

		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	/* The child is gone; take the charge back */
	ASSERT_EQ(0, change_process(self->fd, 0));
	EXPECT_EQ(pin0 + pinned_kb, vm_pin_kb());
	test_ioctl_ioas_unmap(iova, self->len);
	EXPECT_EQ(pin0, vm_pin_kb());
}

/* A MFD_HUGETLB memfd: huge pages, mapped in 4 KiB slices or whole. */
TEST_F(map_file, hugetlb)
{
	size_t huge = 2UL << 20;
	__u64 iova = self->base_iova;
	char *mem;
	int mfd, sys;

	/* Grow the pool to 4 if needed; never shrink a boot-time reserve */
	sys = open("/proc/sys/vm/nr_hugepages", O_RDWR);
	if (sys != -1) {
		char cur[16] = "";

		if (read(sys, cur, sizeof(cur) - 1) <= 0 || atoi(cur) < 4) {
			if (pwrite(sys, "4", 1, 0) != 1)
				TH_LOG("cannot reserve huge pages");
		}
		close(sys);
	}
	mfd = memfd_create("huge", MFD_HUGETLB);
	if (mfd == -1 || ftruncate(mfd, 2 * huge)) {
		if (mfd != -1)
			close(mfd);
		SKIP(return, "no 2 MiB huge pages");
	}
	mem = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_SHARED, mfd,
		   0);
	ASSERT_NE(MAP_FAILED, mem);
	/* Only the first huge page is populated; the second is a hole */
	memset(mem, 0x11, PAGE_SIZE);

	test_map_file(mfd, PAGE_SIZE, 2 * huge - PAGE_SIZE, &iova);
	if (variant->mock_domains)
		mem[huge] = 0x22;	/* the pin allocated the hole */
	check_mock_iova(mem + PAGE_SIZE, iova, 2 * huge - PAGE_SIZE);
	test_ioctl_ioas_unmap(iova, 2 * huge - PAGE_SIZE);
	munmap(mem, 2 * huge);
	close(mfd);
}

TEST_HARNESS_MAIN
