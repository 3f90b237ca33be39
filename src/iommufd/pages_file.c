// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pages objects over a memory file: IOMMU_IOAS_MAP_FILE.
 *
 * What it is
 * ----------
 * A pages object made by IOMMU_IOAS_MAP_FILE names a byte range of a
 * shmem file (a memfd, or a file on tmpfs) or of a hugetlbfs file (a
 * memfd with MFD_HUGETLB) instead of a user address range. Index i of the
 * object is the page at file offset file_start + i * PAGE_SIZE. Everything
 * else is the ordinary pages object of pages.c: pinned only while a domain
 * or an access needs it, charged like IOMMU_IOAS_MAP (RLIMIT_MEMLOCK of
 * the mapping user or mm), mapped into domains in physically contiguous
 * runs, shared by IOMMU_IOAS_COPY. Only the way a page is found differs:
 * through the file's page cache, never through anybody's page tables, so
 * the mapping does not depend on what the mapping process has mmap'd (or
 * whether it still exists).
 *
 * Pinning
 * -------
 * Upstream pins with memfd_pin_folios() (Linux 6.11); Linux 6.1 has no
 * exported way to pin page-cache pages by file offset. The smallest
 * equivalent: take a reference on the page (shmem_read_mapping_page_gfp()
 * for shmem, which allocates holes as a read fault would; the page-cache
 * folio for hugetlbfs, after vfs_fallocate() of a hole, which is how
 * hugetlbfs allocates without a fault) and turn that reference into a
 * FOLL_PIN pin exactly the way 6.1's GUP does (GUP_PIN_COUNTING_BIAS on a
 * small folio, the pincount of a large one, the NR_FOLL_PIN_ACQUIRED
 * counter). The pins are thus indistinguishable from GUP's: pages.c
 * releases them with unpin_user_pages_dirty_lock(), and mm sees
 * folio_maybe_dma_pinned(). Unlike FOLL_LONGTERM GUP we do not migrate
 * pages out of ZONE_MOVABLE/CMA first (6.1 does not export that); the
 * guests we support have neither.
 *
 * A page past the file's end fails with EINVAL, as upstream's
 * memfd_pin_folios() does; a file shrunk under a pinned range keeps its
 * pinned pages until they are unpinned (the devices keep seeing them).
 *
 * Errno at IOMMU_IOAS_MAP_FILE time (upstream's): EBADF the fd is not
 * open; EPERM a writeable mapping of a file opened read-only or sealed
 * against writes (F_SEAL_WRITE; while the mapping exists, adding that seal
 * fails with EBUSY). Upstream accepts any file and fails with EINVAL only
 * when pinning; we refuse a file that is neither shmem nor hugetlbfs with
 * the same EINVAL at map time, so that an IOAS cannot hold a reference to
 * an arbitrary file (its own iommufd, say: a reference cycle).
 *
 * Reads and writes by IOVA (access objects) of an unpinned range go
 * through temporary page references, a page at a time.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/falloc.h>	/* after fs.h: it needs its types */
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/vmstat.h>

#include "io_pagetable.h"

static bool file_is_hugetlbfs(struct file *file)
{
	struct inode *inode = file_inode(file);

	return S_ISREG(inode->i_mode) &&
	       inode->i_sb->s_magic == HUGETLBFS_MAGIC;
}

/*
 * shmem_file() needs shmem_mapping(), which 6.1 does not export: every
 * shmem file (memfd, tmpfs) is a regular file on a tmpfs superblock (so
 * are devtmpfs's, but its device nodes are not regular files).
 */
static bool file_is_shmem(struct file *file)
{
	struct inode *inode = file_inode(file);

	return S_ISREG(inode->i_mode) && inode->i_sb->s_magic == TMPFS_MAGIC;
}

/**
 * xiommu_pages_alloc_file() - describe a byte range of a memory file
 * @file: shmem or hugetlbfs file (a reference is taken)
 * @start: file offset of the first byte
 * @length: bytes
 * @writable: devices may write the memory
 * @mode: where to charge pinned pages
 *
 * Nothing is pinned: see xiommu_pages_add_user().
 *
 * Return: the pages object; ERR_PTR(-EINVAL) zero or huge @length, or
 * @file is not a memory file; ERR_PTR(-EOVERFLOW) the range wraps;
 * ERR_PTR(-EPERM) @writable but @file is read-only or write-sealed;
 * ERR_PTR(-ENOMEM).
 */
struct xiommu_pages *xiommu_pages_alloc_file(struct file *file,
					     unsigned long start,
					     unsigned long length,
					     bool writable,
					     enum xiommu_account_mode mode)
{
	struct xiommu_pages *pages;
	int rc;

	if (!file_is_shmem(file) && !file_is_hugetlbfs(file))
		return ERR_PTR(-EINVAL);
	if (writable) {
		if (!(file->f_mode & FMODE_WRITE))
			return ERR_PTR(-EPERM);
		rc = mapping_map_writable(file->f_mapping);
		if (rc)
			return ERR_PTR(rc);
	}
	/* The offset stands in for the address: same page arithmetic. */
	pages = xiommu_pages_alloc((void __user *)start, length, writable,
				   mode);
	if (IS_ERR(pages)) {
		if (writable)
			mapping_unmap_writable(file->f_mapping);
		return pages;
	}
	pages->file_start = (unsigned long)pages->uptr;
	pages->uptr = NULL;
	pages->file = get_file(file);
	return pages;
}

/**
 * xiommu_pages_file_release() - drop what xiommu_pages_alloc_file() took
 * @pages: a file-backed pages object being freed
 */
void xiommu_pages_file_release(struct xiommu_pages *pages)
{
	if (pages->writable)
		mapping_unmap_writable(pages->file->f_mapping);
	fput(pages->file);
}

/* A reference on the page at byte @off of the file, allocating a hole. */
static struct page *file_get_page(struct xiommu_pages *pages,
				  unsigned long off)
{
	struct file *file = pages->file;
	struct address_space *mapping = file->f_mapping;
	struct folio *folio;

	if (off >= i_size_read(file_inode(file)))
		return ERR_PTR(-EINVAL);
	if (!file_is_hugetlbfs(file))
		return shmem_read_mapping_page_gfp(mapping, off >> PAGE_SHIFT,
						   mapping_gfp_mask(mapping));
#ifdef CONFIG_HUGETLBFS
	{
		struct hstate *h = hstate_file(file);
		/* 6.1's hugetlbfs page cache is indexed in huge pages. */
		pgoff_t idx = off >> huge_page_shift(h);
		int rc;

		folio = filemap_get_folio(mapping, idx);
		if (!folio) {
			rc = vfs_fallocate(file, FALLOC_FL_KEEP_SIZE,
					   (loff_t)idx << huge_page_shift(h),
					   huge_page_size(h));
			/* No huge page free, or nothing we may allocate. */
			if (rc == -ENOSPC)
				return ERR_PTR(-ENOMEM);
			if (rc)
				return ERR_PTR(rc == -EINTR ? rc : -EFAULT);
			folio = filemap_get_folio(mapping, idx);
			if (!folio)
				return ERR_PTR(-EFAULT);
		}
		return folio_page(folio, (off & ~huge_page_mask(h)) >>
						 PAGE_SHIFT);
	}
#else
	return ERR_PTR(-EINVAL);
#endif
}

/*
 * Turn the reference file_get_page() took into one FOLL_PIN pin, the way
 * 6.1's try_grab_folio(FOLL_PIN) accounts it, so unpin_user_page() undoes
 * it.
 */
static void file_ref_to_pin(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (folio_test_large(folio))
		atomic_inc(folio_pincount_ptr(folio));
	else
		folio_ref_add(folio, GUP_PIN_COUNTING_BIAS - 1);
	node_stat_mod_folio(folio, NR_FOLL_PIN_ACQUIRED, 1);
}

/**
 * xiommu_file_pin() - pin pages of a file-backed pages object
 * @pages: file-backed pages object
 * @index: first page index
 * @n: pages wanted, > 0
 * @out: receives the page pointers
 *
 * Context: may sleep; pages->mutex held.
 * Return: the number of pages pinned (> 0, maybe fewer than @n: the next
 * call reports what stopped it), or -EINVAL (past the file's end),
 * -ENOMEM, -EFAULT (hugetlbfs hole that cannot be allocated), -EINTR.
 */
long xiommu_file_pin(struct xiommu_pages *pages, unsigned long index,
		     unsigned long n, struct page **out)
{
	unsigned long i;

	lockdep_assert_held(&pages->mutex);
	for (i = 0; i < n; i++) {
		struct page *page = file_get_page(pages, pages->file_start +
							 (index + i) *
								 PAGE_SIZE);

		if (IS_ERR(page))
			return i ? i : PTR_ERR(page);
		file_ref_to_pin(page);
		out[i] = page;
	}
	return n;
}

/**
 * xiommu_file_rw() - read or write unpinned file-backed memory
 * @pages: file-backed pages object
 * @start_byte: first byte (from index 0)
 * @data: kernel buffer
 * @length: bytes, > 0, inside the object
 * @write: copy @data to the file's pages (and dirty them)
 *
 * Context: process context, may sleep.
 * Return: 0, or file_get_page()'s errno (-EINVAL past the end, -ENOMEM,
 * -EFAULT), or -EINTR.
 */
int xiommu_file_rw(struct xiommu_pages *pages, unsigned long start_byte,
		   void *data, unsigned long length, bool write)
{
	while (length) {
		unsigned long offset = offset_in_page(start_byte);
		unsigned long n = min(length, PAGE_SIZE - offset);
		struct page *page;
		void *va;

		page = file_get_page(pages, pages->file_start +
						    ALIGN_DOWN(start_byte,
							       PAGE_SIZE));
		if (IS_ERR(page))
			return PTR_ERR(page);
		va = kmap_local_page(page);
		if (write)
			memcpy(va + offset, data, n);
		else
			memcpy(data, va + offset, n);
		kunmap_local(va);
		if (write)
			set_page_dirty_lock(page);
		put_page(page);
		start_byte += n;
		data += n;
		length -= n;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}
