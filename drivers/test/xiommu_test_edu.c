// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu_test_edu: a test-only kernel driver for QEMU's edu device
 * (PCI 1234:11e8) that DMAs from its probe().
 *
 * It stands for a kernel driver an administrator forces onto a member of a
 * user-owned group (driver_override + bind): fail closed must have moved
 * the group to the blocking domain before this probe runs, so the DMA
 * below never reaches a user mapping (Documentation/groups.md, "Fail
 * closed"; selftests/dma_fail_closed.c).
 *
 * Its ID table is empty: it binds only where driver_override names it.
 * With the dma_addr parameter non-zero, probe() copies dma_len bytes from
 * the edu's internal buffer (device address 0x40000) to bus address
 * dma_addr, waits for the transfer and stays bound. The edu facts are in
 * selftests/lib/edu.h. Never installed on hosts (see the top-level
 * Kbuild): it writes to any bus address it is told to.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/pci.h>

#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_MAX		4095	/* QEMU 7.2 aborts on the last byte */
#define EDU_DMA_TIMEOUT_MS	10000

static u64 dma_addr;
module_param(dma_addr, ullong, 0644);
MODULE_PARM_DESC(dma_addr, "bus address probe() DMAs to (0: no DMA)");

static uint dma_len = 256;
module_param(dma_len, uint, 0644);
MODULE_PARM_DESC(dma_len, "bytes probe() DMAs, at most 4095");

static uint probes;
module_param(probes, uint, 0444);
MODULE_PARM_DESC(probes, "probe() calls that started a DMA and saw it end");

static int test_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	u64 addr = READ_ONCE(dma_addr);
	u32 len = min_t(u32, READ_ONCE(dma_len), EDU_BUF_MAX);
	unsigned int waited = 0;
	void __iomem *bar;
	int rc;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;
	bar = pcim_iomap(pdev, 0, 0);
	if (!bar)
		return -ENOMEM;
	if (!addr)
		return 0;

	pci_set_master(pdev);
	writeq(EDU_BUF_ADDR, bar + EDU_REG_DMA_SRC);
	writeq(addr, bar + EDU_REG_DMA_DST);
	writeq(len, bar + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_RUN | EDU_DMA_TO_RAM, bar + EDU_REG_DMA_CMD);
	while (readq(bar + EDU_REG_DMA_CMD) & EDU_DMA_RUN) {
		if (waited++ >= EDU_DMA_TIMEOUT_MS) {
			pci_clear_master(pdev);
			return -ETIMEDOUT;
		}
		usleep_range(1000, 2000);
	}
	pci_clear_master(pdev);
	dev_info(&pdev->dev, "DMA of %u bytes to %#llx done\n", len, addr);
	probes++;
	return 0;
}

static void test_edu_remove(struct pci_dev *pdev)
{
	pci_clear_master(pdev);
}

/* Empty: bound only through driver_override. */
static const struct pci_device_id test_edu_ids[] = {
	{ }
};

static struct pci_driver test_edu_driver = {
	.name = "xiommu_test_edu",
	.id_table = test_edu_ids,
	.probe = test_edu_probe,
	.remove = test_edu_remove,
};
module_pci_driver(test_edu_driver);

MODULE_DESCRIPTION("xiommu test-only edu driver that DMAs at probe");
MODULE_LICENSE("GPL");
