/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iommu-lite: the core's own small IOMMU layer (src/iommu/registry.c, src/iommu/group.c).
 *
 * The kernel's IOMMU core is not used for the devices xiommu manages. This
 * header is what the iommufd layer (src/iommufd/ioas.c, hwpt.c, device.c, ...) uses
 * from iommu-lite: endpoint lookup, groups and their DMA ownership, domain
 * allocation and the map/unmap helpers that split a range into the largest
 * IOPTE sizes the domain supports.
 *
 * Core-internal: not exported to other modules.
 *
 * Lock order: xiommu_registry_lock (mutex) -> group->mutex.
 */
#ifndef XIOMMU_IOMMU_LITE_H
#define XIOMMU_IOMMU_LITE_H

#include <linux/kref.h>
#include <linux/xarray.h>
#include <xiommu/driver.h>

/**
 * struct xiommu_group - a set of endpoints isolated together
 * @kref: references: one per endpoint plus xiommu_group_get() callers
 * @mutex: protects every field below and serialises attach_dev calls
 * @devices: list of struct xiommu_endpoint (->group_node), under @mutex
 * @iommu: the unit translating the group (all endpoints share it)
 * @default_domain: where the group sits while kernel-owned: the unit's
 *	identity domain if it has one, else its blocking domain
 * @blocking_domain: the unit's blocking domain
 * @domain: the domain every endpoint of the group is attached to now
 * @owner: cookie of the DMA owner (an iommufd context) or NULL
 * @owner_cnt: xiommu_group_claim_dma_owner() calls not yet released
 * @revoked: a kernel driver bound to a member while owned: the group is
 *	held on the blocking domain until the owner releases it (fail closed)
 * @guard: the owner's policy: driver_override for idle members while
 *	owned (the DMA-managing driver's name), or NULL for none
 * @id: small number for logs and debugfs; user space sees
 *	XIOMMU_GROUP_NUM_BASE + @id (sysfs, /dev/vfio/N)
 * @kobj: /sys/kernel/xiommu_groups/<number>, or NULL (src/iommu/group_user.c)
 * @devices_kobj: its devices/ directory of links, or NULL
 * @pasids: PASID -> the domain that PASID of every PASID-capable member
 *	translates through (xiommu_group_set_pasid()); empty while not owned
 */
struct xiommu_group {
	struct kref kref;
	struct mutex mutex;
	struct list_head devices;
	struct xiommu_device *iommu;
	struct xiommu_domain *default_domain;
	struct xiommu_domain *blocking_domain;
	struct xiommu_domain *domain;
	void *owner;
	unsigned int owner_cnt;
	bool revoked;
	const char *guard;
	int id;
	struct kobject *kobj;
	struct kobject *devices_kobj;
	struct xarray pasids;
};

/**
 * struct xiommu_endpoint - a device translated by one unit
 * @node: link in the registry's endpoint table (registry lock + ep lock)
 * @dev: the device (a reference is held)
 * @iommu: the unit translating it
 * @group: its group (a group reference is held); set once at probe
 * @group_node: link in group->devices (group->mutex)
 * @priv: driver-private per-endpoint state
 * @faults: faults reported for this endpoint
 * @saved_override: driver_override before the group was claimed
 *	(group->mutex)
 * @override_set: the claim set driver_override and must restore it
 *	(group->mutex)
 * @sysfs_linked: we made the device's iommu_group link (group->mutex)
 */
struct xiommu_endpoint {
	struct hlist_node node;
	struct device *dev;
	struct xiommu_device *iommu;
	struct xiommu_group *group;
	struct list_head group_node;
	void *priv;
	atomic64_t faults;
	const char *saved_override;
	bool override_set;
	bool sysfs_linked;
};

/* registry.c <-> group.c */
struct xiommu_endpoint *xiommu_ep_lookup(struct device *dev);
int xiommu_group_add_endpoint(struct xiommu_group *group,
			      struct xiommu_endpoint *ep);
void xiommu_group_remove_endpoint(struct xiommu_group *group,
				  struct xiommu_endpoint *ep);
void xiommu_group_driver_bind(struct xiommu_group *group, struct device *dev);
void xiommu_group_driver_unbound(struct xiommu_group *group,
				 struct device *dev);
void xiommu_ep_guard(struct xiommu_endpoint *ep, const char *drv_name,
		     bool locked);
void xiommu_ep_unguard(struct xiommu_endpoint *ep);

struct xiommu_device *xiommu_endpoint_iommu_get(struct device *dev);
struct xiommu_group *xiommu_group_get(struct device *dev);
void xiommu_group_put(struct xiommu_group *group);

int xiommu_group_claim_dma_owner(struct xiommu_group *group, void *owner,
				 const char *guard);
void xiommu_group_release_dma_owner(struct xiommu_group *group, void *owner);
int xiommu_group_replace_domain(struct xiommu_group *group,
				struct xiommu_domain *domain);
void xiommu_group_block(struct xiommu_group *group);
bool xiommu_group_revoked(struct xiommu_group *group);
struct xiommu_domain *xiommu_group_domain(struct xiommu_group *group);
int xiommu_group_set_pasid(struct xiommu_group *group, u32 pasid,
			   struct xiommu_domain *domain);
void xiommu_group_remove_pasid(struct xiommu_group *group, u32 pasid);
struct xiommu_domain *xiommu_group_pasid_domain(struct xiommu_group *group,
						u32 pasid);
bool xiommu_domain_pasid_capable(struct device *dev);

bool xiommu_dev_capable(struct device *dev, enum xiommu_cap cap);
int xiommu_dev_hw_info(struct device *dev, void *data, size_t len, u32 *type);
u8 xiommu_dev_max_pasid_log2(struct device *dev);
void xiommu_dev_get_resv_regions(struct device *dev, struct list_head *head);
void xiommu_put_resv_regions(struct list_head *head);

struct xiommu_domain *xiommu_domain_alloc_paging(struct device *dev, u32 flags);
struct xiommu_domain *
xiommu_domain_alloc_paging_user(struct device *dev, u32 flags,
				const struct xiommu_user_data *data);
struct xiommu_domain *xiommu_domain_alloc_nested(struct device *dev,
						 struct xiommu_domain *parent,
						 u32 flags,
						 const struct xiommu_user_data *data);
void xiommu_domain_free(struct xiommu_domain *domain);
bool xiommu_domain_compatible(struct xiommu_domain *domain,
			      struct device *dev);

int xiommu_map(struct xiommu_domain *domain, unsigned long iova,
	       phys_addr_t paddr, size_t size, int prot, gfp_t gfp);
int xiommu_map_nosync(struct xiommu_domain *domain, unsigned long iova,
		      phys_addr_t paddr, size_t size, int prot, gfp_t gfp);
int xiommu_iotlb_sync_map(struct xiommu_domain *domain, unsigned long iova,
			  size_t size);
size_t xiommu_unmap(struct xiommu_domain *domain, unsigned long iova,
		    size_t size);

/* group_user.c: what user space sees of groups */
void xiommu_group_sysfs_add(struct xiommu_group *group,
			    struct xiommu_endpoint *ep);
void xiommu_group_sysfs_remove(struct xiommu_group *group,
			       struct xiommu_endpoint *ep);
void xiommu_group_sysfs_release(struct xiommu_group *group);
bool xiommu_group_viable_for(struct xiommu_group *group, void *owner);
int xiommu_group_sysfs_init(void);
void xiommu_group_sysfs_exit(void);

int xiommu_lite_init(void);
struct dentry *xiommu_debugfs_root_dir(void);
void xiommu_lite_exit(void);

#endif /* XIOMMU_IOMMU_LITE_H */
