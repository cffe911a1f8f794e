#!/usr/bin/env python3
"""Largest errors of the f64 exponential reductions and the kernels on them, emulated bit for bit.

Every f64 operation of the kernels is emulated exactly: Python's float arithmetic is IEEE
binary64 with rounding to nearest, and an FMA is the exact rational a·b + c (fractions)
rounded once by float(), which CPython rounds correctly. The exact values come from mpmath at
200 bits. Errors are printed in u = 2^-53 (or in ulps of the result where marked), beside the
bound the docs derive:

- `parts64` (src/simd/avx512.rs) and `table_exp_parts` (src/simd/math.rs), the same operations:
  ε_m of m_hi + m_lo against e^z / 2^floor(n), bound 0.081u;
- `exp_parts` (math.rs, tanh): hi + lo against e^r, bound 0.062u, and m1 = e^z − 1 for k = 0,
  bound 0.13u;
- `ceil_parts64` + `ceil_reciprocal64` (avx512.rs, σ): ε_M of T_hi + lo against
  e^-x / 2^ceil(q), bound 0.104u; d + d_lo against P + e^-x / 2^ceil(q), bound 0.128u; and σ
  before its one rounding, bound 0.28u, with `vrcp14pd` modelled at its worst, 1/x off by a
  factor 1 ± (2^-14 − 2^-30) (the sign alternates);
- the portable σ (math.rs `sigmoid_f64`) before its rounding, bound 0.081u + 2^-94;
- the AVX-512 σ′ (`sigmoid_pair8_finish`, bound 0.28u), tanh (`tanh8`: the Taylor branch within
  0.08 ulp, 2σ(2a) − 1 within 0.05u absolute) and tanh′ (`tanh_derivative8`, 0.34u) before their
  last rounding, the portable tanh (math.rs `tanh_f64`, 0.18u), and the portable σ′ (math.rs
  `sigmoid_derivative_f64`, which is also `tanh_derivative_f64` but for an exact factor 4:
  0.081u + 2^-93);
- softplus, AVX-512 (`softplus8`) and portable (math.rs `softplus_f64`), before its last
  rounding, as a fraction of the budget in `softplus8`'s docs at the same x,
  0.081u·e/(1 + e) + 8.8u·R (plus 2^-40 ulp for the terms of order u² it leaves out), and the
  largest of that budget over x.

Exits with status 1 if any error exceeds its bound.

    python3 scripts/reduction_error64.py            # 3·10^5 inputs per kernel, about 9 min
    python3 scripts/reduction_error64.py 20000      # fewer inputs
"""
import math
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
PAIR_MAX_EXPONENT64 = 80.0
TANH_SMALL = float(np.float32(0.2555))


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


def source_table(file, name, length):
    """A `[f64; length]` table of a source file under src/simd/, read from its bit patterns."""
    text = (Path(__file__).resolve().parent.parent / "src/simd" / file).read_text()
    body = re.search(name + r": \[f64; \d+\] = \[(.*?)\];", text, re.S).group(1)
    values = [from_bits(int(h.replace("_", ""), 16)) for h in re.findall(r"0x([0-9A-F_]+)", body)]
    assert len(values) == length
    return values


EXP2_HI = source_table("math.rs", "EXP2_16_HI", 16)
EXP2_LO = source_table("math.rs", "EXP2_16_LO", 16)
TANH_P64 = source_table("avx512.rs", "TANH_P64", 11)
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


def one_plus_e(z):
    """math.rs `sigmoid_parts` at z ≤ 0 but for y: (m_hi, m_lo, floor(n), d, d_lo) with
    e^z = (m_hi + m_lo)·2^floor(n) and 1 + e^z = d + d_lo."""
    m_hi, m_lo, scale_exp = table_parts(z)
    scale = 2.0**scale_exp
    d = fma(m_hi, scale, 1.0)
    return m_hi, m_lo, scale_exp, d, fma(m_lo, scale, fma(m_hi, scale, 1.0 - d))


def portable_divide_pair(n_hi, n_lo, d, d_lo, y):
    """math.rs `divide_pair`: the quotient rounded, its error, and the value before rounding
    (an mpf)."""
    q0 = n_hi * y
    residual = fma(-q0, d, n_hi) + fma(-q0, d_lo, n_lo)
    q = fma(residual, y, q0)
    return q, fma(residual, y, q0 - q), exact((residual, y), q0)


def portable_sigmoid(x):
    """math.rs `sigmoid_f64` before its last rounding, as an mpf (for |x| ≤ 700)."""
    m_hi, m_lo, scale_exp, d, d_lo = one_plus_e(-abs(x))
    n = (1.0, 0.0) if x >= 0 else (m_hi, m_lo)
    q = portable_divide_pair(*n, d, d_lo, recip(d))[2]
    return q if x >= 0 else q * mpmath.mpf(2) ** scale_exp


def ceil_denominator(x, max_exponent):
    """`ceil_parts64` and the first steps of `ceil_reciprocal64` with the exponent
    min(−q, max_exponent): (−q, T_hi, w, lo, sum, d_lo, floor of the exponent)."""
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
    exponent = int(np.floor(min(neg_q, max_exponent)))
    power = 2.0**exponent
    big, small = max(power, t_hi), min(power, t_hi)
    total = big + small
    d_lo = (small - (total - big)) + lo
    return neg_q, t_hi, w, lo, total, d_lo, exponent


def ceil_sigmoid(x, sign):
    """`ceil_parts64` + `ceil_reciprocal64` + the scaling of `sigmoid8_finish`, x in
    [−746, 50]: (ε_M, error of d + d_lo, σ before its rounding), as mpf."""
    _, t_hi, w, lo, total, d_lo, exponent = ceil_denominator(x, math.inf)
    y0 = rcp14(fma(t_hi, w, total), sign)
    e = fma(-y0, d_lo, fma(-y0, total, 1.0))
    tt = fma(e, fma(e, e, e), e)
    sigma = exact((y0, tt), y0) * mpmath.mpf(2) ** exponent

    m_exact = mpmath.exp(-mpmath.mpf(x)) * mpmath.mpf(2) ** exponent
    d_exact = mpmath.mpf(2) ** exponent + m_exact
    return (
        abs(exact(t_hi, lo) - m_exact) / m_exact,
        abs(exact(total, d_lo) - d_exact) / d_exact,
        sigma,
    )


def rcp14(v, sign):
    """`vrcp14pd` at its worst: 1/v off by a factor 1 ± (2^-14 − 2^-30), rounded."""
    return float(Fraction(1) / Fraction(v) * (1 + sign * Fraction(2**16 - 1, 2**30)))


def avx512_parts(z, sign):
    """`parts64` at z ≤ 0 with its d, d_lo and y: (m_hi, m_lo, floor(n), d, d_lo, y)."""
    m_hi, m_lo, scale_exp, d, d_lo = one_plus_e(z)
    y = rcp14(d, sign)
    y = fma(y, fma(-d, y, 1.0), y)
    return m_hi, m_lo, scale_exp, d, d_lo, y


def avx512_sigmoid_derivative(x, sign):
    """`sigmoid_pair8_finish`'s σ′ before its rounding, x in [−746, 746], as an mpf."""
    neg_q, t_hi, w, lo, total, d_lo, _ = ceil_denominator(x, PAIR_MAX_EXPONENT64)
    y0 = rcp14(fma(t_hi, w, total), sign)
    e = fma(-y0, d_lo, fma(-y0, total, 1.0))
    tt = fma(e, fma(e, e, e), e)
    t4 = fma(e, tt, e)
    h = fma(t4, t4, t4 + t4)
    a = t_hi * y0
    a_lo = fma(lo, y0, fma(t_hi, y0, -a))
    b = a * y0
    b_lo = fma(a_lo, y0, fma(a, y0, -b))
    b_lo = fma(b + b_lo, h, b_lo)
    slope_exponent = min(neg_q, 2 * PAIR_MAX_EXPONENT64 + 0.9375 - neg_q)
    return exact(b, b_lo) * mpmath.mpf(2) ** int(np.floor(slope_exponent))


def avx512_tanh(a, sign):
    """`tanh8` before its rounding, a ≥ 0, as an mpf."""
    if a < TANH_SMALL:
        u = a * a
        p = TANH_P64[10]
        for c in reversed(TANH_P64[:10]):
            p = fma(u, p, c)
        return exact((a * u, p), a)
    _, _, _, d, d_lo, y = avx512_parts(-(a + a), sign)
    y = fma(y, fma(-d, y, 1.0), y)
    res = fma(-y, d_lo, fma(-y, d, 1.0))
    return exact((res + res, y), fma(y, 2.0, -1.0))


def avx512_tanh_derivative(a, sign):
    """`tanh_derivative8` before its last rounding, a ≥ 0, as an mpf."""
    m_hi, m_lo, scale_exp, d, d_lo, y = avx512_parts(-(a + a), sign)
    q0 = m_hi * y
    res = fma(-q0, d, m_hi) + fma(-q0, d_lo, m_lo)
    q = fma(res, y, q0)
    r = res * y
    q2 = q * y
    res = fma(-q2, d, q0) + fma(-q2, d_lo, r)
    return exact((res, y), q2) * mpmath.mpf(2) ** (scale_exp + 2)


def avx512_softplus(x, sign):
    """`softplus8`'s general branch (−40 ≤ x ≤ 37.5) before its last rounding, as an mpf."""
    m_hi, m_lo, scale_exp, d, d_lo, _ = avx512_parts(-abs(x), sign)
    e_hi, e_lo = m_hi * 2.0**scale_exp, m_lo * 2.0**scale_exp
    big_d = 1.0 + d
    big_d_lo = ((1.0 - big_d) + d) + d_lo
    y = rcp14(big_d, sign)
    y = fma(y, fma(-big_d, y, 1.0), y)
    y = fma(y, fma(-big_d, y, 1.0), y)
    s0 = e_hi * y
    res = fma(-s0, big_d, e_hi) + fma(-s0, big_d_lo, e_lo)
    s_hi = fma(res, y, s0)
    s_lo = fma(res, y, s0 - s_hi)
    return series_sum(x, s_hi, s_lo)


def series_sum(x, s_hi, s_lo):
    """max(x, 0) + 2 atanh(s_hi + s_lo) as the softplus kernels form it, before the last
    rounding."""
    w = s_hi * s_hi
    poly = float(Fraction(1, 35))
    for k in reversed(range(16)):
        poly = fma(w, poly, float(Fraction(1, 2 * k + 3)))
    two_s = s_hi + s_hi
    rest = fma(two_s * w, poly, s_lo + s_lo)
    positive = max(0.0, x)
    total = positive + two_s
    v = total - positive
    err = (positive - (total - v)) + (two_s - v)
    return exact(total, err + rest)


def ulp(v):
    """The ulp of a normal f64 of magnitude v (an mpf)."""
    return mpmath.mpf(2) ** (int(mpmath.floor(mpmath.log(abs(v), 2))) - 52)


def sigmoid_exact(x):
    return 1 / (1 + mpmath.exp(-mpmath.mpf(x)))


def inputs(rng, samples, low, high):
    return np.concatenate(
        [rng.uniform(low, high, samples), rng.uniform(-2, 2, samples // 4),
         rng.uniform(-0.05, 0.05, samples // 4)]
    )


def portable_softplus(x):
    """math.rs `softplus_f64`'s general branch (−40 ≤ x ≤ 37.5) before its last rounding."""
    m_hi, m_lo, scale_exp, d, d_lo = one_plus_e(-abs(x))
    big_d = 1.0 + d
    big_d_lo = ((1.0 - big_d) + d) + d_lo
    y = 0.5 * recip(0.5 * big_d)
    scale = 2.0**scale_exp
    s_hi, s_lo, _ = portable_divide_pair(m_hi * scale, m_lo * scale, big_d, big_d_lo, y)
    return series_sum(x, s_hi, s_lo)


def portable_sigmoid_derivative(x):
    """math.rs `sigmoid_derivative_f64` (and `tanh_derivative_f64` at x = 2a, without its exact
    factor 4) before its last rounding, as an mpf (for |x| ≤ 700)."""
    m_hi, m_lo, scale_exp, d, d_lo = one_plus_e(-abs(x))
    y = recip(d)
    q, q_lo, _ = portable_divide_pair(m_hi, m_lo, d, d_lo, y)
    return portable_divide_pair(q, q_lo, d, d_lo, y)[2] * mpmath.mpf(2) ** scale_exp


def portable_tanh(a):
    """math.rs `tanh_f64` at a > 0 before its last rounding, as an mpf."""
    hi, lo, k, m1_hi, m1_lo = exp_parts(max(-2 * a, -800.0))
    scale = mpmath.mpf(2) ** k
    e_hi, e_lo = float(hi * scale), float(lo * scale)  # exact: 2^k is a power of two in range
    c = e_hi - 1.0
    c_lo = ((-1.0 - c) + e_hi) + e_lo
    m, m_lo = (m1_hi, m1_lo) if k == 0 else (c, c_lo)
    d = 2.0 + m
    d_lo = ((2.0 - d) + m) + m_lo
    y = recip(d)
    q0 = -m * y
    residual = fma(-q0, d, -m) + fma(-q0, d_lo, -m_lo)
    return exact((residual, y), q0)


def softplus_budget_at(x):
    """softplus8's error budget before rounding at x, in ulps of the result:
    (0.081u·e/(1 + e) + 8.8u·R)/ulp, R = 2 atanh(s) − 2s."""
    e = math.exp(-abs(x))
    s = e / (2 + e)
    rest = 2 * math.atanh(s) - 2 * s
    value = max(x, 0.0) + 2 * math.atanh(s)
    return (0.081 * e / (1 + e) + 8.8 * rest) / 2 ** (math.floor(math.log2(value)) + 1)


def softplus_budget():
    """The largest of `softplus_budget_at` over a grid of x in [−40, 37.5], and where."""
    grid = (i / 1024 for i in range(-40 * 1024, int(37.5 * 1024) + 1))
    return max((softplus_budget_at(x), x) for x in grid)


def main():
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rng = np.random.default_rng(64)
    worst = {}

    def note(name, error, unit=U):
        worst[name] = max(worst.get(name, 0), error / unit)

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
        note("AVX-512 σ", abs(sigma - want) / want)

    for x in inputs(rng, samples, -700, 40):
        x = float(x)
        want = sigmoid_exact(x)
        note("portable σ", abs(portable_sigmoid(x) - want) / want)

    for i, x in enumerate(inputs(rng, samples, -746, 746)):
        x = float(x)
        e = mpmath.exp(-abs(mpmath.mpf(x)))
        want = e / (1 + e) ** 2
        slope = avx512_sigmoid_derivative(x, 1 if i % 2 else -1)
        note("AVX-512 σ′", abs(slope - want) / want)
        if abs(x) <= 700:
            note("portable σ′ and tanh′", abs(portable_sigmoid_derivative(x) - want) / want)

    for i, a in enumerate(np.abs(inputs(rng, samples, 0, 20))):
        a = float(a)
        if a == 0:
            continue
        sign = 1 if i % 2 else -1
        want = mpmath.tanh(mpmath.mpf(a))
        error = abs(avx512_tanh(a, sign) - want)
        if a < TANH_SMALL:
            note("AVX-512 tanh, Taylor branch", error, ulp(want))
        else:
            note("AVX-512 tanh, 2σ(2a) − 1, absolute", error)
        if a < 350:
            note("portable tanh", abs(portable_tanh(a) - want) / want)
        e = mpmath.exp(-2 * mpmath.mpf(a))
        want = 4 * e / (1 + e) ** 2
        note("AVX-512 tanh′", abs(avx512_tanh_derivative(a, sign) - want) / want)

    for i, x in enumerate(inputs(rng, samples, -40, 37.5)):
        x = float(x)
        want = mpmath.log(1 + mpmath.exp(mpmath.mpf(x)))
        # Against the budget at x, with a floor for the terms of order u² it leaves out.
        budget = (softplus_budget_at(x) + 2.0**-40) * ulp(want)
        note("AVX-512 softplus / budget at x", abs(avx512_softplus(x, i % 2 * 2 - 1) - want), budget)
        note("portable softplus / budget at x", abs(portable_softplus(x) - want), budget)

    budget, at = softplus_budget()
    print(f"softplus8's budget peaks at x = {at}: {budget:.4f} ulp")
    # (bound, unit) from the docs; errors before the kernel's last rounding.
    bounds = {
        "parts64 / table_exp_parts: ε_m": (0.081, "u"),
        "exp_parts: hi + lo": (0.062, "u"),
        "exp_parts: m1 (k = 0)": (0.13, "u"),
        "ceil_parts64: ε_M": (0.104, "u"),
        "ceil_reciprocal64: d + d_lo": (0.128, "u"),
        "AVX-512 σ": (0.28, "u"),
        "portable σ": (0.081, "u"),
        "AVX-512 σ′": (0.28, "u"),
        "portable σ′ and tanh′": (0.081, "u"),
        "AVX-512 tanh, Taylor branch": (0.08, " ulp"),
        "AVX-512 tanh, 2σ(2a) − 1, absolute": (0.05, "u"),
        "portable tanh": (0.18, "u"),
        "AVX-512 tanh′": (0.34, "u"),
        "AVX-512 softplus / budget at x": (1, ""),
        "portable softplus / budget at x": (1, ""),
    }
    for name, (bound, unit) in bounds.items():
        print(f"{name}: {float(worst[name]):.4f}{unit} (bound {bound:.4g}{unit})")
    exceeded = [name for name, (bound, _) in bounds.items() if worst[name] > bound]
    sys.exit(f"over the bound: {', '.join(exceeded)}" if exceeded else 0)


if __name__ == "__main__":
    main()
