// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kernel-owned device behind the SMMUv3 keeps doing DMA while
 * xiommu_smmuv3 comes and goes and user space binds and unbinds other
 * devices. The smmuv3 profile's virtio-blk disk (/dev/vda, iommu_platform=on:
 * its DMA goes through the SMMU) is written and read back with O_DIRECT
 * after every step, and a child process does disk I/O the whole time, so
 * requests are in flight across every STE switch of the other devices and
 * across the unit's enable (SMMUEN, bypass STE) and disable:
 *
 *   modules loaded by the harness (disk on a bypass STE) -> an edu bound
 *   to user space, DMA, closed, and the pair behind the bridge the same ->
 *   rmmod xiommu_vfio_pci xiommu_smmuv3 (SMMU disabled: bypass; the
 *   registers the driver changed read as at boot, through /dev/mem) ->
 *   insmod both again; twice.
 *
 *   scripts/vm --profile smmuv3 --add build/arm64/bin/smmu_kernel_dev -- /smmu_kernel_dev
 *
 * Needs root and the scripts/vm guest layout: modules as
 * /xiommu/ko/NAME.ko with their insmod arguments in /xiommu/modules.
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include <signal.h>
#include <glob.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"
#include "lib/disk_io.h"

#define UNIT		"smmu0"
#define SMMU_DRV	"/sys/bus/platform/drivers/xiommu-smmuv3"
#define TIMEOUT_S	300

/* The PCI function behind /dev/vda. */
static int disk_bdf(char *out)
{
	char real[PATH_MAX], *p, *bdf = NULL;

	if (!realpath("/sys/block/vda/device", real))
		return -errno;
	for (p = strtok(real, "/"); p; p = strtok(NULL, "/"))
		if (pci_is_bdf(p))
			bdf = p;
	if (!bdf)
		return -ENOENT;
	return str_copy(out, PCI_BDF_LEN, bdf);
}

/* Is every stream ID of @bdf on a bypass STE? */
static bool disk_bypassed(const char *bdf)
{
	char line[256], want[64];
	bool seen = false, other = false;
	FILE *f;

	snprintf(want, sizeof(want), "%s sid ", bdf);
	f = fopen(XIOMMU_DEBUGFS "/" UNIT "/ste", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		if (strstr(line, " bypass"))
			seen = true;
		else
			other = true;
	}
	fclose(f);
	return seen && !other;
}

/*
 * SMMU registers through /dev/mem (the unit's platform device is named
 * "<base>.smmuv3"): CR0, IRQ_CTRL, STRTAB_BASE, CMDQ_BASE, EVTQ_BASE.
 * Return: 0 and the values, or -errno.
 */
static int smmu_regs(uint64_t regs[5])
{
	static const unsigned int off[5] = { 0x20, 0x50, 0x80, 0x90, 0xa0 };
	unsigned long long base;
	volatile uint8_t *p;
	unsigned int i;
	glob_t g;
	int fd;

	if (glob("/sys/bus/platform/devices/*.smmuv3", 0, NULL, &g))
		return -ENOENT;
	i = sscanf(strrchr(g.gl_pathv[0], '/') + 1, "%llx.", &base);
	globfree(&g);
	if (i != 1)
		return -EINVAL;
	fd = open("/dev/mem", O_RDONLY | O_SYNC);
	if (fd < 0)
		return -errno;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, base);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	for (i = 0; i < 5; i++)
		regs[i] = off[i] < 0x80 ? *(volatile uint32_t *)(p + off[i]) :
			  *(volatile uint64_t *)(p + off[i]);
	munmap((void *)p, 4096);
	return 0;
}

/* DMA through edu @bdf from user space, then give it back. */
static int edu_cycle(const char *bdf)
{
	uint8_t *src = dma_buf_alloc(BLK), *dst = dma_buf_alloc(BLK);
	int iommufd, fd, ret;
	uint32_t ioas;

	iommufd = iommufd_open();
	if (iommufd < 0)
		return iommufd;
	ret = iommufd_ioas_alloc(iommufd, &ioas);
	if (!ret)
		ret = iommufd_map(iommufd, ioas, src, BLK, 0x100000);
	if (!ret)
		ret = iommufd_map(iommufd, ioas, dst, BLK, 0x200000);
	fd = ret ? ret : edu_open_attached(bdf, iommufd, ioas, NULL);
	if (fd >= 0) {
		dma_fill(src, BLK, 0x3c);
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
	dma_buf_free(src, BLK);
	dma_buf_free(dst, BLK);
	return ret ?: pci_make_idle(bdf);
}

FIXTURE(disk) {
	int fd;
};

FIXTURE_SETUP(disk)
{
	self->fd = -1;
}

/* Leave the modules loaded for the harness, whatever happened. */
FIXTURE_TEARDOWN(disk)
{
	if (access("/sys/module/xiommu_smmuv3", F_OK))
		xiommu_module_load("xiommu_smmuv3");
	if (access("/sys/module/xiommu_vfio_pci", F_OK))
		xiommu_module_load("xiommu_vfio_pci");
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F_TIMEOUT(disk, survives_load_bind_unbind_unload, TIMEOUT_S)
{
	char solo[PCI_BDF_LEN], a[PCI_BDF_LEN], b[PCI_BDF_LEN];
	char id[PCI_BDF_LEN];
	uint64_t regs[5];
	unsigned int step = 0, round;
	uint64_t rounds;
	int status;
	pid_t bg;

	if (access(DISK, F_OK) || access("/xiommu/modules", F_OK))
		SKIP(return, "no virtio-blk disk or not in a scripts/vm guest");
	xiommu_debugfs_mount();
	if (access(XIOMMU_DEBUGFS "/" UNIT, F_OK))
		SKIP(return, "no SMMUv3 unit " UNIT);
	ASSERT_EQ(0, disk_bdf(id));
	ASSERT_EQ(0, edu_find_solo(solo));
	ASSERT_EQ(0, edu_find_pair(a, b));
	self->fd = open(DISK, O_RDWR | O_DIRECT);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, disk_step(self->fd, step++));
	ASSERT_TRUE(disk_bypassed(id));

	bg_rounds = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bg_rounds);
	bg = fork();
	ASSERT_LE(0, bg);
	if (!bg)
		disk_background_io();

	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, edu_cycle(solo));
		ASSERT_EQ(0, disk_step(self->fd, step++));
		ASSERT_EQ(0, edu_cycle(a));	/* claims the bridge's group */
		ASSERT_EQ(0, pci_make_idle(b));
		ASSERT_EQ(0, disk_step(self->fd, step++));
		ASSERT_TRUE(disk_bypassed(id));

		rounds = *bg_rounds;
		ASSERT_EQ(0, xiommu_module_unload("xiommu_vfio_pci"));
		ASSERT_EQ(0, xiommu_module_unload("xiommu_smmuv3"));
		ASSERT_NE(0, access(SMMU_DRV, F_OK));
		ASSERT_NE(0, access(XIOMMU_DEBUGFS "/" UNIT, F_OK));
		/* the unit as the harness's boot left it: off, no tables */
		if (!smmu_regs(regs)) {
			TH_LOG("after unload: CR0 %#llx IRQ_CTRL %#llx STRTAB_BASE %#llx CMDQ_BASE %#llx EVTQ_BASE %#llx",
			       (unsigned long long)regs[0],
			       (unsigned long long)regs[1],
			       (unsigned long long)regs[2],
			       (unsigned long long)regs[3],
			       (unsigned long long)regs[4]);
			ASSERT_EQ(0, regs[0]);
			ASSERT_EQ(0, regs[1]);
			ASSERT_EQ(0, regs[2]);
		} else {
			TH_LOG("no /dev/mem access to the SMMU registers");
		}
		ASSERT_EQ(0, disk_step(self->fd, step++));

		ASSERT_EQ(0, xiommu_module_load("xiommu_smmuv3"));
		ASSERT_EQ(0, disk_step(self->fd, step++));
		ASSERT_TRUE(disk_bypassed(id));
		ASSERT_EQ(0, xiommu_module_load("xiommu_vfio_pci"));
		ASSERT_EQ(0, disk_step(self->fd, step++));
		/* The background I/O went on across unload and load. */
		while (*bg_rounds < rounds + 2)
			usleep(10000);
	}
	TH_LOG("%u steps, %llu rounds of background I/O", step,
	       (unsigned long long)*bg_rounds);

	/* The background I/O never failed. */
	ASSERT_EQ(0, waitpid(bg, &status, WNOHANG));
	kill(bg, SIGKILL);
	ASSERT_EQ(bg, waitpid(bg, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
}

TEST_HARNESS_MAIN
