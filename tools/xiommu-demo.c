// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu-demo: the `make run` walk-through. Takes a QEMU edu device from
 * the kernel to user space through xiommu_vfio_pci and /dev/iommu, moves a
 * pattern through it by DMA, then shows that DMA to an IOVA that is not
 * mapped is blocked by the (emulated) IOMMU.
 *
 *   xiommu-demo [BDF]      default: the first edu device
 *
 * Exits 0 when every step behaved, 1 otherwise.
 */
#include <stdarg.h>

#include "lib/edu.h"

#define DMA_LEN		2048
#define BUF_SIZE	4096
#define IOVA_SRC	0x100000ULL
#define IOVA_DST	0x200000ULL
#define IOVA_UNMAPPED	0x800000ULL
#define FAULT_WAIT_MS	300

static int step_no;

static void step(const char *fmt, ...)
{
	va_list ap;

	printf("[%d] ", ++step_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int fail(const char *what, int err)
{
	printf("FAILED: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

/* Print the last xiommu/DMAR fault line of the kernel log, if any. */
static void show_fault_line(void)
{
	char line[512], last[512] = "";
	FILE *f = popen("dmesg 2>/dev/null", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "fault") &&
		    (strstr(line, "xiommu") || strstr(line, "vtd") ||
		     strstr(line, "dmar")))
			memcpy(last, line, sizeof(last));
	pclose(f);
	if (last[0])
		printf("    kernel log: %s", last);
}

int main(int argc, char **argv)
{
	char edus[8][PCI_BDF_LEN], bdf[PCI_BDF_LEN], path[PATH_MAX];
	uint32_t devid, ioas_id, hwpt_id, id;
	int devfd, iommufd, n, ret;
	uint8_t *src, *dst;
	int64_t f0, f1;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1) {
		if (str_copy(bdf, sizeof(bdf), argv[1]))
			return fail("device address", EINVAL);
	} else {
		n = edu_find(edus, 8);
		if (n <= 0)
			return fail("no QEMU edu device (1234:11e8) found",
				    n ? n : ENODEV);
		memcpy(bdf, edus[0], sizeof(bdf));
	}
	step("found edu device at %s", bdf);

	ret = vfio_dev_bind_driver(bdf);
	if (ret)
		return fail("bind to the VFIO driver", ret);
	ret = vfio_dev_path(bdf, path, sizeof(path));
	if (ret)
		return fail("find the vfio device node", ret);
	step("bound %s to %s: %s", bdf, VFIO_DEV_DRIVER, path);

	devfd = vfio_dev_open(bdf);
	if (devfd < 0)
		return fail("open the device node", devfd);
	iommufd = iommufd_open();
	if (iommufd < 0)
		return fail("open /dev/iommu", iommufd);
	step("opened %s and /dev/iommu", path);

	ret = edu_read32(devfd, EDU_REG_ID, &id);
	if (ret != -EINVAL)
		return fail("BAR access before VFIO_DEVICE_BIND_IOMMUFD was not refused",
			    ret ? ret : EPERM);
	step("before binding, reading BAR0 is refused (EINVAL)");

	ret = vfio_dev_bind(devfd, iommufd, &devid);
	if (ret)
		return fail("VFIO_DEVICE_BIND_IOMMUFD", ret);
	ret = edu_read32(devfd, EDU_REG_ID, &id);
	if (ret)
		return fail("read the edu identification register", ret);
	step("VFIO_DEVICE_BIND_IOMMUFD: device id %u; edu identification 0x%08x",
	     devid, id);

	ret = iommufd_ioas_alloc(iommufd, &ioas_id);
	if (ret)
		return fail("IOMMU_IOAS_ALLOC", ret);
	step("IOMMU_IOAS_ALLOC: IOAS id %u", ioas_id);

	hwpt_id = ioas_id;
	ret = vfio_dev_attach(devfd, &hwpt_id);
	if (ret)
		return fail("VFIO_DEVICE_ATTACH_IOMMUFD_PT", ret);
	step("VFIO_DEVICE_ATTACH_IOMMUFD_PT: attached to IOAS %u -> HWPT id %u",
	     ioas_id, hwpt_id);

	src = dma_buf_alloc(BUF_SIZE);
	dst = dma_buf_alloc(BUF_SIZE);
	if (!src || !dst)
		return fail("allocate buffers", ENOMEM);
	if (iommufd_iova_usable(iommufd, ioas_id, IOVA_SRC, BUF_SIZE) != 1 ||
	    iommufd_iova_usable(iommufd, ioas_id, IOVA_DST, BUF_SIZE) != 1)
		return fail("IOVAs outside the IOAS's usable ranges", ERANGE);
	ret = iommufd_map(iommufd, ioas_id, src, BUF_SIZE, IOVA_SRC);
	if (!ret)
		ret = iommufd_map(iommufd, ioas_id, dst, BUF_SIZE, IOVA_DST);
	if (ret)
		return fail("IOMMU_IOAS_MAP", ret);
	step("IOMMU_IOAS_MAP: %d bytes at IOVA 0x%llx (source), %d bytes at IOVA 0x%llx (destination)",
	     BUF_SIZE, IOVA_SRC, BUF_SIZE, IOVA_DST);

	ret = vfio_dev_set_master(devfd, true);
	if (ret)
		return fail("set Bus Master Enable", ret);
	step("Bus Master Enable set through the config region");

	for (i = 0; i < DMA_LEN; i++)
		src[i] = (uint8_t)(i * 13 + 0x5a);
	ret = edu_dma(devfd, IOVA_SRC, 0, DMA_LEN, false);
	if (!ret)
		ret = edu_dma(devfd, IOVA_DST, 0, DMA_LEN, true);
	if (ret)
		return fail("edu DMA", ret);
	if (memcmp(src, dst, DMA_LEN))
		return fail("the pattern did not arrive intact", EIO);
	step("DMA'd %d bytes memory -> edu -> memory through the IOMMU: all bytes verified",
	     DMA_LEN);

	f0 = xiommu_faults();
	if (f0 < 0)
		return fail("read /sys/kernel/debug/xiommu/*/faults", (int)f0);
	memset(dst, 0xee, BUF_SIZE);
	ret = edu_dma(devfd, IOVA_UNMAPPED, 0, DMA_LEN, true);
	if (ret)
		return fail("edu DMA to the unmapped IOVA", ret);
	msleep(FAULT_WAIT_MS);
	f1 = xiommu_faults();
	if (f1 < 0)
		return fail("read the fault count", (int)f1);
	step("DMA to unmapped IOVA 0x%llx: fault count %lld -> %lld",
	     IOVA_UNMAPPED, (long long)f0, (long long)f1);
	show_fault_line();
	for (i = 0; i < BUF_SIZE; i++)
		if (dst[i] != 0xee)
			return fail("memory changed by a blocked DMA", EIO);
	if (f1 <= f0)
		return fail("the blocked DMA raised no IOMMU fault", EIO);
	step("blocked: the IOMMU faulted the DMA and no mapped memory changed");

	close(devfd);
	close(iommufd);
	step("closed the device: DMA quiesced, group given back to the kernel");
	printf("xiommu-demo: all steps passed\n");
	return 0;
}
