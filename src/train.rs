//! The training loop: epochs of batch, mini-batch or stochastic descent with an observer,
//! early stopping, and recovery from divergence.

use core::ops::ControlFlow;

use num_traits::Float;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::activation::Activation;
use crate::epoch::{minibatch_epoch, Loss};
use crate::error::{check_learn_rate, Error};
use crate::gradient::{accumulate_rows, step_scale};
use crate::kernels;
use crate::layer::Layer;

/// How an epoch walks the records.
///
/// # Examples
///
/// ```
/// use delta_rule::Descent;
///
/// let modes = [Descent::Batch, Descent::Minibatch { size: 32 }, Descent::Stochastic];
/// assert_ne!(modes[1], modes[2]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Descent {
    /// One update per epoch from all records ([`batch_epoch`](crate::batch_epoch)).
    Batch,
    /// One update per `size` records, in an order shuffled every epoch
    /// ([`minibatch_epoch`]).
    Minibatch {
        /// Records per update, at least 1.
        size: usize,
    },
    /// One update per record, in an order shuffled every epoch (`Minibatch { size: 1 }`).
    Stochastic,
}

/// The settings of a training run: epochs, learning rate, descent, early-stop tolerance and
/// shuffle seed.
///
/// # Examples
///
/// ```
/// use delta_rule::{Descent, Schedule};
///
/// let s = Schedule::new(1000, 0.5_f64).descent(Descent::Stochastic).tolerance(1e-4).seed(7);
/// assert_eq!((s.epochs, s.learn_rate, s.tolerance, s.seed), (1000, 0.5, Some(1e-4), 7));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Schedule<T> {
    /// The largest number of epochs to run, at least 1.
    pub epochs: usize,
    /// The learning rate η, finite and ≥ 0.
    pub learn_rate: T,
    /// Batch, mini-batch or stochastic descent.
    pub descent: Descent,
    /// Stop after the first epoch whose mean squared error is ≤ this; `None` runs every epoch.
    /// For batch descent that error is the loss of the weights the epoch started from, and the
    /// run returns those weights (the epoch's update is not made).
    pub tolerance: Option<T>,
    /// Seeds the shuffle of mini-batch and stochastic descent (ChaCha8 and `rand`'s shuffle: the
    /// same order on every platform, and with every release of this crate that stays on `rand`
    /// 0.10 and `rand_chacha` 0.10, as the rand project changes its output only in minor
    /// releases; their seeds give the same orders as with 0.9).
    pub seed: u64,
}

impl<T> Schedule<T> {
    /// `epochs` epochs of batch descent at `learn_rate`, no tolerance, seed 0.
    ///
    /// ```
    /// use delta_rule::{Descent, Schedule};
    ///
    /// let s = Schedule::new(10, 0.1_f32);
    /// assert_eq!((s.descent, s.tolerance, s.seed), (Descent::Batch, None, 0));
    /// ```
    #[must_use]
    pub const fn new(epochs: usize, learn_rate: T) -> Self {
        Schedule { epochs, learn_rate, descent: Descent::Batch, tolerance: None, seed: 0 }
    }

    /// The same schedule with another descent.
    ///
    /// ```
    /// use delta_rule::{Descent, Schedule};
    ///
    /// let s = Schedule::new(10, 0.1_f64).descent(Descent::Minibatch { size: 8 });
    /// assert_eq!(s.descent, Descent::Minibatch { size: 8 });
    /// ```
    #[must_use]
    pub fn descent(self, descent: Descent) -> Self {
        Schedule { descent, ..self }
    }

    /// The same schedule, stopping once an epoch's mean squared error is ≤ `tolerance`.
    ///
    /// ```
    /// use delta_rule::Schedule;
    ///
    /// assert_eq!(Schedule::new(10, 0.1_f64).tolerance(0.01).tolerance, Some(0.01));
    /// ```
    #[must_use]
    pub fn tolerance(self, tolerance: T) -> Self {
        Schedule { tolerance: Some(tolerance), ..self }
    }

    /// The same schedule with another shuffle seed.
    ///
    /// ```
    /// use delta_rule::Schedule;
    ///
    /// assert_eq!(Schedule::new(10, 0.1_f64).seed(3).seed, 3);
    /// ```
    #[must_use]
    pub fn seed(self, seed: u64) -> Self {
        Schedule { seed, ..self }
    }
}

/// The outcome of [`train`].
///
/// # Examples
///
/// ```
/// use delta_rule::{train, Layer, Report, Schedule, Sigmoid};
///
/// let layer = Layer::new(1, 1);
/// let mut w = [0.0_f64];
/// let mut scratch = [0.0; 3];
/// let report: Report<f64> =
///     train(&Sigmoid, layer, &mut w, &[1.0], &[1.0], &Schedule::new(5, 1.0), &mut scratch, &mut [], |_, _| {})?;
/// assert_eq!((report.epochs, report.converged), (5, false));
/// # Ok::<(), delta_rule::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Report<T> {
    /// The number of epochs run.
    pub epochs: usize,
    /// The loss of the last epoch run.
    pub loss: Loss<T>,
    /// Whether the run stopped early because the loss reached the tolerance (for batch descent,
    /// the loss of the weights returned).
    pub converged: bool,
    /// Whether the observer stopped the run, by returning [`ControlFlow::Break`] after the last
    /// epoch run.
    pub stopped: bool,
}

/// What a [`train`] observer returns: `()` to let the run go on, or a [`ControlFlow`], whose
/// [`Break`](ControlFlow::Break) stops the run after the epoch just observed (a time budget, a
/// loss that no longer falls, a cancelled job).
///
/// Sealed: implemented for `()` and `ControlFlow<()>` only.
///
/// # Examples
///
/// Stopping once an epoch lowers the mean squared error by less than 10⁻⁶:
///
/// ```
/// use core::ops::ControlFlow;
/// use delta_rule::{train, train_scratch_len, Layer, Schedule, Sigmoid};
///
/// let layer = Layer::new(1, 1).with_bias();
/// let (x, y) = ([0.0_f64, 1.0, 2.0, 3.0], [0.1, 0.3, 0.6, 0.8]);
/// let (mut w, mut scratch) = ([0.0; 2], [0.0; 6]);
/// assert_eq!(scratch.len(), train_scratch_len(layer));
/// let schedule = Schedule::new(100_000, 0.5);
/// let mut last = f64::INFINITY;
/// let report = train(&Sigmoid, layer, &mut w, &x, &y, &schedule, &mut scratch, &mut [], |_, loss| {
///     let plateau = last - loss.mse < 1e-6;
///     last = loss.mse;
///     if plateau { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
/// })?;
/// assert!(report.stopped && report.epochs < 100_000);
/// # Ok::<(), delta_rule::Error>(())
/// ```
pub trait ObserverFlow: sealed::Sealed {
    /// Whether the run stops after the epoch observed.
    ///
    /// ```
    /// use core::ops::ControlFlow;
    /// use delta_rule::ObserverFlow;
    ///
    /// assert!(!().stops());
    /// assert!(ControlFlow::Break(()).stops());
    /// ```
    fn stops(self) -> bool;
}

impl ObserverFlow for () {
    fn stops(self) -> bool {
        false
    }
}

impl ObserverFlow for ControlFlow<()> {
    fn stops(self) -> bool {
        self.is_break()
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for () {}
    impl Sealed for core::ops::ControlFlow<()> {}
}

/// The scratch length [`train`] needs for `layer`: three times its number of weights (the
/// gradient and two copies of the weights), saturating at `usize::MAX`.
///
/// # Examples
///
/// ```
/// use delta_rule::{train_scratch_len, Layer};
///
/// assert_eq!(train_scratch_len(Layer::new(6, 1)), 18);
/// ```
#[must_use]
pub const fn train_scratch_len(layer: Layer) -> usize {
    layer.weights_len().saturating_mul(3)
}

/// The shape of a [`train`] run that [`check_run`] accepted.
struct Run {
    records: usize,
    /// Records per update; `None` for batch descent.
    batch_size: Option<usize>,
}

/// Every check of [`train`] but those of its buffers, in the order [`train`] reports them.
fn check_run<T: Float>(
    layer: Layer,
    weights: &[T],
    x: &[T],
    y: &[T],
    schedule: &Schedule<T>,
) -> Result<Run, Error> {
    check_learn_rate("schedule.learn_rate", schedule.learn_rate)?;
    let records = layer.nonempty_records(x, y)?;
    if schedule.epochs == 0 {
        return Err(Error::Zero { arg: "schedule.epochs" });
    }
    layer.check_weights(weights)?;
    let batch_size = match schedule.descent {
        Descent::Batch => None,
        Descent::Stochastic => Some(1),
        Descent::Minibatch { size: 0 } => return Err(Error::Zero { arg: "schedule.descent.size" }),
        Descent::Minibatch { size } => Some(size),
    };
    Ok(Run { records, batch_size })
}

/// Trains a single-layer network in place: up to `schedule.epochs` epochs of the chosen descent,
/// calling `observer(epoch, loss)` after each epoch (epochs count from 1), and stopping early once
/// the mean squared error is ≤ `schedule.tolerance` or the observer returns
/// [`ControlFlow::Break`] (see [`ObserverFlow`]; an observer that returns `()` never stops the
/// run). Stopped by the observer, the run returns the weights the observed epoch produced (for
/// batch descent, those after its update, whose loss the observer has not seen).
///
/// `weights` holds the starting weights (the caller's, or from
/// [`init_weights`](crate::init_weights)) and the trained ones on return. `scratch` is
/// caller-owned and reusable, [`train_scratch_len`] elements long; `order` is caller-owned and
/// records long for mini-batch and stochastic descent (it receives the shuffled record order)
/// and is not used, so it may be empty, for batch descent. Nothing is allocated. (With `std`,
/// `Trainer` holds these two buffers and sizes them itself.)
///
/// Each epoch's loss is measured in the epoch's single pass over the data: for batch descent it
/// is the loss of the weights the epoch started from, as in [`batch_epoch`](crate::batch_epoch)
/// (and once it meets the tolerance, the run stops with those weights, without the epoch's
/// update); for mini-batch and stochastic descent it is summed along the epoch as the weights
/// change.
///
/// # Errors
///
/// The arguments, in the order checked (the first fault found is the one reported):
///
/// - [`Error::InvalidLearnRate`] if the learning rate is NaN, infinite or negative.
/// - [`Error::Zero`] if the layer has no inputs or no outputs.
/// - [`Error::RaggedRows`] if `x.len()` is not a multiple of `layer.inputs`.
/// - [`Error::Empty`] if there are no records.
/// - [`Error::ShapeMismatch`] if `y` is not records × outputs.
/// - [`Error::Zero`] if `schedule.epochs` is 0.
/// - [`Error::ShapeMismatch`] if `weights` is not `layer.weights_len()` long.
/// - [`Error::Zero`] if the mini-batch size is 0.
/// - [`Error::ShapeMismatch`] if `scratch` is not [`train_scratch_len`] long, or `order` is not
///   records long for mini-batch or stochastic descent.
///
/// Then, while training:
///
/// - [`Error::Diverged`] if an epoch's sum of squared errors, or the weights an epoch produced,
///   are NaN or infinite (a mean squared error that alone overflows is not divergence). The
///   weights are then restored to those that the last epoch with a finite loss started from, so
///   the run's last sound state is not lost: where the loss was not finite, those the epoch
///   before started from (the caller's weights if that was the first epoch), which for batch
///   descent are the weights whose loss the observer last received; where the loss was finite
///   but the step was not, those the failing epoch started from (the observer is not called for
///   that epoch). The error's `restored` names the epoch whose starting weights they are.
///
/// On any `Err` but [`Error::Diverged`], no slice has been modified.
///
/// # Special cases
///
/// A NaN tolerance never stops the run. NaN in the data gives [`Error::Diverged`] at epoch 1
/// with the weights unchanged.
///
/// # Examples
///
/// Learning logical OR with a bias:
///
/// ```
/// use delta_rule::{accuracy, init_weights, predict, train, train_scratch_len, Layer, Schedule, Sigmoid};
///
/// let layer = Layer::new(2, 1).with_bias();
/// let x = [0.0_f64, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
/// let y = [0.0, 1.0, 1.0, 1.0];
/// let mut w = [0.0; 3];
/// init_weights(layer, &mut w, 1)?;
/// let mut scratch = vec![0.0; train_scratch_len(layer)];
/// let mut losses = Vec::new();
/// let schedule = Schedule::new(2000, 2.0);
/// let report = train(&Sigmoid, layer, &mut w, &x, &y, &schedule, &mut scratch, &mut [], |epoch, loss| {
///     losses.push(loss.mse);
/// })?;
/// assert_eq!(report.epochs, 2000);
/// assert!(losses[1999] < losses[0]);
///
/// let mut y_hat = [0.0; 4];
/// predict(&Sigmoid, layer, &w, &x, &mut y_hat)?;
/// assert_eq!(accuracy(&y, &y_hat)?, 1.0);
/// # Ok::<(), delta_rule::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn train<T, A, F, R>(
    activation: &A,
    layer: Layer,
    weights: &mut [T],
    x: &[T],
    y: &[T],
    schedule: &Schedule<T>,
    scratch: &mut [T],
    order: &mut [usize],
    mut observer: F,
) -> Result<Report<T>, Error>
where
    T: Float,
    A: Activation<T> + ?Sized,
    F: FnMut(usize, Loss<T>) -> R,
    R: ObserverFlow,
{
    let Run { records: n, batch_size } = check_run(layer, weights, x, y, schedule)?;
    let expected = train_scratch_len(layer);
    if scratch.len() != expected {
        return Err(Error::ShapeMismatch { arg: "scratch", expected, found: scratch.len() });
    }
    if batch_size.is_some() && order.len() != n {
        return Err(Error::ShapeMismatch { arg: "order", expected: n, found: order.len() });
    }

    let mut rng = ChaCha8Rng::seed_from_u64(schedule.seed);
    if batch_size.is_some() {
        for (i, o) in order.iter_mut().enumerate() {
            *o = i;
        }
    }
    let wl = layer.weights_len();
    let (gradient, copies) = scratch.split_at_mut(wl);
    // `start` holds the weights this epoch started from, `previous` those of the epoch before.
    let (mut previous, mut start) = copies.split_at_mut(wl);
    let mut loss = Loss { sse: T::zero(), mse: T::zero() };
    let meets_tolerance = |loss: &Loss<T>| schedule.tolerance.is_some_and(|tol| loss.mse <= tol);
    for epoch in 1..=schedule.epochs {
        start.copy_from_slice(weights);
        loss = match batch_size {
            // `batch_epoch` with the update held back until the loss is known to be finite, and
            // not made once the weights' loss meets the tolerance: those weights are returned.
            None => {
                gradient.fill(T::zero());
                let sse = accumulate_rows(activation, layer, weights, x, y, gradient).half_sum();
                let loss = Loss::new(sse, n * layer.outputs);
                if sse.is_finite() && !meets_tolerance(&loss) {
                    kernels::axpy(weights, step_scale(schedule.learn_rate, n), gradient);
                }
                loss
            }
            Some(size) => {
                order.shuffle(&mut rng);
                minibatch_epoch(
                    activation,
                    layer,
                    weights,
                    x,
                    y,
                    schedule.learn_rate,
                    size,
                    order,
                    gradient,
                )?
            }
        };
        // The sum of squared errors, not the mean, which can overflow alone (`f32` sums in `f64`).
        if !loss.sse.is_finite() {
            let (last_sound, restored): (&[T], _) =
                if epoch == 1 { (start, 1) } else { (previous, epoch - 1) };
            weights.copy_from_slice(last_sound);
            return Err(Error::Diverged { epoch, restored });
        }
        if !weights.iter().all(|w| w.is_finite()) {
            weights.copy_from_slice(start);
            return Err(Error::Diverged { epoch, restored: epoch });
        }
        let stopped = observer(epoch, loss).stops();
        core::mem::swap(&mut previous, &mut start);
        let converged = meets_tolerance(&loss);
        if converged || stopped {
            return Ok(Report { epochs: epoch, loss, converged, stopped });
        }
    }
    Ok(Report { epochs: schedule.epochs, loss, converged: false, stopped: false })
}

/// [`train`] with buffers of its own: holds a layer and a schedule, and the scratch and record
/// order that [`train`] takes from its caller, sized on each [`run`](Self::run) to the data
/// given.
///
/// Available with the `std` feature (the default).
///
/// A run allocates only where a buffer must grow beyond any earlier run's (the first run, or
/// more records for mini-batch or stochastic descent), and only once every argument has been
/// checked; use [`train`] itself to allocate nothing.
///
/// # Examples
///
/// Learning logical OR by stochastic descent:
///
/// ```
/// use delta_rule::{accuracy, predict, Descent, Layer, Schedule, Sigmoid, Trainer};
///
/// let layer = Layer::new(2, 1).with_bias();
/// let x = [0.0_f64, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
/// let y = [0.0, 1.0, 1.0, 1.0];
/// let mut trainer = Trainer::new(layer, Schedule::new(500, 2.0).descent(Descent::Stochastic));
/// let mut w = [0.0; 3];
/// let report = trainer.run(&Sigmoid, &mut w, &x, &y, |_, _| {})?;
/// assert_eq!(report.epochs, 500);
///
/// let mut y_hat = [0.0; 4];
/// predict(&Sigmoid, layer, &w, &x, &mut y_hat)?;
/// assert_eq!(accuracy(&y, &y_hat)?, 1.0);
/// # Ok::<(), delta_rule::Error>(())
/// ```
#[cfg(feature = "std")]
#[derive(Clone)]
pub struct Trainer<T> {
    layer: Layer,
    schedule: Schedule<T>,
    scratch: Vec<T>,
    order: Vec<usize>,
}

/// The layer and the schedule; the buffers' contents are scratch.
#[cfg(feature = "std")]
impl<T: core::fmt::Debug> core::fmt::Debug for Trainer<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Trainer")
            .field("layer", &self.layer)
            .field("schedule", &self.schedule)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "std")]
impl<T> Trainer<T> {
    /// A trainer for `layer` on `schedule`, with no buffers yet.
    ///
    /// ```
    /// use delta_rule::{Layer, Schedule, Trainer};
    ///
    /// let trainer = Trainer::new(Layer::new(3, 1), Schedule::new(10, 0.5_f32));
    /// assert_eq!(trainer.layer(), Layer::new(3, 1));
    /// ```
    #[must_use]
    pub const fn new(layer: Layer, schedule: Schedule<T>) -> Self {
        Trainer { layer, schedule, scratch: Vec::new(), order: Vec::new() }
    }

    /// The layer it trains.
    ///
    /// ```
    /// use delta_rule::{Layer, Schedule, Trainer};
    ///
    /// let layer = Layer::new(4, 2).with_bias();
    /// assert_eq!(Trainer::new(layer, Schedule::new(1, 0.1_f64)).layer().weights_len(), 10);
    /// ```
    #[must_use]
    pub const fn layer(&self) -> Layer {
        self.layer
    }

    /// Its schedule.
    ///
    /// ```
    /// use delta_rule::{Layer, Schedule, Trainer};
    ///
    /// let trainer = Trainer::new(Layer::new(1, 1), Schedule::new(10, 0.1_f64));
    /// assert_eq!(trainer.schedule().epochs, 10);
    /// ```
    #[must_use]
    pub const fn schedule(&self) -> &Schedule<T> {
        &self.schedule
    }

    /// Its schedule, which the caller may change between runs.
    ///
    /// ```
    /// use delta_rule::{Layer, Schedule, Trainer};
    ///
    /// let mut trainer = Trainer::new(Layer::new(1, 1), Schedule::new(10, 0.1_f64));
    /// trainer.schedule_mut().tolerance = Some(1e-3);
    /// assert_eq!(trainer.schedule().tolerance, Some(1e-3));
    /// ```
    pub fn schedule_mut(&mut self) -> &mut Schedule<T> {
        &mut self.schedule
    }
}

#[cfg(feature = "std")]
impl<T: Float> Trainer<T> {
    /// [`train`]s `weights` on the records `x` (records × inputs) and targets `y` (records ×
    /// outputs), calling `observer(epoch, loss)` after each epoch, which may stop the run (see
    /// [`ObserverFlow`]): the same steps, losses, report and errors, bit for bit, as [`train`]
    /// with buffers of the right length.
    ///
    /// # Errors
    ///
    /// Those of [`train`], the same for the same arguments, but for the buffers' lengths, which
    /// it sets itself. Every argument is checked before any buffer grows, so an `Err` allocates
    /// nothing but for [`Error::Diverged`], and on any `Err` but that one `weights` has not been
    /// modified.
    ///
    /// # Special cases
    ///
    /// As [`train`]: NaN in the data gives [`Error::Diverged`] at epoch 1 with the weights
    /// unchanged, and a NaN tolerance never stops the run.
    ///
    /// # Examples
    ///
    /// The same trainer on data sets of different sizes:
    ///
    /// ```
    /// use delta_rule::{Descent, Identity, Layer, Schedule, Trainer};
    ///
    /// let schedule = Schedule::new(200, 0.2_f64).descent(Descent::Minibatch { size: 2 });
    /// let mut trainer = Trainer::new(Layer::new(1, 1), schedule);
    /// for x in [&[1.0, 2.0][..], &[1.0, 2.0, 3.0, 4.0, 5.0]] {
    ///     let y: Vec<f64> = x.iter().map(|xi| 3.0 * xi).collect();
    ///     let mut w = [0.0];
    ///     trainer.run(&Identity, &mut w, x, &y, |_, _| {})?;
    ///     assert!((w[0] - 3.0).abs() < 1e-9);
    /// }
    /// # Ok::<(), delta_rule::Error>(())
    /// ```
    pub fn run<A, F, R>(
        &mut self,
        activation: &A,
        weights: &mut [T],
        x: &[T],
        y: &[T],
        observer: F,
    ) -> Result<Report<T>, Error>
    where
        A: Activation<T> + ?Sized,
        F: FnMut(usize, Loss<T>) -> R,
        R: ObserverFlow,
    {
        let layer = self.layer;
        let Run { records, batch_size } = check_run(layer, weights, x, y, &self.schedule)?;
        self.scratch.resize(train_scratch_len(layer), T::zero());
        self.order.resize(if batch_size.is_some() { records } else { 0 }, 0);
        train(
            activation,
            layer,
            weights,
            x,
            y,
            &self.schedule,
            &mut self.scratch,
            &mut self.order,
            observer,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Identity, Sigmoid};

    #[cfg(feature = "std")]
    #[test]
    fn trainer_debug_shows_the_layer_and_schedule_not_the_buffers() {
        let (layer, schedule) = (Layer::new(2, 1).with_bias(), Schedule::new(3, 0.5_f64));
        let mut trainer = Trainer::new(layer, schedule);
        let (x, y) = ([0.1, 0.3, 0.5, -0.2], [0.2, 0.9]);
        trainer.run(&Sigmoid, &mut [0.0; 3], &x, &y, |_, _| {}).unwrap();
        let expected = format!("Trainer {{ layer: {layer:?}, schedule: {schedule:?}, .. }}");
        assert_eq!(format!("{trainer:?}"), expected);
    }

    #[test]
    fn rejects_bad_settings_without_writing() {
        let layer = Layer::new(1, 1);
        let mut w = [0.5_f64];
        let mut scratch = [1.0; 3];
        let mut order = [9usize; 2];
        let (x, y) = ([1.0, 2.0], [0.0, 1.0]);
        let run = |w: &mut [f64], s: &Schedule<f64>, scratch: &mut [f64], order: &mut [usize]| {
            train(&Sigmoid, layer, w, &x, &y, s, scratch, order, |_, _| {})
        };
        let stochastic = Schedule::new(3, 0.1).descent(Descent::Stochastic);
        assert_eq!(
            run(&mut w, &stochastic, &mut scratch, &mut order[..1]),
            Err(Error::ShapeMismatch { arg: "order", expected: 2, found: 1 })
        );
        assert_eq!(
            run(&mut w, &Schedule::new(3, 0.1), &mut scratch[..2], &mut order),
            Err(Error::ShapeMismatch { arg: "scratch", expected: 3, found: 2 })
        );
        assert_eq!(
            run(&mut w, &Schedule::new(0, 0.1), &mut scratch, &mut order),
            Err(Error::Zero { arg: "schedule.epochs" })
        );
        assert_eq!(
            run(
                &mut w,
                &stochastic.descent(Descent::Minibatch { size: 0 }),
                &mut scratch,
                &mut order
            ),
            Err(Error::Zero { arg: "schedule.descent.size" })
        );
        assert_eq!(
            run(&mut w, &Schedule::new(3, f64::NAN), &mut scratch, &mut order),
            Err(Error::InvalidLearnRate { arg: "schedule.learn_rate", value: f64::NAN })
        );
        assert_eq!((w, scratch, order), ([0.5], [1.0; 3], [9; 2]));
    }

    #[test]
    fn early_stop_at_tolerance() {
        // ŷ = w x with x = 1, y = 1: the residual shrinks by the factor (1 − η) per epoch, so
        // with η = 0.5 the MSE after epoch e's start is 4^−(e−1); 4^-5 ≤ 1e-3 < 4^-4.
        let layer = Layer::new(1, 1);
        let mut w = [0.0_f64];
        let mut scratch = [0.0; 3];
        let s = Schedule::new(100, 0.5).tolerance(1e-3);
        let mut seen = 0;
        let r =
            train(&Identity, layer, &mut w, &[1.0], &[1.0], &s, &mut scratch, &mut [], |e, _| {
                seen = e
            })
            .unwrap();
        assert_eq!((r.epochs, r.converged, seen), (6, true, 6));
        assert_eq!(r.loss.mse, 1.0 / 1024.0);
        // The weights whose loss met the tolerance, those epoch 6 started from: 1 − 2⁻⁵.
        assert_eq!(w, [1.0 - 1.0 / 32.0]);
    }

    #[test]
    fn batch_descent_returns_the_weights_that_met_the_tolerance() {
        // ŷ = w x with x = y = 1 from w = 0: MSE 1 ≤ 1 at once. The step η = 2.5 would move w
        // to 2.5, whose MSE is 2.25; the run stops with w = 0 instead.
        let mut w = [0.0_f64];
        let s = Schedule::new(10, 2.5).tolerance(1.0);
        let r = train(
            &Identity,
            Layer::new(1, 1),
            &mut w,
            &[1.0],
            &[1.0],
            &s,
            &mut [0.0; 3],
            &mut [],
            |_, _| {},
        )
        .unwrap();
        assert_eq!((r.epochs, r.converged, r.loss.mse, w), (1, true, 1.0, [0.0]));
    }

    #[test]
    fn an_overflowing_mean_alone_is_no_divergence() {
        // f32 sums its squares in f64: y = 2·10¹⁹ and ŷ ≈ 0 give E = ½·(2·10¹⁹)² = 2·10³⁸,
        // below f32::MAX ≈ 3.4·10³⁸, while the MSE 2E/1 overflows. The weights and E stay
        // finite, so the run goes on.
        let mut w = [0.0_f32];
        let r = train(
            &Identity,
            Layer::new(1, 1),
            &mut w,
            &[1e-30],
            &[2e19],
            &Schedule::new(2, 0.5),
            &mut [0.0; 3],
            &mut [],
            |_, loss| assert!(loss.sse.is_finite() && loss.mse.is_infinite()),
        )
        .unwrap();
        assert_eq!((r.epochs, r.converged), (2, false));
        assert!(w[0].is_finite());
    }

    #[test]
    fn early_stop_when_the_loss_equals_the_tolerance() {
        // ŷ = w x with w = ½, x = (1, 2), y = (0, 2): residuals (−½, 1), MSE (¼ + 1)/2 = 5/8
        // exactly, and η = 0 keeps it so every epoch. A tolerance of exactly 5/8 stops after
        // the first epoch; the next float below it never stops.
        let layer = Layer::new(1, 1);
        let (x, y) = ([1.0_f64, 2.0], [0.0, 2.0]);
        let below = f64::from_bits(0.625_f64.to_bits() - 1);
        for descent in [Descent::Batch, Descent::Minibatch { size: 2 }, Descent::Stochastic] {
            for (tolerance, epochs, converged) in [(0.625, 1, true), (below, 4, false)] {
                let mut w = [0.5_f64];
                let mut scratch = [0.0; 3];
                let mut order = [0; 2];
                let s = Schedule::new(4, 0.0).descent(descent).tolerance(tolerance);
                let r = train(
                    &Identity,
                    layer,
                    &mut w,
                    &x,
                    &y,
                    &s,
                    &mut scratch,
                    &mut order,
                    |_, _| {},
                )
                .unwrap();
                let case = format!("{descent:?}, tolerance {tolerance}");
                assert_eq!((r.epochs, r.converged), (epochs, converged), "{case}");
                assert_eq!(r.loss, Loss { sse: 0.625, mse: 0.625 }, "{case}");
            }
        }
        // After several epochs: with the residual halved each epoch (as in
        // `early_stop_at_tolerance`) epoch 6 starts from an MSE of exactly 4⁻⁵ = 2⁻¹⁰.
        let mut w = [0.0_f64];
        let mut scratch = [0.0; 3];
        let s = Schedule::new(100, 0.5).tolerance(1.0 / 1024.0);
        let r =
            train(&Identity, layer, &mut w, &[1.0], &[1.0], &s, &mut scratch, &mut [], |_, _| {})
                .unwrap();
        assert_eq!((r.epochs, r.converged, r.loss.mse), (6, true, 1.0 / 1024.0));
    }

    #[test]
    fn nan_data_diverges_at_once_and_keeps_weights() {
        let layer = Layer::new(1, 1);
        let mut w = [0.25_f64];
        let mut scratch = [0.0; 3];
        for descent in [Descent::Batch, Descent::Stochastic] {
            let s = Schedule::new(3, 0.5).descent(descent);
            let mut order = [0; 2];
            let r = train(
                &Sigmoid,
                layer,
                &mut w,
                &[1.0, f64::NAN],
                &[0.0, 1.0],
                &s,
                &mut scratch,
                &mut order,
                |_, _| {},
            );
            assert_eq!(r, Err(Error::Diverged { epoch: 1, restored: 1 }));
            assert_eq!(w, [0.25]);
        }
    }

    #[cfg(feature = "std")]
    #[test]
    fn trainer_runs_as_train_does_bit_for_bit() {
        // Records of 3 inputs, 2 outputs and a bias, deterministic but irregular values.
        let layer = Layer::new(3, 2).with_bias();
        let data = |records: usize| {
            let x: Vec<f64> = (0..3 * records).map(|i| ((i * 7 % 11) as f64 - 5.0) / 4.0).collect();
            let y: Vec<f64> = (0..2 * records).map(|i| (i * 3 % 4) as f64 / 3.0).collect();
            (x, y)
        };
        let start: Vec<f64> = (0..layer.weights_len()).map(|i| (i as f64 - 4.0) / 8.0).collect();
        let bits = |w: &[f64]| w.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for descent in [Descent::Batch, Descent::Minibatch { size: 2 }, Descent::Stochastic] {
            // Without a tolerance all 40 epochs run; with one of 0.1 the run stops early (checked
            // below), so a trainer that dropped either setting would differ from `train`.
            for tolerance in [None, Some(0.1)] {
                let schedule =
                    Schedule { tolerance, ..Schedule::new(40, 0.7).descent(descent).seed(5) };
                let mut trainer = Trainer::new(layer, schedule);
                // One trainer on 5, 3 and 7 records: its buffers shrink and grow between runs.
                for records in [5, 3, 7] {
                    let case = format!("{descent:?}, tolerance {tolerance:?}, {records} records");
                    let (x, y) = data(records);
                    let (mut w_trainer, mut w_train) = (start.clone(), start.clone());
                    let (mut seen_trainer, mut seen_train) = (Vec::new(), Vec::new());
                    let by_trainer = trainer
                        .run(&Sigmoid, &mut w_trainer, &x, &y, |e, l| seen_trainer.push((e, l)))
                        .unwrap();
                    let mut scratch = vec![0.0; train_scratch_len(layer)];
                    let mut order = vec![0; if descent == Descent::Batch { 0 } else { records }];
                    let by_train = train(
                        &Sigmoid,
                        layer,
                        &mut w_train,
                        &x,
                        &y,
                        &schedule,
                        &mut scratch,
                        &mut order,
                        |e, l| seen_train.push((e, l)),
                    )
                    .unwrap();
                    assert_eq!(by_trainer, by_train, "{case}");
                    assert_eq!(by_trainer.converged, tolerance.is_some(), "{case}");
                    assert_eq!(seen_trainer, seen_train, "{case}");
                    assert_eq!(bits(&w_trainer), bits(&w_train), "{case}");
                    assert_ne!(w_trainer, start, "{case}");
                }
            }
        }
    }

    #[cfg(feature = "std")]
    #[test]
    fn trainer_sizes_the_order_to_each_data_set() {
        let schedule = Schedule::new(3, 0.5_f64).descent(Descent::Stochastic);
        let mut trainer = Trainer::new(Layer::new(1, 1), schedule);
        for records in [4, 1, 6] {
            let x: Vec<f64> = (0..records).map(|i| i as f64 / 4.0).collect();
            let mut w = [0.5];
            trainer.run(&Sigmoid, &mut w, &x, &x, |_, _| {}).unwrap();
            assert_eq!(trainer.order.len(), records);
            assert_eq!(trainer.scratch.len(), 3);
        }
        // Batch descent needs no order.
        trainer.schedule_mut().descent = Descent::Batch;
        trainer.run(&Sigmoid, &mut [0.5], &[1.0], &[1.0], |_, _| {}).unwrap();
        assert!(trainer.order.is_empty());
    }

    #[cfg(feature = "std")]
    #[test]
    fn trainer_reports_the_errors_of_train_before_allocating() {
        // Arguments with one or more faults: `run` reports what `train` reports (given buffers
        // of the right length, where they can exist), allocates nothing and writes nothing.
        let huge = Layer::new(usize::MAX / 4, 2);
        let (two, one) = (Layer::new(2, 1), Layer::new(1, 1));
        let stochastic = Schedule::new(3, 0.5_f64).descent(Descent::Stochastic);
        type Case<'a> = (Layer, Schedule<f64>, &'a [f64], &'a [f64], Error);
        let cases: [Case; 10] = [
            (huge, Schedule::new(3, 0.5), &[], &[], Error::Empty { arg: "x" }),
            // No records: `x` is at fault, not the `y` that has some.
            (two, Schedule::new(3, 0.5), &[], &[1.0], Error::Empty { arg: "x" }),
            (
                two,
                Schedule::new(3, 0.5),
                &[1.0, 2.0, 3.0],
                &[1.0],
                Error::RaggedRows { arg: "x", len: 3, row_len: 2 },
            ),
            (
                two,
                Schedule::new(3, 0.5),
                &[1.0, 2.0],
                &[1.0, 0.0],
                Error::ShapeMismatch { arg: "y", expected: 1, found: 2 },
            ),
            (
                two,
                Schedule::new(3, 0.5),
                &[1.0, 2.0],
                &[1.0],
                Error::ShapeMismatch { arg: "weights", expected: 2, found: 1 },
            ),
            // Several faults at once: the learning rate is checked first, then the data, the
            // epochs, the weights and the batch size.
            (
                two,
                Schedule::new(0, f64::NAN),
                &[1.0],
                &[],
                Error::InvalidLearnRate { arg: "schedule.learn_rate", value: f64::NAN },
            ),
            (
                two,
                Schedule::new(0, 0.5),
                &[1.0, 2.0],
                &[1.0],
                Error::Zero { arg: "schedule.epochs" },
            ),
            (two, Schedule::new(3, 0.5), &[], &[], Error::Empty { arg: "x" }),
            (
                two,
                stochastic.descent(Descent::Minibatch { size: 0 }),
                &[1.0, 2.0],
                &[1.0],
                Error::ShapeMismatch { arg: "weights", expected: 2, found: 1 },
            ),
            (
                one,
                stochastic.descent(Descent::Minibatch { size: 0 }),
                &[1.0, 2.0],
                &[1.0, 0.0],
                Error::Zero { arg: "schedule.descent.size" },
            ),
        ];
        for (layer, schedule, x, y, expected) in cases {
            let mut w = [0.5];
            let mut trainer = Trainer::new(layer, schedule);
            let by_trainer = trainer.run(&Sigmoid, &mut w, x, y, |_, _| {}).unwrap_err();
            let mut scratch = vec![0.0; if layer == huge { 0 } else { train_scratch_len(layer) }];
            let mut order = vec![0; x.len()];
            let by_train = train(
                &Sigmoid,
                layer,
                &mut w,
                x,
                y,
                &schedule,
                &mut scratch,
                &mut order,
                |_, _| {},
            )
            .unwrap_err();
            let case = format!("{layer:?}, {schedule:?}, x {x:?}, y {y:?}");
            assert_eq!(by_trainer, expected, "{case}");
            assert_eq!(by_train, expected, "{case}");
            assert_eq!(trainer.scratch.capacity() + trainer.order.capacity(), 0, "{case}");
            assert_eq!(w, [0.5], "{case}");
        }
    }
}
