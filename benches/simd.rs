//! The dispatched SIMD kernels beside a naive scalar loop and a memory-copy reference, for
//! `f32` and `f64` at 1 Ki, 64 Ki, 1 Mi and 16 Mi elements. On x86-64 the activations, whose
//! AVX-512 kernels write outputs of 16 MiB and more with non-temporal stores, also have a copy
//! by such stores (`copy_streaming`) at those sizes; at the lower levels (`DELTA_RULE_SIMD`) the
//! kernels store as usual, and `copy` is their reference.
//!
//! `cargo bench --bench simd`; `DELTA_RULE_SIMD=avx2` (or `scalar`) lowers the dispatch level.
//! With `--features half`, also f16 and bf16 slices against the element-wise scalar method.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use delta_rule::{
    error_terms, gradient_step, net_input, sse, Activation, Identity, Sigmoid, Softplus, Tanh,
};

const SIZES: [usize; 4] = [1 << 10, 1 << 16, 1 << 20, 1 << 24];

/// Deterministic inputs in (−range, range).
fn data<T: From<f32>>(n: usize, seed: u32, range: f32) -> Vec<T> {
    let mut state = seed.wrapping_mul(0x9E37_79B9) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            T::from((state as f32 / u32::MAX as f32 * 2.0 - 1.0) * range)
        })
        .collect()
}

/// The output size from which the crate's AVX-512 map kernels (σ, σ′, tanh, tanh′, softplus, and
/// σ with σ′) write with non-temporal stores (`STREAM_BYTES` in src/simd/avx512.rs).
#[cfg(target_arch = "x86_64")]
const STREAM_BYTES: usize = 16 << 20;

/// `dst` ← `src` with non-temporal stores (`MOVNTDQ`, SSE2, in the x86-64 baseline): the copy
/// reference for kernels that stream their outputs, with no read for ownership of the lines of
/// `dst`. `copy_from_slice` (glibc's `memcpy`) streams or not by its own size threshold, so
/// beside a streaming kernel it may measure the store type besides the computation. Plain copies
/// for the bytes before the first 16-byte boundary of `dst` and after the last whole block.
/// Float elements only: they have no padding bytes, which the 16-byte loads would read.
#[cfg(target_arch = "x86_64")]
fn copy_streaming<T: num_traits::Float>(dst: &mut [T], src: &[T]) {
    use core::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_sfence, _mm_stream_si128};
    assert_eq!(dst.len(), src.len());
    let bytes = core::mem::size_of_val(src);
    let (d, s) = (dst.as_mut_ptr().cast::<u8>(), src.as_ptr().cast::<u8>());
    let head = ((d as usize).wrapping_neg() % 16).min(bytes);
    let end = head + (bytes - head) / 16 * 16;
    // SAFETY: `dst` and `src` are `bytes` bytes long each and do not overlap (`dst` is borrowed
    // mutably); the head is their first `head` ≤ `bytes` bytes, the 16-byte blocks lie in
    // head..end and the tail in end..bytes. Every block's store address d + i is 16-byte
    // aligned, as `_mm_stream_si128` needs (d + head is, and i − head is a multiple of 16); the
    // loads may be unaligned. SSE2 is part of the x86-64 baseline.
    unsafe {
        core::ptr::copy_nonoverlapping(s, d, head);
        let mut i = head;
        while i < end {
            _mm_stream_si128(d.add(i).cast::<__m128i>(), _mm_loadu_si128(s.add(i).cast()));
            i += 16;
        }
        core::ptr::copy_nonoverlapping(s.add(end), d.add(end), bytes - end);
    }
    // Orders the weakly ordered streaming stores before whatever follows.
    // SAFETY: SSE is part of the x86-64 baseline.
    unsafe { _mm_sfence() };
}

/// [`copy_streaming`] copies, unaligned head and tail included: from every offset of `src` into
/// every offset of `dst` filled with a sentinel, at lengths around whole 16-byte blocks.
#[cfg(target_arch = "x86_64")]
fn check_copy_streaming<T: num_traits::Float + core::fmt::Debug>() {
    let src: Vec<T> = (0..100).map(|i| T::from(i + 1).unwrap()).collect();
    for len in 0..40 {
        for (from, to) in [(0, 0), (1, 0), (0, 1), (1, 3), (3, 2)] {
            let mut dst = [-T::one(); 50];
            copy_streaming(&mut dst[to..to + len], &src[from..from + len]);
            assert_eq!(&dst[to..to + len], &src[from..from + len], "len {len} from {from} to {to}");
            let untouched = dst[..to].iter().chain(&dst[to + len..]).all(|&v| v == -T::one());
            assert!(untouched, "len {len} from {from} to {to}: outside the slice");
        }
    }
}

/// A bench of [`copy_streaming`] from `src` into `dst` where the kernels stream (outputs of
/// [`STREAM_BYTES`] and more), after checking that it copies ([`check_copy_streaming`], and
/// once into `dst` cleared first).
fn bench_copy_streaming<T: num_traits::Float + core::fmt::Debug>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    dst: &mut [T],
    src: &[T],
) {
    #[cfg(target_arch = "x86_64")]
    if core::mem::size_of_val(dst) >= STREAM_BYTES {
        check_copy_streaming::<T>();
        dst.fill(T::nan());
        copy_streaming(dst, src);
        assert!(dst == src, "copy_streaming copies");
        group.bench_function(BenchmarkId::new("copy_streaming", src.len()), |b| {
            b.iter(|| copy_streaming(black_box(&mut *dst), black_box(src)))
        });
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (group, dst, src);
}

fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    group
}

macro_rules! activation_group {
    ($fn_name:ident, $t:ty, $group:expr, $unit:expr, $method:ident, $naive:expr) => {
        fn $fn_name(c: &mut Criterion) {
            let mut group = configure(c, $group);
            for n in SIZES {
                let h: Vec<$t> = data(n, 1, 20.0);
                let mut out = vec![0.0 as $t; n];
                group.throughput(Throughput::Elements(n as u64));
                group.bench_function(BenchmarkId::new("kernel", n), |b| {
                    b.iter(|| $unit.$method(black_box(&h), black_box(&mut out)).unwrap())
                });
                group.bench_function(BenchmarkId::new("naive", n), |b| {
                    b.iter(|| {
                        for (o, &x) in black_box(&mut out).iter_mut().zip(black_box(&h)) {
                            *o = $naive(x);
                        }
                    })
                });
                group.bench_function(BenchmarkId::new("copy", n), |b| {
                    b.iter(|| black_box(&mut out).copy_from_slice(black_box(&h)))
                });
                bench_copy_streaming(&mut group, &mut out, &h);
            }
            group.finish();
        }
    };
}

activation_group!(sigmoid_f32, f32, "sigmoid_f32", Sigmoid, activate_slice, |x: f32| 1.0
    / (1.0 + (-x).exp()));
activation_group!(sigmoid_f64, f64, "sigmoid_f64", Sigmoid, activate_slice, |x: f64| 1.0
    / (1.0 + (-x).exp()));
activation_group!(
    sigmoid_derivative_f32,
    f32,
    "sigmoid_derivative_f32",
    Sigmoid,
    derivative_slice,
    |x: f32| {
        let s = 1.0 / (1.0 + (-x).exp());
        s * (1.0 - s)
    }
);
activation_group!(
    sigmoid_derivative_f64,
    f64,
    "sigmoid_derivative_f64",
    Sigmoid,
    derivative_slice,
    |x: f64| {
        let s = 1.0 / (1.0 + (-x).exp());
        s * (1.0 - s)
    }
);

activation_group!(tanh_f32, f32, "tanh_f32", Tanh, activate_slice, |x: f32| x.tanh());
activation_group!(tanh_f64, f64, "tanh_f64", Tanh, activate_slice, |x: f64| x.tanh());
activation_group!(
    tanh_derivative_f32,
    f32,
    "tanh_derivative_f32",
    Tanh,
    derivative_slice,
    |x: f32| {
        let t = x.tanh();
        1.0 - t * t
    }
);
activation_group!(
    tanh_derivative_f64,
    f64,
    "tanh_derivative_f64",
    Tanh,
    derivative_slice,
    |x: f64| {
        let t = x.tanh();
        1.0 - t * t
    }
);
activation_group!(softplus_f32, f32, "softplus_f32", Softplus, activate_slice, |x: f32| {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
});

/// `activate_with_derivative_slice` (one pass for σ and σ′) against `activate_slice` followed by
/// `derivative_slice` (two passes over `h`).
macro_rules! fused_group {
    ($fn_name:ident, $t:ty, $group:expr) => {
        fn $fn_name(c: &mut Criterion) {
            let mut group = configure(c, $group);
            for n in SIZES {
                let h: Vec<$t> = data(n, 1, 20.0);
                let (mut out, mut slope) = (vec![0.0 as $t; n], vec![0.0 as $t; n]);
                group.throughput(Throughput::Elements(n as u64));
                group.bench_function(BenchmarkId::new("kernel", n), |b| {
                    b.iter(|| {
                        let (out, slope) = (black_box(&mut out), black_box(&mut slope));
                        Sigmoid.activate_with_derivative_slice(black_box(&h), out, slope).unwrap()
                    })
                });
                group.bench_function(BenchmarkId::new("naive", n), |b| {
                    b.iter(|| {
                        Sigmoid.activate_slice(black_box(&h), black_box(&mut out)).unwrap();
                        Sigmoid.derivative_slice(black_box(&h), black_box(&mut slope)).unwrap();
                    })
                });
                group.bench_function(BenchmarkId::new("copy", n), |b| {
                    b.iter(|| black_box(&mut out).copy_from_slice(black_box(&h)))
                });
                bench_copy_streaming(&mut group, &mut out, &h);
            }
            group.finish();
        }
    };
}

fused_group!(sigmoid_with_derivative_f32, f32, "sigmoid_with_derivative_f32");
fused_group!(sigmoid_with_derivative_f64, f64, "sigmoid_with_derivative_f64");

/// f16 / bf16 slices (through the `f32` kernels) against the element-wise loop over the scalar
/// method, the path these slices took before.
#[cfg(feature = "half")]
macro_rules! half_group {
    ($fn_name:ident, $t:ty, $group:expr, $unit:expr, $method:ident, $single:ident) => {
        fn $fn_name(c: &mut Criterion) {
            let mut group = configure(c, $group);
            for n in [1 << 10, 1 << 16, 1 << 20] {
                let h: Vec<$t> = data::<f32>(n, 1, 20.0).into_iter().map(<$t>::from_f32).collect();
                let mut out = vec![<$t>::ZERO; n];
                group.throughput(Throughput::Elements(n as u64));
                group.bench_function(BenchmarkId::new("kernel", n), |b| {
                    b.iter(|| $unit.$method(black_box(&h), black_box(&mut out)).unwrap())
                });
                // The same values as f32 through the f32 kernel: the cost of the conversions.
                let h32: Vec<f32> = h.iter().map(|x| x.to_f32()).collect();
                let mut out32 = vec![0.0_f32; n];
                group.bench_function(BenchmarkId::new("f32_kernel", n), |b| {
                    b.iter(|| $unit.$method(black_box(&h32), black_box(&mut out32)).unwrap())
                });
                group.bench_function(BenchmarkId::new("naive", n), |b| {
                    b.iter(|| {
                        for (o, &x) in black_box(&mut out).iter_mut().zip(black_box(&h)) {
                            *o = $unit.$single(x);
                        }
                    })
                });
                group.bench_function(BenchmarkId::new("copy", n), |b| {
                    b.iter(|| black_box(&mut out).copy_from_slice(black_box(&h)))
                });
            }
            group.finish();
        }
    };
}

#[cfg(feature = "half")]
mod half_groups {
    use super::*;
    use half::{bf16, f16};

    half_group!(sigmoid_f16, f16, "sigmoid_f16", Sigmoid, activate_slice, activate);
    half_group!(sigmoid_bf16, bf16, "sigmoid_bf16", Sigmoid, activate_slice, activate);
    half_group!(
        sigmoid_derivative_f16,
        f16,
        "sigmoid_derivative_f16",
        Sigmoid,
        derivative_slice,
        derivative
    );
    half_group!(
        sigmoid_derivative_bf16,
        bf16,
        "sigmoid_derivative_bf16",
        Sigmoid,
        derivative_slice,
        derivative
    );
    half_group!(tanh_f16, f16, "tanh_f16", Tanh, activate_slice, activate);
    half_group!(softplus_f16, f16, "softplus_f16", Softplus, activate_slice, activate);

    criterion_group!(
        benches,
        sigmoid_f16,
        sigmoid_bf16,
        sigmoid_derivative_f16,
        sigmoid_derivative_bf16,
        tanh_f16,
        softplus_f16
    );
}

macro_rules! streaming_groups {
    ($t:ty, $dot:ident, $sse:ident, $step:ident) => {
        /// `net_input` against a 16-accumulator loop (the elements past the last whole 16 summed
        /// apart, so that the loop is right at any length).
        fn $dot(c: &mut Criterion) {
            let mut group = configure(c, concat!("dot_", stringify!($t)));
            for n in SIZES {
                let (a, b): (Vec<$t>, Vec<$t>) = (data(n, 2, 1.0), data(n, 3, 1.0));
                let mut out = vec![0.0 as $t; n];
                group.throughput(Throughput::Elements(n as u64));
                group.bench_function(BenchmarkId::new("kernel", n), |bn| {
                    bn.iter(|| net_input(black_box(&a), black_box(&b)).unwrap())
                });
                group.bench_function(BenchmarkId::new("naive", n), |bn| {
                    bn.iter(|| {
                        let mut acc = [0.0 as $t; 16];
                        let (ca, cb) =
                            (black_box(&a).chunks_exact(16), black_box(&b).chunks_exact(16));
                        let tail: $t =
                            ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
                        for (x, y) in ca.zip(cb) {
                            for i in 0..16 {
                                acc[i] += x[i] * y[i];
                            }
                        }
                        tail + acc.iter().sum::<$t>()
                    })
                });
                group.bench_function(BenchmarkId::new("copy", n), |bn| {
                    bn.iter(|| black_box(&mut out).copy_from_slice(black_box(&a)))
                });
            }
            group.finish();
        }

        /// `sse` (faithfully rounded) against a 16-accumulator loop in the same type (with the
        /// elements past the last whole 16, as the dot product's).
        fn $sse(c: &mut Criterion) {
            let mut group = configure(c, concat!("sse_", stringify!($t)));
            for n in SIZES {
                let (a, b): (Vec<$t>, Vec<$t>) = (data(n, 4, 1.0), data(n, 5, 1.0));
                let mut out = vec![0.0 as $t; n];
                group.throughput(Throughput::Elements(n as u64));
                group.bench_function(BenchmarkId::new("kernel", n), |bn| {
                    bn.iter(|| sse(black_box(&a), black_box(&b)).unwrap())
                });
                group.bench_function(BenchmarkId::new("naive", n), |bn| {
                    bn.iter(|| {
                        let mut acc = [0.0 as $t; 16];
                        let (ca, cb) =
                            (black_box(&a).chunks_exact(16), black_box(&b).chunks_exact(16));
                        let tail: $t = ca
                            .remainder()
                            .iter()
                            .zip(cb.remainder())
                            .map(|(x, y)| (x - y) * (x - y))
                            .sum();
                        for (x, y) in ca.zip(cb) {
                            for i in 0..16 {
                                let r = x[i] - y[i];
                                acc[i] += r * r;
                            }
                        }
                        0.5 * (tail + acc.iter().sum::<$t>())
                    })
                });
                group.bench_function(BenchmarkId::new("copy", n), |bn| {
                    bn.iter(|| black_box(&mut out).copy_from_slice(black_box(&a)))
                });
            }
            group.finish();
        }

        /// `gradient_step` (wᵢ += η δ xᵢ) against the plain loop.
        fn $step(c: &mut Criterion) {
            let mut group = configure(c, concat!("gradient_step_", stringify!($t)));
            for n in SIZES {
                let x: Vec<$t> = data(n, 6, 1.0);
                let mut w: Vec<$t> = data(n, 7, 1.0);
                let mut out = vec![0.0 as $t; n];
                group.throughput(Throughput::Elements(n as u64));
                group.bench_function(BenchmarkId::new("kernel", n), |bn| {
                    bn.iter(|| {
                        let (delta, eta) = (black_box(1e-9), black_box(0.5));
                        gradient_step(black_box(&mut w), black_box(&x), delta, eta).unwrap()
                    })
                });
                group.bench_function(BenchmarkId::new("naive", n), |bn| {
                    bn.iter(|| {
                        let a = black_box(0.5 as $t) * black_box(1e-9);
                        for (wi, &xi) in black_box(&mut w).iter_mut().zip(black_box(&x)) {
                            *wi += a * xi;
                        }
                    })
                });
                group.bench_function(BenchmarkId::new("copy", n), |bn| {
                    bn.iter(|| black_box(&mut out).copy_from_slice(black_box(&x)))
                });
            }
            group.finish();
        }
    };
}

/// `error_terms` (δ = (y − f(h)) f′(h)) against the per-element loop over the same formula, with
/// the copy of `h` as the memory reference. For `Sigmoid` the naive loop is the textbook
/// σ = 1/(1 + e^(−h)) and σ(1 − σ); for `Softplus`, max(h, 0) + ln_1p(e^(−|h|)) and σ; for
/// `Identity`, y − h.
macro_rules! error_terms_group {
    ($fn_name:ident, $t:ty, $group:expr, $unit:expr, $naive:expr) => {
        fn $fn_name(c: &mut Criterion) {
            let mut group = configure(c, $group);
            for n in SIZES {
                let h: Vec<$t> = data(n, 8, 20.0);
                let y: Vec<$t> = data::<$t>(n, 9, 0.5).iter().map(|v| v + 0.5).collect();
                let mut delta = vec![0.0 as $t; n];
                group.throughput(Throughput::Elements(n as u64));
                group.bench_function(BenchmarkId::new("kernel", n), |b| {
                    b.iter(|| {
                        let delta = black_box(&mut delta);
                        error_terms(&$unit, black_box(&y), black_box(&h), delta).unwrap()
                    })
                });
                group.bench_function(BenchmarkId::new("naive", n), |b| {
                    b.iter(|| {
                        let pairs = black_box(&y).iter().zip(black_box(&h));
                        for (d, (&target, &x)) in black_box(&mut delta).iter_mut().zip(pairs) {
                            *d = $naive(target, x);
                        }
                    })
                });
                group.bench_function(BenchmarkId::new("copy", n), |b| {
                    b.iter(|| black_box(&mut delta).copy_from_slice(black_box(&h)))
                });
            }
            group.finish();
        }
    };
}

error_terms_group!(
    error_terms_sigmoid_f32,
    f32,
    "error_terms_sigmoid_f32",
    Sigmoid,
    |y: f32, x: f32| {
        let s = 1.0 / (1.0 + (-x).exp());
        (y - s) * (s * (1.0 - s))
    }
);
error_terms_group!(
    error_terms_sigmoid_f64,
    f64,
    "error_terms_sigmoid_f64",
    Sigmoid,
    |y: f64, x: f64| {
        let s = 1.0 / (1.0 + (-x).exp());
        (y - s) * (s * (1.0 - s))
    }
);
error_terms_group!(
    error_terms_softplus_f32,
    f32,
    "error_terms_softplus_f32",
    Softplus,
    |y: f32, x: f32| (y - (x.max(0.0) + (-x.abs()).exp().ln_1p())) / (1.0 + (-x).exp())
);
error_terms_group!(
    error_terms_softplus_f64,
    f64,
    "error_terms_softplus_f64",
    Softplus,
    |y: f64, x: f64| (y - (x.max(0.0) + (-x.abs()).exp().ln_1p())) / (1.0 + (-x).exp())
);
error_terms_group!(
    error_terms_identity_f32,
    f32,
    "error_terms_identity_f32",
    Identity,
    |y: f32, x: f32| y - x
);
error_terms_group!(
    error_terms_identity_f64,
    f64,
    "error_terms_identity_f64",
    Identity,
    |y: f64, x: f64| y - x
);

activation_group!(softplus_f64, f64, "softplus_f64", Softplus, activate_slice, |x: f64| {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
});

streaming_groups!(f32, dot_f32, sse_f32, gradient_step_f32);
streaming_groups!(f64, dot_f64, sse_f64, gradient_step_f64);

criterion_group!(
    benches,
    sigmoid_f32,
    sigmoid_f64,
    sigmoid_derivative_f32,
    sigmoid_derivative_f64,
    tanh_f32,
    tanh_f64,
    tanh_derivative_f32,
    tanh_derivative_f64,
    softplus_f32,
    softplus_f64,
    sigmoid_with_derivative_f32,
    sigmoid_with_derivative_f64,
    gradient_step_f32,
    gradient_step_f64,
    dot_f32,
    dot_f64,
    sse_f32,
    sse_f64,
    error_terms_sigmoid_f32,
    error_terms_sigmoid_f64,
    error_terms_softplus_f32,
    error_terms_softplus_f64,
    error_terms_identity_f32,
    error_terms_identity_f64
);
#[cfg(feature = "half")]
criterion_main!(benches, half_groups::benches);
#[cfg(not(feature = "half"))]
criterion_main!(benches);
