// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pages objects over VM_PFNMAP memory: what VFIO type1's MAP_DMA accepts
 * besides ordinary memory, so a VMM can map another device's mmap'd BAR
 * (QEMU maps every assigned device's BARs for peer-to-peer DMA).
 *
 * Such memory has no struct page to pin. As Linux 6.1's type1 does, the
 * PFNs are looked up in the page tables (faulting them in first where the
 * driver populates lazily), taking no reference and charging nothing,
 * and only PFNs that are not ordinary RAM are accepted (no valid struct
 * page, or a reserved one): MMIO, not memory the kernel might reuse.
 *
 * Unlike ordinary pages, which are pinned only while a domain needs them,
 * the PFNs are resolved once, when the mapping is made: the mapping
 * process's page tables are not consulted again, so a domain attached
 * later, from any process, maps the same PFNs. "Adding a user" only
 * records the range; mapping into a domain cuts the PFN array into
 * contiguous runs, each one xiommu_map() call. Access objects cannot pin
 * or read such memory (EFAULT): there is no page to hand out.
 *
 * Lifetime: as with 6.1's type1, nothing ties the PFNs to the owner of
 * the BAR. If the device behind them is taken away (its driver unbound)
 * the IOMMU keeps mapping its BAR until user space unmaps it. Only the
 * type1 paths (VFIO_IOMMU_MAP_DMA on /dev/vfio/vfio and /dev/iommu) create
 * such objects; IOMMU_IOAS_MAP refuses PFNMAP memory with EFAULT, as
 * upstream iommufd does.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "io_pagetable.h"
#include "iommu_lite.h"

/* May this PFN be mapped without a reference: not ordinary RAM. */
static bool pfnmap_pfn_ok(unsigned long pfn)
{
	return !pfn_valid(pfn) || PageReserved(pfn_to_page(pfn));
}

/* The PFN behind @addr in a VM_PFNMAP vma, faulting it in if needed. */
static int pfnmap_lookup(struct mm_struct *mm, unsigned long addr,
			 bool write, unsigned long *pfn)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	int rc;

	if (!vma || !(vma->vm_flags & VM_PFNMAP))
		return -EFAULT;
	if (write && !(vma->vm_flags & VM_WRITE))
		return -EFAULT;
	rc = follow_pfn(vma, addr, pfn);
	if (!rc)
		return 0;
	rc = fixup_user_fault(mm, addr, write ? FAULT_FLAG_WRITE : 0, NULL);
	if (rc)
		return rc == -EINTR ? rc : -EFAULT;
	/* The vma may have changed while faulting: look again. */
	vma = vma_lookup(mm, addr);
	if (!vma || !(vma->vm_flags & VM_PFNMAP))
		return -EFAULT;
	return follow_pfn(vma, addr, pfn) ? -EFAULT : 0;
}

/**
 * xiommu_pages_alloc_pfnmap() - a pages object for PFNMAP memory
 * @uptr: user address (the calling process's)
 * @length: bytes
 * @writable: devices may write the memory
 * @mode: accounting mode (recorded; nothing is charged)
 *
 * Context: process context, may sleep; takes mmap_lock.
 * Return: the pages object with its PFNs resolved; NULL if @uptr is not in
 * a VM_PFNMAP vma (the caller uses ordinary pages); ERR_PTR(-EFAULT) the
 * range leaves PFNMAP memory, is not writable for @writable, or maps RAM;
 * ERR_PTR(-EINTR), ERR_PTR(-ENOMEM), or xiommu_pages_alloc()'s errno.
 */
struct xiommu_pages *xiommu_pages_alloc_pfnmap(void __user *uptr,
					       unsigned long length,
					       bool writable,
					       enum xiommu_account_mode mode)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct xiommu_pages *pages;
	unsigned long i, addr;
	int rc = 0;

	if (!mm)
		return NULL;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, (unsigned long)uptr);
	if (!vma || !(vma->vm_flags & VM_PFNMAP)) {
		mmap_read_unlock(mm);
		return NULL;
	}
	mmap_read_unlock(mm);

	pages = xiommu_pages_alloc(uptr, length, writable, mode);
	if (IS_ERR(pages))
		return pages;
	/* Sized by user input: fail quietly when it is absurd. */
	pages->pfns = kvcalloc(pages->npages, sizeof(*pages->pfns),
			       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!pages->pfns) {
		xiommu_pages_put(pages);
		return ERR_PTR(-ENOMEM);
	}

	mmap_read_lock(mm);
	addr = (unsigned long)pages->uptr;
	for (i = 0; i < pages->npages; i++, addr += PAGE_SIZE) {
		rc = pfnmap_lookup(mm, addr, writable, &pages->pfns[i]);
		if (!rc && !pfnmap_pfn_ok(pages->pfns[i]))
			rc = -EFAULT;
		if (!rc && fatal_signal_pending(current))
			rc = -EINTR;
		if (rc)
			break;
	}
	mmap_read_unlock(mm);
	if (rc) {
		xiommu_pages_put(pages);
		return ERR_PTR(rc);
	}
	return pages;
}

/**
 * xiommu_pfnmap_add_user() - record a user of PFNMAP pages
 * @pages: a pages object with @pages->pfns
 * @node: the caller's node, inserted into @pages->users_itree
 * @first: first page index
 * @last: last page index (inclusive)
 *
 * Nothing to pin: the PFNs were resolved at creation.
 *
 * Return: 0.
 */
int xiommu_pfnmap_add_user(struct xiommu_pages *pages,
			   struct interval_tree_node *node,
			   unsigned long first, unsigned long last)
{
	mutex_lock(&pages->mutex);
	node->start = first;
	node->last = last;
	interval_tree_insert(node, &pages->users_itree);
	mutex_unlock(&pages->mutex);
	return 0;
}

/**
 * xiommu_pfnmap_remove_user() - undo xiommu_pfnmap_add_user()
 * @pages: a pages object with @pages->pfns
 * @node: the node passed to xiommu_pfnmap_add_user()
 */
void xiommu_pfnmap_remove_user(struct xiommu_pages *pages,
			       struct interval_tree_node *node)
{
	mutex_lock(&pages->mutex);
	interval_tree_remove(node, &pages->users_itree);
	mutex_unlock(&pages->mutex);
}

/**
 * xiommu_pfnmap_map_domain() - xiommu_pages_map_domain() for PFNMAP pages
 * @pages: a pages object with @pages->pfns
 * @start_byte: first byte of the slice (from @pages->uptr)
 * @length: bytes in the slice
 * @domain: paging domain
 * @iova: IOVA of the slice's first byte
 * @prot: XIOMMU_READ/WRITE/CACHE
 * @small_pages: map in at most PAGE_SIZE pieces
 *
 * Return: 0, or xiommu_map()'s errno with nothing of the slice mapped.
 */
int xiommu_pfnmap_map_domain(struct xiommu_pages *pages,
			     unsigned long start_byte, unsigned long length,
			     struct xiommu_domain *domain, unsigned long iova,
			     int prot, bool small_pages)
{
	unsigned long index = start_byte / PAGE_SIZE;
	unsigned long offset = offset_in_page(start_byte);
	unsigned long done = 0;
	int rc;

	while (done < length) {
		unsigned long pfn = pages->pfns[index];
		unsigned long run = PAGE_SIZE - offset;
		unsigned long n = 1;

		while (!small_pages && run < length - done &&
		       index + n < pages->npages &&
		       pages->pfns[index + n] == pfn + n) {
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
