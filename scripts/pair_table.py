#!/usr/bin/env python3
"""Turns the output of `cargo bench --bench kernels` or `--bench accuracy` into a markdown table.

    cargo bench --bench kernels > out && python3 scripts/pair_table.py < out

Reads criterion's console output on stdin for the names of the benches of one run, and takes
each one's median time from criterion's files (`criterion_medians.py`, `--criterion-dir
DIR`), or the console's figure where those are missing or of another run, as the table's
caption then says.

Bench names are `group/type/variant/n` (kernels) or `group/variant_type[_more]/n` (accuracy); in
each group, type and n, every variant's median time is set against the group's naive baseline of
the same inputs (a variant whose name starts with `naive` and ends in the same word, such as
`_growing`, else the plainest `naive` variant), all from the same run: "naive ÷ variant" above 1
means the variant is faster.
"""
import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

from criterion_medians import Medians, default_criterion_dir

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}


parser = argparse.ArgumentParser(description="A markdown table from `cargo bench --bench kernels` "
                                 "or `--bench accuracy` output on stdin and criterion's "
                                 "estimates.json files.")
parser.add_argument("--criterion-dir", type=Path, default=default_criterion_dir(), metavar="DIR",
                    help="criterion's output directory (default: %(default)s)")
medians = Medians(parser.parse_args().criterion_dir)

times = defaultdict(dict)  # (group, type, n) -> {variant: median ns}
titles = []  # the benches of the table, for its caption
name = None
for line in sys.stdin:
    line = line.strip()
    m = re.match(r"^(([a-z0-9_]+(?:/[a-z0-9_]+)+)/(\d+))(?:\s+time:.*)?$", line)
    if m:
        parts, n = m.group(2).split("/"), int(m.group(3))
        if len(parts) == 3:
            group, elem, variant = parts
        else:
            # The type is a word of the variant's name: `accurate_f64_growing`.
            group, variant = parts
            words = variant.split("_")
            elem = next((w for w in words if w in ("f32", "f64")), "")
            variant = "_".join(w for w in words if w != elem)
        name = (m.group(1), group, elem, n, variant)
    t = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if t and name:
        title, group, elem, n, variant = name
        console = float(t.group(1)) * UNITS[t.group(2)]
        times[(group, elem, n)][variant] = medians.median(title, console)
        titles.append(title)
        name = None
for title, why in medians.fallback.items():
    print(f"{title}: estimates.json {why}, the console's estimate used", file=sys.stderr)


def size(n):
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return f"{n >> 20} Mi"
    if n >= 1 << 10 and n % (1 << 10) == 0:
        return f"{n >> 10} Ki"
    return f"{n:,}".replace(",", " ")


def duration(ns):
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


print(f"Times: {medians.source(titles)}:\n")
print("| group | type | n | variant | time | naive | naive ÷ variant |")
print("|---|---|---|---|---:|---:|---:|")
for (group, elem, n), variants in times.items():
    naives = [v for v in variants if v.startswith("naive")]
    if not naives:
        continue
    for variant, ns in variants.items():
        if variant in naives:
            continue
        # The baseline of the same inputs: the naive variant sharing the last word of the name
        # (`accurate_growing` against `naive_sequential_growing`), else the plainest one.
        same = [v for v in naives if v.split("_")[-1] == variant.split("_")[-1]]
        naive = same[0] if same else min(naives, key=lambda v: len(v.split("_")))
        base = variants[naive]
        print(f"| {group} | {elem} | {size(n)} | {variant} | {duration(ns)} | {duration(base)} "
              f"| {base / ns:.2f} |")
