// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fail closed before probe (Documentation/groups.md, "Fail closed"): a
 * kernel driver that an administrator forces onto a member of a
 * user-owned group never DMAs through the user's page table.
 *
 * The test driver drivers/test/xiommu_test_edu.ko DMAs from its probe() to
 * a bus address it is given. User space maps IOVA X to a buffer holding a
 * pattern and attaches one edu behind the PCIe-to-PCI bridge; the
 * administrator then binds the test driver to the other edu of that
 * group (driver_override + bind) with the DMA address X. The buffer must
 * keep its pattern, the DMA must fault, and the owner's attach is refused
 * (EBUSY: revoked).
 *
 *   scripts/vm --profile vtd --add build/bin/dma_fail_closed -- /dma_fail_closed
 *
 * Runs on the vtd* and virtio profiles, which load xiommu_test_edu.
 */
#include "kselftest_harness.h"
#include "lib/dma_util.h"

#define TIMEOUT_S	120
#define TEST_DRV	"xiommu_test_edu"
#define TEST_DRV_SYSFS	PCI_SYSFS "/drivers/" TEST_DRV
#define TEST_PARAM(p)	"/sys/module/" TEST_DRV "/parameters/" p
#define BUF_LEN		4096
#define DMA_IOVA	0x100000ULL
#define DMA_LEN		256

static int param_u64(const char *path, uint64_t *val)
{
	char buf[32];
	int ret = sysfs_read(path, buf, sizeof(buf));

	if (!ret)
		*val = strtoull(buf, NULL, 0);
	return ret;
}

static int param_set(const char *path, uint64_t val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)val);
	return sysfs_write(path, buf);
}

FIXTURE(fc) {
	char a[PCI_BDF_LEN], b[PCI_BDF_LEN];
	bool have_pair;
};

FIXTURE_SETUP(fc)
{
	if (access(TEST_DRV_SYSFS, F_OK))
		SKIP(return, TEST_DRV " not loaded");
	self->have_pair = !edu_find_pair(self->a, self->b);
	if (!self->have_pair)
		SKIP(return, "no two edus behind one bridge");
	ASSERT_EQ(0, pci_make_idle(self->a));
	ASSERT_EQ(0, pci_make_idle(self->b));
}

FIXTURE_TEARDOWN(fc)
{
	if (!self->have_pair)
		return;
	param_set(TEST_PARAM("dma_addr"), 0);
	pci_make_idle(self->b);
	pci_make_idle(self->a);
}

/*
 * Guards fail closed before probe: the kernel driver's DMA at probe, to an
 * IOVA the user mapped, faults and leaves the user's memory alone.
 */
TEST_F_TIMEOUT(fc, kernel_driver_probe_dma_blocked, TIMEOUT_S)
{
	uint64_t probes0 = 0, probes1 = 0;
	int64_t faults0, faults1;
	uint32_t ioas_id, pt_id;
	char drv[64], ovr[64];
	int iommufd, fda;
	unsigned int i;
	uint8_t *buf;

	/* the fixture skipped: the 6.1 harness still runs the body */
	if (!self->have_pair)
		return;
	buf = dma_buf_alloc(BUF_LEN);
	ASSERT_NE(NULL, buf);
	srand(time(NULL));
	for (i = 0; i < BUF_LEN; i++)
		buf[i] = 0x80 | (rand() & 0x7f);	/* never 0 */

	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(iommufd, &ioas_id));
	ASSERT_EQ(0, iommufd_map(iommufd, ioas_id, buf, BUF_LEN, DMA_IOVA));
	fda = edu_open_attached(self->a, iommufd, ioas_id, &pt_id);
	ASSERT_LE(0, fda);

	/* The owner's policy guards the idle sibling: its driver's name. */
	ASSERT_EQ(0, pci_attr_read(self->b, "driver_override", ovr,
				   sizeof(ovr)));
	ASSERT_EQ(0, strncmp(ovr, VFIO_DEV_DRIVER, strlen(VFIO_DEV_DRIVER)));

	/* The administrator forces the test driver onto the sibling. */
	ASSERT_EQ(0, param_u64(TEST_PARAM("probes"), &probes0));
	ASSERT_EQ(0, param_set(TEST_PARAM("dma_addr"), DMA_IOVA));
	ASSERT_EQ(0, param_set(TEST_PARAM("dma_len"), DMA_LEN));
	faults0 = xiommu_dev_unit_faults(self->b);
	ASSERT_LE(0, faults0);
	ASSERT_EQ(0, pci_set_override(self->b, TEST_DRV));
	ASSERT_EQ(0, sysfs_write(TEST_DRV_SYSFS "/bind", self->b));
	ASSERT_EQ(0, pci_driver(self->b, drv, sizeof(drv)));
	ASSERT_STREQ(TEST_DRV, drv);
	/* Its probe ran its DMA to the end... */
	ASSERT_EQ(0, param_u64(TEST_PARAM("probes"), &probes1));
	ASSERT_EQ(probes0 + 1, probes1);
	/* ...which faulted and did not touch the user's memory. */
	faults1 = xiommu_dev_unit_faults(self->b);
	TH_LOG("faults %lld -> %lld", (long long)faults0, (long long)faults1);
	for (i = 0; i < BUF_LEN; i++)
		if (buf[i] < 0x80)
			break;
	ASSERT_EQ(BUF_LEN, i) {
		TH_LOG("user buffer overwritten at offset %u", i);
	}
	EXPECT_LT(faults0, faults1);

	/* The user side is revoked: no attach of the group's devices. */
	pt_id = ioas_id;
	EXPECT_EQ(-EBUSY, vfio_dev_attach(fda, &pt_id));

	ASSERT_EQ(0, param_set(TEST_PARAM("dma_addr"), 0));
	ASSERT_EQ(0, pci_make_idle(self->b));
	close(fda);
	close(iommufd);
	dma_buf_free(buf, BUF_LEN);
}

/*
 * A member that had a driver at claim time (here the DMA-managing driver,
 * with its driver_override cleared) is guarded when that driver leaves, so
 * no kernel driver auto-probes it while the group is owned.
 */
TEST_F_TIMEOUT(fc, member_guarded_after_unbind, TIMEOUT_S)
{
	uint32_t ioas_id, pt_id;
	char ovr[64];
	int iommufd, fda;

	/* the fixture skipped: the 6.1 harness still runs the body */
	if (!self->have_pair)
		return;
	ASSERT_EQ(0, vfio_dev_bind_driver(self->b));
	ASSERT_EQ(0, pci_set_override(self->b, ""));

	iommufd = iommufd_open();
	ASSERT_LE(0, iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(iommufd, &ioas_id));
	fda = edu_open_attached(self->a, iommufd, ioas_id, &pt_id);
	ASSERT_LE(0, fda);

	ASSERT_EQ(0, pci_unbind(self->b));
	ASSERT_EQ(0, pci_attr_read(self->b, "driver_override", ovr,
				   sizeof(ovr)));
	EXPECT_EQ(0, strncmp(ovr, VFIO_DEV_DRIVER, strlen(VFIO_DEV_DRIVER)));

	close(fda);
	close(iommufd);
	/* The release gives the member back with no override. */
	ASSERT_EQ(0, pci_attr_read(self->b, "driver_override", ovr,
				   sizeof(ovr)));
	EXPECT_EQ(0, strncmp(ovr, "(null)", 6));
}

TEST_HARNESS_MAIN
