//! All 2³² `f32` inputs of the element maps at every level, against `f64` references. Ignored
//! by default; about a minute per level on 2 cores in release:
//! `cargo test --release --lib exhaustive -- --ignored --nocapture`.

use super::*;

/// All 2³² `f32` inputs through the dispatched sigmoid kernels of every level, against the `f64`
/// reference. About a minute per level on 2 cores in release:
/// `cargo test --release --lib exhaustive -- --ignored --nocapture`.
#[test]
#[ignore]
fn sigmoid_f32_exhaustive_on_every_level() {
    // AVX-512 and AVX2 run their f32-lane kernels.
    check_exhaustive(
        ["sigmoid", "sigmoid derivative"],
        [kernels::sigmoid_f32, kernels::sigmoid_derivative_f32],
        reference_f32,
        [bounds::SIGMOID_SLICE, bounds::SIGMOID_DERIVATIVE_SLICE],
    );
    #[cfg(target_arch = "x86_64")]
    check_exhaustive_f64_lanes(
        ["sigmoid", "sigmoid derivative"],
        [kernels::sigmoid_f32_in_f64, kernels::sigmoid_derivative_f32_in_f64],
        reference_f32,
        [bounds::SIGMOID_F32_IN_F64, bounds::F32_IN_F64],
    );
}

/// As [`check_exhaustive`] for the `f64`-lane kernels (NEON's), at the best level only: they
/// are bit-identical at every level (see `levels_agree_bit_for_bit_on_large_inputs`), and no
/// x86-64 level dispatches to them any more.
#[cfg(target_arch = "x86_64")]
fn check_exhaustive_f64_lanes(
    names: [&str; 2],
    kernels: [Kernel<f32>; 2],
    reference: fn(f32) -> (f64, f64),
    bounds: [f64; 2],
) {
    report_exhaustive("f64 lanes", names, exhaustive_max(supported(), kernels, reference), bounds);
}

/// The σ of the one-pass kernel against the σ kernel over every `f32` input, bit for bit (at
/// AVX-512 and AVX2 they are separate code paths).
#[test]
#[ignore]
fn sigmoid_pair_f32_exhaustive_matches_the_sigmoid_kernel() {
    for level in levels().into_iter().filter(|&l| l != Level::Scalar) {
        let buffers = || [(); 3].map(|_| vec![0.0_f32; CHUNK]);
        fold_all_f32(buffers, |[a, b, c], h| {
            kernels::sigmoid_f32(level, h, a);
            kernels::sigmoid_with_derivative_f32(level, h, b, c);
            for ((&x, &u), &v) in h.iter().zip(a.iter()).zip(b.iter()) {
                let bits = |y: f32| nan_or_bits(f64::from(y));
                assert_eq!(bits(u), bits(v), "{level:?} σ at {x:e}");
            }
        });
    }
}

/// tanh and tanh′ over every `f32` input, as [`sigmoid_f32_exhaustive_on_every_level`]:
/// `cargo test --release --lib exhaustive -- --ignored --nocapture`.
#[test]
#[ignore]
fn tanh_f32_exhaustive_on_every_level() {
    check_exhaustive(
        ["tanh", "tanh derivative"],
        [kernels::tanh_f32, kernels::tanh_derivative_f32],
        reference_tanh_f32,
        [bounds::TANH_SLICE, bounds::TANH_DERIVATIVE_SLICE],
    );
    #[cfg(target_arch = "x86_64")]
    check_exhaustive_f64_lanes(
        ["tanh", "tanh derivative"],
        [kernels::tanh_f32_in_f64, kernels::tanh_derivative_f32_in_f64],
        reference_tanh_f32,
        [bounds::TANH_F32_IN_F64, bounds::F32_IN_F64],
    );
}

/// softplus over every `f32` input, as [`sigmoid_f32_exhaustive_on_every_level`] (its
/// derivative is σ, checked there).
#[test]
#[ignore]
fn softplus_f32_exhaustive_on_every_level() {
    let reference = |x| {
        let r = reference_softplus_f32(x);
        (r, r)
    };
    check_exhaustive(
        ["softplus", "softplus"],
        [kernels::softplus_f32; 2],
        reference,
        [bounds::SOFTPLUS_SLICE; 2],
    );
    #[cfg(target_arch = "x86_64")]
    check_exhaustive_f64_lanes(
        ["softplus", "softplus"],
        [kernels::softplus_f32_in_f64; 2],
        reference,
        [bounds::F32_IN_F64; 2],
    );
}

/// Prints and checks against `bounds` the largest errors of two kernels over all 2³² `f32`
/// inputs at every SIMD level ([`exhaustive_max`]).
fn check_exhaustive(
    names: [&str; 2],
    kernels: [Kernel<f32>; 2],
    reference: fn(f32) -> (f64, f64),
    bounds: [f64; 2],
) {
    for level in levels().into_iter().filter(|&l| l != Level::Scalar) {
        let worst = exhaustive_max(level, kernels, reference);
        report_exhaustive(&format!("{level:?}"), names, worst, bounds);
    }
}

/// Prints the maxima of [`exhaustive_max`] under `label` and checks them against `limits` and
/// [`bounds::F32_SLICE_MEASURED`], the largest error of any `f32` kernel, from which the f16 and
/// bf16 slice bounds are derived; the same kernel twice (softplus) is reported once.
fn report_exhaustive(label: &str, names: [&str; 2], worst: [(f64, f32); 2], limits: [f64; 2]) {
    let distinct = if names[0] == names[1] { 1 } else { 2 };
    for ((name, (err, x)), bound) in names.iter().zip(worst).zip(limits).take(distinct) {
        println!("{label}: {name} max {err:.4} ulp (x = {x:e}) over all 2^32 f32");
        let bound = bound.min(bounds::F32_SLICE_MEASURED);
        assert!(err <= bound, "{label} {name}: {err} at {x:e}");
    }
}

/// The largest errors (ulps of the exact value, and where) of a kernel and its derivative
/// against `reference` over all 2³² `f32` inputs at `level`, on every core.
fn exhaustive_max(
    level: Level,
    kernels: [Kernel<f32>; 2],
    reference: fn(f32) -> (f64, f64),
) -> [(f64, f32); 2] {
    let worse = |a: (f64, f32), b: (f64, f32)| if b.0 > a.0 { b } else { a };
    let state = || ([(0.0_f64, 0.0_f32); 2], [(); 2].map(|_| vec![0.0_f32; CHUNK]));
    let per_thread = fold_all_f32(state, |(worst, out), h| {
        kernels[0](level, h, &mut out[0]);
        kernels[1](level, h, &mut out[1]);
        for (i, &x) in h.iter().enumerate() {
            let (r0, r1) = reference(x);
            worst[0] = worse(worst[0], (ulp_error_f32(out[0][i], r0), x));
            worst[1] = worse(worst[1], (ulp_error_f32(out[1][i], r1), x));
        }
    });
    per_thread
        .into_iter()
        .map(|(worst, _)| worst)
        .fold([(0.0, 0.0); 2], |a, b| [worse(a[0], b[0]), worse(a[1], b[1])])
}

/// How many consecutive `f32` bit patterns [`fold_all_f32`] hands over at a time.
const CHUNK: usize = 1 << 20;

/// Visits all 2³² `f32` values in chunks of [`CHUNK`] consecutive bit patterns, spread over
/// every core; each thread owns a state made by `state` (buffers, running maxima), all of which
/// are returned.
fn fold_all_f32<S: Send>(
    state: impl Fn() -> S + Sync,
    visit: impl Fn(&mut S, &[f32]) + Sync,
) -> Vec<S> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    let (state, visit) = (&state, &visit);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut own = state();
                    let mut h = vec![0.0_f32; CHUNK];
                    let mut start = t * CHUNK as u32;
                    loop {
                        for (i, x) in h.iter_mut().enumerate() {
                            *x = f32::from_bits(start + i as u32);
                        }
                        visit(&mut own, &h);
                        match start.checked_add(threads * CHUNK as u32) {
                            Some(next) => start = next,
                            None => break own,
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}
