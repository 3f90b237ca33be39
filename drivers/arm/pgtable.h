/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Arm stage-1 translation table format as an SMMUv3 walks it through a
 * context descriptor: VMSAv8-64 long descriptors, 4 KiB granule (Arm ARM
 * D8.3 "Translation table descriptor formats"; SMMUv3 IHI 0070 5.4 "CD"),
 * behind a small ops table.
 *
 * This file and pgtable.c know the in-memory format only: no registers, no
 * ASIDs. What needs the hardware (a TLB invalidation before a table may be
 * freed) goes through the smmu_pgtable_tlb_ops the owner passes in, so the
 * format is exercised by KUnit with fake callbacks, on any architecture.
 *
 * Terms: levels are counted like the VT-d format's, from the leaves up:
 * level 1 tables hold 4 KiB pages (the Arm ARM's level 3), level 2 entries
 * map 2 MiB blocks or point to a level 1 table (Arm level 2), level 3
 * entries 1 GiB blocks (Arm level 1), level 4 is the top of a 48-bit table
 * (Arm level 0, tables only). "last" is inclusive, "end" exclusive.
 *
 * Table memory and concurrency follow what drivers/intel/pgtable.h had
 * before issue 11 (use counts in the table page's pt_frag_refcount, unlink
 * by whoever drops a count to 0, RCU-deferred freeing): a table is unlinked when an unmap leaves
 * it with no valid entry, and freed after the owner's TLB invalidation
 * (smmu_pgtable_free_gathered()). The walker must be cache coherent
 * (SMMU_IDR0.COHACC): no cache maintenance is done on table memory.
 */
#ifndef XIOMMU_SMMU_PGTABLE_H
#define XIOMMU_SMMU_PGTABLE_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/types.h>

#include <xiommu/driver.h>

struct seq_file;
struct smmu_pgtable;

#define SMMU_PT_MAX_LEVELS	4

/* VMSAv8-64 stage-1 descriptor bits (Arm ARM D8.3) */
#define SMMU_PTE_VALID		BIT_ULL(0)
#define SMMU_PTE_TABLE		BIT_ULL(1)	/* table (lvl > 1) or page (lvl 1) */
#define SMMU_PTE_ATTRIDX	GENMASK_ULL(4, 2)	/* index into CD.MAIR */
#define SMMU_PTE_AP_UNPRIV	BIT_ULL(6)	/* AP[1]: unprivileged access */
#define SMMU_PTE_AP_RDONLY	BIT_ULL(7)	/* AP[2]: read-only */
#define SMMU_PTE_SH		GENMASK_ULL(9, 8)
#define SMMU_PTE_SH_OS		2ULL
#define SMMU_PTE_SH_IS		3ULL
#define SMMU_PTE_AF		BIT_ULL(10)	/* access flag: must be 1 */
#define SMMU_PTE_NG		BIT_ULL(11)	/* not global: ASID-tagged */
#define SMMU_PTE_ADDR		GENMASK_ULL(47, 12)
#define SMMU_PTE_XN		BIT_ULL(54)	/* UXN/XN */

/* CD.MAIR attribute indexes the format uses (pgtable.c sets the MAIR) */
#define SMMU_MAIR_IDX_WB	0	/* Normal, Write-Back RW-allocate */
#define SMMU_MAIR_IDX_NC	1	/* Normal, Non-cacheable */
#define SMMU_MAIR_IDX_DEV	2	/* Device-nGnRE */

/**
 * struct smmu_pgtable_tlb_ops - hardware callbacks of a page table
 * @flush_walk: invalidate the TLB and walk caches for [@iova, @iova +
 *	@size) and wait for completion. Called by map when it links a table
 *	where the walk caches may still hold an unlinked one, and before it
 *	frees an empty table it linked itself and left unused (failure).
 *	May be called in any context map_pages is.
 */
struct smmu_pgtable_tlb_ops {
	void (*flush_walk)(void *cookie, unsigned long iova, size_t size);
};

/**
 * struct smmu_pgtable_cfg - page-table configuration
 * @ias: input (IOVA) bits translated, 25..48 (the CD's T0SZ is 64 - @ias);
 *	map refuses IOVAs at or above 1 << @ias
 * @oas: output (physical) address bits (SMMU_IDR5.OAS, at most 48 here);
 *	map refuses addresses above, table pages above are not used
 * @pgsize_bitmap: leaf sizes allowed: SZ_4K, plus SZ_2M and SZ_1G blocks
 * @tlb: hardware callbacks
 * @cookie: passed to @tlb callbacks
 */
struct smmu_pgtable_cfg {
	unsigned int ias;
	unsigned int oas;
	unsigned long pgsize_bitmap;
	const struct smmu_pgtable_tlb_ops *tlb;
	void *cookie;
};

/**
 * struct smmu_pgtable_ops - operations on a page table
 * @map_pages: map @pgcount leaves of @pgsize bytes from @iova to @paddr
 *	with @prot (XIOMMU_READ / XIOMMU_WRITE / XIOMMU_CACHE; write without
 *	read maps read-write, stage 1 cannot express write-only). Sets
 *	*@mapped to the bytes mapped, also on failure. Returns 0, -EINVAL
 *	(bad size, alignment, range or no permission), -EEXIST (a leaf is
 *	present in the range) or -ENOMEM.
 * @unmap_pages: clear every leaf in [@iova, @iova + @pgsize * @pgcount),
 *	unlink and gather the tables left with no valid entry, widen
 *	@gather to the range; returns the bytes of the leaves cleared.
 *	Never allocates.
 * @iova_to_phys: translate @iova, 0 if not mapped
 */
struct smmu_pgtable_ops {
	int (*map_pages)(struct smmu_pgtable *pgt, unsigned long iova,
			 phys_addr_t paddr, size_t pgsize, size_t pgcount,
			 int prot, gfp_t gfp, size_t *mapped);
	size_t (*unmap_pages)(struct smmu_pgtable *pgt, unsigned long iova,
			      size_t pgsize, size_t pgcount,
			      struct xiommu_iotlb_gather *gather);
	phys_addr_t (*iova_to_phys)(struct smmu_pgtable *pgt,
				    unsigned long iova);
};

/**
 * struct smmu_pgtable - one stage-1 translation table
 * @ops: its operations
 * @cfg: configuration (copied at allocation)
 * @levels: table levels walked for cfg.ias (2..4)
 * @root: top-level table
 * @nr_leaves: valid leaves per level (index 1..levels): 4K, 2M, 1G
 * @nr_tables: table pages linked in, the root included
 * @nr_unlinked: tables unlinked whose TLB invalidation has not completed
 */
struct smmu_pgtable {
	const struct smmu_pgtable_ops *ops;
	struct smmu_pgtable_cfg cfg;
	unsigned int levels;
	u64 *root;
	atomic_long_t nr_leaves[SMMU_PT_MAX_LEVELS + 1];
	atomic_long_t nr_tables;
	atomic_long_t nr_unlinked;
};

struct smmu_pgtable *smmu_pgtable_alloc(const struct smmu_pgtable_cfg *cfg,
					gfp_t gfp);
void smmu_pgtable_free(struct smmu_pgtable *pgt);
phys_addr_t smmu_pgtable_root_phys(struct smmu_pgtable *pgt);
u64 smmu_pgtable_mair(void);
void smmu_pgtable_free_gathered(struct list_head *freelist);
void smmu_pgtable_dump(struct smmu_pgtable *pgt, struct seq_file *s);

#endif /* XIOMMU_SMMU_PGTABLE_H */
