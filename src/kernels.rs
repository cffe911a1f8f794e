//! The scalar slice kernels behind the public functions: allocation-free, branch-free loops
//! that the compiler vectorises.
//!
//! Callers check lengths; here the slices are zipped and a shorter one ends the loop.
//! Reductions keep [`LANES`] independent accumulators, because a single running sum is bound by
//! the latency of one add per element and cannot be vectorised without reassociation.

use num_traits::Float;

use crate::accurate;

/// Independent accumulators per reduction: enough to fill two 256-bit registers of f32.
const LANES: usize = 8;

/// Sums `LANES` partial sums pairwise.
#[inline]
fn reduce<T: Float>(acc: [T; LANES]) -> T {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// Σ aᵢbᵢ.
pub(crate) fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    if let Some(sum) = crate::simd::dot(a, b) {
        return sum;
    }
    let mut acc = [T::zero(); LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_tail, b_tail) = (a_chunks.remainder(), b_chunks.remainder());
    for (ca, cb) in a_chunks.zip(b_chunks) {
        for i in 0..LANES {
            acc[i] = acc[i] + ca[i] * cb[i];
        }
    }
    let mut tail = T::zero();
    for (&x, &y) in a_tail.iter().zip(b_tail) {
        tail = tail + x * y;
    }
    reduce(acc) + tail
}

/// Σ (aᵢ − bᵢ)², faithfully rounded (see [`sse`](crate::sse) for the bound).
///
/// Types narrower than f64 (f32, f16, bf16) are summed in f64, whose rounding errors stay far
/// below one ulp of the narrow type for any n up to 10⁸ (about (n/8)·2^-53 relative); f64 (and
/// wider types) get a compensated sum.
pub(crate) fn sum_squared_diff<T: Float>(a: &[T], b: &[T]) -> T {
    if let Some(sum) = crate::simd::sum_squared_diff(a, b) {
        return sum;
    }
    scaled_sum_squared_diff(a, b, false)
}

/// ½ Σ (aᵢ − bᵢ)², halved before the final rounding, so that it stays finite where only the
/// full sum overflows. Slower than [`sum_squared_diff`] for f64 (two more products per term).
pub(crate) fn half_sum_squared_diff<T: Float>(a: &[T], b: &[T]) -> T {
    scaled_sum_squared_diff(a, b, true)
}

/// ½ Σ (aᵢ − bᵢ)² computed on the differences scaled by 1/ε after their exact split, and scaled
/// back by ε² at the end, for a sum below [`underflow_threshold`]: there squares below the smallest
/// subnormal have lost their low parts, up to n·2⁻¹⁰⁷⁴ in all for f64, which is more than an ulp of
/// a small normal result. Scaled, the squares of the differences above about 2⁻⁵³⁶ (f64) and their
/// error terms are normal (the scale cannot overflow, as every difference is below the square root
/// of the threshold), and what the smaller ones lose is below n·2⁻¹⁰⁷⁴·ε², far below an ulp of any
/// normal result. Halved before it is scaled back, so that it rounds once where it is normal.
pub(crate) fn upscaled_half_sum_squared_diff<T: Float>(a: &[T], b: &[T]) -> T {
    let eps = T::epsilon();
    let half = (T::one() + T::one()).recip();
    half * compensated_sum_squared_diff::<T, true>(a, b, eps.recip()) * (eps * eps)
}

/// The sum of squares below which [`upscaled_half_sum_squared_diff`] sums again, for types not
/// summed in f64: 2¹⁰ times the smallest normal number over ε (2⁻⁹⁶⁰ for f64). Above it, the
/// low parts lost to underflow, at most n·2⁻¹⁰⁷⁴ for f64, are below n·2⁻¹¹⁴ of the sum.
pub(crate) fn underflow_threshold<T: Float>() -> T {
    let two = T::one() + T::one();
    T::min_positive_value() / T::epsilon() * two.powi(10)
}

/// Whether `T` is narrower than f64 in precision and range (f32, f16, bf16): its squared errors
/// are then summed in f64. A constant for a concrete `T`.
#[inline(always)]
pub(crate) fn sums_in_f64<T: Float>() -> bool {
    accurate::fits_in_f64::<T>() && T::epsilon().to_f64().is_some_and(|eps| eps > f64::EPSILON)
}

#[inline(always)]
fn scaled_sum_squared_diff<T: Float>(a: &[T], b: &[T], halve: bool) -> T {
    if sums_in_f64::<T>() {
        let sum = sum_squared_diff_in_f64(a, b);
        if let Some(sum) = accurate::from_f64(if halve { 0.5 * sum } else { sum }) {
            return sum;
        }
    }
    if halve {
        // Scaled down by ε (a power of two) the squares cannot overflow; scaling the result back
        // by ½/ε² is exact.
        let eps = T::epsilon();
        let half = (T::one() + T::one()).recip();
        compensated_sum_squared_diff::<T, false>(a, b, eps) * (half / (eps * eps))
    } else {
        compensated_sum_squared_diff::<T, false>(a, b, T::one())
    }
}

/// Σ (aᵢ − bᵢ)² of a narrow type, evaluated in f64 with [`LANES`] partial sums.
fn sum_squared_diff_in_f64<T: Float>(a: &[T], b: &[T]) -> f64 {
    // `to_f64` is `Some` for every type that reaches here; the fallback keeps it total.
    let wide = |x: T| x.to_f64().unwrap_or(f64::NAN);
    let mut acc = [0.0_f64; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_tail, b_tail) = (a_chunks.remainder(), b_chunks.remainder());
    for (ca, cb) in a_chunks.zip(b_chunks) {
        for i in 0..LANES {
            let r = wide(ca[i]) - wide(cb[i]);
            acc[i] += r * r;
        }
    }
    for (i, (&x, &y)) in a_tail.iter().zip(b_tail).enumerate() {
        let r = wide(x) - wide(y);
        acc[i] += r * r;
    }
    reduce(acc)
}

/// Σ (aᵢ − bᵢ)² with error-free transformations (Ogita, Rump and Oishi's Sum2 with an exact
/// square, per lane): each difference is split exactly as r + r_err (TwoSum), r² exactly as
/// p + p_err (Dekker's product, no FMA), each lane sum carries the rounding errors of its
/// additions, and all of them are added in at the end. The result is as if computed with twice
/// the working precision and rounded once.
///
/// `scale` (a power of two) multiplies every input, exactly unless it underflows, or, if
/// `AFTER_SPLIT`, both parts of every difference, exactly unless they overflow.
#[inline(always)]
fn compensated_sum_squared_diff<T: Float, const AFTER_SPLIT: bool>(
    a: &[T],
    b: &[T],
    scale: T,
) -> T {
    let split = split_constant::<T>();
    let add = |sum: T, x: T, y: T| {
        if AFTER_SPLIT {
            add_square_of_split_difference(sum, two_sum(x, -y), scale, split)
        } else {
            add_square_of_difference(sum, scale * x, scale * y, split)
        }
    };
    let mut sum = [T::zero(); COMPENSATED_LANES];
    let mut err = [T::zero(); COMPENSATED_LANES];
    let (a_chunks, b_chunks) =
        (a.chunks_exact(COMPENSATED_LANES), b.chunks_exact(COMPENSATED_LANES));
    let (a_tail, b_tail) = (a_chunks.remainder(), b_chunks.remainder());
    for (ca, cb) in a_chunks.zip(b_chunks) {
        for i in 0..COMPENSATED_LANES {
            let (s, e) = add(sum[i], ca[i], cb[i]);
            sum[i] = s;
            err[i] = err[i] + e;
        }
    }
    for (i, (&x, &y)) in a_tail.iter().zip(b_tail).enumerate() {
        let (s, e) = add(sum[i], x, y);
        sum[i] = s;
        err[i] = err[i] + e;
    }
    let mut total = T::zero();
    let mut total_err = T::zero();
    for (&s, &e) in sum.iter().zip(&err) {
        let (t, t_err) = two_sum(total, s);
        total = t;
        total_err = total_err + (t_err + e);
    }
    // An infinite or NaN sum makes the error terms NaN; the sum itself is the answer then. The
    // error terms alone overflow when a split of a square within an ulp of overflow does.
    if total.is_finite() && total_err.is_finite() {
        total + total_err
    } else {
        total
    }
}

/// A running Σ (yᵢ − ŷᵢ)², one pair at a time, with the accuracy of [`sum_squared_diff`]: types
/// narrower than f64 square and add their differences in f64; f64 adds exact squares with
/// compensation (one lane of the compensated reduction). The training loops use it for the
/// loss of an epoch, so that the loss they report is as accurate as [`sse`](crate::sse).
#[derive(Clone, Copy)]
pub(crate) struct SquaredErrorSum<T> {
    wide: f64,
    sum: T,
    err: T,
    split: T,
}

impl<T: Float> SquaredErrorSum<T> {
    pub(crate) fn new() -> Self {
        Self { wide: 0.0, sum: T::zero(), err: T::zero(), split: split_constant::<T>() }
    }

    /// Adds (y − ŷ)².
    #[inline]
    pub(crate) fn add(&mut self, y: T, y_hat: T) {
        if sums_in_f64::<T>() {
            // `to_f64` is `Some` for every type that reaches here; the fallback keeps it total.
            let r = y.to_f64().unwrap_or(f64::NAN) - y_hat.to_f64().unwrap_or(f64::NAN);
            self.wide += r * r;
        } else {
            let (s, e) = add_square_of_difference(self.sum, y, y_hat, self.split);
            self.sum = s;
            self.err = self.err + e;
        }
    }

    /// Adds (yᵢ − ŷᵢ)² for the pairs of `y` and `y_hat` (common length): with a SIMD kernel
    /// for `f32` and `f64`, whose block sum, unrounded, joins the running sum, otherwise one
    /// pair at a time.
    pub(crate) fn add_slices(&mut self, y: &[T], y_hat: &[T]) {
        match crate::simd::sum_squared_diff_parts(y, y_hat) {
            Some((hi, lo)) => self.add_parts(hi, lo),
            None => y.iter().zip(y_hat).for_each(|(&y, &y_hat)| self.add(y, y_hat)),
        }
    }

    /// Adds a sum of squares given as the unevaluated `f64` sum hi + lo, from a SIMD kernel for
    /// `f32` (in `f64`) or `f64` (compensated).
    pub(crate) fn add_parts(&mut self, hi: f64, lo: f64) {
        if sums_in_f64::<T>() {
            self.wide += hi + lo;
        } else {
            // `T` is f64 here, so both conversions are exact.
            let (s, e) = two_sum(self.sum, T::from(hi).unwrap_or_else(T::nan));
            self.sum = s;
            self.err = self.err + (e + T::from(lo).unwrap_or_else(T::nan));
        }
    }

    /// The sum so far, rounded once.
    pub(crate) fn sum(&self) -> T {
        if sums_in_f64::<T>() {
            accurate::from_f64(self.wide).unwrap_or_else(T::nan)
        } else {
            self.sum + self.finite_err()
        }
    }

    /// The error term of a compensated sum, or 0 where it is not finite: an infinite or NaN
    /// sum makes it NaN, and it overflows alone where the split of a square within an ulp of
    /// overflow does; the sum itself is the answer then.
    fn finite_err(&self) -> T {
        if self.err.is_finite() {
            self.err
        } else {
            T::zero()
        }
    }

    /// Adds the sum of `other`, as if its pairs had been added to this one.
    #[cfg(feature = "rayon")]
    pub(crate) fn merge(&mut self, other: &Self) {
        if sums_in_f64::<T>() {
            self.wide += other.wide;
        } else {
            let (s, e) = two_sum(self.sum, other.sum);
            self.sum = s;
            self.err = self.err + (e + other.err);
        }
    }

    /// ½ · the sum, the sum of squared errors E, as [`sse`](crate::sse) rounds it: ½ times
    /// [`Self::sum`] where that is below half the largest `T`, otherwise halved before its last
    /// rounding, so that E is finite wherever ½Σ is (but for a compensated sum that overflowed on
    /// its way, which `sse` would sum again scaled down).
    pub(crate) fn half_sum(&self) -> T {
        let half = (T::one() + T::one()).recip();
        let sum = self.sum();
        if sum.is_nan() || sum < half * T::max_value() {
            half * sum
        } else if sums_in_f64::<T>() {
            accurate::from_f64(0.5 * self.wide).unwrap_or_else(T::nan)
        } else {
            half * self.sum + half * self.finite_err()
        }
    }
}

/// Independent (sum, error) pairs of the compensated reduction: fewer than [`LANES`], because
/// each lane needs two registers plus the temporaries of three error-free transformations.
const COMPENSATED_LANES: usize = 8;

/// `(s, e)` with s = fl(sum + (x − y)²) and s + e = sum + (x − y)² up to a relative
/// 2^-2p of (x − y)²: the difference is split exactly as r + r_err (TwoSum), r² as p + p_err
/// (Dekker's product), and (r + r_err)² = p + p_err + 2r·r_err + r_err², the last term below
/// the working precision.
#[inline(always)]
fn add_square_of_difference<T: Float>(sum: T, x: T, y: T, split: T) -> (T, T) {
    add_square_of_split_difference(sum, two_sum(x, -y), T::one(), split)
}

/// [`add_square_of_difference`] for a difference already split as r + r_err, both parts
/// multiplied by `scale` first (a power of two; 1 compiles away).
#[inline(always)]
fn add_square_of_split_difference<T: Float>(
    sum: T,
    (r, r_err): (T, T),
    scale: T,
    split: T,
) -> (T, T) {
    let (r, r_err) = (scale * r, scale * r_err);
    let (p, p_err) = two_square(r, split);
    let (s, s_err) = two_sum(sum, p);
    (s, s_err + (p_err + (r + r) * r_err))
}

/// `(s, e)` with s = fl(a + b) and s + e = a + b exactly (Knuth's TwoSum).
#[inline(always)]
fn two_sum<T: Float>(a: T, b: T) -> (T, T) {
    let s = a + b;
    let b_virtual = s - a;
    (s, (a - (s - b_virtual)) + (b - b_virtual))
}

/// `(p, e)` with p = fl(r²) and p + e = r² exactly, unless r² overflows or underflows
/// (Dekker's product with Veltkamp's split by `split` = 2^⌈p/2⌉ + 1).
#[inline(always)]
fn two_square<T: Float>(r: T, split: T) -> (T, T) {
    let p = r * r;
    let t = split * r;
    let hi = t - (t - r);
    let lo = r - hi;
    (p, ((hi * hi - p) + (hi + hi) * lo) + lo * lo)
}

/// Veltkamp's splitting constant 2^⌈p/2⌉ + 1 for a p-bit significand: the smallest power of
/// two c with c² ≥ 2^p = 2/ε, plus one.
fn split_constant<T: Float>() -> T {
    let two = T::one() + T::one();
    let target = two / T::epsilon();
    let mut c = T::one();
    // At most p/2 + 1 doublings; the bound keeps a pathological type from looping forever.
    for _ in 0..4096 {
        if c * c >= target {
            break;
        }
        c = c * two;
    }
    c + T::one()
}

/// yᵢ ← yᵢ + a·xᵢ.
pub(crate) fn axpy<T: Float>(y: &mut [T], a: T, x: &[T]) {
    if crate::simd::axpy(y, a, x) {
        return;
    }
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = *yi + a * xi;
    }
}

/// `out[r]` = Σᵢ x[r·d + i]·wᵢ for the rows of `x` with d = `w.len()` ≥ 1: [`dot`] per row.
pub(crate) fn net_inputs<T: Float>(x: &[T], w: &[T], out: &mut [T]) {
    if w.is_empty() || crate::simd::net_inputs(x, w, out) {
        return;
    }
    for (o, row) in out.iter_mut().zip(x.chunks_exact(w.len())) {
        *o = dot(row, w);
    }
}

/// g ← g + Σ_r a_r·(row r of x) for rows of `g.len()` ≥ 1 elements: [`axpy`] per row, in row
/// order ([`add_rows_in_f32`] for types narrower than `f32`).
pub(crate) fn add_weighted_rows<T: Float>(g: &mut [T], a: &[T], x: &[T]) {
    if g.is_empty() || crate::simd::add_weighted_rows(g, a, x) {
        return;
    }
    if accurate::narrower_than_f32::<T>() {
        add_rows_in_f32(g, x.chunks_exact(g.len()).zip(a.iter().copied()));
        return;
    }
    for (row, &ai) in x.chunks_exact(g.len()).zip(a) {
        axpy(g, ai, row);
    }
}

/// `v` in `f32` (NaN for a type without the conversion).
fn wide<T: Float>(v: T) -> f32 {
    v.to_f32().unwrap_or(f32::NAN)
}

/// g ← g + Σ_r a_r·row_r for a type narrower than `f32`: each entry's sum over the rows in
/// `f32`, where the product of two such numbers is exact (bar underflow), then added to g and
/// rounded to `T` once. Summed in `T` one row at a time, an entry stops growing once a term
/// falls below half an ulp of it: with `f16` (ε = 2⁻¹⁰) a sum of 0.025s stalls at 64.
fn add_rows_in_f32<'a, T: Float + 'a>(
    g: &mut [T],
    rows: impl Iterator<Item = (&'a [T], T)> + Clone,
) {
    const CHUNK: usize = 64;
    for (c, g) in g.chunks_mut(CHUNK).enumerate() {
        let mut sums = [0.0_f32; CHUNK];
        for (row, a) in rows.clone() {
            let a = wide(a);
            let row = row.get(c * CHUNK..).unwrap_or_default();
            for (s, &v) in sums.iter_mut().zip(row).take(g.len()) {
                *s += a * wide(v);
            }
        }
        for (gi, s) in g.iter_mut().zip(sums) {
            *gi = T::from(wide(*gi) + s).unwrap_or_else(T::nan);
        }
    }
}

/// b + Σ aᵢ, in order ([`add_rows_in_f32`]'s sum in `f32` for types narrower than `f32`).
pub(crate) fn add_sum<T: Float>(b: T, a: &[T]) -> T {
    if accurate::narrower_than_f32::<T>() {
        let sum = a.iter().fold(0.0_f32, |acc, &v| acc + wide(v));
        return T::from(wide(b) + sum).unwrap_or_else(T::nan);
    }
    a.iter().fold(b, |acc, &v| acc + v)
}

/// dᵢ ← (yᵢ − ŷᵢ)·dᵢ over the common length: the error terms from the slopes in `d`. Two
/// roundings per element, no reduction, so the compiler vectorises the loop as it is.
#[inline]
pub(crate) fn residual_times<T: Float>(d: &mut [T], y: &[T], y_hat: &[T]) {
    for ((di, &yi), &oi) in d.iter_mut().zip(y).zip(y_hat) {
        *di = (yi - oi) * *di;
    }
}

/// dᵢ ← yᵢ − hᵢ over the common length.
#[inline]
pub(crate) fn difference<T: Float>(d: &mut [T], y: &[T], h: &[T]) {
    for ((di, &yi), &hi) in d.iter_mut().zip(y).zip(h) {
        *di = yi - hi;
    }
}

/// `out[r]` = Σᵢ x\[rows\[r\]·d + i\]·wᵢ with d = `w.len()` ≥ 1 ([`dot`] per row) for rows in
/// range, prefetching the rows listed a few positions later (in `rows`, then `ahead`).
pub(crate) fn net_inputs_listed<T: Float>(
    x: &[T],
    rows: &[usize],
    ahead: &[usize],
    w: &[T],
    out: &mut [T],
) {
    let d = w.len();
    if d == 0 || crate::simd::net_inputs_listed(x, rows, ahead, w, out) {
        return;
    }
    let row = |i: usize| x.get(i * d..(i + 1) * d).unwrap_or_default();
    let mut upcoming = rows.iter().chain(ahead).skip(crate::simd::PREFETCH_RECORDS);
    for (o, &i) in out.iter_mut().zip(rows) {
        if let Some(&next) = upcoming.next() {
            crate::simd::prefetch(row(next));
        }
        *o = dot(row(i), w);
    }
}

/// g ← g + Σ_r a_r·(row rows\[r\] of x) for rows of `g.len()` ≥ 1 elements in range: [`axpy`] per
/// row, in the order of `rows` ([`add_rows_in_f32`] for types narrower than `f32`).
pub(crate) fn add_listed_rows<T: Float>(g: &mut [T], a: &[T], x: &[T], rows: &[usize]) {
    let d = g.len();
    if d == 0 || crate::simd::add_listed_rows(g, a, x, rows) {
        return;
    }
    if accurate::narrower_than_f32::<T>() {
        let listed = rows.iter().map(|&i| x.get(i * d..(i + 1) * d).unwrap_or_default());
        add_rows_in_f32(g, listed.zip(a.iter().copied()));
        return;
    }
    for (&i, &ai) in rows.iter().zip(a) {
        axpy(g, ai, x.get(i * d..(i + 1) * d).unwrap_or_default());
    }
}

/// yᵢ ← a·xᵢ.
pub(crate) fn scale_into<T: Float>(y: &mut [T], a: T, x: &[T]) {
    if crate::simd::scale_into(y, a, x) {
        return;
    }
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = a * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain sequential loops: the reference for the multi-accumulator kernels.
    fn naive_dot(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn reductions_match_sequential_sums_on_exact_data() {
        // Small integers: every partial sum is exact, so any summation order gives the same value.
        for n in [0, 1, 7, 8, 9, 16, 17, 100] {
            let a: Vec<f64> = (0..n).map(|i| (i % 7) as f64 - 3.0).collect();
            let b: Vec<f64> = (0..n).map(|i| (i % 5) as f64).collect();
            assert_eq!(dot(&a, &b), naive_dot(&a, &b), "n = {n}");
            let d: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
            assert_eq!(sum_squared_diff(&a, &b), d, "n = {n}");
        }
    }

    /// Σ (aᵢ − bᵢ)² as an unevaluated double-double (hi, lo), within about 2⁻¹⁰⁰ relative: each
    /// difference split by TwoSum, its square by FMA, every sum by TwoSum. Independent of the
    /// kernels (one sequential lane, `mul_add` for the exact products).
    fn double_double_sum_squared_diff(a: &[f64], b: &[f64]) -> (f64, f64) {
        let two_sum = |x: f64, y: f64| {
            let s = x + y;
            let v = s - x;
            (s, (x - (s - v)) + (y - v))
        };
        let (mut hi, mut lo) = (0.0, 0.0);
        for (&x, &y) in a.iter().zip(b) {
            let (d, d_lo) = two_sum(x, -y);
            let p = d * d;
            let p_lo = d.mul_add(d, -p) + 2.0 * d * d_lo;
            let (s, e) = two_sum(hi, p);
            hi = s;
            lo += e + p_lo;
        }
        two_sum(hi, lo)
    }

    /// Whether `got` is one of the two floats next to `hi + lo` (|lo| ≤ ½ ulp of `hi`).
    fn is_faithful(got: f64, (hi, lo): (f64, f64)) -> bool {
        let (below, above) = (f64::from_bits(got.to_bits() - 1), f64::from_bits(got.to_bits() + 1));
        // hi + lo lies strictly between the neighbours of `got`.
        (hi > below || (hi == below && lo > 0.0)) && (hi < above || (hi == above && lo < 0.0))
    }

    #[test]
    fn running_squared_error_sum_is_as_accurate_as_the_slice_sum() {
        // Residuals of 0.1-steps: their squares are inexact in f64, so a plain running sum
        // drifts, while both accurate sums are faithful roundings of a double-double reference.
        let y: Vec<f64> = (0..10_000).map(|i| f64::from(i) * 0.1).collect();
        let y_hat: Vec<f64> = (0..10_000).map(|i| f64::from(i % 7) * 0.3).collect();
        let mut running = SquaredErrorSum::new();
        y.iter().zip(&y_hat).for_each(|(&a, &b)| running.add(a, b));
        let reference = double_double_sum_squared_diff(&y, &y_hat);
        for got in [running.sum(), sum_squared_diff(&y, &y_hat)] {
            assert!(is_faithful(got, reference), "{got:e} vs {reference:?}");
        }
        let sequential: f64 = y.iter().zip(&y_hat).map(|(a, b)| (a - b) * (a - b)).sum();
        assert!(!is_faithful(sequential, reference), "the data do not tell the sums apart");

        let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
        let y_hat32: Vec<f32> = y_hat.iter().map(|&v| v as f32).collect();
        let mut running = SquaredErrorSum::new();
        y32.iter().zip(&y_hat32).for_each(|(&a, &b)| running.add(a, b));
        let (wide, wide_hat): (Vec<f64>, Vec<f64>) =
            y32.iter().zip(&y_hat32).map(|(&a, &b)| (f64::from(a), f64::from(b))).unzip();
        let (hi, lo) = double_double_sum_squared_diff(&wide, &wide_hat);
        // Faithful in f32: strictly between the f32 neighbours of the result.
        let got = running.sum();
        let below = f64::from(f32::from_bits(got.to_bits() - 1));
        let above = f64::from(f32::from_bits(got.to_bits() + 1));
        let exact = hi + lo; // within 2⁻¹⁰⁰ relative, far inside an f32 ulp
        assert!(below < exact && exact < above, "{got} vs {exact}");

        let mut special = SquaredErrorSum::new();
        special.add(f64::INFINITY, 0.0);
        assert_eq!(special.sum(), f64::INFINITY);
        special.add(f64::NAN, 0.0);
        assert!(special.sum().is_nan());
    }

    #[test]
    fn running_sum_over_slices_is_faithful() {
        // Integers (scaled by 2⁻²⁰ in f64) with one huge difference: the exact sum needs about
        // 80 bits, and i128 holds it. Blocks of several lengths, with single pairs between.
        let n = 5_000;
        let a: Vec<i64> = (0..n).map(|i| (i * 7_919 % 2_003) as i64 - 1_000).collect();
        let mut b: Vec<i64> = (0..n).map(|i| (i * 104_729 % 1_999) as i64 - 1_000).collect();
        b[n / 3] = 1 << 39;
        let truth: i128 = a.iter().zip(&b).map(|(&x, &y)| i128::from(x - y).pow(2)).sum();
        let scale = crate::accurate::pow2(-20);
        let a64: Vec<f64> = a.iter().map(|&v| v as f64 * scale).collect();
        let b64: Vec<f64> = b.iter().map(|&v| v as f64 * scale).collect();
        let want = truth as f64 * scale * scale;
        let (a32, b32): (Vec<f32>, Vec<f32>) =
            (a.iter().map(|&v| v as f32).collect(), b.iter().map(|&v| (v >> 16) as f32).collect());
        let truth32: i128 = a.iter().zip(&b).map(|(&x, &y)| i128::from(x - (y >> 16)).pow(2)).sum();
        let (mut run64, mut run32) = (SquaredErrorSum::new(), SquaredErrorSum::new());
        let mut start = 0;
        for len in [0, 1, 7, 256, 1_000, 3_000].into_iter().cycle() {
            let end = (start + len).min(n);
            run64.add_slices(&a64[start..end], &b64[start..end]);
            run32.add_slices(&a32[start..end], &b32[start..end]);
            if end < n {
                run64.add(a64[end], b64[end]);
                run32.add(a32[end], b32[end]);
            }
            start = end + 1;
            if start >= n {
                break;
            }
        }
        // Faithful: the exact sum (in units of 2⁻⁴⁰, an integer) lies strictly between the
        // neighbours of `got`, which are integers in those units too.
        let got = run64.sum();
        let in_units = |x: f64| (x * crate::accurate::pow2(40)) as i128;
        let (below, above) = (f64::from_bits(got.to_bits() - 1), f64::from_bits(got.to_bits() + 1));
        assert!(in_units(below) < truth && truth < in_units(above), "{got:e} vs {want:e}");
        // Faithful: within one ulp of the binade of `got` (an integer, ≥ 2²⁴ here).
        let got = run32.sum();
        let ulp = 1_i128 << (((got.to_bits() >> 23) & 0xFF) as i32 - 127 - 23);
        assert!((got as i128 - truth32).abs() < ulp, "{got:e} vs {truth32}");

        let mut special = SquaredErrorSum::new();
        special.add_slices(&[1.0, f64::INFINITY], &[0.0, 0.0]);
        assert_eq!(special.sum(), f64::INFINITY);
        special.add_slices(&[f64::INFINITY], &[f64::INFINITY]);
        assert!(special.sum().is_nan());
        let mut special = SquaredErrorSum::new();
        special.add_slices(&[f32::NAN, 1.0], &[0.0, 0.0]);
        assert!(special.sum().is_nan());
    }

    #[test]
    fn compensated_sum_keeps_the_rounding_error_of_each_difference() {
        // The generic f64 path (`sse` at the scalar level, without SIMD, for other wide types):
        // a = 1 + k·2⁻⁵² and b = 127·2⁻⁶⁰, just below half an ulp of a, so every a − b rounds
        // to a and each rounded square is about 2⁻⁵² too large; for n just below a power of
        // two that is nearly 2 ulp of the sum, which only r_err (2r·r_err) takes back.
        // n = 15 is one chunk and a tail of 7. With m = k·2⁸ − 127, (a − b)² = (2⁶⁰ + m)²·2⁻¹²⁰,
        // so the sum in units of 2⁻¹²⁰ is an integer below 2¹²⁶ (n ≤ 63).
        const B_UNITS: i128 = 127;
        let pow2 = crate::accurate::pow2;
        let b_value = B_UNITS as f64 * pow2(-60);
        for n in [15_usize, 31, 63] {
            let k: Vec<i128> = (0..n).map(|i| (i as i128 * 0x9E37_79B1) % (1 << 20) + 1).collect();
            let a: Vec<f64> = k.iter().map(|&k| 1.0 + k as f64 * pow2(-52)).collect();
            let b = vec![b_value; n];
            assert!(a.iter().zip(&b).all(|(&x, &y)| x - y == x));
            let exact_units: i128 =
                k.iter().map(|&k| ((1_i128 << 60) + (k << 8) - B_UNITS).pow(2)).sum();
            // Faithful: |got − exact| below one ulp of got, in units of 2^-`unit_exp`.
            let check = |got: f64, unit_exp: i32, what: &str| {
                let exponent = ((got.to_bits() >> 52) & 0x7FF) as i32 - 1023;
                let ulp_units = 1_i128 << (exponent - 52 + unit_exp);
                let error = (got * pow2(unit_exp)) as i128 - exact_units;
                assert!(
                    error.abs() < ulp_units,
                    "{what} n {n}: {error} against an ulp {ulp_units}"
                );
            };
            check(scaled_sum_squared_diff(&a, &b, false), 120, "sum");
            // Half the sum: the same integer in units of 2⁻¹²¹.
            check(half_sum_squared_diff(&a, &b), 121, "half sum");
            let mut running = SquaredErrorSum::new();
            a.iter().zip(&b).for_each(|(&x, &y)| running.add(x, y));
            check(running.sum(), 120, "running sum");
            // Scaled by 2⁵⁰⁹, the sum of 63 squares passes half the largest f64, where the
            // running sum is halved before its last rounding.
            if n == 63 {
                let mut near_overflow = SquaredErrorSum::new();
                let scale = pow2(509);
                a.iter().zip(&b).for_each(|(&x, &y)| near_overflow.add(x * scale, y * scale));
                assert!(near_overflow.sum() >= 0.5 * f64::MAX);
                check(near_overflow.half_sum(), 121 - 1018, "half sum near overflow");
            }
        }
    }

    /// ½Σ from a running sum where Σ is near or past the largest finite value: halved before its
    /// last rounding, so finite wherever ½Σ is (`f32`, summed in `f64`), ∞ where an `f64` Σ
    /// overflows, and ½Σ (not Σ) where only the error term overflowed.
    #[test]
    fn half_sum_at_the_end_of_the_range() {
        let pow2 = crate::accurate::pow2;
        // Two squares of 1.5·2⁶³: Σ = 1.125·2¹²⁸ is beyond f32, ½Σ is not.
        let mut narrow = SquaredErrorSum::new();
        narrow.add(1.5 * 2.0_f32.powi(63), 0.0);
        narrow.add(0.0, -1.5 * 2.0_f32.powi(63));
        assert_eq!(narrow.sum(), f32::INFINITY);
        assert_eq!(narrow.half_sum(), 1.125 * 2.0_f32.powi(127));

        // r = 2⁵¹²(1 − 2⁻⁵³): r² = 2¹⁰²⁴(1 − 2⁻⁵² + 2⁻¹⁰⁶) rounds to the finite 2¹⁰²⁴ − 2⁹⁷², but
        // r's split rounds up to 2⁵¹², whose square overflows the error term.
        let r = f64::from_bits(pow2(512).to_bits() - 1);
        let mut edge = SquaredErrorSum::new();
        edge.add(r, 0.0);
        assert_eq!(edge.sum(), pow2(1023) + (pow2(1023) - pow2(972)));
        assert_eq!(edge.half_sum(), pow2(1023) - pow2(971));

        let mut past = SquaredErrorSum::new();
        past.add(pow2(512), 0.0);
        assert_eq!((past.sum(), past.half_sum()), (f64::INFINITY, f64::INFINITY));
    }

    /// TwoSum and Dekker's square leave no remainder, checked in integers: 53-bit significands
    /// at magnitudes from 2⁻²⁰⁰ to 2²⁰⁰ (the sums above only reach squares near 1, where a
    /// faulty split can still be exact).
    #[test]
    fn error_free_transformations_are_exact() {
        let pow2 = crate::accurate::pow2;
        let split = split_constant::<f64>();
        assert_eq!(split, pow2(27) + 1.0);
        let significand = crate::accurate::test_significand;
        for (i, exponent) in (0_u64..).zip((-200..=200).step_by(7)) {
            let (m, q) = (significand(i), exponent - 52);
            let r = m as f64 * pow2(q);
            // p and e are multiples of 2^(2q); in those units p + e is m².
            let (p, e) = two_square(r, split);
            let in_units = |x: f64| (x * pow2(-2 * q)) as i128;
            assert_eq!(p, r * r);
            assert_eq!(in_units(p) + in_units(e), i128::from(m).pow(2), "{r:e}²");

            // r plus a number up to 2⁶⁰ times smaller, of the other sign: multiples of
            // 2^(q − shift), whose sum in those units is below 2¹¹⁴.
            let (n, shift) = (significand(i + 1_000), (i % 61) as i32);
            let b = -(n as f64) * pow2(q - shift);
            let (s, t) = two_sum(r, b);
            let in_units = |x: f64| (x * pow2(shift - q)) as i128;
            let exact = (i128::from(m) << shift) - i128::from(n);
            assert_eq!((s, in_units(s) + in_units(t)), (r + b, exact), "{r:e} + {b:e}");
        }
    }

    /// Two `f64` sums merged keep both error terms and the rounding error of adding their sums:
    /// residuals rₐ = 1 + a·2⁻²⁸ and r_b = 1 + b·2⁻²⁸, one per shard, give exactly the correctly
    /// rounded rₐ² + r_b², checked in integers (units of 2⁻⁵⁶, in which (1 + m·2⁻²⁸)² is
    /// (2²⁸ + m)²). Every error term is a multiple of 2⁻⁵⁶ of at most 2⁻⁵², so they add up
    /// exactly; dropping any of them moves sums near a tie, such as a = 7, b = 6, to the wrong
    /// side.
    #[cfg(feature = "rayon")]
    #[test]
    fn merged_sums_keep_every_error_term() {
        let pow2 = crate::accurate::pow2;
        for a in 0..64_i128 {
            for b in 0..64_i128 {
                let residual = |m: i128| 1.0 + m as f64 * pow2(-28);
                let (mut left, mut right) = (SquaredErrorSum::new(), SquaredErrorSum::new());
                left.add(residual(a), 0.0);
                right.add(residual(b), 0.0);
                left.merge(&right);
                // i128 → f64 rounds to nearest, ties to even; the scaling is exact.
                let exact = (1_i128 << 28) + a;
                let exact = exact.pow(2) + ((1_i128 << 28) + b).pow(2);
                assert_eq!(left.sum(), exact as f64 * pow2(-56), "a = {a}, b = {b}");
            }
        }
    }

    #[test]
    fn axpy_and_scale() {
        let mut y = [1.0_f32, 2.0, 3.0];
        axpy(&mut y, 2.0, &[1.0, -1.0, 0.5]);
        assert_eq!(y, [3.0, 0.0, 4.0]);
        scale_into(&mut y, -0.5, &[2.0, 4.0, 8.0]);
        assert_eq!(y, [-1.0, -2.0, -4.0]);
    }
}
