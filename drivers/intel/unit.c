// SPDX-License-Identifier: GPL-2.0-only
/*
 * One VT-d DMA-remapping unit: register access, choosing the mode
 * (scalable or legacy) and the invalidation interface (queued or
 * register-based, inv.c), turning translation on and off, and fault
 * recording.
 *
 * Faults are polled, not signalled. The unit reports a fault event as an
 * MSI it sends itself (FEDATA/FEADDR, 11.4.11-13). To receive it we would
 * need a Linux IRQ whose MSI message we can program into those registers:
 * the kernel's DMAR code provides that through its own "DMAR-MSI" irq
 * domain (dmar_alloc_hwirq()), which it only sets up for units it drives
 * and does not export; modules cannot create an x86 vector-domain child
 * of their own in 6.1 either. So FECTL.IM stays set (masked) and a delayed
 * work reads the fault recording registers every VTD_FAULT_POLL_MS. A fault
 * is therefore reported up to that long after it happened; with the unit
 * having few recording registers (QEMU has one), faults arriving faster
 * than that are counted as overflows (FSTS.PFO), not lost silently. An
 * interrupt-driven path needs either an exported DMAR MSI allocator or
 * the IRQ domain hierarchy our own interrupt-remapping support (later)
 * would create.
 */
#define pr_fmt(fmt) "xiommu_vtd: " fmt

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <asm/cacheflush.h>

#include "vtd.h"

static bool qi = true;
module_param(qi, bool, 0444);
MODULE_PARM_DESC(qi, "Use queued invalidation when a unit has it (ECAP.QI); 0: register-based always (and so legacy mode)");

static bool scalable = true;
module_param(scalable, bool, 0444);
MODULE_PARM_DESC(scalable, "Use scalable mode when a unit has it (ECAP.SMTS, SLTS, QI); 0: legacy mode always");

static inline u32 vtd_readl(struct vtd_unit *unit, unsigned int off)
{
	return readl(unit->reg + off);
}

static inline u64 vtd_readq(struct vtd_unit *unit, unsigned int off)
{
	return readq(unit->reg + off);
}

static inline void vtd_writel(struct vtd_unit *unit, unsigned int off, u32 v)
{
	writel(v, unit->reg + off);
}

static inline void vtd_writeq(struct vtd_unit *unit, unsigned int off, u64 v)
{
	writeq(v, unit->reg + off);
}

/**
 * vtd_flush_cpu_cache() - push CPU writes to translation structures out
 * @unit: the unit that walks them
 * @addr: first byte written
 * @size: bytes written
 *
 * Needed when the unit's walks do not snoop the CPU caches (ECAP.C == 0,
 * 11.4.3; QEMU reports 0 too).
 */
void vtd_flush_cpu_cache(struct vtd_unit *unit, void *addr, size_t size)
{
	if (!(unit->ecap & VTD_ECAP_C))
		clflush_cache_range(addr, size);
}

/**
 * vtd_gcmd() - issue a global command and wait for its status
 * @unit: the unit
 * @bit: VTD_GCMD_* command bit
 * @set: set (enable) or clear (disable) it; one-shot commands ignore it
 *
 * GCMD is built from the persistent GSTS bits (11.4.4) so that other
 * enables (TE, QIE, IRE) stay as they are and no one-shot command is
 * repeated.
 *
 * Context: any; spins for at most VTD_INV_TIMEOUT_US.
 * Return: 0 or -ETIMEDOUT.
 */
int vtd_gcmd(struct vtd_unit *unit, u32 bit, bool set)
{
	unsigned long flags;
	u32 sts;
	int rc;

	spin_lock_irqsave(&unit->reg_lock, flags);
	sts = vtd_readl(unit, VTD_REG_GSTS) & VTD_GSTS_PERSIST_MASK;
	vtd_writel(unit, VTD_REG_GCMD, set ? sts | bit : sts & ~bit);
	if (bit == VTD_GCMD_WBF)	/* one-shot: WBFS clears when done */
		set = false;
	rc = readl_poll_timeout_atomic(unit->reg + VTD_REG_GSTS, sts,
				       set == !!(sts & bit), 1,
				       VTD_INV_TIMEOUT_US);
	spin_unlock_irqrestore(&unit->reg_lock, flags);
	if (rc)
		pr_err("%s: GCMD %#x %s timed out (GSTS %#x)\n",
		       unit->iommu.name, bit, set ? "set" : "clear", sts);
	return rc;
}

/**
 * vtd_flush_write_buffer() - flush the unit's internal write buffer
 * @unit: the unit
 *
 * Only units with CAP.RWBF need it, after making entries present (6.8
 * "Write Buffer Flushing").
 */
void vtd_flush_write_buffer(struct vtd_unit *unit)
{
	if (unit->cap & VTD_CAP_RWBF)
		vtd_gcmd(unit, VTD_GCMD_WBF, true);
}

/*
 * VT-d spec 7.1.3 "Fault Reasons": the legacy-mode encodings (0x1-0xd)
 * and the scalable-mode ones we can cause (0x30 and up). QEMU 7.2 reports
 * legacy encodings in scalable mode too, plus 0x58 for a PASID entry it
 * cannot use.
 */
static const char * const vtd_fault_reasons[] = {
	[0x1] = "root entry not present",
	[0x2] = "context entry not present",
	[0x3] = "invalid context entry",
	[0x4] = "address beyond the guest address width",
	[0x5] = "no write permission",
	[0x6] = "no read permission",
	[0x7] = "cannot access a paging entry",
	[0x8] = "cannot access the root table",
	[0x9] = "cannot access the context table",
	[0xa] = "reserved bit set in root entry",
	[0xb] = "reserved bit set in context entry",
	[0xc] = "reserved bit set in paging entry",
	[0xd] = "translation type blocked by the context entry",
	[0x38] = "SM: cannot access the root entry",
	[0x39] = "SM: root entry not present",
	[0x3a] = "SM: reserved bit set in root entry",
	[0x40] = "SM: cannot access the context entry",
	[0x41] = "SM: context entry not present",
	[0x42] = "SM: reserved bit set in context entry",
	[0x43] = "SM: invalid context entry",
	[0x48] = "SM: bad RID_PASID in context entry",
	[0x50] = "SM: cannot access the PASID directory entry",
	[0x51] = "SM: PASID directory entry not present",
	[0x52] = "SM: reserved bit set in PASID directory entry",
	[0x58] = "SM: cannot use the PASID table entry",
	[0x59] = "SM: PASID table entry not present",
	[0x5a] = "SM: reserved bit set in PASID table entry",
	[0x5b] = "SM: invalid PASID table entry",
	[0x78] = "SM: cannot access a second-level paging entry",
	[0x79] = "SM: second-level read/write permission",
	[0x7a] = "SM: reserved bit set in second-level paging entry",
	[0x7b] = "SM: invalid second-level table pointer",
	[0x83] = "SM: address beyond the hardware maximum",
	[0x84] = "SM: second-level address beyond the maximum",
	[0x85] = "SM: no write permission",
	[0x86] = "SM: no read permission",
};

static const char *vtd_fault_reason(unsigned int fr)
{
	if (fr < ARRAY_SIZE(vtd_fault_reasons) && vtd_fault_reasons[fr])
		return vtd_fault_reasons[fr];
	if (fr >= 0x20 && fr <= 0x2f)
		return "interrupt remapping fault";
	return "unknown fault reason";
}

#define VTD_FAULT_BATCH	16

struct vtd_fault_rec {
	u64 lo;
	u64 hi;
};

/*
 * Read and clear up to VTD_FAULT_BATCH primary fault records, starting at
 * FSTS.FRI and wrapping, until a record without F (7.2.1 "Primary Fault
 * Logging"; 11.4.14). F is write-1-to-clear in the top dword.
 */
static unsigned int vtd_fault_collect(struct vtd_unit *unit,
				      struct vtd_fault_rec *recs)
{
	unsigned int n = 0, idx, i;
	unsigned long flags;
	u32 fsts;

	spin_lock_irqsave(&unit->reg_lock, flags);
	fsts = vtd_readl(unit, VTD_REG_FSTS);
	if (fsts & VTD_FSTS_PPF) {
		idx = FIELD_GET(VTD_FSTS_FRI, fsts) % unit->nfr;
		for (i = 0; i < unit->nfr && n < VTD_FAULT_BATCH; i++) {
			unsigned int off = unit->fro + idx * VTD_FRCD_LEN;
			u64 hi = vtd_readq(unit, off + 8);

			if (!(hi & VTD_FRCD_HI_F))
				break;
			recs[n].hi = hi;
			recs[n].lo = vtd_readq(unit, off);
			n++;
			vtd_writel(unit, off + 12, upper_32_bits(VTD_FRCD_HI_F));
			idx = (idx + 1) % unit->nfr;
		}
	}
	if (fsts & VTD_FSTS_PFO) {
		atomic64_inc(&unit->fault_overflows);
		pr_warn_ratelimited("%s: fault recording overflow: faults were lost\n",
				    unit->iommu.name);
	}
	/*
	 * Clear PFO (RW1C). The write also serves units that, like QEMU 7.2,
	 * clear FECTL.IP (interrupt pending) only when FSTS is written with
	 * no fault condition left, instead of when PPF drops (11.4.10).
	 */
	if (n || (fsts & VTD_FSTS_PFO))
		vtd_writel(unit, VTD_REG_FSTS, fsts & VTD_FSTS_PFO);
	spin_unlock_irqrestore(&unit->reg_lock, flags);
	return n;
}

/**
 * vtd_fault_poll() - report every fault the unit has recorded
 * @unit: the unit
 *
 * Each record goes to xiommu_report_fault() (via vtd_report_fault(), which
 * finds the endpoint by source id). Called from the poll work and from the
 * debugfs "poll" file.
 *
 * Pollers are serialised (@unit->fault_lock): when this returns, every
 * fault recorded before the call is counted in the core, also one the
 * poll work had collected but not yet reported (the debugfs "poll" file,
 * which tests read right after a DMA, relies on it).
 *
 * Context: process context (takes the unit's fault and device locks).
 * Return: the number of records handled.
 */
int vtd_fault_poll(struct vtd_unit *unit)
{
	struct vtd_fault_rec recs[VTD_FAULT_BATCH];
	unsigned int n, i;
	int total = 0;

	mutex_lock(&unit->fault_lock);
	do {
		n = vtd_fault_collect(unit, recs);
		for (i = 0; i < n; i++) {
			u64 hi = recs[i].hi;

			vtd_report_fault(unit, FIELD_GET(VTD_FRCD_HI_SID, hi),
					 recs[i].lo & VTD_FRCD_LO_FI,
					 !(hi & VTD_FRCD_HI_T),
					 vtd_fault_reason(FIELD_GET(VTD_FRCD_HI_FR,
								    hi)));
		}
		atomic64_add(n, &unit->faults_seen);
		total += n;
	} while (n == VTD_FAULT_BATCH);
	mutex_unlock(&unit->fault_lock);
	return total;
}

static void vtd_fault_work(struct work_struct *work)
{
	struct vtd_unit *unit = container_of(to_delayed_work(work),
					     struct vtd_unit, fault_work);

	vtd_fault_poll(unit);
	schedule_delayed_work(&unit->fault_work,
			      msecs_to_jiffies(VTD_FAULT_POLL_MS));
}

/**
 * vtd_fault_start() - start polling the fault recording registers
 * @unit: the unit
 */
void vtd_fault_start(struct vtd_unit *unit)
{
	schedule_delayed_work(&unit->fault_work, 0);
}

/**
 * vtd_fault_stop() - stop polling; returns once no poll runs any more
 * @unit: the unit
 */
void vtd_fault_stop(struct vtd_unit *unit)
{
	cancel_delayed_work_sync(&unit->fault_work);
}

/* Clear whatever faults an earlier owner left, without reporting them. */
static void vtd_fault_clear_stale(struct vtd_unit *unit)
{
	unsigned int i;

	for (i = 0; i < unit->nfr; i++)
		vtd_writel(unit, unit->fro + i * VTD_FRCD_LEN + 12,
			   upper_32_bits(VTD_FRCD_HI_F));
	vtd_writel(unit, VTD_REG_FSTS, VTD_FSTS_PFO);
}

static int vtd_map_regs(struct vtd_unit *unit, size_t size)
{
	unit->reg_size = size;
	/*
	 * The kernel's DMAR code keeps each unit's registers requested while
	 * its driver runs; with intel_iommu=off it releases them after boot
	 * (seen on 6.1), but do not depend on that: a busy region only means
	 * we cannot claim it in /proc/iomem, not that someone else drives the
	 * unit (the GSTS checks in vtd_unit_init() catch that).
	 */
	unit->reg_requested = request_mem_region(unit->reg_phys, size,
						 unit->iommu.name);
	if (!unit->reg_requested)
		pr_info("%s: register range %pa busy, mapping it anyway\n",
			unit->iommu.name, &unit->reg_phys);
	unit->reg = ioremap(unit->reg_phys, size);
	if (!unit->reg) {
		if (unit->reg_requested)
			release_mem_region(unit->reg_phys, size);
		unit->reg_requested = false;
		return -ENOMEM;
	}
	return 0;
}

static void vtd_unmap_regs(struct vtd_unit *unit)
{
	iounmap(unit->reg);
	unit->reg = NULL;
	if (unit->reg_requested)
		release_mem_region(unit->reg_phys, unit->reg_size);
	unit->reg_requested = false;
}

/*
 * Page-table levels from CAP.SAGAW (11.4.2): bit 1 is 39-bit (3-level),
 * bit 2 48-bit (4-level), bit 3 57-bit (5-level). We use the largest one,
 * for pass-through entries too (their AW must name the largest supported
 * AGAW, 9.3), so every context entry of the unit has the same AW and an
 * entry swap never changes the walk depth.
 */
static unsigned int vtd_pick_levels(u64 cap)
{
	unsigned int sagaw = FIELD_GET(VTD_CAP_SAGAW, cap), lvl;

	for (lvl = 5; lvl >= 3; lvl--)
		if (sagaw & BIT(lvl - 2))
			return lvl;
	return 0;
}

static void vtd_unit_describe(struct vtd_unit *unit)
{
	pr_info("%s: registers %pa ver %lu.%lu cap %#llx ecap %#llx\n",
		unit->iommu.name, &unit->reg_phys,
		(unsigned long)(unit->ver >> 4) & 0xf,
		(unsigned long)unit->ver & 0xf, unit->cap, unit->ecap);
	pr_info("%s: %u-level tables, %u-bit IOVA, %u-bit host addresses, pages%s%s%s, %u domain ids, %u fault records, caching mode %s, snoop control %s, coherent walks %s\n",
		unit->iommu.name, unit->levels, unit->ias, unit->oas,
		" 4K", unit->pgsize_bitmap & SZ_2M ? " 2M" : "",
		unit->pgsize_bitmap & SZ_1G ? " 1G" : "",
		1U << (4 + 2 * (unsigned int)FIELD_GET(VTD_CAP_ND, unit->cap)),
		unit->nfr, unit->cap & VTD_CAP_CM ? "on" : "off",
		unit->ecap & VTD_ECAP_SC ? "yes" : "no",
		unit->ecap & VTD_ECAP_C ? "yes" : "no");
	pr_info("%s: %s mode, %s invalidation%s\n", unit->iommu.name,
		unit->sm ? "scalable" : "legacy",
		unit->queue.base ? "queued" : "register-based",
		unit->queue.base && unit->queue.wide ? " (256-bit descriptors)" :
		"");
}

/**
 * vtd_unit_init() - map and check a unit, allocate its root table
 * @unit: zeroed unit
 * @drhd: its DMAR table entry
 * @seq: instance number, the unit is named "dmar<seq>"
 *
 * Leaves translation off. Refuses units someone else is using (TE or QIE
 * already set) and units this driver cannot drive yet.
 *
 * Return: 0; -EBUSY (in use), -EOPNOTSUPP (no pass-through or no usable
 * AGAW), -ENODEV (registers read as all-ones), -ENOMEM.
 */
int vtd_unit_init(struct vtd_unit *unit, struct vtd_drhd *drhd, int seq)
{
	unsigned int nd, sllps, mgaw;
	size_t need;
	u32 gsts;
	int rc;

	unit->drhd = drhd;
	unit->seq = seq;
	snprintf(unit->iommu.name, sizeof(unit->iommu.name), "dmar%d", seq);
	unit->iommu.ops = &vtd_ops;
	unit->iommu.bus = &pci_bus_type;
	spin_lock_init(&unit->reg_lock);
	mutex_init(&unit->fault_lock);
	mutex_init(&unit->ctx_mutex);
	mutex_init(&unit->dev_lock);
	mutex_init(&unit->dom_lock);
	INIT_LIST_HEAD(&unit->devices);
	INIT_LIST_HEAD(&unit->domains);
	INIT_LIST_HEAD(&unit->list);
	ida_init(&unit->did_ida);
	xa_init(&unit->pasid_dirs);
	INIT_DELAYED_WORK(&unit->fault_work, vtd_fault_work);
	atomic64_set(&unit->faults_seen, 0);
	atomic64_set(&unit->fault_overflows, 0);

	unit->reg_phys = drhd->reg_base;
	rc = vtd_map_regs(unit, (size_t)drhd->reg_pages * SZ_4K);
	if (rc)
		return rc;
	unit->ver = vtd_readl(unit, VTD_REG_VER);
	unit->cap = vtd_readq(unit, VTD_REG_CAP);
	unit->ecap = vtd_readq(unit, VTD_REG_ECAP);
	if (unit->cap == ~0ULL && unit->ecap == ~0ULL) {
		pr_err("%s: no unit at %pa\n", unit->iommu.name,
		       &unit->reg_phys);
		rc = -ENODEV;
		goto err_unmap;
	}
	unit->iro = FIELD_GET(VTD_ECAP_IRO, unit->ecap) * 16;
	unit->fro = FIELD_GET(VTD_CAP_FRO, unit->cap) * 16;
	unit->nfr = FIELD_GET(VTD_CAP_NFR, unit->cap) + 1;
	need = max_t(size_t, unit->iro + 16, unit->fro + unit->nfr * VTD_FRCD_LEN);
	need = round_up(need, SZ_4K);
	if (need > unit->reg_size) {
		vtd_unmap_regs(unit);
		rc = vtd_map_regs(unit, need);
		if (rc)
			return rc;
	}

	gsts = vtd_readl(unit, VTD_REG_GSTS);
	if (gsts & (VTD_GCMD_TE | VTD_GCMD_QIE)) {
		pr_err("%s: already in use (GSTS %#x: translation or queued invalidation enabled); boot with intel_iommu=off intremap=off\n",
		       unit->iommu.name, gsts);
		rc = -EBUSY;
		goto err_unmap;
	}
	if (!(unit->ecap & VTD_ECAP_PT)) {
		/*
		 * Kernel-owned devices sit in the identity domain, which needs
		 * pass-through context entries. An identity page table would
		 * do instead; not implemented yet.
		 */
		pr_err("%s: no pass-through support (ECAP.PT), not supported yet\n",
		       unit->iommu.name);
		rc = -EOPNOTSUPP;
		goto err_unmap;
	}
	unit->levels = vtd_pick_levels(unit->cap);
	if (!unit->levels) {
		pr_err("%s: no supported guest address width (SAGAW %#llx)\n",
		       unit->iommu.name, FIELD_GET(VTD_CAP_SAGAW, unit->cap));
		rc = -EOPNOTSUPP;
		goto err_unmap;
	}
	mgaw = FIELD_GET(VTD_CAP_MGAW, unit->cap) + 1;
	unit->ias = min(mgaw, 12 + 9 * unit->levels);
	unit->oas = vtd_dmar_haw();
	if (!unit->oas || unit->oas > 52)
		unit->oas = 52;
	sllps = FIELD_GET(VTD_CAP_SLLPS, unit->cap);
	unit->pgsize_bitmap = SZ_4K;
	if (sllps & BIT(0))
		unit->pgsize_bitmap |= SZ_2M;
	if ((sllps & BIT(1)) && unit->levels >= 3)
		unit->pgsize_bitmap |= SZ_1G;

	/*
	 * Scalable mode needs the queue (register-based invalidation cannot
	 * reach the PASID cache, 6.5) and second-level support in PASID
	 * entries (ECAP.SLTS); pass-through there is PGTT = 100b (ECAP.PT).
	 */
	unit->sm = scalable && qi && (unit->ecap & VTD_ECAP_QI) &&
		   (unit->ecap & VTD_ECAP_SMTS) && (unit->ecap & VTD_ECAP_SLTS);
	if (qi && (unit->ecap & VTD_ECAP_QI)) {
		rc = vtd_qi_init(unit);
		if (rc)
			goto err_unmap;
	}

	nd = 1U << (4 + 2 * (unsigned int)FIELD_GET(VTD_CAP_ND, unit->cap));
	rc = ida_alloc_range(&unit->did_ida, VTD_DID_RESERVED + 1, nd - 1,
			     GFP_KERNEL);
	if (rc < 0)
		goto err_qi;
	unit->identity_did = rc;

	unit->root = (void *)get_zeroed_page(GFP_KERNEL);
	if (!unit->root) {
		rc = -ENOMEM;
		goto err_ida;
	}
	vtd_flush_cpu_cache(unit, unit->root, PAGE_SIZE);

	/* Fault events stay masked: we poll (see the top of this file). */
	unit->saved_rtaddr = vtd_readq(unit, VTD_REG_RTADDR);
	unit->saved_fectl = vtd_readl(unit, VTD_REG_FECTL);
	if (unit->ecap & VTD_ECAP_QI)
		unit->saved_iqa = vtd_readq(unit, VTD_REG_IQA);
	vtd_writel(unit, VTD_REG_FECTL, VTD_FECTL_IM);
	vtd_fault_clear_stale(unit);
	vtd_unit_describe(unit);
	return 0;

err_ida:
	ida_destroy(&unit->did_ida);
err_qi:
	vtd_qi_free(unit);
err_unmap:
	vtd_unmap_regs(unit);
	return rc;
}

/**
 * vtd_unit_destroy() - free what vtd_unit_init() and attaches allocated
 * @unit: a unit with translation off
 *
 * The registers we changed get the values found at load back (translation
 * was off then, vtd_unit_init() refuses units where it is not).
 */
void vtd_unit_destroy(struct vtd_unit *unit)
{
	/* Faults nobody will read any more: gone, with FECTL.IP. */
	vtd_fault_clear_stale(unit);
	vtd_writeq(unit, VTD_REG_RTADDR, unit->saved_rtaddr);
	vtd_writel(unit, VTD_REG_FECTL, unit->saved_fectl);
	if (unit->ecap & VTD_ECAP_QI)
		vtd_writeq(unit, VTD_REG_IQA, unit->saved_iqa);
	vtd_qi_free(unit);
	vtd_ctx_free(unit);
	free_page((unsigned long)unit->root);
	unit->root = NULL;
	ida_destroy(&unit->did_ida);
	vtd_unmap_regs(unit);
	mutex_destroy(&unit->ctx_mutex);
	mutex_destroy(&unit->dev_lock);
	mutex_destroy(&unit->dom_lock);
}

/**
 * vtd_unit_enable() - point the unit at the root table and translate
 * @unit: an initialised unit whose endpoints all have context entries
 *
 * Sequence (11.4.4, 11.4.6, 6.5): enable the invalidation queue if we use
 * it, RTADDR (TTM legacy or scalable), SRTP and wait for RTPS, global
 * context-cache, PASID-cache (scalable mode) and IOTLB invalidation
 * (nothing cached from before may survive), then TE and wait for TES.
 *
 * Return: 0 or -ETIMEDOUT/-EIO from the hardware handshakes.
 */
int vtd_unit_enable(struct vtd_unit *unit)
{
	struct vtd_inv_batch b;
	int rc;

	if (unit->queue.base) {
		rc = vtd_qi_enable(unit);
		if (rc)
			return rc;
	}
	vtd_writeq(unit, VTD_REG_RTADDR, virt_to_phys(unit->root) |
		   FIELD_PREP(VTD_RTADDR_TTM, unit->sm ?
			      VTD_RTADDR_TTM_SCALABLE : VTD_RTADDR_TTM_LEGACY));
	rc = vtd_gcmd(unit, VTD_GCMD_SRTP, true);
	if (rc)
		return rc;
	vtd_inv_batch_init(&b);
	vtd_inv_add_context(unit, &b, VTD_CCMD_GLOBAL, 0, 0);
	if (unit->sm)
		vtd_inv_add_pasid(unit, &b, VTD_DESC_PC_GLOBAL, 0, 0);
	vtd_inv_add_iotlb(unit, &b, VTD_IOTLB_GLOBAL, 0, 0, 0);
	rc = vtd_inv_submit(unit, &b);
	if (rc)
		return rc;
	rc = vtd_gcmd(unit, VTD_GCMD_TE, true);
	if (rc)
		return rc;
	unit->enabled = true;
	pr_info("%s: DMA translation enabled (%s mode, %s invalidation)\n",
		unit->iommu.name, unit->sm ? "scalable" : "legacy",
		unit->qi ? "queued" : "register-based");
	return 0;
}

/**
 * vtd_unit_disable() - turn translation and the invalidation queue off
 * @unit: the unit
 *
 * Afterwards DMA is untranslated, as it was before the module loaded.
 */
void vtd_unit_disable(struct vtd_unit *unit)
{
	if (unit->enabled && !vtd_gcmd(unit, VTD_GCMD_TE, false))
		pr_info("%s: DMA translation disabled\n", unit->iommu.name);
	unit->enabled = false;
	vtd_qi_disable(unit);
}
