#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages xiommu's build, harness and tests need, if any
# is missing. Idempotent and quiet when everything is present, so every make
# target can call it on a fresh Debian 12 machine.
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
)
[ -n "${XIOMMU_EXTRA_PKGS:-}" ] && pkgs+=(${XIOMMU_EXTRA_PKGS})

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
