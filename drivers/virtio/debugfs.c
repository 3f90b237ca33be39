// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs files of a virtio-iommu unit, next to the core's "faults" and
 * "endpoints" in /sys/kernel/debug/xiommu/viommuN/:
 *
 *   config    negotiated features and the device configuration
 *   topology  the firmware description of our endpoints (VIOT ranges)
 *   ids       every endpoint ID: how many devices use it, where attached
 *   devices   every endpoint device: its endpoint IDs and the reserved
 *             regions its PROBE answers gave ("<dev> ids <id>... resv
 *             <start>-<last>:<msi|reserved>...")
 *   domains   blocked, bypass and paging domains: endpoint and mapping
 *             counts
 *   mappings  the same plus every mapping of every paging domain
 *   stats     "key value" lines: requests and device errors per type,
 *             kicks (notifications), the largest batch, bytes covered by
 *             MAP and UNMAP requests, events and faults; `make bench`
 *             reads it for requests per MiB
 *   poll      reading it drains the event queue at once and prints
 *             "events N faults M" (totals)
 *
 * With the module parameter test_hooks=1 there are also
 *
 *   fail_map     write N: the Nth MAP request from now carries a flags bit
 *                no spec version defines, which the device must refuse
 *                with VIRTIO_IOMMU_S_INVAL ("MAP request", device
 *                requirements); reads the requests still to go
 *   fail_attach  the same for ATTACH requests
 *
 * so tests can make a real device give real error answers. The core
 * removes the directory when the unit is unregistered.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/virtio_config.h>

#include "viommu.h"

static const char * const viommu_feature_names[] = {
	[VIRTIO_IOMMU_F_INPUT_RANGE] = "input_range",
	[VIRTIO_IOMMU_F_DOMAIN_RANGE] = "domain_range",
	[VIRTIO_IOMMU_F_MAP_UNMAP] = "map_unmap",
	[VIRTIO_IOMMU_F_BYPASS] = "bypass",
	[VIRTIO_IOMMU_F_PROBE] = "probe",
	[VIRTIO_IOMMU_F_MMIO] = "mmio",
	[VIRTIO_IOMMU_F_BYPASS_CONFIG] = "bypass_config",
};

static int config_show(struct seq_file *s, void *unused)
{
	struct viommu_unit *unit = s->private;
	unsigned int i;

	seq_printf(s, "features %#llx:", unit->features);
	for (i = 0; i < ARRAY_SIZE(viommu_feature_names); i++)
		if (unit->features & BIT_ULL(i))
			seq_printf(s, " %s", viommu_feature_names[i]);
	seq_puts(s, "\n");
	seq_printf(s, "page_size_mask %#llx granule %#lx\n",
		   unit->page_size_mask, unit->granule);
	seq_printf(s, "input_range %#llx %#llx\n", unit->input_start,
		   unit->input_end);
	seq_printf(s, "domain_range %u %u\n", unit->domain_start,
		   unit->domain_end);
	seq_printf(s, "probe_size %u\n", unit->probe_size);
	if (virtio_has_feature(unit->vdev, VIRTIO_IOMMU_F_BYPASS_CONFIG))
		seq_printf(s, "bypass at load %u now %u\n",
			   unit->bypass_at_load,
			   virtio_cread8(unit->vdev,
					 offsetof(struct virtio_iommu_config,
						  bypass)));
	seq_printf(s, "identity %s\n", unit->use_bypass_domain ?
		   "bypass domain" : "detached");
	seq_printf(s, "queues request %u event %u\n", unit->rq.nr_slots,
		   unit->nr_evts);
	seq_printf(s, "topology %s\n", unit->topo->name);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(config);

static int topology_show(struct seq_file *s, void *unused)
{
	struct viommu_unit *unit = s->private;

	unit->topo->show(unit, s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(topology);

static int ids_show(struct seq_file *s, void *unused)
{
	viommu_ids_show(s->private, s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ids);

static int devices_show(struct seq_file *s, void *unused)
{
	struct viommu_unit *unit = s->private;
	struct viommu_endpoint *vep;
	struct viommu_resv *r;
	unsigned int i;

	mutex_lock(&unit->ep_lock);
	list_for_each_entry(vep, &unit->endpoints, node) {
		seq_printf(s, "%s ids", dev_name(vep->dev));
		for (i = 0; i < vep->nr_ids; i++)
			seq_printf(s, " %#x", vep->ids[i]->id);
		seq_puts(s, " resv");
		list_for_each_entry(r, &vep->resv, list)
			seq_printf(s, " %#llx-%#llx:%s", r->start, r->last,
				   r->type == XIOMMU_RESV_MSI ? "msi" :
								"reserved");
		seq_puts(s, "\n");
	}
	mutex_unlock(&unit->ep_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(devices);

static int domains_show(struct seq_file *s, void *unused)
{
	viommu_domains_show(s->private, s, false);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(domains);

static int mappings_show(struct seq_file *s, void *unused)
{
	viommu_domains_show(s->private, s, true);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mappings);

static int stats_show(struct seq_file *s, void *unused)
{
	struct viommu_unit *unit = s->private;
	struct viommu_rq *rq = &unit->rq;
	unsigned int t;

	mutex_lock(&rq->lock);
	for (t = VIRTIO_IOMMU_T_ATTACH; t <= VIOMMU_T_MAX; t++)
		seq_printf(s, "req_%s %llu\n", viommu_req_name(t),
			   rq->nr_req[t]);
	for (t = VIRTIO_IOMMU_T_ATTACH; t <= VIOMMU_T_MAX; t++)
		seq_printf(s, "err_%s %llu\n", viommu_req_name(t),
			   rq->nr_err[t]);
	seq_printf(s, "kicks %llu\n", rq->nr_kicks);
	seq_printf(s, "batch_max %llu\n", rq->nr_batches_max);
	seq_printf(s, "map_bytes %llu\n", rq->map_bytes);
	seq_printf(s, "unmap_bytes %llu\n", rq->unmap_bytes);
	seq_printf(s, "broken %d\n", rq->broken);
	mutex_unlock(&rq->lock);
	seq_printf(s, "events %lld\n",
		   (long long)atomic64_read(&unit->nr_events));
	seq_printf(s, "faults %lld\n",
		   (long long)xiommu_fault_count(&unit->iommu));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int poll_show(struct seq_file *s, void *unused)
{
	struct viommu_unit *unit = s->private;

	viommu_event_poll(unit);
	seq_printf(s, "events %lld faults %lld\n",
		   (long long)atomic64_read(&unit->nr_events),
		   (long long)xiommu_fault_count(&unit->iommu));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(poll);

/**
 * viommu_debugfs_init() - create the unit's debugfs files
 * @unit: a registered unit
 * @test_hooks: also create the fault-injection files
 */
void viommu_debugfs_init(struct viommu_unit *unit, bool test_hooks)
{
	struct dentry *dir = xiommu_debugfs_dir(&unit->iommu);

	if (IS_ERR_OR_NULL(dir))
		return;
	debugfs_create_file("config", 0400, dir, unit, &config_fops);
	debugfs_create_file("topology", 0400, dir, unit, &topology_fops);
	debugfs_create_file("ids", 0400, dir, unit, &ids_fops);
	debugfs_create_file("devices", 0400, dir, unit, &devices_fops);
	debugfs_create_file("domains", 0400, dir, unit, &domains_fops);
	debugfs_create_file("mappings", 0400, dir, unit, &mappings_fops);
	debugfs_create_file("stats", 0400, dir, unit, &stats_fops);
	debugfs_create_file("poll", 0400, dir, unit, &poll_fops);
	if (test_hooks) {
		debugfs_create_u32("fail_map", 0600, dir, &unit->rq.fail_map);
		debugfs_create_u32("fail_attach", 0600, dir,
				   &unit->rq.fail_attach);
	}
}
