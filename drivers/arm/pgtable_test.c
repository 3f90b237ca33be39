// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "xiommu_smmuv3_pgtable": the Arm stage-1 table format
 * (pgtable.c) without hardware: the TLB callback is a counter, and the
 * test walks the raw descriptors itself with the Arm ARM's layout
 * (VMSAv8-64, 4 KiB granule: bits 1:0 = 11 table/page, 01 block; AF,
 * AP[2:1], SH, AttrIndx, nG), so a format that agrees with itself but not
 * with the architecture fails.
 *
 * Cases: configuration checks; the descriptor bits of pages, 2 MiB and
 * 1 GiB blocks for each permission/cacheability; iova_to_phys inside
 * leaves; the errno of every refused map; tables linked and freed (an
 * unmap that empties a table hands it to the gather, and only then);
 * unmapping with a larger pgsize than the leaves present; a failing map
 * reports the bytes it mapped; tables per input size (2, 3, 4 levels).
 */
#include <kunit/test.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>

#include "pgtable.h"

struct pt_test_ctx {
	unsigned long flushes;
};

static void fake_flush_walk(void *cookie, unsigned long iova, size_t size)
{
	struct pt_test_ctx *ctx = cookie;

	ctx->flushes++;
}

static const struct smmu_pgtable_tlb_ops fake_tlb = {
	.flush_walk = fake_flush_walk,
};

static struct smmu_pgtable *pt_new(struct kunit *test, unsigned int ias,
				   unsigned long pgsizes)
{
	struct pt_test_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx),
						GFP_KERNEL);
	struct smmu_pgtable_cfg cfg = {
		.ias = ias, .oas = 44, .pgsize_bitmap = pgsizes,
		.tlb = &fake_tlb, .cookie = ctx,
	};
	struct smmu_pgtable *pgt;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	pgt = smmu_pgtable_alloc(&cfg, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pgt));
	return pgt;
}

/* The raw descriptor for @iova at level @lvl (1 = 4K), 0 if none. */
static u64 raw_pte(struct smmu_pgtable *pgt, unsigned long iova,
		   unsigned int want)
{
	u64 *table = pgt->root;
	unsigned int lvl;

	for (lvl = pgt->levels; lvl >= 1; lvl--) {
		u64 pte = table[(iova >> (12 + 9 * (lvl - 1))) & 511];

		if (lvl == want)
			return pte;
		if ((pte & 3) != 3)
			return 0;
		table = phys_to_virt(pte & GENMASK_ULL(47, 12));
	}
	return 0;
}

static void unmap_all(struct smmu_pgtable *pgt, unsigned long iova,
		      size_t size, size_t expect)
{
	struct xiommu_iotlb_gather gather;

	xiommu_iotlb_gather_init(&gather);
	WARN_ON(pgt->ops->unmap_pages(pgt, iova, SZ_4K, size / SZ_4K,
				      &gather) != expect);
	smmu_pgtable_free_gathered(&gather.freelist);
}

static void pt_test_alloc_cfg(struct kunit *test)
{
	static const struct { unsigned int ias, oas; unsigned long pg; } bad[] = {
		{ 24, 44, SZ_4K }, { 49, 44, SZ_4K }, { 48, 31, SZ_4K },
		{ 48, 49, SZ_4K }, { 48, 44, SZ_2M },
		{ 48, 44, SZ_4K | SZ_64K }, { 48, 44, SZ_4K | SZ_512M },
		{ 30, 44, SZ_4K | SZ_1G },
	};
	struct smmu_pgtable_cfg cfg = { .tlb = &fake_tlb };
	struct smmu_pgtable *pgt;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		cfg.ias = bad[i].ias;
		cfg.oas = bad[i].oas;
		cfg.pgsize_bitmap = bad[i].pg;
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(smmu_pgtable_alloc(&cfg, GFP_KERNEL)),
				    -EINVAL, "case %u", i);
	}
	cfg.ias = 48;
	cfg.oas = 44;
	cfg.pgsize_bitmap = SZ_4K;
	cfg.tlb = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(smmu_pgtable_alloc(&cfg, GFP_KERNEL)),
			-EINVAL);

	/* levels from the input size */
	pgt = pt_new(test, 48, SZ_4K);
	KUNIT_EXPECT_EQ(test, pgt->levels, 4U);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 1L);
	smmu_pgtable_free(pgt);
	pgt = pt_new(test, 39, SZ_4K);
	KUNIT_EXPECT_EQ(test, pgt->levels, 3U);
	smmu_pgtable_free(pgt);
	pgt = pt_new(test, 40, SZ_4K);
	KUNIT_EXPECT_EQ(test, pgt->levels, 4U);
	smmu_pgtable_free(pgt);
	pgt = pt_new(test, 30, SZ_4K);
	KUNIT_EXPECT_EQ(test, pgt->levels, 2U);
	smmu_pgtable_free(pgt);
}

static void pt_test_mair(struct kunit *test)
{
	u64 mair = smmu_pgtable_mair();

	KUNIT_EXPECT_EQ(test, (mair >> (8 * SMMU_MAIR_IDX_WB)) & 0xff, 0xffULL);
	KUNIT_EXPECT_EQ(test, (mair >> (8 * SMMU_MAIR_IDX_NC)) & 0xff, 0x44ULL);
	KUNIT_EXPECT_EQ(test, (mair >> (8 * SMMU_MAIR_IDX_DEV)) & 0xff, 0x04ULL);
}

static void pt_test_page_bits(struct kunit *test)
{
	struct smmu_pgtable *pgt = pt_new(test, 48, SZ_4K | SZ_2M | SZ_1G);
	const unsigned long iova = 0x123456789000UL;
	size_t mapped;
	u64 pte;

	/* read-write, cacheable */
	KUNIT_ASSERT_EQ(test, pgt->ops->map_pages(pgt, iova, 0xabcdef000ULL,
						  SZ_4K, 1,
						  XIOMMU_READ | XIOMMU_WRITE |
						  XIOMMU_CACHE,
						  GFP_KERNEL, &mapped), 0);
	KUNIT_EXPECT_EQ(test, mapped, (size_t)SZ_4K);
	pte = raw_pte(pgt, iova, 1);
	KUNIT_EXPECT_EQ(test, pte & 3, 3ULL);			/* page */
	KUNIT_EXPECT_EQ(test, pte & GENMASK_ULL(47, 12), 0xabcdef000ULL);
	KUNIT_EXPECT_TRUE(test, pte & BIT_ULL(10));		/* AF */
	KUNIT_EXPECT_TRUE(test, pte & BIT_ULL(6));		/* AP[1] */
	KUNIT_EXPECT_FALSE(test, pte & BIT_ULL(7));		/* AP[2] */
	KUNIT_EXPECT_TRUE(test, pte & BIT_ULL(11));		/* nG */
	KUNIT_EXPECT_EQ(test, (pte >> 8) & 3, 3ULL);		/* inner shareable */
	KUNIT_EXPECT_EQ(test, (pte >> 2) & 7, (u64)SMMU_MAIR_IDX_WB);
	KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, iova + 0x123),
			0xabcdef123ULL);
	KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, iova + SZ_4K), 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 4L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_leaves[1]), 1L);

	/* read-only, not cacheable */
	KUNIT_ASSERT_EQ(test, pgt->ops->map_pages(pgt, iova + SZ_4K, 0x1000,
						  SZ_4K, 1, XIOMMU_READ,
						  GFP_KERNEL, &mapped), 0);
	pte = raw_pte(pgt, iova + SZ_4K, 1);
	KUNIT_EXPECT_TRUE(test, pte & BIT_ULL(7));		/* AP[2] */
	KUNIT_EXPECT_EQ(test, (pte >> 2) & 7, (u64)SMMU_MAIR_IDX_NC);
	KUNIT_EXPECT_EQ(test, (pte >> 8) & 3, 2ULL);		/* outer shareable */

	/* write-only maps read-write */
	KUNIT_ASSERT_EQ(test, pgt->ops->map_pages(pgt, iova + 2 * SZ_4K, 0x2000,
						  SZ_4K, 1, XIOMMU_WRITE,
						  GFP_KERNEL, &mapped), 0);
	KUNIT_EXPECT_FALSE(test, raw_pte(pgt, iova + 2 * SZ_4K, 1) & BIT_ULL(7));

	unmap_all(pgt, iova, 3 * SZ_4K, 3 * SZ_4K);
	KUNIT_EXPECT_EQ(test, raw_pte(pgt, iova, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 1L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_leaves[1]), 0L);
	smmu_pgtable_free(pgt);
}

static void pt_test_blocks(struct kunit *test)
{
	struct smmu_pgtable *pgt = pt_new(test, 48, SZ_4K | SZ_2M | SZ_1G);
	int rw = XIOMMU_READ | XIOMMU_WRITE | XIOMMU_CACHE;
	size_t mapped;
	u64 pte;

	KUNIT_ASSERT_EQ(test, pgt->ops->map_pages(pgt, SZ_1G, 0x40000000,
						  SZ_1G, 1, rw, GFP_KERNEL,
						  &mapped), 0);
	pte = raw_pte(pgt, SZ_1G, 3);
	KUNIT_EXPECT_EQ(test, pte & 3, 1ULL);			/* block */
	KUNIT_EXPECT_EQ(test, pte & GENMASK_ULL(47, 12), 0x40000000ULL);
	KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, SZ_1G + 0x12345678),
			0x52345678ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_leaves[3]), 1L);

	KUNIT_ASSERT_EQ(test, pgt->ops->map_pages(pgt, 4UL * SZ_1G, 0x200000,
						  SZ_2M, 2, rw, GFP_KERNEL,
						  &mapped), 0);
	KUNIT_EXPECT_EQ(test, mapped, (size_t)(2 * SZ_2M));
	pte = raw_pte(pgt, 4UL * SZ_1G + SZ_2M, 2);
	KUNIT_EXPECT_EQ(test, pte & 3, 1ULL);
	KUNIT_EXPECT_EQ(test, pte & GENMASK_ULL(47, 12), 0x400000ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_leaves[2]), 2L);

	/* nothing may go inside a block */
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, SZ_1G + SZ_2M, 0, SZ_4K,
						  1, rw, GFP_KERNEL, &mapped),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, 4UL * SZ_1G, 0, SZ_2M,
						  1, rw, GFP_KERNEL, &mapped),
			-EEXIST);

	/* unmap with a pgsize of 4K over the blocks clears them whole */
	unmap_all(pgt, SZ_1G, SZ_1G, SZ_1G);
	unmap_all(pgt, 4UL * SZ_1G, 2 * SZ_2M, 2 * SZ_2M);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 1L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_leaves[2]), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_leaves[3]), 0L);
	smmu_pgtable_free(pgt);
}

static void pt_test_refused(struct kunit *test)
{
	struct smmu_pgtable *pgt = pt_new(test, 39, SZ_4K | SZ_2M);
	int rw = XIOMMU_READ | XIOMMU_WRITE;
	size_t mapped = 1;

	/* misaligned IOVA, misaligned address, unsupported size */
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, 0x800, 0, SZ_4K, 1, rw,
						  GFP_KERNEL, &mapped), -EINVAL);
	KUNIT_EXPECT_EQ(test, mapped, (size_t)0);
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, SZ_2M, SZ_4K, SZ_2M, 1,
						  rw, GFP_KERNEL, &mapped),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, 0, 0, SZ_1G, 1, rw,
						  GFP_KERNEL, &mapped), -EINVAL);
	/* outside the input or output size */
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, 1UL << 39, 0, SZ_4K, 1,
						  rw, GFP_KERNEL, &mapped),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, (1UL << 39) - SZ_4K, 0,
						  SZ_4K, 2, rw, GFP_KERNEL,
						  &mapped), -EINVAL);
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, 0, 1ULL << 44, SZ_4K, 1,
						  rw, GFP_KERNEL, &mapped),
			-EINVAL);
	/* no permission */
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, 0, 0, SZ_4K, 1,
						  XIOMMU_CACHE, GFP_KERNEL,
						  &mapped), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 1L);

	/* a failure in the middle reports what it mapped */
	KUNIT_ASSERT_EQ(test, pgt->ops->map_pages(pgt, 3 * SZ_4K, 0, SZ_4K, 1,
						  rw, GFP_KERNEL, &mapped), 0);
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, 0, SZ_1M, SZ_4K, 8, rw,
						  GFP_KERNEL, &mapped), -EEXIST);
	KUNIT_EXPECT_EQ(test, mapped, (size_t)(3 * SZ_4K));
	KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, 2 * SZ_4K),
			(phys_addr_t)SZ_1M + 2 * SZ_4K);
	KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, 3 * SZ_4K), 0ULL);
	unmap_all(pgt, 0, 4 * SZ_4K, 4 * SZ_4K);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 1L);
	smmu_pgtable_free(pgt);
}

static void pt_test_table_free(struct kunit *test)
{
	struct smmu_pgtable *pgt = pt_new(test, 48, SZ_4K | SZ_2M | SZ_1G);
	int rw = XIOMMU_READ | XIOMMU_WRITE;
	struct xiommu_iotlb_gather gather;
	size_t mapped;

	/* two pages in one level-1 table, one in another 2 MiB span */
	KUNIT_ASSERT_EQ(test, pgt->ops->map_pages(pgt, 0, 0, SZ_4K, 2, rw,
						  GFP_KERNEL, &mapped), 0);
	KUNIT_ASSERT_EQ(test, pgt->ops->map_pages(pgt, SZ_2M, 0, SZ_4K, 1, rw,
						  GFP_KERNEL, &mapped), 0);
	/* root, level 3, level 2, two level 1 */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 5L);

	/* half of a table: nothing freed */
	xiommu_iotlb_gather_init(&gather);
	KUNIT_EXPECT_EQ(test, pgt->ops->unmap_pages(pgt, 0, SZ_4K, 1, &gather),
			(size_t)SZ_4K);
	KUNIT_EXPECT_TRUE(test, list_empty(&gather.freelist));
	KUNIT_EXPECT_EQ(test, gather.start, 0UL);
	KUNIT_EXPECT_EQ(test, gather.end, (unsigned long)SZ_4K - 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 5L);

	/* the rest of it: the level-1 table goes, the others stay */
	xiommu_iotlb_gather_init(&gather);
	KUNIT_EXPECT_EQ(test, pgt->ops->unmap_pages(pgt, SZ_4K, SZ_4K, 1,
						    &gather), (size_t)SZ_4K);
	KUNIT_EXPECT_EQ(test, list_count_nodes(&gather.freelist), (size_t)1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_unlinked), 1L);
	smmu_pgtable_free_gathered(&gather.freelist);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_unlinked), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 4L);
	KUNIT_EXPECT_EQ(test, raw_pte(pgt, 0, 2), 0ULL);

	/* the last page: every table but the root goes */
	xiommu_iotlb_gather_init(&gather);
	KUNIT_EXPECT_EQ(test, pgt->ops->unmap_pages(pgt, 0, SZ_1G, 1, &gather),
			(size_t)SZ_4K);
	KUNIT_EXPECT_EQ(test, list_count_nodes(&gather.freelist), (size_t)3);
	smmu_pgtable_free_gathered(&gather.freelist);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 1L);
	/* no walk-cache flush was needed: no map raced an unmap */
	KUNIT_EXPECT_EQ(test,
			((struct pt_test_ctx *)pgt->cfg.cookie)->flushes, 0UL);
	smmu_pgtable_free(pgt);
}

static void pt_test_relink_flush(struct kunit *test)
{
	struct smmu_pgtable *pgt = pt_new(test, 48, SZ_4K);
	struct pt_test_ctx *ctx = pgt->cfg.cookie;
	int rw = XIOMMU_READ | XIOMMU_WRITE;
	struct xiommu_iotlb_gather gather;
	size_t mapped;

	KUNIT_ASSERT_EQ(test, pgt->ops->map_pages(pgt, 0, 0, SZ_4K, 1, rw,
						  GFP_KERNEL, &mapped), 0);
	xiommu_iotlb_gather_init(&gather);
	pgt->ops->unmap_pages(pgt, 0, SZ_4K, 1, &gather);
	/* tables unlinked, not yet flushed: a map linking new ones flushes */
	KUNIT_ASSERT_EQ(test, pgt->ops->map_pages(pgt, 0, 0, SZ_4K, 1, rw,
						  GFP_KERNEL, &mapped), 0);
	KUNIT_EXPECT_GT(test, ctx->flushes, 0UL);
	smmu_pgtable_free_gathered(&gather.freelist);
	unmap_all(pgt, 0, SZ_4K, SZ_4K);
	smmu_pgtable_free(pgt);
}

static struct kunit_case pt_test_cases[] = {
	KUNIT_CASE(pt_test_alloc_cfg),
	KUNIT_CASE(pt_test_mair),
	KUNIT_CASE(pt_test_page_bits),
	KUNIT_CASE(pt_test_blocks),
	KUNIT_CASE(pt_test_refused),
	KUNIT_CASE(pt_test_table_free),
	KUNIT_CASE(pt_test_relink_flush),
	{}
};

static struct kunit_suite pt_test_suite = {
	.name = "xiommu_smmuv3_pgtable",
	.test_cases = pt_test_cases,
};
kunit_test_suite(pt_test_suite);

MODULE_DESCRIPTION("xiommu: KUnit suite of the SMMUv3 stage-1 table format");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
