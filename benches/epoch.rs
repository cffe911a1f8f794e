//! One batch epoch of a single sigmoid unit at N = 100 000 records, D = 64 features, K = 1: the
//! crate's fused single pass beside a naive two-pass baseline (all outputs, then all gradients, in
//! plain loops), the same two passes through the crate's public kernels, a memory-read reference
//! (summing X once: the limit of any epoch), the same epoch with K = 3 outputs beside the two-pass
//! baseline of K = 3 and, with the `rayon` feature, the parallel epoch. Then `minibatch_f32`: one
//! mini-batch epoch over a shuffled order at batch sizes 1, 32 and 256, beside the per-record path
//! it replaced and the same epoch over the records in storage order.
//!
//! `epoch_by_size_f32` and `epoch_by_size_f64`: the batch epoch and the read of X (with `rayon`,
//! also on every thread) for X of 512 KiB to 102.4 MB, in L2, in L3 and beyond.
//!
//! `epoch_widths_f32` and `epoch_widths_f64`: the batch epoch and the two-pass baseline at
//! 16 384 records of 3 to 127 features (short rows, and lengths that are not whole chunks of the
//! dot product).
//!
//! Last, `predict_f32`/`predict_f64`: `predict` with the sigmoid over the same records beside the
//! per-record loop it replaced, and `predict_few_f32`/`predict_few_f64`: the same on 1 to 17
//! records, where the fixed cost of a call shows.
//!
//! `cargo bench --bench epoch` (serial) or `cargo bench --bench epoch --features rayon`;
//! `cargo bench --bench epoch -- minibatch` for the mini-batch group alone, `-- predict` for the
//! prediction groups.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use delta_rule::{
    accumulate_weight_step, apply_gradient, batch_epoch, error_terms, init_weights,
    minibatch_epoch, net_input, predict, sse, train_step, Activation, Identity, Layer, Sigmoid,
};
use num_traits::Float;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;

const RECORDS: usize = 100_000;
const FEATURES: usize = 64;
const LEARN_RATE: f64 = 0.01;

/// The textbook two-pass epoch: every output first, then δ, then the gradient as a second pass
/// over the data (the shape of `X.T @ delta` in numpy), in plain loops the compiler vectorises:
/// each net input in 16 independent accumulators ([`dot_in_lanes`], as the `simd` bench's naive
/// dot product), the gradient as one element-wise update per record. K outputs (K =
/// `w.len() / features`, weights K × D row-major as in [`Layer`]). Before 2026-12-05, 21:00 UTC
/// the net input was one sequential sum, bound by the latency of its additions (log: "A fair
/// dot product in the two-pass baseline").
fn two_pass_epoch<T: Float>(
    features: usize,
    w: &mut [T],
    x: &[T],
    y: &[T],
    learn_rate: T,
    outputs: &mut [T],
    gradient: &mut [T],
) -> T {
    let d = features;
    let k = w.len() / d;
    for (outs, row) in outputs.chunks_exact_mut(k).zip(x.chunks_exact(d)) {
        for (out, w_j) in outs.iter_mut().zip(w.chunks_exact(d)) {
            let h = dot_in_lanes(row, w_j);
            *out = T::one() / (T::one() + (-h).exp());
        }
    }
    let mut squares = T::zero();
    for (out, &target) in outputs.iter_mut().zip(y) {
        let error = target - *out;
        squares = squares + error * error;
        *out = error * *out * (T::one() - *out);
    }
    gradient.iter_mut().for_each(|g| *g = T::zero());
    for (row, deltas) in x.chunks_exact(d).zip(outputs.chunks_exact(k)) {
        for (g_j, &delta) in gradient.chunks_exact_mut(d).zip(deltas) {
            for (g, &xi) in g_j.iter_mut().zip(row) {
                *g = *g + delta * xi;
            }
        }
    }
    let scale = learn_rate / T::from(x.len() / d).unwrap();
    for (wi, &g) in w.iter_mut().zip(gradient.iter()) {
        *wi = *wi + scale * g;
    }
    squares
}

/// The same epoch as `batch_epoch` with one output and `Sigmoid`, in two passes over X through
/// the crate's public kernels, as a user of the crate would write it without `batch_epoch`: every
/// net input by `predict` with `Identity` (the blocked, dispatched dot products), σ of them by
/// `activate_slice` and the loss by `sse` (the loss `batch_epoch` returns), every δ by
/// `error_terms`, then the gradient as a second pass over X, one `accumulate_weight_step`
/// (g += δ·x, dispatched) per record, and the update by `apply_gradient`. Beside
/// [`two_pass_epoch`], whose plain loops a default build compiles for SSE2 with a scalar `exp`
/// per record, it separates the gain of one pass from the gain of the SIMD kernels. `scratch`
/// holds three arrays of one value per record (h, ŷ, δ). Returns ½ Σ (y − ŷ)².
fn two_pass_kernels<T: Float>(
    layer: Layer,
    w: &mut [T],
    x: &[T],
    y: &[T],
    learn_rate: T,
    scratch: &mut [T],
    gradient: &mut [T],
) -> T {
    let (h, rest) = scratch.split_at_mut(y.len());
    let (y_hat, delta) = rest.split_at_mut(y.len());
    predict(&Identity, layer, w, x, h).unwrap();
    Sigmoid.activate_slice(h, y_hat).unwrap();
    let loss = sse(y, y_hat).unwrap();
    error_terms(&Sigmoid, y, h, delta).unwrap();
    gradient.fill(T::zero());
    for (row, &d) in x.chunks_exact(layer.inputs).zip(delta.iter()) {
        accumulate_weight_step(gradient, row, d, T::one()).unwrap();
    }
    apply_gradient(w, gradient, learn_rate, y.len()).unwrap();
    loss
}

/// Asserts that `batch_epoch` and [`two_pass_kernels`] compute, from the same weights `w0` (one
/// output, `Sigmoid`, 0/1 targets), the gradient Σᵢ δᵢ xᵢ, the loss and the updated weights of an
/// `f64` reference up to rounding, so that the two benches do the same work; on all records and
/// on all but the last 7 (a count that is not a whole number of the fused kernel's groups).
///
/// A computed sum Σᵢ tᵢ may be off by λ√n·u·Σᵢ |tᵢ| + u·Σᵢ cᵢ|tᵢ|, with u the unit roundoff of
/// `T`. The first term bounds the rounding of a sum of n terms in any order with a probability
/// above 1 − 2n·e^(−λ²/2) (Higham and Mary 2019, taking the roundings as independent; the worst
/// case, n·u, exceeds the gradient itself at n = 100 000 and would pass a wrong one); λ = 8.
/// The second bounds each term's own error: cᵢ = 2dMᵢ + 2e^|hᵢ| + 8, with Mᵢ = Σₖ |wₖ xᵢₖ|, from
/// its net input (d products; a change Δh moves δ and (y − σ)² by at most 2|Δh| relative), from
/// σ and σ′ by the accuracy `error_terms` documents (σ/|y − σ| ≤ e^|h| for 0/1 targets), and from
/// the products. For `f64` the reference's own error (of the same kind, in `f64`) is allowed
/// once more. Leaving out 100 of the 100 000 records fails it for `f32` (32 do not), one group of
/// 32 for `f64`, and so would a wrong sign or a missing σ′.
fn assert_same_epoch<T: Float>(layer: Layer, w0: &[T], x: &[T], y: &[T], learn_rate: T) {
    let d = layer.inputs;
    let f = |v: T| v.to_f64().unwrap();
    let u = f(T::epsilon()) / 2.0;
    // Allowed once for T's arithmetic, and once more for the reference's where T is f64.
    let twice = if u < f64::EPSILON { 2.0 } else { 1.0 };
    for n in [y.len(), y.len() - 7] {
        let (x, y) = (&x[..n * d], &y[..n]);
        let (mut g, mut g_abs, mut g_terms) = (vec![0.0; d], vec![0.0; d], vec![0.0; d]);
        let (mut loss, mut loss_abs, mut loss_terms) = (0.0, 0.0, 0.0);
        for (row, &target) in x.chunks_exact(d).zip(y) {
            let h: f64 = row.iter().zip(w0).map(|(&a, &b)| f(a) * f(b)).sum();
            let m: f64 = row.iter().zip(w0).map(|(&a, &b)| (f(a) * f(b)).abs()).sum();
            let c = 2.0 * d as f64 * m + 2.0 * h.abs().exp() + 8.0;
            let s = 1.0 / (1.0 + (-h).exp());
            let delta = (f(target) - s) * s * (1.0 - s);
            let square = 0.5 * (f(target) - s) * (f(target) - s);
            (loss, loss_abs, loss_terms) =
                (loss + square, loss_abs + square, loss_terms + c * square);
            for (k, &xk) in row.iter().enumerate() {
                let t = delta * f(xk);
                (g[k], g_abs[k], g_terms[k]) =
                    (g[k] + t, g_abs[k] + t.abs(), g_terms[k] + c * t.abs());
            }
        }
        let sum_bound = 8.0 * (n as f64).sqrt() * u;
        let bound = |abs: f64, terms: f64| twice * (sum_bound * abs + u * terms);

        let (mut fused_w, mut fused_g) = (w0.to_vec(), vec![T::zero(); d]);
        let fused =
            batch_epoch(&Sigmoid, layer, &mut fused_w, x, y, learn_rate, &mut fused_g).unwrap().sse;
        let (mut kernels_w, mut kernels_g) = (w0.to_vec(), vec![T::zero(); d]);
        let mut scratch = vec![T::zero(); 3 * n];
        let kernels =
            two_pass_kernels(layer, &mut kernels_w, x, y, learn_rate, &mut scratch, &mut kernels_g);
        let runs =
            [("fused", fused, &fused_g, &fused_w), ("kernels", kernels, &kernels_g, &kernels_w)];
        for (name, loss_t, grad, w) in runs {
            let err = (f(loss_t) - loss).abs();
            assert!(err <= bound(loss_abs, loss_terms), "{name}, n {n}: loss off by {err:e}");
            for k in 0..d {
                let err = (f(grad[k]) - g[k]).abs();
                let allowed = bound(g_abs[k], g_terms[k]);
                assert!(err <= allowed, "{name}, n {n}: gradient {k} off by {err:e} > {allowed:e}");
                // w ← w + η g / n, each step rounded (at most three roundings of the step, one
                // of the sum): the gradient's error scaled by η/n, and those roundings.
                let step = f(learn_rate) * g[k] / n as f64;
                let allowed = f(learn_rate) * allowed / n as f64
                    + twice * u * (3.0 * step.abs() + (f(w0[k]) + step).abs());
                let err = (f(w[k]) - (f(w0[k]) + step)).abs();
                assert!(err <= allowed, "{name}, n {n}: weight {k} off by {err:e} > {allowed:e}");
            }
        }
    }
}

/// Σ aᵢbᵢ with product i in accumulator i mod 16, then the 16 in order: independent chains a
/// default build vectorises, against the one latency-bound chain of a sequential sum.
fn dot_in_lanes<T: Float>(a: &[T], b: &[T]) -> T {
    const LANES: usize = 16;
    let mut acc = [T::zero(); LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail = ca.remainder().iter().zip(cb.remainder()).fold(T::zero(), |s, (&x, &y)| s + x * y);
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] = acc[i] + x[i] * y[i];
        }
    }
    acc.iter().fold(tail, |s, &v| s + v)
}

/// The memory-read reference: Σ x over the whole data set in 128 bytes of independent
/// accumulators (32 `f32` or 16 `f64`), a loop the compiler vectorises, so its time is that of
/// reading X once. 128 bytes fill 8 of the 16 SSE registers of a default build: 32 `f64`
/// accumulators would take all 16 and read X up to 1.6× slower on an Intel core (log).
///
/// A default build compiles it for SSE2, two 16-byte additions a cycle, whatever level the
/// kernels run at. Where the epoch's goal is measured, from the L3 and from memory, that is not
/// its limit: it sums X in L2 at up to 114 GB/s (512 KiB in 4.6 µs), nearly twice its fastest
/// read from the L3 on AMD Zen 4 (61 GB/s). There the same sum compiled for AVX-512F was no
/// faster (2026-12-07, eleven runs, log: "The read of X compiled for AVX-512"): with 32
/// accumulators 0.83–1.24 of this one's time for the 25.6 MB of `f32` X in the L3 (median run
/// 1.03) and 1.09–1.34 for the 51.2 MB of `f64` X (memory), slower in every run; with 64,
/// 0.77–1.11 and 0.96–1.55. In L2 (512 KiB) both took the same best time, but the AVX-512 sum
/// was faster in the medians (0.66–1.02 of this one's time) while the other core was busy: the
/// `epoch_by_size` fractions at 512 KiB to 2 MiB are against a read that can be that much
/// slower than the fastest.
fn read_all<T: Float>(x: &[T]) -> T {
    if core::mem::size_of::<T>() >= 8 {
        read_in_lanes::<T, 16>(x)
    } else {
        read_in_lanes::<T, 32>(x)
    }
}

/// [`read_all`] on every thread of the rayon pool, one contiguous shard each: the limit of the
/// parallel epoch, which one thread's figure does not show when memory is shared.
#[cfg(feature = "rayon")]
fn read_all_rayon<T: Float + Send + Sync>(x: &[T]) -> T {
    use rayon::prelude::*;
    let shard = x.len().div_ceil(rayon::current_num_threads()).max(1);
    x.par_chunks(shard).map(read_all).reduce(T::zero, |a, b| a + b)
}

fn read_in_lanes<T: Float, const LANES: usize>(x: &[T]) -> T {
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

/// `records` rows of `d` inputs uniform in [−1, 1) and their 0/1 targets, drawn from `rng` in
/// that order; the inputs start [`X_OFFSET`] bytes past a 64-byte line.
fn problem<T: Float>(rng: &mut ChaCha8Rng, records: usize, d: usize) -> (Placed<T>, Vec<T>) {
    let x = (0..records * d).map(|_| T::from(rng.random_range(-1.0..1.0)).unwrap());
    let x = Placed::new(x, records * d);
    let y = (0..records).map(|_| T::from(rng.random_range(0..2)).unwrap()).collect();
    (x, y)
}

/// Where every bench's X starts: this many bytes past a 64-byte line, the offset glibc gives
/// allocations large enough to be mapped on their own. Left to the heap, the offset of smaller
/// ones depended on what criterion had allocated before, and so varied between runs: rows of 48
/// `f64` took 110 µs from a line's start and 134 µs from 48 bytes past it.
const X_OFFSET: usize = 16;

/// `len` values in a buffer of their own, starting [`X_OFFSET`] bytes past a 64-byte line.
struct Placed<T> {
    buffer: Vec<T>,
    start: usize,
}

impl<T: Float> Placed<T> {
    fn new(values: impl Iterator<Item = T>, len: usize) -> Self {
        let size = core::mem::size_of::<T>();
        let mut buffer = Vec::with_capacity(len + 64 / size);
        let misplaced = (64 + X_OFFSET - buffer.as_ptr() as usize % 64) % 64;
        assert_eq!(misplaced % size, 0, "a buffer of {size}-byte values");
        let start = misplaced / size;
        buffer.resize(start, T::zero());
        buffer.extend(values.take(len));
        assert_eq!(buffer.len(), start + len);
        Placed { buffer, start }
    }
}

impl<T> core::ops::Deref for Placed<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.buffer[self.start..]
    }
}

fn bench_type<T: Float + Send + Sync>(c: &mut Criterion, name: &str) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (x, y) = problem::<T>(&mut rng, RECORDS, FEATURES);
    let layer = Layer::new(FEATURES, 1);
    let mut w0 = vec![T::zero(); layer.weights_len()];
    init_weights(layer, &mut w0, 2).unwrap();
    let learn_rate = T::from(LEARN_RATE).unwrap();

    // The bytes each bench reads at least once: X alone for the references, X and the targets
    // for the epochs. Criterion reports them per second, the bandwidth an epoch reaches.
    let bytes = |values: usize| Throughput::Bytes((values * core::mem::size_of::<T>()) as u64);
    let mut group = c.benchmark_group(format!("epoch_{name}"));
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    let id = |f: &str| BenchmarkId::new(f, format!("{RECORDS}x{FEATURES}"));

    group.throughput(bytes(x.len()));
    group.bench_function(id("read_x_reference"), |b| b.iter(|| read_all(black_box(&x))));
    group.throughput(bytes(x.len() + y.len()));

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

    assert_same_epoch(layer, &w0, &x, &y, learn_rate);
    let mut w = w0.clone();
    let mut scratch = vec![T::zero(); 3 * RECORDS];
    group.bench_function(id("two_pass_kernels"), |b| {
        b.iter(|| {
            two_pass_kernels(
                layer,
                &mut w,
                black_box(&x),
                black_box(&y),
                learn_rate,
                &mut scratch,
                &mut gradient,
            )
        })
    });

    let mut w = w0.clone();
    let mut outputs = vec![T::zero(); RECORDS];
    group.bench_function(id("two_pass_baseline"), |b| {
        b.iter(|| {
            two_pass_epoch(
                FEATURES,
                &mut w,
                black_box(&x),
                black_box(&y),
                learn_rate,
                &mut outputs,
                &mut gradient,
            )
        })
    });

    // Three outputs: each block of records is read once per output (from cache after the
    // first), so this shows the several-output path's own cost beside the one-output epoch,
    // and beside the two-pass baseline of the same three outputs.
    let layer3 = Layer::new(FEATURES, 3);
    let y3: Vec<T> = (0..RECORDS * 3).map(|_| T::from(rng.random_range(0..2)).unwrap()).collect();
    let mut w3 = vec![T::zero(); layer3.weights_len()];
    init_weights(layer3, &mut w3, 3).unwrap();
    let mut gradient3 = vec![T::zero(); layer3.weights_len()];
    let w3_start = w3.clone();
    let mut outputs3 = vec![T::zero(); RECORDS * 3];
    group.throughput(bytes(x.len() + y3.len()));
    group.bench_function(id("two_pass_baseline_3_outputs"), |b| {
        b.iter(|| {
            two_pass_epoch(
                FEATURES,
                &mut w3,
                black_box(&x),
                black_box(&y3),
                learn_rate,
                &mut outputs3,
                &mut gradient3,
            )
        })
    });
    w3.copy_from_slice(&w3_start);
    group.bench_function(id("fused_3_outputs"), |b| {
        b.iter(|| {
            batch_epoch(
                &Sigmoid,
                layer3,
                &mut w3,
                black_box(&x),
                black_box(&y3),
                learn_rate,
                &mut gradient3,
            )
            .unwrap()
        })
    });

    #[cfg(feature = "rayon")]
    {
        group.throughput(bytes(x.len()));
        group.bench_function(id("read_x_reference_rayon"), |b| {
            b.iter(|| read_all_rayon(black_box(&x)))
        });
        group.throughput(bytes(x.len() + y.len()));

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

/// The mini-batch epoch as it ran before the blocked path, one record at a time through the
/// public per-record functions (the same operations in the same order): `train_step` per record
/// for batch size 1; otherwise per record the net input, the scalar f and f′, δ and δ x added
/// to the gradient, then the update w ← w + η g / b. Returns Σ (y − ŷ)² in `f64`.
fn per_record_minibatch(
    w: &mut [f32],
    x: &[f32],
    y: &[f32],
    learn_rate: f32,
    batch_size: usize,
    order: &[usize],
    gradient: &mut [f32],
) -> f64 {
    let d = w.len();
    let mut squares = 0.0;
    if batch_size == 1 {
        for &i in order {
            let y_hat = train_step(&Sigmoid, w, &x[i * d..(i + 1) * d], y[i], learn_rate).unwrap();
            squares += (f64::from(y[i]) - f64::from(y_hat)).powi(2);
        }
        return squares;
    }
    for batch in order.chunks(batch_size) {
        gradient.fill(0.0);
        for &i in batch {
            let x_row = &x[i * d..(i + 1) * d];
            let (y_hat, slope) = Sigmoid.activate_with_derivative(net_input(w, x_row).unwrap());
            squares += (f64::from(y[i]) - f64::from(y_hat)).powi(2);
            accumulate_weight_step(gradient, x_row, (y[i] - y_hat) * slope, 1.0).unwrap();
        }
        apply_gradient(w, gradient, learn_rate, batch.len()).unwrap();
    }
    squares
}

/// `minibatch_epoch` over a shuffled order against [`per_record_minibatch`], `f32`.
fn minibatch(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let x = (0..RECORDS * FEATURES).map(|_| rng.random_range(-1.0_f32..1.0));
    let x = Placed::new(x, RECORDS * FEATURES);
    let y: Vec<f32> = (0..RECORDS).map(|_| f32::from(rng.random_range(0..2_u8))).collect();
    let mut order: Vec<usize> = (0..RECORDS).collect();
    order.shuffle(&mut rng);
    let layer = Layer::new(FEATURES, 1);
    let mut w0 = vec![0.0_f32; layer.weights_len()];
    init_weights(layer, &mut w0, 2).unwrap();
    let learn_rate = LEARN_RATE as f32;

    let mut group = c.benchmark_group("minibatch_f32");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    let mut gradient = vec![0.0_f32; layer.weights_len()];
    let in_order: Vec<usize> = (0..RECORDS).collect();
    for batch_size in [1, 32, 256] {
        let id = |f: &str| BenchmarkId::new(f, format!("{RECORDS}x{FEATURES}/batch{batch_size}"));
        // Over the records in storage order as well: what the shuffle costs in memory latency.
        for (name, order) in [("blocked", &order), ("blocked_in_storage_order", &in_order)] {
            let mut w = w0.clone();
            group.bench_function(id(name), |b| {
                b.iter(|| {
                    minibatch_epoch(
                        &Sigmoid,
                        layer,
                        &mut w,
                        black_box(&x),
                        black_box(&y),
                        learn_rate,
                        batch_size,
                        order,
                        &mut gradient,
                    )
                    .unwrap()
                })
            });
        }
        let mut w = w0.clone();
        group.bench_function(id("per_record_baseline"), |b| {
            b.iter(|| {
                per_record_minibatch(
                    &mut w,
                    black_box(&x),
                    black_box(&y),
                    learn_rate,
                    batch_size,
                    &order,
                    &mut gradient,
                )
            })
        });
    }
    group.finish();
}

/// `predict` with the sigmoid over N × D records against the per-record loop it replaced (the
/// net input and the scalar σ of each record), beside the read of X, for one element type.
fn predict_type<T: Float>(c: &mut Criterion, name: &str)
where
    Sigmoid: Activation<T>,
{
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let x: Vec<T> =
        (0..RECORDS * FEATURES).map(|_| T::from(rng.random_range(-1.0..1.0)).unwrap()).collect();
    let layer = Layer::new(FEATURES, 1).with_bias();
    let mut w = vec![T::zero(); layer.weights_len()];
    init_weights(layer, &mut w, 5).unwrap();
    let mut out = vec![T::zero(); RECORDS];

    let mut group = c.benchmark_group(format!("predict_{name}"));
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    let id = |f: &str| BenchmarkId::new(f, format!("{RECORDS}x{FEATURES}"));
    group.bench_function(id("read_x_reference"), |b| b.iter(|| read_all(black_box(&x))));
    group.bench_function(id("blocked"), |b| {
        b.iter(|| predict(&Sigmoid, layer, &w, black_box(&x), &mut out).unwrap())
    });
    group.bench_function(id("per_record_baseline"), |b| {
        b.iter(|| {
            for (o, row) in out.iter_mut().zip(black_box(&x).chunks_exact(FEATURES)) {
                *o = Sigmoid.activate(net_input(&w[..FEATURES], row).unwrap() + w[FEATURES]);
            }
        })
    });
    group.finish();
}

/// `predict` on a few records (one, as an application predicting one input at a time, up to
/// about one net-input group), against the per-record loop, where fixed costs per call show.
fn predict_few_type<T: Float>(c: &mut Criterion, name: &str)
where
    Sigmoid: Activation<T>,
{
    const MOST: usize = 17;
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let x: Vec<T> =
        (0..MOST * FEATURES).map(|_| T::from(rng.random_range(-1.0..1.0)).unwrap()).collect();
    let layer = Layer::new(FEATURES, 1).with_bias();
    let mut w = vec![T::zero(); layer.weights_len()];
    init_weights(layer, &mut w, 7).unwrap();
    let mut out = [T::zero(); MOST];

    let mut group = c.benchmark_group(format!("predict_few_{name}"));
    group.sample_size(20).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(2));
    for records in [1, 3, 15, 17] {
        let (x, out) = (&x[..records * FEATURES], &mut out[..records]);
        group.throughput(Throughput::Elements(records as u64));
        let id = |f: &str| BenchmarkId::new(f, format!("{records}x{FEATURES}"));
        group.bench_function(id("blocked"), |b| {
            b.iter(|| predict(&Sigmoid, layer, &w, black_box(x), out).unwrap())
        });
        group.bench_function(id("per_record_baseline"), |b| {
            b.iter(|| {
                for (o, row) in out.iter_mut().zip(black_box(x).chunks_exact(FEATURES)) {
                    *o = Sigmoid.activate(net_input(&w[..FEATURES], row).unwrap() + w[FEATURES]);
                }
            })
        });
    }
    group.finish();
}

/// The batch epoch at several row lengths, beside the two-pass baseline, per element of X.
fn widths<T: Float>(c: &mut Criterion, name: &str, lengths: &[usize]) {
    const WIDTH_RECORDS: usize = 16_384;
    let mut group = c.benchmark_group(format!("epoch_widths_{name}"));
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(2));
    let lr = T::from(0.01).unwrap();
    for &d in lengths {
        let (x, y) = problem::<T>(&mut ChaCha8Rng::seed_from_u64(8), WIDTH_RECORDS, d);
        let layer = Layer::new(d, 1);
        let mut w0 = vec![T::zero(); d];
        init_weights(layer, &mut w0, 9).unwrap();
        let (mut gradient, mut outputs) = (vec![T::zero(); d], vec![T::zero(); WIDTH_RECORDS]);
        group.throughput(Throughput::Elements(x.len() as u64));
        let id = |f: &str| BenchmarkId::new(f, format!("{WIDTH_RECORDS}x{d}"));
        let mut w = w0.clone();
        group.bench_function(id("fused"), |b| {
            b.iter(|| {
                let (x, y) = (black_box(&x), black_box(&y));
                batch_epoch(&Sigmoid, layer, &mut w, x, y, lr, &mut gradient).unwrap()
            })
        });
        let mut w = w0.clone();
        group.bench_function(id("two_pass_baseline"), |b| {
            b.iter(|| {
                let (x, y) = (black_box(&x), black_box(&y));
                two_pass_epoch(d, &mut w, x, y, lr, &mut outputs, &mut gradient)
            })
        });
    }
    group.finish();
}

/// The batch epoch beside the read of X at five sizes of X, rows of 64: 512 KiB to 2 MiB (within
/// a core's L2 or about its size on the machines measured), 25.6 MB (the size of the `epoch_*`
/// groups, which fits in a 32 MiB L3) and 102.4 MB (beyond it), so that the epoch's fraction of
/// the read shows for each place X is read from. With `rayon`, the same on every thread of the
/// pool: the small sizes show where handing the work to the pool starts to pay.
fn by_size<T: Float + Send + Sync>(c: &mut Criterion, name: &str) {
    let mut group = c.benchmark_group(format!("epoch_by_size_{name}"));
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    let lr = T::from(LEARN_RATE).unwrap();
    for bytes in [1 << 19, 1 << 20, 1 << 21, 25_600_000, 102_400_000] {
        let records = bytes / (FEATURES * core::mem::size_of::<T>());
        let (x, y) = problem::<T>(&mut ChaCha8Rng::seed_from_u64(10), records, FEATURES);
        let layer = Layer::new(FEATURES, 1);
        let mut w = vec![T::zero(); FEATURES];
        init_weights(layer, &mut w, 11).unwrap();
        let mut gradient = vec![T::zero(); FEATURES];
        group.throughput(Throughput::Bytes(bytes as u64));
        let id = |f: &str| BenchmarkId::new(f, format!("{records}x{FEATURES}"));
        group.bench_function(id("read_x_reference"), |b| b.iter(|| read_all(black_box(&x))));
        group.bench_function(id("fused"), |b| {
            b.iter(|| {
                let (x, y) = (black_box(&x), black_box(&y));
                batch_epoch(&Sigmoid, layer, &mut w, x, y, lr, &mut gradient).unwrap()
            })
        });
        #[cfg(feature = "rayon")]
        {
            group.bench_function(id("read_x_reference_rayon"), |b| {
                b.iter(|| read_all_rayon(black_box(&x)))
            });
            group.bench_function(id("fused_rayon"), |b| {
                b.iter(|| {
                    let (x, y) = (black_box(&x), black_box(&y));
                    delta_rule::par_batch_epoch(&Sigmoid, layer, &mut w, x, y, lr, &mut gradient)
                        .unwrap()
                })
            });
        }
    }
    group.finish();
}

fn epoch(c: &mut Criterion) {
    bench_type::<f32>(c, "f32");
    bench_type::<f64>(c, "f64");
    by_size::<f32>(c, "f32");
    by_size::<f64>(c, "f64");
    widths::<f32>(c, "f32", &[3, 10, 63, 64, 80, 100, 127]);
    widths::<f64>(c, "f64", &[3, 10, 20, 32, 48, 64]);
}

fn prediction(c: &mut Criterion) {
    predict_type::<f32>(c, "f32");
    predict_type::<f64>(c, "f64");
    predict_few_type::<f32>(c, "f32");
    predict_few_type::<f64>(c, "f64");
}

criterion_group!(benches, epoch, minibatch, prediction);
criterion_main!(benches);
