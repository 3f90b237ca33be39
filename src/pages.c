// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pages objects: user memory, pinned once while anybody needs it.
 *
 * What it is
 * ----------
 * A struct xiommu_pages stands for the user memory one IOMMU_IOAS_MAP
 * named: the page-aligned range [uptr, uptr + npages * PAGE_SIZE) of the
 * mapping process, as a logical array of npages pages (an "index" is a
 * position in it). Areas (io_pagetable.c) reference byte slices of it;
 * IOMMU_IOAS_COPY makes further areas, in the same or another IOAS, that
 * point at the same object, so the memory is pinned and charged once no
 * matter how many areas, domains or address spaces show it.
 *
 * When pages are pinned
 * ---------------------
 * As in upstream iommufd, memory is pinned only while something needs the
 * physical pages: an area is a "user" of its index range while its IOAS has
 * at least one domain (later also while an access object pins it). A map
 * into an IOAS without domains pins nothing (and does not even check that
 * the memory exists); attaching the first domain pins every area, removing
 * the last domain unpins them.
 *
 * The users' index ranges sit in an interval tree (users_itree). An index
 * is pinned exactly once while at least one range covers it: adding a user
 * pins only the holes its range finds in the tree, removing one unpins only
 * what no other range still covers (the same hole walk as the IOVA
 * allocator's, over indexes). The pinned struct page pointers are kept in a
 * flat array for the whole object, allocated while anything is pinned (so
 * pinning a small part of a huge mapping, e.g. by a COPY, still allocates
 * the whole array; a two-level table would fix that if it ever matters). Upstream instead reads
 * PFNs back out of a domain to save that array (8 bytes per 4 KiB page);
 * we accept the memory for code that is simple, lock-light and cannot fail
 * on the teardown paths: mapping a domain or an access reads the array, and
 * unpinning never needs to read a domain.
 *
 * Pinning uses pin_user_pages_fast(FOLL_LONGTERM, plus FOLL_WRITE for
 * writeable memory), or pin_user_pages_remote() when a domain is attached
 * from another process. Unpinning marks the pages dirty if devices could
 * write them.
 *
 * Accounting
 * ----------
 * Pages are charged when pinned and uncharged when unpinned, before the
 * pin so a request over the limit fails with ENOMEM having pinned nothing:
 * by default to user->locked_vm of the mapping user against the mapping
 * task's RLIMIT_MEMLOCK (shared by all the user's processes, like
 * io_uring), or to mm->locked_vm of the mapping process
 * (XIOMMU_ACCOUNT_MM, VFIO type1's rule). A mapper with CAP_IPC_LOCK is not
 * charged. mm->pinned_vm always shows the pins.
 *
 * Domains
 * -------
 * xiommu_pages_map_domain() walks a slice of the array, cuts it into runs
 * of physically contiguous pages and hands each run to xiommu_map(), which
 * picks the largest IOPTE sizes the domain supports for the run's
 * alignment. Domains are unmapped per area with xiommu_unmap().
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <xiommu/driver.h>

#include "io_pagetable.h"
#include "iommu_lite.h"

/* Pages pinned or unpinned per call (4 MiB with 4 KiB pages). */
#define XIOMMU_PIN_BATCH	1024UL

/**
 * xiommu_pages_alloc() - describe user memory of the current process
 * @uptr: first byte of the memory
 * @length: bytes
 * @writable: devices may write the memory (pin with FOLL_WRITE)
 * @mode: where to charge pinned pages; a caller with CAP_IPC_LOCK is
 *	never charged
 *
 * Nothing is pinned: see xiommu_pages_add_user().
 *
 * Return: the pages object with one reference, ERR_PTR(-EINVAL) for a zero
 * or huge @length, ERR_PTR(-EOVERFLOW) if the range wraps, ERR_PTR(-ENOMEM).
 */
struct xiommu_pages *xiommu_pages_alloc(void __user *uptr,
					unsigned long length, bool writable,
					enum xiommu_account_mode mode)
{
	unsigned long start = (unsigned long)uptr;
	struct xiommu_pages *pages;
	unsigned long end;

	/* Keeps every byte count below + PAGE_SIZE from overflowing. */
	if (!length || length > SIZE_MAX - PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(start, length, &end))
		return ERR_PTR(-EOVERFLOW);

	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	kref_init(&pages->kref);
	mutex_init(&pages->mutex);
	pages->uptr = (void __user *)ALIGN_DOWN(start, PAGE_SIZE);
	pages->npages = DIV_ROUND_UP(length + offset_in_page(start), PAGE_SIZE);
	pages->users_itree = RB_ROOT_CACHED;
	pages->writable = writable;
	pages->account_mode = capable(CAP_IPC_LOCK) ? XIOMMU_ACCOUNT_NONE :
						      mode;
	pages->source_task = current->group_leader;
	get_task_struct(pages->source_task);
	pages->source_mm = current->mm;
	mmgrab(pages->source_mm);
	pages->source_user = get_uid(current_user());
	return pages;
}

static void xiommu_pages_release(struct kref *kref)
{
	struct xiommu_pages *pages = container_of(kref, struct xiommu_pages,
						  kref);

	WARN_ON(pages->npinned || pages->pages ||
		!RB_EMPTY_ROOT(&pages->users_itree.rb_root));
	mmdrop(pages->source_mm);
	free_uid(pages->source_user);
	put_task_struct(pages->source_task);
	mutex_destroy(&pages->mutex);
	kfree(pages);
}

/**
 * xiommu_pages_put() - drop a reference
 * @pages: the pages object; nothing of it may be pinned for the caller
 */
void xiommu_pages_put(struct xiommu_pages *pages)
{
	kref_put(&pages->kref, xiommu_pages_release);
}

/* ------------------------------------------------------------------------
 * Accounting
 */
static int charge_user(struct xiommu_pages *pages, unsigned long npages)
{
	unsigned long limit = task_rlimit(pages->source_task,
					  RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	atomic_long_t *locked = &pages->source_user->locked_vm;
	unsigned long cur, new;

	do {
		cur = atomic_long_read(locked);
		if (check_add_overflow(cur, npages, &new) || new > limit)
			return -ENOMEM;
	} while (atomic_long_cmpxchg(locked, cur, new) != cur);
	return 0;
}

static int update_mm(struct xiommu_pages *pages, unsigned long npages,
		     bool inc)
{
	struct mm_struct *mm = pages->source_mm;
	int rc;

	/* An address space that is gone has nothing left to charge. */
	if (!mmget_not_zero(mm))
		return inc ? -EFAULT : 0;
	mmap_write_lock(mm);
	rc = __account_locked_vm(mm, npages, inc, pages->source_task, false);
	mmap_write_unlock(mm);
	mmput(mm);
	return rc;
}

static int pages_charge(struct xiommu_pages *pages, unsigned long npages)
{
	switch (pages->account_mode) {
	case XIOMMU_ACCOUNT_USER:
		return charge_user(pages, npages);
	case XIOMMU_ACCOUNT_MM:
		return update_mm(pages, npages, true);
	default:
		return 0;
	}
}

static void pages_uncharge(struct xiommu_pages *pages, unsigned long npages)
{
	atomic_long_t *locked = &pages->source_user->locked_vm;

	switch (pages->account_mode) {
	case XIOMMU_ACCOUNT_USER:
		if (!WARN_ON(atomic_long_read(locked) < npages))
			atomic_long_sub(npages, locked);
		break;
	case XIOMMU_ACCOUNT_MM:
		update_mm(pages, npages, false);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------------
 * Pinning
 */

/* Charge and pin indexes [first, last], none of them pinned now. */
static int pages_pin_range(struct xiommu_pages *pages, unsigned long first,
			   unsigned long last)
{
	struct mm_struct *mm = pages->source_mm;
	unsigned long npages = last - first + 1;
	bool remote = current->mm != mm;
	unsigned int gup_flags = FOLL_LONGTERM;
	unsigned long done = 0;
	int rc;

	lockdep_assert_held(&pages->mutex);

	if (pages->writable)
		gup_flags |= FOLL_WRITE;

	rc = pages_charge(pages, npages);
	if (rc)
		return rc;

	if (remote) {
		if (!mmget_not_zero(mm)) {
			rc = -EFAULT;
			goto err_uncharge;
		}
		mmap_read_lock(mm);
	}
	while (done < npages) {
		unsigned long uaddr = (unsigned long)pages->uptr +
				      (first + done) * PAGE_SIZE;
		unsigned long batch = min(npages - done, XIOMMU_PIN_BATCH);
		struct page **out = pages->pages + first + done;
		long got;

		if (remote)
			got = pin_user_pages_remote(mm, uaddr, batch, gup_flags,
						    out, NULL, NULL);
		else
			got = pin_user_pages_fast(uaddr, batch, gup_flags, out);
		if (got <= 0) {
			rc = got ? got : -EFAULT;
			goto err_unpin;
		}
		done += got;
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			goto err_unpin;
		}
		if (!remote)
			cond_resched();
	}
	if (remote) {
		mmap_read_unlock(mm);
		mmput(mm);
	}
	pages->npinned += npages;
	atomic64_add(npages, &mm->pinned_vm);
	return 0;

err_unpin:
	if (remote) {
		mmap_read_unlock(mm);
		mmput(mm);
	}
	/* Nothing wrote to them yet: no need to dirty. */
	unpin_user_pages(pages->pages + first, done);
err_uncharge:
	pages_uncharge(pages, npages);
	return rc;
}

/* Unpin and uncharge indexes [first, last], all pinned now. */
static void pages_unpin_range(struct xiommu_pages *pages, unsigned long first,
			      unsigned long last)
{
	unsigned long npages = last - first + 1;
	unsigned long done, batch;

	lockdep_assert_held(&pages->mutex);

	for (done = 0; done < npages; done += batch) {
		batch = min(npages - done, XIOMMU_PIN_BATCH);
		unpin_user_pages_dirty_lock(pages->pages + first + done, batch,
					    pages->writable);
		cond_resched();
	}
	pages->npinned -= npages;
	atomic64_sub(npages, &pages->source_mm->pinned_vm);
	pages_uncharge(pages, npages);
}

static void pages_free_array_if_unused(struct xiommu_pages *pages)
{
	if (!pages->npinned) {
		kvfree(pages->pages);
		pages->pages = NULL;
	}
}

/**
 * xiommu_pages_add_user() - make sure indexes [first, last] are pinned
 * @pages: the pages object
 * @node: the caller's tree node, inserted into @pages->users_itree; it
 *	keeps the range pinned until xiommu_pages_remove_user()
 * @first: first page index
 * @last: last page index (inclusive, < npages)
 *
 * Pins (and charges) only the indexes no other user covers. While @node is
 * in the tree, @pages->pages[first..last] are valid without the mutex.
 *
 * Context: may sleep; may be called from a process other than the mapping
 * one.
 * Return: 0; -ENOMEM (no memory, or over RLIMIT_MEMLOCK); -EFAULT (memory
 * not mapped, or not writable for writable pages; mapping process gone);
 * -EINTR; another pinning errno. On failure nothing changed.
 */
int xiommu_pages_add_user(struct xiommu_pages *pages,
			  struct interval_tree_node *node,
			  unsigned long first, unsigned long last)
{
	struct xiommu_iova_hole_iter hole;
	unsigned long failed = 0;
	int rc = 0;

	if (WARN_ON(first > last || last >= pages->npages))
		return -EINVAL;

	mutex_lock(&pages->mutex);
	if (!pages->pages) {
		/* Sized by user input: fail quietly when it is absurd. */
		pages->pages = kvcalloc(pages->npages, sizeof(*pages->pages),
					GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!pages->pages) {
			rc = -ENOMEM;
			goto out_unlock;
		}
	}

	for_each_xiommu_iova_hole(&hole, &pages->users_itree, NULL, first,
				  last) {
		rc = pages_pin_range(pages, hole.start_hole, hole.last_hole);
		if (rc) {
			failed = hole.start_hole;
			break;
		}
	}
	if (rc) {
		/* The tree did not change: the same holes come back. */
		for_each_xiommu_iova_hole(&hole, &pages->users_itree, NULL,
					  first, last) {
			if (hole.start_hole >= failed)
				break;
			pages_unpin_range(pages, hole.start_hole,
					  hole.last_hole);
		}
		pages_free_array_if_unused(pages);
		goto out_unlock;
	}

	node->start = first;
	node->last = last;
	interval_tree_insert(node, &pages->users_itree);
out_unlock:
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * xiommu_pages_remove_user() - undo xiommu_pages_add_user()
 * @pages: the pages object
 * @node: the node passed to xiommu_pages_add_user()
 *
 * Unpins (dirtying writable pages) and uncharges the indexes no other user
 * covers any more. No domain may map them when this is called.
 */
void xiommu_pages_remove_user(struct xiommu_pages *pages,
			      struct interval_tree_node *node)
{
	struct xiommu_iova_hole_iter hole;

	mutex_lock(&pages->mutex);
	interval_tree_remove(node, &pages->users_itree);
	for_each_xiommu_iova_hole(&hole, &pages->users_itree, NULL,
				  node->start, node->last)
		pages_unpin_range(pages, hole.start_hole, hole.last_hole);
	pages_free_array_if_unused(pages);
	mutex_unlock(&pages->mutex);
}

/**
 * xiommu_pages_map_domain() - map a slice of pinned pages into a domain
 * @pages: pages object; the caller is a user covering the slice
 * @start_byte: first byte of the slice (from @pages->uptr)
 * @length: bytes in the slice
 * @domain: paging domain
 * @iova: IOVA of the slice's first byte
 * @prot: XIOMMU_READ/WRITE/CACHE
 * @small_pages: map in at most PAGE_SIZE pieces (no large IOPTEs)
 *
 * Each run of physically contiguous pages is mapped with one xiommu_map()
 * call. The caller guarantees @iova, @length and the slice's page offset
 * are aligned to the domain's smallest IOPTE size and that the range is
 * free in the domain.
 *
 * Return: 0, or xiommu_map()'s errno with nothing of the slice left mapped.
 */
int xiommu_pages_map_domain(struct xiommu_pages *pages,
			    unsigned long start_byte, unsigned long length,
			    struct xiommu_domain *domain, unsigned long iova,
			    int prot, bool small_pages)
{
	unsigned long index = start_byte / PAGE_SIZE;
	unsigned long offset = offset_in_page(start_byte);
	unsigned long done = 0;
	int rc;

	while (done < length) {
		unsigned long pfn = page_to_pfn(pages->pages[index]);
		unsigned long run = PAGE_SIZE - offset;
		unsigned long n = 1;

		while (!small_pages && run < length - done &&
		       index + n < pages->npages &&
		       page_to_pfn(pages->pages[index + n]) == pfn + n) {
			run += PAGE_SIZE;
			n++;
		}
		run = min(run, length - done);

		rc = xiommu_map(domain, iova + done, PFN_PHYS(pfn) + offset,
				run, prot, GFP_KERNEL_ACCOUNT);
		if (rc)
			goto err_unmap;
		done += run;
		index += n;
		offset = 0;
		cond_resched();
	}
	return 0;

err_unmap:
	if (done)
		WARN_ON_ONCE(xiommu_unmap(domain, iova, done) != done);
	return rc;
}
