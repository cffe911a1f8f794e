//! The *delta rule*: gradient descent with squared errors for a unit with an activation function,
//! generic over any [`num_traits::Float`] (`f32`, `f64`, and `f16`/`bf16` with the `half` feature).
//!
//! For an input x, weights w, target y and learning rate η:
//!
//! | quantity | formula | here |
//! |---|---|---|
//! | net input | h = Σᵢ wᵢxᵢ | [`net_input`] |
//! | output | ŷ = f(h), e.g. the sigmoid f(h) = 1/(1 + e^(−h)) | [`Activation::activate`], [`Sigmoid`] |
//! | loss | E = ½ Σ (y − ŷ)² | [`sse`] |
//! | error term | δ = (y − ŷ) f′(h) | [`error_term`], [`error_terms`] |
//! | weight step | Δwᵢ = η δ xᵢ | [`weight_step`], [`accumulate_weight_step`] |
//! | update | wᵢ ← wᵢ + Δwᵢ | [`gradient_step`], or all of it at once: [`train_step`] |
//!
//! Every slice function checks its arguments first and returns a typed [`Error`] (where several
//! are at fault, the first in the order of its `# Errors` list) without modifying any slice (but
//! for [`Error::Diverged`] from [`train()`], which restores the last sound weights); none panics,
//! and none allocates but `Trainer`'s own buffers, those of the `rayon` feature, and the first
//! call that dispatches by CPU features (which reads the `DELTA_RULE_SIMD` variable once). Those
//! allocations, like any `Vec`'s, abort if memory runs out.
//!
//! # Example
//!
//! ```
//! use delta_rule::{error_term, gradient_step, net_input, sse, Activation, Sigmoid};
//!
//! fn main() -> Result<(), delta_rule::Error> {
//!     let x = [0.1_f64, 0.3];
//!     let y = 0.2;
//!     let mut w = [-0.8, 0.5];
//!     let learn_rate = 0.5;
//!
//!     let h = net_input(&w, &x)?;                  // 0.06999999999999998 (≈ 0.07)
//!     let y_hat = Sigmoid.activate(h);             // 0.5174928576663897
//!     let delta = error_term(&Sigmoid, y, h);      // -0.07927606158013766
//!     gradient_step(&mut w, &x, delta, learn_rate)?;
//!     println!("h = {h}, ŷ = {y_hat}, δ = {delta}, new w = {w:?}");
//!
//!     // The step lowers the error on this record.
//!     let y_new = Sigmoid.activate(net_input(&w, &x)?);
//!     assert!(sse(&[y], &[y_new])? < sse(&[y], &[y_hat])?);
//!     Ok(())
//! }
//! ```
//!
//! # Training a single-layer network
//!
//! A [`Layer`] describes D inputs, K outputs and an optional bias; its weights are a row-major
//! K × (D + bias) slice and the data are row-major slices (records × D, records × K).
//! [`batch_gradient`] and [`apply_gradient`] keep the gradient apart from the update (so shards
//! can be reduced by the caller), [`batch_epoch`] and [`minibatch_epoch`] run one epoch, and
//! [`train()`] runs many with an observer (which may stop the run: [`ObserverFlow`]), early
//! stopping and recovery from divergence, with buffers the caller owns (with `std`, `Trainer`
//! owns them instead):
//!
//! ```
//! use delta_rule::{accuracy, init_weights, predict, train, train_scratch_len};
//! use delta_rule::{Descent, Layer, Schedule, Sigmoid};
//!
//! // y = 1 when x₁ > x₂.
//! let x = [0.9_f64, 0.1, 0.2, 0.8, 0.6, 0.3, 0.1, 0.7];
//! let y = [1.0, 0.0, 1.0, 0.0];
//! let layer = Layer::new(2, 1).with_bias();
//! let mut w = vec![0.0; layer.weights_len()];
//! init_weights(layer, &mut w, 42)?;
//! let mut scratch = vec![0.0; train_scratch_len(layer)];
//! let mut order = vec![0; y.len()];
//! let schedule = Schedule::new(500, 1.0).descent(Descent::Stochastic).seed(1);
//! train(&Sigmoid, layer, &mut w, &x, &y, &schedule, &mut scratch, &mut order, |epoch, loss| {
//!     if epoch % 100 == 0 {
//!         println!("epoch {epoch}: mean squared error {}", loss.mse);
//!     }
//! })?;
//! let mut y_hat = [0.0; 4];
//! predict(&Sigmoid, layer, &w, &x, &mut y_hat)?;
//! assert_eq!(accuracy(&y, &y_hat)?, 1.0);
//! # Ok::<(), delta_rule::Error>(())
//! ```
//!
//! # Accuracy and speed
//!
//! Each kernel documents its error bound in ulps against the correctly rounded value: the
//! sigmoid, tanh, softplus and their derivatives are within 1 ulp for `f32` and `f64` over the
//! whole range (2 ulp for the vectorised σ′ and tanh′), including subnormal results, and [`sse`] is
//! faithfully rounded. [`check_derivative`] and [`check_gradient`] test your own activations and
//! gradients against central finite differences. On x86-64 with `std`, `f32` and `f64` slices run
//! runtime-dispatched AVX-512 or AVX2 kernels with the same bounds, and NEON kernels on aarch64;
//! `f16`/`bf16` activation slices run the `f32` kernels on chunks converted on the stack (x86-64);
//! other types and targets use the generic code.
//!
//! # Features
//!
//! - `std` (default): float math from the standard library, `Trainer`, and the SIMD kernels
//!   chosen at run time (without `std`, the generic scalar code).
//! - `libm`: float math from `libm`, for `no_std` builds (`default-features = false`).
//! - `half`: `f16` and `bf16` from the `half` crate (with `std`, its slice conversions use F16C
//!   where the CPU has it).
//! - `rayon`: `par_batch_gradient` and `par_batch_epoch`, the batch gradient on several
//!   threads (enables `std`).
#![cfg_attr(not(any(feature = "std", test)), no_std)]
// docs.rs marks the items a feature gates.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

// For `Box`'s `Activation` impl only: nothing here allocates without `std`.
extern crate alloc;

#[cfg(not(any(feature = "std", feature = "libm")))]
compile_error!("delta-rule needs float math: enable the `std` (default) or the `libm` feature");

// The README's code blocks run as doctests, so its examples stay correct (with `std`, which
// its `Trainer` needs; its first example is also the crate docs' above, tested without `std`).
#[cfg(all(doctest, feature = "std"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

// The integration tests' tolerances, ulp helpers and table parser: one module for all tests.
#[cfg(test)]
#[path = "../tests/common/mod.rs"]
mod test_common;

mod accurate;
mod activation;
mod check;
mod epoch;
mod error;
mod gradient;
mod kernels;
mod layer;
mod loss;
#[cfg(feature = "rayon")]
mod parallel;
mod simd;
mod step;
mod train;

/// The `num-traits` crate whose [`Float`](num_traits::Float) this crate is generic over, so that
/// code can name the same version.
pub use num_traits;

pub use activation::{Activation, Identity, LeakyRelu, Relu, Sigmoid, Softplus, Tanh};
pub use check::{check_derivative, check_gradient, default_tolerance, GradientReport};
pub use epoch::{batch_epoch, minibatch_epoch, Loss};
pub use error::Error;
pub use gradient::{apply_gradient, batch_gradient};
pub use layer::{accuracy, init_weights, predict, Layer};
pub use loss::sse;
#[cfg(feature = "rayon")]
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub use parallel::{par_batch_epoch, par_batch_gradient};
pub use step::{
    accumulate_weight_step, error_term, error_terms, gradient_step, net_input, train_step,
    weight_step,
};
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use train::Trainer;
pub use train::{train, train_scratch_len, Descent, ObserverFlow, Report, Schedule};
