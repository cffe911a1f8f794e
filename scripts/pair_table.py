#!/usr/bin/env python3
"""Turns the output of `cargo bench --bench kernels` or `--bench accuracy` into a markdown table.

    cargo bench --bench kernels > out && python3 scripts/pair_table.py < out

Reads criterion's console output on stdin for the names of the benches of one run, and takes each
one's time from criterion's median of its samples, `median.point_estimate` (ns) in
`<criterion dir>/<bench>/new/estimates.json` (`--criterion-dir DIR`; by default
`$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else this repository's
`target/criterion`). Where that file is missing or holds another run than the one on stdin (its
slope or mean differs from the console's estimate), the time is the console's, criterion's
point estimate (the slope of its regression over the samples, or their mean without one), and
the table's caption says for which benches.

Bench names are `group/type/variant/n` (kernels) or `group/variant_type[_more]/n` (accuracy); in
each group, type and n, every variant's median time is set against the group's naive baseline of
the same inputs (a variant whose name starts with `naive` and ends in the same word, such as
`_growing`, else the plainest `naive` variant), all from the same run: "naive ÷ variant" above 1
means the variant is faster.
"""
import argparse
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}


def default_criterion_dir():
    """Where `cargo bench` has criterion write: as criterion 0.8 chooses, without cargo metadata."""
    if os.environ.get("CRITERION_HOME"):
        return Path(os.environ["CRITERION_HOME"])
    if os.environ.get("CARGO_TARGET_DIR"):
        return Path(os.environ["CARGO_TARGET_DIR"]) / "criterion"
    return Path(__file__).resolve().parent.parent / "target" / "criterion"


class Medians:
    """criterion's median of each bench, from `new/estimates.json` under `root`, found by the title
    the console prints (criterion's `benchmark.json` beside it holds the title; the directory names
    are criterion's sanitised ids). A file whose typical estimate (the slope, else the mean) is not
    the console's, to the console's five digits, is of another run, and the console's figure is
    kept instead."""

    def __init__(self, root):
        self.root = root
        self.dirs = None
        self.fallback = {}  # title -> why the console's estimate stands in for the median

    def _index(self):
        self.dirs = defaultdict(list)
        if self.root.is_dir():
            for path in self.root.glob("**/new/benchmark.json"):
                try:
                    bench = json.loads(path.read_text())
                    self.dirs[bench["title"]].append((path.parent, bench))
                except (OSError, ValueError, KeyError, TypeError):
                    continue

    def estimates(self, title, console_ns):
        """The estimates and benchmark.json of the run that printed `console_ns` for `title`, else
        None."""
        if self.dirs is None:
            self._index()
        found = False
        for directory, bench in self.dirs.get(title, []):
            try:
                est = json.loads((directory / "estimates.json").read_text())
                typical = (est.get("slope") or est["mean"])["point_estimate"]
                est["median"]["point_estimate"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            found = True
            if abs(typical - console_ns) <= 2e-4 * console_ns:
                return est, bench
        self.fallback[title] = "from another run" if found else "missing"
        return None

    def median(self, title, console_ns):
        """criterion's median in ns, else the console's estimate `console_ns`."""
        found = self.estimates(title, console_ns)
        return found[0]["median"]["point_estimate"] if found else console_ns

    def source(self, titles):
        """The caption's words for where the figures of the benches `titles` come from."""
        titles = sorted(set(titles))
        console = [t for t in titles if t in self.fallback]
        if not console:
            return "criterion's medians (estimates.json)"
        estimate = ("the console's figures, criterion's point estimates (the slope of its "
                    "regression over the samples, or their mean; no estimates.json of this run)")
        if len(console) == len(titles):
            return estimate
        names = (", ".join(f"`{t}`" for t in console) if len(console) <= 6
                 else f"{len(console)} of the {len(titles)} benches (named on stderr)")
        return f"criterion's medians (estimates.json), but for {names} {estimate}"


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
