//! The device application: a tiny static data model, and the answers to the ACS's requests
//! (GetParameterValues, SetParameterValues, Download, Reboot) given through `Cpe::respond`.

use cwmp_core::codec::message::{
    DownloadResponse, GetParameterValuesResponse, ParameterValueStruct, RebootResponse,
    SetParameterValuesResponse, SoapFault,
};
use cwmp_core::codec::{Array, Body, DateTimeValue, ItemSource, Value};
use cwmp_core::cpe::{AcsRequest, SendError, Transmit};
use cwmp_core::transfer::TransferKind;
use cwmp_core::Instant;

use crate::DeviceCpe;

/// Parameter names, in data-model order.
const NAMES: [&str; 7] = [
    "Device.DeviceInfo.Manufacturer",
    "Device.DeviceInfo.SoftwareVersion",
    "Device.DeviceInfo.ProvisioningCode",
    "Device.DeviceInfo.UpTime",
    "Device.ManagementServer.URL",
    "Device.ManagementServer.PeriodicInformInterval",
    "Device.ManagementServer.ParameterKey",
];
const SOFTWARE_VERSION: usize = 1;
const PROVISIONING_CODE: usize = 2;
const PERIODIC_INTERVAL: usize = 5;
const PARAMETER_KEY: usize = 6;

/// A short string kept in place (no allocation).
#[derive(Clone, Copy)]
pub struct Text<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Text<N> {
    pub const fn new() -> Self {
        Text {
            bytes: [0; N],
            len: 0,
        }
    }
    pub fn set(&mut self, s: &str) -> bool {
        match self.bytes.get_mut(..s.len()) {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                self.len = s.len();
                true
            }
            None => false,
        }
    }
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.bytes.get(..self.len).unwrap_or(&[])).unwrap_or("")
    }
}

/// The data model: what survives a reboot lives here (think: a flash page).
pub struct DataModel {
    pub acs_url: &'static str,
    pub software_version: &'static str,
    pub provisioning_code: Text<64>,
    pub periodic_interval: u32,
    pub parameter_key: Text<32>,
    pub boot_time: Instant,
    pub now: Instant,
}

impl DataModel {
    fn value(&self, i: usize) -> Option<ParameterValueStruct<'_>> {
        let v = match i {
            0 => Value::string("Acme"),
            1 => Value::string(self.software_version),
            2 => Value::string(self.provisioning_code.as_str()),
            3 => Value::UnsignedInt(
                self.now.saturating_duration_since(self.boot_time).as_secs() as u32
            ),
            4 => Value::string(self.acs_url),
            5 => Value::UnsignedInt(self.periodic_interval),
            6 => Value::string(self.parameter_key.as_str()),
            _ => return None,
        };
        Some(ParameterValueStruct::new(NAMES.get(i)?, v))
    }

    /// The Forced Inform parameters (§A.3.3.1) carried by every Inform.
    pub fn inform_parameters(&self) -> [ParameterValueStruct<'_>; 3] {
        [SOFTWARE_VERSION, PROVISIONING_CODE, PARAMETER_KEY].map(|i| {
            self.value(i)
                .unwrap_or(ParameterValueStruct::new("", Value::string("")))
        })
    }
}

/// The parameters a GetParameterValues selected (full names or partial paths ending in `.`),
/// produced on demand while the response is encoded: nothing is collected.
struct Selection<'m> {
    model: &'m DataModel,
    picked: [u8; NAMES.len()],
    len: usize,
}

impl<'m> ItemSource<ParameterValueStruct<'m>> for Selection<'m> {
    fn len(&self) -> usize {
        self.len
    }
    fn get(&self, index: usize) -> Option<ParameterValueStruct<'m>> {
        if index >= self.len {
            return None;
        }
        self.model.value(usize::from(*self.picked.get(index)?))
    }
}

/// Answers the ACS request with `Cpe::respond`, writing the POST into `tx`.
pub fn answer(
    cpe: &mut DeviceCpe,
    model: &mut DataModel,
    now: Instant,
    request: &AcsRequest<'_>,
    tx: &mut [u8],
) -> Result<Transmit, SendError<embedded_io::SliceWriteError>> {
    let mut w: &mut [u8] = tx;
    match request.body() {
        Body::GetParameterValues(gpv) => {
            let mut sel = Selection {
                model,
                picked: [0; NAMES.len()],
                len: 0,
            };
            for name in gpv.parameter_names.iter() {
                let before = sel.len;
                for (i, n) in NAMES.iter().enumerate() {
                    let hit = if name.raw().ends_with('.') || name.is_empty() {
                        n.starts_with(name.raw())
                    } else {
                        name.eq_str(n)
                    };
                    if hit && sel.len < sel.picked.len() {
                        sel.picked[sel.len] = i as u8;
                        sel.len += 1;
                    }
                }
                if sel.len == before {
                    let fault = SoapFault::new(9005, "Invalid parameter name");
                    return cpe.respond(now, Body::Fault(fault), &mut w);
                }
            }
            let reply = GetParameterValuesResponse {
                parameter_list: Array::from_source(&sel),
            };
            cpe.respond(now, reply.into(), &mut w)
        }
        Body::SetParameterValues(spv) => {
            // Validate everything first (SetParameterValues is all or nothing, §A.3.2.1).
            for p in spv.parameter_list.iter() {
                let ok = match p.value {
                    Some(Value::UnsignedInt(_)) => p.name.eq_str(NAMES[PERIODIC_INTERVAL]),
                    Some(Value::String(s)) => {
                        p.name.eq_str(NAMES[PROVISIONING_CODE]) && s.as_str().is_some()
                    }
                    _ => false,
                };
                if !ok {
                    let fault = SoapFault::new(9003, "Invalid arguments");
                    return cpe.respond(now, Body::Fault(fault), &mut w);
                }
            }
            for p in spv.parameter_list.iter() {
                match p.value {
                    Some(Value::UnsignedInt(v)) => model.periodic_interval = v,
                    Some(Value::String(s)) => {
                        model.provisioning_code.set(s.as_str().unwrap_or(""));
                    }
                    _ => {}
                }
            }
            // The ParameterKey is stored only now that the RPC succeeded (§A.3.2.1); the machine
            // keeps it in the persistent record, so it survives the reboots.
            let key = spv.parameter_key.as_str().unwrap_or("");
            if cpe.set_parameter_key(now, key).is_err() {
                let fault = SoapFault::new(9003, "ParameterKey too long");
                return cpe.respond(now, Body::Fault(fault), &mut w);
            }
            model.parameter_key.set(key);
            cpe.respond(now, SetParameterValuesResponse { status: 0 }.into(), &mut w)
        }
        Body::Download(d) => {
            let mut key = Text::<32>::new();
            key.set(d.command_key.as_str().unwrap_or(""));
            let queued = cpe.queue_transfer(
                now,
                TransferKind::Download,
                key.as_str(),
                d.file_type.as_str(),
                d.delay_seconds,
            );
            let reply: Body<'_> = match queued {
                // Status 1: the transfer happens after the Session; TransferComplete follows.
                Ok(_) => DownloadResponse {
                    status: 1,
                    start_time: DateTimeValue::UNKNOWN,
                    complete_time: DateTimeValue::UNKNOWN,
                }
                .into(),
                Err(_) => Body::Fault(SoapFault::new(9004, "Resources exceeded")),
            };
            cpe.respond(now, reply, &mut w)
        }
        Body::Reboot(r) => {
            let mut key = Text::<32>::new();
            key.set(r.command_key.as_str().unwrap_or(""));
            cpe.request_reboot(now, key.as_str());
            cpe.respond(now, RebootResponse {}.into(), &mut w)
        }
        _ => {
            let fault = SoapFault::new(9000, "Method not supported");
            cpe.respond(now, Body::Fault(fault), &mut w)
        }
    }
}
