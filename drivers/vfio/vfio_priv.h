/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces between the files of xiommu_vfio_pci.ko:
 *   vfio_pci.c  the vfio-pci-style device (regions, config, IRQs, reset)
 *   group.c     the legacy VFIO group API (/dev/vfio/N)
 */
#ifndef XIOMMU_VFIO_PRIV_H
#define XIOMMU_VFIO_PRIV_H

#include <linux/fs.h>
#include <linux/types.h>

struct file;
struct pci_dev;
struct xiommu_ictx;
struct xvfio_device;
struct xvfio_group;

/**
 * xvfio_group_file_owns_dev() - is @file a group fd that proves ownership
 *	of @pdev (VFIO_DEVICE_PCI_HOT_RESET's group-fd form)?
 * @file: a file user space passed in
 * @pdev: a device the reset would affect
 *
 * Return: true if @file is an open /dev/vfio/N group fd, set to a
 * container, whose group contains @pdev.
 */
bool xvfio_group_file_owns_dev(struct file *file, struct pci_dev *pdev);

/**
 * xvfio_group_id() - the group number user space knows @pdev's group by
 *	(the basename of /sys/bus/pci/devices/BDF/iommu_group)
 * @pdev: a PCI device
 *
 * Used by VFIO_DEVICE_GET_PCI_HOT_RESET_INFO on a device fd opened through
 * a group.
 *
 * Return: the group number, or -ENODEV if @pdev has no xiommu group.
 */
int xvfio_group_id(struct pci_dev *pdev);

/* group.c, for vfio_pci.c (kernel-doc in group.c) */
int xvfio_group_init(void);
bool xvfio_group_legacy_enabled(void);
void xvfio_group_exit(void);
void xvfio_group_add_device(struct xvfio_device *vdev, struct pci_dev *pdev);
void xvfio_group_del_device(struct xvfio_device *vdev);
void xvfio_group_device_closed(struct xvfio_group *vgroup);
struct file *xvfio_pseudo_file(const struct file_operations *fops,
			       void *priv, const char *name);

/* vfio_pci.c, for group.c (kernel-doc in vfio_pci.c) */
const char *xvfio_driver_name(void);
void xvfio_device_hold(struct xvfio_device *vdev);
void xvfio_device_put(struct xvfio_device *vdev);
struct file *xvfio_device_open_bound(struct xvfio_device *vdev,
				     struct xiommu_ictx *ictx, u32 ioas_id,
				     struct xvfio_group *vgroup);

#endif /* XIOMMU_VFIO_PRIV_H */
