/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xiommu virtio-iommu driver: shared definitions.
 *
 * Section references are to the Virtual I/O Device (VIRTIO) specification
 * 1.2, section 5.13 "IOMMU Device" ("virtio spec"), by subsection title,
 * and to the ACPI VIOT table (ACPI 6.5, 5.2.32 "Virtual I/O Translation
 * Table"; structures from <acpi/actbl3.h>). Wire structures and constants
 * come from the kernel's <uapi/linux/virtio_iommu.h>.
 *
 * Files:
 *   main.c      module init/exit, the virtio driver (probe/remove of a
 *               unit), feature negotiation, the xiommu_ops table,
 *               endpoint probe/release, capabilities, reserved regions,
 *               hw_info
 *   request.c   the request queue: slots, batching, one kick per batch,
 *               completion by polling, status -> errno, statistics
 *   domain.c    bypass, blocked and paging domains, endpoint-ID
 *               attachment bookkeeping, MAP/UNMAP, replay
 *   topology.c  which endpoint IDs a device's DMA carries: ACPI VIOT and
 *               device-tree iommu-map/iommus behind one lookup interface
 *   event.c     the event queue: fault reports
 *   debugfs.c   /sys/kernel/debug/xiommu/viommuN/ files, test hooks
 */
#ifndef XIOMMU_VIOMMU_H
#define XIOMMU_VIOMMU_H

#include <linux/idr.h>
#include <linux/interval_tree.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/virtio_iommu.h>

#include <xiommu/driver.h>

/* A request is given up (and the queue declared broken) after this. */
#define VIOMMU_REQ_TIMEOUT_MS	10000

/* Highest request type we send (virtio spec "Device operations"). */
#define VIOMMU_T_MAX		VIRTIO_IOMMU_T_PROBE

struct viommu_unit;
struct viommu_domain;

/* --- request.c ----------------------------------------------------------- */

/**
 * union viommu_req - every fixed-size request (virtio spec "Device
 *	operations"); each ends with its struct virtio_iommu_req_tail
 * @head: the common head (type)
 * @attach: VIRTIO_IOMMU_T_ATTACH
 * @detach: VIRTIO_IOMMU_T_DETACH
 * @map: VIRTIO_IOMMU_T_MAP
 * @unmap: VIRTIO_IOMMU_T_UNMAP
 */
union viommu_req {
	struct virtio_iommu_req_head head;
	struct virtio_iommu_req_attach attach;
	struct virtio_iommu_req_detach detach;
	struct virtio_iommu_req_map map;
	struct virtio_iommu_req_unmap unmap;
};

/**
 * struct viommu_slot - one request in flight
 * @req: the request, when it is a fixed-size one (device-readable part
 *	followed by the device-writable tail)
 * @buf: the buffer handed to the device: &@req or the caller's (PROBE)
 * @out_len: device-readable bytes at @buf
 * @in_len: device-writable bytes after them (tail, PROBE properties)
 * @result: where the request's errno goes when it completes (written only
 *	if it is still 0: the first error wins), or NULL: errors are logged
 * @pending: cleared (release) when the request completed, or NULL
 * @type: request type, for statistics and logs
 */
struct viommu_slot {
	union viommu_req req;
	void *buf;
	unsigned int out_len;
	unsigned int in_len;
	int *result;
	bool *pending;
	u8 type;
};

/**
 * struct viommu_rq - the request virtqueue and its bookkeeping
 * @lock: serialises all use of @vq (virtqueues are not thread safe) and
 *	protects every field below; held while waiting for the device
 * @vq: the request queue (virtqueue 0)
 * @slots: one per ring descriptor, so the ring always fills first
 * @free: indexes of free slots (a stack of @nr_free entries)
 * @nr_slots: entries in @slots
 * @nr_free: entries in @free
 * @inflight: requests added to @vq and not yet completed
 * @unkicked: requests added since the last kick
 * @broken: the device stopped answering: every request fails with -EIO
 * @gone: the device was reset and the queue deleted (unit removed while
 *	user space still holds domains): requests fail with -ENODEV, nothing
 *	is in flight, a sync returns 0
 * @nr_req: requests sent, per type (index VIRTIO_IOMMU_T_*)
 * @nr_err: requests the device answered with an error status, per type
 * @nr_kicks: notifications sent to the device
 * @nr_batches_max: most requests that went in one kick
 * @map_bytes: bytes covered by MAP requests sent
 * @unmap_bytes: bytes covered by UNMAP requests sent
 * @fail_map: test hook: the Nth MAP request from now carries an unknown
 *	flag bit, which the device must reject (0: off)
 * @fail_attach: test hook, the same for ATTACH requests
 */
struct viommu_rq {
	struct mutex lock;
	struct virtqueue *vq;
	struct viommu_slot *slots;
	unsigned int *free;
	unsigned int nr_slots;
	unsigned int nr_free;
	unsigned int inflight;
	unsigned int unkicked;
	bool broken;
	bool gone;
	u64 nr_req[VIOMMU_T_MAX + 1];
	u64 nr_err[VIOMMU_T_MAX + 1];
	u64 nr_kicks;
	u64 nr_batches_max;
	u64 map_bytes;
	u64 unmap_bytes;
	unsigned int fail_map;
	unsigned int fail_attach;
};

int viommu_rq_init(struct viommu_unit *unit, struct virtqueue *vq);
void viommu_rq_destroy(struct viommu_unit *unit);
int viommu_queue(struct viommu_unit *unit, const void *req, size_t len,
		 int *result, bool *pending);
int viommu_sync(struct viommu_unit *unit);
int viommu_send(struct viommu_unit *unit, const void *req, size_t len);
int viommu_send_probe(struct viommu_unit *unit, void *buf, size_t out_len,
		      size_t in_len);
int viommu_status_errno(u8 status);
const char *viommu_req_name(u8 type);

/* --- topology.c ---------------------------------------------------------- */

/* Called once per endpoint ID; a non-zero return stops the walk. */
typedef int (*viommu_id_fn)(u32 id, void *data);

/**
 * struct viommu_topo_ops - where a unit's endpoint IDs are described
 * @name: "acpi-viot" or "of"
 * @init: find the unit's own description; -ENODEV if this firmware
 *	interface does not describe it
 * @destroy: free what @init allocated
 * @dev_ids: call @fn for every endpoint ID @dev's DMA may carry into the
 *	unit (its own requester ID and its DMA aliases for PCI). Returns 0,
 *	-ENODEV if none, or @fn's non-zero return.
 * @show: print the parsed description (debugfs)
 *
 * Both interfaces run the same driver code above them: the endpoint-ID
 * lookup is the only firmware-specific step (ACPI on x86 and arm64 with
 * ACPI, device tree on arm64 without).
 */
struct viommu_topo_ops {
	const char *name;
	int (*init)(struct viommu_unit *unit);
	void (*destroy)(struct viommu_unit *unit);
	int (*dev_ids)(struct viommu_unit *unit, struct device *dev,
		       viommu_id_fn fn, void *data);
	void (*show)(struct viommu_unit *unit, struct seq_file *s);
};

/**
 * struct viommu_pci_range - a VIOT PCI range node that outputs to us
 * @segment_start: first PCI segment of the range
 * @segment_end: last PCI segment (inclusive)
 * @bdf_start: first bus/device/function (bus << 8 | devfn)
 * @bdf_end: last BDF (inclusive)
 * @endpoint_start: endpoint ID of (@segment_start, @bdf_start)
 */
struct viommu_pci_range {
	u16 segment_start;
	u16 segment_end;
	u16 bdf_start;
	u16 bdf_end;
	u32 endpoint_start;
};

/**
 * struct viommu_mmio_ep - a VIOT MMIO endpoint node that outputs to us
 * @base: base address of the endpoint's registers
 * @endpoint: its endpoint ID
 */
struct viommu_mmio_ep {
	u64 base;
	u32 endpoint;
};

int viommu_topo_init(struct viommu_unit *unit);
void viommu_topo_destroy(struct viommu_unit *unit);

/* --- domain.c ------------------------------------------------------------ */

/**
 * enum viommu_domain_kind - what a device-side domain is
 * @VIOMMU_DOM_PAGING: a domain of MAP requests (a struct xiommu_domain of
 *	type XIOMMU_DOMAIN_PAGING)
 * @VIOMMU_DOM_BLOCKED: the unit's empty domain: attached endpoints reach
 *	nothing but their reserved MSI window
 * @VIOMMU_DOM_BYPASS: the unit's bypass domain (ATTACH with
 *	VIRTIO_IOMMU_ATTACH_F_BYPASS): attached endpoints use physical
 *	addresses
 */
enum viommu_domain_kind {
	VIOMMU_DOM_PAGING,
	VIOMMU_DOM_BLOCKED,
	VIOMMU_DOM_BYPASS,
};

/**
 * struct viommu_mapping - one MAP request's range, as the device holds it
 * @node: IOVA range [start, last] in viommu_domain.mappings
 * @paddr: physical address of @node.start
 * @flags: VIRTIO_IOMMU_MAP_F_* sent
 * @err: errno of the device's answer to the last MAP request for this
 *	range (0: accepted or not sent)
 * @queued: a MAP request for this range is in flight (cleared with release
 *	semantics once @err is final); the range must not be freed before
 */
struct viommu_mapping {
	struct interval_tree_node node;
	phys_addr_t paddr;
	u32 flags;
	int err;
	bool queued;
};

/**
 * struct viommu_domain - a domain as the device sees it
 * @domain: the core's view (paging domains only)
 * @unit: the unit whose device holds the domain
 * @kind: paging, blocked or bypass
 * @id: the device's domain ID (virtio spec "ATTACH request")
 * @lock: protects @mappings, @nr_attached and @nr_mappings, and orders
 *	the MAP/UNMAP requests queued for this domain against the ATTACH
 *	requests that create or destroy it on the device
 * @mappings: every mapping of the domain (interval tree of struct
 *	viommu_mapping), kept also while the device does not hold the
 *	domain, to replay them
 * @nr_mappings: entries in @mappings
 * @nr_attached: endpoint IDs attached to the domain on the device. The
 *	device creates a domain with its first endpoint and destroys it
 *	(and its mappings) with its last (virtio spec "DETACH request"), so
 *	MAP and UNMAP are sent only while this is non-zero, and going from
 *	0 to 1 replays every mapping.
 * @node: link in viommu_unit.domains (paging domains)
 */
struct viommu_domain {
	struct xiommu_domain domain;
	struct viommu_unit *unit;
	enum viommu_domain_kind kind;
	u32 id;
	struct mutex lock;
	struct rb_root_cached mappings;
	unsigned long nr_mappings;
	unsigned int nr_attached;
	struct list_head node;
};

static inline struct viommu_domain *to_viommu_domain(struct xiommu_domain *d)
{
	return container_of(d, struct viommu_domain, domain);
}

/**
 * struct viommu_epid - one endpoint ID of a unit
 * @id: the endpoint ID (virtio spec "ATTACH request")
 * @users: endpoints (struct viommu_endpoint) whose DMA carries it: more
 *	than one for devices behind a PCIe-to-PCI bridge, which share the
 *	bridge's ID
 * @dom: the domain the device has it attached to, or NULL when it is not
 *	attached (after reset, DETACH, or an ATTACH whose outcome is unknown)
 *
 * Protected by viommu_unit.attach_lock.
 */
struct viommu_epid {
	u32 id;
	unsigned int users;
	struct viommu_domain *dom;
};

/**
 * struct viommu_resv - a reserved IOVA range from a PROBE answer
 * @list: link in viommu_endpoint.resv
 * @start: first IOVA
 * @last: last IOVA (inclusive)
 * @type: XIOMMU_RESV_RESERVED or XIOMMU_RESV_MSI
 */
struct viommu_resv {
	struct list_head list;
	u64 start;
	u64 last;
	int type;
};

/**
 * struct viommu_endpoint - per-device state
 * @node: link in viommu_unit.endpoints (under viommu_unit.ep_lock)
 * @dev: the device
 * @unit: the unit translating it
 * @resv: reserved regions (struct viommu_resv) the device reported
 * @nr_ids: entries in @ids
 * @ids: the endpoint IDs the device knows for @dev, own ID first
 */
struct viommu_endpoint {
	struct list_head node;
	struct device *dev;
	struct viommu_unit *unit;
	struct list_head resv;
	unsigned int nr_ids;
	struct viommu_epid *ids[];
};

extern struct xiommu_domain viommu_identity_domain;
extern struct xiommu_domain viommu_blocked_domain;
void viommu_domains_init(struct viommu_unit *unit);
struct xiommu_domain *viommu_domain_alloc_paging(struct device *dev,
						 u32 flags);
int viommu_attach_own_ids(struct viommu_unit *unit);
void viommu_domains_forget(struct viommu_unit *unit);
struct viommu_epid *viommu_epid_get(struct viommu_unit *unit, u32 id);
void viommu_epid_put(struct viommu_unit *unit, struct viommu_epid *epid,
		     bool block);
void viommu_domains_show(struct viommu_unit *unit, struct seq_file *s,
			 bool dump);
void viommu_ids_show(struct viommu_unit *unit, struct seq_file *s);

/* --- event.c ------------------------------------------------------------- */

int viommu_event_init(struct viommu_unit *unit, struct virtqueue *vq);
void viommu_event_stop(struct viommu_unit *unit);
void viommu_event_cb(struct virtqueue *vq);
int viommu_event_poll(struct viommu_unit *unit);

/* --- the unit ------------------------------------------------------------ */

/**
 * struct viommu_unit - one virtio-iommu device
 * @iommu: what the xiommu core sees ("viommuN")
 * @vdev: the virtio device
 * @seq: N of "viommuN"
 * @features: feature bits negotiated (virtio spec "Feature bits")
 * @page_size_mask: config page_size_mask (bit N: 2^N-byte pages)
 * @granule: smallest page size (lowest bit of @page_size_mask)
 * @input_start: first IOVA the device translates (config input_range)
 * @input_end: last IOVA (inclusive)
 * @domain_start: first domain ID (config domain_range)
 * @domain_end: last domain ID (inclusive)
 * @probe_size: bytes of PROBE properties (config probe_size)
 * @bypass_at_load: config bypass when we found the device
 * @use_bypass_domain: identity = ATTACH with the bypass flag
 *	(VIRTIO_IOMMU_F_BYPASS_CONFIG); false: identity = not attached
 *	(VIRTIO_IOMMU_F_BYPASS)
 * @topo: the firmware interface describing our endpoints
 * @topo_node: ACPI VIOT: the byte offset of our node in the table
 * @nr_pci_ranges: entries in @pci_ranges
 * @pci_ranges: VIOT PCI range nodes whose output node is ours
 * @nr_mmio_eps: entries in @mmio_eps
 * @mmio_eps: VIOT MMIO endpoint nodes whose output node is ours
 * @rq: the request queue
 * @evq: the event queue (virtqueue 1)
 * @evts: event buffers, one per event queue descriptor
 * @nr_evts: entries in @evts
 * @evt_lock: serialises draining @evq (work and debugfs poll)
 * @evt_irq_lock: protects @evt_stopped against the virtqueue callback
 * @evt_stopped: no more event work may be scheduled (teardown)
 * @event_work: drains @evq after an interrupt
 * @nr_events: event buffers the device returned
 * @attach_lock: serialises every ATTACH/DETACH and protects @ids and
 *	every viommu_epid; outside every domain lock
 * @ids: struct viommu_epid by endpoint ID
 * @bypass: the unit's bypass domain (static, @domain_start + 1)
 * @blocked: the unit's empty domain (static, @domain_start)
 * @domain_ids: IDs of paging domains
 * @dom_lock: protects @domains
 * @domains: live paging domains (for debugfs)
 * @ep_lock: protects @endpoints
 * @endpoints: struct viommu_endpoint of every probed device
 * @registered: xiommu_device_register() done
 * @dying: being torn down: release_device leaves attachments alone
 *
 * Lifetime: the memory lives until the core's last reference to @iommu
 * goes (xiommu_ops.release_unit, driver.h lifecycle step 5): paging domains
 * user space still holds after the device was removed keep it, and their
 * ops then only touch the software state (@rq is gone, no domain is
 * attached on the device). Everything of the device (@vdev, queues,
 * topology, debugfs) is torn down at remove.
 *
 * Lock order: core registry lock (probe/release_device) or core group
 * mutex (attach) -> @attach_lock -> viommu_domain.lock (two at most,
 * ordered by address) -> @rq.lock; core registry lock -> @ep_lock ->
 * the core's endpoint spinlock (xiommu_report_fault() from event
 * handling). @dom_lock and @evt_lock nest inside nothing of ours.
 */
struct viommu_unit {
	struct xiommu_device iommu;
	struct virtio_device *vdev;
	int seq;

	u64 features;
	u64 page_size_mask;
	unsigned long granule;
	u64 input_start;
	u64 input_end;
	u32 domain_start;
	u32 domain_end;
	u32 probe_size;
	u8 bypass_at_load;
	bool use_bypass_domain;

	const struct viommu_topo_ops *topo;
	unsigned int topo_node;
	unsigned int nr_pci_ranges;
	struct viommu_pci_range *pci_ranges;
	unsigned int nr_mmio_eps;
	struct viommu_mmio_ep *mmio_eps;

	struct viommu_rq rq;

	struct virtqueue *evq;
	struct virtio_iommu_fault *evts;
	unsigned int nr_evts;
	struct mutex evt_lock;
	spinlock_t evt_irq_lock;
	bool evt_stopped;
	struct work_struct event_work;
	atomic64_t nr_events;

	struct mutex attach_lock;
	struct xarray ids;
	struct viommu_domain bypass;
	struct viommu_domain blocked;
	struct ida domain_ids;
	struct mutex dom_lock;
	struct list_head domains;

	struct mutex ep_lock;
	struct list_head endpoints;

	bool registered;
	bool dying;
};

static inline struct viommu_unit *to_viommu_unit(struct xiommu_device *iommu)
{
	return container_of(iommu, struct viommu_unit, iommu);
}

/* main.c */
extern const struct xiommu_ops viommu_ops;
struct viommu_endpoint *viommu_ep_find(struct device *dev);
struct device *viommu_dev_of_id(struct viommu_unit *unit, u32 id);
struct device *viommu_unit_parent(struct viommu_unit *unit);

/* debugfs.c */
void viommu_debugfs_init(struct viommu_unit *unit, bool test_hooks);

#endif /* XIOMMU_VIOMMU_H */
