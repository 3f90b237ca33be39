// SPDX-License-Identifier: GPL-2.0-only
/*
 * Removing a virtio-iommu whose endpoints user space owns revokes the
 * users instead of being refused (issue 11 item 6, Documentation/groups.md
 * "Unit removal"):
 *
 *   one edu bound through iommufd (cdev) and one through the legacy VFIO
 *   API (container + group), both mapped and DMAing -> the virtio-iommu is
 *   removed (its virtio-pci function unbound, or our virtio driver
 *   unbound from the virtio device) -> the users' next calls fail with
 *   ENODEV (device fds, group fd) and the edus are off vfio-pci -> every
 *   fd closed: pinned pages and the memlock charge back to the baseline ->
 *   the virtio-iommu bound again -> both edus bound again, DMA works.
 *
 * The virtio-blk disk behind the same virtio-iommu is written and read back
 * after every step, and a child does disk I/O the whole time.
 *
 *   scripts/vm --profile virtio --add build/bin/virtio_revoke -- /virtio_revoke
 *
 * Needs root and the scripts/vm guest layout (virtio profile).
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include <dirent.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"
#include "lib/disk_io.h"
#include "lib/vfio_legacy.h"

#define UNIT		"viommu0"
#define VIRTIO_DRV	"/sys/bus/virtio/drivers/xiommu_virtio"
#define TIMEOUT_S	400
#define XFER		2048
#define IOVA_SRC	0x100000
#define IOVA_DST	0x200000

/*
 * Pages pinned system-wide (FOLL_PIN), from /proc/vmstat, with the per-CPU
 * counter deltas folded in first (vm.stat_refresh) so the value is exact.
 */
static int64_t pins_outstanding(void)
{
	int64_t acq = -1, rel = -1, v;
	char name[64];
	FILE *f;

	/* Writing it folds the deltas; it may fail with EINVAL, harmless. */
	sysfs_write("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %" SCNd64, name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = v;
	}
	fclose(f);
	return acq < 0 || rel < 0 ? -1 : acq - rel;
}

/* Lines of the xiommu debugfs "contexts" file naming a context. */
static int contexts_open(void)
{
	char line[256];
	int n = 0;
	FILE *f = fopen(XIOMMU_DEBUGFS "/contexts", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "context ", 8);
	fclose(f);
	return n;
}

/* The same with the background disk I/O paused, so none of it is in flight. */
static int64_t quiet_pins(pid_t bg)
{
	int64_t pins;

	if (bg > 0)
		kill(bg, SIGSTOP);
	usleep(200000);
	pins = pins_outstanding();
	if (bg > 0)
		kill(bg, SIGCONT);
	return pins;
}

/* A field of /proc/self/status in kB ("VmPin"), or -1. */
static long status_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* The virtio device of the xiommu_virtio unit ("virtio0") and its PCI function. */
static int viommu_devices(char *vname, size_t vlen, char *bdf)
{
	char path[PATH_MAX], real[PATH_MAX], *slash;
	struct dirent *de;
	DIR *d = opendir(VIRTIO_DRV);
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "virtio", 6) &&
		    strlen(de->d_name) < vlen) {
			strcpy(vname, de->d_name);
			ret = 0;
			break;
		}
	closedir(d);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), VIRTIO_DRV "/%s", vname);
	if (!realpath(path, real))
		return -errno;
	slash = strrchr(real, '/');
	if (!slash)
		return -ENOENT;
	*slash = 0;
	slash = strrchr(real, '/');
	if (!slash || !pci_is_bdf(slash + 1))
		return -ENOENT;
	strcpy(bdf, slash + 1);
	return 0;
}

static bool unit_present(void)
{
	return !access(XIOMMU_DEBUGFS "/" UNIT, F_OK);
}

/* Wait up to 10 s for the unit to come or go. */
static bool unit_wait(bool present)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (unit_present() == present)
			return true;
		usleep(10000);
	}
	return false;
}

/* One user of an edu: its fds and buffers. */
struct user {
	char bdf[PCI_BDF_LEN];
	bool legacy;
	int iommufd, devfd, cfd, gfd;
	uint8_t *src, *dst;
};

static void user_close(struct user *u)
{
	if (u->devfd >= 0)
		close(u->devfd);
	if (u->gfd >= 0)
		close(u->gfd);
	if (u->cfd >= 0)
		close(u->cfd);
	if (u->iommufd >= 0)
		close(u->iommufd);
	u->devfd = u->gfd = u->cfd = u->iommufd = -1;
}

/* Bind @u's edu the way @u->legacy says, map both buffers, Bus Master on. */
static int user_open(struct user *u)
{
	uint32_t ioas;
	int ret;

	u->iommufd = u->devfd = u->cfd = u->gfd = -1;
	if (!u->legacy) {
		u->iommufd = iommufd_open();
		if (u->iommufd < 0)
			return u->iommufd;
		ret = iommufd_ioas_alloc(u->iommufd, &ioas);
		if (!ret)
			ret = iommufd_map(u->iommufd, ioas, u->src, BLK, IOVA_SRC);
		if (!ret)
			ret = iommufd_map(u->iommufd, ioas, u->dst, BLK, IOVA_DST);
		if (ret)
			return ret;
		u->devfd = edu_open_attached(u->bdf, u->iommufd, ioas, NULL);
		return u->devfd < 0 ? u->devfd : 0;
	}
	ret = vfio_dev_bind_driver(u->bdf);
	if (!ret)
		ret = vfio_legacy_setup(u->bdf, &u->cfd, &u->gfd);
	if (ret) {
		u->cfd = u->gfd = -1;
		return ret;
	}
	ret = vfio_map_dma(u->cfd, u->src, IOVA_SRC, BLK);
	if (!ret)
		ret = vfio_map_dma(u->cfd, u->dst, IOVA_DST, BLK);
	if (ret)
		return ret;
	u->devfd = vfio_group_device_fd(u->gfd, u->bdf);
	if (u->devfd < 0)
		return u->devfd;
	return vfio_dev_set_master(u->devfd, true);
}

/* RAM -> edu -> RAM through the user's mappings. */
static int user_dma(struct user *u, uint8_t seed)
{
	int ret;

	dma_fill(u->src, XFER, seed);
	memset(u->dst, 0, XFER);
	ret = edu_dma(u->devfd, IOVA_SRC, 0, XFER, false);
	if (!ret)
		ret = edu_dma(u->devfd, IOVA_DST, 0, XFER, true);
	if (!ret && memcmp(u->src, u->dst, XFER))
		ret = -EILSEQ;
	return ret;
}

FIXTURE(revoke) {
	int disk;
	pid_t bg;
	char vname[32];
	char vbdf[PCI_BDF_LEN];
	struct user u[2];
};

FIXTURE_VARIANT(revoke) {
	bool pci_function;	/* unbind virtio-pci, else xiommu_virtio */
};

FIXTURE_VARIANT_ADD(revoke, pci_function) {
	.pci_function = true,
};

FIXTURE_VARIANT_ADD(revoke, virtio_driver) {
	.pci_function = false,
};

FIXTURE_SETUP(revoke)
{
	int i;

	self->disk = -1;
	self->bg = -1;
	for (i = 0; i < 2; i++) {
		self->u[i].iommufd = self->u[i].devfd = -1;
		self->u[i].cfd = self->u[i].gfd = -1;
		self->u[i].src = dma_buf_alloc(BLK);
		self->u[i].dst = dma_buf_alloc(BLK);
		self->u[i].legacy = i == 1;
	}
}

FIXTURE_TEARDOWN(revoke)
{
	char path[PATH_MAX];
	int i, status;

	for (i = 0; i < 2; i++) {
		user_close(&self->u[i]);
		dma_buf_free(self->u[i].src, BLK);
		dma_buf_free(self->u[i].dst, BLK);
	}
	/* Leave the unit bound for the tests after us, whatever happened. */
	if (!unit_present() && self->vbdf[0]) {
		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/virtio-pci/bind");
		sysfs_write(path, self->vbdf);
		sysfs_write(VIRTIO_DRV "/bind", self->vname);
	}
	if (self->bg > 0) {
		kill(self->bg, SIGKILL);
		waitpid(self->bg, &status, 0);
	}
	if (self->disk >= 0)
		close(self->disk);
}

TEST_F_TIMEOUT(revoke, unit_removed_under_users, TIMEOUT_S)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int64_t pins0, pins1;
	long vmpin0, vmpin1;
	unsigned int step = 0;
	uint32_t gflags;
	char drv[64], path[PATH_MAX];
	uint64_t rounds;
	int i, status;

	if (access("/xiommu/modules", F_OK))
		SKIP(return, "not in a scripts/vm guest");
	xiommu_debugfs_mount();
	if (!unit_present())
		SKIP(return, "no virtio-iommu unit " UNIT);
	ASSERT_EQ(0, viommu_devices(self->vname, sizeof(self->vname),
				    self->vbdf));
	ASSERT_EQ(0, edu_find_two_groups(self->u[0].bdf, self->u[1].bdf));
	ASSERT_EQ(0, pci_make_idle(self->u[0].bdf));
	ASSERT_EQ(0, pci_make_idle(self->u[1].bdf));
	TH_LOG("virtio-iommu %s at %s; iommufd edu %s, legacy edu %s",
	       self->vname, self->vbdf, self->u[0].bdf, self->u[1].bdf);

	if (!access(DISK, F_OK)) {
		self->disk = open(DISK, O_RDWR | O_DIRECT);
		ASSERT_LE(0, self->disk);
		bg_rounds = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, bg_rounds);
		self->bg = fork();
		ASSERT_LE(0, self->bg);
		if (!self->bg)
			disk_background_io();
	}
#define DISK_STEP() do {						\
		if (self->disk >= 0)					\
			ASSERT_EQ(0, disk_step(self->disk, step++));	\
	} while (0)

	/* Touch the buffers first: the baseline counts no pin of ours. */
	for (i = 0; i < 2; i++) {
		memset(self->u[i].src, 0, BLK);
		memset(self->u[i].dst, 0, BLK);
	}
	pins0 = quiet_pins(self->bg);
	vmpin0 = status_kb("VmPin");
	ASSERT_LE(0, pins0);
	ASSERT_EQ(0, contexts_open());

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, user_open(&self->u[i]));
		ASSERT_EQ(0, user_dma(&self->u[i], 0x20 + i));
	}
	DISK_STEP();
	/* Four pages pinned; with the disk's transient pins at most a few more. */
	ASSERT_LE(pins0 + 4, quiet_pins(self->bg));
	ASSERT_EQ(2, contexts_open());

	/* Remove the unit under its users. */
	if (variant->pci_function) {
		snprintf(path, sizeof(path), PCI_SYSFS "/devices/%s/driver/unbind",
			 self->vbdf);
		ASSERT_EQ(0, sysfs_write(path, self->vbdf));
	} else {
		ASSERT_EQ(0, sysfs_write(VIRTIO_DRV "/unbind", self->vname));
	}
	ASSERT_TRUE(unit_wait(false));
	DISK_STEP();

	/* Revoked: the next call of each user fails with ENODEV. */
	for (i = 0; i < 2; i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->u[i].devfd, VFIO_DEVICE_GET_INFO,
				    &info));
		EXPECT_EQ(ENODEV, errno);
		EXPECT_NE(0, edu_dma(self->u[i].devfd, IOVA_SRC, 0, 16, false));
		/* Off vfio-pci, as on hot-unplug. */
		EXPECT_EQ(0, pci_driver(self->u[i].bdf, drv, sizeof(drv)));
		EXPECT_STREQ("", drv);
	}
	errno = 0;
	EXPECT_EQ(-ENODEV, vfio_group_status(self->u[1].gfd, &gflags));
	EXPECT_EQ(-ENODEV, vfio_group_device_fd(self->u[1].gfd,
						self->u[1].bdf));

	/* The users' contexts (IOAS, HWPT, container) outlive the unit. */
	EXPECT_EQ(2, contexts_open());
	for (i = 0; i < 2; i++)
		user_close(&self->u[i]);
	/* Released by the closes themselves: no context, no pin left. */
	EXPECT_EQ(0, contexts_open());
	pins1 = quiet_pins(self->bg);
	vmpin1 = status_kb("VmPin");
	TH_LOG("pinned pages %lld -> %lld, VmPin %ld -> %ld kB",
	       (long long)pins0, (long long)pins1, vmpin0, vmpin1);
	EXPECT_EQ(pins0, pins1);
	EXPECT_EQ(vmpin0, vmpin1);
	DISK_STEP();

	/* The unit comes back; so do the users. */
	if (variant->pci_function) {
		ASSERT_EQ(0, sysfs_write(PCI_SYSFS "/drivers_probe", self->vbdf));
	} else {
		ASSERT_EQ(0, sysfs_write(VIRTIO_DRV "/bind", self->vname));
	}
	ASSERT_TRUE(unit_wait(true));
	DISK_STEP();
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, user_open(&self->u[i]));
		ASSERT_EQ(0, user_dma(&self->u[i], 0x40 + i));
		user_close(&self->u[i]);
		ASSERT_EQ(0, pci_make_idle(self->u[i].bdf));
	}
	DISK_STEP();
	EXPECT_EQ(pins0, quiet_pins(self->bg));

	if (self->bg > 0) {
		/* The background I/O went on and never failed. */
		rounds = *bg_rounds;
		while (*bg_rounds < rounds + 2)
			usleep(10000);
		ASSERT_EQ(0, waitpid(self->bg, &status, WNOHANG));
	}
}

TEST_HARNESS_MAIN
