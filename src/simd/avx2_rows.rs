//! Net inputs of a block of rows with AVX2 and FMA, as [`super::avx512_rows`] does with
//! AVX-512: the dot product of each row with w, bit-identical to [`super::math::dot_f32`] and
//! [`super::math::dot_f64`] compiled for this level, with the horizontal sums of 8 (`f32`) or 4
//! (`f64`) rows done together. The 64 (`f32`) or 32 (`f64`) accumulators of `dot` are eight
//! 256-bit registers here, summed pairwise across the registers and then, a level at a time
//! for the rows of a group, within the last one.
//!
//! Also the gradient over a block, g += Σ_r a\[r\]·(row r), stored or listed rows, with g's
//! columns in registers across the rows (as [`super::avx512_rows`] does it).
//!
//! The last partial register of a row, of w or of g is read and written by `VMASKMOV`, whose
//! lanes off the mask may lie past the end of a slice, on the next page. Intel's manual says
//! those lanes never fault; AMD's leaves faults on them to the implementation, and none faulted
//! on AMD Zen 4 with slices that end just before a page that is not mapped
//! (`tests/guard_pages.rs`, run at every level). Taking the masked accesses that could reach
//! into the next page through a buffer on the stack instead made the AVX2 epochs up to 3.4
//! times slower on that core (docs/benchmark-log.md, "Masked tails at a page boundary"), so it
//! was not kept.

use core::arch::x86_64::*;
use core::cmp::Ordering;

use super::rows::{Listed, RowSource, Stored};

/// Elements per row chunk in `dot_f32`: eight registers of 8.
const CHUNK32: usize = 64;
/// Elements per row chunk in `dot_f64`: eight registers of 4.
const CHUNK64: usize = 32;

/// The 8 partial sums of one `f32` row left after the cross-register levels of `dot_f32`'s
/// pairwise sum (the last partial chunk by masked loads, its FMAs blended into the lanes it
/// covers): ((a₀ + a₄) + (a₂ + a₆)) + ((a₁ + a₅) + (a₃ + a₇)).
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, and `row` and `w` must both hold `d` elements.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn row_partials_f32(row: *const f32, w: *const f32, d: usize) -> __m256 {
    let chunks = d / CHUNK32;
    let mut acc = [_mm256_setzero_ps(); 8];
    for c in 0..chunks {
        for (k, acc) in acc.iter_mut().enumerate() {
            let i = c * CHUNK32 + 8 * k;
            // SAFETY: i + 8 ≤ chunks·64 ≤ d, the length of both.
            let (a, b) = unsafe { (_mm256_loadu_ps(row.add(i)), _mm256_loadu_ps(w.add(i))) };
            *acc = _mm256_fmadd_ps(a, b, *acc);
        }
    }
    let (mut i, mut left) = (chunks * CHUNK32, d % CHUNK32);
    let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for acc in &mut acc {
        if left == 0 {
            break;
        }
        // All ones in the lanes j < left (at most 63, an i32).
        let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(left.min(8) as i32), lanes);
        // SAFETY: the masked loads read the lanes j < left only, elements i + j < d of both.
        let (a, b) =
            unsafe { (_mm256_maskload_ps(row.add(i), mask), _mm256_maskload_ps(w.add(i), mask)) };
        // The other lanes keep their sums (a −0 stays −0), as in `dot_f32`.
        *acc = _mm256_blendv_ps(*acc, _mm256_fmadd_ps(a, b, *acc), _mm256_castsi256_ps(mask));
        (i, left) = (i + 8, left.saturating_sub(8));
    }
    let q: [__m256; 4] = core::array::from_fn(|k| _mm256_add_ps(acc[k], acc[k + 4]));
    _mm256_add_ps(_mm256_add_ps(q[0], q[2]), _mm256_add_ps(q[1], q[3]))
}

/// As [`row_partials_f32`] for `f64`: 4 partial sums, chunks of 32.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, and `row` and `w` must both hold `d` elements.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn row_partials_f64(row: *const f64, w: *const f64, d: usize) -> __m256d {
    let chunks = d / CHUNK64;
    let mut acc = [_mm256_setzero_pd(); 8];
    for c in 0..chunks {
        for (k, acc) in acc.iter_mut().enumerate() {
            let i = c * CHUNK64 + 4 * k;
            // SAFETY: i + 4 ≤ chunks·32 ≤ d, the length of both.
            let (a, b) = unsafe { (_mm256_loadu_pd(row.add(i)), _mm256_loadu_pd(w.add(i))) };
            *acc = _mm256_fmadd_pd(a, b, *acc);
        }
    }
    let (mut i, mut left) = (chunks * CHUNK64, d % CHUNK64);
    let lanes = _mm256_setr_epi64x(0, 1, 2, 3);
    for acc in &mut acc {
        if left == 0 {
            break;
        }
        let mask = _mm256_cmpgt_epi64(_mm256_set1_epi64x(left.min(4) as i64), lanes);
        // SAFETY: the masked loads read the lanes j < left only, elements i + j < d of both.
        let (a, b) =
            unsafe { (_mm256_maskload_pd(row.add(i), mask), _mm256_maskload_pd(w.add(i), mask)) };
        *acc = _mm256_blendv_pd(*acc, _mm256_fmadd_pd(a, b, *acc), _mm256_castsi256_pd(mask));
        (i, left) = (i + 4, left.saturating_sub(4));
    }
    let q: [__m256d; 4] = core::array::from_fn(|k| _mm256_add_pd(acc[k], acc[k + 4]));
    _mm256_add_pd(_mm256_add_pd(q[0], q[2]), _mm256_add_pd(q[1], q[3]))
}

/// w in `K` ≤ 8 registers, for rows of at most as many elements as they hold, loaded once per
/// call instead of once per row: the registers (zero beyond w), how many of them w fills,
/// whether w ends in the next one, and the lanes of it that w holds (all ones).
struct Prepared<R, const K: usize> {
    w: [R; K],
    full: usize,
    partial: bool,
    mask: __m256i,
}

/// [`Prepared`] w for `f32`: `K` registers of 8 lanes.
///
/// # Safety
///
/// The CPU must support AVX2.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn prepare_f32<const K: usize>(w: &[f32]) -> Prepared<__m256, K> {
    debug_assert!(w.len() <= 8 * K, "{} elements of w do not fit in {K} registers", w.len());
    let (full, left) = (w.len() / 8, w.len() % 8);
    let mask = lanes_below_f32(left);
    let w = core::array::from_fn(|k| match k.cmp(&full) {
        // SAFETY: register k < full holds elements 8k..8k + 8 ≤ w.len() of w.
        Ordering::Less => unsafe { _mm256_loadu_ps(w.as_ptr().add(8 * k)) },
        // SAFETY: the masked load reads the lanes j < left only, elements 8·full + j < w.len()
        // of w.
        Ordering::Equal if left > 0 => unsafe { _mm256_maskload_ps(w.as_ptr().add(8 * k), mask) },
        _ => _mm256_setzero_ps(),
    });
    Prepared { w, full, partial: left > 0, mask }
}

/// [`row_partials_f32`] for a row of at most 8·`K` elements (`K` ≤ 8), with w from
/// [`prepare_f32`]: register k of the row into accumulator k, each touched once, with plain
/// loads where w fills the register and a masked load for the last partial one. An FMA on
/// the zeros beyond the row leaves the +0 that the blend of `row_partials_f32` keeps, and the
/// additions after are the same, so the bits are.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA, and `row` must hold `w.len()` elements of the w
/// `prepared` was made from.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn prepared_partials_f32<const K: usize>(
    row: *const f32,
    prepared: &Prepared<__m256, K>,
) -> __m256 {
    const { assert!(K <= 8, "eight accumulators") };
    let mut acc = [_mm256_setzero_ps(); 8];
    // K is a constant, so the loop unrolls and the accumulators stay in registers.
    for (k, acc) in acc.iter_mut().enumerate().take(K) {
        let a = match k.cmp(&prepared.full) {
            // SAFETY: as in `prepare_f32`, for the row.
            Ordering::Less => unsafe { _mm256_loadu_ps(row.add(8 * k)) },
            // SAFETY: as in `prepare_f32`, for the row.
            Ordering::Equal if prepared.partial => unsafe {
                _mm256_maskload_ps(row.add(8 * k), prepared.mask)
            },
            _ => break,
        };
        *acc = _mm256_fmadd_ps(a, prepared.w[k], *acc);
    }
    let q: [__m256; 4] = core::array::from_fn(|k| _mm256_add_ps(acc[k], acc[k + 4]));
    _mm256_add_ps(_mm256_add_ps(q[0], q[2]), _mm256_add_ps(q[1], q[3]))
}

/// [`Prepared`] w for `f64`: `K` registers of 4 lanes.
///
/// # Safety
///
/// The CPU must support AVX2.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn prepare_f64<const K: usize>(w: &[f64]) -> Prepared<__m256d, K> {
    debug_assert!(w.len() <= 4 * K, "{} elements of w do not fit in {K} registers", w.len());
    let (full, left) = (w.len() / 4, w.len() % 4);
    let mask = lanes_below_f64(left);
    let w = core::array::from_fn(|k| match k.cmp(&full) {
        // SAFETY: as in `prepare_f32`, registers of 4.
        Ordering::Less => unsafe { _mm256_loadu_pd(w.as_ptr().add(4 * k)) },
        // SAFETY: as in `prepare_f32`, registers of 4.
        Ordering::Equal if left > 0 => unsafe { _mm256_maskload_pd(w.as_ptr().add(4 * k), mask) },
        _ => _mm256_setzero_pd(),
    });
    Prepared { w, full, partial: left > 0, mask }
}

/// As [`prepared_partials_f32`] for `f64`, equal to [`row_partials_f64`].
///
/// # Safety
///
/// As [`prepared_partials_f32`].
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn prepared_partials_f64<const K: usize>(
    row: *const f64,
    prepared: &Prepared<__m256d, K>,
) -> __m256d {
    const { assert!(K <= 8, "eight accumulators") };
    let mut acc = [_mm256_setzero_pd(); 8];
    // K is a constant, so the loop unrolls and the accumulators stay in registers.
    for (k, acc) in acc.iter_mut().enumerate().take(K) {
        let a = match k.cmp(&prepared.full) {
            // SAFETY: as in `prepare_f32`, for the row.
            Ordering::Less => unsafe { _mm256_loadu_pd(row.add(4 * k)) },
            // SAFETY: as in `prepare_f32`, for the row.
            Ordering::Equal if prepared.partial => unsafe {
                _mm256_maskload_pd(row.add(4 * k), prepared.mask)
            },
            _ => break,
        };
        *acc = _mm256_fmadd_pd(a, prepared.w[k], *acc);
    }
    let q: [__m256d; 4] = core::array::from_fn(|k| _mm256_add_pd(acc[k], acc[k + 4]));
    _mm256_add_pd(_mm256_add_pd(q[0], q[2]), _mm256_add_pd(q[1], q[3]))
}

/// The pairwise sum of the lanes of `v`: lane i + lane i + 4, then i + 2, i + 1, each low half
/// first, as `dot_f32` sums its accumulators.
#[inline]
#[target_feature(enable = "avx")]
fn horizontal_sum_f32(v: __m256) -> f32 {
    let v = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    _mm_cvtss_f32(_mm_add_ss(v, _mm_shuffle_ps::<0b01>(v, v)))
}

/// As [`horizontal_sum_f32`] for 4 `f64` lanes: i + 2, i + 1.
#[inline]
#[target_feature(enable = "avx")]
fn horizontal_sum_f64(v: __m256d) -> f64 {
    let v = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
    _mm_cvtsd_f64(_mm_add_sd(v, _mm_unpackhi_pd(v, v)))
}

/// The pairwise sums of 8 registers' lanes, lane r of the result from register r.
#[inline]
#[target_feature(enable = "avx2")]
fn transposed_sums_f32(p: [__m256; 8]) -> __m256 {
    // Lanes i and i + 4: [A₀₋₃ + A₄₋₇ | B₀₋₃ + B₄₋₇] from registers A, B.
    let l4: [__m256; 4] = core::array::from_fn(|k| {
        let (a, b) = (p[2 * k], p[2 * k + 1]);
        _mm256_add_ps(_mm256_permute2f128_ps::<0x20>(a, b), _mm256_permute2f128_ps::<0x31>(a, b))
    });
    // Lanes i and i + 2 within each half: the low half of l2[k] holds rows 4k and 4k + 2, the
    // high half rows 4k + 1 and 4k + 3, two partials each.
    let l2: [__m256; 2] = core::array::from_fn(|k| {
        let (a, b) = (l4[2 * k], l4[2 * k + 1]);
        let low = _mm256_shuffle_ps::<0b01_00_01_00>(a, b);
        let high = _mm256_shuffle_ps::<0b11_10_11_10>(a, b);
        _mm256_add_ps(low, high)
    });
    // Lanes i and i + 1: rows 0, 2, 4, 6 in the low half, 1, 3, 5, 7 in the high half.
    let low = _mm256_shuffle_ps::<0b10_00_10_00>(l2[0], l2[1]);
    let high = _mm256_shuffle_ps::<0b11_01_11_01>(l2[0], l2[1]);
    let sums = _mm256_add_ps(low, high);
    _mm256_permutevar8x32_ps(sums, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7))
}

/// As [`transposed_sums_f32`] for 4 registers of 4 `f64`.
#[inline]
#[target_feature(enable = "avx2")]
fn transposed_sums_f64(p: [__m256d; 4]) -> __m256d {
    // Lanes i and i + 2: [A₀ + A₂, A₁ + A₃, B₀ + B₂, B₁ + B₃].
    let l2: [__m256d; 2] = core::array::from_fn(|k| {
        let (a, b) = (p[2 * k], p[2 * k + 1]);
        _mm256_add_pd(_mm256_permute2f128_pd::<0x20>(a, b), _mm256_permute2f128_pd::<0x31>(a, b))
    });
    // Lanes i and i + 1: rows 0, 2, 1, 3.
    let sums = _mm256_add_pd(_mm256_unpacklo_pd(l2[0], l2[1]), _mm256_unpackhi_pd(l2[0], l2[1]));
    _mm256_permute4x64_pd::<0b11_01_10_00>(sums)
}

/// The low `out.len()` ≤ 8 lanes of `sums` into `out`.
///
/// # Safety
///
/// The CPU must support AVX.
#[inline]
#[target_feature(enable = "avx")]
unsafe fn store_f32(out: &mut [f32], sums: __m256) {
    if out.len() == 8 {
        // SAFETY: `out` holds the 8 lanes stored.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), sums) };
    } else {
        let mut lanes = [0.0_f32; 8];
        // SAFETY: `lanes` holds 8.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sums) };
        out.copy_from_slice(&lanes[..out.len()]);
    }
}

/// The low `out.len()` ≤ 4 lanes of `sums` into `out`.
///
/// # Safety
///
/// The CPU must support AVX.
#[inline]
#[target_feature(enable = "avx")]
unsafe fn store_f64(out: &mut [f64], sums: __m256d) {
    if out.len() == 4 {
        // SAFETY: `out` holds the 4 lanes stored.
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), sums) };
    } else {
        let mut lanes = [0.0_f64; 4];
        // SAFETY: `lanes` holds 4.
        unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), sums) };
        out.copy_from_slice(&lanes[..out.len()]);
    }
}

/// Defines, for one element type, the gradient kernels g ← g + Σ_r a\[r\]·(row r) over stored
/// rows (`fn $stored`) and listed rows (`fn $listed`), in row order with a separate multiply and
/// add per term, bit-identical to one `axpy` per row: eight registers of `$lanes` lanes of
/// columns at a time kept across all the rows, the last partial pass with its count of whole
/// registers fixed at compile time (one copy of `$pass` per count) and one register under a
/// mask where the columns end inside it. `$lanes_below(n)` gives the mask of the lowest n lanes.
macro_rules! gradient_kernels {
    (
        $t:ty, $lanes:literal lanes, $lanes_below:ident,
        $zero:ident, $splat:ident, $load:ident, $masked_load:ident, $store:ident,
        $masked_store:ident, $add:ident, $mul:ident,
        fn $stored:ident, fn $listed:ident, $blocks:ident, $pass:ident
    ) => {
        /// g ← g + Σ_r a\[r\]·(row r of x) for the rows of `x` (each `g.len()` long, at most
        /// `a.len()` of them), bit-identical to one `axpy` per row.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX2.
        #[target_feature(enable = "avx2")]
        pub(super) unsafe fn $stored(g: &mut [$t], a: &[$t], x: &[$t]) {
            let d = g.len();
            let rows = super::rows::whole_rows(a.len(), d, x.len());
            // SAFETY: the rows 0..rows of x hold d elements each.
            unsafe { $blocks(g, &a[..rows], &Stored { x: x.as_ptr(), d }) };
        }

        #[doc = concat!("As [`", stringify!($stored), "`] for the rows of `x` listed in `rows`")]
        /// (in their order, at most `a.len()` of them); an index out of range adds nothing.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX2.
        #[target_feature(enable = "avx2")]
        pub(super) unsafe fn $listed(g: &mut [$t], a: &[$t], x: &[$t], rows: &[usize]) {
            let (d, n) = (g.len(), a.len().min(rows.len()));
            let listed = Listed { x, d, rows: &rows[..n], ahead: &[] };
            // SAFETY: `Listed` gives only rows of d elements within x.
            unsafe { $blocks(g, &a[..n], &listed) };
        }

        /// g ← g + Σ_r a\[r\]·(row r of `rows`) for r < `a.len()`, skipping the rows `rows`
        /// does not give, one pass of eight registers of columns at a time.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX2, and every row `rows` gives for r < `a.len()` must hold
        /// `g.len()` elements.
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn $blocks<S: RowSource<$t>>(g: &mut [$t], a: &[$t], rows: &S) {
            let d = g.len();
            let g = g.as_mut_ptr();
            let columns = 8 * $lanes;
            let whole = d / columns * columns;
            let none = _mm256_setzero_si256();
            for first in (0..whole).step_by(columns) {
                // SAFETY: columns first..first + 8·$lanes ≤ d of g and of the rows.
                unsafe { $pass::<S, 8, false>(g.wrapping_add(first), a, rows, first, none) };
            }
            let width = d - whole;
            let mask = $lanes_below(width % $lanes);
            let g = g.wrapping_add(whole);
            // SAFETY: (every arm) the pass's whole registers and the lanes under `mask` cover
            // columns whole..d of g and of the rows. Fewer than eight whole registers (the
            // pass is narrower than a whole one), and a masked one only where the columns end
            // inside a register.
            unsafe {
                match (width / $lanes, width % $lanes != 0) {
                    (0, true) => $pass::<S, 0, true>(g, a, rows, whole, mask),
                    (1, true) => $pass::<S, 1, true>(g, a, rows, whole, mask),
                    (1, false) => $pass::<S, 1, false>(g, a, rows, whole, mask),
                    (2, true) => $pass::<S, 2, true>(g, a, rows, whole, mask),
                    (2, false) => $pass::<S, 2, false>(g, a, rows, whole, mask),
                    (3, true) => $pass::<S, 3, true>(g, a, rows, whole, mask),
                    (3, false) => $pass::<S, 3, false>(g, a, rows, whole, mask),
                    (4, true) => $pass::<S, 4, true>(g, a, rows, whole, mask),
                    (4, false) => $pass::<S, 4, false>(g, a, rows, whole, mask),
                    (5, true) => $pass::<S, 5, true>(g, a, rows, whole, mask),
                    (5, false) => $pass::<S, 5, false>(g, a, rows, whole, mask),
                    (6, true) => $pass::<S, 6, true>(g, a, rows, whole, mask),
                    (6, false) => $pass::<S, 6, false>(g, a, rows, whole, mask),
                    (7, true) => $pass::<S, 7, true>(g, a, rows, whole, mask),
                    (7, false) => $pass::<S, 7, false>(g, a, rows, whole, mask),
                    _ => {} // no columns left
                }
            }
        }

        /// One pass over `FULL` whole registers of columns from `g` and from each row `rows`
        /// gives (from column `first`) and, if `MASKED`, one more register under `mask`; the
        /// registers stay in place across all the rows.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX2; `g` and each of the `a.len()` rows must hold the columns
        /// the pass covers.
        #[inline]
        #[target_feature(enable = "avx2")]
        unsafe fn $pass<S: RowSource<$t>, const FULL: usize, const MASKED: bool>(
            g: *mut $t,
            a: &[$t],
            rows: &S,
            first: usize,
            mask: __m256i,
        ) {
            // SAFETY: (every access below) as the caller guarantees; addresses by
            // `wrapping_add`.
            let mut acc = [$zero(); 8];
            for (k, acc) in acc.iter_mut().enumerate().take(FULL) {
                // SAFETY: whole register k < FULL of the pass's columns of g.
                *acc = unsafe { $load(g.wrapping_add($lanes * k)) };
            }
            let mut last = $zero();
            if MASKED {
                // SAFETY: the lanes under `mask` are columns of g; the others are not read.
                last = unsafe { $masked_load(g.wrapping_add($lanes * FULL), mask) };
            }
            for (r, &ar) in a.iter().enumerate() {
                let Some(row) = rows.row(r) else { continue };
                let factor = $splat(ar);
                let row = row.wrapping_add(first);
                for (k, acc) in acc.iter_mut().enumerate().take(FULL) {
                    // SAFETY: whole register k < FULL of the pass's columns of this row.
                    let part = unsafe { $load(row.wrapping_add($lanes * k)) };
                    *acc = $add(*acc, $mul(factor, part));
                }
                if MASKED {
                    // SAFETY: the lanes under `mask` are columns of this row; no others are read.
                    let part = unsafe { $masked_load(row.wrapping_add($lanes * FULL), mask) };
                    last = $add(last, $mul(factor, part));
                }
            }
            for (k, &acc) in acc.iter().enumerate().take(FULL) {
                // SAFETY: as the load of register k from g above.
                unsafe { $store(g.wrapping_add($lanes * k), acc) };
            }
            if MASKED {
                // SAFETY: as the masked load from g above; the lanes off `mask` are not written.
                unsafe { $masked_store(g.wrapping_add($lanes * FULL), mask, last) };
            }
        }
    };
}

/// All ones in the lowest `n` ≤ 8 of 8 `i32` lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn lanes_below_f32(n: usize) -> __m256i {
    _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
}

/// All ones in the lowest `n` ≤ 4 of 4 `i64` lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn lanes_below_f64(n: usize) -> __m256i {
    _mm256_cmpgt_epi64(_mm256_set1_epi64x(n as i64), _mm256_setr_epi64x(0, 1, 2, 3))
}

gradient_kernels! {
    f32, 8 lanes, lanes_below_f32,
    _mm256_setzero_ps, _mm256_set1_ps, _mm256_loadu_ps, _mm256_maskload_ps, _mm256_storeu_ps,
    _mm256_maskstore_ps, _mm256_add_ps, _mm256_mul_ps,
    fn add_weighted_rows_f32, fn add_listed_rows_f32, weighted_rows_f32, weighted_pass_f32
}

gradient_kernels! {
    f64, 4 lanes, lanes_below_f64,
    _mm256_setzero_pd, _mm256_set1_pd, _mm256_loadu_pd, _mm256_maskload_pd, _mm256_storeu_pd,
    _mm256_maskstore_pd, _mm256_add_pd, _mm256_mul_pd,
    fn add_weighted_rows_f64, fn add_listed_rows_f64, weighted_rows_f64, weighted_pass_f64
}

super::rows::net_input_kernels! {
    features: "avx2,fma",
    f32, group 8, lengths [64, 128],
    spans [(1, 8), (2, 16), (4, 32), (8, 64)],
    prepare prepare_f32, prepared prepared_partials_f32,
    register __m256 = _mm256_setzero_ps, partials row_partials_f32, transposed transposed_sums_f32,
    horizontal horizontal_sum_f32, fn dot_f32,
    store store_f32, fn net_inputs_f32, fn net_inputs_listed_f32, group_sums_f32,
    net_inputs_f32_from, net_inputs_f32_with
}

super::rows::net_input_kernels! {
    features: "avx2,fma",
    f64, group 4, lengths [32, 64],
    spans [(1, 4), (2, 8), (4, 16), (8, 32)],
    prepare prepare_f64, prepared prepared_partials_f64,
    register __m256d = _mm256_setzero_pd, partials row_partials_f64, transposed transposed_sums_f64,
    horizontal horizontal_sum_f64, fn dot_f64,
    store store_f64, fn net_inputs_f64, fn net_inputs_listed_f64, group_sums_f64,
    net_inputs_f64_from, net_inputs_f64_with
}
