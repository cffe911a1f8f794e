#!/usr/bin/env python3
"""Minimax coefficients of e^r - 1 = r + r^2 (C2 + C3 r + ... ) for the f32 exponential reductions.

For each kernel below: the polynomial p with (e^r - 1 - r)/r^2 ~ p(r), minimising the absolute
error of r + r^2 p(r) on |r| <= ln2/(2 * size) (the reduced argument after a `size`-entry table
of 2^(j/size)), by Lawson's iteratively reweighted least squares on a grid of 1201 points in
mpmath (40 digits), stopped after a fixed number of rounds. The coefficients are rounded to f32
and the error of the rounded polynomial, evaluated exactly, is reported as log2 of its maximum.

The round counts are part of the recipe: Lawson's iteration is not converged at either count,
and the coefficient of the highest power still drifts by a few f32 ulps between counts (the
16-entry C3 is 0x3E2AAB9B after 60 rounds, 0x3E2AABA4 after 286-305, 0x3E2AABB1 converged).
Over that range the maximum error changes by less than 0.001 in its log2, 2^-39 in absolute
terms, far below the f32 rounding of the kernels' evaluation; the counts are the ones that
produced the constants in the sources (src/simd/avx512.rs: 300 rounds; src/simd/avx2.rs: 60).

    python3 scripts/exp_minimax.py           # print the Rust constants
    python3 scripts/exp_minimax.py --check   # compare them with the sources
"""
import os
import re
import struct
import sys

from mpmath import mp, mpf, exp, log, matrix, lu_solve, fabs

mp.dps = 40

# (source file under src/simd/, table size, number of coefficients C2.., Lawson rounds)
KERNELS = [
    ("avx512.rs", 16, 2, 300),
    ("avx2.rs", 8, 3, 60),
]

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", float(x)))[0]


def to_f32(x):
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def fit(half_width, terms, points=1201, rounds=60):
    rs = [half_width * (2 * mpf(i) / (points - 1) - 1) for i in range(points)]
    rs = [r for r in rs if r != 0]
    # Absolute error of w = r + r^2 p(r): basis r^(2+k), target e^r - 1 - r.
    target = [exp(r) - 1 - r for r in rs]
    basis = [[r ** (2 + k) for k in range(terms)] for r in rs]
    weights = [mpf(1)] * len(rs)
    coef = None
    for _ in range(rounds):
        a = matrix(terms, terms)
        b = matrix(terms, 1)
        for wgt, row, t in zip(weights, basis, target):
            for i in range(terms):
                b[i] += wgt * row[i] * t
                for j in range(terms):
                    a[i, j] += wgt * row[i] * row[j]
        coef = lu_solve(a, b)
        errs = [fabs(t - sum(coef[k] * row[k] for k in range(terms))) for row, t in zip(basis, target)]
        total = sum(w * e for w, e in zip(weights, errs))
        weights = [w * e / total for w, e in zip(weights, errs)]
    return [coef[k] for k in range(terms)]


def max_error(coef, half_width, points=20001):
    worst = mpf(0)
    for i in range(points):
        r = half_width * (2 * mpf(i) / (points - 1) - 1)
        p = mpf(0)
        for c in reversed(coef):
            p = p * r + c
        worst = max(worst, fabs(exp(r) - 1 - (r + r * r * p)))
    return worst


def in_source(file, name):
    """The bit pattern of `const {name}: f32 = f32::from_bits(0x…);` in src/simd/{file}."""
    text = open(os.path.join(ROOT, "src", "simd", file)).read()
    found = re.findall(rf"const {name}: f32 = f32::from_bits\(0x([0-9A-Fa-f_]+)\);", text)
    if len(found) != 1:
        return None
    return int(found[0].replace("_", ""), 16)


def main():
    check = "--check" in sys.argv
    bad = 0
    for file, size, terms, rounds in KERNELS:
        half_width = log(2) / (2 * size)
        coef = [to_f32(c) for c in fit(half_width, terms, rounds=rounds)]
        err = max_error([mpf(c) for c in coef], half_width)
        print(f"{file}: table {size}, |r| <= ln2/{2 * size}, {rounds} Lawson rounds: "
              f"max |w - (e^r - 1)| = 2^{float(log(err, 2)):.2f}")
        for k, c in enumerate(coef):
            name = f"C{k + 2}"
            bits = f32_bits(c)
            line = f"    {name} = f32::from_bits(0x{bits:08X})  // {c!r}"
            if check:
                source = in_source(file, name)
                if source != bits:
                    bad += 1
                    shown = "not found" if source is None else f"0x{source:08X}"
                    line += f"  MISMATCH: source has {shown}"
            print(line)
    if check:
        print("all coefficients match" if bad == 0 else f"{bad} coefficients differ")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
