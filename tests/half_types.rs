//! f16 and bf16 (feature `half`): every finite input, each activation against the f64 result
//! (itself within 1 ulp of f64, see `reference_tables.rs`), within 1 ulp of the half type.
#![cfg(feature = "half")]

mod common;

use common::{ulp, Format};
use delta_rule::{Activation, Sigmoid, Softplus, Tanh};
use half::{bf16, f16};

const F16: Format = Format { precision: 11, min_exponent: -24 };
const BF16: Format = Format { precision: 8, min_exponent: -133 };

/// The largest |result − exact| / ulp(exact) over all finite inputs of a half type, with the f64
/// value standing in for the exact one (its error is 2^-42 of an f16 ulp).
fn max_error<H: num_traits::Float>(
    from_bits: fn(u16) -> H,
    format: Format,
    f: impl Fn(H) -> H,
    exact: impl Fn(f64) -> f64,
) -> (f64, f64) {
    let mut worst = (0.0, f64::NAN);
    for bits in 0..=u16::MAX {
        let x = from_bits(bits);
        if !x.is_finite() {
            continue;
        }
        let x64 = x.to_f64().unwrap_or(f64::NAN);
        let reference = exact(x64);
        let result = f(x).to_f64().unwrap_or(f64::NAN);
        let error = if result == reference || (result.is_nan() && reference.is_nan()) {
            0.0
        } else if result.is_finite() && reference.is_finite() {
            (result - reference).abs() / ulp(reference, format)
        } else {
            f64::INFINITY
        };
        if error > worst.0 {
            worst = (error, x64);
        }
    }
    worst
}

#[test]
fn every_half_input_within_one_ulp() {
    type Case = (&'static str, fn(f64) -> f64);
    let cases: [Case; 5] = [
        ("sigmoid", |h| Sigmoid.activate(h)),
        ("sigmoid derivative", |h| Sigmoid.derivative(h)),
        ("tanh", |h| Tanh.activate(h)),
        ("tanh derivative", |h| Tanh.derivative(h)),
        ("softplus", |h| Softplus.activate(h)),
    ];
    for (i, (name, exact)) in cases.into_iter().enumerate() {
        let pick16 = |h: f16| match i {
            0 => Sigmoid.activate(h),
            1 => Sigmoid.derivative(h),
            2 => Tanh.activate(h),
            3 => Tanh.derivative(h),
            _ => Softplus.activate(h),
        };
        let pickb = |h: bf16| match i {
            0 => Sigmoid.activate(h),
            1 => Sigmoid.derivative(h),
            2 => Tanh.activate(h),
            3 => Tanh.derivative(h),
            _ => Softplus.activate(h),
        };
        let (e16, at16) = max_error(f16::from_bits, F16, pick16, exact);
        let (eb, atb) = max_error(bf16::from_bits, BF16, pickb, exact);
        println!("{name:<20} f16 max {e16:.4} ulp at {at16:e}; bf16 max {eb:.4} ulp at {atb:e}");
        assert!(e16 <= 1.0 && eb <= 1.0, "{name}: f16 {e16} at {at16}, bf16 {eb} at {atb}");
    }
}
