//! Content codings of HTTP bodies (TR-069 §3.4.7, INTEROP H6), feature `compression`.
//!
//! * **Decoding** of an ACS response body coded `gzip` (RFC 1952: header, raw deflate, CRC-32 and
//!   size trailer) or `deflate` (RFC 9110 §8.4.1.2: zlib-wrapped RFC 1950; raw RFC 1951 deflate,
//!   which some servers send, is tolerated) — with `miniz_oxide`'s core inflater, into a caller
//!   output buffer, without allocation. The inflater state (about 11 KiB) lives in an
//!   [`Inflater`] the caller places where it likes (static, stack, session struct).
//! * **Encoding** of the CPE's requests is **not** provided: `miniz_oxide`'s compressor exists
//!   only with its `with-alloc` feature (its `deflate` module is compiled out without it), and no
//!   well-kept allocation-free deflate encoder is available. Requests therefore go out
//!   uncompressed unless the caller compresses the body itself and sets
//!   [`PostHead::content_encoding`](super::request::PostHead::content_encoding). TR-069 makes
//!   compressed requests a MUST only when `ManagementServer.HTTPCompression` is not `Disabled`;
//!   such a CPE should report only `Disabled` in `HTTPCompressionSupported`.
//! * [`Compression`] follows the §3.4.7 rule: after a **415** the CPE MUST stop compressing and
//!   retry the Session.
//!
//! TR-069 cites RFC 7230 §4 "Transfer Codings" but uses `Content-Encoding` (DIGEST §17 item 17);
//! this module handles `Content-Encoding`. Chunked transfer coding is in [`super::body`].

use core::fmt;

use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

/// A content coding (RFC 9110 §8.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ContentCoding {
    /// No coding.
    Identity,
    /// `gzip` (also `x-gzip`).
    Gzip,
    /// `deflate`.
    Deflate,
}

impl ContentCoding {
    /// Parses a `Content-Encoding` value with one coding (case-insensitive, trimmed); `None` for
    /// anything else (including a list of several codings).
    pub fn parse(v: &[u8]) -> Option<Self> {
        let v = super::fields::trim_ows(v);
        if v.is_empty() || v.eq_ignore_ascii_case(b"identity") {
            Some(Self::Identity)
        } else if v.eq_ignore_ascii_case(b"gzip") || v.eq_ignore_ascii_case(b"x-gzip") {
            Some(Self::Gzip)
        } else if v.eq_ignore_ascii_case(b"deflate") {
            Some(Self::Deflate)
        } else {
            None
        }
    }

    /// The token for `Content-Encoding`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Gzip => "gzip",
            Self::Deflate => "deflate",
        }
    }
}

/// The §3.4.7 compression state of a CPE: the configured coding, turned off by a 415.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Compression {
    configured: Option<ContentCoding>,
    disabled: bool,
}

impl Compression {
    /// From `ManagementServer.HTTPCompression` (`None` or `Identity` = `Disabled`).
    pub const fn new(configured: Option<ContentCoding>) -> Self {
        Self {
            configured,
            disabled: false,
        }
    }

    /// The coding to apply to request bodies now, or `None`.
    pub fn request_coding(&self) -> Option<ContentCoding> {
        self.configured
            .filter(|&c| !self.disabled && c != ContentCoding::Identity)
    }

    /// Feeds a response status. Returns `true` when a 415 turned compression off: the CPE MUST
    /// then retry the Session uncompressed (§3.4.7, §3.2.1.1).
    pub fn on_status(&mut self, status: u16) -> bool {
        if status == 415 && self.request_coding().is_some() {
            self.disabled = true;
            return true;
        }
        false
    }

    /// True after a 415.
    pub const fn is_disabled(&self) -> bool {
        self.disabled
    }
}

/// What is wrong with a coded body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DecompressErrorKind {
    /// Bad gzip header (magic, method, reserved flags) or zlib header.
    Header,
    /// The compressed data is invalid.
    Data,
    /// The input ended before the end of the stream or of the gzip trailer.
    Truncated,
    /// The output buffer is too small.
    OutputTooSmall,
    /// gzip CRC-32 mismatch.
    Crc,
    /// gzip ISIZE mismatch, or zlib Adler-32 mismatch.
    Length,
}

/// A decompression error with the input offset where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct DecompressError {
    /// What is wrong.
    pub kind: DecompressErrorKind,
    /// Byte offset in the coded body.
    pub offset: usize,
}

impl fmt::Display for DecompressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DecompressErrorKind::Header => "invalid gzip or zlib header",
            DecompressErrorKind::Data => "invalid compressed data",
            DecompressErrorKind::Truncated => "truncated compressed body",
            DecompressErrorKind::OutputTooSmall => "output buffer too small",
            DecompressErrorKind::Crc => "gzip CRC-32 mismatch",
            DecompressErrorKind::Length => "gzip length or zlib checksum mismatch",
        };
        write!(f, "{what} at byte {}", self.offset)
    }
}

impl core::error::Error for DecompressError {}

const fn err(kind: DecompressErrorKind, offset: usize) -> DecompressError {
    DecompressError { kind, offset }
}

/// Reusable inflate state (about 11 KiB): keep one and pass it to [`Inflater::decode`].
pub struct Inflater {
    core: DecompressorOxide,
}

impl fmt::Debug for Inflater {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Inflater")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Inflater {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Inflater");
    }
}

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

/// CRC-32 (ISO-HDLC, as in gzip), bit by bit: small and fast enough for envelopes.
fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            let mask = (c & 1).wrapping_neg();
            c = (c >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !c
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    let a: [u8; 4] = s.try_into().ok()?;
    Some(u32::from_le_bytes(a))
}

impl Inflater {
    /// A fresh inflater.
    pub fn new() -> Self {
        Self {
            core: DecompressorOxide::new(),
        }
    }

    /// Decodes a complete body `input` coded with `coding` into `out`; returns the decoded
    /// length. `verify_crc` checks the gzip CRC-32 (the size is always checked); the zlib
    /// Adler-32 is always checked.
    ///
    /// # Errors
    /// [`DecompressError`] with the input offset. Never panics.
    pub fn decode(
        &mut self,
        coding: ContentCoding,
        input: &[u8],
        out: &mut [u8],
        verify_crc: bool,
    ) -> Result<usize, DecompressError> {
        match coding {
            ContentCoding::Identity => {
                let dst = out
                    .get_mut(..input.len())
                    .ok_or(err(DecompressErrorKind::OutputTooSmall, 0))?;
                dst.copy_from_slice(input);
                Ok(input.len())
            }
            ContentCoding::Deflate => {
                let zlib = match input {
                    [cmf, flg, ..] => {
                        cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0
                    }
                    _ => false,
                };
                let (n, _) = self.inflate(input, 0, out, zlib)?;
                Ok(n)
            }
            ContentCoding::Gzip => {
                let start = gzip_header(input)?;
                let (n, used) = self.inflate(input, start, out, false)?;
                let trailer = start.saturating_add(used);
                let crc =
                    le32(input, trailer).ok_or(err(DecompressErrorKind::Truncated, trailer))?;
                let size_at = trailer.saturating_add(4);
                let size =
                    le32(input, size_at).ok_or(err(DecompressErrorKind::Truncated, size_at))?;
                if size != n as u32 {
                    return Err(err(DecompressErrorKind::Length, size_at));
                }
                if verify_crc && crc != crc32(out.get(..n).unwrap_or(&[])) {
                    return Err(err(DecompressErrorKind::Crc, trailer));
                }
                Ok(n)
            }
        }
    }

    /// Inflates `input[start..]`; returns (output length, input bytes used).
    fn inflate(
        &mut self,
        input: &[u8],
        start: usize,
        out: &mut [u8],
        zlib: bool,
    ) -> Result<(usize, usize), DecompressError> {
        self.core.init();
        let data = input.get(start..).unwrap_or(&[]);
        let mut flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
        if zlib {
            flags |= inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER;
        }
        let (status, used, written) = decompress(&mut self.core, data, out, 0, flags);
        let at = start.saturating_add(used);
        match status {
            TINFLStatus::Done => Ok((written, used)),
            TINFLStatus::HasMoreOutput => Err(err(DecompressErrorKind::OutputTooSmall, at)),
            TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
                Err(err(DecompressErrorKind::Truncated, at))
            }
            TINFLStatus::Adler32Mismatch => Err(err(DecompressErrorKind::Length, at)),
            _ => Err(err(
                if zlib && used < 2 {
                    DecompressErrorKind::Header
                } else {
                    DecompressErrorKind::Data
                },
                at,
            )),
        }
    }
}

/// Parses a gzip member header (RFC 1952 §2.3); returns where the deflate data starts.
fn gzip_header(b: &[u8]) -> Result<usize, DecompressError> {
    let trunc = |at| err(DecompressErrorKind::Truncated, at);
    let fixed = b.get(..10).ok_or(trunc(b.len()))?;
    let [id1, id2, cm, flg, ..] = *fixed else {
        return Err(trunc(0));
    };
    if id1 != 0x1f || id2 != 0x8b {
        return Err(err(DecompressErrorKind::Header, 0));
    }
    if cm != 8 {
        return Err(err(DecompressErrorKind::Header, 2));
    }
    if flg & 0xe0 != 0 {
        return Err(err(DecompressErrorKind::Header, 3));
    }
    let mut at = 10usize;
    if flg & 0x04 != 0 {
        // FEXTRA: XLEN, then XLEN bytes.
        let xlen = b.get(at..at.saturating_add(2)).ok_or(trunc(at))?;
        let xlen = usize::from(u16::from_le_bytes([
            xlen.first().copied().unwrap_or(0),
            xlen.get(1).copied().unwrap_or(0),
        ]));
        at = at.saturating_add(2).saturating_add(xlen);
        if at > b.len() {
            return Err(trunc(b.len()));
        }
    }
    for bit in [0x08u8, 0x10] {
        // FNAME, FCOMMENT: zero-terminated.
        if flg & bit != 0 {
            let rest = b.get(at..).unwrap_or(&[]);
            let z = rest.iter().position(|&c| c == 0).ok_or(trunc(b.len()))?;
            at = at.saturating_add(z).saturating_add(1);
        }
    }
    if flg & 0x02 != 0 {
        // FHCRC: two low bytes of the CRC-32 of the header so far.
        let want = b.get(at..at.saturating_add(2)).ok_or(trunc(at))?;
        let crc = crc32(b.get(..at).unwrap_or(&[])).to_le_bytes();
        if crc.get(..2) != Some(want) {
            return Err(err(DecompressErrorKind::Crc, at));
        }
        at = at.saturating_add(2);
    }
    Ok(at)
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

    // "Hello, zlib!" from miniz_oxide's docs.
    const ZLIB: [u8; 20] = [
        120, 156, 243, 72, 205, 201, 201, 215, 81, 168, 202, 201, 76, 82, 4, 0, 27, 101, 4, 19,
    ];

    /// gzip of "Hello, zlib!" built from the raw deflate inside the zlib stream.
    fn gzip(flags: u8, extra: &[u8]) -> std::vec::Vec<u8> {
        let raw = &ZLIB[2..16];
        let mut v = std::vec![0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3];
        v.extend_from_slice(extra);
        if flags & 0x02 != 0 {
            let c = crc32(&v).to_le_bytes();
            v.extend_from_slice(&c[..2]);
        }
        v.extend_from_slice(raw);
        v.extend_from_slice(&crc32(b"Hello, zlib!").to_le_bytes());
        v.extend_from_slice(&12u32.to_le_bytes());
        v
    }

    extern crate std;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn deflate_zlib_and_raw() {
        let mut inf = Inflater::new();
        let mut out = [0u8; 64];
        let n = inf
            .decode(ContentCoding::Deflate, &ZLIB, &mut out, true)
            .unwrap();
        assert_eq!(&out[..n], b"Hello, zlib!");
        let n = inf
            .decode(ContentCoding::Deflate, &ZLIB[2..16], &mut out, true)
            .unwrap();
        assert_eq!(&out[..n], b"Hello, zlib!");
        let mut bad = ZLIB;
        bad[19] ^= 1;
        assert_eq!(
            inf.decode(ContentCoding::Deflate, &bad, &mut out, true)
                .unwrap_err()
                .kind,
            DecompressErrorKind::Length
        );
        let mut small = [0u8; 5];
        assert_eq!(
            inf.decode(ContentCoding::Deflate, &ZLIB, &mut small, true)
                .unwrap_err()
                .kind,
            DecompressErrorKind::OutputTooSmall
        );
        assert_eq!(
            inf.decode(ContentCoding::Deflate, &ZLIB[..8], &mut out, true)
                .unwrap_err()
                .kind,
            DecompressErrorKind::Truncated
        );
    }

    #[test]
    fn gzip_members() {
        let mut inf = Inflater::new();
        let mut out = [0u8; 64];
        for (flags, extra) in [
            (0u8, &b""[..]),
            (0x08, b"name.xml\0"),
            (0x04 | 0x10, b"\x02\x00ab comment\0"),
            (0x02, b""),
        ] {
            let g = gzip(flags, extra);
            let n = inf.decode(ContentCoding::Gzip, &g, &mut out, true).unwrap();
            assert_eq!(&out[..n], b"Hello, zlib!", "flags {flags:#x}");
        }
        let mut g = gzip(0, b"");
        let l = g.len();
        g[l - 8] ^= 0xff;
        assert_eq!(
            inf.decode(ContentCoding::Gzip, &g, &mut out, true)
                .unwrap_err()
                .kind,
            DecompressErrorKind::Crc
        );
        assert!(inf.decode(ContentCoding::Gzip, &g, &mut out, false).is_ok());
        let mut g = gzip(0, b"");
        let l = g.len();
        g[l - 1] = 9;
        assert_eq!(
            inf.decode(ContentCoding::Gzip, &g, &mut out, false)
                .unwrap_err()
                .kind,
            DecompressErrorKind::Length
        );
        let g = gzip(0, b"");
        for cut in 0..g.len() {
            assert!(
                inf.decode(ContentCoding::Gzip, &g[..cut], &mut out, true)
                    .is_err(),
                "{cut}"
            );
        }
        assert_eq!(
            inf.decode(
                ContentCoding::Gzip,
                b"\x1f\x8c\x08\0\0\0\0\0\0\0",
                &mut out,
                true
            )
            .unwrap_err()
            .kind,
            DecompressErrorKind::Header
        );
        assert_eq!(
            inf.decode(
                ContentCoding::Gzip,
                b"\x1f\x8b\x08\xe0\0\0\0\0\0\0",
                &mut out,
                true
            )
            .unwrap_err()
            .kind,
            DecompressErrorKind::Header
        );
    }

    #[test]
    fn codings_and_415() {
        assert_eq!(ContentCoding::parse(b" GZIP "), Some(ContentCoding::Gzip));
        assert_eq!(ContentCoding::parse(b"x-gzip"), Some(ContentCoding::Gzip));
        assert_eq!(
            ContentCoding::parse(b"Deflate"),
            Some(ContentCoding::Deflate)
        );
        assert_eq!(ContentCoding::parse(b"br"), None);
        assert_eq!(ContentCoding::parse(b"gzip, br"), None);
        let mut c = Compression::new(Some(ContentCoding::Gzip));
        assert_eq!(c.request_coding(), Some(ContentCoding::Gzip));
        assert!(!c.on_status(200));
        assert!(c.on_status(415));
        assert_eq!(c.request_coding(), None);
        assert!(!c.on_status(415));
        let mut off = Compression::new(None);
        assert!(!off.on_status(415));
        let mut out = [0u8; 4];
        let mut inf = Inflater::new();
        assert_eq!(
            inf.decode(ContentCoding::Identity, b"abc", &mut out, true),
            Ok(3)
        );
        assert!(inf
            .decode(ContentCoding::Identity, b"abcde", &mut out, true)
            .is_err());
    }
}
