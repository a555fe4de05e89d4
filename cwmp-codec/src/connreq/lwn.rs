//! UDP Lightweight Notification (TR-069 Annex M, M.2.3–M.2.6; DIGEST §15.1): CPE → ACS, one
//! UDP datagram per message, no response.
//!
//! ```text
//! POST / HTTP/1.1
//! Host: acs.example.com
//! Content-Type: text/xml; charset=utf-8
//! Content-Length: 612
//! Signature: 42A424FB0C4938BBF08259514C64ABFC1E74C61F
//!
//! <?xml version="1.0" encoding="UTF-8"?><Notification xmlns="urn:broadband-forum-org:cwmp:lwnotif-1-0" ...>
//!   <TS>..</TS><UN>..</UN><CN>..</CN><OUI>..</OUI><ProductClass>..</ProductClass><SerialNumber>..</SerialNumber>
//!   <Param><Name>..</Name><Value xsi:type="xsd:boolean">0</Value></Param> ...
//! </Notification>
//! ```
//!
//! Exactly the four headers `Host`, `Content-Type`, `Content-Length`, `Signature` (M.2.3).
//! `Signature` is the hex HMAC over the exact body bytes with key `ManagementServer.Password`,
//! digest `ManagementServer.LightweightDigest` ([`LwnDigest`], SHA-1 by default). The text says
//! "40-character", which only fits SHA-1; SHA-256 gives 64 (DIGEST §17 item 14). Written in
//! upper case as in M.2.6; compared case-insensitively.
//!
//! The body's elements are global in the XSD, hence qualified: the writer puts the namespace
//! as the default on `Notification`, with `xsd` and `xsi` declared there for the `Value` types.
//! `TS` is an `xs:int` in the XSD and overflows in 2038 (DIGEST §17 item 14): the writer
//! writes the `u64` it is given.
//!
//! [`LwnNotification::encode`] writes the whole datagram into the caller's buffer; the
//! `Param`s come from any [`ItemSource`] (a slice, or a view of the data model). When they do
//! not all fit, [`LwnEncodeError::BufferTooSmall`] says how many would: send those (pass the
//! first `params_that_fit` items) and the rest in another datagram. [`LwnMessage::decode`] and
//! [`LwnMessage::verify`] are for the ACS side and tests.
//!
//! ```
//! use cwmp_codec::connreq::lwn::{LwnDigest, LwnMessage, LwnNotification, LwnParam};
//! use cwmp_codec::http::url::HostHeader;
//! use cwmp_codec::Value;
//!
//! let note = LwnNotification {
//!     host: HostHeader { host: "acs.example.com", port: Some(7547) },
//!     ts: 1_120_673_700,
//!     username: "ACS57689",
//!     cnonce: "XTGRWIPC6D3IPXS3",
//!     oui: "00D09E",
//!     product_class: "",
//!     serial_number: "134SS03013",
//! };
//! let params = [LwnParam::new("Device.ManagementServer.PeriodicInformInterval", Value::UnsignedInt(60))];
//! let mut datagram = [0u8; 1472]; // one UDP payload over Ethernet
//! let n = note.encode(&params[..], b"acs-password", LwnDigest::Sha1, &mut datagram)?;
//! // socket.send_to(&datagram[..n], (host, port)) ... the ACS side:
//! let msg = LwnMessage::decode(&datagram[..n]).unwrap();
//! assert!(msg.verify(b"acs-password", LwnDigest::Sha1));
//! assert_eq!(msg.params().count(), 1);
//! # Ok::<(), cwmp_codec::connreq::lwn::LwnEncodeError>(())
//! ```

use core::fmt;

use embedded_io::Write;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

use super::{ct_eq, decode_hex, hex_upper};
use crate::array::ItemSource;
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::field::{DecodeElement, EncodeElement};
use crate::http::request::RequestHead;
use crate::http::url::HostHeader;
use crate::http::{HeadErrorKind, Status, EMPTY_HEADER};
use crate::value::Value;
use crate::xml::ns::{Ns, LW_NOTIF, XSD, XSI};
use crate::xml::reader::Reader;
use crate::xml::writer::element_name;
use crate::xml::writer::{Counter, XmlWriter};
use crate::xml::XmlStr;

/// The digest of the `Signature` HMAC (`ManagementServer.LightweightDigest`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LwnDigest {
    /// HMAC-SHA1, 40 hex digits: the default (M.2.3).
    #[default]
    Sha1,
    /// HMAC-SHA256, 64 hex digits.
    Sha256,
}

impl LwnDigest {
    /// Number of hex digits of the signature.
    pub const fn hex_len(self) -> usize {
        match self {
            Self::Sha1 => 40,
            Self::Sha256 => 64,
        }
    }

    /// The HMAC of `body` with `key`, in `out` (first 20 or 32 bytes); returns the length.
    fn mac(self, key: &[u8], body: &[u8], out: &mut [u8; 32]) -> usize {
        match self {
            Self::Sha1 => {
                let tag: [u8; 20] = match <Hmac<Sha1> as KeyInit>::new_from_slice(key) {
                    Ok(mut m) => {
                        m.update(body);
                        m.finalize().into_bytes().into()
                    }
                    Err(_) => [0; 20],
                };
                if let Some(o) = out.get_mut(..20) {
                    o.copy_from_slice(&tag);
                }
                20
            }
            Self::Sha256 => {
                let tag: [u8; 32] = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
                    Ok(mut m) => {
                        m.update(body);
                        m.finalize().into_bytes().into()
                    }
                    Err(_) => [0; 32],
                };
                *out = tag;
                32
            }
        }
    }
}

/// One notified Parameter (M.2.4, Table 109).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LwnParam<'a> {
    /// `Name`, a full Parameter path (string(256)).
    pub name: XmlStr<'a>,
    /// `Value`, written with its `xsi:type`.
    pub value: Value<'a>,
}

impl<'a> LwnParam<'a> {
    /// A parameter to encode.
    pub const fn new(name: &'a str, value: Value<'a>) -> Self {
        Self {
            name: XmlStr::new(name),
            value,
        }
    }
}

/// Why a notification could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum LwnEncodeError {
    /// The datagram does not fit the buffer. Nothing useful was written.
    BufferTooSmall {
        /// Bytes the whole datagram needs.
        needed: usize,
        /// How many leading `Param`s would fit (0: not even one; a message needs at least one).
        params_that_fit: usize,
    },
    /// No `Param` at all: a message carries at least one (M.2.4).
    NoParams,
    /// A field XML cannot carry (a control character), a host with a control character, or a
    /// source whose length changed between the passes.
    InvalidValue,
}

impl fmt::Display for LwnEncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { .. } => f.write_str("notification does not fit the buffer"),
            Self::NoParams => f.write_str("a notification needs at least one parameter"),
            Self::InvalidValue => f.write_str("value cannot be encoded"),
        }
    }
}

impl core::error::Error for LwnEncodeError {}

/// A Lightweight Notification to send (M.2.4, Table 108).
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LwnNotification<'a> {
    /// `Host`: `UDPLightweightNotificationHost[:Port]`, or the ACS host (port 7547).
    pub host: HostHeader<'a>,
    /// `TS`: Unix seconds.
    pub ts: u64,
    /// `UN`: `ManagementServer.Username`.
    pub username: &'a str,
    /// `CN`: a random cnonce.
    pub cnonce: &'a str,
    /// `OUI`: six upper-case hex digits.
    pub oui: &'a str,
    /// `ProductClass`.
    pub product_class: &'a str,
    /// `SerialNumber`.
    pub serial_number: &'a str,
}

impl fmt::Debug for LwnNotification<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LwnNotification")
            .field("host", &self.host)
            .field("ts", &self.ts)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Writes into a slice, counting; an overflow is an error.
type SliceErr = EncodeError<embedded_io::SliceWriteError>;

fn enc_err<E>(_: EncodeError<E>) -> LwnEncodeError {
    LwnEncodeError::InvalidValue
}

impl LwnNotification<'_> {
    fn body_start<W: Write>(&self, x: &mut XmlWriter<'_, W>) -> Result<(), EncodeError<W::Error>> {
        x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Notification xmlns=\"")?;
        x.raw(LW_NOTIF)?;
        x.raw("\" xmlns:xsd=\"")?;
        x.raw(XSD)?;
        x.raw("\" xmlns:xsi=\"")?;
        x.raw(XSI)?;
        x.raw("\"><TS>")?;
        x.u64(self.ts)?;
        x.raw("</TS>")?;
        for (name, v) in [
            (element_name!("UN"), self.username),
            (element_name!("CN"), self.cnonce),
            (element_name!("OUI"), self.oui),
            (element_name!("ProductClass"), self.product_class),
            (element_name!("SerialNumber"), self.serial_number),
        ] {
            x.open(name)?;
            x.text(v)?;
            x.close(name)?;
        }
        Ok(())
    }

    fn param<W: Write>(
        x: &mut XmlWriter<'_, W>,
        p: &LwnParam<'_>,
    ) -> Result<(), EncodeError<W::Error>> {
        x.raw("<Param><Name>")?;
        x.xml_str(&p.name)?;
        x.raw("</Name>")?;
        p.value.encode_element(x, element_name!("Value"))?;
        x.raw("</Param>")
    }

    fn head<W: Write>(&self, body_len: usize, sig: &[u8], w: &mut W) -> Result<(), W::Error> {
        w.write_all(b"POST / HTTP/1.1\r\nHost: ")?;
        self.host.write(w)?;
        w.write_all(b"\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: ")?;
        super::write_decimal(w, u64::try_from(body_len).unwrap_or(u64::MAX))?;
        w.write_all(b"\r\nSignature: ")?;
        w.write_all(sig)?;
        w.write_all(b"\r\n\r\n")
    }

    /// Writes the whole datagram (head and body) into `out` and returns its length. The
    /// signature is computed over the body as written, with `password`
    /// (`ManagementServer.Password`) and `digest`.
    ///
    /// # Errors
    /// [`LwnEncodeError::BufferTooSmall`] with how many leading params fit,
    /// [`LwnEncodeError::NoParams`], [`LwnEncodeError::InvalidValue`]. Never panics.
    pub fn encode<'p, S: ItemSource<LwnParam<'p>> + ?Sized>(
        &self,
        params: &S,
        password: &[u8],
        digest: LwnDigest,
        out: &mut [u8],
    ) -> Result<usize, LwnEncodeError> {
        let n = params.len();
        if n == 0 {
            return Err(LwnEncodeError::NoParams);
        }
        let host = self.host.host.as_bytes();
        if host.is_empty() || host.iter().any(|&b| b <= 0x20 || b == 0x7f) {
            return Err(LwnEncodeError::InvalidValue);
        }
        const END: &str = "</Notification>";
        let sig_len = digest.hex_len();
        let dummy_sig = [b'0'; 64];
        let total = |body: usize| -> usize {
            let mut c = Counter::default();
            let _ = self.head(body, dummy_sig.get(..sig_len).unwrap_or(&[]), &mut c);
            c.count.saturating_add(body)
        };
        // Length pass: the fixed part, then each param.
        let mut c = Counter::default();
        self.body_start(&mut XmlWriter::new(&mut c))
            .map_err(enc_err)?;
        let mut body_len = c.count.saturating_add(END.len());
        let mut fit = 0usize;
        for i in 0..n {
            let p = params.get(i).ok_or(LwnEncodeError::InvalidValue)?;
            let mut c = Counter::default();
            Self::param(&mut XmlWriter::new(&mut c), &p).map_err(enc_err)?;
            body_len = body_len.saturating_add(c.count);
            if total(body_len) <= out.len() {
                fit = i.saturating_add(1);
            }
        }
        let needed = total(body_len);
        if needed > out.len() {
            return Err(LwnEncodeError::BufferTooSmall {
                needed,
                params_that_fit: fit,
            });
        }
        let head_len = needed.saturating_sub(body_len);
        let (head_buf, rest) = out
            .split_at_mut_checked(head_len)
            .ok_or(LwnEncodeError::InvalidValue)?;
        let body_buf = rest
            .get_mut(..body_len)
            .ok_or(LwnEncodeError::InvalidValue)?;
        {
            let mut w: &mut [u8] = &mut *body_buf;
            let mut x = XmlWriter::new(&mut w);
            let r: Result<(), SliceErr> = (|| {
                self.body_start(&mut x)?;
                for i in 0..n {
                    let p = params.get(i).ok_or(EncodeError::InvalidValue)?;
                    Self::param(&mut x, &p)?;
                }
                x.raw(END)
            })();
            r.map_err(enc_err)?;
            if !w.is_empty() {
                return Err(LwnEncodeError::InvalidValue);
            }
        }
        let mut mac = [0u8; 32];
        let mac_len = digest.mac(password, body_buf, &mut mac);
        let mut hex = [0u8; 64];
        let hex_len = hex_upper(mac.get(..mac_len).unwrap_or(&[]), &mut hex);
        let mut w: &mut [u8] = head_buf;
        self.head(body_len, hex.get(..hex_len).unwrap_or(&[]), &mut w)
            .map_err(|_| LwnEncodeError::InvalidValue)?;
        if !w.is_empty() {
            return Err(LwnEncodeError::InvalidValue);
        }
        Ok(needed)
    }
}

/// What is wrong with a received notification datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum LwnDecodeErrorKind {
    /// The head or the body is cut short.
    Truncated,
    /// Malformed HTTP head.
    Head(HeadErrorKind),
    /// Not `POST /` (M.2.3).
    RequestLine,
    /// No `Signature`, or not 40 or 64 hex digits.
    Signature,
    /// No `Content-Length` (a datagram body is delimited by it).
    ContentLength,
    /// Malformed XML.
    Xml(DecodeErrorKind),
    /// The root is not `Notification` in the lwnotif namespace.
    NotNotification,
    /// An element is missing, repeated, out of order or unknown (XSD sequence).
    Schema,
    /// `TS` is not a non-negative integer.
    Timestamp,
}

/// A malformed notification, with the byte offset in the datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct LwnDecodeError {
    /// What is wrong.
    pub kind: LwnDecodeErrorKind,
    /// Byte offset in the datagram.
    pub offset: usize,
}

impl LwnDecodeError {
    const fn new(kind: LwnDecodeErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

impl fmt::Display for LwnDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            LwnDecodeErrorKind::Truncated => "datagram cut short",
            LwnDecodeErrorKind::Head(_) => "malformed HTTP head",
            LwnDecodeErrorKind::RequestLine => "not POST /",
            LwnDecodeErrorKind::Signature => "missing or malformed Signature",
            LwnDecodeErrorKind::ContentLength => "missing Content-Length",
            LwnDecodeErrorKind::Xml(_) => "malformed XML",
            LwnDecodeErrorKind::NotNotification => "not a lwnotif Notification",
            LwnDecodeErrorKind::Schema => "body does not follow the schema",
            LwnDecodeErrorKind::Timestamp => "TS is not a non-negative integer",
        })?;
        write!(f, " at byte {}", self.offset)
    }
}

impl core::error::Error for LwnDecodeError {}

/// A received Lightweight Notification (ACS side), borrowing the datagram. Validated by
/// [`decode`](Self::decode): the accessors and the param iterator never fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LwnMessage<'a> {
    /// `Host`, if sent.
    pub host: Option<&'a [u8]>,
    /// The decoded `Signature` (first 20 or 32 bytes).
    signature: [u8; 32],
    signature_len: usize,
    /// The exact body bytes (what the signature covers).
    pub body: &'a [u8],
    /// `TS`.
    pub ts: u64,
    /// `UN`.
    pub username: XmlStr<'a>,
    /// `CN`.
    pub cnonce: XmlStr<'a>,
    /// `OUI`.
    pub oui: XmlStr<'a>,
    /// `ProductClass`.
    pub product_class: XmlStr<'a>,
    /// `SerialNumber`.
    pub serial_number: XmlStr<'a>,
    /// Number of `Param`s.
    pub param_count: usize,
    body_offset: usize,
}

const FIELDS: [&str; 6] = ["TS", "UN", "CN", "OUI", "ProductClass", "SerialNumber"];

fn lw_ns(ns: Ns) -> bool {
    // Qualified per the XSD; unqualified children tolerated.
    matches!(ns, Ns::LwNotif | Ns::None)
}

impl<'a> LwnMessage<'a> {
    /// Decodes the datagram: `POST /`, `Signature`, `Content-Length`, the body against the XSD
    /// sequence. Extra headers are tolerated (the ACS ignores them).
    ///
    /// # Errors
    /// [`LwnDecodeError`]. Never panics.
    pub fn decode(datagram: &'a [u8]) -> Result<Self, LwnDecodeError> {
        use LwnDecodeErrorKind as K;
        let mut headers = [EMPTY_HEADER; 16];
        let head = match RequestHead::parse(datagram, &mut headers) {
            Ok(Status::Complete(h)) => h,
            Ok(Status::Partial) => return Err(LwnDecodeError::new(K::Truncated, datagram.len())),
            Err(e) => return Err(LwnDecodeError::new(K::Head(e.kind), e.offset.unwrap_or(0))),
        };
        if head.method != "POST" || head.target != "/" {
            return Err(LwnDecodeError::new(K::RequestLine, 0));
        }
        let sig_hex = head
            .header("signature")
            .ok_or(LwnDecodeError::new(K::Signature, 0))?;
        let mut signature = [0u8; 32];
        let signature_len = match sig_hex.len() {
            40 => {
                let s = decode_hex::<20>(sig_hex).ok_or(LwnDecodeError::new(K::Signature, 0))?;
                if let Some(d) = signature.get_mut(..20) {
                    d.copy_from_slice(&s);
                }
                20
            }
            64 => {
                signature =
                    decode_hex::<32>(sig_hex).ok_or(LwnDecodeError::new(K::Signature, 0))?;
                32
            }
            _ => return Err(LwnDecodeError::new(K::Signature, 0)),
        };
        let len = match head.framing() {
            crate::http::body::Framing::Length(n) => {
                usize::try_from(n).map_err(|_| LwnDecodeError::new(K::Truncated, datagram.len()))?
            }
            _ => return Err(LwnDecodeError::new(K::ContentLength, 0)),
        };
        let body_offset = head.head_len;
        let body = datagram
            .get(body_offset..)
            .and_then(|b| b.get(..len))
            .ok_or(LwnDecodeError::new(K::Truncated, datagram.len()))?;
        let at = |o: usize| body_offset.saturating_add(o);
        let xml = |e: DecodeError| LwnDecodeError::new(K::Xml(e.kind), at(e.offset));
        let (mut r, root) = Reader::start(body).map_err(xml)?;
        if root.local != "Notification" || root.ns != Ns::LwNotif {
            return Err(LwnDecodeError::new(K::NotNotification, at(root.offset)));
        }
        let mut values = [XmlStr::EMPTY; 6];
        for (name, slot) in FIELDS.iter().zip(values.iter_mut()) {
            let t = r
                .next_child()
                .map_err(xml)?
                .ok_or(LwnDecodeError::new(K::Schema, at(r.offset())))?;
            if t.local != *name || !lw_ns(t.ns) {
                return Err(LwnDecodeError::new(K::Schema, at(t.offset)));
            }
            *slot = r.text().map_err(xml)?;
        }
        let [ts_text, username, cnonce, oui, product_class, serial_number] = values;
        let mut scratch = [0u8; 24];
        let ts = ts_text
            .trim()
            .to_str(&mut scratch)
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or(LwnDecodeError::new(K::Timestamp, at(0)))?;
        let mut param_count = 0usize;
        while let Some(t) = r.next_child().map_err(xml)? {
            if t.local != "Param" || !lw_ns(t.ns) {
                return Err(LwnDecodeError::new(K::Schema, at(t.offset)));
            }
            read_param(&mut r).map_err(|e| match e {
                Some(e) => xml(e),
                None => LwnDecodeError::new(K::Schema, at(t.offset)),
            })?;
            param_count = param_count.saturating_add(1);
        }
        if param_count == 0 {
            return Err(LwnDecodeError::new(K::Schema, at(r.offset())));
        }
        r.finish().map_err(xml)?;
        Ok(Self {
            host: head.header("host"),
            signature,
            signature_len,
            body,
            ts,
            username,
            cnonce,
            oui,
            product_class,
            serial_number,
            param_count,
            body_offset,
        })
    }

    /// Checks `Signature` against the HMAC of the body with `password` and `digest`, in
    /// constant time. A signature of the other digest's length never matches.
    pub fn verify(&self, password: &[u8], digest: LwnDigest) -> bool {
        let mut mac = [0u8; 32];
        let n = digest.mac(password, self.body, &mut mac);
        n == self.signature_len
            && ct_eq(
                mac.get(..n).unwrap_or(&[]),
                self.signature.get(..n).unwrap_or(&[]),
            )
    }

    /// Offset of the body in the datagram.
    pub const fn body_offset(&self) -> usize {
        self.body_offset
    }

    /// The `Param`s, in order.
    pub fn params(&self) -> LwnParams<'a> {
        let reader = Reader::start(self.body).ok().and_then(|(mut r, _)| {
            for _ in FIELDS {
                r.next_child().ok()??;
                r.skip().ok()?;
            }
            Some(r)
        });
        LwnParams { reader }
    }
}

/// Reads the `Name` and `Value` of a `Param` (the reader is inside it). `Err(None)` for a
/// schema error.
fn read_param<'a>(r: &mut Reader<'a>) -> Result<LwnParam<'a>, Option<DecodeError>> {
    let name_tag = r.next_child()?.ok_or(None)?;
    if name_tag.local != "Name" || !lw_ns(name_tag.ns) {
        return Err(None);
    }
    let name = r.text()?;
    let value_tag = r.next_child()?.ok_or(None)?;
    if value_tag.local != "Value" || !lw_ns(value_tag.ns) {
        return Err(None);
    }
    let value = Value::decode_element(r, &value_tag)?;
    if r.next_child()?.is_some() {
        return Err(None);
    }
    Ok(LwnParam { name, value })
}

/// Iterator over the `Param`s of a decoded [`LwnMessage`].
#[derive(Debug, Clone)]
pub struct LwnParams<'a> {
    reader: Option<Reader<'a>>,
}

#[cfg(feature = "defmt")]
impl defmt::Format for LwnParams<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "LwnParams");
    }
}

impl<'a> Iterator for LwnParams<'a> {
    type Item = LwnParam<'a>;

    fn next(&mut self) -> Option<LwnParam<'a>> {
        let r = self.reader.as_mut()?;
        let item = r
            .next_child()
            .ok()
            .flatten()
            .and_then(|_| read_param(r).ok());
        if item.is_none() {
            self.reader = None;
        }
        item
    }
}
