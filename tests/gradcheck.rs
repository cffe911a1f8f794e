//! Every activation's derivative against central finite differences through the public
//! `check_derivative`, and the delta rule's gradient through `check_gradient`, on random points.
//!
//! These test the checkers as a user runs them, at their default tolerances (1e-5 relative for
//! `f64`), which catch a wrong formula but not a relative error below them. `properties.rs`
//! compares the derivatives with finite differences at 1e-9 relative, which catches far smaller
//! slips but still not an error of a few ulps; the ulp bounds themselves are tested against
//! mpmath in `reference_tables.rs`.

mod common;

use delta_rule::{
    check_derivative, check_gradient, default_tolerance, error_term, net_input, sse, Activation,
    Identity, LeakyRelu, Relu, Sigmoid, Softplus, Tanh,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

#[test]
fn check_gradient_restores_x_when_f_panics() {
    let mut x = [0.25_f64, -1.5, 3.0];
    let mut calls = 0;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // Panics on the second coordinate's first evaluation, with x[1] perturbed.
        check_gradient(
            |v: &[f64]| {
                calls += 1;
                assert!(calls < 3, "deliberate panic at x = {v:?}");
                v.iter().sum()
            },
            &mut x,
            &[1.0, 1.0, 1.0],
        )
    }));
    assert!(result.is_err());
    assert_eq!(calls, 3);
    assert_eq!(x.map(f64::to_bits), [0.25_f64, -1.5, 3.0].map(f64::to_bits));
}

#[test]
fn tolerances_are_those_of_the_common_module() {
    assert_eq!(default_tolerance::<f64>(), common::gradcheck::F64);
    assert_eq!(f64::from(default_tolerance::<f32>()), f64::from(common::gradcheck::F32 as f32));
}

/// Points at least `gap` away from 0, for activations with a kink there.
fn away_from_zero(x: f64, gap: f64) -> f64 {
    if x.abs() < gap {
        x.signum() * gap + x
    } else {
        x
    }
}

proptest! {
    // Failing seeds go to the top-level proptest-regressions/ directory (committed).
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/gradcheck.txt"
        )))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn smooth_activations_f64(points in prop::collection::vec(-40.0_f64..40.0, 1..32)) {
        let units: [(&str, &dyn Activation<f64>); 4] =
            [("sigmoid", &Sigmoid), ("tanh", &Tanh), ("softplus", &Softplus), ("identity", &Identity)];
        for (name, unit) in units {
            let report = check_derivative(unit, &points);
            prop_assert!(report.passed(), "{name}: {report:?}");
            prop_assert_eq!(report.checked, points.len());
        }
    }

    #[test]
    fn smooth_activations_f32(points in prop::collection::vec(-20.0_f32..20.0, 1..32)) {
        let units: [(&str, &dyn Activation<f32>); 4] =
            [("sigmoid", &Sigmoid), ("tanh", &Tanh), ("softplus", &Softplus), ("identity", &Identity)];
        for (name, unit) in units {
            let report = check_derivative(unit, &points);
            prop_assert!(report.passed(), "{name}: {report:?}");
        }
    }

    #[test]
    fn rectifiers_away_from_the_kink(
        points in prop::collection::vec(-1e3_f64..1e3, 1..32),
        alpha in 0.0_f64..1.0,
    ) {
        // The step is ∛ε·max(1, |x|) ≈ 6e-6·max(1, |x|): stay clear of 0 by more than that.
        let points: Vec<f64> = points.iter().map(|&x| away_from_zero(x, 1e-3)).collect();
        let report = check_derivative(&Relu, &points);
        prop_assert!(report.passed(), "relu: {report:?}");
        let report = check_derivative(&LeakyRelu::new(alpha), &points);
        prop_assert!(report.passed(), "leaky relu: {report:?}");
    }

    /// ∂E/∂ŷ = ŷ − y for the sse E = ½ Σ (y − ŷ)².
    #[test]
    fn sse_gradient(pairs in prop::collection::vec((-10.0_f64..10.0, -10.0_f64..10.0), 1..16)) {
        let (y, mut y_hat): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let gradient: Vec<f64> = y.iter().zip(&y_hat).map(|(y, y_hat)| y_hat - y).collect();
        let before = y_hat.clone();
        let report =
            check_gradient(|y_hat: &[f64]| sse(&y, y_hat).unwrap_or(f64::NAN), &mut y_hat, &gradient)
                .unwrap();
        prop_assert!(report.passed(), "{report:?}");
        prop_assert_eq!(y_hat, before);
    }

    /// The delta rule descends E(w) = ½ (y − σ(w·x))²: ∂E/∂wᵢ = −δ xᵢ with δ from `error_term`.
    #[test]
    fn delta_rule_gradient(
        data in prop::collection::vec((-2.0_f64..2.0, -2.0_f64..2.0), 1..12),
        y in 0.0_f64..1.0,
    ) {
        let (x, mut w): (Vec<f64>, Vec<f64>) = data.into_iter().unzip();
        let h = net_input(&w, &x).unwrap();
        let delta = error_term(&Sigmoid, y, h);
        let gradient: Vec<f64> = x.iter().map(|&xi| -delta * xi).collect();
        let loss = |w: &[f64]| {
            let y_hat = Sigmoid.activate(net_input(w, &x).unwrap_or(f64::NAN));
            0.5 * (y - y_hat) * (y - y_hat)
        };
        let report = check_gradient(loss, &mut w, &gradient).unwrap();
        prop_assert!(report.passed(), "{report:?}");
    }
}

#[cfg(feature = "half")]
mod half_types {
    use super::*;
    use half::{bf16, f16};

    fn grid<T: num_traits::Float>() -> Vec<T> {
        (-32..=32).map(|i| T::from(f64::from(i) / 8.0).unwrap_or_else(T::nan)).collect()
    }

    #[test]
    fn smooth_activations_f16_and_bf16() {
        let units16: [(&str, &dyn Activation<f16>); 3] =
            [("sigmoid", &Sigmoid), ("tanh", &Tanh), ("softplus", &Softplus)];
        for (name, unit) in units16 {
            let report = check_derivative(unit, &grid::<f16>());
            assert!(report.passed(), "f16 {name}: {report:?}");
        }
        let units_bf16: [(&str, &dyn Activation<bf16>); 3] =
            [("sigmoid", &Sigmoid), ("tanh", &Tanh), ("softplus", &Softplus)];
        for (name, unit) in units_bf16 {
            let report = check_derivative(unit, &grid::<bf16>());
            assert!(report.passed(), "bf16 {name}: {report:?}");
        }
    }

    #[test]
    fn a_wrong_derivative_is_caught_in_f16() {
        struct Flawed;
        impl Activation<f16> for Flawed {
            fn activate(&self, h: f16) -> f16 {
                Sigmoid.activate(h)
            }
            fn derivative(&self, h: f16) -> f16 {
                // Off by 20 %: far above the f16 tolerance of 1e-2.
                Sigmoid.derivative(h) * f16::from_f32(1.2)
            }
        }
        assert!(!check_derivative(&Flawed, &grid::<f16>()).passed());
    }
}
