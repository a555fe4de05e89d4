//! The device application: its data model, declared as `const` tables and answered by the
//! agent (`cwmp_core::agent`). This is all a firmware writes: the schema, and `get` / `set` /
//! `check` behind it. Every RPC's rules (GetParameterNames, SetParameterValues atomicity,
//! attributes, value change, `ManagementServer.`) are the library's.

use cwmp_core::agent::{Capabilities, DataModel, Node, ParamType, TransferRequest};
use cwmp_core::codec::FaultCode;
use cwmp_core::codec::Value;
use cwmp_core::Instant;

const MANUFACTURER: u16 = 1;
const SOFTWARE_VERSION: u16 = 2;
const PROVISIONING_CODE: u16 = 3;
const UPTIME: u16 = 4;

const DEVICE_INFO: &[Node] = &[
    Node::parameter("Manufacturer", MANUFACTURER, ParamType::string(64)),
    Node::parameter("SoftwareVersion", SOFTWARE_VERSION, ParamType::string(64)).forced_inform(),
    Node::parameter("ProvisioningCode", PROVISIONING_CODE, ParamType::string(64))
        .writable()
        .forced_inform(),
    Node::parameter("UpTime", UPTIME, ParamType::UNSIGNED_INT).no_active(),
];

/// `Device.`: the agent adds `Device.ManagementServer.` itself.
pub static DEVICE: Node = Node::object("Device", 0, &[Node::object("DeviceInfo", 0, DEVICE_INFO)]);

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

/// The firmware's values behind the schema.
pub struct Model {
    pub software_version: &'static str,
    pub provisioning_code: Text<64>,
    /// The URL of the accepted Download, fetched on `Event::StartTransfer`.
    pub download_url: Text<128>,
    pub boot_time: Instant,
    pub now: Instant,
}

fn copy<'s>(s: &str, scratch: &'s mut [u8]) -> Option<Value<'s>> {
    let dst = scratch.get_mut(..s.len())?;
    dst.copy_from_slice(s.as_bytes());
    Some(Value::string(core::str::from_utf8(dst).ok()?))
}

impl DataModel for Model {
    fn root(&self) -> &'static Node {
        &DEVICE
    }

    fn instance(&self, _table: &'static Node, _parents: &[u32], _index: usize) -> Option<u32> {
        None // no multi-instance objects in this model
    }

    fn get<'s>(&self, p: &'static Node, _inst: &[u32], scratch: &'s mut [u8]) -> Option<Value<'s>> {
        match p.id {
            MANUFACTURER => Some(Value::string("Acme")),
            SOFTWARE_VERSION => Some(Value::string(self.software_version)),
            PROVISIONING_CODE => copy(self.provisioning_code.as_str(), scratch),
            UPTIME => Some(Value::UnsignedInt(
                self.now.saturating_duration_since(self.boot_time).as_secs() as u32,
            )),
            _ => None,
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            download: true,
            ..Capabilities::default()
        }
    }

    /// Downloads of firmware images only; where from is kept for `Event::StartTransfer`.
    fn accept_transfer(&mut self, r: &TransferRequest<'_>) -> Result<(), FaultCode> {
        if !r.file_type.eq_str("1 Firmware Upgrade Image") {
            return Err(FaultCode::INVALID_ARGUMENTS);
        }
        let mut buf = [0u8; 256];
        let url = r
            .url
            .unescape_into(&mut buf)
            .map_err(|_| FaultCode::INVALID_ARGUMENTS)?;
        if !self.download_url.set(url) {
            return Err(FaultCode::INVALID_ARGUMENTS);
        }
        Ok(())
    }

    fn set(&mut self, p: &'static Node, _inst: &[u32], v: &Value<'_>) {
        if p.id == PROVISIONING_CODE {
            let mut buf = [0u8; 64];
            if let Some(s) = v.as_xml_str().and_then(|x| x.unescape_into(&mut buf).ok()) {
                self.provisioning_code.set(s);
            }
        }
    }
}
