// SPDX-License-Identifier: GPL-2.0-only
/*
 * Legacy-mode root and context tables (VT-d spec 3.4.2, 9.1 "Root Entry",
 * 9.3 "Context Entry").
 *
 * The root table has one 128-bit entry per bus; a present root entry
 * points to that bus's context table, one 128-bit entry per devfn. A
 * context table is allocated the first time an endpoint (or DMA alias) on
 * its bus is attached, and lives until the unit is torn down.
 *
 * A context entry is the unit's whole view of one requester ID:
 *   not present                 -> DMA is blocked and faults (reason 2)
 *   present, TT = pass-through  -> identity domain (untranslated)
 *   present, TT = 00b, SLPTPTR  -> paging domain, tagged with its DID
 *
 * Replacing one present entry by another must never open a window in
 * which DMA escapes (include/xiommu/driver.h, attach_dev). vtd_ctx_set()
 * therefore writes the new entry in place, never passing through an
 * invalid state, and only then invalidates what the hardware may have
 * cached of the old one, as "Guidance to Software for Invalidations"
 * (6.5.3.3) requires for a modified present context entry: the context
 * cache, device-selective with the old domain id, then the IOTLB,
 * domain-selective for the old domain id.
 */
#define pr_fmt(fmt) "xiommu_vtd: " fmt

#include <linux/bitfield.h>
#include <linux/seq_file.h>

#include "vtd.h"

/* The context entry for @sid; allocates the bus's table if @alloc. */
static struct vtd_ctx_entry *vtd_ctx_lookup(struct vtd_unit *unit, u16 sid,
					    bool alloc)
{
	unsigned int bus = PCI_BUS_NUM(sid);
	struct vtd_ctx_entry *table = unit->ctx[bus];

	lockdep_assert_held(&unit->ctx_mutex);
	if (table || !alloc)
		return table ? &table[sid & 0xff] : NULL;

	table = (void *)get_zeroed_page(GFP_KERNEL);
	if (!table)
		return ERR_PTR(-ENOMEM);
	if (virt_to_phys(table) >> unit->oas) {
		free_page((unsigned long)table);
		return ERR_PTR(-ENOMEM);
	}
	vtd_flush_cpu_cache(unit, table, PAGE_SIZE);
	unit->ctx[bus] = table;
	/* Root entry (9.1): present + context-table pointer; upper half 0. */
	WRITE_ONCE(unit->root[bus].lo, virt_to_phys(table) | VTD_ENTRY_P);
	vtd_flush_cpu_cache(unit, &unit->root[bus], sizeof(unit->root[bus]));
	/*
	 * Not-present -> present: only caching mode may have cached the
	 * empty root entry (6.1); the per-entry flush in vtd_ctx_set() is
	 * device-selective and may not reach it, so flush globally then.
	 */
	if (unit->enabled && (unit->cap & VTD_CAP_CM))
		vtd_flush_context(unit, VTD_CCMD_GLOBAL, 0, 0);
	else
		vtd_flush_write_buffer(unit);
	return &table[sid & 0xff];
}

/**
 * vtd_ctx_prepare() - make sure the context tables for @sids exist
 * @unit: the unit
 * @sids: source ids about to get present entries
 * @nr: entries in @sids
 *
 * Done before touching any entry so that an attach either fails with
 * nothing changed or changes every alias.
 *
 * Return: 0 or -ENOMEM.
 */
int vtd_ctx_prepare(struct vtd_unit *unit, const u16 *sids, unsigned int nr)
{
	struct vtd_ctx_entry *ce;
	unsigned int i;
	int rc = 0;

	mutex_lock(&unit->ctx_mutex);
	for (i = 0; i < nr; i++) {
		ce = vtd_ctx_lookup(unit, sids[i], true);
		if (IS_ERR(ce)) {
			rc = PTR_ERR(ce);
			break;
		}
	}
	mutex_unlock(&unit->ctx_mutex);
	return rc;
}

/*
 * Swap a present entry for another present one. One 16-byte CMPXCHG16B
 * when the CPU has it: a 128-bit fetch by the unit then sees either entry.
 * Without it the low half goes first: a fetch between the two stores sees
 * the new translation type and table with the old domain id (the AW field
 * is the same in every entry of the unit), and whatever it caches under
 * the old domain id is dropped by the old-DID flushes that follow.
 */
static void vtd_ctx_replace(struct vtd_ctx_entry *ce, u64 old_lo, u64 old_hi,
			    u64 lo, u64 hi)
{
	if (system_has_cmpxchg_double()) {
		/* Only we write legacy context entries: this cannot fail. */
		if (!WARN_ON_ONCE(!cmpxchg_double(&ce->lo, &ce->hi, old_lo,
						  old_hi, lo, hi)))
			return;
	}
	WRITE_ONCE(ce->lo, lo);
	wmb();	/* the unit must not see the new DID before the new table */
	WRITE_ONCE(ce->hi, hi);
}

/**
 * vtd_ctx_set() - program the context entry of one source id
 * @unit: the unit
 * @sid: requester id (bus << 8 | devfn)
 * @lo: new low half (0: not present)
 * @hi: new high half (AW, DID; ignored when not present)
 *
 * Writes the entry without an invalid intermediate state and invalidates:
 *  - old entry present: context cache device-selective with the old DID,
 *    IOTLB domain-selective for the old DID (6.5.3.3);
 *  - old entry not present, new present: with caching mode the unit may
 *    have cached the not-present entry under DID 0 and must be told
 *    (6.1), IOTLB domain-selective for the new DID as well; without
 *    caching mode no invalidation is needed, but a device-selective
 *    context invalidation is cheap at attach time and lets emulated
 *    units that track per-device address spaces notice at once.
 * The context table must exist already if @lo is present
 * (vtd_ctx_prepare()).
 *
 * Return: 0, or the first invalidation error (the entry is written).
 */
int vtd_ctx_set(struct vtd_unit *unit, u16 sid, u64 lo, u64 hi)
{
	struct vtd_ctx_entry *ce;
	u64 old_lo, old_hi;
	u16 old_did;
	int rc = 0, rc2;

	mutex_lock(&unit->ctx_mutex);
	ce = vtd_ctx_lookup(unit, sid, false);
	if (!ce) {
		rc = (lo & VTD_ENTRY_P) ? -ENOENT : 0;
		goto out_unlock;
	}
	old_lo = READ_ONCE(ce->lo);
	old_hi = READ_ONCE(ce->hi);
	if (!(lo & VTD_ENTRY_P)) {
		lo = 0;
		hi = 0;
	}
	if (old_lo == lo && old_hi == hi)
		goto out_unlock;

	if (!(old_lo & VTD_ENTRY_P)) {
		/* Upper half first, the present bit last. */
		WRITE_ONCE(ce->hi, hi);
		wmb();	/* DID and AW visible before the present bit */
		WRITE_ONCE(ce->lo, lo);
	} else if (!(lo & VTD_ENTRY_P)) {
		/* Clearing P alone blocks; the upper half no longer counts. */
		WRITE_ONCE(ce->lo, 0);
		wmb();	/* not present before the DID goes away */
		WRITE_ONCE(ce->hi, 0);
	} else {
		vtd_ctx_replace(ce, old_lo, old_hi, lo, hi);
	}
	vtd_flush_cpu_cache(unit, ce, sizeof(*ce));

	if (!unit->enabled)
		goto out_unlock;	/* enable flushes everything globally */
	if (old_lo & VTD_ENTRY_P) {
		old_did = FIELD_GET(VTD_CTX_HI_DID, old_hi);
		rc = vtd_flush_context(unit, VTD_CCMD_DEVICE, old_did, sid);
		rc2 = vtd_flush_iotlb(unit, VTD_IOTLB_DOMAIN, old_did, 0, 0);
		rc = rc ?: rc2;
	} else {
		vtd_flush_write_buffer(unit);
		rc = vtd_flush_context(unit, VTD_CCMD_DEVICE, VTD_DID_RESERVED,
				       sid);
		if (unit->cap & VTD_CAP_CM) {
			rc2 = vtd_flush_iotlb(unit, VTD_IOTLB_DOMAIN,
					      FIELD_GET(VTD_CTX_HI_DID, hi), 0,
					      0);
			rc = rc ?: rc2;
		}
	}
out_unlock:
	mutex_unlock(&unit->ctx_mutex);
	return rc;
}

/**
 * vtd_ctx_free() - free the context tables and clear the root table
 * @unit: a unit with translation off
 */
void vtd_ctx_free(struct vtd_unit *unit)
{
	unsigned int bus;

	mutex_lock(&unit->ctx_mutex);
	for (bus = 0; bus < VTD_NR_BUSES; bus++) {
		if (!unit->ctx[bus])
			continue;
		unit->root[bus].lo = 0;
		free_page((unsigned long)unit->ctx[bus]);
		unit->ctx[bus] = NULL;
	}
	mutex_unlock(&unit->ctx_mutex);
}

/**
 * vtd_ctx_show() - print every present root and context entry (debugfs)
 * @unit: the unit
 * @s: seq_file
 */
void vtd_ctx_show(struct vtd_unit *unit, struct seq_file *s)
{
	unsigned int bus, devfn;

	mutex_lock(&unit->ctx_mutex);
	seq_printf(s, "root table %#llx\n", (u64)virt_to_phys(unit->root));
	for (bus = 0; bus < VTD_NR_BUSES; bus++) {
		struct vtd_ctx_entry *table = unit->ctx[bus];

		if (!table)
			continue;
		seq_printf(s, "bus %02x: root %016llx context table %#llx\n",
			   bus, unit->root[bus].lo,
			   (u64)virt_to_phys(table));
		for (devfn = 0; devfn < VTD_NR_DEVFNS; devfn++) {
			u64 lo = READ_ONCE(table[devfn].lo);
			u64 hi = READ_ONCE(table[devfn].hi);
			unsigned int tt = FIELD_GET(VTD_CTX_LO_TT, lo);

			if (!lo && !hi)
				continue;
			seq_printf(s, "  %02x:%02x.%x %016llx:%016llx %s",
				   bus, PCI_SLOT(devfn), PCI_FUNC(devfn), hi,
				   lo, lo & VTD_ENTRY_P ? "present" :
				   "not-present");
			if (lo & VTD_ENTRY_P)
				seq_printf(s, " %s did %llu aw %llu",
					   tt == VTD_CTX_TT_PT ? "pass-through" :
					   tt == VTD_CTX_TT_SLPT ? "translated" :
					   "tt?",
					   FIELD_GET(VTD_CTX_HI_DID, hi),
					   FIELD_GET(VTD_CTX_HI_AW, hi));
			if ((lo & VTD_ENTRY_P) && tt != VTD_CTX_TT_PT)
				seq_printf(s, " table %#llx",
					   lo & VTD_ENTRY_ADDR);
			seq_putc(s, '\n');
		}
	}
	mutex_unlock(&unit->ctx_mutex);
}
