//! Tolerances and ulp helpers shared by the integration tests.
#![allow(dead_code)]

/// Relative tolerance for values that the worked example reproduces in f64.
pub const F64_REL: f64 = 1e-15;
/// Relative tolerance for the same values computed in f32 (a few f32 ulps).
pub const F32_REL: f64 = 4.0 * f32::EPSILON as f64;

/// Relative tolerances of central finite-difference checks in f64 (step ∛ε·max(1, |x|)):
/// the truncation error is O(h²f‴) and the rounding error O(ε/h), both ~ε^(2/3) ≈ 4e-11 at
/// unit scale; 1e-6 leaves room for curvature and cancellation.
pub const FD_REL: f64 = 1e-6;
/// Absolute floor for finite-difference checks where the derivative itself is ~0.
pub const FD_ABS: f64 = 1e-9;

/// Bound on |f32 result − f64 result| / max(1, |f64 result|) for the same inputs computed in both
/// types on the small problems of the property tests.
pub const F32_VS_F64: f64 = 1e-5;

/// The distance in units in the last place between two finite f64 values (0 for equal values,
/// counting ±0 as equal).
pub fn ulps_f64(a: f64, b: f64) -> u64 {
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

/// The distance in ulps between two finite f32 values.
pub fn ulps_f32(a: f32, b: f32) -> u64 {
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
pub const HAND_LOOP_EPS_FACTOR: f64 = 32.0;

/// Factor k of the bound k·n·ε·Σ_μ |δ_jμ x_iμ| on the difference between gradients summed over n
/// records in two different orders (shards, threads): each order's error is at most n·ε·Σ|δx|
/// (sequential summation), and the factor 2 adds both.
pub const REORDER_EPS_FACTOR: f64 = 2.0;
