//! Writing one HTTP POST (head and streamed envelope) for the [`Cpe`](super::Cpe) (§3.4.1).

use cwmp_codec::http::auth::{ClientAuth, Credentials};
use cwmp_codec::http::cookie::CookieJar;
use cwmp_codec::http::redirect::Redirects;
use cwmp_codec::http::request::{PostHead, PostKind};
use cwmp_codec::http::WriteError;
use cwmp_codec::message::{EventStruct, ParameterValueStruct};
use cwmp_codec::{Array, EncodeError, Envelope, ItemSource};
use embedded_io::Write;

use super::error::SendError;
use crate::events::EventQueue;
use crate::rng::Rng;

/// The events of the current Inform, produced on demand from the queue (nothing copied).
pub(crate) struct InformEvents<'q, const N: usize>(pub(crate) &'q EventQueue<N>);

impl<'q, const N: usize> ItemSource<EventStruct<'q>> for InformEvents<'q, N> {
    fn len(&self) -> usize {
        self.0.in_flight().count()
    }
    fn get(&self, index: usize) -> Option<EventStruct<'q>> {
        self.0
            .in_flight()
            .nth(index)
            .map(|e| EventStruct::new(e.code, e.command_key))
    }
}

/// The connection state a POST needs (borrowed field by field from the machine).
pub(crate) struct PostContext<'c, R: Rng> {
    pub(crate) acs_url: &'c str,
    pub(crate) redirects: &'c Redirects,
    pub(crate) jar: &'c CookieJar<{ super::COOKIE_STORAGE }>,
    pub(crate) auth: &'c mut ClientAuth,
    pub(crate) credentials: Credentials<'c>,
    pub(crate) rng: &'c mut R,
}

/// Decimal text of `n` in `buf`.
pub(crate) fn u32_text(n: u32, buf: &mut [u8; 10]) -> &str {
    let mut i = buf.len();
    let mut v = n;
    loop {
        i = i.saturating_sub(1);
        if let Some(b) = buf.get_mut(i) {
            // `v % 10` is below 10: the cast cannot truncate.
            *b = b'0'.saturating_add((v % 10) as u8);
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    core::str::from_utf8(buf.get(i..).unwrap_or(&[])).unwrap_or("0")
}

/// Writes the POST: head with cookies and credentials, then the envelope (or nothing for an
/// empty POST). Returns the number of bytes written: exactly the head plus `Content-Length`.
///
/// The Digest nonce count advances even when the writer then fails (RFC 7616 allows gaps).
pub(crate) fn write_post<W: Write, R: Rng>(
    cx: PostContext<'_, R>,
    kind: PostKind,
    envelope: Option<&Envelope<'_>>,
    w: &mut W,
) -> Result<usize, SendError<W::Error>> {
    let url = cx
        .redirects
        .current(cx.acs_url)
        .map_err(|_| SendError::Encode)?;
    let body_len = match envelope {
        Some(e) => e.encoded_len().map_err(|_| SendError::Encode)?,
        None => 0,
    };
    let mut cnonce = [0u8; 16];
    cx.rng.fill_bytes(&mut cnonce);
    // Prepared, not built: the value is written straight into the head (no 1,280-byte
    // string on the stack). A value that cannot be made is left out, as before.
    let authorization = cx
        .auth
        .prepare(&cx.credentials, "POST", url.request_target(), &cnonce)
        .ok()
        .flatten();
    let head = PostHead {
        cookie: cx.jar.header_value(),
        prepared_authorization: authorization.as_ref(),
        ..PostHead::new(
            url.host_header(),
            url.request_target(),
            kind,
            body_len as u64,
        )
    };
    head.write(w).map_err(|e| match e {
        WriteError::Io(e) => SendError::Write(e),
        _ => SendError::Encode,
    })?;
    if let Some(e) = envelope {
        e.encode(w).map_err(|e| match e {
            EncodeError::Write(e) => SendError::Write(e),
            _ => SendError::Encode,
        })?;
    }
    Ok(head.encoded_len().saturating_add(body_len))
}

/// The caller's Inform ParameterList seen with a shorter lifetime (the envelope also borrows
/// the machine's locals; `Array` is invariant, its items are not).
pub(crate) struct Parameters<'x, 'y>(pub(crate) &'x Array<'y, ParameterValueStruct<'y>>);

impl<'l, 'y: 'l> ItemSource<ParameterValueStruct<'l>> for Parameters<'_, 'y> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn get(&self, index: usize) -> Option<ParameterValueStruct<'l>> {
        self.0.iter().nth(index)
    }
}

/// A lending caller list ([`Array::from_lending`]) is forwarded item by item.
impl<'l, 'y: 'l> cwmp_codec::LendingSource<ParameterValueStruct<'l>> for Parameters<'_, 'y> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn lend<'f>(&self, index: usize, f: cwmp_codec::LendFn<'f, ParameterValueStruct<'l>>) -> bool
    where
        ParameterValueStruct<'l>: 'f,
    {
        self.0.lend(index, f)
    }
}
