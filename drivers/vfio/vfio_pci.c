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
 * Config space is virtualized (vfio_pci_config.c), interrupts are
 * delivered through eventfds (vfio_pci_intrs.c), resets are in
 * vfio_pci_reset.c. The device is enabled, reset and its state saved on
 * the first open that gets access (xvfio_dev_enable()), and quiesced,
 * reset and restored when that access ends (xvfio_dev_disable()).
 *
 * Removal with an owner that registered a REQ eventfd first signals it
 * and waits (at most XVFIO_REQ_WAIT) for the owner to close; then it
 * revokes as above.
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

#include "vfio_pci_priv.h"
#include "vfio_priv.h"

/*
 * The driver is "vfio-pci", the name tools look for (DPDK 22.11 drives a
 * device through VFIO only if its driver is named exactly "vfio-pci";
 * libvirt, driverctl and dpdk-devbind.py bind by that name). When the
 * kernel's own vfio-pci is loaded the name is taken: then ours is
 * "xiommu-vfio-pci" (Documentation/vfio.md, "Driver name").
 */
#define XVFIO_DRIVER_NAME	"vfio-pci"
#define XVFIO_DRIVER_NAME_ALT	"xiommu-vfio-pci"
#define XVFIO_CLASS_NAME	"vfio-dev"
/* Next to the kernel's vfio, which has "vfio-dev" (Documentation/vfio.md) */
#define XVFIO_CLASS_NAME_ALT	"xiommu-vfio-dev"

#define XVFIO_PGOFF_SHIFT	(XVFIO_OFFSET_SHIFT - PAGE_SHIFT)
#define XVFIO_PGOFF_MASK	((1UL << XVFIO_PGOFF_SHIFT) - 1)

/* How long removal waits for the owner to answer the REQ interrupt. */
#define XVFIO_REQ_WAIT		(10 * HZ)

static dev_t xvfio_devt;
static struct class *xvfio_class;
static DEFINE_IDA(xvfio_ida);
static struct pci_driver xvfio_driver;

/* Every probed device (->node), for hot reset's ownership checks. */
static DEFINE_MUTEX(xvfio_devices_lock);
static LIST_HEAD(xvfio_devices);

/**
 * xvfio_device_get() - the xiommu_vfio_pci device of a PCI device
 * @pdev: any PCI device
 *
 * Return: the device with a reference held (xvfio_device_put()), or NULL
 * if @pdev is not bound to this driver.
 */
struct xvfio_device *xvfio_device_get(struct pci_dev *pdev)
{
	struct xvfio_device *vdev, *found = NULL;

	mutex_lock(&xvfio_devices_lock);
	list_for_each_entry(vdev, &xvfio_devices, node) {
		if (vdev->pdev == pdev) {
			found = vdev;
			get_device(&vdev->dev);
			break;
		}
	}
	mutex_unlock(&xvfio_devices_lock);
	return found;
}

/**
 * xvfio_device_put() - drop a reference from xvfio_device_get() or
 *	xvfio_device_hold()
 * @vdev: the device
 */
void xvfio_device_put(struct xvfio_device *vdev)
{
	put_device(&vdev->dev);
}

/**
 * xvfio_check_access() - may @df access its device?
 * @df: an open device fd
 *
 * Called with vdev->lock or vdev->state_lock held.
 *
 * Return: 0; -ENODEV the device was removed (revoked); -EINVAL @df is not
 * bound (upstream's errno for an fd without access).
 */
int xvfio_check_access(struct xvfio_file *df)
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

/**
 * xvfio_dev_enable() - prepare a device for its first user ("first open")
 * @vdev: the device; its IOMMU binding is in place (DMA blocked or
 *	translated for the user), no user access yet
 *
 * Enables the device (memory/I/O decoding; Bus Master stays off), resets
 * it if it has a function reset method (whether one exists decides
 * VFIO_DEVICE_FLAGS_RESET), saves its config state for
 * xvfio_dev_disable(), loads the virtual config space and resets the
 * interrupt state. Both the cdev bind and the group path's device open
 * call this, under @vdev->state_lock.
 *
 * Return: 0; -EAGAIN if the device is locked by someone else (the reset
 * could not run, as upstream's open fails then); pci_enable_device()'s
 * errno.
 */
int xvfio_dev_enable(struct xvfio_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int ret;

	lockdep_assert_held(&vdev->state_lock);
	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = pci_try_reset_function(pdev);
	if (ret == -EAGAIN) {
		pci_disable_device(pdev);
		return ret;
	}
	vdev->reset_works = !ret;
	pci_save_state(pdev);
	vdev->saved_state = pci_store_saved_state(pdev);
	xvfio_config_enable(vdev);
	xvfio_irqs_enable(vdev);
	return 0;
}

/**
 * xvfio_dev_disable() - quiesce a device whose user is gone ("last close")
 * @vdev: the device; user access has been taken away already (the
 *	binding is cleared), the IOMMU binding is still in place
 * @dev_locked: the caller holds device_lock(pdev) (driver removal)
 *
 * Frees every interrupt and eventfd, clears Bus Master Enable, resets the
 * function if it can, restores the config state saved at enable and
 * disables the device. Must run before the IOMMU binding is released:
 * once the group is back in the kernel's default domain a DMA the user
 * left running would reach physical memory. Called under
 * @vdev->state_lock.
 */
void xvfio_dev_disable(struct xvfio_device *vdev, bool dev_locked)
{
	struct pci_dev *pdev = vdev->pdev;

	lockdep_assert_held(&vdev->state_lock);
	xvfio_irqs_teardown(vdev);
	pci_clear_master(pdev);
	if (vdev->reset_works) {
		if (dev_locked)
			pci_reset_function_locked(pdev);
		else
			pci_try_reset_function(pdev);
	}
	if (vdev->saved_state) {
		if (!pci_load_and_free_saved_state(pdev, &vdev->saved_state))
			pci_restore_state(pdev);
		vdev->saved_state = NULL;
	}
	/* The restored state may have had Bus Master on: off again. */
	pci_clear_master(pdev);
	pci_disable_device(pdev);
}

/* Quiesce the device, then give its group back to the kernel. */
static void xvfio_unbind(struct xvfio_device *vdev, struct xiommu_idev *idev,
			 bool dev_locked)
{
	lockdep_assert_held(&vdev->state_lock);
	xvfio_dev_disable(vdev, dev_locked);
	xiommu_idev_unbind(idev);
	wake_up_all(&vdev->release_wq);
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
		xvfio_unbind(vdev, idev, false);
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

/**
 * xvfio_file_bind() - give @df access to its device through @ictx
 * @df: an open device fd
 * @ictx: the iommufd context (a /dev/iommu file, or the context behind a
 *	legacy container); the caller holds a reference
 * @devid: out, the device's object id in @ictx
 *
 * Binds the device to @ictx in the xiommu core (claiming its group), then
 * enables it (xvfio_dev_enable()). On success @df is the device's one
 * bound file.
 *
 * Return: 0; -ENODEV revoked; -EINVAL @df or another fd already bound;
 * the core's errno from xiommu_idev_bind(); xvfio_dev_enable()'s errno.
 */
int xvfio_file_bind(struct xvfio_file *df, struct xiommu_ictx *ictx,
		    u32 *devid)
{
	struct xvfio_device *vdev = df->vdev;
	struct xiommu_idev *idev;
	int ret;

	mutex_lock(&vdev->state_lock);
	if (vdev->revoked) {
		ret = -ENODEV;
		goto err_unlock;
	}
	/* One bind per fd, one bound fd per device. */
	if (df->idev || vdev->bound) {
		/* A legacy group fd holds the device: its group is busy. */
		ret = (!df->idev && vdev->bound && vdev->bound->vgroup) ?
		      -EBUSY : -EINVAL;
		goto err_unlock;
	}

	idev = xiommu_idev_bind(ictx, &vdev->pdev->dev, devid);
	if (IS_ERR(idev)) {
		ret = PTR_ERR(idev);
		goto err_unlock;
	}
	ret = xvfio_dev_enable(vdev);
	if (ret)
		goto err_unbind;
	down_write(&vdev->lock);
	df->idev = idev;
	vdev->bound = df;
	vdev->devid = *devid;
	up_write(&vdev->lock);
	mutex_unlock(&vdev->state_lock);
	return 0;

err_unbind:
	xiommu_idev_unbind(idev);
err_unlock:
	mutex_unlock(&vdev->state_lock);
	return ret;
}

static long xvfio_ioctl_bind(struct xvfio_file *df, void __user *uarg)
{
	unsigned long minsz =
		offsetofend(struct vfio_device_bind_iommufd, out_devid);
	struct vfio_device_bind_iommufd bind;
	struct vfio_device_bind_iommufd __user *ubind = uarg;
	struct xiommu_ictx *ictx;
	u32 devid;
	int ret;

	if (copy_from_user(&bind, uarg, minsz))
		return -EFAULT;
	if (bind.argsz < minsz || bind.flags || bind.iommufd < 0)
		return -EINVAL;

	ictx = xiommu_ictx_from_fd(bind.iommufd);
	if (IS_ERR(ictx))
		return PTR_ERR(ictx);
	ret = xvfio_file_bind(df, ictx, &devid);
	xiommu_ictx_put(ictx);
	if (ret)
		return ret;

	if (put_user(devid, &ubind->out_devid)) {
		xvfio_unbind_file(df);
		return -EFAULT;
	}
	return 0;
}

/* Attach (or replace) the RID or, with @pasid_flag, PASID @pasid. */
static int xvfio_attach_pt(struct xvfio_file *df, bool pasid_flag, u32 pasid,
			   u32 *pt_id)
{
	if (!pasid_flag)
		return xiommu_idev_attach(df->idev, pt_id);
	if (xiommu_idev_pasid_attached(df->idev, pasid))
		return xiommu_idev_pasid_replace(df->idev, pasid, pt_id);
	return xiommu_idev_pasid_attach(df->idev, pasid, pt_id);
}

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT, upstream's rules: the 12-byte head must
 * fit argsz, unknown flags are EINVAL, and VFIO_DEVICE_ATTACH_PASID needs
 * argsz to cover @pasid (EINVAL).
 */
static long xvfio_ioctl_attach(struct xvfio_file *df, void __user *uarg)
{
	unsigned long minsz =
		offsetofend(struct vfio_device_attach_iommufd_pt, pt_id);
	unsigned long pasidsz =
		offsetofend(struct vfio_device_attach_iommufd_pt, pasid);
	struct vfio_device_attach_iommufd_pt attach = {};
	struct vfio_device_attach_iommufd_pt __user *uattach = uarg;
	struct xvfio_device *vdev = df->vdev;
	bool pasid_flag;
	int ret;

	if (copy_from_user(&attach, uarg, minsz))
		return -EFAULT;
	if (attach.argsz < minsz || (attach.flags & ~VFIO_DEVICE_ATTACH_PASID))
		return -EINVAL;
	pasid_flag = attach.flags & VFIO_DEVICE_ATTACH_PASID;
	if (pasid_flag) {
		if (attach.argsz < pasidsz)
			return -EINVAL;
		if (get_user(attach.pasid, &uattach->pasid))
			return -EFAULT;
	}

	mutex_lock(&vdev->state_lock);
	ret = xvfio_check_access(df);
	if (!ret)
		ret = xvfio_attach_pt(df, pasid_flag, attach.pasid,
				      &attach.pt_id);
	mutex_unlock(&vdev->state_lock);
	if (ret)
		return ret;

	if (put_user(attach.pt_id, &uattach->pt_id)) {
		/* As upstream: a failed reply leaves the device detached. */
		mutex_lock(&vdev->state_lock);
		if (!xvfio_check_access(df)) {
			if (pasid_flag)
				xiommu_idev_pasid_detach(df->idev,
							 attach.pasid);
			else
				xiommu_idev_detach(df->idev);
		}
		mutex_unlock(&vdev->state_lock);
		return -EFAULT;
	}
	return 0;
}

static long xvfio_ioctl_detach(struct xvfio_file *df, void __user *uarg)
{
	unsigned long minsz =
		offsetofend(struct vfio_device_detach_iommufd_pt, flags);
	unsigned long pasidsz =
		offsetofend(struct vfio_device_detach_iommufd_pt, pasid);
	struct vfio_device_detach_iommufd_pt detach = {};
	struct vfio_device_detach_iommufd_pt __user *udetach = uarg;
	struct xvfio_device *vdev = df->vdev;
	bool pasid_flag;
	int ret;

	if (copy_from_user(&detach, uarg, minsz))
		return -EFAULT;
	if (detach.argsz < minsz || (detach.flags & ~VFIO_DEVICE_DETACH_PASID))
		return -EINVAL;
	pasid_flag = detach.flags & VFIO_DEVICE_DETACH_PASID;
	if (pasid_flag) {
		if (detach.argsz < pasidsz)
			return -EINVAL;
		if (get_user(detach.pasid, &udetach->pasid))
			return -EFAULT;
	}

	mutex_lock(&vdev->state_lock);
	ret = xvfio_check_access(df);
	if (!ret) {
		if (pasid_flag)
			xiommu_idev_pasid_detach(df->idev, detach.pasid);
		else
			xiommu_idev_detach(df->idev);
	}
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
	if (df->vdev->reset_works)
		info.flags |= VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;

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

/* Size of the ROM region: the ROM BAR's size, 0 if the device has none. */
static u64 xvfio_rom_size(struct xvfio_device *vdev)
{
	return pci_resource_len(vdev->pdev, PCI_ROM_RESOURCE);
}

static long xvfio_ioctl_get_region_info(struct xvfio_file *df,
					void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct xvfio_device *vdev = df->vdev;
	struct pci_dev *pdev = vdev->pdev;
	struct vfio_info_cap_header msix_cap = {
		.id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
		.version = 1,
	};
	struct vfio_region_info info;
	size_t caps_size = 0;

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
			if (xvfio_bar_mmapable(vdev, info.index)) {
				info.flags |= VFIO_REGION_INFO_FLAG_MMAP;
				/*
				 * As 6.1's vfio-pci: the whole BAR maps,
				 * MSI-X table included, and the capability
				 * says so.
				 */
				if (info.index == vdev->msix_bar)
					caps_size = sizeof(msix_cap);
			}
		}
		up_read(&vdev->lock);
		break;
	case VFIO_PCI_ROM_REGION_INDEX:
		info.size = xvfio_rom_size(vdev);
		if (info.size)
			info.flags = VFIO_REGION_INFO_FLAG_READ;
		break;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info.size = pdev->cfg_size;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_VGA_REGION_INDEX:
		/* Not implemented (see vfio.md): size 0, no access. */
		break;
	default:
		return -EINVAL;
	}
	info.offset = (u64)info.index << XVFIO_OFFSET_SHIFT;

	/*
	 * The capability chain follows the struct; if it does not fit, say
	 * how much room it needs (argsz) and give no chain (cap_offset 0).
	 */
	if (caps_size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps_size) {
			info.argsz = sizeof(info) + caps_size;
		} else {
			msix_cap.next = 0;	/* the last (only) one */
			if (copy_to_user(uarg + sizeof(info), &msix_cap,
					 sizeof(msix_cap)))
				return -EFAULT;
			info.cap_offset = sizeof(info);
		}
	}

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
	 * Gate for the info ioctls. The others re-check under the lock that
	 * orders them against unbind; the info replies do not depend on the
	 * binding staying put.
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
	case VFIO_DEVICE_GET_IRQ_INFO:
		return xvfio_ioctl_get_irq_info(vdev, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return xvfio_ioctl_set_irqs(df, uarg);
	case VFIO_DEVICE_RESET:
		return xvfio_ioctl_reset(df);
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return xvfio_ioctl_hot_reset_info(df, uarg);
	case VFIO_DEVICE_PCI_HOT_RESET:
		return xvfio_ioctl_hot_reset(df, uarg);
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
		if (ret) {
			/* nothing */
		} else if (bar == vdev->msix_bar &&
			   pos + done >= vdev->msix_offset &&
			   pos + done < vdev->msix_offset + vdev->msix_size) {
			/*
			 * As 6.1's vfio-pci: the MSI-X table is the kernel's
			 * through read/write (writes dropped, reads all
			 * ones); mmap is not restricted.
			 */
			val = ~0ULL;
		} else {
			xvfio_bar_access(vdev->bar[bar] + pos + done, sz, &val,
					 write);
		}
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

#define XVFIO_ROM_CHUNK		4096	/* bytes per ROM mapping */

/*
 * The ROM region: the option ROM through pci_map_rom(), read-only. Bytes
 * past the ROM image (inside the BAR) read as all ones, as upstream.
 */
static ssize_t xvfio_rom_read(struct xvfio_file *df, char __user *buf,
			      size_t count, u64 pos)
{
	struct xvfio_device *vdev = df->vdev;
	struct pci_dev *pdev = vdev->pdev;
	u64 size = xvfio_rom_size(vdev);
	size_t done = 0, n, image, i;
	void __iomem *rom;
	u8 *bounce;
	int ret = 0;

	if (pos >= size)
		return -EINVAL;
	count = min_t(u64, count, size - pos);
	bounce = kmalloc(XVFIO_ROM_CHUNK, GFP_KERNEL_ACCOUNT);
	if (!bounce)
		return -ENOMEM;

	while (done < count) {
		u64 at = pos + done;

		n = min_t(size_t, count - done, XVFIO_ROM_CHUNK);
		down_read(&vdev->lock);
		ret = xvfio_check_access(df);
		if (!ret) {
			rom = pci_map_rom(pdev, &image);
			if (!rom) {
				ret = -EIO;
			} else {
				i = at < image ? min_t(u64, n, image - at) : 0;
				memcpy_fromio(bounce, rom + at, i);
				memset(bounce + i, 0xff, n - i);
				pci_unmap_rom(pdev, rom);
			}
		}
		up_read(&vdev->lock);
		if (ret)
			break;
		if (copy_to_user(buf + done, bounce, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
	}
	kfree(bounce);
	return done ? done : ret;
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
	else if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		ret = xvfio_config_rw(df, buf, count, pos, write);
	else if (index == VFIO_PCI_ROM_REGION_INDEX && !write)
		ret = xvfio_rom_read(df, buf, count, pos);
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

/**
 * xvfio_driver_name() - the name this PCI driver registered under
 *
 * Return: "vfio-pci", or "xiommu-vfio-pci" next to the kernel's vfio-pci.
 * Idle members of a group handed to user space get it as driver_override.
 */
const char *xvfio_driver_name(void)
{
	return xvfio_driver.name;
}

/**
 * xvfio_device_hold() - keep @vdev's memory alive (group.c lookups)
 * @vdev: a device the caller reached under a lock that keeps it alive
 *
 * Drop the reference with xvfio_device_put().
 */
void xvfio_device_hold(struct xvfio_device *vdev)
{
	get_device(&vdev->dev);
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
	df->group_path = true;

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
	/* First open, as on the cdev path: enable, reset, virtual config. */
	ret = xvfio_dev_enable(vdev);
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
	vdev->devid = devid;
	up_write(&vdev->lock);
	mutex_unlock(&vdev->state_lock);
	return file;

err_disable:
	xvfio_dev_disable(vdev, false);
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
	xvfio_config_free(vdev);
	mutex_destroy(&vdev->igate);
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
	INIT_LIST_HEAD(&vdev->node);
	init_waitqueue_head(&vdev->release_wq);
	mutex_init(&vdev->igate);
	spin_lock_init(&vdev->irqlock);
	vdev->irq_type = XVFIO_IRQ_NONE;
	vdev->msix_bar = -1;
	ret = xvfio_config_init(vdev);
	if (ret) {
		ida_free(&xvfio_ida, vdev->index);
		pci_dev_put(vdev->pdev);
		kfree(vdev);
		return ret;
	}

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

	ret = pci_request_regions(pdev, xvfio_driver.name);
	if (ret)
		goto err_put;
	ret = xvfio_map_bars(vdev);
	if (ret)
		goto err_release_regions;

	pci_set_drvdata(pdev, vdev);
	ret = cdev_device_add(&vdev->cdev, &vdev->dev);
	if (ret)
		goto err_unmap_bars;
	mutex_lock(&xvfio_devices_lock);
	list_add(&vdev->node, &xvfio_devices);
	mutex_unlock(&xvfio_devices_lock);
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

/**
 * xvfio_zap_mmaps() - remove every BAR page mapped through any fd of @vdev
 * @vdev: the device, @vdev->lock held for write (so no fault refills them
 *	until it is dropped)
 */
void xvfio_zap_mmaps(struct xvfio_device *vdev)
{
	struct xvfio_file *df;

	lockdep_assert_held_write(&vdev->lock);
	/* Every mapping holds its file open, so this reaches all of them. */
	list_for_each_entry(df, &vdev->files, node)
		unmap_mapping_range(df->file->f_mapping, 0, 0, true);
}

/*
 * If the device has an owner who registered a REQ eventfd, ask it to
 * release the device and wait a bounded time for the release.
 */
static void xvfio_wait_release(struct xvfio_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;

	if (!READ_ONCE(vdev->bound) || !xvfio_request_release(vdev))
		return;
	pci_info_ratelimited(pdev, "asking user space to release the device\n");
	if (!wait_event_timeout(vdev->release_wq, !READ_ONCE(vdev->bound),
				XVFIO_REQ_WAIT))
		pci_info_ratelimited(pdev, "not released within %d s\n",
				     XVFIO_REQ_WAIT / HZ);
}

static void xvfio_remove(struct pci_dev *pdev)
{
	struct xvfio_device *vdev = pci_get_drvdata(pdev);
	struct xiommu_idev *idev = NULL;

	/* No new opens through the nodes; opens in flight see ->revoked. */
	xvfio_group_del_device(vdev);
	cdev_device_del(&vdev->cdev, &vdev->dev);
	mutex_lock(&xvfio_devices_lock);
	list_del_init(&vdev->node);
	mutex_unlock(&xvfio_devices_lock);

	xvfio_wait_release(vdev);

	mutex_lock(&vdev->state_lock);
	down_write(&vdev->lock);
	vdev->revoked = true;
	xvfio_zap_mmaps(vdev);
	if (vdev->bound)
		idev = xvfio_take_binding(vdev->bound);
	up_write(&vdev->lock);
	if (idev) {
		pci_info(pdev, "removed while in use: revoking user access\n");
		xvfio_unbind(vdev, idev, true);
	}
	mutex_unlock(&vdev->state_lock);

	down_write(&vdev->lock);
	xvfio_unmap_bars(vdev);
	up_write(&vdev->lock);
	pci_release_regions(pdev);

	put_device(&vdev->dev);
}

/* AER: tell the owner through the ERR eventfd; the kernel may recover. */
static pci_ers_result_t xvfio_error_detected(struct pci_dev *pdev,
					     pci_channel_state_t state)
{
	struct xvfio_device *vdev = pci_get_drvdata(pdev);

	xvfio_signal_err(vdev);
	return PCI_ERS_RESULT_CAN_RECOVER;
}

static const struct pci_error_handlers xvfio_err_handlers = {
	.error_detected = xvfio_error_detected,
};

static struct pci_driver xvfio_driver = {
	.name			= XVFIO_DRIVER_NAME,
	.id_table		= NULL,	/* bound only through driver_override */
	.probe			= xvfio_probe,
	.remove			= xvfio_remove,
	.err_handler		= &xvfio_err_handlers,
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
	if (ret == -EBUSY) {
		/* The kernel's vfio-pci has the name (driver_register()). */
		xvfio_driver.name = XVFIO_DRIVER_NAME_ALT;
		ret = pci_register_driver(&xvfio_driver);
		if (!ret)
			pr_info("xiommu_vfio_pci: the kernel's vfio-pci is loaded: this driver is %s\n",
				XVFIO_DRIVER_NAME_ALT);
	}
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
