// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "xiommu_object": object lifetimes in an iommufd context
 * (main.c, ioas.c, hwpt.c, device.c).
 *
 * A real context: the test opens /dev/iommu from its kernel thread (the
 * guest mounts devtmpfs) and closes it with __fput_sync(), so close runs
 * the file's own release at a known point. Devices are fake ones on the
 * test bus (kunit_fake.c). IOAS objects are made the way
 * IOMMU_IOAS_ALLOC makes them (there is no user memory for the ioctl);
 * HWPTs, device objects and external objects go through the core's own
 * functions.
 *
 * The test keeps its own table of which IDs must exist with which type
 * and checks every lookup against it after each step, plus what the fakes
 * see: external objects' destroy callbacks (exactly once), paging domains
 * freed, groups back on their identity domain, and this module's
 * reference count (ownership, domains and external objects pin it).
 * Destroying an object out of order would trip the core's own WARN_ONs,
 * which fail the guest run.
 */
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sizes.h>

#include "iommufd_private.h"
#include "kunit_fake.h"

#define MAX_DEVS	8
#define MAX_IDEVS	8
#define MAX_TRACK	32

struct tracked {
	u32 id;
	enum xiommu_obj_type type;
	bool alive;
};

struct obj_ctx {
	struct kfake_unit units[2];
	struct kfake_dev *devs[MAX_DEVS];
	unsigned int ndevs;
	struct xiommu_idev *idevs[MAX_IDEVS];
	unsigned int nidevs;
	struct file *file;
	struct xiommu_ictx *ictx;
	struct file *file2;
	struct xiommu_ictx *ictx2;
	atomic_t ext_destroyed[4];
	int module_refs;
	struct tracked table[MAX_TRACK];
	unsigned int ntable;
};

static void ext_destroy(void *priv)
{
	atomic_inc(priv);
}

static const struct xiommu_ext_obj_ops ext_ops = {
	.owner = THIS_MODULE,
	.destroy = ext_destroy,
};

/* Another owner's ops: its lookups must not find ext_ops objects. */
static const struct xiommu_ext_obj_ops ext_ops_other = {
	.owner = THIS_MODULE,
	.destroy = ext_destroy,
};

static int obj_suite_init(struct kunit_suite *suite)
{
	return kfake_bus_init();
}

static int obj_test_init(struct kunit *test)
{
	struct obj_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	static const char * const names[] = { "kunit-obj0", "kunit-obj1" };
	unsigned int i;
	int rc;

	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	atomic_set(&kfake_violations, 0);
	ctx->module_refs = module_refcount(THIS_MODULE);
	for (i = 0; i < ARRAY_SIZE(ctx->units); i++) {
		ctx->units[i].pgsize_bitmap = SZ_4K | SZ_2M;
		ctx->units[i].aperture_end = (1ULL << 39) - 1;
		rc = kfake_unit_register(&ctx->units[i], names[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* Close a file at once (the test's thread is a kernel thread). */
static void close_file(struct file **file)
{
	if (!*file)
		return;
	if (current->flags & PF_KTHREAD)
		__fput_sync(*file);
	else
		fput(*file);
	*file = NULL;
}

static void put_ictx(struct xiommu_ictx **ictx)
{
	if (*ictx)
		xiommu_ictx_put(*ictx);
	*ictx = NULL;
}

static void obj_test_exit(struct kunit *test)
{
	struct obj_ctx *ctx = test->priv;
	unsigned int i;

	while (ctx->nidevs)
		xiommu_idev_unbind(ctx->idevs[--ctx->nidevs]);
	close_file(&ctx->file);
	put_ictx(&ctx->ictx);
	close_file(&ctx->file2);
	put_ictx(&ctx->ictx2);
	while (ctx->ndevs)
		kfake_dev_remove(ctx->devs[--ctx->ndevs]);
	for (i = 0; i < ARRAY_SIZE(ctx->units); i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->units[i].domains_alive),
				0);
		kfake_unit_unregister(&ctx->units[i]);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&kfake_violations), 0);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), ctx->module_refs);
}

static struct xiommu_ictx *open_ictx(struct kunit *test, struct file **file)
{
	struct xiommu_ictx *ictx;

	*file = filp_open("/dev/iommu", O_RDWR, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(*file),
			       "cannot open /dev/iommu (%ld): devtmpfs?",
			       PTR_ERR(*file));
	ictx = xiommu_ictx_from_file(*file);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ictx);
	return ictx;
}

static void open_ctx(struct kunit *test)
{
	struct obj_ctx *ctx = test->priv;

	ctx->ictx = open_ictx(test, &ctx->file);
}

/* ------------------------------------------------------------------------
 * The expected object table
 */
static void track(struct kunit *test, u32 id, enum xiommu_obj_type type)
{
	struct obj_ctx *ctx = test->priv;
	unsigned int i;

	/* IDs are reused: a new object replaces a dead one's entry. */
	for (i = 0; i < ctx->ntable; i++) {
		if (ctx->table[i].id == id) {
			KUNIT_ASSERT_FALSE(test, ctx->table[i].alive);
			ctx->table[i] = (struct tracked){ id, type, true };
			return;
		}
	}
	KUNIT_ASSERT_LT(test, ctx->ntable, (unsigned int)MAX_TRACK);
	ctx->table[ctx->ntable++] = (struct tracked){ id, type, true };
}

static void gone(struct kunit *test, u32 id)
{
	struct obj_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < ctx->ntable; i++)
		if (ctx->table[i].id == id)
			ctx->table[i].alive = false;
}

static void check_table(struct kunit *test)
{
	struct obj_ctx *ctx = test->priv;
	struct xiommu_object *obj;
	unsigned int i;

	for (i = 0; i < ctx->ntable; i++) {
		struct tracked *t = &ctx->table[i];
		enum xiommu_obj_type other = t->type == XIOMMU_OBJ_IOAS ?
					     XIOMMU_OBJ_HWPT : XIOMMU_OBJ_IOAS;

		if (!t->alive) {
			obj = xiommu_get_object(ctx->ictx, t->id,
						XIOMMU_OBJ_ANY);
			KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(obj), -ENOENT,
					    "object %u should be gone", t->id);
			if (!IS_ERR(obj))
				xiommu_put_object(ctx->ictx, obj);
			continue;
		}
		obj = xiommu_get_object(ctx->ictx, t->id, t->type);
		KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(obj),
				       "object %u (type %d) missing", t->id,
				       t->type);
		if (IS_ERR(obj))
			continue;
		KUNIT_EXPECT_EQ(test, obj->type, t->type);
		xiommu_put_object(ctx->ictx, obj);
		/* The wrong type finds nothing. */
		obj = xiommu_get_object(ctx->ictx, t->id, other);
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(obj), -ENOENT);
		if (!IS_ERR(obj))
			xiommu_put_object(ctx->ictx, obj);
	}
}

/* ------------------------------------------------------------------------
 * Making objects
 */

/* Reserve an IOAS the way IOMMU_IOAS_ALLOC does; not yet visible. */
static struct xiommu_ioas *ioas_alloc(struct kunit *test,
				      struct xiommu_ictx *ictx)
{
	struct xiommu_ioas *ioas;

	ioas = xiommu_object_alloc(ictx, ioas, XIOMMU_OBJ_IOAS);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ioas);
	xiommu_iopt_init(&ioas->iopt);
	mutex_init(&ioas->mutex);
	INIT_LIST_HEAD(&ioas->hwpt_list);
	return ioas;
}

static u32 new_ioas(struct kunit *test)
{
	struct obj_ctx *ctx = test->priv;
	struct xiommu_ioas *ioas = ioas_alloc(test, ctx->ictx);
	u32 id = ioas->obj.id;

	xiommu_object_finalize(ctx->ictx, &ioas->obj);
	track(test, id, XIOMMU_OBJ_IOAS);
	return id;
}

static u32 new_ext(struct kunit *test, unsigned int counter)
{
	struct obj_ctx *ctx = test->priv;
	struct xiommu_ext_obj *ext;
	u32 id;

	ext = xiommu_ext_obj_alloc(ctx->ictx, &ext_ops,
				   &ctx->ext_destroyed[counter], &id);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ext);
	xiommu_ext_obj_finalize(ctx->ictx, ext);
	track(test, id, XIOMMU_OBJ_EXT);
	return id;
}

static struct kfake_dev *add_dev(struct kunit *test, unsigned int unit,
				 struct kfake_dev *group_with,
				 unsigned long caps)
{
	struct obj_ctx *ctx = test->priv;
	struct kfake_dev *fdev;

	KUNIT_ASSERT_LT(test, ctx->ndevs, (unsigned int)MAX_DEVS);
	fdev = kfake_dev_add(&ctx->units[unit], group_with, caps);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fdev);
	ctx->devs[ctx->ndevs++] = fdev;
	return fdev;
}

static struct xiommu_idev *bind(struct kunit *test, struct kfake_dev *fdev,
				u32 *id)
{
	struct obj_ctx *ctx = test->priv;
	struct xiommu_idev *idev;

	KUNIT_ASSERT_LT(test, ctx->nidevs, (unsigned int)MAX_IDEVS);
	idev = xiommu_idev_bind(ctx->ictx, &fdev->dev, id);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, idev);
	ctx->idevs[ctx->nidevs++] = idev;
	track(test, *id, XIOMMU_OBJ_DEVICE);
	return idev;
}

static void unbind(struct kunit *test, struct xiommu_idev *idev, u32 id)
{
	struct obj_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < ctx->nidevs; i++) {
		if (ctx->idevs[i] == idev) {
			ctx->idevs[i] = ctx->idevs[--ctx->nidevs];
			xiommu_idev_unbind(idev);
			gone(test, id);
			return;
		}
	}
	KUNIT_FAIL(test, "the device is not bound");
}

/* An explicit HWPT (as IOMMU_HWPT_ALLOC makes it) on @ioas_id for @idev. */
static u32 new_hwpt(struct kunit *test, u32 ioas_id, struct xiommu_idev *idev,
		    struct xiommu_domain **domain)
{
	struct obj_ctx *ctx = test->priv;
	struct xiommu_ioas *ioas;
	struct xiommu_hwpt *hwpt;
	u32 id = 0;

	ioas = xiommu_get_ioas(ctx->ictx, ioas_id);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ioas);
	mutex_lock(&ioas->mutex);
	hwpt = xiommu_hwpt_alloc(ctx->ictx, ioas, idev, 0, false);
	if (!IS_ERR(hwpt)) {
		id = hwpt->obj.id;
		if (domain)
			*domain = hwpt->domain;
		xiommu_object_finalize(ctx->ictx, &hwpt->obj);
	}
	mutex_unlock(&ioas->mutex);
	xiommu_put_object(ctx->ictx, &ioas->obj);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, hwpt);
	track(test, id, XIOMMU_OBJ_HWPT);
	return id;
}

/* The domain of an HWPT, looked up by ID. */
static struct xiommu_domain *hwpt_domain(struct kunit *test, u32 id)
{
	struct obj_ctx *ctx = test->priv;
	struct xiommu_domain *domain;
	struct xiommu_object *obj;

	obj = xiommu_get_object(ctx->ictx, id, XIOMMU_OBJ_HWPT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	domain = container_of(obj, struct xiommu_hwpt, obj)->domain;
	xiommu_put_object(ctx->ictx, obj);
	return domain;
}

static int destroy(struct kunit *test, u32 id)
{
	struct obj_ctx *ctx = test->priv;

	return xiommu_object_remove(ctx->ictx, NULL, id, 0);
}

/* ------------------------------------------------------------------------
 * Tests
 */
static void obj_test_two_step(struct kunit *test)
{
	struct obj_ctx *ctx = test->priv;
	struct xiommu_object *obj;
	struct xiommu_ioas *ioas;
	struct xiommu_ext_obj *ext;
	u32 ioas_id, ext_id, id;

	open_ctx(test);

	/* Reserved but not finalized: nobody can see or destroy it. */
	ioas = ioas_alloc(test, ctx->ictx);
	ioas_id = ioas->obj.id;
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(xiommu_get_object(ctx->ictx,
								ioas_id,
								XIOMMU_OBJ_ANY)),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, destroy(test, ioas_id), -ENOENT);
	xiommu_object_finalize(ctx->ictx, &ioas->obj);
	track(test, ioas_id, XIOMMU_OBJ_IOAS);
	check_table(test);

	/* An aborted external object never runs its destroy. */
	ext = xiommu_ext_obj_alloc(ctx->ictx, &ext_ops, &ctx->ext_destroyed[0],
				   &ext_id);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ext);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE),
			ctx->module_refs + 1);
	KUNIT_EXPECT_TRUE(test, IS_ERR(xiommu_ext_obj_get(ctx->ictx, ext_id,
							  &ext_ops)));
	xiommu_ext_obj_abort(ctx->ictx, ext);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ext_destroyed[0]), 0);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), ctx->module_refs);

	/* A finalized one: in use it cannot go, then it goes exactly once. */
	id = new_ext(test, 1);
	KUNIT_EXPECT_PTR_EQ(test, xiommu_ext_obj_get(ctx->ictx, id, &ext_ops),
			    (void *)&ctx->ext_destroyed[1]);
	KUNIT_EXPECT_TRUE(test, IS_ERR(xiommu_ext_obj_get(ctx->ictx, id,
							  &ext_ops_other)));
	KUNIT_EXPECT_EQ(test, destroy(test, id), -EBUSY);
	check_table(test);
	xiommu_ext_obj_put(ctx->ictx, id);
	KUNIT_EXPECT_EQ(test, destroy(test, id), 0);
	gone(test, id);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ext_destroyed[1]), 1);
	KUNIT_EXPECT_EQ(test, destroy(test, id), -ENOENT);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ext_destroyed[1]), 1);

	/* An operation in flight keeps an IOAS from being destroyed. */
	obj = xiommu_get_object(ctx->ictx, ioas_id, XIOMMU_OBJ_IOAS);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	KUNIT_EXPECT_EQ(test, destroy(test, ioas_id), -EBUSY);
	xiommu_put_object(ctx->ictx, obj);
	check_table(test);
	KUNIT_EXPECT_EQ(test, destroy(test, ioas_id), 0);
	gone(test, ioas_id);

	/* IDs that never were. */
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(xiommu_get_object(ctx->ictx, 0,
								XIOMMU_OBJ_ANY)),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, destroy(test, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, destroy(test, 0x7fffffff), -ENOENT);
	check_table(test);
}

static void obj_test_destroy_with_users(struct kunit *test)
{
	struct obj_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0];
	struct kfake_dev *a = add_dev(test, 0, NULL, KFAKE_CAPS_BINDABLE);
	struct xiommu_idev *idev;
	u32 ioas_id, idev_id, hwpt_id, ext_id;

	open_ctx(test);
	ioas_id = new_ioas(test);
	ext_id = new_ext(test, 0);
	idev = bind(test, a, &idev_id);
	KUNIT_EXPECT_PTR_EQ(test, a->domain, &u0->blocked);

	/* Attach to the IOAS: an automatic HWPT appears. */
	hwpt_id = ioas_id;
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(idev, &hwpt_id), 0);
	KUNIT_EXPECT_NE(test, hwpt_id, ioas_id);
	track(test, hwpt_id, XIOMMU_OBJ_HWPT);
	KUNIT_EXPECT_PTR_EQ(test, a->domain, hwpt_domain(test, hwpt_id));
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 1);
	check_table(test);

	/* Every object with a user stays. */
	KUNIT_EXPECT_EQ(test, destroy(test, ioas_id), -EBUSY);
	KUNIT_EXPECT_EQ(test, destroy(test, hwpt_id), -EBUSY);
	KUNIT_EXPECT_EQ(test, destroy(test, idev_id), -EBUSY);
	check_table(test);

	/* Detach: the automatic HWPT goes with its last device. */
	xiommu_idev_detach(idev);
	gone(test, hwpt_id);
	KUNIT_EXPECT_PTR_EQ(test, a->domain, &u0->blocked);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 0);
	check_table(test);
	/* A bound device is the binding driver's to end. */
	KUNIT_EXPECT_EQ(test, destroy(test, idev_id), -EBUSY);
	KUNIT_EXPECT_EQ(test, destroy(test, ioas_id), 0);
	gone(test, ioas_id);
	KUNIT_EXPECT_EQ(test, destroy(test, ext_id), 0);
	gone(test, ext_id);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ext_destroyed[0]), 1);
	check_table(test);

	unbind(test, idev, idev_id);
	KUNIT_EXPECT_PTR_EQ(test, a->domain, &u0->identity);
	check_table(test);
}

/* Domains and devices of different units never meet. */
static void obj_test_owner_check(struct kunit *test)
{
	struct obj_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0];
	struct kfake_dev *a = add_dev(test, 0, NULL, KFAKE_CAPS_BINDABLE);
	struct kfake_dev *b = add_dev(test, 0, NULL, KFAKE_CAPS_BINDABLE);
	struct kfake_dev *x = add_dev(test, 1, NULL, KFAKE_CAPS_BINDABLE);
	struct kfake_dev *c = add_dev(test, 0, NULL, KFAKE_CAPS_BINDABLE);
	struct kfake_dev *d = add_dev(test, 0, c, KFAKE_CAPS_BINDABLE);
	struct xiommu_idev *ia, *ib, *ix, *ic, *id_;
	u32 ioas_id, ida, idb, idx, idc, idd, hwpt_a, hwpt_x, hwpt_e, pt;
	struct xiommu_domain *dom_e;

	open_ctx(test);
	ioas_id = new_ioas(test);
	ia = bind(test, a, &ida);
	ib = bind(test, b, &idb);
	ix = bind(test, x, &idx);
	ic = bind(test, c, &idc);
	id_ = bind(test, d, &idd);

	hwpt_a = ioas_id;
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(ia, &hwpt_a), 0);
	track(test, hwpt_a, XIOMMU_OBJ_HWPT);
	/* Another unit's device cannot use that HWPT... */
	pt = hwpt_a;
	KUNIT_EXPECT_EQ(test, xiommu_idev_attach(ix, &pt), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, x->domain, &ctx->units[1].blocked);
	/* ... and attaching it to the IOAS makes it one of its own. */
	hwpt_x = ioas_id;
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(ix, &hwpt_x), 0);
	track(test, hwpt_x, XIOMMU_OBJ_HWPT);
	KUNIT_EXPECT_NE(test, hwpt_x, hwpt_a);
	KUNIT_EXPECT_PTR_EQ(test, hwpt_domain(test, hwpt_x)->owner,
			    &ctx->units[1].iommu);
	/* A device of the first unit reuses the first HWPT. */
	pt = ioas_id;
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(ib, &pt), 0);
	KUNIT_EXPECT_EQ(test, pt, hwpt_a);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 1);
	/* Not to the other unit's either, explicitly. */
	pt = hwpt_x;
	KUNIT_EXPECT_EQ(test, xiommu_idev_attach(ic, &pt), -EINVAL);

	/* A multi-device group: its devices share one HWPT. */
	pt = hwpt_a;
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(ic, &pt), 0);
	hwpt_e = new_hwpt(test, ioas_id, id_, &dom_e);
	pt = hwpt_e;
	KUNIT_EXPECT_EQ(test, xiommu_idev_attach(id_, &pt), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, d->domain, hwpt_domain(test, hwpt_a));
	pt = hwpt_a;
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(id_, &pt), 0);
	/* Replace moves the whole group; the same HWPT again is a no-op. */
	pt = hwpt_e;
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(ic, &pt), 0);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, dom_e);
	KUNIT_EXPECT_PTR_EQ(test, d->domain, dom_e);
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(id_, &pt), 0);
	KUNIT_EXPECT_PTR_EQ(test, d->domain, dom_e);
	/* The old HWPT still has a and b. */
	KUNIT_EXPECT_PTR_EQ(test, a->domain, hwpt_domain(test, hwpt_a));
	check_table(test);

	xiommu_idev_detach(ia);
	xiommu_idev_detach(ib);
	gone(test, hwpt_a);
	xiommu_idev_detach(ix);
	gone(test, hwpt_x);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->units[1].domains_alive), 0);
	/* One of the group leaves; the group keeps translating. */
	xiommu_idev_detach(ic);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, dom_e);
	KUNIT_EXPECT_EQ(test, destroy(test, hwpt_e), -EBUSY);
	xiommu_idev_detach(id_);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->blocked);
	KUNIT_EXPECT_PTR_EQ(test, d->domain, &u0->blocked);
	check_table(test);
	/* Explicit HWPTs stay until destroyed. */
	KUNIT_EXPECT_EQ(test, destroy(test, hwpt_e), 0);
	gone(test, hwpt_e);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 0);
	check_table(test);
}

static void obj_test_bind_rules(struct kunit *test)
{
	struct obj_ctx *ctx = test->priv;
	struct kfake_dev *a = add_dev(test, 0, NULL, KFAKE_CAPS_BINDABLE);
	struct kfake_dev *b = add_dev(test, 0, a, KFAKE_CAPS_BINDABLE);
	struct kfake_dev *n = add_dev(test, 0, NULL,
				      KFAKE_CAPS_BINDABLE &
				      ~BIT(XIOMMU_CAP_IOMMUFD));
	struct kfake_dev *nc = add_dev(test, 0, NULL,
				       KFAKE_CAPS_BINDABLE &
				       ~BIT(XIOMMU_CAP_CACHE_COHERENCY));
	struct xiommu_idev *ia, *ib;
	u32 ida, idb, id;

	open_ctx(test);
	ctx->ictx2 = open_ictx(test, &ctx->file2);

	/* Only drivers that opted in, only coherent DMA. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(xiommu_idev_bind(ctx->ictx, &n->dev,
						       &id)), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xiommu_idev_bind(ctx->ictx, &nc->dev,
						       &id)), -EINVAL);

	/* A group belongs to one context. */
	ia = bind(test, a, &ida);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xiommu_idev_bind(ctx->ictx2, &b->dev,
						       &id)), -EBUSY);
	ib = bind(test, b, &idb);
	KUNIT_EXPECT_PTR_EQ(test, a->domain, &ctx->units[0].blocked);

	/* The group is released with its last device only. */
	unbind(test, ia, ida);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &ctx->units[0].blocked);
	KUNIT_EXPECT_EQ(test, PTR_ERR(xiommu_idev_bind(ctx->ictx2, &a->dev,
						       &id)), -EBUSY);
	unbind(test, ib, idb);
	KUNIT_EXPECT_PTR_EQ(test, a->domain, &ctx->units[0].identity);
	check_table(test);
}

/*
 * Close with a graph of objects: what only the file uses goes at once,
 * leaves first; what a bound device keeps alive stays until the driver
 * unbinds and the last context reference is dropped.
 */
static void obj_test_close_graph(struct kunit *test)
{
	struct obj_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0], *u1 = &ctx->units[1];
	struct kfake_dev *a = add_dev(test, 0, NULL, KFAKE_CAPS_BINDABLE);
	struct kfake_dev *x = add_dev(test, 1, NULL, KFAKE_CAPS_BINDABLE);
	struct kfake_dev *y = add_dev(test, 1, NULL, KFAKE_CAPS_BINDABLE);
	u32 ioas1, ioas2, ida, idx, idy, hwpt_e, hwpt_f, hwpt_x, e1, e2, pt;
	struct xiommu_idev *ia, *ix, *iy;

	open_ctx(test);
	ioas1 = new_ioas(test);
	ioas2 = new_ioas(test);
	ia = bind(test, a, &ida);
	ix = bind(test, x, &idx);
	iy = bind(test, y, &idy);
	hwpt_e = new_hwpt(test, ioas1, ia, NULL);
	hwpt_f = new_hwpt(test, ioas2, ia, NULL);
	pt = hwpt_e;
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(ia, &pt), 0);
	hwpt_x = ioas2;
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(ix, &hwpt_x), 0);
	track(test, hwpt_x, XIOMMU_OBJ_HWPT);
	e1 = new_ext(test, 0);
	e2 = new_ext(test, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 2);
	check_table(test);

	close_file(&ctx->file);
	/* Gone: the external objects and the HWPT no device used. */
	gone(test, e1);
	gone(test, e2);
	gone(test, hwpt_f);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ext_destroyed[0]), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ext_destroyed[1]), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&u1->domains_alive), 1);
	check_table(test);
	/* The devices still translate through their HWPTs. */
	KUNIT_EXPECT_PTR_EQ(test, a->domain, hwpt_domain(test, hwpt_e));
	KUNIT_EXPECT_PTR_EQ(test, x->domain, hwpt_domain(test, hwpt_x));
	/* A closed context takes no new device. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(xiommu_idev_bind(ctx->ictx, &y->dev,
						       &pt)), -EBADF);

	/* Unbinding ends what the devices kept alive. */
	unbind(test, ix, idx);
	gone(test, hwpt_x);
	KUNIT_EXPECT_EQ(test, atomic_read(&u1->domains_alive), 0);
	KUNIT_EXPECT_PTR_EQ(test, x->domain, &u1->identity);
	unbind(test, iy, idy);
	unbind(test, ia, ida);
	KUNIT_EXPECT_PTR_EQ(test, a->domain, &u0->identity);
	check_table(test);
	/* Nothing uses them any more; they go with the last reference. */
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 1);
	put_ictx(&ctx->ictx);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 0);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), ctx->module_refs);
	/* ioas1, ioas2 and hwpt_e went with the context: no WARN fired. */
	(void)ioas1;
}

/* The last context reference can be a bound device's: unbind frees all. */
static void obj_test_close_then_unbind(struct kunit *test)
{
	struct obj_ctx *ctx = test->priv;
	struct kfake_unit *u0 = &ctx->units[0];
	struct kfake_dev *b = add_dev(test, 0, NULL, KFAKE_CAPS_BINDABLE);
	struct kfake_dev *c = add_dev(test, 0, b, KFAKE_CAPS_BINDABLE);
	struct xiommu_idev *ib, *ic;
	u32 ioas, idb, idc, pt;

	open_ctx(test);
	ioas = new_ioas(test);
	ib = bind(test, b, &idb);
	ic = bind(test, c, &idc);
	pt = ioas;
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(ib, &pt), 0);
	KUNIT_ASSERT_EQ(test, xiommu_idev_attach(ic, &pt), 0);
	new_ext(test, 0);

	close_file(&ctx->file);
	put_ictx(&ctx->ictx);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->ext_destroyed[0]), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 1);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, b->domain);

	/* The first unbind keeps the group on the HWPT... */
	ctx->ntable = 0;
	unbind(test, ib, idb);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 1);
	KUNIT_EXPECT_PTR_NE(test, c->domain, &u0->identity);
	/* ... the last frees the HWPT, the IOAS and the context. */
	unbind(test, ic, idc);
	KUNIT_EXPECT_EQ(test, atomic_read(&u0->domains_alive), 0);
	KUNIT_EXPECT_PTR_EQ(test, b->domain, &u0->identity);
	KUNIT_EXPECT_PTR_EQ(test, c->domain, &u0->identity);
}

static struct kunit_case obj_test_cases[] = {
	KUNIT_CASE(obj_test_two_step),
	KUNIT_CASE(obj_test_destroy_with_users),
	KUNIT_CASE(obj_test_owner_check),
	KUNIT_CASE(obj_test_bind_rules),
	KUNIT_CASE(obj_test_close_graph),
	KUNIT_CASE(obj_test_close_then_unbind),
	{}
};

static struct kunit_suite obj_test_suite = {
	.name = "xiommu_object",
	.suite_init = obj_suite_init,
	.init = obj_test_init,
	.exit = obj_test_exit,
	.test_cases = obj_test_cases,
};
kunit_test_suite(obj_test_suite);
