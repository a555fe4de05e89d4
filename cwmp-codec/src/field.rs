//! The one mechanism every message field goes through (DESIGN.md: "a table or macro that
//! describes each RPC once").
//!
//! A [`Field`] knows how to take one occurrence of its element from the [`Reader`], how to
//! finish (required, optional, repeated), how to write itself as an element, and how to show
//! itself to a [`Visitor`]. The `cwmp_struct!` macro in [`crate::message`] lists each struct's
//! fields once, in schema order, and derives decoding (children in any order, INTEROP V11;
//! member names matched without regard to case, V12; unknown children skipped, §3.5),
//! encoding (schema order) and visiting from that list.
//!
//! ## Strict numbers, tolerant structure
//!
//! The rule, per field (issue 13):
//!
//! * **Structure is tolerated** and recorded in
//!   [`Envelope::schema_deviation`](crate::Envelope::schema_deviation) (the first departure; all
//!   are counted in `schema_deviation_count`, the last kept in `last_schema_deviation`):
//!   members in any order, missing required members (their default: empty, 0, false), unknown
//!   members, array counts beyond the schema's `maxOccurs` ([`K::TooManyItems`]).
//! * **Numbers and booleans are strict**: an `int`, `unsignedInt` or `boolean` member, and the
//!   `HoldRequests`, `SessionTimeout` and `NoMoreRequests` headers, whose (trimmed) text does not
//!   parse, overflows its type or is empty make `decode` fail with [`K::InvalidValue`] at the
//!   value's offset. [`decode_header`](crate::decode_header) still reads such an envelope's
//!   header and method name, so a CPE answers the request with fault 9003 echoing its cwmp:ID
//!   and the Session goes on (`cwmp_core::cpe`); only XML that is not well-formed or a header
//!   that does not decode leaves nothing to answer. An out-of-range value of an enumerated
//!   integer (`Status` 7, `Notification` -9010) is kept as sent: the receiver checks the range
//!   (a CPE answers 9003).
//! * **Four fields real peers fill with junk** carry an explicit invalid marker instead,
//!   [`UnsignedIntValue`](crate::UnsignedIntValue) (`Valid(n)` or `Invalid(text)`), which every
//!   consumer must match: Download and ScheduleDownload `FileSize` (`<FileSize>foo`, a hint),
//!   Inform `RetryCount` (`<RetryCount/>`) and FaultStruct `FaultCode` (a TransferComplete's
//!   `9010x` is a failed transfer, never success; [`FaultStruct::is_success`]).
//! * **Text enumerations** (event codes, FileType, …) keep a value outside the schema's list as
//!   its raw text (an `Other`/vendor variant), recorded as a deviation; dateTimes that do not
//!   parse are [`DateTimeValue::Invalid`](crate::DateTimeValue::Invalid) (INTEROP V7); a
//!   `ParameterValueStruct` `Value` whose text does not match its `xsi:type` is
//!   [`Value::Other`](crate::Value::Other), raw.
//!
//! [`FaultStruct::is_success`]: crate::message::FaultStruct::is_success
//!
//! The trait is sealed: its methods name crate-private types.

use embedded_io::Write;

use crate::error::{DecodeError, DecodeErrorKind as K};
use crate::visit::Visitor;
use crate::xml::ns::Ns;
use crate::xml::reader::{Reader, Tag};
use crate::xml::writer::{ElementName, WResult, XmlWriter};
use crate::xml::XmlStr;

/// Decoding of one element's content into a value (crate-internal).
pub trait DecodeElement<'a>: Sized {
    /// Decodes the element `tag` (the reader's current element), through its end tag.
    fn decode_element(r: &mut Reader<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError>;
    /// Decodes the element `tag` into `out`, overwriting it. A CWMP struct writes each field
    /// where it goes as it is read (no field slots beside the struct, no returned copy of
    /// it: issue 12, stack); other values are decoded and stored.
    fn decode_in_place(
        r: &mut Reader<'a>,
        tag: &Tag<'a>,
        out: &mut Self,
    ) -> Result<(), DecodeError> {
        *out = Self::decode_element(r, tag)?;
        Ok(())
    }
    /// A value to decode in place into: any value of the type, overwritten by decoding (empty
    /// strings, zeros, empty arrays). A constant, so that putting it where a value is decoded
    /// copies it from flash instead of building it on the stack first.
    const PLACEHOLDER: Self;
    /// The value a missing required element takes when decoding tolerates its absence (it is
    /// then recorded as a schema deviation); `None` when absence cannot be tolerated.
    fn missing() -> Option<Self> {
        None
    }
    /// For a repeated member: is `tag` a container some peers write instead, holding several
    /// members as children (`<Operations><InstallOpStruct>…<UninstallOpStruct>…</Operations>`)?
    fn is_container(_r: &Reader<'a>, _tag: &Tag<'a>) -> bool {
        false
    }
    /// Decodes one child of such a container.
    fn decode_contained(r: &mut Reader<'a>, tag: &Tag<'a>) -> Result<Self, DecodeError> {
        Self::decode_element(r, tag)
    }
}

/// Encoding of a value as an element (crate-internal).
pub trait EncodeElement {
    /// Writes `<name …>content</name>`.
    fn encode_element<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W>;
    /// Shows the value to a visitor (leaf values call [`Visitor::value`]).
    fn visit(&self, v: &mut dyn Visitor);
}

/// A field of a CWMP struct: how occurrences of its element accumulate and how absence is
/// treated. Decoding is in place: the parent starts from its [`PLACEHOLDER`](Field::PLACEHOLDER)
/// and each field is written where it is kept; `seen` (a `bool` per field in the parent's
/// decoder) records whether its element occurred.
pub trait Field<'a>: Sized {
    /// The field's value before decoding writes it.
    const PLACEHOLDER: Self;
    /// Takes one occurrence of the field's element into `field`.
    fn accept(
        field: &mut Self,
        seen: &mut bool,
        r: &mut Reader<'a>,
        tag: &Tag<'a>,
    ) -> Result<(), DecodeError>;
    /// Completes the field once the parent has ended; `parent` is the parent's offset, for
    /// the error (or recorded deviation) when a required element is missing.
    fn finish(
        field: &mut Self,
        seen: bool,
        parent: usize,
        r: &mut Reader<'a>,
    ) -> Result<(), DecodeError>;
    /// The value of a field whose whole parent is missing (see [`DecodeElement::missing`]).
    fn absent() -> Option<Self>;
    /// Writes the field (nothing for an absent optional field).
    fn encode_field<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W>;
    /// Shows the field to a visitor.
    fn visit_field(&self, v: &mut dyn Visitor);
}

/// Implements [`Field`] for types that occur exactly once.
macro_rules! single_field {
    ($($t:ty),* $(,)?) => {$(
        impl<'a> $crate::field::Field<'a> for $t {
            const PLACEHOLDER: Self = <Self as $crate::field::DecodeElement<'a>>::PLACEHOLDER;
            fn accept(
                field: &mut Self,
                seen: &mut bool,
                r: &mut $crate::xml::reader::Reader<'a>,
                tag: &$crate::xml::reader::Tag<'a>,
            ) -> Result<(), $crate::error::DecodeError> {
                $crate::field::accept_single(field, seen, r, tag)
            }
            fn finish(
                field: &mut Self,
                seen: bool,
                parent: usize,
                r: &mut $crate::xml::reader::Reader<'a>,
            ) -> Result<(), $crate::error::DecodeError> {
                $crate::field::finish_single(field, seen, parent, r)
            }
            fn absent() -> Option<Self> {
                <Self as $crate::field::DecodeElement<'a>>::missing()
            }
            fn encode_field<W: embedded_io::Write>(
                &self,
                w: &mut $crate::xml::writer::XmlWriter<'_, W>,
                name: &'static $crate::xml::writer::ElementName,
            ) -> $crate::xml::writer::WResult<W> {
                <Self as $crate::field::EncodeElement>::encode_element(self, w, name)
            }
            fn visit_field(&self, v: &mut dyn $crate::visit::Visitor) {
                <Self as $crate::field::EncodeElement>::visit(self, v)
            }
        }
    )*};
}
pub(crate) use single_field;

impl<'a, T: DecodeElement<'a> + Field<'a>> Field<'a> for Option<T> {
    const PLACEHOLDER: Self = None;
    fn accept(
        field: &mut Option<T>,
        seen: &mut bool,
        r: &mut Reader<'a>,
        tag: &Tag<'a>,
    ) -> Result<(), DecodeError> {
        first_occurrence(seen, tag)?;
        T::decode_in_place(r, tag, field.insert(<T as DecodeElement<'a>>::PLACEHOLDER))
    }
    fn finish(
        field: &mut Option<T>,
        seen: bool,
        _parent: usize,
        _r: &mut Reader<'a>,
    ) -> Result<(), DecodeError> {
        if !seen {
            *field = None;
        }
        Ok(())
    }
    fn absent() -> Option<Self> {
        Some(None)
    }
    fn encode_field<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W> {
        match self {
            Some(v) => v.encode_field(w, name),
            None => Ok(()),
        }
    }
    fn visit_field(&self, v: &mut dyn Visitor) {
        if let Some(x) = self {
            x.visit_field(v)
        }
    }
}

/// Marks a single element `tag` as seen; [`K::DuplicateElement`] if it was already.
#[inline(always)]
fn first_occurrence(seen: &mut bool, tag: &Tag<'_>) -> Result<(), DecodeError> {
    if core::mem::replace(seen, true) {
        return Err(DecodeError::new(K::DuplicateElement, tag.offset));
    }
    Ok(())
}

/// One occurrence of a single element: decoded into `field`, or an error if it occurred
/// before.
pub fn accept_single<'a, T: DecodeElement<'a>>(
    field: &mut T,
    seen: &mut bool,
    r: &mut Reader<'a>,
    tag: &Tag<'a>,
) -> Result<(), DecodeError> {
    first_occurrence(seen, tag)?;
    T::decode_in_place(r, tag, field)
}

/// A required single element at the end of its parent: present, or tolerated as missing
/// with its default (recorded), or an error.
pub fn finish_single<'a, T: DecodeElement<'a>>(
    field: &mut T,
    seen: bool,
    parent: usize,
    r: &mut Reader<'a>,
) -> Result<(), DecodeError> {
    if seen {
        return Ok(());
    }
    match T::missing() {
        Some(d) => {
            r.tolerate(K::MissingElement, parent);
            *field = d;
            Ok(())
        }
        None => Err(DecodeError::new(K::MissingElement, parent)),
    }
}

/// Parses a typed element's trimmed text; text that does not parse as the type, overflows it
/// or is empty fails the envelope with [`K::InvalidValue`] at the text's offset (strict numbers,
/// see the module docs). Never a default: that would turn junk into another valid value.
fn strict<'a, T>(r: &mut Reader<'a>, f: impl FnOnce(&str) -> Option<T>) -> Result<T, DecodeError> {
    let (t, at) = typed_text(r)?;
    parse_typed(t, at, f)
}

/// May a member element of a CWMP struct be in namespace `ns`? The schema makes them
/// unqualified; a default namespace in scope (INTEROP N5) or a needless CWMP prefix puts them
/// in the CWMP namespace, which we accept too.
pub(crate) fn member_ns(ns: Ns) -> bool {
    matches!(ns, Ns::None | Ns::Cwmp(_))
}

/// The trimmed text of a typed element (INTEROP V4), borrowed; `None` when it holds markup,
/// which no typed value needs.
fn typed_text<'a>(r: &mut Reader<'a>) -> Result<(XmlStr<'a>, usize), DecodeError> {
    let at = r.offset();
    let t = r.text()?;
    Ok((t.trim(), at))
}

/// Parses a typed value's text with a small scratch buffer for the rare escaped form.
pub(crate) fn parse_typed<T>(
    text: XmlStr<'_>,
    at: usize,
    f: impl FnOnce(&str) -> Option<T>,
) -> Result<T, DecodeError> {
    let mut scratch = [0u8; 64];
    let s = text
        .to_str(&mut scratch)
        .ok_or(DecodeError::new(K::InvalidValue, at))?;
    f(s).ok_or(DecodeError::new(K::InvalidValue, at))
}

/// `xsd:boolean`: `0`, `1`, `true`, `false` (TR-069 §A.2.1, INTEROP V6).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    }
}

/// Integers: an optional sign then ASCII digits, nothing else (Rust's `parse` also takes a
/// leading `+`, which XML Schema allows too).
pub(crate) fn parse_int<T: core::str::FromStr>(s: &str) -> Option<T> {
    s.parse().ok()
}

// --- Scalars -------------------------------------------------------------------------------

impl<'a> DecodeElement<'a> for XmlStr<'a> {
    fn decode_element(r: &mut Reader<'a>, _tag: &Tag<'a>) -> Result<Self, DecodeError> {
        r.text()
    }
    fn missing() -> Option<Self> {
        Some(XmlStr::EMPTY)
    }
    const PLACEHOLDER: Self = XmlStr::EMPTY;
}

impl EncodeElement for XmlStr<'_> {
    fn encode_element<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W> {
        if self.is_empty() {
            return w.empty_element(name);
        }
        w.open(name)?;
        w.xml_str(self)?;
        w.close(name)
    }
    fn visit(&self, v: &mut dyn Visitor) {
        v.value(self)
    }
}

impl<'a> DecodeElement<'a> for bool {
    fn decode_element(r: &mut Reader<'a>, _tag: &Tag<'a>) -> Result<Self, DecodeError> {
        strict(r, parse_bool)
    }
    fn missing() -> Option<Self> {
        Some(false)
    }
    const PLACEHOLDER: Self = false;
}

impl EncodeElement for bool {
    /// Booleans are written `0`/`1` (INTEROP V6).
    fn encode_element<W: Write>(
        &self,
        w: &mut XmlWriter<'_, W>,
        name: &'static ElementName,
    ) -> WResult<W> {
        w.open(name)?;
        w.raw(if *self { "1" } else { "0" })?;
        w.close(name)
    }
    fn visit(&self, v: &mut dyn Visitor) {
        v.value(&u8::from(*self))
    }
}

macro_rules! int_element {
    ($($t:ty => $wr:ident as $as:ty),*) => {$(
        impl<'a> DecodeElement<'a> for $t {
            fn decode_element(r: &mut Reader<'a>, _tag: &Tag<'a>) -> Result<Self, DecodeError> {
                strict(r, parse_int::<$t>)
            }
            fn missing() -> Option<Self> {
                Some(0)
            }
            const PLACEHOLDER: Self = 0;
        }
        impl EncodeElement for $t {
            fn encode_element<W: Write>(&self, w: &mut XmlWriter<'_, W>, name: &'static ElementName) -> WResult<W> {
                w.open(name)?;
                w.$wr(<$as>::from(*self))?;
                w.close(name)
            }
            fn visit(&self, v: &mut dyn Visitor) {
                v.value(self)
            }
        }
    )*};
}
int_element!(u32 => u64 as u64, i32 => i64 as i64);

single_field!(XmlStr<'a>, bool, u32, i32);
