//! `sse` in f32 and f64 on arbitrary values and lengths: `Err` exactly on a length mismatch, NaN
//! exactly when an input is NaN or an ∞ − ∞ occurs, otherwise ≥ 0; in f32, within 1 ulp of a
//! sum carried out in f64.
#![no_main]

use delta_rule::sse;
use libfuzzer_sys::fuzz_target;

#[path = "input.rs"]
mod input;
use input::Input;

/// NaN expected: any NaN, or the same infinity at the same index of both slices.
fn nan_expected(y: &[f64], y_hat: &[f64]) -> bool {
    y.iter().zip(y_hat).any(|(&a, &b)| a.is_nan() || b.is_nan() || (a.is_infinite() && a == b))
}

fuzz_target!(|bytes: &[u8]| {
    let mut input = Input::new(bytes);
    let wide = input.byte() & 1 == 1;
    let n = input.len();
    let m = if input.byte().is_multiple_of(4) { input.len() } else { n };
    if wide {
        let (y, y_hat) = (input.vec_f64(n), input.vec_f64(m));
        let result = sse(&y, &y_hat);
        if n != m {
            assert!(result.is_err());
            return;
        }
        let e = result.unwrap();
        assert_eq!(e.is_nan(), nan_expected(&y, &y_hat), "{y:?} {y_hat:?} -> {e}");
        if !e.is_nan() {
            assert!(e >= 0.0);
            // Never below the largest single term (up to its own rounding).
            let largest =
                y.iter().zip(&y_hat).map(|(a, b)| 0.5 * (a - b) * (a - b)).fold(0.0, f64::max);
            // Results near the subnormal range are accurate to a few 2^-1074 only (documented).
            let slack = 4.0 * f64::from_bits(1);
            assert!(e >= largest * (1.0 - 1e-15) - slack, "{e} < {largest}");
        }
    } else {
        let (y, y_hat) = (input.vec_f32(n), input.vec_f32(m));
        let result = sse(&y, &y_hat);
        if n != m {
            assert!(result.is_err());
            return;
        }
        let e = result.unwrap();
        let (y64, y_hat64): (Vec<f64>, Vec<f64>) = (
            y.iter().map(|&v| f64::from(v)).collect(),
            y_hat.iter().map(|&v| f64::from(v)).collect(),
        );
        assert_eq!(e.is_nan(), nan_expected(&y64, &y_hat64));
        if e.is_nan() {
            return;
        }
        assert!(e >= 0.0);
        // In f64 every f32 difference and square is nearly exact: n ≤ 63 terms give a relative
        // error below 2^-46, far inside an f32 ulp.
        let reference: f64 =
            0.5 * y64.iter().zip(&y_hat64).map(|(a, b)| (a - b) * (a - b)).sum::<f64>();
        if reference.is_finite() && reference < f64::from(f32::MAX) {
            let rounded = reference as f32;
            let spacing = if rounded == 0.0 {
                f32::from_bits(1)
            } else {
                f32::from_bits(rounded.to_bits() + 1) - rounded
            };
            let spacing = f64::from(spacing.min(f32::MAX));
            assert!(
                (f64::from(e) - reference).abs() <= spacing * (1.0 + 1e-6),
                "f32 sse {e} vs f64 {reference}"
            );
        }
    }
});
