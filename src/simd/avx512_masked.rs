//! AVX-512 loads and FMAs under a mask whose memory operand is caller memory, each one
//! instruction in `asm!`.
//!
//! A masked load reads only the lanes under its mask, so the others may lie past the end of a
//! slice, even in an unmapped page. The intrinsics (`_mm512_maskz_loadu_ps` and its kin) do not
//! guarantee that the instruction stays masked: LLVM folds such a load into the masked
//! arithmetic that uses it and can split it again into a plain load of the whole register and
//! the masked operation. That read past a row's end and faulted in `tests/guard_pages.rs`
//! (built at `opt-level` 1 and 2, or with `-C target-cpu=native`; docs/benchmark-log.md, "Masked
//! loads that stay masked"). The compiler cannot change an instruction in `asm!`.
//!
//! The `asm!` reads memory the compiler cannot see, so it must keep in memory what such a read
//! might need: a loop around these calls with an early exit kept its accumulators on the stack
//! (see `row_partials_f32`).

use core::arch::x86_64::*;

/// Defines, for one element type, the zero-masked load `$load`, the merging load `$merge` and the
/// masked FMA with a memory operand `$fmadd`.
macro_rules! masked_memory_ops {
    (
        $t:ty, $lanes:literal lanes, $reg:ty, $mask:ty, $mov:literal, $fma:literal,
        fn $load:ident, fn $merge:ident, fn $fmadd:ident
    ) => {
        #[doc = concat!("The lanes under `mask` of the ", $lanes, " `", stringify!($t), "` at `p`,")]
        #[doc = concat!(" zero elsewhere: one `", $mov, "` under the mask.")]
        ///
        /// # Safety
        ///
        /// The CPU must support AVX-512F, and the lanes under `mask` must be readable.
        #[inline]
        #[target_feature(enable = "avx512f")]
        pub(super) unsafe fn $load(mask: $mask, p: *const $t) -> $reg {
            let v: $reg;
            // SAFETY: the lanes under the mask are readable, as the caller guarantees; the
            // masked load accesses no others.
            unsafe {
                core::arch::asm!(
                    concat!($mov, " {v}{{{mask}}}{{z}}, zmmword ptr [{p}]"),
                    v = lateout(zmm_reg) v,
                    mask = in(kreg) mask,
                    p = in(reg) p,
                    options(pure, readonly, nostack, preserves_flags),
                );
            }
            v
        }

        #[doc = concat!("`src` with its lanes under `mask` replaced by those of the ", $lanes)]
        #[doc = concat!(" `", stringify!($t), "` at `p`: one `", $mov, "` merging under the mask.")]
        ///
        /// # Safety
        ///
        /// The CPU must support AVX-512F, and the lanes under `mask` must be readable.
        #[inline]
        #[target_feature(enable = "avx512f")]
        pub(super) unsafe fn $merge(src: $reg, mask: $mask, p: *const $t) -> $reg {
            let mut v = src;
            // SAFETY: as for the zero-masked load.
            unsafe {
                core::arch::asm!(
                    concat!($mov, " {v}{{{mask}}}, zmmword ptr [{p}]"),
                    v = inout(zmm_reg) v,
                    mask = in(kreg) mask,
                    p = in(reg) p,
                    options(pure, readonly, nostack, preserves_flags),
                );
            }
            v
        }

        #[doc = concat!("`acc` + `w`·(the ", $lanes, " `", stringify!($t), "` at `p`) in the lanes")]
        #[doc = concat!(" under `mask`, `acc` in the others: one `", $fma, "` under the mask,")]
        /// whose memory operand reads the lanes under the mask only. The same bits as the
        /// `mask3_fmadd` intrinsic of a masked load, in one instruction.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX-512F, and the lanes under `mask` must be readable.
        #[inline]
        #[target_feature(enable = "avx512f")]
        pub(super) unsafe fn $fmadd(acc: $reg, w: $reg, mask: $mask, p: *const $t) -> $reg {
            let mut v = acc;
            // SAFETY: as for the zero-masked load.
            unsafe {
                core::arch::asm!(
                    concat!($fma, " {v}{{{mask}}}, {w}, zmmword ptr [{p}]"),
                    v = inout(zmm_reg) v,
                    w = in(zmm_reg) w,
                    mask = in(kreg) mask,
                    p = in(reg) p,
                    options(pure, readonly, nostack, preserves_flags),
                );
            }
            v
        }
    };
}

masked_memory_ops! {
    f32, 16 lanes, __m512, __mmask16, "vmovups", "vfmadd231ps",
    fn load_lanes_ps, fn merge_lanes_ps, fn fmadd_lanes_ps
}

masked_memory_ops! {
    f64, 8 lanes, __m512d, __mmask8, "vmovupd", "vfmadd231pd",
    fn load_lanes_pd, fn merge_lanes_pd, fn fmadd_lanes_pd
}
