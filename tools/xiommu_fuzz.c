// SPDX-License-Identifier: GPL-2.0-only
/*
 * xiommu_fuzz: a seeded, bounded, multi-threaded random-ioctl fuzzer for
 * /dev/iommu (every iommufd ioctl 0x80-0x8a, the VFIO type1 container
 * ioctls xiommu serves on /dev/iommu), the device cdevs of xiommu-vfio-pci
 * (when an edu device exists: the vtd profiles) and the mock's
 * IOMMU_TEST_CMD ops (when xiommu_mock is loaded).
 *
 * Arguments are plausible: structs of the right shape with ids that earlier
 * calls returned, sizes around the real ones, user memory that is live,
 * munmapped, read-only, PROT_NONE, file-backed (memfd) or hugetlb/THP, with
 * close/reopen of every fd and fork() thrown in. On a kernel with fault
 * injection (the debug kernel) the calls also run under random allocation
 * failures: failslab and fail_page_alloc in random mode, restricted to the
 * fuzzing threads and, within them, to the ioctl calls (make-it-fail is set
 * just around each call, so the fuzzer's own page faults never fail).
 *
 * At the end everything is closed and the run fails unless what the kernel
 * holds for us is back to where it was before the first call: pinned
 * pages (mm->pinned_vm, VmPin in /proc/self/status; the mock's per-page pin
 * check IOMMU_TEST_OP_MD_CHECK_REFS on every live buffer), RLIMIT_MEMLOCK
 * charges (mm->locked_vm, VmLck; the per-user charge is probed by mapping
 * the whole limit again), mock devices on the mock bus and the mock's
 * driver-contract violation counters (a domain freed with IOPTEs in it, a
 * map over a present IOPTE, an unmap that cuts an IOPTE). Kernel splats
 * and leaks are the harness's job (scripts/vm, kmemleak), not ours.
 *
 * Each run prints its seed. With --threads 1 and no injection the seed
 * fixes the sequence of calls and arguments (the kernel's answers, which
 * ids exist, steer it, and they repeat). Under injection two runs agree
 * until the first call whose allocations failed differently: random mode
 * uses the kernel's random numbers, and with --fail-nth (the seed picks
 * which calls fail and at which site) the N-th allocation site of a call
 * still depends on the kernel's slab and page caches.
 *
 * Output is TAP (three results), so the test tiers count it like a
 * selftest. Documentation/debug-tier.md describes how it runs in
 * `make check-debug` and `make fuzz`.
 *
 * usage: xiommu_fuzz [--seed N] [--seconds S] [--ops N] [--threads T]
 *                    [--fail-random PCT] [--fail-nth PCT] [--verbose]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>
#include <xiommu/iommufd_test.h>
#include <xiommu/vfio_cdev.h>

#include "lib/vfio_dev.h"

#define FZ_MAX_THREADS	8
#define FZ_ICTX		2	/* iommufd slots */
#define FZ_IDS		16	/* remembered ids per kind and slot */
#define FZ_MAPS		32	/* remembered mappings per slot */
#define FZ_ACCESS	4	/* access fds per slot */
#define FZ_VDEVS	4	/* vfio device fd slots */
#define FZ_REGION	(2UL << 20)	/* bytes per memory region */
#define FZ_MEMLOCK	(8UL << 20)	/* RLIMIT_MEMLOCK while fuzzing */
#define FZ_IOVA_BASE	(1UL << 24)	/* MOCK_APERTURE_START */

static unsigned long page_size;

/* ---- options ---- */

static uint64_t opt_seed;
static unsigned int opt_seconds = 30;
static unsigned long opt_ops;		/* 0: no limit */
static unsigned int opt_threads = 3;
static int opt_fail_random = -1;	/* -1: 3 when the kernel can */
static unsigned int opt_fail_nth;
static bool opt_verbose;

/* ---- seeded generator (splitmix64), one per thread ---- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

/* ---- memory the calls point at ---- */

enum mem_kind {
	MEM_ANON,	/* private anonymous, read-write */
	MEM_SHARED,	/* shared anonymous */
	MEM_MEMFD,	/* file-backed: memfd, shared */
	MEM_HUGE,	/* hugetlb if the kernel has pages, else THP */
	MEM_RO,		/* read-only */
	MEM_NONE,	/* PROT_NONE */
	MEM_GONE,	/* munmapped */
	MEM_KINDS
};

static const char * const mem_names[MEM_KINDS] = {
	"anon", "shared", "memfd", "huge", "ro", "none", "gone",
};

struct region {
	char *base;
	enum mem_kind kind;
};

static struct region regions[MEM_KINDS];
static pthread_mutex_t regions_lock = PTHREAD_MUTEX_INITIALIZER;

static char *map_region(enum mem_kind kind)
{
	int prot = PROT_READ | PROT_WRITE;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	char *p, *base;
	int fd = -1;

	switch (kind) {
	case MEM_SHARED:
		flags = MAP_SHARED | MAP_ANONYMOUS;
		break;
	case MEM_MEMFD:
		fd = memfd_create("xiommu_fuzz", 0);
		if (fd < 0 || ftruncate(fd, FZ_REGION))
			return NULL;
		flags = MAP_SHARED;
		break;
	case MEM_HUGE:
		p = mmap(NULL, FZ_REGION, prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (p != MAP_FAILED) {
			memset(p, 0x5a, FZ_REGION);
			return p;
		}
		/* THP: 2 MiB aligned, asked for */
		base = mmap(NULL, 2 * FZ_REGION, prot, flags, -1, 0);
		if (base == MAP_FAILED)
			return NULL;
		p = (char *)(((uintptr_t)base + FZ_REGION - 1) &
			     ~(FZ_REGION - 1));
		if (p != base)
			munmap(base, p - base);
		munmap(p + FZ_REGION, base + FZ_REGION - p);
		madvise(p, FZ_REGION, MADV_HUGEPAGE);
		memset(p, 0x5a, FZ_REGION);
		return p;
	default:
		break;
	}
	p = mmap(NULL, FZ_REGION, prot, flags, fd, 0);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED)
		return NULL;
	/* Faulted in now: no call's argument makes the kernel fault. */
	memset(p, 0x5a, FZ_REGION);
	if (kind == MEM_RO)
		mprotect(p, FZ_REGION, PROT_READ);
	else if (kind == MEM_NONE)
		mprotect(p, FZ_REGION, PROT_NONE);
	else if (kind == MEM_GONE)
		munmap(p, FZ_REGION);
	return p;
}

static void regions_setup(void)
{
	unsigned int k;

	for (k = 0; k < MEM_KINDS; k++) {
		regions[k].kind = k;
		regions[k].base = map_region(k);
		if (!regions[k].base)	/* e.g. no memfd: plain anon */
			regions[k].base = map_region(MEM_ANON);
	}
}

/* Replace a region by a new mapping (the old memory may still be pinned). */
static void region_remap(struct rng *r)
{
	enum mem_kind k = below(r, MEM_KINDS);
	char *p = map_region(k);

	if (!p)
		return;
	pthread_mutex_lock(&regions_lock);
	if (k != MEM_GONE)
		munmap(regions[k].base, FZ_REGION);
	regions[k].base = p;
	pthread_mutex_unlock(&regions_lock);
}

/* A user pointer and length inside (or around) some region. */
static void pick_mem(struct rng *r, uint64_t *uptr, uint64_t *len)
{
	enum mem_kind k;
	uint64_t off, n;

	/* live memory most of the time */
	k = chance(r, 70) ? below(r, 4) : below(r, MEM_KINDS);
	pthread_mutex_lock(&regions_lock);
	off = below(r, FZ_REGION / page_size) * page_size;
	if (chance(r, 10))
		off += below(r, page_size);	/* sub-page offsets */
	*uptr = (uintptr_t)regions[k].base + off;
	pthread_mutex_unlock(&regions_lock);

	switch (below(r, 6)) {
	case 0:
		n = page_size;
		break;
	case 1:
		n = (1 + below(r, 16)) * page_size;
		break;
	case 2:
		n = FZ_REGION - off;
		break;
	case 3:
		n = 1 + below(r, 3 * page_size);
		break;
	case 4:
		n = (1 + below(r, 4)) * XIOMMU_MOCK_IO_PAGE_SIZE;
		break;
	default:
		n = (1 + below(r, 64)) * page_size;
		break;
	}
	/*
	 * Within the region: a pages object of more than 512 pages makes
	 * the core kvcalloc() its page array, whose vmalloc fallback prints
	 * a splat when an injected failure hits it (issue 11 item 2, branch
	 * harden, bounds that array; widen this afterwards).
	 */
	if (chance(r, 3))
		n = chance(r, 50) ? 0 : ~0ULL - below(r, 4096);
	else if (off + n > FZ_REGION)
		n = FZ_REGION - off;
	if (chance(r, 2))
		*uptr = chance(r, 50) ? 0 : ~0ULL - below(r, 1 << 20);
	*len = n;
}

/* ---- what earlier calls returned ---- */

enum id_kind { ID_IOAS, ID_HWPT, ID_IDEV, ID_STDEV, ID_KINDS };

struct mapping {
	uint32_t ioas;
	uint64_t iova, len;
};

struct access_slot {
	int fd;
	uint32_t pages_id[4];
};

struct ictx_slot {
	pthread_rwlock_t lock;	/* write: close/reopen; read: every call */
	int fd;
	uint32_t ids[ID_KINDS][FZ_IDS];
	uint32_t nobind[FZ_IDS];	/* stdev ids created without bind */
	struct mapping maps[FZ_MAPS];
	struct access_slot access[FZ_ACCESS];
	pthread_mutex_t state;	/* ids, maps, access[].pages_id */
};

static struct ictx_slot ictx[FZ_ICTX];

struct vdev_slot {
	pthread_mutex_t lock;
	int fd;
	int bdf;	/* index into vdev_bdfs */
};

static char vdev_bdfs[2][PCI_BDF_LEN];
static unsigned int nr_vdev_bdfs;
static struct vdev_slot vdevs[FZ_VDEVS];

static bool have_mock;

static void remember(struct ictx_slot *s, enum id_kind k, uint32_t id,
		     struct rng *r)
{
	pthread_mutex_lock(&s->state);
	s->ids[k][below(r, FZ_IDS)] = id;
	pthread_mutex_unlock(&s->state);
}

static uint32_t pick_id(struct ictx_slot *s, enum id_kind k, struct rng *r)
{
	uint32_t id;

	if (chance(r, 5))
		return chance(r, 50) ? 0 : below(r, 64);
	if (chance(r, 5))
		k = below(r, ID_KINDS);	/* an id of the wrong type */
	pthread_mutex_lock(&s->state);
	id = s->ids[k][below(r, FZ_IDS)];
	if (!id)
		id = s->ids[k][0];
	pthread_mutex_unlock(&s->state);
	return id;
}

static void remember_map(struct ictx_slot *s, uint32_t ioas, uint64_t iova,
			 uint64_t len, struct rng *r)
{
	pthread_mutex_lock(&s->state);
	s->maps[below(r, FZ_MAPS)] = (struct mapping){ ioas, iova, len };
	pthread_mutex_unlock(&s->state);
}

static struct mapping pick_map(struct ictx_slot *s, struct rng *r)
{
	struct mapping m;

	pthread_mutex_lock(&s->state);
	m = s->maps[below(r, FZ_MAPS)];
	pthread_mutex_unlock(&s->state);
	if (!m.len) {
		m.iova = FZ_IOVA_BASE + below(r, 256) * page_size;
		m.len = (1 + below(r, 16)) * page_size;
	}
	return m;
}

static void forget_ids(struct ictx_slot *s)
{
	unsigned int i;

	memset(s->ids, 0, sizeof(s->ids));
	memset(s->nobind, 0, sizeof(s->nobind));
	memset(s->maps, 0, sizeof(s->maps));
	for (i = 0; i < FZ_ACCESS; i++)
		memset(s->access[i].pages_id, 0,
		       sizeof(s->access[i].pages_id));
}

/* ---- fault injection around each call ---- */

/* Families of calls, for the per-kind summary. */
enum fam {
	F_IOAS_ALLOC, F_DESTROY, F_MAP, F_UNMAP, F_COPY, F_RANGES, F_ALLOW,
	F_OPTION, F_VFIO_IOAS, F_HWPT, F_HW_INFO, F_RAW, F_TYPE1, F_MOCK,
	F_VDEV, F_FORK, F_KINDS
};

static const char * const fam_names[F_KINDS] = {
	"ioas_alloc", "destroy", "map", "unmap", "copy", "iova_ranges",
	"allow_iovas", "option", "vfio_ioas", "hwpt_alloc", "hw_info", "raw",
	"type1", "mock", "vfio_dev", "fork",
};

struct worker {
	pthread_t thread;
	enum fam fam;
	unsigned long fam_calls[F_KINDS], fam_ok[F_KINDS];
	unsigned int idx;
	struct rng rng;
	int fail_fd;	/* /proc/self/task/TID/make-it-fail, or -1 */
	int nth_fd;	/* /proc/self/task/TID/fail-nth, or -1 */
	bool nth_armed;	/* fail-nth armed for the current call */
	unsigned long ops, ok, injected;
	unsigned long by_errno[134];
};

static bool can_inject;

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* failslab and fail_page_alloc: random mode for make-it-fail tasks only */
static int inject_setup(unsigned int pct)
{
	static const char * const dirs[] = {
		"/sys/kernel/debug/failslab",
		"/sys/kernel/debug/fail_page_alloc",
	};
	char path[128], val[16];
	unsigned int i;

	snprintf(val, sizeof(val), "%u", pct);
	for (i = 0; i < 2; i++) {
		static const char * const kv[][2] = {
			{ "task-filter", "Y" }, { "interval", "1" },
			{ "times", "-1" }, { "space", "0" },
			{ "verbose", "0" }, { "ignore-gfp-wait", "N" },
		};
		unsigned int j;

		for (j = 0; j < sizeof(kv) / sizeof(kv[0]); j++) {
			snprintf(path, sizeof(path), "%s/%s", dirs[i], kv[j][0]);
			if (write_str(path, kv[j][1]))
				return -1;
		}
		snprintf(path, sizeof(path), "%s/probability", dirs[i]);
		if (write_str(path, val))
			return -1;
	}
	if (write_str("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem",
		      "N") ||
	    write_str("/sys/kernel/debug/fail_page_alloc/min-order", "0"))
		return -1;
	return 0;
}

static void worker_open_inject(struct worker *w)
{
	char path[96];
	long tid = syscall(SYS_gettid);

	w->fail_fd = w->nth_fd = -1;
	if (!can_inject)
		return;
	snprintf(path, sizeof(path), "/proc/self/task/%ld/make-it-fail", tid);
	if (opt_fail_random > 0)
		w->fail_fd = open(path, O_WRONLY);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", tid);
	if (opt_fail_nth)
		w->nth_fd = open(path, O_RDWR);
}

static void arm(struct worker *w)
{
	w->nth_armed = false;
	if (w->fail_fd >= 0)
		(void)!pwrite(w->fail_fd, "1", 1, 0);
	if (w->nth_fd >= 0 && chance(&w->rng, opt_fail_nth)) {
		char val[8];
		int n = snprintf(val, sizeof(val), "%u",
				 (unsigned int)(1 + below(&w->rng, 12)));

		w->nth_armed = pwrite(w->nth_fd, val, n, 0) == n;
	}
}

static void disarm(struct worker *w)
{
	if (w->fail_fd >= 0)
		(void)!pwrite(w->fail_fd, "0", 1, 0);
	if (w->nth_armed) {
		char val[16] = "";

		/* 0 left: the armed site was reached and failed */
		if (pread(w->nth_fd, val, sizeof(val) - 1, 0) > 0 &&
		    val[0] == '0')
			w->injected++;
		(void)!pwrite(w->nth_fd, "0", 1, 0);
	}
}

/* One call, counted; under injection if @inject. */
static long fz_ioctl_inject(struct worker *w, int fd, unsigned long cmd,
			    void *arg, bool inject)
{
	long rc;
	int err;

	if (inject)
		arm(w);
	rc = ioctl(fd, cmd, arg);
	err = errno;
	if (inject)
		disarm(w);
	w->ops++;
	w->fam_calls[w->fam]++;
	if (rc >= 0) {
		w->ok++;
		w->fam_ok[w->fam]++;
	}
	else
		w->by_errno[err < 133 ? err : 133]++;
	errno = err;
	return rc;
}

/* One call under injection, counted. */
static long fz_ioctl(struct worker *w, int fd, unsigned long cmd, void *arg)
{
	return fz_ioctl_inject(w, fd, cmd, arg, true);
}

/* ---- the calls ---- */

/* Size field: usually right, sometimes smaller, larger, or absurd. */
static uint32_t fz_size(struct rng *r, uint32_t real)
{
	switch (below(r, 16)) {
	case 0:
		return below(r, real);
	case 1:
		return real + 8 * (1 + below(r, 8));
	case 2:
		return chance(r, 50) ? 0 : 0xffffffffU;
	default:
		return real;
	}
}

/*
 * A buffer bigger than any struct, so that sizes above the real one read
 * (zero or, sometimes, non-zero) trailing bytes rather than unmapped memory.
 */
union fz_buf {
	unsigned char raw[512];
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_allow_iovas allow;
	struct iommu_ioas_copy copy;
	struct iommu_ioas_iova_ranges ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_hwpt_alloc hwpt;
	struct iommu_hw_info hw_info;
	struct iommu_test_cmd test;
};

static void fz_tail(struct rng *r, union fz_buf *b, size_t real)
{
	if (chance(r, 5))
		b->raw[real + below(r, sizeof(b->raw) - real)] = 1;
}

static uint32_t map_flags(struct rng *r)
{
	uint32_t f = IOMMU_IOAS_MAP_READABLE;

	if (chance(r, 70))
		f |= IOMMU_IOAS_MAP_WRITEABLE;
	if (chance(r, 5))
		f = below(r, 16);
	return f;
}

static uint64_t pick_iova(struct rng *r)
{
	switch (below(r, 8)) {
	case 0:
		return below(r, 1UL << 24);	/* below the mock aperture */
	case 1:
		return (1ULL << 31) - page_size * below(r, 4);
	case 2:
		return rnd(r);
	default:
		return FZ_IOVA_BASE + below(r, 1024) * page_size +
		       (chance(r, 5) ? XIOMMU_MOCK_IO_PAGE_SIZE : 0);
	}
}

static void op_ioas_alloc(struct worker *w, struct ictx_slot *s)
{
	union fz_buf b = {};

	b.ioas_alloc.size = fz_size(&w->rng, sizeof(b.ioas_alloc));
	if (chance(&w->rng, 3))
		b.ioas_alloc.flags = 1;
	fz_tail(&w->rng, &b, sizeof(b.ioas_alloc));
	if (!fz_ioctl(w, s->fd, IOMMU_IOAS_ALLOC, &b))
		remember(s, ID_IOAS, b.ioas_alloc.out_ioas_id, &w->rng);
}

static void op_destroy(struct worker *w, struct ictx_slot *s)
{
	union fz_buf b = {};

	b.destroy.size = fz_size(&w->rng, sizeof(b.destroy));
	b.destroy.id = pick_id(s, below(&w->rng, ID_KINDS), &w->rng);
	fz_ioctl(w, s->fd, IOMMU_DESTROY, &b);
}

static void op_map(struct worker *w, struct ictx_slot *s)
{
	union fz_buf b = {};
	uint64_t uptr, len;

	pick_mem(&w->rng, &uptr, &len);
	b.map.size = fz_size(&w->rng, sizeof(b.map));
	b.map.flags = map_flags(&w->rng);
	b.map.ioas_id = pick_id(s, ID_IOAS, &w->rng);
	b.map.user_va = uptr;
	b.map.length = len;
	if (chance(&w->rng, 60)) {
		b.map.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
		b.map.iova = pick_iova(&w->rng);
	}
	if (chance(&w->rng, 3))
		b.map.__reserved = 1;
	fz_tail(&w->rng, &b, sizeof(b.map));
	if (!fz_ioctl(w, s->fd, IOMMU_IOAS_MAP, &b))
		remember_map(s, b.map.ioas_id, b.map.iova, len, &w->rng);
}

static void op_unmap(struct worker *w, struct ictx_slot *s)
{
	struct mapping m = pick_map(s, &w->rng);
	union fz_buf b = {};

	b.unmap.size = fz_size(&w->rng, sizeof(b.unmap));
	b.unmap.ioas_id = chance(&w->rng, 80) ? m.ioas :
						 pick_id(s, ID_IOAS, &w->rng);
	b.unmap.iova = m.iova;
	b.unmap.length = m.len;
	switch (below(&w->rng, 8)) {
	case 0:		/* everything */
		b.unmap.iova = 0;
		b.unmap.length = UINT64_MAX;
		break;
	case 1:		/* part of it */
		b.unmap.length = m.len / 2 ?: 1;
		break;
	case 2:		/* more than it */
		b.unmap.length = m.len + page_size * below(&w->rng, 64);
		break;
	default:
		break;
	}
	fz_ioctl(w, s->fd, IOMMU_IOAS_UNMAP, &b);
}

static void op_copy(struct worker *w, struct ictx_slot *s)
{
	struct mapping m = pick_map(s, &w->rng);
	union fz_buf b = {};

	b.copy.size = fz_size(&w->rng, sizeof(b.copy));
	b.copy.flags = map_flags(&w->rng);
	b.copy.src_ioas_id = chance(&w->rng, 80) ? m.ioas :
						    pick_id(s, ID_IOAS, &w->rng);
	b.copy.dst_ioas_id = pick_id(s, ID_IOAS, &w->rng);
	b.copy.src_iova = m.iova;
	b.copy.length = chance(&w->rng, 70) ? m.len :
		(1 + below(&w->rng, 8)) * page_size;
	if (chance(&w->rng, 50)) {
		b.copy.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
		b.copy.dst_iova = pick_iova(&w->rng);
	}
	fz_tail(&w->rng, &b, sizeof(b.copy));
	if (!fz_ioctl(w, s->fd, IOMMU_IOAS_COPY, &b))
		remember_map(s, b.copy.dst_ioas_id, b.copy.dst_iova,
			     b.copy.length, &w->rng);
}

static void op_iova_ranges(struct worker *w, struct ictx_slot *s)
{
	struct iommu_iova_range ranges[8];
	union fz_buf b = {};

	b.ranges.size = fz_size(&w->rng, sizeof(b.ranges));
	b.ranges.ioas_id = pick_id(s, ID_IOAS, &w->rng);
	b.ranges.num_iovas = below(&w->rng, 9);
	b.ranges.allowed_iovas = chance(&w->rng, 90) ? (uintptr_t)ranges :
		(uintptr_t)regions[below(&w->rng, MEM_KINDS)].base;
	fz_ioctl(w, s->fd, IOMMU_IOAS_IOVA_RANGES, &b);
}

static void op_allow_iovas(struct worker *w, struct ictx_slot *s)
{
	struct iommu_iova_range ranges[4];
	union fz_buf b = {};
	unsigned int i, n = below(&w->rng, 4);

	for (i = 0; i < n; i++) {
		ranges[i].start = pick_iova(&w->rng);
		ranges[i].last = ranges[i].start +
				 below(&w->rng, 1 << 20) * page_size - 1;
	}
	b.allow.size = fz_size(&w->rng, sizeof(b.allow));
	b.allow.ioas_id = pick_id(s, ID_IOAS, &w->rng);
	b.allow.num_iovas = chance(&w->rng, 95) ? n : below(&w->rng, 1 << 20);
	b.allow.allowed_iovas = (uintptr_t)ranges;
	fz_ioctl(w, s->fd, IOMMU_IOAS_ALLOW_IOVAS, &b);
}

static void op_option(struct worker *w, struct ictx_slot *s)
{
	union fz_buf b = {};

	b.option.size = fz_size(&w->rng, sizeof(b.option));
	b.option.option_id = below(&w->rng, 3);
	b.option.op = below(&w->rng, 3);
	b.option.object_id = b.option.option_id == IOMMU_OPTION_HUGE_PAGES ?
		pick_id(s, ID_IOAS, &w->rng) : 0;
	b.option.val64 = chance(&w->rng, 90) ? below(&w->rng, 2) : rnd(&w->rng);
	fz_ioctl(w, s->fd, IOMMU_OPTION, &b);
}

static void op_vfio_ioas(struct worker *w, struct ictx_slot *s)
{
	union fz_buf b = {};

	b.vfio_ioas.size = fz_size(&w->rng, sizeof(b.vfio_ioas));
	b.vfio_ioas.op = below(&w->rng, 4);
	b.vfio_ioas.ioas_id = pick_id(s, ID_IOAS, &w->rng);
	fz_ioctl(w, s->fd, IOMMU_VFIO_IOAS, &b);
}

static void op_hwpt_alloc(struct worker *w, struct ictx_slot *s)
{
	union fz_buf b = {};

	b.hwpt.size = fz_size(&w->rng, sizeof(b.hwpt));
	b.hwpt.dev_id = pick_id(s, ID_IDEV, &w->rng);
	b.hwpt.pt_id = pick_id(s, chance(&w->rng, 80) ? ID_IOAS : ID_HWPT,
			       &w->rng);
	if (chance(&w->rng, 3))
		b.hwpt.flags = 1;
	if (!fz_ioctl(w, s->fd, IOMMU_HWPT_ALLOC, &b))
		remember(s, ID_HWPT, b.hwpt.out_hwpt_id, &w->rng);
}

static void op_hw_info(struct worker *w, struct ictx_slot *s)
{
	unsigned char data[256];
	union fz_buf b = {};

	b.hw_info.size = fz_size(&w->rng, sizeof(b.hw_info));
	b.hw_info.dev_id = pick_id(s, ID_IDEV, &w->rng);
	b.hw_info.data_len = below(&w->rng, sizeof(data) + 1);
	b.hw_info.data_uptr = chance(&w->rng, 95) ? (uintptr_t)data : 8;
	fz_ioctl(w, s->fd, IOMMU_GET_HW_INFO, &b);
}

/* A raw call: any number in the iommufd range, a random struct. */
static void op_raw(struct worker *w, struct ictx_slot *s)
{
	union fz_buf b;
	unsigned int i;

	for (i = 0; i < sizeof(b.raw); i += 8) {
		uint64_t v = chance(&w->rng, 60) ? 0 : rnd(&w->rng) & 0xff;

		memcpy(&b.raw[i], &v, 8);
	}
	b.destroy.size = fz_size(&w->rng, 8 * (1 + below(&w->rng, 12)));
	fz_ioctl(w, s->fd, _IO(IOMMUFD_TYPE, 0x80 + below(&w->rng, 16)), &b);
}

/* ---- VFIO type1 on /dev/iommu ---- */

static void op_type1(struct worker *w, struct ictx_slot *s)
{
	struct rng *r = &w->rng;

	switch (below(r, 8)) {
	case 0:
		fz_ioctl(w, s->fd, VFIO_GET_API_VERSION, NULL);
		fz_ioctl(w, s->fd, VFIO_CHECK_EXTENSION,
			 (void *)(uintptr_t)below(r, 12));
		break;
	case 1:
		fz_ioctl(w, s->fd, VFIO_SET_IOMMU,
			 (void *)(uintptr_t)(chance(r, 90) ?
				VFIO_TYPE1_IOMMU + below(r, 3) : below(r, 12)));
		break;
	case 2: {
		unsigned char buf[256] = {};
		struct vfio_iommu_type1_info *info = (void *)buf;

		info->argsz = chance(r, 50) ? sizeof(*info) : below(r, 257);
		fz_ioctl(w, s->fd, VFIO_IOMMU_GET_INFO, info);
		break;
	}
	case 3:
	case 4:
	case 5: {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = fz_size(r, sizeof(map)),
			.flags = chance(r, 95) ? 1 + below(r, 3) : rnd(r),
			.iova = pick_iova(r),
		};

		uint64_t uptr, len;

		pick_mem(r, &uptr, &len);
		map.vaddr = uptr;
		map.size = len;
		fz_ioctl(w, s->fd, VFIO_IOMMU_MAP_DMA, &map);
		break;
	}
	default: {
		struct mapping m = pick_map(s, r);
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = fz_size(r, sizeof(unmap)),
			.iova = m.iova,
			.size = m.len,
		};

		if (chance(r, 40)) {	/* the type1 cut: part of a mapping */
			unmap.iova += below(r, m.len / page_size + 1) * page_size;
			unmap.size = (1 + below(r, 4)) * page_size;
		} else if (chance(r, 10)) {
			unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
			unmap.iova = unmap.size = 0;
		}
		fz_ioctl(w, s->fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
		break;
	}
	}
}

/* ---- the mock's IOMMU_TEST_CMD ---- */

static void test_cmd_init(struct rng *r, union fz_buf *b, uint32_t op,
			  uint32_t id)
{
	memset(b, 0, sizeof(*b));
	b->test.size = chance(r, 95) ? sizeof(b->test) :
				       fz_size(r, sizeof(b->test));
	b->test.op = op;
	b->test.id = id;
}

/* An access slot, one with an open access fd if there is one. */
static struct access_slot *pick_access(struct ictx_slot *s, struct rng *r)
{
	unsigned int i, first = below(r, FZ_ACCESS);

	for (i = 0; i < FZ_ACCESS && !chance(r, 5); i++) {
		struct access_slot *a = &s->access[(first + i) % FZ_ACCESS];

		if (a->fd >= 0)
			return a;
	}
	return &s->access[first];
}

static void op_mock(struct worker *w, struct ictx_slot *s)
{
	struct rng *r = &w->rng;
	struct access_slot *a;
	union fz_buf b;
	uint64_t uptr, len;
	uint32_t id;

	switch (below(r, 14)) {
	case 0:
	case 1:	/* a device bound and attached to an IOAS or HWPT */
		test_cmd_init(r, &b, IOMMU_TEST_OP_MOCK_DOMAIN,
			      pick_id(s, chance(r, 80) ? ID_IOAS : ID_HWPT, r));
		if (fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b))
			break;
		remember(s, ID_STDEV, b.test.mock_domain.out_stdev_id, r);
		remember(s, ID_HWPT, b.test.mock_domain.out_hwpt_id, r);
		remember(s, ID_IDEV, b.test.mock_domain.out_idev_id, r);
		break;
	case 2:	/* a device of a chosen unit, maybe in another's group */
		test_cmd_init(r, &b, XIOMMU_TEST_OP_MOCK_DEVICE,
			      pick_id(s, ID_IOAS, r));
		b.test.mock_device.unit = chance(r, 95) ? below(r, 3) : 7;
		b.test.mock_device.flags = below(r, 3);
		if (chance(r, 30))
			b.test.mock_device.group_stdev_id =
				pick_id(s, ID_STDEV, r);
		if (fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b))
			break;
		if (b.test.mock_device.flags & XIOMMU_MOCK_DEVICE_NO_BIND) {
			/*
			 * Not used for REPLACE: a device that was never
			 * bound has no idev (issue 11 item 4, branch
			 * harden, makes the test op refuse it).
			 */
			pthread_mutex_lock(&s->state);
			s->nobind[below(r, FZ_IDS)] =
				b.test.mock_device.out_stdev_id;
			pthread_mutex_unlock(&s->state);
			break;
		}
		remember(s, ID_STDEV, b.test.mock_device.out_stdev_id, r);
		remember(s, ID_IDEV, b.test.mock_device.out_idev_id, r);
		if (b.test.mock_device.out_hwpt_id)
			remember(s, ID_HWPT, b.test.mock_device.out_hwpt_id, r);
		break;
	case 3:	/* replace */
		id = pick_id(s, ID_STDEV, r);
		pthread_mutex_lock(&s->state);
		for (unsigned int i = 0; i < FZ_IDS; i++)
			if (id && s->nobind[i] == id)
				id = 0;
		pthread_mutex_unlock(&s->state);
		if (!id)
			break;
		test_cmd_init(r, &b, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, id);
		b.test.mock_domain_replace.pt_id =
			pick_id(s, chance(r, 50) ? ID_IOAS : ID_HWPT, r);
		if (!fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b))
			remember(s, ID_HWPT, b.test.mock_domain_replace.pt_id, r);
		break;
	case 4:	/* detach */
		test_cmd_init(r, &b, XIOMMU_TEST_OP_MOCK_DETACH,
			      pick_id(s, ID_STDEV, r));
		fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b);
		break;
	case 5:	/* an access object, its fd kept in a slot */
		test_cmd_init(r, &b, IOMMU_TEST_OP_CREATE_ACCESS,
			      pick_id(s, ID_IOAS, r));
		b.test.create_access.flags = chance(r, 60) ?
			MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES : 0;
		if (chance(r, 5))
			b.test.create_access.flags |=
				XIOMMU_MOCK_ACCESS_CREATE_KEEP_PINS;
		if (fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b))
			break;
		pthread_mutex_lock(&s->state);
		a = pick_access(s, r);
		if (a->fd > 0)
			close(a->fd);
		a->fd = b.test.create_access.out_access_fd;
		memset(a->pages_id, 0, sizeof(a->pages_id));
		pthread_mutex_unlock(&s->state);
		break;
	case 6:
	case 7: {	/* access pin */
		struct mapping m = pick_map(s, r);

		a = pick_access(s, r);
		test_cmd_init(r, &b, IOMMU_TEST_OP_ACCESS_PAGES, a->fd);
		b.test.access_pages.flags = chance(r, 50) ?
			MOCK_FLAGS_ACCESS_WRITE : 0;
		b.test.access_pages.iova = m.iova +
			(chance(r, 30) ? below(r, m.len) : 0);
		b.test.access_pages.length = chance(r, 60) ? m.len :
			1 + below(r, 4 * page_size);
		b.test.access_pages.uptr = (uintptr_t)regions[MEM_SHARED].base;
		if (fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b))
			break;
		pthread_mutex_lock(&s->state);
		a->pages_id[below(r, 4)] = b.test.access_pages.out_access_pages_id;
		pthread_mutex_unlock(&s->state);
		break;
	}
	case 8:	/* access unpin */
		a = pick_access(s, r);
		test_cmd_init(r, &b, IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, a->fd);
		pthread_mutex_lock(&s->state);
		b.test.destroy_access_pages.access_pages_id =
			a->pages_id[below(r, 4)];
		pthread_mutex_unlock(&s->state);
		fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b);
		break;
	case 9: {	/* access read/write */
		struct mapping m = pick_map(s, r);
		static __thread char tmp[4 * 4096];

		a = pick_access(s, r);
		test_cmd_init(r, &b, IOMMU_TEST_OP_ACCESS_RW, a->fd);
		b.test.access_rw.iova = m.iova + below(r, m.len + 1);
		/*
		 * At most a page: the mock kvzalloc()s a bounce buffer of
		 * this size, and its vmalloc fallback warns when an injected
		 * failure hits it (issue 11 item 4, branch harden).
		 */
		b.test.access_rw.length = 1 + below(r, page_size);
		b.test.access_rw.uptr = (uintptr_t)tmp;
		b.test.access_rw.flags = below(r, 8) &
			(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH);
		fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b);
		break;
	}
	case 10:
		a = pick_access(s, r);
		test_cmd_init(r, &b, IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, a->fd);
		b.test.access_replace_ioas.ioas_id = pick_id(s, ID_IOAS, r);
		fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b);
		break;
	case 11:
		test_cmd_init(r, &b, IOMMU_TEST_OP_ADD_RESERVED,
			      pick_id(s, ID_IOAS, r));
		b.test.add_reserved.start = pick_iova(r);
		b.test.add_reserved.length = (1 + below(r, 16)) * page_size;
		fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b);
		break;
	case 12:	/* small pinning batches (restored at the end) */
		test_cmd_init(r, &b, IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, 0);
		b.test.memory_limit.limit = chance(r, 50) ?
			1024 * sizeof(void *) : 8 + below(r, 256);
		fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b);
		break;
	default: {	/* read-only checks */
		struct mapping m = pick_map(s, r);

		pick_mem(r, &uptr, &len);
		if (chance(r, 50)) {
			test_cmd_init(r, &b, IOMMU_TEST_OP_MD_CHECK_MAP,
				      pick_id(s, ID_HWPT, r));
			b.test.check_map.iova = m.iova;
			b.test.check_map.length = m.len;
			b.test.check_map.uptr = uptr;
		} else {
			test_cmd_init(r, &b, IOMMU_TEST_OP_MD_CHECK_REFS, 0);
			b.test.check_refs.length = len;
			b.test.check_refs.uptr = uptr;
			b.test.check_refs.refs = below(r, 3);
		}
		fz_ioctl(w, s->fd, IOMMU_TEST_CMD, &b);
		break;
	}
	}
}

/* ---- xiommu-vfio-pci device cdevs ---- */

static void op_vdev(struct worker *w, struct ictx_slot *s)
{
	struct rng *r = &w->rng;
	struct vdev_slot *v = &vdevs[below(r, FZ_VDEVS)];

	pthread_mutex_lock(&v->lock);
	if (v->fd < 0 || chance(r, 5)) {
		if (v->fd >= 0)
			close(v->fd);
		v->bdf = below(r, nr_vdev_bdfs);
		v->fd = vfio_dev_open(vdev_bdfs[v->bdf]);
		if (v->fd < 0)
			v->fd = -1;
		goto out;
	}
	switch (below(r, 6)) {
	case 0:
	case 1: {
		struct vfio_device_bind_iommufd bind = {
			.argsz = fz_size(r, sizeof(bind)),
			.iommufd = chance(r, 95) ? s->fd : -1,
		};

		if (chance(r, 3))
			bind.flags = 1;
		/*
		 * No injected failures: BIND enables the PCI device, and an
		 * allocation failure inside pci_enable_device() (ACPI _PRT
		 * evaluation) makes 6.1's ACPICA drop object references it
		 * still uses ("Could not update object reference count",
		 * then a KASAN use-after-free in acpi_ns_get_attached_object
		 * at the next disable): a kernel bug outside xiommu
		 * (Documentation/debug-tier.md).
		 */
		if (!fz_ioctl_inject(w, v->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind,
				     false))
			remember(s, ID_IDEV, bind.out_devid, r);
		break;
	}
	case 2:
	case 3: {
		struct vfio_device_attach_iommufd_pt at = {
			.argsz = fz_size(r, sizeof(at)),
			.pt_id = pick_id(s, chance(r, 70) ? ID_IOAS : ID_HWPT,
					 r),
		};

		if (!fz_ioctl(w, v->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
			remember(s, ID_HWPT, at.pt_id, r);
		break;
	}
	case 4: {
		struct vfio_device_detach_iommufd_pt de = {
			.argsz = fz_size(r, sizeof(de)),
		};

		fz_ioctl(w, v->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de);
		break;
	}
	default: {
		struct vfio_device_info info = {
			.argsz = fz_size(r, sizeof(info)),
		};

		fz_ioctl(w, v->fd, VFIO_DEVICE_GET_INFO, &info);
		break;
	}
	}
out:
	pthread_mutex_unlock(&v->lock);
}

/* ---- lifecycle ---- */

static void slot_close_locked(struct ictx_slot *s)
{
	unsigned int i;

	for (i = 0; i < FZ_ACCESS; i++) {
		if (s->access[i].fd > 0)
			close(s->access[i].fd);
		s->access[i].fd = -1;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	forget_ids(s);
}

static void op_reopen(struct worker *w)
{
	struct ictx_slot *s = &ictx[below(&w->rng, FZ_ICTX)];

	pthread_rwlock_wrlock(&s->lock);
	slot_close_locked(s);
	s->fd = open("/dev/iommu", O_RDWR);
	pthread_rwlock_unlock(&s->lock);
}

/*
 * A child inherits the fds, maps memory of its own copy of the address
 * space through them (another mm than the one that opened /dev/iommu),
 * maybe unmaps it, and exits. The child of a threaded process takes no
 * lock: everything it needs is copied before the fork.
 */
static void op_fork(struct worker *w, struct ictx_slot *s)
{
	uint64_t seed = rnd(&w->rng);
	char *bases[MEM_KINDS];
	struct mapping m = pick_map(s, &w->rng);
	unsigned int k, tries;
	int fd = s->fd;
	pid_t pid;

	pthread_mutex_lock(&regions_lock);
	for (k = 0; k < MEM_KINDS; k++)
		bases[k] = regions[k].base;
	pthread_mutex_unlock(&regions_lock);

	pid = fork();
	if (pid == 0) {
		struct rng r = { seed };
		unsigned int i;

		for (i = 0; i < 4; i++) {
			struct iommu_ioas_map map = {
				.size = sizeof(map),
				.flags = map_flags(&r),
				.ioas_id = m.ioas,
				.user_va = (uintptr_t)bases[below(&r, MEM_KINDS)] +
					   below(&r, 16) * page_size,
				.length = (1 + below(&r, 16)) * page_size,
			};
			struct iommu_ioas_unmap u = {
				.size = sizeof(u),
				.ioas_id = m.ioas,
			};

			if (ioctl(fd, IOMMU_IOAS_MAP, &map))
				continue;
			u.iova = map.iova;
			u.length = map.length;
			if (chance(&r, 50))
				ioctl(fd, IOMMU_IOAS_UNMAP, &u);
		}
		_exit(0);
	}
	if (pid < 0)
		return;
	/* bounded: a child stuck in the kernel is a finding, not our hang */
	for (tries = 0; tries < 3000; tries++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	printf("# fork child %d did not exit within 30 s\n", (int)pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* ---- the workers ---- */

static atomic_bool stop;
static atomic_ulong total_ops;

static void drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return;
	d[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	/* this thread only: charges go to RLIMIT_MEMLOCK */
	syscall(SYS_capset, &h, d);
}

static void one_op(struct worker *w)
{
	struct rng *r = &w->rng;
	struct ictx_slot *s = &ictx[below(r, FZ_ICTX)];
	unsigned int what = below(r, 100);

	if (what < 1) {
		op_reopen(w);
		return;
	}
	if (what < 2) {
		region_remap(r);
		return;
	}
	pthread_rwlock_rdlock(&s->lock);
	if (s->fd < 0)
		goto out;
	if (what < 3)
		(w->fam = F_FORK, op_fork(w, s));
	else if (what < 8)
		(w->fam = F_IOAS_ALLOC, op_ioas_alloc(w, s));
	else if (what < 10)
		(w->fam = F_DESTROY, op_destroy(w, s));
	else if (what < 26)
		(w->fam = F_MAP, op_map(w, s));
	else if (what < 36)
		(w->fam = F_UNMAP, op_unmap(w, s));
	else if (what < 41)
		(w->fam = F_COPY, op_copy(w, s));
	else if (what < 43)
		(w->fam = F_RANGES, op_iova_ranges(w, s));
	else if (what < 45)
		(w->fam = F_ALLOW, op_allow_iovas(w, s));
	else if (what < 48)
		(w->fam = F_OPTION, op_option(w, s));
	else if (what < 51)
		(w->fam = F_VFIO_IOAS, op_vfio_ioas(w, s));
	else if (what < 54)
		(w->fam = F_HWPT, op_hwpt_alloc(w, s));
	else if (what < 55)
		(w->fam = F_HW_INFO, op_hw_info(w, s));
	else if (what < 57)
		(w->fam = F_RAW, op_raw(w, s));
	else if (what < 67)
		(w->fam = F_TYPE1, op_type1(w, s));
	else if (have_mock)
		(w->fam = F_MOCK, op_mock(w, s));
	else if (nr_vdev_bdfs)
		(w->fam = F_VDEV, op_vdev(w, s));
	else
		(w->fam = F_MAP, op_map(w, s));
out:
	pthread_rwlock_unlock(&s->lock);
}

static struct timespec t_end;

static bool time_up(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t_end.tv_sec ||
	       (now.tv_sec == t_end.tv_sec && now.tv_nsec >= t_end.tv_nsec);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	if (w->idx > 0 || opt_threads == 1)
		drop_ipc_lock();
	worker_open_inject(w);
	while (!atomic_load(&stop)) {
		if (opt_ops && atomic_fetch_add(&total_ops, 1) >= opt_ops)
			break;
		one_op(w);
		if (time_up())
			break;
	}
	if (w->fail_fd >= 0)
		close(w->fail_fd);
	if (w->nth_fd >= 0)
		close(w->nth_fd);
	return NULL;
}

/* ---- baseline ---- */

struct baseline {
	long vm_pin, vm_lck;	/* kB */
	long mock_devices;
	long violations;
};

static long status_kb(const char *key)
{
	char line[256];
	long val = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, strlen(key))) {
			val = strtol(line + strlen(key), NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static long count_dir(const char *path)
{
	struct dirent *d;
	long n = 0;
	DIR *dir = opendir(path);

	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static long mock_violations(void)
{
	char path[96], val[32];
	long sum = 0;
	unsigned int u;

	for (u = 0; u < 3; u++) {
		snprintf(path, sizeof(path),
			 "/sys/kernel/debug/xiommu/mock%u/violations", u);
		if (sysfs_read(path, val, sizeof(val)))
			return -1;
		sum += strtol(val, NULL, 10);
	}
	return sum;
}

static void baseline_read(struct baseline *b)
{
	b->vm_pin = status_kb("VmPin:");
	b->vm_lck = status_kb("VmLck:");
	b->mock_devices = have_mock ? count_dir("/sys/bus/xiommu_mock/devices") :
				      0;
	b->violations = have_mock ? mock_violations() : 0;
}

/*
 * With every fd closed: is everything back? Prints one line per
 * difference; returns the number of differences.
 */
static int check_pins(const struct baseline *before)
{
	struct baseline now;
	int bad = 0;

	baseline_read(&now);
	if (now.vm_pin != before->vm_pin) {
		printf("# VmPin %ld kB, %ld kB before the run\n", now.vm_pin,
		       before->vm_pin);
		bad++;
	}
	if (now.vm_lck != before->vm_lck) {
		printf("# VmLck %ld kB, %ld kB before the run\n", now.vm_lck,
		       before->vm_lck);
		bad++;
	}
	if (have_mock) {
		int fd = open("/dev/iommu", O_RDWR);
		unsigned int k;

		for (k = 0; fd >= 0 && k < MEM_KINDS; k++) {
			struct iommu_test_cmd c = {
				.size = sizeof(c),
				.op = IOMMU_TEST_OP_MD_CHECK_REFS,
				.check_refs = {
					.length = FZ_REGION,
					.uptr = (uintptr_t)regions[k].base,
				},
			};

			if (k == MEM_GONE || k == MEM_NONE)
				continue;
			if (ioctl(fd, IOMMU_TEST_CMD, &c)) {
				printf("# the %s buffer still has pinned pages (%s)\n",
				       mem_names[k], strerror(errno));
				bad++;
			}
		}
		if (fd >= 0)
			close(fd);
	}
	return bad;
}

/*
 * The per-user RLIMIT_MEMLOCK charge (user->locked_vm) is not visible to
 * user space: probe it. Without CAP_IPC_LOCK and with the limit set to
 * FZ_MEMLOCK, pinning FZ_MEMLOCK bytes must still succeed, which it does
 * not if a charge leaked. Needs a domain: a mock device (mock) or a bound
 * xiommu-vfio-pci device (vtd). Runs in a thread that dropped the
 * capability. Returns NULL or what is wrong.
 */
static void *probe_charge(void *arg)
{
	static char why[160];
	size_t len = FZ_MEMLOCK;
	int fd, devfd = -1;
	uint32_t ioas = 0, pt;
	char *mem;
	int rc;

	(void)arg;
	drop_ipc_lock();
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return "mmap of the probe buffer failed";
	memset(mem, 1, len);
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0)
		return "cannot open /dev/iommu";
	if (iommufd_ioas_alloc(fd, &ioas) < 0) {
		snprintf(why, sizeof(why), "IOAS_ALLOC for the probe failed");
		goto out;
	}
	if (have_mock) {
		struct iommu_test_cmd c = {
			.size = sizeof(c),
			.op = IOMMU_TEST_OP_MOCK_DOMAIN,
			.id = ioas,
		};

		rc = ioctl(fd, IOMMU_TEST_CMD, &c) ? -errno : 0;
	} else if (nr_vdev_bdfs) {
		uint32_t devid;

		devfd = vfio_dev_open(vdev_bdfs[0]);
		rc = devfd < 0 ? devfd : vfio_dev_bind(devfd, fd, &devid);
		pt = ioas;
		if (!rc)
			rc = vfio_dev_attach(devfd, &pt);
	} else {
		why[0] = 0;
		goto out;	/* no domain to pin for */
	}
	if (rc) {
		snprintf(why, sizeof(why), "cannot attach a device for the probe: %s",
			 strerror(-rc));
		goto out;
	}
	{
		struct iommu_ioas_map map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = ioas,
			.user_va = (uintptr_t)mem,
			.length = len,
		};

		if (ioctl(fd, IOMMU_IOAS_MAP, &map))
			snprintf(why, sizeof(why),
				 "pinning RLIMIT_MEMLOCK (%zu bytes) fails: %s (a charge leaked?)",
				 len, strerror(errno));
		else
			why[0] = 0;
	}
out:
	if (devfd >= 0)
		close(devfd);
	close(fd);
	munmap(mem, len);
	return why[0] ? why : NULL;
}

/* ---- main ---- */

/* A call that never returns is a finding: say so before the harness kills us. */
static void on_alarm(int sig)
{
	static const char msg[] = "Bail out! a call did not return 120 s after the end of the run (kernel hang?)\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xiommu_fuzz [--seed N] [--seconds S] [--ops N] [--threads T]\n"
		"                   [--fail-random PCT] [--fail-nth PCT] [--verbose]\n");
	exit(2);
}

static void find_vdevs(void)
{
	char bdfs[8][PCI_BDF_LEN];
	int n = pci_find_devices(0x1234, 0x11e8, bdfs, 8);
	char path[PATH_MAX];
	int i;


	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", VFIO_DEV_DRIVER);
	if (n <= 0 || access(path, F_OK))
		return;
	/* the first two edu devices on a root bus: their own groups */
	for (i = 0; i < n && i < 8 && nr_vdev_bdfs < 2; i++) {
		char parent[PCI_BDF_LEN];

		if (pci_parent_bridge(bdfs[i], parent, sizeof(parent)) !=
		    -ENOENT)
			continue;
		if (vfio_dev_bind_driver(bdfs[i]))
			continue;
		str_copy(vdev_bdfs[nr_vdev_bdfs++], PCI_BDF_LEN, bdfs[i]);
	}
}

int main(int argc, char **argv)
{
	struct worker workers[FZ_MAX_THREADS];
	unsigned long ops = 0, ok = 0, injected = 0;
	unsigned long by_errno[134] = {};
	unsigned long fam_calls[F_KINDS] = {}, fam_ok[F_KINDS] = {};
	struct baseline before;
	struct rlimit rl = { FZ_MEMLOCK, FZ_MEMLOCK };
	struct timespec t0, t1;
	const char *why;
	unsigned int i, e;
	void *ret;
	int bad, failed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	opt_seed = (uint64_t)time(NULL) * 1000003 ^ getpid();
	for (i = 1; i < (unsigned int)argc; i++) {
		const char *a = argv[i], *v = i + 1 < (unsigned int)argc ?
					      argv[i + 1] : NULL;

		if (!strcmp(a, "--verbose")) {
			opt_verbose = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--seed"))
			opt_seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--seconds"))
			opt_seconds = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--ops"))
			opt_ops = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--threads"))
			opt_threads = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--fail-random"))
			opt_fail_random = strtol(v, NULL, 0);
		else if (!strcmp(a, "--fail-nth"))
			opt_fail_nth = strtoul(v, NULL, 0);
		else
			usage();
	}
	if (!opt_threads || opt_threads > FZ_MAX_THREADS)
		usage();

	printf("TAP version 13\n1..3\n");
	printf("# xiommu_fuzz --seed %" PRIu64 " --seconds %u --threads %u%s\n",
	       opt_seed, opt_seconds, opt_threads,
	       opt_ops ? " (--ops limit)" : "");

	have_mock = !access("/sys/bus/xiommu_mock", F_OK);
	find_vdevs();
	can_inject = !access("/sys/kernel/debug/failslab", F_OK) &&
		     !access("/proc/self/make-it-fail", F_OK);
	if (opt_fail_random < 0)
		opt_fail_random = can_inject ? 3 : 0;
	if (!can_inject && (opt_fail_random || opt_fail_nth)) {
		printf("# no fault injection in this kernel: fuzzing without\n");
		opt_fail_random = 0;
		opt_fail_nth = 0;
	}
	if (can_inject && inject_setup(opt_fail_random)) {
		printf("# cannot configure failslab/fail_page_alloc: without injection\n");
		can_inject = false;
	}
	printf("# targets: /dev/iommu, VFIO type1%s%s; allocation failures: %d%% random, %u%% of calls fail-nth\n",
	       have_mock ? ", mock test ops" : "",
	       nr_vdev_bdfs ? ", xiommu-vfio-pci device cdevs" : "",
	       opt_fail_random, opt_fail_nth);

	regions_setup();
	baseline_read(&before);
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		printf("# setrlimit(RLIMIT_MEMLOCK) failed: %s\n", strerror(errno));

	for (i = 0; i < FZ_ICTX; i++) {
		pthread_rwlock_init(&ictx[i].lock, NULL);
		pthread_mutex_init(&ictx[i].state, NULL);
		ictx[i].fd = open("/dev/iommu", O_RDWR);
		for (e = 0; e < FZ_ACCESS; e++)
			ictx[i].access[e].fd = -1;
		if (ictx[i].fd < 0) {
			printf("Bail out! cannot open /dev/iommu: %s\n",
			       strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < FZ_VDEVS; i++) {
		pthread_mutex_init(&vdevs[i].lock, NULL);
		vdevs[i].fd = -1;
	}

	signal(SIGALRM, on_alarm);
	alarm(opt_seconds + 120);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	t_end = t0;
	t_end.tv_sec += opt_seconds;
	for (i = 0; i < opt_threads; i++) {
		memset(&workers[i], 0, sizeof(workers[i]));
		workers[i].idx = i;
		workers[i].rng.s = opt_seed + 0x1000 * i;
		if (opt_threads == 1) {
			worker_main(&workers[i]);
			break;
		}
		pthread_create(&workers[i].thread, NULL, worker_main,
			       &workers[i]);
	}
	for (i = 0; i < opt_threads; i++) {
		if (opt_threads > 1)
			pthread_join(workers[i].thread, NULL);
		ops += workers[i].ops;
		ok += workers[i].ok;
		injected += workers[i].injected;
		for (e = 0; e < 134; e++)
			by_errno[e] += workers[i].by_errno[e];
		for (e = 0; e < F_KINDS; e++) {
			fam_calls[e] += workers[i].fam_calls[e];
			fam_ok[e] += workers[i].fam_ok[e];
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);

	/* Close everything; restore the global test setting first. */
	if (have_mock) {
		struct iommu_test_cmd c = {
			.size = sizeof(c),
			.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
			.memory_limit = { .limit = 1024 * sizeof(void *) },
		};

		ioctl(ictx[0].fd >= 0 ? ictx[0].fd : ictx[1].fd,
		      IOMMU_TEST_CMD, &c);
	}
	for (i = 0; i < FZ_VDEVS; i++)
		if (vdevs[i].fd >= 0)
			close(vdevs[i].fd);
	for (i = 0; i < FZ_ICTX; i++)
		slot_close_locked(&ictx[i]);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;

	printf("# %lu calls in %.1f s, %lu succeeded%s\n", ops,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, ok,
	       opt_fail_nth ? "" : "");
	if (opt_fail_nth)
		printf("# fail-nth injections that hit: %lu\n", injected);
	printf("# succeeded/calls:");
	for (e = 0; e < F_KINDS; e++)
		if (fam_calls[e])
			printf(" %s %lu/%lu", fam_names[e], fam_ok[e],
			       fam_calls[e]);
	printf("\n");
	for (e = 1; e < 134; e++)
		if (by_errno[e] && (opt_verbose || by_errno[e] * 100 >= ops))
			printf("#   %6lu x %s\n", by_errno[e],
			       e < 133 ? strerror(e) : "errno >= 133");
	printf("%s 1 fuzz: %lu calls, seed %" PRIu64 "\n",
	       ops ? "ok" : "not ok", ops, opt_seed);
	failed = !ops;

	bad = check_pins(&before);
	failed |= bad;
	printf("%s 2 pinned pages and RLIMIT charges back to baseline\n",
	       bad ? "not ok" : "ok");

	bad = 0;
	if (have_mock) {
		struct baseline now;

		baseline_read(&now);
		if (now.mock_devices != before.mock_devices) {
			printf("# %ld mock devices, %ld before the run\n",
			       now.mock_devices, before.mock_devices);
			bad++;
		}
		if (now.violations != before.violations) {
			printf("# the mock counted %ld driver contract violation(s) (see the kernel log)\n",
			       now.violations - before.violations);
			bad++;
		}
	}
	{
		pthread_t t;

		pthread_create(&t, NULL, probe_charge, NULL);
		pthread_join(t, &ret);
		why = ret;
		if (why) {
			printf("# %s\n", why);
			bad++;
		}
	}
	/* the probe pinned and unpinned: still nothing left */
	bad += check_pins(&before);
	printf("%s 3 objects, devices and charges back to baseline\n",
	       bad ? "not ok" : "ok");
	failed |= bad;
	return failed ? 1 : 0;
}
