// SPDX-License-Identifier: GPL-2.0-only
/*
 * What only the virtio-iommu driver (xiommu_virtio) does, checked through
 * /dev/iommu, an edu device and the driver's debugfs files
 * (/sys/kernel/debug/xiommu/viommuN/: stats, ids, devices, domains):
 *
 *  - IOMMU_GET_HW_INFO reports IOMMU_HW_INFO_TYPE_XIOMMU_VIRTIO with the
 *    device configuration;
 *  - one MAP request per physically contiguous run of the user memory
 *    (runs counted from /proc/self/pagemap), one UNMAP per IOAS unmap;
 *  - attaching a device to a domain the device does not hold yet sends the
 *    ATTACH and every MAP of the replay in one batch: one notification;
 *  - the PROBE answer's MSI window is a reserved IOVA range of the IOAS;
 *  - requests the device refuses (made with the test_hooks debugfs files:
 *    a flags bit the spec says the device must reject) fail the ioctl
 *    with the errno of VIRTIO_IOMMU_S_INVAL, EINVAL, and leave nothing
 *    behind: no mapping in the IOAS or the domain, no pinned page, the
 *    device still on its old domain, and the same call works afterwards;
 *  - faults of an edu with an endpoint ID of its own are counted on it.
 *
 *   scripts/vm --profile virtio --add build/bin/virtio_iommu -- /virtio_iommu
 *   scripts/vm --profile virtio-arm64 --add build/arm64/bin/virtio_iommu -- /virtio_iommu
 *
 * Needs root, xiommu, xiommu_virtio (test_hooks=1 for the refusal tests)
 * and xiommu_vfio_pci, and an edu on the root bus of a virtio-iommu.
 */
#include "kselftest_harness.h"
#include "lib/dma_util.h"

#define PAGE		4096UL
#define IOVA_A		0x100000ULL	/* below the edu's 28-bit mask */
#define IOVA_B		0x400000ULL
#define IOVA_C		0x800000ULL
#define IOVA_UNMAPPED	0xc00000ULL
/*
 * The MSI window QEMU 7.2's PROBE reports: x86's interrupt address range;
 * on arm64 virt the GICv2m doorbell frame (its first 4 KiB).
 */
#ifdef __aarch64__
#define MSI_BASE	0x08020000ULL
#define MSI_LAST	0x08020fffULL
#else
#define MSI_BASE	0xfee00000ULL
#define MSI_LAST	0xfeefffffULL
#endif
#define DMA_LEN		2048
#define TIMEOUT_S	120

/* One "key value" line of the unit's debugfs @file, or -errno. */
static int64_t stat_of(const char *unit, const char *key)
{
	return xiommu_unit_key(unit, "stats", key);
}

/* Write a number to the unit's debugfs @file. */
static int unit_write(const char *unit, const char *file, unsigned int val)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/%s", unit, file);
	snprintf(buf, sizeof(buf), "%u", val);
	return sysfs_write(path, buf);
}

/* The first endpoint ID of @bdf ("devices" file), or -errno. */
static int64_t dev_epid(const char *unit, const char *bdf)
{
	char path[PATH_MAX], line[512];
	size_t n = strlen(bdf);
	int64_t id = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/devices", unit);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, bdf, n) && !strncmp(line + n, " ids ", 5))
			id = strtoll(line + n + 5, NULL, 0);
	fclose(f);
	return id;
}

/*
 * The domain endpoint ID @id is attached to ("ids" file): its ID, and its
 * kind ("blocked", "bypass", "paging") in @kind. Return: ID or -errno.
 */
static int64_t epid_domain(const char *unit, int64_t id, char *kind,
			   size_t len)
{
	char path[PATH_MAX], line[256], k[16];
	unsigned long long eid;
	unsigned int users, dom;
	int64_t ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/ids", unit);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "endpoint %llx users %u domain %u %15s", &eid,
			   &users, &dom, k) == 4 && (int64_t)eid == id) {
			ret = dom;
			snprintf(kind, len, "%s", k);
		}
	fclose(f);
	return ret;
}

/* Mappings of paging domain @dom ("domains" file), or -errno. */
static int64_t domain_mappings(const char *unit, int64_t dom)
{
	char path[PATH_MAX], line[256];
	unsigned int id, eps;
	unsigned long n;
	int64_t ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/domains", unit);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "domain %u paging endpoints %u mappings %lu",
			   &id, &eps, &n) == 3 && id == dom)
			ret = n;
	fclose(f);
	return ret;
}

/* Physically contiguous runs of pages in [@buf, @buf + @len), or -errno. */
static int pagemap_runs(const void *buf, size_t len)
{
	uint64_t e, prev = 0;
	size_t i;
	int fd, runs = 0;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -errno;
	for (i = 0; i < len / PAGE; i++) {
		off_t off = ((uintptr_t)buf / PAGE + i) * sizeof(e);

		if (pread(fd, &e, sizeof(e), off) != sizeof(e) ||
		    !(e & (1ULL << 63))) {
			close(fd);
			return -EIO;
		}
		e &= (1ULL << 55) - 1;
		if (!i || e != prev + 1)
			runs++;
		prev = e;
	}
	close(fd);
	return runs;
}

/* VmPin of this process, kB ("pinned_vm"), or -errno. */
static int64_t vm_pin_kb(void)
{
	char line[256];
	int64_t kb = -ENOENT;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmPin:", 6))
			kb = strtoll(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

/* Faults counted on @bdf ("endpoints" file of the core), or -errno. */
static int64_t dev_faults(const char *unit, const char *bdf)
{
	char path[PATH_MAX], line[256], *p;
	size_t n = strlen(bdf);
	int64_t ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/endpoints", unit);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, " faults ");
		if (!strncmp(line, bdf, n) && line[n] == ' ' && p)
			ret = strtoll(p + 8, NULL, 10);
	}
	fclose(f);
	return ret;
}

/* Memory whose pages are faulted in (pagemap must see them). */
static void *touched_buf(size_t len)
{
	uint8_t *p = dma_buf_alloc(len);
	size_t i;

	for (i = 0; p && i < len; i += PAGE)
		p[i] = 1;
	return p;
}

/*
 * An edu alone in its group, bound to xiommu-vfio-pci and an iommufd
 * context, with an IOAS; attaching is up to each test.
 */
FIXTURE(viommu) {
	char bdf[PCI_BDF_LEN];
	char unit[XIOMMU_UNIT_LEN];
	bool skip;
	bool hooks;
	int iommufd;
	int devfd;
	uint32_t devid;
	uint32_t ioas_id;
	uint32_t hwpt_id;
	int64_t epid;
};

FIXTURE_SETUP(viommu)
{
	char path[PATH_MAX];

	self->iommufd = -1;
	self->devfd = -1;
	if (edu_find_solo(self->bdf)) {
		self->skip = true;
		SKIP(return, "no edu device");
	}
	ASSERT_EQ(0, vfio_dev_bind_driver(self->bdf));
	ASSERT_EQ(0, xiommu_dev_unit(self->bdf, self->unit,
				     sizeof(self->unit)));
	if (strncmp(self->unit, "viommu", 6)) {
		self->skip = true;
		SKIP(return, "%s is not behind a virtio-iommu", self->bdf);
	}
	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/fail_map",
		 self->unit);
	self->hooks = !access(path, W_OK);
	self->epid = dev_epid(self->unit, self->bdf);
	ASSERT_LE(0, self->epid);
	self->devfd = vfio_dev_open(self->bdf);
	ASSERT_LE(0, self->devfd);
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, vfio_dev_bind(self->devfd, self->iommufd,
				   &self->devid));
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas_id));
}

FIXTURE_TEARDOWN(viommu)
{
	if (self->hooks) {
		unit_write(self->unit, "fail_map", 0);
		unit_write(self->unit, "fail_attach", 0);
	}
	if (self->devfd >= 0)
		close(self->devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
}

static int attach(FIXTURE_DATA(viommu) *self)
{
	self->hwpt_id = self->ioas_id;
	return vfio_dev_attach(self->devfd, &self->hwpt_id);
}

/* Memory -> device -> memory through IOVA_A and IOVA_B; -errno if not. */
static int roundtrip(FIXTURE_DATA(viommu) *self, uint8_t *a, uint8_t *b)
{
	int ret = vfio_dev_set_master(self->devfd, true);

	dma_fill(a, DMA_LEN, 0x5a);
	memset(b, 0, DMA_LEN);
	if (!ret)
		ret = edu_dma(self->devfd, IOVA_A, 0, DMA_LEN, false);
	if (!ret)
		ret = edu_dma(self->devfd, IOVA_B, 0, DMA_LEN, true);
	if (!ret && memcmp(a, b, DMA_LEN))
		ret = -EILSEQ;
	return ret;
}

TEST_F(viommu, hw_info)
{
	struct iommu_hw_info_virtio info;
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = self->devid,
		.data_len = sizeof(info),
		.data_uptr = (uintptr_t)&info,
	};

	if (self->skip)
		return;
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, vfio_ioctl(self->iommufd, IOMMU_GET_HW_INFO, &cmd));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_XIOMMU_VIRTIO, cmd.out_data_type);
	ASSERT_EQ(sizeof(info), cmd.data_len);
	ASSERT_EQ(0, info.flags);
	ASSERT_EQ(0, info.__reserved);
	ASSERT_EQ(0, info.__reserved2);
	/* VIRTIO_IOMMU_F_MAP_UNMAP (2) is required, VERSION_1 (32) modern. */
	ASSERT_TRUE(info.features & (1ULL << 2));
	ASSERT_TRUE(info.features & (1ULL << 32));
	ASSERT_NE(0, info.page_size_mask);
	ASSERT_LE(info.input_start, info.input_end);
	ASSERT_LE(info.domain_start, info.domain_end);
	TH_LOG("features %#llx pages %#llx input [%#llx, %#llx] domains [%u, %u] probe %u",
	       (unsigned long long)info.features,
	       (unsigned long long)info.page_size_mask,
	       (unsigned long long)info.input_start,
	       (unsigned long long)info.input_end, info.domain_start,
	       info.domain_end, info.probe_size);

	/* A short buffer gets the prefix, data_len says the full size. */
	cmd.data_len = 8;
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, vfio_ioctl(self->iommufd, IOMMU_GET_HW_INFO, &cmd));
	ASSERT_EQ(sizeof(info), cmd.data_len);
	ASSERT_EQ(0, info.flags);
	ASSERT_EQ(0xa5a5a5a5a5a5a5a5ULL, info.features);
}

/* One MAP per contiguous run, one UNMAP per IOAS unmap. */
TEST_F_TIMEOUT(viommu, map_per_run, TIMEOUT_S)
{
	const size_t len = 256 * PAGE, huge = 2UL << 20;
	int64_t maps, map_bytes, unmaps, unmap_bytes, kicks;
	uint8_t *small, *raw, *big;
	int runs;

	if (self->skip)
		return;
	ASSERT_EQ(0, attach(self));

	/* Ordinary anonymous memory: whatever runs the allocator gave. */
	small = touched_buf(len);
	ASSERT_NE(NULL, small);
	runs = pagemap_runs(small, len);
	ASSERT_LT(0, runs);
	maps = stat_of(self->unit, "req_MAP");
	map_bytes = stat_of(self->unit, "map_bytes");
	kicks = stat_of(self->unit, "kicks");
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, small, len,
				 IOVA_A));
	ASSERT_EQ(maps + runs, stat_of(self->unit, "req_MAP"));
	ASSERT_EQ(map_bytes + (int64_t)len, stat_of(self->unit, "map_bytes"));
	/* Never more than one notification per run. */
	ASSERT_GE(kicks + runs, stat_of(self->unit, "kicks"));
	TH_LOG("%zu KiB in %d runs: %d MAP requests, %lld kicks", len >> 10,
	       runs, runs, (long long)(stat_of(self->unit, "kicks") - kicks));

	unmaps = stat_of(self->unit, "req_UNMAP");
	unmap_bytes = stat_of(self->unit, "unmap_bytes");
	kicks = stat_of(self->unit, "kicks");
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas_id, IOVA_A, len));
	ASSERT_EQ(unmaps + 1, stat_of(self->unit, "req_UNMAP"));
	ASSERT_EQ(unmap_bytes + (int64_t)len,
		  stat_of(self->unit, "unmap_bytes"));
	ASSERT_EQ(kicks + 1, stat_of(self->unit, "kicks"));

	/* A transparent huge page, if the kernel gives one: one MAP. */
	raw = dma_buf_alloc(2 * huge);
	ASSERT_NE(NULL, raw);
	big = (uint8_t *)(((uintptr_t)raw + huge - 1) & ~(huge - 1));
	madvise(big, huge, MADV_HUGEPAGE);
	memset(big, 1, huge);
	runs = pagemap_runs(big, huge);
	ASSERT_LT(0, runs);
	maps = stat_of(self->unit, "req_MAP");
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, big, huge,
				 IOVA_C));
	ASSERT_EQ(maps + runs, stat_of(self->unit, "req_MAP"));
	TH_LOG("2 MiB (madvise huge): %d runs, %d MAP requests", runs, runs);
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas_id, IOVA_C,
				   huge));
	dma_buf_free(small, len);
	dma_buf_free(raw, 2 * huge);
}

/*
 * Mappings made before the first attach exist only in the driver; the
 * attach sends the ATTACH and every MAP in one batch, and DMA works.
 */
TEST_F_TIMEOUT(viommu, replay_one_batch, TIMEOUT_S)
{
	enum { N = 32 };
	int64_t maps, attaches, kicks, dom;
	uint8_t *bufs[N];
	char kind[16];
	int i;

	if (self->skip)
		return;
	maps = stat_of(self->unit, "req_MAP");
	for (i = 0; i < N; i++) {
		bufs[i] = touched_buf(PAGE);
		ASSERT_NE(NULL, bufs[i]);
		ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, bufs[i],
					 PAGE, IOVA_A + i * 0x10000ULL));
	}
	ASSERT_EQ(maps, stat_of(self->unit, "req_MAP"));

	attaches = stat_of(self->unit, "req_ATTACH");
	kicks = stat_of(self->unit, "kicks");
	ASSERT_EQ(0, attach(self));
	ASSERT_EQ(attaches + 1, stat_of(self->unit, "req_ATTACH"));
	ASSERT_EQ(maps + N, stat_of(self->unit, "req_MAP"));
	ASSERT_EQ(kicks + 1, stat_of(self->unit, "kicks"));
	ASSERT_LE(N + 1, stat_of(self->unit, "batch_max"));
	dom = epid_domain(self->unit, self->epid, kind, sizeof(kind));
	ASSERT_LE(0, dom);
	ASSERT_STREQ("paging", kind);
	ASSERT_EQ(N, domain_mappings(self->unit, dom));

	/* bufs[0] at IOVA_A, and one more buffer at IOVA_B. */
	bufs[1][0] = 0;
	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas_id,
				   IOVA_A + 0x10000ULL, PAGE));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, bufs[1], PAGE,
				 IOVA_B));
	ASSERT_EQ(0, roundtrip(self, bufs[0], bufs[1]));
	for (i = 0; i < N; i++)
		dma_buf_free(bufs[i], PAGE);
}

/* The PROBE answer's MSI window is reserved IOVA. */
TEST_F(viommu, msi_window_reserved)
{
	uint8_t *buf;

	if (self->skip)
		return;
	ASSERT_EQ(0, attach(self));
	ASSERT_EQ(0, iommufd_iova_usable(self->iommufd, self->ioas_id,
					 MSI_BASE, PAGE));
	ASSERT_EQ(0, iommufd_iova_usable(self->iommufd, self->ioas_id,
					 MSI_LAST + 1 - PAGE, PAGE));
	ASSERT_EQ(1, iommufd_iova_usable(self->iommufd, self->ioas_id,
					 MSI_BASE - PAGE, PAGE));
	ASSERT_EQ(1, iommufd_iova_usable(self->iommufd, self->ioas_id,
					 MSI_LAST + 1, PAGE));
	buf = touched_buf(PAGE);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(-EINVAL, iommufd_map(self->iommufd, self->ioas_id, buf,
				       PAGE, MSI_LAST + 1 - PAGE));
	dma_buf_free(buf, PAGE);
}

/*
 * A MAP the device refuses: EINVAL, and nothing stays mapped or pinned.
 * The second run's MAP is refused, so the first run's mapping must be
 * undone too.
 */
TEST_F_TIMEOUT(viommu, map_refused_leaves_nothing, TIMEOUT_S)
{
	const size_t len = 64 * PAGE;
	int64_t errs, unmaps, pin, dom, before;
	uint8_t *a, *b, *many;
	char kind[16];
	int runs;

	if (self->skip)
		return;
	if (!self->hooks)
		SKIP(return, "xiommu_virtio loaded without test_hooks=1");
	a = touched_buf(PAGE);
	b = touched_buf(PAGE);
	many = touched_buf(len);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, many);
	ASSERT_EQ(0, attach(self));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, a, PAGE,
				 IOVA_A));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, b, PAGE,
				 IOVA_B));
	dom = epid_domain(self->unit, self->epid, kind, sizeof(kind));
	ASSERT_LE(0, dom);
	before = domain_mappings(self->unit, dom);
	ASSERT_EQ(2, before);
	pin = vm_pin_kb();
	ASSERT_LE(0, pin);

	/* One run, refused. */
	errs = stat_of(self->unit, "err_MAP");
	ASSERT_EQ(0, unit_write(self->unit, "fail_map", 1));
	ASSERT_EQ(-EINVAL, iommufd_map(self->iommufd, self->ioas_id, many,
				       PAGE, IOVA_C));
	ASSERT_EQ(errs + 1, stat_of(self->unit, "err_MAP"));
	ASSERT_EQ(before, domain_mappings(self->unit, dom));
	ASSERT_EQ(pin, vm_pin_kb());
	ASSERT_EQ(-ENOENT, iommufd_unmap(self->iommufd, self->ioas_id, IOVA_C,
					 PAGE));

	/* Several runs, the second refused: the first is undone. */
	runs = pagemap_runs(many, len);
	if (runs >= 2) {
		unmaps = stat_of(self->unit, "req_UNMAP");
		ASSERT_EQ(0, unit_write(self->unit, "fail_map", 2));
		ASSERT_EQ(-EINVAL, iommufd_map(self->iommufd, self->ioas_id,
					       many, len, IOVA_C));
		ASSERT_EQ(errs + 2, stat_of(self->unit, "err_MAP"));
		ASSERT_LT(unmaps, stat_of(self->unit, "req_UNMAP"));
		ASSERT_EQ(before, domain_mappings(self->unit, dom));
		ASSERT_EQ(pin, vm_pin_kb());
	} else {
		TH_LOG("buffer is one physical run: multi-run case not tried");
	}

	/* Nothing is left over: the same map works now, and DMA too. */
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, many, len,
				 IOVA_C));
	ASSERT_EQ(before + runs, domain_mappings(self->unit, dom));
	ASSERT_EQ(0, roundtrip(self, a, b));
	dma_buf_free(a, PAGE);
	dma_buf_free(b, PAGE);
	dma_buf_free(many, len);
}

/* An ATTACH the device refuses: EINVAL, the device stays blocked. */
TEST_F_TIMEOUT(viommu, attach_refused_stays_blocked, TIMEOUT_S)
{
	uint8_t *a, *b;
	char kind[16];
	int64_t errs;

	if (self->skip)
		return;
	if (!self->hooks)
		SKIP(return, "xiommu_virtio loaded without test_hooks=1");
	a = touched_buf(PAGE);
	b = touched_buf(PAGE);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, a, PAGE,
				 IOVA_A));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, b, PAGE,
				 IOVA_B));
	ASSERT_LE(0, epid_domain(self->unit, self->epid, kind, sizeof(kind)));
	ASSERT_STREQ("blocked", kind);

	errs = stat_of(self->unit, "err_ATTACH");
	ASSERT_EQ(0, unit_write(self->unit, "fail_attach", 1));
	ASSERT_EQ(-EINVAL, attach(self));
	ASSERT_EQ(errs + 1, stat_of(self->unit, "err_ATTACH"));
	ASSERT_LE(0, epid_domain(self->unit, self->epid, kind, sizeof(kind)));
	ASSERT_STREQ("blocked", kind);

	/* The replay's first MAP refused: the attach fails the same way. */
	errs = stat_of(self->unit, "err_MAP");
	ASSERT_EQ(0, unit_write(self->unit, "fail_map", 1));
	ASSERT_EQ(-EINVAL, attach(self));
	ASSERT_EQ(errs + 1, stat_of(self->unit, "err_MAP"));
	ASSERT_LE(0, epid_domain(self->unit, self->epid, kind, sizeof(kind)));
	ASSERT_STREQ("blocked", kind);

	/* And then it works. */
	ASSERT_EQ(0, attach(self));
	ASSERT_LE(0, epid_domain(self->unit, self->epid, kind, sizeof(kind)));
	ASSERT_STREQ("paging", kind);
	ASSERT_EQ(0, roundtrip(self, a, b));
	dma_buf_free(a, PAGE);
	dma_buf_free(b, PAGE);
}

/* A device with an endpoint ID of its own gets its faults counted. */
TEST_F_TIMEOUT(viommu, fault_counted_on_device, TIMEOUT_S)
{
	int64_t dev0, unit0;

	if (self->skip)
		return;
	ASSERT_EQ(0, attach(self));
	ASSERT_EQ(0, vfio_dev_set_master(self->devfd, true));
	xiommu_fault_settle(self->unit);
	dev0 = dev_faults(self->unit, self->bdf);
	unit0 = xiommu_unit_faults(self->unit);
	ASSERT_LE(0, dev0);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_UNMAPPED, 0, DMA_LEN, true));
	xiommu_fault_settle(self->unit);
	ASSERT_LT(dev0, dev_faults(self->unit, self->bdf));
	ASSERT_LT(unit0, xiommu_unit_faults(self->unit));
	ASSERT_EQ(xiommu_unit_faults(self->unit) - unit0,
		  dev_faults(self->unit, self->bdf) - dev0);
}

TEST_HARNESS_MAIN
