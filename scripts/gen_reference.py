#!/usr/bin/env python3
"""Reference tables for the activations, computed with mpmath at 70 significant digits.

Writes tests/data/activations/<function>_<type>.txt for the functions sigmoid, sigmoid_derivative, tanh,
tanh_derivative and softplus, and the types f64 and f32. Each line holds three hexadecimal bit
patterns:

    <input> <correctly rounded f(input)> <(f(input) - rounded) / ulp, as an f64>

where ulp is the spacing of the type at the exact value (so the last column lies in
[-0.5, 0.5]). Lines starting with '#' are comments. The inputs are deterministic: fixed special
values plus samples from splitmix64 (seed 0x5eed) over regions where naive formulas fail:
dense near 0, where 1 - f rounds, at the overflow edge of exp, in the subnormal-output band and
out to the largest finite values.

    python3 scripts/gen_reference.py          # rewrites tests/data/activations/*.txt
    python3 scripts/gen_reference.py --check  # compares them with what it would write
"""
import math
import os
import struct
import sys

from mpmath import mp, mpf, exp, tanh, sech, log1p, frexp, ldexp, floor, isinf

mp.dps = 70

MASK64 = (1 << 64) - 1


class SplitMix64:
    """Steele, Lea and Flood's splitmix64; tests/common/mod.rs has the same generator."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def uniform(self):
        """A float in [0, 1) from the top 53 bits."""
        return (self.next_u64() >> 11) * 2.0**-53


FORMATS = {
    # name: (precision p, exponent of the smallest subnormal, largest finite value)
    "f64": (53, -1074, 1.7976931348623157e308),
    "f32": (24, -149, 3.4028234663852886e38),
}


def to_type(x, fmt):
    """Python float holding x rounded to nearest-even in the format (exact in f64)."""
    return float(x) if fmt == "f64" else struct.unpack("<f", struct.pack("<f", x))[0]


def bits(x, fmt):
    if fmt == "f64":
        return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]
    return "%08x" % struct.unpack("<I", struct.pack("<f", x))[0]


def round_exact(x, fmt):
    """(correctly rounded value as a Python float, (x - rounded) / ulp(x)) for a real x."""
    p, qmin, fmax = FORMATS[fmt]
    if isinf(x):
        return (math.inf if x > 0 else -math.inf), 0.0
    if x == 0:
        return 0.0, 0.0
    _, e = frexp(x)  # |x| = m 2^e, m in [0.5, 1)
    q = max(int(e) - p, qmin)
    n = ldexp(x, -q)
    lower = floor(n)
    frac = n - lower
    k = int(lower)
    if frac > 0.5 or (frac == 0.5 and k % 2 == 1):
        k += 1
    rounded = float(k) * 2.0**q if q >= -1074 else float(ldexp(mpf(k), q))
    if abs(rounded) > fmax:
        return (math.inf if x > 0 else -math.inf), 0.0
    return rounded, float(n - k)


def sigmoid(h):
    return 1 / (1 + exp(-h))


def sigmoid_derivative(h):
    e = exp(-abs(h))
    return e / (1 + e) ** 2


def tanh_derivative(h):
    return sech(h) ** 2


def softplus(h):
    # ln(1 + e^h) without forming e^h for huge h.
    return max(h, 0) + log1p(exp(-abs(h)))


FUNCTIONS = {
    "sigmoid": sigmoid,
    "sigmoid_derivative": sigmoid_derivative,
    "tanh": tanh,
    "tanh_derivative": tanh_derivative,
    "softplus": softplus,
}

# Regions per type: (low, high, count) for uniform samples, mirrored to negative inputs.
REGIONS = {
    "f64": [
        (0.0, 1.0, 300),  # around 0
        (1.0, 40.0, 600),  # the bulk; 1 - f rounds from ~36.7
        (30.0, 40.0, 300),  # where s(1 - s) collapses
        (700.0, 712.0, 300),  # exp overflows beyond 709.78
        (708.0, 746.0, 400),  # subnormal sigmoid(-h)
        (354.0, 374.0, 200),  # subnormal tanh'
    ],
    "f32": [
        (0.0, 1.0, 300),
        (1.0, 20.0, 600),
        (14.0, 18.0, 300),  # where s(1 - s) collapses in f32
        (85.0, 90.0, 300),  # expf overflows beyond 88.72
        (87.0, 104.0, 400),  # subnormal sigmoid(-h)
        (43.0, 52.0, 200),  # subnormal tanh'
    ],
}

LOG_SPANS = {"f64": (-1074, 1024), "f32": (-149, 128)}

# Dense samples around the points where the f64 kernels of src/accurate.rs switch formulas,
# drawn from a second generator after all the others, so that the points above stay as they
# were: softplus's series for e^-|h| < 1/64 (|h| > ln 64 = 4.159), tanh's TANH_ONE = 20 and
# TANH_TINY = 2^-27, and the saturation at |h| = 750.
SWITCHES = {
    "f64": [
        (3.9, 4.4, 400),
        (19.5, 20.5, 200),
        (2.0**-28, 2.0**-26, 200),
        (745.0, 755.0, 100),
    ],
    "f32": [],
}


def inputs(fmt):
    rng = SplitMix64(0x5EED)
    p, qmin, fmax = FORMATS[fmt]
    tiny = 2.0**qmin
    values = [0.0, -0.0, tiny, -tiny, 2.0 ** (qmin + p - 1), 1.0, -1.0, 0.5, -0.5, fmax, -fmax,
              math.inf, -math.inf]
    for low, high, count in REGIONS[fmt]:
        for _ in range(count):
            v = to_type(low + (high - low) * rng.uniform(), fmt)
            values += [v, -v]
    # Log-uniform magnitudes over the whole range, dense near 0.
    lo, hi = LOG_SPANS[fmt]
    for _ in range(500):
        v = to_type(2.0 ** (lo + (hi - 1 - lo) * rng.uniform()), fmt)
        values += [v, -v]
    switches = SplitMix64(0x5317C4)
    for low, high, count in SWITCHES[fmt]:
        for _ in range(count):
            v = to_type(low + (high - low) * switches.uniform(), fmt)
            values += [v, -v]
    seen = set()
    unique = []
    for v in values:
        key = bits(v, fmt)
        if key not in seen:
            seen.add(key)
            unique.append(v)
    return unique


def tables():
    """(file name, contents) of every table."""
    for fmt in FORMATS:
        xs = inputs(fmt)
        for name, f in FUNCTIONS.items():
            text = [f"# {name} in {fmt}: input, correctly rounded value, residual in ulps\n",
                    "# generated by scripts/gen_reference.py (mpmath, 70 digits)\n"]
            for x in xs:
                rounded, residual = round_exact(f(mpf(x)), fmt)
                text.append(f"{bits(x, fmt)} {bits(rounded, fmt)} {bits(residual, 'f64')}\n")
            yield f"{name}_{fmt}.txt", "".join(text)


def write_or_check(path, text):
    """Writes `text` to `path`, or with --check exits 1 unless the file already holds it."""
    name = os.path.relpath(path, os.path.join(os.path.dirname(__file__), ".."))
    if "--check" in sys.argv:
        same = open(path).read() == text
        print(f"{name} matches" if same else f"{name} differs")
        sys.exit(0 if same else 1)
    with open(path, "w") as out:
        out.write(text)
    print(name, text.count("\n") - 1)


def main():
    out_dir = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "activations")
    if "--check" in sys.argv:
        bad = [name for name, text in tables()
               if open(os.path.join(out_dir, name)).read() != text]
        print(f"differ: {bad}" if bad else "all activation tables match")
        sys.exit(1 if bad else 0)
    os.makedirs(out_dir, exist_ok=True)
    for name, text in tables():
        path = os.path.join(out_dir, name)
        with open(path, "w") as out:
            out.write(text)
        print(path, text.count("\n") - 2)

if __name__ == "__main__":
    main()
