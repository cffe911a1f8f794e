//! The public slice functions on `f32` and `f64` through the dispatched kernels, at the level
//! chosen by `DELTA_RULE_SIMD` (`scalar`, `avx2`, `avx512`; on aarch64 `scalar`, `neon`; default:
//! the best the CPU has). Run once per level:
//!
//! ```text
//! for level in scalar avx2 avx512; do DELTA_RULE_SIMD=$level cargo test --test simd_dispatch; done
//! scripts/aarch64-test.sh   # both aarch64 levels, under qemu
//! ```
//!
//! References are independent of the code under test: mpmath values with their residuals
//! (`scripts/gen_reference.py`; `scripts/sigmoid_reference.py`'s correctly rounded values for
//! `error_terms`), `f64` formulas for `f32` (their own error added to the bounds), exact integer
//! sums. Errors are measured against the exact values, not as distances from rounded ones.

mod common;

use common::{
    bounds, error_from_reference, formula_rel, is_faithful, parse_table, parse_value_table, pow2,
    reference_ulps, sigmoid_pair, softplus, tanh_pair, ulp_error, Reference, F32, F64,
    F64_FORMULA_REL,
};
use delta_rule::{
    error_terms, gradient_step, net_input, sse, weight_step, Activation, Identity, LeakyRelu, Relu,
    Sigmoid, Softplus, Tanh,
};

/// Applies `f` to `h` through a sub-slice starting at `offset` of a larger buffer, checking
/// the elements around it stay untouched.
fn through_offset<T: Copy + PartialEq + core::fmt::Debug>(
    h: &[T],
    offset: usize,
    guard: T,
    f: impl Fn(&[T], &mut [T]),
) -> Vec<T> {
    let mut src = vec![guard; offset + h.len()];
    src[offset..].copy_from_slice(h);
    let mut buf = vec![guard; offset + h.len() + 2];
    f(&src[offset..], &mut buf[offset..offset + h.len()]);
    assert!(buf[..offset].iter().chain(&buf[offset + h.len()..]).all(|&g| g == guard));
    buf[offset..offset + h.len()].to_vec()
}

#[test]
fn sigmoid_and_tanh_f64_slices_meet_their_bounds() {
    // (unit, mpmath tables of f and f′ with residuals (`scripts/gen_reference.py`, the same
    // inputs in the same order), ulp bounds of f and f′)
    type Unit<'a> = (&'a dyn Activation<f64>, [&'a str; 2], [f64; 2]);
    let units: [Unit; 2] = [
        (
            &Sigmoid,
            [
                include_str!("data/activations/sigmoid_f64.txt"),
                include_str!("data/activations/sigmoid_derivative_f64.txt"),
            ],
            [bounds::SIGMOID_SLICE, bounds::SIGMOID_DERIVATIVE_SLICE],
        ),
        (
            &Tanh,
            [
                include_str!("data/activations/tanh_f64.txt"),
                include_str!("data/activations/tanh_derivative_f64.txt"),
            ],
            [bounds::TANH_SLICE, bounds::TANH_DERIVATIVE_SLICE],
        ),
    ];
    for (unit, texts, [f_bound, d_bound]) in units {
        let [f_refs, d_refs]: [Vec<Reference>; 2] = texts.map(|text| parse_table(text, F64));
        let xs: Vec<f64> = f_refs.iter().map(|r| r.input).collect();
        assert!(d_refs.iter().map(|r| r.input.to_bits()).eq(xs.iter().map(|x| x.to_bits())));
        // Odd lengths at several misalignments, then the whole table.
        let lengths = (0..=67).chain([xs.len()]);
        for n in lengths {
            for offset in 0..3 {
                let f = through_offset(&xs[..n], offset, 9.0, |h, o| {
                    unit.activate_slice(h, o).unwrap()
                });
                let d = through_offset(&xs[..n], offset, 9.0, |h, o| {
                    unit.derivative_slice(h, o).unwrap()
                });
                for i in 0..n {
                    let (rf, rd) = (&f_refs[i], &d_refs[i]);
                    let ef = ulp_error(f[i], rf.rounded, rf.residual, F64);
                    let ed = ulp_error(d[i], rd.rounded, rd.residual, F64);
                    assert!(ef <= f_bound, "f({:e}) = {:e}: {ef} ulp", xs[i], f[i]);
                    assert!(ed <= d_bound, "f'({:e}) = {:e}: {ed} ulp", xs[i], d[i]);
                }
            }
        }
    }
}

#[test]
fn sigmoid_and_tanh_f32_slices_meet_their_bounds() {
    let xs: Vec<f32> = (0..=u32::MAX / 65_521).map(|i| f32::from_bits(i * 65_521)).collect();
    type Unit<'a> = (&'a dyn Activation<f32>, &'a dyn Fn(f64) -> (f64, f64), [f64; 2], [f64; 2]);
    // The f64 formulas are within `formula_rel` of the exact values: the bounds grow by that
    // error in f32 ulps (`reference_ulps`, at most 2⁻²⁶) and no more.
    let units: [Unit; 2] = [
        (
            &Sigmoid,
            &sigmoid_pair,
            [bounds::SIGMOID_SLICE, bounds::SIGMOID_DERIVATIVE_SLICE],
            [formula_rel::SIGMOID, formula_rel::SIGMOID_DERIVATIVE],
        ),
        (
            &Tanh,
            &tanh_pair,
            [bounds::TANH_SLICE, bounds::TANH_DERIVATIVE_SLICE],
            [formula_rel::TANH, formula_rel::TANH_DERIVATIVE],
        ),
    ];
    for (unit, reference, [f_bound, d_bound], [f_rel, d_rel]) in units {
        let f_bound = f_bound + reference_ulps(f_rel, F32);
        let d_bound = d_bound + reference_ulps(d_rel, F32);
        for offset in 0..3 {
            let f = through_offset(&xs, offset, 9.0, |h, o| unit.activate_slice(h, o).unwrap());
            let d = through_offset(&xs, offset, 9.0, |h, o| unit.derivative_slice(h, o).unwrap());
            for (i, &x) in xs.iter().enumerate() {
                let (rf, rd) = reference(f64::from(x));
                let ef = error_from_reference(f64::from(f[i]), rf, f_rel, F32);
                let ed = error_from_reference(f64::from(d[i]), rd, d_rel, F32);
                assert!(ef <= f_bound, "f({x:e}) = {:e}: {ef} ulp", f[i]);
                assert!(ed <= d_bound, "f'({x:e}) = {:e}: {ed} ulp", d[i]);
            }
        }
    }
}

#[test]
fn softplus_derivative_slice_is_the_sigmoid() {
    let h: Vec<f64> = (-300..300).map(|i| f64::from(i) * 0.37).collect();
    let mut a = vec![0.0; h.len()];
    let mut b = vec![0.0; h.len()];
    Softplus.derivative_slice(&h, &mut a).unwrap();
    Sigmoid.activate_slice(&h, &mut b).unwrap();
    assert_eq!(a, b);
}

/// Deterministic small integers in (−range, range).
fn ints(seed: u64, n: usize, range: i64) -> Vec<i64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as i64 % (2 * range)) - range
        })
        .collect()
}

/// `sse` is faithful (`bounds::SSE`: below one ulp of the exact sum): each result must be one
/// of the two floats around the exact sum, decided in integers.
#[test]
fn sse_is_faithful_on_ill_conditioned_data() {
    for n in (1..=67).chain([4096, 100_001]) {
        for offset in 0..3 {
            let mut a = ints(1, n + offset, 3);
            let b = ints(2, n + offset, 3);
            a[offset + n / 2] = 1 << 39; // one huge term among tiny ones
            let (a, b) = (&a[offset..], &b[offset..]);
            let exact: i128 = a.iter().zip(b).map(|(&x, &y)| i128::from(x - y).pow(2)).sum();
            // f64 values a·2⁻²⁰: E = exact·2⁻⁴¹ (with the ½).
            let a64: Vec<f64> = a.iter().map(|&v| v as f64 * pow2(-20)).collect();
            let b64: Vec<f64> = b.iter().map(|&v| v as f64 * pow2(-20)).collect();
            let got = sse(&a64, &b64).unwrap();
            assert!(is_faithful(got, exact, -41, F64), "f64 n {n}: {got:e} vs {exact}·2⁻⁴¹");
            // f32 values below 2²⁴ are exact: E = exact·2⁻¹.
            let a32: Vec<f32> = a.iter().map(|&v| (v >> 16) as f32).collect();
            let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
            let exact: i128 =
                a.iter().zip(b).map(|(&x, &y)| i128::from((x >> 16) - y).pow(2)).sum();
            let got = sse(&a32, &b32).unwrap();
            assert!(is_faithful(got.into(), exact, -1, F32), "f32 n {n}: {got} vs {exact}/2");
        }
    }
}

/// The faithfulness check itself: exact sums, sums between two floats, and the half-width
/// spacing below a power of two, in f64 and f32.
#[test]
fn faithfulness_is_decided_exactly() {
    let p53 = pow2(53);
    let cases = [
        // (result, truth, exp, format, faithful)
        (1.0, 1, 0, F64, true),
        (1.0 + f64::EPSILON, 1, 0, F64, false),
        (1.0 - f64::EPSILON / 2.0, 1, 0, F64, false),
        (p53, (1 << 53) + 1, 0, F64, true),
        (p53 + 2.0, (1 << 53) + 1, 0, F64, true),
        (p53 + 4.0, (1 << 53) + 1, 0, F64, false),
        (p53 - 1.0, (1 << 53) + 1, 0, F64, false),
        (p53, (1 << 53) - 1, 0, F64, false),
        (p53, (1 << 54) - 1, -1, F64, true),
        (p53 - 1.0, (1 << 54) - 1, -1, F64, true),
        (p53 - 2.0, (1 << 54) - 1, -1, F64, false),
        (0.0, 0, 0, F64, true),
        (0.0, 1, -1074, F64, false),
        (0.0, 1, -1075, F64, true),
        (1.0, (1 << 24) + 1, -24, F32, true),
        (1.0 + pow2(-23), (1 << 24) + 1, -24, F32, true),
        (1.0 - pow2(-24), (1 << 24) + 1, -24, F32, false),
        (1.0, (1 << 25) - 1, -25, F32, true),
        (1.0 - pow2(-24), (1 << 25) - 1, -25, F32, true),
        (1.0 - pow2(-23), (1 << 25) - 1, -25, F32, false),
        (1.0 + pow2(-23), (1 << 25) - 1, -25, F32, false),
    ];
    for (i, (result, truth, exp, format, faithful)) in cases.into_iter().enumerate() {
        assert_eq!(is_faithful(result, truth, exp, format), faithful, "case {i}");
    }
}

#[test]
fn net_input_and_steps_match_plain_loops() {
    for n in (0..=67).chain([1000, 4099]) {
        let x: Vec<i64> = ints(3, n, 1000);
        let w: Vec<i64> = ints(4, n, 1000);
        let exact: i64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
        let (x64, w64): (Vec<f64>, Vec<f64>) =
            (x.iter().map(|&v| v as f64).collect(), w.iter().map(|&v| v as f64).collect());
        assert_eq!(net_input(&w64, &x64).unwrap(), exact as f64, "n {n}");
        // A sum of zeros is +0, also where every product is −0 (as the docs say).
        let zeros = vec![-0.0_f64; n];
        let zeros32: Vec<f32> = zeros.iter().map(|&z| z as f32).collect();
        let x32: Vec<f32> = x64.iter().map(|&v| v as f32).collect();
        assert_eq!(net_input(&zeros, &x64).unwrap().to_bits(), 0, "n {n}");
        assert_eq!(net_input(&zeros32, &x32).unwrap().to_bits(), 0, "n {n}");
        // Negative products that all underflow sum to a zero: +0 by the scalar code, either sign
        // by the SIMD kernels, which fuse each product into its sum (as the docs say).
        let scalar = std::env::var("DELTA_RULE_SIMD")
            .is_ok_and(|level| level.eq_ignore_ascii_case("scalar"));
        let (tiny, tiny32) = (vec![1e-200_f64; n], vec![1e-30_f32; n]);
        let (minus_tiny, minus_tiny32) = (vec![-1e-200_f64; n], vec![-1e-30_f32; n]);
        for h in [
            net_input(&minus_tiny, &tiny).unwrap(),
            net_input(&minus_tiny32, &tiny32).unwrap().into(),
        ] {
            assert_eq!(h, 0.0, "n {n}");
            assert!(!scalar || h.is_sign_positive(), "n {n}");
        }

        // Δw = η δ x and w += η δ x, rounded exactly as the element-wise formulas.
        let (eta, delta) = (0.3_f64, -0.071);
        let mut dw = vec![7.0; n];
        weight_step(&mut dw, &x64, delta, eta).unwrap();
        let expect: Vec<f64> = x64.iter().map(|&xi| (eta * delta) * xi).collect();
        assert_eq!(dw, expect);
        let mut w2 = w64.clone();
        gradient_step(&mut w2, &x64, delta, eta).unwrap();
        let expect: Vec<f64> =
            w64.iter().zip(&x64).map(|(&wi, &xi)| wi + (eta * delta) * xi).collect();
        assert_eq!(w2, expect);

        let (x32, w32): (Vec<f32>, Vec<f32>) =
            (x64.iter().map(|&v| v as f32).collect(), w64.iter().map(|&v| v as f32).collect());
        let mut w3 = w32.clone();
        gradient_step(&mut w3, &x32, -0.071_f32, 0.3).unwrap();
        let expect: Vec<f32> =
            w32.iter().zip(&x32).map(|(&wi, &xi)| wi + (0.3_f32 * -0.071) * xi).collect();
        assert_eq!(w3, expect);
    }
}

/// Inputs over the whole range of σ: zeros, the subnormal band of the result, saturation,
/// infinities and NaN among ordinary values.
fn sigmoid_inputs(n: usize, range: f64) -> Vec<f64> {
    let specials = [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -740.0, -95.0, 40.0];
    let noise = ints(5, n, 1 << 20);
    (0..n)
        .map(|i| {
            if i % 7 == 3 {
                specials[i % 8]
            } else {
                noise[i] as f64 / f64::from(1 << 20) * range
            }
        })
        .collect()
}

#[test]
fn pair_slices_are_bit_identical_to_the_two_slice_methods() {
    fn check<T: num_traits::Float + core::fmt::Debug>(xs: &[T], bits: impl Fn(T) -> u64) {
        let units: [(&str, &dyn Activation<T>); 3] =
            [("σ", &Sigmoid), ("tanh", &Tanh), ("softplus", &Softplus)];
        for (name, unit) in units {
            check_unit(name, unit, xs, &bits);
        }
    }
    fn check_unit<T: num_traits::Float + core::fmt::Debug>(
        name: &str,
        unit: &dyn Activation<T>,
        xs: &[T],
        bits: impl Fn(T) -> u64,
    ) {
        let n = xs.len();
        let guard = T::from(9.0).unwrap();
        for offset in 0..3 {
            let f = through_offset(xs, offset, guard, |h, o| unit.activate_slice(h, o).unwrap());
            let d = through_offset(xs, offset, guard, |h, o| unit.derivative_slice(h, o).unwrap());
            // `out` and `slope` at different misalignments from `h` and from each other.
            let mut out = vec![guard; n + 3];
            let mut slope = vec![guard; n + 3];
            unit.activate_with_derivative_slice(
                xs,
                &mut out[offset..offset + n],
                &mut slope[2..n + 2],
            )
            .unwrap();
            let same = |a: &[T], b: &[T]| a.iter().map(|&x| bits(x)).eq(b.iter().map(|&x| bits(x)));
            assert!(same(&out[offset..offset + n], &f), "{name}, n {n}, offset {offset}");
            assert!(same(&slope[2..n + 2], &d), "{name}′, n {n}, offset {offset}");
            assert!(out[..offset].iter().chain(&out[offset + n..]).all(|&g| g == guard));
            assert!(slope[..2].iter().chain(&slope[n + 2..]).all(|&g| g == guard));
        }
    }
    for n in (0..=67).chain([1000, 4099]) {
        for range in [1.0, 20.0, 120.0] {
            let xs = sigmoid_inputs(n, range);
            check(&xs, f64::to_bits);
            let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
            check(&xs32, |x: f32| u64::from(x.to_bits()));
        }
    }
}

/// The documented bound of `error_terms` for f within 1 ulp and f′ within 2 ulp of the exact
/// values (1 ulp ≤ `eps`·|v| for a normal v, each rounding ≤ `eps`/2 relative):
/// |δ̂ − (y − f)f′| ≤ f′·(3·eps·|y − f| + eps·|f|) to first order, widened by (1 + 8·eps) for the
/// second-order terms, plus `reference` (the error of the value compared against) and a few
/// smallest subnormals `tiny` for underflow.
fn error_term_bound(f: f64, slope: f64, r: f64, eps: f64, reference: f64, tiny: f64) -> f64 {
    slope * (3.0 * eps * r.abs() + eps * f.abs()) * (1.0 + 8.0 * eps) + reference + 4.0 * tiny
}

/// Targets in [0, 1) for `n` outputs.
fn targets(n: usize) -> Vec<f64> {
    (0..n).map(|i| (i as f64 * 0.618_033_988_749_895).fract()).collect()
}

/// `error_terms` of `unit` (a concrete type, so that its fast paths run) against `table`, rows
/// of h and the correctly rounded f(h) and f′(h), at lengths around the block of 256 and several
/// misalignments.
fn check_error_terms_f64<A: Activation<f64>>(unit: &A, table: Vec<[f64; 3]>) {
    let (eps, tiny) = (f64::EPSILON, f64::from_bits(1));
    // The subnormal band has absolute, not relative, ulps; the rest of the table is used.
    let t: Vec<[f64; 3]> = table.into_iter().filter(|r| r[2] >= 1e-290).collect();
    let h: Vec<f64> = t.iter().map(|r| r[0]).collect();
    let y = targets(h.len());
    for n in [0, 1, 7, 255, 256, 257, 600, h.len()] {
        for offset in 0..3 {
            let mut src = vec![9.0; offset + n];
            src[offset..].copy_from_slice(&y[..n]);
            let d = through_offset(&h[..n], offset, 9.0, |h, out| {
                error_terms(unit, &src[offset..], h, out).unwrap()
            });
            for i in 0..n {
                let [x, f, slope] = t[i];
                // f and f′ from the table are correctly rounded (≤ eps/2 relative each); the
                // reference then rounds r = y − f and r·f′ (≤ eps/2 each): within
                // slope·(1.5·eps·|r| + 0.5·eps·|f|) to first order, widened for the second.
                let r = y[i] - f;
                let want = r * slope;
                let reference =
                    slope * (1.5 * eps * r.abs() + 0.5 * eps * f.abs()) * (1.0 + 4.0 * eps);
                let bound = error_term_bound(f, slope, r, eps, reference, tiny);
                // Softplus(∞) = ∞ makes δ = −∞ exactly.
                assert!(
                    d[i] == want || (d[i] - want).abs() <= bound,
                    "h = {x:e}, y = {}: {:e} vs {want:e} (bound {bound:e})",
                    y[i],
                    d[i]
                );
            }
        }
    }
}

#[test]
fn error_terms_f64_meet_the_bound_against_mpmath_values() {
    check_error_terms_f64(&Sigmoid, parse_value_table(include_str!("data/sigmoid_f64.txt")));
    check_error_terms_f64(&Tanh, parse_value_table(include_str!("data/tanh_f64.txt")));
    // Softplus′ is σ: the two `gen_reference.py` tables list the same inputs in the same order.
    let f = parse_table(include_str!("data/activations/softplus_f64.txt"), F64);
    let slope = parse_table(include_str!("data/activations/sigmoid_f64.txt"), F64);
    assert_eq!(f.len(), slope.len());
    let table = f
        .iter()
        .zip(&slope)
        .map(|(f, s)| {
            assert_eq!(f.input.to_bits(), s.input.to_bits());
            [f.input, f.rounded, s.rounded]
        })
        .collect();
    check_error_terms_f64(&Softplus, table);
}

/// `error_terms` of `unit` over f32 net inputs across (−40, 40) against `reference` (f and f′
/// in f64), at lengths around the block of 256 and several misalignments.
fn check_error_terms_f32<A: Activation<f32>>(unit: &A, reference: impl Fn(f64) -> (f64, f64)) {
    // Steps that are not a multiple of anything in the kernels.
    let h: Vec<f32> = (0..20_011).map(|i| (i as f32 - 10_005.0) * 0.003_998_7).collect();
    let y: Vec<f32> = targets(h.len()).iter().map(|&v| v as f32).collect();
    let eps = f64::from(f32::EPSILON);
    for n in [0, 1, 255, 256, 257, 1000, h.len()] {
        for offset in 0..3 {
            let mut src = vec![9.0_f32; offset + n];
            src[offset..].copy_from_slice(&y[..n]);
            let d = through_offset(&h[..n], offset, 9.0, |h, out| {
                error_terms(unit, &src[offset..], h, out).unwrap()
            });
            for i in 0..n {
                let (f, slope) = reference(f64::from(h[i]));
                let r = f64::from(y[i]) - f;
                // The f64 reference's own error: far below the f32 terms.
                let reference_error = slope * (f.abs() + r.abs()) * F64_FORMULA_REL;
                let tiny = f64::from(f32::from_bits(1));
                let bound = error_term_bound(f, slope, r, eps, reference_error, tiny);
                let got = f64::from(d[i]);
                assert!(
                    (got - r * slope).abs() <= bound,
                    "h = {:e}: {got:e} vs {:e} (bound {bound:e})",
                    h[i],
                    r * slope
                );
            }
        }
    }
}

#[test]
fn error_terms_f32_meet_the_bound_against_f64() {
    check_error_terms_f32(&Sigmoid, sigmoid_pair);
    check_error_terms_f32(&Tanh, tanh_pair);
    check_error_terms_f32(&Softplus, |x| (softplus(x), sigmoid_pair(x).0));
}

/// For the activations with slice kernels, `error_terms` is (y − f)·f′ of the pair that
/// `activate_with_derivative_slice` gives, bit for bit, at every level (the kernels' values
/// where a SIMD level is in use, not the correctly rounded scalar ones).
#[test]
fn error_terms_take_the_pair_from_the_slice_kernels() {
    fn check<A: Activation<T>, T: num_traits::Float + core::fmt::Debug>(
        unit: &A,
        h: &[T],
        y: &[T],
    ) {
        let (mut f, mut slope) = (vec![T::zero(); h.len()], vec![T::zero(); h.len()]);
        unit.activate_with_derivative_slice(h, &mut f, &mut slope).unwrap();
        let want: Vec<T> = y.iter().zip(&f).zip(&slope).map(|((&y, &f), &s)| (y - f) * s).collect();
        let mut d = vec![T::zero(); h.len()];
        error_terms(unit, y, h, &mut d).unwrap();
        if let Some(i) = (0..h.len()).find(|&i| d[i] != want[i]) {
            panic!("h = {:?}: δ = {:?}, from the pair {:?}", h[i], d[i], want[i]);
        }
    }
    // Lengths across blocks of 256 with a tail; inputs every 0.0137 over (−40, 40).
    let h: Vec<f64> = (0..5_837).map(|i| f64::from(i) * 0.013_7 - 40.0).collect();
    let y = targets(h.len());
    let (h32, y32): (Vec<f32>, Vec<f32>) =
        h.iter().zip(&y).map(|(&h, &y)| (h as f32, y as f32)).unzip();
    check(&Tanh, &h, &y);
    check(&Softplus, &h, &y);
    check(&Tanh, &h32, &y32);
    check(&Softplus, &h32, &y32);
}

#[test]
fn error_terms_special_values() {
    let h = [f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 0.0, 0.0];
    let y = [0.5, 0.5, 0.5, f32::NAN, 1.0];
    let mut d = [9.0_f32; 5];
    error_terms(&Sigmoid, &y, &h, &mut d).unwrap();
    // Saturated units do not learn; NaN propagates; σ(0) = ½ and σ′(0) = ¼ exactly.
    assert_eq!(&d[..2], &[0.0, 0.0]);
    assert!(d[2].is_nan() && d[3].is_nan());
    assert_eq!(d[4], 0.125);
}

#[test]
fn error_terms_of_other_activations_are_the_formula_per_element() {
    // The identity: δ = y − h exactly (f′ = 1), for every length around the block size.
    let h: Vec<f64> = (0..700).map(|i| f64::from(i) * 0.37 - 100.0).collect();
    let y = targets(h.len());
    for n in [0, 1, 255, 256, 257, 700] {
        let mut d = vec![9.0; n];
        error_terms(&Identity, &y[..n], &h[..n], &mut d).unwrap();
        let want: Vec<f64> = y[..n].iter().zip(&h).map(|(a, b)| a - b).collect();
        assert_eq!(d, want);
    }
    // An activation of its own with σ's scalar methods, documented correctly rounded on every
    // sampled normal result: check against the mpmath table exactly there
    // (δ = fl(fl(y − f)·f′) of correctly rounded f and f′).
    struct ScalarSigmoid;
    impl Activation<f64> for ScalarSigmoid {
        fn activate(&self, h: f64) -> f64 {
            Sigmoid.activate(h)
        }
        fn derivative(&self, h: f64) -> f64 {
            Sigmoid.derivative(h)
        }
    }
    let t: Vec<[f64; 3]> = parse_value_table(include_str!("data/sigmoid_f64.txt"))
        .into_iter()
        .filter(|r| r[1] >= f64::MIN_POSITIVE && r[2] >= f64::MIN_POSITIVE)
        .collect();
    let hs: Vec<f64> = t.iter().map(|r| r[0]).collect();
    let ys = targets(hs.len());
    let mut d = vec![0.0; hs.len()];
    let unit: &dyn Activation<f64> = &ScalarSigmoid;
    error_terms(unit, &ys, &hs, &mut d).unwrap();
    for (i, r) in t.iter().enumerate() {
        assert_eq!(d[i], (ys[i] - r[1]) * r[2], "h = {:e}", r[0]);
    }
}

/// `&A` and `Box<A>` forward every method of the activation behind them: the same bits from the
/// scalar and slice methods, the same errors, and an untouched `out` on `Err`.
#[test]
fn references_and_boxes_of_activations_forward_every_method() {
    fn same_bits<T: Copy + Into<f64>>(a: &[T], b: &[T]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(&x, &y)| x.into().to_bits() == y.into().to_bits())
    }
    fn check<T: num_traits::Float + Into<f64> + core::fmt::Debug>(
        direct: &dyn Activation<T>,
        forwarded: &dyn Activation<T>,
        h: &[T],
    ) {
        for &x in h {
            let pair = |p: (T, T)| [p.0, p.1];
            assert!(same_bits(&[direct.activate(x)], &[forwarded.activate(x)]), "{x:?}");
            assert!(same_bits(&[direct.derivative(x)], &[forwarded.derivative(x)]), "{x:?}");
            let (a, b) =
                (direct.activate_with_derivative(x), forwarded.activate_with_derivative(x));
            assert!(same_bits(&pair(a), &pair(b)), "{x:?}");
        }
        for n in [0, 1, 7, 16, 33, h.len()] {
            let h = &h[..n];
            let run = |unit: &dyn Activation<T>| {
                let (mut f, mut d, mut p, mut s) =
                    (vec![T::one(); n], vec![T::one(); n], vec![T::one(); n], vec![T::one(); n]);
                unit.activate_slice(h, &mut f).unwrap();
                unit.derivative_slice(h, &mut d).unwrap();
                unit.activate_with_derivative_slice(h, &mut p, &mut s).unwrap();
                [f, d, p, s]
            };
            let (a, b) = (run(direct), run(forwarded));
            assert!(a.iter().zip(&b).all(|(a, b)| same_bits(a, b)), "n {n}");
        }
        let mut out = [T::one(); 2];
        let err = forwarded.activate_slice(&h[..3], &mut out);
        assert_eq!(err, direct.activate_slice(&h[..3], &mut out));
        assert!(err.is_err() && out == [T::one(); 2]);
    }
    fn all<T: num_traits::Float + Into<f64> + core::fmt::Debug + 'static>(h: &[T]) {
        let leaky = LeakyRelu::new(T::from(0.1).unwrap());
        let units: [&dyn Activation<T>; 6] = [&Sigmoid, &Tanh, &Softplus, &Relu, &leaky, &Identity];
        for unit in units {
            check(unit, &unit, h);
            let boxed: Box<dyn Activation<T> + '_> = Box::new(unit);
            check(unit, &boxed, h);
        }
        // The concrete types behind a reference, where the type-based fast paths do not apply.
        check(&Sigmoid, &&Sigmoid, h);
        check(&Tanh, &Box::new(Tanh), h);
    }
    let h: Vec<f64> = (0..70)
        .map(|i| (f64::from(i) - 35.0) * 1.37)
        .chain([0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 800.0, -800.0])
        .collect();
    all(&h);
    all(&h.iter().map(|&x| x as f32).collect::<Vec<f32>>());
}
