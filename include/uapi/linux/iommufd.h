/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/iommu user API (iommufd), as provided by xiommu on kernels that have
 * no iommufd of their own.
 *
 * The ioctl numbers, struct layouts, flag values and errno meanings are
 * identical to upstream Linux iommufd (source: upstream
 * uAPI header of the same name and Documentation/userspace-api/iommufd.rst);
 * a program built against the upstream header runs unmodified. The text of
 * this file is xiommu's own.
 *
 * Covered: every ioctl upstream defines, IOMMU_DESTROY (0x80) to
 * IOMMU_HW_QUEUE_ALLOC (0x94), in the layout of the newest upstream release.
 * Structs that grew since Linux 6.6 (struct iommu_hwpt_alloc, struct
 * iommu_hw_info) still accept their 6.6 size (the size rule below). Which
 * ioctls and fields xiommu implements, per driver, is listed in xiommu's
 * Documentation/iommufd.md; the others answer ENOTTY (ioctl) or EOPNOTSUPP
 * (flag or type value).
 */
#ifndef _UAPI_IOMMUFD_H
#define _UAPI_IOMMUFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* For type headers that lack __aligned_le64: the same definition. */
#ifndef __aligned_le64
#define __aligned_le64 __le64 __attribute__((aligned(8)))
#endif

#define IOMMUFD_TYPE (';')

/**
 * DOC: General ioctl format
 *
 * Every ioctl takes a pointer to one struct whose first member is a
 * ``__u32 size``: the number of bytes of the struct user space was built
 * with. The kernel reads that many bytes and works with its own layout:
 *
 *  - a size below the struct's oldest layout (the end of its last field in
 *    the first kernel that had the ioctl) is rejected with EINVAL;
 *  - a size above the kernel's layout is accepted only if every byte past
 *    the kernel's layout is zero, otherwise E2BIG;
 *  - output fields are copied back for min(size, kernel layout) bytes.
 *
 * So a newer program runs on an older kernel as long as it leaves the new
 * fields zero, and an older program runs on a newer kernel unchanged.
 * Fields named ``__reserved`` must be zero. 64-bit fields are
 * ``__aligned_u64`` so the layout is the same for 32- and 64-bit callers.
 *
 * Object IDs are small integers, never 0, unique within one open file of
 * /dev/iommu; every object is destroyed when the file is closed.
 *
 * Errno values with a fixed meaning for every ioctl:
 *
 *  - ENOTTY: the ioctl number is not implemented at all.
 *  - E2BIG: the ioctl is implemented but the struct has non-zero bytes past
 *    the part the kernel knows.
 *  - EOPNOTSUPP: the struct is understood but a field holds a value the
 *    kernel does not support (unknown flag, unknown enum value, non-zero
 *    ``__reserved``).
 *  - EINVAL: every field is understood but one of them is wrong (misaligned,
 *    zero length, wrong object type, ...).
 *  - ENOENT: an object ID or an IOVA range given does not exist.
 *  - ENOMEM: out of memory, or the pinned-memory limit (RLIMIT_MEMLOCK)
 *    would be exceeded.
 *  - EOVERFLOW: an address or length computation overflowed.
 *  - EFAULT: a user pointer (the struct itself, an array, a buffer to map)
 *    cannot be accessed.
 *
 * Individual ioctls document further errno values.
 */
enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	IOMMUFD_CMD_IOAS_CHANGE_PROCESS = 0x92,
	IOMMUFD_CMD_VEVENTQ_ALLOC = 0x93,
	IOMMUFD_CMD_HW_QUEUE_ALLOC = 0x94,
};

/**
 * struct iommu_destroy - ioctl(IOMMU_DESTROY)
 * @size: sizeof(struct iommu_destroy)
 * @id: ID of the object to destroy
 *
 * Destroy one object of any user-destroyable type (IOAS, HWPT, test
 * objects). Device objects belong to the driver that bound them and go
 * away when that binding ends; IOMMU_DESTROY on a device ID fails with
 * EBUSY.
 *
 * Errors: ENOENT no object with @id; EBUSY the object is still in use
 * (an IOAS with an HWPT or an access attached, an HWPT with a device
 * attached, a bound device, an ioctl using the object at the same time).
 */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/**
 * struct iommu_ioas_alloc - ioctl(IOMMU_IOAS_ALLOC)
 * @size: sizeof(struct iommu_ioas_alloc)
 * @flags: must be 0
 * @out_ioas_id: returns the ID of the new IOAS
 *
 * Create an empty I/O address space (IOAS): a map from IOVA to user memory
 * that every device attached to it, through any hardware page table,
 * follows.
 *
 * Errors: EOPNOTSUPP @flags not 0; ENOMEM.
 */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/**
 * struct iommu_iova_range - one IOVA interval
 * @start: first IOVA of the interval
 * @last: last IOVA of the interval (inclusive)
 */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/**
 * struct iommu_ioas_iova_ranges - ioctl(IOMMU_IOAS_IOVA_RANGES)
 * @size: sizeof(struct iommu_ioas_iova_ranges)
 * @ioas_id: IOAS to query
 * @num_iovas: in: number of entries @allowed_iovas has room for;
 *	out: number of ranges the IOAS has
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 * @out_iova_alignment: returns the alignment, in bytes, every IOVA and
 *	length given to IOMMU_IOAS_MAP or IOMMU_IOAS_COPY must have
 *
 * Report the IOVA ranges where mappings may be placed. A new IOAS offers
 * the whole address space; every attached device narrows it (its reserved
 * regions, its page table's aperture), detaching can widen it again, so
 * user space should query again after attach and detach.
 *
 * The ranges are written in increasing order up to the array's size and
 * @num_iovas is set to the total. If the array was too small the ioctl
 * fails with EMSGSIZE after updating @num_iovas (and @out_iova_alignment),
 * so the caller can retry with a large enough array.
 *
 * @out_iova_alignment is a power of two, at least 1 and at most the CPU
 * page size. IOVA and IOVA + length must both be multiples of it.
 *
 * Errors: EOPNOTSUPP @__reserved not 0; ENOENT no IOAS @ioas_id; EMSGSIZE
 * array too small; EFAULT.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/**
 * struct iommu_ioas_allow_iovas - ioctl(IOMMU_IOAS_ALLOW_IOVAS)
 * @size: sizeof(struct iommu_ioas_allow_iovas)
 * @ioas_id: IOAS to change
 * @num_iovas: number of entries in @allowed_iovas (0 clears the list)
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 *
 * Promise that the given IOVA ranges stay usable: they replace the IOAS's
 * whole list of allowed ranges. From then on a device whose reserved
 * regions or aperture would cut into an allowed range cannot be attached
 * (EADDRINUSE), and IOMMU_IOAS_MAP without a fixed IOVA only picks IOVAs
 * inside the allowed ranges. Fixed-IOVA mappings are not restricted.
 *
 * Errors: EOPNOTSUPP @__reserved not 0; ENOENT no IOAS; EINVAL a range with
 * start >= last or two ranges overlapping; EADDRINUSE a range overlaps a
 * range already reserved by an attached device; EFAULT; ENOMEM.
 */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};
#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/**
 * enum iommufd_ioas_map_flags - flags of IOMMU_IOAS_MAP and IOMMU_IOAS_COPY
 * @IOMMU_IOAS_MAP_FIXED_IOVA: place the mapping at the IOVA given by the
 *	caller; without it the kernel chooses the IOVA and returns it
 * @IOMMU_IOAS_MAP_WRITEABLE: devices may write through the mapping
 * @IOMMU_IOAS_MAP_READABLE: devices may read through the mapping
 *
 * At least one of READABLE and WRITEABLE must be set.
 */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

/**
 * struct iommu_ioas_map - ioctl(IOMMU_IOAS_MAP)
 * @size: sizeof(struct iommu_ioas_map)
 * @flags: enum iommufd_ioas_map_flags
 * @ioas_id: IOAS to add the mapping to
 * @__reserved: must be 0
 * @user_va: start of the user memory to map (a pointer in the caller's
 *	address space)
 * @length: bytes to map
 * @iova: in (with IOMMU_IOAS_MAP_FIXED_IOVA): IOVA to map at; out: IOVA the
 *	mapping was placed at
 *
 * Make the user memory [@user_va, @user_va + @length) visible to devices
 * at [@iova, @iova + @length) in every page table attached to the IOAS,
 * now and later. A fixed IOVA range must be free: existing mappings are
 * never replaced. Without a fixed IOVA the kernel picks a free range inside
 * the allowed ranges, aligned like @user_va where possible so large IOPTEs
 * can be used.
 *
 * The memory is pinned while at least one page table is attached to the
 * IOAS (an IOAS without page tables pins nothing and does not look at the
 * memory yet), once however many page tables mirror it, and charged to the
 * caller's RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK.
 *
 * @iova, @length and the page offset of @user_va must be multiples of the
 * IOAS's IOVA alignment (see IOMMU_IOAS_IOVA_RANGES).
 *
 * Errors: EOPNOTSUPP unknown flag or @__reserved not 0; EINVAL neither
 * READABLE nor WRITEABLE, @length 0, misaligned IOVA, length or user_va,
 * fixed IOVA range touching a reserved range; EOVERFLOW address arithmetic
 * overflows; ENOENT no IOAS; EEXIST fixed IOVA range overlaps a mapping;
 * ENOSPC no free IOVA range large enough; EFAULT (page tables attached)
 * the memory is not mapped, or not writable for a WRITEABLE mapping; ENOMEM
 * out of memory or (page tables attached) over RLIMIT_MEMLOCK.
 */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/**
 * struct iommu_ioas_map_file - ioctl(IOMMU_IOAS_MAP_FILE)
 * @size: sizeof(struct iommu_ioas_map_file)
 * @flags: enum iommufd_ioas_map_flags, as for IOMMU_IOAS_MAP
 * @ioas_id: IOAS to add the mapping to
 * @fd: file descriptor of the memory file (a memfd) to map
 * @start: offset in bytes into the file of the first byte to map
 * @length: bytes to map
 * @iova: in (with IOMMU_IOAS_MAP_FIXED_IOVA): IOVA to map at; out: IOVA the
 *	mapping was placed at
 *
 * IOMMU_IOAS_MAP with the memory named by a file range instead of a user
 * address: the pages are found and pinned through the file, so the mapping
 * does not depend on the caller's address space. IOVA choice, alignment,
 * accounting and errno follow IOMMU_IOAS_MAP; EBADF @fd is not open;
 * EPERM a writeable mapping of a file opened read-only or sealed with
 * F_SEAL_WRITE; EINVAL a page past the end of the file when it is pinned.
 */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/**
 * struct iommu_ioas_copy - ioctl(IOMMU_IOAS_COPY)
 * @size: sizeof(struct iommu_ioas_copy)
 * @flags: enum iommufd_ioas_map_flags
 * @dst_ioas_id: IOAS to add the mapping to
 * @src_ioas_id: IOAS to take the memory from
 * @length: bytes to copy
 * @dst_iova: in (with IOMMU_IOAS_MAP_FIXED_IOVA): IOVA in the destination;
 *	out: IOVA the mapping was placed at
 * @src_iova: first IOVA of the source range
 *
 * Map memory that is already mapped in @src_ioas_id into @dst_ioas_id
 * without pinning it again: both mappings share the pinned pages. The
 * source range [@src_iova, @src_iova + @length) must be fully covered by
 * existing mappings with no gap. The destination follows the rules of
 * IOMMU_IOAS_MAP.
 *
 * Errors: as IOMMU_IOAS_MAP; ENOENT also when the source range is not fully
 * mapped; EPERM a WRITEABLE copy of memory that was pinned read-only.
 */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};
#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/**
 * struct iommu_ioas_unmap - ioctl(IOMMU_IOAS_UNMAP)
 * @size: sizeof(struct iommu_ioas_unmap)
 * @ioas_id: IOAS to change
 * @iova: first IOVA of the range
 * @length: in: bytes in the range; out: bytes actually unmapped
 *
 * Remove every mapping inside [@iova, @iova + @length). Mappings are
 * removed whole: a mapping that sticks out of the range on either side is
 * an error and nothing is unmapped. @iova 0 with @length U64_MAX removes
 * everything (and succeeds on an empty IOAS).
 *
 * Errors: ENOENT no IOAS, no mapping in the range, or a mapping only
 * partly inside the range; EINVAL @length 0; EOVERFLOW range wraps; EBUSY a
 * mapping in the range is still being created.
 */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/**
 * enum iommufd_option - option IDs of IOMMU_OPTION
 * @IOMMU_OPTION_RLIMIT_MODE: how pinned memory is charged to RLIMIT_MEMLOCK:
 *	0 (default) per user (user->locked_vm), 1 per process (mm->locked_vm,
 *	like VFIO type1). Changing it needs CAP_SYS_RESOURCE and is only
 *	possible while the file has no objects. Global: @object_id must be 0.
 * @IOMMU_OPTION_HUGE_PAGES: 1 (default) lets contiguous memory be mapped
 *	with large IOPTEs; 0 maps everything with PAGE_SIZE IOPTEs. Per IOAS:
 *	@object_id is the IOAS ID.
 */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,
	IOMMU_OPTION_HUGE_PAGES = 1,
};

/**
 * enum iommufd_option_ops - operations of IOMMU_OPTION
 * @IOMMU_OPTION_OP_SET: store @val64 as the option's value
 * @IOMMU_OPTION_OP_GET: return the option's value in @val64
 */
enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

/**
 * struct iommu_option - ioctl(IOMMU_OPTION)
 * @size: sizeof(struct iommu_option)
 * @option_id: enum iommufd_option
 * @op: enum iommufd_option_ops
 * @__reserved: must be 0
 * @object_id: object the option applies to, 0 for global options
 * @val64: value to set, or the value read
 *
 * Read or change one simple setting.
 *
 * Errors: EOPNOTSUPP unknown @option_id or @op, @__reserved not 0, or an
 * @object_id given to a global option; ENOENT no such object; EINVAL value
 * out of range or the setting cannot change now; EPERM missing privilege;
 * EBUSY objects exist already.
 */
struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};
#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/**
 * enum iommufd_vfio_ioas_op - operations of IOMMU_VFIO_IOAS
 * @IOMMU_VFIO_IOAS_GET: return the IOAS the VFIO compatibility layer uses
 * @IOMMU_VFIO_IOAS_SET: make @ioas_id the IOAS of the compatibility layer
 * @IOMMU_VFIO_IOAS_CLEAR: forget the compatibility IOAS
 */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

/**
 * struct iommu_vfio_ioas - ioctl(IOMMU_VFIO_IOAS)
 * @size: sizeof(struct iommu_vfio_ioas)
 * @ioas_id: in for SET: IOAS to use; out for GET: IOAS in use
 * @op: enum iommufd_vfio_ioas_op
 * @__reserved: must be 0
 *
 * The VFIO type1 container ioctls carry no IOAS ID, so the compatibility
 * layer works on one IOAS per file. GET returns it, SET chooses it, CLEAR
 * forgets it. SET and CLEAR never destroy an IOAS; destroying the IOAS
 * clears it.
 *
 * The container ioctls issued on the iommufd itself (VFIO_GET_API_VERSION,
 * VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU with VFIO_TYPE1_IOMMU or
 * VFIO_TYPE1v2_IOMMU, VFIO_IOMMU_GET_INFO, VFIO_IOMMU_MAP_DMA and
 * VFIO_IOMMU_UNMAP_DMA, layouts of <linux/vfio.h>) work on this IOAS and
 * fail with ENODEV while there is none. Their differences from
 * vfio_iommu_type1 (ENOENT for an unmap that finds nothing or cuts a
 * mapping in TYPE1v2 mode, no vaddr update, no dirty bitmap, ...) are
 * listed in xiommu's Documentation/iommufd.md, as upstream's emulation has
 * them.
 *
 * Errors: EOPNOTSUPP unknown @op or @__reserved not 0; ENODEV GET with no
 * compatibility IOAS; ENOENT SET with an unknown IOAS.
 */
struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};
#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/**
 * enum iommufd_hwpt_alloc_flags - flags of IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_ALLOC_NEST_PARENT: the new paging HWPT may later be the
 *	second stage (parent) of nested HWPTs or of a vIOMMU. Refused with
 *	EOPNOTSUPP by drivers without nesting.
 * @IOMMU_HWPT_ALLOC_DIRTY_TRACKING: the new paging HWPT records which IOVAs
 *	devices wrote (see IOMMU_HWPT_SET_DIRTY_TRACKING); only devices whose
 *	IOMMU can track dirty pages may attach to it. EOPNOTSUPP where the
 *	device's IOMMU cannot.
 * @IOMMU_HWPT_FAULT_ID_VALID: @fault_id names a fault queue (see
 *	IOMMU_FAULT_QUEUE_ALLOC) that receives the HWPT's I/O page faults.
 * @IOMMU_HWPT_ALLOC_PASID: the HWPT may be attached to PASIDs of a device
 *	as well. Once a device has PASIDs attached, what is attached to the
 *	device itself (no PASID) must carry this flag too, and the other way
 *	round. EOPNOTSUPP where the IOMMU has no PASID support.
 */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

/**
 * enum iommu_hwpt_vtd_s1_flags - attributes of a VT-d first-stage table
 * @IOMMU_VTD_S1_SRE: supervisor-mode requests are allowed
 * @IOMMU_VTD_S1_EAFE: extended accessed flag enable
 * @IOMMU_VTD_S1_WPE: write protect enable (supervisor writes honour the
 *	read-only bit)
 *
 * The bits of the PASID-table entry of the same names (VT-d specification,
 * section 9.6, scalable-mode PASID table entry).
 */
enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE = 1 << 0,
	IOMMU_VTD_S1_EAFE = 1 << 1,
	IOMMU_VTD_S1_WPE = 1 << 2,
};

/**
 * struct iommu_hwpt_vtd_s1 - VT-d first-stage table of a nested HWPT
 *	(IOMMU_HWPT_DATA_VTD_S1)
 * @flags: enum iommu_hwpt_vtd_s1_flags
 * @pgtbl_addr: guest-physical address (an IOVA of the parent HWPT) of the
 *	first-stage page table root
 * @addr_width: input address width of the first-stage table, in bits
 * @__reserved: must be 0
 */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;
	__aligned_u64 pgtbl_addr;
	__u32 addr_width;
	__u32 __reserved;
};

/**
 * struct iommu_hwpt_arm_smmuv3 - SMMUv3 nested Stream Table Entry
 *	(IOMMU_HWPT_DATA_ARM_SMMUV3)
 * @ste: the first two 64-bit words of the guest's STE, little-endian
 *	(SMMUv3 specification IHI 0070, 5.2 "Stream Table Entry"). Only
 *	these fields may be set: word 0 V, Config, S1Fmt, S1ContextPtr,
 *	S1CDMax; word 1 EATS, S1DSS, S1CIR, S1COR, S1CSH, S1STALLD.
 *
 * Config selects stage 1 (a CD table at S1ContextPtr, an IOVA of the
 * parent), bypass (translate as the parent does) or abort. An STE that is
 * not legal or sets another field fails with EIO.
 */
struct iommu_hwpt_arm_smmuv3 {
	__aligned_le64 ste[2];
};

/**
 * enum iommu_hwpt_data_type - format of IOMMU_HWPT_ALLOC's driver data
 * @IOMMU_HWPT_DATA_NONE: no data: a paging HWPT the kernel manages
 * @IOMMU_HWPT_DATA_VTD_S1: struct iommu_hwpt_vtd_s1 (nested HWPT)
 * @IOMMU_HWPT_DATA_ARM_SMMUV3: struct iommu_hwpt_arm_smmuv3 (nested HWPT)
 */
enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
};

/**
 * struct iommu_hwpt_alloc - ioctl(IOMMU_HWPT_ALLOC)
 * @size: sizeof(struct iommu_hwpt_alloc); 24 (the Linux 6.6 layout, up to
 *	@__reserved) is accepted as well
 * @flags: enum iommufd_hwpt_alloc_flags
 * @dev_id: bound device the page table must be usable by
 * @pt_id: what the new HWPT hangs off: an IOAS (paging HWPT), or a nesting
 *	parent HWPT or a vIOMMU (nested HWPT)
 * @out_hwpt_id: returns the ID of the new hardware page table (HWPT)
 * @__reserved: must be 0
 * @data_type: enum iommu_hwpt_data_type
 * @data_len: bytes of driver data at @data_uptr
 * @data_uptr: user pointer to the driver data
 * @fault_id: fault queue object ID, read only with IOMMU_HWPT_FAULT_ID_VALID
 * @__reserved2: must be 0
 *
 * Create a hardware page table (an IOMMU domain of the unit translating
 * @dev_id). HWPTs created this way are never picked by automatic domain
 * selection and live until IOMMU_DESTROY or close.
 *
 * With an IOAS as @pt_id the HWPT is a paging table the kernel fills: it
 * mirrors every mapping of the IOAS, now and later. @data_type must be
 * IOMMU_HWPT_DATA_NONE and @data_len and @data_uptr 0.
 *
 * With a nesting parent HWPT or a vIOMMU as @pt_id the HWPT is nested: a
 * first-stage table user space owns, described by @data_type and the data
 * at @data_uptr (@data_len bytes, both non-zero), translated through the
 * parent. The device and the vIOMMU must sit behind the same IOMMU unit.
 *
 * Errors: EOPNOTSUPP unknown flag, flag or @data_type the driver does not
 * support, @__reserved not 0 (@__reserved2 is not checked, as upstream);
 * EINVAL @data_len inconsistent with @data_type, @pt_id names no object
 * or one of the wrong kind (a device, ...), the IOAS's alignment cannot be
 * met by the page table; ENOENT @dev_id is not a device; EADDRINUSE existing mappings lie
 * outside the page table's aperture; EFAULT the driver data or the memory
 * of an existing mapping cannot be read; ENOMEM.
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/**
 * enum iommu_hw_info_vtd_flags - flags of struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17: the unit has Intel erratum 772415
 *	(Sapphire Rapids SPR17): a nesting parent must not contain read-only
 *	mappings
 */
enum iommu_hw_info_vtd_flags {
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/**
 * struct iommu_hw_info_vtd - Intel VT-d unit description
 *	(IOMMU_HW_INFO_TYPE_INTEL_VTD)
 * @flags: enum iommu_hw_info_vtd_flags
 * @__reserved: 0
 * @cap_reg: the unit's Capability Register (VT-d specification, section
 *	11.4.2), raw
 * @ecap_reg: the unit's Extended Capability Register (VT-d specification,
 *	section 11.4.3), raw
 *
 * Decoding the registers is left to the reader of the VT-d specification.
 */
struct iommu_hw_info_vtd {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 cap_reg;
	__aligned_u64 ecap_reg;
};

/**
 * struct iommu_hw_info_virtio - virtio-iommu device description
 *	(IOMMU_HW_INFO_TYPE_XIOMMU_VIRTIO)
 * @flags: 0 for now
 * @__reserved: 0
 * @features: the feature bits the driver negotiated with the device, bit
 *	N for feature N: VIRTIO_IOMMU_F_* in bits 0-23, transport features
 *	(VIRTIO_F_VERSION_1, ...) above (VIRTIO specification 1.2, 2.2
 *	"Feature Bits" and 5.13.3 "Feature bits")
 * @page_size_mask: the device's page_size_mask: bit N set means mappings
 *	of 2^N bytes are supported; the lowest bit set is the granule every
 *	mapping must be aligned to, the others are hints (5.13.4 "Device
 *	configuration layout")
 * @input_start: first IOVA the device translates (config input_range.start;
 *	0 without VIRTIO_IOMMU_F_INPUT_RANGE)
 * @input_end: last IOVA the device translates, inclusive (input_range.end;
 *	2^64 - 1 without VIRTIO_IOMMU_F_INPUT_RANGE)
 * @domain_start: first domain ID (domain_range.start; 0 without
 *	VIRTIO_IOMMU_F_DOMAIN_RANGE)
 * @domain_end: last domain ID, inclusive (domain_range.end; 2^32 - 1
 *	without VIRTIO_IOMMU_F_DOMAIN_RANGE)
 * @probe_size: bytes of PROBE properties the device returns per endpoint
 *	(0 without VIRTIO_IOMMU_F_PROBE)
 * @__reserved2: 0
 *
 * The device configuration as read when the driver took the device, in
 * CPU byte order. Upstream Linux has no virtio-iommu payload (up to its
 * newest release),
 * hence the xiommu-specific type value below.
 */
struct iommu_hw_info_virtio {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 features;
	__aligned_u64 page_size_mask;
	__aligned_u64 input_start;
	__aligned_u64 input_end;
	__u32 domain_start;
	__u32 domain_end;
	__u32 probe_size;
	__u32 __reserved2;
};

/**
 * struct iommu_hw_info_arm_smmuv3 - Arm SMMUv3 unit description
 *	(IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
 * @flags: 0 for now
 * @__reserved: 0
 * @idr: SMMU_IDR0..SMMU_IDR5 as read from the unit (SMMUv3 specification
 *	IHI 0070, 6.3.1-6.3.6), raw
 * @iidr: SMMU_IIDR (6.3.7), raw
 * @aidr: SMMU_AIDR (6.3.8), raw
 *
 * The layout and type value of upstream Linux (6.8 and later).
 */
struct iommu_hw_info_arm_smmuv3 {
	__u32 flags;
	__u32 __reserved;
	__u32 idr[6];
	__u32 iidr;
	__u32 aidr;
};

/**
 * struct iommu_hw_info_tegra241_cmdqv - NVIDIA Tegra241 CMDQV description
 *	(IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV)
 * @flags: must be 0
 * @version: CMDQV_PARAM bits 3:0, the CMDQ-V version
 * @log2vcmdqs: CMDQV_PARAM bits 7:4, log2 of the number of virtual command
 *	queues
 * @log2vsids: CMDQV_PARAM bits 15:12, log2 of the number of stream ID
 *	replacements
 * @__reserved: must be 0
 *
 * The values a VMM puts in its emulated PARAM register; it should show
 * one virtual interface only (PARAM bits 11:8 as 0).
 */
struct iommu_hw_info_tegra241_cmdqv {
	__u32 flags;
	__u8 version;
	__u8 log2vcmdqs;
	__u8 log2vsids;
	__u8 __reserved;
};

/**
 * enum iommu_hw_info_type - format of the IOMMU_GET_HW_INFO payload
 * @IOMMU_HW_INFO_TYPE_NONE: (output) the driver reports nothing
 * @IOMMU_HW_INFO_TYPE_DEFAULT: (input) whatever the driver reports by
 *	default; the same value as NONE
 * @IOMMU_HW_INFO_TYPE_INTEL_VTD: struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_TYPE_ARM_SMMUV3: struct iommu_hw_info_arm_smmuv3
 * @IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV: struct iommu_hw_info_tegra241_cmdqv
 * @IOMMU_HW_INFO_TYPE_XIOMMU_VIRTIO: struct iommu_hw_info_virtio. An
 *	xiommu value, not an upstream one: upstream numbers its types
 *	upwards from 0 and has none for virtio-iommu, so xiommu's own types
 *	sit in a block of their own, 0x78690000 ("xi") + n, which no
 *	upstream type can reach. Programs must test for it by name.
 */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,
	IOMMU_HW_INFO_TYPE_DEFAULT = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
	IOMMU_HW_INFO_TYPE_XIOMMU_VIRTIO = 0x78690001,
};

/**
 * enum iommufd_hw_capabilities - bits of iommu_hw_info.out_capabilities
 * @IOMMU_HW_CAP_DIRTY_TRACKING: the IOMMU records device writes: paging
 *	HWPTs may be allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING and then
 *	used with IOMMU_HWPT_SET_DIRTY_TRACKING and
 *	IOMMU_HWPT_GET_DIRTY_BITMAP
 * @IOMMU_HW_CAP_PCI_PASID_EXEC: the PCI device may send PASID requests with
 *	Execute Requested set (PCIe PASID capability); meaningless while
 *	out_max_pasid_log2 is 0
 * @IOMMU_HW_CAP_PCI_PASID_PRIV: the PCI device may send PASID requests with
 *	Privileged Mode Requested set; meaningless while out_max_pasid_log2
 *	is 0
 */
enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
};

/**
 * enum iommufd_hw_info_flags - flags of IOMMU_GET_HW_INFO
 * @IOMMU_HW_INFO_FLAG_INPUT_TYPE: @in_data_type names the payload format
 *	wanted; without the flag the field's input value is ignored and the
 *	driver's default format is returned
 */
enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,
};

/**
 * struct iommu_hw_info - ioctl(IOMMU_GET_HW_INFO)
 * @size: sizeof(struct iommu_hw_info); 32 (the Linux 6.6 layout, up to
 *	@__reserved) is accepted as well
 * @flags: enum iommufd_hw_info_flags
 * @dev_id: bound device whose IOMMU unit is described
 * @data_len: in: bytes available at @data_uptr (0 allowed); out: bytes of
 *	the kernel's payload structure
 * @data_uptr: user pointer to the buffer receiving the payload
 * @in_data_type: in, with IOMMU_HW_INFO_FLAG_INPUT_TYPE: the enum
 *	iommu_hw_info_type wanted (IOMMU_HW_INFO_TYPE_DEFAULT: the driver's
 *	own); shares its storage with @out_data_type
 * @out_data_type: returns the enum iommu_hw_info_type telling how to read
 *	the payload
 * @out_max_pasid_log2: returns the number of PASID bits the device can use
 *	with this IOMMU, 0 for none
 * @__reserved: must be 0
 * @out_capabilities: returns enum iommufd_hw_capabilities bits
 *
 * Describe the IOMMU hardware behind a device, in a vendor format, so a
 * virtual IOMMU shown to a guest can match it. The kernel writes
 * min(@data_len, its payload size) bytes and zeroes the rest of a larger
 * buffer, then reports its payload size in @data_len.
 *
 * Errors: EOPNOTSUPP unknown flag, @in_data_type the driver cannot
 * report, or @__reserved not 0; ENOENT no device @dev_id; EFAULT; ENOMEM.
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

/**
 * enum iommufd_hwpt_set_dirty_tracking_flags - flags of
 *	IOMMU_HWPT_SET_DIRTY_TRACKING
 * @IOMMU_HWPT_DIRTY_TRACKING_ENABLE: set: start recording device writes;
 *	clear: stop
 */
enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

/**
 * struct iommu_hwpt_set_dirty_tracking - ioctl(IOMMU_HWPT_SET_DIRTY_TRACKING)
 * @size: sizeof(struct iommu_hwpt_set_dirty_tracking)
 * @flags: enum iommufd_hwpt_set_dirty_tracking_flags
 * @hwpt_id: paging HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING
 * @__reserved: must be 0 (not checked, as upstream)
 *
 * Turn recording of device writes on or off for a HWPT. Turning it on
 * first forgets whatever was recorded before, so the next
 * IOMMU_HWPT_GET_DIRTY_BITMAP reports writes since then only. Turning it
 * on or off twice is not an error.
 *
 * Errors: EOPNOTSUPP unknown flag, or the HWPT was allocated without
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING; ENOENT @hwpt_id is not a paging HWPT.
 */
struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};
#define IOMMU_HWPT_SET_DIRTY_TRACKING _IO(IOMMUFD_TYPE, \
					  IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

/**
 * enum iommufd_hwpt_get_dirty_bitmap_flags - flags of
 *	IOMMU_HWPT_GET_DIRTY_BITMAP
 * @IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR: report the dirty state but leave
 *	it recorded (useful right before unmapping the same range, which
 *	discards it anyway)
 */
enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

/**
 * struct iommu_hwpt_get_dirty_bitmap - ioctl(IOMMU_HWPT_GET_DIRTY_BITMAP)
 * @size: sizeof(struct iommu_hwpt_get_dirty_bitmap)
 * @hwpt_id: paging HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING
 * @flags: enum iommufd_hwpt_get_dirty_bitmap_flags
 * @__reserved: must be 0
 * @iova: first IOVA of the range, a multiple of @page_size
 * @length: bytes in the range, a multiple of @page_size
 * @page_size: bytes each bitmap bit stands for: a power of two, at least
 *	the IOAS's IOVA alignment
 * @data: user pointer to the bitmap, (@length / @page_size) bits
 *
 * Read which IOVAs of [@iova, @iova + @length) devices wrote since the last
 * read (or since tracking was enabled), and by default forget it. Bit n of
 * the bitmap (bit n % 64 of the 64-bit word n / 64) stands for the IOVA
 * range [@iova + n * @page_size, + @page_size); a written IOPTE marks every
 * bit its IOVA range touches. Set bits are ORed into the bitmap: bits
 * already set by the caller stay set. IOVAs nothing maps are clean.
 *
 * Errors: EOPNOTSUPP unknown flag, @__reserved not 0, or the HWPT has no
 * dirty tracking; ENOENT @hwpt_id is not a paging HWPT; EOVERFLOW the
 * range wraps; EINVAL @length 0, @iova or @iova + @length not multiples of
 * the IOAS's IOVA alignment or of @page_size, @page_size 0 or not a power
 * of two; EFAULT the bitmap cannot be read and written.
 */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};
#define IOMMU_HWPT_GET_DIRTY_BITMAP _IO(IOMMUFD_TYPE, \
					IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/**
 * enum iommu_hwpt_invalidate_data_type - format of IOMMU_HWPT_INVALIDATE's
 *	request entries
 * @IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: struct iommu_hwpt_vtd_s1_invalidate
 * @IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3: struct
 *	iommu_viommu_arm_smmuv3_invalidate
 */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

/**
 * enum iommu_hwpt_vtd_s1_invalidate_flags - flags of a VT-d first-stage
 *	invalidation
 * @IOMMU_VTD_INV_FLAGS_LEAF: only leaf entries changed: paging-structure
 *	caches need not be dropped
 */
enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,
};

/**
 * struct iommu_hwpt_vtd_s1_invalidate - one VT-d first-stage invalidation
 *	(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1)
 * @addr: first address to invalidate, 4 KiB aligned
 * @npages: number of 4 KiB pages from @addr
 * @flags: enum iommu_hwpt_vtd_s1_invalidate_flags
 * @__reserved: must be 0
 *
 * @addr 0 with @npages U64_MAX invalidates everything of the nested HWPT.
 * Device TLBs (ATS) are invalidated along with the IOTLB.
 */
struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct iommu_viommu_arm_smmuv3_invalidate - one SMMUv3 invalidation
 *	command (IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3)
 * @cmd: a 128-bit SMMUv3 command queue entry, little-endian. Accepted
 *	opcodes, with a vIOMMU as the target: CMDQ_OP_TLBI_NSNH_ALL,
 *	CMDQ_OP_TLBI_NH_VA, CMDQ_OP_TLBI_NH_VAA, CMDQ_OP_TLBI_NH_ALL,
 *	CMDQ_OP_TLBI_NH_ASID, CMDQ_OP_ATC_INV, CMDQ_OP_CFGI_CD and
 *	CMDQ_OP_CFGI_CD_ALL; any other fails with EIO.
 */
struct iommu_viommu_arm_smmuv3_invalidate {
	__aligned_le64 cmd[2];
};

/**
 * struct iommu_hwpt_invalidate - ioctl(IOMMU_HWPT_INVALIDATE)
 * @size: sizeof(struct iommu_hwpt_invalidate)
 * @hwpt_id: nested HWPT or vIOMMU whose caches to invalidate
 * @data_uptr: user pointer to the array of requests
 * @data_type: enum iommu_hwpt_invalidate_data_type of every entry; the
 *	target must support it
 * @entry_len: bytes of one array entry
 * @entry_num: in: number of entries; out: number of entries carried out
 * @__reserved: must be 0
 *
 * After changing a page table it owns (nested HWPT) or a structure a
 * vIOMMU caches, user space tells the kernel which cached translations to
 * drop, as an array of @entry_num requests of @entry_len bytes each. On a
 * failure @entry_num says how many leading requests were done. With
 * @entry_num 0 nothing is read (@entry_len and @data_uptr are ignored),
 * which tests whether @data_type is supported.
 */
struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};
#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/**
 * enum iommu_hwpt_pgfault_flags - flags of struct iommu_hwpt_pgfault
 * @IOMMU_PGFAULT_FLAGS_PASID_VALID: @pasid holds the request's PASID
 * @IOMMU_PGFAULT_FLAGS_LAST_PAGE: the last request of its group: answer
 *	the group by this message's cookie
 */
enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = (1 << 0),
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = (1 << 1),
};

/**
 * enum iommu_hwpt_pgfault_perm - access a page request asks for
 * @IOMMU_PGFAULT_PERM_READ: read
 * @IOMMU_PGFAULT_PERM_WRITE: write
 * @IOMMU_PGFAULT_PERM_EXEC: execute: the PASID prefix had Execute
 *	Requested set (PCIe base specification, 10.4.1)
 * @IOMMU_PGFAULT_PERM_PRIV: privileged: the PASID prefix had Privileged
 *	Mode Requested set (PCIe base specification, 10.4.1)
 */
enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = (1 << 0),
	IOMMU_PGFAULT_PERM_WRITE = (1 << 1),
	IOMMU_PGFAULT_PERM_EXEC = (1 << 2),
	IOMMU_PGFAULT_PERM_PRIV = (1 << 3),
};

/**
 * struct iommu_hwpt_pgfault - one I/O page fault, as read from a fault fd
 * @flags: enum iommu_hwpt_pgfault_flags
 * @dev_id: bound device that faulted
 * @pasid: PASID of the request (with IOMMU_PGFAULT_FLAGS_PASID_VALID)
 * @grpid: page request group index
 * @perm: enum iommu_hwpt_pgfault_perm
 * @__reserved: 0
 * @addr: faulting address
 * @length: bytes the device expects to access from @addr, a hint; 0 if
 *	unknown
 * @cookie: kernel-chosen tag of the request group, to be given back in
 *	struct iommu_hwpt_page_response
 */
struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length;
	__u32 cookie;
};

/**
 * enum iommufd_page_response_code - answer to a page request group
 * @IOMMUFD_PAGE_RESP_SUCCESS: the pages are mapped now; the device retries
 *	(PCIe "Success", 10.4.2.1)
 * @IOMMUFD_PAGE_RESP_INVALID: the fault cannot be served; the device does
 *	not retry (PCIe "Invalid Request", 10.4.2.1)
 */
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};

/**
 * struct iommu_hwpt_page_response - answer written to a fault fd
 * @cookie: the cookie of the group's last struct iommu_hwpt_pgfault
 * @code: enum iommufd_page_response_code
 */
struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};

/**
 * struct iommu_fault_alloc - ioctl(IOMMU_FAULT_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_fault_alloc)
 * @flags: must be 0
 * @out_fault_id: returns the ID of the new fault queue object
 * @out_fault_fd: returns a file descriptor: read() gives struct
 *	iommu_hwpt_pgfault records, write() takes struct
 *	iommu_hwpt_page_response records
 *
 * Create a queue that collects the I/O page faults of the HWPTs allocated
 * with it (IOMMU_HWPT_FAULT_ID_VALID).
 */
struct iommu_fault_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_fault_id;
	__u32 out_fault_fd;
};
#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

/**
 * enum iommu_viommu_type - kind of virtual IOMMU
 * @IOMMU_VIOMMU_TYPE_DEFAULT: not a valid type (kept for later use)
 * @IOMMU_VIOMMU_TYPE_ARM_SMMUV3: Arm SMMUv3
 * @IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV: Arm SMMUv3 with NVIDIA Tegra241 CMDQV
 */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0,
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_viommu_tegra241_cmdqv - Tegra241 CMDQV vIOMMU data
 *	(IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV)
 * @out_vintf_mmap_offset: returns the mmap() offset of the virtual
 *	interface's page 0
 * @out_vintf_mmap_length: returns the mmap() length of that page
 *
 * The VMM maps the page into the guest so the guest drives its virtual
 * command queues directly.
 */
struct iommu_viommu_tegra241_cmdqv {
	__aligned_u64 out_vintf_mmap_offset;
	__aligned_u64 out_vintf_mmap_length;
};

/**
 * struct iommu_viommu_alloc - ioctl(IOMMU_VIOMMU_ALLOC)
 * @size: sizeof(struct iommu_viommu_alloc)
 * @flags: must be 0
 * @type: enum iommu_viommu_type
 * @dev_id: bound device whose physical IOMMU backs the vIOMMU
 * @hwpt_id: nesting parent HWPT the vIOMMU translates through
 * @out_viommu_id: returns the ID of the new vIOMMU
 * @data_len: bytes of type-specific data at @data_uptr
 * @__reserved: must be 0
 * @data_uptr: user pointer to the type-specific data
 *
 * Create a virtual IOMMU: the slice of a physical IOMMU's virtualisation
 * features that belongs to one VM. It holds what is global to the VM's
 * IOMMU: the guest's cache tags and device IDs, events not tied to a
 * device, the shared nesting parent, invalidation queues given to the
 * guest.
 */
struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};
#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/**
 * struct iommu_vdevice_alloc - ioctl(IOMMU_VDEVICE_ALLOC)
 * @size: sizeof(struct iommu_vdevice_alloc)
 * @viommu_id: vIOMMU the virtual device belongs to
 * @dev_id: bound physical device it stands for
 * @out_vdevice_id: returns the ID of the new vDEVICE
 * @virt_id: the device's ID as the guest sees it on that vIOMMU (an SMMUv3
 *	StreamID, an AMD DeviceID, a VT-d requester ID)
 *
 * Tell the kernel under which ID the guest knows a device. Destroy the
 * vDEVICE before unbinding the device: otherwise it is destroyed with the
 * device and its ID stays taken until the iommufd is closed.
 */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};
#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/**
 * struct iommu_ioas_change_process - ioctl(IOMMU_IOAS_CHANGE_PROCESS)
 * @size: sizeof(struct iommu_ioas_change_process)
 * @__reserved: must be 0
 *
 * Move the pinned-memory accounting of every mapping of every IOAS of this
 * iommufd to the calling process (a new owner after a live update). Only
 * mappings made with IOMMU_IOAS_MAP_FILE can move: any other makes the
 * call fail with EINVAL; ENOMEM the caller's RLIMIT_MEMLOCK cannot take
 * the pinned pages. On failure nothing has changed.
 */
struct iommu_ioas_change_process {
	__u32 size;
	__u32 __reserved;
};
#define IOMMU_IOAS_CHANGE_PROCESS \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

/**
 * enum iommu_veventq_flag - flags of struct iommufd_vevent_header
 * @IOMMU_VEVENTQ_FLAG_LOST_EVENTS: the queue overflowed and dropped
 *	events; a header with this flag carries no event data
 */
enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = (1U << 0),
};

/**
 * struct iommufd_vevent_header - header before every event read from a
 *	vEVENTQ fd
 * @flags: enum iommu_veventq_flag
 * @sequence: running number of the event, 0 to INT_MAX, then 0 again
 *
 * Each header is followed by the event's type-specific data. Consecutive
 * sequence numbers that jump by more than one tell how many events were
 * lost in between; losses at the end of the queue are reported by a
 * trailing header with IOMMU_VEVENTQ_FLAG_LOST_EVENTS.
 */
struct iommufd_vevent_header {
	__u32 flags;
	__u32 sequence;
};

/**
 * enum iommu_veventq_type - kind of virtual event queue
 * @IOMMU_VEVENTQ_TYPE_DEFAULT: not a valid type (kept for later use)
 * @IOMMU_VEVENTQ_TYPE_ARM_SMMUV3: SMMUv3 event records (struct
 *	iommu_vevent_arm_smmuv3)
 * @IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV: Tegra241 CMDQV error interrupts
 *	(struct iommu_vevent_tegra241_cmdqv)
 */
enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
	IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_vevent_arm_smmuv3 - an SMMUv3 event for the guest
 *	(IOMMU_VEVENTQ_TYPE_ARM_SMMUV3)
 * @evt: the 256-bit event record, little-endian (SMMUv3 specification,
 *	7.3 "Event records"), with the StreamID replaced by the vDEVICE's
 *	virt_id. Forwarded records: C_BAD_STE (0x04), F_STREAM_DISABLED
 *	(0x06), C_BAD_SUBSTREAMID (0x08), C_BAD_CD (0x0a), F_TRANSLATION
 *	(0x10), F_ADDR_SIZE (0x11), F_ACCESS (0x12), F_PERMISSION (0x13).
 *
 * Only devices with a vDEVICE have their events forwarded.
 */
struct iommu_vevent_arm_smmuv3 {
	__aligned_le64 evt[4];
};

/**
 * struct iommu_vevent_tegra241_cmdqv - a Tegra241 CMDQV error interrupt
 *	(IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV)
 * @lvcmdq_err_map: the virtual interface's 128-bit LVCMDQ_ERR_MAP
 *	registers, little-endian, as read
 */
struct iommu_vevent_tegra241_cmdqv {
	__aligned_le64 lvcmdq_err_map[2];
};

/**
 * struct iommu_veventq_alloc - ioctl(IOMMU_VEVENTQ_ALLOC)
 * @size: sizeof(struct iommu_veventq_alloc)
 * @flags: must be 0
 * @viommu_id: vIOMMU whose events the queue receives
 * @type: enum iommu_veventq_type; one queue per type per vIOMMU
 * @veventq_depth: most events the queue holds before it drops new ones
 * @out_veventq_id: returns the ID of the new vEVENTQ
 * @out_veventq_fd: returns a file descriptor to read the events from
 *	(struct iommufd_vevent_header, then the data); the caller closes it
 * @__reserved: must be 0
 */
struct iommu_veventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
	__u32 out_veventq_fd;
	__u32 __reserved;
};
#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

/**
 * enum iommu_hw_queue_type - kind of hardware queue given to a guest
 * @IOMMU_HW_QUEUE_TYPE_DEFAULT: not a valid type (kept for later use)
 * @IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV: a Tegra241 CMDQV virtual command
 *	queue. Indexes are allocated from 0 upwards and destroyed from the
 *	highest downwards; the queue memory (@nesting_parent_iova, mapped in
 *	the IOAS) is aligned to its length, which is a power of two from 32
 *	bytes to 16 << SMMU_IDR1.CMDQS bytes.
 */
enum iommu_hw_queue_type {
	IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,
	IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV = 1,
};

/**
 * struct iommu_hw_queue_alloc - ioctl(IOMMU_HW_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_hw_queue_alloc)
 * @flags: must be 0
 * @viommu_id: vIOMMU the queue belongs to
 * @type: enum iommu_hw_queue_type
 * @index: number of the queue among the vIOMMU's queues of @type
 * @out_hw_queue_id: returns the ID of the new HW queue object
 * @nesting_parent_iova: guest-physical address (IOVA of the nesting
 *	parent) of the queue memory
 * @length: bytes of queue memory
 *
 * Give the guest a queue of the IOMMU hardware that reads its entries
 * straight from guest memory.
 */
struct iommu_hw_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 index;
	__u32 out_hw_queue_id;
	__aligned_u64 nesting_parent_iova;
	__aligned_u64 length;
};
#define IOMMU_HW_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HW_QUEUE_ALLOC)

#endif /* _UAPI_IOMMUFD_H */
