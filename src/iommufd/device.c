// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device objects: devices bound to an iommufd context by a driver (the
 * vfio-pci-style driver, the mock's selftest devices) and their attachment
 * to HWPTs.
 *
 * Groups. The hardware isolates groups, not devices, so everything here is
 * kept per group and context (struct xiommu_igroup):
 *
 *  - bind: the first device of a group bound in a context claims the whole
 *    group for the context (iommu-lite moves it to the blocking domain);
 *    later devices of the group join. Another context cannot bind any
 *    device of the group (EBUSY).
 *  - attach of a device not attached yet: if no device of its group is
 *    attached, the group moves to the HWPT's domain; if one is, the device
 *    may only join that same HWPT (else EINVAL).
 *  - attach of an attached device replaces: the whole group moves to the
 *    new HWPT's domain in one step (each endpoint goes straight from the old
 *    translation to the new); all attached devices of the group follow,
 *    and a replace onto the group's current HWPT does nothing. User space
 *    is still expected to attach every device of the group, which then is
 *    a no-op.
 *  - detach: the device leaves the HWPT's device list and its reserved
 *    regions leave the IOAS. While other devices of its group stay
 *    attached the group (and so this device too, which the hardware cannot
 *    separate from them) keeps translating through the HWPT; when the last
 *    one detaches the group moves to the blocking domain. Never to
 *    identity/passthrough.
 *  - unbind: detaches if needed; the last unbind of the group in the
 *    context releases ownership and iommu-lite returns the group to its
 *    default (kernel) domain.
 *  - fail closed: once iommu-lite revoked the group (a kernel driver bound
 *    to a member), every attach and replace of its devices fails with
 *    EBUSY, even onto the HWPT they are on; the objects keep their
 *    bookkeeping so detach and unbind work as usual.
 *
 * Each attached device's reserved regions (MSI window and the like) are
 * reserved in the IOAS of its HWPT; existing mappings there make the attach
 * fail with EADDRINUSE.
 *
 * Locking: ioas->mutex -> igroup->lock -> iopt locks, group->mutex.
 */
#define pr_fmt(fmt) "xiommu: " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

static bool allow_unsafe_interrupts;
module_param(allow_unsafe_interrupts, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_interrupts,
		 "Bind devices to /dev/iommu even when their IOMMU cannot isolate MSIs (no interrupt remapping): a device given to user space can then raise arbitrary interrupts. Insecure; for compatibility with VFIO's parameter of the same name. Default: N");

/* ------------------------------------------------------------------------
 * Groups in a context
 */
/* Called by kref_put_mutex() with ictx->groups_lock held; drops it. */
static void xiommu_igroup_release(struct kref *kref)
{
	struct xiommu_igroup *igroup = container_of(kref, struct xiommu_igroup,
						    ref);
	struct xiommu_ictx *ictx = igroup->ictx;

	WARN_ON(igroup->hwpt || !list_empty(&igroup->device_list) ||
		!xa_empty(&igroup->pasids));
	xa_destroy(&igroup->pasids);
	xa_erase(&ictx->groups, igroup->group->id);
	mutex_unlock(&ictx->groups_lock);

	xiommu_group_put(igroup->group);
	mutex_destroy(&igroup->lock);
	kfree(igroup);
}

static void xiommu_igroup_put(struct xiommu_igroup *igroup)
{
	kref_put_mutex(&igroup->ref, xiommu_igroup_release,
		       &igroup->ictx->groups_lock);
}

/* Find or make @group's igroup in @ictx; consumes the caller's group ref. */
static struct xiommu_igroup *xiommu_igroup_get(struct xiommu_ictx *ictx,
					       struct xiommu_group *group)
{
	struct xiommu_igroup *igroup;
	int rc;

	mutex_lock(&ictx->groups_lock);
	igroup = xa_load(&ictx->groups, group->id);
	if (igroup) {
		/* Under groups_lock a listed igroup still has references. */
		kref_get(&igroup->ref);
		mutex_unlock(&ictx->groups_lock);
		xiommu_group_put(group);
		return igroup;
	}

	igroup = kzalloc(sizeof(*igroup), GFP_KERNEL_ACCOUNT);
	if (!igroup) {
		rc = -ENOMEM;
		goto err_unlock;
	}
	kref_init(&igroup->ref);
	mutex_init(&igroup->lock);
	INIT_LIST_HEAD(&igroup->device_list);
	xa_init(&igroup->pasids);
	igroup->ictx = ictx;
	igroup->group = group;
	rc = xa_err(xa_store(&ictx->groups, group->id, igroup,
			     GFP_KERNEL_ACCOUNT));
	if (rc) {
		mutex_destroy(&igroup->lock);
		kfree(igroup);
		goto err_unlock;
	}
	mutex_unlock(&ictx->groups_lock);
	return igroup;

err_unlock:
	mutex_unlock(&ictx->groups_lock);
	xiommu_group_put(group);
	return ERR_PTR(rc);
}

/* ------------------------------------------------------------------------
 * Bind and unbind
 */

/**
 * xiommu_get_idev() - look up a device object by ID
 * @ictx: context
 * @id: object ID
 *
 * Return: the device object with a short-term reference
 * (xiommu_put_object()), or ERR_PTR(-ENOENT).
 */
struct xiommu_idev *xiommu_get_idev(struct xiommu_ictx *ictx, u32 id)
{
	struct xiommu_object *obj;

	obj = xiommu_get_object(ictx, id, XIOMMU_OBJ_DEVICE);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct xiommu_idev, obj);
}

/**
 * xiommu_idev_device_get() - the device behind a device object ID (test
 *	support: IOMMU_TEST_OP_DEV_CHECK_CACHE)
 * @ictx: context
 * @idev_id: device object ID from user space
 *
 * The device object (and so its binding to @dev) stays until
 * xiommu_idev_device_put().
 *
 * Return: the device, or ERR_PTR(-ENOENT) if @idev_id is not a device
 * object of @ictx.
 */
struct device *xiommu_idev_device_get(struct xiommu_ictx *ictx, u32 idev_id)
{
	struct xiommu_idev *idev = xiommu_get_idev(ictx, idev_id);

	if (IS_ERR(idev))
		return ERR_CAST(idev);
	return idev->dev;
}
EXPORT_SYMBOL_GPL(xiommu_idev_device_get);

/**
 * xiommu_idev_device_put() - release xiommu_idev_device_get()
 * @ictx: context
 * @idev_id: the ID given to xiommu_idev_device_get()
 */
void xiommu_idev_device_put(struct xiommu_ictx *ictx, u32 idev_id)
{
	xiommu_put_object_id(ictx, idev_id);
}
EXPORT_SYMBOL_GPL(xiommu_idev_device_put);

/* Object destroy: reached only through xiommu_idev_unbind(), detached. */
void xiommu_idev_destroy(struct xiommu_object *obj)
{
	struct xiommu_idev *idev = container_of(obj, struct xiommu_idev, obj);

	WARN_ON(idev->attached);
	xiommu_group_release_dma_owner(idev->igroup->group, idev->ictx);
	xiommu_igroup_put(idev->igroup);
	put_device(idev->dev);
}

/**
 * xiommu_idev_bind() - bind a device to an iommufd context
 * @ictx: context (the device object takes its own reference)
 * @dev: the device; its driver must not let it do DMA on its own while
 *	bound (it manages DMA through xiommu). Idle PCI members of its group
 *	get driver_override set to the name of @dev's driver while the group
 *	is claimed (the owner's policy; none if @dev has no driver)
 * @id: returns the device object's ID, for user space
 *
 * Claims the device's group for @ictx: the first device of a group moves
 * the group to the blocking domain; later devices of the same group bound
 * in the same context join. The device does no DMA until
 * xiommu_idev_attach(). The device object is not destroyable with
 * IOMMU_DESTROY; undo with xiommu_idev_unbind().
 *
 * Devices whose IOMMU cannot isolate MSIs (XIOMMU_CAP_INTR_ISOLATION) are
 * refused unless the allow_unsafe_interrupts module parameter is set.
 *
 * Context: may sleep.
 * Return: the device object, or ERR_PTR: -EBADF the context's file was
 * closed already; -ENODEV no xiommu unit translates @dev; -EOPNOTSUPP its driver did not opt in (XIOMMU_CAP_IOMMUFD);
 * -EINVAL its DMA is not cache coherent, or a device of its group needs a
 * firmware-required identity mapping (XIOMMU_RESV_DIRECT, a VT-d RMRR);
 * -EPERM MSIs not isolated;
 * -EBUSY the group belongs to another context or a member is driven by a
 * kernel driver; -ENOMEM.
 */
struct xiommu_idev *xiommu_idev_bind(struct xiommu_ictx *ictx,
				     struct device *dev, u32 *id)
{
	struct xiommu_igroup *igroup;
	struct xiommu_group *group;
	struct xiommu_idev *idev;
	int rc;

	/* Best effort: what slips past this is cleaned up at the last put. */
	if (READ_ONCE(ictx->closed))
		return ERR_PTR(-EBADF);

	group = xiommu_group_get(dev);
	if (!group)
		return ERR_PTR(-ENODEV);

	if (!xiommu_dev_capable(dev, XIOMMU_CAP_IOMMUFD)) {
		rc = -EOPNOTSUPP;
		goto err_put_group;
	}
	/* Mappings are always coherent: user space cannot flush caches. */
	if (!xiommu_dev_capable(dev, XIOMMU_CAP_CACHE_COHERENCY)) {
		rc = -EINVAL;
		goto err_put_group;
	}
	if (!xiommu_dev_capable(dev, XIOMMU_CAP_INTR_ISOLATION)) {
		if (!allow_unsafe_interrupts) {
			dev_warn_once(dev,
				      "xiommu: refusing to give the device to user space: its MSIs cannot be isolated (interrupt remapping off?). Load xiommu with allow_unsafe_interrupts=1 to allow it anyway (insecure)\n");
			rc = -EPERM;
			goto err_put_group;
		}
		dev_warn_once(dev,
			      "xiommu: MSIs are not isolated; binding anyway because allow_unsafe_interrupts is set (insecure)\n");
	}

	/* The igroup takes over the group reference. */
	igroup = xiommu_igroup_get(ictx, group);
	if (IS_ERR(igroup))
		return ERR_CAST(igroup);

	/*
	 * The owner's policy for idle members of the group: reserve them for
	 * the driver binding @dev (driver_override), never a name of ours.
	 */
	rc = xiommu_group_claim_dma_owner(group, ictx,
					  dev->driver ? dev->driver->name :
							NULL);
	if (rc)
		goto err_put_igroup;

	idev = xiommu_object_alloc(ictx, idev, XIOMMU_OBJ_DEVICE);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto err_release_owner;
	}
	kref_get(&ictx->kref);
	idev->ictx = ictx;
	idev->igroup = igroup;
	idev->dev = get_device(dev);
	INIT_LIST_HEAD(&idev->group_item);
	idev->enforce_cache_coherency =
		xiommu_dev_capable(dev, XIOMMU_CAP_ENFORCE_CACHE_COHERENCY);
	/* The binding driver is a user until xiommu_idev_unbind(). */
	refcount_inc(&idev->obj.users);
	*id = idev->obj.id;
	xiommu_object_finalize(ictx, &idev->obj);
	return idev;

err_release_owner:
	xiommu_group_release_dma_owner(group, ictx);
err_put_igroup:
	xiommu_igroup_put(igroup);
	return ERR_PTR(rc);

err_put_group:
	xiommu_group_put(group);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_GPL(xiommu_idev_bind);

/**
 * xiommu_idev_unbind() - undo xiommu_idev_bind()
 * @idev: the device object; invalid after the call
 *
 * Detaches the device (its RID and every PASID) if attached, waits for ioctls using the device
 * object, destroys it and releases the group's ownership (the last device
 * of the group in the context returns the group to its default domain).
 * Safe against concurrent ioctls on the context's file and against the
 * file being closed; not against concurrent xiommu_idev_attach() or
 * xiommu_idev_detach() on the same @idev (the caller serialises those).
 *
 * Context: may sleep.
 */
void xiommu_idev_unbind(struct xiommu_idev *idev)
{
	struct xiommu_ictx *ictx = idev->ictx;

	/* The vDEVICE goes first and leaves its ID a tombstone (upstream). */
	xiommu_idev_remove_vdev(idev);
	xiommu_idev_pasid_detach_all(idev);
	xiommu_idev_detach(idev);
	xiommu_object_destroy_user(ictx, &idev->obj);
	/* Last: the context may go away with this reference. */
	xiommu_ictx_put(ictx);
}
EXPORT_SYMBOL_GPL(xiommu_idev_unbind);

/**
 * xiommu_idev_ictx() - the context a device is bound to
 * @idev: a bound device
 *
 * Return: the context (valid while @idev is bound).
 */
struct xiommu_ictx *xiommu_idev_ictx(struct xiommu_idev *idev)
{
	return idev->ictx;
}
EXPORT_SYMBOL_GPL(xiommu_idev_ictx);

/* ------------------------------------------------------------------------
 * Attach, replace, detach
 */

/* Reserve the regions of every attached device of @igroup in @iopt. */
static int igroup_reserve_all(struct xiommu_igroup *igroup,
			      struct xiommu_iopt *iopt)
{
	struct xiommu_idev *cur, *undo;
	int rc;

	lockdep_assert_held(&igroup->lock);

	list_for_each_entry(cur, &igroup->device_list, group_item) {
		rc = xiommu_iopt_reserve_dev_regions(iopt, cur->dev, cur);
		if (rc)
			goto err_unreserve;
	}
	return 0;

err_unreserve:
	list_for_each_entry(undo, &igroup->device_list, group_item) {
		if (undo == cur)
			break;
		xiommu_iopt_remove_reserved(iopt, undo);
	}
	return rc;
}

static void igroup_unreserve_all(struct xiommu_igroup *igroup,
				 struct xiommu_iopt *iopt)
{
	struct xiommu_idev *cur;

	lockdep_assert_held(&igroup->lock);

	list_for_each_entry(cur, &igroup->device_list, group_item)
		xiommu_iopt_remove_reserved(iopt, cur);
}

/* Can @idev use @hwpt at all? -EINVAL means "try another HWPT". */
static int idev_check_hwpt(struct xiommu_idev *idev, struct xiommu_hwpt *hwpt)
{
	if (!xiommu_domain_compatible(hwpt->domain, idev->dev))
		return -EINVAL;
	/* With PASIDs attached the RID must stay on a PASID-capable HWPT. */
	if (!hwpt->pasid_compat && !xa_empty(&idev->igroup->pasids))
		return -EINVAL;
	/* A dirty-tracking HWPT must see every write: as upstream, EINVAL. */
	if (hwpt->dirty_tracking &&
	    !xiommu_dev_capable(idev->dev, XIOMMU_CAP_DIRTY_TRACKING))
		return -EINVAL;
	/* A nested domain's memory accesses are its parent's IOPTEs. */
	if (idev->enforce_cache_coherency)
		return xiommu_hwpt_enforce_cc(hwpt->parent ?: hwpt);
	return 0;
}

/* First attach of @idev: join the group's HWPT or move the group. */
static struct xiommu_hwpt *igroup_attach(struct xiommu_igroup *igroup,
					 struct xiommu_idev *idev,
					 struct xiommu_hwpt *hwpt)
{
	int rc;

	lockdep_assert_held(&igroup->lock);

	if (igroup->hwpt && igroup->hwpt != hwpt)
		return ERR_PTR(-EINVAL);
	rc = idev_check_hwpt(idev, hwpt);
	if (rc)
		return ERR_PTR(rc);

	rc = xiommu_iopt_reserve_dev_regions(&hwpt->ioas->iopt, idev->dev,
					     idev);
	if (rc)
		return ERR_PTR(rc);

	if (!igroup->hwpt) {
		rc = xiommu_group_replace_domain(igroup->group, hwpt->domain);
		if (rc) {
			xiommu_iopt_remove_reserved(&hwpt->ioas->iopt, idev);
			return ERR_PTR(rc);
		}
		igroup->hwpt = hwpt;
	}

	/* One HWPT reference per attached device; the attachment uses idev. */
	refcount_inc(&hwpt->obj.users);
	refcount_inc(&idev->obj.users);
	list_add_tail(&idev->group_item, &igroup->device_list);
	idev->attached = true;
	return NULL;
}

/*
 * Attach of an attached @idev: move the whole group to @hwpt. Returns the
 * old HWPT, on which the caller must drop one reference, or NULL.
 */
static struct xiommu_hwpt *igroup_replace(struct xiommu_igroup *igroup,
					  struct xiommu_idev *idev,
					  struct xiommu_hwpt *hwpt)
{
	struct xiommu_hwpt *old = igroup->hwpt;
	bool new_ioas = hwpt->ioas != old->ioas;
	struct xiommu_idev *cur;
	unsigned int ndevs = 0;
	int rc;

	lockdep_assert_held(&igroup->lock);

	if (hwpt == old)
		return NULL;
	rc = idev_check_hwpt(idev, hwpt);
	if (rc)
		return ERR_PTR(rc);

	if (new_ioas) {
		rc = igroup_reserve_all(igroup, &hwpt->ioas->iopt);
		if (rc)
			return ERR_PTR(rc);
	}

	rc = xiommu_group_replace_domain(igroup->group, hwpt->domain);
	if (rc) {
		if (new_ioas)
			igroup_unreserve_all(igroup, &hwpt->ioas->iopt);
		return ERR_PTR(rc);
	}

	if (new_ioas)
		igroup_unreserve_all(igroup, &old->ioas->iopt);
	igroup->hwpt = hwpt;

	/* Move the devices' references; the caller drops the last old one. */
	list_for_each_entry(cur, &igroup->device_list, group_item) {
		/* The faults raised through the old HWPT are answered. */
		xiommu_fault_auto_respond(old, cur, 0);
		ndevs++;
	}
	refcount_add(ndevs, &hwpt->obj.users);
	if (ndevs > 1)
		WARN_ON(refcount_sub_and_test(ndevs - 1, &old->obj.users));
	return old;
}

/* Attach or replace @idev onto @hwpt; returns an HWPT to put, or NULL. */
static struct xiommu_hwpt *idev_set_hwpt(struct xiommu_idev *idev,
					 struct xiommu_hwpt *hwpt)
{
	struct xiommu_igroup *igroup = idev->igroup;
	struct xiommu_hwpt *old;

	mutex_lock(&igroup->lock);
	/* Fail closed: a revoked group gets no user domain, not even its own. */
	if (xiommu_group_revoked(igroup->group))
		old = ERR_PTR(-EBUSY);
	else if (idev->attached)
		old = igroup_replace(igroup, idev, hwpt);
	else
		old = igroup_attach(igroup, idev, hwpt);
	mutex_unlock(&igroup->lock);
	return old;
}

/*
 * Attach to an IOAS: use an automatic HWPT of the IOAS that suits the
 * device, else create one filled with the IOAS's mappings.
 */
static struct xiommu_hwpt *idev_attach_ioas(struct xiommu_idev *idev,
					    struct xiommu_ioas *ioas,
					    u32 *pt_id)
{
	struct xiommu_ictx *ictx = idev->ictx;
	struct xiommu_hwpt *hwpt, *old;

	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt, &ioas->hwpt_list, hwpt_item) {
		if (!hwpt->auto_domain ||
		    !xiommu_domain_compatible(hwpt->domain, idev->dev))
			continue;
		/* Skip an HWPT already being destroyed. */
		if (!xiommu_lock_obj(&hwpt->obj))
			continue;
		old = idev_set_hwpt(idev, hwpt);
		if (IS_ERR(old)) {
			xiommu_put_object(ictx, &hwpt->obj);
			/* -EINVAL: this one does not suit; try the next. */
			if (PTR_ERR(old) == -EINVAL)
				continue;
			goto out_unlock;
		}
		*pt_id = hwpt->obj.id;
		xiommu_put_object(ictx, &hwpt->obj);
		goto out_unlock;
	}

	hwpt = xiommu_hwpt_alloc(ictx, ioas, idev, 0, true);
	if (IS_ERR(hwpt)) {
		old = hwpt;
		goto out_unlock;
	}
	old = idev_set_hwpt(idev, hwpt);
	if (IS_ERR(old)) {
		xiommu_object_abort_and_destroy(ictx, &hwpt->obj);
		goto out_unlock;
	}
	*pt_id = hwpt->obj.id;
	xiommu_object_finalize(ictx, &hwpt->obj);
out_unlock:
	mutex_unlock(&ioas->mutex);
	return old;
}

/**
 * xiommu_idev_attach() - attach a device to an IOAS or HWPT, or replace
 * @idev: a bound device
 * @pt_id: in: ID of an IOAS or HWPT; out: ID of the HWPT the device is
 *	attached to (for an IOAS: an automatic HWPT of it, reused or new)
 *
 * Not attached yet: the device attaches; if it is the first of its group,
 * the group moves from blocking to the HWPT's domain, otherwise it must
 * join the HWPT its group is on. Attached: the whole group is moved to the
 * new HWPT in one step (no window without translation); onto the group's
 * current HWPT this does nothing. The device's reserved regions are
 * reserved in the IOAS. On failure nothing changed.
 *
 * Context: may sleep; the caller serialises attach/detach/unbind of @idev.
 * Return: 0; -ENOENT @pt_id is no object; -EINVAL it is neither IOAS nor
 * HWPT, the HWPT belongs to another unit or cannot enforce cache coherency,
 * or the device's group is attached to a different HWPT; -EADDRINUSE the
 * device's reserved regions collide with existing mappings (or the new
 * domain's aperture does); -EBUSY the group was revoked (a kernel driver
 * bound to a member); -EFAULT/-ENOMEM pinning the IOAS's memory for a new
 * domain; -ENOMEM; a driver errno.
 */
int xiommu_idev_attach(struct xiommu_idev *idev, u32 *pt_id)
{
	struct xiommu_ictx *ictx = idev->ictx;
	struct xiommu_object *pt_obj;
	struct xiommu_hwpt *old;

	pt_obj = xiommu_get_object(ictx, *pt_id, XIOMMU_OBJ_ANY);
	if (IS_ERR(pt_obj))
		return PTR_ERR(pt_obj);

	switch (pt_obj->type) {
	case XIOMMU_OBJ_HWPT:
	case XIOMMU_OBJ_HWPT_NESTED: {
		struct xiommu_hwpt *hwpt = container_of(pt_obj,
							struct xiommu_hwpt, obj);

		/*
		 * As for an IOAS: devices of different groups attaching to one
		 * HWPT at once must not both run its enforce_cache_coherency
		 * (xiommu_hwpt_enforce_cc()); the lock order allows it. A
		 * nested HWPT's ioas is its parent's.
		 */
		mutex_lock(&hwpt->ioas->mutex);
		old = idev_set_hwpt(idev, hwpt);
		mutex_unlock(&hwpt->ioas->mutex);
		break;
	}
	case XIOMMU_OBJ_IOAS:
		old = idev_attach_ioas(idev, container_of(pt_obj,
							  struct xiommu_ioas,
							  obj),
				       pt_id);
		break;
	default:
		old = ERR_PTR(-EINVAL);
		break;
	}
	xiommu_put_object(ictx, pt_obj);

	if (IS_ERR(old))
		return PTR_ERR(old);
	/* After every lock is dropped: this may destroy the old HWPT. */
	if (old)
		xiommu_hwpt_put(ictx, old);
	return 0;
}
EXPORT_SYMBOL_GPL(xiommu_idev_attach);

/**
 * xiommu_idev_detach() - detach a device from its HWPT
 * @idev: a bound device; nothing happens if it is not attached
 *
 * The device's reserved regions leave the IOAS. When it was the last
 * attached device of its group the group moves to the blocking domain (no
 * DMA); otherwise the group, this device included, keeps translating
 * through the HWPT the other devices are attached to. An automatic HWPT
 * is destroyed with its last device.
 *
 * Context: may sleep; the caller serialises attach/detach/unbind of @idev.
 */
void xiommu_idev_detach(struct xiommu_idev *idev)
{
	struct xiommu_igroup *igroup = idev->igroup;
	struct xiommu_hwpt *hwpt;

	mutex_lock(&igroup->lock);
	if (!idev->attached) {
		mutex_unlock(&igroup->lock);
		return;
	}
	hwpt = igroup->hwpt;
	list_del_init(&idev->group_item);
	idev->attached = false;
	if (list_empty(&igroup->device_list)) {
		xiommu_group_block(igroup->group);
		igroup->hwpt = NULL;
	}
	xiommu_fault_auto_respond(hwpt, idev, 0);
	xiommu_iopt_remove_reserved(&hwpt->ioas->iopt, idev);
	mutex_unlock(&igroup->lock);

	xiommu_hwpt_put(idev->ictx, hwpt);
	refcount_dec(&idev->obj.users);
}
EXPORT_SYMBOL_GPL(xiommu_idev_detach);

/* ------------------------------------------------------------------------
 * PASID attach
 *
 * A PASID of a device attaches to an HWPT of its own, apart from the RID:
 * DMA tagged with the PASID goes through that HWPT (xiommu_group_set_pasid()
 * sets it on every PASID-capable member of the group, as the hardware cannot
 * tell them apart any better than for the RID). The rules are upstream's:
 *  - only HWPTs allocated with IOMMU_HWPT_ALLOC_PASID (pasid_compat) take
 *    a PASID, and while the RID is on an HWPT without it no PASID can be
 *    attached; while a PASID is attached the RID can only move to
 *    pasid_compat HWPTs (EINVAL otherwise). An IOAS is not accepted for a
 *    PASID (its automatic HWPTs are not pasid_compat): EINVAL;
 *  - the device needs PASID support (max_pasid_log2 > 0) and the PASID is
 *    1 .. 2^max_pasid_log2 - 1 (EINVAL);
 *  - attach of a PASID the device has attached already: EBUSY; to an HWPT
 *    other than the one the group's PASID is on: EINVAL;
 *  - replace needs an attached PASID (EINVAL) and moves the group's PASID
 *    in one step; detach of a PASID not attached does nothing;
 *  - no reserved regions are taken: they belong to the RID's IOAS.
 * Unbind detaches every PASID of the device first.
 */

/* May @idev put @pasid on @hwpt? Device and HWPT rules, igroup->lock held */
static int idev_check_pasid_hwpt(struct xiommu_idev *idev, u32 pasid,
				 struct xiommu_hwpt *hwpt)
{
	struct xiommu_igroup *igroup = idev->igroup;
	u8 bits = xiommu_dev_max_pasid_log2(idev->dev);

	lockdep_assert_held(&igroup->lock);
	if (!pasid || !bits || (bits < 32 && pasid >= (1U << bits)))
		return -EINVAL;
	if (!hwpt->pasid_compat)
		return -EINVAL;
	if (igroup->hwpt && !igroup->hwpt->pasid_compat)
		return -EINVAL;
	if (!xiommu_domain_compatible(hwpt->domain, idev->dev))
		return -EINVAL;
	if (hwpt->dirty_tracking &&
	    !xiommu_dev_capable(idev->dev, XIOMMU_CAP_DIRTY_TRACKING))
		return -EINVAL;
	if (idev->enforce_cache_coherency)
		return xiommu_hwpt_enforce_cc(hwpt->parent ?: hwpt);
	return 0;
}

/* The HWPT behind @pt_id for a PASID (short-term reference), or ERR_PTR. */
static struct xiommu_hwpt *pasid_get_hwpt(struct xiommu_ictx *ictx, u32 pt_id)
{
	struct xiommu_object *obj;

	obj = xiommu_get_object(ictx, pt_id, XIOMMU_OBJ_ANY);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	if (obj->type != XIOMMU_OBJ_HWPT &&
	    obj->type != XIOMMU_OBJ_HWPT_NESTED) {
		xiommu_put_object(ictx, obj);
		return ERR_PTR(-EINVAL);
	}
	return container_of(obj, struct xiommu_hwpt, obj);
}

static int idev_pasid_attach_locked(struct xiommu_idev *idev, u32 pasid,
				    struct xiommu_hwpt *hwpt)
{
	struct xiommu_igroup *igroup = idev->igroup;
	struct xiommu_pasid_attach *attach;
	bool first = false;
	int rc;

	lockdep_assert_held(&igroup->lock);
	if (xiommu_group_revoked(igroup->group))
		return -EBUSY;
	rc = idev_check_pasid_hwpt(idev, pasid, hwpt);
	if (rc)
		return rc;

	attach = xa_load(&igroup->pasids, pasid);
	if (attach) {
		if (xa_load(&attach->devs, idev->obj.id))
			return -EBUSY;
		if (attach->hwpt != hwpt)
			return -EINVAL;
	} else {
		attach = kzalloc(sizeof(*attach), GFP_KERNEL_ACCOUNT);
		if (!attach)
			return -ENOMEM;
		xa_init(&attach->devs);
		attach->hwpt = hwpt;
		first = true;
		rc = xa_insert(&igroup->pasids, pasid, attach,
			       GFP_KERNEL_ACCOUNT);
		if (rc)
			goto err_free;
	}
	rc = xa_insert(&attach->devs, idev->obj.id, idev, GFP_KERNEL_ACCOUNT);
	if (rc)
		goto err_erase;
	if (first) {
		rc = xiommu_group_set_pasid(igroup->group, pasid, hwpt->domain);
		if (rc)
			goto err_erase_dev;
	}
	refcount_inc(&hwpt->obj.users);
	refcount_inc(&idev->obj.users);
	return 0;

err_erase_dev:
	xa_erase(&attach->devs, idev->obj.id);
err_erase:
	if (!first)
		return rc;
	xa_erase(&igroup->pasids, pasid);
err_free:
	kfree(attach);
	return rc;
}

/**
 * xiommu_idev_pasid_attach() - attach a PASID of a device to an HWPT
 * @idev: a bound device
 * @pasid: the PASID, 1 .. 2^max_pasid_log2 - 1 of the device
 * @pt_id: in: ID of an HWPT allocated with IOMMU_HWPT_ALLOC_PASID (paging
 *	or nested); out: unchanged (the HWPT)
 *
 * DMA of the device tagged with @pasid translates through the HWPT; the
 * first device of its group to attach @pasid sets it on every
 * PASID-capable member, later ones join (same HWPT only). See "PASID
 * attach" above for the rules. On failure nothing changed.
 *
 * Context: may sleep; the caller serialises attach/detach/unbind of @idev.
 * Return: 0; -ENOENT @pt_id is no object; -EINVAL it is no HWPT (an IOAS
 * too), the HWPT is not PASID-compatible or of another unit, the RID is on
 * an HWPT that is not, the device has no PASID support or @pasid is out of
 * range, the group's @pasid is on another HWPT, or the HWPT cannot
 * enforce cache coherency or track dirty pages as the device requires;
 * -EBUSY the device has @pasid attached already, or its group was
 * revoked; -ENOMEM; a driver errno.
 */
int xiommu_idev_pasid_attach(struct xiommu_idev *idev, u32 pasid, u32 *pt_id)
{
	struct xiommu_ictx *ictx = idev->ictx;
	struct xiommu_hwpt *hwpt;
	int rc;

	hwpt = pasid_get_hwpt(ictx, *pt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	mutex_lock(&hwpt->ioas->mutex);
	mutex_lock(&idev->igroup->lock);
	rc = idev_pasid_attach_locked(idev, pasid, hwpt);
	mutex_unlock(&idev->igroup->lock);
	mutex_unlock(&hwpt->ioas->mutex);
	xiommu_put_object(ictx, &hwpt->obj);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_idev_pasid_attach);

/* Replace under the locks; returns the HWPT to put @n times, or ERR_PTR. */
static struct xiommu_hwpt *idev_pasid_replace_locked(struct xiommu_idev *idev,
						     u32 pasid,
						     struct xiommu_hwpt *hwpt,
						     unsigned int *n)
{
	struct xiommu_igroup *igroup = idev->igroup;
	struct xiommu_pasid_attach *attach;
	struct xiommu_hwpt *old;
	struct xiommu_idev *cur;
	unsigned long index;
	int rc;

	lockdep_assert_held(&igroup->lock);
	attach = xa_load(&igroup->pasids, pasid);
	if (!attach || !xa_load(&attach->devs, idev->obj.id))
		return ERR_PTR(-EINVAL);
	if (xiommu_group_revoked(igroup->group))
		return ERR_PTR(-EBUSY);
	old = attach->hwpt;
	if (old == hwpt)
		return NULL;
	rc = idev_check_pasid_hwpt(idev, pasid, hwpt);
	if (rc)
		return ERR_PTR(rc);
	rc = xiommu_group_set_pasid(igroup->group, pasid, hwpt->domain);
	if (rc)
		return ERR_PTR(rc);
	attach->hwpt = hwpt;
	*n = 0;
	xa_for_each(&attach->devs, index, cur) {
		xiommu_fault_auto_respond(old, cur, pasid);
		(*n)++;
	}
	refcount_add(*n, &hwpt->obj.users);
	return old;
}

/**
 * xiommu_idev_pasid_replace() - move an attached PASID to another HWPT
 * @idev: a bound device with @pasid attached
 * @pasid: the PASID
 * @pt_id: in: ID of a PASID-compatible HWPT; out: unchanged
 *
 * The group's @pasid moves in one step (no window without translation);
 * onto its current HWPT nothing happens. On failure it keeps its HWPT.
 *
 * Context: may sleep; the caller serialises attach/detach/unbind of @idev.
 * Return: 0; -ENOENT @pt_id is no object; -EINVAL @pasid is not attached
 * for @idev, or the rules of xiommu_idev_pasid_attach(); -EBUSY the group
 * was revoked; -ENOMEM; a driver errno.
 */
int xiommu_idev_pasid_replace(struct xiommu_idev *idev, u32 pasid, u32 *pt_id)
{
	struct xiommu_ictx *ictx = idev->ictx;
	struct xiommu_hwpt *hwpt, *old;
	unsigned int n = 0;

	hwpt = pasid_get_hwpt(ictx, *pt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	mutex_lock(&hwpt->ioas->mutex);
	mutex_lock(&idev->igroup->lock);
	old = idev_pasid_replace_locked(idev, pasid, hwpt, &n);
	mutex_unlock(&idev->igroup->lock);
	mutex_unlock(&hwpt->ioas->mutex);
	xiommu_put_object(ictx, &hwpt->obj);
	if (IS_ERR(old))
		return PTR_ERR(old);
	/* PASID HWPTs are never automatic: these are plain reference drops. */
	while (old && n--)
		xiommu_hwpt_put(ictx, old);
	return 0;
}
EXPORT_SYMBOL_GPL(xiommu_idev_pasid_replace);

/**
 * xiommu_idev_pasid_detach() - detach a PASID of a device
 * @idev: a bound device
 * @pasid: the PASID; nothing happens if @idev does not have it attached
 *
 * When the last device of the group leaves @pasid, DMA tagged with it is
 * blocked.
 *
 * Context: may sleep; the caller serialises attach/detach/unbind of @idev.
 */
void xiommu_idev_pasid_detach(struct xiommu_idev *idev, u32 pasid)
{
	struct xiommu_igroup *igroup = idev->igroup;
	struct xiommu_pasid_attach *attach;
	struct xiommu_hwpt *hwpt;

	mutex_lock(&igroup->lock);
	attach = xa_load(&igroup->pasids, pasid);
	if (!attach || !xa_erase(&attach->devs, idev->obj.id)) {
		mutex_unlock(&igroup->lock);
		return;
	}
	hwpt = attach->hwpt;
	if (xa_empty(&attach->devs)) {
		xiommu_group_remove_pasid(igroup->group, pasid);
		xa_erase(&igroup->pasids, pasid);
		xa_destroy(&attach->devs);
		kfree(attach);
	}
	xiommu_fault_auto_respond(hwpt, idev, pasid);
	mutex_unlock(&igroup->lock);

	xiommu_hwpt_put(idev->ictx, hwpt);
	refcount_dec(&idev->obj.users);
}
EXPORT_SYMBOL_GPL(xiommu_idev_pasid_detach);

/**
 * xiommu_idev_pasid_attached() - has a device a PASID attached
 * @idev: a bound device
 * @pasid: the PASID
 *
 * For drivers that attach-or-replace (VFIO_DEVICE_ATTACH_IOMMUFD_PT with
 * VFIO_DEVICE_ATTACH_PASID); stable while the caller serialises
 * attach/detach/unbind of @idev.
 *
 * Return: true if xiommu_idev_pasid_attach() of @pasid succeeded and no
 * detach followed.
 */
bool xiommu_idev_pasid_attached(struct xiommu_idev *idev, u32 pasid)
{
	struct xiommu_igroup *igroup = idev->igroup;
	struct xiommu_pasid_attach *attach;
	bool ret;

	mutex_lock(&igroup->lock);
	attach = xa_load(&igroup->pasids, pasid);
	ret = attach && xa_load(&attach->devs, idev->obj.id);
	mutex_unlock(&igroup->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(xiommu_idev_pasid_attached);

/* Detach every PASID @idev has attached (unbind). */
void xiommu_idev_pasid_detach_all(struct xiommu_idev *idev)
{
	struct xiommu_igroup *igroup = idev->igroup;
	struct xiommu_pasid_attach *attach;
	unsigned long pasid = 0;
	bool found;

	do {
		found = false;
		mutex_lock(&igroup->lock);
		xa_for_each_start(&igroup->pasids, pasid, attach, pasid) {
			if (xa_load(&attach->devs, idev->obj.id)) {
				found = true;
				break;
			}
		}
		mutex_unlock(&igroup->lock);
		if (found)
			xiommu_idev_pasid_detach(idev, pasid);
	} while (found);
}

/* ------------------------------------------------------------------------
 * IOMMU_GET_HW_INFO
 */

/* Largest payload handed to a driver: far above any real one. */
#define XIOMMU_HW_INFO_MAX	PAGE_SIZE

/*
 * The PCI PASID capability's Execute / Privileged Mode bits as enabled
 * (PCIe base specification, 7.8.8.3 "PASID Control Register").
 */
static u64 hw_info_pci_pasid_caps(struct device *dev)
{
	struct pci_dev *pdev;
	u64 caps = 0;
	u16 ctrl;
	int pos;

	if (!dev_is_pci(dev))
		return 0;
	pdev = to_pci_dev(dev);
	pos = pci_find_ext_capability(pdev, PCI_EXT_CAP_ID_PASID);
	if (!pos || pci_read_config_word(pdev, pos + PCI_PASID_CTRL, &ctrl))
		return 0;
	if (ctrl & PCI_PASID_CTRL_EXEC)
		caps |= IOMMU_HW_CAP_PCI_PASID_EXEC;
	if (ctrl & PCI_PASID_CTRL_PRIV)
		caps |= IOMMU_HW_CAP_PCI_PASID_PRIV;
	return caps;
}

/*
 * IOMMU_GET_HW_INFO: the driver's payload (hw_info), its capabilities
 * (capable(): dirty tracking) and PASID width (max_pasid_log2), plus the
 * PCI PASID capability of the device. With IOMMU_HW_INFO_FLAG_INPUT_TYPE
 * a type other than IOMMU_HW_INFO_TYPE_DEFAULT must be the one the driver
 * reports (every xiommu driver has exactly one), else EOPNOTSUPP.
 */
int xiommu_get_hw_info(struct xiommu_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	void __user *uptr = u64_to_user_ptr(cmd->data_uptr);
	size_t buf_len = min_t(size_t, cmd->data_len, XIOMMU_HW_INFO_MAX);
	struct xiommu_idev *idev;
	size_t copy_len;
	u32 type = 0;
	void *data;
	int len;
	int rc;

	u32 in_type = IOMMU_HW_INFO_TYPE_DEFAULT;

	if ((cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE) ||
	    cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	if (cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE)
		in_type = cmd->in_data_type;

	idev = xiommu_get_idev(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	data = kzalloc(max_t(size_t, buf_len, 1), GFP_KERNEL);
	if (!data) {
		rc = -ENOMEM;
		goto out_put;
	}
	len = xiommu_dev_hw_info(idev->dev, data, buf_len, &type);
	if (len < 0) {
		rc = len;
		goto out_free;
	}
	if (in_type != IOMMU_HW_INFO_TYPE_DEFAULT && in_type != type) {
		rc = -EOPNOTSUPP;
		goto out_free;
	}

	copy_len = min_t(size_t, buf_len, len);
	if (copy_to_user(uptr, data, copy_len)) {
		rc = -EFAULT;
		goto out_free;
	}
	/* The rest of a larger user buffer reads as zero. */
	if (copy_len < cmd->data_len &&
	    clear_user(uptr + copy_len, cmd->data_len - copy_len)) {
		rc = -EFAULT;
		goto out_free;
	}
	cmd->data_len = len;
	cmd->out_data_type = type;
	cmd->out_capabilities = 0;
	if (xiommu_dev_capable(idev->dev, XIOMMU_CAP_DIRTY_TRACKING))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	cmd->out_max_pasid_log2 = xiommu_dev_max_pasid_log2(idev->dev);
	if (cmd->out_max_pasid_log2)
		cmd->out_capabilities |= hw_info_pci_pasid_caps(idev->dev);
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	kfree(data);
out_put:
	xiommu_put_object(ucmd->ictx, &idev->obj);
	return rc;
}
