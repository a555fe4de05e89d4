//! Inform event codes (§3.7.1.5, Table 8) and their delivery properties.
//!
//! [`EventCode`] borrows the code from a message; [`StoredEventCode`] owns it, for the CPE's event
//! queue and its persistent record. Both carry the Table 8 columns as methods:
//! [`EventCode::is_multiple`] (Cumulative Behavior), [`EventCode::confirmed_by`] (the response that
//! counts as delivery) and [`EventCode::retry_policy`] (the Retry/Discard Policy).
//!
//! Syntax follows the `EventCodeType` schema pattern (cwmp-1-2.xsd and later, §A.6): at most 64
//! characters matching `\d+( \S+)+`, `M \S+`, `X \S+ .+`. Matching is exact and case-sensitive
//! (§A.3.3.1, Table 40) after trimming surrounding XML whitespace. A code the schema allows but
//! Table 8 does not define is kept as [`EventCode::Unknown`]; an ACS MUST ignore it (§3.7.2.1).

use core::fmt;

/// Longest event code, in characters (§A.3.3.1, Table 40: `EventCode` string(64)).
pub const EVENT_CODE_MAX_LEN: usize = 64;

/// An Inform event code (§3.7.1.5, Table 8), borrowing vendor and unknown codes from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EventCode<'a> {
    /// `0 BOOTSTRAP`: first contact after factory, factory reset, or an ACS URL change.
    Bootstrap,
    /// `1 BOOT`: power-up or reset, Reboot RPC included.
    Boot,
    /// `2 PERIODIC`: PeriodicInformInterval elapsed.
    Periodic,
    /// `3 SCHEDULED`: a ScheduleInform came due (with `M ScheduleInform`).
    Scheduled,
    /// `4 VALUE CHANGE`: a notified Parameter changed.
    ValueChange,
    /// `5 KICKED` (DEPRECATED): Session opened for Kicked (Annex D).
    Kicked,
    /// `6 CONNECTION REQUEST`: Session opened because of a Connection Request.
    ConnectionRequest,
    /// `7 TRANSFER COMPLETE`: a requested transfer finished; TransferComplete follows.
    TransferComplete,
    /// `8 DIAGNOSTICS COMPLETE`: an ACS-initiated diagnostic finished.
    DiagnosticsComplete,
    /// `9 REQUEST DOWNLOAD`: Session opened to call RequestDownload.
    RequestDownload,
    /// `10 AUTONOMOUS TRANSFER COMPLETE`: an autonomous transfer finished.
    AutonomousTransferComplete,
    /// `11 DU STATE CHANGE COMPLETE`: a requested DU change finished.
    DuStateChangeComplete,
    /// `12 AUTONOMOUS DU STATE CHANGE COMPLETE`: an autonomous DU change finished.
    AutonomousDuStateChangeComplete,
    /// `13 WAKEUP`: woke from standby (Annex L).
    Wakeup,
    /// `14 HEARTBEAT`: the heartbeat policy fired (Annex O).
    Heartbeat,
    /// `M Reboot`: the Reboot RPC caused the reboot.
    MReboot,
    /// `M ScheduleInform`: a requested scheduled Inform.
    MScheduleInform,
    /// `M Download`: a Download finished.
    MDownload,
    /// `M ScheduleDownload`: a ScheduleDownload finished.
    MScheduleDownload,
    /// `M Upload`: an Upload finished.
    MUpload,
    /// `M ChangeDUState`: a ChangeDUState finished.
    MChangeDuState,
    /// `M X_<VENDOR>_<Method>`: a vendor method finished. Holds the whole code, `M ` included;
    /// see [`EventCode::vendor_method`].
    MVendor(&'a str),
    /// `X <VENDOR> <event>`: a vendor event. Holds the whole code, `X ` included.
    Vendor(&'a str),
    /// Any other code the schema allows (for example a code from a later amendment). Holds the whole
    /// code. An ACS MUST ignore codes it does not recognise (§3.7.2.1).
    Unknown(&'a str),
}

/// The response that confirms delivery of an event (§3.7.1.5, Table 8 "Confirmed by").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ConfirmedBy {
    /// The InformResponse of the Session.
    InformResponse,
    /// A TransferCompleteResponse (`7`, `M Download`, `M ScheduleDownload`, `M Upload`).
    TransferCompleteResponse,
    /// A KickedResponse (`5 KICKED`).
    KickedResponse,
    /// A RequestDownloadResponse (`9 REQUEST DOWNLOAD`).
    RequestDownloadResponse,
    /// An AutonomousTransferCompleteResponse (`10`).
    AutonomousTransferCompleteResponse,
    /// A DUStateChangeCompleteResponse (`11`, `M ChangeDUState`).
    DuStateChangeCompleteResponse,
    /// An AutonomousDUStateChangeCompleteResponse (`12`).
    AutonomousDuStateChangeCompleteResponse,
    /// Defined by the vendor (`M X_…` and `X …` codes).
    Vendor,
}

/// What happens to an undelivered event (§3.7.1.5, Table 8 "Retry/Discard Policy").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RetryDiscardPolicy {
    /// `0 BOOTSTRAP`: never discarded; when it occurs, all other undelivered events are discarded.
    NeverDiscard,
    /// Retried until delivered; discarded only when a `0 BOOTSTRAP` occurs.
    NeverDiscardExceptBootstrap,
    /// Retried until the next reboot, then discarded (`1`, `4`, `8`, `13`, `14`; `4` and `13` also on
    /// BOOTSTRAP).
    RetryUntilReboot,
    /// `6 CONNECTION REQUEST`: MUST NOT be retried; dropped after the Session whether or not it
    /// succeeded.
    MustNotRetry,
    /// `5 KICKED`, `9 REQUEST DOWNLOAD`: the CPE MAY retry at its discretion.
    MayRetry,
    /// Vendor codes and codes Table 8 does not define: the policy is not specified.
    Unspecified,
}

/// Table 8 "Cumulative Behavior" (§3.7.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Cumulative {
    /// One instance in the next Inform however often it occurred.
    Single,
    /// One entry per occurrence, each with its own CommandKey.
    Multiple,
}

/// A string that is not an event code (§A.3.3.1, Table 40, `EventCodeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EventCodeError {
    /// Longer than 64 characters, or (for [`StoredEventCode`]) than 64 bytes.
    TooLong,
    /// Does not match the schema pattern (`\d+( \S+)+`, `M \S+` or `X \S+ .+`).
    Syntax,
}

impl EventCodeError {
    /// A short static description.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TooLong => "event code longer than 64 characters",
            Self::Syntax => "event code does not match the EventCodeType pattern",
        }
    }
}

impl fmt::Display for EventCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for EventCodeError {}

/// `\S` in XML Schema regular expressions: anything but space, tab, CR, LF.
const fn is_xsd_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// `( \S+)+` : one or more space-separated non-empty tokens, each preceded by exactly one space.
fn is_space_tokens(s: &str) -> bool {
    let Some(rest) = s.strip_prefix(' ') else {
        return false;
    };
    rest.split(' ')
        .all(|t| !t.is_empty() && !t.chars().any(is_xsd_space))
}

/// `\S+`
fn is_token(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(is_xsd_space)
}

/// The standard codes and their strings (Table 8).
const STANDARD: [(&str, EventCode<'static>); 21] = [
    ("0 BOOTSTRAP", EventCode::Bootstrap),
    ("1 BOOT", EventCode::Boot),
    ("2 PERIODIC", EventCode::Periodic),
    ("3 SCHEDULED", EventCode::Scheduled),
    ("4 VALUE CHANGE", EventCode::ValueChange),
    ("5 KICKED", EventCode::Kicked),
    ("6 CONNECTION REQUEST", EventCode::ConnectionRequest),
    ("7 TRANSFER COMPLETE", EventCode::TransferComplete),
    ("8 DIAGNOSTICS COMPLETE", EventCode::DiagnosticsComplete),
    ("9 REQUEST DOWNLOAD", EventCode::RequestDownload),
    (
        "10 AUTONOMOUS TRANSFER COMPLETE",
        EventCode::AutonomousTransferComplete,
    ),
    (
        "11 DU STATE CHANGE COMPLETE",
        EventCode::DuStateChangeComplete,
    ),
    (
        "12 AUTONOMOUS DU STATE CHANGE COMPLETE",
        EventCode::AutonomousDuStateChangeComplete,
    ),
    ("13 WAKEUP", EventCode::Wakeup),
    ("14 HEARTBEAT", EventCode::Heartbeat),
    ("M Reboot", EventCode::MReboot),
    ("M ScheduleInform", EventCode::MScheduleInform),
    ("M Download", EventCode::MDownload),
    ("M ScheduleDownload", EventCode::MScheduleDownload),
    ("M Upload", EventCode::MUpload),
    ("M ChangeDUState", EventCode::MChangeDuState),
];

impl<'a> EventCode<'a> {
    /// Parses an event code, exactly and case-sensitively, after trimming XML whitespace
    /// (§3.7.1.5, Table 8; §A.3.3.1).
    ///
    /// # Errors
    ///
    /// [`EventCodeError`] if the trimmed string is over 64 characters or matches none of the schema
    /// patterns. Never panics.
    pub fn parse(input: &'a str) -> Result<EventCode<'a>, EventCodeError> {
        let s = input.trim_matches(is_xsd_space);
        if s.chars().count() > EVENT_CODE_MAX_LEN {
            return Err(EventCodeError::TooLong);
        }
        if let Some((_, code)) = STANDARD.iter().find(|(text, _)| *text == s) {
            return Ok(*code);
        }
        if let Some(method) = s.strip_prefix("M ") {
            if !is_token(method) {
                return Err(EventCodeError::Syntax);
            }
            return Ok(if method.starts_with("X_") {
                EventCode::MVendor(s)
            } else {
                EventCode::Unknown(s)
            });
        }
        if let Some(rest) = s.strip_prefix("X ") {
            // `X \S+ .+`: a vendor token, one space, then anything but line breaks.
            let ok = rest.split_once(' ').is_some_and(|(vendor, event)| {
                is_token(vendor) && !event.is_empty() && !event.contains(['\n', '\r'])
            });
            return if ok {
                Ok(EventCode::Vendor(s))
            } else {
                Err(EventCodeError::Syntax)
            };
        }
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        match s.get(digits..) {
            Some(rest) if digits > 0 && is_space_tokens(rest) => Ok(EventCode::Unknown(s)),
            _ => Err(EventCodeError::Syntax),
        }
    }

    /// The exact code string, as sent in `EventStruct/EventCode`.
    pub fn as_str(&self) -> &'a str {
        match self {
            EventCode::MVendor(s) | EventCode::Vendor(s) | EventCode::Unknown(s) => s,
            standard => STANDARD
                .iter()
                .find(|(_, c)| c == standard)
                .map_or("", |(text, _)| text),
        }
    }

    /// For `M X_<VENDOR>_<Method>`, the method name (`X_<VENDOR>_<Method>`).
    pub fn vendor_method(&self) -> Option<&'a str> {
        match self {
            EventCode::MVendor(s) => s.strip_prefix("M "),
            _ => None,
        }
    }

    /// `true` for a code defined by Table 8 (not vendor, not unknown).
    pub const fn is_standard(&self) -> bool {
        !matches!(
            self,
            EventCode::MVendor(_) | EventCode::Vendor(_) | EventCode::Unknown(_)
        )
    }

    /// Table 8 "Cumulative Behavior". Table 8 leaves vendor codes unspecified: this crate treats
    /// `M X_…` like the other `M` codes (one per request, with its CommandKey) and `X …` codes and
    /// unknown codes as Single.
    pub const fn cumulative(&self) -> Cumulative {
        match self {
            EventCode::MReboot
            | EventCode::MScheduleInform
            | EventCode::MDownload
            | EventCode::MScheduleDownload
            | EventCode::MUpload
            | EventCode::MChangeDuState
            | EventCode::MVendor(_) => Cumulative::Multiple,
            _ => Cumulative::Single,
        }
    }

    /// `true` when each occurrence is a separate entry (Table 8 "Multiple").
    pub const fn is_multiple(&self) -> bool {
        matches!(self.cumulative(), Cumulative::Multiple)
    }

    /// `true` for the `M` codes whose `EventStruct.CommandKey` is the CommandKey of the originating
    /// RPC (§A.3.3.1, Table 40). For every other code it is the empty string.
    pub const fn carries_command_key(&self) -> bool {
        self.is_multiple()
    }

    /// Table 8 "Confirmed by": the response that counts as delivery. Unknown codes are taken as
    /// confirmed by the InformResponse, like most codes.
    pub const fn confirmed_by(&self) -> ConfirmedBy {
        match self {
            EventCode::Kicked => ConfirmedBy::KickedResponse,
            EventCode::TransferComplete
            | EventCode::MDownload
            | EventCode::MScheduleDownload
            | EventCode::MUpload => ConfirmedBy::TransferCompleteResponse,
            EventCode::RequestDownload => ConfirmedBy::RequestDownloadResponse,
            EventCode::AutonomousTransferComplete => {
                ConfirmedBy::AutonomousTransferCompleteResponse
            }
            EventCode::DuStateChangeComplete | EventCode::MChangeDuState => {
                ConfirmedBy::DuStateChangeCompleteResponse
            }
            EventCode::AutonomousDuStateChangeComplete => {
                ConfirmedBy::AutonomousDuStateChangeCompleteResponse
            }
            EventCode::MVendor(_) | EventCode::Vendor(_) => ConfirmedBy::Vendor,
            _ => ConfirmedBy::InformResponse,
        }
    }

    /// Table 8 "Retry/Discard Policy".
    pub const fn retry_policy(&self) -> RetryDiscardPolicy {
        match self {
            EventCode::Bootstrap => RetryDiscardPolicy::NeverDiscard,
            EventCode::Boot
            | EventCode::ValueChange
            | EventCode::DiagnosticsComplete
            | EventCode::Wakeup
            | EventCode::Heartbeat => RetryDiscardPolicy::RetryUntilReboot,
            EventCode::ConnectionRequest => RetryDiscardPolicy::MustNotRetry,
            EventCode::Kicked | EventCode::RequestDownload => RetryDiscardPolicy::MayRetry,
            EventCode::Periodic
            | EventCode::Scheduled
            | EventCode::TransferComplete
            | EventCode::AutonomousTransferComplete
            | EventCode::DuStateChangeComplete
            | EventCode::AutonomousDuStateChangeComplete
            | EventCode::MReboot
            | EventCode::MScheduleInform
            | EventCode::MDownload
            | EventCode::MScheduleDownload
            | EventCode::MUpload
            | EventCode::MChangeDuState => RetryDiscardPolicy::NeverDiscardExceptBootstrap,
            EventCode::MVendor(_) | EventCode::Vendor(_) | EventCode::Unknown(_) => {
                RetryDiscardPolicy::Unspecified
            }
        }
    }
}

impl fmt::Display for EventCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An owned [`EventCode`], for queues and persistent storage: the standard codes carry no data,
/// vendor and unknown codes keep their text in a `heapless::String<64>`.
///
/// Convert with [`StoredEventCode::try_from`] (fails only for a code over 64 *bytes*: a 64-character
/// non-ASCII code) and [`StoredEventCode::as_event_code`] (never fails).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum StoredEventCode {
    /// A Table 8 code; never holds a vendor or unknown variant.
    Standard(StandardEventCode),
    /// `M X_<VENDOR>_<Method>`, whole code.
    MVendor(heapless::String<EVENT_CODE_MAX_LEN>),
    /// `X <VENDOR> <event>`, whole code.
    Vendor(heapless::String<EVENT_CODE_MAX_LEN>),
    /// A schema-valid code Table 8 does not define, whole code.
    Unknown(heapless::String<EVENT_CODE_MAX_LEN>),
}

/// A Table 8 code without borrowed data (`Copy`), the standard part of [`StoredEventCode`].
///
/// One byte: an event queue can hold it per entry at no cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StandardEventCode(Standard);

/// The Table 8 codes, one byte each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Standard {
    Bootstrap,
    Boot,
    Periodic,
    Scheduled,
    ValueChange,
    Kicked,
    ConnectionRequest,
    TransferComplete,
    DiagnosticsComplete,
    RequestDownload,
    AutonomousTransferComplete,
    DuStateChangeComplete,
    AutonomousDuStateChangeComplete,
    Wakeup,
    Heartbeat,
    MReboot,
    MScheduleInform,
    MDownload,
    MScheduleDownload,
    MUpload,
    MChangeDuState,
}

impl StandardEventCode {
    /// The standard code of `code`, or `None` for a vendor or unknown code.
    pub const fn new(code: EventCode<'_>) -> Option<StandardEventCode> {
        let c = match code {
            EventCode::Bootstrap => Standard::Bootstrap,
            EventCode::Boot => Standard::Boot,
            EventCode::Periodic => Standard::Periodic,
            EventCode::Scheduled => Standard::Scheduled,
            EventCode::ValueChange => Standard::ValueChange,
            EventCode::Kicked => Standard::Kicked,
            EventCode::ConnectionRequest => Standard::ConnectionRequest,
            EventCode::TransferComplete => Standard::TransferComplete,
            EventCode::DiagnosticsComplete => Standard::DiagnosticsComplete,
            EventCode::RequestDownload => Standard::RequestDownload,
            EventCode::AutonomousTransferComplete => Standard::AutonomousTransferComplete,
            EventCode::DuStateChangeComplete => Standard::DuStateChangeComplete,
            EventCode::AutonomousDuStateChangeComplete => Standard::AutonomousDuStateChangeComplete,
            EventCode::Wakeup => Standard::Wakeup,
            EventCode::Heartbeat => Standard::Heartbeat,
            EventCode::MReboot => Standard::MReboot,
            EventCode::MScheduleInform => Standard::MScheduleInform,
            EventCode::MDownload => Standard::MDownload,
            EventCode::MScheduleDownload => Standard::MScheduleDownload,
            EventCode::MUpload => Standard::MUpload,
            EventCode::MChangeDuState => Standard::MChangeDuState,
            EventCode::MVendor(_) | EventCode::Vendor(_) | EventCode::Unknown(_) => return None,
        };
        Some(StandardEventCode(c))
    }

    /// The code.
    pub const fn code(self) -> EventCode<'static> {
        match self.0 {
            Standard::Bootstrap => EventCode::Bootstrap,
            Standard::Boot => EventCode::Boot,
            Standard::Periodic => EventCode::Periodic,
            Standard::Scheduled => EventCode::Scheduled,
            Standard::ValueChange => EventCode::ValueChange,
            Standard::Kicked => EventCode::Kicked,
            Standard::ConnectionRequest => EventCode::ConnectionRequest,
            Standard::TransferComplete => EventCode::TransferComplete,
            Standard::DiagnosticsComplete => EventCode::DiagnosticsComplete,
            Standard::RequestDownload => EventCode::RequestDownload,
            Standard::AutonomousTransferComplete => EventCode::AutonomousTransferComplete,
            Standard::DuStateChangeComplete => EventCode::DuStateChangeComplete,
            Standard::AutonomousDuStateChangeComplete => EventCode::AutonomousDuStateChangeComplete,
            Standard::Wakeup => EventCode::Wakeup,
            Standard::Heartbeat => EventCode::Heartbeat,
            Standard::MReboot => EventCode::MReboot,
            Standard::MScheduleInform => EventCode::MScheduleInform,
            Standard::MDownload => EventCode::MDownload,
            Standard::MScheduleDownload => EventCode::MScheduleDownload,
            Standard::MUpload => EventCode::MUpload,
            Standard::MChangeDuState => EventCode::MChangeDuState,
        }
    }
}

impl StoredEventCode {
    /// The borrowed view. Never fails.
    pub fn as_event_code(&self) -> EventCode<'_> {
        match self {
            StoredEventCode::Standard(c) => c.code(),
            StoredEventCode::MVendor(s) => EventCode::MVendor(s),
            StoredEventCode::Vendor(s) => EventCode::Vendor(s),
            StoredEventCode::Unknown(s) => EventCode::Unknown(s),
        }
    }

    /// The exact code string.
    pub fn as_str(&self) -> &str {
        match self {
            StoredEventCode::Standard(c) => c.code().as_str(),
            StoredEventCode::MVendor(s)
            | StoredEventCode::Vendor(s)
            | StoredEventCode::Unknown(s) => s,
        }
    }

    /// Parses and stores a code; see [`EventCode::parse`].
    ///
    /// # Errors
    ///
    /// As [`EventCode::parse`], and [`EventCodeError::TooLong`] for a code over 64 bytes.
    pub fn parse(input: &str) -> Result<StoredEventCode, EventCodeError> {
        StoredEventCode::try_from(EventCode::parse(input)?)
    }
}

impl From<StandardEventCode> for StoredEventCode {
    fn from(code: StandardEventCode) -> Self {
        StoredEventCode::Standard(code)
    }
}

impl<'a> TryFrom<EventCode<'a>> for StoredEventCode {
    type Error = EventCodeError;

    fn try_from(code: EventCode<'a>) -> Result<Self, EventCodeError> {
        fn owned(s: &str) -> Result<heapless::String<EVENT_CODE_MAX_LEN>, EventCodeError> {
            let mut out = heapless::String::new();
            out.push_str(s).map_err(|_| EventCodeError::TooLong)?;
            Ok(out)
        }
        Ok(match code {
            EventCode::MVendor(s) => StoredEventCode::MVendor(owned(s)?),
            EventCode::Vendor(s) => StoredEventCode::Vendor(owned(s)?),
            EventCode::Unknown(s) => StoredEventCode::Unknown(owned(s)?),
            standard => match StandardEventCode::new(standard) {
                Some(c) => StoredEventCode::Standard(c),
                None => return Err(EventCodeError::Syntax),
            },
        })
    }
}

impl<'a> From<&'a StoredEventCode> for EventCode<'a> {
    fn from(code: &'a StoredEventCode) -> Self {
        code.as_event_code()
    }
}

impl fmt::Display for StoredEventCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    use super::*;
    use proptest::prelude::*;
    use std::string::ToString;
    use ConfirmedBy as C;
    use EventCode as E;
    use RetryDiscardPolicy as R;

    /// Table 8, row by row: code, variant, Multiple?, confirmed by, retry/discard policy.
    const TABLE_8: [(
        &str,
        EventCode<'static>,
        bool,
        ConfirmedBy,
        RetryDiscardPolicy,
    ); 21] = [
        (
            "0 BOOTSTRAP",
            E::Bootstrap,
            false,
            C::InformResponse,
            R::NeverDiscard,
        ),
        (
            "1 BOOT",
            E::Boot,
            false,
            C::InformResponse,
            R::RetryUntilReboot,
        ),
        (
            "2 PERIODIC",
            E::Periodic,
            false,
            C::InformResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "3 SCHEDULED",
            E::Scheduled,
            false,
            C::InformResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "4 VALUE CHANGE",
            E::ValueChange,
            false,
            C::InformResponse,
            R::RetryUntilReboot,
        ),
        ("5 KICKED", E::Kicked, false, C::KickedResponse, R::MayRetry),
        (
            "6 CONNECTION REQUEST",
            E::ConnectionRequest,
            false,
            C::InformResponse,
            R::MustNotRetry,
        ),
        (
            "7 TRANSFER COMPLETE",
            E::TransferComplete,
            false,
            C::TransferCompleteResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "8 DIAGNOSTICS COMPLETE",
            E::DiagnosticsComplete,
            false,
            C::InformResponse,
            R::RetryUntilReboot,
        ),
        (
            "9 REQUEST DOWNLOAD",
            E::RequestDownload,
            false,
            C::RequestDownloadResponse,
            R::MayRetry,
        ),
        (
            "10 AUTONOMOUS TRANSFER COMPLETE",
            E::AutonomousTransferComplete,
            false,
            C::AutonomousTransferCompleteResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "11 DU STATE CHANGE COMPLETE",
            E::DuStateChangeComplete,
            false,
            C::DuStateChangeCompleteResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "12 AUTONOMOUS DU STATE CHANGE COMPLETE",
            E::AutonomousDuStateChangeComplete,
            false,
            C::AutonomousDuStateChangeCompleteResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "13 WAKEUP",
            E::Wakeup,
            false,
            C::InformResponse,
            R::RetryUntilReboot,
        ),
        (
            "14 HEARTBEAT",
            E::Heartbeat,
            false,
            C::InformResponse,
            R::RetryUntilReboot,
        ),
        (
            "M Reboot",
            E::MReboot,
            true,
            C::InformResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "M ScheduleInform",
            E::MScheduleInform,
            true,
            C::InformResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "M Download",
            E::MDownload,
            true,
            C::TransferCompleteResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "M ScheduleDownload",
            E::MScheduleDownload,
            true,
            C::TransferCompleteResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "M Upload",
            E::MUpload,
            true,
            C::TransferCompleteResponse,
            R::NeverDiscardExceptBootstrap,
        ),
        (
            "M ChangeDUState",
            E::MChangeDuState,
            true,
            C::DuStateChangeCompleteResponse,
            R::NeverDiscardExceptBootstrap,
        ),
    ];

    #[test]
    fn every_table_8_row() {
        for (text, code, multiple, confirmed, policy) in TABLE_8 {
            let parsed = EventCode::parse(text).unwrap();
            assert_eq!(parsed, code, "{text}");
            assert_eq!(parsed.as_str(), text);
            assert_eq!(parsed.to_string(), text);
            assert_eq!(parsed.is_multiple(), multiple, "{text}");
            assert_eq!(parsed.carries_command_key(), multiple, "{text}");
            assert_eq!(parsed.confirmed_by(), confirmed, "{text}");
            assert_eq!(parsed.retry_policy(), policy, "{text}");
            assert!(parsed.is_standard());
            let stored = StoredEventCode::try_from(parsed).unwrap();
            assert!(matches!(stored, StoredEventCode::Standard(_)));
            assert_eq!(stored.as_event_code(), code);
            assert_eq!(stored.as_str(), text);
            assert_eq!(StoredEventCode::parse(text).unwrap(), stored);
            let standard = StandardEventCode::new(code).unwrap();
            assert_eq!(standard.code(), code);
            assert_eq!(standard.code().as_str(), text);
        }
        // One byte, so an event queue entry stays small.
        assert_eq!(core::mem::size_of::<StandardEventCode>(), 1);
        assert_eq!(StandardEventCode::new(E::Vendor("X 1 e")), None);
    }

    #[test]
    fn trimmed_exact_and_case_sensitive() {
        assert_eq!(EventCode::parse("  1 BOOT\r\n").unwrap(), E::Boot);
        assert_eq!(EventCode::parse("\t0 BOOTSTRAP ").unwrap(), E::Bootstrap);
        // Wrong case: schema-valid, not Table 8.
        assert_eq!(EventCode::parse("1 boot").unwrap(), E::Unknown("1 boot"));
        assert_eq!(
            EventCode::parse("M reboot").unwrap(),
            E::Unknown("M reboot")
        );
        // Inner whitespace is not normalised.
        assert_eq!(EventCode::parse("1  BOOT"), Err(EventCodeError::Syntax));
        assert_eq!(EventCode::parse("1\tBOOT"), Err(EventCodeError::Syntax));
    }

    #[test]
    fn vendor_codes() {
        let m = EventCode::parse("M X_012345_MyMethod").unwrap();
        assert_eq!(m, E::MVendor("M X_012345_MyMethod"));
        assert_eq!(m.vendor_method(), Some("X_012345_MyMethod"));
        assert!(m.is_multiple() && m.carries_command_key());
        assert_eq!(m.confirmed_by(), C::Vendor);
        assert_eq!(m.retry_policy(), R::Unspecified);
        assert!(!m.is_standard());

        for v in [
            "X 012345 MyEvent",
            "X ACME_COM My Event",
            "X 00D09E Reset pressed",
        ] {
            let e = EventCode::parse(v).unwrap();
            assert_eq!(e, E::Vendor(v));
            assert_eq!(e.as_str(), v);
            assert!(!e.is_multiple());
            assert_eq!(e.confirmed_by(), C::Vendor);
            let s = StoredEventCode::try_from(e).unwrap();
            assert_eq!(s.as_event_code(), e);
        }
        assert_eq!(EventCode::parse("X 012345"), Err(EventCodeError::Syntax));
        assert_eq!(EventCode::parse("X 012345 "), Err(EventCodeError::Syntax));
        assert_eq!(EventCode::parse("X  Event"), Err(EventCodeError::Syntax));
        assert_eq!(
            EventCode::parse("X 012345 a\nb"),
            Err(EventCodeError::Syntax)
        );
        assert_eq!(EventCode::parse("M X_"), Ok(E::MVendor("M X_")));
        assert_eq!(EventCode::parse("M "), Err(EventCodeError::Syntax));
        assert_eq!(EventCode::parse("M a b"), Err(EventCodeError::Syntax));
    }

    #[test]
    fn unknown_and_invalid() {
        let u = EventCode::parse("15 FUTURE EVENT").unwrap();
        assert_eq!(u, E::Unknown("15 FUTURE EVENT"));
        assert_eq!(u.confirmed_by(), C::InformResponse);
        assert_eq!(u.retry_policy(), R::Unspecified);
        assert!(!u.is_multiple());
        for bad in [
            "",
            "   ",
            "BOOT",
            "1",
            "1 ",
            "1 BOOT ",
            "-1 BOOT",
            "x 012345 e",
            "Y 1 2",
        ] {
            // "1 BOOT " is trimmed to "1 BOOT", so it is valid; the others are not.
            if bad.trim() == "1 BOOT" {
                assert_eq!(EventCode::parse(bad), Ok(E::Boot));
            } else {
                assert_eq!(
                    EventCode::parse(bad),
                    Err(EventCodeError::Syntax),
                    "{bad:?}"
                );
            }
        }
    }

    #[test]
    fn length_limits() {
        let long = std::format!("X 012345 {}", "a".repeat(55));
        assert_eq!(long.len(), 64);
        assert!(EventCode::parse(&long).is_ok());
        assert!(StoredEventCode::parse(&long).is_ok());
        let longer = std::format!("{long}a");
        assert_eq!(EventCode::parse(&longer), Err(EventCodeError::TooLong));
        // 64 characters but more than 64 bytes: a valid code, but it cannot be stored.
        let wide = std::format!("X 012345 {}", "é".repeat(55));
        assert_eq!(wide.chars().count(), 64);
        let e = EventCode::parse(&wide).unwrap();
        assert_eq!(StoredEventCode::try_from(e), Err(EventCodeError::TooLong));
    }

    #[test]
    fn standard_event_code() {
        assert!(StandardEventCode::new(E::Vendor("X 1 2")).is_none());
        let s = StandardEventCode::new(E::MDownload).unwrap();
        assert_eq!(s.code(), E::MDownload);
        assert_eq!(StoredEventCode::from(s).as_str(), "M Download");
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_round_trips(s in "\\PC{0,70}") {
            if let Ok(code) = EventCode::parse(&s) {
                prop_assert_eq!(code.as_str(), s.trim_matches(is_xsd_space));
                prop_assert_eq!(EventCode::parse(code.as_str()).unwrap(), code);
                if let Ok(stored) = StoredEventCode::try_from(code) {
                    prop_assert_eq!(stored.as_event_code(), code);
                }
            }
        }

        #[test]
        fn shaped_input_never_panics(s in "[0-9MX_ A-Za-z\t]{0,20}") {
            if let Ok(code) = EventCode::parse(&s) {
                prop_assert_eq!(EventCode::parse(code.as_str()).unwrap(), code);
            }
        }
    }
}
