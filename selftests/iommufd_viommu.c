// SPDX-License-Identifier: GPL-2.0-only
/*
 * vIOMMU objects on the mock IOMMU (xiommu_mock): IOMMU_VIOMMU_ALLOC,
 * IOMMU_VDEVICE_ALLOC, IOMMU_VEVENTQ_ALLOC and its fd, nested HWPTs on a
 * vIOMMU, IOMMU_HWPT_INVALIDATE on a vIOMMU (the mock resets its device's
 * cache, read back with IOMMU_TEST_OP_DEV_CHECK_CACHE) and the mock's
 * IOMMU_TEST_OP_TRIGGER_VEVENT.
 *
 * Expected errno values are upstream Linux's (newest iommufd); the fixture
 * runs with 0, 1 and 2 mock devices, and teardown checks that nothing
 * stayed pinned.
 */
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "iommufd_utils.h"
#include "iommufd_nest_utils.h"

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(8);
}

#define CACHE_DEF IOMMU_TEST_DEV_CACHE_DEFAULT

/* The mock vIOMMU's mmap() region: two pages, as upstream's mock. */
#define MOCK_MMAP_LEN (2 * PAGE_SIZE)

FIXTURE(iommufd_viommu)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_ids[2];
	__u32 hwpt_ids[2];
	__u32 idev_ids[2];
	__u32 parent_id;
	__u32 viommu_id;
};

MOCK_DOMAIN_VARIANTS(iommufd_viommu);

/*
 * With a device: the buffer mapped in the IOAS, a NEST_PARENT HWPT on it
 * and a mock vIOMMU on that parent.
 */
FIXTURE_SETUP(iommufd_viommu)
{
	unsigned int i;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	for (i = 0; i != variant->mock_domains; i++)
		test_cmd_mock_domain(self->ioas_id, &self->stdev_ids[i],
				     &self->hwpt_ids[i], &self->idev_ids[i]);
	self->parent_id = 0;
	self->viommu_id = 0;
	if (!variant->mock_domains)
		return;
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, IOMMU_HWPT_ALLOC_NEST_PARENT,
				      self->idev_ids[0], self->ioas_id,
				      IOMMU_HWPT_DATA_NONE, NULL, 0,
				      &self->parent_id));
	ASSERT_EQ(0, _test_viommu_mock(self->fd, self->idev_ids[0],
				       self->parent_id, &self->viommu_id));
}

FIXTURE_TEARDOWN(iommufd_viommu)
{
	teardown_iommufd(self->fd, _metadata);
}

#define NEED_DEVICE()                                                      \
	do {                                                               \
		if (!variant->mock_domains)                                \
			SKIP(return, "needs a mock device");               \
	} while (0)

#define NEED_TWO()                                                         \
	do {                                                               \
		if (variant->mock_domains < 2)                             \
			SKIP(return, "needs two mock devices");            \
	} while (0)

/* Every cache entry of device object @idev holds @v. */
#define check_cache_all(idev, v)                                           \
	({                                                                 \
		unsigned int _c;                                           \
		for (_c = 0; _c < MOCK_DEV_CACHE_NUM; _c++)                \
			EXPECT_EQ(0, _test_cmd_dev_check_cache(self->fd,   \
							idev, _c, v));     \
	})

/* ---- IOMMU_VIOMMU_ALLOC ---- */

/* Bad input, in upstream's order of checks. */
TEST_F(iommufd_viommu, viommu_alloc_errors)
{
	__u32 dev = variant->mock_domains ? self->idev_ids[0] : 0xffff;
	__u32 plain, id;

	EXPECT_ERRNO(EOPNOTSUPP, _test_viommu_alloc(self->fd, 1,
						    IOMMU_VIOMMU_TYPE_SELFTEST,
						    dev, self->parent_id, NULL,
						    0, &id));
	EXPECT_ERRNO(EOPNOTSUPP, _test_viommu_alloc(self->fd, 0,
						    IOMMU_VIOMMU_TYPE_DEFAULT,
						    dev, self->parent_id, NULL,
						    0, &id));
	/* no such device, or a non-device ID */
	EXPECT_ERRNO(ENOENT, _test_viommu_mock(self->fd, 0xffff,
					       self->parent_id, &id));
	EXPECT_ERRNO(ENOENT, _test_viommu_mock(self->fd, self->ioas_id,
					       self->parent_id, &id));
	if (!variant->mock_domains)
		return;	/* the rest needs a device */
	/* a type the mock does not implement */
	EXPECT_ERRNO(EOPNOTSUPP, _test_viommu_alloc(self->fd, 0,
						    IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
						    dev, self->parent_id, NULL,
						    0, &id));
	/* hwpt_id: not a paging HWPT at all, or not a nesting parent */
	EXPECT_ERRNO(ENOENT, _test_viommu_mock(self->fd, dev, self->ioas_id,
					       &id));
	EXPECT_ERRNO(ENOENT, _test_viommu_mock(self->fd, dev, 0xffff, &id));
	EXPECT_ERRNO(ENOENT, _test_viommu_mock(self->fd, dev, self->viommu_id,
					       &id));
	EXPECT_ERRNO(EINVAL, _test_viommu_mock(self->fd, dev,
					       self->hwpt_ids[0], &id));
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, 0, dev, self->ioas_id,
				      IOMMU_HWPT_DATA_NONE, NULL, 0, &plain));
	EXPECT_ERRNO(EINVAL, _test_viommu_mock(self->fd, dev, plain, &id));
	test_ioctl_destroy(plain);
}

/* The mock's vIOMMU data: out_data returns in_data; sizes and faults. */
TEST_F(iommufd_viommu, viommu_data)
{
	struct iommu_viommu_selftest data = { .in_data = 0xbeef };
	struct {
		struct iommu_viommu_selftest d;
		__u64 tail;
	} big = { .d.in_data = 7 };
	__u32 id;

	NEED_DEVICE();
	ASSERT_EQ(0, _test_viommu_alloc(self->fd, 0,
					IOMMU_VIOMMU_TYPE_SELFTEST,
					self->idev_ids[0], self->parent_id,
					&data, sizeof(data), &id));
	EXPECT_EQ(0xbeef, data.out_data);
	/* the mock's pages (iommufd_viommu.viommu_mmap checks them) */
	EXPECT_EQ(MOCK_MMAP_LEN, data.out_mmap_length);
	EXPECT_NE(0, data.out_mmap_offset);
	EXPECT_EQ(0, data.out_mmap_offset % PAGE_SIZE);
	test_ioctl_destroy(id);

	/* the oldest layout: in_data and out_data only */
	data.out_data = 0;
	ASSERT_EQ(0, _test_viommu_alloc(self->fd, 0,
					IOMMU_VIOMMU_TYPE_SELFTEST,
					self->idev_ids[0], self->parent_id,
					&data,
					offsetofend(struct iommu_viommu_selftest,
						    out_data), &id));
	EXPECT_EQ(0xbeef, data.out_data);
	test_ioctl_destroy(id);

	/* shorter than the oldest layout */
	EXPECT_ERRNO(EINVAL, _test_viommu_alloc(self->fd, 0,
						IOMMU_VIOMMU_TYPE_SELFTEST,
						self->idev_ids[0],
						self->parent_id, &data, 4,
						&id));
	/* longer than the driver's struct: EINVAL, whatever the tail */
	EXPECT_ERRNO(EINVAL, _test_viommu_alloc(self->fd, 0,
						IOMMU_VIOMMU_TYPE_SELFTEST,
						self->idev_ids[0],
						self->parent_id, &big,
						sizeof(big), &id));
	big.tail = 1;
	EXPECT_ERRNO(EINVAL, _test_viommu_alloc(self->fd, 0,
						IOMMU_VIOMMU_TYPE_SELFTEST,
						self->idev_ids[0],
						self->parent_id, &big,
						sizeof(big), &id));
	/* unreadable data */
	EXPECT_ERRNO(EFAULT, _test_viommu_alloc(self->fd, 0,
						IOMMU_VIOMMU_TYPE_SELFTEST,
						self->idev_ids[0],
						self->parent_id,
						(void *)8, sizeof(data), &id));
}

/* The ioctl struct itself is size-extensible. */
TEST_F(iommufd_viommu, viommu_struct_size)
{
	struct {
		struct iommu_viommu_alloc cmd;
		__u64 tail;
	} big = {
		.cmd = {
			.size = sizeof(big),
			.type = IOMMU_VIOMMU_TYPE_SELFTEST,
			.dev_id = self->idev_ids[0],
			.hwpt_id = self->parent_id,
		},
		.tail = 1,
	};
	struct iommu_viommu_alloc small = {
		.size = offsetof(struct iommu_viommu_alloc, out_viommu_id),
	};

	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &small));
	if (!variant->mock_domains)
		return;	/* the rest needs a device */
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &big));
	big.tail = 0;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &big));
	test_ioctl_destroy(big.cmd.out_viommu_id);
}

/* The vIOMMU holds its parent; it is destroyed with the file otherwise. */
TEST_F(iommufd_viommu, viommu_lifetime)
{
	__u32 second;

	NEED_DEVICE();
	test_err_ioctl_destroy(EBUSY, self->parent_id);
	/* several vIOMMUs may share a parent */
	ASSERT_EQ(0, _test_viommu_mock(self->fd, self->idev_ids[0],
				       self->parent_id, &second));
	test_ioctl_destroy(self->viommu_id);
	test_err_ioctl_destroy(EBUSY, self->parent_id);
	test_ioctl_destroy(second);
	test_ioctl_destroy(self->parent_id);
	test_err_ioctl_destroy(ENOENT, second);
	/* and second is left to the close: a new one */
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, IOMMU_HWPT_ALLOC_NEST_PARENT,
				      self->idev_ids[0], self->ioas_id,
				      IOMMU_HWPT_DATA_NONE, NULL, 0,
				      &self->parent_id));
	ASSERT_EQ(0, _test_viommu_mock(self->fd, self->idev_ids[0],
				       self->parent_id, &second));
}

/* A vIOMMU with the mock's mmap() region; returns its data. */
static struct iommu_viommu_selftest viommu_with_page(
	struct __test_metadata *_metadata, int fd, __u32 idev_id,
	__u32 parent_id, __u32 in_data, __u32 *id)
{
	struct iommu_viommu_selftest data = { .in_data = in_data };

	ASSERT_EQ(0, _test_viommu_alloc(fd, 0, IOMMU_VIOMMU_TYPE_SELFTEST,
					idev_id, parent_id, &data,
					sizeof(data), id));
	EXPECT_EQ(in_data, data.out_data);
	EXPECT_EQ(MOCK_MMAP_LEN, data.out_mmap_length);
	return data;
}

static int try_mmap(int fd, size_t len, int prot, int flags, __u64 off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -1;
	munmap(p, len);
	return 0;
}

/*
 * mmap() of the page a vIOMMU exposes through /dev/iommu: the mock's page
 * holds in_data; every errno as upstream; the vIOMMU is busy while mapped.
 */
TEST_F(iommufd_viommu, viommu_mmap)
{
	const int rw = PROT_READ | PROT_WRITE;
	struct iommu_viommu_selftest d1, d2;
	__u32 *p1, *p2;
	__u32 id1, id2;

	NEED_DEVICE();
	d1 = viommu_with_page(_metadata, self->fd, self->idev_ids[0],
			      self->parent_id, 0x1234abcd, &id1);
	d2 = viommu_with_page(_metadata, self->fd, self->idev_ids[0],
			      self->parent_id, 0x5a5a0001, &id2);
	EXPECT_NE(d1.out_mmap_offset, d2.out_mmap_offset);

	/* bad mappings */
	EXPECT_ERRNO(EINVAL, try_mmap(self->fd, MOCK_MMAP_LEN, rw,
				      MAP_PRIVATE, d1.out_mmap_offset));
	EXPECT_ERRNO(EPERM, try_mmap(self->fd, MOCK_MMAP_LEN, rw | PROT_EXEC,
				     MAP_SHARED, d1.out_mmap_offset));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, MOCK_MMAP_LEN, rw, MAP_SHARED,
				     0));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, MOCK_MMAP_LEN, rw, MAP_SHARED,
				     d2.out_mmap_offset + 64 * PAGE_SIZE));
	/* only the whole region: longer, shorter, inside */
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, 3 * PAGE_SIZE, rw, MAP_SHARED,
				     d1.out_mmap_offset));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, PAGE_SIZE, rw, MAP_SHARED,
				     d1.out_mmap_offset));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, PAGE_SIZE, rw, MAP_SHARED,
				     d1.out_mmap_offset + PAGE_SIZE));
	/* a failed mmap() leaves no hold on the vIOMMU (length, then pgoff) */
	{
		struct iommu_viommu_selftest d3;
		__u32 id3;

		d3 = viommu_with_page(_metadata, self->fd, self->idev_ids[0],
				      self->parent_id, 3, &id3);
		EXPECT_ERRNO(ENXIO, try_mmap(self->fd, 3 * PAGE_SIZE, rw,
					     MAP_SHARED, d3.out_mmap_offset));
		EXPECT_ERRNO(ENXIO, try_mmap(self->fd, MOCK_MMAP_LEN, rw,
					     MAP_SHARED,
					     d3.out_mmap_offset + PAGE_SIZE));
		test_ioctl_destroy(id3);
	}

	/* the content is each vIOMMU's own */
	p1 = mmap(NULL, MOCK_MMAP_LEN, rw, MAP_SHARED, self->fd,
		  d1.out_mmap_offset);
	ASSERT_NE(MAP_FAILED, p1);
	p2 = mmap(NULL, MOCK_MMAP_LEN, PROT_READ, MAP_SHARED, self->fd,
		  d2.out_mmap_offset);
	ASSERT_NE(MAP_FAILED, p2);
	EXPECT_EQ(0x1234abcd, p1[0]);
	EXPECT_EQ(0, p1[1]);
	EXPECT_EQ(0x5a5a0001, p2[0]);
	/* never executable, not even later */
	EXPECT_ERRNO(EACCES, mprotect(p2, MOCK_MMAP_LEN,
				      PROT_READ | PROT_EXEC));
	/* writable RAM: what is written reads back through a 2nd mapping */
	p1[1] = 0xfeed;
	{
		__u32 *again = mmap(NULL, MOCK_MMAP_LEN, PROT_READ, MAP_SHARED,
				    self->fd, d1.out_mmap_offset);

		ASSERT_NE(MAP_FAILED, again);
		EXPECT_EQ(0xfeed, again[1]);
		EXPECT_EQ(0, munmap(again, MOCK_MMAP_LEN));
	}

	/* mapped: the vIOMMU is busy; unmapped: it goes, and its offset */
	test_err_ioctl_destroy(EBUSY, id1);
	EXPECT_EQ(0, munmap(p1, MOCK_MMAP_LEN));
	test_ioctl_destroy(id1);
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, MOCK_MMAP_LEN, rw, MAP_SHARED,
				     d1.out_mmap_offset));

	/* a forked child's copy of the mapping holds the vIOMMU too */
	{
		int status;
		pid_t pid = fork();

		ASSERT_NE(-1, pid);
		if (!pid) {
			/* the child's own copy, then the parent unmaps */
			usleep(200000);
			_exit(p2[0] == 0x5a5a0001 ? 0 : 1);
		}
		EXPECT_EQ(0, munmap(p2, MOCK_MMAP_LEN));
		test_err_ioctl_destroy(EBUSY, id2);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	test_ioctl_destroy(id2);
}

/* A mapping outlives IOMMU_DESTROY attempts and the fd: closing is fine. */
TEST_F(iommufd_viommu, viommu_mmap_close)
{
	struct iommu_viommu_selftest d;
	__u32 *p;
	__u32 id;

	NEED_DEVICE();
	d = viommu_with_page(_metadata, self->fd, self->idev_ids[0],
			     self->parent_id, 77, &id);
	p = mmap(NULL, MOCK_MMAP_LEN, PROT_READ, MAP_SHARED, self->fd,
		 d.out_mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	/*
	 * The mapping holds the file: the context outlives close() and goes
	 * with munmap(); the fixture's teardown then finds nothing pinned.
	 */
	EXPECT_EQ(0, close(self->fd));
	EXPECT_EQ(77, p[0]);
	EXPECT_EQ(0, munmap(p, MOCK_MMAP_LEN));
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
}

/* ---- IOMMU_VDEVICE_ALLOC ---- */

TEST_F(iommufd_viommu, vdevice_alloc_errors)
{
	__u32 vdev, other;

	EXPECT_ERRNO(ENOENT, _test_vdevice_alloc(self->fd, 0xffff, 0xffff, 1,
						 &vdev));
	if (!variant->mock_domains)
		return;	/* the rest needs a device */
	EXPECT_ERRNO(ENOENT, _test_vdevice_alloc(self->fd, self->parent_id,
						 self->idev_ids[0], 1, &vdev));
	EXPECT_ERRNO(ENOENT, _test_vdevice_alloc(self->fd, self->viommu_id,
						 0xffff, 1, &vdev));
	EXPECT_ERRNO(ENOENT, _test_vdevice_alloc(self->fd, self->viommu_id,
						 self->stdev_ids[0], 1,
						 &vdev));
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[0], 0x99, &vdev));
	/* one vDEVICE per device, whatever the virt_id or vIOMMU */
	EXPECT_ERRNO(EEXIST, _test_vdevice_alloc(self->fd, self->viommu_id,
						 self->idev_ids[0], 0x98,
						 &other));
	if (variant->mock_domains < 2)
		return;
	/* virt_id unique per vIOMMU */
	EXPECT_ERRNO(EEXIST, _test_vdevice_alloc(self->fd, self->viommu_id,
						 self->idev_ids[1], 0x99,
						 &other));
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[1], 0x98, &other));
	/* virt_id 0 and the top of the range are IDs like any other */
	test_ioctl_destroy(other);
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[1], ~0ULL, &other));
	test_ioctl_destroy(other);
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[1], 0, &other));
}

/* A vDEVICE holds its vIOMMU; its virt_id is free again after destroy. */
TEST_F(iommufd_viommu, vdevice_lifetime)
{
	__u32 vdev, second;

	NEED_DEVICE();
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[0], 5, &vdev));
	test_err_ioctl_destroy(EBUSY, self->viommu_id);
	test_err_ioctl_destroy(EBUSY, self->parent_id);
	test_ioctl_destroy(vdev);
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[0], 5, &vdev));
	test_ioctl_destroy(vdev);
	/* the device may move to another vIOMMU */
	ASSERT_EQ(0, _test_viommu_mock(self->fd, self->idev_ids[0],
				       self->parent_id, &second));
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, second, self->idev_ids[0],
					 5, &vdev));
	test_ioctl_destroy(self->viommu_id);
	test_err_ioctl_destroy(EBUSY, second);
	/* leave vdev and second to the close */
}

/*
 * Unbinding a device destroys its vDEVICE and leaves the ID a tombstone:
 * IOMMU_DESTROY of it is ENOENT and the vIOMMU is free to go.
 */
TEST_F(iommufd_viommu, vdevice_unbind)
{
	__u32 vdev, stdev, hwpt, idev, again;

	NEED_DEVICE();
	test_cmd_mock_domain(self->ioas_id, &stdev, &hwpt, &idev);
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id, idev, 7,
					 &vdev));
	/* the selftest device object's destroy unbinds the device */
	test_ioctl_destroy(stdev);
	test_err_ioctl_destroy(ENOENT, vdev);
	EXPECT_ERRNO(ENOENT, _test_cmd_trigger_vevent(self->fd, idev));
	/* its virt_id is free on the vIOMMU */
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[0], 7, &again));
	test_ioctl_destroy(again);
	test_ioctl_destroy(self->viommu_id);
	test_ioctl_destroy(self->parent_id);
}

/* Closing the file with vDEVICEs, nested HWPTs and a vIOMMU alive. */
TEST_F(iommufd_viommu, close_with_objects)
{
	__u32 vdev, nested, got;
	struct iommu_hwpt_selftest data = { .iotlb = 1 };
	unsigned int i;

	NEED_DEVICE();
	for (i = 0; i != variant->mock_domains; i++)
		ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
						 self->idev_ids[i], 10 + i,
						 &vdev));
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
				      self->viommu_id,
				      IOMMU_HWPT_DATA_SELFTEST, &data,
				      sizeof(data), &nested));
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0], nested,
						   &got));
	/* teardown closes the fd and checks the pins */
}

/* ---- nested HWPTs on a vIOMMU ---- */

TEST_F(iommufd_viommu, nested_on_viommu)
{
	struct iommu_hwpt_selftest data = { .iotlb = 0x1234 };
	__u32 nested, got, id, vdev;

	NEED_DEVICE();
	EXPECT_ERRNO(EOPNOTSUPP, _test_hwpt_alloc(self->fd,
						  IOMMU_HWPT_ALLOC_NEST_PARENT,
						  self->idev_ids[0],
						  self->viommu_id,
						  IOMMU_HWPT_DATA_SELFTEST,
						  &data, sizeof(data), &id));
	EXPECT_ERRNO(EOPNOTSUPP, _test_hwpt_alloc(self->fd, 0,
						  self->idev_ids[0],
						  self->viommu_id,
						  IOMMU_HWPT_DATA_SELFTEST + 1,
						  &data, sizeof(data), &id));
	EXPECT_ERRNO(EINVAL, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
					      self->viommu_id,
					      IOMMU_HWPT_DATA_NONE, NULL,
					      sizeof(data), &id));
	EXPECT_ERRNO(EFAULT, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
					      self->viommu_id,
					      IOMMU_HWPT_DATA_SELFTEST,
					      (void *)8, sizeof(data), &id));
	ASSERT_EQ(0, _test_hwpt_alloc(self->fd, 0, self->idev_ids[0],
				      self->viommu_id,
				      IOMMU_HWPT_DATA_SELFTEST, &data,
				      sizeof(data), &nested));
	EXPECT_EQ(0, _test_cmd_check_iotlb(self->fd, nested, 0, 0x1234));
	/* it holds the vIOMMU, which holds the parent */
	test_err_ioctl_destroy(EBUSY, self->viommu_id);
	test_err_ioctl_destroy(EBUSY, self->parent_id);
	/* devices attach to it once they have a vDEVICE, then it is busy */
	EXPECT_ERRNO(ENOENT, _test_cmd_mock_domain_replace(self->fd,
							   self->stdev_ids[0],
							   nested, &got));
	test_cmd_check_domain(self->stdev_ids[0], self->hwpt_ids[0]);
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[0], 1, &vdev));
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0], nested,
						   &got));
	test_cmd_check_domain(self->stdev_ids[0], nested);
	test_err_ioctl_destroy(EBUSY, nested);
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0],
						   self->ioas_id, &got));
	/* its IOTLB takes HWPT invalidations like any nested HWPT */
	{
		struct iommu_hwpt_invalidate_selftest inv = { .iotlb_id = 0 };
		__u32 num = 1;

		ASSERT_EQ(0, _test_hwpt_invalidate(self->fd, nested,
					IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
					&inv, sizeof(inv), &num));
		EXPECT_EQ(1, num);
		EXPECT_EQ(0, _test_cmd_check_iotlb(self->fd, nested, 0, 0));
		EXPECT_EQ(0, _test_cmd_check_iotlb(self->fd, nested, 1,
						   0x1234));
	}
	test_ioctl_destroy(nested);
	test_err_ioctl_destroy(EBUSY, self->viommu_id);
	test_ioctl_destroy(vdev);
	test_ioctl_destroy(self->viommu_id);
	test_ioctl_destroy(self->parent_id);
}

/*
 * A nested HWPT of a vIOMMU takes PASID and a fault queue
 * (FAULT_ID_VALID), as a nested HWPT on a parent does: a page request of a
 * device attached to it reaches the queue, and the HWPT holds the queue.
 */
TEST_F(iommufd_viommu, nested_on_viommu_iopf)
{
	struct iommu_hwpt_selftest data = { .iotlb = 0x1234 };
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};
	struct iommu_hwpt_pgfault f;
	__u32 fault_id, nested, pasid_nested, vdev, got;
	int fault_fd;

	NEED_DEVICE();
	ASSERT_EQ(0, _test_fault_alloc(self->fd, 0, &fault_id, &fault_fd));
	cmd.dev_id = self->idev_ids[0];
	cmd.pt_id = self->viommu_id;
	cmd.fault_id = self->ioas_id;
	EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.fault_id = fault_id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	nested = cmd.out_hwpt_id;
	cmd.flags = IOMMU_HWPT_ALLOC_PASID;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	pasid_nested = cmd.out_hwpt_id;
	cmd.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	test_ioctl_destroy(pasid_nested);

	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[0], 7, &vdev));
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0], nested,
						   &got));
	ASSERT_EQ(0, _test_cmd_trigger_iopf(self->fd, self->idev_ids[0], 0, 3,
					    IOMMU_PGFAULT_PERM_READ,
					    0xdead000));
	ASSERT_EQ((ssize_t)sizeof(f), read(fault_fd, &f, sizeof(f)));
	EXPECT_EQ(self->idev_ids[0], f.dev_id);
	EXPECT_EQ(3, f.grpid);
	EXPECT_EQ(0xdead000, f.addr);
	{
		struct iommu_hwpt_page_response r = {
			.cookie = f.cookie,
			.code = IOMMUFD_PAGE_RESP_SUCCESS,
		};

		ASSERT_EQ((ssize_t)sizeof(r),
			  write(fault_fd, &r, sizeof(r)));
	}
	/*
	 * A PASID without an attachment of its own: the mock's PASID table is
	 * the guest's (user_pasid_table), so the RID's nested HWPT gets it.
	 */
	ASSERT_EQ(0, _test_cmd_trigger_iopf(self->fd, self->idev_ids[0], 5, 4,
					    IOMMU_PGFAULT_PERM_READ,
					    0xbeef000));
	ASSERT_EQ((ssize_t)sizeof(f), read(fault_fd, &f, sizeof(f)));
	EXPECT_EQ(5, f.pasid);
	EXPECT_TRUE(f.flags & IOMMU_PGFAULT_FLAGS_PASID_VALID);
	EXPECT_EQ(0xbeef000, f.addr);
	/* left unanswered: the RID's replace answers it */
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,
						   self->stdev_ids[0],
						   self->ioas_id, &got));
	{
		struct iommu_hwpt_page_response r = {
			.cookie = f.cookie,
			.code = IOMMUFD_PAGE_RESP_SUCCESS,
		};

		EXPECT_ERRNO(EINVAL, write(fault_fd, &r, sizeof(r)));
	}
	/* the HWPT holds the queue, the vIOMMU holds the HWPT's parent */
	close(fault_fd);
	test_err_ioctl_destroy(EBUSY, fault_id);
	test_ioctl_destroy(nested);
	test_ioctl_destroy(fault_id);
	test_ioctl_destroy(vdev);
}

/* ---- IOMMU_HWPT_INVALIDATE on a vIOMMU ---- */

TEST_F(iommufd_viommu, viommu_invalidate)
{
	struct iommu_viommu_invalidate_selftest inv[3] = {};
	unsigned int i;
	__u32 vdev, num;

	NEED_DEVICE();
	for (i = 0; i != variant->mock_domains; i++)
		ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
						 self->idev_ids[i], 0x40 + i,
						 &vdev));
	check_cache_all(self->idev_ids[0], CACHE_DEF);

	/* nothing asked, nothing done */
	num = 0;
	ASSERT_EQ(0, _test_hwpt_invalidate(self->fd, self->viommu_id,
				IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, NULL,
				sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);

	/* one entry of device 0x40 */
	inv[0].vdev_id = 0x40;
	inv[0].cache_id = 1;
	num = 1;
	ASSERT_EQ(0, _test_hwpt_invalidate(self->fd, self->viommu_id,
				IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
				sizeof(inv[0]), &num));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, _test_cmd_dev_check_cache(self->fd, self->idev_ids[0],
					       0, CACHE_DEF));
	EXPECT_EQ(0, _test_cmd_dev_check_cache(self->fd, self->idev_ids[0],
					       1, 0));
	EXPECT_EQ(0, _test_cmd_dev_check_cache(self->fd, self->idev_ids[0],
					       2, CACHE_DEF));
	if (variant->mock_domains > 1)
		check_cache_all(self->idev_ids[1], CACHE_DEF);

	/* a bad entry stops the array: entry_num = the ones done */
	inv[0].cache_id = 0;
	inv[1].vdev_id = 0x40;
	inv[1].cache_id = MOCK_DEV_CACHE_ID_MAX + 1;
	num = 2;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->viommu_id,
				IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
				sizeof(inv[0]), &num));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, _test_cmd_dev_check_cache(self->fd, self->idev_ids[0],
					       0, 0));
	/* no vDEVICE with that virt_id */
	inv[1].cache_id = 0;
	inv[1].vdev_id = 0x77;
	num = 2;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->viommu_id,
				IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
				sizeof(inv[0]), &num));
	EXPECT_EQ(1, num);
	/* unknown flags */
	inv[0].flags = 0x80;
	num = 1;
	EXPECT_ERRNO(EOPNOTSUPP, _test_hwpt_invalidate(self->fd,
				self->viommu_id,
				IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
				sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);
	/* a type the mock refuses */
	inv[0].flags = 0;
	num = 1;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->viommu_id,
				IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
				inv, sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);
	/* entries shorter than the oldest layout */
	num = 1;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->viommu_id,
				IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv, 4,
				&num));
	EXPECT_EQ(0, num);

	/* FLAG_ALL on the last device: every entry */
	i = variant->mock_domains - 1;
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	inv[0].vdev_id = 0x40 + i;
	num = 1;
	ASSERT_EQ(0, _test_hwpt_invalidate(self->fd, self->viommu_id,
				IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
				sizeof(inv[0]), &num));
	EXPECT_EQ(1, num);
	check_cache_all(self->idev_ids[i], 0);

	/* a paging HWPT takes no invalidation: EINVAL, as upstream */
	num = 1;
	EXPECT_ERRNO(EINVAL, _test_hwpt_invalidate(self->fd, self->parent_id,
				IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, inv,
				sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);
}

/* ---- IOMMU_VEVENTQ_ALLOC and its fd ---- */

TEST_F(iommufd_viommu, veventq_alloc_errors)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = self->viommu_id,
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = 2,
	};
	__u32 id, id2;
	int qfd, qfd2;

	EXPECT_ERRNO(ENOENT, _test_veventq_alloc(self->fd, 0xffff,
						 IOMMU_VEVENTQ_TYPE_SELFTEST,
						 2, &id, &qfd));
	cmd.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.__reserved = 0;
	cmd.type = IOMMU_VEVENTQ_TYPE_DEFAULT;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.type = IOMMU_VEVENTQ_TYPE_SELFTEST;
	cmd.veventq_depth = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	cmd.veventq_depth = ~0U;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_VEVENTQ_ALLOC, &cmd));
	if (!variant->mock_domains)
		return;	/* the rest needs a device */
	/* not a vIOMMU */
	EXPECT_ERRNO(ENOENT, _test_veventq_alloc(self->fd, self->parent_id,
						 IOMMU_VEVENTQ_TYPE_SELFTEST,
						 2, &id, &qfd));
	ASSERT_EQ(0, _test_veventq_alloc(self->fd, self->viommu_id,
					 IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &id,
					 &qfd));
	/* one per type per vIOMMU; other types are fine */
	EXPECT_ERRNO(EEXIST, _test_veventq_alloc(self->fd, self->viommu_id,
						 IOMMU_VEVENTQ_TYPE_SELFTEST,
						 4, &id2, &qfd2));
	ASSERT_EQ(0, _test_veventq_alloc(self->fd, self->viommu_id,
					 IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 4,
					 &id2, &qfd2));
	/* the fd is close-on-exec */
	EXPECT_EQ(FD_CLOEXEC, fcntl(qfd, F_GETFD) & FD_CLOEXEC);
	/* the queue holds its vIOMMU; the open fd holds the queue */
	test_err_ioctl_destroy(EBUSY, self->viommu_id);
	test_err_ioctl_destroy(EBUSY, id);
	ASSERT_EQ(0, close(qfd));
	test_ioctl_destroy(id);
	/* the type is free again */
	ASSERT_EQ(0, _test_veventq_alloc(self->fd, self->viommu_id,
					 IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &id,
					 &qfd));
	ASSERT_EQ(0, close(qfd));
	ASSERT_EQ(0, close(qfd2));
	test_ioctl_destroy(id);
	test_ioctl_destroy(id2);
	test_ioctl_destroy(self->viommu_id);
}

struct selftest_event {
	struct iommufd_vevent_header hdr;
	struct iommu_viommu_event_selftest ev;
} __attribute__((packed));

/* Events: poll, read, order, sequence numbers, the data. */
TEST_F(iommufd_viommu, veventq_read)
{
	struct selftest_event evs[4];
	struct pollfd pfd;
	void *bad;
	__u32 id, vdev;
	ssize_t n;
	int qfd;

	NEED_DEVICE();
	/* no vDEVICE: the device has no guest ID to report */
	EXPECT_ERRNO(ENOENT, _test_cmd_trigger_vevent(self->fd,
						      self->idev_ids[0]));
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[0], 0x123, &vdev));
	/* no queue of the type */
	EXPECT_ERRNO(EOPNOTSUPP, _test_cmd_trigger_vevent(self->fd,
							  self->idev_ids[0]));
	EXPECT_ERRNO(ENOENT, _test_cmd_trigger_vevent(self->fd, 0xffff));
	ASSERT_EQ(0, _test_veventq_alloc(self->fd, self->viommu_id,
					 IOMMU_VEVENTQ_TYPE_SELFTEST, 8, &id,
					 &qfd));

	pfd = (struct pollfd){ .fd = qfd, .events = POLLIN | POLLOUT };
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	/* empty: read returns 0 */
	EXPECT_EQ(0, read(qfd, evs, sizeof(evs)));

	ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd, self->idev_ids[0]));
	ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd, self->idev_ids[0]));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);

	/* a buffer too small for one event */
	EXPECT_ERRNO(EINVAL, read(qfd, evs, sizeof(evs[0]) - 1));
	/* unwritable: EFAULT, and nothing is lost */
	bad = mmap(NULL, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	EXPECT_ERRNO(EFAULT, read(qfd, bad, sizeof(evs)));
	munmap(bad, PAGE_SIZE);
	/* not seekable */
	EXPECT_ERRNO(ESPIPE, pread(qfd, evs, sizeof(evs), 1));
	EXPECT_ERRNO(ESPIPE, lseek(qfd, 0, SEEK_SET));

	/* room for one and a half: one is read */
	n = read(qfd, evs, sizeof(evs[0]) + 6);
	ASSERT_EQ(sizeof(evs[0]), n);
	EXPECT_EQ(0, evs[0].hdr.flags);
	EXPECT_EQ(0, evs[0].hdr.sequence);
	EXPECT_EQ(0x123, evs[0].ev.virt_id);
	n = read(qfd, evs, sizeof(evs));
	ASSERT_EQ(sizeof(evs[0]), n);
	EXPECT_EQ(0, evs[0].hdr.flags);
	EXPECT_EQ(1, evs[0].hdr.sequence);
	EXPECT_EQ(0x123, evs[0].ev.virt_id);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(0, read(qfd, evs, sizeof(evs)));

	/* several in one read */
	ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd, self->idev_ids[0]));
	ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd, self->idev_ids[0]));
	ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd, self->idev_ids[0]));
	n = read(qfd, evs, sizeof(evs));
	ASSERT_EQ(3 * sizeof(evs[0]), n);
	EXPECT_EQ(2, evs[0].hdr.sequence);
	EXPECT_EQ(3, evs[1].hdr.sequence);
	EXPECT_EQ(4, evs[2].hdr.sequence);
	EXPECT_EQ(0x123, evs[2].ev.virt_id);

	/* events of the second device carry its virt_id */
	if (variant->mock_domains > 1) {
		ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
						 self->idev_ids[1], 0x456,
						 &vdev));
		ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd,
						      self->idev_ids[1]));
		ASSERT_EQ(sizeof(evs[0]), read(qfd, evs, sizeof(evs)));
		EXPECT_EQ(0x456, evs[0].ev.virt_id);
		EXPECT_EQ(5, evs[0].hdr.sequence);
	}
	ASSERT_EQ(0, close(qfd));
}

/*
 * Overflow: events beyond the depth are lost; a LOST_EVENTS header at the
 * end says so, or the next event's sequence number shows the gap.
 */
TEST_F(iommufd_viommu, veventq_overflow)
{
	struct selftest_event evs[4];
	struct iommufd_vevent_header *hdr;
	char buf[256];
	__u32 id, vdev;
	int i, qfd;

	NEED_DEVICE();
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[0], 3, &vdev));
	ASSERT_EQ(0, _test_veventq_alloc(self->fd, self->viommu_id,
					 IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &id,
					 &qfd));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd,
						      self->idev_ids[0]));
	/* 0 and 1 queued, 2..4 lost: the marker carries 4 */
	ASSERT_EQ(2 * sizeof(evs[0]) + sizeof(*hdr),
		  read(qfd, buf, sizeof(buf)));
	memcpy(evs, buf, 2 * sizeof(evs[0]));
	EXPECT_EQ(0, evs[0].hdr.sequence);
	EXPECT_EQ(1, evs[1].hdr.sequence);
	EXPECT_EQ(0, evs[1].hdr.flags);
	hdr = (void *)(buf + 2 * sizeof(evs[0]));
	EXPECT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, hdr->flags);
	EXPECT_EQ(4, hdr->sequence);
	EXPECT_EQ(0, read(qfd, buf, sizeof(buf)));

	/* a loss followed by room: no marker, the gap shows */
	ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd, self->idev_ids[0]));
	ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd, self->idev_ids[0]));
	ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd, self->idev_ids[0]));
	ASSERT_EQ(sizeof(evs[0]), read(qfd, evs, sizeof(evs[0])));
	EXPECT_EQ(5, evs[0].hdr.sequence);
	ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd, self->idev_ids[0]));
	ASSERT_EQ(2 * sizeof(evs[0]), read(qfd, evs, sizeof(evs)));
	EXPECT_EQ(6, evs[0].hdr.sequence);
	EXPECT_EQ(0, evs[1].hdr.flags);
	EXPECT_EQ(8, evs[1].hdr.sequence);
	ASSERT_EQ(0, close(qfd));
}

/*
 * Closing /dev/iommu with a vEVENTQ fd open: the queue and its vIOMMU
 * live on until that fd is closed too; queued events stay readable.
 */
TEST_F(iommufd_viommu, veventq_fd_outlives_iommufd)
{
	struct selftest_event ev;
	__u32 id, vdev;
	int qfd;

	NEED_DEVICE();
	ASSERT_EQ(0, _test_vdevice_alloc(self->fd, self->viommu_id,
					 self->idev_ids[0], 9, &vdev));
	ASSERT_EQ(0, _test_veventq_alloc(self->fd, self->viommu_id,
					 IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &id,
					 &qfd));
	ASSERT_EQ(0, _test_cmd_trigger_vevent(self->fd, self->idev_ids[0]));
	ASSERT_EQ(0, close(self->fd));
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	ASSERT_EQ(sizeof(ev), read(qfd, &ev, sizeof(ev)));
	EXPECT_EQ(9, ev.ev.virt_id);
	EXPECT_EQ(0, read(qfd, &ev, sizeof(ev)));
	ASSERT_EQ(0, close(qfd));
	/* teardown checks that the buffer is unpinned after all */
}

/* ---- IOMMU_HW_QUEUE_ALLOC ---- */

#define HWQ IOMMU_HW_QUEUE_TYPE_SELFTEST

TEST_F(iommufd_viommu, hw_queue_errors)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = self->viommu_id,
		.type = HWQ,
		.nesting_parent_iova = MOCK_APERTURE_START,
		.length = PAGE_SIZE,
	};
	__u32 id;

	cmd.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_HW_QUEUE_ALLOC, &cmd));
	cmd.flags = 0;
	cmd.type = IOMMU_HW_QUEUE_TYPE_DEFAULT;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, IOMMU_HW_QUEUE_ALLOC, &cmd));
	cmd.type = HWQ;
	cmd.length = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, IOMMU_HW_QUEUE_ALLOC, &cmd));
	cmd.length = 2;
	cmd.nesting_parent_iova = ~0ULL;
	EXPECT_ERRNO(EOVERFLOW, ioctl(self->fd, IOMMU_HW_QUEUE_ALLOC, &cmd));
	EXPECT_ERRNO(ENOENT, _test_hw_queue_alloc(self->fd, 0xffff, HWQ, 0,
						  MOCK_APERTURE_START,
						  PAGE_SIZE, &id));
	if (!variant->mock_domains)
		return;	/* the rest needs a device */
	/* not a type of the mock vIOMMU */
	EXPECT_ERRNO(EOPNOTSUPP, _test_hw_queue_alloc(self->fd,
					self->viommu_id,
					IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV, 0,
					MOCK_APERTURE_START, PAGE_SIZE, &id));
	/* memory not mapped in the parent's IOAS */
	EXPECT_ERRNO(ENOENT, _test_hw_queue_alloc(self->fd, self->viommu_id,
						  HWQ, 0,
						  MOCK_APERTURE_START +
						  BUFFER_SIZE, PAGE_SIZE,
						  &id));
	/* index rules: from 0 up, at most IOMMU_TEST_HW_QUEUE_MAX */
	EXPECT_ERRNO(EIO, _test_hw_queue_alloc(self->fd, self->viommu_id, HWQ,
					       1, MOCK_APERTURE_START,
					       PAGE_SIZE, &id));
	EXPECT_ERRNO(EINVAL, _test_hw_queue_alloc(self->fd, self->viommu_id,
						  HWQ, IOMMU_TEST_HW_QUEUE_MAX,
						  MOCK_APERTURE_START,
						  PAGE_SIZE, &id));
}

/*
 * Queues pin their memory (it cannot be unmapped while they exist), hold
 * their vIOMMU, and go from the highest index down.
 */
TEST_F(iommufd_viommu, hw_queue_lifetime)
{
	__u64 iova = MOCK_APERTURE_START;
	__u32 q0, q1, id;

	NEED_DEVICE();
	ASSERT_EQ(0, _test_hw_queue_alloc(self->fd, self->viommu_id, HWQ, 0,
					  iova, PAGE_SIZE, &q0));
	EXPECT_ERRNO(EEXIST, _test_hw_queue_alloc(self->fd, self->viommu_id,
						  HWQ, 0, iova, PAGE_SIZE,
						  &id));
	/* a queue inside a page, on the same page */
	ASSERT_EQ(0, _test_hw_queue_alloc(self->fd, self->viommu_id, HWQ, 1,
					  iova + PAGE_SIZE / 2,
					  PAGE_SIZE / 2, &q1));
	test_err_ioctl_destroy(EBUSY, q0);
	test_err_ioctl_destroy(EBUSY, self->viommu_id);
	/* the queue memory stays mapped; the rest of the mapping too */
	test_err_ioctl_ioas_unmap(EBUSY, iova, BUFFER_SIZE);
	test_cmd_check_map(self->parent_id, iova, BUFFER_SIZE, buffer);
	test_ioctl_destroy(q1);
	test_ioctl_destroy(q0);
	test_ioctl_ioas_unmap(iova, BUFFER_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	/* no memory: ENOENT */
	EXPECT_ERRNO(ENOENT, _test_hw_queue_alloc(self->fd, self->viommu_id,
						  HWQ, 0, iova, PAGE_SIZE,
						  &id));
	test_ioctl_destroy(self->viommu_id);
}

/* Closing the file with queues alive unpins everything. */
TEST_F(iommufd_viommu, hw_queue_close)
{
	__u32 q0, q1;

	NEED_DEVICE();
	ASSERT_EQ(0, _test_hw_queue_alloc(self->fd, self->viommu_id, HWQ, 0,
					  MOCK_APERTURE_START, PAGE_SIZE,
					  &q0));
	ASSERT_EQ(0, _test_hw_queue_alloc(self->fd, self->viommu_id, HWQ, 1,
					  MOCK_APERTURE_START + PAGE_SIZE,
					  PAGE_SIZE, &q1));
	/* teardown closes the fd and checks the pins */
}

TEST_HARNESS_MAIN
