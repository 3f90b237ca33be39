// SPDX-License-Identifier: GPL-2.0-only
/*
 * Groups as user space sees them, and as consumers that hand whole groups
 * to user space (the legacy VFIO group API) use them.
 *
 * Sysfs. Every group is /sys/kernel/xiommu_groups/<number>/ with a
 * devices/ directory holding one link per member, and every member gets
 * an "iommu_group" link to that directory, the link the kernel's IOMMU
 * core makes for its own groups. Programs find a device's group with
 * readlink(/sys/bus/pci/devices/<BDF>/iommu_group) and take the basename.
 *
 * Numbers. The kernel's IOMMU core numbers its groups from 0
 * (/sys/kernel/iommu_groups/N) and its VFIO names /dev/vfio/N after them.
 * Ours start at XIOMMU_GROUP_NUM_BASE so that both can exist on one host
 * without naming the same N. If a device already has an iommu_group link
 * (the kernel's IOMMU core manages it too, which xiommu's drivers should
 * not allow, but a misconfigured host may do), it is left alone and the
 * device is reachable through xiommu only by its cdev.
 *
 * Sysfs failures are logged and otherwise ignored: the group still works,
 * only the legacy lookup by link does not.
 */
#define pr_fmt(fmt) "xiommu: " fmt

#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>
#include <xiommu/xiommu.h>

#include "iommu_lite.h"

/* First user-visible group number; the kernel's own groups start at 0. */
#define XIOMMU_GROUP_NUM_BASE	10000

static struct kobject *xiommu_groups_kobj;

int xiommu_group_sysfs_init(void)
{
	xiommu_groups_kobj = kobject_create_and_add("xiommu_groups",
						    kernel_kobj);
	if (!xiommu_groups_kobj)
		pr_warn("cannot create /sys/kernel/xiommu_groups: devices will have no iommu_group link\n");
	return 0;
}

void xiommu_group_sysfs_exit(void)
{
	kobject_put(xiommu_groups_kobj);
}

/* Group mutex held. */
static void group_sysfs_create(struct xiommu_group *group)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", XIOMMU_GROUP_NUM_BASE + group->id);
	group->kobj = kobject_create_and_add(name, xiommu_groups_kobj);
	if (!group->kobj)
		goto err;
	group->devices_kobj = kobject_create_and_add("devices", group->kobj);
	if (!group->devices_kobj) {
		kobject_put(group->kobj);
		group->kobj = NULL;
		goto err;
	}
	return;
err:
	pr_warn("group %s: cannot create its sysfs directory\n", name);
}

/**
 * xiommu_group_sysfs_add() - give a new member its sysfs links
 * @group: the group @ep joined
 * @ep: the endpoint
 *
 * Context: group->mutex held.
 */
void xiommu_group_sysfs_add(struct xiommu_group *group,
			    struct xiommu_endpoint *ep)
{
	struct device *dev = ep->dev;
	int rc;

	lockdep_assert_held(&group->mutex);
	if (!xiommu_groups_kobj)
		return;
	if (!group->kobj)
		group_sysfs_create(group);
	if (!group->kobj)
		return;

	/* Devices not registered in sysfs (KUnit fakes) have no directory. */
	if (!dev->kobj.sd)
		return;
	rc = sysfs_create_link(group->devices_kobj, &dev->kobj,
			       dev_name(dev));
	if (rc)
		dev_warn(dev, "xiommu: cannot link the device into its group's sysfs directory: %d\n",
			 rc);
	rc = sysfs_create_link_nowarn(&dev->kobj, group->kobj, "iommu_group");
	if (rc == -EEXIST) {
		/* Logged once: on such a host it is every device. */
		dev_warn_once(dev, "xiommu: keeping the iommu_group link the kernel's IOMMU core made (for this and any other such device): the legacy VFIO API reaches them only through the kernel's VFIO; boot with intel_iommu=off (or the IOMMU's equivalent) to give them to xiommu\n");
	} else if (rc) {
		dev_warn(dev, "xiommu: cannot create the iommu_group link: %d\n",
			 rc);
	}
	ep->sysfs_linked = !rc;
}

/**
 * xiommu_group_sysfs_remove() - remove a leaving member's sysfs links
 * @group: the group @ep leaves
 * @ep: the endpoint
 *
 * Context: group->mutex held.
 */
void xiommu_group_sysfs_remove(struct xiommu_group *group,
			       struct xiommu_endpoint *ep)
{
	lockdep_assert_held(&group->mutex);
	if (ep->sysfs_linked)
		sysfs_remove_link(&ep->dev->kobj, "iommu_group");
	ep->sysfs_linked = false;
	if (group->devices_kobj && ep->dev->kobj.sd)
		sysfs_remove_link(group->devices_kobj, dev_name(ep->dev));
}

/**
 * xiommu_group_sysfs_release() - remove a group's sysfs directory
 * @group: a group being freed (no members left)
 */
void xiommu_group_sysfs_release(struct xiommu_group *group)
{
	kobject_put(group->devices_kobj);
	kobject_put(group->kobj);
	group->devices_kobj = NULL;
	group->kobj = NULL;
}

/* ------------------------------------------------------------------------
 * Consumer API: groups handed out whole
 */

/**
 * xiommu_dev_group_get() - the group of a device xiommu translates
 * @dev: a device
 *
 * Return: the group with a reference (drop it with xiommu_dev_group_put()),
 * or NULL if no xiommu unit translates @dev.
 */
struct xiommu_group *xiommu_dev_group_get(struct device *dev)
{
	return xiommu_group_get(dev);
}
EXPORT_SYMBOL_GPL(xiommu_dev_group_get);

/**
 * xiommu_dev_group_put() - drop a reference from xiommu_dev_group_get()
 * @group: the group
 *
 * Context: may sleep.
 */
void xiommu_dev_group_put(struct xiommu_group *group)
{
	xiommu_group_put(group);
}
EXPORT_SYMBOL_GPL(xiommu_dev_group_put);

/**
 * xiommu_group_number() - the number user space knows a group by
 * @group: a group
 *
 * Return: the basename of the members' sysfs iommu_group link, the N of
 * /sys/kernel/xiommu_groups/N; never a number the kernel's own IOMMU core
 * gives its groups (those start at 0, ours at 10000).
 */
int xiommu_group_number(struct xiommu_group *group)
{
	return XIOMMU_GROUP_NUM_BASE + group->id;
}
EXPORT_SYMBOL_GPL(xiommu_group_number);

/**
 * xiommu_group_viable() - could @ictx own @group
 * @group: a group
 * @ictx: a context
 *
 * The check xiommu_ictx_claim_group() and xiommu_idev_bind() make
 * (Documentation/groups.md): no other context owns the group, no member
 * is driven by a kernel driver that does DMA on its own, no member needs a
 * firmware-required identity mapping. The answer may change as soon as it
 * is returned (drivers bind and unbind); only a claim holds it.
 *
 * Return: true if the group is viable for @ictx or already owned by it.
 */
bool xiommu_group_viable(struct xiommu_group *group, struct xiommu_ictx *ictx)
{
	return xiommu_group_viable_for(group, ictx);
}
EXPORT_SYMBOL_GPL(xiommu_group_viable);

/**
 * xiommu_ictx_claim_group() - make @ictx the DMA owner of a whole group
 * @ictx: the context
 * @group: the group
 * @guard: the owner's policy for idle members while owned: the name of the
 *	DMA-managing driver written to their driver_override (the consumer's
 *	own driver), or NULL for none (Documentation/groups.md, "Ownership")
 *
 * What a VFIO container does when a group is set to it: the group moves to
 * the blocking domain (no DMA) and becomes @ictx's, as if a device of it
 * had been bound with xiommu_idev_bind(); devices of the group bound to
 * @ictx later join the claim, and no other context can bind any member
 * until xiommu_ictx_release_group(). Claims nest: each must be released.
 *
 * Context: may sleep.
 * Return: 0; -EBUSY another context owns the group or a member is driven
 * by a kernel driver that does DMA on its own; -EINVAL a member needs a
 * firmware-required identity mapping (a VT-d RMRR); -ENODEV the IOMMU
 * driver is going away; an attach errno of the driver.
 */
int xiommu_ictx_claim_group(struct xiommu_ictx *ictx,
			    struct xiommu_group *group, const char *guard)
{
	return xiommu_group_claim_dma_owner(group, ictx, guard);
}
EXPORT_SYMBOL_GPL(xiommu_ictx_claim_group);

/**
 * xiommu_ictx_release_group() - undo one xiommu_ictx_claim_group()
 * @ictx: the context
 * @group: the group
 *
 * The last release of the group by @ictx (claims and bound devices
 * together) returns it to the kernel's default domain.
 *
 * Context: may sleep.
 */
void xiommu_ictx_release_group(struct xiommu_ictx *ictx,
			       struct xiommu_group *group)
{
	xiommu_group_release_dma_owner(group, ictx);
}
EXPORT_SYMBOL_GPL(xiommu_ictx_release_group);
