//! Tolerances and ulp helpers shared by the integration tests.
#![allow(dead_code)]

/// Relative tolerance for values that the worked example reproduces in f64: the requirement
/// that the tutorial's printed f64 values come out to a few ulps (1e-15 = 4.5ε).
pub const F64_REL: f64 = 1e-15;
/// Relative tolerance for the same values computed in f32: their distance from the exact
/// values (the f64 ones to 2⁻²⁹ of an f32 ulp), [`WORKED_EXAMPLE_EPS`] f32 ε.
pub const F32_REL: f64 = WORKED_EXAMPLE_EPS * f32::EPSILON as f64;

/// Relative tolerance of central finite-difference checks in f64 (step h = ∛ε·max(1, |x|)),
/// for the truncation error h²|f‴|/6 ≈ 6e-12·max(1, |x|)²·|f‴| beside |f′|: where |f′| is not
/// small enough for [`FD_ABS`] to cover it, |f‴/f′| ≲ 1 and |x| ≲ 3 on the tested functions,
/// so below 1e-10; 1e-9 leaves a factor of 10.
pub const FD_REL: f64 = 1e-9;
/// Absolute floor of the same checks: the rounding error of the quotient, about
/// ε·|f(x)|/h ≤ ε^(2/3)·|f(x)|/max(1, |x|) ≈ 3.7e-11·|f(x)|/max(1, |x|), below 7.4e-11 for
/// functions with |f(x)| ≤ |x| + 1 (every activation and the unit loss of the tests).
pub const FD_ABS: f64 = 1e-10;

/// The distance in units in the last place between two f64 values: 0 for equal values (±0
/// counting as equal) and for two NaNs, and never 0 for a NaN against a number.
pub fn ulps_f64(a: f64, b: f64) -> u64 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    fn key(x: f64) -> i64 {
        let bits = x.to_bits() as i64;
        if bits < 0 {
            i64::MIN - bits
        } else {
            bits
        }
    }
    key(a).abs_diff(key(b))
}

/// The distance in ulps between two f32 values, as [`ulps_f64`].
pub fn ulps_f32(a: f32, b: f32) -> u64 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    fn key(x: f32) -> i64 {
        let bits = x.to_bits() as i32;
        i64::from(if bits < 0 { i32::MIN - bits } else { bits })
    }
    key(a).abs_diff(key(b))
}

/// |a − b| ≤ rel·max(|a|, |b|), with no absolute slack.
pub fn close_rel(a: f64, b: f64, rel: f64) -> bool {
    approx::relative_eq!(a, b, epsilon = 0.0, max_relative = rel)
}

/// A central finite difference of `f` at `x` with step ∛ε·max(1, |x|).
pub fn central_difference(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let step = f64::EPSILON.cbrt() * x.abs().max(1.0);
    // Round the step so that x ± step are exact and the divisor is the true spacing.
    let (lo, hi) = (x - step, x + step);
    (f(hi) - f(lo)) / (hi - lo)
}

/// Absolute floor for central-difference checks of a batch loss E up to ~100 in f64: the
/// difference quotient's rounding error is about ε·|E|/h with h = ∛ε, i.e. ε^(2/3)·|E| ≈ 5e-9
/// at |E| = 100, and its truncation error h²·|E‴|/6 is of the same order for the data used.
pub const FD_BATCH_ABS: f64 = 1e-8;

/// Factor k of the bound k·ε·(|wᵢ| + η/n·Σ_μ (|δ_μ| + Σ_k |w_k x_μk|)·|x_μi|) on the difference
/// between one batch epoch and the tutorial's loop written out by hand: the two compute each δ
/// with different (but each few-ulp) sigmoid formulas and dot-product orders, δ moves by at most
/// |∂δ/∂h| ≤ 1 times the error of h (≤ D·ε·Σ|w x| for D ≤ 8), and the update adds 3 roundings.
/// Not a worst case: both add the records' terms δx in the same order, so their sums round
/// alike but where the terms differ, and the factor leaves out the n·ε·Σ|δx| that two sums in
/// unrelated orders could differ by (that is [`REORDER_EPS_FACTOR`]'s case).
pub const HAND_LOOP_EPS_FACTOR: f64 = 32.0;

/// Factor k of the bound k·n·ε·Σ_μ |δ_jμ x_iμ| on the difference between gradients summed over n
/// records in two different orders (shards, threads): each order's error is at most n·ε·Σ|δx|
/// (sequential summation), and the factor 2 adds both.
pub const REORDER_EPS_FACTOR: f64 = 2.0;

/// u = ε/2, the unit roundoff of f64: the relative error of one rounding to nearest.
pub const UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;

/// γ_m = m·u/(1 − m·u) (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1): the
/// relative error of m roundings in a row, and the bound, relative to Σ|terms|, of a sum or dot
/// product whose terms pass through at most m roundings each.
pub fn gamma(m: usize) -> f64 {
    gamma_of(m, UNIT_ROUNDOFF)
}

/// γ_m for f32 arithmetic, u = 2⁻²⁴.
pub fn gamma32(m: usize) -> f64 {
    gamma_of(m, f64::from(f32::EPSILON) / 2.0)
}

fn gamma_of(m: usize, u: f64) -> f64 {
    let mu = m as f64 * u;
    mu / (1.0 - mu)
}

/// The most roundings a product passes through in the crate's f64 net input of `d` terms, on
/// any path (`net_input`'s docs): max(⌊d/8⌋ + 4, d mod 8 + 1) generic, ⌈d/32⌉ + 5 SIMD.
pub fn net_input_roundings_f64(d: usize) -> usize {
    (d / 8 + 4).max(d % 8 + 1).max(d.div_ceil(32) + 5)
}

/// Relative error of σ(h) = 1/(1 + e^−h) in plain f64 for a given h: e^−h within 1 ulp (≤ ε;
/// glibc's exp states 0.511 ulp), weighted by e^−h/(1 + e^−h) < 1 in the sum, and two roundings.
pub const NAIVE_SIGMOID_REL: f64 = 2.0 * f64::EPSILON;

/// |∂δ/∂h| for the sigmoid's δ = (y − σ)σ′ with y ∈ [0, 1]: |−σ′² + (y − σ)σ″| ≤ 1/16 + 1/(6√3).
pub const SIGMOID_DELTA_SLOPE: f64 = 1.0 / 6.0;

/// Relative error of the reference formulas in plain f64 (σ = 1/(1 + e) or e/(1 + e),
/// σ′ = e/(1 + e)², tanh′ = 4e/(1 + e)² with e = e^−|h| or e^−2|h| within 1 ulp, and the
/// platform's tanh within 2 ulp: 1.55 measured with glibc 2.36) and of δ = (y − f)·f′ from them:
/// f ≤ 2.5ε, f′ ≤ 4ε, and two roundings, so |Δδ| ≤ f′·(|f| + |y − f|)·5ε.
pub const F64_FORMULA_REL: f64 = 5.0 * f64::EPSILON;

/// Relative bound on |`sse` − Σ ½(a − b)² summed in order| for at most 63 pairs: each term
/// rounds the difference (doubled by the square) and the square (3u; ½ is exact), the sum of
/// ≤ 63 non-negative terms adds 62u and `sse` is faithful (< 2u): 67u, 34ε with second order.
pub const SSE_VS_SEQUENTIAL_63: f64 = 34.0 * f64::EPSILON;

/// Relative bound on |sse − mse·n/2| for a `Loss` of n outputs: 2·sse and ÷2 are exact, and
/// mse = 2·sse/n and the check's mse·n round once each (≤ u/(1 + u)): below 2u = ε.
pub const MSE_TIMES_N_REL: f64 = f64::EPSILON;

/// The worked example in f32, f16 and bf16, relative to each intermediate, in ε of the type. The
/// longest chain, Δw = ηδx, to first order: h = 0.15 − 0.08 is off by 0.46u from x, w and three
/// roundings; y − ŷ = −0.317 by y's 0.2u, ŷ's < 1 ulp (u), σ′·0.46u and its own 0.32u (5.2u
/// relative); then f′ (< 1 ulp: ≤ 2u), δ's product, x's rounding and Δw's product (u each):
/// 10.2u = 5.1ε.
pub const WORKED_EXAMPLE_EPS: f64 = 6.0;

/// Accuracy bounds in ulps, as documented on each kernel; the reference-table and exhaustive
/// tests fail above them. Measured against a reference that is itself inexact (an f64 formula
/// for a narrower type), a test adds that reference's own error, [`reference_ulps`], and no more.
pub mod bounds {
    /// `Sigmoid::activate` and `derivative` on f64: strictly below 1 ulp, and correctly rounded
    /// on every sampled normal result.
    pub const SIGMOID: f64 = 1.0;
    /// `Sigmoid::activate_slice`, f32 and f64 (vectorised where available).
    pub const SIGMOID_SLICE: f64 = 1.0;
    /// `Sigmoid::derivative` on f64, as [`SIGMOID`].
    pub const SIGMOID_DERIVATIVE: f64 = 1.0;
    /// The scalar and pair methods of σ, σ′, tanh, tanh′ and softplus on f32: correctly rounded
    /// but within 2⁻²⁶ ulp of a tie, so strictly below 0.5 + 2⁻²⁶ ulp (a plain f64 formula
    /// within [`formula_rel`]'s 4ε, 2⁻²⁶ of an f32 ulp, rounded once).
    pub const F32_SCALAR: f64 = 0.5 + 1.0 / 67_108_864.0;
    /// `Sigmoid::derivative_slice`, f32 and f64 (vectorised where available).
    pub const SIGMOID_DERIVATIVE_SLICE: f64 = 2.0;
    /// `Tanh::activate` on f64: strictly below 1 ulp.
    pub const TANH: f64 = 1.0;
    /// `Tanh::derivative` on f64: strictly below 1 ulp.
    pub const TANH_DERIVATIVE: f64 = 1.0;
    /// `Softplus::activate` on f64: strictly below 1 ulp.
    pub const SOFTPLUS: f64 = 1.0;
    /// The largest error of the `f32` slice kernels, rounded up: σ′ with AVX2, 0.804 ulp over
    /// all 2³² inputs (AVX-512 0.781; the scalar level ≤ 0.51 ulp).
    pub const F32_SLICE_MEASURED: f64 = 0.81;
    /// f16 slices, whose results are the `f32` kernels' rounded once more to f16:
    /// 0.5 + 0.81·2⁻¹³ (an f16 ulp is 2¹³ f32 ulps).
    pub const F16_SLICE: f64 = 0.5 + F32_SLICE_MEASURED / 8192.0;
    /// bf16 slices: 0.5 + 0.81·2⁻¹⁶ (a bf16 ulp is 2¹⁶ f32 ulps, subnormals included).
    pub const BF16_SLICE: f64 = 0.5 + F32_SLICE_MEASURED / 65536.0;
    /// `sse`: faithful rounding, strictly below one ulp of the exact sum.
    pub const SSE: f64 = 1.0;
    /// `Tanh::activate_slice`, f32 and f64 (vectorised where available).
    pub const TANH_SLICE: f64 = 1.0;
    /// `Tanh::derivative_slice`, f32 and f64 (vectorised where available).
    pub const TANH_DERIVATIVE_SLICE: f64 = 2.0;
    /// `Softplus::activate_slice` on f32 (vectorised where available).
    pub const SOFTPLUS_SLICE: f64 = 1.0;
    /// The `f32` kernels evaluated in `f64` lanes (`src/simd/math.rs`; all of them on aarch64,
    /// the scalar level's on x86-64): σ, σ′, tanh′ and softplus rounded once from within 2⁻⁵ ulp.
    pub const F32_IN_F64: f64 = 0.5 + 1.0 / 32.0;
    /// σ likewise, rounded once from within 2⁻⁶ ulp.
    pub const SIGMOID_F32_IN_F64: f64 = 0.5 + 1.0 / 64.0;
    /// tanh likewise, rounded once from within 2⁻⁴ ulp.
    pub const TANH_F32_IN_F64: f64 = 0.5 + 1.0 / 16.0;
    /// The `f64` σ slice kernels at every level, [normal, subnormal] results, from their
    /// analyses (`src/simd/math.rs`, `src/simd/avx512.rs`): within ½ ulp of a value with
    /// relative error ≤ 0.28u, and a second rounding where a result is scaled into the
    /// subnormals (0.5 + 0.25 + 0.14 ulp).
    pub const SIGMOID_F64_SLICE: [f64; 2] = [0.78, 0.89];
    /// The portable `f64` σ kernel (`src/simd/math.rs`: the scalar and AVX2 levels, NEON), the
    /// same two cases: within ½ ulp of a value with relative error ≤ 0.081u + 2⁻⁹⁴.
    pub const SIGMOID_F64_PORTABLE: [f64; 2] = [0.59, 0.8];
    /// The `f64` σ′ and tanh′ slice kernels at every level: rounded once from a double-double
    /// quotient, ≤ 1 ulp (tighter than the 2 ulp documented for σ′ and tanh′ slices of both
    /// types).
    pub const DERIVATIVE_F64_SLICE: [f64; 2] = [1.0, 1.0];
    /// The AVX-512 `f64` tanh slice kernel, [normal, subnormal] results (`src/simd/avx512.rs`):
    /// 0.5 ulp plus at most 0.1 (2σ(2|h|) − 1) or 0.08 ulp (the Taylor branch); a subnormal
    /// result is h itself.
    pub const TANH_F64_SLICE: [f64; 2] = [0.6, 0.0];
    /// The portable `f64` tanh kernel (`src/simd/math.rs`: the scalar and AVX2 levels, NEON),
    /// the same two cases: ≤ 0.5 + 0.18 ulp, and h itself.
    pub const TANH_F64_PORTABLE: [f64; 2] = [0.68, 0.0];
    /// The `f64` softplus slice kernels: 0.5 ulp plus at most 0.28 ulp from the series' and e's
    /// errors (`softplus8` in `src/simd/avx512.rs`) for normal results (subnormal ones round
    /// twice: 1 ulp).
    pub const SOFTPLUS_F64_SLICE: f64 = 0.78;
    /// The AVX-512 `f32` σ, σ′ and tanh′ kernels (`src/simd/avx512.rs`), [normal, subnormal]
    /// results: their largest errors over all 2³² inputs (σ′ 0.621 and 0.781 ulp) rounded up.
    /// Their analysis adds every error at its largest and allows 0.86 and 0.93 ulp; AVX-512 gives
    /// the same bits on Intel and AMD cores (the same maxima on Ice Lake, Zen 4 and Zen 5).
    pub const F32_AVX512_QUOTIENT: [f64; 2] = [0.63, 0.79];
    /// The AVX-512 `f32` tanh, likewise measured (0.587 ulp; its analysis allows 0.5 + 0.31 ulp
    /// where tanh ∈ [1/4, 1/2)); a subnormal result is h itself.
    pub const TANH_F32_AVX512: [f64; 2] = [0.6, 0.0];
    /// The AVX-512 `f32` softplus, likewise measured (0.7513 and 0.7673 ulp; its analysis allows
    /// 0.84 and 0.81: below h = −17.4 the result is e^h rounded, off from ln(1 + e^h) by up to
    /// e^h/2 ≤ 2⁻²⁶·¹ relative).
    pub const SOFTPLUS_F32_AVX512: [f64; 2] = [0.76, 0.77];
    /// The scalar methods on f16 and bf16: a plain f64 formula (a few f64 ulps, within 2⁻³⁹ of a
    /// half ulp, as `formula_rel`) rounded once to the type. Rounded through f32 instead, they
    /// would err by up to 0.5 + 2⁻¹³ (f16) or 0.5 + 2⁻¹⁶ (bf16) ulp (measured: 0.500053).
    pub const HALF_SCALAR: f64 = 0.5 + 1.0 / (1u64 << 39) as f64;

    /// The largest `ulps_f64`/`ulps_f32` distance from the correctly rounded value (itself
    /// within ½ ulp) of a result within `bound` ulps of the exact one: ⌊bound + ½⌋ within a
    /// binade. A table of rounded values alone can decide no more: a result this far away may
    /// still be up to ½ ulp beyond `bound`, so use it only where no residual is known.
    pub const fn from_rounded(bound: f64) -> u64 {
        // Truncation is the floor for the non-negative bounds.
        (bound + 0.5) as u64
    }
}

/// Relative errors of the independent reference formulas in plain f64, each function on its
/// own (u = 2⁻⁵³, ε = 2u; the platform's `exp` within 1 ulp (2u), its `tanh` and `ln_1p` within
/// 2 ulp (4u)), derived to first order and rounded up, the second order included, to the
/// f ≤ 2.5ε and f′ ≤ 4ε of [`F64_FORMULA_REL`], which bounds them all.
pub mod formula_rel {
    /// σ = 1/(1 + e) or e/(1 + e), e = e^−|h|: e's 2u weighted by at most 1, 1 + e and the
    /// division (u each): 4u = 2ε.
    pub const SIGMOID: f64 = 2.5 * f64::EPSILON;
    /// σ′ = e/(1 + e)²: e's 2u weighted by (1 − e)/(1 + e) ≤ 1, 1 + e doubled by the square
    /// (2u), the square and the division: 6u = 3ε.
    pub const SIGMOID_DERIVATIVE: f64 = 4.0 * f64::EPSILON;
    /// The platform's tanh: 4u = 2ε (1.55 ulp measured with glibc 2.36).
    pub const TANH: f64 = 2.5 * f64::EPSILON;
    /// tanh′ = 4e/(1 + e)² with e = e^−2|h| (2|h| and 4e exact): as σ′.
    pub const TANH_DERIVATIVE: f64 = 4.0 * f64::EPSILON;
    /// softplus = max(h, 0) + ln_1p(e^−|h|): e's 2u weighted by e/((1 + e)ln(1 + e)) ≤ 1 and
    /// ln_1p's 4u, 6u relative to the tail, which is at most the sum; the sum's rounding: 7u.
    pub const SOFTPLUS: f64 = 4.0 * f64::EPSILON;
}

/// (σ(x), σ′(x)) in plain f64 ([`formula_rel::SIGMOID`], [`formula_rel::SIGMOID_DERIVATIVE`]).
pub fn sigmoid_pair(x: f64) -> (f64, f64) {
    let e = (-x.abs()).exp();
    let d = 1.0 + e;
    (if x >= 0.0 { 1.0 / d } else { e / d }, e / (d * d))
}

/// (tanh x, tanh′ x) in plain f64 ([`formula_rel::TANH`], [`formula_rel::TANH_DERIVATIVE`]).
pub fn tanh_pair(x: f64) -> (f64, f64) {
    let e = (-2.0 * x.abs()).exp();
    let d = 1.0 + e;
    (x.tanh(), 4.0 * e / (d * d))
}

/// softplus in plain f64 ([`formula_rel::SOFTPLUS`]).
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The relative error of the crate's own `f64` methods of the logistic family, below 1 ulp
/// (ε relative) as `tests/reference_tables.rs` checks against mpmath: the reference for the
/// narrower types' scalar methods. Those run the plain f64 formulas of [`sigmoid_pair`],
/// [`tanh_pair`] and [`softplus`], so measured against those formulas their results would be
/// within ½ ulp by construction; the `f64` methods are a separate evaluation (double-double
/// arithmetic and an e^x of their own; softplus starts from the platform's `ln_1p` and corrects
/// it by a Newton step on that e^x).
pub const F64_METHODS_REL: f64 = f64::EPSILON;

/// The most a reference within `rel` (relative) of the exact value moves an error measured by
/// [`error_from_reference`] in ulps of `format`: rel·|x|/ulp(x) < rel·2^p, widened by
/// (1 + 4·rel) for the reference's own offset from x (2⁻²⁶ of an f32 ulp for rel = 4ε).
pub fn reference_ulps(rel: f64, format: Format) -> f64 {
    rel * pow2(format.precision) * (1.0 + 4.0 * rel)
}

/// The error in ulps of `format` of `result` measured from `reference`, an f64 value within
/// `rel`·|x| of the exact x: |result − reference| in units of the spacing at
/// |reference|·(1 − rel), the narrowest x can have (so that a power of two between x and the
/// reference never halves the error). Within [`reference_ulps`] of the error against x itself
/// wherever x and the reference share a binade; where they straddle a power of two it can
/// only overstate the error. Equal values (both NaN, or the same infinity) are 0 ulps apart; a
/// NaN or infinity against anything else is +∞.
pub fn error_from_reference(result: f64, reference: f64, rel: f64, format: Format) -> f64 {
    if result == reference || (result.is_nan() && reference.is_nan()) {
        return 0.0;
    }
    if !result.is_finite() || !reference.is_finite() {
        return f64::INFINITY;
    }
    (result - reference).abs() / ulp(reference.abs() * (1.0 - rel), format)
}

/// Whether `result`, a non-negative value of `format`, is a faithful rounding of the exact
/// value truth·2^`exp` (truth ≥ 0): one of the two values of `format` around it, so the value
/// itself where it is representable. Decided exactly, in integers.
pub fn is_faithful(result: f64, truth: i128, exp: i32, format: Format) -> bool {
    assert!(truth >= 0, "a non-negative exact value");
    if !(result.is_finite() && result >= 0.0) {
        return false;
    }
    // The neighbours of `result` in `format`; below a power of two the spacing is half as wide.
    let spacing = ulp(result, format);
    let up = result + spacing;
    let power_of_two = result.to_bits() & ((1 << 52) - 1) == 0;
    let below = if power_of_two { (spacing / 2.0).max(pow2(format.min_exponent)) } else { spacing };
    let down_is_below = result == 0.0 || compare_exact(result - below, truth, exp).is_lt();
    down_is_below && compare_exact(up, truth, exp).is_gt()
}

/// The order of a finite f64 `v` ≥ 0 against truth·2^`exp` (truth ≥ 0), exactly.
fn compare_exact(v: f64, truth: i128, exp: i32) -> core::cmp::Ordering {
    // v = m·2^q with an integer m < 2⁵³.
    let biased = ((v.to_bits() >> 52) & 0x7ff) as i32;
    let fraction = u128::from(v.to_bits() & ((1 << 52) - 1));
    let (m, q) = if biased == 0 { (fraction, -1074) } else { (fraction | 1 << 52, biased - 1075) };
    let truth = truth as u128;
    // a·2^d against b for a, b ≥ 0, without overflow: a against ⌊b/2^d⌋, then the remainder.
    fn scaled(a: u128, d: u32, b: u128) -> core::cmp::Ordering {
        if d >= 128 {
            return if a == 0 { 0.cmp(&b) } else { core::cmp::Ordering::Greater };
        }
        let remainder = b & ((1u128 << d) - 1);
        a.cmp(&(b >> d)).then(0.cmp(&remainder))
    }
    let d = q - exp;
    if d >= 0 {
        scaled(m, d as u32, truth)
    } else {
        scaled(truth, d.unsigned_abs(), m).reverse()
    }
}

/// Per-type tolerances of the gradient checks (those of jax's `check_grads`).
pub mod gradcheck {
    /// f64.
    pub const F64: f64 = 1e-5;
    /// f32.
    pub const F32: f64 = 2e-3;
    /// f16.
    pub const F16: f64 = 1e-2;
    /// bf16.
    pub const BF16: f64 = 1e-1;
}

/// A float format for ulp arithmetic: the significand precision and the exponent of the
/// smallest subnormal.
#[derive(Clone, Copy, Debug)]
pub struct Format {
    pub precision: i32,
    pub min_exponent: i32,
}

pub const F64: Format = Format { precision: 53, min_exponent: -1074 };
pub const F32: Format = Format { precision: 24, min_exponent: -149 };

/// 2^k as an f64, for −1074 ≤ k ≤ 1023.
pub fn pow2(k: i32) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}

/// The spacing of `format` at the finite value `x` (given in f64): 2^(e − p + 1) for
/// 2^e ≤ |x| < 2^(e+1), never below the smallest subnormal.
pub fn ulp(x: f64, format: Format) -> f64 {
    let biased = ((x.to_bits() >> 52) & 0x7ff) as i32;
    // f64 subnormals and zero sit below every format's normal range.
    let exponent = if biased == 0 { -1075 } else { biased - 1023 };
    pow2((exponent - format.precision + 1).max(format.min_exponent))
}

/// The error in ulps of `result` against an exact value given as its correctly rounded value
/// `rounded` plus `residual` ulps (as in the reference tables). Infinities and NaN must match
/// exactly (error 0), otherwise the error is +∞.
pub fn ulp_error(result: f64, rounded: f64, residual: f64, format: Format) -> f64 {
    if !rounded.is_finite() || !result.is_finite() {
        let same = result == rounded || (result.is_nan() && rounded.is_nan());
        return if same { 0.0 } else { f64::INFINITY };
    }
    // The ulp at the exact value: below a rounded power of two the spacing is half as wide.
    let mut unit = ulp(rounded, format);
    let power_of_two = rounded.to_bits() & ((1 << 52) - 1) == 0;
    if power_of_two && residual * rounded.signum() < 0.0 {
        unit = (unit / 2.0).max(pow2(format.min_exponent));
    }
    ((result - rounded) / unit - residual).abs()
}

/// One line of a reference table: input, correctly rounded output, residual in ulps.
pub struct Reference {
    pub input: f64,
    pub rounded: f64,
    pub residual: f64,
}

/// Parses a table written by scripts/gen_reference.py; `f32` tables hold 8-digit bit patterns.
pub fn parse_table(text: &str, format: Format) -> Vec<Reference> {
    let value = |hex: &str| -> f64 {
        if format.precision == 24 {
            f64::from(f32::from_bits(u32::from_str_radix(hex, 16).expect("hex f32")))
        } else {
            f64::from_bits(u64::from_str_radix(hex, 16).expect("hex f64"))
        }
    };
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.split_whitespace();
            let mut next = || fields.next().expect("three fields per line");
            let input = value(next());
            let rounded = value(next());
            let residual = f64::from_bits(u64::from_str_radix(next(), 16).expect("hex f64"));
            Reference { input, rounded, residual }
        })
        .collect()
}

/// Parses a table written by scripts/sigmoid_reference.py: (x, f(x), f′(x)) as bit patterns, each
/// value correctly rounded.
pub fn parse_value_table(text: &str) -> Vec<[f64; 3]> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut values = line
                .split_whitespace()
                .map(|hex| f64::from_bits(u64::from_str_radix(hex, 16).expect("hex f64")));
            let mut next = || values.next().expect("three fields per line");
            [next(), next(), next()]
        })
        .collect()
}

/// Steele, Lea and Flood's splitmix64, the same generator as scripts/gen_reference.py and
/// scripts/sse_reference.py.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in [0, 1) from the top 53 bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }
}
