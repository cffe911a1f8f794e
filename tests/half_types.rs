//! f16 and bf16 (feature `half`): every finite input of each activation, through the scalar
//! methods and the slice methods (the `f32` kernels at the level chosen by `DELTA_RULE_SIMD`),
//! within the bounds of `common::bounds` plus the reference's own error. The slices are measured
//! against the overflow-free formulas in plain f64 with the standard library's `exp`, `tanh` and
//! `ln_1p` (within `common::formula_rel`, at most 2⁻³⁹ of an f16 ulp). The scalar methods round
//! those same formulas, so they are measured against the crate's `f64` methods instead
//! (`common::F64_METHODS_REL`), a separate evaluation. `sse` is checked for faithful rounding
//! against exact integer sums.
#![cfg(feature = "half")]

mod common;

use common::{
    bounds, error_from_reference, formula_rel, is_faithful, reference_ulps, sigmoid_pair, softplus,
    tanh_pair, Format, F64_METHODS_REL,
};
use delta_rule::{sse, Activation, Sigmoid, Softplus, Tanh};
use half::{bf16, f16};

const F16: Format = Format { precision: 11, min_exponent: -24 };
const BF16: Format = Format { precision: 8, min_exponent: -133 };

/// An activation output: its name, its reference formula and that formula's relative error.
type Reference = (&'static str, fn(f64) -> f64, f64);

/// The five outputs with scalar methods, in the order of [`scalar`].
const REFERENCES: [Reference; 5] = [
    ("sigmoid", |x| sigmoid_pair(x).0, formula_rel::SIGMOID),
    ("sigmoid derivative", |x| sigmoid_pair(x).1, formula_rel::SIGMOID_DERIVATIVE),
    ("tanh", |x| tanh_pair(x).0, formula_rel::TANH),
    ("tanh derivative", |x| tanh_pair(x).1, formula_rel::TANH_DERIVATIVE),
    ("softplus", softplus, formula_rel::SOFTPLUS),
];

/// The same outputs by the crate's `f64` methods: the reference for the scalar methods, which
/// round the formulas of [`REFERENCES`] (against those, a result rounded once would be within
/// ½ ulp by construction).
const F64_METHODS: [Reference; 5] = [
    ("sigmoid", |x| Sigmoid.activate(x), F64_METHODS_REL),
    ("sigmoid derivative", |x| Sigmoid.derivative(x), F64_METHODS_REL),
    ("tanh", |x| Tanh.activate(x), F64_METHODS_REL),
    ("tanh derivative", |x| Tanh.derivative(x), F64_METHODS_REL),
    ("softplus", |x| Softplus.activate(x), F64_METHODS_REL),
];

/// The scalar method for output `i` of [`REFERENCES`] and [`F64_METHODS`].
fn scalar<H: num_traits::Float>(i: usize, h: H) -> H {
    match i {
        0 => Sigmoid.activate(h),
        1 => Sigmoid.derivative(h),
        2 => Tanh.activate(h),
        3 => Tanh.derivative(h),
        _ => Softplus.activate(h),
    }
}

/// The largest error in ulps of `format` of `got` against `exact` (a reference within `rel`)
/// over `xs`, and its input.
fn max_error<H: num_traits::Float>(
    xs: &[H],
    got: &[H],
    format: Format,
    exact: fn(f64) -> f64,
    rel: f64,
) -> (f64, f64) {
    let mut worst = (0.0, f64::NAN);
    for (&x, &y) in xs.iter().zip(got) {
        let x = x.to_f64().unwrap_or(f64::NAN);
        let y = y.to_f64().unwrap_or(f64::NAN);
        let error = error_from_reference(y, exact(x), rel, format);
        if error > worst.0 || error.is_nan() {
            worst = (if error.is_nan() { f64::INFINITY } else { error }, x);
        }
    }
    worst
}

/// Every finite input through the scalar methods: within `bounds::HALF_SCALAR` (an f64 formula
/// rounded once to the type, as `Sigmoid`'s docs say), up to the reference's own error, against
/// the crate's `f64` methods.
#[test]
fn every_half_input_rounded_once() {
    let finite16: Vec<f16> = (0..=u16::MAX).map(f16::from_bits).filter(|x| x.is_finite()).collect();
    let finiteb: Vec<bf16> =
        (0..=u16::MAX).map(bf16::from_bits).filter(|x| x.is_finite()).collect();
    for (i, (name, exact, rel)) in F64_METHODS.into_iter().enumerate() {
        let got16: Vec<f16> = finite16.iter().map(|&h| scalar(i, h)).collect();
        let gotb: Vec<bf16> = finiteb.iter().map(|&h| scalar(i, h)).collect();
        let (e16, at16) = max_error(&finite16, &got16, F16, exact, rel);
        let (eb, atb) = max_error(&finiteb, &gotb, BF16, exact, rel);
        let (bound16, boundb) = (
            bounds::HALF_SCALAR + reference_ulps(rel, F16),
            bounds::HALF_SCALAR + reference_ulps(rel, BF16),
        );
        println!(
            "{name:<20} f16 max {e16:.6} ulp at {at16:e}; bf16 max {eb:.6} ulp at {atb:e} \
             (bounds < {bound16}, < {boundb})"
        );
        assert!(e16 < bound16 && eb < boundb, "{name}: f16 {e16} at {at16}, bf16 {eb} at {atb}");
    }
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
    let methods: [Slice<H>; 5] = [
        |h, o| Sigmoid.activate_slice(h, o).unwrap(),
        |h, o| Sigmoid.derivative_slice(h, o).unwrap(),
        |h, o| Tanh.activate_slice(h, o).unwrap(),
        |h, o| Tanh.derivative_slice(h, o).unwrap(),
        |h, o| Softplus.activate_slice(h, o).unwrap(),
    ];
    // The softplus derivative is σ, against σ's reference.
    let softplus_derivative: (Reference, Slice<H>) =
        (("softplus derivative", REFERENCES[0].1, REFERENCES[0].2), |h, o| {
            Softplus.derivative_slice(h, o).unwrap()
        });
    let cases = REFERENCES.into_iter().zip(methods).chain([softplus_derivative]);
    let mut singles = Vec::new();
    for ((what, exact, rel), method) in cases {
        let mut out = vec![H::zero(); n + 1];
        method(xs, &mut out[1..]);
        let (worst, at) = max_error(xs, &out[1..], format, exact, rel);
        let bound = bound + reference_ulps(rel, format);
        println!("{name} {what:<20} slice: max {worst:.6} ulp at {at:e} (bound {bound})");
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

/// `sse` on f16 and bf16 is faithful (`bounds::SSE`), as on f32 and f64: each result is one of
/// the two values of the type around the exact sum, decided in integers. The data are small
/// integers scaled by 2⁻⁸ (exact in both types) with one large term among them, at lengths
/// around the vector and block widths.
#[test]
fn sse_is_faithful_on_half_types() {
    let mut rng = common::SplitMix64(7);
    for n in (1..=67).chain([4096, 100_001]) {
        let mut ints = |range: u64| -> Vec<i64> {
            (0..n).map(|_| (rng.next_u64() % (2 * range + 1)) as i64 - range as i64).collect()
        };
        // f16 holds every integer up to 2¹¹, bf16 up to 2⁸.
        for (name, large, format) in [("f16", 1 << 10, F16), ("bf16", 1 << 7, BF16)] {
            let (mut a, b) = (ints(3), ints(3));
            a[n / 2] = large;
            // E = ½ Σ (a − b)²·2⁻¹⁶ = truth·2⁻¹⁷.
            let truth: i128 = a.iter().zip(&b).map(|(&x, &y)| i128::from(x - y).pow(2)).sum();
            let scaled = |v: &[i64]| -> Vec<f64> { v.iter().map(|&x| x as f64 / 256.0).collect() };
            let (a, b) = (scaled(&a), scaled(&b));
            let got = if name == "f16" {
                let a: Vec<f16> = a.iter().map(|&x| f16::from_f64(x)).collect();
                let b: Vec<f16> = b.iter().map(|&x| f16::from_f64(x)).collect();
                sse(&a, &b).unwrap().to_f64()
            } else {
                let a: Vec<bf16> = a.iter().map(|&x| bf16::from_f64(x)).collect();
                let b: Vec<bf16> = b.iter().map(|&x| bf16::from_f64(x)).collect();
                sse(&a, &b).unwrap().to_f64()
            };
            assert!(is_faithful(got, truth, -17, format), "{name} n {n}: {got} vs {truth}·2⁻¹⁷");
        }
    }
}
