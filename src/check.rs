//! Gradient checks: analytic derivatives against central finite differences.

use num_traits::Float;

use crate::activation::Activation;
use crate::error::{check_len, Error};

/// The outcome of [`check_derivative`] or [`check_gradient`]: the largest error found, where,
/// and the tolerance it is judged by.
///
/// The error at a point compares the analytic value a with the central difference d as
/// |a − d| / (1 + |d|): relative for large values, absolute near 0, the criterion of jax's
/// `check_grads` (`atol = rtol = tolerance`).
///
/// # Examples
///
/// ```
/// use delta_rule::{check_derivative, Tanh};
///
/// let report = check_derivative(&Tanh, &[-2.0_f64, 0.0, 0.5, 3.0]);
/// assert!(report.passed());
/// assert_eq!(report.checked, 4);
/// assert!(report.error < 1e-8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
#[must_use = "the report says whether the check passed"]
pub struct GradientReport<T> {
    /// Points (or coordinates) compared.
    pub checked: usize,
    /// Points skipped because there is no finite difference: x is NaN or infinite, x ± step
    /// overflows, or f(x ± step) is infinite or NaN.
    pub skipped: usize,
    /// The index of the worst point in `points` (for [`check_derivative`]) or of the worst
    /// coordinate (for [`check_gradient`]); 0 if nothing was checked.
    pub worst_index: usize,
    /// The input at the worst point: the point itself, or the coordinate's value.
    pub worst_point: T,
    /// The analytic derivative at the worst point.
    pub analytic: T,
    /// The central finite difference at the worst point.
    pub numeric: T,
    /// The largest error |analytic − numeric| / (1 + |numeric|); +∞ where the analytic value is
    /// NaN or infinite but the difference is finite; 0 if nothing was checked.
    pub error: T,
    /// The tolerance of `T` from [`default_tolerance`].
    pub tolerance: T,
}

impl<T: Float> GradientReport<T> {
    /// Whether the largest error is within the tolerance and some point was checked, unless
    /// there was no point at all: a check whose every point was skipped fails, since nothing
    /// vouched for the derivative.
    ///
    /// ```
    /// use delta_rule::{check_derivative, Sigmoid};
    ///
    /// assert!(check_derivative(&Sigmoid, &[0.5_f32]).passed());
    /// // No finite difference at NaN or ∞: nothing checked, so no pass.
    /// assert!(!check_derivative(&Sigmoid, &[f32::NAN, f32::INFINITY]).passed());
    /// ```
    #[must_use]
    pub fn passed(&self) -> bool {
        let nothing_checked = self.checked == 0 && self.skipped > 0;
        self.error <= self.tolerance && !nothing_checked
    }

    fn empty() -> Self {
        GradientReport {
            checked: 0,
            skipped: 0,
            worst_index: 0,
            worst_point: T::zero(),
            analytic: T::zero(),
            numeric: T::zero(),
            error: T::zero(),
            tolerance: default_tolerance(),
        }
    }

    /// Counts one comparison and keeps it if it is the worst so far.
    fn record(&mut self, index: usize, point: T, analytic: T, numeric: Option<T>) {
        let Some(numeric) = numeric else {
            self.skipped += 1;
            return;
        };
        self.checked += 1;
        let error = if analytic.is_finite() {
            (analytic - numeric).abs() / (T::one() + numeric.abs())
        } else {
            T::infinity()
        };
        if self.checked == 1 || error > self.error {
            *self = GradientReport {
                worst_index: index,
                worst_point: point,
                analytic,
                numeric,
                error,
                ..*self
            };
        }
    }
}

/// The tolerance of a gradient check in `T`, chosen by its precision like jax's `check_grads`:
/// 1e-5 for f64, 2e-3 for f32, 1e-2 for f16 and 1e-1 for bf16 (and anything coarser).
///
/// ```
/// use delta_rule::default_tolerance;
///
/// assert_eq!(default_tolerance::<f64>(), 1e-5);
/// assert_eq!(default_tolerance::<f32>(), 2e-3);
/// ```
#[must_use]
pub fn default_tolerance<T: Float>() -> T {
    let eps = T::epsilon().to_f64().unwrap_or(f64::EPSILON);
    let tolerance = if eps <= f64::EPSILON {
        1e-5
    } else if eps <= f64::from(f32::EPSILON) {
        2e-3
    } else if eps <= 1.0 / 1024.0 {
        1e-2 // f16: 11-bit significand
    } else {
        1e-1 // bf16: 8-bit significand
    };
    T::from(tolerance).unwrap_or_else(|| T::epsilon().sqrt())
}

/// (f(x + s) − f(x − s)) / ((x + s) − (x − s)) with the step s = ∛ε · max(1, |x|), or `None`
/// if it is not finite.
fn central_difference<T: Float>(mut f: impl FnMut(T) -> T, x: T) -> Option<T> {
    let step = T::epsilon().cbrt() * x.abs().max(T::one());
    // Dividing by the spacing actually taken cancels the rounding of x ± step.
    let (above, below) = (x + step, x - step);
    // A step that overflows would difference f at ±∞, whose limit may be finite (σ(∞) = 1): a
    // number that says nothing of the derivative.
    if !(above.is_finite() && below.is_finite()) {
        return None;
    }
    let difference = (f(above) - f(below)) / (above - below);
    if difference.is_finite() {
        Some(difference)
    } else {
        None
    }
}

/// Checks [`Activation::derivative`] against central finite differences of
/// [`Activation::activate`] at each of `points`.
///
/// The step is ∛ε·max(1, |x|), which balances the truncation error O(step²) against the
/// rounding error O(ε/step); the tolerance is [`default_tolerance`] of `T`. Points where the
/// function has a kink (such as 0 for [`Relu`](crate::Relu)) give a large error there by nature.
///
/// # Special cases
///
/// No panic for any input. Points without a finite difference (x NaN or infinite, x ± step
/// beyond the range of `T`, or f(x ± step) not finite) are counted in
/// [`GradientReport::skipped`], and a report whose every point was skipped does not pass; an
/// empty `points` gives a report with nothing checked, which passes.
///
/// # Examples
///
/// A deliberately wrong derivative is caught:
///
/// ```
/// use delta_rule::{check_derivative, Activation, Sigmoid};
///
/// /// The sigmoid with a sign error in its derivative: s(1 + s) instead of s(1 − s).
/// struct Flawed;
///
/// impl Activation<f64> for Flawed {
///     fn activate(&self, h: f64) -> f64 {
///         Sigmoid.activate(h)
///     }
///     fn derivative(&self, h: f64) -> f64 {
///         let s = Sigmoid.activate(h);
///         s * (1.0 + s)
///     }
/// }
///
/// let points: Vec<f64> = (-24..=24).map(|i| f64::from(i) / 4.0).collect();
/// let report = check_derivative(&Flawed, &points);
/// assert!(!report.passed());
/// assert!(report.error > 0.1);
/// assert!(check_derivative(&Sigmoid, &points).passed());
/// ```
pub fn check_derivative<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    points: &[T],
) -> GradientReport<T> {
    let mut report = GradientReport::empty();
    for (index, &x) in points.iter().enumerate() {
        let numeric = central_difference(|h| activation.activate(h), x);
        report.record(index, x, activation.derivative(x), numeric);
    }
    report
}

/// Checks a gradient of a function of a vector against central finite differences: for every
/// coordinate i, `gradient[i]` against the difference of `f` along xᵢ at `x`.
///
/// `x` is perturbed in place, one coordinate at a time, and each coordinate is restored to its
/// exact original value before the next is perturbed, without allocating, and `x` is
/// unchanged on return, also when `f` panics (the coordinate is restored as the panic unwinds).
/// The step and tolerance are those of [`check_derivative`].
///
/// # Errors
///
/// [`Error::LengthMismatch`] if `gradient.len() != x.len()`; `f` is then not called.
///
/// # Special cases
///
/// As for [`check_derivative`]: coordinates without a finite difference are skipped (and if all
/// are, the report does not pass), an empty `x` checks nothing and passes.
///
/// # Examples
///
/// The delta rule's gradient: for E(w) = ½(y − σ(w·x))², ∂E/∂wᵢ = −δ xᵢ.
///
/// ```
/// use delta_rule::{check_gradient, error_term, net_input, Activation, Sigmoid};
///
/// let (x, y) = ([0.1_f64, 0.3], 0.2);
/// let mut w = [-0.8, 0.5];
/// let loss = |w: &[f64]| {
///     let y_hat = Sigmoid.activate(net_input(w, &x).unwrap_or(f64::NAN));
///     0.5 * (y - y_hat) * (y - y_hat)
/// };
/// let delta = error_term(&Sigmoid, y, net_input(&w, &x)?);
/// let gradient = [-delta * x[0], -delta * x[1]];
/// let report = check_gradient(loss, &mut w, &gradient)?;
/// assert!(report.passed(), "{report:?}");
/// assert_eq!(w, [-0.8, 0.5]);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn check_gradient<T: Float, F: FnMut(&[T]) -> T>(
    mut f: F,
    x: &mut [T],
    gradient: &[T],
) -> Result<GradientReport<T>, Error> {
    check_len("x", x.len(), "gradient", gradient.len())?;
    let mut report = GradientReport::empty();
    for (index, &analytic) in gradient.iter().enumerate() {
        let original = x[index];
        // Restores the coordinate on drop, also if `f` panics.
        let perturbed = Perturbed { x: &mut *x, index, original };
        let numeric = central_difference(
            |xi| {
                perturbed.x[index] = xi;
                f(perturbed.x)
            },
            original,
        );
        drop(perturbed);
        report.record(index, original, analytic, numeric);
    }
    Ok(report)
}

/// `x` with coordinate `index` free to change, set back to `original` when dropped.
struct Perturbed<'a, T: Copy> {
    x: &'a mut [T],
    index: usize,
    original: T,
}

impl<T: Copy> Drop for Perturbed<'_, T> {
    fn drop(&mut self) {
        self.x[self.index] = self.original;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::{Identity, Relu, Sigmoid};

    #[test]
    fn empty_inputs_pass() {
        let report = check_derivative::<f64, _>(&Sigmoid, &[]);
        assert_eq!((report.checked, report.skipped), (0, 0));
        assert!(report.passed());
        let report = check_gradient(|_: &[f32]| 0.0, &mut [], &[]).unwrap();
        assert!(report.passed());
    }

    #[test]
    fn overflowing_steps_are_skipped_not_failed() {
        // At f64::MAX the step overflows: σ(∞) − σ(MAX − step) = 0 would be no check at all.
        let report = check_derivative(&Sigmoid, &[f64::MAX, f64::INFINITY, f64::NAN, 1.0]);
        assert_eq!((report.checked, report.skipped, report.worst_index), (1, 3, 3));
        assert!(report.passed());
    }

    #[test]
    fn a_check_with_every_point_skipped_fails() {
        let report = check_derivative(&Sigmoid, &[f64::MAX, f64::INFINITY, f64::NAN]);
        assert_eq!((report.checked, report.skipped), (0, 3));
        assert!(!report.passed());
        // f NaN everywhere: no coordinate has a finite difference.
        let report = check_gradient(|_: &[f64]| f64::NAN, &mut [1.0, 2.0], &[0.0, 0.0]).unwrap();
        assert_eq!((report.checked, report.skipped), (0, 2));
        assert!(!report.passed());
    }

    #[test]
    fn the_kink_of_relu_is_reported() {
        // At 0 the difference is 1/2 and the derivative 0: an error of |0 − 1/2|/(1 + 1/2) = 1/3.
        // The point before it (1, where both are 1) must not leave its values in the report.
        let report = check_derivative(&Relu, &[1.0_f64, 0.0, -1.0]);
        assert_eq!(report.worst_index, 1);
        assert_eq!((report.worst_point, report.analytic, report.numeric), (0.0, 0.0, 0.5));
        assert_eq!(report.error, 1.0 / 3.0);
        assert!(!report.passed());
        // Of equal errors the first is kept.
        let report = check_derivative(&Relu, &[1.0_f64, 0.0, -0.0]);
        assert_eq!((report.worst_index, report.error), (1, 1.0 / 3.0));
    }

    #[cfg(feature = "half")]
    #[test]
    fn narrow_types_take_jax_tolerances() {
        use half::{bf16, f16};
        assert_eq!(default_tolerance::<f16>(), f16::from_f64(1e-2));
        assert_eq!(default_tolerance::<bf16>(), bf16::from_f64(1e-1));
    }

    #[test]
    fn steps_grow_with_the_point() {
        // Scaled by |x|, the step stays far above the spacing of x, and the identity's difference
        // quotient is exactly 1. A step that shrank as |x| grew (∛ε/|x|) would fall below half
        // an ulp of x beyond about 2¹⁸ and leave x ± step = x, a 0/0 that is skipped.
        let points = [1e6_f64, -3e9, 1e300];
        let report = check_derivative(&Identity, &points);
        assert_eq!((report.checked, report.skipped, report.error), (3, 0, 0.0));
    }

    #[test]
    fn gradient_length_mismatch_is_an_error() {
        let mut x = [1.0_f64, 2.0];
        let err = check_gradient(|_: &[f64]| 0.0, &mut x, &[0.0]).unwrap_err();
        assert!(matches!(err, Error::LengthMismatch { .. }));
        assert_eq!(x, [1.0, 2.0]);
    }

    #[test]
    fn wrong_gradients_fail_and_name_the_coordinate() {
        // f(x) = x₀² + 3x₁ − x₀x₂: ∇f = (2x₀ − x₂, 3, −x₀).
        fn check<T: Float + core::fmt::Debug>() {
            let t = |v: f64| T::from(v).unwrap();
            let f = |x: &[T]| x[0] * x[0] + t(3.0) * x[1] - x[0] * x[2];
            let mut x = [t(1.5), t(-2.0), t(0.5)];
            let right = [t(2.5), t(3.0), t(-1.5)];
            let report = check_gradient(f, &mut x, &right).unwrap();
            assert!(report.passed(), "{report:?}");
            assert_eq!(report.checked, 3);
            for (k, wrong) in [(0, t(2.5 * 1.2)), (1, t(-3.0)), (2, T::zero())] {
                let mut gradient = right;
                gradient[k] = wrong;
                let report = check_gradient(f, &mut x, &gradient).unwrap();
                assert!(!report.passed(), "coordinate {k}: {report:?}");
                assert_eq!(report.worst_index, k);
                assert!((report.numeric - right[k]).abs() <= t(1e-2), "{report:?}");
            }
            assert_eq!(x, [t(1.5), t(-2.0), t(0.5)]);
        }
        check::<f64>();
        check::<f32>();
    }

    #[test]
    fn a_scaled_derivative_fails() {
        struct Scaled(f64);
        impl Activation<f64> for Scaled {
            fn activate(&self, h: f64) -> f64 {
                Sigmoid.activate(h)
            }
            fn derivative(&self, h: f64) -> f64 {
                self.0 * Sigmoid.derivative(h)
            }
        }
        let points = [-3.0, -0.5, 0.0, 0.7, 4.0];
        assert!(check_derivative(&Scaled(1.0), &points).passed());
        // σ′(0) = 1/4, so a factor 1.001 is off by 2.5e-4 there, far beyond the f64 tolerance.
        let report = check_derivative(&Scaled(1.001), &points);
        assert!(!report.passed(), "{report:?}");
        assert_eq!(report.worst_index, 2);
        // Without 0 the worst point is −0.5, where σ′ is largest; the report holds its values.
        let report = check_derivative(&Scaled(1.001), &[-3.0, -0.5, 0.7, 4.0]);
        assert_eq!((report.worst_index, report.worst_point), (1, -0.5));
        assert_eq!(report.analytic, 1.001 * Sigmoid.derivative(-0.5));
        assert!((report.numeric - Sigmoid.derivative(-0.5)).abs() < 1e-9, "{report:?}");
    }

    #[test]
    fn nan_derivative_fails() {
        struct NanSlope;
        impl Activation<f64> for NanSlope {
            fn activate(&self, h: f64) -> f64 {
                h
            }
            fn derivative(&self, _: f64) -> f64 {
                f64::NAN
            }
        }
        let report = check_derivative(&NanSlope, &[1.0]);
        assert_eq!(report.error, f64::INFINITY);
        assert!(!report.passed());
    }
}
