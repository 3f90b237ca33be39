// SPDX-License-Identifier: GPL-2.0-only
/*
 * Domains of the SMMUv3 driver and what their STEs look like (IHI 0070
 * 5.2 "Stream Table Entry", 5.4 "Context Descriptor"):
 *
 *  - identity (static, every unit): Config = bypass (0b100). Kernel-owned
 *    endpoints sit here; their DMA addresses are physical addresses.
 *  - blocked (static, every unit): Config = stage-1 translate (0b101)
 *    through the unit's blocking CD, whose translation table walks are
 *    both disabled (EPD0 = EPD1 = 1) and which records faults (R = 1):
 *    every DMA is terminated and reported as a translation fault, so
 *    blocked DMA is counted like on VT-d. (Config = abort would terminate
 *    it silently: the architecture records no event for it. Abort is kept
 *    for stream IDs no endpoint uses.)
 *  - paging: Config = stage-1 translate (0b101), S1ContextPtr = the
 *    domain's single CD (S1CDMAX = 0, S1Fmt = linear), which holds the
 *    domain's ASID, its stage-1 table (TTB0, T0SZ = 64 - IAS, 4 KiB
 *    granule, TTB1 walks disabled), the MAIR of pgtable.c, R = 1 (record
 *    faults) and A = 1 (abort, never stall). The CD is written once,
 *    before any STE points to it, and never changes; replacing a domain
 *    is an STE update (strtab.c). ASIDs are per unit (an ida, 1..max).
 *
 * Translation faults of streams in a paging domain arrive as events
 * (cmdq.c) and are counted per unit and endpoint by the core
 * (xiommu_report_fault()) and per domain here.
 */
#define pr_fmt(fmt) "xiommu_smmuv3: " fmt

#include <linux/dma-mapping.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "smmu.h"

static unsigned int smmu_ips(unsigned int oas);

/**
 * smmu_master_find() - the endpoint state of @dev
 * @dev: the device
 *
 * Return: the master, NULL when @dev is no endpoint of this driver.
 */
struct smmu_master *smmu_master_find(struct device *dev)
{
	return xiommu_endpoint_priv(dev);
}

static int smmu_attach_ste(struct smmu_master *master, u64 dw0,
			   struct xiommu_domain *domain)
{
	struct smmu_unit *unit = master->unit;
	unsigned int i;
	int rc = 0, rc2;

	for (i = 0; i < master->nr_sids; i++) {
		rc2 = smmu_ste_write(unit, master->sids[i], dw0);
		rc = rc ?: rc2;
	}
	if (!rc)
		WRITE_ONCE(master->domain, domain);
	return rc;
}

static int smmu_identity_attach(struct xiommu_domain *domain,
				struct device *dev)
{
	struct smmu_master *master = smmu_master_find(dev);

	if (!master)
		return -ENODEV;
	return smmu_attach_ste(master, STE_V |
			       FIELD_PREP(STE_CONFIG, STE_CFG_BYPASS), domain);
}

static int smmu_blocked_attach(struct xiommu_domain *domain,
			       struct device *dev)
{
	struct smmu_master *master = smmu_master_find(dev);

	if (!master)
		return -ENODEV;
	return smmu_attach_ste(master, STE_V |
			       FIELD_PREP(STE_CONFIG, STE_CFG_S1) |
			       (master->unit->block_cd_dma & STE_S1CTXPTR),
			       domain);
}

/**
 * smmu_block_cd_init() - write the unit's blocking CD
 * @unit: the unit
 *
 * Both TTB0 and TTB1 walks disabled (every input address faults), R = 1
 * (faults recorded), A = 1 (aborted, not stalled), ASID 0 (which no
 * paging domain uses; nothing is ever cached under it). Never changes.
 *
 * Return: 0 or -ENOMEM.
 */
int smmu_block_cd_init(struct smmu_unit *unit)
{
	unit->block_cd = dmam_alloc_coherent(unit->dev,
					     CD_DWORDS * sizeof(u64),
					     &unit->block_cd_dma,
					     GFP_KERNEL | __GFP_ZERO);
	if (!unit->block_cd)
		return -ENOMEM;
	unit->block_cd[3] = cpu_to_le64(smmu_pgtable_mair());
	dma_wmb();
	WRITE_ONCE(unit->block_cd[0],
		   cpu_to_le64(FIELD_PREP(CD0_T0SZ, 64 - unit->ias) |
			       CD0_EPD0 | CD0_EPD1 | CD0_V |
			       FIELD_PREP(CD0_IPS, smmu_ips(unit->oas)) |
			       CD0_AA64 | CD0_R | CD0_A | CD0_ASET |
			       FIELD_PREP(CD0_ASID, 0)));
	return 0;
}

static const struct xiommu_domain_ops smmu_identity_ops = {
	.attach_dev = smmu_identity_attach,
};

static const struct xiommu_domain_ops smmu_blocked_ops = {
	.attach_dev = smmu_blocked_attach,
};

struct xiommu_domain smmu_identity_domain = {
	.type = XIOMMU_DOMAIN_IDENTITY,
	.ops = &smmu_identity_ops,
};

struct xiommu_domain smmu_blocked_domain = {
	.type = XIOMMU_DOMAIN_BLOCKED,
	.ops = &smmu_blocked_ops,
};

static int smmu_paging_attach(struct xiommu_domain *domain, struct device *dev)
{
	struct smmu_domain *sdom = to_smmu_domain(domain);
	struct smmu_master *master = smmu_master_find(dev);
	struct smmu_unit *unit;
	unsigned int i;
	int rc;

	if (!master)
		return -ENODEV;
	unit = master->unit;
	if (unit != sdom->unit)
		return -EINVAL;
	/*
	 * The unit may hold a cached copy of this CD for these streams from an
	 * earlier attach: drop it before the STE points there (CFGI_CD).
	 */
	for (i = 0; i < master->nr_sids; i++) {
		u64 cmd[1][2] = { { FIELD_PREP(CMD_OPCODE, CMD_CFGI_CD) |
				    FIELD_PREP(CMD0_SID, master->sids[i]),
				    CMD1_LEAF } };

		atomic64_inc(&unit->stats.cfgi_cd);
		rc = smmu_cmdq_issue(unit, cmd, 1, i + 1 == master->nr_sids);
		if (rc)
			return rc;
	}
	return smmu_attach_ste(master, STE_V |
			       FIELD_PREP(STE_CONFIG, STE_CFG_S1) |
			       (sdom->cd_dma & STE_S1CTXPTR), domain);
}

static int smmu_paging_map(struct xiommu_domain *domain, unsigned long iova,
			   phys_addr_t paddr, size_t pgsize, size_t pgcount,
			   int prot, gfp_t gfp, size_t *mapped)
{
	struct smmu_domain *sdom = to_smmu_domain(domain);

	return sdom->pgt->ops->map_pages(sdom->pgt, iova, paddr, pgsize,
					 pgcount, prot, gfp, mapped);
}

static size_t smmu_paging_unmap(struct xiommu_domain *domain,
				unsigned long iova, size_t pgsize,
				size_t pgcount,
				struct xiommu_iotlb_gather *gather)
{
	struct smmu_domain *sdom = to_smmu_domain(domain);

	return sdom->pgt->ops->unmap_pages(sdom->pgt, iova, pgsize, pgcount,
					   gather);
}

static void smmu_paging_iotlb_sync(struct xiommu_domain *domain,
				   struct xiommu_iotlb_gather *gather)
{
	struct smmu_domain *sdom = to_smmu_domain(domain);
	bool tables = !list_empty(&gather->freelist);

	if (gather->start <= gather->end)
		smmu_tlbi_range(sdom->unit, sdom->asid, gather->start,
				gather->end - gather->start + 1, !tables);
	smmu_pgtable_free_gathered(&gather->freelist);
}

static phys_addr_t smmu_paging_iova_to_phys(struct xiommu_domain *domain,
					    dma_addr_t iova)
{
	struct smmu_domain *sdom = to_smmu_domain(domain);

	return sdom->pgt->ops->iova_to_phys(sdom->pgt, iova);
}

static void smmu_paging_free(struct xiommu_domain *domain)
{
	struct smmu_domain *sdom = to_smmu_domain(domain);
	struct smmu_unit *unit = sdom->unit;

	mutex_lock(&unit->dom_lock);
	list_del(&sdom->node);
	mutex_unlock(&unit->dom_lock);
	/* No STE points here any more: drop what the TLB holds, then free. */
	smmu_tlbi_asid(unit, sdom->asid);
	smmu_pgtable_free(sdom->pgt);
	dma_free_coherent(unit->dev, CD_DWORDS * sizeof(u64), sdom->cd,
			  sdom->cd_dma);
	ida_free(&unit->asid_ida, sdom->asid);
	kfree(sdom);
}

static const struct xiommu_domain_ops smmu_paging_ops = {
	.attach_dev = smmu_paging_attach,
	.map_pages = smmu_paging_map,
	.unmap_pages = smmu_paging_unmap,
	.iotlb_sync = smmu_paging_iotlb_sync,
	.iova_to_phys = smmu_paging_iova_to_phys,
	.free = smmu_paging_free,
};

static void smmu_flush_walk(void *cookie, unsigned long iova, size_t size)
{
	struct smmu_domain *sdom = cookie;

	smmu_tlbi_range(sdom->unit, sdom->asid, iova, size, false);
}

static const struct smmu_pgtable_tlb_ops smmu_pgtable_tlb = {
	.flush_walk = smmu_flush_walk,
};

/* CD.IPS encoding of an output size (5.4, same as ID_AA64MMFR0.PARange) */
static unsigned int smmu_ips(unsigned int oas)
{
	switch (oas) {
	case 32: return 0;
	case 36: return 1;
	case 40: return 2;
	case 42: return 3;
	case 44: return 4;
	default: return 5;	/* 48 */
	}
}

/**
 * smmu_domain_alloc_paging() - a new paging domain for @dev's unit
 * @dev: an endpoint of this driver
 * @flags: must be 0
 *
 * Return: the domain, ERR_PTR(-EOPNOTSUPP) for unknown @flags,
 * ERR_PTR(-ENODEV) if @dev is no endpoint, ERR_PTR(-ENOSPC) when the
 * unit's ASIDs are used up, ERR_PTR(-ENOMEM).
 */
struct xiommu_domain *smmu_domain_alloc_paging(struct device *dev, u32 flags)
{
	struct smmu_master *master = smmu_master_find(dev);
	struct smmu_pgtable_cfg cfg = {};
	struct smmu_domain *sdom;
	struct smmu_unit *unit;
	unsigned int i;
	int asid, rc;
	u64 cd0;

	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (!master)
		return ERR_PTR(-ENODEV);
	unit = master->unit;
	sdom = kzalloc(sizeof(*sdom), GFP_KERNEL);
	if (!sdom)
		return ERR_PTR(-ENOMEM);
	asid = ida_alloc_range(&unit->asid_ida, 1,
			       (1U << unit->asid_bits) - 1, GFP_KERNEL);
	if (asid < 0) {
		rc = asid == -ENOSPC ? -ENOSPC : -ENOMEM;
		goto err_free;
	}
	sdom->asid = asid;
	sdom->unit = unit;
	cfg.ias = unit->ias;
	cfg.oas = unit->oas;
	cfg.pgsize_bitmap = unit->pgsize_bitmap;
	cfg.tlb = &smmu_pgtable_tlb;
	cfg.cookie = sdom;
	sdom->pgt = smmu_pgtable_alloc(&cfg, GFP_KERNEL);
	if (IS_ERR(sdom->pgt)) {
		rc = PTR_ERR(sdom->pgt);
		goto err_asid;
	}
	sdom->cd = dma_alloc_coherent(unit->dev, CD_DWORDS * sizeof(u64),
				      &sdom->cd_dma, GFP_KERNEL | __GFP_ZERO);
	if (!sdom->cd) {
		rc = -ENOMEM;
		goto err_pgt;
	}
	/* The MSI doorbells at IOVA == PA (smmu.h, struct smmu_msi_window). */
	for (i = 0; i < unit->nr_msi; i++) {
		size_t mapped = 0;

		rc = sdom->pgt->ops->map_pages(sdom->pgt, unit->msi[i].base,
					       unit->msi[i].base, SZ_4K,
					       unit->msi[i].size / SZ_4K,
					       XIOMMU_READ | XIOMMU_WRITE,
					       GFP_KERNEL, &mapped);
		if (rc)
			goto err_cd;
	}
	sdom->cd[1] = cpu_to_le64(smmu_pgtable_root_phys(sdom->pgt) &
				  CD1_TTB0);
	sdom->cd[3] = cpu_to_le64(smmu_pgtable_mair());
	cd0 = FIELD_PREP(CD0_T0SZ, 64 - unit->ias) |
	      FIELD_PREP(CD0_TG0, 0) |
	      FIELD_PREP(CD0_IRGN0, 1) | FIELD_PREP(CD0_ORGN0, 1) |
	      FIELD_PREP(CD0_SH0, 3) | CD0_EPD1 | CD0_V |
	      FIELD_PREP(CD0_IPS, smmu_ips(unit->oas)) | CD0_AFFD |
	      CD0_AA64 | CD0_R | CD0_A | CD0_ASET |
	      FIELD_PREP(CD0_ASID, sdom->asid);
	/* Valid last; no STE points here yet anyway. */
	dma_wmb();
	WRITE_ONCE(sdom->cd[0], cpu_to_le64(cd0));

	sdom->domain.type = XIOMMU_DOMAIN_PAGING;
	sdom->domain.ops = &smmu_paging_ops;
	sdom->domain.owner = &unit->iommu;
	sdom->domain.pgsize_bitmap = unit->pgsize_bitmap;
	sdom->domain.geometry.aperture_start = 0;
	sdom->domain.geometry.aperture_end = (1ULL << unit->ias) - 1;
	mutex_lock(&unit->dom_lock);
	list_add_tail(&sdom->node, &unit->domains);
	mutex_unlock(&unit->dom_lock);
	return &sdom->domain;

err_cd:
	dma_free_coherent(unit->dev, CD_DWORDS * sizeof(u64), sdom->cd,
			  sdom->cd_dma);
err_pgt:
	smmu_pgtable_free(sdom->pgt);
err_asid:
	ida_free(&unit->asid_ida, sdom->asid);
err_free:
	kfree(sdom);
	return ERR_PTR(rc);
}

/**
 * smmu_domains_show() - print the unit's paging domains (debugfs)
 * @unit: the unit
 * @s: seq_file
 * @dump: also print every domain's mappings
 */
void smmu_domains_show(struct smmu_unit *unit, struct seq_file *s, bool dump)
{
	struct smmu_domain *sdom;

	mutex_lock(&unit->dom_lock);
	list_for_each_entry(sdom, &unit->domains, node) {
		struct smmu_pgtable *pgt = sdom->pgt;

		seq_printf(s, "domain asid %u levels %u root %#llx tables %ld leaves 4K %ld 2M %ld 1G %ld faults %lld\n",
			   sdom->asid, pgt->levels,
			   (u64)smmu_pgtable_root_phys(pgt),
			   atomic_long_read(&pgt->nr_tables),
			   atomic_long_read(&pgt->nr_leaves[1]),
			   atomic_long_read(&pgt->nr_leaves[2]),
			   atomic_long_read(&pgt->nr_leaves[3]),
			   (long long)atomic64_read(&sdom->faults));
		if (dump)
			smmu_pgtable_dump(pgt, s);
	}
	mutex_unlock(&unit->dom_lock);
}

/**
 * smmu_report_event() - count and log one event record
 * @unit: the unit that recorded it
 * @sid: its StreamID
 * @iova: input address (0 for configuration errors)
 * @write: the access was a write
 * @reason: the event's name
 *
 * The endpoint is the one whose own requester ID is @sid, else the only
 * one using @sid as an alias; the domain is the one that endpoint is
 * attached to now, if paging.
 *
 * Context: process context.
 */
void smmu_report_event(struct smmu_unit *unit, u32 sid, u64 iova, bool write,
		       const char *reason)
{
	struct smmu_master *master, *found = NULL, *alias = NULL;
	unsigned int i, alias_users = 0;
	struct xiommu_domain *domain;

	mutex_lock(&unit->dev_lock);
	list_for_each_entry(master, &unit->devices, node) {
		if (master->sids[0] == sid) {
			found = master;
			break;
		}
		for (i = 1; i < master->nr_sids; i++) {
			if (master->sids[i] == sid) {
				alias = master;
				alias_users++;
				break;
			}
		}
	}
	if (!found && alias_users == 1)
		found = alias;
	xiommu_report_fault(&unit->iommu, found ? found->dev : NULL, sid, iova,
			    write, reason);
	if (found) {
		domain = READ_ONCE(found->domain);
		if (domain && domain->type == XIOMMU_DOMAIN_PAGING)
			atomic64_inc(&to_smmu_domain(domain)->faults);
	}
	mutex_unlock(&unit->dev_lock);
}
