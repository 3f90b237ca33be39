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
	return virt_to_phys(table) | VTD_PTE_R | VTD_PTE_W;
}

/* A new table, zeroed, with a use count of 1 (the caller's reference). */
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
	atomic_set(pt_count(table), 1);
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
 * Each page's private field names its page table (set by the unmap that
 * unlinked it), whose nr_unlinked count drops here: from now on a map
 * linking a new table at that place needs no walk-cache flush.
 *
 * Context: any; the pages are released after an RCU grace period.
 */
void vtd_pgtable_free_gathered(struct list_head *freelist)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, freelist, lru) {
		struct vtd_pgtable *pgt = (struct vtd_pgtable *)page->private;

		list_del(&page->lru);
		/* The IOTLB flush that covers it is done. */
		atomic_long_dec(&pgt->nr_unlinked);
		set_page_private(page, 0);
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
	if (vpte_present(pte) && !vpte_leaf(pte, lvl) &&
	    atomic_inc_not_zero(pt_count(vpte_table(pte))))
		table = vpte_table(pte);
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
static u64 *pt_get_table(struct vtd_pgtable *pgt, u64 *parent,
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
		if (vpte_present(pte) && vpte_leaf(pte, lvl)) {
			rcu_read_unlock();
			table = ERR_PTR(-EEXIST);
			goto out_free_new;
		}
		if (vpte_present(pte) &&
		    atomic_inc_not_zero(pt_count(vpte_table(pte)))) {
			rcu_read_unlock();
			table = vpte_table(pte);
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
	pt_sync(pgt, ptep, sizeof(*ptep));
	if (!vpte_present(pte))
		atomic_inc(pt_count(parent));
	/*
	 * The walk caches may still hold the entry pointing to a table just
	 * unlinked (replaced here, or cleared by an unmap whose IOTLB flush
	 * has not happened yet): the new table would not be seen until then.
	 */
	if (vpte_present(pte) || atomic_long_read(&pgt->nr_unlinked))
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
static bool pt_put_table(struct vtd_pgtable *pgt, u64 *parent,
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
		pt_sync(pgt, ptep, sizeof(*ptep));
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

static int pt_map_pages(struct vtd_pgtable *pgt, unsigned long iova,
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
		u64 *path[VTD_PT_MAX_LEVELS + 1];
		unsigned long walk_iova = iova;
		u64 *table = pgt->root;

		/* path[lvl]: the table at level lvl, a reference held. */
		path[pgt->cfg.levels] = table;
		for (lvl = pgt->cfg.levels; lvl > leaf_lvl; lvl--) {
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
			n = min_t(size_t, VTD_PT_ENTRIES - idx, left / pgsize);
			for (i = 0; i < n; i++) {
				u64 *ptep = &table[idx + i];

				/* A leaf, or a table with something in it. */
				if (vpte_present(READ_ONCE(*ptep))) {
					rc = -EEXIST;
					break;
				}
				WRITE_ONCE(*ptep, (paddr & VTD_PTE_ADDR) | bits);
				iova += pgsize;
				paddr += pgsize;
				left -= pgsize;
				*mapped += pgsize;
			}
			pt_sync(pgt, &table[idx], i * sizeof(u64));
			atomic_add(i, pt_count(table));
			atomic_long_add(i, &pgt->nr_leaves[leaf_lvl]);
		}
		/* Bottom up: a table left empty by a failure is unlinked. */
		for (; lvl < pgt->cfg.levels; lvl++)
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
		u64 *sub;

		next = min(slot + sz, end);
		if (!vpte_present(pte))
			continue;
		if (!vpte_leaf(pte, lvl)) {
			/* NULL: emptied and being unlinked by someone else. */
			sub = pt_tryget_table(table, lvl, addr, &pte);
			if (!sub)
				continue;
			cleared += pt_unmap_level(pgt, sub, lvl - 1, addr, next,
						  gather);
			/*
			 * Unlinked: the flush must reach the walk caches'
			 * copy of this entry. Page-selective invalidation
			 * (IH = 0) drops the non-leaf entries used for any
			 * address it covers, so [addr, next), inside the
			 * table's span, is enough, even when nothing was
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
	/* A table on the way may be emptied and freed by an unmap nearby. */
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

/* ---- covered-only freeing (measurement variant) ---- */

/* Free a table never linked (lost an install race): nobody saw it. */
static void pts_free_unused(struct vtd_pgtable *pgt, u64 *table)
{
	atomic_long_dec(&pgt->nr_tables);
	free_page((unsigned long)table);
}

/*
 * For map: the table under the entry for @iova in @parent (level @lvl),
 * installed if missing. Two maps of disjoint ranges in one new table may
 * both get here: cmpxchg lets one install it, the other uses that one.
 */
static u64 *pts_next_table(struct vtd_pgtable *pgt, u64 *parent,
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
		pts_free_unused(pgt, new);
		pte = old;
	}
	if (vpte_leaf(pte, lvl))
		return ERR_PTR(-EEXIST);
	return vpte_table(pte);
}

/* True if a leaf is present anywhere under @table (level @lvl). */
static bool pts_has_leaf(u64 *table, unsigned int lvl)
{
	unsigned int i;

	for (i = 0; i < VTD_PT_ENTRIES; i++) {
		u64 pte = READ_ONCE(table[i]);

		if (!vpte_present(pte))
			continue;
		if (vpte_leaf(pte, lvl) || pts_has_leaf(vpte_table(pte), lvl - 1))
			return true;
	}
	return false;
}

/* Free @table (level @lvl), unlinked and flushed, and its subtree after RCU. */
static void pts_free_tree_deferred(struct vtd_pgtable *pgt, u64 *table,
				   unsigned int lvl)
{
	unsigned int i;

	for (i = 0; lvl > 1 && i < VTD_PT_ENTRIES; i++) {
		u64 pte = READ_ONCE(table[i]);

		if (vpte_present(pte) && !vpte_leaf(pte, lvl))
			pts_free_tree_deferred(pgt, vpte_table(pte), lvl - 1);
	}
	atomic_long_dec(&pgt->nr_tables);
	pt_free_table_deferred(table);
}

static int pts_map_pages(struct vtd_pgtable *pgt, unsigned long iova,
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
			table = pts_next_table(pgt, table, lvl, iova, gfp);
			if (IS_ERR(table))
				return PTR_ERR(table);
		}
		idx = lvl_idx(iova, leaf_lvl);
		n = min_t(size_t, VTD_PT_ENTRIES - idx, left / pgsize);
		for (i = 0; i < n; i++) {
			u64 *ptep = &table[idx + i];
			u64 pte = READ_ONCE(*ptep);

			if (vpte_present(pte)) {
				/*
				 * An empty table a superpage replaces: the
				 * range covers its span, nobody else is in it.
				 */
				if (vpte_leaf(pte, leaf_lvl) ||
				    pts_has_leaf(vpte_table(pte), leaf_lvl - 1))
					break;
				WRITE_ONCE(*ptep, (paddr & VTD_PTE_ADDR) | bits);
				pt_sync(pgt, ptep, sizeof(*ptep));
				pgt->cfg.tlb->flush_walk(pgt->cfg.cookie,
							 iova, pgsize);
				pts_free_tree_deferred(pgt, vpte_table(pte),
						       leaf_lvl - 1);
			} else {
				WRITE_ONCE(*ptep, (paddr & VTD_PTE_ADDR) | bits);
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
 * subtree first); a table the range covers in part stays, even if empty.
 */
static size_t pts_unmap_level(struct vtd_pgtable *pgt, u64 *table,
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
			struct page *page = virt_to_page(sub);

			cleared += pts_unmap_level(pgt, sub, lvl - 1, addr, next,
						   gather);
			if (!covered)
				continue;
			WRITE_ONCE(*ptep, 0);
			first = min(first, idx);
			last = max(last, idx);
			atomic_long_dec(&pgt->nr_tables);
			atomic_long_inc(&pgt->nr_unlinked);
			set_page_private(page, (unsigned long)pgt);
			list_add_tail(&page->lru, &gather->freelist);
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

static size_t pts_unmap_pages(struct vtd_pgtable *pgt, unsigned long iova,
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
	cleared = pts_unmap_level(pgt, pgt->root, pgt->cfg.levels, iova, end,
				  gather);
	if (cleared)
		xiommu_iotlb_gather_add(gather, iova, end - iova);
	return cleared;
}

static const struct vtd_pgtable_ops vtd_pgtable_ops_simple = {
	.map_pages = pts_map_pages,
	.unmap_pages = pts_unmap_pages,
	.iova_to_phys = pt_iova_to_phys,
};

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
	pgt->ops = cfg->simple_free ? &vtd_pgtable_ops_simple : &vtd_pgtable_ops;
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
