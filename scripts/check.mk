# SPDX-License-Identifier: GPL-2.0-only
#
# Test tiers, included by the top-level Makefile. Documentation/harness.md
# explains the harness; in short:
#   make check-host    W=1 module build without warnings, userspace build
#   make check-stock   the selftests in QEMU guests running Debian's kernel
#   make kernel-debug  build (or find cached) the debug test kernel
#   make check-debug   KUnit, the selftests and fail-nth sweeps on it
#   make check-dkms    make dkms-install, then DMA with the installed modules
#   make check-clients Debian's QEMU 7.2 and DPDK 22.11 assign devices
#                      (CLIENTS_BACKEND=xiommu, the default, or kernel:
#                      the kernel's own VFIO, the reference)
#   make check-arm64   the arm64 guests (smmuv3, virtio-arm64; scripts/arm64.mk)
#   make check         every tier; the last line of output is
#                      "N passed, N failed, N skipped", non-zero exit if
#                      anything failed
#   make run           the demo on the vtd profile (PROFILE=P: on P)
# Results and logs: build/results/<tier>/.

CHECK_RESULTS := $(BUILD)/results

# Which build/bin/ test binaries run on which scripts/vm profile, by name:
# PROFILE:GLOB[,GLOB...], a GLOB written !GLOB leaves those names out.
# Every binary of a profile runs in one guest boot. dma_vfio_device (the
# vfio-pci device uAPI: interrupts, config space, regions, resets; it maps
# no IOVA) runs on one profile per IOMMU driver: the VT-d modes of vtd-sm,
# vtd-cm and vtd-48 change only the attach and map paths, which their
# other dma_* and vtd_* tests exercise.
STOCK_TESTS := \
	mock:iommufd_* \
	vtd:vtd_*,dma_*,vfio_*,bench_smoke \
	vtd-sm:vtd_*,dma_*,!dma_vfio_device \
	vtd-cm:vtd_*,dma_*,!dma_vfio_device \
	vtd-48:vtd_*,dma_*,!dma_vfio_device \
	virtio:dma_*,virtio_*,vfio_*

# The debug tier (scripts/check-debug, Documentation/debug-tier.md): the same
# PROFILE:GLOB form, on the debug kernel. Each KUnit module (*kunit*.ko)
# runs in the first of these guests that loads the modules it depends on.
DEBUG_TESTS := \
	mock:iommufd_*,xiommu_fuzz \
	vtd:vtd_*,dma_*,vfio_*,xiommu_fuzz

# Settings (VAR=VALUE, exported to the test binaries) for the debug tier
# only. What KASAN and lockdep add shows within a few rounds, and a round
# costs about three times the stock kernel's: the stress tests run shorter
# here, their full length runs in the stock and arm64 tiers.
#   vfio_unload_stress: 8 s (stock vtd, virtio, virtio-arm64: 20 s)
DEBUG_TEST_ENV := VFIO_UNLOAD_STRESS_SECONDS=8
CHECK_DEBUG_TEST_ENV ?= $(DEBUG_TEST_ENV)
export CHECK_DEBUG_TEST_ENV

# The clients tier (scripts/check-clients): which VFIO serves QEMU and
# DPDK. xiommu: our modules on the clients and clients-virtio guests;
# kernel: the kernel's own intel-iommu + vfio on the clients-kernel guest.
CLIENTS_BACKEND ?= xiommu

CHECK_TEST_TIMEOUT ?= 300
CHECK_BOOT_TIMEOUT ?= 300
export CHECK_TEST_TIMEOUT CHECK_BOOT_TIMEOUT

check-host: deps
	@rm -rf $(CHECK_RESULTS)/host
	+@scripts/check-host || true
	@scripts/check-summary $(CHECK_RESULTS)/host

check-stock: deps
	@rm -rf $(CHECK_RESULTS)/stock
	+@scripts/check-stock $(foreach t,$(STOCK_TESTS),'$(t)') || true
	@scripts/check-summary $(CHECK_RESULTS)/stock

check-debug: deps
	@rm -rf $(CHECK_RESULTS)/debug
	+@scripts/check-debug $(foreach t,$(DEBUG_TESTS),'$(t)') || true
	@scripts/check-summary $(CHECK_RESULTS)/debug

# make dkms-install for the guest kernel, then DMA with the installed modules.
check-dkms: deps
	+@$(MAKE) --no-print-directory tools
	+@scripts/check-dkms || true
	@scripts/check-summary $(CHECK_RESULTS)/dkms

check-clients: deps
	@rm -rf $(CHECK_RESULTS)/clients
	+@scripts/check-clients --backend $(CLIENTS_BACKEND) || true
	@scripts/check-summary $(CHECK_RESULTS)/clients

# First the modules and programs, and beside them (one jobserver) the
# debug tier's kernel and W=1 modules, so that the debug guests, the
# longest, are ready first. Then every tier runs side by side: their guests
# share CHECK_JOBS machine-wide slots (scripts/lib-jobs.sh; default: one per
# CPU; the debug guests go first) and their compiles the one jobserver, so
# the host tier's builds and checkpatch fill the CPU time the guests leave
# idle. The arm64 tier follows the host tier, whose arm64 W=1 build is its
# tree. scripts/check-times lists where the time went.
check: deps
	@rm -rf $(CHECK_RESULTS)
	+@{ scripts/check-stock --build-only || true; } & \
	{ scripts/check-debug --build-only || true; } & \
	wait
	+@{ scripts/check-debug --no-build $(foreach t,$(DEBUG_TESTS),'$(t)') || true; } & \
	{ scripts/check-stock --no-build $(foreach t,$(STOCK_TESTS),'$(t)') || true; } & \
	{ scripts/check-host || true; \
	  scripts/check-arm64 $(foreach t,$(ARM64_TESTS),'$(t)') || true; } & \
	{ scripts/check-clients --no-build --backend $(CLIENTS_BACKEND) || true; } & \
	{ scripts/check-dkms || true; } & \
	wait
	@scripts/check-summary $(CHECK_RESULTS)

# A soak run of the fuzzer (tools/xiommu_fuzz, Documentation/debug-tier.md):
#   make fuzz [SECONDS=600] [PROFILE=mock] [KERNEL=debug|stock] [SEED=N]
#             [THREADS=3] [FUZZ_ARGS="--fail-nth 5 ..."]
SECONDS ?= 600
PROFILE ?= mock
KERNEL ?= debug
THREADS ?= 3
SEED ?=
FUZZ_ARGS ?=
fuzz: deps
	+scripts/fuzz '$(PROFILE)' '$(SECONDS)' '$(KERNEL)' --threads '$(THREADS)' \
		$(if $(SEED),--seed '$(SEED)') $(FUZZ_ARGS)

# The debug test kernel (scripts/kernel/build-debug): built once, cached
# in the shared cache (scripts/lib-cache.sh), path in build/debug-kernel.path.
kernel-debug: deps
	+@scripts/kernel/build-debug

# make run PROFILE=P: the demo on another profile; the arm64 ones
# (scripts/arm64.mk) take the cross-built modules and programs. deps first,
# then a sub-make: KVER/KDIR are found only once the headers are installed.
ARM64_PROFILES := smmuv3 virtio-arm64 mock-arm64
RUN_PROFILE := $(or $(PROFILE),vtd)
RUN_ARM64 := $(filter $(RUN_PROFILE),$(ARM64_PROFILES))
run: deps
	+@$(MAKE) --no-print-directory $(if $(RUN_ARM64),modules-arm64 tools-arm64,modules $(BUILD)/bin/xiommu-demo)
	scripts/vm --profile $(RUN_PROFILE) \
		--add $(BUILD)/$(if $(RUN_ARM64),arm64/)bin/xiommu-demo -- /xiommu-demo

# Map/unmap cost on xiommu's guests next to the peer (the kernel's own
# VT-d and VFIO) and the floor, one table and a plot (scripts/bench,
# Documentation/bench.md). BENCH_PROFILES overrides the profiles.
BENCH_PROFILES ?= vtd vtd-cm virtio smmuv3 mock
bench: deps
	+@$(MAKE) --no-print-directory modules tools $(if $(filter smmuv3 virtio-arm64,$(BENCH_PROFILES)),modules-arm64 tools-arm64)
	scripts/bench $(BENCH_PROFILES)
