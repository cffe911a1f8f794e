//! Every dispatch level against independent references: correctly rounded `f64` values from
//! mpmath (`scripts/sigmoid_reference.py`), `f64` evaluation for `f32`, exact integer arithmetic
//! for the reductions; odd lengths, misaligned sub-slices and special values.
//!
//! Under Miri (`scripts/simd-memcheck.sh miri`, the scalar and AVX2 levels) the sweeps over many
//! values and the inputs of megabytes are ignored: interpreted, they would take hours, and their
//! code paths run in the other tests.

use super::{kernels, math, supported, Level};
use crate::accurate;
// The integration tests' tolerances, ulp helpers and table parser: one module for all tests.
#[path = "../../tests/common/mod.rs"]
mod common;
use common::bounds;
// Exact powers of two, where the precision of `powi` is left unspecified (Miri perturbs it).
use crate::accurate::pow2;

/// The levels this CPU can run, the baseline first.
fn levels() -> Vec<Level> {
    #[cfg(target_arch = "x86_64")]
    let all = [Level::Scalar, Level::Avx2, Level::Avx512];
    #[cfg(target_arch = "aarch64")]
    let all = [Level::Scalar, Level::Neon];
    all.into_iter().filter(|&l| l <= supported()).collect()
}

/// Whether `level` runs the hand-written AVX-512 kernels.
fn runs_avx512(level: Level) -> bool {
    #[cfg(target_arch = "x86_64")]
    return level == Level::Avx512;
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = level;
        false
    }
}

/// Whether this CPU lacks AVX-512, so that the test `name`, which compares the AVX-512 kernels
/// with others, has nothing to run; says so on stderr, since the harness has no skipped state.
#[cfg(target_arch = "x86_64")]
fn lacks_avx512(name: &str) -> bool {
    let lacks = supported() < Level::Avx512;
    if lacks {
        eprintln!("{name}: SKIPPED, this CPU has no AVX-512");
    }
    lacks
}

/// Distance in representable `f64` values (0 = equal, NaN = NaN).
fn ulps_f64(a: f64, b: f64) -> u64 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    let key = |x: f64| {
        let i = x.to_bits() as i64;
        if i < 0 {
            i64::MIN - i
        } else {
            i
        }
    };
    key(a).abs_diff(key(b))
}

/// Distance in representable `f32` values.
fn ulps_f32(a: f32, b: f32) -> u64 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    let key = |x: f32| {
        let i = x.to_bits() as i32;
        i64::from(if i < 0 { i32::MIN - i } else { i })
    };
    key(a).abs_diff(key(b))
}

/// |got − exact| in units of the `f32` ulp at `exact` (exact given in `f64`); 0 when both are
/// NaN and ∞ when only one is, so that a NaN result for a number (or the reverse) fails every
/// bound instead of dropping out of the maxima.
fn ulp_error_f32(got: f32, exact: f64) -> f64 {
    match (got.is_nan(), exact.is_nan()) {
        (true, true) => return 0.0,
        (true, false) | (false, true) => return f64::INFINITY,
        (false, false) => {}
    }
    // The f32 ulp at |exact|: 2^(e − 23) for the binary exponent e, at least 2⁻¹⁴⁹.
    let ulp = pow2(binary_exponent(exact).max(-126) - 23);
    (f64::from(got) - exact).abs() / ulp
}

/// e with 2^e ≤ |x| < 2^(e+1) for a normal x, and −1023 for ±0 and subnormals: x's exponent
/// field less its bias (read from the bits, where `log2` may round across an integer).
fn binary_exponent(x: f64) -> i32 {
    ((x.to_bits() >> 52) & 0x7FF) as i32 - 1023
}

/// A table written by `scripts/sigmoid_reference.py`: (x, f(x), f′(x)), each correctly rounded.
fn table(text: &str) -> Vec<[f64; 3]> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let mut it =
                l.split_whitespace().map(|w| f64::from_bits(u64::from_str_radix(w, 16).unwrap()));
            [it.next().unwrap(), it.next().unwrap(), it.next().unwrap()]
        })
        .collect()
}

/// σ(x) and σ′(x) for an `f32` x, in `f64` from the standard library's `exp` (relative error
/// about 2⁻⁵¹, i.e. 2⁻²⁸ of an `f32` ulp).
fn reference_f32(x: f32) -> (f64, f64) {
    let x = f64::from(x);
    let e = (-x.abs()).exp();
    let s = if x >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
    (s, e / ((1.0 + e) * (1.0 + e)))
}

type Kernel<T> = fn(Level, &[T], &mut [T]);

/// Runs `kernel` on `h` at `level`, writing into the middle of a larger buffer at several
/// offsets (misaligned starts), and checks the guard elements around it stay untouched.
fn run_offset<T: Copy + PartialEq + core::fmt::Debug>(
    kernel: Kernel<T>,
    level: Level,
    h: &[T],
    guard: T,
    offset: usize,
) -> Vec<T> {
    let mut buf = vec![guard; h.len() + offset + 3];
    let mut src = vec![guard; h.len() + offset];
    src[offset..].copy_from_slice(h);
    kernel(level, &src[offset..], &mut buf[offset..offset + h.len()]);
    assert!(buf[..offset].iter().chain(&buf[offset + h.len()..]).all(|&g| g == guard));
    buf[offset..offset + h.len()].to_vec()
}

/// `kernels` (f and f′) at every level and several misalignments against mpmath: in ulps of the
/// exact values, within `bounds`, on the tables with residuals (`residual_tables`,
/// `scripts/gen_reference.py`); and on the correctly rounded table `rounded_table`
/// (`scripts/sigmoid_reference.py`, with points at the kernels' switches), which holds no
/// residual, at most `bounds::from_rounded` from the rounded values, all such a table can
/// decide.
fn check_f64_table(
    name: &str,
    residual_tables: [&str; 2],
    rounded_table: &str,
    kernels: [Kernel<f64>; 2],
    bounds: [f64; 2],
) {
    let refs = residual_tables.map(|text| common::parse_table(text, common::F64));
    let xs: Vec<f64> = refs[0].iter().map(|r| r.input).collect();
    assert!(refs[1].iter().map(|r| r.input.to_bits()).eq(xs.iter().map(|x| x.to_bits())));
    let t = table(rounded_table);
    let rounded_xs: Vec<f64> = t.iter().map(|r| r[0]).collect();
    for level in levels() {
        for offset in [0, 1, 3] {
            for (which, (&kernel, &bound)) in kernels.iter().zip(&bounds).enumerate() {
                let got = run_offset(kernel, level, &xs, -7.0, offset);
                let (worst, at) = refs[which]
                    .iter()
                    .zip(&got)
                    .map(|(r, &g)| {
                        let error = common::ulp_error(g, r.rounded, r.residual, common::F64);
                        (if error.is_nan() { f64::INFINITY } else { error }, r.input)
                    })
                    .fold((0.0, 0.0), |w, e| if e.0 > w.0 { e } else { w });
                let got = run_offset(kernel, level, &rounded_xs, -7.0, offset);
                let (distance, distance_at) = t
                    .iter()
                    .zip(&got)
                    .map(|(r, &g)| (ulps_f64(g, r[1 + which]), r[0]))
                    .fold((0, 0.0), |w, e| if e.0 > w.0 { e } else { w });
                let what = if which == 0 { "" } else { " derivative" };
                if offset == 0 {
                    println!(
                        "{level:?} f64 {name}{what}: max {worst:.4} ulp (x = {at:e}); \
                         {distance} from the rounded values (x = {distance_at:e})"
                    );
                }
                assert!(worst <= bound, "{level:?} {name}{what}: {worst} ulp at {at:e}");
                assert!(
                    distance <= bounds::from_rounded(bound),
                    "{level:?} {name}{what}: {distance} from the rounded value at {distance_at:e}"
                );
            }
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn sigmoid_f64_against_mpmath_table_on_every_level() {
    check_f64_table(
        "sigmoid",
        [
            include_str!("../../tests/data/activations/sigmoid_f64.txt"),
            include_str!("../../tests/data/activations/sigmoid_derivative_f64.txt"),
        ],
        include_str!("../../tests/data/sigmoid_f64.txt"),
        [kernels::sigmoid_f64, kernels::sigmoid_derivative_f64],
        [bounds::SIGMOID_SLICE, bounds::SIGMOID_DERIVATIVE_SLICE],
    );
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn tanh_f64_against_mpmath_table_on_every_level() {
    check_f64_table(
        "tanh",
        [
            include_str!("../../tests/data/activations/tanh_f64.txt"),
            include_str!("../../tests/data/activations/tanh_derivative_f64.txt"),
        ],
        include_str!("../../tests/data/tanh_f64.txt"),
        [kernels::tanh_f64, kernels::tanh_derivative_f64],
        [bounds::TANH_SLICE, bounds::TANH_DERIVATIVE_SLICE],
    );
}

/// Every 4099th `f32` bit pattern (about 10⁶ values over the whole range), plus specials.
fn f32_sweep() -> Vec<f32> {
    let mut xs: Vec<f32> = (0..=u32::MAX / 4099).map(|i| f32::from_bits(i * 4099)).collect();
    xs.extend([
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        f32::MIN_POSITIVE,
        f32::from_bits(1),
        -f32::from_bits(1),
        88.0,
        -88.0,
        88.72,
        -88.72,
        104.0,
        -104.0,
        -103.97,
        -103.28,
        f32::MAX,
        f32::MIN,
        16.64,
        17.0,
    ]);
    xs.extend((0..4000).map(|i| -110.0 + i as f32 * 0.0553)); // dense over the subnormal band
    xs
}

/// Max error of an `f32` kernel pair against `reference` over [`f32_sweep`] at every level: in
/// ulps of the exact value, and in representable values from the rounded reference.
fn check_f32(name: &str, kernels: [Kernel<f32>; 2], reference: fn(f32) -> (f64, f64)) {
    let xs = f32_sweep();
    let refs: Vec<(f64, f64)> = xs.iter().map(|&x| reference(x)).collect();
    for level in levels() {
        for (which, &kernel) in kernels.iter().enumerate() {
            let got = run_offset(kernel, level, &xs, -7.0, 1 + which);
            let (mut worst, mut at, mut dist) = (0.0, 0.0, 0);
            for ((&x, &r), &g) in xs.iter().zip(&refs).zip(&got) {
                let exact = if which == 0 { r.0 } else { r.1 };
                let err = ulp_error_f32(g, exact);
                if err > worst {
                    (worst, at) = (err, x);
                }
                dist = dist.max(ulps_f32(g, exact as f32));
            }
            let what = if which == 0 { "" } else { " derivative" };
            println!(
                "{level:?} f32 {name}{what}: max {worst:.4} ulp (x = {at:e}), \
                 {dist} from the rounded reference"
            );
            let bound = 1 + which as u64;
            assert!(
                worst <= bound as f64 && dist <= bound,
                "{level:?} {name}{what}: {worst} at {at:e}"
            );
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn sigmoid_f32_against_f64_reference_on_every_level() {
    check_f32("sigmoid", [kernels::sigmoid_f32, kernels::sigmoid_derivative_f32], reference_f32);
    // With AVX-512 `sigmoid_f32` runs in `f32` lanes; the `f64`-lane kernel is checked as well.
    #[cfg(target_arch = "x86_64")]
    check_f32(
        "sigmoid (f64 lanes)",
        [kernels::sigmoid_f32_in_f64, kernels::sigmoid_derivative_f32_in_f64],
        reference_f32,
    );
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn tanh_f32_against_f64_reference_on_every_level() {
    check_f32("tanh", [kernels::tanh_f32, kernels::tanh_derivative_f32], reference_tanh_f32);
    // With AVX-512 `tanh_f32` runs in `f32` lanes; the `f64`-lane kernel is checked as well.
    #[cfg(target_arch = "x86_64")]
    check_f32(
        "tanh (f64 lanes)",
        [kernels::tanh_f32_in_f64, kernels::tanh_derivative_f32_in_f64],
        reference_tanh_f32,
    );
}

/// tanh x and tanh′ x in `f64` (libm's `tanh` and `exp`, far more accurate than `f32` needs).
fn reference_tanh_f32(x: f32) -> (f64, f64) {
    let x = f64::from(x);
    let e = (-2.0 * x.abs()).exp();
    (x.tanh(), 4.0 * e / ((1.0 + e) * (1.0 + e)))
}

/// softplus x = max(x, 0) + ln(1 + e^(−|x|)) in `f64` (NaN for NaN).
fn reference_softplus_f32(x: f32) -> f64 {
    let x = f64::from(x);
    if x.is_nan() {
        f64::NAN
    } else {
        x.max(0.0) + (-x.abs()).exp().ln_1p()
    }
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn softplus_f32_against_f64_reference_on_every_level() {
    let xs = f32_sweep();
    // With AVX-512 `softplus_f32` runs in `f32` lanes; the `f64`-lane kernel is checked as well.
    #[cfg(target_arch = "x86_64")]
    let kernels: [(&str, Kernel<f32>); 2] =
        [("", kernels::softplus_f32), (" (f64 lanes)", kernels::softplus_f32_in_f64)];
    #[cfg(not(target_arch = "x86_64"))]
    let kernels: [(&str, Kernel<f32>); 1] = [("", kernels::softplus_f32)];
    for level in levels() {
        for (name, kernel) in kernels {
            let got = run_offset(kernel, level, &xs, -7.0, 1);
            let (mut worst, mut at) = (0.0, 0.0);
            for (&x, &g) in xs.iter().zip(&got) {
                let err = ulp_error_f32(g, reference_softplus_f32(x));
                if err > worst {
                    (worst, at) = (err, x);
                }
            }
            println!("{level:?} f32 softplus{name}: max {worst:.4} ulp (x = {at:e})");
            assert!(worst <= 1.0, "{level:?} softplus{name}: {worst} at {at:e}");
            let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -200.0, 1e30];
            let mut out = [9.0_f32; 6];
            kernel(level, &specials, &mut out);
            assert!(out[0].is_nan());
            assert_eq!(&out[1..], &[f32::INFINITY, 0.0, core::f32::consts::LN_2, 0.0, 1e30]);
            let mut sub = [0.0_f32];
            kernel(level, &[-95.0], &mut sub);
            assert!(sub[0] > 0.0 && sub[0] < f32::MIN_POSITIVE, "{level:?}: {:e}", sub[0]);
        }
    }
}

#[test]
fn sigmoid_specials_on_every_level() {
    for level in levels() {
        let h = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 800.0, -800.0, 5e-324];
        let mut s = [9.0; 8];
        let mut d = [9.0; 8];
        kernels::sigmoid_f64(level, &h, &mut s);
        kernels::sigmoid_derivative_f64(level, &h, &mut d);
        assert!(s[0].is_nan() && d[0].is_nan(), "{level:?}");
        assert_eq!(&s[1..], &[1.0, 0.0, 0.5, 0.5, 1.0, 0.0, 0.5], "{level:?}");
        assert_eq!(&d[1..], &[0.0, 0.0, 0.25, 0.25, 0.0, 0.0, 0.25], "{level:?}");
        // The subnormal band: sigmoid(-740) = e^-740 (1 - e^-740) is subnormal, not 0.
        let mut sub = [0.0];
        kernels::sigmoid_f64(level, &[-740.0], &mut sub);
        assert!(sub[0] > 0.0 && sub[0] < f64::MIN_POSITIVE, "{level:?}: {:e}", sub[0]);

        let h = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0, 200.0, -200.0];
        let mut s = [9.0_f32; 7];
        let mut d = [9.0_f32; 7];
        kernels::sigmoid_f32(level, &h, &mut s);
        kernels::sigmoid_derivative_f32(level, &h, &mut d);
        assert!(s[0].is_nan() && d[0].is_nan(), "{level:?}");
        assert_eq!(&s[1..], &[1.0, 0.0, 0.5, 0.5, 1.0, 0.0], "{level:?}");
        assert_eq!(&d[1..], &[0.0, 0.0, 0.25, 0.25, 0.0, 0.0], "{level:?}");
        let nans = NAN_PATTERNS.map(f32::from_bits);
        let [mut s, mut d, mut ps, mut pd] = [[0.0_f32; 6]; 4];
        kernels::sigmoid_f32(level, &nans, &mut s);
        kernels::sigmoid_derivative_f32(level, &nans, &mut d);
        kernels::sigmoid_with_derivative_f32(level, &nans, &mut ps, &mut pd);
        for out in [s, d, ps, pd] {
            assert!(out.iter().all(|v| v.is_nan()), "{level:?}: {out:?}");
        }
        let mut sub = [0.0_f32];
        kernels::sigmoid_f32(level, &[-95.0], &mut sub);
        assert!(sub[0] > 0.0 && sub[0] < f32::MIN_POSITIVE, "{level:?}: {:e}", sub[0]);

        // σ turns 1 where 1 − σ falls below half an ulp of 1: the first such inputs, from
        // mpmath (`scripts/sigmoid_saturation.py`; the textbook formula gives 1 from 36.7 and
        // 16.6 on).
        let mut s = [0.0; 2];
        kernels::sigmoid_f64(level, &[37.42994775023704, 37.42994775023705], &mut s);
        assert_eq!(s, [1.0 - f64::EPSILON / 2.0, 1.0], "{level:?}");
        let mut s = [0.0_f32; 2];
        kernels::sigmoid_f32(level, &[17.328678, 17.32868], &mut s);
        assert_eq!(s, [1.0 - f32::EPSILON / 2.0, 1.0], "{level:?}");
    }
}

/// The `f64` σ and σ′ around every bound of their kernels (the clamps of x at −746, 50 and 746,
/// the cap of the pair kernel's power of two past x = 55.4, P = 2^(−⌈q⌉) turning subnormal and
/// then 0, the results turning subnormal and then 0) and for NaNs of either sign: each within
/// one ulp of the scalar kernel, and the one-pass kernel bit-identical to the separate ones.
#[test]
fn sigmoid_f64_edges_on_every_level() {
    let mut h = vec![-1e300, -746.5, -746.0, -745.2, -745.13, -745.0, -744.6, -720.0, -709.0];
    h.extend([-708.4, -708.3, -37.5, -1e-300, 5e-324, 36.7, 37.5, 38.0, 49.9, 50.0, 50.1, 55.4]);
    h.extend([55.5, 56.0, 80.0, 700.0, 709.7, 710.0, 745.0, 745.2, 746.0, 746.5, 1e300]);
    let nans = [0x7FF8_0000_0000_0000_u64, 0xFFF8_0000_0000_0000, 0x7FF0_0000_0000_0001, u64::MAX];
    h.extend(nans.map(f64::from_bits));
    let n = h.len();
    for level in levels() {
        let [mut s, mut d, mut ps, mut pd] = [(); 4].map(|_| vec![0.0; n]);
        kernels::sigmoid_f64(level, &h, &mut s);
        kernels::sigmoid_derivative_f64(level, &h, &mut d);
        kernels::sigmoid_with_derivative_f64(level, &h, &mut ps, &mut pd);
        for i in 0..n {
            let x = h[i];
            let bits = |v: f64| if v.is_nan() { u64::MAX } else { v.to_bits() };
            assert_eq!((bits(ps[i]), bits(pd[i])), (bits(s[i]), bits(d[i])), "{level:?} {x:e}");
            if x.is_nan() {
                assert!(s[i].is_nan() && d[i].is_nan(), "{level:?} {x:e}");
                continue;
            }
            assert!(ulps_f64(s[i], accurate::sigmoid(x)) <= 1, "{level:?} σ({x:e}) = {:e}", s[i]);
            let slope = accurate::sigmoid_derivative(x);
            assert!(ulps_f64(d[i], slope) <= 1, "{level:?} σ′({x:e}) = {:e}", d[i]);
        }
    }
}

/// `f32` NaNs of either sign, quiet and signalling, with various payloads: the AVX2 kernels
/// read an exponent off the bits of a value computed from the input, which must not turn any
/// of them into a number.
const NAN_PATTERNS: [u32; 6] =
    [0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7FFF_FFFF, 0xFFFF_FFFF];

#[test]
fn tanh_specials_on_every_level() {
    for level in levels() {
        let h =
            [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, f64::MAX, -f64::MAX, -5e-324];
        let mut t = [9.0; 8];
        let mut d = [9.0; 8];
        kernels::tanh_f64(level, &h, &mut t);
        kernels::tanh_derivative_f64(level, &h, &mut d);
        assert!(t[0].is_nan() && d[0].is_nan(), "{level:?}");
        assert_eq!(&t[1..], &[1.0, -1.0, 0.0, -0.0, 1.0, -1.0, -5e-324], "{level:?}");
        assert!(t[4].is_sign_negative(), "{level:?}: tanh(-0) = -0");
        assert_eq!(&d[1..], &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0], "{level:?}");

        let h = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0, f32::MAX, -1e-45];
        let mut t = [9.0_f32; 7];
        let mut d = [9.0_f32; 7];
        kernels::tanh_f32(level, &h, &mut t);
        kernels::tanh_derivative_f32(level, &h, &mut d);
        assert!(t[0].is_nan() && d[0].is_nan(), "{level:?}");
        assert_eq!(&t[1..], &[1.0, -1.0, 0.0, -0.0, 1.0, -1e-45], "{level:?}");
        assert!(t[4].is_sign_negative(), "{level:?}: tanh(-0) = -0");
        assert_eq!(&d[1..], &[0.0, 0.0, 1.0, 1.0, 0.0, 1.0], "{level:?}");
        let nans = NAN_PATTERNS.map(f32::from_bits);
        let [mut t, mut d] = [[0.0_f32; 6]; 2];
        kernels::tanh_f32(level, &nans, &mut t);
        kernels::tanh_derivative_f32(level, &nans, &mut d);
        assert!(t.iter().chain(&d).all(|v| v.is_nan()), "{level:?}: {t:?} {d:?}");
    }
}

/// tanh is odd and tanh′ even bit for bit at every level, as the scalar functions are (the
/// kernels work on |x| and or the sign back on).
#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn tanh_is_odd_and_its_derivative_even_on_every_level() {
    let xs: Vec<f32> = f32_sweep().into_iter().filter(|x| !x.is_nan()).collect();
    let xs64: Vec<f64> = uniform(23, 100_000).iter().map(|&u| 40.0 * u).collect();
    for level in levels() {
        assert_symmetric(level, &xs, kernels::tanh_f32, -1.0, (ulps_f32, 0), "f32 tanh");
        assert_symmetric(level, &xs, kernels::tanh_derivative_f32, 1.0, (ulps_f32, 0), "f32 tanh′");
        assert_symmetric(level, &xs64, kernels::tanh_f64, -1.0, (ulps_f64, 0), "f64 tanh");
        assert_symmetric(
            level,
            &xs64,
            kernels::tanh_derivative_f64,
            1.0,
            (ulps_f64, 0),
            "f64 tanh′",
        );
    }
}

/// `kernel`(−x) = `parity`·`kernel`(x) (−1 odd, 1 even) on `xs` at `level`, with the same sign
/// and at most `max_ulps` apart by `distance` (0: bit for bit).
fn assert_symmetric<T: num_traits::Float + core::fmt::Debug>(
    level: Level,
    xs: &[T],
    kernel: Kernel<T>,
    parity: T,
    (distance, max_ulps): (fn(T, T) -> u64, u64),
    name: &str,
) {
    let negated: Vec<T> = xs.iter().map(|&x| -x).collect();
    let at_x = run_offset(kernel, level, xs, T::zero(), 1);
    let at_minus_x = run_offset(kernel, level, &negated, T::zero(), 1);
    for ((&x, &a), &b) in xs.iter().zip(&at_x).zip(&at_minus_x) {
        let expected = parity * a;
        let close = b.is_sign_negative() == expected.is_sign_negative()
            && distance(b, expected) <= max_ulps;
        assert!(close, "{level:?} {name}: f(−x) = {b:?}, f(x) = {a:?} at x = {x:?}");
    }
}

/// σ′(−x) and σ′(x) at most one ulp apart at every level, as the `Sigmoid` docs say: the
/// vectorised kernels start from the signed x (the pair kernel shares its reduction with σ).
#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn sigmoid_derivative_is_even_within_one_ulp_on_every_level() {
    let xs: Vec<f32> = f32_sweep().into_iter().filter(|x| !x.is_nan()).collect();
    let xs64: Vec<f64> = uniform(29, 100_000).iter().map(|&u| 800.0 * u * u * u).collect();
    let (f32_kernel, f64_kernel) =
        (kernels::sigmoid_derivative_f32, kernels::sigmoid_derivative_f64);
    for level in levels() {
        assert_symmetric(level, &xs, f32_kernel, 1.0, (ulps_f32, 1), "f32 σ′");
        assert_symmetric(level, &xs64, f64_kernel, 1.0, (ulps_f64, 1), "f64 σ′");
    }
}

/// splitmix64, mapped to (−1, 1).
fn uniform(seed: u64, n: usize) -> Vec<f64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 * pow2(-52) - 1.0
        })
        .collect()
}

/// The bit patterns of `v`, so that comparisons tell −0 from +0.
fn bits64(v: &[f64]) -> Vec<u64> {
    v.iter().map(|v| v.to_bits()).collect()
}

/// As [`bits64`] for `f32`.
fn bits32(v: &[f32]) -> Vec<u32> {
    v.iter().map(|v| v.to_bits()).collect()
}

/// Runs `kernel` on a copy of `g0` followed by sentinels in the same allocation, checks that
/// they are untouched (no store past the end of g) and returns the copy.
fn guarded<T: Copy + PartialEq + From<f32>>(g0: &[T], kernel: impl FnOnce(&mut [T])) -> Vec<T> {
    let sentinel = T::from(7.25);
    let d = g0.len();
    let mut buffer = g0.to_vec();
    buffer.extend([sentinel; 17]);
    kernel(&mut buffer[..d]);
    assert!(buffer[d..].iter().all(|&v| v == sentinel), "a store past the end of g");
    buffer.truncate(d);
    buffer
}

/// The element maps are software-pipelined (a register's stages run across three loop
/// iterations, with a prologue, an epilogue and masked or buffered ends), so each element of a
/// slice of any length must get the bits it gets alone, at every level and misalignment.
#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn pipelined_maps_give_each_element_its_own_result() {
    fn check<T: Copy + PartialEq + core::fmt::Debug + Into<f64>>(
        name: &str,
        kernel: Kernel<T>,
        h: &[T],
        guard: T,
    ) {
        let bits = |v: T| {
            let v: f64 = v.into();
            if v.is_nan() {
                u64::MAX
            } else {
                v.to_bits()
            }
        };
        for level in levels() {
            for n in 0..=70 {
                for offset in 0..3 {
                    let h = &h[offset..offset + n];
                    let out = run_offset(kernel, level, h, guard, offset);
                    for (i, &x) in h.iter().enumerate() {
                        let alone = run_offset(kernel, level, &[x], guard, 1)[0];
                        assert_eq!(bits(out[i]), bits(alone), "{level:?} {name} n {n} i {i}");
                    }
                }
            }
        }
    }
    // Values across every kernel's branches, with specials among them.
    let specials = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 5e-324, -1e300, 1e300];
    let h64: Vec<f64> = (0..76)
        .map(|i| if i % 9 == 4 { specials[i / 9] } else { (i as f64 - 38.0) * 3.1 })
        .collect();
    let h32: Vec<f32> = h64.iter().map(|&x| x as f32).collect();
    let f32_kernels: [(&str, Kernel<f32>); 5] = [
        ("sigmoid", kernels::sigmoid_f32),
        ("sigmoid derivative", kernels::sigmoid_derivative_f32),
        ("tanh", kernels::tanh_f32),
        ("tanh derivative", kernels::tanh_derivative_f32),
        ("softplus", kernels::softplus_f32),
    ];
    for (name, kernel) in f32_kernels {
        check(name, kernel, &h32, -7.0);
    }
    let f64_kernels: [(&str, Kernel<f64>); 5] = [
        ("sigmoid", kernels::sigmoid_f64),
        ("sigmoid derivative", kernels::sigmoid_derivative_f64),
        ("tanh", kernels::tanh_f64),
        ("tanh derivative", kernels::tanh_derivative_f64),
        ("softplus", kernels::softplus_f64),
    ];
    for (name, kernel) in f64_kernels {
        check(name, kernel, &h64, -7.0);
    }
}

#[test]
fn sigmoid_odd_lengths_and_offsets_match_element_function() {
    let h64: Vec<f64> = uniform(1, 67 + 3).iter().map(|u| u * 40.0).collect();
    let h32: Vec<f32> = h64.iter().map(|&x| x as f32).collect();
    for level in levels() {
        for n in 0..=67 {
            for offset in 0..3 {
                let s = run_offset(kernels::sigmoid_f64, level, &h64[..n], 3.0, offset);
                let d = run_offset(kernels::sigmoid_derivative_f64, level, &h64[..n], 3.0, offset);
                for i in 0..n {
                    let x = h64[i];
                    if runs_avx512(level) {
                        // The AVX-512 f64 kernels round a different value (within 0.89 ulp of
                        // the exact one, the scalar kernels within 0.75): at most one ulp apart.
                        assert!(ulps_f64(s[i], accurate::sigmoid(x)) <= 1, "{level:?} n {n} i {i}");
                        assert!(
                            ulps_f64(d[i], accurate::sigmoid_derivative(x)) <= 1,
                            "{level:?} n {n} i {i}"
                        );
                    } else {
                        assert_eq!(s[i], math::sigmoid_f64(x), "{level:?} n {n} i {i}");
                        assert_eq!(d[i], math::sigmoid_derivative_f64(x), "{level:?} n {n}");
                    }
                }
                // The AVX-512 f32 kernels use f32 lanes, a different algorithm: compare with
                // the reference instead.
                let s = run_offset(kernels::sigmoid_f32, level, &h32[..n], 3.0, offset);
                let d = run_offset(kernels::sigmoid_derivative_f32, level, &h32[..n], 3.0, offset);
                for i in 0..n {
                    let (rs, rd) = reference_f32(h32[i]);
                    assert!(ulp_error_f32(s[i], rs) <= 1.0, "{level:?} n {n} i {i}");
                    assert!(ulp_error_f32(d[i], rd) <= 2.0, "{level:?} n {n} i {i}");
                }
            }
        }
    }
}

/// The loops compiled for the x86-64 baseline (libm `fma`) and with AVX2 or AVX-512 (FMA
/// instructions) give identical bits. (On aarch64 every level runs the same code.)
#[cfg(target_arch = "x86_64")]
#[test]
#[cfg_attr(miri, ignore = "inputs of megabytes: too slow interpreted")]
fn levels_agree_bit_for_bit_on_large_inputs() {
    let h64: Vec<f64> = uniform(7, 100_003).iter().map(|u| u * 760.0).collect();
    let h32: Vec<f32> = h64.iter().map(|&x| (x / 7.0) as f32).collect();
    let base64 = run_offset(kernels::sigmoid_f64_portable, Level::Scalar, &h64, 0.0, 0);
    let base32 = run_offset(kernels::sigmoid_f32_in_f64, Level::Scalar, &h32, 0.0, 0);
    let base_tanh = run_offset(kernels::tanh_f64_portable, Level::Scalar, &h64, 0.0, 0);
    // `sum_squared_diff` too: the dispatcher may swap its levels (`widening_level`).
    let y64: Vec<f64> = h64.iter().rev().map(|&x| x * 0.9).collect();
    let y32: Vec<f32> = h32.iter().rev().map(|&x| x * 0.9).collect();
    let sse64 = sse_f64(Level::Scalar, &h64[1..], &y64[1..]);
    let sse32 = sse_f32(Level::Scalar, &h32[1..], &y32[1..]);
    for level in levels() {
        let got64 = sse_f64(level, &h64[1..], &y64[1..]);
        let got32 = sse_f32(level, &h32[1..], &y32[1..]);
        assert_eq!((got64.to_bits(), got32.to_bits()), (sse64.to_bits(), sse32.to_bits()));
        assert_eq!(run_offset(kernels::sigmoid_f64_portable, level, &h64, 0.0, 1), base64);
        assert_eq!(
            run_offset(kernels::sigmoid_f32_in_f64, level, &h32, 0.0, 1),
            base32,
            "{level:?}"
        );
        assert_eq!(
            run_offset(kernels::tanh_f64_portable, level, &h64, 0.0, 1),
            base_tanh,
            "{level:?}"
        );
    }
}

/// An update kernel: `axpy` (yᵢ ← yᵢ + a·xᵢ) or `scale_into` (yᵢ ← a·xᵢ) at a level.
type Update<T> = fn(Level, &mut [T], T, &[T]);

/// The `axpy` and `scale_into` kernels for `f64` and `f32`: through the dispatcher and, on
/// x86-64, at each level itself, which the dispatcher replaces for some lengths (AVX2 for long
/// `axpy` calls, and for short calls on Intel cores, `short_call_level`).
#[allow(clippy::type_complexity)]
fn update_kernels() -> (Vec<Update<f64>>, Vec<Update<f64>>, Vec<Update<f32>>, Vec<Update<f32>>) {
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut kernels: (Vec<Update<f64>>, Vec<Update<f64>>, Vec<Update<f32>>, Vec<Update<f32>>) = (
        vec![kernels::axpy_f64],
        vec![kernels::scale_into_f64],
        vec![kernels::axpy_f32],
        vec![kernels::scale_into_f32],
    );
    #[cfg(target_arch = "x86_64")]
    {
        kernels.0.push(kernels::axpy_f64_at);
        kernels.1.push(kernels::scale_into_f64_at);
        kernels.2.push(kernels::axpy_f32_at);
        kernels.3.push(kernels::scale_into_f32_at);
    }
    kernels
}

#[test]
fn axpy_and_scale_match_the_scalar_loop_exactly() {
    let x: Vec<f64> = uniform(3, 5000);
    let y0: Vec<f64> = uniform(4, 5000);
    let (axpy64, scale64, axpy32, scale32) = update_kernels();
    for level in levels() {
        // From 8 KiB on (1024 `f64`, 2048 `f32`), axpy aligns its stores: both sides of that.
        for n in (0..=67).chain([997, 1023, 1024, 2047, 2048, 4133, 4997]) {
            for offset in 0..3 {
                let (xs, ys) = (&x[offset..offset + n], &y0[offset..offset + n]);
                let expect: Vec<f64> = ys.iter().zip(xs).map(|(&b, &a)| b + 0.37 * a).collect();
                for axpy in &axpy64 {
                    let mut y = ys.to_vec();
                    axpy(level, &mut y, 0.37, xs);
                    assert_eq!(y, expect, "{level:?} axpy f64 n {n}");
                }
                let expect: Vec<f64> = xs.iter().map(|&a| -1.5 * a).collect();
                for scale in &scale64 {
                    let mut y = ys.to_vec();
                    scale(level, &mut y, -1.5, xs);
                    assert_eq!(y, expect, "{level:?} scale f64 n {n}");
                }

                let xs: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
                let ys: Vec<f32> = ys.iter().map(|&v| v as f32).collect();
                let expect: Vec<f32> = ys.iter().zip(&xs).map(|(&b, &a)| b + 0.37 * a).collect();
                for axpy in &axpy32 {
                    let mut y = ys.clone();
                    axpy(level, &mut y, 0.37, &xs);
                    assert_eq!(y, expect, "{level:?} axpy f32 n {n}");
                }
                let expect: Vec<f32> = xs.iter().map(|&a| -1.5 * a).collect();
                for scale in &scale32 {
                    let mut y = ys.clone();
                    scale(level, &mut y, -1.5, &xs);
                    assert_eq!(y, expect, "{level:?} scale f32 n {n}");
                }
            }
        }
    }
}

#[test]
fn block_kernels_match_dot_and_axpy_per_row_exactly() {
    // Net inputs must equal one `dot` per row, and the gradient kernels one `axpy` per row in
    // row order, bit for bit, on every level, for row lengths around the register blocking and
    // misaligned starts.
    let x: Vec<f64> = uniform(11, 40 * 140);
    let w: Vec<f64> = uniform(12, 140);
    let a: Vec<f64> = uniform(13, 40);
    for level in levels() {
        for d in [1, 7, 8, 15, 16, 21, 26, 31, 32, 33, 45, 48, 52, 63, 64, 67, 100, 128, 130] {
            // Rests after the last whole group (of 4, 8 or 16 rows) from 0 to 15, both below
            // and above the few rows summed one at a time.
            let cases =
                [(0, 0), (1, 1), (2, 0), (3, 1), (8, 0), (16, 1), (17, 2), (19, 1), (21, 3)];
            for (rows, offset) in cases.into_iter().chain([(31, 2), (33, 3)]) {
                let xs = &x[offset..offset + rows * d];
                let (ws, g0) = (&w[..d], &w[1..=d]);
                let as_ = &a[..rows];
                let mut h = vec![0.0; rows];
                kernels::net_inputs_f64(level, xs, ws, &mut h);
                let expect: Vec<f64> =
                    xs.chunks_exact(d).map(|r| kernels::dot_f64(level, r, ws)).collect();
                assert_eq!(
                    bits64(&h),
                    bits64(&expect),
                    "{level:?} net inputs f64 d {d} rows {rows}"
                );
                let mut expect = g0.to_vec();
                for (r, &ai) in xs.chunks_exact(d).zip(as_) {
                    kernels::axpy_f64(level, &mut expect, ai, r);
                }
                // More weights than rows: only the rows of x count.
                let longer = &a[..rows + 1];
                for as_ in [as_, longer] {
                    let g = guarded(g0, |g| kernels::add_weighted_rows_f64(level, g, as_, xs));
                    let case = format!("d {d} rows {rows} a {}", as_.len());
                    assert_eq!(bits64(&g), bits64(&expect), "{level:?} weighted rows f64 {case}");
                }
                // Fewer weights than rows: only as many rows count.
                if let Some(fewer) = rows.checked_sub(1) {
                    let mut expect = g0.to_vec();
                    for (r, &ai) in xs.chunks_exact(d).zip(&a[..fewer]) {
                        kernels::axpy_f64(level, &mut expect, ai, r);
                    }
                    let g =
                        guarded(g0, |g| kernels::add_weighted_rows_f64(level, g, &a[..fewer], xs));
                    assert_eq!(bits64(&g), bits64(&expect), "{level:?} fewer weights f64 d {d}");
                }

                let f = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
                let (xs, ws, g0, as_) = (f(xs), f(ws), f(g0), f(as_));
                let mut h = vec![0.0; rows];
                kernels::net_inputs_f32(level, &xs, &ws, &mut h);
                let expect: Vec<f32> =
                    xs.chunks_exact(d).map(|r| kernels::dot_f32(level, r, &ws)).collect();
                assert_eq!(
                    bits32(&h),
                    bits32(&expect),
                    "{level:?} net inputs f32 d {d} rows {rows}"
                );
                let mut expect = g0.clone();
                for (r, &ai) in xs.chunks_exact(d).zip(&as_) {
                    kernels::axpy_f32(level, &mut expect, ai, r);
                }
                let longer = f(longer);
                for as_ in [&as_, &longer] {
                    let g = guarded(&g0, |g| kernels::add_weighted_rows_f32(level, g, as_, &xs));
                    let case = format!("d {d} rows {rows} a {}", as_.len());
                    assert_eq!(bits32(&g), bits32(&expect), "{level:?} weighted rows f32 {case}");
                }
                if let Some(fewer) = rows.checked_sub(1) {
                    let mut expect = g0.clone();
                    for (r, &ai) in xs.chunks_exact(d).zip(&as_[..fewer]) {
                        kernels::axpy_f32(level, &mut expect, ai, r);
                    }
                    let g = guarded(&g0, |g| {
                        kernels::add_weighted_rows_f32(level, g, &as_[..fewer], &xs)
                    });
                    assert_eq!(bits32(&g), bits32(&expect), "{level:?} fewer weights f32 d {d}");
                }
            }
        }
    }
}

/// The kernels of the blocked one-output σ epoch for one element type, and the fused kernel
/// that does the same steps, for [`check_sigmoid_rows`].
#[cfg(target_arch = "x86_64")]
trait EpochKernels:
    Copy
    + PartialEq
    + From<f32>
    + Into<f64>
    + core::fmt::Debug
    + core::ops::Add<Output = Self>
    + core::ops::Sub<Output = Self>
    + core::ops::Mul<Output = Self>
{
    /// Whether the fused kernel takes rows of `d` elements at the AVX-512 level.
    fn fused(d: usize) -> bool;
    /// The largest relative difference allowed between the fused kernel's Σ (y − σ)² and
    /// [`Self::squares`]: the same terms summed in another order, `f32` squares exactly in
    /// `f64`, `f64` ones in doubled precision.
    const LOSS_TOLERANCE: f64;
    fn net_inputs(level: Level, x: &[Self], w: &[Self], out: &mut [Self]);
    fn activate(level: Level, h: &[Self], value: &mut [Self], slope: &mut [Self]);
    fn add_weighted_rows(level: Level, g: &mut [Self], a: &[Self], x: &[Self]);
    /// The blocks' Σ (y − ŷ)², unrounded as hi + lo.
    fn squares(level: Level, y: &[Self], y_hat: &[Self]) -> (f64, f64);
    fn sigmoid_rows(
        level: Level,
        x: &[Self],
        y: &[Self],
        w: (&[Self], Option<Self>),
        g: (&mut [Self], Option<&mut Self>),
    ) -> Option<(f64, f64)>;
    fn bits(self) -> u64;
}

#[cfg(target_arch = "x86_64")]
impl EpochKernels for f32 {
    fn fused(d: usize) -> bool {
        (64..=128).contains(&d)
    }
    const LOSS_TOLERANCE: f64 = 1e-13;
    fn net_inputs(level: Level, x: &[f32], w: &[f32], out: &mut [f32]) {
        kernels::net_inputs_f32(level, x, w, out);
    }
    fn activate(level: Level, h: &[f32], value: &mut [f32], slope: &mut [f32]) {
        kernels::sigmoid_with_derivative_f32(level, h, value, slope);
    }
    fn add_weighted_rows(level: Level, g: &mut [f32], a: &[f32], x: &[f32]) {
        kernels::add_weighted_rows_f32(level, g, a, x);
    }
    fn squares(_: Level, y: &[f32], y_hat: &[f32]) -> (f64, f64) {
        let exact = |(&a, &b): (&f32, &f32)| {
            let d = f64::from(a) - f64::from(b);
            d * d
        };
        (y.iter().zip(y_hat).map(exact).sum(), 0.0)
    }
    fn sigmoid_rows(
        level: Level,
        x: &[f32],
        y: &[f32],
        w: (&[f32], Option<f32>),
        g: (&mut [f32], Option<&mut f32>),
    ) -> Option<(f64, f64)> {
        kernels::sigmoid_rows_f32(level, x, y, w, g).map(|sum| (sum, 0.0))
    }
    fn bits(self) -> u64 {
        self.to_bits().into()
    }
}

#[cfg(target_arch = "x86_64")]
impl EpochKernels for f64 {
    fn fused(d: usize) -> bool {
        d == 32 || d == 64
    }
    const LOSS_TOLERANCE: f64 = 1e-28;
    fn net_inputs(level: Level, x: &[f64], w: &[f64], out: &mut [f64]) {
        kernels::net_inputs_f64(level, x, w, out);
    }
    fn activate(level: Level, h: &[f64], value: &mut [f64], slope: &mut [f64]) {
        kernels::sigmoid_with_derivative_f64(level, h, value, slope);
    }
    fn add_weighted_rows(level: Level, g: &mut [f64], a: &[f64], x: &[f64]) {
        kernels::add_weighted_rows_f64(level, g, a, x);
    }
    fn squares(level: Level, y: &[f64], y_hat: &[f64]) -> (f64, f64) {
        kernels::sum_squared_diff_parts_f64(level, y, y_hat)
    }
    fn sigmoid_rows(
        level: Level,
        x: &[f64],
        y: &[f64],
        w: (&[f64], Option<f64>),
        g: (&mut [f64], Option<&mut f64>),
    ) -> Option<(f64, f64)> {
        kernels::sigmoid_rows_f64(level, x, y, w, g)
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

/// The fused one-output σ epoch (`kernels::sigmoid_rows_f32` and `_f64`) against the blocked
/// epoch's kernels at the same level: net inputs (+ bias), σ and σ′ in one pass,
/// δ = (y − σ)σ′, g += Σ δ x and the bias entry += Σ δ in row order, bit for bit; Σ (y − σ)²
/// to rounding (the same squares in another order, compared before the last rounding). Only
/// AVX-512 with the rows [`EpochKernels::fused`] names takes the fused kernel; elsewhere it must
/// decline and leave g alone.
#[cfg(target_arch = "x86_64")]
fn check_sigmoid_rows<T: EpochKernels>(
    level: Level,
    xs: &[T],
    ys: &[T],
    ws: &[T],
    g0: &[T],
    bias: Option<T>,
) {
    let bits = |v: &[T]| v.iter().map(|&v| v.bits()).collect::<Vec<u64>>();
    let (d, gb_start) = (ws.len(), g0[ws.len()]);
    let (rows, g_start) = (xs.len() / d, &g0[..d]);
    let case = format!("{level:?} d {d} rows {rows} x at {:p} bias {bias:?}", xs.as_ptr());
    let zero = T::from(0.0);
    let mut h = vec![zero; rows];
    T::net_inputs(level, xs, ws, &mut h);
    if let Some(b) = bias {
        h.iter_mut().for_each(|v| *v = *v + b);
    }
    let (mut y_hat, mut slope) = (vec![zero; rows], vec![zero; rows]);
    T::activate(level, &h, &mut y_hat, &mut slope);
    let delta: Vec<T> = (0..rows).map(|r| (ys[r] - y_hat[r]) * slope[r]).collect();
    let (squares, squares_lo) = T::squares(level, &ys[..rows], &y_hat);
    let mut g_expect = g_start.to_vec();
    T::add_weighted_rows(level, &mut g_expect, &delta, xs);
    let gb_expect = delta.iter().fold(gb_start, |acc, &v| acc + v);

    let mut gb = gb_start;
    let mut got = None;
    let g = guarded(g_start, |g| {
        let g_bias = bias.map(|_| &mut gb);
        got = T::sigmoid_rows(level, xs, ys, (ws, bias), (g, g_bias));
    });
    if runs_avx512(level) && T::fused(d) {
        let (hi, lo) = got.unwrap_or_else(|| panic!("{case}: declined"));
        // hi − squares is exact where the two agree to within a factor 2 (Sterbenz).
        let difference = (hi - squares) + (lo - squares_lo);
        assert!(difference.abs() <= T::LOSS_TOLERANCE * squares, "{case}: {hi} vs {squares}");
        assert_eq!(bits(&g), bits(&g_expect), "{case}: gradient");
        if bias.is_some() {
            assert_eq!(gb.bits(), gb_expect.bits(), "{case}: bias gradient");
        } else {
            assert_eq!(gb.bits(), gb_start.bits(), "{case}: no bias");
        }
    } else {
        assert!(got.is_none(), "{case}: taken");
        assert_eq!(bits(&g), bits(g_start), "{case}: g touched");
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn sigmoid_rows_match_the_block_kernels_exactly() {
    fn check<T: EpochKernels>(seed: u64, lengths: &[usize]) {
        let f = |v: Vec<f64>, scale: f64| v.iter().map(|&u| T::from((scale * u) as f32)).collect();
        let x: Vec<T> = f(uniform(seed, 75 * 132), 2.0);
        let w: Vec<T> = f(uniform(seed + 1, 130), 0.3);
        let targets: Vec<T> =
            uniform(seed + 2, 80).iter().map(|&u| T::from(f32::from(u8::from(u > 0.0)))).collect();
        let g0: Vec<T> = f(uniform(seed + 3, 130), 1.0);
        for level in levels() {
            for &d in lengths {
                for (rows, offset, bias) in [
                    (0, 0, None),
                    (1, 1, Some(0.25)),
                    (7, 1, None),
                    (15, 0, None),
                    (16, 3, Some(-0.5)),
                    (17, 1, None),
                    (31, 2, Some(0.125)),
                    (32, 0, None),
                    (33, 1, Some(1.5)),
                    (48, 0, None),
                    (70, 3, Some(-2.0)),
                ] {
                    // More targets than rows: only x's rows count.
                    let (xs, ys) = (&x[offset..offset + rows * d], &targets[..rows + 2]);
                    let bias = bias.map(T::from);
                    check_sigmoid_rows(level, xs, ys, &w[..d], &g0[..=d], bias);
                }
            }
        }
    }
    check::<f32>(21, &[64, 128, 65, 100, 127, 10, 63, 129]);
    check::<f64>(41, &[32, 64, 10, 31, 33, 48, 63, 65, 128]);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn sigmoid_rows_take_rows_at_every_offset_from_a_line() {
    // Rows of whole 64-byte lines starting at every element offset from a line take the
    // gradient from aligned loads in the lines' frame (`avx512_rows::weighted_lines_f32` and
    // `_f64`), with their masked first and last lines at the ends of each group (32 rows of
    // f32, 32 or 16 of f64); f32 rows of 64 and 128 their net inputs too
    // (`avx512_rows::line_partials_f32`, against the blocks' split loads).
    fn check<T: EpochKernels>(seed: u64, lengths: &[usize]) {
        let lanes = 64 / core::mem::size_of::<T>();
        let f = |v: Vec<f64>, scale: f64| v.iter().map(|&u| T::from((scale * u) as f32)).collect();
        let x: Vec<T> = f(uniform(seed, 72 * 128 + 32), 2.0);
        // The first element of x on a 64-byte boundary (within a line: x is element-aligned).
        let line = x.as_ptr().align_offset(64);
        assert!(line < lanes, "{line}");
        let w: Vec<T> = f(uniform(seed + 1, 129), 0.2);
        let targets: Vec<T> =
            uniform(seed + 2, 72).iter().map(|&u| T::from(f32::from(u8::from(u > 0.0)))).collect();
        let g0: Vec<T> = f(uniform(seed + 3, 129), 1.0);
        for level in levels() {
            for &d in lengths {
                for offset in 0..lanes {
                    for (rows, bias) in [
                        (1, None),
                        (2, Some(0.5)),
                        (15, None),
                        (17, None),
                        (31, None),
                        (33, Some(-1.0)),
                        (72, None),
                    ] {
                        let xs = &x[line + offset..line + offset + rows * d];
                        let (ys, ws, bias) = (&targets[..rows], &w[..d], bias.map(T::from));
                        check_sigmoid_rows(level, xs, ys, ws, &g0[..=d], bias);
                    }
                }
            }
        }
    }
    check::<f32>(25, &[64, 80, 96, 112, 128]);
    check::<f64>(45, &[32, 64]);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn sigmoid_rows_propagate_nan_and_infinity() {
    // A NaN feature makes its row's net input, δ and every column of g it multiplies NaN, as in
    // the blocks; an infinite net input saturates σ (σ′ = 0, so its row adds 0·x, and NaN where
    // x is ∞) and its squared error stays finite.
    if lacks_avx512("sigmoid_rows_propagate_nan_and_infinity") {
        return;
    }
    fn check<T: EpochKernels>(level: Level) {
        let d = 64;
        let f = |v: Vec<f64>, scale: f64| v.iter().map(|&u| T::from((scale * u) as f32)).collect();
        let mut x: Vec<T> = f(uniform(31, 40 * d), 1.0);
        let y: Vec<T> =
            uniform(32, 40).iter().map(|&u| T::from(f32::from(u8::from(u > 0.0)))).collect();
        let w: Vec<T> = f(uniform(33, d), 0.1);
        let zero = T::from(0.0);
        x[5 * d + 7] = T::from(f32::INFINITY);
        // The blocks' bits for g, and a loss within rounding of theirs, so finite.
        check_sigmoid_rows(level, &x, &y, &w, &[zero; 65], None);

        x[9 * d + 3] = T::from(f32::NAN);
        let mut g = vec![zero; d];
        let loss = T::sigmoid_rows(level, &x, &y, (&w, None), (&mut g, None));
        assert!(loss.is_some_and(|(hi, _)| hi.is_nan()), "{loss:?}");
        assert!(g.iter().all(|&v| v.into().is_nan()), "{g:?}");
    }
    let level = *levels().last().expect("a level");
    check::<f32>(level);
    check::<f64>(level);
}

/// Integer-valued data scaled by 2^-scale: every product and difference is exact in i128.
fn int_data(seed: u64, n: usize, range: f64) -> Vec<i64> {
    uniform(seed, n).iter().map(|u| (u * range) as i64).collect()
}

/// The documented order of `dot`, written out: accumulator i ← fma(aⱼ, bⱼ, accᵢ) for each
/// j ≡ i (mod `lanes`) in order, then the accumulators summed pairwise (i + lanes/2 into i, and
/// so on).
fn dot_by_definition<T: Copy + Default + core::ops::Add<Output = T>>(
    a: &[T],
    b: &[T],
    lanes: usize,
    fma: impl Fn(T, T, T) -> T,
) -> T {
    let mut acc = vec![T::default(); lanes];
    for (j, (&x, &y)) in a.iter().zip(b).enumerate() {
        acc[j % lanes] = fma(x, y, acc[j % lanes]);
    }
    let mut n = lanes;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            acc[i] = acc[i] + acc[i + n];
        }
    }
    acc[0]
}

/// `dot_f32` through the dispatcher and, on x86-64, at `level` itself, which the dispatcher
/// replaces by AVX2 for short calls on Intel cores (`short_call_level`): all must agree.
fn dot_f32_paths(level: Level, a: &[f32], b: &[f32]) -> Vec<f32> {
    #[cfg(target_arch = "x86_64")]
    return vec![kernels::dot_f32(level, a, b), kernels::dot_f32_at(level, a, b)];
    #[cfg(not(target_arch = "x86_64"))]
    vec![kernels::dot_f32(level, a, b)]
}

/// As [`dot_f32_paths`] for `f64`.
fn dot_f64_paths(level: Level, a: &[f64], b: &[f64]) -> Vec<f64> {
    #[cfg(target_arch = "x86_64")]
    return vec![kernels::dot_f64(level, a, b), kernels::dot_f64_at(level, a, b)];
    #[cfg(not(target_arch = "x86_64"))]
    vec![kernels::dot_f64(level, a, b)]
}

#[test]
fn dot_follows_its_definition_bit_for_bit() {
    // Every level, lengths around the chunks of 64 (f32) and 32 (f64) elements, misaligned
    // starts, and products that underflow to −0 (kept in the accumulators they reach).
    let x = uniform(31, 300);
    let y = uniform(32, 301);
    let f = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
    let (x32, y32) = (f(&x), f(&y));
    let tiny = (vec![-1e-30_f32; 200], vec![1e-30_f32; 200]);
    let tiny64 = (vec![-1e-200_f64; 200], vec![1e-200_f64; 200]);
    for level in levels() {
        for n in (0..=70).chain([95, 96, 97, 127, 128, 129, 191, 200, 255]) {
            for offset in [0, 1] {
                let (a, b) = (&x[offset..offset + n], &y[..n]);
                let expect = dot_by_definition(a, b, 32, f64::mul_add);
                for got in dot_f64_paths(level, a, b) {
                    assert_eq!(got.to_bits(), expect.to_bits(), "{level:?} f64 n {n} {offset}");
                }
                let (a, b) = (&x32[offset..offset + n], &y32[1..=n]);
                let expect = dot_by_definition(a, b, 64, f32::mul_add);
                for got in dot_f32_paths(level, a, b) {
                    assert_eq!(got.to_bits(), expect.to_bits(), "{level:?} f32 n {n} {offset}");
                }
            }
            if n <= 200 {
                let (a, b) = (&tiny.0[..n], &tiny.1[..n]);
                let expect = dot_by_definition(a, b, 64, f32::mul_add);
                for got in dot_f32_paths(level, a, b) {
                    assert_eq!(got.to_bits(), expect.to_bits(), "{level:?} {n}");
                }
                let (a, b) = (&tiny64.0[..n], &tiny64.1[..n]);
                let expect = dot_by_definition(a, b, 32, f64::mul_add);
                for got in dot_f64_paths(level, a, b) {
                    assert_eq!(got.to_bits(), expect.to_bits(), "{level:?} {n}");
                }
            }
        }
        // Every accumulator −0: so is the sum.
        for got in dot_f32_paths(level, &tiny.0[..128], &tiny.1[..128]) {
            assert_eq!(got.to_bits(), (-0.0_f32).to_bits(), "{level:?}");
        }
    }
}

#[test]
fn dot_is_exact_on_small_integers_and_close_on_random_data() {
    for level in levels() {
        for n in (0..=67).chain([1000, 4097]) {
            let a = int_data(5, n, 1000.0);
            let b = int_data(6, n, 1000.0);
            let truth: i128 = a.iter().zip(&b).map(|(&x, &y)| i128::from(x * y)).sum();
            let (a64, b64): (Vec<f64>, Vec<f64>) =
                (a.iter().map(|&v| v as f64).collect(), b.iter().map(|&v| v as f64).collect());
            assert_eq!(kernels::dot_f64(level, &a64, &b64), truth as f64, "{level:?} n {n}");
            // |partial sums| ≤ 4097·10⁶ < 2²⁴ is not guaranteed, so compare with the f32 bound.
            let (a32, b32): (Vec<f32>, Vec<f32>) =
                (a.iter().map(|&v| v as f32).collect(), b.iter().map(|&v| v as f32).collect());
            let got = f64::from(kernels::dot_f32(level, &a32, &b32));
            let abs: i128 = a.iter().zip(&b).map(|(&x, &y)| i128::from((x * y).abs())).sum();
            let bound = (n as f64 / 64.0 + 8.0) * f64::from(f32::EPSILON) * abs as f64;
            assert!((got - truth as f64).abs() <= bound, "{level:?} n {n}: {got} vs {truth}");
        }
    }
}

/// `sum_squared_diff` for `f64` at `level`, rounded as the dispatcher rounds it; on x86-64 also
/// at `level` itself, which the dispatcher replaces by AVX2 for short calls on Intel cores
/// (`short_call_level`), with the same bits.
fn sse_f64(level: Level, a: &[f64], b: &[f64]) -> f64 {
    let (hi, lo) = kernels::sum_squared_diff_parts_f64(level, a, b);
    #[cfg(target_arch = "x86_64")]
    {
        let (at_hi, at_lo) = kernels::sum_squared_diff_parts_f64_at(level, a, b, 0);
        assert_eq!(nan_or_bits(at_hi), nan_or_bits(hi), "{level:?} n {}", a.len());
        assert_eq!(nan_or_bits(at_lo), nan_or_bits(lo), "{level:?} n {}", a.len());
    }
    super::rounded_sum(hi, lo)
}

/// `sum_squared_diff` for `f32` at `level`, rounded as the dispatcher rounds it; as [`sse_f64`].
fn sse_f32(level: Level, a: &[f32], b: &[f32]) -> f32 {
    let wide = kernels::sum_squared_diff_wide_f32(level, a, b);
    #[cfg(target_arch = "x86_64")]
    {
        let at = kernels::sum_squared_diff_wide_f32_at(level, a, b);
        assert_eq!(nan_or_bits(at), nan_or_bits(wide), "{level:?} n {}", a.len());
    }
    wide as f32
}

#[test]
fn sum_squared_diff_is_faithful_on_ill_conditioned_data() {
    for level in levels() {
        // One huge difference and many tiny ones: the exact sum needs ~80 bits. The huge one in
        // the middle, or among the first vector's, which sets the lanes' starting offset.
        let cases = (0..=67).chain([1000, 100_003]).flat_map(|n| [(n, n / 2), (n, 3)]);
        for (n, huge_at) in cases {
            let mut a = int_data(8, n, 3.0);
            let b = int_data(9, n, 3.0);
            if let Some(v) = a.get_mut(huge_at) {
                *v = 1 << 39;
            }
            let truth: i128 = a.iter().zip(&b).map(|(&x, &y)| i128::from(x - y).pow(2)).sum();
            // f64: values a·2⁻²⁰, so squares carry 2⁻⁴⁰.
            let a64: Vec<f64> = a.iter().map(|&v| v as f64 * pow2(-20)).collect();
            let b64: Vec<f64> = b.iter().map(|&v| v as f64 * pow2(-20)).collect();
            // Faithful: one of the two floats around the exact sum, decided in integers.
            let got = sse_f64(level, &a64, &b64);
            let faithful = common::is_faithful(got, truth, -40, common::F64);
            assert!(faithful, "{level:?} f64 n {n}: {got:e} vs {truth}·2⁻⁴⁰");

            // f32: values below 2²⁴ stay exact.
            let a32: Vec<f32> = a.iter().map(|&v| (v >> 16) as f32).collect();
            let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
            let truth: i128 =
                a.iter().zip(&b).map(|(&x, &y)| i128::from((x >> 16) - y).pow(2)).sum();
            let got = sse_f32(level, &a32, &b32);
            let faithful = common::is_faithful(got.into(), truth, 0, common::F32);
            assert!(faithful, "{level:?} f32 n {n}: {got} vs {truth}");
        }
    }
}

#[test]
fn sum_squared_diff_takes_the_starting_offset_off_exactly() {
    // First-vector residuals near 2²⁴ set an offset near 2⁵⁵ with bits far below the ulp (2¹²)
    // of the lanes' final sums near 2⁶⁴ (later residuals up to 2³⁰), so the offset's low bits
    // leave each lane's sum by rounding and must come back from `lo` and the offset's removal.
    // Integers: every residual, square and the total are exact in i128.
    for level in levels() {
        for seed in 0..40 {
            let n = 1000;
            let r: Vec<i64> = int_data(20 + seed, n, pow2(30))
                .iter()
                .enumerate()
                .map(|(i, &v)| if i < 16 { (v.abs() >> 5) | (1 << 24) | 1 } else { v | 1 })
                .collect();
            let truth: i128 = r.iter().map(|&v| i128::from(v).pow(2)).sum();
            let a: Vec<f64> = r.iter().map(|&v| v as f64).collect();
            // Every rounding error along the way is an integer below 2⁵³ here, so the unrounded
            // pair holds the sum exactly.
            let (hi, lo) = kernels::sum_squared_diff_parts_f64(level, &a, &vec![0.0; n]);
            assert_eq!(lo.fract(), 0.0);
            assert_eq!(hi as i128 + lo as i128, truth, "{level:?} seed {seed}");
            let got = sse_f64(level, &a, &vec![0.0; n]);
            let error = got as i128 - truth;
            let faithful = common::is_faithful(got, truth, 0, common::F64);
            assert!(faithful, "{level:?} seed {seed}: {got:e} is {error} from {truth}");
        }
    }
}

#[test]
fn sum_squared_diff_keeps_the_rounding_error_of_each_difference() {
    // a = 1 + k·2⁻⁵² and b = 127·2⁻⁶⁰, just below half an ulp of a: every a − b rounds up to a,
    // so squaring the rounded differences overestimates each square by about 2⁻⁵² and the sum
    // (about n, just below a power of two) by nearly 2 ulp; n = 15 runs only the tail loop.
    // The exact sum, in units of 2⁻¹⁰⁰, is n·2¹⁰⁰ + 2⁴¹·Σm + Σm²·2⁻²⁰ with m = k·2⁸ − 127
    // (the last part truncated, < 1 unit).
    const B_UNITS: i128 = 127;
    for level in levels() {
        for n in [15, 1000, 1008] {
            let k: Vec<i128> =
                int_data(10, n, pow2(20)).iter().map(|&k| i128::from(k.abs() + 1)).collect();
            let a: Vec<f64> = k.iter().map(|&k| 1.0 + k as f64 * pow2(-52)).collect();
            let b = vec![B_UNITS as f64 * pow2(-60); n];
            assert!(a.iter().zip(&b).all(|(&x, &y)| x - y == x));
            let m = k.iter().map(|&k| (k << 8) - B_UNITS);
            let squares = m.clone().map(|m| m * m).sum::<i128>();
            let exact_units = ((n as i128) << 100) + (m.sum::<i128>() << 41) + (squares >> 20);
            let got = sse_f64(level, &a, &b);
            // Faithful: one of the two floats around the exact sum. No float lies strictly
            // between two units of 2⁻¹⁰⁰ here (the ulp of n is 2⁻⁴⁹ or more), so the truncated
            // part only matters as a sticky bit: in units of 2⁻¹⁰¹, 2·exact_units + 1 stands in
            // for any sum strictly between exact_units and exact_units + 1.
            let sticky = i128::from(squares & ((1 << 20) - 1) != 0);
            let faithful = common::is_faithful(got, 2 * exact_units + sticky, -101, common::F64);
            let error_ulps = ((got * pow2(100)) as i128 - exact_units) as f64
                / pow2(binary_exponent(got) - 52 + 100);
            assert!(faithful, "{level:?} n {n}: {error_ulps} ulp");
        }
    }
}

/// Bit patterns of the lanes' sums, NaNs made equal.
fn sums_bits(sums: &math::SquareSums) -> Vec<u64> {
    let bits = |v: &f64| if v.is_nan() { u64::MAX } else { v.to_bits() };
    sums.s.iter().chain(&sums.lo).chain(&sums.cross).map(bits).collect()
}

#[test]
fn short_square_step_is_taken_only_where_it_is_exact() {
    use math::{SquareSums, SQUARE_BLOCK, SQUARE_LANES};
    let block = SQUARE_LANES * SQUARE_BLOCK;
    // Four blocks summed the long way, then the fifth tried the short way.
    let start = 4 * block;
    let one = core::hint::black_box(1.0);
    let a = uniform(13, start + block);
    let b = uniform(14, start + block);
    // Geometric growth: each term twice the one before in its lane, so each lane's sum more
    // than doubles over a block.
    let growing: Vec<f64> = (0..start + block).map(|i| pow2((i / SQUARE_LANES) as i32)).collect();
    let zeros = vec![0.0; start + block];
    let mut spiky = a.clone();
    spiky[start + 37] = 1e3;
    // After four blocks of random terms no lane's sum doubles over the next; after zeros only
    // zeros pass; neither growing terms nor a spike do.
    let cases =
        [(&a, &b, true), (&growing, &zeros, false), (&zeros, &zeros, true), (&spiky, &b, false)];
    for (k, (x, y, expected)) in cases.into_iter().enumerate() {
        let mut sums = SquareSums::starting_at(0.0);
        sums.add_exact(&x[..start], &y[..start], one);
        let mut exact = sums;
        exact.add_exact(&x[start..], &y[start..], one);
        let before = sums;
        sums.add_short(&x[start..], &y[start..], one);
        let taken = sums.at_most_doubled_since(&before);
        assert_eq!(taken, expected, "case {k}");
        if taken {
            assert_eq!(sums_bits(&sums), sums_bits(&exact), "case {k}");
        }
    }
}

#[test]
fn short_square_step_is_refused_once_a_sum_more_than_doubles() {
    use math::{SquareSums, SQUARE_BLOCK, SQUARE_LANES};
    let block = SQUARE_LANES * SQUARE_BLOCK;
    let one = core::hint::black_box(1.0);
    let y = vec![0.0; block];
    // Lane 0 from s = 1 + ε (ε = 2⁻⁵²) takes 1.5² = 2.25, a growth by less than three times:
    // t = 3.25 + ε is a tie at the ulp 2⁻⁵¹ of [2, 4) and rounds to even, 3.25, so ε must
    // reach lo through e1 = s − (t − u), which the short step drops (t − s = 2.25 − ε rounds
    // to 2.25 as well).
    let mut x = vec![0.0; block];
    x[0] = 1.5;
    let before = SquareSums::starting_at(1.0 + f64::EPSILON);
    let (mut exact, mut short) = (before, before);
    exact.add_exact(&x, &y, one);
    short.add_short(&x, &y, one);
    assert_eq!((exact.s[0], exact.lo[0]), (3.25, f64::EPSILON));
    assert_eq!((short.s[0], short.lo[0]), (3.25, 0.0));
    assert!(!short.at_most_doubled_since(&before));
    // Exactly doubled (1 + 1² = 2): still exact, and taken.
    x[0] = 1.0;
    let before = SquareSums::starting_at(1.0);
    let (mut exact, mut short) = (before, before);
    exact.add_exact(&x, &y, one);
    short.add_short(&x, &y, one);
    assert_eq!((short.s[0], short.lo[0]), (2.0, 0.0));
    assert!(short.at_most_doubled_since(&before));
    assert_eq!(sums_bits(&short), sums_bits(&exact));
}

#[test]
fn square_offset_lets_every_block_take_the_short_step_on_typical_data() {
    use math::{SquareSums, SQUARE_BLOCK, SQUARE_LANES};
    let block = SQUARE_LANES * SQUARE_BLOCK;
    let one = core::hint::black_box(1.0);
    // Normal residuals by Box–Muller from two uniform streams.
    let normal = |seed: u64, n: usize| -> Vec<f64> {
        let (u, v) = (uniform(seed, n), uniform(seed + 1, n));
        let radius = |u: f64| (-2.0 * (0.5 + 0.5 * u).max(1e-300).ln()).sqrt();
        u.iter().zip(&v).map(|(&u, &v)| radius(u) * (core::f64::consts::PI * v).cos()).collect()
    };
    for seed in 0..20 {
        let n = 64 * block;
        let cases = [
            (uniform(100 + seed, n), uniform(200 + seed, n)),
            (normal(300 + 2 * seed, n), vec![0.0; n]),
        ];
        for (k, (x, y)) in cases.iter().enumerate() {
            let offset = math::square_offset(x, y);
            assert!(offset > 0.0);
            let mut sums = SquareSums::starting_at(offset);
            for (x, y) in x.chunks_exact(block).zip(y.chunks_exact(block)) {
                let before = sums;
                sums.add_short(x, y, one);
                assert!(sums.at_most_doubled_since(&before), "seed {seed} case {k}");
            }
        }
    }
    // No offset for fewer than a vector of elements, or where the first squares are not finite.
    assert_eq!(math::square_offset(&[1.0; 15], &[0.0; 15]), 0.0);
    let mut x = vec![1.0; 16];
    x[3] = f64::NAN;
    assert_eq!(math::square_offset(&x, &[0.0; 16]), 0.0);
    x[3] = 1e200;
    assert_eq!(math::square_offset(&x, &[0.0; 16]), 0.0);
}

#[test]
fn sum_squared_diff_is_the_same_bits_with_and_without_the_short_step() {
    let n = 20 * math::SQUARE_LANES * math::SQUARE_BLOCK + 13;
    let (a, b) = (uniform(15, n), uniform(16, n));
    let growing: Vec<f64> = (0..n).map(|i| 1.5_f64.powi((i / 40) as i32)).collect();
    let mut spiky = a.clone();
    for i in (300..n).step_by(977) {
        spiky[i] = 1e6 * a[i];
    }
    let mut special = a.clone();
    special[700] = f64::NAN;
    let mut infinite = a.clone();
    infinite[900] = f64::INFINITY;
    let zeros = vec![0.0; n];
    let cases: [(&[f64], &[f64]); 6] =
        [(&a, &b), (&growing, &b), (&spiky, &b), (&special, &b), (&infinite, &b), (&zeros, &zeros)];
    let same = |x: f64, y: f64| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan());
    for (k, (x, y)) in cases.into_iter().enumerate() {
        for len in [0, 1, 255, 256, 257, 383, 384, 385, 1000, 1024, n] {
            let short = math::sum_squared_diff_parts_f64_steps(&x[..len], &y[..len], true, 0);
            let long = math::sum_squared_diff_parts_f64_steps(&x[..len], &y[..len], false, 0);
            assert!(same(short.0, long.0) && same(short.1, long.1), "case {k} n {len}");
            // Prefetching (also past the end) changes nothing.
            for ahead in [1, 128, 1000] {
                let fetched =
                    math::sum_squared_diff_parts_f64_steps(&x[..len], &y[..len], true, ahead);
                assert!(same(short.0, fetched.0) && same(short.1, fetched.1), "case {k} {len}");
            }
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn difference_parts_by_fma_is_bit_identical_to_the_additions() {
    // The FMAs by one in the `sse` loop must round exactly like the additions they replace,
    // including signed zeros, subnormals, overflow and NaN.
    let mut values = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        f64::MAX,
        -f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1.0 + f64::EPSILON,
        0.1,
        1e300,
    ];
    // Values in (−2²⁰, 2²⁰) with exponents spread over that range.
    let scales = uniform(12, 4000);
    values.extend(
        uniform(11, 4000).iter().zip(&scales).map(|(v, e)| v * 2f64.powi((e * 20.0) as i32)),
    );
    // TwoSum by plain additions, the reference.
    let difference_parts = |a: f64, b: f64| {
        let d = a - b;
        let v = d - a;
        (d, (a - (d - v)) - (b + v))
    };
    let same = |x: f64, y: f64| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan());
    // Hidden from the optimiser, as in the loop, so that the FMAs are not folded into additions.
    let one = core::hint::black_box(1.0);
    for &a in &values {
        for &b in values.iter().step_by(7) {
            let (d, d_lo) = difference_parts(a, b);
            for third_by_fma in [true, false] {
                let (e, e_lo) = math::difference_parts_by_fma(a, b, one, third_by_fma);
                assert!(
                    same(d, e) && same(d_lo, e_lo),
                    "{a:e} − {b:e} ({third_by_fma}): {d:e} {d_lo:e} vs {e:e} {e_lo:e}"
                );
            }
        }
    }
}

#[test]
fn sum_squared_diff_specials() {
    for level in levels() {
        let inf = f64::INFINITY;
        assert_eq!(sse_f64(level, &[], &[]), 0.0);
        assert!(sse_f64(level, &[f64::NAN, 1.0], &[0.0, 0.0]).is_nan());
        assert!(sse_f64(level, &[inf], &[inf]).is_nan());
        assert_eq!(sse_f64(level, &[inf, 1.0], &[0.0, 0.0]), inf);
        assert_eq!(sse_f64(level, &[1e200], &[-1e200]), inf);
        assert_eq!(sse_f32(level, &[3e38], &[-3e38]), f32::INFINITY);
        assert!(sse_f32(level, &[f32::INFINITY], &[f32::INFINITY]).is_nan());
    }
}

/// Below 4 KiB, AVX2 in place of AVX-512 on Intel cores only, and never a level above the one
/// asked for.
#[cfg(target_arch = "x86_64")]
#[test]
fn short_calls_take_avx2_on_intel_cores_only() {
    use super::detect::{short_call_level_on as on, Core, SHORT_CALL_BYTES as LIMIT};
    assert_eq!(on(Core::Intel, Level::Avx512, 8, LIMIT), Level::Avx2);
    assert_eq!(on(Core::Intel, Level::Avx512, LIMIT - 1, LIMIT), Level::Avx2);
    assert_eq!(on(Core::Intel, Level::Avx512, LIMIT, LIMIT), Level::Avx512);
    assert_eq!(on(Core::Intel, Level::Avx2, 8, LIMIT), Level::Avx2);
    assert_eq!(on(Core::Intel, Level::Scalar, 8, LIMIT), Level::Scalar);
    for core in [Core::AmdFamily19h, Core::Other] {
        assert_eq!(on(core, Level::Avx512, 8, LIMIT), Level::Avx512, "{core:?}");
    }
}

/// CPUID signatures (leaf 1 `eax`: extended family, extended model, base family, model,
/// stepping) of each kind; the first is this crate's Zen 4 benchmark machine.
#[cfg(target_arch = "x86_64")]
#[test]
fn cores_are_told_apart() {
    use super::detect::{core_of, widening_level, Core};
    let (amd, intel) = (*b"AuthenticAMD", *b"GenuineIntel");
    assert_eq!(core_of(amd, 0x00A1_0F11), Core::AmdFamily19h, "Zen 4, EPYC 9004");
    assert_eq!(core_of(amd, 0x00A6_0F12), Core::AmdFamily19h, "Zen 4, Ryzen 7000");
    assert_eq!(core_of(amd, 0x00A0_0F11), Core::AmdFamily19h, "Zen 3, EPYC 7003");
    assert_eq!(core_of(amd, 0x0083_0F10), Core::Other, "Zen 2, family 17h");
    assert_eq!(core_of(amd, 0x00B0_0F21), Core::Other, "Zen 5, family 1Ah");
    assert_eq!(core_of(intel, 0x0008_06F8), Core::Intel, "Sapphire Rapids");
    assert_eq!(core_of(intel, 0x0006_06A6), Core::Intel, "Ice Lake server");
    assert_eq!(core_of(intel, 0x00A1_0F11), Core::Intel, "the family alone is not enough");
    assert_eq!(core_of(*b"HygonGenuine", 0x0090_0F02), Core::Other, "Hygon, family 18h");
    // Only AVX-512 is ever replaced, and never by a level the CPU lacks.
    for level in levels() {
        let widening = widening_level(level);
        assert!(widening <= level && (widening == level || level == Level::Avx512));
    }
}

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
        [1.0, 2.0],
    );
    #[cfg(target_arch = "x86_64")]
    check_exhaustive_f64_lanes(
        ["sigmoid", "sigmoid derivative"],
        [kernels::sigmoid_f32_in_f64, kernels::sigmoid_derivative_f32_in_f64],
        reference_f32,
        [1.0, 2.0],
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
/// AVX-512 and AVX2 they are separate code paths): `cargo test --release --lib exhaustive -- --ignored`.
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
        [1.0, 2.0],
    );
    #[cfg(target_arch = "x86_64")]
    check_exhaustive_f64_lanes(
        ["tanh", "tanh derivative"],
        [kernels::tanh_f32_in_f64, kernels::tanh_derivative_f32_in_f64],
        reference_tanh_f32,
        [1.0, 2.0],
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
    check_exhaustive(["softplus", "softplus"], [kernels::softplus_f32; 2], reference, [1.0; 2]);
    #[cfg(target_arch = "x86_64")]
    check_exhaustive_f64_lanes(
        ["softplus", "softplus"],
        [kernels::softplus_f32_in_f64; 2],
        reference,
        [1.0; 2],
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

/// Prints the maxima of [`exhaustive_max`] under `label` and checks them against `bounds`; the
/// same kernel twice (softplus) is reported once.
fn report_exhaustive(label: &str, names: [&str; 2], worst: [(f64, f32); 2], bounds: [f64; 2]) {
    let distinct = if names[0] == names[1] { 1 } else { 2 };
    for ((name, (err, x)), bound) in names.iter().zip(worst).zip(bounds).take(distinct) {
        println!("{label}: {name} max {err:.4} ulp (x = {x:e}) over all 2^32 f32");
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

/// The AVX-512 `f64` sigmoid kernels against the portable ones (each rounding a value within
/// about 0.34u of the exact one), both checked against the mpmath tables: on 10⁶ further points
/// they may differ by at most 1 ulp where the exact value lies close to a rounding boundary.
#[cfg(target_arch = "x86_64")]
#[test]
fn avx512_f64_sigmoid_agrees_with_the_portable_kernel() {
    if lacks_avx512("avx512_f64_sigmoid_agrees_with_the_portable_kernel") {
        return;
    }
    let mut h: Vec<f64> = uniform(11, 1_000_000).iter().map(|u| u * 760.0).collect();
    h.extend((0..100_000).map(|i| -745.2 + f64::from(i) * 4e-4)); // subnormal band
    h.extend((0..100_000).map(|i| f64::from(i - 50_000) * 1e-5)); // around 0
    let pairs: [(Kernel<f64>, Kernel<f64>); 2] = [
        (kernels::sigmoid_f64, kernels::sigmoid_f64_portable),
        (kernels::sigmoid_derivative_f64, kernels::sigmoid_derivative_f64_portable),
    ];
    for (fast, portable) in pairs {
        let a = run_offset(fast, Level::Avx512, &h, 0.0, 1);
        let b = run_offset(portable, Level::Avx512, &h, 0.0, 0);
        let differ = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        let worst = a.iter().zip(&b).map(|(&x, &y)| ulps_f64(x, y)).max().unwrap();
        println!("AVX-512 vs portable f64: {differ} of {} differ, by at most {worst} ulp", h.len());
        assert!(worst <= 1);
    }
}

/// The AVX-512 `f64` tanh and tanh′ against the portable ones (tanh: 0 ulp from the correctly
/// rounded value on the mpmath table, within 0.6 and 0.68 ulp by their analyses): at most 1 ulp
/// apart on 1.3·10⁶ points over (−20, 20), densely around the switch between the two formulas
/// of tanh at |x| = 0.2555 and around 0.
#[cfg(target_arch = "x86_64")]
#[test]
fn avx512_f64_tanh_agrees_with_the_portable_kernels() {
    if lacks_avx512("avx512_f64_tanh_agrees_with_the_portable_kernels") {
        return;
    }
    let mut h: Vec<f64> = uniform(12, 1_000_000).iter().map(|u| u * 20.0).collect();
    h.extend((0..100_000).map(|i| 0.2555 + f64::from(i - 50_000) * 1e-8));
    h.extend((0..100_000).map(|i| -0.2555 + f64::from(i - 50_000) * 1e-8));
    h.extend((0..100_000).map(|i| f64::from(i - 50_000) * 1e-6));
    let pairs: [(&str, Kernel<f64>, Kernel<f64>); 2] = [
        ("tanh", kernels::tanh_f64, kernels::tanh_f64_portable),
        ("tanh′", kernels::tanh_derivative_f64, kernels::tanh_derivative_f64_portable),
    ];
    for (name, fast, portable) in pairs {
        let a = run_offset(fast, Level::Avx512, &h, 0.0, 1);
        let b = run_offset(portable, Level::Avx512, &h, 0.0, 0);
        let differ = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        let worst = a.iter().zip(&b).map(|(&x, &y)| ulps_f64(x, y)).max().unwrap();
        println!(
            "AVX-512 vs portable f64 {name}: {differ} of {} differ, by at most {worst} ulp",
            h.len()
        );
        assert!(worst <= 1, "{name}");
    }
}

/// The `f64` softplus kernels at every level against the scalar function (all checked against
/// the mpmath table in `tests/reference_tables.rs`): at most 1 ulp apart on 1.3·10⁶ points over
/// (−800, 800), densely over (−40, 40) and around the switches at −40 and 37.5; and the special
/// values.
#[test]
#[cfg_attr(miri, ignore = "inputs of megabytes: too slow interpreted")]
fn f64_softplus_agrees_with_the_scalar_function_on_every_level() {
    let mut h: Vec<f64> = uniform(13, 300_000).iter().map(|u| u * 800.0).collect();
    h.extend(uniform(14, 900_000).iter().map(|u| u * 40.0));
    h.extend(
        (0..100_000).map(|i| if i % 2 == 0 { -40.0 } else { 37.5 } + f64::from(i - 50_000) * 1e-9),
    );
    for level in levels().into_iter().filter(|&l| l != Level::Scalar) {
        let out = run_offset(kernels::softplus_f64, level, &h, -7.0, 1);
        let worst = h.iter().zip(&out).map(|(&x, &y)| ulps_f64(y, accurate::softplus(x))).max();
        println!("{level:?} f64 softplus vs the scalar function: at most {worst:?} ulp apart");
        assert!(worst <= Some(1), "{level:?}");
        let specials = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, -800.0, 1e300];
        let mut out = [9.0; 7];
        kernels::softplus_f64(level, &specials, &mut out);
        assert!(out[0].is_nan(), "{level:?}");
        let ln2 = core::f64::consts::LN_2;
        assert_eq!(&out[1..], &[f64::INFINITY, 0.0, ln2, ln2, 0.0, 1e300], "{level:?}");
        let mut sub = [0.0];
        kernels::softplus_f64(level, &[-720.0], &mut sub);
        assert!(sub[0] > 0.0 && sub[0] < f64::MIN_POSITIVE, "{level:?}: {:e}", sub[0]);
    }
}

/// The bits of `x`, with every NaN mapped to one value: valgrind's emulation does not carry NaN
/// payloads through arithmetic as the CPU does, and payloads are no part of any bound here.
fn nan_or_bits(x: f64) -> u64 {
    if x.is_nan() {
        u64::MAX
    } else {
        x.to_bits()
    }
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn sigmoid_with_derivative_matches_the_two_kernels_on_every_level() {
    // Every 256th value of the sweep, then its specials and the subnormal band.
    let sweep = f32_sweep();
    let tail = sweep.len() - 4020;
    let xs32: Vec<f32> = sweep[..tail].iter().step_by(256).chain(&sweep[tail..]).copied().collect();
    // Plus a dense sweep over [−120, 120], where the AVX-512 σ and one-pass σ clamp differently.
    let xs32: Vec<f32> =
        xs32.into_iter().chain((0..24_000).map(|i| i as f32 * 0.01 - 120.0)).collect();
    let xs: Vec<f64> = xs32.iter().map(|&x| f64::from(x)).chain([-740.0, 710.0, -2e-320]).collect();
    for level in levels() {
        for n in (0..=40).chain([xs.len() - 3]) {
            for offset in 0..3 {
                let h = &xs[offset..offset + n];
                let (mut s, mut d) = (vec![0.0; n], vec![0.0; n]);
                kernels::sigmoid_f64(level, h, &mut s);
                kernels::sigmoid_derivative_f64(level, h, &mut d);
                let (mut out, mut slope) = (vec![-7.0; n + 1], vec![-7.0; n + 2]);
                kernels::sigmoid_with_derivative_f64(level, h, &mut out[1..], &mut slope[2..]);
                let bits = |v: &[f64]| v.iter().map(|&x| nan_or_bits(x)).collect::<Vec<_>>();
                assert_eq!(bits(&out[1..]), bits(&s), "{level:?} f64 σ, n {n}");
                assert_eq!(bits(&slope[2..]), bits(&d), "{level:?} f64 σ′, n {n}");
                assert_eq!((out[0], &slope[..2]), (-7.0, &[-7.0, -7.0][..]));

                let n = n.min(xs32.len() - offset);
                let h = &xs32[offset..offset + n];
                let (mut s, mut d) = (vec![0.0; n], vec![0.0; n]);
                kernels::sigmoid_f32(level, h, &mut s);
                kernels::sigmoid_derivative_f32(level, h, &mut d);
                let (mut out, mut slope) = (vec![-7.0; n + 1], vec![-7.0; n + 2]);
                kernels::sigmoid_with_derivative_f32(level, h, &mut out[1..], &mut slope[2..]);
                let bits =
                    |v: &[f32]| v.iter().map(|&x| nan_or_bits(f64::from(x))).collect::<Vec<_>>();
                assert_eq!(bits(&out[1..]), bits(&s), "{level:?} f32 σ, n {n}");
                assert_eq!(bits(&slope[2..]), bits(&d), "{level:?} f32 σ′, n {n}");
                assert_eq!((out[0], &slope[..2]), (-7.0, &[-7.0, -7.0][..]));
            }
        }
    }
}

/// f16 and bf16 slices through [`super::half_float`] at every level: each result is the `f32`
/// kernel's value on the widened input, rounded by `half`'s scalar conversion; odd lengths
/// around the chunk size, misaligned starts, guards around the output untouched.
#[cfg(all(feature = "half", target_arch = "x86_64"))]
#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn half_slices_are_the_f32_kernels_rounded_on_every_level() {
    use super::half_float;
    use half::{bf16, f16};

    fn check<H: Copy + PartialEq + core::fmt::Debug>(
        name: &str,
        from_bits: fn(u16) -> H,
        to_f32: fn(H) -> f32,
        from_f32: fn(f32) -> H,
    ) {
        let all: Vec<H> = (0..=u16::MAX).map(from_bits).collect();
        let guard = from_f32(-7.0);
        type Single = fn(Level, &[f32], &mut [f32]);
        let kernels: [(&str, Single); 3] = [
            ("sigmoid", kernels::sigmoid_f32),
            ("tanh derivative", kernels::tanh_derivative_f32),
            ("softplus", kernels::softplus_f32),
        ];
        let expect = |level, kernel: Single, h: &[H]| -> Vec<H> {
            let wide: Vec<f32> = h.iter().map(|&x| to_f32(x)).collect();
            let mut out = vec![0.0; h.len()];
            kernel(level, &wide, &mut out);
            out.into_iter().map(from_f32).collect()
        };
        let bits =
            |v: &[H]| v.iter().map(|&x| nan_or_bits(f64::from(to_f32(x)))).collect::<Vec<_>>();
        for level in levels() {
            for n in (0..=20).chain([255, 256, 257, 767, all.len() - 2]) {
                for offset in 0..2 {
                    let h = &all[offset..offset + n];
                    for (what, kernel) in kernels {
                        let mut out = vec![guard; n + 2];
                        assert!(half_float::map(level, h, &mut out[1..n + 1], kernel));
                        let want = expect(level, kernel, h);
                        assert_eq!(
                            bits(&out[1..n + 1]),
                            bits(&want),
                            "{level:?} {name} {what} n {n}"
                        );
                        assert!(out[0] == guard && out[n + 1] == guard, "{level:?} {name} {what}");
                    }
                    let (mut out, mut slope) = (vec![guard; n + 1], vec![guard; n + 2]);
                    let pair = kernels::sigmoid_with_derivative_f32;
                    assert!(half_float::map_pair(level, h, &mut out[1..], &mut slope[2..], pair));
                    let want = expect(level, kernels::sigmoid_f32, h);
                    assert_eq!(bits(&out[1..]), bits(&want), "{level:?} {name} pair σ n {n}");
                    let want = expect(level, kernels::sigmoid_derivative_f32, h);
                    assert_eq!(bits(&slope[2..]), bits(&want), "{level:?} {name} pair σ′ n {n}");
                    assert!(out[0] == guard && slope[..2] == [guard, guard]);
                }
            }
        }
    }
    check("f16", f16::from_bits, f16::to_f32, f16::from_f32);
    check("bf16", bf16::from_bits, bf16::to_f32, bf16::from_f32);
}

#[test]
fn net_inputs_keep_the_sign_of_products_that_underflow() {
    // Products that underflow to −0 leave −0 in the accumulators they reach and +0 in the
    // others, so a lane beyond the end of a row let into a sum (+0 on −0) changes the sign of
    // the result. Lengths in every span of registers that the kernels treat apart, whole groups
    // of rows and rests, stored and listed rows; the expected values from the definition.
    let lengths = [1, 5, 8, 9, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, 127, 128, 129, 200];
    for level in levels() {
        for d in lengths {
            let expect64 = dot_by_definition(&vec![-1e-200; d], &vec![1e-200; d], 32, f64::mul_add);
            let expect32 = dot_by_definition(&vec![-1e-30; d], &vec![1e-30; d], 64, f32::mul_add);
            // −0 once every accumulator is reached, +0 before.
            assert_eq!(expect64.is_sign_negative(), d >= 32, "f64 d {d}");
            assert_eq!(expect32.is_sign_negative(), d >= 64, "f32 d {d}");
            for rows in [1, 3, 4, 5, 8, 16, 17, 35] {
                let listed: Vec<usize> = (0..rows).rev().collect();
                let (x, w) = (vec![-1e-200_f64; rows * d], vec![1e-200_f64; d]);
                let mut h = vec![f64::NAN; rows];
                kernels::net_inputs_f64(level, &x, &w, &mut h);
                let expect = bits64(&vec![expect64; rows]);
                assert_eq!(bits64(&h), expect, "{level:?} f64 d {d} rows {rows}");
                h.fill(f64::NAN);
                kernels::net_inputs_listed_f64(level, &x, &listed, &[], &w, &mut h);
                assert_eq!(bits64(&h), expect, "{level:?} listed f64 d {d} rows {rows}");

                let (x, w) = (vec![-1e-30_f32; rows * d], vec![1e-30_f32; d]);
                let mut h = vec![f32::NAN; rows];
                kernels::net_inputs_f32(level, &x, &w, &mut h);
                let expect = bits32(&vec![expect32; rows]);
                assert_eq!(bits32(&h), expect, "{level:?} f32 d {d} rows {rows}");
                h.fill(f32::NAN);
                kernels::net_inputs_listed_f32(level, &x, &listed, &[], &w, &mut h);
                assert_eq!(bits32(&h), expect, "{level:?} listed f32 d {d} rows {rows}");
            }
        }
    }
}

#[test]
fn listed_row_kernels_match_dot_and_axpy_per_row_exactly() {
    // The gathering kernels must equal one `dot` per listed row, and one `axpy` per listed row
    // in list order, bit for bit, on every level, for row lengths around the register
    // blocking, lists in any order (with repeats) and prefetch lists running past the data.
    let x: Vec<f64> = uniform(21, 40 * 140);
    let w: Vec<f64> = uniform(22, 141);
    let a: Vec<f64> = uniform(23, 40);
    let listed: Vec<usize> = (0..40).map(|i| (i * 17 + 5) % 40).chain([3, 3, 39, 0]).collect();
    let ahead = [1, 38, 7, 1000];
    for level in levels() {
        for d in [1, 7, 8, 21, 26, 31, 32, 33, 45, 48, 63, 64, 67, 128, 130] {
            let xs = &x[..40 * d];
            for n in [0, 1, 3, 17, 19, listed.len()] {
                let rows = &listed[..n];
                let (ws, g0, as_) = (&w[..d], &w[1..=d], &a[..n.min(a.len())]);
                let row = |i: usize| &xs[i * d..(i + 1) * d];
                let mut h = vec![0.0; n];
                kernels::net_inputs_listed_f64(level, xs, rows, &ahead, ws, &mut h);
                let expect: Vec<f64> =
                    rows.iter().map(|&i| kernels::dot_f64(level, row(i), ws)).collect();
                assert_eq!(
                    bits64(&h),
                    bits64(&expect),
                    "{level:?} listed net inputs f64 d {d} n {n}"
                );
                let mut expect = g0.to_vec();
                for (&i, &ai) in rows.iter().zip(as_) {
                    kernels::axpy_f64(level, &mut expect, ai, row(i));
                }
                let g = guarded(g0, |g| kernels::add_listed_rows_f64(level, g, as_, xs, rows));
                assert_eq!(bits64(&g), bits64(&expect), "{level:?} listed rows f64 d {d} n {n}");

                let f = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
                let (xs, ws, g0, as_) = (f(xs), f(ws), f(g0), f(as_));
                let row = |i: usize| &xs[i * d..(i + 1) * d];
                let mut h = vec![0.0; n];
                kernels::net_inputs_listed_f32(level, &xs, rows, &ahead, &ws, &mut h);
                let expect: Vec<f32> =
                    rows.iter().map(|&i| kernels::dot_f32(level, row(i), &ws)).collect();
                assert_eq!(
                    bits32(&h),
                    bits32(&expect),
                    "{level:?} listed net inputs f32 d {d} n {n}"
                );
                let mut expect = g0.clone();
                for (&i, &ai) in rows.iter().zip(&as_) {
                    kernels::axpy_f32(level, &mut expect, ai, row(i));
                }
                let g = guarded(&g0, |g| kernels::add_listed_rows_f32(level, g, &as_, &xs, rows));
                assert_eq!(bits32(&g), bits32(&expect), "{level:?} listed rows f32 d {d} n {n}");
            }
            // An index out of range gives +0, in a whole group and among the rows after it.
            let xs = &x[..40 * d];
            let (ws, f) = (&w[..d], |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<_>>());
            for (n, far, bad) in [(2, 1, 40), (19, 17, usize::MAX), (19, 3, 40), (19, 3, 1 << 60)] {
                let mut rows: Vec<usize> = (0..n).collect();
                rows[far] = bad;
                let mut h = vec![f64::NAN; n];
                kernels::net_inputs_listed_f64(level, xs, &rows, &[], ws, &mut h);
                assert_eq!(h[far].to_bits(), 0, "{level:?} f64 d {d} n {n} far {far}");
                let expect = kernels::dot_f64(level, &xs[..d], ws);
                assert_eq!(h[0].to_bits(), expect.to_bits(), "{level:?} f64 d {d} n {n}");
                // The gradient kernels skip it (and the last rows of x stay in range).
                let (g0, as_) = (&w[1..=d], &a[..n]);
                let mut expect = g0.to_vec();
                for (&i, &ai) in rows.iter().zip(as_).filter(|(&i, _)| i < 40) {
                    kernels::axpy_f64(level, &mut expect, ai, &xs[i * d..(i + 1) * d]);
                }
                let g = guarded(g0, |g| kernels::add_listed_rows_f64(level, g, as_, xs, &rows));
                assert_eq!(bits64(&g), bits64(&expect), "{level:?} f64 rows d {d} n {n} far {far}");

                let (xs, ws, g0, as_) = (f(xs), f(ws), f(g0), f(as_));
                let mut h = vec![f32::NAN; n];
                kernels::net_inputs_listed_f32(level, &xs, &rows, &[], &ws, &mut h);
                assert_eq!(h[far].to_bits(), 0, "{level:?} f32 d {d} n {n} far {far}");
                let mut expect = g0.clone();
                for (&i, &ai) in rows.iter().zip(&as_).filter(|(&i, _)| i < 40) {
                    kernels::axpy_f32(level, &mut expect, ai, &xs[i * d..(i + 1) * d]);
                }
                let g = guarded(&g0, |g| kernels::add_listed_rows_f32(level, g, &as_, &xs, &rows));
                assert_eq!(bits32(&g), bits32(&expect), "{level:?} f32 rows d {d} n {n} far {far}");
            }
        }
    }
}

/// The bound of the fused error-term kernel for σ and σ′ each within `ulps` ulp (1 ulp ≤ eps·|v|
/// for normal v) and two roundings of eps/2: |δ̂ − (y − σ)σ′| ≤ σ′(|r|(ulps + 1)·eps + σ·ulps·eps)
/// to first order, widened by (1 + 8 eps), plus `reference` and a few smallest subnormals.
fn error_term_bound(s: f64, slope: f64, r: f64, ulps: f64, eps: f64, extra: f64) -> f64 {
    slope * (r.abs() * (ulps + 1.0) * eps + s * ulps * eps) * (1.0 + 8.0 * eps) + extra
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn sigmoid_error_terms_on_every_level() {
    // f64 against the mpmath table (σ, σ′ correctly rounded there; the reference rounds twice
    // more), away from the subnormal band where ulps are absolute.
    let t: Vec<[f64; 3]> = table(include_str!("../../tests/data/sigmoid_f64.txt"))
        .into_iter()
        .filter(|r| r[2] >= 1e-290)
        .collect();
    let h: Vec<f64> = t.iter().map(|r| r[0]).collect();
    let y: Vec<f64> = (0..h.len()).map(|i| (i as f64 * 0.618_033_988_749_895).fract()).collect();
    let eps = f64::EPSILON;
    for level in levels() {
        for offset in [0, 1, 3] {
            let mut src = vec![-7.0; offset + h.len()];
            src[offset..].copy_from_slice(&y);
            let mut d = vec![-7.0; offset + h.len() + 3];
            kernels::sigmoid_error_terms_f64(
                level,
                &src[offset..],
                &h,
                &mut d[offset..offset + h.len()],
            );
            assert!(d[..offset].iter().chain(&d[offset + h.len()..]).all(|&g| g == -7.0));
            for (i, r) in t.iter().enumerate() {
                let (s, slope) = (r[1], r[2]);
                let residual = y[i] - s;
                let want = residual * slope;
                let reference = slope * (2.0 * eps * residual.abs() + eps * s);
                let bound = error_term_bound(
                    s,
                    slope,
                    residual,
                    1.0,
                    eps,
                    reference + 4.0 * f64::from_bits(1),
                );
                let got = d[offset + i];
                assert!(
                    (got - want).abs() <= bound,
                    "{level:?} h = {:e}: {got:e} vs {want:e}",
                    r[0]
                );
            }
        }
    }
    // f32 against f64 evaluation (errors ~2⁻⁵¹ relative, far below the f32 terms), with the
    // specials: saturated units give 0, NaN propagates.
    let mut h32 = f32_sweep();
    h32.retain(|x| x.abs() < 80.0);
    h32.extend([f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 0.0]);
    let n = h32.len();
    let y32: Vec<f32> = (0..n).map(|i| (i as f32 * 0.618_034).fract()).collect();
    let eps = f64::from(f32::EPSILON);
    for level in levels() {
        let mut d = vec![0.0_f32; n];
        kernels::sigmoid_error_terms_f32(level, &y32, &h32, &mut d);
        for i in 0..n - 4 {
            let (s, slope) = reference_f32(h32[i]);
            let residual = f64::from(y32[i]) - s;
            let extra = slope * (s + residual.abs()) * 16.0 * f64::EPSILON
                + 4.0 * f64::from(f32::from_bits(1));
            let bound = error_term_bound(s, slope, residual, 1.0, eps, extra);
            let got = f64::from(d[i]);
            assert!(
                (got - residual * slope).abs() <= bound,
                "{level:?} h = {:e}: {got:e} vs {:e}",
                h32[i],
                residual * slope
            );
        }
        assert_eq!(&d[n - 4..n - 2], &[0.0, 0.0], "{level:?}");
        assert!(d[n - 2].is_nan(), "{level:?}");
        assert_eq!(d[n - 1], (y32[n - 1] - 0.5) * 0.25, "{level:?}");
    }
}

/// Outputs past the streaming threshold of the AVX-512 kernels (plain stores up to a 64-byte
/// boundary, non-temporal stores after it) hold the same bits as the plain stores of small
/// chunks, at several alignments, and nothing around them is touched. One-pass outputs with
/// different alignments fall back to plain stores.
#[cfg(target_arch = "x86_64")]
#[test]
#[cfg_attr(miri, ignore = "inputs of megabytes: too slow interpreted")]
fn streamed_outputs_match_chunked_ones() {
    if lacks_avx512("streamed_outputs_match_chunked_ones") {
        return;
    }
    use super::avx512::STREAM_BYTES;
    fn chunked<T: Copy + Default>(kernel: Kernel<T>, level: Level, h: &[T]) -> Vec<T> {
        let mut out = vec![T::default(); h.len()];
        for (h, out) in h.chunks(4096).zip(out.chunks_mut(4096)) {
            kernel(level, h, out);
        }
        out
    }
    let n64 = STREAM_BYTES / 8 + 13;
    let h64: Vec<f64> = uniform(11, 2 * n64).iter().map(|u| u * 120.0).collect();
    let h32: Vec<f32> = h64.iter().map(|&x| x as f32).collect();
    let h64 = &h64[..n64];
    for level in levels().into_iter().filter(|&l| runs_avx512(l)) {
        for offset in [0, 1, 6] {
            for kernel in [kernels::sigmoid_f32, kernels::sigmoid_derivative_f32] {
                let streamed = run_offset(kernel, level, &h32, 3.0, offset);
                assert!(streamed == chunked(kernel, level, &h32), "{level:?} f32, offset {offset}");
            }
            for kernel in [kernels::sigmoid_f64, kernels::sigmoid_derivative_f64] {
                let streamed = run_offset(kernel, level, h64, 3.0, offset);
                assert!(streamed == chunked(kernel, level, h64), "{level:?} f64, offset {offset}");
            }
            // Same offset for both outputs (streamed) and different ones (plain).
            for slope_offset in [offset, offset + 1] {
                let n = h32.len();
                let (mut s, mut d) = (vec![-7.0_f32; n + 8], vec![-7.0_f32; n + 8]);
                kernels::sigmoid_with_derivative_f32(
                    level,
                    &h32,
                    &mut s[offset..offset + n],
                    &mut d[slope_offset..slope_offset + n],
                );
                assert!(s[offset..offset + n] == chunked(kernels::sigmoid_f32, level, &h32));
                assert!(
                    d[slope_offset..slope_offset + n]
                        == chunked(kernels::sigmoid_derivative_f32, level, &h32)
                );
                assert!(s[..offset].iter().chain(&s[offset + n..]).all(|&g| g == -7.0));
                assert!(d[..slope_offset].iter().chain(&d[slope_offset + n..]).all(|&g| g == -7.0));

                let n = h64.len();
                let (mut s, mut d) = (vec![-7.0_f64; n + 8], vec![-7.0_f64; n + 8]);
                kernels::sigmoid_with_derivative_f64(
                    level,
                    h64,
                    &mut s[offset..offset + n],
                    &mut d[slope_offset..slope_offset + n],
                );
                assert!(s[offset..offset + n] == chunked(kernels::sigmoid_f64, level, h64));
                assert!(
                    d[slope_offset..slope_offset + n]
                        == chunked(kernels::sigmoid_derivative_f64, level, h64)
                );
                assert!(s[..offset].iter().chain(&s[offset + n..]).all(|&g| g == -7.0));
                assert!(d[..slope_offset].iter().chain(&d[slope_offset + n..]).all(|&g| g == -7.0));
            }
        }
    }
}

/// The scalar kernels of `accurate` give the same bits with their exact products by FMA as by
/// Dekker's splitting: on magnitudes from 2⁻⁶⁰ to 2¹⁰ of both signs, across each kernel's
/// switches (tanh's ends at 2⁻²⁷ and 20, softplus's series below ln 64, the subnormal results
/// below −708, saturation at 750) and on the special values (a NaN for a NaN).
#[cfg(target_arch = "x86_64")]
#[test]
fn exact_kernels_give_the_same_bits_with_and_without_fma() {
    use crate::accurate::{
        ExactKernel, SigmoidDerivativeKernel, SigmoidKernel, SigmoidPairKernel, SoftplusKernel,
        TanhDerivativeKernel, TanhKernel,
    };

    // Any NaN as one ([`nan_or_bits`]): which NaN an operation returns is not specified, and
    // Miri varies it on purpose.
    trait Bits {
        fn bits(&self) -> [u64; 2];
    }
    impl Bits for f64 {
        fn bits(&self) -> [u64; 2] {
            [nan_or_bits(*self), 0]
        }
    }
    impl Bits for (f64, f64) {
        fn bits(&self) -> [u64; 2] {
            [nan_or_bits(self.0), nan_or_bits(self.1)]
        }
    }
    fn check<K: ExactKernel>(name: &str, inputs: &[f64])
    where
        K::Output: Bits,
    {
        for &h in inputs {
            let fused = kernels::exact_with_fma::<K>(h).expect("a level with FMA").bits();
            assert_eq!(K::eval::<false>(h).bits(), fused, "{name}({h:e})");
        }
    }

    if supported() < Level::Avx2 || crate::simd::level() < Level::Avx2 {
        eprintln!("exact_kernels_give_the_same_bits_with_and_without_fma: SKIPPED, no FMA level");
        return;
    }
    let count = if cfg!(miri) { 50 } else { 4000 };
    let mut inputs: Vec<f64> = uniform(0xF3A, count)
        .iter()
        .zip(uniform(0xF3B, count))
        .map(|(&m, e)| m * pow2((35.0 * (e + 1.0)) as i32 - 60))
        .collect();
    for (centre, width) in
        [(-708.0, 40.0), (-750.0, 2.0), (4.158_883_083_359_672, 0.01), (20.0, 0.1)]
    {
        inputs.extend(uniform(0xF3C, count / 8).iter().map(|u| centre + width * u));
    }
    inputs.extend(inputs.clone().iter().map(|h| -h));
    inputs.extend([
        0.0,
        -0.0,
        pow2(-27),
        750.0,
        f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ]);

    check::<SigmoidKernel>("σ", &inputs);
    check::<SigmoidDerivativeKernel>("σ′", &inputs);
    check::<SigmoidPairKernel>("(σ, σ′)", &inputs);
    check::<TanhKernel>("tanh", &inputs);
    check::<TanhDerivativeKernel>("tanh′", &inputs);
    check::<SoftplusKernel>("softplus", &inputs);
}
