//! Per-RPC enumerated string and integer values of Annex A: file types, time window
//! modes, deployment unit states and operations, transfer states, notification values.
//!
//! This module owns the *meaning* of those fields, not their XML: each type reads the
//! text (or integer) the message layer extracted and gives it back unchanged.
//!
//! # FileType numbering differs per RPC (DIGEST §12, §17.10)
//!
//! | value | [`DownloadFileType`] (Download, ScheduleDownload, T33/T63) | [`UploadFileType`] (Upload, T56) | [`TransferFileType`] (AutonomousTransferComplete, AllQueuedTransferStruct, T44/T62) | [`RequestDownloadFileType`] (T76) |
//! |---|---|---|---|---|
//! | 1 | Firmware Upgrade Image | Vendor Configuration File | Firmware Upgrade Image | Firmware Upgrade (Image) |
//! | 2 | Web Content | Vendor Log File | Web Content | Web Content |
//! | 3 | Vendor Configuration File | Vendor Configuration File `<i>` | Vendor Configuration File | Vendor Configuration File |
//! | 4 | Tone File | Vendor Log File `<i>` | Vendor Log File **and** Tone File | Tone File |
//! | 5 | Ringer File | — | Ringer File | Ringer File |
//! | 6 | Stored Firmware Image | — | Vendor Configuration File `<i>` | — |
//! | 7 | — | — | Vendor Log File `<i>` | — |
//! | 8 | — | — | Stored Firmware Image | — |
//!
//! So each RPC has its own type, and a value is never compared by its number alone.
//!
//! # Reading and writing
//!
//! * `parse` never fails: it trims XML whitespace (space, tab, CR, LF; INTEROP V4),
//!   matches the exact, case-sensitive string of the spec, and keeps anything else
//!   borrowed: `X <VENDOR> <id>` as `Vendor` (the vendor format of §A.3.2.8, \[XSD\]
//!   `X \S+ .+`), any other text as `Other`. Whether `Other` deserves fault 9003 is the
//!   caller's call.
//! * `as_str` / `Display` write the exact wire string; for `Vendor` and `Other`, the
//!   borrowed (trimmed) text. Types holding an instance number (`<i>`) have only
//!   `Display`, since their text is built.
//! * Round trip: `parse(x.to_string()) == x` for every value; the text of a parsed value
//!   is the trimmed input, except the one spelling this crate normalises
//!   (RequestDownload's `1 Firmware Upgrade`, see [`RequestDownloadFileType`]).

use core::fmt;

use crate::version::CwmpVersion;

/// Trims XML whitespace (XML 1.0 `S`: space, tab, CR, LF).
fn trim_xml(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// Splits a vendor-specific value `X <VENDOR> <Vendor-specific identifier>` (§A.3.2.8,
/// §A.4.1.8; \[XSD\] `X [0-9A-F]{6} .+` and `X \S+ .+`) into `(VENDOR, identifier)`.
///
/// `VENDOR` is an OUI or a domain name: non-empty, without whitespace. The identifier is
/// non-empty and may contain spaces. `None` if `text` does not have that shape.
pub fn split_vendor(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("X ")?;
    let (vendor, id) = rest.split_once(' ')?;
    if vendor.is_empty() || vendor.chars().any(char::is_whitespace) || id.is_empty() {
        return None;
    }
    Some((vendor, id))
}

/// Parses `[1-9][0-9]*` into a `u32` ≥ 1 (the `<i>` of the instance file types, \[XSD\]).
fn parse_instance(s: &str) -> Option<u32> {
    let bytes = s.as_bytes();
    if bytes.first().is_none_or(|&b| !(b'1'..=b'9').contains(&b)) {
        return None;
    }
    let mut value: u32 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value
            .checked_mul(10)?
            .checked_add(u32::from(b.wrapping_sub(b'0')))?;
    }
    Some(value)
}

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident<'a> {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )*
        }
        $( vendor: $vendor:ident, )?
        $( also: { $( $atext:literal => $avariant:ident, )* } )?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub enum $name<'a> {
            $( $(#[$vmeta])* $variant, )*
            $(
                /// A vendor-specific value `X <VENDOR> <id>` (the whole trimmed text; see
                /// [`split_vendor`]).
                $vendor(&'a str),
            )?
            /// Any other text (trimmed), kept as received.
            Other(&'a str),
        }

        impl<'a> $name<'a> {
            /// Every standard value, in the spec's order.
            pub const STANDARD: &'static [$name<'static>] = &[$( $name::$variant, )*];

            /// Reads the field text; never fails, never panics (see the [module docs](self)).
            pub fn parse(text: &'a str) -> Self {
                let text = trim_xml(text);
                match text {
                    $( $text => Self::$variant, )*
                    $( $( $atext => Self::$avariant, )* )?
                    _ => {
                        $( if split_vendor(text).is_some() { return Self::$vendor(text); } )?
                        Self::Other(text)
                    }
                }
            }

            /// The exact wire string.
            pub const fn as_str(&self) -> &'a str {
                match self {
                    $( Self::$variant => $text, )*
                    $( Self::$vendor(text) => text, )?
                    Self::Other(text) => text,
                }
            }

            /// Whether this is one of the spec's standard values (not vendor, not other).
            pub const fn is_standard(&self) -> bool {
                !matches!(self, Self::Other(_) $( | Self::$vendor(_) )?)
            }
        }

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'a> From<&'a str> for $name<'a> {
            fn from(text: &'a str) -> Self {
                Self::parse(text)
            }
        }
    };
}

wire_enum! {
    /// `FileType` of Download and ScheduleDownload (§A.3.2.8 Table 33, §A.4.1.8 Table 63).
    pub enum DownloadFileType<'a> {
        /// `1 Firmware Upgrade Image`.
        FirmwareUpgradeImage => "1 Firmware Upgrade Image",
        /// `2 Web Content`.
        WebContent => "2 Web Content",
        /// `3 Vendor Configuration File`.
        VendorConfigurationFile => "3 Vendor Configuration File",
        /// `4 Tone File` (TR-104 Appendix B).
        ToneFile => "4 Tone File",
        /// `5 Ringer File` (TR-104 Appendix B).
        RingerFile => "5 Ringer File",
        /// `6 Stored Firmware Image` (Appendix V: "applied" means installed, not running).
        StoredFirmwareImage => "6 Stored Firmware Image",
    }
    vendor: Vendor,
}

wire_enum! {
    /// `FileType` of RequestDownload (§A.4.2.2, Table 76), which refers to Table 33 but
    /// writes `1 Firmware Upgrade` without "Image" in its argument table.
    ///
    /// Both `1 Firmware Upgrade Image` and `1 Firmware Upgrade` parse as
    /// [`FirmwareUpgradeImage`](Self::FirmwareUpgradeImage), which is written as
    /// `1 Firmware Upgrade Image` (the \[XSD\] `DownloadFileType` spelling). Stored Firmware
    /// Image "is not applicable" to RequestDownload and parses as `Other`.
    pub enum RequestDownloadFileType<'a> {
        /// `1 Firmware Upgrade Image` (also read from `1 Firmware Upgrade`).
        FirmwareUpgradeImage => "1 Firmware Upgrade Image",
        /// `2 Web Content` (its one defined FileTypeArg is `Version`).
        WebContent => "2 Web Content",
        /// `3 Vendor Configuration File`.
        VendorConfigurationFile => "3 Vendor Configuration File",
        /// `4 Tone File`.
        ToneFile => "4 Tone File",
        /// `5 Ringer File`.
        RingerFile => "5 Ringer File",
    }
    vendor: Vendor,
    also: { "1 Firmware Upgrade" => FirmwareUpgradeImage, }
}

wire_enum! {
    /// `WindowMode` of TimeWindowStruct (§A.4.1.8, Table 65).
    pub enum WindowMode<'a> {
        /// `1 At Any Time` (MUST be supported).
        AtAnyTime => "1 At Any Time",
        /// `2 Immediately` (MUST; at the start of the window).
        Immediately => "2 Immediately",
        /// `3 When Idle` (MUST; without interrupting service).
        WhenIdle => "3 When Idle",
        /// `4 Confirmation Needed` (MAY).
        ConfirmationNeeded => "4 Confirmation Needed",
    }
    vendor: Vendor,
}

wire_enum! {
    /// `CurrentState` of OpResultStruct and AutonOpResultStruct (§A.4.2.3 Table 80,
    /// \[XSD\] `DeploymentUnitState`).
    pub enum DuState<'a> {
        /// `Installed`.
        Installed => "Installed",
        /// `Uninstalled`.
        Uninstalled => "Uninstalled",
        /// `Failed`: the Install failed and no Deployment Unit instance was created.
        Failed => "Failed",
    }
}

wire_enum! {
    /// `OperationPerformed` of AutonOpResultStruct (§A.4.2.4 Table 84; \[XSD\]
    /// `DeploymentUnitOperationType`, a union with any vendor string).
    pub enum OperationPerformed<'a> {
        /// `Install`.
        Install => "Install",
        /// `Update`.
        Update => "Update",
        /// `Uninstall`.
        Uninstall => "Uninstall",
    }
}

/// `FileType` of Upload (§A.4.1.5, Table 56).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UploadFileType<'a> {
    /// `1 Vendor Configuration File` (DEPRECATED).
    VendorConfigurationFile,
    /// `2 Vendor Log File` (DEPRECATED).
    VendorLogFile,
    /// `3 Vendor Configuration File <i>`: `<i>` is the Instance Number of the
    /// VendorConfigFile object in the root data model.
    VendorConfigurationFileInstance(u32),
    /// `4 Vendor Log File <i>`: `<i>` is the Instance Number of the VendorLogFile object.
    VendorLogFileInstance(u32),
    /// A vendor-specific value `X <VENDOR> <id>` (the whole trimmed text).
    Vendor(&'a str),
    /// Any other text (trimmed), kept as received. An `<i>` of 0, with a leading zero,
    /// or above `u32::MAX` lands here (\[XSD\] `[1-9]\d*`).
    Other(&'a str),
}

impl<'a> UploadFileType<'a> {
    /// Reads the field text; never fails, never panics (see the [module docs](self)).
    pub fn parse(text: &'a str) -> Self {
        let text = trim_xml(text);
        match text {
            "1 Vendor Configuration File" => Self::VendorConfigurationFile,
            "2 Vendor Log File" => Self::VendorLogFile,
            _ => {
                if let Some(i) = text
                    .strip_prefix("3 Vendor Configuration File ")
                    .and_then(parse_instance)
                {
                    Self::VendorConfigurationFileInstance(i)
                } else if let Some(i) = text
                    .strip_prefix("4 Vendor Log File ")
                    .and_then(parse_instance)
                {
                    Self::VendorLogFileInstance(i)
                } else if split_vendor(text).is_some() {
                    Self::Vendor(text)
                } else {
                    Self::Other(text)
                }
            }
        }
    }

    /// Whether this is one of the spec's standard values (not vendor, not other).
    pub const fn is_standard(&self) -> bool {
        !matches!(self, Self::Other(_) | Self::Vendor(_))
    }
}

impl fmt::Display for UploadFileType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::VendorConfigurationFile => f.write_str("1 Vendor Configuration File"),
            Self::VendorLogFile => f.write_str("2 Vendor Log File"),
            Self::VendorConfigurationFileInstance(i) => {
                write!(f, "3 Vendor Configuration File {i}")
            }
            Self::VendorLogFileInstance(i) => write!(f, "4 Vendor Log File {i}"),
            Self::Vendor(t) | Self::Other(t) => f.write_str(t),
        }
    }
}

/// `FileType` of AutonomousTransferComplete and AllQueuedTransferStruct (§A.3.3.3
/// Table 44, §A.4.1.7 Table 62; \[XSD\] `TransferFileType`).
///
/// Two different types share the number 4: `4 Vendor Log File` (upload, DEPRECATED) and
/// `4 Tone File` (download); they are told apart by their text only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransferFileType<'a> {
    /// `1 Firmware Upgrade Image` (download only).
    FirmwareUpgradeImage,
    /// `2 Web Content` (download only).
    WebContent,
    /// `3 Vendor Configuration File` (download, or upload DEPRECATED).
    VendorConfigurationFile,
    /// `4 Vendor Log File` (upload only, DEPRECATED).
    VendorLogFile,
    /// `4 Tone File` (download only).
    ToneFile,
    /// `5 Ringer File` (download only).
    RingerFile,
    /// `6 Vendor Configuration File <i>` (upload only).
    VendorConfigurationFileInstance(u32),
    /// `7 Vendor Log File <i>` (upload only).
    VendorLogFileInstance(u32),
    /// `8 Stored Firmware Image` (download only).
    StoredFirmwareImage,
    /// A vendor-specific value `X <VENDOR> <id>` (the whole trimmed text).
    Vendor(&'a str),
    /// Any other text (trimmed), kept as received.
    Other(&'a str),
}

impl<'a> TransferFileType<'a> {
    /// Reads the field text; never fails, never panics (see the [module docs](self)).
    pub fn parse(text: &'a str) -> Self {
        let text = trim_xml(text);
        match text {
            "1 Firmware Upgrade Image" => Self::FirmwareUpgradeImage,
            "2 Web Content" => Self::WebContent,
            "3 Vendor Configuration File" => Self::VendorConfigurationFile,
            "4 Vendor Log File" => Self::VendorLogFile,
            "4 Tone File" => Self::ToneFile,
            "5 Ringer File" => Self::RingerFile,
            "8 Stored Firmware Image" => Self::StoredFirmwareImage,
            _ => {
                if let Some(i) = text
                    .strip_prefix("6 Vendor Configuration File ")
                    .and_then(parse_instance)
                {
                    Self::VendorConfigurationFileInstance(i)
                } else if let Some(i) = text
                    .strip_prefix("7 Vendor Log File ")
                    .and_then(parse_instance)
                {
                    Self::VendorLogFileInstance(i)
                } else if split_vendor(text).is_some() {
                    Self::Vendor(text)
                } else {
                    Self::Other(text)
                }
            }
        }
    }

    /// Whether this is one of the spec's standard values (not vendor, not other).
    pub const fn is_standard(&self) -> bool {
        !matches!(self, Self::Other(_) | Self::Vendor(_))
    }

    /// For standard values, whether the type is a download (`Some(true)`) or an upload
    /// (`Some(false)`) per Table 44; `3 Vendor Configuration File` counts as a download
    /// (its upload use is DEPRECATED). `None` for vendor and other values.
    pub const fn is_download(&self) -> Option<bool> {
        match self {
            Self::FirmwareUpgradeImage
            | Self::WebContent
            | Self::VendorConfigurationFile
            | Self::ToneFile
            | Self::RingerFile
            | Self::StoredFirmwareImage => Some(true),
            Self::VendorLogFile
            | Self::VendorConfigurationFileInstance(_)
            | Self::VendorLogFileInstance(_) => Some(false),
            Self::Vendor(_) | Self::Other(_) => None,
        }
    }
}

impl fmt::Display for TransferFileType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FirmwareUpgradeImage => f.write_str("1 Firmware Upgrade Image"),
            Self::WebContent => f.write_str("2 Web Content"),
            Self::VendorConfigurationFile => f.write_str("3 Vendor Configuration File"),
            Self::VendorLogFile => f.write_str("4 Vendor Log File"),
            Self::ToneFile => f.write_str("4 Tone File"),
            Self::RingerFile => f.write_str("5 Ringer File"),
            Self::VendorConfigurationFileInstance(i) => {
                write!(f, "6 Vendor Configuration File {i}")
            }
            Self::VendorLogFileInstance(i) => write!(f, "7 Vendor Log File {i}"),
            Self::StoredFirmwareImage => f.write_str("8 Stored Firmware Image"),
            Self::Vendor(t) | Self::Other(t) => f.write_str(t),
        }
    }
}

impl<'a> From<DownloadFileType<'a>> for TransferFileType<'a> {
    /// Renumbers a Download/ScheduleDownload type for AllQueuedTransferStruct
    /// (e.g. `6 Stored Firmware Image` becomes `8 Stored Firmware Image`).
    fn from(t: DownloadFileType<'a>) -> Self {
        match t {
            DownloadFileType::FirmwareUpgradeImage => Self::FirmwareUpgradeImage,
            DownloadFileType::WebContent => Self::WebContent,
            DownloadFileType::VendorConfigurationFile => Self::VendorConfigurationFile,
            DownloadFileType::ToneFile => Self::ToneFile,
            DownloadFileType::RingerFile => Self::RingerFile,
            DownloadFileType::StoredFirmwareImage => Self::StoredFirmwareImage,
            DownloadFileType::Vendor(t) => Self::Vendor(t),
            DownloadFileType::Other(t) => Self::Other(t),
        }
    }
}

impl<'a> From<UploadFileType<'a>> for TransferFileType<'a> {
    /// Renumbers an Upload type for AllQueuedTransferStruct (e.g.
    /// `3 Vendor Configuration File 2` becomes `6 Vendor Configuration File 2`).
    fn from(t: UploadFileType<'a>) -> Self {
        match t {
            UploadFileType::VendorConfigurationFile => Self::VendorConfigurationFile,
            UploadFileType::VendorLogFile => Self::VendorLogFile,
            UploadFileType::VendorConfigurationFileInstance(i) => {
                Self::VendorConfigurationFileInstance(i)
            }
            UploadFileType::VendorLogFileInstance(i) => Self::VendorLogFileInstance(i),
            UploadFileType::Vendor(t) => Self::Vendor(t),
            UploadFileType::Other(t) => Self::Other(t),
        }
    }
}

/// `State` of QueuedTransferStruct and AllQueuedTransferStruct (§A.4.1.1 Table 48,
/// §A.4.1.7 Table 62), an `int[1:3]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransferState {
    /// 1: Not yet started.
    NotYetStarted,
    /// 2: In progress.
    InProgress,
    /// 3: Completed, finishing cleanup.
    Completed,
    /// Any other value ("reserved for future use"), kept as received.
    Reserved(i32),
}

impl TransferState {
    /// Maps the integer; never fails.
    pub const fn from_i32(value: i32) -> Self {
        match value {
            1 => Self::NotYetStarted,
            2 => Self::InProgress,
            3 => Self::Completed,
            other => Self::Reserved(other),
        }
    }

    /// The integer on the wire.
    pub const fn as_i32(self) -> i32 {
        match self {
            Self::NotYetStarted => 1,
            Self::InProgress => 2,
            Self::Completed => 3,
            Self::Reserved(v) => v,
        }
    }
}

impl From<i32> for TransferState {
    fn from(value: i32) -> Self {
        Self::from_i32(value)
    }
}

impl From<TransferState> for i32 {
    fn from(state: TransferState) -> Self {
        state.as_i32()
    }
}

impl fmt::Display for TransferState {
    /// The integer, as on the wire.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_i32(), f)
    }
}

/// `Notification` attribute value, `int[0:6]` (§A.3.2.4 Table 25, §A.3.2.5 Table 28;
/// \[XSD\] `ParameterAttributeNotificationValueType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Notification {
    /// 0: Notification off.
    Off,
    /// 1: Passive notification (value in the next Non-HEARTBEAT Inform).
    Passive,
    /// 2: Active notification (start a Session).
    Active,
    /// 3: Passive lightweight notification (CWMP 1.4, Annex M).
    PassiveLightweight,
    /// 4: Passive notification with passive lightweight notification (1 + 3).
    PassiveAndPassiveLightweight,
    /// 5: Active lightweight notification.
    ActiveLightweight,
    /// 6: Passive notification with active lightweight notification (1 + 5).
    PassiveAndActiveLightweight,
}

impl Notification {
    /// Every value, 0 to 6.
    pub const ALL: [Notification; 7] = [
        Self::Off,
        Self::Passive,
        Self::Active,
        Self::PassiveLightweight,
        Self::PassiveAndPassiveLightweight,
        Self::ActiveLightweight,
        Self::PassiveAndActiveLightweight,
    ];

    /// Maps 0..=6; `None` otherwise (outside `int[0:6]`: an invalid argument, 9003).
    pub const fn from_i32(value: i32) -> Option<Self> {
        Some(match value {
            0 => Self::Off,
            1 => Self::Passive,
            2 => Self::Active,
            3 => Self::PassiveLightweight,
            4 => Self::PassiveAndPassiveLightweight,
            5 => Self::ActiveLightweight,
            6 => Self::PassiveAndActiveLightweight,
            _ => return None,
        })
    }

    /// The integer on the wire.
    pub const fn as_i32(self) -> i32 {
        self as i32
    }

    /// Whether changes go in the Inform ParameterList passively (1, 4, 6).
    pub const fn is_passive(self) -> bool {
        matches!(
            self,
            Self::Passive | Self::PassiveAndPassiveLightweight | Self::PassiveAndActiveLightweight
        )
    }

    /// Whether a change starts a Session (2).
    pub const fn is_active(self) -> bool {
        matches!(self, Self::Active)
    }

    /// Whether changes are reported by Lightweight Notification (3 to 6, Annex M); a CPE
    /// without LWN support answers 9003 (§A.3.2.4).
    pub const fn is_lightweight(self) -> bool {
        (self as i32) >= 3
    }

    /// Whether a change sends a Lightweight Notification at once (5, 6).
    pub const fn is_active_lightweight(self) -> bool {
        matches!(
            self,
            Self::ActiveLightweight | Self::PassiveAndActiveLightweight
        )
    }

    /// The first CWMP version that defines this value: 1.0 for 0–2, 1.4 for 3–6
    /// (cwmp-1-4.xsd).
    pub const fn min_version(self) -> CwmpVersion {
        if self.is_lightweight() {
            CwmpVersion::V1_4
        } else {
            CwmpVersion::V1_0
        }
    }
}

impl From<Notification> for i32 {
    fn from(n: Notification) -> Self {
        n.as_i32()
    }
}

impl TryFrom<i32> for Notification {
    type Error = InvalidNotification;

    fn try_from(value: i32) -> Result<Self, InvalidNotification> {
        Self::from_i32(value).ok_or(InvalidNotification)
    }
}

impl fmt::Display for Notification {
    /// The integer, as on the wire.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_i32(), f)
    }
}

/// Error from `Notification::try_from(i32)`: the value is outside `int[0:6]` (§A.3.2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct InvalidNotification;

impl fmt::Display for InvalidNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Notification value outside 0..=6")
    }
}

impl core::error::Error for InvalidNotification {}

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

    #[test]
    fn download_round_trip() {
        let texts = [
            "1 Firmware Upgrade Image",
            "2 Web Content",
            "3 Vendor Configuration File",
            "4 Tone File",
            "5 Ringer File",
            "6 Stored Firmware Image",
        ];
        assert_eq!(DownloadFileType::STANDARD.len(), texts.len());
        for (t, v) in texts.iter().zip(DownloadFileType::STANDARD) {
            assert_eq!(DownloadFileType::parse(t), *v);
            assert_eq!(v.as_str(), *t);
            assert_eq!(v.to_string(), *t);
            assert!(v.is_standard());
        }
        assert_eq!(
            DownloadFileType::parse("\n  1 Firmware Upgrade Image\t"),
            DownloadFileType::FirmwareUpgradeImage
        );
        let v = DownloadFileType::parse("X 00D09E Special Image");
        assert_eq!(v, DownloadFileType::Vendor("X 00D09E Special Image"));
        assert_eq!(v.as_str(), "X 00D09E Special Image");
        assert!(!v.is_standard());
        assert_eq!(
            DownloadFileType::parse(" X acme.com fw "),
            DownloadFileType::Vendor("X acme.com fw")
        );
        for other in [
            "",
            "1 firmware upgrade image",
            "8 Stored Firmware Image",
            "X",
            "X acme",
            "X  id",
            "7 Thing",
        ] {
            let v = DownloadFileType::parse(other);
            assert_eq!(v, DownloadFileType::Other(other.trim()), "{other:?}");
            assert_eq!(v.as_str(), other.trim());
        }
    }

    #[test]
    fn request_download_spellings() {
        let texts = [
            "1 Firmware Upgrade Image",
            "2 Web Content",
            "3 Vendor Configuration File",
            "4 Tone File",
            "5 Ringer File",
        ];
        for (t, v) in texts.iter().zip(RequestDownloadFileType::STANDARD) {
            assert_eq!(RequestDownloadFileType::parse(t), *v);
            assert_eq!(v.as_str(), *t);
        }
        assert_eq!(
            RequestDownloadFileType::parse(" 1 Firmware Upgrade "),
            RequestDownloadFileType::FirmwareUpgradeImage
        );
        assert_eq!(
            RequestDownloadFileType::FirmwareUpgradeImage.as_str(),
            "1 Firmware Upgrade Image"
        );
        assert_eq!(
            RequestDownloadFileType::parse("6 Stored Firmware Image"),
            RequestDownloadFileType::Other("6 Stored Firmware Image")
        );
        assert_eq!(
            RequestDownloadFileType::parse("X ACME x"),
            RequestDownloadFileType::Vendor("X ACME x")
        );
    }

    #[test]
    fn upload_round_trip() {
        let cases = [
            (
                "1 Vendor Configuration File",
                UploadFileType::VendorConfigurationFile,
            ),
            ("2 Vendor Log File", UploadFileType::VendorLogFile),
            (
                "3 Vendor Configuration File 1",
                UploadFileType::VendorConfigurationFileInstance(1),
            ),
            (
                "3 Vendor Configuration File 4294967295",
                UploadFileType::VendorConfigurationFileInstance(u32::MAX),
            ),
            (
                "4 Vendor Log File 12",
                UploadFileType::VendorLogFileInstance(12),
            ),
            ("X 00D09E syslog", UploadFileType::Vendor("X 00D09E syslog")),
            (
                "3 Vendor Configuration File",
                UploadFileType::Other("3 Vendor Configuration File"),
            ),
            (
                "3 Vendor Configuration File 0",
                UploadFileType::Other("3 Vendor Configuration File 0"),
            ),
            (
                "3 Vendor Configuration File 01",
                UploadFileType::Other("3 Vendor Configuration File 01"),
            ),
            (
                "4 Vendor Log File 4294967296",
                UploadFileType::Other("4 Vendor Log File 4294967296"),
            ),
            (
                "4 Vendor Log File x",
                UploadFileType::Other("4 Vendor Log File x"),
            ),
            ("4 Tone File", UploadFileType::Other("4 Tone File")),
        ];
        for (t, v) in cases {
            assert_eq!(UploadFileType::parse(t), v, "{t}");
            assert_eq!(v.to_string(), t);
            let shown = v.to_string();
            assert_eq!(UploadFileType::parse(&shown), v);
        }
        assert!(UploadFileType::VendorLogFileInstance(3).is_standard());
        assert!(!UploadFileType::Other("x").is_standard());
    }

    #[test]
    fn transfer_round_trip_and_the_two_fours() {
        let cases = [
            (
                "1 Firmware Upgrade Image",
                TransferFileType::FirmwareUpgradeImage,
                Some(true),
            ),
            ("2 Web Content", TransferFileType::WebContent, Some(true)),
            (
                "3 Vendor Configuration File",
                TransferFileType::VendorConfigurationFile,
                Some(true),
            ),
            (
                "4 Vendor Log File",
                TransferFileType::VendorLogFile,
                Some(false),
            ),
            ("4 Tone File", TransferFileType::ToneFile, Some(true)),
            ("5 Ringer File", TransferFileType::RingerFile, Some(true)),
            (
                "6 Vendor Configuration File 2",
                TransferFileType::VendorConfigurationFileInstance(2),
                Some(false),
            ),
            (
                "7 Vendor Log File 9",
                TransferFileType::VendorLogFileInstance(9),
                Some(false),
            ),
            (
                "8 Stored Firmware Image",
                TransferFileType::StoredFirmwareImage,
                Some(true),
            ),
            (
                "X example.com blob",
                TransferFileType::Vendor("X example.com blob"),
                None,
            ),
            (
                "6 Stored Firmware Image",
                TransferFileType::Other("6 Stored Firmware Image"),
                None,
            ),
        ];
        for (t, v, dl) in cases {
            assert_eq!(TransferFileType::parse(t), v, "{t}");
            assert_eq!(v.to_string(), t);
            assert_eq!(v.is_download(), dl, "{t}");
        }
        assert_ne!(
            TransferFileType::parse("4 Vendor Log File"),
            TransferFileType::parse("4 Tone File")
        );
    }

    #[test]
    fn renumbering_into_transfer_types() {
        for d in DownloadFileType::STANDARD {
            let t = TransferFileType::from(*d);
            assert!(t.is_standard());
            assert_eq!(t.is_download(), Some(true));
        }
        assert_eq!(
            TransferFileType::from(DownloadFileType::StoredFirmwareImage).to_string(),
            "8 Stored Firmware Image"
        );
        assert_eq!(
            TransferFileType::from(UploadFileType::VendorConfigurationFileInstance(2)).to_string(),
            "6 Vendor Configuration File 2"
        );
        assert_eq!(
            TransferFileType::from(UploadFileType::VendorLogFileInstance(3)).to_string(),
            "7 Vendor Log File 3"
        );
        assert_eq!(
            TransferFileType::from(UploadFileType::VendorLogFile).to_string(),
            "4 Vendor Log File"
        );
        assert_eq!(
            TransferFileType::from(UploadFileType::Vendor("X A b")),
            TransferFileType::Vendor("X A b")
        );
    }

    #[test]
    fn window_modes() {
        let texts = [
            "1 At Any Time",
            "2 Immediately",
            "3 When Idle",
            "4 Confirmation Needed",
        ];
        assert_eq!(WindowMode::STANDARD.len(), 4);
        for (t, v) in texts.iter().zip(WindowMode::STANDARD) {
            assert_eq!(WindowMode::parse(t), *v);
            assert_eq!(v.as_str(), *t);
        }
        assert_eq!(
            WindowMode::parse("X 123ABC Night"),
            WindowMode::Vendor("X 123ABC Night")
        );
        assert_eq!(
            WindowMode::parse("5 Whenever"),
            WindowMode::Other("5 Whenever")
        );
    }

    #[test]
    fn du_state_and_operation() {
        for (t, v) in ["Installed", "Uninstalled", "Failed"]
            .iter()
            .zip(DuState::STANDARD)
        {
            assert_eq!(DuState::parse(t), *v);
            assert_eq!(v.to_string(), *t);
        }
        assert_eq!(DuState::parse("installed"), DuState::Other("installed"));
        assert_eq!(DuState::parse(" Failed\n"), DuState::Failed);
        for (t, v) in ["Install", "Update", "Uninstall"]
            .iter()
            .zip(OperationPerformed::STANDARD)
        {
            assert_eq!(OperationPerformed::parse(t), *v);
            assert_eq!(v.as_str(), *t);
        }
        // The XSD union admits any vendor string; no `X ` form is required.
        assert_eq!(
            OperationPerformed::parse("X_ACME_Restart"),
            OperationPerformed::Other("X_ACME_Restart")
        );
        assert_eq!(
            OperationPerformed::parse("X_ACME_Restart").as_str(),
            "X_ACME_Restart"
        );
    }

    #[test]
    fn transfer_state() {
        for (i, s) in [
            (1, TransferState::NotYetStarted),
            (2, TransferState::InProgress),
            (3, TransferState::Completed),
        ] {
            assert_eq!(TransferState::from_i32(i), s);
            assert_eq!(s.as_i32(), i);
            assert_eq!(s.to_string(), std::format!("{i}"));
        }
        for i in [0, 4, -1, i32::MIN, i32::MAX] {
            assert_eq!(TransferState::from(i), TransferState::Reserved(i));
            assert_eq!(i32::from(TransferState::Reserved(i)), i);
        }
    }

    #[test]
    fn notification_values() {
        for (i, n) in Notification::ALL.iter().enumerate() {
            let i = i as i32;
            assert_eq!(Notification::from_i32(i), Some(*n));
            assert_eq!(n.as_i32(), i);
            assert_eq!(Notification::try_from(i), Ok(*n));
            assert_eq!(n.to_string(), std::format!("{i}"));
        }
        for i in [-1, 7, i32::MAX, i32::MIN] {
            assert_eq!(Notification::from_i32(i), None);
            assert_eq!(Notification::try_from(i), Err(InvalidNotification));
        }
        use Notification::*;
        let passive: std::vec::Vec<_> = Notification::ALL
            .iter()
            .filter(|n| n.is_passive())
            .collect();
        assert_eq!(
            passive,
            [
                &Passive,
                &PassiveAndPassiveLightweight,
                &PassiveAndActiveLightweight
            ]
        );
        assert!(Active.is_active() && !Passive.is_active());
        assert!(!Active.is_lightweight() && PassiveLightweight.is_lightweight());
        assert!(
            ActiveLightweight.is_active_lightweight()
                && PassiveAndActiveLightweight.is_active_lightweight()
        );
        assert!(!PassiveAndPassiveLightweight.is_active_lightweight());
        assert_eq!(Active.min_version(), CwmpVersion::V1_0);
        assert_eq!(PassiveLightweight.min_version(), CwmpVersion::V1_4);
        assert!(!InvalidNotification.to_string().is_empty());
    }

    #[test]
    fn vendor_split() {
        assert_eq!(
            split_vendor("X 00D09E Special Image"),
            Some(("00D09E", "Special Image"))
        );
        assert_eq!(split_vendor("X acme.com a"), Some(("acme.com", "a")));
        for bad in [
            "X", "X ", "X acme", "X acme ", "X  a", "Y acme a", "x acme a",
        ] {
            assert_eq!(split_vendor(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panic_and_round_trip(s in "\\PC{0,70}") {
            let d = DownloadFileType::parse(&s);
            prop_assert_eq!(DownloadFileType::parse(d.as_str()), d);
            let r = RequestDownloadFileType::parse(&s);
            prop_assert_eq!(RequestDownloadFileType::parse(r.as_str()), r);
            let u = UploadFileType::parse(&s);
            let shown = u.to_string();
            prop_assert_eq!(UploadFileType::parse(&shown), u);
            let t = TransferFileType::parse(&s);
            let shown = t.to_string();
            prop_assert_eq!(TransferFileType::parse(&shown), t);
            let w = WindowMode::parse(&s);
            prop_assert_eq!(WindowMode::parse(w.as_str()), w);
            let st = DuState::parse(&s);
            prop_assert_eq!(DuState::parse(st.as_str()), st);
            let op = OperationPerformed::parse(&s);
            prop_assert_eq!(OperationPerformed::parse(op.as_str()), op);
        }

        #[test]
        fn instance_types_round_trip(i in 1u32.., log in any::<bool>()) {
            let u = if log { UploadFileType::VendorLogFileInstance(i) } else { UploadFileType::VendorConfigurationFileInstance(i) };
            let shown = u.to_string();
            prop_assert_eq!(UploadFileType::parse(&shown), u);
            let t = TransferFileType::from(u);
            let shown = t.to_string();
            prop_assert_eq!(TransferFileType::parse(&shown), t);
        }

        #[test]
        fn integers_round_trip(i in any::<i32>()) {
            prop_assert_eq!(TransferState::from_i32(i).as_i32(), i);
            if let Some(n) = Notification::from_i32(i) { prop_assert_eq!(n.as_i32(), i); }
        }
    }
}
