//! Net inputs of a block of rows with AVX-512: the dot product of each row with w, bit-identical
//! to [`super::math::dot_f32`] and [`super::math::dot_f64`], with the horizontal sums of 16
//! (`f32`) or 8 (`f64`) rows done together.
//! Also the gradient over a block, g += Σ_r a\[r\]·(row r), stored or listed rows, with g's
//! columns in registers across the rows.
//!
//! Each row's dot product keeps its 64 (`f32`) or 32 (`f64`) FMA accumulators in four registers
//! and then sums them pairwise: two levels across the registers, then halving within the last
//! register. The compiler turns that last part into a chain of scalar extracts and additions per
//! row (for `f64`, about 40 instructions with a long dependency chain), which made the net
//! inputs the slowest part of an epoch. Here each level of the halving is done for a group of
//! rows at once: two rows' registers are interleaved by two shuffles so that one addition does
//! one level for both, and the group ends with one register holding one sum per row. That is
//! 2 shuffles and 1 addition per row and level instead of a scalar chain, with the same
//! additions of the same operands, so every sum has the same bits as the dot product of its row.

use super::avx512_masked::{fmadd_lanes_pd, fmadd_lanes_ps, load_lanes_pd, load_lanes_ps};
use super::avx512_masked::{merge_lanes_pd, merge_lanes_ps};
use super::rows::{Listed, RowSource, Stored};
use core::arch::x86_64::*;

/// Elements per row chunk in [`super::math::dot_f32`]: four registers of 16.
const CHUNK32: usize = 64;
/// Elements per row chunk in [`super::math::dot_f64`]: four registers of 8.
const CHUNK64: usize = 32;

/// The 16 partial sums of one `f32` row left after the cross-register levels of the pairwise
/// sum: Σ over the row's chunks of FMA accumulators (the last partial chunk by masked loads and
/// FMAs), then lanes i, i + 16, i + 32 and i + 48 added as (a₀ + a₂) + (a₁ + a₃).
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA, and `row` and `w` must both hold `d` elements.
#[inline]
#[target_feature(enable = "avx512f,fma")]
unsafe fn row_partials_f32(row: *const f32, w: *const f32, d: usize) -> __m512 {
    let chunks = d / CHUNK32;
    let mut acc = [_mm512_setzero_ps(); 4];
    for c in 0..chunks {
        for (k, acc) in acc.iter_mut().enumerate() {
            let i = c * CHUNK32 + 16 * k;
            // SAFETY: i + 16 ≤ chunks·64 ≤ d, the length of both.
            let (a, b) = unsafe { (_mm512_loadu_ps(row.add(i)), _mm512_loadu_ps(w.add(i))) };
            *acc = _mm512_fmadd_ps(a, b, *acc);
        }
    }
    // Four steps without an early exit, so that the compiler unrolls them and keeps `acc` in
    // registers (the `asm!` loads would otherwise have it stored for them to read).
    let (start, left) = (chunks * CHUNK32, d % CHUNK32);
    for (k, acc) in acc.iter_mut().enumerate() {
        let lanes = left.saturating_sub(16 * k).min(16);
        if lanes > 0 {
            let (mask, i) = (low_lanes(lanes) as __mmask16, start + 16 * k);
            // SAFETY: the masked loads read the lanes j < lanes only, elements i + j < d of
            // both. The other lanes keep their sums (a −0 stays −0), as in `dot_f32`.
            *acc = unsafe { fmadd_lanes_ps(*acc, load_lanes_ps(mask, w.add(i)), mask, row.add(i)) };
        }
    }
    _mm512_add_ps(_mm512_add_ps(acc[0], acc[2]), _mm512_add_ps(acc[1], acc[3]))
}

/// As [`row_partials_f32`] for `f64`: 8 partial sums, chunks of 32.
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA, and `row` and `w` must both hold `d` elements.
#[inline]
#[target_feature(enable = "avx512f,fma")]
unsafe fn row_partials_f64(row: *const f64, w: *const f64, d: usize) -> __m512d {
    let chunks = d / CHUNK64;
    let mut acc = [_mm512_setzero_pd(); 4];
    for c in 0..chunks {
        for (k, acc) in acc.iter_mut().enumerate() {
            let i = c * CHUNK64 + 8 * k;
            // SAFETY: i + 8 ≤ chunks·32 ≤ d, the length of both.
            let (a, b) = unsafe { (_mm512_loadu_pd(row.add(i)), _mm512_loadu_pd(w.add(i))) };
            *acc = _mm512_fmadd_pd(a, b, *acc);
        }
    }
    // As in `row_partials_f32`.
    let (start, left) = (chunks * CHUNK64, d % CHUNK64);
    for (k, acc) in acc.iter_mut().enumerate() {
        let lanes = left.saturating_sub(8 * k).min(8);
        if lanes > 0 {
            let (mask, i) = (low_lanes(lanes) as __mmask8, start + 8 * k);
            // SAFETY: the masked loads read the lanes j < lanes only, elements i + j < d of both.
            *acc = unsafe { fmadd_lanes_pd(*acc, load_lanes_pd(mask, w.add(i)), mask, row.add(i)) };
        }
    }
    _mm512_add_pd(_mm512_add_pd(acc[0], acc[2]), _mm512_add_pd(acc[1], acc[3]))
}

/// w in `K` registers of 16 lanes, and the lanes of each that hold elements of w, for rows of
/// at most 16·`K` elements: loaded once per call instead of once per row.
///
/// # Safety
///
/// The CPU must support AVX-512F, and `w.len()` ≤ 16·`K`. `w` must also fill the first ⌊K/2⌋
/// registers, 16·⌊K/2⌋ ≤ `w.len()`, or this panics: each span of `K` takes only lengths the one
/// before cannot hold, and holds ⌊K/2⌋ registers no longer than those.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn prepare_f32<const K: usize>(w: &[f32]) -> ([__m512; K], [__mmask16; K]) {
    debug_assert!(w.len() <= 16 * K, "{} elements of w do not fit in {K} registers", w.len());
    // Once per call: `prepared_partials_f32` reads the first ⌊K/2⌋ registers of a row whole.
    assert!(w.len() >= 16 * (K / 2), "{} elements of w leave registers empty", w.len());
    let masks = core::array::from_fn(|k| low_lanes(w.len().saturating_sub(16 * k).min(16)) as _);
    // SAFETY: the masked loads read the lanes under the masks only, elements of w; the
    // addresses of registers past its end (mask 0) are formed by `wrapping_add`.
    let registers = core::array::from_fn(|k| unsafe {
        load_lanes_ps(masks[k], w.as_ptr().wrapping_add(16 * k))
    });
    (registers, masks)
}

/// [`row_partials_f32`] for a row of at most 16·`K` elements, with w from [`prepare_f32`]:
/// register k of the row into accumulator k mod 4 under its mask, the same operations on the
/// same values (an FMA under an empty mask changes nothing, as no FMA there does), so the same
/// bits. The first ⌊K/2⌋ registers, which `prepare_f32` requires w to fill, take plain loads
/// and FMAs; the others a masked load and an FMA under the mask, in two instructions (the
/// one-instruction [`fmadd_lanes_ps`] made the `f64` epoch up to 1.1× slower on AMD Zen 5).
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA, and `row` must hold `w.len()` elements of the w
/// `prepared` was made from.
#[inline]
#[target_feature(enable = "avx512f,fma")]
unsafe fn prepared_partials_f32<const K: usize>(
    row: *const f32,
    (w, masks): &([__m512; K], [__mmask16; K]),
) -> __m512 {
    let mut acc = [_mm512_setzero_ps(); 4];
    for k in 0..K {
        let at = row.wrapping_add(16 * k);
        acc[k % 4] = if k < K / 2 {
            // SAFETY: w, and so the row, fills register k (`prepare_f32`).
            _mm512_fmadd_ps(unsafe { _mm512_loadu_ps(at) }, w[k], acc[k % 4])
        } else {
            // SAFETY: the lanes under the mask are elements of the row; no others are read.
            let part = unsafe { load_lanes_ps(masks[k], at) };
            _mm512_mask3_fmadd_ps(part, w[k], acc[k % 4], masks[k])
        };
    }
    _mm512_add_ps(_mm512_add_ps(acc[0], acc[2]), _mm512_add_ps(acc[1], acc[3]))
}

/// As [`prepare_f32`] for `f64`: `K` registers of 8 lanes.
///
/// # Safety
///
/// The CPU must support AVX-512F, and `w.len()` ≤ 8·`K` (and ≥ 8·⌊K/2⌋, or this panics).
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn prepare_f64<const K: usize>(w: &[f64]) -> ([__m512d; K], [__mmask8; K]) {
    debug_assert!(w.len() <= 8 * K, "{} elements of w do not fit in {K} registers", w.len());
    // As in `prepare_f32`.
    assert!(w.len() >= 8 * (K / 2), "{} elements of w leave registers empty", w.len());
    let masks = core::array::from_fn(|k| low_lanes(w.len().saturating_sub(8 * k).min(8)) as _);
    // SAFETY: as in `prepare_f32`.
    let registers = core::array::from_fn(|k| unsafe {
        load_lanes_pd(masks[k], w.as_ptr().wrapping_add(8 * k))
    });
    (registers, masks)
}

/// As [`prepared_partials_f32`] for `f64`, equal to [`row_partials_f64`].
///
/// # Safety
///
/// As [`prepared_partials_f32`].
#[inline]
#[target_feature(enable = "avx512f,fma")]
unsafe fn prepared_partials_f64<const K: usize>(
    row: *const f64,
    (w, masks): &([__m512d; K], [__mmask8; K]),
) -> __m512d {
    let mut acc = [_mm512_setzero_pd(); 4];
    for k in 0..K {
        let at = row.wrapping_add(8 * k);
        acc[k % 4] = if k < K / 2 {
            // SAFETY: as in `prepared_partials_f32`.
            _mm512_fmadd_pd(unsafe { _mm512_loadu_pd(at) }, w[k], acc[k % 4])
        } else {
            // SAFETY: as in `prepared_partials_f32`.
            let part = unsafe { load_lanes_pd(masks[k], at) };
            _mm512_mask3_fmadd_pd(part, w[k], acc[k % 4], masks[k])
        };
    }
    _mm512_add_pd(_mm512_add_pd(acc[0], acc[2]), _mm512_add_pd(acc[1], acc[3]))
}

/// The pairwise sum of the lanes of `v`: lane i + lane i + 8, then i + 4, i + 2, i + 1, each
/// low half first, as `dot_f32` sums its accumulators.
#[inline]
#[target_feature(enable = "avx512f")]
fn horizontal_sum_f32(v: __m512) -> f32 {
    let high = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(v)));
    let v = _mm256_add_ps(_mm512_castps512_ps256(v), high);
    let v = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    _mm_cvtss_f32(_mm_add_ss(v, _mm_shuffle_ps::<0b01>(v, v)))
}

/// As [`horizontal_sum_f32`] for 8 `f64` lanes: i + 4, i + 2, i + 1.
#[inline]
#[target_feature(enable = "avx512f")]
fn horizontal_sum_f64(v: __m512d) -> f64 {
    let v = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd::<1>(v));
    let v = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
    _mm_cvtsd_f64(_mm_add_sd(v, _mm_unpackhi_pd(v, v)))
}

/// The pairwise sums of 16 registers' lanes, lane r of the result from register r: each level
/// interleaves two registers' halves so that one addition halves both.
#[inline]
#[target_feature(enable = "avx512f")]
fn transposed_sums_f32(p: [__m512; 16]) -> __m512 {
    // Lanes i and i + 8: [A₀₋₇ + A₈₋₁₅ | B₀₋₇ + B₈₋₁₅] from registers A, B.
    let l8: [__m512; 8] = core::array::from_fn(|k| {
        let (a, b) = (p[2 * k], p[2 * k + 1]);
        let low = _mm512_shuffle_f32x4::<0b01_00_01_00>(a, b);
        let high = _mm512_shuffle_f32x4::<0b11_10_11_10>(a, b);
        _mm512_add_ps(low, high)
    });
    // Lanes i and i + 4 of each half: 128-bit blocks of 4 partials, one row each, rows 4k..4k + 4.
    let l4: [__m512; 4] = core::array::from_fn(|k| {
        let (a, b) = (l8[2 * k], l8[2 * k + 1]);
        let low = _mm512_shuffle_f32x4::<0b10_00_10_00>(a, b);
        let high = _mm512_shuffle_f32x4::<0b11_01_11_01>(a, b);
        _mm512_add_ps(low, high)
    });
    // Lanes i and i + 2 within each block: block j of l2[k] holds rows 8k + j and 8k + 4 + j.
    let l2: [__m512; 2] = core::array::from_fn(|k| {
        let (a, b) = (l4[2 * k], l4[2 * k + 1]);
        let low = _mm512_shuffle_ps::<0b01_00_01_00>(a, b);
        let high = _mm512_shuffle_ps::<0b11_10_11_10>(a, b);
        _mm512_add_ps(low, high)
    });
    // Lanes i and i + 1: block j holds rows j, 4 + j, 8 + j and 12 + j.
    let low = _mm512_shuffle_ps::<0b10_00_10_00>(l2[0], l2[1]);
    let high = _mm512_shuffle_ps::<0b11_01_11_01>(l2[0], l2[1]);
    let sums = _mm512_add_ps(low, high);
    // Lane 4j + m of `sums` holds row j + 4m; `order` lists, for rows 0..16, the lane each is in.
    let order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    _mm512_permutexvar_ps(order, sums)
}

/// As [`transposed_sums_f32`] for 8 registers of 8 `f64`.
#[inline]
#[target_feature(enable = "avx512f")]
fn transposed_sums_f64(p: [__m512d; 8]) -> __m512d {
    // Lanes i and i + 4: [A₀₋₃ + A₄₋₇ | B₀₋₃ + B₄₋₇].
    let l4: [__m512d; 4] = core::array::from_fn(|k| {
        let (a, b) = (p[2 * k], p[2 * k + 1]);
        let low = _mm512_shuffle_f64x2::<0b01_00_01_00>(a, b);
        let high = _mm512_shuffle_f64x2::<0b11_10_11_10>(a, b);
        _mm512_add_pd(low, high)
    });
    // Lanes i and i + 2: 128-bit block j of l2[k] holds the two partials of row 4k + j.
    let l2: [__m512d; 2] = core::array::from_fn(|k| {
        let (a, b) = (l4[2 * k], l4[2 * k + 1]);
        let low = _mm512_shuffle_f64x2::<0b10_00_10_00>(a, b);
        let high = _mm512_shuffle_f64x2::<0b11_01_11_01>(a, b);
        _mm512_add_pd(low, high)
    });
    // Lanes i and i + 1: lane 2j holds row j, lane 2j + 1 row 4 + j.
    let sums = _mm512_add_pd(_mm512_unpacklo_pd(l2[0], l2[1]), _mm512_unpackhi_pd(l2[0], l2[1]));
    _mm512_permutexvar_pd(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7), sums)
}

/// The low `out.len()` ≤ 16 lanes of `sums` into `out`.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn store_f32(out: &mut [f32], sums: __m512) {
    // SAFETY: the store, or the mask, covers out.len() ≤ 16 lanes, the elements of `out`.
    unsafe {
        if out.len() == 16 {
            _mm512_storeu_ps(out.as_mut_ptr(), sums);
        } else {
            _mm512_mask_storeu_ps(out.as_mut_ptr(), low_lanes(out.len()) as __mmask16, sums);
        }
    }
}

/// The low `out.len()` ≤ 8 lanes of `sums` into `out`.
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn store_f64(out: &mut [f64], sums: __m512d) {
    // SAFETY: the store, or the mask, covers out.len() ≤ 8 lanes, the elements of `out`.
    unsafe {
        if out.len() == 8 {
            _mm512_storeu_pd(out.as_mut_ptr(), sums);
        } else {
            _mm512_mask_storeu_pd(out.as_mut_ptr(), low_lanes(out.len()) as __mmask8, sums);
        }
    }
}

super::rows::net_input_kernels! {
    features: "avx512f,fma",
    f32, group 16, lengths [64, 128],
    // Six registers for 65 to 96 elements leave at most one empty, as for `f64` below: with six,
    // the epoch on rows of 80 took 0.92 of its time with eight.
    spans [(1, 16), (2, 32), (4, 64), (6, 96), (8, 128)],
    prepare prepare_f32, prepared prepared_partials_f32,
    register __m512 = _mm512_setzero_ps, partials row_partials_f32, transposed transposed_sums_f32,
    horizontal horizontal_sum_f32, fn dot_f32,
    store store_f32, fn net_inputs_f32, fn net_inputs_listed_f32, group_sums_f32,
    net_inputs_f32_from, net_inputs_f32_with
}

super::rows::net_input_kernels! {
    features: "avx512f,fma",
    f64, group 8, lengths [32, 64],
    // Six registers for 33 to 48 elements leave at most one empty: with six, the epoch on rows of
    // 48 took 0.93 of its time with eight. Three for 17 to 24 made rows of 20 slower
    // (docs/benchmark-log.md).
    spans [(1, 8), (2, 16), (4, 32), (6, 48), (8, 64)],
    prepare prepare_f64, prepared prepared_partials_f64,
    register __m512d = _mm512_setzero_pd, partials row_partials_f64, transposed transposed_sums_f64,
    horizontal horizontal_sum_f64, fn dot_f64,
    store store_f64, fn net_inputs_f64, fn net_inputs_listed_f64, group_sums_f64,
    net_inputs_f64_from, net_inputs_f64_with
}

/// A mask of the lowest `n` ≤ 16 lanes.
#[inline(always)]
fn low_lanes(n: usize) -> u32 {
    (1_u32 << n) - 1
}

/// The lane masks of the `R` registers covering the first `width` columns (those up to
/// `R`·`LANES`).
#[inline(always)]
fn column_masks<const LANES: usize, const R: usize>(width: usize) -> [u32; R] {
    core::array::from_fn(|k| {
        let lanes = width.saturating_sub(k * LANES).min(LANES);
        ((1_u64 << lanes) - 1) as u32
    })
}

/// Defines, for one element type, the gradient kernels g ← g + Σ_r a\[r\]·(row r) over stored
/// rows (`fn $stored`) and listed rows (`fn $listed`), in row order with a separate multiply and
/// add per term, bit-identical to one `axpy` per row: `$registers` registers of `$lanes` lanes
/// of columns at a time kept across all the rows, with plain loads and stores where a pass
/// covers all of them and under masks for the last partial pass, which takes only the
/// registers its columns need (one copy of the pass for each count in `$partial`): a column's
/// sum is a chain of additions, one per row, so for short rows the pass is bound by that
/// latency, and registers with no columns only added work beside it.
macro_rules! gradient_kernels {
    (
        $t:ty, $registers:literal registers of $lanes:literal lanes, $reg:ty, $mask:ty,
        partial passes [$($partial:literal),*],
        $zero:ident, $splat:ident, $load:ident, $masked_load:ident, $store:ident,
        $masked_store:ident, $add:ident, $mul:ident,
        fn $stored:ident, fn $listed:ident, $blocks:ident, $pass:ident
    ) => {
        /// g ← g + Σ_r a\[r\]·(row r of x) for the rows of `x` (each `g.len()` long, at most
        /// `a.len()` of them), bit-identical to one `axpy` per row.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX-512F.
        #[target_feature(enable = "avx512f")]
        pub(super) unsafe fn $stored(g: &mut [$t], a: &[$t], x: &[$t]) {
            let d = g.len();
            let rows = super::rows::whole_rows(a.len(), d, x.len());
            // SAFETY: the rows 0..rows of x hold d elements each.
            unsafe { $blocks(g, &a[..rows], &Stored { x: x.as_ptr(), d }, 0) };
        }

        #[doc = concat!("As [`", stringify!($stored), "`] for the rows of `x` listed in `rows`")]
        /// (in their order, at most `a.len()` of them); an index out of range adds nothing.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX-512F.
        #[target_feature(enable = "avx512f")]
        pub(super) unsafe fn $listed(g: &mut [$t], a: &[$t], x: &[$t], rows: &[usize]) {
            let (d, n) = (g.len(), a.len().min(rows.len()));
            let listed = Listed { x, d, rows: &rows[..n], ahead: &[] };
            // SAFETY: `Listed` gives only rows of d elements within x.
            unsafe { $blocks(g, &a[..n], &listed, 0) };
        }

        /// g ← g + Σ_r a\[r\]·(row r of `rows`) for r < `a.len()`, skipping the rows `rows`
        /// does not give, one pass of registers of columns at a time.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX-512F, and every row `rows` gives for r < `a.len()` must
        /// hold `g.len()` elements.
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn $blocks<S: RowSource<$t>>(g: &mut [$t], a: &[$t], rows: &S, ahead: usize) {
            let (d, g) = (g.len(), g.as_mut_ptr());
            let columns = $registers * $lanes;
            for first in (0..d).step_by(columns) {
                let width = d - first;
                // The first pass prefetches, whole rows.
                let prefetch = if first == 0 { (ahead, d * size_of::<$t>()) } else { (0, 0) };
                // SAFETY: the columns first..first + columns ≤ d, or first..d under the
                // masks, of g and of the rows.
                unsafe {
                    if width >= columns {
                        let masks = [0; $registers];
                        $pass::<S, false, $registers>(g, a, rows, first, masks, prefetch);
                        continue;
                    }
                    match width.div_ceil($lanes) {
                        $($partial => {
                            let masks = column_masks::<$lanes, $partial>(width);
                            $pass::<S, true, $partial>(g, a, rows, first, masks, prefetch);
                        })*
                        _ => {
                            let masks = column_masks::<$lanes, $registers>(width);
                            $pass::<S, true, $registers>(g, a, rows, first, masks, prefetch);
                        }
                    }
                }
            }
        }

        /// One pass over the columns from `first`: `R` registers kept across the rows, with
        /// plain loads and stores or, if `MASKED`, under `masks`. With `prefetch` = (ahead,
        /// bytes) and ahead not 0, the `bytes` from `ahead` bytes past each row's start are
        /// prefetched as the row is added.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX-512F; g and every row `rows` gives must hold the columns
        /// the pass covers (all of the registers from `first`, or the lanes under `masks`).
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn $pass<S: RowSource<$t>, const MASKED: bool, const R: usize>(
            g: *mut $t,
            a: &[$t],
            rows: &S,
            first: usize,
            masks: [u32; R],
            prefetch: (usize, usize),
        ) {
            // SAFETY: (every access below) as the caller guarantees; masked-off lanes are not
            // accessed (and cannot fault), so addresses are formed with `wrapping_add`.
            let mut acc: [$reg; R] = core::array::from_fn(|k| {
                let at = g.wrapping_add(first + $lanes * k);
                if MASKED {
                    // SAFETY: the lanes under the mask are columns of g; the others are not read.
                    unsafe { $masked_load(masks[k] as $mask, at) }
                } else {
                    // SAFETY: register k holds columns of g.
                    unsafe { $load(at) }
                }
            });
            for (r, &ar) in a.iter().enumerate() {
                let Some(row) = rows.row(r) else { continue };
                if prefetch.0 > 0 {
                    let ahead = row.cast::<i8>().wrapping_add(prefetch.0);
                    super::math::prefetch_bytes(ahead, prefetch.1);
                }
                let factor = $splat(ar);
                let row = row.wrapping_add(first);
                for (k, acc) in acc.iter_mut().enumerate() {
                    let at = row.wrapping_add($lanes * k);
                    let part = if MASKED {
                        // SAFETY: the lanes under the mask are this row's columns; no others read.
                        unsafe { $masked_load(masks[k] as $mask, at) }
                    } else {
                        // SAFETY: register k holds columns of this row.
                        unsafe { $load(at) }
                    };
                    *acc = $add(*acc, $mul(factor, part));
                }
            }
            for (k, &acc) in acc.iter().enumerate() {
                let at = g.wrapping_add(first + $lanes * k);
                if MASKED {
                    // SAFETY: as the masked load from g above; no lane off the mask is written.
                    unsafe { $masked_store(at, masks[k] as $mask, acc) };
                } else {
                    // SAFETY: as the load from g above.
                    unsafe { $store(at, acc) };
                }
            }
        }
    };
}

gradient_kernels! {
    f32, 4 registers of 16 lanes, __m512, __mmask16, partial passes [1, 2, 3],
    _mm512_setzero_ps, _mm512_set1_ps, _mm512_loadu_ps, load_lanes_ps, _mm512_storeu_ps,
    _mm512_mask_storeu_ps, _mm512_add_ps, _mm512_mul_ps,
    fn add_weighted_rows_f32, fn add_listed_rows_f32, weighted_rows_f32, weighted_pass_f32
}

/// Rows per group of [`sigmoid_rows_f32`]: two registers of net inputs, whose σ and σ′ chains
/// overlap. On AMD Zen 4, groups of 16 and of 64 gained less from memory, and groups of 16 lost
/// in L2 (docs/benchmark-log.md).
const SIGMOID_GROUP: usize = 32;

/// The one-output σ epoch over rows of 64 to 128 `f32` (for other lengths `None`, touching
/// nothing), [`SIGMOID_GROUP`] rows at a time in one function: for each group its net inputs
/// ([`group_sums_f32`], 16 rows a register, with the net-input kernel's partial sums: fixed
/// lengths for 64 and 128, from aligned lines ([`line_partials_f32`]) when those rows start off
/// a 64-byte line, w in registers between) plus `bias`, σ and σ′
/// ([`super::avx512::sigmoid_with_derivative16`]), (y − σ)² in `f64` lanes, δ = (y − σ)·σ′, then
/// g += Σ δ x while the group's 8 to 16 KiB are in L1 ([`weighted_lines_f32`] for rows of whole
/// lines, 64, 80, 96, 112 or 128, that start off a 64-byte line, otherwise
/// [`weighted_rows_f32`]), and the bias entry += Σ δ in row order. Returns Σ (y − σ)² over the
/// rows (at most `y.len()`, as many as `x` holds).
///
/// These are the blocked epoch's operations on the same values, so g is bit-identical to it;
/// the exact squares are summed in another order (in `f64`, far below an `f32` ulp). In one
/// function, the blocked epoch's four dispatched calls per block go, and groups this small let
/// the reads of the next rows start soon after each group's arithmetic: from memory the epoch
/// ran at 1.1–1.5× the speed of blocks of 256 on AMD Zen 4, in cache at the same speed or a
/// little faster. Shorter rows leave too little work per group to cover σ's latency, and ran
/// slower than the blocks (docs/benchmark-log.md).
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA; `g` must be as long as `w`.
#[target_feature(enable = "avx512f,fma")]
pub(super) unsafe fn sigmoid_rows_f32(
    x: &[f32],
    y: &[f32],
    w: &[f32],
    bias: Option<f32>,
    g: &mut [f32],
    g_bias: Option<&mut f32>,
) -> Option<f64> {
    debug_assert_eq!(w.len(), g.len(), "w and g");
    let (d, w_ptr) = (w.len(), w.as_ptr());
    // Rows that start off a 64-byte line take their net inputs from aligned lines too.
    let offset = (x.as_ptr() as usize / 4) % 16;
    let low = low_lanes(offset) as __mmask16;
    // SAFETY: (every call) the CPU has the features, g holds d, and every row the closures get
    // holds d elements, as w does; where d is 64 or 128, every row starts `offset` elements past
    // a line, as the line kernels need.
    unsafe {
        Some(match (d, offset) {
            (64, 1..) => {
                let frame = prepare_lines_f32::<4>(w_ptr, offset);
                let partials_of = |row| line_partials_f32::<4>(row, &frame, low);
                sigmoid_rows_by(x, y, d, &partials_of, bias, g, g_bias)
            }
            (128, 1..) => {
                let frame = prepare_lines_f32::<8>(w_ptr, offset);
                let partials_of = |row| line_partials_f32::<8>(row, &frame, low);
                sigmoid_rows_by(x, y, d, &partials_of, bias, g, g_bias)
            }
            (64, _) => {
                let partials_of = |row| row_partials_f32(row, w_ptr, 64);
                sigmoid_rows_by(x, y, d, &partials_of, bias, g, g_bias)
            }
            (128, _) => {
                let partials_of = |row| row_partials_f32(row, w_ptr, 128);
                sigmoid_rows_by(x, y, d, &partials_of, bias, g, g_bias)
            }
            // 65 ≥ 16·⌊6/2⌋ and 97 ≥ 16·⌊8/2⌋, as `prepare_f32` requires.
            (65..=96, _) => {
                let prepared = prepare_f32::<6>(w);
                let partials_of = |row| prepared_partials_f32::<6>(row, &prepared);
                sigmoid_rows_by(x, y, d, &partials_of, bias, g, g_bias)
            }
            (97..128, _) => {
                let prepared = prepare_f32::<8>(w);
                let partials_of = |row| prepared_partials_f32::<8>(row, &prepared);
                sigmoid_rows_by(x, y, d, &partials_of, bias, g, g_bias)
            }
            _ => return None,
        })
    }
}

/// Defines, for one element type, `fn $name::<LINES>(g, a, x, offset, ahead)`:
/// g ← g + Σ_r a\[r\]·(row r) for `a.len()` rows of `$lanes`·`LINES` elements from `x`, which
/// lies `offset` (1 to `$lanes` − 1) elements past a 64-byte boundary, with the same bits as the
/// stored-rows gradient kernel but aligned loads: a 512-bit load 16 bytes past a line took 1.55×
/// an aligned one on AMD Zen 4 (docs/benchmark-log.md), and `Vec`'s large allocations start
/// there.
///
/// Each line of the rows is loaded once, and g is kept in the lines' frame: register m holds
/// columns `$lanes`·m − `offset` + lane for m ≥ 1, and register 0 the row's first
/// `$lanes` − `offset` columns in its high lanes and its last `offset` columns in its low lanes,
/// which lie in the next line (the first line of the next row). So the line at the start of
/// row r adds row r in its high lanes and row r − 1 in its low lanes, with the factor of each:
/// every column still takes one product per row, rounded, then added, in row order.
///
/// If `ahead` is not 0, the `LINES` lines `ahead` bytes past each row's lines are prefetched as
/// the row is added (see [`super::next_group_ahead`]).
macro_rules! line_kernel {
    (
        $t:ty, $lanes:literal lanes, $reg:ty, $mask:ty, fn $name:ident,
        $zero:ident, $splat:ident, $load:ident, $aligned_load:ident, $maskz_load:ident,
        $mask_load:ident, $store:ident, $mask_store:ident, $add:ident, $mask_add:ident,
        $mul:ident, $blend:ident
    ) => {
        #[doc = concat!("The gradient from aligned lines for `", stringify!($t), "`: see")]
        /// [`line_kernel`].
        ///
        /// # Safety
        ///
        #[doc = concat!("The CPU must support AVX-512F; `g` must hold ", stringify!($lanes))]
        /// ·`LINES` elements, and `a.len()` rows of that many elements from `x` must be
        /// readable, `x` being `offset` elements past a 64-byte boundary.
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn $name<const LINES: usize>(
            g: &mut [$t],
            a: &[$t],
            x: *const $t,
            offset: usize,
            ahead: usize,
        ) {
            let d = $lanes * LINES;
            debug_assert!(g.len() == d && (1..$lanes).contains(&offset));
            let (low, high) = (low_lanes(offset) as $mask, !(low_lanes(offset) as $mask));
            let (g, lines) = (g.as_mut_ptr(), x.wrapping_sub(offset));
            debug_assert_eq!(lines as usize % 64, 0, "x is not `offset` elements past a line");
            // SAFETY: (every access below) the masks and offsets keep every access within g
            // and the rows, as the caller guarantees; the lines inside the rows are 64-byte
            // aligned.
            let mut frame: [$reg; LINES] = core::array::from_fn(|m| unsafe {
                if m == 0 {
                    let first = $maskz_load(high, g.wrapping_sub(offset));
                    $mask_load(first, low, g.wrapping_add(d - offset))
                } else {
                    $load(g.wrapping_add($lanes * m - offset))
                }
            });
            let mut before = $zero();
            for (r, &ar) in a.iter().enumerate() {
                let factor = $splat(ar);
                let row = lines.wrapping_add(r * d);
                if ahead > 0 {
                    super::math::prefetch_bytes(row.cast::<i8>().wrapping_add(ahead), 64 * LINES);
                }
                if r == 0 {
                    // The low lanes of the first line belong to the row before the first.
                    // SAFETY: the high lanes of the first row's first line lie within that row.
                    let line = unsafe { $maskz_load(high, row) };
                    frame[0] = $mask_add(frame[0], high, frame[0], $mul(factor, line));
                } else {
                    // SAFETY: an aligned line within this row and the row before it.
                    let line = unsafe { $aligned_load(row) };
                    let factors = $blend(low, factor, before);
                    frame[0] = $add(frame[0], $mul(factors, line));
                }
                for (m, acc) in frame.iter_mut().enumerate().skip(1) {
                    // SAFETY: line m of this row, 64-byte aligned, within it.
                    let line = unsafe { $aligned_load(row.wrapping_add($lanes * m)) };
                    *acc = $add(*acc, $mul(factor, line));
                }
                before = factor;
            }
            if !a.is_empty() {
                // The last row's last columns, in the low lanes of the line after it.
                // SAFETY: the low lanes of the line after the last row belong to that row.
                let line = unsafe { $maskz_load(low, lines.wrapping_add(a.len() * d)) };
                frame[0] = $mask_add(frame[0], low, frame[0], $mul(before, line));
            }
            for (m, &acc) in frame.iter().enumerate() {
                // SAFETY: the lanes stored are g's columns, as for the loads of `frame`.
                unsafe {
                    if m == 0 {
                        $mask_store(g.wrapping_sub(offset), high, acc);
                        $mask_store(g.wrapping_add(d - offset), low, acc);
                    } else {
                        $store(g.wrapping_add($lanes * m - offset), acc);
                    }
                }
            }
        }
    };
}

line_kernel! {
    f32, 16 lanes, __m512, __mmask16, fn weighted_lines_f32,
    _mm512_setzero_ps, _mm512_set1_ps, _mm512_loadu_ps, _mm512_load_ps, load_lanes_ps,
    merge_lanes_ps, _mm512_storeu_ps, _mm512_mask_storeu_ps, _mm512_add_ps,
    _mm512_mask_add_ps, _mm512_mul_ps, _mm512_mask_blend_ps
}

line_kernel! {
    f64, 8 lanes, __m512d, __mmask8, fn weighted_lines_f64,
    _mm512_setzero_pd, _mm512_set1_pd, _mm512_loadu_pd, _mm512_load_pd, load_lanes_pd,
    merge_lanes_pd, _mm512_storeu_pd, _mm512_mask_storeu_pd, _mm512_add_pd,
    _mm512_mask_add_pd, _mm512_mul_pd, _mm512_mask_blend_pd
}

/// w in the lines' frame for [`line_partials_f32`], for rows of 16·`LINES` elements (`LINES` a
/// multiple of 4) that start `offset` elements past a 64-byte line: register m holds the
/// columns 16m − `offset` + lane, and register 4c its lanes below `offset` from register 4c + 4.
///
/// # Safety
///
/// The CPU must support AVX-512F, `w` must hold 16·`LINES` elements, and `offset` must be
/// below 16.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn prepare_lines_f32<const LINES: usize>(w: *const f32, offset: usize) -> [__m512; LINES] {
    debug_assert!(LINES.is_multiple_of(4) && offset < 16);
    let low = low_lanes(offset) as __mmask16;
    // SAFETY: the masks keep every access within w: the lanes of register 4c at or past
    // `offset`, the lanes below it of register 4c + 4, and whole registers between.
    core::array::from_fn(|m| unsafe {
        let at = w.wrapping_add(16 * m).wrapping_sub(offset);
        if m % 4 == 0 {
            merge_lanes_ps(load_lanes_ps(!low, at), low, at.wrapping_add(64))
        } else {
            _mm512_loadu_ps(at)
        }
    })
}

/// The lanes of the 16 `f32` at the 64-byte line `at` outside `low`, and those under `low` of
/// the line four lines on, at `at` + 64: register 4c of a row in the lines' frame.
///
/// These masked loads are intrinsics, which the compiler may widen to whole registers (see
/// [`load_lanes_ps`]): at an aligned line that is still one line, which holds lanes under the
/// mask, so it lies in a readable page. In `asm!` the epoch ran 1.3 times as long on AMD Zen 5.
///
/// # Safety
///
/// The CPU must support AVX-512F, `at` must be 64-byte aligned, and the lanes read (those two
/// masks select) must be readable.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn merged_lines_f32(at: *const f32, low: __mmask16) -> __m512 {
    debug_assert_eq!(at as usize % 64, 0);
    // SAFETY: the masked loads read the lanes under their masks, readable as required, and at
    // most the rest of their lines.
    unsafe { _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(!low, at), low, at.wrapping_add(64)) }
}

/// [`row_partials_f32`] for a row of 16·`LINES` elements (`LINES` a multiple of 4) that starts
/// off a 64-byte line, from aligned lines: the same sums with their lanes rotated by the offset
/// (the number of lanes in `low`), `frame` from [`prepare_lines_f32`]. Each load of
/// [`row_partials_f32`] splits two lines there, at 1.55× the cost of an aligned load on AMD
/// Zen 4 (see [`line_kernel`]).
///
/// [`row_partials_f32`] sums register k of the row into accumulator k mod 4, then adds them as
/// (a₀ + a₂) + (a₁ + a₃). Line m of the row holds register m in its lanes from the offset on
/// and register m − 1 below it, so line m adds into accumulator p_(m mod 4), whose high lanes
/// are a_(m mod 4) and low lanes a_(m − 1 mod 4), in the same order. Line 4c holds the row only
/// in its high lanes and takes its low lanes from line 4c + 4 (the next row's first line for
/// the last c). The low lanes then add (a₃ + a₁) + (a₀ + a₂): the same sums, as addition
/// commutes. The pairwise sum of the lanes that follows ([`transposed_sums_f32`]) pairs lanes i
/// and i + 8, then halves again, so it gives the same sums for rotated lanes too.
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA; `row` must hold the 16·`LINES` elements of the w
/// `frame` was made from, and start as many elements past a line as `low` has lanes.
#[inline]
#[target_feature(enable = "avx512f,fma")]
unsafe fn line_partials_f32<const LINES: usize>(
    row: *const f32,
    frame: &[__m512; LINES],
    low: __mmask16,
) -> __m512 {
    let lines = row.wrapping_sub(low.count_ones() as usize);
    let mut acc = [_mm512_setzero_ps(); 4];
    // Lines 4c + 1, 4c + 2, 4c + 3, then 4c with 4c + 4: the row's new lines in the order of
    // their addresses. With 4c and 4c + 4 first, the epoch ran slower from memory on AMD Zen 4
    // than with the split loads (docs/benchmark-log.md).
    for c in 0..LINES / 4 {
        for j in [1, 2, 3, 0] {
            let m = 4 * c + j;
            let at = lines.wrapping_add(16 * m);
            // SAFETY: as in [`prepare_lines_f32`], for the row; its inner lines are aligned.
            let line = unsafe {
                if j == 0 {
                    merged_lines_f32(at, low)
                } else {
                    _mm512_load_ps(at)
                }
            };
            acc[j] = _mm512_fmadd_ps(line, frame[m], acc[j]);
        }
    }
    _mm512_add_ps(_mm512_add_ps(acc[0], acc[2]), _mm512_add_ps(acc[1], acc[3]))
}

/// [`sigmoid_rows_f32`] for rows of `d` elements whose partial sums `partials_of` gives.
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA; `g` must hold `d` ≥ 1 elements, and `partials_of`
/// must be sound for every row of `d` elements within `x`.
#[inline]
#[target_feature(enable = "avx512f,fma")]
unsafe fn sigmoid_rows_by<P: Fn(*const f32) -> __m512>(
    x: &[f32],
    y: &[f32],
    d: usize,
    partials_of: &P,
    bias: Option<f32>,
    g: &mut [f32],
    mut g_bias: Option<&mut f32>,
) -> f64 {
    // Rows of whole 64-byte lines that do not start on a line take the gradient from aligned
    // loads ([`weighted_lines_f32`]); the others from `weighted_rows_f32`.
    let offset = (x.as_ptr() as usize / 4) % 16;
    let rows = y.len().min(x.len() / d);
    let x = x.as_ptr();
    let all = Stored { x, d };
    let ahead = super::next_group_ahead(SIGMOID_GROUP * d * 4);
    let mut delta = [[0.0_f32; 16]; SIGMOID_GROUP / 16];
    let mut squares = [_mm512_setzero_pd(); 2];
    for group in (0..rows).step_by(SIGMOID_GROUP) {
        let end = rows.min(group + SIGMOID_GROUP);
        for (k, delta) in delta.iter_mut().enumerate() {
            let first = group + 16 * k;
            if first >= end {
                break;
            }
            let n = (end - first).min(16);
            let lanes = low_lanes(n) as __mmask16;
            // SAFETY: rows first..first + n lie within x. A whole group is summed by the copy
            // with n fixed at 16, whose partial sums stay in registers.
            let mut h = unsafe {
                if n == 16 {
                    group_sums_f32(&all, partials_of, first, 16)
                } else {
                    group_sums_f32(&all, partials_of, first, n)
                }
            };
            if let Some(b) = bias {
                h = _mm512_add_ps(h, _mm512_set1_ps(b));
            }
            let (y_hat, slope) = super::avx512::sigmoid_with_derivative16(h);
            // SAFETY: the mask covers the targets first..first + n, within y.
            let target = unsafe { load_lanes_ps(lanes, y.as_ptr().add(first)) };
            // The lanes past n square 0 − 0.
            let y_hat_in = _mm512_maskz_mov_ps(lanes, y_hat);
            for (half, sum) in squares.iter_mut().enumerate() {
                let wide = |v: __m512| {
                    let v = _mm512_castps_pd(v);
                    let v = if half == 0 {
                        _mm512_castpd512_pd256(v)
                    } else {
                        _mm512_extractf64x4_pd::<1>(v)
                    };
                    _mm512_cvtps_pd(_mm256_castpd_ps(v))
                };
                let residual = _mm512_sub_pd(wide(target), wide(y_hat_in));
                *sum = _mm512_fmadd_pd(residual, residual, *sum);
            }
            let terms = _mm512_mul_ps(_mm512_sub_ps(target, y_hat), slope);
            // SAFETY: `delta` holds 16 elements.
            unsafe { _mm512_storeu_ps(delta.as_mut_ptr(), terms) };
        }
        let delta = &delta.as_flattened()[..end - group];
        let rows = x.wrapping_add(group * d);
        // SAFETY: the group's rows of d elements lie within x, and g holds d; for the line
        // kernels d is 16·LINES and the rows start `offset` elements past a line.
        unsafe {
            match (d, offset) {
                (64, 1..) => weighted_lines_f32::<4>(g, delta, rows, offset, ahead),
                (80, 1..) => weighted_lines_f32::<5>(g, delta, rows, offset, ahead),
                (96, 1..) => weighted_lines_f32::<6>(g, delta, rows, offset, ahead),
                (112, 1..) => weighted_lines_f32::<7>(g, delta, rows, offset, ahead),
                (128, 1..) => weighted_lines_f32::<8>(g, delta, rows, offset, ahead),
                _ => weighted_rows_f32(g, delta, &Stored { x: rows, d }, ahead),
            }
        }
        if let Some(b) = g_bias.as_deref_mut() {
            *b = delta.iter().fold(*b, |acc, &d| acc + d);
        }
    }
    _mm512_reduce_add_pd(_mm512_add_pd(squares[0], squares[1]))
}

// `f64` also keeps 64 columns (eight registers), so that rows of 64 are read once.
gradient_kernels! {
    f64, 8 registers of 8 lanes, __m512d, __mmask8, partial passes [1, 2, 3, 4, 5, 6, 7],
    _mm512_setzero_pd, _mm512_set1_pd, _mm512_loadu_pd, load_lanes_pd, _mm512_storeu_pd,
    _mm512_mask_storeu_pd, _mm512_add_pd, _mm512_mul_pd,
    fn add_weighted_rows_f64, fn add_listed_rows_f64, weighted_rows_f64, weighted_pass_f64
}

/// The one-output σ epoch over rows of 32 or 64 `f64`, as [`sigmoid_rows_f32`] (for other
/// lengths `None`, touching nothing): for each group of rows (8 KiB: 32 rows of 32, 16 of 64)
/// its net inputs ([`group_sums_f64`], 8 rows a register) plus `bias`, σ and σ′
/// ([`super::avx512::sigmoid_with_derivative8`]), δ = (y − σ)·σ′, g += Σ δ x while the group is
/// in L1 ([`weighted_lines_f64`] for rows that start off a 64-byte line, otherwise
/// [`weighted_rows_f64`]) and the bias entry += Σ δ in row order, so g has the blocked epoch's
/// bits. The squares join a compensated sum ([`add_group_squares`]), returned before its
/// last rounding as (total, comp), as [`super::math::sum_squared_diff_parts_f64`] returns it.
///
/// On every core but AMD Zen 4 the next group's rows are prefetched while the gradient of a
/// group is added, as in [`sigmoid_rows_f32`] ([`super::next_group_ahead`]). On AMD Zen 4 the
/// epoch ran at 1.3× (rows of 64) and 1.7× (rows of 32) the speed of the blocks from memory,
/// 1.1× and 1.35× in cache. Groups of 16 KiB gained nothing from memory and 4 KiB lost in
/// cache; rows of 33 to 63 (w in registers, the gradient from `weighted_rows_f64`) ran slower
/// than the blocks in cache (docs/benchmark-log.md).
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA; `g` must be as long as `w`.
#[target_feature(enable = "avx512f,fma")]
pub(super) unsafe fn sigmoid_rows_f64(
    x: &[f64],
    y: &[f64],
    w: &[f64],
    bias: Option<f64>,
    g: &mut [f64],
    g_bias: Option<&mut f64>,
) -> Option<(f64, f64)> {
    debug_assert_eq!(w.len(), g.len(), "w and g");
    let (d, w_ptr) = (w.len(), w.as_ptr());
    // SAFETY: (every call) the CPU has the features, g holds d, and every row the closures get
    // holds d elements, as w does.
    unsafe {
        Some(match d {
            32 => {
                let partials_of = |row| row_partials_f64(row, w_ptr, 32);
                sigmoid_rows_by_f64::<_, 32>(x, y, d, &partials_of, bias, g, g_bias)
            }
            64 => {
                let partials_of = |row| row_partials_f64(row, w_ptr, 64);
                sigmoid_rows_by_f64::<_, 16>(x, y, d, &partials_of, bias, g, g_bias)
            }
            _ => return None,
        })
    }
}

/// [`sigmoid_rows_f64`] in groups of `GROUP` (a multiple of 16) rows of `d` elements, whose
/// partial sums `partials_of` gives.
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA; `g` must hold `d` ≥ 1 elements, and `partials_of`
/// must be sound for every row of `d` elements within `x`.
#[inline]
#[target_feature(enable = "avx512f,fma")]
unsafe fn sigmoid_rows_by_f64<P: Fn(*const f64) -> __m512d, const GROUP: usize>(
    x: &[f64],
    y: &[f64],
    d: usize,
    partials_of: &P,
    bias: Option<f64>,
    g: &mut [f64],
    mut g_bias: Option<&mut f64>,
) -> (f64, f64) {
    // Rows of whole 64-byte lines that do not start on a line take the gradient from aligned
    // loads ([`weighted_lines_f64`]).
    let offset = (x.as_ptr() as usize / 8) % 8;
    let rows = y.len().min(x.len() / d);
    let x = x.as_ptr();
    let all = Stored { x, d };
    let ahead = super::next_group_ahead(GROUP * d * 8);
    let one = super::math::opaque_one();
    let mut squares = super::math::SquareSums::starting_at(0.0);
    // The group's targets and σ for the loss, 0 past its last row (0 − 0 adds nothing), and δ.
    let (mut targets, mut fitted, mut delta) = ([0.0; GROUP], [0.0; GROUP], [0.0; GROUP]);
    for group in (0..rows).step_by(GROUP) {
        let end = rows.min(group + GROUP);
        for k in 0..GROUP / 8 {
            let first = group + 8 * k;
            let n = end.saturating_sub(first).min(8);
            let lanes = low_lanes(n) as __mmask8;
            // SAFETY: rows first..first + n lie within x, and the mask covers the targets
            // first..first + n within y; the stores write 8 elements within the arrays. A
            // whole register is summed by the copy with n fixed at 8. Registers past the last
            // row (n = 0) sum no row, and their lanes are masked off below.
            unsafe {
                let mut h = if n == 8 {
                    group_sums_f64(&all, partials_of, first, 8)
                } else {
                    group_sums_f64(&all, partials_of, first, n)
                };
                if let Some(b) = bias {
                    h = _mm512_add_pd(h, _mm512_set1_pd(b));
                }
                let (y_hat, slope) = super::avx512::sigmoid_with_derivative8(h);
                let target = load_lanes_pd(lanes, y.as_ptr().wrapping_add(first));
                let y_hat = _mm512_maskz_mov_pd(lanes, y_hat);
                _mm512_storeu_pd(targets.as_mut_ptr().add(8 * k), target);
                _mm512_storeu_pd(fitted.as_mut_ptr().add(8 * k), y_hat);
                let terms = _mm512_mul_pd(_mm512_sub_pd(target, y_hat), slope);
                _mm512_storeu_pd(delta.as_mut_ptr().add(8 * k), terms);
            }
        }
        // SAFETY: the CPU has the features.
        unsafe { add_group_squares(&mut squares, &targets, &fitted, one) };
        let delta = &delta[..end - group];
        let group_rows = x.wrapping_add(group * d);
        // SAFETY: the group's rows of d elements lie within x, and g holds d; for the line
        // kernels d is 8·LINES and the rows start `offset` elements past a line.
        unsafe {
            match (d, offset) {
                (32, 1..) => weighted_lines_f64::<4>(g, delta, group_rows, offset, ahead),
                (64, 1..) => weighted_lines_f64::<8>(g, delta, group_rows, offset, ahead),
                _ => weighted_rows_f64(g, delta, &Stored { x: group_rows, d }, ahead),
            }
        }
        if let Some(b) = g_bias.as_deref_mut() {
            *b = delta.iter().fold(*b, |acc, &d| acc + d);
        }
    }
    squares.total(0.0)
}

/// Adds (tᵢ − fᵢ)² to `squares` by the exact step of the `f64` `sse` kernel
/// ([`super::math::SquareSums::add_exact`]), for a multiple of 16 pairs. Not inlined: inlined
/// into [`sigmoid_rows_by_f64`] the epoch ran 10 % slower in cache on AMD Zen 4.
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA.
#[inline(never)]
#[target_feature(enable = "avx512f,fma")]
unsafe fn add_group_squares(
    squares: &mut super::math::SquareSums,
    targets: &[f64],
    fitted: &[f64],
    one: f64,
) {
    squares.add_exact(targets, fitted, one);
}
