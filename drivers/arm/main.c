// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu_smmuv3: Arm SMMUv3 units described by a device tree node
 * "arm,smmu-v3" (IHI 0070), driven for the xiommu core.
 *
 * Probe (6.3 registers; the initialisation order of the specification's
 * "Initialization" guidance):
 *   1. IDR0..IDR5 decide the features; a unit without stage 1, AArch64
 *      tables, coherent access (COHACC), a 4 KiB granule or little-endian
 *      walks is refused with a message saying which;
 *   2. the registers the driver changes are saved (restored at unload);
 *      translation, queues and interrupts are turned off;
 *   3. command queue, event queue, stream table (strtab.c) are set up,
 *      the command queue enabled, every cached configuration and TLB entry
 *      invalidated (CFGI_ALL, TLBI_NSNH_ALL, SYNC), the event queue and
 *      interrupts enabled;
 *   4. the unit is registered with the core, which probes the PCI devices
 *      behind it (stream IDs through the host bridge's iommu-map) and
 *      attaches them to the identity domain (bypass STEs);
 *   5. SMMUEN = 1.
 * Remove undoes it: unregister, SMMUEN = 0 and queues off, interrupts
 * off, the saved registers written back.
 */
#define pr_fmt(fmt) "xiommu_smmuv3: " fmt

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <linux/iommufd.h>

#include "smmu.h"

static DEFINE_IDA(smmu_unit_ida);

#define SMMU_ACK_US	100000

static int smmu_write_ack(struct smmu_unit *unit, unsigned int reg,
			  unsigned int ack, u32 val)
{
	u32 got;
	int rc;

	writel(val, unit->base + reg);
	rc = readl_poll_timeout(unit->base + ack, got, got == val, 1,
				SMMU_ACK_US);
	if (rc)
		dev_err(unit->dev, "register %#x = %#x not acknowledged (%#x)\n",
			reg, val, got);
	return rc;
}

/* --- endpoints ---------------------------------------------------------- */

struct smmu_alias_walk {
	struct smmu_unit *unit;
	struct device_node *host;
	u32 *sids;
	unsigned int nr;
	unsigned int max;
	int rc;
};

/* The node whose iommu-map translates requester IDs of @pdev's host. */
static struct device_node *smmu_pci_host_node(struct pci_dev *pdev)
{
	struct pci_host_bridge *bridge = pci_find_host_bridge(pdev->bus);

	if (!bridge || !bridge->dev.parent)
		return NULL;
	return dev_of_node(bridge->dev.parent);
}

static int smmu_alias_cb(struct pci_dev *pdev, u16 alias, void *data)
{
	struct smmu_alias_walk *w = data;
	struct device_node *target = NULL;
	unsigned int i;
	u32 sid;

	/* With target NULL, of_map_id() names the IOMMU of the entry. */
	if (of_map_id(w->host, alias, "iommu-map", "iommu-map-mask", &target,
		      &sid) || !target)
		return 0;
	if (target != w->unit->dev->of_node) {
		of_node_put(target);
		return 0;
	}
	of_node_put(target);
	if (sid >> w->unit->sid_bits) {
		w->rc = -ERANGE;
		return 0;
	}
	for (i = 0; i < w->nr; i++)
		if (w->sids[i] == sid)
			return 0;
	if (w->nr < w->max)
		w->sids[w->nr] = sid;
	w->nr++;
	return 0;
}

static int smmu_probe_device(struct xiommu_device *iommu, struct device *dev)
{
	struct smmu_unit *unit = to_smmu_unit(iommu);
	struct smmu_alias_walk w = { .unit = unit, .max = 64 };
	struct smmu_master *master;
	struct pci_dev *pdev;
	unsigned int i;
	int rc;

	if (!dev_is_pci(dev))
		return -ENODEV;
	pdev = to_pci_dev(dev);
	w.host = smmu_pci_host_node(pdev);
	if (!w.host)
		return -ENODEV;
	w.sids = kcalloc(w.max, sizeof(u32), GFP_KERNEL);
	if (!w.sids)
		return -ENOMEM;
	/* Own requester ID first: the event path names endpoints by it. */
	smmu_alias_cb(pdev, pci_dev_id(pdev), &w);
	if (!w.nr) {
		kfree(w.sids);
		return -ENODEV;
	}
	xiommu_pci_walk_dma_aliases(pdev, smmu_alias_cb, &w);
	if (w.rc || w.nr > w.max) {
		dev_warn(dev, "%s: stream IDs out of range or too many aliases\n",
			 iommu->name);
		kfree(w.sids);
		return w.rc ?: -E2BIG;
	}
	for (i = 0; i < w.nr; i++) {
		rc = smmu_strtab_prepare(unit, w.sids[i]);
		if (rc) {
			kfree(w.sids);
			return rc;
		}
	}
	master = kzalloc(struct_size(master, sids, w.nr), GFP_KERNEL);
	if (!master) {
		kfree(w.sids);
		return -ENOMEM;
	}
	master->dev = dev;
	master->unit = unit;
	master->nr_sids = w.nr;
	memcpy(master->sids, w.sids, w.nr * sizeof(u32));
	kfree(w.sids);
	mutex_lock(&unit->dev_lock);
	list_add_tail(&master->node, &unit->devices);
	mutex_unlock(&unit->dev_lock);
	xiommu_endpoint_set_priv(dev, master);
	return 0;
}

/* Is @sid used by an endpoint of @unit other than @skip? dev_lock held. */
static bool smmu_sid_in_use(struct smmu_unit *unit, u32 sid,
			    struct smmu_master *skip)
{
	struct smmu_master *master;
	unsigned int i;

	lockdep_assert_held(&unit->dev_lock);
	list_for_each_entry(master, &unit->devices, node) {
		if (master == skip)
			continue;
		for (i = 0; i < master->nr_sids; i++)
			if (master->sids[i] == sid)
				return true;
	}
	return false;
}

static void smmu_release_device(struct device *dev)
{
	struct smmu_master *master = smmu_master_find(dev);
	struct smmu_unit *unit;
	unsigned int i;

	if (!master)
		return;
	unit = master->unit;
	mutex_lock(&unit->dev_lock);
	/*
	 * Hot-removal: abort the stream IDs nobody else uses, so that a
	 * device appearing there later starts blocked. At unload (dying)
	 * leave them: kernel DMA keeps flowing until SMMUEN goes off.
	 */
	for (i = 0; !unit->dying && i < master->nr_sids; i++)
		if (!smmu_sid_in_use(unit, master->sids[i], master))
			smmu_ste_write(unit, master->sids[i], STE_V |
				       FIELD_PREP(STE_CONFIG, STE_CFG_ABORT));
	list_del(&master->node);
	mutex_unlock(&unit->dev_lock);
	xiommu_endpoint_set_priv(dev, NULL);
	kfree(master);
}

static struct xiommu_group *smmu_device_group(struct device *dev)
{
	return xiommu_pci_device_group(dev);
}

static bool smmu_capable(struct device *dev, enum xiommu_cap cap)
{
	struct smmu_master *master = smmu_master_find(dev);

	if (!master)
		return false;
	switch (cap) {
	case XIOMMU_CAP_IOMMUFD:
		return true;
	case XIOMMU_CAP_CACHE_COHERENCY:
		return master->unit->idr[0] & IDR0_COHACC;
	case XIOMMU_CAP_ENFORCE_CACHE_COHERENCY:
	case XIOMMU_CAP_DIRTY_TRACKING:	/* no HTTU in use */
	/*
	 * A nest parent is a stage-2 table (IDR0.S2P): QEMU 7.2's SMMUv3 has
	 * stage 1 only, and this driver builds stage-1 tables only.
	 */
	case XIOMMU_CAP_NEST_PARENT:
	case XIOMMU_CAP_INTR_ISOLATION:	/* MSIs are not remapped */
	default:
		return false;
	}
}

/*
 * The MSI doorbells of the interrupt controllers in the device tree: a
 * GICv2m frame (its MSI_SETSPI_NS register is in the frame's first 4 KiB
 * page) or a GICv3 ITS (GITS_TRANSLATER in the second 64 KiB frame). A
 * unit that finds none still works; only user-owned devices' MSIs fault.
 */
void smmu_find_msi_windows(struct smmu_unit *unit)
{
	static const struct {
		const char *compatible;
		resource_size_t offset, size;
	} kinds[] = {
		{ "arm,gic-v2m-frame", 0, SZ_4K },
		{ "arm,gic-v3-its", SZ_64K, SZ_64K },
	};
	struct device_node *np;
	struct resource res;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		for_each_compatible_node(np, NULL, kinds[i].compatible) {
			if (unit->nr_msi == SMMU_MAX_MSI_WINDOWS ||
			    of_address_to_resource(np, 0, &res))
				continue;
			unit->msi[unit->nr_msi].base = res.start +
						       kinds[i].offset;
			unit->msi[unit->nr_msi].size = kinds[i].size;
			dev_info(unit->dev, "MSI doorbell %pa (%s) mapped in every paging domain\n",
				 &unit->msi[unit->nr_msi].base,
				 kinds[i].compatible);
			unit->nr_msi++;
		}
	}
}

/* The doorbells' IOVA is reserved: user space cannot map over them. */
static void smmu_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct smmu_master *master = smmu_master_find(dev);
	struct xiommu_resv_region *region;
	unsigned int i;

	if (!master)
		return;
	for (i = 0; i < master->unit->nr_msi; i++) {
		region = xiommu_alloc_resv_region(master->unit->msi[i].base,
						  master->unit->msi[i].size,
						  XIOMMU_RESV_MSI, GFP_KERNEL);
		if (region)
			list_add_tail(&region->list, head);
	}
}

static int smmu_hw_info(struct device *dev, void *data, size_t len, u32 *type)
{
	struct smmu_master *master = smmu_master_find(dev);
	struct iommu_hw_info_arm_smmuv3 info = {};
	unsigned int i;

	if (!master)
		return -ENODEV;
	for (i = 0; i < ARRAY_SIZE(info.idr); i++)
		info.idr[i] = master->unit->idr[i];
	info.iidr = master->unit->iidr;
	info.aidr = master->unit->aidr;
	memcpy(data, &info, min(len, sizeof(info)));
	*type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	return sizeof(info);
}

const struct xiommu_ops smmu_ops = {
	.owner = THIS_MODULE,
	.name = "smmuv3",
	.probe_device = smmu_probe_device,
	.release_device = smmu_release_device,
	.device_group = smmu_device_group,
	.capable = smmu_capable,
	.domain_alloc_paging = smmu_domain_alloc_paging,
	.get_resv_regions = smmu_get_resv_regions,
	.hw_info = smmu_hw_info,
	.identity_domain = &smmu_identity_domain,
	.blocked_domain = &smmu_blocked_domain,
};

/* --- interrupts --------------------------------------------------------- */

static irqreturn_t smmu_evtq_thread(int irq, void *data)
{
	smmu_evtq_process(data);
	return IRQ_HANDLED;
}

static irqreturn_t smmu_gerror_thread(int irq, void *data)
{
	smmu_gerror_process(data);
	return IRQ_HANDLED;
}

#define SMMU_POLL_MS	100

static void smmu_poll_work(struct work_struct *work)
{
	struct smmu_unit *unit = container_of(to_delayed_work(work),
					      struct smmu_unit, poll);

	smmu_evtq_process(unit);
	smmu_gerror_process(unit);
	schedule_delayed_work(&unit->poll, msecs_to_jiffies(SMMU_POLL_MS));
}

/* --- the unit ----------------------------------------------------------- */

static const unsigned int smmu_oas_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

static int smmu_read_idr(struct smmu_unit *unit)
{
	u32 *idr = unit->idr;
	unsigned int i, oas;

	for (i = 0; i < 6; i++)
		idr[i] = readl_relaxed(unit->base + SMMU_IDR0 + 4 * i);
	unit->iidr = readl_relaxed(unit->base + SMMU_IIDR);
	unit->aidr = readl_relaxed(unit->base + SMMU_AIDR);

	if (!(idr[0] & IDR0_S1P)) {
		dev_err(unit->dev, "no stage-1 translation (IDR0.S1P = 0): not supported\n");
		return -ENODEV;
	}
	if (!(FIELD_GET(IDR0_TTF, idr[0]) & 2)) {
		dev_err(unit->dev, "no AArch64 translation tables (IDR0.TTF): not supported\n");
		return -ENODEV;
	}
	if (!(idr[0] & IDR0_COHACC)) {
		dev_err(unit->dev, "table walks are not coherent (IDR0.COHACC = 0): not supported\n");
		return -ENODEV;
	}
	if (FIELD_GET(IDR0_TTENDIAN, idr[0]) == 3) {
		dev_err(unit->dev, "big-endian table walks only (IDR0.TTENDIAN): not supported\n");
		return -ENODEV;
	}
	if (!(idr[5] & IDR5_GRAN4K)) {
		dev_err(unit->dev, "no 4 KiB granule (IDR5.GRAN4K = 0): not supported\n");
		return -ENODEV;
	}
	if (idr[1] & (IDR1_TABLES_PRESET | IDR1_QUEUES_PRESET)) {
		dev_err(unit->dev, "preset tables or queues (IDR1): not supported\n");
		return -ENODEV;
	}
	unit->sid_bits = FIELD_GET(IDR1_SIDSIZE, idr[1]);
	/* Two-level tables cover up to 2^32 IDs; keep the L1 table small. */
	if (unit->sid_bits > 24 ||
	    (unit->sid_bits > 16 && FIELD_GET(IDR0_ST_LEVEL, idr[0]) != 1)) {
		dev_warn(unit->dev, "using 16 of %u stream ID bits\n",
			 unit->sid_bits);
		unit->sid_bits = 16;
	}
	unit->asid_bits = idr[0] & IDR0_ASID16 ? 16 : 8;
	oas = FIELD_GET(IDR5_OAS, idr[5]);
	unit->oas = min_t(unsigned int, 48,
			  smmu_oas_bits[min_t(unsigned int, oas, 6)]);
	/* IDR5.VAX (52-bit inputs) is not used: 48 bits, T0SZ = 16. */
	unit->ias = 48;
	unit->ril = idr[3] & IDR3_RIL;
	unit->pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	return 0;
}

static void smmu_save(struct smmu_unit *unit)
{
	struct smmu_saved *s = &unit->saved;

	s->cr0 = readl_relaxed(unit->base + SMMU_CR0);
	s->cr1 = readl_relaxed(unit->base + SMMU_CR1);
	s->cr2 = readl_relaxed(unit->base + SMMU_CR2);
	s->irq_ctrl = readl_relaxed(unit->base + SMMU_IRQ_CTRL);
	s->strtab_base = readq_relaxed(unit->base + SMMU_STRTAB_BASE);
	s->strtab_cfg = readl_relaxed(unit->base + SMMU_STRTAB_BASE_CFG);
	s->cmdq_base = readq_relaxed(unit->base + SMMU_CMDQ_BASE);
	s->cmdq_prod = readl_relaxed(unit->base + SMMU_CMDQ_PROD);
	s->cmdq_cons = readl_relaxed(unit->base + SMMU_CMDQ_CONS);
	s->evtq_base = readq_relaxed(unit->base + SMMU_EVTQ_BASE);
	s->evtq_prod = readl_relaxed(unit->page1 + SMMU_EVTQ_PROD);
	s->evtq_cons = readl_relaxed(unit->page1 + SMMU_EVTQ_CONS);
}

/* Everything off, then the registers as they were at load. */
static void smmu_restore(struct smmu_unit *unit)
{
	struct smmu_saved *s = &unit->saved;

	smmu_write_ack(unit, SMMU_CR0, SMMU_CR0ACK, 0);
	smmu_write_ack(unit, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, 0);
	writel_relaxed(s->cr1, unit->base + SMMU_CR1);
	writel_relaxed(s->cr2, unit->base + SMMU_CR2);
	writeq_relaxed(s->strtab_base, unit->base + SMMU_STRTAB_BASE);
	writel_relaxed(s->strtab_cfg, unit->base + SMMU_STRTAB_BASE_CFG);
	writeq_relaxed(s->cmdq_base, unit->base + SMMU_CMDQ_BASE);
	writel_relaxed(s->cmdq_prod, unit->base + SMMU_CMDQ_PROD);
	writel_relaxed(s->cmdq_cons, unit->base + SMMU_CMDQ_CONS);
	writeq_relaxed(s->evtq_base, unit->base + SMMU_EVTQ_BASE);
	writel_relaxed(s->evtq_prod, unit->page1 + SMMU_EVTQ_PROD);
	writel_relaxed(s->evtq_cons, unit->page1 + SMMU_EVTQ_CONS);
	smmu_write_ack(unit, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, s->irq_ctrl);
	smmu_write_ack(unit, SMMU_CR0, SMMU_CR0ACK, s->cr0);
}

static int smmu_setup_irqs(struct smmu_unit *unit,
			   struct platform_device *pdev)
{
	int rc;

	unit->evtq_irq = platform_get_irq_byname_optional(pdev, "eventq");
	unit->gerror_irq = platform_get_irq_byname_optional(pdev, "gerror");
	if (unit->evtq_irq > 0) {
		rc = devm_request_threaded_irq(unit->dev, unit->evtq_irq, NULL,
					       smmu_evtq_thread, IRQF_ONESHOT,
					       "xiommu-smmuv3-evtq", unit);
		if (rc)
			unit->evtq_irq = -1;
	}
	if (unit->gerror_irq > 0) {
		rc = devm_request_threaded_irq(unit->dev, unit->gerror_irq,
					       NULL, smmu_gerror_thread,
					       IRQF_ONESHOT,
					       "xiommu-smmuv3-gerror", unit);
		if (rc)
			unit->gerror_irq = -1;
	}
	if (unit->evtq_irq <= 0 || unit->gerror_irq <= 0) {
		dev_info(unit->dev, "no wired event/gerror interrupt: polling every %u ms\n",
			 SMMU_POLL_MS);
		schedule_delayed_work(&unit->poll,
				      msecs_to_jiffies(SMMU_POLL_MS));
	}
	return smmu_write_ack(unit, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK,
			      (unit->evtq_irq > 0 ? IRQ_CTRL_EVTQ_IRQEN : 0) |
			      (unit->gerror_irq > 0 ?
			       IRQ_CTRL_GERROR_IRQEN : 0));
}

static int smmu_plat_probe(struct platform_device *pdev)
{
	u64 inval[2][2] = {
		{ FIELD_PREP(CMD_OPCODE, CMD_CFGI_ALL),
		  FIELD_PREP(CMD1_RANGE, 31) },
		{ FIELD_PREP(CMD_OPCODE, CMD_TLBI_NSNH_ALL), 0 },
	};
	struct device *dev = &pdev->dev;
	struct smmu_unit *unit;
	struct resource *res;
	int rc, id;

	unit = devm_kzalloc(dev, sizeof(*unit), GFP_KERNEL);
	if (!unit)
		return -ENOMEM;
	unit->dev = dev;
	spin_lock_init(&unit->cmdq_lock);
	mutex_init(&unit->ste_lock);
	mutex_init(&unit->evtq_lock);
	mutex_init(&unit->dev_lock);
	mutex_init(&unit->dom_lock);
	INIT_LIST_HEAD(&unit->devices);
	INIT_LIST_HEAD(&unit->domains);
	ida_init(&unit->asid_ida);
	INIT_DELAYED_WORK(&unit->poll, smmu_poll_work);

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res || resource_size(res) < SZ_64K) {
		dev_err(dev, "register region missing or smaller than 64 KiB\n");
		return -EINVAL;
	}
	unit->base = devm_ioremap_resource(dev, res);
	if (IS_ERR(unit->base))
		return PTR_ERR(unit->base);
	/* Page 1 holds EVTQ_PROD/CONS; some units alias it in page 0. */
	unit->page1 = resource_size(res) >= SZ_128K ? unit->base + SZ_64K :
		      unit->base;
	rc = smmu_read_idr(unit);
	if (rc)
		return rc;
	smmu_find_msi_windows(unit);
	rc = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(unit->oas));
	if (rc)
		return rc;

	smmu_save(unit);
	rc = smmu_write_ack(unit, SMMU_CR0, SMMU_CR0ACK, 0);
	if (rc)
		return rc;
	rc = smmu_write_ack(unit, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, 0);
	if (rc)
		goto err_restore;
	writel_relaxed(SMMU_CR1_WB_IS, unit->base + SMMU_CR1);
	writel_relaxed(CR2_PTM | CR2_RECINVSID, unit->base + SMMU_CR2);

	rc = smmu_cmdq_init(unit);
	if (!rc)
		rc = smmu_evtq_init(unit);
	if (!rc)
		rc = smmu_strtab_init(unit);
	if (!rc)
		rc = smmu_block_cd_init(unit);
	if (rc)
		goto err_free;
	rc = smmu_write_ack(unit, SMMU_CR0, SMMU_CR0ACK, CR0_CMDQEN);
	if (rc)
		goto err_free;
	rc = smmu_cmdq_issue(unit, inval, 2, true);
	if (rc)
		goto err_free;
	rc = smmu_write_ack(unit, SMMU_CR0, SMMU_CR0ACK,
			    CR0_CMDQEN | CR0_EVTQEN);
	if (rc)
		goto err_free;
	rc = smmu_setup_irqs(unit, pdev);
	if (rc)
		goto err_irq;

	id = ida_alloc(&smmu_unit_ida, GFP_KERNEL);
	if (id < 0) {
		rc = id;
		goto err_irq;
	}
	snprintf(unit->iommu.name, sizeof(unit->iommu.name), "smmu%d", id);
	unit->iommu.ops = &smmu_ops;
	unit->iommu.bus = &pci_bus_type;
	unit->iommu.dev = dev;
	platform_set_drvdata(pdev, unit);
	rc = xiommu_device_register(&unit->iommu);
	if (rc)
		goto err_ida;
	unit->registered = true;
	smmu_debugfs_init(unit);
	rc = smmu_write_ack(unit, SMMU_CR0, SMMU_CR0ACK,
			    CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN);
	if (rc)
		goto err_unregister;
	dev_info(dev, "%s: SMMUv3.%u, %u-bit stream IDs (%s stream table), %u-bit ASIDs, OAS %u bits%s\n",
		 unit->iommu.name, unit->aidr & 0xf, unit->sid_bits,
		 unit->two_level ? "2-level" : "linear", unit->asid_bits,
		 unit->oas, unit->ril ? ", range invalidation" : "");
	return 0;

err_unregister:
	unit->dying = true;
	xiommu_device_unregister(&unit->iommu);
err_ida:
	ida_free(&smmu_unit_ida, id);
err_irq:
	cancel_delayed_work_sync(&unit->poll);
err_free:
	smmu_restore(unit);
	smmu_strtab_free(unit);
	return rc;
err_restore:
	smmu_restore(unit);
	return rc;
}

static int smmu_plat_remove(struct platform_device *pdev)
{
	struct smmu_unit *unit = platform_get_drvdata(pdev);
	int id;

	unit->dying = true;
	xiommu_device_unregister(&unit->iommu);
	/* No event consumer left before the queues go away. */
	if (unit->evtq_irq > 0)
		devm_free_irq(unit->dev, unit->evtq_irq, unit);
	if (unit->gerror_irq > 0)
		devm_free_irq(unit->dev, unit->gerror_irq, unit);
	cancel_delayed_work_sync(&unit->poll);
	smmu_restore(unit);
	smmu_strtab_free(unit);
	WARN_ON(!list_empty(&unit->domains));
	ida_destroy(&unit->asid_ida);
	if (sscanf(unit->iommu.name, "smmu%d", &id) == 1)
		ida_free(&smmu_unit_ida, id);
	return 0;
}

static const struct of_device_id smmu_of_match[] = {
	{ .compatible = "arm,smmu-v3" },
	{ }
};
MODULE_DEVICE_TABLE(of, smmu_of_match);

static struct platform_driver smmu_driver = {
	.driver = {
		.name = "xiommu-smmuv3",
		.of_match_table = smmu_of_match,
		.suppress_bind_attrs = true,
	},
	.probe = smmu_plat_probe,
	.remove = smmu_plat_remove,
};
module_platform_driver(smmu_driver);

MODULE_DESCRIPTION("xiommu: Arm SMMUv3 driver");
MODULE_LICENSE("GPL");
