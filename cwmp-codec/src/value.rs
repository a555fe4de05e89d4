//! Typed values of the message model (TR-069 §A.2.1, Table 12): [`Value`] for
//! `anySimpleType` (the `Value` of a `ParameterValueStruct`, with its `xsi:type`),
//! [`DateTimeValue`] for `dateTime` fields, and [`Base64`] members of `VoucherList`.
//!
//! Tolerant reader, strict writer (INTEROP V1, V4, V6, V7): a value whose text does not parse
//! as its declared type is kept raw rather than failing the envelope, and is written back as
//! it came; typed values are written canonically.

use core::fmt;

use embedded_io::Write;

use crate::datetime::DateTime;
use crate::error::DecodeError;
use crate::event::EventCode;
use crate::field::{parse_bool, single_field, DecodeElement, EncodeElement};
use crate::filetype::{
    DownloadFileType, DuState, OperationPerformed, RequestDownloadFileType, TransferFileType,
    UploadFileType, WindowMode,
};
use crate::visit::Visitor;
use crate::xml::ns::Ns;
use crate::xml::reader::{Reader, Tag};
use crate::xml::writer::{ElementName, WResult, XmlWriter};
use crate::xml::XmlStr;

/// An `anySimpleType` value with its `xsi:type` (TR-069 §3.5: it MUST carry one).
///
/// Decoding maps `xsd:string` and a missing `xsi:type` (INTEROP V1) to [`Value::String`],
/// the numeric, boolean and dateTime types to their variants when the trimmed text parses,
/// and anything else to [`Value::Other`] with the text kept raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Value<'a> {
    /// `xsd:string`, kept exactly as sent (not trimmed).
    String(XmlStr<'a>),
    /// `xsd:int`.
    Int(i32),
    /// `xsd:unsignedInt`.
    UnsignedInt(u32),
    /// `xsd:long`.
    Long(i64),
    /// `xsd:unsignedLong`.
    UnsignedLong(u64),
    /// `xsd:boolean`, written `0`/`1`.
    Boolean(bool),
    /// `xsd:dateTime`.
    DateTime(DateTime),
    /// `xsd:base64Binary` (or `soap-enc:base64`): the encoded text.
    Base64(XmlStr<'a>),
    /// `xsd:hexBinary`: the encoded text.
    HexBinary(XmlStr<'a>),
    /// Any other type, or a value whose text does not parse as its type: `type_name` is the
    /// local name of an XML Schema type (`decimal`, or `unsignedInt` for an invalid number),
    /// written back as `xsd:<type_name>`.
    Other {
        /// The XML Schema type's local name.
        type_name: &'a str,
        /// The text as sent.
        text: XmlStr<'a>,
    },
}

impl<'a> Value<'a> {
    /// A string value.
    pub const fn string(s: &'a str) -> Self {
        Value::String(XmlStr::new(s))
    }

    /// The local name of the `xsi:type` written for this value (`string`, `unsignedInt`, …).
    pub fn type_name(&self) -> &'a str {
        match self {
            Value::String(_) => "string",
            Value::Int(_) => "int",
            Value::UnsignedInt(_) => "unsignedInt",
            Value::Long(_) => "long",
            Value::UnsignedLong(_) => "unsignedLong",
            Value::Boolean(_) => "boolean",
            Value::DateTime(_) => "dateTime",
            Value::Base64(_) => "base64Binary",
            Value::HexBinary(_) => "hexBinary",
            Value::Other { type_name, .. } => type_name,
        }
    }

    /// The text, for string-like values.
    pub fn as_xml_str(&self) -> Option<XmlStr<'a>> {
        match self {
            Value::String(s) | Value::Base64(s) | Value::HexBinary(s) => Some(*s),
            Value::Other { text, .. } => Some(*text),
            _ => None,
        }
    }

    /// The value as an unsigned integer, when it is one.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::UnsignedInt(v) => Some(u64::from(v)),
            Value::UnsignedLong(v) => Some(v),
            Value::Int(v) => u64::try_from(v).ok(),
            Value::Long(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The value as a boolean, when it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Boolean(b) => Some(b),
            _ => None,
        }
    }

    fn from_typed(type_name: &'a str, text: XmlStr<'a>) -> Value<'a> {
        let mut scratch = [0u8; 64];
        let trimmed = text.trim();
        let s = trimmed.to_str(&mut scratch);
        let parsed = s.and_then(|s| match type_name {
            "int" => s.parse().ok().map(Value::Int),
            "unsignedInt" => s.parse().ok().map(Value::UnsignedInt),
            "long" => s.parse().ok().map(Value::Long),
            "unsignedLong" => s.parse().ok().map(Value::UnsignedLong),
            "boolean" => parse_bool(s).map(Value::Boolean),
            "dateTime" => DateTime::parse(s).ok().map(Value::DateTime),
            _ => None,
        });
        match (parsed, type_name) {
            (Some(v), _) => v,
            (None, "string") => Value::String(text),
            (None, "base64Binary" | "base64") => Value::Base64(text),
            (None, "hexBinary") => Value::HexBinary(text),
            (None, t) => Value::Other { type_name: t, text },
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) | Value::Base64(s) | Value::HexBinary(s) => s.fmt(f),
            Value::Other { text, .. } => text.fmt(f),
            Value::Int(v) => v.fmt(f),
            Value::UnsignedInt(v) => v.fmt(f),
            Value::Long(v) => v.fmt(f),
            Value::UnsignedLong(v) => v.fmt(f),
            Value::Boolean(b) => u8::from(*b).fmt(f),
            Value::DateTime(d) => d.fmt(f),
        }
    }
}

impl<'a> DecodeElement<'a> for Value<'a> {
    const PLACEHOLDER: Self = Value::String(XmlStr::EMPTY);
    /// Out of line: inlined, the type attribute's lookup and every typed parse added their
    /// locals to the frame of each struct holding a `Value` (`ParameterValueStruct`), which
    /// is on the path of its other members' text too (issue 12, stack).
    #[inline(never)]
    fn decode_element(r: &mut Reader<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let ty = r.attr(tag, Ns::Xsi, "type").map(|a| a.value);
        // The QName is resolved by URI; an undeclared `xsd:` in a value is taken as XML Schema
        // (INTEROP N4). Types of other namespaces (soap-enc:base64, vendor types) keep their
        // local name when they are base64, and are strings otherwise.
        let type_name: &'a str = match ty.and_then(|t| t.as_str()) {
            None => "string",
            Some(q) => match r.resolve_value_qname(q) {
                // Only a type name that is a plain XML name is kept: anything else (`my>type`,
                // control characters) is no XML Schema type, and is read as a string.
                (Ns::Xsd, local) if is_type_name(local) => local,
                (Ns::SoapEnc, "base64") => "base64Binary",
                (Ns::None, local) if is_type_name(local) && !q.contains(':') => local,
                _ => "string",
            },
        };
        let text = r.text()?;
        Ok(Value::from_typed(type_name, text))
    }
}

/// An NCName of ASCII letters, digits, `_`, `-` and `.`, starting with a letter or `_`.
fn is_type_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
}

impl EncodeElement for Value<'_> {
    fn encode_element<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W> {
        w.open_with_attributes(name)?;
        // The known types' attributes are spelt out whole: one write each.
        macro_rules! ty {
            ($t:literal) => {
                concat!(" xsi:type=\"xsd:", $t, "\">")
            };
        }
        let attribute = match self {
            Value::String(_) => ty!("string"),
            Value::Int(_) => ty!("int"),
            Value::UnsignedInt(_) => ty!("unsignedInt"),
            Value::Long(_) => ty!("long"),
            Value::UnsignedLong(_) => ty!("unsignedLong"),
            Value::Boolean(_) => ty!("boolean"),
            Value::DateTime(_) => ty!("dateTime"),
            Value::Base64(_) => ty!("base64Binary"),
            Value::HexBinary(_) => ty!("hexBinary"),
            Value::Other { type_name, .. } => {
                w.raw(" xsi:type=\"xsd:")?;
                w.text(type_name)?;
                "\">"
            }
        };
        w.raw(attribute)?;
        match self {
            Value::String(s) | Value::Base64(s) | Value::HexBinary(s) => w.xml_str(s)?,
            Value::Other { text, .. } => w.xml_str(text)?,
            Value::Int(v) => w.i64(i64::from(*v))?,
            Value::UnsignedInt(v) => w.u64(u64::from(*v))?,
            Value::Long(v) => w.i64(*v)?,
            Value::UnsignedLong(v) => w.u64(*v)?,
            Value::Boolean(b) => w.raw(if *b { "1" } else { "0" })?,
            Value::DateTime(d) => {
                w.raw_bytes(d.format_ascii(&mut [0; crate::DateTime::MAX_LEN]))?
            }
        }
        w.close(name)
    }
    fn visit(&self, v: &mut dyn Visitor) {
        v.value(self)
    }
}

/// A `dateTime` field (TR-069 §A.2.1): parsed when valid, kept raw otherwise, so a malformed
/// time never fails an envelope (INTEROP V7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DateTimeValue<'a> {
    /// A valid dateTime.
    Valid(DateTime),
    /// Text that is not a valid dateTime, as sent.
    Invalid(XmlStr<'a>),
}

impl DateTimeValue<'_> {
    /// Unknown Time, `0001-01-01T00:00:00Z` (§A.2.1).
    pub const UNKNOWN: DateTimeValue<'static> = DateTimeValue::Valid(DateTime::UNKNOWN);

    /// The time, when valid.
    pub fn valid(&self) -> Option<DateTime> {
        match self {
            DateTimeValue::Valid(d) => Some(*d),
            DateTimeValue::Invalid(_) => None,
        }
    }
}

impl From<DateTime> for DateTimeValue<'_> {
    fn from(d: DateTime) -> Self {
        DateTimeValue::Valid(d)
    }
}

impl fmt::Display for DateTimeValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateTimeValue::Valid(d) => d.fmt(f),
            DateTimeValue::Invalid(s) => s.fmt(f),
        }
    }
}

impl<'a> DecodeElement<'a> for DateTimeValue<'a> {
    fn missing() -> Option<Self> {
        Some(DateTimeValue::Invalid(XmlStr::EMPTY))
    }
    const PLACEHOLDER: Self = DateTimeValue::Invalid(XmlStr::EMPTY);

    fn decode_element(r: &mut Reader<'a>, _tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let text = r.text()?;
        let mut scratch = [0u8; 64];
        Ok(
            match text.trim().to_str(&mut scratch).map(DateTime::parse) {
                Some(Ok(d)) => DateTimeValue::Valid(d),
                _ => DateTimeValue::Invalid(text),
            },
        )
    }
}

impl EncodeElement for DateTimeValue<'_> {
    fn encode_element<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W> {
        w.open(name)?;
        match self {
            DateTimeValue::Valid(d) => {
                w.raw_bytes(d.format_ascii(&mut [0; crate::DateTime::MAX_LEN]))?
            }
            DateTimeValue::Invalid(s) => w.xml_str(s)?,
        }
        w.close(name)
    }
    fn visit(&self, v: &mut dyn Visitor) {
        v.value(self)
    }
}

/// An `unsignedInt` field that real peers fill with text that is not one (INTEROP, the vectors:
/// `<FileSize>foo</FileSize>`, `<RetryCount/>`), or that must never pass for another number
/// (a TransferComplete `FaultCode` of `9010x`, `-9010`, `4294967296` or empty is not `0`,
/// success): the value, or an explicit invalid marker that every consumer must handle.
///
/// Used for Download and ScheduleDownload `FileSize`, Inform `RetryCount` and FaultStruct
/// `FaultCode`; every other numeric field fails the envelope with
/// [`DecodeErrorKind::InvalidValue`](crate::DecodeErrorKind::InvalidValue) at the value's
/// offset (see [`crate::field`]). The text is taken trimmed (INTEROP V4); an empty or missing
/// element is `Invalid("")` (a missing one is also recorded in
/// [`Envelope::schema_deviation`](crate::Envelope::schema_deviation)). An invalid value is written
/// back as it came, so decode → encode → decode is a fixed point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UnsignedIntValue<'a> {
    /// A valid `unsignedInt`.
    Valid(u32),
    /// Text that is not an `unsignedInt` (no digits, a sign, overflow), as sent.
    Invalid(XmlStr<'a>),
}

impl UnsignedIntValue<'_> {
    /// The number, when valid.
    pub const fn valid(&self) -> Option<u32> {
        match self {
            UnsignedIntValue::Valid(n) => Some(*n),
            UnsignedIntValue::Invalid(_) => None,
        }
    }
}

impl From<u32> for UnsignedIntValue<'_> {
    fn from(n: u32) -> Self {
        UnsignedIntValue::Valid(n)
    }
}

impl Default for UnsignedIntValue<'_> {
    /// `Valid(0)`, for builders (`..Default::default()`).
    fn default() -> Self {
        UnsignedIntValue::Valid(0)
    }
}

impl fmt::Display for UnsignedIntValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsignedIntValue::Valid(n) => n.fmt(f),
            UnsignedIntValue::Invalid(s) => s.fmt(f),
        }
    }
}

impl<'a> DecodeElement<'a> for UnsignedIntValue<'a> {
    fn missing() -> Option<Self> {
        Some(UnsignedIntValue::Invalid(XmlStr::EMPTY))
    }
    const PLACEHOLDER: Self = UnsignedIntValue::Invalid(XmlStr::EMPTY);

    fn decode_element(r: &mut Reader<'a>, _tag: &Tag<'a>) -> Result<Self, DecodeError> {
        let text = r.text()?;
        let trimmed = text.trim();
        Ok(
            match crate::field::parse_typed(trimmed, 0, crate::field::parse_int::<u32>) {
                Ok(n) => UnsignedIntValue::Valid(n),
                Err(_) => UnsignedIntValue::Invalid(text),
            },
        )
    }
}

impl EncodeElement for UnsignedIntValue<'_> {
    fn encode_element<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W> {
        match self {
            UnsignedIntValue::Valid(n) => {
                w.open(name)?;
                w.u64(u64::from(*n))?;
                w.close(name)
            }
            UnsignedIntValue::Invalid(s) if s.is_empty() => w.empty_element(name),
            UnsignedIntValue::Invalid(s) => {
                w.open(name)?;
                w.xml_str(s)?;
                w.close(name)
            }
        }
    }
    fn visit(&self, v: &mut dyn Visitor) {
        v.value(self)
    }
}

/// A member of a `VoucherList` (`soap-enc:base64`): the encoded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Base64<'a>(pub XmlStr<'a>);

impl<'a> DecodeElement<'a> for Base64<'a> {
    fn missing() -> Option<Self> {
        Some(Base64(XmlStr::EMPTY))
    }
    const PLACEHOLDER: Self = Base64(XmlStr::EMPTY);

    fn decode_element(r: &mut Reader<'a>, _tag: &Tag<'a>) -> Result<Self, DecodeError> {
        Ok(Base64(r.text()?))
    }
}

impl EncodeElement for Base64<'_> {
    fn encode_element<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W> {
        self.0.encode_element(w, name)
    }
    fn visit(&self, v: &mut dyn Visitor) {
        v.value(&self.0)
    }
}

/// Text enumerations (event codes, file types, …): decoded from the trimmed text, written
/// through their `Display`.
pub(crate) trait TextEnum<'a>: Sized + fmt::Display {
    /// The value for `s`, and whether `s` conforms to the schema.
    fn parse_text(s: &'a str) -> (Self, bool);
    /// A value to decode in place into (see [`DecodeElement::PLACEHOLDER`]).
    const PLACEHOLDER: Self;
}

macro_rules! text_enum_field {
    ($($t:ty),* $(,)?) => {$(
        impl<'a> DecodeElement<'a> for $t {
            fn decode_element(r: &mut Reader<'a>, _tag: &Tag<'a>) -> Result<Self, DecodeError> {
                let at = r.offset();
                let text = r.text()?.trim();
                // Enumerations never need references: escaped text is kept raw, as a
                // non-conforming value.
                let (v, ok) = <$t as TextEnum<'a>>::parse_text(text.as_str().unwrap_or(text.raw()));
                if !ok || text.has_markup() {
                    r.tolerate(crate::error::DecodeErrorKind::InvalidValue, at);
                }
                Ok(v)
            }
            fn missing() -> Option<Self> {
                Some(<$t as TextEnum<'a>>::parse_text("").0)
            }
            const PLACEHOLDER: Self = <$t as TextEnum<'a>>::PLACEHOLDER;
        }
        impl<'a> EncodeElement for $t {
            /// A value decoded from text with references holds that text as sent (the enum
            /// borrows, it cannot hold the unescaped form); its references are written back
            /// as they came, so decode → encode → decode is a fixed point.
            fn encode_element<W: Write>(&self, w: &mut XmlWriter<'_, W>, name: &'static ElementName) -> WResult<W> {
                w.open(name)?;
                w.display_keeping_refs(self)?;
                w.close(name)
            }
            fn visit(&self, v: &mut dyn Visitor) {
                v.value(self)
            }
        }
        single_field!($t);
    )*};
}

impl<'a> TextEnum<'a> for EventCode<'a> {
    const PLACEHOLDER: Self = EventCode::Unknown("");
    fn parse_text(s: &'a str) -> (Self, bool) {
        match EventCode::parse(s) {
            Ok(c) => (c, true),
            Err(_) => (EventCode::Unknown(s), false),
        }
    }
}

macro_rules! always_parses {
    ($($t:ident),*) => {$(
        impl<'a> TextEnum<'a> for $t<'a> {
            const PLACEHOLDER: Self = $t::Other("");
            fn parse_text(s: &'a str) -> (Self, bool) {
                ($t::parse(s), true)
            }
        }
    )*};
}
always_parses!(
    DownloadFileType,
    UploadFileType,
    TransferFileType,
    RequestDownloadFileType,
    WindowMode,
    DuState,
    OperationPerformed
);

text_enum_field!(
    EventCode<'a>,
    DownloadFileType<'a>,
    UploadFileType<'a>,
    TransferFileType<'a>,
    RequestDownloadFileType<'a>,
    WindowMode<'a>,
    DuState<'a>,
    OperationPerformed<'a>,
);
single_field!(
    Value<'a>,
    DateTimeValue<'a>,
    UnsignedIntValue<'a>,
    Base64<'a>
);
