#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# abfree-summ.py LOG...: min / median per operation of scripts/profile/abfree.sh output, N vs Y.
import sys, collections, statistics
d = collections.defaultdict(list)
for fn in sys.argv[1:]:
    for line in open(fn):
        f = line.split()
        if len(f) >= 8 and f[1] == 'R' and f[3] == 'iommufd':
            m, op, back, size, ns = f[0], f[4], f[5], int(f[6]), float(f[7])
            d[(op, back, size, m)].append(ns)
keys = sorted({k[:3] for k in d}, key=lambda k: (k[1], k[0] in ('map1','unmap1'), k[2], k[0]))
print("| op | backing | size KiB | counted min / med | covered-only min / med | covered ÷ counted (min, med) | n |")
print("|---|---|---:|---:|---:|---:|---:|")
for k in keys:
    a = d.get(k + ('N',), []); b = d.get(k + ('Y',), [])
    if not a or not b: continue
    ma, mb = min(a), min(b); da, db = statistics.median(a), statistics.median(b)
    print(f"| {k[0]} | {k[1]} | {k[2]>>10} | {ma:.1f} / {da:.1f} | {mb:.1f} / {db:.1f} | {mb/ma:.2f} / {db/da:.2f} | {len(a)}+{len(b)} |")
