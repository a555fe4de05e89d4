//! A small in-memory TR-181 data model for the std CPE (the `demo` and `cpe` examples):
//! `Device.DeviceInfo.*`, `Device.ManagementServer.*` and a writable table
//! `Device.NAT.PortMapping.{i}.`, with the CPE side of GetParameterNames, GetParameterValues
//! (streamed through [`Array::from_source`]), SetParameterValues, Get/SetParameterAttributes,
//! AddObject, DeleteObject, Download, Reboot, FactoryReset and GetRPCMethods, each with the
//! faults of TR-069 Table 87 (9005 for an unknown name, 9008 for a read-only one, 9006 for a
//! value of the wrong type, 9003 with per-Parameter faults for SetParameterValues).
//!
//! The model is kept as text (`name<TAB>type<TAB>R|W<TAB>notification<TAB>value` a line, see
//! [`DataModel::to_text`]) so a CPE can persist it to a file or "flash" without serde.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use cwmp_codec::array::{ItemSource, Repeated};
use cwmp_codec::message::{
    AddObjectResponse, DeleteObjectResponse, DownloadResponse, FactoryResetResponse,
    GetParameterAttributesResponse, GetParameterNamesResponse, GetParameterValuesResponse,
    GetRPCMethodsResponse, ParameterAttributeStruct, ParameterInfoStruct, ParameterValueStruct,
    RebootResponse, SetParameterAttributesResponse, SetParameterValuesFault,
    SetParameterValuesResponse, SoapFault,
};
use cwmp_codec::{Array, Body, DateTimeValue, Value, XmlStr};
use cwmp_core::cpe::Cpe;
use cwmp_core::schedule::{
    HeartbeatPolicy, PeriodicInformConfig, PeriodicInformTime, MIN_HEARTBEAT_INTERVAL,
};
use cwmp_core::transfer::TransferKind;
use cwmp_core::Instant;

/// The type of a Parameter (the `xsi:type` written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// `xsd:string`.
    Str,
    /// `xsd:unsignedInt`.
    UInt,
    /// `xsd:boolean`.
    Bool,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Str => "string",
            Ty::UInt => "unsignedInt",
            Ty::Bool => "boolean",
        }
    }

    fn parse(s: &str) -> Option<Ty> {
        Some(match s {
            "string" => Ty::Str,
            "unsignedInt" => Ty::UInt,
            "boolean" => Ty::Bool,
            _ => return None,
        })
    }

    /// Normalizes `text` as a value of this type, `None` if it is not one.
    fn check(self, text: &str) -> Option<String> {
        match self {
            Ty::Str => Some(text.to_string()),
            Ty::UInt => text.trim().parse::<u32>().ok().map(|v| v.to_string()),
            Ty::Bool => match text.trim() {
                "1" | "true" => Some("1".into()),
                "0" | "false" => Some("0".into()),
                _ => None,
            },
        }
    }
}

/// One Parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The value as text (booleans `0`/`1`).
    pub value: String,
    /// Its type.
    pub ty: Ty,
    /// Writable by the ACS.
    pub writable: bool,
    /// Notification attribute (0 off, 1 passive, 2 active).
    pub notification: i32,
}

/// A Parameter's name, value and type.
pub type Valued = (String, String, Ty);

/// The table of the model (multi-instance object the ACS may add to and delete from).
pub const PORT_MAPPING: &str = "Device.NAT.PortMapping.";

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

/// What a request changed that the driver must act on besides the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SideEffects {
    /// PeriodicInform* changed: call [`Cpe::set_periodic`] with [`DataModel::periodic`].
    pub periodic_changed: bool,
    /// HeartbeatPolicy.* changed: call [`Cpe::set_heartbeat_policy`] with
    /// [`DataModel::heartbeat`].
    pub heartbeat_changed: bool,
    /// ManagementServer.URL changed.
    pub acs_url_changed: bool,
}

/// The model.
#[derive(Debug, Clone)]
pub struct DataModel {
    params: BTreeMap<String, Param>,
    next_instance: u32,
    /// Downloads accepted, by CommandKey, until started (persisted with the model: a queued
    /// transfer survives a reboot in the machine's record, its URL here).
    pub downloads: Vec<PendingDownload>,
    /// A firmware image installed but not yet running (applied by [`DataModel::boot`]).
    pub pending_software_version: Option<String>,
    booted_at: std::time::Instant,
}

fn p(value: &str, ty: Ty, writable: bool) -> Param {
    Param {
        value: value.to_string(),
        ty,
        writable,
        notification: 0,
    }
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

impl DataModel {
    /// A factory-fresh model.
    pub fn new(id: &Identity, acs_url: &str, cr_url: &str, cr_user: &str, cr_pass: &str) -> Self {
        let mut params = BTreeMap::new();
        let mut add = |n: &str, v: Param| {
            params.insert(n.to_string(), v);
        };
        add(
            "Device.DeviceInfo.Manufacturer",
            p(&id.manufacturer, Ty::Str, false),
        );
        add(
            "Device.DeviceInfo.ManufacturerOUI",
            p(&id.oui, Ty::Str, false),
        );
        add(
            "Device.DeviceInfo.ProductClass",
            p(&id.product_class, Ty::Str, false),
        );
        add(
            "Device.DeviceInfo.SerialNumber",
            p(&id.serial, Ty::Str, false),
        );
        add(
            "Device.DeviceInfo.HardwareVersion",
            p("1.0", Ty::Str, false),
        );
        add(
            "Device.DeviceInfo.SoftwareVersion",
            p(&id.software_version, Ty::Str, false),
        );
        add("Device.DeviceInfo.ProvisioningCode", p("", Ty::Str, true));
        add("Device.DeviceInfo.UpTime", p("0", Ty::UInt, false));
        add("Device.ManagementServer.URL", p(acs_url, Ty::Str, true));
        add("Device.ManagementServer.Username", p("", Ty::Str, true));
        add("Device.ManagementServer.Password", p("", Ty::Str, true));
        add(
            "Device.ManagementServer.PeriodicInformEnable",
            p("0", Ty::Bool, true),
        );
        add(
            "Device.ManagementServer.PeriodicInformInterval",
            p("3600", Ty::UInt, true),
        );
        add(
            "Device.ManagementServer.HeartbeatPolicy.Enable",
            p("0", Ty::Bool, true),
        );
        add(
            "Device.ManagementServer.HeartbeatPolicy.ReportingInterval",
            p("30", Ty::UInt, true),
        );
        add(
            "Device.ManagementServer.ParameterKey",
            p("", Ty::Str, false),
        );
        add(
            "Device.ManagementServer.ConnectionRequestURL",
            p(cr_url, Ty::Str, false),
        );
        add(
            "Device.ManagementServer.ConnectionRequestUsername",
            p(cr_user, Ty::Str, true),
        );
        add(
            "Device.ManagementServer.ConnectionRequestPassword",
            p(cr_pass, Ty::Str, true),
        );
        add(
            "Device.NAT.PortMappingNumberOfEntries",
            p("0", Ty::UInt, false),
        );
        DataModel {
            params,
            next_instance: 1,
            downloads: Vec::new(),
            pending_software_version: None,
            booted_at: std::time::Instant::now(),
        }
    }

    /// The value of a Parameter (UpTime is computed).
    pub fn get(&self, name: &str) -> Option<String> {
        if name == "Device.DeviceInfo.UpTime" {
            return Some(self.booted_at.elapsed().as_secs().to_string());
        }
        self.params.get(name).map(|p| p.value.clone())
    }

    /// Sets a Parameter locally (not an ACS write: no checks). Creates it as a string if new.
    pub fn set_local(&mut self, name: &str, value: &str) {
        match self.params.get_mut(name) {
            Some(p) => p.value = value.to_string(),
            None => {
                self.params
                    .insert(name.to_string(), p(value, Ty::Str, false));
            }
        }
    }

    /// A power-up: UpTime restarts, an installed image becomes the running SoftwareVersion.
    /// Returns the new version when one was applied.
    pub fn boot(&mut self) -> Option<String> {
        self.booted_at = std::time::Instant::now();
        let v = self.pending_software_version.take()?;
        self.set_local("Device.DeviceInfo.SoftwareVersion", &v);
        Some(v)
    }

    /// The periodic Inform configuration of `ManagementServer`.
    pub fn periodic(&self) -> PeriodicInformConfig {
        PeriodicInformConfig {
            enable: self
                .get("Device.ManagementServer.PeriodicInformEnable")
                .as_deref()
                == Some("1"),
            interval: self
                .get("Device.ManagementServer.PeriodicInformInterval")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            time: PeriodicInformTime::Unknown,
        }
    }

    /// The HeartbeatPolicy of `ManagementServer` (Annex O; InitiationTime not modelled: Unknown
    /// Time).
    pub fn heartbeat(&self) -> HeartbeatPolicy {
        HeartbeatPolicy {
            enable: self
                .get("Device.ManagementServer.HeartbeatPolicy.Enable")
                .as_deref()
                == Some("1"),
            reporting_interval: self
                .get("Device.ManagementServer.HeartbeatPolicy.ReportingInterval")
                .and_then(|v| v.parse().ok())
                .unwrap_or(30),
            initiation_time: PeriodicInformTime::Unknown,
        }
    }

    /// The Forced Inform Parameters (TR-181 Device:2, Table "Forced Inform") with their values.
    /// Every Inform carries these only, so a HEARTBEAT Inform needs nothing else (Annex O.1).
    pub fn inform_parameters(&self) -> Vec<(String, String, Ty)> {
        [
            "Device.DeviceInfo.HardwareVersion",
            "Device.DeviceInfo.SoftwareVersion",
            "Device.DeviceInfo.ProvisioningCode",
            "Device.ManagementServer.ParameterKey",
            "Device.ManagementServer.ConnectionRequestURL",
        ]
        .iter()
        .filter_map(|n| {
            let p = self.params.get(*n)?;
            Some((n.to_string(), p.value.clone(), p.ty))
        })
        .collect()
    }

    /// Every object path (ending in `.`) and Parameter name, in order, with writability
    /// (objects: the table is writable for AddObject, its instances for DeleteObject).
    fn nodes(&self) -> Vec<(String, bool)> {
        let mut objects: BTreeMap<String, bool> = BTreeMap::new();
        for name in self.params.keys() {
            let mut end = 0;
            while let Some(i) = name[end..].find('.') {
                end += i + 1;
                if end == name.len() {
                    break;
                }
                let obj = &name[..end];
                let writable = obj == PORT_MAPPING
                    || (obj.starts_with(PORT_MAPPING) && obj.len() > PORT_MAPPING.len());
                objects.insert(obj.to_string(), writable);
            }
        }
        // Tables exist even when empty.
        objects.insert(PORT_MAPPING.to_string(), true);
        objects.insert("Device.NAT.".to_string(), false);
        let mut all: Vec<(String, bool)> = objects.into_iter().collect();
        all.extend(self.params.iter().map(|(n, p)| (n.clone(), p.writable)));
        all.sort();
        all
    }

    fn is_object(&self, path: &str) -> bool {
        path.is_empty() || self.nodes().iter().any(|(n, _)| n == path)
    }

    /// GetParameterNames (§A.3.2.3).
    fn names(&self, path: &str, next_level: bool) -> Result<Vec<(String, bool)>, u32> {
        // STOPGAP (issue 14 item 3, defect of issue 11): `""` with NextLevel=true names only
        // the root object (A.3.2.3, DIGEST §12.2); listing the root's children instead made
        // GenieACS's later `refreshObject "Device"` crash its worker. The agent of issue 11
        // replaces this logic; take its version at merge.
        if path.is_empty() && next_level {
            return Ok(vec![("Device.".to_string(), false)]);
        }
        let path = if path.is_empty() { "Device." } else { path };
        if !path.ends_with('.') {
            return match self.params.get(path) {
                Some(_) if next_level => Err(9003),
                Some(p) => Ok(vec![(path.to_string(), p.writable)]),
                None => Err(9005),
            };
        }
        if !self.is_object(path) {
            return Err(9005);
        }
        Ok(self
            .nodes()
            .into_iter()
            .filter(|(n, _)| {
                if !n.starts_with(path) {
                    return false;
                }
                let rest = &n[path.len()..];
                if next_level {
                    // Direct children only: a Parameter, or an object one level down.
                    !rest.is_empty()
                        && match rest.find('.') {
                            None => true,
                            Some(i) => i + 1 == rest.len(),
                        }
                } else {
                    true
                }
            })
            .collect())
    }

    /// What the ACS reads: passwords read as empty strings (TR-181 "hidden" values).
    fn read(&self, name: &str) -> String {
        if name.ends_with("Password") {
            return String::new();
        }
        self.get(name).unwrap_or_default()
    }

    /// GetParameterValues (§A.3.2.2): full names and partial paths.
    fn values(&self, names: &[String]) -> Result<Vec<Valued>, (u32, String)> {
        let mut out = Vec::new();
        for name in names {
            let name = if name.is_empty() { "Device." } else { name };
            if name.ends_with('.') {
                if !self.is_object(name) {
                    return Err((9005, format!("no object {name}")));
                }
                for (n, p) in self.params.range(name.to_string()..) {
                    if !n.starts_with(name) {
                        break;
                    }
                    out.push((n.clone(), self.read(n), p.ty));
                }
            } else {
                let p = self
                    .params
                    .get(name)
                    .ok_or((9005, format!("no parameter {name}")))?;
                out.push((name.to_string(), self.read(name), p.ty));
            }
        }
        Ok(out)
    }

    /// Adds an instance to the table; returns its number.
    fn add_instance(&mut self, object: &str) -> Result<u32, u32> {
        if object != PORT_MAPPING {
            return Err(9005);
        }
        let i = self.next_instance;
        self.next_instance += 1;
        for (col, v, ty) in [
            ("Enable", "0", Ty::Bool),
            ("ExternalPort", "0", Ty::UInt),
            ("InternalPort", "0", Ty::UInt),
            ("InternalClient", "", Ty::Str),
            ("Protocol", "TCP", Ty::Str),
            ("Description", "", Ty::Str),
        ] {
            self.params
                .insert(format!("{PORT_MAPPING}{i}.{col}"), p(v, ty, true));
        }
        self.recount();
        Ok(i)
    }

    fn delete_instance(&mut self, object: &str) -> Result<(), u32> {
        let is_instance = object
            .strip_prefix(PORT_MAPPING)
            .and_then(|r| r.strip_suffix('.'))
            .is_some_and(|n| n.parse::<u32>().is_ok());
        if !is_instance || !self.params.keys().any(|k| k.starts_with(object)) {
            return Err(9005);
        }
        self.params.retain(|k, _| !k.starts_with(object));
        self.recount();
        Ok(())
    }

    fn recount(&mut self) {
        let n: std::collections::BTreeSet<&str> = self
            .params
            .keys()
            .filter_map(|k| k.strip_prefix(PORT_MAPPING))
            .filter_map(|r| r.split('.').next())
            .collect();
        let n = n.len().to_string();
        self.set_local("Device.NAT.PortMappingNumberOfEntries", &n);
    }

    /// Serializes the model: one Parameter a line, plus the state lines starting with `!`.
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
        for (n, p) in &self.params {
            let _ = writeln!(
                s,
                "{n}\t{}\t{}\t{}\t{}",
                p.ty.name(),
                if p.writable { "W" } else { "R" },
                p.notification,
                p.value.replace('\\', "\\\\").replace('\n', "\\n")
            );
        }
        s
    }

    /// Reads what [`to_text`](Self::to_text) wrote.
    ///
    /// # Errors
    /// The first malformed line.
    pub fn from_text(text: &str) -> Result<Self, String> {
        let mut m = DataModel {
            params: BTreeMap::new(),
            next_instance: 1,
            downloads: Vec::new(),
            pending_software_version: None,
            booted_at: std::time::Instant::now(),
        };
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.splitn(5, '\t').collect();
            let bad = || format!("line {}: {line:?}", i + 1);
            match f.as_slice() {
                ["!next_instance", n] => m.next_instance = n.parse().map_err(|_| bad())?,
                ["!pending_software_version", v] => {
                    m.pending_software_version = Some(v.to_string())
                }
                ["!download", key, url, user, pass] => m.downloads.push(PendingDownload {
                    command_key: key.to_string(),
                    url: url.to_string(),
                    username: user.to_string(),
                    password: pass.to_string(),
                }),
                [name, ty, rw, notif, value] => {
                    let param = Param {
                        ty: Ty::parse(ty).ok_or_else(bad)?,
                        writable: *rw == "W",
                        notification: notif.parse().map_err(|_| bad())?,
                        value: value.replace("\\n", "\n").replace("\\\\", "\\"),
                    };
                    m.params.insert(name.to_string(), param);
                }
                _ => return Err(bad()),
            }
        }
        Ok(m)
    }

    /// Answers one ACS request (the CPE's side of Annex A). Requests that need the machine
    /// (Download, Reboot, FactoryReset) call it. Returns the answer (to pass to
    /// [`Reply::body`]) and what the driver must do besides.
    pub fn handle(
        &mut self,
        cpe: &mut Cpe,
        now: Instant,
        request: &Body<'_>,
    ) -> (Reply, SideEffects) {
        let mut fx = SideEffects::default();
        let reply = match request {
            Body::GetRPCMethods(_) => Reply::RpcMethods,
            Body::GetParameterNames(g) => {
                match self.names(&g.parameter_path.to_string(), g.next_level) {
                    Ok(list) => Reply::Names(list),
                    Err(code) => Reply::fault(code, "Invalid parameter name"),
                }
            }
            Body::GetParameterValues(g) => {
                let names: Vec<String> = g.parameter_names.iter().map(|n| n.to_string()).collect();
                match self.values(&names) {
                    Ok(list) => Reply::Values(list),
                    Err((code, text)) => Reply::fault(code, &text),
                }
            }
            Body::GetParameterAttributes(g) => {
                let names: Vec<String> = g.parameter_names.iter().map(|n| n.to_string()).collect();
                match self.values(&names) {
                    Ok(list) => Reply::Attributes(
                        list.into_iter()
                            .map(|(n, _, _)| {
                                let notif = self.params.get(&n).map_or(0, |p| p.notification);
                                (n, notif)
                            })
                            .collect(),
                    ),
                    Err((code, text)) => Reply::fault(code, &text),
                }
            }
            Body::SetParameterAttributes(s) => {
                let mut missing = None;
                for a in s.parameter_list.iter() {
                    let name = a.name.to_string();
                    let matched: Vec<String> = self
                        .params
                        .keys()
                        .filter(|k| **k == name || (name.ends_with('.') && k.starts_with(&name)))
                        .cloned()
                        .collect();
                    if matched.is_empty() {
                        missing = Some(name);
                        break;
                    }
                    if a.notification_change {
                        for k in matched {
                            if let Some(p) = self.params.get_mut(&k) {
                                p.notification = a.notification;
                            }
                        }
                    }
                }
                match missing {
                    Some(n) => Reply::fault(9005, &format!("no parameter {n}")),
                    None => Reply::AttributesSet,
                }
            }
            Body::SetParameterValues(s) => self.set_values(s, &mut fx),
            Body::AddObject(a) => match self.add_instance(&a.object_name.to_string()) {
                Ok(i) => {
                    self.set_local(
                        "Device.ManagementServer.ParameterKey",
                        &a.parameter_key.to_string(),
                    );
                    Reply::Added(i)
                }
                Err(code) => Reply::fault(code, "Not a writable table"),
            },
            Body::DeleteObject(d) => match self.delete_instance(&d.object_name.to_string()) {
                Ok(()) => {
                    self.set_local(
                        "Device.ManagementServer.ParameterKey",
                        &d.parameter_key.to_string(),
                    );
                    Reply::Deleted
                }
                Err(code) => Reply::fault(code, "No such instance"),
            },
            Body::Download(d) => {
                let url = d.url.to_string();
                let key = d.command_key.to_string();
                if d.file_type.as_str() != "1 Firmware Upgrade Image" {
                    Reply::fault(9003, "Only firmware images are supported")
                } else if !url.starts_with("http://") {
                    Reply::fault(9013, "Unsupported protocol for file transfer")
                } else {
                    match cpe.queue_transfer(
                        now,
                        TransferKind::Download,
                        &key,
                        d.file_type.as_str(),
                        d.delay_seconds,
                    ) {
                        Ok(_) => {
                            self.downloads.push(PendingDownload {
                                command_key: key,
                                url,
                                username: d.username.to_string(),
                                password: d.password.to_string(),
                            });
                            Reply::DownloadQueued
                        }
                        Err(e) => {
                            Reply::fault(e.fault_code().unwrap_or(9002), "Transfer queue full")
                        }
                    }
                }
            }
            Body::Reboot(r) => {
                cpe.request_reboot(now, &r.command_key.to_string());
                Reply::Rebooting
            }
            Body::FactoryReset(_) => {
                cpe.request_factory_reset(now);
                Reply::Resetting
            }
            _ => Reply::fault(9000, "Method not supported"),
        };
        if matches!(reply, Reply::Set | Reply::Added(_) | Reply::Deleted) {
            // The machine keeps ParameterKey in its persistent record too (§A.3.2.1).
            let key = self
                .get("Device.ManagementServer.ParameterKey")
                .unwrap_or_default();
            let _ = cpe.set_parameter_key(now, &key);
        }
        (reply, fx)
    }

    fn set_values(
        &mut self,
        s: &cwmp_codec::message::SetParameterValues<'_>,
        fx: &mut SideEffects,
    ) -> Reply {
        let mut faults = Vec::new();
        let mut updates = Vec::new();
        for pv in s.parameter_list.iter() {
            let name = pv.name.to_string();
            let text = pv.value.as_ref().map(value_text).unwrap_or_default();
            match self.params.get(&name) {
                None => faults.push((name, 9005, "Invalid parameter name")),
                Some(p) if !p.writable => {
                    faults.push((name, 9008, "Attempt to set a non-writable parameter"))
                }
                Some(p) => match p.ty.check(&text) {
                    None => faults.push((name, 9006, "Invalid parameter type")),
                    // HeartbeatPolicy.ReportingInterval is unsignedInt[20:].
                    Some(v)
                        if name == "Device.ManagementServer.HeartbeatPolicy.ReportingInterval"
                            && v.parse::<u32>().is_ok_and(|n| n < MIN_HEARTBEAT_INTERVAL) =>
                    {
                        faults.push((name, 9007, "Invalid parameter value"))
                    }
                    Some(v) => updates.push((name, v)),
                },
            }
        }
        if !faults.is_empty() {
            return Reply::SetFault(faults);
        }
        for (name, v) in updates {
            fx.periodic_changed |= name.starts_with("Device.ManagementServer.PeriodicInform");
            fx.heartbeat_changed |= name.starts_with("Device.ManagementServer.HeartbeatPolicy.");
            fx.acs_url_changed |= name == "Device.ManagementServer.URL";
            self.set_local(&name, &v);
        }
        self.set_local(
            "Device.ManagementServer.ParameterKey",
            &s.parameter_key.to_string(),
        );
        Reply::Set
    }
}

/// The text of a decoded value.
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

/// An answer, owned, turned into a [`Body`] by [`Reply::body`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// GetRPCMethodsResponse.
    RpcMethods,
    /// GetParameterNamesResponse.
    Names(Vec<(String, bool)>),
    /// GetParameterValuesResponse.
    Values(Vec<(String, String, Ty)>),
    /// GetParameterAttributesResponse.
    Attributes(Vec<(String, i32)>),
    /// SetParameterAttributesResponse.
    AttributesSet,
    /// SetParameterValuesResponse, Status 0 (applied).
    Set,
    /// Fault 9003 with per-Parameter faults.
    SetFault(Vec<(String, u32, &'static str)>),
    /// AddObjectResponse.
    Added(u32),
    /// DeleteObjectResponse.
    Deleted,
    /// DownloadResponse Status 1 (queued).
    DownloadQueued,
    /// RebootResponse.
    Rebooting,
    /// FactoryResetResponse.
    Resetting,
    /// A fault.
    Fault(u32, String),
}

/// The methods the CPE answers (GetRPCMethodsResponse).
pub const RPC_METHODS: &[&str] = &[
    "GetRPCMethods",
    "GetParameterNames",
    "GetParameterValues",
    "SetParameterValues",
    "GetParameterAttributes",
    "SetParameterAttributes",
    "AddObject",
    "DeleteObject",
    "Download",
    "Reboot",
    "FactoryReset",
];

/// Produces GetParameterValuesResponse items on demand (the streaming path of the codec).
pub struct ValuesSource<'a> {
    items: &'a [(String, String, Ty)],
    /// Items produced (the encoder asks twice: the length pass and the write).
    pub produced: RefCell<usize>,
}

impl<'a> ItemSource<ParameterValueStruct<'a>> for ValuesSource<'a> {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn get(&self, index: usize) -> Option<ParameterValueStruct<'a>> {
        let (name, value, ty) = self.items.get(index)?;
        *self.produced.borrow_mut() += 1;
        let v = match ty {
            Ty::Str => Value::string(value),
            Ty::UInt => Value::UnsignedInt(value.parse().unwrap_or(0)),
            Ty::Bool => Value::Boolean(value == "1"),
        };
        Some(ParameterValueStruct::new(name, v))
    }
}

/// Storage the [`Body`] of a [`Reply`] borrows.
pub struct ReplyStore<'a> {
    values: Option<ValuesSource<'a>>,
    names: Vec<ParameterInfoStruct<'a>>,
    attributes: Vec<ParameterAttributeStruct<'a>>,
    methods: Vec<XmlStr<'static>>,
    spv_faults: Vec<SetParameterValuesFault<'a>>,
}

impl<'a> ReplyStore<'a> {
    /// Prepares what `reply`'s body borrows.
    pub fn new(reply: &'a Reply) -> Self {
        let mut s = ReplyStore {
            values: None,
            names: Vec::new(),
            attributes: Vec::new(),
            methods: Vec::new(),
            spv_faults: Vec::new(),
        };
        match reply {
            Reply::Values(v) => {
                s.values = Some(ValuesSource {
                    items: v,
                    produced: RefCell::new(0),
                })
            }
            Reply::Names(n) => {
                s.names = n
                    .iter()
                    .map(|(name, w)| ParameterInfoStruct {
                        name: XmlStr::new(name),
                        writable: *w,
                    })
                    .collect()
            }
            Reply::Attributes(a) => {
                s.attributes = a
                    .iter()
                    .map(|(name, n)| ParameterAttributeStruct {
                        name: XmlStr::new(name),
                        notification: *n,
                        access_list: Array::empty(),
                    })
                    .collect()
            }
            Reply::RpcMethods => s.methods = RPC_METHODS.iter().map(|m| XmlStr::new(m)).collect(),
            Reply::SetFault(f) => {
                s.spv_faults = f
                    .iter()
                    .map(|(name, code, text)| SetParameterValuesFault {
                        parameter_name: XmlStr::new(name),
                        fault_code: *code,
                        fault_string: Some(XmlStr::new(text)),
                    })
                    .collect()
            }
            _ => {}
        }
        s
    }
}

impl Reply {
    fn fault(code: u32, text: &str) -> Reply {
        Reply::Fault(code, text.to_string())
    }

    /// The answer as a message, borrowing `store` (made from this reply).
    pub fn body<'a>(&'a self, store: &'a ReplyStore<'a>) -> Body<'a> {
        match self {
            Reply::RpcMethods => GetRPCMethodsResponse {
                method_list: Array::new(&store.methods),
            }
            .into(),
            Reply::Names(_) => GetParameterNamesResponse {
                parameter_list: Array::new(&store.names),
            }
            .into(),
            Reply::Values(_) => match &store.values {
                Some(src) => GetParameterValuesResponse {
                    parameter_list: Array::from_source(src),
                }
                .into(),
                None => GetParameterValuesResponse {
                    parameter_list: Array::empty(),
                }
                .into(),
            },
            Reply::Attributes(_) => GetParameterAttributesResponse {
                parameter_list: Array::new(&store.attributes),
            }
            .into(),
            Reply::AttributesSet => SetParameterAttributesResponse {}.into(),
            Reply::Set => SetParameterValuesResponse { status: 0 }.into(),
            Reply::SetFault(_) => {
                let mut f = SoapFault::new(9003, "Invalid arguments");
                f.detail.set_parameter_values_fault = Repeated::new(&store.spv_faults);
                Body::Fault(f)
            }
            Reply::Added(i) => AddObjectResponse {
                instance_number: *i,
                status: 0,
            }
            .into(),
            Reply::Deleted => DeleteObjectResponse { status: 0 }.into(),
            Reply::DownloadQueued => DownloadResponse {
                status: 1,
                start_time: DateTimeValue::UNKNOWN,
                complete_time: DateTimeValue::UNKNOWN,
            }
            .into(),
            Reply::Rebooting => RebootResponse {}.into(),
            Reply::Resetting => FactoryResetResponse {}.into(),
            Reply::Fault(code, text) => Body::Fault(SoapFault::new(*code, text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> DataModel {
        DataModel::new(
            &Identity {
                manufacturer: "Acme".into(),
                oui: "00D09E".into(),
                product_class: "Box".into(),
                serial: "1".into(),
                software_version: "1.0.0".into(),
            },
            "http://acs/",
            "http://cr/",
            "u",
            "p",
        )
    }

    #[test]
    fn names_values_tables_and_text() {
        let mut m = model();
        let top = m.names("Device.", true).unwrap();
        assert!(top.contains(&("Device.DeviceInfo.".to_string(), false)));
        assert!(top.contains(&("Device.NAT.".to_string(), false)));
        assert!(!top.iter().any(|(n, _)| n.contains("Manufacturer")));
        assert_eq!(m.names("", true), Ok(vec![("Device.".to_string(), false)]));
        assert_eq!(m.names("Device.Nope.", false), Err(9005));
        assert_eq!(m.names("Device.DeviceInfo.UpTime", true), Err(9003));
        assert_eq!(m.add_instance(PORT_MAPPING), Ok(1));
        assert_eq!(m.add_instance("Device.DeviceInfo."), Err(9005));
        assert_eq!(m.get("Device.NAT.PortMappingNumberOfEntries").unwrap(), "1");
        let v = m.values(&["Device.NAT.PortMapping.1.".into()]).unwrap();
        assert_eq!(v.len(), 6);
        assert!(m.values(&["Device.X".into()]).is_err());
        let back = DataModel::from_text(&m.to_text()).unwrap();
        assert_eq!(back.params, m.params);
        assert_eq!(m.delete_instance("Device.NAT.PortMapping.1."), Ok(()));
        assert_eq!(m.delete_instance("Device.NAT.PortMapping.1."), Err(9005));
        assert_eq!(m.get("Device.NAT.PortMappingNumberOfEntries").unwrap(), "0");
    }
}
