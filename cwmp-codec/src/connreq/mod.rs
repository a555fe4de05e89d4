//! Connection Requests (ACS → CPE) and the UDP Lightweight Notification (CPE → ACS): the wire
//! formats and their authentication, sans-IO and allocation-free (TR-069 §3.2.2, Annex G,
//! Annex K, Annex M; DIGEST §3 and §15.1).
//!
//! | module | what | reference |
//! |---|---|---|
//! | [`xmpp`] | the `connectionRequest` IQ: decode, check credentials and allowed JIDs, encode the result or error IQ | Annex K |
//! | [`udp`] | the UDP Connection Request datagram: decode, HMAC-SHA1 signature, replay guard; encoder for an ACS | Annex G.2.1.4, G.2.2.3 |
//! | [`stun`] | RFC 3489 Binding Request with CONNECTION-REQUEST-BINDING and BINDING-CHANGE; message decoding; port demultiplexing | Annex G.2.1 |
//! | [`lwn`] | the UDP Lightweight Notification datagram: encode with its HMAC `Signature`; decode and verify | Annex M |
//!
//! The HTTP Connection Request (§3.2.2.2) needs no code of its own here: it is a GET read with
//! [`RequestHead`](crate::http::request::RequestHead), answered with
//! [`ServerResponseHead`](crate::http::response::ServerResponseHead) and authenticated with
//! [`auth`](crate::http::auth). The policy around all transports (rate limit, one Session for
//! many requests, requests during a Session, §3.2.2.1) is state, so it lives in `cwmp-core`
//! (`cwmp_core::connreq`).
//!
//! Secrets are compared in constant time (`subtle`); HMAC comes from RustCrypto (`hmac`,
//! `sha1`, `sha2`).

pub mod lwn;
pub mod stun;
pub mod udp;
pub mod xmpp;

use hmac::{Hmac, KeyInit};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// HMAC-SHA1 keyed by `key`, for the signatures of Annex G (UDP Connection Requests, STUN's
/// MESSAGE-INTEGRITY).
pub(crate) fn new_mac(key: &[u8]) -> Hmac<Sha1> {
    // HMAC takes keys of any length; the error branch cannot happen.
    match <Hmac<Sha1> as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => <Hmac<Sha1> as KeyInit>::new(&Default::default()),
    }
}

/// Constant-time equality of two byte strings (lengths are not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Decodes exactly `2 * N` hex digits (either case).
pub(crate) fn decode_hex<const N: usize>(s: &[u8]) -> Option<[u8; N]> {
    if s.len() != N.checked_mul(2)? {
        return None;
    }
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        let mut v = 0u8;
        for &d in pair {
            let d = u8::try_from((d as char).to_digit(16)?).ok()?;
            v = v.checked_mul(16)?.checked_add(d)?;
        }
        *o = v;
    }
    Some(out)
}

/// Upper-case hex digits of `bytes` into `out` (two per byte); returns the digits written.
pub(crate) fn hex_upper(bytes: &[u8], out: &mut [u8]) -> usize {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
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

/// Writes `n` in decimal.
pub(crate) fn write_decimal<W: embedded_io::Write>(w: &mut W, n: u64) -> Result<(), W::Error> {
    let mut buf = [0u8; 20];
    w.write_all(crate::xml::writer::fmt_u64(n, &mut buf))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn hex_helpers() {
        assert_eq!(decode_hex::<2>(b"aB0f"), Some([0xab, 0x0f]));
        assert_eq!(decode_hex::<2>(b"aB0"), None);
        assert_eq!(decode_hex::<2>(b"aB0g"), None);
        let mut out = [0u8; 4];
        assert_eq!(hex_upper(&[0xab, 0x0f], &mut out), 4);
        assert_eq!(&out, b"AB0F");
        assert!(ct_eq(b"abc", b"abc") && !ct_eq(b"abc", b"abd") && !ct_eq(b"ab", b"abc"));
    }
}
