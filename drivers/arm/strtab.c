// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stream table of an SMMUv3 (IHI 0070 3.3 "Data structures and
 * translation procedure", 5.1 "Level 1 Stream Table Descriptor", 5.2
 * "Stream Table Entry").
 *
 * Linear when the unit offers no 2-level table (IDR0.ST_LEVEL) or has at
 * most 2^SPLIT stream IDs; otherwise 2-level with SPLIT = 8: level-2
 * tables of 256 STEs are allocated when the first stream in their span is
 * probed and stay until unload. New STEs start as Config = abort (V = 1):
 * a stream nobody probed is stopped silently.
 *
 * STE updates (3.21.3 "Configuration structure update procedure"): every
 * STE this driver writes has the same dwords 1..7 (stage-1 attributes
 * and SHCFG, which bypass and abort ignore where they do not apply), so
 * going from any configuration to any other is one single-copy-atomic
 * 64-bit store of dword 0 (V, Config, S1ContextPtr), then CMD_CFGI_STE and
 * CMD_SYNC. The unit sees the old or the new entry, never a mix: a
 * replace has no window where DMA escapes. Dwords 1..7 are written only
 * while the entry is an abort (first initialisation).
 */
#define pr_fmt(fmt) "xiommu_smmuv3: " fmt

#include <linux/dma-mapping.h>
#include <linux/slab.h>

#include "smmu.h"

/* Dword 1 of every STE: stage-1 table walks Inner Shareable WB-RA. */
#define STE_DW1	(FIELD_PREP(STE1_S1CIR, 1) | FIELD_PREP(STE1_S1COR, 1) | \
		 FIELD_PREP(STE1_S1CSH, 3) | FIELD_PREP(STE1_SHCFG, 1))
#define STE_ABORT	(STE_V | FIELD_PREP(STE_CONFIG, STE_CFG_ABORT))

static void ste_init(__le64 *ste)
{
	unsigned int i;

	ste[1] = cpu_to_le64(STE_DW1);
	for (i = 2; i < STE_DWORDS; i++)
		ste[i] = 0;
	WRITE_ONCE(ste[0], cpu_to_le64(STE_ABORT));
}

static void cfgi_all(struct smmu_unit *unit)
{
	/* CMD_CFGI_ALL is CMD_CFGI_STE_RANGE with Range 31 (4.3.3) */
	u64 cmd[1][2] = { { FIELD_PREP(CMD_OPCODE, CMD_CFGI_ALL),
			    FIELD_PREP(CMD1_RANGE, 31) } };

	smmu_cmdq_issue(unit, cmd, 1, true);
}

/**
 * smmu_strtab_init() - allocate the stream table, program STRTAB_BASE*
 * @unit: the unit, disabled
 *
 * Return: 0, -ENOMEM.
 */
int smmu_strtab_init(struct smmu_unit *unit)
{
	unsigned int i, n;
	u32 cfg;

	unit->two_level = FIELD_GET(IDR0_ST_LEVEL, unit->idr[0]) == 1 &&
			  unit->sid_bits > SMMU_STRTAB_SPLIT;
	if (unit->two_level) {
		n = 1U << (unit->sid_bits - SMMU_STRTAB_SPLIT);
		unit->strtab_size = n * sizeof(u64);
		unit->l2 = kcalloc(n, sizeof(*unit->l2), GFP_KERNEL);
		unit->l2_dma = kcalloc(n, sizeof(*unit->l2_dma), GFP_KERNEL);
		if (!unit->l2 || !unit->l2_dma)
			return -ENOMEM;
		cfg = FIELD_PREP(STRTAB_CFG_FMT, 1) |
		      FIELD_PREP(STRTAB_CFG_SPLIT, SMMU_STRTAB_SPLIT) |
		      FIELD_PREP(STRTAB_CFG_LOG2SIZE, unit->sid_bits);
	} else {
		n = 1U << unit->sid_bits;
		unit->strtab_size = n * STE_DWORDS * sizeof(u64);
		cfg = FIELD_PREP(STRTAB_CFG_LOG2SIZE, unit->sid_bits);
	}
	/* Level-1 table and linear table: aligned to their size (6.3.24). */
	unit->strtab = dma_alloc_coherent(unit->dev,
					  max_t(size_t, unit->strtab_size, 64),
					  &unit->strtab_dma,
					  GFP_KERNEL | __GFP_ZERO);
	if (!unit->strtab)
		return -ENOMEM;
	if (!unit->two_level)
		for (i = 0; i < n; i++)
			ste_init(unit->strtab + i * STE_DWORDS);
	writeq_relaxed(STRTAB_BASE_RA | (unit->strtab_dma & STRTAB_BASE_ADDR),
		       unit->base + SMMU_STRTAB_BASE);
	writel_relaxed(cfg, unit->base + SMMU_STRTAB_BASE_CFG);
	return 0;
}

/**
 * smmu_strtab_free() - free the stream table (unit disabled)
 * @unit: the unit
 */
void smmu_strtab_free(struct smmu_unit *unit)
{
	size_t l2_size = (STE_DWORDS * sizeof(u64)) << SMMU_STRTAB_SPLIT;
	unsigned int i;

	if (unit->l2) {
		for (i = 0; i < unit->strtab_size / sizeof(u64); i++)
			if (unit->l2[i])
				dma_free_coherent(unit->dev, l2_size,
						  unit->l2[i], unit->l2_dma[i]);
	}
	kfree(unit->l2);
	kfree(unit->l2_dma);
	unit->l2 = NULL;
	unit->l2_dma = NULL;
	if (unit->strtab)
		dma_free_coherent(unit->dev,
				  max_t(size_t, unit->strtab_size, 64),
				  unit->strtab, unit->strtab_dma);
	unit->strtab = NULL;
}

/* The STE of @sid, NULL when its level-2 table does not exist. */
static __le64 *ste_of(struct smmu_unit *unit, u32 sid)
{
	if (!unit->two_level)
		return unit->strtab + sid * STE_DWORDS;
	if (!unit->l2[sid >> SMMU_STRTAB_SPLIT])
		return NULL;
	return unit->l2[sid >> SMMU_STRTAB_SPLIT] +
	       (sid & ((1U << SMMU_STRTAB_SPLIT) - 1)) * STE_DWORDS;
}

/**
 * smmu_strtab_prepare() - make sure @sid has an STE (level-2 table)
 * @unit: the unit
 * @sid: stream ID, below 2^sid_bits
 *
 * A new level-2 table starts with every STE aborting; its level-1
 * descriptor (Span = SPLIT + 1) is one 64-bit store, followed by
 * CMD_CFGI_ALL and CMD_SYNC (the unit may cache level-1 descriptors).
 *
 * Return: 0, -ERANGE (@sid too large), -ENOMEM.
 */
int smmu_strtab_prepare(struct smmu_unit *unit, u32 sid)
{
	size_t l2_size = (STE_DWORDS * sizeof(u64)) << SMMU_STRTAB_SPLIT;
	unsigned int l1 = sid >> SMMU_STRTAB_SPLIT, i;
	dma_addr_t dma;
	__le64 *l2;

	if (sid >> unit->sid_bits)
		return -ERANGE;
	if (!unit->two_level)
		return 0;
	mutex_lock(&unit->ste_lock);
	if (unit->l2[l1]) {
		mutex_unlock(&unit->ste_lock);
		return 0;
	}
	l2 = dma_alloc_coherent(unit->dev, l2_size, &dma, GFP_KERNEL);
	if (!l2) {
		mutex_unlock(&unit->ste_lock);
		return -ENOMEM;
	}
	for (i = 0; i < (1U << SMMU_STRTAB_SPLIT); i++)
		ste_init(l2 + i * STE_DWORDS);
	unit->l2[l1] = l2;
	unit->l2_dma[l1] = dma;
	dma_wmb();
	WRITE_ONCE(unit->strtab[l1],
		   cpu_to_le64(FIELD_PREP(L1STD_SPAN, SMMU_STRTAB_SPLIT + 1) |
			       (dma & L1STD_L2PTR)));
	cfgi_all(unit);
	mutex_unlock(&unit->ste_lock);
	return 0;
}

/**
 * smmu_ste_write() - switch the STE of @sid to a new dword 0, no window
 * @unit: the unit
 * @sid: stream ID (smmu_strtab_prepare() done)
 * @dw0: the new dword 0: STE_V with Config abort, bypass, or stage 1 with
 *	S1ContextPtr
 *
 * One 64-bit store, then CMD_CFGI_STE (Leaf = 1) and CMD_SYNC: when this
 * returns the unit uses the new entry.
 *
 * Context: process context (takes ste_lock).
 * Return: 0, -ENOENT (no STE), -ETIMEDOUT (command queue).
 */
int smmu_ste_write(struct smmu_unit *unit, u32 sid, u64 dw0)
{
	u64 cmd[1][2] = { { FIELD_PREP(CMD_OPCODE, CMD_CFGI_STE) |
			    FIELD_PREP(CMD0_SID, sid), CMD1_LEAF } };
	__le64 *ste;
	int rc;

	mutex_lock(&unit->ste_lock);
	ste = ste_of(unit, sid);
	if (!ste) {
		mutex_unlock(&unit->ste_lock);
		return -ENOENT;
	}
	/* A CD the entry points to is in memory before the entry. */
	dma_wmb();
	WRITE_ONCE(ste[0], cpu_to_le64(dw0));
	atomic64_inc(&unit->stats.cfgi_ste);
	rc = smmu_cmdq_issue(unit, cmd, 1, true);
	mutex_unlock(&unit->ste_lock);
	return rc;
}

/**
 * smmu_ste_read() - dword 0 of the STE of @sid (debugfs, tests)
 * @unit: the unit
 * @sid: stream ID
 *
 * Return: dword 0, or 0 (invalid) when the STE does not exist.
 */
u64 smmu_ste_read(struct smmu_unit *unit, u32 sid)
{
	__le64 *ste;
	u64 v = 0;

	mutex_lock(&unit->ste_lock);
	ste = (sid >> unit->sid_bits) ? NULL : ste_of(unit, sid);
	if (ste)
		v = le64_to_cpu(READ_ONCE(ste[0]));
	mutex_unlock(&unit->ste_lock);
	return v;
}
