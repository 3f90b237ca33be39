/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xiommu_smmuv3: a driver for Arm SMMUv3 units (Arm System Memory
 * Management Unit Architecture Specification, SMMU architecture version
 * 3, IHI 0070; section numbers below are of that document).
 * Documentation/smmuv3.md describes the driver as built.
 *
 * Lock order: unit->evtq_lock -> unit->dev_lock -> unit->ste_lock ->
 * unit->cmdq_lock;
 * unit->dom_lock is taken alone (or under dev_lock).
 */
#ifndef XIOMMU_SMMU_H
#define XIOMMU_SMMU_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <xiommu/driver.h>

#include "pgtable.h"

/* --- registers (6.3 "Register formats"), page 0 ------------------------ */
#define SMMU_IDR0		0x00
#define  IDR0_ST_LEVEL		GENMASK(28, 27)	/* 1: 2-level stream table */
#define  IDR0_TERM_MODEL	BIT(26)
#define  IDR0_STALL_MODEL	GENMASK(25, 24)
#define  IDR0_TTENDIAN		GENMASK(22, 21)
#define  IDR0_VMID16		BIT(18)
#define  IDR0_MSI		BIT(13)
#define  IDR0_ASID16		BIT(12)
#define  IDR0_ATS		BIT(10)
#define  IDR0_HTTU		GENMASK(7, 6)
#define  IDR0_COHACC		BIT(4)
#define  IDR0_TTF		GENMASK(3, 2)	/* bit 1 of it: AArch64 */
#define  IDR0_S1P		BIT(1)
#define  IDR0_S2P		BIT(0)
#define SMMU_IDR1		0x04
#define  IDR1_TABLES_PRESET	BIT(30)
#define  IDR1_QUEUES_PRESET	BIT(29)
#define  IDR1_CMDQS		GENMASK(25, 21)
#define  IDR1_EVTQS		GENMASK(20, 16)
#define  IDR1_SSIDSIZE		GENMASK(10, 6)
#define  IDR1_SIDSIZE		GENMASK(5, 0)
#define SMMU_IDR2		0x08
#define SMMU_IDR3		0x0c
#define  IDR3_RIL		BIT(10)		/* range invalidation */
#define SMMU_IDR4		0x10
#define SMMU_IDR5		0x14
#define  IDR5_VAX		GENMASK(11, 10)
#define  IDR5_GRAN64K		BIT(6)
#define  IDR5_GRAN16K		BIT(5)
#define  IDR5_GRAN4K		BIT(4)
#define  IDR5_OAS		GENMASK(2, 0)
#define SMMU_IIDR		0x18
#define SMMU_AIDR		0x1c
#define SMMU_CR0		0x20
#define  CR0_CMDQEN		BIT(3)
#define  CR0_EVTQEN		BIT(2)
#define  CR0_SMMUEN		BIT(0)
#define SMMU_CR0ACK		0x24
#define SMMU_CR1		0x28
#define SMMU_CR2		0x2c
#define  CR2_PTM		BIT(2)		/* private TLB maintenance */
#define  CR2_RECINVSID		BIT(1)		/* record C_BAD_STREAMID */
#define SMMU_GBPA		0x44
#define SMMU_IRQ_CTRL		0x50
#define  IRQ_CTRL_EVTQ_IRQEN	BIT(2)
#define  IRQ_CTRL_GERROR_IRQEN	BIT(0)
#define SMMU_IRQ_CTRLACK	0x54
#define SMMU_GERROR		0x60
#define  GERROR_CMDQ_ERR	BIT(0)
#define  GERROR_EVTQ_ABT_ERR	BIT(2)
#define SMMU_GERRORN		0x64
#define SMMU_STRTAB_BASE	0x80
#define  STRTAB_BASE_RA		BIT_ULL(62)
#define  STRTAB_BASE_ADDR	GENMASK_ULL(51, 6)
#define SMMU_STRTAB_BASE_CFG	0x88
#define  STRTAB_CFG_FMT		GENMASK(17, 16)	/* 0 linear, 1 2-level */
#define  STRTAB_CFG_SPLIT	GENMASK(10, 6)
#define  STRTAB_CFG_LOG2SIZE	GENMASK(5, 0)
#define SMMU_CMDQ_BASE		0x90
#define SMMU_CMDQ_PROD		0x98
#define SMMU_CMDQ_CONS		0x9c
#define  CMDQ_CONS_ERR		GENMASK(30, 24)
#define SMMU_EVTQ_BASE		0xa0
/* page 1 (offset 0x10000) */
#define SMMU_EVTQ_PROD		0xa8
#define SMMU_EVTQ_CONS		0xac
#define  Q_OVF			BIT(31)
#define  Q_BASE_RA		BIT_ULL(62)	/* RA (cmdq) / WA (evtq) */
#define  Q_BASE_ADDR		GENMASK_ULL(51, 5)
#define  Q_BASE_LOG2SIZE	GENMASK_ULL(4, 0)

/* CR1 (6.3.10): queues and tables Inner Shareable, Write-Back cacheable */
#define SMMU_CR1_WB_IS		(3 << 10 | 1 << 8 | 1 << 6 | 3 << 4 | 1 << 2 | 1)

/* --- stream table (5.2 STE, 5.1 level-1 descriptor) -------------------- */
#define STE_DWORDS		8
#define STE_V			BIT_ULL(0)
#define STE_CONFIG		GENMASK_ULL(3, 1)
#define  STE_CFG_ABORT		0
#define  STE_CFG_BYPASS		4
#define  STE_CFG_S1		5
#define STE_S1CTXPTR		GENMASK_ULL(51, 6)
/* dword 1 */
#define STE1_S1CIR		GENMASK_ULL(3, 2)
#define STE1_S1COR		GENMASK_ULL(5, 4)
#define STE1_S1CSH		GENMASK_ULL(7, 6)
#define STE1_SHCFG		GENMASK_ULL(45, 44)
#define L1STD_SPAN		GENMASK_ULL(4, 0)
#define L1STD_L2PTR		GENMASK_ULL(51, 6)
#define SMMU_STRTAB_SPLIT	8		/* 256 STEs per level-2 table */

/* --- context descriptor (5.4 CD) --------------------------------------- */
#define CD_DWORDS		8
#define CD0_T0SZ		GENMASK_ULL(5, 0)
#define CD0_TG0			GENMASK_ULL(7, 6)	/* 0: 4 KiB */
#define CD0_IRGN0		GENMASK_ULL(9, 8)
#define CD0_ORGN0		GENMASK_ULL(11, 10)
#define CD0_SH0			GENMASK_ULL(13, 12)
#define CD0_EPD0		BIT_ULL(14)
#define CD0_TG1			GENMASK_ULL(23, 22)	/* 2: 4 KiB */
#define CD0_EPD1		BIT_ULL(30)
#define CD0_V			BIT_ULL(31)
#define CD0_IPS			GENMASK_ULL(34, 32)
#define CD0_AFFD		BIT_ULL(35)
#define CD0_AA64		BIT_ULL(41)
#define CD0_R			BIT_ULL(45)	/* record faults */
#define CD0_A			BIT_ULL(46)	/* abort (not stall) on fault */
#define CD0_ASET		BIT_ULL(47)	/* ASID not shared with a PE */
#define CD0_ASID		GENMASK_ULL(63, 48)
#define CD1_TTB0		GENMASK_ULL(51, 4)

/* --- commands (4.1-4.7) ------------------------------------------------- */
#define CMD_OPCODE		GENMASK_ULL(7, 0)
#define CMD_CFGI_STE		0x03
#define CMD_CFGI_ALL		0x04
#define CMD_CFGI_CD		0x05
#define CMD_TLBI_NH_ASID	0x11
#define CMD_TLBI_NH_VA		0x12
#define CMD_TLBI_NSNH_ALL	0x30
#define CMD_SYNC		0x46
#define CMD0_SID		GENMASK_ULL(63, 32)
#define CMD0_SSID		GENMASK_ULL(31, 12)
#define CMD1_LEAF		BIT_ULL(0)
#define CMD1_RANGE		GENMASK_ULL(4, 0)
#define CMD0_NUM		GENMASK_ULL(16, 12)
#define CMD0_SCALE		GENMASK_ULL(24, 20)
#define CMD0_ASID		GENMASK_ULL(63, 48)
#define CMD1_TTL		GENMASK_ULL(9, 8)
#define CMD1_TG			GENMASK_ULL(11, 10)
#define CMD1_ADDR		GENMASK_ULL(63, 12)
#define CMD0_SYNC_CS		GENMASK_ULL(13, 12)	/* 0: no signal */
#define CMDQ_ENT_DWORDS		2
#define EVTQ_ENT_DWORDS		4

/* --- events (7.3) ------------------------------------------------------- */
#define EVT0_ID			GENMASK_ULL(7, 0)
#define EVT0_SID		GENMASK_ULL(63, 32)
#define EVT1_RNW		BIT_ULL(35)

/**
 * struct smmu_queue - a command or event queue (3.5)
 * @base: entries, @ent_dwords 64-bit words each
 * @dma: bus address of @base
 * @log2: log2 of the number of entries
 * @ent_dwords: 64-bit words per entry
 * @prod: producer index with the wrap bit (bit @log2), as last written or
 *	read
 * @cons: consumer index with the wrap bit
 * @prod_reg: MMIO address of the PROD register
 * @cons_reg: MMIO address of the CONS register
 */
struct smmu_queue {
	__le64 *base;
	dma_addr_t dma;
	unsigned int log2;
	unsigned int ent_dwords;
	u32 prod;
	u32 cons;
	void __iomem *prod_reg;
	void __iomem *cons_reg;
};

/**
 * struct smmu_stats - command and event counters (debugfs "stats")
 */
struct smmu_stats {
	atomic64_t cmds;
	atomic64_t syncs;
	atomic64_t cfgi_ste;
	atomic64_t cfgi_cd;
	atomic64_t tlbi_va;
	atomic64_t tlbi_asid;
	atomic64_t tlbi_bytes;
	atomic64_t events;
	atomic64_t gerrors;
	atomic64_t cmd_errors;
};

/**
 * struct smmu_saved - registers as they were when the driver took the unit
 */
struct smmu_saved {
	u32 cr0, cr1, cr2, irq_ctrl, strtab_cfg;
	u64 strtab_base, cmdq_base, evtq_base;
	u32 cmdq_prod, cmdq_cons, evtq_prod, evtq_cons;
};

/**
 * struct smmu_unit - one SMMUv3
 * @iommu: registration with the xiommu core
 * @dev: the platform device
 * @base: register page 0
 * @page1: register page 1 (EVTQ_PROD/CONS), page 0 if the region has one
 *	page only
 * @idr: IDR0..IDR5 as read at probe
 * @iidr: SMMU_IIDR
 * @aidr: SMMU_AIDR
 * @sid_bits: stream ID bits used (IDR1.SIDSIZE)
 * @asid_bits: 16 or 8 (IDR0.ASID16)
 * @ias: input address bits of stage-1 tables (48, IDR5.VAX ignored)
 * @oas: output address bits (IDR5.OAS, at most 48)
 * @ril: range invalidation (IDR3.RIL)
 * @pgsize_bitmap: 4K | 2M | 1G (IDR5.GRAN4K is required)
 * @saved: registers at load, restored at unload
 * @cmdq: command queue, protected by @cmdq_lock
 * @evtq: event queue, consumed under @evtq_lock
 * @evtq_lock: serialises event queue consumers
 * @cmdq_lock: serialises command submission (spinlock: map_pages may call
 *	into the format's flush_walk in atomic context)
 * @two_level: 2-level stream table (IDR0.ST_LEVEL, SIDSIZE > SPLIT)
 * @strtab: linear stream table (STEs) or level-1 descriptors
 * @strtab_dma: its bus address
 * @strtab_size: its size in bytes
 * @l2: level-2 tables (2-level), NULL until a stream in their span shows up
 * @l2_dma: their bus addresses
 * @block_cd: the blocking domain's CD (both translation table walks
 *	disabled: every access is a recorded translation fault), ASID 0
 * @block_cd_dma: its bus address
 * @ste_lock: serialises STE and level-1 descriptor writes
 * @asid_ida: ASIDs of the unit's paging domains (1..2^asid_bits - 1)
 * @dev_lock: protects @devices
 * @devices: struct smmu_master of the endpoints, under @dev_lock
 * @dom_lock: protects @domains
 * @domains: struct smmu_domain of the unit, under @dom_lock
 * @evtq_irq: wired event queue interrupt (or < 0: polled)
 * @gerror_irq: wired global error interrupt (or < 0)
 * @poll: event poll when no interrupt is wired
 * @stats: counters
 * @list: link in smmu_units
 * @registered: xiommu_device_register() done
 * @dying: unloading: release_device leaves STEs alone
 */
/*
 * The MSI doorbell: MSIs are memory writes that go through the SMMU, and
 * the kernel's IOMMU layer (which would remap them, iommu_dma_prepare_msi())
 * is off for the devices we manage, so the kernel programs devices with the
 * doorbell's physical address. Every paging domain maps the doorbell page
 * at IOVA == PA and the core reserves that IOVA (XIOMMU_RESV_MSI), so a
 * device given to user space can still signal its interrupts.
 */
#define SMMU_MAX_MSI_WINDOWS	4

struct smmu_msi_window {
	phys_addr_t base;
	size_t size;
};

struct smmu_unit {
	struct xiommu_device iommu;
	struct device *dev;
	void __iomem *base;
	void __iomem *page1;
	u32 idr[6];
	u32 iidr;
	u32 aidr;
	unsigned int sid_bits;
	unsigned int asid_bits;
	unsigned int ias;
	unsigned int oas;
	bool ril;
	unsigned long pgsize_bitmap;
	struct smmu_saved saved;
	struct smmu_queue cmdq;
	struct smmu_queue evtq;
	struct mutex evtq_lock;
	spinlock_t cmdq_lock;
	bool two_level;
	__le64 *strtab;
	dma_addr_t strtab_dma;
	size_t strtab_size;
	__le64 **l2;
	dma_addr_t *l2_dma;
	__le64 *block_cd;
	dma_addr_t block_cd_dma;
	struct mutex ste_lock;
	struct ida asid_ida;
	struct mutex dev_lock;
	struct list_head devices;
	struct mutex dom_lock;
	struct list_head domains;
	int evtq_irq;
	int gerror_irq;
	struct delayed_work poll;
	struct smmu_stats stats;
	struct list_head list;
	bool registered;
	bool dying;
	struct smmu_msi_window msi[SMMU_MAX_MSI_WINDOWS];
	unsigned int nr_msi;
};

static inline struct smmu_unit *to_smmu_unit(struct xiommu_device *iommu)
{
	return container_of(iommu, struct smmu_unit, iommu);
}

/**
 * struct smmu_domain - a paging domain: one CD, one stage-1 table, one ASID
 * @domain: the core's view
 * @unit: the unit it was allocated for
 * @pgt: the translation table
 * @asid: ASID tagging its TLB entries
 * @cd: its context descriptor (CD_DWORDS), written once at allocation
 * @cd_dma: bus address of @cd
 * @faults: translation faults of streams attached to it
 * @node: link in unit->domains
 */
struct smmu_domain {
	struct xiommu_domain domain;
	struct smmu_unit *unit;
	struct smmu_pgtable *pgt;
	u16 asid;
	__le64 *cd;
	dma_addr_t cd_dma;
	atomic64_t faults;
	struct list_head node;
};

static inline struct smmu_domain *to_smmu_domain(struct xiommu_domain *domain)
{
	return container_of(domain, struct smmu_domain, domain);
}

/**
 * struct smmu_master - an endpoint of a unit
 * @dev: the device
 * @unit: its unit
 * @domain: the domain its STEs point to now (NULL before the first attach)
 * @node: link in unit->devices
 * @nr_sids: number of @sids
 * @sids: stream IDs its DMA may carry (own requester ID and aliases,
 *	through the host bridge's iommu-map)
 */
struct smmu_master {
	struct device *dev;
	struct smmu_unit *unit;
	struct xiommu_domain *domain;
	struct list_head node;
	unsigned int nr_sids;
	u32 sids[];
};

extern const struct xiommu_ops smmu_ops;
extern struct xiommu_domain smmu_identity_domain;
extern struct xiommu_domain smmu_blocked_domain;

/* cmdq.c */
int smmu_cmdq_init(struct smmu_unit *unit);
int smmu_cmdq_issue(struct smmu_unit *unit, u64 cmds[][2],
		    unsigned int n, bool sync);
int smmu_sync(struct smmu_unit *unit);
void smmu_tlbi_range(struct smmu_unit *unit, u16 asid, unsigned long iova,
		     size_t size, bool leaf);
void smmu_tlbi_asid(struct smmu_unit *unit, u16 asid);
int smmu_evtq_init(struct smmu_unit *unit);
void smmu_evtq_process(struct smmu_unit *unit);
void smmu_gerror_process(struct smmu_unit *unit);

/* strtab.c */
int smmu_strtab_init(struct smmu_unit *unit);
void smmu_strtab_free(struct smmu_unit *unit);
int smmu_strtab_prepare(struct smmu_unit *unit, u32 sid);
int smmu_ste_write(struct smmu_unit *unit, u32 sid, u64 dw0);
u64 smmu_ste_read(struct smmu_unit *unit, u32 sid);

/* domain.c */
int smmu_block_cd_init(struct smmu_unit *unit);
struct smmu_master *smmu_master_find(struct device *dev);
struct xiommu_domain *smmu_domain_alloc_paging(struct device *dev, u32 flags);
void smmu_find_msi_windows(struct smmu_unit *unit);
void smmu_domains_show(struct smmu_unit *unit, struct seq_file *s, bool dump);
void smmu_report_event(struct smmu_unit *unit, u32 sid, u64 iova, bool write,
		       const char *reason);

/* debugfs.c */
void smmu_debugfs_init(struct smmu_unit *unit);

#endif /* XIOMMU_SMMU_H */
