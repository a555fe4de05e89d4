//! The CPE's HTTP username (TR-069 §3.4.4): `OUI-ProductClass-SerialNumber`, or
//! `OUI-SerialNumber` if and only if ProductClass is empty.
//!
//! Every character of ProductClass and SerialNumber outside `[0-9A-Za-z_]` is percent-encoded
//! (RFC 3986 §2.1) one UTF-8 octet at a time with uppercase hex, so the `-` separators stay
//! unambiguous: `Set-Top-Box` → `Set%2DTop%2DBox`, `é` → `%C3%A9`. The OUI (six hex digits,
//! DeviceIdStruct T39) is written as given.

use core::fmt;

use embedded_io::Write;

use super::write::Counter;

/// The OUI is not exactly six hexadecimal digits (DeviceIdStruct, TR-069 T39).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UsernameError<E> {
    /// The OUI is not six hexadecimal digits.
    Oui,
    /// The writer failed (buffer too small).
    Io(E),
}

impl<E: fmt::Debug> fmt::Display for UsernameError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Oui => f.write_str("OUI is not six hexadecimal digits"),
            Self::Io(_) => f.write_str("writer error"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for UsernameError<E> {}

fn write_encoded<W: Write>(w: &mut W, field: &str) -> Result<(), W::Error> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = field.as_bytes();
    let mut rest = bytes;
    while !rest.is_empty() {
        let plain = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let (p, tail) = rest.split_at_checked(plain).unwrap_or((rest, &[]));
        w.write_all(p)?;
        if let Some((&b, tail)) = tail.split_first() {
            let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
            w.write_all(&[b'%', hi, lo])?;
            rest = tail;
        } else {
            rest = tail;
        }
    }
    Ok(())
}

/// Writes the §3.4.4 username.
///
/// # Errors
/// [`UsernameError::Oui`] for an OUI that is not six hex digits; the writer's error.
pub fn write_cpe_username<W: Write>(
    w: &mut W,
    oui: &str,
    product_class: &str,
    serial_number: &str,
) -> Result<(), UsernameError<W::Error>> {
    if oui.len() != 6 || !oui.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(UsernameError::Oui);
    }
    w.write_all(oui.as_bytes()).map_err(UsernameError::Io)?;
    w.write_all(b"-").map_err(UsernameError::Io)?;
    if !product_class.is_empty() {
        write_encoded(w, product_class).map_err(UsernameError::Io)?;
        w.write_all(b"-").map_err(UsernameError::Io)?;
    }
    write_encoded(w, serial_number).map_err(UsernameError::Io)
}

/// The exact length of the username (0 for an invalid OUI), to size a buffer.
pub fn cpe_username_len(oui: &str, product_class: &str, serial_number: &str) -> usize {
    let mut c = Counter::default();
    match write_cpe_username(&mut c, oui, product_class, serial_number) {
        Ok(()) => c.count,
        Err(_) => 0,
    }
}

/// Writes the username into `out` and returns it as a string.
///
/// # Errors
/// [`UsernameError::Oui`]; [`UsernameError::Io`] when `out` is too small.
pub fn cpe_username<'o>(
    out: &'o mut [u8],
    oui: &str,
    product_class: &str,
    serial_number: &str,
) -> Result<&'o str, UsernameError<embedded_io::SliceWriteError>> {
    let total = out.len();
    let mut w: &mut [u8] = out;
    write_cpe_username(&mut w, oui, product_class, serial_number)?;
    let n = total.saturating_sub(w.len());
    let out: &'o [u8] = out;
    // Only ASCII was written.
    Ok(out
        .get(..n)
        .and_then(|b| core::str::from_utf8(b).ok())
        .unwrap_or(""))
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
    fn spec_examples() {
        let mut b = [0u8; 128];
        assert_eq!(
            cpe_username(&mut b, "012345", "", "0123456789").unwrap(),
            "012345-0123456789"
        );
        assert_eq!(
            cpe_username(&mut b, "012345", "STB", "0123456789").unwrap(),
            "012345-STB-0123456789"
        );
        assert_eq!(
            cpe_username(&mut b, "00D09E", "Set-Top-Box", "SN_1").unwrap(),
            "00D09E-Set%2DTop%2DBox-SN_1"
        );
        assert_eq!(
            cpe_username(&mut b, "00d09e", "Caf\u{e9}", "a b/c").unwrap(),
            "00d09e-Caf%C3%A9-a%20b%2Fc"
        );
        assert_eq!(cpe_username_len("00D09E", "Set-Top-Box", "SN_1"), 27);
        assert_eq!(cpe_username_len("0123", "", "x"), 0);
    }

    #[test]
    fn errors() {
        let mut b = [0u8; 128];
        assert_eq!(
            cpe_username(&mut b, "01234G", "", "x"),
            Err(UsernameError::Oui)
        );
        assert_eq!(
            cpe_username(&mut b, "0123456", "", "x"),
            Err(UsernameError::Oui)
        );
        let mut small = [0u8; 10];
        assert!(matches!(
            cpe_username(&mut small, "012345", "STB", "0123456789"),
            Err(UsernameError::Io(_))
        ));
    }
}
