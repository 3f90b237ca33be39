// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu-bench: cost of IOMMU_IOAS_MAP and IOMMU_IOAS_UNMAP with a paging
 * domain attached, so that pinning and page-table work both happen.
 *
 *   xiommu-bench --mock          mock0 (2 KiB IOPTEs, upstream's mock)
 *                                 and mock1 (also 1 MiB IOPTEs) devices
 *   xiommu-bench --vtd [BDF]     an edu device bound to xiommu-vfio-pci
 *                                 (default: the first edu), VT-d domain
 *
 * For each domain: one IOAS_MAP and one IOAS_UNMAP of 256 MiB of memory
 * backed by 4 KiB pages, the same with 2 MiB transparent huge pages
 * (MADV_HUGEPAGE), and 4096 separate 4 KiB maps and unmaps (the per-call
 * cost). Memory is touched before it is mapped, so page faults are not
 * counted; pinning and accounting are. Each figure is the best of
 * RUNS runs, printed as ns per 4 KiB page and GiB/s. Figures are printed,
 * never asserted: under TCG they say more about QEMU than about xiommu,
 * but they compare runs and drivers on the same machine.
 *
 * Exit status: 0, or 1 if something needed for the measurement failed.
 */
#include <stdarg.h>
#include <time.h>

#include <xiommu/iommufd_test.h>

#include "lib/edu.h"
#include "lib/thp.h"

#define BENCH_LEN	(256UL << 20)
#define SZ_2M		(2UL << 20)
#define CALLS		4096
#define RUNS		3
#define IOVA		0x40000000ULL	/* 1 GiB: 2 MiB aligned, in every aperture */

static int iommufd = -1;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int die(const char *what, int err)
{
	fprintf(stderr, "xiommu-bench: %s: %s\n", what,
		strerror(err < 0 ? -err : err));
	exit(1);
}

/* BENCH_LEN bytes, 2 MiB aligned, touched, with or without THP */
static char *buf_alloc(bool huge, void **raw)
{
	char *mem;

	*raw = mmap(NULL, BENCH_LEN + SZ_2M, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*raw == MAP_FAILED)
		die("mmap", errno);
	mem = (char *)(((uintptr_t)*raw + SZ_2M - 1) & ~(SZ_2M - 1));
	if (madvise(mem, BENCH_LEN, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise", errno);
	memset(mem, 0x5a, BENCH_LEN);
	return mem;
}

static void report(const char *domain, const char *what, uint64_t ns,
		   uint64_t bytes)
{
	printf("%-6s %-26s %9.1f ns/4KiB %8.2f GiB/s\n", domain, what,
	       (double)ns / (bytes / 4096), (double)bytes / ns * 1e9 / (1UL << 30));
	fflush(stdout);
}

static void bench_big(const char *domain, uint32_t ioas, bool huge)
{
	uint64_t best_map = UINT64_MAX, best_unmap = UINT64_MAX;
	char what[64];
	void *raw;
	char *mem;
	long thp;
	int i;

	mem = buf_alloc(huge, &raw);
	thp = thp_kb();
	for (i = 0; i != RUNS; i++) {
		uint64_t t0, t1, t2;
		int ret;

		t0 = now_ns();
		ret = iommufd_map(iommufd, ioas, mem, BENCH_LEN, IOVA);
		t1 = now_ns();
		if (ret)
			die("IOMMU_IOAS_MAP", ret);
		ret = iommufd_unmap(iommufd, ioas, IOVA, BENCH_LEN);
		t2 = now_ns();
		if (ret)
			die("IOMMU_IOAS_UNMAP", ret);
		if (t1 - t0 < best_map)
			best_map = t1 - t0;
		if (t2 - t1 < best_unmap)
			best_unmap = t2 - t1;
	}
	snprintf(what, sizeof(what), "map 256M %s", huge ? "2M THP" : "4K pages");
	report(domain, what, best_map, BENCH_LEN);
	snprintf(what, sizeof(what), "unmap 256M %s",
		 huge ? "2M THP" : "4K pages");
	report(domain, what, best_unmap, BENCH_LEN);
	if (huge && thp < (long)(BENCH_LEN >> 10))
		printf("%-6s (only %ld of %lu kB were huge pages)\n", domain,
		       thp, BENCH_LEN >> 10);
	munmap(raw, BENCH_LEN + SZ_2M);
}

static void bench_calls(const char *domain, uint32_t ioas)
{
	uint64_t best_map = UINT64_MAX, best_unmap = UINT64_MAX;
	void *raw;
	char *mem;
	int i, r, ret;

	mem = buf_alloc(false, &raw);
	for (r = 0; r != RUNS; r++) {
		uint64_t t0, t1, t2;

		t0 = now_ns();
		for (i = 0; i != CALLS; i++) {
			ret = iommufd_map(iommufd, ioas, mem + i * 4096UL, 4096,
					  IOVA + i * 4096ULL);
			if (ret)
				die("IOMMU_IOAS_MAP 4K", ret);
		}
		t1 = now_ns();
		for (i = 0; i != CALLS; i++) {
			ret = iommufd_unmap(iommufd, ioas, IOVA + i * 4096ULL,
					    4096);
			if (ret)
				die("IOMMU_IOAS_UNMAP 4K", ret);
		}
		t2 = now_ns();
		if (t1 - t0 < best_map)
			best_map = t1 - t0;
		if (t2 - t1 < best_unmap)
			best_unmap = t2 - t1;
	}
	report(domain, "map 4K per call", best_map, CALLS * 4096UL);
	report(domain, "unmap 4K per call", best_unmap, CALLS * 4096UL);
	munmap(raw, BENCH_LEN + SZ_2M);
}

static void bench_domain(const char *domain, uint32_t ioas)
{
	bench_big(domain, ioas, false);
	bench_big(domain, ioas, true);
	bench_calls(domain, ioas);
}

/* A mock device of @unit attached to a new IOAS; returns the IOAS. */
static uint32_t mock_ioas(uint32_t unit)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = XIOMMU_TEST_OP_MOCK_DEVICE,
		.mock_device = { .unit = unit },
	};
	int ret;

	ret = iommufd_ioas_alloc(iommufd, &cmd.id);
	if (ret)
		die("IOMMU_IOAS_ALLOC", ret);
	if (ioctl(iommufd, IOMMU_TEST_CMD, &cmd))
		die("mock device", errno);
	return cmd.id;
}

static int run_mock(void)
{
	bench_domain("mock0", mock_ioas(XIOMMU_MOCK_UNIT_MOCK0));
	bench_domain("mock1", mock_ioas(XIOMMU_MOCK_UNIT_MOCK1));
	return 0;
}

static int run_vtd(const char *bdf_arg)
{
	char edus[8][PCI_BDF_LEN];
	char bdf[PCI_BDF_LEN];
	uint32_t ioas, pt_id;
	int devfd, ret;

	if (bdf_arg) {
		if (str_copy(bdf, sizeof(bdf), bdf_arg))
			die("BDF", EINVAL);
	} else {
		if (edu_find(edus, 8) <= 0)
			die("no edu device", ENODEV);
		strcpy(bdf, edus[0]);
	}
	ret = vfio_dev_bind_driver(bdf);
	if (ret)
		die("binding xiommu-vfio-pci", ret);
	devfd = vfio_dev_open(bdf);
	if (devfd < 0)
		die("opening the vfio device", devfd);
	ret = vfio_dev_bind(devfd, iommufd, NULL);
	if (ret)
		die("VFIO_DEVICE_BIND_IOMMUFD", ret);
	ret = iommufd_ioas_alloc(iommufd, &ioas);
	if (ret)
		die("IOMMU_IOAS_ALLOC", ret);
	pt_id = ioas;
	ret = vfio_dev_attach(devfd, &pt_id);
	if (ret)
		die("VFIO_DEVICE_ATTACH_IOMMUFD_PT", ret);
	printf("vt-d: %s, HWPT %u\n", bdf, pt_id);
	bench_domain("vt-d", ioas);
	close(devfd);
	pci_unbind(bdf);
	pci_set_override(bdf, "");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "--mock") && strcmp(argv[1], "--vtd"))) {
		fprintf(stderr, "usage: xiommu-bench --mock | --vtd [BDF]\n");
		return 2;
	}
	iommufd = iommufd_open();
	if (iommufd < 0)
		die("/dev/iommu", iommufd);
	printf("%s: IOAS_MAP/UNMAP with a domain attached, best of %d runs\n",
	       argv[1] + 2, RUNS);
	if (!strcmp(argv[1], "--mock"))
		return run_mock();
	return run_vtd(argc > 2 ? argv[2] : NULL);
}
