/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xiommu consumer API: what device drivers that hand devices to user space
 * (drivers/vfio, later mdev-style software devices) use to connect a device
 * to an iommufd context (/dev/iommu file).
 *
 * Mirrors the upstream in-kernel iommufd device API in meaning; the names are
 * ours (xiommu_ prefix).
 *
 * Typical use by a vfio-style driver:
 *   ictx = xiommu_ictx_from_fd(fd);            VFIO_DEVICE_BIND_IOMMUFD
 *   idev = xiommu_idev_bind(ictx, dev, &devid);
 *   xiommu_ictx_put(ictx);                      (idev keeps its own ref)
 *   xiommu_idev_attach(idev, &pt_id);           VFIO_DEVICE_ATTACH_IOMMUFD_PT
 *   xiommu_idev_detach(idev);                   VFIO_DEVICE_DETACH_IOMMUFD_PT
 *   xiommu_idev_unbind(idev);                   close of the device fd
 */
#ifndef XIOMMU_XIOMMU_H
#define XIOMMU_XIOMMU_H

#include <linux/types.h>

struct device;
struct file;
struct xiommu_ictx;
struct xiommu_idev;

struct xiommu_ictx *xiommu_ictx_from_fd(int fd);
struct xiommu_ictx *xiommu_ictx_from_file(struct file *file);
void xiommu_ictx_put(struct xiommu_ictx *ictx);

struct xiommu_idev *xiommu_idev_bind(struct xiommu_ictx *ictx,
				     struct device *dev, u32 *id);
void xiommu_idev_unbind(struct xiommu_idev *idev);
int xiommu_idev_attach(struct xiommu_idev *idev, u32 *pt_id);
void xiommu_idev_detach(struct xiommu_idev *idev);
struct xiommu_ictx *xiommu_idev_ictx(struct xiommu_idev *idev);

/*
 * Test support, used only by xiommu_mock (IOMMU_TEST_CMD). The core's
 * dispatch table forwards IOMMU_TEST_CMD to the registered test ops; with
 * none registered the ioctl is ENOTTY, as on an upstream kernel built
 * without CONFIG_IOMMUFD_TEST.
 */
struct xiommu_domain;

/**
 * struct xiommu_test_ops - IOMMU_TEST_CMD handler
 * @owner: module to pin while a call is in flight
 * @cmd: handle one IOMMU_TEST_CMD; @uarg is the user pointer passed to
 *	ioctl(), @usize the struct's leading __u32 size field (already read
 *	by the core). Returns 0 or a negative errno given back to user space.
 */
struct xiommu_test_ops {
	struct module *owner;
	int (*cmd)(struct xiommu_ictx *ictx, void __user *uarg, u32 usize);
};

int xiommu_test_register(const struct xiommu_test_ops *ops);
void xiommu_test_unregister(const struct xiommu_test_ops *ops);

/*
 * External objects: a user-visible iommufd object (an id in the context's
 * object table, destroyable with IOMMU_DESTROY, destroyed on close) whose
 * meaning belongs to another module (the mock's selftest device objects).
 * @destroy runs exactly once, with no core locks held, when the object
 * goes away; the core pins @owner while the object exists.
 */
struct xiommu_ext_obj_ops {
	struct module *owner;
	void (*destroy)(void *priv);
};

int xiommu_ext_obj_alloc(struct xiommu_ictx *ictx,
			 const struct xiommu_ext_obj_ops *ops, void *priv,
			 u32 *id);
void *xiommu_ext_obj_get(struct xiommu_ictx *ictx, u32 id,
			 const struct xiommu_ext_obj_ops *ops);
void xiommu_ext_obj_put(struct xiommu_ictx *ictx, u32 id);

int xiommu_test_add_reserved(struct xiommu_ictx *ictx, u32 ioas_id,
			     u64 start, u64 length);

struct xiommu_domain *xiommu_hwpt_domain_get(struct xiommu_ictx *ictx,
					     u32 hwpt_id);
void xiommu_hwpt_domain_put(struct xiommu_ictx *ictx, u32 hwpt_id);

#endif /* XIOMMU_XIOMMU_H */
