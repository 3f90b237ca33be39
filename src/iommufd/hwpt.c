// SPDX-License-Identifier: GPL-2.0-only
/*
 * HWPT (hardware page table) objects: one paging domain that mirrors an
 * IOAS. Created automatically by an attach to an IOAS (then reused by later
 * compatible attaches and destroyed with its last device) or explicitly by
 * IOMMU_HWPT_ALLOC (then it lives until IOMMU_DESTROY or close).
 */
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "iommufd_private.h"

/**
 * xiommu_hwpt_alloc() - create a paging HWPT on an IOAS for a device
 * @ictx: context
 * @ioas: the IOAS to mirror; the caller holds @ioas->mutex
 * @idev: device the domain must suit (its unit allocates the domain)
 * @flags: IOMMU_HWPT_ALLOC_NEST_PARENT, _DIRTY_TRACKING and/or _PASID
 *	(checked by the caller: no other flag)
 * @auto_domain: created by an automatic attach
 *
 * The domain is filled with every mapping of the IOAS and the HWPT is put
 * on @ioas->hwpt_list, but not finalized: the caller finalizes it, or
 * undoes it with xiommu_object_abort_and_destroy() while still holding
 * @ioas->mutex.
 *
 * Return: the HWPT, or ERR_PTR: -ENODEV/-EOPNOTSUPP the device's unit has
 * no paging domains or cannot honour @flags (PASID: its driver has no
 * PASID attach); -EINVAL the domain cannot
 * enforce cache coherency although the device requires it, or its smallest IOPTE exceeds
 * PAGE_SIZE; -EADDRINUSE existing mappings collide with the aperture or
 * are misaligned for it; -EFAULT/-ENOMEM from pinning the IOAS's memory;
 * -ENOMEM or a driver errno from mapping.
 */
struct xiommu_hwpt *xiommu_hwpt_alloc(struct xiommu_ictx *ictx,
				      struct xiommu_ioas *ioas,
				      struct xiommu_idev *idev, u32 flags,
				      bool auto_domain)
{
	return xiommu_hwpt_alloc_user(ictx, ioas, idev, flags, NULL,
				      auto_domain);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_hwpt_alloc);

/**
 * xiommu_hwpt_alloc_user() - xiommu_hwpt_alloc() with driver-typed data
 * @ictx: context
 * @ioas: the IOAS to mirror; the caller holds @ioas->mutex
 * @idev: device the domain must suit
 * @flags: as xiommu_hwpt_alloc()
 * @data: IOMMU_HWPT_ALLOC's driver data for the paging domain
 *	(xiommu_domain_alloc_paging_user()), or NULL for none
 * @auto_domain: created by an automatic attach
 *
 * Return: as xiommu_hwpt_alloc(); with @data also -EOPNOTSUPP (the driver
 * takes no data for paging domains, or not of this type) and the driver's
 * -EINVAL/-EFAULT for bad data.
 */
struct xiommu_hwpt *xiommu_hwpt_alloc_user(struct xiommu_ictx *ictx,
					   struct xiommu_ioas *ioas,
					   struct xiommu_idev *idev, u32 flags,
					   const struct xiommu_user_data *data,
					   bool auto_domain)
{
	u32 domain_flags = 0;
	struct xiommu_hwpt *hwpt;
	int rc;

	lockdep_assert_held(&ioas->mutex);

	if (flags & IOMMU_HWPT_ALLOC_NEST_PARENT)
		domain_flags |= XIOMMU_DOMAIN_ALLOC_NEST_PARENT;
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		domain_flags |= XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING;
	if (flags & IOMMU_HWPT_ALLOC_PASID)
		domain_flags |= XIOMMU_DOMAIN_ALLOC_PASID;

	hwpt = xiommu_object_alloc(ictx, hwpt, XIOMMU_OBJ_HWPT);
	if (IS_ERR(hwpt))
		return hwpt;
	INIT_LIST_HEAD(&hwpt->hwpt_item);
	hwpt->ioas = ioas;
	hwpt->auto_domain = auto_domain;
	hwpt->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	hwpt->dirty_tracking = flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	hwpt->pasid_compat = flags & IOMMU_HWPT_ALLOC_PASID;

	hwpt->domain = xiommu_domain_alloc_paging_user(idev->dev, domain_flags,
						       data);
	if (IS_ERR(hwpt->domain)) {
		rc = PTR_ERR(hwpt->domain);
		goto err_abort;
	}

	/* Before any mapping: drivers may only switch an empty domain. */
	if (idev->enforce_cache_coherency) {
		rc = xiommu_hwpt_enforce_cc(hwpt);
		if (rc)
			goto err_free_domain;
	}

	rc = xiommu_iopt_add_domain(&ioas->iopt, hwpt->domain);
	if (rc)
		goto err_free_domain;

	/* Pairs with the decrement in the teardown. */
	refcount_inc(&ioas->obj.users);
	list_add_tail(&hwpt->hwpt_item, &ioas->hwpt_list);
	return hwpt;

err_free_domain:
	xiommu_domain_free(hwpt->domain);
err_abort:
	xiommu_object_abort(ictx, &hwpt->obj);
	return ERR_PTR(rc);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_hwpt_alloc_user);

/**
 * xiommu_hwpt_enforce_cc() - make an HWPT's domain force cache snooping
 * @hwpt: the HWPT
 *
 * Context: @hwpt->ioas->mutex held (it serialises the calls for one HWPT:
 * creation, attaches of devices of different groups, the type1 check).
 * Return: 0, or -EINVAL if the domain cannot (such an HWPT is incompatible
 * with devices whose unit can enforce coherency).
 */
int xiommu_hwpt_enforce_cc(struct xiommu_hwpt *hwpt)
{
	struct xiommu_domain *domain = hwpt->domain;

	lockdep_assert_held(&hwpt->ioas->mutex);
	if (hwpt->enforce_cache_coherency)
		return 0;
	if (domain->ops->enforce_cache_coherency)
		hwpt->enforce_cache_coherency =
			domain->ops->enforce_cache_coherency(domain);
	return hwpt->enforce_cache_coherency ? 0 : -EINVAL;
}

static void xiommu_hwpt_teardown(struct xiommu_hwpt *hwpt)
{
	if (hwpt->fault)
		refcount_dec(&hwpt->fault->common.obj.users);
	xiommu_iopt_remove_domain(&hwpt->ioas->iopt, hwpt->domain);
	xiommu_domain_free(hwpt->domain);
	refcount_dec(&hwpt->ioas->obj.users);
}

/* Object destroy: no device is attached, no lock is held. */
void xiommu_hwpt_destroy(struct xiommu_object *obj)
{
	struct xiommu_hwpt *hwpt = container_of(obj, struct xiommu_hwpt, obj);

	mutex_lock(&hwpt->ioas->mutex);
	list_del_init(&hwpt->hwpt_item);
	mutex_unlock(&hwpt->ioas->mutex);
	xiommu_hwpt_teardown(hwpt);
}

/* Object abort: creation failed after xiommu_hwpt_alloc(), ioas->mutex held */
void xiommu_hwpt_abort(struct xiommu_object *obj)
{
	struct xiommu_hwpt *hwpt = container_of(obj, struct xiommu_hwpt, obj);

	lockdep_assert_held(&hwpt->ioas->mutex);
	list_del_init(&hwpt->hwpt_item);
	xiommu_hwpt_teardown(hwpt);
}

/**
 * xiommu_hwpt_put() - drop a device's reference on its HWPT
 * @ictx: context
 * @hwpt: the HWPT the device left
 *
 * An automatic HWPT is destroyed when nothing else uses it.
 *
 * Context: no ioas->mutex, igroup lock or iopt lock held (destruction takes
 * them).
 */
void xiommu_hwpt_put(struct xiommu_ictx *ictx, struct xiommu_hwpt *hwpt)
{
	if (hwpt->auto_domain)
		xiommu_object_put_and_try_destroy(ictx, &hwpt->obj);
	else
		refcount_dec(&hwpt->obj.users);
}

/* Flags of a paging HWPT xiommu implements (the others: EOPNOTSUPP). */
#define XIOMMU_HWPT_PAGING_FLAGS	(IOMMU_HWPT_ALLOC_NEST_PARENT |	\
					 IOMMU_HWPT_ALLOC_DIRTY_TRACKING | \
					 IOMMU_HWPT_ALLOC_PASID)

/*
 * A kernel-managed (paging) HWPT mirroring @ioas. FAULT_ID_VALID (a fault
 * queue) is refused with NEST_PARENT (a parent's faults are not the
 * user's to answer), as upstream: EOPNOTSUPP. PASID needs a driver that
 * can attach PASIDs (EOPNOTSUPP otherwise, as a driver refusing the flag
 * upstream). Driver data (@data, NULL for IOMMU_HWPT_DATA_NONE) goes to
 * the driver's domain_alloc_paging_user (only the mock has one, as
 * upstream's selftest driver; other drivers: EOPNOTSUPP).
 */
static struct xiommu_hwpt *hwpt_alloc_paging(struct xiommu_ucmd *ucmd,
					     struct xiommu_ioas *ioas,
					     struct xiommu_idev *idev,
					     const struct xiommu_user_data *data)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;

	lockdep_assert_held(&ioas->mutex);
	if (cmd->flags & ~(XIOMMU_HWPT_PAGING_FLAGS |
			   IOMMU_HWPT_FAULT_ID_VALID))
		return ERR_PTR(-EOPNOTSUPP);
	if ((cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) &&
	    (cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return ERR_PTR(-EOPNOTSUPP);
	return xiommu_hwpt_alloc_user(ucmd->ictx, ioas, idev,
				      cmd->flags & ~IOMMU_HWPT_FAULT_ID_VALID,
				      cmd->data_type == IOMMU_HWPT_DATA_NONE ?
				      NULL : data, false);
}

/**
 * xiommu_hwpt_alloc_ioctl() - IOMMU_HWPT_ALLOC
 * @ucmd: the ioctl (struct iommu_hwpt_alloc, zero-extended from the 6.6
 *	layout)
 *
 * Checks in upstream's order: __reserved (EOPNOTSUPP), data_type against
 * data_len (EINVAL), dev_id (ENOENT), pt_id: no object or one that cannot
 * carry an HWPT is EINVAL (a device ID, an HWPT that is no nest parent...).
 * Then per kind of @pt_id (one case each: nested HWPTs on a parent HWPT
 * or a vIOMMU come in here). __reserved2 is not checked, as upstream.
 *
 * Return: 0, or the errno of the steps above and of the allocation.
 */
int xiommu_hwpt_alloc_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	const struct xiommu_user_data data = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct xiommu_ioas *ioas = NULL;
	struct xiommu_object *pt_obj;
	struct xiommu_hwpt *hwpt;
	struct xiommu_idev *idev;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len))
		return -EINVAL;

	idev = xiommu_get_idev(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	pt_obj = xiommu_get_object(ucmd->ictx, cmd->pt_id, XIOMMU_OBJ_ANY);
	if (IS_ERR(pt_obj)) {
		rc = -EINVAL;
		goto out_put_idev;
	}

	switch (pt_obj->type) {
	case XIOMMU_OBJ_IOAS:
		ioas = container_of(pt_obj, struct xiommu_ioas, obj);
		mutex_lock(&ioas->mutex);
		hwpt = hwpt_alloc_paging(ucmd, ioas, idev, &data);
		break;
	case XIOMMU_OBJ_HWPT:
		/* a nested HWPT on a NEST_PARENT paging HWPT (hwpt_nested.c) */
		hwpt = xiommu_hwpt_nested_alloc(ucmd->ictx,
						container_of(pt_obj,
							     struct xiommu_hwpt,
							     obj),
						idev, cmd->flags, &data);
		break;
	case XIOMMU_OBJ_VIOMMU:
		/* a nested HWPT on a vIOMMU (viommu.c) */
		hwpt = xiommu_hwpt_viommu_nested_alloc(
			ucmd->ictx,
			container_of(pt_obj, struct xiommu_viommu_obj, obj),
			idev, cmd->flags, &data);
		break;
	default:
		hwpt = ERR_PTR(-EINVAL);
		break;
	}
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out_unlock;
	}

	/* The queue of the HWPT's I/O page faults: ENOENT if @fault_id is none */
	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		struct xiommu_fault *fault;

		fault = xiommu_get_fault(ucmd->ictx, cmd->fault_id);
		if (IS_ERR(fault)) {
			rc = PTR_ERR(fault);
			xiommu_object_abort_and_destroy(ucmd->ictx, &hwpt->obj);
			goto out_unlock;
		}
		/* Dropped by the HWPT's destroy and abort. */
		refcount_inc(&fault->common.obj.users);
		hwpt->fault = fault;
		xiommu_put_object(ucmd->ictx, &fault->common.obj);
	}

	cmd->out_hwpt_id = hwpt->obj.id;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		xiommu_object_abort_and_destroy(ucmd->ictx, &hwpt->obj);
	else
		xiommu_object_finalize(ucmd->ictx, &hwpt->obj);
out_unlock:
	if (ioas)
		mutex_unlock(&ioas->mutex);
	xiommu_put_object(ucmd->ictx, pt_obj);
out_put_idev:
	xiommu_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

/**
 * xiommu_hwpt_domain_get() - the domain behind an HWPT ID (test support)
 * @ictx: context
 * @hwpt_id: HWPT object ID from user space
 *
 * The HWPT cannot be destroyed until xiommu_hwpt_domain_put(); its
 * mappings may still change.
 *
 * Return: the paging domain, or ERR_PTR(-ENOENT) if @hwpt_id is not an HWPT.
 */
struct xiommu_domain *xiommu_hwpt_domain_get(struct xiommu_ictx *ictx,
					     u32 hwpt_id)
{
	struct xiommu_object *obj;

	obj = xiommu_get_object(ictx, hwpt_id, XIOMMU_OBJ_HWPT);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct xiommu_hwpt, obj)->domain;
}
EXPORT_SYMBOL_GPL(xiommu_hwpt_domain_get);

/**
 * xiommu_hwpt_domain_put() - release xiommu_hwpt_domain_get()
 * @ictx: context
 * @hwpt_id: the ID given to xiommu_hwpt_domain_get()
 */
void xiommu_hwpt_domain_put(struct xiommu_ictx *ictx, u32 hwpt_id)
{
	xiommu_put_object_id(ictx, hwpt_id);
}
EXPORT_SYMBOL_GPL(xiommu_hwpt_domain_put);
