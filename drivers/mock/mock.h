/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xiommu_mock internals shared by the driver (mock.c) and the
 * IOMMU_TEST_CMD handler (test_cmd.c).
 */
#ifndef XIOMMU_MOCK_H
#define XIOMMU_MOCK_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/xarray.h>
#include <xiommu/driver.h>
#include <xiommu/iommufd_test.h>

/*
 * Every mock unit translates in IO pages of this size (bytes); units
 * differ in the larger IOPTE sizes they accept and in their aperture.
 */
#define MOCK_IO_PAGE_SIZE	XIOMMU_MOCK_IO_PAGE_SIZE

/**
 * struct mock_unit_cfg - what makes one mock unit different from another
 * @name: unit name ("mock0"), also the debugfs directory name
 * @pgsize_bitmap: IOPTE sizes (bytes) its paging domains accept; always
 *	includes MOCK_IO_PAGE_SIZE
 * @aperture_start: first IOVA its paging domains translate
 * @aperture_last: last IOVA (inclusive)
 * @no_iommufd: capable() denies XIOMMU_CAP_IOMMUFD (a driver that did not
 *	opt in to iommufd): binding its devices must fail
 */
struct mock_unit_cfg {
	const char *name;
	unsigned long pgsize_bitmap;
	dma_addr_t aperture_start;
	dma_addr_t aperture_last;
	bool no_iommufd;
};

/**
 * struct mock_unit - one registered mock IOMMU unit
 * @iommu: the unit as the core knows it
 * @ops: this unit's copy of the driver ops (the static domains differ)
 * @cfg: geometry
 * @blocked: the unit's blocking domain
 * @identity: the unit's identity domain, where kernel-owned mock devices sit
 * @violations: driver contract violations seen (see mock_violation()), in
 *	debugfs as xiommu/<name>/violations
 */
struct mock_unit {
	struct xiommu_device iommu;
	struct xiommu_ops ops;
	const struct mock_unit_cfg *cfg;
	struct xiommu_domain blocked;
	struct xiommu_domain identity;
	atomic_t violations;
};

/**
 * struct mock_dev - a device on the xiommu_mock bus
 * @dev: the device; its bus is the mock bus; it has no driver unless a
 *	test binds the mock kernel driver (mock_dev_bind_driver())
 * @unit: the unit that translates it (chosen at creation)
 * @group_peer: at creation: a device of the same unit whose group this one
 *	joins (the two cannot be isolated), or NULL for a group of its own
 * @domain: the domain the core last attached the device to (attach_dev)
 * @id: number in the device name "xiommu_mock<id>"
 * @flags: MOCK_FLAGS_DEVICE_* (IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS), fixed
 *	before the device is added: NO_DIRTY its unit reports no dirty
 *	tracking for it, HUGE_IOVA its paging domains also take
 *	XIOMMU_MOCK_HUGE_PAGE_SIZE IOPTEs, PASID it has MOCK_PASID_WIDTH bits
 *	of PASID
 * @pasids: PASID -> the domain DMA with that PASID goes through (the
 *	"hardware" set_dev_pasid programs; IOMMU_TEST_OP_PASID_CHECK_HWPT
 *	reads it); the xarray's lock serialises, readers use RCU
 * @pasid_fail_next: the next set_dev_pasid of a non-blocking domain for
 *	IOMMU_TEST_PASID_RESERVED fails with -ENOMEM (armed by the one
 *	before it, disarmed by blocking), so the core's replace failure path
 *	can be tested, like upstream's mock
 * @cache: the device's cache (IOMMU_TEST_OP_DEV_CHECK_CACHE), reset by
 *	invalidations of its vIOMMU (READ_ONCE/WRITE_ONCE, one word each)
 * @vlock: protects @viommu and @vdev_id; taken inside the core's group
 *	lock (vdevice_init/destroy) and outside the vIOMMU's event lock
 * @viommu: the vIOMMU the device has a vDEVICE on, or NULL
 * @vdev_id: that vDEVICE's virt_id
 */
struct mock_dev {
	struct device dev;
	struct mock_unit *unit;
	struct device *group_peer;
	struct xiommu_domain *domain;
	int id;
	u32 flags;
	u32 cache[MOCK_DEV_CACHE_NUM];
	struct xarray pasids;
	bool pasid_fail_next;
	struct mutex vlock;
	struct mock_viommu *viommu;
	u64 vdev_id;
};

/**
 * struct mock_viommu - a mock vIOMMU (IOMMU_VIOMMU_TYPE_SELFTEST)
 * @core: the driver's part the core knows
 * @unit: the unit it belongs to
 * @qlock: protects @hw_queue
 * @hw_queue: its HW queues (IOMMU_HW_QUEUE_TYPE_SELFTEST) by index; each
 *	above 0 depends on the one below (destroyed from the top)
 */
struct mock_viommu {
	struct xiommu_viommu core;
	struct mock_unit *unit;
	struct mutex qlock;
	struct xiommu_hw_queue *hw_queue[IOMMU_TEST_HW_QUEUE_MAX];
	u32 in_data;
	void *page;
	unsigned long mmap_offset;
};

/*
 * Software IOPTE stored in struct mock_domain.ptes, one xarray value per IO
 * page (index = IOVA / MOCK_IO_PAGE_SIZE), also inside a larger IOPTE:
 *	PFN:   physical address / MOCK_IO_PAGE_SIZE
 *	READ, WRITE, CACHE: the prot bits map_pages got
 *	HEAD:  the first IO page of an IOPTE (unmap must never start or end
 *	       inside an IOPTE, see mock_domain_unmap_pages())
 *	ORDER: log2(IOPTE size / MOCK_IO_PAGE_SIZE)
 *	DIRTY: (head entry only) a device wrote through the IOPTE since the
 *	       dirty state was last cleared (IOMMU_TEST_OP_DIRTY sets it)
 * xa_mk_value() holds up to 63 bits.
 */
#define MOCK_PTE_PFN		GENMASK(43, 0)
#define MOCK_PTE_READ		BIT(44)
#define MOCK_PTE_WRITE		BIT(45)
#define MOCK_PTE_CACHE		BIT(46)
#define MOCK_PTE_HEAD		BIT(47)
#define MOCK_PTE_ORDER		GENMASK(53, 48)
#define MOCK_PTE_DIRTY		BIT(54)

/* Physical address an IO page's software IOPTE points to. */
static inline phys_addr_t mock_pte_phys(unsigned long pte)
{
	return (phys_addr_t)FIELD_GET(MOCK_PTE_PFN, pte) * MOCK_IO_PAGE_SIZE;
}

/**
 * struct mock_domain - a mock paging domain
 * @domain: the core-visible domain
 * @unit: the unit that allocated it
 * @ptes: the software page table (see MOCK_PTE_*); the xarray's own lock
 *	serialises writers, readers use RCU (xa_load)
 * @dirty_capable: allocated with XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING
 * @tracking: dirty tracking is on (set_dirty_tracking; READ_ONCE)
 */
struct mock_domain {
	struct xiommu_domain domain;
	struct mock_unit *unit;
	struct xarray ptes;
	bool dirty_capable;
	bool tracking;
};

/**
 * struct mock_nested - a mock nested (stage-1) domain
 * @domain: the core-visible domain
 * @parent: the NEST_PARENT paging domain under it (the core keeps it alive)
 * @iotlb: the mock IOTLB: IOMMU_HWPT_ALLOC sets every entry to the user's
 *	value, IOMMU_HWPT_INVALIDATE resets entries to 0 and
 *	IOMMU_TEST_OP_MD_CHECK_IOTLB reads them (READ_ONCE/WRITE_ONCE: each
 *	entry is one word, no lock)
 * @viommu: the vIOMMU the domain was allocated on, or NULL; only devices
 *	with a vDEVICE on it may attach (ENOENT), as upstream's mock
 */
struct mock_nested {
	struct xiommu_domain domain;
	struct mock_domain *parent;
	struct mock_viommu *viommu;
	u32 iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

struct mock_dev *to_mock_dev(struct device *dev);
struct mock_dev *mock_dev_create(struct mock_unit *unit,
				 struct mock_dev *group_peer, u32 flags);
int mock_domain_mark_dirty(struct mock_domain *md, unsigned long iova);
void mock_dev_destroy(struct mock_dev *mdev);
int mock_dev_bind_driver(struct mock_dev *mdev, bool bind);
struct mock_unit *mock_default_unit(void);
struct mock_unit *mock_unit_get(unsigned int index);
struct mock_domain *to_mock_paging(struct xiommu_domain *domain);
struct mock_nested *to_mock_nested(struct xiommu_domain *domain);
int mock_set_dev_pasid(struct xiommu_domain *domain, struct device *dev,
		       u32 pasid, struct xiommu_domain *old);

int mock_test_init(void);
void mock_test_exit(void);

#endif /* XIOMMU_MOCK_H */
