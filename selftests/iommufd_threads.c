// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrency on one iommufd, on the mock IOMMU (xiommu_mock): threads map
 * and unmap, copy between IOASes, attach, replace and destroy devices, pin
 * and copy through an access object, and create and destroy whole IOASes,
 * all at once for a bounded time. Every operation must succeed (or fail
 * with the one errno the design allows), a mapping every thread leaves
 * alone must stay intact in the mock page table throughout, nothing may
 * stay pinned afterwards, and the kernel must not log a splat (the
 * harness checks).
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "iommufd_utils.h"

#define RUN_SECONDS 5
#define SLICE_PAGES 64

enum { T_MAP, T_COPY, T_ATTACH, T_ACCESS, T_IOAS, T_NUM };

static const char *const thread_names[T_NUM] = {
	"map/unmap", "copy", "attach/replace/destroy", "access",
	"ioas create/destroy",
};

static __attribute__((constructor)) void setup_buffer(void)
{
	/* One slice per thread plus the stable mapping's pages */
	setup_test_buffer((T_NUM + 1) * SLICE_PAGES);
}

/**
 * struct run - shared state of one run
 * @fd: the iommufd
 * @ioas1: IOAS with a device attached (and, while T_ACCESS runs, an
 *	access), holding the stable mapping
 * @ioas2: IOAS without devices most of the time
 * @stable_iova: IOVA of the stable mapping in @ioas1
 * @stable: its memory (SLICE_PAGES pages)
 * @deadline: CLOCK_MONOTONIC seconds when the threads stop
 * @ops: operations completed per thread
 * @failed: first failure: which thread, which step, errno
 */
struct run {
	int fd;
	__u32 ioas1;
	__u32 ioas2;
	__u64 stable_iova;
	char *stable;
	time_t deadline;
	atomic_ulong ops[T_NUM];
	atomic_int failed;
	int fail_thread;
	const char *fail_step;
	int fail_errno;
};

struct worker {
	struct run *run;
	int id;
	char *slice;
};

static bool running(struct run *run)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec < run->deadline && !atomic_load(&run->failed);
}

/* Record the first failure; returns true (so "if (fail(...)) break"). */
static bool fail(struct worker *w, const char *step, int err)
{
	int expected = 0;

	if (atomic_compare_exchange_strong(&w->run->failed, &expected, 1)) {
		w->run->fail_thread = w->id;
		w->run->fail_step = step;
		w->run->fail_errno = err;
	}
	return true;
}

#define CHECK(w, call) ((call) ? fail(w, #call, errno) : false)

static void *map_thread(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;

	while (running(run)) {
		__u64 len = (rand() % SLICE_PAGES + 1) * PAGE_SIZE;
		__u64 iova = 0;

		if (CHECK(w, _test_ioctl_ioas_map(run->fd, run->ioas1, w->slice,
						  len, &iova, MAP_RW)))
			break;
		if (CHECK(w, _test_ioctl_ioas_unmap(run->fd, run->ioas1, iova,
						    len, NULL)))
			break;
		atomic_fetch_add(&run->ops[w->id], 1);
	}
	return NULL;
}

static void *copy_thread(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;

	while (running(run)) {
		__u64 len = (rand() % SLICE_PAGES + 1) * PAGE_SIZE;
		__u64 src = 0, dst = 0;

		if (CHECK(w, _test_ioctl_ioas_map(run->fd, run->ioas2, w->slice,
						  len, &src, MAP_RW)))
			break;
		if (CHECK(w, _test_ioctl_ioas_copy_flags(run->fd, MAP_RW,
							 run->ioas1, &dst,
							 run->ioas2, src, len)))
			break;
		if (CHECK(w, _test_ioctl_ioas_unmap(run->fd, run->ioas2, src,
						    len, NULL)))
			break;
		if (CHECK(w, _test_cmd_check_refs(run->fd, w->slice, len, 1)))
			break;
		if (CHECK(w, _test_ioctl_ioas_unmap(run->fd, run->ioas1, dst,
						    len, NULL)))
			break;
		atomic_fetch_add(&run->ops[w->id], 1);
	}
	return NULL;
}

static void *attach_thread(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;

	while (running(run)) {
		__u32 stdev, hwpt, hwpt2;

		if (CHECK(w, _test_cmd_mock_domain(run->fd, run->ioas1, &stdev,
						   &hwpt, NULL)))
			break;
		/* Whatever else happens, the stable mapping is in it */
		if (CHECK(w, _test_cmd_check_map(run->fd, hwpt,
						 run->stable_iova,
						 SLICE_PAGES * PAGE_SIZE,
						 run->stable)))
			break;
		if (CHECK(w, _test_cmd_mock_domain_replace(run->fd, stdev,
							   run->ioas2,
							   &hwpt2)))
			break;
		if (CHECK(w, _test_cmd_check_domain(run->fd, stdev, hwpt2)))
			break;
		if (CHECK(w, _test_cmd_mock_domain_replace(run->fd, stdev,
							   run->ioas1, NULL)))
			break;
		if (CHECK(w, _test_ioctl_destroy(run->fd, stdev)))
			break;
		atomic_fetch_add(&run->ops[w->id], 1);
	}
	return NULL;
}

static void *access_thread(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;
	char tmp[64];
	int afd;

	if (CHECK(w, _test_cmd_create_access(
			     run->fd, run->ioas1, &afd,
			     MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)))
		return NULL;
	while (running(run)) {
		unsigned int page = rand() % SLICE_PAGES;
		__u64 iova = run->stable_iova + page * PAGE_SIZE;
		__u32 id;

		if (CHECK(w, _test_cmd_access_pages(run->fd, afd, iova,
						    PAGE_SIZE,
						    run->stable +
							    page * PAGE_SIZE,
						    0, &id)))
			break;
		if (CHECK(w, _test_cmd_access_rw(run->fd, afd, iova + 7, tmp,
						 sizeof(tmp), 0)))
			break;
		if (memcmp(tmp, run->stable + page * PAGE_SIZE + 7,
			   sizeof(tmp)) && fail(w, "rw content", 0))
			break;
		if (CHECK(w, _test_cmd_destroy_access_pages(run->fd, afd, id)))
			break;
		atomic_fetch_add(&run->ops[w->id], 1);
	}
	close(afd);
	return NULL;
}

static void *ioas_thread(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;

	while (running(run)) {
		__u64 iova = MOCK_APERTURE_START;
		__u32 ioas, stdev;

		if (CHECK(w, _test_ioctl_ioas_alloc(run->fd, &ioas)))
			break;
		if (CHECK(w, _test_ioctl_ioas_map(run->fd, ioas, w->slice,
						  4 * PAGE_SIZE, &iova,
						  MAP_RW |
						  IOMMU_IOAS_MAP_FIXED_IOVA)))
			break;
		if (CHECK(w, _test_cmd_mock_domain(run->fd, ioas, &stdev, NULL,
						   NULL)))
			break;
		/* In use by the device's HWPT: EBUSY is the only answer */
		if (!_test_ioctl_destroy(run->fd, ioas) ||
		    errno != EBUSY) {
			fail(w, "destroy of a used IOAS", errno);
			break;
		}
		if (CHECK(w, _test_ioctl_destroy(run->fd, stdev)))
			break;
		if (CHECK(w, _test_ioctl_destroy(run->fd, ioas)))
			break;
		atomic_fetch_add(&run->ops[w->id], 1);
	}
	return NULL;
}

static void *(*const thread_fns[T_NUM])(void *) = {
	[T_MAP] = map_thread,
	[T_COPY] = copy_thread,
	[T_ATTACH] = attach_thread,
	[T_ACCESS] = access_thread,
	[T_IOAS] = ioas_thread,
};

FIXTURE(threads)
{
	int fd;
	struct run run;
};

FIXTURE_SETUP(threads)
{
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
}

FIXTURE_TEARDOWN(threads)
{
	teardown_iommufd(self->fd, _metadata);
}

TEST_F_TIMEOUT(threads, everything_at_once, RUN_SECONDS + 60)
{
	const struct iommu_iova_range aperture = {
		.start = MOCK_APERTURE_START,
		.last = MOCK_APERTURE_LAST,
	};
	struct run *run = &self->run;
	struct worker workers[T_NUM];
	pthread_t tids[T_NUM];
	struct timespec ts;
	__u32 stdev, hwpt;
	unsigned long checks = 0;
	unsigned int i;

	memset(run, 0, sizeof(*run));
	run->fd = self->fd;
	test_ioctl_ioas_alloc(&run->ioas1);
	test_ioctl_ioas_alloc(&run->ioas2);
	/* Kernel IOVAs in ioas2 must suit the mock domains attached later */
	ASSERT_EQ(0, _test_ioctl_allow_iovas(self->fd, run->ioas2, &aperture,
					     1));
	test_cmd_mock_domain(run->ioas1, &stdev, &hwpt, NULL);
	run->stable = (char *)buffer + T_NUM * SLICE_PAGES * PAGE_SIZE;
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, run->ioas1, run->stable,
					  SLICE_PAGES * PAGE_SIZE,
					  &run->stable_iova, MAP_RW));

	clock_gettime(CLOCK_MONOTONIC, &ts);
	run->deadline = ts.tv_sec + RUN_SECONDS;
	srand(ts.tv_nsec);
	for (i = 0; i != T_NUM; i++) {
		workers[i].run = run;
		workers[i].id = i;
		workers[i].slice = (char *)buffer +
				   i * SLICE_PAGES * PAGE_SIZE;
		ASSERT_EQ(0, pthread_create(&tids[i], NULL, thread_fns[i],
					    &workers[i]));
	}

	/* Meanwhile the stable mapping must never change */
	while (running(run)) {
		if (_test_cmd_check_map(self->fd, hwpt, run->stable_iova,
					SLICE_PAGES * PAGE_SIZE,
					run->stable)) {
			struct worker me = { .run = run, .id = -1 };

			fail(&me, "stable mapping check", errno);
			break;
		}
		checks++;
		sched_yield();
	}
	for (i = 0; i != T_NUM; i++)
		ASSERT_EQ(0, pthread_join(tids[i], NULL));

	if (atomic_load(&run->failed))
		TH_LOG("%s failed at %s: %s",
		       run->fail_thread >= 0 ?
			       thread_names[run->fail_thread] : "main",
		       run->fail_step, strerror(run->fail_errno));
	ASSERT_EQ(0, atomic_load(&run->failed));
	for (i = 0; i != T_NUM; i++) {
		TH_LOG("%s: %lu", thread_names[i],
		       atomic_load(&run->ops[i]));
		EXPECT_LT(0, atomic_load(&run->ops[i]));
	}
	EXPECT_LT(0, checks);

	/* Everything the threads did is undone */
	test_cmd_check_refs(buffer, T_NUM * SLICE_PAGES * PAGE_SIZE, 0);
	test_cmd_check_refs(run->stable, SLICE_PAGES * PAGE_SIZE, 1);
	test_ioctl_destroy(stdev);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	test_ioctl_destroy(run->ioas2);
}

TEST_HARNESS_MAIN
