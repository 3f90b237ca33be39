# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Result rules shared by the guest tiers of `make check` (scripts/check-stock,
# scripts/check-debug): which test binaries a PROFILE:GLOB entry runs, and
# how a binary's kselftest TAP output, exit status and kernel log become
# result records (format: scripts/check-summary). Sourced, not run; the
# caller sets ROOT, BUILD and TEST_TIMEOUT (seconds per binary).

SPLAT_RE=$(grep -v '^#' "$ROOT/scripts/splat-patterns" | paste -sd '|')

record() {	# record FILE pass|fail|skip NAME
	printf '%s\t%s\n' "$2" "$3" >>"$1"
}

# test_bins GLOBS: the build/bin/ programs whose name matches one of the
# comma-separated GLOBS and no GLOB written !GLOB, one a line, in name
# order. Only programs that
# `make tools` builds from a source that still exists (selftests/NAME.c or
# tools/NAME.c) count: a binary left behind by a renamed or deleted source
# is ignored, so a working tree runs what a clean clone runs.
test_bins() {
	local f name g patterns hit
	IFS=, read -r -a patterns <<<"$1"
	for f in "$BUILD"/bin/*; do
		name=$(basename "$f")
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then
			continue
		fi
		if [ ! -f "$ROOT/selftests/$name.c" ] && [ ! -f "$ROOT/tools/$name.c" ]; then
			continue
		fi
		hit=0
		for g in "${patterns[@]}"; do
			# shellcheck disable=SC2053 # glob match on purpose
			if [[ "$g" == '!'* ]]; then
				[[ "$name" != ${g#!} ]] || continue 2
			elif [[ "$name" == $g ]]; then
				hit=1
			fi
		done
		[ $hit = 0 ] || echo "$name"
	done
}

# tap_records NAME STATUS SECONDS LOG: records for one binary's TAP output.
# Each top-level result line is one record: "ok" passed ("# SKIP" skipped),
# "not ok" failed ("# TODO" skipped); the "# @@time S" comment that
# scripts/vm-run-tests writes after it becomes the record's third field
# (guest seconds the case took). One more failure for a timeout, a
# kill by a signal (crash), a missing plan, fewer results than planned, a
# bail-out, or a non-zero exit (other than kselftest's 4, skip) without a
# failed case. "1..0" with no result is one skip.
tap_records() {
	awk -v name="$1" -v rc="$2" -v secs="$3" -v limit="$TEST_TIMEOUT" '
	function desc(line) {
		sub(/^(not )?ok [0-9]+ ?/, "", line)
		return line == "" ? "(unnamed)" : line
	}
	function flush_rec() {
		if (rec != "")
			print rec
		rec = ""
	}
	/^# @@time [0-9.]+$/ {
		if (rec != "")
			print rec "\t" $3
		rec = ""
		next
	}
	{ flush_rec() }
	/^ok [0-9]+/ {
		n++
		d = desc($0)
		rec = (toupper(d) ~ /# *SKIP/ ? "skip" : "pass") "\t" name ": " d
		next
	}
	/^not ok [0-9]+/ {
		n++
		d = desc($0)
		if (toupper(d) ~ /# *TODO/) {
			rec = "skip\t" name ": " d
		} else {
			nfail++
			rec = "fail\t" name ": " d
		}
		next
	}
	/^1\.\.[0-9]+/ { plan = substr($0, 4) + 0; hasplan = 1; next }
	/^Bail out!/ { bail = 1 }
	END {
		flush_rec()
		if ((rc == 137 || rc == 143) && secs >= limit)
			print "fail\t" name ": timed out after " secs " s"
		else if (rc > 128)
			print "fail\t" name ": killed by signal " rc - 128
		else if (!hasplan)
			print "fail\t" name ": no TAP plan (exit status " rc ")"
		else if (plan == 0 && n == 0)
			print "skip\t" name ": skipped as a whole (1..0)"
		else if (n < plan)
			print "fail\t" name ": " n " of " plan " results (exit status " rc ")"
		else if (bail)
			print "fail\t" name ": bailed out"
		else if (rc != 0 && rc != 4 && nfail == 0)
			print "fail\t" name ": exit status " rc
	}' "$4"
}

# split_framed DIR: split DIR/vm/stdout, framed by scripts/vm-run-tests,
# into DIR/NAME.log (the binary's output) and DIR/NAME.status
# ("STATUS SECONDS").
split_framed() {
	awk -v dir="$1" '
	/^@@xiommu-test begin / { out = dir "/" $3 ".log"; printf "" >out; next }
	/^@@xiommu-test end / {
		st = dir "/" $3 ".status"
		print $4 " " $5 >st
		close(st)
		close(out)
		out = ""
		next
	}
	out != "" { print >out }
	' "$1/vm/stdout" 2>/dev/null
}

# pin_splats DIR: write DIR/splats, one line per test (the NAME of the
# "xiommu-test: begin NAME" kernel log marker) during which the kernel log
# matched scripts/splat-patterns, "@boot" for a splat outside any test.
pin_splats() {
	local log=$1/vm/dmesg
	[ -s "$log" ] || log=$1/vm/console.log
	awk -v re="$SPLAT_RE" '
	/xiommu-test: begin / { sub(/.*xiommu-test: begin /, ""); cur = $1; next }
	/xiommu-test: end / { cur = ""; next }
	$0 ~ re { hit[cur == "" ? "@boot" : cur]++ }
	END { for (t in hit) print t }
	' "$log" 2>/dev/null >"$1/splats"
}

# counts FILE: "N passed, N failed, N skipped" of one results file
counts() {
	awk -F '\t' '{ n[$1]++ } END {
		printf "%d passed, %d failed, %d skipped", n["pass"], n["fail"], n["skip"] }' "$1"
}

# binary_records DIR BINARY NAME VERDICT: DIR/BINARY.results from the
# binary's DIR/BINARY.log and .status (split_framed) and DIR/splats
# (pin_splats). A binary that never ran, or never finished (guest crash or
# timeout: no status), is one failure plus the results it printed. NAME
# prefixes every record, VERDICT is scripts/vm's reason for the run.
binary_records() {
	local dir=$1 b=$2 name=$3 verdict=$4 status secs
	local res=$dir/$b.results
	if [ -f "$dir/$b.status" ]; then
		read -r status secs <"$dir/$b.status"
		tap_records "$name" "$status" "$secs" "$dir/$b.log" >"$res"
	elif [ -f "$dir/$b.log" ]; then
		tap_records "$name" 0 0 "$dir/$b.log" |
			grep -v 'TAP plan\|results (exit' >"$res"
		record "$res" fail "$name: did not finish ($verdict)"
	else
		record "$res" fail "$name: did not run ($verdict)"
	fi
	if grep -Fqx "$b" "$dir/splats"; then
		record "$res" fail "$name: kernel splat while it ran (see $dir/vm/dmesg)"
	fi
}

# boot_record DIR NAME VMRC VERDICT: DIR/boot.results, the guest itself:
# pass if scripts/vm exited 0, or 123 only for splats pinned on a test.
boot_record() {
	local dir=$1 name=$2 vmrc=$3 verdict=$4
	local boot=$dir/boot.results
	case $vmrc in
	0)
		record "$boot" pass "$name: boot, modules, clean kernel log" ;;
	123)
		if grep -Fqx @boot "$dir/splats" ||
		   grep -q '^@@xiommu rmmod-failed' "$dir/vm/control"; then
			record "$boot" fail "$name: $verdict"
		else
			record "$boot" pass "$name: boot, modules, clean kernel log"
		fi ;;
	*)
		record "$boot" fail "$name: $verdict" ;;
	esac
}
