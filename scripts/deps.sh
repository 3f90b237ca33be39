#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages xiommu's build, harness and tests need, if any
# is missing. Idempotent and quiet when everything is present, so the make
# targets that need packages (deps, run, check*, bench) call it on a fresh
# Debian 12 machine. With --check it installs nothing: it lists what is
# missing and fails (what plain `make` does, without root).
#
# usage: scripts/deps.sh [--check | --arm64-busybox | --bench]
#   --bench           also gnuplot (gnuplot-nox), which only `make bench`
#                     (and `make deps`) need, for build/bench/bench.png
#   --arm64-busybox   also make sure Debian's busybox-static for arm64 (the
#                     arm64 guests' shell, Documentation/harness.md) is
#                     extracted in the cache, and print the binary's path.
#                     It is fetched with apt-get from the machine's own
#                     Debian sources, through a private apt state for the
#                     arm64 architecture (the host's dpkg is not touched).
set -euo pipefail

pkgs=(
	build-essential
	linux-image-amd64
	linux-headers-amd64
	linux-source-6.1
	flex
	bison
	bc
	libelf-dev
	libssl-dev
	qemu-system-x86
	dpdk
	dpdk-dev
	busybox-static
	cpio
	xz-utils
	sparse
	python3
	dkms
	gcc-aarch64-linux-gnu
	libc6-dev-arm64-cross
	qemu-system-arm
)
[ -n "${XIOMMU_EXTRA_PKGS:-}" ] && pkgs+=(${XIOMMU_EXTRA_PKGS})
[ "${1:-}" != --bench ] || pkgs+=(gnuplot-nox)
# ccache: only the targets that install packages compile through it
# (Makefile, "Compiler cache"); plain `make` falls back to gcc.
[ "${1:-}" = --check ] || pkgs+=(ccache)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

# --check: only say what is missing (plain `make` never installs anything
# and needs no root; `make deps`, run, check and bench do install).
if [ "${1:-}" = --check ]; then
	[ ${#missing[@]} -gt 0 ] || exit 0
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: run 'make deps' as root (or apt-get install them) first" >&2
	exit 1
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}" >&2
	$SUDO apt-get update -q >&2
	$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

[ "${1:-}" = --arm64-busybox ] || exit 0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
# shellcheck source=scripts/lib-cache.sh
. "$ROOT/scripts/lib-cache.sh"
dir=$(xiommu_cache_dir busybox-arm64)
if [ ! -x "$dir/bin/busybox" ]; then
	(
		exec 8>"$dir/.lock"
		flock 8
		[ -x "$dir/bin/busybox" ] && exit 0
		apt=$dir/apt
		mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/deb"
		touch "$apt/status"
		opts=(-q -o APT::Architecture=arm64 -o APT::Architectures::=arm64
		      -o "Dir::State::Lists=$apt/lists"
		      -o "Dir::State::status=$apt/status"
		      -o "Dir::Cache=$apt/cache")
		echo "deps: fetching busybox-static for arm64" >&2
		apt-get "${opts[@]}" update >&2
		rm -f "$apt"/deb/*.deb
		(cd "$apt/deb" && apt-get "${opts[@]}" download busybox-static >&2)
		rm -rf "$dir/x"
		dpkg-deb -x "$apt"/deb/busybox-static_*.deb "$dir/x"
		# ELF e_machine (offset 18, little endian): 183 = EM_AARCH64
		[ "$(od -An -tu2 -j18 -N2 "$dir/x/bin/busybox" | tr -d ' ')" = 183 ] ||
			{ echo "deps: the arm64 busybox is not an aarch64 binary" >&2; exit 1; }
		mkdir -p "$dir/bin"
		mv "$dir/x/bin/busybox" "$dir/bin/busybox"
		rm -rf "$dir/x"
	) || exit 1
fi
echo "$dir/bin/busybox"
