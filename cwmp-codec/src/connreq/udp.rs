//! UDP Connection Request (TR-069 Annex G, G.2.1.4 and G.2.2.3; DIGEST §3.3). **Obsoleted** in
//! favour of Annex K (§1.8), still deployed: treat it as legacy and optional (DIGEST §17 item 28).
//!
//! The ACS sends one UDP datagram, several identical copies of it, and expects no answer. Its
//! text is an HTTP/1.1 `GET` with an absolute Request-URI, an empty path and a query:
//!
//! ```text
//! GET http://10.1.1.1:8080?ts=1120673700&id=1234&un=CPE57689&cn=XTGRWIPC6D3IPXS3&sig=3545F7B5820D76A3DF45A3A509DA8D8C38F13512 HTTP/1.1
//! Host: 10.1.1.1:8080
//! ```
//!
//! `sig` is HMAC-SHA1(key = `ConnectionRequestPassword`, text = ts‖id‖un‖cn), 40 hex digits in
//! either case. The values are taken **percent-decoded** (`application/x-www-form-urlencoded`,
//! `+` is a space): the text does not say (DIGEST §17 item 15), decoded is the natural reading.
//!
//! * [`UdpConnectionRequest::decode`] checks the syntax (G.2.1.4: valid HTTP/1.1, method GET;
//!   a body is ignored) and keeps the values as borrowed, validated [`FormValue`]s.
//! * [`UdpReplayGuard::verify`] checks `un`, the signature (constant time), that `ts` is
//!   strictly greater than the last accepted one and that `id` differs from it; an identical
//!   copy of the last accepted request is reported as [`UdpVerdict::Duplicate`]. Every failure
//!   means "silently ignore the datagram" (G.2.1.4). The last accepted `ts` must survive a
//!   reboot (it may reset to 0): [`UdpReplayGuard::last_accepted_ts`] and
//!   [`UdpReplayGuard::restore`] pair with the persistent record of `cwmp-core`.
//! * [`UdpCrMessage`] is the ACS side: it builds the signed datagram.
//!
//! An accepted request is then handled exactly like an HTTP Connection Request (§3.2.2): rate
//! limit, Session policy. `cwmp-core`'s connection-request server does that.
//!
//! The datagram shares its port with STUN: look at the first byte with
//! [`classify_datagram`](super::stun::classify_datagram) first.
//!
//! ```
//! use cwmp_codec::connreq::udp::{UdpConnectionRequest, UdpReplayGuard, UdpVerdict};
//! use cwmp_codec::http::auth::Credentials;
//!
//! let datagram = b"GET http://10.1.1.1:8080?ts=1120673700&id=1234&un=CPE57689&cn=XTGRWIPC6D3IPXS3&sig=F749EE6D9E3BC469FB709EAD2A75EE7535F58552 HTTP/1.1\r\nHost: 10.1.1.1:8080\r\n\r\n";
//! let req = UdpConnectionRequest::decode(datagram)?;
//! let creds = Credentials { username: "CPE57689", password: "password" };
//! // Restored from the persistent record at boot (None on a fresh CPE).
//! let mut guard = UdpReplayGuard::restore(Some(1_120_673_000));
//! assert_eq!(guard.verify(&req, &creds), UdpVerdict::Accepted);
//! assert_eq!(guard.verify(&req, &creds), UdpVerdict::Duplicate); // the ACS's copies
//! assert_eq!(guard.last_accepted_ts(), Some(1_120_673_700)); // persist this
//! # Ok::<(), cwmp_codec::connreq::udp::UdpCrError>(())
//! ```

use core::fmt;

use embedded_io::Write;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{ct_eq, decode_hex, hex_upper, new_mac};
use crate::http::auth::Credentials;
use crate::http::request::RequestHead;
use crate::http::url::{HostHeader, Scheme, Url};
use crate::http::{HeadErrorKind, Status, WriteError, EMPTY_HEADER};

/// Length of the HMAC-SHA1 signature in bytes (40 hex digits on the wire).
pub const SIGNATURE_LEN: usize = 20;

/// Most header fields read from a datagram (*impl*); more is [`UdpCrErrorKind::Head`].
pub const MAX_HEADERS: usize = 16;

/// What is wrong with a UDP Connection Request datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UdpCrErrorKind {
    /// The head does not end with an empty line: a datagram is never partial.
    Truncated,
    /// The HTTP head is malformed (see the inner kind).
    Head(HeadErrorKind),
    /// The method is not `GET` (G.2.2.3).
    Method,
    /// Not `HTTP/1.1` (G.2.2.3).
    Version,
    /// The Request-URI is not an absolute `http` URI (G.2.2.3).
    Target,
    /// The Request-URI has a path (it MUST be empty; `/` is tolerated).
    Path,
    /// A query value of `ts`, `id`, `un`, `cn` or `sig` has a bad percent-escape or no `=`.
    Query,
    /// One of `ts`, `id`, `un`, `cn`, `sig` appears twice.
    DuplicateParameter,
    /// One of `ts`, `id`, `un`, `cn`, `sig` is missing.
    MissingParameter,
    /// `ts` is not an unsigned decimal number (u64).
    Timestamp,
    /// `id` is not an unsigned decimal number (u64).
    MessageId,
    /// `sig` is not 40 hexadecimal digits.
    Signature,
}

impl UdpCrErrorKind {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Truncated => "datagram ends inside the HTTP head",
            Self::Head(_) => "malformed HTTP head",
            Self::Method => "method is not GET",
            Self::Version => "not HTTP/1.1",
            Self::Target => "request-URI is not an absolute http URI",
            Self::Path => "request-URI has a path",
            Self::Query => "malformed query value",
            Self::DuplicateParameter => "duplicate query parameter",
            Self::MissingParameter => "missing query parameter",
            Self::Timestamp => "ts is not an unsigned decimal number",
            Self::MessageId => "id is not an unsigned decimal number",
            Self::Signature => "sig is not 40 hexadecimal digits",
        }
    }
}

/// A malformed UDP Connection Request, with the byte offset in the datagram where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct UdpCrError {
    /// What is wrong.
    pub kind: UdpCrErrorKind,
    /// Byte offset in the datagram (0 when the HTTP parser gives no position).
    pub offset: usize,
}

impl UdpCrError {
    const fn new(kind: UdpCrErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

impl fmt::Display for UdpCrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.as_str(), self.offset)
    }
}

impl core::error::Error for UdpCrError {}

/// A query value as sent, validated (`%XX` escapes well formed), decoded on demand
/// (`application/x-www-form-urlencoded`: `%XX` is a byte, `+` is a space).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FormValue<'a> {
    raw: &'a str,
}

impl<'a> FormValue<'a> {
    /// Validates `raw`; `None` on a `%` not followed by two hex digits.
    pub fn new(raw: &'a str) -> Option<Self> {
        let b = raw.as_bytes();
        let mut i = 0usize;
        while let Some(&c) = b.get(i) {
            if c == b'%' {
                let hex = b.get(i.saturating_add(1)..i.saturating_add(3))?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                i = i.saturating_add(3);
            } else {
                i = i.saturating_add(1);
            }
        }
        Some(Self { raw })
    }

    /// The value as sent (still encoded).
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// The decoded bytes.
    pub fn bytes(&self) -> impl Iterator<Item = u8> + 'a {
        let mut rest = self.raw.as_bytes();
        core::iter::from_fn(move || {
            let (&c, tail) = rest.split_first()?;
            match c {
                b'%' => {
                    let (hex, tail) = tail.split_at_checked(2).unwrap_or((&[], &[]));
                    rest = tail;
                    let v = hex
                        .iter()
                        .try_fold(0u8, |acc, &d| {
                            let d = (d as char).to_digit(16)?;
                            acc.checked_mul(16)?.checked_add(u8::try_from(d).ok()?)
                        })
                        .unwrap_or(0);
                    Some(v)
                }
                b'+' => {
                    rest = tail;
                    Some(b' ')
                }
                _ => {
                    rest = tail;
                    Some(c)
                }
            }
        })
    }

    /// Decoded length.
    pub fn len(&self) -> usize {
        self.bytes().count()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Compares the decoded value with `other` (not constant time: for non-secret values).
    pub fn eq_bytes(&self, other: &[u8]) -> bool {
        self.len() == other.len() && self.bytes().eq(other.iter().copied())
    }

    /// Decodes into `out`; `None` when it does not fit.
    pub fn decode_into<'o>(&self, out: &'o mut [u8]) -> Option<&'o [u8]> {
        let mut n = 0usize;
        for b in self.bytes() {
            *out.get_mut(n)? = b;
            n = n.checked_add(1)?;
        }
        let out: &'o [u8] = out;
        out.get(..n)
    }

    /// The decoded value as a decimal `u64` (digits only).
    fn parse_u64(&self) -> Option<u64> {
        if self.is_empty() {
            return None;
        }
        self.bytes().try_fold(0u64, |acc, b| {
            let d = (b as char).to_digit(10)?;
            acc.checked_mul(10)?.checked_add(u64::from(d))
        })
    }

    /// Feeds the decoded bytes to `mac`, in small batches.
    fn feed(&self, mac: &mut Hmac<Sha1>) {
        let mut buf = [0u8; 32];
        let mut n = 0usize;
        for b in self.bytes() {
            if let Some(slot) = buf.get_mut(n) {
                *slot = b;
                n = n.saturating_add(1);
            }
            if n == buf.len() {
                mac.update(&buf);
                n = 0;
            }
        }
        mac.update(buf.get(..n).unwrap_or(&[]));
    }
}

/// A decoded UDP Connection Request (G.2.2.3), borrowing the datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UdpConnectionRequest<'a> {
    /// The authority of the Request-URI (`host[:port]`), as sent.
    pub authority: &'a str,
    /// `ts`: Unix seconds.
    pub ts: u64,
    /// `id`: the message ID, the same in every copy.
    pub id: u64,
    /// `ts` as sent (the signature covers the text).
    pub ts_text: FormValue<'a>,
    /// `id` as sent.
    pub id_text: FormValue<'a>,
    /// `un`: the ConnectionRequestUsername.
    pub username: FormValue<'a>,
    /// `cn`: the ACS's cnonce.
    pub cnonce: FormValue<'a>,
    /// `sig`, decoded from hex.
    pub signature: [u8; SIGNATURE_LEN],
}

impl<'a> UdpConnectionRequest<'a> {
    /// Decodes one datagram. Query parameters other than `ts`, `id`, `un`, `cn`, `sig` are
    /// ignored, and so is any body (G.2.1.4).
    ///
    /// # Errors
    /// [`UdpCrError`] with the kind and the byte offset. Never panics.
    pub fn decode(datagram: &'a [u8]) -> Result<Self, UdpCrError> {
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        let head = match RequestHead::parse(datagram, &mut headers) {
            Ok(Status::Complete(h)) => h,
            Ok(Status::Partial) => {
                return Err(UdpCrError::new(UdpCrErrorKind::Truncated, datagram.len()))
            }
            Err(e) => {
                return Err(UdpCrError::new(
                    UdpCrErrorKind::Head(e.kind),
                    e.offset.unwrap_or(0),
                ))
            }
        };
        if head.method != "GET" {
            return Err(UdpCrError::new(UdpCrErrorKind::Method, 0));
        }
        // httparse: METHOD SP target SP version.
        let target_at = head.method.len().saturating_add(1);
        if head.version != 1 {
            return Err(UdpCrError::new(
                UdpCrErrorKind::Version,
                target_at
                    .saturating_add(head.target.len())
                    .saturating_add(1),
            ));
        }
        let url = Url::parse(head.target).map_err(|e| {
            UdpCrError::new(UdpCrErrorKind::Target, target_at.saturating_add(e.offset))
        })?;
        if url.scheme() != Scheme::Http {
            return Err(UdpCrError::new(UdpCrErrorKind::Target, target_at));
        }
        let authority = head
            .target
            .get(7..)
            .and_then(|r| r.split(['/', '?']).next())
            .unwrap_or("");
        let path_at = target_at.saturating_add(7).saturating_add(authority.len());
        let path = head
            .target
            .get(7usize.saturating_add(authority.len())..)
            .and_then(|r| r.split('?').next())
            .unwrap_or("");
        let query_at = path_at.saturating_add(path.len()).saturating_add(1);
        if !(path.is_empty() || path == "/") {
            return Err(UdpCrError::new(UdpCrErrorKind::Path, path_at));
        }
        let query = url
            .query()
            .ok_or(UdpCrError::new(UdpCrErrorKind::MissingParameter, query_at))?;
        // ts, id, un, cn, sig
        let mut found: [Option<FormValue<'a>>; 5] = [None; 5];
        let mut at = query_at;
        for pair in query.split('&') {
            let here = at;
            at = at.saturating_add(pair.len()).saturating_add(1);
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match name {
                "ts" => 0,
                "id" => 1,
                "un" => 2,
                "cn" => 3,
                "sig" => 4,
                _ => continue,
            };
            if !pair.contains('=') {
                return Err(UdpCrError::new(UdpCrErrorKind::Query, here));
            }
            let v = FormValue::new(value).ok_or(UdpCrError::new(UdpCrErrorKind::Query, here))?;
            let Some(s) = found.get_mut(slot) else {
                continue;
            };
            if s.is_some() {
                return Err(UdpCrError::new(UdpCrErrorKind::DuplicateParameter, here));
            }
            *s = Some(v);
        }
        let [Some(ts_text), Some(id_text), Some(username), Some(cnonce), Some(sig)] = found else {
            return Err(UdpCrError::new(UdpCrErrorKind::MissingParameter, query_at));
        };
        let off = |v: &FormValue<'_>| {
            // Offset of a value inside the query (it is a sub-slice of the target).
            let base = query.as_ptr() as usize;
            query_at.saturating_add((v.raw.as_ptr() as usize).saturating_sub(base))
        };
        let ts = ts_text
            .parse_u64()
            .ok_or(UdpCrError::new(UdpCrErrorKind::Timestamp, off(&ts_text)))?;
        let id = id_text
            .parse_u64()
            .ok_or(UdpCrError::new(UdpCrErrorKind::MessageId, off(&id_text)))?;
        let mut sig_bytes = [0u8; 2 * SIGNATURE_LEN];
        let signature = sig
            .decode_into(&mut sig_bytes)
            .filter(|s| s.len() == 2 * SIGNATURE_LEN)
            .and_then(decode_hex::<SIGNATURE_LEN>)
            .ok_or(UdpCrError::new(UdpCrErrorKind::Signature, off(&sig)))?;
        Ok(Self {
            authority,
            ts,
            id,
            ts_text,
            id_text,
            username,
            cnonce,
            signature,
        })
    }

    /// The signature the request should carry with `password`: HMAC-SHA1 over the decoded
    /// ts‖id‖un‖cn.
    pub fn expected_signature(&self, password: &[u8]) -> [u8; SIGNATURE_LEN] {
        let mut mac = new_mac(password);
        for v in [&self.ts_text, &self.id_text, &self.username, &self.cnonce] {
            v.feed(&mut mac);
        }
        mac.finalize().into_bytes().into()
    }

    /// Checks the signature, in constant time.
    pub fn signature_valid(&self, password: &[u8]) -> bool {
        ct_eq(&self.expected_signature(password), &self.signature)
    }
}

/// HMAC-SHA1(key = `password`, text = `ts`‖`id`‖`un`‖`cn`) over the given (decoded) values
/// (G.2.2.3).
pub fn signature(
    ts: &[u8],
    id: &[u8],
    username: &[u8],
    cnonce: &[u8],
    password: &[u8],
) -> [u8; SIGNATURE_LEN] {
    let mut mac = new_mac(password);
    for part in [ts, id, username, cnonce] {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Why [`UdpReplayGuard::verify`] refused a request. All mean "ignore it silently" (G.2.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UdpRejectReason {
    /// `un` is not the ConnectionRequestUsername.
    Username,
    /// `sig` does not match.
    Signature,
    /// `ts` is not strictly greater than the last accepted one.
    Timestamp,
    /// `id` is the last accepted one, with another `ts`.
    MessageId,
}

impl fmt::Display for UdpRejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Username => "username mismatch",
            Self::Signature => "signature mismatch",
            Self::Timestamp => "timestamp not newer than the last accepted one",
            Self::MessageId => "message id of the last accepted request",
        })
    }
}

/// The result of [`UdpReplayGuard::verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UdpVerdict {
    /// Authentic and new: handle it like an HTTP Connection Request (§3.2.2). The guard
    /// recorded `ts` and `id`: persist [`UdpReplayGuard::last_accepted_ts`].
    Accepted,
    /// An identical copy of the last accepted request (same `ts` and `id`, valid signature):
    /// the ACS sends several (G.2.2.3). Ignore it.
    Duplicate,
    /// Refused: ignore it.
    Rejected(UdpRejectReason),
}

/// The replay state of the UDP Connection Request listener: the last accepted `ts` (persistent,
/// G.2.1.4) and `id`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UdpReplayGuard {
    last_ts: Option<u64>,
    last_id: Option<u64>,
}

impl UdpReplayGuard {
    /// Nothing accepted yet (a fresh CPE, or `ts` reset to 0 at reboot, G.2.1.4).
    pub const fn new() -> Self {
        Self {
            last_ts: None,
            last_id: None,
        }
    }

    /// The guard after a reboot, from the persisted last accepted `ts`
    /// (`cwmp_core::persist::Record::last_udp_timestamp`).
    pub const fn restore(last_accepted_ts: Option<u64>) -> Self {
        Self {
            last_ts: last_accepted_ts,
            last_id: None,
        }
    }

    /// The last accepted `ts`, to persist.
    pub const fn last_accepted_ts(&self) -> Option<u64> {
        self.last_ts
    }

    /// The last accepted message `id`.
    pub const fn last_accepted_id(&self) -> Option<u64> {
        self.last_id
    }

    /// Verifies `req` against the credentials (`ConnectionRequestUsername` and
    /// `ConnectionRequestPassword`) and the replay state; on [`UdpVerdict::Accepted`] records its
    /// `ts` and `id`. The signature comparison is constant time. Never panics.
    pub fn verify(
        &mut self,
        req: &UdpConnectionRequest<'_>,
        creds: &Credentials<'_>,
    ) -> UdpVerdict {
        let user_ok = req.username.eq_bytes(creds.username.as_bytes());
        let sig_ok = req.signature_valid(creds.password.as_bytes());
        if !user_ok {
            return UdpVerdict::Rejected(UdpRejectReason::Username);
        }
        if !sig_ok {
            return UdpVerdict::Rejected(UdpRejectReason::Signature);
        }
        if self.last_ts == Some(req.ts) && self.last_id == Some(req.id) {
            return UdpVerdict::Duplicate;
        }
        if self.last_ts.is_some_and(|t| req.ts <= t) {
            return UdpVerdict::Rejected(UdpRejectReason::Timestamp);
        }
        if self.last_id == Some(req.id) {
            return UdpVerdict::Rejected(UdpRejectReason::MessageId);
        }
        self.last_ts = Some(req.ts);
        self.last_id = Some(req.id);
        UdpVerdict::Accepted
    }
}

/// A UDP Connection Request to send (ACS side, G.2.2.3).
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UdpCrMessage<'a> {
    /// The authority: `UDPConnectionRequestAddress`, or the destination address and port (the
    /// port may be omitted only for 80).
    pub authority: HostHeader<'a>,
    /// `ts`: Unix seconds now.
    pub ts: u64,
    /// `id`: new for each request, the same for its copies.
    pub id: u64,
    /// `un`: the CPE's ConnectionRequestUsername.
    pub username: &'a str,
    /// `cn`: a random cnonce.
    pub cnonce: &'a str,
}

impl fmt::Debug for UdpCrMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpCrMessage")
            .field("authority", &self.authority)
            .field("ts", &self.ts)
            .field("id", &self.id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// `application/x-www-form-urlencoded` value: unreserved bytes as is, the rest `%XX`.
fn write_form<W: Write>(w: &mut W, v: &[u8]) -> Result<(), W::Error> {
    for chunk in v.split_inclusive(|&b| !is_unreserved(b)) {
        match chunk.split_last() {
            Some((&last, head)) if !is_unreserved(last) => {
                w.write_all(head)?;
                let mut hex = [b'%', 0, 0];
                if let Some(h) = hex.get_mut(1..) {
                    hex_upper(&[last], h);
                }
                w.write_all(&hex)?;
            }
            _ => w.write_all(chunk)?,
        }
    }
    Ok(())
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

impl UdpCrMessage<'_> {
    /// The `sig` value for `password`.
    pub fn signature(&self, password: &[u8]) -> [u8; SIGNATURE_LEN] {
        let mut ts = [0u8; 20];
        let mut id = [0u8; 20];
        signature(
            crate::xml::writer::fmt_u64(self.ts, &mut ts),
            crate::xml::writer::fmt_u64(self.id, &mut id),
            self.username.as_bytes(),
            self.cnonce.as_bytes(),
            password,
        )
    }

    /// Writes the datagram: `GET http://authority?ts=..&id=..&un=..&cn=..&sig=.. HTTP/1.1`,
    /// `Host`, no body. `sig` is upper-case hex, as in the G.2.2.3 example.
    ///
    /// # Errors
    /// [`WriteError::InvalidField`] for an empty authority or one with a space, control byte,
    /// `/`, `?`, `#` or `@`; the writer's error. Never panics.
    pub fn encode<W: Write>(&self, password: &[u8], w: &mut W) -> Result<(), WriteError<W::Error>> {
        let host = self.authority.host.as_bytes();
        if host.is_empty()
            || host
                .iter()
                .any(|&b| b <= 0x20 || b >= 0x7f || matches!(b, b'/' | b'?' | b'#' | b'@'))
        {
            return Err(WriteError::InvalidField);
        }
        let mut sig = [0u8; 2 * SIGNATURE_LEN];
        hex_upper(&self.signature(password), &mut sig);
        w.write_all(b"GET http://")?;
        self.authority.write(w)?;
        w.write_all(b"?ts=")?;
        super::write_decimal(w, self.ts)?;
        w.write_all(b"&id=")?;
        super::write_decimal(w, self.id)?;
        w.write_all(b"&un=")?;
        write_form(w, self.username.as_bytes())?;
        w.write_all(b"&cn=")?;
        write_form(w, self.cnonce.as_bytes())?;
        w.write_all(b"&sig=")?;
        w.write_all(&sig)?;
        w.write_all(b" HTTP/1.1\r\nHost: ")?;
        self.authority.write(w)?;
        w.write_all(b"\r\n\r\n")?;
        Ok(())
    }

    /// The exact length [`encode`](Self::encode) writes (0 when it would fail).
    pub fn encoded_len(&self) -> usize {
        let mut c = crate::http::Counter::default();
        self.encode(b"", &mut c).map_or(0, |()| c.count)
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

    #[test]
    fn form_value_decoding() {
        let v = FormValue::new("a%20b+c%2B").unwrap();
        assert!(v.eq_bytes(b"a b c+"));
        assert_eq!(v.len(), 6);
        assert!(FormValue::new("%2").is_none());
        assert!(FormValue::new("%zz").is_none());
        let mut out = [0u8; 3];
        assert!(v.decode_into(&mut out).is_none());
    }

    #[test]
    fn illustrative_vector() {
        let s = signature(
            b"1120673700",
            b"1234",
            b"CPE57689",
            b"XTGRWIPC6D3IPXS3",
            b"password",
        );
        let mut hex = [0u8; 40];
        hex_upper(&s, &mut hex);
        assert_eq!(&hex, b"F749EE6D9E3BC469FB709EAD2A75EE7535F58552");
    }
}
