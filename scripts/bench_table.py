#!/usr/bin/env python3
"""Turns the output of `cargo bench --bench simd` into the markdown table of BENCHMARKS.md.

    cargo bench --features half --bench simd > out && python3 scripts/bench_table.py < out

Reads criterion's console output on stdin for the names of the benches of one run, and takes
each one's median time and its count of elements from criterion's files
(`criterion_medians.py`, `--criterion-dir DIR`), or the console's figures where those are
missing or of another run, as the table's caption then says.

It prints, per group and size, the throughput of `kernel`, `naive` and `copy` (and
`copy_streaming`, where the group has it) in elements per nanosecond (the elements divided by
that time) and the ratios of the kernel to each, all from the same run; then, in a table of
their own, the groups that also have an `f32_kernel` bench (f16 and bf16 slices): the kernel,
the naive loop, their ratio, and the kernel against the `f32` kernel on the same values.
"""
import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

from criterion_medians import Medians, default_criterion_dir

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
THROUGHPUT_UNITS = {"elem/s": 1e-9, "Kelem/s": 1e-6, "Melem/s": 1e-3, "Gelem/s": 1.0}


parser = argparse.ArgumentParser(description="BENCHMARKS.md's tables from `cargo bench --bench "
                                 "simd` output on stdin and criterion's estimates.json files.")
parser.add_argument("--criterion-dir", type=Path, default=default_criterion_dir(), metavar="DIR",
                    help="criterion's output directory (default: %(default)s)")
medians = Medians(parser.parse_args().criterion_dir)

rows = defaultdict(dict)  # (group, n) -> {bench: elements per ns}
titles = defaultdict(list)  # (group, n) -> the titles of its benches, for the captions
name = console = None
for line in sys.stdin:
    line = line.strip()
    m = re.match(r"^((\S+)/(kernel|naive|copy|copy_streaming|f32_kernel)/(\d+))(?:\s+time:.*)?$",
                 line)
    if m:
        name, console = (m.group(1), m.group(2), int(m.group(4)), m.group(3)), None
    t = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if t and name:
        console = float(t.group(1)) * UNITS[t.group(2)]
    t = re.search(r"thrpt:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if t and name and console:
        title, group, n, which = name
        found = medians.estimates(title, console)
        elements = found and found[1].get("throughput", {}).get("Elements")
        if elements:
            rows[(group, n)][which] = elements / found[0]["median"]["point_estimate"]
        else:
            medians.fallback.setdefault(title, "without a count of elements")
            rows[(group, n)][which] = float(t.group(1)) * THROUGHPUT_UNITS[t.group(2)]
        titles[(group, n)].append(title)
        name = console = None
for title, why in medians.fallback.items():
    print(f"{title}: estimates.json {why}, the console's estimate used", file=sys.stderr)


def caption(keys):
    """Where the throughputs of the rows `keys` come from."""
    return f"Throughputs from {medians.source([t for key in keys for t in titles[key]])}:\n"


def size(n):
    return f"{n >> 20} Mi" if n >= 1 << 20 else f"{n >> 10} Ki"


with_copy = [(key, r) for key, r in rows.items()
             if all(b in r for b in ("kernel", "naive", "copy")) and "f32_kernel" not in r]
if with_copy:
    print(caption(key for key, _ in with_copy))
    # The streaming copy runs only where the kernels stream (16 Mi): its cells are empty elsewhere.
    print("| group | n | kernel el/ns | naive el/ns | copy el/ns | kernel / naive | kernel / copy"
          " | streaming copy el/ns | kernel / streaming copy |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for (group, n), r in with_copy:
        k, nv, c, sc = r["kernel"], r["naive"], r["copy"], r.get("copy_streaming")
        streaming = f"{sc:.2f} | {k / sc:.2f}" if sc else " | "
        print(f"| {group} | {size(n)} | {k:.2f} | {nv:.2f} | {c:.2f} | {k / nv:.2f} | {k / c:.2f}"
              f" | {streaming} |")

# The half-type groups: the kernel beside the naive loop and beside the `f32` kernel on the same
# values (the conversions' cost), as BENCHMARKS.md shows them.
with_f32 = [(key, r) for key, r in rows.items() if "f32_kernel" in r and "kernel" in r]
if with_f32:
    if with_copy:
        print()
    print(caption(key for key, _ in with_f32))
    print("| group | n | kernel el/ns | naive el/ns | kernel / naive | f32 kernel el/ns"
          " | kernel / f32 kernel |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (group, n), r in with_f32:
        k, nv, f = r["kernel"], r.get("naive"), r["f32_kernel"]
        naive = f"{nv:.2f} | {k / nv:.2f}" if nv else " | "
        print(f"| {group} | {size(n)} | {k:.2f} | {naive} | {f:.2f} | {k / f:.2f} |")
