//! Hand-written AVX-512 kernels for the `f32` sigmoid, tanh and their derivatives in `f32` lanes
//! (16 per register, twice the `f64`-lane kernels of [`super::math`]), with enough error-free
//! arithmetic to keep the ≤ 1 ulp (σ, tanh) and ≤ 2 ulp (σ′, tanh′) bounds (tanh: see
//! [`tanh16`] and [`tanh_derivative16`]) and softplus (≤ 1 ulp, see [`softplus16`]); further
//! down the `f64` sigmoid and its derivative ([`sigmoid_f64`], [`sigmoid_with_derivative8`]: the
//! same P/(P + M) form with double-length parts), tanh and softplus ([`parts64`], [`tanh8`],
//! [`softplus8`]).
//!
//! σ and σ′ ([`sigmoid_f32`], [`sigmoid_with_derivative16`]) write e^(−x) = 2^⌈q⌉ · M and
//! σ = 2^(−⌈q⌉)/(2^(−⌈q⌉) + M), which needs neither |x| nor a choice of numerator by sign. tanh,
//! tanh′ and softplus build on e^(−|x|) from [`parts`]:
//!
//! With z = −|x| ∈ [−110, 0], q = k/16 the multiple of 1/16 nearest to z/ln 2 and n = ⌊q⌋:
//! e^z = 2ⁿ · 2^(j/16) · e^r with j = k mod 16, r = z − q·ln 2, |r| ≤ ln2/32.
//! - 2^(j/16) = T_hi + T_lo from a 16-entry table (one `vpermps` each).
//! - r = z − q·LN2_HI (exact: LN2_HI has 12 bits, q at most 12) − q·LN2_LO: absolute error
//!   ≲ 2⁻²⁹·⁶ (the rounding of r, at most 2⁻³⁰, and q times LN2_LO's).
//! - e^r − 1 = w = r + r²(C2 + C3·r), a minimax cubic (error < 2⁻²⁹·²), rounded with error
//!   ≲ 2⁻²⁹·⁵.
//! - m = e^z/2ⁿ = m_hi + m_lo: m_hi = fl(T_hi (1 + w)), its residual by FMA (T_hi − m_hi is
//!   exact by Sterbenz) plus T_lo, which rounds by up to 2⁻²⁹·⁵, and T_lo·w dropped (≲ 2⁻²⁹·⁶):
//!   relative error ≲ 2⁻²⁷·³ in all (the largest of 3·10⁵ inputs emulated with mpmath: 2⁻²⁷·⁷,
//!   `scripts/reduction_error.py`). σ and σ′ take M = T_hi + lo the same way ([`ceil_parts`]),
//!   to ≲ 2⁻²⁷·⁴ absolute (2⁻²⁸·⁰ emulated).
//! - 1 + e^z = d + d_lo (Fast2Sum); y = 1/d from `vrcp14ps` (2⁻¹⁴); each quotient
//!   n/(d + d_lo) gets one FMA correction with the exact residual, which squares the error of y
//!   (≈ 2⁻²⁸).
//!
//! Every such quotient is then within 0.5 ulp of a value with relative error ≲ 2⁻²⁵·⁸ (σ, whose
//! denominator P + M may be as small as 0.51: 0.29 ulp) or ≲ 2⁻²⁵·⁵ (σ′ and tanh′, two
//! quotients: 0.36 ulp), so within 0.79 and 0.86 ulp. Where `vscalefps` scales it into the
//! subnormals it rounds a second time, adding half of that to its own 0.5 ulp. These worst cases
//! add every error at its largest; the exhaustive tests over all 2³² inputs measure at most
//! 0.621 ulp for normal results and 0.781 ulp where σ′ is subnormal, and hold each kernel to its
//! maxima rounded up, normal and subnormal results apart (see the table in `super`'s docs). tanh
//! and softplus have analyses of their own ([`tanh16`], [`softplus16`]).

use super::avx512_masked::{load_lanes_pd, load_lanes_ps};
use core::arch::x86_64::*;

/// 2^(j/16) rounded to `f32` (bit patterns from mpmath: `scripts/gen_exp2_16_tables.py`).
const TABLE_HI: [f32; 16] = [
    f32::from_bits(0x3F80_0000),
    f32::from_bits(0x3F85_AAC3),
    f32::from_bits(0x3F8B_95C2),
    f32::from_bits(0x3F91_C3D3),
    f32::from_bits(0x3F98_37F0),
    f32::from_bits(0x3F9E_F532),
    f32::from_bits(0x3FA5_FED7),
    f32::from_bits(0x3FAD_583F),
    f32::from_bits(0x3FB5_04F3),
    f32::from_bits(0x3FBD_08A4),
    f32::from_bits(0x3FC5_672A),
    f32::from_bits(0x3FCE_248C),
    f32::from_bits(0x3FD7_44FD),
    f32::from_bits(0x3FE0_CCDF),
    f32::from_bits(0x3FEA_C0C7),
    f32::from_bits(0x3FF5_257D),
];

/// 2^(j/16) − `TABLE_HI[j]`, rounded to `f32`.
const TABLE_LO: [f32; 16] = [
    f32::from_bits(0x0000_0000),
    f32::from_bits(0x334F_9891),
    f32::from_bits(0xB260_ABA1),
    f32::from_bits(0x3367_5624),
    f32::from_bits(0x3323_1B71),
    f32::from_bits(0x3341_2342),
    f32::from_bits(0xB32C_9D5E),
    f32::from_bits(0xB22D_EAF6),
    f32::from_bits(0x32CF_E77A),
    f32::from_bits(0xB341_4FE8),
    f32::from_bits(0x320A_A837),
    f32::from_bits(0x3228_FC24),
    f32::from_bits(0xB2D4_A58A),
    f32::from_bits(0xB21E_AB59),
    f32::from_bits(0xB241_16DE),
    f32::from_bits(0x3229_2436),
];

/// ln 2 to 12 bits, so q·LN2_HI is exact for the multiples q of 1/16 below 2⁸ in magnitude.
pub(super) const LN2_HI: f32 = f32::from_bits(0x3F31_7000);
/// ln 2 − `LN2_HI`.
pub(super) const LN2_LO: f32 = f32::from_bits(0x3805_FDF4);
/// 1.5·2¹⁹, whose ulp is 1/16: adding it rounds |t| < 2¹⁸ to a multiple of 1/16, and the low
/// four bits of the sum's bit pattern are then 16t mod 16.
const ROUND: f32 = 786_432.0;
/// Minimax coefficients of (e^r − 1 − r)/r² ≈ C2 + C3·r on |r| ≤ ln2/32 (mpmath, 300 rounds
/// of Lawson's iteration: `scripts/exp_minimax.py`, checked by its `--check`; absolute error of
/// the resulting e^r − 1 below 2⁻²⁹·²).
const C2: f32 = f32::from_bits(0x3F00_0110);
const C3: f32 = f32::from_bits(0x3E2A_ABA4);

/// The result of [`parts`]: (m_hi, m_lo, q, d, d_lo, y).
type Parts = (__m512, __m512, __m512, __m512, __m512, __m512);

/// The shared part of tanh, tanh′ and softplus for 16 lanes: (m_hi, m_lo, q, d, d_lo, y) with
/// e^(−|x|) = (m_hi + m_lo)·2ⁿ for n = ⌊q⌋, 1 + e^(−|x|) = d + d_lo and y ≈ 1/d to 2⁻¹⁴.
#[inline]
#[target_feature(enable = "avx512f")]
fn parts(x: __m512) -> Parts {
    // SAFETY: the table arrays hold 16 f32 each, exactly one unaligned 512-bit load.
    let (tab_hi, tab_lo) =
        unsafe { (_mm512_loadu_ps(TABLE_HI.as_ptr()), _mm512_loadu_ps(TABLE_LO.as_ptr())) };
    // z = −|x| (sign bit set; the integer `or` needs only AVX-512F), clamped at −110, where
    // every result is 0; `max` returns its second operand, z, when z is NaN.
    let sign = _mm512_set1_epi32(i32::MIN);
    let z = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(x), sign));
    let z = _mm512_max_ps(_mm512_set1_ps(-110.0), z);
    // q = k/16, the multiple of 1/16 nearest to z/ln 2, and j = k mod 16 (vpermps reads
    // exactly the low four bits of each index).
    let t = _mm512_fmadd_ps(z, _mm512_set1_ps(core::f32::consts::LOG2_E), _mm512_set1_ps(ROUND));
    let q = _mm512_sub_ps(t, _mm512_set1_ps(ROUND));
    let j = _mm512_castps_si512(t);
    let t_hi = _mm512_permutexvar_ps(j, tab_hi);
    let t_lo = _mm512_permutexvar_ps(j, tab_lo);
    let r = _mm512_fnmadd_ps(q, _mm512_set1_ps(LN2_HI), z);
    let r = _mm512_fnmadd_ps(q, _mm512_set1_ps(LN2_LO), r);
    let p = _mm512_fmadd_ps(r, _mm512_set1_ps(C3), _mm512_set1_ps(C2));
    let w = _mm512_fmadd_ps(_mm512_mul_ps(r, r), p, r);
    // m_hi + m_lo = T_hi + T_hi·w + T_lo: T_hi − m_hi is exact (Sterbenz), its sum with T_lo
    // rounds by ≲ 2⁻²⁹·⁵, and the dropped T_lo·w is below 2⁻²⁹·⁶.
    let m_hi = _mm512_fmadd_ps(t_hi, w, t_hi);
    let m_lo = _mm512_fmadd_ps(t_hi, w, _mm512_add_ps(_mm512_sub_ps(t_hi, m_hi), t_lo));
    // vscalefps scales by 2^⌊q⌋ = 2ⁿ.
    let e_hi = _mm512_scalef_ps(m_hi, q);
    let e_lo = _mm512_scalef_ps(m_lo, q);
    let one = _mm512_set1_ps(1.0);
    let d = _mm512_add_ps(one, e_hi);
    let d_lo = _mm512_add_ps(_mm512_add_ps(_mm512_sub_ps(one, d), e_hi), e_lo);
    // 2⁻¹⁴ is enough: each quotient's FMA correction squares the reciprocal's error.
    let y = _mm512_rcp14_ps(d);
    (m_hi, m_lo, q, d, d_lo, y)
}

/// (n_hi + n_lo)/(d + d_lo) with one FMA correction, given y ≈ 1/d.
#[inline]
#[target_feature(enable = "avx512f")]
fn divide(n_hi: __m512, n_lo: __m512, d: __m512, d_lo: __m512, y: __m512) -> __m512 {
    let q0 = _mm512_mul_ps(n_hi, y);
    let res = _mm512_add_ps(_mm512_fnmadd_ps(q0, d, n_hi), _mm512_fnmadd_ps(q0, d_lo, n_lo));
    _mm512_fmadd_ps(res, y, q0)
}

/// 2^((j − 16)/16) for j = 1..15 and 1 for j = 0: `TABLE_HI` and `TABLE_LO` halved (exactly)
/// from j = 1 on, so that e^q = 2^⌈q⌉ · `CEIL_HI[j]` for every multiple q = k/16, j = k mod 16.
pub(super) const CEIL_HI: [f32; 16] = scaled_from(1, 0.5, TABLE_HI);
/// See [`CEIL_HI`].
pub(super) const CEIL_LO: [f32; 16] = scaled_from(1, 0.5, TABLE_LO);

/// `table` with the entries from `first` on multiplied by `factor` (a power of two: exact).
const fn scaled_from(first: usize, factor: f32, mut table: [f32; 16]) -> [f32; 16] {
    let mut j = first;
    while j < 16 {
        table[j] *= factor;
        j += 1;
    }
    table
}

/// The quantities σ and σ′ share for 16 lanes, for x in [−110, 110] (outside, the results are
/// meaningless, and the callers clamp x or discard those lanes):
/// (−q, T_hi, lo) with e^(−x) = 2^⌈q⌉ · (T_hi + lo) to ≲ 2⁻²⁷·⁴ absolute in
/// T_hi + lo ∈ [0.51, 1.03]
/// (see [`sigmoid_f32`]). It is the reduction of [`parts`] with the ceiling table and the signs
/// turned so that it takes x itself, since negating x would cost σ an operation: its s is the
/// −r, and its w the same bits, that [`parts`] computes for z = −x.
#[inline]
#[target_feature(enable = "avx512f")]
fn ceil_parts(x: __m512) -> (__m512, __m512, __m512) {
    let (t, neg_q, s) = ceil_reduce(x);
    let (t_hi, lo) = ceil_mantissa(t, s, &CEIL_HI, &CEIL_LO);
    (neg_q, t_hi, lo)
}

/// The first half of [`ceil_parts`]: (t, −q, s) with t = `ROUND` + q (j in its low bits) and
/// s = x + q·ln 2 = −r.
#[inline]
#[target_feature(enable = "avx512f")]
fn ceil_reduce(x: __m512) -> (__m512, __m512, __m512) {
    // t = ROUND + q; −q = ROUND − t is exact, and j is in t's low bits.
    let t = _mm512_fnmadd_ps(x, _mm512_set1_ps(core::f32::consts::LOG2_E), _mm512_set1_ps(ROUND));
    let neg_q = _mm512_sub_ps(_mm512_set1_ps(ROUND), t);
    let s = _mm512_fnmadd_ps(neg_q, _mm512_set1_ps(LN2_HI), x);
    let s = _mm512_fnmadd_ps(neg_q, _mm512_set1_ps(LN2_LO), s);
    (t, neg_q, s)
}

/// The second half of [`ceil_parts`]: (T_hi, lo) = (`hi[j]`, `hi[j]`·w + `lo[j]`) for the t and s
/// of [`ceil_reduce`], with w = e^r − 1 = −s + s²(C2 − C3·s).
#[inline]
#[target_feature(enable = "avx512f")]
fn ceil_mantissa(t: __m512, s: __m512, hi: &[f32; 16], lo: &[f32; 16]) -> (__m512, __m512) {
    // SAFETY: the table arrays hold 16 f32 each, exactly one unaligned 512-bit load.
    let (tab_hi, tab_lo) = unsafe { (_mm512_loadu_ps(hi.as_ptr()), _mm512_loadu_ps(lo.as_ptr())) };
    let j = _mm512_castps_si512(t);
    let t_hi = _mm512_permutexvar_ps(j, tab_hi);
    let t_lo = _mm512_permutexvar_ps(j, tab_lo);
    let p = _mm512_fnmadd_ps(s, _mm512_set1_ps(C3), _mm512_set1_ps(C2));
    let w = _mm512_fmsub_ps(_mm512_mul_ps(s, s), p, s);
    (t_hi, _mm512_fmadd_ps(t_hi, w, t_lo))
}

/// (s, d_lo, y) with 2ᵉ + T_hi + lo = s + d_lo, e = ⌊`exponent`⌋, and y = 1/(s + d_lo) before
/// its one rounding to within (2⁻¹⁴)² (see [`sigmoid_f32`]).
#[inline]
#[target_feature(enable = "avx512f")]
fn ceil_reciprocal(exponent: __m512, t_hi: __m512, lo: __m512) -> (__m512, __m512, __m512) {
    let power = _mm512_scalef_ps(_mm512_set1_ps(1.0), exponent);
    let (sum, d_lo, approx) = ceil_denominator(power, t_hi, lo);
    (sum, d_lo, ceil_reciprocal_of(sum, d_lo, approx))
}

/// (s, d_lo, s + lo) with `power` + T_hi + lo = s + d_lo for a power of two and the T_hi and lo of
/// [`ceil_mantissa`]: Fast2Sum with the larger of the two first (both are positive, so it has
/// the larger exponent).
#[inline]
#[target_feature(enable = "avx512f")]
fn ceil_denominator(power: __m512, t_hi: __m512, lo: __m512) -> (__m512, __m512, __m512) {
    let big = _mm512_max_ps(power, t_hi);
    let small = _mm512_min_ps(power, t_hi);
    let sum = _mm512_add_ps(big, small);
    let d_lo = _mm512_add_ps(_mm512_sub_ps(small, _mm512_sub_ps(sum, big)), lo);
    (sum, d_lo, _mm512_add_ps(sum, lo))
}

/// 1/(s + d_lo) from y₀ = `vrcp14ps`(`approx`) and one correction, y₀ + y₀·(1 − y₀·(s + d_lo)),
/// to within (2⁻¹⁴)² before its one rounding, for `approx` within 2⁻²⁴ of s + d_lo.
#[inline]
#[target_feature(enable = "avx512f")]
fn ceil_reciprocal_of(sum: __m512, d_lo: __m512, approx: __m512) -> __m512 {
    let y = _mm512_rcp14_ps(approx);
    let res = _mm512_fnmadd_ps(y, d_lo, _mm512_fnmadd_ps(y, sum, _mm512_set1_ps(1.0)));
    _mm512_fmadd_ps(res, y, y)
}

/// [`CEIL_HI`] doubled: 2 for j = 0, 2^(j/16) (`TABLE_HI`) from j = 1 on.
const DOUBLED_HI: [f32; 16] = scaled_from(0, 2.0, CEIL_HI);
/// [`CEIL_LO`] doubled.
const DOUBLED_LO: [f32; 16] = scaled_from(0, 2.0, CEIL_LO);

/// The first stage of [`sigmoid_f32`]: x clamped, (t, −q, s) of [`ceil_reduce`].
#[inline]
#[target_feature(enable = "avx512f")]
fn sigmoid_reduce(x: __m512) -> (__m512, __m512, __m512) {
    let x = _mm512_min_ps(_mm512_set1_ps(20.0), _mm512_max_ps(_mm512_set1_ps(-110.0), x));
    ceil_reduce(x)
}

/// The second stage of [`sigmoid_f32`]: (2P, s, d_lo, s + 2lo) with 2P + 2M = s + d_lo.
#[inline]
#[target_feature(enable = "avx512f")]
fn sigmoid_denominator(
    (t, neg_q, s): (__m512, __m512, __m512),
) -> (__m512, __m512, __m512, __m512) {
    let (t_hi, lo) = ceil_mantissa(t, s, &DOUBLED_HI, &DOUBLED_LO);
    let power = _mm512_scalef_ps(_mm512_set1_ps(2.0), neg_q);
    let (sum, d_lo, approx) = ceil_denominator(power, t_hi, lo);
    (power, sum, d_lo, approx)
}

/// The last stage of [`sigmoid_f32`]: 2P/(s + d_lo).
#[inline]
#[target_feature(enable = "avx512f")]
fn sigmoid_finish((power, sum, d_lo, approx): (__m512, __m512, __m512, __m512)) -> __m512 {
    _mm512_mul_ps(ceil_reciprocal_of(sum, d_lo, approx), power)
}

/// Past this exponent of P (x > 27.7), the pair kernel keeps P = 2^40: σ rounds to 1 either way,
/// and σ′ = P·M/(P + M)² changes by a factor 1 + O(M/2⁴⁰) when P is replaced by 2^40 in the
/// denominator and rescaled, while 2^(−c) itself overflows for x > 88.7.
const PAIR_MAX_EXPONENT: f32 = 40.0;

/// (σ, σ′) for 16 lanes. σ′ = P·M/(P + M)² = ((M/d)/d)·P with the quantities of [`sigmoid_f32`]
/// (x clamped to [−110, 110] instead): M/d is carried as two terms, and each quotient takes one
/// [`divide`] correction with the rounded y ≈ 1/d (2⁻²⁴, enough for the numerator M = T_hi + lo
/// that is not normalised), each with error ≲ 2⁻²⁸. With P′ = 2ᴱ, E = min(⌊−q⌋, 40) in place of P
/// (see [`PAIR_MAX_EXPONENT`]), the result is ((M/d′)/d′)·2^(2E − ⌊−q⌋): P′²/P = P when E = ⌊−q⌋,
/// and otherwise (M/P)/(1 + M/P′)², within a factor 1 + 2⁻³⁸ of σ′. σ is bit-identical to
/// [`sigmoid_f32`] (for x in (20, 110] both are exactly 1). 41 vector operations for both (the
/// form with e^(−|x|) takes 42, and 36 for σ′ alone).
#[inline]
#[target_feature(enable = "avx512f")]
pub(super) fn sigmoid_with_derivative16(x: __m512) -> (__m512, __m512) {
    sigmoid_pair_finish(sigmoid_pair_parts(x))
}

/// The first half of [`sigmoid_with_derivative16`]: x clamped, then [`ceil_parts`].
#[inline]
#[target_feature(enable = "avx512f")]
fn sigmoid_pair_parts(x: __m512) -> (__m512, __m512, __m512) {
    let x = _mm512_min_ps(_mm512_set1_ps(110.0), _mm512_max_ps(_mm512_set1_ps(-110.0), x));
    ceil_parts(x)
}

/// The second half of [`sigmoid_with_derivative16`].
#[inline]
#[target_feature(enable = "avx512f")]
fn sigmoid_pair_finish((neg_q, t_hi, lo): (__m512, __m512, __m512)) -> (__m512, __m512) {
    let exponent = _mm512_min_ps(neg_q, _mm512_set1_ps(PAIR_MAX_EXPONENT));
    let (sum, d_lo, y) = ceil_reciprocal(exponent, t_hi, lo);
    let (m_d, m_d_lo) = divide_pair(t_hi, lo, sum, d_lo, y);
    // ⌊−q⌋ for −q ≤ 40.5, else 80 − ⌊−q⌋ = ⌊80 + 15/16 − (−q)⌋ (−q is a multiple of 1/16).
    let mirrored = _mm512_sub_ps(_mm512_set1_ps(2.0 * PAIR_MAX_EXPONENT + 0.9375), neg_q);
    let slope_exponent = _mm512_min_ps(neg_q, mirrored);
    let slope = _mm512_scalef_ps(divide(m_d, m_d_lo, sum, d_lo, y), slope_exponent);
    (_mm512_scalef_ps(y, exponent), slope)
}

/// As [`divide`], also returning the rounding error of the quotient (q0 − q is exact, and the
/// FMA adds the exact product's remainder).
#[inline]
#[target_feature(enable = "avx512f")]
fn divide_pair(n_hi: __m512, n_lo: __m512, d: __m512, d_lo: __m512, y: __m512) -> (__m512, __m512) {
    let q0 = _mm512_mul_ps(n_hi, y);
    let res = _mm512_add_ps(_mm512_fnmadd_ps(q0, d, n_hi), _mm512_fnmadd_ps(q0, d_lo, n_lo));
    let q = _mm512_fmadd_ps(res, y, q0);
    (q, _mm512_fmadd_ps(res, y, _mm512_sub_ps(q0, q)))
}

/// From this |x| on, tanh is computed as 2σ(2|x|) − 1 (where tanh ≥ 1/4: atanh(1/4) ≈ 0.25541),
/// below it by its Taylor polynomial.
pub(super) const TANH_SMALL: f32 = 0.2555;
/// Taylor coefficients of (tanh a − a)/a³ in u = a²: −1/3, 2/15, −17/315, 62/2835,
/// −1382/155925, rounded to `f32` (`scripts/tanh_taylor.py`).
pub(super) const TANH_P: [f32; 5] = [
    f32::from_bits(0xBEAA_AAAB),
    f32::from_bits(0x3E08_8889),
    f32::from_bits(0xBD5D_0DD1),
    f32::from_bits(0x3CB3_27A4),
    f32::from_bits(0xBC11_371B),
];

/// tanh for 16 lanes, within 1 ulp; a = |x|.
///
/// - a < [`TANH_SMALL`]: a + (a·u)·P(u) with u = a² and P the degree-4 Taylor polynomial
///   (truncation below 2⁻³¹ relative to a). The correction is at most a/45, so its few roundings
///   cost below 0.1 ulp beside the final rounding of the FMA.
/// - otherwise 2σ(2a) − 1 with σ(2a) = 1/(1 + e), e = e^(−2a) from [`parts`] as d + d_lo and
///   y ≈ 1/d: with res = 1 − y·(d + d_lo), y + y·res is 1/(d + d_lo) to (2⁻¹⁴)² relative, 2y − 1
///   is exact (y ∈ [0.62, 1], Sterbenz) and tanh = fma(2·res, y, 2y − 1) rounds once. Its error
///   before rounding is below 2⁻²⁶·⁷ (with e's), at most 0.31 ulp where tanh ∈ [1/4, 1/2), less
///   above.
/// - The sign of x is copied onto the result: tanh is odd, tanh(−0) = −0, NaN stays NaN (it
///   takes the second branch, whose clamp in [`parts`] keeps NaN), ±∞ gives ±1.
///
/// `parts` are the [`parts`] of 2|x| ([`twice_abs_parts`]).
#[inline]
#[target_feature(enable = "avx512f")]
fn tanh16(x: __m512, (_, _, _, d, d_lo, y): Parts) -> __m512 {
    let a = _mm512_abs_ps(x);
    let one = _mm512_set1_ps(1.0);
    let res = _mm512_fnmadd_ps(y, d_lo, _mm512_fnmadd_ps(y, d, one));
    let two_y_minus_one = _mm512_fmsub_ps(y, _mm512_set1_ps(2.0), one);
    let large = _mm512_fmadd_ps(_mm512_add_ps(res, res), y, two_y_minus_one);
    let u = _mm512_mul_ps(a, a);
    let c = |i: usize| _mm512_set1_ps(TANH_P[i]);
    let p = _mm512_fmadd_ps(u, c(4), c(3));
    let p = _mm512_fmadd_ps(u, p, c(2));
    let p = _mm512_fmadd_ps(u, p, c(1));
    let p = _mm512_fmadd_ps(u, p, c(0));
    let small = _mm512_fmadd_ps(_mm512_mul_ps(a, u), p, a);
    let is_small = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(a, _mm512_set1_ps(TANH_SMALL));
    let t = _mm512_mask_blend_ps(is_small, large, small);
    // Bitwise "sign bit ? x : t".
    let sign = _mm512_set1_epi32(i32::MIN);
    let bits =
        _mm512_ternarylogic_epi32::<0xCA>(sign, _mm512_castps_si512(x), _mm512_castps_si512(t));
    _mm512_castsi512_ps(bits)
}

/// The [`parts`] of 2|x|, from which [`tanh16`] and [`tanh_derivative16`] start.
#[inline]
#[target_feature(enable = "avx512f")]
fn twice_abs_parts(x: __m512) -> Parts {
    let a = _mm512_abs_ps(x);
    parts(_mm512_add_ps(a, a))
}

/// tanh′ x = 4σ′(2x) for 16 lanes from the [`parts`] of 2|x| ([`twice_abs_parts`]):
/// σ′(2|x|) = e/(1 + e)² with e = e^(−2|x|) = (m_hi + m_lo)·2ⁿ and 1 + e = d + d_lo, as two
/// corrected quotients ((m/d)/d, as the σ′ of [`sigmoid_with_derivative16`]), with the final
/// scaling by 2^(n+2) instead of 2ⁿ, so the factor 4 costs no second rounding (a separate
/// multiplication would quadruple the quantum where σ′ is subnormal and tanh′ is not). Same
/// bound as σ′.
#[inline]
#[target_feature(enable = "avx512f")]
fn tanh_derivative16((m_hi, m_lo, q, d, d_lo, y): Parts) -> __m512 {
    let (s, s_lo) = divide_pair(m_hi, m_lo, d, d_lo, y);
    _mm512_scalef_ps(divide(s, s_lo, d, d_lo, y), _mm512_add_ps(q, _mm512_set1_ps(2.0)))
}

/// tanh′ over an `f32` slice, 16 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn tanh_derivative_f32(h: &[f32], out: &mut [f32]) {
    map_split(h, out, |v| twice_abs_parts(v), |_, parts| tanh_derivative16(parts));
}

/// softplus x = max(x, 0) + ln(1 + e) with e = e^(−|x|), for 16 lanes, within 1 ulp.
///
/// - ln(1 + e) = 2 atanh(s) = 2s + 2s·w·Q(w) with s = e/(2 + e) ≤ 1/3, w = s², and
///   Q(w) = Σ_{k≤6} w^k/(2k + 3) (truncation below 2⁻²⁸·⁵ of the result). e = e_hi + e_lo and
///   2 + e = D + D_lo come from [`parts`]; s = S_hi + S_lo from one FMA-corrected quotient on
///   `vrcp14ps` (relative error ≲ 2⁻²⁶·⁶ with e's), so 2s·w·Q, at most 1/25 of the result, needs
///   no more than `f32` arithmetic.
/// - max(x, 0) + 2·S_hi by TwoSum, then one rounding of the sum with its error and the rest:
///   within 0.5 ulp plus the small relative errors above.
/// - x < −17.4 (e < 2⁻²⁵·¹): the result is e, taken as m·2ⁿ with one rounding of m first. It
///   differs from ln(1 + e) by at most e/2 ≤ 2⁻²⁶·¹ relative (0.23 ulp), and m from e^x/2ⁿ by
///   2⁻²⁷·³ (0.1 ulp), so normal results, rounded once, are within 0.5 + 0.23 + 0.1 = 0.84 ulp
///   (measured: 0.7513); subnormal ones (e/2 negligible) are rounded twice, the second time with
///   the first's 0.5 + 0.1 of m's ulp, at most half a subnormal ulp: within 0.81 ulp (0.7673);
///   x > 17: the result rounds to x. NaN propagates; softplus(−∞) = 0, softplus(∞) = ∞.
#[inline]
#[target_feature(enable = "avx512f")]
fn softplus16(x: __m512, (m_hi, m_lo, q, d, d_lo, _): Parts) -> __m512 {
    let one = _mm512_set1_ps(1.0);
    let (e_hi, e_lo) = (_mm512_scalef_ps(m_hi, q), _mm512_scalef_ps(m_lo, q));
    // 2 + e = 1 + (d + d_lo), Fast2Sum with 1 ≤ d ≤ 2.
    let big_d = _mm512_add_ps(one, d);
    let big_d_lo = _mm512_add_ps(_mm512_add_ps(_mm512_sub_ps(one, big_d), d), d_lo);
    let y = _mm512_rcp14_ps(big_d);
    let s0 = _mm512_mul_ps(e_hi, y);
    let res =
        _mm512_add_ps(_mm512_fnmadd_ps(s0, big_d, e_hi), _mm512_fnmadd_ps(s0, big_d_lo, e_lo));
    let s_hi = _mm512_fmadd_ps(res, y, s0);
    let s_lo = _mm512_fmadd_ps(res, y, _mm512_sub_ps(s0, s_hi));
    let w = _mm512_mul_ps(s_hi, s_hi);
    let c = |k: f32| _mm512_set1_ps(1.0 / (2.0 * k + 3.0));
    let mut poly = c(6.0);
    for k in (0..6).rev() {
        poly = _mm512_fmadd_ps(w, poly, c(k as f32));
    }
    let two_s = _mm512_add_ps(s_hi, s_hi);
    let rest = _mm512_fmadd_ps(_mm512_mul_ps(two_s, w), poly, _mm512_add_ps(s_lo, s_lo));
    // max(0, x) + 2s exactly (TwoSum); `max` returns x when x is NaN.
    let positive = _mm512_max_ps(_mm512_setzero_ps(), x);
    let sum = _mm512_add_ps(positive, two_s);
    let v = _mm512_sub_ps(sum, positive);
    let err =
        _mm512_add_ps(_mm512_sub_ps(positive, _mm512_sub_ps(sum, v)), _mm512_sub_ps(two_s, v));
    let general = _mm512_add_ps(sum, _mm512_add_ps(err, rest));
    let tiny = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(x, _mm512_set1_ps(-17.4));
    let large = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(x, _mm512_set1_ps(17.0));
    let r = _mm512_mask_blend_ps(tiny, general, _mm512_scalef_ps(_mm512_add_ps(m_hi, m_lo), q));
    _mm512_mask_blend_ps(large, r, x)
}

/// softplus over an `f32` slice, 16 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn softplus_f32(h: &[f32], out: &mut [f32]) {
    map_split(h, out, |v| parts(v), |v, parts| softplus16(v, parts));
}

/// tanh over an `f32` slice, 16 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn tanh_f32(h: &[f32], out: &mut [f32]) {
    map_split(h, out, |v| twice_abs_parts(v), |v, parts| tanh16(v, parts));
}

/// Outputs of at least this many bytes are written with non-temporal stores: they cannot stay in
/// the caches anyway, and streaming them skips the read-for-ownership of every output line, a
/// third of the memory traffic of a map from one slice into another.
pub(super) const STREAM_BYTES: usize = 16 << 20;

/// How far ahead of the element being computed a map prefetches its input. The hardware
/// prefetchers alone leave a map from memory to memory well below copy speed: the loop does
/// enough arithmetic per line that few loads are in flight (at 16 Mi `f32` elements, σ went
/// from 0.59 to 0.78 of a copy with this distance; 8 and 16 KiB gave 0.72–0.74).
const PREFETCH_BYTES: usize = 4096;

/// For a map writing `n` elements to every slice starting at `outs`: the number of leading
/// elements to write with plain stores before all outputs are 64-byte aligned together, or `None`
/// when the outputs are too small to stream or are aligned differently.
fn stream_head<T>(n: usize, outs: &[*const T]) -> Option<usize> {
    if n * size_of::<T>() < STREAM_BYTES {
        return None;
    }
    let offset = |p: *const T| (p as usize).wrapping_neg() % 64;
    let head = offset(outs[0]);
    outs.iter().all(|&p| offset(p) == head).then_some(head / size_of::<T>())
}

/// A 512-bit register of `f32` or `f64` lanes with the loads and stores of [`map_staged`].
///
/// # Safety
///
/// Every method needs AVX-512F, and the pointers must be valid for `LANES` elements (for the
/// masked ones, the first `count` ≤ `LANES` elements); `stream` needs a 64-byte aligned pointer.
trait Lanes: Copy {
    type Elem;
    const LANES: usize;
    unsafe fn load(p: *const Self::Elem) -> Self;
    unsafe fn store(p: *mut Self::Elem, v: Self);
    unsafe fn stream(p: *mut Self::Elem, v: Self);
    /// The first `count` lanes from `p`, the others 0, or for `count` = 1 that element in
    /// every lane; masked loads do not touch (or fault on) the disabled lanes.
    ///
    /// One element is loaded as a scalar and broadcast: a vector load cannot take its data
    /// from a narrower store still in flight and waits until that store reaches the cache,
    /// which cost a one-element slice written just before (as `predict` writes one record's
    /// net input) 25 ns instead of 7 (Intel Xeon, see docs/benchmark-log.md).
    unsafe fn load_first(count: usize, p: *const Self::Elem) -> Self;
    /// Stores the first `count` lanes only (for `count` = 1 by a scalar store, which a scalar
    /// load that follows can take its data from).
    unsafe fn store_first(count: usize, p: *mut Self::Elem, v: Self);
}

impl Lanes for __m512 {
    type Elem = f32;
    const LANES: usize = 16;
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: as the trait requires.
        unsafe { _mm512_loadu_ps(p) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn store(p: *mut f32, v: Self) {
        // SAFETY: as the trait requires.
        unsafe { _mm512_storeu_ps(p, v) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn stream(p: *mut f32, v: Self) {
        // SAFETY: as the trait requires (64-byte alignment included).
        unsafe { _mm512_stream_ps(p, v) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load_first(count: usize, p: *const f32) -> Self {
        if count == 1 {
            // SAFETY: as the trait requires, with `count` = 1.
            return _mm512_set1_ps(unsafe { *p });
        }
        // SAFETY: as the trait requires; the mask enables the first `count` lanes only.
        unsafe { load_lanes_ps(((1_u32 << count) - 1) as __mmask16, p) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn store_first(count: usize, p: *mut f32, v: Self) {
        if count == 1 {
            // SAFETY: as the trait requires, with `count` = 1.
            unsafe { *p = _mm512_cvtss_f32(v) };
            return;
        }
        // SAFETY: as the trait requires; the mask enables the first `count` lanes only.
        unsafe { _mm512_mask_storeu_ps(p, ((1_u32 << count) - 1) as __mmask16, v) }
    }
}

impl Lanes for __m512d {
    type Elem = f64;
    const LANES: usize = 8;
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load(p: *const f64) -> Self {
        // SAFETY: as the trait requires.
        unsafe { _mm512_loadu_pd(p) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn store(p: *mut f64, v: Self) {
        // SAFETY: as the trait requires.
        unsafe { _mm512_storeu_pd(p, v) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn stream(p: *mut f64, v: Self) {
        // SAFETY: as the trait requires (64-byte alignment included).
        unsafe { _mm512_stream_pd(p, v) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn load_first(count: usize, p: *const f64) -> Self {
        if count == 1 {
            // SAFETY: as the trait requires, with `count` = 1.
            return _mm512_set1_pd(unsafe { *p });
        }
        // SAFETY: as the trait requires; the mask enables the first `count` lanes only.
        unsafe { load_lanes_pd(((1_u32 << count) - 1) as __mmask8, p) }
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn store_first(count: usize, p: *mut f64, v: Self) {
        if count == 1 {
            // SAFETY: as the trait requires, with `count` = 1.
            unsafe { *p = _mm512_cvtsd_f64(v) };
            return;
        }
        // SAFETY: as the trait requires; the mask enables the first `count` lanes only.
        unsafe { _mm512_mask_storeu_pd(p, ((1_u32 << count) - 1) as __mmask8, v) }
    }
}

/// Applies a function split in two, `finish(v, start(v))`, over the common length of `h` and
/// `out`: [`map_staged`] with `start` as the first stage and `finish` as the third, two
/// iterations later. On Zen 4 at 64 Ki, that ran 1.5–18 % faster than with `start` one
/// iteration after the load, but for the `f32` σ′ and pair kernels, 1–2 % slower (see
/// docs/benchmark-log.md).
#[inline]
#[target_feature(enable = "avx512f")]
fn map_split<V: Lanes, S: Copy>(
    h: &[V::Elem],
    out: &mut [V::Elem],
    start: impl Fn(V) -> S,
    finish: impl Fn(V, S) -> V,
) {
    map_staged(h, out, None, |v| (v, start(v)), |a| a, |(v, s)| (finish(v, s), v));
}

/// As [`map_split`] for a function giving two registers, `finish(start(v))`, over the common
/// length of `h`, `values` and `slopes`.
#[inline]
#[target_feature(enable = "avx512f")]
fn map_pair<V: Lanes, S: Copy>(
    h: &[V::Elem],
    values: &mut [V::Elem],
    slopes: &mut [V::Elem],
    start: impl Fn(V) -> S,
    finish: impl Fn(S) -> (V, V),
) {
    map_staged(h, values, Some(slopes), start, |a| a, finish);
}

/// Applies a function split into three stages, `third(second(first(v)))`, giving two registers,
/// over the common length of `h`, `values` and `slopes` (without `slopes`, of `h` and `values`,
/// and the second result is dropped); the head and tail with masked loads and stores. Outputs
/// are streamed when large (see [`STREAM_BYTES`]) and, for two, equally aligned. The whole
/// registers run software-pipelined ([`super::pipeline::pipelined`]).
#[inline]
#[target_feature(enable = "avx512f")]
fn map_staged<V: Lanes, A: Copy, B: Copy>(
    h: &[V::Elem],
    values: &mut [V::Elem],
    slopes: Option<&mut [V::Elem]>,
    first: impl Fn(V) -> A,
    second: impl Fn(A) -> B,
    third: impl Fn(B) -> (V, V),
) {
    let two = slopes.is_some();
    let slopes = slopes.unwrap_or_default();
    let n =
        if two { h.len().min(values.len()).min(slopes.len()) } else { h.len().min(values.len()) };
    let (h, v_out, s_out) = (h.as_ptr(), values.as_mut_ptr(), slopes.as_mut_ptr());
    let outs = [v_out.cast_const(), if two { s_out.cast_const() } else { v_out.cast_const() }];
    let stream = stream_head(n, &outs);
    let lanes = V::LANES;
    // SAFETY: (every block below) the elements accessed lie in i..i + LANES (or i..i + count),
    // within n, which is at most the length of every slice accessed; the second output is only
    // written when it holds n elements. When streaming, both outputs are 64-byte aligned at
    // every i stored in the pipelined loop: they share the offset, and i is the head plus a
    // multiple of LANES.
    let store = |i: usize, (a, b): (V, V)| unsafe {
        if stream.is_some() {
            V::stream(v_out.add(i), a);
            if two {
                V::stream(s_out.add(i), b);
            }
        } else {
            V::store(v_out.add(i), a);
            if two {
                V::store(s_out.add(i), b);
            }
        }
    };
    // SAFETY: i + count ≤ n; the masked loads and stores touch those elements only.
    let apply = |i: usize, count: usize| unsafe {
        let (a, b) = third(second(first(V::load_first(count, h.add(i)))));
        V::store_first(count, v_out.add(i), a);
        if two {
            V::store_first(count, s_out.add(i), b);
        }
    };
    let ahead = PREFETCH_BYTES / size_of::<V::Elem>();
    // SAFETY: i + LANES ≤ n; the prefetch's address may lie past the end (see inside).
    let load = |i: usize| unsafe {
        // A prefetch never faults, so its address (computed without `add`'s in-bounds
        // requirement) may lie past the end of `h`.
        _mm_prefetch::<_MM_HINT_T0>(h.wrapping_add(i + ahead).cast());
        V::load(h.add(i))
    };
    let mut i = 0;
    if let Some(head) = stream.filter(|&head| head > 0) {
        apply(0, head);
        i = head;
    }
    i = super::pipeline::pipelined(i, n, lanes, load, &first, &second, &third, store);
    if stream.is_some() {
        // Orders the weakly ordered streaming stores before whatever the caller does next.
        // SAFETY: SSE is part of the x86-64 baseline. (`_mm_sfence` is safe in recent Rust but
        // unsafe in the crate's minimum version, 1.89.)
        #[allow(unused_unsafe)]
        unsafe {
            _mm_sfence()
        };
    }
    while i < n {
        let count = lanes.min(n - i);
        apply(i, count);
        i += count;
    }
}

/// σ over an `f32` slice, 16 lanes at a time, as P/(P + M), where e^(−x) = 2^c · M with c = ⌈q⌉
/// for q the multiple of 1/16 nearest to −x/ln 2, P = 2^(−c) and M = `CEIL[j]`·e^r ∈ [0.51, 1.03]:
/// - x is clamped to [−110, 20] first: σ rounds to 0 from −104 down and to 1 from 17.4 up, and
///   the clamp keeps P below 2³⁰ and M finite. NaN stays NaN (`max` and `min` return their
///   second operand, x, when it is NaN).
/// - r = −x − q·ln 2 and w = e^r − 1 as in [`parts`]; M = T_hi + lo with lo = T_hi·w + T_lo
///   rounded once (≲ 2⁻³⁰ absolute, like w and dropping T_lo·w; with r's and w's errors, M to
///   ≲ 2⁻²⁷·⁴ absolute).
/// - From the table on, every quantity is doubled, exactly: the tables hold 2·`CEIL[j]`
///   ([`DOUBLED_HI`]) and the power is 2P, so the reciprocal below is 1/(2(P + M)) and
///   σ = 2P·(1/(2(P + M))) is one multiplication, rounded once like a `vscalefps` by P. With P
///   itself, P = 2⁻¹⁵⁰ would underflow to 0 where σ rounds to 2⁻¹⁴⁹; 2P underflows only where
///   σ < 2⁻¹⁵⁰ rounds to 0 anyway. `vrcp14ps` of 2d is exactly half that of d (checked on
///   every d in [0.25, 2³¹) on AMD Zen 4, and it reads only the significand by Intel's
///   description), so the doubled form gives the bits of the undoubled one.
/// - 2P is exact, and 2P + 2T_hi = s + err by Fast2Sum ([`ceil_denominator`]); d = s + d_lo,
///   d_lo = err + 2lo, is 2(P + M) to ≲ 2⁻²⁶·² relative (M's ≲ 2⁻²⁷·⁴ over P + M ≥ 0.51, and the
///   rounding of d_lo).
/// - y₀ = `vrcp14ps`(fl(s + 2lo)): that sum leaves out err (≤ 2⁻²⁴ of d) and is ready one
///   addition before d, so y₀ is 1/d to 2⁻¹⁴ + 2⁻²⁴; 1 − y₀·d by two FMAs (the first nearly
///   exact: its result is at most 2⁻⁵·⁴), and y₀ + y₀·(1 − y₀·d) is 1/d to ≈ (2⁻¹⁴)² before its
///   one rounding ([`ceil_reciprocal_of`]).
///
/// So σ is within 0.5 ulp of a value with relative error ≲ 2⁻²⁵·⁸, in 25 vector operations
/// (the form with e^(−|x|) and a blended numerator takes 32). Bit-identical to the σ of
/// [`sigmoid_with_derivative16`]. The three stages ([`sigmoid_reduce`],
/// [`sigmoid_denominator`], [`sigmoid_finish`]) run software-pipelined ([`map_staged`]).
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn sigmoid_f32(h: &[f32], out: &mut [f32]) {
    let finish = |b| (sigmoid_finish(b), _mm512_setzero_ps());
    map_staged(h, out, None, |v| sigmoid_reduce(v), |a| sigmoid_denominator(a), finish);
}

/// σ′ over an `f32` slice, 16 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn sigmoid_derivative_f32(h: &[f32], out: &mut [f32]) {
    let finish = |_, parts| sigmoid_pair_finish(parts).1;
    map_split(h, out, |v| sigmoid_pair_parts(v), finish);
}

/// σ and σ′ over an `f32` slice in one pass, 16 lanes at a time, over the common length of the
/// three slices.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn sigmoid_with_derivative_f32(
    h: &[f32],
    values: &mut [f32],
    slopes: &mut [f32],
) {
    let finish = |parts| sigmoid_pair_finish(parts);
    map_pair(h, values, slopes, |v| sigmoid_pair_parts(v), finish);
}

/// The entries j of two 16-entry tables per lane, j the low four bits of each 64-bit lane
/// of `index` (the bits `vpermt2pd` reads).
#[inline]
#[target_feature(enable = "avx512f")]
fn lookup16(hi: &[f64; 16], lo: &[f64; 16], index: __m512i) -> (__m512d, __m512d) {
    // SAFETY: each table holds 16 f64, two unaligned 512-bit loads of 8.
    let (hi0, hi1, lo0, lo1) = unsafe {
        (
            _mm512_loadu_pd(hi.as_ptr()),
            _mm512_loadu_pd(hi.as_ptr().add(8)),
            _mm512_loadu_pd(lo.as_ptr()),
            _mm512_loadu_pd(lo.as_ptr().add(8)),
        )
    };
    (_mm512_permutex2var_pd(hi0, index, hi1), _mm512_permutex2var_pd(lo0, index, lo1))
}

/// The result of [`parts64`]: (m_hi, m_lo, n, d, d_lo, y).
type Parts64 = (__m512d, __m512d, __m512d, __m512d, __m512d, __m512d);

/// The shared part of tanh, tanh′ and softplus for 8 `f64` lanes (σ and σ′ use
/// [`ceil_parts64`]): (m_hi, m_lo, n, d, d_lo, y) with
/// e^(−|x|) = (m_hi + m_lo)·2^⌊n⌋ (the scaling `vscalefpd` applies), 1 + e^(−|x|) = d + d_lo
/// and y ≈ 1/d.
///
/// With z = −|x| ∈ [−800, 0], n = k/16 for the integer k = round(16 z / ln 2) and j = k mod 16:
/// e^z = 2^⌊n⌋ · 2^(j/16) · e^r, r = z − n·ln 2, |r| ≤ ln2/32 < 2⁻⁵·⁵². Errors relative to
/// e^z/2^⌊n⌋, in units of u = 2⁻⁵³:
/// - r = z − n·LN2_HI (exact: both are multiples of min(ulp(z), 2⁻³⁶) and |r| < 2⁻⁵) − n·LN2_LO,
///   rounded once: |δr| ≤ u·|r|, so e^r is off by a factor 1 + δr: ≤ 0.0217u.
/// - w = e^r − 1 = r + r²·P(r), P of degree 5 by Horner: truncation r⁸/8! < 2⁻⁵⁹·⁴ (0.0142u);
///   the rounding of r² and P is below 2⁻⁶³, the final rounding of w is ≤ u·|w| ≤ 0.0224u
///   relative to 1 + w ≥ 0.978.
/// - 2^(j/16) = T_hi + T_lo (|T_lo| ≤ u·T_hi, tables in [`super::math`]).
///   m_hi = fl(T_hi (1 + w)); m_lo is its residual by FMA (T_hi − m_hi is exact by Sterbenz)
///   plus T_lo: the residual's and the sum's roundings are ~2⁻¹⁰⁴, dropping T_lo·w costs
///   ≤ u·|w| ≤ 0.0224u.
/// - So e^z = (m_hi + m_lo)·2^⌊n⌋·(1 + ε_m) with |ε_m| ≤ 0.081u ≈ 2⁻⁵⁶·⁶ (the largest of 3·10⁵
///   inputs emulated bit for bit, `scripts/reduction_error64.py`: 0.054u).
/// - With s = 2^⌊n⌋, d = fl(1 + m_hi·s) and d_lo = (1 − d) + m_hi·s (1 − d exact by Sterbenz,
///   the FMA result exact: it is the rounding error of d) + m_lo·s, rounded once (~2⁻¹⁰⁵): so
///   d + d_lo carries ε_m·e/(1 + e) ≤ ε_m/2. Where m_hi·s underflows, e^z < 2⁻¹⁰²² is far
///   below u relative to 1 + e^z.
/// - y from `vrcp14pd` (relative error < 2⁻¹⁴) and one Newton step: |1 − d·y| ≤ 2⁻²⁸ + u, which
///   [`divide64_unrounded`] squares.
#[inline]
#[target_feature(enable = "avx512f")]
fn parts64(x: __m512d) -> Parts64 {
    use super::math::{EXP2_16_HI, EXP2_16_LO, LN2_HI, LN2_LO, ROUND_SIXTEENTHS};
    let c = |v: f64| _mm512_set1_pd(v);
    let sign = _mm512_set1_epi64(i64::MIN);
    let z = _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(x), sign));
    // Below −800 every result is 0; `max` returns z when z is NaN.
    let z = _mm512_max_pd(c(-800.0), z);
    // n = k/16 (vscalefpd scales by 2^floor(n) = 2^floor(k/16)).
    let t = _mm512_fmadd_pd(z, c(core::f64::consts::LOG2_E), c(ROUND_SIXTEENTHS));
    let n = _mm512_sub_pd(t, c(ROUND_SIXTEENTHS));
    // The low four bits of t are k mod 16.
    let (t_hi, t_lo) = lookup16(&EXP2_16_HI, &EXP2_16_LO, _mm512_castpd_si512(t));
    let r = _mm512_fnmadd_pd(n, c(LN2_HI), z);
    let r = _mm512_fnmadd_pd(n, c(LN2_LO), r);
    let p = _mm512_fmadd_pd(r, c(1.0 / 5_040.0), c(1.0 / 720.0));
    let p = _mm512_fmadd_pd(r, p, c(1.0 / 120.0));
    let p = _mm512_fmadd_pd(r, p, c(1.0 / 24.0));
    let p = _mm512_fmadd_pd(r, p, c(1.0 / 6.0));
    let p = _mm512_fmadd_pd(r, p, c(0.5));
    let w = _mm512_fmadd_pd(_mm512_mul_pd(r, r), p, r);
    let m_hi = _mm512_fmadd_pd(t_hi, w, t_hi);
    let m_lo = _mm512_fmadd_pd(t_hi, w, _mm512_sub_pd(t_hi, m_hi));
    let m_lo = _mm512_add_pd(m_lo, t_lo);
    let one = c(1.0);
    let s = _mm512_scalef_pd(one, n);
    let d = _mm512_fmadd_pd(m_hi, s, one);
    let d_lo = _mm512_fmadd_pd(m_hi, s, _mm512_sub_pd(one, d));
    let d_lo = _mm512_fmadd_pd(m_lo, s, d_lo);
    let y = _mm512_rcp14_pd(d);
    let y = _mm512_fmadd_pd(y, _mm512_fnmadd_pd(d, y, one), y);
    (m_hi, m_lo, n, d, d_lo, y)
}

/// 2^((j − 16)/16) for j = 1..15 and 1 for j = 0, the `f64` counterpart of [`CEIL_HI`]: the
/// tables of [`super::math`] halved (exactly) from j = 1 on, so that e^q = 2^⌈q⌉ · `CEIL64_HI[j]`
/// for every multiple q = k/16, j = k mod 16.
const CEIL64_HI: [f64; 16] = halved64_from_one(super::math::EXP2_16_HI);
/// See [`CEIL64_HI`].
const CEIL64_LO: [f64; 16] = halved64_from_one(super::math::EXP2_16_LO);

const fn halved64_from_one(mut table: [f64; 16]) -> [f64; 16] {
    let mut j = 1;
    while j < 16 {
        table[j] *= 0.5;
        j += 1;
    }
    table
}

/// The reduction σ and σ′ share for 8 `f64` lanes, for x in [−746, 746] (the callers clamp):
/// (−q, T_hi, T_lo, w) with e^(−x) = 2^⌈q⌉ · (T_hi + T_lo) · (1 + w), the `f64` form of
/// [`ceil_parts`]. With q = k/16 the multiple of 1/16 nearest to −x/ln 2 and j = k mod 16,
/// e^(−x) = 2^⌈q⌉ · `CEIL64[j]` · e^r, r = −x − q·ln 2, |r| ≤ ln2/32 < 2⁻⁵·⁵². In u = 2⁻⁵³:
/// - s = x + q·ln 2 = −r: x + q·LN2_HI is exact (|k| < 2¹⁵ and LN2_HI has 32 bits; both terms
///   are multiples of min(ulp(x), 2⁻³⁶) and the result is below 2⁻⁵; q = 0 where |x| < 2⁻⁶),
///   and adding q·LN2_LO rounds once: e^r is off by a factor of at most 1 + u·|r| (0.0217u).
/// - w = e^r − 1 = −s + s²·P(−s), P the degree-5 Taylor polynomial of [`parts64`] with its odd
///   coefficients negated, by Estrin's scheme (the shorter dependency chain is what counts
///   here): truncation below 2⁻⁵⁹·⁴ (0.0142u), and the final rounding at most u·|w| (0.0224u)
///   relative to 1 + w ≥ 0.978.
#[inline]
#[target_feature(enable = "avx512f")]
fn ceil_parts64(x: __m512d) -> (__m512d, __m512d, __m512d, __m512d) {
    use super::math::{LN2_HI, LN2_LO, ROUND_SIXTEENTHS};
    let c = |v: f64| _mm512_set1_pd(v);
    // t = ROUND + q; −q = ROUND − t is exact, and k is in t's low bits.
    let t = _mm512_fnmadd_pd(x, c(core::f64::consts::LOG2_E), c(ROUND_SIXTEENTHS));
    let neg_q = _mm512_sub_pd(c(ROUND_SIXTEENTHS), t);
    let (t_hi, t_lo) = lookup16(&CEIL64_HI, &CEIL64_LO, _mm512_castpd_si512(t));
    let s = _mm512_fnmadd_pd(neg_q, c(LN2_HI), x);
    let s = _mm512_fnmadd_pd(neg_q, c(LN2_LO), s);
    // P(−s) = (1/2 − s/3!) + s²·((1/4! − s/5!) + s²·(1/6! − s/7!)).
    let s2 = _mm512_mul_pd(s, s);
    let p01 = _mm512_fmadd_pd(s, c(-1.0 / 6.0), c(0.5));
    let p23 = _mm512_fmadd_pd(s, c(-1.0 / 120.0), c(1.0 / 24.0));
    let p45 = _mm512_fmadd_pd(s, c(-1.0 / 5_040.0), c(1.0 / 720.0));
    let p = _mm512_fmadd_pd(s2, _mm512_fmadd_pd(s2, p45, p23), p01);
    (neg_q, t_hi, t_lo, _mm512_fmsub_pd(s2, p, s))
}

/// The denominator P + M of σ = P/(P + M) for 8 `f64` lanes and its reciprocal, given
/// [`ceil_parts64`] and the exponent whose floor gives P = 2^⌊`exponent`⌋:
/// (lo, y0, e, t, y) with M = T_hi + lo, 1/(P + M) = y0·(1 + e + e² + …), t = e + e² + e³ and
/// y = y0 + y0·t rounded once. In u = 2⁻⁵³:
/// - lo = T_hi·w + T_lo rounded once, T_lo·w dropped: with [`ceil_parts64`]'s errors, M is
///   e^(−x)/2^⌈q⌉ to a relative ε_M ≤ 0.0217u + 0.0142u + 0.0224u + 0.0224u + 0.023u ≤ 0.104u
///   (the last two for the dropped term and lo's rounding; 0.064u emulated,
///   `scripts/reduction_error64.py`).
/// - P + T_hi = sum + err exactly (Fast2Sum, the larger first: both are positive), and
///   d = sum + d_lo with d_lo = err + lo rounded once (≤ 0.024u of d ≥ M): d is P + e^(−x)/2^⌈q⌉
///   to ε_M·M/d + 0.024u ≤ 0.128u.
/// - y0 = `vrcp14pd` of T_hi·w + sum (d to 2⁻⁵¹), so |1 − y0·d| < 2⁻¹⁴; e = 1 − y0·sum − y0·d_lo
///   by two FMAs, the first result at most 0.025 (d_lo is not normalised), so e is off by
///   ≤ 0.025u. y0·(1 + e + e² + e³) is 1/d to (2⁻¹⁴)⁴ = 0.125u plus 0.025u before y's rounding.
#[inline]
#[target_feature(enable = "avx512f")]
fn ceil_reciprocal64(
    exponent: __m512d,
    t_hi: __m512d,
    t_lo: __m512d,
    w: __m512d,
) -> (__m512d, __m512d, __m512d, __m512d, __m512d) {
    let one = _mm512_set1_pd(1.0);
    let lo = _mm512_fmadd_pd(t_hi, w, t_lo);
    let power = _mm512_scalef_pd(one, exponent);
    let big = _mm512_max_pd(power, t_hi);
    let small = _mm512_min_pd(power, t_hi);
    let sum = _mm512_add_pd(big, small);
    let d_lo = _mm512_add_pd(_mm512_sub_pd(small, _mm512_sub_pd(sum, big)), lo);
    // The estimate is taken from T_hi·w + sum, which is ready before d_lo.
    let y0 = _mm512_rcp14_pd(_mm512_fmadd_pd(t_hi, w, sum));
    let e = _mm512_fnmadd_pd(y0, d_lo, _mm512_fnmadd_pd(y0, sum, one));
    let t = _mm512_fmadd_pd(e, _mm512_fmadd_pd(e, e, e), e);
    (lo, y0, e, t, _mm512_fmadd_pd(y0, t, y0))
}

/// The first half of [`sigmoid_f64`] for 8 lanes: x clamped, then [`ceil_parts64`].
#[inline]
#[target_feature(enable = "avx512f")]
fn sigmoid8_parts(x: __m512d) -> (__m512d, __m512d, __m512d, __m512d) {
    let x = _mm512_min_pd(_mm512_set1_pd(50.0), _mm512_max_pd(_mm512_set1_pd(-746.0), x));
    ceil_parts64(x)
}

/// The second half of [`sigmoid_f64`] for 8 lanes.
#[inline]
#[target_feature(enable = "avx512f")]
fn sigmoid8_finish((neg_q, t_hi, t_lo, w): (__m512d, __m512d, __m512d, __m512d)) -> __m512d {
    let (_, _, _, _, y) = ceil_reciprocal64(neg_q, t_hi, t_lo, w);
    _mm512_scalef_pd(y, neg_q)
}

/// (n_hi + n_lo)/(d + d_lo) with one FMA correction, given y ≈ 1/d: the quotient Q both
/// rounded, q, and as the unevaluated sum q0 + r of the first approximation q0 = fl(n_hi·y) and
/// its correction r = res·y.
///
/// The residual res = n − q0·(d + d_lo) is formed to within ~2⁻⁸¹·Q, and
/// q0 + res·y = Q + (Q − q0)(y·(d + d_lo) − 1): both factors are at most 2⁻²⁸ + 2⁻⁵¹ relative,
/// so q0 + r is within 2⁻⁵⁶·(1 + 2⁻²²) (0.125u) of Q (r's rounding is ~2⁻⁸¹ of Q). It serves
/// as the numerator of a second division, for which q ≈ Q to 2⁻⁵³ gives the first
/// approximation q·y.
#[inline]
#[target_feature(enable = "avx512f")]
fn divide64_unrounded(
    n_hi: __m512d,
    n_lo: __m512d,
    d: __m512d,
    d_lo: __m512d,
    y: __m512d,
) -> (__m512d, __m512d, __m512d) {
    let q0 = _mm512_mul_pd(n_hi, y);
    let res = _mm512_add_pd(_mm512_fnmadd_pd(q0, d, n_hi), _mm512_fnmadd_pd(q0, d_lo, n_lo));
    (_mm512_fmadd_pd(res, y, q0), q0, _mm512_mul_pd(res, y))
}

/// Past this exponent of P (x > 55.4), the pair kernel keeps P = 2^80: σ rounds to 1 either way,
/// and σ′ = P·M/(P + M)² changes by a factor 1 + O(M/2⁸⁰) when P is replaced by 2^80 in the
/// denominator and rescaled, while P itself overflows for x > 709.
const PAIR_MAX_EXPONENT64: f64 = 80.0;

/// (σ, σ′) for 8 `f64` lanes, as [`sigmoid_with_derivative16`] for `f32`: x clamped to
/// [−746, 746] (σ′ rounds to 0 beyond ±745.2), P′ = 2ᴱ with E = min(⌊−q⌋, 80) in place of P
/// (see [`PAIR_MAX_EXPONENT64`]), σ = y·P′ bit-identical to [`sigmoid_f64`] (where x > 50 both are
/// exactly 1), and σ′ = (M/d²)·2^(2E − ⌊−q⌋), which is P·M/(P + M)² when E = ⌊−q⌋.
///
/// M/d² = M·y0²·(1 + h) with 1/d = y0·(1 + t′), t′ = e + e² + e³ + e⁴ (off by the 0.025u of e;
/// the next term is 2⁻⁷⁰), and h = 2t′ + t′² ≤ 2⁻¹³ (0.05u). M·y0 and then ·y0 are formed as
/// doubles (each product's residual is exact), their low parts at most 1/40 of the high ones,
/// so the three roundings of low parts cost 0.071u, and the product with h adds nothing of
/// note. M's error ε_M moves P·M/(P + M)² by at most ε_M·|P − M|/(P + M), d_lo's rounding
/// twice 0.024u: relative error before the last rounding ≤ 0.104u + 0.048u + 0.05u + 0.071u
/// ≤ 0.28u, so at most 0.5 + 0.28 ulp for normal results and 0.5 + 0.25 + 0.14 ulp where σ′
/// is subnormal. σ′ alone ([`sigmoid_derivative_f64`]) needs neither y nor σ's scaling.
#[inline]
#[target_feature(enable = "avx512f")]
pub(super) fn sigmoid_with_derivative8(x: __m512d) -> (__m512d, __m512d) {
    sigmoid_pair8_finish(sigmoid_pair8_parts(x))
}

/// The first half of [`sigmoid_with_derivative8`]: x clamped, then [`ceil_parts64`].
#[inline]
#[target_feature(enable = "avx512f")]
fn sigmoid_pair8_parts(x: __m512d) -> (__m512d, __m512d, __m512d, __m512d) {
    let x = _mm512_min_pd(_mm512_set1_pd(746.0), _mm512_max_pd(_mm512_set1_pd(-746.0), x));
    ceil_parts64(x)
}

/// The second half of [`sigmoid_with_derivative8`].
#[inline]
#[target_feature(enable = "avx512f")]
fn sigmoid_pair8_finish(
    (neg_q, t_hi, t_lo, w): (__m512d, __m512d, __m512d, __m512d),
) -> (__m512d, __m512d) {
    let exponent = _mm512_min_pd(neg_q, _mm512_set1_pd(PAIR_MAX_EXPONENT64));
    let (lo, y0, e, t, y) = ceil_reciprocal64(exponent, t_hi, t_lo, w);
    // 1/d² = y0²·(1 + h): 1/d = y0·(1 + t′), t′ = e + e² + e³ + e⁴, h = 2t′ + t′².
    let t4 = _mm512_fmadd_pd(e, t, e);
    let h = _mm512_fmadd_pd(t4, t4, _mm512_add_pd(t4, t4));
    // a + a_lo = (T_hi + lo)·y0 and b + b_lo = (a + a_lo)·y0, each product's residual exact.
    let a = _mm512_mul_pd(t_hi, y0);
    let a_lo = _mm512_fmadd_pd(lo, y0, _mm512_fmsub_pd(t_hi, y0, a));
    let b = _mm512_mul_pd(a, y0);
    let b_lo = _mm512_fmadd_pd(a_lo, y0, _mm512_fmsub_pd(a, y0, b));
    // (b + b_lo)·(1 + h), the product with h from the rounded sum (b_lo·h is not negligible).
    let b_lo = _mm512_fmadd_pd(_mm512_add_pd(b, b_lo), h, b_lo);
    // ⌊−q⌋ for −q ≤ 80.5, else 160 − ⌊−q⌋ = ⌊160 + 15/16 − (−q)⌋ (−q is a multiple of 1/16).
    let mirrored = _mm512_sub_pd(_mm512_set1_pd(2.0 * PAIR_MAX_EXPONENT64 + 0.9375), neg_q);
    let slope_exponent = _mm512_min_pd(neg_q, mirrored);
    let slope = _mm512_scalef_pd(_mm512_add_pd(b, b_lo), slope_exponent);
    (_mm512_scalef_pd(y, exponent), slope)
}

/// The same Taylor coefficients as [`TANH_P`] to u¹⁰, rounded to `f64` (`scripts/tanh_taylor.py`).
const TANH_P64: [f64; 11] = [
    f64::from_bits(0xBFD5_5555_5555_5555),
    f64::from_bits(0x3FC1_1111_1111_1111),
    f64::from_bits(0xBFAB_A1BA_1BA1_BA1C),
    f64::from_bits(0x3F96_64F4_882C_10FA),
    f64::from_bits(0xBF82_26E3_55E6_C23D),
    f64::from_bits(0x3F6D_6D3D_0E15_7DE0),
    f64::from_bits(0xBF57_DA36_452B_75E3),
    f64::from_bits(0x3F43_5582_4803_6744),
    f64::from_bits(0xBF2F_57D7_734D_1664),
    f64::from_bits(0x3F19_67E1_8AFC_AFAD),
    f64::from_bits(0xBF04_97D8_EEA2_5259),
];

/// tanh for 8 `f64` lanes, as [`tanh16`] for `f32`; a = |x|, u = 2⁻⁵³.
///
/// - a < [`TANH_SMALL`]: a + (a·a²)·P(a²) with the degree-10 Taylor polynomial (truncation
///   below 2⁻⁵⁷·⁸ relative to a). The correction is at most a/45, so its roundings (about 3u
///   of it) cost below 0.08 ulp beside the final rounding.
/// - otherwise 2σ(2a) − 1 from [`parts64`] at 2a with a second Newton step on y (then
///   |1 − y·d| ≲ 2⁻⁵⁶), res = 1 − y·(d + d_lo) and tanh = fma(2·res, y, 2y − 1), 2y − 1 exact:
///   what remains before the last rounding is e's error ε_m ≤ 0.081u, at most
///   2σ·ε_m·e/(1 + e)² ≤ 0.05u absolute, 0.1 ulp where tanh ∈ [1/4, 1/2).
/// - Sign, NaN and ±∞ as in [`tanh16`].
#[inline]
#[target_feature(enable = "avx512f")]
fn tanh8(x: __m512d, (_, _, _, d, d_lo, y): Parts64) -> __m512d {
    let a = _mm512_abs_pd(x);
    let one = _mm512_set1_pd(1.0);
    let y = _mm512_fmadd_pd(y, _mm512_fnmadd_pd(d, y, one), y);
    let res = _mm512_fnmadd_pd(y, d_lo, _mm512_fnmadd_pd(y, d, one));
    let two_y_minus_one = _mm512_fmsub_pd(y, _mm512_set1_pd(2.0), one);
    let large = _mm512_fmadd_pd(_mm512_add_pd(res, res), y, two_y_minus_one);
    let u = _mm512_mul_pd(a, a);
    let mut p = _mm512_set1_pd(TANH_P64[10]);
    for &c in TANH_P64[..10].iter().rev() {
        p = _mm512_fmadd_pd(u, p, _mm512_set1_pd(c));
    }
    let small = _mm512_fmadd_pd(_mm512_mul_pd(a, u), p, a);
    let is_small = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(a, _mm512_set1_pd(f64::from(TANH_SMALL)));
    let t = _mm512_mask_blend_pd(is_small, large, small);
    // Bitwise "sign bit ? x : t".
    let sign = _mm512_set1_epi64(i64::MIN);
    let bits =
        _mm512_ternarylogic_epi64::<0xCA>(sign, _mm512_castpd_si512(x), _mm512_castpd_si512(t));
    _mm512_castsi512_pd(bits)
}

/// The [`parts64`] of 2|x|, from which [`tanh8`] and [`tanh_derivative8`] start.
#[inline]
#[target_feature(enable = "avx512f")]
fn twice_abs_parts64(x: __m512d) -> Parts64 {
    let a = _mm512_abs_pd(x);
    parts64(_mm512_add_pd(a, a))
}

/// tanh′ x = 4σ′(2x) for 8 `f64` lanes from the [`parts64`] of 2|x| ([`twice_abs_parts64`]), with
/// the final scaling by 2^(⌊n⌋+2), as [`tanh_derivative16`] for `f32`. In u = 2⁻⁵³: e/(1 + e)²
/// takes e's ε_m (≤ 0.081u) scaled by (1 − e)/(1 + e) ≤ 1, and each of the two corrected
/// quotients ([`divide64_unrounded`], then the same step on q0 + r) leaves (2⁻²⁸)² = 0.125u:
/// ≤ 0.34u before the FMA's rounding (0.31u emulated with `vrcp14pd` at its worst,
/// `scripts/reduction_error64.py`), so within 0.84 ulp for normal results and
/// 0.5 + 0.25 + 0.17 ulp where `vscalefpd` rounds again into the subnormals.
#[inline]
#[target_feature(enable = "avx512f")]
fn tanh_derivative8((m_hi, m_lo, n, d, d_lo, y): Parts64) -> __m512d {
    let (q, q0, r) = divide64_unrounded(m_hi, m_lo, d, d_lo, y);
    let q2 = _mm512_mul_pd(q, y);
    let res = _mm512_add_pd(_mm512_fnmadd_pd(q2, d, q0), _mm512_fnmadd_pd(q2, d_lo, r));
    _mm512_scalef_pd(_mm512_fmadd_pd(res, y, q2), _mm512_add_pd(n, _mm512_set1_pd(2.0)))
}

/// tanh′ over an `f64` slice, 8 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn tanh_derivative_f64(h: &[f64], out: &mut [f64]) {
    map_split(h, out, |v| twice_abs_parts64(v), |_, parts| tanh_derivative8(parts));
}

/// softplus for 8 `f64` lanes, as [`softplus16`] for `f32`; u = 2⁻⁵³.
///
/// - s = e/(2 + e) = S_hi + S_lo from [`parts64`]'s e and d + d_lo, with `vrcp14pd` and two
///   Newton steps for 1/(2 + e) (so the quotient's own error is ~2⁻¹⁰⁴): s carries e's relative
///   error ε_m ≤ 0.081u scaled by 2/(2 + e) ≤ 1.
/// - ln(1 + e) = 2s + R, R = 2s·w·Q(w), w = s² ≤ 1/9, Q(w) = Σ_{k≤16} w^k/(2k + 3)
///   (truncation below 2⁻⁶² relative). R, at most 1/25 of the result, is formed from S_hi with
///   2·S_lo added: the roundings of w, 2s·w, Q (1.1u, and 0.5u in its coefficient 1/3), the FMA
///   and the sum with the TwoSum error below, and S_lo left out of s³ (3.1u) cost ≤ 8.8u·R.
/// - max(x, 0) + 2·S_hi by TwoSum and one rounding of the whole. Before it the error is at most
///   0.081u·e/(1 + e) + 8.8u·R, largest in ulps at x = 0 (R = ln 2/26, ln 2 mid-binade):
///   0.28 ulp, so within 0.78 ulp (`scripts/reduction_error64.py` evaluates the budget over x
///   and emulates the kernel bit for bit: at most 0.65 of the budget at the same x).
/// - x < −40 (e < 2⁻⁵⁷·⁷): ln(1 + e) = e·(1 − e/2 + …) rounds like e = m·2ⁿ, m rounded first
///   (double rounding only where the result is subnormal); x > 37.5: the result rounds to x.
///   NaN propagates; softplus(−∞) = 0, softplus(∞) = ∞.
#[inline]
#[target_feature(enable = "avx512f")]
fn softplus8(x: __m512d, (m_hi, m_lo, n, d, d_lo, _): Parts64) -> __m512d {
    let one = _mm512_set1_pd(1.0);
    let (e_hi, e_lo) = (_mm512_scalef_pd(m_hi, n), _mm512_scalef_pd(m_lo, n));
    // 2 + e = 1 + (d + d_lo), Fast2Sum with 1 ≤ d ≤ 2.
    let big_d = _mm512_add_pd(one, d);
    let big_d_lo = _mm512_add_pd(_mm512_add_pd(_mm512_sub_pd(one, big_d), d), d_lo);
    let y = _mm512_rcp14_pd(big_d);
    let y = _mm512_fmadd_pd(y, _mm512_fnmadd_pd(big_d, y, one), y);
    let y = _mm512_fmadd_pd(y, _mm512_fnmadd_pd(big_d, y, one), y);
    let s0 = _mm512_mul_pd(e_hi, y);
    let res =
        _mm512_add_pd(_mm512_fnmadd_pd(s0, big_d, e_hi), _mm512_fnmadd_pd(s0, big_d_lo, e_lo));
    let s_hi = _mm512_fmadd_pd(res, y, s0);
    let s_lo = _mm512_fmadd_pd(res, y, _mm512_sub_pd(s0, s_hi));
    let w = _mm512_mul_pd(s_hi, s_hi);
    let c = |k: u32| _mm512_set1_pd(1.0 / f64::from(2 * k + 3));
    let mut poly = c(16);
    for k in (0..16).rev() {
        poly = _mm512_fmadd_pd(w, poly, c(k));
    }
    let two_s = _mm512_add_pd(s_hi, s_hi);
    let rest = _mm512_fmadd_pd(_mm512_mul_pd(two_s, w), poly, _mm512_add_pd(s_lo, s_lo));
    // max(0, x) + 2s exactly (TwoSum); `max` returns x when x is NaN.
    let positive = _mm512_max_pd(_mm512_setzero_pd(), x);
    let sum = _mm512_add_pd(positive, two_s);
    let v = _mm512_sub_pd(sum, positive);
    let err =
        _mm512_add_pd(_mm512_sub_pd(positive, _mm512_sub_pd(sum, v)), _mm512_sub_pd(two_s, v));
    let general = _mm512_add_pd(sum, _mm512_add_pd(err, rest));
    let tiny = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x, _mm512_set1_pd(-40.0));
    let large = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(x, _mm512_set1_pd(37.5));
    let r = _mm512_mask_blend_pd(tiny, general, _mm512_scalef_pd(_mm512_add_pd(m_hi, m_lo), n));
    _mm512_mask_blend_pd(large, r, x)
}

/// softplus over an `f64` slice, 8 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn softplus_f64(h: &[f64], out: &mut [f64]) {
    map_split(h, out, |v| parts64(v), |v, parts| softplus8(v, parts));
}

/// tanh over an `f64` slice, 8 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn tanh_f64(h: &[f64], out: &mut [f64]) {
    map_split(h, out, |v| twice_abs_parts64(v), |v, parts| tanh8(v, parts));
}

/// σ over an `f64` slice, 8 lanes at a time, as P/(P + M), the algorithm of [`sigmoid_f32`] in
/// `f64`: e^(−x) = 2^c · M with c = ⌈q⌉ ([`ceil_parts64`]), P = 2^(−c), and σ = y·P with
/// y ≈ 1/(P + M) from [`ceil_reciprocal64`]. x is clamped to [−746, 50] first: σ rounds to 0
/// below −745.2 and to 1 above 37.5 (NaN passes the clamp).
///
/// Relative error before y's rounding: 0.128u + 0.125u + 0.025u ≤ 0.28u (0.18u emulated bit
/// for bit over 3·10⁵ inputs with `vrcp14pd` at its worst, `scripts/reduction_error64.py`), so
/// at most 0.5 + 0.28 ulp for normal results; `vscalefpd` multiplies by P exactly unless σ is
/// subnormal, where it rounds a second time: at most 0.5 + 0.25 + 0.14 ulp. This form takes 31
/// vector operations where the one with e^(−|x|) and a numerator chosen by sign took 36, and
/// has the shorter dependency chain, which on Zen 4 is what limits it (a quarter faster there,
/// see docs/benchmark-log.md). The two halves ([`sigmoid8_parts`], [`sigmoid8_finish`]) run
/// software-pipelined ([`map_split`]).
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn sigmoid_f64(h: &[f64], out: &mut [f64]) {
    map_split(h, out, |v| sigmoid8_parts(v), |_, parts| sigmoid8_finish(parts));
}

/// σ′ over an `f64` slice, 8 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn sigmoid_derivative_f64(h: &[f64], out: &mut [f64]) {
    let finish = |_, parts| sigmoid_pair8_finish(parts).1;
    map_split(h, out, |v| sigmoid_pair8_parts(v), finish);
}

/// σ and σ′ over an `f64` slice in one pass, 8 lanes at a time, over the common length of the
/// three slices.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn sigmoid_with_derivative_f64(
    h: &[f64],
    values: &mut [f64],
    slopes: &mut [f64],
) {
    let finish = |parts| sigmoid_pair8_finish(parts);
    map_pair(h, values, slopes, |v| sigmoid_pair8_parts(v), finish);
}
