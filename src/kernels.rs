//! The scalar slice kernels behind the public functions: allocation-free, branch-free loops
//! that the compiler vectorises.
//!
//! Callers check lengths; here the slices are zipped and a shorter one ends the loop.
//! Reductions keep [`LANES`] independent accumulators, because a single running sum is bound by
//! the latency of one add per element and cannot be vectorised without reassociation.

use num_traits::Float;

/// Independent accumulators per reduction: enough to fill two 256-bit registers of f32.
const LANES: usize = 8;

/// Sums `LANES` partial sums pairwise.
#[inline]
fn reduce<T: Float>(acc: [T; LANES]) -> T {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// Σ aᵢbᵢ.
pub(crate) fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    if let Some(sum) = crate::simd::dot(a, b) {
        return sum;
    }
    let mut acc = [T::zero(); LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_tail, b_tail) = (a_chunks.remainder(), b_chunks.remainder());
    for (ca, cb) in a_chunks.zip(b_chunks) {
        for i in 0..LANES {
            acc[i] = acc[i] + ca[i] * cb[i];
        }
    }
    let mut tail = T::zero();
    for (&x, &y) in a_tail.iter().zip(b_tail) {
        tail = tail + x * y;
    }
    reduce(acc) + tail
}

/// Σ (aᵢ − bᵢ)².
pub(crate) fn sum_squared_diff<T: Float>(a: &[T], b: &[T]) -> T {
    if let Some(sum) = crate::simd::sum_squared_diff(a, b) {
        return sum;
    }
    let mut acc = [T::zero(); LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_tail, b_tail) = (a_chunks.remainder(), b_chunks.remainder());
    for (ca, cb) in a_chunks.zip(b_chunks) {
        for i in 0..LANES {
            let r = ca[i] - cb[i];
            acc[i] = acc[i] + r * r;
        }
    }
    let mut tail = T::zero();
    for (&x, &y) in a_tail.iter().zip(b_tail) {
        let r = x - y;
        tail = tail + r * r;
    }
    reduce(acc) + tail
}

/// yᵢ ← yᵢ + a·xᵢ.
pub(crate) fn axpy<T: Float>(y: &mut [T], a: T, x: &[T]) {
    if crate::simd::axpy(y, a, x) {
        return;
    }
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = *yi + a * xi;
    }
}

/// yᵢ ← a·xᵢ.
pub(crate) fn scale_into<T: Float>(y: &mut [T], a: T, x: &[T]) {
    if crate::simd::scale_into(y, a, x) {
        return;
    }
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = a * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain sequential loops: the reference for the multi-accumulator kernels.
    fn naive_dot(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn reductions_match_sequential_sums_on_exact_data() {
        // Small integers: every partial sum is exact, so any summation order gives the same value.
        for n in [0, 1, 7, 8, 9, 16, 17, 100] {
            let a: Vec<f64> = (0..n).map(|i| (i % 7) as f64 - 3.0).collect();
            let b: Vec<f64> = (0..n).map(|i| (i % 5) as f64).collect();
            assert_eq!(dot(&a, &b), naive_dot(&a, &b), "n = {n}");
            let d: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
            assert_eq!(sum_squared_diff(&a, &b), d, "n = {n}");
        }
    }

    #[test]
    fn axpy_and_scale() {
        let mut y = [1.0_f32, 2.0, 3.0];
        axpy(&mut y, 2.0, &[1.0, -1.0, 0.5]);
        assert_eq!(y, [3.0, 0.0, 4.0]);
        scale_into(&mut y, -0.5, &[2.0, 4.0, 8.0]);
        assert_eq!(y, [-1.0, -2.0, -4.0]);
    }
}
