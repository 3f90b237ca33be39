/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * VFIO device cdev ioctls (/dev/vfio/devices/vfioN) for kernels whose
 * <linux/vfio.h> predates them.
 *
 * Linux 6.6 added the per-device character device and three ioctls that
 * connect a device fd to an iommufd context without going through a VFIO
 * group or container. Debian 12's 6.1 <linux/vfio.h> has the region and
 * info ioctls but not these. The numbers and struct layouts below are the
 * v6.6 uAPI exactly, so a program built against a newer <linux/vfio.h>
 * works unchanged with xiommu_vfio_pci; each definition is skipped when the
 * system header already provides it. (Later kernels append PASID fields to
 * the attach/detach structs behind flags; xiommu implements the v6.6
 * subset: flags must be 0.)
 */

/**
 * DOC: errno meanings common to the three ioctls
 *
 * - EINVAL: @argsz smaller than the v6.6 struct, @flags not 0, a negative
 *   iommufd, the fd already bound, another fd of the same device already
 *   bound, or (ATTACH/DETACH) the fd not bound yet; also, passed through
 *   from the core at BIND, the device's DMA is not cache coherent or a
 *   device of its group needs a firmware identity mapping (a VT-d RMRR).
 *   Until BIND succeeds
 *   every other ioctl on the fd, and read/write/mmap, fail with EINVAL.
 * - EFAULT: the argument pointer is not readable or writable.
 * - EBADF: (BIND) @iommufd is not an open file descriptor; EBADFD: it is
 *   open but not a /dev/iommu file.
 * - ENODEV: the device was removed from the driver (the fd is revoked).
 * - Any other errno from BIND and ATTACH is the xiommu core's answer,
 *   passed through unchanged: e.g. EBUSY when the device's group is owned
 *   by another iommufd context or has a member bound to a kernel driver,
 *   ENODEV when no xiommu unit translates the device, EOPNOTSUPP when its
 *   IOMMU driver has not opted in to iommufd, EPERM when its MSIs cannot
 *   be isolated, ENOENT when @pt_id names no IOAS or HWPT (see
 *   xiommu_idev_bind() and xiommu_idev_attach() for the full lists).
 */
#ifndef _UAPI_XIOMMU_VFIO_CDEV_H
#define _UAPI_XIOMMU_VFIO_CDEV_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/vfio.h>

#ifndef VFIO_DEVICE_BIND_IOMMUFD
/**
 * struct vfio_device_bind_iommufd - ioctl(VFIO_DEVICE_BIND_IOMMUFD)
 * @argsz: bytes of the struct user space passes, at least 16
 * @flags: must be 0
 * @iommufd: an open /dev/iommu file descriptor; negative values (the
 *	no-IOMMU mode upstream reserves) are rejected with EINVAL
 * @out_devid: on success, the device's object id in that iommufd context;
 *	valid for IOMMU_* ioctls on @iommufd until the device fd is closed
 *
 * Connects the device fd to an iommufd context. This is the gate for all
 * device access: before it succeeds the fd allows no region access, no
 * mmap and no ioctl but this one. The first bind of a device of an IOMMU
 * group claims the whole group for the context: every member must be idle
 * or bound to a DMA-managed driver, and the group's DMA is blocked until
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT. Each fd binds at most once; closing the fd
 * unbinds (the device is quiesced first, then the group is given back).
 *
 * Source: upstream Linux v6.6 include/uapi/linux/vfio.h and
 * Documentation/driver-api/vfio.rst ("VFIO device cdev").
 *
 * Return: 0 on success, -1 with errno as in the DOC section above.
 */
struct vfio_device_bind_iommufd {
	__u32	argsz;
	__u32	flags;
	__s32	iommufd;
	__u32	out_devid;
};

#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)
#endif

#ifndef VFIO_DEVICE_ATTACH_IOMMUFD_PT
/**
 * struct vfio_device_attach_iommufd_pt - ioctl(VFIO_DEVICE_ATTACH_IOMMUFD_PT)
 * @argsz: bytes of the struct user space passes, at least 12 (16 with
 *	VFIO_DEVICE_ATTACH_PASID)
 * @flags: 0 or VFIO_DEVICE_ATTACH_PASID (others: EINVAL)
 * @pt_id: in: the id of an IOAS or HWPT of the bound iommufd context;
 *	out: the HWPT the device is now attached to (the given HWPT, or the
 *	one the kernel found or created for the given IOAS)
 * @pasid: with VFIO_DEVICE_ATTACH_PASID: the PASID to attach instead of
 *	the RID (then @pt_id must be an HWPT allocated with
 *	IOMMU_HWPT_ALLOC_PASID; an IOAS is refused)
 *
 * Makes the device's DMA (or its DMA tagged with @pasid) translate through
 * @pt_id. If the device (PASID) is already attached, the attachment is
 * replaced without a window in which DMA escapes translation. Requires a
 * bound fd. With VFIO_DEVICE_ATTACH_PASID on a device without PASID support
 * (IOMMU_GET_HW_INFO out_max_pasid_log2 0, every device under QEMU 7.2's
 * IOMMUs): EINVAL, as upstream's iommufd gives it.
 *
 * Source: upstream Linux include/uapi/linux/vfio.h (PASID since v6.15).
 *
 * Return: 0 on success, -1 with errno as in the DOC section above.
 */
struct vfio_device_attach_iommufd_pt {
	__u32	argsz;
	__u32	flags;
	__u32	pt_id;
	__u32	pasid;
};

#define VFIO_DEVICE_ATTACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 19)
#endif

#ifndef VFIO_DEVICE_ATTACH_PASID
#define VFIO_DEVICE_ATTACH_PASID	(1 << 0)
#endif

#ifndef VFIO_DEVICE_DETACH_IOMMUFD_PT
/**
 * struct vfio_device_detach_iommufd_pt - ioctl(VFIO_DEVICE_DETACH_IOMMUFD_PT)
 * @argsz: bytes of the struct user space passes, at least 8 (12 with
 *	VFIO_DEVICE_DETACH_PASID)
 * @flags: 0 or VFIO_DEVICE_DETACH_PASID (others: EINVAL)
 * @pasid: with VFIO_DEVICE_DETACH_PASID: the PASID to detach
 *
 * Undoes VFIO_DEVICE_ATTACH_IOMMUFD_PT: the device's DMA (with
 * VFIO_DEVICE_DETACH_PASID: its DMA tagged with @pasid) is blocked (never
 * passed through) until the next attach. Detaching a device or PASID that
 * is not attached succeeds and changes nothing. Requires a bound fd.
 *
 * Source: upstream Linux include/uapi/linux/vfio.h.
 *
 * Return: 0 on success, -1 with errno as in the DOC section above.
 */
struct vfio_device_detach_iommufd_pt {
	__u32	argsz;
	__u32	flags;
	__u32	pasid;
};

#define VFIO_DEVICE_DETACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 20)
#endif

#ifndef VFIO_DEVICE_DETACH_PASID
#define VFIO_DEVICE_DETACH_PASID	(1 << 0)
#endif

#ifndef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
/*
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO on a cdev-opened device (v6.6): the
 * reply's flags say devids are reported instead of group ids, and whether
 * every affected device is owned. In 6.1's <linux/vfio.h> struct
 * vfio_pci_dependent_device has only @group_id; v6.6 makes it a union with
 * @devid (same offset, same size). Use @group_id to read a devid with the
 * older header. A devid is > 0 for a device bound to the caller's iommufd
 * context, VFIO_PCI_DEVID_OWNED for one owned through its IOMMU group,
 * VFIO_PCI_DEVID_NOT_OWNED (as __u32: 0xffffffff) otherwise.
 * VFIO_DEVICE_PCI_HOT_RESET on a cdev-opened device takes count == 0 and
 * needs VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED.
 */
#define VFIO_PCI_DEVID_OWNED			0
#define VFIO_PCI_DEVID_NOT_OWNED		-1
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID		(1 << 0)
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED	(1 << 1)
#endif

#endif /* _UAPI_XIOMMU_VFIO_CDEV_H */
