// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu_mock: a software IOMMU for testing the xiommu core.
 *
 * The module registers a bus ("xiommu_mock") and mock IOMMU units on it.
 * Devices on that bus are created on demand (IOMMU_TEST_OP_MOCK_DOMAIN);
 * each is its own group, is translated by the unit chosen at creation and
 * has no kernel driver. Nothing ever does DMA: a paging domain is only a
 * software page table (an xarray of IO-page-sized entries) that the test
 * ioctl compares with what user space mapped, which is how the core's
 * map/unmap/pin logic is checked without hardware.
 *
 * Units (see mock_cfgs[]):
 *  - mock0: upstream v6.6 mock geometry: IOPTEs of MOCK_IO_PAGE_SIZE (half
 *    a CPU page) only, aperture [MOCK_APERTURE_START, MOCK_APERTURE_LAST].
 *    IOMMU_TEST_OP_MOCK_DOMAIN devices use it.
 *  - mock1: also accepts XIOMMU_MOCK_HUGE_PAGE_SIZE IOPTEs and has a wider
 *    aperture, so domains of the two units are never interchangeable.
 *  - mock2: mock0's geometry, but its driver does not opt in to iommufd
 *    (no XIOMMU_CAP_IOMMUFD): binding its devices fails.
 *
 * A device may be created in the group of another device of its unit (two
 * functions that cannot be isolated), and a kernel driver of this module,
 * "xiommu_mock_drv", may be bound to a device on request (never on its
 * own: the bus matches nothing), so that the core's fail-closed handling
 * of kernel drivers in user-owned groups can be tested.
 *
 * The driver checks the core's side of the driver.h contract and counts
 * violations (debugfs xiommu/<unit>/violations, plus a one-time WARN): a
 * map over a present IOPTE, an unmap that cuts an IOPTE in two, a domain
 * freed while it still maps something.
 *
 * Locking: mock_domain.ptes is an xarray: its lock serialises writers and
 * lookups run under RCU, which is all the concurrency driver.h allows
 * (map/unmap of disjoint ranges in parallel). Units and the bus are set up
 * before and torn down after every other user (module init/exit).
 */
#define pr_fmt(fmt) "xiommu_mock: " fmt

#include <linux/bitfield.h>
#include <linux/debugfs.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include <xiommu/xiommu.h>

#include "mock.h"

static const struct mock_unit_cfg mock_cfgs[] = {
	{
		.name = "mock0",
		.pgsize_bitmap = MOCK_IO_PAGE_SIZE,
		.aperture_start = MOCK_APERTURE_START,
		.aperture_last = MOCK_APERTURE_LAST,
	},
	{
		.name = "mock1",
		.pgsize_bitmap = MOCK_IO_PAGE_SIZE | XIOMMU_MOCK_HUGE_PAGE_SIZE,
		.aperture_start = MOCK_APERTURE_START,
		.aperture_last = (1ULL << 39) - 1,
	},
	{
		.name = "mock2",
		.pgsize_bitmap = MOCK_IO_PAGE_SIZE,
		.aperture_start = MOCK_APERTURE_START,
		.aperture_last = MOCK_APERTURE_LAST,
		.no_iommufd = true,
	},
};

static struct mock_unit mock_units[ARRAY_SIZE(mock_cfgs)];

/* Drivers bind only when asked to (mock_dev_bind_driver()). */
static int mock_bus_match(struct device *dev, struct device_driver *drv)
{
	return 0;
}

static struct bus_type mock_bus = {
	.name = "xiommu_mock",
	.match = mock_bus_match,
};

/*
 * A kernel driver for mock devices that does not manage DMA through
 * xiommu: bound to a member of a user-owned group it makes the group
 * unsafe, and the core must fail closed.
 */
static int mock_drv_probe(struct device *dev)
{
	return 0;
}

static struct device_driver mock_drv = {
	.name = "xiommu_mock_drv",
	.bus = &mock_bus,
	.owner = THIS_MODULE,
	.probe = mock_drv_probe,
	.suppress_bind_attrs = true,
};

static DEFINE_IDA(mock_dev_ida);
/* Mock devices not yet released: module exit waits for zero. */
static atomic_t mock_dev_count = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(mock_dev_wq);

static void mock_violation(struct mock_unit *unit, const char *what,
			   unsigned long iova)
{
	atomic_inc(&unit->violations);
	pr_err("%s: core broke the driver contract: %s at IOVA %#lx\n",
	       unit->cfg->name, what, iova);
	WARN_ON_ONCE(1);
}

/* @dev as a mock device, or NULL if it is none */
struct mock_dev *to_mock_dev(struct device *dev)
{
	if (!dev || dev->bus != &mock_bus)
		return NULL;
	return container_of(dev, struct mock_dev, dev);
}

/* ---- static domains ---- */

static int mock_nop_attach(struct xiommu_domain *domain, struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (!mdev || domain->owner != &mdev->unit->iommu)
		return -EINVAL;
	/* Where the "hardware" translates now (IOMMU_TEST_OP checks it). */
	WRITE_ONCE(mdev->domain, domain);
	return 0;
}

static const struct xiommu_domain_ops mock_static_domain_ops = {
	.attach_dev = mock_nop_attach,
};

/**
 * mock_set_dev_pasid() - the "hardware" of a PASID: DMA of @dev tagged with
 *	@pasid goes through @domain from now on (driver.h set_dev_pasid)
 * @domain: a PASID-capable mock domain, or the unit's blocking domain
 *	(removes the PASID's translation)
 * @dev: a mock device with MOCK_FLAGS_DEVICE_PASID
 * @pasid: the PASID
 * @old: the domain it used so far, NULL for none
 *
 * Return: 0; -EINVAL not a PASID-capable device of the domain's unit, or
 * the PASID is not on @old (a core bug, counted as a violation); -ENOMEM
 * (the designed failure of IOMMU_TEST_PASID_RESERVED, or the xarray).
 */
int mock_set_dev_pasid(struct xiommu_domain *domain, struct device *dev,
		       u32 pasid, struct xiommu_domain *old)
{
	struct mock_dev *mdev = to_mock_dev(dev);
	bool blocking;

	if (!mdev || domain->owner != &mdev->unit->iommu ||
	    !(mdev->flags & MOCK_FLAGS_DEVICE_PASID) ||
	    pasid >= (1U << MOCK_PASID_WIDTH))
		return -EINVAL;
	if (xa_load(&mdev->pasids, pasid) != old) {
		mock_violation(mdev->unit, "set_dev_pasid from a wrong old domain",
			       pasid);
		return -EINVAL;
	}
	blocking = domain == &mdev->unit->blocked;
	if (pasid == IOMMU_TEST_PASID_RESERVED) {
		/* Blocking disarms, a failing set too; a good one arms. */
		bool fail = !blocking && READ_ONCE(mdev->pasid_fail_next);

		WRITE_ONCE(mdev->pasid_fail_next, !blocking && !fail);
		if (fail)
			return -ENOMEM;
	}
	if (blocking) {
		xa_erase(&mdev->pasids, pasid);
		return 0;
	}
	return xa_err(xa_store(&mdev->pasids, pasid, domain,
			       GFP_KERNEL_ACCOUNT));
}

static const struct xiommu_domain_ops mock_blocked_domain_ops = {
	.attach_dev = mock_nop_attach,
	.set_dev_pasid = mock_set_dev_pasid,
};

/* ---- paging domains ---- */

static const struct xiommu_domain_ops mock_paging_ops;

/**
 * to_mock_paging() - the mock paging domain behind a core domain
 * @domain: any domain
 *
 * Return: the mock domain, or NULL if @domain is not a mock paging domain
 * (another driver's, or a static one).
 */
struct mock_domain *to_mock_paging(struct xiommu_domain *domain)
{
	if (!domain || domain->ops != &mock_paging_ops)
		return NULL;
	return container_of(domain, struct mock_domain, domain);
}

static int mock_domain_attach(struct xiommu_domain *domain,
			      struct device *dev)
{
	struct mock_domain *md = container_of(domain, struct mock_domain,
					      domain);
	struct mock_dev *mdev = to_mock_dev(dev);

	/* Writes of this device would go unrecorded (upstream: EINVAL). */
	if (md->dirty_capable && mdev &&
	    (mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return -EINVAL;
	return mock_nop_attach(domain, dev);
}

static unsigned long mock_pte(phys_addr_t paddr, int prot, bool head,
			      unsigned int order)
{
	unsigned long pte = FIELD_PREP(MOCK_PTE_PFN, paddr / MOCK_IO_PAGE_SIZE);

	if (prot & XIOMMU_READ)
		pte |= MOCK_PTE_READ;
	if (prot & XIOMMU_WRITE)
		pte |= MOCK_PTE_WRITE;
	if (prot & XIOMMU_CACHE)
		pte |= MOCK_PTE_CACHE;
	if (head)
		pte |= MOCK_PTE_HEAD;
	return pte | FIELD_PREP(MOCK_PTE_ORDER, order);
}

static void mock_erase(struct mock_domain *md, unsigned long first,
		       unsigned long last)
{
	XA_STATE(xas, &md->ptes, first);
	void *entry;

	xas_lock(&xas);
	xas_for_each(&xas, entry, last)
		xas_store(&xas, NULL);
	xas_unlock(&xas);
}

static int mock_map_one(struct mock_domain *md, unsigned long iova,
			phys_addr_t paddr, size_t pgsize, int prot, gfp_t gfp)
{
	unsigned int order = ilog2(pgsize / MOCK_IO_PAGE_SIZE);
	unsigned long idx = iova / MOCK_IO_PAGE_SIZE;
	unsigned long n = pgsize / MOCK_IO_PAGE_SIZE;
	unsigned long i;
	int rc;

	for (i = 0; i != n; i++) {
		unsigned long pte = mock_pte(paddr + i * MOCK_IO_PAGE_SIZE,
					     prot, i == 0, order);

		rc = xa_insert(&md->ptes, idx + i, xa_mk_value(pte), gfp);
		if (rc)
			goto err_erase;
	}
	return 0;

err_erase:
	/* Never leave half an IOPTE behind: *mapped counts whole ones. */
	if (i)
		mock_erase(md, idx, idx + i - 1);
	if (rc == -EBUSY) {
		mock_violation(md->unit, "map over a present IOPTE",
			       iova + i * MOCK_IO_PAGE_SIZE);
		return -EEXIST;
	}
	return rc;
}

static int mock_domain_map_pages(struct xiommu_domain *domain,
				 unsigned long iova, phys_addr_t paddr,
				 size_t pgsize, size_t pgcount, int prot,
				 gfp_t gfp, size_t *mapped)
{
	struct mock_domain *md = container_of(domain, struct mock_domain,
					      domain);
	const struct mock_unit_cfg *cfg = md->unit->cfg;
	unsigned long size, last;
	int rc;

	/* The domain's sizes: the unit's plus those of its format */
	if (!is_power_of_2(pgsize) || !(pgsize & domain->pgsize_bitmap) ||
	    !IS_ALIGNED(iova | paddr, pgsize) || !pgcount)
		return -EINVAL;
	if (check_mul_overflow((unsigned long)pgsize, (unsigned long)pgcount,
			       &size) ||
	    check_add_overflow(iova, size - 1, &last) ||
	    iova < cfg->aperture_start || last > cfg->aperture_last)
		return -EINVAL;

	for (; pgcount; pgcount--) {
		rc = mock_map_one(md, iova, paddr, pgsize, prot, gfp);
		if (rc)
			return rc;
		*mapped += pgsize;
		iova += pgsize;
		paddr += pgsize;
	}
	return 0;
}

static bool mock_is_tail(struct mock_domain *md, unsigned long idx)
{
	void *entry = xa_load(&md->ptes, idx);

	return entry && !(xa_to_value(entry) & MOCK_PTE_HEAD);
}

static size_t mock_domain_unmap_pages(struct xiommu_domain *domain,
				      unsigned long iova, size_t pgsize,
				      size_t pgcount,
				      struct xiommu_iotlb_gather *gather)
{
	struct mock_domain *md = container_of(domain, struct mock_domain,
					      domain);
	size_t size = pgsize * pgcount;
	unsigned long first = iova / MOCK_IO_PAGE_SIZE;
	unsigned long end = (iova + size) / MOCK_IO_PAGE_SIZE;

	if (!size)
		return 0;
	if (!IS_ALIGNED(iova | size, MOCK_IO_PAGE_SIZE)) {
		mock_violation(md->unit, "unaligned unmap", iova);
		return 0;
	}
	/* The range must neither start nor end inside an IOPTE. */
	if (mock_is_tail(md, first))
		mock_violation(md->unit, "unmap starts inside an IOPTE", iova);
	if (end && mock_is_tail(md, end))
		mock_violation(md->unit, "unmap ends inside an IOPTE",
			       iova + size);

	mock_erase(md, first, end - 1);
	xiommu_iotlb_gather_add(gather, iova, size);
	if (pgsize > gather->pgsize)
		gather->pgsize = pgsize;
	return size;
}

static void mock_domain_iotlb_sync(struct xiommu_domain *domain,
				   struct xiommu_iotlb_gather *gather)
{
	/* No IOTLB and no page-table pages to free. */
}

static phys_addr_t mock_domain_iova_to_phys(struct xiommu_domain *domain,
					    dma_addr_t iova)
{
	struct mock_domain *md = container_of(domain, struct mock_domain,
					      domain);
	void *entry = xa_load(&md->ptes, iova / MOCK_IO_PAGE_SIZE);

	if (!entry)
		return 0;
	return mock_pte_phys(xa_to_value(entry)) + iova % MOCK_IO_PAGE_SIZE;
}

static void mock_domain_free(struct xiommu_domain *domain)
{
	struct mock_domain *md = container_of(domain, struct mock_domain,
					      domain);
	unsigned long idx = 0;

	/*
	 * Present entries, not !xa_empty(): an xa_insert() that failed with
	 * ENOMEM can leave empty interior nodes behind (xas_create() keeps
	 * the levels it allocated before the one that failed), which
	 * xa_destroy() frees but which are no IOPTE.
	 */
	if (xa_find(&md->ptes, &idx, ULONG_MAX, XA_PRESENT))
		mock_violation(md->unit, "domain freed while mapping",
			       idx * MOCK_IO_PAGE_SIZE);
	xa_destroy(&md->ptes);
	kfree(md);
}

/* ---- dirty tracking (upstream mock semantics) ---- */

static int mock_domain_set_dirty_tracking(struct xiommu_domain *domain,
					  bool enable)
{
	struct mock_domain *md = container_of(domain, struct mock_domain,
					      domain);

	if (!md->dirty_capable)
		return -EINVAL;
	WRITE_ONCE(md->tracking, enable);
	return 0;
}

/*
 * Index of the head entry of the IOPTE covering IO page @idx, or ULONG_MAX
 * if nothing maps it.
 */
static unsigned long mock_pte_head(struct mock_domain *md, unsigned long idx,
				   unsigned int *order)
{
	void *entry = xa_load(&md->ptes, idx);

	if (!entry)
		return ULONG_MAX;
	*order = FIELD_GET(MOCK_PTE_ORDER, xa_to_value(entry));
	return round_down(idx, 1UL << *order);
}

/*
 * Set (@set) or clear the DIRTY bit of the head entry @head; returns the
 * bit's old value. Under the xarray lock, so an IOPTE that is being
 * unmapped is either still there or gone, never resurrected.
 */
static bool mock_pte_dirty_update(struct mock_domain *md, unsigned long head,
				  bool set)
{
	unsigned long pte;
	bool old = false;
	void *entry;

	xa_lock(&md->ptes);
	entry = xa_load(&md->ptes, head);
	if (entry) {
		pte = xa_to_value(entry);
		old = pte & MOCK_PTE_DIRTY;
		if (old != set) {
			pte = set ? pte | MOCK_PTE_DIRTY : pte & ~MOCK_PTE_DIRTY;
			/* The slot exists: replacing a value never allocates. */
			__xa_store(&md->ptes, head, xa_mk_value(pte), GFP_ATOMIC);
		}
	}
	xa_unlock(&md->ptes);
	return old;
}

/**
 * mock_domain_mark_dirty() - a "device write" at @iova (IOMMU_TEST_OP_DIRTY)
 * @md: a mock paging domain with dirty tracking on
 * @iova: any IOVA of the IOPTE written
 *
 * Return: 1 if an IOPTE maps @iova (now dirty), 0 if nothing does.
 */
int mock_domain_mark_dirty(struct mock_domain *md, unsigned long iova)
{
	unsigned long head;
	unsigned int order;

	head = mock_pte_head(md, iova / MOCK_IO_PAGE_SIZE, &order);
	if (head == ULONG_MAX)
		return 0;
	mock_pte_dirty_update(md, head, true);
	return 1;
}

static int mock_domain_read_and_clear_dirty(struct xiommu_domain *domain,
					    unsigned long iova, size_t size,
					    unsigned long flags,
					    struct xiommu_dirty_bitmap *dirty)
{
	struct mock_domain *md = container_of(domain, struct mock_domain,
					      domain);
	unsigned long idx = iova / MOCK_IO_PAGE_SIZE;
	unsigned long end = (iova + size) / MOCK_IO_PAGE_SIZE;

	if (!md->dirty_capable)
		return -EINVAL;
	while (idx < end) {
		unsigned long head, head_iova, pgsize;
		unsigned int order;
		bool was_dirty;

		head = mock_pte_head(md, idx, &order);
		if (head == ULONG_MAX) {
			idx++;
			continue;
		}
		pgsize = MOCK_IO_PAGE_SIZE << order;
		head_iova = head * MOCK_IO_PAGE_SIZE;
		if (flags & XIOMMU_DIRTY_NO_CLEAR) {
			void *entry = xa_load(&md->ptes, head);

			was_dirty = entry &&
				    (xa_to_value(entry) & MOCK_PTE_DIRTY);
		} else {
			was_dirty = mock_pte_dirty_update(md, head, false);
			if (was_dirty && dirty->gather)
				xiommu_iotlb_gather_add(dirty->gather,
							head_iova, pgsize);
		}
		if (was_dirty)
			xiommu_dirty_bitmap_record(dirty, head_iova, pgsize);
		idx = head + (1UL << order);
	}
	return 0;
}

static const struct xiommu_domain_ops mock_paging_ops = {
	.attach_dev = mock_domain_attach,
	.map_pages = mock_domain_map_pages,
	.unmap_pages = mock_domain_unmap_pages,
	.iotlb_sync = mock_domain_iotlb_sync,
	.iova_to_phys = mock_domain_iova_to_phys,
	.set_dirty_tracking = mock_domain_set_dirty_tracking,
	.read_and_clear_dirty = mock_domain_read_and_clear_dirty,
	.free = mock_domain_free,
	.set_dev_pasid = mock_set_dev_pasid,
};

/*
 * @pagetable_type (MOCK_IOMMUPT_*, IOMMU_HWPT_ALLOC data): HUGE adds
 * XIOMMU_MOCK_HUGE_PAGE_SIZE IOPTEs to the unit's sizes, as a device with
 * MOCK_FLAGS_DEVICE_HUGE_IOVA does for all its domains; dirty state is
 * kept per IOPTE either way.
 */
static struct xiommu_domain *mock_paging_new(struct device *dev, u32 flags,
					     u32 pagetable_type)
{
	struct mock_dev *mdev = to_mock_dev(dev);
	struct mock_domain *md;

	/* Any mock domain can be a nest parent, as upstream's. */
	if (flags & ~(XIOMMU_DOMAIN_ALLOC_NEST_PARENT |
		      XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING |
		      XIOMMU_DOMAIN_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
	if (!mdev)
		return ERR_PTR(-EINVAL);
	if ((flags & XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING) &&
	    (mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return ERR_PTR(-EOPNOTSUPP);

	md = kzalloc(sizeof(*md), GFP_KERNEL_ACCOUNT);
	if (!md)
		return ERR_PTR(-ENOMEM);
	md->unit = mdev->unit;
	xa_init(&md->ptes);
	md->domain.type = XIOMMU_DOMAIN_PAGING;
	md->domain.ops = &mock_paging_ops;
	md->domain.owner = &mdev->unit->iommu;
	md->dirty_capable = flags & XIOMMU_DOMAIN_ALLOC_DIRTY_TRACKING;
	md->domain.pgsize_bitmap = mdev->unit->cfg->pgsize_bitmap;
	if ((mdev->flags & MOCK_FLAGS_DEVICE_HUGE_IOVA) ||
	    pagetable_type == MOCK_IOMMUPT_HUGE)
		md->domain.pgsize_bitmap |= XIOMMU_MOCK_HUGE_PAGE_SIZE;
	md->domain.geometry.aperture_start = mdev->unit->cfg->aperture_start;
	md->domain.geometry.aperture_end = mdev->unit->cfg->aperture_last;
	return &md->domain;
}

static struct xiommu_domain *mock_domain_alloc_paging(struct device *dev,
						      u32 flags)
{
	return mock_paging_new(dev, flags, MOCK_IOMMUPT_DEFAULT);
}

/*
 * IOMMU_HWPT_ALLOC on an IOAS with data: IOMMU_HWPT_DATA_SELFTEST (struct
 * iommu_hwpt_selftest, at least up to @iotlb, which a paging domain
 * ignores) choosing the page-table format; another type, or a format the
 * mock does not have: EOPNOTSUPP, as upstream's selftest driver.
 */
static struct xiommu_domain *
mock_domain_alloc_paging_user(struct device *dev, u32 flags,
			      const struct xiommu_user_data *data)
{
	struct iommu_hwpt_selftest cfg;
	int rc;

	if (data->type != IOMMU_HWPT_DATA_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	rc = xiommu_copy_struct_from_user(&cfg, sizeof(cfg),
					  offsetofend(struct iommu_hwpt_selftest,
						      iotlb),
					  data, IOMMU_HWPT_DATA_SELFTEST);
	if (rc)
		return ERR_PTR(rc);
	if (cfg.pagetable_type != MOCK_IOMMUPT_DEFAULT &&
	    cfg.pagetable_type != MOCK_IOMMUPT_HUGE)
		return ERR_PTR(-EOPNOTSUPP);
	return mock_paging_new(dev, flags, cfg.pagetable_type);
}

/* ---- nested domains ---- */

static const struct xiommu_domain_ops mock_nested_ops;

/**
 * to_mock_nested() - the mock nested domain behind a core domain
 * @domain: any domain
 *
 * Return: the mock nested domain, or NULL if @domain is none.
 */
struct mock_nested *to_mock_nested(struct xiommu_domain *domain)
{
	if (!domain || domain->ops != &mock_nested_ops)
		return NULL;
	return container_of(domain, struct mock_nested, domain);
}

/*
 * IOMMU_HWPT_INVALIDATE_DATA_SELFTEST requests, handled in order; stops at
 * the first bad one with entry_num = the requests done before it.
 */
static int mock_nested_invalidate(struct xiommu_domain *domain,
				  struct xiommu_user_data_array *array)
{
	struct mock_nested *mn = to_mock_nested(domain);
	struct iommu_hwpt_invalidate_selftest inv;
	u32 done = 0;
	int rc = 0;
	int i;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		rc = -EINVAL;
		goto out;
	}
	for (; done < array->entry_num; done++) {
		rc = xiommu_copy_struct_from_user_array(
			&inv, sizeof(inv),
			offsetofend(struct iommu_hwpt_invalidate_selftest,
				    iotlb_id),
			array, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, done);
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
				WRITE_ONCE(mn->iotlb[i], 0);
		} else {
			WRITE_ONCE(mn->iotlb[inv.iotlb_id], 0);
		}
	}
out:
	array->entry_num = done;
	return rc;
}

static void mock_nested_free(struct xiommu_domain *domain)
{
	kfree(to_mock_nested(domain));
}

/*
 * A nested domain of a vIOMMU translates for the guest's view of the
 * device: the device needs a vDEVICE on that vIOMMU first (ENOENT).
 */
static int mock_nested_attach(struct xiommu_domain *domain,
			      struct device *dev)
{
	struct mock_nested *mn = to_mock_nested(domain);
	struct mock_dev *mdev = to_mock_dev(dev);
	bool ok;

	if (mn->viommu && mdev) {
		mutex_lock(&mdev->vlock);
		ok = mdev->viommu == mn->viommu;
		mutex_unlock(&mdev->vlock);
		if (!ok)
			return -ENOENT;
	}
	return mock_nop_attach(domain, dev);
}

static const struct xiommu_domain_ops mock_nested_ops = {
	.attach_dev = mock_nested_attach,
	.cache_invalidate_user = mock_nested_invalidate,
	.free = mock_nested_free,
	.set_dev_pasid = mock_set_dev_pasid,
};

static struct xiommu_domain *
mock_domain_alloc_nested(struct device *dev, struct xiommu_domain *parent,
			 u32 flags, const struct xiommu_user_data *data)
{
	struct mock_domain *md = to_mock_paging(parent);
	struct iommu_hwpt_selftest cfg;
	struct mock_nested *mn;
	int rc, i;

	if (flags & ~XIOMMU_DOMAIN_ALLOC_PASID)
		return ERR_PTR(-EOPNOTSUPP);
	if (data->type != IOMMU_HWPT_DATA_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	if (!md)
		return ERR_PTR(-EINVAL);
	rc = xiommu_copy_struct_from_user(&cfg, sizeof(cfg),
					  offsetofend(struct iommu_hwpt_selftest,
						      iotlb),
					  data, IOMMU_HWPT_DATA_SELFTEST);
	if (rc)
		return ERR_PTR(rc);

	mn = kzalloc(sizeof(*mn), GFP_KERNEL_ACCOUNT);
	if (!mn)
		return ERR_PTR(-ENOMEM);
	mn->parent = md;
	for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		mn->iotlb[i] = cfg.iotlb;
	mn->domain.ops = &mock_nested_ops;
	return &mn->domain;
}

/* ---- vIOMMU ---- */

static struct mock_viommu *to_mock_viommu(struct xiommu_viommu *viommu)
{
	return container_of(viommu, struct mock_viommu, core);
}

static void mock_viommu_free(struct xiommu_viommu *viommu)
{
	struct mock_viommu *mv = to_mock_viommu(viommu);

	if (mv->page) {
		xiommu_viommu_destroy_mmap(viommu, mv->mmap_offset);
		free_pages((unsigned long)mv->page, 1);
	}
	kfree(mv);
}

/*
 * With iommu_viommu_selftest data: two zeroed pages of RAM holding in_data
 * in their first u32, exposed for mmap() as one region; its offset and length go back in
 * out_mmap_offset/out_mmap_length with out_data = in_data, as upstream's
 * mock does.
 */
static int mock_viommu_init(struct xiommu_viommu *viommu,
			    const struct xiommu_user_data *data)
{
	struct mock_viommu *mv = to_mock_viommu(viommu);
	struct iommu_viommu_selftest cfg = {};
	int rc;

	if (!data)
		return 0;
	mv->page = (void *)__get_free_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO, 1);
	if (!mv->page)
		return -ENOMEM;
	*(u32 *)mv->page = mv->in_data;
	rc = xiommu_viommu_alloc_mmap(viommu, virt_to_phys(mv->page),
				      2 * PAGE_SIZE, false, &mv->mmap_offset);
	if (rc) {
		free_pages((unsigned long)mv->page, 1);
		mv->page = NULL;
		return rc;
	}
	/* free() removes the region and the page if this fails. */
	cfg.in_data = mv->in_data;
	cfg.out_data = mv->in_data;
	cfg.out_mmap_offset = mv->mmap_offset;
	cfg.out_mmap_length = 2 * PAGE_SIZE;
	return xiommu_copy_struct_to_user(
		data, &cfg, sizeof(cfg),
		offsetofend(struct iommu_viommu_selftest, out_data),
		IOMMU_VIOMMU_TYPE_SELFTEST);
}

/* A nested domain of the vIOMMU: the mock's nested domain on its parent. */
static struct xiommu_domain *
mock_viommu_alloc_domain_nested(struct xiommu_viommu *viommu,
				struct device *dev, u32 flags,
				const struct xiommu_user_data *data)
{
	struct xiommu_domain *domain;

	domain = mock_domain_alloc_nested(dev, viommu->parent, flags, data);
	if (!IS_ERR(domain))
		to_mock_nested(domain)->viommu = to_mock_viommu(viommu);
	return domain;
}

/* Reset cache entries of @dev (all, or @cache_id); viommu lock held. */
static void mock_dev_cache_reset(struct mock_dev *mdev, u32 flags,
				 u32 cache_id)
{
	int i;

	if (flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
		for (i = 0; i < MOCK_DEV_CACHE_NUM; i++)
			WRITE_ONCE(mdev->cache[i], 0);
	} else {
		WRITE_ONCE(mdev->cache[cache_id], 0);
	}
}

/*
 * IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST requests, in order: reset cache
 * entries of the device with guest ID vdev_id. EINVAL for another type, a
 * cache_id beyond MOCK_DEV_CACHE_ID_MAX or a vdev_id with no vDEVICE;
 * EOPNOTSUPP unknown flags. entry_num returns the requests done.
 */
static int mock_viommu_cache_invalidate(struct xiommu_viommu *viommu,
					struct xiommu_user_data_array *array)
{
	struct iommu_viommu_invalidate_selftest inv;
	struct mock_dev *mdev;
	u32 done = 0;
	int rc = 0;

	if (array->type != IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST) {
		rc = -EINVAL;
		goto out;
	}
	for (; done < array->entry_num; done++) {
		rc = xiommu_copy_struct_from_user_array(
			&inv, sizeof(inv),
			offsetofend(struct iommu_viommu_invalidate_selftest,
				    cache_id),
			array, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, done);
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.cache_id > MOCK_DEV_CACHE_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		xiommu_viommu_lock(viommu);
		mdev = to_mock_dev(xiommu_viommu_find_dev(viommu, inv.vdev_id));
		if (mdev)
			mock_dev_cache_reset(mdev, inv.flags, inv.cache_id);
		xiommu_viommu_unlock(viommu);
		if (!mdev) {
			rc = -EINVAL;
			break;
		}
	}
out:
	array->entry_num = done;
	return rc;
}

static int mock_viommu_vdevice_init(struct xiommu_viommu *viommu,
				    struct device *dev, u64 virt_id)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (!mdev)
		return -EINVAL;
	mutex_lock(&mdev->vlock);
	mdev->viommu = to_mock_viommu(viommu);
	mdev->vdev_id = virt_id;
	mutex_unlock(&mdev->vlock);
	return 0;
}

static void mock_viommu_vdevice_destroy(struct xiommu_viommu *viommu,
					struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	mutex_lock(&mdev->vlock);
	mdev->viommu = NULL;
	mdev->vdev_id = 0;
	mutex_unlock(&mdev->vlock);
}

static bool mock_viommu_hw_queue_supported(struct xiommu_viommu *viommu,
					   u32 type)
{
	return type == IOMMU_HW_QUEUE_TYPE_SELFTEST;
}

/*
 * Queues are numbered from 0 up (index MAX or more: EINVAL; a gap: EIO;
 * taken: EEXIST, upstream's rules) and each depends on the one below.
 */
static int mock_viommu_hw_queue_init(struct xiommu_viommu *viommu,
				     struct xiommu_hw_queue *queue,
				     phys_addr_t base_pa)
{
	struct mock_viommu *mv = to_mock_viommu(viommu);
	u32 index = queue->index;
	int rc = 0;

	if (index >= IOMMU_TEST_HW_QUEUE_MAX)
		return -EINVAL;
	mutex_lock(&mv->qlock);
	if (mv->hw_queue[index]) {
		rc = -EEXIST;
	} else if (index && !mv->hw_queue[index - 1]) {
		rc = -EIO;
	} else {
		if (index)
			xiommu_hw_queue_depend(queue, mv->hw_queue[index - 1]);
		mv->hw_queue[index] = queue;
	}
	mutex_unlock(&mv->qlock);
	return rc;
}

static void mock_viommu_hw_queue_destroy(struct xiommu_viommu *viommu,
					 struct xiommu_hw_queue *queue)
{
	struct mock_viommu *mv = to_mock_viommu(viommu);
	u32 index = queue->index;

	mutex_lock(&mv->qlock);
	mv->hw_queue[index] = NULL;
	if (index)
		xiommu_hw_queue_undepend(queue, mv->hw_queue[index - 1]);
	mutex_unlock(&mv->qlock);
}

static const struct xiommu_viommu_ops mock_viommu_ops = {
	.free = mock_viommu_free,
	.init = mock_viommu_init,
	.alloc_domain_nested = mock_viommu_alloc_domain_nested,
	.cache_invalidate = mock_viommu_cache_invalidate,
	.vdevice_init = mock_viommu_vdevice_init,
	.vdevice_destroy = mock_viommu_vdevice_destroy,
	.hw_queue_supported = mock_viommu_hw_queue_supported,
	.hw_queue_init = mock_viommu_hw_queue_init,
	.hw_queue_destroy = mock_viommu_hw_queue_destroy,
};

/*
 * IOMMU_VIOMMU_ALLOC of IOMMU_VIOMMU_TYPE_SELFTEST on a mock paging
 * parent. Optional data (struct iommu_viommu_selftest): out_data returns
 * in_data and out_mmap_* two pages to mmap() holding in_data
 * (mock_viommu_init()).
 */
static struct xiommu_viommu *
mock_viommu_alloc(struct device *dev, struct xiommu_domain *parent, u32 type,
		  const struct xiommu_user_data *data)
{
	struct iommu_viommu_selftest cfg = {};
	struct mock_viommu *mv;
	int rc;

	if (type != IOMMU_VIOMMU_TYPE_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	if (!to_mock_paging(parent))
		return ERR_PTR(-EINVAL);
	if (data) {
		rc = xiommu_copy_struct_from_user(
			&cfg, sizeof(cfg),
			offsetofend(struct iommu_viommu_selftest, out_data),
			data, IOMMU_VIOMMU_TYPE_SELFTEST);
		if (rc)
			return ERR_PTR(rc);
	}
	mv = kzalloc(sizeof(*mv), GFP_KERNEL_ACCOUNT);
	if (!mv)
		return ERR_PTR(-ENOMEM);
	mv->in_data = cfg.in_data;
	mv->unit = to_mock_dev(dev)->unit;
	mutex_init(&mv->qlock);
	mv->core.ops = &mock_viommu_ops;
	return &mv->core;
}

/* ---- unit ops ---- */

/*
 * Called by the core with its registry lock held: must not call back into
 * the core (xiommu_endpoint_*() take that lock).
 */
static int mock_probe_device(struct xiommu_device *iommu, struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (!mdev || &mdev->unit->iommu != iommu)
		return -ENODEV;
	return 0;
}

static void mock_release_device(struct device *dev)
{
}

static struct xiommu_group *mock_device_group(struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	if (mdev && mdev->group_peer)
		return xiommu_endpoint_group_get(mdev->group_peer);
	return xiommu_generic_device_group(dev);
}

static bool mock_capable(struct device *dev, enum xiommu_cap cap)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	switch (cap) {
	case XIOMMU_CAP_IOMMUFD:
		return mdev && !mdev->unit->cfg->no_iommufd;
	case XIOMMU_CAP_CACHE_COHERENCY:
	case XIOMMU_CAP_INTR_ISOLATION:
	case XIOMMU_CAP_NEST_PARENT:
		return true;
	case XIOMMU_CAP_DIRTY_TRACKING:
		return mdev && !(mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY);
	default:
		return false;
	}
}

static u8 mock_max_pasid_log2(struct device *dev)
{
	struct mock_dev *mdev = to_mock_dev(dev);

	return mdev && (mdev->flags & MOCK_FLAGS_DEVICE_PASID) ?
		       MOCK_PASID_WIDTH : 0;
}

static void mock_get_resv_regions(struct device *dev, struct list_head *head)
{
	/* Mock devices have no reserved IOVA and no MSI window. */
}

static int mock_hw_info(struct device *dev, void *data, size_t len, u32 *type)
{
	struct iommu_test_hw_info info = {
		.flags = 0,
		.test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL,
	};

	memcpy(data, &info, min(len, sizeof(info)));
	*type = IOMMU_HW_INFO_TYPE_SELFTEST;
	return sizeof(info);
}

static const struct xiommu_ops mock_ops_template = {
	.owner = THIS_MODULE,
	.name = "mock",
	.probe_device = mock_probe_device,
	.release_device = mock_release_device,
	.device_group = mock_device_group,
	.capable = mock_capable,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_alloc_paging_user = mock_domain_alloc_paging_user,
	.domain_alloc_nested = mock_domain_alloc_nested,
	.get_resv_regions = mock_get_resv_regions,
	.hw_info = mock_hw_info,
	.max_pasid_log2 = mock_max_pasid_log2,
	.viommu_alloc = mock_viommu_alloc,
	/* nested domains stand for a guest's stage 1 with its PASID table */
	.user_pasid_table = true,
};

/* ---- mock devices ---- */

static void mock_dev_release(struct device *dev)
{
	struct mock_dev *mdev = container_of(dev, struct mock_dev, dev);

	/* The core removed every PASID before the device could go. */
	if (!xa_empty(&mdev->pasids))
		mock_violation(mdev->unit, "device released with a PASID attached",
			       0);
	xa_destroy(&mdev->pasids);
	ida_free(&mock_dev_ida, mdev->id);
	kfree(mdev);
	if (atomic_dec_and_test(&mock_dev_count))
		wake_up(&mock_dev_wq);
}

/**
 * mock_dev_create() - add a device translated by @unit to the mock bus
 * @unit: the unit that must translate it
 * @group_peer: a device of @unit whose group the new one joins, or NULL
 *	for a group of its own; the caller keeps it alive during the call
 * @flags: MOCK_FLAGS_DEVICE_* (the caller checked them)
 *
 * The core probes the device while it is added; the device is an endpoint
 * of its group, attached to the group's current domain, on return.
 *
 * Context: process context, may sleep.
 * Return: the device, or ERR_PTR(-EINVAL) (@group_peer of another unit),
 * ERR_PTR(-ENOMEM) (also when the core could not take it: its endpoint
 * or group allocation failed).
 */
struct mock_dev *mock_dev_create(struct mock_unit *unit,
				 struct mock_dev *group_peer, u32 flags)
{
	struct mock_dev *mdev;
	int i, rc;

	/* A group never spans units. */
	if (group_peer && group_peer->unit != unit)
		return ERR_PTR(-EINVAL);

	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL_ACCOUNT);
	if (!mdev)
		return ERR_PTR(-ENOMEM);
	mdev->id = ida_alloc(&mock_dev_ida, GFP_KERNEL);
	if (mdev->id < 0) {
		rc = mdev->id;
		kfree(mdev);
		return ERR_PTR(rc);
	}
	atomic_inc(&mock_dev_count);
	mdev->unit = unit;
	mdev->flags = flags;
	xa_init(&mdev->pasids);
	mutex_init(&mdev->vlock);
	/* the device's own cache (DEV_CHECK_CACHE), as a device comes up */
	for (i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		mdev->cache[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
	mdev->group_peer = group_peer ? &group_peer->dev : NULL;
	device_initialize(&mdev->dev);
	mdev->dev.bus = &mock_bus;
	mdev->dev.release = mock_dev_release;
	/* From here on the release function frees mdev and the id. */
	rc = dev_set_name(&mdev->dev, "xiommu_mock%d", mdev->id);
	if (rc)
		goto err_put;
	rc = device_add(&mdev->dev);
	if (rc)
		goto err_put;
	/* Only needed while the core forms the group. */
	mdev->group_peer = NULL;
	/*
	 * The core takes every device of a registered unit (the peer is
	 * alive and of the same unit): only an allocation can have failed.
	 */
	if (xiommu_endpoint_iommu(&mdev->dev) != &unit->iommu) {
		rc = -ENOMEM;
		goto err_del;
	}
	return mdev;

err_del:
	device_del(&mdev->dev);
err_put:
	put_device(&mdev->dev);
	return ERR_PTR(rc);
}

/**
 * mock_dev_destroy() - remove a mock device
 * @mdev: from mock_dev_create(); must be unbound from every iommufd
 */
void mock_dev_destroy(struct mock_dev *mdev)
{
	device_unregister(&mdev->dev);
}

/**
 * mock_dev_bind_driver() - bind or unbind the mock kernel driver
 * @mdev: a mock device
 * @bind: true to bind xiommu_mock_drv, false to unbind whatever is bound
 *
 * Context: process context, may sleep; takes the device lock.
 * Return: 0, or -EBUSY when binding a device that has a driver.
 */
int mock_dev_bind_driver(struct mock_dev *mdev, bool bind)
{
	if (!bind) {
		device_release_driver(&mdev->dev);
		return 0;
	}
	return device_driver_attach(&mock_drv, &mdev->dev);
}

/**
 * mock_default_unit() - the unit of IOMMU_TEST_OP_MOCK_DOMAIN devices
 */
struct mock_unit *mock_default_unit(void)
{
	return &mock_units[0];
}

/**
 * mock_unit_get() - a mock unit by index
 * @index: 0 for mock0, ...
 *
 * Return: the unit, or NULL if there is no such unit.
 */
struct mock_unit *mock_unit_get(unsigned int index)
{
	return index < ARRAY_SIZE(mock_units) ? &mock_units[index] : NULL;
}

/* ---- module ---- */

static int violations_get(void *data, u64 *val)
{
	struct mock_unit *unit = data;

	*val = atomic_read(&unit->violations);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(violations_fops, violations_get, NULL, "%llu\n");

static int mock_unit_register(struct mock_unit *unit,
			      const struct mock_unit_cfg *cfg)
{
	int rc;

	unit->cfg = cfg;
	unit->ops = mock_ops_template;
	unit->blocked.type = XIOMMU_DOMAIN_BLOCKED;
	unit->blocked.ops = &mock_blocked_domain_ops;
	unit->blocked.owner = &unit->iommu;
	unit->identity.type = XIOMMU_DOMAIN_IDENTITY;
	unit->identity.ops = &mock_static_domain_ops;
	unit->identity.owner = &unit->iommu;
	unit->ops.blocked_domain = &unit->blocked;
	unit->ops.identity_domain = &unit->identity;
	atomic_set(&unit->violations, 0);

	unit->iommu.ops = &unit->ops;
	unit->iommu.bus = &mock_bus;
	strscpy(unit->iommu.name, cfg->name, sizeof(unit->iommu.name));

	rc = xiommu_device_register(&unit->iommu);
	if (rc)
		return rc;
	debugfs_create_file("violations", 0444,
			    xiommu_debugfs_dir(&unit->iommu), unit,
			    &violations_fops);
	return 0;
}

static int __init mock_init(void)
{
	unsigned int i;
	int rc;

	rc = bus_register(&mock_bus);
	if (rc)
		return rc;
	rc = driver_register(&mock_drv);
	if (rc)
		goto err_bus;

	for (i = 0; i != ARRAY_SIZE(mock_units); i++) {
		rc = mock_unit_register(&mock_units[i], &mock_cfgs[i]);
		if (rc)
			goto err_unregister_units;
	}

	rc = mock_test_init();
	if (rc)
		goto err_unregister_units;
	return 0;

err_unregister_units:
	while (i--)
		xiommu_device_unregister(&mock_units[i].iommu);
	driver_unregister(&mock_drv);
err_bus:
	bus_unregister(&mock_bus);
	return rc;
}

static void __exit mock_exit(void)
{
	unsigned int i = ARRAY_SIZE(mock_units);

	/*
	 * Every selftest device object pins this module, so no mock device
	 * is bound here; wait for references others still hold on released
	 * devices (their release function lives in this module).
	 */
	mock_test_exit();
	wait_event(mock_dev_wq, !atomic_read(&mock_dev_count));
	while (i--)
		xiommu_device_unregister(&mock_units[i].iommu);
	driver_unregister(&mock_drv);
	bus_unregister(&mock_bus);
	ida_destroy(&mock_dev_ida);
}

module_init(mock_init);
module_exit(mock_exit);

MODULE_DESCRIPTION("xiommu mock IOMMU and IOMMU_TEST_CMD");
MODULE_LICENSE("GPL");
