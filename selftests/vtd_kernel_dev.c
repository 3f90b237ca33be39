// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kernel-owned device keeps working while xiommu_vtd comes and goes and
 * user space binds and unbinds another device: the vtd* profiles' virtio-blk
 * disk (/dev/vda, DMA through the IOMMU: iommu_platform=on) is written and
 * read back with O_DIRECT around every step, while a child process keeps
 * doing disk I/O the whole time (so DMA is in flight during every context
 * entry change, translation enable and disable):
 *
 *   modules loaded by the harness -> user binds an edu, DMA, closes ->
 *   rmmod xiommu_vfio_pci, rmmod xiommu_vtd -> insmod both again
 *   (twice)
 *
 * After each rmmod, the unit's registers (read through /dev/mem) must be
 * as the guest booted: translation and queued invalidation off, RTADDR 0,
 * fault events masked. (IQA cannot be checked: QEMU 7.2 reads back the
 * queue address it latched when the queue was last enabled, not the
 * register's contents, which the driver did restore.)
 *
 *   scripts/vm --profile vtd --add build/bin/vtd_kernel_dev -- /vtd_kernel_dev
 *
 * Needs root, the modules as /xiommu/ko/NAME.ko with their insmod
 * arguments in /xiommu/modules (the scripts/vm guest layout).
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"
#include "lib/disk_io.h"

#define DMAR_BASE	0xfed90000UL	/* QEMU q35's VT-d registers */
#define TIMEOUT_S	240

#define REG_GSTS	0x1c
#define REG_RTADDR	0x20
#define REG_FECTL	0x38
#define REG_IQA		0x90
#define GSTS_TES	(1U << 31)
#define GSTS_QIES	(1U << 26)
#define GSTS_IRES	(1U << 25)

/* Read the unit's registers through /dev/mem (only once no driver owns them). */
static int dmar_regs(uint32_t *gsts, uint64_t *rtaddr, uint32_t *fectl,
		     uint64_t *iqa)
{
	volatile uint8_t *regs;
	int fd = open("/dev/mem", O_RDONLY | O_SYNC);

	if (fd < 0)
		return -errno;
	regs = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, DMAR_BASE);
	close(fd);
	if (regs == MAP_FAILED)
		return -errno;
	*gsts = *(volatile uint32_t *)(regs + REG_GSTS);
	*rtaddr = *(volatile uint64_t *)(regs + REG_RTADDR);
	*fectl = *(volatile uint32_t *)(regs + REG_FECTL);
	*iqa = *(volatile uint64_t *)(regs + REG_IQA);
	munmap((void *)regs, 4096);
	return 0;
}

/* "present pass-through" in the context dump for the disk's entry. */
static bool disk_passthrough(const char *bdf)
{
	char path[PATH_MAX], line[512], want[16];
	unsigned int dom, bus, dev, fn;
	bool pt = false;
	FILE *f;

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return false;
	snprintf(want, sizeof(want), "%02x:%02x.%x ", bus, dev, fn);
	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/dmar0/context");
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line + strspn(line, " "), want, strlen(want)))
			pt = strstr(line, " present pass-through") != NULL;
	fclose(f);
	return pt;
}

/* The PCI address of the device behind /dev/vda. */
static int disk_bdf(char *bdf, size_t len)
{
	char real[PATH_MAX], *p, *best = NULL;

	if (!realpath("/sys/block/vda/device", real))
		return -errno;
	/* .../0000:00:06.0/virtio0: the last PCI address in the path */
	for (p = strtok(real, "/"); p; p = strtok(NULL, "/"))
		if (pci_is_bdf(p))
			best = p;
	return best ? str_copy(bdf, len, best) : -ENOENT;
}

/* One edu: bind to user space, DMA through a paging domain, close. */
static int user_cycle(struct __test_metadata *_metadata)
{
	char bdf[PCI_BDF_LEN];
	uint8_t *src, *dst;
	uint32_t ioas;
	int iommufd, fd, ret;

	if (edu_find_solo(bdf))
		return 0;
	iommufd = iommufd_open();
	if (iommufd < 0)
		return iommufd;
	ret = iommufd_ioas_alloc(iommufd, &ioas);
	src = dma_buf_alloc(4096);
	dst = dma_buf_alloc(4096);
	if (!ret)
		ret = iommufd_map(iommufd, ioas, src, 4096, 0x100000);
	if (!ret)
		ret = iommufd_map(iommufd, ioas, dst, 4096, 0x200000);
	fd = ret ? ret : edu_open_attached(bdf, iommufd, ioas, NULL);
	if (fd >= 0) {
		dma_fill(src, 4096, 0x42);
		ret = edu_dma(fd, 0x100000, 0, 2048, false);
		if (!ret)
			ret = edu_dma(fd, 0x200000, 0, 2048, true);
		if (!ret && memcmp(src, dst, 2048))
			ret = -EILSEQ;
		close(fd);
	} else {
		ret = fd;
	}
	close(iommufd);
	dma_buf_free(src, 4096);
	dma_buf_free(dst, 4096);
	if (!ret)
		ret = pci_make_idle(bdf);
	TH_LOG("user cycle on %s: %d", bdf, ret);
	return ret;
}

FIXTURE(disk) {
	int unused;
};

FIXTURE_SETUP(disk)
{
}

/* Whatever happened, leave the modules loaded for the harness to unload. */
FIXTURE_TEARDOWN(disk)
{
	if (access("/sys/module/xiommu_vtd", F_OK))
		xiommu_module_load("xiommu_vtd");
	if (access("/sys/module/xiommu_vfio_pci", F_OK))
		xiommu_module_load("xiommu_vfio_pci");
}

TEST_F_TIMEOUT(disk, kernel_device_survives, TIMEOUT_S)
{
	char bdf[PCI_BDF_LEN];
	unsigned int step = 0, round;
	uint64_t rtaddr, iqa, rounds;
	uint32_t gsts, fectl;
	int fd, status;
	pid_t bg;

	if (access(DISK, F_OK) || access("/xiommu/modules", F_OK))
		SKIP(return, "no virtio-blk disk or not in a scripts/vm guest");
	ASSERT_EQ(0, disk_bdf(bdf, sizeof(bdf)));
	xiommu_debugfs_mount();
	fd = open(DISK, O_RDWR | O_DIRECT);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, disk_step(fd, step++));
	ASSERT_TRUE(disk_passthrough(bdf));

	bg_rounds = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bg_rounds);
	bg = fork();
	ASSERT_LE(0, bg);
	if (!bg)
		disk_background_io();

	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, user_cycle(_metadata));
		ASSERT_EQ(0, disk_step(fd, step++));
		ASSERT_TRUE(disk_passthrough(bdf));

		rounds = *bg_rounds;
		ASSERT_EQ(0, xiommu_module_unload("xiommu_vfio_pci"));
		ASSERT_EQ(0, xiommu_module_unload("xiommu_vtd"));
		ASSERT_EQ(0, disk_step(fd, step++));
		ASSERT_EQ(0, dmar_regs(&gsts, &rtaddr, &fectl, &iqa));
		TH_LOG("after rmmod: GSTS %#x RTADDR %#llx FECTL %#x IQA %#llx",
		       gsts, (unsigned long long)rtaddr, fectl,
		       (unsigned long long)iqa);
		ASSERT_EQ(0, gsts & (GSTS_TES | GSTS_QIES | GSTS_IRES));
		ASSERT_EQ(0, rtaddr);
		ASSERT_EQ(0x80000000U, fectl);

		ASSERT_EQ(0, xiommu_module_load("xiommu_vtd"));
		ASSERT_EQ(0, disk_step(fd, step++));
		ASSERT_TRUE(disk_passthrough(bdf));
		ASSERT_EQ(0, xiommu_module_load("xiommu_vfio_pci"));
		ASSERT_EQ(0, disk_step(fd, step++));
		/* The background I/O went on through unload and load. */
		while (*bg_rounds < rounds + 2)
			usleep(10000);
	}
	TH_LOG("%llu rounds of background I/O",
	       (unsigned long long)*bg_rounds);

	/* The background I/O never failed. */
	ASSERT_EQ(0, waitpid(bg, &status, WNOHANG));
	kill(bg, SIGKILL);
	ASSERT_EQ(bg, waitpid(bg, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	close(fd);
}

TEST_HARNESS_MAIN
