//! Errors of the [`Cpe`](super::Cpe) API: only caller mistakes and buffer or writer failures.
//! Peer failures are [`SessionOutcome`](super::SessionOutcome)s.

use core::fmt;

/// The caller used the API out of turn; nothing changed (DESIGN §3, rustls's `ApiMisuse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ApiMisuse {
    /// `handle_connected` without a pending `Connect`.
    NotConnecting,
    /// `handle_response` while no request is awaiting its response.
    NoRequestOutstanding,
    /// `handle_response` with `len` beyond the buffer.
    LengthOutOfRange,
    /// The buffer does not hold a complete HTTP response yet: read more and call again with the
    /// same buffer (a chunked body is only de-chunked once complete).
    IncompleteResponse,
    /// The response's announced body does not fit in the receive buffer.
    BufferTooSmall,
    /// `respond` while no ACS request is waiting for its answer.
    NoAcsRequest,
    /// `send_request` while the machine did not ask for that request.
    RequestNotReady,
    /// A value the machine cannot hold (too long for its capacity).
    TooLong,
}

impl ApiMisuse {
    /// A static description.
    pub const fn as_str(self) -> &'static str {
        match self {
            ApiMisuse::NotConnecting => "no connection was requested",
            ApiMisuse::NoRequestOutstanding => "no request awaits a response",
            ApiMisuse::LengthOutOfRange => "length beyond the buffer",
            ApiMisuse::IncompleteResponse => "incomplete HTTP response",
            ApiMisuse::BufferTooSmall => "receive buffer too small for the body",
            ApiMisuse::NoAcsRequest => "no ACS request awaits an answer",
            ApiMisuse::RequestNotReady => "that request cannot be sent now",
            ApiMisuse::TooLong => "value too long",
        }
    }
}

impl fmt::Display for ApiMisuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for ApiMisuse {}

/// Writing an HTTP request failed; the machine's state is unchanged (retry with a bigger buffer
/// or a working writer). Never a peer failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SendError<E> {
    /// Called out of turn.
    Misuse(ApiMisuse),
    /// The writer failed (for `&mut [u8]`: the buffer is too small).
    Write(E),
    /// The message cannot be encoded (a string with a character XML cannot carry, an array
    /// source that changed length, a header field with a control character).
    Encode,
}

impl<E> From<ApiMisuse> for SendError<E> {
    fn from(e: ApiMisuse) -> Self {
        SendError::Misuse(e)
    }
}

impl<E: fmt::Debug> fmt::Display for SendError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Misuse(m) => fmt::Display::fmt(m, f),
            SendError::Write(e) => write!(f, "writer failed: {e:?}"),
            SendError::Encode => f.write_str("message cannot be encoded"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for SendError<E> {}
