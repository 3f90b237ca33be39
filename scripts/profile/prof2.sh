#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# guest: ftrace function_graph over a per-call map/unmap loop, a chosen set
# of functions only (each traced call adds ~1 us under TCG to its callers):
# per function, calls and inclusive us/call. prof2.sh CALLS FUNC...
N=$1; shift
T=/sys/kernel/debug/tracing
echo nop > $T/current_tracer
: > $T/set_ftrace_filter
for f in "$@"; do echo "$f" >> $T/set_ftrace_filter || echo "no $f"; done
echo 16000 > $T/buffer_size_kb || echo buffer_size failed
echo funcgraph-tail > $T/trace_options || echo no funcgraph-tail
echo function_graph > $T/current_tracer
echo 1 > $T/tracing_on
/percall ${MODE:-loop} 1 $N
echo 0 > $T/tracing_on
cat $T/trace > /tmp/trace
echo nop > $T/current_tracer
head -30 /tmp/trace
awk -F'|' '
NF>=2 {
  d=$1; sub(/.*\)/,"",d); gsub(/[ +!#*@$]/,"",d); d=d+0; s=$2
  if (s ~ /\{ *$/) { f=s; sub(/\(\).*/,"",f); gsub(/ /,"",f); st[++sp]=f; next }
  if (s ~ /\}/) { if (sp<1) next; f=st[sp--] }
  else if (s ~ /\(\);/) { f=s; gsub(/[ ;()]/,"",f) } else next
  if (d==0) next
  n[f]++; t[f]+=d
}
END { for (f in n) printf "%10.1f us total %8d calls %8.3f us/call %s\n", t[f], n[f], t[f]/n[f], f }' /tmp/trace | sort -rn | head -40
