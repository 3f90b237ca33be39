// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOAS objects and their ioctls: IOMMU_IOAS_ALLOC, IOMMU_IOAS_IOVA_RANGES,
 * IOMMU_IOAS_ALLOW_IOVAS, IOMMU_IOAS_MAP, IOMMU_IOAS_COPY,
 * IOMMU_IOAS_UNMAP, IOMMU_OPTION and IOMMU_VFIO_IOAS.
 *
 * Argument checks follow upstream iommufd's order, so the same bad input
 * gets the same errno: unknown flags and non-zero reserved fields first
 * (EOPNOTSUPP), then values that cannot fit an unsigned long (EOVERFLOW),
 * then missing permissions (EINVAL), then the object lookup (ENOENT), then
 * the io_pagetable's own checks.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/interval_tree.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "iommufd_private.h"

#define XIOMMU_MAP_FLAGS						\
	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |		\
	 IOMMU_IOAS_MAP_READABLE)

/**
 * xiommu_get_ioas() - look up an IOAS by ID
 * @ictx: context
 * @id: object ID
 *
 * Return: the IOAS with a short-term reference (xiommu_put_object()), or
 * ERR_PTR(-ENOENT).
 */
struct xiommu_ioas *xiommu_get_ioas(struct xiommu_ictx *ictx, u32 id)
{
	struct xiommu_object *obj;

	obj = xiommu_get_object(ictx, id, XIOMMU_OBJ_IOAS);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct xiommu_ioas, obj);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_get_ioas);

/* Owner of the ranges reserved through xiommu_test_add_reserved(). */
static char xiommu_test_resv_owner;

void xiommu_ioas_destroy(struct xiommu_object *obj)
{
	struct xiommu_ioas *ioas = container_of(obj, struct xiommu_ioas, obj);

	/* No HWPT and no ioctl use the IOAS: nothing can be in flight. */
	WARN_ON(xiommu_iopt_unmap_all(&ioas->iopt, NULL));
	WARN_ON(!list_empty(&ioas->hwpt_list));
	xiommu_iopt_remove_reserved(&ioas->iopt, &xiommu_test_resv_owner);
	xiommu_iopt_destroy(&ioas->iopt);
	mutex_destroy(&ioas->mutex);
}

int xiommu_ioas_alloc_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct xiommu_ioas *ioas;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	ioas = xiommu_object_alloc(ucmd->ictx, ioas, XIOMMU_OBJ_IOAS);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	xiommu_iopt_init(&ioas->iopt);
	mutex_init(&ioas->mutex);
	INIT_LIST_HEAD(&ioas->hwpt_list);

	/* User space must learn the ID, or the IOAS is not created. */
	cmd->out_ioas_id = ioas->obj.id;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		xiommu_object_abort_and_destroy(ucmd->ictx, &ioas->obj);
		return rc;
	}
	xiommu_object_finalize(ucmd->ictx, &ioas->obj);
	return 0;
}

int xiommu_ioas_iova_ranges(struct xiommu_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct iommu_iova_range __user *ranges;
	struct xiommu_iova_hole_iter hole;
	struct xiommu_ioas *ioas;
	u32 max_iovas;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	ioas = xiommu_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	max_iovas = cmd->num_iovas;
	ranges = u64_to_user_ptr(cmd->allowed_iovas);
	cmd->num_iovas = 0;

	down_read(&ioas->iopt.iova_rwsem);
	cmd->out_iova_alignment = ioas->iopt.iova_alignment;
	for_each_xiommu_iova_hole(&hole, &ioas->iopt.reserved_itree, NULL, 0,
				  ULONG_MAX) {
		if (cmd->num_iovas < max_iovas) {
			struct iommu_iova_range elm = {
				.start = hole.start_hole,
				.last = hole.last_hole,
			};

			if (copy_to_user(&ranges[cmd->num_iovas], &elm,
					 sizeof(elm))) {
				rc = -EFAULT;
				break;
			}
		}
		cmd->num_iovas++;
	}
	up_read(&ioas->iopt.iova_rwsem);
	if (rc)
		goto out_put;

	/* The total goes back even when the array was too small. */
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
	if (!rc && cmd->num_iovas > max_iovas)
		rc = -EMSGSIZE;
out_put:
	xiommu_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

static void free_allowed_tree(struct rb_root_cached *tree)
{
	struct interval_tree_node *node;

	while ((node = interval_tree_iter_first(tree, 0, ULONG_MAX))) {
		interval_tree_remove(node, tree);
		kfree(container_of(node, struct xiommu_allowed, node));
	}
}

static int load_allowed_tree(struct rb_root_cached *tree,
			     struct iommu_iova_range __user *uranges, u32 num)
{
	u32 i;

	for (i = 0; i != num; i++) {
		struct xiommu_allowed *allowed;
		struct iommu_iova_range range;

		if (copy_from_user(&range, &uranges[i], sizeof(range)))
			return -EFAULT;
		if (range.start >= range.last)
			return -EINVAL;
		if (interval_tree_iter_first(tree, range.start, range.last))
			return -EINVAL;

		allowed = kzalloc(sizeof(*allowed), GFP_KERNEL_ACCOUNT);
		if (!allowed)
			return -ENOMEM;
		allowed->node.start = range.start;
		allowed->node.last = range.last;
		interval_tree_insert(&allowed->node, tree);
		cond_resched();
	}
	return 0;
}

int xiommu_ioas_allow_iovas(struct xiommu_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct rb_root_cached tree = RB_ROOT_CACHED;
	struct xiommu_ioas *ioas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	ioas = xiommu_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	rc = load_allowed_tree(&tree, u64_to_user_ptr(cmd->allowed_iovas),
			       cmd->num_iovas);
	/* On success the tree holds the old ranges: free them either way. */
	if (!rc)
		rc = xiommu_iopt_set_allowed(&ioas->iopt, &tree);
	free_allowed_tree(&tree);
	xiommu_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/**
 * xiommu_test_add_reserved() - reserve IOVA in an IOAS as a device would
 * @ictx: context
 * @ioas_id: IOAS object ID
 * @start: first IOVA
 * @length: bytes
 *
 * Test support (IOMMU_TEST_OP_ADD_RESERVED): the range stays reserved until
 * the IOAS is destroyed.
 *
 * Return: 0; -ENOENT no IOAS @ioas_id; -EINVAL zero @length; -EOVERFLOW the
 * range wraps; -EADDRINUSE it overlaps a mapping or an allowed range;
 * -ENOMEM.
 */
int xiommu_test_add_reserved(struct xiommu_ictx *ictx, u32 ioas_id,
			     u64 start, u64 length)
{
	struct xiommu_ioas *ioas;
	u64 last;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(start, length - 1, &last) || last > ULONG_MAX)
		return -EOVERFLOW;

	ioas = xiommu_get_ioas(ictx, ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = xiommu_iopt_reserve_range(&ioas->iopt, start, last,
				       &xiommu_test_resv_owner);
	xiommu_put_object(ictx, &ioas->obj);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_test_add_reserved);

static int map_flags_to_prot(u32 flags)
{
	return xiommu_map_prot(flags & IOMMU_IOAS_MAP_READABLE,
			       flags & IOMMU_IOAS_MAP_WRITEABLE);
}

int xiommu_ioas_map(struct xiommu_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	unsigned long iova = cmd->iova;
	struct xiommu_ioas *ioas;
	unsigned int flags = 0;
	int rc;

	if ((cmd->flags & ~XIOMMU_MAP_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;

	ioas = xiommu_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (!(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
		flags |= XIOMMU_IOPT_ALLOC_IOVA;
	rc = xiommu_iopt_map_user(&ioas->iopt, &iova,
				  u64_to_user_ptr(cmd->user_va), cmd->length,
				  map_flags_to_prot(cmd->flags), flags,
				  READ_ONCE(ucmd->ictx->account_mode));
	if (rc)
		goto out_put;

	cmd->iova = iova;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	xiommu_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/*
 * IOMMU_IOAS_MAP_FILE: IOMMU_IOAS_MAP of a memory file's byte range
 * (src/iommufd/pages_file.c). Checks in upstream's order: flags
 * (EOPNOTSUPP), sizes (EOVERFLOW), no permission (EINVAL), the IOAS
 * (ENOENT), the fd (EBADF).
 */
int xiommu_ioas_map_file(struct xiommu_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	unsigned long iova = cmd->iova;
	struct xiommu_ioas *ioas;
	unsigned int flags = 0;
	struct file *file;
	int rc;

	if (cmd->flags & ~XIOMMU_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE)))
		return -EINVAL;

	ioas = xiommu_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	file = fget(cmd->fd);
	if (!file) {
		rc = -EBADF;
		goto out_put;
	}

	if (!(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
		flags |= XIOMMU_IOPT_ALLOC_IOVA;
	rc = xiommu_iopt_map_file(&ioas->iopt, &iova, file, cmd->start,
				  cmd->length, map_flags_to_prot(cmd->flags),
				  flags, READ_ONCE(ucmd->ictx->account_mode));
	fput(file);
	if (rc)
		goto out_put;

	cmd->iova = iova;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	xiommu_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/*
 * Add the pages objects of @ioas's mappings to @v (one reference each,
 * each object once). -EINVAL for a mapping that is not file-backed.
 */
static int ioas_collect_file_pages(struct xiommu_ioas *ioas,
				   struct xarray *v, unsigned long *n)
{
	struct interval_tree_node *node;
	int rc = 0;

	down_read(&ioas->iopt.iova_rwsem);
	for (node = interval_tree_iter_first(&ioas->iopt.area_itree, 0,
					     ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct xiommu_area *area =
			container_of(node, struct xiommu_area, node);
		struct xiommu_pages *pages = area->pages;

		/* Still being created by a racing map: not ours to move. */
		if (!pages)
			continue;
		if (!pages->file) {
			rc = -EINVAL;
			break;
		}
		/* Keyed by address: an object several areas share goes in once. */
		rc = xa_insert(v, (unsigned long)pages / sizeof(*pages), pages,
			       GFP_KERNEL_ACCOUNT);
		if (rc == -EBUSY) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		xiommu_pages_get(pages);
		(*n)++;
	}
	up_read(&ioas->iopt.iova_rwsem);
	return rc;
}

/*
 * IOMMU_IOAS_CHANGE_PROCESS: charge the pinned pages of every mapping of
 * every IOAS to the calling process. Upstream's rules: EOPNOTSUPP for
 * __reserved; EINVAL while any mapping is not file-backed
 * (IOMMU_IOAS_MAP_FILE); ENOMEM if the caller's RLIMIT_MEMLOCK does not
 * fit; on failure nothing changed. Mappings made concurrently by another
 * thread are not covered (upstream excludes them with every IOAS's lock).
 */
int xiommu_ioas_change_process(struct xiommu_ucmd *ucmd)
{
	struct iommu_ioas_change_process *cmd = ucmd->cmd;
	struct xiommu_ictx *ictx = ucmd->ictx;
	struct xiommu_pages **vec = NULL;
	struct xiommu_pages *pages;
	struct xiommu_object *obj;
	unsigned long index, i, n = 0;
	struct xarray v;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	xa_init(&v);
	xa_for_each(&ictx->objects, index, obj) {
		struct xiommu_ioas *ioas = xiommu_get_ioas(ictx, index);

		if (IS_ERR(ioas))
			continue;
		rc = ioas_collect_file_pages(ioas, &v, &n);
		xiommu_put_object(ictx, &ioas->obj);
		if (rc)
			goto out_put;
	}
	if (!n)
		goto out_put;
	vec = kvcalloc(n, sizeof(*vec), GFP_KERNEL_ACCOUNT);
	if (!vec) {
		rc = -ENOMEM;
		goto out_put;
	}
	i = 0;
	xa_for_each(&v, index, pages)
		vec[i++] = pages;
	rc = xiommu_pages_move_to_current(vec, i);
	kvfree(vec);
out_put:
	xa_for_each(&v, index, pages)
		xiommu_pages_put(pages);
	xa_destroy(&v);
	if (rc)
		return rc;
	return xiommu_ucmd_respond(ucmd, sizeof(*cmd));
}

int xiommu_ioas_copy(struct xiommu_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct xiommu_ioas *src_ioas, *dst_ioas;
	unsigned int flags = 0;
	LIST_HEAD(slices);
	unsigned long iova;
	int rc;

	if (cmd->flags & ~XIOMMU_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->length >= ULONG_MAX || cmd->src_iova >= ULONG_MAX ||
	    cmd->dst_iova >= ULONG_MAX)
		return -EOVERFLOW;
	/* Unlike IOAS_MAP, upstream accepts a copy with no permission. */

	src_ioas = xiommu_get_ioas(ucmd->ictx, cmd->src_ioas_id);
	if (IS_ERR(src_ioas))
		return PTR_ERR(src_ioas);
	rc = xiommu_iopt_get_slices(&src_ioas->iopt, cmd->src_iova,
				    cmd->length, &slices);
	xiommu_put_object(ucmd->ictx, &src_ioas->obj);
	if (rc)
		return rc;

	dst_ioas = xiommu_get_ioas(ucmd->ictx, cmd->dst_ioas_id);
	if (IS_ERR(dst_ioas)) {
		rc = PTR_ERR(dst_ioas);
		goto out_slices;
	}

	if (!(cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA))
		flags |= XIOMMU_IOPT_ALLOC_IOVA;
	iova = cmd->dst_iova;
	rc = xiommu_iopt_map_slices(&dst_ioas->iopt, &slices, cmd->length,
				    &iova, map_flags_to_prot(cmd->flags),
				    flags);
	if (rc)
		goto out_put_dst;

	cmd->dst_iova = iova;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
out_put_dst:
	xiommu_put_object(ucmd->ictx, &dst_ioas->obj);
out_slices:
	xiommu_iopt_free_slices(&slices);
	return rc;
}

int xiommu_ioas_unmap(struct xiommu_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	unsigned long unmapped = 0;
	struct xiommu_ioas *ioas;
	int rc;

	ioas = xiommu_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->iova == 0 && cmd->length == U64_MAX) {
		rc = xiommu_iopt_unmap_all(&ioas->iopt, &unmapped);
	} else if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX) {
		rc = -EOVERFLOW;
	} else {
		rc = xiommu_iopt_unmap(&ioas->iopt, cmd->iova, cmd->length,
				       &unmapped);
	}
	if (rc)
		goto out_put;

	cmd->length = unmapped;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	xiommu_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/* IOMMU_OPTION_RLIMIT_MODE: global, changeable only on an empty context */
static int option_rlimit_mode(struct iommu_option *cmd,
			      struct xiommu_ictx *ictx)
{
	int rc = 0;

	if (cmd->object_id)
		return -EOPNOTSUPP;

	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = READ_ONCE(ictx->account_mode) ==
			     XIOMMU_ACCOUNT_MM;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;

	xa_lock(&ictx->objects);
	if (!xa_empty(&ictx->objects))
		rc = -EBUSY;
	else if (cmd->val64 == 0)
		WRITE_ONCE(ictx->account_mode, XIOMMU_ACCOUNT_USER);
	else if (cmd->val64 == 1)
		WRITE_ONCE(ictx->account_mode, XIOMMU_ACCOUNT_MM);
	else
		rc = -EINVAL;
	xa_unlock(&ictx->objects);
	return rc;
}

/* IOMMU_OPTION_HUGE_PAGES: per IOAS */
static int option_huge_pages(struct iommu_option *cmd,
			     struct xiommu_ictx *ictx)
{
	struct xiommu_ioas *ioas;
	int rc = 0;

	ioas = xiommu_get_ioas(ictx, cmd->object_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = !READ_ONCE(ioas->iopt.disable_large_pages);
	} else if (cmd->op == IOMMU_OPTION_OP_SET) {
		if (cmd->val64 == 0)
			rc = xiommu_iopt_set_large_pages(&ioas->iopt, false);
		else if (cmd->val64 == 1)
			rc = xiommu_iopt_set_large_pages(&ioas->iopt, true);
		else
			rc = -EINVAL;
	} else {
		rc = -EOPNOTSUPP;
	}
	xiommu_put_object(ictx, &ioas->obj);
	return rc;
}

int xiommu_option_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommu_option __user *ucmd_ptr = ucmd->ubuffer;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = option_rlimit_mode(cmd, ucmd->ictx);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = option_huge_pages(cmd, ucmd->ictx);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	/* Only the value goes back. */
	if (copy_to_user(&ucmd_ptr->val64, &cmd->val64, sizeof(cmd->val64)))
		return -EFAULT;
	return 0;
}

/* IOMMU_VFIO_IOAS: which IOAS the VFIO type1 compatibility ioctls use. */
int xiommu_vfio_ioas_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct xiommu_ictx *ictx = ucmd->ictx;
	struct xiommu_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		xa_lock(&ictx->objects);
		ioas = ictx->vfio_ioas;
		if (ioas)
			cmd->ioas_id = ioas->obj.id;
		xa_unlock(&ictx->objects);
		if (!ioas)
			return -ENODEV;
		return xiommu_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = xiommu_get_ioas(ictx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		xa_lock(&ictx->objects);
		ictx->vfio_ioas = ioas;
		xa_unlock(&ictx->objects);
		xiommu_put_object(ictx, &ioas->obj);
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		xa_lock(&ictx->objects);
		ictx->vfio_ioas = NULL;
		xa_unlock(&ictx->objects);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
