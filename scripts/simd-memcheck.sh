#!/usr/bin/env bash
# Runs the SIMD unit tests (every dispatch level against the scalar references) under valgrind
# memcheck, and optionally under AddressSanitizer or Miri with the nightly toolchain.
#
#   scripts/simd-memcheck.sh          # valgrind memcheck (levels scalar and AVX2: valgrind's
#                                     # virtual CPU has no AVX-512)
#   scripts/simd-memcheck.sh asan     # cargo +nightly, -Zsanitizer=address (all levels)
#   scripts/simd-memcheck.sh miri     # cargo +nightly miri (levels scalar and AVX2: Miri has no
#                                     # AVX-512); interpreted, the 27 tests it runs take about
#                                     # 75 minutes on one core, two of them some 20 minutes each
#   scripts/simd-memcheck.sh miri NAME...  # only the SIMD tests whose paths after simd::tests::
#                                          # start with a NAME (a module, e.g. sums, or
#                                          # maps::tanh_specials)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "miri" ]]; then
    # Miri checks every access against its allocation and the aliasing rules of Rust's
    # references, and the AVX2 kernels run because the target features are on at compile time.
    # The sweeps over many values and the inputs of megabytes are ignored under Miri (their
    # code paths run in the other tests); see `cfg_attr(miri, ignore)` in src/simd/tests/.
    # Miri cannot run CPUID (inline assembly), so under Miri `core()` in src/simd/mod.rs takes
    # the CPU for none of AMD Zen 4, AMD Zen 5 and Intel: the choices tuned for those cores
    # (which never change a result) are not taken there.
    shift
    filters=("${@/#/simd::tests::}")
    RUSTFLAGS="-Ctarget-feature=+avx2,+fma" \
        cargo +nightly miri test --lib --features half --target-dir target/miri -- \
        "${filters[@]:-simd::}"
elif [[ "${1:-}" == "asan" ]]; then
    target="$(rustc -vV | sed -n 's/^host: //p')"
    RUSTFLAGS="-Zsanitizer=address" RUSTDOCFLAGS="-Zsanitizer=address" \
        cargo +nightly test --release --lib --features half --target "$target" -- simd::
else
    bin="$(cargo test --release --lib --features half --no-run --message-format=json 2>/dev/null |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | head -n 1)"
    # Skipped: under valgrind an FMA loses the sign of a zero result (fma(-0, 1, -0) and
    # fma(-1e-200, 1e-200, +0) return +0, -0 on the hardware), and these tests compare signed
    # zeros bit for bit. They run natively with the other tests.
    valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
        "$bin" simd:: --test-threads=1 \
        --skip simd::tests::sums::difference_parts_by_fma_is_bit_identical_to_the_additions \
        --skip simd::tests::rows::net_inputs_keep_the_sign_of_products_that_underflow
fi
