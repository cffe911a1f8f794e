//! The activations against tables of correctly rounded values computed by
//! `scripts/gen_reference.py` (mpmath, 70 digits), through the scalar methods, the slice
//! methods and `activate_with_derivative`, against the documented bounds themselves: each line
//! holds the exact value's residual from the rounded one, so the errors are exact to about
//! 2⁻⁵³ ulp and need no allowance. Run with `--nocapture` to see the measured errors:
//!
//! ```text
//! cargo test --release --test reference_tables -- --nocapture
//! ```

mod common;

use common::{bounds, parse_table, ulp_error, Format, Reference, F32, F64};
use delta_rule::{Activation, Sigmoid, Softplus, Tanh};

/// The largest error over a table and where it occurs, the largest where the exact result is
/// a normal number, and how many of those normal results are not the correctly rounded value.
struct Worst {
    error: f64,
    input: f64,
    normal_error: f64,
    normal_misrounded: usize,
}

fn worst(refs: &[Reference], results: impl Iterator<Item = f64>, format: Format) -> Worst {
    let min_normal = common::pow2(format.min_exponent + format.precision - 1);
    let mut worst = Worst { error: 0.0, input: f64::NAN, normal_error: 0.0, normal_misrounded: 0 };
    for (r, result) in refs.iter().zip(results) {
        let error = ulp_error(result, r.rounded, r.residual, format);
        // NaN errors (a NaN result for a finite reference) count as infinitely wrong.
        let error = if error.is_nan() { f64::INFINITY } else { error };
        if error > worst.error {
            worst.error = error;
            worst.input = r.input;
        }
        if r.rounded.abs() >= min_normal {
            worst.normal_error = worst.normal_error.max(error);
            worst.normal_misrounded += usize::from(result != r.rounded);
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

/// The documented accuracy of one output, in ulps of the exact value. The scalar methods and
/// `activate_with_derivative` (the pair) share their bounds, which are strict ("below", "<");
/// the slice methods' are not ("within").
struct Claims {
    /// f64 scalar and pair: strictly below this.
    f64_scalar: f64,
    /// f64 scalar and pair: the correctly rounded value wherever that is normal.
    f64_normal_correctly_rounded: bool,
    /// f64 slice: at most this.
    f64_slice: f64,
    /// f32 scalar and pair: strictly below this.
    f32_scalar: f64,
    /// f32 slice: at most this.
    f32_slice: f64,
}

fn check<A>(name: &str, unit: &A, output: Output, tables: (&str, &str), claims: Claims)
where
    A: Activation<f64> + Activation<f32>,
{
    let (f64_table, f32_table) = tables;
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
    let tables = [
        ("f64", &f64_results, refs.len(), claims.f64_scalar, claims.f64_slice),
        ("f32", &f32_results, refs32.len(), claims.f32_scalar, claims.f32_slice),
    ];
    for (ty, results, n, scalar_bound, slice_bound) in tables {
        for (path, w) in results.iter() {
            let slice = *path == "slice";
            let (bound, within) = if slice {
                (slice_bound, w.error <= slice_bound)
            } else {
                (scalar_bound, w.error < scalar_bound)
            };
            println!(
                "{name:<20} {ty} {path:<6} max error {:.10} ulp at h = {:e}, {:.10} ulp for \
                 normal results, {} of them misrounded ({n} points, bound {}{bound})",
                w.error,
                w.input,
                w.normal_error,
                w.normal_misrounded,
                if slice { "≤ " } else { "< " },
            );
            if !within {
                failures.push(format!("{name} {ty} {path}: {} ulp at h = {:e}", w.error, w.input));
            }
            let rounding_claimed = ty == "f64" && !slice && claims.f64_normal_correctly_rounded;
            if rounding_claimed && w.normal_misrounded > 0 {
                failures.push(format!(
                    "{name} f64 {path}: {} normal results not correctly rounded (max {} ulp)",
                    w.normal_misrounded, w.normal_error
                ));
            }
        }
    }
    assert!(failures.is_empty(), "beyond the documented bounds: {failures:#?}");
}

macro_rules! tables {
    ($name:literal) => {
        (
            include_str!(concat!("data/activations/", $name, "_f64.txt")),
            include_str!(concat!("data/activations/", $name, "_f32.txt")),
        )
    };
}

/// σ's claims (`Sigmoid`'s docs): f64 below 1 ulp and correctly rounded on every sampled normal
/// result, f32 correctly rounded but within 2⁻²⁶ ulp of a tie; slices within 1 ulp.
const SIGMOID_CLAIMS: Claims = Claims {
    f64_scalar: bounds::SIGMOID,
    f64_normal_correctly_rounded: true,
    f64_slice: bounds::SIGMOID_SLICE,
    f32_scalar: bounds::F32_SCALAR,
    f32_slice: bounds::SIGMOID_SLICE,
};

#[test]
fn sigmoid_within_bound() {
    check("sigmoid", &Sigmoid, Output::Value, tables!("sigmoid"), SIGMOID_CLAIMS);
}

/// σ′ has "the same" claims as σ, its slices within 2 ulp.
#[test]
fn sigmoid_derivative_within_bound() {
    let claims = Claims {
        f64_scalar: bounds::SIGMOID_DERIVATIVE,
        f64_normal_correctly_rounded: true,
        f64_slice: bounds::SIGMOID_DERIVATIVE_SLICE,
        f32_scalar: bounds::F32_SCALAR,
        f32_slice: bounds::SIGMOID_DERIVATIVE_SLICE,
    };
    let tables = tables!("sigmoid_derivative");
    check("sigmoid derivative", &Sigmoid, Output::Derivative, tables, claims);
}

/// tanh: f64 below 1 ulp (no claim of correct rounding), f32 as σ; slices within 1 ulp.
#[test]
fn tanh_within_bound() {
    let claims = Claims {
        f64_scalar: bounds::TANH,
        f64_normal_correctly_rounded: false,
        f64_slice: bounds::TANH_SLICE,
        f32_scalar: bounds::F32_SCALAR,
        f32_slice: bounds::TANH_SLICE,
    };
    check("tanh", &Tanh, Output::Value, tables!("tanh"), claims);
}

/// tanh′: f64 below 1 ulp, f32 as σ; slices within 2 ulp.
#[test]
fn tanh_derivative_within_bound() {
    let claims = Claims {
        f64_scalar: bounds::TANH_DERIVATIVE,
        f64_normal_correctly_rounded: false,
        f64_slice: bounds::TANH_DERIVATIVE_SLICE,
        f32_scalar: bounds::F32_SCALAR,
        f32_slice: bounds::TANH_DERIVATIVE_SLICE,
    };
    check("tanh derivative", &Tanh, Output::Derivative, tables!("tanh_derivative"), claims);
}

/// softplus: f64 below 1 ulp, f32 as σ; slices within 1 ulp.
#[test]
fn softplus_within_bound() {
    let claims = Claims {
        f64_scalar: bounds::SOFTPLUS,
        f64_normal_correctly_rounded: false,
        f64_slice: bounds::SOFTPLUS,
        f32_scalar: bounds::F32_SCALAR,
        f32_slice: bounds::SOFTPLUS,
    };
    check("softplus", &Softplus, Output::Value, tables!("softplus"), claims);
}

/// The softplus derivative is the sigmoid, "with its bounds": check it on the sigmoid table.
#[test]
fn softplus_derivative_within_bound() {
    check("softplus derivative", &Softplus, Output::Derivative, tables!("sigmoid"), SIGMOID_CLAIMS);
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

/// The f64 σ and σ′ (and softplus′ = σ), scalar and pair, are documented correctly rounded on
/// every sampled normal result: on the second sample too, `scripts/sigmoid_reference.py`'s table
/// of correctly rounded values (mpmath, 300 bits), where that claim needs no residual.
#[test]
fn sigmoid_f64_correctly_rounded_on_the_300_bit_table() {
    let mut misrounded = Vec::new();
    let lines = include_str!("data/sigmoid_f64.txt").lines().filter(|l| !l.starts_with('#'));
    for line in lines {
        let v: Vec<f64> = line
            .split_whitespace()
            .map(|w| f64::from_bits(u64::from_str_radix(w, 16).unwrap()))
            .collect();
        let (h, f, slope) = (v[0], v[1], v[2]);
        let pair = Sigmoid.activate_with_derivative(h);
        let results = [
            ("σ", f, Sigmoid.activate(h)),
            ("σ pair", f, pair.0),
            ("softplus′", f, Softplus.derivative(h)),
            ("σ′", slope, Sigmoid.derivative(h)),
            ("σ′ pair", slope, pair.1),
        ];
        for (what, rounded, result) in results {
            if rounded >= f64::MIN_POSITIVE && result != rounded {
                misrounded.push(format!("{what}({h:e}) = {result:e}, not {rounded:e}"));
            }
        }
    }
    assert!(misrounded.is_empty(), "{misrounded:#?}");
}
