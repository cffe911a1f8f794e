#!/usr/bin/env python3
"""Constants of the SIMD exponentials in src/simd/, from mpmath at 200 bits.

Prints the 2^(j/16) tables as (hi, lo) pairs, hi = 2^(j/16) rounded to nearest and lo the
remainder rounded to nearest, in f32 (`TABLE_HI`, `TABLE_LO` of src/simd/avx512.rs) and in f64
(`EXP2_16_HI`, `EXP2_16_LO` of src/simd/math.rs), and ln 2 split Cody-Waite style: to 12
significant bits plus the f32 remainder (`LN2_HI`, `LN2_LO` of avx512.rs), and to 32 bits
plus the f64 remainder (`LN2_HI`, `LN2_LO` of math.rs).

    python3 scripts/gen_exp2_16_tables.py           # print the Rust constants
    python3 scripts/gen_exp2_16_tables.py --check   # compare them with the sources
"""
import re
import struct
import sys

from mpmath import mp, mpf, log, floor, ldexp, frexp

mp.prec = 200


def f64_bits(x):
    return struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def f32_bits(x):
    # float(x) rounds to f64 first; every value here keeps far more than 29 spare bits, so
    # rounding that to f32 is the correct rounding of x except in a near-tie, checked below.
    value = float(x)
    bits = struct.unpack("<I", struct.pack("<f", value))[0]
    nearest = struct.unpack("<f", struct.pack("<I", bits))[0]
    assert abs(mpf(nearest) - x) <= abs(mpf(struct.unpack("<f", struct.pack("<I", bits + 1))[0]) - x)
    assert abs(mpf(nearest) - x) <= abs(mpf(struct.unpack("<f", struct.pack("<I", bits - 1))[0]) - x)
    return bits


def as_f32(bits):
    return mpf(struct.unpack("<f", struct.pack("<I", bits))[0])


def as_f64(bits):
    return mpf(struct.unpack("<d", struct.pack("<Q", bits))[0])


def grouped(bits, digits):
    text = f"{bits:0{digits}X}"
    return "_".join(text[i:i + 4] for i in range(0, digits, 4))


def truncated(x, significant_bits):
    m, e = frexp(x)
    return ldexp(floor(ldexp(m, significant_bits)), int(e) - significant_bits)


def constants():
    out = {}
    exact = [mpf(2) ** (mpf(j) / 16) for j in range(16)]
    hi32 = [f32_bits(v) for v in exact]
    lo32 = [f32_bits(v - as_f32(h)) if v != as_f32(h) else 0 for v, h in zip(exact, hi32)]
    hi64 = [f64_bits(v) for v in exact]
    lo64 = [f64_bits(v - as_f64(h)) for v, h in zip(exact, hi64)]
    out["avx512.rs TABLE_HI"] = [grouped(b, 8) for b in hi32]
    out["avx512.rs TABLE_LO"] = [grouped(b, 8) for b in lo32]
    out["math.rs EXP2_16_HI"] = [grouped(b, 16) for b in hi64]
    out["math.rs EXP2_16_LO"] = [grouped(b, 16) for b in lo64]
    ln2 = log(2)
    hi = truncated(ln2, 12)
    out["avx512.rs LN2_HI"] = [grouped(f32_bits(hi), 8)]
    out["avx512.rs LN2_LO"] = [grouped(f32_bits(ln2 - hi), 8)]
    hi = truncated(ln2, 32)
    out["math.rs LN2_HI"] = [grouped(f64_bits(hi), 16)]
    out["math.rs LN2_LO"] = [grouped(f64_bits(ln2 - hi), 16)]
    return out


def in_source(path, name):
    """The hex bit patterns of constant `name` in `path`, in order: of its `from_bits(0x…)`
    values, or of a decimal `f64` literal as Rust parses it (correctly rounded, as Python's
    `float`), which must also agree with the literal's `// bits 0x…` comment."""
    text = open(path).read()
    start = re.search(rf"const {name}\b", text).start()
    equals = text.index("=", start)
    semicolon = text.index(";", equals)
    value = text[equals + 1:semicolon].strip()
    end = text.index("\n", semicolon)
    if "from_bits" in value or "[" in value:
        return re.findall(r"0x([0-9A-F_]+)", text[start:end])
    literal = grouped(f64_bits(float(value.replace("_", ""))), 16)
    comment = re.findall(r"0x([0-9A-F_]+)", text[semicolon:end])
    if comment != [literal]:
        return [f"{literal} (comment: {comment})"]
    return [literal]


def main():
    found = constants()
    if "--check" in sys.argv:
        bad = 0
        for key, values in found.items():
            file, name = key.split()
            source = in_source(f"src/simd/{file}", name)[: len(values)]
            if source != values:
                bad += 1
                print(f"{key}: source {source} != generated {values}")
        print("all constants match" if bad == 0 else f"{bad} constants differ")
        sys.exit(1 if bad else 0)
    for key, values in found.items():
        print(f"{key}:")
        for v in values:
            print(f"    0x{v}")


if __name__ == "__main__":
    main()
