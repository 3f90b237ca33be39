// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_vtd: what mapping and unmapping cost the VT-d driver, per profile
 * (legacy or scalable mode, queued or register-based invalidation,
 * caching mode): ns per 4 KiB page for IOMMU_IOAS_MAP/UNMAP, and the
 * invalidation work per MiB, counted by xiommu_vtd itself
 * (/sys/kernel/debug/xiommu/dmarN/stats): queued descriptors (waits
 * included) or register writes, and how many page- and domain-selective
 * IOTLB invalidations that was.
 *
 *   bench_vtd [BDF]     an edu bound to xiommu-vfio-pci (default: the
 *                       first edu alone in its group), one paging domain
 *
 * Cases: one 256 MiB map/unmap of 4 KiB pages, the same of 2 MiB THP,
 * and 4096 maps/unmaps of 4 KiB each. Best of RUNS runs for the times;
 * the counts are the same every run. Printed, never asserted (TCG).
 * tools/iommufd_bench measures the same calls on every IOMMU; this adds
 * what only the VT-d driver can count. (Named bench_* so that the stock
 * tier's vtd_* glob does not take it for a selftest.)
 */
#include <time.h>

#include "lib/dma_util.h"

#define BIG		(256UL << 20)
#define SZ_2M		(2UL << 20)
#define CALLS		4096
#define RUNS		3
#define IOVA		0x40000000ULL

struct vstats {
	int64_t unmap_bytes, unmap_ops, map_bytes, map_ops, psi, dsi;
};

static char unit[XIOMMU_UNIT_LEN];
static int iommufd = -1;

static int die(const char *what, int err)
{
	fprintf(stderr, "bench_vtd: %s: %s\n", what,
		strerror(err < 0 ? -err : err));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void read_stats(struct vstats *st)
{
	char path[PATH_MAX], line[128], key[64];
	long long val;
	FILE *f;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/stats", unit);
	f = fopen(path, "r");
	if (!f)
		die(path, errno);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld", key, &val) != 2)
			continue;
		if (!strcmp(key, "unmap_bytes"))
			st->unmap_bytes = val;
		else if (!strcmp(key, "unmap_hw_ops"))
			st->unmap_ops = val;
		else if (!strcmp(key, "map_bytes"))
			st->map_bytes = val;
		else if (!strcmp(key, "map_hw_ops"))
			st->map_ops = val;
		else if (!strcmp(key, "iotlb_psi"))
			st->psi = val;
		else if (!strcmp(key, "iotlb_dsi"))
			st->dsi = val;
	}
	fclose(f);
}

static const char *interface(void)
{
	static char buf[64];
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), XIOMMU_DEBUGFS "/%s/stats", unit);
	f = fopen(path, "r");
	if (!f || fscanf(f, "interface %63s", buf) != 1)
		strcpy(buf, "?");
	if (f)
		fclose(f);
	return buf;
}

static char *buf_alloc(bool huge, void **raw)
{
	char *mem;

	*raw = mmap(NULL, BIG + SZ_2M, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*raw == MAP_FAILED)
		die("mmap", errno);
	mem = (char *)(((uintptr_t)*raw + SZ_2M - 1) & ~(SZ_2M - 1));
	madvise(mem, BIG, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(mem, 0x5a, BIG);
	return mem;
}

static void report(const char *what, uint64_t ns, uint64_t bytes,
		   int64_t ops, int64_t psi, int64_t dsi)
{
	double mib = (double)bytes / (1 << 20);

	printf("vt-d %-22s %9.1f ns/4KiB %9.2f %s/MiB (%lld PSI, %lld DSI)\n",
	       what, (double)ns / (bytes / 4096), ops / mib,
	       strcmp(interface(), "queued") ? "reg-writes" : "descs",
	       (long long)psi, (long long)dsi);
	fflush(stdout);
}

/* One map and one unmap of @len bytes at @mem per run. */
static void bench_range(const char *name, uint32_t ioas, char *mem,
			size_t len)
{
	uint64_t best_map = UINT64_MAX, best_unmap = UINT64_MAX;
	struct vstats s0, s1, s2;
	char what[64];
	int i, ret;

	for (i = 0; i < RUNS; i++) {
		uint64_t t0, t1, t2;

		read_stats(&s0);
		t0 = now_ns();
		ret = iommufd_map(iommufd, ioas, mem, len, IOVA);
		t1 = now_ns();
		if (ret)
			die("IOMMU_IOAS_MAP", ret);
		read_stats(&s1);
		ret = iommufd_unmap(iommufd, ioas, IOVA, len);
		t2 = now_ns();
		if (ret)
			die("IOMMU_IOAS_UNMAP", ret);
		read_stats(&s2);
		if (t1 - t0 < best_map)
			best_map = t1 - t0;
		if (t2 - t1 < best_unmap)
			best_unmap = t2 - t1;
	}
	snprintf(what, sizeof(what), "map %s", name);
	report(what, best_map, len, s1.map_ops - s0.map_ops,
	       s1.psi - s0.psi, s1.dsi - s0.dsi);
	snprintf(what, sizeof(what), "unmap %s", name);
	report(what, best_unmap, len, s2.unmap_ops - s1.unmap_ops,
	       s2.psi - s1.psi, s2.dsi - s1.dsi);
}

static void bench_calls(uint32_t ioas, char *mem)
{
	uint64_t best_map = UINT64_MAX, best_unmap = UINT64_MAX;
	struct vstats s0, s1, s2;
	int i, r, ret;

	for (r = 0; r < RUNS; r++) {
		uint64_t t0, t1, t2;

		read_stats(&s0);
		t0 = now_ns();
		for (i = 0; i < CALLS; i++) {
			ret = iommufd_map(iommufd, ioas, mem + i * 4096UL,
					  4096, IOVA + i * 4096ULL);
			if (ret)
				die("IOMMU_IOAS_MAP 4K", ret);
		}
		t1 = now_ns();
		read_stats(&s1);
		for (i = 0; i < CALLS; i++) {
			ret = iommufd_unmap(iommufd, ioas, IOVA + i * 4096ULL,
					    4096);
			if (ret)
				die("IOMMU_IOAS_UNMAP 4K", ret);
		}
		t2 = now_ns();
		read_stats(&s2);
		if (t1 - t0 < best_map)
			best_map = t1 - t0;
		if (t2 - t1 < best_unmap)
			best_unmap = t2 - t1;
	}
	report("map 4K per call", best_map, CALLS * 4096UL,
	       s1.map_ops - s0.map_ops, s1.psi - s0.psi, s1.dsi - s0.dsi);
	report("unmap 4K per call", best_unmap, CALLS * 4096UL,
	       s2.unmap_ops - s1.unmap_ops, s2.psi - s1.psi, s2.dsi - s1.dsi);
}

int main(int argc, char **argv)
{
	char bdf[PCI_BDF_LEN], regs[PATH_MAX], line[256];
	uint32_t ioas;
	void *raw;
	char *mem;
	int devfd;
	FILE *f;

	if (argc > 1) {
		if (str_copy(bdf, sizeof(bdf), argv[1]))
			die("BDF", EINVAL);
	} else if (edu_find_solo(bdf)) {
		die("no edu device", ENODEV);
	}
	iommufd = iommufd_open();
	if (iommufd < 0)
		die("/dev/iommu", iommufd);
	if (iommufd_ioas_alloc(iommufd, &ioas))
		die("IOMMU_IOAS_ALLOC", errno);
	devfd = edu_open_attached(bdf, iommufd, ioas, NULL);
	if (devfd < 0)
		die("binding and attaching the edu", devfd);
	if (xiommu_dev_unit(bdf, unit, sizeof(unit)) || strncmp(unit, "dmar", 4))
		die("the edu is not behind a VT-d unit", ENODEV);

	snprintf(regs, sizeof(regs), XIOMMU_DEBUGFS "/%s/regs", unit);
	f = fopen(regs, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "translation ", 12) ||
		    !strncmp(line, "caching mode ", 13))
			printf("vt-d %s", line);
	if (f)
		fclose(f);
	printf("vt-d %s, %s invalidation, best of %d runs\n", bdf,
	       interface(), RUNS);

	mem = buf_alloc(false, &raw);
	bench_range("256M 4K pages", ioas, mem, BIG);
	bench_calls(ioas, mem);
	munmap(raw, BIG + SZ_2M);
	mem = buf_alloc(true, &raw);
	bench_range("256M 2M THP", ioas, mem, BIG);
	munmap(raw, BIG + SZ_2M);

	close(devfd);
	pci_make_idle(bdf);
	return 0;
}
