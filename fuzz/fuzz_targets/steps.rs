//! The delta-rule slice functions on arbitrary values, lengths and learning rates: `Err` exactly
//! on a length mismatch or a learning rate that is NaN, infinite or negative, and then no slice
//! modified; no panic otherwise.
#![no_main]

use delta_rule::{
    accumulate_weight_step, error_terms, gradient_step, net_input, train_step, weight_step,
    Sigmoid, Softplus, Tanh,
};
use libfuzzer_sys::fuzz_target;

#[path = "input.rs"]
mod input;
use input::Input;

fn valid_rate(eta: f64) -> bool {
    eta.is_finite() && eta >= 0.0
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fuzz_target!(|bytes: &[u8]| {
    let mut input = Input::new(bytes);
    let which = input.byte() % 6;
    let n = input.len();
    let m = if input.byte().is_multiple_of(4) { input.len() } else { n };
    let k = if input.byte().is_multiple_of(4) { input.len() } else { n };
    // Learning rates: mostly ordinary, sometimes arbitrary bits.
    let eta =
        if input.byte().is_multiple_of(4) { input.f64() } else { f64::from(input.byte()) / 64.0 };
    let a = input.vec_f64(n);
    let b = input.vec_f64(m);
    let mut c = input.vec_f64(k);
    let scalar = input.f64();
    let c_before = c.clone();
    let mut a_mut = a.clone();
    match which {
        0 => {
            // The three activations with their own paths through `error_terms`.
            let r = match input.byte() % 3 {
                0 => error_terms(&Sigmoid, &a, &b, &mut c),
                1 => error_terms(&Tanh, &a, &b, &mut c),
                _ => error_terms(&Softplus, &a, &b, &mut c),
            };
            assert_eq!(r.is_err(), n != m || n != k);
            if r.is_err() {
                assert!(same(&c, &c_before));
            }
        }
        1 => {
            let r = weight_step(&mut a_mut, &b, scalar, eta);
            assert_eq!(r.is_err(), n != m || !valid_rate(eta));
            if r.is_err() {
                assert!(same(&a_mut, &a));
            }
        }
        2 => {
            let r = accumulate_weight_step(&mut a_mut, &b, scalar, eta);
            assert_eq!(r.is_err(), n != m || !valid_rate(eta));
            if r.is_err() {
                assert!(same(&a_mut, &a));
            }
        }
        3 => {
            let r = gradient_step(&mut a_mut, &b, scalar, eta);
            assert_eq!(r.is_err(), n != m || !valid_rate(eta));
            if r.is_err() {
                assert!(same(&a_mut, &a));
            } else if eta == 0.0 && scalar.is_finite() && b.iter().all(|x| x.is_finite()) {
                // A zero step leaves finite weights exactly as they were.
                assert!(a.iter().zip(&a_mut).all(|(x, y)| !x.is_finite() || x == y));
            }
        }
        4 => {
            let r = net_input(&a, &b);
            assert_eq!(r.is_err(), n != m);
        }
        _ => {
            let r = train_step(&Sigmoid, &mut a_mut, &b, scalar, eta);
            assert_eq!(r.is_err(), n != m || !valid_rate(eta));
            if r.is_err() {
                assert!(same(&a_mut, &a));
            }
        }
    }
});
