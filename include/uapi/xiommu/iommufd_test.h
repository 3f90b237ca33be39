/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * IOMMU_TEST_CMD: the test-only ioctl of /dev/iommu, served by the
 * xiommu_mock module.
 *
 * Binary compatible with the selftest ABI of upstream Linux's newest
 * release (drivers/iommu/iommufd/iommufd_test.h): the same op numbers,
 * constants, struct layouts and ioctl number, so upstream's selftest
 * programs can be built against this header. Programs built against the
 * Linux 6.6 version (a shorter struct iommu_test_cmd) keep working: see
 * the size rule below. With xiommu_mock not loaded the ioctl fails with
 * ENOTTY, like an upstream kernel built without CONFIG_IOMMUFD_TEST.
 *
 * Names starting with XIOMMU_ are xiommu additions that upstream does not
 * have; everything else has the upstream name and value. Which ops
 * xiommu_mock implements is listed in Documentation/mock.md; the others
 * fail with EOPNOTSUPP.
 */
#ifndef _UAPI_XIOMMU_IOMMUFD_TEST_H
#define _UAPI_XIOMMU_IOMMUFD_TEST_H

#include <linux/types.h>
#include <linux/iommufd.h>

/**
 * DOC: IOMMU_TEST_CMD errors
 *
 * Besides the errors each op lists:
 *
 * - EINVAL: @size is smaller than XIOMMU_TEST_CMD_SIZE_V66 (the Linux 6.6
 *   layout), or too small for the union member the op uses;
 * - E2BIG: @size is larger than the structure this kernel knows and a byte
 *   past the known structure is non-zero;
 * - EFAULT: the structure (or a buffer it points to) is not readable, or
 *   the reply cannot be written back;
 * - EOPNOTSUPP: unknown or not yet implemented @op, or @__reserved is not
 *   zero (upstream v6.6 ignores @__reserved; every upstream test zeroes it);
 * - ENOENT: @id (or another object id) names no object of the needed type.
 */

/* Test operations, the value of iommu_test_cmd.op. */
enum {
	IOMMU_TEST_OP_ADD_RESERVED = 1,
	IOMMU_TEST_OP_MOCK_DOMAIN,
	IOMMU_TEST_OP_MD_CHECK_MAP,
	IOMMU_TEST_OP_MD_CHECK_REFS,
	IOMMU_TEST_OP_CREATE_ACCESS,
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
	IOMMU_TEST_OP_ACCESS_PAGES,
	IOMMU_TEST_OP_ACCESS_RW,
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
	IOMMU_TEST_OP_DIRTY,
	IOMMU_TEST_OP_MD_CHECK_IOTLB,
	IOMMU_TEST_OP_TRIGGER_IOPF,
	IOMMU_TEST_OP_DEV_CHECK_CACHE,
	IOMMU_TEST_OP_TRIGGER_VEVENT,
	IOMMU_TEST_OP_PASID_ATTACH,
	IOMMU_TEST_OP_PASID_REPLACE,
	IOMMU_TEST_OP_PASID_DETACH,
	IOMMU_TEST_OP_PASID_CHECK_HWPT,
	IOMMU_TEST_OP_DMABUF_GET,
	IOMMU_TEST_OP_DMABUF_REVOKE,
};

/*
 * xiommu additions (no upstream counterpart), numbered far above the
 * upstream ops so that upstream's later ops never collide with them.
 */
enum {
	XIOMMU_TEST_OP_MOCK_DEVICE = 0x8001,
	XIOMMU_TEST_OP_MOCK_DRIVER,
	XIOMMU_TEST_OP_MD_CHECK_DOMAIN,
	XIOMMU_TEST_OP_MD_IOPTE,
	XIOMMU_TEST_OP_MOCK_DETACH,
};

/* iommu_test_cmd.mock_device.flags */
enum {
	XIOMMU_MOCK_DEVICE_NO_BIND = 1 << 0,
	XIOMMU_MOCK_DEVICE_NO_ATTACH = 1 << 1,
	XIOMMU_MOCK_DEVICE_PASID = 1 << 2,
};

/* iommu_test_cmd.mock_device.unit */
enum {
	XIOMMU_MOCK_UNIT_MOCK0 = 0,	/* upstream mock geometry */
	XIOMMU_MOCK_UNIT_MOCK1 = 1,	/* + large IOPTEs, wider aperture */
	XIOMMU_MOCK_UNIT_NO_IOMMUFD = 2, /* no XIOMMU_CAP_IOMMUFD */
};

/* Apertures of the mock units (mock0 and mock2: MOCK_APERTURE_*). */
#define XIOMMU_MOCK1_APERTURE_START	(1ULL << 24)
#define XIOMMU_MOCK1_APERTURE_LAST	((1ULL << 39) - 1)

/* iommu_test_cmd.check_domain.hwpt_id values that name no HWPT */
#define XIOMMU_MOCK_DOMAIN_BLOCKED	0
#define XIOMMU_MOCK_DOMAIN_IDENTITY	0xffffffffU

/*
 * Page-table formats of a mock HWPT (iommu_hwpt_selftest.pagetable_type):
 * IO pages only, or with MOCK_HUGE_PAGE_SIZE IOPTEs as well.
 */
enum {
	MOCK_IOMMUPT_DEFAULT = 0,
	MOCK_IOMMUPT_HUGE,
};

/*
 * IOVA window of the default mock unit's paging domains, in bytes
 * ("last" is inclusive): IOVAs outside it are reserved in every IOAS a
 * mock domain is attached to. MOCK_PAGE_SIZE is the IO page (IOPTE) size
 * of every mock paging domain, MOCK_HUGE_PAGE_SIZE the large IOPTE of the
 * huge format (both as XIOMMU_MOCK_IO_PAGE_SIZE / _HUGE_PAGE_SIZE below).
 */
enum {
	MOCK_APERTURE_START = 1UL << 24,
	MOCK_APERTURE_LAST = (1UL << 31) - 1,
	MOCK_PAGE_SIZE = 2048,
	MOCK_HUGE_PAGE_SIZE = 512 * MOCK_PAGE_SIZE,
};

/* iommu_test_cmd.access_pages.flags */
enum {
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	MOCK_FLAGS_ACCESS_SYZ = 1 << 16,
};

/* iommu_test_cmd.access_rw.flags */
enum {
	MOCK_ACCESS_RW_WRITE = 1 << 0,
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/* iommu_test_cmd.create_access.flags */
enum {
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/*
 * iommu_test_cmd.mock_domain_flags.dev_flags: NO_DIRTY the device's IOMMU
 * cannot track dirty pages; HUGE_IOVA the device's domains take large
 * IOPTEs (upstream dropped this bit in favour of MOCK_IOMMUPT_HUGE and
 * never reuses it; xiommu_mock still honours it); PASID the device
 * supports MOCK_PASID_WIDTH bits of PASID.
 */
enum {
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	MOCK_FLAGS_DEVICE_HUGE_IOVA = 1 << 1,
	MOCK_FLAGS_DEVICE_PASID = 1 << 2,
};

/* The mock nested domain's IOTLB entries: ids 0..MAX, NUM of them. */
enum {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/* The mock device's cache entries (under a vIOMMU): ids 0..MAX. */
enum {
	MOCK_DEV_CACHE_ID_MAX = 3,
	MOCK_DEV_CACHE_NUM = 4,
};

/* A PASID the PASID replace tests keep for a special case. */
#define IOMMU_TEST_PASID_RESERVED 1024

/*
 * xiommu addition to iommu_test_cmd.create_access.flags: the access's
 * unmap callback ignores the core's request to unpin (a misbehaving
 * driver), so unmaps and replaces that need its pins fail with EBUSY.
 * Its pins still go with IOMMU_TEST_OP_DESTROY_ACCESS_PAGES and close.
 */
#define XIOMMU_MOCK_ACCESS_CREATE_KEEP_PINS	(1U << 31)

/*
 * xiommu addition: the IOPTE sizes of the default mock unit, in bytes.
 * Every mock paging domain translates in XIOMMU_MOCK_IO_PAGE_SIZE units
 * (half of a 4 KiB CPU page, as upstream's mock does, so that the core's
 * sub-page paths are exercised); IOAS_IOVA_RANGES reports it as
 * out_iova_alignment once a mock domain is attached.
 * XIOMMU_MOCK_HUGE_PAGE_SIZE is the large IOPTE size of the second mock
 * unit (not used by IOMMU_TEST_OP_MOCK_DOMAIN).
 */
#define XIOMMU_MOCK_IO_PAGE_SIZE	2048UL
#define XIOMMU_MOCK_HUGE_PAGE_SIZE	(512 * XIOMMU_MOCK_IO_PAGE_SIZE)

/**
 * struct iommu_test_cmd - ioctl(IOMMU_TEST_CMD)
 * @size: sizeof(struct iommu_test_cmd), at least
 *	offsetofend(struct iommu_test_cmd, last)
 * @op: one of IOMMU_TEST_OP_*
 * @id: the object the op works on (see each op)
 * @__reserved: must be 0
 * @add_reserved: IOMMU_TEST_OP_ADD_RESERVED: reserve the IOVA range
 *	[@add_reserved.start, @add_reserved.start + @add_reserved.length)
 *	(bytes) in IOAS @id, as if a device needed it. EADDRINUSE if the range
 *	intersects a mapping or an allowed range.
 * @mock_domain: IOMMU_TEST_OP_MOCK_DOMAIN: create a mock device, bind it to
 *	this iommufd and attach it to @id (an IOAS or a mock paging HWPT).
 *	Returns @mock_domain.out_stdev_id (the selftest device object:
 *	IOMMU_DESTROY of it unbinds and deletes the device),
 *	@mock_domain.out_hwpt_id (the HWPT the device ended up in) and
 *	@mock_domain.out_idev_id (the device id, as VFIO_DEVICE_BIND_IOMMUFD
 *	returns it). Errors are those of the attach (ENOENT: no such IOAS or
 *	HWPT; EINVAL: the HWPT is incompatible with a mock device).
 * @mock_domain_replace: IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: move selftest
 *	device @id to @mock_domain_replace.pt_id (IOAS or HWPT) without a
 *	detach in between; on return pt_id is the HWPT now in use.
 * @check_map: IOMMU_TEST_OP_MD_CHECK_MAP: check that in the mock paging
 *	HWPT @id every IOVA in [@check_map.iova, + @check_map.length) is
 *	mapped to the physical address backing the user address
 *	@check_map.uptr at the same offset. All three must be multiples of
 *	the domain's IO page size (EINVAL otherwise, and if uptr + length
 *	overflows). EINVAL if @id is not a mock paging HWPT or an IOVA is
 *	unmapped or maps elsewhere; EFAULT if @check_map.uptr is not mapped.
 * @check_refs: IOMMU_TEST_OP_MD_CHECK_REFS: check that every non-compound
 *	page backing [@check_refs.uptr, + @check_refs.length) (CPU page
 *	aligned, EINVAL otherwise) is pinned exactly @check_refs.refs times
 *	(page refcount / GUP_PIN_COUNTING_BIAS); EIO if not.
 * @create_access: IOMMU_TEST_OP_CREATE_ACCESS: create an in-kernel access
 *	to IOAS @id; returns a file descriptor in @create_access.out_access_fd.
 *	@create_access.flags: MOCK_FLAGS_ACCESS_CREATE_*.
 * @destroy_access_pages: IOMMU_TEST_OP_DESTROY_ACCESS_PAGES: unpin the
 *	pages pinned by ACCESS_PAGES call
 *	@destroy_access_pages.access_pages_id of access fd @id.
 * @access_pages: IOMMU_TEST_OP_ACCESS_PAGES: pin the pages of IOVA range
 *	[@access_pages.iova, + @access_pages.length) through access fd @id
 *	and check they back @access_pages.uptr; returns an id for
 *	DESTROY_ACCESS_PAGES in @access_pages.out_access_pages_id.
 * @access_rw: IOMMU_TEST_OP_ACCESS_RW: copy @access_rw.length bytes
 *	between IOVA @access_rw.iova and user buffer @access_rw.uptr through
 *	access fd @id; @access_rw.flags: MOCK_ACCESS_RW_*.
 * @memory_limit: IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT: bound the core's
 *	temporary allocations while pinning to @memory_limit.limit bytes
 *	(EINVAL below the size of one batch element).
 * @access_replace_ioas: IOMMU_TEST_OP_ACCESS_REPLACE_IOAS: move access fd
 *	@id to IOAS @access_replace_ioas.ioas_id.
 * @mock_device: XIOMMU_TEST_OP_MOCK_DEVICE (xiommu): like MOCK_DOMAIN, with
 *	a choice. @mock_device.unit: XIOMMU_MOCK_UNIT_* translates the device
 *	(EINVAL unknown). @mock_device.group_stdev_id: if not 0, a selftest
 *	device object whose device the new one shares a group with (ENOENT
 *	not one; EINVAL of another unit). @mock_device.flags:
 *	XIOMMU_MOCK_DEVICE_NO_BIND only creates the device (an idle group
 *	member; @id unused), XIOMMU_MOCK_DEVICE_NO_ATTACH binds it without
 *	attaching (@id unused); otherwise it is attached to @id (IOAS or
 *	HWPT) and out_hwpt_id says where. XIOMMU_MOCK_DEVICE_PASID gives the
 *	device MOCK_FLAGS_DEVICE_PASID. Unknown flags: EOPNOTSUPP. Bind and
 *	attach errors as for MOCK_DOMAIN (EOPNOTSUPP for the
 *	XIOMMU_MOCK_UNIT_NO_IOMMUFD unit). out_idev_id is 0 with NO_BIND.
 * @mock_driver: XIOMMU_TEST_OP_MOCK_DRIVER (xiommu): @mock_driver.bind 1
 *	binds the mock kernel driver (which does not manage DMA through
 *	xiommu) to the device of selftest device object @id, 0 unbinds it.
 *	EBUSY binding a device that has a driver; ENOENT @id is not one.
 * @check_domain: XIOMMU_TEST_OP_MD_CHECK_DOMAIN (xiommu): succeeds if the
 *	device of selftest device object @id is attached (in the mock
 *	"hardware") to the domain of HWPT @check_domain.hwpt_id, or to its
 *	unit's blocking (XIOMMU_MOCK_DOMAIN_BLOCKED) or identity
 *	(XIOMMU_MOCK_DOMAIN_IDENTITY) domain; EINVAL if it is attached
 *	elsewhere; ENOENT unknown objects.
 * @md_iopte: XIOMMU_TEST_OP_MD_IOPTE (xiommu): the size in bytes of the
 *	IOPTE mapping @md_iopte.iova in mock paging HWPT @id, returned in
 *	@md_iopte.out_pgsize; ENOENT if nothing maps it, EINVAL if @id is
 *	not a mock paging HWPT.
 *
 * XIOMMU_TEST_OP_MOCK_DETACH (xiommu, no arguments): detach the device of
 * selftest device object @id from its HWPT (xiommu_idev_detach()); nothing
 * happens if it is not attached. ENOENT @id is not one; EINVAL its device
 * is not bound.
 *
 * @mock_domain_flags: IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS: MOCK_DOMAIN for a
 *	device with @mock_domain_flags.dev_flags (MOCK_FLAGS_DEVICE_*).
 * @dirty: IOMMU_TEST_OP_DIRTY: mark as written by a device the IO pages of
 *	mock HWPT @id in [@dirty.iova, + @dirty.length) whose bit is set in
 *	the bitmap at @dirty.uptr (one bit per @dirty.page_size bytes);
 *	returns the number of IO pages marked in @dirty.out_nr_dirty.
 * @check_iotlb: IOMMU_TEST_OP_MD_CHECK_IOTLB: IOTLB entry
 *	@check_iotlb.id of mock nested HWPT @id holds @check_iotlb.iotlb.
 * @trigger_iopf: IOMMU_TEST_OP_TRIGGER_IOPF: raise an I/O page fault of
 *	device @trigger_iopf.dev_id.
 * @check_dev_cache: IOMMU_TEST_OP_DEV_CHECK_CACHE: cache entry
 *	@check_dev_cache.id of the mock device @id holds
 *	@check_dev_cache.cache.
 * @trigger_vevent: IOMMU_TEST_OP_TRIGGER_VEVENT: raise a vIOMMU event for
 *	device @trigger_vevent.dev_id.
 * @pasid_attach: IOMMU_TEST_OP_PASID_ATTACH: attach PASID
 *	@pasid_attach.pasid of selftest device @id to @pasid_attach.pt_id.
 * @pasid_replace: IOMMU_TEST_OP_PASID_REPLACE: replace what PASID
 *	@pasid_replace.pasid of selftest device @id is attached to.
 * @pasid_detach: IOMMU_TEST_OP_PASID_DETACH: detach PASID
 *	@pasid_detach.pasid of selftest device @id.
 * @pasid_check: IOMMU_TEST_OP_PASID_CHECK_HWPT: PASID @pasid_check.pasid of
 *	selftest device @id is attached to HWPT @pasid_check.hwpt_id (0:
 *	nothing).
 * @dmabuf_get: IOMMU_TEST_OP_DMABUF_GET: a test dma-buf of
 *	@dmabuf_get.length bytes, returned as a file descriptor opened with
 *	@dmabuf_get.open_flags.
 * @dmabuf_revoke: IOMMU_TEST_OP_DMABUF_REVOKE: revoke (@dmabuf_revoke.revoked
 *	1) or restore (0) the test dma-buf @dmabuf_revoke.dmabuf_fd.
 * @last: unused; marks the end of the structure
 *
 * Source: upstream Linux drivers/iommu/iommufd/iommufd_test.h and
 * selftest.c. Which ops xiommu_mock implements so far is listed in
 * Documentation/mock.md; the others fail with EOPNOTSUPP.
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		struct {
			__u32 limit;
		} memory_limit;
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		struct {
			__u32 id;
			__u32 iotlb;
		} check_iotlb;
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;
			__u64 addr;
		} trigger_iopf;
		struct {
			__u32 id;
			__u32 cache;
		} check_dev_cache;
		struct {
			__u32 dev_id;
		} trigger_vevent;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_attach;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_replace;
		struct {
			__u32 pasid;
		} pasid_detach;
		struct {
			__u32 pasid;
			__u32 hwpt_id;
		} pasid_check;
		struct {
			__u32 length;
			__u32 open_flags;
		} dmabuf_get;
		struct {
			__s32 dmabuf_fd;
			__u32 revoked;
		} dmabuf_revoke;
		struct {
			__u32 flags;
			__u32 unit;
			__u32 group_stdev_id;
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
		} mock_device;
		struct {
			__u32 bind;
		} mock_driver;
		struct {
			__u32 hwpt_id;
		} check_domain;
		struct {
			__aligned_u64 iova;
			__aligned_u64 out_pgsize;
		} md_iopte;
	};
	__u32 last;
};

#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/*
 * xiommu: the smallest accepted iommu_test_cmd.size, offsetofend(last) of
 * the Linux 6.6 layout (its union was 32 bytes; upstream later grew it and
 * moved @last). Ops whose union member reaches past it need a @size that
 * covers the member (EINVAL otherwise).
 */
#define XIOMMU_TEST_CMD_SIZE_V66	52

/* PASID bits of a mock device made with MOCK_FLAGS_DEVICE_PASID. */
#define MOCK_PASID_WIDTH 20

/* IOMMU_GET_HW_INFO of a mock device: out_data_type and its payload. */
#define IOMMU_HW_INFO_TYPE_SELFTEST	0xfeedbeef
#define IOMMU_HW_INFO_SELFTEST_REGVAL	0xdeadbeef

/**
 * struct iommu_test_hw_info - IOMMU_GET_HW_INFO payload of a mock device
 *	(type IOMMU_HW_INFO_TYPE_SELFTEST)
 * @flags: always 0
 * @test_reg: always IOMMU_HW_INFO_SELFTEST_REGVAL, a value user space can
 *	check to see the driver's data arrived
 */
struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg;
};

/* A nested-HWPT data type no real driver uses: the mock's. */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
/* Initial value of every IOTLB entry of a mock nested domain. */
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef
/* Initial value of every cache entry of a mock device. */
#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/**
 * struct iommu_hwpt_selftest - IOMMU_HWPT_ALLOC data of a mock HWPT
 *	(IOMMU_HWPT_DATA_SELFTEST)
 * @iotlb: value every IOTLB entry of a nested HWPT starts with
 *	(IOMMU_TEST_IOTLB_DEFAULT)
 * @pagetable_type: MOCK_IOMMUPT_* format of the page table
 */
struct iommu_hwpt_selftest {
	__u32 iotlb;
	__u32 pagetable_type;
};

/* Invalidation entry types of the mock: the valid one and a refused one. */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/* Entry flag: invalidate every IOTLB (or cache) entry, ignore the index. */
#define IOMMU_TEST_INVALIDATE_FLAG_ALL	(1 << 0)

/**
 * struct iommu_hwpt_invalidate_selftest - one mock nested-HWPT invalidation
 *	(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST)
 * @flags: IOMMU_TEST_INVALIDATE_FLAG_ALL or 0
 * @iotlb_id: IOTLB entry to reset (0..MOCK_NESTED_DOMAIN_IOTLB_ID_MAX),
 *	unused with IOMMU_TEST_INVALIDATE_FLAG_ALL
 */
struct iommu_hwpt_invalidate_selftest {
	__u32 flags;
	__u32 iotlb_id;
};

/* The mock's vIOMMU type. */
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

/**
 * struct iommu_viommu_selftest - IOMMU_VIOMMU_ALLOC data of a mock vIOMMU
 *	(IOMMU_VIOMMU_TYPE_SELFTEST)
 * @in_data: any value
 * @out_data: returns @in_data (a loop-back check of the data path)
 * @out_mmap_offset: returns the mmap() offset of the mock vIOMMU's page
 * @out_mmap_length: returns the mmap() length of that page
 */
struct iommu_viommu_selftest {
	__u32 in_data;
	__u32 out_data;
	__aligned_u64 out_mmap_offset;
	__aligned_u64 out_mmap_length;
};

/* Invalidation entry types of the mock vIOMMU: valid and refused. */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/**
 * struct iommu_viommu_invalidate_selftest - one mock vIOMMU invalidation
 *	(IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST)
 * @flags: IOMMU_TEST_INVALIDATE_FLAG_ALL or 0
 * @vdev_id: virtual device ID (a vDEVICE's virt_id) whose cache to reset
 * @cache_id: cache entry to reset (0..MOCK_DEV_CACHE_ID_MAX), unused with
 *	IOMMU_TEST_INVALIDATE_FLAG_ALL
 */
struct iommu_viommu_invalidate_selftest {
	__u32 flags;
	__u32 vdev_id;
	__u32 cache_id;
};

/* The mock's vEVENTQ type and its event record. */
#define IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef

/**
 * struct iommu_viommu_event_selftest - event of a mock vEVENTQ
 * @virt_id: virt_id of the vDEVICE the event was triggered for
 */
struct iommu_viommu_event_selftest {
	__u32 virt_id;
};

/* The mock's HW queue type and how many queues a mock vIOMMU has. */
#define IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeef
#define IOMMU_TEST_HW_QUEUE_MAX 2

#endif /* _UAPI_XIOMMU_IOMMUFD_TEST_H */
