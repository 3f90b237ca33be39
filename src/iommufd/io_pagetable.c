// SPDX-License-Identifier: GPL-2.0-only
/*
 * io_pagetable: the IOVA map of one IOAS.
 *
 * The data structures
 * -------------------
 * An IOAS says "IOVA range X shows user memory Y" for any number of
 * ranges, and every paging domain (HWPT) attached to the IOAS must show
 * exactly that. struct xiommu_iopt keeps:
 *
 *  - area_itree: the mappings ("areas"), an interval tree keyed by IOVA
 *    [start, last]. Each area points at a byte slice of a pages object
 *    (pages.c: pinned user memory, shared by reference). Areas never
 *    overlap, so "which mapping covers this IOVA" and "which mappings touch
 *    this range" are O(log n + k) lookups.
 *  - reserved_itree: IOVA that must never be mapped: what lies outside an
 *    attached domain's aperture (owner: the domain) and each attached
 *    device's reserved regions, e.g. the MSI window (owner: the device
 *    object). Reservations may overlap each other but never an area;
 *    they are added and removed by owner as domains and devices come and
 *    go. Fixed-IOVA maps into them fail with EINVAL; IOMMU_IOAS_IOVA_RANGES
 *    reports the holes between them.
 *  - allowed_itree: ranges user space asked to keep usable
 *    (IOMMU_IOAS_ALLOW_IOVAS). If not empty, kernel-chosen IOVAs come only
 *    from these ranges, and no reservation may cut into them (attach fails
 *    with EADDRINUSE instead).
 *  - domains: every domain mirroring the map. A new domain is filled with
 *    every area before it is added; a new area is mapped into every domain
 *    before it becomes visible; a removed area is unmapped from every
 *    domain before its pages are released. The first domain pins the
 *    memory of every area, the last one leaving unpins it.
 *  - iova_alignment: the power of two all IOVAs, lengths and page offsets
 *    must respect: the largest smallest-IOPTE size among the domains, or 1
 *    with no domain (mappings then need no alignment at all, as upstream).
 *    A domain whose smallest IOPTE is larger than PAGE_SIZE cannot mirror
 *    arbitrary user memory and is refused.
 *
 * The kernel's interval tree (lib/interval_tree.c) gives overlap search for
 * free; the hole walk (struct xiommu_iova_hole_iter) finds the gaps between
 * the used ranges of up to two trees and serves both the IOVA allocator
 * (holes in reserved + areas, first fit, inside the allowed ranges,
 * aligned like the user address so large IOPTEs stay possible) and
 * IOMMU_IOAS_IOVA_RANGES (holes in reserved). Nothing here is per-page:
 * the cost of a map or unmap is in pinning and in the domains.
 *
 * Creating and removing areas
 * ---------------------------
 * A map first reserves its IOVA by inserting the area with pages == NULL
 * (under iova_rwsem); then, if the IOAS has domains, pins the memory
 * (pages.c: memory is pinned only while a domain needs it) and maps the
 * area into every domain, all while holding domains_rwsem for read (so the
 * domain list cannot change); only then it publishes area->pages. An area with NULL pages is "being
 * created": unmap of it fails with EBUSY, and it cannot be seen by a
 * domain being added, because adding a domain takes domains_rwsem for
 * write. An unmap validates the whole range first (every area touched must
 * lie entirely inside it, else ENOENT) and then removes all of it, so it
 * either unmaps everything asked or nothing. Pages are put (and unpinned
 * if last) after the locks are dropped.
 *
 * Access objects
 * --------------
 * Software devices (struct xiommu_access, access.c) pin pages of areas or
 * copy through them by IOVA. An area pinned by an access cannot be
 * removed: an unmap marks it prevent_access (no new access pin or copy),
 * drops every lock, calls the unmap callback of each access attached to
 * the IOAS for the area's range and starts over. If an area it already
 * asked about is still pinned, the access did not unpin and the unmap
 * fails with EBUSY, changing nothing (upstream retries and finally warns
 * with EDEADLOCK). Accesses that pin pages raise the IOVA alignment to
 * PAGE_SIZE while attached, so their pins always cover whole pages.
 *
 * VFIO type1 (v1) may unmap part of a mapping: xiommu_iopt_cut_iova()
 * splits areas at page boundaries, which is safe only while no domain
 * holds an IOPTE larger than a page (the caller disabled large pages).
 *
 * Locking: domains_rwsem -> iova_rwsem, see struct xiommu_iopt.
 */
#include <linux/err.h>
#include <linux/interval_tree.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include <xiommu/driver.h>
#include <xiommu/xiommu.h>

#include "io_pagetable.h"
#include "iommu_lite.h"

/* ------------------------------------------------------------------------
 * Holes between the used ranges of up to two interval trees
 */

/* The used node with the lowest start touching [cur, last], or NULL. */
static struct interval_tree_node *
hole_iter_first_used(struct xiommu_iova_hole_iter *iter, unsigned long cur)
{
	struct interval_tree_node *best = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(iter->trees); i++) {
		struct interval_tree_node *node;

		if (!iter->trees[i])
			continue;
		node = interval_tree_iter_first(iter->trees[i], cur,
						iter->last);
		if (node && (!best || node->start < best->start))
			best = node;
	}
	return best;
}

static bool hole_iter_find(struct xiommu_iova_hole_iter *iter)
{
	unsigned long cur = iter->cur;

	for (;;) {
		struct interval_tree_node *used = hole_iter_first_used(iter,
								       cur);

		if (!used || used->start > cur) {
			iter->start_hole = cur;
			iter->last_hole = used ? used->start - 1 : iter->last;
			if (iter->last_hole == iter->last)
				iter->done = true;
			else
				iter->cur = iter->last_hole + 1;
			return true;
		}
		/* cur is used up to used->last; continue behind it */
		if (used->last >= iter->last) {
			iter->done = true;
			return false;
		}
		cur = used->last + 1;
	}
}

/**
 * xiommu_iova_hole_first() - start walking the holes of [first, last]
 * @iter: iterator
 * @t1: tree of used ranges, or NULL
 * @t2: second tree of used ranges, or NULL
 * @first: first IOVA of the walk
 * @last: last IOVA of the walk (inclusive)
 *
 * Context: the caller holds the lock of both trees across the walk.
 * Return: true with the first hole in @iter, false if there is none.
 */
bool xiommu_iova_hole_first(struct xiommu_iova_hole_iter *iter,
			    struct rb_root_cached *t1,
			    struct rb_root_cached *t2, unsigned long first,
			    unsigned long last)
{
	iter->trees[0] = t1;
	iter->trees[1] = t2;
	iter->cur = first;
	iter->last = last;
	iter->done = first > last;
	if (iter->done)
		return false;
	return hole_iter_find(iter);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iova_hole_first);

/**
 * xiommu_iova_hole_next() - advance to the next hole
 * @iter: iterator started with xiommu_iova_hole_first()
 *
 * Return: true with the next hole in @iter, false when the walk is over.
 */
bool xiommu_iova_hole_next(struct xiommu_iova_hole_iter *iter)
{
	if (iter->done)
		return false;
	return hole_iter_find(iter);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iova_hole_next);

/* ------------------------------------------------------------------------
 * Table setup and teardown
 */

/**
 * xiommu_iopt_init() - initialise an empty IOVA map
 * @iopt: the map
 */
void xiommu_iopt_init(struct xiommu_iopt *iopt)
{
	init_rwsem(&iopt->domains_rwsem);
	init_rwsem(&iopt->iova_rwsem);
	iopt->area_itree = RB_ROOT_CACHED;
	iopt->reserved_itree = RB_ROOT_CACHED;
	iopt->allowed_itree = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&iopt->domains);
	xa_init_flags(&iopt->access_list, XA_FLAGS_ALLOC);
	/* Without domains any byte-granular IOVA works, as upstream. */
	iopt->iova_alignment = 1;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_init);

static void iopt_free_itree(struct rb_root_cached *root, size_t offset)
{
	struct interval_tree_node *node;

	while ((node = interval_tree_iter_first(root, 0, ULONG_MAX))) {
		interval_tree_remove(node, root);
		kfree((void *)node - offset);
	}
}

/**
 * xiommu_iopt_destroy() - free an IOVA map
 * @iopt: the map, with no area, domain or reservation left
 */
void xiommu_iopt_destroy(struct xiommu_iopt *iopt)
{
	iopt_free_itree(&iopt->allowed_itree,
			offsetof(struct xiommu_allowed, node));
	WARN_ON(!RB_EMPTY_ROOT(&iopt->area_itree.rb_root));
	WARN_ON(!RB_EMPTY_ROOT(&iopt->reserved_itree.rb_root));
	WARN_ON(!list_empty(&iopt->domains));
	WARN_ON(!xa_empty(&iopt->access_list));
	xa_destroy(&iopt->access_list);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_destroy);

/* ------------------------------------------------------------------------
 * IOVA choice and checks
 */

/*
 * First fit of @length bytes in [first, last] avoiding reservations and
 * areas. The IOVA keeps @align (a power of two) and, when @align is below
 * PAGE_SIZE, the user address's page offset.
 */
static int iopt_alloc_in_span(struct xiommu_iopt *iopt, unsigned long *iova,
			      unsigned long first, unsigned long last,
			      unsigned long length, unsigned long align,
			      unsigned long page_offset)
{
	struct xiommu_iova_hole_iter hole;

	for_each_xiommu_iova_hole(&hole, &iopt->reserved_itree,
				  &iopt->area_itree, first, last) {
		unsigned long cand;

		if (hole.last_hole - hole.start_hole < length - 1)
			continue;
		if (align >= PAGE_SIZE) {
			cand = ALIGN(hole.start_hole, align);
		} else {
			cand = ALIGN_DOWN(hole.start_hole, PAGE_SIZE) +
			       page_offset;
			if (cand < hole.start_hole)
				cand += PAGE_SIZE;
		}
		/* cand < start_hole: ALIGN() wrapped at the top */
		if (cand < hole.start_hole || cand > hole.last_hole ||
		    hole.last_hole - cand < length - 1)
			continue;
		*iova = cand;
		return 0;
	}
	return -ENOSPC;
}

/*
 * Choose an IOVA for @length bytes of user memory at @uptr. IOVA 0 and the
 * last page are never chosen.
 */
static int iopt_alloc_iova(struct xiommu_iopt *iopt, unsigned long *iova,
			   unsigned long uptr, unsigned long length)
{
	const unsigned long lo = PAGE_SIZE, hi = ULONG_MAX - PAGE_SIZE;
	struct interval_tree_node *node;
	unsigned long align;

	lockdep_assert_held(&iopt->iova_rwsem);

	/* keeps roundup_pow_of_two() in range */
	if (!length || length >= ULONG_MAX / 2)
		return -EOVERFLOW;

	/* As aligned as the user address, so large IOPTEs stay possible. */
	align = roundup_pow_of_two(length);
	if (uptr)
		align = min(align, 1UL << __ffs(uptr));
	if (align < iopt->iova_alignment)
		return -EINVAL;

	if (RB_EMPTY_ROOT(&iopt->allowed_itree.rb_root))
		return iopt_alloc_in_span(iopt, iova, lo, hi, length, align,
					  offset_in_page(uptr));

	for (node = interval_tree_iter_first(&iopt->allowed_itree, lo, hi);
	     node; node = interval_tree_iter_next(node, lo, hi)) {
		if (!iopt_alloc_in_span(iopt, iova, max(node->start, lo),
					min(node->last, hi), length, align,
					offset_in_page(uptr)))
			return 0;
	}
	return -ENOSPC;
}

/* Is the fixed range [iova, iova + length) usable? */
static int iopt_check_iova(struct xiommu_iopt *iopt, unsigned long iova,
			   unsigned long length)
{
	unsigned long last;

	lockdep_assert_held(&iopt->iova_rwsem);

	if (iova & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (interval_tree_iter_first(&iopt->reserved_itree, iova, last))
		return -EINVAL;
	if (interval_tree_iter_first(&iopt->area_itree, iova, last))
		return -EEXIST;
	return 0;
}

/* ------------------------------------------------------------------------
 * Map
 */

/* Pin the area's pages for the domains (the area needs @pages given). */
static int iopt_area_fill(struct xiommu_area *area,
			  struct xiommu_pages *pages)
{
	int rc;

	rc = xiommu_pages_add_user(pages, &area->pages_node,
				   area->start_byte / PAGE_SIZE,
				   (area->start_byte +
				    xiommu_area_length(area) - 1) / PAGE_SIZE);
	if (!rc)
		area->filled = true;
	return rc;
}

static void iopt_area_unfill(struct xiommu_area *area,
			     struct xiommu_pages *pages)
{
	if (!area->filled)
		return;
	xiommu_pages_remove_user(pages, &area->pages_node);
	area->filled = false;
}

/* Unmap every slice in [first, end) of @slices from @domain. */
static void iopt_unmap_slices(struct xiommu_domain *domain,
			      struct list_head *slices,
			      struct xiommu_pages_slice *end)
{
	struct xiommu_pages_slice *slice;

	list_for_each_entry(slice, slices, next) {
		struct xiommu_area *area = slice->area;

		if (slice == end)
			break;
		WARN_ON_ONCE(xiommu_unmap(domain, area->node.start,
					  xiommu_area_length(area)) !=
			     xiommu_area_length(area));
	}
}

/*
 * Undo the domain maps of xiommu_iopt_map_slices(): every slice in the
 * domains before @stop_dom, the slices before @stop_slice in @stop_dom.
 */
static void iopt_unmap_slices_until(struct xiommu_iopt *iopt,
				    struct list_head *slices,
				    struct xiommu_iopt_domain *stop_dom,
				    struct xiommu_pages_slice *stop_slice)
{
	struct xiommu_iopt_domain *idom;

	list_for_each_entry(idom, &iopt->domains, node) {
		if (idom == stop_dom) {
			iopt_unmap_slices(idom->domain, slices, stop_slice);
			return;
		}
		iopt_unmap_slices(idom->domain, slices, NULL);
	}
}

/*
 * Memory for an area of @pages: the object's own first_area if it is still
 * there (only the first map of a new object, which nobody else can see
 * yet, finds it), else a new allocation.
 */
static struct xiommu_area *iopt_area_alloc(struct xiommu_pages *pages)
{
	struct xiommu_area *area = pages->first_area;

	if (area) {
		pages->first_area = NULL;
		return area;
	}
	return kzalloc(sizeof(*area), GFP_KERNEL_ACCOUNT);
}

/*
 * Free an unmapped area (in no tree) and drop its page reference. An area
 * living in its pages object's allocation goes with the object: the
 * reference is dropped last, as it may free the area.
 */
static void iopt_area_free(struct xiommu_area *area)
{
	struct xiommu_pages *pages = area->pages;

	if (!area->in_pages)
		kfree(area);
	xiommu_pages_put(pages);
}

/*
 * Free the areas of the slices before @stop (NULL: all), which were never
 * published. A pages object's own first area goes back to it, zeroed: the
 * object is still private (its first map failed).
 */
static void iopt_free_slice_areas(struct list_head *slices,
				  struct xiommu_pages_slice *stop)
{
	struct xiommu_pages_slice *slice;

	list_for_each_entry(slice, slices, next) {
		struct xiommu_area *area = slice->area;

		if (slice == stop)
			break;
		slice->area = NULL;
		if (!area->in_pages) {
			kfree(area);
			continue;
		}
		memset(area, 0, sizeof(*area));
		area->in_pages = true;
		slice->pages->first_area = area;
	}
}

/* Reserve the IOVA: insert an area with NULL pages for every slice. */
static int iopt_insert_areas(struct xiommu_iopt *iopt,
			     struct list_head *slices, unsigned long length,
			     unsigned long *iova, int prot, unsigned int flags)
{
	struct xiommu_pages_slice *slice, *undo;
	unsigned long cur;
	int rc;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (!length || (length & (iopt->iova_alignment - 1)))
		return -EINVAL;

	if (flags & XIOMMU_IOPT_ALLOC_IOVA) {
		slice = list_first_entry(slices, struct xiommu_pages_slice,
					 next);
		rc = iopt_alloc_iova(iopt, iova,
				     (unsigned long)slice->pages->uptr +
					     slice->start_byte,
				     length);
	} else {
		rc = iopt_check_iova(iopt, *iova, length);
	}
	if (rc)
		return rc;

	cur = *iova;
	list_for_each_entry(slice, slices, next) {
		struct xiommu_area *area = slice->area;

		if ((prot & XIOMMU_WRITE) && !slice->pages->writable) {
			rc = -EPERM;
			goto err_remove;
		}
		if (offset_in_page(slice->start_byte) &
		    (iopt->iova_alignment - 1)) {
			rc = -EINVAL;
			goto err_remove;
		}
		area->pages = NULL;
		area->start_byte = slice->start_byte;
		area->prot = prot;
		area->node.start = cur;
		area->node.last = cur + slice->length - 1;
		interval_tree_insert(&area->node, &iopt->area_itree);
		cur += slice->length;
	}
	return 0;

err_remove:
	list_for_each_entry(undo, slices, next) {
		if (undo == slice)
			break;
		interval_tree_remove(&undo->area->node, &iopt->area_itree);
	}
	return rc;
}

/**
 * xiommu_iopt_map_slices() - map memory slices at consecutive IOVAs
 * @iopt: the IOVA map
 * @slices: list of struct xiommu_pages_slice, mapped in order
 * @length: sum of the slices' lengths
 * @iova: in: the IOVA (fixed); out: the IOVA used (XIOMMU_IOPT_ALLOC_IOVA)
 * @prot: XIOMMU_READ/WRITE/CACHE
 * @flags: XIOMMU_IOPT_ALLOC_IOVA or 0
 *
 * With domains attached the memory is pinned (if it is not yet) and mapped
 * into each; without, nothing is pinned. The slices keep their own page
 * references; each new area takes one.
 *
 * Context: process context of the mapping process; takes the iopt locks.
 * Return: 0 or -EINVAL (zero or misaligned length/IOVA/offset, fixed range
 * reserved), -EOVERFLOW, -EEXIST (fixed range in use), -ENOSPC (no room),
 * -EPERM (writeable mapping of read-only pages), a pinning errno (-EFAULT,
 * -ENOMEM) or a domain map errno. On failure nothing changed.
 */
int xiommu_iopt_map_slices(struct xiommu_iopt *iopt, struct list_head *slices,
			   unsigned long length, unsigned long *iova, int prot,
			   unsigned int flags)
{
	struct xiommu_pages_slice *slice = NULL;
	struct xiommu_iopt_domain *idom;
	int rc = 0;

	list_for_each_entry(slice, slices, next) {
		slice->area = iopt_area_alloc(slice->pages);
		if (!slice->area) {
			rc = -ENOMEM;
			goto out_free;
		}
	}

	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	rc = iopt_insert_areas(iopt, slices, length, iova, prot, flags);
	up_write(&iopt->iova_rwsem);
	if (rc)
		goto out_unlock_domains;

	if (!list_empty(&iopt->domains)) {
		list_for_each_entry(slice, slices, next) {
			rc = iopt_area_fill(slice->area, slice->pages);
			if (rc)
				goto err_unfill;
		}
	}

	list_for_each_entry(idom, &iopt->domains, node) {
		list_for_each_entry(slice, slices, next) {
			rc = xiommu_pages_map_domain(slice->pages,
						     slice->start_byte,
						     slice->length,
						     idom->domain,
						     slice->area->node.start,
						     prot,
						     iopt->disable_large_pages);
			if (rc)
				goto err_unmap;
		}
	}

	/* Publish: from now on the areas are normal mappings. */
	down_write(&iopt->iova_rwsem);
	list_for_each_entry(slice, slices, next) {
		xiommu_pages_get(slice->pages);
		slice->area->pages = slice->pages;
		slice->area = NULL;
	}
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	return 0;

err_unmap:
	iopt_unmap_slices_until(iopt, slices, idom, slice);
err_unfill:
	list_for_each_entry(slice, slices, next)
		iopt_area_unfill(slice->area, slice->pages);
	down_write(&iopt->iova_rwsem);
	list_for_each_entry(slice, slices, next)
		interval_tree_remove(&slice->area->node, &iopt->area_itree);
	up_write(&iopt->iova_rwsem);
out_unlock_domains:
	up_read(&iopt->domains_rwsem);
	slice = NULL;
out_free:
	iopt_free_slice_areas(slices, slice);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_map_slices);

/**
 * xiommu_iopt_map_user() - pin user memory and map it
 * @iopt: the IOVA map
 * @iova: in: the IOVA (fixed); out: the IOVA used (XIOMMU_IOPT_ALLOC_IOVA)
 * @uptr: user address of the memory (current process)
 * @length: bytes
 * @prot: XIOMMU_READ/WRITE/CACHE; XIOMMU_WRITE pins for writing
 * @flags: XIOMMU_IOPT_ALLOC_IOVA, XIOMMU_IOPT_PFNMAP (VM_PFNMAP memory is
 *	mapped by PFN, src/iommufd/pages_pfnmap.c; without it such memory fails with
 *	EFAULT when it gets pinned), or 0
 * @mode: where to charge pages when they get pinned
 *
 * Return: 0, -EINVAL, -EOVERFLOW, -EEXIST, -ENOSPC, -EFAULT, -ENOMEM (see
 * xiommu_iopt_map_slices() and xiommu_pages_alloc()). On failure nothing
 * stays pinned or charged.
 */
int xiommu_iopt_map_user(struct xiommu_iopt *iopt, unsigned long *iova,
			 void __user *uptr, unsigned long length, int prot,
			 unsigned int flags, enum xiommu_account_mode mode)
{
	struct xiommu_pages_slice slice = {};
	LIST_HEAD(slices);
	int rc;

	slice.pages = NULL;
	if (flags & XIOMMU_IOPT_PFNMAP)
		slice.pages = xiommu_pages_alloc_pfnmap(uptr, length,
							prot & XIOMMU_WRITE,
							mode);
	flags &= ~XIOMMU_IOPT_PFNMAP;
	if (!slice.pages)
		slice.pages = xiommu_pages_alloc(uptr, length,
						 prot & XIOMMU_WRITE, mode);
	if (IS_ERR(slice.pages))
		return PTR_ERR(slice.pages);
	slice.start_byte = (unsigned long)uptr -
			   (unsigned long)slice.pages->uptr;
	slice.length = length;
	list_add(&slice.next, &slices);

	rc = xiommu_iopt_map_slices(iopt, &slices, length, iova, prot, flags);
	/* On success the area holds its own reference. */
	xiommu_pages_put(slice.pages);
	return rc;
}

/**
 * xiommu_iopt_map_file() - map a byte range of a memory file
 * @iopt: the IOVA map
 * @iova: in: the IOVA (fixed); out: the IOVA used (XIOMMU_IOPT_ALLOC_IOVA)
 * @file: shmem or hugetlbfs file (src/iommufd/pages_file.c)
 * @start: file offset of the first byte
 * @length: bytes
 * @prot: XIOMMU_READ/WRITE/CACHE; XIOMMU_WRITE pins for writing
 * @flags: XIOMMU_IOPT_ALLOC_IOVA or 0
 * @mode: where to charge pages when they get pinned
 *
 * Return: 0, or the errno of xiommu_pages_alloc_file() (-EINVAL,
 * -EOVERFLOW, -EPERM, -ENOMEM) or of xiommu_iopt_map_slices() (pinning
 * errno as for xiommu_iopt_map_user()). On failure nothing stays pinned or
 * charged.
 */
int xiommu_iopt_map_file(struct xiommu_iopt *iopt, unsigned long *iova,
			 struct file *file, unsigned long start,
			 unsigned long length, int prot, unsigned int flags,
			 enum xiommu_account_mode mode)
{
	struct xiommu_pages_slice slice = {};
	LIST_HEAD(slices);
	int rc;

	slice.pages = xiommu_pages_alloc_file(file, start, length,
					      prot & XIOMMU_WRITE, mode);
	if (IS_ERR(slice.pages))
		return PTR_ERR(slice.pages);
	slice.start_byte = start - slice.pages->file_start;
	slice.length = length;
	list_add(&slice.next, &slices);

	rc = xiommu_iopt_map_slices(iopt, &slices, length, iova, prot,
				    flags & XIOMMU_IOPT_ALLOC_IOVA);
	/* On success the area holds its own reference. */
	xiommu_pages_put(slice.pages);
	return rc;
}

/**
 * xiommu_iopt_get_slices() - take the memory behind an IOVA range
 * @iopt: the IOVA map
 * @iova: first IOVA
 * @length: bytes; [@iova, @iova + @length) must be mapped without a gap
 * @slices: list to add struct xiommu_pages_slice entries to (each holding a
 *	page reference); free with xiommu_iopt_free_slices()
 *
 * Return: 0; -EINVAL zero @length; -EOVERFLOW range wraps; -ENOENT part of
 * the range is not mapped (or still being mapped); -ENOMEM.
 */
int xiommu_iopt_get_slices(struct xiommu_iopt *iopt, unsigned long iova,
			   unsigned long length, struct list_head *slices)
{
	struct interval_tree_node *node;
	unsigned long last, cur = iova;
	int rc = 0;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	down_read(&iopt->iova_rwsem);
	for (;;) {
		struct xiommu_pages_slice *slice;
		struct xiommu_area *area;

		node = interval_tree_iter_first(&iopt->area_itree, cur, cur);
		area = node ? container_of(node, struct xiommu_area, node) :
			      NULL;
		if (!area || !area->pages) {
			rc = -ENOENT;
			break;
		}
		slice = kzalloc(sizeof(*slice), GFP_KERNEL_ACCOUNT);
		if (!slice) {
			rc = -ENOMEM;
			break;
		}
		xiommu_pages_get(area->pages);
		slice->pages = area->pages;
		slice->start_byte = area->start_byte + (cur - node->start);
		slice->length = min(last, node->last) - cur + 1;
		list_add_tail(&slice->next, slices);
		if (node->last >= last)
			break;
		cur = node->last + 1;
	}
	up_read(&iopt->iova_rwsem);
	if (rc)
		xiommu_iopt_free_slices(slices);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_get_slices);

/**
 * xiommu_iopt_free_slices() - free a slice list and its page references
 * @slices: list from xiommu_iopt_get_slices()
 */
void xiommu_iopt_free_slices(struct list_head *slices)
{
	struct xiommu_pages_slice *slice, *tmp;

	list_for_each_entry_safe(slice, tmp, slices, next) {
		list_del(&slice->next);
		xiommu_pages_put(slice->pages);
		kfree(slice);
	}
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_free_slices);

/* ------------------------------------------------------------------------
 * Unmap
 */
/*
 * Does any access object hold pins of @area? Every change of
 * num_accesses happens with iova_rwsem held (read side, plus
 * pages->mutex), so the write side alone reads it stably: no round trip
 * on pages->mutex per unmapped area.
 */
static bool area_has_accesses(struct xiommu_iopt *iopt,
			      struct xiommu_area *area)
{
	lockdep_assert_held_write(&iopt->iova_rwsem);
	return READ_ONCE(area->num_accesses);
}

/* After a failed unmap: let accesses use the areas of the range again. */
static void iopt_allow_access(struct xiommu_iopt *iopt, unsigned long first,
			      unsigned long last)
{
	struct interval_tree_node *node;

	lockdep_assert_held_write(&iopt->iova_rwsem);
	for (node = interval_tree_iter_first(&iopt->area_itree, first, last);
	     node; node = interval_tree_iter_next(node, first, last))
		container_of(node, struct xiommu_area, node)->prevent_access =
			false;
}

static int iopt_unmap_range(struct xiommu_iopt *iopt, unsigned long first,
			    unsigned long last, unsigned long *unmapped)
{
	unsigned long asked_last = 0;
	struct interval_tree_node *node;
	struct xiommu_area *area, *tmp;
	unsigned long bytes = 0;
	bool asked = false, accesses;
	LIST_HEAD(removed);
	int rc;

again:
	rc = -ENOENT;
	accesses = false;
	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);

	/*
	 * All or nothing: check every area the range touches first, noting
	 * whether access objects pin any of them (one walk for both).
	 */
	for (node = interval_tree_iter_first(&iopt->area_itree, first, last);
	     node; node = interval_tree_iter_next(node, first, last)) {
		area = container_of(node, struct xiommu_area, node);
		if (!area->pages) {
			rc = -EBUSY;
			goto out_unlock;
		}
		if (node->start < first || node->last > last) {
			rc = -ENOENT;
			goto out_unlock;
		}
		accesses |= area_has_accesses(iopt, area);
		rc = 0;
	}
	if (rc)
		goto out_unlock;

	/*
	 * Areas pinned by access objects: ask the accesses to unpin, one
	 * area at a time, without any lock held (their callbacks unpin).
	 */
	for (node = accesses ? interval_tree_iter_first(&iopt->area_itree,
							first, last) : NULL;
	     node; node = interval_tree_iter_next(node, first, last)) {
		unsigned long start, length;

		area = container_of(node, struct xiommu_area, node);
		if (!area_has_accesses(iopt, area))
			continue;
		if (asked && node->start <= asked_last) {
			/* Asked already: the access does not let go. */
			rc = -EBUSY;
			goto out_unlock;
		}
		area->prevent_access = true;
		start = node->start;
		length = xiommu_area_length(area);
		up_write(&iopt->iova_rwsem);
		up_read(&iopt->domains_rwsem);

		xiommu_access_notify_unmap(iopt, start, length);
		asked = true;
		asked_last = start;
		goto again;
	}

	while ((node = interval_tree_iter_first(&iopt->area_itree, first,
						last))) {
		struct xiommu_iopt_domain *idom;
		unsigned long len;

		area = container_of(node, struct xiommu_area, node);
		len = xiommu_area_length(area);
		interval_tree_remove(node, &iopt->area_itree);
		list_for_each_entry(idom, &iopt->domains, node)
			WARN_ON_ONCE(xiommu_unmap(idom->domain, node->start,
						  len) != len);
		list_add_tail(&area->free_item, &removed);
		bytes += len;
	}

out_unlock:
	if (rc && asked)
		iopt_allow_access(iopt, first, last);
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);

	/* No domain maps them any more: unpin outside the locks. */
	list_for_each_entry_safe(area, tmp, &removed, free_item) {
		iopt_area_unfill(area, area->pages);
		iopt_area_free(area);
	}
	if (unmapped)
		*unmapped = bytes;
	return rc;
}

/**
 * xiommu_iopt_unmap() - remove the mappings inside an IOVA range
 * @iopt: the IOVA map
 * @iova: first IOVA
 * @length: bytes
 * @unmapped: returns the bytes unmapped
 *
 * Every mapping the range touches must lie entirely inside it.
 *
 * Mappings pinned by access objects are unmapped once the accesses
 * unpinned them (their unmap callback is called without locks held).
 *
 * Return: 0; -EINVAL zero @length; -EOVERFLOW range wraps; -ENOENT nothing
 * mapped in the range or a mapping sticks out of it (nothing unmapped);
 * -EBUSY a mapping in the range is still being created, or an access
 * object kept its pins after being asked to unpin (nothing unmapped).
 */
int xiommu_iopt_unmap(struct xiommu_iopt *iopt, unsigned long iova,
		      unsigned long length, unsigned long *unmapped)
{
	unsigned long last;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return iopt_unmap_range(iopt, iova, last, unmapped);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_unmap);

/**
 * xiommu_iopt_unmap_all() - remove every mapping
 * @iopt: the IOVA map
 * @unmapped: returns the bytes unmapped, or NULL
 *
 * Return: 0 (also when there was nothing), or -EBUSY if a mapping is still
 * being created or an access object does not unpin.
 */
int xiommu_iopt_unmap_all(struct xiommu_iopt *iopt, unsigned long *unmapped)
{
	int rc;

	rc = iopt_unmap_range(iopt, 0, ULONG_MAX, unmapped);
	return rc == -ENOENT ? 0 : rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_unmap_all);

/* ------------------------------------------------------------------------
 * Reserved and allowed ranges
 */
static int iopt_reserve(struct xiommu_iopt *iopt, unsigned long start,
			unsigned long last, void *owner)
{
	struct xiommu_reserved *reserved;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (interval_tree_iter_first(&iopt->area_itree, start, last) ||
	    interval_tree_iter_first(&iopt->allowed_itree, start, last))
		return -EADDRINUSE;

	reserved = kzalloc(sizeof(*reserved), GFP_KERNEL_ACCOUNT);
	if (!reserved)
		return -ENOMEM;
	reserved->node.start = start;
	reserved->node.last = last;
	reserved->owner = owner;
	interval_tree_insert(&reserved->node, &iopt->reserved_itree);
	return 0;
}

static void iopt_remove_reserved(struct xiommu_iopt *iopt, void *owner)
{
	struct interval_tree_node *node, *next;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	for (node = interval_tree_iter_first(&iopt->reserved_itree, 0,
					     ULONG_MAX);
	     node; node = next) {
		struct xiommu_reserved *reserved =
			container_of(node, struct xiommu_reserved, node);

		next = interval_tree_iter_next(node, 0, ULONG_MAX);
		if (reserved->owner == owner) {
			interval_tree_remove(node, &iopt->reserved_itree);
			kfree(reserved);
		}
	}
}

/**
 * xiommu_iopt_reserve_dev_regions() - reserve a device's reserved regions
 * @iopt: the IOVA map
 * @dev: the device (xiommu_dev_get_resv_regions())
 * @owner: cookie for xiommu_iopt_remove_reserved(), unique per device and
 *	not yet used in @iopt
 *
 * Return: 0; -EADDRINUSE a region overlaps a mapping or an allowed range;
 * -EINVAL a region wraps; -ENOMEM. On failure nothing is reserved.
 */
int xiommu_iopt_reserve_dev_regions(struct xiommu_iopt *iopt,
				    struct device *dev, void *owner)
{
	struct xiommu_resv_region *resv;
	LIST_HEAD(regions);
	int rc = 0;

	xiommu_dev_get_resv_regions(dev, &regions);

	down_write(&iopt->iova_rwsem);
	list_for_each_entry(resv, &regions, list) {
		unsigned long last;

		if (!resv->length)
			continue;
		if (check_add_overflow((unsigned long)resv->start,
				       (unsigned long)resv->length - 1,
				       &last)) {
			rc = -EINVAL;
			break;
		}
		rc = iopt_reserve(iopt, resv->start, last, owner);
		if (rc)
			break;
	}
	if (rc)
		iopt_remove_reserved(iopt, owner);
	up_write(&iopt->iova_rwsem);

	xiommu_put_resv_regions(&regions);
	return rc;
}

/**
 * xiommu_iopt_reserve_range() - reserve one IOVA range
 * @iopt: the IOVA map
 * @start: first IOVA
 * @last: last IOVA (inclusive)
 * @owner: cookie for xiommu_iopt_remove_reserved()
 *
 * Return: 0; -EADDRINUSE the range overlaps a mapping or an allowed range;
 * -ENOMEM.
 */
int xiommu_iopt_reserve_range(struct xiommu_iopt *iopt, unsigned long start,
			      unsigned long last, void *owner)
{
	int rc;

	down_write(&iopt->iova_rwsem);
	rc = iopt_reserve(iopt, start, last, owner);
	up_write(&iopt->iova_rwsem);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_reserve_range);

/**
 * xiommu_iopt_remove_reserved() - drop every reservation of an owner
 * @iopt: the IOVA map
 * @owner: the cookie given when reserving
 */
void xiommu_iopt_remove_reserved(struct xiommu_iopt *iopt, void *owner)
{
	down_write(&iopt->iova_rwsem);
	iopt_remove_reserved(iopt, owner);
	up_write(&iopt->iova_rwsem);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_remove_reserved);

/**
 * xiommu_iopt_set_allowed() - replace the allowed ranges
 * @iopt: the IOVA map
 * @allowed: in: tree of struct xiommu_allowed, non-overlapping; out: the
 *	tree the caller must free (the old ranges on success, its own on
 *	failure)
 *
 * Return: 0, or -EADDRINUSE if a new range overlaps a reservation.
 */
int xiommu_iopt_set_allowed(struct xiommu_iopt *iopt,
			    struct rb_root_cached *allowed)
{
	struct interval_tree_node *node;
	int rc = 0;

	down_write(&iopt->iova_rwsem);
	for (node = interval_tree_iter_first(allowed, 0, ULONG_MAX); node;
	     node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		if (interval_tree_iter_first(&iopt->reserved_itree,
					     node->start, node->last)) {
			rc = -EADDRINUSE;
			break;
		}
	}
	if (!rc)
		swap(*allowed, iopt->allowed_itree);
	up_write(&iopt->iova_rwsem);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_set_allowed);

/* ------------------------------------------------------------------------
 * Domains
 */

/* Do all areas respect @align (IOVA, length and page offset)? */
static int iopt_check_alignment(struct xiommu_iopt *iopt, unsigned long align)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&iopt->iova_rwsem);

	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct xiommu_area *area = container_of(node,
							struct xiommu_area,
							node);

		if ((node->start | xiommu_area_length(area) |
		     offset_in_page(area->start_byte)) & (align - 1))
			return -EADDRINUSE;
	}
	return 0;
}

static unsigned long domain_min_pgsize(struct xiommu_domain *domain)
{
	return 1UL << __ffs(domain->pgsize_bitmap);
}

/* Recompute iova_alignment after a domain left or an option changed. */
static int iopt_update_alignment(struct xiommu_iopt *iopt)
{
	struct xiommu_iopt_domain *idom;
	unsigned long align;
	int rc;

	lockdep_assert_held_write(&iopt->iova_rwsem);
	lockdep_assert_held(&iopt->domains_rwsem);

	align = iopt->disable_large_pages || iopt->pin_accesses ? PAGE_SIZE :
								  1;
	list_for_each_entry(idom, &iopt->domains, node)
		align = max(align, domain_min_pgsize(idom->domain));
	if (align > iopt->iova_alignment) {
		rc = iopt_check_alignment(iopt, align);
		if (rc)
			return rc;
	}
	iopt->iova_alignment = align;
	return 0;
}

static void iopt_unmap_all_areas(struct xiommu_iopt *iopt,
				 struct xiommu_domain *domain,
				 struct interval_tree_node *end)
{
	struct interval_tree_node *node;

	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node != end; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		unsigned long len = node->last - node->start + 1;

		WARN_ON_ONCE(xiommu_unmap(domain, node->start, len) != len);
	}
}

/* Unpin the areas before @end (NULL: all) that are filled. */
static void iopt_unfill_all_areas(struct xiommu_iopt *iopt,
				  struct interval_tree_node *end)
{
	struct interval_tree_node *node;

	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node != end; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct xiommu_area *area = container_of(node,
							struct xiommu_area,
							node);

		iopt_area_unfill(area, area->pages);
	}
}

/* Pin every area for the iopt's first domain; all or nothing. */
static int iopt_fill_all_areas(struct xiommu_iopt *iopt)
{
	struct interval_tree_node *node;
	int rc;

	lockdep_assert_held_write(&iopt->domains_rwsem);

	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct xiommu_area *area = container_of(node,
							struct xiommu_area,
							node);

		rc = iopt_area_fill(area, area->pages);
		if (rc) {
			iopt_unfill_all_areas(iopt, node);
			return rc;
		}
	}
	return 0;
}

/**
 * xiommu_iopt_add_domain() - make a domain mirror the IOVA map
 * @iopt: the IOVA map
 * @domain: an empty paging domain
 *
 * Reserves the IOVA outside the domain's aperture, pins the memory of
 * every area if this is the first domain, maps every area into the domain
 * and raises the map's alignment to the domain's smallest IOPTE.
 *
 * Return: 0; -EINVAL the domain's smallest IOPTE exceeds PAGE_SIZE;
 * -EADDRINUSE a mapping lies outside the aperture, an allowed range does,
 * or a mapping is not aligned to the domain's IOPTE size; -EFAULT or
 * -ENOMEM from pinning (memory mapped earlier is gone, RLIMIT_MEMLOCK);
 * -ENOMEM or a driver errno from mapping. On failure nothing changed.
 */
int xiommu_iopt_add_domain(struct xiommu_iopt *iopt,
			   struct xiommu_domain *domain)
{
	const struct xiommu_domain_geometry *geo = &domain->geometry;
	struct interval_tree_node *node;
	struct xiommu_iopt_domain *idom;
	unsigned long align;
	int rc;

	if (!domain->pgsize_bitmap)
		return -EINVAL;
	idom = kzalloc(sizeof(*idom), GFP_KERNEL_ACCOUNT);
	if (!idom)
		return -ENOMEM;
	idom->domain = domain;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);

	align = max(domain_min_pgsize(domain), iopt->iova_alignment);
	if (align > PAGE_SIZE) {
		rc = -EINVAL;
		goto err_unlock;
	}
	if (align != iopt->iova_alignment) {
		rc = iopt_check_alignment(iopt, align);
		if (rc)
			goto err_unlock;
	}

	if (geo->aperture_start) {
		rc = iopt_reserve(iopt, 0, geo->aperture_start - 1, domain);
		if (rc)
			goto err_unreserve;
	}
	if (geo->aperture_end < ULONG_MAX) {
		rc = iopt_reserve(iopt, geo->aperture_end + 1, ULONG_MAX,
				  domain);
		if (rc)
			goto err_unreserve;
	}

	/* The first domain needs the memory pinned. */
	if (list_empty(&iopt->domains)) {
		rc = iopt_fill_all_areas(iopt);
		if (rc)
			goto err_unreserve;
	}

	/* domains_rwsem held for write: every area has its pages. */
	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct xiommu_area *area = container_of(node,
							struct xiommu_area,
							node);

		rc = xiommu_pages_map_domain(area->pages, area->start_byte,
					     xiommu_area_length(area), domain,
					     node->start, area->prot,
					     iopt->disable_large_pages);
		if (rc)
			goto err_unmap;
	}

	list_add_tail(&idom->node, &iopt->domains);
	iopt->iova_alignment = align;
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return 0;

err_unmap:
	iopt_unmap_all_areas(iopt, domain, node);
	if (list_empty(&iopt->domains))
		iopt_unfill_all_areas(iopt, NULL);
err_unreserve:
	iopt_remove_reserved(iopt, domain);
err_unlock:
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	kfree(idom);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_add_domain);

/**
 * xiommu_iopt_remove_domain() - stop a domain mirroring the IOVA map
 * @iopt: the IOVA map
 * @domain: a domain added with xiommu_iopt_add_domain(), attached to no
 *	device any more
 *
 * Unmaps every area from the domain, unpins the memory if it was the last
 * domain, and drops its aperture reservations.
 */
void xiommu_iopt_remove_domain(struct xiommu_iopt *iopt,
			       struct xiommu_domain *domain)
{
	struct xiommu_iopt_domain *idom, *found = NULL;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	list_for_each_entry(idom, &iopt->domains, node) {
		if (idom->domain == domain) {
			found = idom;
			break;
		}
	}
	if (!WARN_ON(!found)) {
		list_del(&found->node);
		iopt_unmap_all_areas(iopt, domain, NULL);
		/* Without domains nothing needs the memory pinned. */
		if (list_empty(&iopt->domains))
			iopt_unfill_all_areas(iopt, NULL);
		iopt_remove_reserved(iopt, domain);
		/* Alignment only drops: cannot fail. */
		WARN_ON(iopt_update_alignment(iopt));
	}
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	kfree(found);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_remove_domain);

/**
 * xiommu_iopt_set_large_pages() - allow or forbid IOPTEs above PAGE_SIZE
 * @iopt: the IOVA map
 * @enable: true to allow (default), false to map PAGE_SIZE pieces only
 *
 * Return: 0; -EINVAL disabling while domains hold mappings (they may use
 * large IOPTEs already); -EADDRINUSE disabling would raise the alignment
 * to PAGE_SIZE and a mapping is not page aligned.
 */
int xiommu_iopt_set_large_pages(struct xiommu_iopt *iopt, bool enable)
{
	int rc = 0;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	if (enable) {
		iopt->disable_large_pages = false;
		WARN_ON(iopt_update_alignment(iopt));
		goto out_unlock;
	}
	if (iopt->disable_large_pages)
		goto out_unlock;
	if (!list_empty(&iopt->domains) &&
	    !RB_EMPTY_ROOT(&iopt->area_itree.rb_root)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	iopt->disable_large_pages = true;
	rc = iopt_update_alignment(iopt);
	if (rc)
		iopt->disable_large_pages = false;
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_set_large_pages);

/* ------------------------------------------------------------------------
 * VFIO type1 (v1) partial unmap
 */

/* Split @area so that @iova is the last byte of the first part. */
static int iopt_area_split(struct xiommu_iopt *iopt, struct xiommu_area *area,
			   unsigned long iova)
{
	unsigned long new_start = iova + 1;
	unsigned long align = iopt->iova_alignment;
	struct xiommu_pages *pages = area->pages;
	unsigned long split_byte;
	struct xiommu_area *rhs;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (iova == area->node.start || iova == area->node.last)
		return 0;
	if (!pages || area->prevent_access)
		return -EBUSY;
	split_byte = area->start_byte + (new_start - area->node.start);
	/* Only page-sized IOPTEs: a page-aligned cut never splits one. */
	if (!iopt->disable_large_pages || (new_start & (align - 1)) ||
	    (split_byte & (align - 1)) || offset_in_page(split_byte))
		return -EINVAL;

	rhs = kzalloc(sizeof(*rhs), GFP_KERNEL_ACCOUNT);
	if (!rhs)
		return -ENOMEM;

	mutex_lock(&pages->mutex);
	/* Access pins name the old range: they cannot be split. */
	if (area->num_accesses) {
		mutex_unlock(&pages->mutex);
		kfree(rhs);
		return -EINVAL;
	}
	if (area->filled) {
		/* Same union of indexes: nothing is pinned or unpinned. */
		interval_tree_remove(&area->pages_node, &pages->users_itree);
		rhs->pages_node.start = split_byte / PAGE_SIZE;
		rhs->pages_node.last = area->pages_node.last;
		area->pages_node.last = split_byte / PAGE_SIZE - 1;
		interval_tree_insert(&area->pages_node, &pages->users_itree);
		interval_tree_insert(&rhs->pages_node, &pages->users_itree);
		rhs->filled = true;
	}
	mutex_unlock(&pages->mutex);

	xiommu_pages_get(pages);
	rhs->pages = pages;
	rhs->start_byte = split_byte;
	rhs->prot = area->prot;
	interval_tree_remove(&area->node, &iopt->area_itree);
	rhs->node.start = new_start;
	rhs->node.last = area->node.last;
	area->node.last = iova;
	interval_tree_insert(&area->node, &iopt->area_itree);
	interval_tree_insert(&rhs->node, &iopt->area_itree);
	return 0;
}

/**
 * xiommu_iopt_cut_iova() - split mappings so that each IOVA ends one
 * @iopt: the IOVA map; large IOPTEs must be disabled
 *	(xiommu_iopt_set_large_pages())
 * @iovas: IOVAs that must become the last byte of a mapping
 * @num_iovas: entries in @iovas
 *
 * Used by VFIO_IOMMU_UNMAP_DMA in type1 (v1) mode, which may unmap the
 * middle of a mapping. Both parts keep the same pages (nothing is pinned
 * or unpinned) and the domains are untouched: their IOPTEs are at most a
 * page, and a cut falls on a page boundary of both IOVA and memory. An
 * IOVA inside no mapping, or at a mapping's first or last byte, needs no
 * cut.
 *
 * Return: 0; -EINVAL a cut would not be page aligned, large IOPTEs are
 * enabled, or an access object pins the mapping; -EBUSY the mapping is
 * being created or unmapped; -ENOMEM. Cuts made before a failure stay
 * (they change nothing visible).
 */
int xiommu_iopt_cut_iova(struct xiommu_iopt *iopt, unsigned long *iovas,
			 size_t num_iovas)
{
	size_t i;
	int rc = 0;

	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	for (i = 0; i != num_iovas; i++) {
		struct interval_tree_node *node;

		node = interval_tree_iter_first(&iopt->area_itree, iovas[i],
						iovas[i]);
		if (!node)
			continue;
		rc = iopt_area_split(iopt,
				     container_of(node, struct xiommu_area,
						  node),
				     iovas[i]);
		if (rc)
			break;
	}
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_iopt_cut_iova);

/* ------------------------------------------------------------------------
 * Access objects
 */

/**
 * xiommu_iopt_add_access() - attach an access object to the IOVA map
 * @iopt: the IOVA map
 * @access: the access (opaque here; found again by
 *	xiommu_access_notify_unmap())
 * @pins: the access pins pages: raise the alignment to PAGE_SIZE
 * @id: returns the access's id in @iopt->access_list
 *
 * Return: 0; -EADDRINUSE @pins and a mapping is not page aligned; -EBUSY
 * too many accesses; -ENOMEM.
 */
int xiommu_iopt_add_access(struct xiommu_iopt *iopt, void *access,
			   bool pins, u32 *id)
{
	int rc;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	rc = xa_alloc(&iopt->access_list, id, access, xa_limit_16b,
		      GFP_KERNEL_ACCOUNT);
	if (rc)
		goto out_unlock;
	if (pins) {
		iopt->pin_accesses++;
		rc = iopt_update_alignment(iopt);
		if (rc) {
			iopt->pin_accesses--;
			xa_erase(&iopt->access_list, *id);
		}
	}
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return rc;
}

/**
 * xiommu_iopt_remove_access() - undo xiommu_iopt_add_access()
 * @iopt: the IOVA map
 * @id: the id xiommu_iopt_add_access() returned
 * @pins: as given to xiommu_iopt_add_access()
 */
void xiommu_iopt_remove_access(struct xiommu_iopt *iopt, u32 id, bool pins)
{
	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	WARN_ON(!xa_erase(&iopt->access_list, id));
	if (pins) {
		iopt->pin_accesses--;
		/* Alignment only drops: cannot fail. */
		WARN_ON(iopt_update_alignment(iopt));
	}
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
}

/* The area holding @iova, or NULL. */
static struct xiommu_area *iopt_area_at(struct xiommu_iopt *iopt,
					unsigned long iova)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_first(&iopt->area_itree, iova, iova);
	return node ? container_of(node, struct xiommu_area, node) : NULL;
}

static bool area_prot_ok(struct xiommu_area *area, bool write)
{
	return area->prot & (write ? XIOMMU_WRITE : XIOMMU_READ);
}

/* Undo the access pins of [iova, last], one per area piece as pinned. */
static void iopt_access_unpin_range(struct xiommu_iopt *iopt,
				    unsigned long iova, unsigned long last)
{
	unsigned long cur = iova;

	lockdep_assert_held(&iopt->iova_rwsem);

	for (;;) {
		struct xiommu_area *area = iopt_area_at(iopt, cur);
		unsigned long piece_last, first_byte;

		if (WARN_ON_ONCE(!area || !area->pages))
			return;
		piece_last = min(last, area->node.last);
		first_byte = area->start_byte + (cur - area->node.start);
		xiommu_pages_access_unpin(area->pages, &area->num_accesses,
					  first_byte / PAGE_SIZE,
					  (first_byte + piece_last - cur) /
						  PAGE_SIZE);
		if (piece_last == last)
			return;
		cur = piece_last + 1;
	}
}

/**
 * xiommu_iopt_access_pin() - pin the pages behind an IOVA range
 * @iopt: the IOVA map
 * @iova: first IOVA
 * @last: last IOVA (inclusive)
 * @out_pages: receives the pages from the one holding @iova to the one
 *	holding @last
 * @write: the caller will write to the pages
 *
 * The range must be mapped without a gap, and consecutive mappings must
 * meet at page boundaries of their memory.
 *
 * Return: 0; -ENOENT a gap (or a mapping still being created); -EINVAL the
 * range is being unmapped, or mappings meet inside a page; -EPERM a mapping
 * lacks the permission; a pinning errno. On failure nothing is pinned.
 */
int xiommu_iopt_access_pin(struct xiommu_iopt *iopt, unsigned long iova,
			   unsigned long last, struct page **out_pages,
			   bool write)
{
	unsigned long cur = iova;
	int rc = 0;

	down_read(&iopt->iova_rwsem);
	for (;;) {
		struct xiommu_area *area = iopt_area_at(iopt, cur);
		unsigned long piece_last, first_byte, last_byte;

		if (!area || !area->pages) {
			rc = -ENOENT;
			break;
		}
		piece_last = min(last, area->node.last);
		first_byte = area->start_byte + (cur - area->node.start);
		last_byte = first_byte + (piece_last - cur);
		if (area->prevent_access ||
		    (cur != iova && offset_in_page(first_byte)) ||
		    (piece_last != last && offset_in_page(last_byte + 1))) {
			rc = -EINVAL;
			break;
		}
		if (!area_prot_ok(area, write)) {
			rc = -EPERM;
			break;
		}
		rc = xiommu_pages_access_pin(area->pages, &area->num_accesses,
					     first_byte / PAGE_SIZE,
					     last_byte / PAGE_SIZE, out_pages);
		if (rc)
			break;
		out_pages += last_byte / PAGE_SIZE - first_byte / PAGE_SIZE + 1;
		if (piece_last == last)
			break;
		cur = piece_last + 1;
	}
	/* Every area before @cur was pinned whole, as the unpin sees it. */
	if (rc && cur != iova)
		iopt_access_unpin_range(iopt, iova, cur - 1);
	up_read(&iopt->iova_rwsem);
	return rc;
}

/**
 * xiommu_iopt_access_unpin() - undo xiommu_iopt_access_pin()
 * @iopt: the IOVA map the pin was made in
 * @iova: first IOVA, as pinned
 * @last: last IOVA, as pinned
 */
void xiommu_iopt_access_unpin(struct xiommu_iopt *iopt, unsigned long iova,
			      unsigned long last)
{
	down_read(&iopt->iova_rwsem);
	iopt_access_unpin_range(iopt, iova, last);
	up_read(&iopt->iova_rwsem);
}

/**
 * xiommu_iopt_access_rw() - copy between a kernel buffer and IOVA
 * @iopt: the IOVA map
 * @iova: first IOVA
 * @data: kernel buffer
 * @length: bytes, > 0, not wrapping
 * @flags: XIOMMU_ACCESS_RW_* (WRITE: @data to the IOVA)
 *
 * Return: 0; -ENOENT a gap in the mappings; -EINVAL the range is being
 * unmapped; -EPERM a mapping lacks the permission; -EFAULT the memory is
 * gone; -ENOMEM; -EINTR.
 */
int xiommu_iopt_access_rw(struct xiommu_iopt *iopt, unsigned long iova,
			  void *data, unsigned long length, unsigned int flags)
{
	bool write = flags & XIOMMU_ACCESS_RW_WRITE;
	unsigned long last = iova + length - 1;
	unsigned long cur = iova;
	int rc = 0;

	down_read(&iopt->iova_rwsem);
	for (;;) {
		struct xiommu_area *area = iopt_area_at(iopt, cur);
		unsigned long piece_last, n;

		if (!area || !area->pages) {
			rc = -ENOENT;
			break;
		}
		if (area->prevent_access) {
			rc = -EINVAL;
			break;
		}
		if (!area_prot_ok(area, write)) {
			rc = -EPERM;
			break;
		}
		piece_last = min(last, area->node.last);
		n = piece_last - cur + 1;
		rc = xiommu_pages_rw(area->pages,
				     area->start_byte + (cur - area->node.start),
				     data, n, flags);
		if (rc || piece_last == last)
			break;
		data += n;
		cur = piece_last + 1;
	}
	up_read(&iopt->iova_rwsem);
	return rc;
}

/**
 * xiommu_iopt_nth_area_iova() - the first IOVA of the @nth mapping
 * @iopt: the IOVA map
 * @nth: 0 for the lowest mapping
 *
 * Test support (the mock's MOCK_FLAGS_ACCESS_SYZ): fuzzers name IOVAs as
 * "mapping n, offset o".
 *
 * Return: the IOVA, or 0 when there are fewer mappings.
 */
unsigned long xiommu_iopt_nth_area_iova(struct xiommu_iopt *iopt,
					unsigned int nth)
{
	struct interval_tree_node *node;
	unsigned long iova = 0;

	down_read(&iopt->iova_rwsem);
	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		if (!nth--) {
			iova = node->start;
			break;
		}
	}
	up_read(&iopt->iova_rwsem);
	return iova;
}

/**
 * xiommu_iopt_pgsizes() - IOPTE sizes usable in every domain of the map
 * @iopt: the IOVA map
 *
 * For VFIO_IOMMU_GET_INFO: the sizes all domains share, with everything
 * below PAGE_SIZE folded into PAGE_SIZE (as VFIO reports it), and never
 * less than the map's alignment. Without domains: every size from
 * PAGE_SIZE up.
 *
 * Return: a bitmap of sizes in bytes.
 */
unsigned long xiommu_iopt_pgsizes(struct xiommu_iopt *iopt)
{
	unsigned long pgsizes = ULONG_MAX;
	struct xiommu_iopt_domain *idom;

	down_read(&iopt->domains_rwsem);
	list_for_each_entry(idom, &iopt->domains, node)
		pgsizes &= idom->domain->pgsize_bitmap;
	if (pgsizes & ~PAGE_MASK) {
		pgsizes &= PAGE_MASK;
		pgsizes |= PAGE_SIZE;
	}
	pgsizes = max(pgsizes, iopt->iova_alignment);
	up_read(&iopt->domains_rwsem);
	return pgsizes;
}
