/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * /dev/xiommu_bench_floor: the test-only floor module of `make bench`
 * (drivers/test/xiommu_bench_floor.c). Not a stable ABI: the module and
 * tools/xiommu-bench are built from the same tree.
 */
#ifndef _UAPI_XIOMMU_BENCH_FLOOR_H
#define _UAPI_XIOMMU_BENCH_FLOOR_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XIOMMU_FLOOR_TYPE	0xBF
/* Most pages one open file may hold pinned: 256 MiB of 4 KiB pages. */
#define XIOMMU_FLOOR_MAX_PAGES	65536

/**
 * struct xiommu_floor_pin - ioctl(XIOMMU_FLOOR_PIN) and (XIOMMU_FLOOR_UNPIN)
 * @size: sizeof(struct xiommu_floor_pin)
 * @flags: must be 0
 * @uptr: PIN: page-aligned user address of the first page; UNPIN: 0
 * @npages: PIN: pages to pin from @uptr (writable, long-term, the way
 *          src/iommufd/pages.c pins them), appended to the pages the file
 *          holds; UNPIN: pages to unpin, taken from the end of what the
 *          file holds (0: all of them)
 *
 * Errors: EINVAL (bad @size, @flags, alignment, @npages 0 for PIN or more
 * than held for UNPIN), ENOSPC (more than XIOMMU_FLOOR_MAX_PAGES held),
 * EFAULT and the other errors of pin_user_pages_fast(); nothing stays
 * pinned from a PIN that fails. Closing the file unpins everything.
 */
struct xiommu_floor_pin {
	__u32 size;
	__u32 flags;
	__aligned_u64 uptr;
	__aligned_u64 npages;
};

/* Does nothing and returns 0: the cost of an ioctl into a module. */
#define XIOMMU_FLOOR_NULL	_IO(XIOMMU_FLOOR_TYPE, 0x00)
#define XIOMMU_FLOOR_PIN	_IOW(XIOMMU_FLOOR_TYPE, 0x01, struct xiommu_floor_pin)
#define XIOMMU_FLOOR_UNPIN	_IOW(XIOMMU_FLOOR_TYPE, 0x02, struct xiommu_floor_pin)

#endif /* _UAPI_XIOMMU_BENCH_FLOOR_H */
