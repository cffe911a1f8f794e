//! f16 and bf16 (feature `half`): every finite input, each activation against the f64 result
//! (itself within 1 ulp of f64, see `reference_tables.rs`), within 1 ulp of the half type; the
//! slice methods (the `f32` kernels at the level chosen by `DELTA_RULE_SIMD`) against the
//! overflow-free formulas in plain f64 with the standard library's `exp`, `tanh` and `ln_1p`,
//! within the bounds of `common::bounds`.
#![cfg(feature = "half")]

mod common;

use common::{bounds, ulp, Format};
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
        let bound = bounds::HALF_SCALAR;
        assert!(e16 <= bound && eb <= bound, "{name}: f16 {e16} at {at16}, bf16 {eb} at {atb}");
    }
}

/// (σ(x), σ′(x)) in plain f64: a few f64 ulps, about 2⁻⁴⁰ of an f16 ulp.
fn sigmoid_pair(x: f64) -> (f64, f64) {
    let e = (-x.abs()).exp();
    let d = 1.0 + e;
    (if x >= 0.0 { 1.0 / d } else { e / d }, e / (d * d))
}

/// (tanh x, tanh′ x) in plain f64.
fn tanh_pair(x: f64) -> (f64, f64) {
    let e = (-2.0 * x.abs()).exp();
    let d = 1.0 + e;
    (x.tanh(), 4.0 * e / (d * d))
}

fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// Every finite input of a half type after a leading 0 (the callers take `[1..]`, a slice
/// misaligned for vector loads), with 1 once more at the end: the finite inputs alone number a
/// multiple of 256, and this way the length is not a multiple of the chunk or vector length.
fn all_finite<H: num_traits::Float>(from_bits: fn(u16) -> H) -> Vec<H> {
    let mut xs: Vec<H> = (0..=u16::MAX).map(from_bits).filter(|x| x.is_finite()).collect();
    xs.insert(0, H::zero());
    xs.push(H::one());
    xs
}

/// The largest error in ulps of `format` of `got` against `exact` over `xs`, and its input.
fn slice_error<H: num_traits::Float>(
    xs: &[H],
    got: &[H],
    format: Format,
    exact: impl Fn(f64) -> f64,
) -> (f64, f64) {
    let mut worst = (0.0, f64::NAN);
    for (&x, &y) in xs.iter().zip(got) {
        let x = x.to_f64().unwrap();
        let (reference, y) = (exact(x), y.to_f64().unwrap());
        let error = if y == reference {
            0.0
        } else if y.is_finite() && reference.is_finite() {
            (y - reference).abs() / ulp(reference, format)
        } else {
            f64::INFINITY
        };
        if error > worst.0 {
            worst = (error, x);
        }
    }
    worst
}

/// Every slice method of the logistic family on every finite input of `H`; the pair methods
/// also against the two single methods, bit for bit.
fn check_slices<H: num_traits::Float + core::fmt::Debug>(
    name: &str,
    from_bits: fn(u16) -> H,
    format: Format,
    bound: f64,
) {
    let all = all_finite(from_bits);
    let xs = &all[1..];
    let n = xs.len();
    type Slice<H> = fn(&[H], &mut [H]);
    type Exact = fn(f64) -> f64;
    let cases: [(&str, Slice<H>, Exact); 6] = [
        ("sigmoid", |h, o| Sigmoid.activate_slice(h, o).unwrap(), |x| sigmoid_pair(x).0),
        (
            "sigmoid derivative",
            |h, o| Sigmoid.derivative_slice(h, o).unwrap(),
            |x| sigmoid_pair(x).1,
        ),
        ("tanh", |h, o| Tanh.activate_slice(h, o).unwrap(), |x| tanh_pair(x).0),
        ("tanh derivative", |h, o| Tanh.derivative_slice(h, o).unwrap(), |x| tanh_pair(x).1),
        ("softplus", |h, o| Softplus.activate_slice(h, o).unwrap(), softplus),
        (
            "softplus derivative",
            |h, o| Softplus.derivative_slice(h, o).unwrap(),
            |x| sigmoid_pair(x).0,
        ),
    ];
    let mut singles = Vec::new();
    for (what, method, exact) in cases {
        let mut out = vec![H::zero(); n + 1];
        method(xs, &mut out[1..]);
        let (worst, at) = slice_error(xs, &out[1..], format, exact);
        println!("{name} {what:<20} slice: max {worst:.6} ulp at {at:e}");
        assert!(worst <= bound, "{name} {what} slice: {worst} ulp at {at:e}");
        singles.push(out);
    }
    let pairs: [(&dyn Activation<H>, usize); 2] = [(&Sigmoid, 0), (&Tanh, 2)];
    for (unit, first) in pairs {
        let (mut out, mut slope) = (vec![H::zero(); n + 1], vec![H::zero(); n + 1]);
        unit.activate_with_derivative_slice(xs, &mut out[..n], &mut slope[1..]).unwrap();
        let bits = |v: &[H]| v.iter().map(|x| x.to_f64().unwrap().to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&out[..n]), bits(&singles[first][1..]), "{name} pair {first}: f");
        assert_eq!(bits(&slope[1..]), bits(&singles[first + 1][1..]), "{name} pair {first}: f'");
    }
}

#[test]
fn every_f16_input_through_the_slice_methods() {
    check_slices("f16", f16::from_bits, F16, bounds::F16_SLICE);
}

#[test]
fn every_bf16_input_through_the_slice_methods() {
    check_slices("bf16", bf16::from_bits, BF16, bounds::BF16_SLICE);
}
