/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xiommu Intel VT-d driver: shared definitions.
 *
 * Section numbers refer to the Intel Virtualization Technology for Directed
 * I/O Architecture Specification, rev 4.x ("VT-d spec"); titles are given
 * too, since chapters were renumbered between revisions (registers were
 * chapter 10 in rev 3.x). The ACPI DMAR table layout is chapter 8.
 *
 * Files:
 *   main.c     module init/exit, the xiommu_ops table, probe/release
 *   dmar.c     ACPI DMAR table: DRHD units, device scopes, RMRRs, ATSRs
 *   unit.c     one DMA-remapping unit: registers, translation
 *              enable/disable, fault polling
 *   inv.c      invalidation: queued (6.5.2) or register-based (6.5.1),
 *              IOTLB range decomposition, counters
 *   context.c  root and context tables, legacy and scalable mode, and the
 *              scalable-mode PASID directory/table of each requester ID
 *   domain.c   identity, blocking and paging domains
 *   pgtable.c  the second-level page-table format (no registers here)
 *   debugfs.c  /sys/kernel/debug/xiommu/dmarN/ files
 *
 * A unit runs in scalable mode (RTADDR.TTM = 01b) when it reports
 * ECAP.SMTS, ECAP.SLTS and queued invalidation, else in legacy mode
 * (TTM = 00b). It invalidates through the queue when ECAP.QI, else
 * through registers. Module parameters can force the simpler variants.
 */
#ifndef XIOMMU_VTD_H
#define XIOMMU_VTD_H

#include <linux/bits.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <xiommu/driver.h>

#include "pgtable.h"

/* --- Registers (VT-d spec 11.4, "Register Descriptions") ---------------- */

#define VTD_REG_VER		0x000	/* 11.4.1 Version */
#define VTD_REG_CAP		0x008	/* 11.4.2 Capability */
#define VTD_REG_ECAP		0x010	/* 11.4.3 Extended Capability */
#define VTD_REG_GCMD		0x018	/* 11.4.4 Global Command */
#define VTD_REG_GSTS		0x01c	/* 11.4.5 Global Status */
#define VTD_REG_RTADDR		0x020	/* 11.4.6 Root Table Address */
#define VTD_REG_CCMD		0x028	/* 11.4.7 Context Command */
#define VTD_REG_FSTS		0x034	/* 11.4.9 Fault Status */
#define VTD_REG_FECTL		0x038	/* 11.4.10 Fault Event Control */
/* Queued-invalidation registers (11.4, "Invalidation Queue ... Register") */
#define VTD_REG_IQH		0x080	/* Invalidation Queue Head */
#define VTD_REG_IQT		0x088	/* Invalidation Queue Tail */
#define VTD_REG_IQA		0x090	/* Invalidation Queue Address */
#define VTD_REG_ICS		0x09c	/* Invalidation Completion Status */
#define VTD_REG_IECTL		0x0a0	/* Invalidation Event Control */
/* IVA and IOTLB registers sit at ECAP.IRO (11.4.8.1, 11.4.8.2). */
#define VTD_REG_IVA_OFF		0x0
#define VTD_REG_IOTLB_OFF	0x8
/* Fault recording registers sit at CAP.FRO, 16 bytes each (11.4.14). */
#define VTD_FRCD_LEN		16

/* Capability register (11.4.2) */
#define VTD_CAP_ND		GENMASK_ULL(2, 0)	/* number of domains */
#define VTD_CAP_RWBF		BIT_ULL(4)	/* write-buffer flush needed */
#define VTD_CAP_CM		BIT_ULL(7)	/* caching mode */
#define VTD_CAP_SAGAW		GENMASK_ULL(12, 8)
#define VTD_CAP_MGAW		GENMASK_ULL(21, 16)
#define VTD_CAP_FRO		GENMASK_ULL(33, 24)	/* x16 bytes */
#define VTD_CAP_SLLPS		GENMASK_ULL(37, 34)	/* bit0 2M, bit1 1G */
#define VTD_CAP_PSI		BIT_ULL(39)	/* page-selective inval. */
#define VTD_CAP_NFR		GENMASK_ULL(47, 40)	/* records - 1 */
#define VTD_CAP_MAMV		GENMASK_ULL(53, 48)	/* max PSI mask */
#define VTD_CAP_DWD		BIT_ULL(54)	/* drain writes */
#define VTD_CAP_DRD		BIT_ULL(55)	/* drain reads */

/* Extended capability register (11.4.3) */
#define VTD_ECAP_C		BIT_ULL(0)	/* coherent page walks */
#define VTD_ECAP_QI		BIT_ULL(1)	/* queued invalidation */
#define VTD_ECAP_DT		BIT_ULL(2)	/* device TLBs */
#define VTD_ECAP_IR		BIT_ULL(3)	/* interrupt remapping */
#define VTD_ECAP_PT		BIT_ULL(6)	/* pass-through */
#define VTD_ECAP_SC		BIT_ULL(7)	/* snoop control */
#define VTD_ECAP_IRO		GENMASK_ULL(17, 8)	/* x16 bytes */
#define VTD_ECAP_SMTS		BIT_ULL(43)	/* scalable mode */
#define VTD_ECAP_SLTS		BIT_ULL(46)	/* second-level translation */

/* Global command / status (11.4.4, 11.4.5); same bit positions. */
#define VTD_GCMD_TE		BIT(31)	/* translation enable */
#define VTD_GCMD_SRTP		BIT(30)	/* set root table pointer */
#define VTD_GCMD_WBF		BIT(27)	/* write-buffer flush */
#define VTD_GCMD_QIE		BIT(26)	/* queued invalidation enable */
#define VTD_GCMD_IRE		BIT(25)	/* interrupt remapping enable */
/*
 * GSTS bits that are one-shot commands (SRTP, SFL, WBF, SIRTP): masked out
 * when GSTS is read back to build the next GCMD write, so that setting one
 * command never re-issues another (11.4.4, the software sequence example).
 */
#define VTD_GSTS_PERSIST_MASK	0x96ffffffU

/* Root table address (11.4.6): TTM bits 11:10, 00b legacy, 01b scalable. */
#define VTD_RTADDR_TTM		GENMASK_ULL(11, 10)
#define VTD_RTADDR_TTM_LEGACY	0
#define VTD_RTADDR_TTM_SCALABLE	1

/* Invalidation queue register fields */
#define VTD_IQA_QS		GENMASK_ULL(2, 0)	/* 2^QS 4 KiB pages */
#define VTD_IQA_DW		BIT_ULL(11)	/* 256-bit descriptors */
#define VTD_IQA_ADDR		GENMASK_ULL(63, 12)
#define VTD_FSTS_IQE		BIT(4)	/* invalidation queue error, RW1C */
#define VTD_FSTS_ITE		BIT(6)	/* invalidation time-out error */
#define VTD_IECTL_IM		BIT(31)	/* completion interrupt mask */

/* Context command (11.4.7) */
#define VTD_CCMD_ICC		BIT_ULL(63)
#define VTD_CCMD_CIRG		GENMASK_ULL(62, 61)
#define VTD_CCMD_CAIG		GENMASK_ULL(60, 59)
#define VTD_CCMD_FM		GENMASK_ULL(33, 32)
#define VTD_CCMD_SID		GENMASK_ULL(31, 16)
#define VTD_CCMD_DID		GENMASK_ULL(15, 0)
#define VTD_CCMD_GLOBAL		1
#define VTD_CCMD_DOMAIN		2
#define VTD_CCMD_DEVICE		3

/* IOTLB invalidate (11.4.8.1) and invalidate address (11.4.8.2) */
#define VTD_IOTLB_IVT		BIT_ULL(63)
#define VTD_IOTLB_IIRG		GENMASK_ULL(61, 60)
#define VTD_IOTLB_IAIG		GENMASK_ULL(58, 57)
#define VTD_IOTLB_DR		BIT_ULL(49)
#define VTD_IOTLB_DW		BIT_ULL(48)
#define VTD_IOTLB_DID		GENMASK_ULL(47, 32)
#define VTD_IOTLB_GLOBAL	1
#define VTD_IOTLB_DOMAIN	2
#define VTD_IOTLB_PAGE		3
#define VTD_IVA_IH		BIT_ULL(6)	/* leaf-only hint */
#define VTD_IVA_AM		GENMASK_ULL(5, 0)

/* Fault status (11.4.9), fault event control (11.4.10) */
#define VTD_FSTS_PFO		BIT(0)	/* primary fault overflow, RW1C */
#define VTD_FSTS_PPF		BIT(1)	/* primary pending fault, RO */
#define VTD_FSTS_FRI		GENMASK(15, 8)	/* first record index */
#define VTD_FECTL_IM		BIT(31)	/* interrupt mask */

/* Fault recording register, upper 64 bits (11.4.14, 9.9 Fault Record) */
#define VTD_FRCD_HI_F		BIT_ULL(63)	/* fault, RW1C */
#define VTD_FRCD_HI_T		BIT_ULL(62)	/* 1: read, 0: write */
#define VTD_FRCD_HI_FR		GENMASK_ULL(39, 32)	/* reason */
#define VTD_FRCD_HI_SID		GENMASK_ULL(15, 0)
#define VTD_FRCD_LO_FI		GENMASK_ULL(63, 12)	/* fault address */

/* --- Root and context entries (9.1, 9.3), legacy mode ------------------ */
/* Scalable mode: 9.2 root entry, 9.4 context entry, 9.5/9.6 PASID tables. */

/**
 * struct vtd_ctx_entry - a 128-bit root or legacy context entry
 * @lo: bits 63:0 (present, fault-processing disable, translation type,
 *	table pointer)
 * @hi: bits 127:64 (address width, domain id)
 *
 * 16-byte aligned in its table so both halves can be swapped with one
 * CMPXCHG16B (context.c).
 */
struct vtd_ctx_entry {
	u64 lo;
	u64 hi;
} __aligned(16);

#define VTD_ENTRY_P		BIT_ULL(0)
#define VTD_ENTRY_ADDR		GENMASK_ULL(63, 12)
#define VTD_CTX_LO_FPD		BIT_ULL(1)
#define VTD_CTX_LO_TT		GENMASK_ULL(3, 2)
#define VTD_CTX_TT_SLPT		0	/* untranslated requests, SL tables */
#define VTD_CTX_TT_PT		2	/* pass-through */
#define VTD_CTX_HI_AW		GENMASK_ULL(2, 0)
#define VTD_CTX_HI_DID		GENMASK_ULL(23, 8)

#define VTD_NR_BUSES		256
#define VTD_NR_DEVFNS		256

/*
 * Scalable-mode root entry (9.2): the low half points to the context table
 * of devfn 0-127, the high half to that of devfn 128-255, each with its
 * own present bit. A scalable-mode context entry (9.4) is 256 bits, so a
 * 4 KiB table holds 128 of them.
 */
#define VTD_SM_CTX_PER_TABLE	128

/**
 * struct vtd_sm_ctx_entry - a 256-bit scalable-mode context entry (9.4)
 * @qw: qw[0]: present, FPD, DTE, PASIDE, PRE, PDTS, PASID directory
 *	pointer; qw[1]: RID_PASID, RID_PRIV; qw[2..3]: reserved (0)
 */
struct vtd_sm_ctx_entry {
	u64 qw[4];
} __aligned(32);

#define VTD_SMCTX_PDTS		GENMASK_ULL(11, 9)	/* 2^(PDTS+7) dir entries */
#define VTD_SMCTX_RID_PASID	GENMASK_ULL(19, 0)

/* PASID directory entry (9.5): present, FPD, PASID table pointer. */
#define VTD_PASID_DIR_ENTRIES	128	/* PDTS = 0: PASIDs 0..8191 */
#define VTD_PASID_PER_TABLE	64	/* 64-byte entries in 4 KiB */

/**
 * struct vtd_pasid_entry - a 512-bit scalable-mode PASID table entry (9.6)
 * @qw: qw[0]: present, FPD, AW, SLEE, PGTT, SLADE, second-level table
 *	pointer; qw[1]: domain id, PWSNP, PGSNP, ...; qw[2..7]: first-level
 *	and other fields, 0 here. qw[0] and qw[1] (everything we change)
 *	share one 16-byte aligned block, so CMPXCHG16B swaps them at once.
 */
struct vtd_pasid_entry {
	u64 qw[8];
} __aligned(64);

#define VTD_PE_AW		GENMASK_ULL(4, 2)
#define VTD_PE_PGTT		GENMASK_ULL(8, 6)
#define VTD_PE_PGTT_SL		2	/* second-level only */
#define VTD_PE_PGTT_PT		4	/* pass-through */
#define VTD_PE_DID		GENMASK_ULL(15, 0)

/* The PASID that carries requests without a PASID (RID_PASID). */
#define VTD_RID_PASID		0

/**
 * struct vtd_pasid_dir - scalable-mode PASID structures of one requester ID
 * @dir: PASID directory (one page, VTD_PASID_DIR_ENTRIES used)
 * @table: the PASID table of PASIDs 0..63 (entry 0 is RID_PASID)
 *
 * Allocated when the requester ID first gets a context entry and kept
 * until the unit is torn down; the context entry keeps pointing at @dir.
 */
struct vtd_pasid_dir {
	u64 *dir;
	struct vtd_pasid_entry *table;
};

/**
 * enum vtd_ctx_type - what a requester ID's translation is set to
 * @VTD_CTX_BLOCKED: no DMA (context entry, or in scalable mode the
 *	RID_PASID entry, not present)
 * @VTD_CTX_PASSTHROUGH: untranslated (legacy TT = 10b, scalable PGTT = 100b)
 * @VTD_CTX_SECOND_LEVEL: second-level table (legacy TT = 00b, PGTT = 010b)
 */
enum vtd_ctx_type {
	VTD_CTX_BLOCKED,
	VTD_CTX_PASSTHROUGH,
	VTD_CTX_SECOND_LEVEL,
};

/**
 * struct vtd_ctx_cfg - the translation vtd_ctx_set() programs
 * @type: enum vtd_ctx_type
 * @did: domain id (not blocked)
 * @root: physical address of the second-level table (second level only)
 */
struct vtd_ctx_cfg {
	enum vtd_ctx_type type;
	u16 did;
	phys_addr_t root;
};

/* --- Queued invalidation (6.5.2) ----------------------------------------- */

/* Descriptor types (low 4 bits of the first quadword). */
#define VTD_DESC_CC		0x1	/* 6.5.2.1 context-cache */
#define VTD_DESC_IOTLB		0x2	/* 6.5.2.3 IOTLB */
#define VTD_DESC_WAIT		0x5	/* 6.5.2.8 invalidation wait */
#define VTD_DESC_PC		0x7	/* 6.5.2.2 PASID-cache */
#define VTD_DESC_TYPE		GENMASK_ULL(3, 0)
#define VTD_DESC_G		GENMASK_ULL(5, 4)	/* granularity */
#define VTD_DESC_DID		GENMASK_ULL(31, 16)
#define VTD_DESC_CC_SID		GENMASK_ULL(47, 32)
#define VTD_DESC_CC_FM		GENMASK_ULL(49, 48)
#define VTD_DESC_IOTLB_DW	BIT_ULL(6)
#define VTD_DESC_IOTLB_DR	BIT_ULL(7)
#define VTD_DESC_IOTLB_AM	GENMASK_ULL(5, 0)	/* second quadword */
#define VTD_DESC_IOTLB_IH	BIT_ULL(6)		/* second quadword */
#define VTD_DESC_PC_PASID	GENMASK_ULL(51, 32)
#define VTD_DESC_PC_DOMAIN	0	/* PASID-cache granularities */
#define VTD_DESC_PC_PASID_SEL	1
#define VTD_DESC_PC_GLOBAL	3
#define VTD_DESC_WAIT_SW	BIT_ULL(5)	/* status write */
#define VTD_DESC_WAIT_FN	BIT_ULL(6)	/* fence */
#define VTD_DESC_WAIT_DATA	GENMASK_ULL(63, 32)

/* Descriptors one vtd_inv_batch holds before it is submitted. */
#define VTD_INV_BATCH		16
/* At most this many page-selective descriptors for one IOVA range. */
#define VTD_PSI_MAX		8

/**
 * struct vtd_inv_desc - one 128-bit invalidation descriptor (the upper
 * 128 bits of a 256-bit descriptor are 0 for every type we use)
 * @qw0: first quadword
 * @qw1: second quadword
 */
struct vtd_inv_desc {
	u64 qw0;
	u64 qw1;
};

/**
 * struct vtd_inv_batch - invalidations to issue together
 * @n: descriptors in @desc
 * @rc: first error of an earlier (automatic) submit, 0 if none
 * @hw_ops: what the hardware was asked to do, for the counters: queued
 *	descriptors (the wait included) or register writes
 * @desc: the descriptors
 *
 * Build on the stack with vtd_inv_batch_init() and the vtd_inv_add_*()
 * helpers, then vtd_inv_submit(): one invalidation-wait descriptor covers
 * the whole batch on the queue.
 */
struct vtd_inv_batch {
	unsigned int n;
	int rc;
	unsigned int hw_ops;
	struct vtd_inv_desc desc[VTD_INV_BATCH];
};

/**
 * struct vtd_qi - one unit's invalidation queue
 * @base: the queue (one 4 KiB page, IQA.QS = 0)
 * @entries: descriptor slots (256 of 128 bits or 128 of 256 bits)
 * @wide: 256-bit descriptors (IQA.DW; required in scalable mode)
 * @tail: next free slot (software copy of IQT)
 * @status: dword the wait descriptors write (status write, 6.5.2.8)
 * @seq: value the next wait descriptor writes to @status
 */
struct vtd_qi {
	void *base;
	unsigned int entries;
	bool wide;
	unsigned int tail;
	u32 *status;
	u32 seq;
};

/**
 * struct vtd_stats - invalidation and unmap counters (debugfs "stats")
 * @qi_desc: descriptors queued, waits included
 * @qi_wait: invalidation-wait descriptors queued
 * @reg_writes: register writes issued for register-based invalidation
 * @cc: context-cache invalidations
 * @pc: PASID-cache invalidations
 * @iotlb_psi: page-selective IOTLB invalidations
 * @iotlb_dsi: domain-selective IOTLB invalidations
 * @iotlb_gsi: global IOTLB invalidations
 * @unmap_bytes: bytes of IOPTEs cleared by unmap_pages
 * @unmap_syncs: iotlb_sync calls
 * @unmap_hw_ops: descriptors (or register writes) iotlb_sync issued
 * @map_bytes: bytes mapped by map_pages
 * @map_hw_ops: descriptors (or register writes) map_pages issued (caching
 *	mode only)
 */
struct vtd_stats {
	atomic64_t qi_desc;
	atomic64_t qi_wait;
	atomic64_t reg_writes;
	atomic64_t cc;
	atomic64_t pc;
	atomic64_t iotlb_psi;
	atomic64_t iotlb_dsi;
	atomic64_t iotlb_gsi;
	atomic64_t unmap_bytes;
	atomic64_t unmap_syncs;
	atomic64_t unmap_hw_ops;
	atomic64_t map_bytes;
	atomic64_t map_hw_ops;
};

/*
 * Domain id 0 is never handed out: with caching mode it tags cached
 * not-present entries (6.1 "Caching Mode"), so we keep it reserved always.
 */
#define VTD_DID_RESERVED	0

/* Register-based invalidation completion timeout (microseconds). */
#define VTD_INV_TIMEOUT_US	1000000
/* Fault recording registers are polled this often (ms), see unit.c. */
#define VTD_FAULT_POLL_MS	50

struct vtd_drhd;

/**
 * struct vtd_unit - one DMA-remapping hardware unit (one DRHD)
 * @iommu: what the xiommu core sees
 * @drhd: the unit's DMAR table entry (segment, scopes)
 * @seq: N of "dmarN"
 * @reg: mapped register set
 * @reg_phys: physical base of the register set
 * @reg_size: bytes mapped
 * @reg_requested: we own the request_mem_region() of the registers
 * @ver: VER register
 * @cap: CAP register
 * @ecap: ECAP register
 * @iro: byte offset of the IVA/IOTLB register pair (ECAP.IRO)
 * @fro: byte offset of the first fault recording register (CAP.FRO)
 * @nfr: number of fault recording registers (CAP.NFR + 1)
 * @levels: page-table levels every context entry of the unit uses (the
 *	largest supported in CAP.SAGAW; also the AW of pass-through entries)
 * @ias: IOVA bits paging domains translate (min(MGAW, levels' width))
 * @oas: host address width from the DMAR table (bits)
 * @pgsize_bitmap: 4 KiB plus the superpage sizes of CAP.SLLPS
 * @sm: scalable mode (RTADDR.TTM = 01b), else legacy mode
 * @qi: the invalidation queue is in use (else register-based)
 * @queue: the invalidation queue (when @qi)
 * @saved_rtaddr: RTADDR as found at load, written back at unload
 * @saved_fectl: FECTL as found at load, written back at unload
 * @saved_iqa: IQA as found at load, written back at unload
 * @reg_lock: serialises register command sequences (GCMD + GSTS poll,
 *	CCMD, IVA + IOTLB) and fault record handling; innermost lock, taken
 *	with interrupts off (invalidations may be issued from any context)
 * @ctx_mutex: protects @root, @ctx and every context entry write + its
 *	invalidation; taken under the core's group mutex
 * @root: root table, 256 entries (one per bus)
 * @ctx: context tables, allocated on first attach on that bus: index
 *	bus * 2 (legacy, and scalable devfn 0-127) and bus * 2 + 1
 *	(scalable devfn 128-255)
 * @pasid_dirs: scalable mode: struct vtd_pasid_dir per requester ID
 * @did_ida: domain ids (1 .. number of domains - 1)
 * @identity_did: domain id tagging pass-through context entries
 * @dev_lock: protects @devices
 * @devices: struct vtd_dev of every probed endpoint
 * @dom_lock: protects @domains
 * @domains: live paging domains (for debugfs)
 * @fault_work: periodic fault-record poll
 * @faults_seen: fault records read so far
 * @fault_overflows: times FSTS.PFO was found set (records lost)
 * @stats: invalidation counters
 * @registered: the core knows the unit (xiommu_device_register() done)
 * @enabled: translation is on (GSTS.TES)
 * @dying: unit is being torn down: release_device leaves entries alone
 * @list: link in vtd_units
 *
 * Lock order: core group mutex -> @ctx_mutex -> @reg_lock;
 * @fault_lock -> @reg_lock, and @fault_lock -> @dev_lock;
 * @dev_lock is otherwise taken alone (it may call xiommu_report_fault(),
 * which takes a core spinlock); @dom_lock alone.
 */
struct vtd_unit {
	struct xiommu_device iommu;
	struct vtd_drhd *drhd;
	int seq;

	void __iomem *reg;
	phys_addr_t reg_phys;
	size_t reg_size;
	bool reg_requested;
	u32 ver;
	u64 cap;
	u64 ecap;
	unsigned int iro;
	unsigned int fro;
	unsigned int nfr;
	unsigned int levels;
	unsigned int ias;
	unsigned int oas;
	unsigned long pgsize_bitmap;
	bool sm;
	bool qi;
	struct vtd_qi queue;
	u64 saved_rtaddr;
	u32 saved_fectl;
	u64 saved_iqa;

	spinlock_t reg_lock;		/* register command sequences */
	struct mutex ctx_mutex;		/* root/context tables */
	struct vtd_ctx_entry *root;
	void *ctx[VTD_NR_BUSES * 2];
	struct xarray pasid_dirs;
	struct ida did_ida;
	u16 identity_did;

	struct mutex dev_lock;		/* @devices */
	struct list_head devices;
	struct mutex dom_lock;		/* @domains */
	struct list_head domains;

	struct delayed_work fault_work;
	/*
	 * Serialises vtd_fault_poll(): a poll that returns has counted every
	 * fault recorded before it began, even one another poller (the work)
	 * had already taken out of the registers but not yet reported.
	 */
	struct mutex fault_lock;
	atomic64_t faults_seen;
	atomic64_t fault_overflows;
	struct vtd_stats stats;

	bool registered;
	bool enabled;
	bool dying;
	struct list_head list;
};

static inline struct vtd_unit *to_vtd_unit(struct xiommu_device *iommu)
{
	return container_of(iommu, struct vtd_unit, iommu);
}

/**
 * struct vtd_dev - per-endpoint state
 * @node: link in vtd_unit.devices
 * @dev: the endpoint
 * @unit: the unit translating it
 * @nr_sids: entries in @sids
 * @sids: requester IDs the endpoint's DMA may carry: its own first, then
 *	its DMA aliases (quirks, bridges); each has a context entry
 */
struct vtd_dev {
	struct list_head node;
	struct device *dev;
	struct vtd_unit *unit;
	unsigned int nr_sids;
	u16 sids[];
};

/**
 * struct vtd_domain - a paging domain (second-level page table)
 * @domain: core view; domain.owner is &@unit->iommu
 * @unit: the unit whose context entries may point at the table (domains
 *	never cross units: the core's ops check)
 * @did: domain id on @unit, allocated with the domain
 * @pgt: the page table
 * @node: link in vtd_unit.domains, under vtd_unit.dom_lock
 * @faults: faults the unit reported for requester IDs attached to this
 *	domain (found by the domain id of their entry at poll time)
 */
struct vtd_domain {
	struct xiommu_domain domain;
	struct vtd_unit *unit;
	u16 did;
	struct vtd_pgtable *pgt;
	struct list_head node;
	atomic64_t faults;
};

static inline struct vtd_domain *to_vtd_domain(struct xiommu_domain *domain)
{
	return container_of(domain, struct vtd_domain, domain);
}

/* dmar.c */
/**
 * struct vtd_drhd - one DMA-remapping hardware unit definition (DMAR 8.3)
 * @list: link in the parsed-table list
 * @segment: PCI segment the unit serves
 * @include_all: INCLUDE_PCI_ALL: every device of @segment that no other
 *	DRHD lists
 * @reg_base: physical address of the register set
 * @reg_pages: 4 KiB pages of the register set as the table gives it
 *	(0: not given)
 * @scopes: device scopes (struct vtd_scope), empty if @include_all
 */
struct vtd_drhd {
	struct list_head list;
	u16 segment;
	bool include_all;
	u64 reg_base;
	unsigned int reg_pages;
	struct list_head scopes;
};

int vtd_dmar_parse(void);
void vtd_dmar_free(void);
struct list_head *vtd_dmar_drhds(void);
bool vtd_drhd_covers(struct vtd_drhd *drhd, struct pci_dev *pdev);
int vtd_dmar_haw(void);
void vtd_dmar_rmrr_regions(struct pci_dev *pdev, struct list_head *head);
void vtd_dmar_show(struct seq_file *s);

/* unit.c */
int vtd_unit_init(struct vtd_unit *unit, struct vtd_drhd *drhd, int seq);
void vtd_unit_destroy(struct vtd_unit *unit);
int vtd_unit_enable(struct vtd_unit *unit);
void vtd_unit_disable(struct vtd_unit *unit);
int vtd_gcmd(struct vtd_unit *unit, u32 bit, bool set);
void vtd_flush_write_buffer(struct vtd_unit *unit);
void vtd_flush_cpu_cache(struct vtd_unit *unit, void *addr, size_t size);

/* inv.c */
static inline void vtd_inv_batch_init(struct vtd_inv_batch *b)
{
	b->n = 0;
	b->rc = 0;
	b->hw_ops = 0;
}

void vtd_inv_add_context(struct vtd_unit *unit, struct vtd_inv_batch *b,
			 int granu, u16 did, u16 sid);
void vtd_inv_add_iotlb(struct vtd_unit *unit, struct vtd_inv_batch *b,
		       int granu, u16 did, u64 addr, unsigned int am);
void vtd_inv_add_pasid(struct vtd_unit *unit, struct vtd_inv_batch *b,
		       int granu, u16 did, u32 pasid);
void vtd_inv_add_range(struct vtd_unit *unit, struct vtd_inv_batch *b,
		       u16 did, unsigned long first, unsigned long last);
int vtd_inv_submit(struct vtd_unit *unit, struct vtd_inv_batch *b);
int vtd_flush_context(struct vtd_unit *unit, int granu, u16 did, u16 sid);
int vtd_flush_iotlb(struct vtd_unit *unit, int granu, u16 did);
int vtd_flush_range(struct vtd_unit *unit, u16 did, unsigned long first,
		    unsigned long last, unsigned int *hw_ops);
int vtd_qi_init(struct vtd_unit *unit);
void vtd_qi_free(struct vtd_unit *unit);
int vtd_qi_enable(struct vtd_unit *unit);
void vtd_qi_disable(struct vtd_unit *unit);
void vtd_stats_show(struct vtd_unit *unit, struct seq_file *s);
int vtd_fault_poll(struct vtd_unit *unit);
void vtd_fault_start(struct vtd_unit *unit);
void vtd_fault_stop(struct vtd_unit *unit);

/* context.c */
int vtd_ctx_prepare(struct vtd_unit *unit, const u16 *sids, unsigned int nr);
int vtd_ctx_set(struct vtd_unit *unit, u16 sid, const struct vtd_ctx_cfg *cfg);
int vtd_ctx_did(struct vtd_unit *unit, u16 sid);
void vtd_ctx_free(struct vtd_unit *unit);
void vtd_ctx_show(struct vtd_unit *unit, struct seq_file *s);

/* domain.c */
extern struct xiommu_domain vtd_identity_domain;
extern struct xiommu_domain vtd_blocked_domain;
struct xiommu_domain *vtd_domain_alloc_paging(struct device *dev, u32 flags);
void vtd_domains_show(struct vtd_unit *unit, struct seq_file *s, bool dump);
void vtd_domain_count_fault(struct vtd_unit *unit, u16 did);

/* main.c */
extern const struct xiommu_ops vtd_ops;
struct vtd_dev *vtd_dev_find(struct device *dev);
void vtd_report_fault(struct vtd_unit *unit, u16 sid, u64 iova, bool write,
		      const char *reason);

/* debugfs.c */
void vtd_debugfs_init(struct vtd_unit *unit);

#endif /* XIOMMU_VTD_H */
