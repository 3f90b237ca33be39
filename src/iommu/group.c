// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommu-lite groups, DMA ownership and domains.
 *
 * A group is the unit of isolation: every endpoint in it is always attached
 * to the same domain (group->domain). Groups are formed when endpoints are
 * probed (xiommu_pci_device_group() for PCI) and live as long as they have
 * endpoints or references.
 *
 * DMA ownership: the rules (claim, guard, replace, release, fail closed
 * before probe) are written down once, in Documentation/groups.md; the
 * functions below say which rule they implement.
 *
 * Locking: group->mutex protects the group's fields and serialises the
 * driver's attach_dev calls for its endpoints. It nests inside the registry
 * lock and inside device locks (the bus notifier takes it with the device
 * lock held): under it, device locks are only ever trylocked
 * (xiommu_ep_guard()).
 */
#define pr_fmt(fmt) "xiommu: " fmt

#include <linux/idr.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "iommu_lite.h"

/* ACS features that isolate peer-to-peer DMA (PCIe spec 6.12). */
#define XIOMMU_REQ_ACS	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

static DEFINE_IDA(xiommu_group_ida);

static struct xiommu_group *xiommu_group_alloc(void)
{
	struct xiommu_group *group;
	int id;

	group = kzalloc(sizeof(*group), GFP_KERNEL);
	if (!group)
		return ERR_PTR(-ENOMEM);
	id = ida_alloc(&xiommu_group_ida, GFP_KERNEL);
	if (id < 0) {
		kfree(group);
		return ERR_PTR(id);
	}
	group->id = id;
	kref_init(&group->kref);
	mutex_init(&group->mutex);
	INIT_LIST_HEAD(&group->devices);
	xa_init(&group->pasids);
	return group;
}

static void xiommu_group_release(struct kref *kref)
{
	struct xiommu_group *group = container_of(kref, struct xiommu_group,
						  kref);

	WARN_ON(!list_empty(&group->devices) || group->owner ||
		!xa_empty(&group->pasids));
	xa_destroy(&group->pasids);
	xiommu_group_sysfs_release(group);
	ida_free(&xiommu_group_ida, group->id);
	mutex_destroy(&group->mutex);
	kfree(group);
}

/**
 * xiommu_group_put() - drop a group reference
 * @group: group from xiommu_group_get() or a device_group op
 */
void xiommu_group_put(struct xiommu_group *group)
{
	kref_put(&group->kref, xiommu_group_release);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_group_put);

/* The group of an endpoint already probed; registry lock held. */
static struct xiommu_group *group_of(struct device *dev)
{
	struct xiommu_endpoint *ep = dev ? xiommu_ep_lookup(dev) : NULL;

	return ep ? ep->group : NULL;
}

static struct xiommu_group *group_ref(struct xiommu_group *group)
{
	kref_get(&group->kref);
	return group;
}

/**
 * xiommu_generic_device_group() - a new group holding only @dev
 * @dev: the device being probed
 *
 * Return: a new group (reference passed to the caller) or ERR_PTR(-ENOMEM).
 */
struct xiommu_group *xiommu_generic_device_group(struct device *dev)
{
	return xiommu_group_alloc();
}
EXPORT_SYMBOL_GPL(xiommu_generic_device_group);

/**
 * xiommu_endpoint_group_get() - the group of an endpoint, for device_group
 * @peer: a device already probed by the same unit
 *
 * For ops->device_group of drivers whose devices cannot be isolated from
 * a known peer (the mock's grouped test devices): the new device joins
 * @peer's group.
 *
 * Context: called from ops->device_group (registry lock held).
 * Return: the group with a reference for the caller, or ERR_PTR(-ENODEV)
 * if @peer is no endpoint.
 */
struct xiommu_group *xiommu_endpoint_group_get(struct device *peer)
{
	struct xiommu_group *group = group_of(peer);

	return group ? group_ref(group) : ERR_PTR(-ENODEV);
}
EXPORT_SYMBOL_GPL(xiommu_endpoint_group_get);

/**
 * xiommu_group_revoked() - was the group taken from its owner (fail closed)
 * @group: a group
 *
 * Return: true while a kernel driver bound to a member of the owned group
 * keeps it on the blocking domain (until the owner releases it).
 */
bool xiommu_group_revoked(struct xiommu_group *group)
{
	bool revoked;

	mutex_lock(&group->mutex);
	revoked = group->revoked;
	mutex_unlock(&group->mutex);
	return revoked;
}

/**
 * xiommu_pci_walk_dma_aliases() - call @fn for each requester ID of @pdev
 * @pdev: a PCI device
 * @fn: called with the device that owns the ID on the wire and the ID
 *	(bus << 8 | devfn); a non-zero return stops the walk and is returned
 * @data: passed to @fn
 *
 * The IDs a transaction from @pdev may carry when it reaches the IOMMU:
 * its own, the quirk aliases the PCI core recorded (pdev->dma_alias_mask),
 * and the IDs bridges on the way up substitute: a PCIe-to-PCI/PCI-X bridge
 * uses its secondary bus number with devfn 0 (PCI Express to PCI/PCI-X
 * Bridge spec r1.0, 2.3), a conventional PCI bridge its own ID. Root and
 * switch ports forward the ID unchanged.
 *
 * Return: 0, or the first non-zero value @fn returned.
 */
int xiommu_pci_walk_dma_aliases(struct pci_dev *pdev,
				  xiommu_pci_alias_fn fn, void *data)
{
	struct pci_bus *bus;
	unsigned int devfn;
	int rc;

	rc = fn(pdev, pci_dev_id(pdev), data);
	if (rc)
		return rc;

	if (pdev->dma_alias_mask) {
		for_each_set_bit(devfn, pdev->dma_alias_mask, 256) {
			rc = fn(pdev, PCI_DEVID(pdev->bus->number, devfn), data);
			if (rc)
				return rc;
		}
	}

	for (bus = pdev->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		struct pci_dev *bridge = bus->self;

		if (!bridge)
			continue;
		if (!pci_is_pcie(bridge)) {
			rc = fn(bridge, pci_dev_id(bridge), data);
		} else {
			switch (pci_pcie_type(bridge)) {
			case PCI_EXP_TYPE_PCI_BRIDGE:
				rc = fn(bridge,
					PCI_DEVID(bridge->subordinate->number, 0),
					data);
				break;
			case PCI_EXP_TYPE_PCIE_BRIDGE:
				rc = fn(bridge, pci_dev_id(bridge), data);
				break;
			default:
				continue;
			}
		}
		if (rc)
			return rc;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(xiommu_pci_walk_dma_aliases);

/**
 * xiommu_pci_acs_enabled() - does @pdev enable the ACS features in @acs_flags
 * @pdev: a PCI device
 * @acs_flags: PCI_ACS_* control bits required
 *
 * Reads the ACS extended capability (PCIe spec 7.7.8). Features the
 * function does not implement count as satisfied, as the PCIe spec lets a
 * function omit controls for paths it cannot have. Conventional PCI
 * devices and PCI/PCIe bridges have no isolation. Single-function
 * endpoints are isolated from peers by definition. Unlike the kernel's
 * pci_acs_enabled(), device-specific ACS quirks are not known here.
 *
 * Return: true if every requested feature is enabled.
 */
bool xiommu_pci_acs_enabled(struct pci_dev *pdev, u16 acs_flags)
{
	u16 cap, ctrl;
	int pos;

	if (!pci_is_pcie(pdev))
		return false;
	switch (pci_pcie_type(pdev)) {
	case PCI_EXP_TYPE_PCI_BRIDGE:
	case PCI_EXP_TYPE_PCIE_BRIDGE:
		return false;
	case PCI_EXP_TYPE_ENDPOINT:
	case PCI_EXP_TYPE_LEG_END:
	case PCI_EXP_TYPE_RC_END:
		if (!pdev->multifunction)
			return true;
		break;
	default:
		break;
	}

	pos = pci_find_ext_capability(pdev, PCI_EXT_CAP_ID_ACS);
	if (!pos)
		return false;
	pci_read_config_word(pdev, pos + PCI_ACS_CAP, &cap);
	pci_read_config_word(pdev, pos + PCI_ACS_CTRL, &ctrl);
	acs_flags &= cap | PCI_ACS_EC;
	return (ctrl & acs_flags) == acs_flags;
}
EXPORT_SYMBOL_GPL(xiommu_pci_acs_enabled);

/* Every bridge from @pdev up to the root isolates peer-to-peer DMA. */
static bool acs_path_enabled(struct pci_dev *pdev)
{
	for (; pdev; pdev = pci_upstream_bridge(pdev))
		if (!xiommu_pci_acs_enabled(pdev, XIOMMU_REQ_ACS))
			return false;
	return true;
}

static int alias_group_cb(struct pci_dev *pdev, u16 alias, void *data)
{
	struct xiommu_group **group = data;
	struct pci_dev *owner = pdev;

	/* A quirk alias names another function on the same bus. */
	if (alias != pci_dev_id(pdev) && PCI_BUS_NUM(alias) == pdev->bus->number) {
		owner = pci_get_slot(pdev->bus, alias & 0xff);
		*group = owner ? group_of(&owner->dev) : NULL;
		pci_dev_put(owner);
	} else {
		*group = group_of(&owner->dev);
	}
	return *group ? 1 : 0;
}

/**
 * xiommu_pci_device_group() - find or make the group of a PCI device
 * @dev: a PCI device being probed (called from ops->device_group)
 *
 * @dev joins an existing group when the IOMMU cannot tell it apart from
 * that group's members: it shares a requester ID with them (DMA aliases,
 * devices behind a PCIe-to-PCI bridge share the bridge's group), a bridge
 * above it lacks ACS isolation, or it is a function of a multi-function
 * device without ACS. Otherwise it gets a new group.
 *
 * Context: called by the core with the registry lock held.
 * Return: the group with a reference for the caller, or an ERR_PTR.
 */
struct xiommu_group *xiommu_pci_device_group(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct xiommu_group *group = NULL;
	struct pci_bus *bus;
	unsigned int fn;

	if (xiommu_pci_walk_dma_aliases(pdev, alias_group_cb, &group))
		return group_ref(group);

	for (bus = pdev->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		if (!bus->self)
			continue;
		if (acs_path_enabled(bus->self))
			break;
		group = group_of(&bus->self->dev);
		if (group)
			return group_ref(group);
	}

	if (pdev->multifunction &&
	    !xiommu_pci_acs_enabled(pdev, XIOMMU_REQ_ACS)) {
		for (fn = 0; fn < 8; fn++) {
			struct pci_dev *sib;

			sib = pci_get_slot(pdev->bus,
					   PCI_DEVFN(PCI_SLOT(pdev->devfn), fn));
			group = (sib && sib != pdev) ? group_of(&sib->dev) : NULL;
			pci_dev_put(sib);
			if (group)
				return group_ref(group);
		}
	}

	return xiommu_group_alloc();
}
EXPORT_SYMBOL_GPL(xiommu_pci_device_group);

/*
 * May @dev sit in a user-owned group: no driver, a driver that manages DMA
 * through xiommu (6.1 keeps driver_managed_dma in the bus driver structs),
 * or a PCI bridge, which forwards but does not originate DMA on its own.
 */
static bool dev_dma_owner_ok(struct device *dev)
{
	struct device_driver *drv = READ_ONCE(dev->driver);

	if (!drv)
		return true;
	if (!dev_is_pci(dev))
		return false;
	return to_pci_driver(drv)->driver_managed_dma ||
	       pci_is_bridge(to_pci_dev(dev));
}

/* Viable for user ownership: no member is driven by a DMA-using kernel driver. */
static bool group_viable(struct xiommu_group *group, struct device **culprit)
{
	struct xiommu_endpoint *ep;

	lockdep_assert_held(&group->mutex);
	list_for_each_entry(ep, &group->devices, group_node) {
		if (dev_dma_owner_ok(ep->dev))
			continue;
		if (culprit)
			*culprit = ep->dev;
		return false;
	}
	return true;
}

/*
 * Move every endpoint of @group to @domain. Each attach_dev replaces the
 * endpoint's translation in place; on failure the endpoints already moved
 * go back to the old domain (or, if even that fails, to blocking).
 */
static int __group_set_domain(struct xiommu_group *group,
			      struct xiommu_domain *domain)
{
	struct xiommu_domain *old = group->domain;
	struct xiommu_endpoint *ep, *done;
	int rc;

	lockdep_assert_held(&group->mutex);
	list_for_each_entry(ep, &group->devices, group_node) {
		rc = domain->ops->attach_dev(domain, ep->dev);
		if (rc)
			goto err_rollback;
	}
	group->domain = domain;
	return 0;

err_rollback:
	list_for_each_entry(done, &group->devices, group_node) {
		struct xiommu_domain *back = old;

		if (done == ep)
			break;
		if (back->ops->attach_dev(back, done->dev)) {
			back = group->blocking_domain;
			if (back->ops->attach_dev(back, done->dev))
				dev_err_ratelimited(done->dev,
					"xiommu: cannot restore translation after a failed attach\n");
		}
	}
	return rc;
}

int xiommu_group_add_endpoint(struct xiommu_group *group,
			      struct xiommu_endpoint *ep)
{
	const struct xiommu_ops *ops = ep->iommu->ops;
	struct xiommu_domain *domain;
	int rc;

	mutex_lock(&group->mutex);
	if (!group->iommu) {
		group->iommu = ep->iommu;
		group->blocking_domain = ops->blocked_domain;
		group->default_domain = ops->identity_domain ?: ops->blocked_domain;
	} else if (group->iommu != ep->iommu) {
		/* A group never spans units: isolation is per unit. */
		rc = -EINVAL;
		goto out_unlock;
	}

	domain = group->domain ?: group->default_domain;
	rc = domain->ops->attach_dev(domain, ep->dev);
	if (rc)
		goto out_unlock;
	group->domain = domain;
	list_add_tail(&ep->group_node, &group->devices);
	if (group->owner)
		xiommu_ep_guard(ep, group->guard, false);
	xiommu_group_sysfs_add(group, ep);
out_unlock:
	mutex_unlock(&group->mutex);
	return rc;
}

void xiommu_group_remove_endpoint(struct xiommu_group *group,
				  struct xiommu_endpoint *ep)
{
	mutex_lock(&group->mutex);
	xiommu_group_sysfs_remove(group, ep);
	list_del_init(&ep->group_node);
	mutex_unlock(&group->mutex);
}

/*
 * A member with a XIOMMU_RESV_DIRECT region (a VT-d RMRR), or NULL. Such a
 * device keeps DMAing to firmware-owned memory that must stay
 * identity-mapped, which the blocking domain and user page tables would
 * break. Group mutex held.
 */
static struct device *group_direct_member(struct xiommu_group *group,
					  struct xiommu_resv_region *out)
{
	struct xiommu_resv_region *r;
	struct xiommu_endpoint *ep;
	struct device *dev = NULL;
	LIST_HEAD(regions);

	list_for_each_entry(ep, &group->devices, group_node) {
		xiommu_dev_get_resv_regions(ep->dev, &regions);
		list_for_each_entry(r, &regions, list) {
			if (r->type == XIOMMU_RESV_DIRECT) {
				*out = *r;
				dev = ep->dev;
				break;
			}
		}
		xiommu_put_resv_regions(&regions);
		if (dev)
			break;
	}
	return dev;
}

/**
 * xiommu_group_claim_dma_owner() - give a group to one user-space owner
 * @group: the group
 * @owner: cookie identifying the owner (an iommufd context)
 * @guard: the owner's policy for idle members: the driver_override to
 *	set on them (the DMA-managing driver the owner reserves them for),
 *	or NULL to set none; copied
 *
 * The first claim checks viability, guards idle PCI members with @guard,
 * pins the driver module and moves the group to the blocking domain.
 * Later claims by the same owner only count (their @guard is ignored).
 * Rules: Documentation/groups.md, "Claim".
 *
 * Return: 0; -EBUSY if another owner holds the group or a member is bound
 * to a kernel driver that does not manage DMA through xiommu; -EINVAL if a
 * member needs a firmware-required direct mapping (XIOMMU_RESV_DIRECT, a
 * VT-d RMRR); -ENODEV if the driver or the unit is going away; an
 * attach_dev errno.
 */
int xiommu_group_claim_dma_owner(struct xiommu_group *group, void *owner,
				 const char *guard)
{
	struct xiommu_resv_region direct;
	struct device *culprit = NULL;
	struct xiommu_endpoint *ep;
	int rc = 0;

	mutex_lock(&group->mutex);
	if (group->owner) {
		if (group->owner == owner)
			group->owner_cnt++;
		else
			rc = -EBUSY;
		goto out_unlock;
	}
	/* The unit is being unregistered (xiommu_device_unregister()). */
	if (READ_ONCE(group->iommu->dying)) {
		rc = -ENODEV;
		goto out_unlock;
	}
	culprit = group_direct_member(group, &direct);
	if (culprit) {
		dev_warn_ratelimited(culprit,
			 "xiommu: group %d stays with the kernel: firmware requires an identity mapping of [%pad + %#zx] for %s (RMRR), which user ownership would remove\n",
			 group->id, &direct.start, direct.length,
			 dev_name(culprit));
		rc = -EINVAL;
		goto out_unlock;
	}
	if (!group_viable(group, &culprit)) {
		dev_info_ratelimited(culprit,
			 "xiommu: group %d not viable: %s is bound to a kernel driver\n",
			 group->id, dev_name(culprit));
		rc = -EBUSY;
		goto out_unlock;
	}
	if (guard) {
		group->guard = kstrdup(guard, GFP_KERNEL);
		if (!group->guard) {
			rc = -ENOMEM;
			goto out_unlock;
		}
	}
	if (!try_module_get(group->iommu->ops->owner)) {
		rc = -ENODEV;
		goto err_free_guard;
	}
	rc = __group_set_domain(group, group->blocking_domain);
	if (rc) {
		module_put(group->iommu->ops->owner);
		goto err_free_guard;
	}
	/* Released with the ownership: group->iommu outlives the unit's endpoints. */
	xiommu_device_get(group->iommu);
	list_for_each_entry(ep, &group->devices, group_node)
		xiommu_ep_guard(ep, group->guard, false);
	group->owner = owner;
	group->owner_cnt = 1;
	group->revoked = false;
out_unlock:
	mutex_unlock(&group->mutex);
	return rc;

err_free_guard:
	kfree(group->guard);
	group->guard = NULL;
	goto out_unlock;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_group_claim_dma_owner);

/**
 * xiommu_group_viable_for() - would xiommu_group_claim_dma_owner() by
 *	@owner succeed on membership grounds
 * @group: the group
 * @owner: the would-be owner's cookie
 *
 * The same test the claim makes: no other owner holds the group, no member
 * is driven by a kernel driver that does DMA on its own, no member needs a
 * firmware-required identity mapping.
 *
 * Return: true if @group is viable for @owner (or already owned by it).
 */
bool xiommu_group_viable_for(struct xiommu_group *group, void *owner)
{
	struct xiommu_resv_region direct;
	bool viable;

	mutex_lock(&group->mutex);
	if (group->owner)
		viable = group->owner == owner;
	else
		viable = group_viable(group, NULL) &&
			 !group_direct_member(group, &direct);
	mutex_unlock(&group->mutex);
	return viable;
}

/* PASIDs @ep can carry: 0 for none (the core then never sets any). */
static u8 ep_max_pasid_log2(struct xiommu_endpoint *ep)
{
	const struct xiommu_ops *ops = ep->iommu->ops;

	return ops->max_pasid_log2 ? ops->max_pasid_log2(ep->dev) : 0;
}

/*
 * Set PASID @pasid of every PASID-capable member to @domain, from @old
 * (NULL: none). On failure the members done go back to @old (or are
 * removed, @old NULL) and the PASID is unchanged. Group mutex held.
 */
static int __group_set_pasid(struct xiommu_group *group, u32 pasid,
			     struct xiommu_domain *domain,
			     struct xiommu_domain *old)
{
	struct xiommu_domain *blocked = group->blocking_domain;
	struct xiommu_endpoint *ep, *done;
	int rc;

	lockdep_assert_held(&group->mutex);
	list_for_each_entry(ep, &group->devices, group_node) {
		if (!ep_max_pasid_log2(ep))
			continue;
		rc = domain->ops->set_dev_pasid(domain, ep->dev, pasid, old);
		if (rc)
			goto err_rollback;
	}
	return 0;

err_rollback:
	list_for_each_entry(done, &group->devices, group_node) {
		if (done == ep)
			break;
		if (!ep_max_pasid_log2(done))
			continue;
		if (old && !old->ops->set_dev_pasid(old, done->dev, pasid,
						    domain))
			continue;
		/* Blocking never fails (driver.h); removal is the fallback. */
		blocked->ops->set_dev_pasid(blocked, done->dev, pasid, domain);
	}
	return rc;
}

/* Remove every PASID translation of @group (revoke, last release). */
static void __group_remove_all_pasids(struct xiommu_group *group)
{
	struct xiommu_domain *blocked = group->blocking_domain;
	struct xiommu_domain *domain;
	struct xiommu_endpoint *ep;
	unsigned long pasid;

	lockdep_assert_held(&group->mutex);
	xa_for_each(&group->pasids, pasid, domain) {
		list_for_each_entry(ep, &group->devices, group_node)
			if (ep_max_pasid_log2(ep))
				blocked->ops->set_dev_pasid(blocked, ep->dev,
							    pasid, domain);
		xa_erase(&group->pasids, pasid);
	}
}

/**
 * xiommu_group_set_pasid() - attach or replace a PASID of an owned group
 * @group: a group claimed by xiommu_group_claim_dma_owner()
 * @pasid: the PASID, 1 or more
 * @domain: a domain of the group's unit allocated with
 *	XIOMMU_DOMAIN_ALLOC_PASID (it has set_dev_pasid)
 *
 * Every member that can carry PASIDs (max_pasid_log2 above 0) gets
 * @pasid translated through @domain, straight from what it used before
 * (no window); members without PASID support cannot issue such DMA and are
 * skipped, as upstream's iommu_attach_device_pasid(). Onto the current
 * domain it does nothing.
 *
 * Return: 0; -EINVAL the group is not owned, @pasid is 0 or at or above
 * 2^max_pasid_log2 of a PASID-capable member, or @domain belongs to
 * another unit or cannot take PASIDs; -EOPNOTSUPP the driver has no PASID
 * attach; -EBUSY the group was revoked; -ENOMEM; a driver errno (the
 * PASID then keeps its old translation).
 */
int xiommu_group_set_pasid(struct xiommu_group *group, u32 pasid,
			   struct xiommu_domain *domain)
{
	struct xiommu_domain *old;
	struct xiommu_endpoint *ep;
	int rc;

	mutex_lock(&group->mutex);
	if (!group->owner || !pasid || domain->owner != group->iommu ||
	    !domain->ops->set_dev_pasid) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (!group->blocking_domain->ops->set_dev_pasid) {
		rc = -EOPNOTSUPP;
		goto out_unlock;
	}
	if (group->revoked) {
		rc = -EBUSY;
		goto out_unlock;
	}
	list_for_each_entry(ep, &group->devices, group_node) {
		u8 bits = ep_max_pasid_log2(ep);

		if (bits && bits < 32 && pasid >= (1U << bits)) {
			rc = -EINVAL;
			goto out_unlock;
		}
	}
	old = xa_load(&group->pasids, pasid);
	rc = 0;
	if (old == domain)
		goto out_unlock;
	/* Reserve the slot first: storing into it later cannot fail. */
	if (!old) {
		rc = xa_insert(&group->pasids, pasid, XA_ZERO_ENTRY,
			       GFP_KERNEL);
		if (rc)
			goto out_unlock;
	}
	rc = __group_set_pasid(group, pasid, domain, old);
	if (rc) {
		if (!old)
			xa_release(&group->pasids, pasid);
		goto out_unlock;
	}
	xa_store(&group->pasids, pasid, domain, GFP_KERNEL);
out_unlock:
	mutex_unlock(&group->mutex);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_group_set_pasid);

/**
 * xiommu_group_remove_pasid() - remove a PASID's translation of a group
 * @group: a claimed group
 * @pasid: the PASID; nothing happens if it has none (also after a revoke
 *	removed it already)
 *
 * The PASID-capable members' @pasid go to the blocking domain: DMA with
 * that PASID is refused.
 */
void xiommu_group_remove_pasid(struct xiommu_group *group, u32 pasid)
{
	struct xiommu_domain *blocked = group->blocking_domain;
	struct xiommu_domain *old;
	struct xiommu_endpoint *ep;

	mutex_lock(&group->mutex);
	old = xa_load(&group->pasids, pasid);
	if (old) {
		list_for_each_entry(ep, &group->devices, group_node)
			if (ep_max_pasid_log2(ep))
				blocked->ops->set_dev_pasid(blocked, ep->dev,
							    pasid, old);
		xa_erase(&group->pasids, pasid);
	}
	mutex_unlock(&group->mutex);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_group_remove_pasid);

/**
 * xiommu_group_pasid_domain() - the domain a PASID of a group uses
 * @group: a group
 * @pasid: the PASID
 *
 * Return: the domain, or NULL for none; only stable while the caller owns
 * the group.
 */
struct xiommu_domain *xiommu_group_pasid_domain(struct xiommu_group *group,
						u32 pasid)
{
	struct xiommu_domain *domain;

	mutex_lock(&group->mutex);
	domain = xa_load(&group->pasids, pasid);
	mutex_unlock(&group->mutex);
	return domain;
}

/**
 * xiommu_domain_pasid_capable() - can @dev's driver attach PASIDs at all
 * @dev: an endpoint
 *
 * Return: true if its unit's blocked_domain has set_dev_pasid (so paging
 * and nested domains may be allocated with XIOMMU_DOMAIN_ALLOC_PASID).
 */
bool xiommu_domain_pasid_capable(struct device *dev)
{
	struct xiommu_device *iommu = xiommu_endpoint_iommu(dev);

	return iommu && iommu->ops->blocked_domain &&
	       iommu->ops->blocked_domain->ops->set_dev_pasid;
}

/**
 * xiommu_group_release_dma_owner() - undo one xiommu_group_claim_dma_owner()
 * @group: the group
 * @owner: the cookie passed to the claim
 *
 * The last release restores driver_override on the guarded members and
 * returns the group to its default domain.
 */
void xiommu_group_release_dma_owner(struct xiommu_group *group, void *owner)
{
	struct xiommu_device *iommu = NULL;
	struct xiommu_endpoint *ep;

	mutex_lock(&group->mutex);
	if (WARN_ON(group->owner != owner || !group->owner_cnt))
		goto out_unlock;
	if (--group->owner_cnt)
		goto out_unlock;
	/* The owner detached its PASIDs; a revoke removed them otherwise. */
	WARN_ON(!xa_empty(&group->pasids));
	__group_remove_all_pasids(group);
	if (__group_set_domain(group, group->default_domain))
		dev_err_ratelimited(group->iommu->dev,
			"xiommu: group %d: cannot restore the default domain\n",
			group->id);
	list_for_each_entry(ep, &group->devices, group_node)
		xiommu_ep_unguard(ep);
	kfree(group->guard);
	group->guard = NULL;
	group->owner = NULL;
	group->revoked = false;
	iommu = group->iommu;
out_unlock:
	mutex_unlock(&group->mutex);
	if (iommu) {
		struct module *mod = iommu->ops->owner;

		/* The unit's release may run here: its module stays until then. */
		xiommu_device_put(iommu);
		module_put(mod);
	}
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_group_release_dma_owner);

/**
 * xiommu_domain_compatible() - may @domain be attached to @dev (the ops check)
 * @domain: a paging domain
 * @dev: an endpoint
 *
 * Return: true only if the unit translating @dev allocated @domain.
 */
bool xiommu_domain_compatible(struct xiommu_domain *domain, struct device *dev)
{
	return domain->owner && domain->owner == xiommu_endpoint_iommu(dev);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_domain_compatible);

/**
 * xiommu_group_replace_domain() - move an owned group to another domain
 * @group: a group claimed by xiommu_group_claim_dma_owner()
 * @domain: the new domain; a paging domain of the group's unit or the
 *	group's blocking domain
 *
 * Every endpoint goes straight from its current translation to @domain
 * (attach_dev replaces in place), so no DMA escapes during the move. A
 * replace onto the current domain does nothing.
 *
 * Return: 0; -EINVAL if the group is not owned or @domain belongs to
 * another unit or driver; -EBUSY if the group was revoked because a kernel
 * driver bound to a member; an attach_dev errno (the group then stays on
 * its old domain).
 */
int xiommu_group_replace_domain(struct xiommu_group *group,
				struct xiommu_domain *domain)
{
	int rc = 0;

	mutex_lock(&group->mutex);
	if (!group->owner) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (domain != group->blocking_domain &&
	    domain->owner != group->iommu) {
		rc = -EINVAL;
		goto out_unlock;
	}
	if (domain == group->domain)
		goto out_unlock;
	if (group->revoked && domain != group->blocking_domain) {
		rc = -EBUSY;
		goto out_unlock;
	}
	rc = __group_set_domain(group, domain);
out_unlock:
	mutex_unlock(&group->mutex);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_group_replace_domain);

/**
 * xiommu_group_block() - move an owned group to its blocking domain
 * @group: a claimed group
 */
void xiommu_group_block(struct xiommu_group *group)
{
	mutex_lock(&group->mutex);
	if (group->domain != group->blocking_domain &&
	    __group_set_domain(group, group->blocking_domain))
		pr_err_ratelimited("group %d: cannot attach the blocking domain\n",
		       group->id);
	mutex_unlock(&group->mutex);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_group_block);

/**
 * xiommu_group_domain() - the domain the group is attached to now
 * @group: a group
 *
 * Return: the domain; only stable while the caller owns the group.
 */
struct xiommu_domain *xiommu_group_domain(struct xiommu_group *group)
{
	struct xiommu_domain *domain;

	mutex_lock(&group->mutex);
	domain = group->domain;
	mutex_unlock(&group->mutex);
	return domain;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_group_domain);

/*
 * Fail closed (Documentation/groups.md, "Fail closed"): a driver is about
 * to probe @dev, a member of @group. Called from the bus notifier at
 * BUS_NOTIFY_BIND_DRIVER, before the driver's probe() runs, with @dev's
 * device lock held. If the group is user-owned and the driver does not
 * manage DMA through xiommu, the group moves to the blocking domain here,
 * synchronously, and is revoked: whatever the probe does, its DMA never
 * reaches a user mapping.
 */
void xiommu_group_driver_bind(struct xiommu_group *group, struct device *dev)
{
	mutex_lock(&group->mutex);
	if (!group->owner || dev_dma_owner_ok(dev))
		goto out_unlock;
	dev_err_ratelimited(dev,
			    "xiommu: kernel driver %s binding to a member of user-owned group %d: blocking the group's DMA before it probes (fail closed)\n",
			    dev->driver ? dev->driver->name : "?", group->id);
	group->revoked = true;
	__group_remove_all_pasids(group);
	if (group->domain != group->blocking_domain &&
	    __group_set_domain(group, group->blocking_domain))
		pr_err_ratelimited("group %d: cannot attach the blocking domain\n",
				   group->id);
out_unlock:
	mutex_unlock(&group->mutex);
}

/*
 * A driver left @dev, a member of @group (BUS_NOTIFY_UNBOUND_DRIVER, device
 * lock held). While the group is owned the now idle member is guarded like
 * the idle members at claim time, so it is not auto-probed again (a member
 * that had a driver at claim time, or the owner's own driver going away).
 */
void xiommu_group_driver_unbound(struct xiommu_group *group,
				 struct device *dev)
{
	struct xiommu_endpoint *ep;

	mutex_lock(&group->mutex);
	if (group->owner) {
		list_for_each_entry(ep, &group->devices, group_node)
			if (ep->dev == dev)
				xiommu_ep_guard(ep, group->guard, true);
	}
	mutex_unlock(&group->mutex);
}

/**
 * xiommu_domain_alloc_paging() - allocate a paging domain for @dev's unit
 * @dev: an endpoint
 * @flags: XIOMMU_DOMAIN_ALLOC_* (include/xiommu/driver.h)
 *
 * A flag is passed to the driver only if the driver reports the matching
 * capability for @dev (and, for dirty tracking, the domain it returns has
 * the dirty ops). Pins the driver module and holds a reference to the unit
 * (driver.h, lifecycle step 5) until xiommu_domain_free().
 *
 * Return: the domain, or ERR_PTR(-ENODEV) when no unit translates @dev or
 * it is being unregistered, -EOPNOTSUPP when the driver has no paging
 * domains or cannot honour a flag (unknown flag, capability not reported),
 * -ENOMEM.
 */
struct xiommu_domain *xiommu_domain_alloc_paging(struct device *dev, u32 flags)
{
	return xiommu_domain_alloc_paging_user(dev, flags, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_domain_alloc_paging);

/**
 * xiommu_domain_alloc_paging_user() - allocate a paging domain described by
 *	driver-typed user data
 * @dev: an endpoint
 * @flags: XIOMMU_DOMAIN_ALLOC_* (as xiommu_domain_alloc_paging())
 * @data: the driver-typed description from user space (IOMMU_HWPT_ALLOC
 *	data on an IOAS), or NULL for none (then exactly
 *	xiommu_domain_alloc_paging())
 *
 * Return: as xiommu_domain_alloc_paging(), and -EOPNOTSUPP when @data is
 * given but the driver takes no data for paging domains
 * (xiommu_ops.domain_alloc_paging_user) or refuses its type; the driver's
 * errno for bad @data (-EINVAL, -E2BIG, -EFAULT).
 */
struct xiommu_domain *
xiommu_domain_alloc_paging_user(struct device *dev, u32 flags,
				const struct xiommu_user_data *data)
{
	struct xiommu_device *iommu = xiommu_endpoint_iommu_get(dev);
	const struct xiommu_ops *ops;
	struct xiommu_domain *domain;

	if (!iommu)
		return ERR_PTR(-ENODEV);
	ops = iommu->ops;
	if (!ops->domain_alloc_paging ||
	    (data && !ops->domain_alloc_paging_user) ||
	    (flags & ~(XIOMMU_DOMAIN_ALLOC_NEST_PARENT |
		       XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING |
		       XIOMMU_DOMAIN_ALLOC_PASID)) ||
	    ((flags & XIOMMU_DOMAIN_ALLOC_PASID) &&
	     !xiommu_domain_pasid_capable(dev)) ||
	    ((flags & XIOMMU_DOMAIN_ALLOC_NEST_PARENT) &&
	     !ops->capable(dev, XIOMMU_CAP_NEST_PARENT)) ||
	    ((flags & XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING) &&
	     !ops->capable(dev, XIOMMU_CAP_DIRTY_TRACKING))) {
		domain = ERR_PTR(-EOPNOTSUPP);
		goto err_put_unit;
	}
	if (READ_ONCE(iommu->dying) || !try_module_get(ops->owner)) {
		domain = ERR_PTR(-ENODEV);
		goto err_put_unit;
	}
	if (data)
		domain = ops->domain_alloc_paging_user(dev, flags, data);
	else
		domain = ops->domain_alloc_paging(dev, flags);
	if (IS_ERR_OR_NULL(domain)) {
		module_put(ops->owner);
		if (!domain)
			domain = ERR_PTR(-ENOMEM);
		goto err_put_unit;
	}
	domain->type = XIOMMU_DOMAIN_PAGING;
	domain->owner = iommu;	/* the unit reference goes with the domain */
	/* A driver bug, not a user error: refuse rather than track nothing. */
	if ((flags & XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING) &&
	    WARN_ON_ONCE(!domain->ops->set_dirty_tracking ||
			 !domain->ops->read_and_clear_dirty)) {
		xiommu_domain_free(domain);
		return ERR_PTR(-EOPNOTSUPP);
	}
	if ((flags & XIOMMU_DOMAIN_ALLOC_PASID) &&
	    WARN_ON_ONCE(!domain->ops->set_dev_pasid)) {
		xiommu_domain_free(domain);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return domain;

err_put_unit:
	xiommu_device_put(iommu);
	return domain;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_domain_alloc_paging_user);

/**
 * xiommu_domain_alloc_nested() - allocate a nested domain on a parent
 * @dev: an endpoint
 * @parent: a paging domain allocated with IOMMU_HWPT_ALLOC_NEST_PARENT;
 *	the caller keeps it alive until the nested domain is freed
 * @flags: driver flags (0)
 * @data: the driver-typed stage-1 description from user space
 *
 * Pins the driver module and holds a reference to the unit until
 * xiommu_domain_free(), as xiommu_domain_alloc_paging().
 *
 * Return: the domain, or ERR_PTR: -ENODEV no unit translates @dev or it is
 * being unregistered;
 * -EOPNOTSUPP the driver has no nested domains (or refuses @flags or
 * @data->type); -EINVAL @parent is of another unit, or the driver's errno
 * for bad @data (-EINVAL, -E2BIG, -EFAULT); -ENOMEM.
 */
struct xiommu_domain *xiommu_domain_alloc_nested(struct device *dev,
						 struct xiommu_domain *parent,
						 u32 flags,
						 const struct xiommu_user_data *data)
{
	struct xiommu_device *iommu = xiommu_endpoint_iommu_get(dev);
	const struct xiommu_ops *ops;
	struct xiommu_domain *domain;

	if (!iommu)
		return ERR_PTR(-ENODEV);
	ops = iommu->ops;
	if (!ops->domain_alloc_nested ||
	    (flags & ~XIOMMU_DOMAIN_ALLOC_PASID) ||
	    ((flags & XIOMMU_DOMAIN_ALLOC_PASID) &&
	     !xiommu_domain_pasid_capable(dev))) {
		domain = ERR_PTR(-EOPNOTSUPP);
		goto err_put_unit;
	}
	if (parent->owner != iommu || parent->type != XIOMMU_DOMAIN_PAGING) {
		domain = ERR_PTR(-EINVAL);
		goto err_put_unit;
	}
	if (READ_ONCE(iommu->dying) || !try_module_get(ops->owner)) {
		domain = ERR_PTR(-ENODEV);
		goto err_put_unit;
	}
	domain = ops->domain_alloc_nested(dev, parent, flags, data);
	if (IS_ERR_OR_NULL(domain)) {
		module_put(ops->owner);
		if (!domain)
			domain = ERR_PTR(-ENOMEM);
		goto err_put_unit;
	}
	domain->type = XIOMMU_DOMAIN_NESTED;
	domain->owner = iommu;	/* the unit reference goes with the domain */
	if ((flags & XIOMMU_DOMAIN_ALLOC_PASID) &&
	    WARN_ON_ONCE(!domain->ops->set_dev_pasid)) {
		xiommu_domain_free(domain);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return domain;

err_put_unit:
	xiommu_device_put(iommu);
	return domain;
}

/**
 * xiommu_domain_free() - free a paging domain
 * @domain: a domain from xiommu_domain_alloc_paging(), attached nowhere
 */
void xiommu_domain_free(struct xiommu_domain *domain)
{
	struct xiommu_device *iommu = domain->owner;
	struct module *owner = iommu->ops->owner;

	domain->ops->free(domain);
	xiommu_device_put(iommu);
	module_put(owner);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_domain_free);

/*
 * The largest IOPTE size usable at @iova -> @paddr for up to @size bytes,
 * and how many of them fit before a larger size becomes usable.
 */
static size_t pick_pgsize(struct xiommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, size_t size, size_t *count)
{
	unsigned long addr_merge = iova | paddr;
	unsigned long pgsizes, bigger;
	unsigned int idx;
	size_t pgsize;

	pgsizes = domain->pgsize_bitmap & GENMASK(__fls(size), 0);
	if (addr_merge)
		pgsizes &= GENMASK(__ffs(addr_merge), 0);
	if (!pgsizes)
		return 0;
	idx = __fls(pgsizes);
	pgsize = BIT(idx);
	*count = size >> idx;

	/* Stop where iova and paddr both reach the next larger alignment. */
	bigger = domain->pgsize_bitmap & ~GENMASK(idx, 0);
	if (bigger) {
		unsigned long big = BIT(__ffs(bigger));

		if (!((iova ^ paddr) & (big - 1))) {
			size_t gap = big - (iova & (big - 1));

			*count = min_t(size_t, *count, gap >> idx);
		}
	}
	return pgsize;
}

/**
 * xiommu_map_nosync() - xiommu_map() without the driver's iotlb_sync_map
 * @domain: the domain
 * @iova: first IOVA (aligned to the smallest IOPTE size)
 * @paddr: first physical address (same alignment)
 * @size: bytes (multiple of the smallest IOPTE size)
 * @prot: XIOMMU_READ | XIOMMU_WRITE | XIOMMU_CACHE
 * @gfp: allocation flags for page-table memory
 *
 * For a caller that maps several ranges and then completes them all with
 * one xiommu_iotlb_sync_map() over a range covering them (one virtio-iommu
 * round trip per pinned slice instead of one per physically contiguous
 * run). Until that sync the mapping may not be in effect. On failure
 * nothing of this range stays mapped; ranges mapped before are the
 * caller's to unmap (xiommu_unmap() also completes their queued work).
 *
 * Return: 0, -EINVAL for misalignment, or the driver's map_pages errno.
 */
int xiommu_map_nosync(struct xiommu_domain *domain, unsigned long iova,
		      phys_addr_t paddr, size_t size, int prot, gfp_t gfp)
{
	unsigned long orig_iova = iova;
	size_t orig_size = size;
	int rc = 0;

	while (size) {
		size_t count = 0, mapped = 0, pgsize;

		pgsize = pick_pgsize(domain, iova, paddr, size, &count);
		if (!pgsize) {
			rc = -EINVAL;
			break;
		}
		rc = domain->ops->map_pages(domain, iova, paddr, pgsize, count,
					    prot, gfp, &mapped);
		iova += mapped;
		paddr += mapped;
		size -= mapped;
		if (rc)
			break;
		if (WARN_ON_ONCE(!mapped)) {
			rc = -EIO;
			break;
		}
	}
	if (rc && size != orig_size)
		xiommu_unmap(domain, orig_iova, orig_size - size);
	return rc;
}

/**
 * xiommu_iotlb_sync_map() - complete the xiommu_map_nosync() calls of a range
 * @domain: the domain
 * @iova: first IOVA of the range
 * @size: bytes; the range covers only whole xiommu_map_nosync() ranges
 *
 * Calls the driver's iotlb_sync_map once for the range. On failure the
 * whole range is unmapped.
 *
 * Return: 0 or the driver's iotlb_sync_map errno.
 */
int xiommu_iotlb_sync_map(struct xiommu_domain *domain, unsigned long iova,
			  size_t size)
{
	int rc;

	if (!domain->ops->iotlb_sync_map)
		return 0;
	rc = domain->ops->iotlb_sync_map(domain, iova, size);
	if (rc)
		xiommu_unmap(domain, iova, size);
	return rc;
}

/**
 * xiommu_map() - map a physically contiguous range into a paging domain
 * @domain: the domain
 * @iova: first IOVA (aligned to the smallest IOPTE size)
 * @paddr: first physical address (same alignment)
 * @size: bytes (multiple of the smallest IOPTE size)
 * @prot: XIOMMU_READ | XIOMMU_WRITE | XIOMMU_CACHE
 * @gfp: allocation flags for page-table memory
 *
 * Uses the largest IOPTE sizes the alignment of @iova and @paddr allows,
 * then calls the driver's iotlb_sync_map once for the whole range (drivers
 * that queue work in map_pages complete it there: one round trip to the
 * IOMMU per range, not one per IOPTE size). On failure nothing of the range
 * stays mapped.
 *
 * Return: 0, -EINVAL for misalignment, or the driver's errno (from
 * map_pages or iotlb_sync_map).
 */
int xiommu_map(struct xiommu_domain *domain, unsigned long iova,
	       phys_addr_t paddr, size_t size, int prot, gfp_t gfp)
{
	int rc;

	rc = xiommu_map_nosync(domain, iova, paddr, size, prot, gfp);
	return rc ? rc : xiommu_iotlb_sync_map(domain, iova, size);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_map);

/**
 * xiommu_unmap() - unmap a range of a paging domain and flush the IOTLB
 * @domain: the domain
 * @iova: first IOVA of a range the core mapped
 * @size: bytes; the range covers whole mappings (see unmap_pages in driver.h)
 *
 * Never fails and never allocates. When it returns, no DMA uses the range.
 *
 * Return: bytes unmapped.
 */
size_t xiommu_unmap(struct xiommu_domain *domain, unsigned long iova,
		    size_t size)
{
	struct xiommu_iotlb_gather gather;
	size_t done = 0;

	xiommu_iotlb_gather_init(&gather);
	while (done < size) {
		size_t count = 0, pgsize, got;

		pgsize = pick_pgsize(domain, iova + done, iova + done,
				     size - done, &count);
		if (!pgsize)
			break;
		got = domain->ops->unmap_pages(domain, iova + done, pgsize,
					       count, &gather);
		if (!got)
			break;
		done += got;
	}
	if (domain->ops->iotlb_sync)
		domain->ops->iotlb_sync(domain, &gather);
	return done;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_unmap);
