//! CWMP versions, their XML namespaces, and version negotiation values
//! (TR-069 §3.7.1.1, §3.7.2.1, §3.7.4, §A.6; Tables 4, 6, 9, 11, 89).
//!
//! This module owns:
//! * [`CwmpVersion`]: the protocol versions 1.0 to 1.4, as written in the
//!   `SupportedCWMPVersions` and `UseCWMPVersion` headers (T4);
//! * [`CwmpNamespace`]: the `urn:dslforum-org:cwmp-1-x` namespaces, including the
//!   non-standard `cwmp-1-3` and `cwmp-1-4` that real peers send (INTEROP N6): decoded and
//!   reported, never emitted ([`CwmpNamespace::encoding_namespace`]);
//! * the version inference of Table 6 (CPE side) and Table 9 (ACS side);
//! * [`VersionList`]: the value of the `SupportedCWMPVersions` header, a `Copy` bit set;
//! * [`acs_choose`]: the ACS's pick of a common version (§3.7.2.1), `None` meaning
//!   fault 8006;
//! * which standard RPC methods each namespace's schema defines (DIGEST §14).
//!
//! What the session machines do with these values (aborting on a bad `UseCWMPVersion`,
//! answering 8006) lives in cwmp-core.
//!
//! Table 89: versions 1.2, 1.3 **and** 1.4 all use `urn:dslforum-org:cwmp-1-2`; 1.3 only
//! adds the `SessionTimeout` header and 1.4 the two version headers, fault 8006, event
//! `13 WAKEUP` and Notification values 3–6.

use core::fmt;

/// XML whitespace (XML 1.0 production `S`): space, tab, CR, LF.
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// A CWMP protocol version (TR-069 §A.6, Table 89). Ordered: `V1_0 < … < V1_4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CwmpVersion {
    /// CWMP 1.0 (TR-069 Issue 1), namespace `cwmp-1-0`.
    V1_0,
    /// CWMP 1.1 (TR-069 Amendment 2), namespace `cwmp-1-1`.
    V1_1,
    /// CWMP 1.2 (TR-069 Amendment 3), namespace `cwmp-1-2`.
    V1_2,
    /// CWMP 1.3 (TR-069 Amendment 4), namespace `cwmp-1-2`; adds `SessionTimeout`.
    V1_3,
    /// CWMP 1.4 (TR-069 Amendment 5 and 6), namespace `cwmp-1-2`; adds
    /// `SupportedCWMPVersions`, `UseCWMPVersion` and fault 8006.
    V1_4,
}

impl CwmpVersion {
    /// Every version this crate knows, lowest first.
    pub const ALL: [CwmpVersion; 5] = [Self::V1_0, Self::V1_1, Self::V1_2, Self::V1_3, Self::V1_4];

    /// The highest version this crate implements.
    pub const LATEST: CwmpVersion = Self::V1_4;

    /// The header text, e.g. `"1.4"` (T4).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V1_0 => "1.0",
            Self::V1_1 => "1.1",
            Self::V1_2 => "1.2",
            Self::V1_3 => "1.3",
            Self::V1_4 => "1.4",
        }
    }

    /// The minor version number (the major is always 1).
    pub const fn minor(self) -> u8 {
        self as u8
    }

    /// Parses `"1.0"` to `"1.4"`, ignoring surrounding XML whitespace (e.g. the text of a
    /// `UseCWMPVersion` header, T4). Never panics.
    ///
    /// # Errors
    ///
    /// [`VersionErrorKind::Unknown`] for a well-formed `<digits>.<digits>` that is not one
    /// of the five known versions (`1.5`, `2.0`, `1.04`), [`VersionErrorKind::Malformed`]
    /// for anything else; the offset is that of the first non-space byte.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let start = text
            .len()
            .saturating_sub(text.trim_start_matches(is_xml_space).len());
        match classify_item(text.trim_matches(is_xml_space)) {
            Item::Known(v) => Ok(v),
            Item::Unknown => Err(VersionError::new(VersionErrorKind::Unknown, start)),
            Item::Malformed => Err(VersionError::new(VersionErrorKind::Malformed, start)),
        }
    }

    /// The namespace this version's messages use (Table 89): 1.0 → `cwmp-1-0`,
    /// 1.1 → `cwmp-1-1`, 1.2, 1.3 and 1.4 → `cwmp-1-2`.
    pub const fn namespace(self) -> CwmpNamespace {
        match self {
            Self::V1_0 => CwmpNamespace::V1_0,
            Self::V1_1 => CwmpNamespace::V1_1,
            Self::V1_2 | Self::V1_3 | Self::V1_4 => CwmpNamespace::V1_2,
        }
    }

    /// Whether the `SessionTimeout` header exists in this version (1.3+, T4).
    pub const fn has_session_timeout(self) -> bool {
        self as u8 >= Self::V1_3 as u8
    }

    /// Whether the `SupportedCWMPVersions`/`UseCWMPVersion` headers exist in this version
    /// (1.4+, T4, §3.7.1.1).
    pub const fn has_version_headers(self) -> bool {
        self as u8 >= Self::V1_4 as u8
    }
}

impl fmt::Display for CwmpVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for CwmpVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        Self::parse(s)
    }
}

/// Why a version text could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct VersionError {
    kind: VersionErrorKind,
    offset: usize,
}

/// The kind of a [`VersionError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum VersionErrorKind {
    /// Not of the form `<digits>.<digits>`.
    Malformed,
    /// Well-formed, but not a version this crate knows (e.g. `1.5`).
    Unknown,
}

impl VersionError {
    const fn new(kind: VersionErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What went wrong.
    pub const fn kind(&self) -> VersionErrorKind {
        self.kind
    }

    /// Byte offset in the input where the offending version item starts.
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            VersionErrorKind::Malformed => "malformed CWMP version",
            VersionErrorKind::Unknown => "unknown CWMP version",
        };
        write!(f, "{what} at byte {}", self.offset)
    }
}

impl core::error::Error for VersionError {}

enum Item {
    Known(CwmpVersion),
    Unknown,
    Malformed,
}

fn classify_item(item: &str) -> Item {
    match item {
        "1.0" => Item::Known(CwmpVersion::V1_0),
        "1.1" => Item::Known(CwmpVersion::V1_1),
        "1.2" => Item::Known(CwmpVersion::V1_2),
        "1.3" => Item::Known(CwmpVersion::V1_3),
        "1.4" => Item::Known(CwmpVersion::V1_4),
        _ => match item.split_once('.') {
            Some((major, minor))
                if !major.is_empty()
                    && !minor.is_empty()
                    && major.bytes().all(|b| b.is_ascii_digit())
                    && minor.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Item::Unknown
            }
            _ => Item::Malformed,
        },
    }
}

/// A CWMP XML namespace, as seen on the wire (TR-069 Table 89, INTEROP N6).
///
/// The standard ones are `urn:dslforum-org:cwmp-1-0`, `-1-1` and `-1-2`. Some peers send
/// `-1-3` or `-1-4`, which no schema defines: they are decoded so the caller can report
/// what was seen, treated as `cwmp-1-2` everywhere, and never emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CwmpNamespace {
    /// `urn:dslforum-org:cwmp-1-0` (CWMP 1.0).
    V1_0,
    /// `urn:dslforum-org:cwmp-1-1` (CWMP 1.1).
    V1_1,
    /// `urn:dslforum-org:cwmp-1-2` (CWMP 1.2, 1.3 and 1.4).
    V1_2,
    /// `urn:dslforum-org:cwmp-1-3`: not defined by TR-069; read as `cwmp-1-2`.
    V1_3NonStandard,
    /// `urn:dslforum-org:cwmp-1-4`: not defined by TR-069; read as `cwmp-1-2`.
    V1_4NonStandard,
}

/// Standard RPC methods defined in the `cwmp-1-0` schema (both directions).
const METHODS_1_0: &[&str] = &[
    "GetRPCMethods",
    "SetParameterValues",
    "GetParameterValues",
    "GetParameterNames",
    "SetParameterAttributes",
    "GetParameterAttributes",
    "AddObject",
    "DeleteObject",
    "Reboot",
    "Download",
    "Upload",
    "FactoryReset",
    "GetQueuedTransfers",
    "ScheduleInform",
    "SetVouchers",
    "GetOptions",
    "Inform",
    "TransferComplete",
    "RequestDownload",
    "Kicked",
];

/// Methods the `cwmp-1-1` schema adds.
const METHODS_1_1: &[&str] = &["GetAllQueuedTransfers", "AutonomousTransferComplete"];

/// Methods the `cwmp-1-2` schema adds (1-3 and 1-4 add none).
const METHODS_1_2: &[&str] = &[
    "ScheduleDownload",
    "CancelTransfer",
    "ChangeDUState",
    "DUStateChangeComplete",
    "AutonomousDUStateChangeComplete",
];

impl CwmpNamespace {
    /// The namespace URI, exactly as it appears in `xmlns:cwmp="…"`.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::V1_0 => "urn:dslforum-org:cwmp-1-0",
            Self::V1_1 => "urn:dslforum-org:cwmp-1-1",
            Self::V1_2 => "urn:dslforum-org:cwmp-1-2",
            Self::V1_3NonStandard => "urn:dslforum-org:cwmp-1-3",
            Self::V1_4NonStandard => "urn:dslforum-org:cwmp-1-4",
        }
    }

    /// Recognises a namespace URI (compared byte for byte, as XML Namespaces requires).
    /// `None` for any other URI. Never panics.
    pub fn from_uri(uri: &[u8]) -> Option<Self> {
        match uri {
            b"urn:dslforum-org:cwmp-1-0" => Some(Self::V1_0),
            b"urn:dslforum-org:cwmp-1-1" => Some(Self::V1_1),
            b"urn:dslforum-org:cwmp-1-2" => Some(Self::V1_2),
            b"urn:dslforum-org:cwmp-1-3" => Some(Self::V1_3NonStandard),
            b"urn:dslforum-org:cwmp-1-4" => Some(Self::V1_4NonStandard),
            _ => None,
        }
    }

    /// Whether TR-069 defines this namespace (Table 89).
    pub const fn is_standard(self) -> bool {
        matches!(self, Self::V1_0 | Self::V1_1 | Self::V1_2)
    }

    /// The namespace to emit in its place: itself if standard, `cwmp-1-2` for the
    /// non-standard `cwmp-1-3`/`cwmp-1-4` (INTEROP N6: never emit those).
    pub const fn encoding_namespace(self) -> Self {
        match self {
            Self::V1_0 => Self::V1_0,
            Self::V1_1 => Self::V1_1,
            Self::V1_2 | Self::V1_3NonStandard | Self::V1_4NonStandard => Self::V1_2,
        }
    }

    /// The version a CPE infers from the namespace of an InformResponse without
    /// `UseCWMPVersion` (§3.7.1.1, Table 6): 1-0 → 1.0, 1-1 → 1.1, 1-2 → 1.2 (the CPE
    /// cannot tell 1.3 apart). Non-standard namespaces are read as `cwmp-1-2`.
    pub const fn implied_version_for_cpe(self) -> CwmpVersion {
        match self.encoding_namespace() {
            Self::V1_0 => CwmpVersion::V1_0,
            Self::V1_1 => CwmpVersion::V1_1,
            _ => CwmpVersion::V1_2,
        }
    }

    /// The version an ACS infers from the namespace of an Inform without
    /// `SupportedCWMPVersions` (§3.7.2.1, Table 9): 1-0 → 1.0, 1-1 → 1.1, 1-2 → 1.2, or
    /// 1.3 if the envelope carried a `SessionTimeout` header. Non-standard namespaces are
    /// read as `cwmp-1-2`.
    pub const fn implied_version_for_acs(self, has_session_timeout: bool) -> CwmpVersion {
        match self.encoding_namespace() {
            Self::V1_0 => CwmpVersion::V1_0,
            Self::V1_1 => CwmpVersion::V1_1,
            _ if has_session_timeout => CwmpVersion::V1_3,
            _ => CwmpVersion::V1_2,
        }
    }

    /// 0, 1 or 2: the schema generation, for ordering.
    const fn level(self) -> u8 {
        match self.encoding_namespace() {
            Self::V1_0 => 0,
            Self::V1_1 => 1,
            _ => 2,
        }
    }

    /// The namespace whose schema first defines the standard RPC method `name` (or its
    /// `…Response`), per DIGEST §14: `cwmp-1-1` added GetAllQueuedTransfers and
    /// AutonomousTransferComplete; `cwmp-1-2` added ScheduleDownload, CancelTransfer,
    /// ChangeDUState, DUStateChangeComplete and AutonomousDUStateChangeComplete; every
    /// other standard method is in `cwmp-1-0`. `None` for vendor (`X_…`) and unknown names.
    pub fn method_introduced_in(name: &str) -> Option<Self> {
        let base = name.strip_suffix("Response").unwrap_or(name);
        if METHODS_1_0.contains(&base) {
            Some(Self::V1_0)
        } else if METHODS_1_1.contains(&base) {
            Some(Self::V1_1)
        } else if METHODS_1_2.contains(&base) {
            Some(Self::V1_2)
        } else {
            None
        }
    }

    /// Whether this namespace's schema defines the standard RPC method `name` (request,
    /// or `…Response`). `false` for vendor methods (`X_…`) and unknown names, which no
    /// schema defines. The prose forbids features incompatible with the negotiated
    /// version (§3.7.1.1); the schema contents are the only feature table (DIGEST §14).
    pub fn supports_method(self, name: &str) -> bool {
        match Self::method_introduced_in(name) {
            Some(ns) => ns.level() <= self.level(),
            None => false,
        }
    }
}

impl fmt::Display for CwmpNamespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.uri())
    }
}

/// A set of CWMP versions: the value of the `SupportedCWMPVersions` header (T4,
/// §3.7.1.1), e.g. `1.0,1.1,1.2,1.3,1.4`.
///
/// A `Copy` bit set of the five known versions, plus a flag saying whether the parsed
/// text also named versions this crate does not know ([`has_unknown`](Self::has_unknown)).
/// Unknown versions are never written back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct VersionList {
    bits: u8,
    unknown: bool,
}

const fn bit(v: CwmpVersion) -> u8 {
    1u8 << (v as u8)
}

impl VersionList {
    /// No version.
    pub const EMPTY: Self = Self {
        bits: 0,
        unknown: false,
    };

    /// Every version from 1.0 to 1.4: what a 1.4 CPE supporting everything sends.
    pub const ALL: Self = Self::up_to(CwmpVersion::V1_4);

    /// Exactly one version.
    pub const fn single(v: CwmpVersion) -> Self {
        Self {
            bits: bit(v),
            unknown: false,
        }
    }

    /// Every version from 1.0 up to and including `v`.
    pub const fn up_to(v: CwmpVersion) -> Self {
        // `v as u8` ≤ 4, so the shift and subtraction are in range.
        let above = 2u8 << (v as u8);
        Self {
            bits: above.wrapping_sub(1),
            unknown: false,
        }
    }

    /// This set plus `v`.
    #[must_use]
    pub const fn with(self, v: CwmpVersion) -> Self {
        Self {
            bits: self.bits | bit(v),
            unknown: self.unknown,
        }
    }

    /// Adds `v`.
    pub fn insert(&mut self, v: CwmpVersion) {
        self.bits |= bit(v);
    }

    /// Removes `v`.
    pub fn remove(&mut self, v: CwmpVersion) {
        self.bits &= !bit(v);
    }

    /// Whether `v` is in the set. A CPE MUST abort when `UseCWMPVersion` names a version
    /// it did not send (§3.7.1.1).
    pub const fn contains(self, v: CwmpVersion) -> bool {
        self.bits & bit(v) != 0
    }

    /// Whether no known version is in the set.
    pub const fn is_empty(self) -> bool {
        self.bits == 0
    }

    /// Number of known versions in the set.
    pub const fn len(self) -> usize {
        self.bits.count_ones() as usize
    }

    /// Whether the parsed text named versions this crate does not know (e.g. `1.5`, `2.0`),
    /// which were ignored.
    pub const fn has_unknown(self) -> bool {
        self.unknown
    }

    /// The versions in both sets (the unknown flag is cleared).
    #[must_use]
    pub const fn intersection(self, other: Self) -> Self {
        Self {
            bits: self.bits & other.bits,
            unknown: false,
        }
    }

    /// The highest version in the set.
    pub fn highest(self) -> Option<CwmpVersion> {
        self.iter().next_back()
    }

    /// The lowest version in the set.
    pub fn lowest(self) -> Option<CwmpVersion> {
        self.iter().next()
    }

    /// The versions in the set, lowest first.
    pub fn iter(self) -> VersionIter {
        VersionIter {
            bits: self.bits,
            front: 0,
            back: 5,
        }
    }

    /// Parses a `SupportedCWMPVersions` value (T4). Never panics.
    ///
    /// Tolerant reading, each choice deliberate:
    /// * items are separated by `,`; XML whitespace around the whole value and around each
    ///   item is ignored (DIGEST §17.21);
    /// * **empty items are skipped** (`1.0,,1.2`, a trailing comma, an empty value): they
    ///   carry no version, and rejecting them would only lose the valid ones;
    /// * a well-formed `<digits>.<digits>` this crate does not know (`1.5`, `2.0`) is
    ///   ignored and sets [`has_unknown`](Self::has_unknown);
    /// * duplicates are harmless.
    ///
    /// An empty result is `Ok`; [`acs_choose`] then finds no common version (fault 8006).
    ///
    /// # Errors
    ///
    /// [`VersionErrorKind::Malformed`] for an item that is not `<digits>.<digits>` (e.g.
    /// `1`, `v1.4`, `1.4 1.3`), with the byte offset where the item starts.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let mut list = Self::EMPTY;
        let mut offset = 0usize;
        for raw in text.split(',') {
            let lead = raw
                .len()
                .saturating_sub(raw.trim_start_matches(is_xml_space).len());
            let item = raw.trim_matches(is_xml_space);
            if !item.is_empty() {
                match classify_item(item) {
                    Item::Known(v) => list.insert(v),
                    Item::Unknown => list.unknown = true,
                    Item::Malformed => {
                        return Err(VersionError::new(
                            VersionErrorKind::Malformed,
                            offset.saturating_add(lead),
                        ))
                    }
                }
            }
            offset = offset.saturating_add(raw.len()).saturating_add(1);
        }
        Ok(list)
    }
}

impl fmt::Display for VersionList {
    /// Writes the known versions, lowest first, comma-separated without spaces
    /// (`1.0,1.1,1.2,1.3,1.4`); nothing for an empty set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.iter().enumerate() {
            if i != 0 {
                f.write_str(",")?;
            }
            f.write_str(v.as_str())?;
        }
        Ok(())
    }
}

impl FromIterator<CwmpVersion> for VersionList {
    fn from_iter<I: IntoIterator<Item = CwmpVersion>>(iter: I) -> Self {
        let mut list = Self::EMPTY;
        for v in iter {
            list.insert(v);
        }
        list
    }
}

impl IntoIterator for VersionList {
    type Item = CwmpVersion;
    type IntoIter = VersionIter;

    fn into_iter(self) -> VersionIter {
        self.iter()
    }
}

/// Iterator over a [`VersionList`], lowest first; from [`VersionList::iter`].
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct VersionIter {
    bits: u8,
    front: u8,
    back: u8,
}

fn version_at(i: u8) -> Option<CwmpVersion> {
    CwmpVersion::ALL.get(usize::from(i)).copied()
}

impl Iterator for VersionIter {
    type Item = CwmpVersion;

    fn next(&mut self) -> Option<CwmpVersion> {
        while self.front < self.back {
            let i = self.front;
            self.front = self.front.saturating_add(1);
            if self.bits & (1u8 << (i & 7)) != 0 {
                return version_at(i);
            }
        }
        None
    }
}

impl DoubleEndedIterator for VersionIter {
    fn next_back(&mut self) -> Option<CwmpVersion> {
        while self.front < self.back {
            self.back = self.back.saturating_sub(1);
            let i = self.back;
            if self.bits & (1u8 << (i & 7)) != 0 {
                return version_at(i);
            }
        }
        None
    }
}

impl core::iter::FusedIterator for VersionIter {}

/// The ACS's choice when an Inform carries `SupportedCWMPVersions` (§3.7.2.1): the
/// highest version in both the CPE's list and the ACS's own. The spec leaves the
/// selection logic open (T11); "highest common" is this crate's policy.
///
/// `None` means no common version: the ACS answers the Inform with fault **8006**
/// ([`FaultCode::ACS_VERSION_INCOMPATIBLE`](crate::fault::FaultCode::ACS_VERSION_INCOMPATIBLE)).
pub fn acs_choose(cpe: VersionList, acs: VersionList) -> Option<CwmpVersion> {
    cpe.intersection(acs).highest()
}

#[cfg(test)]
#[allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::string::ToString;
    use std::vec::Vec;
    use CwmpVersion::*;

    #[test]
    fn version_text() {
        for v in CwmpVersion::ALL {
            assert_eq!(CwmpVersion::parse(v.as_str()), Ok(v));
            assert_eq!(v.to_string().parse::<CwmpVersion>(), Ok(v));
        }
        assert_eq!(CwmpVersion::parse(" 1.3\n"), Ok(V1_3));
        assert_eq!(
            CwmpVersion::parse("1.5").map_err(|e| e.kind()),
            Err(VersionErrorKind::Unknown)
        );
        assert_eq!(
            CwmpVersion::parse("2.0").map_err(|e| e.kind()),
            Err(VersionErrorKind::Unknown)
        );
        let e = CwmpVersion::parse("  x").unwrap_err();
        assert_eq!((e.kind(), e.offset()), (VersionErrorKind::Malformed, 2));
        for bad in ["", "1", "1.", ".4", "1.4a", "v1.4", "1,4"] {
            assert_eq!(
                CwmpVersion::parse(bad).map_err(|e| e.kind()),
                Err(VersionErrorKind::Malformed),
                "{bad}"
            );
        }
        assert!(V1_0 < V1_4 && V1_2 < V1_3);
        assert!(V1_3.has_session_timeout() && !V1_2.has_session_timeout());
        assert!(V1_4.has_version_headers() && !V1_3.has_version_headers());
        assert_eq!(V1_4.minor(), 4);
    }

    #[test]
    fn namespaces_table_89() {
        assert_eq!(V1_0.namespace(), CwmpNamespace::V1_0);
        assert_eq!(V1_1.namespace(), CwmpNamespace::V1_1);
        for v in [V1_2, V1_3, V1_4] {
            assert_eq!(v.namespace(), CwmpNamespace::V1_2);
            assert_eq!(v.namespace().uri(), "urn:dslforum-org:cwmp-1-2");
        }
        for ns in [
            CwmpNamespace::V1_0,
            CwmpNamespace::V1_1,
            CwmpNamespace::V1_2,
            CwmpNamespace::V1_3NonStandard,
            CwmpNamespace::V1_4NonStandard,
        ] {
            assert_eq!(CwmpNamespace::from_uri(ns.uri().as_bytes()), Some(ns));
            assert_eq!(ns.to_string(), ns.uri());
            assert!(ns.encoding_namespace().is_standard());
            assert_eq!(ns.is_standard(), ns.encoding_namespace() == ns);
        }
        assert_eq!(
            CwmpNamespace::V1_4NonStandard.encoding_namespace(),
            CwmpNamespace::V1_2
        );
        for bad in [
            &b""[..],
            b"urn:dslforum-org:cwmp-1-5",
            b"urn:dslforum-org:cwmp-1-2 ",
            b"URN:DSLFORUM-ORG:CWMP-1-2",
        ] {
            assert_eq!(CwmpNamespace::from_uri(bad), None);
        }
    }

    #[test]
    fn inference_tables_6_and_9() {
        use CwmpNamespace as N;
        // Table 6 (CPE).
        assert_eq!(N::V1_0.implied_version_for_cpe(), V1_0);
        assert_eq!(N::V1_1.implied_version_for_cpe(), V1_1);
        assert_eq!(N::V1_2.implied_version_for_cpe(), V1_2);
        assert_eq!(N::V1_3NonStandard.implied_version_for_cpe(), V1_2);
        assert_eq!(N::V1_4NonStandard.implied_version_for_cpe(), V1_2);
        // Table 9 (ACS).
        for st in [false, true] {
            assert_eq!(N::V1_0.implied_version_for_acs(st), V1_0);
            assert_eq!(N::V1_1.implied_version_for_acs(st), V1_1);
        }
        assert_eq!(N::V1_2.implied_version_for_acs(false), V1_2);
        assert_eq!(N::V1_2.implied_version_for_acs(true), V1_3);
        assert_eq!(N::V1_4NonStandard.implied_version_for_acs(true), V1_3);
    }

    /// Table 11 (DIGEST §8.7): every cell. The CPE of version `c` supports 1.0..=c and
    /// sends SessionTimeout when it can; the ACS of version `a` supports 1.0..=a.
    /// Returns (version the ACS uses, version the CPE uses).
    fn negotiate(a: CwmpVersion, c: CwmpVersion) -> (CwmpVersion, CwmpVersion) {
        let inform_ns = c.namespace();
        let cpe_list = VersionList::up_to(c);
        let header = c
            .has_version_headers()
            .then(|| VersionList::parse(&cpe_list.to_string()).unwrap());
        if let (Some(list), true) = (header, a.has_version_headers()) {
            // 1.4 ACS: picks and sends UseCWMPVersion; the CPE checks it was offered.
            let used = acs_choose(list, VersionList::up_to(a)).expect("8006");
            assert!(cpe_list.contains(used));
            return (used, used);
        }
        // No header, or the ACS ignores it: infer from the Inform namespace (Table 9).
        let inferred = inform_ns.implied_version_for_acs(c.has_session_timeout());
        let used = core::cmp::min(inferred, a);
        // The CPE infers from the InformResponse namespace (Table 6).
        (used, used.namespace().implied_version_for_cpe())
    }

    #[test]
    fn table_11_cells() {
        for a in CwmpVersion::ALL {
            for c in CwmpVersion::ALL {
                let expected = match (a, c) {
                    (V1_0, _) | (_, V1_0) => V1_0,
                    // 1.1–1.3 ACS: min(CPE, ACS); with a 1.4 CPE: the ACS version.
                    (V1_1 | V1_2 | V1_3, _) => core::cmp::min(a, c),
                    // 1.4 ACS with a 1.1–1.3 CPE: the CPE version.
                    (V1_4, V1_1 | V1_2 | V1_3) => c,
                    // Both 1.4: the ACS's pick from SupportedCWMPVersions.
                    (V1_4, V1_4) => V1_4,
                };
                let (acs_uses, cpe_uses) = negotiate(a, c);
                assert_eq!(acs_uses, expected, "ACS {a} CPE {c}");
                // The CPE cannot tell 1.3 from 1.2 without UseCWMPVersion (Table 6).
                let cpe_expected =
                    if expected == V1_3 && !(a.has_version_headers() && c.has_version_headers()) {
                        V1_2
                    } else {
                        expected
                    };
                assert_eq!(cpe_uses, cpe_expected, "ACS {a} CPE {c}");
            }
        }
    }

    #[test]
    fn acs_choose_and_8006() {
        let cpe = VersionList::parse("1.0,1.1,1.2,1.3,1.4").unwrap();
        assert_eq!(acs_choose(cpe, VersionList::up_to(V1_2)), Some(V1_2));
        assert_eq!(
            acs_choose(VersionList::single(V1_4), VersionList::up_to(V1_3)),
            None
        );
        assert_eq!(acs_choose(VersionList::EMPTY, VersionList::ALL), None);
        let odd = VersionList::single(V1_0).with(V1_4);
        assert_eq!(acs_choose(odd, VersionList::up_to(V1_3)), Some(V1_0));
    }

    #[test]
    fn version_list_parse() {
        let all = VersionList::parse("1.0,1.1,1.2,1.3,1.4").unwrap();
        assert_eq!(all, VersionList::ALL);
        assert_eq!(all.to_string(), "1.0,1.1,1.2,1.3,1.4");
        assert_eq!(all.len(), 5);
        assert_eq!(all.highest(), Some(V1_4));
        assert_eq!(all.lowest(), Some(V1_0));
        let spaced = VersionList::parse(" 1.0, 1.2 ,\t1.4\n").unwrap();
        assert_eq!(spaced.iter().collect::<Vec<_>>(), [V1_0, V1_2, V1_4]);
        assert_eq!(spaced.iter().rev().collect::<Vec<_>>(), [V1_4, V1_2, V1_0]);
        assert_eq!(spaced.to_string(), "1.0,1.2,1.4");
        assert!(!spaced.has_unknown());
        let future = VersionList::parse("1.4,1.5,2.0").unwrap();
        assert!(future.has_unknown());
        assert_eq!(future.to_string(), "1.4");
        assert_eq!(future.highest(), Some(V1_4));
        let only_future = VersionList::parse("2.0").unwrap();
        assert!(only_future.is_empty() && only_future.has_unknown());
        assert_eq!(only_future.highest(), None);
        assert_eq!(VersionList::parse("").unwrap(), VersionList::EMPTY);
        assert_eq!(VersionList::parse(" , ,").unwrap(), VersionList::EMPTY);
        assert_eq!(
            VersionList::parse("1.4,,1.3,").unwrap(),
            VersionList::single(V1_3).with(V1_4)
        );
        assert_eq!(
            VersionList::parse("1.4,1.4").unwrap(),
            VersionList::single(V1_4)
        );
        for (bad, off) in [("1.0,x", 4), ("1.0, 1", 5), ("1.4 1.3", 0), ("1.0,v1.4", 4)] {
            let e = VersionList::parse(bad).unwrap_err();
            assert_eq!(
                (e.kind(), e.offset()),
                (VersionErrorKind::Malformed, off),
                "{bad}"
            );
        }
        assert_eq!(VersionList::EMPTY.to_string(), "");
        assert_eq!(VersionList::up_to(V1_0), VersionList::single(V1_0));
        assert_eq!(VersionList::up_to(V1_2).to_string(), "1.0,1.1,1.2");
        let mut l = VersionList::ALL;
        l.remove(V1_1);
        assert!(!l.contains(V1_1) && l.contains(V1_2));
        assert_eq!(l.into_iter().collect::<VersionList>(), l);
    }

    #[test]
    fn method_availability_by_namespace() {
        use CwmpNamespace as N;
        for m in METHODS_1_0 {
            for ns in [N::V1_0, N::V1_1, N::V1_2, N::V1_3NonStandard] {
                assert!(ns.supports_method(m), "{m}");
            }
        }
        for m in [
            "GetAllQueuedTransfers",
            "AutonomousTransferCompleteResponse",
        ] {
            assert!(!N::V1_0.supports_method(m));
            assert!(N::V1_1.supports_method(m));
            assert!(N::V1_2.supports_method(m));
        }
        for m in METHODS_1_2 {
            assert!(!N::V1_0.supports_method(m));
            assert!(!N::V1_1.supports_method(m));
            assert!(N::V1_2.supports_method(m));
            assert!(N::V1_4NonStandard.supports_method(m));
        }
        assert!(N::V1_0.supports_method("InformResponse"));
        assert_eq!(
            N::method_introduced_in("ChangeDUStateResponse"),
            Some(N::V1_2)
        );
        for m in [
            "X_ACME_COM_Foo",
            "",
            "Response",
            "inform",
            "Fault",
            "NoMoreRequests",
        ] {
            assert!(!N::V1_2.supports_method(m), "{m}");
            assert_eq!(N::method_introduced_in(m), None);
        }
    }

    proptest! {
        #[test]
        fn version_list_never_panics(s in "\\PC*") {
            if let Ok(l) = VersionList::parse(&s) {
                let shown = l.to_string();
                let again = VersionList::parse(&shown).unwrap();
                prop_assert_eq!(again.iter().collect::<Vec<_>>(), l.iter().collect::<Vec<_>>());
            }
        }

        #[test]
        fn version_list_alphabet(s in "[0-9., \t]{0,30}") {
            let _ = VersionList::parse(&s);
            let _ = CwmpVersion::parse(&s);
        }

        #[test]
        fn version_list_round_trip(bits in 0u8..32) {
            let l: VersionList = CwmpVersion::ALL.iter().copied().filter(|v| bits & (1 << (*v as u8)) != 0).collect();
            prop_assert_eq!(VersionList::parse(&l.to_string()).unwrap(), l);
            prop_assert_eq!(l.len(), bits.count_ones() as usize);
        }
    }
}
