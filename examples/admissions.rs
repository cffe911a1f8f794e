//! The tutorial's graduate-admissions lesson on the real UCLA data: a single sigmoid unit trained
//! by batch gradient descent, 1000 epochs at η = 0.5.
//!
//! ```text
//! cargo run --release --example admissions [-- path/to/loss.svg]
//! ```
//!
//! Prints the training loss (mean squared error) every 100 epochs and the accuracy on the 10 %
//! of records held out, and draws the loss curve as an SVG image (by default
//! `target/admissions-loss.svg`; the README's image is `-- docs/admissions-loss.svg`).

use std::error::Error;
use std::path::PathBuf;

use delta_rule::{accuracy, init_weights, predict, Layer, Schedule, Sigmoid, Trainer};
use plotters::prelude::*;

#[path = "data/admissions.rs"]
mod admissions;

const EPOCHS: usize = 1000;
const LEARN_RATE: f64 = 0.5;
const SPLIT_SEED: u64 = 42;
const WEIGHT_SEED: u64 = 42;

fn main() -> Result<(), Box<dyn Error>> {
    let svg = svg_path()?;

    let (x, y) = admissions::load(admissions::default_path())?;
    let data = admissions::split(&x, &y, 0.1, SPLIT_SEED)?;
    println!(
        "{} training and {} test records, {} features",
        data.train_y.len(),
        data.test_y.len(),
        admissions::FEATURES
    );

    // No bias weight, as in the tutorial: the four one-hot rank columns always sum to 1, so
    // together they act as one. The starting weights are normal with standard deviation 1/√D,
    // which keeps the first net inputs of order 1, where the sigmoid is not flat.
    let layer = Layer::new(admissions::FEATURES, 1);
    let mut weights = vec![0.0; layer.weights_len()];
    init_weights(layer, &mut weights, WEIGHT_SEED)?;
    // Each epoch is `batch_epoch`: for every record δ = (y − ŷ) f′(h) and Σ δ x, then
    // w ← w + η Σ δ x / n (`tests/layer.rs` has the tutorial's loop written out,
    // `tutorial_epoch`, and checks that the two agree). The trainer holds the gradient and two
    // copies of the weights, to restore them if training diverges; `delta_rule::train` runs the
    // same loop with those buffers passed in, allocating nothing.
    let mut curve = Vec::with_capacity(EPOCHS);
    let mut trainer = Trainer::new(layer, Schedule::new(EPOCHS, LEARN_RATE));
    // The observer is called after every epoch with the loss of the weights that epoch started
    // from.
    trainer.run(&Sigmoid, &mut weights, &data.train_x, &data.train_y, |epoch, loss| {
        let rising = curve.last().is_some_and(|&last| loss.mse > last);
        if rising || epoch == 1 || epoch % 100 == 0 {
            let warning = if rising { "  WARNING: loss increasing" } else { "" };
            println!("epoch {epoch:4}: train loss {:.6}{warning}", loss.mse);
        }
        curve.push(loss.mse);
    })?;

    let mut y_hat = vec![0.0; data.test_y.len()];
    predict(&Sigmoid, layer, &weights, &data.test_x, &mut y_hat)?;
    println!("prediction accuracy on the test records: {:.3}", accuracy(&data.test_y, &y_hat)?);

    draw(&curve, &svg)?;
    println!("loss curve written to {}", svg.display());
    Ok(())
}

/// The SVG file to write: the one argument, or `admissions-loss.svg` in Cargo's target directory
/// (`$CARGO_TARGET_DIR` where set, else `target/` in the crate's directory; created if need be),
/// so that a plain run leaves the repository's files alone; checked before the training so that
/// a wrong path fails at once.
fn svg_path() -> Result<PathBuf, Box<dyn Error>> {
    let mut args = std::env::args_os().skip(1);
    let path = match (args.next(), args.next()) {
        (None, _) => {
            let default = || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target"));
            let dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(default, PathBuf::from);
            std::fs::create_dir_all(&dir)?;
            dir.join("admissions-loss.svg")
        }
        (Some(arg), None) if !arg.to_string_lossy().starts_with('-') => PathBuf::from(arg),
        _ => return Err("usage: admissions [path/to/loss.svg]".into()),
    };
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent.filter(|dir| !dir.is_dir()) {
        return Err(
            format!("cannot write {}: no directory {}", path.display(), dir.display()).into()
        );
    }
    Ok(path)
}

/// The training loss per epoch as a line chart.
fn draw(curve: &[f64], path: &std::path::Path) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (720, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let top = curve.iter().copied().fold(0.0, f64::max) * 1.05;
    let bottom = curve.iter().copied().fold(f64::INFINITY, f64::min) * 0.95;
    let mut chart = ChartBuilder::on(&root)
        .caption("Admissions: training loss, batch descent, η = 0.5", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(1..curve.len(), bottom..top)?;
    chart.configure_mesh().x_desc("epoch").y_desc("mean squared error").draw()?;
    chart
        .draw_series(LineSeries::new(curve.iter().enumerate().map(|(i, &l)| (i + 1, l)), &BLUE))?;
    root.present()?;
    Ok(())
}
