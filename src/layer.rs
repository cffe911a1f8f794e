//! A single-layer network: its shape, weight layout and initialisation, prediction and accuracy.
//!
//! The weights of a layer with D inputs and K outputs are one row-major K × R matrix in a
//! caller-owned slice, R = D without a bias and R = D + 1 with one: row j holds the weights
//! w_j1 … w_jD from every input to output j, followed by the bias b_j if the layer has one.
//! Output j of a record x is ŷⱼ = f(Σᵢ w_ji xᵢ + b_j).
//!
//! Data are row-major slices as well: `x` is records × D and `y` (or a prediction) records × K,
//! so a `Vec`, ndarray's `as_slice()` of a standard-layout array, or the `as_slice()` of a
//! column-major nalgebra matrix holding one record per column (D × records, the same memory)
//! can be passed without a copy.

use num_traits::Float;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::accurate;
use crate::activation::Activation;
use crate::error::{check_len, Error};
use crate::kernels;

/// The shape of a single-layer network: `inputs` features D, `outputs` K, and whether each
/// output has a bias.
///
/// The weights live in a caller-owned slice of [`weights_len`](Layer::weights_len) elements: a
/// row-major K × R matrix, R = [`row_len`](Layer::row_len) = D, or D + 1 with a bias. Row j holds
/// the weights w_j1 … w_jD from every input to output j, then the bias b_j if there is one, and
/// output j of a record x is ŷⱼ = f(Σᵢ w_ji xᵢ + b_j). Data are row-major too: `x` is
/// records × D and `y` records × K, so a `Vec`, ndarray's `as_slice()` of a standard-layout array
/// or the `as_slice()` of a column-major nalgebra matrix with one record per column is passed
/// without a copy.
///
/// # Examples
///
/// ```
/// use delta_rule::Layer;
///
/// let layer = Layer::new(3, 2).with_bias();
/// assert_eq!(layer.row_len(), 4);
/// assert_eq!(layer.weights_len(), 8); // [w11 w12 w13 b1 | w21 w22 w23 b2]
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layer {
    /// The number of input features D.
    pub inputs: usize,
    /// The number of outputs K.
    pub outputs: usize,
    /// Whether every output adds a bias b_j, stored last in its row of weights.
    pub bias: bool,
}

impl Layer {
    /// A layer from `inputs` features to `outputs` units, without bias.
    ///
    /// Both must be at least 1; functions that take the layer return [`Error::Zero`] otherwise.
    ///
    /// ```
    /// use delta_rule::Layer;
    ///
    /// assert_eq!(Layer::new(6, 1), Layer { inputs: 6, outputs: 1, bias: false });
    /// ```
    #[must_use]
    pub const fn new(inputs: usize, outputs: usize) -> Self {
        Layer { inputs, outputs, bias: false }
    }

    /// The same layer with a bias on every output (equivalent to a constant-1 input column).
    ///
    /// ```
    /// use delta_rule::Layer;
    ///
    /// assert!(Layer::new(2, 1).with_bias().bias);
    /// ```
    #[must_use]
    pub const fn with_bias(self) -> Self {
        Layer { bias: true, ..self }
    }

    /// The length R of one row of weights: D, or D + 1 with a bias (saturating at `usize::MAX`).
    ///
    /// ```
    /// use delta_rule::Layer;
    ///
    /// assert_eq!(Layer::new(5, 3).row_len(), 5);
    /// ```
    #[must_use]
    pub const fn row_len(&self) -> usize {
        self.inputs.saturating_add(self.bias as usize)
    }

    /// The number of weights K × R (saturating at `usize::MAX`).
    ///
    /// ```
    /// use delta_rule::Layer;
    ///
    /// assert_eq!(Layer::new(5, 3).weights_len(), 15);
    /// ```
    #[must_use]
    pub const fn weights_len(&self) -> usize {
        self.outputs.saturating_mul(self.row_len())
    }

    /// The number of records in `x` (records × inputs), after checking that `y` is
    /// records × outputs and that the layer is not empty.
    pub(crate) fn records<T>(&self, x: &[T], y: &[T]) -> Result<usize, Error> {
        self.records_named(x, y, "y")
    }

    /// As [`records`](Self::records), naming the records × outputs slice `y_arg`.
    pub(crate) fn records_named<T>(
        &self,
        x: &[T],
        y: &[T],
        y_arg: &'static str,
    ) -> Result<usize, Error> {
        let n = self.records_of_x(x)?;
        self.check_targets(n, y, y_arg)?;
        Ok(n)
    }

    /// As [`records`](Self::records), for the functions that need at least one record: with
    /// none, [`Error::Empty`] for `x` comes before `y`'s shape, which any `y` but an empty one
    /// would fail.
    pub(crate) fn nonempty_records<T>(&self, x: &[T], y: &[T]) -> Result<usize, Error> {
        let n = self.records_of_x(x)?;
        if n == 0 {
            return Err(Error::Empty { arg: "x" });
        }
        self.check_targets(n, y, "y")?;
        Ok(n)
    }

    /// `Ok` if the records × outputs slice `y` (named `y_arg`) holds `records` records.
    pub(crate) fn check_targets<T>(
        &self,
        records: usize,
        y: &[T],
        y_arg: &'static str,
    ) -> Result<(), Error> {
        let expected = records.saturating_mul(self.outputs);
        if y.len() == expected {
            Ok(())
        } else {
            Err(Error::ShapeMismatch { arg: y_arg, expected, found: y.len() })
        }
    }

    /// `Ok` for a layer with inputs and outputs, otherwise the [`Error::Zero`] naming the one
    /// that is 0.
    pub(crate) fn check_sizes(&self) -> Result<(), Error> {
        match (self.inputs, self.outputs) {
            (0, _) => Err(Error::Zero { arg: "layer.inputs" }),
            (_, 0) => Err(Error::Zero { arg: "layer.outputs" }),
            _ => Ok(()),
        }
    }

    /// The number of records in `x`, checking only `x` and the layer.
    pub(crate) fn records_of_x<T>(&self, x: &[T]) -> Result<usize, Error> {
        self.check_sizes()?;
        if !x.len().is_multiple_of(self.inputs) {
            return Err(Error::RaggedRows { arg: "x", len: x.len(), row_len: self.inputs });
        }
        Ok(x.len() / self.inputs)
    }

    /// `Ok` if `weights` has [`weights_len`](Self::weights_len) elements.
    pub(crate) fn check_weights<T>(&self, weights: &[T]) -> Result<(), Error> {
        let expected = self.weights_len();
        if weights.len() == expected {
            Ok(())
        } else {
            Err(Error::ShapeMismatch { arg: "weights", expected, found: weights.len() })
        }
    }
}

/// The net input h_j = Σᵢ w_ji xᵢ (+ b_j) of one row of weights for one record.
#[inline]
pub(crate) fn row_net_input<T: Float>(w_row: &[T], inputs: usize, x_row: &[T]) -> T {
    let (w_in, w_bias) = w_row.split_at(inputs);
    let h = kernels::dot(w_in, x_row);
    match w_bias.first() {
        Some(&b) => h + b,
        None => h,
    }
}

/// [`row_net_input`] for the first `h.len()` rows of `x_block` at once, from the blocked
/// dot-product kernel (bit-identical per row).
pub(crate) fn block_net_inputs<T: Float>(w_row: &[T], inputs: usize, x_block: &[T], h: &mut [T]) {
    let (w_in, w_bias) = w_row.split_at(inputs);
    kernels::net_inputs(x_block, w_in, h);
    if let Some(&b) = w_bias.first() {
        h.iter_mut().for_each(|v| *v = *v + b);
    }
}

/// Fills `weights` from a seed: every weight from an input drawn from the normal distribution
/// with mean 0 and standard deviation 1/√D (D = `layer.inputs`), every bias 0.
///
/// The generator is ChaCha8 seeded with `seed`, whose stream is the same on every platform; the
/// values are drawn in f64 (`rand_distr`'s ziggurat normal sampler) and rounded once to `T`. The
/// sampler calls `exp` and `ln` for a small share of its draws (the tail and the wedges), so
/// where two math libraries round those differently (`std` and `libm`, or two platforms' libms)
/// a seed's weights can differ in rare entries. The rand project changes its algorithms' output
/// only in minor releases, so a seed keeps its weights while this crate stays on `rand_distr`
/// 0.6 and `rand_chacha` 0.10 (their seeds give the same weights as with 0.5 and 0.9).
///
/// # Errors
///
/// - [`Error::Zero`] if the layer has no inputs or no outputs.
/// - [`Error::ShapeMismatch`] if `weights.len() != layer.weights_len()`.
///
/// On `Err`, `weights` is untouched.
///
/// # Special cases
///
/// None: every weight is finite.
///
/// # Examples
///
/// ```
/// use delta_rule::{init_weights, Layer};
///
/// let layer = Layer::new(4, 2).with_bias();
/// let mut w = [0.0_f64; 10];
/// init_weights(layer, &mut w, 42)?;
/// assert_eq!((w[4], w[9]), (0.0, 0.0)); // the biases
/// assert!(w.iter().all(|v| v.abs() < 3.0));
///
/// let mut again = [0.0_f64; 10];
/// init_weights(layer, &mut again, 42)?;
/// assert_eq!(w, again);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn init_weights<T: Float>(layer: Layer, weights: &mut [T], seed: u64) -> Result<(), Error> {
    layer.check_sizes()?;
    layer.check_weights(weights)?;
    let scale = Float::sqrt(layer.inputs as f64).recip();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for row in weights.chunks_exact_mut(layer.row_len()) {
        let (w_in, w_bias) = row.split_at_mut(layer.inputs);
        for w in w_in {
            let z: f64 = StandardNormal.sample(&mut rng);
            *w = accurate::from_f64(scale * z).unwrap_or_else(T::zero);
        }
        for b in w_bias {
            *b = T::zero();
        }
    }
    Ok(())
}

/// The outputs ŷ = f(W x + b) of the layer for every record of `x` (records × inputs), written
/// into `out` (records × outputs).
///
/// `activation` may be a trait object. The records are taken 256 at a time (16 in a call with
/// at most 16 records; with several outputs, as many as fit in 64 KiB, at least one): for each
/// output, their net inputs come from one blocked dot-product kernel (each bit-identical to
/// [`net_input`](crate::net_input) of its record, plus the bias) and f from one
/// [`Activation::activate_slice`] call, which the SIMD kernels serve for
/// [`Sigmoid`](crate::Sigmoid), [`Tanh`](crate::Tanh) and [`Softplus`](crate::Softplus). No
/// allocation.
///
/// # Accuracy
///
/// Each output is f of the net input as [`Activation::activate_slice`] computes it: for the
/// activations with SIMD kernels that can differ from [`Activation::activate`] by the kernels'
/// rounding (σ within 1 ulp of the exact value either way, see [`Sigmoid`](crate::Sigmoid));
/// for the others it is `activate` itself.
///
/// # Errors
///
/// In the order checked (the first fault found is the one reported):
///
/// - [`Error::Zero`] if the layer has no inputs or no outputs.
/// - [`Error::RaggedRows`] if `x.len()` is not a multiple of `layer.inputs`.
/// - [`Error::ShapeMismatch`] if `out` is not records × outputs, or `weights` is not
///   `layer.weights_len()` long.
///
/// On `Err`, `out` is untouched.
///
/// # Special cases
///
/// No records: nothing is written. NaN and ∞ in `x` or `weights` propagate as in
/// [`net_input`](crate::net_input) and the activation.
///
/// # Examples
///
/// ```
/// use delta_rule::{predict, Layer, Sigmoid};
///
/// let layer = Layer::new(2, 1).with_bias();
/// let w = [1.0_f64, -1.0, 0.5];
/// let x = [0.0, 0.0, 2.0, 1.0];
/// let mut y_hat = [0.0; 2];
/// predict(&Sigmoid, layer, &w, &x, &mut y_hat)?;
/// assert!((y_hat[0] - 0.6224593312018546).abs() < 1e-15); // σ(0.5)
/// assert!((y_hat[1] - 0.8175744761936437).abs() < 1e-15); // σ(1.5)
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn predict<T: Float, A: Activation<T> + ?Sized>(
    activation: &A,
    layer: Layer,
    weights: &[T],
    x: &[T],
    out: &mut [T],
) -> Result<(), Error> {
    let n = layer.records_named(x, out, "out")?;
    layer.check_weights(weights)?;
    // Scratch for a whole block is zeroed on every call, which would dominate a call with a
    // few records; those get a small block.
    if layer.outputs == 1 {
        if n <= PREDICT_SMALL_BLOCK {
            predict_one_output::<T, A, PREDICT_SMALL_BLOCK>(
                activation,
                layer.inputs,
                weights,
                x,
                out,
            );
        } else {
            predict_one_output::<T, A, PREDICT_BLOCK>(activation, layer.inputs, weights, x, out);
        }
    } else if n <= PREDICT_SMALL_BLOCK {
        predict_blocks::<T, A, PREDICT_SMALL_BLOCK>(activation, layer, weights, x, out);
    } else {
        predict_blocks::<T, A, PREDICT_BLOCK>(activation, layer, weights, x, out);
    }
    Ok(())
}

/// [`predict`] after its checks for several outputs, in blocks of at most `B` records, each
/// read once per output: small enough to stay in cache.
fn predict_blocks<T: Float, A: Activation<T> + ?Sized, const B: usize>(
    activation: &A,
    layer: Layer,
    weights: &[T],
    x: &[T],
    out: &mut [T],
) {
    let (d, k) = (layer.inputs, layer.outputs);
    let records =
        (PREDICT_BLOCK_BYTES / d.saturating_mul(core::mem::size_of::<T>()).max(1)).clamp(1, B);
    let mut h = [T::zero(); B];
    let mut y_hat = [T::zero(); B];
    let blocks = x.chunks(records.saturating_mul(d)).zip(out.chunks_mut(records.saturating_mul(k)));
    for (x_block, out_block) in blocks {
        let n = out_block.len() / k;
        let (h, y_hat) = (&mut h[..n], &mut y_hat[..n]);
        for (j, w_row) in weights.chunks_exact(layer.row_len()).enumerate() {
            block_net_inputs(w_row, d, x_block, h);
            activate_into(activation, h, y_hat);
            for (o, &v) in out_block.iter_mut().skip(j).step_by(k).zip(y_hat.iter()) {
                *o = v;
            }
        }
    }
}

/// [`predict`] after its checks for one output, in blocks of at most `B` records. Apart from
/// [`predict_blocks`] because a call on one record is mostly fixed costs, among them the
/// divisions of the general loop (chunk counts, records per block): 19 ns against 14 for one
/// record of 64 `f32` features with `Identity` (Intel Xeon, see docs/benchmark-log.md).
fn predict_one_output<T: Float, A: Activation<T> + ?Sized, const B: usize>(
    activation: &A,
    d: usize,
    w_row: &[T],
    x: &[T],
    out: &mut [T],
) {
    let mut h = [T::zero(); B];
    let mut start = 0;
    while start < out.len() {
        let m = (out.len() - start).min(B);
        let h = &mut h[..m];
        block_net_inputs(w_row, d, &x[start * d..(start + m) * d], h);
        activate_into(activation, h, &mut out[start..start + m]);
        start += m;
    }
}

/// Records per block of [`predict`] (at most): their net inputs for one output come from one
/// blocked kernel, and f from one [`Activation::activate_slice`] call.
const PREDICT_BLOCK: usize = 256;

/// The block of [`predict`] for at most this many records.
const PREDICT_SMALL_BLOCK: usize = 16;

/// The most bytes of records per block of [`predict`] with several outputs, which reads each
/// block once per output: 64 KiB stays in L2 (256 records of 64 `f32` features).
const PREDICT_BLOCK_BYTES: usize = 64 << 10;

/// `out` ← f(`h`) by [`Activation::activate_slice`] (equal lengths).
fn activate_into<T: Float, A: Activation<T> + ?Sized>(activation: &A, h: &[T], out: &mut [T]) {
    if activation.activate_slice(h, out).is_err() {
        // Only a faulty override can fail on equal lengths; the per-element function is then
        // the definition.
        for (o, &v) in out.iter_mut().zip(h) {
            *o = activation.activate(v);
        }
    }
}

/// The fraction of outputs classified right, for 0/1 targets: ŷ > 0.5 predicts 1, and the
/// target counts as 1 when y > 0.5.
///
/// `y` and `y_hat` are compared element by element, so for several outputs every output of
/// every record counts once.
///
/// # Errors
///
/// - [`Error::LengthMismatch`] if `y_hat.len() != y.len()`.
/// - [`Error::Empty`] if both are empty.
///
/// # Special cases
///
/// A NaN in `y_hat` predicts 0 (NaN > 0.5 is false), a NaN target counts as 0.
///
/// # Examples
///
/// ```
/// use delta_rule::accuracy;
///
/// let acc = accuracy(&[1.0_f32, 0.0, 1.0, 0.0], &[0.9, 0.2, 0.4, 0.5])?;
/// assert_eq!(acc, 0.75); // 0.4 predicts 0 for a 1; 0.5 predicts 0
/// // A target of 0.5 counts as 0.
/// assert_eq!(accuracy(&[0.5_f64], &[0.2])?, 1.0);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn accuracy<T: Float>(y: &[T], y_hat: &[T]) -> Result<f64, Error> {
    check_len("y", y.len(), "y_hat", y_hat.len())?;
    if y.is_empty() {
        return Err(Error::Empty { arg: "y" });
    }
    let half = (T::one() + T::one()).recip();
    let right = y.iter().zip(y_hat).filter(|(&t, &p)| (t > half) == (p > half)).count();
    Ok(right as f64 / y.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Identity, Sigmoid};

    #[test]
    fn shape_checks_name_the_argument() {
        let layer = Layer::new(3, 2);
        assert_eq!(
            layer.records(&[0.0_f64; 7], &[0.0; 4]),
            Err(Error::RaggedRows { arg: "x", len: 7, row_len: 3 })
        );
        assert_eq!(
            layer.records(&[0.0_f64; 6], &[0.0; 3]),
            Err(Error::ShapeMismatch { arg: "y", expected: 4, found: 3 })
        );
        assert_eq!(layer.records(&[0.0_f64; 6], &[0.0; 4]), Ok(2));
        let zero = |arg| Err(Error::Zero { arg });
        assert_eq!(Layer::new(0, 1).records::<f32>(&[], &[]), zero("layer.inputs"));
        assert_eq!(Layer::new(2, 0).records::<f32>(&[], &[]), zero("layer.outputs"));
        assert_eq!(
            init_weights::<f32>(Layer::new(2, 0), &mut [], 1),
            Err(Error::Zero { arg: "layer.outputs" })
        );
        assert_eq!(
            Layer::new(2, 1).with_bias().check_weights(&[0.0_f32; 2]),
            Err(Error::ShapeMismatch { arg: "weights", expected: 3, found: 2 })
        );
        // A layer whose weights overflow `usize`: the message does not quote the saturated count.
        let huge = Layer::new(3, usize::MAX / 2).with_bias();
        let err = init_weights(huge, &mut [0.0_f64; 4], 1).unwrap_err();
        assert_eq!(err, Error::ShapeMismatch { arg: "weights", expected: usize::MAX, found: 4 });
        assert_eq!(
            err.to_string(),
            "shape mismatch: `weights` has 4 elements, expected more elements than a slice can hold"
        );
    }

    #[test]
    fn predict_uses_rows_as_outputs() {
        // Two outputs with bias and the identity: ŷ_j = w_j·x + b_j, checked by hand.
        let layer = Layer::new(2, 2).with_bias();
        let w = [1.0_f64, 2.0, 0.5, -1.0, 0.0, 3.0];
        let x = [1.0, 1.0, 2.0, -1.0];
        let mut out = [0.0; 4];
        predict(&Identity, layer, &w, &x, &mut out).unwrap();
        assert_eq!(out, [3.5, 2.0, 0.5, 1.0]);
        let mut short = [7.0; 3];
        assert!(predict(&Sigmoid, layer, &w, &x, &mut short).is_err());
        assert_eq!(short, [7.0; 3]);
    }

    #[test]
    fn init_is_seeded_and_scaled() {
        let layer = Layer::new(400, 5);
        let mut a = [0.0_f64; 2000];
        let mut b = [0.0_f64; 2000];
        init_weights(layer, &mut a, 1).unwrap();
        init_weights(layer, &mut b, 2).unwrap();
        assert_ne!(a, b);
        // 2000 draws of N(0, 1/400): the sample variance is within 10 % of 1/400 with
        // probability far above 1 − 1e-6 (its relative standard deviation is √(2/2000) ≈ 3 %).
        let var = a.iter().map(|v| v * v).sum::<f64>() / a.len() as f64;
        assert!((var * 400.0 - 1.0).abs() < 0.1, "variance {var}");
        assert_eq!(
            init_weights(layer, &mut a[1..], 1),
            Err(Error::ShapeMismatch { arg: "weights", expected: 2000, found: 1999 })
        );
    }

    #[test]
    fn accuracy_errors() {
        assert_eq!(accuracy::<f64>(&[], &[]), Err(Error::Empty { arg: "y" }));
        assert!(matches!(accuracy(&[1.0_f64], &[1.0, 0.0]), Err(Error::LengthMismatch { .. })));
        assert_eq!(accuracy(&[0.0_f64, 1.0], &[f64::NAN, f64::NAN]), Ok(0.5));
    }
}
