//! The std examples' data model (the `demo` and `cpe` examples): a TR-181 schema declared as
//! `const` [`Node`] tables (`Device.DeviceInfo.*` and the writable table
//! `Device.NAT.PortMapping.{i}.`) with its values in a `BTreeMap`, a backend of the agent's
//! [`DataModel`] interface. The RPCs (GetParameterNames, SetParameterValues atomicity,
//! attributes, AddObject/DeleteObject, Download, …) are the agent's
//! ([`cwmp_core::agent::Agent::answer`]), and so is `Device.ManagementServer.`.
//!
//! The values are kept as text (`name<TAB>value` a line, see [`Model::to_text`]) so a CPE can
//! persist them to a file without serde.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use cwmp_core::agent::{Capabilities, DataModel, Kind, Node, ParamType, TransferRequest};
use cwmp_core::codec::{FaultCode, Value};

const MANUFACTURER: u16 = 1;
const MANUFACTURER_OUI: u16 = 2;
const PRODUCT_CLASS: u16 = 3;
const SERIAL_NUMBER: u16 = 4;
const HARDWARE_VERSION: u16 = 5;
const SOFTWARE_VERSION: u16 = 6;
const PROVISIONING_CODE: u16 = 7;
const UPTIME: u16 = 8;
const PORT_MAPPING_COUNT: u16 = 20;
const PORT_MAPPING: u16 = 21;
const PM_ENABLE: u16 = 22;
const PM_EXTERNAL_PORT: u16 = 23;
const PM_INTERNAL_PORT: u16 = 24;
const PM_INTERNAL_CLIENT: u16 = 25;
const PM_PROTOCOL: u16 = 26;
const PM_DESCRIPTION: u16 = 27;

/// The most rows of `Device.NAT.PortMapping.{i}.` (AddObject beyond gets 9004).
pub const MAX_PORT_MAPPINGS: u32 = 64;

const PORT: ParamType = ParamType::UnsignedInt { min: 0, max: 65535 };

const DEVICE_INFO: &[Node] = &[
    Node::parameter("Manufacturer", MANUFACTURER, ParamType::string(64)),
    Node::parameter("ManufacturerOUI", MANUFACTURER_OUI, ParamType::string(6)),
    Node::parameter("ProductClass", PRODUCT_CLASS, ParamType::string(64)),
    Node::parameter("SerialNumber", SERIAL_NUMBER, ParamType::string(64)),
    Node::parameter("HardwareVersion", HARDWARE_VERSION, ParamType::string(64)).forced_inform(),
    Node::parameter("SoftwareVersion", SOFTWARE_VERSION, ParamType::string(64)).forced_inform(),
    Node::parameter("ProvisioningCode", PROVISIONING_CODE, ParamType::string(64))
        .writable()
        .forced_inform(),
    Node::parameter("UpTime", UPTIME, ParamType::UNSIGNED_INT).no_active(),
];

const PORT_MAPPING_ROW: &[Node] = &[
    Node::parameter("Enable", PM_ENABLE, ParamType::Boolean).writable(),
    Node::parameter("ExternalPort", PM_EXTERNAL_PORT, PORT).writable(),
    Node::parameter("InternalPort", PM_INTERNAL_PORT, PORT).writable(),
    Node::parameter("InternalClient", PM_INTERNAL_CLIENT, ParamType::string(45)).writable(),
    // TCP or UDP (9007 otherwise, `Model::check`).
    Node::parameter("Protocol", PM_PROTOCOL, ParamType::string(3)).writable(),
    Node::parameter("Description", PM_DESCRIPTION, ParamType::string(256)).writable(),
];

const NAT: &[Node] = &[
    Node::parameter(
        "PortMappingNumberOfEntries",
        PORT_MAPPING_COUNT,
        ParamType::UNSIGNED_INT,
    ),
    Node::table(
        "PortMapping",
        PORT_MAPPING,
        MAX_PORT_MAPPINGS,
        PORT_MAPPING_ROW,
    ),
];

/// `Device.`: the agent adds `Device.ManagementServer.` itself.
pub static DEVICE: Node = Node::object(
    "Device",
    0,
    &[
        Node::object("DeviceInfo", 0, DEVICE_INFO),
        Node::object("NAT", 0, NAT),
    ],
);

/// A Download the ACS asked for, waiting for its [`cwmp_core::Event::StartTransfer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDownload {
    /// CommandKey.
    pub command_key: String,
    /// Where to GET the file.
    pub url: String,
    /// Credentials for the file server (unused by the demo server).
    pub username: String,
    /// Password.
    pub password: String,
}

/// The identity the model starts with.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Manufacturer.
    pub manufacturer: String,
    /// OUI (six hex digits).
    pub oui: String,
    /// ProductClass.
    pub product_class: String,
    /// SerialNumber.
    pub serial: String,
    /// SoftwareVersion of the factory image.
    pub software_version: String,
}

/// A Parameter's value: the schema node and the Instance Numbers of its tables.
type Key = (u16, Vec<u32>);

/// The values behind [`DEVICE`].
#[derive(Debug, Clone)]
pub struct Model {
    values: BTreeMap<Key, String>,
    /// The rows of `Device.NAT.PortMapping.{i}.`.
    port_mappings: BTreeSet<u32>,
    next_instance: u32,
    /// Downloads accepted, by CommandKey, until started (persisted with the model: a queued
    /// transfer survives a reboot in the machine's record, its URL here).
    pub downloads: Vec<PendingDownload>,
    /// A firmware image installed but not yet running (applied by [`Model::boot`]).
    pub pending_software_version: Option<String>,
    booted_at: std::time::Instant,
}

/// The text of a decoded value (booleans `0`/`1`, strings unescaped).
pub fn value_text(v: &Value<'_>) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::UnsignedInt(i) => i.to_string(),
        Value::Long(i) => i.to_string(),
        Value::UnsignedLong(i) => i.to_string(),
        Value::Boolean(b) => u8::from(*b).to_string(),
        Value::DateTime(d) => d.to_string(),
        other => other
            .as_xml_str()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

/// The default of a PortMapping column for a new row (AddObject, §A.3.2.6).
fn row_default(id: u16) -> &'static str {
    match id {
        PM_ENABLE | PM_EXTERNAL_PORT | PM_INTERNAL_PORT => "0",
        PM_PROTOCOL => "TCP",
        _ => "",
    }
}

/// `text` as a value of `ty`, strings copied into `scratch`.
fn typed<'s>(ty: ParamType, text: &str, scratch: &'s mut [u8]) -> Option<Value<'s>> {
    Some(match ty {
        ParamType::Boolean => Value::Boolean(text == "1" || text == "true"),
        ParamType::UnsignedInt { .. } => Value::UnsignedInt(text.parse().ok()?),
        ParamType::Int { .. } => Value::Int(text.parse().ok()?),
        ParamType::UnsignedLong { .. } => Value::UnsignedLong(text.parse().ok()?),
        ParamType::Long { .. } => Value::Long(text.parse().ok()?),
        _ => {
            let dst = scratch.get_mut(..text.len())?;
            dst.copy_from_slice(text.as_bytes());
            Value::string(std::str::from_utf8(dst).ok()?)
        }
    })
}

impl Model {
    /// A factory-fresh model.
    pub fn new(id: &Identity) -> Self {
        let mut values = BTreeMap::new();
        for (k, v) in [
            (MANUFACTURER, &id.manufacturer),
            (MANUFACTURER_OUI, &id.oui),
            (PRODUCT_CLASS, &id.product_class),
            (SERIAL_NUMBER, &id.serial),
            (SOFTWARE_VERSION, &id.software_version),
        ] {
            values.insert((k, Vec::new()), v.clone());
        }
        values.insert((HARDWARE_VERSION, Vec::new()), "1.0".into());
        values.insert((PROVISIONING_CODE, Vec::new()), String::new());
        Model {
            values,
            port_mappings: BTreeSet::new(),
            next_instance: 1,
            downloads: Vec::new(),
            pending_software_version: None,
            booted_at: std::time::Instant::now(),
        }
    }

    /// The text of Parameter `name` of this model (not `ManagementServer.`, the agent's).
    pub fn get_text(&self, name: &str) -> Option<String> {
        let (node, inst) = find(name)?;
        let mut scratch = [0u8; 512];
        self.get(node, &inst, &mut scratch).map(|v| value_text(&v))
    }

    /// A power-up: UpTime restarts, an installed image becomes the running SoftwareVersion.
    /// Returns the new version when one was applied.
    pub fn boot(&mut self) -> Option<String> {
        self.booted_at = std::time::Instant::now();
        let v = self.pending_software_version.take()?;
        self.values
            .insert((SOFTWARE_VERSION, Vec::new()), v.clone());
        Some(v)
    }

    /// Serializes the model: the state lines starting with `!`, then one Parameter a line
    /// (`name<TAB>value`, `\` and newlines escaped).
    pub fn to_text(&self) -> String {
        let mut s = String::from("# cwmp-rs example CPE data model\n");
        let _ = writeln!(s, "!next_instance\t{}", self.next_instance);
        if let Some(v) = &self.pending_software_version {
            let _ = writeln!(s, "!pending_software_version\t{v}");
        }
        for d in &self.downloads {
            let _ = writeln!(
                s,
                "!download\t{}\t{}\t{}\t{}",
                d.command_key, d.url, d.username, d.password
            );
        }
        self.write_nodes(&mut s, DEVICE.name, DEVICE.children, &mut Vec::new());
        s
    }

    fn write_nodes(&self, s: &mut String, prefix: &str, nodes: &[Node], inst: &mut Vec<u32>) {
        for n in nodes {
            let name = format!("{prefix}.{}", n.name);
            match n.kind {
                Kind::Parameter(_) => {
                    // Computed values are not state.
                    if let Some(v) = self.values.get(&(n.id, inst.clone())) {
                        let v = v.replace('\\', "\\\\").replace('\n', "\\n");
                        let _ = writeln!(s, "{name}\t{v}");
                    }
                }
                Kind::Object => self.write_nodes(s, &name, n.children, inst),
                Kind::Table(_) => {
                    for i in self.port_mappings.iter().filter(|_| n.id == PORT_MAPPING) {
                        inst.push(*i);
                        self.write_nodes(s, &format!("{name}.{i}"), n.children, inst);
                        inst.pop();
                    }
                }
            }
        }
    }

    /// Reads what [`Model::to_text`] wrote over a factory-fresh model of `id`. Lines of the
    /// older format (`name<TAB>type<TAB>R|W<TAB>notification<TAB>value`) are read too; names
    /// the model does not hold (`Device.ManagementServer.*`, now in the agent's record, and
    /// computed values) are skipped.
    ///
    /// # Errors
    /// The first malformed line.
    pub fn from_text(id: &Identity, text: &str) -> Result<Self, String> {
        let mut m = Model::new(id);
        let mut next = 1u32;
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let bad = || format!("line {}: {line:?}", i + 1);
            let (name, value) = match f.as_slice() {
                ["!next_instance", n] => {
                    next = n.parse().map_err(|_| bad())?;
                    continue;
                }
                ["!pending_software_version", v] => {
                    m.pending_software_version = Some(v.to_string());
                    continue;
                }
                ["!download", key, url, user, pass] => {
                    m.downloads.push(PendingDownload {
                        command_key: key.to_string(),
                        url: url.to_string(),
                        username: user.to_string(),
                        password: pass.to_string(),
                    });
                    continue;
                }
                [name, value] | [name, _, _, _, value] => (*name, *value),
                _ => return Err(bad()),
            };
            let Some((node, inst)) = find(name) else {
                continue;
            };
            if let Some(&row) = inst.first() {
                m.port_mappings.insert(row);
                next = next.max(row.saturating_add(1));
            }
            if matches!(node.id, UPTIME | PORT_MAPPING_COUNT) {
                continue;
            }
            let value = value.replace("\\n", "\n").replace("\\\\", "\\");
            m.values.insert((node.id, inst), value);
        }
        m.next_instance = next;
        Ok(m)
    }
}

/// The schema node of Parameter `name` (`Device.NAT.PortMapping.3.Enable`) and its Instance
/// Numbers.
fn find(name: &str) -> Option<(&'static Node, Vec<u32>)> {
    let mut segs = name.strip_prefix("Device.")?.split('.');
    let mut nodes: &'static [Node] = DEVICE.children;
    let mut inst = Vec::new();
    while let Some(seg) = segs.next() {
        let n = nodes.iter().find(|n| n.name == seg)?;
        match n.kind {
            Kind::Parameter(_) => return segs.next().is_none().then_some((n, inst)),
            Kind::Object => nodes = n.children,
            Kind::Table(_) => {
                inst.push(segs.next()?.parse().ok()?);
                nodes = n.children;
            }
        }
    }
    None
}

impl DataModel for Model {
    fn root(&self) -> &'static Node {
        &DEVICE
    }

    fn instance(&self, table: &'static Node, _parents: &[u32], index: usize) -> Option<u32> {
        if table.id != PORT_MAPPING {
            return None;
        }
        self.port_mappings.iter().nth(index).copied()
    }

    fn has_instance(&self, table: &'static Node, _parents: &[u32], number: u32) -> bool {
        table.id == PORT_MAPPING && self.port_mappings.contains(&number)
    }

    fn get<'s>(&self, p: &'static Node, inst: &[u32], scratch: &'s mut [u8]) -> Option<Value<'s>> {
        let ty = p.param()?.ty;
        match p.id {
            UPTIME => Some(Value::UnsignedInt(
                u32::try_from(self.booted_at.elapsed().as_secs()).unwrap_or(u32::MAX),
            )),
            PORT_MAPPING_COUNT => Some(Value::UnsignedInt(
                u32::try_from(self.port_mappings.len()).unwrap_or(u32::MAX),
            )),
            id => typed(ty, self.values.get(&(id, inst.to_vec()))?, scratch),
        }
    }

    /// A PortMapping's Protocol is `TCP` or `UDP`.
    fn check(&self, p: &'static Node, _inst: &[u32], value: &Value<'_>) -> Result<(), FaultCode> {
        if p.id == PM_PROTOCOL && !matches!(value_text(value).as_str(), "TCP" | "UDP") {
            return Err(FaultCode::INVALID_PARAMETER_VALUE);
        }
        Ok(())
    }

    fn set(&mut self, p: &'static Node, inst: &[u32], value: &Value<'_>) {
        self.values.insert((p.id, inst.to_vec()), value_text(value));
    }

    fn add_instance(&mut self, table: &'static Node, _parents: &[u32]) -> Result<u32, FaultCode> {
        if table.id != PORT_MAPPING {
            return Err(FaultCode::REQUEST_DENIED);
        }
        if self.port_mappings.len() >= MAX_PORT_MAPPINGS as usize {
            return Err(FaultCode::RESOURCES_EXCEEDED);
        }
        let n = self.next_instance;
        self.next_instance = n.checked_add(1).ok_or(FaultCode::RESOURCES_EXCEEDED)?;
        self.port_mappings.insert(n);
        for c in table.children {
            self.values
                .insert((c.id, vec![n]), row_default(c.id).to_string());
        }
        Ok(n)
    }

    fn delete_instance(&mut self, table: &'static Node, inst: &[u32]) -> Result<(), FaultCode> {
        let n = inst.last().copied().unwrap_or(0);
        if table.id != PORT_MAPPING || !self.port_mappings.remove(&n) {
            return Err(FaultCode::INVALID_PARAMETER_NAME);
        }
        self.values.retain(|(_, i), _| i.as_slice() != [n]);
        Ok(())
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            download: true,
            factory_reset: true,
            ..Capabilities::default()
        }
    }

    /// Firmware images over plain HTTP only (this driver has no TLS): 9003 for another
    /// FileType, 9013 for another scheme. The URL is kept for `Event::StartTransfer`.
    fn accept_transfer(&mut self, r: &TransferRequest<'_>) -> Result<(), FaultCode> {
        if !r.file_type.eq_str("1 Firmware Upgrade Image") {
            return Err(FaultCode::INVALID_ARGUMENTS);
        }
        let url = r.url.to_string();
        if !url.starts_with("http://") {
            return Err(FaultCode::UNSUPPORTED_PROTOCOL_FOR_FILE_TRANSFER);
        }
        self.downloads.push(PendingDownload {
            command_key: r.command_key.to_string(),
            url,
            username: r.username.to_string(),
            password: r.password.to_string(),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity {
            manufacturer: "Acme".into(),
            oui: "00D09E".into(),
            product_class: "Box".into(),
            serial: "1".into(),
            software_version: "1.0.0".into(),
        }
    }

    #[test]
    fn rows_and_text_round_trip() {
        let mut m = Model::new(&identity());
        let table = find("Device.NAT.PortMapping.1.Enable").unwrap().0;
        assert_eq!(table.id, PM_ENABLE);
        let pm = &NAT[1];
        assert_eq!(m.add_instance(pm, &[]), Ok(1));
        assert_eq!(m.add_instance(pm, &[]), Ok(2));
        assert_eq!(m.delete_instance(pm, &[1]), Ok(()));
        assert_eq!(
            m.delete_instance(pm, &[1]),
            Err(FaultCode::INVALID_PARAMETER_NAME)
        );
        m.set(
            &PORT_MAPPING_ROW[3],
            &[2],
            &Value::string("192.168.1.10\nx"),
        );
        assert_eq!(
            m.get_text("Device.NAT.PortMappingNumberOfEntries")
                .as_deref(),
            Some("1")
        );
        let text = m.to_text();
        assert!(text.contains("Device.NAT.PortMapping.2.Protocol\tTCP\n"));
        let back = Model::from_text(&identity(), &text).unwrap();
        assert_eq!(back.values, m.values);
        assert_eq!(back.port_mappings, m.port_mappings);
        // Numbers are never reused, also across the text.
        let mut back = back;
        assert_eq!(back.add_instance(pm, &[]), Ok(3));
        // The older five-column format is read; ManagementServer lines are skipped.
        let old = "Device.DeviceInfo.ProvisioningCode\tstring\tW\t0\tlab\n\
                   Device.ManagementServer.URL\tstring\tW\t0\thttp://x/\n";
        let m = Model::from_text(&identity(), old).unwrap();
        assert_eq!(
            m.get_text("Device.DeviceInfo.ProvisioningCode").as_deref(),
            Some("lab")
        );
        assert!(Model::from_text(&identity(), "a\tb\tc\n").is_err());
    }
}
