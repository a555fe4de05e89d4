//! Header field helpers shared by the request and response readers (RFC 9110 §5).

use super::body::Framing;
use super::{HeadError, HeadErrorKind, Header};

/// Trims optional whitespace (SP, HTAB) at both ends (RFC 9110 §5.6.3).
pub(crate) fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let rest = v.get(start..).unwrap_or(&[]);
    let end = rest
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |p| p.saturating_add(1));
    rest.get(..end).unwrap_or(&[])
}

/// Elements of a comma-separated list (RFC 9110 §5.6.1), trimmed, empty ones skipped.
pub(crate) fn list(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    v.split(|&b| b == b',')
        .map(trim_ows)
        .filter(|e| !e.is_empty())
}

/// Values of every field called `name` (case-insensitive).
pub(crate) fn values<'h, 'b>(
    headers: &'h [Header<'b>],
    name: &'static str,
) -> impl Iterator<Item = &'b [u8]> + 'h {
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value)
}

/// The first value of field `name`, trimmed.
pub(crate) fn first<'b>(headers: &[Header<'b>], name: &'static str) -> Option<&'b [u8]> {
    values(headers, name).next().map(trim_ows)
}

/// True when a `Connection` field lists `token` (e.g. `close`), case-insensitively.
pub(crate) fn connection_has(headers: &[Header<'_>], token: &[u8]) -> bool {
    values(headers, "connection").any(|v| list(v).any(|t| t.eq_ignore_ascii_case(token)))
}

/// Parses a non-negative decimal integer with no sign and no spaces.
pub(crate) fn parse_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() {
        return None;
    }
    v.iter().try_fold(0u64, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?
                .checked_add(u64::from(b.wrapping_sub(b'0')))
        } else {
            None
        }
    })
}

/// Byte offset of header `h`'s line within `buf` (the head it was parsed from).
fn offset_of(buf: &[u8], h: &Header<'_>) -> Option<usize> {
    let start = buf.as_ptr() as usize;
    let at = h.name.as_ptr() as usize;
    at.checked_sub(start).filter(|&o| o < buf.len())
}

/// Message body length from the header fields (RFC 9112 §6.3), for a message whose status or
/// method allows a body. `Transfer-Encoding` wins over `Content-Length`; its final coding must
/// be `chunked`. Several `Content-Length` values (or a list) must agree.
pub(crate) fn framing(
    buf: &[u8],
    headers: &[Header<'_>],
    absent: Framing,
) -> Result<Framing, HeadError> {
    // Transfer codings in order across every Transfer-Encoding field. We decode only
    // `chunked` (and tolerate the obsolete `identity`): the final coding must be chunked and no
    // other real coding may come before it, or the body cannot be delimited and decoded.
    let mut chunked = false;
    for h in headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("transfer-encoding"))
    {
        for coding in list(h.value) {
            let name = coding
                .split(|&b| b == b';')
                .next()
                .map(trim_ows)
                .unwrap_or(&[]);
            if name.eq_ignore_ascii_case(b"chunked") && !chunked {
                chunked = true;
            } else if !name.eq_ignore_ascii_case(b"identity") || chunked {
                return Err(HeadError::new(
                    HeadErrorKind::TransferEncoding,
                    offset_of(buf, h),
                ));
            }
        }
    }
    if chunked {
        return Ok(Framing::Chunked);
    }
    let mut length: Option<u64> = None;
    for h in headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("content-length"))
    {
        let bad = || HeadError::new(HeadErrorKind::ContentLength, offset_of(buf, h));
        let mut any = false;
        for v in h.value.split(|&b| b == b',').map(trim_ows) {
            any = true;
            let n = parse_u64(v).ok_or_else(bad)?;
            match length {
                Some(l) if l != n => return Err(bad()),
                _ => length = Some(n),
            }
        }
        if !any {
            return Err(bad());
        }
    }
    Ok(match length {
        Some(0) => Framing::Empty,
        Some(n) => Framing::Length(n),
        None => absent,
    })
}
