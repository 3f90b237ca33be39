// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fakes for the core's KUnit suites: see kunit_fake.h.
 *
 * Everything here runs in the test module, single-threaded from the
 * suites' point of view (one test case at a time), so the counters need
 * no locking beyond what the core itself guarantees for driver ops.
 */
#include <linux/bitfield.h>
#include <linux/idr.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "iommu_lite.h"
#include "kunit_fake.h"

atomic_t kfake_violations = ATOMIC_INIT(0);

static void kfake_violation(const char *what, unsigned long iova)
{
	atomic_inc(&kfake_violations);
	pr_err("xiommu_kunit: driver contract broken: %s at %#lx\n", what,
	       iova);
}

/* ------------------------------------------------------------------------
 * Paging domains
 */
static const struct xiommu_domain_ops kfake_paging_ops;

/**
 * to_kfake_domain() - the fake behind a core domain
 * @domain: any domain
 *
 * Return: the fake paging domain, or NULL if @domain is not one.
 */
struct kfake_domain *to_kfake_domain(struct xiommu_domain *domain)
{
	if (!domain || domain->ops != &kfake_paging_ops)
		return NULL;
	return container_of(domain, struct kfake_domain, domain);
}

static unsigned long kfake_pte(phys_addr_t paddr, int prot, bool head,
			       unsigned int order)
{
	return ((unsigned long)(paddr >> 12) << KFAKE_PTE_PFN_SHIFT) |
	       FIELD_PREP(KFAKE_PTE_PROT, prot) |
	       (head ? KFAKE_PTE_HEAD : 0) |
	       FIELD_PREP(KFAKE_PTE_ORDER, order);
}

static void kfake_erase(struct kfake_domain *fd, unsigned long first,
			unsigned long last)
{
	XA_STATE(xas, &fd->ptes, first);
	void *entry;

	xas_lock(&xas);
	xas_for_each(&xas, entry, last)
		xas_store(&xas, NULL);
	xas_unlock(&xas);
}

static int kfake_map_pages(struct xiommu_domain *domain, unsigned long iova,
			   phys_addr_t paddr, size_t pgsize, size_t pgcount,
			   int prot, gfp_t gfp, size_t *mapped)
{
	struct kfake_domain *fd = to_kfake_domain(domain);
	unsigned long n = pgsize / SZ_4K, size, last, idx, i;
	unsigned int order;
	int rc;

	fd->map_calls++;
	if (!is_power_of_2(pgsize) || !(pgsize & domain->pgsize_bitmap) ||
	    pgsize < SZ_4K || !IS_ALIGNED(iova | paddr, pgsize) || !pgcount ||
	    check_mul_overflow((unsigned long)pgsize, (unsigned long)pgcount,
			       &size) ||
	    check_add_overflow(iova, size - 1, &last)) {
		kfake_violation("map_pages with a bad size or alignment", iova);
		return -EINVAL;
	}
	if (iova < domain->geometry.aperture_start ||
	    last > domain->geometry.aperture_end) {
		kfake_violation("map_pages outside the aperture", iova);
		return -EINVAL;
	}
	if (fd->fail_map_at && fd->map_calls == fd->fail_map_at)
		return -ENOMEM;
	fd->pgsizes |= pgsize;
	order = ilog2(n);

	for (; pgcount; pgcount--) {
		idx = iova / SZ_4K;
		for (i = 0; i < n; i++) {
			rc = xa_insert(&fd->ptes, idx + i,
				       xa_mk_value(kfake_pte(paddr + i * SZ_4K,
							     prot, !i, order)),
				       gfp);
			if (rc) {
				if (i)
					kfake_erase(fd, idx, idx + i - 1);
				if (rc == -EBUSY) {
					kfake_violation("map over a present IOPTE",
							iova + i * SZ_4K);
					return -EEXIST;
				}
				return rc;
			}
		}
		*mapped += pgsize;
		iova += pgsize;
		paddr += pgsize;
	}
	return 0;
}

static bool kfake_is_tail(struct kfake_domain *fd, unsigned long idx)
{
	void *entry = xa_load(&fd->ptes, idx);

	return entry && !(xa_to_value(entry) & KFAKE_PTE_HEAD);
}

static size_t kfake_unmap_pages(struct xiommu_domain *domain,
				unsigned long iova, size_t pgsize,
				size_t pgcount,
				struct xiommu_iotlb_gather *gather)
{
	struct kfake_domain *fd = to_kfake_domain(domain);
	unsigned long first = iova / SZ_4K, last, idx;
	size_t size = pgsize * pgcount, present = 0;

	if (!size || !IS_ALIGNED(iova | size, SZ_4K)) {
		kfake_violation("unmap_pages with a bad size or alignment",
				iova);
		return 0;
	}
	last = first + size / SZ_4K - 1;
	if (kfake_is_tail(fd, first))
		kfake_violation("unmap starts inside an IOPTE", iova);
	if (kfake_is_tail(fd, last + 1))
		kfake_violation("unmap ends inside an IOPTE", iova + size);
	for (idx = first; idx <= last; idx++)
		if (xa_load(&fd->ptes, idx))
			present += SZ_4K;
	/* The core only unmaps what it mapped. */
	if (present != size)
		kfake_violation("unmap of IOVA that is not mapped", iova);
	kfake_erase(fd, first, last);
	xiommu_iotlb_gather_add(gather, iova, size);
	return present;
}

static void kfake_iotlb_sync(struct xiommu_domain *domain,
			     struct xiommu_iotlb_gather *gather)
{
	to_kfake_domain(domain)->syncs++;
}

static int kfake_iotlb_sync_map(struct xiommu_domain *domain,
				unsigned long iova, size_t size)
{
	struct kfake_domain *fd = to_kfake_domain(domain);

	fd->sync_maps++;
	return fd->fail_sync_map;
}

/**
 * kfake_domain_lookup() - what the fake domain maps at an IOVA
 * @fd: the domain
 * @iova: IOVA
 * @paddr: returns the physical address @iova translates to
 * @prot: returns the IOPTE's XIOMMU_READ/WRITE/CACHE bits
 * @pgsize: returns the size of the IOPTE containing @iova
 *
 * Return: true if @iova is mapped.
 */
bool kfake_domain_lookup(struct kfake_domain *fd, unsigned long iova,
			 phys_addr_t *paddr, int *prot, size_t *pgsize)
{
	void *entry = xa_load(&fd->ptes, iova / SZ_4K);
	unsigned long pte;

	if (!entry)
		return false;
	pte = xa_to_value(entry);
	*paddr = ((phys_addr_t)(pte >> KFAKE_PTE_PFN_SHIFT) << 12) +
		 (iova & (SZ_4K - 1));
	*prot = FIELD_GET(KFAKE_PTE_PROT, pte);
	*pgsize = SZ_4K << FIELD_GET(KFAKE_PTE_ORDER, pte);
	return true;
}

/**
 * kfake_domain_mapped_bytes() - bytes of IOVA the fake domain maps
 * @fd: the domain
 *
 * Return: the count.
 */
unsigned long kfake_domain_mapped_bytes(struct kfake_domain *fd)
{
	unsigned long index, n = 0;
	void *entry;

	xa_for_each(&fd->ptes, index, entry)
		n++;
	return n * SZ_4K;
}

static phys_addr_t kfake_iova_to_phys(struct xiommu_domain *domain,
				      dma_addr_t iova)
{
	phys_addr_t paddr;
	size_t pgsize;
	int prot;

	if (!kfake_domain_lookup(to_kfake_domain(domain), iova, &paddr, &prot,
				 &pgsize))
		return 0;
	return paddr;
}

static bool kfake_enforce_cc(struct xiommu_domain *domain)
{
	struct kfake_domain *fd = to_kfake_domain(domain);

	fd->cc_enforced = fd->cc_capable;
	return fd->cc_enforced;
}

static void kfake_domain_free(struct xiommu_domain *domain)
{
	struct kfake_domain *fd = to_kfake_domain(domain);

	if (!xa_empty(&fd->ptes))
		kfake_violation("domain freed while it maps something",
				domain->geometry.aperture_start);
	xa_destroy(&fd->ptes);
	if (fd->unit)
		atomic_dec(&fd->unit->domains_alive);
	kfree(fd);
}

static int kfake_attach_dev(struct xiommu_domain *domain, struct device *dev);

static const struct xiommu_domain_ops kfake_paging_ops = {
	.attach_dev = kfake_attach_dev,
	.map_pages = kfake_map_pages,
	.unmap_pages = kfake_unmap_pages,
	.iotlb_sync = kfake_iotlb_sync,
	.iotlb_sync_map = kfake_iotlb_sync_map,
	.iova_to_phys = kfake_iova_to_phys,
	.enforce_cache_coherency = kfake_enforce_cc,
	.free = kfake_domain_free,
};

static struct kfake_domain *kfake_domain_new(unsigned long pgsize_bitmap,
					     dma_addr_t aperture_start,
					     dma_addr_t aperture_end)
{
	struct kfake_domain *fd = kzalloc(sizeof(*fd), GFP_KERNEL);

	if (!fd)
		return NULL;
	xa_init(&fd->ptes);
	fd->domain.type = XIOMMU_DOMAIN_PAGING;
	fd->domain.ops = &kfake_paging_ops;
	fd->domain.pgsize_bitmap = pgsize_bitmap;
	fd->domain.geometry.aperture_start = aperture_start;
	fd->domain.geometry.aperture_end = aperture_end;
	return fd;
}

/**
 * kfake_domain_create() - a paging domain that belongs to no unit
 * @pgsize_bitmap: IOPTE sizes (each at least SZ_4K)
 * @aperture_start: first IOVA it translates
 * @aperture_end: last IOVA (inclusive)
 *
 * For io_pagetable tests that need a domain but no device.
 *
 * Return: the domain, or NULL without memory.
 */
struct kfake_domain *kfake_domain_create(unsigned long pgsize_bitmap,
					 dma_addr_t aperture_start,
					 dma_addr_t aperture_end)
{
	return kfake_domain_new(pgsize_bitmap, aperture_start, aperture_end);
}

/**
 * kfake_domain_destroy() - free a domain from kfake_domain_create()
 * @fd: the domain, attached to nothing, mirroring no io_pagetable
 */
void kfake_domain_destroy(struct kfake_domain *fd)
{
	fd->domain.ops->free(&fd->domain);
}

/* ------------------------------------------------------------------------
 * The test bus, its driver, units and devices
 */
static DEFINE_IDA(kfake_dev_ida);

static int kfake_match(struct device *dev, struct device_driver *drv);

static struct bus_type kfake_bus = {
	.name = "xiommu_kunit",
	.match = kfake_match,
};

static struct kfake_dev *to_kfake_dev(struct device *dev)
{
	if (!dev || dev->bus != &kfake_bus)
		return NULL;
	return container_of(dev, struct kfake_dev, dev);
}

static int kfake_match(struct device *dev, struct device_driver *drv)
{
	struct kfake_dev *fdev = to_kfake_dev(dev);

	return fdev && fdev->bindable;
}

/* Records what the "hardware" translates the device with as probe runs. */
static int kfake_drv_probe(struct device *dev)
{
	struct kfake_dev *fdev = to_kfake_dev(dev);

	if (fdev)
		fdev->probe_domain = fdev->domain;
	return 0;
}

/*
 * A driver that does not manage DMA through xiommu: binding it to a
 * member of a user-owned group must trip the fail-closed path.
 */
struct device_driver kfake_driver = {
	.name = "xiommu_kunit_drv",
	.bus = &kfake_bus,
	.probe = kfake_drv_probe,
	.suppress_bind_attrs = true,
};

static bool kfake_bus_registered;

/**
 * kfake_bus_init() - register the test bus and its driver (once)
 *
 * Called from suite_init: suites of a module run before its init function.
 * kfake_bus_exit() at module exit undoes it.
 *
 * Return: 0 or the errno of bus_register()/driver_register().
 */
int kfake_bus_init(void)
{
	int rc;

	if (kfake_bus_registered)
		return 0;
	rc = bus_register(&kfake_bus);
	if (rc)
		return rc;
	rc = driver_register(&kfake_driver);
	if (rc) {
		bus_unregister(&kfake_bus);
		return rc;
	}
	kfake_bus_registered = true;
	return 0;
}

/**
 * kfake_bus_exit() - unregister the test bus, if registered
 */
void kfake_bus_exit(void)
{
	if (!kfake_bus_registered)
		return;
	driver_unregister(&kfake_driver);
	bus_unregister(&kfake_bus);
	kfake_bus_registered = false;
}

static int kfake_attach_dev(struct xiommu_domain *domain, struct device *dev)
{
	struct kfake_dev *fdev = to_kfake_dev(dev);

	if (!fdev) {
		kfake_violation("attach_dev of a device of another bus", 0);
		return -EINVAL;
	}
	if (domain->type == XIOMMU_DOMAIN_PAGING) {
		/* The core's ops check must have refused this already. */
		if (domain->owner != &fdev->unit->iommu) {
			kfake_violation("attach of another unit's domain", 0);
			return -EINVAL;
		}
	} else if (domain != &fdev->unit->blocked &&
		   domain != &fdev->unit->identity) {
		kfake_violation("attach of another unit's static domain", 0);
		return -EINVAL;
	}
	if (fdev->fail_attach_to == domain)
		return fdev->fail_errno;
	fdev->domain = domain;
	fdev->attach_calls++;
	return 0;
}

static const struct xiommu_domain_ops kfake_static_ops = {
	.attach_dev = kfake_attach_dev,
};

/* Called with the core's registry lock held: no calls back into the core. */
static int kfake_probe_device(struct xiommu_device *iommu, struct device *dev)
{
	struct kfake_dev *fdev = to_kfake_dev(dev);

	if (!fdev || &fdev->unit->iommu != iommu)
		return -ENODEV;
	return 0;
}

static void kfake_release_device(struct device *dev)
{
}

static struct xiommu_group *kfake_device_group(struct device *dev)
{
	struct kfake_dev *fdev = to_kfake_dev(dev);
	struct xiommu_group *group;

	if (fdev->group_with) {
		group = fdev->group_with->group;
		if (!group)
			return ERR_PTR(-ENODEV);
		/* The reference goes to the core, as for a new group. */
		kref_get(&group->kref);
	} else {
		group = xiommu_generic_device_group(dev);
		if (IS_ERR(group))
			return group;
	}
	fdev->group = group;
	return group;
}

static bool kfake_capable(struct device *dev, enum xiommu_cap cap)
{
	return to_kfake_dev(dev)->caps & BIT(cap);
}

static struct xiommu_domain *kfake_domain_alloc_paging(struct device *dev,
						       u32 flags)
{
	struct kfake_dev *fdev = to_kfake_dev(dev);
	struct kfake_unit *unit = fdev->unit;
	struct kfake_domain *fd;

	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	fd = kfake_domain_new(unit->pgsize_bitmap, unit->aperture_start,
			      unit->aperture_end);
	if (!fd)
		return ERR_PTR(-ENOMEM);
	fd->unit = unit;
	fd->cc_capable = unit->cc_capable;
	atomic_inc(&unit->domains_allocated);
	atomic_inc(&unit->domains_alive);
	return &fd->domain;
}

static void kfake_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct kfake_dev *fdev = to_kfake_dev(dev);
	struct xiommu_resv_region *r;

	if (!fdev->resv_length)
		return;
	r = xiommu_alloc_resv_region(fdev->resv_start, fdev->resv_length,
				     XIOMMU_RESV_MSI, GFP_KERNEL);
	if (r)
		list_add_tail(&r->list, head);
}

/**
 * kfake_unit_register() - register a fake unit with the core
 * @unit: zeroed except for the geometry and option fields
 * @name: unique unit name
 *
 * Devices on the test bus are offered to it as they are added.
 *
 * Return: 0 or xiommu_device_register()'s errno.
 */
int kfake_unit_register(struct kfake_unit *unit, const char *name)
{
	int rc;

	unit->ops.owner = THIS_MODULE;
	unit->ops.name = "kunit";
	unit->ops.probe_device = kfake_probe_device;
	unit->ops.release_device = kfake_release_device;
	unit->ops.device_group = kfake_device_group;
	unit->ops.capable = kfake_capable;
	if (!unit->no_paging)
		unit->ops.domain_alloc_paging = kfake_domain_alloc_paging;
	unit->ops.get_resv_regions = kfake_get_resv_regions;
	unit->blocked.ops = &kfake_static_ops;
	unit->identity.ops = &kfake_static_ops;
	unit->ops.blocked_domain = &unit->blocked;
	if (!unit->no_identity)
		unit->ops.identity_domain = &unit->identity;
	atomic_set(&unit->domains_allocated, 0);
	atomic_set(&unit->domains_alive, 0);

	unit->iommu.ops = &unit->ops;
	unit->iommu.bus = &kfake_bus;
	strscpy(unit->iommu.name, name, sizeof(unit->iommu.name));
	rc = xiommu_device_register(&unit->iommu);
	unit->registered = !rc;
	return rc;
}

/**
 * kfake_unit_unregister() - undo kfake_unit_register(), if it succeeded
 * @unit: the unit; none of its groups may be owned
 */
void kfake_unit_unregister(struct kfake_unit *unit)
{
	if (!unit->registered)
		return;
	xiommu_device_unregister(&unit->iommu);
	unit->registered = false;
}

static void kfake_dev_release(struct device *dev)
{
	struct kfake_dev *fdev = container_of(dev, struct kfake_dev, dev);

	ida_free(&kfake_dev_ida, fdev->id);
	kfree(fdev);
}

/**
 * kfake_dev_add() - add a device to the test bus
 * @unit: the unit that translates it (registered)
 * @group_with: a device whose group it joins, or NULL
 * @caps: BIT(enum xiommu_cap) mask its unit reports
 *
 * The core probes the device while it is added.
 *
 * Return: the device, or an ERR_PTR: -ENOMEM; -ENODEV if it did not
 * become an endpoint of @unit (e.g. @group_with is on another unit; the
 * device is then removed again).
 */
struct kfake_dev *kfake_dev_add(struct kfake_unit *unit,
				struct kfake_dev *group_with,
				unsigned long caps)
{
	struct kfake_dev *fdev;
	int id, rc;

	fdev = kzalloc(sizeof(*fdev), GFP_KERNEL);
	if (!fdev)
		return ERR_PTR(-ENOMEM);
	id = ida_alloc(&kfake_dev_ida, GFP_KERNEL);
	if (id < 0) {
		kfree(fdev);
		return ERR_PTR(id);
	}
	fdev->unit = unit;
	fdev->group_with = group_with;
	fdev->caps = caps;
	device_initialize(&fdev->dev);
	fdev->dev.bus = &kfake_bus;
	fdev->dev.release = kfake_dev_release;
	fdev->id = id;
	/* From here on the release function frees fdev and the id. */
	rc = dev_set_name(&fdev->dev, "xkunit%d", id);
	if (rc)
		goto err_put;
	rc = device_add(&fdev->dev);
	if (rc)
		goto err_put;
	if (xiommu_endpoint_iommu(&fdev->dev) != &unit->iommu) {
		rc = -ENODEV;
		goto err_del;
	}
	return fdev;

err_del:
	device_del(&fdev->dev);
err_put:
	put_device(&fdev->dev);
	return ERR_PTR(rc);
}

/**
 * kfake_dev_remove() - remove a device from the test bus
 * @fdev: from kfake_dev_add(); bound to no iommufd context
 */
void kfake_dev_remove(struct kfake_dev *fdev)
{
	device_unregister(&fdev->dev);
}

static void __exit kfake_exit(void)
{
	kfake_bus_exit();
}
module_exit(kfake_exit);

MODULE_DESCRIPTION("xiommu: KUnit suites of the core (io_pagetable, groups, objects)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
