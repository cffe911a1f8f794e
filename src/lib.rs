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
//! Every slice function checks its arguments first and returns a typed [`Error`] without
//! modifying any slice; none allocates or panics.
//!
//! # Example
//!
//! ```
//! use delta_rule::{error_term, gradient_step, net_input, sse, Activation, Sigmoid};
//!
//! let x = [0.1_f64, 0.3];
//! let y = 0.2;
//! let mut w = [-0.8, 0.5];
//! let learn_rate = 0.5;
//!
//! let h = net_input(&w, &x)?;                  // 0.07
//! let y_hat = Sigmoid.activate(h);             // 0.5174928576663897
//! let delta = error_term(&Sigmoid, y, h);      // -0.07927606158013766
//! gradient_step(&mut w, &x, delta, learn_rate)?;
//!
//! // The step lowers the error on this record.
//! let y_new = Sigmoid.activate(net_input(&w, &x)?);
//! assert!(sse(&[y], &[y_new])? < sse(&[y], &[y_hat])?);
//! # Ok::<(), delta_rule::Error>(())
//! ```
//!
//! # Features
//!
//! - `std` (default): float math from the standard library.
//! - `libm`: float math from `libm`, for `no_std` builds (`default-features = false`).
//! - `half`: `f16` and `bf16` from the `half` crate.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(not(any(feature = "std", feature = "libm")))]
compile_error!("delta-rule needs float math: enable the `std` (default) or the `libm` feature");

mod accurate;
mod activation;
mod check;
mod error;
mod kernels;
mod loss;
mod step;

pub use activation::{Activation, Identity, LeakyRelu, Relu, Sigmoid, Softplus, Tanh};
pub use check::{check_derivative, check_gradient, default_tolerance, GradientReport};
pub use error::Error;
pub use loss::sse;
pub use step::{
    accumulate_weight_step, error_term, error_terms, gradient_step, net_input, train_step,
    weight_step,
};
