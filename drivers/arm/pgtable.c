// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arm stage-1 translation tables (VMSAv8-64, 4 KiB granule) for the SMMUv3
 * driver. See pgtable.h for the terms and the concurrency rules; the table
 * management (use counts, unlinking, deferred freeing) is the one the VT-d
 * format had before issue 11 (drivers/intel/pgtable.c now frees only the
 * tables an unmap covers, Documentation/vtd.md says why).
 *
 * A table is one 4 KiB page of 512 64-bit descriptors. A descriptor is
 * valid when bit 0 is set. At levels 2..4 bit 1 set means "table" (bits
 * 47:12 the next table's address), clear means "block" (levels 2 and 3
 * only: 2 MiB and 1 GiB); at level 1 a valid descriptor must have bit 1
 * set ("page"). Leaves carry AF (no access-flag faults: the SMMU has no
 * hardware access-flag update here), AP[1] (PCIe requests are
 * unprivileged), AP[2] for read-only mappings, nG (translations are
 * tagged with the context descriptor's ASID), inner-shareable Write-Back
 * attributes for XIOMMU_CACHE and Non-cacheable ones otherwise (attribute
 * indexes into the MAIR of smmu_pgtable_mair()). Table descriptors carry
 * no attribute or permission limits (APTable, XNTable, NSTable 0).
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <kunit/visibility.h>

#include "pgtable.h"

#define SMMU_PT_ENTRIES		512
#define SMMU_PT_TABLE_SIZE	SZ_4K

static inline unsigned int lvl_shift(unsigned int lvl)
{
	return 12 + 9 * (lvl - 1);
}

static inline unsigned long lvl_size(unsigned int lvl)
{
	return 1UL << lvl_shift(lvl);
}

static inline unsigned int lvl_idx(unsigned long iova, unsigned int lvl)
{
	return (iova >> lvl_shift(lvl)) & (SMMU_PT_ENTRIES - 1);
}

static inline bool apte_present(u64 pte)
{
	return pte & SMMU_PTE_VALID;
}

static inline bool apte_leaf(u64 pte, unsigned int lvl)
{
	return lvl == 1 || !(pte & SMMU_PTE_TABLE);
}

static inline u64 *apte_table(u64 pte)
{
	return phys_to_virt(pte & SMMU_PTE_ADDR);
}

/*
 * The use count of a table: its present entries plus the walkers (map or
 * unmap calls) holding it, plus one for the root, which is never freed.
 * It lives in the table page's struct page, in pt_frag_refcount (the
 * page-table part of struct page; powerpc's fragment count, unused by x86
 * and by anything else for a page we allocated ourselves). It does not
 * overlap lru and rcu_head, which take over once the table is unlinked.
 * A count that reached 0 never rises again: the table is being unlinked.
 */
static inline atomic_t *pt_count(u64 *table)
{
	return &virt_to_page(table)->pt_frag_refcount;
}

static inline u64 pt_table_pte(u64 *table)
{
	return virt_to_phys(table) | SMMU_PTE_TABLE | SMMU_PTE_VALID;
}

/* A new table, zeroed, with a use count of 1 (the caller's reference). */
static u64 *pt_alloc_table(struct smmu_pgtable *pgt, gfp_t gfp)
{
	struct page *page;
	u64 *table;

	BUILD_BUG_ON(PAGE_SIZE != SMMU_PT_TABLE_SIZE);
	page = alloc_page(gfp | __GFP_ZERO);
	if (!page)
		return NULL;
	/* The walker only sees cfg.oas address bits. */
	if (pgt->cfg.oas < 64 && (page_to_phys(page) >> pgt->cfg.oas)) {
		__free_page(page);
		return NULL;
	}
	table = page_address(page);
	atomic_set(pt_count(table), 1);
	atomic_long_inc(&pgt->nr_tables);
	return table;
}

static void pt_free_rcu(struct rcu_head *head)
{
	__free_page(container_of(head, struct page, rcu_head));
}

/* Free an unlinked table after readers under rcu_read_lock() are gone. */
static void pt_free_table_deferred(u64 *table)
{
	struct page *page = virt_to_page(table);

	call_rcu(&page->rcu_head, pt_free_rcu);
}

/**
 * smmu_pgtable_free_gathered() - free the tables an unmap gathered
 * @freelist: gather->freelist, after the IOTLB flush
 *
 * Each page's private field names its page table (set by the unmap that
 * unlinked it), whose nr_unlinked count drops here: from now on a map
 * linking a new table at that place needs no walk-cache flush.
 *
 * Context: any; the pages are released after an RCU grace period.
 */
void smmu_pgtable_free_gathered(struct list_head *freelist)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, freelist, lru) {
		struct smmu_pgtable *pgt = (struct smmu_pgtable *)page->private;

		list_del(&page->lru);
		/* The IOTLB flush that covers it is done. */
		atomic_long_dec(&pgt->nr_unlinked);
		set_page_private(page, 0);
		call_rcu(&page->rcu_head, pt_free_rcu);
	}
}
EXPORT_SYMBOL_IF_KUNIT(smmu_pgtable_free_gathered);

/* Free @table (at level @lvl) and every table below it, now. */
static void pt_free_tree(struct smmu_pgtable *pgt, u64 *table, unsigned int lvl)
{
	unsigned int i;

	for (i = 0; lvl > 1 && i < SMMU_PT_ENTRIES; i++) {
		u64 pte = READ_ONCE(table[i]);

		if (apte_present(pte) && !apte_leaf(pte, lvl))
			pt_free_tree(pgt, apte_table(pte), lvl - 1);
	}
	atomic_long_dec(&pgt->nr_tables);
	free_page((unsigned long)table);
}

/*
 * Take a reference on the table the entry for @iova in @parent (level
 * @lvl, held by the caller) points to. NULL if the entry is not present,
 * is a leaf, or points to a table whose count already reached 0.
 */
static u64 *pt_tryget_table(u64 *parent, unsigned int lvl, unsigned long iova,
			    u64 *ptep_val)
{
	u64 *table = NULL;
	u64 pte;

	/* The table cannot be freed between reading the entry and the inc. */
	rcu_read_lock();
	pte = READ_ONCE(parent[lvl_idx(iova, lvl)]);
	if (apte_present(pte) && !apte_leaf(pte, lvl) &&
	    atomic_inc_not_zero(pt_count(apte_table(pte))))
		table = apte_table(pte);
	rcu_read_unlock();
	*ptep_val = pte;
	return table;
}

/*
 * For map: the table under the entry for @iova in @parent (level @lvl,
 * held by the caller), with a reference taken, installing a new one if
 * the entry is not present or its table is being unlinked (count 0).
 * ERR_PTR(-EEXIST) if a leaf is there.
 */
static u64 *pt_get_table(struct smmu_pgtable *pgt, u64 *parent,
			 unsigned int lvl, unsigned long iova, gfp_t gfp)
{
	u64 *ptep = &parent[lvl_idx(iova, lvl)];
	u64 *table, *new = NULL;
	u64 pte, old;

	for (;;) {
		/*
		 * Read the entry and replace it in one RCU section: a table
		 * seen at count 0 cannot be freed and reused at this entry
		 * (with a count again) before the cmpxchg.
		 */
		rcu_read_lock();
		pte = READ_ONCE(*ptep);
		if (apte_present(pte) && apte_leaf(pte, lvl)) {
			rcu_read_unlock();
			table = ERR_PTR(-EEXIST);
			goto out_free_new;
		}
		if (apte_present(pte) &&
		    atomic_inc_not_zero(pt_count(apte_table(pte)))) {
			rcu_read_unlock();
			table = apte_table(pte);
			goto out_free_new;
		}
		if (!new) {
			/* Missing or dying: allocate, then look again. */
			rcu_read_unlock();
			new = pt_alloc_table(pgt, gfp);
			if (!new)
				return ERR_PTR(-ENOMEM);
			continue;
		}
		old = cmpxchg64(ptep, pte, pt_table_pte(new));
		rcu_read_unlock();
		if (old == pte)
			break;
		/* A concurrent map or unlink changed the entry: look again. */
	}
	if (!apte_present(pte))
		atomic_inc(pt_count(parent));
	/*
	 * The walk caches may still hold the entry pointing to a table just
	 * unlinked (replaced here, or cleared by an unmap whose IOTLB flush
	 * has not happened yet): the new table would not be seen until then.
	 */
	if (apte_present(pte) || atomic_long_read(&pgt->nr_unlinked))
		pgt->cfg.tlb->flush_walk(pgt->cfg.cookie,
					 iova & ~(lvl_size(lvl) - 1),
					 lvl_size(lvl));
	return new;

out_free_new:
	if (new) {
		atomic_long_dec(&pgt->nr_tables);
		free_page((unsigned long)new);
	}
	return table;
}

/*
 * Drop a reference on @table, under the entry for @iova in @parent (level
 * @lvl, held by the caller). The last one unlinks the table: its entry is
 * cleared (unless a map already replaced it) and the table goes to
 * @gather's freelist; without a gather (map) the walk caches are flushed
 * here and the table freed after RCU. Returns true if it was the last.
 */
static bool pt_put_table(struct smmu_pgtable *pgt, u64 *parent,
			 unsigned int lvl, unsigned long iova, u64 *table,
			 struct xiommu_iotlb_gather *gather)
{
	unsigned long base = iova & ~(lvl_size(lvl) - 1);
	u64 *ptep = &parent[lvl_idx(iova, lvl)];
	struct page *page = virt_to_page(table);
	u64 pte = pt_table_pte(table);

	if (!atomic_dec_and_test(pt_count(table)))
		return false;
	/* Before the entry changes: see pt_get_table(). */
	atomic_long_inc(&pgt->nr_unlinked);
	if (cmpxchg64(ptep, pte, 0ULL) == pte) {
		/* The caller holds @parent: this is never its last use. */
		WARN_ON_ONCE(atomic_dec_and_test(pt_count(parent)));
	}
	atomic_long_dec(&pgt->nr_tables);
	if (gather) {
		set_page_private(page, (unsigned long)pgt);
		list_add_tail(&page->lru, &gather->freelist);
		return true;
	}
	pgt->cfg.tlb->flush_walk(pgt->cfg.cookie, base, lvl_size(lvl));
	atomic_long_dec(&pgt->nr_unlinked);
	pt_free_table_deferred(table);
	return true;
}

static int pt_map_pages(struct smmu_pgtable *pgt, unsigned long iova,
			phys_addr_t paddr, size_t pgsize, size_t pgcount,
			int prot, gfp_t gfp, size_t *mapped)
{
	unsigned int leaf_lvl, lvl, idx, n, i;
	u64 bits = 0;
	size_t left;
	int rc = 0;

	*mapped = 0;
	if (!pgcount)
		return 0;
	if (!is_power_of_2(pgsize) || !(pgsize & pgt->cfg.pgsize_bitmap) ||
	    ((iova | paddr) & (pgsize - 1)))
		return -EINVAL;
	if (pgcount > (ULONG_MAX >> __ffs(pgsize)))
		return -EINVAL;
	left = pgsize * pgcount;
	if (iova + left - 1 < iova || ((iova + left - 1) >> pgt->cfg.ias) ||
	    ((u64)(paddr + left - 1) >> pgt->cfg.oas))
		return -EINVAL;

	if (!(prot & (XIOMMU_READ | XIOMMU_WRITE)))
		return -EINVAL;
	bits = SMMU_PTE_VALID | SMMU_PTE_AF | SMMU_PTE_AP_UNPRIV | SMMU_PTE_NG;
	if (!(prot & XIOMMU_WRITE))
		bits |= SMMU_PTE_AP_RDONLY;
	if (prot & XIOMMU_CACHE)
		bits |= FIELD_PREP(SMMU_PTE_ATTRIDX, SMMU_MAIR_IDX_WB) |
			FIELD_PREP(SMMU_PTE_SH, SMMU_PTE_SH_IS);
	else
		bits |= FIELD_PREP(SMMU_PTE_ATTRIDX, SMMU_MAIR_IDX_NC) |
			FIELD_PREP(SMMU_PTE_SH, SMMU_PTE_SH_OS);
	leaf_lvl = (__ffs(pgsize) - 12) / 9 + 1;
	/* Pages at level 1 have bit 1 set, blocks above have it clear. */
	if (leaf_lvl == 1)
		bits |= SMMU_PTE_TABLE;

	while (left) {
		u64 *path[SMMU_PT_MAX_LEVELS + 1];
		unsigned long walk_iova = iova;
		u64 *table = pgt->root;

		/* path[lvl]: the table at level lvl, a reference held. */
		path[pgt->levels] = table;
		for (lvl = pgt->levels; lvl > leaf_lvl; lvl--) {
			table = pt_get_table(pgt, table, lvl, iova, gfp);
			if (IS_ERR(table)) {
				rc = PTR_ERR(table);
				break;
			}
			path[lvl - 1] = table;
		}

		/* Fill as many entries of this table as the range needs. */
		if (!rc) {
			idx = lvl_idx(iova, leaf_lvl);
			n = min_t(size_t, SMMU_PT_ENTRIES - idx, left / pgsize);
			for (i = 0; i < n; i++) {
				u64 *ptep = &table[idx + i];

				/* A leaf, or a table with something in it. */
				if (apte_present(READ_ONCE(*ptep))) {
					rc = -EEXIST;
					break;
				}
				WRITE_ONCE(*ptep, (paddr & SMMU_PTE_ADDR) | bits);
				iova += pgsize;
				paddr += pgsize;
				left -= pgsize;
				*mapped += pgsize;
			}
			atomic_add(i, pt_count(table));
			atomic_long_add(i, &pgt->nr_leaves[leaf_lvl]);
		}
		/* Bottom up: a table left empty by a failure is unlinked. */
		for (; lvl < pgt->levels; lvl++)
			pt_put_table(pgt, path[lvl + 1], lvl + 1, walk_iova,
				     path[lvl], NULL);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Clear the leaves of [iova, end) under @table (level @lvl, whose span
 * contains the range; the caller holds it). Tables left with no present
 * entry are unlinked and added to @gather. Returns the bytes of leaves
 * cleared.
 */
static size_t pt_unmap_level(struct smmu_pgtable *pgt, u64 *table,
			     unsigned int lvl, unsigned long iova,
			     unsigned long end, struct xiommu_iotlb_gather *gather)
{
	unsigned long sz = lvl_size(lvl);
	unsigned long addr, next;
	size_t cleared = 0;

	for (addr = iova; addr < end; addr = next) {
		unsigned long slot = addr & ~(sz - 1);
		unsigned int idx = lvl_idx(addr, lvl);
		u64 *ptep = &table[idx];
		u64 pte = READ_ONCE(*ptep);
		u64 *sub;

		next = min(slot + sz, end);
		if (!apte_present(pte))
			continue;
		if (!apte_leaf(pte, lvl)) {
			/* NULL: emptied and being unlinked by someone else. */
			sub = pt_tryget_table(table, lvl, addr, &pte);
			if (!sub)
				continue;
			cleared += pt_unmap_level(pgt, sub, lvl - 1, addr, next,
						  gather);
			/*
			 * Unlinked: the flush must reach the walk caches'
			 * copy of this entry. A TLBI by VA with Leaf = 0
			 * (IHI 0070 4.4.3) drops the walk-cache entries used
			 * for any address it covers, so [addr, next), inside
			 * the table's span, is enough, even when nothing was
			 * cleared here (a concurrent unmap emptied it).
			 */
			if (pt_put_table(pgt, table, lvl, addr, sub, gather))
				xiommu_iotlb_gather_add(gather, addr,
							next - addr);
			continue;
		}
		/* The core never cuts a leaf in two; clear it anyway. */
		WARN_ON_ONCE(addr != slot || next != slot + sz);
		WRITE_ONCE(*ptep, 0);
		/* The caller holds @table: never its last use. */
		atomic_dec(pt_count(table));
		atomic_long_dec(&pgt->nr_leaves[lvl]);
		cleared += sz;
		if (sz > gather->pgsize)
			gather->pgsize = sz;
	}
	return cleared;
}

static size_t pt_unmap_pages(struct smmu_pgtable *pgt, unsigned long iova,
			     size_t pgsize, size_t pgcount,
			     struct xiommu_iotlb_gather *gather)
{
	unsigned long end, limit = 1UL << pgt->cfg.ias;
	size_t cleared;

	if (!pgsize || !pgcount || iova >= limit)
		return 0;
	if (pgcount > (limit - iova) / pgsize)
		end = limit;
	else
		end = iova + pgsize * pgcount;
	cleared = pt_unmap_level(pgt, pgt->root, pgt->levels, iova, end,
				 gather);
	if (cleared)
		xiommu_iotlb_gather_add(gather, iova, end - iova);
	return cleared;
}

static phys_addr_t pt_iova_to_phys(struct smmu_pgtable *pgt, unsigned long iova)
{
	u64 *table = pgt->root;
	unsigned int lvl;

	phys_addr_t phys = 0;

	if (iova >> pgt->cfg.ias)
		return 0;
	/* A table on the way may be emptied and freed by an unmap nearby. */
	rcu_read_lock();
	for (lvl = pgt->levels; lvl; lvl--) {
		u64 pte = READ_ONCE(table[lvl_idx(iova, lvl)]);

		if (!apte_present(pte))
			break;
		if (apte_leaf(pte, lvl)) {
			phys = (pte & SMMU_PTE_ADDR &
				~(u64)(lvl_size(lvl) - 1)) |
			       (iova & (lvl_size(lvl) - 1));
			break;
		}
		table = apte_table(pte);
	}
	rcu_read_unlock();
	return phys;
}

static const struct smmu_pgtable_ops smmu_pgtable_ops = {
	.map_pages = pt_map_pages,
	.unmap_pages = pt_unmap_pages,
	.iova_to_phys = pt_iova_to_phys,
};

/**
 * smmu_pgtable_alloc() - allocate an empty page table
 * @cfg: configuration, copied; @cfg->tlb->flush_walk is required
 * @gfp: allocation flags for the structure and the root table
 *
 * Return: the table, ERR_PTR(-EINVAL) for an impossible @cfg or
 * ERR_PTR(-ENOMEM).
 */
struct smmu_pgtable *smmu_pgtable_alloc(const struct smmu_pgtable_cfg *cfg,
					gfp_t gfp)
{
	struct smmu_pgtable *pgt;
	unsigned int levels;

	/* T0SZ 16..39 with a 4 KiB granule (IHI 0070 5.4, CD.T0SZ) */
	if (cfg->ias < 25 || cfg->ias > 48 || cfg->ias >= BITS_PER_LONG ||
	    cfg->oas < 32 || cfg->oas > 48 ||
	    !(cfg->pgsize_bitmap & SZ_4K) || !cfg->tlb ||
	    !cfg->tlb->flush_walk)
		return ERR_PTR(-EINVAL);
	/* Leaves exist at levels 1..3 only (4K, 2M, 1G). */
	if (cfg->pgsize_bitmap & ~(unsigned long)(SZ_4K | SZ_2M | SZ_1G))
		return ERR_PTR(-EINVAL);
	levels = DIV_ROUND_UP(cfg->ias - 12, 9);
	/* A 1 GiB block needs a level-3 table (Arm level 1) to live in. */
	if ((cfg->pgsize_bitmap & SZ_1G) && levels < 3)
		return ERR_PTR(-EINVAL);

	pgt = kzalloc(sizeof(*pgt), gfp);
	if (!pgt)
		return ERR_PTR(-ENOMEM);
	pgt->ops = &smmu_pgtable_ops;
	pgt->cfg = *cfg;
	pgt->levels = levels;
	pgt->root = pt_alloc_table(pgt, gfp);
	if (!pgt->root) {
		kfree(pgt);
		return ERR_PTR(-ENOMEM);
	}
	return pgt;
}
EXPORT_SYMBOL_IF_KUNIT(smmu_pgtable_alloc);

/**
 * smmu_pgtable_free() - free a page table and every table in it
 * @pgt: the table; no hardware may use it any more (IOTLB flushed) and no
 *	other thread may be inside it
 */
void smmu_pgtable_free(struct smmu_pgtable *pgt)
{
	pt_free_tree(pgt, pgt->root, pgt->levels);
	kfree(pgt);
}
EXPORT_SYMBOL_IF_KUNIT(smmu_pgtable_free);

/**
 * smmu_pgtable_root_phys() - physical address of the top-level table
 * @pgt: the table
 *
 * Return: the address for a context entry's second-level table pointer.
 */
phys_addr_t smmu_pgtable_root_phys(struct smmu_pgtable *pgt)
{
	return virt_to_phys(pgt->root);
}
EXPORT_SYMBOL_IF_KUNIT(smmu_pgtable_root_phys);

/**
 * smmu_pgtable_mair() - the MAIR value for a context descriptor
 *
 * Return: the memory attributes the leaves' AttrIndx values refer to
 * (Arm ARM D19.2 MAIR_EL1 encoding): SMMU_MAIR_IDX_WB Normal Inner/Outer
 * Write-Back Read/Write-allocate (0xff), SMMU_MAIR_IDX_NC Normal
 * Non-cacheable (0x44), SMMU_MAIR_IDX_DEV Device-nGnRE (0x04).
 */
u64 smmu_pgtable_mair(void)
{
	return (0xffULL << (8 * SMMU_MAIR_IDX_WB)) |
	       (0x44ULL << (8 * SMMU_MAIR_IDX_NC)) |
	       (0x04ULL << (8 * SMMU_MAIR_IDX_DEV));
}
EXPORT_SYMBOL_IF_KUNIT(smmu_pgtable_mair);

/* A run of leaves contiguous in IOVA and physical address, same rights. */
struct pt_dump_run {
	unsigned long iova;
	u64 phys;
	unsigned long len;
	u64 flags;
	unsigned long nr;
	unsigned int lvl;
};

static void pt_dump_flush(struct seq_file *s, struct pt_dump_run *run)
{
	if (!run->len)
		return;
	seq_printf(s, "  %#014lx-%#014lx -> %#014llx %c%c%s %lu x %luK\n",
		   run->iova, run->iova + run->len - 1, run->phys,
		   'r',
		   run->flags & SMMU_PTE_AP_RDONLY ? '-' : 'w',
		   FIELD_GET(SMMU_PTE_ATTRIDX, run->flags) ==
		   SMMU_MAIR_IDX_WB ? " wb" : " nc",
		   run->nr, lvl_size(run->lvl) >> 10);
	run->len = 0;
}

static void pt_dump_level(struct seq_file *s, u64 *table, unsigned int lvl,
			  unsigned long base, struct pt_dump_run *run)
{
	const u64 flags_mask = SMMU_PTE_AP_RDONLY | SMMU_PTE_ATTRIDX;
	unsigned int i;

	for (i = 0; i < SMMU_PT_ENTRIES; i++) {
		unsigned long iova = base + i * lvl_size(lvl);
		u64 pte = READ_ONCE(table[i]);
		u64 phys;

		if (!apte_present(pte))
			continue;
		if (!apte_leaf(pte, lvl)) {
			pt_dump_level(s, apte_table(pte), lvl - 1, iova, run);
			continue;
		}
		phys = pte & SMMU_PTE_ADDR;
		if (run->len && run->lvl == lvl &&
		    run->iova + run->len == iova &&
		    run->phys + run->len == phys &&
		    run->flags == (pte & flags_mask)) {
			run->len += lvl_size(lvl);
			run->nr++;
			continue;
		}
		pt_dump_flush(s, run);
		run->iova = iova;
		run->phys = phys;
		run->len = lvl_size(lvl);
		run->flags = pte & flags_mask;
		run->nr = 1;
		run->lvl = lvl;
	}
}

/**
 * smmu_pgtable_dump() - print the table's leaves, merged into runs
 * @pgt: the table; the caller keeps it alive (not freed) during the call
 * @s: seq_file to print to
 *
 * Safe against concurrent map/unmap: unlinked tables are freed only after
 * an RCU grace period. Output: one line per run of leaves contiguous in
 * IOVA and physical address with equal rights and size.
 */
void smmu_pgtable_dump(struct smmu_pgtable *pgt, struct seq_file *s)
{
	struct pt_dump_run run = {};

	rcu_read_lock();
	pt_dump_level(s, pgt->root, pgt->levels, 0, &run);
	pt_dump_flush(s, &run);
	rcu_read_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(smmu_pgtable_dump);
