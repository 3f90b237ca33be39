/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VT-d second-level page-table format (VT-d spec 9.8, "Second-Stage Paging
 * Entries"; "Second-Level" in rev 3.x), behind a small ops table.
 *
 * This file and pgtable.c know the in-memory format only: no registers, no
 * domain ids. Whatever needs the hardware (an IOTLB flush before a page
 * table may be freed) goes through the vtd_pgtable_tlb_ops the owner passes
 * in, so the format can be exercised by KUnit with fake callbacks.
 *
 * Terms: level 1 tables hold 4 KiB leaves, level 2 entries map 2 MiB
 * (leaf with PS=1) or point to a level 1 table, level 3 entries 1 GiB, and
 * so on up to cfg.levels (3: 39-bit, 4: 48-bit, 5: 57-bit IOVA space).
 * "last" is inclusive, "end" exclusive.
 *
 * Table memory: a lower-level table is unlinked (its parent entry cleared)
 * as soon as it holds no present entry, whichever unmap empties it, at
 * every level but the root; it goes to the unmap's gather freelist (the
 * gather then always covers part of the table's span: enough for the
 * page-selective flush, IH = 0, to drop the cached parent entry), and is
 * freed by
 * vtd_pgtable_free_gathered() after the IOTLB flush, then an RCU grace
 * period. So at rest every linked table leads to at least one leaf, and
 * the root is the only table of an empty page table. Each table page
 * carries a use count (struct page pt_frag_refcount, see pgtable.c):
 * present entries plus walkers holding it.
 *
 * Concurrency (the contract of include/xiommu/driver.h): map, unmap and
 * iova_to_phys may run at the same time on disjoint IOVA ranges, and the
 * core does run them so: src/iommufd/io_pagetable.c maps into the domains holding
 * only iopt->domains_rwsem for read, while an unmap holds domains_rwsem
 * for read and iova_rwsem for write, so a map and an unmap of one domain
 * are not serialised. Disjoint ranges may share a table, so map and unmap
 * take a reference on each table they walk into (atomic_inc_not_zero
 * under rcu_read_lock(), so a table being freed is never revived) and drop
 * it on the way out; whoever drops the count to 0 unlinks the table, with
 * cmpxchg. A map that finds an entry whose table is at 0 installs a new
 * table in its place with cmpxchg (the old one is still unlinked and freed
 * by its last user). Because the walk caches may still point to a table
 * just unlinked until the unmap's IOTLB flush, a map that installs a table
 * while any unlinked table awaits its flush (nr_unlinked) flushes that
 * entry's span with flush_walk. A map that fails after installing an
 * empty table unlinks it the same way, flushing with flush_walk itself.
 * Unlinked tables are freed after an RCU grace period, which lets debugfs
 * and iova_to_phys walk a live table under rcu_read_lock().
 */
#ifndef XIOMMU_VTD_PGTABLE_H
#define XIOMMU_VTD_PGTABLE_H

#include <linux/atomic.h>
#include <linux/types.h>

#include <xiommu/driver.h>

struct seq_file;
struct vtd_pgtable;

#define VTD_PT_MAX_LEVELS	5

/* Second-level paging entry bits (9.8) */
#define VTD_PTE_R		BIT_ULL(0)	/* read */
#define VTD_PTE_W		BIT_ULL(1)	/* write */
#define VTD_PTE_PS		BIT_ULL(7)	/* page size: leaf above level 1 */
#define VTD_PTE_SNP		BIT_ULL(11)	/* snoop (needs ECAP.SC) */
#define VTD_PTE_ADDR		GENMASK_ULL(51, 12)

/**
 * struct vtd_pgtable_tlb_ops - hardware callbacks of a page table
 * @flush_walk: invalidate the IOTLB and the paging-structure caches for
 *	[@iova, @iova + @size) and wait for completion. Called by map when it
 *	links a table where the walk caches may still hold an unlinked one,
 *	and before it frees an empty table it linked itself and left unused
 *	(failure). May be called in any context map_pages is.
 */
struct vtd_pgtable_tlb_ops {
	void (*flush_walk)(void *cookie, unsigned long iova, size_t size);
};

/**
 * struct vtd_pgtable_cfg - page-table configuration
 * @levels: paging levels (3, 4 or 5; the context entry's AW field)
 * @ias: IOVA bits translated (map refuses IOVAs at or above 1 << @ias);
 *	at most 12 + 9 * @levels
 * @oas: output (host physical) address bits; map refuses addresses above,
 *	and page-table pages above are not used
 * @pgsize_bitmap: leaf sizes allowed: SZ_4K, plus SZ_2M and SZ_1G when the
 *	hardware supports those superpages (CAP.SLLPS)
 * @coherent: hardware page walks snoop the CPU caches (ECAP.C); if false,
 *	every entry written is flushed from the CPU caches (clflush)
 * @snoop_ctl: the SNP bit may be set in leaves (ECAP.SC); otherwise SNP is
 *	a reserved bit and must stay 0
 * @tlb: hardware callbacks
 * @cookie: passed to @tlb callbacks
 */
struct vtd_pgtable_cfg {
	unsigned int levels;
	unsigned int ias;
	unsigned int oas;
	unsigned long pgsize_bitmap;
	bool coherent;
	bool snoop_ctl;
	const struct vtd_pgtable_tlb_ops *tlb;
	void *cookie;
	/* TEMPORARY, measurement: free only tables an unmap covers */
	bool simple_free;
};

/**
 * struct vtd_pgtable_ops - operations on a page table
 * @map_pages: map @pgcount leaves of @pgsize bytes from @iova to @paddr
 *	with @prot (XIOMMU_READ / XIOMMU_WRITE; XIOMMU_CACHE needs no bit on
 *	VT-d). Sets *@mapped to the bytes mapped, also on failure. Returns 0,
 *	-EINVAL (bad size, alignment, range or no permission), -EEXIST (a
 *	leaf is present in the range) or -ENOMEM.
 * @unmap_pages: clear every leaf in [@iova, @iova + @pgsize * @pgcount),
 *	unlink and gather the tables left with no present entry, widen
 *	@gather to the range (also when a table was gathered but no leaf
 *	cleared); returns the bytes of the leaves cleared. Never allocates.
 * @iova_to_phys: translate @iova, 0 if not mapped
 */
struct vtd_pgtable_ops {
	int (*map_pages)(struct vtd_pgtable *pgt, unsigned long iova,
			 phys_addr_t paddr, size_t pgsize, size_t pgcount,
			 int prot, gfp_t gfp, size_t *mapped);
	size_t (*unmap_pages)(struct vtd_pgtable *pgt, unsigned long iova,
			      size_t pgsize, size_t pgcount,
			      struct xiommu_iotlb_gather *gather);
	phys_addr_t (*iova_to_phys)(struct vtd_pgtable *pgt,
				    unsigned long iova);
};

/**
 * struct vtd_pgtable - one second-level page table
 * @ops: its operations
 * @cfg: configuration (copied at allocation)
 * @root: top-level table (cfg.levels)
 * @force_snoop: new leaves get SNP (vtd_pgtable_force_snoop())
 * @nr_leaves: present leaves per level (index 1..levels): 4K, 2M, 1G, ...
 * @nr_tables: page-table pages linked in, the root included
 * @nr_unlinked: tables unlinked whose IOTLB flush has not completed yet
 *	(gathered, not yet passed to vtd_pgtable_free_gathered())
 */
struct vtd_pgtable {
	const struct vtd_pgtable_ops *ops;
	struct vtd_pgtable_cfg cfg;
	u64 *root;
	bool force_snoop;
	atomic_long_t nr_leaves[VTD_PT_MAX_LEVELS + 1];
	atomic_long_t nr_tables;
	atomic_long_t nr_unlinked;
};

struct vtd_pgtable *vtd_pgtable_alloc(const struct vtd_pgtable_cfg *cfg,
				      gfp_t gfp);
void vtd_pgtable_free(struct vtd_pgtable *pgt);
phys_addr_t vtd_pgtable_root_phys(struct vtd_pgtable *pgt);
bool vtd_pgtable_force_snoop(struct vtd_pgtable *pgt);
void vtd_pgtable_free_gathered(struct list_head *freelist);
void vtd_pgtable_dump(struct vtd_pgtable *pgt, struct seq_file *s);

#endif /* XIOMMU_VTD_PGTABLE_H */
