// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs files of a VT-d unit, next to the core's "faults" and
 * "endpoints" in /sys/kernel/debug/xiommu/dmarN/:
 *
 *   regs     VER, CAP, ECAP, GSTS, RTADDR, FSTS, FECTL (IQA, IQH, IQT),
 *            raw and decoded
 *   context  every present root and context entry ("bb:dd.f hi:lo ...")
 *   domains  paging domains: domain id, depth, tables and leaves per size
 *   pgtable  the same plus every domain's mappings, merged into runs
 *   poll     reading it polls the fault recording registers at once and
 *            prints "records N faults M overflows O"; tests can read it
 *            instead of waiting for the next periodic poll
 *   dmar     the parsed ACPI DMAR table
 *   stats    invalidation counters: descriptors queued (or register
 *            writes), invalidations by kind, and the bytes unmapped and
 *            mapped with the invalidation work each caused
 *
 * The core removes the directory (and so these files) when the unit is
 * unregistered; debugfs waits for readers still inside a file then.
 */
#include <linux/bitfield.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "vtd.h"

static int regs_show(struct seq_file *s, void *unused)
{
	struct vtd_unit *unit = s->private;
	void __iomem *reg = unit->reg;

	seq_printf(s, "VER    %08x\n", readl(reg + VTD_REG_VER));
	seq_printf(s, "CAP    %016llx\n", readq(reg + VTD_REG_CAP));
	seq_printf(s, "ECAP   %016llx\n", readq(reg + VTD_REG_ECAP));
	seq_printf(s, "GSTS   %08x\n", readl(reg + VTD_REG_GSTS));
	seq_printf(s, "RTADDR %016llx\n", readq(reg + VTD_REG_RTADDR));
	seq_printf(s, "FSTS   %08x\n", readl(reg + VTD_REG_FSTS));
	seq_printf(s, "FECTL  %08x\n", readl(reg + VTD_REG_FECTL));
	if (unit->ecap & VTD_ECAP_QI) {
		seq_printf(s, "IQA    %016llx\n", readq(reg + VTD_REG_IQA));
		seq_printf(s, "IQH    %016llx\n", readq(reg + VTD_REG_IQH));
		seq_printf(s, "IQT    %016llx\n", readq(reg + VTD_REG_IQT));
	}
	seq_printf(s, "translation %s, %s mode, %s invalidation, levels %u, iova bits %u, host bits %u, pgsizes %#lx\n",
		   unit->enabled ? "on" : "off",
		   unit->sm ? "scalable" : "legacy",
		   unit->qi ? "queued" : "register-based", unit->levels,
		   unit->ias, unit->oas, unit->pgsize_bitmap);
	seq_printf(s, "caching mode %d, pass-through %d, snoop control %d, coherent %d, psi %d (mamv %llu), rwbf %d\n",
		   !!(unit->cap & VTD_CAP_CM), !!(unit->ecap & VTD_ECAP_PT),
		   !!(unit->ecap & VTD_ECAP_SC), !!(unit->ecap & VTD_ECAP_C),
		   !!(unit->cap & VTD_CAP_PSI),
		   FIELD_GET(VTD_CAP_MAMV, unit->cap),
		   !!(unit->cap & VTD_CAP_RWBF));
	seq_printf(s, "iotlb regs at %#x, %u fault records at %#x, identity did %u\n",
		   unit->iro, unit->nfr, unit->fro, unit->identity_did);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(regs);

static int context_show(struct seq_file *s, void *unused)
{
	vtd_ctx_show(s->private, s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(context);

static int domains_show(struct seq_file *s, void *unused)
{
	vtd_domains_show(s->private, s, false);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(domains);

static int pgtable_show(struct seq_file *s, void *unused)
{
	vtd_domains_show(s->private, s, true);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pgtable);

static int poll_show(struct seq_file *s, void *unused)
{
	struct vtd_unit *unit = s->private;
	int n = vtd_fault_poll(unit);

	seq_printf(s, "records %d faults %llu overflows %lld\n", n,
		   xiommu_fault_count(&unit->iommu),
		   (long long)atomic64_read(&unit->fault_overflows));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(poll);

static int stats_show(struct seq_file *s, void *unused)
{
	vtd_stats_show(s->private, s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int dmar_show(struct seq_file *s, void *unused)
{
	vtd_dmar_show(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dmar);

/**
 * vtd_debugfs_init() - create the unit's debugfs files
 * @unit: a registered unit
 */
void vtd_debugfs_init(struct vtd_unit *unit)
{
	struct dentry *dir = xiommu_debugfs_dir(&unit->iommu);

	if (IS_ERR_OR_NULL(dir))
		return;
	debugfs_create_file("regs", 0400, dir, unit, &regs_fops);
	debugfs_create_file("context", 0400, dir, unit, &context_fops);
	debugfs_create_file("domains", 0400, dir, unit, &domains_fops);
	debugfs_create_file("pgtable", 0400, dir, unit, &pgtable_fops);
	debugfs_create_file("poll", 0400, dir, unit, &poll_fops);
	debugfs_create_file("dmar", 0400, dir, unit, &dmar_fops);
	debugfs_create_file("stats", 0400, dir, unit, &stats_fops);
}
