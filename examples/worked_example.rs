//! The delta rule on one record, step by step, as the tutorial works it:
//! x = [0.1, 0.3], y = 0.2, w = [−0.8, 0.5], η = 0.5.
//!
//! Run with `cargo run --release --example worked_example`.

use delta_rule::{error_term, gradient_step, net_input, sse, weight_step, Activation, Sigmoid};

fn main() -> Result<(), delta_rule::Error> {
    let x = [0.1_f64, 0.3];
    let y = 0.2;
    let mut w = [-0.8, 0.5];
    let learn_rate = 0.5;

    println!("The delta rule for one sigmoid unit");
    println!("  x = {x:?}, y = {y}, w = {w:?}, learn rate = {learn_rate}\n");

    // Forward pass: the net input and the unit's output.
    let h = net_input(&w, &x)?;
    let nn_output = Sigmoid.activate(h);
    println!("{:<28} = {h}", "h = w·x");
    println!("{:<28} = {nn_output}", "output ŷ = f(h)");

    // Backward pass: how wrong the output is, and how steep the sigmoid is there. The names are
    // the tutorial's: `output_grad` is f′(h) = dŷ/dh, the slope of the unit at h.
    let error = y - nn_output;
    let output_grad = Sigmoid.derivative(h);
    println!("{:<28} = {error}", "error y − ŷ");
    println!("{:<28} = {output_grad}", "f′(h)");

    // The error term scales the error by the slope; `error_term` takes y and h and computes the
    // same product.
    let delta = error * output_grad;
    assert_eq!(delta, error_term(&Sigmoid, y, h));
    println!("{:<28} = {delta}", "error term δ = (y − ŷ) f′(h)");

    let mut del_w = [0.0; 2];
    weight_step(&mut del_w, &x, delta, learn_rate)?;
    println!("{:<28} = {del_w:?}\n", "Δw = η δ x");

    // The update, repeated: the squared error of this record falls every iteration.
    println!("{:>9}  {:>22}  {:>20}  {:>20}", "iteration", "E = ½(y − ŷ)²", "w[0]", "w[1]");
    for iteration in 0..=5 {
        let h = net_input(&w, &x)?;
        let e = sse(&[y], &[Sigmoid.activate(h)])?;
        println!("{iteration:>9}  {e:>22}  {:>20}  {:>20}", w[0], w[1]);
        gradient_step(&mut w, &x, error_term(&Sigmoid, y, h), learn_rate)?;
    }
    Ok(())
}
