// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "xiommu_eventq": the list, depth and lost-events accounting
 * of the generic event queue (eventq.c), driven without a file: entries
 * are kernel structs, a reader is the test calling fetch / consumed /
 * restore the way a read op does. The file side (read, poll, release) is
 * covered by selftests/iommufd_viommu.c through the vEVENTQ.
 */
#include <kunit/test.h>

#include "iommufd_private.h"

struct test_ev {
	struct xiommu_eventq_entry entry;
	unsigned int id;
	bool *freed;
};

static void test_free_entry(struct xiommu_eventq *eventq,
			    struct xiommu_eventq_entry *entry)
{
	struct test_ev *ev = container_of(entry, struct test_ev, entry);

	ev->freed[ev->id] = true;
}

static const struct xiommu_eventq_ops test_ops = {
	.free_entry = test_free_entry,
};

struct eq_ctx {
	struct xiommu_eventq eq;
	struct test_ev ev[8];
	bool freed[8];
};

static struct eq_ctx *eq_new(struct kunit *test, u32 depth)
{
	struct eq_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	xiommu_eventq_init(&c->eq, NULL, &test_ops, depth);
	for (i = 0; i < ARRAY_SIZE(c->ev); i++) {
		c->ev[i].id = i;
		c->ev[i].freed = c->freed;
	}
	return c;
}

/* Fetch the next entry, expect its sequence, consume it. */
static struct xiommu_eventq_entry *read_one(struct kunit *test,
					    struct eq_ctx *c, u32 want_seq)
{
	struct xiommu_eventq_entry *e;
	u32 seq = ~0U;

	e = xiommu_eventq_fetch(&c->eq, &seq);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, seq, want_seq);
	xiommu_eventq_consumed(&c->eq, e);
	return e;
}

/* Entries come out in order with consecutive sequence numbers. */
static void eventq_order(struct kunit *test)
{
	struct eq_ctx *c = eq_new(test, 0);
	u32 seq;
	int i;

	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_TRUE(test,
				  xiommu_eventq_deliver(&c->eq, &c->ev[i].entry));
	KUNIT_EXPECT_EQ(test, c->eq.nr_queued, 5U);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_PTR_EQ(test, read_one(test, c, i),
				    &c->ev[i].entry);
	KUNIT_EXPECT_EQ(test, c->eq.nr_queued, 0U);
	KUNIT_EXPECT_NULL(test, xiommu_eventq_fetch(&c->eq, &seq));
}

/*
 * Depth 2: the third and fourth deliveries are refused (the caller keeps
 * the entry), take sequence numbers 2 and 3, and leave one lost marker at
 * the tail carrying the last of them.
 */
static void eventq_overflow_tail_marker(struct kunit *test)
{
	struct eq_ctx *c = eq_new(test, 2);
	struct xiommu_eventq_entry *e;
	u32 seq;

	KUNIT_EXPECT_TRUE(test, xiommu_eventq_deliver(&c->eq, &c->ev[0].entry));
	KUNIT_EXPECT_TRUE(test, xiommu_eventq_deliver(&c->eq, &c->ev[1].entry));
	KUNIT_EXPECT_FALSE(test, xiommu_eventq_deliver(&c->eq, &c->ev[2].entry));
	KUNIT_EXPECT_FALSE(test, xiommu_eventq_deliver(&c->eq, &c->ev[3].entry));
	KUNIT_EXPECT_EQ(test, c->eq.nr_queued, 2U);
	KUNIT_EXPECT_EQ(test, c->eq.nr_lost, 2ULL);

	read_one(test, c, 0);
	read_one(test, c, 1);
	e = read_one(test, c, 3);
	KUNIT_EXPECT_TRUE(test, e->lost);
	KUNIT_EXPECT_NULL(test, xiommu_eventq_fetch(&c->eq, &seq));
	KUNIT_EXPECT_EQ(test, c->eq.nr_queued, 0U);
}

/*
 * A real entry queued after a loss removes the marker: its sequence number
 * shows the gap. Consuming makes room for exactly as many as were read.
 */
static void eventq_overflow_then_room(struct kunit *test)
{
	struct eq_ctx *c = eq_new(test, 1);
	struct xiommu_eventq_entry *e;
	u32 seq;

	KUNIT_EXPECT_TRUE(test, xiommu_eventq_deliver(&c->eq, &c->ev[0].entry));
	KUNIT_EXPECT_FALSE(test, xiommu_eventq_deliver(&c->eq, &c->ev[1].entry));
	read_one(test, c, 0);
	/* room again: the marker goes, seq 2 tells seq 1 was lost */
	KUNIT_EXPECT_TRUE(test, xiommu_eventq_deliver(&c->eq, &c->ev[2].entry));
	e = read_one(test, c, 2);
	KUNIT_EXPECT_PTR_EQ(test, e, &c->ev[2].entry);
	KUNIT_EXPECT_FALSE(test, e->lost);
	KUNIT_EXPECT_NULL(test, xiommu_eventq_fetch(&c->eq, &seq));
}

/*
 * An entry fetched but not yet consumed still counts against the depth; a
 * restored entry comes out first again, same sequence number.
 */
static void eventq_fetch_restore(struct kunit *test)
{
	struct eq_ctx *c = eq_new(test, 1);
	struct xiommu_eventq_entry *e;
	u32 seq = ~0U;

	KUNIT_EXPECT_TRUE(test, xiommu_eventq_deliver(&c->eq, &c->ev[0].entry));
	e = xiommu_eventq_fetch(&c->eq, &seq);
	KUNIT_ASSERT_PTR_EQ(test, e, &c->ev[0].entry);
	KUNIT_EXPECT_FALSE(test, xiommu_eventq_deliver(&c->eq, &c->ev[1].entry));
	xiommu_eventq_restore(&c->eq, e, seq);
	/* order: ev0 (seq 0), then the marker (seq 1) */
	read_one(test, c, 0);
	e = read_one(test, c, 1);
	KUNIT_EXPECT_TRUE(test, e->lost);
}

/*
 * A restored marker is dropped if a producer moved it to the tail again
 * meanwhile; otherwise it comes back with the sequence it was fetched with.
 */
static void eventq_marker_restore(struct kunit *test)
{
	struct eq_ctx *c = eq_new(test, 1);
	struct xiommu_eventq_entry *e;
	u32 seq = ~0U;

	KUNIT_EXPECT_TRUE(test, xiommu_eventq_deliver(&c->eq, &c->ev[0].entry));
	xiommu_eventq_report_lost(&c->eq);		/* seq 1 */
	read_one(test, c, 0);
	e = xiommu_eventq_fetch(&c->eq, &seq);
	KUNIT_ASSERT_TRUE(test, e->lost);
	KUNIT_EXPECT_EQ(test, seq, 1U);
	xiommu_eventq_restore(&c->eq, e, seq);
	e = xiommu_eventq_fetch(&c->eq, &seq);
	KUNIT_ASSERT_TRUE(test, e->lost);
	KUNIT_EXPECT_EQ(test, seq, 1U);
	/* a new loss while the reader holds it: the newer one stays */
	xiommu_eventq_report_lost(&c->eq);		/* seq 2 */
	xiommu_eventq_restore(&c->eq, e, seq);
	read_one(test, c, 2);
	KUNIT_EXPECT_NULL(test, xiommu_eventq_fetch(&c->eq, &seq));
	KUNIT_EXPECT_EQ(test, c->eq.nr_lost, 2ULL);
}

/* Sequence numbers wrap from INT_MAX to 0. */
static void eventq_seq_wrap(struct kunit *test)
{
	struct eq_ctx *c = eq_new(test, 0);

	c->eq.sequence = INT_MAX;
	KUNIT_EXPECT_TRUE(test, xiommu_eventq_deliver(&c->eq, &c->ev[0].entry));
	KUNIT_EXPECT_TRUE(test, xiommu_eventq_deliver(&c->eq, &c->ev[1].entry));
	read_one(test, c, INT_MAX);
	read_one(test, c, 0);
}

/* Teardown frees every queued entry once and never the marker. */
static void eventq_teardown_frees(struct kunit *test)
{
	struct eq_ctx *c = eq_new(test, 2);

	KUNIT_EXPECT_TRUE(test, xiommu_eventq_deliver(&c->eq, &c->ev[0].entry));
	KUNIT_EXPECT_TRUE(test, xiommu_eventq_deliver(&c->eq, &c->ev[1].entry));
	KUNIT_EXPECT_FALSE(test, xiommu_eventq_deliver(&c->eq, &c->ev[2].entry));
	xiommu_eventq_teardown(&c->eq);
	KUNIT_EXPECT_TRUE(test, c->freed[0]);
	KUNIT_EXPECT_TRUE(test, c->freed[1]);
	KUNIT_EXPECT_FALSE(test, c->freed[2]);
	KUNIT_EXPECT_EQ(test, c->eq.nr_queued, 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&c->eq.deliver));
}

static struct kunit_case eventq_cases[] = {
	KUNIT_CASE(eventq_order),
	KUNIT_CASE(eventq_overflow_tail_marker),
	KUNIT_CASE(eventq_overflow_then_room),
	KUNIT_CASE(eventq_fetch_restore),
	KUNIT_CASE(eventq_marker_restore),
	KUNIT_CASE(eventq_seq_wrap),
	KUNIT_CASE(eventq_teardown_frees),
	{}
};

static struct kunit_suite eventq_suite = {
	.name = "xiommu_eventq",
	.test_cases = eventq_cases,
};
kunit_test_suite(eventq_suite);
