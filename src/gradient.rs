//! The batch gradient of a single-layer network and its application, kept apart so that shards
//! of the data can be reduced by the caller.

use num_traits::Float;

use crate::accurate;
use crate::activation::Activation;
use crate::error::{check_learn_rate, Error};
use crate::kernels::{self, SquaredErrorSum};
use crate::layer::{block_net_inputs, Layer};

/// Records per block of [`accumulate_rows`] with several outputs, whose block is read once per
/// output: 64 rows of 64 `f32` features are 16 KiB, so a block read from memory for the first
/// output's net inputs stays in L1 for the rest.
const BLOCK: usize = 64;

/// Records per block with one output: larger blocks amortise the per-block work (f and f′, δ,
/// the calls); 256 rows of 64 `f32` features are 64 KiB, still in L2 for the gradient.
///
/// Neither block size prefetches the next block: on an AMD Zen 4, where this loop is bound by
/// its own work, that made the one-output epoch slower (the `f64` one by a third), and the
/// three-output one too (see docs/benchmark-log.md). Neither interleaving the net inputs of
/// block b + 1 with the gradient of block b, nor smaller blocks through the same dispatched
/// kernels, ran measurably faster there. What did is one AVX-512 kernel doing all of a group's
/// steps, for [`Sigmoid`](crate::Sigmoid) on `f32` rows of 64 to 128 and `f64` rows of 32 or
/// 64 ([`crate::simd::sigmoid_rows`]).
const ONE_OUTPUT_BLOCK: usize = 256;

/// Adds Σ_μ δ_jμ x_μ over the rows of `x`/`y` to `gradient` and returns Σ_μ Σ_j (y − ŷ)², not
/// yet rounded; lengths are checked by the caller.
///
/// The records are taken [`BLOCK`] at a time ([`ONE_OUTPUT_BLOCK`] with one output). For each
/// output j the block's net inputs come from one blocked dot-product kernel, f and f′ from one
/// call of [`Activation::activate_with_derivative_slice`] (vectorised for
/// [`Sigmoid`](crate::Sigmoid)), and δ x is added into gradient row j by one blocked kernel
/// while the rows are in cache. Every gradient entry is summed in record order, as one record
/// at a time would; the loss of each block and output comes from one vectorised sum
/// ([`SquaredErrorSum::add_slices`]). For [`Sigmoid`](crate::Sigmoid) with one output on `f32`
/// rows of 64 to 128 or `f64` rows of 32 or 64 at the AVX-512 level, one kernel does the same
/// steps for groups of 8 to 16 KiB of records ([`crate::simd::sigmoid_rows`]), with the same
/// bits for the gradient and the loss summed in another order (`f32` in `f64`, `f64` compensated).
pub(crate) fn accumulate_rows<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    layer: Layer,
    weights: &[T],
    x: &[T],
    y: &[T],
    gradient: &mut [T],
) -> SquaredErrorSum<T> {
    if layer.outputs == 1 {
        if let Some((hi, lo)) =
            crate::simd::sigmoid_rows(activation.builtin(), x, y, weights, layer.inputs, gradient)
        {
            let mut squares = SquaredErrorSum::new();
            squares.add_parts(hi, lo);
            return squares;
        }
        accumulate_blocks::<T, A, ONE_OUTPUT_BLOCK>(activation, layer, weights, x, y, gradient)
    } else {
        accumulate_blocks::<T, A, BLOCK>(activation, layer, weights, x, y, gradient)
    }
}

/// f and f′ of a block from [`Activation::activate_with_derivative_slice`].
#[inline]
fn activate_block<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    h: &[T],
    y_hat: &mut [T],
    slope: &mut [T],
) {
    if activation.activate_with_derivative_slice(h, y_hat, slope).is_err() {
        // Only a faulty override can fail on equal lengths; the per-element pair is then the
        // definition.
        for ((o, s), &v) in y_hat.iter_mut().zip(slope.iter_mut()).zip(h) {
            (*o, *s) = activation.activate_with_derivative(v);
        }
    }
}

/// [`accumulate_rows`] in blocks of `B` records.
fn accumulate_blocks<T: Float, A: Activation<T> + ?Sized, const B: usize>(
    activation: &A,
    layer: Layer,
    weights: &[T],
    x: &[T],
    y: &[T],
    gradient: &mut [T],
) -> SquaredErrorSum<T> {
    let (d, k) = (layer.inputs, layer.outputs);
    let mut squares = SquaredErrorSum::new();
    let mut h = [T::zero(); B];
    let mut y_hat = [T::zero(); B];
    let mut slope = [T::zero(); B];
    let mut gathered = [T::zero(); B];
    // Saturating as the other shape products (no slice in memory makes B · d overflow).
    for (x_block, y_block) in x.chunks(B.saturating_mul(d)).zip(y.chunks(B.saturating_mul(k))) {
        let n = y_block.len() / k;
        let (h, y_hat, slope) = (&mut h[..n], &mut y_hat[..n], &mut slope[..n]);
        let rows =
            weights.chunks_exact(layer.row_len()).zip(gradient.chunks_exact_mut(layer.row_len()));
        for (j, (w_row, g_row)) in rows.enumerate() {
            block_net_inputs(w_row, d, x_block, h);
            activate_block(activation, h, y_hat, slope);
            let targets = if k == 1 {
                y_block
            } else {
                for (t, &v) in gathered.iter_mut().zip(y_block.iter().skip(j).step_by(k)) {
                    *t = v;
                }
                &gathered[..n]
            };
            add_loss_and_error_terms(targets, y_hat, slope, &mut squares);
            let (g_in, g_bias) = g_row.split_at_mut(d);
            kernels::add_weighted_rows(g_in, y_hat, x_block);
            if let Some(b) = g_bias.first_mut() {
                *b = kernels::add_sum(*b, y_hat);
            }
        }
    }
    squares
}

pub(crate) use crate::simd::PREFETCH_RECORDS;

/// Asks for row `index` of `x` (rows of `d` elements) to be brought into cache; a hint that
/// does nothing for an index out of range.
#[inline]
pub(crate) fn prefetch_row<T>(x: &[T], d: usize, index: usize) {
    if let Some(row) = x.get(index.saturating_mul(d)..).and_then(|rest| rest.get(..d)) {
        crate::simd::prefetch(row);
    }
}

/// [`accumulate_rows`] over the records listed in `rows` (row numbers of `x` and `y`, in that
/// order, each checked by the caller), adding each (y − ŷ)² to `squares`. `ahead` lists the
/// records the caller visits next; they are prefetched while the last block is worked on.
///
/// The records are taken [`BLOCK`] at a time: for each output j the block's net inputs from
/// one gathering dot-product kernel (which prefetches the rows listed a few positions ahead),
/// f and f′ of the block from one call of [`Activation::activate_with_derivative_slice`], δ,
/// and gradient row j += Σ δ x from one gathering kernel with the columns in registers, while
/// the rows are in cache. Each
/// gradient entry is summed in the order of `rows`, as one record at a time would.
#[allow(clippy::too_many_arguments)]
pub(crate) fn accumulate_listed_rows<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    layer: Layer,
    weights: &[T],
    x: &[T],
    y: &[T],
    rows: &[usize],
    ahead: &[usize],
    gradient: &mut [T],
    squares: &mut SquaredErrorSum<T>,
) {
    let (d, k) = (layer.inputs, layer.outputs);
    let mut h = [T::zero(); BLOCK];
    let mut delta = [T::zero(); BLOCK];
    let mut slope = [T::zero(); BLOCK];
    let mut targets = [T::zero(); BLOCK];
    for (b, block) in rows.chunks(BLOCK).enumerate() {
        let n = block.len();
        let (h, delta, slope) = (&mut h[..n], &mut delta[..n], &mut slope[..n]);
        let targets = &mut targets[..n];
        // The records after this block, for the prefetch.
        let next = rows.get((b + 1) * BLOCK..).unwrap_or_default();
        let next = if next.is_empty() { ahead } else { next };
        let next = next.get(..PREFETCH_RECORDS).unwrap_or(next);
        let per_output =
            weights.chunks_exact(layer.row_len()).zip(gradient.chunks_exact_mut(layer.row_len()));
        for (j, (w_row, g_row)) in per_output.enumerate() {
            let (w_in, w_bias) = w_row.split_at(d);
            // For j > 0 the rows are in cache already.
            kernels::net_inputs_listed(x, block, if j == 0 { next } else { &[] }, w_in, h);
            if let Some(&b) = w_bias.first() {
                h.iter_mut().for_each(|v| *v = *v + b);
            }
            activate_block(activation, h, delta, slope);
            for (t, &i) in targets.iter_mut().zip(block) {
                *t = y[i * k + j];
            }
            add_loss_and_error_terms(targets, delta, slope, squares);
            let (g_in, g_bias) = g_row.split_at_mut(d);
            kernels::add_listed_rows(g_in, delta, x, block);
            if let Some(b) = g_bias.first_mut() {
                *b = kernels::add_sum(*b, delta);
            }
        }
    }
}

/// Adds Σ (y − ŷ)² of a block to `squares` (one vectorised sum for `f32` and `f64`, see
/// [`SquaredErrorSum::add_slices`]) and writes δ = (y − ŷ)·f′(h) over ŷ.
#[inline]
fn add_loss_and_error_terms<T: Float>(
    targets: &[T],
    y_hat: &mut [T],
    slope: &[T],
    squares: &mut SquaredErrorSum<T>,
) {
    squares.add_slices(targets, y_hat);
    for ((o, &s), &target) in y_hat.iter_mut().zip(slope).zip(targets) {
        *o = (target - *o) * s;
    }
}

/// The batch gradient of a single-layer network: writes g = Σ_μ δ_μ x_μ into `gradient`
/// (the tutorial's `del_w` before the learning rate) and returns the batch's sum of squared
/// errors E = ½ Σ_μ Σ_j (y_jμ − ŷ_jμ)² at the current weights.
///
/// `gradient` has the layout of the weights ([`Layer`]): entry (j, i) is Σ_μ δ_jμ x_iμ with
/// δ_jμ = (y_jμ − ŷ_jμ) f′(h_jμ), and the bias entry is Σ_μ δ_jμ. This is −∂E/∂w, the descent
/// direction; [`apply_gradient`] takes the step. Records are read once, in order, in blocks of
/// 64 to 256: each block's net inputs, f and f′ for the whole block, and its contribution to the
/// gradient are computed while its rows are in cache, with no allocation. For
/// [`Sigmoid`](crate::Sigmoid) with one output on `f32` rows of 64 to 128 features or `f64`
/// rows of 32 or 64, where AVX-512 is in use, one kernel takes all these steps for groups of
/// 8 to 16 KiB of records (the same gradient bits, 1.1–1.7× faster from memory on AMD Zen 4, see
/// docs/benchmark-log.md).
///
/// Both the gradient and E are sums over records, so the results of disjoint shards of the
/// records (any split, any grouping) add up to the whole batch's, within rounding: shards may be
/// computed on other threads or machines and reduced by the caller.
///
/// # Errors
///
/// - [`Error::Zero`] if the layer has no inputs or no outputs.
/// - [`Error::RaggedRows`] if `x.len()` is not a multiple of `layer.inputs`.
/// - [`Error::ShapeMismatch`] if `y` is not records × outputs, or `weights` or `gradient` is
///   not `layer.weights_len()` long.
///
/// On `Err`, `gradient` is untouched.
///
/// # Special cases
///
/// - No records: `gradient` is all zeros and E = 0.
/// - NaN or ∞ in the data or weights propagate into E and the gradient entries they reach.
///
/// # Accuracy
///
/// Each gradient entry is a sum of n terms added in record order: its error is at most about
/// n·ε·Σ_μ |δ_jμ x_iμ| on top of the error of each δ. For `f16` and `bf16`, where that bound is
/// void beyond some hundred records, the terms of each block of B = 64 to 256 records are summed
/// in `f32` and added to the entry once: about ((n/B + 1)·ε + n·2⁻²⁴)·Σ_μ |δ_jμ x_iμ|.
///
/// E is summed as accurately as [`sse`](crate::sse) sums (faithfully rounded for the given
/// residuals), and is finite wherever ½Σ (y − ŷ)² is, but for `f64` and other types not summed
/// in `f64` at both ends of the range, where `sse` would sum the residuals again, scaled: E is ∞
/// once Σ (y − ŷ)² itself passes the largest finite value (residuals of some 10¹⁵⁴), and where
/// squares underflow (residuals below about 2⁻⁴⁸⁴, some 10⁻¹⁴⁶) E is within n·2⁻¹⁰⁷⁴ absolute.
///
/// f(h) and f′(h) come from [`Activation::activate_with_derivative_slice`] over blocks of
/// records, which for [`Sigmoid`](crate::Sigmoid), [`Tanh`](crate::Tanh) and
/// [`Softplus`](crate::Softplus) on `f32`/`f64` runs the vectorised slice kernels (f within
/// 1 ulp, f′ within 2 ulp; `f16` and `bf16` on x86-64 the `f32` kernels) instead of the
/// correctly rounded scalar evaluation; each δ therefore carries a few ulps. The net inputs and,
/// but for `f16` and `bf16`, the gradient's sums are the same operations in the same order as
/// one record at a time.
///
/// # Examples
///
/// The first record of the tutorial's worked example, and the same record split in two shards:
///
/// ```
/// use delta_rule::{batch_gradient, Layer, Sigmoid};
///
/// let layer = Layer::new(2, 1);
/// let w = [-0.8_f64, 0.5];
/// let (x, y) = ([0.1, 0.3, 0.1, 0.3], [0.2, 0.2]);
/// let mut g = [0.0; 2];
/// let e = batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut g)?;
/// let delta = -0.07927606158013766;
/// assert!((g[0] - 2.0 * delta * 0.1).abs() < 1e-16);
/// assert!((e - (0.2_f64 - 0.5174928576663897).powi(2)).abs() < 1e-16);
///
/// let (mut g1, mut g2) = ([0.0; 2], [0.0; 2]);
/// let e1 = batch_gradient(&Sigmoid, layer, &w, &x[..2], &y[..1], &mut g1)?;
/// let e2 = batch_gradient(&Sigmoid, layer, &w, &x[2..], &y[1..], &mut g2)?;
/// assert_eq!([g1[0] + g2[0], g1[1] + g2[1]], g);
/// assert_eq!(e1 + e2, e);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn batch_gradient<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    layer: Layer,
    weights: &[T],
    x: &[T],
    y: &[T],
    gradient: &mut [T],
) -> Result<T, Error> {
    layer.records(x, y)?;
    layer.check_weights(weights)?;
    check_gradient(layer, gradient)?;
    gradient.fill(T::zero());
    Ok(accumulate_rows(activation, layer, weights, x, y, gradient).half_sum())
}

/// `Ok` if `gradient` has the length of the weights.
pub(crate) fn check_gradient<T>(layer: Layer, gradient: &[T]) -> Result<(), Error> {
    let expected = layer.weights_len();
    if gradient.len() == expected {
        Ok(())
    } else {
        Err(Error::ShapeMismatch { arg: "gradient", expected, found: gradient.len() })
    }
}

/// The batch update w ← w + η g / n: one step of gradient descent on the mean of the records'
/// losses, for a gradient g summed over `n_records` records (as from [`batch_gradient`]).
///
/// This is the tutorial's `weights += learnrate * del_w / n_records`, computed as
/// w + (η/n)·g.
///
/// # Errors
///
/// - [`Error::InvalidLearnRate`] if `learn_rate` is NaN, infinite or negative.
/// - [`Error::Zero`] if `n_records` is 0.
/// - [`Error::LengthMismatch`] if `gradient.len() != weights.len()`.
///
/// On `Err`, `weights` is untouched.
///
/// # Special cases
///
/// NaN or ∞ in `gradient` propagate into the weights. Where `n_records` is beyond the range of
/// `T` (above 65 519 for `f16`), η/n is divided in `f64` and rounded once to `T` (for `f16`, a
/// subnormal number with fewer significant bits where η/n < 2⁻¹⁴, as for any η below 4 there,
/// and 0 where η/n ≤ 2⁻²⁵).
///
/// # Accuracy
///
/// η/n, ·gᵢ and the addition each round once (n itself is exact in `T` up to 2²⁴ records for
/// `f32` and 2⁵³ for `f64`, and rounds once above).
///
/// # Examples
///
/// ```
/// use delta_rule::apply_gradient;
///
/// let mut w = [1.0_f64, -1.0];
/// apply_gradient(&mut w, &[4.0, 2.0], 0.5, 4)?;
/// assert_eq!(w, [1.5, -0.75]);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn apply_gradient<T: Float>(
    weights: &mut [T],
    gradient: &[T],
    learn_rate: T,
    n_records: usize,
) -> Result<(), Error> {
    check_learn_rate("learn_rate", learn_rate)?;
    if n_records == 0 {
        return Err(Error::Zero { arg: "n_records" });
    }
    crate::error::check_len("weights", weights.len(), "gradient", gradient.len())?;
    kernels::axpy(weights, step_scale(learn_rate, n_records), gradient);
    Ok(())
}

/// η / n, rounded once. Where n is beyond the range of `T` (`f16` holds integers up to 65 504
/// only), the quotient comes from `f64` and is rounded to `T`.
pub(crate) fn step_scale<T: Float>(learn_rate: T, n_records: usize) -> T {
    per_count(learn_rate, n_records, T::one())
}

/// `value` / (`scale`·`count`) for a power of two `scale`: in `T` (one rounding, and the count's
/// own where it is not exact in `T`), or where `count` is beyond the range of `T` in `f64`,
/// rounded once to `T` (NaN for a type without `f64` conversions).
pub(crate) fn per_count<T: Float>(value: T, count: usize, scale: T) -> T {
    match T::from(count) {
        Some(c) if c.is_finite() => value / (scale * c),
        _ => value
            .to_f64()
            .zip(scale.to_f64())
            .and_then(|(v, s)| accurate::from_f64(v / (s * count as f64)))
            .unwrap_or_else(T::nan),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Builtin;
    use crate::{Identity, Sigmoid};

    #[test]
    fn identity_gradient_by_hand() {
        // y − ŷ with ŷ = w·x + b and f′ = 1: every entry follows from integer arithmetic.
        let layer = Layer::new(2, 1).with_bias();
        let w = [1.0_f64, 2.0, 0.5];
        let x = [1.0, 0.0, 0.0, 1.0];
        let y = [2.5, 0.5];
        // residuals: 2.5 − 1.5 = 1, 0.5 − 2.5 = −2
        let mut g = [9.0; 3];
        let e = batch_gradient(&Identity, layer, &w, &x, &y, &mut g).unwrap();
        assert_eq!(g, [1.0, -2.0, -1.0]);
        assert_eq!(e, 2.5);
    }

    #[test]
    fn errors_leave_gradient_untouched() {
        let layer = Layer::new(2, 1);
        let mut g = [5.0_f32; 2];
        let w = [0.0; 2];
        assert!(batch_gradient(&Sigmoid, layer, &w, &[0.0; 3], &[0.0; 1], &mut g).is_err());
        assert!(batch_gradient(&Sigmoid, layer, &w, &[0.0; 4], &[0.0; 3], &mut g).is_err());
        assert!(batch_gradient(&Sigmoid, layer, &w[..1], &[0.0; 4], &[0.0; 2], &mut g).is_err());
        assert!(batch_gradient(&Sigmoid, layer, &w, &[0.0; 4], &[0.0; 2], &mut g[..1]).is_err());
        assert_eq!(g, [5.0; 2]);
        let mut w = [1.0_f32; 2];
        assert_eq!(apply_gradient(&mut w, &g, 0.1, 0), Err(Error::Zero { arg: "n_records" }));
        assert!(apply_gradient(&mut w, &g, -0.1, 1).is_err());
        assert!(apply_gradient(&mut w, &g[..1], 0.1, 1).is_err());
        assert_eq!(w, [1.0; 2]);
    }

    #[test]
    fn empty_batch_gives_zero() {
        let mut g = [3.0_f64; 2];
        let e = batch_gradient(&Sigmoid, Layer::new(2, 1), &[1.0, 1.0], &[], &[], &mut g).unwrap();
        assert_eq!((g, e), ([0.0; 2], 0.0));
    }

    /// The batch gradient and Σ (y − ŷ)² as plain per-record loops.
    fn by_record<T: Float>(
        act: &dyn Activation<T>,
        layer: Layer,
        w: &[T],
        x: &[T],
        y: &[T],
    ) -> (Vec<T>, T) {
        let (d, r) = (layer.inputs, layer.row_len());
        let mut g = vec![T::zero(); w.len()];
        let mut squares = T::zero();
        for (x_row, y_row) in x.chunks(d).zip(y.chunks(layer.outputs)) {
            for (j, &target) in y_row.iter().enumerate() {
                let w_row = &w[j * r..(j + 1) * r];
                let mut h = T::zero();
                for (&wi, &xi) in w_row.iter().zip(x_row) {
                    h = h + wi * xi;
                }
                if layer.bias {
                    h = h + w_row[d];
                }
                let (out, slope) = act.activate_with_derivative(h);
                let residual = target - out;
                squares = squares + residual * residual;
                for (gi, &xi) in g[j * r..].iter_mut().zip(x_row) {
                    *gi = *gi + residual * slope * xi;
                }
                if layer.bias {
                    g[j * r + d] = g[j * r + d] + residual * slope;
                }
            }
        }
        (g, squares)
    }

    /// Small integers: with the identity every sum is exact, so block boundaries and the column
    /// tails must reproduce the per-record loop exactly.
    fn integer_problem(layer: Layer, n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let x = (0..n * layer.inputs).map(|i| f64::from((i * 7 % 11) as u8) - 5.0).collect();
        let y = (0..n * layer.outputs).map(|i| f64::from((i * 5 % 7) as u8)).collect();
        let w = (0..layer.weights_len()).map(|i| f64::from((i * 3 % 5) as u8) - 2.0).collect();
        (x, y, w)
    }

    #[test]
    fn blocks_match_the_per_record_loop_exactly() {
        for (d, k, bias) in
            [(64, 1, false), (67, 1, true), (3, 1, true), (70, 3, true), (5, 2, false)]
        {
            let layer = if bias { Layer::new(d, k).with_bias() } else { Layer::new(d, k) };
            let b = if k == 1 { ONE_OUTPUT_BLOCK } else { BLOCK };
            for n in [1, 33, b - 1, b, b + 1, 3 * b + 5] {
                let (x, y, w) = integer_problem(layer, n);
                let (expected, squares) = by_record(&Identity, layer, &w, &x, &y);
                let mut g = vec![0.0; w.len()];
                let e = batch_gradient(&Identity, layer, &w, &x, &y, &mut g).unwrap();
                assert_eq!((g, e), (expected, squares / 2.0), "d = {d}, k = {k}, n = {n}");
                let (x32, y32, w32): (Vec<f32>, Vec<f32>, Vec<f32>) = (
                    x.iter().map(|&v| v as f32).collect(),
                    y.iter().map(|&v| v as f32).collect(),
                    w.iter().map(|&v| v as f32).collect(),
                );
                let (expected, squares) = by_record(&Identity, layer, &w32, &x32, &y32);
                let mut g = vec![0.0; w.len()];
                let e = batch_gradient(&Identity, layer, &w32, &x32, &y32, &mut g).unwrap();
                assert_eq!((g, e), (expected, squares / 2.0), "f32 d = {d}, k = {k}, n = {n}");
            }
        }
    }

    /// The loss and gradient of `Sigmoid` with one output from [`accumulate_rows`] (which takes
    /// the fused kernels where they apply), then from [`accumulate_blocks`].
    fn rows_and_blocks<T: Float>(layer: Layer, w: &[T], x: &[T], y: &[T]) -> [(T, Vec<T>); 2] {
        let (mut g, mut g_blocks) = (vec![T::zero(); w.len()], vec![T::zero(); w.len()]);
        let e = accumulate_rows(&Sigmoid, layer, w, x, y, &mut g).sum();
        let e_blocks = accumulate_blocks::<T, Sigmoid, ONE_OUTPUT_BLOCK>(
            &Sigmoid,
            layer,
            w,
            x,
            y,
            &mut g_blocks,
        )
        .sum();
        [(e, g), (e_blocks, g_blocks)]
    }

    /// `accumulate_rows` takes the fused kernel for `Sigmoid` behind references, boxes and trait
    /// objects too, exactly where AVX-512 is in use (the fused kernels and the blocks give the
    /// same bits here, so the test counts the fused kernel's calls).
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    #[test]
    fn fused_epoch_sees_through_pointers() {
        use crate::simd::FUSED_ROWS_CALLS;
        fn fused<A: Activation<f32> + ?Sized>(unit: &A) -> bool {
            let (d, n) = (64, 100);
            let (x, y, w) = (vec![0.5; n * d], vec![1.0; n], vec![0.25; d]);
            let before = FUSED_ROWS_CALLS.with(core::cell::Cell::get);
            accumulate_rows(unit, Layer::new(d, 1), &w, &x, &y, &mut vec![0.0; d]);
            FUSED_ROWS_CALLS.with(core::cell::Cell::get) > before
        }
        let avx512 = crate::simd::level() == crate::simd::Level::Avx512;
        let boxed: alloc::boxed::Box<dyn Activation<f32>> = alloc::boxed::Box::new(Sigmoid);
        assert_eq!(fused(&Sigmoid), avx512, "Sigmoid");
        assert_eq!(fused(&&Sigmoid), avx512, "&Sigmoid");
        assert_eq!(fused(&*boxed), avx512, "dyn Activation");
        assert_eq!(fused(&boxed), avx512, "Box<dyn Activation>");
        assert!(!fused(&crate::Tanh), "Tanh");
    }

    /// Asserts that `accumulate_rows` takes the fused kernels for `Sigmoid` on rows of `d`
    /// elements of `T` exactly where AVX-512 is in use. Elsewhere both sides of the comparisons
    /// below run the blocks, so those compare nothing (`DELTA_RULE_SIMD=scalar`, AVX2, aarch64).
    fn assert_fused_path_iff_avx512<T: Float>(d: usize) {
        let (x, y, w) = (vec![T::one(); 2 * d], vec![T::one(); 2], vec![T::zero(); d]);
        let mut g = vec![T::zero(); d];
        let fused = crate::simd::sigmoid_rows(Builtin::Sigmoid, &x, &y, &w, d, &mut g);
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        assert_eq!(fused.is_some(), crate::simd::level() == crate::simd::Level::Avx512, "d = {d}");
        #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
        assert!(fused.is_none(), "d = {d}");
    }

    /// [`accumulate_rows`] against [`accumulate_blocks`] for `Sigmoid` with one output on rows
    /// of each length in `lengths`, with and without a bias, on a few record counts: the same
    /// gradient bits, the loss within `ulps` of the blocks'.
    fn check_sigmoid_rows_path<T: Float + core::fmt::Debug>(lengths: &[usize], ulps: T) {
        for &d in lengths {
            for bias in [false, true] {
                let layer = if bias { Layer::new(d, 1).with_bias() } else { Layer::new(d, 1) };
                for n in [1, 15, 16, 17, 31, 32, 33, ONE_OUTPUT_BLOCK + 7] {
                    let (x, y, w) = integer_problem(layer, n);
                    let narrow = |v: &[f64], s: f64| {
                        v.iter().map(|&v| T::from(v * s).expect("in range")).collect()
                    };
                    let (x, y, w): (Vec<T>, Vec<T>, Vec<T>) =
                        (narrow(&x, 0.125), narrow(&y, 1.0 / 6.0), narrow(&w, 1.0 / 64.0));
                    let [(e, g), (e_blocks, g_blocks)] = rows_and_blocks(layer, &w, &x, &y);
                    let case = format!("d = {d}, bias {bias}, n = {n}");
                    let bits = |v: &[T]| v.iter().map(|v| v.integer_decode()).collect::<Vec<_>>();
                    assert_eq!(bits(&g), bits(&g_blocks), "{case}");
                    let tolerance = e_blocks * ulps * T::epsilon();
                    assert!((e - e_blocks).abs() <= tolerance, "{case}: {e:?} vs {e_blocks:?}");
                }
            }
        }
    }

    #[cfg(feature = "half")]
    #[test]
    fn f16_step_scale_beyond_its_range_rounds_once() {
        use half::f16;
        // η/n for n = 2²⁵ − 1 is 2⁻²⁵·(1 + 2⁻²⁵ + …), just above half the smallest subnormal
        // 2⁻²⁴: rounded once it is 2⁻²⁴. Through f32 it would first round to the tie 2⁻²⁵ and
        // then to the even 0.
        let mut w = [f16::ZERO];
        apply_gradient(&mut w, &[f16::ONE], f16::ONE, (1 << 25) - 1).unwrap();
        assert_eq!(w[0], f16::from_bits(1));
        // At n = 2²⁵ exactly it is the tie, which goes to 0.
        let mut w = [f16::ZERO];
        apply_gradient(&mut w, &[f16::ONE], f16::ONE, 1 << 25).unwrap();
        assert_eq!(w[0].to_bits(), 0);
        // The largest count f16 holds (as 65 504), and the first that takes the f64 path.
        assert_eq!(step_scale(f16::from_f32(65_504.0), 65_519), f16::ONE);
        // 65 504/65 520 = 1 − 2⁻¹²/(1 − 2⁻¹²), a little below the midpoint 1 − 2⁻¹² of
        // 1 − 2⁻¹¹ and 1, so it rounds down.
        let quotient = step_scale(f16::from_f32(65_504.0), 65_520).to_f64();
        assert_eq!(quotient, 1.0 - 2.0_f64.powi(-11));
    }

    #[test]
    fn sigmoid_rows_path_matches_the_blocks() {
        // `accumulate_rows` takes the fused kernels for Sigmoid on f32 rows of 64 to 128 and f64
        // rows of 32 or 64 where AVX-512 is in use, and the blocks otherwise. The f32 loss is
        // the same exact squares summed in f64 (one f32 rounding apart at most); both f64 losses
        // are faithful roundings of the same sum (one ulp apart at most).
        assert_fused_path_iff_avx512::<f32>(64);
        assert_fused_path_iff_avx512::<f64>(32);
        check_sigmoid_rows_path::<f32>(&[64, 128, 100, 63, 129], 1.0);
        check_sigmoid_rows_path::<f64>(&[32, 64, 31, 48, 65], 1.0);
    }

    #[test]
    fn sigmoid_f64_loss_is_faithful_on_residuals_that_round() {
        // Zero weights and no bias give h = 0 and ŷ = σ(0) = 0.5 exactly (documented), so every
        // residual y − 0.5 is known. Even y = 2⁵² + 2j (j < 2¹⁰) makes y − 0.5 a tie at ulp 1
        // that rounds to y: each difference leaves −0.5 behind, and the squares' sum needs
        // about 110 bits. Dropping that part (or any of the compensation) puts E off by
        // ½·Σy ≈ n·2⁵¹, nearly 2 ulp of E ≈ n·2¹⁰³ for n just below a power of two.
        // E = ½·Σ (y − ½)² = Σ (2y − 1)² / 8, an integer sum below 2¹¹⁶ here.
        for d in [32, 64] {
            let layer = Layer::new(d, 1);
            for n in [63_usize, 255] {
                let j: Vec<i128> = (0..n as i128).map(|i| (i * 7_919) % 1_021).collect();
                let y: Vec<f64> = j.iter().map(|&j| ((1_i128 << 52) + 2 * j) as f64).collect();
                let x: Vec<f64> = (0..n * d).map(|i| f64::from((i * 7 % 11) as u8) - 5.0).collect();
                let w = vec![0.0; d];
                let mut g = vec![0.0; d];
                // Where AVX-512 is in use this takes the fused kernel (rows of 32 and 64 f64).
                #[cfg(all(feature = "std", target_arch = "x86_64"))]
                assert_eq!(
                    crate::simd::sigmoid_rows(Builtin::Sigmoid, &x, &y, &w, d, &mut g).is_some(),
                    crate::simd::level() == crate::simd::Level::Avx512,
                );
                let e = batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut g).unwrap();
                let eight_e: i128 = j.iter().map(|&j| ((1_i128 << 53) + 4 * j - 1).pow(2)).sum();
                // e ≥ 2¹⁰⁰ is an integer, and so is its ulp.
                let ulp = 1_i128 << (((e.to_bits() >> 52) & 0x7FF) as i32 - 1023 - 52);
                let error = (e as i128) * 8 - eight_e;
                assert!(error.abs() < 8 * ulp, "d {d} n {n}: {error} against 8 ulp = {}", 8 * ulp);
            }
        }
    }

    #[test]
    fn sigmoid_rows_path_keeps_infinite_and_nan_losses() {
        // An infinite target makes the loss +∞ and a NaN target NaN, on the fused kernels'
        // path (f32 rows of 64, f64 rows of 32 and 64 with AVX-512) as on the blocks'.
        fn check<T: Float + core::fmt::Debug>(d: usize) {
            let layer = Layer::new(d, 1);
            let (x, y, w) = integer_problem(layer, 40);
            let cast = |v: &[f64]| v.iter().map(|&v| T::from(v / 8.0).expect("in range")).collect();
            let (x, mut y, w): (Vec<T>, Vec<T>, Vec<T>) = (cast(&x), cast(&y), cast(&w));
            for (special, nan) in [(T::infinity(), false), (T::nan(), true)] {
                y[17] = special;
                let [(e, _), (e_blocks, _)] = rows_and_blocks(layer, &w, &x, &y);
                if nan {
                    assert!(e.is_nan() && e_blocks.is_nan(), "d {d}: {e:?}, {e_blocks:?}");
                } else {
                    assert_eq!((e, e_blocks), (T::infinity(), T::infinity()), "d {d}");
                }
            }
        }
        assert_fused_path_iff_avx512::<f32>(64);
        assert_fused_path_iff_avx512::<f64>(64);
        check::<f32>(64);
        check::<f64>(32);
        check::<f64>(64);
    }

    #[test]
    fn sigmoid_blocks_match_the_per_record_loop_in_f32() {
        // The data (multiples of 1/8 and 1/64) are exact in f32, so the f32 block path differs
        // from the f64 loop only by its own roundings, bounded per record and per entry below.
        let layer = Layer::new(64, 1).with_bias();
        let n = 3 * ONE_OUTPUT_BLOCK + 5;
        let (x, y, w) = integer_problem(layer, n);
        let x: Vec<f64> = x.iter().map(|v| v / 8.0).collect();
        let y: Vec<f64> = y.iter().map(|v| v / 8.0).collect();
        let w: Vec<f64> = w.iter().map(|v| v / 64.0).collect();
        let narrow = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
        let (expected, squares) = by_record(&Sigmoid, layer, &w, &x, &y);
        let mut g = vec![0.0_f32; w.len()];
        let e =
            batch_gradient(&Sigmoid, layer, &narrow(&w), &narrow(&x), &narrow(&y), &mut g).unwrap();
        // Per record, with u = 2⁻²⁴: w·x rounds within 12u·Σ|wx| (the generic dot product's
        // bound for 64 elements, the largest of the paths; the SIMD ones give 7u) and + b once
        // more, with Σ|wx| ≤ 64·(2/64)·(5/8) = 1.25 and |h| < 1.3, so Δh < 16.3u. σ is within
        // 1 ulp ≤ u (σ < 1), plus σ′·Δh ≤ Δh/4, and y − σ rounds within u/2 (|y − σ| < 1):
        // |Δ(y − σ)| < 5.6u. σ′ ≤ 1/4 is within 2 ulp ≤ u/2, plus |σ″|·Δh ≤ Δh/10: < 2.2u; and
        // δ = (y − σ)·σ′ rounds within u/8: |Δδ| < 5.6u/4 + 2.2u + u/8 < 3.8u. Rounded up to 4u
        // and 5.7u for the second-order terms. Each entry then sums n terms δx (x exact) in
        // record order: its error is at most 4u·Σ|x| + γ(n + 1)·Σ|δx| (one more rounding per
        // term, for the product).
        let u = f64::from(f32::EPSILON) / 2.0;
        let gamma = |k: f64| k * u / (1.0 - k * u);
        let (d, r) = (layer.inputs, layer.row_len());
        let (mut abs_terms, mut abs_x) = (vec![0.0; r], vec![0.0; r]);
        let mut abs_residuals = 0.0;
        for (x_row, &target) in x.chunks(d).zip(&y) {
            let h = w[..d].iter().zip(x_row).map(|(a, b)| a * b).sum::<f64>() + w[d];
            let (out, slope) = Sigmoid.activate_with_derivative(h);
            let delta = (target - out) * slope;
            abs_residuals += (target - out).abs();
            for (i, &xi) in x_row.iter().chain([1.0].iter()).enumerate() {
                abs_terms[i] += (delta * xi).abs();
                abs_x[i] += xi.abs();
            }
        }
        for i in 0..r {
            let bound = 4.0 * u * abs_x[i] + gamma(n as f64 + 1.0) * abs_terms[i];
            let error = (f64::from(g[i]) - expected[i]).abs();
            assert!(error <= bound, "entry {i}: {} vs {}, bound {bound:e}", g[i], expected[i]);
        }
        // E = ½Σ(y − σ)², summed faithfully: each half square moves by under
        // 5.7u·|y − σ| + (5.7u)²/2, and the result rounds once more.
        let e_bound = 5.7 * u * abs_residuals + n as f64 * 17.0 * u * u + u * squares;
        let error = (f64::from(e) - squares / 2.0).abs();
        assert!(error <= e_bound, "{e} vs {}, bound {e_bound:e}", squares / 2.0);
    }
}
