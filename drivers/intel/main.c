// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu_vtd: Intel VT-d DMA remapping for the xiommu core.
 *
 * At load: parse the ACPI DMAR table, bring up one struct vtd_unit per DRHD
 * (translation still off), register each with the core, which probes every
 * PCI device and attaches the ones the unit covers to the identity domain
 * (pass-through context entries), then turn translation on. Kernel drivers
 * keep working on physical addresses; the core moves user-owned groups to
 * the blocking domain and to paging domains.
 *
 * At unload: stop fault polling, unregister (the core releases every
 * endpoint; context entries are left as they are so kernel DMA keeps
 * flowing), turn translation off and free everything: the units are left
 * as we found them (translation off). The core pins this module while a
 * group is user-owned or a paging domain exists.
 *
 * Guests must boot with intel_iommu=off (the kernel's own driver would
 * otherwise own the units; we refuse to load then) and intremap=off
 * (the kernel's interrupt remapping would own the unit's invalidation
 * queue; we refuse units whose queue is already on).
 */
#define pr_fmt(fmt) "xiommu_vtd: " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include <linux/iommufd.h>

#include "vtd.h"

#if IS_ENABLED(CONFIG_INTEL_IOMMU)
/* Defined by the kernel's intel-iommu driver. */
extern int intel_iommu_enabled;

static bool vtd_kernel_driver_active(void)
{
	return READ_ONCE(intel_iommu_enabled);
}
#else
/* No intel-iommu in this kernel (the debug test kernel): the units are ours. */
static bool vtd_kernel_driver_active(void)
{
	return false;
}
#endif

static LIST_HEAD(vtd_units);

/* The MSI doorbell window: writes there are interrupts, never DMA (3.14). */
#define VTD_MSI_BASE	0xfee00000UL
#define VTD_MSI_SIZE	SZ_1M

/**
 * vtd_dev_find() - per-endpoint state of @dev
 * @dev: a device
 *
 * The core keeps it for us (xiommu_endpoint_priv(), set at probe_device,
 * cleared at release_device): no walk of the unit list, no lock of ours.
 * The result stays valid while the core keeps @dev an endpoint of ours,
 * i.e. in every op the core calls for it before release_device.
 *
 * Return: the state, or NULL if no unit of ours probed @dev.
 */
struct vtd_dev *vtd_dev_find(struct device *dev)
{
	struct xiommu_device *iommu = xiommu_endpoint_iommu(dev);

	if (!iommu || iommu->ops != &vtd_ops)
		return NULL;
	return xiommu_endpoint_priv(dev);
}

/**
 * vtd_report_fault() - hand a fault record to the core
 * @unit: the unit that recorded it
 * @sid: source id of the request
 * @iova: faulting address (page-aligned by the hardware)
 * @write: the request was a write
 * @reason: decoded fault reason
 *
 * The endpoint is the one whose own requester id is @sid, else the only
 * endpoint using @sid as a DMA alias. Several endpoints sharing the alias
 * (devices behind one PCIe-to-PCI bridge) cannot be told apart: the fault
 * is then counted on the unit only.
 */
void vtd_report_fault(struct vtd_unit *unit, u16 sid, u64 iova, bool write,
		      const char *reason)
{
	struct device *dev = NULL, *alias_dev = NULL;
	unsigned int alias_users = 0, i;
	struct vtd_dev *vdev;
	int did;

	mutex_lock(&unit->dev_lock);
	list_for_each_entry(vdev, &unit->devices, node) {
		if (vdev->sids[0] == sid) {
			dev = vdev->dev;
			break;
		}
		for (i = 1; i < vdev->nr_sids; i++) {
			if (vdev->sids[i] == sid) {
				alias_dev = vdev->dev;
				alias_users++;
				break;
			}
		}
	}
	if (!dev && alias_users == 1)
		dev = alias_dev;
	xiommu_report_fault(&unit->iommu, dev, sid, iova, write, reason);
	mutex_unlock(&unit->dev_lock);

	/* Per-domain count: the domain the requester ID is attached to now. */
	did = vtd_ctx_did(unit, sid);
	if (did > 0 && did != unit->identity_did)
		vtd_domain_count_fault(unit, did);
}

struct vtd_alias_walk {
	u16 *sids;
	unsigned int nr;
	unsigned int max;
};

static int vtd_alias_cb(struct pci_dev *pdev, u16 alias, void *data)
{
	struct vtd_alias_walk *w = data;
	unsigned int i;

	for (i = 0; i < w->nr; i++)
		if (w->sids[i] == alias)
			return 0;
	if (w->sids && w->nr < w->max)
		w->sids[w->nr] = alias;
	w->nr++;
	return 0;
}

static int vtd_probe_device(struct xiommu_device *iommu, struct device *dev)
{
	struct vtd_unit *unit = to_vtd_unit(iommu);
	struct vtd_alias_walk walk = {};
	struct pci_dev *pdev;
	struct vtd_dev *vdev;
	u16 *tmp;

	if (!dev_is_pci(dev))
		return -ENODEV;
	pdev = to_pci_dev(dev);
	if (!vtd_drhd_covers(unit->drhd, pdev))
		return -ENODEV;

	/* Every requester id the device's DMA may carry (count, then fill). */
	tmp = kcalloc(257 + 32, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	walk.sids = tmp;
	walk.max = 257 + 32;
	xiommu_pci_walk_dma_aliases(pdev, vtd_alias_cb, &walk);
	if (walk.nr > walk.max) {
		kfree(tmp);
		return -E2BIG;
	}
	vdev = kzalloc(struct_size(vdev, sids, walk.nr), GFP_KERNEL);
	if (!vdev) {
		kfree(tmp);
		return -ENOMEM;
	}
	vdev->dev = dev;
	vdev->unit = unit;
	vdev->nr_sids = walk.nr;
	memcpy(vdev->sids, tmp, walk.nr * sizeof(*tmp));
	kfree(tmp);

	mutex_lock(&unit->dev_lock);
	list_add_tail(&vdev->node, &unit->devices);
	mutex_unlock(&unit->dev_lock);
	xiommu_endpoint_set_priv(dev, vdev);
	if (vdev->nr_sids > 1)
		dev_dbg(dev, "%s: %u requester ids (DMA aliases)\n",
			unit->iommu.name, vdev->nr_sids);
	return 0;
}

/* Is @sid used by an endpoint of @unit other than @skip? dev_lock held. */
static bool vtd_sid_in_use(struct vtd_unit *unit, u16 sid, struct vtd_dev *skip)
{
	struct vtd_dev *vdev;
	unsigned int i;

	lockdep_assert_held(&unit->dev_lock);
	list_for_each_entry(vdev, &unit->devices, node) {
		if (vdev == skip)
			continue;
		for (i = 0; i < vdev->nr_sids; i++)
			if (vdev->sids[i] == sid)
				return true;
	}
	return false;
}

static void vtd_release_device(struct device *dev)
{
	struct vtd_ctx_cfg blocked = { .type = VTD_CTX_BLOCKED };
	struct vtd_dev *vdev = vtd_dev_find(dev);
	struct vtd_unit *unit;
	u16 *unused;
	unsigned int i, n = 0;

	if (!vdev)
		return;
	xiommu_endpoint_set_priv(dev, NULL);
	unit = vdev->unit;
	/*
	 * Hot-removal: block the requester ids nobody else uses, so that a
	 * device appearing at the same address later starts blocked until the
	 * core attaches it. At unregister (dying) leave every entry: kernel
	 * DMA keeps flowing until translation goes off.
	 */
	unused = unit->dying ? NULL : kcalloc(vdev->nr_sids, sizeof(u16),
					      GFP_KERNEL);
	mutex_lock(&unit->dev_lock);
	list_del(&vdev->node);
	for (i = 0; unused && i < vdev->nr_sids; i++)
		if (!vtd_sid_in_use(unit, vdev->sids[i], NULL))
			unused[n++] = vdev->sids[i];
	mutex_unlock(&unit->dev_lock);
	for (i = 0; i < n; i++)
		vtd_ctx_set(unit, unused[i], &blocked);
	kfree(unused);
	kfree(vdev);
}

static struct xiommu_group *vtd_device_group(struct device *dev)
{
	return xiommu_pci_device_group(dev);
}

static bool vtd_capable(struct device *dev, enum xiommu_cap cap)
{
	struct vtd_dev *vdev = vtd_dev_find(dev);

	if (!vdev)
		return false;
	switch (cap) {
	case XIOMMU_CAP_IOMMUFD:
	case XIOMMU_CAP_CACHE_COHERENCY:
		return true;
	case XIOMMU_CAP_ENFORCE_CACHE_COHERENCY:
		return vdev->unit->ecap & VTD_ECAP_SC;
	/*
	 * Dirty tracking needs second-stage A/D bits (ECAP.SSADS, bit 55,
	 * with scalable mode) and a nest parent needs nested translation
	 * (ECAP.NEST, bit 26) with first-stage tables (ECAP.FSTS, bit 47).
	 * QEMU 7.2's intel-iommu reports none of them, and this driver uses
	 * neither: IOMMU_HWPT_ALLOC refuses both flags with EOPNOTSUPP.
	 */
	case XIOMMU_CAP_DIRTY_TRACKING:
	case XIOMMU_CAP_NEST_PARENT:
	case XIOMMU_CAP_INTR_ISOLATION:	/* no interrupt remapping */
	default:
		return false;
	}
}

static void vtd_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct xiommu_resv_region *r;

	r = xiommu_alloc_resv_region(VTD_MSI_BASE, VTD_MSI_SIZE,
				     XIOMMU_RESV_MSI, GFP_KERNEL);
	if (r)
		list_add_tail(&r->list, head);
	if (dev_is_pci(dev))
		vtd_dmar_rmrr_regions(to_pci_dev(dev), head);
}

static int vtd_hw_info(struct device *dev, void *data, size_t len, u32 *type)
{
	struct vtd_dev *vdev = vtd_dev_find(dev);
	struct iommu_hw_info_vtd info = {};

	if (!vdev)
		return -ENODEV;
	info.cap_reg = vdev->unit->cap;
	info.ecap_reg = vdev->unit->ecap;
	memcpy(data, &info, min(len, sizeof(info)));
	*type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	return sizeof(info);
}

const struct xiommu_ops vtd_ops = {
	.owner = THIS_MODULE,
	.name = "vtd",
	.probe_device = vtd_probe_device,
	.release_device = vtd_release_device,
	.device_group = vtd_device_group,
	.capable = vtd_capable,
	.domain_alloc_paging = vtd_domain_alloc_paging,
	.get_resv_regions = vtd_get_resv_regions,
	.hw_info = vtd_hw_info,
	.identity_domain = &vtd_identity_domain,
	.blocked_domain = &vtd_blocked_domain,
};

/*
 * Undo vtd_init() for every unit, whatever step it reached. First every
 * unit leaves the core (after which the core calls none of our ops, so
 * the unit list may change), then translation goes off and memory is
 * freed.
 */
static void vtd_teardown_all(void)
{
	struct vtd_unit *unit, *tmp;

	list_for_each_entry_reverse(unit, &vtd_units, list) {
		vtd_fault_stop(unit);
		unit->dying = true;
		if (unit->registered)
			xiommu_device_unregister(&unit->iommu);
		unit->registered = false;
	}
	list_for_each_entry_safe_reverse(unit, tmp, &vtd_units, list) {
		vtd_unit_disable(unit);
		vtd_unit_destroy(unit);
		list_del(&unit->list);
		kfree(unit);
	}
}

static int __init vtd_init(void)
{
	struct vtd_drhd *drhd;
	struct vtd_unit *unit;
	int seq = 0, rc;

	if (vtd_kernel_driver_active()) {
		pr_err("the kernel's intel-iommu driver owns the DMAR units: boot with intel_iommu=off\n");
		return -EBUSY;
	}
	rc = vtd_dmar_parse();
	if (rc) {
		pr_err("no usable ACPI DMAR table: %d\n", rc);
		return rc;
	}

	/*
	 * Bring every unit up first (so the unit list is complete before the
	 * core calls any op), then register and enable them one by one.
	 */
	list_for_each_entry(drhd, vtd_dmar_drhds(), list) {
		unit = kzalloc(sizeof(*unit), GFP_KERNEL);
		if (!unit) {
			rc = -ENOMEM;
			goto err_teardown;
		}
		rc = vtd_unit_init(unit, drhd, seq++);
		if (rc) {
			kfree(unit);
			goto err_teardown;
		}
		list_add_tail(&unit->list, &vtd_units);
	}

	list_for_each_entry(unit, &vtd_units, list) {
		rc = xiommu_device_register(&unit->iommu);
		if (rc) {
			pr_err("%s: registration failed: %d\n",
			       unit->iommu.name, rc);
			goto err_teardown;
		}
		unit->registered = true;
		/* Every endpoint has its pass-through entry now. */
		rc = vtd_unit_enable(unit);
		if (rc)
			goto err_teardown;
		vtd_debugfs_init(unit);
		vtd_fault_start(unit);
	}
	return 0;

err_teardown:
	vtd_teardown_all();
	vtd_dmar_free();
	return rc;
}

static void __exit vtd_exit(void)
{
	vtd_teardown_all();
	vtd_dmar_free();
	/* Page-table pages freed with call_rcu() run our callback. */
	rcu_barrier();
}

module_init(vtd_init);
module_exit(vtd_exit);

MODULE_DESCRIPTION("xiommu Intel VT-d DMA remapping driver");
MODULE_LICENSE("GPL");
