//! Every f32 input of σ, σ′, tanh, tanh′ and softplus, through the scalar and the slice methods,
//! against an f64 reference. Ignored by default; on 2 cores it takes a few minutes:
//!
//! ```text
//! cargo test --release --test exhaustive_f32 -- --ignored --nocapture
//! ```
//!
//! The reference is the crate's `f64` methods (`common::F64_METHODS_REL`: below 1 f64 ulp,
//! 2⁻²⁸ of an f32 ulp), a separate evaluation from the plain f64 formulas with the platform's
//! `exp`, `tanh` and `ln_1p` that the `f32` scalar methods round, and from the SIMD kernels
//! behind the slices. Each bound is the documented one plus the reference's own error and no
//! more; a result more than ½ ulp plus that much away is certainly not correctly rounded, which
//! the scalar methods may be only within 2⁻²⁶ ulp of a tie. The slices are also held to the
//! largest error measured over all inputs (`common::bounds::F32_SLICE_MEASURED`), from which the
//! f16 and bf16 slice bounds are derived.

mod common;

use common::{bounds, error_from_reference, reference_ulps, F32, F64_METHODS_REL};
use delta_rule::{Activation, Sigmoid, Softplus, Tanh};

/// Max error in f32 ulps, where, and how many results are certainly not correctly rounded.
#[derive(Clone, Copy, Debug)]
struct Tally {
    max: f64,
    at: f32,
    misrounded: u64,
}

impl Tally {
    fn new() -> Self {
        Tally { max: 0.0, at: f32::NAN, misrounded: 0 }
    }

    /// Adds `result` for input `x` against `reference`, within `rel` of the exact value.
    fn add(&mut self, x: f32, result: f32, reference: f64, rel: f64) {
        let error = error_from_reference(f64::from(result), reference, rel, F32);
        if error > 0.5 + reference_ulps(rel, F32) {
            self.misrounded += 1;
        }
        if error > self.max || error.is_nan() {
            self.max = if error.is_nan() { f64::INFINITY } else { error };
            self.at = x;
        }
    }

    fn merge(self, other: Tally) -> Tally {
        let worst = if other.max > self.max { other } else { self };
        Tally { misrounded: self.misrounded + other.misrounded, ..worst }
    }
}

/// The five outputs: name, scalar method, slice method, f64 reference and documented slice bound.
struct Output {
    name: &'static str,
    scalar: fn(f32) -> f32,
    slice: fn(&[f32], &mut [f32]),
    reference: fn(f64) -> f64,
    slice_bound: f64,
}

const OUTPUTS: [Output; 5] = [
    Output {
        name: "sigmoid",
        scalar: |h| Sigmoid.activate(h),
        slice: |h, out| Sigmoid.activate_slice(h, out).unwrap(),
        reference: |h| Sigmoid.activate(h),
        slice_bound: bounds::SIGMOID_SLICE,
    },
    Output {
        name: "sigmoid derivative",
        scalar: |h| Sigmoid.derivative(h),
        slice: |h, out| Sigmoid.derivative_slice(h, out).unwrap(),
        reference: |h| Sigmoid.derivative(h),
        slice_bound: bounds::SIGMOID_DERIVATIVE_SLICE,
    },
    Output {
        name: "tanh",
        scalar: |h| Tanh.activate(h),
        slice: |h, out| Tanh.activate_slice(h, out).unwrap(),
        reference: |h| Tanh.activate(h),
        slice_bound: bounds::TANH_SLICE,
    },
    Output {
        name: "tanh derivative",
        scalar: |h| Tanh.derivative(h),
        slice: |h, out| Tanh.derivative_slice(h, out).unwrap(),
        reference: |h| Tanh.derivative(h),
        slice_bound: bounds::TANH_DERIVATIVE_SLICE,
    },
    Output {
        name: "softplus",
        scalar: |h| Softplus.activate(h),
        slice: |h, out| Softplus.activate_slice(h, out).unwrap(),
        reference: |h| Softplus.activate(h),
        slice_bound: bounds::SOFTPLUS_SLICE,
    },
];

/// Tallies for each output of [`OUTPUTS`], scalar then slice, over the bit patterns in `range`.
fn scan(range: std::ops::Range<u64>) -> [[Tally; 2]; 5] {
    const CHUNK: usize = 4096;
    let mut tallies = [[Tally::new(); 2]; 5];
    let (mut inputs, mut values) = (Vec::new(), vec![0.0; CHUNK]);
    let mut start = range.start;
    while start < range.end {
        let end = (start + CHUNK as u64).min(range.end);
        inputs.clear();
        inputs.extend((start..end).map(|bits| f32::from_bits(bits as u32)).filter(|x| !x.is_nan()));
        let n = inputs.len();
        for (output, tally) in OUTPUTS.iter().zip(&mut tallies) {
            (output.slice)(&inputs, &mut values[..n]);
            for (&x, &value) in inputs.iter().zip(&values[..n]) {
                let exact = (output.reference)(f64::from(x));
                tally[0].add(x, (output.scalar)(x), exact, F64_METHODS_REL);
                tally[1].add(x, value, exact, F64_METHODS_REL);
            }
        }
        start = end;
    }
    tallies
}

#[test]
#[ignore = "all 2^32 f32 inputs: minutes in release mode"]
fn every_f32_input() {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let total = 1u64 << 32;
    let per_thread = total.div_ceil(threads);
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let range = t * per_thread..((t + 1) * per_thread).min(total);
            std::thread::spawn(move || scan(range))
        })
        .collect();
    let mut tallies = [[Tally::new(); 2]; 5];
    for handle in handles {
        let part = handle.join().expect("scan thread");
        for (tally, part) in tallies.iter_mut().flatten().zip(part.into_iter().flatten()) {
            *tally = tally.merge(part);
        }
    }
    // The scalar methods are documented correctly rounded but within 2⁻²⁶ ulp of a tie
    // (strictly below 0.5 + 2⁻²⁶ ulp), the slices within their documented bounds and measured
    // within `F32_SLICE_MEASURED`; each plus the reference's own error.
    let margin = reference_ulps(F64_METHODS_REL, F32);
    let mut failures = Vec::new();
    for (output, [scalar, slice]) in OUTPUTS.iter().zip(tallies) {
        let slice_bound = output.slice_bound.min(bounds::F32_SLICE_MEASURED);
        for (method, tally, bound) in
            [("scalar", scalar, bounds::F32_SCALAR), ("slice", slice, slice_bound)]
        {
            println!(
                "{:<18} {method:<6} max {:.10} ulp at h = {:e} ({:#010x}); {} certainly not \
                 correctly rounded; bound {bound} + {margin:e}",
                output.name,
                tally.max,
                tally.at,
                tally.at.to_bits(),
                tally.misrounded
            );
            // The scalar bound is strict, the slices' is not.
            let within = if method == "scalar" {
                tally.max < bound + margin
            } else {
                tally.max <= bound + margin
            };
            if !within {
                failures.push(format!("{} {method}: {tally:?} beyond {bound} ulp", output.name));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
