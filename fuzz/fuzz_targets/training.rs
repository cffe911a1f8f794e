//! The training functions on arbitrary shapes, values and learning rates: `Ok` when every shape
//! agrees and the learning rate is finite and ≥ 0, `Err` when a length disagrees, nothing modified
//! on `Err`, no panic, and losses that are NaN or ≥ 0. The `rayon` functions answer as the serial
//! ones do, with the same bits: inputs this small are one shard. `train` runs a few epochs of each
//! descent: `Ok` or `Error::Diverged` exactly when its arguments are valid, the observer called
//! once per epoch with finite sums of squared errors on `Ok` until it stops the run (the report
//! saying so), the tolerance is met or the epochs run out, and nothing modified on any other
//! `Err` (nor the weights when it diverges before the observer has seen a loss). `Trainer` answers
//! as `train` does with buffers of the right length.
#![no_main]

use core::ops::ControlFlow;
use delta_rule::{
    accuracy, apply_gradient, batch_epoch, batch_gradient, init_weights, minibatch_epoch,
    par_batch_epoch, par_batch_gradient, predict, train, train_scratch_len, Activation, Descent,
    Error, Layer, Schedule, Sigmoid, Tanh, Trainer,
};
use libfuzzer_sys::fuzz_target;

#[path = "input.rs"]
mod input;
use input::Input;

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// `len`, or a different length when `skew` is set.
fn skewed(len: usize, skew: u8) -> usize {
    match skew % 8 {
        1 => len + 1,
        2 => len.saturating_sub(1),
        3 => len + 5,
        _ => len,
    }
}

fuzz_target!(|bytes: &[u8]| {
    let mut input = Input::new(bytes);
    let (d, k) = (usize::from(input.byte() % 5), usize::from(input.byte() % 3));
    let mut layer = Layer::new(d, k);
    if input.byte() & 1 == 1 {
        layer = layer.with_bias();
    }
    let n = usize::from(input.byte() % 20);
    let skews = [input.byte(), input.byte(), input.byte(), input.byte()];
    let x = input.vec_f64(skewed(n * d, skews[0]));
    let y = input.vec_f64(skewed(n * k, skews[1]));
    let mut weights = input.vec_f64(skewed(layer.weights_len(), skews[2]));
    let mut gradient = vec![0.25; skewed(layer.weights_len(), skews[3])];
    let learn_rate =
        if input.byte() & 1 == 1 { input.f64() } else { f64::from(input.byte()) / 64.0 };
    let tanh = input.byte() & 1 == 1;
    let activation: &(dyn Activation<f64> + Sync) = if tanh { &Tanh } else { &Sigmoid };

    // As the crate reads the shapes: records from x, then y, weights and gradient must fit.
    let records = x.len().checked_div(d).unwrap_or(0);
    let forward_agrees =
        d > 0 && k > 0 && x.len().is_multiple_of(d) && weights.len() == layer.weights_len();
    let shapes_agree =
        forward_agrees && y.len() == records * k && gradient.len() == layer.weights_len();
    let rate_ok = learn_rate.is_finite() && learn_rate >= 0.0;
    let (w0, g0) = (weights.clone(), gradient.clone());
    let unchanged = |w: &[f64], g: &[f64]| same(w, &w0) && same(g, &g0);

    let serial = batch_gradient(activation, layer, &weights, &x, &y, &mut gradient);
    match serial {
        Ok(e) => {
            assert!(shapes_agree);
            assert!(e.is_nan() || e >= 0.0, "{e}");
        }
        Err(_) => {
            assert!(!shapes_agree);
            assert!(unchanged(&weights, &gradient));
        }
    }
    let serial_gradient = gradient.clone();
    gradient.copy_from_slice(&g0);
    match par_batch_gradient(activation, layer, &weights, &x, &y, &mut gradient) {
        Ok(e) => {
            assert!(same(&[e], &[serial.unwrap()]));
            assert!(same(&gradient, &serial_gradient));
        }
        Err(err) => {
            assert_eq!(format!("{err:?}"), format!("{:?}", serial.unwrap_err()));
            assert!(unchanged(&weights, &gradient));
        }
    }
    gradient.copy_from_slice(&g0);

    let serial = batch_epoch(activation, layer, &mut weights, &x, &y, learn_rate, &mut gradient);
    match serial {
        Ok(loss) => {
            assert!(shapes_agree && rate_ok && records > 0);
            assert!(loss.sse.is_nan() || loss.sse >= 0.0);
        }
        Err(_) => {
            assert!(!(shapes_agree && rate_ok && records > 0));
            assert!(unchanged(&weights, &gradient));
        }
    }
    let (serial_weights, serial_gradient) = (weights.clone(), gradient.clone());
    weights.copy_from_slice(&w0);
    gradient.copy_from_slice(&g0);
    match par_batch_epoch(activation, layer, &mut weights, &x, &y, learn_rate, &mut gradient) {
        Ok(loss) => {
            let serial = serial.unwrap();
            assert!(same(&[loss.sse, loss.mse], &[serial.sse, serial.mse]));
            assert!(same(&weights, &serial_weights));
            assert!(same(&gradient, &serial_gradient));
        }
        Err(err) => {
            assert_eq!(format!("{err:?}"), format!("{:?}", serial.unwrap_err()));
            assert!(unchanged(&weights, &gradient));
        }
    }
    weights.copy_from_slice(&w0);
    gradient.copy_from_slice(&g0);

    let order: Vec<usize> = (0..records).rev().collect();
    let batch_size = usize::from(input.byte() % 4);
    match minibatch_epoch(
        activation,
        layer,
        &mut weights,
        &x,
        &y,
        learn_rate,
        batch_size,
        &order,
        &mut gradient,
    ) {
        Ok(loss) => {
            assert!(shapes_agree && rate_ok && records > 0 && batch_size > 0);
            assert!(loss.sse.is_nan() || loss.sse >= 0.0);
        }
        Err(_) => {
            assert!(!(shapes_agree && rate_ok && records > 0 && batch_size > 0));
            assert!(unchanged(&weights, &gradient));
        }
    }
    weights.copy_from_slice(&w0);

    let mut y_hat = vec![-1.0; records * k];
    match predict(activation, layer, &weights, &x, &mut y_hat) {
        Ok(()) => {
            assert!(forward_agrees);
            let range = if tanh { -1.0..=1.0 } else { 0.0..=1.0 };
            assert!(y_hat.iter().all(|v| v.is_nan() || range.contains(v)), "{y_hat:?}");
            if let Ok(a) = accuracy(&y, &y_hat) {
                assert!((0.0..=1.0).contains(&a));
            }
        }
        Err(_) => {
            assert!(!forward_agrees);
            assert!(y_hat.iter().all(|&v| v == -1.0));
        }
    }

    let epochs = usize::from(input.byte() % 4);
    let (descent, size_ok, uses_order) = match input.byte() % 3 {
        0 => (Descent::Batch, true, false),
        1 => {
            let size = usize::from(input.byte() % 4);
            (Descent::Minibatch { size }, size > 0, true)
        }
        _ => (Descent::Stochastic, true, true),
    };
    let mut schedule =
        Schedule::new(epochs, learn_rate).descent(descent).seed(u64::from(input.byte()));
    if input.byte() & 1 == 1 {
        schedule = schedule.tolerance(input.f64());
    }
    let skews = [input.byte(), input.byte()];
    let mut scratch = vec![0.5; skewed(train_scratch_len(layer), skews[0])];
    let mut order = vec![usize::MAX; skewed(if uses_order { records } else { 0 }, skews[1])];
    let (scratch0, order0) = (scratch.clone(), order.clone());
    let train_ok = forward_agrees
        && y.len() == records * k
        && scratch.len() == train_scratch_len(layer)
        && (!uses_order || order.len() == records)
        && rate_ok
        && records > 0
        && epochs > 0
        && size_ok;
    // The observer stops the run after this epoch (never for 0).
    let stop_at = usize::from(input.byte() % 5);
    let mut seen = Vec::new();
    let observer = |epoch, loss| {
        seen.push((epoch, loss));
        if epoch == stop_at {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    match train(
        activation,
        layer,
        &mut weights,
        &x,
        &y,
        &schedule,
        &mut scratch,
        &mut order,
        observer,
    ) {
        Ok(report) => {
            assert!(train_ok);
            assert!((1..=epochs).contains(&report.epochs));
            assert_eq!(seen.len(), report.epochs);
            assert_eq!(report.stopped, report.epochs == stop_at);
            assert!(stop_at == 0 || report.epochs <= stop_at);
            assert!(report.stopped || report.converged || report.epochs == epochs);
            for (i, &(epoch, loss)) in seen.iter().enumerate() {
                assert_eq!(epoch, i + 1);
                assert!(loss.sse.is_finite() && loss.sse >= 0.0, "{loss:?}");
            }
        }
        Err(Error::Diverged { epoch, restored }) => {
            assert!(train_ok);
            assert!((1..=epochs).contains(&epoch));
            assert!(restored == epoch || restored == (epoch - 1).max(1));
            if seen.is_empty() || restored == 1 {
                assert!(same(&weights, &w0));
            }
        }
        Err(_) => {
            assert!(!train_ok);
            assert!(same(&weights, &w0) && same(&scratch, &scratch0) && order == order0);
        }
    }
    weights.copy_from_slice(&w0);

    // `Trainer` answers as `train` does with buffers of the right length: the same result,
    // observer calls and weights.
    let mut trainer = Trainer::new(layer, schedule);
    let mut seen_trainer = Vec::new();
    let by_trainer =
        trainer.run(activation, &mut weights, &x, &y, |e, l| seen_trainer.push((e, l)));
    let mut w_train = w0.clone();
    let mut scratch = vec![0.0; train_scratch_len(layer)];
    let mut order = vec![0; if uses_order { records } else { 0 }];
    let mut seen_train = Vec::new();
    let by_train = train(
        activation,
        layer,
        &mut w_train,
        &x,
        &y,
        &schedule,
        &mut scratch,
        &mut order,
        |e, l| seen_train.push((e, l)),
    );
    assert_eq!(format!("{by_trainer:?}"), format!("{by_train:?}"));
    assert_eq!(format!("{seen_trainer:?}"), format!("{seen_train:?}"));
    assert!(same(&weights, &w_train));
    weights.copy_from_slice(&w0);

    if apply_gradient(&mut weights, &gradient, learn_rate, records).is_err() {
        assert!(same(&weights, &w0));
    }
    let seed = u64::from(input.byte());
    if init_weights(layer, &mut weights, seed).is_ok() {
        assert!(weights.iter().all(|w| w.is_finite()));
    }
});
