// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command queue, event queue and global errors of an SMMUv3 (IHI 0070
 * 3.5 "Command and Event queues", 4 "Commands", 7 "Events and faults",
 * 7.5 "Global error recording").
 *
 * Commands are written at PROD under cmdq_lock, PROD is published with one
 * register write per batch, and a batch that must complete ends with a
 * CMD_SYNC (CS = SIG_NONE, 4.7.3): it has completed once CONS has moved
 * past it, which is polled (QEMU consumes the queue during the PROD write;
 * real units take microseconds). A command the unit refuses stops the
 * queue with GERROR.CMDQ_ERR (7.1): the offending entry (at CONS) is
 * replaced by a CMD_SYNC, the error acknowledged through GERRORN, and the
 * queue resumes; the error is counted and logged, rate-limited.
 *
 * Events are consumed by one thread (the event interrupt's, or the poll
 * work when the unit has no wired interrupt), reported to the core
 * (xiommu_report_fault(): a rate-limited line, counted per unit and
 * endpoint) and per paging domain.
 */
#define pr_fmt(fmt) "xiommu_smmuv3: " fmt

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/iopoll.h>
#include <linux/sizes.h>

#include "smmu.h"

#define SMMU_POLL_US		1000000	/* 1 s: CMD_SYNC or register ack */
#define SMMU_CMDQ_LOG2_MAX	8	/* 256 commands, 4 KiB */
#define SMMU_EVTQ_LOG2_MAX	10	/* 1024 events, 32 KiB */

static inline u32 q_idx(struct smmu_queue *q, u32 p)
{
	return p & ((1U << q->log2) - 1);
}

static inline u32 q_wrp(struct smmu_queue *q, u32 p)
{
	return p & (1U << q->log2);
}

static inline u32 q_inc(struct smmu_queue *q, u32 p)
{
	return (p + 1) & ((2U << q->log2) - 1);
}

static bool q_empty(struct smmu_queue *q)
{
	return q_idx(q, q->prod) == q_idx(q, q->cons) &&
	       q_wrp(q, q->prod) == q_wrp(q, q->cons);
}

static u32 q_space(struct smmu_queue *q)
{
	u32 used;

	if (q_wrp(q, q->prod) == q_wrp(q, q->cons))
		used = q_idx(q, q->prod) - q_idx(q, q->cons);
	else
		used = (1U << q->log2) - q_idx(q, q->cons) + q_idx(q, q->prod);
	return (1U << q->log2) - used;
}

static int smmu_queue_alloc(struct smmu_unit *unit, struct smmu_queue *q,
			    unsigned int log2, unsigned int dwords,
			    unsigned long prod_off, unsigned long cons_off,
			    void __iomem *page)
{
	size_t bytes = (sizeof(u64) * dwords) << log2;

	q->base = dmam_alloc_coherent(unit->dev, bytes, &q->dma,
				      GFP_KERNEL | __GFP_ZERO);
	if (!q->base)
		return -ENOMEM;
	q->log2 = log2;
	q->ent_dwords = dwords;
	q->prod = 0;
	q->cons = 0;
	q->prod_reg = page + prod_off;
	q->cons_reg = page + cons_off;
	return 0;
}

/**
 * smmu_cmdq_init() - allocate the command queue and program its base
 * @unit: the unit, disabled (CR0.CMDQEN = 0)
 *
 * Size: min(IDR1.CMDQS, 256 entries).
 *
 * Return: 0 or -ENOMEM.
 */
int smmu_cmdq_init(struct smmu_unit *unit)
{
	unsigned int log2 = min_t(unsigned int, SMMU_CMDQ_LOG2_MAX,
				  FIELD_GET(IDR1_CMDQS, unit->idr[1]));
	int rc;

	rc = smmu_queue_alloc(unit, &unit->cmdq, log2, CMDQ_ENT_DWORDS,
			      SMMU_CMDQ_PROD, SMMU_CMDQ_CONS, unit->base);
	if (rc)
		return rc;
	writeq_relaxed(Q_BASE_RA | (unit->cmdq.dma & Q_BASE_ADDR) | log2,
		       unit->base + SMMU_CMDQ_BASE);
	writel_relaxed(0, unit->base + SMMU_CMDQ_PROD);
	writel_relaxed(0, unit->base + SMMU_CMDQ_CONS);
	return 0;
}

/**
 * smmu_evtq_init() - allocate the event queue and program its base
 * @unit: the unit, disabled (CR0.EVTQEN = 0)
 *
 * Return: 0 or -ENOMEM.
 */
int smmu_evtq_init(struct smmu_unit *unit)
{
	unsigned int log2 = min_t(unsigned int, SMMU_EVTQ_LOG2_MAX,
				  FIELD_GET(IDR1_EVTQS, unit->idr[1]));
	int rc;

	rc = smmu_queue_alloc(unit, &unit->evtq, log2, EVTQ_ENT_DWORDS,
			      SMMU_EVTQ_PROD, SMMU_EVTQ_CONS, unit->page1);
	if (rc)
		return rc;
	writeq_relaxed(Q_BASE_RA | (unit->evtq.dma & Q_BASE_ADDR) | log2,
		       unit->base + SMMU_EVTQ_BASE);
	writel_relaxed(0, unit->page1 + SMMU_EVTQ_PROD);
	writel_relaxed(0, unit->page1 + SMMU_EVTQ_CONS);
	return 0;
}

static const char *const cmdq_errs[] = {
	[0] = "none", [1] = "illegal command", [2] = "abort on command fetch",
	[3] = "ATC invalidation sync",
};

/*
 * The queue stopped on an erroneous command (GERROR.CMDQ_ERR, 7.1): put a
 * CMD_SYNC in its place and let the unit go on. cmdq_lock held.
 */
static void smmu_cmdq_skip_error(struct smmu_unit *unit)
{
	struct smmu_queue *q = &unit->cmdq;
	u32 gerror = readl_relaxed(unit->base + SMMU_GERROR);
	u32 gerrorn = readl_relaxed(unit->base + SMMU_GERRORN);
	u32 cons = readl_relaxed(q->cons_reg);
	u32 err = FIELD_GET(CMDQ_CONS_ERR, cons);
	__le64 *ent = q->base + q_idx(q, cons) * CMDQ_ENT_DWORDS;

	if (!((gerror ^ gerrorn) & GERROR_CMDQ_ERR))
		return;
	atomic64_inc(&unit->stats.cmd_errors);
	dev_err_ratelimited(unit->dev, "command %#llx %#llx refused: %s\n",
			    le64_to_cpu(ent[0]), le64_to_cpu(ent[1]),
			    err < ARRAY_SIZE(cmdq_errs) ? cmdq_errs[err] :
			    "unknown error");
	ent[0] = cpu_to_le64(FIELD_PREP(CMD_OPCODE, CMD_SYNC));
	ent[1] = 0;
	/* The new entry is visible before the unit is told to resume. */
	wmb();
	writel(gerrorn ^ GERROR_CMDQ_ERR, unit->base + SMMU_GERRORN);
}

/* Wait until the unit consumed everything up to q->prod. cmdq_lock held. */
static int smmu_cmdq_drain(struct smmu_unit *unit)
{
	struct smmu_queue *q = &unit->cmdq;
	unsigned int us;

	for (us = 0; us < SMMU_POLL_US; us++) {
		q->cons = readl(q->cons_reg) & ((2U << q->log2) - 1);
		if (q_empty(q))
			return 0;
		smmu_cmdq_skip_error(unit);
		udelay(1);
	}
	dev_err_ratelimited(unit->dev, "command queue stuck (prod %#x cons %#x)\n",
			    q->prod, q->cons);
	return -ETIMEDOUT;
}

/**
 * smmu_cmdq_issue() - submit commands, optionally followed by a CMD_SYNC
 * @unit: the unit
 * @cmds: @n commands, two 64-bit words each, in CPU byte order
 * @n: number of commands
 * @sync: append a CMD_SYNC and wait until it completed (4.7.3: every
 *	command before it has taken effect)
 *
 * Context: any (spinlock, polls with udelay).
 * Return: 0, or -ETIMEDOUT when the unit did not consume the queue within
 * a second (logged).
 */
int smmu_cmdq_issue(struct smmu_unit *unit, u64 cmds[][2],
		    unsigned int n, bool sync)
{
	/* CMD_SYNC, CS = SIG_NONE: the opcode is bits 7:0 */
	static const u64 sync_cmd[2] = { CMD_SYNC, 0 };
	struct smmu_queue *q = &unit->cmdq;
	unsigned long flags;
	unsigned int i, total = n + sync;
	int rc = 0;

	spin_lock_irqsave(&unit->cmdq_lock, flags);
	for (i = 0; i < total; i++) {
		const u64 *cmd = i < n ? cmds[i] : sync_cmd;
		__le64 *ent;

		if (!q_space(q)) {
			/* Publish what is queued and wait for room. */
			wmb();
			writel_relaxed(q->prod, q->prod_reg);
			rc = smmu_cmdq_drain(unit);
			if (rc)
				goto out;
		}
		ent = q->base + q_idx(q, q->prod) * CMDQ_ENT_DWORDS;
		ent[0] = cpu_to_le64(cmd[0]);
		ent[1] = cpu_to_le64(cmd[1]);
		q->prod = q_inc(q, q->prod);
	}
	atomic64_add(n, &unit->stats.cmds);
	/* Entries in memory before the unit sees the new PROD. */
	wmb();
	writel_relaxed(q->prod, q->prod_reg);
	if (sync) {
		atomic64_inc(&unit->stats.syncs);
		rc = smmu_cmdq_drain(unit);
	}
out:
	spin_unlock_irqrestore(&unit->cmdq_lock, flags);
	return rc;
}

/**
 * smmu_sync() - issue a CMD_SYNC and wait for it
 * @unit: the unit
 *
 * Return: 0 or -ETIMEDOUT.
 */
int smmu_sync(struct smmu_unit *unit)
{
	return smmu_cmdq_issue(unit, NULL, 0, true);
}

/**
 * smmu_tlbi_asid() - invalidate every TLB entry of @asid, and wait
 * @unit: the unit
 * @asid: the ASID (CMD_TLBI_NH_ASID, 4.4.2)
 */
void smmu_tlbi_asid(struct smmu_unit *unit, u16 asid)
{
	u64 cmd[1][2] = { { FIELD_PREP(CMD_OPCODE, CMD_TLBI_NH_ASID) |
			    FIELD_PREP(CMD0_ASID, asid), 0 } };

	atomic64_inc(&unit->stats.tlbi_asid);
	smmu_cmdq_issue(unit, cmd, 1, true);
}

#define SMMU_TLBI_BATCH		16
/* Ranges above this go as one TLBI by ASID (bytes). */
#define SMMU_TLBI_VA_MAX_RIL	SZ_1G
#define SMMU_TLBI_VA_MAX	SZ_2M

/**
 * smmu_tlbi_range() - invalidate the TLB entries of [@iova, @iova + @size)
 *	tagged with @asid, and wait
 * @unit: the unit
 * @asid: the domain's ASID
 * @iova: first byte (rounded down to 4 KiB)
 * @size: bytes (rounded up to 4 KiB)
 * @leaf: only leaf entries changed (false: tables were unlinked too, so
 *	the walk caches must drop them: Leaf = 0)
 *
 * CMD_TLBI_NH_VA (4.4.3): with range invalidation (IDR3.RIL) one command
 * covers (NUM + 1) << SCALE pages of 4 KiB (TG = 1), so a range takes a
 * few commands; without it one command per 4 KiB page. Ranges larger than
 * 1 GiB (RIL) or 2 MiB (no RIL) become one CMD_TLBI_NH_ASID.
 */
void smmu_tlbi_range(struct smmu_unit *unit, u16 asid, unsigned long iova,
		     size_t size, bool leaf)
{
	u64 cmds[SMMU_TLBI_BATCH][2];
	unsigned long start = round_down(iova, SZ_4K);
	unsigned long pages = (round_up(iova + size, SZ_4K) - start) >> 12;
	unsigned int n = 0;

	if (!size)
		return;
	if ((pages << 12) > (unit->ril ? SMMU_TLBI_VA_MAX_RIL :
			     SMMU_TLBI_VA_MAX)) {
		smmu_tlbi_asid(unit, asid);
		atomic64_add(pages << 12, &unit->stats.tlbi_bytes);
		return;
	}
	atomic64_add(pages << 12, &unit->stats.tlbi_bytes);
	while (pages) {
		u64 *cmd = cmds[n];
		unsigned long chunk;

		cmd[0] = FIELD_PREP(CMD_OPCODE, CMD_TLBI_NH_VA) |
			 FIELD_PREP(CMD0_ASID, asid);
		cmd[1] = (start & CMD1_ADDR) | (leaf ? CMD1_LEAF : 0);
		if (unit->ril) {
			/* pages = chunk + rest, chunk = (num + 1) << scale */
			unsigned int scale = __ffs(pages);
			/* odd, so at least 1 */
			unsigned long num = (pages >> scale) & 31;

			chunk = num << scale;
			cmd[0] |= FIELD_PREP(CMD0_NUM, num - 1) |
				  FIELD_PREP(CMD0_SCALE, scale);
			cmd[1] |= FIELD_PREP(CMD1_TG, 1);
		} else {
			chunk = 1;
		}
		start += chunk << 12;
		pages -= chunk;
		if (++n == SMMU_TLBI_BATCH || !pages) {
			atomic64_add(n, &unit->stats.tlbi_va);
			smmu_cmdq_issue(unit, cmds, n, !pages);
			n = 0;
		}
	}
}

static const char *smmu_event_name(u8 id)
{
	switch (id) {
	case 0x01: return "F_UUT";
	case 0x02: return "C_BAD_STREAMID";
	case 0x03: return "F_STE_FETCH";
	case 0x04: return "C_BAD_STE";
	case 0x06: return "F_STREAM_DISABLED";
	case 0x07: return "F_TRANSL_FORBIDDEN";
	case 0x08: return "C_BAD_SUBSTREAMID";
	case 0x09: return "F_CD_FETCH";
	case 0x0a: return "C_BAD_CD";
	case 0x0b: return "F_WALK_EABT";
	case 0x10: return "F_TRANSLATION";
	case 0x11: return "F_ADDR_SIZE";
	case 0x12: return "F_ACCESS";
	case 0x13: return "F_PERMISSION";
	default: return "unknown event";
	}
}

/**
 * smmu_evtq_process() - consume every pending event record
 * @unit: the unit
 *
 * Consumers are serialised by @unit->evtq_lock, held from the read of
 * EVTQ_PROD until every record up to it is reported and CONS moved past
 * it: when this returns, every event the unit recorded before the call is
 * counted in the core and on its domain, also one another consumer (the
 * event thread) had already started on. The debugfs "poll" file, which
 * tests read right after a DMA, relies on it (the VT-d driver's fault
 * poll needed its fault_lock for the same guarantee).
 *
 * Context: process context (event thread, poll work, debugfs "poll");
 * takes evtq_lock.
 */
void smmu_evtq_process(struct smmu_unit *unit)
{
	struct smmu_queue *q = &unit->evtq;
	u32 prod;

	mutex_lock(&unit->evtq_lock);
	prod = readl(q->prod_reg);
	q->prod = prod & ((2U << q->log2) - 1);
	/* Records read after PROD. */
	rmb();
	while (!q_empty(q)) {
		__le64 *ent = q->base + q_idx(q, q->cons) * EVTQ_ENT_DWORDS;
		u64 e0 = le64_to_cpu(ent[0]), e1 = le64_to_cpu(ent[1]);
		u64 addr = le64_to_cpu(ent[2]);
		u8 id = FIELD_GET(EVT0_ID, e0);

		atomic64_inc(&unit->stats.events);
		smmu_report_event(unit, FIELD_GET(EVT0_SID, e0), addr,
				  !(e1 & EVT1_RNW), smmu_event_name(id));
		q->cons = q_inc(q, q->cons);
		/* Done with the record before the unit may overwrite it. */
		mb();
		writel_relaxed(q->cons | (prod & Q_OVF), q->cons_reg);
	}
	if ((prod ^ readl_relaxed(q->cons_reg)) & Q_OVF) {
		dev_warn_ratelimited(unit->dev, "event queue overflow: events lost\n");
		writel_relaxed(q->cons | (prod & Q_OVF), q->cons_reg);
	}
	mutex_unlock(&unit->evtq_lock);
}

/**
 * smmu_gerror_process() - log and acknowledge global errors (7.5)
 * @unit: the unit
 *
 * CMDQ_ERR is left to the command path (smmu_cmdq_skip_error()).
 */
void smmu_gerror_process(struct smmu_unit *unit)
{
	u32 gerror = readl_relaxed(unit->base + SMMU_GERROR);
	u32 gerrorn = readl_relaxed(unit->base + SMMU_GERRORN);
	u32 active = (gerror ^ gerrorn) & ~GERROR_CMDQ_ERR;

	if (!active)
		return;
	atomic64_inc(&unit->stats.gerrors);
	dev_err_ratelimited(unit->dev, "global error %#x%s\n", active,
			    active & GERROR_EVTQ_ABT_ERR ?
			    " (event queue write aborted)" : "");
	writel(gerrorn ^ active, unit->base + SMMU_GERRORN);
}
