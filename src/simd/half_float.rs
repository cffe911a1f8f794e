//! `f16` and `bf16` slices through the `f32` kernels: each chunk of [`CHUNK`] elements is widened
//! into a stack buffer with the `half` crate's slice conversions (F16C instructions for `f16`
//! where the CPU has them), run through the `f32` kernel and narrowed back.
//!
//! Widening is exact and narrowing rounds to nearest, so a result is the `f32` kernel's value
//! rounded once more: within 0.5 + b·2⁻¹³ ulp of `f16` (0.5 + b·2⁻¹⁶ of `bf16`) for an `f32`
//! kernel within b ulp. `bf16` shares the `f32` exponent range, so this holds for its subnormal
//! results too; `f16` results are all normal `f32` values.

use half::slice::HalfFloatSliceExt;
use half::{bf16, f16};

use super::{cast, Level};

/// Elements per conversion: two 1 KiB buffers, small next to L1, and enough work per kernel
/// call that the dispatch is negligible.
const CHUNK: usize = 256;

/// Runs the `f32` kernel `k32` on `h` into `out` over their common length if `T` is `f16` or
/// `bf16`; returns whether it did.
#[inline]
pub(super) fn map<T>(
    level: Level,
    h: &[T],
    out: &mut [T],
    k32: fn(Level, &[f32], &mut [f32]),
) -> bool {
    if let (Some(h), Some(out)) = (cast::slice::<T, f16>(h), cast::slice_mut::<T, f16>(out)) {
        with_avx2(|| through_f32(level, h, out, k32));
        return true;
    }
    if let (Some(h), Some(out)) = (cast::slice::<T, bf16>(h), cast::slice_mut::<T, bf16>(out)) {
        with_avx2(|| through_f32(level, h, out, k32));
        return true;
    }
    false
}

/// As [`map`] for a kernel with two outputs.
#[inline]
pub(super) fn map_pair<T>(
    level: Level,
    h: &[T],
    out: &mut [T],
    slope: &mut [T],
    k32: fn(Level, &[f32], &mut [f32], &mut [f32]),
) -> bool {
    if let (Some(h), Some(out), Some(slope)) =
        (cast::slice::<T, f16>(h), cast::slice_mut::<T, f16>(out), cast::slice_mut::<T, f16>(slope))
    {
        with_avx2(|| pair_through_f32(level, h, out, slope, k32));
        return true;
    }
    if let (Some(h), Some(out), Some(slope)) = (
        cast::slice::<T, bf16>(h),
        cast::slice_mut::<T, bf16>(out),
        cast::slice_mut::<T, bf16>(slope),
    ) {
        with_avx2(|| pair_through_f32(level, h, out, slope, k32));
        return true;
    }
    false
}

/// Runs `f` (one of the chunk loops below) inside a function compiled with AVX2 where the CPU
/// has it: the `half` crate's `bf16` conversions are plain loops, inlined there and vectorised
/// with 256-bit registers instead of SSE2. (The `f16` conversions call `half`'s F16C functions
/// either way.)
#[inline(always)]
fn with_avx2(f: impl FnOnce()) {
    #[target_feature(enable = "avx2")]
    unsafe fn avx2(f: impl FnOnce()) {
        f()
    }
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 was detected at run time.
        unsafe { avx2(f) }
    } else {
        f()
    }
}

/// `out = k32(h)` chunk by chunk through stack buffers.
#[inline(always)]
fn through_f32<H>(level: Level, h: &[H], out: &mut [H], k32: fn(Level, &[f32], &mut [f32]))
where
    [H]: HalfFloatSliceExt,
{
    let n = h.len().min(out.len());
    let (mut wide, mut result) = ([0.0_f32; CHUNK], [0.0_f32; CHUNK]);
    for (h, out) in h[..n].chunks(CHUNK).zip(out[..n].chunks_mut(CHUNK)) {
        let (wide, result) = (&mut wide[..h.len()], &mut result[..h.len()]);
        h.convert_to_f32_slice(wide);
        k32(level, wide, result);
        out.convert_from_f32_slice(result);
    }
}

/// `(out, slope) = k32(h)` chunk by chunk through stack buffers.
#[inline(always)]
fn pair_through_f32<H>(
    level: Level,
    h: &[H],
    out: &mut [H],
    slope: &mut [H],
    k32: fn(Level, &[f32], &mut [f32], &mut [f32]),
) where
    [H]: HalfFloatSliceExt,
{
    let n = h.len().min(out.len()).min(slope.len());
    let (mut wide, mut result, mut result_slope) =
        ([0.0_f32; CHUNK], [0.0_f32; CHUNK], [0.0_f32; CHUNK]);
    let chunks =
        h[..n].chunks(CHUNK).zip(out[..n].chunks_mut(CHUNK)).zip(slope[..n].chunks_mut(CHUNK));
    for ((h, out), slope) in chunks {
        let m = h.len();
        let (wide, result, result_slope) =
            (&mut wide[..m], &mut result[..m], &mut result_slope[..m]);
        h.convert_to_f32_slice(wide);
        k32(level, wide, result, result_slope);
        out.convert_from_f32_slice(result);
        slope.convert_from_f32_slice(result_slope);
    }
}
