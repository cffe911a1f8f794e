#!/usr/bin/env python3
"""Taylor coefficients of (tanh a - a)/a^3 as a polynomial in u = a^2, rounded to f32 and f64,
for the AVX-512 tanh kernels in src/simd/avx512.rs (TANH_P and TANH_P64).

tanh x = sum_{n>=1} 2^(2n) (2^(2n) - 1) B_(2n) x^(2n-1) / (2n)!, with the Bernoulli numbers B
computed exactly here; the coefficient of u^k in (tanh a - a)/a^3 is the n = k + 2 term.

    python3 scripts/tanh_taylor.py           # print the coefficients
    python3 scripts/tanh_taylor.py --check   # and compare them with the arrays in the source
"""
import re
import struct
import sys
from fractions import Fraction
from math import comb, factorial


def bernoulli(n_max):
    """B_0 .. B_n_max (B_1 = -1/2), from sum_{k<=m} C(m+1, k) B_k = 0."""
    b = [Fraction(0)] * (n_max + 1)
    b[0] = Fraction(1)
    for m in range(1, n_max + 1):
        b[m] = -sum(comb(m + 1, k) * b[k] for k in range(m)) / (m + 1)
    return b


def coefficients(count):
    b = bernoulli(2 * (count + 2))
    out = []
    for k in range(count):
        n = k + 2
        out.append(Fraction(2 ** (2 * n) * (2 ** (2 * n) - 1)) * b[2 * n] / factorial(2 * n))
    return out


def f32_bits(c):
    return struct.unpack("<I", struct.pack("<f", float(c)))[0]


def f64_bits(c):
    return struct.unpack("<Q", struct.pack("<d", float(c)))[0]


def source_bits(source, name):
    """The from_bits arguments of the array `name` in the Rust source, as integers."""
    body = re.search(rf"const {name}: \[f(?:32|64); \d+\] = \[(.*?)\];", source, re.S)
    return [int(h.replace("_", ""), 16) for h in re.findall(r"from_bits\(0x([0-9A-F_]+)\)", body[1])]


if __name__ == "__main__":
    # float(Fraction) rounds correctly to f64; f32 from that double can double-round, so the
    # f32 values are checked against the exact fraction.
    generated = {}
    for name, count in (("TANH_P", 5), ("TANH_P64", 11)):
        print(name)
        bits = []
        for c in coefficients(count):
            if name == "TANH_P":
                v = struct.unpack("<f", struct.pack("<f", float(c)))[0]
                lo = struct.unpack("<f", struct.pack("<I", f32_bits(v) - 1))[0]
                hi = struct.unpack("<f", struct.pack("<I", f32_bits(v) + 1))[0]
                assert abs(Fraction(v) - c) <= min(abs(Fraction(lo) - c), abs(Fraction(hi) - c))
                bits.append(f32_bits(v))
                print(f"    f32::from_bits(0x{bits[-1]:08X}),  // {c}")
            else:
                bits.append(f64_bits(c))
                print(f"    f64::from_bits(0x{bits[-1]:016X}),  // {c}")
        generated[name] = bits
    if "--check" in sys.argv:
        source = open("src/simd/avx512.rs").read()
        for name, bits in generated.items():
            if source_bits(source, name) != bits:
                sys.exit(f"{name} in src/simd/avx512.rs differs from the generated coefficients")
        print("src/simd/avx512.rs: TANH_P and TANH_P64 match")
