#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
//! Fixtures shared by the benches: the messages of issue 3, built with our own encoder.
//!
//! Each fixture exists twice: as built messages whose arrays borrow the caller's items
//! ([`with_envelope`], what a CPE encodes from), and as the bytes our encoder writes for them
//! ([`inform_10`], [`gpv_response_200`], [`spv_20`], [`gpn_response_1000`]), which every decoder of
//! the comparison reads.

pub mod agent;

use cwmp_codec::datetime::{DateTime, Offset};
use cwmp_codec::message::{
    DeviceIdStruct, EventStruct, GetParameterNamesResponse, GetParameterValuesResponse, Inform,
    ParameterInfoStruct, ParameterValueStruct, SetParameterValues,
};
use cwmp_codec::{Array, Body, CwmpNamespace, DateTimeValue, Envelope, EventCode, Value, XmlStr};

/// The messages measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixture {
    /// An Inform (BOOT, PERIODIC) with a header ID and 10 parameters.
    Inform10,
    /// A GetParameterValuesResponse of 200 entries (about 34 KB).
    GpvResponse200,
    /// A SetParameterValues of 20 entries.
    Spv20,
    /// A GetParameterNamesResponse of 1,000 entries.
    GpnResponse1000,
}

impl Fixture {
    /// Every fixture, in report order.
    pub const ALL: [Fixture; 4] = [
        Fixture::Inform10,
        Fixture::GpvResponse200,
        Fixture::Spv20,
        Fixture::GpnResponse1000,
    ];

    /// Its name in bench ids.
    pub fn name(self) -> &'static str {
        match self {
            Fixture::Inform10 => "inform_10",
            Fixture::GpvResponse200 => "gpv_response_200",
            Fixture::Spv20 => "spv_20",
            Fixture::GpnResponse1000 => "gpn_response_1000",
        }
    }

    /// The bytes our encoder writes for it.
    pub fn bytes(self) -> Vec<u8> {
        with_envelope(self, |env| {
            let mut out = Vec::with_capacity(env.encoded_len().unwrap());
            env.encode(&mut VecWriter(&mut out)).unwrap();
            out
        })
    }
}

/// `Vec<u8>` as an `embedded_io::Write` sink (appends).
pub struct VecWriter<'v>(pub &'v mut Vec<u8>);

impl embedded_io::ErrorType for VecWriter<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Write for VecWriter<'_> {
    fn write(&mut self, data: &[u8]) -> Result<usize, Self::Error> {
        self.0.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Owned text of `n` parameters: names and string forms of their values.
struct Params {
    names: Vec<String>,
    texts: Vec<String>,
}

pub mod fmt_baseline;
pub mod session;

/// Realistic TR-098 names, values of every common type.
fn params(n: usize, prefix: &str) -> Params {
    const LEAVES: [&str; 10] = [
        "SSID",
        "Enable",
        "Channel",
        "BeaconType",
        "BasicEncryptionModes",
        "TotalBytesSent",
        "TotalBytesReceived",
        "Status",
        "LastChange",
        "X_ACME_Description",
    ];
    let mut names = Vec::with_capacity(n);
    let mut texts = Vec::with_capacity(n);
    for i in 0..n {
        names.push(format!(
            "{prefix}.LANDevice.1.WLANConfiguration.{}.{}",
            i / 10 + 1,
            LEAVES[i % 10]
        ));
        texts.push(format!("value {i}"));
    }
    Params { names, texts }
}

fn time() -> DateTime {
    DateTime::new(2024, 5, 17, 12, 30, 5)
        .and_then(|d| d.with_offset(Offset::Minutes(120)))
        .unwrap()
}

fn values<'a>(p: &'a Params) -> Vec<ParameterValueStruct<'a>> {
    p.names
        .iter()
        .zip(&p.texts)
        .enumerate()
        .map(|(i, (name, text))| {
            let value = match i % 10 {
                1 => Value::Boolean(i % 20 == 1),
                2 => Value::UnsignedInt(i as u32 % 13 + 1),
                5 | 6 => Value::UnsignedInt(1_000_000 + i as u32 * 7919),
                8 => Value::DateTime(time()),
                _ => Value::String(XmlStr::new(text)),
            };
            ParameterValueStruct {
                name: XmlStr::new(name),
                value: Some(value),
            }
        })
        .collect()
}

/// Builds the fixture's message (arrays borrowing slices) and hands it to `f`.
pub fn with_envelope<R>(fixture: Fixture, f: impl FnOnce(&Envelope<'_>) -> R) -> R {
    let ns = CwmpNamespace::V1_2;
    match fixture {
        Fixture::Inform10 => {
            let p = params(10, "InternetGatewayDevice");
            let list = values(&p);
            let events = [
                EventStruct::new(EventCode::Boot, ""),
                EventStruct::new(EventCode::Periodic, ""),
            ];
            let mut env = Envelope::new(
                ns,
                Body::Inform(Inform {
                    device_id: DeviceIdStruct {
                        manufacturer: XmlStr::new("ACME Networks"),
                        oui: XmlStr::new("00D09E"),
                        product_class: XmlStr::new("IGD"),
                        serial_number: XmlStr::new("SN-000123456"),
                    },
                    event: Array::new(&events),
                    max_envelopes: 1,
                    current_time: DateTimeValue::Valid(time()),
                    retry_count: 0.into(),
                    parameter_list: Array::new(&list),
                }),
            );
            env.header.id = Some(XmlStr::new("1234567890"));
            f(&env)
        }
        Fixture::GpvResponse200 => {
            let p = params(200, "InternetGatewayDevice");
            let list = values(&p);
            let mut env = Envelope::new(
                ns,
                Body::GetParameterValuesResponse(GetParameterValuesResponse {
                    parameter_list: Array::new(&list),
                }),
            );
            env.header.id = Some(XmlStr::new("1234567890"));
            f(&env)
        }
        Fixture::Spv20 => {
            let p = params(20, "InternetGatewayDevice");
            let list = values(&p);
            let mut env = Envelope::new(
                ns,
                Body::SetParameterValues(SetParameterValues {
                    parameter_list: Array::new(&list),
                    parameter_key: XmlStr::new("key-42"),
                }),
            );
            env.header.id = Some(XmlStr::new("1234567890"));
            f(&env)
        }
        Fixture::GpnResponse1000 => {
            let p = params(1000, "InternetGatewayDevice");
            let list: Vec<ParameterInfoStruct<'_>> = p
                .names
                .iter()
                .enumerate()
                .map(|(i, n)| ParameterInfoStruct {
                    name: XmlStr::new(n),
                    writable: i % 3 == 0,
                })
                .collect();
            let mut env = Envelope::new(
                ns,
                Body::GetParameterNamesResponse(GetParameterNamesResponse {
                    parameter_list: Array::new(&list),
                }),
            );
            env.header.id = Some(XmlStr::new("1234567890"));
            f(&env)
        }
    }
}

/// An Inform with 10 parameters, as our encoder writes it.
pub fn inform_10() -> Vec<u8> {
    Fixture::Inform10.bytes()
}

/// A 200-entry GetParameterValuesResponse (about 34 KB), as our encoder writes it.
pub fn gpv_response_200() -> Vec<u8> {
    Fixture::GpvResponse200.bytes()
}

/// A 20-entry SetParameterValues, as our encoder writes it.
pub fn spv_20() -> Vec<u8> {
    Fixture::Spv20.bytes()
}

/// A 1,000-entry GetParameterNamesResponse, as our encoder writes it.
pub fn gpn_response_1000() -> Vec<u8> {
    Fixture::GpnResponse1000.bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_decode_and_have_the_sizes_of_the_issue() {
        for f in Fixture::ALL {
            let bytes = f.bytes();
            let env = cwmp_codec::decode(&bytes).unwrap();
            assert_eq!(env.schema_deviation, None, "{}", f.name());
            println!("{}: {} bytes", f.name(), bytes.len());
        }
        let gpv = gpv_response_200().len();
        assert!(
            (30_000..=38_000).contains(&gpv),
            "gpv_response_200 is {gpv} bytes"
        );
        assert_eq!(inform_10(), Fixture::Inform10.bytes());
        assert!(!spv_20().is_empty() && !gpn_response_1000().is_empty());
    }
}

/// The walk the decode benches do after `decode`: every field entered, every leaf touched
/// through `black_box` (not formatted), so every lazy array is really parsed. Counts what it
/// sees.
#[derive(Debug, Default)]
pub struct CountingVisitor {
    /// Elements and array items entered, and leaves seen.
    pub seen: usize,
}

impl cwmp_codec::Visitor for CountingVisitor {
    fn enter(&mut self, name: &str) {
        std::hint::black_box(name);
        self.seen += 1;
    }
    fn enter_index(&mut self, _index: usize) {
        self.seen += 1;
    }
    fn leave(&mut self) {}
    fn value(&mut self, value: &dyn core::fmt::Display) {
        std::hint::black_box(value);
        self.seen += 1;
    }
}
