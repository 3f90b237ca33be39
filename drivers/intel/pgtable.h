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
 * Table memory: a lower-level table is freed only by an unmap that covers
 * the whole range it translates (its span: 2 MiB for a leaf table, 1 GiB
 * for a level-2 table, ...), whether or not leaves are left in it before
 * (none are: the core unmaps only what it mapped), or when a superpage is
 * mapped where it is and it holds no leaf. A table an unmap covers in part
 * stays, even if it is left empty, until a covering unmap, a superpage or
 * vtd_pgtable_free(); the next map there finds it. An unmap unlinks the
 * tables it covers (parent entry cleared) into its gather's freelist,
 * widening the gather to their span (the page-selective flush, IH = 0,
 * then drops the cached parent entries too), and
 * vtd_pgtable_free_gathered() frees them after the IOTLB flush, then an
 * RCU grace period. No per-table use count: Documentation/vtd.md has the
 * measurements against the use-count scheme it replaced.
 *
 * Concurrency (the contract of include/xiommu/driver.h): map, unmap and
 * iova_to_phys may run at the same time on disjoint IOVA ranges, and the
 * core does run them so: src/iommufd/io_pagetable.c maps into the domains
 * holding only iopt->domains_rwsem for read, after reserving the range as
 * an area under iova_rwsem; an unmap holds iova_rwsem for write across
 * the domain unmaps and their IOTLB flush, for areas wholly inside its
 * range. So the area tree, under iova_rwsem, keeps the ranges of a
 * concurrent map and unmap apart, and an unmapped range is reused only
 * after its flush. What that leaves to the format:
 *  - a table an unmap covers, or a superpage covers, lies inside that
 *    call's range: no other map or unmap is in it, so it is unlinked and
 *    freed without any count or lock;
 *  - two maps of disjoint ranges may need the same new table: it is
 *    installed with cmpxchg, once; the loser frees its own copy;
 *  - lockless readers (iova_to_phys, force_snoop, the debugfs dump) walk
 *    under rcu_read_lock(): tables are freed after a grace period.
 * Since a freed table's span is reused only after the unmap's IOTLB flush,
 * a map that installs a table needs no walk-cache flush; replacing an
 * empty table by a superpage flushes its span (flush_walk) before the
 * table is freed.
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
 *	[@iova, @iova + @size) and wait for completion. Called by map when a
 *	superpage replaced an empty table, before the table is freed. May be
 *	called in any context map_pages is.
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
};

/**
 * struct vtd_pgtable_ops - operations on a page table
 * @map_pages: map @pgcount leaves of @pgsize bytes from @iova to @paddr
 *	with @prot (XIOMMU_READ / XIOMMU_WRITE; XIOMMU_CACHE needs no bit on
 *	VT-d). Sets *@mapped to the bytes mapped, also on failure. Returns 0,
 *	-EINVAL (bad size, alignment, range or no permission), -EEXIST (a
 *	leaf is present in the range) or -ENOMEM. Tables it installed stay
 *	on failure (empty, freed as pgtable.h says).
 * @unmap_pages: clear every leaf in [@iova, @iova + @pgsize * @pgcount),
 *	unlink and gather the tables whose whole span the range covers, widen
 *	@gather to the range (to each gathered table's span when no leaf was
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
 */
struct vtd_pgtable {
	const struct vtd_pgtable_ops *ops;
	struct vtd_pgtable_cfg cfg;
	u64 *root;
	bool force_snoop;
	atomic_long_t nr_leaves[VTD_PT_MAX_LEVELS + 1];
	atomic_long_t nr_tables;
};

struct vtd_pgtable *vtd_pgtable_alloc(const struct vtd_pgtable_cfg *cfg,
				      gfp_t gfp);
void vtd_pgtable_free(struct vtd_pgtable *pgt);
phys_addr_t vtd_pgtable_root_phys(struct vtd_pgtable *pgt);
bool vtd_pgtable_force_snoop(struct vtd_pgtable *pgt);
void vtd_pgtable_free_gathered(struct list_head *freelist);
void vtd_pgtable_dump(struct vtd_pgtable *pgt, struct seq_file *s);

#endif /* XIOMMU_VTD_PGTABLE_H */
