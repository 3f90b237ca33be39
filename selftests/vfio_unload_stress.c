// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unload racing bind (issue 11): for a bounded time, worker processes
 *
 *   - rmmod and insmod xiommu_vfio_pci and the IOMMU driver module
 *     (xiommu_vtd or xiommu_virtio; rmmod of a pinned module fails, fine),
 *   - bind and unbind the edus to and from vfio-pci through sysfs
 *     (driver_override + drivers_probe, unbind),
 *   - open the edus' device cdevs and /dev/iommu, bind, map, attach and
 *     close, and open the legacy group node with a container,
 *   - on a virtio-iommu, unbind and rebind the unit's virtio-pci function
 *     (the unit is removed under its users: revoke),
 *
 * all at once. Then the modules are loaded again and one edu must still do
 * DMA. Every error of the workers is expected (ENODEV, EBUSY, ENOENT...):
 * what the test guards is the kernel: any splat fails the scripts/vm run,
 * and on the debug kernel that includes lockdep and KASAN reports.
 *
 *   scripts/vm --profile vtd --add build/bin/vfio_unload_stress -- /vfio_unload_stress [SECONDS]
 *
 * SECONDS (default 20, the stock tier's run) may also come from
 * VFIO_UNLOAD_STRESS_SECONDS in the environment: the debug tier runs it
 * shorter (scripts/check.mk, DEBUG_TEST_ENV), the stock runs keep 20 s.
 *
 * Needs root and the scripts/vm guest layout.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"
#include "lib/disk_io.h"
#include "lib/vfio_legacy.h"

#define DEFAULT_SECONDS	20
#define TIMEOUT_S	300
#define NR_WORKERS	5

static unsigned int stress_seconds = DEFAULT_SECONDS;

static const char *unit_module(void)
{
	if (!access("/sys/module/xiommu_vtd", F_OK))
		return "xiommu_vtd";
	if (!access("/sys/module/xiommu_virtio", F_OK))
		return "xiommu_virtio";
	return NULL;
}

static void quiet(const char *fmt, const char *arg)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	if (system(cmd) < 0)
		_exit(2);
}

static void mod_cycle(const char *name)
{
	quiet("rmmod %s", name);
	usleep(rand() % 50000);
	if (access("/sys/module/xiommu", F_OK))
		return;
	xiommu_module_load(name);
}

/* The virtio-pci function of a virtio-iommu unit, or "" */
static void viommu_bdf(char *bdf)
{
	char real[PATH_MAX], *p, *last = NULL;
	struct dirent *de;
	DIR *d;

	bdf[0] = 0;
	d = opendir("/sys/bus/virtio/drivers/xiommu_virtio");
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];

		if (strncmp(de->d_name, "virtio", 6))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/virtio/drivers/xiommu_virtio/%s", de->d_name);
		if (!realpath(path, real))
			continue;
		for (p = strtok(real, "/"); p; p = strtok(NULL, "/"))
			if (pci_is_bdf(p))
				last = p;
		if (last)
			snprintf(bdf, PCI_BDF_LEN, "%s", last);
		break;
	}
	closedir(d);
}

/* One user of @bdf through iommufd, then through the legacy API. */
static void use_once(const char *bdf, void *buf)
{
	uint32_t ioas, pt;
	int iommufd, fd, cfd, gfd;

	fd = vfio_dev_open(bdf);
	iommufd = iommufd_open();
	if (fd >= 0 && iommufd >= 0 && !iommufd_ioas_alloc(iommufd, &ioas) &&
	    !iommufd_map(iommufd, ioas, buf, 4096, 0x100000) &&
	    !vfio_dev_bind(fd, iommufd, NULL)) {
		pt = ioas;
		vfio_dev_attach(fd, &pt);
		usleep(rand() % 20000);
		vfio_dev_detach(fd);
	}
	if (fd >= 0)
		close(fd);
	if (iommufd >= 0)
		close(iommufd);

	if (!vfio_legacy_setup(bdf, &cfd, &gfd)) {
		vfio_map_dma(cfd, buf, 0x100000, 4096);
		fd = vfio_group_device_fd(gfd, bdf);
		usleep(rand() % 20000);
		if (fd >= 0)
			close(fd);
		close(gfd);
		close(cfd);
	}
}

static void worker(int kind, unsigned int seed, time_t end,
		   char (*edus)[PCI_BDF_LEN], int n, const char *unit,
		   const char *vbdf)
{
	void *buf = dma_buf_alloc(4096);
	char path[PATH_MAX];
	const char *bdf;

	srand(seed);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (time(NULL) < end) {
		bdf = edus[rand() % n];
		switch (kind) {
		case 0:
			mod_cycle("xiommu_vfio_pci");
			break;
		case 1:
			mod_cycle(unit);
			if (vbdf[0]) {
				snprintf(path, sizeof(path),
					 PCI_SYSFS "/devices/%s/driver/unbind",
					 vbdf);
				sysfs_write(path, vbdf);
				usleep(rand() % 30000);
				sysfs_write(PCI_SYSFS "/drivers_probe", vbdf);
			}
			usleep(rand() % 100000);
			break;
		case 2:
			if (rand() % 2)
				vfio_dev_bind_driver(bdf);
			else
				pci_make_idle(bdf);
			break;
		default:
			use_once(bdf, buf);
			break;
		}
	}
	_exit(0);
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, unload_races_bind, TIMEOUT_S)
{
	char edus[DMA_MAX_EDUS][PCI_BDF_LEN], vbdf[PCI_BDF_LEN];
	const char *unit = unit_module();
	uint8_t *src, *dst;
	pid_t pids[NR_WORKERS];
	int n, i, status, fd, iommufd;
	uint32_t ioas;
	time_t end;

	if (access("/xiommu/modules", F_OK) || !unit)
		SKIP(return, "not in a scripts/vm guest with an IOMMU driver");
	n = edu_find(edus, DMA_MAX_EDUS);
	if (n <= 0)
		SKIP(return, "no edu");
	if (n > DMA_MAX_EDUS)
		n = DMA_MAX_EDUS;
	viommu_bdf(vbdf);
	TH_LOG("%u s: %d edus, unit module %s%s%s", stress_seconds, n, unit,
	       vbdf[0] ? ", virtio-pci function " : "", vbdf);

	end = time(NULL) + stress_seconds;
	for (i = 0; i < NR_WORKERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			worker(i < 3 ? i : 3, 1234 + i, end, edus, n, unit,
			       vbdf);
	}
	for (i = 0; i < NR_WORKERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}

	/* Back to the profile's state, and DMA still works. */
	if (vbdf[0])
		sysfs_write(PCI_SYSFS "/drivers_probe", vbdf);
	if (access("/sys/module/xiommu_vfio_pci", F_OK))
		ASSERT_EQ(0, xiommu_module_load("xiommu_vfio_pci"));
	if (!unit_module())
		ASSERT_EQ(0, xiommu_module_load(unit));
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pci_make_idle(edus[i]));

	src = dma_buf_alloc(4096);
	dst = dma_buf_alloc(4096);
	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(iommufd, &ioas));
	ASSERT_EQ(0, iommufd_map(iommufd, ioas, src, 4096, 0x100000));
	ASSERT_EQ(0, iommufd_map(iommufd, ioas, dst, 4096, 0x200000));
	fd = edu_open_attached(edus[0], iommufd, ioas, NULL);
	ASSERT_LE(0, fd);
	dma_fill(src, 2048, 0x5a);
	ASSERT_EQ(0, edu_dma(fd, 0x100000, 0, 2048, false));
	ASSERT_EQ(0, edu_dma(fd, 0x200000, 0, 2048, true));
	ASSERT_EQ(0, memcmp(src, dst, 2048));
	close(fd);
	close(iommufd);
	ASSERT_EQ(0, pci_make_idle(edus[0]));
	dma_buf_free(src, 4096);
	dma_buf_free(dst, 4096);
}

int main(int argc, char **argv)
{
	const char *env = getenv("VFIO_UNLOAD_STRESS_SECONDS");

	if (env && atoi(env) > 0)
		stress_seconds = atoi(env);
	if (argc > 1 && atoi(argv[1]) > 0)
		stress_seconds = atoi(argv[1]);
	return test_harness_run(1, argv);
}
