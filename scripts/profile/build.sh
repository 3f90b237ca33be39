#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Host: build the per-call measurement kit into build/profile/:
# percall (static), xiommu_bench_floor.ko (the floor module of make bench),
# perf.cpio.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$ROOT/build/profile
mkdir -p "$B"
gcc -I"$ROOT/include/uapi" -I"$ROOT/include" -I"$ROOT/selftests" \
    -isystem "$ROOT/build/kselftest" -O2 -Wall -static \
    -o "$B/percall" "$ROOT/scripts/profile/percall.c"
# the floor: make bench's test-only module, built with the tree's modules
make -s -C "$ROOT" modules
cp "$ROOT/drivers/test/xiommu_bench_floor.ko" "$B/"
[ -f "$B/perf.cpio" ] || "$ROOT/scripts/profile/mkperf-cpio.sh" "$B/perf.cpio"
# The "old" module set for ab.sh: BASE=REV builds REV's modules into base.tar.
if [ -n "${BASE:-}" ]; then
	rm -rf "$B/base-src" && mkdir -p "$B/base-src"
	git -C "$ROOT" archive "$BASE" | tar x -C "$B/base-src"
	make -s -C "$B/base-src" modules
	rm -rf "$B/base-ko" && mkdir -p "$B/base-ko"
	find "$B/base-src/src" "$B/base-src/drivers" -name '*.ko' \
	    -exec cp {} "$B/base-ko/" \;
	tar cf "$B/base.tar" -C "$B/base-ko" .
fi
