// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu_smmuv3 as the hardware sees it (QEMU virt, iommu=smmuv3): the
 * stream table entry of an edu through its life (bypass while the kernel
 * owns it, blocked once user space claims it, stage-1 translate with the
 * domain's ASID when attached, blocked again on detach, bypass after
 * release), abort for every stream ID no endpoint uses (a hot-removed
 * device's included), translation faults counted per unit, endpoint and domain,
 * IOMMU_GET_HW_INFO in upstream's SMMUv3 layout, a 2 MiB block mapping
 * with DMA at both ends, a replace that rewrites each STE exactly once
 * (no intermediate state the device could use), replaces racing the
 * device's transfers losing and faulting none, and the TLB invalidation
 * commands an unmap costs per MiB. State is read from the unit's debugfs
 * files (drivers/arm/debugfs.c).
 *
 *   scripts/vm --profile smmuv3 --add build/arm64/bin/smmu_v3 -- /smmu_v3
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"

#define SZ_1M		0x100000UL
#define SZ_2M		0x200000UL
#define IOVA_A		0x100000ULL
#define IOVA_B		0x200000ULL
#define IOVA_HUGE	0x4000000ULL	/* 2 MiB aligned, below 256 MiB */
#define IOVA_BIG	0x10000000ULL	/* clear of the MSI doorbells at 0x08020000 */
#define IOVA_HOLE	0x900000ULL
#define DMA_LEN		2048
#define TIMEOUT_S	180

/* The STE state of @bdf's own stream ID: "bypass", "blocked", "translate". */
static int ste_state(const char *unit, const char *bdf, char *state,
		     size_t len, int *asid)
{
	char path[PATH_MAX], line[256], want[64];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/ste", unit);
	snprintf(want, sizeof(want), "%s sid ", bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	/* the first line of a device is its own requester ID */
	while (ret == -ENOENT && fgets(line, sizeof(line), f)) {
		char st[32];
		unsigned int sid;

		if (strncmp(line, want, strlen(want)))
			continue;
		*asid = -1;
		if (sscanf(line + strlen(want), "%x %31s asid %d", &sid, st,
			   asid) < 2)
			continue;
		ret = str_copy(state, len, st);
	}
	fclose(f);
	return ret;
}

/* A number on the "domain asid @asid " line of "domains": after @key. */
static int64_t domain_val(const char *unit, int asid, const char *key)
{
	char path[PATH_MAX], line[512], want[32], k[40];
	int64_t val = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/domains", unit);
	snprintf(want, sizeof(want), "domain asid %d ", asid);
	snprintf(k, sizeof(k), " %s ", key);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, k);

		if (!strncmp(line, want, strlen(want)) && p)
			val = strtoll(p + strlen(k), NULL, 0);
	}
	fclose(f);
	return val;
}

/* Counts of the "sids FIRST-LAST ..." line of "ste" that holds @sid. */
struct ste_span {
	unsigned int first, last;
	unsigned int abort, bypass, blocked, translate, invalid, other;
	unsigned int endpoint_sids;	/* distinct endpoint stream IDs in it */
};

static int ste_span_of(const char *unit, unsigned int sid,
		       struct ste_span *sp)
{
	static unsigned char seen[1 << 16];
	char path[PATH_MAX], line[256];
	int ret = -ENOENT;
	unsigned int s;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/ste", unit);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	memset(seen, 0, sizeof(seen));
	memset(sp, 0, sizeof(*sp));
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " sid ");
		struct ste_span t;

		if (p && sscanf(p, " sid %x", &s) == 1 && s < sizeof(seen)) {
			seen[s] = 1;
			continue;
		}
		if (sscanf(line, "sids %x-%x abort %u bypass %u blocked %u translate %u invalid %u other %u",
			   &t.first, &t.last, &t.abort, &t.bypass, &t.blocked,
			   &t.translate, &t.invalid, &t.other) == 8 &&
		    t.first <= sid && sid <= t.last) {
			*sp = t;
			ret = 0;
		}
	}
	fclose(f);
	if (!ret)
		for (s = sp->first; s <= sp->last && s < sizeof(seen); s++)
			sp->endpoint_sids += seen[s];
	return ret;
}

/* The stream ID of @bdf's own requester ID ("ste": its first line). */
static int own_sid(const char *unit, const char *bdf, unsigned int *sid)
{
	char path[PATH_MAX], line[256], want[64];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/ste", unit);
	snprintf(want, sizeof(want), "%s sid ", bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (ret == -ENOENT && fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)) &&
		    sscanf(line + strlen(want), "%x", sid) == 1)
			ret = 0;
	fclose(f);
	return ret;
}

static int64_t stat_get(const char *unit, const char *key)
{
	return xiommu_unit_key(unit, "stats", key);
}

/* Faults of endpoint @bdf ("endpoints": "<bdf> group ... faults N"). */
static int64_t ep_faults(const char *unit, const char *bdf)
{
	char path[PATH_MAX], line[256];
	int64_t val = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/endpoints", unit);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " faults ");

		if (!strncmp(line, bdf, strlen(bdf)) &&
		    line[strlen(bdf)] == ' ' && p)
			val = strtoll(p + 8, NULL, 0);
	}
	fclose(f);
	return val;
}

FIXTURE(smmu) {
	char bdf[PCI_BDF_LEN];
	char unit[XIOMMU_UNIT_LEN];
	int iommufd;
	int devfd;
	uint32_t devid;
	uint32_t ioas;
	uint8_t *a;
	uint8_t *b;
};

FIXTURE_SETUP(smmu)
{
	self->iommufd = -1;
	self->devfd = -1;
	self->unit[0] = 0;
	if (edu_find_solo(self->bdf))
		SKIP(return, "no edu device");
	if (xiommu_dev_unit(self->bdf, self->unit, sizeof(self->unit)) ||
	    strncmp(self->unit, "smmu", 4)) {
		self->unit[0] = 0;
		SKIP(return, "edu not translated by an SMMUv3 unit");
	}
	ASSERT_EQ(0, pci_make_idle(self->bdf));
	self->a = dma_buf_alloc(4096);
	self->b = dma_buf_alloc(4096);
	ASSERT_NE(NULL, self->a);
	ASSERT_NE(NULL, self->b);
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, self->a, 4096,
				 IOVA_A));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, self->b, 4096,
				 IOVA_B));
}

FIXTURE_TEARDOWN(smmu)
{
	char path[PATH_MAX];

	if (self->devfd >= 0)
		close(self->devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	if (!self->unit[0])
		return;
	/* a test that hot-removed the edu and failed: bring it back */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", self->bdf);
	if (access(path, F_OK))
		sysfs_write("/sys/bus/pci/rescan", "1");
	pci_make_idle(self->bdf);
}

/* Open the edu, bind it to the context (claims the group). */
static void open_bound(struct __test_metadata *_metadata,
		       FIXTURE_DATA(smmu) *self)
{
	ASSERT_EQ(0, vfio_dev_bind_driver(self->bdf));
	self->devfd = vfio_dev_open(self->bdf);
	ASSERT_LE(0, self->devfd);
	ASSERT_EQ(0, vfio_dev_bind(self->devfd, self->iommufd, &self->devid));
}

/* a -> device -> b through the current translation. */
static int copy_a_to_b(FIXTURE_DATA(smmu) *self)
{
	int ret = edu_dma(self->devfd, IOVA_A, 0, DMA_LEN, false);

	return ret ? ret : edu_dma(self->devfd, IOVA_B, 0, DMA_LEN, true);
}

TEST_F_TIMEOUT(smmu, ste_states, TIMEOUT_S)
{
	char st[32];
	int asid, asid2;

	if (!self->unit[0])
		return;
	ASSERT_EQ(0, ste_state(self->unit, self->bdf, st, sizeof(st), &asid));
	ASSERT_STREQ("bypass", st);

	open_bound(_metadata, self);
	ASSERT_EQ(0, ste_state(self->unit, self->bdf, st, sizeof(st), &asid));
	ASSERT_STREQ("blocked", st);

	uint32_t pt = self->ioas;

	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt));
	ASSERT_EQ(0, ste_state(self->unit, self->bdf, st, sizeof(st), &asid));
	ASSERT_STREQ("translate", st);
	ASSERT_LT(0, asid);
	ASSERT_EQ(1, domain_val(self->unit, asid, "levels") >= 2);
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, true));
	dma_fill(self->a, 4096, 0x5a);
	memset(self->b, 0, 4096);
	ASSERT_EQ(0, copy_a_to_b(self));
	ASSERT_EQ(0, memcmp(self->a, self->b, DMA_LEN));

	ASSERT_EQ(0, vfio_dev_detach(self->devfd));
	ASSERT_EQ(0, ste_state(self->unit, self->bdf, st, sizeof(st), &asid2));
	ASSERT_STREQ("blocked", st);
	/* blocked: the DMA faults, nothing reaches memory */
	memset(self->b, 0, 4096);
	edu_dma(self->devfd, IOVA_B, 0, DMA_LEN, true);
	ASSERT_TRUE(dma_all_bytes(self->b, DMA_LEN, 0));

	close(self->devfd);
	self->devfd = -1;
	ASSERT_EQ(0, pci_make_idle(self->bdf));
	ASSERT_EQ(0, ste_state(self->unit, self->bdf, st, sizeof(st), &asid));
	ASSERT_STREQ("bypass", st);
}

/*
 * Abort: every stream ID of a level-2 table that no endpoint uses, and
 * the stream ID of a hot-removed device, which must not fall back to
 * bypass; a rescan brings the device back on a bypass STE.
 */
TEST_F_TIMEOUT(smmu, ste_abort_unused_and_removed, TIMEOUT_S)
{
	char path[PATH_MAX], st[32];
	struct ste_span before, gone, back;
	unsigned int sid, sid2;
	int asid, i;

	if (!self->unit[0])
		return;
	ASSERT_EQ(0, own_sid(self->unit, self->bdf, &sid));
	ASSERT_EQ(0, ste_span_of(self->unit, sid, &before));
	TH_LOG("sid %#x: span %#x-%#x abort %u bypass %u blocked %u translate %u, %u endpoint stream IDs",
	       sid, before.first, before.last, before.abort, before.bypass,
	       before.blocked, before.translate, before.endpoint_sids);
	ASSERT_EQ(0, before.invalid + before.other);
	ASSERT_EQ(before.endpoint_sids,
		  before.bypass + before.blocked + before.translate);
	ASSERT_EQ(before.last - before.first + 1 - before.endpoint_sids,
		  before.abort);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove",
		 self->bdf);
	ASSERT_EQ(0, sysfs_write(path, "1"));
	ASSERT_EQ(-ENOENT, own_sid(self->unit, self->bdf, &sid2));
	ASSERT_EQ(0, ste_span_of(self->unit, sid, &gone));
	ASSERT_EQ(before.abort + 1, gone.abort);
	ASSERT_EQ(before.bypass - 1, gone.bypass);
	ASSERT_EQ(before.endpoint_sids - 1, gone.endpoint_sids);

	ASSERT_EQ(0, sysfs_write("/sys/bus/pci/rescan", "1"));
	for (i = 0; i < 100 && own_sid(self->unit, self->bdf, &sid2); i++)
		usleep(10000);
	ASSERT_EQ(0, own_sid(self->unit, self->bdf, &sid2));
	ASSERT_EQ(sid, sid2);
	ASSERT_EQ(0, ste_state(self->unit, self->bdf, st, sizeof(st), &asid));
	ASSERT_STREQ("bypass", st);
	ASSERT_EQ(0, ste_span_of(self->unit, sid, &back));
	ASSERT_EQ(before.abort, back.abort);
	ASSERT_EQ(before.bypass, back.bypass);
	/* a driver may have claimed the new device: idle again */
	ASSERT_EQ(0, pci_make_idle(self->bdf));
}

TEST_F_TIMEOUT(smmu, faults_counted, TIMEOUT_S)
{
	int64_t unit0, ep0, dom0, ev0;
	uint32_t pt = self->ioas;
	char st[32];
	int asid;

	if (!self->unit[0])
		return;
	open_bound(_metadata, self);
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt));
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, true));
	ASSERT_EQ(0, ste_state(self->unit, self->bdf, st, sizeof(st), &asid));
	xiommu_fault_settle(self->unit);
	unit0 = xiommu_unit_faults(self->unit);
	ep0 = ep_faults(self->unit, self->bdf);
	dom0 = domain_val(self->unit, asid, "faults");
	ev0 = stat_get(self->unit, "events");
	ASSERT_LE(0, unit0);
	ASSERT_LE(0, ep0);
	ASSERT_LE(0, dom0);

	/* a read of an unmapped IOVA: one F_TRANSLATION event */
	edu_dma(self->devfd, IOVA_HOLE, 0, DMA_LEN, false);
	xiommu_fault_settle(self->unit);
	TH_LOG("faults: unit %lld -> %lld, endpoint %lld -> %lld, domain %lld -> %lld",
	       (long long)unit0, (long long)xiommu_unit_faults(self->unit),
	       (long long)ep0, (long long)ep_faults(self->unit, self->bdf),
	       (long long)dom0, (long long)domain_val(self->unit, asid, "faults"));
	ASSERT_LT(unit0, xiommu_unit_faults(self->unit));
	ASSERT_LT(ep0, ep_faults(self->unit, self->bdf));
	ASSERT_LT(dom0, domain_val(self->unit, asid, "faults"));
	ASSERT_LT(ev0, stat_get(self->unit, "events"));
	ASSERT_EQ(0, stat_get(self->unit, "cmd_errors"));
	/*
	 * QEMU records an event per failed access of the DMA, which may fill
	 * the queue (GERROR.EVTQ_ABT_ERR, logged and acknowledged): the
	 * queue must keep working afterwards.
	 */
	TH_LOG("events %lld, global errors %lld",
	       (long long)stat_get(self->unit, "events"),
	       (long long)stat_get(self->unit, "gerrors"));
	unit0 = xiommu_unit_faults(self->unit);
	edu_dma(self->devfd, IOVA_HOLE, 0, 16, false);
	xiommu_fault_settle(self->unit);
	ASSERT_LT(unit0, xiommu_unit_faults(self->unit));
	ASSERT_EQ(0, xiommu_unit_key(self->unit, "regs", "GERROR") ^
		     xiommu_unit_key(self->unit, "regs", "GERRORN"));

	/* the device still works afterwards */
	dma_fill(self->a, 4096, 0x31);
	ASSERT_EQ(0, copy_a_to_b(self));
	ASSERT_EQ(0, memcmp(self->a, self->b, DMA_LEN));
}

TEST_F(smmu, hw_info)
{
	struct iommu_hw_info_arm_smmuv3 info;
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.data_len = sizeof(info) + 8,
	};
	uint8_t buf[sizeof(info) + 8];
	int64_t idr0, idr1, idr5;
	unsigned int i;

	if (!self->unit[0])
		return;
	open_bound(_metadata, self);
	memset(buf, 0xff, sizeof(buf));
	cmd.dev_id = self->devid;
	cmd.data_uptr = (uintptr_t)buf;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_GET_HW_INFO, &cmd));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, cmd.out_data_type);
	ASSERT_EQ(2, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);	/* upstream's value */
	ASSERT_EQ(sizeof(info), cmd.data_len);
	ASSERT_EQ(40, sizeof(info));
	memcpy(&info, buf, sizeof(info));
	for (i = sizeof(info); i < sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]);
	ASSERT_EQ(0, info.flags);
	idr0 = xiommu_unit_key(self->unit, "regs", "IDR0");
	idr1 = xiommu_unit_key(self->unit, "regs", "IDR1");
	idr5 = xiommu_unit_key(self->unit, "regs", "IDR5");
	ASSERT_EQ(idr0, info.idr[0]);
	ASSERT_EQ(idr1, info.idr[1]);
	ASSERT_EQ(idr5, info.idr[5]);
	ASSERT_TRUE(info.idr[0] & 2);		/* IDR0.S1P */
	ASSERT_TRUE(info.idr[5] & 0x10);	/* IDR5.GRAN4K */
	ASSERT_EQ(xiommu_unit_key(self->unit, "regs", "AIDR"), info.aidr);
	TH_LOG("IDR0 %#x IDR1 %#x IDR3 %#x IDR5 %#x AIDR %#x", info.idr[0],
	       info.idr[1], info.idr[3], info.idr[5], info.aidr);

	/* a short buffer gets what fits */
	memset(buf, 0xff, sizeof(buf));
	cmd.data_len = 8;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_GET_HW_INFO, &cmd));
	ASSERT_EQ(sizeof(info), cmd.data_len);
	ASSERT_EQ(0xff, buf[8]);
}

TEST_F_TIMEOUT(smmu, block_2m_dma_both_ends, TIMEOUT_S)
{
	int64_t va0, asid0, bytes0;
	uint32_t pt = self->ioas;
	uint8_t *huge;
	char st[32];
	int asid;

	if (!self->unit[0])
		return;
	sysfs_write("/proc/sys/vm/nr_hugepages", "4");
	huge = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		    -1, 0);
	if (huge == MAP_FAILED)
		SKIP(return, "no 2 MiB hugetlb page");
	open_bound(_metadata, self);
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt));
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, true));
	ASSERT_EQ(0, ste_state(self->unit, self->bdf, st, sizeof(st), &asid));
	dma_fill(huge, SZ_2M, 0x2b);
	memset(huge + SZ_2M - 2 * DMA_LEN, 0, 2 * DMA_LEN);
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, huge, SZ_2M,
				 IOVA_HUGE));
	ASSERT_EQ(1, domain_val(self->unit, asid, "2M"));

	/* first bytes -> device -> last bytes, and back */
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_HUGE, 0, DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_HUGE + SZ_2M - DMA_LEN, 0,
			     DMA_LEN, true));
	ASSERT_EQ(0, memcmp(huge, huge + SZ_2M - DMA_LEN, DMA_LEN));
	memset(huge + SZ_2M - 2 * DMA_LEN, 0x77, DMA_LEN);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_HUGE + SZ_2M - 2 * DMA_LEN, 0,
			     DMA_LEN, false));
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_HUGE, 0, DMA_LEN, true));
	ASSERT_TRUE(dma_all_bytes(huge, DMA_LEN, 0x77));

	va0 = stat_get(self->unit, "tlbi_va");
	asid0 = stat_get(self->unit, "tlbi_asid");
	bytes0 = stat_get(self->unit, "tlbi_bytes");
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas, IOVA_HUGE, SZ_2M));
	TH_LOG("2 MiB unmap: %lld TLBI_NH_VA, %lld TLBI_NH_ASID, %lld bytes",
	       (long long)(stat_get(self->unit, "tlbi_va") - va0),
	       (long long)(stat_get(self->unit, "tlbi_asid") - asid0),
	       (long long)(stat_get(self->unit, "tlbi_bytes") - bytes0));
	ASSERT_EQ(0, domain_val(self->unit, asid, "2M"));
	ASSERT_EQ((int64_t)SZ_2M, stat_get(self->unit, "tlbi_bytes") - bytes0);
	ASSERT_EQ(0, stat_get(self->unit, "tlbi_asid") - asid0);
	/* the block is gone for the device too */
	memset(huge, 0, DMA_LEN);
	edu_dma(self->devfd, IOVA_HUGE, 0, DMA_LEN, true);
	ASSERT_TRUE(dma_all_bytes(huge, DMA_LEN, 0));
	munmap(huge, SZ_2M);
}

TEST_F_TIMEOUT(smmu, replace_one_ste_write, TIMEOUT_S)
{
	uint8_t *c = dma_buf_alloc(4096);
	int64_t cfgi0, cfgi1;
	uint32_t pt = self->ioas, ioas2, pt2;
	char st[32];
	int asid, asid2;

	if (!self->unit[0])
		return;
	ASSERT_NE(NULL, c);
	/* a second IOAS whose IOVA_B is another buffer */
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &ioas2));
	ASSERT_EQ(0, iommufd_map(self->iommufd, ioas2, self->a, 4096, IOVA_A));
	ASSERT_EQ(0, iommufd_map(self->iommufd, ioas2, c, 4096, IOVA_B));
	open_bound(_metadata, self);
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt));
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, true));
	ASSERT_EQ(0, ste_state(self->unit, self->bdf, st, sizeof(st), &asid));

	dma_fill(self->a, 4096, 0x11);
	memset(self->b, 0, 4096);
	memset(c, 0, 4096);
	ASSERT_EQ(0, copy_a_to_b(self));
	ASSERT_EQ(0, memcmp(self->a, self->b, DMA_LEN));
	ASSERT_TRUE(dma_all_bytes(c, DMA_LEN, 0));

	/* replace: one STE write per stream ID, nothing in between */
	cfgi0 = stat_get(self->unit, "cfgi_ste");
	pt2 = ioas2;
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt2));
	cfgi1 = stat_get(self->unit, "cfgi_ste");
	ASSERT_EQ(0, ste_state(self->unit, self->bdf, st, sizeof(st), &asid2));
	ASSERT_STREQ("translate", st);
	ASSERT_NE(asid, asid2);
	TH_LOG("replace: asid %d -> %d, %lld STE writes", asid, asid2,
	       (long long)(cfgi1 - cfgi0));
	ASSERT_EQ(1, cfgi1 - cfgi0);	/* the solo edu has one stream ID */

	dma_fill(self->a, 4096, 0x22);
	ASSERT_EQ(0, copy_a_to_b(self));
	ASSERT_EQ(0, memcmp(self->a, c, DMA_LEN));
	ASSERT_FALSE(dma_all_bytes(self->b, DMA_LEN, 0x22));
	dma_buf_free(c, 4096);
}

struct replacer {
	int devfd;
	uint32_t pt[2];
	volatile bool stop;
	unsigned long done;
	int err;
};

/* Replace the edu's domain back and forth until told to stop. */
static void *replacer_fn(void *arg)
{
	struct replacer *r = arg;

	while (!r->stop && !r->err) {
		uint32_t pt = r->pt[++r->done & 1];

		r->err = vfio_dev_attach(r->devfd, &pt);
	}
	return NULL;
}

/*
 * Replace under DMA: one thread switches the edu between two IOASes as
 * fast as it can (tens of thousands of times) while the device copies
 * into IOVA_B, which is b in one and c in the other. Every transfer lands
 * whole in exactly one of them and none faults: replaces racing real
 * transfers lose nothing. What proves there is no intermediate STE is
 * replace_one_ste_write's count: with a blocked step inserted into every
 * replace this test still passed (16 transfers rarely hit a window of a
 * few microseconds), so it complements that count, not replaces it.
 */
TEST_F_TIMEOUT(smmu, replace_under_dma, TIMEOUT_S)
{
	uint8_t *c = dma_buf_alloc(4096);
	struct replacer r = { 0 };
	unsigned int i, in_b = 0, in_c = 0;
	uint32_t pt = self->ioas, ioas2;
	int64_t faults0;
	pthread_t thread;

	if (!self->unit[0])
		return;
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &ioas2));
	ASSERT_EQ(0, iommufd_map(self->iommufd, ioas2, self->a, 4096, IOVA_A));
	ASSERT_EQ(0, iommufd_map(self->iommufd, ioas2, c, 4096, IOVA_B));
	open_bound(_metadata, self);
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt));
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, true));
	xiommu_fault_settle(self->unit);
	faults0 = xiommu_unit_faults(self->unit);
	ASSERT_LE(0, faults0);

	r.devfd = self->devfd;
	r.pt[0] = self->ioas;
	r.pt[1] = ioas2;
	ASSERT_EQ(0, pthread_create(&thread, NULL, replacer_fn, &r));
	for (i = 0; i < 16; i++) {
		dma_fill(self->a, 4096, 0x40 + i);
		memset(self->b, 0, 4096);
		memset(c, 0, 4096);
		if (copy_a_to_b(self))
			break;
		if (!memcmp(self->a, self->b, DMA_LEN) &&
		    dma_all_bytes(c, DMA_LEN, 0))
			in_b++;
		else if (!memcmp(self->a, c, DMA_LEN) &&
			 dma_all_bytes(self->b, DMA_LEN, 0))
			in_c++;
		else
			break;
	}
	r.stop = true;
	ASSERT_EQ(0, pthread_join(thread, NULL));
	xiommu_fault_sync(self->unit);
	TH_LOG("%lu replaces during 16 copies: %u landed in b, %u in c",
	       r.done, in_b, in_c);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(16, in_b + in_c);
	ASSERT_EQ(faults0, xiommu_unit_faults(self->unit));
	ASSERT_LT(16, r.done);
	dma_buf_free(c, 4096);
}

TEST_F_TIMEOUT(smmu, invalidation_per_mib, TIMEOUT_S)
{
	const size_t len = 64 * SZ_1M;
	int64_t va0, asid0, bytes0, va, as;
	uint32_t pt = self->ioas;
	uint8_t *big;

	if (!self->unit[0])
		return;
	big = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, big);
	madvise(big, len, MADV_NOHUGEPAGE);
	open_bound(_metadata, self);
	ASSERT_EQ(0, vfio_dev_attach(self->devfd, &pt));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, big, len,
				 IOVA_BIG));
	va0 = stat_get(self->unit, "tlbi_va");
	asid0 = stat_get(self->unit, "tlbi_asid");
	bytes0 = stat_get(self->unit, "tlbi_bytes");
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas, IOVA_BIG, len));
	va = stat_get(self->unit, "tlbi_va") - va0;
	as = stat_get(self->unit, "tlbi_asid") - asid0;
	TH_LOG("64 MiB unmap: %lld TLBI_NH_VA + %lld TLBI_NH_ASID commands (%.3f per MiB), %lld bytes",
	       (long long)va, (long long)as, (double)(va + as) / 64,
	       (long long)(stat_get(self->unit, "tlbi_bytes") - bytes0));
	ASSERT_LE((int64_t)len, stat_get(self->unit, "tlbi_bytes") - bytes0);
	ASSERT_LT(0, va + as);
	/* range invalidation or one by ASID: a few commands, not 16384 */
	ASSERT_GE(64, va + as);
	munmap(big, len);
}

TEST_HARNESS_MAIN
