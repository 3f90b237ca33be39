# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# scripts/lib-cache.sh - where expensive build products (kernels, guest
# payloads) are cached, sourced by the scripts that make them.
#
# Everything cached is keyed by a hash of its inputs, so one cache can serve
# every clone and worktree of xiommu on a machine: a fresh clone reuses a
# kernel another clone built. XIOMMU_CACHE overrides the location; by default
# it is /var/cache/xiommu when that can be created and written, else
# $BUILD/cache (inside the clone, git-ignored).

# xiommu_cache_dir NAME - print (and create) the cache directory for NAME.
xiommu_cache_dir() {
	local base=${XIOMMU_CACHE:-}
	if [ -z "$base" ]; then
		base=/var/cache/xiommu
		if ! mkdir -p "$base" 2>/dev/null || [ ! -w "$base" ]; then
			base=${BUILD:?}/cache
		fi
	fi
	mkdir -p "$base/$1"
	(cd "$base/$1" && pwd)
}
