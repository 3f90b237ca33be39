// SPDX-License-Identifier: GPL-2.0-only
/*
 * Access objects (software devices without an IOMMU) and the temporary
 * memory limit, on the mock IOMMU (xiommu_mock).
 *
 * The mock's IOMMU_TEST_OP_CREATE_ACCESS creates an access object on an
 * IOAS and returns a file descriptor for it; ACCESS_PAGES pins the pages
 * behind an IOVA range (and checks they are the pages behind a user
 * address), DESTROY_ACCESS_PAGES undoes one pin, ACCESS_RW copies by IOVA,
 * ACCESS_REPLACE_IOAS moves the access, and closing the fd destroys it.
 * The mock's access unmaps its pins when the core asks (an unmap of the
 * range), unless it was created with XIOMMU_MOCK_ACCESS_CREATE_KEEP_PINS.
 *
 * Fixture iommufd_access runs with 0, 1 and 2 mock domains on the IOAS,
 * and with one domain under a 16-byte temporary memory limit (pinning and
 * copying then work two page pointers at a time). Every teardown checks
 * that nothing of the test buffer is left pinned. Expected errno values are
 * upstream iommufd's (v6.6) unless a comment says otherwise.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

#include "iommufd_utils.h"

static __attribute__((constructor)) void setup_buffer(void)
{
	setup_test_buffer(16);
}

#define PIN MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES

FIXTURE(iommufd_access)
{
	int fd;
	__u32 ioas_id;
	__u32 stdev_ids[2];
	__u32 hwpt_ids[2];
	__u64 base_iova;
};

FIXTURE_VARIANT(iommufd_access)
{
	unsigned int mock_domains;
	unsigned int memory_limit;
};

FIXTURE_VARIANT_ADD(iommufd_access, no_domain)
{
	.mock_domains = 0,
};

FIXTURE_VARIANT_ADD(iommufd_access, mock_domain)
{
	.mock_domains = 1,
};

FIXTURE_VARIANT_ADD(iommufd_access, two_mock_domain)
{
	.mock_domains = 2,
};

FIXTURE_VARIANT_ADD(iommufd_access, mock_domain_limit)
{
	.mock_domains = 1,
	.memory_limit = 16,
};

FIXTURE_SETUP(iommufd_access)
{
	unsigned int i;

	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_NE(-1, self->fd);
	test_ioctl_ioas_alloc(&self->ioas_id);
	test_cmd_set_temp_memory_limit(variant->memory_limit ?:
				       TEMP_MEMORY_DEFAULT);
	for (i = 0; i != variant->mock_domains; i++)
		test_cmd_mock_domain(self->ioas_id, &self->stdev_ids[i],
				     &self->hwpt_ids[i], NULL);
	self->base_iova = MOCK_APERTURE_START;
}

FIXTURE_TEARDOWN(iommufd_access)
{
	EXPECT_EQ(0, _test_cmd_set_temp_memory_limit(self->fd,
						     TEMP_MEMORY_DEFAULT));
	teardown_iommufd(self->fd, _metadata);
}

#define check_mock_iova(uptr, iova, length)                                \
	({                                                                 \
		unsigned int __i;                                          \
		for (__i = 0; __i != variant->mock_domains; __i++)         \
			test_cmd_check_map(self->hwpt_ids[__i], iova,      \
					   length, uptr);                  \
	})

TEST_F(iommufd_access, create_errors)
{
	int afd;

	/* Only an IOAS takes an access */
	test_err_create_access(ENOENT, 0, 0);
	test_err_create_access(ENOENT, self->ioas_id + 1000, PIN);
	if (variant->mock_domains)
		test_err_create_access(ENOENT, self->hwpt_ids[0], 0);
	/* Unknown creation flags */
	test_err_create_access(EOPNOTSUPP, self->ioas_id, 1 << 1);
	test_err_create_access(EOPNOTSUPP, self->ioas_id, 1 << 30);

	/* Ops on something that is not an access fd */
	test_err_access_pages(EBADFD, self->fd, self->base_iova, PAGE_SIZE,
			      NULL, 0);
	test_err_access_pages(EBADFD, -1, self->base_iova, PAGE_SIZE, NULL,
			      0);
	test_err_access_rw(EBADFD, self->fd, self->base_iova, buffer, 8, 0);
	test_err_destroy_access_pages(EBADFD, self->fd, 0);
	test_err_access_replace_ioas(EBADFD, self->fd, self->ioas_id);

	/* An access that does not pin cannot pin */
	test_cmd_create_access(self->ioas_id, &afd, 0);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, self->base_iova);
	test_err_access_pages(EOPNOTSUPP, afd, self->base_iova, PAGE_SIZE,
			      buffer, 0);
	/* Unknown op flags, too long requests */
	test_err_access_rw(EOPNOTSUPP, afd, self->base_iova, buffer, 8, 1 << 1);
	test_err_access_rw(ENOMEM, afd, self->base_iova, buffer,
			   (16 << 20) + 1, 0);
	test_cmd_destroy_access(afd);

	test_cmd_create_access(self->ioas_id, &afd, PIN);
	test_err_access_pages(EOPNOTSUPP, afd, self->base_iova, PAGE_SIZE,
			      buffer, 1 << 1);
	test_err_access_pages(ENOMEM, afd, self->base_iova, (16 << 20) + 1,
			      buffer, 0);
	/* Nothing pinned under an id: there is no such pin */
	test_err_destroy_access_pages(ENOENT, afd, 0);
	test_cmd_destroy_access(afd);
	test_cmd_check_refs(buffer, BUFFER_SIZE, variant->mock_domains ? 1 : 0);
}

TEST_F(iommufd_access, pin_errors)
{
	const __u32 rd = IOMMU_IOAS_MAP_READABLE;
	__u64 iova = self->base_iova + BUFFER_SIZE;
	__u64 ro_iova = self->base_iova + 4 * BUFFER_SIZE;
	int afd;

	test_cmd_create_access(self->ioas_id, &afd, PIN);
	/* Nothing mapped */
	test_err_access_pages(ENOENT, afd, self->base_iova, PAGE_SIZE, buffer,
			      0);
	test_ioctl_ioas_map_fixed(buffer, 4 * PAGE_SIZE, iova);
	test_ioctl_ioas_map_fixed(buffer, 4 * PAGE_SIZE, iova + 8 * PAGE_SIZE);
	/* Zero length, wrapping range */
	test_err_access_pages(EINVAL, afd, iova, 0, buffer, 0);
	test_err_access_pages(EOVERFLOW, afd, UINT64_MAX - PAGE_SIZE + 1,
			      2 * PAGE_SIZE, NULL, 0);
	/* Sticking out of a mapping, into a gap or before it */
	test_err_access_pages(ENOENT, afd, iova, 5 * PAGE_SIZE, buffer, 0);
	test_err_access_pages(ENOENT, afd, iova - PAGE_SIZE, 2 * PAGE_SIZE,
			      (char *)buffer - PAGE_SIZE, 0);
	test_err_access_pages(ENOENT, afd, iova, 12 * PAGE_SIZE, buffer, 0);
	/* The pages must be the ones behind uptr (the mock checks) */
	test_err_access_pages(EBADE, afd, iova, PAGE_SIZE,
			      (char *)buffer + PAGE_SIZE, 0);

	/* Read-only mapping: reading pins work, writing ones do not */
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, self->ioas_id, buffer,
					  PAGE_SIZE, &ro_iova,
					  rd | IOMMU_IOAS_MAP_FIXED_IOVA));
	test_err_access_pages(EPERM, afd, ro_iova, PAGE_SIZE, buffer,
			      MOCK_FLAGS_ACCESS_WRITE);
	test_cmd_access_pages(afd, ro_iova, PAGE_SIZE, buffer, 0, NULL);

	/* Failed pins left nothing pinned, the good one one pin */
	test_cmd_check_refs((char *)buffer + PAGE_SIZE, 3 * PAGE_SIZE,
			    variant->mock_domains ? 2 : 0);
	test_cmd_check_refs(buffer, PAGE_SIZE,
			    variant->mock_domains ? 3 : 1);
	test_cmd_destroy_access(afd);
	test_cmd_check_refs((char *)buffer + 4 * PAGE_SIZE,
			    BUFFER_SIZE - 4 * PAGE_SIZE, 0);
}

/* Pin every length, twice, and with a domain coming and going */
TEST_F(iommufd_access, pin)
{
	unsigned int npages;
	__u32 id1, id2;
	int afd;

	test_cmd_create_access(self->ioas_id, &afd, PIN);
	for (npages = 1; npages < BUFFER_SIZE / PAGE_SIZE; npages++) {
		__u64 len = npages * PAGE_SIZE;
		__u32 stdev, hwpt;

		test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE,
					  self->base_iova);
		test_cmd_access_pages(afd, self->base_iova, len, buffer,
				      MOCK_FLAGS_ACCESS_WRITE, &id1);
		/* Pinned once, whether or not a domain pinned it too */
		test_cmd_check_refs(buffer, len, 1);
		test_cmd_destroy_access_pages(afd, id1);
		test_err_destroy_access_pages(ENOENT, afd, id1);

		/* Two pins of the same range */
		test_cmd_access_pages(afd, self->base_iova, len, buffer, 0,
				      &id1);
		test_cmd_access_pages(afd, self->base_iova, len, buffer, 0,
				      &id2);
		ASSERT_NE(id1, id2);
		test_cmd_check_refs(buffer, len, 1);
		test_cmd_destroy_access_pages(afd, id2);
		test_cmd_check_refs(buffer, len, 1);
		test_cmd_destroy_access_pages(afd, id1);
		test_cmd_check_refs(buffer, BUFFER_SIZE,
				    variant->mock_domains ? 1 : 0);

		/* A domain added and removed under a pin */
		test_cmd_access_pages(afd, self->base_iova, len, buffer, 0,
				      &id1);
		test_cmd_mock_domain(self->ioas_id, &stdev, &hwpt, NULL);
		test_cmd_check_map(hwpt, self->base_iova, BUFFER_SIZE, buffer);
		test_ioctl_destroy(stdev);
		test_cmd_check_refs(buffer, len, 1);
		test_cmd_destroy_access_pages(afd, id1);

		test_ioctl_ioas_unmap(self->base_iova, BUFFER_SIZE);
		test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	}
	test_cmd_destroy_access(afd);
}

/* Pins spanning several mappings, and odd offsets within pages */
TEST_F(iommufd_access, pin_across_areas)
{
	__u64 iova = self->base_iova;
	__u32 id;
	int afd;

	test_cmd_create_access(self->ioas_id, &afd, PIN);
	test_ioctl_ioas_map_fixed(buffer, 4 * PAGE_SIZE, iova);
	test_ioctl_ioas_map_fixed((char *)buffer + 4 * PAGE_SIZE,
				  4 * PAGE_SIZE, iova + 4 * PAGE_SIZE);
	/* Byte granular start and length; whole pages come back */
	test_cmd_access_pages(afd, iova + 3 * PAGE_SIZE + 17, 2 * PAGE_SIZE,
			      (char *)buffer + 3 * PAGE_SIZE + 17, 0, &id);
	test_cmd_check_refs((char *)buffer + 3 * PAGE_SIZE, 3 * PAGE_SIZE,
			    1);
	/* The pin keeps both mappings: unmap asks and then succeeds */
	test_ioctl_ioas_unmap(iova, 8 * PAGE_SIZE);
	test_err_destroy_access_pages(ENOENT, afd, id);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	test_cmd_destroy_access(afd);
}

TEST_F(iommufd_access, pin_unmap)
{
	__u64 unmapped = 0;
	__u32 id;
	int afd;

	test_cmd_create_access(self->ioas_id, &afd, PIN);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, self->base_iova);
	test_cmd_access_pages(afd, self->base_iova, BUFFER_SIZE, buffer, 0,
			      &id);
	/* The unmap makes the access drop its pin first */
	test_ioctl_ioas_unmap(self->base_iova, BUFFER_SIZE);
	test_err_destroy_access_pages(ENOENT, afd, id);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	/* And unmap-all the same way */
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, self->base_iova);
	test_cmd_access_pages(afd, self->base_iova + PAGE_SIZE, PAGE_SIZE,
			      (char *)buffer + PAGE_SIZE, 0, &id);
	ASSERT_EQ(0, _test_ioctl_ioas_unmap(self->fd, self->ioas_id, 0,
					    UINT64_MAX, &unmapped));
	EXPECT_EQ(BUFFER_SIZE, unmapped);
	test_err_destroy_access_pages(ENOENT, afd, id);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	test_cmd_destroy_access(afd);
}

/* xiommu: an access that does not unpin makes the unmap fail, EBUSY */
TEST_F(iommufd_access, pin_kept)
{
	__u32 id, ioas2;
	int afd;

	test_cmd_create_access(self->ioas_id, &afd,
			       PIN | XIOMMU_MOCK_ACCESS_CREATE_KEEP_PINS);
	test_ioctl_ioas_map_fixed(buffer, 4 * PAGE_SIZE, self->base_iova);
	test_ioctl_ioas_map_fixed(buffer, 4 * PAGE_SIZE,
				  self->base_iova + 4 * PAGE_SIZE);
	test_cmd_access_pages(afd, self->base_iova + 4 * PAGE_SIZE,
			      PAGE_SIZE, buffer, 0, &id);

	/* Nothing unmapped, not even the unpinned mapping in the range */
	test_err_ioctl_ioas_unmap(EBUSY, self->base_iova, 8 * PAGE_SIZE);
	test_err_ioctl_ioas_unmap(EBUSY, self->base_iova + 4 * PAGE_SIZE,
				  4 * PAGE_SIZE);
	EXPECT_ERRNO(EBUSY, _test_ioctl_ioas_unmap(self->fd, self->ioas_id, 0,
						   UINT64_MAX, NULL));
	check_mock_iova(buffer, self->base_iova, 4 * PAGE_SIZE);
	check_mock_iova(buffer, self->base_iova + 4 * PAGE_SIZE,
			4 * PAGE_SIZE);
	/* The other mapping alone goes */
	test_ioctl_ioas_unmap(self->base_iova, 4 * PAGE_SIZE);
	/* Still usable by the access after the failed unmaps */
	test_cmd_access_rw(afd, self->base_iova + 4 * PAGE_SIZE, buffer, 8, 0);

	/* Nor can the access move away with its pins */
	test_ioctl_ioas_alloc(&ioas2);
	test_err_access_replace_ioas(EBUSY, afd, ioas2);
	test_cmd_access_rw(afd, self->base_iova + 4 * PAGE_SIZE, buffer, 8, 0);

	test_cmd_destroy_access_pages(afd, id);
	test_cmd_access_replace_ioas(afd, ioas2);
	test_ioctl_ioas_unmap(self->base_iova + 4 * PAGE_SIZE, 4 * PAGE_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 0);
	test_cmd_destroy_access(afd);
	test_ioctl_destroy(ioas2);
}

/* Pinning accesses need page alignment; the IOAS enforces it */
TEST_F(iommufd_access, pin_alignment)
{
	struct iommu_iova_range range;
	__u64 align = 0;
	__u32 num = 1;
	int afd, afd2;

	/* A mapping that is not page aligned keeps the access out */
	test_ioctl_ioas_map_fixed((char *)buffer + MOCK_PAGE_SIZE, PAGE_SIZE,
				  self->base_iova);
	test_err_create_access(EADDRINUSE, self->ioas_id, PIN);
	/* An access that only copies does not care */
	test_cmd_create_access(self->ioas_id, &afd, 0);
	test_ioctl_ioas_unmap(self->base_iova, PAGE_SIZE);

	test_cmd_create_access(self->ioas_id, &afd2, PIN);
	ASSERT_EQ(0, _test_ioctl_iova_ranges(self->fd, self->ioas_id, &range,
					     &num, &align));
	EXPECT_EQ(PAGE_SIZE, align);
	test_err_ioctl_ioas_map_fixed(EINVAL, (char *)buffer + MOCK_PAGE_SIZE,
				      PAGE_SIZE, self->base_iova);
	test_err_ioctl_ioas_map_fixed(EINVAL, buffer, PAGE_SIZE,
				      self->base_iova + MOCK_PAGE_SIZE);
	test_cmd_destroy_access(afd2);

	/* The alignment drops back with the pinning access gone */
	num = 1;
	ASSERT_EQ(0, _test_ioctl_iova_ranges(self->fd, self->ioas_id, &range,
					     &num, &align));
	EXPECT_EQ(variant->mock_domains ? MOCK_PAGE_SIZE : 1, align);
	test_cmd_destroy_access(afd);
}

/*
 * Random data through rw at every offset around a page boundary, then the
 * whole of [iova, iova + size), which maps @mem.
 */
static void __check_access_rw(struct __test_metadata *_metadata, int fd,
			      int afd, __u64 iova, char *mem, size_t size,
			      unsigned int flags)
{
	uint16_t tmp[32];
	uint8_t *big;
	__u64 cur, len;
	unsigned int i;

	for (i = 0; i != size / 2; i++)
		((uint16_t *)mem)[i] = rand();

	for (cur = iova + PAGE_SIZE - 40; cur < iova + PAGE_SIZE + 40; cur++) {
		for (len = 1; len < sizeof(tmp); len += 3) {
			ASSERT_EQ(0, _test_cmd_access_rw(fd, afd, cur, tmp,
							 len, flags));
			ASSERT_EQ(0, memcmp(mem + (cur - iova), tmp, len));
			for (i = 0; i != 32; i++)
				tmp[i] = rand();
			ASSERT_EQ(0, _test_cmd_access_rw(
					     fd, afd, cur, tmp, len,
					     flags | MOCK_ACCESS_RW_WRITE));
			ASSERT_EQ(0, memcmp(mem + (cur - iova), tmp, len));
		}
	}

	/* The whole range in one go */
	big = malloc(size);
	ASSERT_NE(NULL, big);
	ASSERT_EQ(0, _test_cmd_access_rw(fd, afd, iova, big, size, flags));
	ASSERT_EQ(0, memcmp(mem, big, size));
	memset(big, 0x77, size);
	ASSERT_EQ(0, _test_cmd_access_rw(fd, afd, iova, big, size,
					 flags | MOCK_ACCESS_RW_WRITE));
	ASSERT_EQ(0, memcmp(mem, big, size));
	free(big);
}

#define check_access_rw(_metadata, fd, afd, iova, flags)                   \
	__check_access_rw(_metadata, fd, afd, iova, buffer, BUFFER_SIZE,   \
			  flags)

TEST_F(iommufd_access, rw)
{
	__u64 iova = 0;
	int afd;

	test_cmd_create_access(self->ioas_id, &afd, 0);
	test_ioctl_ioas_map(buffer, BUFFER_SIZE, &iova);
	check_access_rw(_metadata, self->fd, afd, iova, 0);
	check_access_rw(_metadata, self->fd, afd, iova,
			MOCK_ACCESS_RW_SLOW_PATH);
	test_ioctl_ioas_unmap(iova, BUFFER_SIZE);
	test_cmd_destroy_access(afd);
}

/* Through pages an access pinned: what a device would see */
TEST_F(iommufd_access, rw_pinned)
{
	__u32 id;
	int afd, pfd;

	test_cmd_create_access(self->ioas_id, &afd, 0);
	test_cmd_create_access(self->ioas_id, &pfd, PIN);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, self->base_iova);
	test_cmd_access_pages(pfd, self->base_iova, BUFFER_SIZE, buffer, 0,
			      &id);
	check_access_rw(_metadata, self->fd, afd, self->base_iova, 0);
	check_access_rw(_metadata, self->fd, afd, self->base_iova,
			MOCK_ACCESS_RW_SLOW_PATH);
	test_cmd_destroy_access(pfd);
	test_cmd_destroy_access(afd);
}

TEST_F(iommufd_access, rw_unaligned)
{
	__u64 iova = self->base_iova + MOCK_PAGE_SIZE;
	int afd;

	test_cmd_create_access(self->ioas_id, &afd, 0);
	test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE, iova);
	check_access_rw(_metadata, self->fd, afd, iova, 0);
	test_ioctl_ioas_unmap(iova, BUFFER_SIZE);
	test_cmd_destroy_access(afd);
}

TEST_F(iommufd_access, rw_errors)
{
	const __u32 rd = IOMMU_IOAS_MAP_READABLE;
	const __u32 wr = IOMMU_IOAS_MAP_WRITEABLE;
	__u64 iova = self->base_iova;
	__u64 ro = iova + 4 * PAGE_SIZE;
	__u64 wo = iova + 8 * PAGE_SIZE;
	char tmp[16] = {};
	int afd;

	test_cmd_create_access(self->ioas_id, &afd, 0);
	test_err_access_rw(ENOENT, afd, iova, tmp, 8, 0);
	test_ioctl_ioas_map_fixed(buffer, 2 * PAGE_SIZE, iova);
	test_err_access_rw(EINVAL, afd, iova, tmp, 0, 0);
	test_err_access_rw(EOVERFLOW, afd, UINT64_MAX - 3, tmp, 8, 0);
	/* Running off the end of the mapping */
	test_err_access_rw(ENOENT, afd, iova + 2 * PAGE_SIZE - 4, tmp, 8, 0);
	/* Permissions */
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, self->ioas_id, buffer,
					  PAGE_SIZE, &ro,
					  rd | IOMMU_IOAS_MAP_FIXED_IOVA));
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, self->ioas_id, buffer,
					  PAGE_SIZE, &wo,
					  wr | IOMMU_IOAS_MAP_FIXED_IOVA));
	test_cmd_access_rw(afd, ro, tmp, 8, 0);
	test_err_access_rw(EPERM, afd, ro, tmp, 8, MOCK_ACCESS_RW_WRITE);
	test_cmd_access_rw(afd, wo, tmp, 8, MOCK_ACCESS_RW_WRITE);
	test_err_access_rw(EPERM, afd, wo, tmp, 8, 0);
	/* A bad user buffer is the mock's own copy: EFAULT */
	test_err_access_rw(EFAULT, afd, iova, (void *)8, 8, 0);
	test_cmd_destroy_access(afd);
}

/* The access keeps its IOAS alive; replace moves it */
TEST_F(iommufd_access, replace)
{
	__u32 ioas2, id;
	int afd;

	test_cmd_create_access(self->ioas_id, &afd, PIN);
	if (!variant->mock_domains) {
		test_err_ioctl_destroy(EBUSY, self->ioas_id);
	}
	test_ioctl_ioas_alloc(&ioas2);
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, ioas2, buffer, BUFFER_SIZE,
					  &(__u64){ self->base_iova },
					  MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA));
	test_ioctl_ioas_map_fixed((char *)buffer + PAGE_SIZE, PAGE_SIZE,
				  self->base_iova);
	test_cmd_access_pages(afd, self->base_iova, PAGE_SIZE,
			      (char *)buffer + PAGE_SIZE, 0, &id);

	/* Not an IOAS; the access keeps its pin and its IOAS */
	test_err_access_replace_ioas(ENOENT, afd, 0);
	if (variant->mock_domains)
		test_err_access_replace_ioas(ENOENT, afd, self->hwpt_ids[0]);
	test_cmd_check_refs((char *)buffer + PAGE_SIZE, PAGE_SIZE, 1);

	/* Onto its own IOAS: nothing happens */
	test_cmd_access_replace_ioas(afd, self->ioas_id);
	test_cmd_check_refs((char *)buffer + PAGE_SIZE, PAGE_SIZE, 1);

	/* Moving drops the pins made in the old IOAS */
	test_cmd_access_replace_ioas(afd, ioas2);
	test_err_destroy_access_pages(ENOENT, afd, id);
	test_cmd_access_pages(afd, self->base_iova, PAGE_SIZE, buffer, 0, &id);
	test_err_ioctl_destroy(EBUSY, ioas2);
	if (!variant->mock_domains)
		test_ioctl_destroy(self->ioas_id);
	test_cmd_destroy_access(afd);
	test_ioctl_destroy(ioas2);
}

/* Pinned pages in an IOAS without domains, copied to one with them */
TEST_F(iommufd_access, user_copy)
{
	__u64 src_iova = 0, dst_iova = self->base_iova + BUFFER_SIZE;
	__u32 src_ioas, src2, id;
	int afd;

	test_ioctl_ioas_alloc(&src_ioas);
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, src_ioas, buffer,
					  BUFFER_SIZE, &src_iova, MAP_RW));
	test_cmd_create_access(src_ioas, &afd, PIN);
	test_cmd_access_pages(afd, src_iova, BUFFER_SIZE, buffer, 0, &id);
	ASSERT_EQ(0, _test_ioctl_ioas_copy_flags(self->fd,
						 IOMMU_IOAS_MAP_FIXED_IOVA |
							 MAP_RW,
						 self->ioas_id, &dst_iova,
						 src_ioas, src_iova,
						 BUFFER_SIZE));
	check_mock_iova(buffer, dst_iova, BUFFER_SIZE);
	test_cmd_check_refs(buffer, BUFFER_SIZE, 1);

	/* A new source IOAS; the access moves there, the old one goes */
	test_ioctl_ioas_alloc(&src2);
	ASSERT_EQ(0, _test_ioctl_ioas_map(self->fd, src2, buffer, BUFFER_SIZE,
					  &src_iova, MAP_RW));
	test_cmd_access_replace_ioas(afd, src2);
	test_ioctl_destroy(src_ioas);
	test_cmd_access_pages(afd, src_iova, BUFFER_SIZE, buffer, 0, &id);
	test_ioctl_ioas_unmap(dst_iova, BUFFER_SIZE);
	ASSERT_EQ(0, _test_ioctl_ioas_copy_flags(self->fd,
						 IOMMU_IOAS_MAP_FIXED_IOVA,
						 self->ioas_id, &dst_iova,
						 src2, src_iova,
						 BUFFER_SIZE));
	check_mock_iova(buffer, dst_iova, BUFFER_SIZE);
	test_cmd_destroy_access_pages(afd, id);
	test_cmd_destroy_access(afd);
	test_ioctl_destroy(src2);
}

/* Mappings of a process that exited */
TEST_F(iommufd_access, fork_gone)
{
	pid_t child;
	int afd;

	test_cmd_create_access(self->ioas_id, &afd, 0);
	child = fork();
	if (!child) {
		test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE,
					  self->base_iova);
		exit(0);
	}
	ASSERT_NE(-1, child);
	ASSERT_EQ(child, waitpid(child, NULL, 0));

	if (variant->mock_domains) {
		/* Pinned while the child lived: readable through the pins */
		test_cmd_mock_domain(self->ioas_id, NULL, NULL, NULL);
		check_access_rw(_metadata, self->fd, afd, self->base_iova, 0);
	} else {
		/* Nothing was pinned and the memory is gone */
		test_err_mock_domain(EFAULT, self->ioas_id, NULL, NULL, NULL);
		test_err_access_rw(EFAULT, afd, self->base_iova, buffer, 8, 0);
	}
	test_cmd_destroy_access(afd);
}

/* Mappings of another process that is still there */
TEST_F(iommufd_access, fork_present)
{
	int pipefds[2];
	uint64_t one;
	pid_t child;
	int afd, efd;

	test_cmd_create_access(self->ioas_id, &afd, 0);
	ASSERT_EQ(0, pipe2(pipefds, O_CLOEXEC));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_NE(-1, efd);

	child = fork();
	if (!child) {
		char c;

		one = 1;
		close(pipefds[1]);
		test_ioctl_ioas_map_fixed(buffer, BUFFER_SIZE,
					  self->base_iova);
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			exit(100);
		if (read(pipefds[0], &c, 1) != 0)
			exit(100);
		exit(0);
	}
	ASSERT_NE(-1, child);
	close(pipefds[0]);
	ASSERT_EQ(8, read(efd, &one, sizeof(one)));

	/* The other process's memory, through temporary or domain pins */
	check_access_rw(_metadata, self->fd, afd, self->base_iova, 0);
	test_cmd_mock_domain(self->ioas_id, NULL, NULL, NULL);
	check_access_rw(_metadata, self->fd, afd, self->base_iova, 0);

	ASSERT_EQ(0, close(pipefds[1]));
	ASSERT_EQ(child, waitpid(child, NULL, 0));
	test_cmd_destroy_access(afd);
}

/* ---- temporary memory limit ---- */

TEST_F(iommufd_access, temp_memory_limit)
{
	size_t len = 64 * PAGE_SIZE;
	__u64 iova = self->base_iova;
	char *mem;
	__u32 id;
	int afd;

	/* Below one batch element */
	EXPECT_ERRNO(EINVAL, _test_cmd_set_temp_memory_limit(self->fd, 0));
	EXPECT_ERRNO(EINVAL, _test_cmd_set_temp_memory_limit(
				     self->fd, sizeof(long) + 3));
	test_cmd_set_temp_memory_limit(sizeof(long) + 4);

	/* Pinning, copying and unpinning one page pointer at a time */
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 0x3c, len);
	test_ioctl_ioas_map_fixed(mem, len, iova);
	check_mock_iova(mem, iova, len);
	test_cmd_create_access(self->ioas_id, &afd, PIN);
	test_cmd_access_pages(afd, iova, len, mem, 0, &id);
	test_cmd_check_refs(mem, len, 1);
	__check_access_rw(_metadata, self->fd, afd, iova, mem, len,
			  MOCK_ACCESS_RW_SLOW_PATH);
	test_cmd_destroy_access(afd);
	test_ioctl_ioas_unmap(iova, len);
	test_cmd_check_refs(mem, len, 0);
	ASSERT_EQ(0, munmap(mem, len));
}

/* ---- IOAS_COPY needs no permission flag (unlike IOAS_MAP) ---- */

TEST_F(iommufd_access, copy_no_permission)
{
	__u64 dst = self->base_iova + BUFFER_SIZE;
	int afd;

	test_ioctl_ioas_map_fixed(buffer, PAGE_SIZE, self->base_iova);
	ASSERT_EQ(0, _test_ioctl_ioas_copy_flags(self->fd,
						 IOMMU_IOAS_MAP_FIXED_IOVA,
						 self->ioas_id, &dst,
						 self->ioas_id,
						 self->base_iova, PAGE_SIZE));
	/* Such a mapping can be neither read nor written by an access */
	test_cmd_create_access(self->ioas_id, &afd, 0);
	test_err_access_rw(EPERM, afd, dst, buffer, 8, 0);
	test_err_access_rw(EPERM, afd, dst, buffer, 8, MOCK_ACCESS_RW_WRITE);
	test_cmd_destroy_access(afd);
}

TEST_HARNESS_MAIN
