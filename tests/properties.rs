//! Property tests of the foundation: derivatives against finite differences, descent, f32 against
//! f64, and the behaviour on bad and extreme input.

mod common;

use common::{
    bounds, central_difference, close_rel, gamma, gamma32, FD_ABS, FD_REL, SIGMOID_DELTA_SLOPE,
    SSE_VS_SEQUENTIAL_63, UNIT_ROUNDOFF,
};
use delta_rule::{
    accumulate_weight_step, error_term, error_terms, gradient_step, net_input, sse, train_step,
    weight_step, Activation, Error, Identity, LeakyRelu, Relu, Sigmoid, Softplus, Tanh,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Every activation with its name, for messages.
fn activations() -> [(&'static str, Box<dyn Activation<f64>>); 6] {
    [
        ("sigmoid", Box::new(Sigmoid)),
        ("tanh", Box::new(Tanh)),
        ("relu", Box::new(Relu)),
        ("leaky_relu", Box::new(LeakyRelu::new(0.01))),
        ("softplus", Box::new(Softplus)),
        ("identity", Box::new(Identity)),
    ]
}

/// Inputs, weights and targets of a small single-output problem.
fn problem(max_len: usize) -> impl Strategy<Value = (Vec<f64>, Vec<f64>, f64)> {
    (1..=max_len).prop_flat_map(|n| {
        (
            prop::collection::vec(-2.0..2.0_f64, n),
            prop::collection::vec(-2.0..2.0_f64, n),
            0.0..1.0_f64,
        )
    })
}

/// The products wᵢxᵢ, each split exactly into p + e by FMA: 2n parts that add up to w·x.
fn product_parts(w: &[f64], x: &[f64]) -> Vec<f64> {
    w.iter().zip(x).flat_map(|(&a, &b)| [a * b, a.mul_add(b, -(a * b))]).collect()
}

/// w·x from [`product_parts`] added by `compensated_sum` (Ogita, Rump and Oishi's Sum2):
/// within u|w·x| + γ_2n²·Σ|wx|.
fn accurate_dot(w: &[f64], x: &[f64]) -> f64 {
    compensated_sum(&product_parts(w, x))
}

/// E(w) = ½(y − f(w·x))² for a sigmoid unit, with h from `accurate_dot`.
fn unit_loss(w: &[f64], x: &[f64], y: f64) -> f64 {
    let r = y - Sigmoid.activate(accurate_dot(w, x));
    0.5 * r * r
}

/// A bound on |`unit_loss` − E| at w: h from `accurate_dot`, σ′ ≤ ¼, σ ≤ 1 within
/// `bounds::SIGMOID` ulp, and y − σ and r·r one rounding each (½ is exact):
/// |Δr| ≤ ¼·(u|h| + γ_2n²·Σ|wx|) + ε + u|r| and |ΔE| ≤ |r|·|Δr| + ½|Δr|² + u·E.
fn unit_loss_error(w: &[f64], x: &[f64], y: f64) -> f64 {
    let h = accurate_dot(w, x);
    let abs: f64 = w.iter().zip(x).map(|(a, b)| (a * b).abs()).sum();
    let r = (y - Sigmoid.activate(h)).abs();
    let dh = UNIT_ROUNDOFF * h.abs() + gamma(2 * w.len()).powi(2) * abs;
    let dr = 0.25 * dh + bounds::SIGMOID * f64::EPSILON + UNIT_ROUNDOFF * r;
    // The computed |r| stands in for the exact one, which is at most |Δr| larger.
    (r + dr) * dr + 0.5 * dr * dr + UNIT_ROUNDOFF * 0.5 * r * r
}

/// Any f64, NaN, ±∞, subnormals and huge values included.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE / 4.0),
        -1e3..1e3_f64,
    ]
}

/// The most roundings any product passes through in `net_input` with n terms (derived in its
/// docs): `lanes` FMA accumulators (64 for `f32`, 32 for `f64`) where this build and CPU run
/// the SIMD kernels, else the generic code's 8 partial sums.
fn net_input_roundings(n: usize, lanes: usize) -> usize {
    if net_input_runs_simd() {
        n.div_ceil(lanes) + lanes.trailing_zeros() as usize
    } else {
        (n / 8 + 4).max(n % 8 + 1)
    }
}

/// Which summation `net_input` uses, told by its result rather than by repeating the dispatch
/// rules: with products 1, seven zeros, u and u (u = 2⁻⁵³), the generic code adds the last two
/// in its tail (2u, which 1 keeps), and the SIMD kernels add each u to 1 apart (a tie each,
/// rounded to 1).
fn net_input_runs_simd() -> bool {
    let u = f64::EPSILON / 2.0;
    let x = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, u, u];
    let h = net_input(&[1.0; 10], &x).unwrap();
    assert!(h == 1.0 || h == 1.0 + 2.0 * u, "neither summation: {h}");
    h == 1.0
}

/// Σ `terms` with each addition's error kept (TwoSum): off by about 2⁻¹⁰⁶·n·Σ|terms|, far
/// below the bounds tested with it.
fn compensated_sum(terms: &[f64]) -> f64 {
    let (mut sum, mut error) = (0.0_f64, 0.0_f64);
    for &t in terms {
        let s = sum + t;
        let v = s - sum;
        error += (sum - (s - v)) + (t - v);
        sum = s;
    }
    sum + error
}

/// Weights and inputs of lengths around the dot product's chunks of 32 and 64.
fn dot_inputs() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (1..=300_usize).prop_flat_map(|n| {
        (prop::collection::vec(-4.0..4.0_f64, n), prop::collection::vec(-4.0..4.0_f64, n))
    })
}

proptest! {
    // Failing seeds go to the top-level proptest-regressions/ directory (committed).
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/properties.txt"
        )))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn net_input_is_within_its_error_bound((w, x) in dot_inputs()) {
        // |h − Σwx| ≤ γ_m·Σ|wx|, γ_m = m·u/(1 − m·u), against the exact sum: in f64 each
        // product as p + e by FMA, in f32 the products exact in f64.
        let n = w.len();
        let products = product_parts(&w, &x);
        let abs: f64 = products.iter().map(|p| p.abs()).sum::<f64>() * (1.0 + 1e-12);
        let bound = gamma(net_input_roundings(n, 32)) * abs;
        let error = (net_input(&w, &x).unwrap() - compensated_sum(&products)).abs();
        prop_assert!(error <= bound, "f64 n {n}: error {error:e}, bound {bound:e}");

        let (w32, x32): (Vec<f32>, Vec<f32>) =
            (w.iter().map(|&v| v as f32).collect(), x.iter().map(|&v| v as f32).collect());
        let products: Vec<f64> =
            w32.iter().zip(&x32).map(|(&a, &b)| f64::from(a) * f64::from(b)).collect();
        let abs: f64 = products.iter().map(|p| p.abs()).sum::<f64>() * (1.0 + 1e-12);
        let bound = gamma32(net_input_roundings(n, 64)) * abs;
        let h = f64::from(net_input(&w32, &x32).unwrap());
        let error = (h - compensated_sum(&products)).abs();
        prop_assert!(error <= bound, "f32 n {n}: error {error:e}, bound {bound:e}");
    }

    #[test]
    fn derivatives_match_central_differences(h in -30.0..30.0_f64) {
        for (name, unit) in activations() {
            // The rectifiers have a kink at 0, where a difference quotient straddles both sides.
            let step = f64::EPSILON.cbrt() * h.abs().max(1.0);
            if (name == "relu" || name == "leaky_relu") && h.abs() <= 2.0 * step {
                continue;
            }
            let numeric = central_difference(|t| unit.activate(t), h);
            let analytic = unit.derivative(h);
            prop_assert!(
                (analytic - numeric).abs() <= FD_ABS + FD_REL * numeric.abs(),
                "{name} at h = {h}: analytic {analytic}, numeric {numeric}"
            );
            prop_assert_eq!(unit.activate_with_derivative(h), (unit.activate(h), analytic));
        }
    }

    #[test]
    fn gradient_of_the_unit_loss_is_minus_delta_x((w, x, y) in problem(6)) {
        let h = net_input(&w, &x).unwrap();
        let delta = error_term(&Sigmoid, y, h);
        for i in 0..w.len() {
            let numeric = central_difference(
                |wi| {
                    let mut v = w.clone();
                    v[i] = wi;
                    unit_loss(&v, &x, y)
                },
                w[i],
            );
            let analytic = -delta * x[i];
            prop_assert!(
                (analytic - numeric).abs() <= FD_ABS + FD_REL * numeric.abs(),
                "dE/dw[{i}]: analytic {analytic}, numeric {numeric}"
            );
        }
    }

    #[test]
    fn a_small_step_does_not_increase_the_loss((mut w, x, y) in problem(6), learn_rate in 1e-4..0.1_f64) {
        // With |x| < 2 and n ≤ 6 the loss has curvature below 6·4·(1/16 + 1/4) < 8, so η < 0.25
        // is a descent step, the rounded one too up to second-order terms (its δ within a few
        // ulps, w′ within u|w′|, which moves E by < |r|·¼·u·Σ|w′x|); the slack covers the
        // rounding of E itself at both points.
        let before = unit_loss(&w, &x, y);
        let slack = unit_loss_error(&w, &x, y);
        let h = net_input(&w, &x).unwrap();
        gradient_step(&mut w, &x, error_term(&Sigmoid, y, h), learn_rate).unwrap();
        let after = unit_loss(&w, &x, y);
        let slack = slack + unit_loss_error(&w, &x, y);
        prop_assert!(after <= before + slack, "{before} -> {after} (slack {slack:e})");
    }

    #[test]
    fn f32_agrees_with_f64((w, x, y) in problem(8), learn_rate in 0.0..1.0_f64) {
        let (mut w64, mut w32): (Vec<f64>, Vec<f32>) = (w.clone(), w.iter().map(|&v| v as f32).collect());
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        // The f64 run starts from the same rounded inputs, so only arithmetic differs.
        let x64: Vec<f64> = x32.iter().map(|&v| f64::from(v)).collect();
        for (a, b) in w64.iter_mut().zip(&w32) {
            *a = f64::from(*b);
        }
        let (y32, eta32) = (y as f32, learn_rate as f32);
        let (y64, eta64) = (f64::from(y32), f64::from(eta32));
        // A running bound on the f32 run's distance from the f64 run, to first order (the f64
        // run's own errors are 2⁻²⁹ of these and covered by the factor 1 + 2⁻²⁰):
        // - h: the weights' distance e_w times Σ|x|, plus the f32 net input's roundings
        //   ([`net_input_roundings`]) on Σ|wx|;
        // - ŷ = σ(h): σ′ ≤ ¼ times h's, plus σ within 1 ulp (≤ ε near 1);
        // - δ = (y − ŷ)σ′ with y ∈ [0, 1): |∂δ/∂h| ≤ 1/6 times h's, plus ŷ's and σ′'s ulp,
        //   the subtraction and the product: ≤ ε/2 + ¼·2ε + ε/4 + ε/8 < 1.5ε;
        // - w ← w + (ηδ)x: ηδ (≤ η/4) one rounding, then at most two per weight.
        let u = f64::from(f32::EPSILON) / 2.0;
        let slack = |bound: f64| bound * (1.0 + 2.0_f64.powi(-20)) + 2.0_f64.powi(-40);
        let sum_abs_x: f64 = x64.iter().map(|v| v.abs()).sum();
        let mut e_w = 0.0_f64;
        for _ in 0..3 {
            let sum_abs_wx: f64 = w64.iter().zip(&x64).map(|(a, b)| (a * b).abs()).sum();
            let dh = sum_abs_x * e_w + gamma32(net_input_roundings(x64.len(), 64)) * (sum_abs_wx + sum_abs_x * e_w);
            let d_y_hat = 0.25 * dh + 2.0 * u;
            let d_delta = SIGMOID_DELTA_SLOPE * dh + 3.0 * u;
            let step = f64::from(eta32) * 0.25;
            let d_step = f64::from(eta32) * d_delta + u * step;
            let out64 = train_step(&Sigmoid, &mut w64, &x64, y64, eta64).unwrap();
            let out32 = train_step(&Sigmoid, &mut w32, &x32, y32, eta32).unwrap();
            let distance = (f64::from(out32) - out64).abs();
            prop_assert!(distance <= slack(d_y_hat), "ŷ: {distance:e} > {d_y_hat:e}");
            e_w = w64
                .iter()
                .zip(&x64)
                .map(|(w, x)| e_w + x.abs() * d_step + u * (step * x.abs() + w.abs() + e_w) * 2.0)
                .fold(0.0, f64::max);
            for (a, b) in w64.iter().zip(&w32) {
                let distance = (f64::from(*b) - a).abs();
                prop_assert!(distance <= slack(e_w), "w: {a} vs {b}, bound {e_w:e}");
            }
        }
    }

    #[test]
    fn sse_is_non_negative_and_half_the_squared_norm(
        pairs in prop::collection::vec((-1e6..1e6_f64, -1e6..1e6_f64), 0..64)
    ) {
        let (y, y_hat): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let e = sse(&y, &y_hat).unwrap();
        prop_assert!(e >= 0.0);
        let sequential: f64 = y.iter().zip(&y_hat).map(|(a, b)| 0.5 * (a - b) * (a - b)).sum();
        prop_assert!(close_rel(e, sequential, SSE_VS_SEQUENTIAL_63) || e == sequential);
    }

    #[test]
    fn mismatched_lengths_are_errors_and_change_nothing(
        // Every pair of different lengths below 12, drawn directly: rejecting equal pairs
        // aborts long runs (`PROPTEST_CASES`) at proptest's limit of global rejects.
        (n, m) in (0..12_usize, 1..12_usize).prop_map(|(n, k)| (n, (n + k) % 12)),
        value in -1.0..1.0_f64
    ) {
        let x = vec![value; m];
        let mut a = vec![0.25; n];
        let mut b = vec![0.75; n];
        let unchanged = |s: &[f64], v: f64| s.iter().all(|&e| e == v);
        let mismatch = |r: Result<(), Error>| matches!(r, Err(Error::LengthMismatch { .. }));

        prop_assert!(mismatch(gradient_step(&mut a, &x, value, 0.5)));
        prop_assert!(mismatch(weight_step(&mut a, &x, value, 0.5)));
        prop_assert!(mismatch(accumulate_weight_step(&mut a, &x, value, 0.5)));
        prop_assert!(mismatch(Sigmoid.activate_slice(&x, &mut a)));
        prop_assert!(mismatch(Tanh.derivative_slice(&x, &mut a)));
        prop_assert!(mismatch(error_terms(&Sigmoid, &x, &b.clone(), &mut a)));
        prop_assert!(mismatch(error_terms(&Sigmoid, &b.clone(), &x, &mut a)));
        prop_assert!(mismatch(error_terms(&Sigmoid, &x, &x, &mut b)));
        prop_assert!(mismatch(train_step(&Sigmoid, &mut a, &x, value, 0.5).map(drop)));
        prop_assert!(mismatch(net_input(&a, &x).map(drop)));
        prop_assert!(mismatch(sse(&a, &x).map(drop)));
        prop_assert!(unchanged(&a, 0.25) && unchanged(&b, 0.75));
    }

    #[test]
    fn bad_learn_rates_are_errors_and_change_nothing(
        learn_rate in prop_oneof![-1e300..-1e-300_f64, Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)]
    ) {
        let mut w = [0.5, -0.5];
        let bad = |r: Result<(), Error>| matches!(
            r,
            Err(Error::InvalidLearnRate { arg: "learn_rate", value })
                if value.to_bits() == learn_rate.to_bits()
        );
        prop_assert!(bad(gradient_step(&mut w, &[1.0, 2.0], 0.1, learn_rate)));
        prop_assert!(bad(weight_step(&mut w, &[1.0, 2.0], 0.1, learn_rate)));
        prop_assert!(bad(accumulate_weight_step(&mut w, &[1.0, 2.0], 0.1, learn_rate)));
        prop_assert!(bad(train_step(&Sigmoid, &mut w, &[1.0, 2.0], 0.1, learn_rate).map(drop)));
        prop_assert_eq!(w, [0.5, -0.5]);
    }

    #[test]
    fn no_input_panics(
        values in prop::collection::vec(any_f64(), 0..40),
        scalar in any_f64(),
        learn_rate in any_f64(),
    ) {
        let n = values.len();
        let mut out = vec![0.0; n];
        let mut w = values.clone();
        for (_, unit) in activations() {
            let _ = unit.activate(scalar);
            let _ = unit.derivative(scalar);
            unit.activate_slice(&values, &mut out).unwrap();
            for (&h, &f) in values.iter().zip(&out) {
                prop_assert!(f.is_nan() == h.is_nan() || h.is_infinite());
            }
            unit.derivative_slice(&values, &mut out).unwrap();
            error_terms(unit.as_ref(), &values, &values, &mut out).unwrap();
            let _ = error_term(unit.as_ref(), scalar, scalar);
            let _ = train_step(unit.as_ref(), &mut w, &values, scalar, learn_rate);
        }
        let _ = gradient_step(&mut w, &values, scalar, learn_rate);
        let _ = weight_step(&mut w, &values, scalar, learn_rate);
        let _ = net_input(&w, &values);
        let e = sse(&values, &out).unwrap();
        prop_assert!(e.is_nan() || e >= 0.0);
        // Sigmoid's outputs stay in [0, 1] for every non-NaN input.
        Sigmoid.activate_slice(&values, &mut out).unwrap();
        prop_assert!(out.iter().all(|&s| s.is_nan() || (0.0..=1.0).contains(&s)));
    }
}
