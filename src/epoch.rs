//! One epoch of training a single-layer network: batch, mini-batch or stochastic descent.

use num_traits::Float;

use crate::activation::Activation;
use crate::error::{check_learn_rate, Error};
use crate::gradient::{
    accumulate_listed_rows, accumulate_rows, check_gradient, per_count, prefetch_row, step_scale,
    PREFETCH_RECORDS,
};
use crate::kernels::{self, SquaredErrorSum};
use crate::layer::{row_net_input, Layer};

/// The loss of an epoch over its records: the sum of squared errors E = ½ Σ (y − ŷ)² and the
/// mean squared error Σ (y − ŷ)² / (records × outputs), the tutorial's `np.mean((out - y)**2)`.
///
/// # Examples
///
/// ```
/// use delta_rule::Loss;
///
/// let loss = Loss::new(3.0_f64, 4);
/// assert_eq!((loss.sse, loss.mse), (3.0, 1.5));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Loss<T> {
    /// ½ Σ (y − ŷ)².
    pub sse: T,
    /// Σ (y − ŷ)² / count, which is 2·`sse` / count.
    pub mse: T,
}

impl<T: Float> Loss<T> {
    /// The loss from the sum of squared errors `sse` over `count` outputs (records × outputs).
    ///
    /// # Special cases
    ///
    /// `count = 0` gives `mse` = NaN (0/0 when `sse` is 0), or ±∞ for `sse` ≠ 0. `mse` is
    /// computed as `sse` / (count/2), finite wherever the quotient is: one rounding while `count`
    /// is exact in `T` (up to 2²⁴ for `f32`, 2⁵³ for `f64`, 2¹¹ for `f16`), and the count's own
    /// rounding to `T` besides above that. Where `count` is beyond the range of `T` (above
    /// 65 519 for `f16`, which rounds smaller counts to 65 504), the quotient is taken in `f64`
    /// and rounded once to `T`.
    ///
    /// ```
    /// use delta_rule::Loss;
    ///
    /// assert!(Loss::new(0.0_f32, 0).mse.is_nan());
    /// ```
    #[must_use]
    pub fn new(sse: T, count: usize) -> Self {
        // 2·sse / count as sse / (count / 2): one rounding, and no overflow of 2·sse.
        Loss { sse, mse: per_count(sse, count, (T::one() + T::one()).recip()) }
    }

    /// Whether both numbers are finite.
    ///
    /// ```
    /// use delta_rule::Loss;
    ///
    /// assert!(Loss::new(1.5_f64, 2).is_finite());
    /// assert!(!Loss::new(f64::NAN, 2).is_finite());
    /// // A finite sum over no outputs: the mean is 1.5/0 = ∞.
    /// assert!(!Loss::new(1.5_f64, 0).is_finite());
    /// // The sum is finite, but twice it over one output is not.
    /// assert!(!Loss::new(f64::MAX, 1).is_finite());
    /// ```
    #[must_use]
    pub fn is_finite(&self) -> bool {
        self.sse.is_finite() && self.mse.is_finite()
    }
}

/// One epoch of batch gradient descent, as the tutorial trains: for every record δ from its
/// output and the step δ x accumulated into `gradient`, then w ← w + η Σ δ x / n_records.
///
/// The data are read once; `gradient` is caller-owned scratch of `layer.weights_len()` elements
/// (its contents on entry do not matter) and holds the epoch's summed gradient g on return, so
/// nothing is allocated. The returned loss is that of the weights the epoch started from, measured
/// during the same pass. This is [`batch_gradient`](crate::batch_gradient) followed by
/// [`apply_gradient`](crate::apply_gradient).
///
/// # Errors
///
/// - [`Error::InvalidLearnRate`] if `learn_rate` is NaN, infinite or negative.
/// - [`Error::Zero`] if the layer has no inputs or no outputs.
/// - [`Error::RaggedRows`] if `x.len()` is not a multiple of `layer.inputs`.
/// - [`Error::Empty`] if there are no records.
/// - [`Error::ShapeMismatch`] if `y` is not records × outputs, or `weights` or `gradient` is
///   not `layer.weights_len()` long.
///
/// On `Err`, `weights` and `gradient` are untouched.
///
/// # Special cases
///
/// NaN or ∞ in the data or the weights propagate into the loss and the weights; see
/// [`train`](crate::train()) for a loop that stops and restores the weights. With more records
/// than `T` converts to a finite number (above 65 519 for `f16`, which rounds smaller counts to
/// 65 504), η/n and the mean squared error are divided in `f64`, as in
/// [`apply_gradient`](crate::apply_gradient) and [`Loss::new`].
///
/// # Examples
///
/// ```
/// use delta_rule::{batch_epoch, Layer, Sigmoid};
///
/// let layer = Layer::new(2, 1);
/// let mut w = [-0.8_f64, 0.5];
/// let mut g = [0.0; 2];
/// let first = batch_epoch(&Sigmoid, layer, &mut w, &[0.1, 0.3], &[0.2], 0.5, &mut g)?;
/// assert!((w[0] - (-0.8 - 0.003963803079006883)).abs() < 1e-16);
/// let second = batch_epoch(&Sigmoid, layer, &mut w, &[0.1, 0.3], &[0.2], 0.5, &mut g)?;
/// assert!(second.sse < first.sse);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn batch_epoch<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    layer: Layer,
    weights: &mut [T],
    x: &[T],
    y: &[T],
    learn_rate: T,
    gradient: &mut [T],
) -> Result<Loss<T>, Error> {
    check_learn_rate("learn_rate", learn_rate)?;
    let n = layer.nonempty_records(x, y)?;
    layer.check_weights(weights)?;
    check_gradient(layer, gradient)?;
    gradient.fill(T::zero());
    let sse = accumulate_rows(activation, layer, weights, x, y, gradient).half_sum();
    kernels::axpy(weights, step_scale(learn_rate, n), gradient);
    Ok(Loss::new(sse, n * layer.outputs))
}

/// One epoch of mini-batch descent over the records listed in `order`: they are taken
/// `batch_size` at a time, and after each batch of b records w ← w + η Σ δ x / b. With
/// `batch_size` 1 this is stochastic descent (the tutorial's per-record update
/// w ← w + η δ x); with the records in random order it is stochastic gradient descent.
///
/// `order` holds record indices (the row numbers of `x` and `y`); shuffle it between epochs
/// for the usual stochastic scheme, for example with `rand::seq::SliceRandom::shuffle`, or use
/// [`train`](crate::train()) which does so from a seed. `gradient` is scratch as in
/// [`batch_epoch`]; with `batch_size` 1 it is not written. The returned loss adds up each
/// record's loss at the weights current when it was visited, over `order.len()` records.
///
/// Each batch runs like [`batch_gradient`](crate::batch_gradient), in blocks of up to 64 of its
/// records: the net inputs of the block from one kernel that gathers the listed rows (the SIMD
/// dot product per row), f and f′ of the block from one call of
/// [`Activation::activate_with_derivative_slice`], δ, and the gradient += Σ δ x from one
/// gathering kernel while the rows are in cache; the rows a few records ahead in `order` are
/// prefetched, since a shuffled order defeats the hardware prefetcher. With `batch_size` 1
/// each record and output takes one step from the dot-product and `axpy` kernels around the
/// scalar f and f′, with the same prefetch.
///
/// # Accuracy
///
/// With `batch_size` 1 and one output without bias the weights are exactly those of one
/// [`train_step`](crate::train_step) per record in `order` (the example below). With larger
/// batches each gradient entry is summed in the order of `order`, as in the per-record loop,
/// but for [`Sigmoid`](crate::Sigmoid), [`Tanh`](crate::Tanh) and [`Softplus`](crate::Softplus)
/// on `f32`/`f64` with a SIMD level in use f and f′ come from the slice kernels (f within 1 ulp,
/// f′ within 2 ulp, as in [`batch_gradient`](crate::batch_gradient)) instead of the correctly
/// rounded scalar values, so each δ may differ from [`error_term`](crate::error_term)'s by a few
/// ulps. The loss is summed as accurately as [`sse`](crate::sse) sums, block by block.
///
/// # Errors
///
/// In the order checked (the first fault found is the one reported):
///
/// - [`Error::InvalidLearnRate`] if `learn_rate` is NaN, infinite or negative.
/// - [`Error::Zero`] if the layer has no inputs or no outputs.
/// - [`Error::RaggedRows`] if `x.len()` is not a multiple of `layer.inputs`.
/// - [`Error::ShapeMismatch`] if `y` is not records × outputs.
/// - [`Error::Zero`] if `batch_size` is 0.
/// - [`Error::Empty`] if `order` is empty.
/// - [`Error::ShapeMismatch`] if `weights` or `gradient` is not `layer.weights_len()` long.
/// - [`Error::IndexOutOfRange`] if an entry of `order` is not below the number of records.
///
/// On `Err`, `weights` and `gradient` are untouched.
///
/// # Special cases
///
/// The last batch holds the remaining `order.len() % batch_size` records if that is not 0.
/// NaN or ∞ propagate as in [`batch_epoch`], and counts beyond the range of `T` are divided as
/// there.
///
/// # Examples
///
/// ```
/// use delta_rule::{minibatch_epoch, train_step, Layer, Sigmoid};
///
/// let layer = Layer::new(2, 1);
/// let x = [0.1_f64, 0.3, 0.5, -0.2];
/// let y = [0.2, 0.9];
/// let mut w = [-0.8, 0.5];
/// let mut g = [0.0; 2];
/// minibatch_epoch(&Sigmoid, layer, &mut w, &x, &y, 0.5, 1, &[1, 0], &mut g)?;
///
/// // The same as two per-record steps in that order.
/// let mut by_hand = [-0.8, 0.5];
/// train_step(&Sigmoid, &mut by_hand, &x[2..], 0.9, 0.5)?;
/// train_step(&Sigmoid, &mut by_hand, &x[..2], 0.2, 0.5)?;
/// assert_eq!(w, by_hand);
/// # Ok::<(), delta_rule::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn minibatch_epoch<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    layer: Layer,
    weights: &mut [T],
    x: &[T],
    y: &[T],
    learn_rate: T,
    batch_size: usize,
    order: &[usize],
    gradient: &mut [T],
) -> Result<Loss<T>, Error> {
    check_learn_rate("learn_rate", learn_rate)?;
    let n = layer.records(x, y)?;
    if batch_size == 0 {
        return Err(Error::Zero { arg: "batch_size" });
    }
    if order.is_empty() {
        return Err(Error::Empty { arg: "order" });
    }
    layer.check_weights(weights)?;
    check_gradient(layer, gradient)?;
    if let Some(&index) = order.iter().find(|&&i| i >= n) {
        return Err(Error::IndexOutOfRange { arg: "order", index, len: n });
    }
    let (d, k) = (layer.inputs, layer.outputs);
    let row = |i: usize| (&x[i * d..(i + 1) * d], &y[i * k..(i + 1) * k]);
    let mut squares = SquaredErrorSum::new();
    if batch_size == 1 {
        for (p, &i) in order.iter().enumerate() {
            if let Some(&next) = order.get(p + PREFETCH_RECORDS) {
                prefetch_row(x, d, next);
            }
            let (x_row, y_row) = row(i);
            stochastic_step(activation, layer, weights, x_row, y_row, learn_rate, &mut squares);
        }
    } else {
        for (b, batch) in order.chunks(batch_size).enumerate() {
            gradient.fill(T::zero());
            let ahead = order.get((b + 1) * batch_size..).unwrap_or_default();
            let ahead = ahead.get(..PREFETCH_RECORDS).unwrap_or(ahead);
            accumulate_listed_rows(
                activation,
                layer,
                weights,
                x,
                y,
                batch,
                ahead,
                gradient,
                &mut squares,
            );
            kernels::axpy(weights, step_scale(learn_rate, batch.len()), gradient);
        }
    }
    Ok(Loss::new(squares.half_sum(), order.len().saturating_mul(k)))
}

/// w_j ← w_j + η δ_j x for every output j of one record (δ_j from the weights before the
/// update; output j reads and writes only row j), adding each (y_j − ŷ_j)² to `squares`.
#[inline]
fn stochastic_step<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    layer: Layer,
    weights: &mut [T],
    x_row: &[T],
    y_row: &[T],
    learn_rate: T,
    squares: &mut SquaredErrorSum<T>,
) {
    for (w_row, &y) in weights.chunks_exact_mut(layer.row_len()).zip(y_row) {
        let (y_hat, slope) =
            activation.activate_with_derivative(row_net_input(w_row, layer.inputs, x_row));
        squares.add(y, y_hat);
        let residual = y - y_hat;
        let step = learn_rate * (residual * slope);
        let (w_in, w_bias) = w_row.split_at_mut(layer.inputs);
        kernels::axpy(w_in, step, x_row);
        if let Some(b) = w_bias.first_mut() {
            *b = *b + step;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Identity, Sigmoid};

    #[test]
    fn minibatch_checks_before_writing() {
        let layer = Layer::new(1, 1);
        let mut w = [0.5_f64];
        let mut g = [7.0];
        let (x, y) = ([1.0, 2.0], [0.0, 1.0]);
        let err = minibatch_epoch(&Sigmoid, layer, &mut w, &x, &y, 0.1, 1, &[0, 2], &mut g);
        assert_eq!(err, Err(Error::IndexOutOfRange { arg: "order", index: 2, len: 2 }));
        let err = minibatch_epoch(&Sigmoid, layer, &mut w, &x, &y, 0.1, 0, &[0], &mut g);
        assert_eq!(err, Err(Error::Zero { arg: "batch_size" }));
        let err = minibatch_epoch(&Sigmoid, layer, &mut w, &x, &y, 0.1, 2, &[], &mut g);
        assert_eq!(err, Err(Error::Empty { arg: "order" }));
        assert_eq!((w, g), ([0.5], [7.0]));
    }

    #[test]
    fn full_minibatch_is_a_batch_epoch() {
        // With exactly representable identity arithmetic the two must agree bit for bit.
        let layer = Layer::new(2, 2).with_bias();
        let x = [1.0_f64, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 0.0];
        let y = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.5, 0.5];
        let mut a = [0.25, 0.5, 0.0, -0.5, 0.25, 0.0];
        let mut b = a;
        let mut g = [0.0; 6];
        let la = batch_epoch(&Identity, layer, &mut a, &x, &y, 0.5, &mut g).unwrap();
        let lb = minibatch_epoch(&Identity, layer, &mut b, &x, &y, 0.5, 4, &[0, 1, 2, 3], &mut g)
            .unwrap();
        assert_eq!((a, la), (b, lb));
    }

    /// One mini-batch epoch as plain per-record loops (sequential sums), returning Σ (y − ŷ)².
    #[allow(clippy::too_many_arguments)]
    fn by_record<T: Float>(
        act: &dyn Activation<T>,
        layer: Layer,
        w: &mut [T],
        x: &[T],
        y: &[T],
        learn_rate: T,
        batch_size: usize,
        order: &[usize],
    ) -> T {
        let (d, k, r) = (layer.inputs, layer.outputs, layer.row_len());
        let mut squares = T::zero();
        for batch in order.chunks(batch_size) {
            let mut g = vec![T::zero(); w.len()];
            for &i in batch {
                let x_row = &x[i * d..(i + 1) * d];
                for j in 0..k {
                    let w_row = &w[j * r..(j + 1) * r];
                    let mut h = T::zero();
                    for (&wi, &xi) in w_row.iter().zip(x_row) {
                        h = h + wi * xi;
                    }
                    if layer.bias {
                        h = h + w_row[d];
                    }
                    let (out, slope) = act.activate_with_derivative(h);
                    let residual = y[i * k + j] - out;
                    squares = squares + residual * residual;
                    let delta = residual * slope;
                    if batch_size == 1 {
                        // The stochastic step: w ← w + (η δ) x at once.
                        let step = learn_rate * delta;
                        for (wi, &xi) in w[j * r..].iter_mut().zip(x_row) {
                            *wi = *wi + step * xi;
                        }
                        if layer.bias {
                            w[j * r + d] = w[j * r + d] + step;
                        }
                    } else {
                        for (gi, &xi) in g[j * r..].iter_mut().zip(x_row) {
                            *gi = *gi + delta * xi;
                        }
                        if layer.bias {
                            g[j * r + d] = g[j * r + d] + delta;
                        }
                    }
                }
            }
            if batch_size > 1 {
                let scale = learn_rate / T::from(batch.len()).unwrap();
                for (wi, &gi) in w.iter_mut().zip(&g) {
                    *wi = *wi + scale * gi;
                }
            }
        }
        squares
    }

    /// A permutation of 0..n from a fixed linear congruential sequence.
    fn shuffled(n: usize, seed: u64) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        let mut state = seed;
        for i in (1..n).rev() {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            order.swap(i, (state >> 33) as usize % (i + 1));
        }
        order
    }

    /// x ∈ {−1, 0, 1} varying from record to record, y ∈ {0, 1} and w ∈ {0, ¼, ½, ¾, 1}, from
    /// a seeded LCG: with the identity and η/b = 2⁻⁸, every value of an epoch stays exact while
    /// Σ (y − ŷ)² < 2¹⁶ (see the tests that use it).
    fn dyadic_problem(layer: Layer, records: usize, seed: u64) -> [Vec<f64>; 3] {
        let mut state = seed;
        let mut draw = |count: usize, modulus: u64, scale: f64, shift: f64| -> Vec<f64> {
            (0..count)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    ((state >> 33) % modulus) as f64 * scale - shift
                })
                .collect()
        };
        let x = draw(records * layer.inputs, 3, 1.0, 1.0);
        let y = draw(records * layer.outputs, 2, 1.0, 0.0);
        let w0 = draw(layer.weights_len(), 5, 0.25, 0.0);
        [x, y, w0]
    }

    /// The layers of the dyadic tests: one and several outputs, with and without a bias, and rows
    /// shorter and longer than a SIMD register.
    fn dyadic_layers() -> [Layer; 4] {
        [
            Layer::new(5, 1),
            Layer::new(3, 1).with_bias(),
            Layer::new(4, 3).with_bias(),
            Layer::new(70, 2),
        ]
    }

    /// `minibatch_epoch` with the identity on [`dyadic_problem`] and η/b = 2⁻⁸ over the first n
    /// of n + 7 shuffled records, against the per-record loop, bit for bit. Every value stays
    /// exact: each batch adds at most 8 fractional bits to the weights (2 to start with; a last
    /// batch of r records, with b/r an integer, scales by η/r = 2⁻⁸·b/r and adds no more), so
    /// the third batch's residuals carry at most 18 and their squares 36, exact while
    /// Σ (y − ŷ)² < 2¹⁶ (asserted; it bounds every residual by 2⁸ and every gradient entry by
    /// 130·2⁸). So the blocks of 64 records, the prefetch across batches and the sums in
    /// `order` must reproduce the loop.
    fn assert_dyadic_epoch_matches_the_loop(layer: Layer, batch_size: usize, n: usize) {
        let records = n + 7;
        let [x, y, w0] = dyadic_problem(layer, records, (layer.inputs * batch_size) as u64);
        let order = shuffled(records, n as u64)[..n].to_vec();
        let learn_rate = batch_size as f64 / 256.0;
        let (mut a, mut b) = (w0.clone(), w0);
        let mut g = vec![0.0; a.len()];
        let loss = minibatch_epoch(
            &Identity, layer, &mut a, &x, &y, learn_rate, batch_size, &order, &mut g,
        )
        .unwrap();
        let squares = by_record(&Identity, layer, &mut b, &x, &y, learn_rate, batch_size, &order);
        let case = format!("{layer:?}, b = {batch_size}, n = {n}");
        assert!(squares < 65_536.0, "{case}: Σ (y − ŷ)² = {squares}");
        assert_eq!(a, b, "{case}");
        assert_eq!(loss, Loss::new(squares / 2.0, n * layer.outputs), "{case}");
    }

    #[test]
    fn minibatches_match_the_per_record_loop_exactly_on_dyadic_data() {
        for layer in dyadic_layers() {
            for batch_size in [1, 2, 63, 64, 65, 130] {
                assert_dyadic_epoch_matches_the_loop(layer, batch_size, 3 * batch_size);
            }
        }
    }

    #[test]
    fn a_partial_last_batch_steps_by_its_own_length() {
        // Two batches of b records and a last one of r < b: the loop scales each batch by η over
        // its own length, and scaling the last by η/b instead changes its step by r/b.
        for layer in dyadic_layers() {
            for (batch_size, rest) in [(2, 1), (63, 21), (64, 16), (65, 13), (130, 65)] {
                assert_dyadic_epoch_matches_the_loop(layer, batch_size, 2 * batch_size + rest);
            }
        }
    }

    #[test]
    fn sigmoid_minibatch_in_f32_is_within_the_bound_of_f64() {
        // One batch of every record in shuffled order, w + (η/n)·g with the f32 block path,
        // against the per-record loop in f64 (errors ~2⁻⁵³, neglected). The data are exact in
        // f32: x ∈ [−5/8, 5/8], y ∈ [0, 1], w ∈ [−1/32, 3/32].
        let (d, n) = (67, 3 * 64 + 5);
        let layer = Layer::new(d, 2).with_bias();
        let x: Vec<f64> = (0..n * d).map(|i| f64::from((i * 7 % 11) as u8) / 8.0 - 0.625).collect();
        let y: Vec<f64> = (0..n * 2).map(|i| f64::from((i * 5 % 9) as u8) / 8.0).collect();
        let w0: Vec<f64> = (0..layer.weights_len())
            .map(|i| f64::from((i * 3 % 5) as u8) / 32.0 - 1.0 / 32.0)
            .collect();
        let order = shuffled(n, 5);
        let narrow = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
        let mut w64 = w0.clone();
        let squares = by_record(&Sigmoid, layer, &mut w64, &x, &y, 0.5, n, &order);
        let mut w32 = narrow(&w0);
        let mut g = vec![0.0_f32; w32.len()];
        let (x32, y32) = (narrow(&x), narrow(&y));
        let loss =
            minibatch_epoch(&Sigmoid, layer, &mut w32, &x32, &y32, 0.5, n, &order, &mut g).unwrap();
        let eps = f64::from(f32::EPSILON);
        // Per δ: the slice kernels (f ≤ 1 ulp, f′ ≤ 2 ulp) give ≤ f′(3ε|r| + ε|f|) ≤ ε; the net
        // input, d + 1 terms with Σ|w x| ≤ 68·(5/8)·(3/32), is off by ≤ (d + 1)ε/2·4 and
        // |dδ/dh| = |−σ′² + (y − σ)σ″| ≤ 1/16 + 1/10 < 1/6.
        let per_delta = eps + (d as f64 + 1.0) * eps / 2.0 * 4.0 / 6.0;
        // g: n terms |δ x| ≤ (1/4)(5/8), each δ off by `per_delta`, summed with n + 8 roundings.
        let g_bound = n as f64 * 0.625 * (per_delta + (n as f64 + 8.0) * eps / 2.0 / 4.0);
        for (a, b) in w32.iter().zip(&w64) {
            // The step (η/n)·g and the addition round twice more.
            let bound = 0.5 / n as f64 * g_bound + eps * (b.abs() + 0.5 * 0.625 / 4.0);
            assert!((f64::from(*a) - b).abs() <= bound, "{a} vs {b} (bound {bound:e})");
        }
        // Each squared residual off by 2|r|·|Δr| ≤ 2(ε + (d + 1)ε/2), halved in E.
        let e_bound = n as f64 * (2.0 * eps + (d as f64 + 1.0) * eps / 2.0) + eps * squares;
        assert!(
            (f64::from(loss.sse) - squares / 2.0).abs() <= e_bound,
            "{loss:?} vs {}",
            squares / 2.0
        );
    }

    #[test]
    fn batch_epoch_rejects_empty_data() {
        let mut w = [1.0_f32];
        let mut g = [0.0];
        let err = batch_epoch(&Sigmoid, Layer::new(1, 1), &mut w, &[], &[], 0.5, &mut g);
        assert_eq!(err, Err(Error::Empty { arg: "x" }));
        // No records: `x` is at fault, not the `y` that has some.
        let err = batch_epoch(&Sigmoid, Layer::new(1, 1), &mut w, &[], &[1.0], 0.5, &mut g);
        assert_eq!(err, Err(Error::Empty { arg: "x" }));
        assert_eq!((w, g), ([1.0], [0.0]));
    }
}
