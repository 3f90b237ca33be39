# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# scripts/lib-jobs.sh - machine-wide job slots for the guest tiers of
# `make check`. Every QEMU guest (and the debug kernel build) runs while
# holding one of CHECK_JOBS slots (default: the number of CPUs, at least 1),
# so the tiers can run side by side without ever running more guests than
# there are cores: under TCG a guest keeps one core busy, and a guest that
# shares its core runs its virtual-time timers (the edu's DMA timer) late.
#
# A slot is an flock on $CHECK_SLOTS_DIR/slot.N (default build/check/slots);
# the lock goes with the process, so a killed tier never leaks a slot.
# Sourced, not run; the caller sets BUILD.

CHECK_JOBS=${CHECK_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$CHECK_JOBS" -ge 1 ] 2>/dev/null || CHECK_JOBS=1
CHECK_SLOTS_DIR=${CHECK_SLOTS_DIR:-${BUILD:?}/check/slots}

# slot_wanted: true if a live first-class caller (see with_slot) waits.
slot_wanted() {
	local f pid
	for f in "$CHECK_SLOTS_DIR"/want.*; do
		[ -e "$f" ] || continue
		pid=${f##*.}
		if kill -0 "$pid" 2>/dev/null; then
			return 0
		fi
		rm -f "$f"	# its waiter died
	done
	return 1
}

# with_slot CMD...: run CMD while holding a slot; returns CMD's status.
# Waits (polling every second) until a slot is free. A caller with
# CHECK_SLOT_FIRST=1 in its environment (the longest guests: the debug
# tier's) goes first: while it waits, other callers leave free slots to
# it, so the longest jobs do not start last and end the run late.
with_slot() {
	local i fd rc mark=
	mkdir -p "$CHECK_SLOTS_DIR"
	if [ "${CHECK_SLOT_FIRST:-0}" = 1 ]; then
		mark=$CHECK_SLOTS_DIR/want.$BASHPID
		: >"$mark"
	fi
	while :; do
		if [ -n "$mark" ] || ! slot_wanted; then
			for ((i = 0; i < CHECK_JOBS; i++)); do
				exec {fd}>"$CHECK_SLOTS_DIR/slot.$i"
				if flock -n "$fd"; then
					[ -z "$mark" ] || rm -f "$mark"
					"$@"
					rc=$?
					exec {fd}>&-
					return $rc
				fi
				exec {fd}>&-
			done
		fi
		sleep 1
	done
}
