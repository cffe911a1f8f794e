//! One step of the delta rule: the forward pass h = Σ wᵢxᵢ, the error term δ = (y − f(h)) f′(h),
//! the weight step Δwᵢ = η δ xᵢ and the update wᵢ ← wᵢ + Δwᵢ.

use num_traits::Float;

use crate::activation::{Activation, Builtin};
#[cfg(doc)]
use crate::activation::{Identity, Sigmoid, Softplus, Tanh};
use crate::error::{check_learn_rate, check_len, Error};
use crate::kernels;

/// The net input h = Σᵢ wᵢxᵢ of a unit with weights `weights` for the input `x`.
///
/// # Errors
///
/// [`Error::LengthMismatch`] if `x.len() != weights.len()`.
///
/// # Special cases
///
/// Empty slices give 0, and so does a sum of zeros of either sign (+0, where IEEE addition of
/// only −0 would give −0); NaN and ∞ propagate as in IEEE arithmetic (0 · ∞ is NaN). Products
/// that underflow are not zeros: where all of them are negative and underflow, the generic code
/// gives +0, but the SIMD kernels, which fuse each product into its sum, may give −0, the sign
/// of the exact sum.
///
/// # Accuracy
///
/// Each product wᵢxᵢ passes through at most m roundings on its way into h, so the error is at
/// most γ_m·Σ|wᵢxᵢ| with γ_m = m·u/(1 − m·u) and u = ε/2, the unit roundoff (Higham, *Accuracy
/// and Stability of Numerical Algorithms*, §3.1), without underflow. m depends on the path:
///
/// - the generic code keeps 8 interleaved partial sums, added pairwise at the end, and sums the
///   last n mod 8 products in order: m ≤ max(⌊n/8⌋ + 4, n mod 8 + 1);
/// - the SIMD kernels for `f32` and `f64` keep 64 (`f32`) or 32 (`f64`) independent FMA
///   accumulators, product j going to accumulator j mod 64 (32), and add them pairwise:
///   m ≤ ⌈n/64⌉ + 6 for `f32` and ⌈n/32⌉ + 5 for `f64` (7 roundings for up to 64 `f32`
///   inputs).
///
/// # Examples
///
/// ```
/// use delta_rule::net_input;
///
/// let h = net_input(&[-0.8_f64, 0.5], &[0.1, 0.3])?;
/// assert_eq!(h, 0.06999999999999998);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn net_input<T: Float>(weights: &[T], x: &[T]) -> Result<T, Error> {
    check_len("weights", weights.len(), "x", x.len())?;
    Ok(kernels::dot(weights, x))
}

/// The error term δ = (y − f(h)) f′(h) of one output with target `y` and net input `h`.
///
/// It is −∂E/∂h for E = ½(y − f(h))², so the weight step η δ x descends E. `activation` may be
/// a trait object (`&dyn Activation<T>`). f(h) and f′(h) come from one call of
/// [`Activation::activate_with_derivative`].
///
/// # Special cases
///
/// NaN in `y` or `h` gives NaN. For [`Sigmoid`] and a finite `y`, h = ±∞ gives δ = 0 (a
/// saturated unit does not learn), and so does an h where f′(h) underflows; an infinite `y`
/// there gives NaN (∞ · 0).
///
/// # Accuracy
///
/// One rounding each for y − f(h) and the product, on top of the activation's own error.
///
/// # Examples
///
/// ```
/// use delta_rule::{error_term, Sigmoid};
///
/// let delta = error_term(&Sigmoid, 0.2_f64, 0.06999999999999998);
/// assert!((delta - -0.07927606158013766).abs() < 1e-17);
/// ```
#[inline]
#[must_use]
pub fn error_term<T: Float, A: Activation<T> + ?Sized>(activation: &A, y: T, h: T) -> T {
    let (y_hat, slope) = activation.activate_with_derivative(h);
    (y - y_hat) * slope
}

/// Elements per block of [`error_terms`]: f(h) of a block waits on the stack (2 KiB of `f64`)
/// while f′(h) goes straight into `delta`, so both stay in L1 for the combine.
const ERROR_TERMS_BLOCK: usize = 256;

/// Whether an activation's slice methods run vectorised kernels ([`Sigmoid`], [`Tanh`],
/// [`Softplus`]): for these [`error_terms`] pays a pass over a block in L1 to avoid one scalar
/// evaluation per element; any other activation computes f and f′ element by element anyway,
/// and one fused loop is then faster than two passes.
#[inline(always)]
fn has_slice_kernels(builtin: Builtin) -> bool {
    matches!(builtin, Builtin::Sigmoid | Builtin::Tanh | Builtin::Softplus)
}

/// The error terms δⱼ = (yⱼ − f(hⱼ)) f′(hⱼ) of several outputs j, written into `delta`.
///
/// How it runs, fastest first; nothing is allocated:
///
/// - [`Sigmoid`] on `f32`/`f64` with a SIMD level in use: one vectorised kernel computes σ and
///   σ′ from a single exponential per element and combines them.
/// - [`Identity`]: δ = y − h, which equals (y − h)·1 exactly.
/// - [`Tanh`], [`Softplus`], and [`Sigmoid`] otherwise: blocks of 256, f and f′ of a block from
///   one call of [`Activation::activate_with_derivative_slice`] (the vectorised kernels for
///   `f32`/`f64`), then δ from one element-wise loop that the compiler vectorises.
/// - Every other activation: [`error_term`] element by element in one loop.
///
/// The activation is recognised behind references, boxes and trait objects, so `&dyn
/// Activation<T>` holding a [`Sigmoid`] takes the same path, with the same bits, as `&Sigmoid`.
///
/// # Errors
///
/// [`Error::LengthMismatch`] if `h` or `delta` is not as long as `y`; `delta` is then untouched.
///
/// # Special cases
///
/// As for [`error_term`], element by element; empty slices do nothing.
///
/// # Accuracy
///
/// One rounding each for y − f(h) and the product, on top of the errors of f and f′. For
/// [`Sigmoid`], [`Tanh`] and [`Softplus`] on `f32`/`f64` with a SIMD level in use, f and f′ come
/// from the vectorised kernels, f within 1 ulp and f′ within 2 ulp (instead of the correctly
/// rounded scalar values of [`error_term`]; the fused sigmoid kernels keep both within 0.81 ulp
/// for `f32` and 1 ulp for `f64`), so |δ − (y − f)f′| ≤ f′·(|y − f|·6u + |f|·2u) to first order
/// (u = 2^-24 or 2^-53), for normal results. On x86-64 with the `half` feature, `f16` and `bf16`
/// take f and f′ from the `f32` kernels, rounded to the type (measured within 0.50007 ulp over
/// all inputs), so an `f16` δ now and then differs from [`error_term`]'s. Other activations,
/// element types and the scalar level give exactly [`error_term`] per element.
///
/// # Examples
///
/// ```
/// use delta_rule::{error_terms, Identity, Sigmoid};
///
/// let mut delta = [0.0_f64; 2];
/// error_terms(&Identity, &[1.0, 2.0], &[0.5, 3.0], &mut delta)?;
/// assert_eq!(delta, [0.5, -1.0]);
///
/// // The tutorial's worked example: y = 0.2, h = 0.07. The bound above is about 8e-17 here.
/// let mut delta = [0.0_f64; 1];
/// error_terms(&Sigmoid, &[0.2], &[0.06999999999999998], &mut delta)?;
/// assert!((delta[0] - -0.07927606158013766).abs() < 1e-16);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn error_terms<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    y: &[T],
    h: &[T],
    delta: &mut [T],
) -> Result<(), Error> {
    check_len("y", y.len(), "h", h.len())?;
    check_len("y", y.len(), "delta", delta.len())?;
    let builtin = activation.builtin();
    if builtin == Builtin::Identity {
        // f′ = 1: (y − h)·1 is y − h exactly, and NaN either way.
        kernels::difference(delta, y, h);
        return Ok(());
    }
    if builtin == Builtin::Sigmoid && crate::simd::sigmoid_error_terms(y, h, delta) {
        return Ok(());
    }
    if !has_slice_kernels(builtin) {
        // One pass: f and f′ of an element are used as soon as they are computed.
        for ((d, &yj), &hj) in delta.iter_mut().zip(y).zip(h) {
            *d = error_term(activation, yj, hj);
        }
        return Ok(());
    }
    let mut y_hat = [T::zero(); ERROR_TERMS_BLOCK];
    let blocks = delta.chunks_mut(ERROR_TERMS_BLOCK).zip(y.chunks(ERROR_TERMS_BLOCK));
    for ((delta, y), h) in blocks.zip(h.chunks(ERROR_TERMS_BLOCK)) {
        let y_hat = &mut y_hat[..h.len()];
        // f′ is written into `delta` and then multiplied by y − f in place.
        if activation.activate_with_derivative_slice(h, y_hat, delta).is_err() {
            // Only a faulty override can fail on equal lengths; the per-element pair is then
            // the definition.
            for ((o, s), &v) in y_hat.iter_mut().zip(delta.iter_mut()).zip(h) {
                (*o, *s) = activation.activate_with_derivative(v);
            }
        }
        kernels::residual_times(delta, y, y_hat);
    }
    Ok(())
}

/// The weight step Δwᵢ = η δ xᵢ, written into `delta_w` (the tutorial's `del_w`).
///
/// The product is formed as (η·δ)·xᵢ, the order of the tutorial's `learnrate * error_term * x`.
///
/// # Errors
///
/// - [`Error::InvalidLearnRate`] if `learn_rate` is NaN, infinite or negative.
/// - [`Error::LengthMismatch`] if `x.len() != delta_w.len()`.
///
/// On `Err`, `delta_w` is untouched.
///
/// # Special cases
///
/// A NaN or ∞ `error_term` or `x` propagates into `delta_w`; empty slices do nothing. η·δ is
/// rounded first: where it overflows, the steps are ±∞ (NaN where xᵢ = 0) even if η·δ·xᵢ would
/// be finite, and where it underflows they lose precision or become 0.
///
/// # Accuracy
///
/// Two roundings, η·δ and then ·xᵢ (no FMA, so every SIMD level gives the same bits): a
/// relative error of at most 2u/(1 − 2u), u = ε/2, about one ulp, where neither product
/// underflows or overflows.
///
/// # Examples
///
/// ```
/// use delta_rule::weight_step;
///
/// let mut del_w = [0.0_f64; 2];
/// weight_step(&mut del_w, &[0.1, 0.3], -0.07927606158013766, 0.5)?;
/// assert_eq!(del_w, [-0.003963803079006883, -0.011891409237020648]);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn weight_step<T: Float>(
    delta_w: &mut [T],
    x: &[T],
    error_term: T,
    learn_rate: T,
) -> Result<(), Error> {
    check_learn_rate("learn_rate", learn_rate)?;
    check_len("delta_w", delta_w.len(), "x", x.len())?;
    kernels::scale_into(delta_w, learn_rate * error_term, x);
    Ok(())
}

/// Adds the weight step η δ xᵢ to `delta_w[i]`, accumulating the steps of several records
/// before one batch update.
///
/// # Errors
///
/// As [`weight_step`]; on `Err`, `delta_w` is untouched.
///
/// # Special cases
///
/// As [`weight_step`].
///
/// # Accuracy
///
/// As [`gradient_step`]: η·δ, ·xᵢ and the addition each round once.
///
/// # Examples
///
/// ```
/// use delta_rule::accumulate_weight_step;
///
/// let mut del_w = [0.0_f64; 2];
/// accumulate_weight_step(&mut del_w, &[1.0, 2.0], 0.5, 1.0)?;
/// accumulate_weight_step(&mut del_w, &[3.0, -2.0], 0.5, 1.0)?;
/// assert_eq!(del_w, [2.0, 0.0]);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn accumulate_weight_step<T: Float>(
    delta_w: &mut [T],
    x: &[T],
    error_term: T,
    learn_rate: T,
) -> Result<(), Error> {
    check_learn_rate("learn_rate", learn_rate)?;
    check_len("delta_w", delta_w.len(), "x", x.len())?;
    kernels::axpy(delta_w, learn_rate * error_term, x);
    Ok(())
}

/// The delta-rule update wᵢ ← wᵢ + η δ xᵢ, in place and without allocation.
///
/// # Errors
///
/// - [`Error::InvalidLearnRate`] if `learn_rate` is NaN, infinite or negative.
/// - [`Error::LengthMismatch`] if `x.len() != weights.len()`.
///
/// On `Err`, `weights` is untouched.
///
/// # Special cases
///
/// A NaN or ∞ `error_term` or `x` propagates into the weights it touches; empty slices do
/// nothing; `learn_rate = 0` leaves every weight's value unchanged unless δ or x is NaN or ∞
/// (a weight of −0 may become +0, as −0 + 0 = +0). η·δ is rounded first, as in
/// [`weight_step`]: where it overflows, the weights its steps reach become ±∞ or NaN.
///
/// # Accuracy
///
/// Each weight is updated with three roundings: η·δ, then ·xᵢ, then the addition.
///
/// # Examples
///
/// ```
/// use delta_rule::gradient_step;
///
/// let mut w = [-0.8_f64, 0.5];
/// gradient_step(&mut w, &[0.1, 0.3], -0.07927606158013766, 0.5)?;
/// assert_eq!(w, [-0.8 + -0.003963803079006883, 0.5 + -0.011891409237020648]);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn gradient_step<T: Float>(
    weights: &mut [T],
    x: &[T],
    error_term: T,
    learn_rate: T,
) -> Result<(), Error> {
    check_learn_rate("learn_rate", learn_rate)?;
    check_len("weights", weights.len(), "x", x.len())?;
    kernels::axpy(weights, learn_rate * error_term, x);
    Ok(())
}

/// One complete delta-rule step for a single-output unit on one record: h = w·x, δ, and the update
/// w ← w + η δ x. Returns the output ŷ = f(h) computed before the update.
///
/// # Errors
///
/// As [`gradient_step`]; on `Err`, `weights` is untouched.
///
/// # Special cases
///
/// NaN or ∞ in `y`, `x` or `weights`, or an η·δ that overflows (as in [`gradient_step`]), can
/// make weights NaN or ∞: all of them where η·δ is not finite, else only those whose xᵢ is not
/// (∞·0 is NaN). The returned ŷ is computed before the update from `x` and `weights` alone, so
/// it does not show a NaN or ∞ `y`. Empty slices return f(0) and leave the weights as they are.
///
/// # Accuracy
///
/// h as [`net_input`], f(h) and f′(h) as [`Activation::activate_with_derivative`], δ =
/// (y − ŷ)·f′ with two roundings, then the update as [`gradient_step`].
///
/// # Examples
///
/// ```
/// use delta_rule::{train_step, Sigmoid};
///
/// let mut w = [-0.8_f64, 0.5];
/// let y_hat = train_step(&Sigmoid, &mut w, &[0.1, 0.3], 0.2, 0.5)?;
/// assert!((y_hat - 0.5174928576663897).abs() < 1e-16);
/// assert!((w[0] - (-0.8 - 0.003963803079006883)).abs() < 1e-16);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn train_step<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    weights: &mut [T],
    x: &[T],
    y: T,
    learn_rate: T,
) -> Result<T, Error> {
    check_learn_rate("learn_rate", learn_rate)?;
    let h = net_input(weights, x)?;
    let (y_hat, slope) = activation.activate_with_derivative(h);
    kernels::axpy(weights, learn_rate * ((y - y_hat) * slope), x);
    Ok(y_hat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Identity, Sigmoid, Softplus, Tanh};

    #[test]
    fn train_step_special_cases() {
        // A NaN target: ŷ comes from x and w alone, every weight turns NaN.
        let mut w = [1.0_f64, 1.0];
        let y_hat = train_step(&Sigmoid, &mut w, &[1.0, 1.0], f64::NAN, 0.1).unwrap();
        assert!((y_hat - 1.0 / (1.0 + (-2.0_f64).exp())).abs() < 2.0 * f64::EPSILON);
        assert!(w.iter().all(|v| v.is_nan()));
        // An infinite input: h = ∞, ŷ = 1 and f′ = 0, so δ = 0 and only the weight of the
        // infinite input turns NaN (∞·0).
        let mut w = [1.0_f64, 1.0];
        let y_hat = train_step(&Sigmoid, &mut w, &[f64::INFINITY, 1.0], 0.5, 0.1).unwrap();
        assert_eq!(y_hat, 1.0);
        assert!(w[0].is_nan());
        assert_eq!(w[1], 1.0);
        // An infinite target: δ = −∞·f′(2), so every weight turns −∞; ŷ does not show it.
        let mut w = [1.0_f64, 1.0];
        let y_hat = train_step(&Sigmoid, &mut w, &[1.0, 1.0], f64::NEG_INFINITY, 0.1).unwrap();
        assert!((y_hat - 1.0 / (1.0 + (-2.0_f64).exp())).abs() < 2.0 * f64::EPSILON);
        assert_eq!(w, [f64::NEG_INFINITY; 2]);
        // Finite δ = 1e300 − 3 and η = 1e300: η·δ overflows, and the weight of x = 0 turns NaN.
        let mut w = [1.0_f64, 1.0, 1.0];
        let y_hat = train_step(&Identity, &mut w, &[1.0, 2.0, 0.0], 1e300, 1e300).unwrap();
        assert_eq!(y_hat, 3.0);
        assert_eq!(w[..2], [f64::INFINITY; 2]);
        assert!(w[2].is_nan());
        // No inputs: h = 0, ŷ = f(0), and there is no weight to change.
        assert_eq!(train_step(&Sigmoid, &mut [], &[], 1.0, 0.5), Ok(0.5));
    }

    #[test]
    fn errors_leave_buffers_untouched() {
        let mut w = [1.0_f64, 2.0];
        assert!(gradient_step(&mut w, &[1.0, 1.0], 1.0, -0.1).is_err());
        assert!(gradient_step(&mut w, &[1.0], 1.0, 0.1).is_err());
        assert!(weight_step(&mut w, &[1.0, 1.0], 1.0, f64::NAN).is_err());
        assert!(accumulate_weight_step(&mut w, &[1.0; 3], 1.0, 0.1).is_err());
        assert!(train_step(&Sigmoid, &mut w, &[1.0; 3], 1.0, 0.1).is_err());
        assert!(train_step(&Sigmoid, &mut w, &[1.0; 2], 1.0, f64::INFINITY).is_err());
        assert_eq!(w, [1.0, 2.0]);
    }

    #[test]
    fn error_terms_checks_every_length() {
        let mut delta = [9.0_f32; 2];
        let err = error_terms(&Sigmoid, &[0.0; 2], &[0.0; 3], &mut delta).unwrap_err();
        assert_eq!(
            err,
            Error::LengthMismatch { expected_arg: "y", expected: 2, found_arg: "h", found: 3 }
        );
        let err = error_terms(&Sigmoid, &[0.0; 2], &[0.0; 2], &mut delta[..1]).unwrap_err();
        assert_eq!(
            err,
            Error::LengthMismatch { expected_arg: "y", expected: 2, found_arg: "delta", found: 1 }
        );
        assert_eq!(delta, [9.0; 2]);
    }

    /// δ from `run` on 1 000 targets in [0, 1] and net inputs in [−20, 20].
    fn deltas<T: Float>(run: impl Fn(&[T], &[T], &mut [T]) -> Result<(), Error>) -> Vec<T> {
        let n = 1_000;
        let value = |v: usize| T::from(v).unwrap();
        let h: Vec<T> = (0..n).map(|i| value(i * 7_919 % 2_001) / value(50) - value(20)).collect();
        let y: Vec<T> = (0..n).map(|i| value(i * 104_729 % 1_001) / value(1_000)).collect();
        let mut delta = vec![T::zero(); n];
        run(&y, &h, &mut delta).unwrap();
        delta
    }

    /// Asserts that `error_terms` gives the bits of `activation` by value behind `&`, a trait
    /// object and a `Box` of one.
    fn assert_pointers_give_the_same_bits<T: Float + 'static, A: Activation<T> + Copy + 'static>(
        name: &str,
        activation: A,
    ) {
        let bits = |v: Vec<T>| v.iter().map(|x| x.to_f64().unwrap().to_bits()).collect::<Vec<_>>();
        let direct = bits(deltas(|y, h, d| error_terms(&activation, y, h, d)));
        let reference = &activation;
        let boxed: Box<dyn Activation<T>> = Box::new(activation);
        let forms = [
            ("&&A", deltas(|y, h, d| error_terms(&reference, y, h, d))),
            ("&dyn", deltas(|y, h, d| error_terms(&*boxed, y, h, d))),
            ("&Box<dyn>", deltas(|y, h, d| error_terms(&boxed, y, h, d))),
        ];
        for (form, delta) in forms {
            let differ = bits(delta).iter().zip(&direct).filter(|(a, b)| a != b).count();
            assert_eq!(differ, 0, "{name} as {form}: δ differs in {differ} elements");
        }
    }

    /// The free functions choose their kernels by the activation behind references, boxes and
    /// trait objects ([`Activation::builtin`]), so each of these gives the bits of the plain call
    /// (the scalar path's δ differs from the vectorised kernels' now and then).
    #[test]
    fn error_terms_see_through_references_boxes_and_trait_objects() {
        fn check<T: Float + 'static>() {
            assert_pointers_give_the_same_bits::<T, _>("sigmoid", Sigmoid);
            assert_pointers_give_the_same_bits::<T, _>("tanh", Tanh);
            assert_pointers_give_the_same_bits::<T, _>("softplus", Softplus);
            assert_pointers_give_the_same_bits::<T, _>("identity", Identity);
        }
        check::<f32>();
        check::<f64>();
    }

    #[test]
    fn error_term_special_cases() {
        for y in [0.2_f64, -3.0, 0.0] {
            for h in [f64::INFINITY, f64::NEG_INFINITY, 800.0, -800.0] {
                assert_eq!(error_term(&Sigmoid, y, h), 0.0, "y = {y}, h = {h}");
            }
        }
        assert!(error_term(&Sigmoid, f64::NAN, 0.5).is_nan());
        assert!(error_term(&Sigmoid, 0.5, f64::NAN).is_nan());
        assert!(error_term(&Sigmoid, f64::INFINITY, f64::INFINITY).is_nan());
        assert!(error_term(&Sigmoid, f32::NEG_INFINITY, -800.0).is_nan());
    }

    #[test]
    fn zero_learn_rate_is_a_no_op() {
        let mut w = [0.25_f64, -4.0];
        gradient_step(&mut w, &[3.0, 5.0], 0.7, 0.0).unwrap();
        assert_eq!(w, [0.25, -4.0]);
    }

    #[test]
    fn learn_rate_times_error_term_rounds_first() {
        // η·δ = 10⁶⁰⁰ overflows, although η·δ·x₁ = 10³⁰⁰ does not (the documented order).
        let mut w = [1.0_f64, 1.0];
        gradient_step(&mut w, &[0.0, 1e-300], 1e300, 1e300).unwrap();
        assert!(w[0].is_nan());
        assert_eq!(w[1], f64::INFINITY);
    }
}
