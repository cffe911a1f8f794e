#!/usr/bin/env python3
"""The first inputs at which the correctly rounded sigmoid is exactly 1, in f64 and f32.

sigma(h) rounds to 1 once 1 - sigma(h) = 1/(1 + e^h) falls below half an ulp of the numbers
just below 1 (2^-54 for f64, 2^-25 for f32). Prints, for each type, the largest input whose
sigma is below 1 and the smallest whose sigma is 1 (shortest round-trip decimals), found by
bisection over the type's values with mpmath at 200 bits. `src/simd/tests/maps.rs`
(`sigmoid_specials_on_every_level`) and the `Sigmoid` docs use these values.

    python3 scripts/sigmoid_saturation.py           # print them
    python3 scripts/sigmoid_saturation.py --check   # and find them in src/simd/tests/maps.rs
"""
import sys

import numpy as np
from mpmath import mp, mpf, exp

mp.prec = 200


def sigma_rounds_to_one(h, bits):
    # 1 - sigma below 2^-(bits + 1), the half ulp under 1, rounds to 1 (no exact tie occurs:
    # sigma is transcendental at every nonzero float).
    return 1 / (1 + exp(mpf(float(h)))) < mpf(2) ** (-(bits + 1))


def first_one(dtype, bits):
    below, at = dtype(1), dtype(100)
    while np.nextafter(below, at) != at:
        mid = dtype((float(below) + float(at)) / 2)
        if mid in (below, at):
            mid = np.nextafter(below, at)
        if sigma_rounds_to_one(mid, bits):
            at = mid
        else:
            below = mid
    return below, at


def main():
    tests = open("src/simd/tests/maps.rs").read() if "--check" in sys.argv else None
    missing = 0
    for name, dtype, bits in (("f64", np.float64, 53), ("f32", np.float32, 24)):
        below, at = first_one(dtype, bits)
        print(f"{name}: sigma({below!s}) < 1, sigma({at!s}) = 1")
        if tests is not None and f"[{below!s}, {at!s}]" not in tests:
            missing += 1
            print(f"  not found in src/simd/tests/maps.rs as [{below!s}, {at!s}]")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
