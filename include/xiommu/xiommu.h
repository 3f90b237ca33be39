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
 *   xiommu_idev_pasid_attach/_replace/_detach   the same with VFIO_DEVICE_*_PASID
 *   xiommu_idev_unbind(idev);                   close of the device fd
 */
#ifndef XIOMMU_XIOMMU_H
#define XIOMMU_XIOMMU_H

#include <linux/bits.h>
#include <linux/types.h>

struct device;
struct file;
struct page;
struct xiommu_access;
struct xiommu_group;
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
int xiommu_idev_pasid_attach(struct xiommu_idev *idev, u32 pasid, u32 *pt_id);
int xiommu_idev_pasid_replace(struct xiommu_idev *idev, u32 pasid, u32 *pt_id);
void xiommu_idev_pasid_detach(struct xiommu_idev *idev, u32 pasid);
bool xiommu_idev_pasid_attached(struct xiommu_idev *idev, u32 pasid);
struct xiommu_ictx *xiommu_idev_ictx(struct xiommu_idev *idev);

/*
 * Contexts without a /dev/iommu file, whole groups and the VFIO type1
 * ioctls: what a legacy VFIO container (/dev/vfio/vfio) and its groups
 * (/dev/vfio/N) are built from. Kernel-doc with each function.
 *   container open:        ictx = xiommu_ictx_create();
 *   VFIO_GROUP_SET_CONTAINER:
 *                           group = xiommu_dev_group_get(dev);
 *                           xiommu_ictx_claim_group(ictx, group, drv);
 *                           xiommu_vfio_compat_ioas_create(ictx, &ioas_id);
 *   container ioctls:      xiommu_vfio_ioctl(ictx, cmd, arg);
 *   VFIO_GROUP_GET_DEVICE_FD:
 *                           idev = xiommu_idev_bind(ictx, dev, &devid);
 *                           xiommu_idev_attach(idev, &ioas_id);
 *   VFIO_GROUP_GET_STATUS: xiommu_group_viable(group, ictx);
 *   last group leaves:     xiommu_ictx_release_group(ictx, group);
 *                           xiommu_vfio_compat_reset(ictx);
 *   container close:       xiommu_ictx_close(ictx);
 * A group's number (xiommu_group_number()) is the basename of its members'
 * sysfs iommu_group link (Documentation/groups.md).
 */
struct xiommu_ictx *xiommu_ictx_create(void);
void xiommu_ictx_close(struct xiommu_ictx *ictx);

struct xiommu_group *xiommu_dev_group_get(struct device *dev);
void xiommu_dev_group_put(struct xiommu_group *group);
int xiommu_group_number(struct xiommu_group *group);
bool xiommu_group_viable(struct xiommu_group *group, struct xiommu_ictx *ictx);
int xiommu_ictx_claim_group(struct xiommu_ictx *ictx,
			    struct xiommu_group *group, const char *guard);
void xiommu_ictx_release_group(struct xiommu_ictx *ictx,
			       struct xiommu_group *group);

int xiommu_vfio_compat_ioas_create(struct xiommu_ictx *ictx, u32 *ioas_id);
void xiommu_vfio_compat_reset(struct xiommu_ictx *ictx);
long xiommu_vfio_ioctl(struct xiommu_ictx *ictx, unsigned int cmd,
		       unsigned long arg);

/*
 * Access objects: the in-kernel API for software and emulated devices
 * (mdev-style) that reach an IOAS without an IOMMU. Such a device pins the
 * pages behind IOVAs to use them directly, or copies to and from IOVA.
 * Typical use:
 *   access = xiommu_access_create(ictx, &ops, priv, &id);
 *   xiommu_access_attach(access, ioas_id);
 *   xiommu_access_pin_pages(access, iova, len, pages, XIOMMU_ACCESS_RW_WRITE);
 *   ... ops->unmap(priv, iova, len) may come: unpin what it covers ...
 *   xiommu_access_unpin_pages(access, iova, len);
 *   xiommu_access_rw(access, iova, buf, len, 0);
 *   xiommu_access_destroy(access);
 * Locking rule for drivers: ops->unmap is called with no xiommu lock held
 * and must not return before the pages of the range are unpinned; it may
 * take the driver's own lock that the driver also holds around
 * xiommu_access_pin_pages().
 */

/* Flags of xiommu_access_pin_pages() and xiommu_access_rw() */
#define XIOMMU_ACCESS_RW_WRITE		BIT(0)	/* the caller writes */
#define XIOMMU_ACCESS_RW_KTHREAD	BIT(1)	/* accepted, no effect */
#define __XIOMMU_ACCESS_RW_SLOW_PATH	BIT(2)	/* test: never copy directly */

/**
 * struct xiommu_access_ops - what an access object's driver provides
 * @needs_pin_pages: the driver calls xiommu_access_pin_pages(); while it
 *	is attached, IOVAs, lengths and memory offsets of the IOAS's
 *	mappings must be multiples of PAGE_SIZE
 * @unmap: [@iova, @iova + @length) is about to be unmapped: unpin every
 *	pin made inside it before returning (an unmap fails with EBUSY
 *	otherwise). Required with @needs_pin_pages; called without xiommu
 *	locks held, also with (0, ULONG_MAX) when the access leaves its IOAS.
 */
struct xiommu_access_ops {
	u8 needs_pin_pages : 1;
	void (*unmap)(void *data, unsigned long iova, unsigned long length);
};

struct xiommu_access *xiommu_access_create(struct xiommu_ictx *ictx,
					   const struct xiommu_access_ops *ops,
					   void *data, u32 *id);
void xiommu_access_destroy(struct xiommu_access *access);
int xiommu_access_attach(struct xiommu_access *access, u32 ioas_id);
int xiommu_access_replace(struct xiommu_access *access, u32 ioas_id);
void xiommu_access_detach(struct xiommu_access *access);
int xiommu_access_pin_pages(struct xiommu_access *access, unsigned long iova,
			    unsigned long length, struct page **out_pages,
			    unsigned int flags);
void xiommu_access_unpin_pages(struct xiommu_access *access,
			       unsigned long iova, unsigned long length);
int xiommu_access_rw(struct xiommu_access *access, unsigned long iova,
		     void *data, size_t length, unsigned int flags);

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
 * Created in two steps like every object: xiommu_ext_obj_alloc() reserves
 * the id (invisible to user space), then xiommu_ext_obj_finalize() makes it
 * visible or xiommu_ext_obj_abort() frees it without calling @destroy.
 * @destroy runs exactly once for a finalized object, with no core locks
 * held, when it goes away; the core pins @owner while the object exists.
 */
struct xiommu_ext_obj_ops {
	struct module *owner;
	void (*destroy)(void *priv);
};

struct xiommu_ext_obj;

struct xiommu_ext_obj *xiommu_ext_obj_alloc(struct xiommu_ictx *ictx,
					    const struct xiommu_ext_obj_ops *ops,
					    void *priv, u32 *id);
void xiommu_ext_obj_finalize(struct xiommu_ictx *ictx,
			     struct xiommu_ext_obj *ext);
void xiommu_ext_obj_abort(struct xiommu_ictx *ictx,
			  struct xiommu_ext_obj *ext);
void *xiommu_ext_obj_get(struct xiommu_ictx *ictx, u32 id,
			 const struct xiommu_ext_obj_ops *ops);
void xiommu_ext_obj_put(struct xiommu_ictx *ictx, u32 id);

int xiommu_test_add_reserved(struct xiommu_ictx *ictx, u32 ioas_id,
			     u64 start, u64 length);
int xiommu_test_set_temp_memory_limit(u32 limit);
int xiommu_test_trigger_iopf(struct xiommu_ictx *ictx, u32 idev_id, u32 pasid,
			     u32 grpid, u32 perm, u64 addr);
int xiommu_test_access_syz_iova(struct xiommu_access *access, u64 *iova);

struct xiommu_domain *xiommu_hwpt_domain_get(struct xiommu_ictx *ictx,
					     u32 hwpt_id);
void xiommu_hwpt_domain_put(struct xiommu_ictx *ictx, u32 hwpt_id);
struct xiommu_domain *xiommu_hwpt_nested_domain_get(struct xiommu_ictx *ictx,
						    u32 hwpt_id);
struct device *xiommu_idev_device_get(struct xiommu_ictx *ictx, u32 idev_id);
void xiommu_idev_device_put(struct xiommu_ictx *ictx, u32 idev_id);

#endif /* XIOMMU_XIOMMU_H */
