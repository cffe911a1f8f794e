#!/usr/bin/env python3
"""Times numpy's sigmoid on the sizes of `benches/simd.rs`, for the comparison in BENCHMARKS.md.

For f32 and f64 at 1 Ki, 64 Ki, 1 Mi and 16 Mi elements, uniform in (-20, 20) like the Rust
benches, it prints the median throughput in elements per nanosecond of
- `expr`: `1 / (1 + np.exp(-h))`, the expression users write (it allocates three temporaries);
- `in-place`: the same ufuncs writing into preallocated arrays (`np.negative`, `np.exp`,
  `np.add`, `np.reciprocal` with `out=`), numpy without allocation;
- `copy`: `np.copyto(out, h)`, the memory reference measured in the same run,
and the ratio of each sigmoid to that copy. Run it on an idle machine, alone, just before or after
`cargo bench --bench simd -- '^sigmoid_f(32|64)/'`:

    python3 scripts/numpy_sigmoid_bench.py
"""
import statistics
import time

import numpy as np

SIZES = [1 << 10, 1 << 16, 1 << 20, 1 << 24]
SAMPLES = 7
SAMPLE_SECONDS = 0.2


def throughput(fn, n):
    """Median elements per nanosecond over SAMPLES samples of at least SAMPLE_SECONDS each."""
    fn()
    reps = 1
    while True:
        start = time.perf_counter_ns()
        for _ in range(reps):
            fn()
        elapsed = time.perf_counter_ns() - start
        if elapsed >= SAMPLE_SECONDS * 1e9:
            break
        reps *= 2
    rates = []
    for _ in range(SAMPLES):
        start = time.perf_counter_ns()
        for _ in range(reps):
            fn()
        rates.append(n * reps / (time.perf_counter_ns() - start))
    return statistics.median(rates)


def main():
    rng = np.random.default_rng(7)
    print(f"numpy {np.__version__}")
    print("| type | n | expr el/ns | in-place el/ns | copy el/ns | expr / copy | in-place / copy |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for dtype in (np.float32, np.float64):
        for n in SIZES:
            h = rng.uniform(-20.0, 20.0, n).astype(dtype)
            out = np.empty_like(h)

            def expr():
                return 1 / (1 + np.exp(-h))

            def in_place():
                np.negative(h, out=out)
                np.exp(out, out=out)
                np.add(out, 1, out=out)
                np.reciprocal(out, out=out)

            def copy():
                np.copyto(out, h)

            e, i, c = (throughput(f, n) for f in (expr, in_place, copy))
            size = f"{n >> 20} Mi" if n >= 1 << 20 else f"{n >> 10} Ki"
            name = np.dtype(dtype).name.replace("float", "f")
            print(f"| {name} | {size} | {e:.2f} | {i:.2f} | {c:.2f} | {e / c:.2f} | {i / c:.2f} |")


if __name__ == "__main__":
    main()
