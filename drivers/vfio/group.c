// SPDX-License-Identifier: GPL-2.0-only
/*
 * The legacy VFIO group API (/dev/vfio/N). Placeholder until the group
 * layer lands: no file is a group fd yet.
 */
#include <linux/errno.h>

#include "vfio_priv.h"

bool xvfio_group_file_owns_dev(struct file *file, struct pci_dev *pdev)
{
	return false;
}

int xvfio_group_id(struct pci_dev *pdev)
{
	return -ENODEV;
}
