// SPDX-License-Identifier: GPL-2.0-only
/*
 * The request queue of a virtio-iommu unit (virtio spec "Device
 * operations").
 *
 * Every request is a device-readable part followed by a device-writable
 * part that ends in a status byte. Requests are copied into slots (one per
 * ring descriptor, allocated at probe, so queueing never allocates) and
 * added to the virtqueue without notifying the device: viommu_queue().
 * viommu_sync() then kicks once for everything queued so far and waits for
 * all of it: a batch of any length costs one notification. A full ring or
 * a full slot table is flushed the same way and queueing goes on.
 *
 * Completion is polled (virtqueue_get_buf()), not interrupt driven: the
 * request queue has no callback. Waiting happens with the queue mutex held,
 * so the first waiter reaps every answer and records each one where its
 * issuer asked (viommu_slot.result). With QEMU under TCG the device has
 * processed the whole batch by the time the notification write returns,
 * so the first poll finds everything; elsewhere the waiter spins briefly
 * and then sleeps between polls. A device that does not answer within
 * VIOMMU_REQ_TIMEOUT_MS marks the queue broken: every later request
 * fails with -EIO (the slots it holds stay allocated until the device is
 * reset).
 *
 * Status codes become errno values here, once, for every request type:
 *
 *   VIRTIO_IOMMU_S_OK       0
 *   VIRTIO_IOMMU_S_IOERR    -EIO        (virtio transport error)
 *   VIRTIO_IOMMU_S_UNSUPP   -EOPNOTSUPP (request or combination refused)
 *   VIRTIO_IOMMU_S_DEVERR   -EIO        (internal device error)
 *   VIRTIO_IOMMU_S_INVAL    -EINVAL     (bad parameter, overlapping MAP)
 *   VIRTIO_IOMMU_S_RANGE    -ERANGE     (out of range, misaligned, split)
 *   VIRTIO_IOMMU_S_NOENT    -ENOENT     (no such endpoint or domain)
 *   VIRTIO_IOMMU_S_FAULT    -EFAULT     (bad address)
 *   VIRTIO_IOMMU_S_NOMEM    -ENOMEM     (device out of resources)
 *   unknown status          -EIO
 *   buffer returned unwritten (used length 0 or short) -EIO, as the spec
 *   asks ("the driver SHOULD interpret it as a request failure")
 *
 * Statistics (requests and errors per type, kicks, bytes mapped and
 * unmapped) feed debugfs "stats" and `make bench`.
 */
#define pr_fmt(fmt) "xiommu_virtio: " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "viommu.h"

/* A flags bit no version of the spec defines: the device must refuse it. */
#define VIOMMU_UNKNOWN_FLAG	BIT(31)

/* Polls spent spinning before the waiter starts sleeping between polls. */
#define VIOMMU_SPIN_POLLS	200

/**
 * viommu_status_errno() - errno for a request status
 * @status: VIRTIO_IOMMU_S_*
 *
 * Return: 0 for VIRTIO_IOMMU_S_OK, else the negative errno of the table at
 * the top of this file.
 */
int viommu_status_errno(u8 status)
{
	switch (status) {
	case VIRTIO_IOMMU_S_OK:
		return 0;
	case VIRTIO_IOMMU_S_UNSUPP:
		return -EOPNOTSUPP;
	case VIRTIO_IOMMU_S_INVAL:
		return -EINVAL;
	case VIRTIO_IOMMU_S_RANGE:
		return -ERANGE;
	case VIRTIO_IOMMU_S_NOENT:
		return -ENOENT;
	case VIRTIO_IOMMU_S_FAULT:
		return -EFAULT;
	case VIRTIO_IOMMU_S_NOMEM:
		return -ENOMEM;
	case VIRTIO_IOMMU_S_IOERR:
	case VIRTIO_IOMMU_S_DEVERR:
	default:
		return -EIO;
	}
}

/**
 * viommu_req_name() - name of a request type, for logs
 * @type: VIRTIO_IOMMU_T_*
 *
 * Return: a static string.
 */
const char *viommu_req_name(u8 type)
{
	static const char * const names[VIOMMU_T_MAX + 1] = {
		[VIRTIO_IOMMU_T_ATTACH] = "ATTACH",
		[VIRTIO_IOMMU_T_DETACH] = "DETACH",
		[VIRTIO_IOMMU_T_MAP] = "MAP",
		[VIRTIO_IOMMU_T_UNMAP] = "UNMAP",
		[VIRTIO_IOMMU_T_PROBE] = "PROBE",
	};

	return type <= VIOMMU_T_MAX && names[type] ? names[type] : "?";
}

/**
 * viommu_rq_init() - set up the request queue of a unit
 * @unit: the unit (rq.lock already initialised)
 * @vq: its request virtqueue
 *
 * Return: 0 or -ENOMEM.
 */
int viommu_rq_init(struct viommu_unit *unit, struct virtqueue *vq)
{
	struct viommu_rq *rq = &unit->rq;
	unsigned int i, n = virtqueue_get_vring_size(vq);

	rq->vq = vq;
	rq->slots = kcalloc(n, sizeof(*rq->slots), GFP_KERNEL);
	rq->free = kcalloc(n, sizeof(*rq->free), GFP_KERNEL);
	if (!rq->slots || !rq->free) {
		kfree(rq->slots);
		kfree(rq->free);
		rq->slots = NULL;
		rq->free = NULL;
		return -ENOMEM;
	}
	rq->nr_slots = n;
	for (i = 0; i < n; i++)
		rq->free[i] = n - 1 - i;
	rq->nr_free = n;
	return 0;
}

/**
 * viommu_rq_destroy() - free the request queue
 * @unit: the unit, whose device has been reset (no request is in flight
 *	any more, whatever the bookkeeping says)
 */
void viommu_rq_destroy(struct viommu_unit *unit)
{
	struct viommu_rq *rq = &unit->rq;

	/* Domains may outlive the device: they find the queue gone. */
	mutex_lock(&rq->lock);
	rq->gone = true;
	rq->vq = NULL;
	rq->inflight = 0;
	rq->unkicked = 0;
	rq->nr_free = 0;
	kfree(rq->slots);
	kfree(rq->free);
	rq->slots = NULL;
	rq->free = NULL;
	mutex_unlock(&rq->lock);
}

/* A request came back with @len bytes written: record its outcome. */
static void viommu_complete(struct viommu_unit *unit, struct viommu_slot *slot,
			    unsigned int len)
{
	struct viommu_rq *rq = &unit->rq;
	struct virtio_iommu_req_tail *tail;
	int err;

	tail = slot->buf + slot->out_len + slot->in_len - sizeof(*tail);
	err = len < slot->in_len ? -EIO : viommu_status_errno(tail->status);
	if (err) {
		rq->nr_err[slot->type]++;
		if (slot->result) {
			if (!*slot->result)
				*slot->result = err;
		} else {
			dev_err_ratelimited(&unit->vdev->dev,
					    "%s request failed: status %u (%d)\n",
					    viommu_req_name(slot->type),
					    len < slot->in_len ? 0 : tail->status,
					    err);
		}
	}
	/* Publish *result before the issuer may see the request done. */
	if (slot->pending)
		smp_store_release(slot->pending, false); /* pairs: unmap_pages */
	rq->inflight--;
	rq->free[rq->nr_free++] = slot - rq->slots;
}

/* Kick what is queued and reap answers until nothing is in flight. */
static int __viommu_wait(struct viommu_unit *unit)
{
	struct viommu_rq *rq = &unit->rq;
	unsigned long deadline;
	unsigned int spins = 0, len;
	struct viommu_slot *slot;

	lockdep_assert_held(&rq->lock);
	if (rq->gone)
		return 0;
	if (rq->unkicked) {
		rq->nr_batches_max = max_t(u64, rq->nr_batches_max,
					   rq->unkicked);
		rq->unkicked = 0;
		rq->nr_kicks++;
		if (!virtqueue_kick(rq->vq))
			rq->broken = true;
	}

	deadline = jiffies + msecs_to_jiffies(VIOMMU_REQ_TIMEOUT_MS);
	while (rq->inflight && !rq->broken) {
		slot = virtqueue_get_buf(rq->vq, &len);
		if (slot) {
			viommu_complete(unit, slot, len);
			continue;
		}
		if (virtqueue_is_broken(rq->vq)) {
			rq->broken = true;
		} else if (time_after(jiffies, deadline)) {
			dev_err(&unit->vdev->dev,
				"device did not answer %u requests in %u ms: giving up on it\n",
				rq->inflight, VIOMMU_REQ_TIMEOUT_MS);
			rq->broken = true;
		} else if (++spins < VIOMMU_SPIN_POLLS) {
			cpu_relax();
		} else {
			usleep_range(10, 50);
		}
	}
	return rq->broken ? -EIO : 0;
}

/* Test hooks: make the Nth MAP/ATTACH carry a flag the device must refuse. */
static void viommu_apply_test_hooks(struct viommu_rq *rq,
				    struct viommu_slot *slot)
{
	if (slot->type == VIRTIO_IOMMU_T_MAP && rq->fail_map &&
	    !--rq->fail_map)
		slot->req.map.flags |= cpu_to_le32(VIOMMU_UNKNOWN_FLAG);
	if (slot->type == VIRTIO_IOMMU_T_ATTACH && rq->fail_attach &&
	    !--rq->fail_attach)
		slot->req.attach.flags |= cpu_to_le32(VIOMMU_UNKNOWN_FLAG);
}

/*
 * Put one request on the ring, without notifying the device. Either @req
 * (a union viommu_req member of @len bytes, copied) or the caller's @buf
 * (@out_len device-readable bytes followed by @in_len device-writable
 * ones, which must stay valid until the request completes).
 */
static int __viommu_queue(struct viommu_unit *unit, const void *req,
			  size_t len, void *buf, size_t out_len, size_t in_len,
			  int *result, bool *pending)
{
	struct viommu_rq *rq = &unit->rq;
	struct scatterlist out_sg, in_sg, *sgs[2] = { &out_sg, &in_sg };
	struct viommu_slot *slot;
	unsigned int idx;
	u8 type;
	int rc;

	lockdep_assert_held(&rq->lock);
	if (rq->gone)
		return -ENODEV;
	if (rq->broken)
		return -EIO;
	if (!rq->nr_free) {
		rc = __viommu_wait(unit);
		if (rc)
			return rc;
	}
	idx = rq->free[--rq->nr_free];
	slot = &rq->slots[idx];
	if (req) {
		memcpy(&slot->req, req, len);
		slot->buf = &slot->req;
		slot->out_len = len - sizeof(struct virtio_iommu_req_tail);
		slot->in_len = sizeof(struct virtio_iommu_req_tail);
	} else {
		slot->buf = buf;
		slot->out_len = out_len;
		slot->in_len = in_len;
	}
	type = ((struct virtio_iommu_req_head *)slot->buf)->type;
	slot->type = type <= VIOMMU_T_MAX ? type : 0;
	slot->result = result;
	slot->pending = pending;
	viommu_apply_test_hooks(rq, slot);

	sg_init_one(&out_sg, slot->buf, slot->out_len);
	sg_init_one(&in_sg, slot->buf + slot->out_len, slot->in_len);
	rc = virtqueue_add_sgs(rq->vq, sgs, 1, 1, slot,
			       GFP_NOWAIT | __GFP_NOWARN);
	if (rc == -ENOSPC) {
		/* Ring full (descriptors, not slots): flush and retry. */
		rc = __viommu_wait(unit);
		if (!rc)
			rc = virtqueue_add_sgs(rq->vq, sgs, 1, 1, slot,
					       GFP_NOWAIT | __GFP_NOWARN);
	}
	if (rc) {
		rq->free[rq->nr_free++] = idx;
		return rc;
	}
	rq->inflight++;
	rq->unkicked++;
	rq->nr_req[slot->type]++;
	if (type == VIRTIO_IOMMU_T_MAP)
		rq->map_bytes += le64_to_cpu(slot->req.map.virt_end) -
				 le64_to_cpu(slot->req.map.virt_start) + 1;
	else if (type == VIRTIO_IOMMU_T_UNMAP)
		rq->unmap_bytes += le64_to_cpu(slot->req.unmap.virt_end) -
				   le64_to_cpu(slot->req.unmap.virt_start) + 1;
	return 0;
}

/**
 * viommu_queue() - add a request to the batch, without waiting
 * @unit: the unit
 * @req: a fixed-size request (a union viommu_req member), copied
 * @len: its size in bytes, tail included
 * @result: where its errno goes when it completes (first error wins), or
 *	NULL to log failures instead
 * @pending: a flag the completion clears (with release semantics), or NULL
 *
 * The request reaches the device at the next viommu_sync() (or earlier if
 * the ring fills up). *@result and *@pending must stay valid until then.
 *
 * Context: may sleep (a full ring is flushed first).
 * Return: 0, -EIO if the queue is broken, -ENODEV if the device was
 * removed, or the virtqueue's errno.
 */
int viommu_queue(struct viommu_unit *unit, const void *req, size_t len,
		 int *result, bool *pending)
{
	int rc;

	if (pending)
		*pending = true;
	mutex_lock(&unit->rq.lock);
	rc = __viommu_queue(unit, req, len, NULL, 0, 0, result, pending);
	mutex_unlock(&unit->rq.lock);
	if (rc && pending)
		*pending = false;
	return rc;
}

/**
 * viommu_sync() - send the batch and wait for every request in flight
 * @unit: the unit
 *
 * One notification covers everything queued so far. When this returns,
 * every request queued before the call has completed and recorded its
 * outcome.
 *
 * Context: may sleep.
 * Return: 0 (also once the device was removed: nothing is in flight), or
 * -EIO if the device stopped answering.
 */
int viommu_sync(struct viommu_unit *unit)
{
	int rc;

	mutex_lock(&unit->rq.lock);
	rc = __viommu_wait(unit);
	mutex_unlock(&unit->rq.lock);
	return rc;
}

/**
 * viommu_send() - send one request and wait for its answer
 * @unit: the unit
 * @req: a fixed-size request (a union viommu_req member)
 * @len: its size in bytes, tail included
 *
 * Anything queued before goes in the same batch.
 *
 * Context: may sleep.
 * Return: the request's errno (see the table above), or -EIO.
 */
int viommu_send(struct viommu_unit *unit, const void *req, size_t len)
{
	int rc, result = 0;

	mutex_lock(&unit->rq.lock);
	rc = __viommu_queue(unit, req, len, NULL, 0, 0, &result, NULL);
	if (!rc)
		rc = __viommu_wait(unit);
	mutex_unlock(&unit->rq.lock);
	return rc ?: result;
}

/**
 * viommu_send_probe() - send a PROBE request and wait for its answer
 * @unit: the unit
 * @buf: struct virtio_iommu_req_probe followed by @in_len bytes for the
 *	properties and the tail (kmalloc memory: the device writes it)
 * @out_len: device-readable bytes (sizeof(struct virtio_iommu_req_probe))
 * @in_len: probe_size + sizeof(struct virtio_iommu_req_tail)
 *
 * Context: may sleep.
 * Return: the request's errno, or -EIO.
 */
int viommu_send_probe(struct viommu_unit *unit, void *buf, size_t out_len,
		      size_t in_len)
{
	int rc, result = 0;

	mutex_lock(&unit->rq.lock);
	rc = __viommu_queue(unit, NULL, 0, buf, out_len, in_len, &result,
			    NULL);
	if (!rc)
		rc = __viommu_wait(unit);
	mutex_unlock(&unit->rq.lock);
	return rc ?: result;
}
