//! Message body framing (RFC 9112 §6): by `Content-Length`, by the chunked transfer coding
//! (§7.1), or until the connection closes (responses only).
//!
//! [`BodyDecoder`] is incremental and works **in place** in the caller's buffer: received bytes
//! are written at [`BodyDecoder::write_position`], [`BodyDecoder::feed`] consumes them, and the
//! decoded body always sits contiguous at the start of the buffer. Chunk-size lines, chunk
//! extensions and trailer fields are removed by moving data bytes down (`copy_within`); nothing
//! is copied to a second buffer. Every raw byte is consumed when it arrives (the chunk-size and
//! delimiter parser keeps its state between calls), so bytes may arrive split at any point.
//!
//! The CPE always sends `Content-Length` and never chunked (INTEROP H3; TR-069 §3.4.1 needs the
//! length computed by the encoder), but accepts chunked responses.
//!
//! ```
//! use cwmp_codec::http::body::{BodyDecoder, BodyStatus, Framing};
//!
//! let mut buf = [0u8; 64];
//! let mut dec = BodyDecoder::new(Framing::Chunked);
//! for piece in [&b"5;ext=1\r\nhel"[..], b"lo\r\n0\r\nTrailer: x\r\n\r\n"] {
//!     let at = dec.write_position();
//!     buf[at..at + piece.len()].copy_from_slice(piece);
//!     if let BodyStatus::Complete { len, .. } = dec.feed(&mut buf, piece.len()).unwrap() {
//!         assert_eq!(&buf[..len], b"hello");
//!     }
//! }
//! assert!(dec.is_complete());
//! ```

use core::fmt;

use super::limits::{MAX_CHUNK_EXTENSION_LEN, MAX_TRAILER_LEN};

/// How the end of a message body is found (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Framing {
    /// No body: `Content-Length: 0`, a 204 or 304 response, a 1xx, or a request without
    /// `Content-Length` and `Transfer-Encoding`.
    Empty,
    /// Exactly this many bytes (`Content-Length`).
    Length(u64),
    /// The chunked transfer coding (RFC 9112 §7.1).
    Chunked,
    /// A response without length: the body ends when the server closes the connection.
    UntilClose,
}

/// Progress of a [`BodyDecoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BodyStatus {
    /// More bytes are needed (for [`Framing::UntilClose`]: until [`BodyDecoder::eof`]).
    Partial,
    /// The body is complete: `buf[..len]`. `excess` bytes received after its end were moved to
    /// `buf[len..len + excess]` (a peer that pipelines; CWMP peers should not).
    Complete {
        /// Length of the decoded body at the start of the buffer.
        len: usize,
        /// Bytes that followed the body.
        excess: usize,
    },
}

/// What went wrong while reading a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BodyErrorKind {
    /// A chunk size is not hexadecimal, or a chunk-size line is malformed.
    ChunkSize,
    /// A chunk size does not fit in 64 bits.
    ChunkSizeOverflow,
    /// Chunk extensions longer than [`MAX_CHUNK_EXTENSION_LEN`].
    ChunkExtensionTooLong,
    /// A chunk's data is not followed by CRLF.
    ChunkDelimiter,
    /// A trailer section longer than [`MAX_TRAILER_LEN`], or a malformed line ending in it.
    Trailer,
    /// The body does not fit in the caller's buffer (retry with a larger one).
    TooLarge,
    /// The connection closed before the body was complete.
    Truncated,
    /// `received` goes past the end of the buffer: a caller mistake, nothing was consumed.
    ApiMisuse,
}

/// A body framing error; `offset` counts raw body bytes (after the head) before the fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct BodyError {
    /// What is wrong.
    pub kind: BodyErrorKind,
    /// Offset in the raw (still chunked) body.
    pub offset: u64,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            BodyErrorKind::ChunkSize => "invalid chunk size line",
            BodyErrorKind::ChunkSizeOverflow => "chunk size overflows",
            BodyErrorKind::ChunkExtensionTooLong => "chunk extension too long",
            BodyErrorKind::ChunkDelimiter => "chunk data not followed by CRLF",
            BodyErrorKind::Trailer => "invalid trailer section",
            BodyErrorKind::TooLarge => "body larger than the buffer",
            BodyErrorKind::Truncated => "connection closed before the end of the body",
            BodyErrorKind::ApiMisuse => "received length past the end of the buffer",
        };
        write!(f, "{what} at body byte {}", self.offset)
    }
}

impl core::error::Error for BodyError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Chunk {
    /// In the hex digits of a chunk size; `any` once one digit was seen.
    Size { any: bool },
    /// Whitespace after the size (BWS before `;`).
    SizeWs,
    /// In chunk extensions; counts their length.
    Ext { len: u16 },
    /// CR of the chunk-size line seen; expecting LF.
    SizeLf,
    /// In chunk data; `remaining` bytes left.
    Data,
    /// After chunk data, expecting CR (or a bare LF).
    DataCr,
    /// After chunk data and CR, expecting LF.
    DataLf,
    /// At the start of a trailer line (or of the final empty line).
    TrailerStart,
    /// Inside a trailer field line.
    TrailerLine,
    /// CR of a trailer line seen.
    TrailerLf,
    /// CR of the final empty line seen.
    FinalLf,
    /// The body is complete.
    Done,
}

/// An incremental, in-place body decoder. See the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BodyDecoder {
    framing: Framing,
    state: Chunk,
    /// Decoded body bytes at the start of the buffer.
    decoded: usize,
    /// Raw body bytes consumed so far (for error offsets).
    consumed: u64,
    /// Bytes left in the body (Length) or in the current chunk (Chunked); the size being read
    /// while in `Chunk::Size`.
    remaining: u64,
    /// Trailer bytes seen.
    trailer: u16,
    done: bool,
}

impl BodyDecoder {
    /// A decoder for a body framed by `framing`.
    pub const fn new(framing: Framing) -> Self {
        Self {
            framing,
            state: Chunk::Size { any: false },
            decoded: 0,
            consumed: 0,
            remaining: match framing {
                Framing::Length(n) => n,
                _ => 0,
            },
            trailer: 0,
            done: matches!(framing, Framing::Empty | Framing::Length(0)),
        }
    }

    /// The framing this decoder follows.
    pub const fn framing(&self) -> Framing {
        self.framing
    }

    /// Where the caller writes the next received bytes: `buf[write_position()..]`.
    pub const fn write_position(&self) -> usize {
        self.decoded
    }

    /// Decoded body bytes so far, at `buf[..len()]`.
    pub const fn len(&self) -> usize {
        self.decoded
    }

    /// True when no body byte was decoded yet.
    pub const fn is_empty(&self) -> bool {
        self.decoded == 0
    }

    /// True once the end of the body was seen.
    pub const fn is_complete(&self) -> bool {
        self.done
    }

    /// Consumes `received` new bytes at `buf[write_position()..write_position() + received]`.
    ///
    /// Returns [`BodyStatus::Complete`] once the body ends; with [`Framing::UntilClose`] that is
    /// only after [`eof`](Self::eof). Feeding after completion reports the new bytes as excess.
    ///
    /// # Errors
    /// A [`BodyError`] for malformed chunked framing, a body that cannot fit in `buf`, or
    /// `received` past the end of `buf` (`ApiMisuse`, nothing consumed). After an error other
    /// than `ApiMisuse` the decoder's state is unspecified: fail the message. Never panics.
    pub fn feed(&mut self, buf: &mut [u8], received: usize) -> Result<BodyStatus, BodyError> {
        let start = self.decoded;
        let end = match start.checked_add(received) {
            Some(e) if e <= buf.len() => e,
            _ => return Err(self.error(BodyErrorKind::ApiMisuse, 0)),
        };
        if self.done {
            return Ok(BodyStatus::Complete {
                len: self.decoded,
                excess: received,
            });
        }
        match self.framing {
            Framing::Empty => {
                self.done = true;
                Ok(BodyStatus::Complete {
                    len: 0,
                    excess: received,
                })
            }
            Framing::Length(n) => {
                if usize::try_from(n).map_or(true, |n| n > buf.len()) {
                    return Err(self.error(BodyErrorKind::TooLarge, 0));
                }
                let take = usize::try_from(self.remaining)
                    .unwrap_or(usize::MAX)
                    .min(received);
                self.decoded = start.saturating_add(take);
                self.remaining = self.remaining.saturating_sub(take as u64);
                self.consumed = self.consumed.saturating_add(take as u64);
                if self.remaining == 0 {
                    self.done = true;
                    Ok(BodyStatus::Complete {
                        len: self.decoded,
                        excess: received.saturating_sub(take),
                    })
                } else {
                    Ok(BodyStatus::Partial)
                }
            }
            Framing::UntilClose => {
                self.decoded = end;
                self.consumed = self.consumed.saturating_add(received as u64);
                if self.decoded >= buf.len() {
                    return Err(self.error(BodyErrorKind::TooLarge, 0));
                }
                Ok(BodyStatus::Partial)
            }
            Framing::Chunked => self.feed_chunked(buf, start, end),
        }
    }

    /// The connection was closed by the peer. Completes a [`Framing::UntilClose`] body.
    ///
    /// # Errors
    /// [`BodyErrorKind::Truncated`] when the body was not complete under its framing.
    pub fn eof(&mut self) -> Result<usize, BodyError> {
        if self.done {
            return Ok(self.decoded);
        }
        if self.framing == Framing::UntilClose {
            self.done = true;
            return Ok(self.decoded);
        }
        Err(self.error(BodyErrorKind::Truncated, 0))
    }

    fn error(&self, kind: BodyErrorKind, at: usize) -> BodyError {
        BodyError {
            kind,
            offset: self.consumed.saturating_add(at as u64),
        }
    }

    fn feed_chunked(
        &mut self,
        buf: &mut [u8],
        start: usize,
        end: usize,
    ) -> Result<BodyStatus, BodyError> {
        let (r, w) = self.chunked(&mut InPlace(buf), start, start, end)?;
        self.decoded = w;
        if self.state == Chunk::Done {
            self.done = true;
            let excess = end.saturating_sub(r);
            if excess > 0 && w != r {
                buf.copy_within(r..end, w);
            }
            return Ok(BodyStatus::Complete { len: w, excess });
        }
        if w >= buf.len() {
            // No room left to receive the rest of the chunked framing.
            return Err(self.error(BodyErrorKind::TooLarge, 0));
        }
        Ok(BodyStatus::Partial)
    }

    /// Follows the framing over `raw`, the next bytes of the body as received, **without
    /// changing them**: for a reader that must know where a message ends before handing the
    /// whole message on (a driver calling `Cpe::handle_response`, which de-chunks in place
    /// itself). Call it with each new piece; [`len`](Self::len) counts the body's data bytes
    /// seen. Use a decoder either for `feed` or for `scan`, never both.
    ///
    /// Returns [`BodyStatus::Complete`] once the body ends, `excess` being the bytes of this
    /// `raw` after its end; with [`Framing::UntilClose`] only [`eof`](Self::eof) ends it.
    ///
    /// # Errors
    /// A [`BodyError`] for malformed chunked framing (never `TooLarge`: nothing is stored).
    /// Never panics.
    pub fn scan(&mut self, raw: &[u8]) -> Result<BodyStatus, BodyError> {
        let received = raw.len();
        if self.done {
            return Ok(BodyStatus::Complete {
                len: self.decoded,
                excess: received,
            });
        }
        match self.framing {
            Framing::Empty => {
                self.done = true;
                Ok(BodyStatus::Complete {
                    len: 0,
                    excess: received,
                })
            }
            Framing::Length(_) => {
                let take = usize::try_from(self.remaining)
                    .unwrap_or(usize::MAX)
                    .min(received);
                self.decoded = self.decoded.saturating_add(take);
                self.remaining = self.remaining.saturating_sub(take as u64);
                self.consumed = self.consumed.saturating_add(take as u64);
                if self.remaining == 0 {
                    self.done = true;
                    Ok(BodyStatus::Complete {
                        len: self.decoded,
                        excess: received.saturating_sub(take),
                    })
                } else {
                    Ok(BodyStatus::Partial)
                }
            }
            Framing::UntilClose => {
                self.decoded = self.decoded.saturating_add(received);
                self.consumed = self.consumed.saturating_add(received as u64);
                Ok(BodyStatus::Partial)
            }
            Framing::Chunked => {
                let (r, w) = self.chunked(&mut ReadOnly(raw), 0, self.decoded, received)?;
                self.decoded = w;
                if self.state == Chunk::Done {
                    self.done = true;
                    return Ok(BodyStatus::Complete {
                        len: w,
                        excess: received.saturating_sub(r),
                    });
                }
                Ok(BodyStatus::Partial)
            }
        }
    }

    /// The chunked state machine over `buf[r..end]`, data bytes going to `w` onwards (moved
    /// there by [`InPlace`], only counted by [`ReadOnly`]). Returns the read and write
    /// positions reached; updates the state, `remaining` and `consumed`.
    fn chunked<B: Window>(
        &mut self,
        buf: &mut B,
        r: usize,
        w: usize,
        end: usize,
    ) -> Result<(usize, usize), BodyError> {
        let start = r;
        let mut r = r; // read index
        let mut w = w; // write index, w <= r in place
        while r < end {
            if self.state == Chunk::Data {
                let avail = end.saturating_sub(r);
                let n = usize::try_from(self.remaining)
                    .unwrap_or(usize::MAX)
                    .min(avail);
                let src_end = r.saturating_add(n);
                buf.move_data(r, src_end, w);
                r = src_end;
                w = w.saturating_add(n);
                self.remaining = self.remaining.saturating_sub(n as u64);
                if self.remaining == 0 {
                    self.state = Chunk::DataCr;
                }
                continue;
            }
            let Some(b) = buf.byte(r) else { break };
            let at = r.saturating_sub(start);
            r = r.saturating_add(1);
            self.state = match self.state {
                Chunk::Size { any } => match b {
                    b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' => {
                        let d = match b {
                            b'0'..=b'9' => b.wrapping_sub(b'0'),
                            b'a'..=b'f' => b.wrapping_sub(b'a').wrapping_add(10),
                            _ => b.wrapping_sub(b'A').wrapping_add(10),
                        };
                        self.remaining = self
                            .remaining
                            .checked_mul(16)
                            .and_then(|v| v.checked_add(u64::from(d)))
                            .ok_or_else(|| self.error(BodyErrorKind::ChunkSizeOverflow, at))?;
                        Chunk::Size { any: true }
                    }
                    _ if !any => return Err(self.error(BodyErrorKind::ChunkSize, at)),
                    b' ' | b'\t' => Chunk::SizeWs,
                    b';' => Chunk::Ext { len: 0 },
                    b'\r' => Chunk::SizeLf,
                    b'\n' => self.size_line_end(),
                    _ => return Err(self.error(BodyErrorKind::ChunkSize, at)),
                },
                Chunk::SizeWs => match b {
                    b' ' | b'\t' => Chunk::SizeWs,
                    b';' => Chunk::Ext { len: 0 },
                    b'\r' => Chunk::SizeLf,
                    b'\n' => self.size_line_end(),
                    _ => return Err(self.error(BodyErrorKind::ChunkSize, at)),
                },
                Chunk::Ext { len } => match b {
                    b'\r' => Chunk::SizeLf,
                    b'\n' => self.size_line_end(),
                    b'\t' | 0x20..=0x7e | 0x80..=0xff => {
                        let len = len.saturating_add(1);
                        if usize::from(len) > MAX_CHUNK_EXTENSION_LEN {
                            return Err(self.error(BodyErrorKind::ChunkExtensionTooLong, at));
                        }
                        Chunk::Ext { len }
                    }
                    _ => return Err(self.error(BodyErrorKind::ChunkSize, at)),
                },
                Chunk::SizeLf => match b {
                    b'\n' => self.size_line_end(),
                    _ => return Err(self.error(BodyErrorKind::ChunkSize, at)),
                },
                Chunk::DataCr => match b {
                    b'\r' => Chunk::DataLf,
                    b'\n' => Chunk::Size { any: false },
                    _ => return Err(self.error(BodyErrorKind::ChunkDelimiter, at)),
                },
                Chunk::DataLf => match b {
                    b'\n' => Chunk::Size { any: false },
                    _ => return Err(self.error(BodyErrorKind::ChunkDelimiter, at)),
                },
                Chunk::TrailerStart => match b {
                    b'\r' => Chunk::FinalLf,
                    b'\n' => Chunk::Done,
                    _ => self.trailer_byte(at)?,
                },
                Chunk::TrailerLine => match b {
                    b'\r' => Chunk::TrailerLf,
                    b'\n' => Chunk::TrailerStart,
                    _ => self.trailer_byte(at)?,
                },
                Chunk::TrailerLf => match b {
                    b'\n' => Chunk::TrailerStart,
                    _ => return Err(self.error(BodyErrorKind::Trailer, at)),
                },
                Chunk::FinalLf => match b {
                    b'\n' => Chunk::Done,
                    _ => return Err(self.error(BodyErrorKind::Trailer, at)),
                },
                // Data is handled above; Done never loops.
                Chunk::Data | Chunk::Done => self.state,
            };
            if self.state == Chunk::Done {
                break;
            }
        }
        self.consumed = self.consumed.saturating_add(r.saturating_sub(start) as u64);
        Ok((r, w))
    }

    /// The chunk-size line ended: a zero size starts the trailer section.
    fn size_line_end(&self) -> Chunk {
        if self.remaining == 0 {
            Chunk::TrailerStart
        } else {
            Chunk::Data
        }
    }

    fn trailer_byte(&mut self, at: usize) -> Result<Chunk, BodyError> {
        self.trailer = self.trailer.saturating_add(1);
        if usize::from(self.trailer) > MAX_TRAILER_LEN {
            return Err(self.error(BodyErrorKind::Trailer, at));
        }
        Ok(Chunk::TrailerLine)
    }
}

/// The buffer the chunked state machine reads from and, in place, moves data bytes within.
trait Window {
    /// The byte at `i`, if in bounds.
    fn byte(&self, i: usize) -> Option<u8>;
    /// Moves the data bytes `from..to` down to `dest` (`dest <= from`).
    fn move_data(&mut self, from: usize, to: usize, dest: usize);
}

/// [`BodyDecoder::feed`]: the framing is removed in the caller's buffer.
struct InPlace<'a>(&'a mut [u8]);

impl Window for InPlace<'_> {
    fn byte(&self, i: usize) -> Option<u8> {
        self.0.get(i).copied()
    }

    fn move_data(&mut self, from: usize, to: usize, dest: usize) {
        // `from..to` is within the received bytes and `dest < from`: in bounds.
        if dest != from && to <= self.0.len() && from <= to {
            self.0.copy_within(from..to, dest);
        }
    }
}

/// [`BodyDecoder::scan`]: nothing moves, data bytes are only counted.
struct ReadOnly<'a>(&'a [u8]);

impl Window for ReadOnly<'_> {
    fn byte(&self, i: usize) -> Option<u8> {
        self.0.get(i).copied()
    }

    fn move_data(&mut self, _: usize, _: usize, _: usize) {}
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
    extern crate std;
    use super::*;
    use std::vec::Vec;

    /// Feeds `raw` to a fresh decoder, split at the given points, into a buffer of `cap`.
    fn run(
        framing: Framing,
        raw: &[u8],
        splits: &[usize],
        cap: usize,
    ) -> Result<(Vec<u8>, usize), BodyError> {
        let mut buf = std::vec![0u8; cap];
        let mut dec = BodyDecoder::new(framing);
        let mut last = 0;
        let mut result = BodyStatus::Partial;
        for &s in splits.iter().chain(core::iter::once(&raw.len())) {
            let piece = &raw[last..s];
            last = s;
            let at = dec.write_position();
            buf[at..at + piece.len()].copy_from_slice(piece);
            result = dec.feed(&mut buf, piece.len())?;
        }
        match result {
            BodyStatus::Complete { len, excess } => Ok((buf[..len].to_vec(), excess)),
            BodyStatus::Partial => {
                let len = dec.eof()?;
                Ok((buf[..len].to_vec(), 0))
            }
        }
    }

    const CHUNKED: &[u8] = b"4;name=value;x=\"q\"\r\nWiki\r\n5 \r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0;last\r\nExpires: never\r\nX: y\r\n\r\n";

    #[test]
    fn chunked_every_single_split() {
        for s in 0..=CHUNKED.len() {
            let (body, excess) = run(Framing::Chunked, CHUNKED, &[s], 128).unwrap();
            assert_eq!(body, b"Wikipedia in\r\n\r\nchunks.", "split at {s}");
            assert_eq!(excess, 0);
        }
    }

    #[test]
    fn chunked_every_pair_of_splits() {
        for a in 0..=CHUNKED.len() {
            for b in a..=CHUNKED.len() {
                let (body, _) = run(Framing::Chunked, CHUNKED, &[a, b], 128).unwrap();
                assert_eq!(body, b"Wikipedia in\r\n\r\nchunks.");
            }
        }
    }

    #[test]
    fn chunked_byte_by_byte_and_excess() {
        let mut raw = CHUNKED.to_vec();
        raw.extend_from_slice(b"HTTP/1.1");
        let splits: Vec<usize> = (1..CHUNKED.len()).collect();
        let (body, excess) = run(Framing::Chunked, &raw, &splits, 128).unwrap();
        assert_eq!(body, b"Wikipedia in\r\n\r\nchunks.");
        assert_eq!(excess, 8);
        // Excess in the same feed as the end: moved right after the body.
        let mut buf = [0u8; 128];
        buf[..raw.len()].copy_from_slice(&raw);
        let mut dec = BodyDecoder::new(Framing::Chunked);
        let st = dec.feed(&mut buf, raw.len()).unwrap();
        assert_eq!(st, BodyStatus::Complete { len: 23, excess: 8 });
        assert_eq!(&buf[23..31], b"HTTP/1.1");
    }

    #[test]
    fn chunked_bare_lf_and_uppercase_hex() {
        let (body, _) = run(Framing::Chunked, b"A\nabcdefghij\n0\n\n", &[], 64).unwrap();
        assert_eq!(body, b"abcdefghij");
    }

    #[test]
    fn chunked_errors_with_offsets() {
        let e = run(Framing::Chunked, b"zz\r\n", &[], 64).unwrap_err();
        assert_eq!((e.kind, e.offset), (BodyErrorKind::ChunkSize, 0));
        let e = run(Framing::Chunked, b"3\r\nabcX", &[2], 64).unwrap_err();
        assert_eq!((e.kind, e.offset), (BodyErrorKind::ChunkDelimiter, 6));
        let e = run(Framing::Chunked, b"11111111111111111\r\n", &[], 64).unwrap_err();
        assert_eq!((e.kind, e.offset), (BodyErrorKind::ChunkSizeOverflow, 16));
        let e = run(Framing::Chunked, b"3\r\nabc\r\n", &[], 64).unwrap_err();
        assert_eq!(e.kind, BodyErrorKind::Truncated);
        let e = run(Framing::Chunked, b"\r\n", &[], 64).unwrap_err();
        assert_eq!(e.kind, BodyErrorKind::ChunkSize);
        let e = run(Framing::Chunked, b"3\rX", &[], 64).unwrap_err();
        assert_eq!(e.kind, BodyErrorKind::ChunkSize);
        let mut long = b"1;".to_vec();
        long.extend(core::iter::repeat_n(b'a', MAX_CHUNK_EXTENSION_LEN + 1));
        let e = run(Framing::Chunked, &long, &[], 2048).unwrap_err();
        assert_eq!(e.kind, BodyErrorKind::ChunkExtensionTooLong);
    }

    #[test]
    fn chunked_too_large_for_buffer() {
        let raw = b"8\r\n12345678\r\n0\r\n\r\n";
        let splits: Vec<usize> = (1..raw.len()).collect();
        let e = run(Framing::Chunked, raw, &splits, 8).unwrap_err();
        assert_eq!(e.kind, BodyErrorKind::TooLarge);
        // One spare byte is enough when the framing arrives in small pieces.
        let (body, _) = run(Framing::Chunked, raw, &splits, 9).unwrap();
        assert_eq!(body, b"12345678");
    }

    #[test]
    fn content_length_in_pieces() {
        let raw = b"<soap:Envelope/>";
        for s in 0..=raw.len() {
            for t in s..=raw.len() {
                let (body, excess) =
                    run(Framing::Length(raw.len() as u64), raw, &[s, t], 32).unwrap();
                assert_eq!(body, raw);
                assert_eq!(excess, 0);
            }
        }
        let (body, excess) = run(Framing::Length(3), b"abcdef", &[], 32).unwrap();
        assert_eq!((body.as_slice(), excess), (&b"abc"[..], 3));
        let e = run(Framing::Length(10), b"abc", &[], 32).unwrap_err();
        assert_eq!(e.kind, BodyErrorKind::Truncated);
        let e = run(Framing::Length(100), b"abc", &[], 32).unwrap_err();
        assert_eq!(e.kind, BodyErrorKind::TooLarge);
    }

    #[test]
    fn until_close_and_empty() {
        let (body, _) = run(Framing::UntilClose, b"abcdef", &[2, 4], 32).unwrap();
        assert_eq!(body, b"abcdef");
        let (body, excess) = run(Framing::Empty, b"xy", &[], 32).unwrap();
        assert_eq!((body.len(), excess), (0, 2));
        let e = run(Framing::UntilClose, b"abcdef", &[], 6).unwrap_err();
        assert_eq!(e.kind, BodyErrorKind::TooLarge);
    }

    #[test]
    fn misuse_is_an_error_not_a_panic() {
        let mut buf = [0u8; 4];
        let mut dec = BodyDecoder::new(Framing::Chunked);
        assert_eq!(
            dec.feed(&mut buf, 5).unwrap_err().kind,
            BodyErrorKind::ApiMisuse
        );
        assert_eq!(
            dec.feed(&mut buf, usize::MAX).unwrap_err().kind,
            BodyErrorKind::ApiMisuse
        );
    }

    /// Scans `raw` split at `splits`: (status of the last piece, data length, bytes of the
    /// whole input that belong to the body).
    fn scan_all(
        framing: Framing,
        raw: &[u8],
        splits: &[usize],
    ) -> Result<(bool, usize, usize), BodyError> {
        let mut dec = BodyDecoder::new(framing);
        let mut last = 0;
        for &s in splits.iter().chain(core::iter::once(&raw.len())) {
            let piece = &raw[last..s];
            last = s;
            if let BodyStatus::Complete { len, excess } = dec.scan(piece)? {
                return Ok((true, len, s - excess));
            }
        }
        Ok((false, dec.len(), raw.len()))
    }

    #[test]
    fn scan_finds_the_end_without_changing_the_bytes() {
        let mut raw = CHUNKED.to_vec();
        raw.extend_from_slice(b"HTTP/1.1");
        for a in 0..=raw.len() {
            for b in a..=raw.len() {
                let got = scan_all(Framing::Chunked, &raw, &[a, b]).unwrap();
                assert_eq!(got, (true, 23, CHUNKED.len()), "splits {a} {b}");
            }
            // Cut short: never complete.
            let got = scan_all(
                Framing::Chunked,
                &CHUNKED[..CHUNKED.len() - 1],
                &[a.min(CHUNKED.len() - 1)],
            )
            .unwrap();
            assert!(!got.0);
        }
        assert_eq!(
            scan_all(Framing::Length(5), b"hello there", &[2]).unwrap(),
            (true, 5, 5)
        );
        assert_eq!(
            scan_all(Framing::Length(5), b"hel", &[1]).unwrap(),
            (false, 3, 3)
        );
        assert_eq!(scan_all(Framing::Empty, b"xy", &[]).unwrap(), (true, 0, 0));
        assert_eq!(
            scan_all(Framing::UntilClose, b"xy", &[1]).unwrap(),
            (false, 2, 2)
        );
    }

    #[test]
    fn scan_reports_the_errors_feed_reports() {
        for raw in [&b"zz\r\n"[..], b"3\r\nabcX", b"1;\x01\r\n", b"0\r\nX\rY"] {
            let fed = run(Framing::Chunked, raw, &[], 64).unwrap_err();
            let scanned = scan_all(Framing::Chunked, raw, &[]).unwrap_err();
            assert_eq!(fed, scanned, "{raw:?}");
        }
    }
}
