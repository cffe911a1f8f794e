//! One batch epoch of a single sigmoid unit at N = 100 000 records, D = 64 features, K = 1:
//! the crate's fused single pass beside a naive two-pass baseline (all outputs, then all
//! gradients), a memory-read reference (summing X once: the limit of any epoch) and, with the
//! `rayon` feature, the parallel epoch.
//!
//! `cargo bench --bench epoch` (serial) or `cargo bench --bench epoch --features rayon`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use delta_rule::{batch_epoch, init_weights, Layer, Sigmoid};
use num_traits::Float;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

const RECORDS: usize = 100_000;
const FEATURES: usize = 64;
const LEARN_RATE: f64 = 0.01;

/// The textbook two-pass epoch: every output first, then δ, then the gradient as a second pass
/// over the data (the shape of `X.T @ delta` in numpy), with plain sequential loops.
fn two_pass_epoch<T: Float>(
    w: &mut [T],
    x: &[T],
    y: &[T],
    learn_rate: T,
    outputs: &mut [T],
    gradient: &mut [T],
) -> T {
    let d = w.len();
    for (out, row) in outputs.iter_mut().zip(x.chunks_exact(d)) {
        let h = row.iter().zip(w.iter()).fold(T::zero(), |acc, (&xi, &wi)| acc + xi * wi);
        *out = T::one() / (T::one() + (-h).exp());
    }
    let mut squares = T::zero();
    for (out, &target) in outputs.iter_mut().zip(y) {
        let error = target - *out;
        squares = squares + error * error;
        *out = error * *out * (T::one() - *out);
    }
    gradient.iter_mut().for_each(|g| *g = T::zero());
    for (row, &delta) in x.chunks_exact(d).zip(outputs.iter()) {
        for (g, &xi) in gradient.iter_mut().zip(row) {
            *g = *g + delta * xi;
        }
    }
    let scale = learn_rate / T::from(y.len()).unwrap();
    for (wi, &g) in w.iter_mut().zip(gradient.iter()) {
        *wi = *wi + scale * g;
    }
    squares
}

/// The memory-read reference: Σ x over the whole data set with 32 independent accumulators, a
/// loop the compiler vectorises, so its time is that of reading X once.
fn read_all<T: Float>(x: &[T]) -> T {
    const LANES: usize = 32;
    let mut acc = [T::zero(); LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder().iter().fold(T::zero(), |a, &v| a + v);
    for chunk in chunks {
        for i in 0..LANES {
            acc[i] = acc[i] + chunk[i];
        }
    }
    acc.iter().fold(tail, |a, &v| a + v)
}

fn bench_type<T: Float + Send + Sync>(c: &mut Criterion, name: &str) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let x: Vec<T> =
        (0..RECORDS * FEATURES).map(|_| T::from(rng.random_range(-1.0..1.0)).unwrap()).collect();
    let y: Vec<T> = (0..RECORDS).map(|_| T::from(rng.random_range(0..2)).unwrap()).collect();
    let layer = Layer::new(FEATURES, 1);
    let mut w0 = vec![T::zero(); layer.weights_len()];
    init_weights(layer, &mut w0, 2).unwrap();
    let learn_rate = T::from(LEARN_RATE).unwrap();
    let bytes = (x.len() + y.len()) * core::mem::size_of::<T>();

    let mut group = c.benchmark_group(format!("epoch_{name}"));
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    let id = |f: &str| BenchmarkId::new(f, format!("{RECORDS}x{FEATURES}"));

    group.bench_function(id("read_x_reference"), |b| b.iter(|| read_all(black_box(&x))));

    let mut w = w0.clone();
    let mut gradient = vec![T::zero(); layer.weights_len()];
    group.bench_function(id("fused"), |b| {
        b.iter(|| {
            batch_epoch(
                &Sigmoid,
                layer,
                &mut w,
                black_box(&x),
                black_box(&y),
                learn_rate,
                &mut gradient,
            )
            .unwrap()
        })
    });

    let mut w = w0.clone();
    let mut outputs = vec![T::zero(); RECORDS];
    group.bench_function(id("two_pass_baseline"), |b| {
        b.iter(|| {
            two_pass_epoch(
                &mut w,
                black_box(&x),
                black_box(&y),
                learn_rate,
                &mut outputs,
                &mut gradient,
            )
        })
    });

    #[cfg(feature = "rayon")]
    {
        // The memory-read reference on every thread of the pool: the limit of the parallel
        // epoch, which one thread's figure does not show when memory is shared.
        use rayon::prelude::*;
        let shard = x.len().div_ceil(rayon::current_num_threads());
        group.bench_function(id("read_x_reference_rayon"), |b| {
            b.iter(|| black_box(&x).par_chunks(shard).map(read_all).reduce(T::zero, |a, b| a + b))
        });

        let mut w = w0.clone();
        group.bench_function(id("fused_rayon"), |b| {
            b.iter(|| {
                delta_rule::par_batch_epoch(
                    &Sigmoid,
                    layer,
                    &mut w,
                    black_box(&x),
                    black_box(&y),
                    learn_rate,
                    &mut gradient,
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

fn epoch(c: &mut Criterion) {
    bench_type::<f32>(c, "f32");
    bench_type::<f64>(c, "f64");
}

criterion_group!(benches, epoch);
criterion_main!(benches);
