//! (Internal.) A pull tokenizer over a borrowed UTF-8 document: the only code that looks at raw markup.
//!
//! It checks well-formedness as it goes, and resolves namespaces through [`NsStack`]:
//! * names: XML 1.0 §2.3's character ranges, QNames with a non-empty prefix and a local part
//!   that starts like a name (Namespaces in XML 1.0 §3);
//! * attributes: quoted values without `<`, white space between them, no two with the same
//!   spelling or the same expanded name (§6.3), and the reserved `xml`/`xmlns` bindings;
//! * references, forbidden characters, `]]>` in character data (§2.4), comments without `--`
//!   (§2.5), PI targets other than `xml`, the XML declaration at the start only (§2.8);
//! * matching end tags, one root, nothing after it.
//!
//! It rejects DTDs, and bounds depth, attributes and bindings. It never copies: tags and text
//! are slices of the input. Its state is the stack of open elements and of bindings, O(depth).
//! Each of these checks is exercised against roxmltree by the `envelope_xml_differential`
//! fuzz target (`fuzz/README.md` lists where the two differ and why).
//!
//! The schema walker in [`crate::decode`] drives it with three calls on the current element:
//! `Reader::next_child`, `Reader::text` and `Reader::skip`.

use memchr::{memchr, memchr2};

use super::ns::{split_qname, Ns, NsStack};
use super::text::XmlStr;

/// The namespace name the `xml` prefix is bound to (Namespaces in XML 1.0 §3).
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace name of the `xmlns` prefix, which no declaration may bind.
const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";
use crate::error::{DecodeError, DecodeErrorKind as K};
use crate::limits::{MAX_ATTRIBUTES, MAX_DEPTH, MAX_INPUT_LEN};

/// A start tag, with its namespace resolved and its attributes validated.
#[derive(Debug, Clone, Copy)]
pub struct Tag<'a> {
    /// Offset of the `<`.
    pub offset: usize,
    /// The local part of the name.
    pub local: &'a str,
    /// The element's namespace.
    pub ns: Ns,
    /// The raw attribute text (between the name and `>` or `/>`), already validated.
    pub attrs: &'a str,
    /// Offset of `attrs` in the input.
    pub attrs_offset: usize,
    /// How many attributes (not counting namespace declarations) have the local name `type`.
    type_attrs: u8,
    /// The first of them (`xsi:type` in practice), so [`Reader::attr`] need not re-scan the
    /// attribute text for the one attribute CWMP reads on every `Value`.
    type_attr: TypeAttr,
}

/// Where a `*:type` attribute is, as offsets into the input (a [`Tag`] is copied often, so
/// it stays small). Offsets fit: the input is at most [`MAX_INPUT_LEN`].
#[derive(Debug, Clone, Copy, Default)]
struct TypeAttr {
    /// Offset of the attribute's name.
    name: u32,
    /// Length of its prefix (0: none).
    prefix_len: u16,
    /// Whether the value holds references.
    has_ref: bool,
    /// Offset and length of the value.
    value: u32,
    value_len: u32,
}

/// One attribute of a [`Tag`].
#[derive(Debug, Clone, Copy)]
pub struct Attr<'a> {
    pub prefix: &'a str,
    pub local: &'a str,
    pub value: XmlStr<'a>,
    pub value_offset: usize,
}

/// Does `c` end the name of a validated start tag (`<a:b x="…">`, `<a/>`, `<a>`)?
fn ends_start_name(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>')
}

enum Raw<'a> {
    /// Character data between `start` and `end`; `markup` when it holds references.
    Text {
        start: usize,
        end: usize,
        markup: bool,
    },
    /// A CDATA section; `start..end` is its content.
    CData {
        start: usize,
        end: usize,
    },
    /// A comment or processing instruction.
    Misc,
    Start(Tag<'a>),
    /// An end tag (or the implicit end of an empty-element tag) at `offset`.
    End {
        offset: usize,
    },
}

/// The schema departures a decode tolerated, without storing them all: the first, the last
/// and how many (`Envelope::schema_deviation` and its companions).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deviations {
    pub first: Option<DecodeError>,
    pub last: Option<DecodeError>,
    pub count: u32,
}

impl Deviations {
    const NONE: Deviations = Deviations {
        first: None,
        last: None,
        count: 0,
    };
}

/// The tokenizer. See the module docs.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    src: &'a str,
    pos: usize,
    /// The open elements: the offset of each one's name in its start tag.
    open: heapless::Vec<u32, MAX_DEPTH>,
    /// Their names' lengths, by depth; 0 for a name longer than 255 bytes, whose end is found
    /// again in its start tag ([`ends_start_name`]). Kept apart from `open` so that an entry
    /// is 5 bytes, not 8 (a `u32` beside a `u16` is padded): the reader is copied into every
    /// lazy array iterator.
    open_len: [u8; MAX_DEPTH],
    ns: NsStack,
    /// The last start tag was `<x/>`: its end is reported by the next call.
    pending_empty: bool,
    /// The schema departures the decoder tolerated (see `Envelope::schema_deviation`).
    deviations: Deviations,
    /// Re-reading input `decode` already validated (the lazy array iterators): character
    /// and duplicate-attribute checks are skipped, structure is still followed.
    trusted: bool,
    /// For a resumed reader: where the bindings it started with were declared (see
    /// [`NsContext`]), so that the arrays it decodes can name them too.
    base: NsContext,
}

/// How many declaring start tags an [`NsContext`] keeps; more (one binding on each of four
/// nested elements) and the context is found again by reading from the start. Three, not
/// four: every decoded array (two in an Inform) and every reader carries one, and four made
/// them 4 bytes larger each, for envelopes no real peer sends (issue 12, stack).
const CONTEXT_TAGS: usize = 3;

/// The namespace context of a lazy array, kept small: the offsets of the start tags that
/// declared the bindings in scope, outermost first (16 bytes, where a copy of the bindings,
/// an [`NsStack`], is 136). [`Reader::resume_at`] reads those tags again for the bindings.
/// Real envelopes declare everything on the `Envelope`, a few on the method element too
/// (INTEROP N3): one or two tags. With more than [`CONTEXT_TAGS`] the context is marked
/// `overflowed` and rebuilt by reading the input from its start to the array.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NsContext {
    tags: [u32; CONTEXT_TAGS],
    len: u8,
    overflowed: bool,
}

impl NsContext {
    fn push(&mut self, tag: usize) {
        match (self.tags.get_mut(usize::from(self.len)), u32::try_from(tag)) {
            (Some(slot), Ok(t)) if !self.overflowed => {
                *slot = t;
                self.len = self.len.saturating_add(1);
            }
            _ => self.overflowed = true,
        }
    }
}

/// A processing instruction's target is a Name followed by whitespace or the end (XML 1.0
/// §2.6); `body` starts after `<?`, `at` is its offset.
fn check_pi_target(body: &[u8], at: usize) -> Result<(), DecodeError> {
    match body.first() {
        Some(&c) if c < 0x80 && c != b':' && is_name_start(c) => {}
        Some(&c) if c >= 0x80 && starts_name_char(body, 0) => {}
        _ => return Err(DecodeError::new(K::InvalidName, at)),
    }
    let mut end = 0usize;
    while let Some(&c) = body.get(end) {
        if c < 0x80 {
            if !is_name_byte(c) {
                break;
            }
            end = end.saturating_add(1);
        } else {
            match non_ascii_at(body, end) {
                Some(ch) if is_name_char(ch) => end = end.saturating_add(ch.len_utf8()),
                _ => break,
            }
        }
    }
    match body.get(end) {
        None => Ok(()),
        Some(&c) if is_ws(c) => Ok(()),
        Some(_) => Err(DecodeError::new(K::InvalidName, at.saturating_add(end))),
    }
}

/// The XML declaration after `<?xml`, up to `?>` (XML 1.0 §2.8, found by the differential
/// fuzz target: `version=\t1.0"` was skipped as an opaque PI): `S version Eq "1.N"`, then
/// optionally `S encoding Eq "EncName"` and `S standalone Eq "yes"|"no"`, then `S?`, with single
/// or double quotes. `at` is the offset of `body`.
fn check_xml_decl(body: &[u8], at: usize) -> Result<(), DecodeError> {
    let bad = |i: usize| DecodeError::new(K::InvalidSyntax, at.saturating_add(i));
    let mut i = 0usize;
    let skip_ws = |i: &mut usize| {
        let start = *i;
        while body.get(*i).is_some_and(|&c| is_ws(c)) {
            *i = i.saturating_add(1);
        }
        *i > start
    };
    let pseudo = |i: &mut usize, name: &[u8]| -> Result<Option<(usize, usize)>, DecodeError> {
        let start = *i;
        if !skip_ws(i) || !body.get(*i..).is_some_and(|r| r.starts_with(name)) {
            *i = start;
            return Ok(None);
        }
        *i = i.saturating_add(name.len());
        skip_ws(i);
        if body.get(*i) != Some(&b'=') {
            return Err(bad(*i));
        }
        *i = i.saturating_add(1);
        skip_ws(i);
        let q = match body.get(*i) {
            Some(&q) if q == b'"' || q == b'\'' => q,
            _ => return Err(bad(*i)),
        };
        let v0 = i.saturating_add(1);
        let len = body
            .get(v0..)
            .and_then(|r| r.iter().position(|&c| c == q))
            .ok_or(bad(*i))?;
        let v1 = v0.saturating_add(len);
        *i = v1.saturating_add(1);
        Ok(Some((v0, v1)))
    };
    let value = |r: (usize, usize)| body.get(r.0..r.1).unwrap_or_default();
    let version = pseudo(&mut i, b"version")?.ok_or(bad(0))?;
    let v = value(version);
    if !(v.len() > 2 && v.starts_with(b"1.") && v.iter().skip(2).all(u8::is_ascii_digit)) {
        return Err(bad(version.0));
    }
    if let Some(enc) = pseudo(&mut i, b"encoding")? {
        let e = value(enc);
        let ok = e.first().is_some_and(u8::is_ascii_alphabetic)
            && e.iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
        if !ok {
            return Err(bad(enc.0));
        }
    }
    if let Some(sd) = pseudo(&mut i, b"standalone")? {
        if !matches!(value(sd), b"yes" | b"no") {
            return Err(bad(sd.0));
        }
    }
    skip_ws(&mut i);
    if i != body.len() {
        return Err(bad(i));
    }
    Ok(())
}

pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Bytes that may start an XML name (ASCII letters, `_`, `:`, and any byte of a non-ASCII
/// character), and bytes that may continue one (also digits, `-`, `.`): one table lookup each.
const NAME_START: u8 = 1;
const NAME_BYTE: u8 = 2;
/// An ASCII name character other than `:`: the bytes a name scan skips without a second look.
const NAME_PLAIN: u8 = 4;
// Evaluated at compile time: an out-of-range index would fail the build, not panic.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
static NAME_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0usize;
    while i < 256 {
        let b = i as u8;
        let start = b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80;
        let cont = start || b.is_ascii_digit() || b == b'-' || b == b'.';
        let plain = cont && b < 0x80 && b != b':';
        t[i] = (if start { NAME_START } else { 0 })
            | (if cont { NAME_BYTE } else { 0 })
            | (if plain { NAME_PLAIN } else { 0 });
        i += 1;
    }
    t
};

/// XML 1.0 §2.3 `NameStartChar`, for the characters beyond ASCII (the ASCII ones are
/// [`is_name_start`]'s table).
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 §2.3 `NameChar`.
fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// The character whose UTF-8 starts at `b[i]` (the input is valid UTF-8).
fn non_ascii_at(b: &[u8], i: usize) -> Option<char> {
    let len = match b.get(i)? {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    let bytes = b.get(i..i.saturating_add(len))?;
    core::str::from_utf8(bytes).ok()?.chars().next()
}

/// The non-ASCII character of a name at `b[i]`: checked against XML 1.0 §2.3's ranges
/// (`NameStartChar` when `start`, else `NameChar`; finding 13 of fuzz/README.md); returns the
/// offset after it. Out of line: names are ASCII in practice.
#[cold]
#[inline(never)]
fn non_ascii_name_char(b: &[u8], i: usize, start: bool) -> Result<usize, DecodeError> {
    match non_ascii_at(b, i) {
        Some(ch) if (start && is_name_start_char(ch)) || (!start && is_name_char(ch)) => {
            Ok(i.saturating_add(ch.len_utf8()))
        }
        _ => Err(DecodeError::new(K::InvalidName, i)),
    }
}

/// The character at `b[i]` (non-ASCII) may start a name.
fn starts_name_char(b: &[u8], i: usize) -> bool {
    non_ascii_at(b, i).is_some_and(is_name_start_char)
}

fn is_name_start(b: u8) -> bool {
    NAME_CLASS
        .get(usize::from(b))
        .is_some_and(|c| c & NAME_START != 0)
}

fn is_plain_name_byte(b: u8) -> bool {
    NAME_CLASS
        .get(usize::from(b))
        .is_some_and(|c| c & NAME_PLAIN != 0)
}

fn is_name_byte(b: u8) -> bool {
    NAME_CLASS
        .get(usize::from(b))
        .is_some_and(|c| c & NAME_BYTE != 0)
}

/// Is `c` a character XML 1.0 allows (production `Char`)?
fn is_xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// Is the character starting at `s[i]` one XML 1.0 forbids: a C0 control other than tab, LF,
/// CR, or U+FFFE/U+FFFF (UTF-8 `EF BF BE`/`EF BF BF`)? `s` is valid UTF-8.
fn is_forbidden_at(s: &[u8], i: usize) -> bool {
    match s.get(i) {
        Some(&b) if b < 0x20 => !matches!(b, b'\t' | b'\n' | b'\r'),
        Some(0xEF) => {
            s.get(i.saturating_add(1)) == Some(&0xBF)
                && matches!(s.get(i.saturating_add(2)), Some(0xBE | 0xBF))
        }
        _ => false,
    }
}

/// Checks that `s` (which starts at `base` in the input) holds no character XML 1.0 forbids
/// (C0 controls but tab/LF/CR, U+FFFE, U+FFFF): the only check on the body of a comment, a
/// CDATA section or a processing instruction, where `&` is an ordinary character (XML 1.0
/// §2.5–§2.7: no reference is recognised there).
pub(crate) fn check_no_forbidden(s: &[u8], base: usize) -> Result<(), DecodeError> {
    if is_plain::<false, false>(s) {
        return Ok(());
    }
    match (0..s.len()).find(|&i| is_forbidden_at(s, i)) {
        Some(i) => Err(DecodeError::new(
            K::InvalidCharacter,
            base.saturating_add(i),
        )),
        None => Ok(()),
    }
}

/// The fast path of the character checks: `s` holds no byte below 0x20, no 0xEF (the lead
/// byte of U+FFFE/U+FFFF) and, with `AMP`, no `&` and, with `GT`, no `>`. Eight bytes at a time
/// (SWAR: each such byte sets its high bit); a false alarm only sends the caller to its exact
/// byte-by-byte check.
fn is_plain<const AMP: bool, const GT: bool>(s: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let is = |x: u64, b: u8| {
        let y = x ^ LO.wrapping_mul(u64::from(b));
        y.wrapping_sub(LO) & !y
    };
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_le_bytes(w);
        let below_space = x.wrapping_sub(LO.wrapping_mul(0x20)) & !x;
        let amp = if AMP { is(x, b'&') } else { 0 };
        let gt = if GT { is(x, b'>') } else { 0 };
        if (below_space | is(x, 0xEF) | amp | gt) & HI != 0 {
            return false;
        }
    }
    chunks
        .remainder()
        .iter()
        .all(|&b| b >= 0x20 && b != 0xEF && !(AMP && b == b'&') && !(GT && b == b'>'))
}

/// The length of a UTF-8 byte order mark at the start of `src` (3 or 0).
fn bom_len(src: &str) -> usize {
    if src.starts_with('\u{FEFF}') {
        3
    } else {
        0
    }
}

/// The offset of `pat` (2 or 3 bytes: `?>`, `-->`, `]]>`) in `hay`: `memchr` for its last
/// byte, then the bytes before it. Cheaper than building a `memmem` searcher for every
/// comment, PI and XML declaration, which are short.
pub(crate) fn find_close(hay: &[u8], pat: &[u8]) -> Option<usize> {
    let (&last, head) = pat.split_last()?;
    let mut from = head.len();
    loop {
        let i = from.checked_add(memchr(last, hay.get(from..)?)?)?;
        let start = i.checked_sub(head.len())?;
        if hay.get(start..i) == Some(head) {
            return Some(start);
        }
        from = i.checked_add(1)?;
    }
}

/// Which markup [`misc_markup`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    /// `<!--…-->` (XML 1.0 §2.5).
    Comment,
    /// `<![CDATA[…]]>` (§2.7): its text is bytes 9 to `len - 3`.
    CData,
    /// `<?target …?>` (§2.6), not the XML declaration.
    Pi,
}

/// The comment, CDATA section or processing instruction that `s` (at `base` in the input)
/// starts with, checked as content markup (XML 1.0 §2.5–2.7): its kind and length, or
/// `Ok(None)` when `s` starts with none of them. The one rule for both the reader and the
/// writer of text enumerations, which keeps such markup as it came so that a decoded value
/// encodes to text that decodes to the same value.
///
/// # Errors
/// `UnexpectedEof` at `eof` when unterminated, `InvalidCharacter` for a character XML
/// forbids, `InvalidSyntax` at `base` for a PI target that is `xml` in any case (reserved;
/// the declaration is the reader's to take, at the document's start only) and at a comment's
/// `--` or final `-`, `InvalidName` for another target that is not a Name.
pub(crate) fn misc_markup(
    s: &[u8],
    base: usize,
    eof: usize,
) -> Result<Option<(Markup, usize)>, DecodeError> {
    let eof = || DecodeError::new(K::UnexpectedEof, eof);
    let (kind, open, close): (_, &[u8], &[u8]) = if s.starts_with(b"<!--") {
        (Markup::Comment, b"<!--", b"-->")
    } else if s.starts_with(b"<![CDATA[") {
        (Markup::CData, b"<![CDATA[", b"]]>")
    } else if s.starts_with(b"<?") {
        (Markup::Pi, b"<?", b"?>")
    } else {
        return Ok(None);
    };
    if kind == Markup::Pi && is_xml_target(s) {
        return Err(DecodeError::new(K::InvalidSyntax, base));
    }
    let body_and_rest = s.get(open.len()..).unwrap_or_default();
    let body_len = find_close(body_and_rest, close).ok_or_else(eof)?;
    let body = body_and_rest.get(..body_len).unwrap_or_default();
    let body_at = base.saturating_add(open.len());
    check_no_forbidden(body, body_at)?;
    if kind == Markup::Pi {
        check_pi_target(body, body_at)?;
    }
    // XML 1.0 §2.5: a comment holds no `--` and does not end in `-` (`<!-- a -- b -->`,
    // `<!-- a --->`; finding 10 of fuzz/README.md).
    if kind == Markup::Comment {
        let dashes = body
            .windows(2)
            .position(|w| w == b"--")
            .or_else(|| body.ends_with(b"-").then(|| body.len().saturating_sub(1)));
        if let Some(i) = dashes {
            return Err(DecodeError::new(
                K::InvalidSyntax,
                body_at.saturating_add(i),
            ));
        }
    }
    let len = open
        .len()
        .checked_add(body_len)
        .and_then(|n| n.checked_add(close.len()))
        .ok_or_else(eof)?;
    Ok(Some((kind, len)))
}

/// `s` (which starts with `<?`) names the target `xml` in any case: reserved (XML 1.0 §2.6).
fn is_xml_target(s: &[u8]) -> bool {
    s.get(2..5).unwrap_or_default().eq_ignore_ascii_case(b"xml")
        && s.get(5).is_none_or(|&c| is_ws(c) || c == b'?')
}

/// The length of the comment, CDATA section or processing instruction at the start of `s`
/// when the reader would accept it inside element content ([`misc_markup`]), else `None`.
pub(crate) fn content_markup_len(s: &[u8]) -> Option<usize> {
    misc_markup(s, 0, s.len())
        .ok()
        .flatten()
        .map(|(_, len)| len)
}

/// Checks the references in `s` (which starts at `base` in the input) and that it holds no
/// forbidden characters (C0 controls but tab/LF/CR, U+FFFE, U+FFFF); with `CHAR_DATA`
/// (element content, not an attribute value) also that it holds no `]]>` (XML 1.0 §2.4,
/// finding 12 of fuzz/README.md). Returns whether it holds any `&`.
pub(crate) fn check_chars<const CHAR_DATA: bool>(
    s: &[u8],
    base: usize,
) -> Result<bool, DecodeError> {
    // Fast path: most text has neither references nor forbidden characters.
    if is_plain::<true, CHAR_DATA>(s) {
        return Ok(false);
    }
    let mut has_ref = false;
    let mut i = 0usize;
    while let Some(&b) = s.get(i) {
        let at = base.saturating_add(i);
        if is_forbidden_at(s, i) {
            return Err(DecodeError::new(K::InvalidCharacter, at));
        }
        if CHAR_DATA && b == b'>' && i >= 2 && s.get(i.saturating_sub(2)..i) == Some(b"]]") {
            return Err(DecodeError::new(K::InvalidSyntax, at.saturating_sub(2)));
        }
        if b == b'&' {
            has_ref = true;
            let rest = s.get(i..).unwrap_or_default();
            let (_, len) =
                parse_reference(rest).ok_or(DecodeError::new(K::InvalidReference, at))?;
            i = i.saturating_add(len);
        } else {
            i = i.saturating_add(1);
        }
    }
    Ok(has_ref)
}

/// Parses the reference at the start of `s` (which begins with `&`): the character it stands
/// for and the reference's length. `None` when malformed or not an XML character.
pub(crate) fn parse_reference(s: &[u8]) -> Option<(char, usize)> {
    let body = s.get(1..)?;
    let semi = memchr(b';', body.get(..body.len().min(12))?)?;
    let name = body.get(..semi)?;
    let len = semi.checked_add(2)?;
    let c = match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"apos" => '\'',
        b"quot" => '"',
        _ => {
            let (digits, radix) = match name {
                [b'#', b'x', rest @ ..] => (rest, 16),
                [b'#', rest @ ..] => (rest, 10),
                _ => return None,
            };
            if digits.is_empty() {
                return None;
            }
            let mut v: u32 = 0;
            for &d in digits {
                let dv = (d as char).to_digit(radix)?;
                v = v.checked_mul(radix)?.checked_add(dv)?;
            }
            if !is_xml_char(v) {
                return None;
            }
            char::from_u32(v)?
        }
    };
    Some((c, len))
}

impl<'a> Reader<'a> {
    /// Checks the encoding, skips the prolog (BOM, XML declaration, comments, processing
    /// instructions; a DOCTYPE is an error) and reads the root start tag.
    pub(crate) fn start(input: &'a [u8]) -> Result<(Reader<'a>, Tag<'a>), DecodeError> {
        let mut r = Reader::new(Reader::check_input(input)?);
        let root = r.root()?;
        Ok((r, root))
    }

    /// The input as text: within [`MAX_INPUT_LEN`], UTF-8 (not UTF-16: XML 1.0 §4.3.3).
    pub(crate) fn check_input(input: &'a [u8]) -> Result<&'a str, DecodeError> {
        if input.len() > MAX_INPUT_LEN {
            return Err(DecodeError::new(K::InputTooLarge, MAX_INPUT_LEN));
        }
        if input.starts_with(&[0xFE, 0xFF]) || input.starts_with(&[0xFF, 0xFE]) {
            return Err(DecodeError::new(K::UnsupportedEncoding, 0));
        }
        core::str::from_utf8(input).map_err(|e| DecodeError::new(K::InvalidUtf8, e.valid_up_to()))
    }

    /// A reader at the start of `src` (after a BOM). Infallible and returned by value, so the
    /// caller's reader is built in place: [`Reader::start`] returning it inside a `Result`
    /// kept a second copy in `decode`'s frame (issue 12, stack).
    pub(crate) fn new(src: &'a str) -> Reader<'a> {
        Reader {
            src,
            pos: bom_len(src),
            ..Reader::EMPTY
        }
    }

    /// Skips the prolog and reads the root start tag (the first call on a [`Reader::new`]).
    #[inline(never)]
    pub(crate) fn root(&mut self) -> Result<Tag<'a>, DecodeError> {
        loop {
            self.skip_ws();
            match self.next_raw()? {
                Raw::Misc => continue,
                Raw::Start(tag) => return Ok(tag),
                Raw::Text { start, .. } | Raw::CData { start, .. } => {
                    return Err(DecodeError::new(K::InvalidSyntax, start))
                }
                Raw::End { offset } => return Err(DecodeError::new(K::InvalidSyntax, offset)),
            }
        }
    }

    /// A reader of no input, to be [resumed](Reader::resume_at): a constant, so that the lazy
    /// array iterator that holds one is written straight into its caller's place (a reader
    /// made by [`Reader::new`] was built aside and copied: 400 bytes of stack, issue 12).
    pub(crate) const EMPTY: Reader<'a> = Reader {
        src: "",
        pos: 0,
        open: heapless::Vec::new(),
        open_len: [0; MAX_DEPTH],
        ns: NsStack::new(),
        pending_empty: false,
        deviations: Deviations::NONE,
        trusted: false,
        base: NsContext {
            tags: [0; CONTEXT_TAGS],
            len: 0,
            overflowed: false,
        },
    };

    /// Makes this reader (whatever it read before) a reader of `src` positioned inside an
    /// element whose content was already validated, with the namespace context captured by
    /// [`Reader::context`]: the lazy array iterators' way back into the input. It ends
    /// (`next_child` gives `None`) at that element's end tag. In place: the iterator resumes
    /// the reader it holds.
    pub(crate) fn resume_at(&mut self, src: &'a str, pos: usize, ctx: NsContext) {
        self.src = src;
        self.ns = NsStack::new();
        self.open.clear();
        self.deviations = Deviations::NONE;
        self.trusted = true;
        self.base = ctx;
        self.rebuild_context(&ctx, pos);
        self.open.clear();
        self.pending_empty = false;
        self.pos = pos;
    }

    /// Pushes the namespace declarations of the validated start tag at `lt` (already checked
    /// by the first pass, so only split: name, then `name="value"` pairs up to `>` or `/>`).
    /// `false` if `lt` is not a start tag. Lighter than reading the tag again with
    /// [`Reader::next_raw`], which resolves and classifies every attribute.
    fn declare_from_tag(&mut self, lt: usize) -> bool {
        let b = self.src.as_bytes();
        if b.get(lt) != Some(&b'<') {
            return false;
        }
        let mut i = lt.saturating_add(1);
        while b.get(i).is_some_and(|&c| !ends_start_name(c)) {
            i = i.saturating_add(1);
        }
        loop {
            while b.get(i).is_some_and(|&c| is_ws(c)) {
                i = i.saturating_add(1);
            }
            match b.get(i) {
                None => return false,
                Some(b'>' | b'/') => return true,
                Some(_) => {}
            }
            let name_start = i;
            while b.get(i).is_some_and(|&c| c != b'=' && !is_ws(c)) {
                i = i.saturating_add(1);
            }
            let name_end = i;
            while b.get(i).is_some_and(|&c| c == b'=' || is_ws(c)) {
                i = i.saturating_add(1);
            }
            let Some(&quote) = b.get(i) else {
                return false;
            };
            let vstart = i.saturating_add(1);
            let Some(vlen) = b.get(vstart..).and_then(|v| memchr(quote, v)) else {
                return false;
            };
            i = vstart.saturating_add(vlen).saturating_add(1);
            let name = b.get(name_start..name_end).unwrap_or_default();
            let value = b
                .get(vstart..vstart.saturating_add(vlen))
                .unwrap_or_default();
            let pushed = if name == b"xmlns" {
                self.ns.push(name_end, 0, value, 0)
            } else if let Some(prefix) = name.strip_prefix(b"xmlns:") {
                self.ns
                    .push(name_start.saturating_add(6), prefix.len(), value, 0)
            } else {
                Ok(())
            };
            if pushed.is_err() {
                return false;
            }
        }
    }

    /// Pushes the bindings in scope at `pos` of the validated input, as `ctx` names them,
    /// re-based so they are never popped (the context a resumed reader starts from). Done on
    /// the resumed reader itself, so no second reader is on the stack.
    fn rebuild_context(&mut self, ctx: &NsContext, pos: usize) {
        if !ctx.overflowed {
            let tags = ctx.tags.get(..usize::from(ctx.len)).unwrap_or_default();
            let mut ok = true;
            for &t in tags {
                ok &= self.declare_from_tag(t as usize);
            }
            if ok {
                self.ns.rebase();
                return;
            }
            // Not start tags: cannot happen for a context taken from validated input; read
            // from the start instead, which is right whatever the tags were.
            self.ns = NsStack::new();
            self.open.clear();
        }
        // From the start to the array: every binding pushed and popped as the first pass did.
        self.pos = bom_len(self.src);
        while self.pos < pos {
            if self.next_raw().is_err() {
                break;
            }
        }
        self.ns.rebase();
    }

    /// Records a schema departure that decoding tolerates: the first and the last are kept,
    /// and all are counted.
    pub(crate) fn tolerate(&mut self, kind: K, offset: usize) {
        let d = &mut self.deviations;
        let e = DecodeError::new(kind, offset);
        if d.first.is_none() {
            d.first = Some(e);
        }
        d.last = Some(e);
        d.count = d.count.saturating_add(1);
    }

    /// The tolerated schema departures.
    pub(crate) fn deviations(&self) -> Deviations {
        self.deviations
    }

    /// Is `prefix` bound to a CWMP namespace in scope? Returns that namespace.
    pub(crate) fn cwmp_in_scope(&self) -> Option<crate::version::CwmpNamespace> {
        self.ns.any_cwmp()
    }

    /// The input, the position and the namespace context of the current element's content,
    /// for [`Reader::resume_at`].
    pub(crate) fn context(&self) -> (&'a str, usize, NsContext) {
        (self.src, self.pos, self.ns_context(self.open.len()))
    }

    /// Like [`Reader::context`], but without the bindings the current element declares: the
    /// context its siblings are read in.
    pub(crate) fn context_of_parent(&self) -> (&'a str, usize, NsContext) {
        (
            self.src,
            self.pos,
            self.ns_context(self.open.len().saturating_sub(1)),
        )
    }

    /// The start tags that declared the bindings in scope of the elements up to `depth`: the
    /// resumed reader's own base, then each open element's that declared any.
    fn ns_context(&self, depth: usize) -> NsContext {
        let mut c = self.base;
        for d in self.ns.declaring_depths() {
            if d == 0 || d > depth {
                continue;
            }
            match self.open.get(d.saturating_sub(1)) {
                // The name follows the `<` of its start tag.
                Some(&name_off) => c.push((name_off as usize).saturating_sub(1)),
                None => c.overflowed = true,
            }
        }
        c
    }

    /// Current byte offset.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// The next child element of the current element, skipping whitespace, comments and
    /// processing instructions; `None` once the current element's end tag has been read.
    ///
    /// # Errors
    /// Non-whitespace text ([`K::UnexpectedText`]) and any well-formedness error.
    pub(crate) fn next_child(&mut self) -> Result<Option<Tag<'a>>, DecodeError> {
        loop {
            match self.next_raw()? {
                Raw::Start(tag) => return Ok(Some(tag)),
                Raw::End { .. } => return Ok(None),
                Raw::Misc => {}
                Raw::Text { start, end, .. } | Raw::CData { start, end } => {
                    let s = self.src.as_bytes().get(start..end).unwrap_or_default();
                    if let Some(i) = s.iter().position(|&b| !is_ws(b)) {
                        return Err(DecodeError::new(K::UnexpectedText, start.saturating_add(i)));
                    }
                }
            }
        }
    }

    /// The text content of the current element, up to and including its end tag.
    ///
    /// # Errors
    /// A child element ([`K::UnexpectedElement`]) and any well-formedness error.
    pub(crate) fn text(&mut self) -> Result<XmlStr<'a>, DecodeError> {
        if self.pending_empty {
            self.next_raw()?;
            return Ok(XmlStr::EMPTY);
        }
        let start = self.pos;
        let mut markup = false;
        loop {
            let here = self.pos;
            match self.next_raw()? {
                Raw::Text { markup: m, .. } => markup |= m,
                Raw::CData { .. } | Raw::Misc => markup = true,
                Raw::Start(tag) => return Err(DecodeError::new(K::UnexpectedElement, tag.offset)),
                Raw::End { .. } => {
                    let raw = self.src.get(start..here).unwrap_or_default();
                    return Ok(XmlStr::from_validated(raw, markup));
                }
            }
        }
    }

    /// Skips the rest of the current element, checking its well-formedness.
    pub(crate) fn skip(&mut self) -> Result<(), DecodeError> {
        let mut depth = 0usize;
        loop {
            match self.next_raw()? {
                Raw::Start(_) => depth = depth.saturating_add(1),
                Raw::End { .. } => match depth.checked_sub(1) {
                    Some(d) => depth = d,
                    None => return Ok(()),
                },
                _ => {}
            }
        }
    }

    /// After the root element closed: only whitespace, comments and processing instructions
    /// may follow (INTEROP H5).
    // By reference: taking the reader by value copied all of it (432 bytes on a 32-bit
    // target) into a second stack slot of `decode`'s frame.
    pub(crate) fn finish(&mut self) -> Result<(), DecodeError> {
        loop {
            self.skip_ws();
            if self.pos >= self.src.len() {
                return Ok(());
            }
            let at = self.pos;
            match self.next_raw() {
                Ok(Raw::Misc) => {}
                _ => return Err(DecodeError::new(K::TrailingContent, at)),
            }
        }
    }

    /// The attributes of `tag`, in order. Only valid while `tag` is the current element (its
    /// namespace declarations are in scope).
    pub(crate) fn attrs(&self, tag: &Tag<'a>) -> Attrs<'a, '_> {
        Attrs {
            reader: self,
            s: tag.attrs,
            base: tag.attrs_offset,
            pos: 0,
        }
    }

    /// The value of the attribute `local` in namespace `ns` on `tag`.
    pub(crate) fn attr(&self, tag: &Tag<'a>, ns: Ns, local: &str) -> Option<Attr<'a>> {
        if local == "type" && tag.type_attrs <= 1 {
            if tag.type_attrs == 0 {
                return None;
            }
            let t = tag.type_attr;
            let name = t.name as usize;
            let prefix = self
                .src
                .get(name..name.saturating_add(usize::from(t.prefix_len)))
                .unwrap_or_default();
            if self.attr_ns(prefix) != ns {
                return None;
            }
            let vs = t.value as usize;
            let raw = self
                .src
                .get(vs..vs.saturating_add(t.value_len as usize))
                .unwrap_or_default();
            return Some(Attr {
                prefix,
                local: "type",
                value: XmlStr::from_validated(raw, t.has_ref),
                value_offset: vs,
            });
        }
        self.attrs(tag)
            .find(|a| a.local == local && self.attr_ns(a.prefix) == ns)
    }

    /// The namespace of an attribute prefix (see [`NsStack::resolve_attr`]).
    pub(crate) fn attr_ns(&self, prefix: &str) -> Ns {
        self.ns.resolve_attr(self.src, prefix)
    }

    /// Resolves a QName written in an attribute value (`xsd:string`, `cwmp:InstallOpStruct`).
    pub(crate) fn resolve_value_qname<'v>(&self, qname: &'v str) -> (Ns, &'v str) {
        let (p, l) = split_qname(qname.trim_ascii());
        if p.is_empty() {
            // An unprefixed QName in a value takes the default namespace.
            (self.ns.resolve(self.src, "").unwrap_or(Ns::None), l)
        } else {
            (self.attr_ns(p), l)
        }
    }

    fn skip_ws(&mut self) {
        let b = self.src.as_bytes();
        while b.get(self.pos).is_some_and(|&c| is_ws(c)) {
            self.pos = self.pos.saturating_add(1);
        }
    }

    fn rest(&self) -> &'a [u8] {
        self.src.as_bytes().get(self.pos..).unwrap_or_default()
    }

    fn eof(&self) -> DecodeError {
        DecodeError::new(K::UnexpectedEof, self.src.len())
    }

    /// Finds `pat` at or after `from`; returns its absolute offset.
    fn find(&self, from: usize, pat: &[u8]) -> Option<usize> {
        let hay = self.src.as_bytes().get(from..)?;
        find_close(hay, pat).and_then(|i| from.checked_add(i))
    }

    /// The innermost open element's name.
    fn open_name(&self) -> Option<&'a [u8]> {
        let i = self.open.len().checked_sub(1)?;
        let start = *self.open.get(i)? as usize;
        let b = self.src.as_bytes();
        let len = match self.open_len.get(i) {
            Some(&l) if l != 0 => usize::from(l),
            _ => {
                let rest = b.get(start..)?;
                rest.iter()
                    .position(|&c| ends_start_name(c))
                    .unwrap_or(rest.len())
            }
        };
        b.get(start..start.saturating_add(len))
    }

    fn close(&mut self, offset: usize) -> Raw<'a> {
        self.open.pop();
        self.ns.pop_deeper_than(self.open.len());
        Raw::End { offset }
    }

    fn next_raw(&mut self) -> Result<Raw<'a>, DecodeError> {
        if self.pending_empty {
            self.pending_empty = false;
            return Ok(self.close(self.pos));
        }
        let rest = self.rest();
        let Some(&first) = rest.first() else {
            return Err(self.eof());
        };
        if first != b'<' {
            let start = self.pos;
            let len = memchr(b'<', rest).ok_or_else(|| self.eof())?;
            let end = start.saturating_add(len);
            let text = rest.get(..len).unwrap_or_default();
            let markup = if self.trusted {
                memchr(b'&', text).is_some()
            } else {
                check_chars::<true>(text, start)?
            };
            self.pos = end;
            return Ok(Raw::Text { start, end, markup });
        }
        let lt = self.pos;
        match rest.get(1) {
            Some(b'/') => self.end_tag(lt),
            Some(b'?')
                if lt == bom_len(self.src)
                    && rest.get(2..5) == Some(b"xml")
                    && is_xml_target(rest) =>
            {
                // The XML declaration, which may only open the document (after a BOM).
                let close = self
                    .find(lt.saturating_add(2), b"?>")
                    .ok_or_else(|| self.eof())?;
                let decl = self.src.as_bytes().get(lt..close).unwrap_or_default();
                check_no_forbidden(decl, lt)?;
                check_xml_decl(decl.get(5..).unwrap_or_default(), lt.saturating_add(5))?;
                self.pos = close.saturating_add(2);
                Ok(Raw::Misc)
            }
            Some(b'!' | b'?') => match misc_markup(rest, lt, self.src.len())? {
                Some((Markup::CData, len)) => {
                    let end = lt.saturating_add(len);
                    self.pos = end;
                    Ok(Raw::CData {
                        start: lt.saturating_add(9),
                        end: end.saturating_sub(3),
                    })
                }
                Some((_, len)) => {
                    self.pos = lt.saturating_add(len);
                    Ok(Raw::Misc)
                }
                None if rest.starts_with(b"<!DOCTYPE") || rest.starts_with(b"<!ENTITY") => {
                    Err(DecodeError::new(K::DoctypeNotAllowed, lt))
                }
                None => Err(DecodeError::new(K::InvalidSyntax, lt)),
            },
            Some(_) => self.start_tag(lt),
            None => Err(self.eof()),
        }
    }

    /// Reads a name at `self.pos`; returns (start, end).
    fn name(&mut self) -> Result<(usize, usize), DecodeError> {
        let (start, end, _) = self.qname()?;
        Ok((start, end))
    }

    /// Reads a name at `self.pos`; returns (start, end, number of colons in it, offset of the
    /// last colon).
    // Inlined into the start tag's two uses: out of line it cost 14 % more per decode.
    #[inline(always)]
    fn qname(&mut self) -> Result<(usize, usize, (usize, usize)), DecodeError> {
        let b = self.src.as_bytes();
        let start = self.pos;
        match b.get(start) {
            Some(&c) if is_name_start(c) => {}
            Some(_) => return Err(DecodeError::new(K::InvalidName, start)),
            None => return Err(self.eof()),
        }
        let mut colons = (usize::from(b.get(start) == Some(&b':')), start);
        let mut end = if b.get(start).is_some_and(|&c| c >= 0x80) {
            non_ascii_name_char(b, start, true)?
        } else {
            start.saturating_add(1)
        };
        loop {
            // The common bytes: ASCII name characters other than the colon.
            while b.get(end).is_some_and(|&c| is_plain_name_byte(c)) {
                end = end.saturating_add(1);
            }
            match b.get(end) {
                Some(b':') => {
                    colons = (colons.0.saturating_add(1), end);
                    // Namespaces in XML 1.0 §3: a local part is an NCName, which starts with a
                    // NameStartChar (`xmlns:-x` and `a:1b` are Names, not QNames; found by
                    // envelope_xml_differential). Checked once, at the byte after the colon.
                    let next = end.saturating_add(1);
                    if b.get(next)
                        .is_some_and(|&n| n < 0x80 && is_name_byte(n) && !is_name_start(n))
                    {
                        return Err(DecodeError::new(K::InvalidName, next));
                    }
                    end = next;
                }
                Some(&c) if c >= 0x80 => {
                    // The first character of a local part is a NameStartChar.
                    let local_start = colons.0 > 0 && colons.1.saturating_add(1) == end;
                    end = non_ascii_name_char(b, end, local_start)?;
                }
                _ => break,
            }
        }
        self.pos = end;
        Ok((start, end, colons))
    }

    /// Namespaces in XML 1.0 §6.3: no two attributes of a start tag have the same expanded
    /// name (`a:k` and `b:k` with `a` and `b` bound to the same namespace name). Checked after
    /// the tag's own declarations are in scope; only prefixed attributes (not `xmlns:`) that
    /// share a local part need their bindings compared, which is rare. Unbound prefixes are
    /// left to INTEROP N4's tolerance.
    fn check_expanded_names(&self, attrs: &'a str, base: usize) -> Result<(), DecodeError> {
        // (name, its offset in `attrs`) of each attribute in turn.
        let each = || {
            let mut pos = 0usize;
            core::iter::from_fn(move || {
                let b = attrs.as_bytes();
                let mut start = pos;
                while b.get(start).is_some_and(|&c| is_ws(c)) {
                    start = start.saturating_add(1);
                }
                let (name, _, _, next) = Attrs::split(attrs, pos)?;
                pos = next;
                Some((name, start))
            })
        };
        let prefixed = |name: &'a str| {
            let (prefix, local) = split_qname(name);
            (!prefix.is_empty() && prefix != "xmlns").then_some((prefix, local))
        };
        for (j, (name, at)) in each().enumerate() {
            let Some((prefix, local)) = prefixed(name) else {
                continue;
            };
            for (other, _) in each().take(j) {
                let Some((other_prefix, other_local)) = prefixed(other) else {
                    continue;
                };
                if other_local != local || other_prefix == prefix {
                    continue;
                }
                let uri = self.ns.uri(self.src, prefix);
                if uri.is_some() && uri == self.ns.uri(self.src, other_prefix) {
                    return Err(DecodeError::new(
                        K::DuplicateAttribute,
                        base.saturating_add(at),
                    ));
                }
            }
        }
        Ok(())
    }

    fn start_tag(&mut self, lt: usize) -> Result<Raw<'a>, DecodeError> {
        /// Attribute names kept for the duplicate check (an envelope's start tag has 4–6).
        const SEEN_ATTRIBUTES: usize = 8;
        if self.open.len() >= MAX_DEPTH {
            return Err(DecodeError::new(K::TooDeep, lt));
        }
        self.pos = lt.saturating_add(1);
        let (ns_, ne, (colons, colon_at)) = self.qname()?;
        let qname = self.src.get(ns_..ne).unwrap_or_default();
        let depth = self.open.len().saturating_add(1);
        let attrs_offset = self.pos;
        // Attributes: validate each, declare the namespaces they bind.
        let mut count = 0usize;
        // The first attributes' names (offset, length), for the duplicate check without
        // splitting the attributes before each one again; past them, the scan.
        let mut names = [(0u32, 0u32); SEEN_ATTRIBUTES];
        let mut type_attrs = 0u8;
        // Prefixed attributes other than declarations: two or more need §6.3's check.
        let mut qualified_attrs = 0usize;
        let mut type_attr = TypeAttr::default();
        let empty;
        loop {
            let had_ws = self.rest().first().is_some_and(|&c| is_ws(c));
            self.skip_ws();
            match self.rest() {
                [b'>', ..] => {
                    empty = false;
                    break;
                }
                [b'/', b'>', ..] => {
                    empty = true;
                    break;
                }
                [] => return Err(self.eof()),
                _ if !had_ws => return Err(DecodeError::new(K::InvalidSyntax, self.pos)),
                _ => {}
            }
            count = count.saturating_add(1);
            if count > MAX_ATTRIBUTES {
                return Err(DecodeError::new(K::TooManyAttributes, self.pos));
            }
            let (an_s, an_e, (a_colons, a_colon_at)) = self.qname()?;
            // Namespaces in XML 1.0 §3: an attribute name is a QName too, at most one colon,
            // with a prefix and a local part on either side of it (`xmlns:ss:xsd` is not).
            let qualified = a_colon_at > an_s && a_colon_at.saturating_add(1) < an_e;
            if a_colons > 1 || (a_colons == 1 && !qualified) {
                return Err(DecodeError::new(K::InvalidName, an_s));
            }
            let aname = self.src.get(an_s..an_e).unwrap_or_default();
            self.skip_ws();
            if self.rest().first() != Some(&b'=') {
                return Err(DecodeError::new(K::InvalidSyntax, self.pos));
            }
            self.pos = self.pos.saturating_add(1);
            self.skip_ws();
            let quote = match self.rest().first() {
                Some(&q @ (b'"' | b'\'')) => q,
                Some(_) => return Err(DecodeError::new(K::InvalidSyntax, self.pos)),
                None => return Err(self.eof()),
            };
            let vstart = self.pos.saturating_add(1);
            let vrest = self.src.as_bytes().get(vstart..).unwrap_or_default();
            let vlen = memchr2(quote, b'<', vrest).ok_or_else(|| self.eof())?;
            if vrest.get(vlen) == Some(&b'<') {
                return Err(DecodeError::new(
                    K::InvalidSyntax,
                    vstart.saturating_add(vlen),
                ));
            }
            let value = vrest.get(..vlen).unwrap_or_default();
            // Input `decode` already validated needs neither check again.
            let has_ref = if self.trusted {
                memchr(b'&', value).is_some()
            } else {
                let has_ref = check_chars::<false>(value, vstart)?;
                // Duplicate attribute names (by spelling; enough for well-formedness here).
                let src = self.src;
                let name_of = |&(off, len): &(u32, u32)| {
                    let off = usize::try_from(off).ok()?;
                    src.get(off..off.saturating_add(usize::try_from(len).ok()?))
                };
                let duplicate = if count <= SEEN_ATTRIBUTES {
                    names
                        .get(..count.saturating_sub(1))
                        .unwrap_or_default()
                        .iter()
                        .any(|n| name_of(n) == Some(aname))
                } else {
                    let before = self.src.get(attrs_offset..an_s).unwrap_or_default();
                    Attrs::names_in(before).any(|n| n == aname)
                };
                if duplicate {
                    return Err(DecodeError::new(K::DuplicateAttribute, an_s));
                }
                if let Some(slot) = names.get_mut(count.saturating_sub(1)) {
                    *slot = (
                        u32::try_from(an_s).unwrap_or(u32::MAX),
                        u32::try_from(aname.len()).unwrap_or(u32::MAX),
                    );
                }
                has_ref
            };
            if aname == "xmlns" || aname.starts_with("xmlns:") {
                // Namespaces in XML 1.0 §3, reserved prefixes and namespace names.
                let uri = XmlStr::from_validated(
                    self.src
                        .get(vstart..vstart.saturating_add(vlen))
                        .unwrap_or_default(),
                    has_ref,
                );
                let xml_uri = uri.eq_str(XML_NAMESPACE);
                let reserved = match aname.strip_prefix("xmlns:") {
                    Some("xml") => !xml_uri,
                    Some("xmlns") => true,
                    _ => xml_uri || uri.eq_str(XMLNS_NAMESPACE),
                };
                if reserved {
                    return Err(DecodeError::new(K::ReservedNamespace, an_s));
                }
            }
            if aname == "xmlns" {
                self.ns.push(an_e, 0, value, depth)?;
            } else if let Some(prefix) = aname.strip_prefix("xmlns:") {
                let poff = an_s.saturating_add(6);
                self.ns.push(poff, prefix.len(), value, depth)?;
            } else {
                let (prefix, local) = split_qname(aname);
                if !prefix.is_empty() {
                    qualified_attrs = qualified_attrs.saturating_add(1);
                }
                if local == "type" {
                    type_attrs = type_attrs.saturating_add(1);
                    if type_attrs == 1 {
                        type_attr = TypeAttr {
                            name: u32::try_from(an_s).unwrap_or(u32::MAX),
                            prefix_len: u16::try_from(prefix.len()).unwrap_or(u16::MAX),
                            has_ref,
                            value: u32::try_from(vstart).unwrap_or(u32::MAX),
                            value_len: u32::try_from(vlen).unwrap_or(u32::MAX),
                        };
                    }
                }
            }
            self.pos = vstart.saturating_add(vlen).saturating_add(1);
        }
        let attrs = self.src.get(attrs_offset..self.pos).unwrap_or_default();
        if !self.trusted && qualified_attrs > 1 {
            self.check_expanded_names(attrs, attrs_offset)?;
        }
        self.pos = self.pos.saturating_add(if empty { 2 } else { 1 });
        let (prefix, local) = match colons {
            0 => ("", qname),
            1 if colon_at > ns_ && colon_at.saturating_add(1) < ne => (
                self.src.get(ns_..colon_at).unwrap_or_default(),
                self.src
                    .get(colon_at.saturating_add(1)..ne)
                    .unwrap_or_default(),
            ),
            _ => return Err(DecodeError::new(K::InvalidName, ns_)),
        };
        let ns = self
            .ns
            .resolve(self.src, prefix)
            .ok_or(DecodeError::new(K::UnboundPrefix, ns_))?;
        let name_off = u32::try_from(ns_).map_err(|_| DecodeError::new(K::InputTooLarge, ns_))?;
        if let Some(l) = self.open_len.get_mut(self.open.len()) {
            *l = u8::try_from(qname.len()).unwrap_or(0);
        }
        self.open
            .push(name_off)
            .map_err(|_| DecodeError::new(K::TooDeep, lt))?;
        self.pending_empty = empty;
        Ok(Raw::Start(Tag {
            offset: lt,
            local,
            ns,
            attrs,
            attrs_offset,
            type_attrs,
            type_attr,
        }))
    }

    fn end_tag(&mut self, lt: usize) -> Result<Raw<'a>, DecodeError> {
        let name_at = lt.saturating_add(2);
        // Fast path: the open element's name, then `>`.
        let open_name = self.open_name();
        if let Some(open_name) = open_name {
            let len = open_name.len();
            let b = self.src.as_bytes();
            let here = b.get(name_at..name_at.saturating_add(len));
            let after = name_at.saturating_add(len);
            if here == Some(open_name) && b.get(after) == Some(&b'>') {
                self.pos = after.saturating_add(1);
                return Ok(self.close(lt));
            }
        }
        self.pos = name_at;
        let (s, e) = self.name()?;
        let name = self.src.as_bytes().get(s..e).unwrap_or_default();
        self.skip_ws();
        if self.rest().first() != Some(&b'>') {
            return Err(if self.rest().is_empty() {
                self.eof()
            } else {
                DecodeError::new(K::InvalidSyntax, self.pos)
            });
        }
        self.pos = self.pos.saturating_add(1);
        // With no open element this is a resumed reader meeting the end tag of its (already
        // validated) parent.
        if let Some(open_name) = open_name {
            if open_name != name {
                return Err(DecodeError::new(K::MismatchedEndTag, lt));
            }
        }
        Ok(self.close(lt))
    }
}

/// Iterator over the attributes of a validated tag.
pub struct Attrs<'a, 'r> {
    reader: &'r Reader<'a>,
    s: &'a str,
    base: usize,
    pos: usize,
}

impl<'a> Attrs<'a, '_> {
    /// Splits the next `name="value"` of already-validated attribute text.
    fn split(s: &str, pos: usize) -> Option<(&str, usize, usize, usize)> {
        let b = s.as_bytes();
        let mut i = pos;
        while b.get(i).is_some_and(|&c| is_ws(c)) {
            i = i.saturating_add(1);
        }
        let ns = i;
        while b.get(i).is_some_and(|&c| is_name_byte(c)) {
            i = i.saturating_add(1);
        }
        if i == ns {
            return None;
        }
        let name = s.get(ns..i)?;
        let q = i.saturating_add(memchr2(b'"', b'\'', b.get(i..)?)?);
        let quote = *b.get(q)?;
        let vs = q.saturating_add(1);
        let ve = vs.saturating_add(memchr(quote, b.get(vs..)?)?);
        Some((name, vs, ve, ve.saturating_add(1)))
    }

    fn names_in(s: &str) -> impl Iterator<Item = &str> {
        let mut pos = 0;
        core::iter::from_fn(move || {
            let (name, _, _, next) = Self::split(s, pos)?;
            pos = next;
            Some(name)
        })
    }
}

impl<'a> Iterator for Attrs<'a, '_> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Attr<'a>> {
        loop {
            let (name, vs, ve, next) = Self::split(self.s, self.pos)?;
            self.pos = next;
            if name == "xmlns" || name.starts_with("xmlns:") {
                continue;
            }
            let raw = self.s.get(vs..ve)?;
            let (prefix, local) = split_qname(name);
            let _ = self.reader;
            return Some(Attr {
                prefix,
                local,
                value: XmlStr::from_validated(raw, memchr(b'&', raw.as_bytes()).is_some()),
                value_offset: self.base.saturating_add(vs),
            });
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    /// `find_close` finds the first occurrence, as a naive search does, over every string of
    /// up to seven bytes from an alphabet with the patterns' bytes in it.
    #[test]
    fn find_close_is_the_first_occurrence() {
        let alphabet = [b'-', b'>', b']', b'?', b'a'];
        for pat in [&b"?>"[..], b"-->", b"]]>"] {
            for len in 0..=7u32 {
                for mut n in 0..5usize.pow(len) {
                    let mut hay = Vec::new();
                    for _ in 0..len {
                        hay.push(alphabet[n % 5]);
                        n /= 5;
                    }
                    let naive = hay.windows(pat.len()).position(|w| w == pat);
                    assert_eq!(find_close(&hay, pat), naive, "{hay:?} {pat:?}");
                }
            }
        }
    }

    /// An end tag matches its start tag's whole name, which the open-element stack no longer
    /// stores the length of: a prefix or an extension of the name is a mismatch, on the fast
    /// path (`>` right after the name) and the slow one (white space before `>`), whatever
    /// ends the start tag's name (white space, `/`-less `>`, attributes).
    #[test]
    fn end_tags_match_the_whole_start_name() {
        let parse = |doc: &str| -> Result<(), DecodeError> {
            let mut r = Reader::new(doc);
            r.root()?;
            while r.next_child()?.is_some() {
                r.skip()?;
            }
            r.finish()
        };
        for start in ["<ab>", "<ab >", "<ab\n x='1'>", "<ab\t>"] {
            for (end, ok) in [
                ("</ab>", true),
                ("</ab >", true),
                ("</ab\r\n>", true),
                ("</a>", false),
                ("</a >", false),
                ("</abc>", false),
                ("</abc >", false),
                ("</b>", false),
                ("</>", false),
            ] {
                let doc = std::format!("{start}<c/>{end}");
                let got = parse(&doc);
                assert_eq!(got.is_ok(), ok, "{doc:?}: {got:?}");
                if !ok && end != "</>" {
                    let e = got.unwrap_err();
                    assert_eq!(
                        (e.kind, e.offset),
                        (K::MismatchedEndTag, doc.find("</").unwrap())
                    );
                }
            }
        }
        // A name longer than the stored lengths (255 bytes): its end is found in its tag.
        let long = "n".repeat(300);
        for (end, ok) in [
            (std::format!("</{long}>"), true),
            (std::format!("</{long} >"), true),
            (std::format!("</{}>", &long[..299]), false),
            (std::format!("</{long}n>"), false),
        ] {
            let doc = std::format!("<{long} a='1'><c/>{end}");
            assert_eq!(parse(&doc).is_ok(), ok, "{end:?}");
        }
        // Nested names that share a prefix close in order.
        assert!(parse("<a:x xmlns:a='u'><a:xy><a:x/></a:xy></a:x>").is_ok());
        assert!(parse("<a:x xmlns:a='u'><a:xy></a:x></a:xy>").is_err());
    }

    /// `]]>` is refused in character data wherever it falls against the eight-byte steps, and
    /// is fine in an attribute value and as `]]` or `]>` alone.
    #[test]
    fn cdata_end_in_character_data_at_every_position() {
        for at in 0..20usize {
            let mut s = std::vec![b'z'; 24];
            s[at..at + 3].copy_from_slice(b"]]>");
            let e = check_chars::<true>(&s, 1000).unwrap_err();
            assert_eq!((e.kind, e.offset), (K::InvalidSyntax, 1000 + at), "at {at}");
            assert_eq!(check_chars::<false>(&s, 0), Ok(false));
            s[at + 1] = b'z';
            assert_eq!(check_chars::<true>(&s, 0), Ok(false), "]z> at {at}");
        }
    }

    /// The fast path of `check_no_forbidden` agrees with the byte-by-byte rule, for every
    /// byte value at every position of a step and in the tail.
    #[test]
    fn check_no_forbidden_fast_path_agrees() {
        for b in 0..=255u8 {
            for len in 1..19usize {
                for at in 0..len {
                    let mut s = std::vec![b'x'; len];
                    s[at] = b;
                    let want = (0..s.len()).find(|&i| is_forbidden_at(&s, i));
                    let got = check_no_forbidden(&s, 100).err().map(|e| e.offset - 100);
                    assert_eq!(got, want, "{b:#x} at {at} of {len}");
                }
            }
        }
        // U+FFFE/U+FFFF straddling a step, and U+FEFF (allowed) there.
        for at in 0..10 {
            let mut s = std::vec![b'y'; 16];
            s[at..at + 3].copy_from_slice(&[0xEF, 0xBF, 0xBE]);
            assert_eq!(check_no_forbidden(&s, 0).unwrap_err().offset, at);
            s[at..at + 3].copy_from_slice(&[0xEF, 0xBB, 0xBF]);
            assert!(check_no_forbidden(&s, 0).is_ok());
        }
    }
}
