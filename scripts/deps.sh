#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages xiommu's build, harness and tests need, if any
# is missing. Idempotent and quiet when everything is present, so the make
# targets that need packages (deps, run, check*, bench) call it on a fresh
# Debian 12 machine. With --check it installs nothing: it lists what is
# missing and fails (what plain `make` does, without root).
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
)
[ -n "${XIOMMU_EXTRA_PKGS:-}" ] && pkgs+=(${XIOMMU_EXTRA_PKGS})

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

# --check: only say what is missing (plain `make` never installs anything
# and needs no root; `make deps`, run, check and bench do install).
if [ "${1:-}" = --check ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: run 'make deps' as root (or apt-get install them) first" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
