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

TOOLS_CC ?= gcc
TOOLS_CFLAGS ?= -O2 -g
TOOLS_CFLAGS += -Wall -Wextra -Werror -MMD -MP
TOOLS_LDFLAGS ?= -static
TOOLS_CPPFLAGS := -I$(CURDIR)/include/uapi -I$(CURDIR)/include \
	-I$(CURDIR)/selftests -isystem $(BUILD)/kselftest

LINUX_SOURCE_TAR ?= /usr/src/linux-source-6.1.tar.xz
KSFT_STAMP := $(BUILD)/kselftest/.extracted

SELFTEST_BINS := $(patsubst selftests/%.c,$(BUILD)/bin/%,$(wildcard selftests/*.c))
TOOL_BINS := $(patsubst tools/%.c,$(BUILD)/bin/%,$(wildcard tools/*.c))

.PHONY: tools selftests-bins tools-bins

tools: have-deps $(KSFT_STAMP) selftests-bins tools-bins
selftests-bins: $(SELFTEST_BINS)
tools-bins: $(TOOL_BINS)

# Only the two harness headers, never the whole tree.
$(KSFT_STAMP): | have-deps
	rm -rf $(BUILD)/kselftest.tmp
	mkdir -p $(BUILD)/kselftest.tmp
	tar -xJf $(LINUX_SOURCE_TAR) -C $(BUILD)/kselftest.tmp \
		--occurrence=1 --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h
	mkdir -p $(BUILD)/kselftest
	mv $(BUILD)/kselftest.tmp/kselftest.h \
		$(BUILD)/kselftest.tmp/kselftest_harness.h $(BUILD)/kselftest/
	rm -rf $(BUILD)/kselftest.tmp
	touch $@

$(BUILD)/bin/%: selftests/%.c $(KSFT_STAMP) | have-deps
	@mkdir -p $(@D)
	$(TOOLS_CC) $(TOOLS_CPPFLAGS) $(TOOLS_CFLAGS) -o $@ $< $(TOOLS_LDFLAGS)

$(BUILD)/bin/%: tools/%.c $(KSFT_STAMP) | have-deps
	@mkdir -p $(@D)
	$(TOOLS_CC) $(TOOLS_CPPFLAGS) $(TOOLS_CFLAGS) -o $@ $< $(TOOLS_LDFLAGS)

-include $(wildcard $(BUILD)/bin/*.d)
