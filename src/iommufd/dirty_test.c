// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "xiommu_dirty": the window-by-window walk of
 * IOMMU_HWPT_GET_DIRTY_BITMAP (dirty.c) and xiommu_dirty_bitmap_record().
 *
 * A fake "driver" holds a list of dirty IOPTEs and, like a real
 * read_and_clear_dirty, reports each one it finds in the window (whole,
 * even where it sticks out of the window) and forgets it unless asked
 * not to. The walk's output bitmap must equal the one computed directly
 * from the IOPTE list: bit n set iff an IOPTE touches
 * [iova + n * page_size, + page_size). IOPTEs that straddle a window
 * boundary are what the carry is for: without it their second part would
 * be lost once the first window cleared them.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/module.h>
#include <linux/sizes.h>

#include "iommufd_private.h"

/* Bits of one window of the walk */
#define WIN_BITS	(XIOMMU_DIRTY_CHUNK_BYTES * BITS_PER_BYTE)

struct fake_iopte {
	unsigned long iova;
	unsigned long size;
	bool dirty;
};

struct fake_walk {
	struct fake_iopte *ptes;
	unsigned int nptes;
	bool no_clear;
	unsigned long *out;	/* the "user" bitmap */
	unsigned long out_bits;
	unsigned int fills;
	unsigned int flushes;
	unsigned int fail_fill_at;	/* 1-based; 0: never */
	unsigned int fail_flush_at;
};

static int fake_fill(void *priv, struct xiommu_dirty_bitmap *dirty)
{
	struct fake_walk *fw = priv;
	unsigned long last = dirty->iova + (dirty->nbits << dirty->pgshift) - 1;
	unsigned int i;

	if (++fw->fills == fw->fail_fill_at)
		return -EIO;
	for (i = 0; i != fw->nptes; i++) {
		struct fake_iopte *p = &fw->ptes[i];

		if (!p->dirty || p->iova > last ||
		    p->iova + p->size - 1 < dirty->iova)
			continue;
		xiommu_dirty_bitmap_record(dirty, p->iova, p->size);
		if (!fw->no_clear)
			p->dirty = false;
	}
	return 0;
}

static int fake_flush(void *priv, unsigned long first,
		      const unsigned long *bits, unsigned long nbits)
{
	struct fake_walk *fw = priv;
	unsigned long b;

	if (++fw->flushes == fw->fail_flush_at)
		return -EFAULT;
	if (first % BITS_PER_BYTE || first + nbits > fw->out_bits)
		return -EINVAL;
	for_each_set_bit(b, bits, nbits)
		__set_bit(first + b, fw->out);
	return 0;
}

/* Run the walk over [iova, iova + nbits * page_size) and check the bits */
static void check_walk(struct kunit *test, struct fake_iopte *ptes,
		       unsigned int nptes, unsigned long iova,
		       unsigned long nbits, unsigned int pgshift,
		       bool no_clear)
{
	unsigned long *want = kunit_kcalloc(test, BITS_TO_LONGS(nbits),
					    sizeof(long), GFP_KERNEL);
	struct fake_walk fw = {
		.ptes = ptes,
		.nptes = nptes,
		.no_clear = no_clear,
		.out_bits = nbits,
	};
	struct xiommu_dirty_walk walk = {
		.iova = iova,
		.length = nbits << pgshift,
		.pgshift = pgshift,
		.fill = fake_fill,
		.flush = fake_flush,
		.priv = &fw,
	};
	unsigned long n;
	unsigned int i;

	fw.out = kunit_kcalloc(test, BITS_TO_LONGS(nbits), sizeof(long),
			       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, fw.out);
	for (n = 0; n != nbits; n++) {
		unsigned long first = iova + (n << pgshift);
		unsigned long last = first + (1UL << pgshift) - 1;

		for (i = 0; i != nptes; i++)
			if (ptes[i].dirty && ptes[i].iova <= last &&
			    ptes[i].iova + ptes[i].size - 1 >= first)
				__set_bit(n, want);
	}

	KUNIT_ASSERT_EQ(test, xiommu_dirty_walk_run(&walk), 0);
	KUNIT_EXPECT_EQ(test, fw.fills, DIV_ROUND_UP(nbits, WIN_BITS));
	KUNIT_EXPECT_EQ(test, fw.flushes, fw.fills);
	for (n = 0; n != nbits; n++)
		if (test_bit(n, want) != test_bit(n, fw.out)) {
			KUNIT_FAIL(test, "bit %lu: want %d got %d", n,
				   test_bit(n, want), test_bit(n, fw.out));
			break;
		}
	for (i = 0; i != nptes; i++)
		if (ptes[i].iova + ptes[i].size > iova &&
		    ptes[i].iova < iova + (nbits << pgshift))
			KUNIT_EXPECT_EQ(test, ptes[i].dirty, no_clear);
}

/* The record function alone: clipping to the window and the carry */
static void dirty_record(struct kunit *test)
{
	unsigned long bits[1] = {};
	struct xiommu_dirty_bitmap dirty = {
		.bits = bits,
		.iova = SZ_1M,
		.nbits = 16,
		.pgshift = 12,
	};

	/* Inside: one bit per 4 KiB touched, partial pages count */
	xiommu_dirty_bitmap_record(&dirty, SZ_1M + 0x1800, 0x1000);
	KUNIT_EXPECT_EQ(test, bits[0], 0x6UL);
	KUNIT_EXPECT_EQ(test, dirty.carry_last, 0UL);

	/* Before the window: clipped at its start */
	bits[0] = 0;
	xiommu_dirty_bitmap_record(&dirty, SZ_1M - SZ_64K, SZ_64K + 0x1000);
	KUNIT_EXPECT_EQ(test, bits[0], 0x1UL);
	KUNIT_EXPECT_EQ(test, dirty.carry_last, 0UL);

	/* Past the end: the last bit, and the carry remembers the rest */
	bits[0] = 0;
	xiommu_dirty_bitmap_record(&dirty, SZ_1M + 15 * SZ_4K, SZ_2M);
	KUNIT_EXPECT_EQ(test, bits[0], 0x8000UL);
	KUNIT_EXPECT_EQ(test, dirty.carry_last, SZ_1M + 15 * SZ_4K + SZ_2M - 1);

	/* Entirely outside, zero length, no bitmap: nothing */
	bits[0] = 0;
	xiommu_dirty_bitmap_record(&dirty, SZ_4M, SZ_4K);
	xiommu_dirty_bitmap_record(&dirty, SZ_1M, 0);
	KUNIT_EXPECT_EQ(test, bits[0], 0UL);
	dirty.bits = NULL;
	xiommu_dirty_bitmap_record(&dirty, SZ_1M, SZ_4K);

	/* A range reaching the end of the address space does not wrap */
	dirty.bits = bits;
	dirty.iova = ULONG_MAX - 16 * SZ_4K + 1;
	dirty.carry_last = 0;
	xiommu_dirty_bitmap_record(&dirty, ULONG_MAX - SZ_4K + 1, SZ_8K);
	KUNIT_EXPECT_EQ(test, bits[0], 0x8000UL);
}

/* Small IOPTEs across several windows, the last one partial */
static void dirty_walk_windows(struct kunit *test)
{
	const unsigned int pgshift = 11;	/* the mock's 2 KiB */
	const unsigned long iova = SZ_16M;
	const unsigned long nbits = 3 * WIN_BITS + 13;
	struct fake_iopte ptes[] = {
		{ iova, SZ_2K, true },
		{ iova + (WIN_BITS - 1) * SZ_2K, SZ_2K, true },
		{ iova + WIN_BITS * SZ_2K, SZ_2K, true },
		{ iova + (2 * WIN_BITS + 5) * SZ_2K, SZ_2K, false },
		{ iova + (nbits - 1) * SZ_2K, SZ_2K, true },
		/* Past the end of the range: must not be looked at */
		{ iova + nbits * SZ_2K, SZ_2K, true },
	};

	check_walk(test, ptes, ARRAY_SIZE(ptes), iova, nbits, pgshift,
		   false);
	KUNIT_EXPECT_TRUE(test, ptes[5].dirty);
}

/* Large IOPTEs straddling window boundaries, cleared by the first read */
static void dirty_walk_straddle(struct kunit *test)
{
	const unsigned int pgshift = 11;
	/* The range starts half an IOPTE before a 1 MiB boundary */
	const unsigned long iova = SZ_16M - SZ_512K;
	const unsigned long nbits = 4 * WIN_BITS;
	const unsigned long win = WIN_BITS * SZ_2K;	/* 16 MiB */
	struct fake_iopte ptes[] = {
		/* Starts before the range: only its tail counts */
		{ SZ_16M - SZ_1M, SZ_1M, true },
		/* Across the first and the second window boundary */
		{ iova + win - SZ_512K, SZ_1M, true },
		{ iova + 2 * win - SZ_2K, SZ_1M, true },
		/* Spanning a whole window and more (a 32 MiB "IOPTE") */
		{ iova + 2 * win + SZ_1M, 2 * win - SZ_2M, true },
	};

	check_walk(test, ptes, ARRAY_SIZE(ptes), iova, nbits, pgshift,
		   false);
}

/* NO_CLEAR: the same IOPTEs reported in each window they touch */
static void dirty_walk_no_clear(struct kunit *test)
{
	const unsigned long iova = 0;
	const unsigned long nbits = 2 * WIN_BITS + 1;
	struct fake_iopte ptes[] = {
		{ (WIN_BITS - 2) * SZ_4K, SZ_2M, true },
		{ 2 * WIN_BITS * SZ_4K, SZ_4K, true },
	};

	check_walk(test, ptes, ARRAY_SIZE(ptes), iova, nbits, 12, true);
}

/* Errors of fill and flush end the walk with their errno */
static void dirty_walk_errors(struct kunit *test)
{
	unsigned long *out = kunit_kcalloc(test, BITS_TO_LONGS(3 * WIN_BITS),
					   sizeof(long), GFP_KERNEL);
	struct fake_walk fw = { .out = out, .out_bits = 3 * WIN_BITS };
	struct xiommu_dirty_walk walk = {
		.iova = 0,
		.length = (3UL * WIN_BITS) << 12,
		.pgshift = 12,
		.fill = fake_fill,
		.flush = fake_flush,
		.priv = &fw,
	};

	KUNIT_ASSERT_NOT_NULL(test, out);
	fw.fail_fill_at = 2;
	KUNIT_EXPECT_EQ(test, xiommu_dirty_walk_run(&walk), -EIO);
	KUNIT_EXPECT_EQ(test, fw.fills, 2U);
	KUNIT_EXPECT_EQ(test, fw.flushes, 1U);

	fw.fills = 0;
	fw.flushes = 0;
	fw.fail_fill_at = 0;
	fw.fail_flush_at = 3;
	KUNIT_EXPECT_EQ(test, xiommu_dirty_walk_run(&walk), -EFAULT);
	KUNIT_EXPECT_EQ(test, fw.fills, 3U);
	KUNIT_EXPECT_EQ(test, fw.flushes, 3U);
}

static struct kunit_case dirty_cases[] = {
	KUNIT_CASE(dirty_record),
	KUNIT_CASE(dirty_walk_windows),
	KUNIT_CASE(dirty_walk_straddle),
	KUNIT_CASE(dirty_walk_no_clear),
	KUNIT_CASE(dirty_walk_errors),
	{}
};

static struct kunit_suite dirty_suite = {
	.name = "xiommu_dirty",
	.test_cases = dirty_cases,
};
kunit_test_suite(dirty_suite);
