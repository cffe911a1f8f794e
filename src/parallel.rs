//! The batch gradient over records on several threads (feature `rayon`).

use core::sync::atomic::{AtomicU32, Ordering};

use num_traits::Float;

use crate::activation::Activation;
use crate::epoch::Loss;
use crate::error::{check_learn_rate, Error};
use crate::gradient::{accumulate_rows, check_gradient, step_scale};
use crate::kernels::{self, SquaredErrorSum};
use crate::layer::Layer;

/// The fewest elements of `x` and `y` in a shard of [`par_batch_gradient`]: enough that a shard's
/// own costs (its gradient buffer, its start in the kernels, its share of the final sum) stay
/// small beside its work.
const MIN_SHARD_ELEMENTS: usize = 1 << 16;

/// The fewest elements of `x` and `y` that [`par_batch_gradient`] hands to the pool; smaller
/// inputs stay on the calling thread. On the 2-vCPU machines measured, a call that used the
/// pool cost about 10 µs more than its shards' work, as much as the `f32` σ epoch over half a
/// MiB of rows on one core: just over 2¹⁷ elements (two shards) the parallel epoch took up to
/// twice as long as the serial one, about 2¹⁸ it broke even, and beyond it gained
/// (`epoch_by_size_*` in `benches/epoch.rs`, docs/benchmark-log.md).
const MIN_PARALLEL_ELEMENTS: usize = 4 * MIN_SHARD_ELEMENTS;

/// The most shards [`par_batch_gradient`] splits the records into (below 2¹⁶, for [`Run`]). More
/// shards than threads let a thread done with its own run take over the end of another's, and
/// bounding them bounds the gradient buffers.
const MAX_SHARDS: usize = 64;
const _: () = assert!(MAX_SHARDS < 1 << 16);

/// Shards of [`par_batch_gradient`] hold a multiple of this many records, the most rows the
/// σ epoch's kernels take in one group. On AMD Zen 4, with rows of 64 features read from memory,
/// shards of 1563 records (100 000 records in 64 shards) made the sharded gradient 3–11 % slower
/// than shards of 1568 (`f64` and `f32`, in-process, on one thread and on two), as did the other
/// counts tried that are not a multiple of 4; 1560, 1564 and 1600 ran as fast as one call over
/// all records. From L2 one shard of 1563 records takes the same time per row as one of 1568:
/// not a cost per call, but probably how each group of rows falls on 4 KiB pages when read from
/// memory (docs/benchmark-log.md).
const SHARD_RECORD_MULTIPLE: usize = 32;

/// [`batch_gradient`](crate::batch_gradient) on the threads of the current rayon pool.
///
/// Available with the `rayon` feature. The activation is shared by the threads, so it must be
/// `Sync`: a trait object is passed as `&(dyn Activation<T> + Sync)`.
///
/// Inputs of fewer than 2¹⁸ elements of `x` and `y` together, and those of a single shard, run as
/// `batch_gradient` itself on the calling thread, with the same bits and no allocation: for them
/// the pool's start would cost more than it saves. Larger ones are split into contiguous shards,
/// all but the last of at least 2¹⁶ elements (and 8 times the number of weights) and of a multiple
/// of 32 records, at most 64 of them; the bounds depend only on the shapes, not on the pool. The
/// calling thread and up to one less than the pool's threads each own a run of consecutive shards,
/// as even as the split allows, and compute their gradients and losses in order as `batch_gradient`
/// does; a thread whose run is done takes the last shards of the others' runs, so that one started
/// late or slowed down by other work on the machine holds up the call less. The shards are then
/// summed in shard order: the result is the same bits on every run and with any number of threads.
/// It allocates one gradient buffer per shard, together at most an eighth of the memory of `x` and
/// `y` beyond the first.
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
/// // 10⁵ records of 2 features and 1 target: 3·10⁵ elements, enough to be split into shards.
/// let n = 100_000;
/// let layer = Layer::new(2, 1).with_bias();
/// let x: Vec<f64> = (0..2 * n).map(|i| f64::from(i % 17) / 17.0).collect();
/// let y: Vec<f64> = (0..n).map(|i| f64::from(i % 2)).collect();
/// let w = [0.3, -0.2, 0.1];
/// let (mut serial, mut parallel) = ([0.0; 3], [0.0; 3]);
/// let e = batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut serial)?;
/// let e_par = par_batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut parallel)?;
/// // The sums over records run in another order: the loss within 2n·ε·E (see Accuracy).
/// assert!((e - e_par).abs() <= 2.0 * n as f64 * f64::EPSILON * e);
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
    let weights_len = gradient.len();
    let shard_rows = shard_rows(n, layer);
    let shards = n.div_ceil(shard_rows);
    let elements = n.saturating_mul(layer.inputs.saturating_add(layer.outputs));
    if shards <= 1 || elements < MIN_PARALLEL_ELEMENTS {
        // The serial computation: into `gradient` itself, with no buffer.
        gradient.fill(T::zero());
        return Ok(accumulate_rows(activation, layer, weights, x, y, gradient).half_sum());
    }
    let threads = rayon::current_num_threads().clamp(1, shards.max(1));
    let runs = Run::split(shards, threads);
    let take_shards = |t: usize| {
        let mut done = Vec::new();
        let mut add = |i: usize| {
            let rows = i * shard_rows..n.min((i + 1) * shard_rows);
            let xs = &x[rows.start * layer.inputs..rows.end * layer.inputs];
            let ys = &y[rows.start * layer.outputs..rows.end * layer.outputs];
            let mut g = vec![T::zero(); weights_len];
            let squares = accumulate_rows(activation, layer, weights, xs, ys, &mut g);
            done.push((i, g, squares));
        };
        while let Some(i) = runs[t].take_first() {
            add(i);
        }
        // A run once empty stays empty, so one pass over the others leaves every run empty.
        for k in 1..threads {
            while let Some(i) = runs[(t + k) % threads].take_last() {
                add(i);
            }
        }
        done
    };
    let mut taken = vec![Vec::new(); threads - 1];
    let mut own = Vec::new();
    // The calling thread works on its run rather than blocking while the pool wakes up: its
    // first shards overlap the pool threads' start (about 0.2 ms per call when they had gone to
    // sleep between epochs).
    rayon::in_place_scope(|scope| {
        for (t, done) in taken.iter_mut().enumerate() {
            let take_shards = &take_shards;
            scope.spawn(move |_| *done = take_shards(t + 1));
        }
        own = take_shards(0);
    });
    let mut parts: Vec<_> = own.into_iter().chain(taken.into_iter().flatten()).collect();
    parts.sort_unstable_by_key(|&(i, ..)| i);
    gradient.fill(T::zero());
    let mut squares = SquaredErrorSum::new();
    for (_, g, s) in &parts {
        kernels::axpy(gradient, T::one(), g);
        squares.merge(s);
    }
    Ok(squares.half_sum())
}

/// [`batch_epoch`](crate::batch_epoch) with the gradient from [`par_batch_gradient`].
///
/// Available with the `rayon` feature. The activation is shared by the threads, so it must be
/// `Sync`: a trait object is passed as `&(dyn Activation<T> + Sync)`.
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
/// // 10⁵ records of 2 features in [0, 1] and 1 target: enough to be split into shards.
/// let n = 100_000;
/// let layer = Layer::new(2, 1);
/// let x: Vec<f64> = (0..2 * n).map(|i| f64::from(i % 17) / 17.0).collect();
/// let y: Vec<f64> = (0..n).map(|i| f64::from(i % 2)).collect();
/// let (mut w, mut w_par) = ([-0.8, 0.5], [-0.8, 0.5]);
/// let mut g = [0.0; 2];
/// let loss = batch_epoch(&Sigmoid, layer, &mut w, &x, &y, 0.5, &mut g)?;
/// let loss_par = par_batch_epoch(&Sigmoid, layer, &mut w_par, &x, &y, 0.5, &mut g)?;
/// // Only the order of the sums over records differs (see `par_batch_gradient`): the loss
/// // within 2n·ε·E, each step η/n·Σ δx within η/n · 2n·ε · n/4 (|δ| ≤ 1/4, |x| ≤ 1), and
/// // each weight (|w| < 1) rounds once after it.
/// assert!((loss.sse - loss_par.sse).abs() <= 2.0 * n as f64 * f64::EPSILON * loss.sse);
/// for (a, b) in w.iter().zip(&w_par) {
///     assert!((a - b).abs() <= 0.5 * 2.0 * f64::EPSILON * n as f64 / 4.0 + f64::EPSILON);
/// }
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
    check_learn_rate("learn_rate", learn_rate)?;
    let n = layer.nonempty_records(x, y)?;
    layer.check_weights(weights)?;
    let sse = par_batch_gradient(activation, layer, weights, x, y, gradient)?;
    kernels::axpy(weights, step_scale(learn_rate, n), gradient);
    Ok(Loss::new(sse, n * layer.outputs))
}

/// Records per shard in [`par_batch_gradient`] for `n` records: shards of at least
/// [`MIN_SHARD_ELEMENTS`] elements of `x` and `y` and 8 times the layer's weights (so that their
/// gradient buffers together take at most an eighth of the memory of `x` and `y`, beyond one),
/// and at most [`MAX_SHARDS`] of them, rounded up to a multiple of [`SHARD_RECORD_MULTIPLE`]
/// (which only makes them fewer). At least 1.
fn shard_rows(n: usize, layer: Layer) -> usize {
    let record_len = layer.inputs.saturating_add(layer.outputs).max(1);
    let min_elements = MIN_SHARD_ELEMENTS.max(layer.weights_len().saturating_mul(8));
    let rows = n.div_ceil(MAX_SHARDS).max(min_elements.div_ceil(record_len));
    // Unless rounding up would overflow, which no layer's shapes reach.
    rows.checked_next_multiple_of(SHARD_RECORD_MULTIPLE).unwrap_or(rows)
}

/// The shards of a run not yet taken, i..end, as one word (i in the low 16 bits, end in the high
/// 16), so that its owner can take the first and another thread the last without a lock.
struct Run(AtomicU32);

impl Run {
    /// `shards` as one run per thread, thread t's from t·shards/threads up to
    /// (t + 1)·shards/threads: while the threads keep pace, each reads the records that one shard
    /// per thread would have given it.
    fn split(shards: usize, threads: usize) -> Vec<Run> {
        (0..threads).map(|t| Run::new(t * shards / threads, (t + 1) * shards / threads)).collect()
    }

    fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end && end <= MAX_SHARDS, "{start}..{end}");
        Run(AtomicU32::new(((end as u32) << 16) | start as u32))
    }

    fn take_first(&self) -> Option<usize> {
        self.take(|start, end| (start < end).then(|| (start + 1, end, start)))
    }

    fn take_last(&self) -> Option<usize> {
        self.take(|start, end| (start < end).then(|| (start, end - 1, end - 1)))
    }

    /// Takes the shard `step` picks from start..end, if any, by compare-and-swap: each shard is
    /// taken once. Relaxed suffices, as the results reach the caller through the scope's join.
    fn take(&self, step: impl Fn(u32, u32) -> Option<(u32, u32, u32)>) -> Option<usize> {
        let mut word = self.0.load(Ordering::Relaxed);
        loop {
            let (start, end, shard) = step(word & 0xffff, word >> 16)?;
            let next = (end << 16) | start;
            match self.0.compare_exchange_weak(word, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return Some(shard as usize),
                Err(now) => word = now,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sigmoid;

    #[test]
    fn par_batch_epoch_blames_an_empty_x_before_the_shape_of_y() {
        let (mut w, mut g) = ([1.0_f64], [0.0]);
        for y in [&[][..], &[1.0]] {
            let err = par_batch_epoch(&Sigmoid, Layer::new(1, 1), &mut w, &[], y, 0.5, &mut g);
            assert_eq!(err, Err(Error::Empty { arg: "x" }), "y = {y:?}");
        }
        assert_eq!((w, g), ([1.0], [0.0]));
    }

    #[test]
    fn a_run_gives_each_shard_once_from_either_end() {
        let run = Run::new(3, 7);
        assert_eq!(run.take_first(), Some(3));
        assert_eq!(run.take_last(), Some(6));
        assert_eq!(run.take_last(), Some(5));
        assert_eq!(run.take_first(), Some(4));
        assert_eq!((run.take_first(), run.take_last()), (None, None));
        // Emptied from the back down to shard 0.
        let first = Run::new(0, 1);
        assert_eq!(
            (first.take_last(), first.take_last(), first.take_first()),
            (Some(0), None, None)
        );
        let empty = Run::new(MAX_SHARDS, MAX_SHARDS);
        assert_eq!((empty.take_first(), empty.take_last()), (None, None));
    }

    #[test]
    fn shards_are_few_and_their_buffers_small_beside_the_data() {
        let layers = [Layer::new(64, 1), Layer::new(7, 2).with_bias(), Layer::new(10_000, 100)];
        for layer in layers {
            let record_len = layer.inputs + layer.outputs;
            for n in [0, 1, 100, 7_282, 40_001, 100_000, 1 << 20] {
                let rows = shard_rows(n, layer);
                let shards = n.div_ceil(rows);
                let elements = n * record_len;
                assert!(rows >= 1 && shards <= MAX_SHARDS, "{layer:?}, {n} records");
                if shards > 1 {
                    assert!(rows * record_len >= MIN_SHARD_ELEMENTS, "{layer:?}, {n} records");
                }
                let buffers = shards * layer.weights_len();
                assert!(buffers <= elements / 8 + layer.weights_len(), "{layer:?}, {n} records");
            }
        }
        // Up to the cap, one shard per 2¹⁶ elements: ⌈2¹⁶/65⌉ = 1009 records of 64 + 1, 1024
        // as a multiple of 32; at the cap, ⌈100 000/64⌉ = 1563, 1568.
        assert_eq!(shard_rows(100_000, Layer::new(64, 1)), 1568);
        assert_eq!(shard_rows(10_000, Layer::new(64, 1)), 1024);
        for layer in layers {
            for n in [1, 7_282, 100_000, 1 << 20] {
                assert_eq!(shard_rows(n, layer) % SHARD_RECORD_MULTIPLE, 0, "{layer:?}, {n}");
            }
        }
    }

    #[test]
    fn threads_taking_from_all_runs_take_every_shard_exactly_once() {
        let (threads, shards) = (4, MAX_SHARDS);
        for round in 0..200 {
            let runs = Run::split(shards, threads);
            let mut taken: Vec<usize> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..threads)
                    .map(|t| {
                        let runs = &runs;
                        scope.spawn(move || {
                            let mut mine = Vec::new();
                            // Every other round all threads contend for the front of run 0,
                            // and the other runs are taken from the back only.
                            let own = if round % 2 == 0 { t } else { 0 };
                            while let Some(i) = runs[own].take_first() {
                                mine.push(i);
                            }
                            for k in 0..threads {
                                while let Some(i) = runs[(t + k) % threads].take_last() {
                                    mine.push(i);
                                }
                            }
                            mine
                        })
                    })
                    .collect();
                workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
            });
            taken.sort_unstable();
            assert_eq!(taken, (0..shards).collect::<Vec<_>>(), "round {round}");
        }
    }
}
