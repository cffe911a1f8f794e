//! Hand-written AVX2 + FMA kernels for the `f32` sigmoid, tanh, their derivatives and softplus
//! in `f32` lanes (8 per register, twice the `f64`-lane kernels of [`super::math`]): the
//! algorithm of [`super::avx512`]'s σ = P/(P + M) with the instructions AVX2 has, tanh and tanh′
//! from it as there ([`tanh8`], [`tanh_derivative_f32`]), and softplus on the same parts
//! ([`softplus8`]).
//!
//! With q = k/8 the multiple of 1/8 nearest to −x/ln 2, c = ⌈q⌉, j = k mod 8 and r = −x − q·ln 2
//! (|r| ≤ ln2/16): e^(−x) = 2^c · M with M = T_j·e^r ∈ [0.52, 1.05], T_j = 2^((j − 8)/8) for
//! j ≥ 1 and T_0 = 1 ([`CEIL8_HI`] + [`CEIL8_LO`]), and σ = P/(P + M) with P = 2^(−c). What
//! differs from the AVX-512 kernels:
//! - An 8-entry table (one `vpermps` of a 256-bit register reads it), so r is twice as wide and
//!   e^r − 1 takes a quartic: w = r + r²(C2 + C3·r + C4·r²), minimax on |r| ≤ ln2/16 with
//!   error 2⁻³²·⁴ (`scripts/exp_minimax.py`).
//! - No `vscalefps`: the powers of two are built from the exponent ⌊−q⌋, read as an integer off
//!   the bits of ROUND + q. P is 0 where 2^(−c) would be subnormal (P < 2⁻¹²⁶ is far below the
//!   rounding of P + M ≥ 0.52), and the result is scaled by 2⁶⁴·2^(−c) (exact: both factors
//!   and the product are normal) and then by 2⁻⁶⁴, which rounds once, into the subnormals too.
//! - `vrcpps` gives 1/d to 1.5·2⁻¹², so it takes one plain Newton step (to ≈ 2⁻²²) before the
//!   FMA-corrected one that the AVX-512 kernels apply to `vrcp14ps`.
//!
//! The error analysis is that of [`super::avx512`]'s `sigmoid_f32`, with r, w and lo twice as wide
//! (|w| ≤ 0.045), so that their roundings of up to 2⁻²⁹ each leave M to ≲ 2⁻²⁷·² absolute (the
//! largest of 3·10⁵ inputs emulated with mpmath, `scripts/reduction_error.py`: 2⁻²⁷·⁴), and the
//! first correction FMA's result at most 2⁻⁴·⁴ instead of 2⁻⁵·⁴.
//!
//! The reciprocal: `vrcpps` (1.5·2⁻¹²; its tables differ between CPU makers) and the plain Newton
//! step leave |1 − y₀·d| ≲ 2⁻²²·³, so the corrected step's truncation is negligible, but its first
//! FMA, whose result is about d_lo/d, up to |w|/(1 + w) < 2⁻⁴ (d_lo is not normalised), rounds by
//! up to 2⁻²⁹ (reached in an emulation, `scripts/reduction_error.py`), and d_lo's own rounding adds
//! ≲ 2⁻²⁸·¹ relative to P + M. So σ is within 0.5 ulp of a value with relative error ≲ 2⁻²⁶·³ (M
//! over P + M ≥ 0.52) + 2⁻²⁹ + 2⁻²⁸·¹ ≈ 2⁻²⁵·⁷: 0.80 ulp for normal results and 0.5 + 0.25 + 0.15 =
//! 0.90 ulp where the scaling by 2⁻⁶⁴ rounds a second time into the subnormals. σ′ and tanh′ add
//! d_lo's rounding once more, the roundings of their two quotients' residuals, which are of the
//! size of lo, and the error of the rounded y times the first quotient's distance from q₀ = T_hi·y,
//! again of the size of lo/(P + M): about 1.1 ulp in all, within the documented 2. These add every
//! error at its largest; the tests hold the kernels to the largest errors measured, rounded up to
//! 0.81 ulp. As y's correction rounds at a value that depends on y₀, a different `vrcpps` changes
//! the last bit of some y (0.5 % of them emulated with two within its bound), which moves those
//! maxima a little from core to core. Measured over all 2³² inputs (the ignored exhaustive tests)
//! on AMD Zen 5: σ within 0.619 ulp (0.788 where subnormal) and σ′ within 0.655 (0.804), the
//! largest errors just below the normal range (x ≈ −87.5); tanh 0.624, tanh′ 0.628 (0.787; 0.797 on
//! Intel Ice Lake) and softplus 0.744 (0.765).
//!
//! Outputs are written with plain stores, and the input is prefetched 4 KiB ahead.

use core::arch::x86_64::*;

use super::avx512::{CEIL_HI, CEIL_LO, LN2_HI, LN2_LO};

/// 2^((j − 8)/8) for j = 1..7 and 1 for j = 0, as T_hi + T_lo: the even entries of the 16-entry
/// tables, since 2^((2j − 16)/16) = 2^((j − 8)/8).
const CEIL8_HI: [f32; 8] = even_entries(CEIL_HI);
/// See [`CEIL8_HI`].
const CEIL8_LO: [f32; 8] = even_entries(CEIL_LO);

const fn even_entries(table: [f32; 16]) -> [f32; 8] {
    let mut even = [0.0; 8];
    let mut j = 0;
    while j < 8 {
        even[j] = table[2 * j];
        j += 1;
    }
    even
}

/// 1.5·2²⁰, whose ulp is 1/8: adding it rounds |t| < 2¹⁹ to a multiple of 1/8, and the bit
/// pattern of the sum is then `ROUND.to_bits()` + 8t (the low three bits hold 8t mod 8).
const ROUND: f32 = 1_572_864.0;
/// Minimax coefficients of (e^r − 1 − r)/r² ≈ C2 + C3·r + C4·r² on |r| ≤ ln2/16
/// (`scripts/exp_minimax.py`).
const C2: f32 = f32::from_bits(0x3F00_0000);
const C3: f32 = f32::from_bits(0x3E2A_AE3B);
const C4: f32 = f32::from_bits(0x3D2A_AED4);

/// Past this exponent of P (x > 27.7), the pair kernel keeps P = 2^40, as
/// `super::avx512::PAIR_MAX_EXPONENT` does.
const PAIR_MAX_EXPONENT: i32 = 40;

/// The result of [`ceil_parts8`]: (e, T_hi, lo).
type CeilParts = (__m256i, __m256, __m256);

/// The shared part of σ and σ′ for 8 lanes, for x already clamped to [−110, 110]: (e, T_hi, lo)
/// with e = ⌊−q⌋ + 127 (the biased exponent of P) as an integer and e^(−x) = 2^⌈q⌉·(T_hi + lo)
/// to ≲ 2⁻²⁷·² absolute (see the module docs).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn ceil_parts8(x: __m256) -> CeilParts {
    // SAFETY: the tables hold 8 f32 each, exactly one unaligned 256-bit load.
    let (tab_hi, tab_lo) =
        unsafe { (_mm256_loadu_ps(CEIL8_HI.as_ptr()), _mm256_loadu_ps(CEIL8_LO.as_ptr())) };
    let c = _mm256_set1_ps;
    // t = ROUND + q; −q = ROUND − t is exact, and vpermps reads the low three bits of t.
    let t = _mm256_fnmadd_ps(x, c(core::f32::consts::LOG2_E), c(ROUND));
    let neg_q = _mm256_sub_ps(c(ROUND), t);
    let j = _mm256_castps_si256(t);
    let t_hi = _mm256_permutevar8x32_ps(tab_hi, j);
    let t_lo = _mm256_permutevar8x32_ps(tab_lo, j);
    // ⌊−q⌋ + 127 = ⌊(bits(ROUND) + 8·127 − bits(t))/8⌋: the shift rounds towards −∞.
    let biased = _mm256_srai_epi32::<3>(_mm256_sub_epi32(
        _mm256_set1_epi32(ROUND.to_bits() as i32 + 8 * 127),
        _mm256_castps_si256(t),
    ));
    // s = x + q·ln 2 = −r (the first FMA is exact: q·LN2_HI has at most 23 bits), and
    // w = e^r − 1 = −s + s²(C2 − C3·s + C4·s²).
    let s = _mm256_fnmadd_ps(neg_q, c(LN2_HI), x);
    let s = _mm256_fnmadd_ps(neg_q, c(LN2_LO), s);
    let p = _mm256_fmadd_ps(_mm256_fmsub_ps(c(C4), s, c(C3)), s, c(C2));
    let w = _mm256_fmsub_ps(_mm256_mul_ps(s, s), p, s);
    (biased, t_hi, _mm256_fmadd_ps(t_hi, w, t_lo))
}

/// 2^(e − 127) for the biased exponents e ≤ 254 as `f32`, 0 where e ≤ 0.
#[inline]
#[target_feature(enable = "avx2")]
fn power_of_two(biased: __m256i) -> __m256 {
    let e = _mm256_max_epi32(biased, _mm256_setzero_si256());
    _mm256_castsi256_ps(_mm256_slli_epi32::<23>(e))
}

/// v·2^(e − 127) rounded once, for a biased exponent e ∈ [−63, 190] and v with v·2^(e − 63)
/// normal (every use keeps it within [2⁻⁹⁶, 2¹⁰⁵]): that product is exact, and the
/// multiplication by 2⁻⁶⁴ rounds, into the subnormals where the result is tiny.
#[inline]
#[target_feature(enable = "avx2")]
fn scale(v: __m256, biased: __m256i) -> __m256 {
    let up = power_of_two(_mm256_add_epi32(biased, _mm256_set1_epi32(64)));
    _mm256_mul_ps(_mm256_mul_ps(v, up), _mm256_set1_ps(f32::from_bits(0x1F80_0000)))
}

/// (s, d_lo, y) with P + T_hi + lo = s + d_lo for P = 2^(e − 127), and y ≈ 1/(s + d_lo): the
/// plain Newton step takes `vrcpps`'s 1.5·2⁻¹² to ≈ 2⁻²², the FMA-corrected one squares that,
/// and its own roundings add ≲ 2⁻²⁹ before y's one rounding (see the module docs).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn ceil_reciprocal8(biased: __m256i, t_hi: __m256, lo: __m256) -> (__m256, __m256, __m256) {
    let (sum, d_lo, y, res) = ceil_reciprocal_parts8(biased, t_hi, lo);
    (sum, d_lo, _mm256_fmadd_ps(res, y, y))
}

/// As [`ceil_reciprocal8`], with the reciprocal left unevaluated as y₀ + y₀·res: (s, d_lo, y₀,
/// res), where y₀ ≈ 1/(s + d_lo) to ≈ 2⁻²² and res = 1 − y₀·(s + d_lo) (two FMAs).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn ceil_reciprocal_parts8(
    biased: __m256i,
    t_hi: __m256,
    lo: __m256,
) -> (__m256, __m256, __m256, __m256) {
    let one = _mm256_set1_ps(1.0);
    let power = power_of_two(biased);
    // Fast2Sum with the larger operand first (both are ≥ 0).
    let big = _mm256_max_ps(power, t_hi);
    let small = _mm256_min_ps(power, t_hi);
    let sum = _mm256_add_ps(big, small);
    let d_lo = _mm256_add_ps(_mm256_sub_ps(small, _mm256_sub_ps(sum, big)), lo);
    let d = _mm256_add_ps(sum, d_lo);
    let y = _mm256_rcp_ps(d);
    let y = _mm256_fmadd_ps(_mm256_fnmadd_ps(y, d, one), y, y);
    let res = _mm256_fnmadd_ps(y, d_lo, _mm256_fnmadd_ps(y, sum, one));
    (sum, d_lo, y, res)
}

/// The first half of σ ([`sigmoid_f32`]) for 8 lanes: x clamped, then [`ceil_parts8`].
#[inline]
#[target_feature(enable = "avx2,fma")]
fn sigmoid_parts8(x: __m256) -> CeilParts {
    ceil_parts8(_mm256_min_ps(_mm256_set1_ps(20.0), _mm256_max_ps(_mm256_set1_ps(-110.0), x)))
}

/// The second half of σ ([`sigmoid_f32`]) for 8 lanes.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn sigmoid_from_parts8((biased, t_hi, lo): CeilParts) -> __m256 {
    let (_, _, y) = ceil_reciprocal8(biased, t_hi, lo);
    scale(y, biased)
}

/// (n_hi + n_lo)/(d + d_lo) with one FMA correction, given y ≈ 1/d (as `super::avx512`'s
/// `divide`).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn divide8(n_hi: __m256, n_lo: __m256, d: __m256, d_lo: __m256, y: __m256) -> __m256 {
    let q0 = _mm256_mul_ps(n_hi, y);
    let res = _mm256_add_ps(_mm256_fnmadd_ps(q0, d, n_hi), _mm256_fnmadd_ps(q0, d_lo, n_lo));
    _mm256_fmadd_ps(res, y, q0)
}

/// As [`divide8`], also returning the rounding error of the quotient (as `super::avx512`'s
/// `divide_pair`).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn divide_pair8(
    n_hi: __m256,
    n_lo: __m256,
    d: __m256,
    d_lo: __m256,
    y: __m256,
) -> (__m256, __m256) {
    let q0 = _mm256_mul_ps(n_hi, y);
    let res = _mm256_add_ps(_mm256_fnmadd_ps(q0, d, n_hi), _mm256_fnmadd_ps(q0, d_lo, n_lo));
    let q = _mm256_fmadd_ps(res, y, q0);
    (q, _mm256_fmadd_ps(res, y, _mm256_sub_ps(q0, q)))
}

/// The first half of the pair kernel ([`sigmoid_with_scaled_derivative8`]): x clamped to
/// [−110, 110], then [`ceil_parts8`].
#[inline]
#[target_feature(enable = "avx2,fma")]
fn pair_parts8(x: __m256) -> CeilParts {
    ceil_parts8(_mm256_min_ps(_mm256_set1_ps(110.0), _mm256_max_ps(_mm256_set1_ps(-110.0), x)))
}

/// σ(x) and 2ᵏ·σ′(x) for 8 lanes from the [`pair_parts8`] of x, the factor applied by the final
/// scaling (one rounding), for k ≤ 2. As `super::avx512`'s `sigmoid_with_derivative16`:
/// P′ = 2^min(⌊−q⌋, 40) in place of P, σ′ = ((M/d′)/d′)·2^(min(⌊−q⌋, 80 − ⌊−q⌋)). σ is
/// bit-identical to [`sigmoid_f32`]'s (for x in (20, 110] both are exactly 1).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn sigmoid_with_scaled_derivative8((biased, t_hi, lo): CeilParts, k: i32) -> (__m256, __m256) {
    let capped = _mm256_min_epi32(biased, _mm256_set1_epi32(PAIR_MAX_EXPONENT + 127));
    let (sum, d_lo, y) = ceil_reciprocal8(capped, t_hi, lo);
    let (m_d, m_d_lo) = divide_pair8(t_hi, lo, sum, d_lo, y);
    let slope = divide8(m_d, m_d_lo, sum, d_lo, y);
    // min(e, 80 − e) + 127 for e = ⌊−q⌋, biased.
    let mirrored = _mm256_sub_epi32(_mm256_set1_epi32(2 * (PAIR_MAX_EXPONENT + 127)), biased);
    let slope_biased = _mm256_min_epi32(biased, mirrored);
    let slope_biased = _mm256_add_epi32(slope_biased, _mm256_set1_epi32(k));
    (scale(y, capped), scale(slope, slope_biased))
}

/// tanh for 8 lanes from the [`tanh_parts8`] of x, within 1 ulp; a = |x|. As
/// `super::avx512`'s `tanh16`:
///
/// - a < `TANH_SMALL`: a + (a·u)·P(u) with u = a² and the degree-4 Taylor polynomial P.
/// - otherwise 2σ(2a) − 1 with σ(2a) = P·y₀(1 + res) from [`ceil_reciprocal_parts8`] (2a is
///   clamped to 20, where tanh rounds to 1 from a = 9.01 on): with P ≥ 1 here, y₀·P ∈ [0.6, 1]
///   is exact, so is 2y₀P − 1 (Sterbenz), and tanh = fma(2P·res, y₀, 2y₀P − 1) rounds once. The
///   error of y₀(1 + res) (≲ 2⁻²⁸ relative) and that of M (≲ 2⁻²⁷·² absolute, see the module
///   docs) are together ≲ 2⁻²⁶·² absolute in tanh, under half an ulp where tanh ∈ [1/4, 1/2).
/// - The sign of x is or-ed onto the result, which is ≥ 0 or NaN: tanh is odd, tanh(−0) = −0,
///   NaN stays NaN (the clamp passes it), ±∞ gives ±1.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn tanh8(x: __m256, (biased, t_hi, lo): CeilParts) -> __m256 {
    use super::avx512::{TANH_P, TANH_SMALL};
    let sign = _mm256_set1_ps(-0.0);
    let a = _mm256_andnot_ps(sign, x);
    let one = _mm256_set1_ps(1.0);
    let (_, _, y, res) = ceil_reciprocal_parts8(biased, t_hi, lo);
    let power = power_of_two(biased);
    let two_y_minus_one = _mm256_fmsub_ps(_mm256_mul_ps(y, power), _mm256_set1_ps(2.0), one);
    let scaled_res = _mm256_mul_ps(_mm256_add_ps(res, res), power);
    let large = _mm256_fmadd_ps(scaled_res, y, two_y_minus_one);
    let u = _mm256_mul_ps(a, a);
    let c = |i: usize| _mm256_set1_ps(TANH_P[i]);
    let p = _mm256_fmadd_ps(u, c(4), c(3));
    let p = _mm256_fmadd_ps(u, p, c(2));
    let p = _mm256_fmadd_ps(u, p, c(1));
    let p = _mm256_fmadd_ps(u, p, c(0));
    let small = _mm256_fmadd_ps(_mm256_mul_ps(a, u), p, a);
    let is_small = _mm256_cmp_ps::<_CMP_LT_OQ>(a, _mm256_set1_ps(TANH_SMALL));
    let t = _mm256_blendv_ps(large, small, is_small);
    _mm256_or_ps(t, _mm256_and_ps(sign, x))
}

/// The first half of [`tanh8`]: [`ceil_parts8`] of 2|x| clamped above at 20 (`min` returns its
/// second operand, 2|x|, when it is NaN).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn tanh_parts8(x: __m256) -> CeilParts {
    let a = _mm256_andnot_ps(_mm256_set1_ps(-0.0), x);
    ceil_parts8(_mm256_min_ps(_mm256_set1_ps(20.0), _mm256_add_ps(a, a)))
}

/// The first half of [`softplus8`]: [`ceil_parts8`] of |x| clamped above at 110 (`min` returns
/// its second operand, |x|, when it is NaN).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn softplus_parts8(x: __m256) -> CeilParts {
    let z = _mm256_andnot_ps(_mm256_set1_ps(-0.0), x);
    ceil_parts8(_mm256_min_ps(_mm256_set1_ps(110.0), z))
}

/// softplus x = max(x, 0) + ln(1 + e) with e = e^(−|x|), for 8 lanes from the
/// [`softplus_parts8`] of x, within 1 ulp; as `super::avx512`'s `softplus16`, on the parts of
/// e^(−|x|) = 2^c·M here:
///
/// - ln(1 + e) = 2 atanh(s) = 2s + 2s·w·Q(w), w = s², Q(w) = Σ_{k≤6} w^k/(2k + 3), with
///   s = e/(2 + e) = M/(2P + M) for P = 2^(−c) ≥ 1: 2P is again a power of two, so
///   [`ceil_reciprocal8`] gives 2P + M = d + d_lo and its reciprocal, and one FMA-corrected
///   quotient s = S_hi + S_lo (as the first quotient of σ′).
/// - max(x, 0) + 2·S_hi by TwoSum, then one rounding of the sum with its error and the rest.
/// - x < −17.4 (e < 2⁻²⁵): ln(1 + e) rounds like e = M·2^c, M rounded first (correct into the
///   subnormals but for that double rounding); x > 17: the result rounds to x. NaN propagates;
///   softplus(−∞) = 0, softplus(∞) = ∞.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn softplus8(x: __m256, (biased, t_hi, lo): CeilParts) -> __m256 {
    // The biased exponent of 2P = 2^(−c + 1), capped at that of 2^41 (from z ≈ 27.7 on): the
    // general branch is not used there (|x| > 17), and 2^(−c + 1) would overflow from z ≈ 88.
    let doubled = _mm256_add_epi32(biased, _mm256_set1_epi32(1));
    let doubled = _mm256_min_epi32(doubled, _mm256_set1_epi32(PAIR_MAX_EXPONENT + 1 + 127));
    let (d, d_lo, y) = ceil_reciprocal8(doubled, t_hi, lo);
    let (s_hi, s_lo) = divide_pair8(t_hi, lo, d, d_lo, y);
    let w = _mm256_mul_ps(s_hi, s_hi);
    let c = |k: f32| _mm256_set1_ps(1.0 / (2.0 * k + 3.0));
    let mut poly = c(6.0);
    for k in (0..6).rev() {
        poly = _mm256_fmadd_ps(w, poly, c(k as f32));
    }
    let two_s = _mm256_add_ps(s_hi, s_hi);
    let rest = _mm256_fmadd_ps(_mm256_mul_ps(two_s, w), poly, _mm256_add_ps(s_lo, s_lo));
    // max(0, x) + 2s exactly (TwoSum); `max` returns x when x is NaN.
    let positive = _mm256_max_ps(_mm256_setzero_ps(), x);
    let sum = _mm256_add_ps(positive, two_s);
    let v = _mm256_sub_ps(sum, positive);
    let err =
        _mm256_add_ps(_mm256_sub_ps(positive, _mm256_sub_ps(sum, v)), _mm256_sub_ps(two_s, v));
    let general = _mm256_add_ps(sum, _mm256_add_ps(err, rest));
    // e = M·2^c, the biased exponent of 2^c being 254 − (⌊−q⌋ + 127).
    let e = scale(_mm256_add_ps(t_hi, lo), _mm256_sub_epi32(_mm256_set1_epi32(254), biased));
    let tiny = _mm256_cmp_ps::<_CMP_LT_OQ>(x, _mm256_set1_ps(-17.4));
    let large = _mm256_cmp_ps::<_CMP_GT_OQ>(x, _mm256_set1_ps(17.0));
    _mm256_blendv_ps(_mm256_blendv_ps(general, e, tiny), x, large)
}

/// Applies a function split in two, `finish(v, start(v))`, in registers of 8 lanes over the
/// common length of `h` and `out`: [`map_staged`] with `start` as the first stage and `finish`
/// as the third.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn map_split<S: Copy>(
    h: &[f32],
    out: &mut [f32],
    start: impl Fn(__m256) -> S,
    finish: impl Fn(__m256, S) -> __m256,
) {
    map_staged(h, out, None, |v| (v, start(v)), |a| a, |(v, s)| (finish(v, s), v));
}

/// Applies a function split into three stages, `third(second(first(v)))`, giving two registers,
/// in registers of 8 lanes, writing `values` (and `slopes` when given) over their common length;
/// the last partial register goes through a stack buffer. The whole registers run
/// software-pipelined ([`super::pipeline::pipelined`]; with the kernels split at
/// [`ceil_parts8`], 7–24 % faster than the plain loop at 64 Ki on AMD Zen 4, see
/// docs/benchmark-log.md).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn map_staged<A: Copy, B: Copy>(
    h: &[f32],
    values: &mut [f32],
    mut slopes: Option<&mut [f32]>,
    first: impl Fn(__m256) -> A,
    second: impl Fn(A) -> B,
    third: impl Fn(B) -> (__m256, __m256),
) {
    const LANES: usize = 8;
    let mut n = h.len().min(values.len());
    if let Some(s) = slopes.as_deref() {
        n = n.min(s.len());
    }
    let body = n - n % LANES;
    // SAFETY: (both closures) they are called with i + 8 ≤ body ≤ n, at most the length of
    // every slice accessed; a prefetch (SSE, in the x86-64 baseline) never faults, so its
    // address may lie past the end.
    let load = |i: usize| unsafe {
        _mm_prefetch::<_MM_HINT_T0>(h.as_ptr().wrapping_add(i + PREFETCH_ELEMENTS).cast());
        _mm256_loadu_ps(h.as_ptr().add(i))
    };
    // SAFETY: i + 8 ≤ n for each output written, as for `load`.
    let mut store = |i: usize, (a, b): (__m256, __m256)| unsafe {
        _mm256_storeu_ps(values.as_mut_ptr().add(i), a);
        if let Some(s) = slopes.as_deref_mut() {
            _mm256_storeu_ps(s.as_mut_ptr().add(i), b);
        }
    };
    let mut i =
        super::pipeline::pipelined(0, body, LANES, load, &first, &second, &third, &mut store);
    while i < body {
        store(i, third(second(first(load(i)))));
        i += LANES;
    }
    if n - body == 1 {
        // A lone element by a scalar load and store, as in `super::avx512`'s `Lanes`.
        let (a, b) = third(second(first(_mm256_set1_ps(h[body]))));
        values[body] = _mm256_cvtss_f32(a);
        if let Some(s) = slopes {
            s[body] = _mm256_cvtss_f32(b);
        }
    } else if body < n {
        let mut buffer = [0.0_f32; LANES];
        buffer[..n - body].copy_from_slice(&h[body..n]);
        // SAFETY: `buffer` holds 8 f32, one unaligned 256-bit load and store each.
        unsafe {
            let (a, b) = third(second(first(_mm256_loadu_ps(buffer.as_ptr()))));
            _mm256_storeu_ps(buffer.as_mut_ptr(), a);
            values[body..n].copy_from_slice(&buffer[..n - body]);
            if let Some(s) = slopes {
                _mm256_storeu_ps(buffer.as_mut_ptr(), b);
                s[body..n].copy_from_slice(&buffer[..n - body]);
            }
        }
    }
}

/// How far ahead of the element being computed the loops prefetch `h`: 4 KiB, as in
/// [`super::avx512`].
const PREFETCH_ELEMENTS: usize = 4096 / size_of::<f32>();

/// σ over an `f32` slice, 8 lanes at a time: x clamped to [−110, 20] (σ rounds to 0 below −104
/// and to 1 above 17.4; NaN passes, since `max` and `min` return their second operand for NaN),
/// then P/(P + M): 35 vector operations, in two halves ([`sigmoid_parts8`],
/// [`sigmoid_from_parts8`]) run software-pipelined ([`map_split`]).
///
/// # Safety
///
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn sigmoid_f32(h: &[f32], out: &mut [f32]) {
    map_split(h, out, |v| sigmoid_parts8(v), |_, parts| sigmoid_from_parts8(parts));
}

/// σ′ over an `f32` slice, 8 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn sigmoid_derivative_f32(h: &[f32], out: &mut [f32]) {
    let finish = |_, parts| sigmoid_with_scaled_derivative8(parts, 0).1;
    map_split(h, out, |v| pair_parts8(v), finish);
}

/// tanh over an `f32` slice, 8 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn tanh_f32(h: &[f32], out: &mut [f32]) {
    map_split(h, out, |v| tanh_parts8(v), |v, parts| tanh8(v, parts));
}

/// tanh′ over an `f32` slice, 8 lanes at a time: tanh′ x = 4σ′(2|x|), the σ′ of the pair kernel
/// ([`sigmoid_with_scaled_derivative8`]) at 2|x| with the factor 4 folded into its final scaling
/// (one rounding, as `super::avx512`'s `tanh_derivative16`). Doubling is exact (∞ beyond the
/// range, which the clamp takes). Taken at |x| so that tanh′ is even bit for bit: σ′ at −2|x|
/// rounds differently from σ′ at 2|x| in about one input in a thousand.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn tanh_derivative_f32(h: &[f32], out: &mut [f32]) {
    let finish = |_, parts| sigmoid_with_scaled_derivative8(parts, 2).1;
    let twice_abs = |v| {
        let a = _mm256_andnot_ps(_mm256_set1_ps(-0.0), v);
        pair_parts8(_mm256_add_ps(a, a))
    };
    map_split(h, out, twice_abs, finish);
}

/// softplus over an `f32` slice, 8 lanes at a time.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn softplus_f32(h: &[f32], out: &mut [f32]) {
    map_split(h, out, |v| softplus_parts8(v), |v, parts| softplus8(v, parts));
}

/// σ and σ′ over an `f32` slice in one pass, each bit-identical to [`sigmoid_f32`] and
/// [`sigmoid_derivative_f32`].
///
/// # Safety
///
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn sigmoid_with_derivative_f32(h: &[f32], out: &mut [f32], slope: &mut [f32]) {
    let finish = |parts| sigmoid_with_scaled_derivative8(parts, 0);
    map_staged(h, out, Some(slope), |v| pair_parts8(v), |a| a, finish);
}
