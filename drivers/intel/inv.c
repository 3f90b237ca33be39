// SPDX-License-Identifier: GPL-2.0-only
/*
 * Invalidation of the caches a VT-d unit keeps of our tables: the context
 * cache, the PASID cache (scalable mode), the IOTLB and the
 * paging-structure caches (VT-d spec 6.5 "Invalidation of Translation
 * Caches").
 *
 * Callers describe what to invalidate as 128-bit descriptors in a
 * struct vtd_inv_batch, whatever the interface, and submit the batch:
 *  - queued invalidation (6.5.2 "Queued Invalidation Interface"), used
 *    when the unit has ECAP.QI: the descriptors go into the invalidation
 *    queue followed by one invalidation-wait descriptor with status write
 *    and fence (6.5.2.8), the tail register is advanced, and we spin until
 *    the unit has written the status dword: every descriptor before the
 *    wait is then complete. The queue is one 4 KiB page; since a submit
 *    waits for completion under the unit's register lock, the queue is
 *    empty whenever a submit starts and can never fill. In scalable mode
 *    the descriptors are 256 bits wide (IQA.DW = 1), the upper half 0.
 *  - register-based invalidation (6.5.1 "Register-based Invalidation
 *    Interface") otherwise: each context-cache descriptor becomes a CCMD
 *    write, each IOTLB descriptor an IOTLB (and IVA) write, each polled
 *    until the unit clears the busy bit. PASID-cache descriptors only
 *    exist in scalable mode, which we only use with the queue.
 * Both wait for at most VTD_INV_TIMEOUT_US; a timeout or an error the unit
 * reports is logged (rate-limited) and returned, the rest of the batch is
 * still issued.
 *
 * IOTLB ranges (vtd_inv_add_range()): the range is cut into naturally
 * aligned power-of-two blocks of pages, each one page-selective
 * invalidation with address mask AM (6.5.2.3; at most CAP.MAMV). If that
 * takes more than VTD_PSI_MAX descriptors, the range is split at its most
 * aligned page boundary and each side covered by one aligned block (each
 * under twice its side); only when a block would exceed MAMV (or without
 * CAP.PSI) is the whole domain invalidated (domain-selective). Page-selective invalidations always have IH = 0, so
 * they drop the paging-structure caches of the range too, which unmap
 * relies on when it frees page-table pages.
 */
#define pr_fmt(fmt) "xiommu_vtd: " fmt

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/log2.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vtd.h"

static void vtd_inv_add(struct vtd_unit *unit, struct vtd_inv_batch *b,
			u64 qw0, u64 qw1)
{
	if (b->n == VTD_INV_BATCH)
		vtd_inv_submit(unit, b);
	b->desc[b->n].qw0 = qw0;
	b->desc[b->n].qw1 = qw1;
	b->n++;
}

/**
 * vtd_inv_add_context() - add a context-cache invalidation
 * @unit: the unit (the batch is submitted to it if it is full)
 * @b: the batch
 * @granu: VTD_CCMD_GLOBAL, VTD_CCMD_DOMAIN or VTD_CCMD_DEVICE (the
 *	descriptor's G field uses the register's encoding, 6.5.2.1)
 * @did: domain id (domain and device granularity)
 * @sid: source id (device granularity; function mask 0: exactly @sid)
 */
void vtd_inv_add_context(struct vtd_unit *unit, struct vtd_inv_batch *b,
			 int granu, u16 did, u16 sid)
{
	u64 qw0 = VTD_DESC_CC | FIELD_PREP(VTD_DESC_G, granu);

	if (granu != VTD_CCMD_GLOBAL)
		qw0 |= FIELD_PREP(VTD_DESC_DID, did);
	if (granu == VTD_CCMD_DEVICE)
		qw0 |= FIELD_PREP(VTD_DESC_CC_SID, sid);
	vtd_inv_add(unit, b, qw0, 0);
	atomic64_inc(&unit->stats.cc);
}

/**
 * vtd_inv_add_iotlb() - add an IOTLB invalidation
 * @unit: the unit
 * @b: the batch
 * @granu: VTD_IOTLB_GLOBAL, VTD_IOTLB_DOMAIN or VTD_IOTLB_PAGE
 * @did: domain id (domain and page granularity)
 * @addr: first IOVA, aligned to 4 KiB << @am (page granularity)
 * @am: address mask, 2^@am pages (page granularity, <= CAP.MAMV)
 *
 * Read and write draining are requested when the unit supports them
 * (CAP.DRD, CAP.DWD), so DMA already past translation with the old
 * entries completes before the invalidation does.
 */
void vtd_inv_add_iotlb(struct vtd_unit *unit, struct vtd_inv_batch *b,
		       int granu, u16 did, u64 addr, unsigned int am)
{
	u64 qw0 = VTD_DESC_IOTLB | FIELD_PREP(VTD_DESC_G, granu), qw1 = 0;

	if (granu != VTD_IOTLB_GLOBAL)
		qw0 |= FIELD_PREP(VTD_DESC_DID, did);
	if (unit->cap & VTD_CAP_DRD)
		qw0 |= VTD_DESC_IOTLB_DR;
	if (unit->cap & VTD_CAP_DWD)
		qw0 |= VTD_DESC_IOTLB_DW;
	if (granu == VTD_IOTLB_PAGE)
		qw1 = (addr & PAGE_MASK) | FIELD_PREP(VTD_DESC_IOTLB_AM, am);
	vtd_inv_add(unit, b, qw0, qw1);
	atomic64_inc(granu == VTD_IOTLB_PAGE ? &unit->stats.iotlb_psi :
		     granu == VTD_IOTLB_DOMAIN ? &unit->stats.iotlb_dsi :
		     &unit->stats.iotlb_gsi);
}

/**
 * vtd_inv_add_pasid() - add a PASID-cache invalidation (scalable mode)
 * @unit: the unit
 * @b: the batch
 * @granu: VTD_DESC_PC_DOMAIN, VTD_DESC_PC_PASID_SEL or VTD_DESC_PC_GLOBAL
 * @did: domain id the cached entries are tagged with
 * @pasid: PASID (PASID-selective granularity)
 *
 * Needed after changing a present PASID table entry (6.5.2.2).
 */
void vtd_inv_add_pasid(struct vtd_unit *unit, struct vtd_inv_batch *b,
		       int granu, u16 did, u32 pasid)
{
	u64 qw0 = VTD_DESC_PC | FIELD_PREP(VTD_DESC_G, granu);

	if (granu != VTD_DESC_PC_GLOBAL)
		qw0 |= FIELD_PREP(VTD_DESC_DID, did);
	if (granu == VTD_DESC_PC_PASID_SEL)
		qw0 |= FIELD_PREP(VTD_DESC_PC_PASID, pasid);
	vtd_inv_add(unit, b, qw0, 0);
	atomic64_inc(&unit->stats.pc);
}

/*
 * Number of naturally aligned blocks [@pfn, @lpfn] splits into, each at
 * most 2^@mamv pages; stops counting past @max. With @b, adds them.
 */
static unsigned int vtd_psi_blocks(struct vtd_unit *unit,
				   struct vtd_inv_batch *b, u16 did, u64 pfn,
				   u64 lpfn, unsigned int mamv, unsigned int max)
{
	unsigned int n = 0, am;

	while (pfn <= lpfn && n <= max) {
		am = pfn ? min_t(unsigned int, __ffs64(pfn), mamv) : mamv;
		while (am && pfn + (1ULL << am) - 1 > lpfn)
			am--;
		if (b)
			vtd_inv_add_iotlb(unit, b, VTD_IOTLB_PAGE, did,
					  pfn << PAGE_SHIFT, am);
		n++;
		pfn += 1ULL << am;
		if (!pfn)	/* wrapped at the top of the address space */
			break;
	}
	return n;
}

/**
 * vtd_inv_add_range() - add IOTLB invalidations for [@first, @last]
 * @unit: the unit
 * @b: the batch
 * @did: domain id
 * @first: first IOVA
 * @last: last IOVA (inclusive)
 *
 * Page-selective with address masks where that takes few descriptors,
 * else domain-selective (see the top of this file).
 */
void vtd_inv_add_range(struct vtd_unit *unit, struct vtd_inv_batch *b,
		       u16 did, unsigned long first, unsigned long last)
{
	u64 pfn = first >> PAGE_SHIFT, lpfn = last >> PAGE_SHIFT, mid;
	unsigned int mamv = FIELD_GET(VTD_CAP_MAMV, unit->cap), aml, amr;

	if (!(unit->cap & VTD_CAP_PSI) || first > last)
		goto domain;
	if (vtd_psi_blocks(unit, NULL, did, pfn, lpfn, mamv, VTD_PSI_MAX) <=
	    VTD_PSI_MAX) {
		vtd_psi_blocks(unit, b, did, pfn, lpfn, mamv, VTD_PSI_MAX);
		return;
	}
	/*
	 * Split at the most aligned page boundary inside the range and cover
	 * each side with one aligned block ending (starting) there: each
	 * block is less than twice its side. (Several blocks were needed, so
	 * pfn != lpfn and @mid lies in (pfn, lpfn].)
	 */
	mid = lpfn & ~((1ULL << (fls64(pfn ^ lpfn) - 1)) - 1);
	aml = order_base_2(mid - pfn);
	amr = order_base_2(lpfn - mid + 1);
	if (aml <= mamv && amr <= mamv) {
		vtd_inv_add_iotlb(unit, b, VTD_IOTLB_PAGE, did,
				  (mid - (1ULL << aml)) << PAGE_SHIFT, aml);
		vtd_inv_add_iotlb(unit, b, VTD_IOTLB_PAGE, did,
				  mid << PAGE_SHIFT, amr);
		return;
	}
domain:
	vtd_inv_add_iotlb(unit, b, VTD_IOTLB_DOMAIN, did, 0, 0);
}

/* --- register-based interface (6.5.1) ----------------------------------- */

static int vtd_reg_context(struct vtd_unit *unit, u64 qw0)
{
	int granu = FIELD_GET(VTD_DESC_G, qw0);
	u64 val = VTD_CCMD_ICC | FIELD_PREP(VTD_CCMD_CIRG, granu) |
		  FIELD_PREP(VTD_CCMD_DID, FIELD_GET(VTD_DESC_DID, qw0)) |
		  FIELD_PREP(VTD_CCMD_SID, FIELD_GET(VTD_DESC_CC_SID, qw0));
	int rc;

	writeq(val, unit->reg + VTD_REG_CCMD);
	rc = readq_poll_timeout_atomic(unit->reg + VTD_REG_CCMD, val,
				       !(val & VTD_CCMD_ICC), 1,
				       VTD_INV_TIMEOUT_US);
	if (!rc && !FIELD_GET(VTD_CCMD_CAIG, val))
		rc = -EIO;
	return rc;
}

static int vtd_reg_iotlb(struct vtd_unit *unit, u64 qw0, u64 qw1,
			 unsigned int *writes)
{
	int granu = FIELD_GET(VTD_DESC_G, qw0);
	u64 val = VTD_IOTLB_IVT | FIELD_PREP(VTD_IOTLB_IIRG, granu) |
		  FIELD_PREP(VTD_IOTLB_DID, FIELD_GET(VTD_DESC_DID, qw0));
	int rc;

	if (qw0 & VTD_DESC_IOTLB_DR)
		val |= VTD_IOTLB_DR;
	if (qw0 & VTD_DESC_IOTLB_DW)
		val |= VTD_IOTLB_DW;
	if (granu == VTD_IOTLB_PAGE) {
		/* IVA (11.4.8.2): address, IH, AM: the descriptor's layout. */
		writeq(qw1, unit->reg + unit->iro + VTD_REG_IVA_OFF);
		(*writes)++;
	}
	writeq(val, unit->reg + unit->iro + VTD_REG_IOTLB_OFF);
	rc = readq_poll_timeout_atomic(unit->reg + unit->iro +
				       VTD_REG_IOTLB_OFF, val,
				       !(val & VTD_IOTLB_IVT), 1,
				       VTD_INV_TIMEOUT_US);
	if (!rc && !FIELD_GET(VTD_IOTLB_IAIG, val))
		rc = -EIO;
	return rc;
}

static int vtd_reg_submit(struct vtd_unit *unit, struct vtd_inv_batch *b)
{
	unsigned int i, writes = 0;
	unsigned long flags;
	int rc = 0, rc2;

	spin_lock_irqsave(&unit->reg_lock, flags);
	for (i = 0; i < b->n; i++) {
		struct vtd_inv_desc *d = &b->desc[i];

		switch (FIELD_GET(VTD_DESC_TYPE, d->qw0)) {
		case VTD_DESC_CC:
			rc2 = vtd_reg_context(unit, d->qw0);
			writes++;
			break;
		case VTD_DESC_IOTLB:
			rc2 = vtd_reg_iotlb(unit, d->qw0, d->qw1, &writes);
			writes++;
			break;
		default:
			/* PASID cache: scalable mode only, which needs QI. */
			rc2 = 0;
			break;
		}
		if (rc2)
			pr_err_ratelimited("%s: register-based invalidation %#llx:%#llx failed: %d\n",
					   unit->iommu.name, d->qw1, d->qw0,
					   rc2);
		rc = rc ?: rc2;
	}
	spin_unlock_irqrestore(&unit->reg_lock, flags);
	atomic64_add(writes, &unit->stats.reg_writes);
	b->hw_ops += writes;
	return rc;
}

/* --- queued invalidation (6.5.2) ---------------------------------------- */

static void vtd_qi_put(struct vtd_qi *q, u64 qw0, u64 qw1)
{
	u64 *slot = q->base + q->tail * (q->wide ? 32 : 16);

	slot[1] = qw1;
	if (q->wide) {
		slot[2] = 0;
		slot[3] = 0;
	}
	/* The type is in the first quadword: written last. */
	WRITE_ONCE(slot[0], qw0);
	q->tail = (q->tail + 1) % q->entries;
}

static void vtd_qi_kick(struct vtd_unit *unit)
{
	struct vtd_qi *q = &unit->queue;

	writeq((u64)q->tail << (q->wide ? 5 : 4), unit->reg + VTD_REG_IQT);
}

/*
 * Invalidation queue error (6.5.2.10): the unit stopped at the descriptor
 * IQH points to. Log it, replace it by a global IOTLB invalidation (valid
 * everywhere, only costly), clear FSTS.IQE and let the unit go on.
 */
static void vtd_qi_recover(struct vtd_unit *unit)
{
	struct vtd_qi *q = &unit->queue;
	unsigned int head;
	u64 *slot;

	head = (readq(unit->reg + VTD_REG_IQH) >> (q->wide ? 5 : 4)) %
	       q->entries;
	slot = q->base + head * (q->wide ? 32 : 16);
	pr_err_ratelimited("%s: invalidation queue error at descriptor %u (%#llx:%#llx)\n",
			   unit->iommu.name, head, slot[1], slot[0]);
	slot[1] = 0;
	WRITE_ONCE(slot[0], VTD_DESC_IOTLB |
		   FIELD_PREP(VTD_DESC_G, VTD_IOTLB_GLOBAL));
	wmb();	/* the fixed descriptor before the unit resumes */
	writel(VTD_FSTS_IQE, unit->reg + VTD_REG_FSTS);
	vtd_qi_kick(unit);
}

static int vtd_qi_submit(struct vtd_unit *unit, struct vtd_inv_batch *b)
{
	struct vtd_qi *q = &unit->queue;
	unsigned long flags;
	unsigned int i, spins;
	int rc = 0;
	u32 seq;

	spin_lock_irqsave(&unit->reg_lock, flags);
	for (i = 0; i < b->n; i++)
		vtd_qi_put(q, b->desc[i].qw0, b->desc[i].qw1);
	seq = ++q->seq;
	if (!seq)
		seq = ++q->seq;
	vtd_qi_put(q, VTD_DESC_WAIT | VTD_DESC_WAIT_SW | VTD_DESC_WAIT_FN |
		   FIELD_PREP(VTD_DESC_WAIT_DATA, seq),
		   virt_to_phys(q->status));
	wmb();	/* descriptors in memory before the tail moves */
	vtd_qi_kick(unit);

	for (spins = 0; READ_ONCE(*q->status) != seq; spins++) {
		if (readl(unit->reg + VTD_REG_FSTS) & VTD_FSTS_IQE) {
			vtd_qi_recover(unit);
			rc = -EIO;
		}
		if (spins >= VTD_INV_TIMEOUT_US) {
			rc = -ETIMEDOUT;
			break;
		}
		udelay(1);
	}
	spin_unlock_irqrestore(&unit->reg_lock, flags);

	atomic64_add(b->n + 1, &unit->stats.qi_desc);
	atomic64_inc(&unit->stats.qi_wait);
	b->hw_ops += b->n + 1;
	if (rc)
		pr_err_ratelimited("%s: queued invalidation of %u descriptors failed: %d\n",
				   unit->iommu.name, b->n, rc);
	return rc;
}

/**
 * vtd_inv_submit() - issue a batch and wait for its completion
 * @unit: the unit
 * @b: the batch; empty afterwards (@b->hw_ops keeps counting)
 *
 * Context: any (spins with the unit's register lock held, interrupts off,
 * for at most VTD_INV_TIMEOUT_US per wait).
 * Return: 0, or the first error of this or an earlier automatic submit of
 * @b: -ETIMEDOUT, -EIO (the unit reported an invalid request).
 */
int vtd_inv_submit(struct vtd_unit *unit, struct vtd_inv_batch *b)
{
	int rc = 0;

	if (b->n)
		rc = unit->qi ? vtd_qi_submit(unit, b) :
				vtd_reg_submit(unit, b);
	b->n = 0;
	b->rc = b->rc ?: rc;
	return b->rc;
}

/**
 * vtd_flush_context() - invalidate the context cache and wait
 * @unit: the unit
 * @granu: VTD_CCMD_GLOBAL, VTD_CCMD_DOMAIN or VTD_CCMD_DEVICE
 * @did: domain id (domain and device granularity)
 * @sid: source id (device granularity)
 *
 * Return: 0, -ETIMEDOUT or -EIO.
 */
int vtd_flush_context(struct vtd_unit *unit, int granu, u16 did, u16 sid)
{
	struct vtd_inv_batch b;

	vtd_inv_batch_init(&b);
	vtd_inv_add_context(unit, &b, granu, did, sid);
	return vtd_inv_submit(unit, &b);
}

/**
 * vtd_flush_iotlb() - invalidate the IOTLB globally or for a domain
 * @unit: the unit
 * @granu: VTD_IOTLB_GLOBAL or VTD_IOTLB_DOMAIN
 * @did: domain id (domain granularity)
 *
 * Return: 0, -ETIMEDOUT or -EIO.
 */
int vtd_flush_iotlb(struct vtd_unit *unit, int granu, u16 did)
{
	struct vtd_inv_batch b;

	vtd_inv_batch_init(&b);
	vtd_inv_add_iotlb(unit, &b, granu, did, 0, 0);
	return vtd_inv_submit(unit, &b);
}

/**
 * vtd_flush_range() - invalidate the IOTLB for [@first, @last] and wait
 * @unit: the unit
 * @did: domain id
 * @first: first IOVA
 * @last: last IOVA (inclusive)
 * @hw_ops: if not NULL, incremented by the descriptors or register writes
 *	issued
 *
 * Return: 0, -ETIMEDOUT or -EIO.
 */
int vtd_flush_range(struct vtd_unit *unit, u16 did, unsigned long first,
		    unsigned long last, unsigned int *hw_ops)
{
	struct vtd_inv_batch b;
	int rc;

	vtd_inv_batch_init(&b);
	vtd_inv_add_range(unit, &b, did, first, last);
	rc = vtd_inv_submit(unit, &b);
	if (hw_ops)
		*hw_ops += b.hw_ops;
	return rc;
}

/**
 * vtd_qi_init() - allocate the invalidation queue (not enabled yet)
 * @unit: a unit with ECAP.QI; @unit->sm decides the descriptor width
 *
 * Return: 0 or -ENOMEM.
 */
int vtd_qi_init(struct vtd_unit *unit)
{
	struct vtd_qi *q = &unit->queue;

	q->base = (void *)get_zeroed_page(GFP_KERNEL);
	q->status = kzalloc(sizeof(*q->status), GFP_KERNEL);
	if (!q->base || !q->status ||
	    (virt_to_phys(q->base) >> unit->oas) ||
	    (virt_to_phys(q->status) >> unit->oas)) {
		vtd_qi_free(unit);
		return -ENOMEM;
	}
	q->wide = unit->sm;
	q->entries = PAGE_SIZE / (q->wide ? 32 : 16);
	q->tail = 0;
	q->seq = 0;
	return 0;
}

/**
 * vtd_qi_free() - free the invalidation queue
 * @unit: a unit whose queue is disabled
 */
void vtd_qi_free(struct vtd_unit *unit)
{
	struct vtd_qi *q = &unit->queue;

	free_page((unsigned long)q->base);
	kfree(q->status);
	q->base = NULL;
	q->status = NULL;
}

/**
 * vtd_qi_enable() - point the unit at the queue and enable it
 * @unit: a unit with an allocated queue
 *
 * IQT must equal IQH (0 while the queue is off) when QIE is set; IQA
 * gives the queue's base, size (QS = 0: one page) and descriptor width.
 * From here on the unit ignores register-based invalidation.
 *
 * Return: 0 or -ETIMEDOUT.
 */
int vtd_qi_enable(struct vtd_unit *unit)
{
	struct vtd_qi *q = &unit->queue;
	int rc;

	q->tail = 0;
	writeq(0, unit->reg + VTD_REG_IQT);
	writeq(virt_to_phys(q->base) | (q->wide ? VTD_IQA_DW : 0) |
	       FIELD_PREP(VTD_IQA_QS, 0), unit->reg + VTD_REG_IQA);
	rc = vtd_gcmd(unit, VTD_GCMD_QIE, true);
	if (rc)
		return rc;
	unit->qi = true;
	return 0;
}

/**
 * vtd_qi_disable() - turn queued invalidation off
 * @unit: a unit whose queue is idle (every submit waits for completion,
 *	and the last descriptor processed was an invalidation wait, as the
 *	spec asks before QIE is cleared)
 */
void vtd_qi_disable(struct vtd_unit *unit)
{
	if (!unit->qi)
		return;
	vtd_gcmd(unit, VTD_GCMD_QIE, false);
	unit->qi = false;
}

/**
 * vtd_stats_show() - print the invalidation counters (debugfs "stats")
 * @unit: the unit
 * @s: seq_file
 */
void vtd_stats_show(struct vtd_unit *unit, struct seq_file *s)
{
	struct vtd_stats *st = &unit->stats;

	seq_printf(s, "interface %s\n", unit->qi ? "queued" : "register");
	seq_printf(s, "qi_desc %lld\nqi_wait %lld\nreg_writes %lld\n",
		   (long long)atomic64_read(&st->qi_desc),
		   (long long)atomic64_read(&st->qi_wait),
		   (long long)atomic64_read(&st->reg_writes));
	seq_printf(s, "context %lld\npasid %lld\niotlb_psi %lld\niotlb_dsi %lld\niotlb_gsi %lld\n",
		   (long long)atomic64_read(&st->cc),
		   (long long)atomic64_read(&st->pc),
		   (long long)atomic64_read(&st->iotlb_psi),
		   (long long)atomic64_read(&st->iotlb_dsi),
		   (long long)atomic64_read(&st->iotlb_gsi));
	seq_printf(s, "unmap_bytes %lld\nunmap_syncs %lld\nunmap_hw_ops %lld\n",
		   (long long)atomic64_read(&st->unmap_bytes),
		   (long long)atomic64_read(&st->unmap_syncs),
		   (long long)atomic64_read(&st->unmap_hw_ops));
	seq_printf(s, "map_bytes %lld\nmap_hw_ops %lld\n",
		   (long long)atomic64_read(&st->map_bytes),
		   (long long)atomic64_read(&st->map_hw_ops));
}
