// SPDX-License-Identifier: GPL-2.0-only
/*
 * tools/xiommu-top against what this test set up, on any IOMMU profile
 * with an edu (vtd*, virtio, smmuv3): an edu bound and attached to an IOAS
 * with a known mapping, then `/xiommu-top --json` and `--once` run as a
 * user would, and their output must name exactly that: the unit, the
 * endpoint owned by user space, this process's context with the IOAS's
 * mapped and pinned bytes, the HWPT on the unit, the device on the HWPT.
 * After close the context must be gone. The program is found at
 * /xiommu-top (scripts/check-stock adds it to every guest) or next to
 * this test.
 *
 *   scripts/vm --profile vtd --add build/bin/dma_top \
 *	--add build/bin/xiommu-top -- /dma_top
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lib/dma_util.h"

#define MAP_LEN		(64 * 4096)
#define MAP_IOVA	0x400000ULL

static const char *top_path(void)
{
	return access("/xiommu-top", X_OK) ? "./xiommu-top" : "/xiommu-top";
}

/* Run xiommu-top with @arg; its stdout in @out. Return: exit status. */
static int run_top(const char *arg, char *out, size_t len)
{
	char cmd[256];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", top_path(), arg);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n + 1 < len && !feof(p))
		n += fread(out + n, 1, len - n - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Is there a line in @text containing every one of @parts? */
static bool line_has(const char *text, const char *const *parts, int nparts)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);
		char buf[1024];
		int i;

		snprintf(buf, sizeof(buf), "%.*s", (int)(l < 1023 ? l : 1023),
			 line);
		for (i = 0; i < nparts; i++)
			if (!strstr(buf, parts[i]))
				break;
		if (i == nparts)
			return true;
		line = end ? end + 1 : NULL;
	}
	return false;
}

FIXTURE(top)
{
	char bdf[PCI_BDF_LEN];
	char unit[64];
	int iommufd;
	int devfd;
	uint32_t ioas_id;
	uint32_t hwpt_id;
	void *buf;
};

FIXTURE_SETUP(top)
{
	if (access(top_path(), X_OK))
		SKIP(return, "no xiommu-top in the guest");
	if (edu_find_solo(self->bdf))
		SKIP(return, "no edu device");
	xiommu_debugfs_mount();
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas_id));
	self->buf = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, 0x5a, MAP_LEN);
	/* two areas, so that one can be unmapped (unmap takes whole areas) */
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id, self->buf,
				 MAP_LEN / 2, MAP_IOVA));
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas_id,
				 (char *)self->buf + MAP_LEN / 2, MAP_LEN / 2,
				 MAP_IOVA + MAP_LEN / 2));
	self->devfd = edu_open_attached(self->bdf, self->iommufd,
					self->ioas_id, &self->hwpt_id);
	ASSERT_LE(0, self->devfd);
	ASSERT_EQ(0, xiommu_dev_unit(self->bdf, self->unit,
				     sizeof(self->unit)));
}

FIXTURE_TEARDOWN(top)
{
	if (self->devfd > 0)
		close(self->devfd);
	if (self->iommufd > 0)
		close(self->iommufd);
}

/* The JSON names the unit, the owned endpoint and this context's objects. */
TEST_F(top, json)
{
	static char out[1 << 16];
	char s1[128], s2[128], s3[128], s4[128];

	ASSERT_EQ(0, run_top("--json", out, sizeof(out)));
	ASSERT_NE(NULL, strstr(out, "\"units\": ["));
	ASSERT_NE(NULL, strstr(out, "\"contexts\": ["));

	snprintf(s1, sizeof(s1), "{\"id\": \"%s\"", self->unit);
	{
		const char *p[] = { s1, "\"driver\": ", "\"endpoints\": " };

		EXPECT_TRUE(line_has(out, p, 3));
	}

	/* the endpoint: owned by user space, our driver bound */
	snprintf(s1, sizeof(s1), "{\"id\": \"%s\"", self->bdf);
	snprintf(s2, sizeof(s2), "\"unit\": \"%s\"", self->unit);
	snprintf(s3, sizeof(s3), "\"driver\": \"%s\"", vfio_dev_driver());
	{
		const char *p[] = { s1, "\"owned\": 1", "\"domain\": \"paging\"",
				    s2, s3 };

		EXPECT_TRUE(line_has(out, p, 5));
	}

	/* this process's context */
	snprintf(s1, sizeof(s1), "\"pid\": %d", getpid());
	{
		const char *p[] = { s1, "\"kind\": \"iommufd\"" };

		EXPECT_TRUE(line_has(out, p, 2));
	}

	/* the IOAS: exactly the mapping, all of it pinned (a domain is on) */
	snprintf(s1, sizeof(s1), "{\"id\": %u,", self->ioas_id);
	snprintf(s2, sizeof(s2), "\"mapped\": %u,", MAP_LEN);
	snprintf(s3, sizeof(s3), "\"pinned\": %u,", MAP_LEN);
	{
		const char *p[] = { s1, s2, s3, "\"areas\": 2",
				    "\"type\": \"ioas\"" };

		EXPECT_TRUE(line_has(out, p, 5));
	}

	/* the HWPT on our unit, and the device on it */
	snprintf(s1, sizeof(s1), "{\"id\": %u,", self->hwpt_id);
	snprintf(s2, sizeof(s2), "\"ioas\": %u,", self->ioas_id);
	snprintf(s3, sizeof(s3), "\"unit\": \"%s\"", self->unit);
	{
		const char *p[] = { s1, s2, s3, "\"domain\": \"paging\"",
				    "\"type\": \"hwpt\"" };

		EXPECT_TRUE(line_has(out, p, 5));
	}
	snprintf(s1, sizeof(s1), "\"dev\": \"%s\"", self->bdf);
	snprintf(s4, sizeof(s4), "\"hwpt\": %u,", self->hwpt_id);
	{
		const char *p[] = { s1, s4, "\"type\": \"device\"" };

		EXPECT_TRUE(line_has(out, p, 3));
	}
}

/* Unmapping half shows at once; closing everything removes the context. */
TEST_F(top, follows_changes)
{
	static char out[1 << 16];
	char s1[64], s2[64];

	ASSERT_EQ(0, iommufd_unmap(self->iommufd, self->ioas_id,
				   MAP_IOVA + MAP_LEN / 2, MAP_LEN / 2));
	ASSERT_EQ(0, run_top("--json", out, sizeof(out)));
	snprintf(s1, sizeof(s1), "\"mapped\": %u,", MAP_LEN / 2);
	snprintf(s2, sizeof(s2), "\"pinned\": %u,", MAP_LEN / 2);
	{
		const char *p[] = { s1, s2, "\"areas\": 1", "\"type\": \"ioas\"" };

		EXPECT_TRUE(line_has(out, p, 3));
	}

	close(self->devfd);
	close(self->iommufd);
	self->devfd = self->iommufd = -1;
	ASSERT_EQ(0, run_top("--json", out, sizeof(out)));
	snprintf(s1, sizeof(s1), "\"pid\": %d", getpid());
	EXPECT_EQ(NULL, strstr(out, s1));
	snprintf(s1, sizeof(s1), "{\"id\": \"%s\"", self->bdf);
	{
		const char *p[] = { s1, "\"owned\": 0" };

		EXPECT_TRUE(line_has(out, p, 2));
	}
}

/* The screen a person reads: the same facts as a table. */
TEST_F(top, once)
{
	static char out[1 << 16];
	char s1[64];

	ASSERT_EQ(0, run_top("--once", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "UNIT"));
	EXPECT_NE(NULL, strstr(out, self->unit));
	snprintf(s1, sizeof(s1), "pid %d", getpid());
	EXPECT_NE(NULL, strstr(out, s1));
	snprintf(s1, sizeof(s1), "IOAS %-5u mapped 256.0K", self->ioas_id);
	EXPECT_NE(NULL, strstr(out, s1));
	EXPECT_EQ(2, run_top("--bogus", out, sizeof(out)));
}

TEST_HARNESS_MAIN
