//! Single-layer training: gradients against finite differences, the batch epoch against the
//! tutorial's loop, shards, convergence, divergence recovery, shape errors and ndarray data.

mod common;

#[path = "../examples/data/admissions.rs"]
mod admissions;

use common::*;
#[cfg(feature = "std")]
use delta_rule::Trainer;
use delta_rule::{
    accuracy, apply_gradient, batch_epoch, batch_gradient, error_term, init_weights,
    minibatch_epoch, net_input, predict, sse, train, train_scratch_len, Activation, Descent, Error,
    Identity, Layer, LeakyRelu, Loss, Relu, Schedule, Sigmoid, Softplus, Tanh,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The activations under test, with whether f has a kink (where finite differences need the
/// net inputs to stay away from 0).
fn activations() -> [(&'static str, &'static dyn Activation<f64>, bool); 6] {
    const LEAKY: LeakyRelu<f64> = LeakyRelu::new(0.1);
    [
        ("sigmoid", &Sigmoid, false),
        ("tanh", &Tanh, false),
        ("relu", &Relu, true),
        ("leaky relu", &LEAKY, true),
        ("softplus", &Softplus, false),
        ("identity", &Identity, false),
    ]
}

/// The batch loss E(w) = ½ Σ (y − ŷ)², from `predict` and `sse`.
fn batch_sse(act: &dyn Activation<f64>, layer: Layer, w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let mut y_hat = vec![0.0; y.len()];
    predict(act, layer, w, x, &mut y_hat).unwrap();
    sse(y, &y_hat).unwrap()
}

/// h_j of record `row`, from the foundation's `net_input`.
fn net(layer: Layer, w: &[f64], x: &[f64], row: usize, j: usize) -> f64 {
    let r = layer.row_len();
    let d = layer.inputs;
    let h = net_input(&w[j * r..j * r + d], &x[row * d..(row + 1) * d]).unwrap();
    if layer.bias {
        h + w[j * r + d]
    } else {
        h
    }
}

/// Σ_μ |δ_jμ x_iμ| for every weight (x = 1 for a bias): the scale of summation errors.
fn abs_terms(act: &dyn Activation<f64>, layer: Layer, w: &[f64], x: &[f64], y: &[f64]) -> Vec<f64> {
    let (d, k, r) = (layer.inputs, layer.outputs, layer.row_len());
    let mut out = vec![0.0; w.len()];
    for row in 0..y.len() / k {
        for j in 0..k {
            let delta = error_term(act, y[row * k + j], net(layer, w, x, row, j)).abs();
            for i in 0..d {
                out[j * r + i] += delta * x[row * d + i].abs();
            }
            if layer.bias {
                out[j * r + d] += delta;
            }
        }
    }
    out
}

/// Records × features, records × outputs, and weights.
type Data = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Random data of `n` records for `layer`: x in [−2, 2], y in [0, 1], w in [−1, 1].
fn problem(layer: Layer, n: usize) -> impl Strategy<Value = Data> {
    (
        prop::collection::vec(-2.0..2.0_f64, n * layer.inputs),
        prop::collection::vec(0.0..1.0_f64, n * layer.outputs),
        prop::collection::vec(-1.0..1.0_f64, layer.weights_len()),
    )
}

fn layer_and_problem() -> impl Strategy<Value = (Layer, usize, Data)> {
    (1..5_usize, 1..4_usize, any::<bool>(), 1..7_usize).prop_flat_map(|(d, k, bias, n)| {
        let layer = if bias { Layer::new(d, k).with_bias() } else { Layer::new(d, k) };
        (Just(layer), Just(n), problem(layer, n))
    })
}

proptest! {
    // Failing seeds go to the top-level proptest-regressions/ directory (committed).
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/layer.txt"
        )))),
        ..ProptestConfig::default()
    })]

    /// g = Σ δ x is −∂E/∂w: compare every entry with a central difference of the batch loss,
    /// for one and several outputs, with and without bias, for every activation.
    #[test]
    fn batch_gradient_is_minus_the_derivative_of_the_batch_sse(
        (layer, n, (x, y, w)) in layer_and_problem()
    ) {
        for (name, act, kinked) in activations() {
            if kinked {
                let near_kink = (0..n).any(|row| {
                    (0..layer.outputs).any(|j| net(layer, &w, &x, row, j).abs() < 1e-3)
                });
                if near_kink {
                    continue;
                }
            }
            let mut g = vec![0.0; w.len()];
            batch_gradient(act, layer, &w, &x, &y, &mut g).unwrap();
            for idx in 0..w.len() {
                let fd = central_difference(
                    |v| {
                        let mut w2 = w.clone();
                        w2[idx] = v;
                        batch_sse(act, layer, &w2, &x, &y)
                    },
                    w[idx],
                );
                let diff = (g[idx] + fd).abs();
                prop_assert!(
                    diff <= FD_REL * g[idx].abs().max(fd.abs()) + FD_BATCH_ABS,
                    "{name} {layer:?} weight {idx}: gradient {} vs −∂E/∂w {}", g[idx], -fd
                );
            }
        }
    }

    /// Gradients and losses of disjoint shards, summed in two different groupings, equal the
    /// whole batch's within the reordering bound.
    #[test]
    fn shard_gradients_sum_to_the_batch_gradient(
        (layer, n, (x, y, w)) in layer_and_problem(),
        cuts in prop::collection::vec(0..7_usize, 0..4),
    ) {
        let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(n)).collect();
        bounds.extend([0, n]);
        bounds.sort_unstable();
        let (d, k) = (layer.inputs, layer.outputs);
        let mut whole = vec![0.0; w.len()];
        let e = batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut whole).unwrap();
        let shards: Vec<(Vec<f64>, f64)> = bounds
            .windows(2)
            .map(|b| {
                let mut g = vec![0.0; w.len()];
                let e = batch_gradient(
                    &Sigmoid, layer, &w, &x[b[0] * d..b[1] * d], &y[b[0] * k..b[1] * k], &mut g,
                )
                .unwrap();
                (g, e)
            })
            .collect();
        let scale = abs_terms(&Sigmoid, layer, &w, &x, &y);
        let bound = |i: usize| REORDER_EPS_FACTOR * n as f64 * f64::EPSILON * scale[i];
        // Left to right, and right to left.
        for reversed in [false, true] {
            let mut sum = vec![0.0; w.len()];
            let mut e_sum = 0.0;
            let order: Vec<&(Vec<f64>, f64)> =
                if reversed { shards.iter().rev().collect() } else { shards.iter().collect() };
            for (g, e) in order {
                for (s, v) in sum.iter_mut().zip(g) {
                    *s += v;
                }
                e_sum += e;
            }
            for i in 0..w.len() {
                prop_assert!((sum[i] - whole[i]).abs() <= bound(i), "entry {i}");
            }
            prop_assert!((e_sum - e).abs() <= REORDER_EPS_FACTOR * n as f64 * f64::EPSILON * e);
        }
    }

    /// `Trainer::run` takes the same steps as `train` with buffers of the right length, and
    /// stops and fails alike, for any shape, descent, schedule and sequence of data sets.
    #[cfg(feature = "std")]
    #[test]
    fn trainer_runs_as_train_does(
        (layer, n, (x, y, w)) in layer_and_problem(),
        descent in prop_oneof![
            Just(Descent::Batch),
            Just(Descent::Stochastic),
            (0..4_usize).prop_map(|size| Descent::Minibatch { size }),
        ],
        epochs in 0..6_usize,
        learn_rate in prop_oneof![Just(f64::NAN), Just(1e300), 0.0..3.0_f64],
        tolerance in prop::option::of(0.0..0.2_f64),
        seed in any::<u64>(),
        fewer in 0..7_usize,
    ) {
        let mut schedule = Schedule::new(epochs, learn_rate).descent(descent).seed(seed);
        schedule.tolerance = tolerance;
        let mut trainer = Trainer::new(layer, schedule);
        // All the records, then the first few (possibly none), with the same trainer.
        let fewer = fewer.min(n);
        for records in [n, fewer] {
            let (x, y) = (&x[..records * layer.inputs], &y[..records * layer.outputs]);
            let (mut w_trainer, mut w_train) = (w.clone(), w.clone());
            let (mut seen_trainer, mut seen_train) = (Vec::new(), Vec::new());
            let by_trainer =
                trainer.run(&Sigmoid, &mut w_trainer, x, y, |e, l| seen_trainer.push((e, l)));
            let mut scratch = vec![0.0; train_scratch_len(layer)];
            let mut order = vec![0; records];
            let by_train = train(
                &Sigmoid, layer, &mut w_train, x, y, &schedule, &mut scratch, &mut order,
                |e, l| seen_train.push((e, l)),
            );
            // As text, so that the NaN learning rate's errors compare equal.
            prop_assert_eq!(format!("{by_trainer:?}"), format!("{by_train:?}"));
            prop_assert_eq!(format!("{seen_trainer:?}"), format!("{seen_train:?}"));
            let bits = |w: &[f64]| w.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&w_trainer), bits(&w_train));
        }
    }
}

/// The tutorial's batch epoch, written out as its Python loop does it: h, the sigmoid output,
/// δ = (y − ŷ) ŷ(1 − ŷ), `del_w += error_term * x`, then `weights += learnrate * del_w / n`.
/// Returns the mean squared error of the weights it started from.
fn tutorial_epoch(w: &mut [f64], x: &[f64], y: &[f64], learn_rate: f64) -> f64 {
    let d = w.len();
    let n = y.len();
    let mut del_w = vec![0.0; d];
    let mut squares = 0.0;
    for (row, &target) in x.chunks(d).zip(y) {
        let mut h = 0.0;
        for (xi, wi) in row.iter().zip(w.iter()) {
            h += xi * wi;
        }
        let output = 1.0 / (1.0 + (-h).exp());
        let error = target - output;
        let error_term = error * output * (1.0 - output);
        for (dw, xi) in del_w.iter_mut().zip(row) {
            *dw += error_term * xi;
        }
        squares += error * error;
    }
    for (wi, dw) in w.iter_mut().zip(&del_w) {
        *wi += learn_rate * dw / n as f64;
    }
    squares / n as f64
}

#[test]
fn batch_epoch_equals_the_tutorial_loop() {
    let (x, y) = admissions::load(admissions::default_path()).unwrap();
    let data = admissions::split(&x, &y, 0.1, 42).unwrap();
    let (x, y) = (&data.train_x, &data.train_y);
    let layer = Layer::new(admissions::FEATURES, 1);
    let n = y.len();
    let learn_rate = 0.5;
    let mut w = vec![0.0; layer.weights_len()];
    init_weights(layer, &mut w, 7).unwrap();
    let mut g = vec![0.0; w.len()];
    for epoch in 0..5 {
        let start = w.clone();
        // The scale of each δ's error: |δ| + Σ|w x| per record, times |x_i|.
        let mut scale = vec![0.0; w.len()];
        for (row, &target) in x.chunks(layer.inputs).zip(y) {
            let h = net_input(&start, row).unwrap();
            let s = error_term(&Sigmoid, target, h).abs()
                + start.iter().zip(row).map(|(a, b)| (a * b).abs()).sum::<f64>();
            for (sc, xi) in scale.iter_mut().zip(row) {
                *sc += s * xi.abs();
            }
        }
        let mut by_hand = start.clone();
        let mse_by_hand = tutorial_epoch(&mut by_hand, x, y, learn_rate);
        let loss = batch_epoch(&Sigmoid, layer, &mut w, x, y, learn_rate, &mut g).unwrap();
        for i in 0..w.len() {
            let bound = HAND_LOOP_EPS_FACTOR
                * f64::EPSILON
                * (start[i].abs() + learn_rate / n as f64 * scale[i]);
            assert!(
                (w[i] - by_hand[i]).abs() <= bound,
                "epoch {epoch} weight {i}: {} vs {} (bound {bound:e})",
                w[i],
                by_hand[i]
            );
        }
        let mse_bound = (n as f64 + HAND_LOOP_EPS_FACTOR) * f64::EPSILON * mse_by_hand;
        assert!((loss.mse - mse_by_hand).abs() <= mse_bound, "epoch {epoch}");
        assert!(close_rel(loss.sse, loss.mse * n as f64 / 2.0, MSE_TIMES_N_REL));
    }
}

#[test]
fn gradient_then_apply_is_the_batch_epoch() {
    let layer = Layer::new(3, 2).with_bias();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let x: Vec<f64> = (0..30).map(|_| rng.random_range(-1.0..1.0)).collect();
    let y: Vec<f64> = (0..20).map(|_| rng.random_range(0.0..1.0)).collect();
    let mut w = vec![0.0; layer.weights_len()];
    init_weights(layer, &mut w, 9).unwrap();
    let mut w2 = w.clone();
    let mut g = vec![0.0; w.len()];
    let loss = batch_epoch(&Tanh, layer, &mut w, &x, &y, 0.3, &mut g).unwrap();
    let e = batch_gradient(&Tanh, layer, &w2, &x, &y, &mut g).unwrap();
    apply_gradient(&mut w2, &g, 0.3, 10).unwrap();
    assert_eq!((w, loss), (w2, Loss::new(e, 20)));
}

/// Points in [−1, 1]³ labelled by a plane, keeping a margin of 0.05 around it.
fn separable(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let plane = [1.5, -2.0, 0.7];
    let offset = 0.3;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    while y.len() < n {
        let p: [f64; 3] = core::array::from_fn(|_| rng.random_range(-1.0..1.0));
        let side = p.iter().zip(plane).map(|(a, b)| a * b).sum::<f64>() + offset;
        if side.abs() >= 0.05 {
            x.extend(p);
            y.push(if side > 0.0 { 1.0 } else { 0.0 });
        }
    }
    (x, y)
}

#[test]
fn separable_problem_reaches_99_percent() {
    let layer = Layer::new(3, 1).with_bias();
    let (x, y) = separable(1000, 1);
    let (x_test, y_test) = separable(1000, 2);
    let modes = [
        (Descent::Batch, 3000, 10.0),
        (Descent::Minibatch { size: 20 }, 300, 5.0),
        (Descent::Stochastic, 100, 1.0),
    ];
    for (descent, epochs, learn_rate) in modes {
        let mut w = vec![0.0; layer.weights_len()];
        init_weights(layer, &mut w, 3).unwrap();
        let mut scratch = vec![0.0; train_scratch_len(layer)];
        let mut order = vec![0; y.len()];
        let schedule = Schedule::new(epochs, learn_rate).descent(descent).seed(11);
        train(&Sigmoid, layer, &mut w, &x, &y, &schedule, &mut scratch, &mut order, |_, _| {})
            .unwrap();
        let mut y_hat = vec![0.0; y_test.len()];
        predict(&Sigmoid, layer, &w, &x_test, &mut y_hat).unwrap();
        let acc = accuracy(&y_test, &y_hat).unwrap();
        assert!(acc >= 0.99, "{descent:?}: test accuracy {acc}");
    }
}

#[test]
fn separable_problem_in_f32() {
    let layer = Layer::new(3, 1).with_bias();
    let to_f32 = |v: Vec<f64>| v.into_iter().map(|a| a as f32).collect::<Vec<f32>>();
    let (x, y) = separable(1000, 1);
    let (x_test, y_test) = separable(1000, 2);
    let (x, y, x_test, y_test) = (to_f32(x), to_f32(y), to_f32(x_test), to_f32(y_test));
    let mut w = vec![0.0_f32; layer.weights_len()];
    init_weights(layer, &mut w, 3).unwrap();
    let mut scratch = vec![0.0; train_scratch_len(layer)];
    let schedule = Schedule::new(3000, 10.0_f32);
    train(&Sigmoid, layer, &mut w, &x, &y, &schedule, &mut scratch, &mut [], |_, _| {}).unwrap();
    let mut y_hat = vec![0.0; y_test.len()];
    predict(&Sigmoid, layer, &w, &x_test, &mut y_hat).unwrap();
    let acc = accuracy(&y_test, &y_hat).unwrap();
    assert!(acc >= 0.99, "test accuracy {acc}");
}

#[test]
fn seeded_shuffles_are_reproducible() {
    let layer = Layer::new(3, 1).with_bias();
    let (x, y) = separable(200, 4);
    let run = |seed: u64| {
        let mut w = vec![0.1, -0.2, 0.3, 0.0];
        let mut scratch = vec![0.0; train_scratch_len(layer)];
        let mut order = vec![0; y.len()];
        let s = Schedule::new(3, 0.5).descent(Descent::Minibatch { size: 7 }).seed(seed);
        train(&Sigmoid, layer, &mut w, &x, &y, &s, &mut scratch, &mut order, |_, _| {}).unwrap();
        (w, order)
    };
    let (a, b, c) = (run(1), run(1), run(2));
    assert_eq!(a, b);
    assert_ne!(a.1, c.1);
    let mut sorted = a.1.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..200).collect::<Vec<_>>());
}

#[test]
fn an_observer_that_breaks_stops_the_run_with_that_epochs_weights() {
    use core::ops::ControlFlow;
    let layer = Layer::new(3, 1).with_bias();
    let (x, y) = separable(50, 6);
    let descents = [Descent::Batch, Descent::Minibatch { size: 7 }, Descent::Stochastic];
    // (epochs, tolerance, the epoch whose observer breaks)
    let run = |descent: Descent, epochs: usize, tolerance: Option<f64>, stop_at: usize| {
        let mut w = vec![0.1, -0.2, 0.3, 0.0];
        let mut scratch = vec![0.0; train_scratch_len(layer)];
        let mut order = vec![0; y.len()];
        let mut s = Schedule::new(epochs, 0.5).descent(descent).seed(9);
        s.tolerance = tolerance;
        let mut seen = Vec::new();
        let report =
            train(&Sigmoid, layer, &mut w, &x, &y, &s, &mut scratch, &mut order, |e, l| {
                seen.push((e, l));
                if e == stop_at {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        (report, w, seen)
    };
    for descent in descents {
        // Stopped after epoch 4 of 20: the weights and losses of a run of 4 epochs.
        let (report, w, seen) = run(descent, 20, None, 4);
        let (full, w4, seen4) = run(descent, 4, None, usize::MAX);
        assert_eq!((report.epochs, report.stopped, report.converged), (4, true, false));
        assert_eq!((full.epochs, full.stopped, full.converged), (4, false, false));
        assert_eq!(w, w4, "{descent:?}");
        assert_eq!(seen, seen4, "{descent:?}");
        assert_eq!(report.loss, seen[3].1);
        // An observer returning `()` runs every epoch, as one that always continues.
        let mut w_unit = vec![0.1, -0.2, 0.3, 0.0];
        let mut scratch = vec![0.0; train_scratch_len(layer)];
        let mut order = vec![0; y.len()];
        let s = Schedule::new(4, 0.5).descent(descent).seed(9);
        let unit =
            train(&Sigmoid, layer, &mut w_unit, &x, &y, &s, &mut scratch, &mut order, |_, _| {})
                .unwrap();
        assert_eq!((unit, w_unit), (full, w4));
        // Breaking at the epoch that meets the tolerance reports both.
        let tolerance = seen[2].1.mse;
        let (report, _, seen) = run(descent, 20, Some(tolerance), 3);
        assert_eq!((report.epochs, report.stopped, report.converged), (3, true, true));
        assert_eq!(seen.len(), 3);
    }
}

#[test]
fn admissions_loss_falls_monotonically() {
    let (x, y) = admissions::load(admissions::default_path()).unwrap();
    assert_eq!((x.len(), y.len()), (400 * admissions::FEATURES, 400));
    assert_eq!(y.iter().filter(|&&v| v == 1.0).count(), 127);
    let data = admissions::split(&x, &y, 0.1, 42).unwrap();
    assert_eq!((data.train_y.len(), data.test_y.len()), (360, 40));
    let layer = Layer::new(admissions::FEATURES, 1);
    let mut w = vec![0.0; layer.weights_len()];
    init_weights(layer, &mut w, 42).unwrap();
    let mut scratch = vec![0.0; train_scratch_len(layer)];
    let mut curve = Vec::new();
    let report = train(
        &Sigmoid,
        layer,
        &mut w,
        &data.train_x,
        &data.train_y,
        &Schedule::new(1000, 0.5),
        &mut scratch,
        &mut [],
        |epoch, loss| curve.push((epoch, loss.mse)),
    )
    .unwrap();
    assert_eq!(report.epochs, 1000);
    assert_eq!(curve.len(), 1000);
    for pair in curve.windows(2) {
        assert!(pair[1].1 < pair[0].1, "loss rose from epoch {} to {}", pair[0].0, pair[1].0);
    }
    let mut y_hat = vec![0.0; data.test_y.len()];
    predict(&Sigmoid, layer, &w, &data.test_x, &mut y_hat).unwrap();
    let acc = accuracy(&data.test_y, &y_hat).unwrap();
    println!("admissions: final train loss {:.6}, test accuracy {acc:.3}", curve[999].1);
    // At least as good as always answering the commoner label of the held-out records.
    let admitted = data.test_y.iter().filter(|&&v| v == 1.0).count();
    let majority = admitted.max(data.test_y.len() - admitted) as f64 / data.test_y.len() as f64;
    assert!(acc >= majority, "accuracy {acc} below the majority label's {majority}");
}

/// The gradient of `Sigmoid` with one output on `f64` rows of 32 and 64 features, where the fused
/// kernel runs at the AVX-512 level, over 300 records (a block of 256 and a partial one),
/// against central differences of the batch loss.
#[test]
fn wide_rows_gradient_is_minus_the_derivative_of_the_batch_sse() {
    let mut rng = ChaCha8Rng::seed_from_u64(32);
    for d in [32, 64] {
        let layer = Layer::new(d, 1);
        let n = 300;
        let x: Vec<f64> = (0..n * d).map(|_| rng.random_range(-0.25..0.25)).collect();
        let y: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..1.0)).collect();
        let w: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
        let mut g = vec![0.0; d];
        batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut g).unwrap();
        for idx in 0..d {
            let fd = central_difference(
                |v| {
                    let mut w2 = w.clone();
                    w2[idx] = v;
                    batch_sse(&Sigmoid, layer, &w2, &x, &y)
                },
                w[idx],
            );
            let diff = (g[idx] + fd).abs();
            assert!(
                diff <= FD_REL * g[idx].abs().max(fd.abs()) + FD_BATCH_ABS,
                "d = {d}, weight {idx}: gradient {} vs −∂E/∂w {}",
                g[idx],
                -fd
            );
        }
    }
}

/// Linear regression with a learning rate far above 2/λ_max diverges geometrically.
fn diverging_problem() -> (Layer, Vec<f64>, Vec<f64>, Vec<f64>) {
    let layer = Layer::new(4, 2).with_bias();
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let x: Vec<f64> = (0..4 * 50).map(|_| rng.random_range(-1.0..1.0)).collect();
    let y: Vec<f64> = (0..2 * 50).map(|_| rng.random_range(-1.0..1.0)).collect();
    let mut w = vec![0.0; layer.weights_len()];
    init_weights(layer, &mut w, 2).unwrap();
    (layer, x, y, w)
}

#[test]
fn divergence_restores_the_last_finite_epoch() {
    let (layer, x, y, w0) = diverging_problem();
    for learn_rate in [100.0, 1e300] {
        // The expectation, from single epochs: the weights each epoch starts from and its loss.
        let mut w = w0.clone();
        let mut g = vec![0.0; w.len()];
        let mut starts = Vec::new();
        let (expected_epoch, restored) = loop {
            starts.push(w.clone());
            let epoch = starts.len();
            let loss = batch_epoch(&Identity, layer, &mut w, &x, &y, learn_rate, &mut g).unwrap();
            if !loss.is_finite() {
                break (epoch, (epoch - 1).max(1));
            }
            if w.iter().any(|v| !v.is_finite()) {
                break (epoch, epoch);
            }
        };
        let expected_weights = starts[restored - 1].clone();
        if learn_rate == 100.0 {
            assert!(expected_epoch > 50, "diverged at epoch {expected_epoch}");
        }

        let mut w = w0.clone();
        let mut scratch = vec![0.0; train_scratch_len(layer)];
        let mut seen = Vec::new();
        let schedule = Schedule::new(10_000, learn_rate);
        let result = train(&Identity, layer, &mut w, &x, &y, &schedule, &mut scratch, &mut [], {
            |epoch, loss: Loss<f64>| seen.push((epoch, loss))
        });
        let expected = Error::Diverged { epoch: expected_epoch, restored };
        assert_eq!(result, Err(expected), "η = {learn_rate}");
        assert_eq!(w, expected_weights, "η = {learn_rate}");
        assert_eq!(seen.len(), expected_epoch - 1);
        // The restored weights are those whose loss the observer saw last.
        if let Some(&(_, last)) = seen.last() {
            let e = batch_gradient(&Identity, layer, &w, &x, &y, &mut g).unwrap();
            assert_eq!(e, last.sse);
        }
    }
}

#[test]
fn stochastic_divergence_restores_the_weights_of_a_shorter_run() {
    let (layer, x, y, w0) = diverging_problem();
    let n = y.len() / layer.outputs;
    let schedule = Schedule::new(10_000, 50.0).descent(Descent::Stochastic).seed(3);
    let run = |epochs: usize| {
        let mut w = w0.clone();
        let mut scratch = vec![0.0; train_scratch_len(layer)];
        let mut order = vec![0; n];
        let mut seen = 0;
        let s = Schedule::new(epochs, 50.0).descent(Descent::Stochastic).seed(3);
        let r =
            train(&Identity, layer, &mut w, &x, &y, &s, &mut scratch, &mut order, |e, _| seen = e);
        (r, w, seen)
    };
    let (result, w, seen) = run(schedule.epochs);
    let Err(Error::Diverged { epoch, restored }) = result else {
        panic!("no divergence: {result:?}")
    };
    assert_eq!(seen, epoch - 1);
    assert!(w.iter().all(|v| v.is_finite()));
    // The weights the last observed epoch started from: those after `seen − 1` epochs.
    assert_eq!(restored, seen.max(1));
    let expected = if seen <= 1 { w0.clone() } else { run(seen - 1).1 };
    assert_eq!(w, expected);
}

#[test]
fn mismatched_shapes_are_rejected_and_nothing_is_modified() {
    let layer = Layer::new(3, 2);
    let x = [0.5_f64; 12]; // 4 records
    let y = [1.0; 8];
    let w0 = [0.25; 6];
    type Case<'a> = (&'a [f64], &'a [f64], &'a [f64], Error);
    let cases: [Case; 3] = [
        (&x[..11], &y, &w0, Error::RaggedRows { arg: "x", len: 11, row_len: 3 }),
        (&x, &y[..6], &w0, Error::ShapeMismatch { arg: "y", expected: 8, found: 6 }),
        (&x, &y, &w0[..4], Error::ShapeMismatch { arg: "weights", expected: 6, found: 4 }),
    ];
    for (x, y, w_in, expected) in cases {
        let mut w = w_in.to_vec();
        let mut g = vec![7.0; w.len()];
        let mut out = vec![7.0; y.len()];
        let mut scratch = vec![7.0; 3 * w.len()];
        let mut order = vec![9; 4];
        assert_eq!(batch_gradient(&Sigmoid, layer, &w, x, y, &mut g), Err(expected));
        assert_eq!(batch_epoch(&Sigmoid, layer, &mut w, x, y, 0.5, &mut g), Err(expected));
        assert_eq!(
            minibatch_epoch(&Sigmoid, layer, &mut w, x, y, 0.5, 2, &[0, 1], &mut g),
            Err(expected)
        );
        for descent in [Descent::Batch, Descent::Stochastic] {
            let s = Schedule::new(5, 0.5).descent(descent);
            let r = train(&Sigmoid, layer, &mut w, x, y, &s, &mut scratch, &mut order, |_, _| {});
            assert_eq!(r.map(|_| ()), Err(expected));
        }
        if !matches!(expected, Error::ShapeMismatch { arg: "y", .. }) {
            assert_eq!(predict(&Sigmoid, layer, &w, x, &mut out), Err(expected));
        }
        assert_eq!(w, w_in);
        assert!(g.iter().chain(&out).chain(&scratch).all(|&v| v == 7.0));
        assert_eq!(order, [9; 4]);
    }
    // Outputs too short for the records.
    let mut out = [7.0; 7];
    assert_eq!(
        predict(&Sigmoid, layer, &w0, &x, &mut out),
        Err(Error::ShapeMismatch { arg: "out", expected: 8, found: 7 })
    );
    assert_eq!(out, [7.0; 7]);
}

/// The arguments of one call, with every fault its function's `# Errors` list names that can
/// occur at once.
struct Faults {
    layer: Layer,
    schedule: Schedule<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
    g: Vec<f64>,
    batch_size: usize,
    order: Vec<usize>,
}

/// One fault of a [`Faults`]: the error it gives and how to mend it.
type Step = (Error, fn(&mut Faults));

impl Faults {
    fn new() -> Self {
        Faults {
            layer: Layer::new(0, 1),
            schedule: Schedule::new(0, f64::NAN).descent(Descent::Minibatch { size: 0 }),
            x: vec![0.5; 3],
            y: vec![1.0; 5],
            w: vec![0.25],
            g: vec![7.0],
            batch_size: 0,
            order: vec![],
        }
    }

    /// Mends the faults one at a time in the order of `steps`, checking before each that `call`
    /// reports the first one still present and modifies nothing, and that it succeeds at last.
    fn check(mut self, call: fn(&mut Faults) -> Result<(), Error>, steps: &[Step]) {
        for (expected, mend) in steps {
            let (w, g, order) = (self.w.clone(), self.g.clone(), self.order.clone());
            assert_eq!(call(&mut self), Err(*expected));
            assert_eq!((&self.w, &self.g, &self.order), (&w, &g, &order), "{expected:?}");
            mend(&mut self);
        }
        assert_eq!(call(&mut self), Ok(()));
    }
}

#[test]
fn several_faults_report_the_first_in_the_documented_order() {
    let nan_rate = Error::InvalidLearnRate { arg: "learn_rate", value: f64::NAN };
    let two_inputs = |f: &mut Faults| f.layer = Layer::new(2, 1);
    let ragged = Error::RaggedRows { arg: "x", len: 3, row_len: 2 };
    let two_records = |f: &mut Faults| f.x = vec![0.5; 4];
    let short_w = Error::ShapeMismatch { arg: "weights", expected: 2, found: 1 };
    let mend_w = |f: &mut Faults| f.w = vec![0.25; 2];

    Faults::new().check(
        |f| {
            let (eta, order) = (f.schedule.learn_rate, &f.order);
            let r = minibatch_epoch(
                &Sigmoid,
                f.layer,
                &mut f.w,
                &f.x,
                &f.y,
                eta,
                f.batch_size,
                order,
                &mut f.g,
            );
            r.map(|_| ())
        },
        &[
            (nan_rate, |f| f.schedule.learn_rate = 0.5),
            (Error::Zero { arg: "layer.inputs" }, two_inputs),
            (ragged, two_records),
            (Error::ShapeMismatch { arg: "y", expected: 2, found: 5 }, |f| f.y = vec![1.0; 2]),
            (Error::Zero { arg: "batch_size" }, |f| f.batch_size = 1),
            (Error::Empty { arg: "order" }, |f| f.order = vec![0, 2]),
            (short_w, mend_w),
            (Error::ShapeMismatch { arg: "gradient", expected: 2, found: 1 }, |f| {
                f.g = vec![7.0; 2]
            }),
            (Error::IndexOutOfRange { arg: "order", index: 2, len: 2 }, |f| f.order = vec![1, 0]),
        ],
    );

    Faults::new().check(
        |f| predict(&Sigmoid, f.layer, &f.w, &f.x, &mut f.g),
        &[
            (Error::Zero { arg: "layer.inputs" }, two_inputs),
            (ragged, two_records),
            (Error::ShapeMismatch { arg: "out", expected: 2, found: 1 }, |f| f.g = vec![7.0; 2]),
            (short_w, mend_w),
        ],
    );

    // `train`, and `Trainer::run`, which sizes the last two buffers itself.
    let nan_rate = Error::InvalidLearnRate { arg: "schedule.learn_rate", value: f64::NAN };
    let before_buffers: [Step; 8] = [
        (nan_rate, |f| f.schedule.learn_rate = 0.5),
        (Error::Zero { arg: "layer.inputs" }, two_inputs),
        (ragged, |f| f.x = vec![]),
        (Error::Empty { arg: "x" }, two_records),
        (Error::ShapeMismatch { arg: "y", expected: 2, found: 5 }, |f| f.y = vec![1.0; 2]),
        (Error::Zero { arg: "schedule.epochs" }, |f| f.schedule.epochs = 2),
        (short_w, mend_w),
        (Error::Zero { arg: "schedule.descent.size" }, |f| {
            f.schedule.descent = Descent::Minibatch { size: 1 }
        }),
    ];
    let buffers: [Step; 2] = [
        (Error::ShapeMismatch { arg: "scratch", expected: 6, found: 1 }, |f| f.g = vec![7.0; 6]),
        (Error::ShapeMismatch { arg: "order", expected: 2, found: 0 }, |f| f.order = vec![9; 2]),
    ];
    Faults::new().check(
        |f| {
            let s = &f.schedule;
            let r = train(
                &Sigmoid,
                f.layer,
                &mut f.w,
                &f.x,
                &f.y,
                s,
                &mut f.g,
                &mut f.order,
                |_, _| {},
            );
            r.map(|_| ())
        },
        &[&before_buffers[..], &buffers[..]].concat(),
    );
    #[cfg(feature = "std")]
    Faults::new().check(
        |f| {
            let r =
                Trainer::new(f.layer, f.schedule).run(&Sigmoid, &mut f.w, &f.x, &f.y, |_, _| {});
            r.map(|_| ())
        },
        &before_buffers,
    );
}

#[test]
fn ndarray_arrays_train_without_copies() {
    use ndarray::Array2;

    let (n, d, k) = (64, 5, 2);
    let layer = Layer::new(d, k);
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let x = Array2::from_shape_fn((n, d), |_| rng.random_range(-1.0..1.0_f64));
    let y = Array2::from_shape_fn((n, k), |_| rng.random_range(0.0..1.0_f64));
    let mut w = Array2::<f64>::zeros((k, d));
    init_weights(layer, w.as_slice_mut().unwrap(), 4).unwrap();

    // The batch gradient against the matrix form δᵀX with δ = (Y − Ŷ) ⊙ Ŷ ⊙ (1 − Ŷ).
    let y_hat = x.dot(&w.t()).mapv(|h| 1.0 / (1.0 + (-h).exp()));
    let delta = (&y - &y_hat) * &y_hat * y_hat.mapv(|v| 1.0 - v);
    let expected = delta.t().dot(&x);
    // Each side's net input is within γ_m·Σ|w x| (m roundings per product: the crate's
    // documented count, ndarray's ≤ d in any order).
    let roundings = gamma(net_input_roundings_f64(d)) + gamma(d);
    let h_error_of =
        |w: &Array2<f64>| x.mapv(f64::abs).dot(&w.t().mapv(f64::abs)).mapv(|s| roundings * s);
    let h_error = h_error_of(&w);
    // |ŷ − ŷ_ndarray| ≤ σ′·(both net inputs' errors) + ŷ·(both sigmoids' errors).
    let sigmoids = bounds::SIGMOID_SLICE * f64::EPSILON + NAIVE_SIGMOID_REL;
    let y_hat_error = |y_hat: &Array2<f64>, h_error: &Array2<f64>| {
        let mut e = h_error * &y_hat.mapv(|v| v * (1.0 - v));
        e.zip_mut_with(y_hat, |e, &v| *e += sigmoids * v);
        e
    };
    let y_hat_bound = y_hat_error(&y_hat, &h_error);
    let mut g = Array2::<f64>::zeros((k, d));
    let e = batch_gradient(
        &Sigmoid,
        layer,
        w.as_slice().unwrap(),
        x.as_slice().unwrap(),
        y.as_slice().unwrap(),
        g.as_slice_mut().unwrap(),
    )
    .unwrap();
    let residual = &y - &y_hat;
    let e_expected = 0.5 * residual.mapv(|r| r * r).sum();
    // Σ|r|·(|Δŷ| + both subtractions' u|r|), and relative to E: the crate's faithful sum (ε),
    // ndarray's squares (u) and its sum of n·k terms (γ_{nk − 1}).
    let r_abs = residual.mapv(f64::abs);
    let e_bound = (&r_abs * &(&y_hat_bound + &r_abs.mapv(|r| 2.0 * UNIT_ROUNDOFF * r))).sum()
        + (f64::EPSILON + UNIT_ROUNDOFF + gamma(n * k - 1)) * e_expected;
    assert!((e - e_expected).abs() <= e_bound, "{e} vs {e_expected} (bound {e_bound:e})");
    // Each side sums n products δ·x (γ_n·Σ|δ x| each), from δs that differ by: the crate's
    // documented f′·(|f|·ε + |y − f|·(2ε + 2u)) for the slice kernels (f within 1 ulp, f′
    // within 2), ndarray's (¼ + |r|)·|Δŷ| with four roundings (4u|δ|), and |∂δ/∂h| times both
    // net inputs' errors.
    let mut delta_error = Array2::<f64>::zeros((n, k));
    for ((i, j), de) in delta_error.indexed_iter_mut() {
        let (f, r) = (y_hat[[i, j]], r_abs[[i, j]]);
        let slope = f * (1.0 - f);
        let ulps = |b: f64| b * f64::EPSILON;
        let crate_delta = slope
            * (ulps(bounds::SIGMOID_SLICE) * f
                + (ulps(bounds::SIGMOID_DERIVATIVE_SLICE) + 2.0 * UNIT_ROUNDOFF) * r);
        let ndarray_delta = (0.25 + r) * NAIVE_SIGMOID_REL * f + 4.0 * UNIT_ROUNDOFF * r * slope;
        *de = crate_delta + ndarray_delta + SIGMOID_DELTA_SLOPE * h_error[[i, j]];
    }
    let abs_scale = delta.mapv(f64::abs).t().dot(&x.mapv(f64::abs));
    let g_bound = 2.0 * gamma(n) * &abs_scale + delta_error.t().dot(&x.mapv(f64::abs));
    for ((a, b), bound) in g.iter().zip(&expected).zip(&g_bound) {
        assert!((a - b).abs() <= *bound, "{a} vs {b} (bound {bound:e})");
    }

    let mut scratch = vec![0.0; train_scratch_len(layer)];
    let s = Schedule::new(20, 0.5);
    let slice = w.as_slice_mut().unwrap();
    train(
        &Sigmoid,
        layer,
        slice,
        x.as_slice().unwrap(),
        y.as_slice().unwrap(),
        &s,
        &mut scratch,
        &mut [],
        |_, _| {},
    )
    .unwrap();
    let mut out = Array2::<f64>::zeros((n, k));
    predict(
        &Sigmoid,
        layer,
        w.as_slice().unwrap(),
        x.as_slice().unwrap(),
        out.as_slice_mut().unwrap(),
    )
    .unwrap();
    let expected = x.dot(&w.t()).mapv(|h| 1.0 / (1.0 + (-h).exp()));
    let bound = y_hat_error(&expected, &h_error_of(&w));
    for ((a, b), bound) in out.iter().zip(&expected).zip(&bound) {
        assert!((a - b).abs() <= *bound, "{a} vs {b} (bound {bound:e})");
    }
}

#[cfg(feature = "rayon")]
#[test]
fn parallel_gradient_is_deterministic_and_matches_serial() {
    use delta_rule::{par_batch_epoch, par_batch_gradient};

    // Records of 7 + 2 elements: shards of ⌈2¹⁶/9⌉ = 7282 records rounded up to 7296 (a
    // multiple of 32), five whole ones and a partial one, so the pools of 2 to 4 threads have
    // fewer threads than shards (a thread done with its run takes over another's end) and the
    // pool of 8 more.
    let layer = Layer::new(7, 2).with_bias();
    let n = 40_001;
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let x: Vec<f64> = (0..n * 7).map(|_| rng.random_range(-1.0..1.0)).collect();
    let y: Vec<f64> = (0..n * 2).map(|_| rng.random_range(0.0..1.0)).collect();
    let mut w = vec![0.0; layer.weights_len()];
    init_weights(layer, &mut w, 6).unwrap();
    let mut serial = vec![0.0; w.len()];
    let e = batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut serial).unwrap();
    let scale = abs_terms(&Sigmoid, layer, &w, &x, &y);
    let mut first = None;
    for threads in [1, 2, 3, 4, 8] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let run = || {
            let mut g = vec![0.0; w.len()];
            let e = pool.install(|| par_batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut g));
            (g, e.unwrap())
        };
        let (g, e_par) = run();
        assert_eq!(run(), (g.clone(), e_par), "{threads} threads: not deterministic");
        // The shards do not depend on the pool, so neither do the bits.
        let first = first.get_or_insert_with(|| (g.clone(), e_par));
        assert_eq!((&g, e_par), (&first.0, first.1), "{threads} threads against 1");
        let bound = REORDER_EPS_FACTOR * n as f64 * f64::EPSILON;
        for i in 0..w.len() {
            assert!((g[i] - serial[i]).abs() <= bound * scale[i], "{threads} threads, entry {i}");
        }
        assert!((e_par - e).abs() <= bound * e);

        let (mut a, mut b) = (w.clone(), w.clone());
        let mut g2 = vec![0.0; w.len()];
        let la = pool.install(|| par_batch_epoch(&Sigmoid, layer, &mut a, &x, &y, 0.5, &mut g2));
        let la = la.unwrap();
        let lb = batch_epoch(&Sigmoid, layer, &mut b, &x, &y, 0.5, &mut g2).unwrap();
        // Both means are over records × outputs.
        assert!((la.sse - lb.sse).abs() <= bound * lb.sse);
        assert!((la.mse - lb.mse).abs() <= bound * lb.mse);
        for i in 0..w.len() {
            let step_bound = bound * scale[i] * 0.5 / n as f64 + 2.0 * f64::EPSILON * b[i].abs();
            assert!((a[i] - b[i]).abs() <= step_bound, "{threads} threads, weight {i}");
        }
    }
    // Called from a thread outside any pool, where the caller takes shards beside the pool's
    // threads: the same bits as from inside a pool.
    let (g, e_par) = first.unwrap();
    let mut outside = vec![0.0; w.len()];
    let e_outside = par_batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut outside);
    assert_eq!((outside, e_outside.unwrap()), (g, e_par));
}

/// `n` records of 64 `f32` features in [−1, 1) with targets 0 or 1 (from `data_seed`), the
/// layer with one output, and its initial weights (from `weight_seed`).
#[cfg(feature = "rayon")]
fn binary_f32_records(
    n: usize,
    data_seed: u64,
    weight_seed: u64,
) -> (Layer, Vec<f32>, Vec<f32>, Vec<f32>) {
    let layer = Layer::new(64, 1);
    let mut rng = ChaCha8Rng::seed_from_u64(data_seed);
    let x = (0..n * 64).map(|_| rng.random_range(-1.0..1.0)).collect();
    let y = (0..n).map(|_| f32::from(rng.random_range(0..2_u8))).collect();
    let mut w = vec![0.0; layer.weights_len()];
    init_weights(layer, &mut w, weight_seed).unwrap();
    (layer, x, y, w)
}

#[cfg(feature = "rayon")]
#[test]
fn parallel_gradient_of_small_inputs_is_the_serial_one() {
    use delta_rule::{par_batch_epoch, par_batch_gradient};

    // Records of 64 + 1 elements: 4032 of them are just under 2¹⁸ elements (four shards of
    // 2¹⁶ had they been split), so they stay on the calling thread, with the serial bits.
    let n = 4032;
    assert!(n * 65 < 1 << 18 && (n + 1) * 65 >= 1 << 18);
    let (layer, x, y, w) = binary_f32_records(n, 32, 7);
    let mut serial = vec![0.0; w.len()];
    let e = batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut serial).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
    let mut g = vec![f32::NAN; w.len()];
    let e_par = pool.install(|| par_batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut g));
    assert_eq!((g, e_par.unwrap().to_bits()), (serial, e.to_bits()));

    let (mut a, mut b) = (w.clone(), w.clone());
    let mut g2 = vec![0.0; w.len()];
    let la = pool.install(|| par_batch_epoch(&Sigmoid, layer, &mut a, &x, &y, 0.5, &mut g2));
    let lb = batch_epoch(&Sigmoid, layer, &mut b, &x, &y, 0.5, &mut g2).unwrap();
    assert_eq!((la.unwrap(), a), (lb, b));
}

#[cfg(feature = "rayon")]
#[test]
fn parallel_f32_loss_is_within_an_ulp_of_the_serial_one() {
    use delta_rule::par_batch_gradient;

    // 20 000 records of 64 + 1 elements: 20 shards. Each shard's squares are summed in f64 and
    // the shards' sums added in f64 before the one rounding to f32, so the parallel E differs
    // from the serial one by at most an ulp of f32 (both are faithful roundings of sums within
    // about 2⁻³⁵ of each other, relative).
    let (layer, x, y, w) = binary_f32_records(20_000, 33, 8);
    let mut g = vec![0.0; w.len()];
    let e = batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut g).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let e_par = pool.install(|| par_batch_gradient(&Sigmoid, layer, &w, &x, &y, &mut g)).unwrap();
    let ulp = f32::from_bits(e.to_bits() + 1) - e;
    assert!((e_par - e).abs() <= ulp, "{e_par} vs {e}");
}

/// `predict` by its definition, one record and one output at a time: f(net_input(w_j, x) + b_j).
fn predict_per_record<T: num_traits::Float>(
    act: &dyn Activation<T>,
    layer: Layer,
    w: &[T],
    x: &[T],
) -> Vec<T> {
    let (d, r) = (layer.inputs, layer.row_len());
    let mut out = Vec::new();
    for row in x.chunks_exact(d) {
        for w_row in w.chunks_exact(r) {
            let h = net_input(&w_row[..d], row).unwrap();
            let h = if layer.bias { h + w_row[d] } else { h };
            out.push(act.activate(h));
        }
    }
    out
}

#[test]
fn predict_matches_the_per_record_definition() {
    // Block edges (16 records for small calls, 256 otherwise), one and several outputs, with and
    // without a bias, D = 64 (the SIMD net-input kernels' fixed length) and odd D.
    let layers = [
        Layer::new(64, 1).with_bias(),
        Layer::new(7, 3).with_bias(),
        Layer::new(5, 2),
        Layer::new(64, 1),
    ];
    // Long rows with several outputs: blocks of one to a few records (64 KiB at most).
    let long_rows = [Layer::new(20_000, 2), Layer::new(3_000, 3).with_bias()];
    let cases = layers
        .into_iter()
        .flat_map(|l| [0, 1, 2, 3, 16, 17, 255, 256, 257, 1000].map(|n| (l, n)))
        .chain(long_rows.into_iter().flat_map(|l| [0, 1, 2, 3, 5].map(|n| (l, n))));
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    for (layer, n) in cases {
        let x: Vec<f64> = (0..n * layer.inputs).map(|_| rng.random_range(-2.0..2.0)).collect();
        let w: Vec<f64> = (0..layer.weights_len()).map(|_| rng.random_range(-1.0..1.0)).collect();
        let (x32, w32): (Vec<f32>, Vec<f32>) =
            (x.iter().map(|&v| v as f32).collect(), w.iter().map(|&v| v as f32).collect());
        let mut out = vec![0.0; n * layer.outputs];
        let mut out32 = vec![0.0_f32; n * layer.outputs];
        // Identity and ReLU: the net inputs themselves, bit for bit.
        for act in [&Identity as &dyn Activation<f64>, &Relu] {
            predict(act, layer, &w, &x, &mut out).unwrap();
            assert_eq!(out, predict_per_record(act, layer, &w, &x), "{layer:?} n {n}");
        }
        predict(&Identity, layer, &w32, &x32, &mut out32).unwrap();
        assert_eq!(out32, predict_per_record(&Identity, layer, &w32, &x32), "{layer:?} n {n}");
        // σ from the slice kernels: both it and `activate` are within 1 ulp of the exact σ,
        // so they are at most 1 ulp apart.
        predict(&Sigmoid, layer, &w, &x, &mut out).unwrap();
        for (k, (&a, &b)) in
            out.iter().zip(&predict_per_record(&Sigmoid, layer, &w, &x)).enumerate()
        {
            assert!(ulps_f64(a, b) <= 1, "{layer:?} n {n} output {k}: {a} vs {b}");
        }
        predict(&Sigmoid, layer, &w32, &x32, &mut out32).unwrap();
        let reference = predict_per_record(&Sigmoid, layer, &w32, &x32);
        for (k, (&a, &b)) in out32.iter().zip(&reference).enumerate() {
            assert!(ulps_f32(a, b) <= 1, "{layer:?} n {n} output {k}: {a} vs {b}");
        }
    }
}

#[test]
fn predict_on_a_few_records_matches_a_larger_call_bit_for_bit() {
    // Calls with few records take a smaller block; each record's outputs must not depend on how
    // many records share the call, nor on where they start.
    let layers = [Layer::new(64, 1).with_bias(), Layer::new(7, 3).with_bias(), Layer::new(33, 1)];
    let mut rng = ChaCha8Rng::seed_from_u64(78);
    for layer in layers {
        let (d, k, n) = (layer.inputs, layer.outputs, 300);
        let x: Vec<f64> = (0..n * d).map(|_| rng.random_range(-4.0..4.0)).collect();
        let w: Vec<f64> = (0..layer.weights_len()).map(|_| rng.random_range(-1.0..1.0)).collect();
        let (x32, w32): (Vec<f32>, Vec<f32>) =
            (x.iter().map(|&v| v as f32).collect(), w.iter().map(|&v| v as f32).collect());
        let mut all = vec![0.0; n * k];
        let mut all32 = vec![0.0_f32; n * k];
        predict(&Sigmoid, layer, &w, &x, &mut all).unwrap();
        predict(&Sigmoid, layer, &w32, &x32, &mut all32).unwrap();
        for (start, len) in [(0, 1), (5, 1), (1, 2), (2, 3), (3, 4), (17, 15), (250, 16), (9, 17)] {
            let (xs, rs) = (start * d..(start + len) * d, start * k..(start + len) * k);
            let mut few = vec![0.0; len * k];
            predict(&Sigmoid, layer, &w, &x[xs.clone()], &mut few).unwrap();
            assert_eq!(few, all[rs.clone()], "{layer:?} records {start}+{len}");
            let mut few32 = vec![0.0_f32; len * k];
            predict(&Sigmoid, layer, &w32, &x32[xs], &mut few32).unwrap();
            assert_eq!(few32, all32[rs], "{layer:?} f32 records {start}+{len}");
        }
    }
}

/// Two records whose squared residuals are each 0.6 of the largest `f32`: Σ overflows `f32`,
/// ½Σ does not. Every loss the epoch functions report is finite and equals the formula,
/// evaluated in `f64` (where r² is exact for an `f32` r) and rounded once.
#[test]
fn losses_are_finite_wherever_half_the_sum_is() {
    let layer = Layer::new(1, 1);
    let r = (0.6 * f64::from(f32::MAX)).sqrt() as f32;
    let (x, y) = ([1.0_f32, 1.0], [r, r]);
    let square = f64::from(r) * f64::from(r);
    let (e, mse) = (square as f32, square as f32); // ½·2r² and 2r²/2
    assert!(e.is_finite() && 2.0 * square > f64::from(f32::MAX));
    assert_eq!(sse(&y, &[0.0, 0.0]).unwrap(), e);

    let mut g = [0.0_f32];
    assert_eq!(batch_gradient(&Identity, layer, &[0.0], &x, &y, &mut g).unwrap(), e);
    let mut w = [0.0_f32];
    let loss = batch_epoch(&Identity, layer, &mut w, &x, &y, 0.0, &mut g).unwrap();
    assert_eq!((loss.sse, loss.mse), (e, mse));
    let loss = minibatch_epoch(&Identity, layer, &mut w, &x, &y, 0.0, 2, &[0, 1], &mut g).unwrap();
    assert_eq!((loss.sse, loss.mse), (e, mse));
    let schedule = Schedule::new(1, 0.0);
    let mut scratch = vec![0.0; train_scratch_len(layer)];
    let mut seen = Vec::new();
    let report =
        train(&Identity, layer, &mut w, &x, &y, &schedule, &mut scratch, &mut [], |_, l| {
            seen.push(l)
        });
    let loss = report.unwrap().loss;
    assert_eq!((loss.sse, loss.mse), (e, mse));
    assert_eq!(seen.iter().map(|l| (l.sse, l.mse)).collect::<Vec<_>>(), [(e, mse)]);
    #[cfg(feature = "rayon")]
    {
        let got = delta_rule::par_batch_gradient(&Identity, layer, &[0.0], &x, &y, &mut g);
        assert_eq!(got.unwrap(), e);
    }

    // mse = 2·sse/count where 2·sse overflows: 0.6·MAX over 4 outputs is 0.3·MAX.
    assert_eq!(Loss::new(0.6 * f64::MAX, 4).mse, 0.5 * (0.6 * f64::MAX));
    assert_eq!(Loss::new(0.75_f64, 4).mse, 0.375);
    assert_eq!(Loss::new(f64::MAX, 1).mse, f64::INFINITY);
}

#[cfg(feature = "half")]
mod half_precision {
    use super::*;
    use half::f16;

    /// f16 holds counts up to 65 504 only: beyond, the mean squared error and the step η/n
    /// come from `f64` instead of a count rounded to ∞ (which made both 0).
    #[test]
    fn counts_beyond_the_range_of_f16() {
        let mse = Loss::new(f16::from_f64(1.5), 70_000).mse;
        assert_eq!(mse, f16::from_f64(2.0 * 1.5 / 70_000.0));
        assert!(mse > f16::ZERO);

        // (η/n)·g with η/n subnormal in f16 (8 significant bits): within 2⁻⁸ of η·g/n.
        let mut w = [f16::ZERO];
        apply_gradient(&mut w, &[f16::from_f64(7000.0)], f16::ONE, 70_000).unwrap();
        assert!((w[0].to_f64() - 0.1).abs() <= 0.1 / 256.0, "{}", w[0]);

        // One epoch over 70 000 equal records: y = 0.6 against σ(0) = 0.5.
        let layer = Layer::new(1, 1);
        let n = 70_000;
        let (x, y) = (vec![f16::ONE; n], vec![f16::from_f64(0.6); n]);
        let r = f16::from_f64(0.6).to_f64() - 0.5;
        let mut w = [f16::ZERO];
        let mut g = [f16::ZERO];
        let loss = batch_epoch(&Sigmoid, layer, &mut w, &x, &y, f16::ONE, &mut g).unwrap();
        assert_eq!(loss.sse, f16::from_f64(0.5 * n as f64 * r * r));
        // mse = 2·E/n from the reported E, rounded once more: within 2⁻¹⁰ of r².
        assert_eq!(loss.mse, f16::from_f64(2.0 * loss.sse.to_f64() / n as f64));
        assert!((loss.mse.to_f64() - r * r).abs() <= r * r / 1024.0);
        assert!(w[0] > f16::ZERO, "the step was lost: {}", w[0]);
        // g = n·δ with δ = (0.6 − 0.5)·σ′(0), exact in f16; each block of 256 records is summed
        // in f32 and added once, within (n/256 + 1)·2⁻¹¹ of n·δ (summed in f16 record by record
        // it stalled at 64).
        let exact = n as f64 * r * 0.25;
        let bound = (n as f64 / 256.0 + 1.0) / 2048.0 * exact;
        assert!((g[0].to_f64() - exact).abs() <= bound, "{} against {exact}", g[0]);
    }

    /// The gradient at zero weights from `batch_gradient` and from one mini-batch of all the
    /// records, each given to `check` with its name.
    fn zero_weight_gradients(layer: Layer, x: &[f16], y: &[f16], check: impl Fn(&[f16], &str)) {
        let n = y.len() / layer.outputs;
        let w = vec![f16::ZERO; layer.weights_len()];
        let mut g = vec![f16::ZERO; layer.weights_len()];
        batch_gradient(&Sigmoid, layer, &w, x, y, &mut g).unwrap();
        check(&g, "batch");
        let order: Vec<usize> = (0..n).collect();
        let mut w_mini = w.clone();
        minibatch_epoch(&Sigmoid, layer, &mut w_mini, x, y, f16::ZERO, n, &order, &mut g).unwrap();
        check(&g, "mini-batch");
    }

    /// Batch and mini-batch gradients over 20 000 equal records with two outputs and a bias:
    /// every entry within the documented bound of n·δ·xᵢ, blocks of 64 records (several
    /// outputs) summed in f32. Record by record in f16 the sums stalled at 32 to 128.
    #[test]
    fn f16_gradients_are_summed_in_f32_per_block() {
        let layer = Layer::new(3, 2).with_bias();
        let n = 20_000;
        let row = [1.0, 0.5, 2.0];
        let x: Vec<f16> = (0..n).flat_map(|_| row.map(f16::from_f64)).collect();
        let y: Vec<f16> = (0..n).flat_map(|_| [0.75, 0.25].map(f16::from_f64)).collect();
        // ŷ = σ(0) = 1/2, so δ = (y − 1/2)/4, exact in f16.
        let expected: Vec<f64> = [0.0625, -0.0625]
            .iter()
            .flat_map(|&delta| [1.0, 0.5, 2.0, 1.0].map(|xi| n as f64 * delta * xi))
            .collect();
        let within = |g: &[f16], what: &str| {
            for (got, &exact) in g.iter().zip(&expected) {
                let bound = (n as f64 / 64.0 + 1.0) / 2048.0 * exact.abs();
                assert!((got.to_f64() - exact).abs() <= bound, "{what}: {got} against {exact}");
            }
        };
        zero_weight_gradients(layer, &x, &y, within);
    }

    /// Rows of 130 features, wider than the 64 columns summed in f32 at a time: every column
    /// gets its own sum, batch and mini-batch.
    #[test]
    fn f16_gradients_of_rows_wider_than_64_columns() {
        let layer = Layer::new(130, 1);
        let n = 300;
        let row: Vec<f64> = (0..130).map(|i| 1.0 + (i % 5) as f64 * 0.25).collect();
        let x: Vec<f16> = (0..n).flat_map(|_| row.iter().map(|&v| f16::from_f64(v))).collect();
        let y = vec![f16::from_f64(0.75); n];
        // ŷ = σ(0) = 1/2, so δ = (0.75 − 1/2)/4 = 1/16 for every record.
        let within = |g: &[f16], what: &str| {
            for (i, (got, &xi)) in g.iter().zip(&row).enumerate() {
                let exact = n as f64 / 16.0 * xi;
                let bound = (n as f64 / 64.0 + 1.0) / 2048.0 * exact;
                assert!((got.to_f64() - exact).abs() <= bound, "{what}, column {i}: {got}");
            }
        };
        zero_weight_gradients(layer, &x, &y, within);
    }

    /// Σ (y − ŷ)² over 1000 residuals of 10 is 100 000, beyond f16; ½Σ = 50 000 is not.
    #[test]
    fn f16_loss_above_half_the_range() {
        let layer = Layer::new(1, 1);
        let (x, y) = (vec![f16::ONE; 1000], vec![f16::from_f64(10.0); 1000]);
        let e = f16::from_f64(50_000.0);
        assert!(e.is_finite());
        assert_eq!(sse(&y, &vec![f16::ZERO; 1000]).unwrap(), e);
        let mut g = [f16::ZERO];
        assert_eq!(batch_gradient(&Identity, layer, &[f16::ZERO], &x, &y, &mut g).unwrap(), e);
        let mut w = [f16::ZERO];
        let mut scratch = vec![f16::ZERO; train_scratch_len(layer)];
        let mut first = None;
        let schedule = Schedule::new(3, f16::from_f64(0.5));
        let report =
            train(&Identity, layer, &mut w, &x, &y, &schedule, &mut scratch, &mut [], |_, l| {
                first.get_or_insert(l);
            });
        assert!(report.is_ok(), "{report:?}");
        assert_eq!(first.unwrap().sse, e);
    }
}

/// The example's loader rejects bad records with their line and column, and `split` bad
/// arguments, instead of training on NaN.
#[test]
fn admissions_loader_rejects_bad_data() {
    let dir = std::env::temp_dir().join(format!("delta-rule-loader-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let load = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        admissions::load(&path).map(|_| ()).map_err(|e| e.to_string())
    };
    let header = "admit,gre,gpa,rank\n";
    let good = "0,380,3.61,3\n1,660,3.67,3\n";
    assert_eq!(load("good.csv", &format!("{header}{good}")), Ok(()));
    let cases = [
        ("missing.csv", "0,380,,3\n1,660,3.67,3\n", "line 2, column `gpa`"),
        ("nan.csv", "0,380,3.61,3\n1,nan,3.67,3\n", "line 3, column `gre`"),
        ("admit.csv", "7,380,3.61,3\n1,660,3.67,3\n", "neither 0 nor 1"),
        ("rank.csv", "0,380,3.61,5\n1,660,3.67,3\n", "not 1, 2, 3 or 4"),
        ("one.csv", "0,380,3.61,3\n", "at least two"),
        ("constant.csv", "0,380,3.61,3\n1,380,3.67,3\n", "`gre` is constant"),
    ];
    for (name, rows, message) in cases {
        let err = load(name, &format!("{header}{rows}")).unwrap_err();
        assert!(err.contains(message), "{name}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();

    let (x, y) = ([0.0; 12], [0.0, 1.0]);
    assert!(admissions::split(&x, &y, 0.5, 1).is_ok());
    assert!(admissions::split(&x, &y, 1.5, 1).is_err());
    assert!(admissions::split(&x[..11], &y, 0.5, 1).is_err());
}
