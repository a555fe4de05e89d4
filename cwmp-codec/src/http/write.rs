//! Small helpers for writing heads through `embedded_io::Write`, and the counting writer that
//! gives the exact length of what a writer would produce (same code path, minicbor's way).

use embedded_io::{ErrorType, Write};

use super::WriteError;

/// An `embedded_io::Write` that only counts bytes: `encoded_len` functions run the real writer
/// against it, so the length always matches the output. Never fails; saturates at `usize::MAX`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Counter {
    /// Bytes written so far.
    pub count: usize,
}

impl ErrorType for Counter {
    type Error = core::convert::Infallible;
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.count = self.count.saturating_add(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// True when `v` can go into a header field value or request line unchanged: no CTL except HTAB.
pub(crate) fn is_field_safe(v: &[u8]) -> bool {
    v.iter().all(|&b| b == b'\t' || (b >= 0x20 && b != 0x7f))
}

/// Writes `name: value\r\n`, refusing a value with control characters.
pub(crate) fn header<W: Write>(
    w: &mut W,
    name: &str,
    value: &[u8],
) -> Result<(), WriteError<W::Error>> {
    if !is_field_safe(value) {
        return Err(WriteError::InvalidField);
    }
    w.write_all(name.as_bytes())?;
    w.write_all(b": ")?;
    w.write_all(value)?;
    w.write_all(b"\r\n")?;
    Ok(())
}

/// Writes `n` in decimal.
pub(crate) fn decimal<W: Write>(w: &mut W, n: u64) -> Result<(), W::Error> {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i = i.saturating_sub(1);
        if let Some(slot) = buf.get_mut(i) {
            // n % 10 < 10, fits a u8.
            *slot = b'0'.saturating_add((n % 10) as u8);
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    w.write_all(buf.get(i..).unwrap_or(&[]))
}

/// Writes `name: n\r\n`.
pub(crate) fn header_decimal<W: Write>(
    w: &mut W,
    name: &str,
    n: u64,
) -> Result<(), WriteError<W::Error>> {
    w.write_all(name.as_bytes())?;
    w.write_all(b": ")?;
    decimal(w, n)?;
    w.write_all(b"\r\n")?;
    Ok(())
}

/// Lower-case hexadecimal digits of `bytes` into `out` (two per byte); returns the digits
/// written (stops when `out` is full).
pub(crate) fn hex_lower(bytes: &[u8], out: &mut [u8]) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut n = 0usize;
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        if let [hi, lo] = pair {
            *hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            *lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
            n = n.saturating_add(2);
        }
    }
    n
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;

    #[test]
    fn decimal_digits() {
        for (n, s) in [
            (0u64, "0"),
            (7, "7"),
            (10, "10"),
            (u64::MAX, "18446744073709551615"),
        ] {
            let mut buf = [0u8; 32];
            let mut w: &mut [u8] = &mut buf;
            decimal(&mut w, n).unwrap();
            let left = w.len();
            assert_eq!(&buf[..32 - left], s.as_bytes());
        }
    }

    #[test]
    fn hex() {
        let mut out = [0u8; 6];
        assert_eq!(hex_lower(&[0x00, 0xab, 0x7f], &mut out), 6);
        assert_eq!(&out, b"00ab7f");
    }
}
