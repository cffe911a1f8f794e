//! The level `DELTA_RULE_SIMD` asks for, which level short calls take, and how the kinds of
//! cores are told apart.

use super::*;

/// `scalar` (and on x86-64 `avx2`) in any case; anything else, or no value, asks for the best.
#[test]
fn the_environment_variable_names_a_level() {
    use crate::simd::detect::requested;
    #[cfg(target_arch = "x86_64")]
    let (best, named) = (
        Level::Avx512,
        [
            ("scalar", Level::Scalar),
            ("SCALAR", Level::Scalar),
            ("avx2", Level::Avx2),
            ("AVX2", Level::Avx2),
        ],
    );
    #[cfg(target_arch = "aarch64")]
    let (best, named) = (Level::Neon, [("scalar", Level::Scalar), ("Scalar", Level::Scalar)]);
    for (value, level) in named {
        assert_eq!(requested(Some(value)), level, "{value}");
    }
    for value in ["avx512", "neon", "", " scalar", "avx", "sse2"] {
        assert_eq!(requested(Some(value)), best, "{value:?}");
    }
    assert_eq!(requested(None), best);
}

/// Every combination of the five features: AVX-512 only with all five, AVX2 with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[test]
fn each_level_needs_all_its_features() {
    use crate::simd::detect::level_with;
    for bits in 0..32_u32 {
        let has = |k: u32| bits >> k & 1 == 1;
        let (f, vl, dq, avx2, fma) = (has(0), has(1), has(2), has(3), has(4));
        let want = if bits == 31 {
            Level::Avx512
        } else if avx2 && fma {
            Level::Avx2
        } else {
            Level::Scalar
        };
        assert_eq!(level_with([f, vl, dq], avx2, fma), want, "features {bits:05b}");
    }
}

/// Below 4 KiB, AVX2 in place of AVX-512 on Intel cores only, and never a level above the one
/// asked for.
#[cfg(target_arch = "x86_64")]
#[test]
fn short_calls_take_avx2_on_intel_cores_only() {
    use crate::simd::detect::{short_call_level_on as on, Core, SHORT_CALL_BYTES as LIMIT};
    assert_eq!(on(Core::Intel, Level::Avx512, 8, LIMIT), Level::Avx2);
    assert_eq!(on(Core::Intel, Level::Avx512, LIMIT - 1, LIMIT), Level::Avx2);
    assert_eq!(on(Core::Intel, Level::Avx512, LIMIT, LIMIT), Level::Avx512);
    assert_eq!(on(Core::Intel, Level::Avx2, 8, LIMIT), Level::Avx2);
    assert_eq!(on(Core::Intel, Level::Scalar, 8, LIMIT), Level::Scalar);
    for core in [Core::AmdFamily19h, Core::AmdFamily1Ah, Core::Other] {
        assert_eq!(on(core, Level::Avx512, 8, LIMIT), Level::Avx512, "{core:?}");
    }
}

/// From 16 MiB of each input, dot products take AVX2 in place of AVX-512 on AMD Zen 5 only, and
/// never a level above the one asked for.
#[cfg(target_arch = "x86_64")]
#[test]
fn long_dot_products_take_avx2_on_zen_5_only() {
    use crate::simd::detect::{long_dot_level_on as on, Core, LONG_DOT_BYTES as LIMIT};
    let zen5 = Core::AmdFamily1Ah;
    assert_eq!(on(zen5, Level::Avx512, LIMIT), Level::Avx2);
    assert_eq!(on(zen5, Level::Avx512, 1 << 30), Level::Avx2);
    assert_eq!(on(zen5, Level::Avx512, LIMIT - 1), Level::Avx512);
    assert_eq!(on(zen5, Level::Avx2, LIMIT), Level::Avx2);
    assert_eq!(on(zen5, Level::Scalar, LIMIT), Level::Scalar);
    for core in [Core::AmdFamily19h, Core::Intel, Core::Other] {
        assert_eq!(on(core, Level::Avx512, LIMIT), Level::Avx512, "{core:?}");
    }
}

/// The σ epoch prefetches the next group on every core but AMD family 19h (Zen 4), and a group
/// ahead.
#[cfg(target_arch = "x86_64")]
#[test]
fn the_next_group_is_prefetched_except_on_zen_4() {
    use crate::simd::detect::{next_group_ahead_on as ahead, Core};
    for core in [Core::Intel, Core::AmdFamily1Ah, Core::Other] {
        assert_eq!(ahead(core, 16 << 10), 16 << 10, "{core:?}");
        assert_eq!(ahead(core, 8 << 10), 8 << 10, "{core:?}");
    }
    assert_eq!(ahead(Core::AmdFamily19h, 16 << 10), 0);
}

/// CPUID signatures (leaf 1 `eax`: extended family, extended model, base family, model,
/// stepping) of each kind; the first is this crate's Zen 4 benchmark machine.
#[cfg(target_arch = "x86_64")]
#[test]
fn cores_are_told_apart() {
    use crate::simd::detect::{core_of, widening_level, Core};
    let (amd, intel) = (*b"AuthenticAMD", *b"GenuineIntel");
    assert_eq!(core_of(amd, 0x00A1_0F11), Core::AmdFamily19h, "Zen 4, EPYC 9004");
    assert_eq!(core_of(amd, 0x00A6_0F12), Core::AmdFamily19h, "Zen 4, Ryzen 7000");
    assert_eq!(core_of(amd, 0x00A0_0F11), Core::AmdFamily19h, "Zen 3, EPYC 7003");
    assert_eq!(core_of(amd, 0x0083_0F10), Core::Other, "Zen 2, family 17h");
    assert_eq!(core_of(amd, 0x00B0_0F21), Core::AmdFamily1Ah, "Zen 5, EPYC 9005");
    assert_eq!(core_of(amd, 0x00B4_0F40), Core::AmdFamily1Ah, "Zen 5, Ryzen 9000");
    assert_eq!(core_of(intel, 0x0008_06F8), Core::Intel, "Sapphire Rapids");
    assert_eq!(core_of(intel, 0x0006_06A6), Core::Intel, "Ice Lake server");
    assert_eq!(core_of(intel, 0x00A1_0F11), Core::Intel, "the family alone is not enough");
    assert_eq!(core_of(*b"HygonGenuine", 0x0090_0F02), Core::Other, "Hygon, family 18h");
    // Only AVX-512 is ever replaced, and never by a level the CPU lacks.
    for level in levels() {
        let widening = widening_level(level);
        assert!(widening <= level && (widening == level || level == Level::Avx512));
    }
}
