// SPDX-License-Identifier: GPL-2.0-only
/*
 * Map and unmap cost through the virtio-iommu: IOMMU_IOAS_MAP and
 * IOMMU_IOAS_UNMAP of user memory into an IOAS with an edu attached (so
 * every mapping becomes MAP requests to the device), timed per 4 KiB
 * page, and the requests the driver sent per MiB (its debugfs "stats").
 *
 *   virtio_bench              a quick run, as a TAP test (make check)
 *   virtio_bench MIB [REPS]   the `make bench` run: MIB MiB per map
 *
 * Three kinds of mapping:
 *   thp    one IOAS_MAP of MADV_HUGEPAGE memory (2 MiB physical runs)
 *   4k     one IOAS_MAP of MADV_NOHUGEPAGE memory (runs as the page
 *          allocator gave them, often single pages)
 *   call   one IOAS_MAP per 4 KiB page (MIB/16 MiB of them), the way a
 *          VFIO type1 user mapping page by page works
 *   frag   one IOAS_MAP of memory faulted in alternately with another
 *          buffer, so that pages are rarely physically adjacent (close to
 *          the worst case: one MAP request per page)
 * Output: one line per kind,
 *   virtio KIND map NS ns/page unmap NS ns/page map_req/MiB R
 *   unmap_req/MiB R kicks/MiB K runs/MiB N (SIZE KiB in CHUNK KiB calls, xREPS)
 * (unmap is always one IOAS_UNMAP of everything; requests and kicks are
 * the driver's counters, runs the physically contiguous runs of the
 * memory as /proc/self/pagemap shows them.)
 *
 *   scripts/vm --profile virtio --add build/bin/virtio_bench -- /virtio_bench 256
 */
#include <time.h>

#include "lib/dma_util.h"

#define PAGE		4096UL
#define MIB		(1UL << 20)
#define IOVA_BASE	0x40000000ULL

struct counters {
	int64_t map, unmap, kicks;
};

static char unit[XIOMMU_UNIT_LEN];

static int64_t stat_of(const char *key)
{
	return xiommu_unit_key(unit, "stats", key);
}

static void counters(struct counters *c)
{
	c->map = stat_of("req_MAP");
	c->unmap = stat_of("req_UNMAP");
	c->kicks = stat_of("kicks");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Physically contiguous runs in [buf, buf + len) (pagemap, root only). */
static long pagemap_runs(const void *buf, size_t len)
{
	uint64_t e, prev = 0;
	long runs = 0;
	size_t i;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return -errno;
	for (i = 0; i < len / PAGE; i++) {
		if (pread(fd, &e, sizeof(e),
			  ((uintptr_t)buf / PAGE + i) * sizeof(e)) != sizeof(e)) {
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

/*
 * Memory of @len bytes in which neighbouring pages are rarely physically
 * adjacent: its pages are faulted in alternately with those of a second
 * buffer (freed afterwards), so the page allocator hands out every other
 * page to each. One mapping, so no limit on mappings per process applies.
 */
static void *frag_buf(size_t len, void **raw)
{
	uint8_t *p, *other;
	size_t i;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	other = mmap(NULL, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || other == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	madvise(other, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i += PAGE) {
		p[i] = 0x5a;
		other[i] = 0xa5;
	}
	munmap(other, len);
	*raw = p;
	return p;
}

/* Memory of @len bytes, 2 MiB aligned, faulted in, huge pages or not. */
static void *bench_buf(size_t len, bool huge, void **raw)
{
	uint8_t *p;

	*raw = mmap(NULL, len + 2 * MIB, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*raw == MAP_FAILED)
		return NULL;
	p = (uint8_t *)(((uintptr_t)*raw + 2 * MIB - 1) & ~(2 * MIB - 1));
	madvise(p, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(p, 0x5a, len);
	return p;
}

/*
 * Map @len bytes of @buf at IOVA_BASE @reps times (in @chunk pieces) and
 * unmap them; print the figures. Return: 0 or -errno.
 */
static int bench(int iommufd, uint32_t ioas, const char *kind, uint8_t *buf,
		 size_t len, size_t chunk, int reps)
{
	uint64_t t0, map_ns = 0, unmap_ns = 0;
	struct counters c0, c1;
	double mib = (double)len / MIB * reps, pages = (double)len / PAGE * reps;
	long runs = pagemap_runs(buf, len);
	size_t off;
	int r, ret;

	counters(&c0);
	for (r = 0; r < reps; r++) {
		t0 = now_ns();
		for (off = 0; off < len; off += chunk) {
			ret = iommufd_map(iommufd, ioas, buf + off, chunk,
					  IOVA_BASE + off);
			if (ret)
				return ret;
		}
		map_ns += now_ns() - t0;
		t0 = now_ns();
		/* One IOAS_UNMAP of everything, whatever the map calls were. */
		ret = iommufd_unmap(iommufd, ioas, 0, UINT64_MAX);
		if (ret)
			return ret;
		unmap_ns += now_ns() - t0;
	}
	counters(&c1);
	printf("virtio %s map %.0f ns/page unmap %.0f ns/page map_req/MiB %.2f unmap_req/MiB %.3f kicks/MiB %.2f runs/MiB %.2f (%zu KiB in %zu KiB calls, x%d)\n",
	       kind, map_ns / pages, unmap_ns / pages,
	       (c1.map - c0.map) / mib, (c1.unmap - c0.unmap) / mib,
	       (c1.kicks - c0.kicks) / mib, runs / ((double)len / MIB),
	       len >> 10, chunk >> 10, reps);
	/* One MAP per physically contiguous run, whatever the call size. */
	if (chunk == len && c1.map - c0.map != runs * reps)
		return -EPROTO;
	return 0;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 8;
	int reps = argc > 2 ? atoi(argv[2]) : 1;
	bool tap = argc <= 1;
	size_t len = mib * MIB;
	char bdf[PCI_BDF_LEN];
	uint32_t ioas = 0;
	int iommufd, fd, ret;
	void *raw;
	uint8_t *buf;

	if (tap)
		printf("TAP version 13\n1..1\n");
	if (!mib || reps < 1) {
		fprintf(stderr, "usage: virtio_bench [MIB [REPS]]\n");
		return 2;
	}
	if (edu_find_solo(bdf) || vfio_dev_bind_driver(bdf) ||
	    xiommu_dev_unit(bdf, unit, sizeof(unit)) ||
	    strncmp(unit, "viommu", 6)) {
		printf(tap ? "ok 1 virtio_bench # SKIP no edu behind a virtio-iommu\n" :
			     "virtio: no edu behind a virtio-iommu, skipped\n");
		return tap ? 0 : 4;
	}
	iommufd = iommufd_open();
	ret = iommufd < 0 ? iommufd : iommufd_ioas_alloc(iommufd, &ioas);
	fd = ret ? ret : edu_open_attached(bdf, iommufd, ioas, NULL);
	ret = fd < 0 ? fd : 0;

	buf = ret ? NULL : bench_buf(len, true, &raw);
	if (!ret && !buf)
		ret = -ENOMEM;
	if (!ret)
		ret = bench(iommufd, ioas, "thp", buf, len, len, reps);
	if (buf)
		munmap(raw, len + 2 * MIB);

	buf = ret ? NULL : bench_buf(len, false, &raw);
	if (!ret && !buf)
		ret = -ENOMEM;
	if (!ret)
		ret = bench(iommufd, ioas, "4k", buf, len, len, reps);
	/* Page by page: a sixteenth of the size keeps the call count sane. */
	if (!ret)
		ret = bench(iommufd, ioas, "call", buf, len / 16 ?: PAGE, PAGE,
			    reps);
	if (buf)
		munmap(raw, len + 2 * MIB);

	buf = ret ? NULL : frag_buf(len, &raw);
	if (!ret && !buf)
		ret = -ENOMEM;
	if (!ret)
		ret = bench(iommufd, ioas, "frag", buf, len, len, reps);
	if (buf)
		munmap(raw, len);

	if (fd >= 0)
		close(fd);
	if (iommufd >= 0)
		close(iommufd);
	if (tap)
		printf("%sok 1 virtio_bench%s\n", ret ? "not " : "",
		       ret ? " # map/unmap failed" : "");
	else if (ret)
		fprintf(stderr, "virtio_bench: %s\n", strerror(-ret));
	return ret ? 1 : 0;
}
