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

# Builds use every CPU unless the command line says otherwise (make -jN
# wins). Only the outermost make adds it: sub-makes share its jobserver,
# so the tiers of `make check` that build side by side never run more
# compilers than there are CPUs.
ifeq ($(MAKELEVEL),0)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif

.PHONY: all deps have-deps modules clean tools install dkms-install style run check \
	check-host check-stock check-debug check-dkms check-clients bench kernel-debug fuzz

all: modules tools

# Compiler cache (Documentation/harness.md, "Compiler cache"): the targets
# that install packages (run, check*, bench, fuzz) compile through Debian's
# ccache, whose cache lives in the machine cache (scripts/lib-cache.sh), so
# a second clone reuses the first one's objects. Every compile below them
# (Kbuild's gcc, the cross gcc, the tools' gcc, in sub-makes and scripts)
# finds ccache's masquerade links first on PATH. Plain `make` and the
# kernel builds (scripts/kernel/, CCACHE_DISABLE) do not use it: without
# ccache installed gcc is found as before. XIOMMU_CCACHE=0 turns it off.
ifneq ($(filter run check check-% bench fuzz,$(MAKECMDGOALS)),)
XIOMMU_CCACHE ?= 1
endif
ifeq ($(XIOMMU_CCACHE),1)
ifeq ($(filter /usr/lib/ccache,$(subst :, ,$(PATH))),)
export PATH := /usr/lib/ccache:$(PATH)
endif
CCACHE_DIR ?= $(shell BUILD='$(BUILD)' bash -c '. scripts/lib-cache.sh && xiommu_cache_dir ccache')
# Paths under the clone are hashed relative to the directory of the
# compile (the tools' -I paths are then the same in every clone; module
# trees are at one fixed path, scripts/kbuild); that directory itself is
# not hashed (it only names the debug info's DW_AT_comp_dir).
CCACHE_BASEDIR ?= $(CURDIR)
CCACHE_NOHASHDIR ?= 1
CCACHE_MAXSIZE ?= 5G
export XIOMMU_CCACHE CCACHE_DIR CCACHE_BASEDIR CCACHE_NOHASHDIR CCACHE_MAXSIZE
endif

# Only the targets that need packages install them (deps, run, check*,
# bench, kernel-debug, style, dkms-install); `make`, modules and tools need
# no root and only check that the packages are there.
deps:
	@scripts/deps.sh $(if $(filter deps bench,$(MAKECMDGOALS)),--bench)

have-deps:
	@scripts/deps.sh --check

modules: have-deps
	+$(if $(filter 1,$(XIOMMU_CCACHE)),MAKE='$(MAKE)' scripts/kbuild $(CURDIR),$(MAKE) M=$(CURDIR)) \
		-C $(KDIR) W=$(W) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)/bin

# Hosts get no test-only module (xiommu_mock, drivers/test/): the tree is
# rebuilt without them before modules_install. Test machines opt in with
# `make install XIOMMU_INSTALL_TEST_MODULES=1`.
XIOMMU_INSTALL_TEST_MODULES ?= 0
install: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) \
		XIOMMU_TEST_MODULES=$(XIOMMU_INSTALL_TEST_MODULES) modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates/xiommu \
		XIOMMU_TEST_MODULES=$(XIOMMU_INSTALL_TEST_MODULES) modules_install
	depmod -a $(KVER)

# DKMS: copies the tracked files of the working tree to
# /usr/src/xiommu-<version>, builds and installs them for KVER (default: the
# newest installed Debian 6.1 headers, as for `make`), and DKMS rebuilds
# them for every kernel installed later (dkms.conf). Replaces an earlier
# registration of the same version. scripts/check-dkms tests it.
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
dkms-install:
	XIOMMU_EXTRA_PKGS=dkms scripts/deps.sh
	-dkms remove xiommu/$(DKMS_VERSION) --all >/dev/null 2>&1
	rm -rf /usr/src/xiommu-$(DKMS_VERSION)
	mkdir -p /usr/src/xiommu-$(DKMS_VERSION)
	git ls-files -z | tar --null -T - -c | tar -x -C /usr/src/xiommu-$(DKMS_VERSION)
	XIOMMU_TEST_MODULES=$(XIOMMU_INSTALL_TEST_MODULES) \
		dkms install xiommu/$(DKMS_VERSION) -k $(KVER)

style: deps
	scripts/style.sh

-include scripts/tools.mk
-include scripts/check.mk
-include scripts/arm64.mk
