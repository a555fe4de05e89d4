//! Parameter path names (TR-069 §1.6, §A.2.2 to §A.2.4, §3.6.1, §3.6.2).
//!
//! This module owns the *syntax* of the Path Names that appear in RPC arguments
//! (`Name`, `ParameterPath`, `ParameterNames`, `ObjectName`): [`PathName`] is a validated,
//! borrowed view of one, [`Segment`] is one dot-separated part of it, and [`PathError`]
//! says why a string is not a Path Name. Whether a path *exists* in a data model is the
//! CPE's business (it answers fault 9005); this module only checks the shape.
//!
//! # Grammar accepted by [`PathName::parse`]
//!
//! ```text
//! path      = ""                                  ; the root (GPV, GPN, SPA, GPA)
//!           | segment *( "." segment ) [ "." ]    ; a trailing "." makes a Partial Path
//! segment   = name | instance | alias | "*"
//! name      = ( ALPHA / "_" ) *( ALPHA / DIGIT / "_" / "-" )   ; vendor "X_..." included
//! instance  = %x31-39 *DIGIT                      ; 1 ..= 4294967295, no leading zero
//! alias     = "[" 1*alias-char "]"                ; §A.2.2.2
//! alias-char= any character except ".", "[", "]" and control characters
//! ```
//!
//! Structure rules checked by `parse`:
//! * the first segment is a name (every data model starts with a root object name);
//! * an instance number or an instance alias follows a name, never another instance
//!   identifier (it replaces the `{i}` placeholder that follows a multi-instance object
//!   name, §A.2.2);
//! * a Parameter name (no trailing `.`) ends with a name, because instances are objects;
//! * no empty segment (`..`, a leading `.`).
//!
//! The wildcard `*` (§A.2.4) is accepted by `parse` in any position; its placement
//! rules live in [`PathName::validate_wildcards`], because only GetParameterValues,
//! GetParameterNames and GetParameterAttributes accept wildcards at all (§3.6.2).
//!
//! # Choices
//!
//! * **Instance numbers with a leading zero** (`Device.IP.Interface.01.`) are rejected:
//!   §A.2.2.1 says "a positive integer (>=1)" and every peer writes them canonically, so a
//!   rejected form cannot silently alias another instance. Values above `u32::MAX` are
//!   rejected (Instance Numbers are `unsignedInt`, T30).
//! * **Aliases** are only required by TR-069 to be non-empty (§A.2.2.2). TR-106's stricter
//!   `Alias` rules (starts with a letter, at most 64 characters) are a data-model matter
//!   and are not checked here. A `.` inside an alias would be indistinguishable from a
//!   segment separator, and `[`/`]` from the brackets, so those are refused.
//! * The 256-character limit of T17 and friends is **not** enforced here (a longer name
//!   MAY get 9003, §A.2.1); the message layer owns size limits.
//! * Names are case-sensitive (T17); no comparison here folds case.

use core::fmt;

/// A validated Parameter or Object path name, borrowing its text (TR-069 §1.6, §A.2.2).
///
/// Construct it with [`PathName::parse`]; once built, every accessor is infallible and
/// never panics. A path that ends in `.` is a Partial Path (an object, §1.6); the empty
/// path is the root of the tree, allowed by GetParameterValues, GetParameterNames,
/// SetParameterAttributes and GetParameterAttributes (§A.3.2.2 to §A.3.2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PathName<'a>(&'a str);

/// One dot-separated part of a [`PathName`] (TR-069 §A.2.2, §A.2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Segment<'a> {
    /// An object or Parameter name, e.g. `Device`, `IP`, `X_ACME_COM_Foo`.
    Name(&'a str),
    /// An Instance Number identifier, ≥ 1 (§A.2.2.1), e.g. the `1` in `Device.IP.Interface.1.`.
    Instance(u32),
    /// An Instance Alias identifier (§A.2.2.2): the text **between** the square brackets,
    /// e.g. `a` for `Device.Services.ABCService.[a].`.
    Alias(&'a str),
    /// The instance wildcard `*` (§A.2.4).
    Wildcard,
}

/// Why a string is not a valid [`PathName`], or why its wildcards are misplaced.
///
/// `offset` is the byte offset in the path text where the offending segment (or
/// character) starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PathError {
    kind: PathErrorKind,
    offset: usize,
}

/// The kind of a [`PathError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PathErrorKind {
    /// A segment is empty: a leading `.`, or `..` inside the path.
    EmptySegment,
    /// A name segment has a character outside `[A-Za-z0-9_-]`, or does not start with a
    /// letter or `_` (this includes whitespace and the `{i}` placeholder).
    InvalidName,
    /// An Instance Number is 0, has a leading zero, or does not fit in 32 bits (§A.2.2.1).
    InvalidInstanceNumber,
    /// An Instance Alias is empty, unterminated, or holds `.`, `[`, `]` or a control
    /// character (§A.2.2.2).
    InvalidAlias,
    /// An Instance Number or Instance Alias does not follow an object name (it is the
    /// first segment, or follows another instance identifier).
    MisplacedInstance,
    /// A Parameter name (no trailing `.`) ends with an instance identifier: instances are
    /// objects, and object paths end in `.` (§1.6).
    InstanceNotPartial,
    /// A wildcard is the last part of the path (§A.2.4: "MUST not be the last part").
    WildcardLast,
    /// A wildcard does not replace an instance identifier: it does not follow an object
    /// name (§A.2.4, `Device.IP.Interface.1.*.IPAddress`).
    WildcardNotInstance,
}

impl PathError {
    const fn new(kind: PathErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What went wrong.
    pub const fn kind(&self) -> PathErrorKind {
        self.kind
    }

    /// Byte offset in the path text where the offending segment starts.
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

impl PathErrorKind {
    /// A static description of the error.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::EmptySegment => "empty path segment",
            Self::InvalidName => "invalid character in path name segment",
            Self::InvalidInstanceNumber => "invalid instance number",
            Self::InvalidAlias => "invalid instance alias",
            Self::MisplacedInstance => "instance identifier does not follow an object name",
            Self::InstanceNotPartial => "path ending in an instance identifier must end in '.'",
            Self::WildcardLast => "instance wildcard is the last part of the path",
            Self::WildcardNotInstance => {
                "instance wildcard does not replace an instance identifier"
            }
        }
    }
}

impl fmt::Display for PathErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.as_str(), self.offset)
    }
}

impl core::error::Error for PathError {}

/// What kind of segment came before, for the structure rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    Start,
    Name,
    Identifier,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Parses an instance number that was already checked to be ASCII digits without a
/// leading zero. `None` on overflow or zero.
fn parse_instance(s: &str) -> Option<u32> {
    let mut value: u32 = 0;
    for b in s.bytes() {
        let digit = u32::from(b.checked_sub(b'0')?);
        if digit > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(digit)?;
    }
    if value == 0 {
        None
    } else {
        Some(value)
    }
}

/// Classifies one non-empty segment, checking its lexical syntax. `offset` is where the
/// segment starts in the whole path.
fn classify(seg: &str, offset: usize) -> Result<Segment<'_>, PathError> {
    let bytes = seg.as_bytes();
    let Some(&first) = bytes.first() else {
        return Err(PathError::new(PathErrorKind::EmptySegment, offset));
    };
    if seg == "*" {
        return Ok(Segment::Wildcard);
    }
    if first == b'[' {
        let inner = seg
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .ok_or(PathError::new(PathErrorKind::InvalidAlias, offset))?;
        if inner.is_empty()
            || inner
                .chars()
                .any(|c| c == '[' || c == ']' || c.is_control())
        {
            return Err(PathError::new(PathErrorKind::InvalidAlias, offset));
        }
        return Ok(Segment::Alias(inner));
    }
    if first.is_ascii_digit() {
        if first == b'0' || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(PathError::new(PathErrorKind::InvalidInstanceNumber, offset));
        }
        return parse_instance(seg)
            .map(Segment::Instance)
            .ok_or(PathError::new(PathErrorKind::InvalidInstanceNumber, offset));
    }
    if is_name_start(first) && bytes.iter().all(|&b| is_name_char(b)) {
        return Ok(Segment::Name(seg));
    }
    Err(PathError::new(PathErrorKind::InvalidName, offset))
}

impl<'a> PathName<'a> {
    /// The root of the tree, the empty path `""` (§A.3.2.2 to §A.3.2.5).
    pub const ROOT: PathName<'static> = PathName("");

    /// Validates `text` as a Path Name (see the [module docs](self) for the grammar).
    ///
    /// The text must already be trimmed; surrounding whitespace is an error (the XML
    /// layer trims structural fields, INTEROP V4). Never panics.
    ///
    /// # Errors
    ///
    /// A [`PathError`] with the kind and byte offset of the first bad segment.
    /// Wildcard placement is **not** checked here: call [`validate_wildcards`](Self::validate_wildcards).
    pub fn parse(text: &'a str) -> Result<Self, PathError> {
        if text.is_empty() {
            return Ok(Self(text));
        }
        let body = text.strip_suffix('.').unwrap_or(text);
        let partial = body.len() != text.len();
        let mut prev = Prev::Start;
        let mut offset = 0usize;
        let mut last = Segment::Wildcard;
        for seg in body.split('.') {
            let segment = classify(seg, offset)?;
            match segment {
                Segment::Name(_) => prev = Prev::Name,
                Segment::Instance(_) | Segment::Alias(_) => {
                    if prev != Prev::Name {
                        return Err(PathError::new(PathErrorKind::MisplacedInstance, offset));
                    }
                    prev = Prev::Identifier;
                }
                Segment::Wildcard => prev = Prev::Identifier,
            }
            last = segment;
            // `seg.len() + 1` never exceeds `text.len()`, which fits in usize.
            offset = offset.saturating_add(seg.len()).saturating_add(1);
        }
        if !partial && matches!(last, Segment::Instance(_) | Segment::Alias(_)) {
            let start = text.rfind('.').map_or(0, |i| i.saturating_add(1));
            return Err(PathError::new(PathErrorKind::InstanceNotPartial, start));
        }
        Ok(Self(text))
    }

    /// The path text, exactly as parsed.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }

    /// Whether this is the empty path, the root of the tree (§A.3.2.2 to §A.3.2.5).
    pub const fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether this names an object: a Partial Path ending in `.` (§1.6), **or the root**
    /// (which names the whole tree). `false` means a Parameter name.
    pub fn is_partial(&self) -> bool {
        self.0.is_empty() || self.0.ends_with('.')
    }

    /// The segments, first to last. The trailing `.` of a Partial Path yields nothing;
    /// the root yields no segment. Never panics.
    pub fn segments(&self) -> Segments<'a> {
        let body = self.0.strip_suffix('.').unwrap_or(self.0);
        Segments {
            rest: if body.is_empty() { None } else { Some(body) },
        }
    }

    /// Number of segments (0 for the root).
    pub fn depth(&self) -> usize {
        self.segments().count()
    }

    /// The last segment, if any (none for the root).
    pub fn last_segment(&self) -> Option<Segment<'a>> {
        self.segments().last()
    }

    /// Whether any segment is the instance wildcard `*` (§A.2.4).
    pub fn has_wildcard(&self) -> bool {
        self.segments().any(|s| s == Segment::Wildcard)
    }

    /// Whether any segment is an Instance Alias (§A.2.2.2). The ACS MUST NOT send one
    /// unless the CPE reported `AliasBasedAddressing` true (§3.6.1).
    pub fn has_alias(&self) -> bool {
        self.segments().any(|s| matches!(s, Segment::Alias(_)))
    }

    /// Checks wildcard placement per §A.2.4 (a path without `*` always passes).
    ///
    /// Rule used: every `*` must **replace an instance identifier**, read as "immediately
    /// follow an object name segment" (the position of TR-106's `{i}` placeholder), and
    /// must **not be the last part** of the path, whether or not a `.` follows it.
    /// Whether the preceding object really is multi-instance needs the data model and is
    /// the CPE's check. Examples (the spec's own A.2.4 list, repaired per DIGEST §17.24):
    /// `Device.IP.Interface.*.Status`, `Device.IP.Interface.*.IPv4Address.` and
    /// `Device.IP.Interface.*.IPv4Address.*.IPAddress` are valid;
    /// `Device.IP.Interface.*.` and `Device.IP.Interface.1.*.IPAddress` are not.
    ///
    /// # Errors
    ///
    /// [`PathErrorKind::WildcardNotInstance`] or [`PathErrorKind::WildcardLast`], with the
    /// byte offset of the offending `*`.
    pub fn validate_wildcards(&self) -> Result<(), PathError> {
        let mut prev_is_name = false;
        let mut offset = 0usize;
        let mut segments = self.segments().peekable();
        while let Some(seg) = segments.next() {
            if seg == Segment::Wildcard {
                if !prev_is_name {
                    return Err(PathError::new(PathErrorKind::WildcardNotInstance, offset));
                }
                if segments.peek().is_none() {
                    return Err(PathError::new(PathErrorKind::WildcardLast, offset));
                }
            }
            prev_is_name = matches!(seg, Segment::Name(_));
            offset = offset.saturating_add(segment_len(seg)).saturating_add(1);
        }
        Ok(())
    }

    /// The enclosing object, as a Partial Path (or the root for a top-level object such
    /// as `Device.`). `None` for the root itself.
    ///
    /// `Device.IP.Interface.1.Name` → `Device.IP.Interface.1.`;
    /// `Device.IP.Interface.1.` → `Device.IP.Interface.`; `Device.` → `""`.
    pub fn parent(&self) -> Option<PathName<'a>> {
        if self.0.is_empty() {
            return None;
        }
        let body = self.0.strip_suffix('.').unwrap_or(self.0);
        let parent = match body.rfind('.') {
            // `i` is a char boundary of an ASCII '.', so `i + 1` is one too.
            Some(i) => self.0.get(..i.saturating_add(1)).unwrap_or(""),
            None => "",
        };
        Some(PathName(parent))
    }

    /// Whether `self` lies in the subtree named by `prefix` (subtree matching for
    /// GetParameterValues / GetParameterNames / SetParameterAttributes, §A.3.2).
    ///
    /// The root contains everything; a Partial Path contains itself and everything below
    /// it; a Parameter name only "contains" itself. The comparison is literal and
    /// case-sensitive: an alias does not match an instance number and `*` only matches
    /// `*` (use [`matches`](Self::matches) for wildcard patterns).
    pub fn starts_with(&self, prefix: &PathName<'_>) -> bool {
        if prefix.is_partial() {
            self.0.starts_with(prefix.0)
        } else {
            self.0 == prefix.0
        }
    }

    /// Whether `self` is matched by `pattern`, where a `*` segment of `pattern` stands for
    /// any Instance Number or Instance Alias in `self` (§A.2.4). A Partial Path pattern
    /// matches its whole subtree (like [`starts_with`](Self::starts_with)); a Parameter
    /// pattern matches exactly one depth. Other segments compare literally.
    pub fn matches(&self, pattern: &PathName<'_>) -> bool {
        let mut mine = self.segments();
        for p in pattern.segments() {
            let Some(s) = mine.next() else {
                return false;
            };
            let ok = match p {
                Segment::Wildcard => matches!(s, Segment::Instance(_) | Segment::Alias(_)),
                Segment::Name(a) => s == Segment::Name(a),
                Segment::Instance(a) => s == Segment::Instance(a),
                Segment::Alias(a) => s == Segment::Alias(a),
            };
            if !ok {
                return false;
            }
        }
        if pattern.is_partial() {
            // Everything below a partial pattern; `Device.` also matches `Device.`.
            self.is_partial() || mine.next().is_some()
        } else {
            mine.next().is_none() && !self.is_partial()
        }
    }

    /// Whether any name segment is a vendor extension (`X_<VENDOR>_...`, TR-106 §3.3).
    pub fn has_vendor_extension(&self) -> bool {
        self.segments()
            .any(|s| matches!(s, Segment::Name(n) if n.starts_with("X_")))
    }
}

impl fmt::Display for PathName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl<'a> TryFrom<&'a str> for PathName<'a> {
    type Error = PathError;

    fn try_from(text: &'a str) -> Result<Self, PathError> {
        Self::parse(text)
    }
}

impl AsRef<str> for PathName<'_> {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// Length in bytes of a segment's text as it appears in the path.
fn segment_len(seg: Segment<'_>) -> usize {
    match seg {
        Segment::Name(n) => n.len(),
        // Digits of a u32: at most 10.
        Segment::Instance(mut i) => {
            let mut n = 1usize;
            while i >= 10 {
                i /= 10;
                n = n.saturating_add(1);
            }
            n
        }
        Segment::Alias(a) => a.len().saturating_add(2),
        Segment::Wildcard => 1,
    }
}

/// Classifies a segment of an already-validated path. Falls back to `Name` for anything
/// `classify` would reject, which cannot happen for a parsed [`PathName`].
fn classify_valid(seg: &str) -> Segment<'_> {
    classify(seg, 0).unwrap_or(Segment::Name(seg))
}

/// Iterator over the [`Segment`]s of a [`PathName`], from [`PathName::segments`].
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Segments<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for Segments<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        let rest = self.rest?;
        let (seg, tail) = match rest.split_once('.') {
            Some((seg, tail)) => (seg, Some(tail)),
            None => (rest, None),
        };
        self.rest = tail;
        Some(classify_valid(seg))
    }
}

impl core::iter::FusedIterator for Segments<'_> {}

impl fmt::Display for Segment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(n) => f.write_str(n),
            Self::Instance(i) => write!(f, "{i}"),
            Self::Alias(a) => write!(f, "[{a}]"),
            Self::Wildcard => f.write_str("*"),
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::string::{String, ToString};
    use std::vec::Vec;

    fn p(s: &str) -> PathName<'_> {
        match PathName::parse(s) {
            Ok(p) => p,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn err(s: &str) -> PathError {
        match PathName::parse(s) {
            Ok(_) => panic!("{s:?} parsed"),
            Err(e) => e,
        }
    }

    #[test]
    fn root() {
        let r = p("");
        assert!(r.is_root());
        assert!(r.is_partial());
        assert_eq!(r.segments().count(), 0);
        assert_eq!(r.parent(), None);
        assert_eq!(r, PathName::ROOT);
        assert!(r.validate_wildcards().is_ok());
    }

    #[test]
    fn spec_examples_parse() {
        // §1.6, §A.2.2.1, §A.2.2.2, §A.3.2.6, T17, §3.6.1 examples.
        for s in [
            "Device.DeviceInfo.ProvisioningCode",
            "Device.Services.ABCService.1",
            "Device.Services.ABCService.1.",
            "Device.Services.ABCService.[a].",
            "Top.Group.Object.",
            "Top.Group.Object.[a].",
            "Device.Time.NTPServer1",
            "InternetGatewayDevice.LANDevice.1.WLANConfiguration.2.SSID",
            "Device.ManagementServer.X_012345_Foo",
            "Device.X_ACME_COM_Thing.Sub-Name_2.",
            "Device.SoftwareModules.ExecEnv.1.",
        ] {
            let s = if s == "Device.Services.ABCService.1" {
                // A.2.2.1 writes it without the trailing '.', which is an object reference
                // in running text; as an RPC Path Name it needs the '.'.
                assert_eq!(err(s).kind(), PathErrorKind::InstanceNotPartial);
                continue;
            } else {
                s
            };
            let path = p(s);
            assert_eq!(path.to_string(), s);
        }
    }

    #[test]
    fn segments_iterate() {
        let path = p("Device.IP.Interface.[wan].IPv4Address.3.IPAddress");
        let segs: Vec<_> = path.segments().collect();
        assert_eq!(
            segs,
            [
                Segment::Name("Device"),
                Segment::Name("IP"),
                Segment::Name("Interface"),
                Segment::Alias("wan"),
                Segment::Name("IPv4Address"),
                Segment::Instance(3),
                Segment::Name("IPAddress"),
            ]
        );
        assert!(!path.is_partial());
        assert!(path.has_alias());
        assert!(!path.has_wildcard());
        assert_eq!(path.depth(), 7);
        assert_eq!(path.last_segment(), Some(Segment::Name("IPAddress")));
        let partial = p("Device.IP.Interface.*.");
        assert!(partial.is_partial());
        assert_eq!(partial.last_segment(), Some(Segment::Wildcard));
    }

    #[test]
    fn rejections() {
        use PathErrorKind::*;
        let cases: &[(&str, PathErrorKind, usize)] = &[
            (".", EmptySegment, 0),
            (".Device", EmptySegment, 0),
            ("Device..IP", EmptySegment, 7),
            ("Device.IP..", EmptySegment, 10),
            ("Device.IP.Interface.0.", InvalidInstanceNumber, 20),
            ("Device.IP.Interface.01.", InvalidInstanceNumber, 20),
            ("Device.IP.Interface.4294967296.", InvalidInstanceNumber, 20),
            ("Device.IP.Interface.1a.", InvalidInstanceNumber, 20),
            ("Device.IP.Interface.[].", InvalidAlias, 20),
            ("Device.IP.Interface.[a.", InvalidAlias, 20),
            ("Device.IP.Interface.[a]b.", InvalidAlias, 20),
            ("Device.IP.Interface.[a[b].", InvalidAlias, 20),
            ("Device.IP.Interface.[a\tb].", InvalidAlias, 20),
            ("Device.IP.Interface.[a.b].", InvalidAlias, 20),
            ("Device.IP.Inter face", InvalidName, 10),
            ("Device.IP.{i}.", InvalidName, 10),
            ("Device.-IP", InvalidName, 7),
            (" Device.", InvalidName, 0),
            ("Device. ", InvalidName, 7),
            ("Dévice.", InvalidName, 0),
            ("1.Device.", MisplacedInstance, 0),
            ("[a].Device.", MisplacedInstance, 0),
            ("Device.IP.Interface.1.2.", MisplacedInstance, 22),
            ("Device.IP.Interface.*.2.", MisplacedInstance, 22),
            ("Device.IP.Interface.1", InstanceNotPartial, 20),
            ("Device.IP.Interface.[a]", InstanceNotPartial, 20),
        ];
        for &(s, kind, offset) in cases {
            let e = err(s);
            assert_eq!((e.kind(), e.offset()), (kind, offset), "{s:?}");
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(
            PathName::parse("Device.IP.Interface.4294967295.")
                .ok()
                .and_then(|p| p.segments().nth(3)),
            Some(Segment::Instance(u32::MAX))
        );
    }

    #[test]
    fn wildcards_a_2_4() {
        // The spec's valid examples, repaired (DIGEST §17.24: stray spaces, IP4Address).
        for s in [
            "Device.IP.Interface.*.Status",
            "Device.IP.Interface.*.IPv4Address.",
            "Device.IP.Interface.*.IPv4Address.*.IPAddress",
        ] {
            let path = p(s);
            assert!(path.has_wildcard());
            assert_eq!(path.validate_wildcards(), Ok(()), "{s}");
        }
        // The spec's broken text, verbatim, does not even parse (space in a segment).
        assert_eq!(
            err("Device.IP.Interface.*. IP4Address.").kind(),
            PathErrorKind::InvalidName
        );
        // The spec's invalid examples.
        let e = p("Device.IP.Interface.*.").validate_wildcards();
        assert_eq!(
            e.map_err(|e| (e.kind(), e.offset())),
            Err((PathErrorKind::WildcardLast, 20))
        );
        let e = p("Device.IP.Interface.1.*.IPAddress").validate_wildcards();
        assert_eq!(
            e.map_err(|e| (e.kind(), e.offset())),
            Err((PathErrorKind::WildcardNotInstance, 22))
        );
        // More placements.
        for (s, kind) in [
            ("Device.IP.Interface.*", PathErrorKind::WildcardLast),
            ("*.IP.", PathErrorKind::WildcardNotInstance),
            ("Device.*.*.X", PathErrorKind::WildcardNotInstance),
            ("Device.IP.[a].*.X", PathErrorKind::WildcardNotInstance),
        ] {
            assert_eq!(
                p(s).validate_wildcards().map_err(|e| e.kind()),
                Err(kind),
                "{s}"
            );
        }
        assert!(p("Device.IP.Interface.1.").validate_wildcards().is_ok());
    }

    #[test]
    fn parent_chain() {
        let path = p("Device.IP.Interface.1.Name");
        let chain: Vec<String> = core::iter::successors(Some(path), |p| p.parent())
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            chain,
            [
                "Device.IP.Interface.1.Name",
                "Device.IP.Interface.1.",
                "Device.IP.Interface.",
                "Device.IP.",
                "Device.",
                ""
            ]
        );
        assert_eq!(
            p("Device.IP.Interface.[x].").parent(),
            Some(p("Device.IP.Interface."))
        );
    }

    #[test]
    fn subtree_matching() {
        let path = p("Device.IP.Interface.1.Name");
        assert!(path.starts_with(&PathName::ROOT));
        assert!(path.starts_with(&p("Device.")));
        assert!(path.starts_with(&p("Device.IP.Interface.1.")));
        assert!(path.starts_with(&p("Device.IP.Interface.1.Name")));
        assert!(!path.starts_with(&p("Device.IP.Interface.1.Nam")));
        assert!(!path.starts_with(&p("Device.IP.Interface.10.")));
        assert!(!path.starts_with(&p("Device.IP.Interface.2.")));
        assert!(!p("Device.IP.").starts_with(&p("Device.IP.Interface.")));
        assert!(p("Device.IP.").starts_with(&p("Device.IP.")));
    }

    #[test]
    fn wildcard_matching() {
        let pat = p("Device.IP.Interface.*.IPv4Address.*.IPAddress");
        assert!(p("Device.IP.Interface.1.IPv4Address.2.IPAddress").matches(&pat));
        assert!(p("Device.IP.Interface.[wan].IPv4Address.2.IPAddress").matches(&pat));
        assert!(!p("Device.IP.Interface.1.IPv4Address.2.Status").matches(&pat));
        assert!(!p("Device.IP.Interface.1.IPv4Address.2.").matches(&pat));
        let sub = p("Device.IP.Interface.*.");
        assert!(p("Device.IP.Interface.3.Status").matches(&sub));
        assert!(p("Device.IP.Interface.3.").matches(&sub));
        assert!(!p("Device.IP.Interface.").matches(&sub));
        assert!(p("Device.IP.Interface.3.Status").matches(&PathName::ROOT));
        assert!(p("Device.IP.Interface.3.Status").matches(&p("Device.IP.Interface.3.Status")));
    }

    #[test]
    fn vendor_names() {
        assert!(p("Device.X_0012AB_Box.Enable").has_vendor_extension());
        assert!(!p("Device.Box.Enable").has_vendor_extension());
    }

    fn segment_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z_][A-Za-z0-9_-]{0,8}",
            (1u32..).prop_map(|n| n.to_string()),
            "[a-z][a-z0-9-]{0,6}".prop_map(|a| std::format!("[{a}]")),
            Just(String::from("*")),
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC*") {
            if let Ok(path) = PathName::parse(&s) {
                let _ = path.validate_wildcards();
                let _ = path.segments().count();
                let _ = path.parent();
                prop_assert_eq!(path.to_string(), s.clone());
            }
        }

        #[test]
        fn path_alphabet_never_panics(s in "[A-Za-z0-9_.\\[\\]*{}-]{0,40}") {
            if let Ok(path) = PathName::parse(&s) {
                let _ = path.validate_wildcards();
                let mut cur = Some(path);
                while let Some(c) = cur { cur = c.parent(); }
                prop_assert!(path.starts_with(&PathName::ROOT));
            }
        }

        #[test]
        fn generated_paths_round_trip(
            first in "[A-Za-z_][A-Za-z0-9_-]{0,8}",
            rest in proptest::collection::vec(segment_strategy(), 0..8),
            partial in any::<bool>(),
        ) {
            // Build a structurally valid path: identifiers only after names, a Parameter
            // path ends with a name.
            let mut segs = std::vec![first];
            for s in rest {
                let is_ident = !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
                let prev_ident = segs.last().is_some_and(|p| !p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
                if is_ident && prev_ident { continue; }
                segs.push(s);
            }
            let mut text = segs.join(".");
            let last_ident = segs.last().is_some_and(|p| !p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
            if partial || last_ident { text.push('.'); }
            let path = PathName::parse(&text);
            prop_assert!(path.is_ok(), "{:?}: {:?}", text, path);
            if let Ok(path) = path {
                let shown = path.to_string();
                prop_assert_eq!(&shown, &text);
                prop_assert_eq!(PathName::parse(&shown), Ok(path));
                // Segments re-joined give back the text.
                let joined: Vec<String> = path.segments().map(|s| s.to_string()).collect();
                let mut rebuilt = joined.join(".");
                if path.is_partial() { rebuilt.push('.'); }
                prop_assert_eq!(rebuilt, text.clone());
                prop_assert_eq!(path.depth(), segs.len());
                if let Some(parent) = path.parent() {
                    prop_assert!(path.starts_with(&parent));
                    prop_assert!(parent.is_partial());
                }
            }
        }
    }
}
