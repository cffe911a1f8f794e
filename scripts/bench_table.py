#!/usr/bin/env python3
"""Turns the output of `cargo bench --bench simd` into the markdown table of BENCHMARKS.md.

Reads criterion's console output on stdin and prints, per group and size, the median throughput
of `kernel`, `naive` and `copy` in elements per nanosecond and the ratios kernel/naive and
kernel/copy, all from the same run; then, in a table of their own, the groups that also have an
`f32_kernel` bench (f16 and bf16 slices): the kernel, the naive loop, their ratio, and the
kernel against the `f32` kernel on the same values.
"""
import re
import sys
from collections import defaultdict

UNITS = {"elem/s": 1e-9, "Kelem/s": 1e-6, "Melem/s": 1e-3, "Gelem/s": 1.0}

rows = defaultdict(dict)
name = None
for line in sys.stdin:
    m = re.match(r"^(\S+)/(kernel|naive|copy|f32_kernel)/(\d+)\s*$", line.strip()) or re.match(
        r"^(\S+)/(kernel|naive|copy|f32_kernel)/(\d+)\s+time:", line.strip()
    )
    if m:
        name = (m.group(1), int(m.group(3)), m.group(2))
    t = re.search(r"thrpt:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if t and name:
        group, n, which = name
        rows[(group, n)][which] = float(t.group(1)) * UNITS[t.group(2)]
        name = None


def size(n):
    return f"{n >> 20} Mi" if n >= 1 << 20 else f"{n >> 10} Ki"


with_copy = [(key, r) for key, r in rows.items()
             if all(b in r for b in ("kernel", "naive", "copy")) and "f32_kernel" not in r]
if with_copy:
    print("| group | n | kernel el/ns | naive el/ns | copy el/ns | kernel / naive | kernel / copy |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (group, n), r in with_copy:
        k, nv, c = r["kernel"], r["naive"], r["copy"]
        print(f"| {group} | {size(n)} | {k:.2f} | {nv:.2f} | {c:.2f} | {k / nv:.2f} | {k / c:.2f} |")

# The half-type groups: the kernel beside the naive loop and beside the `f32` kernel on the same
# values (the conversions' cost), as BENCHMARKS.md shows them.
with_f32 = [(key, r) for key, r in rows.items() if "f32_kernel" in r and "kernel" in r]
if with_f32:
    if with_copy:
        print()
    print("| group | n | kernel el/ns | naive el/ns | kernel / naive | f32 kernel el/ns"
          " | kernel / f32 kernel |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (group, n), r in with_f32:
        k, nv, f = r["kernel"], r.get("naive"), r["f32_kernel"]
        naive = f"{nv:.2f} | {k / nv:.2f}" if nv else " | "
        print(f"| {group} | {size(n)} | {k:.2f} | {naive} | {f:.2f} | {k / f:.2f} |")
