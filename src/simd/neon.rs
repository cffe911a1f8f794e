//! The loops in [`super::math`] compiled for aarch64, with the same functions and signatures
//! as the x86-64 kernels.
//!
//! NEON and FMA are part of the aarch64 baseline, so no `#[target_feature]` is needed: `mul_add`
//! is one `fmla`/`fmadd` instruction and LLVM vectorises the loops with 128-bit NEON registers
//! (four `f32` or two `f64` lanes; the `f32` activations run in `f64` lanes). There is one SIMD
//! level, so the [`Level`] argument, which keeps the signatures of the x86-64 dispatchers, does
//! not change the code that runs.

use super::{math, Level};

/// Defines, for each kernel, a safe function that takes a [`Level`] and runs the loop.
macro_rules! kernels {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? = $body:expr;)*) => {$(
        $(#[$doc])*
        pub(crate) fn $name(_level: Level, $($arg: $ty),*) $(-> $ret)? {
            $body
        }
    )*};
}

kernels! {
    /// σ over an `f32` slice, in `f64` lanes.
    fn sigmoid_f32(h: &[f32], out: &mut [f32]) = math::map(h, out, math::sigmoid_f32);
    /// σ′ over an `f32` slice, in `f64` lanes.
    fn sigmoid_derivative_f32(h: &[f32], out: &mut [f32]) =
        math::map(h, out, math::sigmoid_derivative_f32);
    /// σ over an `f64` slice.
    fn sigmoid_f64(h: &[f64], out: &mut [f64]) = math::map(h, out, math::sigmoid_f64);
    /// σ′ over an `f64` slice.
    fn sigmoid_derivative_f64(h: &[f64], out: &mut [f64]) =
        math::map(h, out, math::sigmoid_derivative_f64);
    /// σ and σ′ over an `f32` slice in one pass, in `f64` lanes.
    fn sigmoid_with_derivative_f32(h: &[f32], out: &mut [f32], slope: &mut [f32]) =
        math::map_pair(h, out, slope, math::sigmoid_with_derivative_f32);
    /// σ and σ′ over an `f64` slice in one pass.
    fn sigmoid_with_derivative_f64(h: &[f64], out: &mut [f64], slope: &mut [f64]) =
        math::map_pair(h, out, slope, math::sigmoid_with_derivative_f64);
    /// δ = (y − σ(h))·σ′(h) for `f32` slices.
    fn sigmoid_error_terms_f32(y: &[f32], h: &[f32], delta: &mut [f32]) =
        math::sigmoid_error_terms_f32(y, h, delta);
    /// δ = (y − σ(h))·σ′(h) for `f64` slices.
    fn sigmoid_error_terms_f64(y: &[f64], h: &[f64], delta: &mut [f64]) =
        math::sigmoid_error_terms_f64(y, h, delta);
    /// tanh over an `f32` slice.
    fn tanh_f32(h: &[f32], out: &mut [f32]) = math::map(h, out, math::tanh_f32);
    /// tanh′ over an `f32` slice.
    fn tanh_derivative_f32(h: &[f32], out: &mut [f32]) =
        math::map(h, out, math::tanh_derivative_f32);
    /// softplus over an `f32` slice, in `f64` lanes.
    fn softplus_f32(h: &[f32], out: &mut [f32]) = math::map(h, out, math::softplus_f32);
    /// softplus over an `f64` slice.
    fn softplus_f64(h: &[f64], out: &mut [f64]) = math::map(h, out, math::softplus_f64);
    /// tanh over an `f64` slice.
    fn tanh_f64(h: &[f64], out: &mut [f64]) = math::map(h, out, math::tanh_f64);
    /// tanh′ over an `f64` slice.
    fn tanh_derivative_f64(h: &[f64], out: &mut [f64]) =
        math::map(h, out, math::tanh_derivative_f64);
    /// yᵢ ← yᵢ + a·xᵢ for `f32`.
    fn axpy_f32(y: &mut [f32], a: f32, x: &[f32]) = math::axpy(y, a, x);
    /// yᵢ ← yᵢ + a·xᵢ for `f64`.
    fn axpy_f64(y: &mut [f64], a: f64, x: &[f64]) = math::axpy(y, a, x);
    /// yᵢ ← a·xᵢ for `f32`.
    fn scale_into_f32(y: &mut [f32], a: f32, x: &[f32]) = math::scale_into(y, a, x);
    /// yᵢ ← a·xᵢ for `f64`.
    fn scale_into_f64(y: &mut [f64], a: f64, x: &[f64]) = math::scale_into(y, a, x);
    /// Σ aᵢbᵢ for `f32`.
    fn dot_f32(a: &[f32], b: &[f32]) -> f32 = math::dot_f32(a, b);
    /// Σ aᵢbᵢ for `f64`.
    fn dot_f64(a: &[f64], b: &[f64]) -> f64 = math::dot_f64(a, b);
    /// Net inputs of a block of `f32` rows, [`math::dot_f32`] per row.
    fn net_inputs_f32(x: &[f32], w: &[f32], out: &mut [f32]) =
        math::net_inputs(x, w, out);
    /// Net inputs of a block of `f64` rows, [`math::dot_f64`] per row.
    fn net_inputs_f64(x: &[f64], w: &[f64], out: &mut [f64]) =
        math::net_inputs(x, w, out);
    /// g ← g + Σ_r a_r x_r for `f32` rows, 64 columns (16 registers) in registers.
    fn add_weighted_rows_f32(g: &mut [f32], a: &[f32], x: &[f32]) =
        math::add_weighted_rows::<f32, 64>(g, a, x);
    /// g ← g + Σ_r a_r x_r for `f64` rows, 32 columns (16 registers) in registers.
    fn add_weighted_rows_f64(g: &mut [f64], a: &[f64], x: &[f64]) =
        math::add_weighted_rows::<f64, 32>(g, a, x);
    /// Net inputs of listed `f32` rows, [`math::dot_f32`] per row.
    fn net_inputs_listed_f32(
        x: &[f32], rows: &[usize], ahead: &[usize], w: &[f32], out: &mut [f32]
    ) = math::net_inputs_listed(x, rows, ahead, w, out);
    /// Net inputs of listed `f64` rows, [`math::dot_f64`] per row.
    fn net_inputs_listed_f64(
        x: &[f64], rows: &[usize], ahead: &[usize], w: &[f64], out: &mut [f64]
    ) = math::net_inputs_listed(x, rows, ahead, w, out);
    /// g ← g + Σ_r a_r x_{rows[r]} for `f32`, 64 columns in registers.
    fn add_listed_rows_f32(g: &mut [f32], a: &[f32], x: &[f32], rows: &[usize]) =
        math::add_listed_rows::<f32, 64>(g, a, x, rows);
    /// g ← g + Σ_r a_r x_{rows[r]} for `f64`, 32 columns in registers.
    fn add_listed_rows_f64(g: &mut [f64], a: &[f64], x: &[f64], rows: &[usize]) =
        math::add_listed_rows::<f64, 32>(g, a, x, rows);
    /// Σ (aᵢ − bᵢ)² for `f32`, accumulated in `f64` (to be rounded to `f32`).
    fn sum_squared_diff_wide_f32(a: &[f32], b: &[f32]) -> f64 =
        math::sum_squared_diff_wide_f32(a, b);
    /// Σ (aᵢ − bᵢ)² for `f64`, compensated: the sum and its error term.
    fn sum_squared_diff_parts_f64(a: &[f64], b: &[f64]) -> (f64, f64) =
        math::sum_squared_diff_parts_f64(a, b, 0);
}
