// SPDX-License-Identifier: GPL-2.0-only
/* Floor for the per-call figures: a misc device whose ioctls pin one page
 * (pin_user_pages_fast, FOLL_WRITE|FOLL_LONGTERM, as pages.c) or unpin the
 * oldest pinned one, or do nothing (cmd 0). Measurement only. */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/fs.h>

#define NPAGES 8192
static struct page *pinned[NPAGES];
static unsigned int head, tail;
static DEFINE_MUTEX(lock);

static long xf_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct page *p;
	long ret = 0;

	mutex_lock(&lock);
	switch (cmd) {
	case 0x100:
		break;
	case 0x101:
		if (head - tail >= NPAGES) { ret = -ENOSPC; break; }
		if (pin_user_pages_fast(arg, 1, FOLL_WRITE | FOLL_LONGTERM, &p) != 1) { ret = -EFAULT; break; }
		pinned[head++ % NPAGES] = p;
		break;
	case 0x102:
		if (head == tail) { ret = -ENOENT; break; }
		unpin_user_pages_dirty_lock(&pinned[tail++ % NPAGES], 1, true);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&lock);
	return ret;
}

static const struct file_operations xf_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = xf_ioctl,
};
static struct miscdevice xf_misc = {
	.minor = MISC_DYNAMIC_MINOR, .name = "xfloor", .fops = &xf_fops,
};
static int __init xf_init(void) { return misc_register(&xf_misc); }
static void __exit xf_exit(void)
{
	while (head != tail)
		unpin_user_pages_dirty_lock(&pinned[tail++ % NPAGES], 1, true);
	misc_deregister(&xf_misc);
}
module_init(xf_init);
module_exit(xf_exit);
MODULE_LICENSE("GPL");
