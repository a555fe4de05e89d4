//! The codec's error types (DESIGN.md §4): small, `Copy`, no string payloads.

use core::fmt;

/// Why an envelope could not be decoded, and where.
///
/// `offset` is the byte offset in the input at which the problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecodeError {
    /// What went wrong.
    pub kind: DecodeErrorKind,
    /// Byte offset in the input.
    pub offset: usize,
}

impl DecodeError {
    pub(crate) const fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        DecodeError { kind, offset }
    }
}

/// The kinds of [`DecodeError`], grouped by layer: XML well-formedness, hostile input, then
/// SOAP and CWMP structure.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DecodeErrorKind {
    /// The input is not UTF-8 (INTEROP V8: Latin-1 bodies from some devices).
    InvalidUtf8,
    /// The input starts with a UTF-16 byte order mark; only UTF-8 is accepted.
    UnsupportedEncoding,
    /// The input ended inside markup or before the root element was closed.
    UnexpectedEof,
    /// Malformed markup: a `<` not followed by a name, a missing `>`, a bad attribute, …
    InvalidSyntax,
    /// An element or attribute name is not a valid XML name.
    InvalidName,
    /// An entity or character reference is unknown or malformed (`&foo;`, `&#0;`).
    InvalidReference,
    /// A character XML forbids (a control character other than tab, newline, return).
    InvalidCharacter,
    /// An end tag does not match the open element.
    MismatchedEndTag,
    /// The same attribute appears twice on one element.
    DuplicateAttribute,
    /// A DOCTYPE or entity declaration: rejected outright (INTEROP V10).
    DoctypeNotAllowed,
    /// Something other than whitespace, comments or processing instructions after the root.
    TrailingContent,
    /// Elements nested deeper than [`crate::limits::MAX_DEPTH`].
    TooDeep,
    /// More than [`crate::limits::MAX_ATTRIBUTES`] attributes on one element.
    TooManyAttributes,
    /// More than [`crate::limits::MAX_NAMESPACE_BINDINGS`] namespace bindings in scope.
    TooManyNamespaceBindings,
    /// An element prefix that no `xmlns:` declaration in scope binds.
    UnboundPrefix,
    /// A declaration that binds a reserved prefix or namespace name against Namespaces in XML
    /// 1.0 §3: `xmlns:xml` to any other URI than `http://www.w3.org/XML/1998/namespace`,
    /// `xmlns:xmlns`, or another prefix (or the default) to either reserved URI.
    ReservedNamespace,
    /// Input longer than [`crate::limits::MAX_INPUT_LEN`].
    InputTooLarge,
    /// The root element is not a SOAP 1.1 `Envelope`.
    NotAnEnvelope,
    /// The Envelope has no `Body`, or more than one, or an element other than Header/Body.
    InvalidEnvelope,
    /// The Body holds no element.
    EmptyBody,
    /// The Body element is in no CWMP namespace (nor is it a SOAP Fault).
    NotCwmp,
    /// A header element with `mustUnderstand="1"` that this codec does not know (TR-069 §3.5,
    /// DIGEST §17.20).
    MustUnderstandHeader,
    /// Text where only elements may appear.
    UnexpectedText,
    /// A child element where only text may appear.
    UnexpectedElement,
    /// A required element is missing.
    MissingElement,
    /// An element that may appear once appears twice.
    DuplicateElement,
    /// A value that does not parse as its schema type (integer, boolean, enumeration).
    InvalidValue,
    /// More members in an array than the schema's `maxOccurs` (64 EventStruct, 16
    /// QueuedTransferStruct, …): reported in `schema_deviation`, never an error.
    TooManyItems,
    /// A SOAP Fault that is not in the TR-069 §3.5 form.
    InvalidFault,
    /// A `ChangeDUState` operation whose type (`xsi:type`) is not one of the three operation
    /// structs.
    UnknownOperationType,
}

impl DecodeErrorKind {
    /// A short description, the same text `Display` prints.
    pub const fn as_str(self) -> &'static str {
        use DecodeErrorKind::*;
        match self {
            InvalidUtf8 => "input is not valid UTF-8",
            UnsupportedEncoding => "unsupported character encoding (only UTF-8 is accepted)",
            UnexpectedEof => "unexpected end of input",
            InvalidSyntax => "malformed XML markup",
            InvalidName => "invalid XML name",
            InvalidReference => "invalid entity or character reference",
            InvalidCharacter => "character not allowed in XML",
            MismatchedEndTag => "end tag does not match the open element",
            DuplicateAttribute => "duplicate attribute",
            DoctypeNotAllowed => "DOCTYPE and entity declarations are not allowed",
            TrailingContent => "content after the root element",
            TooDeep => "elements nested too deeply",
            TooManyAttributes => "too many attributes on one element",
            TooManyNamespaceBindings => "too many namespace bindings in scope",
            UnboundPrefix => "namespace prefix is not declared",
            ReservedNamespace => "reserved namespace prefix or name bound wrongly",
            InputTooLarge => "input too large",
            NotAnEnvelope => "root element is not a SOAP Envelope",
            InvalidEnvelope => "SOAP Envelope must hold an optional Header and exactly one Body",
            EmptyBody => "SOAP Body is empty",
            NotCwmp => "Body element is not in a CWMP namespace",
            MustUnderstandHeader => "unknown header element with mustUnderstand=1",
            UnexpectedText => "text where only elements are allowed",
            UnexpectedElement => "element where only text is allowed",
            MissingElement => "required element missing",
            DuplicateElement => "element appears more than once",
            InvalidValue => "value does not match its schema type",
            TooManyItems => "more array members than the schema allows",
            InvalidFault => "SOAP Fault is not in the TR-069 form",
            UnknownOperationType => "unknown ChangeDUState operation type",
        }
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

impl core::error::Error for DecodeError {}

/// Why an encoder stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EncodeError<E> {
    /// The writer failed; nothing more was written after the failure.
    Write(E),
    /// A value cannot be represented: an array source changed its length between the passes,
    /// or a string holds a character XML cannot carry (NUL and other C0 controls but tab,
    /// newline and return).
    InvalidValue,
    /// The writer accepted zero bytes (a full buffer that reports no error).
    WriteZero,
    /// The message's encoder is not in this build: a CPE-only build (cargo feature `cpe`
    /// without `acs`) encodes only what a CPE sends, an ACS-only build only what an ACS sends.
    NotInThisBuild,
}

impl<E> From<E> for EncodeError<E> {
    fn from(e: E) -> Self {
        EncodeError::Write(e)
    }
}

impl<E: fmt::Debug> fmt::Display for EncodeError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Write(e) => write!(f, "write error: {e:?}"),
            EncodeError::InvalidValue => f.write_str("value cannot be encoded"),
            EncodeError::WriteZero => f.write_str("writer accepted zero bytes"),
            EncodeError::NotInThisBuild => {
                f.write_str("this message's encoder is not in this build (features cpe/acs)")
            }
        }
    }
}

impl<E: fmt::Debug> core::error::Error for EncodeError<E> {}
