// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resets of xiommu_vfio_pci devices:
 *  - VFIO_DEVICE_RESET and Initiate FLR in the virtual PCIe device
 *    control: a function reset (FLR, AF FLR, PM reset, or a bus reset when
 *    the function is alone on its bus: whatever pci_try_reset_function()
 *    finds), the device's config state saved and restored around it;
 *  - VFIO_DEVICE_GET_PCI_HOT_RESET_INFO / VFIO_DEVICE_PCI_HOT_RESET: a
 *    slot or secondary bus reset of everything below the device's slot or
 *    bus (pci_reset_bus()), allowed only when user space owns every
 *    affected device: on the cdev path every one must be bound to this
 *    driver and to the caller's iommufd context (upstream's zero-length
 *    group array form); on the group path each must be in one of the
 *    group fds passed as proof.
 * Semantics and errno are upstream vfio-pci's (include/uapi/linux/vfio.h).
 */
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <xiommu/xiommu.h>
#include <xiommu/vfio_cdev.h>

#include "vfio_pci_priv.h"
#include "vfio_priv.h"

/**
 * xvfio_ioctl_reset() - VFIO_DEVICE_RESET
 * @df: a device fd with access
 *
 * Return: 0; -EINVAL if the device has no function reset method (as
 * upstream); -EAGAIN if the device is locked by someone else (a reset or
 * removal in progress); -ENODEV, -EINVAL without access.
 */
long xvfio_ioctl_reset(struct xvfio_file *df)
{
	struct xvfio_device *vdev = df->vdev;
	int ret;

	mutex_lock(&vdev->state_lock);
	ret = xvfio_check_access(df);
	if (!ret && !vdev->reset_works)
		ret = -EINVAL;
	if (!ret)
		ret = pci_try_reset_function(vdev->pdev);
	mutex_unlock(&vdev->state_lock);
	return ret;
}

/**
 * xvfio_flr() - Initiate FLR written to the virtual PCIe device control
 * @df: the device fd that wrote it
 *
 * Resets the function if the device advertises FLR (PCIe Device
 * Capabilities), else does nothing, as upstream. Errors are not reported:
 * the config write that asked for it has already succeeded.
 */
void xvfio_flr(struct xvfio_file *df)
{
	struct xvfio_device *vdev = df->vdev;
	u32 cap;

	if (pcie_capability_read_dword(vdev->pdev, PCI_EXP_DEVCAP, &cap) ||
	    !(cap & PCI_EXP_DEVCAP_FLR))
		return;
	mutex_lock(&vdev->state_lock);
	if (!xvfio_check_access(df))
		pci_try_reset_function(vdev->pdev);
	mutex_unlock(&vdev->state_lock);
}

/* The devices a slot or bus reset of @pdev affects. */
struct xvfio_affected {
	struct pci_dev *pdev;
	bool slot;
	unsigned int count;
	unsigned int max;
	struct pci_dev **devs;
};

static int xvfio_collect_one(struct pci_dev *pdev, void *data)
{
	struct xvfio_affected *a = data;

	if (a->slot && (!pdev->slot || pdev->slot != a->pdev->slot))
		return 0;
	if (a->devs) {
		/* Devices added since counting: the caller retries. */
		if (a->count >= a->max)
			return -EAGAIN;
		a->devs[a->count] = pci_dev_get(pdev);
	}
	a->count++;
	return 0;
}

static void xvfio_affected_free(struct xvfio_affected *a)
{
	unsigned int i;

	if (!a->devs)
		return;
	for (i = 0; i < a->count; i++)
		pci_dev_put(a->devs[i]);
	kfree(a->devs);
	a->devs = NULL;
}

/*
 * Collect the devices a hot reset of @pdev affects into @a (references
 * held). Return: 0; -ENODEV no slot or bus reset is possible; -ENOMEM;
 * -EAGAIN the bus changed while we looked.
 */
static int xvfio_affected_get(struct pci_dev *pdev, struct xvfio_affected *a)
{
	int ret;

	memset(a, 0, sizeof(*a));
	a->pdev = pdev;
	if (!pci_probe_reset_slot(pdev->slot))
		a->slot = true;
	else if (pci_probe_reset_bus(pdev->bus))
		return -ENODEV;

	pci_walk_bus(pdev->bus, xvfio_collect_one, a);
	a->max = a->count;
	a->count = 0;
	a->devs = kcalloc(a->max, sizeof(*a->devs), GFP_KERNEL);
	if (!a->devs)
		return -ENOMEM;
	ret = 0;
	pci_walk_bus(pdev->bus, xvfio_collect_one, a);
	if (a->count > a->max) {
		a->count = a->max;
		ret = -EAGAIN;
	}
	if (ret)
		xvfio_affected_free(a);
	return ret;
}

/*
 * Ownership of @pdev as the cdev form sees it: its devid in @ictx (> 0)
 * if it is bound to this driver and to @ictx, else VFIO_PCI_DEVID_NOT_OWNED.
 * (Upstream also reports VFIO_PCI_DEVID_OWNED for an unopened device whose
 * IOMMU group the context owns; xiommu does not, see vfio.md.)
 */
static u32 xvfio_devid_in(struct pci_dev *pdev, struct xiommu_ictx *ictx)
{
	struct xvfio_device *vdev = xvfio_device_get(pdev);
	u32 devid = VFIO_PCI_DEVID_NOT_OWNED;

	if (!vdev)
		return devid;
	down_read(&vdev->lock);
	if (!vdev->revoked && vdev->bound && vdev->bound->idev &&
	    xiommu_idev_ictx(vdev->bound->idev) == ictx)
		devid = vdev->devid;
	up_read(&vdev->lock);
	xvfio_device_put(vdev);
	return devid;
}

/* The calling fd's iommufd context (cdev path), under state_lock. */
static struct xiommu_ictx *xvfio_file_ictx(struct xvfio_file *df)
{
	lockdep_assert_held(&df->vdev->state_lock);
	return df->idev ? xiommu_idev_ictx(df->idev) : NULL;
}

/**
 * xvfio_ioctl_hot_reset_info() - VFIO_DEVICE_GET_PCI_HOT_RESET_INFO
 * @df: a device fd with access
 * @uarg: struct vfio_pci_hot_reset_info
 *
 * On the cdev path reports devids (flag VFIO_PCI_HOT_RESET_FLAG_DEV_ID)
 * and VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED when every affected device is
 * owned; on the group path, group ids.
 *
 * Return: 0; -EINVAL argsz too small; -ENODEV no slot/bus reset for this
 * device; -ENOSPC the array is too small (count says how many are needed);
 * -EFAULT; -ENOMEM; -EAGAIN the bus changed.
 */
long xvfio_ioctl_hot_reset_info(struct xvfio_file *df, void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_pci_hot_reset_info,
					  count);
	struct vfio_pci_hot_reset_info hdr;
	struct vfio_pci_hot_reset_info __user *uhdr = uarg;
	struct xvfio_device *vdev = df->vdev;
	struct vfio_pci_dependent_device *devices = NULL;
	struct xvfio_affected a;
	bool all_owned = true;
	unsigned int i;
	int ret;

	if (copy_from_user(&hdr, uarg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz)
		return -EINVAL;

	ret = xvfio_affected_get(vdev->pdev, &a);
	if (ret)
		return ret;
	hdr.flags = 0;
	if (hdr.argsz < sizeof(hdr) + a.count * sizeof(*devices)) {
		hdr.count = a.count;
		ret = -ENOSPC;
		goto out_reply;
	}
	devices = kcalloc(a.count, sizeof(*devices), GFP_KERNEL);
	if (!devices) {
		ret = -ENOMEM;
		goto out_free;
	}

	mutex_lock(&vdev->state_lock);
	ret = xvfio_check_access(df);
	for (i = 0; !ret && i < a.count; i++) {
		struct pci_dev *p = a.devs[i];

		devices[i].segment = pci_domain_nr(p->bus);
		devices[i].bus = p->bus->number;
		devices[i].devfn = p->devfn;
		if (df->group_path) {
			int id = xvfio_group_id(p);

			devices[i].group_id = id < 0 ? -1 : id;
		} else {
			u32 devid = xvfio_devid_in(p, xvfio_file_ictx(df));

			/* devid shares group_id's place (vfio_cdev.h). */
			devices[i].group_id = devid;
			if (devid == (u32)VFIO_PCI_DEVID_NOT_OWNED)
				all_owned = false;
		}
	}
	mutex_unlock(&vdev->state_lock);
	if (ret)
		goto out_free;
	if (!df->group_path) {
		hdr.flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID;
		if (all_owned)
			hdr.flags |= VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED;
	}
	hdr.count = a.count;

out_reply:
	if (copy_to_user(uarg, &hdr, minsz))
		ret = -EFAULT;
	if (!ret && copy_to_user(uhdr->devices, devices,
				 hdr.count * sizeof(*devices)))
		ret = -EFAULT;
out_free:
	kfree(devices);
	xvfio_affected_free(&a);
	return ret;
}

/* Is @pdev in one of the @nfiles group files? */
static bool xvfio_in_groups(struct pci_dev *pdev, struct file **files,
			    unsigned int nfiles)
{
	unsigned int i;

	for (i = 0; i < nfiles; i++)
		if (xvfio_group_file_owns_dev(files[i], pdev))
			return true;
	return false;
}

/**
 * xvfio_ioctl_hot_reset() - VFIO_DEVICE_PCI_HOT_RESET
 * @df: a device fd with access
 * @uarg: struct vfio_pci_hot_reset
 *
 * Every affected device must be bound to this driver and owned by the
 * caller: cdev path, count must be 0 and every device bound to the
 * caller's iommufd context; group path, 1 <= count <= affected devices
 * group fds that together hold every affected device. During the reset
 * no user access reaches any affected device (their BAR mappings are
 * zapped and refault after it).
 *
 * Return: 0; -EINVAL bad argsz/flags/count, a device not owned or not
 * bound to this driver, an fd that is not a group fd; -EBADF a group fd
 * that is not open; -ENODEV no slot/bus reset; -EBUSY an affected device
 * is busy (its lock is held); -EAGAIN the PCI core could not lock every
 * device; -EFAULT; -ENOMEM.
 */
long xvfio_ioctl_hot_reset(struct xvfio_file *df, void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_pci_hot_reset, count);
	struct vfio_pci_hot_reset __user *uhdr = uarg;
	struct xvfio_device *vdev = df->vdev;
	struct xvfio_device **vdevs = NULL;
	struct vfio_pci_hot_reset hdr;
	struct file **files = NULL;
	unsigned int i, nfiles = 0, nlocked = 0;
	struct xvfio_affected a;
	int ret;

	if (copy_from_user(&hdr, uarg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz || hdr.flags)
		return -EINVAL;
	/* cdev: a zero-length array; group fds: at least one. */
	if (!!hdr.count != df->group_path)
		return -EINVAL;

	ret = xvfio_affected_get(vdev->pdev, &a);
	if (ret)
		return ret;
	if (hdr.count > a.count || (hdr.count &&
	    hdr.argsz - minsz < hdr.count * sizeof(s32))) {
		ret = -EINVAL;
		goto out_free;
	}
	if (hdr.count) {
		files = kcalloc(hdr.count, sizeof(*files), GFP_KERNEL);
		if (!files) {
			ret = -ENOMEM;
			goto out_free;
		}
		for (nfiles = 0; nfiles < hdr.count; nfiles++) {
			s32 fd;

			if (get_user(fd, &uhdr->group_fds[nfiles])) {
				ret = -EFAULT;
				goto out_files;
			}
			files[nfiles] = fget(fd);
			if (!files[nfiles]) {
				ret = -EBADF;
				goto out_files;
			}
		}
	}
	vdevs = kcalloc(a.count, sizeof(*vdevs), GFP_KERNEL);
	if (!vdevs) {
		ret = -ENOMEM;
		goto out_files;
	}

	mutex_lock(&vdev->state_lock);
	ret = xvfio_check_access(df);
	for (i = 0; !ret && i < a.count; i++) {
		struct pci_dev *p = a.devs[i];

		vdevs[i] = xvfio_device_get(p);
		if (!vdevs[i])
			ret = -EINVAL;	/* not ours: cannot be owned */
		else if (df->group_path)
			ret = xvfio_in_groups(p, files, nfiles) ? 0 : -EINVAL;
		else
			ret = xvfio_devid_in(p, xvfio_file_ictx(df)) ==
			      (u32)VFIO_PCI_DEVID_NOT_OWNED ? -EINVAL : 0;
	}
	/* Block user access to every affected device across the reset. */
	for (i = 0; !ret && i < a.count; i++) {
		if (!down_write_trylock(&vdevs[i]->lock)) {
			ret = -EBUSY;
			break;
		}
		nlocked++;
		xvfio_zap_mmaps(vdevs[i]);
	}
	if (!ret)
		ret = pci_reset_bus(vdev->pdev);
	for (i = 0; i < nlocked; i++)
		up_write(&vdevs[i]->lock);
	mutex_unlock(&vdev->state_lock);

	for (i = 0; i < a.count; i++)
		if (vdevs[i])
			xvfio_device_put(vdevs[i]);
	kfree(vdevs);
out_files:
	for (i = 0; i < nfiles; i++)
		if (files[i])
			fput(files[i]);
	kfree(files);
out_free:
	xvfio_affected_free(&a);
	return ret;
}
