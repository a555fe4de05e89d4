//! Stack depth of the codec alone (issue 3): `Envelope::encode` (with `encoded_len`) and
//! `decode` followed by a walk of every field, of the messages the benches measure
//! (`benches/src/lib.rs`), each run on freshly painted stack ([`stack::measure`]).
//!
//! The messages are built here and encoded into a buffer the size of the device program's
//! receive buffer (8 KiB), then decoded from it, so the arrays that would not fit are shorter
//! than the benches' (a 40-entry GetParameterValuesResponse instead of 200): stack depth does
//! not grow with an array's length (the decoder validates arrays in a loop, and a decoded array
//! is re-read lazily one member at a time), which the `gpv_response_5`/`_40` and the 200-entry
//! encode show. Names repeat (ten TR-098 leaves) since there is no allocator to format them.
//!
//! The worst case of decoding is `nested` (`fixtures/nested.xml`): a SetParameterAttributes
//! at every limit of `cwmp_codec::limits` at once (element depth 32, 16 namespace bindings,
//! 32 attributes) with two levels of lazy arrays (ParameterList, then AccessList).

use core::fmt::{self, Display, Write as _};

use cortex_m_semihosting::hprintln;
use cwmp_core::codec::datetime::{DateTime, Offset};
use cwmp_core::codec::message::{
    CwmpFault, DeviceIdStruct, EventStruct, GetParameterNamesResponse, GetParameterValuesResponse,
    Inform, ParameterInfoStruct, ParameterValueStruct, SetParameterAttributes, SetParameterValues,
    SetParameterValuesFault, SoapFault,
};
use cwmp_core::codec::{
    decode, decode_into, Array, Body, CwmpNamespace, DateTimeValue, Envelope, EventCode,
    ItemSource, Repeated, Value, XmlStr,
};

use cwmp_firmware_example::stack;

use crate::Failure;

/// The legal envelope at the decoder's limits; `fixtures/gen.sh` writes it.
static NESTED: &[u8] = include_bytes!("../../../fixtures/nested.xml");
/// What a walk of [`NESTED`] sees: the header ID, 4 fields and 2 AccessList strings.
const NESTED_LEAVES: usize = 7;

/// The messages measured.
#[derive(Clone, Copy)]
enum Msg {
    /// An Inform (BOOT, PERIODIC) with 10 parameters.
    Inform10,
    /// A GetParameterValuesResponse with this many entries.
    Gpv(usize),
    /// A SetParameterValues with 20 entries.
    Spv20,
    /// A GetParameterNamesResponse with this many entries.
    Gpn(usize),
    /// A SetParameterValues fault (9003) with 20 SetParameterValuesFault entries.
    FaultSpv20,
}

/// What is encoded, then decoded: the messages of the benches, with the arrays that fit.
const DECODED: [Msg; 6] = [
    Msg::Inform10,
    Msg::Gpv(5),
    Msg::Gpv(40),
    Msg::Spv20,
    Msg::Gpn(45),
    Msg::FaultSpv20,
];
/// `encoded_len` only (no buffer holds them): the benches' full sizes.
const ENCODED_ONLY: [Msg; 2] = [Msg::Gpv(200), Msg::Gpn(1000)];

impl Msg {
    fn print_name(self) -> Name {
        Name(self)
    }
}

struct Name(Msg);

impl Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Msg::Inform10 => f.write_str("inform_10"),
            Msg::Gpv(n) => write!(f, "gpv_response_{n}"),
            Msg::Spv20 => f.write_str("spv_20"),
            Msg::Gpn(n) => write!(f, "gpn_response_{n}"),
            Msg::FaultSpv20 => f.write_str("fault_spv_20"),
        }
    }
}

/// TR-098 leaves, as in the benches.
const NAMES: [&str; 10] = [
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Enable",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.BeaconType",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.BasicEncryptionModes",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.TotalBytesSent",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.TotalBytesReceived",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Status",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.LastChange",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.X_ACME_Description",
];

fn name(i: usize) -> &'static str {
    NAMES.get(i % NAMES.len()).copied().unwrap_or("")
}

fn time() -> DateTime {
    DateTime::new(2024, 5, 17, 12, 30, 5)
        .and_then(|d| d.with_offset(Offset::Minutes(120)))
        .unwrap_or(DateTime::UNKNOWN)
}

/// `n` parameters with values of every common type, made on demand (nothing is collected).
struct Params(usize);

impl<'m> ItemSource<ParameterValueStruct<'m>> for Params {
    fn len(&self) -> usize {
        self.0
    }
    fn get(&self, i: usize) -> Option<ParameterValueStruct<'m>> {
        (i < self.0).then(|| ParameterValueStruct {
            name: XmlStr::new(name(i)),
            value: Some(match i % 10 {
                1 => Value::Boolean(i % 20 == 1),
                2 => Value::UnsignedInt(i as u32 % 13 + 1),
                5 | 6 => Value::UnsignedInt(1_000_000 + i as u32 * 7919),
                8 => Value::DateTime(time()),
                _ => Value::String(XmlStr::new("value <&> 42")),
            }),
        })
    }
}

impl<'m> ItemSource<ParameterInfoStruct<'m>> for Params {
    fn len(&self) -> usize {
        self.0
    }
    fn get(&self, i: usize) -> Option<ParameterInfoStruct<'m>> {
        (i < self.0).then(|| ParameterInfoStruct {
            name: XmlStr::new(name(i)),
            writable: i.is_multiple_of(3),
        })
    }
}

impl<'m> ItemSource<SetParameterValuesFault<'m>> for Params {
    fn len(&self) -> usize {
        self.0
    }
    fn get(&self, i: usize) -> Option<SetParameterValuesFault<'m>> {
        (i < self.0).then(|| SetParameterValuesFault {
            parameter_name: XmlStr::new(name(i)),
            fault_code: 9007,
            fault_string: Some(XmlStr::new("Invalid parameter value")),
        })
    }
}

/// Builds `msg` (arrays streamed from [`Params`]) and hands it to `f`.
fn with_envelope<R>(msg: Msg, f: impl FnOnce(&Envelope<'_>) -> R) -> R {
    let events = [
        EventStruct::new(EventCode::Boot, ""),
        EventStruct::new(EventCode::Periodic, ""),
    ];
    let params = Params(match msg {
        Msg::Inform10 => 10,
        Msg::Spv20 | Msg::FaultSpv20 => 20,
        Msg::Gpv(n) | Msg::Gpn(n) => n,
    });
    let body = match msg {
        Msg::Inform10 => Body::Inform(Inform {
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
            parameter_list: Array::from_source(&params),
        }),
        Msg::Gpv(_) => Body::GetParameterValuesResponse(GetParameterValuesResponse {
            parameter_list: Array::from_source(&params),
        }),
        Msg::Spv20 => Body::SetParameterValues(SetParameterValues {
            parameter_list: Array::from_source(&params),
            parameter_key: XmlStr::new("key-42"),
        }),
        Msg::Gpn(_) => Body::GetParameterNamesResponse(GetParameterNamesResponse {
            parameter_list: Array::from_source(&params),
        }),
        Msg::FaultSpv20 => Body::Fault(SoapFault {
            detail: CwmpFault {
                set_parameter_values_fault: Repeated::from_source(&params),
                ..SoapFault::new(9003, "Invalid arguments").detail
            },
            ..SoapFault::new(9003, "Invalid arguments")
        }),
    };
    let mut env = Envelope::new(CwmpNamespace::V1_2, body);
    env.header.id = Some(XmlStr::new("1234567890"));
    f(&env)
}

/// A walk over every field of the messages measured (through the public fields and array
/// iterators: `Envelope::visit` would link a visitor for every CWMP message, 10 KiB of flash):
/// each leaf value is formatted (strings unescaped, numbers and times written out) into a
/// running checksum.
#[derive(Default, PartialEq, Eq, Clone, Copy)]
struct Walk {
    leaves: usize,
    bytes: usize,
    /// FNV-1a of the values' text.
    hash: u32,
}

impl Walk {
    /// Walks `env`; `None` for a message this walk does not know.
    fn of(env: &Envelope<'_>) -> Option<Walk> {
        let mut w = Walk {
            hash: 0x811c_9dc5,
            ..Walk::default()
        };
        if let Some(id) = &env.header.id {
            w.leaf(id);
        }
        // One function per message, as a receiver has one handler per message: in one
        // function, every message's array iterators (a reader each, 392 bytes) were reserved
        // in its frame at once.
        match &env.body {
            Body::Inform(m) => w.inform(m),
            Body::GetParameterValuesResponse(m) => w.values(&m.parameter_list),
            Body::SetParameterValues(m) => {
                w.values(&m.parameter_list);
                w.leaf(&m.parameter_key);
            }
            Body::GetParameterNamesResponse(m) => w.names(m),
            Body::Fault(f) => w.fault(f),
            Body::SetParameterAttributes(m) => w.attributes(m),
            _ => return None,
        }
        Some(w)
    }

    #[inline(never)]
    fn inform(&mut self, m: &Inform<'_>) {
        let d = &m.device_id;
        for s in [&d.manufacturer, &d.oui, &d.product_class, &d.serial_number] {
            self.leaf(s);
        }
        self.events(&m.event);
        self.leaf(&m.max_envelopes);
        self.leaf(&m.current_time);
        self.leaf(&m.retry_count);
        self.values(&m.parameter_list);
    }

    /// Its own function, as `values` is: an array loop's iterator (400 bytes: a reader) keeps
    /// its slot in the frame of the function it is in, under every call that function makes
    /// after the loop (here `values` and its iterator).
    #[inline(never)]
    fn events<'a>(&mut self, events: &Array<'a, EventStruct<'a>>) {
        for e in events.iter() {
            self.leaf(&e.event_code);
            self.leaf(&e.command_key);
        }
    }

    #[inline(never)]
    fn names(&mut self, m: &GetParameterNamesResponse<'_>) {
        for p in m.parameter_list.iter() {
            self.leaf(&p.name);
            self.leaf(&p.writable);
        }
    }

    #[inline(never)]
    fn fault(&mut self, f: &SoapFault<'_>) {
        self.leaf(&f.faultcode);
        self.leaf(&f.faultstring);
        self.leaf(&f.detail.fault_code);
        self.opt(&f.detail.fault_string);
        for p in f.detail.set_parameter_values_fault.iter() {
            self.leaf(&p.parameter_name);
            self.leaf(&p.fault_code);
            self.opt(&p.fault_string);
        }
    }

    #[inline(never)]
    fn attributes(&mut self, m: &SetParameterAttributes<'_>) {
        for p in m.parameter_list.iter() {
            self.leaf(&p.name);
            self.leaf(&p.notification_change);
            self.leaf(&p.notification);
            self.leaf(&p.access_list_change);
            self.strings(&p.access_list);
        }
    }

    /// The inner array of `attributes`, in its own function for the reason `events` is:
    /// inside the outer loop, its iterator's slot was under every item the outer iterator
    /// decodes (and a `for` loop there kept the iterator twice: 1,392 B for that frame).
    #[inline(never)]
    fn strings<'a>(&mut self, list: &Array<'a, XmlStr<'a>>) {
        for s in list.iter() {
            self.leaf(&s);
        }
    }

    #[inline(never)]
    fn values<'a>(&mut self, list: &Array<'a, ParameterValueStruct<'a>>) {
        for p in list.iter() {
            self.leaf(&p.name);
            self.opt(&p.value);
        }
    }

    fn opt(&mut self, v: &Option<impl Display>) {
        if let Some(v) = v {
            self.leaf(v);
        }
    }

    fn leaf(&mut self, value: &dyn Display) {
        self.leaves += 1;
        let _ = write!(self, "{value}");
    }
}

impl fmt::Write for Walk {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.bytes += s.len();
        for b in s.bytes() {
            self.hash = (self.hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        Ok(())
    }
}

/// `encoded_len` then `encode` of `msg` into `buf`; returns the length and the walk of the
/// built message (taken outside the measurement), to compare with the decoded one.
fn encode_into(msg: Msg, buf: &mut [u8]) -> Result<(usize, Walk), Failure> {
    let mut out = Err(Failure("not run"));
    let d = stack::measure(&mut || {
        out = with_envelope(msg, |env| {
            let len = env
                .encoded_len()
                .map_err(|_| Failure("encoded_len failed"))?;
            let mut w: &mut [u8] = &mut *buf;
            env.encode(&mut w)
                .map_err(|_| Failure("message does not fit the buffer"))?;
            Ok(len)
        });
    });
    let len = out?;
    hprintln!(
        "stack encode {}: {} bytes ({} from the top of RAM; {} B message)",
        msg.print_name(),
        d.own,
        d.total,
        len
    );
    let walk = with_envelope(msg, Walk::of).ok_or(Failure("no walk for this message"))?;
    Ok((len, walk))
}

/// `decode_into` then a [`Walk`] of `bytes` (what a receiver does: cwmp-core's `Cpe` decodes
/// into its own envelope slot), and each of the two alone; then `decode`, which returns the
/// envelope by value, alone.
fn decode_walk(
    label: &dyn Display,
    bytes: &[u8],
    expect: impl Fn(&Walk) -> bool,
) -> Result<(), Failure> {
    let mut out = Err(Failure("not run"));
    let d = stack::measure(&mut || {
        let mut env = Envelope::new(CwmpNamespace::V1_2, Body::Empty);
        out = match decode_into(bytes, &mut env) {
            Ok(()) if env.schema_deviation.is_none() => {
                Walk::of(&env).ok_or(Failure("no walk for this message"))
            }
            Ok(()) => Err(Failure("decoded with a schema deviation")),
            Err(_) => Err(Failure("did not decode")),
        };
    });
    let walk = out?;
    if !expect(&walk) {
        return Err(Failure("the decoded message is not the one encoded"));
    }
    // The two halves: `decode_into` alone (the envelope kept by the caller), then the walk.
    let mut env = Envelope::new(CwmpNamespace::V1_2, Body::Empty);
    let mut ok = false;
    let alone = stack::measure(&mut || ok = decode_into(bytes, &mut env).is_ok());
    if !ok {
        return Err(Failure("did not decode"));
    }
    let mut again = None;
    let walk_alone = stack::measure(&mut || again = Walk::of(&env));
    if again != Some(walk) {
        return Err(Failure("a second walk differs"));
    }
    let mut by_value = None;
    let returned = stack::measure(&mut || by_value = decode(bytes).ok());
    if by_value.as_ref() != Some(&env) {
        return Err(Failure("decode and decode_into differ"));
    }
    hprintln!(
        "stack decode {}: {} bytes ({} from the top of RAM; decode alone {}, walk alone {}, decode by value {}; {} B, walked {} leaves, {} B of text)",
        label,
        d.own,
        d.total,
        alone.own,
        walk_alone.own,
        returned.own,
        bytes.len(),
        walk.leaves,
        walk.bytes
    );
    Ok(())
}

/// Measures encode and decode of every message, using `buf` (8 KiB, the size of the device
/// program's receive buffer) for the encoded bytes.
pub fn codec(buf: &mut [u8]) -> Result<(), Failure> {
    for msg in DECODED {
        let (len, built) = encode_into(msg, buf)?;
        let bytes = buf.get(..len).ok_or(Failure("bad length"))?;
        decode_walk(&msg.print_name(), bytes, |w| *w == built)?;
    }
    for msg in ENCODED_ONLY {
        // `encoded_len` is `encode` through a counting writer (the same code path); another
        // writer type would link a second copy of the encoder.
        let mut out = Err(Failure("not run"));
        let d = stack::measure(&mut || {
            out = with_envelope(msg, |env| {
                env.encoded_len().map_err(|_| Failure("encoded_len"))
            });
        });
        let len = out?;
        hprintln!(
            "stack encode {}: {} bytes ({} from the top of RAM; {} B message, encoded_len only)",
            msg.print_name(),
            d.own,
            d.total,
            len
        );
    }
    decode_walk(&"nested", NESTED, |w| w.leaves == NESTED_LEAVES)
}
