//! Runtime-dispatched SIMD kernels for `f32` and `f64` slices.
//!
//! The public API is generic over [`num_traits::Float`]; the functions here take a generic slice,
//! check whether its element type *is* `f32` or `f64`, and if so run a kernel compiled for the best
//! instruction set the CPU offers. They return `false` / `None` when they did not handle the call
//! (another element type, no usable SIMD level, or a build without `std` or on neither x86-64 nor
//! aarch64), and the caller then runs its generic scalar code. The tests compare every level
//! with scalar references: that generic code, or for the dot product its definition.
//!
//! # Type routing
//!
//! `Sigmoid` implements `Activation<T>` for every `T: Float`, with no `'static` bound, so
//! `core::any::TypeId` is not available. [`typeid::of`] gives the `TypeId` of any type with its
//! lifetimes replaced by `'static`; for a type parameter `T` compared against the `'static` types
//! `f32` and `f64`, equality means `T` *is* that type, and a `&[T]` may then be reinterpreted as
//! a `&[f32]` of the same length (see [`cast`]). With the `half` feature, `f16` and `bf16`
//! slices are recognised the same way and run the `f32` kernels on chunks converted on the stack
//! (`half_float`).
//!
//! # Levels
//!
//! [`Level::Avx512`] (AVX-512F/VL/DQ with AVX2 and FMA), [`Level::Avx2`] (AVX2 with FMA) and
//! [`Level::Scalar`] (the generic code). The level is detected once with
//! `is_x86_feature_detected!` and cached. The environment variable `DELTA_RULE_SIMD`
//! (`scalar`, `avx2` or `avx512`), read at that first detection, lowers the level for testing
//! and benchmarking; a level the CPU lacks is never chosen. Some kernels depart from the level
//! where their AVX2 instantiation gives the same bits and runs faster (CPUID read once): on AMD
//! family 19h (Zen 4), where a 512-bit `f32` → `f64` conversion costs twice two 256-bit ones,
//! the `f32` `sum_squared_diff` ([`widening_level`]); on Intel cores, the dot product and the
//! update loops on less than 4 KiB and `sum_squared_diff` on less than 1 KiB (`f32`) or 512
//! bytes (`f64`), since 512-bit instructions slow down the scalar code that follows them for a
//! while (`short_call_level`); on AMD family 1Ah (Zen 5), the dot product on 16 MiB or more of
//! each input, which its 256-bit loop streams from memory faster (`long_dot_level`); and `axpy`
//! on long slices (`x86.rs`).
//!
//! On aarch64, `Level::Neon` replaces the two x86-64 levels: NEON and FMA are part of the
//! baseline target, so the loops of [`math`] are compiled as they are (`neon.rs`) and vectorised
//! with 128-bit registers, and no run-time detection is needed. `DELTA_RULE_SIMD` takes `scalar`
//! or `neon` there.
//!
//! # Algorithms
//!
//! - Sigmoid, tanh, their derivatives and softplus: the kernels in [`math`], written
//!   as branch-free element functions that the compiler vectorises inside each
//!   `#[target_feature]` loop. `f32` is evaluated in `f64` lanes and rounded once; `f64` carries
//!   e^(−|h|) and 1 + e^(−|h|) as unevaluated sums of two doubles (error-free transformations
//!   with FMA) so that one final rounding dominates the error.
//! - With AVX-512, hand-written kernels ([`avx512`]) instead:
//!   - σ and σ′: a 16-entry table of 2^(j/16) looked up by permutes, which shortens the
//!     polynomial, σ as 2^(−c)/(2^(−c) + M) from e^(−x) = 2^c·M, which needs neither |x| nor
//!     a numerator chosen by sign, `vrcp14` for the reciprocal and `vscalef` for the final
//!     scaling. `f32` runs in `f32` lanes (twice the lanes per instruction) with the same
//!     double-word technique, each FMA-corrected quotient squaring the reciprocal's error;
//!     `f64` refines the reciprocal as y0·(1 + e + e² + e³), e = 1 − y0·d, and forms σ′ = M/d²
//!     scaled as a double-double product.
//!   - tanh = 2σ(2|x|) − 1 from the unrounded quotient (the subtraction is exact) from
//!     |x| ≈ 0.2554 on, where tanh ≥ 1/4, and a Taylor polynomial in x² below (degree 4 for
//!     `f32`; degree 10 and a second Newton step for `f64`); tanh′ = 4σ′(2x), the factor 4
//!     folded into the final `vscalef`.
//!   - softplus = max(x, 0) + 2 atanh(e/(2 + e)) on the same parts, the quotient kept as two
//!     terms and added to max(x, 0) by TwoSum. The `f64` algorithm is also an element function
//!     of [`math`] for the other levels.
//!   - Outputs of 16 MiB and more are written with non-temporal stores: they would not stay in
//!     the caches anyway, and streaming them saves the read of every output line before it is
//!     written (a third of the memory traffic).
//! - With AVX2 and FMA, `f32` σ, σ′, tanh and tanh′ ([`avx2`]) run the AVX-512 algorithms in 8
//!   `f32` lanes, with an 8-entry table (a quartic for e^r − 1), powers of two built from the
//!   integer exponent instead of `vscalef`, and `vrcpps` with one more Newton step; softplus
//!   as well, on the same parts (s = e/(2 + e) = M/(2P + M)).
//! - σ and σ′ together (`sigmoid_with_derivative`): one pass sharing e^(−|h|) and the
//!   reciprocal of 1 + e^(−|h|), with the operations of the two separate kernels, so the
//!   results are bit-identical to theirs; at the AVX-512 level (and for `f32` at the AVX2
//!   level) one-pass hand-written kernels that also share the reciprocal.
//! - `sigmoid_error_terms`: δ = (y − σ)·σ′ from the one-pass σ/σ′ element functions of [`math`],
//!   or from the hand-written one-pass kernels on stack chunks.
//! - `axpy` and `scale_into` do the same operations as the scalar loops (bit-identical results);
//!   on x86 `axpy` runs in 256-bit vectors from 8 KiB of `y` on, at the AVX-512 level too (its
//!   512-bit stores streamed more slowly from L3 and memory).
//! - `dot` keeps 32 (`f64`) or 64 (`f32`) independent FMA accumulators.
//! - `net_inputs` and `net_inputs_listed` (one `dot` per row of a block, stored or listed) and
//!   `add_weighted_rows` (one `axpy` per row, columns kept in registers across the rows),
//!   bit-identical to those per row. With AVX-512 ([`avx512_rows`]) and with AVX2
//!   ([`avx2_rows`]) the horizontal sums of a group of rows (16 or 8 `f32`, 8 or 4 `f64`) share
//!   their shuffles, one level of the pairwise sum for two rows per addition, where the compiler
//!   made a chain of scalar extracts and additions per row; the loop over groups, stored or
//!   listed rows, is shared ([`rows`]). The gradient kernels of both levels keep every pass's
//!   columns in registers, the last partial one's under masks, with no division per call.
//! - `add_listed_rows`: the same gradient over rows listed by index (a shuffled mini-batch),
//!   whose net inputs (`net_inputs_listed`) prefetch the rows listed a few positions ahead.
//! - `sum_squared_diff`: `f32` accumulates exact `f64` differences in `f64` lanes; `f64` splits
//!   each difference exactly (TwoSum), adds each square to a per-lane sum by one FMA and keeps
//!   that FMA's rounding error (after Ogita–Rump–Oishi's Sum2), the errors and the differences'
//!   cross terms in two more accumulators, as if in doubled precision. Part of that error term
//!   is skipped in blocks where it is shown to be 0, with the same bits.
//!
//! # Accuracy (max error against correctly rounded values, measured by the tests)
//!
//! `f32` σ, σ′, tanh, tanh′ and softplus: over all 2³² inputs (the ignored exhaustive tests), in
//! ulps of the exact value. `f64`: ulp distance from the correctly rounded value over the mpmath
//! tables.
//!
//! | kernel | `f32` AVX-512 | `f32` AVX2 | `f32` in `f64` lanes | `f64` (every level) |
//! |---|---|---|---|---|
//! | σ | 0.777 ulp | 0.788 ulp | 0.504 ulp | 1 ulp |
//! | σ′ | 0.781 ulp | 0.804 ulp | 0.504 ulp | 1 ulp |
//! | tanh | 0.587 ulp | 0.624 ulp | 0.509 ulp | 1 ulp |
//! | tanh′ | 0.771 ulp | 0.797 ulp | 0.504 ulp | 1 ulp |
//! | softplus | 0.768 ulp | 0.766 ulp | 0.504 ulp | 1 ulp |
//! | sum of squared differences | faithful | faithful | faithful | faithful |
//!
//! The `f32` maxima were measured on an Intel Ice Lake and an AMD Zen 4 server: the same at
//! AVX-512; at AVX2, where `vrcpps` gives different bits on the two within its documented bound
//! (the one the error analysis uses), the larger is shown (softplus: 0.766 on Intel, 0.7654 on
//! Zen 4).
//!
//! The maxima of σ, σ′, tanh′ and softplus in `f32` lanes are at subnormal results, which round
//! twice; those of tanh are at normal ones (a subnormal tanh is h itself). Over normal results
//! (all 2³² inputs on AMD Zen 5) AVX-512 reaches σ 0.595, σ′ 0.621, tanh′ 0.598 and softplus
//! 0.751 ulp (its largest just below x = −17.4, where it returns e^x for ln(1 + e^x)), and AVX2
//! 0.619, 0.655, 0.628 and 0.744 ulp. The tests hold the two classes to separate bounds: a
//! subnormal tanh to 0; at AVX-512, whose bits are the same on every core, each kernel to its
//! maxima rounded up (0.63 and 0.79 ulp for σ, σ′ and tanh′, 0.6 for tanh, 0.76 and 0.77 for
//! softplus), well inside what the analyses in [`avx512`] allow; at AVX2, where `vrcpps`
//! differs between cores, every kernel to the table's largest, 0.81 ulp, which also caps the
//! others.
//!
//! NEON runs the `f64`-lane element functions for `f32`, which the x86-64 tests also run (as
//! kernels of their own, exhaustively at one level): the same IEEE operations in the same order,
//! with fused multiply-adds on both, so the last two columns hold for NEON; the accuracy tests
//! check the bounds at that level under qemu.
//!
//! # Testing
//!
//! `src/simd/tests/` runs every kernel at every level the CPU has against independent
//! references (mpmath tables from `scripts/sigmoid_reference.py`, `f64` evaluation for `f32`,
//! exact integer sums), on odd lengths and misaligned sub-slices. `tests/simd_dispatch.rs`
//! checks the public functions at the level set by `DELTA_RULE_SIMD`. Memory checking:
//! `scripts/simd-memcheck.sh` (valgrind memcheck; its virtual CPU has no AVX-512, so it covers
//! the scalar and AVX2 levels), `scripts/simd-memcheck.sh asan` (nightly AddressSanitizer,
//! every level) and `scripts/simd-memcheck.sh miri` (nightly Miri, which also checks the
//! aliasing rules of references; the scalar and AVX2 levels, as Miri has no AVX-512). The
//! exhaustive `f32` sigmoid test:
//! `cargo test --release --lib exhaustive -- --ignored --nocapture`. `scripts/aarch64-test.sh`
//! runs these tests and the accuracy tests on aarch64 under qemu, at both of its levels.
//!
//! `tests/guard_pages.rs` runs every kernel on slices that end next to an unmapped page, and CI
//! builds it at `opt-level` 1 and 2 and with `-C target-cpu=native` as well: there LLVM turned
//! AVX-512 masked-load intrinsics into plain loads that read past a slice. The masked loads of
//! caller memory are therefore single instructions in `asm!` ([`avx512_masked`]); only those of
//! aligned lines, which cannot leave a readable page, stay intrinsics.

#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx2;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx2_rows;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx512;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx512_masked;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx512_rows;
#[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod math;
#[cfg(all(feature = "std", target_arch = "aarch64"))]
mod neon;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod pipeline;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod rows;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod x86;

/// The kernels of the target architecture: one safe function per kernel, taking a [`Level`].
#[cfg(all(feature = "std", target_arch = "aarch64"))]
use neon as kernels;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
use x86 as kernels;

#[cfg(all(feature = "half", feature = "std", target_arch = "x86_64"))]
mod half_float;

#[cfg(all(test, feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod tests;

use num_traits::Float;

use crate::activation::Builtin;

/// An instruction-set level of the dispatched kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(
    not(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64"))),
    allow(dead_code)
)]
pub(crate) enum Level {
    /// The generic scalar code of the caller.
    Scalar = 1,
    /// AVX2 with FMA, 256-bit vectors.
    #[cfg(target_arch = "x86_64")]
    Avx2 = 2,
    /// AVX-512 F, VL and DQ (with AVX2 and FMA), 512-bit vectors.
    #[cfg(target_arch = "x86_64")]
    Avx512 = 3,
    /// NEON (Advanced SIMD, with FMA) on aarch64, 128-bit vectors.
    #[cfg(target_arch = "aarch64")]
    Neon = 4,
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod detect {
    use super::Level;
    use std::sync::atomic::{AtomicU8, Ordering};

    /// 0 until detected, then a `Level` discriminant.
    static LEVEL: AtomicU8 = AtomicU8::new(0);

    /// 0 until detected, then the discriminant of [`supported`]'s level.
    static SUPPORTED: AtomicU8 = AtomicU8::new(0);

    /// The best level this CPU supports, detected once: every dispatched call checks its level
    /// against it, so on short slices one load beats the five feature tests it stands for.
    #[inline]
    pub(crate) fn supported() -> Level {
        stored(&SUPPORTED).unwrap_or_else(|| {
            let level = detect_supported();
            SUPPORTED.store(level as u8, Ordering::Relaxed);
            level
        })
    }

    /// The level whose discriminant `cell` holds, `None` while it holds 0.
    #[inline]
    fn stored(cell: &AtomicU8) -> Option<Level> {
        match cell.load(Ordering::Relaxed) {
            1 => Some(Level::Scalar),
            2 => Some(Level::Avx2),
            3 => Some(Level::Avx512),
            _ => None,
        }
    }

    /// The best level this CPU supports, by `is_x86_feature_detected!`.
    #[cold]
    fn detect_supported() -> Level {
        use std::arch::is_x86_feature_detected as has;
        level_with([has!("avx512f"), has!("avx512vl"), has!("avx512dq")], has!("avx2"), has!("fma"))
    }

    /// The best level for a CPU with AVX-512 F, VL and DQ as `avx512_f_vl_dq`, AVX2 and FMA:
    /// the AVX2 kernels need AVX2 and FMA, the AVX-512 ones all five.
    pub(super) fn level_with(avx512_f_vl_dq: [bool; 3], avx2: bool, fma: bool) -> Level {
        match (avx512_f_vl_dq, avx2 && fma) {
            ([true, true, true], true) => Level::Avx512,
            (_, true) => Level::Avx2,
            _ => Level::Scalar,
        }
    }

    /// The kinds of core that some kernels are tuned for, told apart by CPUID.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Core {
        /// AMD family 19h (Zen 3 and Zen 4; of these only Zen 4 has AVX-512, which it executes
        /// as two 256-bit halves).
        AmdFamily19h = 1,
        /// Any Intel core.
        Intel = 2,
        /// AMD family 1Ah (Zen 5; the EPYC measured executes AVX-512 in 512-bit units, as the
        /// desktop parts do, where the mobile ones use two 256-bit halves).
        AmdFamily1Ah = 4,
        /// Any other.
        Other = 3,
    }

    /// 0 until read, then the discriminant of this CPU's [`Core`].
    static CORE: AtomicU8 = AtomicU8::new(0);

    /// The [`Core`] that the vendor string and the signature (`eax` of CPUID leaf 1) name. The
    /// family is the base family plus, when that is 0xF, the extended one.
    pub(crate) fn core_of(vendor: [u8; 12], signature: u32) -> Core {
        let base = (signature >> 8) & 0xF;
        let family = if base == 0xF { base + ((signature >> 20) & 0xFF) } else { base };
        match &vendor {
            b"AuthenticAMD" if family == 0x19 => Core::AmdFamily19h,
            b"AuthenticAMD" if family == 0x1A => Core::AmdFamily1Ah,
            b"GenuineIntel" => Core::Intel,
            _ => Core::Other,
        }
    }

    /// [`core_of`] this CPU, read once (CPUID traps to the hypervisor in a VM).
    #[inline]
    fn core() -> Core {
        match CORE.load(Ordering::Relaxed) {
            1 => Core::AmdFamily19h,
            2 => Core::Intel,
            3 => Core::Other,
            4 => Core::AmdFamily1Ah,
            _ => first_core(),
        }
    }

    /// [`core()`] on its first call, apart so that the calls after it inline to one load.
    #[cold]
    fn first_core() -> Core {
        use std::arch::x86_64::__cpuid;
        // Miri cannot run CPUID (inline assembly); the core only tunes speed, never results.
        if cfg!(miri) {
            CORE.store(Core::Other as u8, Ordering::Relaxed);
            return Core::Other;
        }
        // SAFETY: CPUID exists on every x86-64 CPU; leaves 0 and 1 always exist. (The intrinsic
        // is a safe function from Rust 1.94 on, hence the `allow`.)
        #[allow(unused_unsafe)]
        let (id, signature) = unsafe { (__cpuid(0), __cpuid(1).eax) };
        let mut vendor = [0; 12];
        for (part, word) in vendor.chunks_exact_mut(4).zip([id.ebx, id.edx, id.ecx]) {
            part.copy_from_slice(&word.to_le_bytes());
        }
        let found = core_of(vendor, signature);
        CORE.store(found as u8, Ordering::Relaxed);
        found
    }

    /// How far ahead, for groups of `group_bytes`, the one-output σ epoch
    /// ([`super::avx512_rows::sigmoid_rows_f32`] and `_f64`) prefetches X while it adds the
    /// gradient of a group in L1, a row's lines per row: one group (8 to 16 KiB), so the next
    /// group's rows; 0 (none) on AMD family 19h. That loop, a chain of additions per register of
    /// columns, leaves the load ports idle:
    /// - on a Sapphire Rapids-class Xeon the epoch from L3 or memory ran 1.16–1.22× faster with
    ///   the prefetch for `f32` rows of 64 (1.03× for rows of 128) and 1.15–1.16× for `f64`
    ///   rows of 32 and 64 (1.20× and 1.11× on two threads), 1.00–1.12× on X of 256 KiB to 2 MB;
    /// - on AMD Zen 5 (family 1Ah) the epoch over 100 000 rows of 64 from the L3 ran 1.55–2.09×
    ///   faster (`f32`) and 1.7–1.8× (`f64`); without it the epoch from the L3 took longer
    ///   than its read of X and its time in L2 together (docs/benchmark-log.md, "AMD Zen 5");
    /// - on AMD Zen 4 every software prefetch tried in the epoch was slower, the next block's
    ///   during the gradient of a block among them.
    ///
    /// Cores not measured take the prefetch, as two of the three measured gained from it.
    #[inline]
    pub(crate) fn next_group_ahead(group_bytes: usize) -> usize {
        next_group_ahead_on(core(), group_bytes)
    }

    /// [`next_group_ahead`] on `core`.
    #[inline]
    pub(crate) fn next_group_ahead_on(core: Core, group_bytes: usize) -> usize {
        if core == Core::AmdFamily19h {
            0
        } else {
            group_bytes
        }
    }

    /// The level for kernels that widen `f32` to `f64` in a loop bound by the conversion: AVX2
    /// in place of AVX-512 on AMD family 19h, where the 512-bit `vcvtps2pd` ran at half the
    /// element rate of the 256-bit one in the `sum_squared_diff_f32` loop
    /// (docs/benchmark-log.md); on Intel cores the 512-bit form is the faster by about 2×.
    #[inline]
    pub(crate) fn widening_level(level: Level) -> Level {
        if level == Level::Avx512 && core() == Core::AmdFamily19h {
            Level::Avx2
        } else {
            level
        }
    }

    /// How far ahead the `f64` `sum_squared_diff` prefetches its inputs on `bytes` of each:
    /// one block of its loop (128 elements, 1 KiB) on Intel cores from 1 MiB on, none
    /// elsewhere. On a Sapphire Rapids-class Xeon the compensated loop, which issues fewer loads
    /// per cycle than a plain sum, read arrays of 32 and 128 MiB at 0.80–0.90 of the speed of
    /// the 16-accumulator sum; prefetched 64 to 256 elements ahead it ran 1.15–1.23× faster, at
    /// about that speed, and unchanged on 8 MiB (docs/benchmark-log.md). None on AMD Zen 4,
    /// where software prefetches in streaming loops were slower.
    #[inline]
    pub(crate) fn sse_prefetch_ahead(bytes: usize) -> usize {
        if bytes >= 1 << 20 && core() == Core::Intel {
            super::math::SQUARE_LANES * super::math::SQUARE_BLOCK
        } else {
            0
        }
    }

    /// The bytes of each input from which [`long_dot_level`] takes AVX2 on AMD Zen 5.
    pub(crate) const LONG_DOT_BYTES: usize = 16 << 20;

    /// The level of a dot product on `bytes` of each input: AVX2 in place of AVX-512 on AMD
    /// family 1Ah (Zen 5) from [`LONG_DOT_BYTES`] on, where the inputs stream from memory; both
    /// give the same bits. There the 256-bit loop read `f32` inputs of 16 and 64 MiB 1.03–1.18×
    /// as fast as the 512-bit one, and 1.5× on 16 MiB starting 16 bytes past a line, while on
    /// 4 MiB, in the L3, the 512-bit loop was 1.13–1.23× the faster; `f64` inputs of 128 MiB ran
    /// as fast either way (docs/benchmark-log.md, "AMD Zen 5").
    #[inline]
    pub(crate) fn long_dot_level(level: Level, bytes: usize) -> Level {
        long_dot_level_on(core(), level, bytes)
    }

    /// [`long_dot_level`] on `core`.
    #[inline]
    pub(crate) fn long_dot_level_on(core: Core, level: Level, bytes: usize) -> Level {
        if level == Level::Avx512 && core == Core::AmdFamily1Ah && bytes >= LONG_DOT_BYTES {
            Level::Avx2
        } else {
            level
        }
    }

    /// The data, in bytes, below which [`short_call_level`] takes AVX2 on Intel cores for the
    /// dot product and the update loops.
    pub(crate) const SHORT_CALL_BYTES: usize = 4096;

    /// As [`SHORT_CALL_BYTES`] for the `f32` `sum_squared_diff`: its AVX2 loop ran 15 ns on 16
    /// elements against 20–21 with AVX-512, about as fast from 64 to 256, slower at 1 000.
    pub(crate) const SHORT_SSE_F32_BYTES: usize = 1024;

    /// As [`SHORT_CALL_BYTES`] for the `f64` `sum_squared_diff`: its AVX2 loop ran 26 ns on 16
    /// elements against 34–35, 38–40 on 64 against 42, but 58–62 on 128 against 54.
    pub(crate) const SHORT_SSE_F64_BYTES: usize = 512;

    /// The level for one call of a kernel whose AVX2 and AVX-512 instantiations give the same
    /// bits (dot products, the update loops, `sum_squared_diff`) on `bytes` of data: AVX2 in
    /// place of AVX-512 on Intel cores below `limit` bytes ([`SHORT_CALL_BYTES`] and the
    /// others above).
    ///
    /// On a Sapphire Rapids-class Xeon, scalar and 128-bit floating-point code ran slower for
    /// a while after any 512-bit instruction (10 to 50 ns more per call, however short the
    /// 512-bit part), while on data this short the 512-bit loops save a few ns at most. So
    /// `train_step` (a dot product, σ and σ′ in scalar code, an update) took 82–107 ns (`f64`)
    /// and 44–54 ns (`f32`) on 2 to 256 features with 512-bit dot products and updates, and
    /// 47–76 ns and 35–44 ns with 256-bit ones; a loop of nothing but `net_input` lost up to
    /// 6 ns per call (docs/benchmark-log.md, "Short calls in 256-bit vectors"). Not on AMD
    /// Zen 4, which runs AVX-512 as two 256-bit halves.
    #[inline]
    pub(crate) fn short_call_level(level: Level, bytes: usize, limit: usize) -> Level {
        short_call_level_on(core(), level, bytes, limit)
    }

    /// [`short_call_level`] on `core`.
    #[inline]
    pub(crate) fn short_call_level_on(
        core: Core,
        level: Level,
        bytes: usize,
        limit: usize,
    ) -> Level {
        if level == Level::Avx512 && core == Core::Intel && bytes < limit {
            Level::Avx2
        } else {
            level
        }
    }

    /// The level every dispatched call uses: the supported one, lowered by `DELTA_RULE_SIMD`.
    #[inline]
    pub(crate) fn level() -> Level {
        stored(&LEVEL).unwrap_or_else(first_level)
    }

    /// [`level`] on its first call, apart so that the calls after it inline to one load.
    #[cold]
    fn first_level() -> Level {
        let level = requested(std::env::var("DELTA_RULE_SIMD").ok().as_deref()).min(supported());
        LEVEL.store(level as u8, Ordering::Relaxed);
        level
    }

    /// The level a value of `DELTA_RULE_SIMD` asks for: `scalar` or `avx2` in any case (so that
    /// `AVX2` does not quietly run AVX-512); AVX-512 for anything else or nothing.
    pub(super) fn requested(value: Option<&str>) -> Level {
        match value {
            Some(v) if v.eq_ignore_ascii_case("scalar") => Level::Scalar,
            Some(v) if v.eq_ignore_ascii_case("avx2") => Level::Avx2,
            _ => Level::Avx512,
        }
    }
}

#[cfg(all(feature = "std", target_arch = "aarch64"))]
mod detect {
    use super::Level;
    use std::sync::atomic::{AtomicU8, Ordering};

    /// 0 until read, then a `Level` discriminant.
    static LEVEL: AtomicU8 = AtomicU8::new(0);

    /// The best level this target supports. NEON is part of the baseline of the aarch64 targets
    /// with `std`, and the kernels are compiled for the baseline, so this is known at compile
    /// time: no run-time detection is needed.
    pub(crate) fn supported() -> Level {
        if cfg!(target_feature = "neon") {
            Level::Neon
        } else {
            Level::Scalar
        }
    }

    /// The level every dispatched call uses: the supported one, lowered by `DELTA_RULE_SIMD`.
    #[inline]
    pub(crate) fn level() -> Level {
        match LEVEL.load(Ordering::Relaxed) {
            1 => Level::Scalar,
            4 => Level::Neon,
            _ => first_level(),
        }
    }

    /// [`level`] on its first call, apart so that the calls after it inline to one load.
    #[cold]
    fn first_level() -> Level {
        let level = requested(std::env::var("DELTA_RULE_SIMD").ok().as_deref()).min(supported());
        LEVEL.store(level as u8, Ordering::Relaxed);
        level
    }

    /// The level a value of `DELTA_RULE_SIMD` asks for: `scalar` in any case; NEON for anything
    /// else or nothing.
    pub(super) fn requested(value: Option<&str>) -> Level {
        match value {
            Some(v) if v.eq_ignore_ascii_case("scalar") => Level::Scalar,
            _ => Level::Neon,
        }
    }
}

#[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
// `supported` is used by the x86-64 dispatchers and by the tests.
#[cfg_attr(all(target_arch = "aarch64", not(test)), allow(unused_imports))]
pub(crate) use detect::{level, supported};
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub(crate) use detect::{
    long_dot_level, next_group_ahead, short_call_level, sse_prefetch_ahead, widening_level,
    SHORT_CALL_BYTES, SHORT_SSE_F32_BYTES, SHORT_SSE_F64_BYTES,
};
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub(crate) use x86::exact_with_fma;

/// Reinterpretations of generic slices as `f32` / `f64` slices, after an exact type check.
#[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod cast {
    /// The types a generic `T` is compared with. `typeid::of` tells types apart exactly only
    /// where one of them has no lifetime parameters (with lifetimes, `&'a str` and
    /// `&'static str` would compare equal), so the comparisons take these types alone.
    pub(crate) trait Concrete: 'static {}
    impl Concrete for f32 {}
    impl Concrete for f64 {}
    #[cfg(feature = "half")]
    impl Concrete for half::f16 {}
    #[cfg(feature = "half")]
    impl Concrete for half::bf16 {}

    /// `true` if `T` is exactly `U`: `U` is a [`Concrete`] type, without lifetime parameters,
    /// so equal type ids mean equal types (the guarantee documented by `typeid::of`).
    #[inline(always)]
    pub(crate) fn same<T: ?Sized, U: Concrete>() -> bool {
        typeid::of::<T>() == typeid::of::<U>()
    }

    /// `s` as a `&[U]` if `T` is `U`.
    #[inline(always)]
    pub(crate) fn slice<T, U: Concrete>(s: &[T]) -> Option<&[U]> {
        if same::<T, U>() {
            // SAFETY: T and U are the same type, so pointer, length, alignment and validity of
            // every element carry over unchanged, and the lifetime is that of `s`.
            Some(unsafe { core::slice::from_raw_parts(s.as_ptr().cast::<U>(), s.len()) })
        } else {
            None
        }
    }

    /// `s` as a `&mut [U]` if `T` is `U`.
    #[inline(always)]
    pub(crate) fn slice_mut<T, U: Concrete>(s: &mut [T]) -> Option<&mut [U]> {
        if same::<T, U>() {
            // SAFETY: as in `slice`; the unique borrow of `s` moves into the result.
            Some(unsafe { core::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<U>(), s.len()) })
        } else {
            None
        }
    }

    /// `x` as a `U` if `T` is `U`.
    #[inline(always)]
    pub(crate) fn value<T: Copy, U: Copy + Concrete>(x: T) -> Option<U> {
        if same::<T, U>() {
            // SAFETY: T and U are the same `Copy` type, so this is a plain copy of `x`.
            Some(unsafe { core::mem::transmute_copy::<T, U>(&x) })
        } else {
            None
        }
    }

    /// `x` as a `T` if `T` is `U` (the inverse of [`value`]).
    #[inline(always)]
    pub(crate) fn value_back<U: Copy + Concrete, T: Copy>(x: U) -> Option<T> {
        if same::<T, U>() {
            // SAFETY: T and U are the same `Copy` type, so this is a plain copy of `x`.
            Some(unsafe { core::mem::transmute_copy::<U, T>(&x) })
        } else {
            None
        }
    }
}

/// Runs `k32` or `k64` on `h` and `out` if `T` is `f32` or `f64` and a SIMD level is in use;
/// returns whether it did.
#[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
#[inline]
fn map<T: Float>(
    h: &[T],
    out: &mut [T],
    k32: fn(Level, &[f32], &mut [f32]),
    k64: fn(Level, &[f64], &mut [f64]),
) -> bool {
    let level = level();
    if level == Level::Scalar {
        return false;
    }
    if let (Some(h), Some(out)) = (cast::slice::<T, f32>(h), cast::slice_mut::<T, f32>(out)) {
        k32(level, h, out);
        return true;
    }
    if let (Some(h), Some(out)) = (cast::slice::<T, f64>(h), cast::slice_mut::<T, f64>(out)) {
        k64(level, h, out);
        return true;
    }
    #[cfg(all(feature = "half", target_arch = "x86_64"))]
    if half_float::map(level, h, out, k32) {
        return true;
    }
    false
}

/// Element-wise kernels: `out[i] = f(h[i])` for slices of equal length (checked by the caller),
/// returning whether the SIMD path handled the call.
macro_rules! element_wise {
    ($($(#[$doc:meta])* $name:ident => $k32:ident, $k64:ident;)*) => {$(
        $(#[$doc])*
        #[inline]
        pub(crate) fn $name<T: Float>(h: &[T], out: &mut [T]) -> bool {
            #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
            {
                map(h, out, kernels::$k32, kernels::$k64)
            }
            #[cfg(not(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64"))))]
            {
                let _ = (h, out);
                false
            }
        }
    )*};
}

element_wise! {
    /// σ(h), within 1 ulp.
    sigmoid => sigmoid_f32, sigmoid_f64;
    /// σ′(h), within 2 ulp.
    sigmoid_derivative => sigmoid_derivative_f32, sigmoid_derivative_f64;
    /// tanh h, within 1 ulp.
    tanh => tanh_f32, tanh_f64;
    /// tanh′ h, within 2 ulp.
    tanh_derivative => tanh_derivative_f32, tanh_derivative_f64;
}

/// σ(h) into `out` and σ′(h) into `slope` in one pass sharing e^(−|h|), for slices of equal
/// length (checked by the caller), bit-identical to [`sigmoid`] and [`sigmoid_derivative`] at
/// the same level; returns whether the SIMD path handled the call.
#[inline]
pub(crate) fn sigmoid_with_derivative<T: Float>(h: &[T], out: &mut [T], slope: &mut [T]) -> bool {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let level = level();
        if level == Level::Scalar {
            return false;
        }
        if let (Some(h), Some(out), Some(slope)) = (
            cast::slice::<T, f32>(h),
            cast::slice_mut::<T, f32>(out),
            cast::slice_mut::<T, f32>(slope),
        ) {
            kernels::sigmoid_with_derivative_f32(level, h, out, slope);
            return true;
        }
        if let (Some(h), Some(out), Some(slope)) = (
            cast::slice::<T, f64>(h),
            cast::slice_mut::<T, f64>(out),
            cast::slice_mut::<T, f64>(slope),
        ) {
            kernels::sigmoid_with_derivative_f64(level, h, out, slope);
            return true;
        }
        #[cfg(all(feature = "half", target_arch = "x86_64"))]
        if half_float::map_pair(level, h, out, slope, x86::sigmoid_with_derivative_f32) {
            return true;
        }
    }
    let _ = (h, out, slope);
    false
}

/// softplus(h) for `f32` and `f64` slices of equal length (within 1 ulp), if a SIMD level is in
/// use; returns whether it handled the call.
#[inline]
pub(crate) fn softplus<T: Float>(h: &[T], out: &mut [T]) -> bool {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let level = level();
        if level == Level::Scalar {
            return false;
        }
        if let (Some(h), Some(out)) = (cast::slice::<T, f32>(h), cast::slice_mut::<T, f32>(out)) {
            kernels::softplus_f32(level, h, out);
            return true;
        }
        if let (Some(h), Some(out)) = (cast::slice::<T, f64>(h), cast::slice_mut::<T, f64>(out)) {
            kernels::softplus_f64(level, h, out);
            return true;
        }
        #[cfg(all(feature = "half", target_arch = "x86_64"))]
        if half_float::map(level, h, out, x86::softplus_f32) {
            return true;
        }
    }
    let _ = (h, out);
    false
}

/// δᵢ = (yᵢ − σ(hᵢ))·σ′(hᵢ) over the common length, σ and σ′ from one pass of the
/// [`sigmoid_with_derivative`] kernels (σ within 1 ulp, σ′ within 2 ulp), if `T` is `f32` or
/// `f64` and a SIMD level is in use; returns whether it did.
#[inline]
pub(crate) fn sigmoid_error_terms<T: Float>(y: &[T], h: &[T], delta: &mut [T]) -> bool {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    return two_inputs(
        y,
        h,
        delta,
        kernels::sigmoid_error_terms_f32,
        kernels::sigmoid_error_terms_f64,
    );
    #[cfg(not(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    {
        let _ = (y, h, delta);
        false
    }
}

/// Runs `k32` or `k64` on the inputs `a`, `b` and the output `out` if `T` is `f32` or `f64` and a
/// SIMD level is in use; returns whether it did.
#[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
#[inline]
fn two_inputs<T: Float>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    k32: fn(Level, &[f32], &[f32], &mut [f32]),
    k64: fn(Level, &[f64], &[f64], &mut [f64]),
) -> bool {
    let level = level();
    if level == Level::Scalar {
        return false;
    }
    if let (Some(a), Some(b), Some(out)) =
        (cast::slice::<T, f32>(a), cast::slice::<T, f32>(b), cast::slice_mut::<T, f32>(out))
    {
        k32(level, a, b, out);
        return true;
    }
    if let (Some(a), Some(b), Some(out)) =
        (cast::slice::<T, f64>(a), cast::slice::<T, f64>(b), cast::slice_mut::<T, f64>(out))
    {
        k64(level, a, b, out);
        return true;
    }
    false
}

/// Runs the update kernel `k32` or `k64` on `y`, `a` and `x` if `T` is `f32` or `f64` and a
/// SIMD level is in use; returns whether it did.
#[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
#[inline]
fn update<T: Float>(
    y: &mut [T],
    a: T,
    x: &[T],
    k32: fn(Level, &mut [f32], f32, &[f32]),
    k64: fn(Level, &mut [f64], f64, &[f64]),
) -> bool {
    let level = level();
    if level == Level::Scalar {
        return false;
    }
    if let (Some(y), Some(a), Some(x)) =
        (cast::slice_mut::<T, f32>(y), cast::value::<T, f32>(a), cast::slice::<T, f32>(x))
    {
        k32(level, y, a, x);
        return true;
    }
    if let (Some(y), Some(a), Some(x)) =
        (cast::slice_mut::<T, f64>(y), cast::value::<T, f64>(a), cast::slice::<T, f64>(x))
    {
        k64(level, y, a, x);
        return true;
    }
    false
}

/// yᵢ ← yᵢ + a·xᵢ over the common length, if `T` is `f32` or `f64` and a SIMD level is in use;
/// returns whether it did.
#[inline]
pub(crate) fn axpy<T: Float>(y: &mut [T], a: T, x: &[T]) -> bool {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    return update(y, a, x, kernels::axpy_f32, kernels::axpy_f64);
    #[cfg(not(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    {
        let _ = (y, a, x);
        false
    }
}

/// yᵢ ← a·xᵢ over the common length; otherwise as [`axpy`].
#[inline]
pub(crate) fn scale_into<T: Float>(y: &mut [T], a: T, x: &[T]) -> bool {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    return update(y, a, x, kernels::scale_into_f32, kernels::scale_into_f64);
    #[cfg(not(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    {
        let _ = (y, a, x);
        false
    }
}

/// Σ aᵢbᵢ over the common length, if `T` is `f32` or `f64` and a SIMD level is in use.
#[inline]
pub(crate) fn dot<T: Float>(a: &[T], b: &[T]) -> Option<T> {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let level = level();
        if level == Level::Scalar {
            return None;
        }
        if let (Some(a), Some(b)) = (cast::slice::<T, f32>(a), cast::slice::<T, f32>(b)) {
            return cast::value_back::<f32, T>(kernels::dot_f32(level, a, b));
        }
        if let (Some(a), Some(b)) = (cast::slice::<T, f64>(a), cast::slice::<T, f64>(b)) {
            return cast::value_back::<f64, T>(kernels::dot_f64(level, a, b));
        }
    }
    let _ = (a, b);
    None
}

/// `out[r]` = Σᵢ x[r·d + i]·wᵢ for the rows of `x` (d = `w.len()`, at most `out.len()` rows),
/// bit-identical to [`dot`] per row, if `T` is `f32` or `f64` and a SIMD level is in use.
#[inline]
pub(crate) fn net_inputs<T: Float>(x: &[T], w: &[T], out: &mut [T]) -> bool {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    return two_inputs(x, w, out, kernels::net_inputs_f32, kernels::net_inputs_f64);
    #[cfg(not(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    {
        let _ = (x, w, out);
        false
    }
}

/// g ← g + Σ_r a_r·(row r of x) for rows of `g.len()` elements (at most `a.len()` rows),
/// bit-identical to [`axpy`] per row in row order, if `T` is `f32` or `f64` and a SIMD level is
/// in use.
#[inline]
pub(crate) fn add_weighted_rows<T: Float>(g: &mut [T], a: &[T], x: &[T]) -> bool {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let level = level();
        if level == Level::Scalar {
            return false;
        }
        if let (Some(g), Some(a), Some(x)) =
            (cast::slice_mut::<T, f32>(g), cast::slice::<T, f32>(a), cast::slice::<T, f32>(x))
        {
            kernels::add_weighted_rows_f32(level, g, a, x);
            return true;
        }
        if let (Some(g), Some(a), Some(x)) =
            (cast::slice_mut::<T, f64>(g), cast::slice::<T, f64>(a), cast::slice::<T, f64>(x))
        {
            kernels::add_weighted_rows_f64(level, g, a, x);
            return true;
        }
    }
    let _ = (g, a, x);
    false
}

/// The one-output epoch's Σ (y − ŷ)² over the rows of `x` (rows of `inputs`, at most `y.len()`),
/// adding Σ δ x and Σ δ to `g_row` (the layout of `w_row`: `inputs` weights, then the bias if
/// any), as the blocked epoch of [`crate::gradient`] does for [`Sigmoid`](crate::Sigmoid), with
/// the same bits for `g_row`, if `activation` is `Sigmoid` (behind any references, boxes or trait
/// objects), AVX-512 is in use and `T` is `f32` with
/// rows of 64 to 128 elements or `f64` with rows of 32 or 64 (one fused kernel, see
/// `avx512_rows::sigmoid_rows_f32` and `_f64`); otherwise `None`, touching nothing. The sum
/// comes as the unevaluated hi + lo (lo = 0 for `f32`, whose squares are summed in `f64`).
#[inline]
pub(crate) fn sigmoid_rows<T: Float>(
    activation: Builtin,
    x: &[T],
    y: &[T],
    w_row: &[T],
    inputs: usize,
    g_row: &mut [T],
) -> Option<(f64, f64)> {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if activation == Builtin::Sigmoid && w_row.len() == g_row.len() && w_row.len() >= inputs {
        if let (Some(x), Some(y), Some(w_row), Some(g_row)) = (
            cast::slice::<T, f32>(x),
            cast::slice::<T, f32>(y),
            cast::slice::<T, f32>(w_row),
            cast::slice_mut::<T, f32>(g_row),
        ) {
            let ((w, bias), (g, g_bias)) = (w_row.split_at(inputs), g_row.split_at_mut(inputs));
            let (w, g) = ((w, bias.first().copied()), (g, g_bias.first_mut()));
            return counted(kernels::sigmoid_rows_f32(level(), x, y, w, g).map(|sum| (sum, 0.0)));
        }
        let (x, y) = (cast::slice::<T, f64>(x)?, cast::slice::<T, f64>(y)?);
        let (w_row, g_row) = (cast::slice::<T, f64>(w_row)?, cast::slice_mut::<T, f64>(g_row)?);
        let ((w, bias), (g, g_bias)) = (w_row.split_at(inputs), g_row.split_at_mut(inputs));
        let (w, g) = ((w, bias.first().copied()), (g, g_bias.first_mut()));
        return counted(kernels::sigmoid_rows_f64(level(), x, y, w, g));
    }
    let _ = (activation, x, y, w_row, inputs, g_row);
    None
}

#[cfg(all(test, feature = "std", target_arch = "x86_64"))]
std::thread_local! {
    /// The calls of [`sigmoid_rows`] on this thread that ran a fused kernel, so that tests can
    /// tell which path a public function took (both give the same bits).
    pub(crate) static FUSED_ROWS_CALLS: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

/// `sum`, counted in `FUSED_ROWS_CALLS` in tests where a fused kernel ran.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[inline(always)]
fn counted(sum: Option<(f64, f64)>) -> Option<(f64, f64)> {
    #[cfg(test)]
    if sum.is_some() {
        FUSED_ROWS_CALLS.with(|calls| calls.set(calls.get() + 1));
    }
    sum
}

/// `out[r]` = Σᵢ x\[rows\[r\]·d + i\]·wᵢ for the rows of `x` listed in `rows` (d = `w.len()`, rows
/// in range), bit-identical to [`dot`] per row, prefetching the rows listed a few positions
/// later (in `rows`, then `ahead`), if `T` is `f32` or `f64` and a SIMD level is in use.
#[inline]
pub(crate) fn net_inputs_listed<T: Float>(
    x: &[T],
    rows: &[usize],
    ahead: &[usize],
    w: &[T],
    out: &mut [T],
) -> bool {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let level = level();
        if level == Level::Scalar {
            return false;
        }
        if let (Some(x), Some(w), Some(out)) =
            (cast::slice::<T, f32>(x), cast::slice::<T, f32>(w), cast::slice_mut::<T, f32>(out))
        {
            kernels::net_inputs_listed_f32(level, x, rows, ahead, w, out);
            return true;
        }
        if let (Some(x), Some(w), Some(out)) =
            (cast::slice::<T, f64>(x), cast::slice::<T, f64>(w), cast::slice_mut::<T, f64>(out))
        {
            kernels::net_inputs_listed_f64(level, x, rows, ahead, w, out);
            return true;
        }
    }
    let _ = (x, rows, ahead, w, out);
    false
}

/// g ← g + Σ_r a_r·(row rows\[r\] of x) for rows of `g.len()` elements, in the order of `rows`,
/// bit-identical to [`axpy`] per row, if `T` is `f32` or `f64` and a SIMD level is in use.
#[inline]
pub(crate) fn add_listed_rows<T: Float>(g: &mut [T], a: &[T], x: &[T], rows: &[usize]) -> bool {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let level = level();
        if level == Level::Scalar {
            return false;
        }
        if let (Some(g), Some(a), Some(x)) =
            (cast::slice_mut::<T, f32>(g), cast::slice::<T, f32>(a), cast::slice::<T, f32>(x))
        {
            kernels::add_listed_rows_f32(level, g, a, x, rows);
            return true;
        }
        if let (Some(g), Some(a), Some(x)) =
            (cast::slice_mut::<T, f64>(g), cast::slice::<T, f64>(a), cast::slice::<T, f64>(x))
        {
            kernels::add_listed_rows_f64(level, g, a, x, rows);
            return true;
        }
    }
    let _ = (g, a, x, rows);
    false
}

/// Σ (aᵢ − bᵢ)² over the common length, faithfully rounded, if `T` is `f32` or `f64` and a SIMD
/// level is in use.
#[inline]
pub(crate) fn sum_squared_diff<T: Float>(a: &[T], b: &[T]) -> Option<T> {
    let (hi, lo) = sum_squared_diff_parts(a, b)?;
    // Only f32 and f64 get here, and each converts exactly.
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    if cast::same::<T, f32>() {
        return T::from(hi as f32);
    }
    T::from(rounded_sum(hi, lo))
}

/// Σ (aᵢ − bᵢ)² over the common length as an unevaluated sum `(hi, lo)` in `f64`, if `T` is
/// `f32` or `f64` and a SIMD level is in use: for `f32` the `f64` sum that rounds to
/// [`sum_squared_diff`] (`lo` = 0); for `f64` the compensated sum and its error term (see
/// [`rounded_sum`]).
#[inline]
pub(crate) fn sum_squared_diff_parts<T: Float>(a: &[T], b: &[T]) -> Option<(f64, f64)> {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let level = level();
        if level == Level::Scalar {
            return None;
        }
        if let (Some(a), Some(b)) = (cast::slice::<T, f32>(a), cast::slice::<T, f32>(b)) {
            return Some((kernels::sum_squared_diff_wide_f32(level, a, b), 0.0));
        }
        if let (Some(a), Some(b)) = (cast::slice::<T, f64>(a), cast::slice::<T, f64>(b)) {
            return Some(kernels::sum_squared_diff_parts_f64(level, a, b));
        }
    }
    let _ = (a, b);
    None
}

/// The faithfully rounded sum of the `f64` parts of [`sum_squared_diff_parts`]: hi + lo, or,
/// where that is not finite, `hi`, which is then the IEEE result of the plain sum (+∞, or NaN
/// for NaN or ∞ − ∞ inputs) while `lo` is NaN.
#[inline]
pub(crate) fn rounded_sum(hi: f64, lo: f64) -> f64 {
    let sum = hi + lo;
    if sum.is_finite() {
        sum
    } else {
        hi
    }
}

/// Records ahead of the current one that the stochastic epoch and the kernels over listed rows
/// (`net_inputs_listed`, in every implementation) prefetch, and how many records of the next
/// batch the mini-batch epoch hands to those kernels: records in shuffled order come from
/// anywhere in memory, where the hardware prefetcher cannot guess the next one, and eight rows
/// of 256 bytes already fill the line-fill buffers.
pub(crate) const PREFETCH_RECORDS: usize = 8;

/// Asks for the cache lines of `s` to be brought into L1: a hint that neither reads nor
/// writes, for data the caller is about to read from an address the hardware prefetcher cannot
/// predict. Does nothing where no prefetch instruction is used.
#[inline]
pub(crate) fn prefetch<T>(s: &[T]) {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    math::prefetch_lines(s);
    #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
    let _ = s;
}
