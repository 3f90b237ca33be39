// SPDX-License-Identifier: GPL-2.0-only
// scripts/profile/percall: per-call IOAS_MAP/UNMAP of 4 KiB with an edu
// attached (and into an IOAS without domains), against the floor module
// (/dev/xiommu_bench_floor, drivers/test/xiommu_bench_floor.c: a null
// ioctl, pin or unpin one page), interleaved rounds.
// percall [ROUNDS [N]]     percall loop SECONDS (for ftrace/perf)
#include <time.h>
#include "lib/dma_util.h"
#include <xiommu/bench_floor.h>

#define IOVA 0x40000000ULL
static uint64_t now_ns(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec * 1000000000ULL + ts.tv_nsec; }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
static double med(double *v, int n) { qsort(v, n, sizeof(*v), cmp); return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2; }

int main(int argc, char **argv)
{
	int rounds = 7, n = 1024, loop = 0, r, i, iommufd, fd, ffd;
	char bdf[PCI_BDF_LEN];
	uint32_t ioas;
	char *mem;

	int nd = 0;
	if (argc > 1 && !strncmp(argv[1], "loop", 4)) { loop = atoi(argv[2]); nd = !strcmp(argv[1], "loopnd"); if (argc > 3) n = atoi(argv[3]); }
	else { if (argc > 1) rounds = atoi(argv[1]); if (argc > 2) n = atoi(argv[2]); }
	if (edu_find_solo(bdf)) { fprintf(stderr, "no edu\n"); return 1; }
	iommufd = iommufd_open();
	if (iommufd < 0 || iommufd_ioas_alloc(iommufd, &ioas)) { perror("iommufd"); return 1; }
	fd = edu_open_attached(bdf, iommufd, ioas, NULL);
	if (fd < 0) { fprintf(stderr, "attach %s: %d\n", bdf, fd); return 1; }
	ffd = open("/dev/xiommu_bench_floor", O_RDWR);
	mem = mmap(NULL, n * 4096UL, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(mem, n * 4096UL, MADV_NOHUGEPAGE);
	memset(mem, 1, n * 4096UL);
	printf("edu %s, %d rounds of %d calls, floor %s\n", bdf, rounds, n, ffd < 0 ? "absent" : "present");
	if (loop && nd && iommufd_ioas_alloc(iommufd, &ioas)) return 1;
	if (loop) {
		uint64_t end = now_ns() + loop * 1000000000ULL; long calls = 0;
		while (now_ns() < end) {
			for (i = 0; i < n; i++) if (iommufd_map(iommufd, ioas, mem + i * 4096UL, 4096, IOVA + i * 4096ULL)) return 1;
			for (i = 0; i < n; i++) if (iommufd_unmap(iommufd, ioas, IOVA + i * 4096ULL, 4096)) return 1;
			calls += n;
		}
		printf("loop: %ld map+unmap pairs\n", calls);
		return 0;
	}
	uint32_t ioas2;
	if (iommufd_ioas_alloc(iommufd, &ioas2)) return 1;
	double m[64], u[64], fp[64], fu[64], nl[64], m2[64], u2[64];
	for (r = 0; r < rounds && r < 64; r++) {
		uint64_t t0, t1, t2;
		if (ffd >= 0) {
			t0 = now_ns();
			struct xiommu_floor_pin fpin = { .size = sizeof(fpin), .npages = 1 };
			struct xiommu_floor_pin funpin = { .size = sizeof(funpin), .npages = 1 };
			for (i = 0; i < n; i++) { fpin.uptr = (uintptr_t)(mem + i * 4096UL); if (ioctl(ffd, XIOMMU_FLOOR_PIN, &fpin)) { perror("floor pin"); return 1; } }
			t1 = now_ns();
			for (i = 0; i < n; i++) if (ioctl(ffd, XIOMMU_FLOOR_UNPIN, &funpin)) { perror("floor unpin"); return 1; }
			t2 = now_ns();
			fp[r] = (double)(t1 - t0) / n; fu[r] = (double)(t2 - t1) / n;
			t0 = now_ns();
			for (i = 0; i < n; i++) ioctl(ffd, XIOMMU_FLOOR_NULL);
			nl[r] = (double)(now_ns() - t0) / n;
		}
		t0 = now_ns();
		for (i = 0; i < n; i++) if (iommufd_map(iommufd, ioas, mem + i * 4096UL, 4096, IOVA + i * 4096ULL)) { fprintf(stderr, "map\n"); return 1; }
		t1 = now_ns();
		for (i = 0; i < n; i++) if (iommufd_unmap(iommufd, ioas, IOVA + i * 4096ULL, 4096)) { fprintf(stderr, "unmap\n"); return 1; }
		t2 = now_ns();
		m[r] = (double)(t1 - t0) / n; u[r] = (double)(t2 - t1) / n;
		t0 = now_ns();
		for (i = 0; i < n; i++) if (iommufd_map(iommufd, ioas2, mem + i * 4096UL, 4096, IOVA + i * 4096ULL)) { fprintf(stderr, "map2\n"); return 1; }
		t1 = now_ns();
		for (i = 0; i < n; i++) if (iommufd_unmap(iommufd, ioas2, IOVA + i * 4096ULL, 4096)) { fprintf(stderr, "unmap2\n"); return 1; }
		t2 = now_ns();
		m2[r] = (double)(t1 - t0) / n; u2[r] = (double)(t2 - t1) / n;
		printf("round %d: map %.0f unmap %.0f ns/call", r, m[r], u[r]);
		if (ffd >= 0) printf("; floor pin %.0f unpin %.0f null %.0f", fp[r], fu[r], nl[r]);
		printf(" nodomain map %.0f unmap %.0f\n", m2[r], u2[r]);
	}
	double M = med(m, rounds), U = med(u, rounds);
	printf("median: map %.0f unmap %.0f ns/call; no domain: map %.0f unmap %.0f\n", M, U, med(m2, rounds), med(u2, rounds));
	if (ffd >= 0) {
		double FP = med(fp, rounds), FU = med(fu, rounds);
		printf("median: floor pin %.0f unpin %.0f null %.0f ns/call\n", FP, FU, med(nl, rounds));
		printf("ratio: map/floor %.2f unmap/floor %.2f\n", M / FP, U / FU);
	}
	return 0;
}
