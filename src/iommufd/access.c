// SPDX-License-Identifier: GPL-2.0-only
/*
 * Access objects: how software and emulated devices (mdev-style, no IOMMU)
 * use an IOAS. A driver creates one per device and context, attaches it to
 * an IOAS, and then either pins the pages behind IOVAs to use them itself
 * (xiommu_access_pin_pages(), for drivers that set needs_pin_pages) or
 * copies to and from IOVA (xiommu_access_rw()).
 *
 * Pins belong to the mappings they were made through (io_pagetable.c
 * counts them per area, pages.c per page range). Before a pinned mapping
 * can be unmapped the core calls the unmap callback of every access of the
 * IOAS with no lock held; the driver must unpin what it holds in the range
 * before returning, or the unmap fails with EBUSY. Moving an access to
 * another IOAS (replace) or detaching it calls the callback for the whole
 * IOVA space first.
 *
 * Like upstream, an access is an object in the context's table (it has an
 * ID) but no uAPI names it; IOMMU_DESTROY of its ID fails with EBUSY while
 * the driver holds it.
 *
 * Locking: access->ioas_lock protects which IOAS the access uses and its
 * pin count. It is held across pins and copies (outside the iopt locks)
 * and dropped around the driver's unmap callback, which calls back into
 * xiommu_access_unpin_pages().
 */
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "iommufd_private.h"

/**
 * xiommu_access_create() - create an access object in a context
 * @ictx: the context (the access takes its own reference)
 * @ops: the driver's ops; must stay valid until xiommu_access_destroy()
 * @data: cookie passed to @ops->unmap
 * @id: returns the object's ID
 *
 * The access is not attached to any IOAS yet: xiommu_access_attach().
 *
 * Context: may sleep.
 * Return: the access, or ERR_PTR(-EINVAL) (@ops->needs_pin_pages without
 * @ops->unmap), ERR_PTR(-ENOMEM), ERR_PTR(-EBUSY) (ID space full).
 */
struct xiommu_access *xiommu_access_create(struct xiommu_ictx *ictx,
					   const struct xiommu_access_ops *ops,
					   void *data, u32 *id)
{
	struct xiommu_access *access;

	if (ops->needs_pin_pages && !ops->unmap)
		return ERR_PTR(-EINVAL);

	access = xiommu_object_alloc(ictx, access, XIOMMU_OBJ_ACCESS);
	if (IS_ERR(access))
		return access;
	access->ops = ops;
	access->data = data;
	mutex_init(&access->ioas_lock);
	kref_get(&ictx->kref);
	access->ictx = ictx;
	/* The driver is a user until xiommu_access_destroy(). */
	refcount_inc(&access->obj.users);
	*id = access->obj.id;
	xiommu_object_finalize(ictx, &access->obj);
	return access;
}
EXPORT_SYMBOL_GPL(xiommu_access_create);

/*
 * Move @access from the IOAS it uses to @new_ioas (NULL: detach). The
 * driver is asked to unpin everything first. With @force (detach) the
 * access leaves its IOAS even if the driver kept pins, which then leak
 * (a driver bug, warned about).
 */
static int access_change_ioas(struct xiommu_access *access,
			      struct xiommu_ioas *new_ioas, bool force)
{
	struct xiommu_ioas *cur = access->ioas_unpin;
	bool pins = access->ops->needs_pin_pages;
	u32 old_id = access->iopt_access_id;
	u32 new_id = 0;
	int rc;

	lockdep_assert_held(&access->ioas_lock);

	/* Another change is between its unlock and relock below. */
	if (access->ioas != cur)
		return -EBUSY;
	if (cur == new_ioas)
		return 0;

	if (new_ioas) {
		rc = xiommu_iopt_add_access(&new_ioas->iopt, access, pins,
					    &new_id);
		if (rc)
			return rc;
		refcount_inc(&new_ioas->obj.users);
	}

	if (cur) {
		/* No new pins or copies while the driver lets go. */
		access->ioas = NULL;
		if (access->ops->unmap) {
			mutex_unlock(&access->ioas_lock);
			access->ops->unmap(access->data, 0, ULONG_MAX);
			mutex_lock(&access->ioas_lock);
		}
		if (access->npins && !force) {
			access->ioas = cur;
			if (new_ioas) {
				xiommu_iopt_remove_access(&new_ioas->iopt,
							  new_id, pins);
				refcount_dec(&new_ioas->obj.users);
			}
			return -EBUSY;
		}
		WARN_ONCE(access->npins,
			  "xiommu: access %u left its IOAS with %lu pins\n",
			  access->obj.id, access->npins);
		access->npins = 0;
		xiommu_iopt_remove_access(&cur->iopt, old_id, pins);
		refcount_dec(&cur->obj.users);
	}

	access->ioas = new_ioas;
	access->ioas_unpin = new_ioas;
	access->iopt_access_id = new_id;
	return 0;
}

static int access_change_ioas_id(struct xiommu_access *access, u32 ioas_id)
{
	struct xiommu_ioas *ioas;
	int rc;

	ioas = xiommu_get_ioas(access->ictx, ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = access_change_ioas(access, ioas, false);
	xiommu_put_object(access->ictx, &ioas->obj);
	return rc;
}

/**
 * xiommu_access_attach() - attach an access object to an IOAS
 * @access: an access not attached to any IOAS
 * @ioas_id: ID of the IOAS
 *
 * Context: may sleep.
 * Return: 0; -EINVAL the access is attached already; -ENOENT @ioas_id is no
 * IOAS; -EADDRINUSE the access pins pages and a mapping of the IOAS is not
 * page aligned; -EBUSY too many accesses on the IOAS; -ENOMEM.
 */
int xiommu_access_attach(struct xiommu_access *access, u32 ioas_id)
{
	int rc;

	mutex_lock(&access->ioas_lock);
	if (access->ioas || access->ioas_unpin)
		rc = -EINVAL;
	else
		rc = access_change_ioas_id(access, ioas_id);
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_access_attach);

/**
 * xiommu_access_replace() - move an attached access object to another IOAS
 * @access: an attached access
 * @ioas_id: ID of the new IOAS (its current one: nothing happens)
 *
 * The driver's unmap callback is called for the whole IOVA space of the old
 * IOAS first; it must unpin everything.
 *
 * Context: may sleep; the caller does not hold its own lock that its unmap
 * callback takes.
 * Return: 0; -ENOENT the access is not attached, or @ioas_id is no IOAS;
 * -EBUSY the driver kept pins (the access stays where it was) or another
 * replace or detach is in progress; -EADDRINUSE, -ENOMEM as for
 * xiommu_access_attach().
 */
int xiommu_access_replace(struct xiommu_access *access, u32 ioas_id)
{
	int rc;

	mutex_lock(&access->ioas_lock);
	if (!access->ioas)
		rc = -ENOENT;
	else
		rc = access_change_ioas_id(access, ioas_id);
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_access_replace);

/**
 * xiommu_access_detach() - detach an access object from its IOAS
 * @access: an access; nothing happens if it is not attached
 *
 * The driver's unmap callback is called for the whole IOVA space first; it
 * must unpin everything (pins it keeps are leaked, with a warning).
 *
 * Context: may sleep; as for xiommu_access_replace().
 */
void xiommu_access_detach(struct xiommu_access *access)
{
	mutex_lock(&access->ioas_lock);
	WARN_ON(access_change_ioas(access, NULL, true));
	mutex_unlock(&access->ioas_lock);
}
EXPORT_SYMBOL_GPL(xiommu_access_detach);

/* Object destroy: reached through xiommu_access_destroy(), detached. */
void xiommu_access_destroy_object(struct xiommu_object *obj)
{
	struct xiommu_access *access = container_of(obj, struct xiommu_access,
						    obj);

	WARN_ON(access->ioas || access->ioas_unpin);
	mutex_destroy(&access->ioas_lock);
}

/**
 * xiommu_access_destroy() - detach and free an access object
 * @access: from xiommu_access_create(); invalid after the call
 *
 * Context: may sleep; as for xiommu_access_detach().
 */
void xiommu_access_destroy(struct xiommu_access *access)
{
	struct xiommu_ictx *ictx = access->ictx;

	xiommu_access_detach(access);
	xiommu_object_destroy_user(ictx, &access->obj);
	/* Last: the context may go away with this reference. */
	xiommu_ictx_put(ictx);
}
EXPORT_SYMBOL_GPL(xiommu_access_destroy);

/**
 * xiommu_access_notify_unmap() - ask the accesses of an IOAS to unpin
 * @iopt: the IOAS's IOVA map
 * @iova: first IOVA about to be unmapped
 * @length: bytes
 *
 * Context: no xiommu lock held (the callbacks unpin).
 */
void xiommu_access_notify_unmap(struct xiommu_iopt *iopt, unsigned long iova,
				unsigned long length)
{
	struct xiommu_access *access;
	unsigned long index;

	xa_lock(&iopt->access_list);
	xa_for_each(&iopt->access_list, index, access) {
		/* Accesses without the callback never pin. */
		if (!access->ops->unmap || !xiommu_lock_obj(&access->obj))
			continue;
		xa_unlock(&iopt->access_list);

		access->ops->unmap(access->data, iova, length);

		xiommu_put_object(access->ictx, &access->obj);
		xa_lock(&iopt->access_list);
	}
	xa_unlock(&iopt->access_list);
}

/**
 * xiommu_access_pin_pages() - pin the pages behind an IOVA range
 * @access: an attached access whose ops set needs_pin_pages
 * @iova: first IOVA
 * @length: bytes
 * @out_pages: receives one page pointer per page the range touches, from
 *	the page holding @iova to the one holding its last byte
 * @flags: XIOMMU_ACCESS_RW_WRITE if the driver will write to the pages
 *
 * The pages stay pinned until xiommu_access_unpin_pages() with the same
 * @iova and @length, which the driver must call at the latest from its
 * unmap callback.
 *
 * Context: may sleep.
 * Return: 0; -EINVAL zero @length, the access does not pin pages, the range
 * is being unmapped or joins mappings inside a page; -EOVERFLOW the range
 * wraps; -ENOENT the access is not attached, or part of the range is not
 * mapped; -EPERM a mapping does not allow the access (read, or write with
 * XIOMMU_ACCESS_RW_WRITE); -ENOMEM (also RLIMIT_MEMLOCK), -EFAULT, -EINTR
 * from pinning. On failure nothing is pinned.
 */
int xiommu_access_pin_pages(struct xiommu_access *access, unsigned long iova,
			    unsigned long length, struct page **out_pages,
			    unsigned int flags)
{
	unsigned long last;
	int rc;

	if (!access->ops->needs_pin_pages || !length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	mutex_lock(&access->ioas_lock);
	if (!access->ioas) {
		rc = -ENOENT;
		goto out_unlock;
	}
	rc = xiommu_iopt_access_pin(&access->ioas->iopt, iova, last, out_pages,
				    flags & XIOMMU_ACCESS_RW_WRITE);
	if (!rc)
		access->npins++;
out_unlock:
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_access_pin_pages);

/**
 * xiommu_access_unpin_pages() - undo xiommu_access_pin_pages()
 * @access: the access
 * @iova: the @iova of the pin
 * @length: the @length of the pin
 *
 * Works while the mapping is being unmapped (from the unmap callback) and
 * while the access moves to another IOAS. Unpinning something that was not
 * pinned is a driver bug: warned about once and ignored.
 *
 * Context: may sleep.
 */
void xiommu_access_unpin_pages(struct xiommu_access *access,
			       unsigned long iova, unsigned long length)
{
	unsigned long last;

	if (WARN_ON_ONCE(!length || check_add_overflow(iova, length - 1,
						       &last)))
		return;

	mutex_lock(&access->ioas_lock);
	if (!WARN_ON_ONCE(!access->ioas_unpin || !access->npins)) {
		xiommu_iopt_access_unpin(&access->ioas_unpin->iopt, iova, last);
		access->npins--;
	}
	mutex_unlock(&access->ioas_lock);
}
EXPORT_SYMBOL_GPL(xiommu_access_unpin_pages);

/**
 * xiommu_access_rw() - copy between a kernel buffer and IOVA
 * @access: an attached access
 * @iova: first IOVA
 * @data: kernel buffer of @length bytes
 * @length: bytes
 * @flags: XIOMMU_ACCESS_RW_WRITE copies @data to the IOVA, otherwise the
 *	IOVA is read into @data; XIOMMU_ACCESS_RW_KTHREAD is accepted (any
 *	caller may use this)
 *
 * Pages pinned for a domain or access are read and written directly (that
 * is what devices see); otherwise the mapping process's memory is used.
 *
 * Context: may sleep.
 * Return: 0; -EINVAL zero @length or the range is being unmapped;
 * -EOVERFLOW the range wraps; -ENOENT not attached or part of the range is
 * not mapped; -EPERM a mapping does not allow it; -EFAULT the memory is
 * gone; -ENOMEM; -EINTR.
 */
int xiommu_access_rw(struct xiommu_access *access, unsigned long iova,
		     void *data, size_t length, unsigned int flags)
{
	unsigned long last;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	mutex_lock(&access->ioas_lock);
	if (access->ioas)
		rc = xiommu_iopt_access_rw(&access->ioas->iopt, iova, data,
					   length, flags);
	else
		rc = -ENOENT;
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_access_rw);

/**
 * xiommu_test_access_syz_iova() - decode a fuzzer's IOVA (test support)
 * @access: an access
 * @iova: in: bytes 0-3 the index of a mapping of the access's IOAS (0 for
 *	the lowest), bytes 4-7 an offset into it (upstream's selftest
 *	"syz" layout); out: the IOVA
 *
 * Return: 0, or -ENOENT if the access is not attached.
 */
int xiommu_test_access_syz_iova(struct xiommu_access *access, u64 *iova)
{
	struct {
		u32 nth_area;
		u32 offset;
	} syz;
	int rc = 0;

	memcpy(&syz, iova, sizeof(syz));
	mutex_lock(&access->ioas_lock);
	if (access->ioas)
		*iova = xiommu_iopt_nth_area_iova(&access->ioas->iopt,
						  syz.nth_area) + syz.offset;
	else
		rc = -ENOENT;
	mutex_unlock(&access->ioas_lock);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_test_access_syz_iova);
