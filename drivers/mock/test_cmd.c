// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_TEST_CMD: the test ioctl of /dev/iommu (ABI in
 * include/uapi/xiommu/iommufd_test.h, upstream v6.6 compatible).
 *
 * The core forwards the ioctl here with the iommufd context; each op is
 * built only from the consumer API (include/xiommu/xiommu.h), so the test
 * ioctl exercises the same paths a vfio-style driver uses.
 *
 * Selftest device objects ("stdev", IOMMU_TEST_OP_MOCK_DOMAIN) are
 * external objects of the context: a mock device bound and attached to the
 * context. IOMMU_DESTROY of the stdev id, or closing the iommufd, detaches,
 * unbinds and deletes the device. The core pins this module while any
 * exists, so the module cannot go away under one.
 */
#define pr_fmt(fmt) "xiommu_mock: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <xiommu/xiommu.h>

#include "mock.h"

/**
 * struct mock_stdev - a selftest device object
 * @mdev: the mock device
 * @idev: its binding to the iommufd context
 *
 * Written once at creation; the core serialises destroy against
 * xiommu_ext_obj_get() users.
 */
struct mock_stdev {
	struct mock_dev *mdev;
	struct xiommu_idev *idev;
};

static void mock_stdev_destroy(void *priv)
{
	struct mock_stdev *stdev = priv;

	xiommu_idev_detach(stdev->idev);
	xiommu_idev_unbind(stdev->idev);
	mock_dev_destroy(stdev->mdev);
	kfree(stdev);
}

static const struct xiommu_ext_obj_ops mock_stdev_ops = {
	.owner = THIS_MODULE,
	.destroy = mock_stdev_destroy,
};

/* Copy the reply back: as many bytes as user space gave, at most ours. */
static int mock_respond(void __user *uarg, u32 usize,
			const struct iommu_test_cmd *cmd)
{
	if (copy_to_user(uarg, cmd, min_t(size_t, usize, sizeof(*cmd))))
		return -EFAULT;
	return 0;
}

static int mock_test_mock_domain(struct xiommu_ictx *ictx,
				 struct iommu_test_cmd *cmd,
				 void __user *uarg, u32 usize)
{
	struct mock_stdev *stdev;
	struct xiommu_idev *idev;
	u32 pt_id = cmd->id;
	u32 stdev_id;
	u32 idev_id;
	int rc;

	/*
	 * The stdev object is visible as soon as it exists, so check first
	 * that the reply can be written: then only a concurrent munmap can
	 * make the final copy fail, and the object is still destroyed when
	 * the context is closed.
	 */
	rc = mock_respond(uarg, usize, cmd);
	if (rc)
		return rc;

	stdev = kzalloc(sizeof(*stdev), GFP_KERNEL_ACCOUNT);
	if (!stdev)
		return -ENOMEM;

	stdev->mdev = mock_dev_create(mock_default_unit());
	if (IS_ERR(stdev->mdev)) {
		rc = PTR_ERR(stdev->mdev);
		goto err_free;
	}

	idev = xiommu_idev_bind(ictx, &stdev->mdev->dev, &idev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto err_destroy_dev;
	}
	stdev->idev = idev;

	rc = xiommu_idev_attach(idev, &pt_id);
	if (rc)
		goto err_unbind;

	rc = xiommu_ext_obj_alloc(ictx, &mock_stdev_ops, stdev, &stdev_id);
	if (rc)
		goto err_detach;

	cmd->mock_domain.out_stdev_id = stdev_id;
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_idev_id = idev_id;
	return mock_respond(uarg, usize, cmd);

err_detach:
	xiommu_idev_detach(idev);
err_unbind:
	xiommu_idev_unbind(idev);
err_destroy_dev:
	mock_dev_destroy(stdev->mdev);
err_free:
	kfree(stdev);
	return rc;
}

static int mock_test_mock_domain_replace(struct xiommu_ictx *ictx,
					 struct iommu_test_cmd *cmd,
					 void __user *uarg, u32 usize)
{
	struct mock_stdev *stdev;
	u32 pt_id = cmd->mock_domain_replace.pt_id;
	int rc;

	stdev = xiommu_ext_obj_get(ictx, cmd->id, &mock_stdev_ops);
	if (IS_ERR_OR_NULL(stdev))
		return stdev ? PTR_ERR(stdev) : -ENOENT;

	rc = xiommu_idev_attach(stdev->idev, &pt_id);
	xiommu_ext_obj_put(ictx, cmd->id);
	if (rc)
		return rc;
	cmd->mock_domain_replace.pt_id = pt_id;
	return mock_respond(uarg, usize, cmd);
}

/* Physical address backing user address @uptr, or a negative errno. */
static int mock_user_phys(unsigned long uptr, phys_addr_t *pa)
{
	struct page *page;
	int rc;

	rc = get_user_pages_fast(uptr & PAGE_MASK, 1, 0, &page);
	if (rc < 0)
		return rc;
	if (rc != 1)
		return -EFAULT;
	*pa = page_to_phys(page) + (uptr & ~PAGE_MASK);
	put_page(page);
	return 0;
}

/*
 * Check that each IO page of [iova, iova + length) in mock paging HWPT @id
 * maps the memory behind the user address at the same offset from uptr.
 */
static int mock_test_check_map(struct xiommu_ictx *ictx, u32 id, u64 iova,
			       u64 length, u64 uptr)
{
	struct xiommu_domain *domain;
	struct mock_domain *md;
	u64 end;
	int rc = 0;

	if (iova % MOCK_IO_PAGE_SIZE || length % MOCK_IO_PAGE_SIZE ||
	    uptr % MOCK_IO_PAGE_SIZE || check_add_overflow(uptr, length, &end))
		return -EINVAL;

	domain = xiommu_hwpt_domain_get(ictx, id);
	if (IS_ERR_OR_NULL(domain))
		return domain ? PTR_ERR(domain) : -ENOENT;
	md = to_mock_paging(domain);
	if (!md) {
		rc = -EINVAL;
		goto out_put;
	}

	for (; length; length -= MOCK_IO_PAGE_SIZE) {
		phys_addr_t pa;
		void *entry;

		rc = mock_user_phys(uptr, &pa);
		if (rc)
			goto out_put;
		entry = xa_load(&md->ptes, iova / MOCK_IO_PAGE_SIZE);
		if (!entry || mock_pte_phys(xa_to_value(entry)) != pa) {
			rc = -EINVAL;
			goto out_put;
		}
		iova += MOCK_IO_PAGE_SIZE;
		uptr += MOCK_IO_PAGE_SIZE;
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			goto out_put;
		}
		cond_resched();
	}

out_put:
	xiommu_hwpt_domain_put(ictx, id);
	return rc;
}

/*
 * Check that every non-compound page of [uptr, uptr + length) is pinned
 * @refs times. pin_user_pages() adds GUP_PIN_COUNTING_BIAS per pin to a
 * small page's refcount; plain references stay far below it.
 */
static int mock_test_check_refs(u64 uptr, u64 length, u32 refs)
{
	u64 end;

	if (length % PAGE_SIZE || uptr % PAGE_SIZE ||
	    check_add_overflow(uptr, length, &end))
		return -EINVAL;

	for (; length; length -= PAGE_SIZE, uptr += PAGE_SIZE) {
		struct page *page;
		int rc;

		rc = get_user_pages_fast(uptr, 1, 0, &page);
		if (rc < 0)
			return rc;
		if (rc != 1)
			return -EFAULT;
		rc = 0;
		if (!PageCompound(page) &&
		    page_ref_count(page) / GUP_PIN_COUNTING_BIAS != refs)
			rc = -EIO;
		put_page(page);
		if (rc)
			return rc;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

static int mock_test_cmd(struct xiommu_ictx *ictx, void __user *uarg,
			 u32 usize)
{
	struct iommu_test_cmd cmd;
	int rc;

	if (usize < offsetofend(struct iommu_test_cmd, last))
		return -EINVAL;
	rc = copy_struct_from_user(&cmd, sizeof(cmd), uarg, usize);
	if (rc)
		return rc;
	if (cmd.__reserved)
		return -EOPNOTSUPP;

	switch (cmd.op) {
	case IOMMU_TEST_OP_MOCK_DOMAIN:
		return mock_test_mock_domain(ictx, &cmd, uarg, usize);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return mock_test_mock_domain_replace(ictx, &cmd, uarg, usize);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return mock_test_check_map(ictx, cmd.id, cmd.check_map.iova,
					   cmd.check_map.length,
					   cmd.check_map.uptr);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return mock_test_check_refs(cmd.check_refs.uptr,
					    cmd.check_refs.length,
					    cmd.check_refs.refs);
	case IOMMU_TEST_OP_ADD_RESERVED:
		return xiommu_test_add_reserved(ictx, cmd.id,
						cmd.add_reserved.start,
						cmd.add_reserved.length);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* Needs a core hook to bound the pinning batch memory. */
	default:
		return -EOPNOTSUPP;
	}
}

static const struct xiommu_test_ops mock_test_ops = {
	.owner = THIS_MODULE,
	.cmd = mock_test_cmd,
};

int mock_test_init(void)
{
	return xiommu_test_register(&mock_test_ops);
}

void mock_test_exit(void)
{
	xiommu_test_unregister(&mock_test_ops);
}
