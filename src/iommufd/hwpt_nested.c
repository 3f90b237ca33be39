// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested HWPTs: a stage-1 domain whose table belongs to user space (a
 * guest's), translated again by a NEST_PARENT paging HWPT (stage 2). The
 * core never maps into a nested domain; user space describes it with
 * driver-typed data at IOMMU_HWPT_ALLOC and flushes what the hardware
 * caches of it with IOMMU_HWPT_INVALIDATE.
 *
 * Lifetime: a nested HWPT holds a users reference on its parent, so the
 * parent (and through it the IOAS) outlives it: IOMMU_DESTROY of the parent
 * answers EBUSY while a nested HWPT uses it, and closing the file destroys
 * the nested HWPTs first. Devices attach to a nested HWPT like to a paging
 * one; their reserved regions go into the parent's IOAS.
 */
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "iommufd_private.h"

/**
 * xiommu_hwpt_nested_alloc() - create a nested HWPT on a NEST_PARENT HWPT
 * @ictx: context
 * @parent: paging HWPT (short-term reference held by the caller)
 * @idev: device whose unit allocates the domain
 * @flags: IOMMU_HWPT_ALLOC flags (only IOMMU_HWPT_ALLOC_PASID and
 *	IOMMU_HWPT_FAULT_ID_VALID are valid; the caller attaches the queue)
 * @data: driver-typed stage-1 description; @data->len is not 0
 *
 * Not finalized: the caller finalizes it or aborts it with
 * xiommu_object_abort_and_destroy().
 *
 * Return: the HWPT, or ERR_PTR: -EOPNOTSUPP @flags, no data, or the unit
 * has no nested domains or not of @data->type, or no PASID attach for
 * IOMMU_HWPT_ALLOC_PASID; -EINVAL @parent is
 * automatic, not NEST_PARENT or of another unit, or the driver refuses
 * @data; -EFAULT from reading @data; -ENOMEM.
 */
struct xiommu_hwpt *xiommu_hwpt_nested_alloc(struct xiommu_ictx *ictx,
					     struct xiommu_hwpt *parent,
					     struct xiommu_idev *idev, u32 flags,
					     const struct xiommu_user_data *data)
{
	struct xiommu_domain *domain;
	struct xiommu_hwpt *hwpt;

	if ((flags & ~(IOMMU_HWPT_ALLOC_PASID | IOMMU_HWPT_FAULT_ID_VALID)) ||
	    !data->len)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->auto_domain || !parent->nest_parent)
		return ERR_PTR(-EINVAL);

	/* Before the object: the domain is the only thing that can fail late. */
	domain = xiommu_domain_alloc_nested(idev->dev, parent->domain,
					    (flags & IOMMU_HWPT_ALLOC_PASID) ?
					    XIOMMU_DOMAIN_ALLOC_PASID : 0,
					    data);
	if (IS_ERR(domain))
		return ERR_CAST(domain);

	hwpt = xiommu_object_alloc(ictx, hwpt, XIOMMU_OBJ_HWPT_NESTED);
	if (IS_ERR(hwpt)) {
		xiommu_domain_free(domain);
		return hwpt;
	}
	INIT_LIST_HEAD(&hwpt->hwpt_item);
	hwpt->domain = domain;
	hwpt->parent = parent;
	hwpt->ioas = parent->ioas;
	hwpt->pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;
	/* Pairs with the decrement in xiommu_hwpt_nested_destroy(). */
	refcount_inc(&parent->obj.users);
	return hwpt;
}

/* Object destroy and abort: no device is attached, no lock is held. */
void xiommu_hwpt_nested_destroy(struct xiommu_object *obj)
{
	struct xiommu_hwpt *hwpt = container_of(obj, struct xiommu_hwpt, obj);

	if (hwpt->fault)
		refcount_dec(&hwpt->fault->common.obj.users);
	xiommu_domain_free(hwpt->domain);
	if (hwpt->viommu)
		refcount_dec(&hwpt->viommu->obj.users);
	else
		refcount_dec(&hwpt->parent->obj.users);
}

/**
 * xiommu_hwpt_invalidate_array() - hand an invalidation array to a domain
 * @domain: a nested domain
 * @array: the requests; on return @array->entry_num is the number the
 *	driver handled (0 if it has no invalidation)
 *
 * Return: 0, -EOPNOTSUPP the domain has no user invalidation, or the
 * driver's errno for the first request it refused.
 */
int xiommu_hwpt_invalidate_array(struct xiommu_domain *domain,
				 struct xiommu_user_data_array *array)
{
	u32 num = array->entry_num;
	int rc;

	if (!domain->ops->cache_invalidate_user) {
		array->entry_num = 0;
		return -EOPNOTSUPP;
	}
	rc = domain->ops->cache_invalidate_user(domain, array);
	/*
	 * Never report more progress than user space asked for, whatever
	 * the driver wrote (KUnit checks this with a lying fake).
	 */
	if (array->entry_num > num)
		array->entry_num = num;
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_hwpt_invalidate_array);

/*
 * IOMMU_HWPT_INVALIDATE: entry_num is written back in every case as the
 * number of requests handled, so user space can resume after a bad one.
 */
int xiommu_hwpt_invalidate_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct xiommu_user_data_array array = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.entry_len = cmd->entry_len,
		.entry_num = cmd->entry_num,
	};
	struct xiommu_object *pt_obj;
	u32 done = 0;
	int rc;

	if (cmd->__reserved) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len)) {
		rc = -EINVAL;
		goto out;
	}

	pt_obj = xiommu_get_object(ucmd->ictx, cmd->hwpt_id, XIOMMU_OBJ_ANY);
	if (IS_ERR(pt_obj)) {
		rc = PTR_ERR(pt_obj);
		goto out;
	}
	if (pt_obj->type == XIOMMU_OBJ_HWPT_NESTED) {
		struct xiommu_hwpt *hwpt = container_of(pt_obj,
							struct xiommu_hwpt,
							obj);

		rc = xiommu_hwpt_invalidate_array(hwpt->domain, &array);
		done = array.entry_num;
	} else if (pt_obj->type == XIOMMU_OBJ_VIOMMU) {
		rc = xiommu_viommu_invalidate_array(
			container_of(pt_obj, struct xiommu_viommu_obj, obj),
			&array);
		done = array.entry_num;
	} else {
		rc = -EINVAL;
	}
	xiommu_put_object(ucmd->ictx, pt_obj);
out:
	cmd->entry_num = done;
	if (xiommu_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return rc;
}

/**
 * xiommu_hwpt_nested_domain_get() - the domain behind a nested HWPT ID
 *	(test support)
 * @ictx: context
 * @hwpt_id: nested HWPT object ID from user space
 *
 * The HWPT cannot be destroyed until xiommu_hwpt_domain_put().
 *
 * Return: the nested domain, or ERR_PTR(-ENOENT) if @hwpt_id is not a
 * nested HWPT.
 */
struct xiommu_domain *xiommu_hwpt_nested_domain_get(struct xiommu_ictx *ictx,
						    u32 hwpt_id)
{
	struct xiommu_object *obj;

	obj = xiommu_get_object(ictx, hwpt_id, XIOMMU_OBJ_HWPT_NESTED);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct xiommu_hwpt, obj)->domain;
}
EXPORT_SYMBOL_GPL(xiommu_hwpt_nested_domain_get);
