#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the kernel's checkpatch.pl (from Debian's linux-source-6.1, extracted
# once under build/checkpatch/) over every kernel source file of the project.
# Exit status: non-zero if checkpatch reports an ERROR or WARNING.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-$PWD/build}
cp_dir=$build/checkpatch
src=/usr/src/linux-source-6.1.tar.xz
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$cp_dir"
	tar -xJf "$src" -C "$cp_dir" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi
files=$(git ls-files 'src/*.[ch]' 'drivers/*.[ch]' 'include/*.h')
# --no-tree: we are not a kernel tree; the ignores are for an out-of-tree
# module (no MAINTAINERS entry, no in-tree paths).
"$cp_dir/scripts/checkpatch.pl" --no-tree --quiet --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE \
	-f $files
