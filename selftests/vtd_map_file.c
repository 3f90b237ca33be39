// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_IOAS_MAP_FILE with a real device: a QEMU edu DMAs through the VT-d
 * driver into and out of a memfd that the IOAS maps by file offset (not by
 * user address). The user mapping is dropped before the DMA and a new one
 * made afterwards to read the result: the device sees the file's pages.
 *
 *   scripts/vm --profile vtd --add build/bin/vtd_map_file -- /vtd_map_file
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <linux/iommufd.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"

#define FILE_LEN	(64 * 1024UL)
#define IOVA_BASE	0x8000000ULL	/* below edu's 256 MiB DMA limit */
#define DMA_LEN		2048
#define TIMEOUT_S	180

FIXTURE(vtdfile) {
	char bdf[PCI_BDF_LEN];
	char unit[XIOMMU_UNIT_LEN];
	int iommufd, devfd, mfd;
	uint32_t ioas;
};

FIXTURE_SETUP(vtdfile)
{
	self->iommufd = -1;
	self->devfd = -1;
	self->mfd = -1;
	if (edu_find_solo(self->bdf))
		SKIP(return, "no edu device");
	if (xiommu_dev_unit(self->bdf, self->unit, sizeof(self->unit)) ||
	    strncmp(self->unit, "dmar", 4)) {
		self->unit[0] = 0;
		SKIP(return, "edu not translated by a VT-d unit");
	}
	ASSERT_EQ(0, pci_make_idle(self->bdf));
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas));
	self->devfd = edu_open_attached(self->bdf, self->iommufd, self->ioas,
					NULL);
	ASSERT_LE(0, self->devfd);
	self->mfd = memfd_create("vtd_map_file", 0);
	ASSERT_LE(0, self->mfd);
	ASSERT_EQ(0, ftruncate(self->mfd, FILE_LEN));
}

FIXTURE_TEARDOWN(vtdfile)
{
	if (self->devfd >= 0)
		close(self->devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	if (self->mfd >= 0)
		close(self->mfd);
	if (self->unit[0])
		pci_make_idle(self->bdf);
}

static int map_file(FIXTURE_DATA(vtdfile) *self, uint64_t start,
		    uint64_t length, uint64_t iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = self->ioas,
		.fd = self->mfd,
		.start = start,
		.length = length,
		.iova = iova,
	};

	return ioctl(self->iommufd, IOMMU_IOAS_MAP_FILE, &cmd) ? -errno : 0;
}

/* Device copies file bytes [4K, 4K + DMA_LEN) to [40K, ...) by IOVA. */
TEST_F_TIMEOUT(vtdfile, dma_without_user_va, TIMEOUT_S)
{
	uint8_t *mem;

	mem = mmap(NULL, FILE_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->mfd, 0);
	ASSERT_NE(MAP_FAILED, mem);
	dma_fill(mem, FILE_LEN, 0x5c);
	memset(mem + 40960, 0, DMA_LEN);
	/* The file from offset 4 KiB, at IOVA_BASE */
	ASSERT_EQ(0, map_file(self, 4096, FILE_LEN - 4096, IOVA_BASE));
	ASSERT_EQ(0, munmap(mem, FILE_LEN));

	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_BASE, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_BASE + 36864, 0, DMA_LEN,
			     true));

	mem = mmap(NULL, FILE_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->mfd, 0);
	ASSERT_NE(MAP_FAILED, mem);
	EXPECT_EQ(0, memcmp(mem + 4096, mem + 40960, DMA_LEN));
	munmap(mem, FILE_LEN);
}

TEST_HARNESS_MAIN
