#!/usr/bin/env python3
"""Minimax coefficients of e^r - 1 = r + r^2 (C2 + C3 r + ... ) for the f32 exponential reductions.

For each (table size, degree) below: the polynomial p with (e^r - 1 - r)/r^2 ~ p(r), minimising
the absolute error of r + r^2 p(r) on |r| <= ln2/(2 * size) (the reduced argument after a
`size`-entry table of 2^(j/size)), by Lawson's iteratively reweighted least squares on a dense
grid in mpmath. The coefficients are rounded to f32 and the error of the rounded polynomial,
evaluated exactly, is reported as log2 of its maximum.

    python3 scripts/exp_minimax.py
"""
import struct

from mpmath import mp, mpf, exp, log, matrix, lu_solve, fabs

mp.dps = 40


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


def main():
    for size, terms in [(16, 2), (8, 3)]:
        half_width = log(2) / (2 * size)
        coef = [to_f32(c) for c in fit(half_width, terms)]
        err = max_error([mpf(c) for c in coef], half_width)
        print(f"table {size}, |r| <= ln2/{2 * size}: max |w - (e^r - 1)| = 2^{float(log(err, 2)):.2f}")
        for k, c in enumerate(coef):
            print(f"    C{k + 2} = f32::from_bits(0x{f32_bits(c):08X})  // {c!r}")


if __name__ == "__main__":
    main()
