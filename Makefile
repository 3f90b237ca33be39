# SPDX-License-Identifier: GPL-2.0-only
#
# xiommu top-level Makefile. The two commands users need:
#   make run    - boot a QEMU guest with emulated VT-d and move device DMA
#                 through xiommu (see README.md)
#   make check  - every test tier, ending with "N passed, N failed, N skipped"
#
# Modules are built out of tree against Debian's 6.1 headers for the kernel
# the guests boot (never `uname -r` of the host): override KVER or KDIR.

KVER ?= $(shell scripts/kver.sh)
KDIR ?= /usr/src/linux-headers-$(KVER)
BUILD ?= $(CURDIR)/build
W ?=

export KVER KDIR BUILD

.PHONY: all deps modules clean tools install dkms-install style run check \
	check-host check-stock check-debug bench kernel-debug

all: modules tools

deps:
	@scripts/deps.sh

modules: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)/bin

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates/xiommu modules_install
	depmod -a $(KVER)

# DKMS: copies the tree to /usr/src/xiommu-<version> and builds it for every
# installed kernel (dkms.conf).
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
dkms-install:
	XIOMMU_EXTRA_PKGS=dkms scripts/deps.sh
	rm -rf /usr/src/xiommu-$(DKMS_VERSION)
	mkdir -p /usr/src/xiommu-$(DKMS_VERSION)
	git archive HEAD | tar -x -C /usr/src/xiommu-$(DKMS_VERSION)
	dkms install xiommu/$(DKMS_VERSION)

style: deps
	scripts/style.sh

-include scripts/tools.mk
-include scripts/check.mk
-include scripts/arm64.mk
