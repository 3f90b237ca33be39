// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_smoke: the correctness part of tools/bench_compare (`make bench`,
 * Documentation/bench.md) in the stock tier's vtd guest: through
 * IOAS_MAP/UNMAP with an edu attached and through xiommu's VFIO type1
 * container, the edu DMAs into a mapping and back and the bytes match,
 * then every bench case runs once at tiny sizes (4 KiB .. 256 KiB, 16
 * one-page calls) and each call succeeds. The floor door needs a module
 * the profile does not load: make bench covers it, and selftests/bench_floor.
 * Any failure prints what failed and fails the test.
 */
#include "lib/bench.h"

#include "kselftest_harness.h"

TEST(iommufd_and_type1)
{
	max_bytes = 256 * 1024;
	calls = 16;
	rounds = 1;
	doors[DOOR_IOMMUFD].on = true;
	doors[DOOR_TYPE1].on = true;
	bench_setup();	/* the DMA checks: exit(1) if the bytes differ */
	bench_door(0, DOOR_IOMMUFD);
	bench_door(0, DOOR_TYPE1);
	bench_teardown();
}

TEST_HARNESS_MAIN
