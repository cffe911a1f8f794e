//! The sum of squared errors.

use num_traits::Float;

use crate::error::{check_len, Error};
use crate::kernels;

/// The sum of squared errors E = ½ Σⱼ (yⱼ − ŷⱼ)².
///
/// The factor ½ makes ∂E/∂ŷ = −(y − ŷ) and so gives the delta rule its plain form; it is the
/// convention of optax's `l2_loss`. PyTorch's `MSELoss(reduction="sum")` has no ½ and is `2E`.
/// For several data points μ, pass all of them flattened: E = ½ Σ_μ Σⱼ (yⱼ^μ − ŷⱼ^μ)².
///
/// # Errors
///
/// [`Error::LengthMismatch`] if `y_hat.len() != y.len()`.
///
/// # Special cases
///
/// - Empty slices: E = 0.
/// - Any NaN, or ∞ of the same sign in the same place of both slices (∞ − ∞), gives NaN; an
///   ∞ difference or a result beyond the range gives +∞ (a sum Σ that overflows while ½Σ does
///   not still gives ½Σ). Otherwise E ≥ 0 (E = 0 only if every
///   difference is 0 or its square underflows).
///
/// # Accuracy
///
/// Faithfully rounded: the result is one of the two floats next to the exact ½ Σ (yⱼ − ŷⱼ)² of
/// the given inputs (an error below 1 ulp), for any n up to 10⁸ and any finite inputs whose
/// result is a normal number. f32 (and f16/bf16) are summed in f64, which keeps the rounding
/// errors near (n/8)·2^-53 relative, a small fraction of an f32 ulp; f64 uses a compensated sum
/// (TwoSum on each difference, then each square added to a running sum with its rounding error
/// kept: an exact Dekker square and TwoSum in the portable loop, one FMA and the error of that
/// FMA in the SIMD kernels), as if computed in twice the precision. Measured against
/// `math.fsum` references on random, ill-conditioned and large inputs up to n = 10⁷
/// (`tests/sse_reference.rs`): at most 0.48 ulp, where a sequential sum is off by up to
/// 1.9·10⁵ ulp (f32) and 1.8·10⁴ ulp (f64); its relative error bound is (n − 1)·ε, about 6 %
/// for f32 at n = 10⁶.
///
/// Cost (`cargo bench --bench accuracy -- sse`, n = 10⁶, default build, see
/// docs/benchmark-log.md): with the x86-64 SIMD kernels (AVX2, AVX-512) f32 takes 0.1–0.5 and
/// f64 0.3–1.1 of the time of a sequential sum of the same type, depending on the core; the
/// portable compensated loop (no SIMD) about 2× that time.
///
/// Where the squares underflow (differences below about 2^-511 in f64) their low parts are lost
/// and the result is only accurate to about 2^-1074 absolute.
///
/// # Examples
///
/// ```
/// use delta_rule::sse;
///
/// let e = sse(&[1.0_f64, 0.0], &[0.5, 0.5])?;
/// assert_eq!(e, 0.25); // ½ (0.25 + 0.25)
/// assert_eq!(sse::<f32>(&[], &[])?, 0.0);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn sse<T: Float>(y: &[T], y_hat: &[T]) -> Result<T, Error> {
    check_len("y", y.len(), "y_hat", y_hat.len())?;
    let half = (T::one() + T::one()).recip();
    let sum = kernels::sum_squared_diff(y, y_hat);
    if sum >= half * T::max_value() {
        // Σ may overflow where ½Σ does not, and its error terms may overflow within an ulp of
        // it: sum once more, scaled down (rarely taken).
        Ok(kernels::half_sum_squared_diff(y, y_hat))
    } else {
        Ok(half * sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specials() {
        assert_eq!(sse::<f64>(&[], &[]).unwrap(), 0.0);
        assert!(sse(&[f64::NAN], &[0.0]).unwrap().is_nan());
        assert!(sse(&[f64::INFINITY], &[f64::INFINITY]).unwrap().is_nan());
        assert_eq!(sse(&[f64::INFINITY], &[0.0]).unwrap(), f64::INFINITY);
        assert_eq!(sse(&[1e200_f64], &[-1e200]).unwrap(), f64::INFINITY);
        // Σ overflows, ½Σ does not.
        let big = f64::MAX.sqrt();
        assert_eq!(sse(&[big, big], &[0.0, 0.0]).unwrap(), big * big);
        let big32 = f32::MAX.sqrt();
        assert_eq!(sse(&[big32, big32], &[0.0, 0.0]).unwrap(), big32 * big32);
        // Squares beyond the range.
        assert_eq!(sse(&[f64::MAX, f64::MAX], &[0.0, 0.0]).unwrap(), f64::INFINITY);
    }

    #[test]
    fn mismatch_names_arguments() {
        let err = sse(&[1.0_f32; 3], &[1.0; 4]).unwrap_err();
        assert_eq!(
            err,
            Error::LengthMismatch { expected_arg: "y", expected: 3, found_arg: "y_hat", found: 4 }
        );
    }
}
