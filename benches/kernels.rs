//! Criterion benches of the foundation's kernels, each beside a naive baseline in the same group.
//!
//! Run with `cargo bench --bench kernels`; filter with e.g. `cargo bench --bench kernels -- gradient_step`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use delta_rule::{gradient_step, net_input, sse, train_step, Activation, Sigmoid};
use num_traits::Float;

const SIZES: [usize; 4] = [16, 1 << 10, 1 << 16, 1 << 20];

/// Deterministic inputs in [-4, 4): a fixed linear congruential sequence, so every run and every
/// type sees the same values.
fn inputs<T: Float>(n: usize, seed: u64) -> Vec<T> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            T::from(8.0 * unit - 4.0).unwrap()
        })
        .collect()
}

fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    group
}

/// The tutorial's update loop written with indices.
fn naive_update<T: Float>(w: &mut [T], x: &[T], delta: T, eta: T) {
    for i in 0..w.len() {
        w[i] = w[i] + eta * delta * x[i];
    }
}

fn gradient_step_group<T: Float>(c: &mut Criterion, ty: &str) {
    let mut group = configure(c, &format!("gradient_step/{ty}"));
    let (delta, eta) = (T::from(1e-3).unwrap(), T::from(0.5).unwrap());
    for n in SIZES {
        let x = inputs::<T>(n, 1);
        let mut w = inputs::<T>(n, 2);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("crate", n), &n, |b, _| {
            b.iter(|| gradient_step(black_box(&mut w), black_box(&x), delta, eta).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("naive_indexed", n), &n, |b, _| {
            b.iter(|| naive_update(black_box(&mut w), black_box(&x), delta, eta))
        });
    }
    group.finish();
}

fn sigmoid_group<T: Float>(c: &mut Criterion, ty: &str) {
    let mut group = configure(c, &format!("sigmoid_activate_slice/{ty}"));
    for n in SIZES {
        let h = inputs::<T>(n, 3);
        let mut out = vec![T::zero(); n];
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("crate", n), &n, |b, _| {
            b.iter(|| Sigmoid.activate_slice(black_box(&h), black_box(&mut out)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("naive_formula", n), &n, |b, _| {
            b.iter(|| {
                for (o, &v) in black_box(&mut out).iter_mut().zip(black_box(&h)) {
                    *o = T::one() / (T::one() + (-v).exp());
                }
            })
        });
    }
    group.finish();
}

fn sse_group<T: Float + std::iter::Sum>(c: &mut Criterion, ty: &str) {
    let mut group = configure(c, &format!("sse/{ty}"));
    for n in SIZES {
        let (y, y_hat) = (inputs::<T>(n, 4), inputs::<T>(n, 5));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("crate", n), &n, |b, _| {
            b.iter(|| sse(black_box(&y), black_box(&y_hat)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("naive_sequential", n), &n, |b, _| {
            b.iter(|| {
                let sum: T = black_box(&y)
                    .iter()
                    .zip(black_box(&y_hat))
                    .map(|(&a, &p)| (a - p) * (a - p))
                    .sum();
                sum / (T::one() + T::one())
            })
        });
    }
    group.finish();
}

/// The net input of one record at feature counts of real data sets, around the dot product's
/// chunks of 64 (`f32`) and 32 (`f64`) elements, beside the sequential sum.
fn net_input_group<T: Float + std::iter::Sum>(c: &mut Criterion, ty: &str) {
    let mut group = configure(c, &format!("net_input/{ty}"));
    for n in [10, 63, 64, 100, 127] {
        let (x, w) = (inputs::<T>(n, 8), inputs::<T>(n, 9));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("crate", n), &n, |b, _| {
            b.iter(|| net_input(black_box(&w), black_box(&x)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("naive", n), &n, |b, _| {
            b.iter(|| black_box(&w).iter().zip(black_box(&x)).map(|(&a, &b)| a * b).sum::<T>())
        });
    }
    group.finish();
}

/// One record through the whole rule: forward pass, error term and update.
fn single_sample_group<T: Float + std::iter::Sum>(c: &mut Criterion, ty: &str) {
    let mut group = configure(c, &format!("train_step/{ty}"));
    let (y, eta) = (T::from(0.2).unwrap(), T::from(0.5).unwrap());
    for n in SIZES {
        let x = inputs::<T>(n, 6);
        let mut w: Vec<T> = inputs::<T>(n, 7).iter().map(|&v| v / T::from(n).unwrap()).collect();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("crate", n), &n, |b, _| {
            b.iter(|| train_step(&Sigmoid, black_box(&mut w), black_box(&x), y, eta).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("naive", n), &n, |b, _| {
            b.iter(|| {
                let (w, x) = (black_box(&mut w), black_box(&x));
                let h: T = w.iter().zip(x.iter()).map(|(&a, &b)| a * b).sum();
                let out = T::one() / (T::one() + (-h).exp());
                let delta = (y - out) * out * (T::one() - out);
                naive_update(w, x, delta, eta);
                out
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    gradient_step_group::<f32>(c, "f32");
    gradient_step_group::<f64>(c, "f64");
    sigmoid_group::<f32>(c, "f32");
    sigmoid_group::<f64>(c, "f64");
    sse_group::<f32>(c, "f32");
    sse_group::<f64>(c, "f64");
    net_input_group::<f32>(c, "f32");
    net_input_group::<f64>(c, "f64");
    single_sample_group::<f32>(c, "f32");
    single_sample_group::<f64>(c, "f64");
}

criterion_group!(kernels, benches);
criterion_main!(kernels);
