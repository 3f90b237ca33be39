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
 * Covered: IOMMU_DESTROY (0x80) up to IOMMU_GET_HW_INFO (0x8a), with
 * struct iommu_hwpt_alloc and struct iommu_hw_info at their Linux 6.6 sizes.
 * Later upstream fields are an extension of the same structs (the size rule
 * below keeps old binaries working).
 */
#ifndef _UAPI_IOMMUFD_H
#define _UAPI_IOMMUFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

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
 * struct iommu_hwpt_alloc - ioctl(IOMMU_HWPT_ALLOC)
 * @size: sizeof(struct iommu_hwpt_alloc)
 * @flags: must be 0
 * @dev_id: bound device the page table must be usable by
 * @pt_id: IOAS whose mappings the page table mirrors
 * @out_hwpt_id: returns the ID of the new hardware page table (HWPT)
 * @__reserved: must be 0
 *
 * Create a hardware page table (an IOMMU domain of the unit translating
 * @dev_id) that mirrors every mapping of the IOAS @pt_id, now and later.
 * Devices attach to it by its ID. HWPTs created this way are never picked
 * by automatic domain selection and live until IOMMU_DESTROY or close.
 *
 * This is the Linux 6.6 layout (24 bytes); later kernels append fields.
 *
 * Errors: EOPNOTSUPP @flags or @__reserved not 0; ENOENT @dev_id is not a
 * device or @pt_id not an IOAS; EINVAL the IOAS's alignment cannot be met
 * by the page table; EADDRINUSE existing mappings lie outside the page
 * table's aperture; EFAULT the memory of an existing mapping is gone
 * (pinning it for the new page table failed); ENOMEM.
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/**
 * struct iommu_hw_info_vtd - Intel VT-d unit description
 *	(IOMMU_HW_INFO_TYPE_INTEL_VTD)
 * @flags: 0 for now
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
 * CPU byte order. Upstream Linux has no virtio-iommu payload (as of 6.6),
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
 * enum iommu_hw_info_type - format of the IOMMU_GET_HW_INFO payload
 * @IOMMU_HW_INFO_TYPE_NONE: the driver reports nothing
 * @IOMMU_HW_INFO_TYPE_INTEL_VTD: struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_TYPE_ARM_SMMUV3: struct iommu_hw_info_arm_smmuv3
 * @IOMMU_HW_INFO_TYPE_XIOMMU_VIRTIO: struct iommu_hw_info_virtio. An
 *	xiommu value, not an upstream one: upstream numbers its types
 *	upwards from 0 and has none for virtio-iommu, so xiommu's own types
 *	sit in a block of their own, 0x78690000 ("xi") + n, which no
 *	upstream type can reach. Programs must test for it by name.
 */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE,
	IOMMU_HW_INFO_TYPE_INTEL_VTD,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3,
	IOMMU_HW_INFO_TYPE_XIOMMU_VIRTIO = 0x78690001,
};

/**
 * struct iommu_hw_info - ioctl(IOMMU_GET_HW_INFO)
 * @size: sizeof(struct iommu_hw_info)
 * @flags: must be 0
 * @dev_id: bound device whose IOMMU unit is described
 * @data_len: in: bytes available at @data_uptr (0 allowed); out: bytes of
 *	the kernel's payload structure
 * @data_uptr: user pointer to the buffer receiving the payload
 * @out_data_type: returns an enum iommu_hw_info_type telling how to read
 *	the payload
 * @__reserved: must be 0
 *
 * Describe the IOMMU hardware behind a device, in a vendor format, so a
 * virtual IOMMU shown to a guest can match it. The kernel writes
 * min(@data_len, its payload size) bytes and zeroes the rest of a larger
 * buffer, then reports its payload size in @data_len.
 *
 * This is the Linux 6.6 layout (32 bytes); later kernels append fields.
 *
 * Errors: EOPNOTSUPP @flags or @__reserved not 0; ENOENT no device
 * @dev_id; EFAULT; ENOMEM.
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 out_data_type;
	__u32 __reserved;
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

#endif /* _UAPI_IOMMUFD_H */
