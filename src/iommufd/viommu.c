// SPDX-License-Identifier: GPL-2.0-only
/*
 * vIOMMU objects and what hangs off them: vDEVICEs, vEVENTQs and nested
 * HWPTs allocated on a vIOMMU.
 *
 * A vIOMMU is the part of a physical IOMMU unit that belongs to one VM: the
 * guest's IDs for its devices (vDEVICEs), the events the guest should see
 * (vEVENTQs), invalidations addressed by guest IDs (IOMMU_HWPT_INVALIDATE
 * on the vIOMMU) and the nesting parent all its nested domains translate
 * through. The driver owns the hardware side (struct xiommu_viommu in
 * include/xiommu/driver.h); this file owns the objects.
 *
 * Lifetime (users references, so IOMMU_DESTROY in the wrong order answers
 * EBUSY and closing the file destroys leaves first):
 *
 *   nest-parent HWPT  <-  vIOMMU  <-  vDEVICE, vEVENTQ, nested HWPT
 *
 * A vDEVICE does not hold its device object: unbinding the device destroys
 * the vDEVICE first and leaves its ID a tombstone until the context goes
 * (IOMMU_DESTROY of it then answers ENOENT), as upstream does.
 *
 * Locks: idev->igroup->lock serialises a device's vDEVICE (one at most);
 * viommu->vdevs' xa_lock protects the virt_id table against vDEVICE
 * destruction for drivers (xiommu_viommu_lock()); viommu->veventqs_rwsem
 * protects the vEVENTQ list (producers read it).
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "iommufd_private.h"

static struct xiommu_viommu_obj *viommu_core(struct xiommu_viommu *drv)
{
	return drv->core;
}

/* ------------------------------------------------------------------------
 * vIOMMU
 */

/* Object destroy and abort: nothing uses the vIOMMU any more. */
void xiommu_viommu_destroy(struct xiommu_object *obj)
{
	struct xiommu_viommu_obj *viommu =
		container_of(obj, struct xiommu_viommu_obj, obj);
	struct xiommu_device *iommu = viommu->drv->iommu;
	struct module *owner = iommu->ops->owner;

	viommu->drv->ops->free(viommu->drv);
	refcount_dec(&viommu->hwpt->obj.users);
	WARN_ON(!xa_empty(&viommu->vdevs));
	xa_destroy(&viommu->vdevs);
	xiommu_device_put(iommu);
	module_put(owner);
}

/**
 * xiommu_viommu_alloc_ioctl() - IOMMU_VIOMMU_ALLOC
 * @ucmd: the ioctl (struct iommu_viommu_alloc)
 *
 * Checks in upstream's order: flags or type IOMMU_VIOMMU_TYPE_DEFAULT
 * (EOPNOTSUPP: the default type is kept for later use), dev_id (ENOENT),
 * a unit without vIOMMUs (EOPNOTSUPP), hwpt_id not a paging HWPT
 * (ENOENT), not NEST_PARENT or of another unit (EINVAL); then the
 * driver's errno for the type and its data. __reserved is not checked, as
 * upstream.
 *
 * Return: 0, or the errno above; -ENODEV the unit is going away; -ENOMEM.
 */
int xiommu_viommu_alloc_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	const struct xiommu_user_data data = {
		.type = cmd->type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct xiommu_viommu_obj *viommu;
	struct xiommu_device *iommu;
	struct xiommu_viommu *drv;
	struct xiommu_object *hwpt_obj;
	struct xiommu_hwpt *hwpt;
	struct xiommu_idev *idev;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return -EOPNOTSUPP;

	idev = xiommu_get_idev(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	iommu = xiommu_endpoint_iommu_get(idev->dev);
	if (!iommu) {
		rc = -ENODEV;
		goto out_put_idev;
	}
	if (!iommu->ops->viommu_alloc) {
		rc = -EOPNOTSUPP;
		goto out_put_unit;
	}

	hwpt_obj = xiommu_get_object(ucmd->ictx, cmd->hwpt_id,
				     XIOMMU_OBJ_HWPT);
	if (IS_ERR(hwpt_obj)) {
		rc = PTR_ERR(hwpt_obj);
		goto out_put_unit;
	}
	hwpt = container_of(hwpt_obj, struct xiommu_hwpt, obj);
	if (!hwpt->nest_parent || hwpt->auto_domain ||
	    hwpt->domain->owner != iommu) {
		rc = -EINVAL;
		goto out_put_hwpt;
	}

	if (READ_ONCE(iommu->dying) || !try_module_get(iommu->ops->owner)) {
		rc = -ENODEV;
		goto out_put_hwpt;
	}

	viommu = xiommu_object_alloc(ucmd->ictx, viommu, XIOMMU_OBJ_VIOMMU);
	if (IS_ERR(viommu)) {
		rc = PTR_ERR(viommu);
		goto out_put_module;
	}
	viommu->ictx = ucmd->ictx;
	xa_init_flags(&viommu->vdevs, XA_FLAGS_ACCOUNT);
	init_rwsem(&viommu->veventqs_rwsem);
	INIT_LIST_HEAD(&viommu->veventqs);

	drv = iommu->ops->viommu_alloc(idev->dev, hwpt->domain, cmd->type,
				       data.len ? &data : NULL);
	if (IS_ERR_OR_NULL(drv)) {
		rc = drv ? PTR_ERR(drv) : -ENOMEM;
		xa_destroy(&viommu->vdevs);
		xiommu_object_abort(ucmd->ictx, &viommu->obj);
		goto out_put_module;
	}
	if (WARN_ON_ONCE(!drv->ops || !drv->ops->free)) {
		/* a driver bug: nothing can free what it returned */
		rc = -EOPNOTSUPP;
		xa_destroy(&viommu->vdevs);
		xiommu_object_abort(ucmd->ictx, &viommu->obj);
		goto out_put_module;
	}
	drv->iommu = iommu;		/* the unit reference goes with it */
	drv->parent = hwpt->domain;
	drv->type = cmd->type;
	drv->core = viommu;
	viommu->drv = drv;
	viommu->hwpt = hwpt;
	/* Pairs with the decrement in xiommu_viommu_destroy(). */
	refcount_inc(&hwpt->obj.users);

	if (drv->ops->init) {
		rc = drv->ops->init(drv, data.len ? &data : NULL);
		if (rc) {
			xiommu_object_abort_and_destroy(ucmd->ictx,
							&viommu->obj);
			goto out_put_objs;
		}
	}

	cmd->out_viommu_id = viommu->obj.id;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		xiommu_object_abort_and_destroy(ucmd->ictx, &viommu->obj);
	else
		xiommu_object_finalize(ucmd->ictx, &viommu->obj);
out_put_objs:
	xiommu_put_object(ucmd->ictx, hwpt_obj);
	xiommu_put_object(ucmd->ictx, &idev->obj);
	return rc;

out_put_module:
	module_put(iommu->ops->owner);
out_put_hwpt:
	xiommu_put_object(ucmd->ictx, hwpt_obj);
out_put_unit:
	xiommu_device_put(iommu);
out_put_idev:
	xiommu_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/**
 * xiommu_viommu_alloc_mmap() - let user space mmap() a region of the unit
 *	for this vIOMMU through its iommufd file
 * @viommu: the driver's vIOMMU; called from xiommu_viommu_ops.init or
 *	later, never from xiommu_ops.viommu_alloc (the core object does not
 *	exist yet)
 * @base: physical address of the region, page aligned
 * @length: bytes, a non-zero page multiple
 * @mmio: true for device memory (MMIO, mapped uncached as upstream maps
 *	its vIOMMU pages), false for RAM (e.g. a page of the driver's,
 *	mapped with the normal cached protection)
 * @offset: returns the byte offset (page aligned, never 0) to give user
 *	space for mmap(); the mapping must be MAP_SHARED, without PROT_EXEC,
 *	exactly @length long (IOMMU_VIOMMU_ALLOC's driver data, e.g.
 *	struct iommu_viommu_selftest.out_mmap_offset/out_mmap_length)
 *
 * While user space has the region mapped, IOMMU_DESTROY of the vIOMMU
 * fails with EBUSY. The driver removes the region with
 * xiommu_viommu_destroy_mmap() in its xiommu_viommu_ops.free at the
 * latest; by then no mapping of it is left.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL @base or @length not page aligned or @length 0;
 * -ENOMEM; -ENOSPC the context's offset space is used up (offsets are
 * never reused).
 */
int xiommu_viommu_alloc_mmap(struct xiommu_viommu *viommu, phys_addr_t base,
			     size_t length, bool mmio, unsigned long *offset)
{
	struct xiommu_viommu_obj *core = viommu_core(viommu);
	struct xarray *xa = &core->ictx->mmaps;
	unsigned long npages = length >> PAGE_SHIFT;
	struct xiommu_mmap *immap;
	unsigned long start;
	int rc;

	if (!length || !PAGE_ALIGNED(length) || !PAGE_ALIGNED(base))
		return -EINVAL;
	immap = kzalloc(sizeof(*immap), GFP_KERNEL_ACCOUNT);
	if (!immap)
		return -ENOMEM;
	immap->owner = &core->obj;
	immap->base = base;
	immap->length = length;
	immap->mmio = mmio;
	xa_lock(xa);
	/* The byte offset of the region's end must fit an unsigned long. */
	start = core->ictx->mmap_next;
	if (npages > (ULONG_MAX >> PAGE_SHIFT) - start) {
		xa_unlock(xa);
		kfree(immap);
		return -ENOSPC;
	}
	/* Taken even if the insert fails: offsets are never reused. */
	core->ictx->mmap_next = start + npages;
	immap->vm_pgoff = start;
	rc = __xa_insert(xa, start, immap, GFP_KERNEL_ACCOUNT);
	xa_unlock(xa);
	if (rc) {
		kfree(immap);
		return rc;
	}
	*offset = start << PAGE_SHIFT;
	return 0;
}
EXPORT_SYMBOL_GPL(xiommu_viommu_alloc_mmap);

/**
 * xiommu_viommu_destroy_mmap() - remove a region of
 *	xiommu_viommu_alloc_mmap()
 * @viommu: the vIOMMU that allocated it
 * @offset: the offset xiommu_viommu_alloc_mmap() returned
 *
 * New mmap() calls of @offset fail with ENXIO. No mapping of the region
 * exists when the vIOMMU can be destroyed (each holds a users reference),
 * so the driver may free the memory behind it afterwards.
 *
 * Context: process context.
 */
void xiommu_viommu_destroy_mmap(struct xiommu_viommu *viommu,
				unsigned long offset)
{
	struct xiommu_viommu_obj *core = viommu_core(viommu);
	struct xiommu_mmap *immap;

	immap = xa_erase(&core->ictx->mmaps, offset >> PAGE_SHIFT);
	WARN_ON_ONCE(!immap || immap->owner != &core->obj);
	kfree(immap);
}
EXPORT_SYMBOL_GPL(xiommu_viommu_destroy_mmap);

/**
 * xiommu_viommu_lock() - hold off vDEVICE destruction on a vIOMMU
 * @viommu: the driver's vIOMMU
 *
 * For xiommu_viommu_find_dev(). A spinlock: no sleeping until
 * xiommu_viommu_unlock().
 */
void xiommu_viommu_lock(struct xiommu_viommu *viommu)
	__acquires(&viommu_core(viommu)->vdevs.xa_lock)
{
	xa_lock(&viommu_core(viommu)->vdevs);
}
EXPORT_SYMBOL_GPL(xiommu_viommu_lock);

/**
 * xiommu_viommu_unlock() - release xiommu_viommu_lock()
 * @viommu: the driver's vIOMMU
 */
void xiommu_viommu_unlock(struct xiommu_viommu *viommu)
	__releases(&viommu_core(viommu)->vdevs.xa_lock)
{
	xa_unlock(&viommu_core(viommu)->vdevs);
}
EXPORT_SYMBOL_GPL(xiommu_viommu_unlock);

/**
 * xiommu_viommu_find_dev() - the device with a guest ID on a vIOMMU
 * @viommu: the driver's vIOMMU
 * @virt_id: the vDEVICE's virt_id
 *
 * Context: xiommu_viommu_lock() held; the device stays valid (and keeps
 * its vDEVICE) until xiommu_viommu_unlock().
 * Return: the device, or NULL if no vDEVICE of @viommu has @virt_id.
 */
struct device *xiommu_viommu_find_dev(struct xiommu_viommu *viommu,
				      u64 virt_id)
{
	struct xiommu_viommu_obj *core = viommu_core(viommu);
	struct xiommu_vdevice *vdev;

	lockdep_assert_held(&core->vdevs.xa_lock);
	if (virt_id > ULONG_MAX)
		return NULL;
	vdev = xa_load(&core->vdevs, virt_id);
	return vdev ? vdev->idev->dev : NULL;
}
EXPORT_SYMBOL_GPL(xiommu_viommu_find_dev);

/**
 * xiommu_viommu_invalidate_array() - IOMMU_HWPT_INVALIDATE on a vIOMMU
 * @viommu: the vIOMMU (short-term reference held by the caller)
 * @array: the requests; on return @array->entry_num is the number the
 *	driver handled (never more than asked)
 *
 * Return: 0, -EOPNOTSUPP the driver's vIOMMU takes no invalidations, or
 * the driver's errno for the first request it refused.
 */
int xiommu_viommu_invalidate_array(struct xiommu_viommu_obj *viommu,
				   struct xiommu_user_data_array *array)
{
	struct xiommu_viommu *drv = viommu->drv;
	u32 num = array->entry_num;
	int rc;

	if (!drv->ops->cache_invalidate) {
		array->entry_num = 0;
		return -EOPNOTSUPP;
	}
	rc = drv->ops->cache_invalidate(drv, array);
	if (array->entry_num > num)
		array->entry_num = num;
	return rc;
}

/**
 * xiommu_hwpt_viommu_nested_alloc() - a nested HWPT on a vIOMMU
 *	(IOMMU_HWPT_ALLOC with pt_id a vIOMMU)
 * @ictx: context
 * @viommu: the vIOMMU (short-term reference held by the caller)
 * @idev: the device the domain is for
 * @flags: IOMMU_HWPT_ALLOC flags: PASID (a PASID-compatible domain) and
 *	FAULT_ID_VALID (the caller attaches the fault queue); others
 *	-EOPNOTSUPP
 * @data: the driver-typed stage-1 description
 *
 * The HWPT holds a users reference on @viommu; its parent is the vIOMMU's
 * nesting parent. Not finalized: the caller finalizes it or aborts it with
 * xiommu_object_abort_and_destroy().
 *
 * Return: the HWPT, or ERR_PTR: -EOPNOTSUPP @flags, or the driver's vIOMMU
 * has no nested domains; -EINVAL @idev is behind another unit; the
 * driver's errno for @data; -ENODEV, -ENOMEM.
 */
struct xiommu_hwpt *xiommu_hwpt_viommu_nested_alloc(
	struct xiommu_ictx *ictx, struct xiommu_viommu_obj *viommu,
	struct xiommu_idev *idev, u32 flags,
	const struct xiommu_user_data *data)
{
	struct xiommu_viommu *drv = viommu->drv;
	struct xiommu_device *iommu = drv->iommu;
	struct xiommu_domain *domain;
	struct xiommu_hwpt *hwpt;

	/* FAULT_ID_VALID: the caller attaches the queue */
	if (flags & ~(IOMMU_HWPT_ALLOC_PASID | IOMMU_HWPT_FAULT_ID_VALID))
		return ERR_PTR(-EOPNOTSUPP);
	if (!drv->ops->alloc_domain_nested)
		return ERR_PTR(-EOPNOTSUPP);
	if (xiommu_endpoint_iommu(idev->dev) != iommu)
		return ERR_PTR(-EINVAL);
	/* What xiommu_domain_free() drops, as for any nested domain. */
	if (READ_ONCE(iommu->dying) || !try_module_get(iommu->ops->owner))
		return ERR_PTR(-ENODEV);
	xiommu_device_get(iommu);

	domain = drv->ops->alloc_domain_nested(drv, idev->dev,
					       (flags & IOMMU_HWPT_ALLOC_PASID) ?
					       XIOMMU_DOMAIN_ALLOC_PASID : 0,
					       data);
	if (IS_ERR_OR_NULL(domain)) {
		xiommu_device_put(iommu);
		module_put(iommu->ops->owner);
		return domain ? ERR_CAST(domain) : ERR_PTR(-ENOMEM);
	}
	domain->type = XIOMMU_DOMAIN_NESTED;
	domain->owner = iommu;

	hwpt = xiommu_object_alloc(ictx, hwpt, XIOMMU_OBJ_HWPT_NESTED);
	if (IS_ERR(hwpt)) {
		xiommu_domain_free(domain);
		return hwpt;
	}
	INIT_LIST_HEAD(&hwpt->hwpt_item);
	hwpt->domain = domain;
	hwpt->parent = viommu->hwpt;
	hwpt->ioas = viommu->hwpt->ioas;
	hwpt->viommu = viommu;
	hwpt->pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;
	/* Pairs with the decrement in xiommu_hwpt_nested_destroy(). */
	refcount_inc(&viommu->obj.users);
	return hwpt;
}

/* ------------------------------------------------------------------------
 * vDEVICE
 */

/* Undo a vDEVICE: creation failed or destroy; igroup->lock held. */
static void vdevice_undo(struct xiommu_vdevice *vdev, bool drv_inited)
{
	struct xiommu_viommu_obj *viommu = vdev->viommu;
	struct xiommu_idev *idev = vdev->idev;

	lockdep_assert_held(&idev->igroup->lock);
	if (drv_inited && viommu->drv->ops->vdevice_destroy)
		viommu->drv->ops->vdevice_destroy(viommu->drv, idev->dev);
	/* Fails harmlessly if the insert never happened. */
	xa_cmpxchg(&viommu->vdevs, vdev->virt_id, vdev, NULL, GFP_KERNEL);
	refcount_dec(&viommu->obj.users);
	WRITE_ONCE(idev->vdev, NULL);
	/* xiommu_idev_remove_vdev() may wait for this. */
	wake_up_all(&idev->ictx->destroy_wait);
}

/* Object destroy: no lock held; the device object outlives its vDEVICE. */
void xiommu_vdevice_destroy(struct xiommu_object *obj)
{
	struct xiommu_vdevice *vdev =
		container_of(obj, struct xiommu_vdevice, obj);
	struct xiommu_igroup *igroup = vdev->idev->igroup;

	mutex_lock(&igroup->lock);
	vdevice_undo(vdev, true);
	mutex_unlock(&igroup->lock);
}

/**
 * xiommu_vdevice_alloc_ioctl() - IOMMU_VDEVICE_ALLOC
 * @ucmd: the ioctl (struct iommu_vdevice_alloc)
 *
 * Return: 0; -EINVAL virt_id beyond the ID table's range, or the device is
 * behind another unit than the vIOMMU; -ENOENT no such vIOMMU or device,
 * or the device is being unbound; -EEXIST the device has a vDEVICE
 * already (one per device) or virt_id is taken on the vIOMMU; the
 * driver's errno; -ENOMEM.
 */
int xiommu_vdevice_alloc_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct xiommu_viommu_obj *viommu;
	struct xiommu_object *viommu_obj;
	struct xiommu_vdevice *vdev;
	struct xiommu_idev *idev;
	int rc;

	/* virt_id indexes an xarray (no-op where unsigned long is 64-bit) */
	if (cmd->virt_id > ULONG_MAX)
		return -EINVAL;

	viommu_obj = xiommu_get_object(ucmd->ictx, cmd->viommu_id,
				       XIOMMU_OBJ_VIOMMU);
	if (IS_ERR(viommu_obj))
		return PTR_ERR(viommu_obj);
	viommu = container_of(viommu_obj, struct xiommu_viommu_obj, obj);

	idev = xiommu_get_idev(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_put_viommu;
	}
	if (xiommu_endpoint_iommu(idev->dev) != viommu->drv->iommu) {
		rc = -EINVAL;
		goto out_put_idev;
	}

	mutex_lock(&idev->igroup->lock);
	if (idev->destroying) {
		rc = -ENOENT;
		goto out_unlock;
	}
	if (idev->vdev) {
		rc = -EEXIST;
		goto out_unlock;
	}

	vdev = xiommu_object_alloc(ucmd->ictx, vdev, XIOMMU_OBJ_VDEVICE);
	if (IS_ERR(vdev)) {
		rc = PTR_ERR(vdev);
		goto out_unlock;
	}
	vdev->virt_id = cmd->virt_id;
	vdev->viommu = viommu;
	vdev->idev = idev;
	refcount_inc(&viommu->obj.users);
	idev->vdev = vdev;

	rc = xa_insert(&viommu->vdevs, cmd->virt_id, vdev, GFP_KERNEL_ACCOUNT);
	if (rc) {
		if (rc == -EBUSY)
			rc = -EEXIST;
		goto err_undo;
	}
	if (viommu->drv->ops->vdevice_init) {
		rc = viommu->drv->ops->vdevice_init(viommu->drv, idev->dev,
						    cmd->virt_id);
		if (rc)
			goto err_undo;
	}

	cmd->out_vdevice_id = vdev->obj.id;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		vdevice_undo(vdev, true);
		xiommu_object_abort(ucmd->ictx, &vdev->obj);
		goto out_unlock;
	}
	xiommu_object_finalize(ucmd->ictx, &vdev->obj);
	goto out_unlock;

err_undo:
	vdevice_undo(vdev, false);
	xiommu_object_abort(ucmd->ictx, &vdev->obj);
out_unlock:
	mutex_unlock(&idev->igroup->lock);
out_put_idev:
	xiommu_put_object(ucmd->ictx, &idev->obj);
out_put_viommu:
	xiommu_put_object(ucmd->ictx, viommu_obj);
	return rc;
}

/**
 * xiommu_idev_remove_vdev() - destroy a device's vDEVICE before unbind
 * @idev: the device object being unbound
 *
 * No vDEVICE can be created for @idev afterwards. Its vDEVICE (if any) is
 * destroyed and its ID left a tombstone; if IOMMU_DESTROY or the close of
 * the file is destroying it already, waits for that to finish.
 *
 * Context: may sleep; no core lock held.
 */
void xiommu_idev_remove_vdev(struct xiommu_idev *idev)
{
	struct xiommu_igroup *igroup = idev->igroup;
	struct xiommu_ictx *ictx = idev->ictx;
	struct xiommu_object *obj;
	u32 id;

	mutex_lock(&igroup->lock);
	idev->destroying = true;
	if (!idev->vdev) {
		mutex_unlock(&igroup->lock);
		return;
	}
	id = idev->vdev->obj.id;
	obj = xiommu_get_object(ictx, id, XIOMMU_OBJ_VDEVICE);
	if (IS_ERR(obj)) {
		/* Being destroyed; its destroy needs igroup->lock. */
		mutex_unlock(&igroup->lock);
		wait_event(ictx->destroy_wait, !READ_ONCE(idev->vdev));
		return;
	}
	/* Trade the short-term reference for a long-term one. */
	refcount_inc(&obj->users);
	xiommu_put_object(ictx, obj);
	mutex_unlock(&igroup->lock);
	/* Nothing else holds a vDEVICE long-term: this cannot be EBUSY. */
	WARN_ON(xiommu_object_remove(ictx, obj, id,
				     XIOMMU_REMOVE_WAIT_SHORTTERM |
				     XIOMMU_REMOVE_TOMBSTONE));
}

/* ------------------------------------------------------------------------
 * vEVENTQ
 */

/**
 * struct xiommu_veventq - a vEVENTQ (IOMMU_VEVENTQ_ALLOC)
 * @common: the event queue (its obj is the object's base)
 * @viommu: the vIOMMU (users reference held)
 * @node: link in @viommu->veventqs (veventqs_rwsem)
 * @type: enum iommu_veventq_type (or the driver's), unique per vIOMMU
 */
struct xiommu_veventq {
	struct xiommu_eventq common;
	struct xiommu_viommu_obj *viommu;
	struct list_head node;
	u32 type;
};
static_assert(offsetof(struct xiommu_veventq, common.obj) == 0);

/**
 * struct xiommu_vevent - one queued vIOMMU event
 * @entry: the queue entry
 * @data_len: bytes of @data
 * @data: the type-specific event record read after the header
 */
struct xiommu_vevent {
	struct xiommu_eventq_entry entry;
	u32 data_len;
	u8 data[];
};

/*
 * read(): whole events only, each as struct iommufd_vevent_header and its
 * data; a lost marker is a header with IOMMU_VEVENTQ_FLAG_LOST_EVENTS and
 * no data. EINVAL if @count cannot hold the first event (a short read
 * would look like an empty queue), EFAULT if nothing could be copied.
 */
static ssize_t veventq_read(struct xiommu_eventq *eventq, char __user *buf,
			    size_t count)
{
	struct xiommu_eventq_entry *entry;
	size_t done = 0;
	ssize_t rc = 0;
	u32 seq;

	while ((entry = xiommu_eventq_fetch(eventq, &seq))) {
		struct xiommu_vevent *ev = entry->lost ? NULL :
			container_of(entry, struct xiommu_vevent, entry);
		struct iommufd_vevent_header hdr = {
			.flags = entry->lost ? IOMMU_VEVENTQ_FLAG_LOST_EVENTS :
					       0,
			.sequence = seq,
		};
		size_t len = sizeof(hdr) + (ev ? ev->data_len : 0);

		if (len > count - done) {
			xiommu_eventq_restore(eventq, entry, seq);
			if (!done)
				rc = -EINVAL;
			break;
		}
		if (copy_to_user(buf + done, &hdr, sizeof(hdr)) ||
		    (ev && copy_to_user(buf + done + sizeof(hdr), ev->data,
					ev->data_len))) {
			xiommu_eventq_restore(eventq, entry, seq);
			rc = -EFAULT;
			break;
		}
		done += len;
		xiommu_eventq_consumed(eventq, entry);
		kfree(ev);
	}
	return done ? done : rc;
}

static void veventq_free_entry(struct xiommu_eventq *eventq,
			       struct xiommu_eventq_entry *entry)
{
	kfree(container_of(entry, struct xiommu_vevent, entry));
}

static const struct xiommu_eventq_ops veventq_ops = {
	.read = veventq_read,
	.free_entry = veventq_free_entry,
};

/* Object destroy: the file is closed, no reader is left. */
void xiommu_veventq_destroy(struct xiommu_object *obj)
{
	struct xiommu_veventq *veventq =
		container_of(obj, struct xiommu_veventq, common.obj);
	struct xiommu_viommu_obj *viommu = veventq->viommu;

	down_write(&viommu->veventqs_rwsem);
	list_del(&veventq->node);
	up_write(&viommu->veventqs_rwsem);
	/* No producer can find the queue any more. */
	xiommu_eventq_teardown(&veventq->common);
	refcount_dec(&viommu->obj.users);
}

static struct xiommu_veventq *viommu_find_veventq(struct xiommu_viommu_obj *viommu,
						  u32 type)
{
	struct xiommu_veventq *veventq;

	lockdep_assert_held(&viommu->veventqs_rwsem);
	list_for_each_entry(veventq, &viommu->veventqs, node)
		if (veventq->type == type)
			return veventq;
	return NULL;
}

/*
 * The most events one vEVENTQ may hold. Each is charged to nobody when a
 * hardware interrupt produces it, so the depth user space asks for is
 * what bounds that memory.
 */
#define XIOMMU_VEVENTQ_MAX_DEPTH	(1U << 16)

/**
 * xiommu_veventq_alloc_ioctl() - IOMMU_VEVENTQ_ALLOC
 * @ucmd: the ioctl (struct iommu_veventq_alloc)
 *
 * Return: 0; -EOPNOTSUPP flags, __reserved or type
 * IOMMU_VEVENTQ_TYPE_DEFAULT; -EINVAL veventq_depth 0 or above
 * XIOMMU_VEVENTQ_MAX_DEPTH; -ENOENT no such vIOMMU; -EEXIST the vIOMMU
 * has a vEVENTQ of that type; -EMFILE, -ENFILE, -ENOMEM; -EFAULT.
 */
int xiommu_veventq_alloc_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	struct xiommu_viommu_obj *viommu;
	struct xiommu_object *viommu_obj;
	struct xiommu_veventq *veventq;
	struct xiommu_object *obj;
	int fdno;
	int rc;

	if (cmd->flags || cmd->__reserved ||
	    cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth || cmd->veventq_depth > XIOMMU_VEVENTQ_MAX_DEPTH)
		return -EINVAL;

	viommu_obj = xiommu_get_object(ucmd->ictx, cmd->viommu_id,
				       XIOMMU_OBJ_VIOMMU);
	if (IS_ERR(viommu_obj))
		return PTR_ERR(viommu_obj);
	viommu = container_of(viommu_obj, struct xiommu_viommu_obj, obj);

	down_write(&viommu->veventqs_rwsem);
	if (viommu_find_veventq(viommu, cmd->type)) {
		rc = -EEXIST;
		goto out_unlock;
	}

	obj = _xiommu_object_alloc(ucmd->ictx, sizeof(*veventq),
				   XIOMMU_OBJ_VEVENTQ);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_unlock;
	}
	veventq = container_of(obj, struct xiommu_veventq, common.obj);
	xiommu_eventq_init(&veventq->common, ucmd->ictx, &veventq_ops,
			   cmd->veventq_depth);
	veventq->viommu = viommu;
	veventq->type = cmd->type;

	fdno = xiommu_eventq_get_fd(&veventq->common, "[xiommu-vevent]");
	if (fdno < 0) {
		rc = fdno;
		goto err_abort;
	}
	cmd->out_veventq_id = obj->id;
	cmd->out_veventq_fd = fdno;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		xiommu_eventq_put_fd(&veventq->common, fdno);
		goto err_abort;
	}

	refcount_inc(&viommu->obj.users);
	list_add_tail(&veventq->node, &viommu->veventqs);
	xiommu_object_finalize(ucmd->ictx, obj);
	xiommu_eventq_install_fd(&veventq->common, fdno);
	goto out_unlock;

err_abort:
	xiommu_object_abort(ucmd->ictx, obj);
out_unlock:
	up_write(&viommu->veventqs_rwsem);
	xiommu_put_object(ucmd->ictx, viommu_obj);
	return rc;
}

/**
 * xiommu_viommu_report_event() - give the guest an event of its vIOMMU
 * @viommu: the driver's vIOMMU
 * @type: enum iommu_veventq_type (or the driver's): the queue to use
 * @data: the type-specific record, @len bytes (copied)
 * @len: bytes of @data, not 0
 *
 * If the queue is full the event is lost and counted (the reader sees a
 * gap in the sequence numbers, or a LOST_EVENTS header at the end).
 *
 * Context: may sleep (the driver's threaded interrupt handler or an
 * ioctl).
 * Return: 0 (queued, or lost to overflow); -EOPNOTSUPP the vIOMMU has no
 * vEVENTQ of @type; -ENOMEM (the loss is recorded); -EINVAL @len is 0.
 */
int xiommu_viommu_report_event(struct xiommu_viommu *viommu, u32 type,
			       const void *data, size_t len)
{
	struct xiommu_viommu_obj *core = viommu_core(viommu);
	struct xiommu_veventq *veventq;
	struct xiommu_vevent *ev;
	int rc = 0;

	if (WARN_ON_ONCE(!len || len > U32_MAX))
		return -EINVAL;

	down_read(&core->veventqs_rwsem);
	veventq = viommu_find_veventq(core, type);
	if (!veventq) {
		rc = -EOPNOTSUPP;
		goto out_unlock;
	}
	ev = kmalloc(struct_size(ev, data, len), GFP_KERNEL);
	if (!ev) {
		xiommu_eventq_report_lost(&veventq->common);
		rc = -ENOMEM;
		goto out_unlock;
	}
	ev->data_len = len;
	memcpy(ev->data, data, len);
	if (!xiommu_eventq_deliver(&veventq->common, &ev->entry))
		kfree(ev);
out_unlock:
	up_read(&core->veventqs_rwsem);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_viommu_report_event);

/* ------------------------------------------------------------------------
 * HW queue
 */

/**
 * struct xiommu_hw_queue_obj - a HW queue object (IOMMU_HW_QUEUE_ALLOC)
 * @obj: base; a higher-index queue the driver made depend on this one
 *	holds a users reference (xiommu_hw_queue_depend())
 * @viommu: the vIOMMU (users reference held)
 * @drv: the driver's view
 * @access: pins the queue memory in the parent's IOAS; its unmap callback
 *	keeps the pins, so IOMMU_IOAS_UNMAP of that memory answers EBUSY
 *	while the queue exists (the hardware reads it by physical address)
 * @pin_iova: first IOVA of the pin (page aligned)
 * @pin_len: bytes pinned (whole pages)
 * @inited: the driver's hw_queue_init succeeded
 */
struct xiommu_hw_queue_obj {
	struct xiommu_object obj;
	struct xiommu_viommu_obj *viommu;
	struct xiommu_hw_queue drv;
	struct xiommu_access *access;
	unsigned long pin_iova;
	unsigned long pin_len;
	bool inited;
};

/**
 * xiommu_hw_queue_depend() - make @depended undestroyable before @queue
 * @queue: a queue being initialised (hw_queue_init)
 * @depended: another queue of the same vIOMMU
 *
 * IOMMU_DESTROY of @depended answers EBUSY until
 * xiommu_hw_queue_undepend() (from @queue's hw_queue_destroy).
 */
void xiommu_hw_queue_depend(struct xiommu_hw_queue *queue,
			    struct xiommu_hw_queue *depended)
{
	struct xiommu_hw_queue_obj *q = depended->core;

	refcount_inc(&q->obj.users);
}
EXPORT_SYMBOL_GPL(xiommu_hw_queue_depend);

/**
 * xiommu_hw_queue_undepend() - undo xiommu_hw_queue_depend()
 * @queue: the dependent queue
 * @depended: the queue it depended on
 */
void xiommu_hw_queue_undepend(struct xiommu_hw_queue *queue,
			      struct xiommu_hw_queue *depended)
{
	struct xiommu_hw_queue_obj *q = depended->core;

	refcount_dec(&q->obj.users);
}
EXPORT_SYMBOL_GPL(xiommu_hw_queue_undepend);

/* The pins stay: the hardware reads the memory by physical address. */
static void hw_queue_access_unmap(void *data, unsigned long iova,
				  unsigned long length)
{
}

static const struct xiommu_access_ops hw_queue_access_ops = {
	.needs_pin_pages = 1,
	.unmap = hw_queue_access_unmap,
};

/* Undo hw_queue_pin(); no lock held. */
static void hw_queue_unpin(struct xiommu_hw_queue_obj *q)
{
	if (!q->access)
		return;
	if (q->pin_len)
		xiommu_access_unpin_pages(q->access, q->pin_iova, q->pin_len);
	xiommu_access_destroy(q->access);
	q->access = NULL;
}

/*
 * Pin [base, base + length) of the vIOMMU's IOAS through an access of our
 * own, and check the pages are physically contiguous (EFAULT otherwise:
 * the hardware takes one base address).
 */
static int hw_queue_pin(struct xiommu_hw_queue_obj *q, phys_addr_t *base_pa)
{
	struct xiommu_viommu_obj *viommu = q->viommu;
	unsigned long offset = q->drv.base_addr & ~PAGE_MASK;
	unsigned long iova = q->drv.base_addr - offset;
	unsigned long npages, len, i;
	struct page **pages;
	u32 access_id;
	int rc;

	if (check_add_overflow((unsigned long)q->drv.length, offset, &len) ||
	    check_add_overflow(len, PAGE_SIZE - 1, &len))
		return -ERANGE;
	npages = len >> PAGE_SHIFT;
	len = npages << PAGE_SHIFT;

	pages = kvcalloc(npages, sizeof(*pages),
			 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!pages)
		return -ENOMEM;

	q->access = xiommu_access_create(viommu->ictx, &hw_queue_access_ops, q,
					 &access_id);
	if (IS_ERR(q->access)) {
		rc = PTR_ERR(q->access);
		q->access = NULL;
		goto out_free;
	}
	rc = xiommu_access_attach(q->access, viommu->hwpt->ioas->obj.id);
	if (rc)
		goto err_unpin;
	rc = xiommu_access_pin_pages(q->access, iova, len, pages, 0);
	if (rc)
		goto err_unpin;
	q->pin_iova = iova;
	q->pin_len = len;
	for (i = 1; i < npages; i++) {
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1) {
			rc = -EFAULT;
			goto err_unpin;
		}
	}
	*base_pa = page_to_phys(pages[0]) + offset;
	kvfree(pages);
	return 0;

err_unpin:
	hw_queue_unpin(q);
out_free:
	kvfree(pages);
	return rc;
}

/* Object destroy: no dependent queue is left, no lock held. */
void xiommu_hw_queue_destroy(struct xiommu_object *obj)
{
	struct xiommu_hw_queue_obj *q =
		container_of(obj, struct xiommu_hw_queue_obj, obj);
	struct xiommu_viommu *drv = q->viommu->drv;

	if (q->inited)
		drv->ops->hw_queue_destroy(drv, &q->drv);
	hw_queue_unpin(q);
	refcount_dec(&q->viommu->obj.users);
}

/**
 * xiommu_hw_queue_alloc_ioctl() - IOMMU_HW_QUEUE_ALLOC
 * @ucmd: the ioctl (struct iommu_hw_queue_alloc)
 *
 * Checks in upstream's order: flags or type IOMMU_HW_QUEUE_TYPE_DEFAULT
 * (EOPNOTSUPP), length 0 (EINVAL), the range wraps (EOVERFLOW), vIOMMU
 * (ENOENT), the driver has no queues of that type (EOPNOTSUPP); then the
 * pin (ENOENT memory not mapped, EPERM, ENOMEM, EFAULT not physically
 * contiguous, ERANGE) and the driver (its index rules).
 *
 * Return: 0 or the errno above.
 */
int xiommu_hw_queue_alloc_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	struct xiommu_viommu_obj *viommu;
	struct xiommu_object *viommu_obj;
	struct xiommu_hw_queue_obj *q;
	struct xiommu_viommu *drv;
	phys_addr_t base_pa;
	u64 last;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
			       &last) || last > ULONG_MAX)
		return -EOVERFLOW;

	viommu_obj = xiommu_get_object(ucmd->ictx, cmd->viommu_id,
				       XIOMMU_OBJ_VIOMMU);
	if (IS_ERR(viommu_obj))
		return PTR_ERR(viommu_obj);
	viommu = container_of(viommu_obj, struct xiommu_viommu_obj, obj);
	drv = viommu->drv;
	if (!drv->ops->hw_queue_supported ||
	    !drv->ops->hw_queue_supported(drv, cmd->type)) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}

	q = xiommu_object_alloc(ucmd->ictx, q, XIOMMU_OBJ_HW_QUEUE);
	if (IS_ERR(q)) {
		rc = PTR_ERR(q);
		goto out_put;
	}
	q->viommu = viommu;
	q->drv.type = cmd->type;
	q->drv.index = cmd->index;
	q->drv.base_addr = cmd->nesting_parent_iova;
	q->drv.length = cmd->length;
	q->drv.core = q;
	refcount_inc(&viommu->obj.users);

	rc = hw_queue_pin(q, &base_pa);
	if (rc)
		goto err_abort;
	rc = drv->ops->hw_queue_init(drv, &q->drv, base_pa);
	if (rc)
		goto err_abort;
	q->inited = true;

	cmd->out_hw_queue_id = q->obj.id;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_abort;
	xiommu_object_finalize(ucmd->ictx, &q->obj);
	goto out_put;

err_abort:
	xiommu_object_abort_and_destroy(ucmd->ictx, &q->obj);
out_put:
	xiommu_put_object(ucmd->ictx, viommu_obj);
	return rc;
}
