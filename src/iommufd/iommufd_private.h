/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xiommu iommufd layer: objects, contexts, IOAS, HWPT and device objects.
 * Core-internal; the exported API is include/xiommu/xiommu.h.
 *
 * Lock order (outermost first):
 *
 *   access->ioas_lock                  (access objects; never held across
 *                                      their ops->unmap callback)
 *   ioas->mutex                        (auto HWPT selection, hwpt_list)
 *     igroup->lock                     (attach state of a group's devices)
 *       iopt->domains_rwsem            (io_pagetable.h)
 *         iopt->iova_rwsem
 *       group->mutex                   (iommu-lite, inside xiommu_group_*())
 *   ictx->groups_lock                  (igroup lookup; nothing nests inside
 *                                      but allocation)
 *   xa_lock(&ictx->objects)            (spinlock, innermost, never held
 *                                      across anything that sleeps)
 *
 * Object destruction (the ->destroy callbacks) takes ioas->mutex and the
 * iopt locks, so an object reference is never dropped to destruction while
 * any of these locks is held: helpers return the object to destroy and the
 * caller drops it after unlocking.
 */
#ifndef XIOMMU_IOMMUFD_PRIVATE_H
#define XIOMMU_IOMMUFD_PRIVATE_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/iommufd.h>
#include <xiommu/xiommu.h>

#include "io_pagetable.h"
#include "iommu_lite.h"

/*
 * IOMMU_TEST_CMD: handled by the registered struct xiommu_test_ops (the
 * mock module), like upstream's CONFIG_IOMMUFD_TEST ioctl.
 */
#define XIOMMU_TEST_CMD_NR	(IOMMUFD_CMD_BASE + 32)

/**
 * enum xiommu_obj_type - kinds of objects in a context's object table
 * @XIOMMU_OBJ_NONE: no type
 * @XIOMMU_OBJ_ANY: any type, for lookups (same value as XIOMMU_OBJ_NONE)
 * @XIOMMU_OBJ_DEVICE: struct xiommu_idev
 * @XIOMMU_OBJ_HWPT: struct xiommu_hwpt (paging)
 * @XIOMMU_OBJ_IOAS: struct xiommu_ioas
 * @XIOMMU_OBJ_EXT: struct xiommu_ext_obj (owned by another module)
 * @XIOMMU_OBJ_ACCESS: struct xiommu_access (in-kernel software device)
 * @XIOMMU_OBJ_HWPT_NESTED: struct xiommu_hwpt with a nested domain
 *	(hwpt_nested.c)
 * @XIOMMU_OBJ_FAULT: struct xiommu_fault (IOPF fault queue, fault.c)
 * @XIOMMU_OBJ_VIOMMU: struct xiommu_viommu_obj (viommu.c)
 * @XIOMMU_OBJ_VDEVICE: struct xiommu_vdevice (viommu.c)
 * @XIOMMU_OBJ_VEVENTQ: struct xiommu_veventq (viommu.c)
 * @XIOMMU_OBJ_HW_QUEUE: struct xiommu_hw_queue_obj (viommu.c)
 * @XIOMMU_OBJ_MAX: number of types
 */
enum xiommu_obj_type {
	XIOMMU_OBJ_NONE,
	XIOMMU_OBJ_ANY = XIOMMU_OBJ_NONE,
	XIOMMU_OBJ_DEVICE,
	XIOMMU_OBJ_HWPT,
	XIOMMU_OBJ_IOAS,
	XIOMMU_OBJ_EXT,
	XIOMMU_OBJ_ACCESS,
	XIOMMU_OBJ_HWPT_NESTED,
	XIOMMU_OBJ_FAULT,
	XIOMMU_OBJ_VIOMMU,
	XIOMMU_OBJ_VDEVICE,
	XIOMMU_OBJ_VEVENTQ,
	XIOMMU_OBJ_HW_QUEUE,
	XIOMMU_OBJ_MAX,
};

/**
 * struct xiommu_object - base of every user-visible object (first member)
 * @shortterm_users: references of operations in flight (an ioctl using the
 *	object); the object table holds one. Destruction waits for it to drop
 *	to zero, so it never blocks for long.
 * @users: long-term references: the object table holds one, every graph
 *	edge (an HWPT on its IOAS, a device on its HWPT, a driver binding)
 *	holds one, and every short-term user holds one too. An object can be
 *	destroyed only when the table's reference is the last.
 * @type: enum xiommu_obj_type
 * @id: index in ictx->objects, >= 1
 */
struct xiommu_object {
	refcount_t shortterm_users;
	refcount_t users;
	enum xiommu_obj_type type;
	u32 id;
};

/**
 * struct xiommu_ictx - one open file of /dev/iommu
 * @kref: memory lifetime: the file holds one reference, every bound
 *	device object one, and xiommu_ictx_from_fd()/from_file() callers one
 * @file: the file (for identity checks only; may be closed already)
 * @objects: object table, id -> struct xiommu_object; XA_ZERO_ENTRY for an
 *	id allocated but not yet finalized. Its xa_lock protects lookups
 *	against removal.
 * @groups_lock: protects @groups and the igroups' reference counts
 *	reaching zero (kref_put_mutex()); taken alone
 * @groups: group id -> struct xiommu_igroup, for groups with a device
 *	bound in this context
 * @destroy_wait: woken when an object's shortterm_users drops to zero
 * @vfio_ioas: the IOAS the VFIO compatibility ioctls use (IOMMU_VFIO_IOAS),
 *	or NULL; no reference held, cleared when that IOAS is removed from
 *	@objects (xa_lock of @objects)
 * @account_mode: enum xiommu_account_mode for new mappings
 *	(IOMMU_OPTION_RLIMIT_MODE), changed only while @objects is empty
 * @mmaps: the mmap() regions drivers expose through the file
 *	(xiommu_viommu_alloc_mmap()): first page offset -> struct
 *	xiommu_mmap; its xa_lock orders a lookup taking the owner's users
 *	reference against the region's removal, and protects @mmap_next
 * @mmap_next: the page offset the next region gets; offsets are never
 *	reused, so regions never overlap (6.1's mtree_alloc_range() returns
 *	garbage on an empty tree, hence an xarray and this cursor)
 * @closed: the file was released: objects it could destroy are gone and
 *	the rest (held by drivers) go when the last reference drops
 * @debug_item: link in the debugfs list of contexts (debugfs.c)
 * @debug_pid: thread group of the task that created the context
 * @debug_comm: that task's name
 *
 * Closing the file destroys every object not held by a driver, leaves
 * first; the objects a bound device still keeps alive (its HWPT and IOAS)
 * are destroyed when the last device is unbound and @kref drops to zero.
 */
struct xiommu_ictx {
	struct kref kref;
	struct file *file;
	struct xarray objects;
	struct mutex groups_lock;
	struct xarray groups;
	wait_queue_head_t destroy_wait;
	struct xiommu_ioas *vfio_ioas;
	enum xiommu_account_mode account_mode;
	struct xarray mmaps;
	unsigned long mmap_next;
	bool closed;
	struct list_head debug_item;
	pid_t debug_pid;
	char debug_comm[TASK_COMM_LEN];
};

/**
 * struct xiommu_ucmd - one ioctl in flight
 * @ictx: the context
 * @ubuffer: user pointer to the ioctl struct
 * @user_size: the struct's leading size field
 * @cmd: kernel copy of the struct (zero-extended to the kernel's size)
 */
struct xiommu_ucmd {
	struct xiommu_ictx *ictx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

int xiommu_ucmd_respond(struct xiommu_ucmd *ucmd, size_t cmd_len);

/* debugfs.c: /sys/kernel/debug/xiommu/contexts */
void xiommu_ictx_debug_add(struct xiommu_ictx *ictx);
void xiommu_ictx_debug_del(struct xiommu_ictx *ictx);
void xiommu_iommufd_debugfs_init(struct dentry *root);

/* Objects (main.c) */
struct xiommu_object *_xiommu_object_alloc(struct xiommu_ictx *ictx,
					   size_t size,
					   enum xiommu_obj_type type);

/*
 * Allocate an object of the type @ptr points to; the base struct must be
 * its first member named obj, checked at compile time, so an ERR_PTR
 * passes through container_of() unchanged.
 */
#define xiommu_object_alloc(ictx, ptr, type)				\
	({								\
		static_assert(offsetof(typeof(*(ptr)), obj) == 0);	\
		container_of(_xiommu_object_alloc(ictx, sizeof(*(ptr)),	\
						  type),		\
			     typeof(*(ptr)), obj);			\
	})

void xiommu_object_finalize(struct xiommu_ictx *ictx,
			    struct xiommu_object *obj);
void xiommu_object_abort(struct xiommu_ictx *ictx, struct xiommu_object *obj);
void xiommu_object_abort_and_destroy(struct xiommu_ictx *ictx,
				     struct xiommu_object *obj);
struct xiommu_object *xiommu_get_object(struct xiommu_ictx *ictx, u32 id,
					enum xiommu_obj_type type);
void xiommu_put_object(struct xiommu_ictx *ictx, struct xiommu_object *obj);
void xiommu_put_object_id(struct xiommu_ictx *ictx, u32 id);

/* Take a short-term reference on an object found under xa_lock. */
static inline bool xiommu_lock_obj(struct xiommu_object *obj)
{
	if (!refcount_inc_not_zero(&obj->users))
		return false;
	if (!refcount_inc_not_zero(&obj->shortterm_users)) {
		refcount_dec(&obj->users);
		return false;
	}
	return true;
}

#define XIOMMU_REMOVE_WAIT_SHORTTERM	BIT(0)
/* leave the ID taken (a tombstone) until the context goes */
#define XIOMMU_REMOVE_TOMBSTONE		BIT(1)
int xiommu_object_remove(struct xiommu_ictx *ictx,
			 struct xiommu_object *to_destroy, u32 id,
			 unsigned int flags);

/*
 * Drop the caller's long-term reference on @obj and destroy it, waiting
 * for operations in flight; used by drivers ending their binding.
 */
static inline void xiommu_object_destroy_user(struct xiommu_ictx *ictx,
					      struct xiommu_object *obj)
{
	xiommu_object_remove(ictx, obj, obj->id, XIOMMU_REMOVE_WAIT_SHORTTERM);
}

/*
 * Drop the caller's long-term reference on @obj and destroy it if nothing
 * else uses it (an automatic HWPT whose last device left).
 */
static inline void xiommu_object_put_and_try_destroy(struct xiommu_ictx *ictx,
						     struct xiommu_object *obj)
{
	xiommu_object_remove(ictx, obj, obj->id, 0);
}

/**
 * struct xiommu_ioas - an I/O address space (IOMMU_IOAS_ALLOC)
 * @obj: base
 * @iopt: the IOVA map
 * @mutex: protects @hwpt_list and serialises automatic HWPT selection and
 *	creation for this IOAS; outermost lock (see the top of this file)
 * @hwpt_list: every struct xiommu_hwpt on this IOAS (->hwpt_item)
 */
struct xiommu_ioas {
	struct xiommu_object obj;
	struct xiommu_iopt iopt;
	struct mutex mutex;
	struct list_head hwpt_list;
};

struct xiommu_ioas *xiommu_get_ioas(struct xiommu_ictx *ictx, u32 id);
void xiommu_ioas_destroy(struct xiommu_object *obj);
int xiommu_ioas_alloc_ioctl(struct xiommu_ucmd *ucmd);
int xiommu_ioas_iova_ranges(struct xiommu_ucmd *ucmd);
int xiommu_ioas_allow_iovas(struct xiommu_ucmd *ucmd);
int xiommu_ioas_map(struct xiommu_ucmd *ucmd);
int xiommu_ioas_map_file(struct xiommu_ucmd *ucmd);
int xiommu_ioas_change_process(struct xiommu_ucmd *ucmd);
int xiommu_ioas_copy(struct xiommu_ucmd *ucmd);
int xiommu_ioas_unmap(struct xiommu_ucmd *ucmd);
/*
 * IOPTE permissions of a user mapping (IOAS_MAP, VFIO MAP_DMA). User space
 * has no way to flush CPU caches for DMA, so mappings are always cache
 * coherent: binding requires XIOMMU_CAP_CACHE_COHERENCY.
 */
static inline int xiommu_map_prot(bool read, bool write)
{
	return XIOMMU_CACHE | (read ? XIOMMU_READ : 0) |
	       (write ? XIOMMU_WRITE : 0);
}

int xiommu_option_ioctl(struct xiommu_ucmd *ucmd);
int xiommu_vfio_ioas_ioctl(struct xiommu_ucmd *ucmd);
long xiommu_vfio_ioctl(struct xiommu_ictx *ictx, unsigned int cmd,
		       unsigned long arg);

/**
 * struct xiommu_hwpt - a hardware page table: one paging domain that
 *	mirrors an IOAS
 * @obj: base
 * @ioas: the IOAS mirrored (holds a users reference on it)
 * @domain: the domain, added to @ioas->iopt
 * @hwpt_item: link in @ioas->hwpt_list (ioas->mutex)
 * @auto_domain: created by an attach to an IOAS; such HWPTs are reused by
 *	later automatic attaches and destroyed when their last device leaves
 * @enforce_cache_coherency: the domain forces snooping (set once, under
 *	the igroup lock of the attaching device or at creation)
 * @nest_parent: paging, allocated with IOMMU_HWPT_ALLOC_NEST_PARENT: may
 *	be the @parent of nested HWPTs
 * @parent: nested HWPTs only (XIOMMU_OBJ_HWPT_NESTED): the NEST_PARENT
 *	paging HWPT translating the nested domain's output (users reference
 *	held, so it cannot be destroyed first: EBUSY). @ioas is then the
 *	parent's IOAS (no reference of its own), @hwpt_item stays empty.
 * @dirty_tracking: allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING (fixed):
 *	the domain has the dirty ops, and only devices whose unit reports
 *	XIOMMU_CAP_DIRTY_TRACKING may attach
 * @fault: the fault queue given at IOMMU_HWPT_ALLOC
 *	(IOMMU_HWPT_FAULT_ID_VALID), users reference held; NULL for none. I/O
 *	page faults of devices attached to the HWPT go there
 * @pasid_compat: allocated with IOMMU_HWPT_ALLOC_PASID (fixed): the only
 *	HWPTs a PASID may attach to, and while a group has PASIDs attached
 *	the only ones its RID may use
 * @viommu: nested HWPTs allocated on a vIOMMU (pt_id a vIOMMU): that
 *	vIOMMU, users reference held instead of one on @parent (the vIOMMU
 *	holds the parent)
 */
struct xiommu_hwpt {
	struct xiommu_object obj;
	struct xiommu_ioas *ioas;
	struct xiommu_domain *domain;
	struct list_head hwpt_item;
	bool auto_domain;
	bool enforce_cache_coherency;
	bool nest_parent;
	struct xiommu_hwpt *parent;
	bool dirty_tracking;
	struct xiommu_fault *fault;
	bool pasid_compat;
	struct xiommu_viommu_obj *viommu;
};

struct xiommu_idev;
struct xiommu_viommu_obj;

struct xiommu_hwpt *xiommu_hwpt_alloc(struct xiommu_ictx *ictx,
				      struct xiommu_ioas *ioas,
				      struct xiommu_idev *idev, u32 flags,
				      bool auto_domain);
struct xiommu_hwpt *xiommu_hwpt_alloc_user(struct xiommu_ictx *ictx,
					   struct xiommu_ioas *ioas,
					   struct xiommu_idev *idev, u32 flags,
					   const struct xiommu_user_data *data,
					   bool auto_domain);
int xiommu_hwpt_enforce_cc(struct xiommu_hwpt *hwpt);
void xiommu_hwpt_put(struct xiommu_ictx *ictx, struct xiommu_hwpt *hwpt);
void xiommu_hwpt_destroy(struct xiommu_object *obj);
void xiommu_hwpt_abort(struct xiommu_object *obj);
int xiommu_hwpt_alloc_ioctl(struct xiommu_ucmd *ucmd);
int xiommu_hwpt_set_dirty_tracking(struct xiommu_ucmd *ucmd);
int xiommu_hwpt_get_dirty_bitmap(struct xiommu_ucmd *ucmd);

/* dirty.c: the bitmap walk of IOMMU_HWPT_GET_DIRTY_BITMAP */

/* Bytes of bitmap one step of the walk handles (kernel buffer size). */
#define XIOMMU_DIRTY_CHUNK_BYTES	1024

/**
 * struct xiommu_dirty_walk - one IOMMU_HWPT_GET_DIRTY_BITMAP walk
 * @iova: first IOVA of the whole range (bit 0)
 * @length: bytes of the range, a multiple of 2^@pgshift, not 0
 * @pgshift: log2 of the bytes one bit stands for
 * @fill: report the dirty state of window @dirty (its @iova, @nbits,
 *	@bits zeroed, @carry_last from the previous window) into @dirty->bits
 * @flush: merge @nbits bits of @bits into the destination at bit @first
 *	(a multiple of 8)
 * @priv: for @fill and @flush
 * @gather: passed to the driver as xiommu_dirty_bitmap.gather
 *
 * The core of the ioctl, apart so that KUnit can drive it with kernel
 * buffers: the kernel memory used is XIOMMU_DIRTY_CHUNK_BYTES whatever the
 * range.
 */
struct xiommu_dirty_walk {
	unsigned long iova;
	unsigned long length;
	unsigned int pgshift;
	int (*fill)(void *priv, struct xiommu_dirty_bitmap *dirty);
	int (*flush)(void *priv, unsigned long first,
		     const unsigned long *bits, unsigned long nbits);
	void *priv;
	struct xiommu_iotlb_gather *gather;
};

int xiommu_dirty_walk_run(const struct xiommu_dirty_walk *walk);

/* hwpt_nested.c */
struct xiommu_hwpt *xiommu_hwpt_nested_alloc(struct xiommu_ictx *ictx,
					     struct xiommu_hwpt *parent,
					     struct xiommu_idev *idev, u32 flags,
					     const struct xiommu_user_data *data);
void xiommu_hwpt_nested_destroy(struct xiommu_object *obj);
int xiommu_hwpt_invalidate_ioctl(struct xiommu_ucmd *ucmd);
int xiommu_hwpt_invalidate_array(struct xiommu_domain *domain,
				 struct xiommu_user_data_array *array);

/**
 * struct xiommu_igroup - a group with devices bound in one context
 * @ref: one reference per bound device object of the group
 * @lock: protects @hwpt, @device_list and each member's ->group_item;
 *	nests inside ioas->mutex, outside the iopt locks and group->mutex
 * @ictx: the context (not refcounted: every user holds the ictx)
 * @group: the iommu-lite group (reference held)
 * @hwpt: the HWPT the group is attached to, NULL while blocked
 * @device_list: devices of the group attached to @hwpt (->group_item)
 * @pasids: PASID -> struct xiommu_pasid_attach, the PASIDs of the group
 *	attached to an HWPT (device.c, "PASID attach")
 *
 * The group is the unit the hardware attaches, so every attached device of
 * the group is on the same @hwpt.
 */
struct xiommu_igroup {
	struct kref ref;
	struct mutex lock;
	struct xiommu_ictx *ictx;
	struct xiommu_group *group;
	struct xiommu_hwpt *hwpt;
	struct list_head device_list;
	struct xarray pasids;
};

/**
 * struct xiommu_pasid_attach - one PASID of a group attached to an HWPT
 * @hwpt: the HWPT (a users reference per device in @devs)
 * @devs: device object ID -> struct xiommu_idev: the devices of the group
 *	attached at this PASID (all to @hwpt)
 *
 * Under the igroup's lock.
 */
struct xiommu_pasid_attach {
	struct xiommu_hwpt *hwpt;
	struct xarray devs;
};

/**
 * struct xiommu_idev - a device bound to a context (xiommu_idev_bind())
 * @obj: base; the binding driver holds a users reference until unbind,
 *	and each attachment holds another
 * @ictx: the context (kref held)
 * @igroup: the device's group in @ictx (reference held)
 * @dev: the device
 * @group_item: link in igroup->device_list while attached (igroup->lock)
 * @attached: on igroup->device_list (igroup->lock)
 * @enforce_cache_coherency: the device's unit can force snooping, so every
 *	HWPT it attaches to must do so
 * @vdev: the device's vDEVICE, or NULL (igroup->lock)
 * @destroying: unbind has begun: no new vDEVICE (igroup->lock)
 */
struct xiommu_idev {
	struct xiommu_object obj;
	struct xiommu_ictx *ictx;
	struct xiommu_igroup *igroup;
	struct device *dev;
	struct list_head group_item;
	bool attached;
	bool enforce_cache_coherency;
	struct xiommu_vdevice *vdev;
	bool destroying;
};

struct xiommu_idev *xiommu_get_idev(struct xiommu_ictx *ictx, u32 id);
void xiommu_idev_destroy(struct xiommu_object *obj);
void xiommu_idev_pasid_detach_all(struct xiommu_idev *idev);
int xiommu_get_hw_info(struct xiommu_ucmd *ucmd);

/**
 * struct xiommu_ext_obj - an object whose meaning belongs to another module
 * @obj: base
 * @ops: the owner's ops (module pinned while the object exists)
 * @priv: the owner's cookie
 */
struct xiommu_ext_obj {
	struct xiommu_object obj;
	const struct xiommu_ext_obj_ops *ops;
	void *priv;
};

void xiommu_ext_obj_destroy(struct xiommu_object *obj);

/**
 * struct xiommu_access - an in-kernel user of an IOAS without an IOMMU
 *	(xiommu_access_create())
 * @obj: base; the creating driver holds a users reference until
 *	xiommu_access_destroy()
 * @ictx: the context (kref held)
 * @ops: the driver's ops
 * @data: the driver's cookie for @ops
 * @ioas_lock: protects @ioas, @ioas_unpin, @iopt_access_id and @npins;
 *	outside the iopt locks, never held across @ops->unmap
 * @ioas: the IOAS pins and copies go to, NULL while detached or while
 *	moving to another IOAS (users reference held while attached)
 * @ioas_unpin: the IOAS the outstanding pins were made in
 * @iopt_access_id: id in @ioas_unpin->iopt.access_list
 * @npins: successful xiommu_access_pin_pages() calls not yet unpinned
 */
struct xiommu_access {
	struct xiommu_object obj;
	struct xiommu_ictx *ictx;
	const struct xiommu_access_ops *ops;
	void *data;
	struct mutex ioas_lock;
	struct xiommu_ioas *ioas;
	struct xiommu_ioas *ioas_unpin;
	u32 iopt_access_id;
	unsigned long npins;
};

void xiommu_access_destroy_object(struct xiommu_object *obj);

/* viommu.c: vIOMMU, vDEVICE and vEVENTQ objects */

/**
 * struct xiommu_viommu_obj - a vIOMMU object (IOMMU_VIOMMU_ALLOC)
 * @obj: base; users references: every vDEVICE, vEVENTQ and nested HWPT
 *	of the vIOMMU holds one (so IOMMU_DESTROY answers EBUSY until they
 *	are gone)
 * @ictx: the context
 * @hwpt: the NEST_PARENT paging HWPT (users reference held: destroying it
 *	first is EBUSY)
 * @drv: the driver's part (struct xiommu_viommu), freed by its ops->free
 * @vdevs: virt_id -> struct xiommu_vdevice; its xa_lock is what
 *	xiommu_viommu_lock() takes, so drivers look devices up against
 *	vDEVICE destruction
 * @veventqs_rwsem: protects @veventqs; readers are event producers
 * @veventqs: the vEVENTQs of the vIOMMU (one per type)
 */
struct xiommu_viommu_obj {
	struct xiommu_object obj;
	struct xiommu_ictx *ictx;
	struct xiommu_hwpt *hwpt;
	struct xiommu_viommu *drv;
	struct xarray vdevs;
	struct rw_semaphore veventqs_rwsem;
	struct list_head veventqs;
};

/**
 * struct xiommu_vdevice - a vDEVICE: a bound device's ID on a vIOMMU
 *	(IOMMU_VDEVICE_ALLOC)
 * @obj: base
 * @viommu: the vIOMMU (users reference held)
 * @idev: the device object; no reference: unbinding the device destroys
 *	the vDEVICE first (leaving its ID a tombstone), as upstream
 * @virt_id: the guest's ID of the device, unique in @viommu->vdevs
 */
struct xiommu_vdevice {
	struct xiommu_object obj;
	struct xiommu_viommu_obj *viommu;
	struct xiommu_idev *idev;
	u64 virt_id;
};

/**
 * struct xiommu_mmap - a region user space maps through the context's file
 * @owner: the object that exposes it; every VMA of the region holds one
 *	users reference, so IOMMU_DESTROY of @owner is EBUSY while mapped
 * @base: physical address of the region (page aligned)
 * @length: bytes (page multiple); an mmap() must be exactly this long
 * @vm_pgoff: the mmap() offset user space passes, in pages
 * @mmio: device memory (mapped uncached) rather than RAM
 */
struct xiommu_mmap {
	struct xiommu_object *owner;
	phys_addr_t base;
	size_t length;
	unsigned long vm_pgoff;
	bool mmio;
};

int xiommu_viommu_alloc_ioctl(struct xiommu_ucmd *ucmd);
void xiommu_viommu_destroy(struct xiommu_object *obj);
int xiommu_vdevice_alloc_ioctl(struct xiommu_ucmd *ucmd);
void xiommu_vdevice_destroy(struct xiommu_object *obj);
void xiommu_idev_remove_vdev(struct xiommu_idev *idev);
int xiommu_veventq_alloc_ioctl(struct xiommu_ucmd *ucmd);
void xiommu_veventq_destroy(struct xiommu_object *obj);
int xiommu_hw_queue_alloc_ioctl(struct xiommu_ucmd *ucmd);
void xiommu_hw_queue_destroy(struct xiommu_object *obj);
int xiommu_viommu_invalidate_array(struct xiommu_viommu_obj *viommu,
				   struct xiommu_user_data_array *array);
struct xiommu_hwpt *xiommu_hwpt_viommu_nested_alloc(
	struct xiommu_ictx *ictx, struct xiommu_viommu_obj *viommu,
	struct xiommu_idev *idev, u32 flags,
	const struct xiommu_user_data *data);

/* eventq.c: event queues read through a file of their own */

/**
 * struct xiommu_eventq_entry - one queued event (embedded in the user's
 *	record)
 * @node: link in xiommu_eventq.deliver (eventq->lock); empty while a reader
 *	holds the entry
 * @sequence: sequence number given at delivery, 0..INT_MAX, wrapping
 * @lost: this is the queue's lost marker (xiommu_eventq.lost), which
 *	carries no data
 */
struct xiommu_eventq_entry {
	struct list_head node;
	u32 sequence;
	bool lost;
};

struct xiommu_eventq;

/**
 * struct xiommu_eventq_ops - what a kind of event queue does itself
 * @read: read(2) of the queue's file: copy whole entries (fetched with
 *	xiommu_eventq_fetch()) to @buf, at most @count bytes; returns the
 *	bytes copied, or an errno if none were (*ppos is checked already:
 *	ESPIPE)
 * @write: write(2) of the file, or NULL (then EINVAL, and poll reports no
 *	EPOLLOUT)
 * @free_entry: free a queued entry at teardown (never the lost marker)
 * @release: optional: the queue's file is being closed (last fput);
 *	called before the file's references on the object and the context
 *	are dropped. Producers may still deliver to the queue.
 */
struct xiommu_eventq_ops {
	ssize_t (*read)(struct xiommu_eventq *eventq, char __user *buf,
			size_t count);
	ssize_t (*write)(struct xiommu_eventq *eventq, const char __user *buf,
			 size_t count);
	void (*free_entry)(struct xiommu_eventq *eventq,
			   struct xiommu_eventq_entry *entry);
	void (*release)(struct xiommu_eventq *eventq);
};

/**
 * struct xiommu_eventq - the common part of an event queue object (first
 *	member of the vEVENTQ and fault queue objects)
 * @obj: base; the queue's file holds a users reference while open
 * @ictx: the context (the file holds a reference)
 * @ops: the kind's ops
 * @filep: the queue's file, from xiommu_eventq_get_fd()
 * @lock: spinlock (interrupts saved) protecting @deliver, @nr_queued,
 *	@nr_lost, @sequence and @lost; innermost, taken by producers in any
 *	context
 * @deliver: entries not yet fetched by a reader, oldest first
 * @depth: limit on @nr_queued, 0 for none
 * @nr_queued: entries delivered and not yet consumed or torn down
 * @nr_lost: events lost (depth reached, or reported by the producer)
 * @sequence: the next sequence number
 * @lost: the lost marker, on @deliver (at the tail) after a loss until a
 *	later entry is queued or a reader takes it
 * @wait_queue: woken on each delivery
 *
 * Interface (eventq.c): xiommu_eventq_init() when the object is allocated;
 * xiommu_eventq_get_fd(), then after finalize xiommu_eventq_install_fd()
 * (or xiommu_eventq_put_fd() before aborting); producers call
 * xiommu_eventq_deliver() or xiommu_eventq_report_lost(); the kind's read
 * op uses xiommu_eventq_fetch(), then _consumed() or _restore(); the
 * object's destroy and abort call xiommu_eventq_teardown().
 */
struct xiommu_eventq {
	struct xiommu_object obj;
	struct xiommu_ictx *ictx;
	const struct xiommu_eventq_ops *ops;
	struct file *filep;
	spinlock_t lock;
	struct list_head deliver;
	u32 depth;
	u32 nr_queued;
	u64 nr_lost;
	u32 sequence;
	struct xiommu_eventq_entry lost;
	wait_queue_head_t wait_queue;
};

void xiommu_eventq_init(struct xiommu_eventq *eventq, struct xiommu_ictx *ictx,
			const struct xiommu_eventq_ops *ops, u32 depth);
bool xiommu_eventq_deliver(struct xiommu_eventq *eventq,
			   struct xiommu_eventq_entry *entry);
void xiommu_eventq_report_lost(struct xiommu_eventq *eventq);
struct xiommu_eventq_entry *xiommu_eventq_fetch(struct xiommu_eventq *eventq,
						u32 *seq);
void xiommu_eventq_restore(struct xiommu_eventq *eventq,
			   struct xiommu_eventq_entry *entry, u32 seq);
void xiommu_eventq_consumed(struct xiommu_eventq *eventq,
			    struct xiommu_eventq_entry *entry);
void xiommu_eventq_teardown(struct xiommu_eventq *eventq);
int xiommu_eventq_get_fd(struct xiommu_eventq *eventq, const char *name);
void xiommu_eventq_install_fd(struct xiommu_eventq *eventq, int fdno);
void xiommu_eventq_put_fd(struct xiommu_eventq *eventq, int fdno);


/**
 * struct xiommu_fault - an IOPF fault queue (IOMMU_FAULT_QUEUE_ALLOC)
 * @common: the event queue (its obj is the object's base), no depth limit
 * @mutex: serialises read(), write() and the auto-responses of detach;
 *	protects @response and each queued fault's @dead. Nests inside
 *	igroup->lock, outside the event queue's spinlock
 * @response: cookie -> struct xiommu_iopf read by user space and not yet
 *	answered
 *
 * HWPTs allocated with the queue hold a users reference on it, and so does
 * its file while open: IOMMU_DESTROY answers EBUSY until both are gone.
 */
struct xiommu_fault {
	struct xiommu_eventq common;
	struct mutex mutex;
	struct xarray response;
};

int xiommu_fault_alloc_ioctl(struct xiommu_ucmd *ucmd);
void xiommu_fault_destroy(struct xiommu_object *obj);
struct xiommu_fault *xiommu_get_fault(struct xiommu_ictx *ictx, u32 id);
void xiommu_fault_debug_counts(struct xiommu_fault *fault, u32 *queued,
			       u32 *waiting);
void xiommu_fault_auto_respond(struct xiommu_hwpt *hwpt,
			       struct xiommu_idev *idev, u32 pasid);

#endif /* XIOMMU_IOMMUFD_PRIVATE_H */
