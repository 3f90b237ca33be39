// SPDX-License-Identifier: GPL-2.0-only
/*
 * VT-d superpages as the hardware sees them: a 2 MiB hugetlb buffer mapped
 * at a 2 MiB aligned IOVA becomes one 2 MiB second-level leaf (debugfs
 * "domains" and "pgtable"), DMA works at both ends of it, and unmapping it
 * costs one page-selective invalidation with a 2 MiB address mask
 * (debugfs "stats"). The same buffer at an IOVA that is not 2 MiB aligned
 * takes 512 4 KiB leaves. Page tables are freed only by an unmap that
 * covers their whole span (or replaced by a superpage): a table an unmap
 * leaves empty stays, debugfs "domains" counts them. (The IOAS side of
 * huge pages, what the core hands the driver, is tested by the core's own
 * selftests.)
 *
 *   scripts/vm --profile vtd --add build/bin/vtd_superpage -- /vtd_superpage
 */
#include "kselftest_harness.h"
#include "lib/dma_util.h"

#define SZ_2M		0x200000UL
#define IOVA_HUGE	0x4000000ULL	/* 2 MiB aligned, below 256 MiB */
#define IOVA_SPLIT	0x6001000ULL	/* 4 KiB aligned only */
#define DMA_LEN		2048
#define TIMEOUT_S	120

/* Leaf counts of domain @did: 4K, 2M, 1G. */
static int domain_leaves(const char *unit, int did, long *n4k, long *n2m,
			 long *n1g)
{
	char path[PATH_MAX], line[512], want[32];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/domains", unit);
	snprintf(want, sizeof(want), "domain did %d ", did);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " leaves 4K ");

		if (strncmp(line, want, strlen(want)) || !p)
			continue;
		if (sscanf(p, " leaves 4K %ld 2M %ld 1G %ld", n4k, n2m, n1g) ==
		    3)
			ret = 0;
	}
	fclose(f);
	return ret;
}

/* Page-table pages of domain @did (debugfs "domains": root included). */
static long domain_tables(const char *unit, int did)
{
	char path[PATH_MAX], line[512], want[32];
	long tables = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/domains", unit);
	snprintf(want, sizeof(want), "domain did %d ", did);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " tables ");

		if (!strncmp(line, want, strlen(want)) && p &&
		    sscanf(p, " tables %ld", &tables) != 1)
			tables = -EINVAL;
	}
	fclose(f);
	return tables;
}

/* Does the pgtable dump of domain @did contain @text? */
static bool pgtable_has(const char *unit, int did, const char *text)
{
	char path[PATH_MAX], line[512], want[32];
	bool in = false, found = false;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/pgtable", unit);
	snprintf(want, sizeof(want), "domain did %d ", did);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "domain did ", 11))
			in = !strncmp(line, want, strlen(want));
		else if (in && strstr(line, text))
			found = true;
	}
	fclose(f);
	return found;
}

static int64_t stat_get(const char *unit, const char *key)
{
	return xiommu_unit_key(unit, "stats", key);
}

FIXTURE(huge) {
	char bdf[PCI_BDF_LEN];
	char unit[XIOMMU_UNIT_LEN];
	int iommufd, devfd;
	uint32_t ioas;
	uint8_t *buf;
};

FIXTURE_SETUP(huge)
{
	self->iommufd = -1;
	self->devfd = -1;
	if (edu_find_solo(self->bdf))
		SKIP(return, "no edu device");
	if (xiommu_dev_unit(self->bdf, self->unit, sizeof(self->unit)) ||
	    strncmp(self->unit, "dmar", 4)) {
		self->unit[0] = 0;
		SKIP(return, "edu not translated by a VT-d unit");
	}
	sysfs_write("/proc/sys/vm/nr_hugepages", "4");
	self->buf = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			 MAP_POPULATE, -1, 0);
	if (self->buf == MAP_FAILED) {
		self->buf = NULL;
		self->unit[0] = 0;
		SKIP(return, "no 2 MiB hugetlb page");
	}
	ASSERT_EQ(0, pci_make_idle(self->bdf));
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas));
	self->devfd = edu_open_attached(self->bdf, self->iommufd, self->ioas,
					NULL);
	ASSERT_LE(0, self->devfd);
}

FIXTURE_TEARDOWN(huge)
{
	if (self->devfd >= 0)
		close(self->devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	if (self->buf)
		munmap(self->buf, SZ_2M);
	if (self->bdf[0])
		pci_make_idle(self->bdf);
}

/* Copy DMA_LEN bytes at @from to @to (IOVA offsets in the huge buffer). */
static int copy_through(FIXTURE_DATA(huge) *self, uint64_t base,
			uint64_t from, uint64_t to)
{
	int ret = edu_dma(self->devfd, base + from, 0, DMA_LEN, false);

	return ret ? ret : edu_dma(self->devfd, base + to, 0, DMA_LEN, true);
}

TEST_F_TIMEOUT(huge, one_2m_leaf_both_ends, TIMEOUT_S)
{
	int64_t psi0, dsi0, bytes0, psi1, dsi1, bytes1, faults;
	long n4k, n2m, n1g, tables;
	int did;

	if (!self->unit[0])
		return;
	dma_fill(self->buf, SZ_2M, 0x2b);
	memset(self->buf + SZ_2M - 2 * DMA_LEN, 0, 2 * DMA_LEN);
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, self->buf, SZ_2M,
				 IOVA_HUGE));
	did = xiommu_dev_did(self->unit, self->bdf);
	ASSERT_LT(0, did);
	ASSERT_EQ(0, domain_leaves(self->unit, did, &n4k, &n2m, &n1g));
	TH_LOG("did %d leaves 4K %ld 2M %ld 1G %ld", did, n4k, n2m, n1g);
	ASSERT_EQ(0, n4k);
	ASSERT_EQ(1, n2m);
	ASSERT_TRUE(pgtable_has(self->unit, did, " 1 x 2048K"));
	tables = domain_tables(self->unit, did);
	ASSERT_LT(1, tables);

	/* First bytes -> device -> last bytes, and back to the first. */
	ASSERT_EQ(0, copy_through(self, IOVA_HUGE, 0, SZ_2M - DMA_LEN));
	ASSERT_EQ(0, memcmp(self->buf, self->buf + SZ_2M - DMA_LEN, DMA_LEN));
	memset(self->buf + SZ_2M - 2 * DMA_LEN, 0x77, DMA_LEN);
	ASSERT_EQ(0, copy_through(self, IOVA_HUGE, SZ_2M - 2 * DMA_LEN, 0));
	ASSERT_TRUE(dma_all_bytes(self->buf, DMA_LEN, 0x77));

	/* Unmap: one page-selective invalidation covers the 2 MiB. */
	psi0 = stat_get(self->unit, "iotlb_psi");
	dsi0 = stat_get(self->unit, "iotlb_dsi");
	bytes0 = stat_get(self->unit, "unmap_bytes");
	ASSERT_LE(0, psi0);
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas, IOVA_HUGE,
				   SZ_2M));
	psi1 = stat_get(self->unit, "iotlb_psi");
	dsi1 = stat_get(self->unit, "iotlb_dsi");
	bytes1 = stat_get(self->unit, "unmap_bytes");
	TH_LOG("unmap: %lld bytes, %lld page-selective, %lld domain-selective",
	       (long long)(bytes1 - bytes0), (long long)(psi1 - psi0),
	       (long long)(dsi1 - dsi0));
	ASSERT_EQ((int64_t)SZ_2M, bytes1 - bytes0);
	ASSERT_EQ(1, psi1 - psi0);
	ASSERT_EQ(0, dsi1 - dsi0);
	ASSERT_EQ(0, domain_leaves(self->unit, did, &n4k, &n2m, &n1g));
	ASSERT_EQ(0, n4k + n2m + n1g);
	/* The level-2 table spans 1 GiB: not covered, it stays. */
	ASSERT_EQ(tables, domain_tables(self->unit, did));

	/* Both ends fault now, and the memory stays as it was. */
	xiommu_fault_sync(self->unit);
	faults = xiommu_unit_faults(self->unit);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_HUGE, 0, DMA_LEN, true));
	xiommu_fault_sync(self->unit);
	ASSERT_LT(faults, xiommu_unit_faults(self->unit));
	faults = xiommu_unit_faults(self->unit);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_HUGE + SZ_2M - DMA_LEN, 0,
			     DMA_LEN, true));
	xiommu_fault_sync(self->unit);
	ASSERT_LT(faults, xiommu_unit_faults(self->unit));
	ASSERT_TRUE(dma_all_bytes(self->buf, DMA_LEN, 0x77));
}

/* Not 2 MiB aligned in IOVA: 4 KiB leaves only, DMA still works. */
TEST_F_TIMEOUT(huge, misaligned_iova_uses_4k, TIMEOUT_S)
{
	long n4k, n2m, n1g, tables;
	int did;

	if (!self->unit[0])
		return;
	dma_fill(self->buf, SZ_2M, 0x51);
	memset(self->buf + SZ_2M - DMA_LEN, 0, DMA_LEN);
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, self->buf, SZ_2M,
				 IOVA_SPLIT));
	did = xiommu_dev_did(self->unit, self->bdf);
	ASSERT_LT(0, did);
	ASSERT_EQ(0, domain_leaves(self->unit, did, &n4k, &n2m, &n1g));
	ASSERT_EQ(512, n4k);
	ASSERT_EQ(0, n2m);
	ASSERT_EQ(0, copy_through(self, IOVA_SPLIT, 0, SZ_2M - DMA_LEN));
	ASSERT_EQ(0, memcmp(self->buf, self->buf + SZ_2M - DMA_LEN, DMA_LEN));
	/* Two leaf tables (the range crosses 2 MiB) and their parents. */
	tables = domain_tables(self->unit, did);
	ASSERT_LT(2, tables);
	/* The unmap covers neither leaf table's 2 MiB: both stay. */
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas, IOVA_SPLIT,
				   SZ_2M));
	ASSERT_EQ(tables, domain_tables(self->unit, did));
	/* Piecemeal: map the two halves apart, unmap them one by one. */
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, self->buf,
				 SZ_2M / 2, IOVA_SPLIT));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas,
				 self->buf + SZ_2M / 2, SZ_2M / 2,
				 IOVA_SPLIT + SZ_2M / 2));
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas, IOVA_SPLIT,
				   SZ_2M / 2));
	ASSERT_EQ(tables, domain_tables(self->unit, did));
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas,
				   IOVA_SPLIT + SZ_2M / 2, SZ_2M / 2));
	ASSERT_EQ(tables, domain_tables(self->unit, did));
	ASSERT_EQ(0, domain_leaves(self->unit, did, &n4k, &n2m, &n1g));
	ASSERT_EQ(0, n4k + n2m + n1g);
}

/*
 * Sparse mappings, the cost of freeing only the tables an unmap covers:
 * one 4 KiB page every 2 MiB, each in a leaf table of its own, mapped and
 * unmapped one call each. No unmap covers a leaf table's 2 MiB span (the
 * core unmaps area by area, even in one IOAS_UNMAP call over them all), so
 * every table stays until the domain goes: SPARSE_N leaf tables and their
 * parents. A 2 MiB superpage then replaces one (empty) leaf table, and a
 * 4 MiB mapping of 4 KiB leaves over two more, unmapped in one call,
 * covers them: they go.
 */
#define SPARSE_N	64
#define IOVA_SPARSE	0x8000000ULL	/* 128 MiB .. 256 MiB (edu DMA) */

TEST_F_TIMEOUT(huge, sparse_tables_stay_until_covered, TIMEOUT_S)
{
	long before, mapped, after, one_call, super, covered;
	long n4k, n2m, n1g;
	unsigned int i;
	uint8_t *small;
	int did;

	if (!self->unit[0])
		return;
	/* The domain exists once something is mapped: did of the first. */
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, self->buf, 4096,
				 IOVA_HUGE));
	did = xiommu_dev_did(self->unit, self->bdf);
	ASSERT_LT(0, did);
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas, IOVA_HUGE, 4096));
	before = domain_tables(self->unit, did);
	ASSERT_LT(0, before);
	for (i = 0; i < SPARSE_N; i++)
		ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas,
					 self->buf + i * 4096, 4096,
					 IOVA_SPARSE + i * SZ_2M));
	mapped = domain_tables(self->unit, did);
	for (i = 0; i < SPARSE_N; i++)
		ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas,
					   IOVA_SPARSE + i * SZ_2M, 4096));
	after = domain_tables(self->unit, did);
	for (i = 0; i < SPARSE_N; i++)
		ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas,
					 self->buf + i * 4096, 4096,
					 IOVA_SPARSE + i * SZ_2M));
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas, IOVA_SPARSE,
				   SPARSE_N * SZ_2M));
	one_call = domain_tables(self->unit, did);

	/* A 2 MiB leaf where an empty leaf table is; DMA goes through it. */
	dma_fill(self->buf, SZ_2M, 0x3d);
	memset(self->buf + SZ_2M - DMA_LEN, 0, DMA_LEN);
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, self->buf, SZ_2M,
				 IOVA_SPARSE));
	super = domain_tables(self->unit, did);
	ASSERT_EQ(0, domain_leaves(self->unit, did, &n4k, &n2m, &n1g));
	ASSERT_EQ(0, n4k);
	ASSERT_EQ(1, n2m);
	ASSERT_EQ(0, copy_through(self, IOVA_SPARSE, 0, SZ_2M - DMA_LEN));
	ASSERT_EQ(0, memcmp(self->buf, self->buf + SZ_2M - DMA_LEN, DMA_LEN));
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas, IOVA_SPARSE,
				   SZ_2M));

	/* 4 KiB leaves over two kept leaf tables, one unmap covering both. */
	small = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, small);
	madvise(small, 2 * SZ_2M, MADV_NOHUGEPAGE);
	memset(small, 1, 2 * SZ_2M);
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, small, 2 * SZ_2M,
				 IOVA_SPARSE + 2 * SZ_2M));
	ASSERT_EQ(0, domain_leaves(self->unit, did, &n4k, &n2m, &n1g));
	ASSERT_EQ(1024, n4k);
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas,
				   IOVA_SPARSE + 2 * SZ_2M, 2 * SZ_2M));
	covered = domain_tables(self->unit, did);
	munmap(small, 2 * SZ_2M);
	TH_LOG("tables: %ld before; %d sparse pages mapped %ld, unmapped one by one %ld, again in one call %ld; 2M leaf over one %ld; 4M unmap covering two %ld",
	       before, SPARSE_N, mapped, after, one_call, super, covered);
	/* A leaf table per page, in the level-2 table of IOVA_HUGE. */
	ASSERT_EQ(before + SPARSE_N, mapped);
	ASSERT_EQ(mapped, after);
	ASSERT_EQ(mapped, one_call);
	ASSERT_EQ(mapped - 1, super);
	ASSERT_EQ(mapped - 3, covered);
}

TEST_HARNESS_MAIN
