#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the kernel's checkpatch.pl (from Debian's linux-source-6.1) over every
# kernel source file of the project.
# Exit status: non-zero if checkpatch reports an ERROR or WARNING.
#
# checkpatch.pl is extracted once into the shared cache (scripts/lib-cache.sh,
# keyed by the tarball), and its report on each file is cached there too,
# keyed by the file's path and contents, checkpatch itself and its options:
# a fresh clone checks only the files no clone has checked as they are (a
# full run is about 50 CPU seconds of perl, extracting about 14).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-$PWD/build}
# shellcheck source=scripts/lib-cache.sh
. scripts/lib-cache.sh
src=/usr/src/linux-source-6.1.tar.xz
# shellcheck disable=SC2054 # the commas are checkpatch's list separators
opts=(--no-tree --quiet --terse --show-types --summary-file
      --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE)

tar_id=$(stat -c '%s %Y' "$src" | sha256sum | cut -c1-16)
cache=$(xiommu_cache_dir "checkpatch-$tar_id")
exec {lock}>"$cache/.lock"
flock "$lock"
if [ ! -x "$cache/scripts/checkpatch.pl" ]; then
	rm -rf "$cache/tmp"
	mkdir -p "$cache/tmp"
	tar -xJf "$src" -C "$cache/tmp" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	mv "$cache/tmp/scripts" "$cache/scripts"
	rmdir "$cache/tmp"
fi
flock -u "$lock"
mkdir -p "$cache/reports"

# --no-tree: we are not a kernel tree; the ignores are for an out-of-tree
# module (no MAINTAINERS entry, no in-tree paths).
tool_id=$(cat "$cache/scripts/"* | { cat; echo "${opts[*]}"; } | sha256sum | cut -c1-32)
mapfile -t files < <(git ls-files 'src/*.[ch]' 'drivers/*.[ch]' 'include/*.h')
todo=()
declare -A key
for f in "${files[@]}"; do
	key[$f]=$({ echo "$tool_id $f"; cat "$f"; } | sha256sum | cut -c1-32)
	[ -f "$cache/reports/${key[$f]}" ] || todo+=("$f")
done
if [ ${#todo[@]} -gt 0 ]; then
	out=$BUILD/checkpatch.out
	mkdir -p "$BUILD"
	"$cache/scripts/checkpatch.pl" "${opts[@]}" -f "${todo[@]}" >"$out" 2>&1 || true
	# One report per file: its lines start with "PATH:LINE:" or, the
	# summary, "PATH total:". Anything else (checkpatch failing) is shown
	# and nothing is cached.
	if awk -v list="${todo[*]}" '
		BEGIN { n = split(list, f, " "); for (i = 1; i <= n; i++) ok[f[i]] = 1 }
		{ p = $0; sub(/[: ].*/, "", p); if (!(p in ok)) exit 1 }' "$out"; then
		for f in "${todo[@]}"; do
			awk -v f="$f" 'index($0, f ":") == 1 || index($0, f " ") == 1' \
				"$out" >"$cache/reports/${key[$f]}.tmp.$$"
			mv "$cache/reports/${key[$f]}.tmp.$$" "$cache/reports/${key[$f]}"
		done
	else
		cat "$out"
		exit 1
	fi
fi
for f in "${files[@]}"; do
	cat "$cache/reports/${key[$f]}"
done | tee "$BUILD/checkpatch.report"
! grep -qE ': (ERROR|WARNING):' "$BUILD/checkpatch.report"
