//! Every f32 input of the sigmoid and its derivative, through the scalar and the slice methods,
//! against an f64 reference. Ignored by default; on 2 cores it takes a few minutes:
//!
//! ```text
//! cargo test --release --test exhaustive_f32 -- --ignored --nocapture
//! ```
//!
//! The reference is the crate's `f64` σ and σ′ (`common::F64_METHODS_REL`: below 1 f64 ulp,
//! 2⁻²⁸ of an f32 ulp), a separate evaluation from the plain f64 formulas with the platform's
//! `exp` that the `f32` scalar methods round, and from the SIMD kernels behind the slices. Each
//! bound is the documented one plus the reference's own error and no more; a result more than
//! ½ ulp plus that much away is certainly not correctly rounded, which the scalar methods may be
//! only within 2⁻²⁶ ulp of a tie. The slices are also held to the largest error measured over
//! all inputs (`common::bounds::F32_SLICE_MEASURED`), from which the f16 and bf16 slice bounds
//! are derived.

mod common;

use common::{bounds, error_from_reference, reference_ulps, F32, F64_METHODS_REL};
use delta_rule::{Activation, Sigmoid};

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

/// Tallies for (activate, derivative, activate_slice, derivative_slice) over the bit patterns
/// in `range`.
fn scan(range: std::ops::Range<u64>) -> [Tally; 4] {
    const CHUNK: usize = 4096;
    let mut tallies = [Tally::new(); 4];
    let (mut inputs, mut values, mut slopes) = (Vec::new(), vec![0.0; CHUNK], vec![0.0; CHUNK]);
    let mut start = range.start;
    while start < range.end {
        let end = (start + CHUNK as u64).min(range.end);
        inputs.clear();
        inputs.extend((start..end).map(|bits| f32::from_bits(bits as u32)).filter(|x| !x.is_nan()));
        let n = inputs.len();
        Sigmoid.activate_slice(&inputs, &mut values[..n]).unwrap();
        Sigmoid.derivative_slice(&inputs, &mut slopes[..n]).unwrap();
        for (i, &x) in inputs.iter().enumerate() {
            let (value, slope) = Sigmoid.activate_with_derivative(f64::from(x));
            let rel = F64_METHODS_REL;
            tallies[0].add(x, Sigmoid.activate(x), value, rel);
            tallies[1].add(x, Sigmoid.derivative(x), slope, rel);
            tallies[2].add(x, values[i], value, rel);
            tallies[3].add(x, slopes[i], slope, rel);
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
    let mut tallies = [Tally::new(); 4];
    for handle in handles {
        let part = handle.join().expect("scan thread");
        for (tally, part) in tallies.iter_mut().zip(part) {
            *tally = tally.merge(part);
        }
    }
    let names = ["activate", "derivative", "activate_slice", "derivative_slice"];
    // The scalar methods are documented correctly rounded but within 2⁻²⁶ ulp of a tie
    // (strictly below 0.5 + 2⁻²⁶ ulp), the slices within 1 and 2 ulp and measured within
    // `F32_SLICE_MEASURED`; each plus the reference's own error.
    let margin = reference_ulps(F64_METHODS_REL, F32);
    let limits = [
        bounds::F32_SCALAR,
        bounds::F32_SCALAR,
        bounds::SIGMOID_SLICE.min(bounds::F32_SLICE_MEASURED),
        bounds::SIGMOID_DERIVATIVE_SLICE.min(bounds::F32_SLICE_MEASURED),
    ];
    for ((name, tally), bound) in names.iter().zip(&tallies).zip(limits) {
        println!(
            "sigmoid {name:<17} max {:.10} ulp at h = {:e} ({:#010x}); {} certainly not correctly \
             rounded; bound {bound} + {margin:e}",
            tally.max,
            tally.at,
            tally.at.to_bits(),
            tally.misrounded
        );
    }
    for (i, ((name, tally), bound)) in names.iter().zip(&tallies).zip(limits).enumerate() {
        // The scalar bounds are strict, the slices' are not.
        let within = if i < 2 { tally.max < bound + margin } else { tally.max <= bound + margin };
        assert!(within, "{name}: {tally:?} beyond {bound} ulp");
    }
}
