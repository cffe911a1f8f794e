//! The cost of accuracy: each accurate kernel beside the naive formula it replaces, in the same
//! criterion group, so that the ratio is measured in one run.
//!
//! ```text
//! cargo bench --bench accuracy
//! cargo bench --bench accuracy -- sse      # one group
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use delta_rule::{sse, Activation, Sigmoid, Softplus, Tanh};

/// Deterministic inputs in [lo, hi) from splitmix64.
fn inputs(n: usize, lo: f64, hi: f64, seed: u64) -> Vec<f64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            lo + (hi - lo) * ((z >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

fn naive_sse_f64(y: &[f64], y_hat: &[f64]) -> f64 {
    0.5 * y.iter().zip(y_hat).map(|(a, b)| (a - b) * (a - b)).sum::<f64>()
}

fn naive_sse_f32(y: &[f32], y_hat: &[f32]) -> f32 {
    0.5 * y.iter().zip(y_hat).map(|(a, b)| (a - b) * (a - b)).sum::<f32>()
}

fn bench_sse(c: &mut Criterion) {
    let mut group = c.benchmark_group("sse");
    for n in [1_000, 100_000, 1_000_000] {
        let y = inputs(n, 0.0, 1.0, 1);
        let y_hat = inputs(n, 0.0, 1.0, 2);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("naive_sequential_f64", n), &n, |bench, _| {
            bench.iter(|| naive_sse_f64(black_box(&y), black_box(&y_hat)))
        });
        group.bench_with_input(BenchmarkId::new("accurate_f64", n), &n, |bench, _| {
            bench.iter(|| sse(black_box(&y), black_box(&y_hat)))
        });
        // The f64 kernel's slow case: residuals growing by 1 % per element (restarting before
        // they overflow), so that the 8 squares a block adds to a lane more than double its sum
        // (by 1.01^32 per square in a lane of 16) and the check of the short step fails.
        let growing: Vec<f64> = (0..n).map(|i| 1.01_f64.powi((i % 30_000) as i32)).collect();
        let zeros = vec![0.0; n];
        group.bench_with_input(
            BenchmarkId::new("naive_sequential_f64_growing", n),
            &n,
            |bench, _| bench.iter(|| naive_sse_f64(black_box(&growing), black_box(&zeros))),
        );
        group.bench_with_input(BenchmarkId::new("accurate_f64_growing", n), &n, |bench, _| {
            bench.iter(|| sse(black_box(&growing), black_box(&zeros)))
        });
        let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
        let y_hat32: Vec<f32> = y_hat.iter().map(|&v| v as f32).collect();
        group.bench_with_input(BenchmarkId::new("naive_sequential_f32", n), &n, |bench, _| {
            bench.iter(|| naive_sse_f32(black_box(&y32), black_box(&y_hat32)))
        });
        group.bench_with_input(BenchmarkId::new("accurate_f32", n), &n, |bench, _| {
            bench.iter(|| sse(black_box(&y32), black_box(&y_hat32)))
        });
    }
    group.finish();
}

/// One group per activation output: the naive formula, the accurate scalar method in a loop,
/// and the slice method, for f64 and f32. Each is its own closure type, so that the loops call
/// them directly and inline them (through `fn` pointers every element paid an indirect call,
/// which slowed the per-element loops against the slice methods).
struct Kernels<N64, N32, A64, A32, S64, S32> {
    naive64: N64,
    naive32: N32,
    accurate64: A64,
    accurate32: A32,
    slice64: S64,
    slice32: S32,
}

fn bench_activation<N64, N32, A64, A32, S64, S32>(
    c: &mut Criterion,
    name: &str,
    kernels: Kernels<N64, N32, A64, A32, S64, S32>,
) where
    N64: Fn(f64) -> f64,
    N32: Fn(f32) -> f32,
    A64: Fn(f64) -> f64,
    A32: Fn(f32) -> f32,
    S64: Fn(&[f64], &mut [f64]),
    S32: Fn(&[f32], &mut [f32]),
{
    let Kernels { naive64, naive32, accurate64, accurate32, slice64, slice32 } = kernels;
    let mut group = c.benchmark_group(name);
    for n in [1_000, 100_000] {
        let h = inputs(n, -20.0, 20.0, 3);
        let h32: Vec<f32> = h.iter().map(|&v| v as f32).collect();
        let mut out = vec![0.0_f64; n];
        let mut out32 = vec![0.0_f32; n];
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("naive_f64", n), &n, |bench, _| {
            bench.iter(|| {
                for (o, &x) in black_box(&mut out).iter_mut().zip(black_box(&h)) {
                    *o = naive64(x);
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("accurate_scalar_f64", n), &n, |bench, _| {
            bench.iter(|| {
                for (o, &x) in black_box(&mut out).iter_mut().zip(black_box(&h)) {
                    *o = accurate64(x);
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("slice_f64", n), &n, |bench, _| {
            bench.iter(|| slice64(black_box(&h), black_box(&mut out)))
        });
        group.bench_with_input(BenchmarkId::new("naive_f32", n), &n, |bench, _| {
            bench.iter(|| {
                for (o, &x) in black_box(&mut out32).iter_mut().zip(black_box(&h32)) {
                    *o = naive32(x);
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("accurate_scalar_f32", n), &n, |bench, _| {
            bench.iter(|| {
                for (o, &x) in black_box(&mut out32).iter_mut().zip(black_box(&h32)) {
                    *o = accurate32(x);
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("slice_f32", n), &n, |bench, _| {
            bench.iter(|| slice32(black_box(&h32), black_box(&mut out32)))
        });
    }
    group.finish();
}

fn bench_activations(c: &mut Criterion) {
    let sigmoid = Kernels {
        naive64: |h: f64| 1.0 / (1.0 + (-h).exp()),
        naive32: |h: f32| 1.0 / (1.0 + (-h).exp()),
        accurate64: |h: f64| Sigmoid.activate(h),
        accurate32: |h: f32| Sigmoid.activate(h),
        slice64: |h: &[f64], out: &mut [f64]| Sigmoid.activate_slice(h, out).unwrap(),
        slice32: |h: &[f32], out: &mut [f32]| Sigmoid.activate_slice(h, out).unwrap(),
    };
    bench_activation(c, "sigmoid", sigmoid);
    let sigmoid_derivative = Kernels {
        naive64: |h: f64| {
            let s = 1.0 / (1.0 + (-h).exp());
            s * (1.0 - s)
        },
        naive32: |h: f32| {
            let s = 1.0 / (1.0 + (-h).exp());
            s * (1.0 - s)
        },
        accurate64: |h: f64| Sigmoid.derivative(h),
        accurate32: |h: f32| Sigmoid.derivative(h),
        slice64: |h: &[f64], out: &mut [f64]| Sigmoid.derivative_slice(h, out).unwrap(),
        slice32: |h: &[f32], out: &mut [f32]| Sigmoid.derivative_slice(h, out).unwrap(),
    };
    bench_activation(c, "sigmoid_derivative", sigmoid_derivative);
    let tanh = Kernels {
        naive64: f64::tanh,
        naive32: f32::tanh,
        accurate64: |h: f64| Tanh.activate(h),
        accurate32: |h: f32| Tanh.activate(h),
        slice64: |h: &[f64], out: &mut [f64]| Tanh.activate_slice(h, out).unwrap(),
        slice32: |h: &[f32], out: &mut [f32]| Tanh.activate_slice(h, out).unwrap(),
    };
    bench_activation(c, "tanh", tanh);
    let softplus = Kernels {
        naive64: |h: f64| h.exp().ln_1p(),
        naive32: |h: f32| h.exp().ln_1p(),
        accurate64: |h: f64| Softplus.activate(h),
        accurate32: |h: f32| Softplus.activate(h),
        slice64: |h: &[f64], out: &mut [f64]| Softplus.activate_slice(h, out).unwrap(),
        slice32: |h: &[f32], out: &mut [f32]| Softplus.activate_slice(h, out).unwrap(),
    };
    bench_activation(c, "softplus", softplus);
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_sse, bench_activations
}
criterion_main!(benches);
