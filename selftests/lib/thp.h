/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transparent huge page helpers shared by the selftests and tools/ (header
 * only: every program is one .c file).
 */
#ifndef XIOMMU_SELFTESTS_THP_H
#define XIOMMU_SELFTESTS_THP_H

#include <stdio.h>

/*
 * kB of transparent huge pages backing this process ("AnonHugePages" in
 * /proc/self/smaps_rollup). Return: the amount, or -1 if it cannot be read.
 */
static inline long thp_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/smaps_rollup", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

#endif /* XIOMMU_SELFTESTS_THP_H */
