#!/usr/bin/env bash
# Cross-builds the tests for aarch64 and runs them under qemu user-mode emulation: the library's
# unit tests (the SIMD ones at every level) and the accuracy and dispatch tests at each aarch64
# level (DELTA_RULE_SIMD=neon, then scalar), the same tests CI runs at each x86-64 level.
#
# Needs the Rust target (`rustup target add aarch64-unknown-linux-gnu`), a cross linker with the
# aarch64 C library (Debian: gcc-aarch64-linux-gnu, libc6-dev-arm64-cross) and qemu-aarch64
# (Debian: qemu-user).
#
#   scripts/aarch64-test.sh           # build and run the tests
#   scripts/aarch64-test.sh --check   # only check for the tools: exit 1, naming what is missing
set -euo pipefail
cd "$(dirname "$0")/.."

target=aarch64-unknown-linux-gnu
missing=()
if [[ ! -d "$(rustc --print sysroot)/lib/rustlib/$target/lib" ]]; then
    missing+=("the Rust target $target")
fi
if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    missing+=("aarch64-linux-gnu-gcc")
elif [[ "$(aarch64-linux-gnu-gcc -print-file-name=Scrt1.o)" != /* ]]; then
    # gcc prints the bare name when the C library's start files are not installed.
    missing+=("the aarch64 C library for linking (libc6-dev-arm64-cross)")
fi
if ! command -v qemu-aarch64 >/dev/null; then
    missing+=("qemu-aarch64")
fi
if ((${#missing[@]})); then
    echo "missing for the aarch64 tests:"
    printf '  - %s\n' "${missing[@]}"
    exit 1
fi
if [[ "${1:-}" == "--check" ]]; then
    exit 0
fi

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER="${CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER:-aarch64-linux-gnu-gcc}"
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="${CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER:-qemu-aarch64 -L /usr/aarch64-linux-gnu}"

# The crate is built as in any release build; its dependencies (mostly the benches' and tests'
# dev-dependencies, none of them in the kernels) without optimisation, which halves the build.
cargo=(cargo test --release --target "$target" --config 'profile.release.package."*".opt-level=0')
tests=(--test simd_dispatch --test reference_tables --test sse_reference --test properties
    --test worked_example --test guard_pages)
"${cargo[@]}" --lib "${tests[@]}" --no-run
for level in neon scalar; do
    echo "DELTA_RULE_SIMD=$level (aarch64, qemu)"
    if [[ "$level" == neon ]]; then
        # The unit tests run the SIMD kernels at every level themselves: once is enough.
        DELTA_RULE_SIMD=$level "${cargo[@]}" --lib "${tests[@]}"
    else
        DELTA_RULE_SIMD=$level "${cargo[@]}" "${tests[@]}"
    fi
done
