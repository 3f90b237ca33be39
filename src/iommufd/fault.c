// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOPF fault queues (IOMMU_FAULT_QUEUE_ALLOC): the I/O page faults of the
 * devices attached (RID or PASID) to HWPTs allocated with
 * IOMMU_HWPT_FAULT_ID_VALID go to the queue; user space reads them from
 * the queue's file as struct iommu_hwpt_pgfault records and answers each
 * with a struct iommu_hwpt_page_response write naming the record's cookie.
 * Built on the generic event queue (eventq.c); upstream's semantics:
 *
 *  - read() and write() sizes must be multiples of the record size
 *    (ESPIPE); read() gives as many whole records as fit and never blocks
 *    (0 when empty); a read record waits for its response under its cookie;
 *  - write(): a code other than SUCCESS / INVALID or an unknown cookie is
 *    EINVAL, a bad buffer EFAULT; the records before the bad one are taken
 *    (the byte count says how many);
 *  - a device leaving the HWPT (detach, replace, unbind) answers its faults
 *    still queued or waiting (xiommu_fault_auto_respond()): the queued ones
 *    are dropped unread, the waiting cookies become unknown;
 *  - closing the queue's file answers INVALID every fault it holds, queued
 *    or waiting for a response (fault_release()).
 *
 * No unit QEMU 7.2 emulates as xiommu drives it takes page requests (no
 * PRI, no stall), so only the mock's IOMMU_TEST_OP_TRIGGER_IOPF raises
 * faults, and a response goes nowhere beyond completing the record (as for
 * upstream's mock).
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

/**
 * struct xiommu_iopf - one page request (group of one: LAST_PAGE)
 * @entry: event queue entry
 * @rec: the record read() gives (cookie filled at read)
 * @hwpt: the HWPT the device was attached to when it faulted
 * @idev: the device (only compared, never dereferenced: the detach of
 *	@idev answers the fault before @idev can go)
 * @pasid: the PASID the device was attached with, 0 for the RID
 * @cookie: index in fault->response once read
 * @dead: answered by a detach while still queued: read() drops it
 */
struct xiommu_iopf {
	struct xiommu_eventq_entry entry;
	struct iommu_hwpt_pgfault rec;
	struct xiommu_hwpt *hwpt;
	struct xiommu_idev *idev;
	u32 pasid;
	u32 cookie;
	bool dead;
};

static struct xiommu_fault *to_fault(struct xiommu_eventq *eventq)
{
	return container_of(eventq, struct xiommu_fault, common);
}

static ssize_t fault_read(struct xiommu_eventq *eventq, char __user *buf,
			  size_t count)
{
	const size_t sz = sizeof(struct iommu_hwpt_pgfault);
	struct xiommu_fault *fault = to_fault(eventq);
	struct xiommu_eventq_entry *entry;
	struct xiommu_iopf *iopf;
	size_t done = 0;
	int rc = 0;
	u32 seq;

	if (count % sz)
		return -ESPIPE;
	mutex_lock(&fault->mutex);
	while (done + sz <= count) {
		entry = xiommu_eventq_fetch(eventq, &seq);
		if (!entry)
			break;
		if (entry->lost) {
			/* No depth: never queued; skip if it ever is. */
			continue;
		}
		iopf = container_of(entry, struct xiommu_iopf, entry);
		if (iopf->dead) {
			xiommu_eventq_consumed(eventq, entry);
			kfree(iopf);
			continue;
		}
		rc = xa_alloc(&fault->response, &iopf->cookie, iopf,
			      xa_limit_32b, GFP_KERNEL_ACCOUNT);
		if (rc) {
			xiommu_eventq_restore(eventq, entry, seq);
			break;
		}
		iopf->rec.cookie = iopf->cookie;
		if (copy_to_user(buf + done, &iopf->rec, sz)) {
			xa_erase(&fault->response, iopf->cookie);
			xiommu_eventq_restore(eventq, entry, seq);
			rc = -EFAULT;
			break;
		}
		xiommu_eventq_consumed(eventq, entry);
		done += sz;
	}
	mutex_unlock(&fault->mutex);
	return done ? done : rc;
}

static ssize_t fault_write(struct xiommu_eventq *eventq,
			   const char __user *buf, size_t count)
{
	const size_t sz = sizeof(struct iommu_hwpt_page_response);
	struct xiommu_fault *fault = to_fault(eventq);
	struct iommu_hwpt_page_response resp;
	struct xiommu_iopf *iopf;
	size_t done = 0;
	int rc = 0;

	if (count % sz)
		return -ESPIPE;
	mutex_lock(&fault->mutex);
	while (done < count) {
		if (copy_from_user(&resp, buf + done, sz)) {
			rc = -EFAULT;
			break;
		}
		if (resp.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    resp.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		iopf = xa_erase(&fault->response, resp.cookie);
		if (!iopf) {
			rc = -EINVAL;
			break;
		}
		/* The response completes the request (no unit takes one). */
		kfree(iopf);
		done += sz;
	}
	mutex_unlock(&fault->mutex);
	return done ? done : rc;
}

static void fault_free_entry(struct xiommu_eventq *eventq,
			     struct xiommu_eventq_entry *entry)
{
	kfree(container_of(entry, struct xiommu_iopf, entry));
}

/*
 * The queue's file is closed: as upstream, every fault it holds is
 * answered INVALID, those delivered and not read and those read and not
 * answered (no unit takes the response: answering is freeing the record).
 * Faults raised later stay queued until a detach answers them or the
 * queue is destroyed.
 */
static void fault_release(struct xiommu_eventq *eventq)
{
	struct xiommu_fault *fault = to_fault(eventq);
	struct xiommu_eventq_entry *entry, *next;
	struct xiommu_iopf *iopf;
	unsigned long index, flags;
	LIST_HEAD(answer);

	mutex_lock(&fault->mutex);
	spin_lock_irqsave(&eventq->lock, flags);
	list_splice_init(&eventq->deliver, &answer);
	/* The lost marker is the queue's own: it goes back to unlisted. */
	list_del_init(&eventq->lost.node);
	eventq->nr_queued = 0;
	spin_unlock_irqrestore(&eventq->lock, flags);
	list_for_each_entry_safe(entry, next, &answer, node) {
		list_del(&entry->node);
		fault_free_entry(eventq, entry);
	}
	xa_for_each(&fault->response, index, iopf) {
		xa_erase(&fault->response, index);
		kfree(iopf);
	}
	mutex_unlock(&fault->mutex);
}

static const struct xiommu_eventq_ops fault_ops = {
	.read = fault_read,
	.write = fault_write,
	.free_entry = fault_free_entry,
	.release = fault_release,
};

/* Object destroy and abort: no HWPT and no open file uses the queue. */
void xiommu_fault_destroy(struct xiommu_object *obj)
{
	struct xiommu_fault *fault = container_of(obj, struct xiommu_fault,
						  common.obj);
	struct xiommu_iopf *iopf;
	unsigned long index;

	xiommu_eventq_teardown(&fault->common);
	xa_for_each(&fault->response, index, iopf) {
		xa_erase(&fault->response, index);
		kfree(iopf);
	}
	xa_destroy(&fault->response);
	mutex_destroy(&fault->mutex);
}

/**
 * xiommu_get_fault() - look up a fault queue by ID
 * @ictx: context
 * @id: object ID
 *
 * Return: the queue with a short-term reference (xiommu_put_object()), or
 * ERR_PTR(-ENOENT) if @id is no fault queue.
 */
struct xiommu_fault *xiommu_get_fault(struct xiommu_ictx *ictx, u32 id)
{
	struct xiommu_object *obj;

	obj = xiommu_get_object(ictx, id, XIOMMU_OBJ_FAULT);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct xiommu_fault, common.obj);
}

/**
 * xiommu_fault_debug_counts() - what a fault queue holds (debugfs)
 * @fault: the queue, under a short-term reference
 * @queued: returns the faults delivered and not read (or answered by a
 *	detach, not yet dropped)
 * @waiting: returns the faults read and not answered
 *
 * Context: process, may sleep (takes @fault->mutex).
 */
void xiommu_fault_debug_counts(struct xiommu_fault *fault, u32 *queued,
			       u32 *waiting)
{
	struct xiommu_iopf *iopf;
	unsigned long index, flags;
	u32 n = 0;

	mutex_lock(&fault->mutex);
	spin_lock_irqsave(&fault->common.lock, flags);
	*queued = fault->common.nr_queued;
	spin_unlock_irqrestore(&fault->common.lock, flags);
	xa_for_each(&fault->response, index, iopf)
		n++;
	*waiting = n;
	mutex_unlock(&fault->mutex);
}

/**
 * xiommu_fault_alloc_ioctl() - IOMMU_FAULT_QUEUE_ALLOC
 * @ucmd: the ioctl (struct iommu_fault_alloc)
 *
 * Return: 0 with out_fault_id and out_fault_fd (O_CLOEXEC, read/write);
 * -EOPNOTSUPP flags not 0; -EMFILE, -ENOMEM, -EFAULT.
 */
int xiommu_fault_alloc_ioctl(struct xiommu_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct xiommu_fault *fault;
	struct xiommu_object *obj;
	int fdno;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	obj = _xiommu_object_alloc(ucmd->ictx, sizeof(*fault),
				   XIOMMU_OBJ_FAULT);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	fault = container_of(obj, struct xiommu_fault, common.obj);
	xiommu_eventq_init(&fault->common, ucmd->ictx, &fault_ops, 0);
	mutex_init(&fault->mutex);
	xa_init_flags(&fault->response, XA_FLAGS_ALLOC1);

	fdno = xiommu_eventq_get_fd(&fault->common, "[xiommu-pgfault]");
	if (fdno < 0) {
		rc = fdno;
		goto err_abort;
	}
	cmd->out_fault_id = obj->id;
	cmd->out_fault_fd = fdno;
	rc = xiommu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		xiommu_eventq_put_fd(&fault->common, fdno);
		goto err_abort;
	}
	xiommu_object_finalize(ucmd->ictx, obj);
	xiommu_eventq_install_fd(&fault->common, fdno);
	return 0;

err_abort:
	xiommu_object_abort_and_destroy(ucmd->ictx, obj);
	return rc;
}

/**
 * xiommu_fault_auto_respond() - answer the faults of a leaving attachment
 * @hwpt: the HWPT @idev leaves (nothing happens without a fault queue)
 * @idev: the device
 * @pasid: the PASID it leaves, 0 for the RID
 *
 * Faults still queued are dropped unread; faults read and waiting for a
 * response are completed as INVALID, their cookies become unknown.
 *
 * Context: the igroup lock of @idev held (no new fault of the attachment
 * can be raised meanwhile).
 */
void xiommu_fault_auto_respond(struct xiommu_hwpt *hwpt,
			       struct xiommu_idev *idev, u32 pasid)
{
	struct xiommu_fault *fault = hwpt->fault;
	struct xiommu_eventq *eventq;
	struct xiommu_eventq_entry *entry;
	struct xiommu_iopf *iopf;
	unsigned long index, flags;

	if (!fault)
		return;
	eventq = &fault->common;
	mutex_lock(&fault->mutex);
	/*
	 * Only flags change: the list itself is eventq.c's; a reader, which
	 * would take entries off it, is excluded by the mutex.
	 */
	spin_lock_irqsave(&eventq->lock, flags);
	list_for_each_entry(entry, &eventq->deliver, node) {
		if (entry->lost)
			continue;
		iopf = container_of(entry, struct xiommu_iopf, entry);
		if (!iopf->dead && iopf->hwpt == hwpt && iopf->idev == idev &&
		    iopf->pasid == pasid)
			iopf->dead = true;
	}
	spin_unlock_irqrestore(&eventq->lock, flags);
	xa_for_each(&fault->response, index, iopf) {
		if (iopf->hwpt == hwpt && iopf->idev == idev &&
		    iopf->pasid == pasid) {
			xa_erase(&fault->response, index);
			kfree(iopf);
		}
	}
	mutex_unlock(&fault->mutex);
}

/**
 * xiommu_test_trigger_iopf() - raise an I/O page fault of a bound device
 *	(test support: IOMMU_TEST_OP_TRIGGER_IOPF)
 * @ictx: context
 * @idev_id: device object ID
 * @pasid: 0 for a request without PASID (RID), else the PASID
 * @grpid: page request group index
 * @perm: IOMMU_PGFAULT_PERM_* the request asks for
 * @addr: faulting address
 *
 * The fault is a whole group (LAST_PAGE). It goes to the fault queue of
 * the HWPT the device's RID or @pasid is attached to, or, for a @pasid
 * without an attachment of its own, to the RID's nested HWPT where the
 * driver says the PASID table is the user's (xiommu_ops.user_pasid_table,
 * as upstream's core routes it); without one (not
 * attached, or an HWPT without a queue) it is answered INVALID at once
 * and lost, as upstream's core does.
 *
 * Return: 0; -ENOENT @idev_id is no device object; -ENOMEM.
 */
int xiommu_test_trigger_iopf(struct xiommu_ictx *ictx, u32 idev_id, u32 pasid,
			     u32 grpid, u32 perm, u64 addr)
{
	struct xiommu_pasid_attach *attach;
	struct xiommu_igroup *igroup;
	struct xiommu_hwpt *hwpt = NULL;
	struct xiommu_iopf *iopf;
	struct xiommu_idev *idev;
	bool via_rid = false;
	int rc = 0;

	idev = xiommu_get_idev(ictx, idev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	igroup = idev->igroup;
	mutex_lock(&igroup->lock);
	if (!pasid) {
		if (idev->attached)
			hwpt = igroup->hwpt;
	} else {
		attach = xa_load(&igroup->pasids, pasid);
		if (attach && xa_load(&attach->devs, idev->obj.id)) {
			hwpt = attach->hwpt;
		} else if (idev->attached && igroup->hwpt &&
			   igroup->hwpt->domain->type == XIOMMU_DOMAIN_NESTED) {
			/* the unit the nested domain holds a reference on */
			const struct xiommu_ops *ops =
				igroup->hwpt->domain->owner->ops;

			/* the guest's PASID table: the RID's HWPT answers */
			via_rid = ops->user_pasid_table;
			if (via_rid)
				hwpt = igroup->hwpt;
		}
	}
	if (!hwpt || !hwpt->fault)
		goto out_unlock;

	iopf = kzalloc(sizeof(*iopf), GFP_KERNEL_ACCOUNT);
	if (!iopf) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	iopf->rec.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE;
	if (pasid)
		iopf->rec.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
	iopf->rec.dev_id = idev->obj.id;
	iopf->rec.pasid = pasid;
	iopf->rec.grpid = grpid;
	iopf->rec.perm = perm;
	iopf->rec.addr = addr;
	iopf->hwpt = hwpt;
	iopf->idev = idev;
	/* the attachment it came through, for the auto-response on detach */
	iopf->pasid = via_rid ? 0 : pasid;
	/* No depth limit: the entry is always queued. */
	xiommu_eventq_deliver(&hwpt->fault->common, &iopf->entry);
out_unlock:
	mutex_unlock(&igroup->lock);
	xiommu_put_object(ictx, &idev->obj);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_test_trigger_iopf);
