//! The `#[target_feature]` instantiations of the loops in [`super::math`], one module per level,
//! and the safe functions that pick one by [`Level`]; last, the scalar kernels of
//! [`crate::accurate`] compiled with FMA.

use super::{
    long_dot_level, math, short_call_level, sse_prefetch_ahead, supported, widening_level, Level,
};
use super::{SHORT_CALL_BYTES, SHORT_SSE_F32_BYTES, SHORT_SSE_F64_BYTES};
use crate::accurate::ExactKernel;

/// Defines, for each kernel, an `unsafe fn` compiled for each level and a safe dispatcher that
/// takes a [`Level`] and never runs a level the CPU lacks.
macro_rules! kernels {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? = $body:expr;)*) => {
        mod avx512 {
            #[allow(unused_imports)]
            use super::math;
            $(
                /// # Safety
                ///
                /// The CPU must support AVX-512 F, VL and DQ, AVX2 and FMA.
                #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
                pub(super) unsafe fn $name($($arg: $ty),*) $(-> $ret)? {
                    $body
                }
            )*
        }

        mod avx2 {
            #[allow(unused_imports)]
            use super::math;
            $(
                /// # Safety
                ///
                /// The CPU must support AVX2 and FMA.
                #[target_feature(enable = "avx2,fma")]
                pub(super) unsafe fn $name($($arg: $ty),*) $(-> $ret)? {
                    $body
                }
            )*
        }

        /// The loops compiled for the baseline target (`mul_add` is then a libm call).
        mod baseline {
            #[allow(unused_imports)]
            use super::math;
            $(
                pub(super) fn $name($($arg: $ty),*) $(-> $ret)? {
                    $body
                }
            )*
        }

        $(
            $(#[$doc])*
            pub(crate) fn $name(level: Level, $($arg: $ty),*) $(-> $ret)? {
                match level.min(supported()) {
                    // SAFETY: `supported()` detected AVX-512 F/VL/DQ, AVX2 and FMA at run time.
                    Level::Avx512 => unsafe { avx512::$name($($arg),*) },
                    // SAFETY: `supported()` detected AVX2 and FMA at run time.
                    Level::Avx2 => unsafe { avx2::$name($($arg),*) },
                    Level::Scalar => baseline::$name($($arg),*),
                }
            }
        )*
    };
}

kernels! {
    /// σ over an `f32` slice, in `f64` lanes.
    fn sigmoid_f32_in_f64(h: &[f32], out: &mut [f32]) = math::map(h, out, math::sigmoid_f32);
    /// σ′ over an `f32` slice, in `f64` lanes.
    fn sigmoid_derivative_f32_in_f64(h: &[f32], out: &mut [f32]) =
        math::map(h, out, math::sigmoid_derivative_f32);
    /// σ over an `f64` slice, portable element function.
    fn sigmoid_f64_portable(h: &[f64], out: &mut [f64]) = {
        // A closure, not the fn item: LLVM did not inline the item's `Fn::call` shim here,
        // which left a scalar loop calling libm `fma`.
        #[allow(clippy::redundant_closure)]
        let sigmoid = |x| math::sigmoid_f64(x);
        math::map(h, out, sigmoid)
    };
    /// σ′ over an `f64` slice, portable element function.
    fn sigmoid_derivative_f64_portable(h: &[f64], out: &mut [f64]) =
        math::map(h, out, math::sigmoid_derivative_f64);
    /// σ and σ′ over an `f32` slice in one pass, in `f64` lanes.
    fn sigmoid_with_derivative_f32_in_f64(h: &[f32], out: &mut [f32], slope: &mut [f32]) =
        math::map_pair(h, out, slope, math::sigmoid_with_derivative_f32);
    /// σ and σ′ over an `f64` slice in one pass.
    fn sigmoid_with_derivative_f64_portable(h: &[f64], out: &mut [f64], slope: &mut [f64]) =
        math::map_pair(h, out, slope, math::sigmoid_with_derivative_f64);
    /// tanh over an `f32` slice, in `f64` lanes.
    fn tanh_f32_in_f64(h: &[f32], out: &mut [f32]) = math::map(h, out, math::tanh_f32);
    /// tanh′ over an `f32` slice, in `f64` lanes.
    fn tanh_derivative_f32_in_f64(h: &[f32], out: &mut [f32]) =
        math::map(h, out, math::tanh_derivative_f32);
    /// softplus over an `f64` slice, portable element function.
    fn softplus_f64_portable(h: &[f64], out: &mut [f64]) =
        math::map(h, out, math::softplus_f64);
    /// softplus over an `f32` slice, in `f64` lanes.
    fn softplus_f32_in_f64(h: &[f32], out: &mut [f32]) = math::map(h, out, math::softplus_f32);
    /// tanh over an `f64` slice, portable element function.
    fn tanh_f64_portable(h: &[f64], out: &mut [f64]) = math::map(h, out, math::tanh_f64);
    /// tanh′ over an `f64` slice, portable element function.
    fn tanh_derivative_f64_portable(h: &[f64], out: &mut [f64]) =
        math::map(h, out, math::tanh_derivative_f64);
    /// δ = (y − σ)σ′ over `f32` slices, in `f64` lanes, one e^(−|h|) per element.
    fn sigmoid_error_terms_f32_in_f64(y: &[f32], h: &[f32], delta: &mut [f32]) =
        math::sigmoid_error_terms_f32(y, h, delta);
    /// δ = (y − σ)σ′ over `f64` slices, one e^(−|h|) per element.
    fn sigmoid_error_terms_f64_portable(y: &[f64], h: &[f64], delta: &mut [f64]) =
        math::sigmoid_error_terms_f64(y, h, delta);
    /// yᵢ ← yᵢ + a·xᵢ for `f32`, at any level.
    fn axpy_f32_at(y: &mut [f32], a: f32, x: &[f32]) = math::axpy(y, a, x);
    /// yᵢ ← yᵢ + a·xᵢ for `f64`, at any level.
    fn axpy_f64_at(y: &mut [f64], a: f64, x: &[f64]) = math::axpy(y, a, x);
    /// yᵢ ← a·xᵢ for `f32`, at any level.
    fn scale_into_f32_at(y: &mut [f32], a: f32, x: &[f32]) = math::scale_into(y, a, x);
    /// yᵢ ← a·xᵢ for `f64`, at any level.
    fn scale_into_f64_at(y: &mut [f64], a: f64, x: &[f64]) = math::scale_into(y, a, x);
    /// Σ (aᵢ − bᵢ)² for `f32`, accumulated in `f64` (to be rounded to `f32`), at any level.
    fn sum_squared_diff_wide_f32_at(a: &[f32], b: &[f32]) -> f64 =
        math::sum_squared_diff_wide_f32(a, b);
    /// Σ (aᵢ − bᵢ)² for `f64`, compensated: the sum and its error term, at any level, with
    /// blocks `ahead` elements on prefetched (0: none).
    fn sum_squared_diff_parts_f64_at(a: &[f64], b: &[f64], ahead: usize) -> (f64, f64) =
        math::sum_squared_diff_parts_f64(a, b, ahead);
}

/// The level of `axpy` on `bytes` of `y`: from [`math::ALIGN_FROM_BYTES`] on, where its stores
/// are aligned, at most AVX2. On AMD Zen 4, with aligned stores, the 512-bit loop updated
/// slices of 6 to 32 MiB at 0.87–0.92 of the speed of the 256-bit loop, and was no faster in
/// L2; below that length, where the stores are not aligned, it kept its lead (`f32` at 1 Ki:
/// 1.52–1.54× the naive loop against 1.43–1.51× in 256-bit vectors). See docs/benchmark-log.md,
/// "The update loop in 256-bit vectors". Short calls as [`short_call_level`] picks. Both loops
/// give the same bits.
fn axpy_level(level: Level, bytes: usize) -> Level {
    if bytes >= math::ALIGN_FROM_BYTES {
        level.min(Level::Avx2)
    } else {
        short_call_level(level, bytes, SHORT_CALL_BYTES)
    }
}

/// yᵢ ← yᵢ + a·xᵢ for `f32`, at the level [`axpy_level`] picks.
pub(crate) fn axpy_f32(level: Level, y: &mut [f32], a: f32, x: &[f32]) {
    axpy_f32_at(axpy_level(level, size_of_val(y)), y, a, x);
}

/// yᵢ ← yᵢ + a·xᵢ for `f64`, at the level [`axpy_level`] picks.
pub(crate) fn axpy_f64(level: Level, y: &mut [f64], a: f64, x: &[f64]) {
    axpy_f64_at(axpy_level(level, size_of_val(y)), y, a, x);
}

/// yᵢ ← a·xᵢ for `f32`, at the level [`short_call_level`] picks.
pub(crate) fn scale_into_f32(level: Level, y: &mut [f32], a: f32, x: &[f32]) {
    scale_into_f32_at(short_call_level(level, size_of_val(y), SHORT_CALL_BYTES), y, a, x);
}

/// yᵢ ← a·xᵢ for `f64`, at the level [`short_call_level`] picks.
pub(crate) fn scale_into_f64(level: Level, y: &mut [f64], a: f64, x: &[f64]) {
    scale_into_f64_at(short_call_level(level, size_of_val(y), SHORT_CALL_BYTES), y, a, x);
}

/// Σ (aᵢ − bᵢ)² for `f32` in `f64` at the level [`short_call_level`] and then
/// [`widening_level`] pick (every level gives the same bits).
pub(crate) fn sum_squared_diff_wide_f32(level: Level, a: &[f32], b: &[f32]) -> f64 {
    let level = widening_level(short_call_level(level, size_of_val(a), SHORT_SSE_F32_BYTES));
    sum_squared_diff_wide_f32_at(level, a, b)
}

/// Σ (aᵢ − bᵢ)² for `f64` as (sum, error term) at the level [`short_call_level`] picks (every
/// level gives the same bits), prefetching as [`sse_prefetch_ahead`] says.
pub(crate) fn sum_squared_diff_parts_f64(level: Level, a: &[f64], b: &[f64]) -> (f64, f64) {
    let level = short_call_level(level, size_of_val(a), SHORT_SSE_F64_BYTES);
    sum_squared_diff_parts_f64_at(level, a, b, sse_prefetch_ahead(size_of_val(a)))
}

/// The level of a dot product on `bytes` of each input: short calls as [`short_call_level`]
/// picks, long ones as [`long_dot_level`] does.
#[inline]
fn dot_level(level: Level, bytes: usize) -> Level {
    long_dot_level(short_call_level(level, bytes, SHORT_CALL_BYTES), bytes)
}

/// Σ aᵢbᵢ for `f32` at the level [`dot_level`] picks ([`dot_f32_at`]; every level gives the
/// same bits). Inline, with [`dot_f32_at`], so that the choice joins the caller's code:
/// `net_input` on 10 to 100 features took 0.3–1.3 ns less (docs/benchmark-log.md).
#[inline]
pub(crate) fn dot_f32(level: Level, a: &[f32], b: &[f32]) -> f32 {
    dot_f32_at(dot_level(level, size_of_val(a)), a, b)
}

/// As [`dot_f32`] for `f64`.
#[inline]
pub(crate) fn dot_f64(level: Level, a: &[f64], b: &[f64]) -> f64 {
    dot_f64_at(dot_level(level, size_of_val(a)), a, b)
}

/// Σ aᵢbᵢ for `f32`: [`math::dot_f32`], with the partial sums of one row of the net-input
/// kernels of [`super::avx512_rows`] and [`super::avx2_rows`] at those levels (the last partial
/// chunk by masked loads).
#[inline]
pub(crate) fn dot_f32_at(level: Level, a: &[f32], b: &[f32]) -> f32 {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F, VL and DQ, AVX2 and FMA at run time.
        Level::Avx512 => unsafe { super::avx512_rows::dot_f32(a, b) },
        // SAFETY: `supported()` detected AVX2 and FMA at run time.
        Level::Avx2 => unsafe { super::avx2_rows::dot_f32(a, b) },
        Level::Scalar => math::dot_f32(a, b),
    }
}

/// As [`dot_f32_at`] for `f64`.
#[inline]
pub(crate) fn dot_f64_at(level: Level, a: &[f64], b: &[f64]) -> f64 {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F, VL and DQ, AVX2 and FMA at run time.
        Level::Avx512 => unsafe { super::avx512_rows::dot_f64(a, b) },
        // SAFETY: `supported()` detected AVX2 and FMA at run time.
        Level::Avx2 => unsafe { super::avx2_rows::dot_f64(a, b) },
        Level::Scalar => math::dot_f64(a, b),
    }
}

/// Net inputs of a block of `f32` rows, bit-identical to [`dot_f32`] per row: the horizontal
/// sums of 16 rows at a time with AVX-512 ([`super::avx512_rows`]), of 8 with AVX2
/// ([`super::avx2_rows`]), otherwise one row at a time.
pub(crate) fn net_inputs_f32(level: Level, x: &[f32], w: &[f32], out: &mut [f32]) {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F, VL and DQ, AVX2 and FMA at run time.
        Level::Avx512 => unsafe { super::avx512_rows::net_inputs_f32(x, w, out) },
        // SAFETY: `supported()` detected AVX2 and FMA at run time.
        Level::Avx2 => unsafe { super::avx2_rows::net_inputs_f32(x, w, out) },
        Level::Scalar => math::net_inputs(x, w, out),
    }
}

/// As [`net_inputs_f32`] for `f64`: 8 rows at a time with AVX-512, 4 with AVX2.
pub(crate) fn net_inputs_f64(level: Level, x: &[f64], w: &[f64], out: &mut [f64]) {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F, VL and DQ, AVX2 and FMA at run time.
        Level::Avx512 => unsafe { super::avx512_rows::net_inputs_f64(x, w, out) },
        // SAFETY: `supported()` detected AVX2 and FMA at run time.
        Level::Avx2 => unsafe { super::avx2_rows::net_inputs_f64(x, w, out) },
        Level::Scalar => math::net_inputs(x, w, out),
    }
}

/// Net inputs of listed `f32` rows, bit-identical to [`dot_f32`] per row, prefetching rows
/// ahead: 16 rows at a time with AVX-512 ([`super::avx512_rows`]), 8 with AVX2
/// ([`super::avx2_rows`]), otherwise one at a time.
pub(crate) fn net_inputs_listed_f32(
    level: Level,
    x: &[f32],
    rows: &[usize],
    ahead: &[usize],
    w: &[f32],
    out: &mut [f32],
) {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F, VL and DQ, AVX2 and FMA at run time.
        Level::Avx512 => unsafe {
            super::avx512_rows::net_inputs_listed_f32(x, rows, ahead, w, out)
        },
        // SAFETY: `supported()` detected AVX2 and FMA at run time.
        Level::Avx2 => unsafe { super::avx2_rows::net_inputs_listed_f32(x, rows, ahead, w, out) },
        Level::Scalar => math::net_inputs_listed(x, rows, ahead, w, out),
    }
}

/// As [`net_inputs_listed_f32`] for `f64`: 8 rows at a time with AVX-512, 4 with AVX2.
pub(crate) fn net_inputs_listed_f64(
    level: Level,
    x: &[f64],
    rows: &[usize],
    ahead: &[usize],
    w: &[f64],
    out: &mut [f64],
) {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F, VL and DQ, AVX2 and FMA at run time.
        Level::Avx512 => unsafe {
            super::avx512_rows::net_inputs_listed_f64(x, rows, ahead, w, out)
        },
        // SAFETY: `supported()` detected AVX2 and FMA at run time.
        Level::Avx2 => unsafe { super::avx2_rows::net_inputs_listed_f64(x, rows, ahead, w, out) },
        Level::Scalar => math::net_inputs_listed(x, rows, ahead, w, out),
    }
}

/// g ← g + Σ_r a_r x_r for `f32` rows, bit-identical to one `axpy` per row: the kernels of
/// [`super::avx512_rows`] and [`super::avx2_rows`] at those levels, otherwise the loop of
/// [`math::add_weighted_rows`].
pub(crate) fn add_weighted_rows_f32(level: Level, g: &mut [f32], a: &[f32], x: &[f32]) {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F at run time.
        Level::Avx512 => unsafe { super::avx512_rows::add_weighted_rows_f32(g, a, x) },
        // SAFETY: `supported()` detected AVX2 at run time.
        Level::Avx2 => unsafe { super::avx2_rows::add_weighted_rows_f32(g, a, x) },
        Level::Scalar => math::add_weighted_rows::<f32, 64>(g, a, x),
    }
}

/// The one-output σ epoch over `f32` rows of 64 to 128 elements in groups of 32 at the AVX-512
/// level ([`super::avx512_rows::sigmoid_rows_f32`]): Σ (y − σ)², with Σ δ x added to `g` and
/// Σ δ to `g_bias`; `None`, touching nothing, at other levels and lengths (where the blocks were
/// as fast or faster, see docs/benchmark-log.md), or if `w` and `g` differ in length.
pub(crate) fn sigmoid_rows_f32(
    level: Level,
    x: &[f32],
    y: &[f32],
    (w, bias): (&[f32], Option<f32>),
    (g, g_bias): (&mut [f32], Option<&mut f32>),
) -> Option<f64> {
    if level.min(supported()) != Level::Avx512 || g.len() != w.len() {
        return None;
    }
    // SAFETY: `supported()` detected AVX-512F and FMA at run time; g is as long as w.
    unsafe { super::avx512_rows::sigmoid_rows_f32(x, y, w, bias, g, g_bias) }
}

/// The one-output σ epoch over `f64` rows of 32 or 64 elements in groups of 8 KiB at the AVX-512
/// level ([`super::avx512_rows::sigmoid_rows_f64`]): Σ (y − σ)² as (total, comp) before its last
/// rounding, with Σ δ x added to `g` and Σ δ to `g_bias`; `None`, touching nothing, at other
/// levels and lengths, or if `w` and `g` differ in length.
pub(crate) fn sigmoid_rows_f64(
    level: Level,
    x: &[f64],
    y: &[f64],
    (w, bias): (&[f64], Option<f64>),
    (g, g_bias): (&mut [f64], Option<&mut f64>),
) -> Option<(f64, f64)> {
    if level.min(supported()) != Level::Avx512 || g.len() != w.len() {
        return None;
    }
    // SAFETY: `supported()` detected AVX-512F and FMA at run time; g is as long as w.
    unsafe { super::avx512_rows::sigmoid_rows_f64(x, y, w, bias, g, g_bias) }
}

/// As [`add_weighted_rows_f32`] for `f64`.
pub(crate) fn add_weighted_rows_f64(level: Level, g: &mut [f64], a: &[f64], x: &[f64]) {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F at run time.
        Level::Avx512 => unsafe { super::avx512_rows::add_weighted_rows_f64(g, a, x) },
        // SAFETY: `supported()` detected AVX2 at run time.
        Level::Avx2 => unsafe { super::avx2_rows::add_weighted_rows_f64(g, a, x) },
        Level::Scalar => math::add_weighted_rows::<f64, 32>(g, a, x),
    }
}

/// g ← g + Σ_r a_r x_{rows\[r\]} for `f32` rows listed by index, bit-identical to one `axpy`
/// per listed row: the kernels of [`super::avx512_rows`] and [`super::avx2_rows`] at those
/// levels, otherwise the loop of [`math::add_listed_rows`].
pub(crate) fn add_listed_rows_f32(
    level: Level,
    g: &mut [f32],
    a: &[f32],
    x: &[f32],
    rows: &[usize],
) {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F at run time.
        Level::Avx512 => unsafe { super::avx512_rows::add_listed_rows_f32(g, a, x, rows) },
        // SAFETY: `supported()` detected AVX2 at run time.
        Level::Avx2 => unsafe { super::avx2_rows::add_listed_rows_f32(g, a, x, rows) },
        Level::Scalar => math::add_listed_rows::<f32, 64>(g, a, x, rows),
    }
}

/// As [`add_listed_rows_f32`] for `f64`.
pub(crate) fn add_listed_rows_f64(
    level: Level,
    g: &mut [f64],
    a: &[f64],
    x: &[f64],
    rows: &[usize],
) {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F at run time.
        Level::Avx512 => unsafe { super::avx512_rows::add_listed_rows_f64(g, a, x, rows) },
        // SAFETY: `supported()` detected AVX2 at run time.
        Level::Avx2 => unsafe { super::avx2_rows::add_listed_rows_f64(g, a, x, rows) },
        Level::Scalar => math::add_listed_rows::<f64, 32>(g, a, x, rows),
    }
}

/// Defines, for each element-wise kernel with a hand-written AVX-512 version in
/// [`super::avx512`] (of the same name), a safe dispatcher that runs it when the CPU has AVX-512,
/// the named kernel of [`super::avx2`] (`and name`) at the AVX2 level, and the given kernel of
/// the other levels otherwise.
macro_rules! avx512_or {
    ($($(#[$doc:meta])* fn $name:ident($t:ty) $(and $avx2:ident)? else $fallback:ident;)*) => {$(
        $(#[$doc])*
        pub(crate) fn $name(level: Level, h: &[$t], out: &mut [$t]) {
            match level.min(supported()) {
                // SAFETY: `supported()` detected AVX-512F at run time.
                Level::Avx512 => unsafe { super::avx512::$name(h, out) },
                // SAFETY: `supported()` detected AVX2 and FMA at run time.
                $(Level::Avx2 => unsafe { super::avx2::$avx2(h, out) },)?
                _ => $fallback(level, h, out),
            }
        }
    )*};
}

avx512_or! {
    /// σ over an `f32` slice (in `f32` lanes with AVX2, otherwise in `f64` lanes).
    fn sigmoid_f32(f32) and sigmoid_f32 else sigmoid_f32_in_f64;
    /// σ′ over an `f32` slice (in `f32` lanes with AVX2, otherwise in `f64` lanes).
    fn sigmoid_derivative_f32(f32) and sigmoid_derivative_f32 else sigmoid_derivative_f32_in_f64;
    /// σ over an `f64` slice.
    fn sigmoid_f64(f64) else sigmoid_f64_portable;
    /// σ′ over an `f64` slice.
    fn sigmoid_derivative_f64(f64) else sigmoid_derivative_f64_portable;
    /// tanh over an `f32` slice (in `f32` lanes with AVX2, otherwise in `f64` lanes).
    fn tanh_f32(f32) and tanh_f32 else tanh_f32_in_f64;
    /// tanh′ over an `f32` slice (in `f32` lanes with AVX2, otherwise in `f64` lanes).
    fn tanh_derivative_f32(f32) and tanh_derivative_f32 else tanh_derivative_f32_in_f64;
    /// tanh over an `f64` slice.
    fn tanh_f64(f64) else tanh_f64_portable;
    /// tanh′ over an `f64` slice.
    fn tanh_derivative_f64(f64) else tanh_derivative_f64_portable;
    /// softplus over an `f32` slice (in `f32` lanes with AVX2, otherwise in `f64` lanes).
    fn softplus_f32(f32) and softplus_f32 else softplus_f32_in_f64;
    /// softplus over an `f64` slice.
    fn softplus_f64(f64) else softplus_f64_portable;
}

/// σ into `out` and σ′ into `slope` over an `f32` slice in one pass sharing e^(−x): in the `f32`
/// lanes of [`super::avx512`] or [`super::avx2`], otherwise in `f64` lanes. Bit-identical to
/// [`sigmoid_f32`] and [`sigmoid_derivative_f32`] at the same level.
pub(crate) fn sigmoid_with_derivative_f32(
    level: Level,
    h: &[f32],
    out: &mut [f32],
    slope: &mut [f32],
) {
    match level.min(supported()) {
        // SAFETY: `supported()` detected AVX-512F at run time.
        Level::Avx512 => unsafe { super::avx512::sigmoid_with_derivative_f32(h, out, slope) },
        // SAFETY: `supported()` detected AVX2 and FMA at run time.
        Level::Avx2 => unsafe { super::avx2::sigmoid_with_derivative_f32(h, out, slope) },
        Level::Scalar => sigmoid_with_derivative_f32_in_f64(level, h, out, slope),
    }
}

/// δ = (y − σ(h))·σ′(h) over `f32` slices (common length): with AVX-512 or AVX2, σ and σ′ from
/// the one-pass `f32`-lane kernel on stack chunks and then one multiply per element; otherwise
/// in `f64` lanes.
pub(crate) fn sigmoid_error_terms_f32(level: Level, y: &[f32], h: &[f32], delta: &mut [f32]) {
    match level.min(supported()) {
        Level::Avx512 => error_terms_in_chunks(y, h, delta, |h, f, df| {
            // SAFETY: `supported()` detected AVX-512F at run time.
            unsafe { super::avx512::sigmoid_with_derivative_f32(h, f, df) }
        }),
        Level::Avx2 => error_terms_in_chunks(y, h, delta, |h, f, df| {
            // SAFETY: `supported()` detected AVX2 and FMA at run time.
            unsafe { super::avx2::sigmoid_with_derivative_f32(h, f, df) }
        }),
        Level::Scalar => sigmoid_error_terms_f32_in_f64(level, y, h, delta),
    }
}

/// As [`sigmoid_error_terms_f32`] for `f64`.
pub(crate) fn sigmoid_error_terms_f64(level: Level, y: &[f64], h: &[f64], delta: &mut [f64]) {
    if level.min(supported()) == Level::Avx512 {
        error_terms_in_chunks(y, h, delta, |h, f, df| {
            // SAFETY: `supported()` detected AVX-512F at run time.
            unsafe { super::avx512::sigmoid_with_derivative_f64(h, f, df) }
        });
    } else {
        sigmoid_error_terms_f64_portable(level, y, h, delta);
    }
}

/// δ = (y − f)·f′ with (f, f′) = `fused(h)` computed 256 elements at a time into stack buffers.
#[inline(always)]
fn error_terms_in_chunks<T>(
    y: &[T],
    h: &[T],
    delta: &mut [T],
    fused: impl Fn(&[T], &mut [T], &mut [T]),
) where
    T: Copy + Default + core::ops::Sub<Output = T> + core::ops::Mul<Output = T>,
{
    const CHUNK: usize = 256;
    let (mut value, mut slope) = ([T::default(); CHUNK], [T::default(); CHUNK]);
    let n = y.len().min(h.len()).min(delta.len());
    let chunks = y[..n].chunks(CHUNK).zip(h[..n].chunks(CHUNK)).zip(delta[..n].chunks_mut(CHUNK));
    for ((y, h), delta) in chunks {
        let (value, slope) = (&mut value[..h.len()], &mut slope[..h.len()]);
        fused(h, value, slope);
        for (((d, &target), &f), &df) in delta.iter_mut().zip(y).zip(&*value).zip(&*slope) {
            *d = (target - f) * df;
        }
    }
}

/// σ and σ′ over an `f64` slice, as [`sigmoid_with_derivative_f32`] (bit-identical to
/// [`sigmoid_f64`] and [`sigmoid_derivative_f64`]).
pub(crate) fn sigmoid_with_derivative_f64(
    level: Level,
    h: &[f64],
    out: &mut [f64],
    slope: &mut [f64],
) {
    if level.min(supported()) == Level::Avx512 {
        // SAFETY: `supported()` detected AVX-512F at run time.
        unsafe { super::avx512::sigmoid_with_derivative_f64(h, out, slope) }
    } else {
        sigmoid_with_derivative_f64_portable(level, h, out, slope);
    }
}

/// The scalar kernel `K` of [`crate::accurate`] with its exact products by FMA, where the level in
/// use has FMA (AVX2 and above); `None` otherwise, for the caller's own path (the same bits).
#[inline]
pub(crate) fn exact_with_fma<K: ExactKernel>(h: f64) -> Option<K::Output> {
    if super::level() >= Level::Avx2 {
        // SAFETY: `level()` never exceeds `supported()`, which detected FMA at run time for
        // AVX2 and AVX-512.
        Some(unsafe { exact_fma::<K>(h) })
    } else {
        None
    }
}

/// `K` compiled with FMA enabled: its `#[inline(always)]` arithmetic is inlined here, so each
/// `mul_add` is one instruction.
///
/// # Safety
///
/// The CPU must support FMA.
#[target_feature(enable = "fma")]
unsafe fn exact_fma<K: ExactKernel>(h: f64) -> K::Output {
    K::eval::<true>(h)
}
