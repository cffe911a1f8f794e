//! The kernels on slices that end right before, or start right after, a page that is not mapped
//! (`PROT_NONE`), at the level chosen by `DELTA_RULE_SIMD` (CI runs every level): an access past
//! either end of a slice faults at once, and so would a masked access's lane off its mask on a CPU
//! that did not suppress the fault (`src/simd/avx2_rows.rs`). Each result is also compared bit for
//! bit with the same call on copies in ordinary memory.
#![cfg(all(unix, target_pointer_width = "64"))]

use delta_rule::{
    batch_gradient, error_terms, gradient_step, minibatch_epoch, net_input, predict, sse,
    weight_step, Activation, Identity, Layer, Sigmoid, Softplus, Tanh,
};
use num_traits::Float;

const PAGE: usize = 4096;

/// Mapped pages between two unmapped ones.
struct Fenced {
    /// The first mapped page.
    start: *mut u8,
    /// The mapped bytes, whole pages.
    len: usize,
}

impl Fenced {
    /// At least `bytes` mapped bytes, in whole pages, fenced by an unmapped page on each side.
    fn new(bytes: usize) -> Self {
        let len = bytes.div_ceil(PAGE).max(1) * PAGE;
        // SAFETY: a new private anonymous mapping; the two `mprotect` calls take its first and
        // last page, both inside it.
        unsafe {
            let base = libc::mmap(
                core::ptr::null_mut(),
                len + 2 * PAGE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            assert_ne!(base, libc::MAP_FAILED, "mmap");
            let base = base.cast::<u8>();
            assert_eq!(libc::mprotect(base.cast(), PAGE, libc::PROT_NONE), 0);
            assert_eq!(libc::mprotect(base.add(PAGE + len).cast(), PAGE, libc::PROT_NONE), 0);
            Fenced { start: base.add(PAGE), len }
        }
    }

    /// `values` copied to the end of the mapped pages (`at_end`) or to their start.
    fn place<T: Copy>(&mut self, values: &[T], at_end: bool) -> &mut [T] {
        let bytes = core::mem::size_of_val(values);
        assert!(bytes <= self.len);
        let offset = if at_end { self.len - bytes } else { 0 };
        // SAFETY: `offset + bytes ≤ len` mapped bytes, written only through the returned slice
        // (borrowed from `self`); the offset is a multiple of the element size from a page
        // boundary, so the elements are aligned.
        unsafe {
            let slice =
                core::slice::from_raw_parts_mut(self.start.add(offset).cast::<T>(), values.len());
            slice.copy_from_slice(values);
            slice
        }
    }
}

impl Drop for Fenced {
    fn drop(&mut self) {
        // SAFETY: the whole mapping made in `new`, no longer borrowed.
        unsafe { libc::munmap(self.start.sub(PAGE).cast(), self.len + 2 * PAGE) };
    }
}

fn bits<T: Float>(v: &[T]) -> Vec<f64> {
    v.iter().map(|x| x.to_f64().unwrap_or(f64::NAN)).collect()
}

fn same<T: Float>(a: &[T], b: &[T]) -> bool {
    let (a, b) = (bits(a), bits(b));
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn values<T: Float>(n: usize, scale: f64, seed: usize) -> Vec<T> {
    (0..n).map(|i| T::from(((i * 7 + seed) % 23) as f64 * scale - 0.4).unwrap()).collect()
}

/// The row kernels: the batch gradient (σ's fused kernels and the generic blocks), the listed
/// rows of a mini-batch, predictions, and one record's steps.
fn rows<T: Float + core::fmt::Debug>() {
    let lengths = [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 47, 63, 64, 65, 100, 127, 128, 129];
    for d in lengths {
        for n in [1, 3, 17, 40] {
            let layer = Layer::new(d, 1).with_bias();
            let (x0, w0, y0) = (values::<T>(n * d, 0.05, 1), values::<T>(d + 1, 0.01, 2), {
                values::<T>(n, 0.03, 3)
            });
            let (mut fx, mut fw, mut fg) =
                (Fenced::new(n * d * 8), Fenced::new((d + 1) * 8), Fenced::new((d + 1) * 8));
            for place in 0..4 {
                let (x, w) = (fx.place(&x0, place & 1 == 0), fw.place(&w0, place & 2 == 0));
                let g = fg.place(&w0, place != 1);
                let mut reference = w0.clone();
                for unit in [&Sigmoid as &dyn Activation<T>, &Tanh] {
                    let e = batch_gradient(unit, layer, w, x, &y0, g).unwrap();
                    let e0 = batch_gradient(unit, layer, &w0, &x0, &y0, &mut reference).unwrap();
                    assert!(same(g, &reference) && same(&[e], &[e0]), "d {d} n {n} {place}");
                }
                let order: Vec<usize> = (0..n).rev().collect();
                let eta = T::from(0.1).unwrap();
                let mut w_copy = w0.clone();
                minibatch_epoch(&Sigmoid, layer, w, x, &y0, eta, 4, &order, g).unwrap();
                minibatch_epoch(&Sigmoid, layer, &mut w_copy, &x0, &y0, eta, 4, &order, &mut {
                    reference.clone()
                })
                .unwrap();
                assert!(same(w, &w_copy), "minibatch d {d} n {n} {place}");
                w.copy_from_slice(&w0);
                let mut out = vec![T::zero(); n];
                let mut expected = out.clone();
                for unit in [&Sigmoid as &dyn Activation<T>, &Identity] {
                    predict(unit, layer, w, x, &mut out).unwrap();
                    predict(unit, layer, &w0, &x0, &mut expected).unwrap();
                    assert!(same(&out, &expected), "predict d {d} n {n} {place}");
                }
                let h = net_input(&w[..d], &x[..d]).unwrap();
                assert!(same(&[h], &[net_input(&w0[..d], &x0[..d]).unwrap()]));
                let (delta, eta) = (T::from(-0.07).unwrap(), T::from(0.5).unwrap());
                let mut expected = w0[..d].to_vec();
                gradient_step(&mut w[..d], &x[..d], delta, eta).unwrap();
                gradient_step(&mut expected, &x0[..d], delta, eta).unwrap();
                assert!(same(&w[..d], &expected), "gradient_step d {d} {place}");
                weight_step(&mut g[..d], &x[..d], delta, eta).unwrap();
                weight_step(&mut expected, &x0[..d], delta, eta).unwrap();
                assert!(same(&g[..d], &expected), "weight_step d {d} {place}");
            }
        }
    }
}

/// The element maps and sums over every length to 300.
fn elements<T: Float + core::fmt::Debug>() {
    let (mut fh, mut fy, mut fo, mut fs) =
        (Fenced::new(2400), Fenced::new(2400), Fenced::new(2400), Fenced::new(2400));
    for n in 1..=300 {
        let (h0, y0) = (values::<T>(n, 1.7, 4), values::<T>(n, 0.04, 5));
        for at_end in [true, false] {
            let (h, y) = (fh.place(&h0, at_end), fy.place(&y0, at_end));
            let (out, slope) = (fo.place(&h0, at_end), fs.place(&h0, at_end));
            let (mut out0, mut slope0) = (vec![T::zero(); n], vec![T::zero(); n]);
            for unit in [&Sigmoid as &dyn Activation<T>, &Tanh, &Softplus] {
                unit.activate_slice(h, out).unwrap();
                unit.activate_slice(&h0, &mut out0).unwrap();
                assert!(same(out, &out0), "n {n}");
                unit.derivative_slice(h, out).unwrap();
                unit.derivative_slice(&h0, &mut out0).unwrap();
                assert!(same(out, &out0), "n {n}");
                unit.activate_with_derivative_slice(h, out, slope).unwrap();
                unit.activate_with_derivative_slice(&h0, &mut out0, &mut slope0).unwrap();
                assert!(same(out, &out0) && same(slope, &slope0), "n {n}");
            }
            error_terms(&Sigmoid, y, h, out).unwrap();
            error_terms(&Sigmoid, &y0, &h0, &mut out0).unwrap();
            assert!(same(out, &out0), "error terms n {n}");
            let e = [sse(y, h).unwrap(), net_input(y, h).unwrap()];
            let e0 = [sse(&y0, &h0).unwrap(), net_input(&y0, &h0).unwrap()];
            assert!(same(&e, &e0), "sse and dot n {n}");
        }
    }
}

#[test]
fn row_kernels_stay_within_their_slices() {
    rows::<f32>();
    rows::<f64>();
}

#[test]
fn element_kernels_stay_within_their_slices() {
    elements::<f32>();
    elements::<f64>();
}
