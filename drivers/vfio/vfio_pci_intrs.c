// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupts of xiommu_vfio_pci devices: VFIO_DEVICE_GET_IRQ_INFO and
 * VFIO_DEVICE_SET_IRQS for the five vfio-pci indexes (INTx, MSI, MSI-X,
 * ERR, REQ), with upstream vfio-pci's semantics and errno (facts from
 * upstream include/uapi/linux/vfio.h and drivers/vfio/pci/; the code is
 * ours).
 *
 * Every interrupt reaches user space as an eventfd signal. INTx is level
 * triggered: the kernel masks the line when it fires (Interrupt Disable in
 * the command register when the device supports PCI 2.3 masking, and then
 * the line may be shared; otherwise disable_irq() on an exclusive line)
 * and keeps it masked until user space unmasks it, by ioctl or through an
 * unmask eventfd. MSI and MSI-X get one Linux vector and one eventfd per
 * vector, allocated with pci_alloc_irq_vectors(); changing the number of
 * vectors means disabling and enabling the index again (NORESIZE, as
 * 6.1's vfio-pci). ERR is signalled from the PCI error handlers, REQ when
 * the kernel wants the device back (driver unbind, hot-unplug).
 *
 * Only one of INTx, MSI and MSI-X is enabled at a time.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/interrupt.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "vfio_pci_priv.h"

/**
 * xvfio_irq_count() - number of interrupts of one index, as upstream
 * @vdev: the device
 * @index: a VFIO_PCI_*_IRQ_INDEX
 *
 * INTx: 1 if the device has an interrupt pin; MSI: the vectors its MSI
 * capability can request; MSI-X: its table size; ERR: 1 for PCI Express
 * devices; REQ: 1.
 *
 * Return: the count, 0 where the device has none.
 */
int xvfio_irq_count(struct xvfio_device *vdev, unsigned int index)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 flags;
	u8 pin;

	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		if (pci_read_config_byte(pdev, PCI_INTERRUPT_PIN, &pin))
			return 0;
		return pin ? 1 : 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		if (!vdev->msi_cap || pci_read_config_word(pdev,
				vdev->msi_cap + PCI_MSI_FLAGS, &flags))
			return 0;
		return 1 << ((flags & PCI_MSI_FLAGS_QMASK) >> 1);
	case VFIO_PCI_MSIX_IRQ_INDEX:
		if (!vdev->msix_cap || pci_read_config_word(pdev,
				vdev->msix_cap + PCI_MSIX_FLAGS, &flags))
			return 0;
		return (flags & PCI_MSIX_FLAGS_QSIZE) + 1;
	case VFIO_PCI_ERR_IRQ_INDEX:
		return pci_is_pcie(pdev) ? 1 : 0;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default:
		return 0;
	}
}

/**
 * xvfio_ioctl_get_irq_info() - VFIO_DEVICE_GET_IRQ_INFO
 * @vdev: the device (the caller checked access)
 * @uarg: struct vfio_irq_info
 *
 * Return: 0; -EINVAL argsz below 16, index >= VFIO_PCI_NUM_IRQS, or ERR on
 * a device that is not PCI Express (as upstream); -EFAULT.
 */
long xvfio_ioctl_get_irq_info(struct xvfio_device *vdev, void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, uarg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	/* As upstream: ERR exists only on PCI Express devices. */
	if (info.index == VFIO_PCI_ERR_IRQ_INDEX && !pci_is_pcie(vdev->pdev))
		return -EINVAL;

	info.flags = VFIO_IRQ_INFO_EVENTFD;
	info.count = xvfio_irq_count(vdev, info.index);
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else
		/* 6.1 cannot add MSI-X vectors to an enabled device. */
		info.flags |= VFIO_IRQ_INFO_NORESIZE;

	return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
}

/* ------------------------------------------------------------------ INTx */

static bool xvfio_is_intx(struct xvfio_device *vdev)
{
	return vdev->irq_type == VFIO_PCI_INTX_IRQ_INDEX;
}

static irqreturn_t xvfio_intx_handler(int irq, void *data)
{
	struct xvfio_device *vdev = data;
	irqreturn_t ret = IRQ_NONE;
	unsigned long flags;

	spin_lock_irqsave(&vdev->irqlock, flags);
	if (!vdev->pci_2_3) {
		/* Exclusive line: mask it at the interrupt controller. */
		disable_irq_nosync(irq);
		vdev->intx_masked = true;
		ret = IRQ_HANDLED;
	} else if (!vdev->intx_masked && pci_check_and_mask_intx(vdev->pdev)) {
		/* Shared line: ours only if the device's status says so. */
		vdev->intx_masked = true;
		ret = IRQ_HANDLED;
	}
	spin_unlock_irqrestore(&vdev->irqlock, flags);

	if (ret == IRQ_HANDLED)
		eventfd_signal(vdev->intx_trigger, 1);
	return ret;
}

/**
 * xvfio_intx_mask() - mask INTx (user request or Interrupt Disable set in
 *	the virtual command register)
 * @vdev: the device
 *
 * Without INTx enabled this changes nothing: the device's INTx is kept
 * disabled then (see xvfio_irqs_enable()).
 */
void xvfio_intx_mask(struct xvfio_device *vdev)
{
	unsigned long flags;

	spin_lock_irqsave(&vdev->irqlock, flags);
	/* Without INTx in use the device's INTx is kept disabled anyway. */
	if (xvfio_is_intx(vdev) && !vdev->intx_masked) {
		if (vdev->pci_2_3)
			pci_intx(vdev->pdev, 0);
		else
			disable_irq_nosync(vdev->pdev->irq);
		vdev->intx_masked = true;
	}
	spin_unlock_irqrestore(&vdev->irqlock, flags);
}

/*
 * Unmask INTx unless user space keeps Interrupt Disable set. Return: true
 * if the device still asserts its interrupt: the line stays masked and the
 * caller signals the trigger again (cheaper than taking the interrupt).
 */
static bool xvfio_intx_unmask_locked(struct xvfio_device *vdev)
{
	bool pending = false;

	lockdep_assert_held(&vdev->irqlock);
	if (!xvfio_is_intx(vdev))
		return false;
	if (vdev->intx_masked && !vdev->virq_disabled) {
		if (vdev->pci_2_3)
			pending = !pci_check_and_unmask_intx(vdev->pdev);
		else
			enable_irq(vdev->pdev->irq);
		vdev->intx_masked = pending;
	}
	return pending;
}

/**
 * xvfio_intx_unmask() - unmask INTx (user request, unmask eventfd, or
 *	Interrupt Disable cleared in the virtual command register)
 * @vdev: the device
 */
void xvfio_intx_unmask(struct xvfio_device *vdev)
{
	unsigned long flags;
	bool pending;

	spin_lock_irqsave(&vdev->irqlock, flags);
	pending = xvfio_intx_unmask_locked(vdev);
	if (pending && vdev->intx_trigger)
		eventfd_signal(vdev->intx_trigger, 1);
	spin_unlock_irqrestore(&vdev->irqlock, flags);
}

static void xvfio_unmask_work(struct work_struct *work)
{
	struct xvfio_virqfd *vfd = container_of(work, struct xvfio_virqfd,
						unmask);

	xvfio_intx_unmask(vfd->vdev);
}

/* Wakeup on the unmask eventfd (atomic context, the eventfd's wqh lock). */
static int xvfio_virqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			       int sync, void *key)
{
	struct xvfio_virqfd *vfd = container_of(wait, struct xvfio_virqfd,
						wait);
	__poll_t events = key_to_poll(key);

	if (events & EPOLLIN) {
		u64 cnt;

		eventfd_ctx_do_read(vfd->eventfd, &cnt);
		schedule_work(&vfd->unmask);
	}
	return 0;
}

static void xvfio_virqfd_ptable(struct file *file, wait_queue_head_t *wqh,
				poll_table *pt)
{
	struct xvfio_virqfd *vfd = container_of(pt, struct xvfio_virqfd, pt);

	vfd->wqh = wqh;
	add_wait_queue(wqh, &vfd->wait);
}

static void xvfio_virqfd_free(struct xvfio_device *vdev)
{
	struct xvfio_virqfd *vfd = vdev->unmask_fd;
	u64 cnt;

	lockdep_assert_held(&vdev->igate);
	if (!vfd)
		return;
	vdev->unmask_fd = NULL;
	if (vfd->wqh)
		eventfd_ctx_remove_wait_queue(vfd->eventfd, &vfd->wait, &cnt);
	flush_work(&vfd->unmask);
	eventfd_ctx_put(vfd->eventfd);
	kfree(vfd);
}

static int xvfio_virqfd_set(struct xvfio_device *vdev, int fd)
{
	struct xvfio_virqfd *vfd;
	struct fd f;
	__poll_t events;
	int ret;

	lockdep_assert_held(&vdev->igate);
	xvfio_virqfd_free(vdev);
	if (fd < 0)
		return 0;

	vfd = kzalloc(sizeof(*vfd), GFP_KERNEL_ACCOUNT);
	if (!vfd)
		return -ENOMEM;
	vfd->vdev = vdev;
	INIT_WORK(&vfd->unmask, xvfio_unmask_work);

	f = fdget(fd);
	if (!f.file) {
		ret = -EBADF;
		goto err_free;
	}
	vfd->eventfd = eventfd_ctx_fileget(f.file);
	if (IS_ERR(vfd->eventfd)) {
		ret = PTR_ERR(vfd->eventfd);
		goto err_fdput;
	}
	init_waitqueue_func_entry(&vfd->wait, xvfio_virqfd_wakeup);
	init_poll_funcptr(&vfd->pt, xvfio_virqfd_ptable);
	events = vfs_poll(f.file, &vfd->pt);
	fdput(f);
	vdev->unmask_fd = vfd;
	/* A signal that came before we were waiting still counts. */
	if (events & EPOLLIN) {
		u64 cnt;

		eventfd_ctx_do_read(vfd->eventfd, &cnt);
		schedule_work(&vfd->unmask);
	}
	return 0;

err_fdput:
	fdput(f);
err_free:
	kfree(vfd);
	return ret;
}

static void xvfio_intx_disable(struct xvfio_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	unsigned long flags;

	lockdep_assert_held(&vdev->igate);
	if (!xvfio_is_intx(vdev))
		return;
	xvfio_virqfd_free(vdev);
	free_irq(pdev->irq, vdev);
	spin_lock_irqsave(&vdev->irqlock, flags);
	/* An exclusive line masked by the handler is enabled again. */
	if (!vdev->pci_2_3 && vdev->intx_masked)
		enable_irq(pdev->irq);
	/* Nobody handles the device's INTx any more: keep it disabled. */
	if (vdev->pci_2_3)
		pci_intx(pdev, 0);
	vdev->intx_masked = false;
	vdev->irq_type = XVFIO_IRQ_NONE;
	spin_unlock_irqrestore(&vdev->irqlock, flags);
	eventfd_ctx_put(vdev->intx_trigger);
	vdev->intx_trigger = NULL;
	kfree(vdev->intx_name);
	vdev->intx_name = NULL;
}

static int xvfio_intx_enable(struct xvfio_device *vdev, int fd)
{
	struct pci_dev *pdev = vdev->pdev;
	struct eventfd_ctx *trigger;
	unsigned long flags;
	char *name;
	int ret;

	lockdep_assert_held(&vdev->igate);
	if (!pdev->irq)
		return -ENODEV;
	trigger = eventfd_ctx_fdget(fd);
	if (IS_ERR(trigger))
		return PTR_ERR(trigger);
	name = kasprintf(GFP_KERNEL_ACCOUNT, "xvfio-intx(%s)", pci_name(pdev));
	if (!name) {
		eventfd_ctx_put(trigger);
		return -ENOMEM;
	}

	spin_lock_irqsave(&vdev->irqlock, flags);
	vdev->intx_trigger = trigger;
	vdev->intx_name = name;
	vdev->irq_type = VFIO_PCI_INTX_IRQ_INDEX;
	/* Start masked if user space disabled INTx in the command register. */
	vdev->intx_masked = vdev->virq_disabled;
	if (vdev->pci_2_3)
		pci_intx(pdev, !vdev->intx_masked);
	spin_unlock_irqrestore(&vdev->irqlock, flags);

	ret = request_irq(pdev->irq, xvfio_intx_handler,
			  vdev->pci_2_3 ? IRQF_SHARED : 0, name, vdev);
	if (ret) {
		spin_lock_irqsave(&vdev->irqlock, flags);
		vdev->irq_type = XVFIO_IRQ_NONE;
		vdev->intx_masked = false;
		vdev->intx_trigger = NULL;
		vdev->intx_name = NULL;
		spin_unlock_irqrestore(&vdev->irqlock, flags);
		kfree(name);
		eventfd_ctx_put(trigger);
		return ret;
	}
	spin_lock_irqsave(&vdev->irqlock, flags);
	if (!vdev->pci_2_3 && vdev->intx_masked)
		disable_irq_nosync(pdev->irq);
	spin_unlock_irqrestore(&vdev->irqlock, flags);
	return 0;
}

/* Replace the INTx trigger of an enabled INTx. */
static int xvfio_intx_set_trigger(struct xvfio_device *vdev, int fd)
{
	struct eventfd_ctx *trigger, *old;
	unsigned long flags;

	trigger = eventfd_ctx_fdget(fd);
	if (IS_ERR(trigger))
		return PTR_ERR(trigger);
	/* The handler reads the trigger under no lock but the IRQ's own. */
	disable_irq(vdev->pdev->irq);
	spin_lock_irqsave(&vdev->irqlock, flags);
	old = vdev->intx_trigger;
	vdev->intx_trigger = trigger;
	spin_unlock_irqrestore(&vdev->irqlock, flags);
	enable_irq(vdev->pdev->irq);
	eventfd_ctx_put(old);
	return 0;
}

static int xvfio_set_intx_mask(struct xvfio_device *vdev, unsigned int start,
			       unsigned int count, u32 flags, void *data)
{
	if (!xvfio_is_intx(vdev) || start != 0 || count != 1)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_NONE)
		xvfio_intx_mask(vdev);
	else if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (*(u8 *)data)
			xvfio_intx_mask(vdev);
	} else {
		/* A mask eventfd: upstream does not implement it either. */
		return -ENOTTY;
	}
	return 0;
}

static int xvfio_set_intx_unmask(struct xvfio_device *vdev,
				 unsigned int start, unsigned int count,
				 u32 flags, void *data)
{
	if (!xvfio_is_intx(vdev) || start != 0 || count != 1)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_NONE)
		xvfio_intx_unmask(vdev);
	else if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (*(u8 *)data)
			xvfio_intx_unmask(vdev);
	} else {
		return xvfio_virqfd_set(vdev, *(s32 *)data);
	}
	return 0;
}

static int xvfio_set_intx_trigger(struct xvfio_device *vdev,
				  unsigned int start, unsigned int count,
				  u32 flags, void *data)
{
	if (xvfio_is_intx(vdev) && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		xvfio_intx_disable(vdev);
		return 0;
	}
	if (!(xvfio_is_intx(vdev) || vdev->irq_type == XVFIO_IRQ_NONE) ||
	    start != 0 || count != 1)
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		s32 fd = *(s32 *)data;

		if (fd < 0) {
			xvfio_intx_disable(vdev);
			return 0;
		}
		if (xvfio_is_intx(vdev))
			return xvfio_intx_set_trigger(vdev, fd);
		return xvfio_intx_enable(vdev, fd);
	}

	/* Loopback: signal the trigger as if the device had interrupted. */
	if (!xvfio_is_intx(vdev))
		return -EINVAL;
	if ((flags & VFIO_IRQ_SET_DATA_NONE) || *(u8 *)data)
		eventfd_signal(vdev->intx_trigger, 1);
	return 0;
}

/* ------------------------------------------------------------ MSI, MSI-X */

static irqreturn_t xvfio_msi_handler(int irq, void *data)
{
	eventfd_signal(data, 1);
	return IRQ_HANDLED;
}

static int xvfio_msi_set_vector(struct xvfio_device *vdev, int vector, int fd)
{
	struct xvfio_irq_ctx *ctx = &vdev->ctx[vector];
	struct eventfd_ctx *trigger;
	int ret;

	if (ctx->trigger) {
		free_irq(ctx->irq, ctx->trigger);
		kfree(ctx->name);
		eventfd_ctx_put(ctx->trigger);
		ctx->trigger = NULL;
		ctx->name = NULL;
	}
	if (fd < 0)
		return 0;

	ctx->irq = pci_irq_vector(vdev->pdev, vector);
	if (ctx->irq < 0)
		return -EINVAL;
	ctx->name = kasprintf(GFP_KERNEL_ACCOUNT, "xvfio-msi%s[%d](%s)",
			      vdev->irq_type == VFIO_PCI_MSIX_IRQ_INDEX ?
			      "x" : "", vector, pci_name(vdev->pdev));
	if (!ctx->name)
		return -ENOMEM;
	trigger = eventfd_ctx_fdget(fd);
	if (IS_ERR(trigger)) {
		ret = PTR_ERR(trigger);
		goto err_free_name;
	}
	ret = request_irq(ctx->irq, xvfio_msi_handler, 0, ctx->name, trigger);
	if (ret)
		goto err_put;
	ctx->trigger = trigger;
	return 0;

err_put:
	eventfd_ctx_put(trigger);
err_free_name:
	kfree(ctx->name);
	ctx->name = NULL;
	return ret;
}

static int xvfio_msi_set_block(struct xvfio_device *vdev, unsigned int start,
			       unsigned int count, s32 *fds)
{
	unsigned int i, j;
	int ret = 0;

	if (start >= vdev->num_ctx || start + count > vdev->num_ctx)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		ret = xvfio_msi_set_vector(vdev, start + i, fds ? fds[i] : -1);
		if (ret)
			break;
	}
	if (ret)
		for (j = 0; j < i; j++)
			xvfio_msi_set_vector(vdev, start + j, -1);
	return ret;
}

static void xvfio_msi_disable(struct xvfio_device *vdev)
{
	int i;

	lockdep_assert_held(&vdev->igate);
	for (i = 0; i < vdev->num_ctx; i++)
		xvfio_msi_set_vector(vdev, i, -1);
	pci_free_irq_vectors(vdev->pdev);
	/* Disabling MSI enabled INTx again: nobody handles it. */
	if (vdev->pci_2_3)
		pci_intx(vdev->pdev, 0);
	kfree(vdev->ctx);
	vdev->ctx = NULL;
	vdev->num_ctx = 0;
	vdev->irq_type = XVFIO_IRQ_NONE;
}

static int xvfio_msi_enable(struct xvfio_device *vdev, int nvec, bool msix)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 cmd;
	int ret;

	lockdep_assert_held(&vdev->igate);
	vdev->ctx = kcalloc(nvec, sizeof(*vdev->ctx), GFP_KERNEL_ACCOUNT);
	if (!vdev->ctx)
		return -ENOMEM;

	/* The MSI-X table sits in a BAR: memory decoding must be on. */
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MEMORY))
		pci_write_config_word(pdev, PCI_COMMAND,
				      cmd | PCI_COMMAND_MEMORY);
	ret = pci_alloc_irq_vectors(pdev, 1, nvec,
				    msix ? PCI_IRQ_MSIX : PCI_IRQ_MSI);
	pci_write_config_word(pdev, PCI_COMMAND, cmd);
	if (ret < nvec) {
		if (ret > 0)
			pci_free_irq_vectors(pdev);
		kfree(vdev->ctx);
		vdev->ctx = NULL;
		return -ENOSPC;
	}
	vdev->num_ctx = nvec;
	vdev->irq_type = msix ? VFIO_PCI_MSIX_IRQ_INDEX :
				VFIO_PCI_MSI_IRQ_INDEX;
	return 0;
}

static int xvfio_set_msi_trigger(struct xvfio_device *vdev,
				 unsigned int index, unsigned int start,
				 unsigned int count, u32 flags, void *data)
{
	unsigned int i;
	int ret;

	if (vdev->irq_type == index && !count &&
	    (flags & VFIO_IRQ_SET_DATA_NONE)) {
		xvfio_msi_disable(vdev);
		return 0;
	}
	if (!(vdev->irq_type == index || vdev->irq_type == XVFIO_IRQ_NONE))
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		if (vdev->irq_type == index)
			return xvfio_msi_set_block(vdev, start, count, data);
		ret = xvfio_msi_enable(vdev, start + count,
				       index == VFIO_PCI_MSIX_IRQ_INDEX);
		if (ret)
			return ret;
		ret = xvfio_msi_set_block(vdev, start, count, data);
		if (ret)
			xvfio_msi_disable(vdev);
		return ret;
	}

	/* Loopback. */
	if (vdev->irq_type != index || start + count > vdev->num_ctx)
		return -EINVAL;
	for (i = start; i < start + count; i++) {
		if (!vdev->ctx[i].trigger)
			continue;
		if ((flags & VFIO_IRQ_SET_DATA_NONE) ||
		    ((u8 *)data)[i - start])
			eventfd_signal(vdev->ctx[i].trigger, 1);
	}
	return 0;
}

/* ------------------------------------------------------------- ERR, REQ */

static int xvfio_set_trigger_single(struct eventfd_ctx **ctx,
				    unsigned int count, u32 flags, void *data)
{
	struct eventfd_ctx *trigger;
	s32 fd;

	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		if (!*ctx)
			return -EINVAL;
		if (count) {
			eventfd_signal(*ctx, 1);
		} else {
			eventfd_ctx_put(*ctx);
			*ctx = NULL;
		}
		return 0;
	}
	if (!count)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (*(u8 *)data && *ctx)
			eventfd_signal(*ctx, 1);
		return 0;
	}
	fd = *(s32 *)data;
	if (fd == -1) {
		if (*ctx)
			eventfd_ctx_put(*ctx);
		*ctx = NULL;
	} else if (fd >= 0) {
		trigger = eventfd_ctx_fdget(fd);
		if (IS_ERR(trigger))
			return PTR_ERR(trigger);
		if (*ctx)
			eventfd_ctx_put(*ctx);
		*ctx = trigger;
	}
	/* Other negative fds are ignored, as upstream. */
	return 0;
}

static int xvfio_set_err_trigger(struct xvfio_device *vdev,
				 unsigned int start, unsigned int count,
				 u32 flags, void *data)
{
	if (start != 0 || count > 1)
		return -EINVAL;
	return xvfio_set_trigger_single(&vdev->err_trigger, count, flags, data);
}

static int xvfio_set_req_trigger(struct xvfio_device *vdev,
				 unsigned int start, unsigned int count,
				 u32 flags, void *data)
{
	if (start != 0 || count > 1)
		return -EINVAL;
	return xvfio_set_trigger_single(&vdev->req_trigger, count, flags, data);
}

/**
 * xvfio_request_release() - ask the owner to release the device (REQ)
 * @vdev: the device
 *
 * Return: true if a REQ eventfd was registered and has been signalled.
 */
bool xvfio_request_release(struct xvfio_device *vdev)
{
	bool sent = false;

	mutex_lock(&vdev->igate);
	if (vdev->req_trigger) {
		eventfd_signal(vdev->req_trigger, 1);
		sent = true;
	}
	mutex_unlock(&vdev->igate);
	return sent;
}

/**
 * xvfio_signal_err() - report an AER error to the owner (ERR)
 * @vdev: the device
 */
void xvfio_signal_err(struct xvfio_device *vdev)
{
	mutex_lock(&vdev->igate);
	if (vdev->err_trigger)
		eventfd_signal(vdev->err_trigger, 1);
	mutex_unlock(&vdev->igate);
}

/* -------------------------------------------------------------- SET_IRQS */

static int xvfio_set_irqs(struct xvfio_device *vdev, u32 flags,
			  unsigned int index, unsigned int start,
			  unsigned int count, void *data)
{
	int (*fn)(struct xvfio_device *vdev, unsigned int start,
		  unsigned int count, u32 flags, void *data) = NULL;

	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		switch (flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) {
		case VFIO_IRQ_SET_ACTION_MASK:
			fn = xvfio_set_intx_mask;
			break;
		case VFIO_IRQ_SET_ACTION_UNMASK:
			fn = xvfio_set_intx_unmask;
			break;
		case VFIO_IRQ_SET_ACTION_TRIGGER:
			fn = xvfio_set_intx_trigger;
			break;
		}
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_MSIX_IRQ_INDEX:
		if ((flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
		    VFIO_IRQ_SET_ACTION_TRIGGER)
			return xvfio_set_msi_trigger(vdev, index, start, count,
						     flags, data);
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:
		if ((flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
		    VFIO_IRQ_SET_ACTION_TRIGGER && pci_is_pcie(vdev->pdev))
			fn = xvfio_set_err_trigger;
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		if ((flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
		    VFIO_IRQ_SET_ACTION_TRIGGER)
			fn = xvfio_set_req_trigger;
		break;
	}
	if (!fn)
		return -ENOTTY;
	return fn(vdev, start, count, flags, data);
}

/**
 * xvfio_ioctl_set_irqs() - VFIO_DEVICE_SET_IRQS
 * @df: the device fd
 * @uarg: struct vfio_irq_set followed by its data
 *
 * Header checks as upstream's vfio_set_irqs_validate_and_prepare().
 *
 * Return: 0; -EINVAL a malformed header (argsz too small, unknown index or
 * flag bits, not exactly one data type, start + count overflowing or
 * beyond the index's count, data shorter than count elements) or a request
 * the current mode forbids (another mode enabled, mask/unmask without
 * INTx, a vector beyond the enabled ones), or an fd that is not an
 * eventfd; -ENOTTY an action the index lacks; -EBADF an eventfd number
 * that is not open; -ENOSPC fewer MSI/MSI-X vectors available; -ENODEV no
 * INTx line, or revoked; -EFAULT; -ENOMEM; request_irq()'s errno.
 */
long xvfio_ioctl_set_irqs(struct xvfio_file *df, void __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct xvfio_device *vdev = df->vdev;
	struct vfio_irq_set hdr;
	size_t size = 0;
	void *data = NULL;
	int max, ret;

	if (copy_from_user(&hdr, uarg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz || hdr.index >= VFIO_PCI_NUM_IRQS ||
	    hdr.count >= U32_MAX - hdr.start ||
	    (hdr.flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			   VFIO_IRQ_SET_ACTION_TYPE_MASK)))
		return -EINVAL;
	max = xvfio_irq_count(vdev, hdr.index);
	if (hdr.start >= max || hdr.start + hdr.count > max)
		return -EINVAL;
	switch (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = sizeof(u8);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(s32);
		break;
	default:
		return -EINVAL;
	}
	/* Not exactly one action: ENOTTY from the dispatch, as upstream. */
	if (size) {
		/* max <= 2048 (MSI-X table size), so this cannot overflow. */
		if (hdr.argsz - minsz < hdr.count * size)
			return -EINVAL;
		size *= hdr.count;
		if (size) {
			data = memdup_user(uarg + minsz, size);
			if (IS_ERR(data))
				return PTR_ERR(data);
		}
	}

	mutex_lock(&vdev->igate);
	/* Checked under igate: teardown at close runs after the unbind. */
	down_read(&vdev->lock);
	ret = xvfio_check_access(df);
	up_read(&vdev->lock);
	if (!ret)
		ret = xvfio_set_irqs(vdev, hdr.flags, hdr.index, hdr.start,
				     hdr.count, data);
	mutex_unlock(&vdev->igate);
	kfree(data);
	return ret;
}

/**
 * xvfio_irqs_enable() - interrupt state for a device being opened
 * @vdev: the device
 */
void xvfio_irqs_enable(struct xvfio_device *vdev)
{
	unsigned long flags;
	u16 cmd = 0;

	mutex_lock(&vdev->igate);
	spin_lock_irqsave(&vdev->irqlock, flags);
	vdev->irq_type = XVFIO_IRQ_NONE;
	vdev->intx_masked = false;
	vdev->pci_2_3 = pci_intx_mask_supported(vdev->pdev);
	pci_read_config_word(vdev->pdev, PCI_COMMAND, &cmd);
	vdev->virq_disabled = !!(cmd & PCI_COMMAND_INTX_DISABLE);
	/*
	 * Until user space sets an INTx trigger nobody would handle the
	 * device's INTx: keep it disabled (upstream leaves it enabled).
	 * User space sees its own value of the bit (virtual).
	 */
	if (vdev->pci_2_3)
		pci_intx(vdev->pdev, 0);
	spin_unlock_irqrestore(&vdev->irqlock, flags);
	mutex_unlock(&vdev->igate);
}

/**
 * xvfio_irqs_teardown() - disable every interrupt and drop every eventfd
 * @vdev: the device
 *
 * Called at the last close and at revocation, after the binding is taken
 * away (so no SET_IRQS can add more), before the device is reset.
 */
void xvfio_irqs_teardown(struct xvfio_device *vdev)
{
	mutex_lock(&vdev->igate);
	if (xvfio_is_intx(vdev))
		xvfio_intx_disable(vdev);
	else if (vdev->irq_type != XVFIO_IRQ_NONE)
		xvfio_msi_disable(vdev);
	xvfio_virqfd_free(vdev);
	if (vdev->err_trigger)
		eventfd_ctx_put(vdev->err_trigger);
	vdev->err_trigger = NULL;
	if (vdev->req_trigger)
		eventfd_ctx_put(vdev->req_trigger);
	vdev->req_trigger = NULL;
	mutex_unlock(&vdev->igate);
}
