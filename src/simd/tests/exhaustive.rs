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
        sigmoid_f32_limits,
    );
    #[cfg(target_arch = "x86_64")]
    check_exhaustive_f64_lanes(
        ["sigmoid", "sigmoid derivative"],
        [kernels::sigmoid_f32_in_f64, kernels::sigmoid_derivative_f32_in_f64],
        reference_f32,
        SIGMOID_F32_IN_F64_LIMITS,
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
    limits: [[f64; 2]; 2],
) {
    report_exhaustive("f64 lanes", names, exhaustive_max(supported(), kernels, reference), limits);
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
        tanh_f32_limits,
    );
    #[cfg(target_arch = "x86_64")]
    check_exhaustive_f64_lanes(
        ["tanh", "tanh derivative"],
        [kernels::tanh_f32_in_f64, kernels::tanh_derivative_f32_in_f64],
        reference_tanh_f32,
        TANH_F32_IN_F64_LIMITS,
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
    check_exhaustive(["softplus", "softplus"], [kernels::softplus_f32; 2], reference, |level| {
        [softplus_f32_limits(level); 2]
    });
    #[cfg(target_arch = "x86_64")]
    check_exhaustive_f64_lanes(
        ["softplus", "softplus"],
        [kernels::softplus_f32_in_f64; 2],
        reference,
        [[bounds::F32_IN_F64; 2]; 2],
    );
}

/// Prints and checks against `limits` the largest errors of two kernels over all 2³² `f32`
/// inputs at every SIMD level ([`exhaustive_max`]).
fn check_exhaustive(
    names: [&str; 2],
    kernels: [Kernel<f32>; 2],
    reference: fn(f32) -> (f64, f64),
    limits: fn(Level) -> [[f64; 2]; 2],
) {
    for level in levels().into_iter().filter(|&l| l != Level::Scalar) {
        let worst = exhaustive_max(level, kernels, reference);
        report_exhaustive(&format!("{level:?}"), names, worst, limits(level));
    }
}

/// Prints the maxima of [`exhaustive_max`] under `label` and checks them against `limits`
/// ([normal, subnormal] results of each kernel) and [`bounds::F32_SLICE_MEASURED`], the largest
/// error of any `f32` kernel, from which the f16 and bf16 slice bounds are derived; the same
/// kernel twice (softplus) is reported once.
fn report_exhaustive(
    label: &str,
    names: [&str; 2],
    worst: [[(f64, f32); 2]; 2],
    limits: [[f64; 2]; 2],
) {
    let distinct = if names[0] == names[1] { 1 } else { 2 };
    for ((name, worst), limits) in names.iter().zip(worst).zip(limits).take(distinct) {
        for ((kind, (err, x)), bound) in ["normal", "subnormal"].iter().zip(worst).zip(limits) {
            println!("{label}: {name} max {err:.4} ulp (x = {x:e}) over {kind} results");
            let bound = bound.min(bounds::F32_SLICE_MEASURED);
            assert!(err <= bound, "{label} {name}: {err} at {x:e}, a {kind} result");
        }
    }
}

/// The largest errors (ulps of the exact value, and where) of a kernel and its derivative
/// against `reference` over all 2³² `f32` inputs at `level`, on every core, for normal and for
/// subnormal exact results ([`f32_class`]).
fn exhaustive_max(
    level: Level,
    kernels: [Kernel<f32>; 2],
    reference: fn(f32) -> (f64, f64),
) -> [[(f64, f32); 2]; 2] {
    type Worst = [[(f64, f32); 2]; 2];
    let worse = |a: (f64, f32), b: (f64, f32)| if b.0 > a.0 { b } else { a };
    let merge = |a: Worst, b: Worst| [0, 1].map(|k| [0, 1].map(|s| worse(a[k][s], b[k][s])));
    let state = || ([[(0.0_f64, 0.0_f32); 2]; 2], [(); 2].map(|_| vec![0.0_f32; CHUNK]));
    let per_thread = fold_all_f32(state, |(worst, out), h| {
        kernels[0](level, h, &mut out[0]);
        kernels[1](level, h, &mut out[1]);
        for (i, &x) in h.iter().enumerate() {
            let (r0, r1) = reference(x);
            let w0 = &mut worst[0][f32_class(r0)];
            *w0 = worse(*w0, (ulp_error_f32(out[0][i], r0), x));
            let w1 = &mut worst[1][f32_class(r1)];
            *w1 = worse(*w1, (ulp_error_f32(out[1][i], r1), x));
        }
    });
    per_thread.into_iter().map(|(worst, _)| worst).fold([[(0.0, 0.0); 2]; 2], merge)
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
