// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ACPI DMAR table (VT-d spec chapter 8, "BIOS Considerations").
 *
 * We parse the table ourselves (the kernel's own parser belongs to its
 * intel-iommu driver, which is disabled with intel_iommu=off) into plain
 * lists that live as long as the module:
 *  - DRHD (8.3): one DMA-remapping unit: PCI segment, register base,
 *    INCLUDE_PCI_ALL flag and the device scopes it translates;
 *  - RMRR (8.4): memory some devices keep DMAing to (BIOS-owned buffers)
 *    and which must stay identity-mapped for them. Reported as
 *    XIOMMU_RESV_DIRECT regions of those devices; the core then refuses
 *    to give such a device's group to user space (the RMRR rule, see
 *    Documentation/vtd.md), so they only ever sit in the identity domain.
 *  - ATSR (8.5): root ports below which devices may use ATS. Parsed and
 *    shown; the driver enables no device TLBs (ATS) yet.
 * RHSA, ANDD and SATC are counted and skipped: NUMA affinity of units,
 * ACPI-namespace devices (never PCI endpoints) and SoC-integrated ATS
 * devices do not change what we program.
 *
 * Every instance of the DMAR table is read. Firmware publishes one; the
 * test VMs add a second one (QEMU -acpitable) with the RMRR and ATSR that
 * QEMU's own table cannot describe. A DRHD whose register base an earlier
 * DRHD already has is skipped; the host address width is the one of the
 * first table with a DRHD.
 *
 * Device scopes (8.3.1) name a device by a start bus and a path of
 * (device, function) hops through bridges. Bus numbers behind bridges are
 * assigned by the OS, so a scope is resolved against the live PCI topology
 * each time it is matched, never cached.
 */
#define pr_fmt(fmt) "xiommu_vtd: " fmt

#include <linux/acpi.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vtd.h"

/**
 * struct vtd_scope - one device scope entry
 * @list: link in the owner's scope list
 * @type: ACPI_DMAR_SCOPE_TYPE_ENDPOINT or _BRIDGE (others are dropped)
 * @bus: start bus number
 * @npath: hops in @path
 * @path: (device, function) per hop
 */
struct vtd_scope {
	struct list_head list;
	u8 type;
	u8 bus;
	u8 npath;
	struct acpi_dmar_pci_path path[];
};

/**
 * struct vtd_rmrr - a reserved memory region reporting structure
 * @list: link in vtd_rmrrs
 * @segment: PCI segment of the scopes
 * @base: first byte
 * @last: last byte (inclusive)
 * @scopes: devices using the region
 */
struct vtd_rmrr {
	struct list_head list;
	u16 segment;
	u64 base;
	u64 last;
	struct list_head scopes;
};

/**
 * struct vtd_atsr - a root port ATS reporting structure
 * @list: link in vtd_atsrs
 * @segment: PCI segment
 * @all_ports: every root port of @segment supports ATS
 * @scopes: the root ports (bridge scopes) otherwise
 */
struct vtd_atsr {
	struct list_head list;
	u16 segment;
	bool all_ports;
	struct list_head scopes;
};

static LIST_HEAD(vtd_drhds);
static LIST_HEAD(vtd_rmrrs);
static LIST_HEAD(vtd_atsrs);
static int vtd_haw;
static unsigned int vtd_skipped;	/* RHSA, ANDD, SATC, unknown */

static void vtd_free_scopes(struct list_head *scopes)
{
	struct vtd_scope *sc, *tmp;

	list_for_each_entry_safe(sc, tmp, scopes, list) {
		list_del(&sc->list);
		kfree(sc);
	}
}

/* Parse the device scopes in [p, end) into @scopes. */
static int vtd_parse_scopes(const u8 *p, const u8 *end, struct list_head *scopes)
{
	while (p < end) {
		const struct acpi_dmar_device_scope *ds = (const void *)p;
		struct vtd_scope *sc;
		unsigned int npath;

		if (end - p < sizeof(*ds) || ds->length < sizeof(*ds) ||
		    ds->length > end - p)
			return -EINVAL;
		npath = (ds->length - sizeof(*ds)) / sizeof(sc->path[0]);
		p += ds->length;
		if (ds->entry_type != ACPI_DMAR_SCOPE_TYPE_ENDPOINT &&
		    ds->entry_type != ACPI_DMAR_SCOPE_TYPE_BRIDGE)
			continue;	/* IOAPIC, HPET, ACPI namespace devices */
		if (!npath || npath > 255)
			return -EINVAL;
		sc = kzalloc(struct_size(sc, path, npath), GFP_KERNEL);
		if (!sc)
			return -ENOMEM;
		sc->type = ds->entry_type;
		sc->bus = ds->bus;
		sc->npath = npath;
		memcpy(sc->path, ds + 1, npath * sizeof(sc->path[0]));
		list_add_tail(&sc->list, scopes);
	}
	return 0;
}

static int vtd_parse_drhd(const struct acpi_dmar_header *h)
{
	const struct acpi_dmar_hardware_unit *hu = (const void *)h;
	struct vtd_drhd *drhd;
	int rc;

	if (h->length < sizeof(*hu))
		return -EINVAL;
	list_for_each_entry(drhd, &vtd_drhds, list) {
		if (drhd->reg_base == hu->address) {
			pr_warn(FW_BUG "second DRHD for unit %#llx ignored\n",
				hu->address);
			return 0;
		}
	}
	drhd = kzalloc(sizeof(*drhd), GFP_KERNEL);
	if (!drhd)
		return -ENOMEM;
	INIT_LIST_HEAD(&drhd->scopes);
	drhd->segment = hu->segment;
	drhd->include_all = hu->flags & ACPI_DMAR_INCLUDE_ALL;
	drhd->reg_base = hu->address;
	/*
	 * Byte 5 ("reserved" in 6.1's ACPICA) is the register set size as
	 * 2^N 4 KiB pages since VT-d rev 2.x (8.3); 0 means one page.
	 */
	drhd->reg_pages = 1U << (hu->reserved & 0xf);
	rc = vtd_parse_scopes((const u8 *)(hu + 1), (const u8 *)h + h->length,
			      &drhd->scopes);
	if (rc) {
		vtd_free_scopes(&drhd->scopes);
		kfree(drhd);
		return rc;
	}
	list_add_tail(&drhd->list, &vtd_drhds);
	return 0;
}

static int vtd_parse_rmrr(const struct acpi_dmar_header *h)
{
	const struct acpi_dmar_reserved_memory *rm = (const void *)h;
	struct vtd_rmrr *rmrr;
	int rc;

	if (h->length < sizeof(*rm))
		return -EINVAL;
	if (rm->end_address < rm->base_address) {
		pr_warn(FW_BUG "RMRR [%#llx-%#llx] is empty, ignored\n",
			rm->base_address, rm->end_address);
		return 0;
	}
	rmrr = kzalloc(sizeof(*rmrr), GFP_KERNEL);
	if (!rmrr)
		return -ENOMEM;
	INIT_LIST_HEAD(&rmrr->scopes);
	rmrr->segment = rm->segment;
	rmrr->base = rm->base_address;
	rmrr->last = rm->end_address;
	rc = vtd_parse_scopes((const u8 *)(rm + 1), (const u8 *)h + h->length,
			      &rmrr->scopes);
	if (rc) {
		vtd_free_scopes(&rmrr->scopes);
		kfree(rmrr);
		return rc;
	}
	list_add_tail(&rmrr->list, &vtd_rmrrs);
	return 0;
}

static int vtd_parse_atsr(const struct acpi_dmar_header *h)
{
	const struct acpi_dmar_atsr *at = (const void *)h;
	struct vtd_atsr *atsr;
	int rc;

	if (h->length < sizeof(*at))
		return -EINVAL;
	atsr = kzalloc(sizeof(*atsr), GFP_KERNEL);
	if (!atsr)
		return -ENOMEM;
	INIT_LIST_HEAD(&atsr->scopes);
	atsr->segment = at->segment;
	atsr->all_ports = at->flags & ACPI_DMAR_ALL_PORTS;
	rc = vtd_parse_scopes((const u8 *)(at + 1), (const u8 *)h + h->length,
			      &atsr->scopes);
	if (rc) {
		vtd_free_scopes(&atsr->scopes);
		kfree(atsr);
		return rc;
	}
	list_add_tail(&atsr->list, &vtd_atsrs);
	return 0;
}

/**
 * vtd_dmar_free() - free everything vtd_dmar_parse() built
 */
void vtd_dmar_free(void)
{
	struct vtd_drhd *drhd, *dtmp;
	struct vtd_rmrr *rmrr, *rtmp;
	struct vtd_atsr *atsr, *atmp;

	list_for_each_entry_safe(atsr, atmp, &vtd_atsrs, list) {
		list_del(&atsr->list);
		vtd_free_scopes(&atsr->scopes);
		kfree(atsr);
	}
	list_for_each_entry_safe(drhd, dtmp, &vtd_drhds, list) {
		list_del(&drhd->list);
		vtd_free_scopes(&drhd->scopes);
		kfree(drhd);
	}
	list_for_each_entry_safe(rmrr, rtmp, &vtd_rmrrs, list) {
		list_del(&rmrr->list);
		vtd_free_scopes(&rmrr->scopes);
		kfree(rmrr);
	}
}

/* Parse the structures of one DMAR table instance. */
static int vtd_parse_table(const struct acpi_table_header *hdr)
{
	const struct acpi_table_dmar *dmar = (const void *)hdr;
	bool had_drhd = !list_empty(&vtd_drhds);
	const u8 *p, *end;
	int rc = 0;

	if (hdr->length < sizeof(*dmar))
		return -EINVAL;
	p = (const u8 *)(dmar + 1);
	end = (const u8 *)hdr + hdr->length;
	while (p < end) {
		const struct acpi_dmar_header *h = (const void *)p;

		if (end - p < sizeof(*h) || h->length < sizeof(*h) ||
		    h->length > end - p)
			return -EINVAL;
		switch (h->type) {
		case ACPI_DMAR_TYPE_HARDWARE_UNIT:
			rc = vtd_parse_drhd(h);
			break;
		case ACPI_DMAR_TYPE_RESERVED_MEMORY:
			rc = vtd_parse_rmrr(h);
			break;
		case ACPI_DMAR_TYPE_ROOT_ATS:
			rc = vtd_parse_atsr(h);
			break;
		default:
			vtd_skipped++;
			break;
		}
		if (rc)
			return rc;
		p += h->length;
	}
	if (!had_drhd && !list_empty(&vtd_drhds))
		vtd_haw = dmar->width + 1;
	return 0;
}

/**
 * vtd_dmar_parse() - read every DMAR table's DRHD, RMRR and ATSR structures
 *
 * Return: 0; -ENODEV if there is no DMAR table or no DRHD in any; -EINVAL
 * if a structure overruns its table; -ENOMEM.
 */
int vtd_dmar_parse(void)
{
	struct acpi_table_header *hdr;
	unsigned int inst;
	int rc = 0;

	if (acpi_disabled)
		return -ENODEV;
	for (inst = 0; !rc; inst++) {
		if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_DMAR, inst, &hdr)))
			break;
		rc = vtd_parse_table(hdr);
		acpi_put_table(hdr);
	}
	if (!rc && list_empty(&vtd_drhds))
		rc = -ENODEV;
	if (rc == -EINVAL)
		pr_err(FW_BUG "malformed DMAR table\n");
	if (rc)
		vtd_dmar_free();
	return rc;
}

/**
 * vtd_dmar_drhds() - the parsed DRHDs, in table order
 *
 * Return: list of struct vtd_drhd (->list)
 */
struct list_head *vtd_dmar_drhds(void)
{
	return &vtd_drhds;
}

/**
 * vtd_dmar_haw() - host address width from the DMAR table
 *
 * Return: physical address bits the units can reach (8.1 "Host Address
 * Width" + 1).
 */
int vtd_dmar_haw(void)
{
	return vtd_haw;
}

/* The device a scope names now, with a reference, or NULL. */
static struct pci_dev *vtd_scope_dev(u16 segment, const struct vtd_scope *sc)
{
	struct pci_dev *pdev = NULL;
	unsigned int bus = sc->bus, i;

	for (i = 0; i < sc->npath; i++) {
		pci_dev_put(pdev);
		pdev = pci_get_domain_bus_and_slot(segment, bus,
						   PCI_DEVFN(sc->path[i].device,
							     sc->path[i].function));
		if (!pdev)
			return NULL;
		if (i + 1 < sc->npath) {
			if (!pdev->subordinate) {
				pci_dev_put(pdev);
				return NULL;
			}
			bus = pdev->subordinate->number;
		}
	}
	return pdev;
}

/* Does @sc name @pdev, or a bridge @pdev sits below (bridge scopes)? */
static bool vtd_scope_matches(u16 segment, const struct vtd_scope *sc,
			      struct pci_dev *pdev)
{
	struct pci_dev *sdev = vtd_scope_dev(segment, sc);
	struct pci_bus *bus;
	bool match = false;

	if (!sdev)
		return false;
	if (sdev == pdev) {
		match = true;
	} else if (sc->type == ACPI_DMAR_SCOPE_TYPE_BRIDGE) {
		for (bus = pdev->bus; bus && bus->self; bus = bus->parent) {
			if (bus->self == sdev) {
				match = true;
				break;
			}
		}
	}
	pci_dev_put(sdev);
	return match;
}

static bool vtd_scopes_match(u16 segment, struct list_head *scopes,
			     struct pci_dev *pdev)
{
	struct vtd_scope *sc;

	list_for_each_entry(sc, scopes, list)
		if (vtd_scope_matches(segment, sc, pdev))
			return true;
	return false;
}

/**
 * vtd_drhd_covers() - does @drhd translate @pdev
 * @drhd: a parsed DRHD
 * @pdev: a PCI device
 *
 * A DRHD translates the devices its scopes name, and, with INCLUDE_PCI_ALL,
 * every device of its segment that no other DRHD names (8.3).
 *
 * Return: true if @pdev's DMA goes through @drhd.
 */
bool vtd_drhd_covers(struct vtd_drhd *drhd, struct pci_dev *pdev)
{
	u16 segment = pci_domain_nr(pdev->bus);
	struct vtd_drhd *other;

	if (segment != drhd->segment)
		return false;
	if (vtd_scopes_match(segment, &drhd->scopes, pdev))
		return true;
	if (!drhd->include_all)
		return false;
	list_for_each_entry(other, &vtd_drhds, list) {
		if (other != drhd && other->segment == segment &&
		    !other->include_all &&
		    vtd_scopes_match(segment, &other->scopes, pdev))
			return false;
	}
	return true;
}

/**
 * vtd_dmar_rmrr_regions() - reserved regions of the RMRRs naming @pdev
 * @pdev: a PCI device
 * @head: list to append struct xiommu_resv_region entries to
 *
 * Firmware requires these ranges to stay identity-mapped for @pdev
 * (8.4): they are XIOMMU_RESV_DIRECT, which the core treats as reserved
 * IOVA and as a reason to refuse user ownership of @pdev's group.
 */
void vtd_dmar_rmrr_regions(struct pci_dev *pdev, struct list_head *head)
{
	u16 segment = pci_domain_nr(pdev->bus);
	struct xiommu_resv_region *r;
	struct vtd_rmrr *rmrr;

	list_for_each_entry(rmrr, &vtd_rmrrs, list) {
		if (rmrr->segment != segment ||
		    !vtd_scopes_match(segment, &rmrr->scopes, pdev))
			continue;
		r = xiommu_alloc_resv_region(rmrr->base,
					     rmrr->last - rmrr->base + 1,
					     XIOMMU_RESV_DIRECT, GFP_KERNEL);
		if (r)
			list_add_tail(&r->list, head);
	}
}

static void vtd_scopes_show(struct seq_file *s, struct list_head *scopes)
{
	struct vtd_scope *sc;
	unsigned int i;

	list_for_each_entry(sc, scopes, list) {
		seq_printf(s, "  scope %s bus %02x path",
			   sc->type == ACPI_DMAR_SCOPE_TYPE_BRIDGE ?
			   "bridge" : "endpoint", sc->bus);
		for (i = 0; i < sc->npath; i++)
			seq_printf(s, " %02x.%x", sc->path[i].device,
				   sc->path[i].function);
		seq_putc(s, '\n');
	}
}

/**
 * vtd_dmar_show() - print the parsed DMAR table (debugfs)
 * @s: seq_file to print to
 */
void vtd_dmar_show(struct seq_file *s)
{
	struct vtd_drhd *drhd;
	struct vtd_rmrr *rmrr;
	struct vtd_atsr *atsr;

	seq_printf(s, "host address width %d\n", vtd_haw);
	list_for_each_entry(drhd, &vtd_drhds, list) {
		seq_printf(s, "DRHD segment %04x base %#llx pages %u%s\n",
			   drhd->segment, drhd->reg_base, drhd->reg_pages,
			   drhd->include_all ? " INCLUDE_PCI_ALL" : "");
		vtd_scopes_show(s, &drhd->scopes);
	}
	list_for_each_entry(rmrr, &vtd_rmrrs, list) {
		seq_printf(s, "RMRR segment %04x [%#llx-%#llx]\n",
			   rmrr->segment, rmrr->base, rmrr->last);
		vtd_scopes_show(s, &rmrr->scopes);
	}
	list_for_each_entry(atsr, &vtd_atsrs, list) {
		seq_printf(s, "ATSR segment %04x%s\n", atsr->segment,
			   atsr->all_ports ? " ALL_PORTS" : "");
		vtd_scopes_show(s, &atsr->scopes);
	}
	seq_printf(s, "other structures skipped %u\n", vtd_skipped);
}
