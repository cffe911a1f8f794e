//! The activations against tables of correctly rounded values computed by
//! `scripts/gen_reference.py` (mpmath, 70 digits), through the scalar methods, the slice
//! methods and `activate_with_derivative`. Run with `--nocapture` to see the measured errors:
//!
//! ```text
//! cargo test --release --test reference_tables -- --nocapture
//! ```

mod common;

use common::{bounds, parse_table, ulp_error, Format, Reference, F32, F64};
use delta_rule::{Activation, Sigmoid, Softplus, Tanh};

/// The largest error over a table and where it occurs, and the largest where the exact
/// result is a normal number.
struct Worst {
    error: f64,
    input: f64,
    normal_error: f64,
}

fn worst(refs: &[Reference], results: impl Iterator<Item = f64>, format: Format) -> Worst {
    let min_normal = common::pow2(format.min_exponent + format.precision - 1);
    let mut worst = Worst { error: 0.0, input: f64::NAN, normal_error: 0.0 };
    for (r, result) in refs.iter().zip(results) {
        let error = ulp_error(result, r.rounded, r.residual, format);
        // NaN errors (a NaN result for a finite reference) count as infinitely wrong.
        let error = if error.is_nan() { f64::INFINITY } else { error };
        if error > worst.error {
            worst.error = error;
            worst.input = r.input;
        }
        if r.rounded.abs() >= min_normal && error > worst.normal_error {
            worst.normal_error = error;
        }
    }
    worst
}

/// Which output of an activation a table holds.
#[derive(Clone, Copy)]
enum Output {
    Value,
    Derivative,
}

fn check<A>(name: &str, unit: &A, output: Output, tables: (&str, &str), bounds: (f64, f64))
where
    A: Activation<f64> + Activation<f32>,
{
    let (f64_table, f32_table) = tables;
    let (scalar_bound, slice_bound) = bounds;
    // f64: scalar, slice, and the pair method.
    let refs = parse_table(f64_table, F64);
    let inputs: Vec<f64> = refs.iter().map(|r| r.input).collect();
    let mut out = vec![0.0_f64; inputs.len()];
    let (scalar, pair): (Vec<f64>, Vec<f64>) = match output {
        Output::Value => {
            Activation::<f64>::activate_slice(unit, &inputs, &mut out).unwrap();
            (
                inputs.iter().map(|&h| Activation::<f64>::activate(unit, h)).collect(),
                inputs
                    .iter()
                    .map(|&h| Activation::<f64>::activate_with_derivative(unit, h).0)
                    .collect(),
            )
        }
        Output::Derivative => {
            Activation::<f64>::derivative_slice(unit, &inputs, &mut out).unwrap();
            (
                inputs.iter().map(|&h| Activation::<f64>::derivative(unit, h)).collect(),
                inputs
                    .iter()
                    .map(|&h| Activation::<f64>::activate_with_derivative(unit, h).1)
                    .collect(),
            )
        }
    };
    let f64_results = [
        ("scalar", worst(&refs, scalar.into_iter(), F64)),
        ("slice", worst(&refs, out.into_iter(), F64)),
        ("pair", worst(&refs, pair.into_iter(), F64)),
    ];

    let refs32 = parse_table(f32_table, F32);
    let inputs32: Vec<f32> = refs32.iter().map(|r| r.input as f32).collect();
    let mut out32 = vec![0.0_f32; inputs32.len()];
    let (scalar32, pair32): (Vec<f32>, Vec<f32>) = match output {
        Output::Value => {
            Activation::<f32>::activate_slice(unit, &inputs32, &mut out32).unwrap();
            (
                inputs32.iter().map(|&h| Activation::<f32>::activate(unit, h)).collect(),
                inputs32
                    .iter()
                    .map(|&h| Activation::<f32>::activate_with_derivative(unit, h).0)
                    .collect(),
            )
        }
        Output::Derivative => {
            Activation::<f32>::derivative_slice(unit, &inputs32, &mut out32).unwrap();
            (
                inputs32.iter().map(|&h| Activation::<f32>::derivative(unit, h)).collect(),
                inputs32
                    .iter()
                    .map(|&h| Activation::<f32>::activate_with_derivative(unit, h).1)
                    .collect(),
            )
        }
    };
    let widen = |v: Vec<f32>| v.into_iter().map(f64::from);
    let f32_results = [
        ("scalar", worst(&refs32, widen(scalar32), F32)),
        ("slice", worst(&refs32, widen(out32), F32)),
        ("pair", worst(&refs32, widen(pair32), F32)),
    ];

    let mut failures = Vec::new();
    for (ty, results, n) in [("f64", &f64_results, refs.len()), ("f32", &f32_results, refs32.len())]
    {
        for (path, w) in results.iter() {
            let bound = if *path == "slice" { slice_bound } else { scalar_bound };
            println!(
                "{name:<20} {ty} {path:<6} max error {:.4} ulp at h = {:e}, {:.4} ulp for normal \
                 results ({n} points, bound {bound})",
                w.error, w.input, w.normal_error
            );
            if w.error > bound {
                failures.push(format!("{name} {ty} {path}: {} ulp at h = {:e}", w.error, w.input));
            }
        }
    }
    assert!(failures.is_empty(), "above the documented bound: {failures:#?}");
}

macro_rules! tables {
    ($name:literal) => {
        (
            include_str!(concat!("data/activations/", $name, "_f64.txt")),
            include_str!(concat!("data/activations/", $name, "_f32.txt")),
        )
    };
}

#[test]
fn sigmoid_within_bound() {
    let bounds = (bounds::SIGMOID, bounds::SIGMOID_SLICE);
    check("sigmoid", &Sigmoid, Output::Value, tables!("sigmoid"), bounds);
}

#[test]
fn sigmoid_derivative_within_bound() {
    let bounds = (bounds::SIGMOID_DERIVATIVE, bounds::SIGMOID_DERIVATIVE_SLICE);
    let tables = tables!("sigmoid_derivative");
    check("sigmoid derivative", &Sigmoid, Output::Derivative, tables, bounds);
}

#[test]
fn tanh_within_bound() {
    check("tanh", &Tanh, Output::Value, tables!("tanh"), (bounds::TANH, bounds::TANH));
}

#[test]
fn tanh_derivative_within_bound() {
    let bounds = (bounds::TANH_DERIVATIVE, bounds::TANH_DERIVATIVE);
    check("tanh derivative", &Tanh, Output::Derivative, tables!("tanh_derivative"), bounds);
}

#[test]
fn softplus_within_bound() {
    let bounds = (bounds::SOFTPLUS, bounds::SOFTPLUS);
    check("softplus", &Softplus, Output::Value, tables!("softplus"), bounds);
}

/// The softplus derivative is the sigmoid: check it on the sigmoid table.
#[test]
fn softplus_derivative_within_bound() {
    let bounds = (bounds::SIGMOID, bounds::SIGMOID);
    check("softplus derivative", &Softplus, Output::Derivative, tables!("sigmoid"), bounds);
}

/// The textbook formulas on the same tables, for comparison with the bounds above (printed with
/// `--nocapture`). The tables reach the regions where they fail, so their errors must be at least
/// the last field, well below the README's figures; the platform's tanh has no such region.
#[test]
fn naive_formulas_fail_on_the_tables() {
    type Naive = (&'static str, &'static str, fn(f64) -> f64, fn(f32) -> f32, Option<f64>);
    let naive: [Naive; 5] = [
        (
            "sigmoid 1/(1+e^-h)",
            "sigmoid",
            |h| 1.0 / (1.0 + (-h).exp()),
            |h| 1.0 / (1.0 + (-h).exp()),
            Some(1.0), // returns 0 where the result is subnormal
        ),
        (
            "sigmoid' s(1-s)",
            "sigmoid_derivative",
            |h| {
                let s = 1.0 / (1.0 + (-h).exp());
                s * (1.0 - s)
            },
            |h| {
                let s = 1.0 / (1.0 + (-h).exp());
                s * (1.0 - s)
            },
            Some(1e6), // 0 for large h
        ),
        // The libm's own error (1.55 / 1.63 ulp with glibc 2.36, README), which differs between
        // platforms and may be correctly rounded on some: no lower bound holds everywhere.
        ("tanh (platform)", "tanh", f64::tanh, f32::tanh, None),
        (
            "tanh' 1-tanh^2",
            "tanh_derivative",
            |h| 1.0 - h.tanh() * h.tanh(),
            |h| 1.0 - h.tanh() * h.tanh(),
            Some(1e6),
        ),
        ("softplus ln_1p(e^h)", "softplus", |h| h.exp().ln_1p(), |h| h.exp().ln_1p(), Some(1e6)),
    ];
    let tables = [
        tables!("sigmoid"),
        tables!("sigmoid_derivative"),
        tables!("tanh"),
        tables!("tanh_derivative"),
        tables!("softplus"),
    ];
    for ((label, _, f64_fn, f32_fn, at_least), (t64, t32)) in naive.iter().zip(tables) {
        let refs = parse_table(t64, F64);
        let w64 = worst(&refs, refs.iter().map(|r| f64_fn(r.input)), F64);
        let refs32 = parse_table(t32, F32);
        let w32 = worst(&refs32, refs32.iter().map(|r| f64::from(f32_fn(r.input as f32))), F32);
        println!(
            "naive {label:<22} f64 max {:.3e} ulp at h = {:e}; f32 max {:.3e} ulp at h = {:e}",
            w64.error, w64.input, w32.error, w32.input
        );
        // Away from the ends: normal results where the naive formula is finite and non-zero.
        let normal =
            |refs: &[Reference], format: Format, min: f64, f: &dyn Fn(f64) -> f64| -> f64 {
                refs.iter()
                    .filter(|r| {
                        r.rounded.abs() >= min && f(r.input).is_finite() && f(r.input) != 0.0
                    })
                    .map(|r| ulp_error(f(r.input), r.rounded, r.residual, format))
                    .fold(0.0, f64::max)
            };
        let n64 = normal(&refs, F64, f64::MIN_POSITIVE, &|h| f64_fn(h));
        let n32 =
            normal(&refs32, F32, f64::from(f32::MIN_POSITIVE), &|h| f64::from(f32_fn(h as f32)));
        println!(
            "      {:<22} where normal, finite and non-zero: f64 {n64:.3} ulp, f32 {n32:.3} ulp",
            ""
        );
        if let Some(at_least) = at_least {
            assert!(
                w64.error >= *at_least && w32.error >= *at_least,
                "{label}: tables miss its failures"
            );
        }
    }
}
