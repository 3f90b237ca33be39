// SPDX-License-Identifier: GPL-2.0-only
/*
 * Root and context tables, legacy and scalable mode, and the scalable-mode
 * PASID directory and table of each requester ID.
 *
 * Legacy mode (VT-d spec 3.4.2, 9.1 "Root Entry", 9.3 "Context Entry"):
 * the root table has one 128-bit entry per bus; a present root entry
 * points to that bus's context table, one 128-bit entry per devfn. The
 * context entry is the unit's whole view of one requester ID:
 *   not present                 -> DMA is blocked and faults (reason 2)
 *   present, TT = 10b           -> pass-through (identity domain)
 *   present, TT = 00b, SLPTPTR  -> second-level table, tagged with a DID
 *
 * Scalable mode (3.4.3, 9.2 "Scalable-Mode Root Entry", 9.4
 * "Scalable-Mode Context-Entry", 9.5 "Scalable-Mode PASID Directory
 * Entry", 9.6 "Scalable-Mode PASID Table Entry"): a root entry points to
 * two context tables (devfn 0-127 and 128-255) of 256-bit entries. A
 * present context entry points to a PASID directory; requests without a
 * PASID are translated through the PASID table entry of its RID_PASID
 * field, which we leave at 0. Each requester ID gets its own directory
 * (one entry used: PDTS = 0) and PASID table page when it is first
 * prepared, and its context entry stays present from then on; what
 * changes is the PASID table entry of PASID 0:
 *   not present                 -> blocked (faults, QEMU: reason 0x58)
 *   present, PGTT = 100b        -> pass-through, tagged with a DID
 *   present, PGTT = 010b, SLPTR -> second-level table, tagged with a DID
 * A second-level table works the same in both modes (9.8).
 *
 * Context and PASID tables are allocated the first time an endpoint (or a
 * DMA alias) of a bus is attached, and live until the unit is torn down.
 *
 * Replacing one translation by another must never open a window in which
 * DMA escapes (include/xiommu/driver.h, attach_dev). The entry that
 * changes (legacy context entry, scalable PASID entry) has every field we
 * change in its first 128 bits, so vtd_ctx_set() writes it in place with
 * one CMPXCHG16B when the CPU has it, never passing through an invalid
 * state, and only then invalidates what the hardware may have cached of
 * the old entry, as "Guidance to Software for Invalidations" (6.5.3.3)
 * asks for a modified present entry: legacy, the context cache
 * (device-selective, old DID) and the IOTLB (domain-selective, old DID);
 * scalable, the PASID cache (PASID-selective, old DID) and the IOTLB
 * (domain-selective, old DID). In scalable mode a device-selective
 * context-cache invalidation follows too: the spec does not need it, but
 * QEMU 7.2 ignores PASID-cache descriptors and only re-reads the PASID
 * entry (e.g. to leave its pass-through fast path) on a context-cache
 * invalidation.
 */
#define pr_fmt(fmt) "xiommu_vtd: " fmt

#include <linux/bitfield.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vtd.h"

static unsigned int vtd_ctx_index(struct vtd_unit *unit, u16 sid)
{
	unsigned int bus = PCI_BUS_NUM(sid);

	return unit->sm ? bus * 2 + ((sid & 0xff) >> 7) : bus * 2;
}

/* A zeroed page below the unit's host address width, or NULL. */
static void *vtd_alloc_table(struct vtd_unit *unit)
{
	void *table = (void *)get_zeroed_page(GFP_KERNEL);

	if (table && (virt_to_phys(table) >> unit->oas)) {
		free_page((unsigned long)table);
		return NULL;
	}
	if (table)
		vtd_flush_cpu_cache(unit, table, PAGE_SIZE);
	return table;
}

/*
 * The context table holding @sid's entry; allocates it and makes the root
 * entry point at it if @alloc. Returns NULL if absent (or out of memory).
 */
static void *vtd_ctx_table(struct vtd_unit *unit, u16 sid, bool alloc)
{
	unsigned int idx = vtd_ctx_index(unit, sid), bus = PCI_BUS_NUM(sid);
	struct vtd_ctx_entry *re = &unit->root[bus];
	void *table = unit->ctx[idx];
	u64 ptr;

	lockdep_assert_held(&unit->ctx_mutex);
	if (table || !alloc)
		return table;
	table = vtd_alloc_table(unit);
	if (!table)
		return NULL;
	unit->ctx[idx] = table;
	/* Root entry (9.1, 9.2): present + context-table pointer. */
	ptr = virt_to_phys(table) | VTD_ENTRY_P;
	if (idx & 1)
		WRITE_ONCE(re->hi, ptr);
	else
		WRITE_ONCE(re->lo, ptr);
	vtd_flush_cpu_cache(unit, re, sizeof(*re));
	/*
	 * Not-present -> present: only caching mode may have cached the
	 * empty root entry (6.1); the per-entry flush in vtd_ctx_set() is
	 * device-selective and may not reach it, so flush globally then.
	 */
	if (unit->enabled && (unit->cap & VTD_CAP_CM))
		vtd_flush_context(unit, VTD_CCMD_GLOBAL, 0, 0);
	else
		vtd_flush_write_buffer(unit);
	return table;
}

static struct vtd_ctx_entry *vtd_legacy_entry(struct vtd_unit *unit, u16 sid,
					      bool alloc)
{
	struct vtd_ctx_entry *table = vtd_ctx_table(unit, sid, alloc);

	return table ? &table[sid & 0xff] : NULL;
}

static struct vtd_sm_ctx_entry *vtd_sm_entry(struct vtd_unit *unit, u16 sid,
					     bool alloc)
{
	struct vtd_sm_ctx_entry *table = vtd_ctx_table(unit, sid, alloc);

	return table ? &table[sid & (VTD_SM_CTX_PER_TABLE - 1)] : NULL;
}

/*
 * Scalable mode: give @sid its PASID directory and table and a present
 * context entry pointing at them (RID_PASID 0, whose PASID entry stays
 * not present: the requester ID is still blocked).
 */
static int vtd_sm_prepare(struct vtd_unit *unit, u16 sid)
{
	struct vtd_sm_ctx_entry *ce;
	struct vtd_pasid_dir *pd;
	int rc;

	ce = vtd_sm_entry(unit, sid, true);
	if (!ce)
		return -ENOMEM;
	if (xa_load(&unit->pasid_dirs, sid))
		return 0;
	pd = kzalloc(sizeof(*pd), GFP_KERNEL);
	if (!pd)
		return -ENOMEM;
	pd->dir = vtd_alloc_table(unit);
	pd->table = vtd_alloc_table(unit);
	if (!pd->dir || !pd->table) {
		rc = -ENOMEM;
		goto err_free;
	}
	rc = xa_err(xa_store(&unit->pasid_dirs, sid, pd, GFP_KERNEL));
	if (rc)
		goto err_free;

	/* Directory entry 0 (PASIDs 0-63): present, the table. */
	pd->dir[0] = virt_to_phys(pd->table) | VTD_ENTRY_P;
	vtd_flush_cpu_cache(unit, pd->dir, sizeof(u64));
	/* Context entry: RID_PASID 0 and the rest of qw1-3 zero, then P. */
	WRITE_ONCE(ce->qw[1], FIELD_PREP(VTD_SMCTX_RID_PASID, VTD_RID_PASID));
	wmb();	/* the upper part before the present bit */
	WRITE_ONCE(ce->qw[0], virt_to_phys(pd->dir) |
		   FIELD_PREP(VTD_SMCTX_PDTS, 0) | VTD_ENTRY_P);
	vtd_flush_cpu_cache(unit, ce, sizeof(*ce));
	if (unit->enabled) {
		/* Not present -> present (caching mode may cache it, 6.1). */
		vtd_flush_write_buffer(unit);
		vtd_flush_context(unit, VTD_CCMD_DEVICE, VTD_DID_RESERVED, sid);
	}
	return 0;

err_free:
	free_page((unsigned long)pd->dir);
	free_page((unsigned long)pd->table);
	kfree(pd);
	return rc;
}

/**
 * vtd_ctx_prepare() - make sure the tables for @sids exist
 * @unit: the unit
 * @sids: source ids about to get a translation
 * @nr: entries in @sids
 *
 * Done before touching any translation so that an attach either fails
 * with nothing changed or changes every alias. In scalable mode this also
 * makes the context entries present (still blocked, see above).
 *
 * Return: 0 or -ENOMEM.
 */
int vtd_ctx_prepare(struct vtd_unit *unit, const u16 *sids, unsigned int nr)
{
	unsigned int i;
	int rc = 0;

	mutex_lock(&unit->ctx_mutex);
	for (i = 0; i < nr && !rc; i++) {
		if (unit->sm)
			rc = vtd_sm_prepare(unit, sids[i]);
		else if (!vtd_ctx_table(unit, sids[i], true))
			rc = -ENOMEM;
	}
	mutex_unlock(&unit->ctx_mutex);
	return rc;
}

/*
 * Write a 128-bit entry whose first quadword holds the present bit,
 * without an invalid intermediate state: not present -> present writes
 * the upper half first and the present bit last; present -> not present
 * clears the lower half (and so P) first; present -> present swaps both
 * with one CMPXCHG16B, so a 128-bit fetch by the unit sees either entry.
 * Without CMPXCHG16B the low half goes first: a fetch between the two
 * stores sees the new type and table with the old domain id (the AW field
 * is the same in every entry of the unit), and whatever it caches under
 * the old domain id is dropped by the old-DID invalidations that follow.
 */
static void vtd_entry_write(u64 *w, u64 old0, u64 old1, u64 new0, u64 new1)
{
	if (!(old0 & VTD_ENTRY_P)) {
		WRITE_ONCE(w[1], new1);
		wmb();	/* DID and AW visible before the present bit */
		WRITE_ONCE(w[0], new0);
	} else if (!(new0 & VTD_ENTRY_P)) {
		WRITE_ONCE(w[0], 0);
		wmb();	/* not present before the DID goes away */
		WRITE_ONCE(w[1], 0);
	} else {
		/* Only we write these entries: the exchange cannot fail. */
		if (system_has_cmpxchg_double() &&
		    !WARN_ON_ONCE(!cmpxchg_double(&w[0], &w[1], old0, old1,
						  new0, new1)))
			return;
		WRITE_ONCE(w[0], new0);
		wmb();	/* the unit must not see the new DID before the table */
		WRITE_ONCE(w[1], new1);
	}
}

/* Legacy context entry halves for @cfg. */
static void vtd_legacy_encode(struct vtd_unit *unit,
			      const struct vtd_ctx_cfg *cfg, u64 *lo, u64 *hi)
{
	*lo = 0;
	*hi = 0;
	if (cfg->type == VTD_CTX_BLOCKED)
		return;
	*hi = FIELD_PREP(VTD_CTX_HI_AW, unit->levels - 2) |
	      FIELD_PREP(VTD_CTX_HI_DID, cfg->did);
	if (cfg->type == VTD_CTX_PASSTHROUGH)
		*lo = VTD_ENTRY_P | FIELD_PREP(VTD_CTX_LO_TT, VTD_CTX_TT_PT);
	else
		*lo = VTD_ENTRY_P | FIELD_PREP(VTD_CTX_LO_TT, VTD_CTX_TT_SLPT) |
		      (cfg->root & VTD_ENTRY_ADDR);
}

/* First two quadwords of a scalable-mode PASID entry for @cfg. */
static void vtd_pasid_encode(struct vtd_unit *unit,
			     const struct vtd_ctx_cfg *cfg, u64 *qw0, u64 *qw1)
{
	*qw0 = 0;
	*qw1 = 0;
	if (cfg->type == VTD_CTX_BLOCKED)
		return;
	/* AW is checked for pass-through entries too (QEMU does). */
	*qw0 = VTD_ENTRY_P | FIELD_PREP(VTD_PE_AW, unit->levels - 2);
	*qw1 = FIELD_PREP(VTD_PE_DID, cfg->did);
	if (cfg->type == VTD_CTX_PASSTHROUGH)
		*qw0 |= FIELD_PREP(VTD_PE_PGTT, VTD_PE_PGTT_PT);
	else
		*qw0 |= FIELD_PREP(VTD_PE_PGTT, VTD_PE_PGTT_SL) |
			(cfg->root & VTD_ENTRY_ADDR);
}

/* The two quadwords vtd_ctx_set() changes for @sid, or NULL. */
static u64 *vtd_ctx_words(struct vtd_unit *unit, u16 sid)
{
	struct vtd_pasid_dir *pd;

	lockdep_assert_held(&unit->ctx_mutex);
	if (!unit->sm) {
		struct vtd_ctx_entry *ce = vtd_legacy_entry(unit, sid, false);

		return ce ? &ce->lo : NULL;
	}
	pd = xa_load(&unit->pasid_dirs, sid);
	return pd ? pd->table[VTD_RID_PASID].qw : NULL;
}

static u16 vtd_words_did(struct vtd_unit *unit, u64 w1)
{
	return unit->sm ? FIELD_GET(VTD_PE_DID, w1) :
			  FIELD_GET(VTD_CTX_HI_DID, w1);
}

/**
 * vtd_ctx_set() - program the translation of one requester ID
 * @unit: the unit
 * @sid: requester id (bus << 8 | devfn)
 * @cfg: blocked, pass-through or second-level with a domain id
 *
 * Writes the legacy context entry, or in scalable mode the RID_PASID
 * PASID entry, without an invalid intermediate state and invalidates:
 *  - old entry present: legacy, context cache device-selective with the
 *    old DID; scalable, PASID cache PASID-selective with the old DID and
 *    a device-selective context-cache invalidation (QEMU, see the top of
 *    this file); both, IOTLB domain-selective for the old DID (6.5.3.3);
 *  - old entry not present, new present: with caching mode the unit may
 *    have cached the not-present entry under DID 0 and must be told
 *    (6.1), IOTLB domain-selective for the new DID as well; without
 *    caching mode no invalidation is needed, but a device-selective
 *    context invalidation is cheap at attach time and lets emulated
 *    units that track per-device address spaces notice at once.
 * The tables must exist already if @cfg is not blocked (vtd_ctx_prepare()).
 *
 * Return: 0, -ENOENT if the tables are missing, or the first invalidation
 * error (the entry is written).
 */
int vtd_ctx_set(struct vtd_unit *unit, u16 sid, const struct vtd_ctx_cfg *cfg)
{
	struct vtd_inv_batch b;
	u64 old0, old1, new0, new1;
	bool present;
	u16 old_did;
	u64 *w;
	int rc = 0;

	if (unit->sm)
		vtd_pasid_encode(unit, cfg, &new0, &new1);
	else
		vtd_legacy_encode(unit, cfg, &new0, &new1);
	present = new0 & VTD_ENTRY_P;

	mutex_lock(&unit->ctx_mutex);
	w = vtd_ctx_words(unit, sid);
	if (!w) {
		rc = present ? -ENOENT : 0;
		goto out_unlock;
	}
	old0 = READ_ONCE(w[0]);
	old1 = READ_ONCE(w[1]);
	if (old0 == new0 && old1 == new1)
		goto out_unlock;
	vtd_entry_write(w, old0, old1, new0, new1);
	vtd_flush_cpu_cache(unit, w, 2 * sizeof(u64));

	if (!unit->enabled)
		goto out_unlock;	/* enable flushes everything globally */
	vtd_inv_batch_init(&b);
	if (old0 & VTD_ENTRY_P) {
		old_did = vtd_words_did(unit, old1);
		if (unit->sm)
			vtd_inv_add_pasid(unit, &b, VTD_DESC_PC_PASID_SEL,
					  old_did, VTD_RID_PASID);
		vtd_inv_add_context(unit, &b, VTD_CCMD_DEVICE,
				    unit->sm ? VTD_DID_RESERVED : old_did, sid);
		vtd_inv_add_iotlb(unit, &b, VTD_IOTLB_DOMAIN, old_did, 0, 0);
	} else {
		vtd_flush_write_buffer(unit);
		if (unit->sm && (unit->cap & VTD_CAP_CM))
			vtd_inv_add_pasid(unit, &b, VTD_DESC_PC_PASID_SEL,
					  VTD_DID_RESERVED, VTD_RID_PASID);
		vtd_inv_add_context(unit, &b, VTD_CCMD_DEVICE,
				    VTD_DID_RESERVED, sid);
		if (unit->cap & VTD_CAP_CM)
			vtd_inv_add_iotlb(unit, &b, VTD_IOTLB_DOMAIN,
					  vtd_words_did(unit, new1), 0, 0);
	}
	rc = vtd_inv_submit(unit, &b);
out_unlock:
	mutex_unlock(&unit->ctx_mutex);
	return rc;
}

/**
 * vtd_ctx_did() - the domain id @sid's DMA is tagged with now
 * @unit: the unit
 * @sid: requester id
 *
 * Context: process context (takes the unit's context mutex).
 * Return: the domain id, or -ENOENT if @sid is blocked.
 */
int vtd_ctx_did(struct vtd_unit *unit, u16 sid)
{
	int did = -ENOENT;
	u64 *w;

	mutex_lock(&unit->ctx_mutex);
	w = vtd_ctx_words(unit, sid);
	if (w && (READ_ONCE(w[0]) & VTD_ENTRY_P))
		did = vtd_words_did(unit, READ_ONCE(w[1]));
	mutex_unlock(&unit->ctx_mutex);
	return did;
}

/**
 * vtd_ctx_free() - free the context and PASID tables, clear the root table
 * @unit: a unit with translation off
 */
void vtd_ctx_free(struct vtd_unit *unit)
{
	struct vtd_pasid_dir *pd;
	unsigned long sid;
	unsigned int idx;

	mutex_lock(&unit->ctx_mutex);
	for (idx = 0; idx < ARRAY_SIZE(unit->ctx); idx++) {
		if (!unit->ctx[idx])
			continue;
		unit->root[idx / 2].lo = 0;
		unit->root[idx / 2].hi = 0;
		free_page((unsigned long)unit->ctx[idx]);
		unit->ctx[idx] = NULL;
	}
	xa_for_each(&unit->pasid_dirs, sid, pd) {
		free_page((unsigned long)pd->dir);
		free_page((unsigned long)pd->table);
		kfree(pd);
	}
	xa_destroy(&unit->pasid_dirs);
	mutex_unlock(&unit->ctx_mutex);
}

/* "present pass-through did D aw A" and the like, for either mode. */
static void vtd_show_translation(struct vtd_unit *unit, struct seq_file *s,
				 u64 w0, u64 w1)
{
	bool pt, sl;

	if (!(w0 & VTD_ENTRY_P)) {
		seq_puts(s, " not-present");
		return;
	}
	if (unit->sm) {
		pt = FIELD_GET(VTD_PE_PGTT, w0) == VTD_PE_PGTT_PT;
		sl = FIELD_GET(VTD_PE_PGTT, w0) == VTD_PE_PGTT_SL;
	} else {
		pt = FIELD_GET(VTD_CTX_LO_TT, w0) == VTD_CTX_TT_PT;
		sl = FIELD_GET(VTD_CTX_LO_TT, w0) == VTD_CTX_TT_SLPT;
	}
	seq_printf(s, " present %s did %u aw %llu",
		   pt ? "pass-through" : sl ? "translated" : "type?",
		   vtd_words_did(unit, w1),
		   unit->sm ? FIELD_GET(VTD_PE_AW, w0) :
			      FIELD_GET(VTD_CTX_HI_AW, w1));
	if (sl)
		seq_printf(s, " table %#llx", w0 & VTD_ENTRY_ADDR);
}

/**
 * vtd_ctx_show() - print every present root and context entry (debugfs)
 * @unit: the unit
 * @s: seq_file
 *
 * One line per requester ID with an entry: "bb:dd.f hi:lo" and its
 * translation. In scalable mode hi:lo is the RID_PASID PASID entry's
 * first 128 bits, followed by the PASID directory the context entry
 * points to.
 */
void vtd_ctx_show(struct vtd_unit *unit, struct seq_file *s)
{
	unsigned int idx, i, per;

	mutex_lock(&unit->ctx_mutex);
	seq_printf(s, "root table %#llx %s mode\n",
		   (u64)virt_to_phys(unit->root),
		   unit->sm ? "scalable" : "legacy");
	per = unit->sm ? VTD_SM_CTX_PER_TABLE : VTD_NR_DEVFNS;
	for (idx = 0; idx < ARRAY_SIZE(unit->ctx); idx++) {
		void *table = unit->ctx[idx];
		unsigned int bus = idx / 2;

		if (!table)
			continue;
		seq_printf(s, "bus %02x%s: root %016llx:%016llx context table %#llx\n",
			   bus, unit->sm ? (idx & 1 ? " upper" : " lower") : "",
			   unit->root[bus].hi, unit->root[bus].lo,
			   (u64)virt_to_phys(table));
		for (i = 0; i < per; i++) {
			unsigned int devfn = unit->sm ? (idx & 1) * 128 + i : i;
			u16 sid = PCI_DEVID(bus, devfn);
			u64 w0, w1, *w;

			if (unit->sm) {
				struct vtd_sm_ctx_entry *ce = table;

				if (!(READ_ONCE(ce[i].qw[0]) & VTD_ENTRY_P))
					continue;
			}
			w = unit->sm ? vtd_ctx_words(unit, sid) :
				       &((struct vtd_ctx_entry *)table)[i].lo;
			if (!w)
				continue;
			w0 = READ_ONCE(w[0]);
			w1 = READ_ONCE(w[1]);
			if (!unit->sm && !w0 && !w1)
				continue;
			seq_printf(s, "  %02x:%02x.%x %016llx:%016llx", bus,
				   PCI_SLOT(devfn), PCI_FUNC(devfn), w1, w0);
			vtd_show_translation(unit, s, w0, w1);
			if (unit->sm)
				seq_printf(s, " pasid-dir %#llx",
					   READ_ONCE(((struct vtd_sm_ctx_entry *)
						      table)[i].qw[0]) &
					   VTD_ENTRY_ADDR);
			seq_putc(s, '\n');
		}
	}
	mutex_unlock(&unit->ctx_mutex);
}
