//! Activation functions f(h) and their derivatives f′(h).
//!
//! Every activation takes the *input* h (the weighted sum Σ wᵢxᵢ) in both
//! [`Activation::activate`] and [`Activation::derivative`]; no method here takes the output f(h).

use num_traits::Float;

use crate::accurate::{self, plain, Kernel};
use crate::error::{check_len, Error};

/// An activation function f and its derivative f′, both evaluated at the input h.
///
/// Implement [`activate`](Activation::activate) and [`derivative`](Activation::derivative); the
/// slice methods and [`activate_with_derivative`](Activation::activate_with_derivative) have
/// provided bodies that an implementation may override with faster ones. The trait is object
/// safe, so `&dyn Activation<f64>` works, and it is implemented for `&A` and `Box<A>` of any
/// activation `A`, trait objects included, by forwarding every method, so that generic code can
/// hold one by value. The crate's free functions see through them too: a pointer to an
/// activation takes that activation's fused kernels and gives the same bits.
///
/// # Examples
///
/// A custom activation, used through a trait object:
///
/// ```
/// use delta_rule::{Activation, Sigmoid};
///
/// /// f(h) = h², f′(h) = 2h.
/// struct Square;
///
/// impl Activation<f64> for Square {
///     fn activate(&self, h: f64) -> f64 {
///         h * h
///     }
///     fn derivative(&self, h: f64) -> f64 {
///         2.0 * h
///     }
/// }
///
/// let units: [&dyn Activation<f64>; 2] = [&Square, &Sigmoid];
/// assert_eq!(units[0].activate_with_derivative(3.0), (9.0, 6.0));
/// assert_eq!(units[1].activate(0.0), 0.5);
///
/// // Held by value in generic code: a boxed trait object.
/// fn slope_at_zero<A: Activation<f64>>(unit: A) -> f64 {
///     unit.derivative(0.0)
/// }
/// let boxed: Box<dyn Activation<f64>> = Box::new(Sigmoid);
/// assert_eq!(slope_at_zero(boxed), 0.25);
/// assert_eq!(slope_at_zero(&Square), 0.0);
/// ```
pub trait Activation<T: Float> {
    /// f(h).
    ///
    /// ```
    /// use delta_rule::{Activation, Sigmoid, Tanh};
    ///
    /// assert_eq!(Sigmoid.activate(0.0_f64), 0.5);
    /// assert_eq!(Tanh.activate(0.0_f32), 0.0);
    /// ```
    #[must_use]
    fn activate(&self, h: T) -> T;

    /// f′(h), the derivative at the input `h` (not at the output f(h)).
    ///
    /// ```
    /// use delta_rule::{Activation, Sigmoid, Tanh};
    ///
    /// // σ′(0) = σ(0)(1 − σ(0)) = 1/4 and tanh′(0) = 1 − tanh²(0) = 1, both exact.
    /// assert_eq!(Sigmoid.derivative(0.0_f64), 0.25);
    /// assert_eq!(Tanh.derivative(0.0_f32), 1.0);
    /// ```
    #[must_use]
    fn derivative(&self, h: T) -> T;

    /// `(f(h), f′(h))` from one evaluation where the function allows it (one `exp` for
    /// [`Sigmoid`]); the default calls [`activate`](Self::activate) and
    /// [`derivative`](Self::derivative).
    ///
    /// ```
    /// use delta_rule::{Activation, Sigmoid};
    ///
    /// let (f, df) = Sigmoid.activate_with_derivative(0.0_f64);
    /// assert_eq!((f, df), (0.5, 0.25));
    /// ```
    #[inline]
    #[must_use]
    fn activate_with_derivative(&self, h: T) -> (T, T) {
        (self.activate(h), self.derivative(h))
    }

    /// Writes `f(h[i])` into `out[i]` for every `i`.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out.len() != h.len()`; `out` is then untouched.
    ///
    /// ```
    /// use delta_rule::{Activation, Relu};
    ///
    /// let mut out = [0.0_f32; 3];
    /// Relu.activate_slice(&[-1.0, 0.0, 2.5], &mut out)?;
    /// assert_eq!(out, [0.0, 0.0, 2.5]);
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn activate_slice(&self, h: &[T], out: &mut [T]) -> Result<(), Error> {
        map_slice(h, out, no_kernel, |x| self.activate(x))
    }

    /// Writes `f′(h[i])` into `out[i]` for every `i`.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out.len() != h.len()`; `out` is then untouched.
    ///
    /// ```
    /// use delta_rule::{Activation, Sigmoid};
    ///
    /// let mut out = [0.0_f64; 2];
    /// Sigmoid.derivative_slice(&[0.0, f64::INFINITY], &mut out)?;
    /// assert_eq!(out, [0.25, 0.0]);
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn derivative_slice(&self, h: &[T], out: &mut [T]) -> Result<(), Error> {
        map_slice(h, out, no_kernel, |x| self.derivative(x))
    }

    /// Writes `f(h[i])` into `out[i]` and `f′(h[i])` into `slope[i]` for every `i`: the pair
    /// the batch gradient needs for a block of records. The default calls
    /// [`activate_with_derivative`](Self::activate_with_derivative) per element; [`Sigmoid`],
    /// [`Tanh`] and [`Softplus`] run their vectorised slice kernels.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out` or `slope` is not as long as `h`; both are then
    /// untouched.
    ///
    /// ```
    /// use delta_rule::{Activation, Sigmoid};
    ///
    /// let (mut out, mut slope) = ([0.0_f32; 2], [0.0_f32; 2]);
    /// Sigmoid.activate_with_derivative_slice(&[0.0, f32::NEG_INFINITY], &mut out, &mut slope)?;
    /// assert_eq!((out, slope), ([0.5, 0.0], [0.25, 0.0]));
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn activate_with_derivative_slice(
        &self,
        h: &[T],
        out: &mut [T],
        slope: &mut [T],
    ) -> Result<(), Error> {
        map_pair_slices(self, h, out, slope, |_, _, _| false)
    }

    /// Which of the crate's activations this is, seen through references, boxes and trait
    /// objects: the free functions ([`error_terms`](crate::error_terms), the epochs) pick their
    /// fused kernels by it. Its type cannot be named outside the crate, so implementations keep
    /// this default.
    #[doc(hidden)]
    #[inline]
    fn builtin(&self) -> Builtin {
        Builtin::Other
    }
}

mod sealed {
    /// The activations with fast paths of their own in the free functions. Public in a private
    /// module: code outside the crate cannot name it, so cannot override
    /// [`Activation::builtin`](super::Activation::builtin).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Builtin {
        /// [`Identity`](crate::Identity).
        Identity,
        /// [`Sigmoid`](crate::Sigmoid).
        Sigmoid,
        /// [`Tanh`](crate::Tanh).
        Tanh,
        /// [`Softplus`](crate::Softplus).
        Softplus,
        /// Any other activation.
        Other,
    }
}
pub(crate) use sealed::Builtin;

/// Implements [`Activation`] for a pointer type by forwarding every method, the slice kernels
/// included, to the activation it points to.
macro_rules! forward_activation {
    ($pointer:ty) => {
        impl<T: Float, A: Activation<T> + ?Sized> Activation<T> for $pointer {
            #[inline]
            fn activate(&self, h: T) -> T {
                (**self).activate(h)
            }

            #[inline]
            fn derivative(&self, h: T) -> T {
                (**self).derivative(h)
            }

            #[inline]
            fn activate_with_derivative(&self, h: T) -> (T, T) {
                (**self).activate_with_derivative(h)
            }

            fn activate_slice(&self, h: &[T], out: &mut [T]) -> Result<(), Error> {
                (**self).activate_slice(h, out)
            }

            fn derivative_slice(&self, h: &[T], out: &mut [T]) -> Result<(), Error> {
                (**self).derivative_slice(h, out)
            }

            fn activate_with_derivative_slice(
                &self,
                h: &[T],
                out: &mut [T],
                slope: &mut [T],
            ) -> Result<(), Error> {
                (**self).activate_with_derivative_slice(h, out, slope)
            }

            #[inline]
            fn builtin(&self) -> Builtin {
                (**self).builtin()
            }
        }
    };
}

// A reference or a box is an activation of its own, so that generic code can hold one by value;
// every method gives the bits of the activation behind it.
forward_activation!(&A);
forward_activation!(alloc::boxed::Box<A>);

/// A vectorised slice kernel: writes `out[i] = f(h[i])` and returns `true`, or returns `false`
/// untouched where it does not serve the element type or no SIMD level is in use.
type SliceKernel<T> = fn(&[T], &mut [T]) -> bool;

/// The kernel of activations without a vectorised one.
fn no_kernel<T>(_: &[T], _: &mut [T]) -> bool {
    false
}

/// Checks the lengths, then runs `kernel`, or `f` element by element where the kernel declines.
#[inline]
fn map_slice<T: Float>(
    h: &[T],
    out: &mut [T],
    kernel: SliceKernel<T>,
    f: impl Fn(T) -> T,
) -> Result<(), Error> {
    check_len("h", h.len(), "out", out.len())?;
    if !kernel(h, out) {
        for (o, &x) in out.iter_mut().zip(h) {
            *o = f(x);
        }
    }
    Ok(())
}

/// Checks the lengths, then runs `kernel` (writing f into `out` and f′ into `slope`, or
/// returning `false` where it declines), or [`Activation::activate_with_derivative`] element by
/// element.
#[inline]
fn map_pair_slices<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    h: &[T],
    out: &mut [T],
    slope: &mut [T],
    kernel: impl FnOnce(&[T], &mut [T], &mut [T]) -> bool,
) -> Result<(), Error> {
    check_len("h", h.len(), "out", out.len())?;
    check_len("h", h.len(), "slope", slope.len())?;
    if !kernel(h, out, slope) {
        for ((o, s), &x) in out.iter_mut().zip(slope.iter_mut()).zip(h) {
            (*o, *s) = activation.activate_with_derivative(x);
        }
    }
    Ok(())
}

/// The logistic sigmoid f(h) = 1 / (1 + e^(−h)), with f′(h) = f(h)(1 − f(h)).
///
/// Both are computed from e = e^(−|h|) ∈ (0, 1], which never overflows:
/// f(h) = 1/(1 + e) for h ≥ 0 and e/(1 + e) for h < 0, and f′(h) = e/(1 + e)² = f(|h|)f(−|h|).
/// The derivative therefore keeps its relative accuracy for large |h|, where the textbook
/// s(1 − s) rounds to 0 long before the true value does (from h ≈ 16.6 in f32, 36.7 in f64).
///
/// For f64 the evaluation is in double-double arithmetic, about 106 bits (a table-driven e^x,
/// accurate to 2^-62, and the divisions as double-double values built with TwoSum and exact
/// products, no platform `exp`, so results are the same with `std` and with `libm`) and rounds
/// once. The exact products use FMA where the CPU has it (detected at run time on x86-64) and
/// Dekker's splitting elsewhere: the same bits, in 0.62 to 0.68 of the time with FMA. For f32, f16
/// and bf16 the formulas above run in plain f64 (with the platform's `exp`), whose few f64 ulps
/// of error are at most 2^-26 of an f32 ulp, and the result is rounded once to the type. A type
/// wider than f64 falls back to the formulas above in its own arithmetic (run in f64 with the
/// platform's `exp`, they are within 4 ulps on the mpmath table for normal results: max 1.8 ulp
/// for f, 3.0 for f′; a wider type's accuracy follows that of its own `exp`).
///
/// # Accuracy
///
/// Against the correctly rounded exact value, over every finite input:
///
/// | type | f(h) | f′(h) | measured by |
/// |---|---|---|---|
/// | f64 | < 1 ulp; correctly rounded but near a tie (measured: within 10⁻⁴ ulp of one) | same as f(h) | 7 011-point mpmath table: max 0.75 ulp (subnormal results), 0.4999 ulp (normal results); 10⁶ random h in (−40, 40): 6 f and 8 f′ results past ½ ulp, max 0.50009 ulp |
/// | f32 | < 0.5 ulp + 2^-26 (correctly rounded but within 2^-26 ulp of a tie) | same | all 2³² inputs against the f64 methods: max 0.5000000019 ulp for f, 0.4999999955 for f′ |
/// | f16, bf16 | < 0.5 ulp + 2^-39 (rounded once, not through f32) | same | all 2¹⁶ inputs: max 0.500000 ulp |
///
/// The subnormal results (h < −708.4 in f64, h < −87.3 in f32) are gradual, not a premature 0:
/// f(h) is 0 only where the exact value is below half the smallest subnormal
/// (h < −745.13 in f64, h < −103.97 in f32). The slice methods may use vectorised kernels with
/// their own documented bounds; where an f32 kernel is in use, f16 and bf16 slices run it and
/// round its result to the type: within 0.5 + 0.81·2⁻¹³ ulp (f16) or 0.5 + 0.81·2⁻¹⁶ ulp
/// (bf16), measured max 0.50005 and 0.49999 ulp over all 2¹⁶ inputs at every SIMD level.
///
/// # Special cases
///
/// - f(NaN) and f′(NaN) are NaN.
/// - f(+∞) = 1, f(−∞) = 0, f′(±∞) = 0; f(h) = 1 exactly from h = 37.42994775023705 (f64) or
///   17.32868 (f32) on, where 1 − f(h) ≈ e^(−h) falls below half an ulp of 1 (the textbook
///   formula reaches 1 earlier, from 36.7 and 16.6).
/// - f(±0) = 0.5 and f′(±0) = 0.25 exactly.
/// - f(h) + f(−h) = 1 up to the rounding of each.
/// - f′ is even: f′(−h) = f′(h) bit for bit from the scalar methods; the vectorised slice
///   kernels start from the signed h (sharing its reduction with f) and may put the two one ulp
///   apart, each within its bound.
///
/// # Examples
///
/// ```
/// use delta_rule::{Activation, Sigmoid};
///
/// assert_eq!(Sigmoid.activate(0.0_f32), 0.5);
/// assert!((Sigmoid.activate(0.07_f64) - 0.5174928576663897).abs() < 1e-16);
/// // The derivative follows e^(-h) for large h instead of collapsing to 0.
/// let d = Sigmoid.derivative(40.0_f64);
/// assert!((d / (-40.0_f64).exp() - 1.0).abs() < 1e-15);
/// // f(h) is below 1 until 1 − f(h) drops under half an ulp of 1.
/// assert!(Sigmoid.activate(37.42994775023704_f64) < 1.0);
/// assert_eq!(Sigmoid.activate(37.42994775023705_f64), 1.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Sigmoid;

impl<T: Float> Activation<T> for Sigmoid {
    #[inline]
    fn activate(&self, h: T) -> T {
        let kernel = Kernel { narrow: plain::sigmoid, exact: accurate::sigmoid };
        accurate::via_f64(h, kernel, |h| stable_sigmoid(h).0)
    }

    #[inline]
    fn derivative(&self, h: T) -> T {
        let kernel =
            Kernel { narrow: plain::sigmoid_derivative, exact: accurate::sigmoid_derivative };
        accurate::via_f64(h, kernel, |h| stable_sigmoid(h).1)
    }

    #[inline]
    fn activate_with_derivative(&self, h: T) -> (T, T) {
        let kernel = Kernel {
            narrow: plain::sigmoid_with_derivative,
            exact: accurate::sigmoid_with_derivative,
        };
        accurate::via_f64_pair(h, kernel, stable_sigmoid)
    }

    /// For `f32` and `f64` slices this runs a vectorised kernel chosen at run time (AVX-512 or AVX2
    /// with FMA on x86-64, NEON on aarch64, with `std`), within 1 ulp of σ; on x86-64, `f16` and
    /// `bf16` slices (feature `half`) are converted to `f32` in chunks for the same kernel (see
    /// [`Sigmoid`] for the bounds); otherwise the element-wise loop.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out.len() != h.len()`; `out` is then untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use delta_rule::{Activation, Sigmoid};
    ///
    /// let h = [0.0_f32, 2.0, -2.0];
    /// let mut out = [0.0; 3];
    /// Sigmoid.activate_slice(&h, &mut out)?;
    /// assert_eq!(out[0], 0.5);
    /// assert!((out[1] - 0.880_797_1).abs() < 1e-7); // σ(2)
    /// assert!((out[2] - 0.119_202_92).abs() < 1e-8); // σ(−2)
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn activate_slice(&self, h: &[T], out: &mut [T]) -> Result<(), Error> {
        map_slice(h, out, crate::simd::sigmoid, |x| self.activate(x))
    }

    /// For `f32` and `f64` slices this runs a vectorised kernel chosen at run time (AVX-512 or AVX2
    /// with FMA on x86-64, NEON on aarch64, with `std`), within 2 ulp of σ′; on x86-64, `f16` and
    /// `bf16` slices go through the `f32` kernel as in
    /// [`activate_slice`](Activation::activate_slice); otherwise the element-wise loop.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out.len() != h.len()`; `out` is then untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use delta_rule::{Activation, Sigmoid};
    ///
    /// let h = [0.0_f64, 40.0];
    /// let mut slope = [0.0; 2];
    /// Sigmoid.derivative_slice(&h, &mut slope)?;
    /// assert_eq!(slope[0], 0.25);
    /// // e^−40/(1 + e^−40)², where s(1 − s) would round to 0.
    /// assert!((slope[1] / 4.248_354_255_291_589e-18 - 1.0).abs() < 1e-14);
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn derivative_slice(&self, h: &[T], out: &mut [T]) -> Result<(), Error> {
        map_slice(h, out, crate::simd::sigmoid_derivative, |x| self.derivative(x))
    }

    /// Where [`activate_slice`](Activation::activate_slice) runs a vectorised kernel (`f32` and
    /// `f64` on x86-64 and aarch64 with `std`, `f16` and `bf16` on x86-64), this runs one
    /// vectorised pass that shares the exponential between σ and σ′, with results bit-identical
    /// to [`activate_slice`](Activation::activate_slice) and
    /// [`derivative_slice`](Activation::derivative_slice) (so with their bounds); otherwise the
    /// element-wise loop, which gives the same bits as those two.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out` or `slope` is not as long as `h`; both are then
    /// untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use delta_rule::{Activation, Sigmoid};
    ///
    /// let h = [0.0_f64, 2.0];
    /// let (mut out, mut slope) = ([0.0; 2], [0.0; 2]);
    /// Sigmoid.activate_with_derivative_slice(&h, &mut out, &mut slope)?;
    /// assert_eq!((out[0], slope[0]), (0.5, 0.25));
    /// assert!((slope[1] - out[1] * (1.0 - out[1])).abs() < 1e-16);
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn activate_with_derivative_slice(
        &self,
        h: &[T],
        out: &mut [T],
        slope: &mut [T],
    ) -> Result<(), Error> {
        map_pair_slices(self, h, out, slope, crate::simd::sigmoid_with_derivative)
    }

    #[inline]
    fn builtin(&self) -> Builtin {
        Builtin::Sigmoid
    }
}

/// (σ(h), σ′(h)) in `T` itself, for types wider than f64: the overflow-free formulas with
/// e = e^(−|h|), a few ulps of `T`.
#[inline]
fn stable_sigmoid<T: Float>(h: T) -> (T, T) {
    let e = (-h.abs()).exp();
    let d = T::one() + e;
    // For h < 0, f(h) = f(-|h|) = e/(1+e); otherwise 1/(1+e). NaN falls through to e/d = NaN.
    let numerator = if h >= T::zero() { T::one() } else { e };
    (numerator / d, e / (d * d))
}

/// tanh′(h) = 4e/(1 + e)² with e = e^(−2|h|) in `T` itself, for types wider than f64.
#[inline]
fn stable_tanh_derivative<T: Float>(h: T) -> T {
    let two = T::one() + T::one();
    let e = (-two * h.abs()).exp();
    let d = T::one() + e;
    (two + two) * e / (d * d)
}

/// softplus(h) = max(h, 0) + ln(1 + e^(−|h|)) in `T` itself, for types wider than f64.
#[inline]
fn stable_softplus<T: Float>(h: T) -> T {
    // NaN reaches `tail` through exp and ln_1p, so it propagates on either branch.
    let tail = (-h.abs()).exp().ln_1p();
    if h > T::zero() {
        h + tail
    } else {
        tail
    }
}

/// The hyperbolic tangent f(h) = tanh h, with f′(h) = 1 − tanh² h = sech² h.
///
/// Evaluated like [`Sigmoid`]; in f64 with extra precision and rounded once: tanh |h| =
/// −u/(2 + u) with u = e^(−2|h|) − 1 carried as a double-double (no cancellation near 0), and
/// f′(h) = 4σ′(2h), which keeps relative accuracy for large |h| where 1 − tanh² h rounds to 0.
/// A type wider than f64 uses its own `tanh` and 4e/(1 + e)² with e = e^(−2|h|) (in f64 with
/// the platform's functions, within 4 ulps on the mpmath table for normal results: max 1.6 ulp
/// for f and 3.2 for f′ with glibc's).
///
/// # Accuracy
///
/// - f64: f below 1 ulp (measured max 0.4999 ulp on the 7 011-point mpmath table); f′ below
///   1 ulp (measured max 0.71 ulp in the subnormal band, 0.4994 ulp for normal results).
/// - f32: both correctly rounded but within 2^-26 ulp of a tie (measured over all 2³² inputs:
///   max 0.49999999 ulp); f32 uses f64's `tanh` and 4e/(1 + e)² in plain f64. Slices: f within
///   1 ulp, measured over all 2³² inputs at 0.587 ulp with AVX-512 and 0.624 ulp with AVX2
///   (kernels in f32 lanes) and 0.509 ulp with NEON (f64 lanes); f′ at 0.771 and 0.797 ulp
///   (where it is subnormal) and 0.504 ulp.
/// - f16, bf16: < 0.5 ulp + 2^-39, rounded once (measured max 0.500000 ulp over all inputs).
///   Slices run the f32 kernel and round once more: measured max 0.50005 ulp (f16) and
///   0.4997 ulp (bf16) over all inputs at every SIMD level.
///
/// # Special cases
///
/// - f(NaN) and f′(NaN) are NaN.
/// - f(±∞) = ±1, f′(±∞) = 0, f(±0) = ±0, f′(0) = 1.
/// - f(h) = h for |h| < 2^-27, f(h) = ±1 for |h| > 20; f is odd, f′ is even.
///
/// # Examples
///
/// ```
/// use delta_rule::{Activation, Tanh};
///
/// assert_eq!(Tanh.activate(0.0_f64), 0.0);
/// assert_eq!(Tanh.derivative(0.0_f64), 1.0);
/// assert_eq!(Tanh.activate(f32::INFINITY), 1.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Tanh;

impl<T: Float> Activation<T> for Tanh {
    #[inline]
    fn activate(&self, h: T) -> T {
        let kernel = Kernel { narrow: plain::tanh, exact: accurate::tanh };
        accurate::via_f64(h, kernel, T::tanh)
    }

    #[inline]
    fn derivative(&self, h: T) -> T {
        let kernel = Kernel { narrow: plain::tanh_derivative, exact: accurate::tanh_derivative };
        accurate::via_f64(h, kernel, stable_tanh_derivative)
    }

    /// For `f32` and `f64` slices this runs a vectorised kernel chosen at run time (AVX-512 or AVX2
    /// with FMA on x86-64, NEON on aarch64, with `std`), within 1 ulp of tanh; on x86-64, `f16`
    /// and `bf16` slices (feature `half`) are converted to `f32` in chunks for the same kernel;
    /// otherwise the element-wise loop.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out.len() != h.len()`; `out` is then untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use delta_rule::{Activation, Tanh};
    ///
    /// let h = [0.0_f64, 0.5, -0.5];
    /// let mut out = [0.0; 3];
    /// Tanh.activate_slice(&h, &mut out)?;
    /// assert_eq!(out[0], 0.0);
    /// assert!((out[1] - 0.462_117_157_260_009_7).abs() < 1e-16); // tanh 0.5
    /// assert_eq!(out[2], -out[1]);
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn activate_slice(&self, h: &[T], out: &mut [T]) -> Result<(), Error> {
        map_slice(h, out, crate::simd::tanh, |x| self.activate(x))
    }

    /// For `f32` and `f64` slices this runs a vectorised kernel chosen at run time (AVX-512 or AVX2
    /// with FMA on x86-64, NEON on aarch64, with `std`), within 2 ulp of tanh′; on x86-64, `f16`
    /// and `bf16` slices go through the `f32` kernel; otherwise the element-wise loop.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out.len() != h.len()`; `out` is then untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use delta_rule::{Activation, Tanh};
    ///
    /// let h = [0.0_f32, 0.5];
    /// let mut slope = [0.0; 2];
    /// Tanh.derivative_slice(&h, &mut slope)?;
    /// assert_eq!(slope[0], 1.0);
    /// assert!((slope[1] - 0.786_447_7).abs() < 1e-7); // 1 − tanh² 0.5
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn derivative_slice(&self, h: &[T], out: &mut [T]) -> Result<(), Error> {
        map_slice(h, out, crate::simd::tanh_derivative, |x| self.derivative(x))
    }

    /// Where [`activate_slice`](Activation::activate_slice) runs a vectorised kernel (`f32` and
    /// `f64` on x86-64 and aarch64 with `std`, `f16` and `bf16` on x86-64), this runs it and that
    /// of [`derivative_slice`](Activation::derivative_slice), with their bounds; otherwise the
    /// element-wise loop.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out` or `slope` is not as long as `h`; both are then
    /// untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use delta_rule::{Activation, Tanh};
    ///
    /// let h = [0.5_f64];
    /// let (mut out, mut slope) = ([0.0], [0.0]);
    /// Tanh.activate_with_derivative_slice(&h, &mut out, &mut slope)?;
    /// assert!((slope[0] - (1.0 - out[0] * out[0])).abs() < 1e-15);
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn activate_with_derivative_slice(
        &self,
        h: &[T],
        out: &mut [T],
        slope: &mut [T],
    ) -> Result<(), Error> {
        // The two kernels accept the same element types and levels: both run or neither.
        map_pair_slices(self, h, out, slope, |h, out, slope| {
            crate::simd::tanh(h, out) && crate::simd::tanh_derivative(h, slope)
        })
    }

    #[inline]
    fn builtin(&self) -> Builtin {
        Builtin::Tanh
    }
}

/// The rectifier f(h) = max(h, 0), with f′(h) = 1 for h > 0 and 0 for h ≤ 0.
///
/// At the kink h = 0 the derivative is taken as 0 (the left derivative), the convention of
/// PyTorch and JAX.
///
/// # Accuracy
///
/// Exact.
///
/// # Special cases
///
/// - f(NaN) and f′(NaN) are NaN.
/// - f(+∞) = +∞, f(−∞) = 0, f′(+∞) = 1, f′(−∞) = 0.
/// - f(−0.0) = 0.0.
///
/// # Examples
///
/// ```
/// use delta_rule::{Activation, Relu};
///
/// assert_eq!(Relu.activate(-3.0_f64), 0.0);
/// assert_eq!(Relu.activate(2.0_f64), 2.0);
/// assert_eq!(Relu.derivative(0.0_f64), 0.0);
/// assert_eq!(Relu.derivative(1e-300_f64), 1.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Relu;

impl<T: Float> Activation<T> for Relu {
    #[inline]
    fn activate(&self, h: T) -> T {
        // NaN passes through like a positive input.
        if h > T::zero() || h.is_nan() {
            h
        } else {
            T::zero()
        }
    }

    #[inline]
    fn derivative(&self, h: T) -> T {
        if h > T::zero() {
            T::one()
        } else if h.is_nan() {
            h
        } else {
            T::zero()
        }
    }
}

/// The leaky rectifier f(h) = h for h > 0 and αh for h ≤ 0, with f′(h) = 1 or α.
///
/// At the kink h = 0 the derivative is taken as α (the left derivative), consistent with
/// [`Relu`], which is the case α = 0.
///
/// # Accuracy
///
/// f′ is exact; f(h) = αh is rounded once for h ≤ 0 (≤ 0.5 ulp).
///
/// # Special cases
///
/// - f(NaN) and f′(NaN) are NaN.
/// - f(+∞) = +∞, f′(+∞) = 1, f′(−∞) = α.
/// - f(−∞) = −∞ for α > 0; for α = 0 it is 0 · (−∞) = NaN (use [`Relu`] for α = 0).
/// - f(h) = αh keeps the sign of a product: f(−0) = −0 for α ≥ 0, f(+0) = −0 for α < 0, and
///   for α = 0 every h < 0 gives −0 where [`Relu`] gives +0.
///
/// # Examples
///
/// ```
/// use delta_rule::{Activation, LeakyRelu};
///
/// let unit = LeakyRelu::new(0.125_f64);
/// assert_eq!(unit.activate(-2.0), -0.25);
/// assert_eq!(unit.activate(3.0), 3.0);
/// assert_eq!(unit.derivative(0.0), 0.125);
/// ```
///
/// There is no `Default`: α = 0 would be [`Relu`] with f(−∞) = NaN, and any other default
/// a guess; [`LeakyRelu::new`] takes the slope.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeakyRelu<T> {
    /// The slope α for h ≤ 0, usually small and positive (PyTorch's default is 0.01).
    pub alpha: T,
}

impl<T> LeakyRelu<T> {
    /// A leaky rectifier with slope `alpha` for h ≤ 0.
    ///
    /// ```
    /// use delta_rule::LeakyRelu;
    ///
    /// assert_eq!(LeakyRelu::new(0.01_f32).alpha, 0.01);
    /// ```
    #[must_use]
    pub const fn new(alpha: T) -> Self {
        Self { alpha }
    }
}

impl<T: Float> Activation<T> for LeakyRelu<T> {
    #[inline]
    fn activate(&self, h: T) -> T {
        if h > T::zero() {
            h
        } else {
            self.alpha * h
        }
    }

    #[inline]
    fn derivative(&self, h: T) -> T {
        if h > T::zero() {
            T::one()
        } else if h.is_nan() {
            h
        } else {
            self.alpha
        }
    }
}

/// The softplus f(h) = ln(1 + e^h), a smooth rectifier, with f′(h) = 1/(1 + e^(−h)) (the sigmoid).
///
/// Computed as max(h, 0) + ln(1 + e^(−|h|)), which neither overflows for large h nor loses the
/// tiny value e^h for very negative h. In f64, e^(−|h|) comes as a double-double from the same
/// kernel as [`Sigmoid`]; ln(1 + e) is a series for e < 1/64 and otherwise the platform's `ln_1p`
/// (`std`, or the `libm` crate) refined by one Newton step on the double-double exponential;
/// the sum with h is rounded once. f32, f16 and bf16 use the plain formula in f64 and round
/// once; a type wider than f64 uses its own `exp` and `ln_1p` (in f64 with the platform's,
/// within 4 ulps on the mpmath table for normal results: max 1.3 ulp with glibc's).
///
/// # Accuracy
///
/// - f64: below 1 ulp (measured max 0.75 ulp on the 7 011-point mpmath table; the largest
///   errors are near the subnormal range, where the low part of e^(−|h|) underflows).
/// - f32: correctly rounded but within 2^-26 ulp of a tie (measured over all 2³² inputs:
///   max 0.5000000000 ulp). Slices: within 1 ulp, measured over all 2³² inputs at 0.768 ulp
///   with AVX-512 and 0.766 ulp with AVX2 (kernels in f32 lanes; the largest errors where the
///   result is subnormal) and 0.504 ulp with NEON (f64 lanes).
/// - f16, bf16: < 0.5 ulp + 2^-39, rounded once (measured max 0.500000 ulp over all inputs).
///   Slices run the f32 kernel and round once more: measured max 0.50007 ulp over all inputs at
///   every SIMD level.
/// - f′ is [`Sigmoid`]'s f, with its bounds.
///
/// # Special cases
///
/// - f(NaN) and f′(NaN) are NaN.
/// - f(+∞) = +∞, f(−∞) = 0, f′(+∞) = 1, f′(−∞) = 0.
/// - f(0) = ln 2, f′(0) = 0.5; f(h) = h for h > 37 (f64); f(h) is subnormal, not 0, down to
///   h ≈ −745.
///
/// # Examples
///
/// ```
/// use delta_rule::{Activation, Softplus};
///
/// assert!((Softplus.activate(0.0_f64) - core::f64::consts::LN_2).abs() < 1e-16);
/// assert_eq!(Softplus.activate(1000.0_f64), 1000.0);
/// assert!((Softplus.activate(-50.0_f64) / (-50.0_f64).exp() - 1.0).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Softplus;

impl<T: Float> Activation<T> for Softplus {
    #[inline]
    fn activate(&self, h: T) -> T {
        let kernel = Kernel { narrow: plain::softplus, exact: accurate::softplus };
        accurate::via_f64(h, kernel, stable_softplus)
    }

    #[inline]
    fn derivative(&self, h: T) -> T {
        Sigmoid.activate(h)
    }

    /// For `f32` slices this runs a vectorised kernel chosen at run time (AVX-512 or AVX2 with FMA
    /// on x86-64, NEON on aarch64, with `std`), within 1 ulp, and so do `f64` slices (measured on
    /// the mpmath table: at most 0.75 ulp, 0.59 for normal results with the x86-64 kernels); on
    /// x86-64, `f16` and `bf16` slices (feature `half`) are converted to `f32` in chunks for the
    /// same kernel; otherwise the element-wise loop.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out.len() != h.len()`; `out` is then untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use delta_rule::{Activation, Softplus};
    ///
    /// let h = [0.0_f64, 1.0, 1000.0];
    /// let mut out = [0.0; 3];
    /// Softplus.activate_slice(&h, &mut out)?;
    /// assert_eq!(out[0], core::f64::consts::LN_2);
    /// assert!((out[1] - 1.313_261_687_518_222_8).abs() < 1e-15); // ln(1 + e)
    /// assert_eq!(out[2], 1000.0); // where ln_1p(e^h) overflows
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn activate_slice(&self, h: &[T], out: &mut [T]) -> Result<(), Error> {
        map_slice(h, out, crate::simd::softplus, |x| self.activate(x))
    }

    /// f′ is the sigmoid: this is [`Sigmoid`]'s `activate_slice`, vectorised where that is
    /// (`f32` and `f64` on x86-64 and aarch64 with `std`, `f16` and `bf16` on x86-64).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out.len() != h.len()`; `out` is then untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use delta_rule::{Activation, Softplus};
    ///
    /// let h = [0.0_f32, 2.0];
    /// let mut slope = [0.0; 2];
    /// Softplus.derivative_slice(&h, &mut slope)?;
    /// assert_eq!(slope[0], 0.5);
    /// assert!((slope[1] - 0.880_797_1).abs() < 1e-7); // σ(2)
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn derivative_slice(&self, h: &[T], out: &mut [T]) -> Result<(), Error> {
        Sigmoid.activate_slice(h, out)
    }

    /// f and f′ as [`activate_slice`](Self::activate_slice) and
    /// [`derivative_slice`](Self::derivative_slice) give them, bit for bit: the softplus and
    /// sigmoid kernels where they run, otherwise the element-wise loop.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] if `out` or `slope` is not as long as `h`; both are then
    /// untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use delta_rule::{Activation, Softplus};
    ///
    /// let h = [0.0_f64, -3.0];
    /// let (mut out, mut slope) = ([0.0; 2], [0.0; 2]);
    /// Softplus.activate_with_derivative_slice(&h, &mut out, &mut slope)?;
    /// assert_eq!((out[0], slope[0]), (core::f64::consts::LN_2, 0.5));
    /// assert!((slope[1] - 0.047_425_873_177_566_78).abs() < 1e-17); // σ(−3)
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    fn activate_with_derivative_slice(
        &self,
        h: &[T],
        out: &mut [T],
        slope: &mut [T],
    ) -> Result<(), Error> {
        // The two kernels accept the same element types and levels: both run or neither.
        map_pair_slices(self, h, out, slope, |h, out, slope| {
            crate::simd::softplus(h, out) && crate::simd::sigmoid(h, slope)
        })
    }

    #[inline]
    fn builtin(&self) -> Builtin {
        Builtin::Softplus
    }
}

/// The identity f(h) = h, with f′(h) = 1: a linear unit, for which the delta rule is the
/// least-mean-squares (Widrow–Hoff) rule.
///
/// # Accuracy
///
/// Exact.
///
/// # Special cases
///
/// f(x) = x for every x including NaN and ±∞; f′(NaN) = NaN, otherwise f′ = 1.
///
/// # Examples
///
/// ```
/// use delta_rule::{Activation, Identity};
///
/// assert_eq!(Identity.activate(-2.5_f64), -2.5);
/// assert_eq!(Identity.derivative(1e9_f32), 1.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Identity;

impl<T: Float> Activation<T> for Identity {
    #[inline]
    fn activate(&self, h: T) -> T {
        h
    }

    #[inline]
    fn derivative(&self, h: T) -> T {
        if h.is_nan() {
            h
        } else {
            T::one()
        }
    }

    #[inline]
    fn builtin(&self) -> Builtin {
        Builtin::Identity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_common as common;

    /// The free functions' fast paths (the fused σ epoch, `error_terms`) hang on this map; it
    /// holds behind references, boxes and trait objects, and every other activation is `Other`.
    #[test]
    fn builtin_names_each_activation_behind_any_pointer() {
        fn through_pointers<A: Activation<f32> + Copy + 'static>(unit: A, want: Builtin) {
            type Boxed = alloc::boxed::Box<dyn Activation<f32>>;
            let boxed: Boxed = alloc::boxed::Box::new(unit);
            // Fully qualified, so that each call goes through the pointer's own impl.
            assert_eq!(<A as Activation<f32>>::builtin(&unit), want);
            assert_eq!(<&A as Activation<f32>>::builtin(&&unit), want);
            assert_eq!(<&&A as Activation<f32>>::builtin(&&&unit), want);
            assert_eq!(<dyn Activation<f32> as Activation<f32>>::builtin(&*boxed), want);
            assert_eq!(<Boxed as Activation<f32>>::builtin(&boxed), want);
            assert_eq!(<&Boxed as Activation<f32>>::builtin(&&boxed), want);
        }
        through_pointers(Identity, Builtin::Identity);
        through_pointers(Sigmoid, Builtin::Sigmoid);
        through_pointers(Tanh, Builtin::Tanh);
        through_pointers(Softplus, Builtin::Softplus);
        through_pointers(Relu, Builtin::Other);
        through_pointers(LeakyRelu::new(0.1), Builtin::Other);
    }

    /// The documented bound of the formulas for wider types, run in f64 (the same for all five,
    /// as they lean on the platform's `exp`, `tanh` and `ln_1p`): measured 1.73 (σ), 2.97 (σ′),
    /// 1.55 (glibc's tanh), 3.17 (tanh′) and 1.21 ulp (softplus) with glibc's and with `libm`.
    const WIDER_TYPE_ULPS: f64 = 4.0;

    /// The largest error in ulps of `f` over an mpmath table of f64 bit patterns (input,
    /// correctly rounded value, residual of the exact value in ulps), in ulps of the exact value
    /// (`common::ulp_error`), over results ≥ `floor`.
    fn table_error(table: &str, floor: f64, f: impl Fn(f64) -> f64) -> f64 {
        common::parse_table(table, common::F64)
            .iter()
            .filter(|r| r.rounded.abs() >= floor && r.rounded.is_finite())
            .map(|r| common::ulp_error(f(r.input), r.rounded, r.residual, common::F64))
            .fold(0.0, f64::max)
    }

    /// The formulas a type wider than f64 evaluates in its own arithmetic, run in f64 (with the
    /// platform's exp and ln_1p) against the mpmath tables: a few ulps, as documented, where the
    /// results are normal (below, e^(−|h|) loses its relative accuracy).
    #[test]
    fn formulas_of_wider_types_against_mpmath() {
        let tables = [
            ("σ", include_str!("../tests/data/activations/sigmoid_f64.txt")),
            ("σ′", include_str!("../tests/data/activations/sigmoid_derivative_f64.txt")),
            ("tanh", include_str!("../tests/data/activations/tanh_f64.txt")),
            ("tanh′", include_str!("../tests/data/activations/tanh_derivative_f64.txt")),
            ("softplus", include_str!("../tests/data/activations/softplus_f64.txt")),
        ];
        let formulas: [fn(f64) -> f64; 5] = [
            |h| stable_sigmoid(h).0,
            |h| stable_sigmoid(h).1,
            f64::tanh,
            stable_tanh_derivative,
            stable_softplus,
        ];
        for ((name, table), f) in tables.into_iter().zip(formulas) {
            let error = table_error(table, f64::MIN_POSITIVE, f);
            assert!(error <= WIDER_TYPE_ULPS, "{name}: {error} ulp");
        }
    }

    #[test]
    fn leaky_relu_special_cases() {
        let (leaky, flat) = (LeakyRelu::new(0.125_f64), LeakyRelu::new(0.0_f64));
        assert!(leaky.activate(f64::NAN).is_nan() && leaky.derivative(f64::NAN).is_nan());
        assert_eq!(
            (leaky.activate(f64::INFINITY), leaky.derivative(f64::INFINITY)),
            (f64::INFINITY, 1.0)
        );
        assert_eq!(leaky.activate(f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert_eq!(leaky.derivative(f64::NEG_INFINITY), 0.125);
        assert!(flat.activate(f64::NEG_INFINITY).is_nan());
        // The sign of a product: −0, where Relu gives +0.
        for h in [-0.0, -1.0, -1e300] {
            assert_eq!(flat.activate(h).to_bits(), (-0.0_f64).to_bits(), "{h}");
            assert_eq!(Relu.activate(h).to_bits(), 0, "{h}");
        }
        assert_eq!(leaky.activate(-0.0).to_bits(), (-0.0_f64).to_bits());
        assert_eq!(flat.activate(0.0).to_bits(), 0);
        // h = +0 is on the αh side too: α < 0 turns it into −0.
        assert_eq!(LeakyRelu::new(-0.5_f64).activate(0.0).to_bits(), (-0.0_f64).to_bits());
    }

    #[test]
    fn sigmoid_specials() {
        let s = Sigmoid;
        assert_eq!(Activation::<f64>::activate(&s, f64::INFINITY), 1.0);
        assert_eq!(Activation::<f64>::activate(&s, f64::NEG_INFINITY), 0.0);
        assert_eq!(Activation::<f64>::derivative(&s, f64::NEG_INFINITY), 0.0);
        assert!(Activation::<f64>::activate(&s, f64::NAN).is_nan());
        assert!(Activation::<f64>::derivative(&s, f64::NAN).is_nan());
        assert_eq!(Activation::<f32>::activate(&s, -0.0), 0.5);
        // Symmetry f(-h) + f(h) = 1, up to the rounding of the two values.
        for h in [1e-3_f64, 0.5, 1.5, 10.0] {
            let sum: f64 = Activation::<f64>::activate(&s, -h) + Activation::<f64>::activate(&s, h);
            assert!((sum - 1.0).abs() <= f64::EPSILON, "h = {h}: {sum}");
        }
    }

    #[test]
    fn sigmoid_derivative_survives_large_inputs() {
        // The textbook s(1 - s) is exactly 0 from h ~ 36.7 in f64; the true value is
        // e^-h/(1 + e^-h)², within 2e^-h (< 0.04 ε here) of e^-h relative. With σ′ below 1 ulp,
        // the platform's exp within 1 ulp and the division's rounding: within 2.6 ε.
        for h in [40.0_f64, 100.0, 700.0] {
            let d = Sigmoid.derivative(h);
            assert!((d / (-h).exp() - 1.0).abs() <= 2.6 * f64::EPSILON, "h = {h}: {d}");
            assert_eq!(Sigmoid.derivative(-h), d);
        }
    }

    #[test]
    fn kinks_take_the_left_derivative() {
        assert_eq!(Relu.derivative(0.0_f64), 0.0);
        assert_eq!(Relu.derivative(-0.0_f64), 0.0);
        assert_eq!(LeakyRelu::new(0.5_f64).derivative(0.0), 0.5);
    }

    #[test]
    fn nan_propagates_through_every_activation() {
        let units: [&dyn Activation<f64>; 6] =
            [&Sigmoid, &Tanh, &Relu, &LeakyRelu::new(0.1), &Softplus, &Identity];
        for unit in units {
            assert!(unit.activate(f64::NAN).is_nan());
            assert!(unit.derivative(f64::NAN).is_nan());
        }
    }

    #[test]
    fn tanh_and_softplus_limits() {
        assert_eq!(Tanh.activate(f64::NEG_INFINITY), -1.0);
        assert_eq!(Tanh.derivative(f64::INFINITY), 0.0);
        assert_eq!(Softplus.activate(f64::INFINITY), f64::INFINITY);
        assert_eq!(Softplus.activate(f64::NEG_INFINITY), 0.0);
        // tanh′(30) = 4e^-60/(1 + e^-60)², within 2e^-60 of 4e^-60 relative: as σ′ above.
        let d = Tanh.derivative(30.0_f64);
        assert!((d / (4.0 * (-60.0_f64).exp()) - 1.0).abs() <= 2.6 * f64::EPSILON);
    }

    #[test]
    fn slice_methods_check_lengths_and_leave_out_untouched() {
        let mut out = [7.0_f64; 2];
        let err = Sigmoid.activate_slice(&[0.0; 3], &mut out).unwrap_err();
        assert_eq!(
            err,
            Error::LengthMismatch { expected_arg: "h", expected: 3, found_arg: "out", found: 2 }
        );
        assert!(Sigmoid.derivative_slice(&[0.0; 1], &mut out).is_err());
        assert_eq!(out, [7.0; 2]);
    }

    /// The trait's default slice methods, which [`Relu`], [`LeakyRelu`] and [`Identity`] keep:
    /// f and f′ of each element, lengths checked first.
    #[test]
    fn default_slice_methods_map_each_element() {
        let h = [-2.0_f64, -0.0, 0.5, 3.0];
        let leaky = LeakyRelu::new(0.25);
        let (mut out, mut slope) = ([9.0; 4], [9.0; 4]);
        Relu.activate_slice(&h, &mut out).unwrap();
        assert_eq!(out, [0.0, 0.0, 0.5, 3.0]);
        Relu.derivative_slice(&h, &mut out).unwrap();
        assert_eq!(out, [0.0, 0.0, 1.0, 1.0]);
        leaky.derivative_slice(&h, &mut out).unwrap();
        assert_eq!(out, [0.25, 0.25, 1.0, 1.0]);
        leaky.activate_with_derivative_slice(&h, &mut out, &mut slope).unwrap();
        assert_eq!((out, slope), ([-0.5, -0.0, 0.5, 3.0], [0.25, 0.25, 1.0, 1.0]));
        Identity.derivative_slice(&h, &mut out).unwrap();
        assert_eq!(out, [1.0; 4]);

        let (mut short, mut slope) = ([9.0; 3], [9.0; 4]);
        let err = Relu.derivative_slice(&h, &mut short).unwrap_err();
        assert_eq!(
            err,
            Error::LengthMismatch { expected_arg: "h", expected: 4, found_arg: "out", found: 3 }
        );
        assert!(Relu.activate_with_derivative_slice(&h, &mut slope, &mut short).is_err());
        assert_eq!((short, slope), ([9.0; 3], [9.0; 4]));
    }
}
