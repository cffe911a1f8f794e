//! Decoding of fuzzer bytes into slices of floats, shared by the targets.
#![allow(dead_code)] // each target uses a part

/// Reads bytes front to back; exhausted input reads as zeros.
pub struct Input<'a> {
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Input { bytes }
    }

    pub fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    pub fn len(&mut self) -> usize {
        usize::from(self.byte() % 64)
    }

    pub fn f64(&mut self) -> f64 {
        let mut raw = [0u8; 8];
        for b in &mut raw {
            *b = self.byte();
        }
        f64::from_le_bytes(raw)
    }

    pub fn f32(&mut self) -> f32 {
        let mut raw = [0u8; 4];
        for b in &mut raw {
            *b = self.byte();
        }
        f32::from_le_bytes(raw)
    }

    pub fn vec_f64(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.f64()).collect()
    }

    pub fn vec_f32(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.f32()).collect()
    }
}

/// The distance in ulps between two f64 (NaN equal to NaN, ±0 equal).
pub fn ulps(a: f64, b: f64) -> u64 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    let key = |x: f64| {
        let bits = x.to_bits() as i64;
        if bits < 0 {
            i64::MIN - bits
        } else {
            bits
        }
    };
    key(a).abs_diff(key(b))
}
