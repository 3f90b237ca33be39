// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "xiommu_hwpt_invalidate": the core's handling of an
 * IOMMU_HWPT_INVALIDATE request array (hwpt_nested.c) and the driver-side
 * array helper of include/xiommu/driver.h.
 *
 * A fake nested domain whose cache_invalidate_user records what it was
 * handed and reports a scripted progress and errno. The helper's checks
 * that come before any user memory access (type, index, entry length) are
 * exercised here; copying real entries needs a user address space and is
 * covered by selftests/iommufd_nest.c.
 */
#include <kunit/test.h>

#include "iommufd_private.h"

struct fake_nested {
	struct xiommu_domain domain;
	unsigned int calls;
	u32 seen_num;
	size_t seen_len;
	u32 report_num;
	int report_rc;
};

static int fake_invalidate(struct xiommu_domain *domain,
			   struct xiommu_user_data_array *array)
{
	struct fake_nested *fn = container_of(domain, struct fake_nested,
					      domain);

	fn->calls++;
	fn->seen_num = array->entry_num;
	fn->seen_len = array->entry_len;
	array->entry_num = fn->report_num;
	return fn->report_rc;
}

static const struct xiommu_domain_ops fake_nested_ops = {
	.cache_invalidate_user = fake_invalidate,
};

static const struct xiommu_domain_ops fake_no_inv_ops = {};

static struct fake_nested *fake_new(struct kunit *test,
				    const struct xiommu_domain_ops *ops)
{
	struct fake_nested *fn = kunit_kzalloc(test, sizeof(*fn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fn);
	fn->domain.type = XIOMMU_DOMAIN_NESTED;
	fn->domain.ops = ops;
	return fn;
}

/* The driver's progress and errno reach the caller unchanged. */
static void inv_test_passthrough(struct kunit *test)
{
	struct fake_nested *fn = fake_new(test, &fake_nested_ops);
	struct xiommu_user_data_array array = {
		.type = 7, .entry_len = 16, .entry_num = 5,
	};

	fn->report_num = 5;
	KUNIT_EXPECT_EQ(test, xiommu_hwpt_invalidate_array(&fn->domain,
							   &array), 0);
	KUNIT_EXPECT_EQ(test, fn->calls, 1U);
	KUNIT_EXPECT_EQ(test, fn->seen_num, 5U);
	KUNIT_EXPECT_EQ(test, fn->seen_len, (size_t)16);
	KUNIT_EXPECT_EQ(test, array.entry_num, 5U);

	/* Partial progress with an error: both reported */
	array.entry_num = 5;
	fn->report_num = 2;
	fn->report_rc = -EINVAL;
	KUNIT_EXPECT_EQ(test, xiommu_hwpt_invalidate_array(&fn->domain,
							   &array), -EINVAL);
	KUNIT_EXPECT_EQ(test, array.entry_num, 2U);

	/* Zero entries still reach the driver (it checks the type) */
	array.entry_num = 0;
	fn->report_num = 0;
	fn->report_rc = 0;
	KUNIT_EXPECT_EQ(test, xiommu_hwpt_invalidate_array(&fn->domain,
							   &array), 0);
	KUNIT_EXPECT_EQ(test, fn->calls, 3U);
	KUNIT_EXPECT_EQ(test, fn->seen_num, 0U);
}

/* A driver reporting more than it was given is clamped. */
static void inv_test_clamp(struct kunit *test)
{
	struct fake_nested *fn = fake_new(test, &fake_nested_ops);
	struct xiommu_user_data_array array = {
		.type = 7, .entry_len = 8, .entry_num = 3,
	};

	fn->report_num = 9;
	KUNIT_EXPECT_EQ(test, xiommu_hwpt_invalidate_array(&fn->domain,
							   &array), 0);
	KUNIT_EXPECT_EQ(test, array.entry_num, 3U);
}

/* A domain without user invalidation: EOPNOTSUPP, nothing done. */
static void inv_test_unsupported(struct kunit *test)
{
	struct fake_nested *fn = fake_new(test, &fake_no_inv_ops);
	struct xiommu_user_data_array array = {
		.type = 7, .entry_len = 8, .entry_num = 3,
	};

	KUNIT_EXPECT_EQ(test, xiommu_hwpt_invalidate_array(&fn->domain,
							   &array),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, array.entry_num, 0U);
}

/* The array helper refuses before touching user memory. */
static void inv_test_copy_checks(struct kunit *test)
{
	u64 dst[2];
	struct xiommu_user_data_array array = {
		.type = 7,
		/* Never dereferenced by the cases below */
		.uptr = (void __user *)0x1000,
		.entry_len = 8,
		.entry_num = 2,
	};

	/* Wrong type */
	KUNIT_EXPECT_EQ(test, xiommu_copy_struct_from_user_array(
				      dst, sizeof(dst), 8, &array, 6, 0),
			-EINVAL);
	/* Index past the array */
	KUNIT_EXPECT_EQ(test, xiommu_copy_struct_from_user_array(
				      dst, sizeof(dst), 8, &array, 7, 2),
			-EINVAL);
	/* Entries shorter than the oldest layout */
	array.entry_len = 4;
	KUNIT_EXPECT_EQ(test, xiommu_copy_struct_from_user_array(
				      dst, sizeof(dst), 8, &array, 7, 0),
			-EINVAL);
	/* Entries longer than the driver's struct (a newer user) */
	array.entry_len = sizeof(dst) + 1;
	KUNIT_EXPECT_EQ(test, xiommu_copy_struct_from_user_array(
				      dst, sizeof(dst), 8, &array, 7, 0),
			-EINVAL);
	/* Empty array: any index is out of range */
	array.entry_len = 8;
	array.entry_num = 0;
	KUNIT_EXPECT_EQ(test, xiommu_copy_struct_from_user_array(
				      dst, sizeof(dst), 8, &array, 7, 0),
			-EINVAL);
}

static struct kunit_case inv_test_cases[] = {
	KUNIT_CASE(inv_test_passthrough),
	KUNIT_CASE(inv_test_clamp),
	KUNIT_CASE(inv_test_unsupported),
	KUNIT_CASE(inv_test_copy_checks),
	{}
};

static struct kunit_suite inv_test_suite = {
	.name = "xiommu_hwpt_invalidate",
	.test_cases = inv_test_cases,
};
kunit_test_suite(inv_test_suite);
