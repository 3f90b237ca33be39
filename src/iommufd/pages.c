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
 * at least one domain, and an access object's pin is a user of the range it
 * pinned. A map into an IOAS without domains pins nothing (and does not
 * even check that the memory exists); attaching the first domain pins every
 * area, removing the last domain unpins them.
 *
 * The users' index ranges sit in an interval tree (users_itree). An index
 * is pinned exactly once while at least one range covers it: adding a user
 * pins only the holes its range finds in the tree, removing one unpins only
 * what no other range still covers (the same hole walk as the IOVA
 * allocator's, over indexes). The pinned struct page pointers are kept in
 * chunks of XIOMMU_PAGES_CHUNK pointers (one 4 KiB allocation each; the
 * last chunk of a pages object holds only the indexes the object has, so a
 * mapping of a few pages takes a small allocation, not 4 KiB: see
 * chunk_len()), in an xarray indexed by index / XIOMMU_PAGES_CHUNK; a
 * chunk exists exactly while some user range covers one of its indexes.
 * An object of at most XIOMMU_PAGES_SMALL pages (a VMM mapping page by
 * page) keeps its pointers in the object itself and has no chunks.
 * Upstream instead reads
 * PFNs back out of a domain to save that memory (8 bytes per 4 KiB page);
 * we keep it for code that is simple, lock-light and cannot fail on the
 * teardown paths: mapping a domain or an access reads the chunks, and
 * unpinning never needs to read a domain.
 *
 * Memory bounds (Documentation/iommufd.md, "Memory bounds"): the kernel
 * memory a pages object holds follows what is pinned, never the length
 * user space named. Chunks are allocated after the pages they describe
 * are charged (so a request over RLIMIT_MEMLOCK fails with ENOMEM before
 * any allocation), at most two per pinned range more than its pinned
 * pages fill, and freed with the last user of their indexes; one pinned
 * page of a huge mapping holds one chunk.
 *
 * Pinning uses pin_user_pages_fast(FOLL_LONGTERM, plus FOLL_WRITE for
 * writeable memory), or pin_user_pages_remote() when a domain is attached
 * from another process and for read-only memory (which also breaks COW in
 * private writable mappings, see ro_pin_flags()). Unpinning marks the
 * pages dirty if devices could write them.
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
 * Access objects
 * --------------
 * Access pins are kept in access_itree, one struct xiommu_pages_access per
 * distinct index range with a count of how often it was pinned, because
 * unpins name the range again (xiommu_pages_access_unpin()), never a
 * handle. Each such node is also a user in users_itree, so the pages stay
 * pinned while an access needs them whatever the domains do. Reads and
 * writes by IOVA (xiommu_pages_rw()) use the pinned pages when the range is
 * pinned (that is what devices see), otherwise the mapping process's
 * memory: directly with copy_to/from_user() when called from that process,
 * else by pinning it for the duration of the copy, a batch at a time.
 *
 * Temporary memory
 * ----------------
 * Arrays of page pointers used while pinning, unpinning or copying hold at
 * most xiommu_pin_batch() entries; IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT
 * shrinks that (xiommu_test_set_temp_memory_limit()) so the tests reach
 * every batch boundary with small buffers.
 *
 * Domains
 * -------
 * xiommu_pages_map_domain() walks a slice of the array, cuts it into runs
 * of physically contiguous pages and hands each run to xiommu_map_nosync(),
 * which picks the largest IOPTE sizes the domain supports for the run's
 * alignment, then completes the whole slice with one
 * xiommu_iotlb_sync_map() (virtio-iommu: one notification and wait for all
 * the slice's MAP requests, however fragmented the memory). Domains are
 * unmapped per area with xiommu_unmap().
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include <xiommu/driver.h>
#include <xiommu/xiommu.h>

#include "io_pagetable.h"
#include "iommu_lite.h"

/* Page pointers per chunk: one 4 KiB allocation on 64-bit. */
#define XIOMMU_PAGES_CHUNK	512UL

/*
 * Bytes of page-pointer arrays one pin, unpin or copy batch may use: 1024
 * pages (4 MiB with 4 KiB pages) unless a test lowered it.
 */
#define XIOMMU_TEMP_MEMORY_DEFAULT	(1024 * sizeof(struct page *))
static unsigned int xiommu_temp_memory_limit = XIOMMU_TEMP_MEMORY_DEFAULT;

/**
 * xiommu_pin_batch() - pages per pin, unpin or copy batch
 *
 * Return: at least 1.
 */
unsigned long xiommu_pin_batch(void)
{
	return max_t(unsigned long, 1,
		     READ_ONCE(xiommu_temp_memory_limit) /
			     sizeof(struct page *));
}

/**
 * xiommu_test_set_temp_memory_limit() - bound temporary pinning memory
 * @limit: bytes of page-pointer arrays a pin, unpin or copy batch may use
 *
 * Test support (IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT): small limits make
 * every operation loop over many small batches. The setting is global and
 * stays until changed again; the default is 1024 page pointers.
 *
 * Return: 0, or -EINVAL when @limit is smaller than one batch element as
 * upstream counts it (sizeof(unsigned long) + sizeof(u32) bytes).
 */
int xiommu_test_set_temp_memory_limit(u32 limit)
{
	if (limit < sizeof(unsigned long) + sizeof(u32))
		return -EINVAL;
	WRITE_ONCE(xiommu_temp_memory_limit, limit);
	return 0;
}
EXPORT_SYMBOL_GPL(xiommu_test_set_temp_memory_limit);

/*
 * What xiommu_pages_alloc() allocates: the pages object and the memory of
 * the first area made of it (pages->first_area), in one slab object, so
 * the per-call IOAS_MAP of a VMM allocates (and its unmap frees) one
 * object instead of two. The pages object comes first: kfree(pages) frees
 * both.
 */
struct xiommu_pages_with_area {
	struct xiommu_pages pages;
	struct xiommu_area area;
};

/**
 * xiommu_pages_alloc() - describe user memory of the current process
 * @uptr: first byte of the memory
 * @length: bytes
 * @writable: devices may write the memory (pin with FOLL_WRITE)
 * @mode: where to charge pinned pages; a caller with CAP_IPC_LOCK is
 *	never charged
 *
 * Nothing is pinned: see xiommu_pages_add_user(). The object carries the
 * memory of its first area (@first_area, see struct xiommu_pages).
 *
 * Return: the pages object with one reference, ERR_PTR(-EINVAL) for a zero
 * or huge @length, ERR_PTR(-EOVERFLOW) if the range wraps, ERR_PTR(-ENOMEM).
 */
struct xiommu_pages *xiommu_pages_alloc(void __user *uptr,
					unsigned long length, bool writable,
					enum xiommu_account_mode mode)
{
	unsigned long start = (unsigned long)uptr;
	struct xiommu_pages_with_area *pwa;
	struct xiommu_pages *pages;
	unsigned long end;

	/* Keeps every byte count below + PAGE_SIZE from overflowing. */
	if (!length || length > SIZE_MAX - PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(start, length, &end))
		return ERR_PTR(-EOVERFLOW);

	pwa = kzalloc(sizeof(*pwa), GFP_KERNEL_ACCOUNT);
	if (!pwa)
		return ERR_PTR(-ENOMEM);
	pages = &pwa->pages;
	pwa->area.in_pages = true;
	pages->first_area = &pwa->area;
	kref_init(&pages->kref);
	mutex_init(&pages->mutex);
	pages->uptr = (void __user *)ALIGN_DOWN(start, PAGE_SIZE);
	pages->npages = DIV_ROUND_UP(length + offset_in_page(start), PAGE_SIZE);
	xa_init_flags(&pages->chunks, XA_FLAGS_ACCOUNT);
	pages->users_itree = RB_ROOT_CACHED;
	pages->access_itree = RB_ROOT_CACHED;
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

	WARN_ON(pages->npinned || !xa_empty(&pages->chunks) ||
		!RB_EMPTY_ROOT(&pages->users_itree.rb_root) ||
		!RB_EMPTY_ROOT(&pages->access_itree.rb_root));
	kvfree(pages->pfns);
	if (pages->file)
		xiommu_pages_file_release(pages);
	xa_destroy(&pages->chunks);
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

/* Is @pages charged to somebody other than the calling process? */
static bool pages_owner_differs(struct xiommu_pages *pages)
{
	return pages->source_mm != current->mm ||
	       pages->source_task != current->group_leader ||
	       pages->source_user != current_user();
}

/* Serialises movers; the nest lock of the pages mutexes they hold. */
static DEFINE_MUTEX(pages_move_lock);

/**
 * xiommu_pages_move_to_current() - charge pages objects to the caller
 * @v: distinct pages objects (references held by the caller)
 * @n: entries of @v
 *
 * IOMMU_IOAS_CHANGE_PROCESS: every pages object of @v that is charged to
 * another process gets the calling process as its owner: what it has
 * pinned is charged to the caller (all at once, before anything changes,
 * so a charge over the limit changes nothing) and then uncharged from the
 * old owner; later pins and unpins charge the caller. Only file-backed
 * pages objects may be moved: a user-VA one is tied to its address space.
 *
 * Context: process context, may sleep; takes every pages->mutex of @v
 * (nested under one global lock).
 * Return: 0; -ENOMEM the caller's RLIMIT_MEMLOCK does not fit the pinned
 * pages; -EFAULT the caller's address space is going away. On failure
 * nothing changed.
 */
int xiommu_pages_move_to_current(struct xiommu_pages **v, unsigned long n)
{
	unsigned long charged[XIOMMU_ACCOUNT_MM + 1] = {};
	struct xiommu_pages cur = {
		.source_task = current->group_leader,
		.source_user = current_user(),
		.source_mm = current->mm,
	};
	unsigned long i;
	int mode, rc = 0;

	mutex_lock(&pages_move_lock);
	for (i = 0; i != n; i++)
		mutex_lock_nest_lock(&v[i]->mutex, &pages_move_lock);

	for (i = 0; i != n; i++) {
		if (WARN_ON_ONCE(!v[i]->file) ||
		    WARN_ON_ONCE(v[i]->account_mode > XIOMMU_ACCOUNT_MM))
			continue;
		if (pages_owner_differs(v[i]))
			charged[v[i]->account_mode] += v[i]->npinned;
	}
	for (mode = 0; mode <= XIOMMU_ACCOUNT_MM; mode++) {
		if (!charged[mode])
			continue;
		cur.account_mode = mode;
		rc = pages_charge(&cur, charged[mode]);
		if (rc)
			goto err_uncharge;
	}

	for (i = 0; i != n; i++) {
		struct xiommu_pages *pages = v[i];
		struct task_struct *old_task = pages->source_task;
		struct user_struct *old_user = pages->source_user;
		struct mm_struct *old_mm = pages->source_mm;

		if (!pages->file || !pages_owner_differs(pages))
			continue;
		pages_uncharge(pages, pages->npinned);
		atomic64_sub(pages->npinned, &old_mm->pinned_vm);
		pages->source_task = current->group_leader;
		get_task_struct(pages->source_task);
		pages->source_user = get_uid(current_user());
		pages->source_mm = current->mm;
		mmgrab(pages->source_mm);
		atomic64_add(pages->npinned, &pages->source_mm->pinned_vm);
		put_task_struct(old_task);
		free_uid(old_user);
		mmdrop(old_mm);
	}
	goto out_unlock;

err_uncharge:
	while (mode-- > 0) {
		cur.account_mode = mode;
		if (charged[mode])
			pages_uncharge(&cur, charged[mode]);
	}
out_unlock:
	for (i = n; i-- > 0;)
		mutex_unlock(&v[i]->mutex);
	mutex_unlock(&pages_move_lock);
	return rc;
}

/* ------------------------------------------------------------------------
 * Page-pointer chunks
 */

/* Where the pointer of @index lives; its chunk must exist. */
static struct page **pages_slot(struct xiommu_pages *pages,
				unsigned long index)
{
	struct page **chunk;

	if (pages->npages <= XIOMMU_PAGES_SMALL)
		return pages->small + index;
	chunk = xa_load(&pages->chunks,
				      index / XIOMMU_PAGES_CHUNK);

	return chunk + index % XIOMMU_PAGES_CHUNK;
}

/* Entries of chunk @c: XIOMMU_PAGES_CHUNK but for the last chunk. */
static unsigned long chunk_len(struct xiommu_pages *pages, unsigned long c)
{
	return min(XIOMMU_PAGES_CHUNK, pages->npages - c * XIOMMU_PAGES_CHUNK);
}

/* Indexes from @index to the end of its chunk, at most @left. */
static unsigned long chunk_run(unsigned long index, unsigned long left)
{
	return min(left, XIOMMU_PAGES_CHUNK - index % XIOMMU_PAGES_CHUNK);
}

/*
 * Free the chunks of indexes [first, last] that no user range covers any
 * more. pages->mutex held.
 */
static void pages_trim_chunks(struct xiommu_pages *pages, unsigned long first,
			      unsigned long last)
{
	unsigned long c;

	lockdep_assert_held(&pages->mutex);
	if (pages->npages <= XIOMMU_PAGES_SMALL)
		return;
	for (c = first / XIOMMU_PAGES_CHUNK; c <= last / XIOMMU_PAGES_CHUNK;
	     c++) {
		unsigned long cfirst = c * XIOMMU_PAGES_CHUNK;
		unsigned long clast = min(cfirst + XIOMMU_PAGES_CHUNK,
					  pages->npages) - 1;

		if (interval_tree_iter_first(&pages->users_itree, cfirst,
					     clast))
			continue;
		kfree(xa_erase(&pages->chunks, c));
	}
}

/*
 * Make sure the chunks of indexes [first, last] exist. Their number is
 * bounded by the pages about to be pinned (charged already). On failure
 * the caller trims. pages->mutex held.
 */
static int pages_fill_chunks(struct xiommu_pages *pages, unsigned long first,
			     unsigned long last)
{
	unsigned long c;

	lockdep_assert_held(&pages->mutex);
	if (pages->npages <= XIOMMU_PAGES_SMALL)
		return 0;
	for (c = first / XIOMMU_PAGES_CHUNK; c <= last / XIOMMU_PAGES_CHUNK;
	     c++) {
		struct page **chunk;
		int rc;

		if (xa_load(&pages->chunks, c))
			continue;
		chunk = kcalloc(chunk_len(pages, c), sizeof(*chunk),
				GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!chunk)
			return -ENOMEM;
		rc = xa_err(xa_store(&pages->chunks, c, chunk,
				     GFP_KERNEL_ACCOUNT | __GFP_NOWARN));
		if (rc) {
			kfree(chunk);
			return rc;
		}
	}
	return 0;
}

/* Copy the pointers of pinned indexes [first, first + n) to @out. */
static void pages_copy_out(struct xiommu_pages *pages, unsigned long first,
			   unsigned long n, struct page **out)
{
	while (n) {
		unsigned long run = chunk_run(first, n);

		memcpy(out, pages_slot(pages, first), run * sizeof(*out));
		out += run;
		first += run;
		n -= run;
	}
}

/* Unpin indexes [first, first + n) (no accounting), dirtying if @dirty. */
static void pages_unpin_slots(struct xiommu_pages *pages, unsigned long first,
			      unsigned long n, bool dirty)
{
	while (n) {
		unsigned long run = chunk_run(first, n);

		unpin_user_pages_dirty_lock(pages_slot(pages, first), run,
					    dirty);
		first += run;
		n -= run;
		cond_resched();
	}
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * xiommu_pages_test_set() - KUnit: pretend @kpages are pinned, or undo it
 * @pages: a pages object with nothing pinned (or pretended)
 * @kpages: @pages->npages page pointers, or NULL to drop the pretence
 *
 * Fills the chunks the way pinning would, without touching users_itree,
 * npinned or the pages' pin counts (the caller does what it needs).
 *
 * Return: 0 or -ENOMEM.
 */
int xiommu_pages_test_set(struct xiommu_pages *pages, struct page **kpages)
{
	struct page **chunk;
	unsigned long i;
	int rc = 0;

	mutex_lock(&pages->mutex);
	if (!kpages) {
		xa_for_each(&pages->chunks, i, chunk)
			kfree(xa_erase(&pages->chunks, i));
		goto out_unlock;
	}
	rc = pages_fill_chunks(pages, 0, pages->npages - 1);
	for (i = 0; !rc && i < pages->npages; i++)
		*pages_slot(pages, i) = kpages[i];
out_unlock:
	mutex_unlock(&pages->mutex);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_pages_test_set);
#endif

/* ------------------------------------------------------------------------
 * Pinning
 */

/*
 * GUP flags for a read-only pin at @uaddr, and how many pages from there
 * they hold for. Linux 6.1's GUP does not break COW for a read-only
 * long-term pin of a page-cache page in a private writable mapping (6.2
 * does, "reliable R/O long-term pinning in COW mappings"): the process's
 * next write would then get a new page while devices keep the old one. So
 * in such a mapping pin for writing, which makes the process's private
 * copy now (its contents do not change, and the mapping stays read-only
 * for devices). mmap_lock held.
 */
static unsigned int ro_pin_flags(struct mm_struct *mm, unsigned long uaddr,
				 unsigned long *npages)
{
	struct vm_area_struct *vma = vma_lookup(mm, uaddr);

	if (!vma)
		return 0;	/* GUP fails with EFAULT */
	*npages = min(*npages, (vma->vm_end - uaddr) >> PAGE_SHIFT);
	return (vma->vm_flags & (VM_SHARED | VM_WRITE)) == VM_WRITE ?
		       FOLL_WRITE : 0;
}

/* Charge and pin indexes [first, last], none of them pinned now. */
static int pages_pin_range(struct xiommu_pages *pages, unsigned long first,
			   unsigned long last)
{
	struct mm_struct *mm = pages->source_mm;
	unsigned long npages = last - first + 1;
	unsigned long max_batch = xiommu_pin_batch();
	/*
	 * Read-only pins look at the VMAs: they need mmap_lock too. File
	 * pages (pages_file.c) need no address space.
	 */
	bool locked = !pages->file &&
		      (current->mm != mm || !pages->writable);
	unsigned int gup_flags = FOLL_LONGTERM;
	unsigned long done = 0;
	int rc;

	lockdep_assert_held(&pages->mutex);

	if (pages->writable)
		gup_flags |= FOLL_WRITE;

	/* Charge first: nothing is allocated for a request over the limit. */
	rc = pages_charge(pages, npages);
	if (rc)
		return rc;
	rc = pages_fill_chunks(pages, first, last);
	if (rc)
		goto err_uncharge;

	if (locked) {
		if (!mmget_not_zero(mm)) {
			rc = -EFAULT;
			goto err_uncharge;
		}
		mmap_read_lock(mm);
	}
	while (done < npages) {
		unsigned long uaddr = (unsigned long)pages->uptr +
				      (first + done) * PAGE_SIZE;
		unsigned long batch = chunk_run(first + done,
						min(npages - done, max_batch));
		struct page **out = pages_slot(pages, first + done);
		unsigned int flags = gup_flags;
		long got;

		if (!pages->file && !pages->writable)
			flags |= ro_pin_flags(mm, uaddr, &batch);
		if (pages->file)
			got = xiommu_file_pin(pages, first + done, batch, out);
		else if (locked)
			got = pin_user_pages_remote(mm, uaddr, batch, flags,
						    out, NULL, NULL);
		else
			got = pin_user_pages_fast(uaddr, batch, flags, out);
		if (got <= 0) {
			rc = got ? got : -EFAULT;
			goto err_unpin;
		}
		done += got;
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			goto err_unpin;
		}
		if (!locked)
			cond_resched();
	}
	if (locked) {
		mmap_read_unlock(mm);
		mmput(mm);
	}
	pages->npinned += npages;
	atomic64_add(npages, &mm->pinned_vm);
	return 0;

err_unpin:
	if (locked) {
		mmap_read_unlock(mm);
		mmput(mm);
	}
	/* Nothing wrote to them yet: no need to dirty. */
	pages_unpin_slots(pages, first, done, false);
err_uncharge:
	pages_uncharge(pages, npages);
	return rc;
}

/* Unpin and uncharge indexes [first, last], all pinned now. */
static void pages_unpin_range(struct xiommu_pages *pages, unsigned long first,
			      unsigned long last)
{
	unsigned long npages = last - first + 1;

	lockdep_assert_held(&pages->mutex);

	pages_unpin_slots(pages, first, npages, pages->writable);
	pages->npinned -= npages;
	atomic64_sub(npages, &pages->source_mm->pinned_vm);
	pages_uncharge(pages, npages);
}

/* xiommu_pages_add_user() with pages->mutex held */
static int pages_add_user_locked(struct xiommu_pages *pages,
				 struct interval_tree_node *node,
				 unsigned long first, unsigned long last)
{
	struct xiommu_iova_hole_iter hole;
	unsigned long failed = 0;
	int rc = 0;

	lockdep_assert_held(&pages->mutex);

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
		pages_trim_chunks(pages, first, last);
		return rc;
	}

	node->start = first;
	node->last = last;
	interval_tree_insert(node, &pages->users_itree);
	return 0;
}

/* xiommu_pages_remove_user() with pages->mutex held */
static void pages_remove_user_locked(struct xiommu_pages *pages,
				     struct interval_tree_node *node)
{
	struct xiommu_iova_hole_iter hole;

	lockdep_assert_held(&pages->mutex);

	interval_tree_remove(node, &pages->users_itree);
	for_each_xiommu_iova_hole(&hole, &pages->users_itree, NULL,
				  node->start, node->last)
		pages_unpin_range(pages, hole.start_hole, hole.last_hole);
	pages_trim_chunks(pages, node->start, node->last);
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
 * in the tree, the page pointers of [first, last] are valid without the
 * mutex.
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
	int rc;

	if (WARN_ON(first > last || last >= pages->npages))
		return -EINVAL;
	if (pages->pfns)
		return xiommu_pfnmap_add_user(pages, node, first, last);

	mutex_lock(&pages->mutex);
	rc = pages_add_user_locked(pages, node, first, last);
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
	if (pages->pfns) {
		xiommu_pfnmap_remove_user(pages, node);
		return;
	}
	mutex_lock(&pages->mutex);
	pages_remove_user_locked(pages, node);
	mutex_unlock(&pages->mutex);
}

/* The access node for exactly [first, last], or NULL. */
static struct xiommu_pages_access *
pages_find_access(struct xiommu_pages *pages, unsigned long first,
		  unsigned long last)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&pages->mutex);

	for (node = interval_tree_iter_first(&pages->access_itree, first, last);
	     node; node = interval_tree_iter_next(node, first, last)) {
		if (node->start == first && node->last == last)
			return container_of(node, struct xiommu_pages_access,
					    access_node);
	}
	return NULL;
}

/**
 * xiommu_pages_access_pin() - pin indexes [first, last] for an access
 * @pages: the pages object
 * @area_count: the pinning area's access count, raised on success
 * @first: first page index
 * @last: last page index (inclusive, < npages)
 * @out_pages: receives last - first + 1 page pointers
 *
 * The pages stay pinned until xiommu_pages_access_unpin() of the same
 * range, whatever happens to the domains.
 *
 * Return: 0, or a pinning errno (-ENOMEM, -EFAULT, -EINTR) with nothing
 * changed.
 */
int xiommu_pages_access_pin(struct xiommu_pages *pages,
			    unsigned int *area_count, unsigned long first,
			    unsigned long last, struct page **out_pages)
{
	struct xiommu_pages_access *pa;
	int rc;

	if (WARN_ON(first > last || last >= pages->npages))
		return -EINVAL;
	/* PFNMAP memory has no struct page to hand out. */
	if (pages->pfns)
		return -EFAULT;

	mutex_lock(&pages->mutex);
	pa = pages_find_access(pages, first, last);
	if (pa) {
		pa->users++;
	} else {
		pa = kzalloc(sizeof(*pa), GFP_KERNEL_ACCOUNT);
		if (!pa) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		rc = pages_add_user_locked(pages, &pa->user_node, first, last);
		if (rc) {
			kfree(pa);
			goto out_unlock;
		}
		pa->access_node.start = first;
		pa->access_node.last = last;
		pa->users = 1;
		interval_tree_insert(&pa->access_node, &pages->access_itree);
	}
	pages_copy_out(pages, first, last - first + 1, out_pages);
	(*area_count)++;
	rc = 0;
out_unlock:
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * xiommu_pages_access_unpin() - undo one xiommu_pages_access_pin()
 * @pages: the pages object
 * @area_count: the access count of the area the pin was made through
 * @first: first page index, as pinned
 * @last: last page index, as pinned
 *
 * An unpin of a range never pinned is a caller bug: it is logged once and
 * ignored.
 */
void xiommu_pages_access_unpin(struct xiommu_pages *pages,
			       unsigned int *area_count, unsigned long first,
			       unsigned long last)
{
	struct xiommu_pages_access *pa;

	mutex_lock(&pages->mutex);
	pa = pages_find_access(pages, first, last);
	if (WARN_ON_ONCE(!pa || !*area_count)) {
		mutex_unlock(&pages->mutex);
		return;
	}
	(*area_count)--;
	if (!--pa->users) {
		interval_tree_remove(&pa->access_node, &pages->access_itree);
		pages_remove_user_locked(pages, &pa->user_node);
		kfree(pa);
	}
	mutex_unlock(&pages->mutex);
}

/* Copy between @data and pinned pages, from byte @start_byte. */
static void pages_rw_pinned(struct xiommu_pages *pages,
			    unsigned long start_byte, void *data,
			    unsigned long length, bool write)
{
	while (length) {
		unsigned long index = start_byte / PAGE_SIZE;
		unsigned long offset = offset_in_page(start_byte);
		unsigned long n = min(length, PAGE_SIZE - offset);
		void *va = kmap_local_page(*pages_slot(pages, index));

		if (write)
			memcpy(va + offset, data, n);
		else
			memcpy(data, va + offset, n);
		kunmap_local(va);
		start_byte += n;
		data += n;
		length -= n;
	}
}

/*
 * Copy through temporary pins of the mapping process's memory: for other
 * processes and kernel threads, and when the caller asked for this path.
 */
static int pages_rw_slow(struct xiommu_pages *pages, unsigned long start_byte,
			 void *data, unsigned long length, bool write)
{
	unsigned long index = start_byte / PAGE_SIZE;
	unsigned long last = (start_byte + length - 1) / PAGE_SIZE;
	unsigned long batch = min(xiommu_pin_batch(), last - index + 1);
	struct mm_struct *mm = pages->source_mm;
	unsigned long offset = offset_in_page(start_byte);
	struct page **tmp;
	int rc = 0;

	tmp = kcalloc(batch, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	if (!mmget_not_zero(mm)) {
		rc = -EFAULT;
		goto out_free;
	}

	while (index <= last) {
		unsigned long n = min(batch, last - index + 1);
		unsigned long i;
		long got;

		mmap_read_lock(mm);
		got = pin_user_pages_remote(mm,
					    (unsigned long)pages->uptr +
						    index * PAGE_SIZE,
					    n, write ? FOLL_WRITE : 0, tmp,
					    NULL, NULL);
		mmap_read_unlock(mm);
		if (got <= 0) {
			rc = got ? got : -EFAULT;
			break;
		}
		for (i = 0; i != got && length; i++) {
			unsigned long chunk = min(length, PAGE_SIZE - offset);
			void *va = kmap_local_page(tmp[i]);

			if (write)
				memcpy(va + offset, data, chunk);
			else
				memcpy(data, va + offset, chunk);
			kunmap_local(va);
			data += chunk;
			length -= chunk;
			offset = 0;
		}
		unpin_user_pages_dirty_lock(tmp, got, write);
		index += got;
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			break;
		}
		cond_resched();
	}
	mmput(mm);
out_free:
	kfree(tmp);
	return rc;
}

/**
 * xiommu_pages_rw() - read or write the memory of a pages object
 * @pages: the pages object
 * @start_byte: first byte (from @pages->uptr)
 * @data: kernel buffer
 * @length: bytes, > 0, inside the object
 * @flags: XIOMMU_ACCESS_RW_WRITE to write @data to the pages, and
 *	__XIOMMU_ACCESS_RW_SLOW_PATH to avoid the direct user copy
 *
 * Pinned pages are used while the whole range is pinned; otherwise the
 * mapping process's memory, with copy_to/from_user() when called from that
 * process (fast path) or through temporary pins.
 *
 * Context: process context, may sleep.
 * Return: 0; -EFAULT the memory is gone (or not writable); -ENOMEM;
 * -EINTR.
 */
int xiommu_pages_rw(struct xiommu_pages *pages, unsigned long start_byte,
		    void *data, unsigned long length, unsigned int flags)
{
	unsigned long first = start_byte / PAGE_SIZE;
	unsigned long last = (start_byte + length - 1) / PAGE_SIZE;
	bool write = flags & XIOMMU_ACCESS_RW_WRITE;
	struct xiommu_iova_hole_iter hole;
	void __user *uptr = pages->uptr + start_byte;

	/* PFNMAP memory (pages_pfnmap.c): not read or written for accesses. */
	if (pages->pfns)
		return -EFAULT;
	mutex_lock(&pages->mutex);
	if (!xiommu_iova_hole_first(&hole, &pages->users_itree, NULL, first,
				    last)) {
		/* No hole: every page is pinned and stays so while locked. */
		pages_rw_pinned(pages, start_byte, data, length, write);
		mutex_unlock(&pages->mutex);
		return 0;
	}
	mutex_unlock(&pages->mutex);

	if (pages->file)
		return xiommu_file_rw(pages, start_byte, data, length, write);
	if (!(flags & __XIOMMU_ACCESS_RW_SLOW_PATH) &&
	    current->mm == pages->source_mm) {
		unsigned long left;

		if (write)
			left = copy_to_user(uptr, data, length);
		else
			left = copy_from_user(data, uptr, length);
		return left ? -EFAULT : 0;
	}
	return pages_rw_slow(pages, start_byte, data, length, write);
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
 * Each run of physically contiguous pages is mapped with one
 * xiommu_map_nosync() call, and the slice is completed with one
 * xiommu_iotlb_sync_map(). The caller guarantees @iova, @length and the
 * slice's page offset are aligned to the domain's smallest IOPTE size and
 * that the range is free in the domain.
 *
 * Return: 0, or the errno of xiommu_map_nosync() or xiommu_iotlb_sync_map()
 * with nothing of the slice left mapped.
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

	if (pages->pfns)
		return xiommu_pfnmap_map_domain(pages, start_byte, length,
						domain, iova, prot,
						small_pages);
	while (done < length) {
		struct page **slot = pages_slot(pages, index);
		unsigned long pfn = page_to_pfn(*slot);
		unsigned long run = PAGE_SIZE - offset;
		unsigned long n = 1;

		while (!small_pages && run < length - done &&
		       index + n < pages->npages) {
			/* A new chunk starts: look it up. */
			if ((index + n) % XIOMMU_PAGES_CHUNK == 0)
				slot = pages_slot(pages, index + n);
			else
				slot++;
			if (page_to_pfn(*slot) != pfn + n)
				break;
			run += PAGE_SIZE;
			n++;
		}
		run = min(run, length - done);

		rc = xiommu_map_nosync(domain, iova + done,
				       PFN_PHYS(pfn) + offset, run, prot,
				       GFP_KERNEL_ACCOUNT);
		if (rc)
			goto err_unmap;
		done += run;
		index += n;
		offset = 0;
		cond_resched();
	}
	/* One sync for the slice: one virtio-iommu round trip, not one per run. */
	return xiommu_iotlb_sync_map(domain, iova, length);

err_unmap:
	if (done)
		WARN_ON_ONCE(xiommu_unmap(domain, iova, done) != done);
	return rc;
}
