#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Host: pack Debian's perf (linux-perf) and its shared libraries into a cpio
# archive for `scripts/vm --cpio` (the guest has no libc of its own).
# usage: scripts/profile/mkperf-cpio.sh OUT.cpio
set -eu
out=$(realpath "$1")
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/bin"
cp -L "$(command -v perf)" "$root/usr/bin/perf"
for l in $(ldd "$(command -v perf)" | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$l")"
	cp -L "$l" "$root$l"
done
(cd "$root" && find . | cpio -o -H newc 2>/dev/null) >"$out"
