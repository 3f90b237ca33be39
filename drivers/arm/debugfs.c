// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs files of an SMMUv3 unit, next to the core's "faults" and
 * "endpoints" in /sys/kernel/debug/xiommu/<unit>/:
 *   regs     IDR0..5, IIDR, AIDR, CR0, CR1, CR2, STRTAB_BASE(_CFG),
 *            GERROR(N), one "NAME 0x..." line each
 *   ste      one line per endpoint and stream ID:
 *            "<device> sid 0x<sid> <bypass|blocked|translate asid N|abort|
 *            invalid>" (blocked: stage 1 through the blocking CD), then
 *            one line per span of STEs that exists (each level-2 table,
 *            or the whole linear table): "sids 0x<first>-0x<last> abort N
 *            bypass N blocked N translate N invalid N other N" (stream
 *            IDs no endpoint uses, hot-removed devices' included, abort)
 *   domains  the paging domains (ASID, levels, tables, leaves per size,
 *            faults); domains-dump also lists their mappings
 *   stats    one "NAME N" line per counter: cmds, syncs, cfgi_ste,
 *            cfgi_cd, tlbi_va (commands), tlbi_asid, tlbi_bytes (bytes
 *            the TLBIs covered), events, gerrors, cmd_errors
 *   poll     reading it consumes the event queue now (the tests' way to
 *            have faults counted without waiting for the interrupt
 *            thread); prints "events N"
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "smmu.h"

static int regs_show(struct seq_file *s, void *unused)
{
	struct smmu_unit *unit = s->private;
	unsigned int i;

	for (i = 0; i < 6; i++)
		seq_printf(s, "IDR%u %#010x\n", i, unit->idr[i]);
	seq_printf(s, "IIDR %#010x\nAIDR %#010x\n", unit->iidr, unit->aidr);
	seq_printf(s, "CR0 %#010x\nCR1 %#010x\nCR2 %#010x\n",
		   readl_relaxed(unit->base + SMMU_CR0),
		   readl_relaxed(unit->base + SMMU_CR1),
		   readl_relaxed(unit->base + SMMU_CR2));
	seq_printf(s, "STRTAB_BASE %#018llx\nSTRTAB_BASE_CFG %#010x\n",
		   readq_relaxed(unit->base + SMMU_STRTAB_BASE),
		   readl_relaxed(unit->base + SMMU_STRTAB_BASE_CFG));
	seq_printf(s, "GERROR %#010x\nGERRORN %#010x\n",
		   readl_relaxed(unit->base + SMMU_GERROR),
		   readl_relaxed(unit->base + SMMU_GERRORN));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(regs);

enum ste_kind { K_ABORT, K_BYPASS, K_BLOCKED, K_TRANSLATE, K_INVALID,
		K_OTHER, K_NR };

static enum ste_kind ste_kind(struct smmu_unit *unit, u64 dw0)
{
	if (!(dw0 & STE_V))
		return K_INVALID;
	switch (FIELD_GET(STE_CONFIG, dw0)) {
	case STE_CFG_ABORT:
		return K_ABORT;
	case STE_CFG_BYPASS:
		return K_BYPASS;
	case STE_CFG_S1:
		return (dw0 & STE_S1CTXPTR) == unit->block_cd_dma ?
		       K_BLOCKED : K_TRANSLATE;
	default:
		return K_OTHER;
	}
}

static void ste_line(struct seq_file *s, struct smmu_unit *unit,
		     struct smmu_master *master, u32 sid)
{
	static const char *const names[] = {
		[K_ABORT] = "abort", [K_BYPASS] = "bypass",
		[K_BLOCKED] = "blocked", [K_INVALID] = "invalid",
	};
	u64 dw0 = smmu_ste_read(unit, sid);
	enum ste_kind kind = ste_kind(unit, dw0);
	struct smmu_domain *sdom;

	seq_printf(s, "%s sid %#x ", dev_name(master->dev), sid);
	switch (kind) {
	case K_ABORT:
	case K_BYPASS:
	case K_BLOCKED:
	case K_INVALID:
		seq_printf(s, "%s\n", names[kind]);
		return;
	case K_TRANSLATE:
		mutex_lock(&unit->dom_lock);
		list_for_each_entry(sdom, &unit->domains, node) {
			if (sdom->cd_dma == (dw0 & STE_S1CTXPTR)) {
				seq_printf(s, "translate asid %u\n", sdom->asid);
				mutex_unlock(&unit->dom_lock);
				return;
			}
		}
		mutex_unlock(&unit->dom_lock);
		seq_puts(s, "translate asid ?\n");
		return;
	default:
		seq_printf(s, "config %llu\n", FIELD_GET(STE_CONFIG, dw0));
	}
}

/* How many STEs of each kind every existing span of the table holds. */
static void ste_spans(struct seq_file *s, struct smmu_unit *unit)
{
	u32 span = unit->two_level ? 1U << SMMU_STRTAB_SPLIT :
		   1U << unit->sid_bits;
	u32 first, sid;
	unsigned int n[K_NR];

	for (first = 0; first < (1U << unit->sid_bits); first += span) {
		/* level-2 tables are never freed before the unit */
		if (unit->two_level &&
		    !READ_ONCE(unit->l2[first >> SMMU_STRTAB_SPLIT]))
			continue;
		memset(n, 0, sizeof(n));
		for (sid = first; sid < first + span; sid++)
			n[ste_kind(unit, smmu_ste_read(unit, sid))]++;
		seq_printf(s, "sids %#x-%#x abort %u bypass %u blocked %u translate %u invalid %u other %u\n",
			   first, first + span - 1, n[K_ABORT], n[K_BYPASS],
			   n[K_BLOCKED], n[K_TRANSLATE], n[K_INVALID],
			   n[K_OTHER]);
	}
}

static int ste_show(struct seq_file *s, void *unused)
{
	struct smmu_unit *unit = s->private;
	struct smmu_master *master;
	unsigned int i;

	mutex_lock(&unit->dev_lock);
	list_for_each_entry(master, &unit->devices, node)
		for (i = 0; i < master->nr_sids; i++)
			ste_line(s, unit, master, master->sids[i]);
	ste_spans(s, unit);
	mutex_unlock(&unit->dev_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ste);

static int domains_show(struct seq_file *s, void *unused)
{
	smmu_domains_show(s->private, s, false);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(domains);

static int domains_dump_show(struct seq_file *s, void *unused)
{
	smmu_domains_show(s->private, s, true);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(domains_dump);

static int stats_show(struct seq_file *s, void *unused)
{
	struct smmu_stats *st = &((struct smmu_unit *)s->private)->stats;

	seq_printf(s, "cmds %lld\nsyncs %lld\ncfgi_ste %lld\ncfgi_cd %lld\ntlbi_va %lld\ntlbi_asid %lld\ntlbi_bytes %lld\nevents %lld\ngerrors %lld\ncmd_errors %lld\n",
		   (long long)atomic64_read(&st->cmds),
		   (long long)atomic64_read(&st->syncs),
		   (long long)atomic64_read(&st->cfgi_ste),
		   (long long)atomic64_read(&st->cfgi_cd),
		   (long long)atomic64_read(&st->tlbi_va),
		   (long long)atomic64_read(&st->tlbi_asid),
		   (long long)atomic64_read(&st->tlbi_bytes),
		   (long long)atomic64_read(&st->events),
		   (long long)atomic64_read(&st->gerrors),
		   (long long)atomic64_read(&st->cmd_errors));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int poll_show(struct seq_file *s, void *unused)
{
	struct smmu_unit *unit = s->private;

	smmu_evtq_process(unit);
	smmu_gerror_process(unit);
	seq_printf(s, "events %lld\n",
		   (long long)atomic64_read(&unit->stats.events));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(poll);

/**
 * smmu_debugfs_init() - add the unit's files (removed with the unit)
 * @unit: a registered unit
 */
void smmu_debugfs_init(struct smmu_unit *unit)
{
	struct dentry *dir = xiommu_debugfs_dir(&unit->iommu);

	if (IS_ERR_OR_NULL(dir))
		return;
	debugfs_create_file("regs", 0400, dir, unit, &regs_fops);
	debugfs_create_file("ste", 0400, dir, unit, &ste_fops);
	debugfs_create_file("domains", 0400, dir, unit, &domains_fops);
	debugfs_create_file("domains-dump", 0400, dir, unit,
			    &domains_dump_fops);
	debugfs_create_file("stats", 0400, dir, unit, &stats_fops);
	debugfs_create_file("poll", 0400, dir, unit, &poll_fops);
}
