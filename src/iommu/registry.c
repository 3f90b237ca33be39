// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommu-lite registry: IOMMU units, endpoints and the bus watch.
 *
 * The kernel's IOMMU core is not used for the devices xiommu manages, so the
 * core keeps its own records:
 *
 *  - xiommu_units: every registered struct xiommu_device, in registration
 *    order. A device is offered to the units of its bus in that order; the
 *    first whose probe_device() accepts it translates it.
 *  - xiommu_endpoints: a hash table from struct device * to struct
 *    xiommu_endpoint. We never touch dev->iommu or dev->iommu_group: those
 *    belong to the kernel's IOMMU core, which may be managing other devices.
 *  - bus watches: one bus notifier per bus that has a unit, so devices
 *    added later are probed, removed ones released, and kernel drivers
 *    binding to user-owned groups are caught (fail closed, see group.c).
 *
 * Locking: xiommu_registry_lock (a mutex) protects the unit list and the
 * endpoint table; it is taken before any group->mutex. The bus watches
 * have their own mutex, xiommu_bus_watch_lock, never held together with
 * the registry lock: the bus notifier runs with the bus's notifier rwsem
 * held and takes the registry lock, so (un)registering a notifier under
 * the registry lock would invert that order (lockdep reports it).
 * Endpoint fields other than @group_node are written once, under the
 * registry lock, before the endpoint is published.
 */
#define pr_fmt(fmt) "xiommu: " fmt

#include <linux/debugfs.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "iommu_lite.h"

static DEFINE_MUTEX(xiommu_registry_lock);
static LIST_HEAD(xiommu_units);
/* Writers hold the registry lock and this; atomic-context readers this. */
static DEFINE_SPINLOCK(xiommu_ep_lock);
static DEFINE_HASHTABLE(xiommu_endpoints, 8);
static DEFINE_MUTEX(xiommu_bus_watch_lock);
static LIST_HEAD(xiommu_bus_watches);
static struct dentry *xiommu_debugfs_root;

/**
 * struct xiommu_bus_watch - a bus notifier shared by the units of one bus
 * @list: link in xiommu_bus_watches
 * @bus: the bus
 * @nb: notifier registered on @bus
 * @users: units on @bus
 */
struct xiommu_bus_watch {
	struct list_head list;
	const struct bus_type *bus;
	struct notifier_block nb;
	unsigned int users;
};

/* Registry lock or endpoint spinlock held. */
struct xiommu_endpoint *xiommu_ep_lookup(struct device *dev)
{
	struct xiommu_endpoint *ep;

	lockdep_assert(lockdep_is_held(&xiommu_registry_lock) ||
		       lockdep_is_held(&xiommu_ep_lock));

	hash_for_each_possible(xiommu_endpoints, ep, node, (unsigned long)dev)
		if (ep->dev == dev)
			return ep;
	return NULL;
}

/*
 * Endpoints are published before probe_device() so drivers can set priv.
 * The accessors below take only the endpoint spinlock (drivers call them
 * from their ops, some of which run with the registry lock held) and read
 * or write the endpoint's field while holding it: the endpoint may be
 * released (hot-removal, unit unregister) as soon as the lock is dropped,
 * so no endpoint pointer leaves these functions.
 */

/**
 * xiommu_endpoint_set_priv() - attach driver-private state to an endpoint
 * @dev: device being probed or already an endpoint
 * @priv: driver data, returned by xiommu_endpoint_priv(); NULL to clear
 *	(release_device clears it before freeing the data)
 *
 * Callable from ops->probe_device() until ops->release_device() returns.
 */
void xiommu_endpoint_set_priv(struct device *dev, void *priv)
{
	struct xiommu_endpoint *ep;
	unsigned long flags;

	spin_lock_irqsave(&xiommu_ep_lock, flags);
	ep = xiommu_ep_lookup(dev);
	if (ep)
		ep->priv = priv;
	spin_unlock_irqrestore(&xiommu_ep_lock, flags);
}
EXPORT_SYMBOL_GPL(xiommu_endpoint_set_priv);

/**
 * xiommu_endpoint_priv() - driver-private state of an endpoint
 * @dev: an endpoint
 *
 * The driver's data stays valid as long as the driver keeps it: normally
 * from probe_device until its release_device, which is never called while
 * another op of the core for @dev runs.
 *
 * Return: what the driver set with xiommu_endpoint_set_priv(), or NULL.
 */
void *xiommu_endpoint_priv(struct device *dev)
{
	struct xiommu_endpoint *ep;
	unsigned long flags;
	void *priv;

	spin_lock_irqsave(&xiommu_ep_lock, flags);
	ep = xiommu_ep_lookup(dev);
	priv = ep ? ep->priv : NULL;
	spin_unlock_irqrestore(&xiommu_ep_lock, flags);
	return priv;
}
EXPORT_SYMBOL_GPL(xiommu_endpoint_priv);

/*
 * The unit translating @dev with a reference (xiommu_device_put()), or
 * NULL. The reference is taken under the endpoint spinlock: while the
 * endpoint is published its unit is registered and the driver's own
 * reference is held (it is dropped only after unregister released every
 * endpoint), so the count cannot be zero here.
 */
struct xiommu_device *xiommu_endpoint_iommu_get(struct device *dev)
{
	struct xiommu_device *iommu = NULL;
	struct xiommu_endpoint *ep;
	unsigned long flags;

	spin_lock_irqsave(&xiommu_ep_lock, flags);
	ep = xiommu_ep_lookup(dev);
	if (ep) {
		iommu = ep->iommu;
		xiommu_device_get(iommu);
	}
	spin_unlock_irqrestore(&xiommu_ep_lock, flags);
	return iommu;
}

/**
 * xiommu_endpoint_iommu() - the unit translating @dev
 * @dev: any device
 *
 * Return: the unit, or NULL if no registered unit translates @dev.
 */
struct xiommu_device *xiommu_endpoint_iommu(struct device *dev)
{
	struct xiommu_device *iommu;
	struct xiommu_endpoint *ep;
	unsigned long flags;

	spin_lock_irqsave(&xiommu_ep_lock, flags);
	ep = xiommu_ep_lookup(dev);
	iommu = ep ? ep->iommu : NULL;
	spin_unlock_irqrestore(&xiommu_ep_lock, flags);
	return iommu;
}
EXPORT_SYMBOL_GPL(xiommu_endpoint_iommu);

/*
 * Replace @pdev's driver_override with @name (NULL or "" clears it) and
 * return the old string, which the caller frees. The device lock must be
 * held: 6.1's driver_set_override() takes it itself, which the bus
 * notifier (called with it held) and the group paths (which may only
 * trylock it, see xiommu_ep_guard()) cannot use. Same effect, minus its
 * newline trimming, which our fixed strings do not need.
 */
static int ep_swap_override_locked(struct pci_dev *pdev, const char *name,
				   const char **old)
{
	char *new = NULL;

	device_lock_assert(&pdev->dev);
	if (name && *name) {
		new = kstrdup(name, GFP_KERNEL);
		if (!new)
			return -ENOMEM;
	}
	*old = pdev->driver_override;
	pdev->driver_override = new;
	return 0;
}

/*
 * driver_override on an idle member of a claimed group, so that no kernel
 * driver auto-binds to it while user space owns the group; @drv_name is
 * the owner's policy (the DMA-managing driver it reserves members for).
 * Only PCI has an override in 6.1's struct device model that we can reach.
 * @locked: the caller holds @ep->dev's device lock (the bus notifier).
 *
 * The group paths hold group->mutex here, and a driver core thread that
 * holds the device lock (probe, remove) may be waiting for that mutex in
 * the bus notifier: so they only trylock the device. A device whose lock
 * is busy is skipped; if that was a bind, the notifier fails closed
 * (Documentation/groups.md).
 */
void xiommu_ep_guard(struct xiommu_endpoint *ep, const char *drv_name,
		     bool locked)
{
	const char *old;

	if (!dev_is_pci(ep->dev) || ep->override_set || !drv_name ||
	    READ_ONCE(ep->dev->driver))
		return;
	if (!locked && !device_trylock(ep->dev))
		return;
	if (!ep->dev->driver &&
	    !ep_swap_override_locked(to_pci_dev(ep->dev), drv_name, &old)) {
		ep->saved_override = old;
		ep->override_set = true;
	}
	if (!locked)
		device_unlock(ep->dev);
}

void xiommu_ep_unguard(struct xiommu_endpoint *ep)
{
	const char *old = NULL;

	if (!ep->override_set)
		return;
	/*
	 * A member guarded while idle may have been bound since, to the
	 * DMA-managing driver the override names, and the last release can
	 * come from that driver's remove() with the device lock held: leave a
	 * bound device's override as it is (it names the driver it is bound
	 * to), and one whose lock is busy too (see xiommu_ep_guard()).
	 */
	if (!READ_ONCE(ep->dev->driver) && device_trylock(ep->dev)) {
		if (!ep->dev->driver &&
		    !ep_swap_override_locked(to_pci_dev(ep->dev),
					     ep->saved_override, &old))
			kfree(old);
		device_unlock(ep->dev);
	}
	kfree(ep->saved_override);
	ep->saved_override = NULL;
	ep->override_set = false;
}

/* Called with the registry lock held. */
static int xiommu_probe_one(struct xiommu_device *iommu, struct device *dev)
{
	struct xiommu_endpoint *ep;
	struct xiommu_group *group;
	int rc;

	lockdep_assert_held(&xiommu_registry_lock);
	if (xiommu_ep_lookup(dev))
		return 0;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return -ENOMEM;
	ep->dev = get_device(dev);
	ep->iommu = iommu;
	INIT_LIST_HEAD(&ep->group_node);
	atomic64_set(&ep->faults, 0);
	spin_lock_irq(&xiommu_ep_lock);
	hash_add(xiommu_endpoints, &ep->node, (unsigned long)dev);
	spin_unlock_irq(&xiommu_ep_lock);

	rc = iommu->ops->probe_device(iommu, dev);
	if (rc)
		goto err_unpublish;

	group = iommu->ops->device_group(dev);
	if (IS_ERR(group)) {
		rc = PTR_ERR(group);
		goto err_release;
	}
	/*
	 * Read under the endpoint spinlock by the bus notifier; set before
	 * the endpoint joins, so a driver binding meanwhile is checked
	 * against the group (fail closed) rather than missed.
	 */
	spin_lock_irq(&xiommu_ep_lock);
	ep->group = group;
	spin_unlock_irq(&xiommu_ep_lock);
	rc = xiommu_group_add_endpoint(group, ep);
	if (rc)
		goto err_put_group;
	return 0;

err_put_group:
	spin_lock_irq(&xiommu_ep_lock);
	ep->group = NULL;
	spin_unlock_irq(&xiommu_ep_lock);
	xiommu_group_put(group);
err_release:
	if (iommu->ops->release_device)
		iommu->ops->release_device(dev);
err_unpublish:
	spin_lock_irq(&xiommu_ep_lock);
	hash_del(&ep->node);
	spin_unlock_irq(&xiommu_ep_lock);
	put_device(ep->dev);
	kfree(ep);
	return rc == -ENODEV ? 0 : rc;
}

/* Called with the registry lock held. */
static void xiommu_release_one(struct xiommu_endpoint *ep)
{
	lockdep_assert_held(&xiommu_registry_lock);
	xiommu_group_remove_endpoint(ep->group, ep);
	xiommu_ep_unguard(ep);
	if (ep->iommu->ops->release_device)
		ep->iommu->ops->release_device(ep->dev);
	spin_lock_irq(&xiommu_ep_lock);
	hash_del(&ep->node);
	spin_unlock_irq(&xiommu_ep_lock);
	xiommu_group_put(ep->group);
	put_device(ep->dev);
	kfree(ep);
}

static void xiommu_probe_dev_all_units(struct device *dev)
{
	struct xiommu_device *iommu;

	list_for_each_entry(iommu, &xiommu_units, list) {
		if (iommu->bus != dev->bus)
			continue;
		if (xiommu_probe_one(iommu, dev))
			dev_warn(dev, "xiommu: probe by %s failed\n",
				 iommu->name);
		if (xiommu_ep_lookup(dev))
			return;
	}
}

static int xiommu_bus_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct device *dev = data;
	struct xiommu_endpoint *ep;

	/*
	 * BIND_DRIVER comes before the driver's probe() runs (dev->driver is
	 * set), UNBOUND_DRIVER after its remove() and DRIVER_NOT_BOUND after
	 * a failed probe (dev->driver is NULL again); all with the device
	 * lock held. Fail closed happens here, synchronously, so no kernel driver
	 * ever runs on a member of a user-owned group while the group
	 * translates through a user domain (Documentation/groups.md). The
	 * registry lock is not taken: the endpoint spinlock finds the group,
	 * a reference keeps it, and group->mutex is the only lock taken.
	 */
	if (action == BUS_NOTIFY_BIND_DRIVER ||
	    action == BUS_NOTIFY_UNBOUND_DRIVER ||
	    action == BUS_NOTIFY_DRIVER_NOT_BOUND) {
		struct xiommu_group *group = NULL;

		spin_lock_irq(&xiommu_ep_lock);
		ep = xiommu_ep_lookup(dev);
		/*
		 * An endpoint being probed is published before it joins its
		 * group (probe_device may look it up): no group yet, nothing
		 * to guard; xiommu_group_add_endpoint() sees the driver.
		 */
		if (ep && ep->group) {
			group = ep->group;
			kref_get(&group->kref);
		}
		spin_unlock_irq(&xiommu_ep_lock);
		if (!group)
			return NOTIFY_DONE;
		if (action == BUS_NOTIFY_BIND_DRIVER)
			xiommu_group_driver_bind(group, dev);
		else
			xiommu_group_driver_unbound(group, dev);
		xiommu_group_put(group);
		return NOTIFY_DONE;
	}

	mutex_lock(&xiommu_registry_lock);
	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		xiommu_probe_dev_all_units(dev);
		break;
	case BUS_NOTIFY_REMOVED_DEVICE:
		ep = xiommu_ep_lookup(dev);
		if (ep)
			xiommu_release_one(ep);
		break;
	}
	mutex_unlock(&xiommu_registry_lock);
	return NOTIFY_DONE;
}

/* Called without the registry lock (see the top of the file). */
static int xiommu_bus_watch_get(const struct bus_type *bus)
{
	struct xiommu_bus_watch *w;
	int rc = 0;

	mutex_lock(&xiommu_bus_watch_lock);
	list_for_each_entry(w, &xiommu_bus_watches, list) {
		if (w->bus == bus) {
			w->users++;
			goto out_unlock;
		}
	}
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	w->bus = bus;
	w->users = 1;
	w->nb.notifier_call = xiommu_bus_notify;
	/* 6.1's bus_register_notifier() takes a non-const bus. */
	rc = bus_register_notifier((struct bus_type *)bus, &w->nb);
	if (rc) {
		kfree(w);
		goto out_unlock;
	}
	list_add(&w->list, &xiommu_bus_watches);
out_unlock:
	mutex_unlock(&xiommu_bus_watch_lock);
	return rc;
}

/* Called without the registry lock (see the top of the file). */
static void xiommu_bus_watch_put(const struct bus_type *bus)
{
	struct xiommu_bus_watch *w;

	mutex_lock(&xiommu_bus_watch_lock);
	list_for_each_entry(w, &xiommu_bus_watches, list) {
		if (w->bus != bus)
			continue;
		if (--w->users)
			break;
		list_del(&w->list);
		bus_unregister_notifier((struct bus_type *)bus, &w->nb);
		kfree(w);
		break;
	}
	mutex_unlock(&xiommu_bus_watch_lock);
}

static int xiommu_probe_walk(struct device *dev, void *data)
{
	struct xiommu_device *iommu = data;

	if (xiommu_probe_one(iommu, dev))
		dev_warn(dev, "xiommu: probe by %s failed\n", iommu->name);
	return 0;
}

static int faults_get(void *data, u64 *val)
{
	struct xiommu_device *iommu = data;

	*val = atomic64_read(&iommu->faults);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(faults_fops, faults_get, NULL, "%llu\n");

static const char *domain_type_name(struct xiommu_domain *domain)
{
	if (!domain)
		return "none";
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
	return "?";
}

/*
 * /sys/kernel/debug/xiommu/<unit>/endpoints: one line per endpoint,
 * "<device> group <id> domain <type> owned <0|1> faults <n>".
 */
static int endpoints_show(struct seq_file *s, void *unused)
{
	struct xiommu_device *iommu = s->private;
	struct xiommu_endpoint *ep;
	int bkt;

	mutex_lock(&xiommu_registry_lock);
	hash_for_each(xiommu_endpoints, bkt, ep, node) {
		struct xiommu_group *group = ep->group;

		if (ep->iommu != iommu)
			continue;
		mutex_lock(&group->mutex);
		seq_printf(s, "%s group %d domain %s owned %d faults %lld\n",
			   dev_name(ep->dev), group->id,
			   domain_type_name(group->domain), !!group->owner,
			   (long long)atomic64_read(&ep->faults));
		mutex_unlock(&group->mutex);
	}
	mutex_unlock(&xiommu_registry_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(endpoints);

/**
 * xiommu_device_register() - register an IOMMU unit with the core
 * @iommu: unit with @ops, @bus and @name filled in
 *
 * Probes every device already on @iommu->bus (see the lifecycle in
 * driver.h): each accepted device becomes an endpoint in a group attached
 * to the unit's default domain (identity, else blocking). Devices added to
 * the bus later are probed as they appear. The driver turns translation on
 * only after this returns.
 *
 * Context: process context, may sleep. Takes the registry lock.
 * Return: 0, -EINVAL if the ops lack a mandatory member, -EEXIST if @iommu
 * is already registered, -ENOMEM.
 */
int xiommu_device_register(struct xiommu_device *iommu)
{
	const struct xiommu_ops *ops = iommu->ops;
	struct xiommu_device *it;
	int rc;

	if (!ops || !iommu->bus || !ops->probe_device || !ops->device_group ||
	    !ops->blocked_domain || !ops->capable)
		return -EINVAL;

	/* Static domains belong to the unit's driver: fill in the owner. */
	ops->blocked_domain->type = XIOMMU_DOMAIN_BLOCKED;
	if (ops->identity_domain)
		ops->identity_domain->type = XIOMMU_DOMAIN_IDENTITY;
	atomic64_set(&iommu->faults, 0);
	kref_init(&iommu->users);
	iommu->dying = false;

	/*
	 * Watch the bus first: a device added from now on is probed by the
	 * notifier or by the walk below (probing twice is harmless).
	 */
	rc = xiommu_bus_watch_get(iommu->bus);
	if (rc)
		return rc;
	mutex_lock(&xiommu_registry_lock);
	list_for_each_entry(it, &xiommu_units, list) {
		if (it == iommu) {
			rc = -EEXIST;
			goto out_unlock;
		}
	}
	list_add_tail(&iommu->list, &xiommu_units);

	iommu->debugfs = debugfs_create_dir(iommu->name, xiommu_debugfs_root);
	debugfs_create_file("faults", 0444, iommu->debugfs, iommu, &faults_fops);
	debugfs_create_file("endpoints", 0444, iommu->debugfs, iommu,
			    &endpoints_fops);

	bus_for_each_dev((struct bus_type *)iommu->bus, NULL, iommu,
			 xiommu_probe_walk);
	pr_info("%s: registered (%s)\n", iommu->name, ops->name);
out_unlock:
	mutex_unlock(&xiommu_registry_lock);
	if (rc)
		xiommu_bus_watch_put(iommu->bus);
	return rc;
}
EXPORT_SYMBOL_GPL(xiommu_device_register);

/* Is @dev bound to a driver that manages its DMA through xiommu? */
static bool ep_driver_managed(struct device *dev)
{
	struct device_driver *drv = READ_ONCE(dev->driver);

	return drv && dev_is_pci(dev) && to_pci_driver(drv)->driver_managed_dma;
}

/*
 * One endpoint of @iommu bound to a DMA-managing driver, with a device
 * reference, or NULL. @skip counts the ones already handed out, so the
 * caller's loop ends even if an administrator keeps re-binding them.
 */
static struct device *unit_next_managed(struct xiommu_device *iommu,
					unsigned int *skip)
{
	struct xiommu_endpoint *ep;
	struct device *dev = NULL;
	unsigned int seen = 0;
	int bkt;

	mutex_lock(&xiommu_registry_lock);
	hash_for_each(xiommu_endpoints, bkt, ep, node) {
		if (ep->iommu != iommu || !ep_driver_managed(ep->dev))
			continue;
		if (seen++ < *skip)
			continue;
		dev = get_device(ep->dev);
		break;
	}
	mutex_unlock(&xiommu_registry_lock);
	return dev;
}

/**
 * xiommu_device_unregister() - remove an IOMMU unit
 * @iommu: a registered unit
 *
 * Revokes user space first: from here no group of the unit can be claimed
 * (ENODEV), and every endpoint bound to a driver that manages its DMA
 * through xiommu (vfio-pci) is unbound from it as on hot-unplug, so that
 * driver revokes its users (ENODEV on their device, group and container
 * fds) and gives the groups back to the kernel while the hardware still
 * works. Then releases every endpoint. Domains user space still holds (a
 * HWPT, a container's IOAS) outlive this: see the unit lifetime rule in
 * driver.h; their mappings and pins go when their users close.
 *
 * Context: process context, may sleep; may be called with the unit's own
 * device lock held (its driver's remove), never with a device lock of an
 * endpoint. Takes the registry lock and the endpoints' device locks (not
 * together).
 */
void xiommu_device_unregister(struct xiommu_device *iommu)
{
	unsigned int skip = 0, owned = 0;
	struct xiommu_endpoint *ep;
	struct hlist_node *tmp;
	struct device *dev;
	int bkt;

	mutex_lock(&xiommu_registry_lock);
	WRITE_ONCE(iommu->dying, true);
	mutex_unlock(&xiommu_registry_lock);

	/*
	 * Without the registry lock: the driver's remove() ends in the
	 * iommufd layer, which takes it (and group mutexes) itself.
	 */
	while ((dev = unit_next_managed(iommu, &skip))) {
		device_release_driver(dev);
		if (ep_driver_managed(dev))
			skip++;		/* bound again meanwhile: leave it */
		put_device(dev);
	}

	mutex_lock(&xiommu_registry_lock);
	hash_for_each_safe(xiommu_endpoints, bkt, tmp, ep, node) {
		if (ep->iommu != iommu)
			continue;
		mutex_lock(&ep->group->mutex);
		owned += !!ep->group->owner;
		mutex_unlock(&ep->group->mutex);
		xiommu_release_one(ep);
	}
	list_del(&iommu->list);
	debugfs_remove_recursive(iommu->debugfs);
	iommu->debugfs = NULL;
	mutex_unlock(&xiommu_registry_lock);
	xiommu_bus_watch_put(iommu->bus);
	/* A legacy container holding the group fd, say: it goes on close. */
	if (owned)
		pr_info("%s: %u endpoints left groups still claimed by user space until it closes (they translate nothing)\n",
			iommu->name, owned);
	pr_info("%s: unregistered\n", iommu->name);
}
EXPORT_SYMBOL_GPL(xiommu_device_unregister);

/**
 * xiommu_device_get() - take a reference to a unit's memory
 * @iommu: a unit the caller already holds a reference to (or finds under
 *	a lock that keeps it registered)
 */
void xiommu_device_get(struct xiommu_device *iommu)
{
	kref_get(&iommu->users);
}
EXPORT_SYMBOL_GPL(xiommu_device_get);

static void xiommu_device_release(struct kref *kref)
{
	struct xiommu_device *iommu = container_of(kref, struct xiommu_device,
						   users);

	/* Only an unregistered unit has no driver reference left. */
	WARN_ON(!iommu->dying);
	if (iommu->ops->release_unit)
		iommu->ops->release_unit(iommu);
}

/**
 * xiommu_device_put() - drop a reference to a unit's memory
 * @iommu: the unit
 *
 * The last one calls ops->release_unit (driver.h, lifecycle step 5).
 * Context: may sleep (release_unit may).
 */
void xiommu_device_put(struct xiommu_device *iommu)
{
	might_sleep();
	kref_put(&iommu->users, xiommu_device_release);
}
EXPORT_SYMBOL_GPL(xiommu_device_put);

/**
 * xiommu_debugfs_dir() - the unit's debugfs directory
 * @iommu: a registered unit
 *
 * Return: /sys/kernel/debug/xiommu/<name>/, where the driver may add files
 * (removed with the unit).
 */
struct dentry *xiommu_debugfs_dir(struct xiommu_device *iommu)
{
	return iommu->debugfs;
}
EXPORT_SYMBOL_GPL(xiommu_debugfs_dir);

/**
 * xiommu_report_fault() - log and count a DMA fault
 * @iommu: the unit that recorded the fault
 * @dev: the endpoint that issued the DMA, or NULL if the source ID matches
 *	no endpoint
 * @sid: the source ID as the hardware reported it (PCI requester ID for
 *	VT-d and virtio-iommu, stream ID for SMMUv3)
 * @iova: the faulting IOVA (bytes)
 * @write: the DMA was a write to memory
 * @reason: short human-readable reason decoded by the driver
 *
 * The log line is rate-limited; the counters (unit and endpoint) are not.
 * Context: any context, does not sleep.
 */
void xiommu_report_fault(struct xiommu_device *iommu, struct device *dev,
			 u32 sid, u64 iova, bool write, const char *reason)
{
	struct xiommu_endpoint *ep;
	unsigned long flags;

	atomic64_inc(&iommu->faults);
	if (dev) {
		spin_lock_irqsave(&xiommu_ep_lock, flags);
		ep = xiommu_ep_lookup(dev);
		if (ep)
			atomic64_inc(&ep->faults);
		spin_unlock_irqrestore(&xiommu_ep_lock, flags);
	}
	pr_warn_ratelimited("%s: DMA %s fault from %s (source id %#x) at IOVA %#llx: %s\n",
			    iommu->name, write ? "write" : "read",
			    dev ? dev_name(dev) : "unknown device", sid,
			    (unsigned long long)iova, reason);
}
EXPORT_SYMBOL_GPL(xiommu_report_fault);

/**
 * xiommu_fault_count() - faults reported on a unit since registration
 * @iommu: a registered unit
 *
 * Return: the count (also in /sys/kernel/debug/xiommu/<name>/faults).
 */
u64 xiommu_fault_count(struct xiommu_device *iommu)
{
	return atomic64_read(&iommu->faults);
}
EXPORT_SYMBOL_GPL(xiommu_fault_count);

/**
 * xiommu_alloc_resv_region() - allocate a reserved-region entry
 * @start: first IOVA
 * @length: bytes
 * @type: XIOMMU_RESV_RESERVED, XIOMMU_RESV_MSI or XIOMMU_RESV_DIRECT
 * @gfp: allocation flags
 *
 * Return: the entry (freed by the core), or NULL on allocation failure.
 */
struct xiommu_resv_region *xiommu_alloc_resv_region(dma_addr_t start,
						    size_t length, int type,
						    gfp_t gfp)
{
	struct xiommu_resv_region *r = kzalloc(sizeof(*r), gfp);

	if (!r)
		return NULL;
	INIT_LIST_HEAD(&r->list);
	r->start = start;
	r->length = length;
	r->type = type;
	return r;
}
EXPORT_SYMBOL_GPL(xiommu_alloc_resv_region);

void xiommu_put_resv_regions(struct list_head *head)
{
	struct xiommu_resv_region *r, *tmp;

	list_for_each_entry_safe(r, tmp, head, list) {
		list_del(&r->list);
		kfree(r);
	}
}

/* Look up the endpoint and pin its group; NULL if @dev has no unit. */
struct xiommu_group *xiommu_group_get(struct device *dev)
{
	struct xiommu_endpoint *ep;
	struct xiommu_group *group = NULL;

	mutex_lock(&xiommu_registry_lock);
	ep = xiommu_ep_lookup(dev);
	if (ep && ep->group) {
		group = ep->group;
		kref_get(&group->kref);
	}
	mutex_unlock(&xiommu_registry_lock);
	return group;
}
EXPORT_SYMBOL_IF_KUNIT(xiommu_group_get);

bool xiommu_dev_capable(struct device *dev, enum xiommu_cap cap)
{
	struct xiommu_device *iommu = xiommu_endpoint_iommu(dev);

	return iommu && iommu->ops->capable(dev, cap);
}

int xiommu_dev_hw_info(struct device *dev, void *data, size_t len, u32 *type)
{
	struct xiommu_device *iommu = xiommu_endpoint_iommu(dev);

	if (!iommu)
		return -ENODEV;
	if (!iommu->ops->hw_info) {
		*type = 0;
		return 0;
	}
	return iommu->ops->hw_info(dev, data, len, type);
}

/* PASID bits @dev can use through its unit (0: none, or no unit). */
u8 xiommu_dev_max_pasid_log2(struct device *dev)
{
	struct xiommu_device *iommu = xiommu_endpoint_iommu(dev);

	if (!iommu || !iommu->ops->max_pasid_log2)
		return 0;
	return iommu->ops->max_pasid_log2(dev);
}

void xiommu_dev_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct xiommu_device *iommu = xiommu_endpoint_iommu(dev);

	if (iommu && iommu->ops->get_resv_regions)
		iommu->ops->get_resv_regions(dev, head);
}

/*
 * /sys/kernel/debug/xiommu/units: one line per unit,
 * "unit <name> driver <driver> endpoints <n> faults <n>" (tools/xiommu-top).
 */
static int units_show(struct seq_file *s, void *unused)
{
	struct xiommu_endpoint *ep;
	struct xiommu_device *iommu;
	unsigned long n;
	int bkt;

	mutex_lock(&xiommu_registry_lock);
	list_for_each_entry(iommu, &xiommu_units, list) {
		n = 0;
		hash_for_each(xiommu_endpoints, bkt, ep, node)
			n += ep->iommu == iommu;
		seq_printf(s, "unit %s driver %s endpoints %lu faults %lld\n",
			   iommu->name, iommu->ops->name, n,
			   (long long)atomic64_read(&iommu->faults));
	}
	mutex_unlock(&xiommu_registry_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(units);

int xiommu_lite_init(void)
{
	xiommu_debugfs_root = debugfs_create_dir("xiommu", NULL);
	debugfs_create_file("units", 0444, xiommu_debugfs_root, NULL,
			    &units_fops);
	return 0;
}

/**
 * xiommu_debugfs_root_dir() - /sys/kernel/debug/xiommu, for the iommufd
 *	layer's files (removed with everything in it by xiommu_lite_exit())
 */
struct dentry *xiommu_debugfs_root_dir(void)
{
	return xiommu_debugfs_root;
}

void xiommu_lite_exit(void)
{
	debugfs_remove_recursive(xiommu_debugfs_root);
}
