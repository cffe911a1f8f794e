//! Every f32 input of the sigmoid and its derivative, through the scalar and the slice methods,
//! against an f64 reference. Ignored by default; on 2 cores it takes a few minutes:
//!
//! ```text
//! cargo test --release --test exhaustive_f32 -- --ignored --nocapture
//! ```
//!
//! The reference is the crate's f64 sigmoid, which carries extra precision and is checked
//! against mpmath in `reference_tables.rs` (below 0.75 f64 ulp, i.e. 2^-29 f32 ulp); the f32
//! methods take a different path (a plain f64 formula with the platform's `exp`). So the
//! measured error in f32 ulps is exact to 2^-28: a result more than ½ + 2^-20 ulp away is
//! certainly not correctly rounded.

mod common;

use common::{bounds, ulp, F32};
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

    fn add(&mut self, x: f32, result: f32, reference: f64) {
        let result = f64::from(result);
        let error = if result == reference {
            0.0
        } else if result.is_finite() && reference.is_finite() {
            (result - reference).abs() / ulp(reference, F32)
        } else {
            f64::INFINITY
        };
        if error > 0.5 + 1.0 / 1_048_576.0 {
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

fn reference(h: f64) -> (f64, f64) {
    Sigmoid.activate_with_derivative(h)
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
            tallies[0].add(x, Sigmoid.activate(x), value);
            tallies[1].add(x, Sigmoid.derivative(x), slope);
            tallies[2].add(x, values[i], value);
            tallies[3].add(x, slopes[i], slope);
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
    let limits = [
        bounds::SIGMOID,
        bounds::SIGMOID_DERIVATIVE,
        bounds::SIGMOID_SLICE,
        bounds::SIGMOID_DERIVATIVE_SLICE,
    ];
    for ((name, tally), limit) in names.iter().zip(&tallies).zip(limits) {
        println!(
            "sigmoid {name:<17} max {:.6} ulp at h = {:e} ({:#010x}); {} not correctly rounded; bound {limit}",
            tally.max,
            tally.at,
            tally.at.to_bits(),
            tally.misrounded
        );
    }
    for ((name, tally), limit) in names.iter().zip(&tallies).zip(limits) {
        assert!(tally.max <= limit, "{name}: {tally:?} above {limit} ulp");
    }
    // The scalar methods are documented as correctly rounded, within 2^-27 ulp of a tie at
    // worst: with the reference's 2^-29, no result may be 0.5 + 2^-26 ulp away.
    for (name, tally) in names.iter().zip(&tallies).take(2) {
        assert!(tally.max <= bounds::SIGMOID_F32_SCALAR, "{name}: {tally:?}");
        assert_eq!(tally.misrounded, 0, "{name}: {tally:?}");
    }
}
