#!/usr/bin/env python3
"""Correctly rounded references for sse(y, y_hat) = 1/2 sum (y - y_hat)^2 on deterministic data.

The data come from splitmix64 (the generator of scripts/gen_reference.py and
tests/common/mod.rs) through the recipes in `generate` below, which tests/sse_reference.rs
repeats in Rust, so no data file is needed. The terms are exact: each difference a - b is split
exactly into r + r_err (TwoSum), the square (r + r_err)^2 into six exact products (Dekker).
math.fsum adds all of them correctly rounded (hi), a second fsum gives the sum's residual
rounded once (lo), so hi + lo is within 2^-106 relative of the exact sum, and mpmath rounds
hi + lo to the target type (the residual column, at least 0.028 ulp from a tie in every case
here, shows that the 2^-106 cannot change the rounding).

Writes tests/data/sse/references.txt, one line per case:

    <kind> <type> <n> <correctly rounded sse, hex bits> <residual in ulps, f64 hex bits>

    python3 scripts/sse_reference.py            # n = 10^3 and 10^6 (a few minutes)
    python3 scripts/sse_reference.py --large    # also n = 10^7 for the ignored test
    python3 scripts/sse_reference.py --check    # compare the n = 10^3 lines with the file
    python3 scripts/sse_reference.py --check --large   # every line of the file (long)
"""
import math
import os
import sys

from mpmath import mpf

sys.path.insert(0, os.path.dirname(__file__))
from gen_reference import SplitMix64, bits, round_exact, to_type  # noqa: E402

KINDS = ["uniform", "one_large", "near_equal", "wide_range", "large"]
# Precision and the exponent range used by the recipes, per type.
PARAMS = {"f64": (53, 400, 500), "f32": (24, 100, 50)}


def generate(kind, fmt, n, seed):
    """The (y, y_hat) pairs of a case, as Python floats holding values of the type."""
    rng = SplitMix64(seed)
    precision, span, big = PARAMS[fmt]
    u = rng.uniform
    for i in range(n):
        if kind == "uniform":
            y, y_hat = u(), u()
        elif kind == "one_large":
            # One term of 1/2, then many tiny ones that a sequential sum drops.
            if i == 0:
                y, y_hat = 1.0, 0.0
            else:
                y = u()
                y_hat = y + (u() - 0.5) * 2.0**-20
        elif kind == "near_equal":
            # Differences of a few ulps: every bit of y - y_hat counts.
            y = u()
            y_hat = y * (1.0 + (u() - 0.5) * 2.0 ** (6 - precision))
        elif kind == "wide_range":
            k1 = math.floor(u() * span) - span // 2
            y = (u() - 0.5) * 2.0**k1
            k2 = math.floor(u() * span) - span // 2
            y_hat = (u() - 0.5) * 2.0**k2
        elif kind == "large":
            y = (u() - 0.5) * 2.0**big
            y_hat = u() * 2.0**big
        else:
            raise ValueError(kind)
        yield to_type(y, fmt), to_type(y_hat, fmt)


def two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def split(a):
    t = 134217729.0 * a
    hi = t - (t - a)
    return hi, a - hi


def two_prod(a, b):
    p = a * b
    ah, al = split(a)
    bh, bl = split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def exact_sse(pairs):
    terms = []
    for y, y_hat in pairs:
        r, r_err = two_sum(y, -y_hat)
        terms.extend(two_prod(r, r))
        terms.extend(two_prod(2.0 * r, r_err))
        terms.extend(two_prod(r_err, r_err))
    hi = math.fsum(terms)
    lo = math.fsum(terms + [-hi])
    return (mpf(hi) + mpf(lo)) / 2


def seed(kind, fmt, n):
    return 1000 * KINDS.index(kind) + (7 if fmt == "f64" else 3) + n


def lines(sizes):
    """The lines of the references file for `sizes`, one case after another."""
    for n in sizes:
        kinds = KINDS if n <= 1_000_000 else ["uniform", "one_large"]
        for fmt in ["f64", "f32"]:
            for kind in kinds:
                exact = exact_sse(generate(kind, fmt, n, seed(kind, fmt, n)))
                rounded, residual = round_exact(exact, fmt)
                yield f"{kind} {fmt} {n} {bits(rounded, fmt)} {bits(residual, 'f64')}"


def main():
    out_path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "sse", "references.txt")
    large = "--large" in sys.argv
    if "--check" in sys.argv:
        stored = [l for l in open(out_path).read().splitlines() if l and not l.startswith("#")]
        wanted = [l for l in stored if large or int(l.split()[2]) <= 1000]
        sizes = sorted({int(l.split()[2]) for l in wanted})
        generated = list(lines(sizes))
        bad = [(a, b) for a, b in zip(wanted, generated) if a != b]
        for a, b in bad:
            print(f"file: {a}\ngenerated: {b}")
        if len(wanted) != len(generated):
            print(f"{len(wanted)} lines in the file, {len(generated)} generated")
        ok = not bad and len(wanted) == len(generated)
        print(f"{len(wanted)} sse references match" if ok else "sse references differ")
        sys.exit(0 if ok else 1)
    sizes = [1000, 1_000_000] + ([10_000_000] if large else [])
    with open(out_path, "w") as out:
        out.write("# kind type n sse residual_ulps; generated by scripts/sse_reference.py\n")
        for line in lines(sizes):
            out.write(line + "\n")
            print(line, flush=True)

if __name__ == "__main__":
    main()
