#!/usr/bin/env python3
"""Correctly rounded f64 references for the sigmoid, tanh and their derivatives.

Writes tests/data/sigmoid_f64.txt and tests/data/tanh_f64.txt: one line per point, three hex
bit patterns `x f(x) f'(x)`, each the exact value rounded to nearest f64 (mpmath at 300 bits,
then IEEE round-to-nearest-even including the subnormal range, done with mpmath's own
rounding to 53 bits and an explicit subnormal quantum).

Sigmoid points: dense near 0, a log sweep, the region where 1 - s rounds, the overflow edge of exp
(|x| near 709), the subnormal-output band (-745.13, -708.4) and a deterministic splitmix64 sample.
"""
import math
import struct
import sys

import mpmath

mpmath.mp.prec = 300


def bits(v: float) -> str:
    return struct.pack(">d", v).hex()


def round_f64(v) -> float:
    """Round a positive mpf to the nearest f64 (ties to even), subnormals included."""
    if v == 0:
        return 0.0
    m, e = mpmath.frexp(v)  # v = m * 2**e, 0.5 <= m < 1
    e = int(e)
    # Normal numbers carry 53 bits; below 2**-1022 the quantum is 2**-1074.
    quantum_exp = max(e - 53, -1074)
    scaled = v * mpmath.mpf(2) ** (-quantum_exp)
    n = int(mpmath.nint(scaled))  # nint rounds ties to even
    return math.ldexp(n, quantum_exp) if n < 2 ** 1100 else math.inf


def sigmoid(x: float):
    x = mpmath.mpf(x)
    return 1 / (1 + mpmath.exp(-x))


def derivative(x: float):
    x = mpmath.mpf(x)
    e = mpmath.exp(-abs(x))
    return e / (1 + e) ** 2


def tanh(x: float):
    return mpmath.tanh(mpmath.mpf(x))


def tanh_derivative(x: float):
    return 1 / mpmath.cosh(mpmath.mpf(x)) ** 2


def round_signed(v) -> float:
    return -round_f64(-v) if v < 0 else round_f64(v)


def tanh_points():
    pts = [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 2.0 ** -27, 2.0 ** -26, 1e-8, -1e-8]
    pts += [i / 256 for i in range(-256 * 2, 256 * 2 + 1)]
    pts += [s * 10 ** (k / 16) for k in range(-16 * 20, 16 * 3) for s in (1, -1)]
    pts += [s * (0.17328679513998632 + i * 2.0 ** -40) for i in range(-64, 65) for s in (1, -1)]
    pts += [18 + i / 64 for i in range(64 * 2)]  # tanh rounds to 1
    pts += [350 + i / 8 for i in range(8 * 30)]  # derivative reaches the subnormals
    gen = splitmix64(7)
    for _ in range(4000):
        u = next(gen) / 2 ** 64
        pts.append((u * 2 - 1) * 40)
    return pts


def splitmix64(state):
    while True:
        state = (state + 0x9E3779B97F4A7C15) & (2 ** 64 - 1)
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2 ** 64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2 ** 64 - 1)
        yield z ^ (z >> 31)


def points():
    pts = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, -1e-300]
    pts += [i / 64 for i in range(-64 * 4, 64 * 4 + 1)]
    pts += [s * 10 ** (k / 16) for k in range(-16 * 20, 16 * 3) for s in (1, -1)]
    pts += [36 + i / 64 for i in range(64 * 4)]  # 1 - s rounds
    pts += [s * (700 + i / 16) for i in range(16 * 12) for s in (1, -1)]  # exp overflow edge
    pts += [-708.4 - i * 0.0625 for i in range(int(36.8 * 16))]  # subnormal outputs
    pts += [-745.13, -745.1332191019411, -745.14, -746.0, 709.78, -709.78, 745.13]
    gen = splitmix64(42)
    for _ in range(4000):
        u = next(gen) / 2 ** 64
        pts.append((u * 2 - 1) * 750)
    return pts


def tables():
    """(file name, contents) of both tables."""
    text = ["# x sigmoid(x) sigmoid'(x): f64 bit patterns, correctly rounded (mpmath, 300 bits)\n"]
    for x in points():
        text.append(f"{bits(x)} {bits(round_f64(sigmoid(x)))} {bits(round_f64(derivative(x)))}\n")
    yield "sigmoid_f64.txt", "".join(text)
    text = ["# x tanh(x) tanh'(x): f64 bit patterns, correctly rounded (mpmath, 300 bits)\n"]
    for x in tanh_points():
        t, d = tanh(x), tanh_derivative(x)
        text.append(f"{bits(x)} {bits(round_signed(t))} {bits(round_f64(d))}\n")
    yield "tanh_f64.txt", "".join(text)


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    folder = args[0] if args else "tests/data"
    if "--check" in sys.argv:
        bad = [name for name, text in tables() if open(f"{folder}/{name}").read() != text]
        print(f"differ: {bad}" if bad else "sigmoid and tanh tables match")
        sys.exit(1 if bad else 0)
    for name, text in tables():
        with open(f"{folder}/{name}", "w") as f:
            f.write(text)

if __name__ == "__main__":
    main()
