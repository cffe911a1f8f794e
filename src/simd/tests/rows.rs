//! The dot products, the update loops and the epochs' row kernels at every level, bit for bit
//! against their definitions: one `dot` per row, one `axpy` per row in row order.

use super::*;

/// The bit patterns of `v`, so that comparisons tell −0 from +0.
fn bits64(v: &[f64]) -> Vec<u64> {
    v.iter().map(|v| v.to_bits()).collect()
}

/// As [`bits64`] for `f32`.
fn bits32(v: &[f32]) -> Vec<u32> {
    v.iter().map(|v| v.to_bits()).collect()
}

/// Runs `kernel` on a copy of `g0` followed by sentinels in the same allocation, checks that
/// they are untouched (no store past the end of g) and returns the copy.
fn guarded<T: Copy + PartialEq + From<f32>>(g0: &[T], kernel: impl FnOnce(&mut [T])) -> Vec<T> {
    let sentinel = T::from(7.25);
    let d = g0.len();
    let mut buffer = g0.to_vec();
    buffer.extend([sentinel; 17]);
    kernel(&mut buffer[..d]);
    assert!(buffer[d..].iter().all(|&v| v == sentinel), "a store past the end of g");
    buffer.truncate(d);
    buffer
}

/// An update kernel: `axpy` (yᵢ ← yᵢ + a·xᵢ) or `scale_into` (yᵢ ← a·xᵢ) at a level.
type Update<T> = fn(Level, &mut [T], T, &[T]);

/// The `axpy` and `scale_into` kernels for `f64` and `f32`: through the dispatcher and, on
/// x86-64, at each level itself, which the dispatcher replaces for some lengths (AVX2 for long
/// `axpy` calls, and for short calls on Intel cores, `short_call_level`).
#[allow(clippy::type_complexity)]
fn update_kernels() -> (Vec<Update<f64>>, Vec<Update<f64>>, Vec<Update<f32>>, Vec<Update<f32>>) {
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut kernels: (Vec<Update<f64>>, Vec<Update<f64>>, Vec<Update<f32>>, Vec<Update<f32>>) = (
        vec![kernels::axpy_f64],
        vec![kernels::scale_into_f64],
        vec![kernels::axpy_f32],
        vec![kernels::scale_into_f32],
    );
    #[cfg(target_arch = "x86_64")]
    {
        kernels.0.push(kernels::axpy_f64_at);
        kernels.1.push(kernels::scale_into_f64_at);
        kernels.2.push(kernels::axpy_f32_at);
        kernels.3.push(kernels::scale_into_f32_at);
    }
    kernels
}

#[test]
fn axpy_and_scale_match_the_scalar_loop_exactly() {
    let x: Vec<f64> = uniform(3, 5000);
    let y0: Vec<f64> = uniform(4, 5000);
    let (axpy64, scale64, axpy32, scale32) = update_kernels();
    for level in levels() {
        // From 8 KiB on (1024 `f64`, 2048 `f32`), axpy aligns its stores: both sides of that.
        for n in (0..=67).chain([997, 1023, 1024, 2047, 2048, 4133, 4997]) {
            for offset in 0..3 {
                let (xs, ys) = (&x[offset..offset + n], &y0[offset..offset + n]);
                let expect: Vec<f64> = ys.iter().zip(xs).map(|(&b, &a)| b + 0.37 * a).collect();
                for axpy in &axpy64 {
                    let mut y = ys.to_vec();
                    axpy(level, &mut y, 0.37, xs);
                    assert_eq!(y, expect, "{level:?} axpy f64 n {n}");
                }
                let expect: Vec<f64> = xs.iter().map(|&a| -1.5 * a).collect();
                for scale in &scale64 {
                    let mut y = ys.to_vec();
                    scale(level, &mut y, -1.5, xs);
                    assert_eq!(y, expect, "{level:?} scale f64 n {n}");
                }

                let xs: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
                let ys: Vec<f32> = ys.iter().map(|&v| v as f32).collect();
                let expect: Vec<f32> = ys.iter().zip(&xs).map(|(&b, &a)| b + 0.37 * a).collect();
                for axpy in &axpy32 {
                    let mut y = ys.clone();
                    axpy(level, &mut y, 0.37, &xs);
                    assert_eq!(y, expect, "{level:?} axpy f32 n {n}");
                }
                let expect: Vec<f32> = xs.iter().map(|&a| -1.5 * a).collect();
                for scale in &scale32 {
                    let mut y = ys.clone();
                    scale(level, &mut y, -1.5, &xs);
                    assert_eq!(y, expect, "{level:?} scale f32 n {n}");
                }
            }
        }
    }
}

#[test]
fn block_kernels_match_dot_and_axpy_per_row_exactly() {
    // Net inputs must equal one `dot` per row, and the gradient kernels one `axpy` per row in
    // row order, bit for bit, on every level, for row lengths around the register blocking and
    // misaligned starts.
    let x: Vec<f64> = uniform(11, 40 * 140);
    let w: Vec<f64> = uniform(12, 140);
    let a: Vec<f64> = uniform(13, 40);
    for level in levels() {
        for d in [1, 7, 8, 15, 16, 21, 26, 31, 32, 33, 45, 48, 52, 63, 64, 67, 100, 128, 130] {
            // Rests after the last whole group (of 4, 8 or 16 rows) from 0 to 15, both below
            // and above the few rows summed one at a time.
            let cases =
                [(0, 0), (1, 1), (2, 0), (3, 1), (8, 0), (16, 1), (17, 2), (19, 1), (21, 3)];
            for (rows, offset) in cases.into_iter().chain([(31, 2), (33, 3)]) {
                let xs = &x[offset..offset + rows * d];
                let (ws, g0) = (&w[..d], &w[1..=d]);
                let as_ = &a[..rows];
                let mut h = vec![0.0; rows];
                kernels::net_inputs_f64(level, xs, ws, &mut h);
                let expect: Vec<f64> =
                    xs.chunks_exact(d).map(|r| kernels::dot_f64(level, r, ws)).collect();
                assert_eq!(
                    bits64(&h),
                    bits64(&expect),
                    "{level:?} net inputs f64 d {d} rows {rows}"
                );
                let mut expect = g0.to_vec();
                for (r, &ai) in xs.chunks_exact(d).zip(as_) {
                    kernels::axpy_f64(level, &mut expect, ai, r);
                }
                // More weights than rows: only the rows of x count.
                let longer = &a[..rows + 1];
                for as_ in [as_, longer] {
                    let g = guarded(g0, |g| kernels::add_weighted_rows_f64(level, g, as_, xs));
                    let case = format!("d {d} rows {rows} a {}", as_.len());
                    assert_eq!(bits64(&g), bits64(&expect), "{level:?} weighted rows f64 {case}");
                }
                // Fewer weights than rows: only as many rows count.
                if let Some(fewer) = rows.checked_sub(1) {
                    let mut expect = g0.to_vec();
                    for (r, &ai) in xs.chunks_exact(d).zip(&a[..fewer]) {
                        kernels::axpy_f64(level, &mut expect, ai, r);
                    }
                    let g =
                        guarded(g0, |g| kernels::add_weighted_rows_f64(level, g, &a[..fewer], xs));
                    assert_eq!(bits64(&g), bits64(&expect), "{level:?} fewer weights f64 d {d}");
                }

                let f = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
                let (xs, ws, g0, as_) = (f(xs), f(ws), f(g0), f(as_));
                let mut h = vec![0.0; rows];
                kernels::net_inputs_f32(level, &xs, &ws, &mut h);
                let expect: Vec<f32> =
                    xs.chunks_exact(d).map(|r| kernels::dot_f32(level, r, &ws)).collect();
                assert_eq!(
                    bits32(&h),
                    bits32(&expect),
                    "{level:?} net inputs f32 d {d} rows {rows}"
                );
                let mut expect = g0.clone();
                for (r, &ai) in xs.chunks_exact(d).zip(&as_) {
                    kernels::axpy_f32(level, &mut expect, ai, r);
                }
                let longer = f(longer);
                for as_ in [&as_, &longer] {
                    let g = guarded(&g0, |g| kernels::add_weighted_rows_f32(level, g, as_, &xs));
                    let case = format!("d {d} rows {rows} a {}", as_.len());
                    assert_eq!(bits32(&g), bits32(&expect), "{level:?} weighted rows f32 {case}");
                }
                if let Some(fewer) = rows.checked_sub(1) {
                    let mut expect = g0.clone();
                    for (r, &ai) in xs.chunks_exact(d).zip(&as_[..fewer]) {
                        kernels::axpy_f32(level, &mut expect, ai, r);
                    }
                    let g = guarded(&g0, |g| {
                        kernels::add_weighted_rows_f32(level, g, &as_[..fewer], &xs)
                    });
                    assert_eq!(bits32(&g), bits32(&expect), "{level:?} fewer weights f32 d {d}");
                }
            }
        }
    }
}

/// The start in `buffer` of a slice whose element `tail` lies `before` elements ahead of the
/// first 4 KiB page boundary in `buffer` past its first page.
fn across_a_page<T>(buffer: &[T], tail: usize, before: usize) -> usize {
    let size = core::mem::size_of::<T>();
    let to_boundary = (4096 - buffer.as_ptr() as usize % 4096) % 4096 / size + 4096 / size;
    to_boundary - before - tail
}

#[test]
fn row_kernels_take_masked_tails_across_a_page_boundary() {
    // Masked tails whose register reaches into the next page: rows, w and g whose last partial
    // register starts 1 to 7 (`f32`) or 1 to 3 (`f64`) elements before a page boundary give the
    // bits of copies whose last register ends at one (net inputs; `dot` shares their masked
    // loads) and of `axpy` per row (gradients).
    macro_rules! check {
        ($t:ty, $lanes:expr, $values:expr, $net_inputs:ident, $dot:ident, $axpy:ident,
         $weighted:ident, $bits:ident) => {{
            let values: Vec<$t> = $values;
            let (xb, wb) = (&values[..], &values[7..]);
            let (mut gb, mut xc, mut wc) = (values.clone(), values.clone(), values.clone());
            for level in levels() {
                for d in [1, 3, 7, 9, 15, 21, 38, 70, 131].into_iter().filter(|d| d % $lanes != 0) {
                    for (rows, before) in
                        [1, 3].into_iter().flat_map(|r| (1..$lanes).map(move |b| (r, b)))
                    {
                        let case =
                            format!("{level:?} {} d {d} rows {rows} {before}", stringify!($t));
                        let whole = d / $lanes * $lanes;
                        let at = across_a_page(xb, (rows - 1) * d + whole, before);
                        let x = &xb[at..at + rows * d];
                        let at = across_a_page(wb, whole, before);
                        let w = &wb[at..at + d];
                        let mut h = vec![0.0; rows];
                        kernels::$net_inputs(level, x, w, &mut h);
                        // The same kernel on copies whose tails end at a page boundary.
                        let at = across_a_page(&xc, (rows - 1) * d + whole, $lanes);
                        xc[at..at + rows * d].copy_from_slice(x);
                        let x_copy = &xc[at..at + rows * d];
                        let at = across_a_page(&wc, whole, $lanes);
                        wc[at..at + d].copy_from_slice(w);
                        let w_copy = &wc[at..at + d];
                        let mut expect = vec![0.0; rows];
                        kernels::$net_inputs(level, x_copy, w_copy, &mut expect);
                        assert_eq!($bits(&h), $bits(&expect), "{case}");
                        let by_dot: Vec<$t> =
                            x.chunks_exact(d).map(|r| kernels::$dot(level, r, w)).collect();
                        assert_eq!($bits(&h), $bits(&by_dot), "{case}");
                        let a = &values[..rows];
                        let at = across_a_page(&gb, whole, before);
                        let g = &mut gb[at..at + d];
                        let mut expect = g.to_vec();
                        for (r, &ai) in x.chunks_exact(d).zip(a) {
                            kernels::$axpy(level, &mut expect, ai, r);
                        }
                        kernels::$weighted(level, g, a, x);
                        assert_eq!($bits(g), $bits(&expect), "{case}");
                        g.copy_from_slice(&values[at..at + d]);
                    }
                }
            }
        }};
    }
    let values = uniform(21, 3 * 1024);
    check!(
        f32,
        8,
        values.iter().map(|&v| v as f32).collect(),
        net_inputs_f32,
        dot_f32,
        axpy_f32,
        add_weighted_rows_f32,
        bits32
    );
    check!(f64, 4, values, net_inputs_f64, dot_f64, axpy_f64, add_weighted_rows_f64, bits64);
}

/// The kernels of the blocked one-output σ epoch for one element type, and the fused kernel
/// that does the same steps, for [`check_sigmoid_rows`].
#[cfg(target_arch = "x86_64")]
trait EpochKernels:
    Copy
    + PartialEq
    + From<f32>
    + Into<f64>
    + core::fmt::Debug
    + core::ops::Add<Output = Self>
    + core::ops::Sub<Output = Self>
    + core::ops::Mul<Output = Self>
{
    /// Whether the fused kernel takes rows of `d` elements at the AVX-512 level.
    fn fused(d: usize) -> bool;
    /// The largest relative difference allowed between the fused kernel's Σ (y − σ)² and
    /// [`Self::squares`]: the same terms summed in another order, `f32` squares exactly in
    /// `f64`, `f64` ones in doubled precision.
    const LOSS_TOLERANCE: f64;
    fn net_inputs(level: Level, x: &[Self], w: &[Self], out: &mut [Self]);
    fn activate(level: Level, h: &[Self], value: &mut [Self], slope: &mut [Self]);
    fn add_weighted_rows(level: Level, g: &mut [Self], a: &[Self], x: &[Self]);
    /// The blocks' Σ (y − ŷ)², unrounded as hi + lo.
    fn squares(level: Level, y: &[Self], y_hat: &[Self]) -> (f64, f64);
    fn sigmoid_rows(
        level: Level,
        x: &[Self],
        y: &[Self],
        w: (&[Self], Option<Self>),
        g: (&mut [Self], Option<&mut Self>),
    ) -> Option<(f64, f64)>;
    fn bits(self) -> u64;
}

#[cfg(target_arch = "x86_64")]
impl EpochKernels for f32 {
    fn fused(d: usize) -> bool {
        (64..=128).contains(&d)
    }
    const LOSS_TOLERANCE: f64 = 1e-13;
    fn net_inputs(level: Level, x: &[f32], w: &[f32], out: &mut [f32]) {
        kernels::net_inputs_f32(level, x, w, out);
    }
    fn activate(level: Level, h: &[f32], value: &mut [f32], slope: &mut [f32]) {
        kernels::sigmoid_with_derivative_f32(level, h, value, slope);
    }
    fn add_weighted_rows(level: Level, g: &mut [f32], a: &[f32], x: &[f32]) {
        kernels::add_weighted_rows_f32(level, g, a, x);
    }
    fn squares(_: Level, y: &[f32], y_hat: &[f32]) -> (f64, f64) {
        let exact = |(&a, &b): (&f32, &f32)| {
            let d = f64::from(a) - f64::from(b);
            d * d
        };
        (y.iter().zip(y_hat).map(exact).sum(), 0.0)
    }
    fn sigmoid_rows(
        level: Level,
        x: &[f32],
        y: &[f32],
        w: (&[f32], Option<f32>),
        g: (&mut [f32], Option<&mut f32>),
    ) -> Option<(f64, f64)> {
        kernels::sigmoid_rows_f32(level, x, y, w, g).map(|sum| (sum, 0.0))
    }
    fn bits(self) -> u64 {
        self.to_bits().into()
    }
}

#[cfg(target_arch = "x86_64")]
impl EpochKernels for f64 {
    fn fused(d: usize) -> bool {
        d == 32 || d == 64
    }
    const LOSS_TOLERANCE: f64 = 1e-28;
    fn net_inputs(level: Level, x: &[f64], w: &[f64], out: &mut [f64]) {
        kernels::net_inputs_f64(level, x, w, out);
    }
    fn activate(level: Level, h: &[f64], value: &mut [f64], slope: &mut [f64]) {
        kernels::sigmoid_with_derivative_f64(level, h, value, slope);
    }
    fn add_weighted_rows(level: Level, g: &mut [f64], a: &[f64], x: &[f64]) {
        kernels::add_weighted_rows_f64(level, g, a, x);
    }
    fn squares(level: Level, y: &[f64], y_hat: &[f64]) -> (f64, f64) {
        kernels::sum_squared_diff_parts_f64(level, y, y_hat)
    }
    fn sigmoid_rows(
        level: Level,
        x: &[f64],
        y: &[f64],
        w: (&[f64], Option<f64>),
        g: (&mut [f64], Option<&mut f64>),
    ) -> Option<(f64, f64)> {
        kernels::sigmoid_rows_f64(level, x, y, w, g)
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

/// The fused one-output σ epoch (`kernels::sigmoid_rows_f32` and `_f64`) against the blocked
/// epoch's kernels at the same level: net inputs (+ bias), σ and σ′ in one pass,
/// δ = (y − σ)σ′, g += Σ δ x and the bias entry += Σ δ in row order, bit for bit; Σ (y − σ)²
/// to rounding (the same squares in another order, compared before the last rounding). Only
/// AVX-512 with the rows [`EpochKernels::fused`] names takes the fused kernel; elsewhere it must
/// decline and leave g alone.
#[cfg(target_arch = "x86_64")]
fn check_sigmoid_rows<T: EpochKernels>(
    level: Level,
    xs: &[T],
    ys: &[T],
    ws: &[T],
    g0: &[T],
    bias: Option<T>,
) {
    let bits = |v: &[T]| v.iter().map(|&v| v.bits()).collect::<Vec<u64>>();
    let (d, gb_start) = (ws.len(), g0[ws.len()]);
    let (rows, g_start) = (xs.len() / d, &g0[..d]);
    let case = format!("{level:?} d {d} rows {rows} x at {:p} bias {bias:?}", xs.as_ptr());
    let zero = T::from(0.0);
    let mut h = vec![zero; rows];
    T::net_inputs(level, xs, ws, &mut h);
    if let Some(b) = bias {
        h.iter_mut().for_each(|v| *v = *v + b);
    }
    let (mut y_hat, mut slope) = (vec![zero; rows], vec![zero; rows]);
    T::activate(level, &h, &mut y_hat, &mut slope);
    let delta: Vec<T> = (0..rows).map(|r| (ys[r] - y_hat[r]) * slope[r]).collect();
    let (squares, squares_lo) = T::squares(level, &ys[..rows], &y_hat);
    let mut g_expect = g_start.to_vec();
    T::add_weighted_rows(level, &mut g_expect, &delta, xs);
    let gb_expect = delta.iter().fold(gb_start, |acc, &v| acc + v);

    let mut gb = gb_start;
    let mut got = None;
    let g = guarded(g_start, |g| {
        let g_bias = bias.map(|_| &mut gb);
        got = T::sigmoid_rows(level, xs, ys, (ws, bias), (g, g_bias));
    });
    if runs_avx512(level) && T::fused(d) {
        let (hi, lo) = got.unwrap_or_else(|| panic!("{case}: declined"));
        // hi − squares is exact where the two agree to within a factor 2 (Sterbenz).
        let difference = (hi - squares) + (lo - squares_lo);
        assert!(difference.abs() <= T::LOSS_TOLERANCE * squares, "{case}: {hi} vs {squares}");
        assert_eq!(bits(&g), bits(&g_expect), "{case}: gradient");
        if bias.is_some() {
            assert_eq!(gb.bits(), gb_expect.bits(), "{case}: bias gradient");
        } else {
            assert_eq!(gb.bits(), gb_start.bits(), "{case}: no bias");
        }
    } else {
        assert!(got.is_none(), "{case}: taken");
        assert_eq!(bits(&g), bits(g_start), "{case}: g touched");
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn sigmoid_rows_match_the_block_kernels_exactly() {
    fn check<T: EpochKernels>(seed: u64, lengths: &[usize]) {
        let f = |v: Vec<f64>, scale: f64| v.iter().map(|&u| T::from((scale * u) as f32)).collect();
        let x: Vec<T> = f(uniform(seed, 75 * 132), 2.0);
        let w: Vec<T> = f(uniform(seed + 1, 130), 0.3);
        let targets: Vec<T> =
            uniform(seed + 2, 80).iter().map(|&u| T::from(f32::from(u8::from(u > 0.0)))).collect();
        let g0: Vec<T> = f(uniform(seed + 3, 130), 1.0);
        for level in levels() {
            for &d in lengths {
                for (rows, offset, bias) in [
                    (0, 0, None),
                    (1, 1, Some(0.25)),
                    (7, 1, None),
                    (15, 0, None),
                    (16, 3, Some(-0.5)),
                    (17, 1, None),
                    (31, 2, Some(0.125)),
                    (32, 0, None),
                    (33, 1, Some(1.5)),
                    (48, 0, None),
                    (70, 3, Some(-2.0)),
                ] {
                    // More targets than rows: only x's rows count.
                    let (xs, ys) = (&x[offset..offset + rows * d], &targets[..rows + 2]);
                    let bias = bias.map(T::from);
                    check_sigmoid_rows(level, xs, ys, &w[..d], &g0[..=d], bias);
                }
            }
        }
    }
    check::<f32>(21, &[64, 128, 65, 96, 97, 100, 127, 10, 63, 129]);
    check::<f64>(41, &[32, 64, 10, 31, 33, 48, 49, 63, 65, 128]);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn sigmoid_rows_take_rows_at_every_offset_from_a_line() {
    // Rows of whole 64-byte lines starting at every element offset from a line take the
    // gradient from aligned loads in the lines' frame (`avx512_rows::weighted_lines_f32` and
    // `_f64`), with their masked first and last lines at the ends of each group (32 rows of
    // f32, 32 or 16 of f64); f32 rows of 64 and 128 their net inputs too
    // (`avx512_rows::line_partials_f32`, against the blocks' split loads).
    fn check<T: EpochKernels>(seed: u64, lengths: &[usize]) {
        let lanes = 64 / core::mem::size_of::<T>();
        let f = |v: Vec<f64>, scale: f64| v.iter().map(|&u| T::from((scale * u) as f32)).collect();
        let x: Vec<T> = f(uniform(seed, 72 * 128 + 32), 2.0);
        // The first element of x on a 64-byte boundary (within a line: x is element-aligned).
        let line = x.as_ptr().align_offset(64);
        assert!(line < lanes, "{line}");
        let w: Vec<T> = f(uniform(seed + 1, 129), 0.2);
        let targets: Vec<T> =
            uniform(seed + 2, 72).iter().map(|&u| T::from(f32::from(u8::from(u > 0.0)))).collect();
        let g0: Vec<T> = f(uniform(seed + 3, 129), 1.0);
        for level in levels() {
            for &d in lengths {
                for offset in 0..lanes {
                    for (rows, bias) in [
                        (1, None),
                        (2, Some(0.5)),
                        (15, None),
                        (17, None),
                        (31, None),
                        (33, Some(-1.0)),
                        (72, None),
                    ] {
                        let xs = &x[line + offset..line + offset + rows * d];
                        let (ys, ws, bias) = (&targets[..rows], &w[..d], bias.map(T::from));
                        check_sigmoid_rows(level, xs, ys, ws, &g0[..=d], bias);
                    }
                }
            }
        }
    }
    check::<f32>(25, &[64, 80, 96, 112, 128]);
    check::<f64>(45, &[32, 64]);
}

#[cfg(target_arch = "x86_64")]
#[test]
fn sigmoid_rows_propagate_nan_and_infinity() {
    // A NaN feature makes its row's net input, δ and every column of g it multiplies NaN, as in
    // the blocks; an infinite net input saturates σ (σ′ = 0, so its row adds 0·x, and NaN where
    // x is ∞) and its squared error stays finite.
    if lacks_avx512("sigmoid_rows_propagate_nan_and_infinity") {
        return;
    }
    fn check<T: EpochKernels>(level: Level) {
        let d = 64;
        let f = |v: Vec<f64>, scale: f64| v.iter().map(|&u| T::from((scale * u) as f32)).collect();
        let mut x: Vec<T> = f(uniform(31, 40 * d), 1.0);
        let y: Vec<T> =
            uniform(32, 40).iter().map(|&u| T::from(f32::from(u8::from(u > 0.0)))).collect();
        let w: Vec<T> = f(uniform(33, d), 0.1);
        let zero = T::from(0.0);
        x[5 * d + 7] = T::from(f32::INFINITY);
        // The blocks' bits for g, and a loss within rounding of theirs, so finite.
        check_sigmoid_rows(level, &x, &y, &w, &[zero; 65], None);

        x[9 * d + 3] = T::from(f32::NAN);
        let mut g = vec![zero; d];
        let loss = T::sigmoid_rows(level, &x, &y, (&w, None), (&mut g, None));
        assert!(loss.is_some_and(|(hi, _)| hi.is_nan()), "{loss:?}");
        assert!(g.iter().all(|&v| v.into().is_nan()), "{g:?}");
    }
    let level = *levels().last().expect("a level");
    check::<f32>(level);
    check::<f64>(level);
}

/// The documented order of `dot`, written out: accumulator i ← fma(aⱼ, bⱼ, accᵢ) for each
/// j ≡ i (mod `lanes`) in order, then the accumulators summed pairwise (i + lanes/2 into i, and
/// so on).
fn dot_by_definition<T: Copy + Default + core::ops::Add<Output = T>>(
    a: &[T],
    b: &[T],
    lanes: usize,
    fma: impl Fn(T, T, T) -> T,
) -> T {
    let mut acc = vec![T::default(); lanes];
    for (j, (&x, &y)) in a.iter().zip(b).enumerate() {
        acc[j % lanes] = fma(x, y, acc[j % lanes]);
    }
    let mut n = lanes;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            acc[i] = acc[i] + acc[i + n];
        }
    }
    acc[0]
}

/// `dot_f32` through the dispatcher and, on x86-64, at `level` itself, which the dispatcher
/// replaces by AVX2 for short calls on Intel cores (`short_call_level`): all must agree.
fn dot_f32_paths(level: Level, a: &[f32], b: &[f32]) -> Vec<f32> {
    #[cfg(target_arch = "x86_64")]
    return vec![kernels::dot_f32(level, a, b), kernels::dot_f32_at(level, a, b)];
    #[cfg(not(target_arch = "x86_64"))]
    vec![kernels::dot_f32(level, a, b)]
}

/// As [`dot_f32_paths`] for `f64`.
fn dot_f64_paths(level: Level, a: &[f64], b: &[f64]) -> Vec<f64> {
    #[cfg(target_arch = "x86_64")]
    return vec![kernels::dot_f64(level, a, b), kernels::dot_f64_at(level, a, b)];
    #[cfg(not(target_arch = "x86_64"))]
    vec![kernels::dot_f64(level, a, b)]
}

#[test]
fn dot_follows_its_definition_bit_for_bit() {
    // Every level, lengths around the chunks of 64 (f32) and 32 (f64) elements, misaligned
    // starts, and products that underflow to −0 (kept in the accumulators they reach).
    let x = uniform(31, 300);
    let y = uniform(32, 301);
    let f = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
    let (x32, y32) = (f(&x), f(&y));
    let tiny = (vec![-1e-30_f32; 200], vec![1e-30_f32; 200]);
    let tiny64 = (vec![-1e-200_f64; 200], vec![1e-200_f64; 200]);
    for level in levels() {
        for n in (0..=70).chain([95, 96, 97, 127, 128, 129, 191, 200, 255]) {
            for offset in [0, 1] {
                let (a, b) = (&x[offset..offset + n], &y[..n]);
                let expect = dot_by_definition(a, b, 32, f64::mul_add);
                for got in dot_f64_paths(level, a, b) {
                    assert_eq!(got.to_bits(), expect.to_bits(), "{level:?} f64 n {n} {offset}");
                }
                let (a, b) = (&x32[offset..offset + n], &y32[1..=n]);
                let expect = dot_by_definition(a, b, 64, f32::mul_add);
                for got in dot_f32_paths(level, a, b) {
                    assert_eq!(got.to_bits(), expect.to_bits(), "{level:?} f32 n {n} {offset}");
                }
            }
            if n <= 200 {
                let (a, b) = (&tiny.0[..n], &tiny.1[..n]);
                let expect = dot_by_definition(a, b, 64, f32::mul_add);
                for got in dot_f32_paths(level, a, b) {
                    assert_eq!(got.to_bits(), expect.to_bits(), "{level:?} {n}");
                }
                let (a, b) = (&tiny64.0[..n], &tiny64.1[..n]);
                let expect = dot_by_definition(a, b, 32, f64::mul_add);
                for got in dot_f64_paths(level, a, b) {
                    assert_eq!(got.to_bits(), expect.to_bits(), "{level:?} {n}");
                }
            }
        }
        // Every accumulator −0: so is the sum.
        for got in dot_f32_paths(level, &tiny.0[..128], &tiny.1[..128]) {
            assert_eq!(got.to_bits(), (-0.0_f32).to_bits(), "{level:?}");
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "130 lengths of each type at each level: too slow interpreted")]
fn net_inputs_follow_their_definition_at_every_row_length() {
    // Every length up to past the longest span of registers that w is prepared in (64 `f64`,
    // 128 `f32`), so that each span and each boundary between spans runs, stored and listed,
    // from a misaligned start: 19 rows leave 3 after whole groups (of 16 `f32`, 8 `f64`), which
    // are summed one at a time, and 21 rows leave 5, summed as a partial group.
    let x = uniform(37, 21 * 130 + 1);
    let w = uniform(38, 130);
    let f = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
    let (x32, w32) = (f(&x), f(&w));
    for (level, rows) in levels().into_iter().flat_map(|l| [(l, 19), (l, 21)]) {
        let listed: Vec<usize> = (0..rows).rev().collect();
        for d in 1..=130 {
            let (xs, ws) = (&x[1..=rows * d], &w[..d]);
            let expect: Vec<f64> =
                xs.chunks_exact(d).map(|r| dot_by_definition(r, ws, 32, f64::mul_add)).collect();
            let mut h = vec![f64::NAN; rows];
            kernels::net_inputs_f64(level, xs, ws, &mut h);
            assert_eq!(bits64(&h), bits64(&expect), "{level:?} f64 d {d}");
            kernels::net_inputs_listed_f64(level, xs, &listed, &[], ws, &mut h);
            let expect: Vec<f64> = listed.iter().map(|&r| expect[r]).collect();
            assert_eq!(bits64(&h), bits64(&expect), "{level:?} listed f64 d {d}");

            let (xs, ws) = (&x32[1..=rows * d], &w32[..d]);
            let expect: Vec<f32> =
                xs.chunks_exact(d).map(|r| dot_by_definition(r, ws, 64, f32::mul_add)).collect();
            let mut h = vec![f32::NAN; rows];
            kernels::net_inputs_f32(level, xs, ws, &mut h);
            assert_eq!(bits32(&h), bits32(&expect), "{level:?} f32 d {d}");
            kernels::net_inputs_listed_f32(level, xs, &listed, &[], ws, &mut h);
            let expect: Vec<f32> = listed.iter().map(|&r| expect[r]).collect();
            assert_eq!(bits32(&h), bits32(&expect), "{level:?} listed f32 d {d}");
        }
    }
}

/// From `LONG_DOT_BYTES` of each input on, the dispatcher may run another level's loop (AVX2 on
/// AMD Zen 5): still the definition's bits, at every level, from two starts one element apart.
#[cfg(target_arch = "x86_64")]
#[test]
#[cfg_attr(miri, ignore)]
fn long_dot_products_follow_their_definition_bit_for_bit() {
    use crate::simd::detect::LONG_DOT_BYTES;
    let n = LONG_DOT_BYTES / 4 + 37;
    let x: Vec<f32> = uniform(33, n + 1).iter().map(|&v| v as f32).collect();
    let y: Vec<f32> = uniform(34, n).iter().map(|&v| v as f32).collect();
    let (x64, y64): (Vec<f64>, Vec<f64>) = (uniform(35, n / 2 + 1), uniform(36, n / 2));
    for offset in [0, 1] {
        let (a, b) = (&x[offset..offset + n], &y[..]);
        let expect = dot_by_definition(a, b, 64, f32::mul_add);
        let (a64, b64) = (&x64[offset..offset + n / 2], &y64[..]);
        let expect64 = dot_by_definition(a64, b64, 32, f64::mul_add);
        for level in levels() {
            let got = kernels::dot_f32(level, a, b);
            assert_eq!(got.to_bits(), expect.to_bits(), "{level:?} f32 {offset}");
            let got = kernels::dot_f64(level, a64, b64);
            assert_eq!(got.to_bits(), expect64.to_bits(), "{level:?} f64 {offset}");
        }
    }
}

#[test]
fn dot_is_exact_in_f64_and_within_its_bound_in_f32_on_integers() {
    for level in levels() {
        for n in (0..=67).chain([1000, 4097]) {
            let a = int_data(5, n, 1000.0);
            let b = int_data(6, n, 1000.0);
            let truth: i128 = a.iter().zip(&b).map(|(&x, &y)| i128::from(x * y)).sum();
            let (a64, b64): (Vec<f64>, Vec<f64>) =
                (a.iter().map(|&v| v as f64).collect(), b.iter().map(|&v| v as f64).collect());
            assert_eq!(kernels::dot_f64(level, &a64, &b64), truth as f64, "{level:?} n {n}");
            // Partial sums pass 2²⁴, so f32 rounds: within γ_m·Σ|ab| for the documented
            // m = ⌈n/64⌉ + 6 roundings per product, γ_m = m·u/(1 − m·u), u = 2⁻²⁴.
            let (a32, b32): (Vec<f32>, Vec<f32>) =
                (a.iter().map(|&v| v as f32).collect(), b.iter().map(|&v| v as f32).collect());
            let got = f64::from(kernels::dot_f32(level, &a32, &b32));
            let abs: i128 = a.iter().zip(&b).map(|(&x, &y)| i128::from((x * y).abs())).sum();
            let mu = (n.div_ceil(64) + 6) as f64 * f64::from(f32::EPSILON) / 2.0;
            let bound = mu / (1.0 - mu) * abs as f64;
            assert!((got - truth as f64).abs() <= bound, "{level:?} n {n}: {got} vs {truth}");
        }
    }
}

#[test]
fn net_inputs_keep_the_sign_of_products_that_underflow() {
    // Products that underflow to −0 leave −0 in the accumulators they reach and +0 in the
    // others, so a lane beyond the end of a row let into a sum (+0 on −0) changes the sign of
    // the result. Lengths in every span of registers that the kernels treat apart, whole groups
    // of rows and rests, stored and listed rows; the expected values from the definition.
    let lengths = [1, 5, 8, 9, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, 127, 128, 129, 200];
    for level in levels() {
        for d in lengths {
            let expect64 = dot_by_definition(&vec![-1e-200; d], &vec![1e-200; d], 32, f64::mul_add);
            let expect32 = dot_by_definition(&vec![-1e-30; d], &vec![1e-30; d], 64, f32::mul_add);
            // −0 once every accumulator is reached, +0 before.
            assert_eq!(expect64.is_sign_negative(), d >= 32, "f64 d {d}");
            assert_eq!(expect32.is_sign_negative(), d >= 64, "f32 d {d}");
            for rows in [1, 3, 4, 5, 8, 16, 17, 35] {
                let listed: Vec<usize> = (0..rows).rev().collect();
                let (x, w) = (vec![-1e-200_f64; rows * d], vec![1e-200_f64; d]);
                let mut h = vec![f64::NAN; rows];
                kernels::net_inputs_f64(level, &x, &w, &mut h);
                let expect = bits64(&vec![expect64; rows]);
                assert_eq!(bits64(&h), expect, "{level:?} f64 d {d} rows {rows}");
                h.fill(f64::NAN);
                kernels::net_inputs_listed_f64(level, &x, &listed, &[], &w, &mut h);
                assert_eq!(bits64(&h), expect, "{level:?} listed f64 d {d} rows {rows}");

                let (x, w) = (vec![-1e-30_f32; rows * d], vec![1e-30_f32; d]);
                let mut h = vec![f32::NAN; rows];
                kernels::net_inputs_f32(level, &x, &w, &mut h);
                let expect = bits32(&vec![expect32; rows]);
                assert_eq!(bits32(&h), expect, "{level:?} f32 d {d} rows {rows}");
                h.fill(f32::NAN);
                kernels::net_inputs_listed_f32(level, &x, &listed, &[], &w, &mut h);
                assert_eq!(bits32(&h), expect, "{level:?} listed f32 d {d} rows {rows}");
            }
        }
    }
}

#[test]
fn listed_row_kernels_match_dot_and_axpy_per_row_exactly() {
    // The gathering kernels must equal one `dot` per listed row, and one `axpy` per listed row
    // in list order, bit for bit, on every level, for row lengths around the register
    // blocking, lists in any order (with repeats) and prefetch lists running past the data.
    let x: Vec<f64> = uniform(21, 40 * 140);
    let w: Vec<f64> = uniform(22, 141);
    let a: Vec<f64> = uniform(23, 40);
    let listed: Vec<usize> = (0..40).map(|i| (i * 17 + 5) % 40).chain([3, 3, 39, 0]).collect();
    let ahead = [1, 38, 7, 1000];
    for level in levels() {
        for d in [1, 7, 8, 21, 26, 31, 32, 33, 45, 48, 63, 64, 67, 128, 130] {
            let xs = &x[..40 * d];
            for n in [0, 1, 3, 17, 19, listed.len()] {
                let rows = &listed[..n];
                let (ws, g0, as_) = (&w[..d], &w[1..=d], &a[..n.min(a.len())]);
                let row = |i: usize| &xs[i * d..(i + 1) * d];
                let mut h = vec![0.0; n];
                kernels::net_inputs_listed_f64(level, xs, rows, &ahead, ws, &mut h);
                let expect: Vec<f64> =
                    rows.iter().map(|&i| kernels::dot_f64(level, row(i), ws)).collect();
                assert_eq!(
                    bits64(&h),
                    bits64(&expect),
                    "{level:?} listed net inputs f64 d {d} n {n}"
                );
                let mut expect = g0.to_vec();
                for (&i, &ai) in rows.iter().zip(as_) {
                    kernels::axpy_f64(level, &mut expect, ai, row(i));
                }
                let g = guarded(g0, |g| kernels::add_listed_rows_f64(level, g, as_, xs, rows));
                assert_eq!(bits64(&g), bits64(&expect), "{level:?} listed rows f64 d {d} n {n}");

                let f = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
                let (xs, ws, g0, as_) = (f(xs), f(ws), f(g0), f(as_));
                let row = |i: usize| &xs[i * d..(i + 1) * d];
                let mut h = vec![0.0; n];
                kernels::net_inputs_listed_f32(level, &xs, rows, &ahead, &ws, &mut h);
                let expect: Vec<f32> =
                    rows.iter().map(|&i| kernels::dot_f32(level, row(i), &ws)).collect();
                assert_eq!(
                    bits32(&h),
                    bits32(&expect),
                    "{level:?} listed net inputs f32 d {d} n {n}"
                );
                let mut expect = g0.clone();
                for (&i, &ai) in rows.iter().zip(&as_) {
                    kernels::axpy_f32(level, &mut expect, ai, row(i));
                }
                let g = guarded(&g0, |g| kernels::add_listed_rows_f32(level, g, &as_, &xs, rows));
                assert_eq!(bits32(&g), bits32(&expect), "{level:?} listed rows f32 d {d} n {n}");
            }
            // An index out of range gives +0, in a whole group and among the rows after it.
            let xs = &x[..40 * d];
            let (ws, f) = (&w[..d], |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<_>>());
            for (n, far, bad) in [(2, 1, 40), (19, 17, usize::MAX), (19, 3, 40), (19, 3, 1 << 60)] {
                let mut rows: Vec<usize> = (0..n).collect();
                rows[far] = bad;
                let mut h = vec![f64::NAN; n];
                kernels::net_inputs_listed_f64(level, xs, &rows, &[], ws, &mut h);
                assert_eq!(h[far].to_bits(), 0, "{level:?} f64 d {d} n {n} far {far}");
                let expect = kernels::dot_f64(level, &xs[..d], ws);
                assert_eq!(h[0].to_bits(), expect.to_bits(), "{level:?} f64 d {d} n {n}");
                // The gradient kernels skip it (and the last rows of x stay in range).
                let (g0, as_) = (&w[1..=d], &a[..n]);
                let mut expect = g0.to_vec();
                for (&i, &ai) in rows.iter().zip(as_).filter(|(&i, _)| i < 40) {
                    kernels::axpy_f64(level, &mut expect, ai, &xs[i * d..(i + 1) * d]);
                }
                let g = guarded(g0, |g| kernels::add_listed_rows_f64(level, g, as_, xs, &rows));
                assert_eq!(bits64(&g), bits64(&expect), "{level:?} f64 rows d {d} n {n} far {far}");

                let (xs, ws, g0, as_) = (f(xs), f(ws), f(g0), f(as_));
                let mut h = vec![f32::NAN; n];
                kernels::net_inputs_listed_f32(level, &xs, &rows, &[], &ws, &mut h);
                assert_eq!(h[far].to_bits(), 0, "{level:?} f32 d {d} n {n} far {far}");
                let mut expect = g0.clone();
                for (&i, &ai) in rows.iter().zip(&as_).filter(|(&i, _)| i < 40) {
                    kernels::axpy_f32(level, &mut expect, ai, &xs[i * d..(i + 1) * d]);
                }
                let g = guarded(&g0, |g| kernels::add_listed_rows_f32(level, g, &as_, &xs, &rows));
                assert_eq!(bits32(&g), bits32(&expect), "{level:?} f32 rows d {d} n {n} far {far}");
            }
        }
    }
}
