/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the nesting uAPI (IOMMU_HWPT_ALLOC with data, nested HWPTs,
 * IOMMU_HWPT_INVALIDATE, the mock's IOTLB check), shared by
 * iommufd_nest.c, iommufd_hwpt.c and iommufd_fail_nth.c. Include after
 * iommufd_utils.h.
 */
#ifndef XIOMMU_SELFTEST_IOMMUFD_NEST_UTILS_H
#define XIOMMU_SELFTEST_IOMMUFD_NEST_UTILS_H

static inline int _test_hwpt_alloc(int fd, __u32 flags, __u32 dev_id,
				   __u32 pt_id, __u32 data_type, void *data,
				   __u32 data_len, __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int ret;

	ret = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	if (!ret && hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return ret;
}

/* A nested mock HWPT whose IOTLB entries all start as @iotlb. */
static inline int _test_hwpt_nested(int fd, __u32 dev_id, __u32 parent,
				    __u32 iotlb, __u32 *hwpt_id)
{
	struct iommu_hwpt_selftest data = { .iotlb = iotlb };

	return _test_hwpt_alloc(fd, 0, dev_id, parent, IOMMU_HWPT_DATA_SELFTEST,
				&data, sizeof(data), hwpt_id);
}

static inline int _test_hwpt_invalidate(int fd, __u32 hwpt_id,
					__u32 data_type, void *reqs,
					__u32 entry_len, __u32 *entry_num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.data_type = data_type,
		.data_uptr = (uintptr_t)reqs,
		.entry_len = entry_len,
		.entry_num = *entry_num,
	};
	int ret;

	ret = ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);
	*entry_num = cmd.entry_num;
	return ret;
}

static inline int _test_cmd_check_iotlb(int fd, __u32 hwpt_id,
					__u32 iotlb_id, __u32 want)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
		.id = hwpt_id,
		.check_iotlb = { .id = iotlb_id, .iotlb = want },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* IOMMU_TEST_OP_DEV_CHECK_CACHE: 0 if entry @cache_id of @idev_id holds @want */
static inline int _test_cmd_dev_check_cache(int fd, __u32 idev_id,
					    __u32 cache_id, __u32 want)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
		.id = idev_id,
		.check_dev_cache = { .id = cache_id, .cache = want },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS: a mock device with @dev_flags on @pt_id */
static inline int _test_mock_domain_flags(int fd, __u32 pt_id, __u32 dev_flags,
					  __u32 *stdev_id, __u32 *hwpt_id,
					  __u32 *idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = pt_id,
		.mock_domain_flags = { .dev_flags = dev_flags },
	};
	int ret;

	ret = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (ret)
		return ret;
	if (stdev_id)
		*stdev_id = cmd.mock_domain_flags.out_stdev_id;
	if (hwpt_id)
		*hwpt_id = cmd.mock_domain_flags.out_hwpt_id;
	if (idev_id)
		*idev_id = cmd.mock_domain_flags.out_idev_id;
	return 0;
}

/*
 * IOMMU_TEST_OP_PASID_ATTACH / _REPLACE (@op) of PASID @pasid of selftest
 * device @stdev_id to @pt_id.
 */
static inline int _test_pasid_set(int fd, __u32 op, __u32 stdev_id,
				  __u32 pasid, __u32 pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = op,
		.id = stdev_id,
		.pasid_attach = { .pasid = pasid, .pt_id = pt_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

#define _test_pasid_attach(fd, stdev, pasid, pt)                              \
	_test_pasid_set(fd, IOMMU_TEST_OP_PASID_ATTACH, stdev, pasid, pt)
#define _test_pasid_replace(fd, stdev, pasid, pt)                             \
	_test_pasid_set(fd, IOMMU_TEST_OP_PASID_REPLACE, stdev, pasid, pt)

static inline int _test_pasid_detach(int fd, __u32 stdev_id, __u32 pasid)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_PASID_DETACH,
		.id = stdev_id,
		.pasid_detach = { .pasid = pasid },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* 0 if the mock "hardware" of @stdev_id has @pasid on @hwpt_id (0: none) */
static inline int _test_pasid_check(int fd, __u32 stdev_id, __u32 pasid,
				    __u32 hwpt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_PASID_CHECK_HWPT,
		.id = stdev_id,
		.pasid_check = { .pasid = pasid, .hwpt_id = hwpt_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* ---- vIOMMU, vDEVICE, vEVENTQ (iommufd_viommu.c, iommufd_fail_nth.c) ---- */

static inline int _test_viommu_alloc(int fd, __u32 flags, __u32 type,
				     __u32 dev_id, __u32 hwpt_id, void *data,
				     __u32 data_len, __u32 *viommu_id)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.type = type,
		.dev_id = dev_id,
		.hwpt_id = hwpt_id,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	int ret;

	ret = ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);
	if (!ret && viommu_id)
		*viommu_id = cmd.out_viommu_id;
	return ret;
}

/* A mock vIOMMU (IOMMU_VIOMMU_TYPE_SELFTEST) without data. */
static inline int _test_viommu_mock(int fd, __u32 dev_id, __u32 hwpt_id,
				    __u32 *viommu_id)
{
	return _test_viommu_alloc(fd, 0, IOMMU_VIOMMU_TYPE_SELFTEST, dev_id,
				  hwpt_id, NULL, 0, viommu_id);
}

static inline int _test_vdevice_alloc(int fd, __u32 viommu_id, __u32 dev_id,
				      __u64 virt_id, __u32 *vdev_id)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};
	int ret;

	ret = ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);
	if (!ret && vdev_id)
		*vdev_id = cmd.out_vdevice_id;
	return ret;
}

static inline int _test_veventq_alloc(int fd, __u32 viommu_id, __u32 type,
				      __u32 depth, __u32 *veventq_id,
				      int *veventq_fd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = type,
		.veventq_depth = depth,
	};
	int ret;

	ret = ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd);
	if (ret)
		return ret;
	if (veventq_id)
		*veventq_id = cmd.out_veventq_id;
	if (veventq_fd)
		*veventq_fd = cmd.out_veventq_fd;
	return 0;
}

/* IOMMU_TEST_OP_TRIGGER_VEVENT for device object @idev_id */
static inline int _test_cmd_trigger_vevent(int fd, __u32 idev_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
		.trigger_vevent = { .dev_id = idev_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static inline int _test_hw_queue_alloc(int fd, __u32 viommu_id, __u32 type,
				       __u32 index, __u64 iova, __u64 length,
				       __u32 *hw_queue_id)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = type,
		.index = index,
		.nesting_parent_iova = iova,
		.length = length,
	};
	int ret;

	ret = ioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);
	if (!ret && hw_queue_id)
		*hw_queue_id = cmd.out_hw_queue_id;
	return ret;
}

/* ---- IOPF fault queues (iommufd_fault.c, iommufd_viommu.c) ---- */

/* IOMMU_FAULT_QUEUE_ALLOC: the queue's object ID and fd */
static inline int _test_fault_alloc(int fd, __u32 flags, __u32 *id,
				    int *fault_fd)
{
	struct iommu_fault_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
	};
	int ret;

	ret = ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);
	if (ret)
		return ret;
	*id = cmd.out_fault_id;
	*fault_fd = cmd.out_fault_fd;
	return 0;
}

/* IOMMU_TEST_OP_TRIGGER_IOPF: a page request of device object @idev_id */
static inline int _test_cmd_trigger_iopf(int fd, __u32 idev_id, __u32 pasid,
					 __u32 grpid, __u32 perm, __u64 addr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.dev_id = idev_id,
			.pasid = pasid,
			.grpid = grpid,
			.perm = perm,
			.addr = addr,
		},
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

#endif /* XIOMMU_SELFTEST_IOMMUFD_NEST_UTILS_H */
