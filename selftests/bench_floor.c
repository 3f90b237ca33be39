// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_floor: the uAPI of drivers/test/xiommu_bench_floor.ko, the floor of
 * `make bench` (Documentation/bench.md): every rejected argument gets its
 * errno and leaves nothing held, a failed pin holds nothing, pins stack
 * and unpin from the end. Needs the module loaded (no profile loads it):
 *   scripts/vm --profile mock --add build/bin/bench_floor \
 *     --add drivers/test/xiommu_bench_floor.ko -- \
 *     sh -c 'insmod /xiommu_bench_floor.ko && /bench_floor'
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xiommu/bench_floor.h>

#include "kselftest_harness.h"

#define PAGE	4096UL

static int floor_call(int fd, unsigned long cmd, uint64_t uptr,
		      uint64_t npages)
{
	struct xiommu_floor_pin p = {
		.size = sizeof(p), .uptr = uptr, .npages = npages,
	};

	return ioctl(fd, cmd, &p) ? -errno : 0;
}

FIXTURE(floor) {
	int fd;
	char *buf;
	size_t len;
};

FIXTURE_SETUP(floor)
{
	self->fd = open("/dev/xiommu_bench_floor", O_RDWR);
	ASSERT_LE(0, self->fd);
	self->len = 64 * PAGE;
	self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(floor)
{
	munmap(self->buf, self->len);
	close(self->fd);
}

TEST_F(floor, null)
{
	ASSERT_EQ(0, ioctl(self->fd, XIOMMU_FLOOR_NULL));
	ASSERT_EQ(-1, ioctl(self->fd, _IO(XIOMMU_FLOOR_TYPE, 0x7f)));
	ASSERT_EQ(ENOTTY, errno);
}

TEST_F(floor, bad_args)
{
	struct xiommu_floor_pin p = {
		.size = sizeof(p) - 1, .uptr = (uintptr_t)self->buf,
		.npages = 1,
	};

	ASSERT_EQ(-1, ioctl(self->fd, XIOMMU_FLOOR_PIN, &p));
	ASSERT_EQ(EINVAL, errno);
	p.size = sizeof(p);
	p.flags = 1;
	ASSERT_EQ(-1, ioctl(self->fd, XIOMMU_FLOOR_PIN, &p));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(self->fd, XIOMMU_FLOOR_PIN, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-EINVAL, floor_call(self->fd, XIOMMU_FLOOR_PIN,
				      (uintptr_t)self->buf + 1, 1));
	ASSERT_EQ(-EINVAL, floor_call(self->fd, XIOMMU_FLOOR_PIN,
				      (uintptr_t)self->buf, 0));
	ASSERT_EQ(-ENOSPC, floor_call(self->fd, XIOMMU_FLOOR_PIN,
				      (uintptr_t)self->buf,
				      XIOMMU_FLOOR_MAX_PAGES + 1));
	/* UNPIN: uptr must be 0, never more than is held (nothing yet) */
	ASSERT_EQ(-EINVAL, floor_call(self->fd, XIOMMU_FLOOR_UNPIN,
				      (uintptr_t)self->buf, 0));
	ASSERT_EQ(-EINVAL, floor_call(self->fd, XIOMMU_FLOOR_UNPIN, 0, 1));
	ASSERT_EQ(0, floor_call(self->fd, XIOMMU_FLOOR_UNPIN, 0, 0));
}

/* Pins stack; unpins take from the end; a failed pin holds nothing. */
TEST_F(floor, pin_unpin)
{
	uintptr_t va = (uintptr_t)self->buf;

	ASSERT_EQ(0, floor_call(self->fd, XIOMMU_FLOOR_PIN, va, 16));
	ASSERT_EQ(0, floor_call(self->fd, XIOMMU_FLOOR_PIN, va + 16 * PAGE,
				1));
	ASSERT_EQ(-EINVAL, floor_call(self->fd, XIOMMU_FLOOR_UNPIN, 0, 18));
	ASSERT_EQ(0, floor_call(self->fd, XIOMMU_FLOOR_UNPIN, 0, 1));
	ASSERT_EQ(0, floor_call(self->fd, XIOMMU_FLOOR_UNPIN, 0, 16));
	ASSERT_EQ(-EINVAL, floor_call(self->fd, XIOMMU_FLOOR_UNPIN, 0, 1));

	/* the last 32 pages are not mapped: the pin fails and holds none */
	ASSERT_EQ(0, munmap(self->buf + 32 * PAGE, 32 * PAGE));
	ASSERT_EQ(-EFAULT, floor_call(self->fd, XIOMMU_FLOOR_PIN, va, 64));
	ASSERT_EQ(-EINVAL, floor_call(self->fd, XIOMMU_FLOOR_UNPIN, 0, 1));
	ASSERT_EQ(0, floor_call(self->fd, XIOMMU_FLOOR_PIN, va, 32));
	/* closing the file unpins (teardown); the limit counts what is held */
	ASSERT_EQ(-ENOSPC, floor_call(self->fd, XIOMMU_FLOOR_PIN, va,
				      XIOMMU_FLOOR_MAX_PAGES - 31));
}

TEST_HARNESS_MAIN
