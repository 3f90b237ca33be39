// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu_bench_floor: the floor of `make bench` (scripts/bench,
 * tools/xiommu-bench.c). A misc device, /dev/xiommu_bench_floor, with a
 * null ioctl and ioctls that make exactly the page-pinning calls
 * src/iommufd/pages.c makes for an IOAS_MAP and an IOAS_UNMAP:
 * pin_user_pages_fast(FOLL_LONGTERM | FOLL_WRITE) in batches that never
 * cross a 512-entry chunk of the page array (pages.c's XIOMMU_PAGES_CHUNK
 * with the default batch of 1024 pointers), and
 * unpin_user_pages_dirty_lock(dirty) per chunk with cond_resched() between
 * chunks. No accounting, no IOVA bookkeeping, no page table: what is left
 * when everything xiommu adds is taken away, so the bench can print
 * xiommu ÷ floor.
 *
 * Test-only: never installed on hosts (the top-level Kbuild). It pins user
 * memory without charging RLIMIT_MEMLOCK, so it asks for CAP_SYS_ADMIN,
 * and it bounds what one file holds (XIOMMU_FLOOR_MAX_PAGES).
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <xiommu/bench_floor.h>

#define FLOOR_CHUNK	512UL	/* src/iommufd/pages.c, XIOMMU_PAGES_CHUNK */

/**
 * struct floor_file - one open /dev/xiommu_bench_floor
 * @lock: serialises the ioctls of this file; protects @pages and @held
 * @pages: XIOMMU_FLOOR_MAX_PAGES slots, allocated at the first PIN
 * @held: slots [0, @held) hold pinned pages
 */
struct floor_file {
	struct mutex lock;
	struct page **pages;
	unsigned long held;
};

static unsigned long floor_run(unsigned long index, unsigned long left)
{
	return min(left, FLOOR_CHUNK - index % FLOOR_CHUNK);
}

/* Unpin slots [first, first + n), dirtying them. ff->lock held. */
static void floor_unpin(struct floor_file *ff, unsigned long first,
			unsigned long n)
{
	lockdep_assert_held(&ff->lock);
	while (n) {
		unsigned long run = floor_run(first, n);

		unpin_user_pages_dirty_lock(ff->pages + first, run, true);
		first += run;
		n -= run;
		cond_resched();
	}
}

static long floor_pin(struct floor_file *ff, const struct xiommu_floor_pin *p)
{
	unsigned long uaddr = p->uptr, first = ff->held, done = 0;
	int rc;

	lockdep_assert_held(&ff->lock);
	if (!p->npages || !PAGE_ALIGNED(uaddr))
		return -EINVAL;
	if (p->npages > XIOMMU_FLOOR_MAX_PAGES - ff->held)
		return -ENOSPC;
	if (!ff->pages) {
		ff->pages = kvcalloc(XIOMMU_FLOOR_MAX_PAGES,
				     sizeof(*ff->pages), GFP_KERNEL_ACCOUNT);
		if (!ff->pages)
			return -ENOMEM;
	}
	while (done < p->npages) {
		unsigned long batch = floor_run(first + done, p->npages - done);
		long got;

		got = pin_user_pages_fast(uaddr + done * PAGE_SIZE, batch,
					  FOLL_LONGTERM | FOLL_WRITE,
					  ff->pages + first + done);
		if (got <= 0) {
			rc = got ? got : -EFAULT;
			goto err_unpin;
		}
		done += got;
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			goto err_unpin;
		}
		cond_resched();
	}
	ff->held += done;
	return 0;

err_unpin:
	floor_unpin(ff, first, done);
	return rc;
}

static long floor_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	struct floor_file *ff = file->private_data;
	struct xiommu_floor_pin p;
	long rc;

	if (cmd == XIOMMU_FLOOR_NULL)
		return 0;
	if (cmd != XIOMMU_FLOOR_PIN && cmd != XIOMMU_FLOOR_UNPIN)
		return -ENOTTY;
	if (copy_from_user(&p, (void __user *)arg, sizeof(p)))
		return -EFAULT;
	if (p.size != sizeof(p) || p.flags)
		return -EINVAL;

	mutex_lock(&ff->lock);
	if (cmd == XIOMMU_FLOOR_PIN) {
		rc = floor_pin(ff, &p);
	} else if (p.uptr || p.npages > ff->held) {
		rc = -EINVAL;
	} else {
		unsigned long n = p.npages ? p.npages : ff->held;

		floor_unpin(ff, ff->held - n, n);
		ff->held -= n;
		rc = 0;
	}
	mutex_unlock(&ff->lock);
	return rc;
}

static int floor_open(struct inode *inode, struct file *file)
{
	struct floor_file *ff;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ff = kzalloc(sizeof(*ff), GFP_KERNEL_ACCOUNT);
	if (!ff)
		return -ENOMEM;
	mutex_init(&ff->lock);
	file->private_data = ff;
	return 0;
}

static int floor_release(struct inode *inode, struct file *file)
{
	struct floor_file *ff = file->private_data;

	mutex_lock(&ff->lock);
	floor_unpin(ff, 0, ff->held);
	mutex_unlock(&ff->lock);
	kvfree(ff->pages);
	mutex_destroy(&ff->lock);
	kfree(ff);
	return 0;
}

static const struct file_operations floor_fops = {
	.owner = THIS_MODULE,
	.open = floor_open,
	.release = floor_release,
	.unlocked_ioctl = floor_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice floor_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xiommu_bench_floor",
	.fops = &floor_fops,
	.mode = 0600,
};

module_misc_device(floor_misc);

MODULE_DESCRIPTION("xiommu test-only: the pin/unpin floor of make bench");
MODULE_LICENSE("GPL");
