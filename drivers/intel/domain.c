// SPDX-License-Identifier: GPL-2.0-only
/*
 * Domains of the VT-d driver.
 *
 *  - identity (static, shared by every unit): pass-through (legacy context
 *    entry TT = 10b, 9.3; scalable PASID entry PGTT = 100b, 9.6), tagged
 *    with the unit's identity domain id. Needs ECAP.PT; units without it
 *    are refused at load for now.
 *  - blocked (static, shared by every unit): the legacy context entry, or
 *    the scalable RID_PASID entry, is made not present. Every DMA from the
 *    device then faults (legacy reason 2 "context entry not present",
 *    which is not a "qualified" fault, so no FPD bit can hide it; scalable
 *    mode "PASID entry not present", QEMU 7.2 reports 0x58), and the fault
 *    poll reports it. The alternative, a present entry over an empty page
 *    table, would also fault but needs a domain id and a table per unit
 *    for nothing.
 *  - paging: a second-level page table (pgtable.c) at the unit's depth,
 *    with a domain id from the unit's ida held for the domain's life.
 *    A paging domain belongs to the unit it was allocated for; the core's
 *    ops check keeps it there.
 *
 * Static domains leave domain.owner NULL: they are valid on every unit,
 * attach_dev finds the unit from the device.
 */
#define pr_fmt(fmt) "xiommu_vtd: " fmt

#include <linux/bitfield.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vtd.h"

/* Program @cfg for every requester id of @vdev. */
static int vtd_attach_entries(struct vtd_dev *vdev,
			      const struct vtd_ctx_cfg *cfg)
{
	struct vtd_unit *unit = vdev->unit;
	unsigned int i;
	int rc = 0, rc2;

	if (cfg->type != VTD_CTX_BLOCKED) {
		rc = vtd_ctx_prepare(unit, vdev->sids, vdev->nr_sids);
		if (rc)
			return rc;
	}
	for (i = 0; i < vdev->nr_sids; i++) {
		rc2 = vtd_ctx_set(unit, vdev->sids[i], cfg);
		rc = rc ?: rc2;
	}
	return rc;
}

static int vtd_identity_attach(struct xiommu_domain *domain, struct device *dev)
{
	struct vtd_dev *vdev = vtd_dev_find(dev);
	struct vtd_ctx_cfg cfg = { .type = VTD_CTX_PASSTHROUGH };

	if (!vdev)
		return -ENODEV;
	cfg.did = vdev->unit->identity_did;
	return vtd_attach_entries(vdev, &cfg);
}

static int vtd_blocked_attach(struct xiommu_domain *domain, struct device *dev)
{
	struct vtd_dev *vdev = vtd_dev_find(dev);
	struct vtd_ctx_cfg cfg = { .type = VTD_CTX_BLOCKED };

	if (!vdev)
		return -ENODEV;
	return vtd_attach_entries(vdev, &cfg);
}

static const struct xiommu_domain_ops vtd_identity_ops = {
	.attach_dev = vtd_identity_attach,
};

static const struct xiommu_domain_ops vtd_blocked_ops = {
	.attach_dev = vtd_blocked_attach,
};

struct xiommu_domain vtd_identity_domain = {
	.type = XIOMMU_DOMAIN_IDENTITY,
	.ops = &vtd_identity_ops,
};

struct xiommu_domain vtd_blocked_domain = {
	.type = XIOMMU_DOMAIN_BLOCKED,
	.ops = &vtd_blocked_ops,
};

static int vtd_paging_attach(struct xiommu_domain *domain, struct device *dev)
{
	struct vtd_domain *vdom = to_vtd_domain(domain);
	struct vtd_dev *vdev = vtd_dev_find(dev);
	struct vtd_ctx_cfg cfg = {
		.type = VTD_CTX_SECOND_LEVEL,
		.did = vdom->did,
		.root = vtd_pgtable_root_phys(vdom->pgt),
	};

	if (!vdev)
		return -ENODEV;
	if (vdev->unit != vdom->unit)
		return -EINVAL;
	return vtd_attach_entries(vdev, &cfg);
}

static int vtd_paging_map(struct xiommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, size_t pgsize, size_t pgcount,
			  int prot, gfp_t gfp, size_t *mapped)
{
	struct vtd_domain *vdom = to_vtd_domain(domain);
	int rc;

	rc = vdom->pgt->ops->map_pages(vdom->pgt, iova, paddr, pgsize, pgcount,
				       prot, gfp, mapped);
	atomic64_add(*mapped, &vdom->unit->stats.map_bytes);
	return rc;
}

/*
 * Caching mode (6.1): the unit may cache not-present entries, so a new
 * mapping needs an invalidation too: page-selective over the whole range
 * the core mapped (with the paging-structure caches, since new tables may
 * have appeared), once per range rather than once per map_pages call.
 * Without caching mode nothing is cached for not-present entries.
 */
static int vtd_paging_iotlb_sync_map(struct xiommu_domain *domain,
				     unsigned long iova, size_t size)
{
	struct vtd_domain *vdom = to_vtd_domain(domain);
	struct vtd_unit *unit = vdom->unit;
	unsigned int ops = 0;
	int rc;

	if (!(unit->cap & VTD_CAP_CM) || !size || !unit->enabled)
		return 0;
	rc = vtd_flush_range(unit, vdom->did, iova, iova + size - 1, &ops);
	atomic64_add(ops, &unit->stats.map_hw_ops);
	return rc;
}

static size_t vtd_paging_unmap(struct xiommu_domain *domain,
			       unsigned long iova, size_t pgsize,
			       size_t pgcount,
			       struct xiommu_iotlb_gather *gather)
{
	struct vtd_domain *vdom = to_vtd_domain(domain);
	size_t bytes;

	bytes = vdom->pgt->ops->unmap_pages(vdom->pgt, iova, pgsize, pgcount,
					    gather);
	atomic64_add(bytes, &vdom->unit->stats.unmap_bytes);
	return bytes;
}

static void vtd_paging_iotlb_sync(struct xiommu_domain *domain,
				  struct xiommu_iotlb_gather *gather)
{
	struct vtd_domain *vdom = to_vtd_domain(domain);
	struct vtd_unit *unit = vdom->unit;
	unsigned int ops = 0;

	if (gather->start <= gather->end)
		vtd_flush_range(unit, vdom->did, gather->start, gather->end,
				&ops);
	atomic64_inc(&unit->stats.unmap_syncs);
	atomic64_add(ops, &unit->stats.unmap_hw_ops);
	vtd_pgtable_free_gathered(&gather->freelist);
}

static phys_addr_t vtd_paging_iova_to_phys(struct xiommu_domain *domain,
					   dma_addr_t iova)
{
	struct vtd_domain *vdom = to_vtd_domain(domain);

	return vdom->pgt->ops->iova_to_phys(vdom->pgt, iova);
}

static bool vtd_paging_enforce_coherency(struct xiommu_domain *domain)
{
	struct vtd_domain *vdom = to_vtd_domain(domain);

	if (!vtd_pgtable_force_snoop(vdom->pgt))
		return false;
	/* Leaves that got SNP just now may be cached without it. */
	if (vdom->unit->enabled)
		vtd_flush_iotlb(vdom->unit, VTD_IOTLB_DOMAIN, vdom->did);
	return true;
}

static void vtd_paging_free(struct xiommu_domain *domain)
{
	struct vtd_domain *vdom = to_vtd_domain(domain);
	struct vtd_unit *unit = vdom->unit;

	mutex_lock(&unit->dom_lock);
	list_del(&vdom->node);
	mutex_unlock(&unit->dom_lock);
	/* Nothing cached under the DID may outlive it: it will be reused. */
	if (unit->enabled)
		vtd_flush_iotlb(unit, VTD_IOTLB_DOMAIN, vdom->did);
	vtd_pgtable_free(vdom->pgt);
	ida_free(&unit->did_ida, vdom->did);
	kfree(vdom);
}

static const struct xiommu_domain_ops vtd_paging_ops = {
	.attach_dev = vtd_paging_attach,
	.map_pages = vtd_paging_map,
	.unmap_pages = vtd_paging_unmap,
	.iotlb_sync = vtd_paging_iotlb_sync,
	.iotlb_sync_map = vtd_paging_iotlb_sync_map,
	.iova_to_phys = vtd_paging_iova_to_phys,
	.enforce_cache_coherency = vtd_paging_enforce_coherency,
	.free = vtd_paging_free,
};

/* pgtable callback: a table was replaced by a leaf, flush it now. */
static void vtd_tlb_flush_walk(void *cookie, unsigned long iova, size_t size)
{
	struct vtd_domain *vdom = cookie;

	vtd_flush_range(vdom->unit, vdom->did, iova, iova + size - 1, NULL);
}

static const struct vtd_pgtable_tlb_ops vtd_tlb_ops = {
	.flush_walk = vtd_tlb_flush_walk,
};

/**
 * vtd_domain_alloc_paging() - xiommu_ops.domain_alloc_paging
 * @dev: an endpoint of one of our units
 * @flags: must be 0
 *
 * Return: an empty paging domain of @dev's unit; ERR_PTR(-EOPNOTSUPP) for
 * unknown @flags, -ENODEV if @dev is not ours, -ENOSPC when the unit ran
 * out of domain ids, -ENOMEM.
 */
struct xiommu_domain *vtd_domain_alloc_paging(struct device *dev, u32 flags)
{
	struct vtd_dev *vdev = vtd_dev_find(dev);
	struct vtd_pgtable_cfg cfg = {};
	struct vtd_domain *vdom;
	struct vtd_unit *unit;
	unsigned int nd;
	int rc;

	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (!vdev)
		return ERR_PTR(-ENODEV);
	unit = vdev->unit;

	vdom = kzalloc(sizeof(*vdom), GFP_KERNEL);
	if (!vdom)
		return ERR_PTR(-ENOMEM);
	nd = 1U << (4 + 2 * (unsigned int)FIELD_GET(VTD_CAP_ND, unit->cap));
	rc = ida_alloc_range(&unit->did_ida, VTD_DID_RESERVED + 1, nd - 1,
			     GFP_KERNEL);
	if (rc < 0)
		goto err_free;
	vdom->did = rc;
	vdom->unit = unit;

	cfg.levels = unit->levels;
	cfg.ias = unit->ias;
	cfg.oas = unit->oas;
	cfg.pgsize_bitmap = unit->pgsize_bitmap;
	cfg.coherent = unit->ecap & VTD_ECAP_C;
	cfg.snoop_ctl = unit->ecap & VTD_ECAP_SC;
	cfg.tlb = &vtd_tlb_ops;
	cfg.cookie = vdom;
	vdom->pgt = vtd_pgtable_alloc(&cfg, GFP_KERNEL);
	if (IS_ERR(vdom->pgt)) {
		rc = PTR_ERR(vdom->pgt);
		goto err_did;
	}

	vdom->domain.type = XIOMMU_DOMAIN_PAGING;
	vdom->domain.ops = &vtd_paging_ops;
	vdom->domain.owner = &unit->iommu;
	vdom->domain.pgsize_bitmap = unit->pgsize_bitmap;
	vdom->domain.geometry.aperture_start = 0;
	vdom->domain.geometry.aperture_end = (1ULL << unit->ias) - 1;

	mutex_lock(&unit->dom_lock);
	list_add_tail(&vdom->node, &unit->domains);
	mutex_unlock(&unit->dom_lock);
	return &vdom->domain;

err_did:
	ida_free(&unit->did_ida, vdom->did);
err_free:
	kfree(vdom);
	return ERR_PTR(rc);
}

/**
 * vtd_domains_show() - print the unit's paging domains (debugfs)
 * @unit: the unit
 * @s: seq_file
 * @dump: also print every domain's mappings
 */
void vtd_domains_show(struct vtd_unit *unit, struct seq_file *s, bool dump)
{
	struct vtd_domain *vdom;
	unsigned int lvl;

	mutex_lock(&unit->dom_lock);
	list_for_each_entry(vdom, &unit->domains, node) {
		struct vtd_pgtable *pgt = vdom->pgt;

		seq_printf(s, "domain did %u levels %u root %#llx tables %ld leaves",
			   vdom->did, pgt->cfg.levels,
			   (u64)vtd_pgtable_root_phys(pgt),
			   atomic_long_read(&pgt->nr_tables));
		for (lvl = 1; lvl <= 3; lvl++)
			seq_printf(s, " %s %ld",
				   lvl == 1 ? "4K" : lvl == 2 ? "2M" : "1G",
				   atomic_long_read(&pgt->nr_leaves[lvl]));
		seq_printf(s, " faults %lld%s\n",
			   (long long)atomic64_read(&vdom->faults),
			   pgt->force_snoop ? " snoop" : "");
		if (dump)
			vtd_pgtable_dump(pgt, s);
	}
	mutex_unlock(&unit->dom_lock);
}

/**
 * vtd_domain_count_fault() - count a fault on the paging domain with @did
 * @unit: the unit that reported the fault
 * @did: the domain id the faulting requester ID was tagged with
 *
 * Context: process context (takes the unit's domain list mutex).
 */
void vtd_domain_count_fault(struct vtd_unit *unit, u16 did)
{
	struct vtd_domain *vdom;

	mutex_lock(&unit->dom_lock);
	list_for_each_entry(vdom, &unit->domains, node) {
		if (vdom->did == did) {
			atomic64_inc(&vdom->faults);
			break;
		}
	}
	mutex_unlock(&unit->dom_lock);
}
