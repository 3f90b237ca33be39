// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "xiommu_vtd_pgtable": the VT-d second-level page-table
 * format (pgtable.c), without hardware: the TLB callback is a counter.
 *
 * Every check compares the format with a model the test keeps itself:
 *  - the mappings made ("chunks": IOVA, physical address, leaf size, leaf
 *    count, rights), from which iova_to_phys() answers, the number of
 *    leaves per level and the raw entries are predicted;
 *  - the page-table pages that must be linked: exactly one per (level,
 *    span) on the path of every leaf mapped now, so a table is gone as soon
 *    as its last entry is unmapped, however piecemeal (the format's
 *    contract in pgtable.h); the set is rebuilt from the chunks after
 *    every operation and nr_tables checked against it each time; the
 *    test walks the raw tables itself (the VT-d spec's entry layout) and
 *    counts them, checks that an unmap hands back exactly the tables that
 *    left the set, and counts walk-cache flushes (none without a
 *    concurrent unmap);
 *  - every map is simulated on the model first, so the expected errno and
 *    the bytes mapped before a failure are known.
 *
 * Configurations: 3, 4 and 5 levels, with and without 2 MiB / 1 GiB
 * leaves. The random runs use prandom with a fixed seed, so a failure
 * repeats.
 *
 * Superpages: the format maps the leaf size it is asked for; choosing 2M
 * or 1G when IOVA and physical address are aligned is the core's job
 * (xiommu_map() in src/iommu/group.c). pt_test_promotion drives the format
 * through xiommu_map()/xiommu_unmap() to check that the two together use
 * large leaves exactly where alignment allows. The format refuses to put
 * a leaf into a superpage's range (no split on map: -EEXIST); unmap is
 * never asked to cut a leaf (the core only unmaps whole mappings), so
 * that case is not exercised here: the format would clear the whole leaf
 * and warn.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/xarray.h>

#include "pgtable.h"
/* xiommu_map()/xiommu_unmap(): the core's internal API (iommu-lite). */
#include "../../src/iommu/iommu_lite.h"

#define TEST_SEED	0x7674642d7074ULL
#define TEST_OAS	46
#define MAX_CHUNKS	1024
#define WINDOW		(1UL << 34)

struct pt_param {
	unsigned int levels;
	unsigned int ias;
	unsigned long pgsizes;
	const char *name;
};

static const struct pt_param pt_params[] = {
	{ 3, 39, SZ_4K | SZ_2M | SZ_1G, "3-level-4K-2M-1G" },
	{ 4, 48, SZ_4K | SZ_2M | SZ_1G, "4-level-4K-2M-1G" },
	{ 5, 57, SZ_4K | SZ_2M, "5-level-4K-2M" },
	{ 4, 48, SZ_4K, "4-level-4K" },
	{ 3, 35, SZ_4K | SZ_2M, "3-level-35bit-4K-2M" },
};

static void pt_param_desc(const struct pt_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pt, pt_params, pt_param_desc);

/* What the test expects to be mapped. */
struct chunk {
	unsigned long iova;
	phys_addr_t paddr;
	size_t pgsize;
	size_t count;
	int prot;
};

struct pt_ctx {
	const struct pt_param *p;
	struct vtd_pgtable_cfg cfg;
	struct vtd_pgtable *pgt;
	struct rnd_state rnd;
	struct chunk chunks[MAX_CHUNKS];
	unsigned int nchunks;
	/* linked tables: key (span index << 3 | level) -> xa_mk_value(1) */
	struct xarray tables;
	unsigned long flushes;
	unsigned long flush_iova;
	size_t flush_size;
	bool snoop;
};

static inline unsigned int lvl_shift(unsigned int lvl)
{
	return 12 + 9 * (lvl - 1);
}

static inline unsigned long lvl_size(unsigned int lvl)
{
	return 1UL << lvl_shift(lvl);
}

static unsigned int pgsize_lvl(size_t pgsize)
{
	return (__ffs(pgsize) - 12) / 9 + 1;
}

static void fake_flush_walk(void *cookie, unsigned long iova, size_t size)
{
	struct pt_ctx *ctx = cookie;

	ctx->flushes++;
	ctx->flush_iova = iova;
	ctx->flush_size = size;
}

static const struct vtd_pgtable_tlb_ops fake_tlb = {
	.flush_walk = fake_flush_walk,
};

static void fill_cfg(struct pt_ctx *ctx, const struct pt_param *p)
{
	ctx->p = p;
	ctx->cfg = (struct vtd_pgtable_cfg){
		.levels = p->levels,
		.ias = p->ias,
		.oas = TEST_OAS,
		.pgsize_bitmap = p->pgsizes,
		.coherent = true,
		.snoop_ctl = true,
		.tlb = &fake_tlb,
		.cookie = ctx,
	};
}

static int pt_test_init(struct kunit *test)
{
	struct pt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	xa_init(&ctx->tables);
	prandom_seed_state(&ctx->rnd, TEST_SEED);
	test->priv = ctx;
	if (test->param_value) {
		fill_cfg(ctx, test->param_value);
		ctx->pgt = vtd_pgtable_alloc(&ctx->cfg, GFP_KERNEL);
		if (IS_ERR(ctx->pgt)) {
			int rc = PTR_ERR(ctx->pgt);

			ctx->pgt = NULL;
			return rc;
		}
	}
	return 0;
}

static void pt_test_exit(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;

	if (ctx->pgt)
		vtd_pgtable_free(ctx->pgt);
	xa_destroy(&ctx->tables);
	/* Tables freed after a grace period must be gone before we are. */
	rcu_barrier();
}

/* ------------------------------------------------------------------------
 * The model
 */
static unsigned long table_key(unsigned int lvl, unsigned long iova)
{
	/* A table at level @lvl spans lvl_size(lvl + 1) bytes. */
	return (iova >> lvl_shift(lvl + 1)) << 3 | lvl;
}

static bool table_exists(struct pt_ctx *ctx, unsigned int lvl,
			 unsigned long iova)
{
	return xa_load(&ctx->tables, table_key(lvl, iova));
}

static unsigned long xa_entries(struct xarray *xa)
{
	unsigned long key, n = 0;
	void *entry;

	xa_for_each(xa, key, entry)
		n++;
	return n;
}

static unsigned long tables_count(struct pt_ctx *ctx)
{
	return xa_entries(&ctx->tables);
}

static unsigned long chunk_end(const struct chunk *c)
{
	return c->iova + c->pgsize * c->count;
}

/*
 * The tables chunk @c needs into @xa: for a leaf at level L, the tables
 * at levels L .. levels - 1 whose span holds it (the root is not counted).
 */
static void tables_add(struct kunit *test, struct pt_ctx *ctx,
		       struct xarray *xa, const struct chunk *c)
{
	unsigned int lvl;

	for (lvl = pgsize_lvl(c->pgsize); lvl < ctx->cfg.levels; lvl++) {
		unsigned int shift = lvl_shift(lvl + 1);
		unsigned long k;

		for (k = c->iova >> shift; k <= (chunk_end(c) - 1) >> shift; k++)
			KUNIT_ASSERT_EQ(test,
					xa_err(xa_store(xa, k << 3 | lvl,
							xa_mk_value(1),
							GFP_KERNEL)),
					0);
	}
}

/*
 * The tables all the chunks need into @xa, from scratch. do_map() and
 * do_unmap() keep ctx->tables in step one chunk at a time (rebuilding it
 * on every call made the 512-map tests take minutes under KASAN);
 * check_all() compares the two.
 */
static void tables_build(struct kunit *test, struct pt_ctx *ctx,
			 struct xarray *xa)
{
	unsigned int i;

	xa_destroy(xa);
	for (i = 0; i < ctx->nchunks; i++)
		tables_add(test, ctx, xa, &ctx->chunks[i]);
}

/* Whether a chunk needs the table at level @lvl, number @k (tables_add()). */
static bool table_needed(struct pt_ctx *ctx, unsigned int lvl, unsigned long k)
{
	unsigned int shift = lvl_shift(lvl + 1), i;

	for (i = 0; i < ctx->nchunks; i++) {
		const struct chunk *c = &ctx->chunks[i];

		if (pgsize_lvl(c->pgsize) <= lvl && c->iova >> shift <= k &&
		    (chunk_end(c) - 1) >> shift >= k)
			return true;
	}
	return false;
}

/* The chunk holding @iova, or NULL. */
static struct chunk *chunk_at(struct pt_ctx *ctx, unsigned long iova)
{
	unsigned int i;

	for (i = 0; i < ctx->nchunks; i++)
		if (ctx->chunks[i].iova <= iova &&
		    iova - ctx->chunks[i].iova < chunk_end(&ctx->chunks[i]) -
						 ctx->chunks[i].iova)
			return &ctx->chunks[i];
	return NULL;
}

static bool chunks_overlap(struct pt_ctx *ctx, unsigned long start,
			   unsigned long end)
{
	unsigned int i;

	for (i = 0; i < ctx->nchunks; i++)
		if (ctx->chunks[i].iova < end && start < chunk_end(&ctx->chunks[i]))
			return true;
	return false;
}

static void chunk_add(struct kunit *test, struct pt_ctx *ctx,
		      unsigned long iova, phys_addr_t paddr, size_t pgsize,
		      size_t count, int prot)
{
	KUNIT_ASSERT_LT(test, ctx->nchunks, (unsigned int)MAX_CHUNKS);
	ctx->chunks[ctx->nchunks++] = (struct chunk){ iova, paddr, pgsize,
						      count, prot };
}

/*
 * What a map must do: the expected errno, *mapped and walk flushes. The
 * tables follow from the chunks (tables_build()).
 */
static int model_map(struct kunit *test, struct pt_ctx *ctx,
		     unsigned long iova, phys_addr_t paddr, size_t pgsize,
		     size_t count, int prot, size_t *mapped,
		     unsigned long *flushes)
{
	const struct vtd_pgtable_cfg *cfg = &ctx->cfg;
	unsigned int leaf_lvl, lvl;
	unsigned long s, a;
	size_t size;

	*mapped = 0;
	*flushes = 0;
	if (!count)
		return 0;
	if (!is_power_of_2(pgsize) || !(pgsize & cfg->pgsize_bitmap) ||
	    ((iova | paddr) & (pgsize - 1)))
		return -EINVAL;
	size = pgsize * count;
	if (iova + size - 1 < iova || ((iova + size - 1) >> cfg->ias) ||
	    ((u64)(paddr + size - 1) >> cfg->oas) ||
	    !(prot & (XIOMMU_READ | XIOMMU_WRITE)))
		return -EINVAL;

	leaf_lvl = pgsize_lvl(pgsize);
	for (s = 0; s < count; s++) {
		struct chunk *c;

		a = iova + s * pgsize;
		for (lvl = cfg->levels; lvl > leaf_lvl; lvl--) {
			c = chunk_at(ctx, a);
			/* A leaf on the path above the requested level. */
			if (c && c->pgsize == lvl_size(lvl))
				goto err_exist;
		}
		c = chunk_at(ctx, a);
		if (c && c->pgsize == pgsize)
			goto err_exist;
		/* A table where the leaf goes holds something: no empty ones. */
		if (leaf_lvl > 1 && chunks_overlap(ctx, a, a + pgsize))
			goto err_exist;
		*mapped += pgsize;
	}
	return 0;

err_exist:
	return -EEXIST;
}

/* Map through the format and check it against the model. */
static int do_map(struct kunit *test, struct pt_ctx *ctx, unsigned long iova,
		  phys_addr_t paddr, size_t pgsize, size_t count, int prot)
{
	unsigned long want_flushes, flushes = ctx->flushes;
	size_t want_mapped, mapped = 0x1234;
	int want, rc;

	want = model_map(test, ctx, iova, paddr, pgsize, count, prot,
			 &want_mapped, &want_flushes);
	rc = ctx->pgt->ops->map_pages(ctx->pgt, iova, paddr, pgsize, count,
				      prot, GFP_KERNEL, &mapped);
	KUNIT_EXPECT_EQ_MSG(test, rc, want,
			    "map %#lx -> %#llx, %zu x %#zx", iova,
			    (u64)paddr, count, pgsize);
	KUNIT_EXPECT_EQ(test, mapped, want_mapped);
	KUNIT_EXPECT_EQ(test, ctx->flushes - flushes, want_flushes);
	if (want_flushes == 1 && count == 1) {
		KUNIT_EXPECT_EQ(test, ctx->flush_iova, iova);
		KUNIT_EXPECT_EQ(test, ctx->flush_size, pgsize);
	}
	if (mapped && mapped == want_mapped) {
		chunk_add(test, ctx, iova, paddr, pgsize, mapped / pgsize, prot);
		tables_add(test, ctx, &ctx->tables,
			   &ctx->chunks[ctx->nchunks - 1]);
	}
	/* A failed map leaves no empty table behind. */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ctx->pgt->nr_tables),
			(long)tables_count(ctx) + 1);
	return rc;
}

/*
 * Unmap [iova, iova + pgsize * count), which must hold whole chunks only,
 * through the format; check the bytes cleared, the gathered range and
 * the tables handed back for freeing: those the remaining chunks no
 * longer need. The gather is the range: it overlaps every table freed.
 */
static size_t do_unmap(struct kunit *test, struct pt_ctx *ctx,
		       unsigned long iova, size_t pgsize, size_t count)
{
	unsigned long end = iova + pgsize * count, want_tables = 0, key;
	struct xiommu_iotlb_gather gather;
	size_t want = 0, got, ntables = 0;
	struct list_head *pos;
	unsigned int i, j;
	void *entry;

	for (i = 0, j = 0; i < ctx->nchunks; i++) {
		struct chunk *c = &ctx->chunks[i];

		if (c->iova >= iova && chunk_end(c) <= end) {
			want += c->pgsize * c->count;
			continue;
		}
		KUNIT_ASSERT_FALSE_MSG(test, c->iova < end && iova < chunk_end(c),
				       "test bug: unmap cuts a chunk");
		ctx->chunks[j++] = *c;
	}
	ctx->nchunks = j;
	/* The tables no remaining chunk needs are freed. */
	xa_for_each(&ctx->tables, key, entry) {
		unsigned int lvl = key & 7;
		unsigned long base = (key >> 3) << lvl_shift(lvl + 1);

		if (table_needed(ctx, lvl, key >> 3))
			continue;
		want_tables++;
		/* The flush reaches the cached entry pointing to it. */
		KUNIT_EXPECT_TRUE(test, base < end &&
					iova <= base + (lvl_size(lvl + 1) - 1));
		xa_erase(&ctx->tables, key);
	}

	xiommu_iotlb_gather_init(&gather);
	got = ctx->pgt->ops->unmap_pages(ctx->pgt, iova, pgsize, count,
					 &gather);
	KUNIT_EXPECT_EQ_MSG(test, got, want, "unmap %#lx, %zu x %#zx", iova,
			    count, pgsize);
	list_for_each(pos, &gather.freelist)
		ntables++;
	KUNIT_EXPECT_EQ(test, ntables, want_tables);
	if (got) {
		KUNIT_EXPECT_EQ(test, gather.start, iova);
		KUNIT_EXPECT_EQ(test, gather.end, end - 1);
	}
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ctx->pgt->nr_tables),
			(long)tables_count(ctx) + 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ctx->pgt->nr_unlinked),
			(long)ntables);
	vtd_pgtable_free_gathered(&gather.freelist);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ctx->pgt->nr_unlinked), 0L);
	return got;
}

/* ------------------------------------------------------------------------
 * Checking the raw tables
 */
struct walk_count {
	unsigned long leaves[VTD_PT_MAX_LEVELS + 1];
	unsigned long tables;
};

static void walk(struct kunit *test, struct pt_ctx *ctx, u64 *table,
		 unsigned int lvl, unsigned long base, struct walk_count *wc)
{
	const u64 rw = VTD_PTE_R | VTD_PTE_W;
	unsigned int i;

	for (i = 0; i < 512; i++) {
		unsigned long iova = base + i * lvl_size(lvl);
		u64 pte = READ_ONCE(table[i]);
		struct chunk *c;
		u64 want;

		if (!(pte & rw)) {
			if (pte)
				KUNIT_FAIL(test, "junk %#llx at %#lx", pte,
					   iova);
			continue;
		}
		if (lvl > 1 && !(pte & VTD_PTE_PS)) {
			/* A table: both rights, address, nothing else. */
			KUNIT_EXPECT_EQ(test, pte & ~VTD_PTE_ADDR, rw);
			KUNIT_EXPECT_TRUE_MSG(test,
					      table_exists(ctx, lvl - 1, iova),
					      "unexpected level %u table at %#lx",
					      lvl - 1, iova);
			wc->tables++;
			walk(test, ctx, phys_to_virt(pte & VTD_PTE_ADDR),
			     lvl - 1, iova, wc);
			continue;
		}
		wc->leaves[lvl]++;
		c = chunk_at(ctx, iova);
		if (!c) {
			KUNIT_FAIL(test, "unexpected level %u leaf at %#lx",
				   lvl, iova);
			continue;
		}
		KUNIT_EXPECT_EQ(test, c->pgsize, (size_t)lvl_size(lvl));
		want = (c->paddr + (iova - c->iova)) & VTD_PTE_ADDR;
		if (c->prot & XIOMMU_READ)
			want |= VTD_PTE_R;
		if (c->prot & XIOMMU_WRITE)
			want |= VTD_PTE_W;
		if (lvl > 1)
			want |= VTD_PTE_PS;
		if (ctx->snoop)
			want |= VTD_PTE_SNP;
		KUNIT_EXPECT_EQ_MSG(test, pte, want, "leaf at %#lx", iova);
	}
}

static unsigned long rnd64(struct rnd_state *rnd)
{
	return ((u64)prandom_u32_state(rnd) << 32) | prandom_u32_state(rnd);
}

/* The whole table against the model, and iova_to_phys at some points. */
static void check_all(struct kunit *test, struct pt_ctx *ctx)
{
	struct vtd_pgtable *pgt = ctx->pgt;
	unsigned long want_leaves[VTD_PT_MAX_LEVELS + 1] = {};
	struct walk_count wc = {};
	unsigned int i, lvl;
	unsigned long key;
	struct xarray all;
	void *entry;

	/* The model's tables, kept in step call by call, are what it says. */
	xa_init(&all);
	tables_build(test, ctx, &all);
	xa_for_each(&all, key, entry)
		KUNIT_EXPECT_TRUE_MSG(test, xa_load(&ctx->tables, key),
				      "model table %#lx missing", key);
	KUNIT_EXPECT_EQ(test, tables_count(ctx), xa_entries(&all));
	xa_destroy(&all);

	walk(test, ctx, pgt->root, ctx->cfg.levels, 0, &wc);
	for (i = 0; i < ctx->nchunks; i++)
		want_leaves[pgsize_lvl(ctx->chunks[i].pgsize)] +=
			ctx->chunks[i].count;
	for (lvl = 1; lvl <= ctx->cfg.levels; lvl++) {
		KUNIT_EXPECT_EQ_MSG(test, wc.leaves[lvl], want_leaves[lvl],
				    "level %u leaves", lvl);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_leaves[lvl]),
				(long)want_leaves[lvl]);
	}
	KUNIT_EXPECT_EQ(test, wc.tables, tables_count(ctx));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables),
			(long)tables_count(ctx) + 1);

	for (i = 0; i < ctx->nchunks; i++) {
		struct chunk *c = &ctx->chunks[i];
		unsigned long len = chunk_end(c) - c->iova;
		unsigned long off[3] = { 0, len - 1, rnd64(&ctx->rnd) % len };
		unsigned int k;

		for (k = 0; k < ARRAY_SIZE(off); k++)
			KUNIT_EXPECT_EQ(test,
					pgt->ops->iova_to_phys(pgt,
							       c->iova + off[k]),
					c->paddr + off[k]);
	}
	for (i = 0; i < 64; i++) {
		unsigned long iova = rnd64(&ctx->rnd) % WINDOW;
		struct chunk *c = chunk_at(ctx, iova);

		KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, iova),
				c ? c->paddr + (iova - c->iova) : 0);
	}
}

/* ------------------------------------------------------------------------
 * Tests
 */
static void pt_test_alloc_cfg(struct kunit *test)
{
	static const struct vtd_pgtable_tlb_ops no_flush = {};
	struct pt_ctx *ctx = test->priv;
	struct vtd_pgtable *pgt;
	unsigned int i;
	/* One bad field each; 0 keeps the good value. */
	const struct {
		unsigned int levels, ias;
		unsigned long pgsizes;
		const struct vtd_pgtable_tlb_ops *tlb;
		bool no_tlb;
	} bad[] = {
		{ .levels = 1 },
		{ .levels = 6 },
		{ .ias = 12 + 9 * 4 + 1 },	/* more than 4 levels hold */
		{ .levels = 5, .ias = 64 },
		{ .pgsizes = SZ_2M | SZ_1G },	/* no 4 KiB */
		{ .pgsizes = SZ_4K | SZ_2M | SZ_1G | (1UL << 39) },
		{ .pgsizes = SZ_4K | SZ_8K },
		{ .no_tlb = true },
		{ .tlb = &no_flush },
	};
	struct vtd_pgtable_cfg c;

	fill_cfg(ctx, &pt_params[1]);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		c = ctx->cfg;
		if (bad[i].levels)
			c.levels = bad[i].levels;
		if (bad[i].ias)
			c.ias = bad[i].ias;
		if (bad[i].pgsizes)
			c.pgsize_bitmap = bad[i].pgsizes;
		if (bad[i].tlb)
			c.tlb = bad[i].tlb;
		if (bad[i].no_tlb)
			c.tlb = NULL;
		pgt = vtd_pgtable_alloc(&c, GFP_KERNEL);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(pgt), -EINVAL,
				    "config %u", i);
		if (!IS_ERR(pgt))
			vtd_pgtable_free(pgt);
	}
	/* Zero IOVA or output bits. */
	c = ctx->cfg;
	c.ias = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(vtd_pgtable_alloc(&c, GFP_KERNEL)),
			-EINVAL);
	c = ctx->cfg;
	c.oas = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(vtd_pgtable_alloc(&c, GFP_KERNEL)),
			-EINVAL);

	/* A good one: an empty root, page aligned, one table. */
	pgt = vtd_pgtable_alloc(&ctx->cfg, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pgt);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 1L);
	KUNIT_EXPECT_EQ(test, vtd_pgtable_root_phys(pgt), virt_to_phys(pgt->root));
	KUNIT_EXPECT_EQ(test, vtd_pgtable_root_phys(pgt) & (SZ_4K - 1), 0ULL);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(pgt->root, 0, SZ_4K));
	vtd_pgtable_free(pgt);
}

static void pt_test_map_basic(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	struct vtd_pgtable *pgt = ctx->pgt;
	const unsigned long top = 1UL << ctx->cfg.ias;
	const int rw = XIOMMU_READ | XIOMMU_WRITE;
	size_t mapped;

	KUNIT_ASSERT_NOT_NULL(test, pgt);
	do_map(test, ctx, 0x1000, 0x40000000, SZ_4K, 1, rw);
	do_map(test, ctx, 0x3000, 0x40005000, SZ_4K, 3, XIOMMU_READ);
	do_map(test, ctx, 0x10000, 0x40010000, SZ_4K, 1, XIOMMU_WRITE);
	check_all(test, ctx);
	/* The byte offset passes through. */
	KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, 0x1abc),
			(phys_addr_t)0x40000abc);
	KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, 0x2000),
			(phys_addr_t)0);

	/* Refused, nothing mapped: the model predicts each errno. */
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, 0x20800, 0x40000000, SZ_4K, 1,
				     rw), -EINVAL);
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, 0x20000, 0x40000800, SZ_4K, 1,
				     rw), -EINVAL);
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, 0x20000, 0x40000000, SZ_8K, 1,
				     rw), -EINVAL);
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, 0x20000, 0x40000000, SZ_4K, 1,
				     XIOMMU_CACHE), -EINVAL);
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, top, 0x40000000, SZ_4K, 1, rw),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, top - SZ_4K, 0x40000000,
				     SZ_4K, 2, rw), -EINVAL);
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, 0x20000, 1ULL << TEST_OAS,
				     SZ_4K, 1, rw), -EINVAL);
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, 0x20000, 0x40000000, SZ_4K, 0,
				     rw), 0);
	if (!(ctx->cfg.pgsize_bitmap & SZ_1G))
		KUNIT_EXPECT_EQ(test, do_map(test, ctx, 0, 0, SZ_1G, 1, rw),
				-EINVAL);
	/* Over a present leaf, partly: the part before it stays mapped. */
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, 0x8000, 0x50000000, SZ_4K, 16,
				     rw), -EEXIST);
	mapped = 0;
	KUNIT_EXPECT_EQ(test, pgt->ops->map_pages(pgt, 0x1000, 0x60000000,
						  SZ_4K, 1, rw, GFP_KERNEL,
						  &mapped), -EEXIST);
	KUNIT_EXPECT_EQ(test, mapped, (size_t)0);
	check_all(test, ctx);

	/* The last page of the IOVA space. */
	do_map(test, ctx, top - SZ_4K, 0x40000000, SZ_4K, 1, rw);
	KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, top - 1),
			(phys_addr_t)0x40000fff);
	KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, top),
			(phys_addr_t)0);
	KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, top - SZ_4K, SZ_4K, 1),
			(size_t)SZ_4K);
	/* Beyond the space or where nothing is: nothing cleared. */
	KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, top, SZ_4K, 1), (size_t)0);
	KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, 0x200000, SZ_4K, 4),
			(size_t)0);

	/* Unmapping everything unlinks every table but the root. */
	KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, 0, SZ_4K, top / SZ_4K),
			(size_t)(SZ_4K * (1 + 3 + 1 + 8)));
	check_all(test, ctx);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 1L);
}

/*
 * 512 separate 4 KiB maps fill one 2 MiB span; unmapped one by one (in a
 * scattered order), the table stays until the last leaf goes, and that
 * unmap frees it and every parent it leaves empty. A neighbour in the
 * next 2 MiB keeps the parents, then goes too.
 */
static void pt_test_empty_frees(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	struct vtd_pgtable *pgt = ctx->pgt;
	const unsigned long base = 3UL * SZ_2M;
	const unsigned int levels = ctx->cfg.levels;
	unsigned int i, round;

	KUNIT_ASSERT_NOT_NULL(test, pgt);
	for (round = 0; round < 2; round++) {
		if (round)
			KUNIT_ASSERT_EQ(test, do_map(test, ctx, base + SZ_2M,
						     0x30000000, SZ_4K, 1,
						     XIOMMU_READ), 0);
		for (i = 0; i < 512; i++)
			KUNIT_ASSERT_EQ(test, do_map(test, ctx, base + i * SZ_4K,
						     0x20000000 + i * SZ_4K,
						     SZ_4K, 1, XIOMMU_READ), 0);
		/* One table per level below the root, or one more leaf table. */
		KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables),
				(long)levels + round);
		check_all(test, ctx);
		for (i = 0; i < 512; i++) {
			/* 167 is odd: every index once, not in order. */
			unsigned long iova = base + (i * 167 % 512) * SZ_4K;

			KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, iova, SZ_4K, 1),
					(size_t)SZ_4K);
			if (i < 511)
				KUNIT_EXPECT_EQ(test,
						atomic_long_read(&pgt->nr_tables),
						(long)levels + round);
		}
		/* The last unmap took the leaf table, and its parents if empty. */
		KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables),
				round ? (long)levels : 1L);
		check_all(test, ctx);
		if (round) {
			KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, base + SZ_2M,
						       SZ_4K, 1), (size_t)SZ_4K);
			KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables),
					1L);
		}
	}
	KUNIT_EXPECT_EQ(test, ctx->flushes, 0UL);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(pgt->root, 0, SZ_4K));
}

/*
 * Threads that map, check and unmap their own 4 KiB page over and over,
 * two of them in one leaf table and the others in neighbouring ones, so
 * that tables are filled and emptied under each other's walks. A smoke
 * test: how much really overlaps depends on the guest's CPUs and
 * preemption; what is checked is that every call succeeds, translations
 * hold, and that at the end only the root is left.
 */
struct race_arg {
	struct vtd_pgtable *pgt;
	unsigned long iova;
	unsigned long errors;
	struct completion done;
};

static int race_fn(void *data)
{
	struct race_arg *a = data;
	struct vtd_pgtable *pgt = a->pgt;
	const phys_addr_t paddr = 0x40000000 + a->iova;
	struct xiommu_iotlb_gather gather;
	unsigned int i;
	size_t mapped;

	for (i = 0; i < 3000; i++) {
		if (pgt->ops->map_pages(pgt, a->iova, paddr, SZ_4K, 1,
					XIOMMU_READ, GFP_KERNEL, &mapped))
			a->errors++;
		if (pgt->ops->iova_to_phys(pgt, a->iova + 8) != paddr + 8)
			a->errors++;
		xiommu_iotlb_gather_init(&gather);
		if (pgt->ops->unmap_pages(pgt, a->iova, SZ_4K, 1, &gather) !=
		    SZ_4K)
			a->errors++;
		vtd_pgtable_free_gathered(&gather.freelist);
		cond_resched();
	}
	complete(&a->done);
	return 0;
}

static void pt_test_race(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	const unsigned long iovas[] = {
		SZ_1G, SZ_1G + SZ_4K, SZ_1G + SZ_2M + 5 * SZ_4K,
		SZ_1G + 7 * SZ_2M,
	};
	struct race_arg *args;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx->pgt);
	args = kunit_kcalloc(test, ARRAY_SIZE(iovas), sizeof(*args),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, args);
	for (i = 0; i < ARRAY_SIZE(iovas); i++) {
		struct task_struct *t;

		args[i].pgt = ctx->pgt;
		args[i].iova = iovas[i];
		init_completion(&args[i].done);
		t = kthread_run(race_fn, &args[i], "vtd_pt_race%u", i);
		if (IS_ERR(t))
			complete(&args[i].done);
		KUNIT_EXPECT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < ARRAY_SIZE(iovas); i++) {
		wait_for_completion(&args[i].done);
		KUNIT_EXPECT_EQ_MSG(test, args[i].errors, 0UL, "thread %u", i);
	}
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ctx->pgt->nr_tables), 1L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ctx->pgt->nr_unlinked), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ctx->pgt->nr_leaves[1]), 0L);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(ctx->pgt->root, 0, SZ_4K));
}

static void pt_test_superpage(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	struct vtd_pgtable *pgt = ctx->pgt;
	const int rw = XIOMMU_READ | XIOMMU_WRITE;
	unsigned long flushes, tables;
	size_t big;

	KUNIT_ASSERT_NOT_NULL(test, pgt);
	if (!(ctx->cfg.pgsize_bitmap & SZ_2M)) {
		/* No superpages here: asking for one is refused. */
		KUNIT_EXPECT_EQ(test, do_map(test, ctx, SZ_2M, SZ_2M, SZ_2M, 1,
					     rw), -EINVAL);
		check_all(test, ctx);
		return;
	}
	big = ctx->cfg.pgsize_bitmap & SZ_1G ? SZ_1G : SZ_2M;

	/* A superpage is one leaf with PS, and translates inside. */
	KUNIT_ASSERT_EQ(test, do_map(test, ctx, SZ_2M, SZ_2M * 100, SZ_2M, 1,
				     rw), 0);
	KUNIT_EXPECT_EQ(test, pgt->ops->iova_to_phys(pgt, SZ_2M + 0x12345),
			(phys_addr_t)SZ_2M * 100 + 0x12345);
	check_all(test, ctx);
	/* No leaf goes inside it: a superpage is never split by a map. */
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, SZ_2M + SZ_4K, 0x1000, SZ_4K,
				     1, rw), -EEXIST);
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, SZ_2M - SZ_4K, 0x1000, SZ_4K,
				     4, rw), -EEXIST);
	check_all(test, ctx);

	/* A superpage over a table with leaves is refused... */
	KUNIT_ASSERT_EQ(test, do_map(test, ctx, 2 * SZ_2M + SZ_8K, 0x5000,
				     SZ_4K, 1, rw), 0);
	KUNIT_ASSERT_EQ(test, do_map(test, ctx, 2 * SZ_2M + SZ_8K + SZ_4K,
				     0x6000, SZ_4K, 1, rw), 0);
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, 2 * SZ_2M, SZ_2M * 200, SZ_2M,
				     1, rw), -EEXIST);
	/* ... unmapped piecemeal, the table goes with the last leaf ... */
	tables = atomic_long_read(&pgt->nr_tables);
	KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, 2 * SZ_2M + SZ_8K, SZ_4K, 1),
			(size_t)SZ_4K);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), (long)tables);
	KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, 2 * SZ_2M + SZ_8K + SZ_4K,
				       SZ_4K, 1), (size_t)SZ_4K);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables),
			(long)tables - 1);
	/* ... so the superpage goes in with no table to replace or flush. */
	flushes = ctx->flushes;
	KUNIT_EXPECT_EQ(test, do_map(test, ctx, 2 * SZ_2M, SZ_2M * 200, SZ_2M,
				     1, rw), 0);
	KUNIT_EXPECT_EQ(test, ctx->flushes, flushes);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables),
			(long)tables - 1);
	check_all(test, ctx);

	/* An unmap of 2 MiB over 512 small leaves clears them all. */
	KUNIT_ASSERT_EQ(test, do_map(test, ctx, 4 * SZ_2M, 0x80000000, SZ_4K,
				     512, XIOMMU_READ), 0);
	check_all(test, ctx);
	KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, 4 * SZ_2M, SZ_2M, 1),
			(size_t)SZ_2M);
	check_all(test, ctx);

	if (big == SZ_1G) {
		/* 1 GiB over a 2 MiB leaf in its span: refused. */
		KUNIT_EXPECT_EQ(test, do_map(test, ctx, 0, SZ_1G, SZ_1G, 1, rw),
				-EEXIST);
		KUNIT_EXPECT_EQ(test, do_map(test, ctx, SZ_1G, 3UL * SZ_1G, SZ_1G,
					     2, rw), 0);
		KUNIT_EXPECT_EQ(test, do_map(test, ctx, SZ_1G + SZ_2M, 0,
					     SZ_2M, 1, rw), -EEXIST);
		check_all(test, ctx);
		/* Empty the first GiB: its tables go, 1 GiB needs no flush. */
		KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, SZ_2M - SZ_4K, SZ_4K,
					       1), (size_t)SZ_4K);
		KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, SZ_2M, SZ_2M, 1),
				(size_t)SZ_2M);
		KUNIT_EXPECT_EQ(test, do_unmap(test, ctx, 2 * SZ_2M, SZ_2M, 1),
				(size_t)SZ_2M);
		flushes = ctx->flushes;
		KUNIT_EXPECT_EQ(test, do_map(test, ctx, 0, 7UL * SZ_1G, SZ_1G, 1,
					     rw), 0);
		KUNIT_EXPECT_EQ(test, ctx->flushes, flushes);
		check_all(test, ctx);
	}
}

/* pgtable as a core domain, so xiommu_map() picks the leaf sizes. */
struct pt_domain {
	struct xiommu_domain domain;
	struct vtd_pgtable *pgt;
	unsigned long syncs;
};

static struct vtd_pgtable *dom_pgt(struct xiommu_domain *domain)
{
	return container_of(domain, struct pt_domain, domain)->pgt;
}

static int dom_map(struct xiommu_domain *domain, unsigned long iova,
		   phys_addr_t paddr, size_t pgsize, size_t pgcount, int prot,
		   gfp_t gfp, size_t *mapped)
{
	struct vtd_pgtable *pgt = dom_pgt(domain);

	return pgt->ops->map_pages(pgt, iova, paddr, pgsize, pgcount, prot,
				   gfp, mapped);
}

static size_t dom_unmap(struct xiommu_domain *domain, unsigned long iova,
			size_t pgsize, size_t pgcount,
			struct xiommu_iotlb_gather *gather)
{
	struct vtd_pgtable *pgt = dom_pgt(domain);

	return pgt->ops->unmap_pages(pgt, iova, pgsize, pgcount, gather);
}

static void dom_sync(struct xiommu_domain *domain,
		     struct xiommu_iotlb_gather *gather)
{
	container_of(domain, struct pt_domain, domain)->syncs++;
	vtd_pgtable_free_gathered(&gather->freelist);
}

static const struct xiommu_domain_ops pt_domain_ops = {
	.map_pages = dom_map,
	.unmap_pages = dom_unmap,
	.iotlb_sync = dom_sync,
};

static void pt_test_promotion(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	struct vtd_pgtable *pgt = ctx->pgt;
	const bool has_1g = ctx->cfg.pgsize_bitmap & SZ_1G;
	const bool has_2m = ctx->cfg.pgsize_bitmap & SZ_2M;
	struct pt_domain pd = {
		.domain = {
			.type = XIOMMU_DOMAIN_PAGING,
			.ops = &pt_domain_ops,
			.pgsize_bitmap = ctx->cfg.pgsize_bitmap,
			.geometry.aperture_end = (1UL << ctx->cfg.ias) - 1,
		},
		.pgt = pgt,
	};
	/* iova, paddr, size; expected leaves of 4K, 2M, 1G */
	const struct {
		unsigned long iova;
		phys_addr_t paddr;
		size_t size;
		unsigned long n4k, n2m, n1g;
	} cases[] = {
		/* aligned both: large leaves, the tail in small ones */
		{ SZ_1G, 0x80000000, 2 * SZ_2M + 2 * SZ_4K, 2, 2, 0 },
		/* small leaves up to the 2 MiB boundary, then large */
		{ 4UL * SZ_1G - 2 * SZ_4K, 0x100000000ULL - 2 * SZ_4K,
		  SZ_2M + 4 * SZ_4K, 4, 1, 0 },
		/* IOVA and memory disagree modulo 2 MiB: small leaves only */
		{ 8UL * SZ_1G, 0x200000000ULL + SZ_4K, SZ_2M, 512, 0, 0 },
		/* 1 GiB + 2 MiB, aligned */
		{ 12UL * SZ_1G, 0x400000000ULL, SZ_1G + SZ_2M, 0, 1, 1 },
	};
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, pgt);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long n4k = cases[i].n4k, n2m = cases[i].n2m;
		unsigned long n1g = cases[i].n1g;
		unsigned long off;

		/* What the missing sizes turn into. */
		if (!has_1g) {
			n2m += n1g * 512;
			n1g = 0;
		}
		if (!has_2m) {
			n4k += n2m * 512;
			n2m = 0;
		}
		KUNIT_ASSERT_EQ(test, xiommu_map(&pd.domain, cases[i].iova,
						 cases[i].paddr, cases[i].size,
						 XIOMMU_READ, GFP_KERNEL), 0);
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&pgt->nr_leaves[1]),
				    (long)n4k, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&pgt->nr_leaves[2]),
				    (long)n2m, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&pgt->nr_leaves[3]),
				    (long)n1g, "case %u", i);
		for (off = 0; off < cases[i].size; off += SZ_4K * 61)
			KUNIT_EXPECT_EQ(test,
					pgt->ops->iova_to_phys(pgt,
							       cases[i].iova +
							       off),
					cases[i].paddr + off);
		KUNIT_EXPECT_EQ(test, xiommu_unmap(&pd.domain, cases[i].iova,
						   cases[i].size),
				cases[i].size);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_leaves[1]) +
				atomic_long_read(&pgt->nr_leaves[2]) +
				atomic_long_read(&pgt->nr_leaves[3]), 0L);
		/* Every table emptied went with it: the root is left. */
		KUNIT_EXPECT_EQ(test, atomic_long_read(&pgt->nr_tables), 1L);
	}
	KUNIT_EXPECT_GT(test, pd.syncs, 0UL);
	/* Nothing is left for an unmap of the whole space to clear. */
	KUNIT_EXPECT_EQ(test, xiommu_unmap(&pd.domain, 0,
					   1UL << ctx->cfg.ias), 0UL);
}

static void pt_test_snoop(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	struct vtd_pgtable *pgt;

	KUNIT_ASSERT_NOT_NULL(test, ctx->pgt);
	/* Without snoop control SNP is reserved: never set. */
	fill_cfg(ctx, ctx->p);
	ctx->cfg.snoop_ctl = false;
	pgt = vtd_pgtable_alloc(&ctx->cfg, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pgt);
	KUNIT_EXPECT_FALSE(test, vtd_pgtable_force_snoop(pgt));
	vtd_pgtable_free(pgt);

	do_map(test, ctx, 0x1000, 0x40000000, SZ_4K, 4, XIOMMU_READ);
	if (ctx->cfg.pgsize_bitmap & SZ_2M)
		do_map(test, ctx, SZ_2M, SZ_1G, SZ_2M, 1, XIOMMU_WRITE);
	check_all(test, ctx);
	/* Present leaves get SNP, and so do later ones. */
	KUNIT_EXPECT_TRUE(test, vtd_pgtable_force_snoop(ctx->pgt));
	ctx->snoop = true;
	check_all(test, ctx);
	do_map(test, ctx, 0x100000, 0x50000000, SZ_4K, 3,
	       XIOMMU_READ | XIOMMU_WRITE);
	check_all(test, ctx);
}

/* Random layouts against the model. */
static void pt_test_random(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	struct rnd_state *rnd = &ctx->rnd;
	const unsigned long pgsizes = ctx->cfg.pgsize_bitmap;
	unsigned long op, maps = 0, unmaps = 0, refused = 0;
	unsigned long freed[8] = {};

	KUNIT_ASSERT_NOT_NULL(test, ctx->pgt);
	for (op = 0; op < 600; op++) {
		unsigned int r = prandom_u32_state(rnd) % 100;

		if (r < 60 && ctx->nchunks < MAX_CHUNKS - 8) {
			size_t pgsize = SZ_4K, count;
			unsigned long iova, nchunks_before;
			phys_addr_t paddr;
			int prot, rc;

			r = prandom_u32_state(rnd) % 100;
			if (r < 10 && (pgsizes & SZ_1G))
				pgsize = SZ_1G;
			else if (r < 40 && (pgsizes & SZ_2M))
				pgsize = SZ_2M;
			count = pgsize == SZ_4K ?
				1 + prandom_u32_state(rnd) % 32 :
				1 + prandom_u32_state(rnd) % 2;
			r = prandom_u32_state(rnd) % 6;
			if (ctx->nchunks && r < 2)
				/* Over a mapping: conflicts. */
				iova = ALIGN_DOWN(ctx->chunks[prandom_u32_state(rnd) %
						  ctx->nchunks].iova, pgsize);
			else if (r == 2)
				/* Where one was: tables just freed. */
				iova = ALIGN_DOWN(freed[prandom_u32_state(rnd) %
						  ARRAY_SIZE(freed)], pgsize);
			else
				iova = ALIGN_DOWN(rnd64(rnd) % WINDOW, pgsize);
			paddr = ALIGN_DOWN(SZ_1G + rnd64(rnd) %
					   (1ULL << (TEST_OAS - 1)), pgsize);
			prot = 1 + prandom_u32_state(rnd) % 3;
			nchunks_before = ctx->nchunks;
			rc = do_map(test, ctx, iova, paddr, pgsize, count, prot);
			if (!rc) {
				maps++;
				continue;
			}
			refused++;
			/* Undo a partial map, as the core does. */
			if (ctx->nchunks != nchunks_before) {
				struct chunk c = ctx->chunks[ctx->nchunks - 1];

				do_unmap(test, ctx, c.iova, c.pgsize, c.count);
			}
		} else if (ctx->nchunks && r < 92) {
			struct chunk *c = &ctx->chunks[prandom_u32_state(rnd) %
						       ctx->nchunks];

			freed[unmaps % ARRAY_SIZE(freed)] = c->iova;
			do_unmap(test, ctx, c->iova, c->pgsize, c->count);
			unmaps++;
		} else if (ctx->nchunks) {
			/* A whole 2 MiB or 1 GiB block around a mapping. */
			struct chunk *c = &ctx->chunks[prandom_u32_state(rnd) %
						       ctx->nchunks];
			size_t block = r & 1 ? SZ_1G : SZ_2M;
			unsigned long start = ALIGN_DOWN(c->iova, block);
			unsigned int i;
			bool whole = true;

			for (i = 0; i < ctx->nchunks; i++) {
				struct chunk *o = &ctx->chunks[i];

				if (o->iova < start + block &&
				    start < chunk_end(o) &&
				    (o->iova < start ||
				     chunk_end(o) > start + block))
					whole = false;
			}
			if (whole) {
				do_unmap(test, ctx, start, block, 1);
				unmaps++;
			}
		}
		if (op % 50 == 49)
			check_all(test, ctx);
	}
	check_all(test, ctx);
	kunit_info(test, "%lu maps, %lu refused, %lu unmaps, %lu flushes\n",
		   maps, refused, unmaps, ctx->flushes);
	KUNIT_EXPECT_GT(test, maps, 100UL);
	KUNIT_EXPECT_GT(test, refused, 0UL);
	/* The exit frees the populated table: KASAN watches. */
}

static struct kunit_case pt_test_cases[] = {
	KUNIT_CASE(pt_test_alloc_cfg),
	KUNIT_CASE_PARAM(pt_test_map_basic, pt_gen_params),
	KUNIT_CASE_PARAM(pt_test_empty_frees, pt_gen_params),
	KUNIT_CASE_PARAM(pt_test_superpage, pt_gen_params),
	KUNIT_CASE_PARAM(pt_test_race, pt_gen_params),
	KUNIT_CASE_PARAM(pt_test_promotion, pt_gen_params),
	KUNIT_CASE_PARAM(pt_test_snoop, pt_gen_params),
	KUNIT_CASE_PARAM(pt_test_random, pt_gen_params),
	{}
};

static struct kunit_suite pt_test_suite = {
	.name = "xiommu_vtd_pgtable",
	.init = pt_test_init,
	.exit = pt_test_exit,
	.test_cases = pt_test_cases,
};
kunit_test_suite(pt_test_suite);

MODULE_DESCRIPTION("xiommu: KUnit suite of the VT-d page-table format");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
