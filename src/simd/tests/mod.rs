//! Every dispatch level against independent references: correctly rounded `f64` values from
//! mpmath (`scripts/sigmoid_reference.py`), `f64` evaluation for `f32`, exact integer arithmetic
//! for the reductions; odd lengths, misaligned sub-slices and special values. This module holds
//! the helpers; the tests are grouped by kernel:
//!
//! - [`maps`]: the element maps (σ, σ′, tanh, softplus, their pairs and error terms) against
//!   mpmath tables and `f64` references, their special values, symmetries and streamed stores;
//! - [`rows`]: the dot products, the update loops and the epochs' row kernels, bit for bit
//!   against their definitions;
//! - [`sums`]: the faithfully rounded sum of squared differences;
//! - [`dispatch`]: the level `DELTA_RULE_SIMD` asks for, and which level short calls and each
//!   kind of core take;
//! - [`exhaustive`]: all 2³² `f32` inputs of the maps (ignored by default).
//!
//! Under Miri (`scripts/simd-memcheck.sh miri`, the scalar and AVX2 levels) the sweeps over many
//! values and the inputs of megabytes are ignored: interpreted, they would take hours, and their
//! code paths run in the other tests.

mod dispatch;
mod exhaustive;
mod maps;
mod rows;
mod sums;

use super::{kernels, math, supported, Level};
use crate::accurate;
use crate::test_common as common;
use common::bounds;
// Exact powers of two, where the precision of `powi` is left unspecified (Miri perturbs it).
use crate::accurate::pow2;

/// The levels this CPU can run, the baseline first.
fn levels() -> Vec<Level> {
    #[cfg(target_arch = "x86_64")]
    let all = [Level::Scalar, Level::Avx2, Level::Avx512];
    #[cfg(target_arch = "aarch64")]
    let all = [Level::Scalar, Level::Neon];
    all.into_iter().filter(|&l| l <= supported()).collect()
}

/// Whether `level` runs the hand-written AVX-512 kernels.
fn runs_avx512(level: Level) -> bool {
    #[cfg(target_arch = "x86_64")]
    return level == Level::Avx512;
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = level;
        false
    }
}

/// `avx512`, `avx2` or `f64_lanes`, by the `f32` element kernels `level` runs: its own in `f32`
/// lanes at AVX-512 and AVX2, the `f64`-lane ones of [`math`] at the other levels.
fn by_f32_kernels<T>(level: Level, avx512: T, avx2: T, f64_lanes: T) -> T {
    #[cfg(target_arch = "x86_64")]
    match level {
        Level::Avx512 => return avx512,
        Level::Avx2 => return avx2,
        Level::Scalar => {}
    }
    let _ = (level, avx512, avx2);
    f64_lanes
}

/// The bounds in ulps of the `f32` σ and σ′ kernels, [normal, subnormal] results of each, where
/// they run in `f64` lanes.
const SIGMOID_F32_IN_F64_LIMITS: [[f64; 2]; 2] =
    [[bounds::SIGMOID_F32_IN_F64; 2], [bounds::F32_IN_F64; 2]];
/// As [`SIGMOID_F32_IN_F64_LIMITS`] for tanh and tanh′ (a subnormal tanh is h itself).
const TANH_F32_IN_F64_LIMITS: [[f64; 2]; 2] =
    [[bounds::TANH_F32_IN_F64, 0.0], [bounds::F32_IN_F64; 2]];

/// The bounds in ulps of the `f32` σ and σ′ slice kernels at `level`, [normal, subnormal]
/// results of each: the measured maxima of the AVX-512 kernels (the same bits on every core), the
/// analyses of the `f64`-lane kernels, the documented bounds for AVX2 (the tests cap all three by
/// [`bounds::F32_SLICE_MEASURED`]).
fn sigmoid_f32_limits(level: Level) -> [[f64; 2]; 2] {
    by_f32_kernels(
        level,
        [bounds::F32_AVX512_QUOTIENT; 2],
        [[bounds::SIGMOID_SLICE; 2], [bounds::SIGMOID_DERIVATIVE_SLICE; 2]],
        SIGMOID_F32_IN_F64_LIMITS,
    )
}

/// As [`sigmoid_f32_limits`] for tanh and tanh′.
fn tanh_f32_limits(level: Level) -> [[f64; 2]; 2] {
    by_f32_kernels(
        level,
        [bounds::TANH_F32_AVX512, bounds::F32_AVX512_QUOTIENT],
        [[bounds::TANH_SLICE, 0.0], [bounds::TANH_DERIVATIVE_SLICE; 2]],
        TANH_F32_IN_F64_LIMITS,
    )
}

/// As [`sigmoid_f32_limits`] for softplus, [normal, subnormal] results.
fn softplus_f32_limits(level: Level) -> [f64; 2] {
    by_f32_kernels(
        level,
        bounds::SOFTPLUS_F32_AVX512,
        [bounds::SOFTPLUS_SLICE; 2],
        [bounds::F32_IN_F64; 2],
    )
}

/// 1 where an exact `f32` result is subnormal (below 2⁻¹²⁶ in magnitude), else 0: the index of
/// its class in the [normal, subnormal] bounds.
fn f32_class(exact: f64) -> usize {
    usize::from(exact.abs() < f64::from(f32::MIN_POSITIVE))
}

/// Whether this CPU lacks AVX-512, so that the test `name`, which compares the AVX-512 kernels
/// with others, has nothing to run; says so on stderr, since the harness has no skipped state.
#[cfg(target_arch = "x86_64")]
fn lacks_avx512(name: &str) -> bool {
    let lacks = supported() < Level::Avx512;
    if lacks {
        eprintln!("{name}: SKIPPED, this CPU has no AVX-512");
    }
    lacks
}

/// |got − exact| in units of the `f32` ulp at `exact` (exact given in `f64`); 0 when both are
/// NaN and ∞ when only one is, so that a NaN result for a number (or the reverse) fails every
/// bound instead of dropping out of the maxima.
fn ulp_error_f32(got: f32, exact: f64) -> f64 {
    match (got.is_nan(), exact.is_nan()) {
        (true, true) => return 0.0,
        (true, false) | (false, true) => return f64::INFINITY,
        (false, false) => {}
    }
    // The f32 ulp at |exact|: 2^(e − 23) for the binary exponent e, at least 2⁻¹⁴⁹.
    let ulp = pow2(binary_exponent(exact).max(-126) - 23);
    (f64::from(got) - exact).abs() / ulp
}

/// e with 2^e ≤ |x| < 2^(e+1) for a normal x, and −1023 for ±0 and subnormals: x's exponent
/// field less its bias (read from the bits, where `log2` may round across an integer).
fn binary_exponent(x: f64) -> i32 {
    ((x.to_bits() >> 52) & 0x7FF) as i32 - 1023
}

/// A kernel over a slice at a level: inputs, then outputs.
type Kernel<T> = fn(Level, &[T], &mut [T]);

/// splitmix64, mapped to (−1, 1).
fn uniform(seed: u64, n: usize) -> Vec<f64> {
    let mut rng = common::SplitMix64(seed);
    (0..n).map(|_| 2.0 * rng.uniform() - 1.0).collect()
}

/// Integer-valued data scaled by 2^-scale: every product and difference is exact in i128.
fn int_data(seed: u64, n: usize, range: f64) -> Vec<i64> {
    uniform(seed, n).iter().map(|u| (u * range) as i64).collect()
}

/// The bits of `x`, with every NaN mapped to one value: valgrind's emulation does not carry NaN
/// payloads through arithmetic as the CPU does, and payloads are no part of any bound here.
fn nan_or_bits(x: f64) -> u64 {
    if x.is_nan() {
        u64::MAX
    } else {
        x.to_bits()
    }
}

/// σ(x) and σ′(x) for an `f32` x, in `f64` from the standard library's `exp` (relative error
/// about 2⁻⁵¹, i.e. 2⁻²⁸ of an `f32` ulp).
fn reference_f32(x: f32) -> (f64, f64) {
    let x = f64::from(x);
    let e = (-x.abs()).exp();
    let s = if x >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
    (s, e / ((1.0 + e) * (1.0 + e)))
}

/// tanh x and tanh′ x in `f64` (libm's `tanh` and `exp`, far more accurate than `f32` needs).
fn reference_tanh_f32(x: f32) -> (f64, f64) {
    let x = f64::from(x);
    let e = (-2.0 * x.abs()).exp();
    (x.tanh(), 4.0 * e / ((1.0 + e) * (1.0 + e)))
}

/// softplus x = max(x, 0) + ln(1 + e^(−|x|)) in `f64` (NaN for NaN).
fn reference_softplus_f32(x: f32) -> f64 {
    let x = f64::from(x);
    if x.is_nan() {
        f64::NAN
    } else {
        x.max(0.0) + (-x.abs()).exp().ln_1p()
    }
}

/// `sum_squared_diff` for `f64` at `level`, rounded as the dispatcher rounds it; on x86-64 also
/// at `level` itself, which the dispatcher replaces by AVX2 for short calls on Intel cores
/// (`short_call_level`), with the same bits.
fn sse_f64(level: Level, a: &[f64], b: &[f64]) -> f64 {
    let (hi, lo) = kernels::sum_squared_diff_parts_f64(level, a, b);
    #[cfg(target_arch = "x86_64")]
    {
        let (at_hi, at_lo) = kernels::sum_squared_diff_parts_f64_at(level, a, b, 0);
        assert_eq!(nan_or_bits(at_hi), nan_or_bits(hi), "{level:?} n {}", a.len());
        assert_eq!(nan_or_bits(at_lo), nan_or_bits(lo), "{level:?} n {}", a.len());
    }
    super::rounded_sum(hi, lo)
}

/// `sum_squared_diff` for `f32` at `level`, rounded as the dispatcher rounds it; as [`sse_f64`].
fn sse_f32(level: Level, a: &[f32], b: &[f32]) -> f32 {
    let wide = kernels::sum_squared_diff_wide_f32(level, a, b);
    #[cfg(target_arch = "x86_64")]
    {
        let at = kernels::sum_squared_diff_wide_f32_at(level, a, b);
        assert_eq!(nan_or_bits(at), nan_or_bits(wide), "{level:?} n {}", a.len());
    }
    wide as f32
}
