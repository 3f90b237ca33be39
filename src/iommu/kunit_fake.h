/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fakes shared by the core's KUnit suites (xiommu_kunit.ko, see
 * Documentation/kunit.md): a paging domain that records what the core maps
 * into it, and IOMMU units with devices on a test bus, so groups,
 * ownership and device objects can be exercised without hardware.
 *
 * The fake domain keeps one xarray entry per 4 KiB of IOVA and checks the
 * core's side of the driver.h contract (no map over a present IOPTE, no
 * unmap that cuts an IOPTE in two, no domain freed while it maps
 * something): every breach counts in kfake_violations, which every test
 * expects to stay 0.
 *
 * Only built into the test module, never into xiommu.ko.
 */
#ifndef XIOMMU_KUNIT_FAKE_H
#define XIOMMU_KUNIT_FAKE_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/xarray.h>
#include <xiommu/driver.h>

struct kunit;
struct xiommu_group;

/* Breaches of the driver contract seen by the fakes since the last reset. */
extern atomic_t kfake_violations;

/**
 * struct kfake_domain - a software paging domain
 * @domain: the core's view
 * @unit: the unit that allocated it, NULL for a bare domain
 * @ptes: IOVA / SZ_4K -> xa_mk_value(KFAKE_PTE_*)
 * @map_calls: map_pages calls so far
 * @pgsizes: every IOPTE size map_pages was asked for, OR-ed
 * @fail_map_at: map_pages call number (1-based) that fails with -ENOMEM
 *	having mapped nothing; 0: never
 * @syncs: iotlb_sync calls
 * @sync_maps: iotlb_sync_map calls
 * @fail_sync_map: errno iotlb_sync_map returns (after counting); 0: none
 * @cc_capable: enforce_cache_coherency succeeds
 * @cc_enforced: enforce_cache_coherency succeeded
 */
struct kfake_domain {
	struct xiommu_domain domain;
	struct kfake_unit *unit;
	struct xarray ptes;
	unsigned long map_calls;
	unsigned long pgsizes;
	unsigned long fail_map_at;
	unsigned long syncs;
	unsigned long sync_maps;
	int fail_sync_map;
	bool cc_capable;
	bool cc_enforced;
};

/* One xarray value per 4 KiB of IOVA, also inside larger IOPTEs. */
#define KFAKE_PTE_PROT		GENMASK(2, 0)	/* XIOMMU_READ/WRITE/CACHE */
#define KFAKE_PTE_HEAD		BIT(3)		/* first 4 KiB of an IOPTE */
#define KFAKE_PTE_ORDER		GENMASK(9, 4)	/* log2(IOPTE size / 4 KiB) */
#define KFAKE_PTE_PFN_SHIFT	10		/* physical address >> 12 */

struct kfake_domain *kfake_domain_create(unsigned long pgsize_bitmap,
					 dma_addr_t aperture_start,
					 dma_addr_t aperture_end);
void kfake_domain_destroy(struct kfake_domain *fd);
struct kfake_domain *to_kfake_domain(struct xiommu_domain *domain);
bool kfake_domain_lookup(struct kfake_domain *fd, unsigned long iova,
			 phys_addr_t *paddr, int *prot, size_t *pgsize);
unsigned long kfake_domain_mapped_bytes(struct kfake_domain *fd);

/**
 * struct kfake_unit - a fake IOMMU unit on the KUnit test bus
 * @iommu: the unit as the core knows it
 * @ops: this unit's driver ops (the static domains differ per unit)
 * @blocked: its blocking domain
 * @identity: its identity domain (used unless @no_identity)
 * @pgsize_bitmap: IOPTE sizes of its paging domains
 * @aperture_start: first IOVA of its paging domains
 * @aperture_end: last IOVA (inclusive)
 * @no_identity: register without an identity domain (groups then
 *	default to blocking)
 * @no_paging: the driver has no domain_alloc_paging
 * @cc_capable: its paging domains can enforce cache coherency
 * @domains_allocated: paging domains allocated so far
 * @domains_alive: paging domains not yet freed
 * @registered: xiommu_device_register() succeeded
 */
struct kfake_unit {
	struct xiommu_device iommu;
	struct xiommu_ops ops;
	struct xiommu_domain blocked;
	struct xiommu_domain identity;
	unsigned long pgsize_bitmap;
	dma_addr_t aperture_start;
	dma_addr_t aperture_end;
	bool no_identity;
	bool no_paging;
	bool cc_capable;
	atomic_t domains_allocated;
	atomic_t domains_alive;
	bool registered;
};

/**
 * struct kfake_dev - a device on the KUnit test bus
 * @dev: the device
 * @unit: the unit that translates it
 * @group_with: join this device's group at probe (NULL: a group of its own)
 * @group: its group as handed to the core (no reference of its own)
 * @domain: the domain the "hardware" translates it with now (set by
 *	attach_dev), NULL before the first attach
 * @attach_calls: successful attach_dev calls
 * @fail_attach_to: attach_dev of this domain fails with @fail_errno
 * @fail_errno: see @fail_attach_to
 * @caps: BIT(enum xiommu_cap) the unit reports for the device
 * @resv_start: first IOVA of its reserved region
 * @resv_length: bytes of its reserved region, 0 for none
 * @bindable: the test bus's driver matches it
 * @probe_domain: @domain when the test bus's driver last probed it
 * @id: number in its name "xkunit<id>"
 */
struct kfake_dev {
	struct device dev;
	struct kfake_unit *unit;
	struct kfake_dev *group_with;
	struct xiommu_group *group;
	struct xiommu_domain *domain;
	unsigned int attach_calls;
	struct xiommu_domain *fail_attach_to;
	int fail_errno;
	unsigned long caps;
	dma_addr_t resv_start;
	size_t resv_length;
	bool bindable;
	struct xiommu_domain *probe_domain;
	int id;
};

/* Capabilities of a device a context may bind. */
#define KFAKE_CAPS_BINDABLE						\
	(BIT(XIOMMU_CAP_IOMMUFD) | BIT(XIOMMU_CAP_CACHE_COHERENCY) |	\
	 BIT(XIOMMU_CAP_INTR_ISOLATION))

/* The test bus and its one driver, which binds to @bindable devices. */
extern struct device_driver kfake_driver;
int kfake_bus_init(void);
void kfake_bus_exit(void);

int kfake_unit_register(struct kfake_unit *unit, const char *name);
void kfake_unit_unregister(struct kfake_unit *unit);
struct kfake_dev *kfake_dev_add(struct kfake_unit *unit,
				struct kfake_dev *group_with,
				unsigned long caps);
void kfake_dev_remove(struct kfake_dev *fdev);

#endif /* XIOMMU_KUNIT_FAKE_H */
