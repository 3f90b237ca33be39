#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# guest: A/B of two module sets in one boot: "old" (/base, extracted from
# /base.tar) and "new" (/xiommu/ko, the profile's), interleaved.
# ab.sh ROUNDS CALLS [COMMAND]: per round and set, `percall 3 CALLS` and
# COMMAND (a shell command line, e.g. "/virtio_bench 64 1"), its output
# lines prefixed with the set's name. Needs /percall, /xiommu_bench_floor.ko and
# /base.tar (scripts/profile/build.sh) added to the guest.
R=${1:-4}; N=${2:-1024}; X=$3
mkdir -p /base && cd /base && tar xf /base.tar && cd /
insmod /xiommu_bench_floor.ko
mods=$(awk '$1 ~ /^xiommu/ {print $1}' /xiommu/modules)
rev=; for m in $mods; do rev="$m $rev"; done
load() {
	for m in $rev; do rmmod $m || exit 1; done
	while read -r name args; do
		case $name in xiommu*) insmod $1/$name.ko $args || exit 1;; esac
	done < /xiommu/modules
}
i=0
while [ $i -lt $R ]; do
	for set in old new; do
		[ $set = old ] && load /base || load /xiommu/ko
		/percall 3 $N | sed -n "s/^round [0-9]*: /$set /p"
		[ -n "$X" ] && sh -c "$X" 2>&1 | sed "s/^/$set /"
	done
	i=$((i+1))
done
