#!/usr/bin/env python3
"""Turns the output of `cargo bench --bench kernels` or `--bench accuracy` into a markdown table.

Reads criterion's console output on stdin. Bench names are `group/type/variant/n` (kernels) or
`group/variant_type[_more]/n` (accuracy); in each group, type and n, every variant's median time is
set against the group's naive baseline of the same inputs (a variant whose name starts with
`naive` and ends in the same word, such as `_growing`, else the plainest `naive` variant), all
from the same run: "naive ÷ variant" above 1 means the variant is faster.
"""
import re
import sys
from collections import defaultdict

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}

times = defaultdict(dict)  # (group, type, n) -> {variant: median ns}
name = None
for line in sys.stdin:
    line = line.strip()
    m = re.match(r"^([a-z0-9_]+(?:/[a-z0-9_]+)+)/(\d+)(?:\s+time:.*)?$", line)
    if m:
        parts, n = m.group(1).split("/"), int(m.group(2))
        if len(parts) == 3:
            group, elem, variant = parts
        else:
            # The type is a word of the variant's name: `accurate_f64_growing`.
            group, variant = parts
            words = variant.split("_")
            elem = next((w for w in words if w in ("f32", "f64")), "")
            variant = "_".join(w for w in words if w != elem)
        name = (group, elem, n, variant)
    t = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if t and name:
        group, elem, n, variant = name
        times[(group, elem, n)][variant] = float(t.group(1)) * UNITS[t.group(2)]
        name = None


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
