//! The element maps (σ, σ′, tanh, softplus, their one-pass pairs and the error terms) at every
//! level against mpmath tables and `f64` references, their special values and symmetries, the
//! streamed stores of long outputs, and the scalar exact kernels with and without FMA.

use super::common::{parse_value_table, ulps_f32, ulps_f64};
use super::*;

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
/// exact values, within `limits` ([normal, subnormal] results of f, then of f′), on the tables
/// with residuals (`residual_tables`, `scripts/gen_reference.py`); and on the correctly rounded
/// table `rounded_table` (`scripts/sigmoid_reference.py`, with points at the kernels' switches),
/// which holds no residual, at most `bounds::from_rounded` from the rounded values, all such a
/// table can decide.
fn check_f64_table(
    name: &str,
    residual_tables: [&str; 2],
    rounded_table: &str,
    kernels: [Kernel<f64>; 2],
    limits: fn(Level) -> [[f64; 2]; 2],
) {
    let refs = residual_tables.map(|text| common::parse_table(text, common::F64));
    let xs: Vec<f64> = refs[0].iter().map(|r| r.input).collect();
    assert!(refs[1].iter().map(|r| r.input.to_bits()).eq(xs.iter().map(|x| x.to_bits())));
    let t = parse_value_table(rounded_table);
    let rounded_xs: Vec<f64> = t.iter().map(|r| r[0]).collect();
    for level in levels() {
        for offset in [0, 1, 3] {
            for (which, (&kernel, &limit)) in kernels.iter().zip(&limits(level)).enumerate() {
                let got = run_offset(kernel, level, &xs, -7.0, offset);
                // The largest error and its input, for normal and for subnormal results.
                let mut worst = [(0.0, 0.0); 2];
                for (r, &g) in refs[which].iter().zip(&got) {
                    let error = common::ulp_error(g, r.rounded, r.residual, common::F64);
                    let error = if error.is_nan() { f64::INFINITY } else { error };
                    let class = usize::from(r.rounded.abs() < f64::MIN_POSITIVE);
                    if error > worst[class].0 {
                        worst[class] = (error, r.input);
                    }
                }
                let got = run_offset(kernel, level, &rounded_xs, -7.0, offset);
                let (distance, distance_at) = t
                    .iter()
                    .zip(&got)
                    .map(|(r, &g)| (ulps_f64(g, r[1 + which]), r[0]))
                    .fold((0, 0.0), |w, e| if e.0 > w.0 { e } else { w });
                let what = if which == 0 { "" } else { " derivative" };
                let [(normal, at), (subnormal, subnormal_at)] = worst;
                if offset == 0 {
                    println!(
                        "{level:?} f64 {name}{what}: max {normal:.4} ulp (x = {at:e}), \
                         {subnormal:.4} where subnormal (x = {subnormal_at:e}); {distance} from \
                         the rounded values (x = {distance_at:e})"
                    );
                }
                assert!(normal <= limit[0], "{level:?} {name}{what}: {normal} ulp at {at:e}");
                assert!(
                    subnormal <= limit[1],
                    "{level:?} {name}{what}: {subnormal} ulp at {subnormal_at:e}"
                );
                assert!(
                    distance <= bounds::from_rounded(limit[0].max(limit[1])),
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
            include_str!("../../../tests/data/activations/sigmoid_f64.txt"),
            include_str!("../../../tests/data/activations/sigmoid_derivative_f64.txt"),
        ],
        include_str!("../../../tests/data/sigmoid_f64.txt"),
        [kernels::sigmoid_f64, kernels::sigmoid_derivative_f64],
        |level| {
            let sigmoid = if runs_avx512(level) {
                bounds::SIGMOID_F64_SLICE
            } else {
                bounds::SIGMOID_F64_PORTABLE
            };
            [sigmoid, bounds::DERIVATIVE_F64_SLICE]
        },
    );
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn tanh_f64_against_mpmath_table_on_every_level() {
    check_f64_table(
        "tanh",
        [
            include_str!("../../../tests/data/activations/tanh_f64.txt"),
            include_str!("../../../tests/data/activations/tanh_derivative_f64.txt"),
        ],
        include_str!("../../../tests/data/tanh_f64.txt"),
        [kernels::tanh_f64, kernels::tanh_derivative_f64],
        |level| {
            let tanh =
                if runs_avx512(level) { bounds::TANH_F64_SLICE } else { bounds::TANH_F64_PORTABLE };
            [tanh, bounds::DERIVATIVE_F64_SLICE]
        },
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
/// ulps of the exact value, within `limits` ([normal, subnormal] results of each kernel) and
/// [`bounds::F32_SLICE_MEASURED`], and in representable values from the rounded reference,
/// within those rounded up.
fn check_f32(
    name: &str,
    kernels: [Kernel<f32>; 2],
    reference: fn(f32) -> (f64, f64),
    limits: fn(Level) -> [[f64; 2]; 2],
) {
    let xs = f32_sweep();
    let refs: Vec<(f64, f64)> = xs.iter().map(|&x| reference(x)).collect();
    for level in levels() {
        for ((which, &kernel), limits) in kernels.iter().enumerate().zip(limits(level)) {
            let got = run_offset(kernel, level, &xs, -7.0, 1 + which);
            // The largest error, its input and the largest distance, per class of result.
            let mut worst = [(0.0, 0.0, 0); 2];
            for ((&x, &r), &g) in xs.iter().zip(&refs).zip(&got) {
                let exact = if which == 0 { r.0 } else { r.1 };
                let class = &mut worst[f32_class(exact)];
                let err = ulp_error_f32(g, exact);
                if err > class.0 {
                    (class.0, class.1) = (err, x);
                }
                class.2 = class.2.max(ulps_f32(g, exact as f32));
            }
            let what = if which == 0 { "" } else { " derivative" };
            for ((kind, (err, at, dist)), limit) in
                ["normal", "subnormal"].iter().zip(worst).zip(limits)
            {
                println!(
                    "{level:?} f32 {name}{what}: max {err:.4} ulp (x = {at:e}), \
                     {dist} from the rounded reference, over {kind} results"
                );
                // The f16 and bf16 slice bounds are derived from the largest error measured over
                // all inputs, so no kernel may exceed it either.
                let bound = limit.min(bounds::F32_SLICE_MEASURED);
                assert!(
                    err <= bound && dist as f64 <= bound.ceil(),
                    "{level:?} {name}{what}: {err} at {at:e}, a {kind} result"
                );
            }
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn sigmoid_f32_against_f64_reference_on_every_level() {
    check_f32(
        "sigmoid",
        [kernels::sigmoid_f32, kernels::sigmoid_derivative_f32],
        reference_f32,
        sigmoid_f32_limits,
    );
    // With AVX-512 `sigmoid_f32` runs in `f32` lanes; the `f64`-lane kernel is checked as well.
    #[cfg(target_arch = "x86_64")]
    check_f32(
        "sigmoid (f64 lanes)",
        [kernels::sigmoid_f32_in_f64, kernels::sigmoid_derivative_f32_in_f64],
        reference_f32,
        |_| SIGMOID_F32_IN_F64_LIMITS,
    );
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn tanh_f32_against_f64_reference_on_every_level() {
    check_f32(
        "tanh",
        [kernels::tanh_f32, kernels::tanh_derivative_f32],
        reference_tanh_f32,
        tanh_f32_limits,
    );
    // With AVX-512 `tanh_f32` runs in `f32` lanes; the `f64`-lane kernel is checked as well.
    #[cfg(target_arch = "x86_64")]
    check_f32(
        "tanh (f64 lanes)",
        [kernels::tanh_f32_in_f64, kernels::tanh_derivative_f32_in_f64],
        reference_tanh_f32,
        |_| TANH_F32_IN_F64_LIMITS,
    );
}

#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn softplus_f32_against_f64_reference_on_every_level() {
    let xs = f32_sweep();
    // With AVX-512 `softplus_f32` runs in `f32` lanes; the `f64`-lane kernel is checked as well.
    type Limits = fn(Level) -> [f64; 2];
    #[cfg(target_arch = "x86_64")]
    let kernels: [(&str, Kernel<f32>, Limits); 2] = [
        ("", kernels::softplus_f32, softplus_f32_limits),
        (" (f64 lanes)", kernels::softplus_f32_in_f64, |_| [bounds::F32_IN_F64; 2]),
    ];
    #[cfg(not(target_arch = "x86_64"))]
    let kernels: [(&str, Kernel<f32>, Limits); 1] =
        [("", kernels::softplus_f32, softplus_f32_limits)];
    for level in levels() {
        for (name, kernel, limits) in kernels {
            let got = run_offset(kernel, level, &xs, -7.0, 1);
            // The largest error and its input, for normal and for subnormal results.
            let mut worst = [(0.0, 0.0); 2];
            for (&x, &g) in xs.iter().zip(&got) {
                let exact = reference_softplus_f32(x);
                let class = &mut worst[f32_class(exact)];
                let err = ulp_error_f32(g, exact);
                if err > class.0 {
                    *class = (err, x);
                }
            }
            for ((kind, (err, at)), limit) in
                ["normal", "subnormal"].iter().zip(worst).zip(limits(level))
            {
                println!("{level:?} f32 softplus{name}: max {err:.4} ulp (x = {at:e}), {kind}");
                let bound = limit.min(bounds::F32_SLICE_MEASURED);
                assert!(err <= bound, "{level:?} softplus{name}: {err} at {at:e}, a {kind} result");
            }
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
                    assert!(
                        ulp_error_f32(s[i], rs) <= bounds::SIGMOID_SLICE,
                        "{level:?} n {n} i {i}"
                    );
                    assert!(
                        ulp_error_f32(d[i], rd) <= bounds::SIGMOID_DERIVATIVE_SLICE,
                        "{level:?} n {n} i {i}"
                    );
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
    // `sum_squared_diff` too: the dispatcher may swap its levels (`widening_level`).
    let y64: Vec<f64> = h64.iter().rev().map(|&x| x * 0.9).collect();
    let y32: Vec<f32> = h32.iter().rev().map(|&x| x * 0.9).collect();
    let sse64 = sse_f64(Level::Scalar, &h64[1..], &y64[1..]);
    let sse32 = sse_f32(Level::Scalar, &h32[1..], &y32[1..]);
    let kernels64: [(&str, Kernel<f64>); 5] = [
        ("σ", kernels::sigmoid_f64_portable),
        ("σ′", kernels::sigmoid_derivative_f64_portable),
        ("tanh", kernels::tanh_f64_portable),
        ("tanh′", kernels::tanh_derivative_f64_portable),
        ("softplus", kernels::softplus_f64_portable),
    ];
    let kernels32: [(&str, Kernel<f32>); 5] = [
        ("σ", kernels::sigmoid_f32_in_f64),
        ("σ′", kernels::sigmoid_derivative_f32_in_f64),
        ("tanh", kernels::tanh_f32_in_f64),
        ("tanh′", kernels::tanh_derivative_f32_in_f64),
        ("softplus", kernels::softplus_f32_in_f64),
    ];
    let base64 = kernels64.map(|(_, k)| run_offset(k, Level::Scalar, &h64, 0.0, 0));
    let base32 = kernels32.map(|(_, k)| run_offset(k, Level::Scalar, &h32, 0.0, 0));
    for level in levels() {
        let got64 = sse_f64(level, &h64[1..], &y64[1..]);
        let got32 = sse_f32(level, &h32[1..], &y32[1..]);
        assert_eq!((got64.to_bits(), got32.to_bits()), (sse64.to_bits(), sse32.to_bits()));
        for ((name, kernel), base) in kernels64.iter().zip(&base64) {
            assert!(run_offset(*kernel, level, &h64, 0.0, 1) == *base, "{level:?} f64 {name}");
        }
        for ((name, kernel), base) in kernels32.iter().zip(&base32) {
            assert!(run_offset(*kernel, level, &h32, 0.0, 1) == *base, "{level:?} f32 {name}");
        }
    }
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

/// The `f64` softplus kernels at every level against mpmath (the residual table of
/// `scripts/gen_reference.py`) within their documented [`bounds::SOFTPLUS_F64_SLICE`] for
/// normal results, 1 ulp for subnormal ones, which round twice.
#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn f64_softplus_against_mpmath_table_on_every_level() {
    let table = include_str!("../../../tests/data/activations/softplus_f64.txt");
    let refs = common::parse_table(table, common::F64);
    let xs: Vec<f64> = refs.iter().map(|r| r.input).collect();
    for level in levels() {
        let got = run_offset(kernels::softplus_f64, level, &xs, -7.0, 1);
        let mut worst = [0.0_f64; 2];
        for (r, &g) in refs.iter().zip(&got) {
            let error = common::ulp_error(g, r.rounded, r.residual, common::F64);
            let subnormal = usize::from(r.rounded.abs() < f64::MIN_POSITIVE);
            let bound = [bounds::SOFTPLUS_F64_SLICE, 1.0][subnormal];
            assert!(error <= bound, "{level:?} x = {:e}: {error} ulp", r.input);
            worst[subnormal] = worst[subnormal].max(error);
        }
        println!(
            "{level:?} f64 softplus: max {:.4} ulp, {:.4} where subnormal",
            worst[0], worst[1]
        );
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

/// At each level the fused σ-and-σ′ kernel gives the bits of that level's σ and σ′ kernels, and
/// the error terms are (y − σ)·σ′ with those bits: the fused and separate paths agree wherever a
/// level's own kernels differ from another level's by an ulp.
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
                let y: Vec<f64> =
                    (0..n).map(|i| (i as f64 * 0.618_033_988_749_895).fract()).collect();
                let mut delta = vec![0.0; n];
                kernels::sigmoid_error_terms_f64(level, &y, h, &mut delta);
                let want: Vec<f64> =
                    y.iter().zip(&s).zip(&d).map(|((y, s), d)| (y - s) * d).collect();
                assert_eq!(bits(&delta), bits(&want), "{level:?} f64 δ, n {n}");

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
                let y: Vec<f32> = (0..n).map(|i| (i as f32 * 0.618_034).fract()).collect();
                let mut delta = vec![0.0; n];
                kernels::sigmoid_error_terms_f32(level, &y, h, &mut delta);
                let want: Vec<f32> =
                    y.iter().zip(&s).zip(&d).map(|((y, s), d)| (y - s) * d).collect();
                assert_eq!(bits(&delta), bits(&want), "{level:?} f32 δ, n {n}");
            }
        }
    }
}

/// The public `error_terms` with `Sigmoid` gives, for `f32` and `f64` at the level in use, the
/// bits of that level's fused kernel, which on some inputs differ by an ulp from those of the
/// per-element `error_term` (the path of other types and of the scalar level).
#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn public_sigmoid_error_terms_take_the_kernels() {
    fn check<T: num_traits::Float + core::fmt::Debug>(
        y: &[T],
        h: &[T],
        kernel: fn(Level, &[T], &[T], &mut [T]),
    ) {
        let level = crate::simd::level();
        let mut public = vec![T::zero(); h.len()];
        crate::error_terms(&crate::Sigmoid, y, h, &mut public).unwrap();
        let generic: Vec<T> =
            y.iter().zip(h).map(|(&y, &h)| crate::error_term(&crate::Sigmoid, y, h)).collect();
        let mut fused = vec![T::zero(); h.len()];
        kernel(level, y, h, &mut fused);
        if level == Level::Scalar {
            assert_eq!(public, generic);
        } else {
            assert_eq!(public, fused, "{level:?}");
            assert_ne!(fused, generic, "{level:?}: the two paths cannot be told apart");
        }
    }
    let h: Vec<f64> = uniform(21, 20_000).iter().map(|u| u * 40.0).collect();
    let y: Vec<f64> = uniform(22, h.len()).iter().map(|u| u.abs()).collect();
    check(&y, &h, kernels::sigmoid_error_terms_f64);
    let narrow = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    check(&narrow(&y), &narrow(&h), kernels::sigmoid_error_terms_f32);
}

/// f16 and bf16 slices through [`crate::simd::half_float`] at every level: each result is the `f32`
/// kernel's value on the widened input, rounded by `half`'s scalar conversion; odd lengths
/// around the chunk size, misaligned starts, guards around the output untouched.
#[cfg(all(feature = "half", target_arch = "x86_64"))]
#[test]
#[cfg_attr(miri, ignore = "a sweep over many values: too slow interpreted")]
fn half_slices_are_the_f32_kernels_rounded_on_every_level() {
    use crate::simd::half_float;
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
    let t: Vec<[f64; 3]> = parse_value_table(include_str!("../../../tests/data/sigmoid_f64.txt"))
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
                // The reference's own error: see `check_error_terms_f64` in
                // tests/simd_dispatch.rs.
                let reference =
                    slope * (1.5 * eps * residual.abs() + 0.5 * eps * s) * (1.0 + 4.0 * eps);
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
    use crate::simd::avx512::STREAM_BYTES;
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
