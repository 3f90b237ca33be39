/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU's "edu" educational PCI device (1234:11e8) driven from user space
 * through an xiommu_vfio_pci device fd. Facts (QEMU 7.2, measured; see the
 * end of DESIGN.md and QEMU's docs/specs/edu.rst):
 *  - BAR0 registers: 0x00 identification (0x010000ed), 0x80 DMA source,
 *    0x88 DMA destination, 0x90 DMA byte count, 0x98 DMA command
 *    (bit 0 run, bit 1 direction: 0 RAM -> device buffer, 1 device
 *    buffer -> RAM, bit 2 raise an interrupt when done);
 *  - the device buffer is at device address 0x40000 and a transfer that
 *    reaches its last byte aborts QEMU 7.2: at most 4095 bytes from 0x40000;
 *  - DMA addresses (IOVAs) are masked to 28 bits: keep them below 256 MiB;
 *  - a transfer runs on a ~100 ms virtual-time timer; the run bit clears
 *    when it is done; nothing moves unless Bus Master Enable is set.
 */
#ifndef XIOMMU_SELFTESTS_EDU_H
#define XIOMMU_SELFTESTS_EDU_H

#include <time.h>

#include "vfio_dev.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_ID_VALUE		0x010000edU
#define EDU_REG_ID		0x00
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_MAX		4095	/* longest safe transfer, see above */
#define EDU_IOVA_LIMIT		(1ULL << 28)
#define EDU_DMA_TIMEOUT_MS	10000

static inline int edu_read32(int devfd, uint32_t reg, uint32_t *val)
{
	return vfio_dev_pread(devfd, VFIO_PCI_BAR0_REGION_INDEX, reg, val,
			      sizeof(*val));
}

static inline int edu_read64(int devfd, uint32_t reg, uint64_t *val)
{
	return vfio_dev_pread(devfd, VFIO_PCI_BAR0_REGION_INDEX, reg, val,
			      sizeof(*val));
}

static inline int edu_write64(int devfd, uint32_t reg, uint64_t val)
{
	return vfio_dev_pwrite(devfd, VFIO_PCI_BAR0_REGION_INDEX, reg, &val,
			       sizeof(val));
}

static inline uint64_t edu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * One edu DMA between @iova and the device buffer at @dev_off bytes into it
 * (@to_ram: device buffer -> memory at @iova; else memory -> device
 * buffer), then poll until the device reports it done.
 * Return: 0, -EINVAL for a transfer QEMU 7.2 cannot do safely, -ETIMEDOUT,
 * or -errno from the register accesses.
 */
static inline int edu_dma(int devfd, uint64_t iova, uint32_t dev_off,
			  uint32_t len, bool to_ram)
{
	uint64_t dev = EDU_BUF_ADDR + dev_off, cmd, deadline;
	int ret;

	if (!len || dev_off + len > EDU_BUF_MAX || iova + len > EDU_IOVA_LIMIT)
		return -EINVAL;
	ret = edu_write64(devfd, EDU_REG_DMA_SRC, to_ram ? dev : iova);
	if (!ret)
		ret = edu_write64(devfd, EDU_REG_DMA_DST, to_ram ? iova : dev);
	if (!ret)
		ret = edu_write64(devfd, EDU_REG_DMA_COUNT, len);
	if (!ret)
		ret = edu_write64(devfd, EDU_REG_DMA_CMD,
				  EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	if (ret)
		return ret;

	deadline = edu_now_ms() + EDU_DMA_TIMEOUT_MS;
	for (;;) {
		ret = edu_read64(devfd, EDU_REG_DMA_CMD, &cmd);
		if (ret)
			return ret;
		if (!(cmd & EDU_DMA_RUN))
			return 0;
		if (edu_now_ms() > deadline)
			return -ETIMEDOUT;
		usleep(5000);
	}
}

/* Find edu devices, sorted by BDF. Return: count or -errno. */
static inline int edu_find(char (*bdfs)[PCI_BDF_LEN], int max)
{
	return pci_find_devices(EDU_VENDOR, EDU_DEVICE, bdfs, max);
}

#endif /* XIOMMU_SELFTESTS_EDU_H */
