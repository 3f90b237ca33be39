// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO type1 container ioctls on /dev/iommu.
 *
 * A VFIO application written for a type1 container (open /dev/vfio/vfio,
 * VFIO_SET_IOMMU, VFIO_IOMMU_MAP_DMA ...) can use an iommufd instead: the
 * container ioctls work on the context's compatibility IOAS, the one chosen
 * with IOMMU_VFIO_IOAS (ENODEV while there is none). They are plain IOAS
 * operations underneath:
 *
 *   VFIO_GET_API_VERSION     VFIO_API_VERSION
 *   VFIO_CHECK_EXTENSION     TYPE1, TYPE1v2, UNMAP_ALL: 1; DMA_CC_IOMMU: 1
 *                            if every HWPT of the IOAS forces snooping;
 *                            everything else (NOIOMMU, NESTING,
 *                            UPDATE_VADDR): 0
 *   VFIO_SET_IOMMU           TYPE1v2: nothing to do; TYPE1: large IOPTEs
 *                            off (IOMMU_OPTION_HUGE_PAGES 0), so that any
 *                            page-aligned part of a mapping can be unmapped
 *   VFIO_IOMMU_GET_INFO      page sizes of the attached domains; caps
 *                            DMA_AVAIL (U32_MAX) and IOVA_RANGE (the
 *                            usable ranges IOMMU_IOAS_IOVA_RANGES reports)
 *   VFIO_IOMMU_MAP_DMA       IOMMU_IOAS_MAP at a fixed IOVA
 *   VFIO_IOMMU_UNMAP_DMA     IOMMU_IOAS_UNMAP; with TYPE1 the range is cut
 *                            out of larger mappings first; UNMAP_ALL
 *
 * Errno and behaviour follow upstream iommufd's emulation; where that
 * differs from vfio_iommu_type1 it is listed in Documentation/iommufd.md.
 */
#include <linux/interval_tree.h>
#include <linux/overflow.h>
#include <linux/uaccess.h>
#include <uapi/linux/vfio.h>

#include "iommufd_private.h"

/* The compatibility IOAS with a short-term reference, or ERR_PTR(-ENODEV). */
static struct xiommu_ioas *get_compat_ioas(struct xiommu_ictx *ictx)
{
	struct xiommu_ioas *ioas = ERR_PTR(-ENODEV);

	xa_lock(&ictx->objects);
	if (ictx->vfio_ioas && xiommu_lock_obj(&ictx->vfio_ioas->obj))
		ioas = ictx->vfio_ioas;
	xa_unlock(&ictx->objects);
	return ioas;
}

static int vfio_map_dma(struct xiommu_ictx *ictx, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	struct xiommu_ioas *ioas;
	unsigned long iova;
	int prot;
	int rc;

	if (copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz ||
	    (map.flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)))
		return -EINVAL;
	if (map.iova >= ULONG_MAX || map.size >= ULONG_MAX)
		return -EOVERFLOW;
	prot = xiommu_map_prot(map.flags & VFIO_DMA_MAP_FLAG_READ,
			       map.flags & VFIO_DMA_MAP_FLAG_WRITE);

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	iova = map.iova;
	/* Type1 maps VM_PFNMAP memory (peer BARs) by PFN: pages_pfnmap.c. */
	rc = xiommu_iopt_map_user(&ioas->iopt, &iova,
				  u64_to_user_ptr(map.vaddr), map.size, prot,
				  XIOMMU_IOPT_PFNMAP,
				  READ_ONCE(ictx->account_mode));
	xiommu_put_object(ictx, &ioas->obj);
	return rc;
}

static int vfio_unmap_dma(struct xiommu_ictx *ictx, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_iommu_type1_dma_unmap unmap;
	unsigned long unmapped = 0;
	struct xiommu_ioas *ioas;
	int rc;

	if (copy_from_user(&unmap, arg, minsz))
		return -EFAULT;
	/* No dirty bitmap: the iommufd dirty tracking uAPI replaces it. */
	if (unmap.argsz < minsz || (unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL))
		return -EINVAL;

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size) {
			rc = -EINVAL;
			goto out_put;
		}
		rc = xiommu_iopt_unmap_all(&ioas->iopt, &unmapped);
	} else if (unmap.iova >= ULONG_MAX || unmap.size >= ULONG_MAX) {
		rc = -EOVERFLOW;
		goto out_put;
	} else if (!unmap.size ||
		   unmap.iova + unmap.size - 1 < unmap.iova) {
		/* Zero or wrapping: the unmap's own errno, nothing cut. */
		rc = xiommu_iopt_unmap(&ioas->iopt, unmap.iova, unmap.size,
				       &unmapped);
	} else {
		if (READ_ONCE(ioas->iopt.disable_large_pages)) {
			/*
			 * Type1 (v1): the range may be part of a mapping. Cut
			 * mappings so the range starts and ends at their
			 * edges (IOVA 0 needs no cut before it).
			 */
			unsigned long cuts[] = { unmap.iova + unmap.size - 1,
						 unmap.iova - 1 };

			rc = xiommu_iopt_cut_iova(&ioas->iopt, cuts,
						  unmap.iova ? 2 : 1);
			if (rc)
				goto out_put;
		}
		rc = xiommu_iopt_unmap(&ioas->iopt, unmap.iova, unmap.size,
				       &unmapped);
	}
	unmap.size = unmapped;
	if (copy_to_user(arg, &unmap, minsz))
		rc = -EFAULT;
out_put:
	xiommu_put_object(ictx, &ioas->obj);
	return rc;
}

/* VFIO_DMA_CC_IOMMU: does every HWPT of the compatibility IOAS snoop? */
static int vfio_cc_iommu(struct xiommu_ictx *ictx)
{
	struct xiommu_hwpt *hwpt;
	struct xiommu_ioas *ioas;
	int rc = 1;

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt, &ioas->hwpt_list, hwpt_item) {
		if (!hwpt->enforce_cache_coherency) {
			rc = 0;
			break;
		}
	}
	mutex_unlock(&ioas->mutex);
	xiommu_put_object(ictx, &ioas->obj);
	return rc;
}

static int vfio_check_extension(struct xiommu_ictx *ictx, unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		return vfio_cc_iommu(ictx);
	default:
		/* NOIOMMU, TYPE1_NESTING, UPDATE_VADDR, SPAPR, ... */
		return 0;
	}
}

static int vfio_set_iommu(struct xiommu_ictx *ictx, unsigned long type)
{
	struct xiommu_ioas *ioas;
	int rc = 0;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;

	/* Like VFIO without a group: nothing to set the IOMMU on. */
	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/*
	 * Type1 (v1) lets an unmap take any part of a mapping. A domain
	 * cannot split a large IOPTE, so in that mode map only PAGE_SIZE
	 * ones, and partial unmaps become cuts at page boundaries.
	 */
	if (type == VFIO_TYPE1_IOMMU)
		rc = xiommu_iopt_set_large_pages(&ioas->iopt, false);
	xiommu_put_object(ictx, &ioas->obj);
	return rc;
}

/* Size of a cap, written at @cur if it fits in @avail bytes. */
static int fill_cap_dma_avail(struct xiommu_ioas *ioas,
			      struct vfio_info_cap_header __user *cur,
			      size_t avail)
{
	struct vfio_iommu_type1_info_dma_avail cap = {
		.header = {
			.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			.version = 1,
		},
		/*
		 * No mapping count limit here (memory is bounded by
		 * RLIMIT_MEMLOCK and memcg); U32_MAX as upstream, which
		 * also keeps s390 QEMU happy.
		 */
		.avail = U32_MAX,
	};

	if (avail >= sizeof(cap) && copy_to_user(cur, &cap, sizeof(cap)))
		return -EFAULT;
	return sizeof(cap);
}

static int fill_cap_iova(struct xiommu_ioas *ioas,
			 struct vfio_info_cap_header __user *cur, size_t avail)
{
	struct vfio_iommu_type1_info_cap_iova_range __user *ucap =
		(void __user *)cur;
	struct vfio_iommu_type1_info_cap_iova_range cap = {
		.header = {
			.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
			.version = 1,
		},
	};
	struct xiommu_iova_hole_iter hole;

	lockdep_assert_held(&ioas->iopt.iova_rwsem);

	for_each_xiommu_iova_hole(&hole, &ioas->iopt.reserved_itree, NULL, 0,
				  ULONG_MAX) {
		struct vfio_iova_range range = {
			.start = hole.start_hole,
			.end = hole.last_hole,
		};

		if (avail >= struct_size(&cap, iova_ranges, cap.nr_iovas + 1) &&
		    copy_to_user(&ucap->iova_ranges[cap.nr_iovas], &range,
				 sizeof(range)))
			return -EFAULT;
		cap.nr_iovas++;
	}
	if (avail >= struct_size(&cap, iova_ranges, cap.nr_iovas) &&
	    copy_to_user(ucap, &cap, sizeof(cap)))
		return -EFAULT;
	return struct_size(&cap, iova_ranges, cap.nr_iovas);
}

static int vfio_iommu_get_info(struct xiommu_ictx *ictx, void __user *arg)
{
	typedef int (*fill_cap_fn)(struct xiommu_ioas *ioas,
				   struct vfio_info_cap_header __user *cur,
				   size_t avail);
	static const fill_cap_fn fill_caps[] = {
		fill_cap_dma_avail,
		fill_cap_iova,
	};
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	struct vfio_info_cap_header __user *last_cap = NULL;
	struct vfio_iommu_type1_info info;
	struct xiommu_ioas *ioas;
	size_t total;
	unsigned int i;
	int rc = 0;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	/* Write back no more than the caller's struct holds. */
	minsz = min_t(size_t, info.argsz, sizeof(info));

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.iova_pgsizes = xiommu_iopt_pgsizes(&ioas->iopt);
	info.cap_offset = 0;

	/*
	 * Caps follow the struct back to back, each linked from the one
	 * before; only those that fit entirely are written, argsz reports
	 * what all of them need.
	 */
	down_read(&ioas->iopt.iova_rwsem);
	total = sizeof(info);
	for (i = 0; i != ARRAY_SIZE(fill_caps); i++) {
		int size;

		if (info.argsz > total)
			size = fill_caps[i](ioas, arg + total,
					    info.argsz - total);
		else
			size = fill_caps[i](ioas, NULL, 0);
		if (size < 0) {
			rc = size;
			goto out_unlock;
		}
		if (last_cap && info.argsz >= total &&
		    put_user(total, &last_cap->next)) {
			rc = -EFAULT;
			goto out_unlock;
		}
		last_cap = arg + total;
		total += size;
	}
	if (info.argsz >= total)
		info.cap_offset = sizeof(info);
	info.argsz = total;
	if (copy_to_user(arg, &info, minsz))
		rc = -EFAULT;
out_unlock:
	up_read(&ioas->iopt.iova_rwsem);
	xiommu_put_object(ictx, &ioas->obj);
	return rc;
}

/**
 * xiommu_vfio_ioctl() - VFIO type1 container ioctls on /dev/iommu
 * @ictx: the context
 * @cmd: ioctl number (VFIO_*)
 * @arg: ioctl argument
 *
 * Return: the ioctl's result, or -ENOTTY for anything that is not a type1
 * container ioctl (VFIO_IOMMU_DIRTY_PAGES included).
 */
long xiommu_vfio_ioctl(struct xiommu_ictx *ictx, unsigned int cmd,
		       unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return vfio_check_extension(ictx, arg);
	case VFIO_SET_IOMMU:
		return vfio_set_iommu(ictx, arg);
	case VFIO_IOMMU_GET_INFO:
		return vfio_iommu_get_info(ictx, uarg);
	case VFIO_IOMMU_MAP_DMA:
		return vfio_map_dma(ictx, uarg);
	case VFIO_IOMMU_UNMAP_DMA:
		return vfio_unmap_dma(ictx, uarg);
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_GPL(xiommu_vfio_ioctl);

/**
 * xiommu_vfio_compat_ioas_create() - give a context its compatibility IOAS
 * @ictx: the context
 * @ioas_id: returns the IOAS's ID (for xiommu_idev_attach())
 *
 * The IOAS the type1 ioctls of xiommu_vfio_ioctl() work on: the one
 * IOMMU_VFIO_IOAS chose, or, if none was chosen, a new one that becomes
 * it (a VFIO container makes its first group's address space this way).
 *
 * Context: may sleep.
 * Return: 0, or -ENOMEM.
 */
int xiommu_vfio_compat_ioas_create(struct xiommu_ictx *ictx, u32 *ioas_id)
{
	struct xiommu_ioas *ioas;

	ioas = get_compat_ioas(ictx);
	if (!IS_ERR(ioas)) {
		*ioas_id = ioas->obj.id;
		xiommu_put_object(ictx, &ioas->obj);
		return 0;
	}

	ioas = xiommu_object_alloc(ictx, ioas, XIOMMU_OBJ_IOAS);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	xiommu_iopt_init(&ioas->iopt);
	mutex_init(&ioas->mutex);
	INIT_LIST_HEAD(&ioas->hwpt_list);
	*ioas_id = ioas->obj.id;

	xa_lock(&ictx->objects);
	/* Lost a race with another creator: keep theirs. */
	if (ictx->vfio_ioas) {
		*ioas_id = ictx->vfio_ioas->obj.id;
		xa_unlock(&ictx->objects);
		xiommu_object_abort_and_destroy(ictx, &ioas->obj);
		return 0;
	}
	ictx->vfio_ioas = ioas;
	xa_unlock(&ictx->objects);
	xiommu_object_finalize(ictx, &ioas->obj);
	return 0;
}
EXPORT_SYMBOL_GPL(xiommu_vfio_compat_ioas_create);

/**
 * xiommu_vfio_compat_reset() - forget the type1 state of a context
 * @ictx: the context
 *
 * What a VFIO container does when its last group leaves (upstream's type1
 * releases its iommu then): every mapping of the compatibility IOAS is
 * unmapped and large IOPTEs are allowed again, so the next VFIO_SET_IOMMU
 * starts afresh. Nothing happens without a compatibility IOAS.
 *
 * Context: may sleep.
 */
void xiommu_vfio_compat_reset(struct xiommu_ictx *ictx)
{
	unsigned long unmapped;
	struct xiommu_ioas *ioas;

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return;
	xiommu_iopt_unmap_all(&ioas->iopt, &unmapped);
	xiommu_iopt_set_large_pages(&ioas->iopt, true);
	xiommu_put_object(ictx, &ioas->obj);
}
EXPORT_SYMBOL_GPL(xiommu_vfio_compat_reset);
