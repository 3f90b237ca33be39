/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The measuring part of tools/bench_compare (`make bench`,
 * Documentation/bench.md), shared with its smoke test in the stock tier
 * (selftests/vfio_bench_smoke.c): the three doors (iommufd, VFIO type1,
 * the floor module), the DMA check through one mapping of each device
 * door, and the timed cases. Header-only, like the other selftests/lib
 * helpers. Failures print a line and exit(1).
 */
#ifndef XIOMMU_SELFTESTS_BENCH_H
#define XIOMMU_SELFTESTS_BENCH_H

#include <time.h>

#include <xiommu/bench_floor.h>
#include <xiommu/iommufd_test.h>

#include "dma_util.h"
#include "edu.h"
#include "thp.h"
#include "vfio_legacy.h"

#define PAGE		4096UL
#define MIB		(1UL << 20)
#define SZ_2M		(2UL << 20)
#define IOVA		0x40000000ULL	/* 1 GiB: 2 MiB aligned, in every aperture */
#define VERIFY_IOVA	0x200000ULL	/* below the edu's 28-bit DMA mask */
#define SMALL_TIMED	(4 * MIB)	/* small sizes repeat up to this much */
#define MAX_REPS	64
#define FLOOR_PATH	"/dev/xiommu_bench_floor"

enum door { DOOR_IOMMUFD, DOOR_TYPE1, DOOR_FLOOR, NR_DOORS };

static const char *const door_name[NR_DOORS] = { "iommufd", "type1", "floor" };

struct door_ctx {
	bool on;
	int fd;			/* /dev/iommu, the container, or the floor */
	uint32_t ioas;
	int devfd, gfd;
	char bdf[PCI_BDF_LEN];
	char unit[XIOMMU_UNIT_LEN];	/* xiommu unit of the edu, or "" */
	const char *map_key, *unmap_key;	/* its debugfs "stats" counters */
};

static struct door_ctx doors[NR_DOORS];
static unsigned long max_bytes = 256 * MIB;
static unsigned int calls = 4096, rounds = 3;
static bool use_mock;
static char *mem4k, *memthp;

static inline void die(const char *what, int err)
{
	fprintf(stderr, "bench_compare: %s: %s\n", what,
		strerror(err < 0 ? -err : err));
	exit(1);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* @len bytes, 2 MiB aligned, touched, with or without THP (never freed) */
static inline char *buf_alloc(size_t len, bool huge)
{
	char *raw, *mem;

	raw = mmap(NULL, len + SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap", errno);
	mem = (char *)(((uintptr_t)raw + SZ_2M - 1) & ~(SZ_2M - 1));
	if (madvise(mem, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise", errno);
	memset(mem, 0x5a, len);
	return mem;
}

/* ------------------------------------------------------------ the doors */

static inline int door_map(enum door d, void *va, uint64_t iova, size_t len)
{
	struct door_ctx *c = &doors[d];
	struct xiommu_floor_pin p = {
		.size = sizeof(p), .uptr = (uintptr_t)va, .npages = len / PAGE,
	};

	switch (d) {
	case DOOR_IOMMUFD:
		return iommufd_map(c->fd, c->ioas, va, len, iova);
	case DOOR_TYPE1:
		return vfio_map_dma(c->fd, va, iova, len);
	default:
		return ioctl(c->fd, XIOMMU_FLOOR_PIN, &p) ? -errno : 0;
	}
}

static inline int door_unmap(enum door d, uint64_t iova, size_t len)
{
	struct door_ctx *c = &doors[d];
	struct xiommu_floor_pin p = { .size = sizeof(p), .npages = len / PAGE };
	uint64_t done = 0;
	int ret;

	switch (d) {
	case DOOR_IOMMUFD:
		return iommufd_unmap(c->fd, c->ioas, iova, len);
	case DOOR_TYPE1:
		ret = vfio_unmap_dma(c->fd, iova, len, 0, &done);
		return ret ? ret : done == len ? 0 : -EIO;
	default:
		return ioctl(c->fd, XIOMMU_FLOOR_UNPIN, &p) ? -errno : 0;
	}
}

/*
 * The driver's count of invalidation work so far (-1: none): the sum of
 * the "+"-separated debugfs "stats" keys.
 */
static inline int64_t door_count(enum door d, bool unmap)
{
	struct door_ctx *c = &doors[d];
	const char *keys = unmap ? c->unmap_key : c->map_key;
	int64_t sum = 0, v;
	char buf[64], *key, *save = NULL;

	if (!keys)
		return -1;
	snprintf(buf, sizeof(buf), "%s", keys);
	for (key = strtok_r(buf, "+", &save); key;
	     key = strtok_r(NULL, "+", &save)) {
		v = xiommu_unit_key(c->unit, "stats", key);
		if (v < 0)
			return -1;
		sum += v;
	}
	return sum;
}

/* Which debugfs counters the edu's unit has: VT-d, virtio-iommu, SMMUv3. */
static inline void door_find_counters(struct door_ctx *c)
{
	static const char *const keys[][2] = {
		{ "map_hw_ops", "unmap_hw_ops" },	/* VT-d */
		{ "req_MAP", "req_UNMAP" },		/* virtio-iommu */
		{ "tlbi_va+tlbi_asid", "tlbi_va+tlbi_asid" },	/* SMMUv3 */
	};
	unsigned int i;

	if (xiommu_dev_unit(c->bdf, c->unit, sizeof(c->unit)))
		return;		/* not xiommu: the peer */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		c->map_key = keys[i][0];
		c->unmap_key = keys[i][1];
		if (door_count(c - doors, false) >= 0)
			return;
	}
	c->map_key = NULL;
	c->unmap_key = NULL;
}

static inline void open_iommufd(struct door_ctx *c, const char *bdf)
{
	int ret;

	c->fd = iommufd_open();
	if (c->fd < 0)
		die("/dev/iommu", c->fd);
	ret = iommufd_ioas_alloc(c->fd, &c->ioas);
	if (ret)
		die("IOMMU_IOAS_ALLOC", ret);
	if (use_mock) {
		struct iommu_test_cmd cmd = {
			.size = sizeof(cmd),
			.op = XIOMMU_TEST_OP_MOCK_DEVICE,
			.id = c->ioas,
			.mock_device = { .unit = XIOMMU_MOCK_UNIT_MOCK0 },
		};

		if (ioctl(c->fd, IOMMU_TEST_CMD, &cmd))
			die("mock device", errno);
		printf("# iommufd: mock0 device, IOAS %u\n", c->ioas);
		return;
	}
	strcpy(c->bdf, bdf);
	c->devfd = edu_open_attached(bdf, c->fd, c->ioas, NULL);
	if (c->devfd < 0)
		die("binding and attaching the edu to the IOAS", c->devfd);
	door_find_counters(c);
	printf("# iommufd: edu %s, IOAS %u, unit %s, counting %s / %s\n", bdf,
	       c->ioas, c->unit[0] ? c->unit : "?",
	       c->map_key ? c->map_key : "-", c->unmap_key ? c->unmap_key : "-");
}

static inline void open_type1(struct door_ctx *c, const char *bdf)
{
	int ret;

	strcpy(c->bdf, bdf);
	ret = vfio_dev_bind_driver(bdf);
	if (ret)
		die("binding the edu to vfio-pci", ret);
	ret = vfio_legacy_setup(bdf, &c->fd, &c->gfd);
	if (ret)
		die("container and group (type1v2)", ret);
	c->devfd = vfio_group_device_fd(c->gfd, bdf);
	if (c->devfd < 0)
		die("VFIO_GROUP_GET_DEVICE_FD", c->devfd);
	ret = vfio_dev_set_master(c->devfd, true);
	if (ret)
		die("bus master", ret);
	door_find_counters(c);
	printf("# type1: edu %s, group %d, %s\n", bdf, vfio_group_number(bdf),
	       c->unit[0] ? c->unit : "the kernel's VFIO");
}

/*
 * DMA through a mapping of the door, both ways: memory -> edu buffer from
 * one page, edu buffer -> memory into another, then compare the bytes.
 */
static inline void door_verify(enum door d)
{
	struct door_ctx *c = &doors[d];
	const size_t len = 256 * 1024, n = 2048;
	char *buf = mem4k;
	int ret;

	if (use_mock && d == DOOR_IOMMUFD)
		return;		/* no device to DMA with */
	dma_fill(buf, PAGE, 0x3c);
	memset(buf + 2 * PAGE, 0, PAGE);
	ret = door_map(d, buf, VERIFY_IOVA, len);
	if (ret)
		die("map for the DMA check", ret);
	ret = edu_dma(c->devfd, VERIFY_IOVA + 100, 0, n, false);
	if (!ret)
		ret = edu_dma(c->devfd, VERIFY_IOVA + 2 * PAGE + 8, 0, n, true);
	if (ret)
		die("edu DMA", ret);
	if (memcmp(buf + 100, buf + 2 * PAGE + 8, n)) {
		fprintf(stderr, "bench_compare: %s: the bytes the edu moved differ\n",
			door_name[d]);
		exit(1);
	}
	ret = door_unmap(d, VERIFY_IOVA, len);
	if (ret)
		die("unmap after the DMA check", ret);
	memset(buf, 0x5a, 3 * PAGE);
	printf("V %s ok (%zu bytes to the edu and back through IOVA %#llx)\n",
	       door_name[d], n, VERIFY_IOVA);
}

/* ---------------------------------------------------------- measuring */

static inline void put(unsigned int r, enum door d, const char *op, bool thp,
		uint64_t bytes, double ns_per_page, int64_t count)
{
	printf("R %u %s %s %s %llu %.1f ", r, door_name[d], op,
	       thp ? "thp" : "4k", (unsigned long long)bytes, ns_per_page);
	if (count >= 0)
		printf("%.3f\n", (double)count / ((double)bytes / MIB));
	else
		printf("-\n");
}

static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static inline uint64_t median_u64(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * One map and one unmap of @len, repeated for small sizes: the median of
 * the repetitions, so one preemption of the vCPU on a loaded host does not
 * make the figure.
 */
static inline void bench_size(unsigned int r, enum door d, bool thp, size_t len)
{
	uint64_t tmap[MAX_REPS], tunmap[MAX_REPS];
	unsigned int reps = SMALL_TIMED / len, i;
	int64_t c0 = -1, c1 = -1, c2 = -1;
	char *mem = thp ? memthp : mem4k;
	int ret;

	reps = reps < 3 ? 3 : reps > MAX_REPS ? MAX_REPS : reps;
	for (i = 0; i < reps; i++) {
		uint64_t t0, t1;

		if (!i)
			c0 = door_count(d, false);
		t0 = now_ns();
		ret = door_map(d, mem, IOVA, len);
		tmap[i] = now_ns() - t0;
		if (ret)
			die("map", ret);
		if (!i) {	/* counters are read outside the timed calls */
			c1 = door_count(d, false);
			c0 = c1 >= 0 && c0 >= 0 ? c1 - c0 : -1;
			c1 = door_count(d, true);
		}
		t1 = now_ns();
		ret = door_unmap(d, IOVA, len);
		tunmap[i] = now_ns() - t1;
		if (ret)
			die("unmap", ret);
		if (!i) {
			c2 = door_count(d, true);
			c1 = c2 >= 0 && c1 >= 0 ? c2 - c1 : -1;
		}
	}
	put(r, d, "map", thp, len,
	    (double)median_u64(tmap, reps) / (len / PAGE), c0);
	put(r, d, "unmap", thp, len,
	    (double)median_u64(tunmap, reps) / (len / PAGE), c1);
}

/* @calls maps of one page per call, then @calls unmaps of one page. */
static inline void bench_calls(unsigned int r, enum door d)
{
	int64_t c0, c1, c2;
	uint64_t t0, t1, t2;
	unsigned int i;
	int ret;

	c0 = door_count(d, false);
	t0 = now_ns();
	for (i = 0; i < calls; i++) {
		ret = door_map(d, mem4k + i * PAGE, IOVA + i * PAGE, PAGE);
		if (ret)
			die("map one page", ret);
	}
	t1 = now_ns();
	c1 = door_count(d, false);
	c0 = c0 >= 0 && c1 >= 0 ? c1 - c0 : -1;
	c1 = door_count(d, true);
	t2 = now_ns();
	for (i = 0; i < calls; i++) {
		/* the floor unpins from the end of what it holds */
		uint64_t iova = d == DOOR_FLOOR ? 0 : IOVA + i * PAGE;

		ret = door_unmap(d, iova, PAGE);
		if (ret)
			die("unmap one page", ret);
	}
	t2 = now_ns() - t2;
	c2 = door_count(d, true);
	c1 = c1 >= 0 && c2 >= 0 ? c2 - c1 : -1;
	put(r, d, "map1", false, calls * PAGE, (double)(t1 - t0) / calls, c0);
	put(r, d, "unmap1", false, calls * PAGE, (double)t2 / calls, c1);
}

static inline void bench_null(unsigned int r)
{
	uint64_t t0;
	unsigned int i;

	t0 = now_ns();
	for (i = 0; i < calls; i++)
		if (ioctl(doors[DOOR_FLOOR].fd, XIOMMU_FLOOR_NULL))
			die("null ioctl", errno);
	put(r, DOOR_FLOOR, "null", false, PAGE,
	    (double)(now_ns() - t0) / calls, -1);
}

static inline void bench_door(unsigned int r, enum door d)
{
	size_t len;
	int thp;

	for (thp = 0; thp < 2; thp++)
		for (len = PAGE; len <= max_bytes; len *= 4)
			bench_size(r, d, thp, len);
	bench_calls(r, d);
	if (d == DOOR_FLOOR)
		bench_null(r);
	fflush(stdout);
}

/*
 * Open the doors marked on (the edus: alone in its group for iommufd,
 * bridged for type1), verify DMA through each device door, warm up.
 * Allocates the buffers (max_bytes of each backing). Dies on failure.
 */
static inline void bench_setup(void)
{
	char a[PCI_BDF_LEN] = "", b[PCI_BDF_LEN] = "";
	long thp;
	int d;

	if (max_bytes < 256 * 1024)	/* room for the DMA check */
		max_bytes = 256 * 1024;
	mem4k = buf_alloc(max_bytes, false);
	memthp = buf_alloc(max_bytes, true);
	thp = thp_kb();
	printf("# %u rounds, 4 KiB .. %lu KiB, %u calls; %ld of %lu kB THP-backed\n",
	       rounds, max_bytes >> 10, calls, thp, (2 * max_bytes) >> 10);

	if (!use_mock && (doors[DOOR_IOMMUFD].on || doors[DOOR_TYPE1].on)) {
		int ret = edu_find_two_groups(a, b);

		if (ret)
			die("two edus in two groups", ret);
	}
	if (doors[DOOR_IOMMUFD].on)
		open_iommufd(&doors[DOOR_IOMMUFD], a);
	if (doors[DOOR_TYPE1].on)
		open_type1(&doors[DOOR_TYPE1], b);
	if (doors[DOOR_FLOOR].on) {
		doors[DOOR_FLOOR].fd = open(FLOOR_PATH, O_RDWR | O_CLOEXEC);
		if (doors[DOOR_FLOOR].fd < 0)
			die(FLOOR_PATH, errno);
	}
	for (d = 0; d < NR_DOORS; d++) {
		if (!doors[d].on)
			continue;
		if (d != DOOR_FLOOR)
			door_verify(d);
		/* warm up: first-use allocations are not part of a round */
		if (door_map(d, mem4k, IOVA, max_bytes) ||
		    door_unmap(d, IOVA, max_bytes))
			die("warm-up map and unmap", errno);
		if (d == DOOR_FLOOR && ioctl(doors[d].fd, XIOMMU_FLOOR_NULL))
			die("null ioctl", errno);
	}
}

/* Close the doors and leave the edus idle. */
static inline void bench_teardown(void)
{
	int d;

	for (d = 0; d < NR_DOORS; d++) {
		if (!doors[d].on)
			continue;
		if (d != DOOR_FLOOR && !use_mock) {
			close(doors[d].devfd);
			if (d == DOOR_TYPE1) {
				vfio_group_unset_container(doors[d].gfd);
				close(doors[d].gfd);
			}
		}
		close(doors[d].fd);
		if (d != DOOR_FLOOR && !use_mock)
			pci_make_idle(doors[d].bdf);
		doors[d].on = false;
	}
}

#endif /* XIOMMU_SELFTESTS_BENCH_H */
