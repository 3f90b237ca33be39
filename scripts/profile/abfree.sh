#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# guest: the two VT-d page-table freeing schemes in one boot, interleaved
# (issue 11; only at the commit that has both: xiommu_vtd.pt_simple_free).
# abfree.sh PAIRS: PAIRS rounds of bench_compare's iommufd door with
# per-table use counts (N) and freeing only covered tables (Y), the order
# alternating, then /vtd_superpage with each (its sparse test logs the
# table counts). Output lines prefixed N or Y; scripts/profile/abfree-summ.py
# makes the table. Needs /bench_compare and /vtd_superpage added:
#   scripts/vm --profile vtd --add build/bin/bench_compare \
#	--add build/bin/vtd_superpage --add scripts/profile/abfree.sh -- /abfree.sh 3
P=/sys/module/xiommu_vtd/parameters/pt_simple_free
R=${1:-3}
i=0
while [ $i -lt $R ]; do
	if [ $((i % 2)) = 0 ]; then order="N Y"; else order="Y N"; fi
	for m in $order; do
		echo $m > $P
		/bench_compare --rounds 1 --max-mib 256 --calls 4096 iommufd 2>&1 | sed "s/^/$m /"
	done
	i=$((i+1))
done
for m in N Y; do
	echo $m > $P
	/vtd_superpage 2>&1 | sed "s/^/$m /"
done
