// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "xiommu_iopt": the io_pagetable data structures.
 *
 * What is checked, each against a model kept by the test rather than
 * against the code's own bookkeeping:
 *  - the hole walk over two interval trees (a bitmap of used values);
 *  - areas: insert (map at a fixed IOVA), remove (unmap: all or nothing,
 *    whole areas only), split (IOAS_COPY takes slices of areas, which is
 *    the only place an area is cut), at the first and last IOVA, one byte,
 *    one page and the whole address space; a list of expected areas;
 *  - IOVA allocation: alignment, page offset, reserved and allowed ranges,
 *    IOVA 0 and the last page never chosen; a first-fit reference written
 *    from the rule in io_pagetable.c (the lowest IOVA that works), not
 *    from its hole-walking algorithm;
 *  - reserved and allowed ranges and their conflicts;
 *  - domains: filling a new domain with every area, mapping new areas into
 *    it, unmapping, large IOPTEs for contiguous memory, the aperture and
 *    alignment rules, and rollback when the domain fails to map; the
 *    contents of a fake domain against the pages the test handed in.
 *
 * There is no user memory in a KUnit thread, so pages objects are built by
 * the test: without a domain nothing is pinned (pages.c), and for the
 * domain tests the test "pins" kernel pages itself by holding a user range
 * over the whole object, so the core never calls pin_user_pages.
 */
#include <kunit/test.h>
#include <linux/interval_tree.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "io_pagetable.h"
#include "iommu_lite.h"
#include "kunit_fake.h"

#define TEST_SEED	0x786f6d6d75ULL
#define MAX_AREAS	64
#define MAX_TPAGES	8
#define MAX_DOMAINS	4

/* A pages object made by the test; see the top of the file. */
struct tpages {
	struct xiommu_pages *pages;
	struct page **kpages;
	unsigned int order;
	struct interval_tree_node pin_node;
	bool pinned;
};

/* One expected area. */
struct tarea {
	unsigned long iova;
	unsigned long length;
	struct xiommu_pages *pages;
	unsigned long start_byte;
	int prot;
};

struct tmodel {
	struct tarea areas[MAX_AREAS];
	unsigned int n;
};

struct iopt_ctx {
	struct xiommu_iopt iopt;
	struct xiommu_iopt iopt2;
	struct tmodel model;
	struct tmodel model2;
	struct tpages tp[MAX_TPAGES];
	unsigned int ntp;
	struct kfake_domain *domains[MAX_DOMAINS];
	struct xiommu_iopt *domain_iopt[MAX_DOMAINS];
	unsigned int ndomains;
	struct rnd_state rnd;
};

/* Owners of reservations; the exit function drops both. */
static char owner_a, owner_b;

/* ------------------------------------------------------------------------
 * Fixture
 */
static int iopt_test_init(struct kunit *test)
{
	struct iopt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	xiommu_iopt_init(&ctx->iopt);
	xiommu_iopt_init(&ctx->iopt2);
	prandom_seed_state(&ctx->rnd, TEST_SEED);
	atomic_set(&kfake_violations, 0);
	test->priv = ctx;
	return 0;
}

static void tpages_release(struct kunit *test, struct tpages *tp)
{
	struct xiommu_pages *pages = tp->pages;
	unsigned long i;

	if (tp->pinned) {
		interval_tree_remove(&tp->pin_node, &pages->users_itree);
		pages->npinned = 0;
		xiommu_pages_test_set(pages, NULL);
		if (tp->order) {
			__free_pages(tp->kpages[0], tp->order);
		} else {
			for (i = 0; i < pages->npages; i++)
				__free_page(tp->kpages[i]);
		}
		kvfree(tp->kpages);
	}
	/* Every reference but the test's own is gone with the areas. */
	KUNIT_EXPECT_EQ(test, kref_read(&pages->kref), 1U);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&pages->users_itree.rb_root));
	KUNIT_EXPECT_TRUE(test, xa_empty(&pages->chunks));
	xa_destroy(&pages->chunks);
	mutex_destroy(&pages->mutex);
	kfree(pages);
}

static void iopt_teardown(struct xiommu_iopt *iopt)
{
	xiommu_iopt_unmap_all(iopt, NULL);
	xiommu_iopt_remove_reserved(iopt, &owner_a);
	xiommu_iopt_remove_reserved(iopt, &owner_b);
}

static void iopt_test_exit(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	unsigned int i;

	iopt_teardown(&ctx->iopt);
	iopt_teardown(&ctx->iopt2);
	for (i = 0; i < ctx->ndomains; i++) {
		if (ctx->domain_iopt[i])
			xiommu_iopt_remove_domain(ctx->domain_iopt[i],
						  &ctx->domains[i]->domain);
		kfake_domain_destroy(ctx->domains[i]);
	}
	xiommu_iopt_destroy(&ctx->iopt);
	xiommu_iopt_destroy(&ctx->iopt2);
	for (i = 0; i < ctx->ntp; i++)
		tpages_release(test, &ctx->tp[i]);
	KUNIT_EXPECT_EQ(test, atomic_read(&kfake_violations), 0);
}

/* The layout xiommu_pages_alloc() gives: the first area's memory inside. */
struct tpages_with_area {
	struct xiommu_pages pages;
	struct xiommu_area area;
};

/*
 * A pages object of @npages pages at user address @uptr. Nothing is
 * pinned: fine as long as the iopt has no domain. Like xiommu_pages_alloc()
 * it carries its first area (pages->first_area); kfree(pages) frees both.
 */
static struct tpages *tpages_new(struct kunit *test, unsigned long uptr,
				 unsigned long npages, bool writable)
{
	struct iopt_ctx *ctx = test->priv;
	struct tpages_with_area *pwa;
	struct xiommu_pages *pages;
	struct tpages *tp;

	KUNIT_ASSERT_LT(test, ctx->ntp, (unsigned int)MAX_TPAGES);
	pwa = kzalloc(sizeof(*pwa), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pwa);
	pages = &pwa->pages;
	pwa->area.in_pages = true;
	pages->first_area = &pwa->area;
	kref_init(&pages->kref);
	mutex_init(&pages->mutex);
	xa_init(&pages->chunks);
	pages->uptr = (void __user *)uptr;
	pages->npages = npages;
	pages->users_itree = RB_ROOT_CACHED;
	pages->access_itree = RB_ROOT_CACHED;
	pages->writable = writable;
	pages->account_mode = XIOMMU_ACCOUNT_NONE;
	tp = &ctx->tp[ctx->ntp++];
	tp->pages = pages;
	return tp;
}

/*
 * Back @tp with kernel pages: one block of 1 << @order pages if @order,
 * else single pages. The test's own user range covers every index, so the
 * core finds everything pinned already and never pins user memory.
 * Return: false if a block of that order cannot be had.
 */
static bool tpages_pin(struct kunit *test, struct tpages *tp,
		       unsigned int order)
{
	struct xiommu_pages *pages = tp->pages;
	unsigned long i;

	tp->kpages = kvcalloc(pages->npages, sizeof(*tp->kpages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, tp->kpages);
	if (order) {
		struct page *block;

		KUNIT_ASSERT_EQ(test, pages->npages, 1UL << order);
		block = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
		if (!block) {
			kvfree(tp->kpages);
			tp->kpages = NULL;
			return false;
		}
		for (i = 0; i < pages->npages; i++)
			tp->kpages[i] = block + i;
	} else {
		for (i = 0; i < pages->npages; i++) {
			tp->kpages[i] = alloc_page(GFP_KERNEL);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, tp->kpages[i]);
		}
	}
	tp->order = order;
	KUNIT_ASSERT_EQ(test, xiommu_pages_test_set(pages, tp->kpages), 0);
	pages->npinned = pages->npages;
	tp->pin_node.start = 0;
	tp->pin_node.last = pages->npages - 1;
	interval_tree_insert(&tp->pin_node, &pages->users_itree);
	tp->pinned = true;
	return true;
}

static struct kfake_domain *test_domain(struct kunit *test,
					unsigned long pgsize_bitmap,
					dma_addr_t start, dma_addr_t end)
{
	struct iopt_ctx *ctx = test->priv;
	struct kfake_domain *fd;

	KUNIT_ASSERT_LT(test, ctx->ndomains, (unsigned int)MAX_DOMAINS);
	fd = kfake_domain_create(pgsize_bitmap, start, end);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fd);
	ctx->domains[ctx->ndomains++] = fd;
	return fd;
}

static int test_add_domain(struct kunit *test, struct xiommu_iopt *iopt,
			   struct kfake_domain *fd)
{
	struct iopt_ctx *ctx = test->priv;
	unsigned int i;
	int rc;

	rc = xiommu_iopt_add_domain(iopt, &fd->domain);
	for (i = 0; !rc && i < ctx->ndomains; i++)
		if (ctx->domains[i] == fd)
			ctx->domain_iopt[i] = iopt;
	return rc;
}

static void test_remove_domain(struct kunit *test, struct xiommu_iopt *iopt,
			       struct kfake_domain *fd)
{
	struct iopt_ctx *ctx = test->priv;
	unsigned int i;

	xiommu_iopt_remove_domain(iopt, &fd->domain);
	for (i = 0; i < ctx->ndomains; i++)
		if (ctx->domains[i] == fd)
			ctx->domain_iopt[i] = NULL;
}

/* ------------------------------------------------------------------------
 * The area model
 */
static int tmap(struct xiommu_iopt *iopt, struct tpages *tp,
		unsigned long start_byte, unsigned long length,
		unsigned long *iova, int prot, unsigned int flags)
{
	struct xiommu_pages_slice slice = {
		.pages = tp->pages,
		.start_byte = start_byte,
		.length = length,
	};
	LIST_HEAD(slices);

	list_add(&slice.next, &slices);
	return xiommu_iopt_map_slices(iopt, &slices, length, iova, prot,
				      flags);
}

static void model_add(struct kunit *test, struct tmodel *m,
		      unsigned long iova, unsigned long length,
		      struct tpages *tp, unsigned long start_byte, int prot)
{
	unsigned int i;

	KUNIT_ASSERT_LT(test, m->n, (unsigned int)MAX_AREAS);
	/* Keep the model sorted by IOVA. */
	for (i = m->n; i && m->areas[i - 1].iova > iova; i--)
		m->areas[i] = m->areas[i - 1];
	m->areas[i] = (struct tarea){ iova, length, tp->pages, start_byte,
				      prot };
	m->n++;
}

/* Map at a fixed IOVA that the model says is free; expect success. */
static void map_fixed(struct kunit *test, struct xiommu_iopt *iopt,
		      struct tmodel *m, struct tpages *tp,
		      unsigned long start_byte, unsigned long length,
		      unsigned long iova, int prot)
{
	unsigned long got = iova;

	KUNIT_ASSERT_EQ(test, tmap(iopt, tp, start_byte, length, &got, prot,
				   0), 0);
	KUNIT_ASSERT_EQ(test, got, iova);
	model_add(test, m, iova, length, tp, start_byte, prot);
}

/* Remove the model's areas lying in [first, last]. */
static unsigned long model_remove(struct tmodel *m, unsigned long first,
				  unsigned long last)
{
	unsigned long bytes = 0;
	unsigned int i, j;

	for (i = 0, j = 0; i < m->n; i++) {
		struct tarea *a = &m->areas[i];

		if (a->iova >= first && a->iova + (a->length - 1) <= last) {
			bytes += a->length;
			continue;
		}
		m->areas[j++] = *a;
	}
	m->n = j;
	return bytes;
}

/* The iopt's areas are exactly the model's, in IOVA order. */
static void check_areas(struct kunit *test, struct xiommu_iopt *iopt,
			struct tmodel *m)
{
	struct interval_tree_node *node;
	unsigned int i = 0;

	down_read(&iopt->iova_rwsem);
	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX), i++) {
		struct xiommu_area *area = container_of(node,
							struct xiommu_area,
							node);
		struct tarea *want;

		if (i >= m->n) {
			KUNIT_FAIL(test, "unexpected area [%#lx, %#lx]",
				   node->start, node->last);
			break;
		}
		want = &m->areas[i];
		KUNIT_EXPECT_EQ(test, node->start, want->iova);
		KUNIT_EXPECT_EQ(test, node->last, want->iova + want->length - 1);
		KUNIT_EXPECT_PTR_EQ(test, area->pages, want->pages);
		KUNIT_EXPECT_EQ(test, area->start_byte, want->start_byte);
		KUNIT_EXPECT_EQ(test, area->prot, want->prot);
	}
	up_read(&iopt->iova_rwsem);
	KUNIT_EXPECT_EQ(test, i, m->n);
}

static unsigned int count_nodes(struct rb_root_cached *root)
{
	struct interval_tree_node *node;
	unsigned int n = 0;

	for (node = interval_tree_iter_first(root, 0, ULONG_MAX); node;
	     node = interval_tree_iter_next(node, 0, ULONG_MAX))
		n++;
	return n;
}

/* ------------------------------------------------------------------------
 * Hole walk
 */
#define HOLE_SPACE	256

static void hole_round(struct kunit *test, struct rnd_state *rnd,
			unsigned long base)
{
	struct interval_tree_node *nodes;
	struct rb_root_cached trees[2] = { RB_ROOT_CACHED, RB_ROOT_CACHED };
	struct xiommu_iova_hole_iter iter;
	DECLARE_BITMAP(used, HOLE_SPACE);
	unsigned long first, last, want_start, v;
	unsigned int i, n, t;
	bool more, use_t2;

	nodes = kunit_kcalloc(test, 24, sizeof(*nodes), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nodes);
	bitmap_zero(used, HOLE_SPACE);
	use_t2 = prandom_u32_state(rnd) & 1;

	n = prandom_u32_state(rnd) % 24;
	for (i = 0; i < n; i++) {
		unsigned long s = prandom_u32_state(rnd) % HOLE_SPACE;
		unsigned long len = 1 + prandom_u32_state(rnd) % 40;
		unsigned long l = min(s + len - 1, HOLE_SPACE - 1UL);

		t = use_t2 ? prandom_u32_state(rnd) & 1 : 0;
		nodes[i].start = base + s;
		nodes[i].last = base + l;
		interval_tree_insert(&nodes[i], &trees[t]);
		bitmap_set(used, s, l - s + 1);
	}
	first = prandom_u32_state(rnd) % HOLE_SPACE;
	last = first + prandom_u32_state(rnd) % (HOLE_SPACE - first);
	if (!(prandom_u32_state(rnd) % 4)) {
		first = 0;
		last = HOLE_SPACE - 1;
	}

	/* Expected: maximal runs of unused values in [first, last]. */
	more = xiommu_iova_hole_first(&iter, &trees[0],
				      use_t2 ? &trees[1] : NULL, base + first,
				      base + last);
	for (v = first; v <= last;) {
		if (test_bit(v, used)) {
			v++;
			continue;
		}
		want_start = v;
		while (v <= last && !test_bit(v, used))
			v++;
		KUNIT_ASSERT_TRUE_MSG(test, more, "hole [%lu, %lu] not found",
				      want_start, v - 1);
		KUNIT_EXPECT_EQ(test, iter.start_hole, base + want_start);
		KUNIT_EXPECT_EQ(test, iter.last_hole, base + v - 1);
		more = xiommu_iova_hole_next(&iter);
	}
	KUNIT_EXPECT_FALSE_MSG(test, more, "extra hole [%#lx, %#lx]",
			       iter.start_hole, iter.last_hole);
}

static void iopt_test_hole_walk(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct rb_root_cached empty = RB_ROOT_CACHED;
	struct interval_tree_node all = { .start = 0, .last = ULONG_MAX };
	struct interval_tree_node top = { .start = ULONG_MAX,
					  .last = ULONG_MAX };
	struct rb_root_cached t = RB_ROOT_CACHED;
	struct xiommu_iova_hole_iter iter;
	unsigned int i;

	/* Random layouts at the bottom and at the top of the space. */
	for (i = 0; i < 300; i++)
		hole_round(test, &ctx->rnd, i & 1 ? ULONG_MAX - HOLE_SPACE + 1
						  : 0);

	/* Nothing used: the whole range is one hole, up to ULONG_MAX. */
	KUNIT_ASSERT_TRUE(test, xiommu_iova_hole_first(&iter, &empty, NULL, 0,
						       ULONG_MAX));
	KUNIT_EXPECT_EQ(test, iter.start_hole, 0UL);
	KUNIT_EXPECT_EQ(test, iter.last_hole, ULONG_MAX);
	KUNIT_EXPECT_FALSE(test, xiommu_iova_hole_next(&iter));

	/* Everything used: no hole. */
	interval_tree_insert(&all, &t);
	KUNIT_EXPECT_FALSE(test, xiommu_iova_hole_first(&iter, &t, NULL, 0,
							ULONG_MAX));
	interval_tree_remove(&all, &t);

	/* Only the last value used: one hole below it. */
	interval_tree_insert(&top, &t);
	KUNIT_ASSERT_TRUE(test, xiommu_iova_hole_first(&iter, NULL, &t, 0,
						       ULONG_MAX));
	KUNIT_EXPECT_EQ(test, iter.start_hole, 0UL);
	KUNIT_EXPECT_EQ(test, iter.last_hole, ULONG_MAX - 1);
	KUNIT_EXPECT_FALSE(test, xiommu_iova_hole_next(&iter));
	interval_tree_remove(&top, &t);

	/* An empty walk (first > last). */
	KUNIT_EXPECT_FALSE(test, xiommu_iova_hole_first(&iter, &empty, NULL,
							10, 9));
}

/* ------------------------------------------------------------------------
 * Areas
 */
static void iopt_test_map_fixed(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tmodel *m = &ctx->model;
	struct tpages *tp = tpages_new(test, 0x7f0000000000UL, 16, true);
	struct tpages *ro = tpages_new(test, 0x7f0000100000UL, 4, false);
	const int rw = XIOMMU_READ | XIOMMU_WRITE;
	unsigned long iova;

	map_fixed(test, iopt, m, tp, 0, 0x4000, 0x100000, rw);
	/* Overlaps of every shape: start, end, inside, around. */
	iova = 0xff000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 0x2000, &iova, rw, 0),
			-EEXIST);
	iova = 0x103fff;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 0x10, &iova, rw, 0), -EEXIST);
	iova = 0x101000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 0x1000, &iova, rw, 0),
			-EEXIST);
	iova = 0xf0000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 0x20000, &iova, rw, 0),
			-EEXIST);
	/* Right next to it, on both sides. */
	map_fixed(test, iopt, m, tp, 0x4000, 0x1000, 0x104000, rw);
	map_fixed(test, iopt, m, tp, 0x5000, 0x1000, 0xff000, XIOMMU_READ);
	/* Without a domain any byte granularity goes. */
	map_fixed(test, iopt, m, tp, 0x6123, 1, 0x200123, XIOMMU_READ);
	map_fixed(test, iopt, m, tp, 0x7000, 0x801, 0x300001, rw);
	check_areas(test, iopt, m);

	/* Bad requests change nothing. */
	iova = 0x400000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 0, &iova, rw, 0), -EINVAL);
	iova = ULONG_MAX - 10;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 100, &iova, rw, 0),
			-EOVERFLOW);
	iova = 0x400000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, ro, 0, 0x1000, &iova, rw, 0), -EPERM);
	map_fixed(test, iopt, m, ro, 0, 0x1000, 0x400000, XIOMMU_READ);
	check_areas(test, iopt, m);
	/* Each area holds one reference on its pages. */
	KUNIT_EXPECT_EQ(test, kref_read(&tp->pages->kref), 1U + 5);
	KUNIT_EXPECT_EQ(test, kref_read(&ro->pages->kref), 1U + 1);
}

static void iopt_test_unmap(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tmodel *m = &ctx->model;
	struct tpages *tp = tpages_new(test, 0x10000000UL, 16, true);
	unsigned long unmapped;

	map_fixed(test, iopt, m, tp, 0, 0x4000, 0x10000, XIOMMU_READ);
	map_fixed(test, iopt, m, tp, 0x4000, 0x2000, 0x14000, XIOMMU_READ);
	map_fixed(test, iopt, m, tp, 0x8000, 0x1000, 0x20000, XIOMMU_READ);

	/* A range cutting an area unmaps nothing at all. */
	unmapped = 1;
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0x10000, 0x1000,
						&unmapped), -ENOENT);
	KUNIT_EXPECT_EQ(test, unmapped, 0UL);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0x12000, 0x4000,
						&unmapped), -ENOENT);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0x0, 0x14001,
						&unmapped), -ENOENT);
	/* Nothing mapped there. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0x30000, 0x1000,
						&unmapped), -ENOENT);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0x30000, 0,
						&unmapped), -EINVAL);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, ULONG_MAX, 2,
						&unmapped), -EOVERFLOW);
	check_areas(test, iopt, m);

	/* A range holding two whole areas and a gap removes both. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0, 0x16000, &unmapped),
			0);
	KUNIT_EXPECT_EQ(test, unmapped, model_remove(m, 0, 0x15fff));
	KUNIT_EXPECT_EQ(test, unmapped, 0x6000UL);
	check_areas(test, iopt, m);

	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap_all(iopt, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, unmapped, model_remove(m, 0, ULONG_MAX));
	check_areas(test, iopt, m);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap_all(iopt, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, unmapped, 0UL);
	KUNIT_EXPECT_EQ(test, kref_read(&tp->pages->kref), 1U);
}

static void iopt_test_edges(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tmodel *m = &ctx->model;
	struct tpages *tp = tpages_new(test, 0, 16, true);
	const unsigned long last_page = ULONG_MAX - PAGE_SIZE + 1;
	unsigned long unmapped, iova;

	/* The first IOVA, one page; the last page; the last byte. */
	map_fixed(test, iopt, m, tp, 0, PAGE_SIZE, 0, XIOMMU_READ);
	map_fixed(test, iopt, m, tp, 0, PAGE_SIZE - 1, last_page,
		  XIOMMU_READ);
	map_fixed(test, iopt, m, tp, 0x1000, 1, ULONG_MAX, XIOMMU_READ);
	check_areas(test, iopt, m);
	iova = ULONG_MAX;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 1, &iova, XIOMMU_READ, 0),
			-EEXIST);

	/* [0, ULONG_MAX - 1] cuts nothing but does not hold the last byte. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0, ULONG_MAX, &unmapped),
			0);
	KUNIT_EXPECT_EQ(test, unmapped, model_remove(m, 0, ULONG_MAX - 1));
	check_areas(test, iopt, m);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, ULONG_MAX, 1, &unmapped),
			0);
	KUNIT_EXPECT_EQ(test, unmapped, 1UL);
	model_remove(m, ULONG_MAX, ULONG_MAX);

	/* The largest area there can be: ULONG_MAX bytes from 0. */
	map_fixed(test, iopt, m, tp, 0, ULONG_MAX, 0, XIOMMU_READ);
	check_areas(test, iopt, m);
	iova = ULONG_MAX;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 1, &iova, XIOMMU_READ,
				   XIOMMU_IOPT_ALLOC_IOVA), -ENOSPC);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 1, ULONG_MAX - 1,
						&unmapped), -ENOENT);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap_all(iopt, &unmapped), 0);
	KUNIT_EXPECT_EQ(test, unmapped, ULONG_MAX);
	model_remove(m, 0, ULONG_MAX);
	check_areas(test, iopt, m);
}

/* Area split: IOAS_COPY takes slices of areas and maps them elsewhere. */
static void iopt_test_slices(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct tpages *t1 = tpages_new(test, 0x200000, 8, true);
	struct tpages *t2 = tpages_new(test, 0x400000, 4, true);
	struct xiommu_pages_slice *slice;
	const struct {
		struct tpages *tp;
		unsigned long start_byte, length;
	} want[] = {
		{ t1, 0x3000, 0x2000 },
		{ t2, 0, 0x4000 },
		{ t1, 0x6000, 0x800 },
	};
	unsigned long iova = 0, len = 0;
	LIST_HEAD(slices);
	unsigned int i = 0;

	map_fixed(test, &ctx->iopt, &ctx->model, t1, 0x1000, 0x4000, 0x100000,
		  XIOMMU_READ | XIOMMU_WRITE);
	map_fixed(test, &ctx->iopt, &ctx->model, t2, 0, 0x4000, 0x104000,
		  XIOMMU_READ);
	map_fixed(test, &ctx->iopt, &ctx->model, t1, 0x6000, 0x1000, 0x108000,
		  XIOMMU_READ);

	/* From the middle of the first area to the middle of the third. */
	KUNIT_ASSERT_EQ(test, xiommu_iopt_get_slices(&ctx->iopt, 0x102000,
						     0x6800, &slices), 0);
	list_for_each_entry(slice, &slices, next) {
		KUNIT_ASSERT_LT(test, i, (unsigned int)ARRAY_SIZE(want));
		KUNIT_EXPECT_PTR_EQ(test, slice->pages, want[i].tp->pages);
		KUNIT_EXPECT_EQ(test, slice->start_byte, want[i].start_byte);
		KUNIT_EXPECT_EQ(test, slice->length, want[i].length);
		len += slice->length;
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, (unsigned int)ARRAY_SIZE(want));
	/* Each slice holds a reference: 2 areas + 2 slices + the test's. */
	KUNIT_EXPECT_EQ(test, kref_read(&t1->pages->kref), 5U);
	KUNIT_EXPECT_EQ(test, kref_read(&t2->pages->kref), 3U);

	/* Mapped elsewhere they become one area per slice, back to back. */
	KUNIT_ASSERT_EQ(test, xiommu_iopt_map_slices(&ctx->iopt2, &slices, len,
						     &iova, XIOMMU_READ, 0), 0);
	iova = 0;
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		model_add(test, &ctx->model2, iova, want[i].length, want[i].tp,
			  want[i].start_byte, XIOMMU_READ);
		iova += want[i].length;
	}
	check_areas(test, &ctx->iopt2, &ctx->model2);
	xiommu_iopt_free_slices(&slices);
	KUNIT_EXPECT_TRUE(test, list_empty(&slices));
	KUNIT_EXPECT_EQ(test, kref_read(&t1->pages->kref), 5U);
	KUNIT_EXPECT_EQ(test, kref_read(&t2->pages->kref), 3U);
	check_areas(test, &ctx->iopt, &ctx->model);

	/* A gap, a zero length, a wrap: nothing taken. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_get_slices(&ctx->iopt, 0x108000,
						     0x2000, &slices), -ENOENT);
	KUNIT_EXPECT_TRUE(test, list_empty(&slices));
	KUNIT_EXPECT_EQ(test, xiommu_iopt_get_slices(&ctx->iopt, 0x100000, 0,
						     &slices), -EINVAL);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_get_slices(&ctx->iopt, ULONG_MAX, 2,
						     &slices), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, kref_read(&t1->pages->kref), 5U);

	/* The copies go with their own unmap, the originals stay. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap_all(&ctx->iopt2, NULL), 0);
	model_remove(&ctx->model2, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, kref_read(&t1->pages->kref), 3U);
	KUNIT_EXPECT_EQ(test, kref_read(&t2->pages->kref), 2U);
	check_areas(test, &ctx->iopt, &ctx->model);
}

static void check_domain(struct kunit *test, struct kfake_domain *fd,
			 struct tmodel *m, struct iopt_ctx *ctx);

/*
 * Area split for VFIO type1 v1 partial unmaps: cuts at page boundaries,
 * only while large IOPTEs are off; the domains are not touched.
 */
static void iopt_test_cut(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tmodel *m = &ctx->model;
	struct tpages *tp = tpages_new(test, 0x10000000, 8, true);
	unsigned long cuts[3];
	struct kfake_domain *fd;
	unsigned long unmapped;

	tpages_pin(test, tp, 0);
	map_fixed(test, iopt, m, tp, 0, 8 * PAGE_SIZE, 0x100000, XIOMMU_READ);

	/* Large IOPTEs may be in use: no cut. */
	cuts[0] = 0x101fff;
	KUNIT_EXPECT_EQ(test, xiommu_iopt_cut_iova(iopt, cuts, 1), -EINVAL);
	check_areas(test, iopt, m);

	KUNIT_ASSERT_EQ(test, xiommu_iopt_unmap_all(iopt, NULL), 0);
	model_remove(m, 0, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, xiommu_iopt_set_large_pages(iopt, false), 0);
	fd = test_domain(test, SZ_4K | SZ_2M, 0, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, test_add_domain(test, iopt, fd), 0);
	map_fixed(test, iopt, m, tp, 0, 8 * PAGE_SIZE, 0x100000, XIOMMU_READ);

	/* Two cuts make three areas over the same pages. */
	cuts[0] = 0x101fff;
	cuts[1] = 0x104fff;
	cuts[2] = 0x900000;	/* in no mapping: nothing to do */
	KUNIT_ASSERT_EQ(test, xiommu_iopt_cut_iova(iopt, cuts, 3), 0);
	model_remove(m, 0, ULONG_MAX);
	model_add(test, m, 0x100000, 2 * PAGE_SIZE, tp, 0, XIOMMU_READ);
	model_add(test, m, 0x102000, 3 * PAGE_SIZE, tp, 2 * PAGE_SIZE,
		  XIOMMU_READ);
	model_add(test, m, 0x105000, 3 * PAGE_SIZE, tp, 5 * PAGE_SIZE,
		  XIOMMU_READ);
	check_areas(test, iopt, m);
	check_domain(test, fd, m, ctx);
	KUNIT_EXPECT_EQ(test, kref_read(&tp->pages->kref), 1U + 3);
	/* Each filled area is a page user; the union did not change. */
	KUNIT_EXPECT_EQ(test, count_nodes(&tp->pages->users_itree), 1U + 3);

	/* A cut at an area's end is no cut; inside a page it is refused. */
	cuts[0] = 0x101fff;
	KUNIT_EXPECT_EQ(test, xiommu_iopt_cut_iova(iopt, cuts, 1), 0);
	cuts[0] = 0x102800;
	KUNIT_EXPECT_EQ(test, xiommu_iopt_cut_iova(iopt, cuts, 1), -EINVAL);
	check_areas(test, iopt, m);

	/* Now the middle can go on its own. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0x102000, 3 * PAGE_SIZE,
						&unmapped), 0);
	KUNIT_EXPECT_EQ(test, unmapped, model_remove(m, 0x102000, 0x104fff));
	check_areas(test, iopt, m);
	check_domain(test, fd, m, ctx);
	test_remove_domain(test, iopt, fd);
}

/* ------------------------------------------------------------------------
 * IOVA allocation
 */
struct tspan {
	unsigned long start, last;
	bool reserved;
};

#define MAX_USED	48

struct alloc_model {
	struct tspan used[MAX_USED];	/* areas and reservations */
	unsigned int nused;
	struct tspan allowed[4];
	unsigned int nallowed;
};

/* Does [start, last] touch a used range (of the given kind)? */
static bool used_overlaps(const struct alloc_model *am, unsigned long start,
			  unsigned long last, bool areas, bool reserved)
{
	unsigned int i;

	for (i = 0; i < am->nused; i++) {
		const struct tspan *u = &am->used[i];

		if (!(u->reserved ? reserved : areas))
			continue;
		if (u->start <= last && start <= u->last)
			return true;
	}
	return false;
}

/*
 * The rule (io_pagetable.c): the lowest IOVA in [PAGE_SIZE, ULONG_MAX -
 * PAGE_SIZE] (and inside an allowed range if there are any) where
 * @length bytes touch no area and no reservation, aligned to
 * align = min(roundup_pow_of_two(length), lowest set bit of uptr) when
 * align >= PAGE_SIZE, else with the page offset of uptr. The lowest such
 * IOVA is the first aligned value at or after the start of a span or the
 * end of a used range, so only those candidates are tried.
 */
static int ref_alloc(const struct alloc_model *am, unsigned long uptr,
		     unsigned long length, unsigned long *iova)
{
	const unsigned long lo = PAGE_SIZE, hi = ULONG_MAX - PAGE_SIZE;
	unsigned long align, best = 0;
	struct tspan spans[4];
	unsigned int nspans = 0, s, k;
	bool found = false;

	if (!length || length >= ULONG_MAX / 2)
		return -EOVERFLOW;
	align = roundup_pow_of_two(length);
	if (uptr)
		align = min(align, 1UL << __ffs(uptr));

	if (!am->nallowed) {
		spans[nspans++] = (struct tspan){ lo, hi, false };
	} else {
		for (k = 0; k < am->nallowed; k++) {
			if (am->allowed[k].last < lo || am->allowed[k].start > hi)
				continue;
			spans[nspans++] = (struct tspan){
				max(am->allowed[k].start, lo),
				min(am->allowed[k].last, hi), false };
		}
	}

	for (s = 0; s < nspans; s++) {
		for (k = 0; k <= am->nused; k++) {
			unsigned long from, cand, last;

			if (k == am->nused) {
				from = spans[s].start;
			} else {
				if (am->used[k].last == ULONG_MAX)
					continue;
				from = am->used[k].last + 1;
				if (from < spans[s].start || from > spans[s].last)
					continue;
			}
			if (align >= PAGE_SIZE) {
				if (from > ULONG_MAX - (align - 1))
					continue;
				cand = ALIGN(from, align);
			} else {
				cand = (from & PAGE_MASK) + offset_in_page(uptr);
				if (cand < from) {
					if (cand > ULONG_MAX - PAGE_SIZE)
						continue;
					cand += PAGE_SIZE;
				}
			}
			if (cand > spans[s].last ||
			    spans[s].last - cand < length - 1)
				continue;
			last = cand + length - 1;
			if (used_overlaps(am, cand, last, true, true))
				continue;
			if (!found || cand < best)
				best = cand;
			found = true;
		}
	}
	if (!found)
		return -ENOSPC;
	*iova = best;
	return 0;
}

static void am_add(struct kunit *test, struct alloc_model *am,
		   unsigned long start, unsigned long last, bool reserved)
{
	KUNIT_ASSERT_LT(test, am->nused, (unsigned int)MAX_USED);
	am->used[am->nused++] = (struct tspan){ start, last, reserved };
}

/* Replace the allowed ranges; free what the iopt hands back. */
static int set_allowed(struct kunit *test, struct xiommu_iopt *iopt,
		       const struct tspan *ranges, unsigned int n)
{
	struct rb_root_cached tree = RB_ROOT_CACHED;
	struct interval_tree_node *node;
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		struct xiommu_allowed *a = kzalloc(sizeof(*a), GFP_KERNEL);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
		a->node.start = ranges[i].start;
		a->node.last = ranges[i].last;
		interval_tree_insert(&a->node, &tree);
	}
	rc = xiommu_iopt_set_allowed(iopt, &tree);
	while ((node = interval_tree_iter_first(&tree, 0, ULONG_MAX))) {
		interval_tree_remove(node, &tree);
		kfree(container_of(node, struct xiommu_allowed, node));
	}
	return rc;
}

static unsigned long rnd_below(struct rnd_state *rnd, unsigned long n)
{
	u64 v = ((u64)prandom_u32_state(rnd) << 32) | prandom_u32_state(rnd);

	return n ? v % n : 0;
}

static void iopt_test_alloc_basic(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tpages *tp = tpages_new(test, 0, 16, true);
	unsigned long iova;

	/* As aligned as the length's power of two, when uptr allows. */
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0x7f0000000000UL, 0x3000, &iova,
				   XIOMMU_READ, XIOMMU_IOPT_ALLOC_IOVA), 0);
	KUNIT_EXPECT_EQ(test, iova, 0x4000UL);
	/* uptr only 4 KiB aligned: 4 KiB alignment, first free page. */
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0x7f0000001000UL, 0x3000, &iova,
				   XIOMMU_READ, XIOMMU_IOPT_ALLOC_IOVA), 0);
	KUNIT_EXPECT_EQ(test, iova, 0x1000UL);
	/* Not page aligned: the page offset is kept. */
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0x7f0000000123UL, 0x100, &iova,
				   XIOMMU_READ, XIOMMU_IOPT_ALLOC_IOVA), 0);
	KUNIT_EXPECT_EQ(test, iova, 0x7123UL);
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, ULONG_MAX / 2, &iova,
				   XIOMMU_READ, XIOMMU_IOPT_ALLOC_IOVA),
			-EOVERFLOW);
	xiommu_iopt_unmap_all(iopt, NULL);

	/* IOVA 0 and the last page are never chosen. */
	KUNIT_ASSERT_EQ(test, xiommu_iopt_reserve_range(iopt, PAGE_SIZE,
							ULONG_MAX - PAGE_SIZE,
							&owner_a), 0);
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0x1000, 1, &iova, XIOMMU_READ,
				   XIOMMU_IOPT_ALLOC_IOVA), -ENOSPC);
	xiommu_iopt_remove_reserved(iopt, &owner_a);
	/* Only the page below the last one is left: it is the answer. */
	KUNIT_ASSERT_EQ(test, xiommu_iopt_reserve_range(iopt, 0,
							ULONG_MAX - 2 * PAGE_SIZE,
							&owner_a), 0);
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0x1000, PAGE_SIZE, &iova,
				   XIOMMU_READ, XIOMMU_IOPT_ALLOC_IOVA), 0);
	KUNIT_EXPECT_EQ(test, iova, ULONG_MAX - 2 * PAGE_SIZE + 1);
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0x1000, PAGE_SIZE, &iova,
				   XIOMMU_READ, XIOMMU_IOPT_ALLOC_IOVA), -ENOSPC);
}

static void alloc_round(struct kunit *test, struct tpages *tp)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct rnd_state *rnd = &ctx->rnd;
	const unsigned long window = SZ_64M;
	struct alloc_model *am;
	unsigned int i, n;
	bool allowed = !(prandom_u32_state(rnd) % 3);

	am = kunit_kzalloc(test, sizeof(*am), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, am);

	if (allowed) {
		unsigned long start = PAGE_SIZE * rnd_below(rnd, 64);

		am->nallowed = 1 + prandom_u32_state(rnd) % 3;
		for (i = 0; i < am->nallowed; i++) {
			unsigned long len = 1 + rnd_below(rnd, SZ_4M);

			am->allowed[i] = (struct tspan){ start,
							 start + len - 1,
							 false };
			start += len + rnd_below(rnd, SZ_1M);
		}
		KUNIT_ASSERT_EQ(test, set_allowed(test, iopt, am->allowed,
						  am->nallowed), 0);
	} else {
		n = prandom_u32_state(rnd) % 5;
		for (i = 0; i < n; i++) {
			unsigned long s = rnd_below(rnd, window);
			unsigned long l = s + rnd_below(rnd, SZ_2M);
			void *owner = i & 1 ? &owner_a : &owner_b;

			KUNIT_ASSERT_EQ(test, xiommu_iopt_reserve_range(iopt, s,
									 l,
									 owner),
					0);
			am_add(test, am, s, l, true);
		}
	}

	/* Fixed maps: the model predicts the errno. */
	n = prandom_u32_state(rnd) % 8;
	for (i = 0; i < n; i++) {
		unsigned long iova = rnd_below(rnd, window);
		unsigned long len = 1 + rnd_below(rnd, SZ_256K);
		int want = 0, rc;

		/* Reservations are checked before areas. */
		if (used_overlaps(am, iova, iova + len - 1, false, true))
			want = -EINVAL;
		else if (used_overlaps(am, iova, iova + len - 1, true, false))
			want = -EEXIST;
		rc = tmap(iopt, tp, iova, len, &iova, XIOMMU_READ, 0);
		KUNIT_EXPECT_EQ(test, rc, want);
		if (!rc)
			am_add(test, am, iova, iova + len - 1, false);
	}

	n = 1 + prandom_u32_state(rnd) % 6;
	for (i = 0; i < n; i++) {
		unsigned long uptr, len, iova = 0, want_iova = 0;
		int want, rc;

		switch (prandom_u32_state(rnd) % 4) {
		case 0:		/* page aligned, any length */
			uptr = PAGE_SIZE * rnd_below(rnd, 1UL << 24);
			len = 1 + rnd_below(rnd, SZ_1M);
			break;
		case 1:		/* highly aligned, power-of-two length */
			uptr = SZ_1G * (1 + rnd_below(rnd, 64));
			len = PAGE_SIZE << (prandom_u32_state(rnd) % 10);
			break;
		case 2:		/* any byte address, short */
			uptr = rnd_below(rnd, 1UL << 40);
			len = 1 + rnd_below(rnd, 3 * PAGE_SIZE);
			break;
		default:	/* no uptr alignment limit */
			uptr = 0;
			len = 1 + rnd_below(rnd, SZ_128K);
			break;
		}
		want = ref_alloc(am, uptr, len, &want_iova);
		rc = tmap(iopt, tp, uptr, len, &iova, XIOMMU_READ,
			  XIOMMU_IOPT_ALLOC_IOVA);
		KUNIT_EXPECT_EQ_MSG(test, rc, want, "uptr %#lx length %#lx",
				    uptr, len);
		if (rc || want)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, iova, want_iova,
				    "uptr %#lx length %#lx", uptr, len);
		am_add(test, am, iova, iova + len - 1, false);
	}

	/* Back to empty for the next round. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap_all(iopt, NULL), 0);
	xiommu_iopt_remove_reserved(iopt, &owner_a);
	xiommu_iopt_remove_reserved(iopt, &owner_b);
	KUNIT_ASSERT_EQ(test, set_allowed(test, iopt, NULL, 0), 0);
}

static void iopt_test_alloc_random(struct kunit *test)
{
	struct tpages *tp = tpages_new(test, 0, 1, true);
	unsigned int round;

	for (round = 0; round < 150; round++)
		alloc_round(test, tp);
	KUNIT_EXPECT_EQ(test, kref_read(&tp->pages->kref), 1U);
}

/* ------------------------------------------------------------------------
 * Reserved and allowed ranges
 */
static void iopt_test_reserved(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tpages *tp = tpages_new(test, 0x40000000, 16, true);
	const struct tspan allowed = { 0x400000, 0x4fffff, false };
	const struct tspan clash = { 0x180000, 0x180fff, false };
	unsigned long iova;

	KUNIT_ASSERT_EQ(test, xiommu_iopt_reserve_range(iopt, 0x100000,
							0x1fffff, &owner_a),
			0);
	iova = 0x180000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 0x1000, &iova, XIOMMU_READ, 0),
			-EINVAL);
	iova = 0xff000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 0x2000, &iova, XIOMMU_READ, 0),
			-EINVAL);
	iova = 0x1fffff;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 1, &iova, XIOMMU_READ, 0),
			-EINVAL);
	/* Reservations may overlap; each owner removes only its own. */
	KUNIT_ASSERT_EQ(test, xiommu_iopt_reserve_range(iopt, 0x1ff000,
							0x2fffff, &owner_b),
			0);
	xiommu_iopt_remove_reserved(iopt, &owner_a);
	iova = 0x1fffff;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 1, &iova, XIOMMU_READ, 0),
			-EINVAL);
	map_fixed(test, iopt, &ctx->model, tp, 0, 0x1000, 0x1fe000,
		  XIOMMU_READ);
	xiommu_iopt_remove_reserved(iopt, &owner_b);
	map_fixed(test, iopt, &ctx->model, tp, 0, 1, 0x1fffff, XIOMMU_READ);

	/* A reservation over a mapping is refused. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_reserve_range(iopt, 0x1ff000,
							0x1fffff, &owner_a),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, count_nodes(&iopt->reserved_itree), 0U);

	/* Allowed ranges steer allocation and keep reservations out. */
	KUNIT_ASSERT_EQ(test, set_allowed(test, iopt, &allowed, 1), 0);
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 0x20000, &iova, XIOMMU_READ,
				   XIOMMU_IOPT_ALLOC_IOVA), 0);
	KUNIT_EXPECT_EQ(test, iova, 0x400000UL);
	model_add(test, &ctx->model, iova, 0x20000, tp, 0, XIOMMU_READ);
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 0x100000, &iova, XIOMMU_READ,
				   XIOMMU_IOPT_ALLOC_IOVA), -ENOSPC);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_reserve_range(iopt, 0x4ff000,
							0x500fff, &owner_a),
			-EADDRINUSE);
	/* Fixed maps outside the allowed ranges are still fine. */
	map_fixed(test, iopt, &ctx->model, tp, 0, 0x1000, 0x600000,
		  XIOMMU_READ);

	/* Allowed ranges may not cover a reservation. */
	KUNIT_ASSERT_EQ(test, xiommu_iopt_reserve_range(iopt, 0x180000,
							0x180fff, &owner_a),
			0);
	KUNIT_EXPECT_EQ(test, set_allowed(test, iopt, &clash, 1), -EADDRINUSE);
	/* ... and on failure the old ones stay. */
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 0x1000, &iova, XIOMMU_READ,
				   XIOMMU_IOPT_ALLOC_IOVA), 0);
	KUNIT_EXPECT_EQ(test, iova, 0x420000UL);
	model_add(test, &ctx->model, iova, 0x1000, tp, 0, XIOMMU_READ);
	check_areas(test, iopt, &ctx->model);
}

/* ------------------------------------------------------------------------
 * Domains
 */

/* Every page of every model area is in @fd, as the test's pages say. */
static void check_domain(struct kunit *test, struct kfake_domain *fd,
			 struct tmodel *m, struct iopt_ctx *ctx)
{
	unsigned long total = 0, off;
	unsigned int i, k;

	for (i = 0; i < m->n; i++) {
		struct tarea *a = &m->areas[i];
		struct tpages *tp = NULL;

		for (k = 0; k < ctx->ntp; k++)
			if (ctx->tp[k].pages == a->pages)
				tp = &ctx->tp[k];
		KUNIT_ASSERT_NOT_NULL(test, tp);
		for (off = 0; off < a->length; off += PAGE_SIZE) {
			unsigned long byte = a->start_byte + off;
			phys_addr_t want = page_to_phys(tp->kpages[byte /
								    PAGE_SIZE]) +
					   offset_in_page(byte);
			phys_addr_t got;
			size_t pgsize;
			int prot;

			KUNIT_ASSERT_TRUE_MSG(test,
					      kfake_domain_lookup(fd,
								  a->iova + off,
								  &got, &prot,
								  &pgsize),
					      "IOVA %#lx not mapped",
					      a->iova + off);
			KUNIT_EXPECT_EQ(test, got, want);
			KUNIT_EXPECT_EQ(test, prot, a->prot);
		}
		total += a->length;
	}
	KUNIT_EXPECT_EQ(test, kfake_domain_mapped_bytes(fd), total);
}

static void iopt_test_domain_fill(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tmodel *m = &ctx->model;
	struct tpages *small = tpages_new(test, 0x10000000, 4, true);
	struct tpages *big = tpages_new(test, 0x40000000, 512, true);
	const int rw = XIOMMU_READ | XIOMMU_WRITE;
	struct kfake_domain *d1, *d2;
	phys_addr_t paddr;
	unsigned long iova;
	size_t pgsize;
	int prot;

	tpages_pin(test, small, 0);
	if (!tpages_pin(test, big, 9))
		kunit_skip(test, "no 2 MiB block of free memory");

	map_fixed(test, iopt, m, small, 0, 4 * PAGE_SIZE, 0x200000, rw);
	map_fixed(test, iopt, m, big, 0, SZ_2M, 0x400000, XIOMMU_READ);
	d1 = test_domain(test, SZ_4K | SZ_2M, 0, (1ULL << 39) - 1);
	KUNIT_ASSERT_EQ(test, test_add_domain(test, iopt, d1), 0);
	check_domain(test, d1, m, ctx);
	/* The contiguous, aligned 2 MiB went in as one IOPTE. */
	KUNIT_ASSERT_TRUE(test, kfake_domain_lookup(d1, 0x400000, &paddr,
						    &prot, &pgsize));
	KUNIT_EXPECT_EQ(test, pgsize, (size_t)SZ_2M);
	KUNIT_EXPECT_EQ(test, iopt->iova_alignment, PAGE_SIZE);

	/* New mappings go into the domain; unaligned ones are refused. */
	KUNIT_EXPECT_EQ(test, tmap(iopt, small, 2 * PAGE_SIZE, 2 * PAGE_SIZE,
				   &iova, rw, XIOMMU_IOPT_ALLOC_IOVA), 0);
	model_add(test, m, iova, 2 * PAGE_SIZE, small, 2 * PAGE_SIZE, rw);
	iova = 0x800000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, small, 0, 0x800, &iova, rw, 0),
			-EINVAL);
	iova = 0x800800;
	KUNIT_EXPECT_EQ(test, tmap(iopt, small, 0, PAGE_SIZE, &iova, rw, 0),
			-EINVAL);
	check_domain(test, d1, m, ctx);

	/* A second domain without 2 MiB IOPTEs gets the same contents. */
	d2 = test_domain(test, SZ_4K, 0, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, test_add_domain(test, iopt, d2), 0);
	check_domain(test, d2, m, ctx);
	KUNIT_EXPECT_EQ(test, d2->pgsizes, (unsigned long)SZ_4K);

	/* Unmap leaves both domains, and flushes. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0x200000, 4 * PAGE_SIZE,
						NULL), 0);
	model_remove(m, 0x200000, 0x200000 + 4 * PAGE_SIZE - 1);
	check_domain(test, d1, m, ctx);
	check_domain(test, d2, m, ctx);
	KUNIT_EXPECT_GT(test, d1->syncs, 0UL);

	/* Large IOPTEs cannot be switched off while domains hold mappings. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_set_large_pages(iopt, false),
			-EINVAL);

	test_remove_domain(test, iopt, d1);
	KUNIT_EXPECT_EQ(test, kfake_domain_mapped_bytes(d1), 0UL);
	check_domain(test, d2, m, ctx);
	test_remove_domain(test, iopt, d2);
	KUNIT_EXPECT_EQ(test, kfake_domain_mapped_bytes(d2), 0UL);
	/* The areas' page users left with the last domain: only ours stay. */
	KUNIT_EXPECT_EQ(test, count_nodes(&small->pages->users_itree), 1U);
	KUNIT_EXPECT_EQ(test, count_nodes(&big->pages->users_itree), 1U);
	KUNIT_EXPECT_EQ(test, iopt->iova_alignment, 1UL);
}

static void iopt_test_domain_rules(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tmodel *m = &ctx->model;
	struct tpages *tp = tpages_new(test, 0x10000000, 8, true);
	struct kfake_domain *narrow, *coarse, *fd;
	unsigned long iova;

	tpages_pin(test, tp, 0);
	map_fixed(test, iopt, m, tp, 0, PAGE_SIZE, 0x10000000, XIOMMU_READ);

	/* A mapping outside the aperture: refused, nothing reserved. */
	narrow = test_domain(test, SZ_4K, 0, 0xfffffff);
	KUNIT_EXPECT_EQ(test, test_add_domain(test, iopt, narrow),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, count_nodes(&iopt->reserved_itree), 0U);
	KUNIT_EXPECT_EQ(test, kfake_domain_mapped_bytes(narrow), 0UL);

	/* Smallest IOPTE above PAGE_SIZE: refused. */
	coarse = test_domain(test, SZ_8K | SZ_2M, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, test_add_domain(test, iopt, coarse), -EINVAL);

	/* A byte-granular mapping cannot go into a 4 KiB domain. */
	map_fixed(test, iopt, m, tp, PAGE_SIZE, 0x800, 0x20000000,
		  XIOMMU_READ);
	fd = test_domain(test, SZ_4K, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, test_add_domain(test, iopt, fd), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0x20000000, 0x800, NULL),
			0);
	model_remove(m, 0x20000000, 0x200007ff);

	/* Once added, the aperture's outside is reserved. */
	KUNIT_ASSERT_EQ(test, test_add_domain(test, iopt, narrow), -EADDRINUSE);
	KUNIT_ASSERT_EQ(test, xiommu_iopt_unmap_all(iopt, NULL), 0);
	model_remove(m, 0, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, test_add_domain(test, iopt, narrow), 0);
	iova = 0x10000000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, PAGE_SIZE, &iova, XIOMMU_READ,
				   0), -EINVAL);
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, SZ_16K, &iova, XIOMMU_READ,
				   XIOMMU_IOPT_ALLOC_IOVA), 0);
	KUNIT_EXPECT_LE(test, iova + SZ_16K - 1, 0xfffffffUL);
	model_add(test, m, iova, SZ_16K, tp, 0, XIOMMU_READ);
	check_domain(test, narrow, m, ctx);
	test_remove_domain(test, iopt, narrow);
	KUNIT_EXPECT_EQ(test, count_nodes(&iopt->reserved_itree), 0U);
}

static void iopt_test_domain_failures(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tmodel *m = &ctx->model;
	struct tpages *tp = tpages_new(test, 0x10000000, 8, true);
	unsigned long iova, calls, nth;
	struct kfake_domain *fd;

	tpages_pin(test, tp, 0);
	map_fixed(test, iopt, m, tp, 0, 2 * PAGE_SIZE, 0x100000, XIOMMU_READ);
	map_fixed(test, iopt, m, tp, 2 * PAGE_SIZE, 2 * PAGE_SIZE, 0x200000,
		  XIOMMU_READ);
	map_fixed(test, iopt, m, tp, 4 * PAGE_SIZE, 4 * PAGE_SIZE, 0x300000,
		  XIOMMU_READ);

	/* Fail the 1st, 2nd, ... map_pages call until the add succeeds. */
	fd = test_domain(test, SZ_4K, 0x1000, ULONG_MAX - 0x1000);
	for (nth = 1;; nth++) {
		int rc;

		fd->fail_map_at = nth;
		fd->map_calls = 0;
		rc = test_add_domain(test, iopt, fd);
		if (!rc)
			break;
		KUNIT_ASSERT_EQ(test, rc, -ENOMEM);
		KUNIT_ASSERT_LT(test, nth, 100UL);
		/* Nothing left behind. */
		KUNIT_EXPECT_EQ(test, kfake_domain_mapped_bytes(fd), 0UL);
		KUNIT_EXPECT_EQ(test, count_nodes(&iopt->reserved_itree), 0U);
		KUNIT_EXPECT_TRUE(test, list_empty(&iopt->domains));
		KUNIT_EXPECT_EQ(test, iopt->iova_alignment, 1UL);
		KUNIT_EXPECT_EQ(test, count_nodes(&tp->pages->users_itree), 1U);
	}
	KUNIT_EXPECT_GT(test, nth, 1UL);
	check_domain(test, fd, m, ctx);

	/* A new mapping the domain fails on is not created at all. */
	for (nth = 1;; nth++) {
		int rc;

		calls = fd->map_calls;
		fd->fail_map_at = calls + nth;
		iova = 0x400000;
		rc = tmap(iopt, tp, 0, 4 * PAGE_SIZE, &iova, XIOMMU_READ, 0);
		if (!rc)
			break;
		KUNIT_ASSERT_EQ(test, rc, -ENOMEM);
		KUNIT_ASSERT_LT(test, nth, 100UL);
		check_areas(test, iopt, m);
		check_domain(test, fd, m, ctx);
	}
	KUNIT_EXPECT_GT(test, nth, 1UL);
	fd->fail_map_at = 0;
	model_add(test, m, 0x400000, 4 * PAGE_SIZE, tp, 0, XIOMMU_READ);
	check_areas(test, iopt, m);
	check_domain(test, fd, m, ctx);
}

/*
 * One iotlb_sync_map per mapped slice, however many runs it has (one
 * virtio-iommu round trip per IOAS_MAP); a failing sync leaves nothing.
 */
static void iopt_test_sync_per_slice(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tmodel *m = &ctx->model;
	struct tpages *tp = tpages_new(test, 0x10000000, 8, true);
	struct kfake_domain *fd;
	unsigned long iova;

	tpages_pin(test, tp, 0);
	/* No large IOPTEs: every page is a run of its own. */
	KUNIT_ASSERT_EQ(test, xiommu_iopt_set_large_pages(iopt, false), 0);
	fd = test_domain(test, SZ_4K, 0, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, test_add_domain(test, iopt, fd), 0);

	fd->map_calls = 0;
	fd->sync_maps = 0;
	iova = 0x100000;
	KUNIT_ASSERT_EQ(test, tmap(iopt, tp, 0, 8 * PAGE_SIZE, &iova,
				   XIOMMU_READ, 0), 0);
	model_add(test, m, 0x100000, 8 * PAGE_SIZE, tp, 0, XIOMMU_READ);
	KUNIT_EXPECT_EQ(test, fd->map_calls, 8UL);
	KUNIT_EXPECT_EQ(test, fd->sync_maps, 1UL);
	check_domain(test, fd, m, ctx);

	/* The sync fails: the whole slice is unmapped, no area is left. */
	fd->fail_sync_map = -EIO;
	iova = 0x200000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 8 * PAGE_SIZE, &iova,
				   XIOMMU_READ, 0), -EIO);
	KUNIT_EXPECT_EQ(test, fd->sync_maps, 2UL);
	check_areas(test, iopt, m);
	check_domain(test, fd, m, ctx);
	KUNIT_EXPECT_EQ(test, kfake_domain_mapped_bytes(fd), 8 * PAGE_SIZE);
	fd->fail_sync_map = 0;
}

static void iopt_test_large_pages_option(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tmodel *m = &ctx->model;
	struct tpages *big = tpages_new(test, 0x40000000, 512, true);
	struct kfake_domain *fd;
	unsigned long iova;

	/* Switching off raises the alignment to PAGE_SIZE... */
	map_fixed(test, iopt, m, big, 0, 0x800, 0x100000, XIOMMU_READ);
	KUNIT_EXPECT_EQ(test, xiommu_iopt_set_large_pages(iopt, false),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, iopt->iova_alignment, 1UL);
	KUNIT_ASSERT_EQ(test, xiommu_iopt_unmap_all(iopt, NULL), 0);
	model_remove(m, 0, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, xiommu_iopt_set_large_pages(iopt, false), 0);
	KUNIT_EXPECT_EQ(test, iopt->iova_alignment, PAGE_SIZE);
	iova = 0x100000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, big, 0, 0x800, &iova, XIOMMU_READ, 0),
			-EINVAL);

	/* ... and contiguous memory then maps as PAGE_SIZE IOPTEs only. */
	if (!tpages_pin(test, big, 9))
		kunit_skip(test, "no 2 MiB block of free memory");
	fd = test_domain(test, SZ_4K | SZ_2M, 0, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, test_add_domain(test, iopt, fd), 0);
	map_fixed(test, iopt, m, big, 0, SZ_2M, 0x200000, XIOMMU_READ);
	check_domain(test, fd, m, ctx);
	KUNIT_EXPECT_EQ(test, fd->pgsizes, (unsigned long)SZ_4K);

	/* Back on: new mappings may use 2 MiB again. */
	KUNIT_ASSERT_EQ(test, xiommu_iopt_unmap_all(iopt, NULL), 0);
	model_remove(m, 0, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, xiommu_iopt_set_large_pages(iopt, true), 0);
	map_fixed(test, iopt, m, big, 0, SZ_2M, 0x200000, XIOMMU_READ);
	check_domain(test, fd, m, ctx);
	KUNIT_EXPECT_EQ(test, fd->pgsizes, (unsigned long)(SZ_4K | SZ_2M));
}

/* The area at @iova, or NULL. */
static struct xiommu_area *area_at(struct xiommu_iopt *iopt,
				   unsigned long iova)
{
	struct interval_tree_node *node;

	down_read(&iopt->iova_rwsem);
	node = interval_tree_iter_first(&iopt->area_itree, iova, iova);
	up_read(&iopt->iova_rwsem);
	return node ? container_of(node, struct xiommu_area, node) : NULL;
}

/*
 * A pages object's first area lives in the object's own allocation: the
 * first map takes it, a failed map gives it back, later maps (IOAS_COPY)
 * and the right half of a split get their own, and each is freed exactly
 * once whatever order they are unmapped in (the debug tier's KASAN reports
 * a kfree() of the embedded one, kmemleak a lost one).
 */
static void iopt_test_first_area(struct kunit *test)
{
	struct iopt_ctx *ctx = test->priv;
	struct xiommu_iopt *iopt = &ctx->iopt;
	struct tmodel *m = &ctx->model;
	struct tpages *tp = tpages_new(test, 0x10000000, 8, true);
	struct tpages *other = tpages_new(test, 0x20000000, 1, true);
	struct xiommu_area *first = tp->pages->first_area;
	struct xiommu_area *lhs, *rhs, *copy;
	unsigned long cuts[1], iova, unmapped;

	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_EXPECT_TRUE(test, first->in_pages);
	KUNIT_ASSERT_EQ(test, xiommu_iopt_set_large_pages(iopt, false), 0);

	/* A failed first map (IOVA in use) gives the memory back, zeroed. */
	map_fixed(test, iopt, m, other, 0, PAGE_SIZE, 0x100000, XIOMMU_READ);
	iova = 0x100000;
	KUNIT_EXPECT_EQ(test, tmap(iopt, tp, 0, 8 * PAGE_SIZE, &iova,
				   XIOMMU_READ, 0), -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, tp->pages->first_area, first);
	KUNIT_EXPECT_TRUE(test, first->in_pages);
	KUNIT_EXPECT_NULL(test, first->pages);
	KUNIT_EXPECT_EQ(test, kref_read(&tp->pages->kref), 1U);

	/* The first successful map uses it. */
	map_fixed(test, iopt, m, tp, 0, 8 * PAGE_SIZE, 0x200000, XIOMMU_READ);
	KUNIT_EXPECT_PTR_EQ(test, area_at(iopt, 0x200000), first);
	KUNIT_EXPECT_NULL(test, tp->pages->first_area);

	/* A second mapping of the same pages (IOAS_COPY) gets its own. */
	map_fixed(test, iopt, m, tp, PAGE_SIZE, PAGE_SIZE, 0x400000,
		  XIOMMU_READ);
	copy = area_at(iopt, 0x400000);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_EXPECT_FALSE(test, copy->in_pages);

	/* Split: the left part stays embedded, the right one is new. */
	cuts[0] = 0x202fff;
	KUNIT_ASSERT_EQ(test, xiommu_iopt_cut_iova(iopt, cuts, 1), 0);
	model_remove(m, 0x200000, 0x207fff);
	model_add(test, m, 0x200000, 3 * PAGE_SIZE, tp, 0, XIOMMU_READ);
	model_add(test, m, 0x203000, 5 * PAGE_SIZE, tp, 3 * PAGE_SIZE,
		  XIOMMU_READ);
	check_areas(test, iopt, m);
	lhs = area_at(iopt, 0x200000);
	rhs = area_at(iopt, 0x203000);
	KUNIT_EXPECT_PTR_EQ(test, lhs, first);
	KUNIT_ASSERT_NOT_NULL(test, rhs);
	KUNIT_EXPECT_FALSE(test, rhs->in_pages);
	KUNIT_EXPECT_EQ(test, kref_read(&tp->pages->kref), 1U + 3);

	/* The embedded area goes first: the others keep the object alive. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0x200000, 3 * PAGE_SIZE,
						&unmapped), 0);
	KUNIT_EXPECT_EQ(test, unmapped, model_remove(m, 0x200000, 0x202fff));
	KUNIT_EXPECT_EQ(test, kref_read(&tp->pages->kref), 1U + 2);
	KUNIT_EXPECT_NULL(test, tp->pages->first_area);
	check_areas(test, iopt, m);

	/* The rest in one unmap; tpages_release() frees the object. */
	KUNIT_EXPECT_EQ(test, xiommu_iopt_unmap(iopt, 0x203000, 0x1fe000,
						&unmapped), 0);
	KUNIT_EXPECT_EQ(test, unmapped, model_remove(m, 0x203000, 0x400fff));
	KUNIT_EXPECT_EQ(test, unmapped, 6 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kref_read(&tp->pages->kref), 1U);
	check_areas(test, iopt, m);
}

static struct kunit_case iopt_test_cases[] = {
	KUNIT_CASE(iopt_test_hole_walk),
	KUNIT_CASE(iopt_test_map_fixed),
	KUNIT_CASE(iopt_test_unmap),
	KUNIT_CASE(iopt_test_edges),
	KUNIT_CASE(iopt_test_slices),
	KUNIT_CASE(iopt_test_cut),
	KUNIT_CASE(iopt_test_alloc_basic),
	KUNIT_CASE(iopt_test_alloc_random),
	KUNIT_CASE(iopt_test_reserved),
	KUNIT_CASE(iopt_test_domain_fill),
	KUNIT_CASE(iopt_test_domain_rules),
	KUNIT_CASE(iopt_test_domain_failures),
	KUNIT_CASE(iopt_test_sync_per_slice),
	KUNIT_CASE(iopt_test_large_pages_option),
	KUNIT_CASE(iopt_test_first_area),
	{}
};

static struct kunit_suite iopt_test_suite = {
	.name = "xiommu_iopt",
	.init = iopt_test_init,
	.exit = iopt_test_exit,
	.test_cases = iopt_test_cases,
};
kunit_test_suite(iopt_test_suite);
