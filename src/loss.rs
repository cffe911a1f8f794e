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
/// 1.9·10⁵ ulp (f32) and 1.8·10⁴ ulp (f64); its relative error bound is about (n − 1)·u, with
/// u = ε/2 the unit roundoff: 6 % for f32 at n = 10⁶.
///
/// Cost (`cargo bench --bench accuracy -- sse`, n = 10⁶, default build, see
/// docs/benchmark-log.md): with the x86-64 SIMD kernels (AVX2, AVX-512) f32 takes 0.1–0.5 and
/// f64 0.3–1.1 of the time of a sequential sum of the same type, depending on the core; the
/// portable compensated loop (no SIMD) about 2× that time.
///
/// Squares that underflow (differences below about 2^-484 in f64) lose their low parts, up to
/// n·2^-1074 in all; a sum below 2^-960 (f64) is therefore taken once more with the differences
/// scaled up by 2^52, which keeps the result faithfully rounded wherever it is normal (equal
/// slices give 0 after one comparison pass instead). Subnormal results round once more when
/// scaled back.
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
    } else if !kernels::sums_in_f64::<T>()
        && sum < kernels::underflow_threshold::<T>()
        && !(sum == T::zero() && y.iter().zip(y_hat).all(|(a, b)| a == b))
    {
        // Squares below the smallest subnormal have lost their low parts, which a small sum
        // notices: sum once more, scaled up (rarely taken). Equal slices, whose sum is exactly
        // 0, take one comparison pass instead.
        Ok(kernels::upscaled_half_sum_squared_diff(y, y_hat))
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

    #[test]
    fn squares_below_the_subnormals_are_summed_scaled_up() {
        // d = 2⁻⁵⁴⁰: d² = 2⁻¹⁰⁸⁰ is below half the smallest subnormal, so every square and the
        // first sum are 0; summed again scaled up, 2¹⁶ of them halved are 2⁻¹⁰⁶⁵, 2⁹ times the
        // smallest subnormal. d = 2⁻⁵³⁰: d² = 2⁻¹⁰⁶⁰ is subnormal, and 4 of them halved are
        // 2⁻¹⁰⁵⁹ exactly. Equal slices give 0.
        let tiny = 2.0_f64.powi(-540);
        assert_eq!(sse(&[tiny; 1 << 16], &[0.0; 1 << 16]).unwrap(), f64::from_bits(1 << 9));
        let small = 2.0_f64.powi(-530);
        // 2⁻¹⁰⁵⁹ = 2¹⁵ times the smallest subnormal 2⁻¹⁰⁷⁴.
        assert_eq!(sse(&[small; 4], &[0.0; 4]).unwrap(), f64::from_bits(1 << 15));
        assert_eq!(sse(&[3.5_f64; 8], &[3.5; 8]).unwrap().to_bits(), 0);
    }

    #[test]
    fn faithful_where_the_squares_underflow_but_the_sum_is_normal() {
        // n equal residuals d = m·2^k: E = ½·n·d² = m²·2^(2k − 1 + log₂ n) exactly, whose
        // correctly rounded value is m² (an integer below 2¹⁰⁶) rounded once to f64, times that
        // power of two (applied in two exact steps). Each d² is below the smallest normal
        // number (d < 2⁻⁵¹¹), so its low part underflows; E is normal.
        let cases = [
            (0x1f70_5555_5555_5555_u64, 20),
            (0x1ff0_5555_5555_5555, 10),
            (0x1ff0_5555_5555_5555, 20),
            (0x1fef_ffff_ffff_ffff, 12),
            (0x1ff0_0000_0000_0001, 16),
        ];
        for (bits, log_n) in cases {
            let d = f64::from_bits(bits);
            let m = u128::from(bits & ((1 << 52) - 1) | 1 << 52);
            let k = ((bits >> 52) as i32) - 1075;
            let n = 1_usize << log_n;
            let rounded = (m * m) as f64;
            let expected = rounded * 2.0_f64.powi(-600) * 2.0_f64.powi(2 * k - 1 + log_n + 600);
            assert!(expected.is_normal() && (d * d) < f64::MIN_POSITIVE, "{expected:e}");
            // Faithful: the correctly rounded value, or its neighbour on the exact value's side
            // (none where m² is exact in f64).
            let other = match (m * m).cmp(&(rounded as u128)) {
                core::cmp::Ordering::Greater => f64::from_bits(expected.to_bits() + 1),
                core::cmp::Ordering::Less => f64::from_bits(expected.to_bits() - 1),
                core::cmp::Ordering::Equal => expected,
            };
            // d − 0, and 2d − d (exact).
            for (y, y_hat) in [(vec![d; n], vec![0.0; n]), (vec![2.0 * d; n], vec![d; n])] {
                let e = sse(&y, &y_hat).unwrap();
                assert!(
                    e == expected || e == other,
                    "d = {d:e}, n = {n}: {e:e} against {expected:e} (or {other:e})"
                );
            }
        }
    }
}
