// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vfio-pci device of xiommu_vfio_pci on the cdev path
 * (VFIO_DEVICE_BIND_IOMMUFD): interrupts (INTx, MSI, MSI-X, ERR, REQ),
 * the virtualized config space, the ROM and region capabilities, resets.
 * Layouts and errno are upstream's (include/uapi/linux/vfio.h, newest).
 *
 *   scripts/vm --profile vtd --add build/bin/dma_vfio_device -- /dma_vfio_device
 *
 * Expected layout (profiles vtd*, virtio): edu 00:04.0 on the root
 * complex, two edus behind a PCIe-to-PCI bridge (one group), a modern
 * virtio-blk (MSI-X) at 00:06.0 that no file system uses. The edu raises
 * its interrupt when 0x60 is written and lowers it when the same bits are
 * written to 0x64 (QEMU hw/misc/edu.c); it has an INTx pin and a one-vector
 * MSI capability, no MSI-X, no PCIe capability, no reset method; the
 * profiles give 00:04.0 a 4 KiB option ROM (scripts/mkedu-rom.py).
 */
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"

#define TIMEOUT_S		180	/* per test, seconds; TCG is slow */
#define IRQ_WAIT_MS		3000	/* an interrupt that should come */
#define IRQ_QUIET_MS		300	/* how long "no interrupt" is watched */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_RAISE	0x60
#define EDU_REG_IRQ_ACK		0x64
#define PCI_CMD_INTX_DISABLE	0x400
#define PCI_STATUS_INTERRUPT	0x08
#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_MSIX		0x11
#define VIRTIO_VENDOR		0x1af4
#define VIRTIO_BLK_MODERN	0x1042

static int edu_write32(int devfd, uint32_t reg, uint32_t val)
{
	return vfio_dev_pwrite(devfd, VFIO_PCI_BAR0_REGION_INDEX, reg, &val,
			       sizeof(val));
}

static int cfg_read(int devfd, uint32_t off, void *val, size_t len)
{
	return vfio_dev_pread(devfd, VFIO_PCI_CONFIG_REGION_INDEX, off, val,
			      len);
}

static int cfg_write(int devfd, uint32_t off, const void *val, size_t len)
{
	return vfio_dev_pwrite(devfd, VFIO_PCI_CONFIG_REGION_INDEX, off, val,
			       len);
}

static uint16_t real_cmd(const char *bdf)
{
	uint16_t cmd = 0xffff;

	pci_config_read_real(bdf, VFIO_PCI_COMMAND, &cmd, 2);
	return cmd;
}

/* Offset of capability @id in the config space seen through @devfd. */
static int cfg_find_cap(int devfd, uint8_t id)
{
	uint8_t pos, hdr[2];
	int n;

	if (cfg_read(devfd, 0x34, &pos, 1))
		return -EIO;
	for (n = 0; pos && n < 48; n++) {
		if (cfg_read(devfd, pos & ~3, hdr, 2))
			return -EIO;
		if (hdr[0] == id)
			return pos & ~3;
		pos = hdr[1];
	}
	return -ENOENT;
}

static int irq_info(int devfd, uint32_t index, struct vfio_irq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return vfio_ioctl(devfd, VFIO_DEVICE_GET_IRQ_INFO, info);
}

/*
 * VFIO_DEVICE_SET_IRQS with @count elements of @data (s32 eventfds or
 * u8 bools, per @flags) and @argsz (0: exactly what the data needs).
 */
static int set_irqs(int devfd, uint32_t flags, uint32_t index,
		    uint32_t start, uint32_t count, const void *data,
		    size_t data_len, uint32_t argsz)
{
	struct {
		struct vfio_irq_set hdr;
		uint8_t data[64];
	} s;

	memset(&s, 0, sizeof(s));
	if (data_len > sizeof(s.data))
		return -E2BIG;
	s.hdr.argsz = argsz ? argsz : sizeof(s.hdr) + data_len;
	s.hdr.flags = flags;
	s.hdr.index = index;
	s.hdr.start = start;
	s.hdr.count = count;
	memcpy(s.data, data, data_len);
	return vfio_ioctl(devfd, VFIO_DEVICE_SET_IRQS, &s);
}

static int set_trigger_fd(int devfd, uint32_t index, uint32_t start,
			  int32_t fd)
{
	return set_irqs(devfd, VFIO_IRQ_SET_DATA_EVENTFD |
			VFIO_IRQ_SET_ACTION_TRIGGER, index, start, 1, &fd,
			sizeof(fd), 0);
}

static int irq_action_none(int devfd, uint32_t action, uint32_t index,
			   uint32_t start, uint32_t count)
{
	return set_irqs(devfd, VFIO_IRQ_SET_DATA_NONE | action, index, start,
			count, NULL, 0, 0);
}

/* Wait up to @ms for @efd; return its count (0 on timeout). */
static uint64_t efd_wait(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t cnt = 0;

	if (poll(&p, 1, ms) != 1)
		return 0;
	if (read(efd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return 0;
	return cnt;
}

#define EDU_ROM_SIZE		4096	/* scripts/mkedu-rom.py */

/*
 * Does @bdf have a ROM BAR (line 7 of sysfs "resource": start end flags)?
 * The vtd and virtio profiles give edu 00:04.0 a 4 KiB ROM.
 */
static bool rom_expected(const char *bdf)
{
	char buf[2048], *line = buf;
	unsigned long long start, end;
	int i;

	if (pci_attr_read(bdf, "resource", buf, sizeof(buf)))
		return false;
	for (i = 0; i < 6 && line; i++) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!line || sscanf(line, "%llx %llx", &start, &end) != 2)
		return false;
	return end > start;
}

/* One edu bound and attached, INTx/MSI state clean. */
FIXTURE(dev) {
	char bdf[PCI_BDF_LEN];
	bool skip;
	int iommufd;
	int devfd;
	int efd;
	uint32_t devid;
	uint32_t ioas_id;
};

FIXTURE_SETUP(dev)
{
	uint32_t pt_id;

	self->iommufd = -1;
	self->devfd = -1;
	self->efd = -1;
	if (edu_find_solo(self->bdf)) {
		self->skip = true;
		SKIP(return, "no edu device");
	}
	ASSERT_EQ(0, vfio_dev_bind_driver(self->bdf));
	self->devfd = vfio_dev_open(self->bdf);
	ASSERT_LE(0, self->devfd);
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, vfio_dev_bind(self->devfd, self->iommufd,
				   &self->devid));
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas_id));
	pt_id = self->ioas_id;
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt_id));
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, true));
	self->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->devfd >= 0) {
		edu_write32(self->devfd, EDU_REG_IRQ_ACK, ~0u);
		close(self->devfd);
	}
	if (self->iommufd >= 0)
		close(self->iommufd);
	if (self->efd >= 0)
		close(self->efd);
}

/* GET_INFO and GET_IRQ_INFO for all five indexes, with upstream's flags. */
TEST_F_TIMEOUT(dev, irq_info, TIMEOUT_S)
{
	struct vfio_device_info dinfo;
	struct vfio_irq_info info;

	if (self->skip)
		return;
	ASSERT_EQ(0, vfio_dev_info(self->devfd, &dinfo));
	ASSERT_EQ(VFIO_PCI_NUM_IRQS, dinfo.num_irqs);
	ASSERT_EQ(5, dinfo.num_irqs);
	ASSERT_EQ(VFIO_DEVICE_FLAGS_PCI, dinfo.flags);	/* no reset method */

	ASSERT_EQ(0, irq_info(self->devfd, VFIO_PCI_INTX_IRQ_INDEX, &info));
	ASSERT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
		  VFIO_IRQ_INFO_AUTOMASKED, info.flags);
	ASSERT_EQ(1, info.count);
	ASSERT_EQ(0, irq_info(self->devfd, VFIO_PCI_MSI_IRQ_INDEX, &info));
	ASSERT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, info.flags);
	ASSERT_EQ(1, info.count);
	ASSERT_EQ(0, irq_info(self->devfd, VFIO_PCI_MSIX_IRQ_INDEX, &info));
	ASSERT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, info.flags);
	ASSERT_EQ(0, info.count);
	/* ERR exists only on PCI Express devices; the edu is plain PCI. */
	ASSERT_EQ(-EINVAL, irq_info(self->devfd, VFIO_PCI_ERR_IRQ_INDEX,
				    &info));
	ASSERT_EQ(0, irq_info(self->devfd, VFIO_PCI_REQ_IRQ_INDEX, &info));
	ASSERT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, info.flags);
	ASSERT_EQ(1, info.count);

	ASSERT_EQ(-EINVAL, irq_info(self->devfd, VFIO_PCI_NUM_IRQS, &info));
	memset(&info, 0, sizeof(info));
	info.argsz = offsetof(struct vfio_irq_info, count);
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd, VFIO_DEVICE_GET_IRQ_INFO,
				      &info));
}

/* Malformed SET_IRQS: the exact errno upstream gives. */
TEST_F_TIMEOUT(dev, set_irqs_errors, TIMEOUT_S)
{
	int32_t fds[2] = { -1, -1 };
	uint32_t trig = VFIO_IRQ_SET_ACTION_TRIGGER;
	uint32_t efd_trig = VFIO_IRQ_SET_DATA_EVENTFD | trig;
	size_t hdr = sizeof(struct vfio_irq_set);

	if (self->skip)
		return;
	fds[0] = self->efd;
	/* Bad index. */
	ASSERT_EQ(-EINVAL, set_trigger_fd(self->devfd, VFIO_PCI_NUM_IRQS,
					  0, self->efd));
	/* argsz smaller than the header. */
	ASSERT_EQ(-EINVAL, set_irqs(self->devfd, efd_trig,
				    VFIO_PCI_INTX_IRQ_INDEX, 0, 1, fds, 4,
				    hdr - 1));
	/* argsz too small for count eventfds. */
	ASSERT_EQ(-EINVAL, set_irqs(self->devfd, efd_trig,
				    VFIO_PCI_INTX_IRQ_INDEX, 0, 1, fds, 4,
				    hdr));
	/* start + count overflows. */
	ASSERT_EQ(-EINVAL, set_irqs(self->devfd, efd_trig,
				    VFIO_PCI_MSI_IRQ_INDEX, 1, UINT32_MAX,
				    fds, 8, 0));
	/* count beyond the index's count (the edu has one MSI vector). */
	ASSERT_EQ(-EINVAL, set_irqs(self->devfd, efd_trig,
				    VFIO_PCI_MSI_IRQ_INDEX, 0, 2, fds, 8, 0));
	ASSERT_EQ(-EINVAL, set_irqs(self->devfd, efd_trig,
				    VFIO_PCI_MSI_IRQ_INDEX, 1, 1, fds, 4, 0));
	/* An index with no interrupts: MSI-X on the edu, ERR (not PCIe). */
	ASSERT_EQ(-EINVAL, set_trigger_fd(self->devfd,
					  VFIO_PCI_MSIX_IRQ_INDEX, 0,
					  self->efd));
	ASSERT_EQ(-EINVAL, set_trigger_fd(self->devfd, VFIO_PCI_ERR_IRQ_INDEX,
					  0, self->efd));
	/* Unknown flag bits; no data type; two data types. */
	ASSERT_EQ(-EINVAL, set_irqs(self->devfd, efd_trig | (1 << 6),
				    VFIO_PCI_INTX_IRQ_INDEX, 0, 1, fds, 4, 0));
	ASSERT_EQ(-EINVAL, set_irqs(self->devfd, trig,
				    VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0,
				    0));
	ASSERT_EQ(-EINVAL, set_irqs(self->devfd, efd_trig |
				    VFIO_IRQ_SET_DATA_BOOL,
				    VFIO_PCI_INTX_IRQ_INDEX, 0, 1, fds, 4, 0));
	/* Unsupported actions: ENOTTY. */
	ASSERT_EQ(-ENOTTY, irq_action_none(self->devfd,
					   VFIO_IRQ_SET_ACTION_MASK,
					   VFIO_PCI_MSI_IRQ_INDEX, 0, 1));
	ASSERT_EQ(-ENOTTY, irq_action_none(self->devfd,
					   VFIO_IRQ_SET_ACTION_UNMASK,
					   VFIO_PCI_REQ_IRQ_INDEX, 0, 1));
	ASSERT_EQ(-ENOTTY, irq_action_none(self->devfd, 0,
					   VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
	ASSERT_EQ(-ENOTTY, irq_action_none(self->devfd,
					   VFIO_IRQ_SET_ACTION_MASK |
					   VFIO_IRQ_SET_ACTION_UNMASK,
					   VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
	/* Mask/unmask/loopback of an INTx that is not enabled. */
	ASSERT_EQ(-EINVAL, irq_action_none(self->devfd,
					   VFIO_IRQ_SET_ACTION_MASK,
					   VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
	ASSERT_EQ(-EINVAL, irq_action_none(self->devfd,
					   VFIO_IRQ_SET_ACTION_UNMASK,
					   VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
	ASSERT_EQ(-EINVAL, irq_action_none(self->devfd, trig,
					   VFIO_PCI_MSI_IRQ_INDEX, 0, 1));
	/* Not an fd; an fd that is not an eventfd. */
	ASSERT_EQ(-EBADF, set_trigger_fd(self->devfd, VFIO_PCI_INTX_IRQ_INDEX,
					 0, 9999));
	ASSERT_EQ(-EINVAL, set_trigger_fd(self->devfd,
					  VFIO_PCI_INTX_IRQ_INDEX, 0,
					  self->iommufd));
	ASSERT_EQ(-EBADF, set_trigger_fd(self->devfd, VFIO_PCI_MSI_IRQ_INDEX,
					 0, 9999));
	/* Nothing was left enabled: INTx can be set up now. */
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_INTX_IRQ_INDEX, 0,
				    self->efd));
	/* One mode at a time: MSI while INTx is enabled. */
	ASSERT_EQ(-EINVAL, set_trigger_fd(self->devfd, VFIO_PCI_MSI_IRQ_INDEX,
					  0, self->efd));
	/* A mask eventfd is not implemented, upstream neither. */
	ASSERT_EQ(-ENOTTY, set_irqs(self->devfd, VFIO_IRQ_SET_DATA_EVENTFD |
				    VFIO_IRQ_SET_ACTION_MASK,
				    VFIO_PCI_INTX_IRQ_INDEX, 0, 1, fds, 4, 0));
	ASSERT_EQ(0, irq_action_none(self->devfd, trig,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 0));
}

/*
 * INTx: the edu's interrupt reaches the eventfd; the kernel masks the
 * line (Interrupt Disable in the device) until user space unmasks it; an
 * interrupt still asserted at unmask is signalled again at once; MASK,
 * the virtual Interrupt Disable, loopback and disable.
 */
TEST_F_TIMEOUT(dev, intx, TIMEOUT_S)
{
	uint32_t trig = VFIO_IRQ_SET_ACTION_TRIGGER;
	uint16_t cmd;
	uint8_t yes = 1, no = 0;

	if (self->skip)
		return;
	/* No trigger yet: the device's INTx is kept disabled. */
	ASSERT_NE(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_INTX_IRQ_INDEX, 0,
				    self->efd));
	ASSERT_EQ(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);

	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	/* Automasked: really disabled in the device, not in user's view. */
	ASSERT_NE(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);
	ASSERT_EQ(0, cfg_read(self->devfd, VFIO_PCI_COMMAND, &cmd, 2));
	ASSERT_EQ(0, cmd & PCI_CMD_INTX_DISABLE);
	/* Masked: another interrupt does not come through. */
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 2));
	ASSERT_EQ(0, efd_wait(self->efd, IRQ_QUIET_MS));

	/* Unmask while still asserted: signalled again, still masked. */
	ASSERT_EQ(0, irq_action_none(self->devfd, VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_NE(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);

	/* Acknowledge in the device, then unmask: quiet, line enabled. */
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 3));
	ASSERT_EQ(0, set_irqs(self->devfd, VFIO_IRQ_SET_DATA_BOOL |
			      VFIO_IRQ_SET_ACTION_UNMASK,
			      VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &yes, 1, 0));
	ASSERT_EQ(0, efd_wait(self->efd, IRQ_QUIET_MS));
	ASSERT_EQ(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);

	/* The next interrupt comes through. */
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));
	ASSERT_EQ(0, irq_action_none(self->devfd, VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
	ASSERT_EQ(0, efd_wait(self->efd, IRQ_QUIET_MS));

	/* MASK by ioctl: an interrupt waits until UNMASK. */
	ASSERT_EQ(0, set_irqs(self->devfd, VFIO_IRQ_SET_DATA_BOOL |
			      VFIO_IRQ_SET_ACTION_MASK,
			      VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &no, 1, 0));
	ASSERT_EQ(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);
	ASSERT_EQ(0, irq_action_none(self->devfd, VFIO_IRQ_SET_ACTION_MASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
	ASSERT_NE(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_EQ(0, efd_wait(self->efd, IRQ_QUIET_MS));
	ASSERT_EQ(0, irq_action_none(self->devfd, VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));
	ASSERT_EQ(0, irq_action_none(self->devfd, VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1));

	/* Interrupt Disable in the (virtual) command register is honoured. */
	ASSERT_EQ(0, cfg_read(self->devfd, VFIO_PCI_COMMAND, &cmd, 2));
	cmd |= PCI_CMD_INTX_DISABLE;
	ASSERT_EQ(0, cfg_write(self->devfd, VFIO_PCI_COMMAND, &cmd, 2));
	ASSERT_NE(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_EQ(0, efd_wait(self->efd, IRQ_QUIET_MS));
	/* UNMASK does not override it. */
	ASSERT_EQ(0, irq_action_none(self->devfd, VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
	ASSERT_EQ(0, efd_wait(self->efd, IRQ_QUIET_MS));
	cmd &= ~PCI_CMD_INTX_DISABLE;
	ASSERT_EQ(0, cfg_write(self->devfd, VFIO_PCI_COMMAND, &cmd, 2));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));
	ASSERT_EQ(0, irq_action_none(self->devfd, VFIO_IRQ_SET_ACTION_UNMASK,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1));

	/* Loopback: DATA_NONE and DATA_BOOL true signal, false does not. */
	ASSERT_EQ(0, irq_action_none(self->devfd, trig,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
	ASSERT_EQ(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, set_irqs(self->devfd, VFIO_IRQ_SET_DATA_BOOL | trig,
			      VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &no, 1, 0));
	ASSERT_EQ(0, efd_wait(self->efd, IRQ_QUIET_MS));
	ASSERT_EQ(0, set_irqs(self->devfd, VFIO_IRQ_SET_DATA_BOOL | trig,
			      VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &yes, 1, 0));
	ASSERT_EQ(1, efd_wait(self->efd, IRQ_WAIT_MS));

	/* Disable (count 0): no more signals, INTx disabled in the device. */
	ASSERT_EQ(0, irq_action_none(self->devfd, trig,
				     VFIO_PCI_INTX_IRQ_INDEX, 0, 0));
	ASSERT_NE(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_EQ(0, efd_wait(self->efd, IRQ_QUIET_MS));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));
	ASSERT_EQ(-EINVAL, irq_action_none(self->devfd,
					   VFIO_IRQ_SET_ACTION_UNMASK,
					   VFIO_PCI_INTX_IRQ_INDEX, 0, 1));

	/* Enabled again, then disabled with fd -1. */
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_INTX_IRQ_INDEX, 0,
				    self->efd));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_INTX_IRQ_INDEX, 0,
				    -1));
	ASSERT_EQ(-EINVAL, irq_action_none(self->devfd,
					   VFIO_IRQ_SET_ACTION_MASK,
					   VFIO_PCI_INTX_IRQ_INDEX, 0, 1));
}

/* An unmask eventfd: signalling it unmasks INTx. */
TEST_F_TIMEOUT(dev, intx_unmask_eventfd, TIMEOUT_S)
{
	uint64_t one = 1;
	int32_t ufd;

	if (self->skip)
		return;
	ufd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, ufd);
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_INTX_IRQ_INDEX, 0,
				    self->efd));
	ASSERT_EQ(0, set_irqs(self->devfd, VFIO_IRQ_SET_DATA_EVENTFD |
			      VFIO_IRQ_SET_ACTION_UNMASK,
			      VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &ufd, 4, 0));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_NE(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));
	ASSERT_EQ(8, write(ufd, &one, 8));
	/* The unmask runs in a kernel worker: wait for it. */
	for (int i = 0; i < 100 &&
	     (real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE); i++)
		usleep(10000);
	ASSERT_EQ(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));
	/* Unregistered with -1: signalling it no longer unmasks. */
	ufd = -1;
	ASSERT_EQ(0, set_irqs(self->devfd, VFIO_IRQ_SET_DATA_EVENTFD |
			      VFIO_IRQ_SET_ACTION_UNMASK,
			      VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &ufd, 4, 0));
	/* Closing with the unmask eventfd and INTx set up leaks nothing
	 * (kmemleak in the debug tier). */
}

/*
 * MSI: one vector; the edu's interrupt arrives as MSI; the kernel owns
 * the real MSI enable while user space sees its own (virtual) value.
 */
TEST_F_TIMEOUT(dev, msi, TIMEOUT_S)
{
	uint32_t trig = VFIO_IRQ_SET_ACTION_TRIGGER;
	uint16_t flags, real_flags;
	uint8_t yes = 1;
	int cap;

	if (self->skip)
		return;
	cap = cfg_find_cap(self->devfd, PCI_CAP_ID_MSI);
	ASSERT_LT(0, cap);
	ASSERT_EQ(0, cfg_read(self->devfd, cap + 2, &flags, 2));
	ASSERT_EQ(0, flags & 1);

	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_MSI_IRQ_INDEX, 0,
				    self->efd));
	ASSERT_EQ(0, pci_config_read_real(self->bdf, cap + 2, &real_flags, 2));
	ASSERT_EQ(1, real_flags & 1);
	ASSERT_EQ(0, cfg_read(self->devfd, cap + 2, &flags, 2));
	ASSERT_EQ(0, flags & 1);	/* virtual: user has not enabled it */
	/* INTx is disabled in the device while MSI is in use. */
	ASSERT_NE(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);

	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));

	/* The user's MSI control writes are virtual: the real one stays. */
	flags |= 1;
	ASSERT_EQ(0, cfg_write(self->devfd, cap + 2, &flags, 2));
	ASSERT_EQ(0, cfg_read(self->devfd, cap + 2, &flags, 2));
	ASSERT_EQ(1, flags & 1);
	flags &= ~1;
	ASSERT_EQ(0, cfg_write(self->devfd, cap + 2, &flags, 2));
	ASSERT_EQ(0, pci_config_read_real(self->bdf, cap + 2, &real_flags, 2));
	ASSERT_EQ(1, real_flags & 1);
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));

	/* Loopback. */
	ASSERT_EQ(0, irq_action_none(self->devfd, trig,
				     VFIO_PCI_MSI_IRQ_INDEX, 0, 1));
	ASSERT_EQ(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, set_irqs(self->devfd, VFIO_IRQ_SET_DATA_BOOL | trig,
			      VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &yes, 1, 0));
	ASSERT_EQ(1, efd_wait(self->efd, IRQ_WAIT_MS));
	/* INTx while MSI is enabled: one mode at a time. */
	ASSERT_EQ(-EINVAL, set_trigger_fd(self->devfd,
					  VFIO_PCI_INTX_IRQ_INDEX, 0,
					  self->efd));
	/*
	 * The vector without an eventfd: MSI stays enabled, nothing is
	 * signalled. (Not raised in the device: with the vector's IRQ freed
	 * the kernel clears its MSI message, and the write to address 0 would
	 * be an IOMMU fault other tests could count.)
	 */
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_MSI_IRQ_INDEX, 0,
				    -1));
	ASSERT_EQ(0, pci_config_read_real(self->bdf, cap + 2, &real_flags, 2));
	ASSERT_EQ(1, real_flags & 1);
	ASSERT_EQ(0, irq_action_none(self->devfd, trig,
				     VFIO_PCI_MSI_IRQ_INDEX, 0, 1));
	ASSERT_EQ(0, efd_wait(self->efd, IRQ_QUIET_MS));
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_MSI_IRQ_INDEX, 0,
				    self->efd));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));

	/* Disable: MSI off in the device, no more signals. */
	ASSERT_EQ(0, irq_action_none(self->devfd, trig,
				     VFIO_PCI_MSI_IRQ_INDEX, 0, 0));
	ASSERT_EQ(0, pci_config_read_real(self->bdf, cap + 2, &real_flags, 2));
	ASSERT_EQ(0, real_flags & 1);
	ASSERT_NE(0, real_cmd(self->bdf) & PCI_CMD_INTX_DISABLE);
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_EQ(0, efd_wait(self->efd, IRQ_QUIET_MS));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_ACK, 1));
	ASSERT_EQ(-EINVAL, irq_action_none(self->devfd, trig,
					   VFIO_PCI_MSI_IRQ_INDEX, 0, 1));

	/* Enable again after disable; close with MSI enabled. */
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_MSI_IRQ_INDEX, 0,
				    self->efd));
	ASSERT_EQ(0, edu_write32(self->devfd, EDU_REG_IRQ_RAISE, 1));
	ASSERT_LE(1, efd_wait(self->efd, IRQ_WAIT_MS));
}

/* ERR and REQ eventfds: registration, loopback, unregistration. */
TEST_F_TIMEOUT(dev, err_req_triggers, TIMEOUT_S)
{
	uint32_t trig = VFIO_IRQ_SET_ACTION_TRIGGER;
	uint8_t yes = 1;

	if (self->skip)
		return;
	/* DATA_NONE with no eventfd registered. */
	ASSERT_EQ(-EINVAL, irq_action_none(self->devfd, trig,
					   VFIO_PCI_REQ_IRQ_INDEX, 0, 1));
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_REQ_IRQ_INDEX, 0,
				    self->efd));
	ASSERT_EQ(0, irq_action_none(self->devfd, trig,
				     VFIO_PCI_REQ_IRQ_INDEX, 0, 1));
	ASSERT_EQ(1, efd_wait(self->efd, IRQ_WAIT_MS));
	ASSERT_EQ(0, set_irqs(self->devfd, VFIO_IRQ_SET_DATA_BOOL | trig,
			      VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &yes, 1, 0));
	ASSERT_EQ(1, efd_wait(self->efd, IRQ_WAIT_MS));
	/* count 0 with DATA_NONE unregisters. */
	ASSERT_EQ(0, irq_action_none(self->devfd, trig,
				     VFIO_PCI_REQ_IRQ_INDEX, 0, 0));
	ASSERT_EQ(-EINVAL, irq_action_none(self->devfd, trig,
					   VFIO_PCI_REQ_IRQ_INDEX, 0, 1));
	/* start must be 0. */
	ASSERT_EQ(-EINVAL, set_trigger_fd(self->devfd, VFIO_PCI_REQ_IRQ_INDEX,
					  1, self->efd));
	/* fd -1 unregisters, too; kept registered at close (no leak). */
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_REQ_IRQ_INDEX, 0,
				    self->efd));
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_REQ_IRQ_INDEX, 0,
				    -1));
	ASSERT_EQ(-EINVAL, irq_action_none(self->devfd, trig,
					   VFIO_PCI_REQ_IRQ_INDEX, 0, 1));
	ASSERT_EQ(0, set_trigger_fd(self->devfd, VFIO_PCI_REQ_IRQ_INDEX, 0,
				    self->efd));
}

/*
 * Config space virtualization beyond the BARs (dma_edu checks BAR0 and
 * read-only header fields): unassigned BARs and the ROM BAR size to 0,
 * the interrupt line is virtual, cache line size is real, status and
 * capability headers drop writes, Bus Master is real.
 */
TEST_F_TIMEOUT(dev, config_virtual, TIMEOUT_S)
{
	uint32_t val, real, ones = ~0u;
	uint16_t w, real_w;
	uint8_t b, real_b;
	int cap;

	if (self->skip)
		return;
	/* BAR1 (absent) sizes to 0; the ROM BAR to its size mask + enable. */
	ASSERT_EQ(0, cfg_write(self->devfd, 0x14, &ones, 4));
	ASSERT_EQ(0, cfg_read(self->devfd, 0x14, &val, 4));
	ASSERT_EQ(0, val);
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x30, &real, 4));
	ASSERT_EQ(0, cfg_write(self->devfd, 0x30, &ones, 4));
	ASSERT_EQ(0, cfg_read(self->devfd, 0x30, &val, 4));
	if (rom_expected(self->bdf)) {
		ASSERT_EQ(~(uint32_t)(EDU_ROM_SIZE - 1) | 1, val);
	} else {
		ASSERT_EQ(0, val);
	}
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x30, &val, 4));
	ASSERT_EQ(real, val);
	/* BAR0 sized, then restored: the address reads back. */
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x10, &real, 4));
	ASSERT_EQ(0, cfg_write(self->devfd, 0x10, &ones, 4));
	ASSERT_EQ(0, cfg_read(self->devfd, 0x10, &val, 4));
	ASSERT_EQ(0xfff00000, val);
	ASSERT_EQ(0, cfg_write(self->devfd, 0x10, &real, 4));
	ASSERT_EQ(0, cfg_read(self->devfd, 0x10, &val, 4));
	ASSERT_EQ(real, val);
	/* Byte writes into a BAR keep the size mask too. */
	b = 0xff;
	ASSERT_EQ(0, cfg_write(self->devfd, 0x10, &b, 1));
	ASSERT_EQ(0, cfg_read(self->devfd, 0x10, &val, 4));
	ASSERT_EQ(real, val);

	/* Interrupt line: virtual. */
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x3c, &real_b, 1));
	b = real_b ^ 0x5a;
	ASSERT_EQ(0, cfg_write(self->devfd, 0x3c, &b, 1));
	ASSERT_EQ(0, cfg_read(self->devfd, 0x3c, &b, 1));
	ASSERT_EQ(real_b ^ 0x5a, b);
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x3c, &b, 1));
	ASSERT_EQ(real_b, b);
	/* Interrupt pin: read-only. */
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x3d, &real_b, 1));
	ASSERT_EQ(1, real_b);
	b = 4;
	ASSERT_EQ(0, cfg_write(self->devfd, 0x3d, &b, 1));
	ASSERT_EQ(0, cfg_read(self->devfd, 0x3d, &b, 1));
	ASSERT_EQ(1, b);

	/* Cache line size: real. */
	b = 0x10;
	ASSERT_EQ(0, cfg_write(self->devfd, 0x0c, &b, 1));
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x0c, &real_b, 1));
	ASSERT_EQ(0x10, real_b);

	/* Status: writes dropped. */
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x06, &real_w, 2));
	w = 0xffff;
	ASSERT_EQ(0, cfg_write(self->devfd, 0x06, &w, 2));
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x06, &w, 2));
	ASSERT_EQ(real_w & ~PCI_STATUS_INTERRUPT, w & ~PCI_STATUS_INTERRUPT);

	/* Capability pointer and an MSI capability header: dropped. */
	ASSERT_EQ(0, pci_config_read_real(self->bdf, 0x34, &real_b, 1));
	b = 0x80;
	ASSERT_EQ(0, cfg_write(self->devfd, 0x34, &b, 1));
	ASSERT_EQ(0, cfg_read(self->devfd, 0x34, &b, 1));
	ASSERT_EQ(real_b, b);
	cap = cfg_find_cap(self->devfd, PCI_CAP_ID_MSI);
	ASSERT_LT(0, cap);
	w = 0;
	ASSERT_EQ(0, cfg_write(self->devfd, cap, &w, 2));
	ASSERT_EQ(0, cfg_read(self->devfd, cap, &b, 1));
	ASSERT_EQ(PCI_CAP_ID_MSI, b);
	ASSERT_EQ(0, pci_config_read_real(self->bdf, cap, &b, 1));
	ASSERT_EQ(PCI_CAP_ID_MSI, b);
	/* MSI address: virtual (the kernel programs the real one). */
	ASSERT_EQ(0, pci_config_read_real(self->bdf, cap + 4, &real, 4));
	val = 0xfee01000;
	ASSERT_EQ(0, cfg_write(self->devfd, cap + 4, &val, 4));
	ASSERT_EQ(0, cfg_read(self->devfd, cap + 4, &val, 4));
	ASSERT_EQ(0xfee01000, val);
	ASSERT_EQ(0, pci_config_read_real(self->bdf, cap + 4, &val, 4));
	ASSERT_EQ(real, val);

	/* Past the end of config space: EINVAL; a read across it: short. */
	{
		struct vfio_region_info info;

		ASSERT_EQ(0, vfio_dev_region(self->devfd,
					     VFIO_PCI_CONFIG_REGION_INDEX,
					     &info));
		ASSERT_EQ(-EINVAL, cfg_read(self->devfd, info.size, &val, 4));
		ASSERT_EQ(2, pread(self->devfd, &val, 4,
				   info.offset + info.size - 2));
	}
}

/* Region info: ROM, VGA, the capability chain rules. */
TEST_F_TIMEOUT(dev, region_info, TIMEOUT_S)
{
	struct vfio_region_info info;
	uint8_t buf[16];

	if (self->skip)
		return;
	ASSERT_EQ(0, vfio_dev_region(self->devfd, VFIO_PCI_ROM_REGION_INDEX,
				     &info));
	ASSERT_EQ(VFIO_REGION_OFFSET(VFIO_PCI_ROM_REGION_INDEX), info.offset);
	if (!rom_expected(self->bdf)) {
		ASSERT_EQ(0, info.size);
		ASSERT_EQ(0, info.flags);
		ASSERT_EQ(-EINVAL, vfio_dev_pread(self->devfd,
						  VFIO_PCI_ROM_REGION_INDEX, 0,
						  buf, 4));
	} else {
		uint8_t *rom;
		unsigned int i;

		/* scripts/mkedu-rom.py's image. */
		ASSERT_EQ(EDU_ROM_SIZE, info.size);
		ASSERT_EQ(VFIO_REGION_INFO_FLAG_READ, info.flags);
		rom = malloc(EDU_ROM_SIZE);
		ASSERT_NE(NULL, rom);
		ASSERT_EQ(0, vfio_dev_pread(self->devfd,
					    VFIO_PCI_ROM_REGION_INDEX, 0, rom,
					    EDU_ROM_SIZE));
		ASSERT_EQ(0x55, rom[0]);
		ASSERT_EQ(0xaa, rom[1]);
		ASSERT_EQ(0, memcmp(rom + 0x1c, "PCIR", 4));
		for (i = 0x40; i < EDU_ROM_SIZE; i++)
			if (rom[i] != ((7 * i + 3) & 0xff))
				break;
		ASSERT_EQ(EDU_ROM_SIZE, i);
		/* Unaligned, across chunks, clipped at the end. */
		ASSERT_EQ(0, vfio_dev_pread(self->devfd,
					    VFIO_PCI_ROM_REGION_INDEX, 0x41,
					    buf, 3));
		ASSERT_EQ(0, memcmp(buf, rom + 0x41, 3));
		ASSERT_EQ(4, pread(self->devfd, buf, 16,
				   info.offset + EDU_ROM_SIZE - 4));
		ASSERT_EQ(0, memcmp(buf, rom + EDU_ROM_SIZE - 4, 4));
		ASSERT_EQ(-EINVAL, vfio_dev_pread(self->devfd,
						  VFIO_PCI_ROM_REGION_INDEX,
						  EDU_ROM_SIZE, buf, 1));
		free(rom);
	}
	/* Read-only. */
	ASSERT_EQ(-EINVAL, vfio_dev_pwrite(self->devfd,
					   VFIO_PCI_ROM_REGION_INDEX, 0, buf,
					   4));
	ASSERT_EQ(0, vfio_dev_region(self->devfd, VFIO_PCI_VGA_REGION_INDEX,
				     &info));
	ASSERT_EQ(0, info.size);		/* not a VGA device */
	ASSERT_EQ(0, info.flags);
	/* BAR0 has no MSI-X table: no capability chain. */
	ASSERT_EQ(0, vfio_dev_region(self->devfd, VFIO_PCI_BAR0_REGION_INDEX,
				     &info));
	ASSERT_EQ(0, info.flags & VFIO_REGION_INFO_FLAG_CAPS);
	ASSERT_EQ(0, info.cap_offset);
	ASSERT_EQ(sizeof(info), info.argsz);
	/* argsz below the struct. */
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info) - 1;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd,
				      VFIO_DEVICE_GET_REGION_INFO, &info));
}

/* VFIO_DEVICE_RESET and hot reset on the edu on the root complex. */
TEST_F_TIMEOUT(dev, reset_root_edu, TIMEOUT_S)
{
	struct vfio_pci_hot_reset_info rinfo = { .argsz = sizeof(rinfo) };
	struct vfio_pci_hot_reset reset = { .argsz = sizeof(reset) };

	if (self->skip)
		return;
	/* No function reset method: EINVAL, as upstream. */
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd, VFIO_DEVICE_RESET, NULL));
	/* On the root bus there is no bus to reset. */
	ASSERT_EQ(-ENODEV, vfio_ioctl(self->devfd,
				      VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
				      &rinfo));
	ASSERT_EQ(-ENODEV, vfio_ioctl(self->devfd, VFIO_DEVICE_PCI_HOT_RESET,
				      &reset));
	/* Argument checks come first. */
	reset.flags = 1;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd, VFIO_DEVICE_PCI_HOT_RESET,
				      &reset));
	reset.flags = 0;
	reset.argsz = 8;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd, VFIO_DEVICE_PCI_HOT_RESET,
				      &reset));
	rinfo.argsz = 8;
	ASSERT_EQ(-EINVAL, vfio_ioctl(self->devfd,
				      VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
				      &rinfo));
	/* The device still works. */
	{
		uint32_t id;

		ASSERT_EQ(0, edu_read32(self->devfd, EDU_REG_ID, &id));
		ASSERT_EQ(EDU_ID_VALUE, id);
	}
}

FIXTURE(plain) {
	int unused;
};

FIXTURE_SETUP(plain)
{
}

FIXTURE_TEARDOWN(plain)
{
}

struct hot_info {
	struct vfio_pci_hot_reset_info hdr;
	struct vfio_pci_dependent_device devs[8];
};

static int hot_reset_info(int devfd, struct hot_info *hi)
{
	memset(hi, 0, sizeof(*hi));
	hi->hdr.argsz = sizeof(*hi);
	return vfio_ioctl(devfd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi);
}

static int hot_reset(int devfd, uint32_t count)
{
	struct {
		struct vfio_pci_hot_reset hdr;
		int32_t fds[2];
	} r = { .hdr = { .argsz = sizeof(r), .count = count },
		.fds = { -1, -1 } };

	return vfio_ioctl(devfd, VFIO_DEVICE_PCI_HOT_RESET, &r);
}

static bool bdf_is(const struct vfio_pci_dependent_device *d,
		   const char *bdf)
{
	char s[PCI_BDF_LEN];

	snprintf(s, sizeof(s), "%04x:%02x:%02x.%x", d->segment, d->bus,
		 d->devfn >> 3, d->devfn & 7);
	return !strcmp(s, bdf);
}

/*
 * Hot reset of the bridge's secondary bus (the two edus of one group):
 * the info lists both with their devids once both are bound to the
 * caller's context, and the reset is allowed only then, with count 0.
 */
TEST_F_TIMEOUT(plain, hot_reset_bridge, TIMEOUT_S)
{
	char a[PCI_BDF_LEN], b[PCI_BDF_LEN];
	struct vfio_pci_hot_reset_info small = { .argsz = sizeof(small) };
	uint32_t devid_a, devid_b, pt_id, ioas_id, id, bar_a, bar_v;
	struct hot_info hi;
	int fda, fdb, ictx;
	unsigned int i;

	if (edu_find_pair(a, b))
		SKIP(return, "no two edus behind one bridge");
	ASSERT_EQ(0, vfio_dev_bind_driver(a));
	ASSERT_EQ(0, vfio_dev_bind_driver(b));
	ictx = iommufd_open();
	ASSERT_LE(0, ictx);
	fda = vfio_dev_open(a);
	ASSERT_LE(0, fda);
	fdb = vfio_dev_open(b);
	ASSERT_LE(0, fdb);
	ASSERT_EQ(0, vfio_dev_bind(fda, ictx, &devid_a));
	ASSERT_EQ(0, iommufd_ioas_alloc(ictx, &ioas_id));
	pt_id = ioas_id;
	ASSERT_EQ(0, vfio_dev_attach(fda, &pt_id));

	/* Too small: ENOSPC and the count needed. */
	ASSERT_EQ(-ENOSPC, vfio_ioctl(fda, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
				      &small));
	ASSERT_EQ(2, small.count);

	/* b is not bound to a context yet: not owned, reset refused. */
	ASSERT_EQ(0, hot_reset_info(fda, &hi));
	ASSERT_EQ(2, hi.hdr.count);
	ASSERT_EQ(VFIO_PCI_HOT_RESET_FLAG_DEV_ID, hi.hdr.flags);
	for (i = 0; i < 2; i++) {
		uint32_t want = bdf_is(&hi.devs[i], a) ? devid_a :
				(uint32_t)VFIO_PCI_DEVID_NOT_OWNED;

		ASSERT_EQ(want, hi.devs[i].group_id);
	}
	ASSERT_EQ(-EINVAL, hot_reset(fda, 0));

	/* Both bound to the same context: owned, reset with count 0. */
	ASSERT_EQ(0, vfio_dev_bind(fdb, ictx, &devid_b));
	ASSERT_EQ(0, hot_reset_info(fda, &hi));
	ASSERT_EQ(2, hi.hdr.count);
	ASSERT_EQ(VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
		  VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED, hi.hdr.flags);
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(bdf_is(&hi.devs[i], a) || bdf_is(&hi.devs[i], b));
		ASSERT_EQ(bdf_is(&hi.devs[i], a) ? devid_a : devid_b,
			  hi.devs[i].group_id);
	}
	/* cdev: a group fd array is refused. */
	ASSERT_EQ(-EINVAL, hot_reset(fda, 1));

	/* A virtual BAR value survives; the device's real BAR is restored. */
	ASSERT_EQ(0, pci_config_read_real(a, 0x10, &bar_a, 4));
	ASSERT_EQ(0, cfg_write(fda, 0x10, "\xff\xff\xff\xff", 4));
	ASSERT_EQ(0, hot_reset(fda, 0));
	ASSERT_EQ(0, pci_config_read_real(a, 0x10, &id, 4));
	ASSERT_EQ(bar_a, id);
	ASSERT_EQ(0, cfg_read(fda, 0x10, &bar_v, 4));
	ASSERT_EQ(0xfff00000, bar_v);
	ASSERT_EQ(0, edu_read32(fda, EDU_REG_ID, &id));
	ASSERT_EQ(EDU_ID_VALUE, id);
	ASSERT_EQ(0, edu_read32(fdb, EDU_REG_ID, &id));
	ASSERT_EQ(EDU_ID_VALUE, id);

	/* From the other device too. */
	ASSERT_EQ(0, hot_reset(fdb, 0));

	/* After b's fd closes, b is no longer owned. */
	close(fdb);
	ASSERT_EQ(0, hot_reset_info(fda, &hi));
	ASSERT_EQ(VFIO_PCI_HOT_RESET_FLAG_DEV_ID, hi.hdr.flags);
	ASSERT_EQ(-EINVAL, hot_reset(fda, 0));
	ASSERT_EQ(-EINVAL, vfio_ioctl(fda, VFIO_DEVICE_RESET, NULL));
	close(fda);
	close(ictx);
}

/*
 * REQ: unbinding the driver while the device is open signals the REQ
 * eventfd and waits for the owner, who closes the fd in response; the
 * unbind then completes without revoking. Unanswered, the wait is bounded
 * (about 10 s) and the fd is revoked.
 */
TEST_F_TIMEOUT(plain, req_on_unbind, TIMEOUT_S)
{
	char bdf[PCI_BDF_LEN], drv[64];
	struct vfio_device_info info;
	uint64_t t0, t1;
	int devfd, iommufd, efd, status;
	pid_t pid;

	if (edu_find_solo(bdf))
		SKIP(return, "no edu device");
	ASSERT_EQ(0, vfio_dev_bind_driver(bdf));
	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);

	/* Answered: close in response. */
	devfd = vfio_dev_open(bdf);
	ASSERT_LE(0, devfd);
	ASSERT_EQ(0, vfio_dev_bind(devfd, iommufd, NULL));
	ASSERT_EQ(0, set_trigger_fd(devfd, VFIO_PCI_REQ_IRQ_INDEX, 0, efd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(devfd);
		_exit(pci_unbind(bdf) ? 1 : 0);
	}
	ASSERT_LE(1, efd_wait(efd, 20000));
	/* The kernel waits for us: the fd still works. */
	ASSERT_EQ(0, vfio_dev_info(devfd, &info));
	t0 = edu_now_ms();
	close(devfd);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	t1 = edu_now_ms();
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_GT(8000, t1 - t0);	/* did not sit out the bound */
	ASSERT_EQ(0, pci_driver(bdf, drv, sizeof(drv)));
	ASSERT_STREQ("", drv);

	/* Unanswered: the bound expires and the fd is revoked. */
	ASSERT_EQ(0, vfio_dev_bind_driver(bdf));
	devfd = vfio_dev_open(bdf);
	ASSERT_LE(0, devfd);
	ASSERT_EQ(0, vfio_dev_bind(devfd, iommufd, NULL));
	ASSERT_EQ(0, set_trigger_fd(devfd, VFIO_PCI_REQ_IRQ_INDEX, 0, efd));
	t0 = edu_now_ms();
	ASSERT_EQ(0, pci_unbind(bdf));
	t1 = edu_now_ms();
	ASSERT_LE(1, efd_wait(efd, 0));
	ASSERT_LE(9000, t1 - t0);
	ASSERT_EQ(-ENODEV, vfio_dev_info(devfd, &info));
	close(devfd);

	ASSERT_EQ(0, vfio_dev_bind_driver(bdf));
	close(efd);
	close(iommufd);
}

/* A modern virtio-blk nobody mounted: an MSI-X device for the MSI-X tests. */
static int virtio_blk_find(char *bdf)
{
	char bdfs[4][PCI_BDF_LEN];
	char mounts[4096] = "";
	int n;

	n = pci_find_devices(VIRTIO_VENDOR, VIRTIO_BLK_MODERN, bdfs, 4);
	if (n < 1)
		return -ENOENT;
	if (!sysfs_read("/proc/mounts", mounts, sizeof(mounts)) &&
	    strstr(mounts, "/dev/vd"))
		return -EBUSY;
	strcpy(bdf, bdfs[0]);
	return 0;
}

/*
 * MSI-X on a virtio-blk: vector count from the table, the BAR holding the
 * table reports MSIX_MAPPABLE (capability chain rules), enabling sets
 * the real MSI-X enable, the count changes by disable + enable, loopback
 * reaches every vector. The disk is given back to virtio-pci afterwards.
 */
TEST_F_TIMEOUT(plain, msix_virtio_blk, TIMEOUT_S)
{
	char bdf[PCI_BDF_LEN], drv[64] = "";
	struct {
		struct vfio_region_info info;
		struct vfio_info_cap_header cap;
		uint8_t pad[8];
	} r;
	struct vfio_irq_info info;
	uint32_t pt_id, ioas_id, table, trig = VFIO_IRQ_SET_ACTION_TRIGGER;
	uint16_t flags, real_flags;
	int32_t fds[2];
	int devfd, iommufd, cap, bar;

	if (virtio_blk_find(bdf))
		SKIP(return, "no unused modern virtio-blk");
	ASSERT_EQ(0, pci_driver(bdf, drv, sizeof(drv)));
	ASSERT_EQ(0, vfio_dev_bind_driver(bdf));
	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	devfd = vfio_dev_open(bdf);
	ASSERT_LE(0, devfd);
	ASSERT_EQ(0, vfio_dev_bind(devfd, iommufd, NULL));
	ASSERT_EQ(0, iommufd_ioas_alloc(iommufd, &ioas_id));
	pt_id = ioas_id;
	ASSERT_EQ(0, vfio_dev_attach(devfd, &pt_id));

	cap = cfg_find_cap(devfd, PCI_CAP_ID_MSIX);
	ASSERT_LT(0, cap);
	ASSERT_EQ(0, cfg_read(devfd, cap + 2, &flags, 2));
	ASSERT_EQ(0, cfg_read(devfd, cap + 4, &table, 4));
	bar = table & 7;
	ASSERT_EQ(0, irq_info(devfd, VFIO_PCI_MSIX_IRQ_INDEX, &info));
	ASSERT_EQ((flags & 0x7ff) + 1, info.count);
	ASSERT_LE(2, info.count);
	ASSERT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, info.flags);
	/* ERR exists exactly on PCI Express devices. */
	if (cfg_find_cap(devfd, 0x10) > 0) {
		ASSERT_EQ(0, irq_info(devfd, VFIO_PCI_ERR_IRQ_INDEX, &info));
		ASSERT_EQ(1, info.count);
	} else {
		ASSERT_EQ(-EINVAL, irq_info(devfd, VFIO_PCI_ERR_IRQ_INDEX,
					    &info));
	}

	/* Region info of the table's BAR: too small first. */
	memset(&r, 0, sizeof(r));
	r.info.argsz = sizeof(r.info);
	r.info.index = bar;
	ASSERT_EQ(0, vfio_ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_NE(0, r.info.flags & VFIO_REGION_INFO_FLAG_CAPS);
	ASSERT_NE(0, r.info.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_EQ(sizeof(r.info) + sizeof(r.cap), r.info.argsz);
	ASSERT_EQ(0, r.info.cap_offset);
	memset(&r, 0, sizeof(r));
	r.info.argsz = sizeof(r);
	r.info.index = bar;
	ASSERT_EQ(0, vfio_ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_EQ(sizeof(r), r.info.argsz);
	ASSERT_EQ(sizeof(r.info), r.info.cap_offset);
	ASSERT_EQ(VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, r.cap.id);
	ASSERT_EQ(1, r.cap.version);
	ASSERT_EQ(0, r.cap.next);

	/* Enable one vector; real enable on, user's view off. */
	fds[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fds[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, fds[0]);
	ASSERT_LE(0, fds[1]);
	ASSERT_EQ(0, set_trigger_fd(devfd, VFIO_PCI_MSIX_IRQ_INDEX, 0,
				    fds[0]));
	ASSERT_EQ(0, pci_config_read_real(bdf, cap + 2, &real_flags, 2));
	ASSERT_NE(0, real_flags & 0x8000);
	ASSERT_EQ(0, cfg_read(devfd, cap + 2, &flags, 2));
	ASSERT_EQ(0, flags & 0x8000);
	ASSERT_EQ(0, irq_action_none(devfd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0,
				     1));
	ASSERT_EQ(1, efd_wait(fds[0], IRQ_WAIT_MS));
	/* NORESIZE: vector 1 was not allocated. */
	ASSERT_EQ(-EINVAL, set_trigger_fd(devfd, VFIO_PCI_MSIX_IRQ_INDEX, 1,
					  fds[1]));
	/* Change the count: disable, enable two. */
	ASSERT_EQ(0, irq_action_none(devfd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0,
				     0));
	ASSERT_EQ(0, pci_config_read_real(bdf, cap + 2, &real_flags, 2));
	ASSERT_EQ(0, real_flags & 0x8000);
	ASSERT_EQ(0, set_irqs(devfd, VFIO_IRQ_SET_DATA_EVENTFD | trig,
			      VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, fds, 8, 0));
	ASSERT_EQ(0, irq_action_none(devfd, trig, VFIO_PCI_MSIX_IRQ_INDEX, 0,
				     2));
	ASSERT_EQ(1, efd_wait(fds[0], IRQ_WAIT_MS));
	ASSERT_EQ(1, efd_wait(fds[1], IRQ_WAIT_MS));
	/* Reads of the table through read() are the kernel's: all ones. */
	{
		uint32_t v;

		ASSERT_EQ(0, vfio_dev_pread(devfd, bar, table & ~7u, &v, 4));
		ASSERT_EQ(0xffffffff, v);
	}
	close(devfd);		/* with MSI-X enabled: torn down */
	close(fds[0]);
	close(fds[1]);
	close(iommufd);

	/* Give the disk back. */
	ASSERT_EQ(0, pci_unbind(bdf));
	ASSERT_EQ(0, pci_set_override(bdf, ""));
	if (drv[0]) {
		ASSERT_EQ(0, sysfs_write(PCI_SYSFS "/drivers_probe", bdf));
	}
}

/* The first vendor capability of virtio PCI type @type: its BAR, offset. */
static int virtio_cap(int devfd, uint8_t type, uint8_t *bar, uint32_t *off)
{
	uint8_t pos, c[12];
	int n;

	if (cfg_read(devfd, 0x34, &pos, 1))
		return -EIO;
	for (n = 0; pos && n < 48; n++) {
		if (cfg_read(devfd, pos & ~3, c, sizeof(c)))
			return -EIO;
		if (c[0] == 0x09 && c[3] == type) {
			*bar = c[4];
			memcpy(off, c + 8, 4);
			return 0;
		}
		pos = c[1];
	}
	return -ENOENT;
}

/*
 * A function with FLR: a modern virtio device behind a PCIe root port
 * (QEMU gives those a PCIe capability with FLR). Not in the standard
 * profiles; add one with
 *   --qemu -device --qemu pcie-root-port,id=rp2,bus=pcie.0,addr=08.0,chassis=2,slot=2
 *   --qemu -device --qemu virtio-rng-pci,bus=rp2,disable-legacy=on
 * GET_INFO reports RESET, VFIO_DEVICE_RESET and Initiate FLR in the virtual
 * device control reset the function (the virtio device status clears),
 * ERR exists.
 */
TEST_F_TIMEOUT(plain, reset_flr, TIMEOUT_S)
{
	char bdfs[2][PCI_BDF_LEN], drv[64] = "";
	struct vfio_device_info dinfo;
	struct vfio_irq_info info;
	uint32_t pt_id, ioas_id, off;
	uint16_t devctl;
	uint8_t bar, st;
	int devfd, iommufd, efd, pcie;
	const char *bdf = bdfs[0];

	if (pci_find_devices(VIRTIO_VENDOR, 0x1044, bdfs, 2) < 1)
		SKIP(return, "no modern virtio-rng (see the comment)");
	ASSERT_EQ(0, pci_driver(bdf, drv, sizeof(drv)));
	ASSERT_EQ(0, vfio_dev_bind_driver(bdf));
	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	devfd = vfio_dev_open(bdf);
	ASSERT_LE(0, devfd);
	ASSERT_EQ(0, vfio_dev_bind(devfd, iommufd, NULL));
	ASSERT_EQ(0, iommufd_ioas_alloc(iommufd, &ioas_id));
	pt_id = ioas_id;
	ASSERT_EQ(0, vfio_dev_attach(devfd, &pt_id));

	pcie = cfg_find_cap(devfd, 0x10);
	ASSERT_LT(0, pcie);
	ASSERT_EQ(0, vfio_dev_info(devfd, &dinfo));
	ASSERT_EQ(VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, dinfo.flags);
	ASSERT_EQ(0, irq_info(devfd, VFIO_PCI_ERR_IRQ_INDEX, &info));
	ASSERT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, info.flags);
	ASSERT_EQ(1, info.count);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, set_trigger_fd(devfd, VFIO_PCI_ERR_IRQ_INDEX, 0, efd));
	ASSERT_EQ(0, irq_action_none(devfd, VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_ERR_IRQ_INDEX, 0, 1));
	ASSERT_EQ(1, efd_wait(efd, IRQ_WAIT_MS));

	/* virtio common config: device_status at 0x14. */
	ASSERT_EQ(0, virtio_cap(devfd, 1, &bar, &off));
	ASSERT_EQ(0, vfio_dev_set_master(devfd, false));
	st = 1;				/* ACKNOWLEDGE */
	ASSERT_EQ(0, vfio_dev_pwrite(devfd, bar, off + 0x14, &st, 1));
	ASSERT_EQ(0, vfio_dev_pread(devfd, bar, off + 0x14, &st, 1));
	ASSERT_EQ(1, st);
	ASSERT_EQ(0, vfio_ioctl(devfd, VFIO_DEVICE_RESET, NULL));
	ASSERT_EQ(0, vfio_dev_pread(devfd, bar, off + 0x14, &st, 1));
	ASSERT_EQ(0, st);

	/* Initiate FLR through the virtual device control. */
	st = 1;
	ASSERT_EQ(0, vfio_dev_pwrite(devfd, bar, off + 0x14, &st, 1));
	ASSERT_EQ(0, cfg_read(devfd, pcie + 8, &devctl, 2));
	devctl |= 0x8000;
	ASSERT_EQ(0, cfg_write(devfd, pcie + 8, &devctl, 2));
	ASSERT_EQ(0, cfg_read(devfd, pcie + 8, &devctl, 2));
	ASSERT_EQ(0, devctl & 0x8000);
	ASSERT_EQ(0, vfio_dev_pread(devfd, bar, off + 0x14, &st, 1));
	ASSERT_EQ(0, st);

	close(devfd);
	close(efd);
	close(iommufd);
	ASSERT_EQ(0, pci_unbind(bdf));
	ASSERT_EQ(0, pci_set_override(bdf, ""));
	if (drv[0]) {
		ASSERT_EQ(0, sysfs_write(PCI_SYSFS "/drivers_probe", bdf));
	}
}

TEST_HARNESS_MAIN
