//! `activate_slice` and `derivative_slice` of every activation, in f32 and f64: `Err` exactly on
//! a length mismatch with `out` untouched, results in each function's range, and the slice
//! methods (vectorised where available) within a few ulps of the scalar methods.
#![no_main]

use delta_rule::{Activation, Identity, LeakyRelu, Relu, Sigmoid, Softplus, Tanh};
use libfuzzer_sys::fuzz_target;

#[path = "input.rs"]
mod input;
use input::{ulps, Input};

/// The documented range of f and f′ of activation `which` at a non-NaN input h.
fn in_range(which: u8, h: f64, value: f64, slope: f64) -> bool {
    let unit_slope = (0.0..=1.0).contains(&slope);
    match which {
        0 => (0.0..=1.0).contains(&value) && (0.0..=0.25).contains(&slope),
        1 => (-1.0..=1.0).contains(&value) && unit_slope,
        2 => value >= 0.0 && unit_slope,
        3 => value >= 0.0 && (slope == 0.0 || slope == 1.0) && (h <= 0.0 || value == h),
        // α ∈ [0, 1]; αh may be NaN for α = 0 and h = −∞ (documented).
        4 if h > 0.0 => value == h && slope == 1.0,
        4 => unit_slope && (value <= 0.0 || value.is_nan()),
        _ => value == h && slope == 1.0,
    }
}

/// Runs both slice methods with an `out` of length `out_len` and checks every property.
fn check<T, A>(unit: &A, which: u8, h: &[T], out_len: usize, ulps: fn(T, T) -> u64)
where
    T: num_traits::Float + core::fmt::Debug,
    A: Activation<T>,
{
    let sentinel = -T::from(7).unwrap();
    let mut values = vec![sentinel; out_len];
    let mut slopes = vec![sentinel; out_len];
    let r1 = unit.activate_slice(h, &mut values);
    let r2 = unit.derivative_slice(h, &mut slopes);
    if out_len != h.len() {
        assert!(r1.is_err() && r2.is_err(), "a length mismatch must be an error");
        assert!(values.iter().chain(&slopes).all(|&v| v == sentinel), "out modified on Err");
        return;
    }
    assert!(r1.is_ok() && r2.is_ok());
    let wide = |x: T| x.to_f64().unwrap();
    for ((&x, &v), &s) in h.iter().zip(&values).zip(&slopes) {
        if x.is_nan() {
            assert!(v.is_nan() && s.is_nan(), "NaN in, NaN out: {v:?} {s:?}");
            continue;
        }
        let (xw, vw, sw) = (wide(x), wide(v), wide(s));
        assert!(
            in_range(which, xw, vw, sw),
            "activation {which}: h = {xw:e}, f = {vw:e}, f' = {sw:e}"
        );
        // The slice f is within 1 ulp of the exact value and the scalar f below 1 ulp, so they
        // are at most one float apart; the slice f′ is within 2 ulp, so at most two.
        let (scalar_v, scalar_s) = (unit.activate(x), unit.derivative(x));
        assert!(
            ulps(v, scalar_v) <= 1 && ulps(s, scalar_s) <= 2,
            "slice vs scalar at h = {xw:e}: {v:?} vs {scalar_v:?}, {s:?} vs {scalar_s:?}"
        );
    }
}

fn ulps32(a: f32, b: f32) -> u64 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    let key = |x: f32| {
        let bits = x.to_bits() as i32;
        i64::from(if bits < 0 { i32::MIN - bits } else { bits })
    };
    key(a).abs_diff(key(b))
}

fuzz_target!(|bytes: &[u8]| {
    let mut input = Input::new(bytes);
    let which = input.byte() % 6;
    let wide = input.byte() & 1 == 1;
    let n = input.len();
    // Mostly equal lengths; a mismatch one time in four.
    let out_len = if input.byte().is_multiple_of(4) { input.len() } else { n };
    if wide {
        let h = input.vec_f64(n);
        let alpha = input.f64().abs().min(1.0);
        let alpha = if alpha.is_nan() { 0.01 } else { alpha };
        match which {
            0 => check(&Sigmoid, which, &h, out_len, ulps),
            1 => check(&Tanh, which, &h, out_len, ulps),
            2 => check(&Softplus, which, &h, out_len, ulps),
            3 => check(&Relu, which, &h, out_len, ulps),
            4 => check(&LeakyRelu::new(alpha), which, &h, out_len, ulps),
            _ => check(&Identity, which, &h, out_len, ulps),
        }
    } else {
        let h = input.vec_f32(n);
        let alpha = input.f32().abs().min(1.0);
        let alpha = if alpha.is_nan() { 0.01 } else { alpha };
        match which {
            0 => check(&Sigmoid, which, &h, out_len, ulps32),
            1 => check(&Tanh, which, &h, out_len, ulps32),
            2 => check(&Softplus, which, &h, out_len, ulps32),
            3 => check(&Relu, which, &h, out_len, ulps32),
            4 => check(&LeakyRelu::new(alpha), which, &h, out_len, ulps32),
            _ => check(&Identity, which, &h, out_len, ulps32),
        }
    }
});
