#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""scripts/bench-report.py - the table and the plot of `make bench`.

usage: scripts/bench-report.py RAWDIR OUTDIR PEER PROFILE...

RAWDIR holds one file per guest boot, PROFILE-ROUND.log, with the "R ..."
lines of tools/bench_compare (format at the top of that file). PEER is the
profile of the peer guest (the kernel's own VT-d and VFIO). For every
xiommu PROFILE and operation it prints ONE table: the peer's figure (its
legacy type1 API), xiommu's (iommufd IOAS_MAP/UNMAP, then xiommu's own
type1 container), the floor (xiommu_bench_floor in xiommu's guest), and
xiommu / peer, xiommu / floor; every cell is "min / median" over all
rounds of all boots. It writes OUTDIR/summary.tsv (every operation and
size), OUTDIR/plot-*.dat and, if gnuplot is installed, OUTDIR/bench.png:
cost per page against mapping size (4 KiB and THP backing, xiommu and the
peer; the min of all rounds, the figure a loaded host disturbs least)
and the IOMMU's invalidation work per MiB.
"""
import os
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict

MIB = 1 << 20
TABLE_SIZES = (MIB, 256 * MIB)


def load(rawdir):
    """data[(profile, door, op, backing, bytes)] = ([ns], [count/MiB])"""
    data = defaultdict(lambda: ([], []))
    for name in sorted(os.listdir(rawdir)):
        if not name.endswith(".log"):
            continue
        profile = name[:-4].rsplit("-", 1)[0]
        with open(os.path.join(rawdir, name)) as f:
            for line in f:
                w = line.split()
                if len(w) != 8 or w[0] != "R":
                    continue
                key = (profile, w[2], w[3], w[4], int(w[5]))
                data[key][0].append(float(w[6]))
                if w[7] != "-":
                    data[key][1].append(float(w[7]))
    return data


def mm(vals):
    return (min(vals), statistics.median(vals)) if vals else None


def fmt(v, unit_us):
    if v is None:
        return "—"
    a, b = v
    if unit_us:
        return "%.2f / %.2f" % (a / 1000, b / 1000)
    return "%.0f / %.0f" % (a, b) if a >= 100 else "%.1f / %.1f" % (a, b)


def ratio(x, y):
    if x is None or y is None or not y[0] or not y[1]:
        return "—"
    return "%.2f / %.2f" % (x[0] / y[0], x[1] / y[1])


def size_name(n):
    return "%d MiB" % (n // MIB) if n >= MIB else "%d KiB" % (n // 1024)


def ops():
    """(label, op, backing, bytes, per-call?) in table order"""
    rows = []
    for size in TABLE_SIZES:
        for backing, bname in (("4k", "4 KiB pages"), ("thp", "THP")):
            for op in ("map", "unmap"):
                rows.append(("%s %s, %s (ns/page)" % (op, size_name(size),
                                                    bname),
                             op, backing, size, False))
    rows.append(("map one 4 KiB page per call (µs)", "map1", "4k", None,
                 True))
    rows.append(("unmap one 4 KiB page per call (µs)", "unmap1", "4k", None,
                 True))
    return rows


def find(data, profile, door, op, backing, size):
    if size is None:    # per call: whatever count of calls was used
        keys = [k for k in data if k[:4] == (profile, door, op, backing)]
        return data[keys[0]] if keys else ([], [])
    return data.get((profile, door, op, backing, size), ([], []))


def table(data, peer, profiles):
    head = ("| profile | operation | peer (type1) | xiommu | floor | "
            "xiommu ÷ peer | xiommu ÷ floor | inv/MiB |")
    lines = [head, "|" + "---|" * 8]
    for profile in profiles:
        doors = [("iommufd", "IOAS"), ("type1", "type1")]
        for door, dname in doors:
            for label, op, backing, size, us in ops():
                x = find(data, profile, door, op, backing, size)
                if not x[0]:
                    continue
                xv = mm(x[0])
                # no peer for the mock and the arm64 profiles
                pv = None
                if peer and profile.startswith(("vtd", "virtio")) and \
                        profile != "virtio-arm64":
                    pv = mm(find(data, peer, "type1", op, backing, size)[0])
                fv = mm(find(data, profile, "floor", op, backing, size)[0])
                inv = "%.3g" % statistics.median(x[1]) if x[1] else "—"
                lines.append("| %s | %s %s | %s | %s | %s | %s | %s | %s |" % (
                    profile, dname, label, fmt(pv, us), fmt(xv, us),
                    fmt(fv, us), ratio(xv, pv), ratio(xv, fv), inv))
    return "\n".join(lines)


def summary(data, path):
    with open(path, "w") as f:
        f.write("profile\tdoor\top\tbacking\tbytes\tmin_ns\tmedian_ns\t"
                "samples\tinv_per_mib\n")
        for key in sorted(data):
            ns, cnt = data[key]
            f.write("%s\t%s\t%s\t%s\t%d\t%.1f\t%.1f\t%d\t%s\n" % (
                key + (min(ns), statistics.median(ns), len(ns),
                       "%.3f" % statistics.median(cnt) if cnt else "-")))


def series(data, profile, door, op, backing, col, out):
    pts = sorted((k[4], data[k]) for k in data
                 if k[:4] == (profile, door, op, backing))
    if not pts:
        return False
    with open(out, "w") as f:
        for size, (ns, cnt) in pts:
            v = min(ns) if col == 0 else \
                (statistics.median(cnt) if cnt else None)
            if v is not None:
                f.write("%d %.3f\n" % (size // 1024, v))
    return True


def plot(data, outdir, peer, profiles):
    cost, inv = [], []
    main = next((p for p in profiles if p.startswith("vtd")),
                profiles[0] if profiles else None)
    for who, door, title in ((main, "iommufd", "xiommu %s" % main),
                             (peer, "type1", "peer (kernel VFIO)")):
        if not who:
            continue
        for op in ("map", "unmap"):
            for backing in ("4k", "thp"):
                dat = os.path.join(outdir, "plot-%s-%s-%s-%s.dat" % (
                    who, door, op, backing))
                if series(data, who, door, op, backing, 0, dat):
                    cost.append((dat, "%s %s %s" % (title, op, backing)))
    for profile in profiles:
        for op in ("map", "unmap"):
            dat = os.path.join(outdir, "plot-inv-%s-%s.dat" % (profile, op))
            if series(data, profile, "iommufd", op, "4k", 1, dat) and \
                    os.path.getsize(dat):
                inv.append((dat, "%s %s, 4 KiB pages" % (profile, op)))
    gp = shutil.which("gnuplot")
    if not gp:
        print("bench: no gnuplot (make deps), no plot", file=sys.stderr)
        return None
    if not cost:
        return None
    png = os.path.join(outdir, "bench.png")
    script = [
        "set terminal %s size 1200,1000 noenhanced" % (
            "pngcairo" if subprocess.run(
                [gp, "-e", "set terminal pngcairo"],
                capture_output=True).returncode == 0 else "png"),
        "set output '%s'" % png,
        "set multiplot layout 2,1",
        "set logscale xy", "set grid",
        "set key outside right",
        "set xlabel 'mapping size (KiB), one call'",
        "set ylabel 'ns per 4 KiB page (min of all rounds)'",
        "set title 'IOMMU map/unmap cost: xiommu vs the peer (make bench)'",
        "plot " + ", ".join("'%s' using 1:2 with linespoints title '%s'" % c
                            for c in cost),
    ]
    if inv:
        script += [
            "set logscale x", "unset logscale y",
            "set ylabel 'invalidations (or requests, commands) per MiB'",
            "set title 'IOMMU invalidation work per MiB (xiommu drivers)'",
            "plot " + ", ".join(
                "'%s' using 1:2 with linespoints title '%s'" % c
                for c in inv),
        ]
    script.append("unset multiplot")
    r = subprocess.run([gp], input="\n".join(script) + "\n", text=True,
                       capture_output=True)
    if r.returncode:
        print("bench: gnuplot failed: %s" % r.stderr.strip(), file=sys.stderr)
        return None
    return png


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    rawdir, outdir, peer = sys.argv[1:4]
    profiles = sys.argv[4:]
    data = load(rawdir)
    if not data:
        print("bench: no figures in %s" % rawdir, file=sys.stderr)
        return 1
    print(table(data, peer, profiles))
    summary(data, os.path.join(outdir, "summary.tsv"))
    png = plot(data, outdir, peer, profiles)
    print("\nEvery cell: min / median over all rounds; ns per 4 KiB page, "
          "µs per call for one page per call.")
    print("inv/MiB: what the xiommu driver counted (VT-d invalidation "
          "descriptors or register writes, virtio-iommu requests, SMMUv3 "
          "TLBI commands), median.")
    print("All sizes: %s" % os.path.join(outdir, "summary.tsv"))
    if png:
        print("Plot: %s" % png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
