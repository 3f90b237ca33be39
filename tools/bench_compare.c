// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_compare: the same map/unmap operations through three doors, for
 * `make bench` (scripts/bench) to set side by side:
 *
 *   iommufd   IOMMU_IOAS_MAP / IOMMU_IOAS_UNMAP on /dev/iommu, an edu bound
 *             to xiommu's vfio-pci and attached to the IOAS (or, with
 *             --mock, a mock device of xiommu_mock)
 *   type1     the legacy VFIO API: a container on /dev/vfio/vfio with the
 *             edu's group, VFIO_IOMMU_MAP_DMA / UNMAP_DMA (xiommu's
 *             container, or the kernel's vfio_iommu_type1: the peer)
 *   floor     /dev/xiommu_bench_floor (drivers/test/xiommu_bench_floor.c):
 *             only the pin_user_pages_fast / unpin calls the map and unmap
 *             make, and a null ioctl
 *
 * usage: bench_compare [--rounds N] [--max-mib M] [--calls C] [--mock]
 *                      [--smoke] DOOR...
 *
 * Each round runs every door once, the doors in a different order each
 * round (interleaved), and in each: one map and one unmap of every size
 * from 4 KiB to M MiB (powers of 4; each size at least 3 times, small
 * sizes up to 64 times or 4 MiB, the median of those), with 4 KiB pages
 * and with 2 MiB transparent huge pages behind the memory, then C maps
 * of one 4 KiB page per call and C unmaps of one page per call. Memory
 * is touched before it is mapped: page faults are not counted, pinning
 * is. Before the first round each device door makes the edu DMA through
 * a mapping, both ways, and checks the bytes, so the page tables measured
 * are the ones the device uses.
 *
 * Output, one line per figure (scripts/bench aggregates them; min and
 * median over rounds):
 *   R ROUND DOOR OP BACKING BYTES NS_PER_PAGE INV_PER_MIB
 * OP is map, unmap (one call of BYTES), map1, unmap1 (one 4 KiB page per
 * call; NS_PER_PAGE is then ns per call) or null (floor: an ioctl that
 * does nothing); BACKING 4k or thp; INV_PER_MIB is what the IOMMU driver
 * counted in debugfs per MiB (VT-d: invalidation descriptors or register
 * writes; virtio-iommu: MAP/UNMAP requests; SMMUv3: TLBI commands,
 * CMD_SYNC not counted), or "-".
 * Also "# ..." comment lines and "V DOOR ok" for each verified DMA.
 * --smoke: one round, sizes up to 64 KiB, 16 calls: the correctness part.
 *
 * Exit status: 0, or 1 if a call or the DMA check failed.
 */
#include "lib/bench.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_compare [--rounds N] [--max-mib M] [--calls C] [--mock] [--smoke] iommufd|type1|floor...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int r, i, n = 0;
	int d;

	for (i = 1; i < (unsigned int)argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--rounds") && i + 1 < (unsigned int)argc) {
			rounds = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(arg, "--max-mib") && i + 1 < (unsigned int)argc) {
			max_bytes = strtoul(argv[++i], NULL, 0) * MIB;
		} else if (!strcmp(arg, "--calls") && i + 1 < (unsigned int)argc) {
			calls = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(arg, "--mock")) {
			use_mock = true;
		} else if (!strcmp(arg, "--smoke")) {
			rounds = 1;
			max_bytes = 64 * 1024;
			calls = 16;
		} else {
			for (d = 0; d < NR_DOORS; d++)
				if (!strcmp(arg, door_name[d]))
					break;
			if (d == NR_DOORS)
				usage();
			doors[d].on = true;
			n++;
		}
	}
	if (!n || !rounds || max_bytes < PAGE || max_bytes > 256 * MIB ||
	    !calls || calls > max_bytes / PAGE)
		usage();

	bench_setup();
	for (r = 0; r < rounds; r++)
		for (i = 0; i < NR_DOORS; i++) {
			d = (r + i) % NR_DOORS;	/* a different door first */
			if (doors[d].on)
				bench_door(r, d);
		}
	bench_teardown();
	return 0;
}
