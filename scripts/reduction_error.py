#!/usr/bin/env python3
"""Largest errors of the f32 exponential reductions of the AVX-512 and AVX2 kernels, emulated.

Each FMA is one product of f32 values (exact in f64) plus an addend, rounded to f64 and then to
f32; the f64 step adds at most 2^-53 relative, far below the f32 roundings measured. The exact
values come from mpmath. Prints log2 of the largest error over uniform inputs (seeded):

- AVX-512 `parts` (tanh, tanh', softplus): relative error of m_hi + m_lo against e^z / 2^floor(q);
- AVX-512 `ceil_parts` (sigma, sigma'): absolute error of T_hi + lo against e^-x / 2^ceil(q);
- AVX2 `ceil_parts8`: the same with the 8-entry table and the quartic;
- AVX2 `ceil_reciprocal8` (sigma's y), emulated with single roundings and `vrcpps` modelled as
  1/d off by a factor 1 + rel: the largest |1 - y*(s + d_lo)| before y's rounding with rel at
  either end of the documented 1.5*2^-12, and how many of the y differ between two models within
  it (rel = 1.5*2^-12 and 2^-14), as they may between CPUs.

The docs of src/simd/avx512.rs and src/simd/avx2.rs quote these figures. Runs in about a minute.
"""
import struct
from fractions import Fraction

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


def r32(q):
    """The rational q rounded once to f32 (to nearest at 24 bits; normal results only)."""
    return F32(float(mpmath.mpf(mpmath.libmp.from_rational(q.numerator, q.denominator, 24, "n"))))


def fma1(a, b, c):
    """a*b + c rounded once to f32."""
    return r32(Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c)))


def avx2_reciprocal(samples):
    a2, a3, a4 = bits(0x3F000000), bits(0x3E2AAE3B), bits(0x3D2AAED4)
    rnd = F32(1572864.0)
    t_hi, t_lo = table(8, lambda j: 1 if j == 0 else mpmath.power(2, mpmath.mpf(j - 8) / 8))

    def reciprocal(x, rel):
        t = fma1(-x, LOG2_E, rnd)
        neg_q = fma1(-1, t, rnd)
        j = low_bits(t, 8)
        biased = (low_bits(rnd, 2**32) + 8 * 127 - low_bits(t, 2**32)) >> 3
        s = fma1(-neg_q, LN2_LO, fma1(-neg_q, LN2_HI, x))
        w = fma1(fma1(s, s, 0), fma1(fma1(a4, s, -a3), s, a2), -s)
        lo = fma1(t_hi[j], w, t_lo[j])
        power = F32(2.0 ** (biased - 127)) if biased > 0 else F32(0)
        big, small = max(power, t_hi[j]), min(power, t_hi[j])
        total = fma1(big, 1, small)
        d_lo = fma1(fma1(small, 1, -fma1(total, 1, -big)), 1, lo)
        d = fma1(total, 1, d_lo)
        y0 = r32(Fraction(1) / Fraction(float(d)) * (1 + rel))
        y = fma1(fma1(-y0, d, 1), y0, y0)
        res = fma1(-y, d_lo, fma1(-y, total, 1))
        before = Fraction(float(res)) * Fraction(float(y)) + Fraction(float(y))
        error = abs(1 - before * (Fraction(float(total)) + Fraction(float(d_lo))))
        return error, fma1(res, y, y)

    rng = np.random.default_rng(4)
    worst, differ = 0, 0
    xs = np.concatenate([rng.uniform(-87, 20, samples), rng.uniform(-2, 2, samples // 2)])
    for x in xs.astype(F32):
        bound = Fraction(3, 2**13)
        worst = max(worst, reciprocal(x, bound)[0], reciprocal(x, -bound)[0])
        differ += reciprocal(x, bound)[1] != reciprocal(x, Fraction(1, 2**14))[1]
    return worst, differ / len(xs)


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
    worst, differ = avx2_reciprocal(20_000)
    worst = float(mpmath.log(worst, 2))
    print(f"AVX2 ceil_reciprocal8, |1 - y(s + d_lo)| before rounding: 2^{worst:.2f}")
    print(f"AVX2 ceil_reciprocal8, y differing between two vrcpps models: {100 * differ:.2f} %")


if __name__ == "__main__":
    main()
