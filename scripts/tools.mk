# SPDX-License-Identifier: GPL-2.0-only
#
# Userspace programs, included by the top-level Makefile:
#   selftests/NAME.c -> build/bin/NAME     (kselftest-harness tests)
#   tools/NAME.c     -> build/bin/NAME     (demo and helper programs)
# One .c file per program; share code between them through headers in
# selftests/ or tools/. Programs are linked statically so they run in the
# busybox-only guest of scripts/vm.
#
# The kselftest harness headers come from Debian's linux-source-6.1 tarball,
# extracted once into build/kselftest/. They sit on the -isystem path because
# the 6.1 harness itself is not -Wextra clean (unused parameters in its
# macros); our own code still gets every warning.

# KSFT_DIR: where the harness headers go; tools-arm64 shares the native
# build's (the headers are the same, and extracting them scans the whole
# tarball: about 14 CPU seconds).
KSFT_DIR ?= $(BUILD)/kselftest

TOOLS_CC ?= gcc
TOOLS_CFLAGS ?= -O2 -g
TOOLS_CFLAGS += -Wall -Wextra -Werror -MMD -MP
TOOLS_LDFLAGS ?= -static
TOOLS_CPPFLAGS := -I$(CURDIR)/include/uapi -I$(CURDIR)/include \
	-I$(CURDIR)/selftests -isystem $(KSFT_DIR)

LINUX_SOURCE_TAR ?= /usr/src/linux-source-6.1.tar.xz
KSFT_STAMP := $(KSFT_DIR)/.extracted

SELFTEST_BINS := $(patsubst selftests/%.c,$(BUILD)/bin/%,$(wildcard selftests/*.c))
TOOL_BINS := $(patsubst tools/%.c,$(BUILD)/bin/%,$(wildcard tools/*.c))
# TOOLS_ONLY="PATTERN..." (make patterns such as dma_%): build only the
# programs of those names (scripts/check-arm64: the ones its guests run).
ifneq ($(TOOLS_ONLY),)
SELFTEST_BINS := $(filter $(addprefix $(BUILD)/bin/,$(TOOLS_ONLY)),$(SELFTEST_BINS))
TOOL_BINS := $(filter $(addprefix $(BUILD)/bin/,$(TOOLS_ONLY)),$(TOOL_BINS))
endif

.PHONY: tools selftests-bins tools-bins

tools: have-deps $(KSFT_STAMP) selftests-bins tools-bins
selftests-bins: $(SELFTEST_BINS)
tools-bins: $(TOOL_BINS)

# Only the two harness headers, never the whole tree.
$(KSFT_STAMP): | have-deps
	rm -rf $(KSFT_DIR).tmp
	mkdir -p $(KSFT_DIR).tmp
	tar -xJf $(LINUX_SOURCE_TAR) -C $(KSFT_DIR).tmp \
		--occurrence=1 --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h
	mkdir -p $(KSFT_DIR)
	mv $(KSFT_DIR).tmp/kselftest.h \
		$(KSFT_DIR).tmp/kselftest_harness.h $(KSFT_DIR)/
	rm -rf $(KSFT_DIR).tmp
	touch $@

# Compile and link are two commands: ccache (the check targets' compiler
# cache, Documentation/harness.md) caches only a compile (-c); a command
# that also links is not cacheable. The objects are kept (.PRECIOUS).
TOOLS_OBJ := $(BUILD)/obj
.PRECIOUS: $(TOOLS_OBJ)/%.o

$(TOOLS_OBJ)/%.o: selftests/%.c $(KSFT_STAMP) | have-deps
	@mkdir -p $(@D)
	$(TOOLS_CC) $(TOOLS_CPPFLAGS) $(TOOLS_CFLAGS) -c -o $@ $<

$(TOOLS_OBJ)/%.o: tools/%.c $(KSFT_STAMP) | have-deps
	@mkdir -p $(@D)
	$(TOOLS_CC) $(TOOLS_CPPFLAGS) $(TOOLS_CFLAGS) -c -o $@ $<

$(BUILD)/bin/%: $(TOOLS_OBJ)/%.o
	@mkdir -p $(@D)
	$(TOOLS_CC) $(TOOLS_CFLAGS) -o $@ $< $(TOOLS_LDFLAGS)

-include $(wildcard $(TOOLS_OBJ)/*.d)
