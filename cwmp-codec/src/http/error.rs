//! Errors shared by the head readers and writers.

use core::fmt;

/// What is wrong with an HTTP message head (status line, request line or header fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HeadErrorKind {
    /// Invalid byte in a header field name.
    HeaderName,
    /// Invalid byte in a header field value.
    HeaderValue,
    /// Invalid line ending.
    NewLine,
    /// Invalid status code or reason phrase.
    Status,
    /// Invalid token (method, for instance).
    Token,
    /// More header fields than the caller's header array holds: retry with a larger array.
    TooManyHeaders,
    /// Not `HTTP/1.0` or `HTTP/1.1`.
    Version,
    /// `Content-Length` is not a decimal number, or two of them disagree (RFC 9112 §6.3).
    ContentLength,
    /// A `Transfer-Encoding` whose final coding is not `chunked` (RFC 9112 §6.3): the length of
    /// the body cannot be known.
    TransferEncoding,
}

impl HeadErrorKind {
    const fn as_str(self) -> &'static str {
        match self {
            Self::HeaderName => "invalid header field name",
            Self::HeaderValue => "invalid header field value",
            Self::NewLine => "invalid line ending",
            Self::Status => "invalid status line",
            Self::Token => "invalid token",
            Self::TooManyHeaders => "more header fields than the header array holds",
            Self::Version => "unsupported HTTP version",
            Self::ContentLength => "invalid or conflicting Content-Length",
            Self::TransferEncoding => "unsupported Transfer-Encoding",
        }
    }
}

/// A malformed HTTP message head.
///
/// `offset` is the byte offset in the head of the header field line at fault when the error is
/// about one field (`ContentLength`, `TransferEncoding`); for syntax errors found by `httparse`
/// it is `None` (httparse does not report a position).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct HeadError {
    /// What is wrong.
    pub kind: HeadErrorKind,
    /// Where, when known.
    pub offset: Option<usize>,
}

impl HeadError {
    pub(crate) const fn new(kind: HeadErrorKind, offset: Option<usize>) -> Self {
        Self { kind, offset }
    }
}

impl From<httparse::Error> for HeadError {
    fn from(e: httparse::Error) -> Self {
        let kind = match e {
            httparse::Error::HeaderName => HeadErrorKind::HeaderName,
            httparse::Error::HeaderValue => HeadErrorKind::HeaderValue,
            httparse::Error::NewLine => HeadErrorKind::NewLine,
            httparse::Error::Status => HeadErrorKind::Status,
            httparse::Error::Token => HeadErrorKind::Token,
            httparse::Error::TooManyHeaders => HeadErrorKind::TooManyHeaders,
            httparse::Error::Version => HeadErrorKind::Version,
        };
        Self::new(kind, None)
    }
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some(o) = self.offset {
            write!(f, " at byte {o}")?;
        }
        Ok(())
    }
}

impl core::error::Error for HeadError {}

/// Writing a message head failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum WriteError<E> {
    /// The writer failed (for `&mut [u8]`: the buffer is too small).
    Io(E),
    /// A caller-supplied field (path, host, header value) contains CR, LF or another control
    /// character, or is empty where a value is required; nothing valid can be written.
    InvalidField,
}

impl<E> From<E> for WriteError<E> {
    fn from(e: E) -> Self {
        Self::Io(e)
    }
}

impl<E: fmt::Debug> fmt::Display for WriteError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(_) => f.write_str("writer error"),
            Self::InvalidField => f.write_str("field contains a control character"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for WriteError<E> {}
