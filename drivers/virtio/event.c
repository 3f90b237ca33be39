// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event queue of a virtio-iommu unit (virtio spec "Fault reporting").
 *
 * The driver keeps the queue full of device-writable buffers, one struct
 * virtio_iommu_fault each. The device fills one per event and interrupts;
 * the virtqueue callback (interrupt context) only schedules a work item,
 * which drains the queue, hands every fault to the core's
 * xiommu_report_fault() (rate-limited log line, per-unit and per-endpoint
 * counters, as for VT-d) and gives the buffer back. The debugfs "poll"
 * file drains the queue at once, for tests that cannot wait.
 *
 * A fault names an endpoint ID; it is counted on the device that uses the
 * ID, or on the unit only when several devices share it (behind a
 * PCIe-to-PCI bridge) or none does. Reports with non-zero reserved bytes
 * are ignored, as the spec requires; unknown reasons count as
 * VIRTIO_IOMMU_FAULT_R_UNKNOWN.
 */
#define pr_fmt(fmt) "xiommu_virtio: " fmt

#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "viommu.h"

static void viommu_event_work(struct work_struct *work)
{
	viommu_event_poll(container_of(work, struct viommu_unit,
				       event_work));
}

/**
 * viommu_event_init() - fill the event queue with buffers
 * @unit: the unit
 * @vq: its event virtqueue
 *
 * The caller kicks the queue once the device is ready.
 *
 * Return: 0 or -ENOMEM.
 */
int viommu_event_init(struct viommu_unit *unit, struct virtqueue *vq)
{
	unsigned int i, n = virtqueue_get_vring_size(vq);
	struct scatterlist sg;

	INIT_WORK(&unit->event_work, viommu_event_work);
	unit->evq = vq;
	unit->evts = kcalloc(n, sizeof(*unit->evts), GFP_KERNEL);
	if (!unit->evts)
		return -ENOMEM;
	unit->nr_evts = n;
	for (i = 0; i < n; i++) {
		sg_init_one(&sg, &unit->evts[i], sizeof(unit->evts[i]));
		if (virtqueue_add_inbuf(vq, &sg, 1, &unit->evts[i],
					GFP_KERNEL))
			break;
	}
	return i ? 0 : -ENOMEM;
}

/**
 * viommu_event_cb() - event virtqueue callback
 * @vq: the event queue
 *
 * Context: interrupt. Schedules the drain unless the unit is going away.
 */
void viommu_event_cb(struct virtqueue *vq)
{
	struct viommu_unit *unit = vq->vdev->priv;
	unsigned long flags;

	if (!unit)
		return;
	spin_lock_irqsave(&unit->evt_irq_lock, flags);
	if (!unit->evt_stopped)
		schedule_work(&unit->event_work);
	spin_unlock_irqrestore(&unit->evt_irq_lock, flags);
}

/**
 * viommu_event_stop() - no more event handling (teardown)
 * @unit: the unit
 *
 * After return the work is neither running nor scheduled, and the
 * callback schedules nothing.
 */
void viommu_event_stop(struct viommu_unit *unit)
{
	unsigned long flags;

	spin_lock_irqsave(&unit->evt_irq_lock, flags);
	unit->evt_stopped = true;
	spin_unlock_irqrestore(&unit->evt_irq_lock, flags);
	cancel_work_sync(&unit->event_work);
}

static void viommu_handle_fault(struct viommu_unit *unit,
				const struct virtio_iommu_fault *f,
				unsigned int len)
{
	u32 flags = le32_to_cpu(f->flags), ep = le32_to_cpu(f->endpoint);
	u64 addr = 0;
	const char *reason;

	if (len < sizeof(*f)) {
		dev_err_ratelimited(&unit->vdev->dev,
				    "short event (%u bytes) ignored\n", len);
		return;
	}
	if (f->reserved[0] || f->reserved[1] || f->reserved[2])
		return;
	switch (f->reason) {
	case VIRTIO_IOMMU_FAULT_R_DOMAIN:
		reason = "endpoint not attached to a domain";
		break;
	case VIRTIO_IOMMU_FAULT_R_MAPPING:
		reason = flags & (VIRTIO_IOMMU_FAULT_F_READ |
				  VIRTIO_IOMMU_FAULT_F_WRITE) ?
			 "mapping does not permit the access" :
			 "address not mapped";
		break;
	case VIRTIO_IOMMU_FAULT_R_UNKNOWN:
	default:
		reason = "unknown fault";
		break;
	}
	if (flags & VIRTIO_IOMMU_FAULT_F_ADDRESS)
		addr = le64_to_cpu(f->address);
	mutex_lock(&unit->ep_lock);
	xiommu_report_fault(&unit->iommu, viommu_dev_of_id(unit, ep), ep, addr,
			    flags & VIRTIO_IOMMU_FAULT_F_WRITE, reason);
	mutex_unlock(&unit->ep_lock);
}

/**
 * viommu_event_poll() - handle every event the device has returned
 * @unit: the unit
 *
 * Context: process context, may sleep.
 * Return: the number of events handled.
 */
int viommu_event_poll(struct viommu_unit *unit)
{
	struct virtio_iommu_fault *f;
	struct scatterlist sg;
	unsigned int len;
	int n = 0;

	mutex_lock(&unit->evt_lock);
	while (!unit->evt_stopped && (f = virtqueue_get_buf(unit->evq, &len))) {
		atomic64_inc(&unit->nr_events);
		viommu_handle_fault(unit, f, len);
		memset(f, 0, sizeof(*f));
		sg_init_one(&sg, f, sizeof(*f));
		if (virtqueue_add_inbuf(unit->evq, &sg, 1, f, GFP_KERNEL))
			dev_err_ratelimited(&unit->vdev->dev,
					    "cannot give an event buffer back\n");
		n++;
	}
	if (n)
		virtqueue_kick(unit->evq);
	mutex_unlock(&unit->evt_lock);
	return n;
}
