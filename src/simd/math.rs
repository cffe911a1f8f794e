//! Branch-free element functions and loops, written so that LLVM vectorises them.
//!
//! Everything here is safe code marked `#[inline(always)]` (apart from the prefetch hint in
//! [`add_weighted_rows`]): [`super::x86`] inlines each loop into
//! functions compiled with `#[target_feature]`, where `mul_add` becomes one FMA instruction and
//! the selects become blends. Outside such a function `mul_add` is a correct but slow libm call,
//! so only the tests run these loops directly.
//!
//! On aarch64, where FMA and NEON are part of the baseline, `super::neon` compiles the same
//! loops without `#[target_feature]`.

use crate::accurate::{fast_two_sum, two_sum};

/// ln 2 split so that `k * LN2_HI` is exact for |k| < 2²¹ (the low 21 bits are zero).
pub(super) const LN2_HI: f64 = 0.693_147_180_369_123_8; // bits 0x3FE6_2E42_FEE0_0000
/// ln 2 − `LN2_HI`.
pub(super) const LN2_LO: f64 = 1.908_214_929_270_587_7e-10; // bits 0x3DEA_39EF_3579_3C76
/// 1.5 · 2⁵²: adding and subtracting it rounds |t| < 2⁵¹ to the nearest integer, which is left
/// in the low bits of the sum.
const ROUND: f64 = 6_755_399_441_055_744.0;
/// 1.5 · 2⁴⁸: adding it rounds |t| < 2⁴⁷ to a multiple of 1/16, whose sixteenths k are left in
/// the low bits of the sum.
pub(super) const ROUND_SIXTEENTHS: f64 = 422_212_465_065_984.0;

/// 2^(j/16) rounded to `f64` (bit patterns from mpmath: `scripts/gen_exp2_16_tables.py`).
pub(super) const EXP2_16_HI: [f64; 16] = [
    f64::from_bits(0x3FF0_0000_0000_0000),
    f64::from_bits(0x3FF0_B558_6CF9_890F),
    f64::from_bits(0x3FF1_72B8_3C7D_517B),
    f64::from_bits(0x3FF2_387A_6E75_6238),
    f64::from_bits(0x3FF3_06FE_0A31_B715),
    f64::from_bits(0x3FF3_DEA6_4C12_3422),
    f64::from_bits(0x3FF4_BFDA_D536_2A27),
    f64::from_bits(0x3FF5_AB07_DD48_5429),
    f64::from_bits(0x3FF6_A09E_667F_3BCD),
    f64::from_bits(0x3FF7_A114_73EB_0187),
    f64::from_bits(0x3FF8_ACE5_422A_A0DB),
    f64::from_bits(0x3FF9_C491_82A3_F090),
    f64::from_bits(0x3FFA_E89F_995A_D3AD),
    f64::from_bits(0x3FFC_199B_DD85_529C),
    f64::from_bits(0x3FFD_5818_DCFB_A487),
    f64::from_bits(0x3FFE_A4AF_A2A4_90DA),
];

/// 2^(j/16) − `EXP2_16_HI[j]`, rounded to `f64`.
pub(super) const EXP2_16_LO: [f64; 16] = [
    f64::from_bits(0x0000_0000_0000_0000),
    f64::from_bits(0x3C98_A62E_4ADC_610B),
    f64::from_bits(0xBC81_9041_B9D7_8A76),
    f64::from_bits(0x3C99_B07E_B6C7_0573),
    f64::from_bits(0x3C86_F46A_D231_82E4),
    f64::from_bits(0x3C8A_DA09_11F0_9EBC),
    f64::from_bits(0x3C7D_4397_AFEC_42E2),
    f64::from_bits(0x3C96_324C_0546_47AD),
    f64::from_bits(0xBC9B_DD34_13B2_6456),
    f64::from_bits(0xBC84_1577_EE04_992F),
    f64::from_bits(0x3C96_E9F1_5686_4B27),
    f64::from_bits(0x3C7C_7C46_B071_F2BE),
    f64::from_bits(0x3C97_A1CD_345D_CC81),
    f64::from_bits(0x3C81_1065_8950_48DD),
    f64::from_bits(0x3C82_ED02_D75B_3707),
    f64::from_bits(0xBC9E_9C23_179C_2893),
];

/// (the nearest integer k to t as f64, the same k as i64).
#[inline(always)]
fn round_to_int(t: f64) -> (f64, i64) {
    let shifted = t + ROUND;
    (shifted - ROUND, (shifted.to_bits() as i64).wrapping_sub(ROUND.to_bits() as i64))
}

/// 2^k for −1022 ≤ k ≤ 1023.
#[inline(always)]
fn pow2(k: i64) -> f64 {
    f64::from_bits((k.wrapping_add(1023) as u64) << 52)
}

/// `z` if `z ≥ floor` or NaN, else `floor`.
#[inline(always)]
fn clamp_below(z: f64, floor: f64) -> f64 {
    if z < floor {
        floor
    } else {
        z
    }
}

/// 1/d for d in [1, 2] to a relative error below 2⁻⁴⁷: an `f32` division refined by one
/// Newton step in `f64` (an `f64` division costs several times more).
#[inline(always)]
fn recip(d: f64) -> f64 {
    let y0 = f64::from(1.0_f32 / d as f32);
    y0.mul_add((-d).mul_add(y0, 1.0), y0)
}

/// e^z = (1 + pm1) · 2^k for z in [−200, 0], returned as (pm1, k, 2^k); pm1 has relative error
/// below 2⁻³¹ (Taylor polynomial of degree 8 on |r| ≤ ln2/2, truncation ≤ r⁹/9! < 2⁻³¹), and for
/// k = 0 it is e^z − 1 itself, without cancellation. Enough for results rounded to `f32`.
#[inline(always)]
fn exp_for_f32_parts(z: f64) -> (f64, f64, f64) {
    let (kf, k) = round_to_int(z * core::f64::consts::LOG2_E);
    let r = (-kf).mul_add(LN2_HI, z);
    let r = (-kf).mul_add(LN2_LO, r);
    // (e^r − 1)/r = 1 + r/2 + r²/6 + … + r⁷/8!
    const C: [f64; 8] = [
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
    ];
    let mut q = C[7];
    for &c in C[..7].iter().rev() {
        q = q.mul_add(r, c);
    }
    (r * q, kf, pow2(k))
}

/// e^z for z in [−200, 0] with relative error below 2⁻³¹.
#[inline(always)]
fn exp_for_f32(z: f64) -> f64 {
    let (pm1, _, scale) = exp_for_f32_parts(z);
    (1.0 + pm1) * scale
}

/// σ(x) for an `f32` input, evaluated in `f64` and rounded once.
///
/// With e = e^(−|x|) (relative error < 2⁻³¹) and 1/(1 + e) to 2⁻⁴⁷, the `f64` value is within
/// 2⁻³⁰ of σ(x) relatively, so the result is within 0.5 + 2⁻⁶ ulp (subnormal results included:
/// they are normal `f64` numbers until the final rounding).
#[inline(always)]
pub(super) fn sigmoid_f32(x: f32) -> f32 {
    let x = f64::from(x);
    // Below -200, e^z is far beneath the f32 range: clamping keeps 2^k normal. NaN passes.
    let e = exp_for_f32(clamp_below(-x.abs(), -200.0));
    let numerator = if x >= 0.0 { 1.0 } else { e };
    (numerator * recip(1.0 + e)) as f32
}

/// σ′(x) = e/(1 + e)² for an `f32` input, evaluated in `f64` and rounded once (as
/// [`sigmoid_f32`]: within 0.5 + 2⁻⁵ ulp).
#[inline(always)]
pub(super) fn sigmoid_derivative_f32(x: f32) -> f32 {
    let x = f64::from(x);
    let e = exp_for_f32(clamp_below(-x.abs(), -200.0));
    let y = recip(1.0 + e);
    (e * y * y) as f32
}

/// tanh x for an `f32` input, evaluated in `f64` and rounded once: with m = e^(−2|x|) − 1
/// (relative error below 2⁻²⁹, no cancellation near 0), tanh|x| = −m/(2 + m) to about 2⁻²⁸, so
/// the result is within 0.5 + 2⁻⁴ ulp.
#[inline(always)]
pub(super) fn tanh_f32(x: f32) -> f32 {
    let x = f64::from(x);
    let (pm1, k, scale) = exp_for_f32_parts(clamp_below(-2.0 * x.abs(), -200.0));
    let m = if k == 0.0 { pm1 } else { (1.0 + pm1).mul_add(scale, -1.0) };
    (-m * recip(2.0 + m)).copysign(x) as f32
}

/// tanh′ x = 4e/(1 + e)² with e = e^(−2|x|) for an `f32` input, evaluated in `f64` and rounded
/// once (within 0.5 + 2⁻⁵ ulp).
#[inline(always)]
pub(super) fn tanh_derivative_f32(x: f32) -> f32 {
    let x = f64::from(x);
    let e = exp_for_f32(clamp_below(-2.0 * x.abs(), -200.0));
    let y = recip(1.0 + e);
    (4.0 * e * y * y) as f32
}

/// softplus x = max(x, 0) + ln(1 + e) with e = e^(−|x|), for an `f32` input, evaluated in `f64`
/// and rounded once. ln(1 + e) = 2 atanh(s) with s = e/(2 + e) ∈ [0, 1/3], which keeps relative
/// accuracy for tiny e; the series 2s(1 + s²/3 + … + s²⁰/21) truncates below 2⁻³⁶, so the
/// result is within 0.5 + 2⁻⁵ ulp.
#[inline(always)]
pub(super) fn softplus_f32(x: f32) -> f32 {
    let x = f64::from(x);
    let e = exp_for_f32(clamp_below(-x.abs(), -200.0));
    // (2 + e)/2 is in [1, 1.5], the domain of `recip`.
    let s = e * 0.5 * recip(1.0 + 0.5 * e);
    let w = s * s;
    let mut p: f64 = 1.0 / 21.0;
    for k in (0..10).rev() {
        p = p.mul_add(w, 1.0 / f64::from(2 * k + 1));
    }
    let tail = 2.0 * s * p;
    // NaN reaches `tail` through e, so it propagates on either branch.
    (if x > 0.0 { x + tail } else { tail }) as f32
}

/// e^z for z in [−800, 0] in pieces with a relative error below 2⁻⁵⁶·⁹ (0.062u, u = 2⁻⁵³).
struct Exp {
    /// e^z = (hi + lo) · 2^k1 · 2^k2, hi in [0.7, 1.42], |lo| ≤ 1.5 ulp(hi).
    hi: f64,
    lo: f64,
    /// 2^k1 and 2^k2 with k1 + k2 = k, each normal (≥ 2⁻⁵⁷⁷).
    s1: f64,
    s2: f64,
    /// k as f64.
    k: f64,
    /// e^r − 1 = m1_hi + m1_lo (|m1_lo| ≤ ½ ulp(m1_hi)), which for k = 0 is e^z − 1 without
    /// cancellation, with a relative error below 0.13u.
    m1_hi: f64,
    m1_lo: f64,
}

/// e^z = 2^k · e^(r + r_lo), k = round(z/ln 2), |r| ≤ ln2/2 < 0.3466. Errors, in u = 2⁻⁵³:
/// - r_hi = z − k·LN2_HI is exact (|r_hi| < 0.35 and both terms are multiples of 2⁻⁵⁴ or
///   finer); r + r_lo = r_hi − k·LN2_LO by Fast2Sum (exact when |r_hi| ≥ |k·LN2_LO|, otherwise
///   |r| < 2⁻²¹ and the error is below 2⁻⁷⁴); the rounding of k·LN2_LO is below 2⁻⁷⁴.
/// - e^r − 1 = r + r²/2 + r³·P(r), the Taylor series to r¹⁴/14! (truncation < 2⁻⁶³).
///   r + r²/2 = a + a_lo exactly (r² = sq + sq_lo by FMA, then Fast2Sum as |r| ≥ r²/2); the
///   rest, with r_lo(1 + r) for e^(r_lo), is at most 0.0077 and is summed into a_lo with an
///   error below 0.043u (P to 1.6u, r³ to 2u, three roundings of sums below 0.0077).
/// - Normalised by Fast2Sum (|a| ≥ |rest|) into m1_hi + m1_lo, then 1 + m1 = hi + lo by
///   Fast2Sum (1 > |m1_hi|): exact up to one rounding of order 2⁻¹⁰⁶.
///
/// So hi + lo = e^r·(1 + ε), |ε| ≤ 0.043u/e^(−0.3466) < 0.062u. For k = 0 (r = z ≤ 0) the
/// error of m1, at most 0.036u, shrinks as |r|³ and |e^r − 1| as |r|: relatively at most
/// 0.036u/(1 − e^(−0.3466)) < 0.13u. Emulated bit for bit over 3·10⁵ inputs
/// (`scripts/reduction_error64.py`): 0.039u and 0.056u.
#[inline(always)]
fn exp_parts(z: f64) -> Exp {
    let (kf, k) = round_to_int(z * core::f64::consts::LOG2_E);
    let r_hi = (-kf).mul_add(LN2_HI, z);
    let corr = kf * LN2_LO;
    let r = r_hi - corr;
    let r_lo = (r_hi - r) - corr;
    // P(r) = 1/3! + r/4! + … + r¹¹/14!
    const P: [f64; 12] = [
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
        1.0 / 87_178_291_200.0,
    ];
    let mut p = P[11];
    for &c in P[..11].iter().rev() {
        p = p.mul_add(r, c);
    }
    let sq = r * r;
    let sq_lo = r.mul_add(r, -sq);
    let half_sq = 0.5 * sq;
    let a = r + half_sq;
    let rest = (r * sq).mul_add(p, 0.5f64.mul_add(sq_lo, r_lo.mul_add(r, r_lo)));
    let a_lo = ((r - a) + half_sq) + rest;
    let m1_hi = a + a_lo;
    let m1_lo = (a - m1_hi) + a_lo;
    let hi = 1.0 + m1_hi;
    let lo = ((1.0 - hi) + m1_hi) + m1_lo;
    let k1 = k >> 1;
    Exp { hi, lo, s1: pow2(k1), s2: pow2(k - k1), k: kf, m1_hi, m1_lo }
}

/// e^z = (hi + lo) · 2^k1 · 2^k2 for z in [−800, 0] (or NaN) from the 16-entry table, for σ
/// and σ′ (tanh needs e^z − 1 without cancellation, which [`exp_parts`] gives).
struct ScaledExp {
    /// hi in [0.97, 2.01], |lo| ≤ 2 ulp(hi).
    hi: f64,
    lo: f64,
    /// 2^k1 and 2^k2 with k1 + k2 = ⌊k/16⌋, each normal (≥ 2⁻⁵⁷⁸).
    s1: f64,
    s2: f64,
}

/// e^z = 2^⌊k/16⌋ · 2^(j/16) · e^r with k = round(16 z/ln 2), j = k mod 16, r = z − k·ln2/16,
/// |r| ≤ ln2/32 < 2⁻⁵·⁵². Errors, in u = 2⁻⁵³ (the derivation of the AVX-512 kernel, which
/// uses the same steps):
/// - r = z − (k/16)·LN2_HI (exact) − (k/16)·LN2_LO, rounded once: ≤ u·|r| ≤ 0.0217u in e^r.
/// - e^r − 1 = w = r + r²(1/2 + r/6 + … + r⁵/7!) (truncation < 2⁻⁵⁹·⁴ = 0.0142u), rounded once:
///   ≤ u·|w|/(1 + w) ≤ 0.0224u.
/// - hi = fl(T_hi(1 + w)), lo = its residual (FMA; T_hi − hi is exact) + T_lo: T_lo·w is
///   dropped, ≤ 0.0224u.
///
/// So hi + lo = e^z/2^⌊k/16⌋ · (1 + ε) with |ε| ≤ 0.081u (the largest of 3·10⁵ inputs emulated
/// bit for bit, `scripts/reduction_error64.py`: 0.054u).
#[inline(always)]
fn table_exp_parts(z: f64) -> ScaledExp {
    let shifted = z.mul_add(core::f64::consts::LOG2_E, ROUND_SIXTEENTHS);
    let n = shifted - ROUND_SIXTEENTHS;
    let k = (shifted.to_bits() as i64).wrapping_sub(ROUND_SIXTEENTHS.to_bits() as i64);
    let r = (-n).mul_add(LN2_HI, z);
    let r = (-n).mul_add(LN2_LO, r);
    let p = r.mul_add(1.0 / 5_040.0, 1.0 / 720.0);
    let p = p.mul_add(r, 1.0 / 120.0);
    let p = p.mul_add(r, 1.0 / 24.0);
    let p = p.mul_add(r, 1.0 / 6.0);
    let p = p.mul_add(r, 0.5);
    let w = (r * r).mul_add(p, r);
    let j = (k & 15) as usize;
    let (t_hi, t_lo) = (EXP2_16_HI[j], EXP2_16_LO[j]);
    let hi = t_hi.mul_add(w, t_hi);
    let lo = t_hi.mul_add(w, t_hi - hi) + t_lo;
    // ⌊k/16⌋ by an arithmetic shift.
    let scale = k >> 4;
    let k1 = scale >> 1;
    ScaledExp { hi, lo, s1: pow2(k1), s2: pow2(scale - k1) }
}

/// The parts of σ and σ′ at z = −|x| ∈ [−800, 0] (or NaN): (e^z, and 1 + e^z = d + d_lo with
/// y ≈ 1/d to 2⁻⁴⁷).
#[inline(always)]
fn sigmoid_parts(z: f64) -> (ScaledExp, [f64; 2], f64) {
    let e = table_exp_parts(z);
    // 2^k itself may be subnormal or 0, but then e^z is far below u relative to 1 + e^z.
    let scale = e.s1 * e.s2;
    // 1 + e as d + d_lo: 1 − d is exact (Sterbenz) and so is the FMA that adds hi·scale, the
    // rounding error of d; only the tiny lo·scale sum rounds.
    let d = e.hi.mul_add(scale, 1.0);
    let d_lo = e.lo.mul_add(scale, e.hi.mul_add(scale, 1.0 - d));
    (e, [d, d_lo], recip(d))
}

/// n / (d + d_lo) for n = n_hi + n_lo (both pairs nearly normalised: |lo| ≤ 2 ulp(hi)), given
/// y ≈ 1/d to 2⁻⁴⁷: one correction with the exact residual (FMA) leaves a relative error of
/// about 2⁻⁹⁴ before the final rounding.
#[inline(always)]
fn divide(n: [f64; 2], d: [f64; 2], y: f64) -> f64 {
    divide_pair(n, d, y)[0]
}

/// As [`divide`], also returning the rounding error of the quotient (q0 − q is exact, and the
/// FMA adds the remainder of the exact product).
#[inline(always)]
fn divide_pair(n: [f64; 2], d: [f64; 2], y: f64) -> [f64; 2] {
    let q0 = n[0] * y;
    let residual = (-q0).mul_add(d[0], n[0]) + (-q0).mul_add(d[1], n[1]);
    let q = residual.mul_add(y, q0);
    [q, residual.mul_add(y, q0 - q)]
}

/// σ(x) for `f64`: within 0.5 ulp of a value with relative error ≤ 0.081u + 2⁻⁹⁴ (u = 2⁻⁵³;
/// 0.055u emulated, `scripts/reduction_error64.py`), so ≤ 0.59 ulp for normal results and
/// ≤ 0.8 ulp for subnormal ones.
///
/// One division of a numerator chosen per element: 1/(1 + e) for x ≥ 0; for x < 0,
/// e/(1 + e) computed on the unscaled hi + lo and scaled by 2^k1 (exact) and then 2^k2 (the one
/// rounding, correct into the subnormal range).
#[inline(always)]
pub(super) fn sigmoid_f64(x: f64) -> f64 {
    // Below -800 the results are 0 or far beneath the subnormals. NaN passes through.
    let (e, d, y) = sigmoid_parts(clamp_below(-x.abs(), -800.0));
    let nonnegative = x >= 0.0;
    let numerator = if nonnegative { [1.0, 0.0] } else { [e.hi, e.lo] };
    let q = divide(numerator, d, y);
    if nonnegative {
        q
    } else {
        q * e.s1 * e.s2
    }
}

/// softplus x = max(x, 0) + ln(1 + e), e = e^(−|x|), for `f64`, the algorithm of the AVX-512
/// kernel (`softplus8` in [`super::avx512`]): s = e/(2 + e) as a pair of doubles, then
/// ln(1 + e) = 2 atanh(s) = 2s + 2s·w·Q(w) with w = s² ≤ 1/9 and Q(w) = Σ_{k≤16} w^k/(2k + 3),
/// added to max(x, 0) by TwoSum and rounded once: within 0.78 ulp (the budget of `softplus8`).
/// Below −40, ln(1 + e) rounds like e (one rounding where that is normal); above 37.5 the result
/// rounds to x. NaN propagates.
#[inline(always)]
pub(super) fn softplus_f64(x: f64) -> f64 {
    let (e, d, _) = sigmoid_parts(clamp_below(-x.abs(), -800.0));
    let scale = e.s1 * e.s2;
    // 2 + e = 1 + (d + d_lo), Fast2Sum with 1 ≤ d ≤ 2; (2 + e)/2 is in the domain of `recip`.
    let big_d = 1.0 + d[0];
    let big_d_lo = ((1.0 - big_d) + d[0]) + d[1];
    let y = 0.5 * recip(0.5 * big_d);
    let [s_hi, s_lo] = divide_pair([e.hi * scale, e.lo * scale], [big_d, big_d_lo], y);
    let w = s_hi * s_hi;
    let mut poly: f64 = 1.0 / 35.0;
    for k in (0..16).rev() {
        poly = poly.mul_add(w, 1.0 / f64::from(2 * k + 3));
    }
    let two_s = s_hi + s_hi;
    let rest = (two_s * w).mul_add(poly, s_lo + s_lo);
    // max(x, 0) + 2s exactly (TwoSum); a NaN x reaches the result through e.
    let positive = if x > 0.0 { x } else { 0.0 };
    let sum = positive + two_s;
    let v = sum - positive;
    let err = (positive - (sum - v)) + (two_s - v);
    let general = sum + (err + rest);
    if x < -40.0 {
        (e.hi + e.lo) * e.s1 * e.s2
    } else if x > 37.5 {
        x
    } else {
        general
    }
}

/// σ′(x) = e/(1 + e)² for `f64`: e/(1 + e) as a pair of doubles, divided again by 1 + e and
/// rounded once (relative error before that ≤ 0.081u + 2⁻⁹³), so ≤ 1 ulp.
#[inline(always)]
pub(super) fn sigmoid_derivative_f64(x: f64) -> f64 {
    let (e, d, y) = sigmoid_parts(clamp_below(-x.abs(), -800.0));
    let q = divide_pair([e.hi, e.lo], d, y);
    divide(q, d, y) * e.s1 * e.s2
}

/// tanh x for `f64`: with m = e^(−2|x|) − 1 as a pair of doubles (from e^r − 1 when k = 0, so
/// without cancellation near 0; relative error ≤ 0.13u, and ≤ 0.062u·e/(1 − e) ≤ 0.15u from
/// e − 1 when k ≠ 0), tanh|x| = −m/(2 + m), which scales that by 2/(2 + m) ≤ 1.17 where it
/// peaks, with one final rounding: ≤ 0.5 + 0.18 ulp.
#[inline(always)]
pub(super) fn tanh_f64(x: f64) -> f64 {
    // 2|x| may overflow to ∞; the clamp then gives tanh = 1.
    let e = exp_parts(clamp_below(-2.0 * x.abs(), -800.0));
    let e_hi = e.hi * e.s1 * e.s2;
    let e_lo = e.lo * e.s1 * e.s2;
    // e − 1 error-free for k ≠ 0 (Fast2Sum: 1 ≥ e).
    let c = e_hi - 1.0;
    let c_lo = ((-1.0 - c) + e_hi) + e_lo;
    let (m, m_lo) = if e.k == 0.0 { (e.m1_hi, e.m1_lo) } else { (c, c_lo) };
    // 2 + m in [1, 2], error-free (Fast2Sum: 2 > |m|).
    let d = 2.0 + m;
    let d_lo = ((2.0 - d) + m) + m_lo;
    divide([-m, -m_lo], [d, d_lo], recip(d)).copysign(x)
}

/// tanh′ x = 4e/(1 + e)² with e = e^(−2|x|) for `f64`: as [`sigmoid_derivative_f64`] at 2|x|,
/// the factor 4 applied before the final scaling, so ≤ 1 ulp.
#[inline(always)]
pub(super) fn tanh_derivative_f64(x: f64) -> f64 {
    let (e, d, y) = sigmoid_parts(clamp_below(-2.0 * x.abs(), -800.0));
    let q = divide_pair([e.hi, e.lo], d, y);
    (4.0 * divide(q, d, y)) * e.s1 * e.s2
}

/// Applies `f` element by element over the common length.
#[inline(always)]
pub(super) fn map<T: Copy>(h: &[T], out: &mut [T], f: impl Fn(T) -> T) {
    for (o, &x) in out.iter_mut().zip(h) {
        *o = f(x);
    }
}

/// Applies `f`, which returns two values, element by element over the common length.
#[inline(always)]
pub(super) fn map_pair<T: Copy>(h: &[T], out: &mut [T], slope: &mut [T], f: impl Fn(T) -> (T, T)) {
    for ((o, s), &x) in out.iter_mut().zip(slope.iter_mut()).zip(h) {
        (*o, *s) = f(x);
    }
}

/// (σ(x), σ′(x)) for an `f32` input from one e^(−|x|) and one reciprocal: the operations of
/// [`sigmoid_f32`] and [`sigmoid_derivative_f32`], so bit-identical to them.
#[inline(always)]
pub(super) fn sigmoid_with_derivative_f32(x: f32) -> (f32, f32) {
    let x = f64::from(x);
    let e = exp_for_f32(clamp_below(-x.abs(), -200.0));
    let y = recip(1.0 + e);
    let numerator = if x >= 0.0 { 1.0 } else { e };
    ((numerator * y) as f32, (e * y * y) as f32)
}

/// (σ(x), σ′(x)) for `f64` from one e^(−|x|): e/(1 + e) as a pair of doubles serves both σ(x)
/// for x < 0 and σ′(x); the operations of [`sigmoid_f64`] and [`sigmoid_derivative_f64`], so
/// bit-identical to them.
#[inline(always)]
pub(super) fn sigmoid_with_derivative_f64(x: f64) -> (f64, f64) {
    let (e, d, y) = sigmoid_parts(clamp_below(-x.abs(), -800.0));
    let positive = divide([1.0, 0.0], d, y);
    let q = divide_pair([e.hi, e.lo], d, y);
    let negative = q[0] * e.s1 * e.s2;
    let derivative = divide(q, d, y) * e.s1 * e.s2;
    (if x >= 0.0 { positive } else { negative }, derivative)
}

/// δᵢ = (yᵢ − σ(hᵢ))·σ′(hᵢ) for `f32` over the common length, σ and σ′ from
/// [`sigmoid_with_derivative_f32`] (one e^(−|h|) per element, bit-identical to [`sigmoid_f32`]
/// and [`sigmoid_derivative_f32`]).
#[inline(always)]
pub(super) fn sigmoid_error_terms_f32(y: &[f32], h: &[f32], delta: &mut [f32]) {
    for ((d, &target), &x) in delta.iter_mut().zip(y).zip(h) {
        let (f, slope) = sigmoid_with_derivative_f32(x);
        *d = (target - f) * slope;
    }
}

/// As [`sigmoid_error_terms_f32`] for `f64`, with [`sigmoid_with_derivative_f64`].
#[inline(always)]
pub(super) fn sigmoid_error_terms_f64(y: &[f64], h: &[f64], delta: &mut [f64]) {
    for ((d, &target), &x) in delta.iter_mut().zip(y).zip(h) {
        let (f, slope) = sigmoid_with_derivative_f64(x);
        *d = (target - f) * slope;
    }
}

/// From this many bytes of `y` on, [`axpy`] aligns its stores (8 KiB: 1 Ki `f64`, where that
/// made `gradient_step` about 15 % faster on Zen 4, see docs/benchmark-log.md; at 1 Ki `f32` the
/// scalar head of up to 15 elements cost as much as it saved). From the same length on, the
/// x86 dispatcher runs `axpy` in 256-bit vectors (`axpy_level` in `x86.rs`).
pub(super) const ALIGN_FROM_BYTES: usize = 8192;

/// yᵢ ← yᵢ + a·xᵢ, rounded exactly as the scalar loop (no FMA).
#[inline(always)]
pub(super) fn axpy<T: Copy + core::ops::Add<Output = T> + core::ops::Mul<Output = T>>(
    y: &mut [T],
    a: T,
    x: &[T],
) {
    let n = y.len().min(x.len());
    // On long slices, the elements before y's first 64-byte boundary apart, so that the vector
    // loop's stores do not straddle two cache lines each (short ones, such as the rows of an
    // epoch, would lose more to the scalar head).
    let head =
        if n * size_of::<T>() >= ALIGN_FROM_BYTES { y.as_ptr().align_offset(64).min(n) } else { 0 };
    let (y_head, y_body) = y[..n].split_at_mut(head);
    let (x_head, x_body) = x[..n].split_at(head);
    for (yi, &xi) in y_head.iter_mut().zip(x_head) {
        *yi = *yi + a * xi;
    }
    for (yi, &xi) in y_body.iter_mut().zip(x_body) {
        *yi = *yi + a * xi;
    }
}

/// yᵢ ← a·xᵢ.
#[inline(always)]
pub(super) fn scale_into<T: Copy + core::ops::Mul<Output = T>>(y: &mut [T], a: T, x: &[T]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = a * xi;
    }
}

/// Sums an array of partial sums pairwise (the lane count is a power of two).
#[inline(always)]
fn pairwise<T: Copy + core::ops::AddAssign, const N: usize>(mut acc: [T; N]) -> T {
    let mut n = N;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            acc[i] += acc[i + n];
        }
    }
    acc[0]
}

/// Σ aᵢbᵢ over the common length in `f32` with 64 independent FMA accumulators (four 512-bit
/// registers), summed pairwise: accumulator i takes the products i, i + 64, i + 128, …
#[inline(always)]
pub(super) fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    pairwise(dot_sums::<f32, 64>(a, b))
}

/// Σ aᵢbᵢ over the common length in `f64` with 32 independent FMA accumulators, as
/// [`dot_f32`].
#[inline(always)]
pub(super) fn dot_f64(a: &[f64], b: &[f64]) -> f64 {
    pairwise(dot_sums::<f64, 32>(a, b))
}

/// The `N` accumulators of [`dot_f32`] and [`dot_f64`]: acc_i ← fma(aⱼ, bⱼ, acc_i) for every
/// j ≡ i (mod `N`) in order, the last partial chunk included.
///
/// Summed one after another instead, the last n mod `N` products would form a dependency chain
/// of up to `N` − 1 FMAs (50–70 ns for 63 `f32` elements) with up to `N` + 6 roundings. The
/// row kernels of `avx512_rows.rs` and `avx2_rows.rs` take the last chunk by masked loads, with
/// the same operations and bits.
#[inline(always)]
fn dot_sums<T: Fma + Default, const N: usize>(a: &[T], b: &[T]) -> [T; N] {
    let n = a.len().min(b.len());
    let (ca, cb) = (a[..n].chunks_exact(N), b[..n].chunks_exact(N));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    let mut acc = [T::default(); N];
    for (x, y) in ca.zip(cb) {
        for i in 0..N {
            acc[i] = x[i].fma(y[i], acc[i]);
        }
    }
    // Into acc[i] itself, as the definition requires (unlike the tail of the wide sum of
    // squares below, which valgrind needs apart; memcheck passes on this loop). Constant
    // indices (the loop unrolls), so that the accumulators stay in registers.
    for (i, acc) in acc.iter_mut().enumerate() {
        if let (Some(&x), Some(&y)) = (ta.get(i), tb.get(i)) {
            *acc = x.fma(y, *acc);
        }
    }
    acc
}

/// `mul_add` of `f32` and `f64` (one rounding), for code generic over both.
trait Fma: Copy + core::ops::AddAssign {
    /// self·a + b, rounded once.
    fn fma(self, a: Self, b: Self) -> Self;
}

impl Fma for f32 {
    #[inline(always)]
    fn fma(self, a: f32, b: f32) -> f32 {
        self.mul_add(a, b)
    }
}

impl Fma for f64 {
    #[inline(always)]
    fn fma(self, a: f64, b: f64) -> f64 {
        self.mul_add(a, b)
    }
}

/// The element types with a multi-accumulator dot product: [`dot_f32`] and [`dot_f64`]. A
/// trait rather than a function parameter, so that the dot product is always inlined into the
/// caller and compiled with its target features.
pub(super) trait Dot:
    Copy + core::ops::Add<Output = Self> + core::ops::Mul<Output = Self>
{
    /// Σ aᵢbᵢ.
    fn dot(a: &[Self], b: &[Self]) -> Self;
}

impl Dot for f32 {
    #[inline(always)]
    fn dot(a: &[f32], b: &[f32]) -> f32 {
        dot_f32(a, b)
    }
}

impl Dot for f64 {
    #[inline(always)]
    fn dot(a: &[f64], b: &[f64]) -> f64 {
        dot_f64(a, b)
    }
}

/// `out[r]` = [`Dot::dot`]`(row r of x, w)` for the rows of `x` (each `w.len()` long), so that
/// every value is bit-identical to a separate call per row.
#[inline(always)]
pub(super) fn net_inputs<T: Dot>(x: &[T], w: &[T], out: &mut [T]) {
    if w.is_empty() {
        return;
    }
    for (o, row) in out.iter_mut().zip(x.chunks_exact(w.len())) {
        *o = T::dot(row, w);
    }
}

/// g ← g + Σ_r a\[r\]·(row r of x) for the rows of `x` (each `g.len()` long), in row order with a
/// separate multiply and add per term, bit-identical to one [`axpy`] per row. Columns are
/// taken `C` at a time and kept in registers across the rows, so `g` is loaded and stored once
/// per call instead of once per row.
#[inline(always)]
pub(super) fn add_weighted_rows<T, const C: usize>(g: &mut [T], a: &[T], x: &[T])
where
    T: Copy + core::ops::Add<Output = T> + core::ops::Mul<Output = T>,
{
    let d = g.len();
    if d == 0 {
        return;
    }
    let mut columns = g.chunks_exact_mut(C);
    for (c, g_chunk) in columns.by_ref().enumerate() {
        let mut acc: [T; C] = core::array::from_fn(|i| g_chunk[i]);
        for (row, &ai) in x.chunks_exact(d).zip(a) {
            let part = &row[c * C..(c + 1) * C];
            for i in 0..C {
                acc[i] = acc[i] + ai * part[i];
            }
        }
        g_chunk.copy_from_slice(&acc);
    }
    let tail = columns.into_remainder();
    let start = d - tail.len();
    if !tail.is_empty() {
        for (row, &ai) in x.chunks_exact(d).zip(a) {
            axpy(tail, ai, &row[start..]);
        }
    }
}

/// Row `i` of `x` (rows of `d` elements), or an empty slice if it is out of range.
#[inline(always)]
fn listed_row<T>(x: &[T], d: usize, i: usize) -> &[T] {
    x.get(i.saturating_mul(d)..).and_then(|rest| rest.get(..d)).unwrap_or_default()
}

/// `out[r]` = [`Dot::dot`]`(row rows[r] of x, w)` (rows of `w.len()` elements), bit-identical
/// to a separate call per row. The rows [`PREFETCH_RECORDS`](super::PREFETCH_RECORDS)
/// positions later in `rows`, and then in `ahead`, are prefetched meanwhile.
#[inline(always)]
pub(super) fn net_inputs_listed<T: Dot>(
    x: &[T],
    rows: &[usize],
    ahead: &[usize],
    w: &[T],
    out: &mut [T],
) {
    let d = w.len();
    if d == 0 {
        return;
    }
    let mut upcoming = rows.iter().chain(ahead).skip(super::PREFETCH_RECORDS);
    for (o, &i) in out.iter_mut().zip(rows) {
        if let Some(&next) = upcoming.next() {
            prefetch_lines(listed_row(x, d, next));
        }
        *o = T::dot(listed_row(x, d, i), w);
    }
}

/// g ← g + Σ_r a\[r\]·(row rows\[r\] of x) (rows of `g.len()` elements), in the order of `rows`,
/// bit-identical to one [`axpy`] per row; `C` columns at a time in registers, as
/// [`add_weighted_rows`].
#[inline(always)]
pub(super) fn add_listed_rows<T, const C: usize>(g: &mut [T], a: &[T], x: &[T], rows: &[usize])
where
    T: Copy + core::ops::Add<Output = T> + core::ops::Mul<Output = T>,
{
    let d = g.len();
    if d == 0 {
        return;
    }
    let mut columns = g.chunks_exact_mut(C);
    for (c, g_chunk) in columns.by_ref().enumerate() {
        let mut acc: [T; C] = core::array::from_fn(|i| g_chunk[i]);
        for (&i, &ai) in rows.iter().zip(a) {
            if let Some(part) = listed_row(x, d, i).get(c * C..(c + 1) * C) {
                for k in 0..C {
                    acc[k] = acc[k] + ai * part[k];
                }
            }
        }
        g_chunk.copy_from_slice(&acc);
    }
    let tail = columns.into_remainder();
    let start = d - tail.len();
    if !tail.is_empty() {
        for (&i, &ai) in rows.iter().zip(a) {
            axpy(tail, ai, listed_row(x, d, i).get(start..).unwrap_or_default());
        }
    }
}

/// Asks for the cache lines of `s` to be brought into L1 (a hint: no load, no fault).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) fn prefetch_lines<T>(s: &[T]) {
    prefetch_bytes(s.as_ptr().cast(), core::mem::size_of_val(s));
}

/// Asks for the cache lines of the `bytes` bytes from `start` to be brought into L1. Any
/// address will do: a prefetch neither reads nor writes memory as far as the program is
/// concerned, and cannot fault.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) fn prefetch_bytes(start: *const i8, bytes: usize) {
    use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    const LINE: usize = 64;
    for offset in (0..bytes).step_by(LINE) {
        // SAFETY: SSE is part of the x86-64 baseline, and a prefetch of any address is sound.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset)) };
    }
}

/// No prefetch elsewhere (the aarch64 prefetch intrinsic is not stable yet); the rows are read
/// in order, which the hardware prefetcher follows.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(super) fn prefetch_lines<T>(_: &[T]) {}

/// 1.0 as a value the optimiser cannot see, for [`sub_by_fma`]. Were it seen, LLVM would fold
/// the FMA by one back into an addition (the same result); the loops stay correct either way,
/// only slower on AMD Zen 4.
#[inline(always)]
pub(super) fn opaque_one() -> f64 {
    core::hint::black_box(1.0)
}

/// a − b rounded once, as the FMA a·`one` − b with `one` = 1.0 (see [`opaque_one`]): the same
/// result as `a - b`, but issued to the multiply pipes. Zen 4 runs additions on two of its four
/// floating-point pipes and FMAs on the other two, so the error-free transformations of the
/// `sse` loops, mostly additions, run faster with some of them as FMAs (the `f64` loop
/// 1.3–1.5× on Zen 4, see docs/benchmark-log.md). Intel cores issue both to the same ports.
#[inline(always)]
fn sub_by_fma(a: f64, b: f64, one: f64) -> f64 {
    a.mul_add(one, -b)
}

/// Σ (aᵢ − bᵢ)² for `f32` data in `f64`: each difference is exact in `f64`, each square and sum
/// rounds with relative error 2⁻⁵³, over 32 lanes, so for n ≤ 10⁸ the `f64` total is within
/// (n/32 + 6)·2⁻⁵³ ≪ 2⁻²⁴ relatively and its rounding to `f32` is faithful.
#[inline(always)]
pub(super) fn sum_squared_diff_wide_f32(a: &[f32], b: &[f32]) -> f64 {
    const N: usize = 32;
    // Over the common length, as the `f64` kernel: the remainders below are taken apart.
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0_f64; N];
    let (ca, cb) = (a.chunks_exact(N), b.chunks_exact(N));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    let one = opaque_one();
    for (x, y) in ca.zip(cb) {
        for i in 0..N {
            let r = sub_by_fma(f64::from(x[i]), f64::from(y[i]), one);
            acc[i] = r.mul_add(r, acc[i]);
        }
    }
    // The last partial chunk: its whole groups of 8 into their lanes (element i into lane
    // i mod 32, as in the chunks), by full vectors; `g` is a constant in the unrolled loop, so
    // the sums stay in registers. The rest, at most 7, into an accumulator of its own: folding
    // single elements into acc[i] makes LLVM emit scalar FMAs into the low lane of a vector
    // register, which valgrind 3.19 emulates wrongly (it loses the register's other lanes).
    // With the whole tail in that one chain, `sse` on 31 elements took 35 ns against 8 on 32.
    const GROUP: usize = 8;
    let groups = ta.len() / GROUP;
    for g in 0..N / GROUP {
        if g < groups {
            let (x, y) = (&ta[g * GROUP..(g + 1) * GROUP], &tb[g * GROUP..(g + 1) * GROUP]);
            for i in 0..GROUP {
                let r = sub_by_fma(f64::from(x[i]), f64::from(y[i]), one);
                acc[g * GROUP + i] = r.mul_add(r, acc[g * GROUP + i]);
            }
        }
    }
    let mut tail = 0.0;
    for (&x, &y) in ta[groups * GROUP..].iter().zip(&tb[groups * GROUP..]) {
        let r = f64::from(x) - f64::from(y);
        tail = r.mul_add(r, tail);
    }
    acc[0] += tail;
    pairwise(acc)
}

/// a − b as d + d_lo exactly: TwoSum, d = a − b, v = d − a, d_lo = (a − (d − v)) − (b + v)
/// (−b − v written −(b + v), which rounds the same), with three of its six additions as FMAs by
/// `one`, or two if not `third_by_fma` (bit-identical either way; see [`sub_by_fma`]).
#[inline(always)]
pub(super) fn difference_parts_by_fma(a: f64, b: f64, one: f64, third_by_fma: bool) -> (f64, f64) {
    let d = sub_by_fma(a, b, one);
    let v = d - a;
    let rounded_part = if third_by_fma { sub_by_fma(d, v, one) } else { d - v };
    (d, sub_by_fma(a, rounded_part, one) - (b + v))
}

/// s + lo ← s + lo + d², with t = fl(s + d²) in one FMA and its rounding error s + d² − t
/// carried to `lo` as e1 + e2 (for s, d² ≥ 0):
/// - u = t − s, v = t − u and e1 = s − v. If t ≤ 2s, u = t − s exactly (Sterbenz), v = s and
///   e1 = 0. Otherwise t − s > t/2, so u ≥ t/2 and v = t − u is exact (t and u are multiples of
///   ulp(u)/2 and t − u ≤ t/2), and e1 = u − (t − s), the rounding error of u, is a float and
///   exact.
/// - e2 = fl(d² − u) by FMA. In both cases e1 + (d² − u) = s + d² − t exactly, and
///   |d² − u| ≤ ulp(t), so e2 rounds it with an error below 2⁻⁵³·ulp(t) ≤ 2⁻¹⁰⁵·t.
///
/// Seven operations where TwoSum over the rounded square takes nine (the square, TwoSum's six,
/// the square's own error d² − fl(d²), which e2 includes, and one more addition to `lo`);
/// e1 runs as an FMA by `one` (see [`sub_by_fma`]).
#[inline(always)]
fn add_exact_square(s: &mut f64, lo: &mut f64, d: f64, one: f64) {
    let t = d.mul_add(d, *s);
    let u = t - *s;
    let v = t - u;
    let e1 = sub_by_fma(*s, v, one);
    let e2 = d.mul_add(d, -u);
    *s = t;
    *lo += e1 + e2;
}

/// [`add_exact_square`] without e1, for a caller that shows t ≤ 2s: then t − s is exact
/// (Sterbenz, as s ≤ t), and [`add_exact_square`] would find u = t − s, v = s and e1 = 0, so
/// both leave the same s and lo. Four operations.
#[inline(always)]
fn add_square_given_small(s: &mut f64, lo: &mut f64, d: f64) {
    let t = d.mul_add(d, *s);
    let u = t - *s;
    *s = t;
    *lo += d.mul_add(d, -u);
}

/// Lanes of [`sum_squared_diff_parts_f64`].
pub(super) const SQUARE_LANES: usize = 16;

/// Vectors of [`SQUARE_LANES`] per block whose e1 terms are shown to be 0 at once.
pub(super) const SQUARE_BLOCK: usize = 8;

/// The most blocks [`sum_squared_diff_parts_f64`] sums the long way after a failed check
/// before it tries the short step again.
const SQUARE_MAX_WAIT: usize = 64;

/// Every lane's sum in [`sum_squared_diff_parts_f64`] starts at this multiple of the sum of the
/// first [`SQUARE_LANES`] squares (a power of two, so the scaling is exact): large enough that
/// the 8 terms a block adds to a lane seldom double its sum on uniform or normal residuals
/// (tested), small enough to keep the second-order error terms within a factor 65.
const SQUARE_OFFSET_SCALE: f64 = 4.0;

/// The largest sum of the first squares that [`square_offset`] scales; above it the offset is 0,
/// so that it cannot bring an overflow of its own.
const SQUARE_OFFSET_MAX: f64 = 1e250;

/// The offset every lane of [`sum_squared_diff_parts_f64`] starts from: [`SQUARE_OFFSET_SCALE`]
/// times the sum of the first [`SQUARE_LANES`] squares fl(aᵢ − bᵢ)² (0 for fewer elements, and
/// where that sum is NaN, ∞ or above [`SQUARE_OFFSET_MAX`]).
///
/// Without it a lane's sum is young for its first blocks: a block of 8 terms easily more than
/// doubles a sum of 8 or 16, so the check of the short step failed there and the first three
/// blocks (3/8 of an input of 1 Ki) ran the long way. Started at a multiple of the terms' size,
/// every lane's sum passes the check from the first block on typical data. Any value keeps the
/// result exact (the offset only joins the running sums, whose rounding errors are all kept, and
/// leaves by one FastTwoSum per lane); its size only scales the second-order error terms, by at
/// most 1 + 16·4 = 65, as the 16 lanes' offsets add up to 64 times a part of the total. The
/// largest of those, the rounding of `lo` itself, is at most u²·m²/2 per lane for m terms per
/// lane (|lo| grows by at most u·t per step, u = 2⁻⁵³), so at most 65·u²·(n/16)²/2·S in all:
/// below 2⁻⁵⁵·S for n ≤ 10⁸, under the 2⁻⁵⁴·S that faithful rounding leaves.
#[inline(always)]
pub(super) fn square_offset(a: &[f64], b: &[f64]) -> f64 {
    let (Some(a), Some(b)) = (a.first_chunk::<SQUARE_LANES>(), b.first_chunk::<SQUARE_LANES>())
    else {
        return 0.0;
    };
    let squares: [f64; SQUARE_LANES] = core::array::from_fn(|i| (a[i] - b[i]) * (a[i] - b[i]));
    let first = pairwise(squares);
    // Also 0 for a NaN sum, which fails the comparison.
    if first <= SQUARE_OFFSET_MAX {
        SQUARE_OFFSET_SCALE * first
    } else {
        0.0
    }
}

/// The running sums of [`sum_squared_diff_parts_f64`], per lane: Σ d² as `s` + `lo` and
/// Σ d·d_lo as `cross`.
#[derive(Clone, Copy)]
pub(super) struct SquareSums {
    pub(super) s: [f64; SQUARE_LANES],
    pub(super) lo: [f64; SQUARE_LANES],
    pub(super) cross: [f64; SQUARE_LANES],
}

impl SquareSums {
    /// Every lane's `s` at `offset`, the other sums 0.
    #[inline(always)]
    pub(super) fn starting_at(offset: f64) -> Self {
        Self { s: [offset; SQUARE_LANES], lo: [0.0; SQUARE_LANES], cross: [0.0; SQUARE_LANES] }
    }

    /// Adds (aᵢ − bᵢ)² over whole vectors of [`SQUARE_LANES`] elements.
    #[inline(always)]
    pub(super) fn add_exact(&mut self, a: &[f64], b: &[f64], one: f64) {
        self.add::<false>(a, b, one);
    }

    /// As [`Self::add_exact`] with [`add_square_given_small`]: bit-identical to it if
    /// [`Self::at_most_doubled_since`] the sums before, otherwise to be discarded.
    #[inline(always)]
    pub(super) fn add_short(&mut self, a: &[f64], b: &[f64], one: f64) {
        self.add::<true>(a, b, one);
    }

    /// The loop of [`Self::add_exact`] and [`Self::add_short`], the step chosen at compile time.
    ///
    /// The long step takes 7 FMAs and 7 additions per element. The short one takes 6 and 5 with
    /// three of the difference's additions as FMAs by one, 5 and 6 with two; so the upper half
    /// of its lanes takes two: 11 and 11 for a pair of lanes, where either form alone makes 12
    /// of one kind wait for Zen 4's two pipes of that kind (see [`sub_by_fma`]).
    #[inline(always)]
    fn add<const SHORT: bool>(&mut self, a: &[f64], b: &[f64], one: f64) {
        const N: usize = SQUARE_LANES;
        for (x, y) in a.chunks_exact(N).zip(b.chunks_exact(N)) {
            for i in 0..N {
                let (d, d_lo) = difference_parts_by_fma(x[i], y[i], one, !SHORT || i < N / 2);
                if SHORT {
                    add_square_given_small(&mut self.s[i], &mut self.lo[i], d);
                } else {
                    add_exact_square(&mut self.s[i], &mut self.lo[i], d, one);
                }
                self.cross[i] = d.mul_add(d_lo, self.cross[i]);
            }
        }
    }

    /// The sum of all lanes as (total, comp), their `offset` taken off: compensated, before its
    /// last rounding, as [`sum_squared_diff_parts_f64`] returns it.
    #[inline(always)]
    pub(super) fn total(self, offset: f64) -> (f64, f64) {
        const N: usize = SQUARE_LANES;
        let Self { mut s, mut lo, cross } = self;
        // The offset off each lane exactly, s − offset = t + err: FastTwoSum, as no lane's sum
        // is below the offset it started from.
        for i in 0..N {
            let (t, err) = fast_two_sum(s[i], -offset);
            s[i] = t;
            lo[i] = 2.0_f64.mul_add(cross[i], lo[i]) + err;
        }
        // The lanes in a pairwise tree of TwoSums, whose levels vectorise (the sequential sum
        // of 16 lanes cost about a tenth of the time at 1 Ki elements).
        let mut width = N / 2;
        while width > 0 {
            for i in 0..width {
                let (t, err) = two_sum(s[i], s[i + width]);
                s[i] = t;
                lo[i] = lo[i] + lo[i + width] + err;
            }
            width /= 2;
        }
        (s[0], lo[0])
    }

    /// Whether no lane's sum more than doubled since `before`, which makes the steps of
    /// [`Self::add_short`] in between exact.
    ///
    /// Each step's increase t − s is ≥ 0 and the increases add up to the block's, s_end −
    /// s_start; so if s_end ≤ 2·s_start, no step's increase exceeds s_start, nor the sum s
    /// before that step, and t ≤ 2s. The check s_end − s_start ≤ s_start is that comparison
    /// exactly: the subtraction is exact where s_end ≤ 2·s_start (Sterbenz), and otherwise
    /// s_end ≥ 2·s_start + 2 ulp(s_start), so its rounded result still exceeds s_start. ∞ and
    /// NaN sums fail it.
    #[inline(always)]
    pub(super) fn at_most_doubled_since(&self, before: &Self) -> bool {
        let mut small = true;
        for (&end, &start) in self.s.iter().zip(&before.s) {
            small &= end - start <= start;
        }
        small
    }
}

/// Σ (aᵢ − bᵢ)² for `f64`, as if summed in doubled precision (a compensated sum of exact squares,
/// after Ogita, Rump and Oishi's Sum2). Each difference is split exactly by TwoSum into
/// d + d_lo, so (a − b)² = d² + 2·d·d_lo + d_lo², of which d_lo² (below 2⁻¹⁰⁶ of the square) is
/// dropped. In each of 16 lanes d² joins a compensated sum `s` whose rounding errors go to `lo`
/// ([`add_exact_square`]), and `cross` collects d·d_lo, doubled once at the end. All terms are
/// ≥ 0, so the total error is ≤ 2⁻⁵³·S + O(n·2⁻¹⁰⁵)·S and the result is faithfully rounded
/// (the starting offset below scales the second-order part by at most 65).
///
/// Speed: once each lane's sum is large against the terms still to come, part of the
/// compensation is known to be 0. Blocks of [`SQUARE_BLOCK`] vectors run the shorter step
/// ([`SquareSums::add_short`], 11 operations per element against 14) and check at their end
/// that no lane's sum more than doubled; a block that fails is summed again the long way from
/// its start, so the result is the same bits either way. So that the first blocks pass too,
/// every lane starts at an offset of the terms' size ([`square_offset`]), taken off exactly at
/// the end. After a failure the next blocks take the long step directly, 1, 2, 4, … up to 64
/// of them while failures continue, so terms that keep outgrowing everything before them in
/// their lane (growing geometrically) cost little more than the long step. Two or three of the
/// difference's additions run as FMAs by one, so that both steps split their operations evenly
/// between Zen 4's adding and multiplying pipes (see [`SquareSums::add`] and [`sub_by_fma`]).
///
/// Returned before the last rounding: the compensated sum `total` and its error term `comp`,
/// whose sum is the faithfully rounded result when finite. An ∞ or NaN term, or overflow, turns
/// `comp` into NaN (∞ − ∞), and `total` is then the IEEE result of the plain sum: NaN for NaN
/// or ∞ − ∞ inputs, otherwise +∞ (no term is negative, so the lanes never meet −∞).
///
/// With `ahead` > 0, the block `ahead` elements past each block is prefetched while that block
/// is summed (see `sse_prefetch_ahead` in [`super`]); the result does not depend on it.
#[inline(always)]
pub(super) fn sum_squared_diff_parts_f64(a: &[f64], b: &[f64], ahead: usize) -> (f64, f64) {
    sum_squared_diff_parts_f64_steps(a, b, true, ahead)
}

/// [`sum_squared_diff_parts_f64`], with the shorter step tried only if `try_short`: the same
/// bits either way.
#[inline(always)]
pub(super) fn sum_squared_diff_parts_f64_steps(
    a: &[f64],
    b: &[f64],
    try_short: bool,
    ahead: usize,
) -> (f64, f64) {
    const N: usize = SQUARE_LANES;
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let one = opaque_one();
    let offset = square_offset(a, b);
    let mut sums = SquareSums::starting_at(offset);
    // Blocks as ranges rather than `chunks_exact`: a block length known at compile time lets
    // LLVM unroll the block's vectors completely and interleave them, which spilled registers.
    let whole = n - n % N;
    // Blocks to sum the long way before the next try of the short step, and that wait after the
    // next failed try: doubled on each failure in a row, so that terms that keep outgrowing
    // their sums cost little more than the long step alone.
    let (mut wait, mut backoff) = (0_usize, 1_usize);
    let mut start = 0;
    while start < whole {
        let end = whole.min(start + N * SQUARE_BLOCK);
        if ahead > 0 {
            let later = start.saturating_add(ahead)..end.saturating_add(ahead);
            prefetch_lines(a.get(later.clone()).unwrap_or_default());
            prefetch_lines(b.get(later).unwrap_or_default());
        }
        let (x, y) = (&a[start..end], &b[start..end]);
        if !try_short || wait > 0 {
            wait = wait.saturating_sub(1);
            sums.add_exact(x, y, one);
        } else {
            let before = sums;
            sums.add_short(x, y, one);
            if sums.at_most_doubled_since(&before) {
                backoff = 1;
            } else {
                sums = before;
                sums.add_exact(x, y, one);
                wait = backoff;
                backoff = (2 * backoff).min(SQUARE_MAX_WAIT);
            }
        }
        start = end;
    }
    let (mut total, mut comp) = sums.total(offset);
    for (&x, &y) in a[whole..].iter().zip(&b[whole..]) {
        let (d, d_lo) = difference_parts_by_fma(x, y, one, true);
        add_exact_square(&mut total, &mut comp, d, one);
        comp = (2.0 * d).mul_add(d_lo, comp);
    }
    (total, comp)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The points of tests/data/exp_f64.txt (mpmath, by scripts/exp_reference.py) down to
    /// z = −600, where both halves of e^z = M_hi + M_lo are normal: (z, M_hi, M_lo).
    fn exp_table() -> Vec<(f64, f64, f64)> {
        use crate::accurate::from_hex as hex;
        let table = include_str!("../../tests/data/exp_f64.txt");
        let rows: Vec<_> = table
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|line| {
                let f: Vec<&str> = line.split_whitespace().collect();
                let scale = pow2(f[1].parse().unwrap());
                (hex(f[0]), hex(f[2]) * scale, hex(f[3]) * scale)
            })
            .filter(|&(z, _, _)| z >= -600.0)
            .collect();
        assert!(rows.len() > 1000, "the table was read");
        rows
    }

    /// |(hi + lo)·S − M| / M for hi·S within a factor of two of M_hi, so hi·S − M_hi is exact.
    fn relative_error(hi: f64, lo: f64, scale: f64, m_hi: f64, m_lo: f64) -> f64 {
        (((hi * scale - m_hi) + (lo * scale - m_lo)) / m_hi).abs()
    }

    /// [`exp_parts`] within its documented 0.062u of e^z, and for k = 0 its e^z − 1 within
    /// 0.13u (where the table's e^z − 1, computed as (M_hi − 1) + M_lo, is exact to about 2⁻¹⁰⁶
    /// absolute, so from |z| ≥ 2⁻⁴⁰ on).
    #[test]
    fn exp_parts_is_within_its_bound_of_mpmath() {
        let u = f64::EPSILON / 2.0;
        let (mut worst, mut worst_m1) = (0.0_f64, 0.0_f64);
        for (z, m_hi, m_lo) in exp_table() {
            let e = exp_parts(z);
            let relative = relative_error(e.hi, e.lo, e.s1 * e.s2, m_hi, m_lo);
            assert!(relative < 0.062 * u, "z = {z:e}: {:.4}u", relative / u);
            worst = worst.max(relative);
            if e.k == 0.0 && z.abs() >= pow2(-40) {
                let (want_hi, want_lo) = (m_hi - 1.0, m_lo);
                let relative = (((e.m1_hi - want_hi) + (e.m1_lo - want_lo)) / want_hi).abs();
                assert!(relative < 0.13 * u, "z = {z:e}: e^z − 1 {:.4}u", relative / u);
                worst_m1 = worst_m1.max(relative);
            }
        }
        println!("exp_parts: {:.4}u, e^z − 1 for k = 0: {:.4}u", worst / u, worst_m1 / u);
        assert!(worst_m1 > 0.0, "points with k = 0 were checked");
    }

    /// [`table_exp_parts`] within its documented 0.081u of e^z.
    #[test]
    fn table_exp_parts_is_within_its_bound_of_mpmath() {
        let u = f64::EPSILON / 2.0;
        let mut worst = 0.0_f64;
        for (z, m_hi, m_lo) in exp_table() {
            let e = table_exp_parts(z);
            let relative = relative_error(e.hi, e.lo, e.s1 * e.s2, m_hi, m_lo);
            assert!(relative < 0.081 * u, "z = {z:e}: {:.4}u", relative / u);
            worst = worst.max(relative);
        }
        println!("table_exp_parts: {:.4}u", worst / u);
    }
}
