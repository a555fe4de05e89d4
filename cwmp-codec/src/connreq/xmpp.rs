//! XMPP Connection Request (TR-069 Annex K, K.2.1 and K.2.3; DIGEST §3.4).
//!
//! **The boundary.** The CPE's XMPP client (RFC 6120: TCP, TLS, SASL with the
//! `XMPP.Connection.{i}` credentials, resource binding, stream handling, whitespace keepalive,
//! reconnection, roster) is the caller's. When an `<iq>` stanza arrives on the authenticated,
//! TLS-secured stream, hand its bytes to [`XmppConnectionRequest::decode`]; if it is a Connection
//! Request, [`check`](XmppConnectionRequest::check) it against
//! `ManagementServer.ConnectionRequestUsername`/`Password` and
//! `ManagementServer.ConnReqAllowedJabberIDs`, decide (rate limit, Session: `cwmp-core`'s
//! connection-request server does that), and send the bytes of [`encode_reply`] back on the
//! stream. Other IQs ([`XmppErrorKind::NotConnectionRequest`]) belong to the caller's client.
//!
//! ```text
//! <iq from="acs@example.com/cr" to="cpe@example.com/dev" id="cr001" type="get">
//!   <connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0">
//!     <username>username</username><password>password</password>
//!   </connectionRequest></iq>
//! ```
//!
//! Decoding is by namespace URI, never by prefix: the `iq` may be in `jabber:client`, another
//! stream namespace or none (a bare stanza); `connectionRequest` must be in
//! `urn:broadband-forum-org:cwmp:xmppConnReq-1-0` (another namespace is
//! [`XmppErrorKind::UnsupportedNamespace`]: answer `service-unavailable`, K.2.3.3). Its children
//! are qualified in the XSD; unqualified `username`/`password` (a common prefix slip) are
//! tolerated, and so is either order. Anything else in `connectionRequest` fails XSD validation
//! ([`XmppErrorKind::InvalidConnectionRequest`]).
//!
//! **Allowed JIDs (K.2.1).** An empty list allows every sender. An entry with a resource
//! (`acs@example.com/cr`) matches that full JID only; an entry without one
//! (`acs@example.com`, or a bare domain `example.com`) matches the bare JID of `from` with any
//! resource. The domain is compared ASCII case-insensitively, the localpart and the resource
//! exactly (no stringprep/PRECIS: write the list in canonical form). A stanza without `from`
//! matches only an empty list.
//!
//! **Replies (K.2.3.2, K.2.3.3).** Success: `<iq from=".." to=".." id=".." type="result"/>` with
//! `from`/`to` swapped and `id` echoed. Errors: `type="error"` with
//! `<error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error>`
//! (rate limited, in a Session, namespace not supported, sender not allowed) or
//! `<not-authorized .../>` (wrong username or password); the original child is not echoed
//! (RFC 6120 §8.3.1 rule 6 makes it optional). A `connectionRequest` that fails validation gets
//! `<error type="modify"><bad-request .../></error>`. No legacy `code="503"` attribute is
//! written (DIGEST §17 item 16).
//!
//! ```
//! use cwmp_codec::connreq::xmpp::{encode_reply, XmppConnectionRequest, XmppReply};
//! use cwmp_codec::http::auth::Credentials;
//!
//! let stanza = br#"<iq from="acs@example.com/cr" to="cpe@example.com/dev" id="cr001" type="get"><connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0"><username>u</username><password>p</password></connectionRequest></iq>"#;
//! let req = XmppConnectionRequest::decode(stanza)?;
//! let creds = Credentials { username: "u", password: "p" };
//! let reply = match req.check(&creds, &["acs@example.com"]) {
//!     Ok(()) => XmppReply::Result, // ... or ServiceUnavailable when rate-limited / in a Session
//!     Err(reason) => reason.reply(),
//! };
//! let mut out = [0u8; 256];
//! let mut w: &mut [u8] = &mut out;
//! encode_reply(&req.iq, reply, &mut w).unwrap();
//! let n = 256 - w.len();
//! assert_eq!(&out[..n], br#"<iq from="cpe@example.com/dev" to="acs@example.com/cr" id="cr001" type="result"/>"#);
//! # Ok::<(), cwmp_codec::connreq::xmpp::XmppError>(())
//! ```

use core::fmt;

use embedded_io::Write;

use super::ct_eq;
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::http::auth::Credentials;
use crate::xml::ns::Ns;
use crate::xml::reader::{Reader, Tag};
use crate::xml::writer::{Counter, XmlWriter};
use crate::xml::XmlStr;

/// The stanza error namespace (RFC 6120 §8.3).
pub const STANZAS_NS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";

/// Longest `from` JID compared when it holds character references (*impl*; plain JIDs of any
/// length are compared in place).
pub const MAX_ESCAPED_JID_LEN: usize = 1024;

/// Longest escaped username or password compared (*impl*; the data model's string(256)).
pub const MAX_ESCAPED_CREDENTIAL_LEN: usize = 256;

/// What is wrong with a stanza.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum XmppErrorKind {
    /// Not well-formed XML (or hostile: DOCTYPE, too deep...).
    Xml(DecodeErrorKind),
    /// The root element is not `iq`.
    NotIq,
    /// The `iq` has no `id` (RFC 6120 §8.2.3) or no valid `type`.
    InvalidIq,
    /// An `iq` that is not `type="get"`: not a Connection Request (K.2.3.1).
    NotGet,
    /// The payload is not `connectionRequest`: not for this module.
    NotConnectionRequest,
    /// `connectionRequest` in another namespace: answer `service-unavailable` (K.2.3.3).
    UnsupportedNamespace,
    /// `connectionRequest` does not follow the XSD (missing, repeated or unknown child, or a
    /// second payload): answer `bad-request`.
    InvalidConnectionRequest,
}

impl XmppErrorKind {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Xml(_) => "malformed XML",
            Self::NotIq => "not an iq stanza",
            Self::InvalidIq => "iq without id or valid type",
            Self::NotGet => "iq type is not get",
            Self::NotConnectionRequest => "not a connectionRequest",
            Self::UnsupportedNamespace => "connectionRequest in an unsupported namespace",
            Self::InvalidConnectionRequest => "connectionRequest does not follow the schema",
        }
    }

    /// The error reply this failure calls for, when the stanza is an IQ get that deserves one
    /// (see [`IqHeader::decode`] for its header); `None` when the stanza is not ours to answer.
    pub const fn reply(self) -> Option<XmppReply> {
        match self {
            Self::UnsupportedNamespace => Some(XmppReply::ServiceUnavailable),
            Self::InvalidConnectionRequest => Some(XmppReply::BadRequest),
            _ => None,
        }
    }
}

/// A stanza that could not be decoded as a Connection Request, with the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct XmppError {
    /// What is wrong.
    pub kind: XmppErrorKind,
    /// Byte offset in the stanza.
    pub offset: usize,
}

impl XmppError {
    const fn new(kind: XmppErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

impl From<DecodeError> for XmppError {
    fn from(e: DecodeError) -> Self {
        Self::new(XmppErrorKind::Xml(e.kind), e.offset)
    }
}

impl fmt::Display for XmppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.as_str(), self.offset)
    }
}

impl core::error::Error for XmppError {}

/// The `type` of an IQ (RFC 6120 §8.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IqType {
    /// `get`: a Connection Request uses it.
    Get,
    /// `set`.
    Set,
    /// `result`.
    Result,
    /// `error`.
    Error,
}

impl IqType {
    /// The attribute value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Set => "set",
            Self::Result => "result",
            Self::Error => "error",
        }
    }
}

/// The addressing of an IQ: what a reply needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IqHeader<'a> {
    /// `id`, echoed in the reply.
    pub id: XmlStr<'a>,
    /// `from`: the ACS's JID (stamped by the XMPP server).
    pub from: Option<XmlStr<'a>>,
    /// `to`: the CPE's full JID.
    pub to: Option<XmlStr<'a>>,
    /// `type`.
    pub kind: IqType,
}

fn read_header<'a>(r: &Reader<'a>, root: &Tag<'a>) -> Result<IqHeader<'a>, XmppError> {
    if root.local != "iq" || !matches!(root.ns, Ns::None | Ns::Other) {
        return Err(XmppError::new(XmppErrorKind::NotIq, root.offset));
    }
    let attr = |n: &str| r.attr(root, Ns::None, n).map(|a| a.value);
    let id = attr("id").ok_or(XmppError::new(XmppErrorKind::InvalidIq, root.offset))?;
    let kind = match attr("type") {
        Some(t) if t.eq_str("get") => IqType::Get,
        Some(t) if t.eq_str("set") => IqType::Set,
        Some(t) if t.eq_str("result") => IqType::Result,
        Some(t) if t.eq_str("error") => IqType::Error,
        _ => return Err(XmppError::new(XmppErrorKind::InvalidIq, root.offset)),
    };
    Ok(IqHeader {
        id,
        from: attr("from"),
        to: attr("to"),
        kind,
    })
}

impl<'a> IqHeader<'a> {
    /// Reads only the `iq` start tag: the header of a stanza [`XmppConnectionRequest::decode`]
    /// refused with an error that still calls for a reply ([`XmppErrorKind::reply`]).
    ///
    /// # Errors
    /// [`XmppError`]. Never panics.
    pub fn decode(stanza: &'a [u8]) -> Result<Self, XmppError> {
        let (r, root) = Reader::start(stanza)?;
        read_header(&r, &root)
    }
}

/// A decoded XMPP Connection Request (K.2.3.1), borrowing the stanza.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct XmppConnectionRequest<'a> {
    /// The IQ's addressing.
    pub iq: IqHeader<'a>,
    /// `username`.
    pub username: XmlStr<'a>,
    /// `password`.
    pub password: XmlStr<'a>,
}

/// Why [`XmppConnectionRequest::check`] refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum XmppRejectReason {
    /// `from` is not in `ConnReqAllowedJabberIDs`.
    JidNotAllowed,
    /// `username` is not `ConnectionRequestUsername` (validation, K.2.1).
    Username,
    /// `password` is not `ConnectionRequestPassword` (authentication, K.2.1).
    Password,
}

impl XmppRejectReason {
    /// The error reply: `service-unavailable` for a sender not allowed (it learns nothing),
    /// `not-authorized` for wrong credentials (K.2.3.3).
    pub const fn reply(self) -> XmppReply {
        match self {
            Self::JidNotAllowed => XmppReply::ServiceUnavailable,
            Self::Username | Self::Password => XmppReply::NotAuthorized,
        }
    }
}

impl fmt::Display for XmppRejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::JidNotAllowed => "sender JID not allowed",
            Self::Username => "username mismatch",
            Self::Password => "password mismatch",
        })
    }
}

/// The reply to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum XmppReply {
    /// `type="result"`, empty (K.2.3.2).
    Result,
    /// `<error type="cancel"><service-unavailable/>`: rate limited, in a Session, unsupported
    /// namespace, sender not allowed (K.2.1, K.2.3.3).
    ServiceUnavailable,
    /// `<error type="cancel"><not-authorized/>`: authentication failed (K.2.3.3).
    NotAuthorized,
    /// `<error type="modify"><bad-request/>`: the payload does not follow the XSD
    /// (RFC 6120 §8.3.3.1).
    BadRequest,
}

fn credential_eq(v: &XmlStr<'_>, expected: &[u8]) -> bool {
    match v.as_str() {
        Some(s) => ct_eq(s.as_bytes(), expected),
        None => {
            let mut buf = [0u8; MAX_ESCAPED_CREDENTIAL_LEN];
            match v.unescape_into(&mut buf) {
                Ok(s) => ct_eq(s.as_bytes(), expected),
                Err(_) => false,
            }
        }
    }
}

/// Splits a JID into (localpart, domain, resource).
fn jid_parts(jid: &str) -> (Option<&str>, &str, Option<&str>) {
    let (bare, resource) = match jid.split_once('/') {
        Some((b, r)) => (b, Some(r)),
        None => (jid, None),
    };
    match bare.split_once('@') {
        Some((l, d)) => (Some(l), d, resource),
        None => (None, bare, resource),
    }
}

/// The allowed-JID rule of the module docs.
pub fn jid_allowed(from: Option<&str>, allowed: &[&str]) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let Some(from) = from else {
        return false;
    };
    let (fl, fd, fr) = jid_parts(from);
    allowed.iter().any(|a| {
        let (al, ad, ar) = jid_parts(a.trim());
        al == fl && ad.eq_ignore_ascii_case(fd) && (ar.is_none() || ar == fr)
    })
}

impl<'a> XmppConnectionRequest<'a> {
    /// A request to encode (ACS side, or tests).
    pub const fn new(
        id: &'a str,
        from: Option<&'a str>,
        to: Option<&'a str>,
        username: &'a str,
        password: &'a str,
    ) -> Self {
        Self {
            iq: IqHeader {
                id: XmlStr::new(id),
                from: match from {
                    Some(f) => Some(XmlStr::new(f)),
                    None => None,
                },
                to: match to {
                    Some(t) => Some(XmlStr::new(t)),
                    None => None,
                },
                kind: IqType::Get,
            },
            username: XmlStr::new(username),
            password: XmlStr::new(password),
        }
    }

    /// Decodes an `<iq type="get">` stanza carrying `connectionRequest` (see the module docs
    /// for what is tolerated).
    ///
    /// # Errors
    /// [`XmppError`]; [`XmppErrorKind::reply`] says whether to answer. Never panics.
    pub fn decode(stanza: &'a [u8]) -> Result<Self, XmppError> {
        let (mut r, root) = Reader::start(stanza)?;
        let iq = read_header(&r, &root)?;
        if iq.kind != IqType::Get {
            return Err(XmppError::new(XmppErrorKind::NotGet, root.offset));
        }
        let Some(cr) = r.next_child()? else {
            return Err(XmppError::new(
                XmppErrorKind::NotConnectionRequest,
                root.offset,
            ));
        };
        if cr.local != "connectionRequest" {
            return Err(XmppError::new(
                XmppErrorKind::NotConnectionRequest,
                cr.offset,
            ));
        }
        if cr.ns != Ns::XmppConnReq {
            return Err(XmppError::new(
                XmppErrorKind::UnsupportedNamespace,
                cr.offset,
            ));
        }
        let invalid = |o: usize| XmppError::new(XmppErrorKind::InvalidConnectionRequest, o);
        let (mut username, mut password) = (None, None);
        while let Some(t) = r.next_child()? {
            if !matches!(t.ns, Ns::XmppConnReq | Ns::None) {
                return Err(invalid(t.offset));
            }
            let slot = match t.local {
                "username" => &mut username,
                "password" => &mut password,
                _ => return Err(invalid(t.offset)),
            };
            if slot.is_some() {
                return Err(invalid(t.offset));
            }
            *slot = Some(r.text()?);
        }
        let (Some(username), Some(password)) = (username, password) else {
            return Err(invalid(cr.offset));
        };
        if let Some(extra) = r.next_child()? {
            return Err(invalid(extra.offset));
        }
        r.finish()?;
        Ok(Self {
            iq,
            username,
            password,
        })
    }

    /// Validates and authenticates the request (K.2.1): `from` against `allowed_jids` (empty
    /// allows all), `username` and `password` against the ConnectionRequest credentials. The
    /// credential comparisons are constant time for equal lengths. Never panics.
    ///
    /// # Errors
    /// The [`XmppRejectReason`]; reply with [`XmppRejectReason::reply`].
    pub fn check(
        &self,
        creds: &Credentials<'_>,
        allowed_jids: &[&str],
    ) -> Result<(), XmppRejectReason> {
        let user_ok = credential_eq(&self.username, creds.username.as_bytes());
        let pass_ok = credential_eq(&self.password, creds.password.as_bytes());
        let jid_ok = match self.iq.from {
            None => jid_allowed(None, allowed_jids),
            Some(f) => match f.as_str() {
                Some(s) => jid_allowed(Some(s), allowed_jids),
                None => {
                    let mut buf = [0u8; MAX_ESCAPED_JID_LEN];
                    match f.unescape_into(&mut buf) {
                        Ok(s) => jid_allowed(Some(s), allowed_jids),
                        Err(_) => false,
                    }
                }
            },
        };
        if !jid_ok {
            Err(XmppRejectReason::JidNotAllowed)
        } else if !user_ok {
            Err(XmppRejectReason::Username)
        } else if !pass_ok {
            Err(XmppRejectReason::Password)
        } else {
            Ok(())
        }
    }

    /// Writes the request stanza (ACS side): `<iq from to id type="get"><connectionRequest
    /// xmlns=".."><username/><password/></connectionRequest></iq>`.
    ///
    /// # Errors
    /// [`EncodeError`]: the writer's error, or a value XML cannot carry. Never panics.
    pub fn encode<W: Write>(&self, w: &mut W) -> Result<(), EncodeError<W::Error>> {
        let mut x = XmlWriter::new(w);
        x.raw("<iq")?;
        if let Some(f) = &self.iq.from {
            x.raw(" from=\"")?;
            x.xml_str(f)?;
            x.raw("\"")?;
        }
        if let Some(t) = &self.iq.to {
            x.raw(" to=\"")?;
            x.xml_str(t)?;
            x.raw("\"")?;
        }
        x.raw(" id=\"")?;
        x.xml_str(&self.iq.id)?;
        x.raw("\" type=\"get\"><connectionRequest xmlns=\"")?;
        x.raw(crate::xml::ns::XMPP_CONN_REQ)?;
        x.raw("\"><username>")?;
        x.xml_str(&self.username)?;
        x.raw("</username><password>")?;
        x.xml_str(&self.password)?;
        x.raw("</password></connectionRequest></iq>")
    }

    /// The exact length [`encode`](Self::encode) writes (0 when it would fail).
    pub fn encoded_len(&self) -> usize {
        let mut c = Counter::default();
        self.encode(&mut c).map_or(0, |()| c.count)
    }
}

/// Writes the reply to the IQ `iq` (K.2.3.2, K.2.3.3): `from` and `to` swapped, `id` echoed.
///
/// # Errors
/// [`EncodeError`]: the writer's error, or a value XML cannot carry. Never panics.
pub fn encode_reply<W: Write>(
    iq: &IqHeader<'_>,
    reply: XmppReply,
    w: &mut W,
) -> Result<(), EncodeError<W::Error>> {
    let mut x = XmlWriter::new(w);
    x.raw("<iq")?;
    if let Some(t) = &iq.to {
        x.raw(" from=\"")?;
        x.xml_str(t)?;
        x.raw("\"")?;
    }
    if let Some(f) = &iq.from {
        x.raw(" to=\"")?;
        x.xml_str(f)?;
        x.raw("\"")?;
    }
    x.raw(" id=\"")?;
    x.xml_str(&iq.id)?;
    let (error_type, condition) = match reply {
        XmppReply::Result => return x.raw("\" type=\"result\"/>"),
        XmppReply::ServiceUnavailable => ("cancel", "service-unavailable"),
        XmppReply::NotAuthorized => ("cancel", "not-authorized"),
        XmppReply::BadRequest => ("modify", "bad-request"),
    };
    x.raw("\" type=\"error\"><error type=\"")?;
    x.raw(error_type)?;
    x.raw("\"><")?;
    x.raw(condition)?;
    x.raw(" xmlns=\"")?;
    x.raw(STANZAS_NS)?;
    x.raw("\"/></error></iq>")
}

/// The exact length [`encode_reply`] writes (0 when it would fail).
pub fn reply_len(iq: &IqHeader<'_>, reply: XmppReply) -> usize {
    let mut c = Counter::default();
    encode_reply(iq, reply, &mut c).map_or(0, |()| c.count)
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
    fn jid_rule() {
        assert!(jid_allowed(None, &[]));
        assert!(!jid_allowed(None, &["a@b"]));
        assert!(jid_allowed(Some("acs@Example.com/x"), &["acs@example.COM"]));
        assert!(!jid_allowed(
            Some("acs@example.com/x"),
            &["acs@example.com/y"]
        ));
        assert!(jid_allowed(
            Some("acs@example.com/y"),
            &["acs@example.com/y"]
        ));
        assert!(!jid_allowed(
            Some("ACS@example.com/y"),
            &["acs@example.com"]
        ));
        assert!(jid_allowed(Some("example.com/y"), &["example.com"]));
        assert!(!jid_allowed(Some("evil@example.com"), &["example.com"]));
    }
}
