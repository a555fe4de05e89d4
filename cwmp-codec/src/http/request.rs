//! HTTP requests: the writer for the CPE's POSTs (TR-069 §3.4.1) and the request head reader for
//! servers (an ACS receiving POSTs, the CPE's connection-request server receiving GETs,
//! §3.2.2.2).
//!
//! The writer is strict (INTEROP H2–H4): always `Content-Length` (never chunked), never
//! `Expect: 100-continue`, `Content-Type: text/xml; charset="utf-8"` and a `SOAPAction` header
//! only when an envelope is carried, the exact `SOAPAction` form by the kind of envelope.

use embedded_io::Write;

use super::auth::Authorization;
use super::body::Framing;
use super::fields;
use super::url::HostHeader;
use super::write::{header, header_decimal, Counter};
use super::{HeadError, HeadErrorKind, Header, Status, WriteError};

/// What a CPE's POST carries; decides `Content-Type` and `SOAPAction` (§3.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PostKind {
    /// An empty POST (the CPE has nothing to send, §3.7.1.2): no `Content-Type`, no `SOAPAction`,
    /// `Content-Length: 0` (INTEROP H2).
    Empty,
    /// A CPE-originated SOAP request (Inform, TransferComplete, GetRPCMethods, ...):
    /// `SOAPAction: ""`. TR-069 is silent; SOAP 1.1 §6.1.1 requires the header on requests
    /// (DIGEST §17 item 3).
    SoapRequest,
    /// A SOAP response or SOAP Fault to an ACS request: exactly `SOAPAction:` with no value
    /// (§3.4.1).
    SoapResponse,
}

/// The head of a CPE's HTTP POST, ready to write. Build with [`PostHead::new`] and set the
/// optional fields with struct update syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PostHead<'a> {
    /// `Host` value (from [`Url::host_header`](super::url::Url::host_header)).
    pub host: HostHeader<'a>,
    /// Request-target (origin-form: path and query, from
    /// [`Url::request_target`](super::url::Url::request_target)); a target starting with `?` is
    /// written with a `/` in front.
    pub target: &'a str,
    /// What the body is.
    pub kind: PostKind,
    /// Exact body length (from the SOAP encoder's length pass). Ignored for [`PostKind::Empty`].
    pub content_length: u64,
    /// `Cookie` value (from [`CookieJar::header_value`](super::cookie::CookieJar::header_value)).
    pub cookie: Option<&'a str>,
    /// `Authorization` value (from [`ClientAuth::authorization`](super::auth::ClientAuth::authorization)).
    pub authorization: Option<&'a str>,
    /// `Authorization` value written straight from [`ClientAuth::prepare`](super::auth::ClientAuth::prepare)
    /// instead of from text: the same bytes as `authorization` with its
    /// [`to_value`](super::auth::Authorization::to_value), without the 1,280-byte string.
    /// Setting both is [`WriteError::InvalidField`].
    pub prepared_authorization: Option<&'a Authorization<'a>>,
    /// `Content-Encoding` of the body (§3.4.7), e.g. `"gzip"`.
    pub content_encoding: Option<&'a str>,
    /// `User-Agent`, if any.
    pub user_agent: Option<&'a str>,
}

impl<'a> PostHead<'a> {
    /// A POST head with the mandatory parts and no cookie, credentials or coding.
    pub const fn new(
        host: HostHeader<'a>,
        target: &'a str,
        kind: PostKind,
        content_length: u64,
    ) -> Self {
        Self {
            host,
            target,
            kind,
            content_length,
            cookie: None,
            authorization: None,
            prepared_authorization: None,
            content_encoding: None,
            user_agent: None,
        }
    }

    /// Writes the head: request line, fields in a fixed order, empty line. The caller sends
    /// exactly `content_length` body bytes after it.
    ///
    /// # Errors
    /// [`WriteError::Io`] from the writer (for `&mut [u8]`: buffer too small);
    /// [`WriteError::InvalidField`] for an empty or non-origin-form target, an empty host, or a
    /// value with a control character (header injection). Never panics.
    pub fn write<W: Write>(&self, w: &mut W) -> Result<(), WriteError<W::Error>> {
        let t = self.target.as_bytes();
        let slash_needed = t.first() == Some(&b'?');
        if !(t.first() == Some(&b'/') || slash_needed) || t.iter().any(|&b| b <= 0x20 || b == 0x7f)
        {
            return Err(WriteError::InvalidField);
        }
        let host = self.host.host.as_bytes();
        if host.is_empty()
            || host
                .iter()
                .any(|&b| b <= 0x20 || b == 0x7f || b == b'/' || b == b'@')
        {
            return Err(WriteError::InvalidField);
        }
        w.write_all(b"POST ")?;
        if slash_needed {
            // `http://host?query` (see `Url::request_target`).
            w.write_all(b"/")?;
        }
        w.write_all(t)?;
        w.write_all(b" HTTP/1.1\r\nHost: ")?;
        self.host.write(w)?;
        w.write_all(b"\r\n")?;
        if let Some(ua) = self.user_agent {
            header(w, "User-Agent", ua.as_bytes())?;
        }
        match self.kind {
            PostKind::Empty => header_decimal(w, "Content-Length", 0)?,
            PostKind::SoapRequest | PostKind::SoapResponse => {
                header(w, "Content-Type", b"text/xml; charset=\"utf-8\"")?;
                if let Some(ce) = self.content_encoding {
                    if ce.is_empty() {
                        return Err(WriteError::InvalidField);
                    }
                    header(w, "Content-Encoding", ce.as_bytes())?;
                }
                header_decimal(w, "Content-Length", self.content_length)?;
                if self.kind == PostKind::SoapRequest {
                    w.write_all(b"SOAPAction: \"\"\r\n")?;
                } else {
                    w.write_all(b"SOAPAction:\r\n")?;
                }
            }
        }
        if let Some(c) = self.cookie {
            if !c.is_empty() {
                header(w, "Cookie", c.as_bytes())?;
            }
        }
        match (self.authorization, self.prepared_authorization) {
            (Some(_), Some(_)) => return Err(WriteError::InvalidField),
            (Some(a), None) => header(w, "Authorization", a.as_bytes())?,
            (None, Some(a)) => {
                // Checked when prepared: no control bytes, quoted parts escaped.
                w.write_all(b"Authorization: ")?;
                a.write(w)?;
                w.write_all(b"\r\n")?;
            }
            (None, None) => {}
        }
        w.write_all(b"\r\n")?;
        Ok(())
    }

    /// The exact number of bytes [`write`](Self::write) produces (0 when it would fail).
    pub fn encoded_len(&self) -> usize {
        let mut c = Counter::default();
        match self.write(&mut c) {
            Ok(()) => c.count,
            Err(_) => 0,
        }
    }
}

/// A parsed request head, borrowing the receive buffer (`'b`) and the header array (`'h`).
#[derive(Debug, Clone, Copy)]
pub struct RequestHead<'h, 'b> {
    /// Method (`POST`, `GET`, ...), case-sensitive (RFC 9110 §9.1).
    pub method: &'b str,
    /// Request-target as sent.
    pub target: &'b str,
    /// `0` for HTTP/1.0, `1` for HTTP/1.1.
    pub version: u8,
    /// Length of the head; the body starts there.
    pub head_len: usize,
    /// Every header field, in order.
    pub headers: &'h [Header<'b>],
    framing: Framing,
}

impl<'h, 'b> RequestHead<'h, 'b> {
    /// Parses a request head from `buf`. [`Status::Partial`] until the head is complete.
    ///
    /// # Errors
    /// [`HeadError`] for bad syntax, too many fields, bad `Content-Length` or an unsupported
    /// `Transfer-Encoding`. Never panics.
    pub fn parse(buf: &'b [u8], headers: &'h mut [Header<'b>]) -> Result<Status<Self>, HeadError> {
        let mut req = httparse::Request::new(headers);
        let head_len = match req.parse(buf)? {
            Status::Complete(n) => n,
            Status::Partial => return Ok(Status::Partial),
        };
        let httparse::Request {
            method,
            path,
            version,
            headers,
        } = req;
        let headers: &'h [Header<'b>] = headers;
        let (Some(method), Some(target)) = (method, path) else {
            return Err(HeadError::new(HeadErrorKind::Token, Some(0)));
        };
        // A request without length fields has no body (RFC 9112 §6.3 rule 7).
        let framing = fields::framing(buf, headers, Framing::Empty)?;
        Ok(Status::Complete(Self {
            method,
            target,
            version: version.unwrap_or(1),
            head_len,
            headers,
            framing,
        }))
    }

    /// How the body is delimited.
    pub const fn framing(&self) -> Framing {
        self.framing
    }

    /// The first value of header `name`, trimmed.
    pub fn header(&self, name: &'static str) -> Option<&'b [u8]> {
        fields::first(self.headers, name)
    }

    /// The path of the target without the query (a connection request ignores the query,
    /// INTEROP S7).
    pub fn path(&self) -> &'b str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query without `?`, if any.
    pub fn query(&self) -> Option<&'b str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// `Authorization`, trimmed: give it to [`DigestResponse::parse`](super::auth::DigestResponse::parse)
    /// or [`BasicCredentials::parse`](super::auth::BasicCredentials::parse).
    pub fn authorization(&self) -> Option<&'b [u8]> {
        self.header("authorization")
    }

    /// Every `Cookie` field value.
    pub fn cookies(&self) -> impl Iterator<Item = &'b [u8]> + 'h {
        fields::values(self.headers, "cookie")
    }

    /// `SOAPAction` when present: `Some(b"")` for the empty form, quotes kept otherwise.
    pub fn soap_action(&self) -> Option<&'b [u8]> {
        self.header("soapaction")
    }

    /// `Content-Type`, trimmed.
    pub fn content_type(&self) -> Option<&'b [u8]> {
        self.header("content-type")
    }

    /// True when `Content-Type` is `text/xml` (§3.4.1).
    pub fn is_text_xml(&self) -> bool {
        self.content_type()
            .is_some_and(super::response::is_text_xml)
    }

    /// `Content-Encoding`, trimmed.
    pub fn content_encoding(&self) -> Option<&'b [u8]> {
        self.header("content-encoding")
    }

    /// True when the client asked to close the connection (or is HTTP/1.0 without keep-alive).
    pub fn connection_close(&self) -> bool {
        fields::connection_has(self.headers, b"close")
            || (self.version == 0 && !fields::connection_has(self.headers, b"keep-alive"))
    }

    /// True when the client sent `Expect: 100-continue` (INTEROP H4: libcurl CPEs do). A server
    /// may answer `HTTP/1.1 100 Continue\r\n\r\n` first, or just read the body.
    pub fn expects_continue(&self) -> bool {
        self.header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"))
    }

    /// True for the empty POST of §3.4.1 / INTEROP H2: a POST with no body (whatever its
    /// `Content-Type`, some CPEs send `text/html`).
    pub fn is_empty_post(&self) -> bool {
        self.method == "POST" && self.framing == Framing::Empty
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for RequestHead<'_, '_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "RequestHead({=usize} bytes, {=usize} fields, {})",
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
    extern crate std;
    use super::*;
    use crate::http::EMPTY_HEADER;
    use std::string::String;

    fn written(h: &PostHead<'_>) -> String {
        let mut buf = [0u8; 1024];
        let mut w: &mut [u8] = &mut buf;
        h.write(&mut w).unwrap();
        let n = 1024 - w.len();
        assert_eq!(n, h.encoded_len());
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn inform_request() {
        let h = PostHead::new(
            HostHeader {
                host: "acs",
                port: Some(7547),
            },
            "/cwmp",
            PostKind::SoapRequest,
            1234,
        );
        assert_eq!(
            written(&h),
            "POST /cwmp HTTP/1.1\r\nHost: acs:7547\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nContent-Length: 1234\r\nSOAPAction: \"\"\r\n\r\n"
        );
    }

    #[test]
    fn response_post_has_empty_soapaction() {
        let h = PostHead {
            cookie: Some("a=1; b=2"),
            authorization: Some("Basic dTpw"),
            content_encoding: Some("gzip"),
            user_agent: Some("cwmp-rs"),
            ..PostHead::new(HostHeader::new("acs"), "/", PostKind::SoapResponse, 10)
        };
        let s = written(&h);
        assert_eq!(
            s,
            "POST / HTTP/1.1\r\nHost: acs\r\nUser-Agent: cwmp-rs\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\nSOAPAction:\r\nCookie: a=1; b=2\r\nAuthorization: Basic dTpw\r\n\r\n"
        );
        assert!(!s.contains("Expect"));
        assert!(!s.contains("chunked"));
    }

    #[test]
    fn empty_post_h2() {
        let h = PostHead {
            content_encoding: Some("gzip"),
            ..PostHead::new(HostHeader::new("acs"), "/", PostKind::Empty, 99)
        };
        let s = written(&h);
        assert_eq!(
            s,
            "POST / HTTP/1.1\r\nHost: acs\r\nContent-Length: 0\r\n\r\n"
        );
        assert!(!s.contains("SOAPAction") && !s.contains("Content-Type"));
    }

    #[test]
    fn injection_refused_and_small_buffer() {
        for h in [
            PostHead::new(HostHeader::new("acs"), "/a b", PostKind::Empty, 0),
            PostHead::new(HostHeader::new("acs"), "cwmp", PostKind::Empty, 0),
            PostHead::new(HostHeader::new(""), "/", PostKind::Empty, 0),
            PostHead::new(HostHeader::new("a\r\nX: y"), "/", PostKind::Empty, 0),
            PostHead {
                cookie: Some("a=1\r\nX: y"),
                ..PostHead::new(HostHeader::new("acs"), "/", PostKind::Empty, 0)
            },
            PostHead {
                authorization: Some("\n"),
                ..PostHead::new(HostHeader::new("acs"), "/", PostKind::Empty, 0)
            },
        ] {
            let mut buf = [0u8; 256];
            let mut w: &mut [u8] = &mut buf;
            assert_eq!(h.write(&mut w), Err(WriteError::InvalidField));
            assert_eq!(h.encoded_len(), 0);
        }
        let h = PostHead::new(HostHeader::new("acs"), "/", PostKind::SoapRequest, 1);
        for size in 0..h.encoded_len() {
            let mut buf = std::vec![0u8; size];
            let mut w: &mut [u8] = &mut buf;
            assert!(matches!(h.write(&mut w), Err(WriteError::Io(_))));
        }
    }

    #[test]
    fn request_reader() {
        let raw = b"GET /cr/8f3a?ts=1&id=2 HTTP/1.1\r\nHost: 192.0.2.1:7547\r\nAuthorization: Digest username=\"acs\"\r\n\r\n";
        for n in 0..raw.len() {
            let mut h = [EMPTY_HEADER; 8];
            assert!(RequestHead::parse(&raw[..n], &mut h).unwrap().is_partial());
        }
        let mut h = [EMPTY_HEADER; 8];
        let Status::Complete(r) = RequestHead::parse(raw, &mut h).unwrap() else {
            panic!()
        };
        assert_eq!(
            (r.method, r.path(), r.query()),
            ("GET", "/cr/8f3a", Some("ts=1&id=2"))
        );
        assert_eq!(r.framing(), Framing::Empty);
        assert_eq!(r.authorization(), Some(&b"Digest username=\"acs\""[..]));

        let raw = b"POST /acs HTTP/1.1\r\nContent-Type: text/html\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n";
        let mut h = [EMPTY_HEADER; 8];
        let Status::Complete(r) = RequestHead::parse(raw, &mut h).unwrap() else {
            panic!()
        };
        assert!(r.is_empty_post());
        assert!(r.expects_continue());
        assert!(!r.is_text_xml());

        let raw = b"POST /acs HTTP/1.1\r\nContent-Type: text/xml;charset=UTF-8\r\nSOAPAction:\r\nTransfer-Encoding: chunked\r\nCookie: s=1\r\n\r\n";
        let mut h = [EMPTY_HEADER; 8];
        let Status::Complete(r) = RequestHead::parse(raw, &mut h).unwrap() else {
            panic!()
        };
        assert_eq!(r.framing(), Framing::Chunked);
        assert!(r.is_text_xml());
        assert_eq!(r.soap_action(), Some(&b""[..]));
        assert_eq!(r.cookies().next(), Some(&b"s=1"[..]));

        let mut h = [EMPTY_HEADER; 8];
        assert!(RequestHead::parse(b"GET  / HTTP/1.1\r\n\r\n", &mut h).is_err());
    }

    #[test]
    fn written_post_parses_back() {
        let h = PostHead {
            cookie: Some("s=1"),
            ..PostHead::new(
                HostHeader {
                    host: "[::1]",
                    port: Some(8080),
                },
                "/cwmp?x=1",
                PostKind::SoapResponse,
                5,
            )
        };
        let s = written(&h);
        let mut hs = [EMPTY_HEADER; 8];
        let Status::Complete(r) = RequestHead::parse(s.as_bytes(), &mut hs).unwrap() else {
            panic!()
        };
        assert_eq!(r.framing(), Framing::Length(5));
        assert_eq!(r.header("host"), Some(&b"[::1]:8080"[..]));
        assert_eq!(r.soap_action(), Some(&b""[..]));
        let q = PostHead::new(HostHeader::new("h"), "?x=1", PostKind::Empty, 0);
        assert!(written(&q).starts_with("POST /?x=1 HTTP/1.1\r\n"));
    }
}
