// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu_virtio: the virtio-iommu device (virtio ID 23) as an xiommu unit.
 *
 * Debian's 6.1 amd64 kernel is built without CONFIG_VIRTIO_IOMMU, so the
 * device QEMU's `-device virtio-iommu-pci` adds (with an ACPI VIOT table
 * on q35) has no other driver: this module is a virtio driver for it.
 *
 * Probe of one device ("unit"):
 *  1. feature negotiation (virtio spec "Feature bits"): we accept
 *     INPUT_RANGE, DOMAIN_RANGE, MAP_UNMAP, BYPASS, PROBE, MMIO and
 *     BYPASS_CONFIG; a device without MAP_UNMAP is refused (spec "Device
 *     initialization"), and so is one with no bypass at all, since
 *     kernel-owned devices would lose DMA;
 *  2. the configuration: page_size_mask (always), input_range,
 *     domain_range, probe_size, bypass (each when its feature is there);
 *  3. the firmware description of our endpoints (topology.c);
 *  4. the request queue (no interrupt, polled) and the event queue
 *     (filled with buffers, interrupt -> work);
 *  5. DRIVER_OK, then xiommu_device_register(): the core offers every PCI
 *     device; probe_device keeps those firmware puts behind us, sends a
 *     PROBE per endpoint ID (reserved regions; IDs the device does not
 *     know are dropped) and the core attaches each to the identity
 *     domain, i.e. the bypass domain;
 *  6. with BYPASS_CONFIG, config.bypass is then turned off: endpoints we
 *     do not know (or failed to probe) fault instead of reaching memory.
 *     The virtio-iommu's own endpoint is attached to the bypass domain
 *     first, as QEMU translates its MSIs.
 * Until this module loads, QEMU's boot-bypass (default on) is what lets
 * kernel drivers do DMA at all during boot.
 *
 * Remove (module unload or unbind): unregister from the core (every
 * endpoint is released; kernel-owned ones stay on the bypass domain),
 * config.bypass back on, device reset (the device forgets every domain;
 * unattached endpoints bypass), queues deleted. Kernel DMA keeps flowing
 * throughout. Removal is never refused: the core first revokes the users
 * of every user-owned group (their vfio-pci devices are unbound, as on
 * hot-unplug: ENODEV), and the groups go back to the bypass domain while
 * the device still answers. Paging domains user space still holds (a HWPT,
 * a container) outlive the device: the unit's memory stays until the
 * last one is freed (viommu_release_unit()), and until then their unmaps
 * and frees only update our bookkeeping (the reset device holds no domain).
 * Neither the transport module nor the virtio device is referenced after
 * remove.
 */
#define pr_fmt(fmt) "xiommu_virtio: " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include <linux/iommufd.h>

#include "viommu.h"

static bool test_hooks;
module_param(test_hooks, bool, 0444);
MODULE_PARM_DESC(test_hooks,
		 "debugfs files that make the device refuse chosen requests (tests only)");

static DEFINE_IDA(viommu_seq_ida);

/* x86's MSI doorbell window, reserved when the device cannot be probed. */
#define VIOMMU_X86_MSI_BASE	0xfee00000UL
#define VIOMMU_X86_MSI_SIZE	SZ_1M

/* Most endpoint IDs one device may carry (own ID + aliases). */
#define VIOMMU_MAX_IDS		64

/**
 * viommu_unit_parent() - the transport device of a unit
 * @unit: the unit
 *
 * Return: the virtio-pci PCI function or the virtio-mmio platform device:
 * what firmware describes as the virtio-iommu.
 */
struct device *viommu_unit_parent(struct viommu_unit *unit)
{
	return unit->vdev->dev.parent;
}

/**
 * viommu_ep_find() - per-endpoint state of @dev
 * @dev: a device
 *
 * Valid while the core keeps @dev an endpoint (in every op it calls for
 * it, up to release_device).
 *
 * Return: the state, or NULL if no unit of ours translates @dev.
 */
struct viommu_endpoint *viommu_ep_find(struct device *dev)
{
	struct xiommu_device *iommu = xiommu_endpoint_iommu(dev);

	if (!iommu || iommu->ops != &viommu_ops)
		return NULL;
	return xiommu_endpoint_priv(dev);
}

/**
 * viommu_dev_of_id() - the endpoint whose DMA carries endpoint ID @id
 * @unit: the unit
 * @id: endpoint ID from a fault report
 *
 * Caller holds unit->ep_lock (the device stays valid while it is held).
 *
 * Return: the device if exactly one endpoint uses @id, else NULL (unknown,
 * or shared by devices behind one PCIe-to-PCI bridge: not attributable).
 */
struct device *viommu_dev_of_id(struct viommu_unit *unit, u32 id)
{
	struct viommu_endpoint *vep;
	struct device *dev = NULL;
	unsigned int i, users = 0;

	lockdep_assert_held(&unit->ep_lock);
	list_for_each_entry(vep, &unit->endpoints, node) {
		for (i = 0; i < vep->nr_ids; i++) {
			if (vep->ids[i]->id == id) {
				dev = vep->dev;
				users++;
				break;
			}
		}
	}
	return users == 1 ? dev : NULL;
}

/* --- PROBE (virtio spec "PROBE request", "PROBE properties") ------------- */

static int viommu_add_resv(struct device *dev, struct list_head *head,
			   const struct virtio_iommu_probe_resv_mem *mem,
			   size_t len)
{
	u64 start = le64_to_cpu(mem->start), last = le64_to_cpu(mem->end);
	struct viommu_resv *r;
	int type;

	if (len < sizeof(*mem) - sizeof(mem->head) || last < start) {
		dev_warn(dev, "malformed reserved-memory property ignored\n");
		return 0;
	}
	/* Unknown subtypes are plain reserved regions, as the spec asks. */
	type = mem->subtype == VIRTIO_IOMMU_RESV_MEM_T_MSI ?
	       XIOMMU_RESV_MSI : XIOMMU_RESV_RESERVED;
	list_for_each_entry(r, head, list)
		if (r->start == start && r->last == last && r->type == type)
			return 0;	/* another ID of the device said so */
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->start = start;
	r->last = last;
	r->type = type;
	list_add_tail(&r->list, head);
	return 0;
}

/* Send a PROBE for @id; add its reserved regions to @head. */
static int viommu_probe_id(struct viommu_unit *unit, struct device *dev,
			   u32 id, struct list_head *head)
{
	struct virtio_iommu_req_probe *req;
	size_t out_len = sizeof(*req), cur = 0;
	size_t in_len = unit->probe_size + sizeof(struct virtio_iommu_req_tail);
	int rc;

	req = kzalloc(out_len + in_len, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->head.type = VIRTIO_IOMMU_T_PROBE;
	req->endpoint = cpu_to_le32(id);
	rc = viommu_send_probe(unit, req, out_len, in_len);
	if (rc == -EIO && READ_ONCE(unit->rq.broken)) {
		/*
		 * Timed out: the request may still be on the ring and the
		 * device may write its answer later. Leak the buffer rather
		 * than let a late answer land in freed memory.
		 */
		return rc;
	}
	if (rc)
		goto out_free;

	/* Properties until an empty one or the end of probe_size bytes. */
	while (cur + sizeof(struct virtio_iommu_probe_property) <=
	       unit->probe_size) {
		const struct virtio_iommu_probe_property *prop =
			(const void *)req->properties + cur;
		u16 raw = le16_to_cpu(prop->type);
		u16 type = raw & VIRTIO_IOMMU_PROBE_T_MASK;
		size_t len = le16_to_cpu(prop->length);

		if (type == VIRTIO_IOMMU_PROBE_T_NONE)
			break;
		if (len > unit->probe_size - cur - sizeof(*prop)) {
			dev_warn(dev, "endpoint %#x: property %u overflows the PROBE buffer\n",
				 id, type);
			break;
		}
		/* Properties with reserved bits set must be ignored. */
		if (raw == type && type == VIRTIO_IOMMU_PROBE_T_RESV_MEM) {
			rc = viommu_add_resv(dev, head, (const void *)prop,
					     len);
			if (rc)
				break;
		}
		cur += sizeof(*prop) + len;
	}
out_free:
	kfree(req);
	return rc;
}

/* --- xiommu_ops ---------------------------------------------------------- */

struct viommu_id_list {
	u32 ids[VIOMMU_MAX_IDS];
	unsigned int nr;
};

static int viommu_collect_id(u32 id, void *data)
{
	struct viommu_id_list *l = data;
	unsigned int i;

	for (i = 0; i < l->nr; i++)
		if (l->ids[i] == id)
			return 0;
	if (l->nr == ARRAY_SIZE(l->ids))
		return -E2BIG;
	l->ids[l->nr++] = id;
	return 0;
}

static void viommu_free_resv(struct list_head *head)
{
	struct viommu_resv *r, *tmp;

	list_for_each_entry_safe(r, tmp, head, list) {
		list_del(&r->list);
		kfree(r);
	}
}

static void viommu_put_ids(struct viommu_endpoint *vep, bool block)
{
	unsigned int i;

	for (i = 0; i < vep->nr_ids; i++)
		viommu_epid_put(vep->unit, vep->ids[i], block);
	vep->nr_ids = 0;
}

static int viommu_probe_device(struct xiommu_device *iommu, struct device *dev)
{
	struct viommu_unit *unit = to_viommu_unit(iommu);
	struct viommu_endpoint *vep;
	struct viommu_id_list *l;
	unsigned int i;
	int rc;

	/* The virtio-iommu does not translate itself (see domain.c). */
	if (dev == viommu_unit_parent(unit))
		return -ENODEV;
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	rc = unit->topo->dev_ids(unit, dev, viommu_collect_id, l);
	if (rc)
		goto out_free_list;

	vep = kzalloc(struct_size(vep, ids, l->nr), GFP_KERNEL);
	if (!vep) {
		rc = -ENOMEM;
		goto out_free_list;
	}
	vep->dev = dev;
	vep->unit = unit;
	INIT_LIST_HEAD(&vep->resv);
	for (i = 0; i < l->nr; i++) {
		struct viommu_epid *epid;

		/*
		 * The spec asks for a PROBE before the first ATTACH. It also
		 * tells which candidate IDs exist: QEMU knows a device behind
		 * a PCIe-to-PCI bridge only by the bridge's ID.
		 */
		if (virtio_has_feature(unit->vdev, VIRTIO_IOMMU_F_PROBE) &&
		    unit->probe_size) {
			rc = viommu_probe_id(unit, dev, l->ids[i], &vep->resv);
			if (rc == -ENOENT) {
				dev_dbg(dev, "%s: endpoint %#x unknown to the device\n",
					iommu->name, l->ids[i]);
				continue;
			}
			if (rc)
				goto err_put;
		}
		epid = viommu_epid_get(unit, l->ids[i]);
		if (!epid) {
			rc = -ENOMEM;
			goto err_put;
		}
		vep->ids[vep->nr_ids++] = epid;
	}
	if (!vep->nr_ids) {
		rc = -ENODEV;
		goto err_put;
	}
	if (!virtio_has_feature(unit->vdev, VIRTIO_IOMMU_F_PROBE) &&
	    IS_ENABLED(CONFIG_X86)) {
		struct virtio_iommu_probe_resv_mem msi = {
			.subtype = VIRTIO_IOMMU_RESV_MEM_T_MSI,
			.start = cpu_to_le64(VIOMMU_X86_MSI_BASE),
			.end = cpu_to_le64(VIOMMU_X86_MSI_BASE +
					   VIOMMU_X86_MSI_SIZE - 1),
		};

		rc = viommu_add_resv(dev, &vep->resv, &msi,
				     sizeof(msi) - sizeof(msi.head));
		if (rc)
			goto err_put;
	}

	xiommu_endpoint_set_priv(dev, vep);
	mutex_lock(&unit->ep_lock);
	list_add_tail(&vep->node, &unit->endpoints);
	mutex_unlock(&unit->ep_lock);
	kfree(l);
	if (vep->nr_ids > 1)
		dev_dbg(dev, "%s: %u endpoint IDs\n", iommu->name, vep->nr_ids);
	return 0;

err_put:
	viommu_put_ids(vep, false);
	viommu_free_resv(&vep->resv);
	kfree(vep);
out_free_list:
	kfree(l);
	return rc;
}

static void viommu_release_device(struct device *dev)
{
	struct viommu_endpoint *vep = viommu_ep_find(dev);
	struct viommu_unit *unit;

	if (!vep)
		return;
	unit = vep->unit;
	mutex_lock(&unit->ep_lock);
	list_del(&vep->node);
	mutex_unlock(&unit->ep_lock);
	xiommu_endpoint_set_priv(dev, NULL);
	/* Hot-removal: block IDs nobody uses any more; unregister: leave. */
	viommu_put_ids(vep, !unit->dying);
	viommu_free_resv(&vep->resv);
	kfree(vep);
}

static struct xiommu_group *viommu_device_group(struct device *dev)
{
	if (dev_is_pci(dev))
		return xiommu_pci_device_group(dev);
	return xiommu_generic_device_group(dev);
}

static bool viommu_capable(struct device *dev, enum xiommu_cap cap)
{
	if (!viommu_ep_find(dev))
		return false;
	switch (cap) {
	case XIOMMU_CAP_IOMMUFD:
	case XIOMMU_CAP_CACHE_COHERENCY:
		return true;
	case XIOMMU_CAP_ENFORCE_CACHE_COHERENCY:	/* no snoop control */
	/* virtio-iommu (spec 1.2) has neither dirty logging nor nesting */
	case XIOMMU_CAP_DIRTY_TRACKING:
	case XIOMMU_CAP_NEST_PARENT:
	case XIOMMU_CAP_INTR_ISOLATION:	/* MSIs bypass, not remapped */
	default:
		return false;
	}
}

static void viommu_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct viommu_endpoint *vep = viommu_ep_find(dev);
	struct xiommu_resv_region *region;
	struct viommu_resv *r;

	if (!vep)
		return;
	list_for_each_entry(r, &vep->resv, list) {
		region = xiommu_alloc_resv_region(r->start,
						  r->last - r->start + 1,
						  r->type, GFP_KERNEL);
		if (region)
			list_add_tail(&region->list, head);
	}
}

static int viommu_hw_info(struct device *dev, void *data, size_t len,
			  u32 *type)
{
	struct viommu_endpoint *vep = viommu_ep_find(dev);
	struct iommu_hw_info_virtio info = {};
	struct viommu_unit *unit;

	if (!vep)
		return -ENODEV;
	unit = vep->unit;
	info.features = unit->features;
	info.page_size_mask = unit->page_size_mask;
	info.input_start = unit->input_start;
	info.input_end = unit->input_end;
	info.domain_start = unit->domain_start;
	info.domain_end = unit->domain_end;
	info.probe_size = unit->probe_size;
	memcpy(data, &info, min(len, sizeof(info)));
	*type = IOMMU_HW_INFO_TYPE_XIOMMU_VIRTIO;
	return sizeof(info);
}

static void viommu_release_unit(struct xiommu_device *iommu);

const struct xiommu_ops viommu_ops = {
	.owner = THIS_MODULE,
	.name = "virtio",
	.probe_device = viommu_probe_device,
	.release_device = viommu_release_device,
	.device_group = viommu_device_group,
	.capable = viommu_capable,
	.domain_alloc_paging = viommu_domain_alloc_paging,
	.get_resv_regions = viommu_get_resv_regions,
	.hw_info = viommu_hw_info,
	.release_unit = viommu_release_unit,
	.identity_domain = &viommu_identity_domain,
	.blocked_domain = &viommu_blocked_domain,
};

/* --- the virtio device --------------------------------------------------- */

/* Read the device configuration (virtio spec "Device configuration layout"). */
static int viommu_read_config(struct viommu_unit *unit)
{
	struct virtio_device *vdev = unit->vdev;

	unit->features = vdev->features;
	virtio_cread_le(vdev, struct virtio_iommu_config, page_size_mask,
			&unit->page_size_mask);
	if (!unit->page_size_mask) {
		dev_err(&vdev->dev, "the device supports no page size\n");
		return -ENODEV;
	}
	unit->granule = 1UL << __ffs64(unit->page_size_mask);

	unit->input_start = 0;
	unit->input_end = U64_MAX;
	virtio_cread_le_feature(vdev, VIRTIO_IOMMU_F_INPUT_RANGE,
				struct virtio_iommu_config, input_range.start,
				&unit->input_start);
	virtio_cread_le_feature(vdev, VIRTIO_IOMMU_F_INPUT_RANGE,
				struct virtio_iommu_config, input_range.end,
				&unit->input_end);
	unit->domain_start = 0;
	unit->domain_end = U32_MAX;
	virtio_cread_le_feature(vdev, VIRTIO_IOMMU_F_DOMAIN_RANGE,
				struct virtio_iommu_config, domain_range.start,
				&unit->domain_start);
	virtio_cread_le_feature(vdev, VIRTIO_IOMMU_F_DOMAIN_RANGE,
				struct virtio_iommu_config, domain_range.end,
				&unit->domain_end);
	virtio_cread_le_feature(vdev, VIRTIO_IOMMU_F_PROBE,
				struct virtio_iommu_config, probe_size,
				&unit->probe_size);
	if (virtio_has_feature(vdev, VIRTIO_IOMMU_F_BYPASS_CONFIG))
		unit->bypass_at_load = virtio_cread8(vdev,
				offsetof(struct virtio_iommu_config, bypass)) & 1;

	if (unit->input_start > unit->input_end ||
	    unit->input_end - unit->input_start < unit->granule - 1) {
		dev_err(&vdev->dev, "empty input range [%#llx, %#llx]\n",
			unit->input_start, unit->input_end);
		return -ENODEV;
	}
	/* Two static domains plus at least one paging domain. */
	if (unit->domain_end < unit->domain_start ||
	    unit->domain_end - unit->domain_start < 2 ||
	    unit->domain_start > INT_MAX - 2) {
		dev_err(&vdev->dev, "unusable domain ID range [%u, %u]\n",
			unit->domain_start, unit->domain_end);
		return -ENODEV;
	}
	if (unit->granule > PAGE_SIZE)
		dev_warn(&vdev->dev, "granule %#lx is larger than a page: paging domains cannot mirror user memory\n",
			 unit->granule);
	return 0;
}

static void viommu_set_bypass(struct viommu_unit *unit, u8 on)
{
	virtio_cwrite8(unit->vdev, offsetof(struct virtio_iommu_config, bypass),
		       on);
}

/* Undo viommu_probe() from whatever step it reached. */
static void viommu_teardown(struct viommu_unit *unit)
{
	struct virtio_device *vdev = unit->vdev;
	struct viommu_epid *epid;
	unsigned long id;

	unit->dying = true;
	if (unit->registered)
		xiommu_device_unregister(&unit->iommu);
	unit->registered = false;
	if (unit->use_bypass_domain)
		viommu_set_bypass(unit, 1);
	if (unit->evq)
		viommu_event_stop(unit);
	/* From here the device writes no buffer and holds no domain. */
	virtio_reset_device(vdev);
	if (unit->evq || unit->rq.vq)
		vdev->config->del_vqs(vdev);

	xa_for_each(&unit->ids, id, epid)
		kfree(epid);
	xa_destroy(&unit->ids);
	viommu_domains_forget(unit);
	kfree(unit->evts);
	unit->evts = NULL;
	viommu_rq_destroy(unit);
	viommu_topo_destroy(unit);
	if (unit->seq >= 0)
		ida_free(&viommu_seq_ida, unit->seq);
}

/* The unit's memory, once no domain and no owned group needs it. */
static void viommu_unit_free(struct viommu_unit *unit)
{
	WARN_ON(!list_empty(&unit->domains));
	ida_destroy(&unit->domain_ids);
	mutex_destroy(&unit->rq.lock);
	kfree(unit);
}

/* xiommu_ops.release_unit: the core's last reference to the unit went. */
static void viommu_release_unit(struct xiommu_device *iommu)
{
	viommu_unit_free(to_viommu_unit(iommu));
}

static int viommu_probe(struct virtio_device *vdev)
{
	vq_callback_t *callbacks[] = { NULL, viommu_event_cb };
	static const char * const names[] = { "request", "event" };
	struct virtqueue *vqs[2];
	struct viommu_unit *unit;
	int rc;

	if (!virtio_has_feature(vdev, VIRTIO_IOMMU_F_MAP_UNMAP)) {
		dev_err(&vdev->dev, "the device offers no MAP/UNMAP requests\n");
		return -ENODEV;
	}
	if (!virtio_has_feature(vdev, VIRTIO_IOMMU_F_BYPASS_CONFIG) &&
	    !virtio_has_feature(vdev, VIRTIO_IOMMU_F_BYPASS)) {
		dev_err(&vdev->dev, "the device offers no bypass: kernel-owned devices would lose DMA\n");
		return -ENODEV;
	}
	unit = kzalloc(sizeof(*unit), GFP_KERNEL);
	if (!unit)
		return -ENOMEM;
	unit->vdev = vdev;
	unit->seq = -1;
	mutex_init(&unit->ep_lock);
	INIT_LIST_HEAD(&unit->endpoints);
	mutex_init(&unit->evt_lock);
	spin_lock_init(&unit->evt_irq_lock);
	viommu_domains_init(unit);
	mutex_init(&unit->rq.lock);
	vdev->priv = unit;
	unit->use_bypass_domain = virtio_has_feature(vdev,
					VIRTIO_IOMMU_F_BYPASS_CONFIG);

	rc = viommu_read_config(unit);
	if (rc)
		goto err_teardown;
	rc = viommu_topo_init(unit);
	if (rc) {
		dev_err(&vdev->dev, "no firmware description of the endpoints: %d\n",
			rc);
		goto err_teardown;
	}

	rc = virtio_find_vqs(vdev, 2, vqs, callbacks, names, NULL);
	if (rc)
		goto err_teardown;
	rc = viommu_rq_init(unit, vqs[0]);
	if (rc)
		goto err_teardown;
	rc = viommu_event_init(unit, vqs[1]);
	if (rc)
		goto err_teardown;
	virtio_device_ready(vdev);
	virtqueue_kick(unit->evq);

	rc = ida_alloc(&viommu_seq_ida, GFP_KERNEL);
	if (rc < 0)
		goto err_teardown;
	unit->seq = rc;
	snprintf(unit->iommu.name, sizeof(unit->iommu.name), "viommu%d",
		 unit->seq);
	unit->iommu.ops = &viommu_ops;
	unit->iommu.bus = &pci_bus_type;
	unit->iommu.dev = &vdev->dev;

	if (unit->use_bypass_domain) {
		rc = viommu_attach_own_ids(unit);
		if (rc)
			goto err_teardown;
	}
	rc = xiommu_device_register(&unit->iommu);
	if (rc) {
		dev_err(&vdev->dev, "registration failed: %d\n", rc);
		goto err_teardown;
	}
	unit->registered = true;
	/* Every endpoint we know is attached: the rest must not bypass. */
	if (unit->use_bypass_domain)
		viommu_set_bypass(unit, 0);
	viommu_debugfs_init(unit, test_hooks);

	dev_info(&vdev->dev, "%s: %s, pages %#llx, input [%#llx, %#llx], domains [%u, %u], probe %u, bypass %s\n",
		 unit->iommu.name, unit->topo->name, unit->page_size_mask,
		 unit->input_start, unit->input_end, unit->domain_start,
		 unit->domain_end, unit->probe_size,
		 unit->use_bypass_domain ? "domain (config bypass off)" :
					   "when detached");
	return 0;

err_teardown:
	/* Never registered: no reference but ours. */
	viommu_teardown(unit);
	vdev->priv = NULL;
	viommu_unit_free(unit);
	return rc;
}

static void viommu_remove(struct virtio_device *vdev)
{
	struct viommu_unit *unit = vdev->priv;

	viommu_teardown(unit);
	vdev->priv = NULL;
	unit->vdev = NULL;
	/* Domains user space still holds keep the memory (release_unit). */
	xiommu_device_put(&unit->iommu);
	dev_info(&vdev->dev, "removed, device reset, bypass on\n");
}

static const unsigned int viommu_features[] = {
	VIRTIO_IOMMU_F_INPUT_RANGE,
	VIRTIO_IOMMU_F_DOMAIN_RANGE,
	VIRTIO_IOMMU_F_MAP_UNMAP,
	VIRTIO_IOMMU_F_BYPASS,
	VIRTIO_IOMMU_F_PROBE,
	VIRTIO_IOMMU_F_MMIO,
	VIRTIO_IOMMU_F_BYPASS_CONFIG,
};

static const struct virtio_device_id viommu_id_table[] = {
	{ VIRTIO_ID_IOMMU, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, viommu_id_table);

static struct virtio_driver viommu_driver = {
	.driver.name = KBUILD_MODNAME,
	.driver.owner = THIS_MODULE,
	.id_table = viommu_id_table,
	.feature_table = viommu_features,
	.feature_table_size = ARRAY_SIZE(viommu_features),
	.probe = viommu_probe,
	.remove = viommu_remove,
};

static int __init viommu_init(void)
{
	return register_virtio_driver(&viommu_driver);
}

static void __exit viommu_exit(void)
{
	unregister_virtio_driver(&viommu_driver);
}

module_init(viommu_init);
module_exit(viommu_exit);

MODULE_DESCRIPTION("xiommu virtio-iommu driver");
MODULE_LICENSE("GPL");
