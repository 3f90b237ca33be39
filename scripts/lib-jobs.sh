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

# with_slot CMD...: run CMD while holding a slot; returns CMD's status.
# Waits (polling every second) until a slot is free.
with_slot() {
	local i fd rc
	mkdir -p "$CHECK_SLOTS_DIR"
	while :; do
		for ((i = 0; i < CHECK_JOBS; i++)); do
			exec {fd}>"$CHECK_SLOTS_DIR/slot.$i"
			if flock -n "$fd"; then
				"$@"
				rc=$?
				exec {fd}>&-
				return $rc
			fi
			exec {fd}>&-
		done
		sleep 1
	done
}
