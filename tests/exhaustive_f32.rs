//! Every f32 input of the sigmoid and its derivative, through the scalar and the slice methods,
//! against an f64 reference. Ignored by default; on 2 cores it takes a few minutes:
//!
//! ```text
//! cargo test --release --test exhaustive_f32 -- --ignored --nocapture
//! ```
//!
//! The reference is independent of the crate: the overflow-free formulas in plain f64 with the
//! standard library's `exp`, within `common::formula_rel::SIGMOID` (2.5ε) and
//! `SIGMOID_DERIVATIVE` (4ε) of the exact values, i.e. within 2⁻²⁶·⁷ and 2⁻²⁶ of an f32 ulp
//! (`common::reference_ulps`). Each bound is the documented one plus that much and no more; a
//! result more than ½ ulp plus that much away is certainly not correctly rounded.

mod common;

use common::{bounds, error_from_reference, formula_rel, reference_ulps, F32};
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

/// (σ(h), σ′(h)) = (1/(1 + e) or e/(1 + e), e/(1 + e)²) with e = e^−|h| in plain f64.
fn reference(h: f64) -> (f64, f64) {
    let e = (-h.abs()).exp();
    let d = 1.0 + e;
    // NaN falls through to e/d = NaN.
    (if h >= 0.0 { 1.0 / d } else { e / d }, e / (d * d))
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
            let (value, slope) = reference(f64::from(x));
            let (f, df) = (formula_rel::SIGMOID, formula_rel::SIGMOID_DERIVATIVE);
            tallies[0].add(x, Sigmoid.activate(x), value, f);
            tallies[1].add(x, Sigmoid.derivative(x), slope, df);
            tallies[2].add(x, values[i], value, f);
            tallies[3].add(x, slopes[i], slope, df);
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
    // The scalar methods are documented correctly rounded but within 2⁻²⁷ ulp of a tie
    // (strictly below 0.5 + 2⁻²⁷ ulp), the slices within 1 and 2 ulp; each plus the reference's
    // own error.
    let (f, df) = (formula_rel::SIGMOID, formula_rel::SIGMOID_DERIVATIVE);
    let limits = [
        bounds::F32_SCALAR + reference_ulps(f, F32),
        bounds::F32_SCALAR + reference_ulps(df, F32),
        bounds::SIGMOID_SLICE + reference_ulps(f, F32),
        bounds::SIGMOID_DERIVATIVE_SLICE + reference_ulps(df, F32),
    ];
    for ((name, tally), limit) in names.iter().zip(&tallies).zip(limits) {
        println!(
            "sigmoid {name:<17} max {:.10} ulp at h = {:e} ({:#010x}); {} certainly not correctly \
             rounded; bound {limit}",
            tally.max,
            tally.at,
            tally.at.to_bits(),
            tally.misrounded
        );
    }
    for (i, ((name, tally), limit)) in names.iter().zip(&tallies).zip(limits).enumerate() {
        let scalar = i < 2;
        let within = if scalar { tally.max < limit } else { tally.max <= limit };
        assert!(within, "{name}: {tally:?} beyond {limit} ulp");
        if scalar {
            assert_eq!(tally.misrounded, 0, "{name}: {tally:?}");
        }
    }
}
