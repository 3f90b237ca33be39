// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOPF fault queues on the mock IOMMU (xiommu_mock): IOMMU_FAULT_QUEUE_ALLOC,
 * IOMMU_HWPT_ALLOC with IOMMU_HWPT_FAULT_ID_VALID, faults raised with
 * IOMMU_TEST_OP_TRIGGER_IOPF, read() of struct iommu_hwpt_pgfault, write()
 * of struct iommu_hwpt_page_response, poll(), and the answers a detach or
 * replace gives to the faults still outstanding. Expected errno values are
 * upstream Linux's (newest iommufd); the fixture runs with 0, 1 and 2 mock
 * devices; teardown checks that nothing stayed pinned.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "iommufd_utils.h"
#include "iommufd_nest_utils.h"

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(8);
}

static int _hwpt_alloc_fault(int fd, __u32 flags, __u32 dev_id, __u32 pt_id,
			     __u32 fault_id, __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.fault_id = fault_id,
	};
	int ret;

	ret = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	if (!ret && hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return ret;
}

static int _respond(int fault_fd, __u32 cookie, __u32 code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	return write(fault_fd, &r, sizeof(r));
}

FIXTURE(iommufd_fault)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_ids[2];
	__u32 hwpt_ids[2];
	__u32 idev_ids[2];
	__u32 fault_id;
	int fault_fd;
	__u32 iopf_id;		/* paging HWPT with the queue, PASID-capable */
	__u32 plain_id;		/* paging HWPT without a queue */
};

MOCK_DOMAIN_VARIANTS(iommufd_fault);

FIXTURE_SETUP(iommufd_fault)
{
	unsigned int i;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, MOCK_APERTURE_START);
	ASSERT_EQ(0, _test_fault_alloc(self->fd, 0, &self->fault_id,
				  &self->fault_fd));
	for (i = 0; i != variant->mock_domains; i++)
		ASSERT_EQ(0, _test_mock_domain_flags(self->fd, self->ioas_id,
						     MOCK_FLAGS_DEVICE_PASID,
						     &self->stdev_ids[i],
						     &self->hwpt_ids[i],
						     &self->idev_ids[i]));
	if (!variant->mock_domains)
		return;
	ASSERT_EQ(0, _hwpt_alloc_fault(self->fd,
				       IOMMU_HWPT_FAULT_ID_VALID |
				       IOMMU_HWPT_ALLOC_PASID,
				       self->idev_ids[0], self->ioas_id,
				       self->fault_id, &self->iopf_id));
	ASSERT_EQ(0, _hwpt_alloc_fault(self->fd, IOMMU_HWPT_ALLOC_PASID,
				       self->idev_ids[0], self->ioas_id,
				       self->fault_id, &self->plain_id));
}

FIXTURE_TEARDOWN(iommufd_fault)
{
	close(self->fault_fd);
	teardown_iommufd(self->fd, _metadata);
}

#define NEED_DEVICE()                                                      \
	do {                                                               \
		if (!variant->mock_domains)                                \
			SKIP(return, "needs a mock device");               \
	} while (0)

#define trigger(i, pasid, grpid, addr)                                     \
	ASSERT_EQ(0, _test_cmd_trigger_iopf(self->fd, self->idev_ids[i],     \
					    pasid, grpid,                   \
					    IOMMU_PGFAULT_PERM_READ, addr))
#define rid_replace(i, pt)                                                 \
	ASSERT_EQ(0, _test_cmd_mock_domain_replace(self->fd,                \
						   self->stdev_ids[i], pt,  \
						   NULL))

/* An address nothing is mapped at (volatile: no compile-time check) */
static void *volatile bad_ptr = (void *)8;

/* read() one record into @f: 1 read, 0 empty, -1 with errno */
static int read_one(int fault_fd, struct iommu_hwpt_pgfault *f)
{
	ssize_t n = read(fault_fd, f, sizeof(*f));

	if (n < 0)
		return -1;
	return n / (ssize_t)sizeof(*f);
}

TEST_F(iommufd_fault, alloc)
{
	__u32 id;
	int ffd;

	EXPECT_ERRNO(EOPNOTSUPP, _test_fault_alloc(self->fd, 1, &id, &ffd));
	EXPECT_ERRNO(EOPNOTSUPP,
		     _test_fault_alloc(self->fd, 1U << 31, &id, &ffd));
	ASSERT_EQ(0, _test_fault_alloc(self->fd, 0, &id, &ffd));
	EXPECT_NE(self->fault_id, id);
	EXPECT_LE(0, ffd);
	/* O_CLOEXEC, as upstream */
	EXPECT_EQ(FD_CLOEXEC, fcntl(ffd, F_GETFD) & FD_CLOEXEC);
	/* the open file holds the object */
	test_err_ioctl_destroy(EBUSY, id);
	ASSERT_EQ(0, close(ffd));
	test_ioctl_destroy(id);
	test_err_ioctl_destroy(ENOENT, id);
}

/* Which HWPTs take a fault queue, and the fault_id */
TEST_F(iommufd_fault, hwpt_alloc_rules)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	__u32 parent, nested;

	if (!variant->mock_domains) {
		EXPECT_ERRNO(ENOENT, _hwpt_alloc_fault(self->fd,
						IOMMU_HWPT_FAULT_ID_VALID,
						self->ioas_id, self->ioas_id,
						self->fault_id, NULL));
		return;
	}
	/* not a fault queue: none, the IOAS, an HWPT */
	EXPECT_ERRNO(ENOENT, _hwpt_alloc_fault(self->fd,
					       IOMMU_HWPT_FAULT_ID_VALID,
					       self->idev_ids[0], self->ioas_id,
					       0xfffffff, NULL));
	EXPECT_ERRNO(ENOENT, _hwpt_alloc_fault(self->fd,
					       IOMMU_HWPT_FAULT_ID_VALID,
					       self->idev_ids[0], self->ioas_id,
					       self->ioas_id, NULL));
	EXPECT_ERRNO(ENOENT, _hwpt_alloc_fault(self->fd,
					       IOMMU_HWPT_FAULT_ID_VALID,
					       self->idev_ids[0], self->ioas_id,
					       self->iopf_id, NULL));
	/* a nest parent takes none */
	EXPECT_ERRNO(EOPNOTSUPP,
		     _hwpt_alloc_fault(self->fd, IOMMU_HWPT_FAULT_ID_VALID |
				       IOMMU_HWPT_ALLOC_NEST_PARENT,
				       self->idev_ids[0], self->ioas_id,
				       self->fault_id, NULL));
	/* a nested HWPT does */
	ASSERT_EQ(0, _hwpt_alloc_fault(self->fd, IOMMU_HWPT_ALLOC_NEST_PARENT,
				       self->idev_ids[0], self->ioas_id, 0,
				       &parent));
	{
		struct iommu_hwpt_alloc cmd = {
			.size = sizeof(cmd),
			.flags = IOMMU_HWPT_FAULT_ID_VALID,
			.dev_id = self->idev_ids[0],
			.pt_id = parent,
			.data_type = IOMMU_HWPT_DATA_SELFTEST,
			.data_len = sizeof(data),
			.data_uptr = (uintptr_t)&data,
			.fault_id = 0xfffffff,
		};

		EXPECT_ERRNO(ENOENT, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
		cmd.fault_id = self->fault_id;
		ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
		nested = cmd.out_hwpt_id;
	}
	/* HWPTs hold the queue */
	close(self->fault_fd);
	self->fault_fd = -1;
	test_err_ioctl_destroy(EBUSY, self->fault_id);
	test_ioctl_destroy(nested);
	test_ioctl_destroy(parent);
	test_err_ioctl_destroy(EBUSY, self->fault_id);
	test_ioctl_destroy(self->iopf_id);
	/* plain_id was given fault_id without the flag: it is ignored */
	test_ioctl_destroy(self->fault_id);
}

/* A fault of the RID, read, answered; size and cookie rules */
TEST_F(iommufd_fault, read_respond)
{
	struct iommu_hwpt_pgfault f[2];
	struct iommu_hwpt_page_response r[2];
	struct pollfd pfd = { .fd = self->fault_fd, .events = POLLIN | POLLOUT };

	NEED_DEVICE();
	/* empty: read gives nothing, without blocking; writable */
	EXPECT_EQ(0, read_one(self->fault_fd, f));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);

	rid_replace(0, self->iopf_id);
	trigger(0, 0, 7, 0x12345000);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents);
	/* not a multiple of the record */
	EXPECT_ERRNO(ESPIPE, read(self->fault_fd, f, sizeof(f[0]) - 1));
	EXPECT_ERRNO(ESPIPE, read(self->fault_fd, f, sizeof(f[0]) + 1));
	ASSERT_EQ(1, read_one(self->fault_fd, f));
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, f[0].flags);
	EXPECT_EQ(self->idev_ids[0], f[0].dev_id);
	EXPECT_EQ(0, f[0].pasid);
	EXPECT_EQ(7, f[0].grpid);
	EXPECT_EQ(IOMMU_PGFAULT_PERM_READ, f[0].perm);
	EXPECT_EQ(0x12345000, f[0].addr);
	EXPECT_EQ(0, f[0].length);
	EXPECT_NE(0, f[0].cookie);
	EXPECT_EQ(0, read_one(self->fault_fd, f + 1));

	/* responses: size, code, cookie */
	r[0] = (struct iommu_hwpt_page_response){ .cookie = f[0].cookie };
	EXPECT_ERRNO(ESPIPE, write(self->fault_fd, r, sizeof(r[0]) - 1));
	EXPECT_ERRNO(EINVAL, _respond(self->fault_fd, f[0].cookie, 2));
	EXPECT_ERRNO(EINVAL, _respond(self->fault_fd, f[0].cookie + 1,
				      IOMMUFD_PAGE_RESP_SUCCESS));
	EXPECT_ERRNO(EFAULT, write(self->fault_fd, bad_ptr, sizeof(r[0])));
	EXPECT_EQ(sizeof(r[0]), _respond(self->fault_fd, f[0].cookie,
					 IOMMUFD_PAGE_RESP_SUCCESS));
	/* answered: the cookie is gone */
	EXPECT_ERRNO(EINVAL, _respond(self->fault_fd, f[0].cookie,
				      IOMMUFD_PAGE_RESP_SUCCESS));
	EXPECT_EQ(0, write(self->fault_fd, r, 0));

	/* two faults, one answered with INVALID, one with a bad code */
	trigger(0, 0, 1, 0x1000);
	trigger(0, 0, 2, 0x2000);
	ASSERT_EQ(sizeof(f), read(self->fault_fd, f, sizeof(f)));
	EXPECT_EQ(1, f[0].grpid);
	EXPECT_EQ(2, f[1].grpid);
	EXPECT_NE(f[0].cookie, f[1].cookie);
	r[0] = (struct iommu_hwpt_page_response){
		.cookie = f[0].cookie, .code = IOMMUFD_PAGE_RESP_INVALID };
	r[1] = (struct iommu_hwpt_page_response){ .cookie = f[1].cookie,
						  .code = 5 };
	/* the first is taken, the count says so */
	EXPECT_EQ(sizeof(r[0]), write(self->fault_fd, r, sizeof(r)));
	r[1].code = IOMMUFD_PAGE_RESP_SUCCESS;
	EXPECT_EQ(sizeof(r[1]), write(self->fault_fd, r + 1, sizeof(r[1])));
	rid_replace(0, self->ioas_id);
}

/* read() gives whole records only, as many as fit */
TEST_F(iommufd_fault, read_partial)
{
	struct iommu_hwpt_pgfault f[3];

	NEED_DEVICE();
	rid_replace(0, self->iopf_id);
	trigger(0, 0, 1, 0x1000);
	trigger(0, 0, 2, 0x2000);
	trigger(0, 0, 3, 0x3000);
	ASSERT_EQ(1, read_one(self->fault_fd, f));
	EXPECT_EQ(1, f[0].grpid);
	ASSERT_EQ(2 * sizeof(f[0]), read(self->fault_fd, f, sizeof(f)));
	EXPECT_EQ(2, f[0].grpid);
	EXPECT_EQ(3, f[1].grpid);
	/* a bad buffer loses nothing */
	trigger(0, 0, 4, 0x4000);
	EXPECT_ERRNO(EFAULT, read(self->fault_fd, bad_ptr, sizeof(f[0])));
	ASSERT_EQ(1, read_one(self->fault_fd, f));
	EXPECT_EQ(4, f[0].grpid);
	rid_replace(0, self->ioas_id);
}

/*
 * Detach answers what is outstanding: queued faults are dropped unread,
 * read ones lose their cookie.
 */
TEST_F(iommufd_fault, auto_response_detach)
{
	struct iommu_hwpt_pgfault f;

	NEED_DEVICE();
	rid_replace(0, self->iopf_id);
	trigger(0, 0, 1, 0x1000);
	trigger(0, 0, 2, 0x2000);
	ASSERT_EQ(1, read_one(self->fault_fd, &f));
	ASSERT_EQ(0, _test_cmd_mock_detach(self->fd, self->stdev_ids[0]));
	EXPECT_EQ(0, read_one(self->fault_fd, &f));
	EXPECT_ERRNO(EINVAL, _respond(self->fault_fd, f.cookie,
				      IOMMUFD_PAGE_RESP_SUCCESS));
	/* not attached: a fault goes nowhere */
	trigger(0, 0, 3, 0x3000);
	EXPECT_EQ(0, read_one(self->fault_fd, &f));
	rid_replace(0, self->ioas_id);
}

/*
 * What fault queue @fault_id of this process's context holds, from
 * debugfs (xiommu/contexts: "fault ID queued N waiting N"); -1 if the
 * line is not there.
 */
static int fault_counts(__u32 fault_id, unsigned int *queued,
			unsigned int *waiting)
{
	FILE *f = fopen("/sys/kernel/debug/xiommu/contexts", "r");
	char line[256];
	int ours = 0, found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned int n, id;
		int pid;

		if (sscanf(line, "context %u pid %d", &n, &pid) == 2)
			ours = pid == getpid();
		else if (ours &&
			 sscanf(line, "fault %u queued %u waiting %u", &id,
				queued, waiting) == 3 && id == fault_id)
			found = 0;
	}
	fclose(f);
	return found;
}

/*
 * Closing the queue's fd answers (INVALID) every fault it holds, queued or
 * read and waiting; the queue object stays (its HWPT holds it) and takes
 * later faults.
 */
TEST_F(iommufd_fault, close_answers)
{
	unsigned int queued, waiting;
	struct iommu_hwpt_pgfault f;

	NEED_DEVICE();
	rid_replace(0, self->iopf_id);
	trigger(0, 0, 1, 0x1000);
	trigger(0, 0, 2, 0x2000);
	trigger(0, 0, 3, 0x3000);
	ASSERT_EQ(1, read_one(self->fault_fd, &f));
	ASSERT_EQ(0, fault_counts(self->fault_id, &queued, &waiting));
	EXPECT_EQ(2, queued);
	EXPECT_EQ(1, waiting);

	EXPECT_EQ(0, close(self->fault_fd));
	self->fault_fd = -1;
	ASSERT_EQ(0, fault_counts(self->fault_id, &queued, &waiting));
	EXPECT_EQ(0, queued);
	EXPECT_EQ(0, waiting);
	/* the HWPT still holds the queue */
	test_err_ioctl_destroy(EBUSY, self->fault_id);
	trigger(0, 0, 4, 0x4000);
	ASSERT_EQ(0, fault_counts(self->fault_id, &queued, &waiting));
	EXPECT_EQ(1, queued);
	EXPECT_EQ(0, waiting);
	rid_replace(0, self->ioas_id);
	test_ioctl_destroy(self->iopf_id);
	test_ioctl_destroy(self->plain_id);
	test_ioctl_destroy(self->fault_id);
}

/* Replace answers the faults raised through the old HWPT, not later ones */
TEST_F(iommufd_fault, auto_response_replace)
{
	struct iommu_hwpt_pgfault f;
	__u32 iopf2;

	NEED_DEVICE();
	ASSERT_EQ(0, _hwpt_alloc_fault(self->fd, IOMMU_HWPT_FAULT_ID_VALID,
				       self->idev_ids[0], self->ioas_id,
				       self->fault_id, &iopf2));
	rid_replace(0, self->iopf_id);
	trigger(0, 0, 1, 0x1000);
	rid_replace(0, iopf2);
	trigger(0, 0, 2, 0x2000);
	ASSERT_EQ(1, read_one(self->fault_fd, &f));
	EXPECT_EQ(2, f.grpid);
	EXPECT_EQ(0, read_one(self->fault_fd, &f));
	/* an HWPT without a queue: nothing is raised */
	rid_replace(0, self->plain_id);
	trigger(0, 0, 3, 0x3000);
	EXPECT_EQ(0, read_one(self->fault_fd, &f));
	rid_replace(0, self->ioas_id);
	test_ioctl_destroy(iopf2);
}

/* A PASID's faults carry the PASID; PASID detach answers them */
TEST_F(iommufd_fault, pasid)
{
	struct iommu_hwpt_pgfault f;

	NEED_DEVICE();
	rid_replace(0, self->plain_id);
	ASSERT_EQ(0, _test_pasid_attach(self->fd, self->stdev_ids[0], 2048,
					self->iopf_id));
	trigger(0, 2048, 9, 0x5000);
	/* the RID's HWPT has no queue */
	trigger(0, 0, 10, 0x6000);
	ASSERT_EQ(1, read_one(self->fault_fd, &f));
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE |
		  IOMMU_PGFAULT_FLAGS_PASID_VALID, f.flags);
	EXPECT_EQ(2048, f.pasid);
	EXPECT_EQ(9, f.grpid);
	EXPECT_EQ(0, read_one(self->fault_fd, &f));
	/* a PASID not attached raises nothing */
	trigger(0, 2049, 11, 0x7000);
	EXPECT_EQ(0, read_one(self->fault_fd, &f));
	/* replace answers the read fault */
	ASSERT_EQ(0, _test_pasid_replace(self->fd, self->stdev_ids[0], 2048,
					 self->plain_id));
	EXPECT_ERRNO(EINVAL, _respond(self->fault_fd, f.cookie,
				      IOMMUFD_PAGE_RESP_SUCCESS));
	ASSERT_EQ(0, _test_pasid_replace(self->fd, self->stdev_ids[0], 2048,
					 self->iopf_id));
	trigger(0, 2048, 12, 0x8000);
	ASSERT_EQ(0, _test_pasid_detach(self->fd, self->stdev_ids[0], 2048));
	EXPECT_EQ(0, read_one(self->fault_fd, &f));
	rid_replace(0, self->ioas_id);
}

/* Faults of one device are not answered by another's detach */
TEST_F(iommufd_fault, two_devices)
{
	struct iommu_hwpt_pgfault f;

	if (variant->mock_domains < 2)
		SKIP(return, "needs two mock devices");
	rid_replace(0, self->iopf_id);
	rid_replace(1, self->iopf_id);
	trigger(0, 0, 1, 0x1000);
	trigger(1, 0, 2, 0x2000);
	rid_replace(0, self->ioas_id);
	ASSERT_EQ(1, read_one(self->fault_fd, &f));
	EXPECT_EQ(self->idev_ids[1], f.dev_id);
	EXPECT_EQ(2, f.grpid);
	EXPECT_EQ(sizeof(struct iommu_hwpt_page_response),
		  _respond(self->fault_fd, f.cookie,
			   IOMMUFD_PAGE_RESP_SUCCESS));
	rid_replace(1, self->ioas_id);
}

/* Bad device IDs; faults left outstanding at close are the teardown's */
TEST_F(iommufd_fault, trigger_ids)
{
	EXPECT_ERRNO(ENOENT,
		     _test_cmd_trigger_iopf(self->fd, 0xfffffff, 0, 0, 0, 0));
	EXPECT_ERRNO(ENOENT,
		     _test_cmd_trigger_iopf(self->fd, self->ioas_id, 0, 0, 0, 0));
	if (!variant->mock_domains)
		return;
	/* the selftest device object is no device object */
	EXPECT_ERRNO(ENOENT, _test_cmd_trigger_iopf(self->fd, self->stdev_ids[0],
						    0, 0, 0, 0));
	rid_replace(0, self->iopf_id);
	trigger(0, 0, 1, 0x1000);
	trigger(0, 0, 2, 0x2000);
	{
		struct iommu_hwpt_pgfault f;

		ASSERT_EQ(1, read_one(self->fault_fd, &f));
	}
}

TEST_HARNESS_MAIN
