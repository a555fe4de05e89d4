//! HTTP responses: the CPE's reader and classifier, and the head writer for the ACS and for the
//! CPE's connection-request server.
//!
//! The ACS sends its SOAP requests and responses in HTTP response bodies (TR-069 §3.4.1); a
//! response with an envelope uses **200**, an empty one **204** (§3.4.6) — but real ACSs also end
//! a Session with an empty 200 (INTEROP H1), so both mean "no more requests".

use core::fmt;

use embedded_io::Write;

use super::body::Framing;
use super::fields::{self, trim_ows};
use super::write::{header, header_decimal, Counter};
use super::{HeadError, HeadErrorKind, Header, Status, WriteError};

/// A parsed response head, borrowing the receive buffer (`'b`) and the caller's header array
/// (`'h`).
#[derive(Debug, Clone, Copy)]
pub struct ResponseHead<'h, 'b> {
    /// Status code.
    pub status: u16,
    /// Reason phrase (may be empty).
    pub reason: &'b str,
    /// `0` for HTTP/1.0, `1` for HTTP/1.1.
    pub version: u8,
    /// Length of the head, including the final empty line: the body starts there.
    pub head_len: usize,
    /// Every header field, in order.
    pub headers: &'h [Header<'b>],
    framing: Framing,
}

/// What a CPE should do with a response (TR-069 §3.4, §3.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ResponseClass {
    /// 200 with a body: a SOAP envelope to decode.
    Envelope,
    /// 204, or 200 with an empty (or whitespace-only) body: the ACS has no more requests
    /// (§3.4.6, INTEROP H1).
    NoMoreRequests,
    /// 301, 302 or 307 with a `Location`: re-send the same POST there (§3.4.2).
    Redirect,
    /// Any other 3xx (or a 301/302/307 without `Location`): not followed; the Session fails.
    OtherRedirect,
    /// 401: authenticate (§3.4.4) with the `WWW-Authenticate` challenges.
    Unauthorized,
    /// 415: the ACS does not accept the `Content-Encoding`; turn compression off and retry the
    /// Session (§3.4.7).
    UnsupportedMediaType,
    /// 503: overloaded; see `Retry-After` (INTEROP C5).
    ServiceUnavailable,
    /// Any other 4xx (GenieACS answers 400 to a CPE already in a Session, C5).
    ClientError,
    /// Any other 5xx.
    ServerError,
    /// 1xx (should not reach the caller: skip it and read the next head, RFC 9110 §15.2), other 2xx, or a code
    /// outside 100..=599.
    Unexpected,
}

/// A `Retry-After` value (RFC 9110 §10.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RetryAfter<'b> {
    /// Seconds to wait.
    Seconds(u64),
    /// An HTTP-date, left raw (the CPE may have no clock); read it with
    /// [`parse_http_date`](super::date::parse_http_date).
    Date(&'b [u8]),
}

impl<'h, 'b> ResponseHead<'h, 'b> {
    /// Parses a response head from `buf` (everything received so far).
    ///
    /// Returns [`Status::Partial`] until the empty line that ends the head arrived. On
    /// [`Status::Complete`], the body starts at [`head_len`](Self::head_len). A head that fills
    /// the caller's buffer while still partial is too long: fail the exchange. A `100 Continue`
    /// head (never asked for by this crate's writer) is complete on its own: skip `head_len`
    /// bytes and parse again.
    ///
    /// # Errors
    /// [`HeadError`]: bad syntax, more fields than `headers` holds (`TooManyHeaders`: retry with a
    /// larger array), bad or conflicting `Content-Length`, a `Transfer-Encoding` other than
    /// chunked. Never panics.
    pub fn parse(buf: &'b [u8], headers: &'h mut [Header<'b>]) -> Result<Status<Self>, HeadError> {
        let mut resp = httparse::Response::new(headers);
        // Tolerant reader (DESIGN §2): obsolete line folding, spaces after a field name and
        // doubled spaces in the status line are accepted from servers.
        let head_len = match httparse::ParserConfig::default()
            .allow_obsolete_multiline_headers_in_responses(true)
            .allow_spaces_after_header_name_in_responses(true)
            .allow_multiple_spaces_in_response_status_delimiters(true)
            .parse_response(&mut resp, buf)?
        {
            Status::Complete(n) => n,
            Status::Partial => return Ok(Status::Partial),
        };
        let httparse::Response {
            version,
            code,
            reason,
            headers,
        } = resp;
        let headers: &'h [Header<'b>] = headers;
        let status = code.ok_or(HeadError::new(HeadErrorKind::Status, Some(0)))?;
        let framing = if (100..200).contains(&status) || status == 204 || status == 304 {
            Framing::Empty
        } else {
            fields::framing(buf, headers, Framing::UntilClose)?
        };
        Ok(Status::Complete(Self {
            status,
            reason: reason.unwrap_or(""),
            version: version.unwrap_or(1),
            head_len,
            headers,
            framing,
        }))
    }

    /// How the body is delimited (RFC 9112 §6.3). Give it to a
    /// [`BodyDecoder`](super::body::BodyDecoder).
    pub const fn framing(&self) -> Framing {
        self.framing
    }

    /// The first value of header `name` (case-insensitive), trimmed.
    pub fn header(&self, name: &'static str) -> Option<&'b [u8]> {
        fields::first(self.headers, name)
    }

    /// True when the server will close the connection after this response: `Connection: close`,
    /// or HTTP/1.0 without `keep-alive`. The next request then goes on a new connection
    /// (§3.4.2, INTEROP C2).
    pub fn connection_close(&self) -> bool {
        fields::connection_has(self.headers, b"close")
            || (self.version == 0 && !fields::connection_has(self.headers, b"keep-alive"))
    }

    /// Every `Set-Cookie` field value, for [`CookieJar::store_set_cookie`](super::cookie::CookieJar::store_set_cookie).
    /// Cookies may come on any response, a 401 included (INTEROP C1).
    pub fn set_cookies(&self) -> impl Iterator<Item = &'b [u8]> + 'h {
        fields::values(self.headers, "set-cookie")
    }

    /// Every `WWW-Authenticate` field value (each may hold several challenges).
    pub fn www_authenticate(&self) -> impl Iterator<Item = &'b [u8]> + 'h {
        fields::values(self.headers, "www-authenticate")
    }

    /// `Location`, trimmed, when it is valid UTF-8.
    pub fn location(&self) -> Option<&'b str> {
        self.header("location")
            .and_then(|v| core::str::from_utf8(v).ok())
    }

    /// `Retry-After` (503 and 3xx; INTEROP C5).
    pub fn retry_after(&self) -> Option<RetryAfter<'b>> {
        let v = self.header("retry-after")?;
        Some(match fields::parse_u64(v) {
            Some(s) => RetryAfter::Seconds(s),
            None => RetryAfter::Date(v),
        })
    }

    /// `Content-Type`, trimmed.
    pub fn content_type(&self) -> Option<&'b [u8]> {
        self.header("content-type")
    }

    /// True when `Content-Type` is `text/xml` (TR-069 §3.4.1), parameters ignored.
    pub fn is_text_xml(&self) -> bool {
        self.content_type().is_some_and(is_text_xml)
    }

    /// `Content-Encoding`, trimmed.
    pub fn content_encoding(&self) -> Option<&'b [u8]> {
        self.header("content-encoding")
    }

    /// `Content-Length`, when the body is delimited by one.
    pub const fn content_length(&self) -> Option<u64> {
        match self.framing {
            Framing::Length(n) => Some(n),
            Framing::Empty => Some(0),
            _ => None,
        }
    }

    /// True when the body is chunked.
    pub fn is_chunked(&self) -> bool {
        self.framing == Framing::Chunked
    }

    /// Classifies the response for a CPE, given the decoded body (only used to tell an empty
    /// 200 from an envelope).
    pub fn classify(&self, body: &[u8]) -> ResponseClass {
        match self.status {
            200 if trim_ows_all(body).is_empty() => ResponseClass::NoMoreRequests,
            200 => ResponseClass::Envelope,
            204 => ResponseClass::NoMoreRequests,
            301 | 302 | 307 if self.location().is_some_and(|l| !l.is_empty()) => {
                ResponseClass::Redirect
            }
            300..=399 => ResponseClass::OtherRedirect,
            401 => ResponseClass::Unauthorized,
            415 => ResponseClass::UnsupportedMediaType,
            503 => ResponseClass::ServiceUnavailable,
            400..=499 => ResponseClass::ClientError,
            500..=599 => ResponseClass::ServerError,
            _ => ResponseClass::Unexpected,
        }
    }
}

/// True for `text/xml` with any parameters (TR-069 §3.4.1).
pub(crate) fn is_text_xml(v: &[u8]) -> bool {
    let mt = v.split(|&b| b == b';').next().map(trim_ows).unwrap_or(&[]);
    mt.eq_ignore_ascii_case(b"text/xml")
}

fn trim_ows_all(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    b.get(s..).unwrap_or(&[])
}

/// The standard reason phrase of the status codes CWMP uses.
pub const fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        415 => "Unsupported Media Type",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// A response head to write: for an ACS answering a CPE's POST, or for the CPE's
/// connection-request server (§3.2.2.2). `Content-Type: text/xml; charset="utf-8"` is written
/// when `envelope` is true; `Content-Length` is always written except on 204 (RFC 9110 §8.6
/// forbids it there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ServerResponseHead<'a> {
    /// Status code (100..=999).
    pub status: u16,
    /// Reason phrase; `None` for [`reason_phrase`].
    pub reason: Option<&'a str>,
    /// The body is a SOAP envelope (adds `Content-Type`, TR-069 §3.4.1).
    pub envelope: bool,
    /// Body length.
    pub content_length: u64,
    /// `Content-Encoding` of the body, if coded (§3.4.7).
    pub content_encoding: Option<&'a str>,
    /// `Set-Cookie` values, one field each.
    pub set_cookie: &'a [&'a str],
    /// A `WWW-Authenticate` value (see [`DigestChallenge`](super::auth::DigestChallenge)).
    pub www_authenticate: Option<&'a str>,
    /// A `Location` (3xx).
    pub location: Option<&'a str>,
    /// `Retry-After` seconds (503).
    pub retry_after: Option<u32>,
    /// Adds `Connection: close`.
    pub connection_close: bool,
}

impl<'a> ServerResponseHead<'a> {
    /// A head with `status`, no body and nothing else.
    pub const fn new(status: u16) -> Self {
        Self {
            status,
            reason: None,
            envelope: false,
            content_length: 0,
            content_encoding: None,
            set_cookie: &[],
            www_authenticate: None,
            location: None,
            retry_after: None,
            connection_close: false,
        }
    }

    /// An ACS response carrying a SOAP envelope of `len` bytes: 200, `text/xml` (§3.4.1).
    pub const fn envelope(len: u64) -> Self {
        Self {
            envelope: true,
            content_length: len,
            ..Self::new(200)
        }
    }

    /// The ACS's empty response ending the Session: 204 (§3.4.6).
    pub const fn no_content() -> Self {
        Self::new(204)
    }

    /// Connection-request server: success, empty body (`200` or `204`, §3.2.2.2).
    pub const fn connection_request_ok(status_204: bool) -> Self {
        Self::new(if status_204 { 204 } else { 200 })
    }

    /// Connection-request server: authentication needed, with a challenge value (§3.2.2.2).
    pub const fn connection_request_unauthorized(challenge: &'a str) -> Self {
        Self {
            www_authenticate: Some(challenge),
            ..Self::new(401)
        }
    }

    /// Connection-request server: rate-limited or in a Session; no `Retry-After` (§3.2.2.2).
    pub const fn connection_request_busy() -> Self {
        Self::new(503)
    }

    /// Writes the head (status line, fields, empty line). Send the body after it.
    ///
    /// # Errors
    /// [`WriteError::Io`] from the writer; [`WriteError::InvalidField`] when a value holds a
    /// control character or the status is not three digits. Never panics.
    pub fn write<W: Write>(&self, w: &mut W) -> Result<(), WriteError<W::Error>> {
        if !(100..=999).contains(&self.status) {
            return Err(WriteError::InvalidField);
        }
        let reason = self.reason.unwrap_or(reason_phrase(self.status));
        if !super::write::is_field_safe(reason.as_bytes()) {
            return Err(WriteError::InvalidField);
        }
        w.write_all(b"HTTP/1.1 ")?;
        super::write::decimal(w, u64::from(self.status))?;
        w.write_all(b" ")?;
        w.write_all(reason.as_bytes())?;
        w.write_all(b"\r\n")?;
        if self.envelope {
            header(w, "Content-Type", b"text/xml; charset=\"utf-8\"")?;
        }
        if let Some(ce) = self.content_encoding {
            header(w, "Content-Encoding", ce.as_bytes())?;
        }
        if self.status != 204 && !(100..200).contains(&self.status) {
            header_decimal(w, "Content-Length", self.content_length)?;
        }
        for c in self.set_cookie {
            header(w, "Set-Cookie", c.as_bytes())?;
        }
        if let Some(v) = self.www_authenticate {
            header(w, "WWW-Authenticate", v.as_bytes())?;
        }
        if let Some(v) = self.location {
            header(w, "Location", v.as_bytes())?;
        }
        if let Some(s) = self.retry_after {
            header_decimal(w, "Retry-After", u64::from(s))?;
        }
        if self.connection_close {
            header(w, "Connection", b"close")?;
        }
        w.write_all(b"\r\n")?;
        Ok(())
    }

    /// The exact number of bytes [`write`](Self::write) produces (0 if it would fail).
    pub fn encoded_len(&self) -> usize {
        let mut c = Counter::default();
        match self.write(&mut c) {
            Ok(()) => c.count,
            Err(_) => 0,
        }
    }
}

impl fmt::Display for ResponseClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Envelope => "envelope",
            Self::NoMoreRequests => "no more requests",
            Self::Redirect => "redirect",
            Self::OtherRedirect => "redirect not followed",
            Self::Unauthorized => "unauthorized",
            Self::UnsupportedMediaType => "unsupported media type",
            Self::ServiceUnavailable => "service unavailable",
            Self::ClientError => "client error",
            Self::ServerError => "server error",
            Self::Unexpected => "unexpected status",
        })
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for ResponseHead<'_, '_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "ResponseHead({=usize} bytes, {=usize} fields, {})",
            self.head_len,
            self.headers.len(),
            self.framing
        );
    }
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
    use crate::http::EMPTY_HEADER;

    fn parse(raw: &[u8], f: impl FnOnce(ResponseHead<'_, '_>)) {
        let mut h = [EMPTY_HEADER; 16];
        match ResponseHead::parse(raw, &mut h).unwrap() {
            Status::Complete(r) => f(r),
            Status::Partial => panic!("partial"),
        }
    }

    #[test]
    fn partial_at_every_split() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5\r\n\r\nhello";
        let head_len = raw.len() - 5;
        for n in 0..head_len {
            let mut h = [EMPTY_HEADER; 16];
            assert!(
                ResponseHead::parse(&raw[..n], &mut h).unwrap().is_partial(),
                "{n}"
            );
        }
        parse(raw, |r| {
            assert_eq!(r.head_len, head_len);
            assert_eq!(r.framing(), Framing::Length(5));
            assert!(r.is_text_xml());
            assert_eq!(r.classify(b"hello"), ResponseClass::Envelope);
        });
    }

    #[test]
    fn every_status_class() {
        let cases: &[(&[u8], ResponseClass)] = &[
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                ResponseClass::NoMoreRequests,
            ),
            (
                b"HTTP/1.1 204 No Content\r\n\r\n",
                ResponseClass::NoMoreRequests,
            ),
            (
                b"HTTP/1.1 301 Moved\r\nLocation: http://b/\r\n\r\n",
                ResponseClass::Redirect,
            ),
            (
                b"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
                ResponseClass::Redirect,
            ),
            (
                b"HTTP/1.1 307 TR\r\nLocation: http://b/\r\n\r\n",
                ResponseClass::Redirect,
            ),
            (b"HTTP/1.1 307 TR\r\n\r\n", ResponseClass::OtherRedirect),
            (
                b"HTTP/1.1 308 PR\r\nLocation: http://b/\r\n\r\n",
                ResponseClass::OtherRedirect,
            ),
            (
                b"HTTP/1.1 303 See Other\r\nLocation: http://b/\r\n\r\n",
                ResponseClass::OtherRedirect,
            ),
            (
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n",
                ResponseClass::Unauthorized,
            ),
            (
                b"HTTP/1.1 415 Unsupported Media Type\r\n\r\n",
                ResponseClass::UnsupportedMediaType,
            ),
            (
                b"HTTP/1.1 503 Busy\r\nRetry-After: 120\r\n\r\n",
                ResponseClass::ServiceUnavailable,
            ),
            (
                b"HTTP/1.1 400 Invalid session\r\n\r\n",
                ResponseClass::ClientError,
            ),
            (b"HTTP/1.1 500 Oops\r\n\r\n", ResponseClass::ServerError),
            (b"HTTP/1.1 100 Continue\r\n\r\n", ResponseClass::Unexpected),
            (b"HTTP/1.1 202 Accepted\r\n\r\n", ResponseClass::Unexpected),
        ];
        for (raw, class) in cases {
            parse(raw, |r| assert_eq!(r.classify(b""), *class, "{}", r.status));
        }
        parse(b"HTTP/1.1 200 OK\r\n\r\n", |r| {
            assert_eq!(r.framing(), Framing::UntilClose);
            assert_eq!(r.classify(b" \r\n"), ResponseClass::NoMoreRequests);
        });
        parse(b"HTTP/1.1 503 Busy\r\nRetry-After: 120\r\n\r\n", |r| {
            assert_eq!(r.retry_after(), Some(RetryAfter::Seconds(120)));
        });
        parse(
            b"HTTP/1.1 503 Busy\r\nRetry-After: Fri, 31 Dec 1999 23:59:59 GMT\r\n\r\n",
            |r| {
                assert_eq!(
                    r.retry_after(),
                    Some(RetryAfter::Date(b"Fri, 31 Dec 1999 23:59:59 GMT"))
                );
            },
        );
    }

    #[test]
    fn framing_rules() {
        parse(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 10\r\n\r\n",
            |r| {
                assert!(r.is_chunked());
                assert_eq!(r.content_length(), None);
            },
        );
        parse(
            b"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
            |r| {
                assert_eq!(r.framing(), Framing::Empty);
            },
        );
        parse(b"HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\n\r\n", |r| {
            assert_eq!(r.framing(), Framing::Length(7));
        });
        let mut h = [EMPTY_HEADER; 8];
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 8\r\n\r\n";
        let e = ResponseHead::parse(raw, &mut h).unwrap_err();
        assert_eq!(e.kind, HeadErrorKind::ContentLength);
        assert_eq!(e.offset, Some(36));
        let mut h = [EMPTY_HEADER; 8];
        let e = ResponseHead::parse(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", &mut h)
            .unwrap_err();
        assert_eq!((e.kind, e.offset), (HeadErrorKind::ContentLength, Some(17)));
        let mut h = [EMPTY_HEADER; 8];
        let e = ResponseHead::parse(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            &mut h,
        )
        .unwrap_err();
        assert_eq!(e.kind, HeadErrorKind::TransferEncoding);
        let mut h = [EMPTY_HEADER; 8];
        let e = ResponseHead::parse(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            &mut h,
        )
        .unwrap_err();
        assert_eq!(e.kind, HeadErrorKind::TransferEncoding);
        let mut h = [EMPTY_HEADER; 1];
        let e =
            ResponseHead::parse(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n", &mut h).unwrap_err();
        assert_eq!(e.kind, HeadErrorKind::TooManyHeaders);
        let mut h = [EMPTY_HEADER; 1];
        let e = ResponseHead::parse(b"HTTP/2 200 OK\r\n\r\n", &mut h).unwrap_err();
        assert_eq!(e.kind, HeadErrorKind::Version);
    }

    #[test]
    fn tolerant_of_sloppy_servers() {
        parse(b"HTTP/1.1  200  OK\r\nContent-Type : text/xml\r\nX-Long: a\r\n b\r\nContent-Length: 0\r\n\r\n", |r| {
            assert_eq!(r.status, 200);
            assert!(r.is_text_xml());
            assert_eq!(r.framing(), Framing::Empty);
        });
        parse(b"HTTP/1.1 204 No Content\n\n", |r| {
            assert_eq!(r.status, 204)
        });
    }

    #[test]
    fn connection_close_forms() {
        parse(
            b"HTTP/1.1 401 U\r\nConnection: Keep-Alive, Close\r\n\r\n",
            |r| assert!(r.connection_close()),
        );
        parse(
            b"HTTP/1.1 401 U\r\n\r\n",
            |r| assert!(!r.connection_close()),
        );
        parse(
            b"HTTP/1.0 200 OK\r\n\r\n",
            |r| assert!(r.connection_close()),
        );
        parse(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", |r| {
            assert!(!r.connection_close())
        });
    }

    fn written(h: &ServerResponseHead<'_>) -> std::string::String {
        let mut buf = [0u8; 512];
        let mut w: &mut [u8] = &mut buf;
        h.write(&mut w).unwrap();
        let n = 512 - w.len();
        assert_eq!(n, h.encoded_len());
        std::string::String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    extern crate std;

    #[test]
    fn server_heads() {
        assert_eq!(
            written(&ServerResponseHead::envelope(42)),
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nContent-Length: 42\r\n\r\n"
        );
        assert_eq!(
            written(&ServerResponseHead::no_content()),
            "HTTP/1.1 204 No Content\r\n\r\n"
        );
        assert_eq!(
            written(&ServerResponseHead::connection_request_ok(false)),
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        );
        assert_eq!(
            written(&ServerResponseHead::connection_request_busy()),
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
        );
        assert_eq!(
            written(&ServerResponseHead::connection_request_unauthorized("Digest realm=\"r\"")),
            "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nWWW-Authenticate: Digest realm=\"r\"\r\n\r\n"
        );
        let cookies = ["s=1; Path=/", "t=2"];
        let h = ServerResponseHead {
            set_cookie: &cookies,
            location: Some("http://b/"),
            retry_after: Some(5),
            connection_close: true,
            ..ServerResponseHead::new(302)
        };
        assert_eq!(
            written(&h),
            "HTTP/1.1 302 Found\r\nContent-Length: 0\r\nSet-Cookie: s=1; Path=/\r\nSet-Cookie: t=2\r\nLocation: http://b/\r\nRetry-After: 5\r\nConnection: close\r\n\r\n"
        );
        let bad = ServerResponseHead {
            location: Some("x\r\nEvil: 1"),
            ..ServerResponseHead::new(302)
        };
        let mut buf = [0u8; 128];
        let mut w: &mut [u8] = &mut buf;
        assert_eq!(bad.write(&mut w), Err(WriteError::InvalidField));
        assert_eq!(bad.encoded_len(), 0);
        // Round trip through the reader.
        let text = written(&ServerResponseHead {
            set_cookie: &cookies,
            ..ServerResponseHead::envelope(3)
        });
        parse(text.as_bytes(), |r| {
            assert_eq!(r.framing(), Framing::Length(3));
            assert_eq!(r.set_cookies().count(), 2);
        });
    }
}
