// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event queues: objects whose events user space reads from a file of their
 * own (an anon inode), not through /dev/iommu. The vIOMMU's vEVENTQ
 * (IOMMU_VEVENTQ_ALLOC) and the IOPF fault queue (IOMMU_FAULT_QUEUE_ALLOC)
 * are both one of these; this file is the part they share and knows
 * neither: a list of entries under a spinlock, an optional depth limit with
 * its lost-events accounting, a wait queue, and the file's read / write /
 * poll / release plumbing. What an entry is and how it is formatted for
 * read() belongs to the user of the queue (struct xiommu_eventq_ops).
 *
 * Terms:
 *  - an entry is *queued* from xiommu_eventq_deliver() until the reader
 *    says it is gone (xiommu_eventq_consumed()) or the queue is torn down;
 *    it is *on the list* only until a reader fetches it. So an entry being
 *    copied out still counts against the depth, and a reader that fails to
 *    copy puts it back (xiommu_eventq_restore()) without exceeding it.
 *  - the *lost marker* is one entry embedded in the queue. When an event
 *    cannot be queued (depth reached, or the producer had no memory) the
 *    marker goes to the tail of the list, so the reader learns that events
 *    were lost even when nothing follows. It is never counted and is taken
 *    off the list again when a real entry is queued after it, as the next
 *    entry's sequence number then tells the same story.
 *  - sequence numbers run 0..INT_MAX and wrap to 0; every delivery attempt,
 *    lost or not, takes one, so a gap in what the reader sees is the number
 *    of events lost.
 *
 * Lifetime: the file holds a users reference on the object and a reference
 * on the context, so IOMMU_DESTROY of the object answers EBUSY while the
 * file is open, and closing /dev/iommu first leaves the object (and what
 * it holds) alive until the file is closed too.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "iommufd_private.h"

/**
 * xiommu_eventq_init() - set up an event queue's list (no file yet)
 * @eventq: the queue, embedded in an object that is allocated but not
 *	finalized (its obj member is the object's base)
 * @ictx: the context of the object
 * @ops: the user's ops (read, optional write, free_entry)
 * @depth: the most entries that may be queued at once, or 0 for no limit
 *
 * Context: may not fail; nothing to undo before xiommu_eventq_get_fd().
 */
void xiommu_eventq_init(struct xiommu_eventq *eventq, struct xiommu_ictx *ictx,
			const struct xiommu_eventq_ops *ops, u32 depth)
{
	eventq->ictx = ictx;
	eventq->ops = ops;
	eventq->depth = depth;
	spin_lock_init(&eventq->lock);
	INIT_LIST_HEAD(&eventq->deliver);
	INIT_LIST_HEAD(&eventq->lost.node);
	eventq->lost.lost = true;
	init_waitqueue_head(&eventq->wait_queue);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_eventq_init);

/* Take the next sequence number; eventq->lock held. */
static u32 eventq_next_seq(struct xiommu_eventq *eventq)
{
	u32 seq = eventq->sequence;

	eventq->sequence = (seq + 1) & INT_MAX;
	return seq;
}

/* Put the lost marker at the tail with a fresh sequence; lock held. */
static void eventq_mark_lost(struct xiommu_eventq *eventq)
{
	list_del_init(&eventq->lost.node);
	eventq->lost.sequence = eventq_next_seq(eventq);
	list_add_tail(&eventq->lost.node, &eventq->deliver);
	eventq->nr_lost++;
}

/**
 * xiommu_eventq_deliver() - queue an entry and wake readers
 * @eventq: the queue
 * @entry: the entry, not on any list; its sequence is set here
 *
 * Context: any (takes @eventq->lock with interrupts saved).
 * Return: true if @entry was queued (the queue owns it now); false if the
 * queue is full: @entry stays the caller's to free and the lost marker
 * records the loss.
 */
bool xiommu_eventq_deliver(struct xiommu_eventq *eventq,
			   struct xiommu_eventq_entry *entry)
{
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&eventq->lock, flags);
	if (eventq->depth && eventq->nr_queued >= eventq->depth) {
		eventq_mark_lost(eventq);
	} else {
		/* A real entry after the marker carries the gap itself. */
		list_del_init(&eventq->lost.node);
		entry->lost = false;
		entry->sequence = eventq_next_seq(eventq);
		list_add_tail(&entry->node, &eventq->deliver);
		eventq->nr_queued++;
		queued = true;
	}
	spin_unlock_irqrestore(&eventq->lock, flags);
	wake_up_interruptible(&eventq->wait_queue);
	return queued;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_eventq_deliver);

/**
 * xiommu_eventq_report_lost() - record an event the producer could not queue
 * @eventq: the queue
 *
 * For producers that failed before they had an entry (no memory): the
 * event takes a sequence number and the lost marker goes to the tail.
 *
 * Context: any.
 */
void xiommu_eventq_report_lost(struct xiommu_eventq *eventq)
{
	unsigned long flags;

	spin_lock_irqsave(&eventq->lock, flags);
	eventq_mark_lost(eventq);
	spin_unlock_irqrestore(&eventq->lock, flags);
	wake_up_interruptible(&eventq->wait_queue);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_eventq_report_lost);

/**
 * xiommu_eventq_fetch() - take the first entry off the list for a reader
 * @eventq: the queue
 * @seq: returns the entry's sequence number (for the lost marker, the one
 *	it had when fetched: a producer may move the marker meanwhile)
 *
 * The entry stays queued (it counts against the depth) until the reader
 * calls xiommu_eventq_consumed() after copying it out, or
 * xiommu_eventq_restore() if it could not.
 *
 * Context: any; readers are serialised by the caller if they must be.
 * Return: the entry (&@eventq->lost for the lost marker: test ->lost), or
 * NULL if the list is empty.
 */
struct xiommu_eventq_entry *xiommu_eventq_fetch(struct xiommu_eventq *eventq,
						u32 *seq)
{
	struct xiommu_eventq_entry *entry = NULL;
	unsigned long flags;

	spin_lock_irqsave(&eventq->lock, flags);
	if (!list_empty(&eventq->deliver)) {
		entry = list_first_entry(&eventq->deliver,
					 struct xiommu_eventq_entry, node);
		list_del_init(&entry->node);
		*seq = entry->sequence;
	}
	spin_unlock_irqrestore(&eventq->lock, flags);
	return entry;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_eventq_fetch);

/**
 * xiommu_eventq_restore() - give back an entry a reader could not copy
 * @eventq: the queue
 * @entry: from xiommu_eventq_fetch() on @eventq
 * @seq: the sequence number xiommu_eventq_fetch() returned with it
 *
 * The entry goes back to the head of the list. The lost marker goes back
 * only if no producer has moved it to the tail again in the meantime (the
 * newer position reports the newer loss).
 *
 * Context: any.
 */
void xiommu_eventq_restore(struct xiommu_eventq *eventq,
			   struct xiommu_eventq_entry *entry, u32 seq)
{
	unsigned long flags;

	spin_lock_irqsave(&eventq->lock, flags);
	if (!entry->lost || list_empty(&entry->node)) {
		entry->sequence = seq;
		list_add(&entry->node, &eventq->deliver);
	}
	spin_unlock_irqrestore(&eventq->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_eventq_restore);

/**
 * xiommu_eventq_consumed() - an entry from xiommu_eventq_fetch() was read
 * @eventq: the queue
 * @entry: the entry; a normal entry is the caller's to free after this,
 *	the lost marker needs nothing
 *
 * Context: any.
 */
void xiommu_eventq_consumed(struct xiommu_eventq *eventq,
			    struct xiommu_eventq_entry *entry)
{
	unsigned long flags;

	if (entry->lost)
		return;
	spin_lock_irqsave(&eventq->lock, flags);
	if (!WARN_ON(!eventq->nr_queued))
		eventq->nr_queued--;
	spin_unlock_irqrestore(&eventq->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_eventq_consumed);

/**
 * xiommu_eventq_teardown() - free every entry left in a queue
 * @eventq: the queue; no file references it any more (object destroy or
 *	abort), so no reader or producer runs
 *
 * Calls @eventq->ops->free_entry for each queued entry on the list, oldest
 * first; the lost marker is dropped.
 */
void xiommu_eventq_teardown(struct xiommu_eventq *eventq)
{
	struct xiommu_eventq_entry *entry, *next;

	list_for_each_entry_safe(entry, next, &eventq->deliver, node) {
		list_del_init(&entry->node);
		if (!entry->lost)
			eventq->ops->free_entry(eventq, entry);
	}
	eventq->nr_queued = 0;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_eventq_teardown);

/* ------------------------------------------------------------------------
 * The file
 */
static ssize_t eventq_fops_read(struct file *filep, char __user *buf,
				size_t count, loff_t *ppos)
{
	struct xiommu_eventq *eventq = filep->private_data;

	if (*ppos)
		return -ESPIPE;
	return eventq->ops->read(eventq, buf, count);
}

static ssize_t eventq_fops_write(struct file *filep, const char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct xiommu_eventq *eventq = filep->private_data;

	if (!eventq->ops->write)
		return -EINVAL;
	if (*ppos)
		return -ESPIPE;
	return eventq->ops->write(eventq, buf, count);
}

static __poll_t eventq_fops_poll(struct file *filep, poll_table *wait)
{
	struct xiommu_eventq *eventq = filep->private_data;
	__poll_t mask = eventq->ops->write ? EPOLLOUT | EPOLLWRNORM : 0;
	unsigned long flags;

	poll_wait(filep, &eventq->wait_queue, wait);
	spin_lock_irqsave(&eventq->lock, flags);
	if (!list_empty(&eventq->deliver))
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock_irqrestore(&eventq->lock, flags);
	return mask;
}

static int eventq_fops_release(struct inode *inode, struct file *filep)
{
	struct xiommu_eventq *eventq = filep->private_data;

	/* NULL: xiommu_eventq_put_fd() dropped the references already. */
	if (!eventq)
		return 0;
	if (eventq->ops->release)
		eventq->ops->release(eventq);
	/* The object may be destroyed from here on (IOMMU_DESTROY, close). */
	refcount_dec(&eventq->obj.users);
	xiommu_ictx_put(eventq->ictx);
	return 0;
}

static const struct file_operations xiommu_eventq_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.read = eventq_fops_read,
	.write = eventq_fops_write,
	.poll = eventq_fops_poll,
	.release = eventq_fops_release,
	.llseek = no_llseek,
};

/**
 * xiommu_eventq_get_fd() - create the queue's file and reserve an fd for it
 * @eventq: the queue, after xiommu_eventq_init(), object not finalized
 * @name: the anon inode's name, e.g. "[xiommu-vevent]"
 *
 * On success the file holds a users reference on @eventq->obj and a
 * reference on the context. The caller then either finalizes the object
 * and calls xiommu_eventq_install_fd(), or undoes this with
 * xiommu_eventq_put_fd() before aborting the object.
 *
 * Return: the reserved fd number, or -EMFILE (no fd), -ENOMEM, -ENFILE.
 */
int xiommu_eventq_get_fd(struct xiommu_eventq *eventq, const char *name)
{
	struct file *filep;
	int fdno;

	fdno = get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0)
		return fdno;
	filep = anon_inode_getfile(name, &xiommu_eventq_fops, eventq, O_RDWR);
	if (IS_ERR(filep)) {
		put_unused_fd(fdno);
		return PTR_ERR(filep);
	}
	/* anon_inode_getfile() does not call ->open */
	filep->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE);
	refcount_inc(&eventq->obj.users);
	kref_get(&eventq->ictx->kref);
	eventq->filep = filep;
	return fdno;
}

/**
 * xiommu_eventq_install_fd() - publish the fd of xiommu_eventq_get_fd()
 * @eventq: the queue, its object finalized
 * @fdno: the fd number xiommu_eventq_get_fd() returned
 *
 * Cannot fail; from now on the file belongs to user space.
 */
void xiommu_eventq_install_fd(struct xiommu_eventq *eventq, int fdno)
{
	fd_install(fdno, eventq->filep);
}

/**
 * xiommu_eventq_put_fd() - undo xiommu_eventq_get_fd() before finalize
 * @eventq: the queue, object not finalized
 * @fdno: the fd number xiommu_eventq_get_fd() returned
 *
 * Drops the file's references at once, so the caller may abort and free
 * the object right after (the file's own release, which runs later from
 * fput(), no longer points at it).
 */
void xiommu_eventq_put_fd(struct xiommu_eventq *eventq, int fdno)
{
	struct file *filep = eventq->filep;

	put_unused_fd(fdno);
	refcount_dec(&eventq->obj.users);
	xiommu_ictx_put(eventq->ictx);
	/* A release that finds no queue does nothing (see below). */
	filep->private_data = NULL;
	eventq->filep = NULL;
	fput(filep);
}
