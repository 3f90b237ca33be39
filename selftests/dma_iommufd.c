// SPDX-License-Identifier: GPL-2.0-only
/*
 * The iommufd core's page-size and VFIO-compatibility paths with a real
 * device: a QEMU edu DMAs through the IOMMU driver (VT-d, SMMUv3,
 * virtio-iommu) while the IOAS maps transparent huge pages (MADV_HUGEPAGE
 * anonymous memory, no hugetlbfs needed), with IOMMU_OPTION_HUGE_PAGES on
 * and off, and through the VFIO type1 container ioctls on /dev/iommu
 * (TYPE1v2, and TYPE1 with a partial unmap). What the driver built is read
 * from debugfs where the driver counts leaves per page size in its
 * "domains" file (VT-d: the domain by its did; SMMUv3: by its ASID); with
 * virtio-iommu (no page tables of ours) only the DMA is checked.
 * (vtd_superpage.c and smmu_v3.c cover hugetlb pages and the
 * invalidations.)
 *
 *   scripts/vm --profile vtd --add build/bin/dma_iommufd -- /dma_iommufd
 *   scripts/vm --profile smmuv3 --add build/arm64/bin/dma_iommufd -- /dma_iommufd
 */
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"
#include "lib/thp.h"

#define SZ_2M		0x200000UL
#define BUF_LEN		(2 * SZ_2M)
/* 2 MiB aligned, below edu's 256 MiB, clear of arm64 virt's MSI doorbell */
#define IOVA_BASE	0x4000000ULL
#define DMA_LEN		2048
#define TIMEOUT_S	180

/*
 * The "domains" line prefix of @bdf's current domain on @unit: VT-d names
 * it by domain id, SMMUv3 by ASID (its "ste" file: "<bdf> sid 0x<sid>
 * translate asid N"). Return: 0, -ENOENT, -EOPNOTSUPP (no leaf counts).
 */
static int dev_domain_key(const char *unit, const char *bdf, char *want,
			  size_t len)
{
	char path[PATH_MAX], line[256], pre[64], *p;
	int id = -1;
	FILE *f;

	if (!strncmp(unit, "dmar", 4)) {
		id = xiommu_dev_did(unit, bdf);
		if (id < 0)
			return -ENOENT;
		snprintf(want, len, "domain did %d ", id);
		return 0;
	}
	if (strncmp(unit, "smmu", 4))
		return -EOPNOTSUPP;
	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/ste", unit);
	snprintf(pre, sizeof(pre), "%s sid ", bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	/* the first line of a device is its own requester ID */
	while (id < 0 && fgets(line, sizeof(line), f)) {
		if (strncmp(line, pre, strlen(pre)))
			continue;
		p = strstr(line, " translate asid ");
		if (!p)
			break;
		id = atoi(p + strlen(" translate asid "));
	}
	fclose(f);
	if (id < 0)
		return -ENOENT;
	snprintf(want, len, "domain asid %d ", id);
	return 0;
}

/*
 * 4 KiB and 2 MiB leaves of @bdf's current domain ("domains" file), less
 * the driver's own (@base: the SMMUv3 maps the MSI doorbell in every
 * paging domain). Return: 0, -ENOENT, -EOPNOTSUPP.
 */
static int dev_leaves_raw(const char *unit, const char *bdf, long *n4k,
			  long *n2m)
{
	char path[PATH_MAX], line[512], want[32], *p;
	int ret = dev_domain_key(unit, bdf, want, sizeof(want));
	FILE *f;

	if (ret)
		return ret;
	ret = -ENOENT;
	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/domains", unit);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		p = strstr(line, " leaves ");
		if (p && sscanf(p, " leaves 4K %ld 2M %ld", n4k, n2m) == 2)
			ret = 0;
	}
	fclose(f);
	return ret;
}

FIXTURE(iofd) {
	char bdf[PCI_BDF_LEN];
	char unit[XIOMMU_UNIT_LEN];
	bool leaves;		/* the unit counts leaves per size */
	long base4k, base2m;	/* the driver's own leaves */
	int iommufd, devfd;
	uint32_t ioas;
	void *raw;
	uint8_t *buf;
};

FIXTURE_SETUP(iofd)
{
	int ret;

	self->iommufd = -1;
	self->devfd = -1;
	self->raw = NULL;
	if (edu_find_solo(self->bdf))
		SKIP(return, "no edu device");
	if (xiommu_dev_unit(self->bdf, self->unit, sizeof(self->unit))) {
		self->unit[0] = 0;
		SKIP(return, "edu not translated by an xiommu unit");
	}
	/* Two 2 MiB aligned transparent huge pages */
	self->raw = mmap(NULL, BUF_LEN + SZ_2M, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->raw);
	self->buf = (uint8_t *)(((uintptr_t)self->raw + SZ_2M - 1) &
				~(SZ_2M - 1));
	/* (kernels without CONFIG_TRANSPARENT_HUGEPAGE: EINVAL) */
	if (madvise(self->buf, BUF_LEN, MADV_HUGEPAGE)) {
		self->unit[0] = 0;
		SKIP(return, "no transparent huge pages: %s", strerror(errno));
	}
	memset(self->buf, 1, BUF_LEN);
	if (thp_kb() < (long)(BUF_LEN / 1024)) {
		self->unit[0] = 0;
		SKIP(return, "no transparent huge pages (%ld kB)", thp_kb());
	}

	ASSERT_EQ(0, pci_make_idle(self->bdf));
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas));
	self->devfd = edu_open_attached(self->bdf, self->iommufd, self->ioas,
					NULL);
	ASSERT_LE(0, self->devfd);
	ret = dev_leaves_raw(self->unit, self->bdf, &self->base4k,
			     &self->base2m);
	if (ret != -EOPNOTSUPP)
		ASSERT_EQ(0, ret);
	self->leaves = !ret;
}

/* dev_leaves_raw() less what the domain held before the test mapped. */
static int dev_leaves(FIXTURE_DATA(iofd) *self, long *n4k, long *n2m)
{
	int ret = dev_leaves_raw(self->unit, self->bdf, n4k, n2m);

	*n4k -= self->base4k;
	*n2m -= self->base2m;
	return ret;
}

FIXTURE_TEARDOWN(iofd)
{
	if (self->devfd >= 0)
		close(self->devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	if (self->raw)
		munmap(self->raw, BUF_LEN + SZ_2M);
	if (self->unit[0])
		pci_make_idle(self->bdf);
}

/*
 * DMA_LEN bytes from buffer offset @from through the device to offset
 * @to, both by IOVA (IOVA_BASE maps offset 0).
 */
static int copy_through(FIXTURE_DATA(iofd) *self, size_t from, size_t to)
{
	int ret = edu_dma(self->devfd, IOVA_BASE + from, 0, DMA_LEN, false);

	return ret ? ret : edu_dma(self->devfd, IOVA_BASE + to, 0, DMA_LEN,
				   true);
}

/* Round trips touching both ends of both huge pages */
static void dma_both_ends(struct __test_metadata *_metadata,
			  FIXTURE_DATA(iofd) *self)
{
	const size_t ends[] = { 0, SZ_2M - DMA_LEN, SZ_2M,
				BUF_LEN - DMA_LEN };
	unsigned int i;

	dma_fill(self->buf, BUF_LEN, 0x3d);
	for (i = 0; i != 4; i++) {
		size_t from = ends[i], to = ends[(i + 1) % 4];

		memset(self->buf + to, 0, DMA_LEN);
		ASSERT_EQ(0, copy_through(self, from, to));
		ASSERT_EQ(0, memcmp(self->buf + from, self->buf + to,
				    DMA_LEN));
	}
}

TEST_F_TIMEOUT(iofd, thp_large_leaves, TIMEOUT_S)
{
	long n4k = -1, n2m = -1;

	if (!self->unit[0])
		return;
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, self->buf,
				 BUF_LEN, IOVA_BASE));
	if (self->leaves) {
		ASSERT_EQ(0, dev_leaves(self, &n4k, &n2m));
		TH_LOG("THP map: 4K leaves %ld, 2M leaves %ld", n4k, n2m);
		EXPECT_EQ(0, n4k);
		EXPECT_EQ(2, n2m);
	}
	dma_both_ends(_metadata, self);
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas, IOVA_BASE,
				   BUF_LEN));
	if (self->leaves) {
		ASSERT_EQ(0, dev_leaves(self, &n4k, &n2m));
		EXPECT_EQ(0, n4k + n2m);
	}
}

TEST_F_TIMEOUT(iofd, huge_pages_off, TIMEOUT_S)
{
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET,
		.object_id = self->ioas,
		.val64 = 0,
	};
	long n4k = -1, n2m = -1;

	if (!self->unit[0])
		return;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_OPTION, &opt));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, self->buf,
				 BUF_LEN, IOVA_BASE));
	if (self->leaves) {
		ASSERT_EQ(0, dev_leaves(self, &n4k, &n2m));
		TH_LOG("THP map, huge pages off: 4K leaves %ld, 2M leaves %ld",
		       n4k, n2m);
		EXPECT_EQ((long)(BUF_LEN / 4096), n4k);
		EXPECT_EQ(0, n2m);
	}
	dma_both_ends(_metadata, self);
}

static int set_compat(FIXTURE_DATA(iofd) *self, unsigned long type)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_SET,
		.ioas_id = self->ioas,
	};

	if (ioctl(self->iommufd, IOMMU_VFIO_IOAS, &cmd))
		return -errno;
	return ioctl(self->iommufd, VFIO_SET_IOMMU, type) ? -errno : 0;
}

static int vfio_map(int fd, uint64_t iova, void *va, uint64_t size)
{
	struct vfio_iommu_type1_dma_map cmd = {
		.argsz = sizeof(cmd),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	return ioctl(fd, VFIO_IOMMU_MAP_DMA, &cmd) ? -errno : 0;
}

static int vfio_unmap(int fd, uint64_t iova, uint64_t size,
		      uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap cmd = {
		.argsz = sizeof(cmd),
		.iova = iova,
		.size = size,
	};
	int ret = ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &cmd) ? -errno : 0;

	*unmapped = cmd.size;
	return ret;
}

/* A faulting DMA to @iova: the unit counts a fault, memory unchanged. */
static void expect_fault(struct __test_metadata *_metadata,
			 FIXTURE_DATA(iofd) *self, uint64_t iova)
{
	int64_t faults;

	xiommu_fault_sync(self->unit);
	faults = xiommu_unit_faults(self->unit);
	ASSERT_EQ(0, edu_dma(self->devfd, iova, 0, DMA_LEN, true));
	xiommu_fault_sync(self->unit);
	EXPECT_LT(faults, xiommu_unit_faults(self->unit));
}

/* VFIO type1v2 on /dev/iommu with a real device */
TEST_F_TIMEOUT(iofd, vfio_type1v2, TIMEOUT_S)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	long n4k = -1, n2m = -1;
	uint64_t unmapped = 0;

	if (!self->unit[0])
		return;
	ASSERT_EQ(0, set_compat(self, VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(0, ioctl(self->iommufd, VFIO_IOMMU_GET_INFO, &info));
	TH_LOG("iova_pgsizes %#llx", (unsigned long long)info.iova_pgsizes);
	EXPECT_EQ(0x1000, info.iova_pgsizes & 0x1fff);
	/* VT-d and SMMUv3 have 2 MiB IOPTEs (virtio-iommu: 4 KiB granules) */
	if (self->leaves)
		EXPECT_NE(0, info.iova_pgsizes & SZ_2M);

	ASSERT_EQ(0, vfio_map(self->iommufd, IOVA_BASE, self->buf, BUF_LEN));
	if (self->leaves) {
		ASSERT_EQ(0, dev_leaves(self, &n4k, &n2m));
		EXPECT_EQ(2, n2m);
	}
	dma_both_ends(_metadata, self);
	/* v2: no unmapping half a mapping */
	EXPECT_EQ(-ENOENT, vfio_unmap(self->iommufd, IOVA_BASE, SZ_2M,
				      &unmapped));
	ASSERT_EQ(0, vfio_unmap(self->iommufd, IOVA_BASE, BUF_LEN,
				&unmapped));
	EXPECT_EQ(BUF_LEN, unmapped);
	expect_fault(_metadata, self, IOVA_BASE);
}

/* VFIO type1 (v1): small IOPTEs, and unmapping part of a mapping works */
TEST_F_TIMEOUT(iofd, vfio_type1_partial_unmap, TIMEOUT_S)
{
	long n4k = -1, n2m = -1;
	uint64_t unmapped = 0;

	if (!self->unit[0])
		return;
	ASSERT_EQ(0, set_compat(self, VFIO_TYPE1_IOMMU));
	ASSERT_EQ(0, vfio_map(self->iommufd, IOVA_BASE, self->buf, BUF_LEN));
	if (self->leaves) {
		ASSERT_EQ(0, dev_leaves(self, &n4k, &n2m));
		EXPECT_EQ((long)(BUF_LEN / 4096), n4k);
		EXPECT_EQ(0, n2m);
	}

	/* Cut 1 MiB out of the middle of the first huge page */
	ASSERT_EQ(0, vfio_unmap(self->iommufd, IOVA_BASE + SZ_2M / 4,
				SZ_2M / 2, &unmapped));
	EXPECT_EQ(SZ_2M / 2, unmapped);
	if (self->leaves) {
		ASSERT_EQ(0, dev_leaves(self, &n4k, &n2m));
		EXPECT_EQ((long)((BUF_LEN - SZ_2M / 2) / 4096), n4k);
	}

	/* What is left still works, the hole faults */
	dma_fill(self->buf, BUF_LEN, 0x6e);
	memset(self->buf + BUF_LEN - DMA_LEN, 0, DMA_LEN);
	ASSERT_EQ(0, copy_through(self, 0, BUF_LEN - DMA_LEN));
	ASSERT_EQ(0, memcmp(self->buf, self->buf + BUF_LEN - DMA_LEN,
			    DMA_LEN));
	ASSERT_EQ(0, copy_through(self, SZ_2M / 4 - DMA_LEN,
				  3 * SZ_2M / 4));
	expect_fault(_metadata, self, IOVA_BASE + SZ_2M / 4);
	expect_fault(_metadata, self, IOVA_BASE + 3 * SZ_2M / 4 - DMA_LEN);
}

TEST_HARNESS_MAIN
