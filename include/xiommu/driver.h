/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xiommu driver-facing API.
 *
 * This is the contract between the xiommu core ("iommu-lite": units,
 * endpoints, groups, domains, DMA ownership) and the hardware drivers
 * (drivers/intel, drivers/arm, drivers/virtio, drivers/mock).
 *
 * Terms:
 *  - unit:     one hardware IOMMU instance (a VT-d DRHD, an SMMUv3, a
 *              virtio-iommu device, a mock instance): struct xiommu_device.
 *  - endpoint: a struct device whose DMA a unit translates:
 *              struct xiommu_endpoint. The core never uses the kernel's own
 *              dev->iommu or dev->iommu_group fields.
 *  - group:    the smallest set of endpoints the IOMMU can isolate from each
 *              other (PCI DMA aliases, missing ACS, conventional PCI behind a
 *              PCIe-to-PCI bridge): struct xiommu_group. Ownership and domain
 *              attachment are always per group.
 *  - domain:   a translation context: blocking (no DMA), identity (DMA
 *              addresses are physical addresses) or paging (an I/O page table
 *              the core fills through map_pages/unmap_pages).
 *
 * Address conventions: "iova" and "paddr" are byte addresses, "size" and
 * "pgsize" are bytes; "last" is inclusive, "end" is exclusive.
 *
 * Lifecycle of a unit:
 *   1. the driver fills a struct xiommu_device (ops, bus, name, parent dev)
 *      and calls xiommu_device_register();
 *   2. the core walks @bus and calls ops->probe_device() for every device;
 *      each device the unit translates becomes an endpoint, is put in a group
 *      (ops->device_group()) and the group is attached to the unit's identity
 *      domain (or blocking domain if the driver has no identity domain), so
 *      kernel drivers keep working. Later hot-added devices go the same way.
 *   3. only after xiommu_device_register() returns does the driver turn
 *      translation on in hardware;
 *   4. xiommu_device_unregister() first revokes user space: every endpoint
 *      bound to a driver that manages DMA through xiommu (vfio-pci) is
 *      unbound from it, as on hot-unplug, so its users get ENODEV and give
 *      their groups back; then it releases every endpoint
 *      (ops->release_device), after which the driver turns translation off.
 *   5. the unit's memory lives on while references remain: the driver's
 *      (taken by xiommu_device_register()), one per paging domain (until
 *      its free returns) and one per user-owned group. Domains of user
 *      space may outlive the hardware (a virtio-iommu unbound while a
 *      process holds a HWPT): their ops are still called (unmap on close,
 *      free) and must then only update the driver's software state. A
 *      driver with ops->release_unit drops its reference with
 *      xiommu_device_put() once it is done with the hardware and frees the
 *      unit in release_unit (Documentation/driver-api.md, "Unit lifetime").
 *
 * Locking: driver ops may sleep unless stated otherwise. What the core
 * really serialises (and nothing more):
 *  - probe_device, device_group and release_device run under the core's
 *    registry mutex, one at a time across every unit; never under a group
 *    mutex. They may call the endpoint accessors (xiommu_endpoint_priv(),
 *    _set_priv(), _iommu(): a spinlock) and xiommu_pci_device_group(), but
 *    not xiommu_device_register()/unregister(). release_device of an
 *    endpoint never runs while an attach_dev for it is in flight (the
 *    endpoint leaves its group first).
 *  - attach_dev for the endpoints of one group runs under that group's
 *    mutex, so never twice at once for one group; attach_dev calls for
 *    different groups (of one unit, even with the same domain) run
 *    concurrently. get_resv_regions may also run under a group mutex.
 *  - capable, hw_info, domain_alloc_paging and the domain's free run with
 *    no core lock, concurrently with anything but the free of that domain
 *    (which only comes once no group is attached to it).
 *  - map_pages/unmap_pages/iotlb_sync/iova_to_phys can run concurrently on
 *    one domain for disjoint IOVA ranges and must be safe against each
 *    other; the core never maps or unmaps overlapping ranges concurrently.
 * The rules for group ownership the core enforces on top are in
 * Documentation/groups.md.
 */
#ifndef XIOMMU_DRIVER_H
#define XIOMMU_DRIVER_H

#include <linux/device.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/atomic.h>

struct xiommu_device;
struct xiommu_domain;
struct xiommu_endpoint;
struct xiommu_group;

/**
 * enum xiommu_cap - per-endpoint capabilities a driver advertises
 * @XIOMMU_CAP_IOMMUFD: the driver has been tested with the xiommu iommufd
 *	layer and its paging domains honour every rule of this header. This is
 *	a positive opt-in: the core refuses to bind endpoints of drivers that do
 *	not report it (see the upstream IOMMU_CAP_IOMMUFD discussion).
 * @XIOMMU_CAP_CACHE_COHERENCY: DMA through this endpoint is cache coherent.
 * @XIOMMU_CAP_ENFORCE_CACHE_COHERENCY: paging domains can be switched to
 *	force snooping (ops->enforce_cache_coherency).
 * @XIOMMU_CAP_DIRTY_TRACKING: paging domains can track dirty IOPTEs.
 * @XIOMMU_CAP_INTR_ISOLATION: MSIs from this endpoint are isolated
 *	(interrupt remapping or an equivalent); without it user-owned devices
 *	can forge interrupts.
 * @XIOMMU_CAP_NEST_PARENT: paging domains for this endpoint can be
 *	allocated with XIOMMU_DOMAIN_ALLOC_NEST_PARENT: the unit has a second
 *	translation stage that a first stage owned by user space can be put
 *	on top of (nested translation).
 *
 * The core asks before it passes the matching XIOMMU_DOMAIN_ALLOC_* flag
 * to domain_alloc_paging: XIOMMU_CAP_DIRTY_TRACKING for
 * XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING (which also needs the dirty ops),
 * XIOMMU_CAP_NEST_PARENT for XIOMMU_DOMAIN_ALLOC_NEST_PARENT. Report
 * what the hardware found at probe time can do, not what the driver
 * could do on better hardware. IOMMU_GET_HW_INFO reports
 * XIOMMU_CAP_DIRTY_TRACKING to user space (IOMMU_HW_CAP_DIRTY_TRACKING).
 */
enum xiommu_cap {
	XIOMMU_CAP_IOMMUFD,
	XIOMMU_CAP_CACHE_COHERENCY,
	XIOMMU_CAP_ENFORCE_CACHE_COHERENCY,
	XIOMMU_CAP_DIRTY_TRACKING,
	XIOMMU_CAP_INTR_ISOLATION,
	XIOMMU_CAP_NEST_PARENT,
};

/*
 * Flags of xiommu_ops.domain_alloc_paging. The core passes a flag only if
 * capable() reported the capability named above for the endpoint; drivers
 * fail unknown or unsupported flags with -EOPNOTSUPP.
 *  NEST_PARENT: the domain may later be the parent (second stage) of
 *	nested domains.
 *  DIRTY_TRACKING: the domain must record device writes once
 *	set_dirty_tracking(true) is called; its ops must have
 *	set_dirty_tracking and read_and_clear_dirty.
 *  PASID: the domain may be attached to a PASID of an endpoint
 *	(set_dev_pasid, which its ops must have) as well as to the RID.
 *	Passed only if the driver's blocked_domain has set_dev_pasid (the
 *	driver can attach PASIDs at all); also a flag of
 *	domain_alloc_nested.
 */
#define XIOMMU_DOMAIN_ALLOC_NEST_PARENT		BIT(0)
#define XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING	BIT(1)
#define XIOMMU_DOMAIN_ALLOC_PASID		BIT(2)

/**
 * enum xiommu_domain_type - what a domain does to DMA
 * @XIOMMU_DOMAIN_BLOCKED: every DMA is refused (and reported as a fault where
 *	the hardware reports faults).
 * @XIOMMU_DOMAIN_IDENTITY: DMA addresses are host physical addresses
 *	(passthrough / bypass); kernel-owned endpoints sit here.
 * @XIOMMU_DOMAIN_PAGING: DMA is translated by an I/O page table filled by
 *	the core through map_pages/unmap_pages.
 * @XIOMMU_DOMAIN_NESTED: a stage-1 table owned by user space (a guest),
 *	translated again by its parent paging domain (stage 2); the core
 *	never maps into it (xiommu_ops.domain_alloc_nested).
 */
enum xiommu_domain_type {
	XIOMMU_DOMAIN_BLOCKED,
	XIOMMU_DOMAIN_IDENTITY,
	XIOMMU_DOMAIN_PAGING,
	XIOMMU_DOMAIN_NESTED,
};

/**
 * struct xiommu_user_data - driver-typed data from user space
 *	(IOMMU_HWPT_ALLOC data_type/data_uptr/data_len)
 * @type: enum iommu_hwpt_data_type value user space gave
 * @uptr: user pointer to the data
 * @len: bytes at @uptr
 */
struct xiommu_user_data {
	u32 type;
	void __user *uptr;
	size_t len;
};

/**
 * struct xiommu_user_data_array - an array of driver-typed requests from
 *	user space (IOMMU_HWPT_INVALIDATE)
 * @type: the request type user space gave (IOMMU_HWPT_INVALIDATE_DATA_*)
 * @uptr: user pointer to entry 0
 * @entry_len: bytes per entry (user space's struct size, may be older or
 *	newer than the driver's)
 * @entry_num: in: entries at @uptr; out (set by the driver): entries
 *	handled before it stopped, also on error
 */
struct xiommu_user_data_array {
	u32 type;
	void __user *uptr;
	size_t entry_len;
	u32 entry_num;
};

/**
 * xiommu_copy_struct_from_user() - copy driver-typed user data
 * @dst: kernel struct, @dst_size bytes
 * @dst_size: sizeof the driver's struct
 * @min_len: bytes of the oldest layout of the struct (offsetofend() of its
 *	last field then)
 * @src: user data
 * @type: the data type @dst is
 *
 * A user struct of an older layout (at least @min_len bytes) is
 * zero-extended; one longer than the driver's struct is refused whatever
 * its tail holds, as upstream's iommu_copy_struct_from_user(): the driver
 * cannot know what a newer user meant by fields it has not got (unlike
 * the ioctl structs, whose zero tails are accepted).
 *
 * Return: 0; -EINVAL @src is of another type, shorter than @min_len or
 * longer than @dst_size; -EFAULT.
 */
static inline int xiommu_copy_struct_from_user(void *dst, size_t dst_size,
					       size_t min_len,
					       const struct xiommu_user_data *src,
					       u32 type)
{
	if (src->type != type || src->len < min_len || src->len > dst_size)
		return -EINVAL;
	return copy_struct_from_user(dst, dst_size, src->uptr, src->len);
}

/**
 * xiommu_copy_struct_from_user_array() - copy entry @index of a request array
 * @dst: kernel struct, @dst_size bytes
 * @dst_size: sizeof the driver's struct
 * @min_len: bytes of the oldest layout of the struct
 * @src: the array
 * @type: the request type @dst is
 * @index: entry to copy, < @src->entry_num
 *
 * Entry sizes follow xiommu_copy_struct_from_user().
 *
 * Return: 0; -EINVAL wrong type, @index out of range, or @src->entry_len
 * below @min_len or above @dst_size; -EFAULT.
 */
static inline int
xiommu_copy_struct_from_user_array(void *dst, size_t dst_size, size_t min_len,
				   const struct xiommu_user_data_array *src,
				   u32 type, u32 index)
{
	if (src->type != type || index >= src->entry_num ||
	    src->entry_len < min_len || src->entry_len > dst_size)
		return -EINVAL;
	return copy_struct_from_user(dst, dst_size,
				     src->uptr + src->entry_len * index,
				     src->entry_len);
}

/**
 * xiommu_copy_struct_to_user() - return driver-typed data to user space
 * @dst: the user data the driver read with xiommu_copy_struct_from_user()
 * @src: kernel struct, @src_size bytes
 * @src_size: sizeof the driver's struct
 * @min_len: bytes of the oldest layout of the struct
 * @type: the data type @src is
 *
 * Copies min(@dst->len, @src_size) bytes, so a caller built with an older,
 * shorter struct gets the fields it knows.
 *
 * Return: 0; -EINVAL @dst is of another type or shorter than @min_len;
 * -EFAULT.
 */
static inline int xiommu_copy_struct_to_user(const struct xiommu_user_data *dst,
					     const void *src, size_t src_size,
					     size_t min_len, u32 type)
{
	if (dst->type != type || dst->len < min_len)
		return -EINVAL;
	if (copy_to_user(dst->uptr, src, min_t(size_t, dst->len, src_size)))
		return -EFAULT;
	return 0;
}

/* IOPTE permission bits passed to map_pages (@prot). */
#define XIOMMU_READ	(1 << 0)	/* the device may read memory */
#define XIOMMU_WRITE	(1 << 1)	/* the device may write memory */
#define XIOMMU_CACHE	(1 << 2)	/* snoop / coherent access */

/**
 * struct xiommu_domain_geometry - IOVA window of a paging domain
 * @aperture_start: first IOVA the domain can translate
 * @aperture_end: last IOVA (inclusive) the domain can translate
 */
struct xiommu_domain_geometry {
	dma_addr_t aperture_start;
	dma_addr_t aperture_end;
};

/**
 * struct xiommu_iotlb_gather - IOVA range collected by unmap for one flush
 * @start: first IOVA unmapped, ULONG_MAX when empty
 * @end: last IOVA unmapped (inclusive), 0 when empty
 * @pgsize: largest IOPTE size unmapped (bytes), a hint for invalidation
 * @freelist: page-table pages to free after the IOTLB flush
 *
 * unmap_pages() adds to the gather; the core then calls iotlb_sync() once,
 * which must flush the IOTLB for [start, end] and free @freelist.
 */
struct xiommu_iotlb_gather {
	unsigned long start;
	unsigned long end;
	size_t pgsize;
	struct list_head freelist;
};

/**
 * xiommu_iotlb_gather_init - reset a gather to empty
 * @gather: gather to reset
 */
static inline void xiommu_iotlb_gather_init(struct xiommu_iotlb_gather *gather)
{
	gather->start = ULONG_MAX;
	gather->end = 0;
	gather->pgsize = 0;
	INIT_LIST_HEAD(&gather->freelist);
}

/**
 * xiommu_iotlb_gather_add - widen a gather by one unmapped range
 * @gather: gather to widen
 * @iova: first IOVA unmapped
 * @size: bytes unmapped
 */
static inline void xiommu_iotlb_gather_add(struct xiommu_iotlb_gather *gather,
					   unsigned long iova, size_t size)
{
	if (iova < gather->start)
		gather->start = iova;
	if (iova + size - 1 > gather->end)
		gather->end = iova + size - 1;
}

/**
 * struct xiommu_dirty_bitmap - where read_and_clear_dirty reports to
 * @bits: bitmap of the window, bit n for the IOVA range [@iova + n *
 *	2^@pgshift, + 2^@pgshift); NULL when the core only wants the dirty
 *	state cleared (when tracking is switched on)
 * @iova: first IOVA of the window
 * @nbits: number of bits of the window
 * @pgshift: log2 of the bytes one bit stands for
 * @carry_last: core-private: last IOVA (inclusive) of a recorded range that
 *	ran past the window's end, carried into the next window; 0 if none
 * @gather: IOVA ranges whose dirty state was cleared: the core flushes
 *	their IOTLB entries (iotlb_sync) after the walk, so the hardware sees
 *	the cleared state
 *
 * Drivers only pass it to xiommu_dirty_bitmap_record() and add what they
 * clear to @gather (xiommu_iotlb_gather_add()).
 */
struct xiommu_dirty_bitmap {
	unsigned long *bits;
	unsigned long iova;
	unsigned long nbits;
	unsigned int pgshift;
	unsigned long carry_last;
	struct xiommu_iotlb_gather *gather;
};

void xiommu_dirty_bitmap_record(struct xiommu_dirty_bitmap *dirty,
				unsigned long iova, size_t length);

/* read_and_clear_dirty @flags: report, but keep the dirty state. */
#define XIOMMU_DIRTY_NO_CLEAR	BIT(0)

/**
 * struct xiommu_domain_ops - operations on one domain
 * @attach_dev: make @dev's DMA go through @domain. Called with the group
 *	mutex held, once per endpoint of the group. Must be atomic from the
 *	device's point of view: the old translation stays valid until the new
 *	one is installed (replace without a window). Returns 0, -EINVAL if the
 *	domain is incompatible with the endpoint (the core then tries or
 *	creates another domain), -ENOMEM, or another errno for hardware failure.
 * @map_pages: map @pgcount IOPTEs of @pgsize bytes (one of the domain's
 *	pgsize_bitmap sizes) from @iova to @paddr with @prot (XIOMMU_READ |
 *	XIOMMU_WRITE | XIOMMU_CACHE). May allocate with @gfp. Sets *@mapped to
 *	the bytes actually mapped, also on failure (the core unmaps those).
 *	Returns 0, -ENOMEM, -EINVAL (outside the aperture or misaligned) or
 *	-EEXIST (an IOPTE is already present).
 * @unmap_pages: clear every IOPTE in [@iova, @iova + @pgsize * @pgcount),
 *	add the range to @gather and return the bytes cleared. Must neither
 *	fail nor allocate memory. The core only unmaps whole ranges it mapped,
 *	so the range never cuts a present IOPTE in two; but @pgsize may be
 *	larger than the IOPTEs actually present (a 2 MiB request over 512
 *	4 KiB IOPTEs): the driver clears whatever it finds in the range.
 * @iotlb_sync: flush the IOTLB for the range in @gather and free the
 *	page-table pages gathered; after return no DMA uses the old IOPTEs.
 * @iotlb_sync_map: optional. Called once by xiommu_map() after every
 *	map_pages call for [@iova, @iova + @size) succeeded (the core also
 *	maps the runs of one pinned slice without it and then calls it once
 *	for the whole slice, xiommu_iotlb_sync_map()), before the core
 *	reports the mapping to its user. A driver whose map_pages only queues
 *	work for the IOMMU (virtio-iommu MAP requests, which need a round trip
 *	to the device) completes that work here, so a range costs one round
 *	trip however many map_pages calls it took. Returns 0, or the errno of
 *	the queued work that failed; the core then unmaps the whole range
 *	(unmap_pages + iotlb_sync), so on failure the driver must leave the
 *	range in a state unmap_pages clears. Also the place for a page-table
 *	driver whose hardware caches not-present entries (VT-d caching mode)
 *	to invalidate the new range once. Others leave it NULL.
 * @iova_to_phys: walk the page table; 0 when @iova is not mapped.
 * @enforce_cache_coherency: make every present and future IOPTE snoop;
 *	return false if the hardware cannot.
 * @set_dirty_tracking: start (@enable true) or stop recording device
 *	writes in the IOPTEs. Only called for domains allocated with
 *	XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING, under the core's iopt lock (read:
 *	no unmap runs meanwhile), never twice at once for one domain.
 *	Switching to the current state is a no-op. Returns 0 or a hardware
 *	errno.
 * @read_and_clear_dirty: report every IOPTE in [@iova, @iova + @size)
 *	(bytes) written by a device since it was last cleared, with
 *	xiommu_dirty_bitmap_record(@dirty, IOPTE's first IOVA, IOPTE size),
 *	and clear that state unless @flags has XIOMMU_DIRTY_NO_CLEAR, adding
 *	what it cleared to @dirty->gather. @dirty->bits NULL: clear only.
 *	The range lies inside one mapping the core made; the core holds its
 *	iopt lock (read), so map and unmap of the range do not run
 *	meanwhile, but calls for disjoint ranges and map/unmap elsewhere may.
 *	Must not sleep for long; may be called while tracking is off (report
 *	what is recorded, normally nothing). Returns 0 or a hardware errno.
 * @free: free the domain (never called while attached).
 * @cache_invalidate_user: nested domains only, optional: carry out the
 *	user's invalidation requests @array (IOMMU_HWPT_INVALIDATE) in order;
 *	set @array->entry_num to the number handled, also when stopping at a
 *	bad one. Returns 0; -EINVAL wrong @array->type or a bad entry;
 *	-EOPNOTSUPP unknown entry flags; -EFAULT from copying.
 *	Called without any core lock; the driver serialises against its own
 *	attach/free (the core keeps the domain alive across the call).
 * @set_dev_pasid: optional: make DMA of @dev tagged with PASID @pasid (1 ..
 *	2^max_pasid_log2 - 1) go through @domain, replacing @old (the domain
 *	the PASID used so far, NULL for none) without a window. Only for
 *	domains allocated with XIOMMU_DOMAIN_ALLOC_PASID and for the
 *	driver's blocked_domain, whose set_dev_pasid removes the PASID's
 *	translation (@old then is the domain it had) and must not fail.
 *	Called with the group mutex held, only for endpoints with a
 *	max_pasid_log2 above 0. Returns 0, -EINVAL incompatible, -ENOMEM, or
 *	a hardware errno; on failure the PASID must still use @old.
 */
struct xiommu_domain_ops {
	int (*attach_dev)(struct xiommu_domain *domain, struct device *dev);
	int (*map_pages)(struct xiommu_domain *domain, unsigned long iova,
			 phys_addr_t paddr, size_t pgsize, size_t pgcount,
			 int prot, gfp_t gfp, size_t *mapped);
	size_t (*unmap_pages)(struct xiommu_domain *domain, unsigned long iova,
			      size_t pgsize, size_t pgcount,
			      struct xiommu_iotlb_gather *gather);
	void (*iotlb_sync)(struct xiommu_domain *domain,
			   struct xiommu_iotlb_gather *gather);
	int (*iotlb_sync_map)(struct xiommu_domain *domain, unsigned long iova,
			      size_t size);
	phys_addr_t (*iova_to_phys)(struct xiommu_domain *domain,
				    dma_addr_t iova);
	bool (*enforce_cache_coherency)(struct xiommu_domain *domain);
	int (*set_dirty_tracking)(struct xiommu_domain *domain, bool enable);
	int (*read_and_clear_dirty)(struct xiommu_domain *domain,
				    unsigned long iova, size_t size,
				    unsigned long flags,
				    struct xiommu_dirty_bitmap *dirty);
	void (*free)(struct xiommu_domain *domain);
	int (*cache_invalidate_user)(struct xiommu_domain *domain,
				     struct xiommu_user_data_array *array);
	int (*set_dev_pasid)(struct xiommu_domain *domain, struct device *dev,
			     u32 pasid, struct xiommu_domain *old);
};

/**
 * struct xiommu_domain - a translation context
 * @type: enum xiommu_domain_type
 * @ops: the domain's operations
 * @owner: the unit that allocated the domain. The core refuses to attach a
 *	domain to an endpoint of any other unit (-EINVAL, "the ops check"),
 *	so domains never cross drivers or instances.
 * @pgsize_bitmap: IOPTE sizes in bytes map_pages accepts (paging only)
 * @geometry: IOVA window (paging only)
 *
 * Drivers embed this in their own domain struct and allocate it from
 * xiommu_ops.domain_alloc_paging. Blocking and identity domains are static
 * per driver (xiommu_ops), shared by all its units: their @owner stays NULL
 * and the core only ever attaches them to endpoints of their own driver's
 * units. For paging domains the core sets @owner and @type after
 * allocation.
 */
struct xiommu_domain {
	enum xiommu_domain_type type;
	const struct xiommu_domain_ops *ops;
	struct xiommu_device *owner;
	unsigned long pgsize_bitmap;
	struct xiommu_domain_geometry geometry;
};

/**
 * struct xiommu_resv_region - an IOVA range an endpoint cannot use
 * @list: link in the caller's list
 * @start: first IOVA of the region
 * @length: bytes
 * @type: XIOMMU_RESV_* (reserved = never map; msi = the MSI doorbell window;
 *	direct = must stay identity-mapped, see XIOMMU_RESV_DIRECT)
 */
struct xiommu_resv_region {
	struct list_head list;
	dma_addr_t start;
	size_t length;
	int type;
};

#define XIOMMU_RESV_RESERVED	0
#define XIOMMU_RESV_MSI		1
/*
 * Firmware requires the range to stay identity-mapped (IOVA == physical
 * address) for the device, e.g. a VT-d RMRR (VT-d spec 8.4). Reserved like
 * XIOMMU_RESV_RESERVED, and the core refuses user ownership of a group with
 * such a device (xiommu_group_claim_dma_owner(): -EINVAL, as upstream): the
 * blocking domain and user page tables would take the mapping away.
 */
#define XIOMMU_RESV_DIRECT	2


/**
 * struct xiommu_viommu - a virtual IOMMU: the slice of a unit that belongs
 *	to one VM (IOMMU_VIOMMU_ALLOC), as its driver sees it
 * @iommu: the unit (set by the core; a reference is held while the vIOMMU
 *	exists)
 * @parent: the NEST_PARENT paging domain every nested domain of the vIOMMU
 *	translates through (set by the core; alive while the vIOMMU exists)
 * @type: the enum iommu_viommu_type (or driver type) user space asked for
 * @ops: set by the driver's viommu_alloc, never NULL
 * @core: core-private: the iommufd object
 *
 * The driver embeds this in its own struct, allocated by
 * xiommu_ops.viommu_alloc and freed by xiommu_viommu_ops.free.
 */
struct xiommu_hw_queue;

struct xiommu_viommu {
	struct xiommu_device *iommu;
	struct xiommu_domain *parent;
	u32 type;
	const struct xiommu_viommu_ops *ops;
	void *core;
};

/**
 * struct xiommu_viommu_ops - what a driver's vIOMMU does
 * @free: free the driver's struct (no vDEVICE, nested domain or queue of
 *	the vIOMMU exists any more, and no user mapping of its
 *	xiommu_viommu_alloc_mmap() regions, which it removes here). Required.
 * @init: optional: called once after @viommu_alloc succeeded, when the
 *	core's object exists, with the same @data (NULL without data): the
 *	place to call xiommu_viommu_alloc_mmap() and to write output fields
 *	of @data. An errno fails IOMMU_VIOMMU_ALLOC (then @free is called).
 * @alloc_domain_nested: optional: a nested domain of the vIOMMU for @dev,
 *	translating through @viommu->parent, from the driver-typed @data
 *	(IOMMU_HWPT_ALLOC with pt_id a vIOMMU). @flags: XIOMMU_DOMAIN_ALLOC_*
 *	(PASID for IOMMU_HWPT_ALLOC_PASID; the driver refuses what it does
 *	not do with -EOPNOTSUPP). Same errno as
 *	xiommu_ops.domain_alloc_nested.
 * @cache_invalidate: optional: carry out the invalidation requests
 *	@array (IOMMU_HWPT_INVALIDATE on the vIOMMU) in order, with the rules
 *	of xiommu_domain_ops.cache_invalidate_user; devices are named by
 *	their virt_id (xiommu_viommu_find_dev()).
 * @vdevice_init: optional: @dev gets the guest ID @virt_id on this
 *	vIOMMU (IOMMU_VDEVICE_ALLOC). Returns 0 or an errno for user space.
 *	Called with the core's per-group lock held: must not call back into
 *	the core except xiommu_viommu_lock()/find_dev()/unlock().
 * @vdevice_destroy: optional (required with @vdevice_init): undo it; the
 *	ID is no longer found by xiommu_viommu_find_dev(). Same context.
 * @hw_queue_supported: optional: whether the vIOMMU gives the guest HW
 *	queues of @type (IOMMU_HW_QUEUE_ALLOC; without this op, or false:
 *	EOPNOTSUPP)
 * @hw_queue_init: start HW queue @queue (its @index, @length, @base_addr
 *	filled) on guest memory at physical address @base_pa: contiguous,
 *	pinned and not unmappable from the IOAS until @hw_queue_destroy.
 *	Returns 0 or an errno for user space. Required with
 *	@hw_queue_supported.
 * @hw_queue_destroy: stop @queue. Required with @hw_queue_init.
 */
struct xiommu_viommu_ops {
	void (*free)(struct xiommu_viommu *viommu);
	int (*init)(struct xiommu_viommu *viommu,
		    const struct xiommu_user_data *data);
	struct xiommu_domain *(*alloc_domain_nested)(
		struct xiommu_viommu *viommu, struct device *dev, u32 flags,
		const struct xiommu_user_data *data);
	int (*cache_invalidate)(struct xiommu_viommu *viommu,
				struct xiommu_user_data_array *array);
	int (*vdevice_init)(struct xiommu_viommu *viommu, struct device *dev,
			    u64 virt_id);
	void (*vdevice_destroy)(struct xiommu_viommu *viommu,
				struct device *dev);
	bool (*hw_queue_supported)(struct xiommu_viommu *viommu, u32 type);
	int (*hw_queue_init)(struct xiommu_viommu *viommu,
			     struct xiommu_hw_queue *queue, phys_addr_t base_pa);
	void (*hw_queue_destroy)(struct xiommu_viommu *viommu,
				 struct xiommu_hw_queue *queue);
};

/**
 * struct xiommu_hw_queue - a queue of the IOMMU hardware that reads its
 *	entries from guest memory (IOMMU_HW_QUEUE_ALLOC), as its driver sees
 *	it
 * @type: enum iommu_hw_queue_type (or the driver's)
 * @index: the queue's number among the vIOMMU's queues of @type
 * @base_addr: guest-physical address (IOVA of the nesting parent) of the
 *	queue memory
 * @length: bytes of queue memory
 * @priv: the driver's
 * @core: core-private: the iommufd object
 */
struct xiommu_hw_queue {
	u32 type;
	u32 index;
	u64 base_addr;
	u64 length;
	void *priv;
	void *core;
};

void xiommu_hw_queue_depend(struct xiommu_hw_queue *queue,
			    struct xiommu_hw_queue *depended);
void xiommu_hw_queue_undepend(struct xiommu_hw_queue *queue,
			      struct xiommu_hw_queue *depended);

void xiommu_viommu_lock(struct xiommu_viommu *viommu) __acquires(viommu);
void xiommu_viommu_unlock(struct xiommu_viommu *viommu) __releases(viommu);
struct device *xiommu_viommu_find_dev(struct xiommu_viommu *viommu,
				      u64 virt_id);
int xiommu_viommu_alloc_mmap(struct xiommu_viommu *viommu, phys_addr_t base,
			     size_t length, bool mmio, unsigned long *offset);
void xiommu_viommu_destroy_mmap(struct xiommu_viommu *viommu,
				unsigned long offset);
int xiommu_viommu_report_event(struct xiommu_viommu *viommu, u32 type,
			       const void *data, size_t len);

/**
 * struct xiommu_ops - per-driver operations
 * @owner: module providing the driver (pinned while the unit is registered
 *	and while any of its domains exists)
 * @name: short driver name for logs ("vtd", "smmuv3", "virtio", "mock")
 * @probe_device: return 0 if @iommu translates @dev and set up per-endpoint
 *	state (xiommu_endpoint_set_priv()); -ENODEV if @dev is not behind
 *	@iommu. Called with the core's registry mutex held (see Locking).
 * @release_device: drop the per-endpoint state. The core does not detach
 *	the endpoint first: on hot-removal the device is gone, and on
 *	xiommu_device_unregister() the driver turns translation off after.
 * @device_group: return the group @dev belongs in: normally
 *	xiommu_pci_device_group() or xiommu_generic_device_group().
 *	Returns an ERR_PTR on failure.
 * @capable: report an enum xiommu_cap for @dev.
 * @domain_alloc_paging: allocate an empty paging domain usable by @dev
 *	(@flags: XIOMMU_DOMAIN_ALLOC_*, each passed only when capable()
 *	reports its capability; others -EOPNOTSUPP). Returns
 *	ERR_PTR(-ENOMEM) etc.
 * @domain_alloc_paging_user: optional: allocate an empty paging domain
 *	usable by @dev as @domain_alloc_paging does (same @flags rules), shaped
 *	by the driver-typed user data @data (IOMMU_HWPT_ALLOC with data_type
 *	on an IOAS; read it with xiommu_copy_struct_from_user()). Drivers
 *	without it refuse such data (the core answers -EOPNOTSUPP). Returns
 *	the domain or ERR_PTR: -EOPNOTSUPP unknown @data->type or a format the
 *	driver cannot build; -EINVAL, -EFAULT bad @data; -ENOMEM.
 * @domain_alloc_nested: optional: allocate a nested (stage-1) domain for
 *	@dev on top of @parent, a NEST_PARENT paging domain of the same unit,
 *	from the driver-typed user data @data (struct xiommu_user_data, read
 *	with xiommu_copy_struct_from_user()). @flags: 0 or
 *	XIOMMU_DOMAIN_ALLOC_PASID (others -EOPNOTSUPP).
 *	Returns the domain or ERR_PTR: -EOPNOTSUPP unknown @data->type;
 *	-EINVAL bad @data or @parent not usable; -EFAULT, -ENOMEM.
 *	The core keeps @parent alive until the nested domain is freed.
 * @get_resv_regions: append struct xiommu_resv_region entries (allocated
 *	with xiommu_alloc_resv_region()) for @dev to @head.
 * @hw_info: fill @data (at most @len bytes) with the IOMMU_GET_HW_INFO
 *	payload for @dev, set *@type to an enum iommu_hw_info_type value and
 *	return the bytes the driver's full structure has (may exceed @len).
 *	Optional.
 * @release_unit: free the unit's memory: called once, by the last
 *	xiommu_device_put() after xiommu_device_unregister() (no domain of the
 *	unit exists any more). Optional for drivers whose unit cannot go away
 *	while its module is pinned (only module unload removes it, and every
 *	domain pins the module): they free the unit after unregister returns.
 *	Any context that may sleep; no core lock held.
 * @max_pasid_log2: the number of PASID bits @dev can use through this unit
 *	(PASID support found and enabled at probe time), 0 for none.
 *	Optional (none). IOMMU_GET_HW_INFO reports it as out_max_pasid_log2.
 *	The core attaches PASIDs only below 2^max_pasid_log2 and only on
 *	endpoints reporting more than 0 (and only if @blocked_domain has
 *	set_dev_pasid).
 * @viommu_alloc: optional: create a vIOMMU of @type for @dev's unit on
 *	the NEST_PARENT paging domain @parent (IOMMU_VIOMMU_ALLOC), reading
 *	and answering the driver-typed @data (NULL when user space gave
 *	none) with xiommu_copy_struct_from_user()/_to_user(). Returns the
 *	driver's struct with @ops set, or ERR_PTR: -EOPNOTSUPP @type is not
 *	the driver's (or the hardware cannot); -EINVAL bad @data or @parent;
 *	-EFAULT, -ENOMEM. Without this op every vIOMMU type is
 *	refused with -EOPNOTSUPP.
 * @user_pasid_table: the PASID table of an endpoint whose RID is on a
 *	nested domain is the user's (a stage-1 context table the guest owns,
 *	as with SMMUv3 CD tables): a page request with a PASID that has no
 *	attachment of its own is the RID's nested HWPT's to answer (upstream:
 *	iommu_ops.user_pasid_table). False for none.
 * @identity_domain: a static identity (passthrough) domain, or NULL if the
 *	driver has none (then kernel-owned endpoints sit in @blocked_domain).
 * @blocked_domain: a static blocking domain. Required.
 */
struct xiommu_ops {
	struct module *owner;
	const char *name;
	int (*probe_device)(struct xiommu_device *iommu, struct device *dev);
	void (*release_device)(struct device *dev);
	struct xiommu_group *(*device_group)(struct device *dev);
	bool (*capable)(struct device *dev, enum xiommu_cap cap);
	struct xiommu_domain *(*domain_alloc_paging)(struct device *dev,
						     u32 flags);
	struct xiommu_domain *(*domain_alloc_paging_user)(
		struct device *dev, u32 flags,
		const struct xiommu_user_data *data);
	struct xiommu_domain *(*domain_alloc_nested)(
		struct device *dev, struct xiommu_domain *parent, u32 flags,
		const struct xiommu_user_data *data);
	void (*get_resv_regions)(struct device *dev, struct list_head *head);
	int (*hw_info)(struct device *dev, void *data, size_t len, u32 *type);
	void (*release_unit)(struct xiommu_device *iommu);
	u8 (*max_pasid_log2)(struct device *dev);
	struct xiommu_viommu *(*viommu_alloc)(struct device *dev,
					      struct xiommu_domain *parent,
					      u32 type,
					      const struct xiommu_user_data *data);
	bool user_pasid_table;
	struct xiommu_domain *identity_domain;
	struct xiommu_domain *blocked_domain;
};

/**
 * struct xiommu_device - one hardware IOMMU unit registered with the core
 * @ops: driver operations
 * @bus: bus whose devices this unit may translate (walked at register time
 *	and watched for hot-add/removal)
 * @dev: the unit's own device (parent for logs/sysfs), may be NULL
 * @name: unique instance name ("dmar0", "mock1"), used in logs
 * @list: core-private: link in the registry
 * @debugfs: core-private: /sys/kernel/debug/xiommu/<name>/
 * @faults: core-private: faults reported by xiommu_report_fault()
 * @users: core-private: references to the unit's memory (registration,
 *	paging domains, owned groups; see the lifecycle above)
 * @dying: core-private: xiommu_device_unregister() has started; set under
 *	the registry lock, read under group mutexes: no group of the unit is
 *	claimed by user space any more (ENODEV)
 *
 * The driver owns the memory; it must stay valid until ops->release_unit
 * is called, or, for a driver without release_unit, until
 * xiommu_device_unregister() returns.
 */
struct xiommu_device {
	const struct xiommu_ops *ops;
	const struct bus_type *bus;
	struct device *dev;
	char name[32];
	struct list_head list;
	struct dentry *debugfs;
	atomic64_t faults;
	struct kref users;
	bool dying;
};

int xiommu_device_register(struct xiommu_device *iommu);
void xiommu_device_unregister(struct xiommu_device *iommu);
void xiommu_device_get(struct xiommu_device *iommu);
void xiommu_device_put(struct xiommu_device *iommu);

void xiommu_endpoint_set_priv(struct device *dev, void *priv);
void *xiommu_endpoint_priv(struct device *dev);
struct xiommu_device *xiommu_endpoint_iommu(struct device *dev);

struct xiommu_group *xiommu_pci_device_group(struct device *dev);

/*
 * PCI helpers. Debian's 6.1 kernel does not export pci_for_each_dma_alias()
 * or pci_acs_path_enabled() to modules (only built-in IOMMU drivers use
 * them), so the core provides its own: drivers must use these.
 */
struct pci_dev;
typedef int (*xiommu_pci_alias_fn)(struct pci_dev *pdev, u16 alias,
				   void *data);
int xiommu_pci_walk_dma_aliases(struct pci_dev *pdev,
				  xiommu_pci_alias_fn fn, void *data);
bool xiommu_pci_acs_enabled(struct pci_dev *pdev, u16 acs_flags);
struct xiommu_group *xiommu_generic_device_group(struct device *dev);
struct xiommu_group *xiommu_endpoint_group_get(struct device *peer);

struct xiommu_resv_region *xiommu_alloc_resv_region(dma_addr_t start,
						    size_t length, int type,
						    gfp_t gfp);

void xiommu_report_fault(struct xiommu_device *iommu, struct device *dev,
			 u32 sid, u64 iova, bool write, const char *reason);
u64 xiommu_fault_count(struct xiommu_device *iommu);
struct dentry *xiommu_debugfs_dir(struct xiommu_device *iommu);

#endif /* XIOMMU_DRIVER_H */
