// SPDX-License-Identifier: GPL-2.0-only
/*
 * VT-d second-level page-table format. See pgtable.h for the terms and the
 * concurrency rules.
 *
 * A table is one 4 KiB page of 512 64-bit entries. An entry is present
 * when R or W is set (9.8: the hardware treats R=W=0 as not present).
 * Non-leaf entries carry R and W so that the leaf alone decides the access
 * rights (the hardware ANDs the rights of every level). A leaf above
 * level 1 has PS set. Bits 51:12 hold the next table or the page frame;
 * everything else (EMT, IPAT, TM, ignored bits) stays 0, which legacy mode
 * requires.
 */
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

#include <asm/cacheflush.h>
#include <kunit/visibility.h>

#include "pgtable.h"

#define VTD_PT_ENTRIES		512
#define VTD_PT_TABLE_SIZE	SZ_4K

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
	return (iova >> lvl_shift(lvl)) & (VTD_PT_ENTRIES - 1);
}

static inline bool vpte_present(u64 pte)
{
	return pte & (VTD_PTE_R | VTD_PTE_W);
}

static inline bool vpte_leaf(u64 pte, unsigned int lvl)
{
	return lvl == 1 || (pte & VTD_PTE_PS);
}

static inline u64 *vpte_table(u64 pte)
{
	return phys_to_virt(pte & VTD_PTE_ADDR);
}

/* Make CPU writes to page-table memory visible to a non-snooping walker. */
static void pt_sync(struct vtd_pgtable *pgt, void *addr, size_t size)
{
	if (!pgt->cfg.coherent && size)
		clflush_cache_range(addr, size);
}

static inline u64 pt_table_pte(u64 *table)
{
	return virt_to_phys(table) | VTD_PTE_R | VTD_PTE_W;
}

/* A new table, zeroed. */
static u64 *pt_alloc_table(struct vtd_pgtable *pgt, gfp_t gfp)
{
	struct page *page;
	u64 *table;

	BUILD_BUG_ON(PAGE_SIZE != VTD_PT_TABLE_SIZE);
	page = alloc_page(gfp | __GFP_ZERO);
	if (!page)
		return NULL;
	/* The walker only sees cfg.oas address bits. */
	if (pgt->cfg.oas < 64 && (page_to_phys(page) >> pgt->cfg.oas)) {
		__free_page(page);
		return NULL;
	}
	table = page_address(page);
	pt_sync(pgt, table, VTD_PT_TABLE_SIZE);
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
 * vtd_pgtable_free_gathered() - free the tables an unmap gathered
 * @freelist: gather->freelist, after the IOTLB flush
 *
 * Context: any; the pages are released after an RCU grace period (for
 * the lockless readers: iova_to_phys, force_snoop, the debugfs dump).
 */
void vtd_pgtable_free_gathered(struct list_head *freelist)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, freelist, lru) {
		list_del(&page->lru);
		call_rcu(&page->rcu_head, pt_free_rcu);
	}
}
EXPORT_SYMBOL_IF_KUNIT(vtd_pgtable_free_gathered);

/* Free @table (at level @lvl) and every table below it, now. */
static void pt_free_tree(struct vtd_pgtable *pgt, u64 *table, unsigned int lvl)
{
	unsigned int i;

	for (i = 0; lvl > 1 && i < VTD_PT_ENTRIES; i++) {
		u64 pte = READ_ONCE(table[i]);

		if (vpte_present(pte) && !vpte_leaf(pte, lvl))
			pt_free_tree(pgt, vpte_table(pte), lvl - 1);
	}
	atomic_long_dec(&pgt->nr_tables);
	free_page((unsigned long)table);
}

/*
 * For map: the table under the entry for @iova in @parent (level @lvl),
 * installed if missing. Two maps of disjoint ranges in one new table may
 * both get here: cmpxchg lets one install it, the other frees its own
 * (never linked, nobody saw it) and uses the winner's.
 * ERR_PTR(-EEXIST) if a leaf is there.
 */
static u64 *pt_next_table(struct vtd_pgtable *pgt, u64 *parent,
			  unsigned int lvl, unsigned long iova, gfp_t gfp)
{
	u64 *ptep = &parent[lvl_idx(iova, lvl)];
	u64 pte = READ_ONCE(*ptep), old;
	u64 *new;

	if (!vpte_present(pte)) {
		new = pt_alloc_table(pgt, gfp);
		if (!new)
			return ERR_PTR(-ENOMEM);
		old = cmpxchg64(ptep, pte, pt_table_pte(new));
		if (old == pte) {
			pt_sync(pgt, ptep, sizeof(*ptep));
			return new;
		}
		atomic_long_dec(&pgt->nr_tables);
		free_page((unsigned long)new);
		pte = old;
	}
	if (vpte_leaf(pte, lvl))
		return ERR_PTR(-EEXIST);
	return vpte_table(pte);
}

/* True if a leaf is present anywhere under @table (level @lvl). */
static bool pt_has_leaf(u64 *table, unsigned int lvl)
{
	unsigned int i;

	for (i = 0; i < VTD_PT_ENTRIES; i++) {
		u64 pte = READ_ONCE(table[i]);

		if (!vpte_present(pte))
			continue;
		if (vpte_leaf(pte, lvl) || pt_has_leaf(vpte_table(pte), lvl - 1))
			return true;
	}
	return false;
}

/*
 * Free @table (level @lvl) and its subtree, unlinked and flushed, after an
 * RCU grace period.
 */
static void pt_free_tree_deferred(struct vtd_pgtable *pgt, u64 *table,
				  unsigned int lvl)
{
	unsigned int i;

	for (i = 0; lvl > 1 && i < VTD_PT_ENTRIES; i++) {
		u64 pte = READ_ONCE(table[i]);

		if (vpte_present(pte) && !vpte_leaf(pte, lvl))
			pt_free_tree_deferred(pgt, vpte_table(pte), lvl - 1);
	}
	atomic_long_dec(&pgt->nr_tables);
	pt_free_table_deferred(table);
}

static int pt_map_pages(struct vtd_pgtable *pgt, unsigned long iova,
			phys_addr_t paddr, size_t pgsize, size_t pgcount,
			int prot, gfp_t gfp, size_t *mapped)
{
	unsigned int leaf_lvl, lvl, idx, n, i;
	u64 bits = 0;
	size_t left;

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

	if (prot & XIOMMU_READ)
		bits |= VTD_PTE_R;
	if (prot & XIOMMU_WRITE)
		bits |= VTD_PTE_W;
	if (!bits)
		return -EINVAL;
	if (READ_ONCE(pgt->force_snoop))
		bits |= VTD_PTE_SNP;
	leaf_lvl = (__ffs(pgsize) - 12) / 9 + 1;
	if (leaf_lvl > 1)
		bits |= VTD_PTE_PS;

	while (left) {
		u64 *table = pgt->root;

		for (lvl = pgt->cfg.levels; lvl > leaf_lvl; lvl--) {
			table = pt_next_table(pgt, table, lvl, iova, gfp);
			if (IS_ERR(table))
				return PTR_ERR(table);
		}
		idx = lvl_idx(iova, leaf_lvl);
		n = min_t(size_t, VTD_PT_ENTRIES - idx, left / pgsize);
		for (i = 0; i < n; i++) {
			u64 *ptep = &table[idx + i];
			u64 pte = READ_ONCE(*ptep);

			/* A leaf, or a table holding one: refused. */
			if (vpte_present(pte) &&
			    (vpte_leaf(pte, leaf_lvl) ||
			     pt_has_leaf(vpte_table(pte), leaf_lvl - 1)))
				break;
			WRITE_ONCE(*ptep, (paddr & VTD_PTE_ADDR) | bits);
			if (vpte_present(pte)) {
				/*
				 * A superpage in place of a table left empty
				 * (kept by partial unmaps): the range covers
				 * its span, so nobody else is in it. The walk
				 * caches may hold it: flush, then free.
				 */
				pt_sync(pgt, ptep, sizeof(*ptep));
				pgt->cfg.tlb->flush_walk(pgt->cfg.cookie,
							 iova, pgsize);
				pt_free_tree_deferred(pgt, vpte_table(pte),
						      leaf_lvl - 1);
			}
			iova += pgsize;
			paddr += pgsize;
			left -= pgsize;
			*mapped += pgsize;
		}
		pt_sync(pgt, &table[idx], i * sizeof(u64));
		atomic_long_add(i, &pgt->nr_leaves[leaf_lvl]);
		if (i < n)
			return -EEXIST;
	}
	return 0;
}

/*
 * Clear the leaves of [iova, end) under @table (level @lvl). A lower
 * table whose whole span the range covers is unlinked and gathered (its
 * subtree first), the gather widened to its span; a table the range
 * covers in part stays, even if left empty. Returns the bytes of leaves
 * cleared.
 */
static size_t pt_unmap_level(struct vtd_pgtable *pgt, u64 *table,
			     unsigned int lvl, unsigned long iova,
			     unsigned long end, struct xiommu_iotlb_gather *gather)
{
	unsigned long sz = lvl_size(lvl);
	unsigned int first = VTD_PT_ENTRIES, last = 0;
	unsigned long addr, next;
	size_t cleared = 0;

	for (addr = iova; addr < end; addr = next) {
		unsigned long slot = addr & ~(sz - 1);
		unsigned int idx = lvl_idx(addr, lvl);
		u64 *ptep = &table[idx];
		u64 pte = READ_ONCE(*ptep);
		bool covered;

		next = min(slot + sz, end);
		if (!vpte_present(pte))
			continue;
		covered = addr == slot && next == slot + sz;
		if (!vpte_leaf(pte, lvl)) {
			u64 *sub = vpte_table(pte);

			cleared += pt_unmap_level(pgt, sub, lvl - 1, addr, next,
						  gather);
			if (!covered)
				continue;
			/*
			 * Nobody else is in a table this unmap covers
			 * (pgtable.h). The IOTLB flush of its span, which
			 * page-selective invalidation (IH = 0) extends to the
			 * walk caches, comes before the free.
			 */
			WRITE_ONCE(*ptep, 0);
			first = min(first, idx);
			last = max(last, idx);
			atomic_long_dec(&pgt->nr_tables);
			list_add_tail(&virt_to_page(sub)->lru, &gather->freelist);
			xiommu_iotlb_gather_add(gather, slot, sz);
			continue;
		}
		/* The core never cuts a leaf in two; clear it anyway. */
		WARN_ON_ONCE(!covered);
		WRITE_ONCE(*ptep, 0);
		atomic_long_dec(&pgt->nr_leaves[lvl]);
		cleared += sz;
		if (sz > gather->pgsize)
			gather->pgsize = sz;
		first = min(first, idx);
		last = max(last, idx);
	}
	if (first <= last)
		pt_sync(pgt, &table[first], (last - first + 1) * sizeof(u64));
	return cleared;
}

static size_t pt_unmap_pages(struct vtd_pgtable *pgt, unsigned long iova,
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
	cleared = pt_unmap_level(pgt, pgt->root, pgt->cfg.levels, iova, end,
				 gather);
	if (cleared)
		xiommu_iotlb_gather_add(gather, iova, end - iova);
	return cleared;
}

static phys_addr_t pt_iova_to_phys(struct vtd_pgtable *pgt, unsigned long iova)
{
	u64 *table = pgt->root;
	unsigned int lvl;

	phys_addr_t phys = 0;

	if (iova >> pgt->cfg.ias)
		return 0;
	/* A table on the way may be freed by an unmap covering it. */
	rcu_read_lock();
	for (lvl = pgt->cfg.levels; lvl; lvl--) {
		u64 pte = READ_ONCE(table[lvl_idx(iova, lvl)]);

		if (!vpte_present(pte))
			break;
		if (vpte_leaf(pte, lvl)) {
			phys = (pte & VTD_PTE_ADDR &
				~(u64)(lvl_size(lvl) - 1)) |
			       (iova & (lvl_size(lvl) - 1));
			break;
		}
		table = vpte_table(pte);
	}
	rcu_read_unlock();
	return phys;
}

static const struct vtd_pgtable_ops vtd_pgtable_ops = {
	.map_pages = pt_map_pages,
	.unmap_pages = pt_unmap_pages,
	.iova_to_phys = pt_iova_to_phys,
};

/**
 * vtd_pgtable_alloc() - allocate an empty page table
 * @cfg: configuration, copied; @cfg->tlb->flush_walk is required
 * @gfp: allocation flags for the structure and the root table
 *
 * Return: the table, ERR_PTR(-EINVAL) for an impossible @cfg or
 * ERR_PTR(-ENOMEM).
 */
struct vtd_pgtable *vtd_pgtable_alloc(const struct vtd_pgtable_cfg *cfg,
				      gfp_t gfp)
{
	struct vtd_pgtable *pgt;

	if (cfg->levels < 2 || cfg->levels > VTD_PT_MAX_LEVELS ||
	    !cfg->ias || cfg->ias > lvl_shift(cfg->levels) + 9 ||
	    cfg->ias >= BITS_PER_LONG || !cfg->oas ||
	    !(cfg->pgsize_bitmap & SZ_4K) || !cfg->tlb ||
	    !cfg->tlb->flush_walk)
		return ERR_PTR(-EINVAL);
	/* Leaves exist at levels 1..3 only (4K, 2M, 1G), and below the top. */
	if (cfg->pgsize_bitmap & ~(unsigned long)(SZ_4K | SZ_2M | SZ_1G))
		return ERR_PTR(-EINVAL);

	pgt = kzalloc(sizeof(*pgt), gfp);
	if (!pgt)
		return ERR_PTR(-ENOMEM);
	pgt->ops = &vtd_pgtable_ops;
	pgt->cfg = *cfg;
	pgt->root = pt_alloc_table(pgt, gfp);
	if (!pgt->root) {
		kfree(pgt);
		return ERR_PTR(-ENOMEM);
	}
	return pgt;
}
EXPORT_SYMBOL_IF_KUNIT(vtd_pgtable_alloc);

/**
 * vtd_pgtable_free() - free a page table and every table in it
 * @pgt: the table; no hardware may use it any more (IOTLB flushed) and no
 *	other thread may be inside it
 */
void vtd_pgtable_free(struct vtd_pgtable *pgt)
{
	pt_free_tree(pgt, pgt->root, pgt->cfg.levels);
	kfree(pgt);
}
EXPORT_SYMBOL_IF_KUNIT(vtd_pgtable_free);

/**
 * vtd_pgtable_root_phys() - physical address of the top-level table
 * @pgt: the table
 *
 * Return: the address for a context entry's second-level table pointer.
 */
phys_addr_t vtd_pgtable_root_phys(struct vtd_pgtable *pgt)
{
	return virt_to_phys(pgt->root);
}
EXPORT_SYMBOL_IF_KUNIT(vtd_pgtable_root_phys);

static void pt_snoop_level(struct vtd_pgtable *pgt, u64 *table,
			   unsigned int lvl)
{
	unsigned int i;

	for (i = 0; i < VTD_PT_ENTRIES; i++) {
		u64 pte = READ_ONCE(table[i]);

		if (!vpte_present(pte))
			continue;
		if (!vpte_leaf(pte, lvl)) {
			pt_snoop_level(pgt, vpte_table(pte), lvl - 1);
			continue;
		}
		/* A concurrent unmap may have cleared it: then leave it. */
		if (!(pte & VTD_PTE_SNP) &&
		    cmpxchg64(&table[i], pte, pte | VTD_PTE_SNP) == pte)
			pt_sync(pgt, &table[i], sizeof(u64));
	}
}

/**
 * vtd_pgtable_force_snoop() - make every present and future leaf snoop
 * @pgt: the table
 *
 * Sets SNP in the leaves already present and in every later one. The
 * caller flushes the IOTLB afterwards if leaves were present.
 *
 * Return: false if the hardware has no snoop control (cfg.snoop_ctl).
 */
bool vtd_pgtable_force_snoop(struct vtd_pgtable *pgt)
{
	if (!pgt->cfg.snoop_ctl)
		return false;
	WRITE_ONCE(pgt->force_snoop, true);
	rcu_read_lock();
	pt_snoop_level(pgt, pgt->root, pgt->cfg.levels);
	rcu_read_unlock();
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(vtd_pgtable_force_snoop);

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
		   run->flags & VTD_PTE_R ? 'r' : '-',
		   run->flags & VTD_PTE_W ? 'w' : '-',
		   run->flags & VTD_PTE_SNP ? " snp" : "",
		   run->nr, lvl_size(run->lvl) >> 10);
	run->len = 0;
}

static void pt_dump_level(struct seq_file *s, u64 *table, unsigned int lvl,
			  unsigned long base, struct pt_dump_run *run)
{
	const u64 flags_mask = VTD_PTE_R | VTD_PTE_W | VTD_PTE_SNP;
	unsigned int i;

	for (i = 0; i < VTD_PT_ENTRIES; i++) {
		unsigned long iova = base + i * lvl_size(lvl);
		u64 pte = READ_ONCE(table[i]);
		u64 phys;

		if (!vpte_present(pte))
			continue;
		if (!vpte_leaf(pte, lvl)) {
			pt_dump_level(s, vpte_table(pte), lvl - 1, iova, run);
			continue;
		}
		phys = pte & VTD_PTE_ADDR;
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
 * vtd_pgtable_dump() - print the table's leaves, merged into runs
 * @pgt: the table; the caller keeps it alive (not freed) during the call
 * @s: seq_file to print to
 *
 * Safe against concurrent map/unmap: unlinked tables are freed only after
 * an RCU grace period. Output: one line per run of leaves contiguous in
 * IOVA and physical address with equal rights and size.
 */
void vtd_pgtable_dump(struct vtd_pgtable *pgt, struct seq_file *s)
{
	struct pt_dump_run run = {};

	rcu_read_lock();
	pt_dump_level(s, pgt->root, pgt->cfg.levels, 0, &run);
	pt_dump_flush(s, &run);
	rcu_read_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(vtd_pgtable_dump);
