// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtualized PCI config space of xiommu_vfio_pci devices (region
 * VFIO_PCI_CONFIG_REGION_INDEX), following upstream vfio-pci's model:
 *
 * Each config byte has two bit masks, fixed at probe time:
 *  - virt:  bits read from a per-device virtual copy (vconfig) instead of
 *           the device;
 *  - write: bits user space may write. A writable virtual bit changes only
 *           the copy; a writable non-virtual bit is written to the device
 *           (read-modify-write of that byte). Every other bit of a write
 *           is dropped silently: the write "succeeds" (returns the byte
 *           count, as upstream) and changes nothing.
 * Some fields then get a side effect: BAR and ROM BAR dwords keep only
 * their address bits (so writing all-ones reads back the size mask),
 * Interrupt Disable masks or unmasks INTx, Initiate Function Level Reset
 * resets the function.
 *
 * What is what (Documentation/vfio.md has the table):
 *  - command: I/O, Memory, Bus Master and the other control bits are real;
 *    Interrupt Disable is virtual (the kernel masks INTx with the real bit
 *    while user space's value is shown);
 *  - status, IDs, class, header type, capability pointer, subsystem IDs,
 *    interrupt pin: read-only, real;
 *  - cache line size, latency timer: real, writable;
 *  - BARs, ROM BAR, interrupt line: virtual;
 *  - MSI: enable, multiple message enable, address, data, mask: virtual
 *    (the kernel owns the real MSI programming); MSI-X: enable and
 *    function mask virtual;
 *  - power management: power state and PME enable virtual;
 *  - PCI Express device control: error reporting, relaxed ordering,
 *    extended tag, no snoop real; payload, read request size, phantom
 *    functions, aux power virtual; Initiate FLR resets the function;
 *  - everything else (other capabilities, extended config space):
 *    read-only, real.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio_pci_priv.h"

/* Command bits written to the device; Interrupt Disable is virtual. */
#define XVFIO_CMD_REAL		(0x07ff & ~PCI_COMMAND_INTX_DISABLE)

static void xvfio_perm(struct xvfio_device *vdev, unsigned int off,
		       unsigned int len, u8 virt, u8 write)
{
	unsigned int i;

	for (i = off; i < off + len && i < vdev->pdev->cfg_size; i++) {
		vdev->cfg_virt[i] = virt;
		vdev->cfg_write[i] = write;
	}
}

/* Set the permissions of a 16-bit field: @virt and @write bit masks. */
static void xvfio_perm16(struct xvfio_device *vdev, unsigned int off,
			 u16 virt, u16 write)
{
	xvfio_perm(vdev, off, 1, virt & 0xff, write & 0xff);
	xvfio_perm(vdev, off + 1, 1, virt >> 8, write >> 8);
}

static void xvfio_bar_masks(struct xvfio_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	unsigned int i;
	u32 lo;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		unsigned long flags = pci_resource_flags(pdev, i);
		u64 len = pci_resource_len(pdev, i);

		vdev->bar_mask[i] = 0;
		vdev->bar_flags[i] = 0;
		if (!len)
			continue;
		if (flags & IORESOURCE_IO) {
			vdev->bar_mask[i] = ~(u32)(len - 1) &
					    PCI_BASE_ADDRESS_IO_MASK;
			vdev->bar_flags[i] = PCI_BASE_ADDRESS_SPACE_IO;
			continue;
		}
		pci_read_config_dword(pdev, PCI_BASE_ADDRESS_0 + 4 * i, &lo);
		vdev->bar_mask[i] = ~(u32)(len - 1) & PCI_BASE_ADDRESS_MEM_MASK;
		vdev->bar_flags[i] = lo & ~PCI_BASE_ADDRESS_MEM_MASK;
		if ((flags & IORESOURCE_MEM_64) && i + 1 < PCI_STD_NUM_BARS) {
			i++;
			vdev->bar_mask[i] = (u32)(~(len - 1) >> 32);
			vdev->bar_flags[i] = 0;
		}
	}
	i = PCI_STD_NUM_BARS;	/* the ROM BAR */
	vdev->bar_mask[i] = 0;
	vdev->bar_flags[i] = 0;
	if (pci_resource_len(pdev, PCI_ROM_RESOURCE))
		vdev->bar_mask[i] =
			(~(u32)(pci_resource_len(pdev, PCI_ROM_RESOURCE) - 1) &
			 PCI_ROM_ADDRESS_MASK) | PCI_ROM_ADDRESS_ENABLE;
}

static void xvfio_msix_table(struct xvfio_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u32 table;
	u16 flags;

	vdev->msix_bar = -1;
	if (!vdev->msix_cap)
		return;
	pci_read_config_word(pdev, vdev->msix_cap + PCI_MSIX_FLAGS, &flags);
	pci_read_config_dword(pdev, vdev->msix_cap + PCI_MSIX_TABLE, &table);
	vdev->msix_bar = table & PCI_MSIX_TABLE_BIR;
	vdev->msix_offset = table & PCI_MSIX_TABLE_OFFSET;
	vdev->msix_size = ((flags & PCI_MSIX_FLAGS_QSIZE) + 1) *
			  PCI_MSIX_ENTRY_SIZE;
}

/**
 * xvfio_config_init() - set up the config space permissions of a device
 * @vdev: the device being probed
 *
 * Return: 0, or -ENOMEM.
 */
int xvfio_config_init(struct xvfio_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int size = pdev->cfg_size;
	u16 flags;

	mutex_init(&vdev->cfg_lock);
	vdev->vconfig = kzalloc(size, GFP_KERNEL);
	vdev->cfg_virt = kzalloc(size, GFP_KERNEL);
	vdev->cfg_write = kzalloc(size, GFP_KERNEL);
	if (!vdev->vconfig || !vdev->cfg_virt || !vdev->cfg_write) {
		xvfio_config_free(vdev);
		return -ENOMEM;
	}

	/* Header (type 0; bridges are refused at probe). */
	xvfio_perm16(vdev, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE,
		     XVFIO_CMD_REAL | PCI_COMMAND_INTX_DISABLE);
	xvfio_perm(vdev, PCI_CACHE_LINE_SIZE, 1, 0, 0xff);
	xvfio_perm(vdev, PCI_LATENCY_TIMER, 1, 0, 0xff);
	xvfio_perm(vdev, PCI_BASE_ADDRESS_0, 4 * PCI_STD_NUM_BARS, 0xff, 0xff);
	xvfio_perm(vdev, PCI_ROM_ADDRESS, 4, 0xff, 0xff);
	xvfio_perm(vdev, PCI_INTERRUPT_LINE, 1, 0xff, 0xff);
	xvfio_bar_masks(vdev);

	vdev->msi_cap = pdev->msi_cap;
	vdev->msix_cap = pdev->msix_cap;
	vdev->pm_cap = pdev->pm_cap;
	vdev->pcie_cap = pdev->pcie_cap;

	if (vdev->msi_cap) {
		unsigned int off = vdev->msi_cap, end;

		pci_read_config_word(pdev, off + PCI_MSI_FLAGS, &flags);
		xvfio_perm16(vdev, off + PCI_MSI_FLAGS,
			     PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE,
			     PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
		/* Address, data and mask bits; pending bits stay real. */
		if (flags & PCI_MSI_FLAGS_MASKBIT)
			end = off + ((flags & PCI_MSI_FLAGS_64BIT) ?
				     PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32);
		else
			end = off + ((flags & PCI_MSI_FLAGS_64BIT) ?
				     PCI_MSI_DATA_64 : PCI_MSI_DATA_32) + 2;
		xvfio_perm(vdev, off + PCI_MSI_ADDRESS_LO,
			   end - off - PCI_MSI_ADDRESS_LO, 0xff, 0xff);
	}
	if (vdev->msix_cap)
		xvfio_perm16(vdev, vdev->msix_cap + PCI_MSIX_FLAGS,
			     PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
			     PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	xvfio_msix_table(vdev);
	if (vdev->pm_cap)
		xvfio_perm16(vdev, vdev->pm_cap + PCI_PM_CTRL,
			     PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_ENABLE,
			     PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_ENABLE);
	if (vdev->pcie_cap) {
		u16 real = PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE |
			   PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE |
			   PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_EXT_TAG |
			   PCI_EXP_DEVCTL_NOSNOOP_EN;
		u16 virt = PCI_EXP_DEVCTL_PAYLOAD | PCI_EXP_DEVCTL_PHANTOM |
			   PCI_EXP_DEVCTL_AUX_PME | PCI_EXP_DEVCTL_READRQ |
			   PCI_EXP_DEVCTL_BCR_FLR;

		xvfio_perm16(vdev, vdev->pcie_cap + PCI_EXP_DEVCTL, virt,
			     real | virt);
	}
	return 0;
}

/**
 * xvfio_config_free() - free what xvfio_config_init() allocated
 * @vdev: the device (probe failure or its release)
 */
void xvfio_config_free(struct xvfio_device *vdev)
{
	kfree(vdev->vconfig);
	kfree(vdev->cfg_virt);
	kfree(vdev->cfg_write);
	vdev->vconfig = NULL;
	vdev->cfg_virt = NULL;
	vdev->cfg_write = NULL;
	mutex_destroy(&vdev->cfg_lock);
}

/* Keep only the address bits of BAR/ROM dword @bar (0..6) in vconfig. */
static void xvfio_bar_fixup(struct xvfio_device *vdev, unsigned int bar)
{
	unsigned int off = bar < PCI_STD_NUM_BARS ?
			   PCI_BASE_ADDRESS_0 + 4 * bar : PCI_ROM_ADDRESS;
	__le32 *p = (__le32 *)(vdev->vconfig + off);
	u32 val = le32_to_cpu(*p);

	*p = cpu_to_le32((val & vdev->bar_mask[bar]) | vdev->bar_flags[bar]);
}

/**
 * xvfio_config_enable() - load the virtual config space from the device
 * @vdev: the device being opened (no user access yet)
 */
void xvfio_config_enable(struct xvfio_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	unsigned int off, i;
	u32 val;

	mutex_lock(&vdev->cfg_lock);
	for (off = 0; off < pdev->cfg_size; off += 4) {
		if (pci_read_config_dword(pdev, off, &val))
			val = 0;
		*(__le32 *)(vdev->vconfig + off) = cpu_to_le32(val);
	}
	for (i = 0; i <= PCI_STD_NUM_BARS; i++)
		xvfio_bar_fixup(vdev, i);
	mutex_unlock(&vdev->cfg_lock);
}

static int xvfio_cfg_read_real(struct pci_dev *pdev, int where, size_t sz,
			       u32 *val)
{
	u16 w;
	u8 b;
	int ret;

	switch (sz) {
	case 1:
		ret = pci_user_read_config_byte(pdev, where, &b);
		*val = b;
		break;
	case 2:
		ret = pci_user_read_config_word(pdev, where, &w);
		*val = w;
		break;
	default:
		ret = pci_user_read_config_dword(pdev, where, val);
		break;
	}
	return pcibios_err_to_errno(ret);
}

/* Read @sz bytes at @where (naturally aligned): real and virtual merged. */
static int xvfio_cfg_read(struct xvfio_device *vdev, int where, size_t sz,
			  u8 *out)
{
	u32 real;
	size_t i;
	int ret;

	ret = xvfio_cfg_read_real(vdev->pdev, where, sz, &real);
	if (ret)
		return ret;
	mutex_lock(&vdev->cfg_lock);
	for (i = 0; i < sz; i++) {
		u8 v = vdev->cfg_virt[where + i];

		out[i] = ((real >> (8 * i)) & ~v) |
			 (vdev->vconfig[where + i] & v);
	}
	mutex_unlock(&vdev->cfg_lock);
	return 0;
}

/* The command register's real bits, under irqlock against INTx masking. */
static void xvfio_cmd_write_real(struct xvfio_device *vdev, u16 mask, u16 val)
{
	unsigned long flags;
	u16 cmd, new;

	spin_lock_irqsave(&vdev->irqlock, flags);
	if (!pci_read_config_word(vdev->pdev, PCI_COMMAND, &cmd)) {
		new = (cmd & ~mask) | (val & mask);
		if (new != cmd)
			pci_write_config_word(vdev->pdev, PCI_COMMAND, new);
	}
	spin_unlock_irqrestore(&vdev->irqlock, flags);
}

static bool xvfio_overlaps(int where, size_t sz, unsigned int off,
			   unsigned int len)
{
	return where < off + len && off < where + sz;
}

/*
 * Write @sz bytes at @where (naturally aligned) under the permissions.
 * Side effects that sleep or reset (FLR, INTx mask) are returned to the
 * caller through @flr and @intx (-1 nothing, 0 unmask, 1 mask).
 */
static int xvfio_cfg_write(struct xvfio_device *vdev, int where, size_t sz,
			   const u8 *in, bool *flr, int *intx)
{
	struct pci_dev *pdev = vdev->pdev;
	u8 real_mask[4] = {}, real_val[4] = {};
	u16 cmd_mask = 0, cmd_val = 0;
	bool old_virq, new_virq;
	unsigned int i;
	int ret = 0;

	mutex_lock(&vdev->cfg_lock);
	old_virq = vdev->vconfig[PCI_COMMAND + 1] &
		   (PCI_COMMAND_INTX_DISABLE >> 8);
	for (i = 0; i < sz; i++) {
		unsigned int b = where + i;
		u8 w = vdev->cfg_write[b], v = vdev->cfg_virt[b];

		vdev->vconfig[b] = (vdev->vconfig[b] & ~(w & v)) |
				   (in[i] & w & v);
		real_mask[i] = w & ~v;
		real_val[i] = in[i];
	}
	for (i = 0; i <= PCI_STD_NUM_BARS; i++) {
		unsigned int off = i < PCI_STD_NUM_BARS ?
				   PCI_BASE_ADDRESS_0 + 4 * i : PCI_ROM_ADDRESS;

		if (xvfio_overlaps(where, sz, off, 4))
			xvfio_bar_fixup(vdev, i);
	}
	new_virq = vdev->vconfig[PCI_COMMAND + 1] &
		   (PCI_COMMAND_INTX_DISABLE >> 8);
	*intx = old_virq == new_virq ? -1 : new_virq;
	if (vdev->pcie_cap &&
	    xvfio_overlaps(where, sz, vdev->pcie_cap + PCI_EXP_DEVCTL + 1, 1)) {
		u8 *hi = &vdev->vconfig[vdev->pcie_cap + PCI_EXP_DEVCTL + 1];

		/* Initiate FLR is an action; it always reads as 0. */
		if (*hi & (PCI_EXP_DEVCTL_BCR_FLR >> 8))
			*flr = true;
		*hi &= ~(PCI_EXP_DEVCTL_BCR_FLR >> 8);
	}
	mutex_unlock(&vdev->cfg_lock);

	for (i = 0; i < sz; i++) {
		unsigned int b = where + i;
		u8 cur;

		if (!real_mask[i])
			continue;
		if (b == PCI_COMMAND || b == PCI_COMMAND + 1) {
			unsigned int shift = 8 * (b - PCI_COMMAND);

			cmd_mask |= real_mask[i] << shift;
			cmd_val |= real_val[i] << shift;
			continue;
		}
		ret = pcibios_err_to_errno(pci_user_read_config_byte(pdev, b,
								     &cur));
		if (ret)
			return ret;
		cur = (cur & ~real_mask[i]) | (real_val[i] & real_mask[i]);
		ret = pcibios_err_to_errno(pci_user_write_config_byte(pdev, b,
								      cur));
		if (ret)
			return ret;
	}
	if (cmd_mask)
		xvfio_cmd_write_real(vdev, cmd_mask, cmd_val);
	return 0;
}

/* Largest naturally aligned access of at most 4 bytes at @pos. */
static size_t xvfio_cfg_access_size(u64 pos, size_t left)
{
	if (left >= 4 && IS_ALIGNED(pos, 4))
		return 4;
	if (left >= 2 && IS_ALIGNED(pos, 2))
		return 2;
	return 1;
}

/**
 * xvfio_config_rw() - read or write the config region
 * @df: the device fd
 * @buf: user buffer
 * @count: bytes
 * @pos: offset in config space
 * @write: direction
 *
 * Accesses are split into naturally aligned pieces of up to 4 bytes and
 * clipped at the end of config space. Writes user space may not do are
 * dropped, not failed.
 *
 * Return: bytes done, or -EINVAL (offset past the end), -EFAULT, -ENODEV
 * (revoked), or the device's config access error.
 */
ssize_t xvfio_config_rw(struct xvfio_file *df, char __user *buf,
			size_t count, u64 pos, bool write)
{
	struct xvfio_device *vdev = df->vdev;
	struct pci_dev *pdev = vdev->pdev;
	size_t done = 0, sz;
	int ret = 0;

	if (pos >= pdev->cfg_size)
		return -EINVAL;
	count = min_t(u64, count, pdev->cfg_size - pos);

	while (done < count) {
		int where = pos + done;
		bool flr = false;
		int intx = -1;
		u8 v[4];

		sz = xvfio_cfg_access_size(where, count - done);
		if (write && copy_from_user(v, buf + done, sz)) {
			ret = -EFAULT;
			break;
		}
		down_read(&vdev->lock);
		ret = xvfio_check_access(df);
		if (!ret && write)
			ret = xvfio_cfg_write(vdev, where, sz, v, &flr, &intx);
		else if (!ret)
			ret = xvfio_cfg_read(vdev, where, sz, v);
		up_read(&vdev->lock);
		if (ret)
			break;

		if (intx >= 0) {
			unsigned long flags;

			spin_lock_irqsave(&vdev->irqlock, flags);
			vdev->virq_disabled = intx;
			spin_unlock_irqrestore(&vdev->irqlock, flags);
			if (intx)
				xvfio_intx_mask(vdev);
			else
				xvfio_intx_unmask(vdev);
		}
		if (flr)
			xvfio_flr(df);
		if (!write && copy_to_user(buf + done, v, sz)) {
			ret = -EFAULT;
			break;
		}
		done += sz;
	}
	return done ? done : ret;
}
