// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unmap/remap churn against a reference model, on any IOMMU profile.
 *
 * One edu, one IOAS. Sixteen 4 KiB IOVA slots: slots 0-7 are adjacent
 * (so multi-page maps and unmaps happen, and page-selective invalidations
 * with address masks), slots 8-15 lie 2 MiB apart (so unmaps empty and
 * free whole page tables). Each slot can be backed by one of two pages,
 * A or B, and every remap switches to the other one: a stale IOTLB entry
 * would then send DMA to the old page, which the model catches.
 *
 * A fixed-seed PRNG picks CHURN_STEPS steps: map a slot, map a run of
 * adjacent slots with one IOMMU_IOAS_MAP, unmap a mapping (whole area),
 * DMA from the device buffer to a random slot and offset, DMA from a slot
 * into the device buffer, or check the device buffer. The model knows
 * which slots are mapped to which page and what every page and the
 * device buffer hold. After every DMA: mapped -> the data arrived exactly
 * where the model says and nowhere else, no fault; unmapped -> nothing
 * changed and the unit reported a fault.
 *
 *   scripts/vm --profile vtd --add build/bin/dma_churn -- /dma_churn
 *
 * DMA_CHURN_SEED=N in the environment replaces the seed.
 */
#include "kselftest_harness.h"
#include "lib/dma_util.h"

#define NSLOT		16
#define RUN_SLOTS	8
#define PAGE		4096
#define IOVA_RUN	0x1000000ULL	/* slots 0-7, adjacent */
#define IOVA_FAR	0x4000000ULL	/* slots 8-15, 2 MiB apart */
#define IOVA_SCRATCH	0x0800000ULL	/* always mapped: device buffer I/O */
#define DEVBUF		4095		/* usable device buffer bytes */
#define CHURN_STEPS	160
#define CHURN_SEED	0x5eed1234ULL
#define TIMEOUT_S	280

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned int rnd(unsigned int n)
{
	return rng() % n;
}

static uint64_t slot_iova(unsigned int i)
{
	return i < RUN_SLOTS ? IOVA_RUN + i * PAGE :
			       IOVA_FAR + (i - RUN_SLOTS) * 0x200000ULL;
}

FIXTURE(churn) {
	char bdf[PCI_BDF_LEN];
	char unit[XIOMMU_UNIT_LEN];
	int iommufd, devfd;
	uint32_t ioas;
	uint8_t *page[2];		/* A and B pages, NSLOT each */
	uint8_t *scratch;		/* IOVA_SCRATCH */
	uint8_t shadow[2][NSLOT * PAGE];	/* what A and B must hold */
	uint8_t devbuf[DEVBUF];		/* what the device buffer holds */
	bool mapped[NSLOT];
	unsigned int which[NSLOT];	/* 0: A, 1: B */
	unsigned int area_first[NSLOT];	/* first slot of the slot's mapping */
	unsigned int area_len[NSLOT];	/* slots in it */
	int64_t faults;
	unsigned int n_map, n_unmap, n_dma_ok, n_dma_fault;
};

FIXTURE_SETUP(churn)
{
	const char *seed = getenv("DMA_CHURN_SEED");

	self->iommufd = -1;
	self->devfd = -1;
	rng_state = seed ? strtoull(seed, NULL, 0) : CHURN_SEED;
	if (!rng_state)
		rng_state = CHURN_SEED;
	TH_LOG("seed %#llx", (unsigned long long)rng_state);
	if (edu_find_solo(self->bdf))
		SKIP(return, "no edu device");
	ASSERT_EQ(0, pci_make_idle(self->bdf));
	self->iommufd = iommufd_open();
	ASSERT_LE(0, self->iommufd);
	ASSERT_EQ(0, iommufd_ioas_alloc(self->iommufd, &self->ioas));
	self->page[0] = dma_buf_alloc(NSLOT * PAGE);
	self->page[1] = dma_buf_alloc(NSLOT * PAGE);
	self->scratch = dma_buf_alloc(PAGE);
	ASSERT_TRUE(self->page[0] && self->page[1] && self->scratch);
	ASSERT_EQ(0, iommufd_map(self->iommufd, self->ioas, self->scratch,
				 PAGE, IOVA_SCRATCH));
	self->devfd = edu_open_attached(self->bdf, self->iommufd, self->ioas,
					NULL);
	ASSERT_LE(0, self->devfd);
	ASSERT_EQ(0, xiommu_dev_unit(self->bdf, self->unit,
				     sizeof(self->unit)));
	/* A known device buffer to start from. */
	dma_fill(self->scratch, PAGE, 0x3a);
	ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SCRATCH, 0, DEVBUF, false));
	memcpy(self->devbuf, self->scratch, DEVBUF);
	xiommu_fault_sync(self->unit);
	self->faults = xiommu_unit_faults(self->unit);
	ASSERT_LE(0, self->faults);
}

FIXTURE_TEARDOWN(churn)
{
	if (self->devfd >= 0)
		close(self->devfd);
	if (self->iommufd >= 0)
		close(self->iommufd);
	dma_buf_free(self->page[0], NSLOT * PAGE);
	dma_buf_free(self->page[1], NSLOT * PAGE);
	dma_buf_free(self->scratch, PAGE);
	if (self->bdf[0])
		pci_make_idle(self->bdf);
}

/* Both page sets hold exactly what the model says. */
static bool pages_match(FIXTURE_DATA(churn) *self)
{
	return !memcmp(self->page[0], self->shadow[0], NSLOT * PAGE) &&
	       !memcmp(self->page[1], self->shadow[1], NSLOT * PAGE);
}

/* New faults since the last call (after letting them be reported). */
static int64_t new_faults(FIXTURE_DATA(churn) *self)
{
	int64_t f, d;

	xiommu_fault_sync(self->unit);
	f = xiommu_unit_faults(self->unit);
	if (f < 0)
		return f;
	d = f - self->faults;
	self->faults = f;
	return d;
}

/* Map slots [first, first + n) to page set @which with one call. */
static int do_map(FIXTURE_DATA(churn) *self, unsigned int first,
		  unsigned int n, unsigned int which)
{
	unsigned int i;
	int ret;

	ret = iommufd_map(self->iommufd, self->ioas,
			  self->page[which] + first * PAGE, n * PAGE,
			  slot_iova(first));
	if (ret)
		return ret;
	for (i = first; i < first + n; i++) {
		self->mapped[i] = true;
		self->which[i] = which;
		self->area_first[i] = first;
		self->area_len[i] = n;
	}
	self->n_map++;
	return 0;
}

static int do_unmap(FIXTURE_DATA(churn) *self, unsigned int slot)
{
	unsigned int first = self->area_first[slot], n = self->area_len[slot];
	unsigned int i;
	int ret;

	ret = iommufd_unmap(self->iommufd, self->ioas, slot_iova(first),
			    (uint64_t)n * PAGE);
	if (ret)
		return ret;
	for (i = first; i < first + n; i++)
		self->mapped[i] = false;
	self->n_unmap++;
	return 0;
}

TEST_F_TIMEOUT(churn, model, TIMEOUT_S)
{
	unsigned int step, i, n, first, off, len, doff;
	int64_t nf;

	if (!self->unit[0])
		return;
	for (step = 0; step < CHURN_STEPS; step++) {
		unsigned int op = rnd(100);

		if (op < 20) {
			/* Map one unmapped slot, to the other page. */
			i = rnd(NSLOT);
			if (self->mapped[i])
				continue;
			ASSERT_EQ(0, do_map(self, i, 1, !self->which[i]));
		} else if (op < 30) {
			/* Map a run of 2-4 unmapped adjacent slots at once. */
			n = 2 + rnd(3);
			first = rnd(RUN_SLOTS - n + 1);
			for (i = first; i < first + n; i++)
				if (self->mapped[i])
					break;
			if (i < first + n)
				continue;
			ASSERT_EQ(0, do_map(self, first, n, rnd(2)));
		} else if (op < 50) {
			/* Unmap the whole mapping a random slot belongs to. */
			i = rnd(NSLOT);
			if (!self->mapped[i])
				continue;
			ASSERT_EQ(0, do_unmap(self, i));
		} else if (op < 85) {
			/* Device buffer -> slot. */
			i = rnd(NSLOT);
			len = 1 + rnd(2048);
			off = rnd(PAGE - len + 1);
			doff = rnd(DEVBUF - len + 1);
			ASSERT_EQ(0, edu_dma(self->devfd, slot_iova(i) + off,
					     doff, len, true));
			if (self->mapped[i])
				memcpy(self->shadow[self->which[i]] +
				       i * PAGE + off, self->devbuf + doff,
				       len);
			nf = new_faults(self);
			ASSERT_LE(0, nf);
			if (self->mapped[i]) {
				ASSERT_EQ(0, nf);
				self->n_dma_ok++;
			} else {
				ASSERT_LT(0, nf);
				self->n_dma_fault++;
			}
		} else if (op < 95) {
			/* Slot -> device buffer (checked by later DMAs). */
			i = rnd(NSLOT);
			len = 1 + rnd(2048);
			off = rnd(PAGE - len + 1);
			doff = rnd(DEVBUF - len + 1);
			ASSERT_EQ(0, edu_dma(self->devfd, slot_iova(i) + off,
					     doff, len, false));
			if (self->mapped[i])
				memcpy(self->devbuf + doff,
				       self->shadow[self->which[i]] +
				       i * PAGE + off, len);
			nf = new_faults(self);
			ASSERT_LE(0, nf);
			if (self->mapped[i]) {
				ASSERT_EQ(0, nf);
				self->n_dma_ok++;
			} else {
				ASSERT_LT(0, nf);
				self->n_dma_fault++;
				/*
				 * The edu stores whatever the failed read
				 * returned (QEMU 7.2): load a known buffer.
				 */
				dma_fill(self->scratch, PAGE, (uint8_t)step);
				ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SCRATCH,
						     0, DEVBUF, false));
				memcpy(self->devbuf, self->scratch, DEVBUF);
			}
		} else {
			/* The device buffer as the model has it. */
			memset(self->scratch, 0, PAGE);
			ASSERT_EQ(0, edu_dma(self->devfd, IOVA_SCRATCH, 0,
					     DEVBUF, true));
			ASSERT_EQ(0, memcmp(self->scratch, self->devbuf,
					    DEVBUF));
		}
		if (!pages_match(self)) {
			TH_LOG("step %u: page contents differ from the model",
			       step);
			ASSERT_TRUE(pages_match(self));
		}
	}
	TH_LOG("%u maps, %u unmaps, %u DMAs through, %u DMAs faulted",
	       self->n_map, self->n_unmap, self->n_dma_ok,
	       self->n_dma_fault);
	/* The seed must have exercised both outcomes. */
	ASSERT_LT(0, self->n_dma_ok);
	ASSERT_LT(0, self->n_dma_fault);

	/* Unmap everything: every slot faults, nothing changes. */
	for (i = 0; i < NSLOT; i++)
		if (self->mapped[i])
			ASSERT_EQ(0, do_unmap(self, i));
	for (i = 0; i < NSLOT; i++) {
		ASSERT_EQ(0, edu_dma(self->devfd, slot_iova(i), 0, 64, true));
		nf = new_faults(self);
		ASSERT_LT(0, nf);
	}
	ASSERT_TRUE(pages_match(self));
}

TEST_HARNESS_MAIN
