// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "xiommu_group": iommu-lite groups and DMA ownership
 * (group.c, registry.c), with fake units and devices on a test bus
 * (kunit_fake.c), so no hardware is needed.
 *
 * The expected state is what Documentation/groups.md promises, checked
 * on the fake devices themselves (the domain each device was last
 * attached to, as the "hardware" sees it) and not only on the group's
 * bookkeeping:
 *  - grouping: a device joins the group it is told to, a group never
 *    spans units, kernel-owned groups sit on the unit's identity domain
 *    (blocking without one), a device added to an owned group is blocked;
 *  - claim/release: every member blocked while owned, one owner at a
 *    time, counted claims, the default domain back on the last release,
 *    the driver module pinned while owned, viability (a member driven by a
 *    kernel driver forbids the claim);
 *  - replace: onto the current domain is a no-op (no attach_dev call),
 *    another unit's paging or static domain is refused before the driver
 *    sees it (the ops check), identity is not a user domain, a failed
 *    attach rolls the members already moved back (and falls back to
 *    blocking, never identity, when even that fails);
 *  - fail closed: a kernel driver bound to a member of an owned group
 *    moves the group to blocking and keeps it there until released.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/workqueue.h>

#include "iommu_lite.h"
#include "kunit_fake.h"

#define MAX_DEVS	8
#define MAX_CLAIMS	8
#define MAX_DOMAINS	8

struct group_ctx {
	struct kfake_unit units[3];
	struct kfake_dev *devs[MAX_DEVS];
	unsigned int ndevs;
	struct {
		struct xiommu_group *group;
		void *owner;
	} claims[MAX_CLAIMS];
	unsigned int nclaims;
	struct xiommu_domain *domains[MAX_DOMAINS];
	unsigned int ndomains;
	int module_refs;
};

static char owner1, owner2;

static int group_suite_init(struct kunit_suite *suite)
{
	return kfake_bus_init();
}

/* u0 and u1 have identity domains, u2 has none. */
static int group_test_init(struct kunit *test)
{
	struct group_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	static const char * const names[] = { "kunit0", "kunit1", "kunit2" };
	unsigned int i;
	int rc;

	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	atomic_set(&kfake_violations, 0);
	ctx->module_refs = module_refcount(THIS_MODULE);
	for (i = 0; i < ARRAY_SIZE(ctx->units); i++) {
		struct kfake_unit *unit = &ctx->units[i];

		unit->pgsize_bitmap = SZ_4K | SZ_2M;
		unit->aperture_end = (1ULL << 39) - 1;
		unit->no_identity = i == 2;
		rc = kfake_unit_register(unit, names[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static void group_test_exit(struct kunit *test)
{
	struct group_ctx *ctx = test->priv;
	unsigned int i;

	while (ctx->nclaims) {
		ctx->nclaims--;
		xiommu_group_release_dma_owner(ctx->claims[ctx->nclaims].group,
					       ctx->claims[ctx->nclaims].owner);
	}
	for (i = 0; i < ctx->ndomains; i++)
		xiommu_domain_free(ctx->domains[i]);
	while (ctx->ndevs)
		kfake_dev_remove(ctx->devs[--ctx->ndevs]);
	for (i = 0; i < ARRAY_SIZE(ctx->units); i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->units[i].domains_alive),
				0);
		kfake_unit_unregister(&ctx->units[i]);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&kfake_violations), 0);
	/* No claim or domain still pins the driver (this module). */
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), ctx->module_refs);
}

static struct kfake_dev *add_dev(struct kunit *test, unsigned int unit,
				 struct kfake_dev *group_with)
{
	struct group_ctx *ctx = test->priv;
	struct kfake_dev *fdev;

	KUNIT_ASSERT_LT(test, ctx->ndevs, (unsigned int)MAX_DEVS);
	fdev = kfake_dev_add(&ctx->units[unit], group_with,
			     KFAKE_CAPS_BINDABLE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fdev);
	ctx->devs[ctx->ndevs++] = fdev;
	return fdev;
}

static int claim(struct kunit *test, struct kfake_dev *fdev, void *owner)
{
	struct group_ctx *ctx = test->priv;
	int rc;

	KUNIT_ASSERT_LT(test, ctx->nclaims, (unsigned int)MAX_CLAIMS);
	rc = xiommu_group_claim_dma_owner(fdev->group, owner, NULL);
	if (!rc) {
		ctx->claims[ctx->nclaims].group = fdev->group;
		ctx->claims[ctx->nclaims].owner = owner;
		ctx->nclaims++;
	}
	return rc;
}

static void release(struct kunit *test, struct kfake_dev *fdev, void *owner)
{
	struct group_ctx *ctx = test->priv;
	unsigned int i;

	for (i = ctx->nclaims; i--;) {
		if (ctx->claims[i].group == fdev->group &&
		    ctx->claims[i].owner == owner) {
			ctx->claims[i] = ctx->claims[--ctx->nclaims];
			xiommu_group_release_dma_owner(fdev->group, owner);
			return;
		}
	}
	KUNIT_FAIL(test, "no claim to give back");
}

static struct xiommu_domain *alloc_domain(struct kunit *test,
					  struct kfake_dev *fdev)
{
	struct group_ctx *ctx = test->priv;
	struct xiommu_domain *domain;

	KUNIT_ASSERT_LT(test, ctx->ndomains, (unsigned int)MAX_DOMAINS);
	domain = xiommu_domain_alloc_paging(&fdev->dev, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, domain);
	ctx->domains[ctx->ndomains++] = domain;
	return domain;
}

/* The group of @fdev as the registry knows it (not the fake's record). */
static struct xiommu_group *registry_group(struct kunit *test,
					   struct kfake_dev *fdev)
{
	struct xiommu_group *group = xiommu_group_get(&fdev->dev);

	KUNIT_ASSERT_NOT_NULL(test, group);
	/* The endpoint holds its own reference: the group stays. */
	xiommu_group_put(group);
	return group;
}

static void group_test_probe(struct kunit *test)
{
	struct group_ctx *ctx = test->priv;
	struct kfake_dev *a = add_dev(test, 0, NULL);
	struct kfake_dev *b = add_dev(test, 0, NULL);
	struct kfake_dev *c = add_dev(test, 0, b);
	struct kfake_dev *d = add_dev(test, 2, NULL);
	struct kfake_dev *e;

	KUNIT_EXPECT_PTR_EQ(test, xiommu_endpoint_iommu(&a->dev),
			    &ctx->units[0].iommu);
	KUNIT_EXPECT_PTR_EQ(test, xiommu_endpoint_iommu(&d->dev),
			    &ctx->units[2].iommu);
	KUNIT_EXPECT_PTR_NE(test, registry_group(test, a),
			    registry_group(test, b));
	KUNIT_EXPECT_PTR_EQ(test, registry_group(test, b),
			    registry_group(test, c));
	KUNIT_EXPECT_PTR_NE(test, registry_group(test, d),
			    registry_group(test, b));

	/* Kernel-owned: identity, or blocking if the unit has no identity. */
	KUNIT_EXPECT_PTR_EQ(test, a->domain, &ctx->units[0].identity);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &ctx->units[0].identity);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &ctx->units[0].identity);
	KUNIT_EXPECT_PTR_EQ(test, d->domain, &ctx->units[2].blocked);
	KUNIT_EXPECT_PTR_EQ(test, xiommu_group_domain(b->group),
			    &ctx->units[0].identity);

	/* A group never spans units: such a device is no endpoint. */
	e = kfake_dev_add(&ctx->units[1], b, KFAKE_CAPS_BINDABLE);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(e), -ENODEV);
	KUNIT_EXPECT_PTR_EQ(test, xiommu_group_domain(b->group),
			    &ctx->units[0].identity);
}

static void group_test_claim_release(struct kunit *test)
{
	struct group_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0];
	struct kfake_dev *b = add_dev(test, 0, NULL);
	struct kfake_dev *c = add_dev(test, 0, b);
	struct kfake_dev *a = add_dev(test, 0, NULL);
	unsigned int calls;

	KUNIT_ASSERT_EQ(test, claim(test, b, &owner1), 0);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->blocked);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->blocked);
	/* Other groups do not move. */
	KUNIT_EXPECT_PTR_EQ(test, a->domain, &u0->identity);
	/* Ownership pins the driver module. */
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE),
			ctx->module_refs + 1);

	/* The same owner counts; another one is refused. */
	KUNIT_EXPECT_EQ(test, claim(test, c, &owner1), 0);
	KUNIT_EXPECT_EQ(test, claim(test, b, &owner2), -EBUSY);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE),
			ctx->module_refs + 1);

	/* Replace onto blocking while blocked: no attach_dev at all. */
	calls = b->attach_calls + c->attach_calls;
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(b->group,
							  &u0->blocked), 0);
	KUNIT_EXPECT_EQ(test, b->attach_calls + c->attach_calls, calls);

	release(test, b, &owner1);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->blocked);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->blocked);
	release(test, c, &owner1);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->identity);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->identity);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), ctx->module_refs);

	/* Not owned: no replace, not even to blocking. */
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(b->group,
							  &u0->blocked),
			-EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->identity);

	/* Free again: another owner may have it now. */
	KUNIT_EXPECT_EQ(test, claim(test, b, &owner2), 0);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->blocked);
	release(test, b, &owner2);
}

static void group_test_replace(struct kunit *test)
{
	struct group_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0], *u1 = &ctx->units[1];
	struct kfake_dev *b = add_dev(test, 0, NULL);
	struct kfake_dev *c = add_dev(test, 0, b);
	struct kfake_dev *a = add_dev(test, 0, NULL);
	struct kfake_dev *x = add_dev(test, 1, NULL);
	struct xiommu_domain *d1, *d2, *dx;
	unsigned int calls;

	KUNIT_ASSERT_EQ(test, claim(test, b, &owner1), 0);
	KUNIT_ASSERT_EQ(test, claim(test, x, &owner2), 0);
	d1 = alloc_domain(test, b);
	d2 = alloc_domain(test, b);
	dx = alloc_domain(test, x);

	/* The domain records its unit; the ops check follows it. */
	KUNIT_EXPECT_EQ(test, d1->type, XIOMMU_DOMAIN_PAGING);
	KUNIT_EXPECT_PTR_EQ(test, d1->owner, &u0->iommu);
	KUNIT_EXPECT_TRUE(test, xiommu_domain_compatible(d1, &b->dev));
	KUNIT_EXPECT_TRUE(test, xiommu_domain_compatible(d1, &a->dev));
	KUNIT_EXPECT_FALSE(test, xiommu_domain_compatible(d1, &x->dev));
	KUNIT_EXPECT_FALSE(test, xiommu_domain_compatible(dx, &b->dev));

	KUNIT_ASSERT_EQ(test, xiommu_group_replace_domain(b->group, d1), 0);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, d1);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, d1);
	KUNIT_EXPECT_PTR_EQ(test, xiommu_group_domain(b->group), d1);

	/* Onto the current domain: nothing happens. */
	calls = b->attach_calls + c->attach_calls;
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(b->group, d1), 0);
	KUNIT_EXPECT_EQ(test, b->attach_calls + c->attach_calls, calls);

	/* Another unit's domains never reach the driver. */
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(b->group, dx),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(b->group,
							  &u1->blocked),
			-EINVAL);
	/* Identity is the kernel's, not a user domain. */
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(b->group,
							  &u0->identity),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, b->attach_calls + c->attach_calls, calls);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, d1);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, d1);

	/* Straight from one paging domain to the next, then to blocking. */
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(b->group, d2), 0);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, d2);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, d2);
	KUNIT_EXPECT_EQ(test, b->attach_calls + c->attach_calls, calls + 2);
	xiommu_group_block(b->group);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->blocked);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->blocked);
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(x->group, dx), 0);
	KUNIT_EXPECT_PTR_EQ(test, x->domain, dx);
	/* The kernel-owned group stayed where it was all along. */
	KUNIT_EXPECT_PTR_EQ(test, a->domain, &u0->identity);

	release(test, b, &owner1);
	release(test, x, &owner2);
	KUNIT_EXPECT_PTR_EQ(test, x->domain, &u1->identity);
}

static void group_test_rollback(struct kunit *test)
{
	struct group_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0];
	struct kfake_dev *b = add_dev(test, 0, NULL);
	struct kfake_dev *c = add_dev(test, 0, b);
	struct kfake_dev *d = add_dev(test, 0, b);
	struct xiommu_domain *d1, *d2;

	KUNIT_ASSERT_EQ(test, claim(test, b, &owner1), 0);
	d1 = alloc_domain(test, b);
	d2 = alloc_domain(test, b);

	/* The last member fails: the first two go back to blocking. */
	d->fail_attach_to = d1;
	d->fail_errno = -EIO;
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(b->group, d1), -EIO);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->blocked);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->blocked);
	KUNIT_EXPECT_PTR_EQ(test, d->domain, &u0->blocked);
	KUNIT_EXPECT_PTR_EQ(test, xiommu_group_domain(b->group), &u0->blocked);

	d->fail_attach_to = NULL;
	KUNIT_ASSERT_EQ(test, xiommu_group_replace_domain(b->group, d1), 0);
	KUNIT_EXPECT_PTR_EQ(test, d->domain, d1);

	/*
	 * d1 -> d2 fails at the last member, and b cannot go back to d1:
	 * b falls back to blocking (never identity), c returns to d1.
	 */
	d->fail_attach_to = d2;
	b->fail_attach_to = d1;
	b->fail_errno = -EIO;
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(b->group, d2), -EIO);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->blocked);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, d1);
	KUNIT_EXPECT_PTR_EQ(test, d->domain, d1);

	b->fail_attach_to = NULL;
	d->fail_attach_to = NULL;
	release(test, b, &owner1);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->identity);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->identity);
	KUNIT_EXPECT_PTR_EQ(test, d->domain, &u0->identity);
}

static void group_test_fail_closed(struct kunit *test)
{
	struct group_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0];
	struct kfake_dev *b = add_dev(test, 0, NULL);
	struct kfake_dev *c = add_dev(test, 0, b);
	struct xiommu_group *group = b->group;
	struct xiommu_domain *d1;

	b->bindable = true;
	KUNIT_ASSERT_EQ(test, claim(test, b, &owner1), 0);
	d1 = alloc_domain(test, b);
	KUNIT_ASSERT_EQ(test, xiommu_group_replace_domain(group, d1), 0);

	/*
	 * An administrator binds a kernel driver to a member anyway: the
	 * group is blocked before the driver's probe() runs (its probe saw
	 * the blocking domain), with no work item to wait for.
	 */
	KUNIT_ASSERT_EQ(test, device_attach(&b->dev), 1);
	KUNIT_EXPECT_PTR_EQ(test, b->probe_domain, &u0->blocked);
	KUNIT_EXPECT_TRUE(test, group->revoked);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->blocked);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->blocked);
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(group, d1), -EBUSY);
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(group, &u0->blocked),
			0);

	/* Unbinding the driver does not give DMA back: only a release does. */
	device_release_driver(&b->dev);
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(group, d1), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->blocked);
	release(test, b, &owner1);
	KUNIT_EXPECT_FALSE(test, group->revoked);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->identity);

	/* A new owner starts afresh. */
	KUNIT_ASSERT_EQ(test, claim(test, b, &owner2), 0);
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(group, d1), 0);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, d1);
	release(test, b, &owner2);
}

static void group_test_not_viable(struct kunit *test)
{
	struct group_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0];
	struct kfake_dev *b = add_dev(test, 0, NULL);
	struct kfake_dev *c = add_dev(test, 0, b);

	c->bindable = true;
	KUNIT_ASSERT_EQ(test, device_attach(&c->dev), 1);
	KUNIT_EXPECT_EQ(test, claim(test, b, &owner1), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->identity);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->identity);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), ctx->module_refs);

	device_release_driver(&c->dev);
	KUNIT_ASSERT_EQ(test, claim(test, b, &owner1), 0);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->blocked);
	release(test, b, &owner1);
}

/* A device that joins an owned group is blocked from the start. */
static void group_test_add_to_owned(struct kunit *test)
{
	struct group_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0];
	struct kfake_dev *b = add_dev(test, 0, NULL);
	struct xiommu_domain *d1;
	struct kfake_dev *c;

	KUNIT_ASSERT_EQ(test, claim(test, b, &owner1), 0);
	c = add_dev(test, 0, b);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->blocked);

	/* Once the group is on a paging domain, newcomers join it there. */
	d1 = alloc_domain(test, b);
	KUNIT_ASSERT_EQ(test, xiommu_group_replace_domain(b->group, d1), 0);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, d1);
	c = add_dev(test, 0, b);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, d1);

	/* Hot removal of a member of an owned group. */
	ctx->ndevs--;
	kfake_dev_remove(c);
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(b->group,
							  &u0->blocked), 0);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->blocked);
	release(test, b, &owner1);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->identity);
}

static void group_test_domain_alloc(struct kunit *test)
{
	struct group_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0];
	struct kfake_dev *b = add_dev(test, 0, NULL);
	struct kfake_dev *x;
	struct xiommu_domain *domain;
	struct device *nodev;
	struct kfake_unit *bare;

	domain = xiommu_domain_alloc_paging(&b->dev, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, domain);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 1);
	/* A paging domain pins the driver module until it is freed. */
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE),
			ctx->module_refs + 1);
	KUNIT_EXPECT_EQ(test, domain->pgsize_bitmap, u0->pgsize_bitmap);
	xiommu_domain_free(domain);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 0);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), ctx->module_refs);

	KUNIT_EXPECT_EQ(test, PTR_ERR(xiommu_domain_alloc_paging(&b->dev, 1)),
			-EOPNOTSUPP);
	/*
	 * User data for a paging domain goes only to a driver with
	 * domain_alloc_paging_user (kfake has none): nothing allocated, the
	 * module and unit references given back.
	 */
	{
		const struct xiommu_user_data data = { .type = 1, .len = 4 };

		KUNIT_EXPECT_EQ(test,
				PTR_ERR(xiommu_domain_alloc_paging_user(
					&b->dev, 0, &data)),
				-EOPNOTSUPP);
		KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 0);
		KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE),
				ctx->module_refs);
		/* Without data it is the plain allocation */
		domain = xiommu_domain_alloc_paging_user(&b->dev, 0, NULL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, domain);
		KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 1);
		xiommu_domain_free(domain);
	}
	/* A device no unit translates. */
	nodev = kunit_kzalloc(test, sizeof(*nodev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, nodev);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xiommu_domain_alloc_paging(nodev, 0)),
			-ENODEV);
	KUNIT_EXPECT_NULL(test, xiommu_group_get(nodev));

	/* A driver without paging domains. */
	bare = kunit_kzalloc(test, sizeof(*bare), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bare);
	bare->no_paging = true;
	KUNIT_ASSERT_EQ(test, kfake_unit_register(bare, "kunit-bare"), 0);
	x = kfake_dev_add(bare, NULL, KFAKE_CAPS_BINDABLE);
	if (!IS_ERR(x)) {
		KUNIT_EXPECT_EQ(test,
				PTR_ERR(xiommu_domain_alloc_paging(&x->dev, 0)),
				-EOPNOTSUPP);
		kfake_dev_remove(x);
	}
	KUNIT_EXPECT_FALSE(test, IS_ERR(x));
	kfake_unit_unregister(bare);
}

static atomic_t life_released;

static void life_release_unit(struct xiommu_device *iommu)
{
	atomic_inc(&life_released);
}

/*
 * The unit lifetime rule (Documentation/driver-api.md, "Unit lifetime"): a
 * unit unregistered while user space still owns a group and holds a
 * paging domain of it stays in memory until the last of them goes.
 */
static void group_test_unit_lifetime(struct kunit *test)
{
	struct xiommu_domain *domain;
	struct xiommu_group *group;
	struct kfake_unit *life;
	struct kfake_dev *x;
	int owner;

	atomic_set(&life_released, 0);
	life = kunit_kzalloc(test, sizeof(*life), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, life);
	life->pgsize_bitmap = SZ_4K;
	life->aperture_end = SZ_1G - 1;
	KUNIT_ASSERT_EQ(test, kfake_unit_register(life, "kunit-life"), 0);
	life->ops.release_unit = life_release_unit;
	x = kfake_dev_add(life, NULL, KFAKE_CAPS_BINDABLE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, x);
	group = xiommu_group_get(&x->dev);
	KUNIT_ASSERT_NOT_NULL(test, group);
	KUNIT_ASSERT_EQ(test, xiommu_group_claim_dma_owner(group, &owner,
							   NULL), 0);
	domain = xiommu_domain_alloc_paging(&x->dev, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, domain);
	KUNIT_EXPECT_EQ(test, xiommu_group_replace_domain(group, domain), 0);
	KUNIT_EXPECT_EQ(test, xiommu_map(domain, 0, 0x100000, SZ_4K,
					 XIOMMU_READ, GFP_KERNEL), 0);

	/* Removal is not refused; the driver drops its reference. */
	xiommu_device_unregister(&life->iommu);
	life->registered = false;
	KUNIT_EXPECT_TRUE(test, life->iommu.dying);
	xiommu_device_put(&life->iommu);
	KUNIT_EXPECT_EQ(test, atomic_read(&life_released), 0);

	/* The owner and the domain outlive the unit's endpoints. */
	KUNIT_EXPECT_EQ(test, xiommu_unmap(domain, 0, SZ_4K), (size_t)SZ_4K);
	xiommu_group_release_dma_owner(group, &owner);
	KUNIT_EXPECT_EQ(test, atomic_read(&life_released), 0);
	xiommu_domain_free(domain);
	KUNIT_EXPECT_EQ(test, atomic_read(&life_released), 1);
	xiommu_group_put(group);
	kfake_dev_remove(x);
}

static struct kunit_case group_test_cases[] = {
	KUNIT_CASE(group_test_probe),
	KUNIT_CASE(group_test_claim_release),
	KUNIT_CASE(group_test_replace),
	KUNIT_CASE(group_test_rollback),
	KUNIT_CASE(group_test_fail_closed),
	KUNIT_CASE(group_test_not_viable),
	KUNIT_CASE(group_test_add_to_owned),
	KUNIT_CASE(group_test_domain_alloc),
	KUNIT_CASE(group_test_unit_lifetime),
	{}
};

static struct kunit_suite group_test_suite = {
	.name = "xiommu_group",
	.suite_init = group_suite_init,
	.init = group_test_init,
	.exit = group_test_exit,
	.test_cases = group_test_cases,
};
kunit_test_suite(group_test_suite);
