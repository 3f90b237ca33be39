// SPDX-License-Identifier: GPL-2.0-only
/*
 * Real DMA through xiommu, the same on every IOMMU: QEMU edu devices driven
 * from user space through xiommu_vfio_pci and /dev/iommu. Nothing here
 * knows which IOMMU translates the device: faults are counted on the
 * xiommu unit whose debugfs "endpoints" file lists it (lib/dma_util.h).
 * Hardware-specific checks live in vtd_*.c (and the other drivers' files).
 *
 *   scripts/vm --profile vtd --add build/bin/dma_edu -- /dma_edu
 *
 * Expected layout (profiles vtd*, virtio): one edu on the root complex,
 * two behind a PCIe-to-PCI bridge (one group). Tests that need a layout
 * the machine does not have are skipped. Needs root, xiommu, an IOMMU
 * driver and xiommu_vfio_pci loaded.
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"

#define DMA_LEN		2048		/* bytes per transfer, < EDU_BUF_MAX */
#define BUF_SIZE	4096		/* one page per buffer */
#define IOVA_SRC	0x100000ULL	/* all below the edu's 28-bit mask */
#define IOVA_DST	0x200000ULL
#define IOVA_UNMAPPED	0x800000ULL
#define TIMEOUT_S	120		/* per test, seconds; TCG is slow */

/*
 * One edu bound to xiommu-vfio-pci and an iommufd context, attached to an
 * IOAS with a source and a destination buffer mapped, Bus Master on.
 */
FIXTURE(edu) {
	char bdf[PCI_BDF_LEN];
	char unit[XIOMMU_UNIT_LEN];
	bool skip;
	int iommufd;
	int devfd;
	uint32_t devid;
	uint32_t ioas_id;
	uint32_t hwpt_id;
	uint8_t *src;
	uint8_t *dst;
};

FIXTURE_SETUP(edu)
{
	self->iommufd = -1;
	self->devfd = -1;
	if (edu_find_solo(self->bdf)) {
		self->skip = true;
		SKIP(return, "no edu device");
	}
	ASSERT_EQ(0, vfio_dev_bind_driver(self->bdf));
	ASSERT_EQ(0, xiommu_dev_unit(self->bdf, self->unit,
				     sizeof(self->unit)));
	self->devfd = vfio_dev_open(self->bdf);
	ASSERT_LE(0, self->devfd);
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, vfio_dev_bind(self->devfd, self->iommufd,
				   &self->devid));
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas_id));
	self->hwpt_id = self->ioas_id;
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &self->hwpt_id));
	ASSERT_NE(self->ioas_id, self->hwpt_id);

	ASSERT_EQ(1, iommufd_iova_usable(self->iommufd, self->ioas_id,
					 IOVA_SRC, BUF_SIZE));
	ASSERT_EQ(1, iommufd_iova_usable(self->iommufd, self->ioas_id,
					 IOVA_DST, BUF_SIZE));
	self->src = dma_buf_alloc(BUF_SIZE);
	self->dst = dma_buf_alloc(BUF_SIZE);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, self->src,
				 BUF_SIZE, IOVA_SRC));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, self->dst,
				 BUF_SIZE, IOVA_DST));
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, true));
}

FIXTURE_TEARDOWN(edu)
{
	if (self->devfd >= 0)
		close(self->devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	dma_buf_free(self->src, BUF_SIZE);
	dma_buf_free(self->dst, BUF_SIZE);
}

/* Faults of the unit translating the fixture's device, once settled. */
static int64_t faults(FIXTURE_DATA(edu) *self)
{
	xiommu_fault_settle(self->unit);
	return xiommu_unit_faults(self->unit);
}

/* Pattern into src, zero dst, src -> device buffer -> dst: bytes match. */
TEST_F_TIMEOUT(edu, dma_roundtrip, TIMEOUT_S)
{
	int64_t f0, f1;

	if (self->skip)
		return;
	dma_fill(self->src, BUF_SIZE, 0x11);
	memset(self->dst, 0, BUF_SIZE);
	f0 = faults(self);
	ASSERT_LE(0, f0);

	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(self->src, self->dst, DMA_LEN));
	/* Only DMA_LEN bytes were written. */
	ASSERT_TRUE(dma_all_bytes(self->dst + DMA_LEN, BUF_SIZE - DMA_LEN, 0));

	/* Offsets inside the page and in the device buffer work too. */
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SRC + 100, 1000, 333, false));
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_DST + 3000, 1000, 333, true));
	ASSERT_EQ(0, memcmp(self->src + 100, self->dst + 3000, 333));

	f1 = faults(self);
	ASSERT_EQ(f0, f1);
}

/*
 * DMA to an IOVA that is not mapped faults and changes nothing: first an
 * IOVA that was mapped and used (so a stale IOTLB entry would let it
 * through), then one that never was.
 */
TEST_F_TIMEOUT(edu, unmapped_iova_faults, TIMEOUT_S)
{
	uint8_t *expect = malloc(BUF_SIZE);
	int64_t f0, f1, f2;

	if (self->skip)
		return;
	ASSERT_NE(NULL, expect);

	/* Prime: dst holds pattern A, and the IOTLB has seen IOVA_DST. */
	dma_fill(self->src, BUF_SIZE, 0xa0);
	memset(self->dst, 0, BUF_SIZE);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(self->src, self->dst, DMA_LEN));
	memcpy(expect, self->dst, BUF_SIZE);

	/* The device buffer gets pattern B. */
	dma_fill(self->src, BUF_SIZE, 0x5b);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SRC, 0, DMA_LEN, false));

	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas_id, IOVA_DST,
				   BUF_SIZE));
	f0 = faults(self);
	ASSERT_LE(0, f0);

	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_DST, 0, DMA_LEN, true));
	f1 = faults(self);
	TH_LOG("faults %lld -> %lld", (long long)f0, (long long)f1);
	ASSERT_GT(f1, f0);
	ASSERT_EQ(0, memcmp(expect, self->dst, BUF_SIZE));

	/* Never mapped; also the read direction. */
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_UNMAPPED, 0, DMA_LEN, true));
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_UNMAPPED, 0, DMA_LEN, false));
	f2 = faults(self);
	TH_LOG("faults %lld -> %lld", (long long)f1, (long long)f2);
	ASSERT_GT(f2, f1);
	ASSERT_EQ(0, memcmp(expect, self->dst, BUF_SIZE));
	dma_fill(expect, BUF_SIZE, 0x5b);
	ASSERT_EQ(0, memcmp(expect, self->src, BUF_SIZE));
	free(expect);
}

/* After DETACH the device is blocked, not passed through. */
TEST_F_TIMEOUT(edu, detach_blocks, TIMEOUT_S)
{
	uint8_t *expect = malloc(BUF_SIZE);
	uint32_t pt_id;
	int64_t f0, f1;

	if (self->skip)
		return;
	ASSERT_NE(NULL, expect);

	dma_fill(self->src, BUF_SIZE, 0x21);
	memset(self->dst, 0, BUF_SIZE);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(self->src, self->dst, DMA_LEN));
	memcpy(expect, self->dst, BUF_SIZE);
	dma_fill(self->src, BUF_SIZE, 0x77);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SRC, 0, DMA_LEN, false));

	ASSERT_EQ(0, vfio_dev_detach(self->devfd));
	/* Detaching a detached device is a no-op. */
	ASSERT_EQ(0, vfio_dev_detach(self->devfd));
	f0 = faults(self);
	ASSERT_LE(0, f0);

	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_DST, 0, DMA_LEN, true));
	f1 = faults(self);
	TH_LOG("faults %lld -> %lld", (long long)f0, (long long)f1);
	ASSERT_GT(f1, f0);
	ASSERT_EQ(0, memcmp(expect, self->dst, BUF_SIZE));

	/* Attaching again (the IOAS still maps dst) lets pattern B through. */
	pt_id = self->ioas_id;
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt_id));
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(self->src, self->dst, DMA_LEN));
	free(expect);
}

/* Attaching an attached device again replaces its HWPT in place. */
TEST_F_TIMEOUT(edu, attach_replace, TIMEOUT_S)
{
	uint32_t ioas2, pt_id;
	uint8_t *dst2;

	if (self->skip)
		return;
	dst2 = dma_buf_alloc(BUF_SIZE);
	ASSERT_NE(NULL, dst2);
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &ioas2));
	/* Same IOVAs, different memory behind IOVA_DST. */
	ASSERT_EQ(0, iommufd_map(self->iommufd, ioas2, self->src, BUF_SIZE,
				 IOVA_SRC));
	ASSERT_EQ(0, iommufd_map(self->iommufd, ioas2, dst2, BUF_SIZE,
				 IOVA_DST));

	pt_id = ioas2;
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt_id));
	ASSERT_NE(ioas2, pt_id);
	dma_fill(self->src, BUF_SIZE, 0x3c);
	memset(self->dst, 0, BUF_SIZE);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(self->src, dst2, DMA_LEN));
	ASSERT_TRUE(dma_all_bytes(self->dst, BUF_SIZE, 0));

	/*
	 * Back to the first IOAS (its automatic HWPT may have been freed when
	 * the device left it, so the id may be new).
	 */
	pt_id = self->ioas_id;
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt_id));
	ASSERT_NE(self->ioas_id, pt_id);
	ASSERT_NE(ioas2, pt_id);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(self->src, self->dst, DMA_LEN));
	dma_buf_free(dst2, BUF_SIZE);
}

/*
 * Replace has no window: a child process keeps DMAing the device buffer to
 * IOVA_DST while the parent flips the device between two HWPTs that both
 * map IOVA_DST (to different pages). A replace that passed through a
 * blocked or unmapped state would fault some of those DMAs; every one must
 * land in one of the two pages, and the unit reports no fault.
 */
#define REPLACE_DMAS	24

TEST_F_TIMEOUT(edu, replace_no_window, TIMEOUT_S)
{
	uint32_t ioas2, hwpt1, hwpt2, pt_id;
	int64_t f0, f1;
	uint8_t *dst2;
	int flips = 0, status;
	pid_t child;

	if (self->skip)
		return;
	dst2 = dma_buf_alloc(BUF_SIZE);
	ASSERT_NE(NULL, dst2);
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &ioas2));
	ASSERT_EQ(0, iommufd_map(self->iommufd, ioas2, self->src, BUF_SIZE,
				 IOVA_SRC));
	ASSERT_EQ(0, iommufd_map(self->iommufd, ioas2, dst2, BUF_SIZE,
				 IOVA_DST));
	/* Explicit HWPTs: they outlive the device leaving them. */
	ASSERT_EQ(0, iommufd_hwpt_alloc(self->iommufd, self->devid,
					self->ioas_id, &hwpt1));
	ASSERT_EQ(0, iommufd_hwpt_alloc(self->iommufd, self->devid, ioas2,
					&hwpt2));
	pt_id = hwpt1;
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt_id));

	dma_fill(self->src, BUF_SIZE, 0x6e);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SRC, 0, DMA_LEN, false));
	memset(self->dst, 0, BUF_SIZE);
	f0 = faults(self);
	ASSERT_LE(0, f0);

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int i;

		for (i = 0; i < REPLACE_DMAS; i++)
			if (edu_dma(self->devfd, IOVA_DST, 0, DMA_LEN, true))
				_exit(1);
		_exit(0);
	}
	for (;;) {
		pid_t done = waitpid(child, &status, WNOHANG);
		int ret;

		if (done)
			break;
		pt_id = flips & 1 ? hwpt1 : hwpt2;
		ret = vfio_dev_attach(self->devfd, &pt_id);
		if (ret) {
			/* The child holds the device fd: do not leave it. */
			kill(child, SIGKILL);
			waitpid(child, &status, 0);
			ASSERT_EQ(0, ret);
		}
		flips++;
		usleep(1000);
	}
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	TH_LOG("%d replaces during %d DMAs", flips, REPLACE_DMAS);
	ASSERT_LT(2, flips);

	f1 = faults(self);
	ASSERT_EQ(f0, f1);
	/* Each page holds the full pattern or was never written. */
	ASSERT_TRUE(!memcmp(self->src, self->dst, DMA_LEN) ||
		    dma_all_bytes(self->dst, BUF_SIZE, 0));
	ASSERT_TRUE(!memcmp(self->src, dst2, DMA_LEN) ||
		    dma_all_bytes(dst2, BUF_SIZE, 0));
	ASSERT_TRUE(!memcmp(self->src, self->dst, DMA_LEN) ||
		    !memcmp(self->src, dst2, DMA_LEN));

	/* Where the device sits now is where DMA goes. */
	pt_id = hwpt2;
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt_id));
	memset(self->dst, 0, BUF_SIZE);
	memset(dst2, 0, BUF_SIZE);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(self->src, dst2, DMA_LEN));
	ASSERT_TRUE(dma_all_bytes(self->dst, BUF_SIZE, 0));
	dma_buf_free(dst2, BUF_SIZE);
}

/* The ioctls' argument checks, with the exact upstream errno. */
TEST_F_TIMEOUT(edu, ioctl_args, TIMEOUT_S)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};
	struct vfio_region_info region;
	struct vfio_device_info info;
	uint32_t pt_id;

	if (self->skip)
		return;
	/* Already bound. */
	ASSERT_EQ(-EINVAL, vfio_dev_bind(self->devfd, self->iommufd, NULL));

	/* Unknown flags (bit 0 is PASID: selftests/vfio_pasid.c) */
	attach.pt_id = self->ioas_id;
	attach.flags = 2;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd,
				      VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	attach.flags = 0;
	attach.argsz = 8;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd,
				      VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	detach.flags = 2;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd,
				      VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach));
	detach.flags = 0;
	detach.argsz = 4;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd,
				      VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach));
	/* The core's answer for an id that names nothing. */
	pt_id = 0xdead;
	ASSERT_EQ(-ENOENT, vfio_dev_attach(self->devfd, &pt_id));

	ASSERT_EQ(0, vfio_dev_info(self->devfd, &info));
	ASSERT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	ASSERT_EQ(VFIO_PCI_NUM_REGIONS, info.num_regions);
	info.argsz = 8;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd, VFIO_DEVICE_GET_INFO,
				      &info));

	ASSERT_EQ(0, vfio_dev_region(self->devfd, VFIO_PCI_BAR0_REGION_INDEX,
				     &region));
	ASSERT_EQ(1 << 20, region.size);	/* edu BAR0: 1 MiB */
	ASSERT_EQ(VFIO_REGION_OFFSET(0), region.offset);
	ASSERT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP, region.flags);
	ASSERT_EQ(0, vfio_dev_region(self->devfd,
				     VFIO_PCI_CONFIG_REGION_INDEX, &region));
	ASSERT_LE(256, region.size);
	ASSERT_EQ(VFIO_REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX),
		  region.offset);
	ASSERT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		  region.flags);
	ASSERT_EQ(-EINVAL, vfio_dev_region(self->devfd, VFIO_PCI_NUM_REGIONS,
					   &region));
	/* The edu has no function reset method: no RESET flag, EINVAL. */
	ASSERT_EQ(0, vfio_dev_info(self->devfd, &info));
	ASSERT_EQ(0, info.flags & VFIO_DEVICE_FLAGS_RESET);
	ASSERT_EQ(VFIO_PCI_NUM_IRQS, info.num_irqs);
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd, VFIO_DEVICE_RESET, NULL));
	/* An ioctl number the device does not know. */
	ASSERT_EQ(-ENOTTY, vfio_ioctl(self->devfd, _IO(VFIO_TYPE, VFIO_BASE + 40),
				      NULL));
}

/*
 * Config space: writes user space may not do are dropped (the write
 * succeeds, nothing changes in the device); BAR writes are virtual; the
 * command register's Bus Master bit is real. (Before config space was
 * virtualized these writes failed with EPERM; the device-side guarantee,
 * nothing changes, is checked in the device's real config space.)
 */
TEST_F_TIMEOUT(edu, config_policy, TIMEOUT_S)
{
	uint32_t id, bar0, val, real;
	uint16_t cmd;
	uint8_t hdr[64];

	if (self->skip)
		return;
	ASSERT_EQ(0, vfio_dev_pread(self->devfd, VFIO_PCI_CONFIG_REGION_INDEX,
				    0, hdr, sizeof(hdr)));
	memcpy(&id, hdr, 4);
	ASSERT_EQ((uint32_t)EDU_DEVICE << 16 | EDU_VENDOR, id);
	memcpy(&bar0, hdr + 0x10, 4);
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x10, &real, 4));
	ASSERT_EQ(real, bar0);

	/* A BAR write is virtual: the size mask reads back, the device keeps
	 * its address and still answers there. */
	ASSERT_EQ(0, vfio_dev_pwrite(self->devfd,
				     VFIO_PCI_CONFIG_REGION_INDEX, 0x10,
				     "\xff\xff\xff\xff", 4));
	ASSERT_EQ(0, vfio_dev_pread(self->devfd, VFIO_PCI_CONFIG_REGION_INDEX,
				    0x10, &val, 4));
	ASSERT_EQ(0xfff00000, val);	/* 1 MiB, 32-bit, non-prefetchable */
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x10, &real, 4));
	ASSERT_EQ(bar0, real);
	ASSERT_EQ(0, edu_read32(self->devfd, EDU_REG_ID, &val));
	ASSERT_EQ(EDU_ID_VALUE, val);

	/* Read-only fields: the write is dropped, not failed. */
	ASSERT_EQ(0, vfio_dev_pwrite(self->devfd,
				     VFIO_PCI_CONFIG_REGION_INDEX, 0x0,
				     "\xff\xff\xff\xff", 4));
	ASSERT_EQ(0, vfio_dev_pread(self->devfd, VFIO_PCI_CONFIG_REGION_INDEX,
				    0x0, &val, 4));
	ASSERT_EQ(id, val);
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x0, &real, 4));
	ASSERT_EQ(id, real);
	ASSERT_EQ(0, vfio_dev_pwrite(self->devfd,
				     VFIO_PCI_CONFIG_REGION_INDEX, 0x8,
				     "\x00\x00\x00\x00", 4));
	ASSERT_EQ(0, vfio_dev_pread(self->devfd, VFIO_PCI_CONFIG_REGION_INDEX,
				    0x8, &val, 4));
	ASSERT_EQ(0, memcmp(&val, hdr + 0x8, 4));
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x8, &real, 4));
	ASSERT_EQ(0, memcmp(&real, hdr + 0x8, 4));

	/* Bus Master toggles; a dword write at 4 (command + status) works. */
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, false));
	ASSERT_EQ(0, pci_config_read_real(self->bdf, VFIO_PCI_COMMAND, &cmd,
					  2));
	ASSERT_EQ(0, cmd & VFIO_PCI_COMMAND_MASTER);
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, true));
	ASSERT_EQ(0, pci_config_read_real(self->bdf, VFIO_PCI_COMMAND, &cmd,
					  2));
	ASSERT_NE(0, cmd & VFIO_PCI_COMMAND_MASTER);
	ASSERT_EQ(0, vfio_cfg_read16(self->devfd, VFIO_PCI_COMMAND, &cmd));
	id = cmd & ~VFIO_PCI_COMMAND_MASTER;
	ASSERT_EQ(0, vfio_dev_pwrite(self->devfd,
				     VFIO_PCI_CONFIG_REGION_INDEX, 4, &id, 4));
	ASSERT_EQ(0, vfio_cfg_read16(self->devfd, VFIO_PCI_COMMAND, &cmd));
	ASSERT_EQ(0, cmd & VFIO_PCI_COMMAND_MASTER);
}

/* BAR0 through mmap: the edu identification register. */
TEST_F_TIMEOUT(edu, mmap_bar0, TIMEOUT_S)
{
	volatile uint32_t *bar;
	uint32_t id;

	if (self->skip)
		return;
	bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->devfd, VFIO_REGION_OFFSET(0));
	ASSERT_NE(MAP_FAILED, bar);
	ASSERT_EQ(EDU_ID_VALUE, bar[EDU_REG_ID / 4]);
	ASSERT_EQ(0, edu_read32(self->devfd, EDU_REG_ID, &id));
	ASSERT_EQ(EDU_ID_VALUE, id);
	munmap((void *)bar, 4096);

	/* Private mappings and ranges past the BAR are refused. */
	ASSERT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE,
				   self->devfd, VFIO_REGION_OFFSET(0)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   self->devfd,
				   VFIO_REGION_OFFSET(0) + (1 << 20)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   self->devfd,
				   VFIO_REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX)));
	ASSERT_EQ(EINVAL, errno);
}

/* Tests that set up their own devices. */
FIXTURE(plain) {
	int unused;
};

FIXTURE_SETUP(plain)
{
}

FIXTURE_TEARDOWN(plain)
{
}

/* (5) An fd that is not bound gives no device access at all. */
TEST_F_TIMEOUT(plain, no_access_before_bind, TIMEOUT_S)
{
	char bdf[PCI_BDF_LEN];
	struct vfio_region_info region;
	struct vfio_device_info info;
	struct vfio_device_bind_iommufd bind;
	uint32_t pt_id = 1, val, devid;
	int devfd, devfd2, iommufd;
	void *map;

	if (edu_find_solo(bdf))
		SKIP(return, "no edu device");
	ASSERT_EQ(0, vfio_dev_bind_driver(bdf));
	devfd = vfio_dev_open(bdf);
	ASSERT_LE(0, devfd);

	ASSERT_EQ(-EINVAL, vfio_dev_pread(devfd, VFIO_PCI_BAR0_REGION_INDEX,
					  0, &val, 4));
	ASSERT_EQ(-EINVAL, vfio_dev_pread(devfd, VFIO_PCI_CONFIG_REGION_INDEX,
					  0, &val, 4));
	val = 0;
	ASSERT_EQ(-EINVAL, vfio_dev_pwrite(devfd, VFIO_PCI_BAR0_REGION_INDEX,
					   EDU_REG_DMA_CMD, &val, 4));
	ASSERT_EQ(-EINVAL, vfio_dev_pwrite(devfd, VFIO_PCI_CONFIG_REGION_INDEX,
					   VFIO_PCI_COMMAND, &val, 2));
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, devfd,
		   VFIO_REGION_OFFSET(0));
	ASSERT_EQ(MAP_FAILED, map);
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-EINVAL, vfio_dev_region(devfd, VFIO_PCI_BAR0_REGION_INDEX,
					   &region));
	ASSERT_EQ(-EINVAL, vfio_dev_info(devfd, &info));
	ASSERT_EQ(-EINVAL, vfio_dev_attach(devfd, &pt_id));
	ASSERT_EQ(-EINVAL, vfio_dev_detach(devfd));
	ASSERT_EQ(-EINVAL, vfio_ioctl(devfd, VFIO_DEVICE_RESET, NULL));

	/* BIND's own checks. */
	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	memset(&bind, 0, sizeof(bind));
	bind.argsz = 12;
	bind.iommufd = iommufd;
	ASSERT_EQ(-EINVAL, vfio_ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	bind.argsz = sizeof(bind);
	bind.flags = 1;
	ASSERT_EQ(-EINVAL, vfio_ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	ASSERT_EQ(-EINVAL, vfio_dev_bind(devfd, -1, NULL));
	ASSERT_EQ(-EBADF, vfio_dev_bind(devfd, 1000, NULL));
	/* Not a /dev/iommu file: as upstream iommufd_ctx_from_fd(). */
	ASSERT_EQ(-EBADFD, vfio_dev_bind(devfd, devfd, NULL));
	ASSERT_EQ(-EFAULT, vfio_ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD,
				      (void *)8));

	/* A failed bind leaves the fd as it was; a good one opens access. */
	ASSERT_EQ(-EINVAL, vfio_dev_pread(devfd, VFIO_PCI_BAR0_REGION_INDEX,
					  0, &val, 4));
	ASSERT_EQ(0, vfio_dev_bind(devfd, iommufd, &devid));
	ASSERT_EQ(0, edu_read32(devfd, EDU_REG_ID, &val));
	ASSERT_EQ(EDU_ID_VALUE, val);

	/* One bound fd per device: a second fd stays inert. */
	devfd2 = vfio_dev_open(bdf);
	ASSERT_LE(0, devfd2);
	ASSERT_EQ(-EINVAL, vfio_dev_bind(devfd2, iommufd, NULL));
	ASSERT_EQ(-EINVAL, vfio_dev_pread(devfd2, VFIO_PCI_BAR0_REGION_INDEX,
					  0, &val, 4));
	close(devfd2);

	/* Closing unbinds: a new fd can bind again. */
	close(devfd);
	devfd = vfio_dev_open(bdf);
	ASSERT_LE(0, devfd);
	ASSERT_EQ(0, vfio_dev_bind(devfd, iommufd, NULL));
	close(devfd);
	close(iommufd);
}

/*
 * (4) Binding one edu behind the PCIe-to-PCI bridge claims its sibling:
 * the idle sibling gets driver_override (until the last unbind), and the
 * sibling cannot be bound to another iommufd context.
 */
TEST_F_TIMEOUT(plain, group_claims_sibling, TIMEOUT_S)
{
	char a[PCI_BDF_LEN], b[PCI_BDF_LEN];
	int fda, fdb, ictx1, ictx2;

	if (edu_find_pair(a, b))
		SKIP(return, "no two edus behind one bridge");
	TH_LOG("group: %s + %s", a, b);
	ASSERT_EQ(0, pci_make_idle(a));
	ASSERT_EQ(0, pci_make_idle(b));
	ASSERT_EQ(0, vfio_dev_bind_driver(a));
	ASSERT_TRUE(pci_override_is(b, ""));

	ictx1 = iommufd_open();
	ASSERT_LE(0, ictx1);
	ictx2 = iommufd_open();
	ASSERT_LE(0, ictx2);

	/* Claim and give back: the idle sibling is guarded, then restored. */
	fda = vfio_dev_open(a);
	ASSERT_LE(0, fda);
	ASSERT_EQ(0, vfio_dev_bind(fda, ictx1, NULL));
	ASSERT_TRUE(pci_override_is(b, VFIO_DEV_DRIVER));
	close(fda);
	ASSERT_TRUE(pci_override_is(b, ""));

	/* The sibling, bound to our driver, is refused to another context. */
	fda = vfio_dev_open(a);
	ASSERT_LE(0, fda);
	ASSERT_EQ(0, vfio_dev_bind(fda, ictx1, NULL));
	ASSERT_EQ(0, vfio_dev_bind_driver(b));
	fdb = vfio_dev_open(b);
	ASSERT_LE(0, fdb);
	ASSERT_EQ(-EBUSY, vfio_dev_bind(fdb, ictx2, NULL));
	/* The same context may bind it. */
	ASSERT_EQ(0, vfio_dev_bind(fdb, ictx1, NULL));
	close(fdb);
	close(fda);

	/* With the group free again, the other context can have it. */
	fdb = vfio_dev_open(b);
	ASSERT_LE(0, fdb);
	ASSERT_EQ(0, vfio_dev_bind(fdb, ictx2, NULL));
	close(fdb);

	close(ictx1);
	close(ictx2);
	ASSERT_EQ(0, pci_make_idle(b));
}

/*
 * Two devices in different groups, each attached to its own IOAS, with
 * the same IOVAs mapped to different pages: each device's DMA reaches
 * only its own pages, and an IOVA only the other IOAS maps faults.
 */
TEST_F_TIMEOUT(plain, two_ioas_isolated, TIMEOUT_S)
{
	char a[PCI_BDF_LEN], b[PCI_BDF_LEN];
	char unit_a[XIOMMU_UNIT_LEN], unit_b[XIOMMU_UNIT_LEN];
	uint8_t *src_a, *dst_a, *src_b, *dst_b, *only_a;
	uint32_t ioas_a, ioas_b;
	int iommufd, fda, fdb;
	int64_t fa, fb;

	if (edu_find_two_groups(a, b))
		SKIP(return, "no two edus in different groups");
	TH_LOG("A %s, B %s", a, b);
	ASSERT_EQ(0, pci_make_idle(a));
	ASSERT_EQ(0, pci_make_idle(b));
	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(iommufd, &ioas_a));
	ASSERT_EQ(0, iommufd_ioas_alloc(iommufd, &ioas_b));
	src_a = dma_buf_alloc(BUF_SIZE);
	dst_a = dma_buf_alloc(BUF_SIZE);
	src_b = dma_buf_alloc(BUF_SIZE);
	dst_b = dma_buf_alloc(BUF_SIZE);
	only_a = dma_buf_alloc(BUF_SIZE);
	ASSERT_TRUE(src_a && dst_a && src_b && dst_b && only_a);
	ASSERT_EQ(0, iommufd_map(iommufd, ioas_a, src_a, BUF_SIZE, IOVA_SRC));
	ASSERT_EQ(0, iommufd_map(iommufd, ioas_a, dst_a, BUF_SIZE, IOVA_DST));
	ASSERT_EQ(0, iommufd_map(iommufd, ioas_a, only_a, BUF_SIZE,
				 IOVA_UNMAPPED));
	ASSERT_EQ(0, iommufd_map(iommufd, ioas_b, src_b, BUF_SIZE, IOVA_SRC));
	ASSERT_EQ(0, iommufd_map(iommufd, ioas_b, dst_b, BUF_SIZE, IOVA_DST));

	fda = edu_open_attached(a, iommufd, ioas_a, NULL);
	ASSERT_LE(0, fda);
	fdb = edu_open_attached(b, iommufd, ioas_b, NULL);
	ASSERT_LE(0, fdb);
	ASSERT_EQ(0, xiommu_dev_unit(a, unit_a, sizeof(unit_a)));
	ASSERT_EQ(0, xiommu_dev_unit(b, unit_b, sizeof(unit_b)));

	dma_fill(src_a, BUF_SIZE, 0xa1);
	dma_fill(src_b, BUF_SIZE, 0xb2);
	ASSERT_EQ(0, edu_dma(fda, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(fdb, IOVA_SRC, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(fda, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, edu_dma(fdb, IOVA_DST, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(src_a, dst_a, DMA_LEN));
	ASSERT_EQ(0, memcmp(src_b, dst_b, DMA_LEN));

	/* B writes to an IOVA only A's IOAS maps: fault, A's page intact. */
	xiommu_fault_settle(unit_b);
	fb = xiommu_unit_faults(unit_b);
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, edu_dma(fdb, IOVA_UNMAPPED, 0, DMA_LEN, true));
	xiommu_fault_settle(unit_b);
	ASSERT_LT(fb, xiommu_unit_faults(unit_b));
	ASSERT_TRUE(dma_all_bytes(only_a, BUF_SIZE, 0));
	/* A reaches it. */
	xiommu_fault_settle(unit_a);
	fa = xiommu_unit_faults(unit_a);
	ASSERT_EQ(0, edu_dma(fda, IOVA_UNMAPPED, 0, DMA_LEN, true));
	ASSERT_EQ(0, memcmp(src_a, only_a, DMA_LEN));
	xiommu_fault_settle(unit_a);
	ASSERT_EQ(fa, xiommu_unit_faults(unit_a));

	close(fda);
	close(fdb);
	close(iommufd);
	dma_buf_free(src_a, BUF_SIZE);
	dma_buf_free(dst_a, BUF_SIZE);
	dma_buf_free(src_b, BUF_SIZE);
	dma_buf_free(dst_b, BUF_SIZE);
	dma_buf_free(only_a, BUF_SIZE);
	ASSERT_EQ(0, pci_make_idle(a));
	ASSERT_EQ(0, pci_make_idle(b));
}

/* The command register as the kernel sees it (sysfs config file). */
static int sysfs_command(const char *bdf, uint16_t *cmd)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	if (pread(fd, cmd, 2, VFIO_PCI_COMMAND) != 2)
		ret = -EIO;
	close(fd);
	return ret;
}

/* Closing a bound fd turns Bus Master off before the group is given back. */
TEST_F_TIMEOUT(plain, close_quiesces, TIMEOUT_S)
{
	char bdf[PCI_BDF_LEN];
	int devfd, iommufd;
	uint16_t cmd;

	if (edu_find_solo(bdf))
		SKIP(return, "no edu device");
	ASSERT_EQ(0, vfio_dev_bind_driver(bdf));
	devfd = vfio_dev_open(bdf);
	ASSERT_LE(0, devfd);
	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	ASSERT_EQ(0, vfio_dev_bind(devfd, iommufd, NULL));
	ASSERT_EQ(0, vfio_dev_set_master(devfd, true));
	ASSERT_EQ(0, sysfs_command(bdf, &cmd));
	ASSERT_TRUE(cmd & VFIO_PCI_COMMAND_MASTER);
	close(devfd);
	ASSERT_EQ(0, sysfs_command(bdf, &cmd));
	ASSERT_FALSE(cmd & VFIO_PCI_COMMAND_MASTER);
	close(iommufd);
}

/*
 * Removing the driver from a group member that holds the group's last
 * ownership, where that member was guarded (driver_override set by the
 * claim) while idle and bound to xiommu-vfio-pci afterwards. The core's
 * release then restores the member's driver_override from inside its own
 * remove(), under its device lock: the core must not take that lock
 * again (it once did, and the guest hung).
 */
TEST_F_TIMEOUT(plain, remove_guarded_last_owner, TIMEOUT_S)
{
	char a[PCI_BDF_LEN], b[PCI_BDF_LEN];
	int fda, fdb, ictx;

	if (edu_find_pair(a, b))
		SKIP(return, "no two edus behind one bridge");
	ASSERT_EQ(0, pci_make_idle(a));
	ASSERT_EQ(0, pci_make_idle(b));
	ASSERT_EQ(0, vfio_dev_bind_driver(a));
	ictx = iommufd_open();
	ASSERT_LE(0, ictx);
	fda = vfio_dev_open(a);
	ASSERT_LE(0, fda);
	ASSERT_EQ(0, vfio_dev_bind(fda, ictx, NULL));	/* guards b */
	ASSERT_EQ(0, vfio_dev_bind_driver(b));
	fdb = vfio_dev_open(b);
	ASSERT_LE(0, fdb);
	ASSERT_EQ(0, vfio_dev_bind(fdb, ictx, NULL));
	close(fda);					/* b is the last owner */
	ASSERT_EQ(0, pci_unbind(b));			/* revokes b */
	close(fdb);
	close(ictx);
	ASSERT_EQ(0, pci_make_idle(b));
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig __attribute__((unused)))
{
	siglongjmp(bus_jmp, 1);
}

/* Touch a mapped BAR page; return the signal it raised, 0 if none. */
static int touch(volatile uint32_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int sig = 0;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1))
		sig = SIGBUS;
	else
		(void)*p;
	sigaction(SIGBUS, &old, NULL);
	return sig;
}

/*
 * Unbinding the driver while a bound fd is open revokes it: no crash,
 * every access fails with ENODEV, the BAR mapping raises SIGBUS, and the
 * device can be bound again afterwards.
 */
TEST_F_TIMEOUT(plain, remove_revokes, TIMEOUT_S)
{
	char bdf[PCI_BDF_LEN];
	struct vfio_device_info info;
	volatile uint32_t *bar;
	int devfd, iommufd;
	uint32_t ioas_id, pt_id, val;

	if (edu_find_solo(bdf))
		SKIP(return, "no edu device");
	ASSERT_EQ(0, vfio_dev_bind_driver(bdf));
	devfd = vfio_dev_open(bdf);
	ASSERT_LE(0, devfd);
	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	ASSERT_EQ(0, vfio_dev_bind(devfd, iommufd, NULL));
	ASSERT_EQ(0, iommufd_ioas_alloc(iommufd, &ioas_id));
	pt_id = ioas_id;
	ASSERT_EQ(0, vfio_dev_attach(devfd, &pt_id));
	bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, devfd,
		   VFIO_REGION_OFFSET(0));
	ASSERT_NE(MAP_FAILED, bar);
	ASSERT_EQ(0, touch(bar));
	ASSERT_EQ(EDU_ID_VALUE, bar[0]);

	ASSERT_EQ(0, pci_unbind(bdf));

	ASSERT_EQ(-ENODEV, vfio_dev_info(devfd, &info));
	ASSERT_EQ(-ENODEV, edu_read32(devfd, EDU_REG_ID, &val));
	ASSERT_EQ(-ENODEV, vfio_dev_detach(devfd));
	ASSERT_EQ(-ENODEV, vfio_dev_bind(devfd, iommufd, NULL));
	ASSERT_EQ(SIGBUS, touch(bar));
	ASSERT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, devfd,
				   VFIO_REGION_OFFSET(0)));
	ASSERT_EQ(ENODEV, errno);
	munmap((void *)bar, 4096);
	close(devfd);

	/* Back in business. */
	ASSERT_EQ(0, vfio_dev_bind_driver(bdf));
	devfd = vfio_dev_open(bdf);
	ASSERT_LE(0, devfd);
	ASSERT_EQ(0, vfio_dev_bind(devfd, iommufd, NULL));
	ASSERT_EQ(0, edu_read32(devfd, EDU_REG_ID, &val));
	ASSERT_EQ(EDU_ID_VALUE, val);
	close(devfd);
	close(iommufd);
}

TEST_HARNESS_MAIN
