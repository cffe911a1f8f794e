#!/usr/bin/env python3
"""Largest errors of the f64 exponential reductions and σ, emulated bit for bit.

Every f64 operation of the kernels is emulated exactly: Python's float arithmetic is IEEE
binary64 with rounding to nearest, and an FMA is the exact rational a·b + c (fractions)
rounded once by float(), which CPython rounds correctly. The exact values come from mpmath at
200 bits. Errors are printed in u = 2^-53, beside the bound the docs derive:

- `parts64` (src/simd/avx512.rs) and `table_exp_parts` (src/simd/math.rs), the same operations:
  ε_m of m_hi + m_lo against e^z / 2^floor(n), bound 0.081u;
- `exp_parts` (math.rs, tanh): hi + lo against e^r, bound 0.062u, and m1 = e^z − 1 for k = 0,
  bound 0.13u;
- `ceil_parts64` + `ceil_reciprocal64` (avx512.rs, σ): ε_M of T_hi + lo against
  e^-x / 2^ceil(q), bound 0.104u; d + d_lo against P + e^-x / 2^ceil(q), bound 0.128u; and σ
  before its one rounding, bound 0.28u, with `vrcp14pd` modelled at its worst, 1/x off by a
  factor 1 ± (2^-14 − 2^-30) (the sign alternates);
- the portable σ (math.rs `sigmoid_f64`) before its rounding, bound 0.081u + 2^-94.

Exits with status 1 if any error exceeds its bound.

    python3 scripts/reduction_error64.py            # 3·10^5 inputs per kernel, about 3 min
    python3 scripts/reduction_error64.py 20000      # fewer inputs
"""
import re
import struct
import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np

mpmath.mp.prec = 200
U = mpmath.mpf(2) ** -53
LOG2_E = 1.4426950408889634
LN2_HI = struct.unpack("<d", struct.pack("<Q", 0x3FE62E42FEE00000))[0]
LN2_LO = struct.unpack("<d", struct.pack("<Q", 0x3DEA39EF35793C76))[0]
ROUND = 6755399441055744.0
ROUND_SIXTEENTHS = 422212465065984.0


def f64_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def fma(a, b, c):
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def exact(*terms):
    """The exact sum of products given as floats or tuples of floats, as an mpf."""
    total = Fraction(0)
    for t in terms:
        if isinstance(t, tuple):
            p = Fraction(1)
            for f in t:
                p *= Fraction(f)
            total += p
        else:
            total += Fraction(t)
    return mpmath.mpf(total.numerator) / total.denominator


def source_table(name):
    """A `[f64; 16]` table of src/simd/math.rs, read from its bit patterns."""
    text = (Path(__file__).resolve().parent.parent / "src/simd/math.rs").read_text()
    body = re.search(name + r": \[f64; 16\] = \[(.*?)\];", text, re.S).group(1)
    values = [from_bits(int(h.replace("_", ""), 16)) for h in re.findall(r"0x([0-9A-F_]+)", body)]
    assert len(values) == 16
    return values


EXP2_HI = source_table("EXP2_16_HI")
EXP2_LO = source_table("EXP2_16_LO")
# avx512.rs CEIL64_*: the tables halved from j = 1 on (exact).
CEIL_HI = [EXP2_HI[0]] + [v * 0.5 for v in EXP2_HI[1:]]
CEIL_LO = [EXP2_LO[0]] + [v * 0.5 for v in EXP2_LO[1:]]


def table_parts(z):
    """`parts64` / `table_exp_parts` at z ≤ 0: (m_hi, m_lo, floor(n))."""
    t = fma(z, LOG2_E, ROUND_SIXTEENTHS)
    n = t - ROUND_SIXTEENTHS
    j = f64_bits(t) & 15
    r = fma(-n, LN2_HI, z)
    r = fma(-n, LN2_LO, r)
    p = fma(r, 1 / 5040, 1 / 720)
    for c in (1 / 120, 1 / 24, 1 / 6, 0.5):
        p = fma(r, p, c)
    w = fma(r * r, p, r)
    m_hi = fma(EXP2_HI[j], w, EXP2_HI[j])
    m_lo = fma(EXP2_HI[j], w, EXP2_HI[j] - m_hi) + EXP2_LO[j]
    return m_hi, m_lo, int(np.floor(n))


def exp_parts(z):
    """math.rs `exp_parts` at z ≤ 0: (hi, lo, k, m1_hi, m1_lo)."""
    shifted = z * LOG2_E + ROUND
    kf = shifted - ROUND
    r_hi = fma(-kf, LN2_HI, z)
    corr = kf * LN2_LO
    r = r_hi - corr
    r_lo = (r_hi - r) - corr
    coeffs = [float(Fraction(1, int(mpmath.factorial(i)))) for i in range(3, 15)]
    p = coeffs[11]
    for c in reversed(coeffs[:11]):
        p = fma(p, r, c)
    sq = r * r
    sq_lo = fma(r, r, -sq)
    half_sq = 0.5 * sq
    a = r + half_sq
    rest = fma(r * sq, p, fma(0.5, sq_lo, fma(r_lo, r, r_lo)))
    a_lo = ((r - a) + half_sq) + rest
    m1_hi = a + a_lo
    m1_lo = (a - m1_hi) + a_lo
    hi = 1.0 + m1_hi
    lo = ((1.0 - hi) + m1_hi) + m1_lo
    return hi, lo, int(kf), m1_hi, m1_lo


def recip(d):
    """math.rs `recip`: an f32 division refined by one Newton step."""
    y0 = float(np.float32(1.0) / np.float32(d))
    return fma(y0, fma(-d, y0, 1.0), y0)


def portable_sigmoid(x):
    """math.rs `sigmoid_f64` before its last rounding, as an mpf (for |x| ≤ 700)."""
    m_hi, m_lo, scale_exp = table_parts(-abs(x))
    scale = 2.0**scale_exp
    d = fma(m_hi, scale, 1.0)
    d_lo = fma(m_lo, scale, fma(m_hi, scale, 1.0 - d))
    y = recip(d)
    n = (1.0, 0.0) if x >= 0 else (m_hi, m_lo)
    q0 = n[0] * y
    residual = fma(-q0, d, n[0]) + fma(-q0, d_lo, n[1])
    q = exact((residual, y), q0)
    return q if x >= 0 else q * mpmath.mpf(2) ** scale_exp


def ceil_sigmoid(x, sign):
    """`ceil_parts64` + `ceil_reciprocal64` + the scaling of `sigmoid8_finish`, x in
    [−746, 50]: (ε_M, error of d + d_lo, σ before its rounding), the first two as mpf."""
    t = fma(-x, LOG2_E, ROUND_SIXTEENTHS)
    neg_q = ROUND_SIXTEENTHS - t
    j = f64_bits(t) & 15
    t_hi, t_lo = CEIL_HI[j], CEIL_LO[j]
    s = fma(-neg_q, LN2_HI, x)
    s = fma(-neg_q, LN2_LO, s)
    s2 = s * s
    p01 = fma(s, -1 / 6, 0.5)
    p23 = fma(s, -1 / 120, 1 / 24)
    p45 = fma(s, -1 / 5040, 1 / 720)
    p = fma(s2, fma(s2, p45, p23), p01)
    w = fma(s2, p, -s)
    lo = fma(t_hi, w, t_lo)
    exponent = int(np.floor(neg_q))
    power = 2.0**exponent
    big, small = max(power, t_hi), min(power, t_hi)
    total = big + small
    d_lo = (small - (total - big)) + lo
    estimate = fma(t_hi, w, total)
    y0 = float(Fraction(1) / Fraction(estimate) * (1 + sign * Fraction(2**16 - 1, 2**30)))
    e = fma(-y0, d_lo, fma(-y0, total, 1.0))
    tt = fma(e, fma(e, e, e), e)
    sigma = exact((y0, tt), y0) * mpmath.mpf(2) ** exponent

    m_exact = mpmath.exp(-mpmath.mpf(x)) * mpmath.mpf(2) ** exponent
    m = exact(t_hi, lo)
    d_exact = mpmath.mpf(2) ** exponent + m_exact
    return (
        abs(m - m_exact) / m_exact,
        abs(exact(total, d_lo) - d_exact) / d_exact,
        sigma,
    )


def sigmoid_exact(x):
    return 1 / (1 + mpmath.exp(-mpmath.mpf(x)))


def inputs(rng, samples, low, high):
    return np.concatenate(
        [rng.uniform(low, high, samples), rng.uniform(-2, 2, samples // 4),
         rng.uniform(-0.05, 0.05, samples // 4)]
    )


def main():
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rng = np.random.default_rng(64)
    worst = {}

    def note(name, value):
        worst[name] = max(worst.get(name, 0), value / U)

    for z in -np.abs(inputs(rng, samples, -800, 0)):
        z = float(z)
        m_hi, m_lo, scale_exp = table_parts(z)
        want = mpmath.exp(mpmath.mpf(z)) / mpmath.mpf(2) ** scale_exp
        note("parts64 / table_exp_parts: ε_m", abs(exact(m_hi, m_lo) - want) / want)

    for z in -np.abs(inputs(rng, samples, -800, 0)):
        z = float(z)
        hi, lo, k, m1_hi, m1_lo = exp_parts(z)
        want = mpmath.exp(mpmath.mpf(z)) / mpmath.mpf(2) ** k
        note("exp_parts: hi + lo", abs(exact(hi, lo) - want) / want)
        if k == 0 and z != 0:
            want = mpmath.expm1(mpmath.mpf(z))
            note("exp_parts: m1 (k = 0)", abs(exact(m1_hi, m1_lo) - want) / abs(want))

    for i, x in enumerate(inputs(rng, samples, -746, 50)):
        x = float(x)
        eps_m, eps_d, sigma = ceil_sigmoid(x, 1 if i % 2 else -1)
        note("ceil_parts64: ε_M", eps_m)
        note("ceil_reciprocal64: d + d_lo", eps_d)
        want = sigmoid_exact(x)
        note("AVX-512 σ before rounding", abs(sigma - want) / want)

    for x in inputs(rng, samples, -700, 40):
        x = float(x)
        want = sigmoid_exact(x)
        note("portable σ before rounding", abs(portable_sigmoid(x) - want) / want)

    bounds = {
        "parts64 / table_exp_parts: ε_m": 0.081,
        "exp_parts: hi + lo": 0.062,
        "exp_parts: m1 (k = 0)": 0.13,
        "ceil_parts64: ε_M": 0.104,
        "ceil_reciprocal64: d + d_lo": 0.128,
        "AVX-512 σ before rounding": 0.28,
        "portable σ before rounding": 0.081,
    }
    exceeded = [name for name, bound in bounds.items() if worst[name] > bound]
    for name, bound in bounds.items():
        print(f"{name}: {float(worst[name]):.4f}u (bound {bound}u)")
    sys.exit(f"over the bound: {', '.join(exceeded)}" if exceeded else 0)


if __name__ == "__main__":
    main()
