//! Classic STUN (RFC 3489) as TR-069 Annex G uses it (G.2.1.1–G.2.1.3, Table 107; DIGEST §3.3).
//!
//! The CPE sends Binding Requests from the port it listens on for UDP Connection Requests, with
//! two optional attributes of Table 107:
//!
//! * `0xC001` CONNECTION-REQUEST-BINDING, value exactly the 20 bytes `"dslforum.org/TR-111 "`,
//!   in every request sent from the connection-request port and in no other;
//! * `0xC002` BINDING-CHANGE, length 0, only together with 0xC001, on the first binding and on
//!   every change (and then no RESPONSE-ADDRESS or CHANGE-REQUEST);
//! * with 0xC001, USERNAME = `STUNUsername` padded with spaces to a multiple of 4 when it is
//!   non-empty.
//!
//! [`BindingRequest`] encodes such a request; [`StunMessage::decode`] reads any STUN message
//! (a Binding Response with MAPPED-ADDRESS or XOR-MAPPED-ADDRESS, a Binding Error Response with
//! ERROR-CODE, or a request, for a test STUN server). The STUN server shares the port with
//! the UDP Connection Requests: [`classify_datagram`] tells them apart by the first byte
//! (G.2.1.4: 0x00 or 0x01 is STUN, an ASCII letter is a Connection Request).
//!
//! MESSAGE-INTEGRITY (RFC 3489 §11.2.8), which G.2.1.1 asks for only in the Binding Request
//! that answers a `401` Binding Error Response, and then requires, valid, in the Binding
//! Response: [`BindingRequest::message_integrity`] signs a request with `STUNPassword`
//! (HMAC-SHA1 over the message up to the attribute, zero-padded to a multiple of 64 bytes, the
//! attribute last), and [`StunMessage::verify_message_integrity`] checks a response signed
//! that way or as RFC 5389 §15.4 does it (no padding, the header's length ending at the
//! attribute, so a FINGERPRINT may follow).
//!
//! Not done here: RFC 3489's NAT type discovery and shared-secret requests (G.2.1.1: not
//! needed), retransmission timers (the caller's event loop).
//!
//! ```
//! use cwmp_codec::connreq::stun::{classify_datagram, BindingRequest, DatagramKind, StunMessage};
//!
//! // First binding: CONNECTION-REQUEST-BINDING + BINDING-CHANGE, from the CR port.
//! let req = BindingRequest { binding_change: true, ..BindingRequest::new([0x42; 16]) };
//! let mut buf = [0u8; 64];
//! let n = req.encode(&mut buf)?;
//! // socket.send_to(&buf[..n], stun_server) ... then, for each datagram received:
//! let received = &buf[..n];
//! match classify_datagram(received) {
//!     DatagramKind::Stun => {
//!         let m = StunMessage::decode(received)?;
//!         assert!(m.connection_request_binding() && m.binding_change());
//!     }
//!     DatagramKind::ConnectionRequest => { /* UdpConnectionRequest::decode */ }
//!     _ => {} // drop
//! }
//! # Ok::<(), cwmp_codec::connreq::stun::StunError>(())
//! ```

use core::fmt;

use hmac::Mac;

use super::{ct_eq, new_mac};

/// STUN header length.
pub const HEADER_LEN: usize = 20;
/// Binding Request message type.
pub const BINDING_REQUEST: u16 = 0x0001;
/// Binding Response message type.
pub const BINDING_RESPONSE: u16 = 0x0101;
/// Binding Error Response message type.
pub const BINDING_ERROR_RESPONSE: u16 = 0x0111;
/// MAPPED-ADDRESS attribute.
pub const ATTR_MAPPED_ADDRESS: u16 = 0x0001;
/// USERNAME attribute.
pub const ATTR_USERNAME: u16 = 0x0006;
/// MESSAGE-INTEGRITY attribute.
pub const ATTR_MESSAGE_INTEGRITY: u16 = 0x0008;
/// ERROR-CODE attribute.
pub const ATTR_ERROR_CODE: u16 = 0x0009;
/// XOR-MAPPED-ADDRESS attribute (RFC 5389; sent by newer servers in responses).
pub const ATTR_XOR_MAPPED_ADDRESS: u16 = 0x0020;
/// XOR-MAPPED-ADDRESS as some RFC 3489-era servers send it (in the optional range).
pub const ATTR_XOR_MAPPED_ADDRESS_OLD: u16 = 0x8020;
/// CONNECTION-REQUEST-BINDING (TR-069 Table 107).
pub const ATTR_CONNECTION_REQUEST_BINDING: u16 = 0xC001;
/// BINDING-CHANGE (TR-069 Table 107).
pub const ATTR_BINDING_CHANGE: u16 = 0xC002;
/// The value of CONNECTION-REQUEST-BINDING, trailing space included (Table 107).
pub const CONNECTION_REQUEST_BINDING_VALUE: &[u8; 20] = b"dslforum.org/TR-111 ";
/// The RFC 5389 magic cookie, used to undo XOR-MAPPED-ADDRESS.
pub const MAGIC_COOKIE: u32 = 0x2112_A442;
/// The MESSAGE-INTEGRITY value's length: an HMAC-SHA1 (RFC 3489 §11.2.8).
pub const MESSAGE_INTEGRITY_LEN: usize = 20;
/// Longest USERNAME [`BindingRequest`] writes, padding included (*impl*; STUNUsername is a
/// string(256) in the data model).
pub const MAX_USERNAME_LEN: usize = 512;

/// What a datagram on the shared UDP Connection Request / STUN port is (G.2.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DatagramKind {
    /// First byte 0x00 or 0x01: a STUN message ([`StunMessage::decode`]).
    Stun,
    /// First byte an ASCII letter: a UDP Connection Request
    /// ([`UdpConnectionRequest::decode`](super::udp::UdpConnectionRequest::decode)).
    ConnectionRequest,
    /// Anything else (or empty): drop it.
    Unknown,
}

/// Demultiplexes a datagram received on the UDP Connection Request port by its first byte.
/// Never panics.
pub fn classify_datagram(datagram: &[u8]) -> DatagramKind {
    match datagram.first() {
        Some(0x00 | 0x01) => DatagramKind::Stun,
        Some(b) if b.is_ascii_alphabetic() => DatagramKind::ConnectionRequest,
        _ => DatagramKind::Unknown,
    }
}

/// What is wrong with a STUN message, or why one cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum StunErrorKind {
    /// Shorter than the 20-byte header.
    TooShort,
    /// The two top bits of the message type are set: not STUN.
    NotStun,
    /// The header's length does not match the datagram, or is not a multiple of 4.
    Length,
    /// An attribute runs past the end of the message.
    AttributeLength,
    /// A known attribute has a malformed value (address family, length, error class).
    AttributeValue,
    /// Encoding: BINDING-CHANGE without CONNECTION-REQUEST-BINDING (Table 107), or a username
    /// longer than [`MAX_USERNAME_LEN`].
    InvalidRequest,
    /// Encoding: the output buffer is too small.
    BufferTooSmall,
}

impl StunErrorKind {
    const fn as_str(self) -> &'static str {
        match self {
            Self::TooShort => "shorter than a STUN header",
            Self::NotStun => "not a STUN message",
            Self::Length => "message length mismatch",
            Self::AttributeLength => "attribute runs past the message",
            Self::AttributeValue => "malformed attribute value",
            Self::InvalidRequest => "invalid binding request fields",
            Self::BufferTooSmall => "buffer too small",
        }
    }
}

/// A STUN error with the byte offset where it was found (0 for encoding errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct StunError {
    /// What is wrong.
    pub kind: StunErrorKind,
    /// Byte offset.
    pub offset: usize,
}

impl StunError {
    const fn new(kind: StunErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

impl fmt::Display for StunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.as_str(), self.offset)
    }
}

impl core::error::Error for StunError {}

/// A transport address from MAPPED-ADDRESS or XOR-MAPPED-ADDRESS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StunAddress {
    /// IPv4 (family 0x01).
    V4 {
        /// Address octets.
        ip: [u8; 4],
        /// Port.
        port: u16,
    },
    /// IPv6 (family 0x02, RFC 5389).
    V6 {
        /// Address octets.
        ip: [u8; 16],
        /// Port.
        port: u16,
    },
}

impl StunAddress {
    /// As a `core::net::SocketAddr`.
    pub fn to_socket_addr(self) -> core::net::SocketAddr {
        match self {
            Self::V4 { ip, port } => core::net::SocketAddr::from((ip, port)),
            Self::V6 { ip, port } => core::net::SocketAddr::from((ip, port)),
        }
    }

    /// The port.
    pub const fn port(self) -> u16 {
        match self {
            Self::V4 { port, .. } | Self::V6 { port, .. } => port,
        }
    }

    fn parse(v: &[u8]) -> Option<Self> {
        match v {
            [_, 0x01, p0, p1, a, b, c, d] => Some(Self::V4 {
                ip: [*a, *b, *c, *d],
                port: u16::from_be_bytes([*p0, *p1]),
            }),
            [_, 0x02, p0, p1, rest @ ..] => Some(Self::V6 {
                ip: <[u8; 16]>::try_from(rest).ok()?,
                port: u16::from_be_bytes([*p0, *p1]),
            }),
            _ => None,
        }
    }

    /// Undoes the XOR of XOR-MAPPED-ADDRESS (RFC 5389 §15.2).
    fn unxor(self, transaction_id: &[u8; 16]) -> Self {
        let cookie = MAGIC_COOKIE.to_be_bytes();
        // The cookie's top 16 bits: 0x2112.
        let port_mask = u16::from_be_bytes([0x21, 0x12]);
        match self {
            Self::V4 { ip, port } => Self::V4 {
                ip: u32::to_be_bytes(u32::from_be_bytes(ip) ^ MAGIC_COOKIE),
                port: port ^ port_mask,
            },
            Self::V6 { mut ip, port } => {
                // Cookie then the last 12 bytes of the (RFC 5389) transaction ID.
                let mask = cookie
                    .iter()
                    .chain(transaction_id.get(4..).unwrap_or(&[]).iter());
                for (b, m) in ip.iter_mut().zip(mask) {
                    *b ^= m;
                }
                Self::V6 {
                    ip,
                    port: port ^ port_mask,
                }
            }
        }
    }
}

/// ERROR-CODE (RFC 3489 §11.2.9): `class * 100 + number` and the reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StunErrorCode<'a> {
    /// The code, 100..=699 (401 Unauthorized asks for USERNAME and MESSAGE-INTEGRITY, G.2.1.2).
    pub code: u16,
    /// The reason phrase (UTF-8 on the wire, padding spaces possibly included).
    pub reason: &'a [u8],
}

impl<'a> StunErrorCode<'a> {
    fn parse(v: &'a [u8]) -> Option<Self> {
        let [_, _, class, number, reason @ ..] = v else {
            return None;
        };
        let class = class & 0x07;
        if !(1..=6).contains(&class) || *number > 99 {
            return None;
        }
        let code = u16::from(class)
            .checked_mul(100)?
            .checked_add(u16::from(*number))?;
        Some(Self { code, reason })
    }
}

/// One attribute: type and value (padding excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StunAttribute<'a> {
    /// Attribute type.
    pub kind: u16,
    /// Value bytes.
    pub value: &'a [u8],
}

/// Iterator over the attributes of a decoded [`StunMessage`].
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Attributes<'a> {
    rest: &'a [u8],
}

/// Splits the next attribute: `(attribute, rest)`, or `None` on truncation.
fn split_attr(b: &[u8]) -> Option<(StunAttribute<'_>, &[u8])> {
    let (hdr, rest) = b.split_at_checked(4)?;
    let [t0, t1, l0, l1] = hdr else { return None };
    let len = usize::from(u16::from_be_bytes([*l0, *l1]));
    let padded = len.checked_add(3)? & !3;
    let value = rest.get(..len)?;
    // Tolerate a last attribute whose padding is missing (RFC 3489 never pads).
    let rest = rest.get(padded..).unwrap_or(&[]);
    Some((
        StunAttribute {
            kind: u16::from_be_bytes([*t0, *t1]),
            value,
        },
        rest,
    ))
}

impl<'a> Iterator for Attributes<'a> {
    type Item = StunAttribute<'a>;

    fn next(&mut self) -> Option<StunAttribute<'a>> {
        let (a, rest) = split_attr(self.rest)?;
        self.rest = rest;
        Some(a)
    }
}

/// A decoded STUN message, borrowing the datagram. Structure and the known attributes were
/// validated by [`decode`](Self::decode), so the accessors never fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StunMessage<'a> {
    /// Message type (`BINDING_REQUEST`, `BINDING_RESPONSE`, `BINDING_ERROR_RESPONSE`, ...).
    pub message_type: u16,
    /// The 128-bit transaction ID (RFC 3489; for RFC 5389 peers its first 4 bytes are the
    /// magic cookie).
    pub transaction_id: [u8; 16],
    attrs: &'a [u8],
    /// The whole message (header and attributes), for MESSAGE-INTEGRITY.
    raw: &'a [u8],
}

impl<'a> StunMessage<'a> {
    /// Decodes a STUN message: header, exact length, attribute framing, and the values of
    /// MAPPED-ADDRESS, XOR-MAPPED-ADDRESS and ERROR-CODE.
    ///
    /// # Errors
    /// [`StunError`] with the kind and offset. Never panics.
    pub fn decode(datagram: &'a [u8]) -> Result<Self, StunError> {
        let (hdr, attrs) = datagram
            .split_at_checked(HEADER_LEN)
            .ok_or(StunError::new(StunErrorKind::TooShort, datagram.len()))?;
        let [m0, m1, l0, l1, tid @ ..] = hdr else {
            return Err(StunError::new(StunErrorKind::TooShort, 0));
        };
        if m0 & 0xC0 != 0 {
            return Err(StunError::new(StunErrorKind::NotStun, 0));
        }
        let len = usize::from(u16::from_be_bytes([*l0, *l1]));
        if len != attrs.len() || len % 4 != 0 {
            return Err(StunError::new(StunErrorKind::Length, 2));
        }
        let transaction_id =
            <[u8; 16]>::try_from(tid).map_err(|_| StunError::new(StunErrorKind::TooShort, 4))?;
        let mut rest = attrs;
        while !rest.is_empty() {
            let at = HEADER_LEN.saturating_add(attrs.len().saturating_sub(rest.len()));
            let (a, tail) =
                split_attr(rest).ok_or(StunError::new(StunErrorKind::AttributeLength, at))?;
            let ok = match a.kind {
                ATTR_MAPPED_ADDRESS | ATTR_XOR_MAPPED_ADDRESS | ATTR_XOR_MAPPED_ADDRESS_OLD => {
                    StunAddress::parse(a.value).is_some()
                }
                ATTR_ERROR_CODE => StunErrorCode::parse(a.value).is_some(),
                ATTR_BINDING_CHANGE => a.value.is_empty(),
                _ => true,
            };
            if !ok {
                return Err(StunError::new(StunErrorKind::AttributeValue, at));
            }
            rest = tail;
        }
        Ok(Self {
            message_type: u16::from_be_bytes([*m0, *m1]),
            transaction_id,
            attrs,
            raw: datagram,
        })
    }

    /// Every attribute, in order.
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes { rest: self.attrs }
    }

    /// The first attribute of type `kind`.
    pub fn attribute(&self, kind: u16) -> Option<&'a [u8]> {
        self.attributes().find(|a| a.kind == kind).map(|a| a.value)
    }

    /// True for a Binding Request.
    pub const fn is_binding_request(&self) -> bool {
        self.message_type == BINDING_REQUEST
    }

    /// True for a Binding Response.
    pub const fn is_binding_response(&self) -> bool {
        self.message_type == BINDING_RESPONSE
    }

    /// True for a Binding Error Response.
    pub const fn is_binding_error_response(&self) -> bool {
        self.message_type == BINDING_ERROR_RESPONSE
    }

    /// MAPPED-ADDRESS: the public address of the binding.
    pub fn mapped_address(&self) -> Option<StunAddress> {
        self.attribute(ATTR_MAPPED_ADDRESS)
            .and_then(StunAddress::parse)
    }

    /// XOR-MAPPED-ADDRESS (0x0020 or 0x8020), un-XORed.
    pub fn xor_mapped_address(&self) -> Option<StunAddress> {
        self.attributes()
            .find(|a| {
                matches!(
                    a.kind,
                    ATTR_XOR_MAPPED_ADDRESS | ATTR_XOR_MAPPED_ADDRESS_OLD
                )
            })
            .and_then(|a| StunAddress::parse(a.value))
            .map(|a| a.unxor(&self.transaction_id))
    }

    /// The public address: XOR-MAPPED-ADDRESS when present, else MAPPED-ADDRESS.
    pub fn public_address(&self) -> Option<StunAddress> {
        self.xor_mapped_address().or_else(|| self.mapped_address())
    }

    /// ERROR-CODE.
    pub fn error_code(&self) -> Option<StunErrorCode<'a>> {
        self.attribute(ATTR_ERROR_CODE)
            .and_then(StunErrorCode::parse)
    }

    /// USERNAME, padding included.
    pub fn username(&self) -> Option<&'a [u8]> {
        self.attribute(ATTR_USERNAME)
    }

    /// CONNECTION-REQUEST-BINDING is present with its exact Table 107 value.
    pub fn connection_request_binding(&self) -> bool {
        self.attribute(ATTR_CONNECTION_REQUEST_BINDING)
            == Some(&CONNECTION_REQUEST_BINDING_VALUE[..])
    }

    /// BINDING-CHANGE is present.
    pub fn binding_change(&self) -> bool {
        self.attribute(ATTR_BINDING_CHANGE).is_some()
    }

    /// The first MESSAGE-INTEGRITY is present, 20 bytes long, and is the HMAC-SHA1 keyed by
    /// `key` (`STUNPassword`, G.2.1.1) of the message before it, in either of STUN's two
    /// forms: RFC 3489 §11.2.8 (the text zero-padded to a multiple of 64 bytes) or RFC 5389
    /// §15.4 (unpadded). In both the header's length is taken as ending with the
    /// attribute, which is the length as sent when it is the last one (RFC 3489 makes it
    /// last; RFC 5389 lets FINGERPRINT follow). Compared in constant time. Never panics.
    pub fn verify_message_integrity(&self, key: &[u8]) -> bool {
        let mut rest = self.attrs;
        while let Some((a, tail)) = split_attr(rest) {
            if a.kind == ATTR_MESSAGE_INTEGRITY {
                let at = HEADER_LEN.saturating_add(self.attrs.len().saturating_sub(rest.len()));
                let Some(text) = self.raw.get(..at) else {
                    return false;
                };
                return a.value.len() == MESSAGE_INTEGRITY_LEN
                    && (ct_eq(&message_integrity(key, text, true), a.value)
                        || ct_eq(&message_integrity(key, text, false), a.value));
            }
            rest = tail;
        }
        false
    }
}

/// HMAC-SHA1 keyed by `key` of `text` (a message's header and the attributes before its
/// MESSAGE-INTEGRITY), with the header's length set to end with that attribute; `pad`: zero
/// padding to a multiple of 64 bytes (RFC 3489 §11.2.8), else none (RFC 5389 §15.4).
fn message_integrity(key: &[u8], text: &[u8], pad: bool) -> [u8; MESSAGE_INTEGRITY_LEN] {
    let mut mac = new_mac(key);
    let body_len = text
        .len()
        .saturating_sub(HEADER_LEN)
        .saturating_add(4 + MESSAGE_INTEGRITY_LEN);
    let length = u16::try_from(body_len).unwrap_or(u16::MAX).to_be_bytes();
    mac.update(text.get(..2).unwrap_or(&[]));
    mac.update(&length);
    mac.update(text.get(4..).unwrap_or(&[]));
    if pad {
        let zeros = [0u8; 64];
        let n = text.len().wrapping_neg() & 63;
        mac.update(zeros.get(..n).unwrap_or(&[]));
    }
    mac.finalize().into_bytes().into()
}

/// A Binding Request from the CPE (G.2.1.1–G.2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BindingRequest<'a> {
    /// A fresh random transaction ID (RFC 3489 §9.3); keep it to match the response.
    pub transaction_id: [u8; 16],
    /// Add CONNECTION-REQUEST-BINDING: the request goes out from the connection-request port.
    pub connection_request_binding: bool,
    /// Add BINDING-CHANGE: first binding or binding changed (needs
    /// `connection_request_binding`).
    pub binding_change: bool,
    /// USERNAME (`STUNUsername`), space-padded to a multiple of 4 when written; empty or
    /// `None` for none.
    pub username: Option<&'a [u8]>,
    /// Sign the request with MESSAGE-INTEGRITY keyed by this (`STUNPassword`), written last
    /// (RFC 3489 §11.2.8). G.2.1.1: only in the request that answers a `401` Binding Error
    /// Response, and together with USERNAME.
    pub message_integrity: Option<&'a [u8]>,
}

impl<'a> BindingRequest<'a> {
    /// A request from the connection-request port, without BINDING-CHANGE or USERNAME.
    pub const fn new(transaction_id: [u8; 16]) -> Self {
        Self {
            transaction_id,
            connection_request_binding: true,
            binding_change: false,
            username: None,
            message_integrity: None,
        }
    }

    fn username_padded_len(&self) -> Option<usize> {
        match self.username {
            None | Some([]) => Some(0),
            Some(u) => {
                let n = u.len().checked_add(3)? & !3;
                (n <= MAX_USERNAME_LEN).then_some(n)
            }
        }
    }

    /// The exact encoded length, or `None` for an invalid request.
    pub fn encoded_len(&self) -> Option<usize> {
        if self.binding_change && !self.connection_request_binding {
            return None;
        }
        let mut n = HEADER_LEN;
        if self.connection_request_binding {
            n = n.checked_add(24)?;
        }
        if self.binding_change {
            n = n.checked_add(4)?;
        }
        let u = self.username_padded_len()?;
        if u > 0 {
            n = n.checked_add(4)?.checked_add(u)?;
        }
        if self.message_integrity.is_some() {
            n = n.checked_add(4 + MESSAGE_INTEGRITY_LEN)?;
        }
        Some(n)
    }

    /// Writes the request into `out` and returns its length.
    ///
    /// # Errors
    /// [`StunErrorKind::InvalidRequest`], [`StunErrorKind::BufferTooSmall`]. Never panics.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, StunError> {
        let len = self
            .encoded_len()
            .ok_or(StunError::new(StunErrorKind::InvalidRequest, 0))?;
        let body_len = u16::try_from(len.saturating_sub(HEADER_LEN))
            .map_err(|_| StunError::new(StunErrorKind::InvalidRequest, 0))?;
        let buf = out
            .get_mut(..len)
            .ok_or(StunError::new(StunErrorKind::BufferTooSmall, 0))?;
        let mut w = Cursor { buf, at: 0 };
        w.put(&BINDING_REQUEST.to_be_bytes());
        w.put(&body_len.to_be_bytes());
        w.put(&self.transaction_id);
        if self.connection_request_binding {
            w.put(&ATTR_CONNECTION_REQUEST_BINDING.to_be_bytes());
            w.put(&20u16.to_be_bytes());
            w.put(CONNECTION_REQUEST_BINDING_VALUE);
        }
        if self.binding_change {
            w.put(&ATTR_BINDING_CHANGE.to_be_bytes());
            w.put(&0u16.to_be_bytes());
        }
        if let Some(u) = self.username.filter(|u| !u.is_empty()) {
            let padded = self.username_padded_len().unwrap_or(0);
            let plen = u16::try_from(padded).unwrap_or(0);
            w.put(&ATTR_USERNAME.to_be_bytes());
            w.put(&plen.to_be_bytes());
            w.put(u);
            for _ in u.len()..padded {
                w.put(b" ");
            }
        }
        if let Some(key) = self.message_integrity {
            let text_len = w.at;
            let mac = message_integrity(key, w.buf.get(..text_len).unwrap_or(&[]), true);
            w.put(&ATTR_MESSAGE_INTEGRITY.to_be_bytes());
            w.put(&(MESSAGE_INTEGRITY_LEN as u16).to_be_bytes());
            w.put(&mac);
        }
        Ok(len)
    }
}

/// Writes into a buffer already checked to be exactly as long as the message.
struct Cursor<'b> {
    buf: &'b mut [u8],
    at: usize,
}

impl Cursor<'_> {
    fn put(&mut self, b: &[u8]) {
        let end = self.at.saturating_add(b.len());
        if let Some(dst) = self.buf.get_mut(self.at..end) {
            dst.copy_from_slice(b);
        }
        self.at = end;
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
    use hmac::{Hmac, KeyInit};
    use sha1::Sha1;

    #[test]
    fn request_round_trip() {
        let r = BindingRequest {
            binding_change: true,
            username: Some(b"cpe01"),
            ..BindingRequest::new([7; 16])
        };
        let mut buf = [0u8; 128];
        let n = r.encode(&mut buf).unwrap();
        assert_eq!(Some(n), r.encoded_len());
        assert_eq!(n, 20 + 24 + 4 + 12);
        let m = StunMessage::decode(&buf[..n]).unwrap();
        assert!(m.is_binding_request());
        assert!(m.connection_request_binding() && m.binding_change());
        assert_eq!(m.username(), Some(&b"cpe01   "[..]));
        assert_eq!(m.transaction_id, [7; 16]);
        assert!(!m.verify_message_integrity(b"secret"), "not signed");
    }

    /// RFC 3489 §11.2.8 computed independently: HMAC-SHA1 over the message before the
    /// attribute, zero-padded to 64 bytes, the header's length counting the attribute.
    #[test]
    fn a_signed_request_carries_the_rfc_3489_hmac_last() {
        let r = BindingRequest {
            username: Some(b"cpe01"),
            message_integrity: Some(b"secret"),
            ..BindingRequest::new([9; 16])
        };
        let mut buf = [0u8; 128];
        let n = r.encode(&mut buf).unwrap();
        assert_eq!(Some(n), r.encoded_len());
        assert_eq!(n, 20 + 24 + 12 + 24);
        assert_eq!(u16::from_be_bytes([buf[2], buf[3]]) as usize, n - 20);
        let m = StunMessage::decode(&buf[..n]).unwrap();
        assert_eq!(m.attributes().last().unwrap().kind, ATTR_MESSAGE_INTEGRITY);
        let mut text = buf[..n - 24].to_vec();
        text.resize(64, 0);
        let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(b"secret").unwrap();
        mac.update(&text);
        let expected: [u8; 20] = mac.finalize().into_bytes().into();
        assert_eq!(&buf[n - 20..n], &expected);
        assert!(m.verify_message_integrity(b"secret"));
        assert!(!m.verify_message_integrity(b"Secret"));
        // One flipped bit anywhere before the attribute breaks it.
        for i in 0..n - 20 {
            let mut bad = buf[..n].to_vec();
            bad[i] ^= 1;
            if let Ok(m) = StunMessage::decode(&bad) {
                assert!(!m.verify_message_integrity(b"secret"), "byte {i}");
            }
        }
    }
}
