// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/xiommu/contexts: every iommufd context (open
 * /dev/iommu files and legacy VFIO containers) with its objects, for
 * tools/xiommu-top and for people (Documentation/iommufd.md, "Observing
 * xiommu"). One line per context, then one line per object:
 *
 *   context N pid P comm C kind iommufd|vfio-container
 *   ioas ID mapped BYTES pinned BYTES areas N
 *   hwpt ID ioas ID unit NAME domain paging|blocked|identity auto 0|1
 *   device ID dev NAME hwpt ID (0: not attached)
 *   access ID ioas ID (0: not attached)
 *   fault ID queued N waiting N (faults not read / read, not answered)
 *
 * "mapped" is the IOVA the IOAS maps; "pinned" the part of it whose pages
 * are pinned for its domains (memory mapped by PFN, a peer's BAR, is not
 * pinned). Every line is "KIND ID" followed by key/value pairs; keys are
 * only ever added. N is the context's position in the list (it changes
 * when an earlier context goes); P and C are those of the task that
 * created it.
 *
 * Locking: xiommu_ictx_list_lock (a mutex) keeps every context on the list
 * alive (xiommu_ictx_release() takes it to unlink); objects are read under
 * a short-term reference only (debug_get_object(): a destroy racing with
 * the read waits for it instead of failing) and their own locks.
 */
#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "iommufd_private.h"

static DEFINE_MUTEX(xiommu_ictx_list_lock);
static LIST_HEAD(xiommu_ictx_list);

/**
 * xiommu_ictx_debug_add() - list a new context in debugfs
 * @ictx: the context, not yet visible to anyone
 *
 * Records the creating task's pid and name. Context: process, may sleep.
 */
void xiommu_ictx_debug_add(struct xiommu_ictx *ictx)
{
	ictx->debug_pid = task_tgid_nr(current);
	get_task_comm(ictx->debug_comm, current);
	mutex_lock(&xiommu_ictx_list_lock);
	list_add_tail(&ictx->debug_item, &xiommu_ictx_list);
	mutex_unlock(&xiommu_ictx_list_lock);
}

/**
 * xiommu_ictx_debug_del() - unlist a context before it is freed
 * @ictx: the context
 *
 * Context: process, may sleep; waits for a reader of the contexts file.
 */
void xiommu_ictx_debug_del(struct xiommu_ictx *ictx)
{
	mutex_lock(&xiommu_ictx_list_lock);
	list_del(&ictx->debug_item);
	mutex_unlock(&xiommu_ictx_list_lock);
}

static void show_ioas(struct seq_file *s, struct xiommu_ioas *ioas)
{
	struct xiommu_iopt *iopt = &ioas->iopt;
	unsigned long mapped = 0, pinned = 0, areas = 0;
	struct interval_tree_node *node;

	down_read(&iopt->iova_rwsem);
	for (node = interval_tree_iter_first(&iopt->area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		struct xiommu_area *area =
			container_of(node, struct xiommu_area, node);

		areas++;
		mapped += xiommu_area_length(area);
		if (area->filled && area->pages && !area->pages->pfns)
			pinned += xiommu_area_length(area);
	}
	up_read(&iopt->iova_rwsem);
	seq_printf(s, "ioas %u mapped %lu pinned %lu areas %lu\n",
		   ioas->obj.id, mapped, pinned, areas);
}

static const char *domain_kind(struct xiommu_domain *domain)
{
	switch (domain->type) {
	case XIOMMU_DOMAIN_BLOCKED:
		return "blocked";
	case XIOMMU_DOMAIN_IDENTITY:
		return "identity";
	case XIOMMU_DOMAIN_PAGING:
		return "paging";
	case XIOMMU_DOMAIN_NESTED:
		return "nested";
	}
	return "unknown";
}

static void show_idev(struct seq_file *s, struct xiommu_idev *idev)
{
	struct xiommu_igroup *igroup = idev->igroup;
	u32 hwpt_id = 0;

	mutex_lock(&igroup->lock);
	if (idev->attached && igroup->hwpt)
		hwpt_id = igroup->hwpt->obj.id;
	mutex_unlock(&igroup->lock);
	seq_printf(s, "device %u dev %s hwpt %u\n", idev->obj.id,
		   dev_name(idev->dev), hwpt_id);
}

static void show_access(struct seq_file *s, struct xiommu_access *access)
{
	u32 ioas_id = 0;

	mutex_lock(&access->ioas_lock);
	if (access->ioas)
		ioas_id = access->ioas->obj.id;
	mutex_unlock(&access->ioas_lock);
	seq_printf(s, "access %u ioas %u\n", access->obj.id, ioas_id);
}

/*
 * A reader's reference: short-term only, never "users", so that an
 * IOMMU_DESTROY or a close racing with a read still succeeds (it waits for
 * the reader in xiommu_object_remove(), which needs users at one).
 */
static struct xiommu_object *debug_get_object(struct xiommu_ictx *ictx,
					      unsigned long id)
{
	struct xiommu_object *obj;

	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	if (!obj || xa_is_zero(obj) ||
	    !refcount_inc_not_zero(&obj->shortterm_users))
		obj = NULL;
	xa_unlock(&ictx->objects);
	return obj;
}

static void debug_put_object(struct xiommu_ictx *ictx,
			     struct xiommu_object *obj)
{
	if (refcount_dec_and_test(&obj->shortterm_users))
		wake_up_all(&ictx->destroy_wait);
}

static void show_ictx(struct seq_file *s, struct xiommu_ictx *ictx,
		      unsigned int n)
{
	struct xiommu_object *obj;
	unsigned long id;
	void *entry;

	seq_printf(s, "context %u pid %d comm %s kind %s\n", n,
		   ictx->debug_pid, ictx->debug_comm,
		   ictx->file ? "iommufd" : "vfio-container");
	xa_for_each(&ictx->objects, id, entry) {
		obj = debug_get_object(ictx, id);
		if (!obj)
			continue;
		switch (obj->type) {
		case XIOMMU_OBJ_IOAS:
			show_ioas(s, container_of(obj, struct xiommu_ioas, obj));
			break;
		case XIOMMU_OBJ_HWPT:
		case XIOMMU_OBJ_HWPT_NESTED: {
			struct xiommu_hwpt *hwpt =
				container_of(obj, struct xiommu_hwpt, obj);

			seq_printf(s, "hwpt %u ioas %u unit %s domain %s auto %d\n",
				   obj->id, hwpt->ioas->obj.id,
				   hwpt->domain->owner ?
				   hwpt->domain->owner->name : "-",
				   domain_kind(hwpt->domain),
				   hwpt->auto_domain);
			break;
		}
		case XIOMMU_OBJ_DEVICE:
			show_idev(s, container_of(obj, struct xiommu_idev, obj));
			break;
		case XIOMMU_OBJ_ACCESS:
			show_access(s, container_of(obj, struct xiommu_access,
						    obj));
			break;
		case XIOMMU_OBJ_FAULT: {
			u32 queued, waiting;

			xiommu_fault_debug_counts(
				container_of(obj, struct xiommu_fault,
					     common.obj),
				&queued, &waiting);
			seq_printf(s, "fault %u queued %u waiting %u\n",
				   obj->id, queued, waiting);
			break;
		}
		default:
			seq_printf(s, "object %u type %d\n", obj->id, obj->type);
			break;
		}
		debug_put_object(ictx, obj);
	}
}

static int contexts_show(struct seq_file *s, void *unused)
{
	struct xiommu_ictx *ictx;
	unsigned int n = 0;

	mutex_lock(&xiommu_ictx_list_lock);
	list_for_each_entry(ictx, &xiommu_ictx_list, debug_item)
		show_ictx(s, ictx, ++n);
	mutex_unlock(&xiommu_ictx_list_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(contexts);

/**
 * xiommu_iommufd_debugfs_init() - create the contexts file
 * @root: /sys/kernel/debug/xiommu (removed with everything in it on exit)
 */
void xiommu_iommufd_debugfs_init(struct dentry *root)
{
	debugfs_create_file("contexts", 0400, root, NULL, &contexts_fops);
}
