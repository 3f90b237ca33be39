// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu core module: /dev/iommu, the object table and the ioctl dispatch.
 *
 * Every open of /dev/iommu creates a context (struct xiommu_ictx) holding a
 * table of objects (IOAS, HWPT, device, external). User space names objects
 * by their table index (the ID). An object becomes visible in the table only
 * once its creation can no longer fail (alloc -> fill -> finalize, or
 * abort), and it is destroyed only when no other object or operation uses
 * it (the two refcounts of struct xiommu_object).
 */
#define pr_fmt(fmt) "xiommu: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "iommufd_private.h"

struct xiommu_object_ops {
	void (*destroy)(struct xiommu_object *obj);
	void (*abort)(struct xiommu_object *obj);
};

static const struct xiommu_object_ops xiommu_object_ops[XIOMMU_OBJ_MAX] = {
	[XIOMMU_OBJ_DEVICE] = {
		.destroy = xiommu_idev_destroy,
	},
	[XIOMMU_OBJ_HWPT] = {
		.destroy = xiommu_hwpt_destroy,
		.abort = xiommu_hwpt_abort,
	},
	[XIOMMU_OBJ_HWPT_NESTED] = {
		.destroy = xiommu_hwpt_nested_destroy,
	},
	[XIOMMU_OBJ_IOAS] = {
		.destroy = xiommu_ioas_destroy,
	},
	[XIOMMU_OBJ_EXT] = {
		.destroy = xiommu_ext_obj_destroy,
	},
	[XIOMMU_OBJ_ACCESS] = {
		.destroy = xiommu_access_destroy_object,
	},
	[XIOMMU_OBJ_FAULT] = {
		.destroy = xiommu_fault_destroy,
	},
	[XIOMMU_OBJ_VIOMMU] = {
		.destroy = xiommu_viommu_destroy,
	},
	[XIOMMU_OBJ_VDEVICE] = {
		.destroy = xiommu_vdevice_destroy,
	},
	[XIOMMU_OBJ_VEVENTQ] = {
		.destroy = xiommu_veventq_destroy,
	},
	[XIOMMU_OBJ_HW_QUEUE] = {
		.destroy = xiommu_hw_queue_destroy,
	},
};

/**
 * _xiommu_object_alloc() - allocate an object and reserve its ID
 * @ictx: context
 * @size: bytes of the containing struct (base struct first)
 * @type: enum xiommu_obj_type
 *
 * The ID is reserved but lookups do not see the object until
 * xiommu_object_finalize(); until then errors undo it with
 * xiommu_object_abort() or xiommu_object_abort_and_destroy().
 *
 * Return: the object with one users and one shortterm_users reference
 * (the table's), or ERR_PTR(-ENOMEM) / ERR_PTR(-EBUSY) (ID space full).
 */
struct xiommu_object *_xiommu_object_alloc(struct xiommu_ictx *ictx,
					   size_t size,
					   enum xiommu_obj_type type)
{
	struct xiommu_object *obj;
	int rc;

	obj = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	refcount_set(&obj->shortterm_users, 1);
	refcount_set(&obj->users, 1);

	/* A NULL entry reserves the ID: lookups return nothing for it. */
	rc = xa_alloc(&ictx->objects, &obj->id, NULL, xa_limit_31b,
		      GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(obj);
		return ERR_PTR(rc);
	}
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(_xiommu_object_alloc);

/**
 * xiommu_object_finalize() - make an object visible to lookups
 * @ictx: context
 * @obj: object from _xiommu_object_alloc(), fully set up
 *
 * After this the object may be looked up, used and destroyed by others at
 * any time, so nothing may fail after it.
 */
void xiommu_object_finalize(struct xiommu_ictx *ictx,
			    struct xiommu_object *obj)
{
	XA_STATE(xas, &ictx->objects, obj->id);
	void *old;

	/* Replacing the reserved entry needs no memory: cannot fail. */
	xa_lock(&ictx->objects);
	old = xas_store(&xas, obj);
	xa_unlock(&ictx->objects);
	WARN_ON(old != XA_ZERO_ENTRY);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_object_finalize);

/**
 * xiommu_object_abort() - free an object that was never finalized
 * @ictx: context
 * @obj: object from _xiommu_object_alloc() with nothing to tear down
 */
void xiommu_object_abort(struct xiommu_ictx *ictx, struct xiommu_object *obj)
{
	XA_STATE(xas, &ictx->objects, obj->id);
	void *old;

	xa_lock(&ictx->objects);
	old = xas_store(&xas, NULL);
	xa_unlock(&ictx->objects);
	WARN_ON(old != XA_ZERO_ENTRY);
	kfree(obj);
}

/**
 * xiommu_object_abort_and_destroy() - tear down and free an unfinalized object
 * @ictx: context
 * @obj: object filled far enough that its destroy (or abort) op applies
 */
void xiommu_object_abort_and_destroy(struct xiommu_ictx *ictx,
				     struct xiommu_object *obj)
{
	const struct xiommu_object_ops *ops = &xiommu_object_ops[obj->type];

	if (ops->abort)
		ops->abort(obj);
	else
		ops->destroy(obj);
	xiommu_object_abort(ictx, obj);
}

/**
 * xiommu_get_object() - look up an object and take a short-term reference
 * @ictx: context
 * @id: object ID from user space
 * @type: required type, or XIOMMU_OBJ_ANY
 *
 * Return: the object (release with xiommu_put_object()) or ERR_PTR(-ENOENT)
 * if there is no finalized object @id of that type or it is being destroyed.
 */
struct xiommu_object *xiommu_get_object(struct xiommu_ictx *ictx, u32 id,
					enum xiommu_obj_type type)
{
	struct xiommu_object *obj;

	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	if (!obj || (type != XIOMMU_OBJ_ANY && obj->type != type) ||
	    !xiommu_lock_obj(obj))
		obj = ERR_PTR(-ENOENT);
	xa_unlock(&ictx->objects);
	return obj;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_get_object);

/**
 * xiommu_put_object() - drop a reference from xiommu_get_object()
 * @ictx: context
 * @obj: the object
 */
void xiommu_put_object(struct xiommu_ictx *ictx, struct xiommu_object *obj)
{
	/* users first: a waiter seeing shortterm_users 0 sees users dropped */
	refcount_dec(&obj->users);
	if (refcount_dec_and_test(&obj->shortterm_users))
		wake_up_all(&ictx->destroy_wait);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_put_object);

/**
 * xiommu_put_object_id() - xiommu_put_object() for a caller that kept the ID
 * @ictx: context
 * @id: ID of an object the caller holds a xiommu_get_object() reference on
 */
void xiommu_put_object_id(struct xiommu_ictx *ictx, u32 id)
{
	struct xiommu_object *obj;

	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	xa_unlock(&ictx->objects);
	/* The caller's reference keeps the object in the table. */
	if (WARN_ON(!obj))
		return;
	xiommu_put_object(ictx, obj);
}

/* Drop the table's short-term reference and wait for operations in flight. */
static void xiommu_object_dec_wait_shortterm(struct xiommu_ictx *ictx,
					     struct xiommu_object *obj)
{
	if (refcount_dec_and_test(&obj->shortterm_users))
		return;
	/* Operations in flight are ioctls: they finish, just not at once. */
	while (!wait_event_timeout(ictx->destroy_wait,
				   refcount_read(&obj->shortterm_users) == 0,
				   10 * HZ))
		pr_warn_ratelimited("still waiting for object %u to become unused\n",
			obj->id);
}

/* @obj just left the table (xa_lock held): forget pointers to it. */
static void xiommu_object_unlinked(struct xiommu_ictx *ictx,
				   struct xiommu_object *obj)
{
	lockdep_assert_held(&ictx->objects.xa_lock);
	if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
		ictx->vfio_ioas = NULL;
}

/**
 * xiommu_object_remove() - remove an object from the table and destroy it
 * @ictx: context
 * @to_destroy: if not NULL, the object, on which the caller holds a
 *	long-term reference that this call drops in every case
 * @id: the object's ID
 * @flags: XIOMMU_REMOVE_WAIT_SHORTTERM: first wait until no operation uses
 *	the object (so only long-term users can make this fail);
 *	XIOMMU_REMOVE_TOMBSTONE: leave @id taken (lookups and IOMMU_DESTROY
 *	answer ENOENT) until the context is freed
 *
 * The object is destroyed only if the table's reference is its last
 * long-term one.
 *
 * Return: 0 destroyed; -ENOENT no object @id; -EBUSY still in use.
 */
int xiommu_object_remove(struct xiommu_ictx *ictx,
			 struct xiommu_object *to_destroy, u32 id,
			 unsigned int flags)
{
	XA_STATE(xas, &ictx->objects, id);
	struct xiommu_object *obj;
	bool waited = false;
	int rc;

	if (flags & XIOMMU_REMOVE_WAIT_SHORTTERM) {
		xiommu_object_dec_wait_shortterm(ictx, to_destroy);
		waited = true;
	}

	xa_lock(&ictx->objects);
	obj = xas_load(&xas);
	if (to_destroy) {
		refcount_dec(&to_destroy->users);
		if (WARN_ON(obj != to_destroy)) {
			obj = to_destroy;
			rc = -ENOENT;
			goto err_unlock;
		}
	} else if (!obj || xa_is_zero(obj)) {
		xa_unlock(&ictx->objects);
		return -ENOENT;
	}

	if (!refcount_dec_if_one(&obj->users)) {
		rc = -EBUSY;
		goto err_unlock;
	}
	xas_store(&xas, (flags & XIOMMU_REMOVE_TOMBSTONE) ? XA_ZERO_ENTRY : NULL);
	xiommu_object_unlinked(ictx, obj);
	xa_unlock(&ictx->objects);

	/* users is 0: new lookups fail; wait for the ones that got in. */
	if (!waited)
		xiommu_object_dec_wait_shortterm(ictx, obj);

	xiommu_object_ops[obj->type].destroy(obj);
	kfree(obj);
	return 0;

err_unlock:
	if (waited)
		refcount_set(&obj->shortterm_users, 1);
	xa_unlock(&ictx->objects);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_object_remove);

/*
 * Destroy every object that nothing but the table uses, repeatedly, so
 * leaves go first and free their parents for the next round. Objects kept
 * by a driver binding (and what they are attached to) stay.
 */
static void xiommu_ictx_destroy_objects(struct xiommu_ictx *ictx)
{
	struct xiommu_object *obj;
	unsigned long index;
	unsigned int destroyed;

	do {
		destroyed = 0;
		/*
		 * Drivers may destroy objects concurrently (unbind, access
		 * destroy, auto-HWPT put): re-load and test each one under the
		 * table lock, as IOMMU_DESTROY does, never through the pointer
		 * the unlocked walk saw.
		 */
		xa_for_each(&ictx->objects, index, obj)
			if (!xiommu_object_remove(ictx, NULL, index, 0))
				destroyed++;
	} while (destroyed && !xa_empty(&ictx->objects));
}

static int xiommu_destroy_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return xiommu_object_remove(ucmd->ictx, NULL, cmd->id, 0);
}

/**
 * xiommu_ucmd_respond() - copy an ioctl's struct back to user space
 * @ucmd: the ioctl
 * @cmd_len: the kernel's size of the struct
 *
 * Copies min(user size, @cmd_len) bytes, so callers built with an older,
 * shorter struct get what they know.
 *
 * Return: 0 or -EFAULT.
 */
int xiommu_ucmd_respond(struct xiommu_ucmd *ucmd, size_t cmd_len)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, cmd_len)))
		return -EFAULT;
	return 0;
}

/* ------------------------------------------------------------------------
 * IOMMU_TEST_CMD forwarding
 */
static DEFINE_MUTEX(xiommu_test_lock);
static const struct xiommu_test_ops *xiommu_test_ops;

/**
 * xiommu_test_register() - install the IOMMU_TEST_CMD handler
 * @ops: handler; its module is pinned while a call is in flight
 *
 * Return: 0, or -EBUSY if a handler is installed already.
 */
int xiommu_test_register(const struct xiommu_test_ops *ops)
{
	int rc = 0;

	mutex_lock(&xiommu_test_lock);
	if (xiommu_test_ops)
		rc = -EBUSY;
	else
		xiommu_test_ops = ops;
	mutex_unlock(&xiommu_test_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_test_register);

/**
 * xiommu_test_unregister() - remove the IOMMU_TEST_CMD handler
 * @ops: the handler passed to xiommu_test_register()
 *
 * Calls already in flight finish (they pin @ops->owner, so this is
 * normally called from that module's exit, after they are done).
 */
void xiommu_test_unregister(const struct xiommu_test_ops *ops)
{
	mutex_lock(&xiommu_test_lock);
	if (xiommu_test_ops == ops)
		xiommu_test_ops = NULL;
	mutex_unlock(&xiommu_test_lock);
}
EXPORT_SYMBOL_GPL(xiommu_test_unregister);

/*
 * Without a handler the ioctl does not exist: ENOTTY before anything else.
 * With one it is test-only code that can pin, allocate and reach driver
 * internals: only CAP_SYS_ADMIN may use it (EPERM).
 */
static long xiommu_test_cmd(struct xiommu_ictx *ictx, void __user *uarg)
{
	const struct xiommu_test_ops *ops;
	u32 usize;
	long rc;

	mutex_lock(&xiommu_test_lock);
	ops = xiommu_test_ops;
	if (ops && !try_module_get(ops->owner))
		ops = NULL;
	mutex_unlock(&xiommu_test_lock);
	if (!ops)
		return -ENOTTY;
	if (!capable(CAP_SYS_ADMIN)) {
		module_put(ops->owner);
		return -EPERM;
	}

	if (get_user(usize, (u32 __user *)uarg))
		rc = -EFAULT;
	else
		rc = ops->cmd(ictx, uarg, usize);
	module_put(ops->owner);
	return rc;
}

/* ------------------------------------------------------------------------
 * ioctl dispatch
 */

/* Large enough for every ioctl struct the table names. */
union xiommu_ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_change_process change_process;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_hwpt_alloc hwpt_alloc;
	struct iommu_hw_info hw_info;
	struct iommu_hwpt_invalidate hwpt_invalidate;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_fault_alloc fault_alloc;
	struct iommu_viommu_alloc viommu_alloc;
	struct iommu_vdevice_alloc vdevice_alloc;
	struct iommu_veventq_alloc veventq_alloc;
	struct iommu_hw_queue_alloc hw_queue_alloc;
};

/**
 * struct xiommu_ioctl_op - one row of the dispatch table
 * @ioctl_num: the full ioctl number (direction and size bits included)
 * @size: the kernel's struct size
 * @min_size: the oldest layout's size: offsetofend() of its last field
 * @execute: handler for a struct copied in by the dispatcher
 * @raw: handler that reads the user struct itself (IOMMU_TEST_CMD)
 */
struct xiommu_ioctl_op {
	unsigned int ioctl_num;
	unsigned int size;
	unsigned int min_size;
	int (*execute)(struct xiommu_ucmd *ucmd);
	long (*raw)(struct xiommu_ictx *ictx, void __user *uarg);
};

/*
 * The dispatcher copies every command into one union xiommu_ucmd_buffer:
 * a struct that does not fit breaks the build (BUILD_BUG_ON_ZERO).
 */
#define XIOMMU_OP(_ioctl, _fn, _struct, _oldest_last)			\
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {			\
		.ioctl_num = _ioctl,					\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(_struct) >		\
					  sizeof(union xiommu_ucmd_buffer)), \
		.min_size = offsetofend(_struct, _oldest_last),		\
		.execute = _fn,						\
	}

static const struct xiommu_ioctl_op xiommu_ioctl_ops[] = {
	XIOMMU_OP(IOMMU_DESTROY, xiommu_destroy_ioctl, struct iommu_destroy,
		  id),
	XIOMMU_OP(IOMMU_IOAS_ALLOC, xiommu_ioas_alloc_ioctl,
		  struct iommu_ioas_alloc, out_ioas_id),
	XIOMMU_OP(IOMMU_IOAS_ALLOW_IOVAS, xiommu_ioas_allow_iovas,
		  struct iommu_ioas_allow_iovas, allowed_iovas),
	XIOMMU_OP(IOMMU_IOAS_COPY, xiommu_ioas_copy, struct iommu_ioas_copy,
		  src_iova),
	XIOMMU_OP(IOMMU_IOAS_IOVA_RANGES, xiommu_ioas_iova_ranges,
		  struct iommu_ioas_iova_ranges, out_iova_alignment),
	XIOMMU_OP(IOMMU_IOAS_MAP, xiommu_ioas_map, struct iommu_ioas_map, iova),
	XIOMMU_OP(IOMMU_IOAS_MAP_FILE, xiommu_ioas_map_file,
		  struct iommu_ioas_map_file, iova),
	XIOMMU_OP(IOMMU_IOAS_CHANGE_PROCESS, xiommu_ioas_change_process,
		  struct iommu_ioas_change_process, __reserved),
	XIOMMU_OP(IOMMU_IOAS_UNMAP, xiommu_ioas_unmap, struct iommu_ioas_unmap,
		  length),
	XIOMMU_OP(IOMMU_OPTION, xiommu_option_ioctl, struct iommu_option,
		  val64),
	XIOMMU_OP(IOMMU_VFIO_IOAS, xiommu_vfio_ioas_ioctl,
		  struct iommu_vfio_ioas, __reserved),
	XIOMMU_OP(IOMMU_HWPT_ALLOC, xiommu_hwpt_alloc_ioctl,
		  struct iommu_hwpt_alloc, __reserved),
	XIOMMU_OP(IOMMU_GET_HW_INFO, xiommu_get_hw_info, struct iommu_hw_info,
		  __reserved),
	XIOMMU_OP(IOMMU_HWPT_SET_DIRTY_TRACKING, xiommu_hwpt_set_dirty_tracking,
		  struct iommu_hwpt_set_dirty_tracking, __reserved),
	XIOMMU_OP(IOMMU_HWPT_GET_DIRTY_BITMAP, xiommu_hwpt_get_dirty_bitmap,
		  struct iommu_hwpt_get_dirty_bitmap, data),
	XIOMMU_OP(IOMMU_HWPT_INVALIDATE, xiommu_hwpt_invalidate_ioctl,
		  struct iommu_hwpt_invalidate, __reserved),
	XIOMMU_OP(IOMMU_FAULT_QUEUE_ALLOC, xiommu_fault_alloc_ioctl,
		  struct iommu_fault_alloc, out_fault_fd),
	XIOMMU_OP(IOMMU_VIOMMU_ALLOC, xiommu_viommu_alloc_ioctl,
		  struct iommu_viommu_alloc, out_viommu_id),
	XIOMMU_OP(IOMMU_VDEVICE_ALLOC, xiommu_vdevice_alloc_ioctl,
		  struct iommu_vdevice_alloc, virt_id),
	XIOMMU_OP(IOMMU_VEVENTQ_ALLOC, xiommu_veventq_alloc_ioctl,
		  struct iommu_veventq_alloc, out_veventq_fd),
	XIOMMU_OP(IOMMU_HW_QUEUE_ALLOC, xiommu_hw_queue_alloc_ioctl,
		  struct iommu_hw_queue_alloc, length),
	[XIOMMU_TEST_CMD_NR - IOMMUFD_CMD_BASE] = {
		.ioctl_num = _IO(IOMMUFD_TYPE, XIOMMU_TEST_CMD_NR),
		.raw = xiommu_test_cmd,
	},
};

static long xiommu_fops_ioctl(struct file *filp, unsigned int cmd,
			      unsigned long arg)
{
	struct xiommu_ictx *ictx = filp->private_data;
	const struct xiommu_ioctl_op *op;
	union xiommu_ucmd_buffer buf;
	struct xiommu_ucmd ucmd = {
		.ictx = ictx,
		.ubuffer = (void __user *)arg,
		.cmd = &buf,
	};
	unsigned int nr = _IOC_NR(cmd);
	int rc;

	/* Outside the iommufd range: the VFIO type1 container ioctls. */
	if (nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= ARRAY_SIZE(xiommu_ioctl_ops))
		return xiommu_vfio_ioctl(ictx, cmd, arg);
	op = &xiommu_ioctl_ops[nr - IOMMUFD_CMD_BASE];
	if (!op->ioctl_num)
		return -ENOTTY;
	if (op->raw)
		return op->ioctl_num == cmd ? op->raw(ictx, ucmd.ubuffer) :
					      -ENOTTY;

	if (get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer))
		return -EFAULT;
	if (op->ioctl_num != cmd)
		return -ENOTTY;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;
	/* E2BIG for non-zero bytes past op->size, EFAULT; zero-extends. */
	rc = copy_struct_from_user(&buf, op->size, ucmd.ubuffer,
				   ucmd.user_size);
	if (rc)
		return rc;
	return op->execute(&ucmd);
}

/* ------------------------------------------------------------------------
 * Contexts
 */
static const struct file_operations xiommu_fops;

static void xiommu_ictx_release(struct kref *kref)
{
	struct xiommu_ictx *ictx = container_of(kref, struct xiommu_ictx,
						kref);
	struct xiommu_object *obj;
	unsigned long index;

	xiommu_ictx_debug_del(ictx);
	/* What drivers kept alive after close goes now. */
	xiommu_ictx_destroy_objects(ictx);
	/* Only tombstones (zero entries, which xa_for_each skips) are left. */
	xa_for_each(&ictx->objects, index, obj) {
		WARN_ON(obj);
		break;
	}
	WARN_ON(!xa_empty(&ictx->groups));
	/* Drivers remove their regions when their objects go. */
	WARN_ON(!xa_empty(&ictx->mmaps));
	xa_destroy(&ictx->mmaps);
	xa_destroy(&ictx->objects);
	xa_destroy(&ictx->groups);
	mutex_destroy(&ictx->groups_lock);
	kfree(ictx);
}

static struct xiommu_ictx *xiommu_ictx_alloc(void)
{
	struct xiommu_ictx *ictx;

	ictx = kzalloc(sizeof(*ictx), GFP_KERNEL_ACCOUNT);
	if (!ictx)
		return NULL;
	kref_init(&ictx->kref);
	xa_init_flags(&ictx->objects, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	mutex_init(&ictx->groups_lock);
	xa_init(&ictx->groups);
	xa_init(&ictx->mmaps);
	ictx->mmap_next = 1;	/* offset 0 never names a region */
	init_waitqueue_head(&ictx->destroy_wait);
	ictx->account_mode = XIOMMU_ACCOUNT_USER;
	xiommu_ictx_debug_add(ictx);
	return ictx;
}

/* What closing a context's file does; @ictx's file reference is dropped. */
static void xiommu_ictx_shutdown(struct xiommu_ictx *ictx)
{
	WRITE_ONCE(ictx->closed, true);
	xiommu_ictx_destroy_objects(ictx);
	xiommu_ictx_put(ictx);
}

static int xiommu_fops_open(struct inode *inode, struct file *filp)
{
	struct xiommu_ictx *ictx;

	ictx = xiommu_ictx_alloc();
	if (!ictx)
		return -ENOMEM;
	ictx->file = filp;
	filp->private_data = ictx;
	return 0;
}

static int xiommu_fops_release(struct inode *inode, struct file *filp)
{
	xiommu_ictx_shutdown(filp->private_data);
	return 0;
}

/*
 * A VMA of a driver region holds a users reference on the region's owner
 * (taken in xiommu_fops_mmap()); a copy (fork, split, mremap) takes its
 * own, and unmapping drops it. The region itself lives as long as its
 * owner, so it outlives every VMA.
 */
static void xiommu_vma_open(struct vm_area_struct *vma)
{
	struct xiommu_mmap *immap = vma->vm_private_data;

	refcount_inc(&immap->owner->users);
}

static void xiommu_vma_close(struct vm_area_struct *vma)
{
	struct xiommu_mmap *immap = vma->vm_private_data;

	refcount_dec(&immap->owner->users);
}

static const struct vm_operations_struct xiommu_vma_ops = {
	.open = xiommu_vma_open,
	.close = xiommu_vma_close,
};

/*
 * mmap() of a region a driver exposed (xiommu_viommu_alloc_mmap()) at the
 * offset and length it reported to user space. As upstream: a length not
 * a page multiple or a private mapping is EINVAL, PROT_EXEC is EPERM, an
 * offset or length that is not exactly a region's (or a region whose
 * owner is being destroyed) is ENXIO.
 */
static int xiommu_fops_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct xiommu_ictx *ictx = filp->private_data;
	size_t length = vma->vm_end - vma->vm_start;
	struct xiommu_mmap *immap;
	int rc;

	if (!PAGE_ALIGNED(length) || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	/* Nor later through mprotect() (6.1 has no vm_flags_clear()) */
	vma->vm_flags &= ~VM_MAYEXEC;

	/*
	 * The lock keeps the region from being freed until users is held.
	 * Only a region's first page is a key: an offset inside one is as
	 * unknown as any other.
	 */
	xa_lock(&ictx->mmaps);
	immap = xa_load(&ictx->mmaps, vma->vm_pgoff);
	if (!immap || !refcount_inc_not_zero(&immap->owner->users)) {
		xa_unlock(&ictx->mmaps);
		return -ENXIO;
	}
	xa_unlock(&ictx->mmaps);

	/* Only the whole region maps. */
	if (length != immap->length) {
		rc = -ENXIO;
		goto err_put;
	}

	vma->vm_pgoff = 0;
	vma->vm_private_data = immap;
	vma->vm_ops = &xiommu_vma_ops;
	if (immap->mmio)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	/*
	 * remap_pfn_range() sets VM_IO | VM_PFNMAP | VM_DONTEXPAND |
	 * VM_DONTDUMP (6.1 has no vm_flags_set()); RAM keeps the VMA's
	 * cached protection.
	 */
	rc = io_remap_pfn_range(vma, vma->vm_start, PHYS_PFN(immap->base),
				length, vma->vm_page_prot);
	if (rc)
		goto err_put;
	return 0;

err_put:
	refcount_dec(&immap->owner->users);
	return rc;
}

/**
 * xiommu_ictx_create() - a context not backed by a /dev/iommu file
 *
 * For consumers that keep an iommufd context behind their own file (the
 * VFIO container, /dev/vfio/vfio). It behaves as an open /dev/iommu file
 * whose only user is the caller: objects are made through the consumer
 * API (xiommu_vfio_compat_ioas_create(), xiommu_idev_bind(), ...) and the
 * type1 ioctls (xiommu_vfio_ioctl()); xiommu_ictx_from_fd() never
 * returns it. Memory of the context and of its mappings is charged to the
 * calling task's memcg and RLIMIT_MEMLOCK as for /dev/iommu.
 *
 * Context: may sleep.
 * Return: the context, holding the reference xiommu_ictx_close() drops,
 * or NULL without memory.
 */
struct xiommu_ictx *xiommu_ictx_create(void)
{
	return xiommu_ictx_alloc();
}
EXPORT_SYMBOL_GPL(xiommu_ictx_create);

/**
 * xiommu_ictx_close() - the equivalent of closing a context's file
 * @ictx: a context from xiommu_ictx_create(); invalid after the call
 *	unless the caller holds another reference
 *
 * Destroys every object nothing else holds (mappings are unpinned); what
 * bound devices still use goes when they are unbound.
 *
 * Context: may sleep.
 */
void xiommu_ictx_close(struct xiommu_ictx *ictx)
{
	xiommu_ictx_shutdown(ictx);
}
EXPORT_SYMBOL_GPL(xiommu_ictx_close);

static const struct file_operations xiommu_fops = {
	.owner = THIS_MODULE,
	.open = xiommu_fops_open,
	.release = xiommu_fops_release,
	.unlocked_ioctl = xiommu_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = xiommu_fops_mmap,
	.llseek = noop_llseek,
};

/**
 * xiommu_ictx_from_file() - get the context of an open /dev/iommu file
 * @file: a file the caller holds a reference on
 *
 * Return: the context with a reference for the caller (drop it with
 * xiommu_ictx_put()), or ERR_PTR(-EBADFD) if @file is not /dev/iommu.
 */
struct xiommu_ictx *xiommu_ictx_from_file(struct file *file)
{
	struct xiommu_ictx *ictx;

	if (file->f_op != &xiommu_fops)
		return ERR_PTR(-EBADFD);
	ictx = file->private_data;
	kref_get(&ictx->kref);
	return ictx;
}
EXPORT_SYMBOL_GPL(xiommu_ictx_from_file);

/**
 * xiommu_ictx_from_fd() - get the context of a /dev/iommu file descriptor
 * @fd: file descriptor of the calling process
 *
 * Return: the context with a reference for the caller (drop it with
 * xiommu_ictx_put()); ERR_PTR(-EBADF) if @fd is not open, ERR_PTR(-EBADFD)
 * if it is not /dev/iommu.
 */
struct xiommu_ictx *xiommu_ictx_from_fd(int fd)
{
	struct xiommu_ictx *ictx;
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	ictx = xiommu_ictx_from_file(file);
	fput(file);
	return ictx;
}
EXPORT_SYMBOL_GPL(xiommu_ictx_from_fd);

/**
 * xiommu_ictx_put() - drop a context reference
 * @ictx: context from xiommu_ictx_from_fd() or xiommu_ictx_from_file()
 *
 * Context: may sleep (the last reference destroys what was left of the
 * context's objects after its file was closed).
 */
void xiommu_ictx_put(struct xiommu_ictx *ictx)
{
	might_sleep();
	kref_put(&ictx->kref, xiommu_ictx_release);
}
EXPORT_SYMBOL_GPL(xiommu_ictx_put);

/* ------------------------------------------------------------------------
 * External objects
 */
void xiommu_ext_obj_destroy(struct xiommu_object *obj)
{
	struct xiommu_ext_obj *ext = container_of(obj, struct xiommu_ext_obj,
						  obj);
	struct module *owner = ext->ops->owner;

	ext->ops->destroy(ext->priv);
	module_put(owner);
}

/**
 * xiommu_ext_obj_alloc() - reserve an object owned by another module
 * @ictx: context
 * @ops: the owner's ops; @ops->owner is pinned while the object exists
 * @priv: cookie passed to @ops->destroy
 * @id: returns the object ID
 *
 * The ID is reserved but the object is invisible (lookups, IOMMU_DESTROY
 * and close do not see it) until xiommu_ext_obj_finalize(); until then the
 * caller may still fail and undo it with xiommu_ext_obj_abort().
 *
 * Return: the object, or ERR_PTR(-ENODEV) if @ops->owner is going away,
 * ERR_PTR(-ENOMEM), ERR_PTR(-EBUSY) when the ID space is full.
 */
struct xiommu_ext_obj *xiommu_ext_obj_alloc(struct xiommu_ictx *ictx,
					    const struct xiommu_ext_obj_ops *ops,
					    void *priv, u32 *id)
{
	struct xiommu_ext_obj *ext;

	if (!try_module_get(ops->owner))
		return ERR_PTR(-ENODEV);
	ext = xiommu_object_alloc(ictx, ext, XIOMMU_OBJ_EXT);
	if (IS_ERR(ext)) {
		module_put(ops->owner);
		return ext;
	}
	ext->ops = ops;
	ext->priv = priv;
	*id = ext->obj.id;
	return ext;
}
EXPORT_SYMBOL_GPL(xiommu_ext_obj_alloc);

/**
 * xiommu_ext_obj_finalize() - make a reserved external object visible
 * @ictx: context
 * @ext: object from xiommu_ext_obj_alloc()
 *
 * From now on user space may destroy it with IOMMU_DESTROY, and closing
 * the file destroys it; @ops->destroy(@priv) runs exactly once then,
 * without core locks held.
 */
void xiommu_ext_obj_finalize(struct xiommu_ictx *ictx,
			     struct xiommu_ext_obj *ext)
{
	xiommu_object_finalize(ictx, &ext->obj);
}
EXPORT_SYMBOL_GPL(xiommu_ext_obj_finalize);

/**
 * xiommu_ext_obj_abort() - free a reserved external object
 * @ictx: context
 * @ext: object from xiommu_ext_obj_alloc(), not finalized
 *
 * @ops->destroy is not called: the caller undoes its own state.
 */
void xiommu_ext_obj_abort(struct xiommu_ictx *ictx, struct xiommu_ext_obj *ext)
{
	struct module *owner = ext->ops->owner;

	xiommu_object_abort(ictx, &ext->obj);
	module_put(owner);
}
EXPORT_SYMBOL_GPL(xiommu_ext_obj_abort);

/**
 * xiommu_ext_obj_get() - look up an external object
 * @ictx: context
 * @id: object ID from user space
 * @ops: the owner's ops; objects of other owners are not found
 *
 * Holds off IOMMU_DESTROY (it fails with EBUSY) until xiommu_ext_obj_put().
 *
 * Return: the cookie, or ERR_PTR(-ENOENT) if @id is not an external object
 * of @ops.
 */
void *xiommu_ext_obj_get(struct xiommu_ictx *ictx, u32 id,
			 const struct xiommu_ext_obj_ops *ops)
{
	struct xiommu_object *obj;
	struct xiommu_ext_obj *ext;

	obj = xiommu_get_object(ictx, id, XIOMMU_OBJ_EXT);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	ext = container_of(obj, struct xiommu_ext_obj, obj);
	if (ext->ops != ops) {
		xiommu_put_object(ictx, obj);
		return ERR_PTR(-ENOENT);
	}
	return ext->priv;
}
EXPORT_SYMBOL_GPL(xiommu_ext_obj_get);

/**
 * xiommu_ext_obj_put() - release xiommu_ext_obj_get()
 * @ictx: context
 * @id: the ID passed to xiommu_ext_obj_get()
 */
void xiommu_ext_obj_put(struct xiommu_ictx *ictx, u32 id)
{
	xiommu_put_object_id(ictx, id);
}
EXPORT_SYMBOL_GPL(xiommu_ext_obj_put);

/* ------------------------------------------------------------------------
 * Module
 */
static struct miscdevice xiommu_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iommu",
	.nodename = "iommu",
	.fops = &xiommu_fops,
	.mode = 0660,
};

static int __init xiommu_init(void)
{
	int rc;

	rc = xiommu_lite_init();
	if (rc)
		return rc;
	xiommu_iommufd_debugfs_init(xiommu_debugfs_root_dir());
	xiommu_group_sysfs_init();
	rc = misc_register(&xiommu_misc);
	if (rc)
		goto err_lite;
	return 0;

err_lite:
	xiommu_group_sysfs_exit();
	xiommu_lite_exit();
	return rc;
}

static void __exit xiommu_exit(void)
{
	misc_deregister(&xiommu_misc);
	xiommu_group_sysfs_exit();
	xiommu_lite_exit();
}

module_init(xiommu_init);
module_exit(xiommu_exit);

MODULE_DESCRIPTION("xiommu: iommufd (/dev/iommu) and IOMMU core for Linux 6.1");
MODULE_LICENSE("GPL");
