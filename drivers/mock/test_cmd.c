// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU_TEST_CMD: the test ioctl of /dev/iommu (ABI in
 * include/uapi/xiommu/iommufd_test.h, upstream compatible).
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

#include <linux/anon_inodes.h>
#include <linux/file.h>
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
 * @idev: its binding to the iommufd context, or NULL (an idle member made
 *	with XIOMMU_MOCK_DEVICE_NO_BIND)
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

	if (stdev->idev) {
		xiommu_idev_detach(stdev->idev);
		xiommu_idev_unbind(stdev->idev);
	}
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

/**
 * struct mock_new_dev - what a selftest device object is made of
 * @unit: the unit translating the device
 * @group_peer: stdev whose group the device joins, or NULL
 * @flags: XIOMMU_MOCK_DEVICE_*
 * @dev_flags: MOCK_FLAGS_DEVICE_* of the new device
 * @pt_id: in: IOAS or HWPT to attach to; out: the HWPT attached to
 * @stdev_id: out: the selftest device object
 * @idev_id: out: the device object (0 without bind)
 */
struct mock_new_dev {
	struct mock_unit *unit;
	struct mock_stdev *group_peer;
	u32 flags;
	u32 dev_flags;
	u32 pt_id;
	u32 stdev_id;
	u32 idev_id;
};

/*
 * Create a mock device, bind it and attach it as @nd says, as an external
 * object that stays invisible: the caller writes the reply, then finalizes
 * (or aborts with mock_stdev_abort()).
 */
static struct xiommu_ext_obj *mock_stdev_create(struct xiommu_ictx *ictx,
						struct mock_new_dev *nd,
						struct mock_stdev **out)
{
	struct xiommu_ext_obj *ext;
	struct mock_stdev *stdev;
	struct xiommu_idev *idev;
	int rc;

	stdev = kzalloc(sizeof(*stdev), GFP_KERNEL_ACCOUNT);
	if (!stdev)
		return ERR_PTR(-ENOMEM);

	/* Invisible until the reply is written: nothing to undo for it. */
	ext = xiommu_ext_obj_alloc(ictx, &mock_stdev_ops, stdev, &nd->stdev_id);
	if (IS_ERR(ext)) {
		rc = PTR_ERR(ext);
		goto err_free;
	}

	stdev->mdev = mock_dev_create(nd->unit, nd->group_peer ?
							nd->group_peer->mdev :
							NULL, nd->dev_flags);
	if (IS_ERR(stdev->mdev)) {
		rc = PTR_ERR(stdev->mdev);
		goto err_abort;
	}
	if (nd->flags & XIOMMU_MOCK_DEVICE_NO_BIND)
		goto out;

	idev = xiommu_idev_bind(ictx, &stdev->mdev->dev, &nd->idev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto err_destroy_dev;
	}
	stdev->idev = idev;
	if (nd->flags & XIOMMU_MOCK_DEVICE_NO_ATTACH)
		goto out;

	rc = xiommu_idev_attach(idev, &nd->pt_id);
	if (rc)
		goto err_unbind;
out:
	*out = stdev;
	return ext;

err_unbind:
	xiommu_idev_unbind(idev);
err_destroy_dev:
	mock_dev_destroy(stdev->mdev);
err_abort:
	xiommu_ext_obj_abort(ictx, ext);
err_free:
	kfree(stdev);
	return ERR_PTR(rc);
}

/* Undo mock_stdev_create() when the reply could not be written. */
static void mock_stdev_abort(struct xiommu_ictx *ictx,
			     struct xiommu_ext_obj *ext,
			     struct mock_stdev *stdev)
{
	if (stdev->idev) {
		xiommu_idev_detach(stdev->idev);
		xiommu_idev_unbind(stdev->idev);
	}
	mock_dev_destroy(stdev->mdev);
	xiommu_ext_obj_abort(ictx, ext);
	kfree(stdev);
}

static int mock_test_mock_domain(struct xiommu_ictx *ictx,
				 struct iommu_test_cmd *cmd,
				 void __user *uarg, u32 usize)
{
	struct mock_new_dev nd = {
		.unit = mock_default_unit(),
		.pt_id = cmd->id,
	};
	struct xiommu_ext_obj *ext;
	struct mock_stdev *stdev;
	int rc;

	/* MOCK_DOMAIN_FLAGS: the same with device flags (upstream: EINVAL) */
	if (cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS) {
		nd.dev_flags = cmd->mock_domain_flags.dev_flags;
		if (nd.dev_flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY |
				     MOCK_FLAGS_DEVICE_HUGE_IOVA |
				     MOCK_FLAGS_DEVICE_PASID))
			return -EINVAL;
	}

	ext = mock_stdev_create(ictx, &nd, &stdev);
	if (IS_ERR(ext))
		return PTR_ERR(ext);

	cmd->mock_domain.out_stdev_id = nd.stdev_id;
	cmd->mock_domain.out_hwpt_id = nd.pt_id;
	cmd->mock_domain.out_idev_id = nd.idev_id;
	rc = mock_respond(uarg, usize, cmd);
	if (rc) {
		mock_stdev_abort(ictx, ext, stdev);
		return rc;
	}
	xiommu_ext_obj_finalize(ictx, ext);
	return 0;
}

static int mock_test_mock_device(struct xiommu_ictx *ictx,
				 struct iommu_test_cmd *cmd,
				 void __user *uarg, u32 usize)
{
	u32 group_id = cmd->mock_device.group_stdev_id;
	struct mock_new_dev nd = {
		.unit = mock_unit_get(cmd->mock_device.unit),
		.flags = cmd->mock_device.flags,
		.pt_id = cmd->id,
	};
	struct xiommu_ext_obj *ext;
	struct mock_stdev *stdev;
	int rc;

	if (nd.flags & ~(XIOMMU_MOCK_DEVICE_NO_BIND |
			 XIOMMU_MOCK_DEVICE_NO_ATTACH |
			 XIOMMU_MOCK_DEVICE_PASID))
		return -EOPNOTSUPP;
	if (nd.flags & XIOMMU_MOCK_DEVICE_PASID)
		nd.dev_flags = MOCK_FLAGS_DEVICE_PASID;
	if (!nd.unit)
		return -EINVAL;
	if (group_id) {
		nd.group_peer = xiommu_ext_obj_get(ictx, group_id,
						   &mock_stdev_ops);
		if (IS_ERR(nd.group_peer))
			return PTR_ERR(nd.group_peer);
	}

	ext = mock_stdev_create(ictx, &nd, &stdev);
	if (group_id)
		xiommu_ext_obj_put(ictx, group_id);
	if (IS_ERR(ext))
		return PTR_ERR(ext);

	cmd->mock_device.out_stdev_id = nd.stdev_id;
	cmd->mock_device.out_hwpt_id =
		nd.flags & (XIOMMU_MOCK_DEVICE_NO_BIND |
			    XIOMMU_MOCK_DEVICE_NO_ATTACH) ? 0 : nd.pt_id;
	cmd->mock_device.out_idev_id = nd.idev_id;
	rc = mock_respond(uarg, usize, cmd);
	if (rc) {
		mock_stdev_abort(ictx, ext, stdev);
		return rc;
	}
	xiommu_ext_obj_finalize(ictx, ext);
	return 0;
}

static int mock_test_mock_driver(struct xiommu_ictx *ictx, u32 stdev_id,
				 u32 bind)
{
	struct mock_stdev *stdev;
	int rc;

	if (bind > 1)
		return -EINVAL;
	stdev = xiommu_ext_obj_get(ictx, stdev_id, &mock_stdev_ops);
	if (IS_ERR(stdev))
		return PTR_ERR(stdev);
	rc = mock_dev_bind_driver(stdev->mdev, bind);
	xiommu_ext_obj_put(ictx, stdev_id);
	return rc;
}

static int mock_test_mock_detach(struct xiommu_ictx *ictx, u32 stdev_id)
{
	struct mock_stdev *stdev;
	int rc = 0;

	stdev = xiommu_ext_obj_get(ictx, stdev_id, &mock_stdev_ops);
	if (IS_ERR(stdev))
		return PTR_ERR(stdev);
	if (stdev->idev)
		xiommu_idev_detach(stdev->idev);
	else
		rc = -EINVAL;
	xiommu_ext_obj_put(ictx, stdev_id);
	return rc;
}

static int mock_test_check_domain(struct xiommu_ictx *ictx, u32 stdev_id,
				  u32 hwpt_id)
{
	struct xiommu_domain *domain, *want;
	struct mock_stdev *stdev;
	int rc = 0;

	stdev = xiommu_ext_obj_get(ictx, stdev_id, &mock_stdev_ops);
	if (IS_ERR(stdev))
		return PTR_ERR(stdev);
	domain = READ_ONCE(stdev->mdev->domain);
	switch (hwpt_id) {
	case XIOMMU_MOCK_DOMAIN_BLOCKED:
		if (domain != &stdev->mdev->unit->blocked)
			rc = -EINVAL;
		break;
	case XIOMMU_MOCK_DOMAIN_IDENTITY:
		if (domain != &stdev->mdev->unit->identity)
			rc = -EINVAL;
		break;
	default:
		want = xiommu_hwpt_domain_get(ictx, hwpt_id);
		if (PTR_ERR_OR_ZERO(want) == -ENOENT)
			want = xiommu_hwpt_nested_domain_get(ictx, hwpt_id);
		if (IS_ERR(want)) {
			rc = PTR_ERR(want);
			break;
		}
		if (domain != want)
			rc = -EINVAL;
		xiommu_hwpt_domain_put(ictx, hwpt_id);
		break;
	}
	xiommu_ext_obj_put(ictx, stdev_id);
	return rc;
}

static int mock_test_md_iopte(struct xiommu_ictx *ictx,
			      struct iommu_test_cmd *cmd, void __user *uarg,
			      u32 usize)
{
	struct xiommu_domain *domain;
	struct mock_domain *md;
	void *entry;
	int rc = 0;

	domain = xiommu_hwpt_domain_get(ictx, cmd->id);
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	md = to_mock_paging(domain);
	if (!md) {
		rc = -EINVAL;
		goto out_put;
	}
	entry = cmd->md_iopte.iova > ULONG_MAX ? NULL :
		xa_load(&md->ptes, cmd->md_iopte.iova / MOCK_IO_PAGE_SIZE);
	if (!entry) {
		rc = -ENOENT;
		goto out_put;
	}
	cmd->md_iopte.out_pgsize = MOCK_IO_PAGE_SIZE <<
		FIELD_GET(MOCK_PTE_ORDER, xa_to_value(entry));
	rc = mock_respond(uarg, usize, cmd);
out_put:
	xiommu_hwpt_domain_put(ictx, cmd->id);
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

	/* A device made with XIOMMU_MOCK_DEVICE_NO_BIND has no device object. */
	if (!stdev->idev)
		rc = -EINVAL;
	else
		rc = xiommu_idev_attach(stdev->idev, &pt_id);
	xiommu_ext_obj_put(ictx, cmd->id);
	if (rc)
		return rc;
	cmd->mock_domain_replace.pt_id = pt_id;
	return mock_respond(uarg, usize, cmd);
}

/*
 * IOMMU_TEST_OP_PASID_ATTACH / _REPLACE / _DETACH: the core's PASID attach
 * of selftest device @cmd->id, as a VFIO-style driver calls it.
 */
static int mock_test_pasid(struct xiommu_ictx *ictx,
			   struct iommu_test_cmd *cmd)
{
	struct mock_stdev *stdev;
	u32 pt_id;
	int rc = 0;

	stdev = xiommu_ext_obj_get(ictx, cmd->id, &mock_stdev_ops);
	if (IS_ERR(stdev))
		return PTR_ERR(stdev);
	if (!stdev->idev) {
		rc = -EINVAL;
		goto out_put;
	}
	switch (cmd->op) {
	case IOMMU_TEST_OP_PASID_ATTACH:
		pt_id = cmd->pasid_attach.pt_id;
		rc = xiommu_idev_pasid_attach(stdev->idev,
					      cmd->pasid_attach.pasid, &pt_id);
		break;
	case IOMMU_TEST_OP_PASID_REPLACE:
		pt_id = cmd->pasid_replace.pt_id;
		rc = xiommu_idev_pasid_replace(stdev->idev,
					       cmd->pasid_replace.pasid,
					       &pt_id);
		break;
	case IOMMU_TEST_OP_PASID_DETACH:
		xiommu_idev_pasid_detach(stdev->idev, cmd->pasid_detach.pasid);
		break;
	}
out_put:
	xiommu_ext_obj_put(ictx, cmd->id);
	return rc;
}

/*
 * IOMMU_TEST_OP_PASID_CHECK_HWPT: what the mock "hardware" of the device
 * translates PASID @pasid through is HWPT @hwpt_id's domain (0: nothing).
 * 0 if so, -EINVAL if not.
 */
static int mock_test_pasid_check(struct xiommu_ictx *ictx, u32 stdev_id,
				 u32 pasid, u32 hwpt_id)
{
	struct xiommu_domain *domain, *want;
	struct mock_stdev *stdev;
	int rc = 0;

	stdev = xiommu_ext_obj_get(ictx, stdev_id, &mock_stdev_ops);
	if (IS_ERR(stdev))
		return PTR_ERR(stdev);
	domain = xa_load(&stdev->mdev->pasids, pasid);
	if (!hwpt_id) {
		if (domain)
			rc = -EINVAL;
		goto out_put;
	}
	want = xiommu_hwpt_domain_get(ictx, hwpt_id);
	if (PTR_ERR_OR_ZERO(want) == -ENOENT)
		want = xiommu_hwpt_nested_domain_get(ictx, hwpt_id);
	if (IS_ERR(want)) {
		rc = PTR_ERR(want);
		goto out_put;
	}
	if (domain != want)
		rc = -EINVAL;
	xiommu_hwpt_domain_put(ictx, hwpt_id);
out_put:
	xiommu_ext_obj_put(ictx, stdev_id);
	return rc;
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

/* ---- access objects (IOMMU_TEST_OP_CREATE_ACCESS and friends) ---- */

/* Largest pin or copy one op may ask for, as upstream's selftest. */
#define MOCK_ACCESS_MAX_LENGTH	(16UL << 20)

static_assert((unsigned int)MOCK_ACCESS_RW_WRITE == XIOMMU_ACCESS_RW_WRITE);
static_assert((unsigned int)MOCK_ACCESS_RW_SLOW_PATH ==
	      __XIOMMU_ACCESS_RW_SLOW_PATH);
static_assert((unsigned int)MOCK_FLAGS_ACCESS_WRITE == XIOMMU_ACCESS_RW_WRITE);

/**
 * struct mock_staccess - a selftest access object, reached through an fd
 * @access: the core's access object (NULL until creation completed)
 * @file: the anonymous file behind the fd
 * @lock: protects @items and @next_id; held around pinning, so the unmap
 *	callback waits for a pin in progress
 * @items: struct mock_staccess_item, pins not yet undone
 * @next_id: id of the next pin
 * @pins: created with MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES
 * @keep_pins: created with XIOMMU_MOCK_ACCESS_CREATE_KEEP_PINS: the unmap
 *	callback does nothing
 */
struct mock_staccess {
	struct xiommu_access *access;
	struct file *file;
	struct mutex lock;
	struct list_head items;
	unsigned int next_id;
	bool pins;
	bool keep_pins;
};

/**
 * struct mock_staccess_item - one IOMMU_TEST_OP_ACCESS_PAGES pin
 * @node: link in mock_staccess.items
 * @iova: first IOVA pinned
 * @length: bytes pinned
 * @id: returned to user space as out_access_pages_id
 */
struct mock_staccess_item {
	struct list_head node;
	unsigned long iova;
	unsigned long length;
	unsigned int id;
};

static const struct file_operations mock_staccess_fops;

/* The access behind fd @fd; drop with fput(staccess->file). */
static struct mock_staccess *mock_staccess_get(int fd)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADFD);
	if (file->f_op != &mock_staccess_fops) {
		fput(file);
		return ERR_PTR(-EBADFD);
	}
	return file->private_data;
}

/* Unpin every pin touching [iova, iova + length). */
static void mock_staccess_unpin_range(struct mock_staccess *staccess,
				      unsigned long iova, unsigned long length)
{
	unsigned long last = iova + length - 1;
	struct mock_staccess_item *item, *tmp;

	mutex_lock(&staccess->lock);
	list_for_each_entry_safe(item, tmp, &staccess->items, node) {
		if (item->iova > last || item->iova + item->length - 1 < iova)
			continue;
		list_del(&item->node);
		xiommu_access_unpin_pages(staccess->access, item->iova,
					  item->length);
		kfree(item);
	}
	mutex_unlock(&staccess->lock);
}

/* The core's unmap callback */
static void mock_staccess_unmap(void *data, unsigned long iova,
				unsigned long length)
{
	struct mock_staccess *staccess = data;

	if (!staccess->keep_pins)
		mock_staccess_unpin_range(staccess, iova, length);
}

static const struct xiommu_access_ops mock_access_ops_pin = {
	.needs_pin_pages = 1,
	.unmap = mock_staccess_unmap,
};

static const struct xiommu_access_ops mock_access_ops = {
	.unmap = mock_staccess_unmap,
};

static int mock_staccess_release(struct inode *inode, struct file *file)
{
	struct mock_staccess *staccess = file->private_data;

	if (staccess->access) {
		mock_staccess_unpin_range(staccess, 0, ULONG_MAX);
		xiommu_access_destroy(staccess->access);
	}
	mutex_destroy(&staccess->lock);
	kfree(staccess);
	return 0;
}

static const struct file_operations mock_staccess_fops = {
	.owner = THIS_MODULE,
	.release = mock_staccess_release,
};

static int mock_test_create_access(struct xiommu_ictx *ictx,
				   struct iommu_test_cmd *cmd,
				   void __user *uarg, u32 usize)
{
	u32 flags = cmd->create_access.flags;
	struct mock_staccess *staccess;
	struct xiommu_access *access;
	struct file *file;
	u32 access_id;
	int fd;
	int rc;

	if (flags & ~(MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES |
		      XIOMMU_MOCK_ACCESS_CREATE_KEEP_PINS))
		return -EOPNOTSUPP;

	staccess = kzalloc(sizeof(*staccess), GFP_KERNEL_ACCOUNT);
	if (!staccess)
		return -ENOMEM;
	mutex_init(&staccess->lock);
	INIT_LIST_HEAD(&staccess->items);
	staccess->pins = flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
	staccess->keep_pins = flags & XIOMMU_MOCK_ACCESS_CREATE_KEEP_PINS;

	file = anon_inode_getfile("[xiommu_mock_access]", &mock_staccess_fops,
				  staccess, O_RDWR);
	if (IS_ERR(file)) {
		mutex_destroy(&staccess->lock);
		kfree(staccess);
		return PTR_ERR(file);
	}
	/* From here on the file's release frees staccess. */
	staccess->file = file;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		rc = fd;
		goto err_fput;
	}

	access = xiommu_access_create(ictx, staccess->pins ?
						    &mock_access_ops_pin :
						    &mock_access_ops,
				      staccess, &access_id);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
		goto err_put_fd;
	}
	rc = xiommu_access_attach(access, cmd->id);
	if (rc)
		goto err_destroy;

	cmd->create_access.out_access_fd = fd;
	rc = mock_respond(uarg, usize, cmd);
	if (rc)
		goto err_destroy;
	staccess->access = access;
	fd_install(fd, file);
	return 0;

err_destroy:
	xiommu_access_destroy(access);
err_put_fd:
	put_unused_fd(fd);
err_fput:
	fput(file);
	return rc;
}

static int mock_test_destroy_access_pages(int fd, unsigned int item_id)
{
	struct mock_staccess_item *item;
	struct mock_staccess *staccess;
	int rc = -ENOENT;

	staccess = mock_staccess_get(fd);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);

	mutex_lock(&staccess->lock);
	list_for_each_entry(item, &staccess->items, node) {
		if (item->id != item_id)
			continue;
		list_del(&item->node);
		xiommu_access_unpin_pages(staccess->access, item->iova,
					  item->length);
		kfree(item);
		rc = 0;
		break;
	}
	mutex_unlock(&staccess->lock);
	fput(staccess->file);
	return rc;
}

/* Do @pages back the user memory at @uptr, page by page? */
static int mock_check_pages(unsigned long uptr, struct page **pages,
			    unsigned long npages)
{
	for (; npages; npages--, pages++, uptr += PAGE_SIZE) {
		struct page *page;
		int rc;

		rc = get_user_pages_fast(uptr, 1, 0, &page);
		if (rc < 0)
			return rc;
		if (rc != 1)
			return -EFAULT;
		put_page(page);
		if (page != *pages)
			return -EBADE;
	}
	return 0;
}

static int mock_test_access_pages(struct xiommu_ictx *ictx,
				  struct iommu_test_cmd *cmd,
				  void __user *uarg, u32 usize)
{
	u32 flags = cmd->access_pages.flags;
	u64 iova = cmd->access_pages.iova;
	unsigned long length = cmd->access_pages.length;
	unsigned long uptr = cmd->access_pages.uptr;
	struct mock_staccess_item *item;
	struct mock_staccess *staccess;
	unsigned long npages, end;
	struct page **pages;
	int rc;

	if (cmd->access_pages.length > MOCK_ACCESS_MAX_LENGTH)
		return -ENOMEM;
	if (flags & ~(MOCK_FLAGS_ACCESS_WRITE | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;

	staccess = mock_staccess_get(cmd->id);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	if (!staccess->pins) {
		rc = -EOPNOTSUPP;
		goto out_put;
	}
	if (flags & MOCK_FLAGS_ACCESS_SYZ) {
		rc = xiommu_test_access_syz_iova(staccess->access, &iova);
		if (rc)
			goto out_put;
	}
	/* The core rejects these; only keep the array size sane here. */
	if (!length || iova > ULONG_MAX ||
	    check_add_overflow((unsigned long)iova, length, &end)) {
		rc = xiommu_access_pin_pages(staccess->access, iova, length,
					     NULL, flags);
		goto out_put;
	}
	npages = (ALIGN(end, PAGE_SIZE) - ALIGN_DOWN(iova, PAGE_SIZE)) /
		 PAGE_SIZE;
	/* Sized by user input: fail quietly, never wake the OOM killer. */
	pages = kvcalloc(npages, sizeof(*pages),
			 GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_NORETRY);
	if (!pages) {
		rc = -ENOMEM;
		goto out_put;
	}

	mutex_lock(&staccess->lock);
	rc = xiommu_access_pin_pages(staccess->access, iova, length, pages,
				     flags & MOCK_FLAGS_ACCESS_WRITE);
	if (rc)
		goto out_unlock;

	/* uptr 0 skips the check (fuzzers cannot know the address) */
	if (uptr) {
		rc = mock_check_pages(uptr - offset_in_page(iova), pages,
				      npages);
		if (rc)
			goto err_unpin;
	}

	item = kzalloc(sizeof(*item), GFP_KERNEL_ACCOUNT);
	if (!item) {
		rc = -ENOMEM;
		goto err_unpin;
	}
	item->iova = iova;
	item->length = length;
	item->id = staccess->next_id++;
	list_add_tail(&item->node, &staccess->items);

	cmd->access_pages.out_access_pages_id = item->id;
	rc = mock_respond(uarg, usize, cmd);
	if (!rc)
		goto out_unlock;
	list_del(&item->node);
	kfree(item);
err_unpin:
	xiommu_access_unpin_pages(staccess->access, iova, length);
out_unlock:
	mutex_unlock(&staccess->lock);
	kvfree(pages);
out_put:
	fput(staccess->file);
	return rc;
}

static int mock_test_access_rw(struct iommu_test_cmd *cmd)
{
	u32 flags = cmd->access_rw.flags;
	u64 iova = cmd->access_rw.iova;
	void __user *ubuf = u64_to_user_ptr(cmd->access_rw.uptr);
	unsigned long length = cmd->access_rw.length;
	struct mock_staccess *staccess;
	void *tmp;
	int rc;

	if (cmd->access_rw.length > MOCK_ACCESS_MAX_LENGTH)
		return -ENOMEM;
	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH |
		      MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;

	staccess = mock_staccess_get(cmd->id);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);

	/* Sized by user input: fail quietly, never wake the OOM killer. */
	tmp = kvzalloc(length,
		       GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_NORETRY);
	if (!tmp) {
		rc = -ENOMEM;
		goto out_put;
	}
	if ((flags & MOCK_ACCESS_RW_WRITE) &&
	    copy_from_user(tmp, ubuf, length)) {
		rc = -EFAULT;
		goto out_free;
	}
	if (flags & MOCK_FLAGS_ACCESS_SYZ) {
		rc = xiommu_test_access_syz_iova(staccess->access, &iova);
		if (rc)
			goto out_free;
	}
	if (iova > ULONG_MAX) {
		rc = -EOVERFLOW;
		goto out_free;
	}

	rc = xiommu_access_rw(staccess->access, iova, tmp, length,
			      flags & (MOCK_ACCESS_RW_WRITE |
				       MOCK_ACCESS_RW_SLOW_PATH));
	if (!rc && !(flags & MOCK_ACCESS_RW_WRITE) &&
	    copy_to_user(ubuf, tmp, length))
		rc = -EFAULT;
out_free:
	kvfree(tmp);
out_put:
	fput(staccess->file);
	return rc;
}

static int mock_test_access_replace_ioas(int fd, u32 ioas_id)
{
	struct mock_staccess *staccess;
	int rc;

	staccess = mock_staccess_get(fd);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	rc = xiommu_access_replace(staccess->access, ioas_id);
	fput(staccess->file);
	return rc;
}

/*
 * IOMMU_TEST_OP_DEV_CHECK_CACHE: does entry @cache_id of the cache of the
 * mock device behind device object @idev_id hold @want? The entries hold
 * IOMMU_TEST_DEV_CACHE_DEFAULT from creation; IOMMU_HWPT_INVALIDATE on the
 * vIOMMU of the device's vDEVICE resets them.
 * ENOENT: no such device object; EINVAL: not a mock device, @cache_id
 * beyond MOCK_DEV_CACHE_ID_MAX or another value.
 */
static int mock_test_dev_check_cache(struct xiommu_ictx *ictx, u32 idev_id,
				     u32 cache_id, u32 want)
{
	struct mock_dev *mdev;
	struct device *dev;
	int rc = 0;

	dev = xiommu_idev_device_get(ictx, idev_id);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	mdev = to_mock_dev(dev);
	if (!mdev || cache_id > MOCK_DEV_CACHE_ID_MAX ||
	    READ_ONCE(mdev->cache[cache_id]) != want)
		rc = -EINVAL;
	xiommu_idev_device_put(ictx, idev_id);
	return rc;
}

/*
 * IOMMU_TEST_OP_TRIGGER_VEVENT: the mock device behind device object
 * @idev_id raises an event for its vIOMMU's IOMMU_VEVENTQ_TYPE_SELFTEST
 * queue, carrying its vDEVICE's virt_id. ENOENT: no such device object,
 * or it has no vDEVICE; EINVAL: not a mock device; EOPNOTSUPP: its vIOMMU
 * has no such queue.
 */
static int mock_test_trigger_vevent(struct xiommu_ictx *ictx, u32 idev_id)
{
	struct iommu_viommu_event_selftest ev = {};
	struct mock_dev *mdev;
	struct device *dev;
	int rc = -ENOENT;

	dev = xiommu_idev_device_get(ictx, idev_id);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	mdev = to_mock_dev(dev);
	if (!mdev) {
		rc = -EINVAL;
		goto out_put;
	}
	mutex_lock(&mdev->vlock);
	if (mdev->viommu) {
		ev.virt_id = mdev->vdev_id;
		rc = xiommu_viommu_report_event(&mdev->viommu->core,
						IOMMU_VEVENTQ_TYPE_SELFTEST,
						&ev, sizeof(ev));
	}
	mutex_unlock(&mdev->vlock);
out_put:
	xiommu_idev_device_put(ictx, idev_id);
	return rc;
}

/* IOMMU_TEST_OP_MD_CHECK_IOTLB: does entry @iotlb_id hold @want? */
static int mock_test_check_iotlb(struct xiommu_ictx *ictx, u32 hwpt_id,
				 u32 iotlb_id, u32 want)
{
	struct xiommu_domain *domain;
	struct mock_nested *mn;
	int rc = 0;

	domain = xiommu_hwpt_nested_domain_get(ictx, hwpt_id);
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	mn = to_mock_nested(domain);
	if (!mn || iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX ||
	    READ_ONCE(mn->iotlb[iotlb_id]) != want)
		rc = -EINVAL;
	xiommu_hwpt_domain_put(ictx, hwpt_id);
	return rc;
}

/* Bytes of the user's bitmap IOMMU_TEST_OP_DIRTY reads at a time. */
#define MOCK_DIRTY_CHUNK	256

/*
 * IOMMU_TEST_OP_DIRTY: "device writes" at iova + n * page_size for every
 * bit n set in the user bitmap (bit n % 8 of byte n / 8), into mock paging
 * HWPT @cmd->id, which must be tracking. Counts the bits that hit a
 * mapping. The bitmap is read in MOCK_DIRTY_CHUNK pieces (upstream
 * allocates it whole).
 */
static int mock_test_dirty(struct xiommu_ictx *ictx,
			   struct iommu_test_cmd *cmd, void __user *uarg,
			   u32 usize)
{
	u64 iova = cmd->dirty.iova, length = cmd->dirty.length;
	u64 page_size = cmd->dirty.page_size;
	u8 __user *ubits = u64_to_user_ptr(cmd->dirty.uptr);
	unsigned long nbits, i, count = 0;
	struct xiommu_domain *domain;
	struct mock_domain *md;
	u8 buf[MOCK_DIRTY_CHUNK];
	u64 last;
	int rc = 0;

	if (usize < offsetofend(struct iommu_test_cmd, dirty.out_nr_dirty))
		return -EINVAL;
	if (!page_size || !length || iova % page_size || length % page_size ||
	    !cmd->dirty.uptr || check_add_overflow(iova, length - 1, &last) ||
	    last > ULONG_MAX)
		return -EINVAL;

	domain = xiommu_hwpt_domain_get(ictx, cmd->id);
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	md = to_mock_paging(domain);
	if (!md || !READ_ONCE(md->tracking)) {
		rc = -EINVAL;
		goto out_put;
	}

	nbits = length / page_size;
	for (i = 0; i < nbits; i++) {
		unsigned long byte = i / BITS_PER_BYTE;

		if (byte % MOCK_DIRTY_CHUNK == 0 && i % BITS_PER_BYTE == 0) {
			size_t n = min_t(unsigned long, MOCK_DIRTY_CHUNK,
					 DIV_ROUND_UP(nbits - i,
						      BITS_PER_BYTE));

			if (copy_from_user(buf, ubits + byte, n)) {
				rc = -EFAULT;
				goto out_put;
			}
			if (fatal_signal_pending(current)) {
				rc = -EINTR;
				goto out_put;
			}
			cond_resched();
		}
		if (buf[byte % MOCK_DIRTY_CHUNK] & BIT(i % BITS_PER_BYTE))
			count += mock_domain_mark_dirty(md, iova +
							    i * page_size);
	}
	cmd->dirty.out_nr_dirty = count;
	rc = mock_respond(uarg, usize, cmd);
out_put:
	xiommu_hwpt_domain_put(ictx, cmd->id);
	return rc;
}

static int mock_test_cmd(struct xiommu_ictx *ictx, void __user *uarg,
			 u32 usize)
{
	struct iommu_test_cmd cmd;
	int rc;

	if (usize < XIOMMU_TEST_CMD_SIZE_V66)
		return -EINVAL;
	rc = copy_struct_from_user(&cmd, sizeof(cmd), uarg, usize);
	if (rc)
		return rc;
	if (cmd.__reserved)
		return -EOPNOTSUPP;

	switch (cmd.op) {
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return mock_test_mock_domain(ictx, &cmd, uarg, usize);
	case IOMMU_TEST_OP_DIRTY:
		return mock_test_dirty(ictx, &cmd, uarg, usize);
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
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return mock_test_create_access(ictx, &cmd, uarg, usize);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return mock_test_destroy_access_pages(
			cmd.id, cmd.destroy_access_pages.access_pages_id);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return mock_test_access_pages(ictx, &cmd, uarg, usize);
	case IOMMU_TEST_OP_ACCESS_RW:
		return mock_test_access_rw(&cmd);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return mock_test_access_replace_ioas(
			cmd.id, cmd.access_replace_ioas.ioas_id);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		return xiommu_test_set_temp_memory_limit(
			cmd.memory_limit.limit);
	case XIOMMU_TEST_OP_MOCK_DEVICE:
		return mock_test_mock_device(ictx, &cmd, uarg, usize);
	case XIOMMU_TEST_OP_MOCK_DRIVER:
		return mock_test_mock_driver(ictx, cmd.id,
					     cmd.mock_driver.bind);
	case XIOMMU_TEST_OP_MD_CHECK_DOMAIN:
		return mock_test_check_domain(ictx, cmd.id,
					      cmd.check_domain.hwpt_id);
	case XIOMMU_TEST_OP_MD_IOPTE:
		return mock_test_md_iopte(ictx, &cmd, uarg, usize);
	case XIOMMU_TEST_OP_MOCK_DETACH:
		return mock_test_mock_detach(ictx, cmd.id);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return mock_test_check_iotlb(ictx, cmd.id, cmd.check_iotlb.id,
					     cmd.check_iotlb.iotlb);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return xiommu_test_trigger_iopf(ictx, cmd.trigger_iopf.dev_id,
						cmd.trigger_iopf.pasid,
						cmd.trigger_iopf.grpid,
						cmd.trigger_iopf.perm,
						cmd.trigger_iopf.addr);
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
	case IOMMU_TEST_OP_PASID_DETACH:
		return mock_test_pasid(ictx, &cmd);
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return mock_test_pasid_check(ictx, cmd.id,
					     cmd.pasid_check.pasid,
					     cmd.pasid_check.hwpt_id);
	case IOMMU_TEST_OP_DEV_CHECK_CACHE:
		return mock_test_dev_check_cache(ictx, cmd.id,
						 cmd.check_dev_cache.id,
						 cmd.check_dev_cache.cache);
	case IOMMU_TEST_OP_TRIGGER_VEVENT:
		return mock_test_trigger_vevent(ictx,
						cmd.trigger_vevent.dev_id);
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
