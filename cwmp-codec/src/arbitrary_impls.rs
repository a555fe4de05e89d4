//! `arbitrary::Arbitrary` for the values the message macro cannot derive (feature
//! `arbitrary`). Every generated value survives encode → decode unchanged: strings hold only
//! characters XML can carry, typed values are in range, enumerations use their wire forms.
//!
//! Schema facets on plain strings (lengths, the OUI pattern, paths ending in `.`) are not
//! imposed: a fuzzer wants those broken too.

use alloc::vec::Vec;

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::array::{Array, ArrayItem, Repeated};
use crate::datetime::{DateTime, Offset};
use crate::event::EventCode;
use crate::field::DecodeElement;
use crate::filetype::*;
use crate::message::{CwmpFault, Envelope, Header, SoapFault};
use crate::value::{Base64, DateTimeValue, UnsignedIntValue, Value};
use crate::version::CwmpNamespace;
use crate::xml::XmlStr;

/// Arrays and repeated fields hold at most this many generated items.
const MAX_ITEMS: usize = 8;

fn xml_char(c: char) -> bool {
    matches!(u32::from(c), 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

impl<'a> Arbitrary<'a> for XmlStr<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let s: &'a str = u.arbitrary()?;
        let end = s
            .char_indices()
            .find(|&(_, c)| !xml_char(c))
            .map_or(s.len(), |(i, _)| i);
        Ok(XmlStr::new(s.get(..end).unwrap_or_default()))
    }
}

fn items<'a, T: Arbitrary<'a>>(u: &mut Unstructured<'a>, min: usize) -> Result<Vec<T>> {
    let n = u.int_in_range(min..=MAX_ITEMS)?;
    (0..n).map(|_| T::arbitrary(u)).collect()
}

impl<'a, T: ArrayItem<'a> + Arbitrary<'a>> Arbitrary<'a> for Array<'a, T> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut v: Vec<T> = items(u, 0)?;
        // Within the schema's maxOccurs (2 TimeWindowStruct, …): a conforming message.
        v.truncate(usize::try_from(T::MAX_OCCURS).unwrap_or(usize::MAX));
        Ok(Array::owned(v))
    }
}

impl<'a, T: DecodeElement<'a> + Clone + Arbitrary<'a>> Arbitrary<'a> for Repeated<'a, T> {
    /// At least one item: every repeated field of the schema has `minOccurs="1"` or more.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Repeated::owned(items(u, 1)?))
    }
}

impl<'a> Arbitrary<'a> for DateTime {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let year = u.int_in_range(1u16..=9999)?;
        let month = u.int_in_range(1u8..=12)?;
        let day = u.int_in_range(1u8..=28)?;
        let (h, m, s) = (
            u.int_in_range(0u8..=23)?,
            u.int_in_range(0u8..=59)?,
            u.int_in_range(0u8..=59)?,
        );
        let nanos = if u.arbitrary()? {
            u.int_in_range(0u32..=999_999_999)?
        } else {
            0
        };
        let offset = match u.int_in_range(0u8..=2)? {
            0 => Offset::Utc,
            1 => Offset::Minutes(u.int_in_range(-840i16..=840)?),
            _ => Offset::Unspecified,
        };
        DateTime::new(year, month, day, h, m, s)
            .and_then(|d| d.with_nanos(nanos))
            .and_then(|d| d.with_offset(offset))
            .ok_or(arbitrary::Error::IncorrectFormat)
    }
}

/// Malformed times real peers send (INTEROP V7).
const BAD_TIMES: &[&str] = &[
    "",
    "0000-00-00T00:00:00",
    "2019-03-05T11:54::14",
    "yesterday",
];

impl<'a> Arbitrary<'a> for DateTimeValue<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if u.ratio(1u8, 8)? {
            Ok(DateTimeValue::Invalid(XmlStr::new(u.choose(BAD_TIMES)?)))
        } else {
            Ok(DateTimeValue::Valid(u.arbitrary()?))
        }
    }
}

/// Texts that are not an `unsignedInt` (issue 13: none of them may decode as a number).
const BAD_UNSIGNED: &[&str] = &["9010x", "-9010", "4294967296", "", "foo", "1.5", "0x10"];

impl<'a> Arbitrary<'a> for UnsignedIntValue<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if u.ratio(1u8, 8)? {
            Ok(UnsignedIntValue::Invalid(XmlStr::new(
                u.choose(BAD_UNSIGNED)?,
            )))
        } else {
            Ok(UnsignedIntValue::Valid(u.arbitrary()?))
        }
    }
}

/// XML Schema types the decoder keeps as [`Value::Other`].
const OTHER_TYPES: &[&str] = &["decimal", "float", "double", "anyURI", "duration", "short"];

impl<'a> Arbitrary<'a> for Value<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0u8..=9)? {
            0 => Value::Int(u.arbitrary()?),
            1 => Value::UnsignedInt(u.arbitrary()?),
            2 => Value::Long(u.arbitrary()?),
            3 => Value::UnsignedLong(u.arbitrary()?),
            4 => Value::Boolean(u.arbitrary()?),
            5 => Value::DateTime(u.arbitrary()?),
            6 => Value::Base64(u.arbitrary()?),
            7 => Value::HexBinary(u.arbitrary()?),
            8 => Value::Other {
                type_name: u.choose(OTHER_TYPES)?,
                text: u.arbitrary()?,
            },
            _ => Value::String(u.arbitrary()?),
        })
    }
}

impl<'a> Arbitrary<'a> for Base64<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Base64(u.arbitrary()?))
    }
}

const EVENTS: &[EventCode<'static>] = &[
    EventCode::Bootstrap,
    EventCode::Boot,
    EventCode::Periodic,
    EventCode::Scheduled,
    EventCode::ValueChange,
    EventCode::Kicked,
    EventCode::ConnectionRequest,
    EventCode::TransferComplete,
    EventCode::DiagnosticsComplete,
    EventCode::RequestDownload,
    EventCode::AutonomousTransferComplete,
    EventCode::DuStateChangeComplete,
    EventCode::AutonomousDuStateChangeComplete,
    EventCode::Wakeup,
    EventCode::Heartbeat,
    EventCode::MReboot,
    EventCode::MScheduleInform,
    EventCode::MDownload,
    EventCode::MScheduleDownload,
    EventCode::MUpload,
    EventCode::MChangeDuState,
    EventCode::MVendor("M X_00D09E_Reprovision"),
    EventCode::Vendor("X 00D09E LinkFlap"),
    EventCode::Vendor("X ACME-COM Tamper"),
];

impl<'a> Arbitrary<'a> for EventCode<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(*u.choose(EVENTS)?)
    }
}

/// A vendor value `X <OUI> <id>` (§A.3.2.8 and the other FileType lists).
const VENDOR: &str = "X 00D09E ConfigBlob";

macro_rules! choose_standard {
    ($($t:ident),*) => {$(
        impl<'a> Arbitrary<'a> for $t<'a> {
            fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
                let all = $t::STANDARD;
                let i = u.choose_index(all.len().saturating_add(1))?;
                Ok(all.get(i).copied().unwrap_or($t::parse(VENDOR)))
            }
        }
    )*};
}
choose_standard!(DownloadFileType, RequestDownloadFileType, WindowMode);

macro_rules! choose_closed {
    ($($t:ident),*) => {$(
        impl<'a> Arbitrary<'a> for $t<'a> {
            fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
                Ok(*u.choose($t::STANDARD)?)
            }
        }
    )*};
}
choose_closed!(DuState, OperationPerformed);

impl<'a> Arbitrary<'a> for UploadFileType<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0u8..=4)? {
            0 => UploadFileType::VendorConfigurationFile,
            1 => UploadFileType::VendorLogFile,
            2 => UploadFileType::VendorConfigurationFileInstance(u.int_in_range(1..=u32::MAX)?),
            3 => UploadFileType::VendorLogFileInstance(u.int_in_range(1..=u32::MAX)?),
            _ => UploadFileType::parse(VENDOR),
        })
    }
}

impl<'a> Arbitrary<'a> for TransferFileType<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0u8..=9)? {
            0 => TransferFileType::FirmwareUpgradeImage,
            1 => TransferFileType::WebContent,
            2 => TransferFileType::VendorConfigurationFile,
            3 => TransferFileType::VendorLogFile,
            4 => TransferFileType::ToneFile,
            5 => TransferFileType::RingerFile,
            6 => TransferFileType::VendorConfigurationFileInstance(u.int_in_range(1..=u32::MAX)?),
            7 => TransferFileType::VendorLogFileInstance(u.int_in_range(1..=u32::MAX)?),
            8 => TransferFileType::StoredFirmwareImage,
            _ => TransferFileType::parse(VENDOR),
        })
    }
}

impl<'a> Arbitrary<'a> for SoapFault<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let detail: CwmpFault<'a> = u.arbitrary()?;
        Ok(SoapFault {
            faultcode: XmlStr::new(u.choose(&["Client", "Server"])?),
            faultstring: XmlStr::new("CWMP fault"),
            detail,
        })
    }
}

const VERSION_LISTS: &[&str] = &["1.0", "1.0,1.1,1.2,1.3,1.4", "1.2,1.4", "1.4"];
const VERSIONS: &[&str] = &["1.0", "1.1", "1.2", "1.3", "1.4"];

impl<'a> Arbitrary<'a> for Header<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let pick =
            |u: &mut Unstructured<'a>, list: &[&'static str]| -> Result<Option<XmlStr<'a>>> {
                Ok(if u.arbitrary()? {
                    Some(XmlStr::new(u.choose(list)?))
                } else {
                    None
                })
            };
        Ok(Header {
            id: u.arbitrary()?,
            hold_requests: u.arbitrary()?,
            session_timeout: u.arbitrary()?,
            supported_cwmp_versions: pick(u, VERSION_LISTS)?,
            use_cwmp_version: pick(u, VERSIONS)?,
            no_more_requests: None,
        })
    }
}

impl<'a> Arbitrary<'a> for Envelope<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let ns = *u.choose(&[
            CwmpNamespace::V1_0,
            CwmpNamespace::V1_1,
            CwmpNamespace::V1_2,
        ])?;
        Ok(Envelope {
            cwmp_ns: ns,
            header: u.arbitrary()?,
            body: u.arbitrary()?,
            schema_deviation: None,
            schema_deviation_count: 0,
            last_schema_deviation: None,
        })
    }
}
