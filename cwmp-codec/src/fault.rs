//! CWMP fault codes and the SOAP `faultcode` type (TR-069 §3.5, §A.5, Tables 87 and 88).
//!
//! This module owns the *values* of a CWMP fault: [`FaultCode`] (the `FaultCode` element
//! of `detail/cwmp:Fault`, of `SetParameterValuesFault` and of `FaultStruct`), its
//! standard names and descriptions, its [`FaultType`] (the Type column, which decides the
//! SOAP `faultcode` element, T87 fn26) and its [`FaultClass`] (standard, reserved,
//! vendor, or outside every range). CWMP faults are protocol data, not Rust errors
//! (DESIGN §4): nothing here implements `core::error::Error` except the parse error of
//! [`FaultType`].
//!
//! Ranges (\[XSD\] cwmp-1-2.xsd `CPEFaultCodeType`, `CPEExtensionFaultCodeType`,
//! `CPEVendorFaultCodeType`, `ACSFaultCodeType`, `ACSVendorFaultCodeType`):
//!
//! | range | class |
//! |---|---|
//! | 9000–9032 | CPE standard (T87) |
//! | 9033–9799 | CPE reserved for future extension |
//! | 9800–9899 | CPE vendor-defined |
//! | 8000–8006 | ACS standard (T88; 8006 since cwmp-1-4.xsd) |
//! | 8007–8799 | ACS reserved |
//! | 8800–8899 | ACS vendor-defined |
//! | anything else | invalid in a CWMP fault (0 is "no fault" in `FaultStruct`, T43) |

use core::fmt;

/// A CWMP fault code (TR-069 §A.5, Tables 87 and 88).
///
/// A plain newtype: any `u32` can be held, so a decoder never loses what the peer sent.
/// [`class`](Self::class) tells whether the value is in a defined range. `FaultCode(0)`
/// ([`NO_FAULT`](Self::NO_FAULT)) is the "no fault" value of `FaultStruct` (T43, T81).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FaultCode(pub u32);

/// The Type column of Tables 87 and 88: who caused the fault, which is the value of the
/// SOAP `faultcode` element (§3.5, T87 fn26; INTEROP S1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FaultType {
    /// `Client`: the requester caused the fault (e.g. 9003 Invalid arguments).
    Client,
    /// `Server`: the responder caused the fault (e.g. 9002 Internal error).
    Server,
}

/// Which side a fault code belongs to and which range it is in (§A.5, \[XSD\] ranges).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FaultClass {
    /// A code a CPE returns (9000–9899, §A.5.1).
    Cpe(FaultRange),
    /// A code an ACS returns (8000–8899, §A.5.2).
    Acs(FaultRange),
    /// Outside every CWMP range (including 0, the "no fault" value of `FaultStruct`).
    Invalid,
}

/// Where a code falls inside its side's range (§A.5, \[XSD\]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FaultRange {
    /// Defined in Table 87 (9000–9032) or Table 88 (8000–8006).
    Standard,
    /// Reserved for future versions (9033–9799, 8007–8799).
    Reserved,
    /// Vendor-defined (9800–9899, 8800–8899).
    Vendor,
}

impl FaultCode {
    /// 0: no fault, in `FaultStruct` of TransferComplete, AutonomousTransferComplete and
    /// OpResultStruct (T43, T81). Not a valid SOAP fault code.
    pub const NO_FAULT: Self = Self(0);

    // --- Table 87, CPE fault codes (§A.5.1) ---
    /// 9000 Method not supported (Server).
    pub const METHOD_NOT_SUPPORTED: Self = Self(9000);
    /// 9001 Request denied (no reason specified) (Server).
    pub const REQUEST_DENIED: Self = Self(9001);
    /// 9002 Internal error (Server).
    pub const INTERNAL_ERROR: Self = Self(9002);
    /// 9003 Invalid arguments (Client).
    pub const INVALID_ARGUMENTS: Self = Self(9003);
    /// 9004 Resources exceeded (Server). With SetParameterValues it MUST NOT flag
    /// Parameters in error.
    pub const RESOURCES_EXCEEDED: Self = Self(9004);
    /// 9005 Invalid Parameter name (Client).
    pub const INVALID_PARAMETER_NAME: Self = Self(9005);
    /// 9006 Invalid Parameter type (Client).
    pub const INVALID_PARAMETER_TYPE: Self = Self(9006);
    /// 9007 Invalid Parameter value (Client).
    pub const INVALID_PARAMETER_VALUE: Self = Self(9007);
    /// 9008 Attempt to set a non-writable Parameter (Client).
    pub const ATTEMPT_TO_SET_NON_WRITABLE_PARAMETER: Self = Self(9008);
    /// 9009 Notification request rejected (Server).
    pub const NOTIFICATION_REQUEST_REJECTED: Self = Self(9009);
    /// 9010 File transfer failure (Server).
    pub const FILE_TRANSFER_FAILURE: Self = Self(9010);
    /// 9011 Upload failure (Server).
    pub const UPLOAD_FAILURE: Self = Self(9011);
    /// 9012 File transfer server authentication failure (Server).
    pub const FILE_TRANSFER_SERVER_AUTHENTICATION_FAILURE: Self = Self(9012);
    /// 9013 Unsupported protocol for file transfer (Server).
    pub const UNSUPPORTED_PROTOCOL_FOR_FILE_TRANSFER: Self = Self(9013);
    /// 9014 File transfer failure: unable to join multicast group (Server).
    pub const UNABLE_TO_JOIN_MULTICAST_GROUP: Self = Self(9014);
    /// 9015 File transfer failure: unable to contact file server (Server).
    pub const UNABLE_TO_CONTACT_FILE_SERVER: Self = Self(9015);
    /// 9016 File transfer failure: unable to access file (Server).
    pub const UNABLE_TO_ACCESS_FILE: Self = Self(9016);
    /// 9017 File transfer failure: unable to complete download (Server).
    pub const UNABLE_TO_COMPLETE_DOWNLOAD: Self = Self(9017);
    /// 9018 File transfer failure: file corrupted or otherwise unusable (Server).
    pub const FILE_CORRUPTED: Self = Self(9018);
    /// 9019 File transfer failure: file authentication failure (Server).
    pub const FILE_AUTHENTICATION_FAILURE: Self = Self(9019);
    /// 9020 File transfer failure: unable to complete download within specified time
    /// windows (Client).
    pub const UNABLE_TO_COMPLETE_DOWNLOAD_WITHIN_TIME_WINDOWS: Self = Self(9020);
    /// 9021 Cancelation of file transfer not permitted in current transfer state (Client).
    pub const CANCELATION_NOT_PERMITTED: Self = Self(9021);
    /// 9022 Invalid UUID Format (Server).
    pub const INVALID_UUID_FORMAT: Self = Self(9022);
    /// 9023 Unknown Execution Environment (Server).
    pub const UNKNOWN_EXECUTION_ENVIRONMENT: Self = Self(9023);
    /// 9024 Disabled Execution Environment (Server).
    pub const DISABLED_EXECUTION_ENVIRONMENT: Self = Self(9024);
    /// 9025 Deployment Unit to Execution Environment Mismatch (Server).
    pub const DEPLOYMENT_UNIT_TO_EXECUTION_ENVIRONMENT_MISMATCH: Self = Self(9025);
    /// 9026 Duplicate Deployment Unit (Server).
    pub const DUPLICATE_DEPLOYMENT_UNIT: Self = Self(9026);
    /// 9027 System Resources Exceeded (Server).
    pub const SYSTEM_RESOURCES_EXCEEDED: Self = Self(9027);
    /// 9028 Unknown Deployment Unit (Server).
    pub const UNKNOWN_DEPLOYMENT_UNIT: Self = Self(9028);
    /// 9029 Invalid Deployment Unit State (Server).
    pub const INVALID_DEPLOYMENT_UNIT_STATE: Self = Self(9029);
    /// 9030 Invalid Deployment Unit Update – Downgrade not permitted (Server).
    pub const INVALID_DU_UPDATE_DOWNGRADE_NOT_PERMITTED: Self = Self(9030);
    /// 9031 Invalid Deployment Unit Update – Version not specified (Server).
    pub const INVALID_DU_UPDATE_VERSION_NOT_SPECIFIED: Self = Self(9031);
    /// 9032 Invalid Deployment Unit Update – Version already exists (Server).
    pub const INVALID_DU_UPDATE_VERSION_EXISTS: Self = Self(9032);

    // --- Table 88, ACS fault codes (§A.5.2) ---
    /// 8000 Method not supported (Server).
    pub const ACS_METHOD_NOT_SUPPORTED: Self = Self(8000);
    /// 8001 Request denied (no reason specified) (Server).
    pub const ACS_REQUEST_DENIED: Self = Self(8001);
    /// 8002 Internal error (Server).
    pub const ACS_INTERNAL_ERROR: Self = Self(8002);
    /// 8003 Invalid arguments (Client).
    pub const ACS_INVALID_ARGUMENTS: Self = Self(8003);
    /// 8004 Resources exceeded (Server).
    pub const ACS_RESOURCES_EXCEEDED: Self = Self(8004);
    /// 8005 Retry request (Server): re-send the identical request in the next POST,
    /// at most 3 times (§3.7.1.6).
    pub const ACS_RETRY_REQUEST: Self = Self(8005);
    /// 8006 ACS version incompatible with CPE (Server): no common CWMP version (§3.7.2.1).
    pub const ACS_VERSION_INCOMPATIBLE: Self = Self(8006);

    /// First CPE vendor-defined code (T87).
    pub const CPE_VENDOR_FIRST: Self = Self(9800);
    /// Last CPE vendor-defined code (T87).
    pub const CPE_VENDOR_LAST: Self = Self(9899);
    /// First ACS vendor-defined code (T88).
    pub const ACS_VENDOR_FIRST: Self = Self(8800);
    /// Last ACS vendor-defined code (T88).
    pub const ACS_VENDOR_LAST: Self = Self(8899);

    /// Every standard code of Tables 87 and 88, in numeric order per table.
    pub const STANDARD: &'static [FaultCode] = &[
        Self::METHOD_NOT_SUPPORTED,
        Self::REQUEST_DENIED,
        Self::INTERNAL_ERROR,
        Self::INVALID_ARGUMENTS,
        Self::RESOURCES_EXCEEDED,
        Self::INVALID_PARAMETER_NAME,
        Self::INVALID_PARAMETER_TYPE,
        Self::INVALID_PARAMETER_VALUE,
        Self::ATTEMPT_TO_SET_NON_WRITABLE_PARAMETER,
        Self::NOTIFICATION_REQUEST_REJECTED,
        Self::FILE_TRANSFER_FAILURE,
        Self::UPLOAD_FAILURE,
        Self::FILE_TRANSFER_SERVER_AUTHENTICATION_FAILURE,
        Self::UNSUPPORTED_PROTOCOL_FOR_FILE_TRANSFER,
        Self::UNABLE_TO_JOIN_MULTICAST_GROUP,
        Self::UNABLE_TO_CONTACT_FILE_SERVER,
        Self::UNABLE_TO_ACCESS_FILE,
        Self::UNABLE_TO_COMPLETE_DOWNLOAD,
        Self::FILE_CORRUPTED,
        Self::FILE_AUTHENTICATION_FAILURE,
        Self::UNABLE_TO_COMPLETE_DOWNLOAD_WITHIN_TIME_WINDOWS,
        Self::CANCELATION_NOT_PERMITTED,
        Self::INVALID_UUID_FORMAT,
        Self::UNKNOWN_EXECUTION_ENVIRONMENT,
        Self::DISABLED_EXECUTION_ENVIRONMENT,
        Self::DEPLOYMENT_UNIT_TO_EXECUTION_ENVIRONMENT_MISMATCH,
        Self::DUPLICATE_DEPLOYMENT_UNIT,
        Self::SYSTEM_RESOURCES_EXCEEDED,
        Self::UNKNOWN_DEPLOYMENT_UNIT,
        Self::INVALID_DEPLOYMENT_UNIT_STATE,
        Self::INVALID_DU_UPDATE_DOWNGRADE_NOT_PERMITTED,
        Self::INVALID_DU_UPDATE_VERSION_NOT_SPECIFIED,
        Self::INVALID_DU_UPDATE_VERSION_EXISTS,
        Self::ACS_METHOD_NOT_SUPPORTED,
        Self::ACS_REQUEST_DENIED,
        Self::ACS_INTERNAL_ERROR,
        Self::ACS_INVALID_ARGUMENTS,
        Self::ACS_RESOURCES_EXCEEDED,
        Self::ACS_RETRY_REQUEST,
        Self::ACS_VERSION_INCOMPATIBLE,
    ];

    /// The numeric value.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// Which side and range the code belongs to (§A.5, \[XSD\] ranges; see the module docs).
    pub const fn class(self) -> FaultClass {
        match self.0 {
            9000..=9032 => FaultClass::Cpe(FaultRange::Standard),
            9033..=9799 => FaultClass::Cpe(FaultRange::Reserved),
            9800..=9899 => FaultClass::Cpe(FaultRange::Vendor),
            8000..=8006 => FaultClass::Acs(FaultRange::Standard),
            8007..=8799 => FaultClass::Acs(FaultRange::Reserved),
            8800..=8899 => FaultClass::Acs(FaultRange::Vendor),
            _ => FaultClass::Invalid,
        }
    }

    /// Whether the code is in a CPE range (9000–9899).
    pub const fn is_cpe(self) -> bool {
        matches!(self.class(), FaultClass::Cpe(_))
    }

    /// Whether the code is in an ACS range (8000–8899).
    pub const fn is_acs(self) -> bool {
        matches!(self.class(), FaultClass::Acs(_))
    }

    /// Whether the code is defined in Table 87 or Table 88.
    pub const fn is_standard(self) -> bool {
        matches!(
            self.class(),
            FaultClass::Cpe(FaultRange::Standard) | FaultClass::Acs(FaultRange::Standard)
        )
    }

    /// Whether the code is vendor-defined (9800–9899 or 8800–8899).
    pub const fn is_vendor(self) -> bool {
        matches!(
            self.class(),
            FaultClass::Cpe(FaultRange::Vendor) | FaultClass::Acs(FaultRange::Vendor)
        )
    }

    /// The Type column of Tables 87 and 88, i.e. the SOAP `faultcode` to send (T87 fn26).
    ///
    /// Client for 9003, 9005–9008, 9020, 9021 and 8003; Server for every other standard
    /// code. The tables give no type for vendor codes, and none exists for reserved or
    /// invalid ones: those return `Server` (the responder knows best why it failed).
    pub const fn fault_type(self) -> FaultType {
        match self.0 {
            9003 | 9005..=9008 | 9020 | 9021 | 8003 => FaultType::Client,
            _ => FaultType::Server,
        }
    }

    /// The description from Table 87 or 88, verbatim without the "(associated with …)"
    /// notes; `"Vendor defined fault code"` for vendor codes, `"Reserved fault code"` for
    /// reserved ones, `"Invalid fault code"` otherwise (0 gives `"No fault"`).
    pub const fn description(self) -> &'static str {
        match self.0 {
            0 => "No fault",
            9000 | 8000 => "Method not supported",
            9001 | 8001 => "Request denied (no reason specified)",
            9002 | 8002 => "Internal error",
            9003 | 8003 => "Invalid arguments",
            9004 | 8004 => "Resources exceeded",
            9005 => "Invalid Parameter name",
            9006 => "Invalid Parameter type",
            9007 => "Invalid Parameter value",
            9008 => "Attempt to set a non-writable Parameter",
            9009 => "Notification request rejected",
            9010 => "File transfer failure",
            9011 => "Upload failure",
            9012 => "File transfer server authentication failure",
            9013 => "Unsupported protocol for file transfer",
            9014 => "File transfer failure: unable to join multicast group",
            9015 => "File transfer failure: unable to contact file server",
            9016 => "File transfer failure: unable to access file",
            9017 => "File transfer failure: unable to complete download",
            9018 => "File transfer failure: file corrupted or otherwise unusable",
            9019 => "File transfer failure: file authentication failure",
            9020 => {
                "File transfer failure: unable to complete download within specified time windows"
            }
            9021 => "Cancelation of file transfer not permitted in current transfer state",
            9022 => "Invalid UUID Format",
            9023 => "Unknown Execution Environment",
            9024 => "Disabled Execution Environment",
            9025 => "Deployment Unit to Execution Environment Mismatch",
            9026 => "Duplicate Deployment Unit",
            9027 => "System Resources Exceeded",
            9028 => "Unknown Deployment Unit",
            9029 => "Invalid Deployment Unit State",
            9030 => "Invalid Deployment Unit Update \u{2013} Downgrade not permitted",
            9031 => "Invalid Deployment Unit Update \u{2013} Version not specified",
            9032 => "Invalid Deployment Unit Update \u{2013} Version already exists",
            8005 => "Retry request",
            8006 => "ACS version incompatible with CPE",
            9800..=9899 | 8800..=8899 => "Vendor defined fault code",
            9033..=9799 | 8007..=8799 => "Reserved fault code",
            _ => "Invalid fault code",
        }
    }

    /// The code as an ACS must interpret it: any CPE code in 9000–9799 that is not in
    /// Table 87 is treated as **9001** Request denied (§3.7.2.4). Standard, vendor,
    /// ACS and invalid codes are returned unchanged.
    pub const fn normalized_for_acs(self) -> Self {
        match self.class() {
            FaultClass::Cpe(FaultRange::Reserved) => Self::REQUEST_DENIED,
            _ => self,
        }
    }

    /// Whether this is 8005 Retry request: the CPE re-sends the identical request in the
    /// next HTTP POST of the same Session, at most 3 times (§3.7.1.6).
    pub const fn is_retry_request(self) -> bool {
        self.0 == Self::ACS_RETRY_REQUEST.0
    }
}

impl From<u32> for FaultCode {
    fn from(code: u32) -> Self {
        Self(code)
    }
}

impl From<FaultCode> for u32 {
    fn from(code: FaultCode) -> Self {
        code.0
    }
}

impl fmt::Display for FaultCode {
    /// Writes the decimal code, as on the wire (`9005`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Error from [`FaultType::parse`]: the `faultcode` text is neither `Client` nor
/// `Server` (with or without a prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct UnknownFaultType;

impl fmt::Display for UnknownFaultType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SOAP faultcode is neither Client nor Server")
    }
}

impl core::error::Error for UnknownFaultType {}

impl FaultType {
    /// Parses the text of a SOAP `faultcode` element (§3.5, INTEROP S1).
    ///
    /// Accepts `Client` or `Server`, with surrounding XML whitespace, unprefixed or with
    /// any QName prefix (`SOAP-ENV:Client`, `soap:Server`, `s:Client`). The prefix is
    /// not resolved: SOAP 1.1 qualifies these with the envelope namespace, but peers
    /// send them bare, and the recipient MAY ignore `faultcode` entirely (§3.5). Dotted
    /// SOAP 1.1 refinements (`Client.Authentication`) are read as their first part.
    /// Matching is case-sensitive, as in SOAP.
    ///
    /// # Errors
    ///
    /// [`UnknownFaultType`] for any other text (e.g. `VersionMismatch`,
    /// `MustUnderstand`, or empty). A decoder that wants to tolerate those should keep the
    /// raw text and fall back to [`FaultCode::fault_type`].
    pub fn parse(text: &str) -> Result<Self, UnknownFaultType> {
        let text = text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
        let local = text.rsplit_once(':').map_or(text, |(_, local)| local);
        let base = local.split_once('.').map_or(local, |(base, _)| base);
        match base {
            "Client" => Ok(Self::Client),
            "Server" => Ok(Self::Server),
            _ => Err(UnknownFaultType),
        }
    }

    /// The unprefixed local name, `Client` or `Server`. An encoder writes it with the
    /// SOAP envelope prefix it declared (e.g. `SOAP-ENV:Client`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Client => "Client",
            Self::Server => "Server",
        }
    }
}

impl fmt::Display for FaultType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for FaultType {
    type Err = UnknownFaultType;

    fn from_str(s: &str) -> Result<Self, UnknownFaultType> {
        Self::parse(s)
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
    use std::string::ToString;

    /// Every row of Tables 87 and 88: code, description, type.
    const TABLE: &[(u32, &str, FaultType)] = {
        use FaultType::{Client as C, Server as S};
        &[
            (9000, "Method not supported", S),
            (9001, "Request denied (no reason specified)", S),
            (9002, "Internal error", S),
            (9003, "Invalid arguments", C),
            (9004, "Resources exceeded", S),
            (9005, "Invalid Parameter name", C),
            (9006, "Invalid Parameter type", C),
            (9007, "Invalid Parameter value", C),
            (9008, "Attempt to set a non-writable Parameter", C),
            (9009, "Notification request rejected", S),
            (9010, "File transfer failure", S),
            (9011, "Upload failure", S),
            (9012, "File transfer server authentication failure", S),
            (9013, "Unsupported protocol for file transfer", S),
            (
                9014,
                "File transfer failure: unable to join multicast group",
                S,
            ),
            (
                9015,
                "File transfer failure: unable to contact file server",
                S,
            ),
            (9016, "File transfer failure: unable to access file", S),
            (
                9017,
                "File transfer failure: unable to complete download",
                S,
            ),
            (
                9018,
                "File transfer failure: file corrupted or otherwise unusable",
                S,
            ),
            (
                9019,
                "File transfer failure: file authentication failure",
                S,
            ),
            (
                9020,
                "File transfer failure: unable to complete download within specified time windows",
                C,
            ),
            (
                9021,
                "Cancelation of file transfer not permitted in current transfer state",
                C,
            ),
            (9022, "Invalid UUID Format", S),
            (9023, "Unknown Execution Environment", S),
            (9024, "Disabled Execution Environment", S),
            (9025, "Deployment Unit to Execution Environment Mismatch", S),
            (9026, "Duplicate Deployment Unit", S),
            (9027, "System Resources Exceeded", S),
            (9028, "Unknown Deployment Unit", S),
            (9029, "Invalid Deployment Unit State", S),
            (
                9030,
                "Invalid Deployment Unit Update – Downgrade not permitted",
                S,
            ),
            (
                9031,
                "Invalid Deployment Unit Update – Version not specified",
                S,
            ),
            (
                9032,
                "Invalid Deployment Unit Update – Version already exists",
                S,
            ),
            (8000, "Method not supported", S),
            (8001, "Request denied (no reason specified)", S),
            (8002, "Internal error", S),
            (8003, "Invalid arguments", C),
            (8004, "Resources exceeded", S),
            (8005, "Retry request", S),
            (8006, "ACS version incompatible with CPE", S),
        ]
    };

    #[test]
    fn every_table_row() {
        assert_eq!(TABLE.len(), FaultCode::STANDARD.len());
        for (&(code, desc, ty), &named) in TABLE.iter().zip(FaultCode::STANDARD) {
            let f = FaultCode::from(code);
            assert_eq!(f, named);
            assert_eq!(f.description(), desc, "{code}");
            assert_eq!(f.fault_type(), ty, "{code}");
            assert!(f.is_standard());
            assert_eq!(f.normalized_for_acs(), f);
            assert_eq!(u32::from(f), code);
            assert_eq!(f.to_string(), std::format!("{code}"));
            if code >= 9000 {
                assert_eq!(f.class(), FaultClass::Cpe(FaultRange::Standard));
                assert!(f.is_cpe() && !f.is_acs());
            } else {
                assert_eq!(f.class(), FaultClass::Acs(FaultRange::Standard));
                assert!(f.is_acs() && !f.is_cpe());
            }
        }
    }

    #[test]
    fn named_constants() {
        assert_eq!(FaultCode::METHOD_NOT_SUPPORTED.get(), 9000);
        assert_eq!(FaultCode::INVALID_DU_UPDATE_VERSION_EXISTS.get(), 9032);
        assert_eq!(FaultCode::ACS_METHOD_NOT_SUPPORTED.get(), 8000);
        assert_eq!(FaultCode::ACS_VERSION_INCOMPATIBLE.get(), 8006);
        assert!(FaultCode::ACS_RETRY_REQUEST.is_retry_request());
        assert!(!FaultCode(9005).is_retry_request());
    }

    #[test]
    fn ranges() {
        use FaultClass::*;
        use FaultRange::*;
        for (code, class) in [
            (0, Invalid),
            (7999, Invalid),
            (8006, Acs(Standard)),
            (8007, Acs(Reserved)),
            (8799, Acs(Reserved)),
            (8800, Acs(Vendor)),
            (8899, Acs(Vendor)),
            (8900, Invalid),
            (8999, Invalid),
            (9000, Cpe(Standard)),
            (9032, Cpe(Standard)),
            (9033, Cpe(Reserved)),
            (9799, Cpe(Reserved)),
            (9800, Cpe(Vendor)),
            (9899, Cpe(Vendor)),
            (9900, Invalid),
            (u32::MAX, Invalid),
        ] {
            assert_eq!(FaultCode(code).class(), class, "{code}");
        }
        assert_eq!(FaultCode(9850).fault_type(), FaultType::Server);
        assert_eq!(FaultCode(8850).fault_type(), FaultType::Server);
        assert!(FaultCode(9850).is_vendor());
        assert_eq!(FaultCode(9850).description(), "Vendor defined fault code");
        assert_eq!(FaultCode(9100).description(), "Reserved fault code");
        assert_eq!(FaultCode(1).description(), "Invalid fault code");
        assert_eq!(FaultCode::NO_FAULT.description(), "No fault");
    }

    #[test]
    fn acs_normalization_3_7_2_4() {
        assert_eq!(
            FaultCode(9033).normalized_for_acs(),
            FaultCode::REQUEST_DENIED
        );
        assert_eq!(
            FaultCode(9799).normalized_for_acs(),
            FaultCode::REQUEST_DENIED
        );
        assert_eq!(FaultCode(9800).normalized_for_acs(), FaultCode(9800));
        assert_eq!(FaultCode(9005).normalized_for_acs(), FaultCode(9005));
        assert_eq!(FaultCode(8100).normalized_for_acs(), FaultCode(8100));
        assert_eq!(FaultCode(42).normalized_for_acs(), FaultCode(42));
    }

    #[test]
    fn fault_type_text() {
        for (text, ty) in [
            ("Client", FaultType::Client),
            ("Server", FaultType::Server),
            ("SOAP-ENV:Client", FaultType::Client),
            ("soapenv:Server", FaultType::Server),
            (" \n\tSOAP-ENV:Server \r\n", FaultType::Server),
            ("Client.Authentication", FaultType::Client),
        ] {
            assert_eq!(FaultType::parse(text), Ok(ty), "{text:?}");
            assert_eq!(text.parse::<FaultType>(), Ok(ty));
        }
        for text in [
            "",
            "client",
            "SERVER",
            "VersionMismatch",
            "soap:MustUnderstand",
            ":",
            "Cli ent",
        ] {
            assert_eq!(FaultType::parse(text), Err(UnknownFaultType), "{text:?}");
        }
        assert_eq!(FaultType::Client.to_string(), "Client");
        assert_eq!(FaultType::Server.as_str(), "Server");
        assert!(!UnknownFaultType.to_string().is_empty());
    }
}
