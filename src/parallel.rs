//! The batch gradient over records on several threads (feature `rayon`).

use num_traits::Float;

use crate::activation::Activation;
use crate::epoch::Loss;
use crate::error::{check_learn_rate, Error};
use crate::gradient::{accumulate_rows, check_gradient, step_scale};
use crate::kernels::{self, SquaredErrorSum};
use crate::layer::Layer;

/// [`batch_gradient`](crate::batch_gradient) on the threads of the current rayon pool.
///
/// The records are split into one contiguous shard per thread of the pool (the shard bounds
/// depend only on the number of records and the number of threads); the calling thread computes
/// the first shard's gradient and loss as `batch_gradient` does while the pool's threads compute
/// the others, and the shards are summed in shard order. The result
/// is therefore the same on every run with the same number of threads. It allocates one gradient
/// buffer per shard.
///
/// # Errors
///
/// As [`batch_gradient`](crate::batch_gradient); on `Err`, `gradient` is untouched.
///
/// # Special cases
///
/// As [`batch_gradient`](crate::batch_gradient).
///
/// # Accuracy
///
/// Only the order of the sums over records differs from the serial result: every gradient entry
/// differs from the serial one by at most 2n·ε·Σ_μ |δ_jμ x_iμ| for n records (the sum of both
/// results' error bounds), and the loss by at most 2n·ε·E.
///
/// # Examples
///
/// ```
/// use delta_rule::{batch_gradient, par_batch_gradient, Layer, Sigmoid};
///
/// let layer = Layer::new(2, 1).with_bias();
/// let x: Vec<f64> = (0..2000).map(|i| f64::from(i % 17) / 17.0).collect();
/// let y: Vec<f64> = (0..1000).map(|i| f64::from(i % 2)).collect();
/// let w = [0.3, -0.2, 0.1];
/// let (mut serial, mut parallel) = ([0.0; 3], [0.0; 3]);
/// let e = batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut serial)?;
/// let e_par = par_batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut parallel)?;
/// assert!((e - e_par).abs() <= 2000.0 * f64::EPSILON * e);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn par_batch_gradient<T, A>(
    activation: &A,
    layer: Layer,
    weights: &[T],
    x: &[T],
    y: &[T],
    gradient: &mut [T],
) -> Result<T, Error>
where
    T: Float + Send + Sync,
    A: Activation<T> + Sync + ?Sized,
{
    let n = layer.records(x, y)?;
    layer.check_weights(weights)?;
    check_gradient(layer, gradient)?;
    let shard_rows = n.div_ceil(rayon::current_num_threads()).max(1);
    let shard = |(xs, ys): (&[T], &[T])| {
        let mut g = vec![T::zero(); gradient.len()];
        let squares = accumulate_rows(activation, layer, weights, xs, ys, &mut g);
        (g, squares)
    };
    let mut parts = x.chunks(shard_rows * layer.inputs).zip(y.chunks(shard_rows * layer.outputs));
    let first_part = parts.next();
    let mut rest = vec![(Vec::new(), SquaredErrorSum::new()); parts.len()];
    let mut first = None;
    // The calling thread works on the first shard while the pool takes the others, rather than
    // handing all of them to the pool and blocking: waking the pool's threads then overlaps
    // useful work (about 0.2 ms per call here when they had gone to sleep between epochs).
    rayon::in_place_scope(|scope| {
        for (result, part) in rest.iter_mut().zip(parts) {
            scope.spawn(move |_| *result = shard(part));
        }
        first = first_part.map(shard);
    });
    gradient.fill(T::zero());
    let mut squares = SquaredErrorSum::new();
    for (g, s) in first.iter().chain(&rest) {
        kernels::axpy(gradient, T::one(), g);
        squares.merge(s);
    }
    Ok(squares.half_sum())
}

/// [`batch_epoch`](crate::batch_epoch) with the gradient from [`par_batch_gradient`].
///
/// # Errors
///
/// As [`batch_epoch`](crate::batch_epoch); on `Err`, `weights` and `gradient` are untouched.
///
/// # Special cases
///
/// As [`batch_epoch`](crate::batch_epoch).
///
/// # Examples
///
/// ```
/// use delta_rule::{batch_epoch, par_batch_epoch, Layer, Sigmoid};
///
/// let layer = Layer::new(2, 1);
/// let (x, y) = ([0.1_f64, 0.3, 0.5, -0.2], [0.2, 0.9]);
/// let (mut w, mut w_par) = ([-0.8, 0.5], [-0.8, 0.5]);
/// let mut g = [0.0; 2];
/// let loss = batch_epoch(&Sigmoid, layer, &mut w, &x, &y, 0.5, &mut g)?;
/// let loss_par = par_batch_epoch(&Sigmoid, layer, &mut w_par, &x, &y, 0.5, &mut g)?;
/// assert!((loss.sse - loss_par.sse).abs() < 1e-15);
/// assert!((w[0] - w_par[0]).abs() < 1e-15);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub fn par_batch_epoch<T, A>(
    activation: &A,
    layer: Layer,
    weights: &mut [T],
    x: &[T],
    y: &[T],
    learn_rate: T,
    gradient: &mut [T],
) -> Result<Loss<T>, Error>
where
    T: Float + Send + Sync,
    A: Activation<T> + Sync + ?Sized,
{
    check_learn_rate(learn_rate)?;
    let n = layer.records(x, y)?;
    if n == 0 {
        return Err(Error::Empty { arg: "x" });
    }
    layer.check_weights(weights)?;
    let sse = par_batch_gradient(activation, layer, weights, x, y, gradient)?;
    kernels::axpy(weights, step_scale(learn_rate, n), gradient);
    Ok(Loss::new(sse, n * layer.outputs))
}
