// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty tracking: IOMMU_HWPT_SET_DIRTY_TRACKING and
 * IOMMU_HWPT_GET_DIRTY_BITMAP on paging HWPTs allocated with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING.
 *
 * The bitmap walk
 * ---------------
 * User space asks for the dirty state of [iova, iova + length) at a
 * granule of page_size bytes per bit and gives a bitmap of
 * length / page_size bits. That bitmap can be far larger than any kernel
 * buffer we want to allocate for it, so the walk goes window by window:
 * one window is XIOMMU_DIRTY_CHUNK_BYTES of bitmap (8192 bits), i.e.
 * 8192 * page_size bytes of IOVA. For each window the kernel buffer is
 * zeroed, the driver reports the dirty IOPTEs of every mapping inside the
 * window (read_and_clear_dirty, which calls xiommu_dirty_bitmap_record()),
 * and the window is ORed into the user bitmap (read, OR, write back: bits
 * user space had set stay set, as upstream's bitmap only ever sets bits).
 *
 * A driver reports whole IOPTEs, and a large IOPTE may straddle the end of
 * a window; when the driver clears its dirty state in the first window,
 * the next window would never see it. So a recorded range that runs past
 * the window is remembered (carry_last) and its remainder is set at the
 * start of the next window. Ranges before the window start are dropped:
 * they were reported in the window before (or lie before the requested
 * range).
 *
 * Kernel memory used: XIOMMU_DIRTY_CHUNK_BYTES twice (the window and the
 * user bytes it is merged with), whatever the range. Time is bounded by
 * the user's bitmap size; a fatal signal ends the walk (EINTR).
 *
 * Locking: the walk holds iopt->iova_rwsem for read, so no mapping in the
 * range can be created or removed meanwhile and mappings with pages set
 * are present in every domain of the IOAS (io_pagetable.c). The user copy
 * happens under it: a fault on the bitmap may take mmap_lock, which never
 * nests outside iova_rwsem (pinning takes mmap_lock inside the iopt
 * locks too).
 */
#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "iommufd_private.h"

#define DIRTY_CHUNK_BITS	(XIOMMU_DIRTY_CHUNK_BYTES * BITS_PER_BYTE)

/* Set the bits of [first, last] (IOVAs, inclusive) inside the window. */
static void dirty_set_range(struct xiommu_dirty_bitmap *dirty,
			    unsigned long first, unsigned long last)
{
	unsigned long win_last = dirty->iova +
				 (dirty->nbits << dirty->pgshift) - 1;
	unsigned long b0, b1;

	if (last < dirty->iova || first > win_last)
		return;
	first = max(first, dirty->iova);
	last = min(last, win_last);
	b0 = (first - dirty->iova) >> dirty->pgshift;
	b1 = (last - dirty->iova) >> dirty->pgshift;
	bitmap_set(dirty->bits, b0, b1 - b0 + 1);
}

/**
 * xiommu_dirty_bitmap_record() - report a dirty IOVA range
 * @dirty: the window passed to read_and_clear_dirty
 * @iova: first IOVA of the range (an IOPTE's first IOVA)
 * @length: bytes (the IOPTE's size), not 0
 *
 * Sets the bits of the window the range touches. A range running past the
 * window's end is carried into the next window by the core. Does nothing
 * when @dirty has no bitmap (the core only clears).
 *
 * Context: any; called by drivers from read_and_clear_dirty.
 */
void xiommu_dirty_bitmap_record(struct xiommu_dirty_bitmap *dirty,
				unsigned long iova, size_t length)
{
	unsigned long last, win_last;

	if (!dirty->bits || !length)
		return;
	if (check_add_overflow(iova, (unsigned long)length - 1, &last))
		last = ULONG_MAX;
	win_last = dirty->iova + (dirty->nbits << dirty->pgshift) - 1;
	dirty_set_range(dirty, iova, last);
	if (last > win_last && last > dirty->carry_last)
		dirty->carry_last = last;
}
EXPORT_SYMBOL_GPL(xiommu_dirty_bitmap_record);

/**
 * xiommu_dirty_walk_run() - the window-by-window walk of a dirty bitmap
 * @walk: the range and the fill/flush callbacks
 *
 * Context: may sleep (kzalloc, the callbacks). Holds no lock itself.
 * Return: 0, -ENOMEM, -EINTR (fatal signal), or the first error of a
 * callback; windows flushed before an error stay flushed.
 */
int xiommu_dirty_walk_run(const struct xiommu_dirty_walk *walk)
{
	struct xiommu_dirty_bitmap dirty = {
		.pgshift = walk->pgshift,
		.gather = walk->gather,
	};
	unsigned long total = walk->length >> walk->pgshift;
	unsigned long done = 0;
	int rc = 0;

	dirty.bits = kzalloc(XIOMMU_DIRTY_CHUNK_BYTES, GFP_KERNEL_ACCOUNT);
	if (!dirty.bits)
		return -ENOMEM;

	while (done < total) {
		unsigned long carry = dirty.carry_last;

		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			break;
		}
		dirty.iova = walk->iova + (done << walk->pgshift);
		dirty.nbits = min_t(unsigned long, total - done,
				    DIRTY_CHUNK_BITS);
		dirty.carry_last = 0;
		bitmap_zero(dirty.bits, DIRTY_CHUNK_BITS);
		/* 0 is "no carry": a carried range always ends above 0 */
		if (carry && carry >= dirty.iova)
			xiommu_dirty_bitmap_record(&dirty, dirty.iova,
						   carry - dirty.iova + 1);
		rc = walk->fill(walk->priv, &dirty);
		if (rc)
			break;
		rc = walk->flush(walk->priv, done, dirty.bits, dirty.nbits);
		if (rc)
			break;
		done += dirty.nbits;
		cond_resched();
	}
	kfree(dirty.bits);
	return rc;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_dirty_walk_run);

/* Report (or only clear) the dirty state of every mapping in [first, last] */
static int iopt_read_dirty(struct xiommu_iopt *iopt,
			   struct xiommu_domain *domain, unsigned long first,
			   unsigned long last, unsigned long flags,
			   struct xiommu_dirty_bitmap *dirty)
{
	struct interval_tree_node *node;
	int rc;

	lockdep_assert_held(&iopt->iova_rwsem);

	for (node = interval_tree_iter_first(&iopt->area_itree, first, last);
	     node; node = interval_tree_iter_next(node, first, last)) {
		struct xiommu_area *area = container_of(node,
							struct xiommu_area,
							node);
		unsigned long start = max(first, node->start);
		unsigned long end_last = min(last, node->last);

		/* Being created or removed: not (or no longer) mapped. */
		if (!area->pages)
			continue;
		rc = domain->ops->read_and_clear_dirty(domain, start,
						       end_last - start + 1,
						       flags, dirty);
		if (rc)
			return rc;
	}
	return 0;
}

struct dirty_user {
	struct xiommu_iopt *iopt;
	struct xiommu_domain *domain;
	unsigned long flags;
	u8 __user *ubits;
	u8 *ubuf;
};

static int dirty_user_fill(void *priv, struct xiommu_dirty_bitmap *dirty)
{
	struct dirty_user *du = priv;
	unsigned long last = dirty->iova + (dirty->nbits << dirty->pgshift) - 1;

	return iopt_read_dirty(du->iopt, du->domain, dirty->iova, last,
			       du->flags, dirty);
}

/* OR @nbits bits into the user bitmap at bit @first (a multiple of 8). */
static int dirty_user_flush(void *priv, unsigned long first,
			    const unsigned long *bits, unsigned long nbits)
{
	struct dirty_user *du = priv;
	u8 __user *dst = du->ubits + first / BITS_PER_BYTE;
	size_t nbytes = DIV_ROUND_UP(nbits, BITS_PER_BYTE);
	const u8 *src = (const u8 *)bits;
	size_t i;

	/*
	 * Byte by byte: the bitmap needs no alignment, and bit n is bit
	 * n % 8 of byte n / 8 (the layout of the uAPI's 64-bit words on a
	 * little-endian CPU, the only kind xiommu builds for).
	 */
	if (copy_from_user(du->ubuf, dst, nbytes))
		return -EFAULT;
	for (i = 0; i != nbytes; i++)
		du->ubuf[i] |= src[i];
	if (copy_to_user(dst, du->ubuf, nbytes))
		return -EFAULT;
	return 0;
}

static struct xiommu_hwpt *dirty_get_hwpt(struct xiommu_ucmd *ucmd, u32 id)
{
	struct xiommu_object *obj;

	obj = xiommu_get_object(ucmd->ictx, id, XIOMMU_OBJ_HWPT);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct xiommu_hwpt, obj);
}

/* Drop the dirty state of every mapping, then flush the IOTLB for it. */
static int iopt_clear_dirty(struct xiommu_iopt *iopt,
			    struct xiommu_domain *domain)
{
	struct xiommu_iotlb_gather gather;
	struct xiommu_dirty_bitmap dirty = { .gather = &gather };
	int rc;

	xiommu_iotlb_gather_init(&gather);
	rc = iopt_read_dirty(iopt, domain, 0, ULONG_MAX, 0, &dirty);
	if (gather.start <= gather.end)
		domain->ops->iotlb_sync(domain, &gather);
	return rc;
}

/**
 * xiommu_hwpt_set_dirty_tracking() - IOMMU_HWPT_SET_DIRTY_TRACKING
 * @ucmd: the ioctl (struct iommu_hwpt_set_dirty_tracking)
 *
 * Enabling first clears whatever dirty state the IOPTEs hold, so the first
 * bitmap read shows the writes since enabling only. __reserved is not
 * checked, as upstream.
 *
 * Return: 0; -EOPNOTSUPP unknown flag or an HWPT without
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING; -ENOENT @hwpt_id is not a paging HWPT;
 * a driver errno.
 */
int xiommu_hwpt_set_dirty_tracking(struct xiommu_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	bool enable = cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	struct xiommu_domain *domain;
	struct xiommu_hwpt *hwpt;
	struct xiommu_iopt *iopt;
	int rc;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	hwpt = dirty_get_hwpt(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	if (!hwpt->dirty_tracking) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}

	domain = hwpt->domain;
	iopt = &hwpt->ioas->iopt;
	down_read(&iopt->iova_rwsem);
	rc = enable ? iopt_clear_dirty(iopt, domain) : 0;
	if (!rc)
		rc = domain->ops->set_dirty_tracking(domain, enable);
	up_read(&iopt->iova_rwsem);
out_put:
	xiommu_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}

/*
 * Upstream's range checks (iommufd_check_iova_range()), in its order,
 * plus: @length 0 and a @page_size that is not a power of two are EINVAL
 * (upstream walks nothing sensible for them).
 */
static int dirty_check_range(struct xiommu_iopt *iopt,
			     const struct iommu_hwpt_get_dirty_bitmap *cmd)
{
	unsigned long align = iopt->iova_alignment;
	u64 last;

	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->iova, cmd->length - 1, &last))
		return -EOVERFLOW;
	if (cmd->iova > ULONG_MAX || last > ULONG_MAX)
		return -EOVERFLOW;
	if ((cmd->iova & (align - 1)) || ((last + 1) & (align - 1)))
		return -EINVAL;
	if (!cmd->page_size || !is_power_of_2(cmd->page_size))
		return -EINVAL;
	if ((cmd->iova & (cmd->page_size - 1)) ||
	    ((last + 1) & (cmd->page_size - 1)))
		return -EINVAL;
	return 0;
}

/**
 * xiommu_hwpt_get_dirty_bitmap() - IOMMU_HWPT_GET_DIRTY_BITMAP
 * @ucmd: the ioctl (struct iommu_hwpt_get_dirty_bitmap)
 *
 * Walks the range window by window (see the top of this file) and ORs the
 * dirty bits into the user bitmap; parts of the range with no mapping are
 * clean. Unless IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, the dirty state read
 * is cleared and the IOTLB flushed for it.
 *
 * Return: 0; -EOPNOTSUPP unknown flag, @__reserved not 0, HWPT without
 * dirty tracking; -ENOENT not a paging HWPT; -EINVAL/-EOVERFLOW range
 * checks; -EFAULT the bitmap is not readable and writable; -ENOMEM;
 * -EINTR; a driver errno.
 */
int xiommu_hwpt_get_dirty_bitmap(struct xiommu_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct xiommu_iotlb_gather gather;
	struct dirty_user du = {};
	struct xiommu_dirty_walk walk = {
		.fill = dirty_user_fill,
		.flush = dirty_user_flush,
		.priv = &du,
	};
	struct xiommu_hwpt *hwpt;
	struct xiommu_iopt *iopt;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = dirty_get_hwpt(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);

	iopt = &hwpt->ioas->iopt;
	down_read(&iopt->iova_rwsem);
	rc = dirty_check_range(iopt, cmd);
	if (rc)
		goto out_unlock;
	if (!hwpt->dirty_tracking) {
		rc = -EOPNOTSUPP;
		goto out_unlock;
	}
	du.ubuf = kzalloc(XIOMMU_DIRTY_CHUNK_BYTES, GFP_KERNEL_ACCOUNT);
	if (!du.ubuf) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	xiommu_iotlb_gather_init(&gather);
	du.iopt = iopt;
	du.domain = hwpt->domain;
	du.ubits = u64_to_user_ptr(cmd->data);
	if (cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)
		du.flags = XIOMMU_DIRTY_NO_CLEAR;
	walk.iova = cmd->iova;
	walk.length = cmd->length;
	walk.pgshift = ilog2(cmd->page_size);
	walk.gather = &gather;
	rc = xiommu_dirty_walk_run(&walk);
	if (gather.start <= gather.end)
		hwpt->domain->ops->iotlb_sync(hwpt->domain, &gather);
	kfree(du.ubuf);
out_unlock:
	up_read(&iopt->iova_rwsem);
	xiommu_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}
