#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# guest: perf cpu-clock profile of a per-call map/unmap loop
# perf.sh MODE(loop|loopnd) SECONDS
echo 0 > /proc/sys/kernel/kptr_restrict
echo -1 > /proc/sys/kernel/perf_event_paranoid
cd /tmp
/usr/bin/perf record -q -e cpu-clock -F 4000 -g -o /tmp/perf.data /percall ${1:-loop} ${2:-5} 256 2>&1 | tail -2
/usr/bin/perf report -i /tmp/perf.data --no-children --sort sym --stdio -g none 2>/dev/null | grep -v "^#" | grep -v "^$" | head -${TOP:-60}
echo ==== callers, inclusive
/usr/bin/perf report -i /tmp/perf.data --children --sort sym --stdio -g none 2>/dev/null | grep -v "^#" | grep -v "^$" | head -${TOP:-60}
for s in _raw_spin_unlock_irqrestore __kmem_cache_alloc_node xa_load __cond_resched; do
echo "==== callers of $s"
/usr/bin/perf report -i /tmp/perf.data --no-children --stdio -S $s -G --percent-limit 0.3 2>/dev/null | grep -v "^#" | grep -v "^$" | head -40
done
