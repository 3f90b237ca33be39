// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which endpoint IDs a device's DMA carries into a virtio-iommu.
 *
 * The virtio spec leaves endpoint IDs "platform specific" ("ATTACH
 * request"): firmware says which devices a virtio-iommu translates and
 * under which IDs. Two descriptions exist and both sit behind struct
 * viommu_topo_ops, so everything above this file is the same on every
 * platform:
 *
 *  - ACPI VIOT (x86, and arm64 with ACPI): the table lists the
 *    virtio-iommu itself (a virtio-pci node: segment + BDF, or a
 *    virtio-mmio node: base address) and the endpoints it translates: PCI
 *    range nodes (segments [start, end] x BDFs [start, end], mapped
 *    linearly onto endpoint IDs from endpoint_start) and MMIO endpoint
 *    nodes (register base -> one ID), each naming its IOMMU by the node's
 *    byte offset in the table ("output node"). Debian's 6.1 kernel is
 *    built without CONFIG_ACPI_VIOT and exports no VIOT helper, so the
 *    table is read here with acpi_get_table(). QEMU (hw/acpi/viot.c)
 *    writes one virtio-pci node at offset 48 and one PCI range per host
 *    bridge covering all its buses, with endpoint ID = BDF.
 *  - device tree (arm64 without ACPI): PCI endpoints through the host
 *    bridge's "iommu-map" (+ "iommu-map-mask"), a requester ID -> (IOMMU
 *    node, ID) table read with of_map_id(); platform endpoints through
 *    their "iommus" phandles with one cell. This backend is compiled on
 *    every architecture (of_map_id() and friends are stubs without
 *    CONFIG_OF) but only exercised where device trees exist.
 *
 * For PCI both walk the device's requester ID and its DMA aliases
 * (xiommu_pci_walk_dma_aliases()): a device behind a PCIe-to-PCI bridge
 * reaches the IOMMU with the bridge's ID, and the caller later keeps the
 * IDs the device acknowledges (PROBE).
 */
#define pr_fmt(fmt) "xiommu_virtio: " fmt

#include <linux/acpi.h>
#include <linux/of.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "viommu.h"

/* The register base of a platform device, else 0. */
static u64 viommu_dev_mmio_base(struct device *dev)
{
	struct resource *res;

	if (!dev_is_platform(dev))
		return 0;
	res = platform_get_resource(to_platform_device(dev),
				    IORESOURCE_MEM, 0);
	return res ? res->start : 0;
}

/* --- ACPI VIOT ----------------------------------------------------------- */

static void viot_destroy(struct viommu_unit *unit)
{
	kfree(unit->pci_ranges);
	kfree(unit->mmio_eps);
	unit->pci_ranges = NULL;
	unit->mmio_eps = NULL;
	unit->nr_pci_ranges = 0;
	unit->nr_mmio_eps = 0;
}

#ifdef CONFIG_ACPI
/*
 * The node at byte offset @off of a table of @len bytes, checked to lie
 * inside the table with at least @min bytes, or NULL.
 */
static const struct acpi_viot_header *viot_node(const void *viot, u32 len,
						u32 off, size_t min)
{
	const struct acpi_viot_header *hdr = viot + off;

	if (off < sizeof(struct acpi_table_viot) || off > len ||
	    len - off < sizeof(*hdr))
		return NULL;
	if (hdr->length < sizeof(*hdr) || hdr->length > len - off ||
	    hdr->length < min)
		return NULL;
	return hdr;
}

/* Is the VIOT virtio-iommu node @hdr the device @parent? */
static bool viot_node_is(const struct acpi_viot_header *hdr,
			 struct device *parent)
{
	if (hdr->type == ACPI_VIOT_NODE_VIRTIO_IOMMU_PCI &&
	    hdr->length >= sizeof(struct acpi_viot_virtio_iommu_pci) &&
	    dev_is_pci(parent)) {
		const struct acpi_viot_virtio_iommu_pci *n = (const void *)hdr;
		struct pci_dev *pdev = to_pci_dev(parent);

		return n->segment == pci_domain_nr(pdev->bus) &&
		       n->bdf == pci_dev_id(pdev);
	}
	if (hdr->type == ACPI_VIOT_NODE_VIRTIO_IOMMU_MMIO &&
	    hdr->length >= sizeof(struct acpi_viot_virtio_iommu_mmio)) {
		const struct acpi_viot_virtio_iommu_mmio *n = (const void *)hdr;
		u64 base = viommu_dev_mmio_base(parent);

		return base && n->base_address == base;
	}
	return false;
}

/*
 * Walk the table twice: find our node, then count (@store false) or store
 * the endpoint nodes that output to it.
 */
static int viot_collect(struct viommu_unit *unit,
			const struct acpi_table_viot *viot, bool store)
{
	u32 len = viot->header.length, off = viot->node_offset;
	unsigned int i, nr_pci = 0, nr_mmio = 0;
	const struct acpi_viot_header *hdr;

	for (i = 0; i < viot->node_count; i++, off += hdr->length) {
		hdr = viot_node(viot, len, off, 0);
		if (!hdr) {
			pr_err("VIOT: node %u at offset %u overflows the table\n",
			       i, off);
			return -EINVAL;
		}
		if (hdr->type == ACPI_VIOT_NODE_PCI_RANGE &&
		    hdr->length >= sizeof(struct acpi_viot_pci_range)) {
			const struct acpi_viot_pci_range *r = (const void *)hdr;

			if (r->output_node != unit->topo_node ||
			    r->segment_start > r->segment_end ||
			    r->bdf_start > r->bdf_end)
				continue;
			if (store)
				unit->pci_ranges[nr_pci] =
					(struct viommu_pci_range) {
					.segment_start = r->segment_start,
					.segment_end = r->segment_end,
					.bdf_start = r->bdf_start,
					.bdf_end = r->bdf_end,
					.endpoint_start = r->endpoint_start,
				};
			nr_pci++;
		} else if (hdr->type == ACPI_VIOT_NODE_MMIO &&
			   hdr->length >= sizeof(struct acpi_viot_mmio)) {
			const struct acpi_viot_mmio *m = (const void *)hdr;

			if (m->output_node != unit->topo_node)
				continue;
			if (store)
				unit->mmio_eps[nr_mmio] =
					(struct viommu_mmio_ep) {
					.base = m->base_address,
					.endpoint = m->endpoint,
				};
			nr_mmio++;
		}
	}
	if (!store) {
		unit->nr_pci_ranges = nr_pci;
		unit->nr_mmio_eps = nr_mmio;
	}
	return 0;
}

static int viot_init(struct viommu_unit *unit)
{
	struct device *parent = viommu_unit_parent(unit);
	const struct acpi_table_viot *viot;
	const struct acpi_viot_header *hdr;
	struct acpi_table_header *table;
	unsigned int i;
	u32 off;
	int rc;

	if (acpi_disabled)
		return -ENODEV;
	if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_VIOT, 0, &table)))
		return -ENODEV;
	viot = (const void *)table;
	rc = -ENODEV;
	if (table->length < sizeof(*viot)) {
		pr_err("VIOT: table too short (%u bytes)\n", table->length);
		goto out_put;
	}

	/* Our own node: its offset is what endpoint nodes name. */
	off = viot->node_offset;
	for (i = 0; i < viot->node_count; i++, off += hdr->length) {
		hdr = viot_node(viot, table->length, off, 0);
		if (!hdr)
			break;
		if (viot_node_is(hdr, parent)) {
			unit->topo_node = off;
			rc = 0;
			break;
		}
	}
	if (rc) {
		dev_info(parent, "the ACPI VIOT table does not describe this virtio-iommu\n");
		goto out_put;
	}

	rc = viot_collect(unit, viot, false);
	if (rc)
		goto out_put;
	unit->pci_ranges = kcalloc(unit->nr_pci_ranges,
				   sizeof(*unit->pci_ranges), GFP_KERNEL);
	unit->mmio_eps = kcalloc(unit->nr_mmio_eps, sizeof(*unit->mmio_eps),
				 GFP_KERNEL);
	if ((unit->nr_pci_ranges && !unit->pci_ranges) ||
	    (unit->nr_mmio_eps && !unit->mmio_eps)) {
		rc = -ENOMEM;
		goto out_put;
	}
	rc = viot_collect(unit, viot, true);
out_put:
	acpi_put_table(table);
	if (rc)
		viot_destroy(unit);
	return rc;
}
#else
static int viot_init(struct viommu_unit *unit)
{
	return -ENODEV;
}
#endif /* CONFIG_ACPI */

struct viommu_id_walk {
	struct viommu_unit *unit;
	viommu_id_fn fn;
	void *data;
	bool found;
};

static int viot_alias_cb(struct pci_dev *pdev, u16 alias, void *data)
{
	struct viommu_id_walk *w = data;
	struct viommu_unit *unit = w->unit;
	u32 seg = pci_domain_nr(pdev->bus);
	unsigned int i;

	for (i = 0; i < unit->nr_pci_ranges; i++) {
		const struct viommu_pci_range *r = &unit->pci_ranges[i];

		if (seg < r->segment_start || seg > r->segment_end ||
		    alias < r->bdf_start || alias > r->bdf_end)
			continue;
		w->found = true;
		return w->fn(((seg - r->segment_start) << 16) +
			     alias - r->bdf_start + r->endpoint_start, w->data);
	}
	return 0;
}

static int viot_dev_ids(struct viommu_unit *unit, struct device *dev,
			viommu_id_fn fn, void *data)
{
	struct viommu_id_walk w = { .unit = unit, .fn = fn, .data = data };
	unsigned int i;
	u64 base = viommu_dev_mmio_base(dev);
	int rc = 0;

	if (dev_is_pci(dev)) {
		rc = xiommu_pci_walk_dma_aliases(to_pci_dev(dev),
						 viot_alias_cb, &w);
	} else if (base) {
		for (i = 0; i < unit->nr_mmio_eps && !rc; i++) {
			if (unit->mmio_eps[i].base != base)
				continue;
			w.found = true;
			rc = fn(unit->mmio_eps[i].endpoint, data);
		}
	}
	return rc ?: (w.found ? 0 : -ENODEV);
}

static void viot_show(struct viommu_unit *unit, struct seq_file *s)
{
	unsigned int i;

	seq_printf(s, "acpi-viot: our node at offset %u\n", unit->topo_node);
	for (i = 0; i < unit->nr_pci_ranges; i++) {
		const struct viommu_pci_range *r = &unit->pci_ranges[i];

		seq_printf(s, "pci-range segments %04x-%04x bdf %04x-%04x -> endpoints %#x-%#x\n",
			   r->segment_start, r->segment_end, r->bdf_start,
			   r->bdf_end, r->endpoint_start,
			   r->endpoint_start + r->bdf_end - r->bdf_start +
			   ((u32)(r->segment_end - r->segment_start) << 16));
	}
	for (i = 0; i < unit->nr_mmio_eps; i++)
		seq_printf(s, "mmio %#llx -> endpoint %#x\n",
			   unit->mmio_eps[i].base, unit->mmio_eps[i].endpoint);
}

static const struct viommu_topo_ops viommu_topo_viot = {
	.name = "acpi-viot",
	.init = viot_init,
	.destroy = viot_destroy,
	.dev_ids = viot_dev_ids,
	.show = viot_show,
};

/* --- device tree --------------------------------------------------------- */

static int of_topo_init(struct viommu_unit *unit)
{
	return dev_of_node(viommu_unit_parent(unit)) ? 0 : -ENODEV;
}

static void of_topo_destroy(struct viommu_unit *unit)
{
}

/* The node whose "iommu-map" translates requester IDs of @pdev's host. */
static struct device_node *of_pci_host_node(struct pci_dev *pdev)
{
	struct pci_bus *bus = pdev->bus;

	while (!pci_is_root_bus(bus))
		bus = bus->parent;
	if (!bus->bridge || !bus->bridge->parent)
		return NULL;
	return dev_of_node(bus->bridge->parent);
}

struct viommu_of_walk {
	struct device_node *self;
	struct device_node *host;
	viommu_id_fn fn;
	void *data;
	bool found;
};

static int of_alias_cb(struct pci_dev *pdev, u16 alias, void *data)
{
	struct viommu_of_walk *w = data;
	struct device_node *target = NULL;
	u32 id;
	int rc;

	/* With *target NULL, of_map_id() names the IOMMU of the entry. */
	if (of_map_id(w->host, alias, "iommu-map", "iommu-map-mask", &target,
		      &id))
		return 0;
	rc = 0;
	if (target == w->self) {
		w->found = true;
		rc = w->fn(id, w->data);
	}
	of_node_put(target);
	return rc;
}

static int of_dev_ids(struct viommu_unit *unit, struct device *dev,
		      viommu_id_fn fn, void *data)
{
	struct viommu_of_walk w = {
		.self = dev_of_node(viommu_unit_parent(unit)),
		.fn = fn,
		.data = data,
	};
	struct of_phandle_args args;
	int i, rc = 0;

	if (dev_is_pci(dev)) {
		w.host = of_pci_host_node(to_pci_dev(dev));
		if (w.host)
			rc = xiommu_pci_walk_dma_aliases(to_pci_dev(dev),
							 of_alias_cb, &w);
	} else if (dev_of_node(dev)) {
		for (i = 0; !rc && !of_parse_phandle_with_args(dev_of_node(dev),
				"iommus", "#iommu-cells", i, &args); i++) {
			if (args.np == w.self && args.args_count == 1) {
				w.found = true;
				rc = fn(args.args[0], data);
			}
			of_node_put(args.np);
		}
	}
	return rc ?: (w.found ? 0 : -ENODEV);
}

static void of_topo_show(struct viommu_unit *unit, struct seq_file *s)
{
	seq_printf(s, "of: %pOF\n", dev_of_node(viommu_unit_parent(unit)));
}

static const struct viommu_topo_ops viommu_topo_of = {
	.name = "of",
	.init = of_topo_init,
	.destroy = of_topo_destroy,
	.dev_ids = of_dev_ids,
	.show = of_topo_show,
};

/**
 * viommu_topo_init() - find the firmware description of a unit
 * @unit: the unit (its transport device is viommu_unit_parent())
 *
 * A device-tree node of the transport device wins; otherwise the ACPI VIOT
 * table must describe it.
 *
 * Return: 0 (unit->topo set), -ENODEV if no firmware describes the unit
 * (then no endpoint is known to be behind it), -EINVAL for a malformed
 * table, -ENOMEM.
 */
int viommu_topo_init(struct viommu_unit *unit)
{
	static const struct viommu_topo_ops *const all[] = {
		&viommu_topo_of,
		&viommu_topo_viot,
	};
	unsigned int i;
	int rc = -ENODEV;

	for (i = 0; i < ARRAY_SIZE(all) && rc == -ENODEV; i++) {
		rc = all[i]->init(unit);
		if (!rc)
			unit->topo = all[i];
	}
	return rc;
}

/**
 * viommu_topo_destroy() - free what viommu_topo_init() allocated
 * @unit: the unit
 */
void viommu_topo_destroy(struct viommu_unit *unit)
{
	if (unit->topo)
		unit->topo->destroy(unit);
	unit->topo = NULL;
}
