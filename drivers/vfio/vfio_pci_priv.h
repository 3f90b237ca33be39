/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of the vfio-pci-style device (xiommu_vfio_pci.ko):
 *   vfio_pci.c         the device, its fds, regions, ioctl dispatch
 *   vfio_pci_config.c  the virtualized config space
 *   vfio_pci_intrs.c   INTx, MSI, MSI-X, ERR and REQ interrupts
 *   vfio_pci_reset.c   function reset, hot (bus/slot) reset
 * See Documentation/vfio.md for the user-visible rules.
 */
#ifndef XIOMMU_VFIO_PCI_PRIV_H
#define XIOMMU_VFIO_PCI_PRIV_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vfio.h>
#include <linux/wait.h>

struct eventfd_ctx;
struct xiommu_ictx;
struct xiommu_idev;
struct xvfio_file;
struct xvfio_group;

/* Region offsets in the device fd: the region index sits above bit 40. */
#define XVFIO_OFFSET_SHIFT	40
#define XVFIO_OFFSET_MASK	((1ULL << XVFIO_OFFSET_SHIFT) - 1)

/* The interrupt mode in use: one of VFIO_PCI_{INTX,MSI,MSIX}_IRQ_INDEX. */
#define XVFIO_IRQ_NONE		VFIO_PCI_NUM_IRQS

/**
 * struct xvfio_irq_ctx - one MSI/MSI-X vector handed to user space
 * @trigger: eventfd signalled on each interrupt, NULL if the vector has none
 * @name: the name given to request_irq(), owned
 * @irq: the Linux IRQ number of the vector
 */
struct xvfio_irq_ctx {
	struct eventfd_ctx *trigger;
	char *name;
	int irq;
};

/**
 * struct xvfio_virqfd - an eventfd whose signal unmasks INTx (the
 *	"unmask eventfd" of VFIO_IRQ_SET_ACTION_UNMASK + DATA_EVENTFD)
 * @vdev: the device
 * @eventfd: the eventfd (referenced)
 * @wait: our entry on the eventfd's wait queue
 * @pt: the poll table used to add @wait
 * @wqh: the wait queue @wait sits on
 * @unmask: work that unmasks INTx (the wakeup runs in atomic context)
 */
struct xvfio_virqfd {
	struct xvfio_device *vdev;
	struct eventfd_ctx *eventfd;
	wait_queue_entry_t wait;
	poll_table pt;
	wait_queue_head_t *wqh;
	struct work_struct unmask;
};

/**
 * struct xvfio_device - one PCI device exposed as /dev/vfio/devices/vfioN
 * @dev: the class device "vfioN"; its reference count is the lifetime of
 *	this struct (probe holds one, every open file holds one)
 * @cdev: the character device, child of @dev
 * @pdev: the PCI device (referenced until @dev is released)
 * @index: N in vfioN and the minor number
 * @node: link in the driver's list of devices (xvfio_devices_lock)
 * @state_lock: serialises the binding's state changes (bind, attach,
 *	detach, unbind, revocation, resets) and is held across the xiommu
 *	core calls that make them, which may take mmap_lock (pinning pages)
 * @lock: read-held by every device access (region read/write, BAR page
 *	faults, info ioctls) to keep the binding and the BAR mappings stable;
 *	write-held only briefly to change them (and across a hot reset),
 *	never across a core call
 * @revoked: the driver was removed from the device; written under both
 *	locks, read under either
 * @bound: the file bound (cdev) or opened through a group, or NULL;
 *	written under both locks, read under either
 * @devid: the iommufd object id of the binding of @bound (cdev only)
 * @files: every open struct xvfio_file (->node); under @lock
 * @bar: kernel mappings of the assigned BARs, NULL for absent ones; set at
 *	probe, cleared under @lock (write) after revocation
 * @release_wq: woken when @bound becomes NULL (removal waits on it after
 *	sending the REQ interrupt)
 *
 * Enabled state, valid while @bound is set (xvfio_dev_enable() to
 * xvfio_dev_disable()):
 * @reset_works: the device has a function reset method (FLR, PM, ...)
 * @saved_state: config state saved at enable, restored at disable
 *
 * Config space (vfio_pci_config.c), under @lock (read is enough: the
 * virtual bytes are also protected by @cfg_lock):
 * @cfg_lock: serialises config writes (read-modify-write of @vconfig)
 * @vconfig: the virtual config space, @pdev->cfg_size bytes
 * @cfg_virt: per byte, the bits read from @vconfig instead of the device
 * @cfg_write: per byte, the bits user space may write (to @vconfig if
 *	virtual, else to the device); other bits: writes are dropped
 * @bar_mask: per BAR dword (0..5) and ROM (6), the address bits a write
 *	keeps; @bar_flags the low bits reported (type, prefetch, I/O)
 * @msi_cap, @msix_cap, @pm_cap, @pcie_cap: capability offsets, 0 if none
 * @msix_bar: the BAR holding the MSI-X table, -1 if none
 * @msix_offset, @msix_size: the table's byte range in that BAR
 *
 * Interrupts (vfio_pci_intrs.c):
 * @igate: serialises interrupt configuration (SET_IRQS, teardown, the
 *	ERR/REQ triggers)
 * @irqlock: protects the INTx masking state against the hard IRQ handler
 * @irq_type: XVFIO_IRQ_NONE or the VFIO_PCI_*_IRQ_INDEX in use; under
 *	@igate
 * @pci_2_3: the device can mask INTx with Interrupt Disable (PCI 2.3)
 * @intx_masked: the kernel masked the line (after an interrupt, or the
 *	user asked); under @irqlock
 * @virq_disabled: user space set Interrupt Disable in the virtual
 *	command register; under @irqlock
 * @intx_trigger: INTx eventfd; under @igate, read by the handler
 * @intx_name: the name given to request_irq() for INTx
 * @unmask_fd: the INTx unmask eventfd, or NULL; under @igate
 * @ctx, @num_ctx: the MSI/MSI-X vectors; under @igate
 * @err_trigger, @req_trigger: ERR and REQ eventfds; under @igate
 *
 * Lock order: device_lock(pdev) (probe/remove) -> @state_lock -> @igate
 * -> xiommu core locks -> mmap_lock; mmap_lock -> @lock -> @cfg_lock ->
 * @irqlock. @lock is never held while calling the core or touching user
 * memory.
 */
struct xvfio_device {
	struct device dev;
	struct cdev cdev;
	struct pci_dev *pdev;
	int index;
	struct list_head node;
	struct mutex state_lock;
	struct rw_semaphore lock;
	bool revoked;
	struct xvfio_file *bound;
	u32 devid;
	struct list_head files;
	void __iomem *bar[PCI_STD_NUM_BARS];
	wait_queue_head_t release_wq;

	bool reset_works;
	struct pci_saved_state *saved_state;

	struct mutex cfg_lock;
	u8 *vconfig;
	u8 *cfg_virt;
	u8 *cfg_write;
	u32 bar_mask[PCI_STD_NUM_BARS + 1];
	u32 bar_flags[PCI_STD_NUM_BARS + 1];
	u8 msi_cap;
	u8 msix_cap;
	u8 pm_cap;
	u8 pcie_cap;
	int msix_bar;
	u32 msix_offset;
	u32 msix_size;

	struct mutex igate;
	spinlock_t irqlock;
	int irq_type;
	bool pci_2_3;
	bool intx_masked;
	bool virq_disabled;
	struct eventfd_ctx *intx_trigger;
	char *intx_name;
	struct xvfio_virqfd *unmask_fd;
	struct xvfio_irq_ctx *ctx;
	int num_ctx;
	struct eventfd_ctx *err_trigger;
	struct eventfd_ctx *req_trigger;
};

/**
 * struct xvfio_file - state of one open device fd
 * @vdev: the device (the file holds a reference on vdev->dev)
 * @file: the struct file (used to zap its mappings at revocation)
 * @node: link in vdev->files
 * @idev: the xiommu device binding (cdev path), NULL until BIND succeeds
 *	and after unbind or revocation; written under both vdev locks, read
 *	under either
 * @group_path: the fd was opened through a /dev/vfio/N group (legacy
 *	API): hot reset takes group fds as proof of ownership
 * @vgroup: the legacy group the fd came from (VFIO_GROUP_GET_DEVICE_FD),
 *	told when the fd is released; NULL for cdev files. Set before the
 *	file is visible.
 */
struct xvfio_file {
	struct xvfio_device *vdev;
	struct file *file;
	struct list_head node;
	struct xiommu_idev *idev;
	bool group_path;
	struct xvfio_group *vgroup;
};

/* vfio_pci.c */
int xvfio_file_bind(struct xvfio_file *df, struct xiommu_ictx *ictx,
		    u32 *devid);
int xvfio_dev_enable(struct xvfio_device *vdev);
void xvfio_dev_disable(struct xvfio_device *vdev, bool dev_locked);
struct xvfio_device *xvfio_device_get(struct pci_dev *pdev);
void xvfio_device_put(struct xvfio_device *vdev);
void xvfio_zap_mmaps(struct xvfio_device *vdev);

/* vfio_pci_config.c */
int xvfio_config_init(struct xvfio_device *vdev);
void xvfio_config_free(struct xvfio_device *vdev);
void xvfio_config_enable(struct xvfio_device *vdev);
ssize_t xvfio_config_rw(struct xvfio_file *df, char __user *buf,
			size_t count, u64 pos, bool write);

/* vfio_pci_intrs.c */
int xvfio_irq_count(struct xvfio_device *vdev, unsigned int index);
long xvfio_ioctl_get_irq_info(struct xvfio_device *vdev, void __user *uarg);
long xvfio_ioctl_set_irqs(struct xvfio_file *df, void __user *uarg);
void xvfio_irqs_enable(struct xvfio_device *vdev);
void xvfio_irqs_teardown(struct xvfio_device *vdev);
void xvfio_intx_mask(struct xvfio_device *vdev);
void xvfio_intx_unmask(struct xvfio_device *vdev);
bool xvfio_request_release(struct xvfio_device *vdev);
void xvfio_signal_err(struct xvfio_device *vdev);

/* vfio_pci_reset.c */
long xvfio_ioctl_reset(struct xvfio_file *df);
long xvfio_ioctl_hot_reset_info(struct xvfio_file *df, void __user *uarg);
long xvfio_ioctl_hot_reset(struct xvfio_file *df, void __user *uarg);
void xvfio_flr(struct xvfio_file *df);

/* Called with vdev->lock or vdev->state_lock held. */
int xvfio_check_access(struct xvfio_file *df);

#endif /* XIOMMU_VFIO_PCI_PRIV_H */
