#!/usr/bin/env python3
"""Largest errors of the f32 exponential reductions of the AVX-512 and AVX2 kernels, emulated.

Each FMA is one product of f32 values (exact in f64) plus an addend, rounded to f64 and then to
f32; the f64 step adds at most 2^-53 relative, far below the f32 roundings measured. The exact
values come from mpmath. Prints log2 of the largest error over uniform inputs (seeded):

- AVX-512 `parts` (tanh, tanh', softplus): relative error of m_hi + m_lo against e^z / 2^floor(q);
- AVX-512 `ceil_parts` (sigma, sigma'): absolute error of T_hi + lo against e^-x / 2^ceil(q);
- AVX2 `ceil_parts8`: the same with the 8-entry table and the quartic.

The docs of src/simd/avx512.rs and src/simd/avx2.rs quote these figures. Runs in about 20 s.
"""
import struct

import mpmath
import numpy as np

mpmath.mp.prec = 200
F32 = np.float32


def bits(b):
    return F32(struct.unpack("<f", struct.pack("<I", b))[0])


def low_bits(v, n):
    return struct.unpack("<I", struct.pack("<f", v))[0] & (n - 1)


def fma(a, b, c):
    return F32(np.float64(a) * np.float64(b) + np.float64(c))


def table(entries, value):
    hi, lo = [], []
    for j in range(entries):
        exact = value(j)
        h = F32(float(exact))
        hi.append(h)
        lo.append(F32(float(exact - mpmath.mpf(float(h)))))
    return hi, lo


LN2_HI, LN2_LO = bits(0x3F317000), bits(0x3805FDF4)
LOG2_E = F32(1.4426950408889634)


def avx512_parts(samples):
    c2, c3, rnd = bits(0x3F000110), bits(0x3E2AABA4), F32(786432.0)
    t_hi, t_lo = table(16, lambda j: mpmath.power(2, mpmath.mpf(j) / 16))
    rng = np.random.default_rng(3)
    zs = np.concatenate([rng.uniform(-110, 0, samples), rng.uniform(-2, 0, samples // 2)])
    worst = 0
    for z in zs.astype(F32):
        t = fma(z, LOG2_E, rnd)
        q = F32(t - rnd)
        j = low_bits(t, 16)
        r = fma(-q, LN2_LO, fma(-q, LN2_HI, z))
        w = fma(F32(r * r), fma(r, c3, c2), r)
        m_hi = fma(t_hi[j], w, t_hi[j])
        m_lo = fma(t_hi[j], w, F32(F32(t_hi[j] - m_hi) + t_lo[j]))
        exact = mpmath.exp(mpmath.mpf(float(z))) / mpmath.power(2, mpmath.floor(float(q)))
        m = mpmath.mpf(float(m_hi)) + mpmath.mpf(float(m_lo))
        worst = max(worst, abs(m - exact) / exact)
    return worst


def ceil_parts(samples, entries, rnd, poly, low, high, seed):
    if entries == 16:
        value = lambda j: 1 if j == 0 else mpmath.power(2, mpmath.mpf(j) / 16) / 2
    else:
        value = lambda j: 1 if j == 0 else mpmath.power(2, mpmath.mpf(j - 8) / 8)
    t_hi, t_lo = table(entries, value)
    rng = np.random.default_rng(seed)
    xs = np.concatenate([rng.uniform(low, high, samples), rng.uniform(-2, 2, samples // 2)])
    worst = 0
    for x in xs.astype(F32):
        t = fma(-x, LOG2_E, rnd)
        neg_q = F32(rnd - t)
        j = low_bits(t, entries)
        s = fma(-neg_q, LN2_LO, fma(-neg_q, LN2_HI, x))
        w = fma(F32(s * s), poly(s), -s)
        lo = fma(t_hi[j], w, t_lo[j])
        c = mpmath.ceil(-mpmath.mpf(float(neg_q)))
        exact = mpmath.exp(-mpmath.mpf(float(x))) / mpmath.power(2, c)
        worst = max(worst, abs(mpmath.mpf(float(t_hi[j])) + mpmath.mpf(float(lo)) - exact))
    return worst


def main():
    c2, c3 = bits(0x3F000110), bits(0x3E2AABA4)
    a2, a3, a4 = bits(0x3F000000), bits(0x3E2AAE3B), bits(0x3D2AAED4)
    results = [
        ("AVX-512 parts, relative", avx512_parts(200_000)),
        (
            "AVX-512 ceil_parts, absolute",
            ceil_parts(200_000, 16, F32(786432.0), lambda s: fma(-s, c3, c2), -110, 110, 2),
        ),
        (
            "AVX2 ceil_parts8, absolute",
            ceil_parts(
                200_000, 8, F32(1572864.0), lambda s: fma(fma(a4, s, -a3), s, a2), -110, 20, 1
            ),
        ),
    ]
    for name, worst in results:
        print(f"{name}: 2^{float(mpmath.log(worst, 2)):.2f}")


if __name__ == "__main__":
    main()
