# SPDX-License-Identifier: GPL-2.0-only
#
# The arm64 tier's build products, included by the top-level Makefile
# (Documentation/harness.md, "The arm64 tier"):
#   make kernel-arm64   build (or find cached) the arm64 test kernel
#                       (scripts/kernel/build-arm64); path in
#                       build/arm64-kernel.path
#   make modules-arm64  the modules cross-built against it, in a snapshot of
#                       the tree: build/arm64/tree (W=1 by default)
#   make tools-arm64    the selftests and tools cross-built (static):
#                       build/arm64/bin/
#   make check-arm64    the arm64 guests (scripts/check-arm64)

# Which build/arm64/bin/ test binaries run on which arm64 profile
# (PROFILE:GLOB[,GLOB...], one guest boot per profile, as STOCK_TESTS).
ARM64_TESTS := \
	smmuv3:dma_*,smmu_*,vfio_* \
	virtio-arm64:dma_*,virtio_iommu,virtio_kernel_dev,vfio_* \
	mock-arm64:iommufd_*

ARM64_CROSS ?= aarch64-linux-gnu-
ARM64_TREE := $(BUILD)/arm64/tree

.PHONY: kernel-arm64 modules-arm64 tools-arm64 check-arm64

kernel-arm64: deps
	+@scripts/kernel/build-arm64

# The sources only, with their modification times (unchanged files do not
# rebuild): not the objects of a native `make modules` in the working tree,
# whose .cmd files would make Kbuild rebuild all of them here (in `make
# check` that was the arm64 tier compiling again what the host tier had
# just built).
ARM64_COPY_EXCLUDES := --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='.*.d' --exclude='*.a' \
	--exclude=modules.order --exclude=Module.symvers

modules-arm64: kernel-arm64
	@mkdir -p $(ARM64_TREE) && tar -c $(ARM64_COPY_EXCLUDES) Kbuild src drivers include kunit | \
		tar -x -C $(ARM64_TREE)
	MAKE='$(MAKE)' scripts/kbuild $(ARM64_TREE) -C $$(cat $(BUILD)/arm64-kernel.path) \
		ARCH=arm64 CROSS_COMPILE=$(ARM64_CROSS) W=$(or $(W),1) modules

tools-arm64: deps
	$(MAKE) --no-print-directory tools BUILD=$(BUILD)/arm64 \
		KSFT_DIR=$(BUILD)/kselftest TOOLS_CC=$(ARM64_CROSS)gcc

check-arm64: deps
	@rm -rf $(CHECK_RESULTS)/arm64
	+@scripts/check-arm64 $(foreach t,$(ARM64_TESTS),'$(t)') || true
	@scripts/check-summary $(CHECK_RESULTS)/arm64
