// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu_vfio_pci: a vfio-pci-style driver that hands PCI devices to user
 * space through per-device character devices, /dev/vfio/devices/vfioN,
 * connected to an xiommu iommufd context (/dev/iommu).
 *
 * The driver has no ID table: an administrator binds a device to it with
 * driver_override + drivers_probe. Probing only creates the character
 * device; it neither enables the device nor touches its DMA. A file opened
 * on the node is inert until VFIO_DEVICE_BIND_IOMMUFD succeeds: that ioctl
 * asks the xiommu core to bind the device to the given context, which
 * claims the device's whole IOMMU group (every member idle or driven by a
 * DMA-managed driver such as this one) and blocks its DMA. Only then may
 * the file read and write the BARs and config space, mmap memory BARs and
 * attach the device to an IOAS or HWPT. Closing the file quiesces the
 * device (Bus Master Enable off, device disabled) and only then gives the
 * group back, so no DMA the user programmed can reach the kernel's default
 * domain.
 *
 * One file at a time can be bound per device (more may be open but stay
 * inert), as with the upstream cdev interface.
 *
 * Removal (unbinding this driver from the device) does not wait for user
 * space: it revokes. Every BAR mapping is zapped, the bound file is
 * unbound as if closed, and every later operation on any file of the
 * device fails with ENODEV; page faults on old mappings get SIGBUS. The
 * struct itself lives on until the last file is released. BAR mappings
 * are therefore populated lazily by the fault handler, under the same lock
 * revocation takes, so no mapping can be installed after the zap.
 *
 * Config space policy: reads of the whole config space are allowed. Writes
 * are allowed only inside the command and status dword (offsets 4..7), and
 * there only the command bits I/O Space, Memory Space, Bus Master Enable
 * and INTx Disable change; other command bits keep their value and status
 * bytes are ignored. A write touching any other byte fails with EPERM and
 * writes nothing: BARs, the ROM BAR, bridge windows, capabilities (MSI,
 * power management, PCIe control) stay under kernel control.
 */

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <xiommu/xiommu.h>
#include <xiommu/vfio_cdev.h>

#include "vfio_priv.h"

#define XVFIO_DRIVER_NAME	"xiommu-vfio-pci"
#define XVFIO_CLASS_NAME	"vfio-dev"
/* Next to the kernel's vfio, which has "vfio-dev" (Documentation/vfio.md) */
#define XVFIO_CLASS_NAME_ALT	"xiommu-vfio-dev"

/* Region offsets in the device fd: the region index sits above bit 40. */
#define XVFIO_OFFSET_SHIFT	40
#define XVFIO_OFFSET_MASK	((1ULL << XVFIO_OFFSET_SHIFT) - 1)
#define XVFIO_PGOFF_SHIFT	(XVFIO_OFFSET_SHIFT - PAGE_SHIFT)
#define XVFIO_PGOFF_MASK	((1UL << XVFIO_PGOFF_SHIFT) - 1)

/* Command register bits user space may change. */
#define XVFIO_CMD_WRITABLE	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | \
				 PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)

static dev_t xvfio_devt;
static struct class *xvfio_class;
static DEFINE_IDA(xvfio_ida);

struct xvfio_file;

/**
 * struct xvfio_device - one PCI device exposed as /dev/vfio/devices/vfioN
 * @dev: the class device "vfioN"; its reference count is the lifetime of
 *	this struct (probe holds one, every open file holds one)
 * @cdev: the character device, child of @dev
 * @pdev: the PCI device (referenced until @dev is released)
 * @index: N in vfioN and the minor number
 * @state_lock: serialises the binding's state changes (bind, attach,
 *	detach, unbind, revocation) and is held across the xiommu core calls
 *	that make them, which may take mmap_lock (pinning pages)
 * @lock: read-held by every device access (region read/write, BAR page
 *	faults, info ioctls) to keep the binding and the BAR mappings stable;
 *	write-held only briefly to change them, never across a core call
 * @revoked: the driver was removed from the device; written under both
 *	locks, read under either
 * @bound: the file bound to an iommufd context, or NULL; written under
 *	both locks, read under either
 * @files: every open struct xvfio_file (->node); under @lock
 * @bar: kernel mappings of the assigned BARs, NULL for absent ones; set at
 *	probe, cleared under @lock (write) after revocation
 *
 * Lock order: device_lock(pdev) (probe/remove) -> @state_lock -> xiommu
 * core locks -> mmap_lock; and mmap_lock (BAR faults, mmap) -> @lock.
 * @lock is never held while calling the core or touching user memory, so
 * neither a core call that pins pages nor a user pointer into one of our
 * own BAR mappings can close a cycle through it.
 */
struct xvfio_device {
	struct device dev;
	struct cdev cdev;
	struct pci_dev *pdev;
	int index;
	struct mutex state_lock;
	struct rw_semaphore lock;
	bool revoked;
	struct xvfio_file *bound;
	struct list_head files;
	void __iomem *bar[PCI_STD_NUM_BARS];
};

/**
 * struct xvfio_file - state of one open device fd
 * @vdev: the device (the file holds a reference on vdev->dev)
 * @file: the struct file (used to zap its mappings at revocation)
 * @node: link in vdev->files
 * @idev: the xiommu device binding, NULL until BIND succeeds and after
 *	unbind or revocation; written under both vdev locks, read under either
 * @vgroup: the legacy group the fd came from (VFIO_GROUP_GET_DEVICE_FD),
 *	told when it is released; NULL for cdev files. Set before the file
 *	is visible.
 */
struct xvfio_file {
	struct xvfio_device *vdev;
	struct file *file;
	struct list_head node;
	struct xiommu_idev *idev;
	struct xvfio_group *vgroup;
};

/*
 * Called with vdev->lock or vdev->state_lock held: 0 if @df may access the
 * device, else the errno every device access returns.
 */
static int xvfio_check_access(struct xvfio_file *df)
{
	struct xvfio_device *vdev = df->vdev;

	lockdep_assert(lockdep_is_held(&vdev->lock) ||
		       lockdep_is_held(&vdev->state_lock));
	if (vdev->revoked)
		return -ENODEV;
	if (!df->idev)
		return -EINVAL;
	return 0;
}

/*
 * Take @df's binding away: after this no access through @df reaches the
 * device. Returns the binding for xvfio_unbind() to finish, or NULL.
 */
static struct xiommu_idev *xvfio_take_binding(struct xvfio_file *df)
{
	struct xvfio_device *vdev = df->vdev;
	struct xiommu_idev *idev = df->idev;

	lockdep_assert_held(&vdev->state_lock);
	lockdep_assert_held_write(&vdev->lock);
	if (idev) {
		df->idev = NULL;
		vdev->bound = NULL;
	}
	return idev;
}

/* Quiesce the device, then give its group back to the kernel. */
static void xvfio_unbind(struct xvfio_device *vdev, struct xiommu_idev *idev)
{
	lockdep_assert_held(&vdev->state_lock);
	/*
	 * Stop DMA before the group leaves the blocking/user domain: once
	 * unbound, the group is back in the kernel's default domain, where
	 * a still-running user-programmed DMA would reach physical memory.
	 */
	pci_clear_master(vdev->pdev);
	pci_disable_device(vdev->pdev);
	xiommu_idev_unbind(idev);
}

/* Unbind @df if it is still bound (release, failed ioctl replies). */
static void xvfio_unbind_file(struct xvfio_file *df)
{
	struct xvfio_device *vdev = df->vdev;
	struct xiommu_idev *idev;

	mutex_lock(&vdev->state_lock);
	down_write(&vdev->lock);
	idev = xvfio_take_binding(df);
	up_write(&vdev->lock);
	if (idev)
		xvfio_unbind(vdev, idev);
	mutex_unlock(&vdev->state_lock);
}

static int xvfio_open(struct inode *inode, struct file *file)
{
	struct xvfio_device *vdev =
		container_of(inode->i_cdev, struct xvfio_device, cdev);
	struct xvfio_file *df;

	df = kzalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);
	if (!df)
		return -ENOMEM;
	df->vdev = vdev;
	df->file = file;

	down_write(&vdev->lock);
	if (vdev->revoked) {
		up_write(&vdev->lock);
		kfree(df);
		return -ENODEV;
	}
	get_device(&vdev->dev);
	list_add(&df->node, &vdev->files);
	up_write(&vdev->lock);

	file->private_data = df;
	return 0;
}

static int xvfio_release(struct inode *inode, struct file *file)
{
	struct xvfio_file *df = file->private_data;
	struct xvfio_device *vdev = df->vdev;

	xvfio_unbind_file(df);
	down_write(&vdev->lock);
	list_del(&df->node);
	up_write(&vdev->lock);

	if (df->vgroup)
		xvfio_group_device_closed(df->vgroup);
	put_device(&vdev->dev);
	kfree(df);
	return 0;
}

static long xvfio_ioctl_bind(struct xvfio_file *df, void __user *uarg)
{
	unsigned long minsz =
		offsetofend(struct vfio_device_bind_iommufd, out_devid);
	struct vfio_device_bind_iommufd bind;
	struct vfio_device_bind_iommufd __user *ubind = uarg;
	struct xvfio_device *vdev = df->vdev;
	struct xiommu_ictx *ictx;
	struct xiommu_idev *idev;
	u32 devid;
	int ret;

	if (copy_from_user(&bind, uarg, minsz))
		return -EFAULT;
	if (bind.argsz < minsz || bind.flags || bind.iommufd < 0)
		return -EINVAL;

	ictx = xiommu_ictx_from_fd(bind.iommufd);
	if (IS_ERR(ictx))
		return PTR_ERR(ictx);

	mutex_lock(&vdev->state_lock);
	if (vdev->revoked) {
		ret = -ENODEV;
		goto err_unlock;
	}
	/* One bind per fd, one bound fd per device. */
	if (df->idev || vdev->bound) {
		/* A legacy group fd holds the device: its group is busy. */
		ret = (!df->idev && vdev->bound->vgroup) ? -EBUSY : -EINVAL;
		goto err_unlock;
	}

	idev = xiommu_idev_bind(ictx, &vdev->pdev->dev, &devid);
	if (IS_ERR(idev)) {
		ret = PTR_ERR(idev);
		goto err_unlock;
	}
	/* Memory/I/O decoding only; Bus Master stays off until user sets it. */
	ret = pci_enable_device(vdev->pdev);
	if (ret)
		goto err_unbind;
	down_write(&vdev->lock);
	df->idev = idev;
	vdev->bound = df;
	up_write(&vdev->lock);
	mutex_unlock(&vdev->state_lock);
	xiommu_ictx_put(ictx);

	if (put_user(devid, &ubind->out_devid)) {
		xvfio_unbind_file(df);
		return -EFAULT;
	}
	return 0;

err_unbind:
	xiommu_idev_unbind(idev);
err_unlock:
	mutex_unlock(&vdev->state_lock);
	xiommu_ictx_put(ictx);
	return ret;
}

static long xvfio_ioctl_attach(struct xvfio_file *df, void __user *uarg)
{
	unsigned long minsz =
		offsetofend(struct vfio_device_attach_iommufd_pt, pt_id);
	struct vfio_device_attach_iommufd_pt attach;
	struct vfio_device_attach_iommufd_pt __user *uattach = uarg;
	struct xvfio_device *vdev = df->vdev;
	int ret;

	if (copy_from_user(&attach, uarg, minsz))
		return -EFAULT;
	if (attach.argsz < minsz || attach.flags)
		return -EINVAL;

	mutex_lock(&vdev->state_lock);
	ret = xvfio_check_access(df);
	if (!ret)
		ret = xiommu_idev_attach(df->idev, &attach.pt_id);
	mutex_unlock(&vdev->state_lock);
	if (ret)
		return ret;

	if (put_user(attach.pt_id, &uattach->pt_id)) {
		/* As upstream: a failed reply leaves the device detached. */
		mutex_lock(&vdev->state_lock);
		if (!xvfio_check_access(df))
			xiommu_idev_detach(df->idev);
		mutex_unlock(&vdev->state_lock);
		return -EFAULT;
	}
	return 0;
}

static long xvfio_ioctl_detach(struct xvfio_file *df, void __user *uarg)
{
	unsigned long minsz =
		offsetofend(struct vfio_device_detach_iommufd_pt, flags);
	struct vfio_device_detach_iommufd_pt detach;
	struct xvfio_device *vdev = df->vdev;
	int ret;

	if (copy_from_user(&detach, uarg, minsz))
		return -EFAULT;
	if (detach.argsz < minsz || detach.flags)
		return -EINVAL;

	mutex_lock(&vdev->state_lock);
	ret = xvfio_check_access(df);
	if (!ret)
		xiommu_idev_detach(df->idev);
	mutex_unlock(&vdev->state_lock);
	return ret;
}

static long xvfio_ioctl_get_info(struct xvfio_file *df, void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, uarg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	info.flags = VFIO_DEVICE_FLAGS_PCI;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	/* Interrupts are not implemented yet: report none. */
	info.num_irqs = 0;

	return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
}

/* A BAR user space may mmap: memory, mapped, whole pages. */
static bool xvfio_bar_mmapable(struct xvfio_device *vdev, unsigned int bar)
{
	struct pci_dev *pdev = vdev->pdev;

	lockdep_assert_held(&vdev->lock);
	return vdev->bar[bar] &&
	       (pci_resource_flags(pdev, bar) & IORESOURCE_MEM) &&
	       PAGE_ALIGNED(pci_resource_start(pdev, bar)) &&
	       PAGE_ALIGNED(pci_resource_len(pdev, bar));
}

static long xvfio_ioctl_get_region_info(struct xvfio_file *df,
					void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct xvfio_device *vdev = df->vdev;
	struct pci_dev *pdev = vdev->pdev;
	struct vfio_region_info info;

	if (copy_from_user(&info, uarg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	info.cap_offset = 0;
	info.size = 0;
	info.flags = 0;
	switch (info.index) {
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_BAR5_REGION_INDEX:
		down_read(&vdev->lock);
		if (vdev->bar[info.index]) {
			info.size = pci_resource_len(pdev, info.index);
			info.flags = VFIO_REGION_INFO_FLAG_READ |
				     VFIO_REGION_INFO_FLAG_WRITE;
			if (xvfio_bar_mmapable(vdev, info.index))
				info.flags |= VFIO_REGION_INFO_FLAG_MMAP;
		}
		up_read(&vdev->lock);
		break;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info.size = pdev->cfg_size;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_ROM_REGION_INDEX:
	case VFIO_PCI_VGA_REGION_INDEX:
		/* Not exposed: size 0, no access. */
		break;
	default:
		return -EINVAL;
	}
	info.offset = (u64)info.index << XVFIO_OFFSET_SHIFT;

	return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
}

static long xvfio_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	struct xvfio_file *df = file->private_data;
	struct xvfio_device *vdev = df->vdev;
	void __user *uarg = (void __user *)arg;
	int ret;

	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return xvfio_ioctl_bind(df, uarg);

	/*
	 * Gate for the info ioctls. Attach/detach re-check under the write
	 * lock; the info replies do not depend on the binding staying put.
	 */
	down_read(&vdev->lock);
	ret = xvfio_check_access(df);
	up_read(&vdev->lock);
	if (ret)
		return ret;

	switch (cmd) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		return xvfio_ioctl_attach(df, uarg);
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return xvfio_ioctl_detach(df, uarg);
	case VFIO_DEVICE_GET_INFO:
		return xvfio_ioctl_get_info(df, uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return xvfio_ioctl_get_region_info(df, uarg);
	default:
		return -ENOTTY;
	}
}

/* Largest naturally aligned access of at most @max bytes at @pos. */
static size_t xvfio_access_size(u64 pos, size_t left, size_t max)
{
	size_t sz;

	for (sz = max; sz > 1; sz >>= 1)
		if (left >= sz && IS_ALIGNED(pos, sz))
			break;
	return sz;
}

/* One BAR access of @sz bytes; @val holds little-endian bytes. */
static void xvfio_bar_access(void __iomem *io, size_t sz, u64 *val,
			     bool write)
{
	union {
		u8 b;
		__le16 w;
		__le32 l;
		__le64 q;
	} *v = (void *)val;

	switch (sz) {
	case 1:
		if (write)
			iowrite8(v->b, io);
		else
			v->b = ioread8(io);
		break;
	case 2:
		if (write)
			iowrite16(le16_to_cpu(v->w), io);
		else
			v->w = cpu_to_le16(ioread16(io));
		break;
	case 4:
		if (write)
			iowrite32(le32_to_cpu(v->l), io);
		else
			v->l = cpu_to_le32(ioread32(io));
		break;
	case 8:
		/* Only memory BARs get 8-byte accesses, see xvfio_bar_rw(). */
		if (write)
			writeq(le64_to_cpu(v->q), io);
		else
			v->q = cpu_to_le64(readq(io));
		break;
	}
}

static ssize_t xvfio_bar_rw(struct xvfio_file *df, unsigned int bar,
			    char __user *buf, size_t count, u64 pos,
			    bool write)
{
	struct xvfio_device *vdev = df->vdev;
	struct pci_dev *pdev = vdev->pdev;
	size_t done = 0, max, sz;
	u64 len, val;
	int ret;

	down_read(&vdev->lock);
	ret = xvfio_check_access(df);
	if (!ret && !vdev->bar[bar])
		ret = -EINVAL;
	len = pci_resource_len(pdev, bar);
	max = (pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ? 8 : 4;
	up_read(&vdev->lock);
	if (ret)
		return ret;
	if (pos >= len)
		return -EINVAL;
	count = min_t(u64, count, len - pos);

	while (done < count) {
		sz = xvfio_access_size(pos + done, count - done, max);
		val = 0;
		if (write && copy_from_user(&val, buf + done, sz)) {
			ret = -EFAULT;
			break;
		}

		down_read(&vdev->lock);
		ret = xvfio_check_access(df);
		if (!ret)
			xvfio_bar_access(vdev->bar[bar] + pos + done, sz, &val,
					 write);
		up_read(&vdev->lock);
		if (ret)
			break;

		if (!write && copy_to_user(buf + done, &val, sz)) {
			ret = -EFAULT;
			break;
		}
		done += sz;
	}
	return done ? done : ret;
}

static ssize_t xvfio_config_read(struct xvfio_file *df, char __user *buf,
				 size_t count, u64 pos)
{
	struct xvfio_device *vdev = df->vdev;
	struct pci_dev *pdev = vdev->pdev;
	size_t done = 0, sz;
	int ret = 0;

	if (pos >= pdev->cfg_size)
		return -EINVAL;
	count = min_t(u64, count, pdev->cfg_size - pos);

	while (done < count) {
		int where = pos + done;
		union {
			u8 b;
			__le16 w;
			__le32 l;
		} v;
		u16 w;
		u32 l;

		sz = xvfio_access_size(where, count - done, 4);
		down_read(&vdev->lock);
		ret = xvfio_check_access(df);
		if (!ret) {
			switch (sz) {
			case 1:
				ret = pci_user_read_config_byte(pdev, where,
								&v.b);
				break;
			case 2:
				ret = pci_user_read_config_word(pdev, where,
								&w);
				v.w = cpu_to_le16(w);
				break;
			default:
				ret = pci_user_read_config_dword(pdev, where,
								 &l);
				v.l = cpu_to_le32(l);
				break;
			}
			ret = pcibios_err_to_errno(ret);
		}
		up_read(&vdev->lock);
		if (ret)
			break;

		if (copy_to_user(buf + done, &v, sz)) {
			ret = -EFAULT;
			break;
		}
		done += sz;
	}
	return done ? done : ret;
}

/*
 * Config writes: see the policy at the top of the file. The request is
 * checked as a whole before anything is written.
 */
static ssize_t xvfio_config_write(struct xvfio_file *df,
				  const char __user *buf, size_t count,
				  u64 pos)
{
	struct xvfio_device *vdev = df->vdev;
	struct pci_dev *pdev = vdev->pdev;
	u8 bytes[4] = {}, mask[4] = {};
	u16 cmd, new, umask, uval;
	unsigned int i;
	int ret;

	if (pos >= pdev->cfg_size)
		return -EINVAL;
	/* Only the dword at PCI_COMMAND: command + status. */
	if (pos < PCI_COMMAND || pos >= PCI_COMMAND + 4 ||
	    count > PCI_COMMAND + 4 - pos)
		return -EPERM;
	if (!count)
		return 0;
	if (copy_from_user(bytes + (pos - PCI_COMMAND), buf, count))
		return -EFAULT;
	for (i = 0; i < count; i++)
		mask[pos - PCI_COMMAND + i] = 0xff;

	/* Bytes 2..3 are the status register: accepted, ignored. */
	umask = (mask[0] | mask[1] << 8) & XVFIO_CMD_WRITABLE;
	uval = bytes[0] | bytes[1] << 8;

	down_read(&vdev->lock);
	ret = xvfio_check_access(df);
	if (ret || !umask)
		goto out_unlock;
	ret = pcibios_err_to_errno(pci_user_read_config_word(pdev, PCI_COMMAND,
							     &cmd));
	if (ret)
		goto out_unlock;
	new = (cmd & ~umask) | (uval & umask);
	if (new != cmd)
		ret = pcibios_err_to_errno(
			pci_user_write_config_word(pdev, PCI_COMMAND, new));
out_unlock:
	up_read(&vdev->lock);
	return ret ? ret : count;
}

static ssize_t xvfio_rw(struct file *file, char __user *buf, size_t count,
			loff_t *ppos, bool write)
{
	struct xvfio_file *df = file->private_data;
	unsigned int index = *ppos >> XVFIO_OFFSET_SHIFT;
	u64 pos = *ppos & XVFIO_OFFSET_MASK;
	ssize_t ret;

	/* Checked again per access; this makes an unbound fd fail early. */
	down_read(&df->vdev->lock);
	ret = xvfio_check_access(df);
	up_read(&df->vdev->lock);
	if (ret)
		return ret;

	if (index < PCI_STD_NUM_BARS)
		ret = xvfio_bar_rw(df, index, buf, count, pos, write);
	else if (index == VFIO_PCI_CONFIG_REGION_INDEX && write)
		ret = xvfio_config_write(df, buf, count, pos);
	else if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		ret = xvfio_config_read(df, buf, count, pos);
	else
		ret = -EINVAL;

	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t xvfio_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	return xvfio_rw(file, buf, count, ppos, false);
}

static ssize_t xvfio_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	return xvfio_rw(file, (char __user *)buf, count, ppos, true);
}

/*
 * BAR pages are inserted one at a time on fault, under vdev->lock, so that
 * revocation (which zaps under the write lock) cannot race with a mapping
 * being installed.
 */
static vm_fault_t xvfio_mmap_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct xvfio_file *df = vma->vm_private_data;
	struct xvfio_device *vdev = df->vdev;
	unsigned int bar = vma->vm_pgoff >> XVFIO_PGOFF_SHIFT;
	unsigned long pfn;
	vm_fault_t ret;

	down_read(&vdev->lock);
	if (xvfio_check_access(df)) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	pfn = (pci_resource_start(vdev->pdev, bar) >> PAGE_SHIFT) +
	      (vma->vm_pgoff & XVFIO_PGOFF_MASK) +
	      ((vmf->address - vma->vm_start) >> PAGE_SHIFT);
	ret = vmf_insert_pfn(vma, vmf->address, pfn);
out_unlock:
	up_read(&vdev->lock);
	return ret;
}

static const struct vm_operations_struct xvfio_vm_ops = {
	.fault = xvfio_mmap_fault,
};

static int xvfio_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xvfio_file *df = file->private_data;
	struct xvfio_device *vdev = df->vdev;
	unsigned long bar = vma->vm_pgoff >> XVFIO_PGOFF_SHIFT;
	u64 start = (u64)(vma->vm_pgoff & XVFIO_PGOFF_MASK) << PAGE_SHIFT;
	u64 size = vma->vm_end - vma->vm_start;
	int ret;

	down_read(&vdev->lock);
	ret = xvfio_check_access(df);
	if (!ret && (bar >= PCI_STD_NUM_BARS ||
		     !xvfio_bar_mmapable(vdev, bar)))
		ret = -EINVAL;
	up_read(&vdev->lock);
	if (ret)
		return ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (start >= pci_resource_len(vdev->pdev, bar) ||
	    size > pci_resource_len(vdev->pdev, bar) - start)
		return -EINVAL;

	vma->vm_private_data = df;
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &xvfio_vm_ops;
	return 0;
}

static const struct file_operations xvfio_fops = {
	.owner		= THIS_MODULE,
	.open		= xvfio_open,
	.release	= xvfio_release,
	.read		= xvfio_read,
	.write		= xvfio_write,
	.unlocked_ioctl	= xvfio_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= xvfio_mmap,
	.llseek		= default_llseek,
};

/* ------------------------------------------------------------------------
 * Device fds of the legacy group API (group.c): the same file operations
 * as the cdev, on a file that is born bound and attached.
 */

/** xvfio_device_get() - keep @vdev's memory alive (group.c lookups) */
void xvfio_device_get(struct xvfio_device *vdev)
{
	get_device(&vdev->dev);
}

/** xvfio_device_put() - drop a reference from xvfio_device_get() */
void xvfio_device_put(struct xvfio_device *vdev)
{
	put_device(&vdev->dev);
}

/**
 * xvfio_device_open_bound() - a device fd bound to a container's context
 * @vdev: the device
 * @ictx: the container's context (the device object keeps a reference)
 * @ioas_id: the container's address space, attached at once
 * @vgroup: the group fd's group, told when the file is released
 *
 * What VFIO_DEVICE_BIND_IOMMUFD + VFIO_DEVICE_ATTACH_IOMMUFD_PT do on a
 * cdev file, on a new file with an inode of its own (revocation zaps each
 * file's mapping). The file is then the cdev's in every way.
 *
 * Context: may sleep; the caller holds the group's lock.
 * Return: the file, or ERR_PTR: -ENODEV the device is being removed;
 * -EBUSY another fd is bound to it; an errno of xiommu_idev_bind() or
 * xiommu_idev_attach(); -ENOMEM.
 */
struct file *xvfio_device_open_bound(struct xvfio_device *vdev,
				     struct xiommu_ictx *ictx, u32 ioas_id,
				     struct xvfio_group *vgroup)
{
	struct xiommu_idev *idev;
	struct xvfio_file *df;
	struct file *file;
	u32 devid, pt_id = ioas_id;
	int ret;

	df = kzalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);
	if (!df)
		return ERR_PTR(-ENOMEM);
	df->vdev = vdev;
	df->vgroup = vgroup;

	mutex_lock(&vdev->state_lock);
	if (vdev->revoked) {
		ret = -ENODEV;
		goto err_unlock;
	}
	if (vdev->bound) {
		ret = -EBUSY;
		goto err_unlock;
	}
	idev = xiommu_idev_bind(ictx, &vdev->pdev->dev, &devid);
	if (IS_ERR(idev)) {
		ret = PTR_ERR(idev);
		goto err_unlock;
	}
	ret = xiommu_idev_attach(idev, &pt_id);
	if (ret)
		goto err_unbind;
	ret = pci_enable_device(vdev->pdev);
	if (ret)
		goto err_unbind;
	file = xvfio_pseudo_file(&xvfio_fops, df, "[xiommu-vfio-device]");
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_disable;
	}
	df->file = file;

	down_write(&vdev->lock);
	get_device(&vdev->dev);
	list_add(&df->node, &vdev->files);
	df->idev = idev;
	vdev->bound = df;
	up_write(&vdev->lock);
	mutex_unlock(&vdev->state_lock);
	return file;

err_disable:
	pci_disable_device(vdev->pdev);
err_unbind:
	xiommu_idev_unbind(idev);
err_unlock:
	mutex_unlock(&vdev->state_lock);
	kfree(df);
	return ERR_PTR(ret);
}

static void xvfio_dev_release(struct device *dev)
{
	struct xvfio_device *vdev = container_of(dev, struct xvfio_device, dev);

	ida_free(&xvfio_ida, vdev->index);
	mutex_destroy(&vdev->state_lock);
	pci_dev_put(vdev->pdev);
	kfree(vdev);
}

static void xvfio_unmap_bars(struct xvfio_device *vdev)
{
	unsigned int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		if (vdev->bar[i])
			pci_iounmap(vdev->pdev, vdev->bar[i]);
		vdev->bar[i] = NULL;
	}
}

static int xvfio_map_bars(struct xvfio_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	unsigned int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		unsigned long flags = pci_resource_flags(pdev, i);

		if (!pci_resource_len(pdev, i) ||
		    !(flags & (IORESOURCE_MEM | IORESOURCE_IO)) ||
		    (flags & IORESOURCE_UNSET))
			continue;
		vdev->bar[i] = pci_iomap(pdev, i, 0);
		if (!vdev->bar[i]) {
			xvfio_unmap_bars(vdev);
			return -ENOMEM;
		}
	}
	return 0;
}

static int xvfio_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct xvfio_device *vdev;
	int ret;

	/* Bridges stay with the kernel: their windows route other devices. */
	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return -EINVAL;

	vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);
	if (!vdev)
		return -ENOMEM;
	vdev->index = ida_alloc_max(&xvfio_ida, MINORMASK, GFP_KERNEL);
	if (vdev->index < 0) {
		ret = vdev->index;
		kfree(vdev);
		return ret;
	}
	vdev->pdev = pci_dev_get(pdev);
	mutex_init(&vdev->state_lock);
	init_rwsem(&vdev->lock);
	INIT_LIST_HEAD(&vdev->files);

	/* From here on put_device() frees vdev, its index and pdev ref. */
	device_initialize(&vdev->dev);
	vdev->dev.class = xvfio_class;
	vdev->dev.parent = &pdev->dev;
	vdev->dev.devt = MKDEV(MAJOR(xvfio_devt), vdev->index);
	vdev->dev.release = xvfio_dev_release;
	ret = dev_set_name(&vdev->dev, "vfio%d", vdev->index);
	if (ret)
		goto err_put;
	cdev_init(&vdev->cdev, &xvfio_fops);
	vdev->cdev.owner = THIS_MODULE;

	ret = pci_request_regions(pdev, XVFIO_DRIVER_NAME);
	if (ret)
		goto err_put;
	ret = xvfio_map_bars(vdev);
	if (ret)
		goto err_release_regions;

	pci_set_drvdata(pdev, vdev);
	ret = cdev_device_add(&vdev->cdev, &vdev->dev);
	if (ret)
		goto err_unmap_bars;
	xvfio_group_add_device(vdev, pdev);
	return 0;

err_unmap_bars:
	xvfio_unmap_bars(vdev);
err_release_regions:
	pci_release_regions(pdev);
err_put:
	put_device(&vdev->dev);
	return ret;
}

static void xvfio_remove(struct pci_dev *pdev)
{
	struct xvfio_device *vdev = pci_get_drvdata(pdev);
	struct xiommu_idev *idev = NULL;
	struct xvfio_file *df;

	/* No new opens through the nodes; opens in flight see ->revoked. */
	xvfio_group_del_device(vdev);
	cdev_device_del(&vdev->cdev, &vdev->dev);

	mutex_lock(&vdev->state_lock);
	down_write(&vdev->lock);
	vdev->revoked = true;
	/* Every mapping holds its file open, so this reaches all of them. */
	list_for_each_entry(df, &vdev->files, node)
		unmap_mapping_range(df->file->f_mapping, 0, 0, true);
	if (vdev->bound)
		idev = xvfio_take_binding(vdev->bound);
	up_write(&vdev->lock);
	if (idev) {
		pci_info(pdev, "removed while in use: revoking user access\n");
		xvfio_unbind(vdev, idev);
	}
	mutex_unlock(&vdev->state_lock);

	down_write(&vdev->lock);
	xvfio_unmap_bars(vdev);
	up_write(&vdev->lock);
	pci_release_regions(pdev);

	put_device(&vdev->dev);
}

static struct pci_driver xvfio_driver = {
	.name			= XVFIO_DRIVER_NAME,
	.id_table		= NULL,	/* bound only through driver_override */
	.probe			= xvfio_probe,
	.remove			= xvfio_remove,
	.driver_managed_dma	= true,
};

static char *xvfio_devnode(struct device *dev, umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "vfio/devices/%s", dev_name(dev));
}

static int __init xvfio_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&xvfio_devt, 0, MINORMASK + 1,
				  "xiommu-vfio-dev");
	if (ret)
		return ret;

	ret = xvfio_group_init();
	if (ret)
		goto err_unregister_chrdev;
	/*
	 * The kernel's own vfio (loaded first: it has /dev/vfio/vfio, so
	 * the legacy API is off) owns the class name "vfio-dev" too.
	 */
	xvfio_class = class_create(THIS_MODULE, xvfio_group_legacy_enabled() ?
				   XVFIO_CLASS_NAME : XVFIO_CLASS_NAME_ALT);
	if (IS_ERR(xvfio_class)) {
		ret = PTR_ERR(xvfio_class);
		goto err_group_exit;
	}
	xvfio_class->devnode = xvfio_devnode;

	ret = pci_register_driver(&xvfio_driver);
	if (ret)
		goto err_destroy_class;
	return 0;

err_destroy_class:
	class_destroy(xvfio_class);
err_group_exit:
	xvfio_group_exit();
err_unregister_chrdev:
	unregister_chrdev_region(xvfio_devt, MINORMASK + 1);
	return ret;
}

static void __exit xvfio_exit(void)
{
	pci_unregister_driver(&xvfio_driver);
	class_destroy(xvfio_class);
	xvfio_group_exit();
	unregister_chrdev_region(xvfio_devt, MINORMASK + 1);
	ida_destroy(&xvfio_ida);
}

module_init(xvfio_init);
module_exit(xvfio_exit);

MODULE_DESCRIPTION("xiommu vfio-pci-style driver: PCI devices as /dev/vfio/devices/vfioN");
MODULE_LICENSE("GPL");
