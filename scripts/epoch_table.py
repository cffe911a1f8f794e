#!/usr/bin/env python3
"""Turns the output of `cargo bench --bench epoch --features rayon` into BENCHMARKS.md's tables.

    cargo bench --features rayon --bench epoch > out && python3 scripts/epoch_table.py < out

Reads criterion's console output on stdin for the names of the benches of one run, and takes
each one's median time from criterion's files (`criterion_medians.py`, `--criterion-dir
DIR`), or the console's figure where those are missing or of another run, as the table's
caption then says. It prints:
- `epoch_f32`, `epoch_f64`: each bench's time, its speed against the two-pass baseline (and the
  one-output epoch's against the two passes through the crate's kernels), the fraction of the
  read-X reference it reaches (read time / epoch time), and the rayon epoch
  against the one-thread epoch (with the same ratio for the read of X);
- `epoch_by_size_*`: the fused epoch's fraction of the read of X at five sizes of X, and with
  `rayon` the same on two threads and each one's speed-up over one thread;
- `epoch_widths_*`: the fused epoch against the two-pass baseline per row length;
- `minibatch_f32`: the blocked epochs against the per-record baseline per batch size;
- `predict_*` and `predict_few_*`: the blocked prediction against the per-record loop (and, on
  the 100 000 records, the fraction of the read of X it reaches).
Groups missing from the input are left out.
"""
import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

from criterion_medians import Medians, default_criterion_dir

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}


parser = argparse.ArgumentParser(description="BENCHMARKS.md's tables from `cargo bench --bench "
                                 "epoch` output on stdin and criterion's estimates.json files.")
parser.add_argument("--criterion-dir", type=Path, default=default_criterion_dir(), metavar="DIR",
                    help="criterion's output directory (default: %(default)s)")
medians = Medians(parser.parse_args().criterion_dir)

times = defaultdict(dict)  # group -> {(bench, parameter): median ns}
titles = defaultdict(list)  # group -> the titles of its benches, for the captions
name = None
for line in sys.stdin:
    line = line.strip()
    m = re.match(r"^(([a-z0-9_]+)/([a-z0-9_]+)/(\S+?))(?:\s+time:.*)?$", line)
    if m:
        name = m.groups()
    t = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if t and name:
        title, group, bench, parameter = name
        console = float(t.group(1)) * UNITS[t.group(2)]
        times[group][(bench, parameter)] = medians.median(title, console)
        titles[group].append(title)
        name = None
for title, why in medians.fallback.items():
    print(f"{title}: estimates.json {why}, the console's estimate used", file=sys.stderr)


def ms(ns):
    return f"{ns / 1e6:.2f}"


def us(ns):
    return f"{ns / 1e3:.1f}"


def table(group, title, header, rows):
    """Prints a table, captioned with its title and where its times come from."""
    if not rows:
        return
    print(f"{title}; times: {medians.source(titles[group])}:\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


for group in ("epoch_f32", "epoch_f64"):
    t = {bench: v for (bench, _), v in times.get(group, {}).items()}
    if "fused" not in t:
        continue
    title = f"`{group}` (N = 100 000, D = 64)"
    rows = []
    for bench in ("read_x_reference", "fused", "two_pass_baseline", "two_pass_kernels",
                  "fused_3_outputs", "two_pass_baseline_3_outputs", "read_x_reference_rayon",
                  "fused_rayon"):
        if bench not in t:
            continue
        v = t[bench]
        # Each one-thread fused epoch against the two-pass baseline with as many outputs (the
        # baseline runs on one thread, so the parallel epoch is compared with one thread only).
        outputs = "_3_outputs" if bench.endswith("_3_outputs") else ""
        base = t.get("two_pass_baseline" + outputs)
        serial_fused = bench.startswith("fused") and not bench.endswith("rayon")
        two_pass = f"{base / v:.2f}×" if base and serial_fused else ""
        read = t.get("read_x_reference_rayon" if bench.endswith("rayon") else "read_x_reference")
        fraction = f"{read / v:.2f}" if read and bench in ("fused", "fused_rayon") else ""
        serial = {"fused_rayon": "fused", "read_x_reference_rayon": "read_x_reference"}.get(bench)
        rayon = f"{t[serial] / v:.2f}×" if serial in t else ""
        # The one-output fused epoch also against the same two passes through the crate's kernels.
        kernels = t.get("two_pass_kernels")
        vs_kernels = f"{kernels / v:.2f}×" if kernels and bench == "fused" else ""
        rows.append([f"`{bench}`", ms(v), two_pass, vs_kernels, fraction, rayon])
    header = ["bench", "ms", "vs two-pass", "vs two-pass kernels", "fraction of read-X",
              "rayon vs one thread"]
    table(group, title, header, rows)

for group in ("epoch_by_size_f32", "epoch_by_size_f64"):
    t = times.get(group)
    if not t:
        continue
    title = f"`{group}` (D = 64, X of 512 KiB to 102.4 MB)"
    rows = []
    for p in sorted({p for (_, p) in t}, key=lambda p: int(p.split("x")[0])):
        read, fused = t.get(("read_x_reference", p)), t.get(("fused", p))
        if not (read and fused):
            continue
        row = [p.split("x")[0], f"{read / 1e3:.1f}", f"{fused / 1e3:.1f}", f"{read / fused:.2f}"]
        read2, fused2 = t.get(("read_x_reference_rayon", p)), t.get(("fused_rayon", p))
        if read2 and fused2:
            row += [f"{read2 / fused2:.2f}", f"{read / read2:.2f}×", f"{fused / fused2:.2f}×"]
        rows.append(row)
    header = ["records", "read X µs", "fused µs", "fraction of read-X"]
    if rows and len(rows[0]) > 4:
        header += ["2 threads: fraction of their read", "read: 2 threads vs 1",
                   "fused: 2 threads vs 1"]
    table(group, title, header, rows)

for group in ("epoch_widths_f32", "epoch_widths_f64"):
    t = times.get(group)
    if not t:
        continue
    title = f"`{group}` (16 384 records)"
    widths = sorted({p for (_, p) in t}, key=lambda p: int(p.split("x")[1]))
    rows = []
    for p in widths:
        fused, base = t.get(("fused", p)), t.get(("two_pass_baseline", p))
        if fused and base:
            rows.append([p.split("x")[1], us(fused), us(base), f"{base / fused:.2f}×"])
    table(group, title, ["D", "fused µs", "two-pass µs", "fused vs two-pass"], rows)

group = "minibatch_f32"
t = times.get(group)
if t:
    title = "`minibatch_f32` (N = 100 000, D = 64, a shuffled order)"
    rows = []
    for p in sorted({p for (_, p) in t}, key=lambda p: int(p.split("batch")[1])):
        blocked, storage = t.get(("blocked", p)), t.get(("blocked_in_storage_order", p))
        base = t.get(("per_record_baseline", p))
        if blocked and storage and base:
            rows.append([p.split("/")[1].removeprefix("batch"), ms(blocked), ms(storage),
                         ms(base), f"{base / blocked:.2f}×"])
    header = ["batch", "blocked ms", "in storage order ms", "per-record ms",
              "blocked vs per-record"]
    table(group, title, header, rows)

for group in ("predict_f32", "predict_f64"):
    t = times.get(group)
    if not t:
        continue
    title = f"`{group}` (N = 100 000, D = 64)"
    rows = []
    for p in sorted({p for (_, p) in t}):
        blocked, base = t.get(("blocked", p)), t.get(("per_record_baseline", p))
        read = t.get(("read_x_reference", p))
        if blocked and base and read:
            rows.append([ms(blocked), ms(base), f"{base / blocked:.2f}×", f"{read / blocked:.2f}"])
    header = ["blocked ms", "per-record ms", "blocked vs per-record", "fraction of read-X"]
    table(group, title, header, rows)

for group in ("predict_few_f32", "predict_few_f64"):
    t = times.get(group)
    if not t:
        continue
    title = f"`{group}` (D = 64)"
    rows = []
    for p in sorted({p for (_, p) in t}, key=lambda p: int(p.split("x")[0])):
        blocked, base = t.get(("blocked", p)), t.get(("per_record_baseline", p))
        if blocked and base:
            ratio = f"{base / blocked:.2f}×"
            rows.append([p.split("x")[0], f"{blocked:.0f}", f"{base:.0f}", ratio])
    table(group, title, ["records", "blocked ns", "per-record ns", "blocked vs per-record"], rows)
