//! The tutorial's worked example: x = [0.1, 0.3], y = 0.2, w = [−0.8, 0.5], η = 0.5.
//!
//! The expected values are the tutorial's published f64 results, and are re-derived here from the
//! formulas with plain `f64` arithmetic, independently of the crate's kernels.

mod common;

use common::{close_rel, F32_REL, F64_REL};
use delta_rule::{
    error_term, gradient_step, net_input, sse, train_step, weight_step, Activation, Sigmoid,
};
use num_traits::Float;

const X: [f64; 2] = [0.1, 0.3];
const Y: f64 = 0.2;
const W: [f64; 2] = [-0.8, 0.5];
const LEARN_RATE: f64 = 0.5;

/// The tutorial's values, as printed by its numpy code.
struct Expected {
    h: f64,
    y_hat: f64,
    error: f64,
    slope: f64,
    delta: f64,
    del_w: [f64; 2],
}

const TUTORIAL: Expected = Expected {
    h: 0.06999999999999998,
    y_hat: 0.5174928576663897,
    error: -0.31749285766638974,
    slope: 0.24969399993066344,
    delta: -0.07927606158013766,
    del_w: [-0.003963803079006883, -0.011891409237020648],
};

#[test]
fn tutorial_values_follow_from_the_formulas() {
    // The formulas in plain f64: h = w·x, ŷ = 1/(1+e^−h), f′ = ŷ(1−ŷ), δ = (y−ŷ)f′, Δw = ηδx.
    let h = W[0] * X[0] + W[1] * X[1];
    let y_hat = 1.0 / (1.0 + (-h).exp());
    let slope = y_hat * (1.0 - y_hat);
    let delta = (Y - y_hat) * slope;
    let t = &TUTORIAL;
    assert_eq!(h, t.h);
    for (got, want) in [(y_hat, t.y_hat), (Y - y_hat, t.error), (slope, t.slope), (delta, t.delta)]
    {
        assert!(close_rel(got, want, F64_REL), "{got} vs {want}");
    }
    for (xi, want) in X.iter().zip(t.del_w) {
        assert!(close_rel(LEARN_RATE * delta * xi, want, F64_REL));
    }
}

fn cast<T: Float>(v: f64) -> T {
    T::from(v).unwrap()
}

/// Runs the example in `T` and compares every intermediate with the tutorial's f64 values.
fn reproduce<T: Float + core::fmt::Debug>(rel: f64, strict_descent: bool) {
    let x: [T; 2] = X.map(cast);
    let mut w: [T; 2] = W.map(cast);
    let (y, learn_rate) = (cast::<T>(Y), cast::<T>(LEARN_RATE));
    let t = &TUTORIAL;
    let check = |name: &str, got: T, want: f64| {
        let got = got.to_f64().unwrap();
        assert!(close_rel(got, want, rel), "{name}: {got} vs {want} (rel {rel:e})");
    };

    let h = net_input(&w, &x).unwrap();
    check("h", h, t.h);
    let (y_hat, slope) = Sigmoid.activate_with_derivative(h);
    check("y_hat", y_hat, t.y_hat);
    check("y - y_hat", y - y_hat, t.error);
    check("f'(h)", slope, t.slope);
    check("f'(h) alone", Sigmoid.derivative(h), t.slope);
    let delta = error_term(&Sigmoid, y, h);
    check("delta", delta, t.delta);

    let mut del_w = [T::zero(); 2];
    weight_step(&mut del_w, &x, delta, learn_rate).unwrap();
    check("del_w[0]", del_w[0], t.del_w[0]);
    check("del_w[1]", del_w[1], t.del_w[1]);

    let before = sse(&[y], &[y_hat]).unwrap();
    gradient_step(&mut w, &x, delta, learn_rate).unwrap();
    check("w[0]", w[0], W[0] + t.del_w[0]);
    check("w[1]", w[1], W[1] + t.del_w[1]);
    let after = sse(&[y], &[Sigmoid.activate(net_input(&w, &x).unwrap())]).unwrap();
    // The loss falls by ~0.2 %: visible in f32 and f64, within rounding of ŷ in the half types.
    assert!(after < before || (!strict_descent && after == before));

    // train_step does all of the above in one call.
    let mut w2: [T; 2] = W.map(cast);
    let y_hat2 = train_step(&Sigmoid, &mut w2, &x, y, learn_rate).unwrap();
    assert_eq!(y_hat2, y_hat);
    assert_eq!(w2, w);
}

#[test]
fn f64_reproduces_the_tutorial() {
    reproduce::<f64>(F64_REL, true);
}

#[test]
fn f32_reproduces_the_tutorial_to_f32_precision() {
    reproduce::<f32>(F32_REL, true);
}

#[cfg(feature = "half")]
#[test]
fn half_types_reproduce_the_tutorial_to_their_precision() {
    // h = 0.07 itself carries the rounding of x and w (see the constant's derivation).
    let factor = common::WORKED_EXAMPLE_EPS;
    reproduce::<half::f16>(factor * f64::from(half::f16::EPSILON), false);
    reproduce::<half::bf16>(factor * f64::from(half::bf16::EPSILON), false);
}
