//! The SOAP Envelope (TR-069 §3.5): the [`Header`] elements of Table 4, the [`Body`] with
//! its one method element, and the entry points [`decode`] and [`Envelope::encode`].

use core::convert::Infallible;

use embedded_io::Write;

use super::fault::SoapFault;
use super::methods::*;
use super::Content;
use crate::error::{DecodeError, DecodeErrorKind as K, EncodeError};
use crate::field::{parse_bool, parse_typed, DecodeElement};
use crate::version::CwmpNamespace;
use crate::visit::Visitor;
use crate::xml::ns::{Ns, SOAP_ENC, SOAP_ENV, XSD, XSI};
use crate::xml::reader::{Deviations, Reader, Tag};
use crate::xml::writer::element_name;
use crate::xml::writer::{count_erased, with_erased, WResult, XmlWriter};
use crate::xml::XmlStr;

/// The SOAP header elements of TR-069 Table 4. Absent elements are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Header<'a> {
    /// `ID` (either side, in requests; echoed in the response): opaque, echoed byte for byte
    /// (INTEROP N8). `mustUnderstand="1"`.
    pub id: Option<XmlStr<'a>>,
    /// `HoldRequests` (ACS → CPE, DEPRECATED but REQUIRED in the CPE). `mustUnderstand="1"`.
    pub hold_requests: Option<bool>,
    /// `SessionTimeout` in seconds (CPE → ACS, with the Inform; v1.3+). `mustUnderstand="0"`.
    pub session_timeout: Option<u32>,
    /// `SupportedCWMPVersions` (CPE → ACS, with every Inform of a 1.4 CPE), e.g.
    /// `1.0,1.1,1.2,1.3,1.4`. `mustUnderstand="0"`.
    pub supported_cwmp_versions: Option<XmlStr<'a>>,
    /// `UseCWMPVersion` (ACS → CPE, with the InformResponse; v1.4). `mustUnderstand="1"`.
    pub use_cwmp_version: Option<XmlStr<'a>>,
    /// `NoMoreRequests`: a CWMP 1.0 header (Amendment 1), gone from later versions and from
    /// the schemas, that 1.0 peers still send, sometimes with `mustUnderstand="1"`. Decoded so
    /// they are understood; written only when set.
    pub no_more_requests: Option<bool>,
}

impl<'a> Header<'a> {
    fn is_empty(&self) -> bool {
        *self == Header::default()
    }

    /// Decodes the SOAP `Header` element (the reader's current element).
    ///
    /// Header element names are matched without regard to case (INTEROP N7). Unknown header
    /// elements are ignored; one with `mustUnderstand` `1`/`true` is recorded as the
    /// envelope's schema deviation (DIGEST §17.20).
    ///
    /// Written into `h` (the envelope's own header) as it is read: returned, a header was a
    /// second copy in `decode`'s frame.
    #[inline(never)]
    fn decode(r: &mut Reader<'a>, h: &mut Header<'a>) -> Result<(), DecodeError> {
        while let Some(child) = r.next_child()? {
            let at = child.offset;
            let dup = DecodeError::new(K::DuplicateElement, at);
            let name = child.local;
            let known = matches!(child.ns, Ns::Cwmp(_));
            if known && name.eq_ignore_ascii_case("ID") {
                if h.id.is_some() {
                    return Err(dup);
                }
                h.id = Some(r.text()?);
            } else if known && name.eq_ignore_ascii_case("HoldRequests") {
                if h.hold_requests.is_some() {
                    return Err(dup);
                }
                h.hold_requests = Some(bool::decode_element(r, &child)?);
            } else if known && name.eq_ignore_ascii_case("SessionTimeout") {
                if h.session_timeout.is_some() {
                    return Err(dup);
                }
                h.session_timeout = Some(u32::decode_element(r, &child)?);
            } else if known && name.eq_ignore_ascii_case("SupportedCWMPVersions") {
                if h.supported_cwmp_versions.is_some() {
                    return Err(dup);
                }
                h.supported_cwmp_versions = Some(r.text()?.trim());
            } else if known && name.eq_ignore_ascii_case("NoMoreRequests") {
                if h.no_more_requests.is_some() {
                    return Err(dup);
                }
                h.no_more_requests = Some(bool::decode_element(r, &child)?);
            } else if known && name.eq_ignore_ascii_case("UseCWMPVersion") {
                if h.use_cwmp_version.is_some() {
                    return Err(dup);
                }
                h.use_cwmp_version = Some(r.text()?.trim());
            } else {
                // SOAP 1.1 §4.2.3 wants a fault for these; we decode and record it, so the
                // session can answer as strictly as it chooses (a misspelt `HoldRequest` is
                // seen in the field).
                if must_understand(r, &child)? {
                    r.tolerate(K::MustUnderstandHeader, at);
                }
                r.skip()?;
            }
        }
        Ok(())
    }

    fn encode<W: Write>(&self, w: &mut XmlWriter<'_, W>) -> WResult<W> {
        if self.is_empty() {
            return Ok(());
        }
        w.open(element_name!("soap-env:Header"))?;
        if let Some(id) = &self.id {
            w.raw("<cwmp:ID soap-env:mustUnderstand=\"1\">")?;
            w.xml_str(id)?;
            w.close(element_name!("cwmp:ID"))?;
        }
        if let Some(h) = self.hold_requests {
            w.raw("<cwmp:HoldRequests soap-env:mustUnderstand=\"1\">")?;
            w.raw(if h { "1" } else { "0" })?;
            w.close(element_name!("cwmp:HoldRequests"))?;
        }
        if let Some(t) = self.session_timeout {
            w.raw("<cwmp:SessionTimeout soap-env:mustUnderstand=\"0\">")?;
            w.u64(u64::from(t))?;
            w.close(element_name!("cwmp:SessionTimeout"))?;
        }
        if let Some(v) = &self.supported_cwmp_versions {
            w.raw("<cwmp:SupportedCWMPVersions soap-env:mustUnderstand=\"0\">")?;
            w.xml_str(v)?;
            w.close(element_name!("cwmp:SupportedCWMPVersions"))?;
        }
        if let Some(v) = &self.use_cwmp_version {
            w.raw("<cwmp:UseCWMPVersion soap-env:mustUnderstand=\"1\">")?;
            w.xml_str(v)?;
            w.close(element_name!("cwmp:UseCWMPVersion"))?;
        }
        if let Some(h) = self.no_more_requests {
            w.raw("<cwmp:NoMoreRequests>")?;
            w.raw(if h { "1" } else { "0" })?;
            w.close(element_name!("cwmp:NoMoreRequests"))?;
        }
        w.close(element_name!("soap-env:Header"))
    }

    fn visit(&self, v: &mut dyn Visitor) {
        fn leaf(v: &mut dyn Visitor, name: &str, value: &dyn core::fmt::Display) {
            v.enter(name);
            v.value(value);
            v.leave();
        }
        if let Some(x) = &self.id {
            leaf(v, "ID", x);
        }
        if let Some(x) = self.hold_requests {
            leaf(v, "HoldRequests", &u8::from(x));
        }
        if let Some(x) = self.session_timeout {
            leaf(v, "SessionTimeout", &x);
        }
        if let Some(x) = &self.supported_cwmp_versions {
            leaf(v, "SupportedCWMPVersions", x);
        }
        if let Some(x) = &self.use_cwmp_version {
            leaf(v, "UseCWMPVersion", x);
        }
        if let Some(x) = self.no_more_requests {
            leaf(v, "NoMoreRequests", &u8::from(x));
        }
    }
}

/// `soap:mustUnderstand` is `1` or `true` (INTEROP N8).
fn must_understand(r: &Reader<'_>, tag: &Tag<'_>) -> Result<bool, DecodeError> {
    // Some peers leave the attribute unprefixed (`<cwmp:ID mustUnderstand="1">`).
    let attr = r
        .attr(tag, Ns::SoapEnv, "mustUnderstand")
        .or_else(|| r.attr(tag, Ns::None, "mustUnderstand"));
    match attr {
        None => Ok(false),
        Some(a) => parse_typed(a.value.trim(), a.value_offset, parse_bool),
    }
}

/// A Body element this codec does not know (a vendor method, or a method of a later
/// amendment). Its content is skipped; a CPE answers it with fault 9000, an ACS with 8000
/// (TR-069 §3.5, fn6, fn20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnknownMethod<'a> {
    /// The element's local name.
    pub name: &'a str,
}

/// What a message is, for the session rules of §3.7 (Tables 7 and 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MessageKind {
    /// A request (an unknown method counts as one: it must be answered).
    Request,
    /// A successful response.
    Response,
    /// A SOAP Fault.
    Fault,
    /// An empty Body ([`Body::Empty`]).
    Empty,
}

/// One arm of `Body::decode_method`: puts a placeholder `T` in its variant into `out`, then
/// decodes the message into it in place (`get` is the variant's projection). Kept out of
/// line, so that `decode_method`'s frame is not the sum of every message decoder's locals
/// (inlined, each arm's field slots got their own stack slots): the deepest decode is then
/// one message's decoder, not all of them; and in place, so that neither a returned `T` nor
/// a `Body` built from it sits beside the decoder's locals (issue 12, stack).
#[inline(never)]
fn decode_arm<'a, T: DecodeElement<'a>>(
    r: &mut Reader<'a>,
    tag: &Tag<'a>,
    out: &mut Body<'a>,
    wrap: impl FnOnce(T) -> Body<'a>,
    get: for<'o> fn(&'o mut Body<'a>) -> Option<&'o mut T>,
) -> Result<(), DecodeError> {
    *out = wrap(T::PLACEHOLDER);
    match get(out) {
        Some(m) => T::decode_in_place(r, tag, m),
        // `get` is the projection of the variant `wrap` makes: not reached.
        None => Err(DecodeError::new(K::InvalidEnvelope, tag.offset)),
    }
}

macro_rules! methods {
    ($( $variant:ident $(<$lt:lifetime>)? [decode: $dec:meta, encode: $enc:meta] ),* $(,)?) => {
        /// The one element of the SOAP Body: every method of Annex A, request or response,
        /// either direction, plus a Fault and unknown methods.
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[allow(clippy::large_enum_variant)]
        pub enum Body<'a> {
            $(
                #[doc = concat!("`", stringify!($variant), "`.")]
                $variant($variant $(<$lt>)?),
            )*
            /// A SOAP Fault with a CWMP Fault in its detail.
            Fault(SoapFault<'a>),
            /// A method this codec does not know.
            Unknown(UnknownMethod<'a>),
            /// An empty Body. Not a CWMP message (§3.5 requires one method element), but some
            /// implementations send it; decoding records it as a schema deviation.
            Empty,
        }

        impl<'a> Body<'a> {
            /// The method element's name (`Inform`, `GetParameterValuesResponse`, `Fault`).
            pub fn method_name(&self) -> &'a str {
                match self {
                    $( Body::$variant(_) => stringify!($variant), )*
                    Body::Fault(_) => "Fault",
                    Body::Unknown(u) => u.name,
                    Body::Empty => "",
                }
            }

            /// Decodes the method element `tag` into `out` (written in place: a `Body` is
            /// the largest value decoding makes, and each move of it costs its size in stack).
            fn decode_method(
                r: &mut Reader<'a>,
                tag: &Tag<'a>,
                out: &mut Body<'a>,
            ) -> Result<(), DecodeError> {
                match tag.local {
                    $(
                        #[cfg($dec)]
                        stringify!($variant) => decode_arm(r, tag, out, Body::$variant, |b| match b {
                            Body::$variant(m) => Some(m),
                            _ => None,
                        }),
                    )*
                    name => {
                        r.skip()?;
                        *out = Body::Unknown(UnknownMethod { name });
                        Ok(())
                    }
                }
            }

            // With both roles every arm is present and the last one is unreachable.
            #[allow(unreachable_patterns)]
            fn encode<W: Write>(&self, w: &mut XmlWriter<'_, W>) -> WResult<W> {
                let name = self.method_name();
                match self {
                    $(
                    #[cfg($enc)]
                    Body::$variant(m) => {
                        w.raw("<cwmp:")?;
                        w.raw(name)?;
                        w.raw(">")?;
                        m.encode_content(w)?;
                        w.raw("</cwmp:")?;
                        w.raw(name)?;
                        w.raw(">")
                    } )*
                    Body::Fault(f) => f.encode(w),
                    Body::Unknown(_) => {
                        w.raw("<cwmp:")?;
                        w.text(name)?;
                        w.raw("/>")
                    }
                    Body::Empty => Ok(()),
                    _ => Err(EncodeError::NotInThisBuild),
                }
            }

            /// Shows the method's fields to `v`, under the method's name.
            pub fn visit(&self, v: &mut dyn Visitor) {
                v.enter(self.method_name());
                match self {
                    $( Body::$variant(m) => m.visit_content(v), )*
                    Body::Fault(f) => f.visit(v),
                    Body::Unknown(_) | Body::Empty => {}
                }
                v.leave();
            }
        }

        /// Any method of Annex A or a Fault (never `Unknown` or `Empty`: they are not CWMP
        /// messages).
        #[cfg(feature = "arbitrary")]
        impl<'a> arbitrary::Arbitrary<'a> for Body<'a> {
            fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
                type Make<'a> = fn(&mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Body<'a>>;
                let makers: &[Make<'a>] = &[
                    $( |u| Ok(Body::$variant(u.arbitrary()?)), )*
                    |u| Ok(Body::Fault(u.arbitrary()?)),
                ];
                let make = u.choose(makers)?;
                make(u)
            }
        }

        $(
            impl<'a> From<$variant $(<$lt>)?> for Body<'a> {
                fn from(m: $variant $(<$lt>)?) -> Body<'a> {
                    Body::$variant(m)
                }
            }
        )*
    };
}

// Each method with the build that decodes it and the one that encodes it: a CPE (cargo
// feature `cpe`) decodes what it receives (the ACS's requests, the responses to its own) and
// encodes what it sends; an ACS (`acs`) the other way round. Without the feature, a method
// decodes as `Body::Unknown` and encoding it fails with `EncodeError::NotInThisBuild`, and its
// decoder or encoder is not linked. Both features on (the default) is every message both ways.
methods! {
    // Either side.
    GetRPCMethods [decode: all(), encode: all()],
    GetRPCMethodsResponse<'a> [decode: all(), encode: all()],
    // ACS → CPE requests and their responses (§A.3.2, §A.4.1).
    SetParameterValues<'a> [decode: feature = "cpe", encode: feature = "acs"],
    SetParameterValuesResponse [decode: feature = "acs", encode: feature = "cpe"],
    GetParameterValues<'a> [decode: feature = "cpe", encode: feature = "acs"],
    GetParameterValuesResponse<'a> [decode: feature = "acs", encode: feature = "cpe"],
    GetParameterNames<'a> [decode: feature = "cpe", encode: feature = "acs"],
    GetParameterNamesResponse<'a> [decode: feature = "acs", encode: feature = "cpe"],
    SetParameterAttributes<'a> [decode: feature = "cpe", encode: feature = "acs"],
    SetParameterAttributesResponse [decode: feature = "acs", encode: feature = "cpe"],
    GetParameterAttributes<'a> [decode: feature = "cpe", encode: feature = "acs"],
    GetParameterAttributesResponse<'a> [decode: feature = "acs", encode: feature = "cpe"],
    AddObject<'a> [decode: feature = "cpe", encode: feature = "acs"],
    AddObjectResponse [decode: feature = "acs", encode: feature = "cpe"],
    DeleteObject<'a> [decode: feature = "cpe", encode: feature = "acs"],
    DeleteObjectResponse [decode: feature = "acs", encode: feature = "cpe"],
    Download<'a> [decode: feature = "cpe", encode: feature = "acs"],
    DownloadResponse<'a> [decode: feature = "acs", encode: feature = "cpe"],
    Reboot<'a> [decode: feature = "cpe", encode: feature = "acs"],
    RebootResponse [decode: feature = "acs", encode: feature = "cpe"],
    GetQueuedTransfers [decode: feature = "cpe", encode: feature = "acs"],
    GetQueuedTransfersResponse<'a> [decode: feature = "acs", encode: feature = "cpe"],
    ScheduleInform<'a> [decode: feature = "cpe", encode: feature = "acs"],
    ScheduleInformResponse [decode: feature = "acs", encode: feature = "cpe"],
    SetVouchers<'a> [decode: feature = "cpe", encode: feature = "acs"],
    SetVouchersResponse [decode: feature = "acs", encode: feature = "cpe"],
    GetOptions<'a> [decode: feature = "cpe", encode: feature = "acs"],
    GetOptionsResponse<'a> [decode: feature = "acs", encode: feature = "cpe"],
    Upload<'a> [decode: feature = "cpe", encode: feature = "acs"],
    UploadResponse<'a> [decode: feature = "acs", encode: feature = "cpe"],
    FactoryReset [decode: feature = "cpe", encode: feature = "acs"],
    FactoryResetResponse [decode: feature = "acs", encode: feature = "cpe"],
    GetAllQueuedTransfers [decode: feature = "cpe", encode: feature = "acs"],
    GetAllQueuedTransfersResponse<'a> [decode: feature = "acs", encode: feature = "cpe"],
    ScheduleDownload<'a> [decode: feature = "cpe", encode: feature = "acs"],
    ScheduleDownloadResponse [decode: feature = "acs", encode: feature = "cpe"],
    CancelTransfer<'a> [decode: feature = "cpe", encode: feature = "acs"],
    CancelTransferResponse [decode: feature = "acs", encode: feature = "cpe"],
    ChangeDUState<'a> [decode: feature = "cpe", encode: feature = "acs"],
    ChangeDUStateResponse [decode: feature = "acs", encode: feature = "cpe"],
    // CPE → ACS requests and their responses (§A.3.3, §A.4.2).
    Inform<'a> [decode: feature = "acs", encode: feature = "cpe"],
    InformResponse [decode: feature = "cpe", encode: feature = "acs"],
    TransferComplete<'a> [decode: feature = "acs", encode: feature = "cpe"],
    TransferCompleteResponse [decode: feature = "cpe", encode: feature = "acs"],
    AutonomousTransferComplete<'a> [decode: feature = "acs", encode: feature = "cpe"],
    AutonomousTransferCompleteResponse [decode: feature = "cpe", encode: feature = "acs"],
    Kicked<'a> [decode: feature = "acs", encode: feature = "cpe"],
    KickedResponse<'a> [decode: feature = "cpe", encode: feature = "acs"],
    RequestDownload<'a> [decode: feature = "acs", encode: feature = "cpe"],
    RequestDownloadResponse [decode: feature = "cpe", encode: feature = "acs"],
    DUStateChangeComplete<'a> [decode: feature = "acs", encode: feature = "cpe"],
    DUStateChangeCompleteResponse [decode: feature = "cpe", encode: feature = "acs"],
    AutonomousDUStateChangeComplete<'a> [decode: feature = "acs", encode: feature = "cpe"],
    AutonomousDUStateChangeCompleteResponse [decode: feature = "cpe", encode: feature = "acs"],
}

impl Body<'_> {
    /// Request, response or fault.
    pub fn kind(&self) -> MessageKind {
        match self {
            Body::Fault(_) => MessageKind::Fault,
            Body::Unknown(_) => MessageKind::Request,
            Body::Empty => MessageKind::Empty,
            b if b.method_name().ends_with("Response") => MessageKind::Response,
            _ => MessageKind::Request,
        }
    }
}

/// A CWMP SOAP envelope.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Envelope<'a> {
    /// The CWMP namespace: on decode, the one the Body's method (or the Fault's detail) was
    /// in, non-standard `-1-3`/`-1-4` included (INTEROP N6); on encode, the one to write
    /// (`-1-3`/`-1-4` are written as `-1-2`: never emitted).
    pub cwmp_ns: CwmpNamespace,
    /// The header elements.
    pub header: Header<'a>,
    /// The message.
    pub body: Body<'a>,
    /// The first departure from the schema that decoding tolerated, with its offset: a
    /// missing required element (given its default: empty, 0, false), an enumeration value
    /// outside the schema's list (kept raw), more array members than `maxOccurs`, a method
    /// element in no namespace, an empty Body. A number or boolean that does not parse is an
    /// error, not a deviation (see [`crate::field`]). `None` for a conforming envelope; always `None` when
    /// encoding. A strict receiver answers 9003 (CPE) or 8003 (ACS) when it is set (§A.2.3).
    pub schema_deviation: Option<DecodeError>,
    /// How many departures decoding tolerated (0 exactly when `schema_deviation` is `None`);
    /// each one is counted, none is stored beyond the first and the last.
    pub schema_deviation_count: u32,
    /// The last departure decoding tolerated (equal to `schema_deviation` when there was only
    /// one). Together with the count, a receiver can log or fault on all of them without the
    /// decoder storing a list.
    pub last_schema_deviation: Option<DecodeError>,
}

/// Decodes a CWMP SOAP envelope from `input`, borrowing from it.
///
/// Validates everything once, so that every accessor and array iterator of the result is
/// infallible. Accepts an XML declaration, a UTF-8 BOM, comments, any namespace prefixes
/// declared anywhere, and trailing whitespace (INTEROP N1–N8, V1–V12, H5). Extra RAM is
/// O(nesting depth), whatever the input's size.
///
/// Returns the envelope by value, which costs one more envelope-sized slot of stack (about
/// 250 bytes on a 32-bit part) than [`decode_into`] into a slot the caller already has.
///
/// # Errors
/// A [`DecodeError`] with the kind and byte offset of the first problem. Never panics.
pub fn decode(input: &[u8]) -> Result<Envelope<'_>, DecodeError> {
    let mut env = Envelope::new(CwmpNamespace::V1_2, Body::Empty);
    decode_into(input, &mut env)?;
    Ok(env)
}

/// [`decode`] into `env`, a slot the caller keeps (on its stack, or reused message after
/// message): the header, the body and the namespace are written where they go as they are
/// read, with no envelope-sized copy in between (issue 12, stack).
///
/// `env` is overwritten whatever it held. On an error it is left empty
/// ([`Body::Empty`], no header elements), never half-decoded.
///
/// # Errors
/// As [`decode`]. Never panics.
#[inline(never)]
pub fn decode_into<'a>(input: &'a [u8], env: &mut Envelope<'a>) -> Result<(), DecodeError> {
    env.clear();
    let read = read_envelope(input, &mut env.header, |r, tag| {
        decode_body(r, tag, &mut env.body, &mut env.cwmp_ns)
    });
    match read {
        Ok(deviations) => {
            env.schema_deviation = deviations.first;
            env.schema_deviation_count = deviations.count;
            env.last_schema_deviation = deviations.last;
            Ok(())
        }
        Err(e) => {
            env.clear();
            Err(e)
        }
    }
}

/// The SOAP envelope's structure (§3.5): the root `Envelope`, an optional `Header` before the
/// `Body`, further elements after it (SOAP 1.1 §4.3), nothing but misc after the root. The
/// header elements are written into `header`; `body` reads the `Body` element: [`decode`]
/// decodes its method, [`decode_header`](super::decode_header) only looks at the method
/// element's name. One walk for both, so they agree on what an envelope is. Returns the
/// schema departures tolerated.
pub(super) fn read_envelope<'a>(
    input: &'a [u8],
    header: &mut Header<'a>,
    mut body: impl FnMut(&mut Reader<'a>, &Tag<'a>) -> Result<(), DecodeError>,
) -> Result<Deviations, DecodeError> {
    let mut r = Reader::new(Reader::check_input(input)?);
    let root = r.root()?;
    if root.ns != Ns::SoapEnv || root.local != "Envelope" {
        return Err(DecodeError::new(K::NotAnEnvelope, root.offset));
    }
    let mut header_read = false;
    let mut body_read = false;
    while let Some(child) = r.next_child()? {
        match (child.ns, child.local) {
            (Ns::SoapEnv, "Header") if !header_read && !body_read => {
                Header::decode(&mut r, header)?;
                header_read = true;
            }
            (Ns::SoapEnv, "Body") if !body_read => {
                body(&mut r, &child)?;
                body_read = true;
            }
            (Ns::SoapEnv, _) => return Err(DecodeError::new(K::InvalidEnvelope, child.offset)),
            // SOAP 1.1 §4.3 allows further elements after the Body.
            _ => r.skip()?,
        }
    }
    if !body_read {
        return Err(DecodeError::new(K::InvalidEnvelope, root.offset));
    }
    let deviations = r.deviations();
    r.finish()?;
    Ok(deviations)
}

/// Decodes the SOAP Fault `tag` into `body`; returns the CWMP namespace of its detail. Out of
/// line, like [`decode_arm`].
#[inline(never)]
fn decode_fault<'a>(
    r: &mut Reader<'a>,
    tag: &Tag<'a>,
    body: &mut Body<'a>,
) -> Result<CwmpNamespace, DecodeError> {
    let (f, ns) = SoapFault::decode(r, tag)?;
    *body = Body::Fault(f);
    Ok(ns)
}

/// Reads the `Body` element `tag` into `body`, and the CWMP namespace of its method into `ns`.
fn decode_body<'a>(
    r: &mut Reader<'a>,
    tag: &Tag<'a>,
    body: &mut Body<'a>,
    ns: &mut CwmpNamespace,
) -> Result<(), DecodeError> {
    let in_scope = r.cwmp_in_scope();
    let Some(method) = r.next_child()? else {
        r.tolerate(K::EmptyBody, tag.offset);
        *ns = in_scope.ok_or(DecodeError::new(K::EmptyBody, tag.offset))?;
        *body = Body::Empty;
        return Ok(());
    };
    match method.ns {
        Ns::Cwmp(method_ns) => {
            *ns = method_ns;
            Body::decode_method(r, &method, body)?;
        }
        Ns::SoapEnv if method.local == "Fault" => *ns = decode_fault(r, &method, body)?,
        // A method element in no namespace (`<Reboot/>` with only `xmlns:cwmp` declared):
        // read in the CWMP namespace declared in scope, and recorded.
        Ns::None => {
            *ns = in_scope.ok_or(DecodeError::new(K::NotCwmp, method.offset))?;
            r.tolerate(K::NotCwmp, method.offset);
            Body::decode_method(r, &method, body)?;
        }
        _ => return Err(DecodeError::new(K::NotCwmp, method.offset)),
    }
    if let Some(extra) = r.next_child()? {
        return Err(DecodeError::new(K::InvalidEnvelope, extra.offset));
    }
    Ok(())
}

impl<'a> Envelope<'a> {
    /// Empties the envelope in place: no header elements, [`Body::Empty`], no deviations, the
    /// CWMP 1.2 namespace (as [`Envelope::new`] with an empty body).
    fn clear(&mut self) {
        self.cwmp_ns = CwmpNamespace::V1_2;
        self.header = Header::default();
        self.body = Body::Empty;
        self.schema_deviation = None;
        self.schema_deviation_count = 0;
        self.last_schema_deviation = None;
    }

    /// An envelope with no header elements.
    pub fn new(cwmp_ns: CwmpNamespace, body: impl Into<Body<'a>>) -> Self {
        Envelope {
            cwmp_ns,
            header: Header::default(),
            body: body.into(),
            schema_deviation: None,
            schema_deviation_count: 0,
            last_schema_deviation: None,
        }
    }

    /// Writes the envelope in the canonical form (DESIGN.md §2): an XML declaration, every
    /// namespace declared on the Envelope with the prefixes `soap-env`, `soap-enc`, `xsd`,
    /// `xsi`, `cwmp`, no whitespace between elements, `0`/`1` booleans, references for
    /// characters outside 9–10 and 32–126 (§3.4.1), and a final newline (INTEROP H5).
    ///
    /// Arrays are read from their sources as they are written: nothing is buffered.
    ///
    /// # Errors
    /// The writer's error, or [`EncodeError::InvalidValue`] for a string holding a character
    /// XML cannot carry or an array source whose length does not match its items.
    pub fn encode<W: Write>(&self, w: &mut W) -> Result<(), EncodeError<W::Error>> {
        // One copy of the encoders for every writer type, `encoded_len`'s counter included.
        with_erased(w, |x| self.write(x))
    }

    /// The exact number of bytes [`encode`](Envelope::encode) writes, from the same code path.
    ///
    /// # Errors
    /// [`EncodeError::InvalidValue`] as for `encode`.
    pub fn encoded_len(&self) -> Result<usize, EncodeError<Infallible>> {
        count_erased(|x| self.write(x))
    }

    fn write<W: Write>(&self, w: &mut XmlWriter<'_, W>) -> WResult<W> {
        w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope xmlns:soap-env=\"")?;
        w.raw(SOAP_ENV)?;
        w.raw("\" xmlns:soap-enc=\"")?;
        w.raw(SOAP_ENC)?;
        w.raw("\" xmlns:xsd=\"")?;
        w.raw(XSD)?;
        w.raw("\" xmlns:xsi=\"")?;
        w.raw(XSI)?;
        w.raw("\" xmlns:cwmp=\"")?;
        w.raw(self.cwmp_ns.encoding_namespace().uri())?;
        w.raw("\">")?;
        self.header.encode(w)?;
        w.open(element_name!("soap-env:Body"))?;
        self.body.encode(w)?;
        w.close(element_name!("soap-env:Body"))?;
        w.raw("</soap-env:Envelope>\n")
    }

    /// Shows the header elements (under `Header`) and the message (under its method name)
    /// to `v`.
    pub fn visit(&self, v: &mut dyn Visitor) {
        if !self.header.is_empty() {
            v.enter("Header");
            self.header.visit(v);
            v.leave();
        }
        self.body.visit(v);
    }
}
