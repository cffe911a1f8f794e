//! The faithfully rounded sum of squared differences (`sse`) at every level: against exact
//! sums, its short step taken only where exact, and its special values.

use super::*;

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

/// Slices of different lengths are summed over their common length, as documented, by both
/// kernels: the same bits as the truncated slices (the `f32` kernel took its two remainders
/// apart, and so dropped elements or panicked).
#[test]
fn sum_squared_diff_of_unequal_lengths_is_over_the_common_length() {
    let a64 = uniform(31, 140);
    let b64 = uniform(32, 140);
    let a32: Vec<f32> = a64.iter().map(|&v| v as f32).collect();
    let b32: Vec<f32> = b64.iter().map(|&v| v as f32).collect();
    for level in levels() {
        for (m, n) in [(64, 33), (40, 33), (33, 40), (100, 7), (7, 100), (140, 131), (0, 5)] {
            let k = m.min(n);
            let want = sse_f64(level, &a64[..k], &b64[..k]);
            assert_eq!(sse_f64(level, &a64[..m], &b64[..n]).to_bits(), want.to_bits(), "{m} {n}");
            let want = sse_f32(level, &a32[..k], &b32[..k]);
            assert_eq!(sse_f32(level, &a32[..m], &b32[..n]).to_bits(), want.to_bits(), "{m} {n}");
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
