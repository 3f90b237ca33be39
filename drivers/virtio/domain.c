// SPDX-License-Identifier: GPL-2.0-only
/*
 * Domains of the virtio-iommu driver.
 *
 * A virtio-iommu keeps its domains itself: the driver names a domain by a
 * 32-bit ID, the device creates it with the first ATTACH of an endpoint
 * and destroys it, with all its mappings, when the last endpoint leaves
 * (DETACH, or an ATTACH of that endpoint to another domain, which the
 * device treats as DETACH + ATTACH). Mappings are ranges: one MAP request
 * maps [virt_start, virt_end] to phys_start..., one UNMAP request removes
 * every mapping inside its range (virtio spec "ATTACH request", "DETACH
 * request", "MAP request", "UNMAP request"). There is no page table to
 * write, so this file keeps, per domain, the ranges it asked for
 * (struct viommu_mapping in an interval tree): to answer iova_to_phys, to
 * replay them when the device has forgotten the domain, and to know which
 * ranges an UNMAP covers.
 *
 * Kinds of domain (enum viommu_domain_kind):
 *  - identity (static, xiommu's view): the unit's bypass domain, an ATTACH
 *    with VIRTIO_IOMMU_ATTACH_F_BYPASS when VIRTIO_IOMMU_F_BYPASS_CONFIG
 *    was negotiated; with only the older VIRTIO_IOMMU_F_BYPASS, identity
 *    means "not attached" (DETACH), since unattached endpoints bypass;
 *  - blocked (static): the unit's empty domain. Nothing is ever mapped in
 *    it, so its endpoints reach nothing but their reserved MSI window.
 *    (DETACH would not block: unattached endpoints bypass when the
 *    device's bypass switch is on.)
 *  - paging: one device-side domain per struct viommu_domain, with an ID
 *    from the unit's ida.
 *
 * Paging domains advertise only the granule (the page size the device
 * needs, at least PAGE_SIZE) in pgsize_bitmap: the core then hands each
 * physically contiguous run to map_pages in one call, which becomes one
 * MAP request for the whole run. The larger sizes of page_size_mask are
 * only efficiency hints of the device (virtio spec "Device operations")
 * and a range mapping has no use for them.
 *
 * Batching: map_pages and unmap_pages only queue their request
 * (request.c); iotlb_sync_map and iotlb_sync send the batch with one
 * notification and wait. An attach that creates the domain on the device
 * queues the ATTACH and a MAP for every mapping, and waits once.
 *
 * Endpoint IDs, not devices, are what the device attaches: the per-unit
 * table of struct viommu_epid records where each ID is attached now, so
 *  - an ID already in the target domain gets no ATTACH (two devices behind
 *    one PCIe-to-PCI bridge share the bridge's ID; re-attaching it would
 *    make the device detach it first, destroy the domain if it was its
 *    last endpoint and recreate it empty);
 *  - each domain counts its attached IDs (nr_attached): while it is 0 the
 *    device does not hold the domain, MAP/UNMAP are not sent, and the
 *    next attach replays every mapping.
 *
 * Replace: the device moves an endpoint with one ATTACH, so no DMA
 * escapes between the old and the new domain. When the new domain does
 * not exist on the device yet, the ATTACH creates it empty and the MAPs of
 * the replay follow in the same batch: DMA issued in between faults
 * (never reaches the wrong memory); QEMU handles the whole batch in one
 * go, so nothing can come in between there. The spec has no way to fill a
 * domain before its first endpoint arrives.
 *
 * Locking: see struct viommu_unit. Every domain lock has one lock class;
 * two are taken (old and new domain of a move) in address order.
 */
#define pr_fmt(fmt) "xiommu_virtio: " fmt

#include <linux/seq_file.h>
#include <linux/slab.h>

#include "viommu.h"

static const struct xiommu_domain_ops viommu_paging_ops;

/* One place initialises every domain lock: one lock class for all. */
static void viommu_domain_init(struct viommu_domain *vdom,
			       struct viommu_unit *unit,
			       enum viommu_domain_kind kind, u32 id)
{
	vdom->unit = unit;
	vdom->kind = kind;
	vdom->id = id;
	mutex_init(&vdom->lock);
	vdom->mappings = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&vdom->node);
}

/**
 * viommu_domains_init() - set up a unit's static domains
 * @unit: the unit; domain_start has been read from the device
 *
 * The blocked domain gets the first domain ID of the device's range, the
 * bypass domain the second; paging domains take the rest.
 */
void viommu_domains_init(struct viommu_unit *unit)
{
	viommu_domain_init(&unit->blocked, unit, VIOMMU_DOM_BLOCKED,
			   unit->domain_start);
	viommu_domain_init(&unit->bypass, unit, VIOMMU_DOM_BYPASS,
			   unit->domain_start + 1);
	ida_init(&unit->domain_ids);
	mutex_init(&unit->dom_lock);
	INIT_LIST_HEAD(&unit->domains);
	mutex_init(&unit->attach_lock);
	xa_init(&unit->ids);
}

static const char *viommu_kind_name(const struct viommu_domain *vdom)
{
	if (!vdom)
		return "none";
	switch (vdom->kind) {
	case VIOMMU_DOM_BLOCKED:
		return "blocked";
	case VIOMMU_DOM_BYPASS:
		return "bypass";
	default:
		return "paging";
	}
}

/* Lock two domains (either may be NULL) in address order. */
static void viommu_lock_two(struct viommu_domain *a, struct viommu_domain *b)
{
	if (a && b && b < a)
		swap(a, b);
	if (a)
		mutex_lock(&a->lock);
	if (b)
		mutex_lock_nested(&b->lock, SINGLE_DEPTH_NESTING);
}

static void viommu_unlock_two(struct viommu_domain *a, struct viommu_domain *b)
{
	if (a)
		mutex_unlock(&a->lock);
	if (b)
		mutex_unlock(&b->lock);
}

static struct viommu_mapping *to_mapping(struct interval_tree_node *node)
{
	return container_of(node, struct viommu_mapping, node);
}

/* Queue the MAP request of one mapping; domain lock held. */
static int viommu_queue_map(struct viommu_domain *vdom,
			    struct viommu_mapping *m)
{
	struct virtio_iommu_req_map map = {
		.head.type = VIRTIO_IOMMU_T_MAP,
		.domain = cpu_to_le32(vdom->id),
		.virt_start = cpu_to_le64(m->node.start),
		.virt_end = cpu_to_le64(m->node.last),
		.phys_start = cpu_to_le64(m->paddr),
		.flags = cpu_to_le32(m->flags),
	};

	lockdep_assert_held(&vdom->lock);
	m->err = 0;
	return viommu_queue(vdom->unit, &map, sizeof(map), &m->err,
			    &m->queued);
}

/* Queue a MAP for every mapping of @vdom (replay); domain lock held. */
static int viommu_queue_replay(struct viommu_domain *vdom)
{
	struct interval_tree_node *node;
	int rc;

	for (node = interval_tree_iter_first(&vdom->mappings, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		rc = viommu_queue_map(vdom, to_mapping(node));
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * First error the device gave a replayed MAP, clearing them all (the
 * mappings stay: they are still what the domain must show). Domain lock
 * held, batch completed.
 */
static int viommu_collect_replay(struct viommu_domain *vdom)
{
	struct interval_tree_node *node;
	int err = 0;

	for (node = interval_tree_iter_first(&vdom->mappings, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct viommu_mapping *m = to_mapping(node);

		err = err ?: m->err;
		m->err = 0;
	}
	return err;
}

/*
 * Move one endpoint ID to domain @to (NULL: not attached), with the
 * device. On failure the ID stays where it was. attach_lock held.
 */
static int viommu_move_id(struct viommu_unit *unit, struct viommu_epid *epid,
			  struct viommu_domain *to)
{
	struct viommu_domain *from = epid->dom;
	bool replay = false;
	int rc, rc2, result = 0, replay_err = 0;

	lockdep_assert_held(&unit->attach_lock);
	if (from == to)
		return 0;

	viommu_lock_two(from, to);
	if (to) {
		struct virtio_iommu_req_attach req = {
			.head.type = VIRTIO_IOMMU_T_ATTACH,
			.domain = cpu_to_le32(to->id),
			.endpoint = cpu_to_le32(epid->id),
		};

		if (to->kind == VIOMMU_DOM_BYPASS)
			req.flags = cpu_to_le32(VIRTIO_IOMMU_ATTACH_F_BYPASS);
		rc = viommu_queue(unit, &req, sizeof(req), &result, NULL);
		/*
		 * The ATTACH creates the domain: fill it in the same batch. A
		 * replay MAP that cannot be queued does not undo the ATTACH
		 * already queued: it counts as a failed replay below.
		 */
		if (!rc && to->kind == VIOMMU_DOM_PAGING && !to->nr_attached) {
			replay = true;
			replay_err = viommu_queue_replay(to);
		}
	} else {
		struct virtio_iommu_req_detach req = {
			.head.type = VIRTIO_IOMMU_T_DETACH,
			.domain = cpu_to_le32(from->id),
			.endpoint = cpu_to_le32(epid->id),
		};

		rc = viommu_queue(unit, &req, sizeof(req), &result, NULL);
	}
	/* Whatever got queued must complete while the locks are held. */
	rc2 = viommu_sync(unit);
	rc = rc ?: rc2 ?: result;
	if (replay) {
		int err = viommu_collect_replay(to);

		replay_err = replay_err ?: err;
	}
	if (rc) {
		viommu_unlock_two(from, to);
		return rc;
	}

	if (from)
		from->nr_attached--;
	if (to)
		to->nr_attached++;
	epid->dom = to;
	viommu_unlock_two(from, to);

	if (replay_err) {
		/*
		 * The domain is incomplete on the device: go back; if even
		 * that fails, block the ID rather than leave it on a domain
		 * that shows only part of its mappings.
		 */
		dev_err_ratelimited(&unit->vdev->dev,
				    "endpoint %#x: replaying domain %u failed (%d)\n",
				    epid->id, to->id, replay_err);
		if (viommu_move_id(unit, epid, from) &&
		    (from == &unit->blocked ||
		     viommu_move_id(unit, epid, &unit->blocked)))
			dev_err_ratelimited(&unit->vdev->dev,
					    "endpoint %#x: cannot leave incomplete domain %u\n",
					    epid->id, to->id);
		return replay_err;
	}
	return 0;
}

/*
 * Attach every endpoint ID of @vep to @to (NULL: detach): all or nothing.
 */
static int viommu_attach_ep(struct viommu_endpoint *vep,
			    struct viommu_domain *to)
{
	struct viommu_unit *unit = vep->unit;
	struct viommu_domain **old;
	unsigned int i, j;
	int rc = 0;

	old = kcalloc(vep->nr_ids, sizeof(*old), GFP_KERNEL);
	if (!old)
		return -ENOMEM;
	mutex_lock(&unit->attach_lock);
	for (i = 0; i < vep->nr_ids; i++) {
		old[i] = vep->ids[i]->dom;
		rc = viommu_move_id(unit, vep->ids[i], to);
		if (rc)
			break;
	}
	if (rc) {
		for (j = 0; j < i; j++)
			if (viommu_move_id(unit, vep->ids[j], old[j]))
				dev_err_ratelimited(vep->dev, "endpoint %#x: cannot go back to domain %s after a failed attach\n",
					vep->ids[j]->id,
					viommu_kind_name(old[j]));
		dev_err_ratelimited(vep->dev, "%s: attach to %s domain failed: %d\n",
				    unit->iommu.name, viommu_kind_name(to), rc);
	}
	mutex_unlock(&unit->attach_lock);
	kfree(old);
	return rc;
}

static int viommu_identity_attach(struct xiommu_domain *domain,
				  struct device *dev)
{
	struct viommu_endpoint *vep = viommu_ep_find(dev);

	if (!vep)
		return -ENODEV;
	return viommu_attach_ep(vep, vep->unit->use_bypass_domain ?
				&vep->unit->bypass : NULL);
}

static int viommu_blocked_attach(struct xiommu_domain *domain,
				 struct device *dev)
{
	struct viommu_endpoint *vep = viommu_ep_find(dev);

	if (!vep)
		return -ENODEV;
	return viommu_attach_ep(vep, &vep->unit->blocked);
}

static const struct xiommu_domain_ops viommu_identity_ops = {
	.attach_dev = viommu_identity_attach,
};

static const struct xiommu_domain_ops viommu_blocked_ops = {
	.attach_dev = viommu_blocked_attach,
};

struct xiommu_domain viommu_identity_domain = {
	.type = XIOMMU_DOMAIN_IDENTITY,
	.ops = &viommu_identity_ops,
};

struct xiommu_domain viommu_blocked_domain = {
	.type = XIOMMU_DOMAIN_BLOCKED,
	.ops = &viommu_blocked_ops,
};

static int viommu_paging_attach(struct xiommu_domain *domain,
				struct device *dev)
{
	struct viommu_domain *vdom = to_viommu_domain(domain);
	struct viommu_endpoint *vep = viommu_ep_find(dev);

	if (!vep)
		return -ENODEV;
	if (vep->unit != vdom->unit)
		return -EINVAL;
	return viommu_attach_ep(vep, vdom);
}

/*
 * map_pages: record the range and, if the device holds the domain, queue
 * its MAP request; iotlb_sync_map sends the batch.
 */
static int viommu_map_pages(struct xiommu_domain *domain, unsigned long iova,
			    phys_addr_t paddr, size_t pgsize, size_t pgcount,
			    int prot, gfp_t gfp, size_t *mapped)
{
	struct viommu_domain *vdom = to_viommu_domain(domain);
	struct viommu_mapping *m;
	unsigned long last;
	size_t size;
	int rc = 0;

	*mapped = 0;
	if (check_mul_overflow(pgsize, pgcount, &size) || !size ||
	    check_add_overflow(iova, size - 1, &last) ||
	    iova < domain->geometry.aperture_start ||
	    last > domain->geometry.aperture_end)
		return -EINVAL;

	m = kzalloc(sizeof(*m), gfp);
	if (!m)
		return -ENOMEM;
	m->node.start = iova;
	m->node.last = last;
	m->paddr = paddr;
	if (prot & XIOMMU_READ)
		m->flags |= VIRTIO_IOMMU_MAP_F_READ;
	if (prot & XIOMMU_WRITE)
		m->flags |= VIRTIO_IOMMU_MAP_F_WRITE;

	mutex_lock(&vdom->lock);
	if (interval_tree_iter_first(&vdom->mappings, iova, last)) {
		rc = -EEXIST;
		goto err_unlock;
	}
	if (vdom->nr_attached) {
		rc = viommu_queue_map(vdom, m);
		if (rc)
			goto err_unlock;
	}
	interval_tree_insert(&m->node, &vdom->mappings);
	vdom->nr_mappings++;
	mutex_unlock(&vdom->lock);
	*mapped = size;
	return 0;

err_unlock:
	mutex_unlock(&vdom->lock);
	kfree(m);
	return rc;
}

/* Send the batch; report what the device said about [iova, iova+size). */
static int viommu_iotlb_sync_map(struct xiommu_domain *domain,
				 unsigned long iova, size_t size)
{
	struct viommu_domain *vdom = to_viommu_domain(domain);
	struct interval_tree_node *node;
	int rc;

	rc = viommu_sync(vdom->unit);
	mutex_lock(&vdom->lock);
	for (node = interval_tree_iter_first(&vdom->mappings, iova,
					     iova + size - 1);
	     node && !rc;
	     node = interval_tree_iter_next(node, iova, iova + size - 1))
		rc = to_mapping(node)->err;
	mutex_unlock(&vdom->lock);
	return rc;
}

/*
 * unmap_pages: forget the mappings inside the range and queue one UNMAP
 * covering them; iotlb_sync sends it. Never fails, never allocates: a
 * device error is logged (the range is gone from our view either way).
 */
static size_t viommu_unmap_pages(struct xiommu_domain *domain,
				 unsigned long iova, size_t pgsize,
				 size_t pgcount,
				 struct xiommu_iotlb_gather *gather)
{
	struct viommu_domain *vdom = to_viommu_domain(domain);
	struct viommu_unit *unit = vdom->unit;
	struct interval_tree_node *node, *next;
	size_t size = pgsize * pgcount;
	unsigned long start = iova, last = iova + size - 1;
	bool in_flight = false, found = false;

	mutex_lock(&vdom->lock);
	for (node = interval_tree_iter_first(&vdom->mappings, iova,
					     iova + size - 1);
	     node; node = interval_tree_iter_next(node, iova, iova + size - 1)) {
		found = true;
		/* Pairs with the release in viommu_complete(): err is final. */
		if (smp_load_acquire(&to_mapping(node)->queued))
			in_flight = true;
		/* The core never cuts a mapping; if it did, take it whole. */
		if (node->start < start || node->last > last) {
			pr_err_once("%s: unmap [%#lx, %#lx] cuts mapping [%#lx, %#lx]\n",
				    unit->iommu.name, iova, iova + size - 1,
				    node->start, node->last);
			start = min(start, node->start);
			last = max(last, node->last);
		}
	}
	/* A MAP still in flight writes its mapping: let it land first. */
	if (in_flight)
		viommu_sync(unit);
	for (node = interval_tree_iter_first(&vdom->mappings, start, last);
	     node; node = next) {
		next = interval_tree_iter_next(node, start, last);
		interval_tree_remove(node, &vdom->mappings);
		vdom->nr_mappings--;
		kfree(to_mapping(node));
	}
	if (found && vdom->nr_attached) {
		struct virtio_iommu_req_unmap req = {
			.head.type = VIRTIO_IOMMU_T_UNMAP,
			.domain = cpu_to_le32(vdom->id),
			.virt_start = cpu_to_le64(start),
			.virt_end = cpu_to_le64(last),
		};

		if (viommu_queue(unit, &req, sizeof(req), NULL, NULL))
			dev_err_ratelimited(&unit->vdev->dev,
					    "domain %u: cannot queue UNMAP [%#lx, %#lx]\n",
					    vdom->id, start, last);
	}
	mutex_unlock(&vdom->lock);
	xiommu_iotlb_gather_add(gather, iova, size);
	return size;
}

static void viommu_iotlb_sync(struct xiommu_domain *domain,
			      struct xiommu_iotlb_gather *gather)
{
	viommu_sync(to_viommu_domain(domain)->unit);
}

static phys_addr_t viommu_iova_to_phys(struct xiommu_domain *domain,
				       dma_addr_t iova)
{
	struct viommu_domain *vdom = to_viommu_domain(domain);
	struct interval_tree_node *node;
	phys_addr_t paddr = 0;

	mutex_lock(&vdom->lock);
	node = interval_tree_iter_first(&vdom->mappings, iova, iova);
	if (node && !to_mapping(node)->err)
		paddr = to_mapping(node)->paddr + (iova - node->start);
	mutex_unlock(&vdom->lock);
	return paddr;
}

static void viommu_paging_free(struct xiommu_domain *domain)
{
	struct viommu_domain *vdom = to_viommu_domain(domain);
	struct viommu_unit *unit = vdom->unit;
	struct interval_tree_node *node;

	mutex_lock(&unit->dom_lock);
	list_del(&vdom->node);
	mutex_unlock(&unit->dom_lock);
	if (vdom->nr_attached)
		pr_err("%s: domain %u freed with %u endpoints attached\n",
		       unit->iommu.name, vdom->id, vdom->nr_attached);
	/* Nothing may still be in flight towards the mappings. */
	viommu_sync(unit);
	while ((node = interval_tree_iter_first(&vdom->mappings, 0,
						ULONG_MAX))) {
		interval_tree_remove(node, &vdom->mappings);
		kfree(to_mapping(node));
	}
	ida_free(&unit->domain_ids, vdom->id);
	mutex_destroy(&vdom->lock);
	kfree(vdom);
}

static const struct xiommu_domain_ops viommu_paging_ops = {
	.attach_dev = viommu_paging_attach,
	.map_pages = viommu_map_pages,
	.unmap_pages = viommu_unmap_pages,
	.iotlb_sync = viommu_iotlb_sync,
	.iotlb_sync_map = viommu_iotlb_sync_map,
	.iova_to_phys = viommu_iova_to_phys,
	.free = viommu_paging_free,
};

/**
 * viommu_domain_alloc_paging() - xiommu_ops.domain_alloc_paging
 * @dev: an endpoint of one of our units
 * @flags: must be 0
 *
 * The domain exists only in the driver until an endpoint is attached: the
 * device creates it with the first ATTACH (virtio spec "ATTACH request").
 *
 * Return: an empty paging domain whose aperture is the device's input
 * range; ERR_PTR(-EOPNOTSUPP) for unknown @flags, -ENODEV if @dev is not
 * ours, -ENOSPC when the device's domain IDs are used up, -ENOMEM.
 */
struct xiommu_domain *viommu_domain_alloc_paging(struct device *dev, u32 flags)
{
	struct viommu_endpoint *vep = viommu_ep_find(dev);
	struct viommu_domain *vdom;
	struct viommu_unit *unit;
	int id;

	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (!vep)
		return ERR_PTR(-ENODEV);
	unit = vep->unit;

	vdom = kzalloc(sizeof(*vdom), GFP_KERNEL);
	if (!vdom)
		return ERR_PTR(-ENOMEM);
	id = ida_alloc_range(&unit->domain_ids, unit->domain_start + 2,
			     min_t(u32, unit->domain_end, INT_MAX), GFP_KERNEL);
	if (id < 0) {
		kfree(vdom);
		return ERR_PTR(id);
	}
	viommu_domain_init(vdom, unit, VIOMMU_DOM_PAGING, id);
	vdom->domain.type = XIOMMU_DOMAIN_PAGING;
	vdom->domain.ops = &viommu_paging_ops;
	vdom->domain.owner = &unit->iommu;
	vdom->domain.pgsize_bitmap = max_t(unsigned long, unit->granule,
					   PAGE_SIZE);
	vdom->domain.geometry.aperture_start = unit->input_start;
	vdom->domain.geometry.aperture_end = unit->input_end;

	mutex_lock(&unit->dom_lock);
	list_add_tail(&vdom->node, &unit->domains);
	mutex_unlock(&unit->dom_lock);
	return &vdom->domain;
}

/**
 * viommu_domains_forget() - the device was reset: it holds no domain
 * @unit: a unit being removed, after the reset
 *
 * Paging domains user space still holds stay (their memory and the unit's
 * with them, see struct viommu_unit), detached from everything: from now
 * on map and unmap only update the mappings, and nothing is sent.
 */
void viommu_domains_forget(struct viommu_unit *unit)
{
	struct viommu_domain *vdom;

	mutex_lock(&unit->dom_lock);
	list_for_each_entry(vdom, &unit->domains, node) {
		mutex_lock(&vdom->lock);
		vdom->nr_attached = 0;
		mutex_unlock(&vdom->lock);
	}
	mutex_unlock(&unit->dom_lock);
	unit->blocked.nr_attached = 0;
	unit->bypass.nr_attached = 0;
}

/**
 * viommu_epid_get() - the state of endpoint ID @id, created on first use
 * @unit: the unit
 * @id: endpoint ID
 *
 * Return: the entry with one more user, or NULL on allocation failure.
 */
struct viommu_epid *viommu_epid_get(struct viommu_unit *unit, u32 id)
{
	struct viommu_epid *epid;

	mutex_lock(&unit->attach_lock);
	epid = xa_load(&unit->ids, id);
	if (!epid) {
		epid = kzalloc(sizeof(*epid), GFP_KERNEL);
		if (epid) {
			epid->id = id;
			if (xa_err(xa_store(&unit->ids, id, epid,
					    GFP_KERNEL))) {
				kfree(epid);
				epid = NULL;
			}
		}
	}
	if (epid)
		epid->users++;
	mutex_unlock(&unit->attach_lock);
	return epid;
}

/**
 * viommu_epid_put() - drop a user of an endpoint ID
 * @unit: the unit
 * @epid: from viommu_epid_get()
 * @block: when the last user goes (hot-removal), attach the ID to the
 *	blocked domain first, so that a device appearing later with the same
 *	ID starts with no access until it is probed
 */
void viommu_epid_put(struct viommu_unit *unit, struct viommu_epid *epid,
		     bool block)
{
	mutex_lock(&unit->attach_lock);
	if (!--epid->users) {
		bool stuck = block && viommu_move_id(unit, epid, &unit->blocked);

		if (stuck)
			dev_err(&unit->vdev->dev, "endpoint %#x: cannot block it on removal\n",
				epid->id);
		/*
		 * The device keeps the ID where it is; we forget it. If blocking
		 * failed the ID stays attached to its domain in the device, so
		 * keep counting it there: MAP/UNMAP of that domain must still
		 * reach the device.
		 */
		if (epid->dom && !stuck) {
			mutex_lock(&epid->dom->lock);
			epid->dom->nr_attached--;
			mutex_unlock(&epid->dom->lock);
		}
		xa_erase(&unit->ids, epid->id);
		kfree(epid);
	}
	mutex_unlock(&unit->attach_lock);
}

static int viommu_own_id_cb(u32 id, void *data)
{
	struct viommu_unit *unit = data;
	struct viommu_epid *epid;
	int rc;

	epid = viommu_epid_get(unit, id);
	if (!epid)
		return -ENOMEM;
	mutex_lock(&unit->attach_lock);
	rc = viommu_move_id(unit, epid, &unit->bypass);
	mutex_unlock(&unit->attach_lock);
	if (rc == -ENOENT)
		rc = 0;		/* the device does not translate itself */
	return rc;
}

/**
 * viommu_attach_own_ids() - let the virtio-iommu's own MSIs through
 * @unit: a unit using its bypass domain, before it turns config bypass off
 *
 * Firmware describes the virtio-iommu itself inside the ranges it
 * translates (QEMU's VIOT range covers its own BDF), and QEMU sends the
 * device's MSI writes through its own translation. Its virtqueues do not
 * use the IOMMU, but without this its event-queue interrupts would fault
 * once unattached endpoints stop bypassing. The IDs keep one user until
 * the unit goes away.
 *
 * Return: 0 or the first errno other than "unknown endpoint".
 */
int viommu_attach_own_ids(struct viommu_unit *unit)
{
	int rc = unit->topo->dev_ids(unit, viommu_unit_parent(unit),
				     viommu_own_id_cb, unit);

	return rc == -ENODEV ? 0 : rc;
}

/**
 * viommu_domains_show() - print the unit's domains (debugfs)
 * @unit: the unit
 * @s: seq_file
 * @dump: also print every mapping
 */
void viommu_domains_show(struct viommu_unit *unit, struct seq_file *s,
			 bool dump)
{
	struct viommu_domain *vdom;

	mutex_lock(&unit->attach_lock);
	seq_printf(s, "domain %u blocked endpoints %u\n", unit->blocked.id,
		   unit->blocked.nr_attached);
	if (unit->use_bypass_domain)
		seq_printf(s, "domain %u bypass endpoints %u\n",
			   unit->bypass.id, unit->bypass.nr_attached);
	mutex_unlock(&unit->attach_lock);

	mutex_lock(&unit->dom_lock);
	list_for_each_entry(vdom, &unit->domains, node) {
		struct interval_tree_node *node;

		mutex_lock(&vdom->lock);
		seq_printf(s, "domain %u paging endpoints %u mappings %lu\n",
			   vdom->id, vdom->nr_attached, vdom->nr_mappings);
		for (node = dump ? interval_tree_iter_first(&vdom->mappings, 0,
							    ULONG_MAX) : NULL;
		     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
			struct viommu_mapping *m = to_mapping(node);

			seq_printf(s, "  %#lx-%#lx -> %pa %s%s%s\n",
				   node->start, node->last, &m->paddr,
				   m->flags & VIRTIO_IOMMU_MAP_F_READ ? "r" : "-",
				   m->flags & VIRTIO_IOMMU_MAP_F_WRITE ? "w" : "-",
				   m->err ? " failed" : "");
		}
		mutex_unlock(&vdom->lock);
	}
	mutex_unlock(&unit->dom_lock);
}

/**
 * viommu_ids_show() - print every endpoint ID and where it is attached
 * @unit: the unit
 * @s: seq_file
 */
void viommu_ids_show(struct viommu_unit *unit, struct seq_file *s)
{
	struct viommu_epid *epid;
	unsigned long id;

	mutex_lock(&unit->attach_lock);
	xa_for_each(&unit->ids, id, epid) {
		seq_printf(s, "endpoint %#lx users %u domain ", id,
			   epid->users);
		if (epid->dom)
			seq_printf(s, "%u %s\n", epid->dom->id,
				   viommu_kind_name(epid->dom));
		else
			seq_puts(s, "none\n");
	}
	mutex_unlock(&unit->attach_lock);
}
