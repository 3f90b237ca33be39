// SPDX-License-Identifier: GPL-2.0-only
/*
 * The legacy VFIO API: containers (/dev/vfio/vfio) and groups
 * (/dev/vfio/N), as QEMU up to 8, DPDK, SPDK and the like use them.
 *
 * A container is an xiommu context without a /dev/iommu file
 * (xiommu_ictx_create()); its ioctls are the type1 compatibility ioctls of
 * the core (xiommu_vfio_ioctl()), so type1 semantics have one
 * implementation for /dev/iommu and /dev/vfio/vfio. What is the
 * container's own is the state machine upstream VFIO puts around them: a
 * container gets an IOMMU model (VFIO_SET_IOMMU) only once a group is set
 * to it, and loses it (every mapping) when its last group leaves.
 *
 * A group node /dev/vfio/N exists while at least one device of xiommu
 * group N is bound to xiommu-vfio-pci. Setting the group to a container
 * claims the whole group for the container's context (the core's
 * ownership rules, Documentation/groups.md): a group held through a group
 * fd cannot be bound through a device cdev with another context, and the
 * reverse. VFIO_GROUP_GET_DEVICE_FD binds the device to the container's
 * context and attaches it to the container's address space (the
 * compatibility IOAS), then hands out a device fd served by vfio_pci.c,
 * the same code as the cdev. Each device fd holds the group fd, as
 * upstream: the group (and its claim) goes back when the group fd and
 * every device fd obtained from it are closed.
 *
 * Differences from upstream VFIO: one device fd per device at a time
 * (EBUSY for a second GET_DEVICE_FD); devices are attached to the address
 * space when their fd is obtained, not when VFIO_SET_IOMMU is called
 * (a group's devices do no DMA before user space opens them anyway);
 * group numbers start at 10000 (see src/iommu/group_user.c).
 *
 * Lock order: vgroup->lock -> container->lock -> the device's state_lock
 * (vfio_pci.c) -> xiommu core locks (which take the device lock of idle
 * group members to set driver_override). xvfio_groups_lock is taken alone
 * or innermost, never across a core call: probe and remove take it with a
 * device lock held; remove also deletes /dev/vfio/N under it (sysfs and
 * devtmpfs only).
 */
#define pr_fmt(fmt) "xiommu_vfio_pci: " fmt

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pci.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/vfio.h>

#include <xiommu/xiommu.h>

#include "vfio_priv.h"

/**
 * struct xvfio_container - an open /dev/vfio/vfio
 * @kref: the file holds one reference, every group set to it one
 * @ictx: the container's context (xiommu_ictx_create()), closed with the
 *	last reference
 * @lock: write-held to change @groups and @iommu_set, read-held by the
 *	ioctls that use them
 * @groups: struct xvfio_group set to this container (->container_node)
 * @iommu_set: VFIO_SET_IOMMU succeeded; cleared when the last group leaves
 * @ioas_id: the compatibility IOAS of @ictx, valid while @groups is not
 *	empty
 */
struct xvfio_container {
	struct kref kref;
	struct xiommu_ictx *ictx;
	struct rw_semaphore lock;
	struct list_head groups;
	bool iommu_set;
	u32 ioas_id;
};

/**
 * struct xvfio_group - /dev/vfio/N, one xiommu group with devices bound
 *	to xiommu-vfio-pci
 * @dev: the class device "N"; its reference count is this struct's life:
 *	registration holds one, every open group fd one
 * @cdev: the character device
 * @group: the xiommu group (a reference is held)
 * @node: link in xvfio_groups while registered (xvfio_groups_lock)
 * @devices: struct xvfio_group_dev of the bound devices; empty once the
 *	last one left (the node is gone, the group is dead);
 *	xvfio_groups_lock
 * @lock: protects every field below
 * @opened_file: the one open group fd, or NULL
 * @container: the container the group is set to, or NULL; written
 *	with WRITE_ONCE (xvfio_group_file_owns_dev() reads it unlocked)
 * @container_node: link in container->groups (container->lock)
 * @devices_open: device fds obtained from the group and not released
 */
struct xvfio_group {
	struct device dev;
	struct cdev cdev;
	struct xiommu_group *group;
	struct list_head node;
	struct list_head devices;
	struct mutex lock;
	struct file *opened_file;
	struct xvfio_container *container;
	struct list_head container_node;
	unsigned int devices_open;
};

struct xvfio_group_dev {
	struct list_head node;
	struct xvfio_device *vdev;
	struct pci_dev *pdev;
};

static DEFINE_MUTEX(xvfio_groups_lock);
static LIST_HEAD(xvfio_groups);
static DEFINE_IDA(xvfio_group_ida);
static dev_t xvfio_group_devt;
static struct class *xvfio_group_class;
static bool xvfio_legacy_enabled;

/* ------------------------------------------------------------------------
 * Device fds: files with an inode of their own (pseudo file system), so
 * that revocation zapping one file's BAR mappings touches no other file.
 */
#define XVFIO_FS_MAGIC	0x78766669	/* "xvfi" */

static struct vfsmount *xvfio_mnt;

static int xvfio_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, XVFIO_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type xvfio_fs_type = {
	.name = "xiommu_vfio",
	.init_fs_context = xvfio_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/**
 * xvfio_pseudo_file() - a new file on an inode of its own
 * @fops: its operations; the file pins @fops->owner
 * @priv: its private_data
 * @name: name for /proc/PID/fd
 *
 * Return: the file (O_RDWR, pread/pwrite allowed) or an ERR_PTR.
 */
struct file *xvfio_pseudo_file(const struct file_operations *fops,
			       void *priv, const char *name)
{
	struct inode *inode;
	struct file *file;

	if (!try_module_get(fops->owner))
		return ERR_PTR(-ENODEV);
	inode = alloc_anon_inode(xvfio_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		module_put(fops->owner);
		return ERR_CAST(inode);
	}
	file = alloc_file_pseudo(inode, xvfio_mnt, name, O_RDWR, fops);
	if (IS_ERR(file)) {
		iput(inode);
		module_put(fops->owner);
		return file;
	}
	file->private_data = priv;
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	return file;
}

/* ------------------------------------------------------------------------
 * Containers
 */
static void xvfio_container_release(struct kref *kref)
{
	struct xvfio_container *container =
		container_of(kref, struct xvfio_container, kref);

	WARN_ON(!list_empty(&container->groups));
	xiommu_ictx_close(container->ictx);
	kfree(container);
}

static void xvfio_container_put(struct xvfio_container *container)
{
	kref_put(&container->kref, xvfio_container_release);
}

static int xvfio_container_open(struct inode *inode, struct file *file)
{
	struct xvfio_container *container;

	container = kzalloc(sizeof(*container), GFP_KERNEL_ACCOUNT);
	if (!container)
		return -ENOMEM;
	container->ictx = xiommu_ictx_create();
	if (!container->ictx) {
		kfree(container);
		return -ENOMEM;
	}
	kref_init(&container->kref);
	init_rwsem(&container->lock);
	INIT_LIST_HEAD(&container->groups);
	file->private_data = container;
	return 0;
}

static int xvfio_container_file_release(struct inode *inode,
					struct file *file)
{
	xvfio_container_put(file->private_data);
	return 0;
}

/* VFIO_SET_IOMMU: as upstream, only with a group and only once. */
static long xvfio_container_set_iommu(struct xvfio_container *container,
				      unsigned long type)
{
	long ret;

	down_write(&container->lock);
	if (list_empty(&container->groups) || container->iommu_set) {
		ret = -EINVAL;
		goto out_unlock;
	}
	/* No IOMMU model answers for any other type. */
	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = xiommu_vfio_ioctl(container->ictx, VFIO_SET_IOMMU, type);
	if (!ret)
		container->iommu_set = true;
out_unlock:
	up_write(&container->lock);
	return ret;
}

static long xvfio_container_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	struct xvfio_container *container = file->private_data;
	long ret;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		down_read(&container->lock);
		/* Upstream type1 without an IOMMU model: no coherency claim. */
		if (!container->iommu_set && arg == VFIO_DMA_CC_IOMMU)
			ret = 0;
		else
			ret = xiommu_vfio_ioctl(container->ictx, cmd, arg);
		up_read(&container->lock);
		return ret;
	case VFIO_SET_IOMMU:
		return xvfio_container_set_iommu(container, arg);
	default:
		/* Everything else goes to the IOMMU model, once there is one. */
		down_read(&container->lock);
		if (container->iommu_set)
			ret = xiommu_vfio_ioctl(container->ictx, cmd, arg);
		else
			ret = -EINVAL;
		up_read(&container->lock);
		return ret;
	}
}

static const struct file_operations xvfio_container_fops = {
	.owner		= THIS_MODULE,
	.open		= xvfio_container_open,
	.release	= xvfio_container_file_release,
	.unlocked_ioctl	= xvfio_container_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice xvfio_container_misc = {
	.minor		= VFIO_MINOR,
	.name		= "vfio",
	.nodename	= "vfio/vfio",
	.fops		= &xvfio_container_fops,
	.mode		= 0666,
};

/* Vgroup lock held. */
static int xvfio_group_attach_container(struct xvfio_group *vgroup,
					struct xvfio_container *container)
{
	int ret;

	lockdep_assert_held(&vgroup->lock);
	down_write(&container->lock);
	ret = xiommu_ictx_claim_group(container->ictx, vgroup->group,
				      xvfio_driver_name());
	if (ret)
		goto out_unlock;
	ret = xiommu_vfio_compat_ioas_create(container->ictx,
					     &container->ioas_id);
	if (ret) {
		xiommu_ictx_release_group(container->ictx, vgroup->group);
		goto out_unlock;
	}
	list_add_tail(&vgroup->container_node, &container->groups);
	kref_get(&container->kref);
	WRITE_ONCE(vgroup->container, container);
out_unlock:
	up_write(&container->lock);
	return ret;
}

/* Vgroup lock held; no device fd of the group is open. */
static void xvfio_group_detach_container(struct xvfio_group *vgroup)
{
	struct xvfio_container *container = vgroup->container;

	lockdep_assert_held(&vgroup->lock);
	WARN_ON(vgroup->devices_open);
	down_write(&container->lock);
	list_del(&vgroup->container_node);
	xiommu_ictx_release_group(container->ictx, vgroup->group);
	/* The last group takes the IOMMU model and its mappings along. */
	if (list_empty(&container->groups) && container->iommu_set) {
		xiommu_vfio_compat_reset(container->ictx);
		container->iommu_set = false;
	}
	up_write(&container->lock);
	WRITE_ONCE(vgroup->container, NULL);
	xvfio_container_put(container);
}

/* ------------------------------------------------------------------------
 * Groups
 */
static const struct file_operations xvfio_group_fops;

/* Has the last device left the group (its node is gone)? */
static bool xvfio_group_dead(struct xvfio_group *vgroup)
{
	bool dead;

	mutex_lock(&xvfio_groups_lock);
	dead = list_empty(&vgroup->devices);
	mutex_unlock(&xvfio_groups_lock);
	return dead;
}

static int xvfio_group_open(struct inode *inode, struct file *file)
{
	struct xvfio_group *vgroup =
		container_of(inode->i_cdev, struct xvfio_group, cdev);
	int ret = 0;

	mutex_lock(&vgroup->lock);
	if (xvfio_group_dead(vgroup))
		ret = -ENODEV;
	else if (vgroup->opened_file)
		ret = -EBUSY;	/* one open group fd, as upstream */
	if (!ret) {
		vgroup->opened_file = file;
		get_device(&vgroup->dev);
		file->private_data = vgroup;
	}
	mutex_unlock(&vgroup->lock);
	return ret;
}

static int xvfio_group_release(struct inode *inode, struct file *file)
{
	struct xvfio_group *vgroup = file->private_data;

	/* Device fds hold this file: none is open any more. */
	mutex_lock(&vgroup->lock);
	if (vgroup->container)
		xvfio_group_detach_container(vgroup);
	vgroup->opened_file = NULL;
	mutex_unlock(&vgroup->lock);
	put_device(&vgroup->dev);
	return 0;
}

static long xvfio_group_get_status(struct xvfio_group *vgroup,
				   void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_group_status, flags);
	struct vfio_group_status status;
	int ret = 0;

	if (copy_from_user(&status, uarg, minsz))
		return -EFAULT;
	if (status.argsz < minsz)
		return -EINVAL;

	status.flags = 0;
	mutex_lock(&vgroup->lock);
	if (xvfio_group_dead(vgroup))
		ret = -ENODEV;
	else if (vgroup->container)
		status.flags = VFIO_GROUP_FLAGS_VIABLE |
			       VFIO_GROUP_FLAGS_CONTAINER_SET;
	else if (xiommu_group_viable(vgroup->group, NULL))
		status.flags = VFIO_GROUP_FLAGS_VIABLE;
	mutex_unlock(&vgroup->lock);
	if (ret)
		return ret;
	return copy_to_user(uarg, &status, minsz) ? -EFAULT : 0;
}

static long xvfio_group_set_container(struct xvfio_group *vgroup,
				      int __user *uarg)
{
	struct fd f;
	long ret;
	int fd;

	if (get_user(fd, uarg))
		return -EFAULT;
	f = fdget(fd);
	if (!f.file)
		return -EBADF;

	mutex_lock(&vgroup->lock);
	if (vgroup->container)
		ret = -EINVAL;
	else if (xvfio_group_dead(vgroup))
		ret = -ENODEV;
	else if (f.file->f_op != &xvfio_container_fops)
		ret = -EINVAL;
	else
		ret = xvfio_group_attach_container(vgroup,
						   f.file->private_data);
	mutex_unlock(&vgroup->lock);
	fdput(f);
	return ret;
}

static long xvfio_group_unset_container(struct xvfio_group *vgroup)
{
	long ret = 0;

	mutex_lock(&vgroup->lock);
	if (!vgroup->container)
		ret = -EINVAL;
	else if (vgroup->devices_open)
		ret = -EBUSY;
	else
		xvfio_group_detach_container(vgroup);
	mutex_unlock(&vgroup->lock);
	return ret;
}

static long xvfio_group_get_device_fd(struct xvfio_group *vgroup,
				      char __user *uarg)
{
	struct xvfio_container *container;
	struct xvfio_device *vdev = NULL;
	struct xvfio_group_dev *gdev;
	struct file *file;
	char *name;
	int fd;
	long ret;

	name = strndup_user(uarg, PAGE_SIZE);
	if (IS_ERR(name))
		return PTR_ERR(name);

	mutex_lock(&vgroup->lock);
	/* Removal may run now: vfio_pci.c revokes what we open after it. */
	mutex_lock(&xvfio_groups_lock);
	list_for_each_entry(gdev, &vgroup->devices, node) {
		if (!strcmp(pci_name(gdev->pdev), name)) {
			vdev = gdev->vdev;
			xvfio_device_hold(vdev);
			break;
		}
	}
	mutex_unlock(&xvfio_groups_lock);
	ret = -ENODEV;
	if (!vdev)
		goto out_unlock;

	container = vgroup->container;
	/* Needs a container with an IOMMU model, as upstream. */
	if (!container) {
		ret = -EINVAL;
		goto out_unlock;
	}
	down_read(&container->lock);
	if (!container->iommu_set) {
		ret = -EINVAL;
		goto out_unlock_container;
	}

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_unlock_container;
	}
	file = xvfio_device_open_bound(vdev, container->ictx,
				       container->ioas_id, vgroup);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto out_unlock_container;
	}
	/* The device fd keeps the group fd, and so its container, open. */
	get_file(vgroup->opened_file);
	vgroup->devices_open++;
	fd_install(fd, file);
	ret = fd;

out_unlock_container:
	up_read(&container->lock);
out_unlock:
	mutex_unlock(&vgroup->lock);
	if (vdev)
		xvfio_device_put(vdev);
	kfree(name);
	return ret;
}

/**
 * xvfio_group_device_closed() - a device fd from
 *	VFIO_GROUP_GET_DEVICE_FD was released (its binding already undone)
 * @vgroup: the group it came from
 */
void xvfio_group_device_closed(struct xvfio_group *vgroup)
{
	struct file *file;

	mutex_lock(&vgroup->lock);
	WARN_ON(!vgroup->devices_open);
	vgroup->devices_open--;
	file = vgroup->opened_file;
	mutex_unlock(&vgroup->lock);
	fput(file);
}

static long xvfio_group_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct xvfio_group *vgroup = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GROUP_GET_STATUS:
		return xvfio_group_get_status(vgroup, uarg);
	case VFIO_GROUP_SET_CONTAINER:
		return xvfio_group_set_container(vgroup, uarg);
	case VFIO_GROUP_UNSET_CONTAINER:
		return xvfio_group_unset_container(vgroup);
	case VFIO_GROUP_GET_DEVICE_FD:
		return xvfio_group_get_device_fd(vgroup, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations xvfio_group_fops = {
	.owner		= THIS_MODULE,
	.open		= xvfio_group_open,
	.release	= xvfio_group_release,
	.unlocked_ioctl	= xvfio_group_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

bool xvfio_group_file_owns_dev(struct file *file, struct pci_dev *pdev)
{
	struct xvfio_group *vgroup;
	struct xiommu_group *group;
	bool owns;

	if (file->f_op != &xvfio_group_fops)
		return false;
	vgroup = file->private_data;
	group = xiommu_dev_group_get(&pdev->dev);
	if (!group)
		return false;
	/*
	 * Unlocked: callers may hold device locks that rank below
	 * vgroup->lock. The caller holds @file, so the group stays set to
	 * its container unless user space unsets it concurrently, which
	 * gives up the proof anyway.
	 */
	owns = READ_ONCE(vgroup->container) && vgroup->group == group;
	xiommu_dev_group_put(group);
	return owns;
}

static void xvfio_group_dev_release(struct device *dev)
{
	struct xvfio_group *vgroup = container_of(dev, struct xvfio_group,
						  dev);

	WARN_ON(!list_empty(&vgroup->devices) || vgroup->container);
	ida_free(&xvfio_group_ida, MINOR(dev->devt));
	xiommu_dev_group_put(vgroup->group);
	mutex_destroy(&vgroup->lock);
	kfree(vgroup);
}

/* Make and register /dev/vfio/N; takes over the group reference. */
static struct xvfio_group *xvfio_group_create(struct xiommu_group *group)
{
	struct xvfio_group *vgroup;
	int minor, ret;

	vgroup = kzalloc(sizeof(*vgroup), GFP_KERNEL);
	if (!vgroup) {
		xiommu_dev_group_put(group);
		return ERR_PTR(-ENOMEM);
	}
	minor = ida_alloc_max(&xvfio_group_ida, MINORMASK, GFP_KERNEL);
	if (minor < 0) {
		kfree(vgroup);
		xiommu_dev_group_put(group);
		return ERR_PTR(minor);
	}
	vgroup->group = group;
	mutex_init(&vgroup->lock);
	INIT_LIST_HEAD(&vgroup->devices);

	/* From here on put_device() frees vgroup, its minor and group ref. */
	device_initialize(&vgroup->dev);
	vgroup->dev.class = xvfio_group_class;
	vgroup->dev.devt = MKDEV(MAJOR(xvfio_group_devt), minor);
	vgroup->dev.release = xvfio_group_dev_release;
	ret = dev_set_name(&vgroup->dev, "%d", xiommu_group_number(group));
	if (ret)
		goto err_put;
	cdev_init(&vgroup->cdev, &xvfio_group_fops);
	vgroup->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&vgroup->cdev, &vgroup->dev);
	if (ret)
		goto err_put;
	return vgroup;

err_put:
	put_device(&vgroup->dev);
	return ERR_PTR(ret);
}

/**
 * xvfio_group_add_device() - a device was bound to xiommu-vfio-pci
 * @vdev: the device's state in vfio_pci.c
 * @pdev: the PCI device
 *
 * Adds the device to its group's node, creating /dev/vfio/N for the first
 * device of the group. A device no xiommu unit translates, or any failure
 * here, leaves it reachable through its cdev only (logged).
 *
 * Context: probe (device lock held).
 */
void xvfio_group_add_device(struct xvfio_device *vdev, struct pci_dev *pdev)
{
	struct xvfio_group *vgroup, *cur;
	struct xvfio_group_dev *gdev;
	struct xiommu_group *group;

	if (!xvfio_legacy_enabled)
		return;
	group = xiommu_dev_group_get(&pdev->dev);
	if (!group)
		return;
	gdev = kzalloc(sizeof(*gdev), GFP_KERNEL);
	if (!gdev) {
		xiommu_dev_group_put(group);
		goto err_log;
	}
	gdev->vdev = vdev;
	gdev->pdev = pdev;

	mutex_lock(&xvfio_groups_lock);
	vgroup = NULL;
	list_for_each_entry(cur, &xvfio_groups, node) {
		if (cur->group == group) {
			vgroup = cur;
			break;
		}
	}
	if (vgroup) {
		xiommu_dev_group_put(group);
	} else {
		vgroup = xvfio_group_create(group);
		if (IS_ERR(vgroup)) {
			mutex_unlock(&xvfio_groups_lock);
			kfree(gdev);
			goto err_log;
		}
		list_add(&vgroup->node, &xvfio_groups);
	}
	list_add_tail(&gdev->node, &vgroup->devices);
	mutex_unlock(&xvfio_groups_lock);
	return;

err_log:
	pci_warn(pdev, "no legacy VFIO group node for this device (out of memory); its cdev works\n");
}

/**
 * xvfio_group_del_device() - a device is being unbound from
 *	xiommu-vfio-pci
 * @vdev: the device's state in vfio_pci.c
 *
 * After this the group fd cannot open the device any more; the device fds
 * already open are revoked by vfio_pci.c. The last device of a group
 * removes /dev/vfio/N; group fds still open then fail with ENODEV.
 *
 * Context: remove (device lock held).
 */
void xvfio_group_del_device(struct xvfio_device *vdev)
{
	struct xvfio_group *vgroup, *dead = NULL;
	struct xvfio_group_dev *gdev, *found = NULL;

	mutex_lock(&xvfio_groups_lock);
	list_for_each_entry(vgroup, &xvfio_groups, node) {
		list_for_each_entry(gdev, &vgroup->devices, node) {
			if (gdev->vdev == vdev) {
				found = gdev;
				break;
			}
		}
		if (found) {
			list_del(&found->node);
			if (list_empty(&vgroup->devices))
				dead = vgroup;
			break;
		}
	}
	/*
	 * /dev/vfio/N goes before the lock is dropped: a member of the same
	 * group probing right after us creates a new node of the same name
	 * (unbinding one member of a group while binding another raced here:
	 * "cannot create duplicate filename").
	 */
	if (dead) {
		list_del(&dead->node);
		cdev_device_del(&dead->cdev, &dead->dev);
	}
	mutex_unlock(&xvfio_groups_lock);

	kfree(found);
	if (dead)
		put_device(&dead->dev);
}

static char *xvfio_group_devnode(struct device *dev, umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "vfio/%s", dev_name(dev));
}

/*
 * The module names user space probes for VFIO. DPDK 22.11 enables its
 * VFIO support only if /sys/module/vfio and /sys/module/vfio_pci exist
 * (rte_eal_check_module() in EAL, pci_vfio_is_enabled() in its PCI bus
 * driver), the directories the kernel's vfio and vfio_pci modules have.
 * While this module serves the legacy API it presents both names as
 * empty directories in /sys/module (Documentation/vfio.md, "Module
 * names"). kmod then sees vfio and vfio_pci as built in, so a
 * `modprobe vfio-pci` does not load the kernel's modules, which could not
 * work next to ours anyway.
 */
static const char * const xvfio_module_names[] = { "vfio", "vfio_pci" };
static struct kobject *xvfio_module_kobjs[ARRAY_SIZE(xvfio_module_names)];

static void xvfio_module_kobj_release(struct kobject *kobj)
{
	kfree(kobj);
}

static struct kobj_type xvfio_module_ktype = {
	.release = xvfio_module_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

static void xvfio_module_names_del(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xvfio_module_kobjs); i++) {
		if (xvfio_module_kobjs[i])
			kobject_put(xvfio_module_kobjs[i]);
		xvfio_module_kobjs[i] = NULL;
	}
}

/* Best effort: a name already there (a loaded module) is left alone. */
static void xvfio_module_names_add(void)
{
	struct kset *module_kset = THIS_MODULE->mkobj.kobj.kset;
	struct kobject *kobj;
	unsigned int i;

	if (!module_kset)
		return;
	for (i = 0; i < ARRAY_SIZE(xvfio_module_names); i++) {
		kobj = kset_find_obj(module_kset, xvfio_module_names[i]);
		if (kobj) {
			pr_info("/sys/module/%s exists already: left alone\n",
				xvfio_module_names[i]);
			kobject_put(kobj);
			continue;
		}
		kobj = kzalloc(sizeof(*kobj), GFP_KERNEL);
		if (!kobj)
			break;
		kobject_init(kobj, &xvfio_module_ktype);
		kobj->kset = module_kset;
		if (kobject_add(kobj, NULL, "%s", xvfio_module_names[i])) {
			kobject_put(kobj);
			continue;
		}
		xvfio_module_kobjs[i] = kobj;
	}
}

/**
 * xvfio_group_init() - set up the legacy API
 *
 * If /dev/vfio/vfio is taken (the kernel's own vfio module is loaded),
 * the legacy API stays off and only the device cdevs work.
 *
 * Return: 0 or a negative errno (module load fails).
 */
int xvfio_group_init(void)
{
	int ret;

	xvfio_mnt = kern_mount(&xvfio_fs_type);
	if (IS_ERR(xvfio_mnt))
		return PTR_ERR(xvfio_mnt);

	ret = misc_register(&xvfio_container_misc);
	if (ret == -EBUSY) {
		pr_warn("/dev/vfio/vfio belongs to another driver (the kernel's vfio module?): legacy VFIO API (/dev/vfio/vfio, /dev/vfio/N) off, device cdevs /dev/vfio/devices/vfioN (class xiommu-vfio-dev) work; see Documentation/vfio.md\n");
		return 0;
	}
	if (ret)
		goto err_unmount;

	ret = alloc_chrdev_region(&xvfio_group_devt, 0, MINORMASK + 1,
				  "xiommu-vfio-group");
	if (ret)
		goto err_misc;
	xvfio_group_class = class_create(THIS_MODULE, "xiommu-vfio-group");
	if (IS_ERR(xvfio_group_class)) {
		ret = PTR_ERR(xvfio_group_class);
		goto err_chrdev;
	}
	xvfio_group_class->devnode = xvfio_group_devnode;
	xvfio_legacy_enabled = true;
	xvfio_module_names_add();
	return 0;

err_chrdev:
	unregister_chrdev_region(xvfio_group_devt, MINORMASK + 1);
err_misc:
	misc_deregister(&xvfio_container_misc);
err_unmount:
	kern_unmount(xvfio_mnt);
	return ret;
}

/**
 * xvfio_group_legacy_enabled() - does this module serve /dev/vfio/vfio
 *
 * Return: false when the kernel's own vfio had /dev/vfio/vfio first.
 */
bool xvfio_group_legacy_enabled(void)
{
	return xvfio_legacy_enabled;
}

/** xvfio_group_exit() - undo xvfio_group_init(), after every device left */
void xvfio_group_exit(void)
{
	if (xvfio_legacy_enabled) {
		xvfio_module_names_del();
		class_destroy(xvfio_group_class);
		unregister_chrdev_region(xvfio_group_devt, MINORMASK + 1);
		misc_deregister(&xvfio_container_misc);
	}
	kern_unmount(xvfio_mnt);
	ida_destroy(&xvfio_group_ida);
}

/**
 * xvfio_group_id() - the group number user space knows @pdev's group by
 *	(the basename of /sys/bus/pci/devices/BDF/iommu_group)
 * @pdev: a PCI device
 *
 * Return: the group number, or -ENODEV if @pdev has no xiommu group.
 */
int xvfio_group_id(struct pci_dev *pdev)
{
	struct xiommu_group *group = xiommu_dev_group_get(&pdev->dev);
	int id;

	if (!group)
		return -ENODEV;
	id = xiommu_group_number(group);
	xiommu_dev_group_put(group);
	return id;
}
