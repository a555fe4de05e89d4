//! A static TR-181-shaped model for the agent's tests, and a rig that drives a real [`Cpe`]
//! with the [`Agent`] answering, against hand-written ACS messages.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_core::agent::table::InstanceTable;
use cwmp_core::agent::{Agent, Capabilities, DataModel, Node, ParamType, TransferRequest};
use cwmp_core::codec::http::request::RequestHead;
use cwmp_core::codec::http::{Status, EMPTY_HEADER};
use cwmp_core::codec::{decode, Array, Body, Envelope, FaultCode, Value, XmlStr};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming};
use cwmp_core::{Duration, Instant};

pub const NS: &str = "urn:dslforum-org:cwmp-1-2";

// Ids of the firmware's Parameters.
pub const MANUFACTURER: u16 = 1;
pub const SOFTWARE_VERSION: u16 = 2;
pub const UPTIME: u16 = 3;
pub const HOSTNAME: u16 = 4;
pub const LEVEL: u16 = 5;
pub const PM: u16 = 10;
pub const PM_ENABLE: u16 = 11;
pub const PM_DESCRIPTION: u16 = 12;
pub const PM_PORT: u16 = 13;

const DEVICE_INFO: &[Node] = &[
    Node::parameter("Manufacturer", MANUFACTURER, ParamType::string(64)).forced_inform(),
    Node::parameter("SoftwareVersion", SOFTWARE_VERSION, ParamType::string(64))
        .forced_inform()
        .notification(2),
    Node::parameter("UpTime", UPTIME, ParamType::UNSIGNED_INT).no_active(),
    Node::parameter("HostName", HOSTNAME, ParamType::string(16)).writable(),
    Node::parameter("Level", LEVEL, ParamType::Int { min: -5, max: 5 }).writable(),
];
const PORT_MAPPING: &[Node] = &[
    Node::parameter("Enable", PM_ENABLE, ParamType::Boolean).writable(),
    Node::parameter("Description", PM_DESCRIPTION, ParamType::string(256)).writable(),
    Node::parameter(
        "ExternalPort",
        PM_PORT,
        ParamType::UnsignedInt { min: 0, max: 65535 },
    )
    .writable(),
];
const NAT: &[Node] = &[Node::table("PortMapping", PM, 0, PORT_MAPPING)];
const EMPTY: &[Node] = &[];
pub static DEVICE: Node = Node::object(
    "Device",
    0,
    &[
        Node::object("DeviceInfo", 0, DEVICE_INFO),
        Node::object("NAT", 0, NAT),
        Node::object("X_TEST_Empty", 0, EMPTY),
    ],
);

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    pub enable: bool,
    pub description: String,
    pub port: u32,
}

/// The firmware's state behind the schema.
#[derive(Debug, Clone)]
pub struct Model {
    pub software_version: String,
    pub uptime: u32,
    pub hostname: String,
    pub level: i32,
    pub mappings: InstanceTable<Mapping, 3400>,
    pub max_mappings: usize,
    pub transfers: Vec<String>,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            software_version: "1.0".into(),
            uptime: 0,
            hostname: "cpe".into(),
            level: 0,
            mappings: InstanceTable::new(),
            max_mappings: 3400,
            transfers: Vec::new(),
        }
    }
}

fn put<'s>(s: &str, scratch: &'s mut [u8]) -> Option<Value<'s>> {
    let dst = scratch.get_mut(..s.len())?;
    dst.copy_from_slice(s.as_bytes());
    Some(Value::string(std::str::from_utf8(dst).ok()?))
}

fn text(v: &Value<'_>) -> String {
    let mut buf = [0u8; 1024];
    v.as_xml_str()
        .map(|x| x.unescape_into(&mut buf).unwrap().to_string())
        .unwrap_or_default()
}

impl DataModel for Model {
    fn root(&self) -> &'static Node {
        &DEVICE
    }
    fn instance(&self, table: &'static Node, _parents: &[u32], index: usize) -> Option<u32> {
        match table.id {
            PM => self.mappings.number(index),
            _ => None,
        }
    }
    fn has_instance(&self, table: &'static Node, _parents: &[u32], n: u32) -> bool {
        table.id == PM && self.mappings.get(n).is_some()
    }
    fn get<'s>(&self, p: &'static Node, inst: &[u32], scratch: &'s mut [u8]) -> Option<Value<'s>> {
        let m = || self.mappings.get(*inst.first()?);
        match p.id {
            MANUFACTURER => Some(Value::string("Acme")),
            SOFTWARE_VERSION => put(&self.software_version, scratch),
            UPTIME => Some(Value::UnsignedInt(self.uptime)),
            HOSTNAME => put(&self.hostname, scratch),
            LEVEL => Some(Value::Int(self.level)),
            PM_ENABLE => Some(Value::Boolean(m()?.enable)),
            PM_DESCRIPTION => put(&m()?.description, scratch),
            PM_PORT => Some(Value::UnsignedInt(m()?.port)),
            _ => None,
        }
    }
    fn check(&self, p: &'static Node, _inst: &[u32], v: &Value<'_>) -> Result<(), FaultCode> {
        // The model's own rule: HostName cannot be "forbidden".
        if p.id == HOSTNAME && text(v) == "forbidden" {
            return Err(FaultCode::INVALID_PARAMETER_VALUE);
        }
        Ok(())
    }
    fn set(&mut self, p: &'static Node, inst: &[u32], v: &Value<'_>) {
        let n = inst.first().copied().unwrap_or(0);
        match p.id {
            HOSTNAME => self.hostname = text(v),
            LEVEL => {
                if let Value::Int(i) = v {
                    self.level = *i
                }
            }
            PM_ENABLE => {
                if let Some(m) = self.mappings.get_mut(n) {
                    m.enable = v.as_bool().unwrap_or(false)
                }
            }
            PM_DESCRIPTION => {
                if let Some(m) = self.mappings.get_mut(n) {
                    m.description = text(v)
                }
            }
            PM_PORT => {
                if let Some(m) = self.mappings.get_mut(n) {
                    m.port = v.as_u64().unwrap_or(0) as u32
                }
            }
            _ => panic!("set of a read-only parameter {}", p.name),
        }
    }
    fn add_instance(&mut self, table: &'static Node, _parents: &[u32]) -> Result<u32, FaultCode> {
        if table.id != PM || self.mappings.len() >= self.max_mappings {
            return Err(FaultCode::RESOURCES_EXCEEDED);
        }
        self.mappings
            .add(Mapping::default())
            .ok_or(FaultCode::RESOURCES_EXCEEDED)
    }
    fn delete_instance(&mut self, table: &'static Node, inst: &[u32]) -> Result<(), FaultCode> {
        if table.id == PM && self.mappings.remove(*inst.last().unwrap()) {
            Ok(())
        } else {
            Err(FaultCode::INVALID_PARAMETER_NAME)
        }
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            download: true,
            upload: true,
            schedule_download: true,
            factory_reset: true,
            ..Capabilities::default()
        }
    }
    fn accept_transfer(&mut self, r: &TransferRequest<'_>) -> Result<(), FaultCode> {
        self.transfers.push(r.url.raw().to_string());
        Ok(())
    }
}

pub const ACS_URL: &str = "http://acs.example.com/cwmp";

pub fn config() -> Config<'static> {
    Config::new(ACS_URL, "Acme", "00D09E", "STB", "SN1")
}

/// What the CPE posted: the method and the decoded body, kept as raw bytes.
#[derive(Debug, Clone)]
pub struct Post {
    pub body: Vec<u8>,
}

impl Post {
    pub fn envelope(&self) -> Envelope<'_> {
        decode(&self.body).expect("the CPE's POST decodes")
    }
    pub fn method(&self) -> String {
        if self.body.is_empty() {
            return String::new();
        }
        self.envelope().body.method_name().to_string()
    }
    pub fn fault_code(&self) -> Option<u32> {
        match &self.envelope().body {
            Body::Fault(f) => Some(f.code()),
            _ => None,
        }
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn split(bytes: &[u8]) -> Post {
    let mut headers = [EMPTY_HEADER; 32];
    let Ok(Status::Complete(head)) = RequestHead::parse(bytes, &mut headers) else {
        panic!("unreadable POST head")
    };
    Post {
        body: bytes[head.head_len..].to_vec(),
    }
}

pub fn http(status: u16, body: &str) -> Vec<u8> {
    let ct = if body.is_empty() {
        ""
    } else {
        "Content-Type: text/xml\r\n"
    };
    format!(
        "HTTP/1.1 {status} X\r\n{ct}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub fn envelope(body: &str) -> String {
    envelope_id("42", body)
}

pub fn envelope_id(id: &str, body: &str) -> String {
    format!(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:cwmp=\"{NS}\">\
         <soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">{id}</cwmp:ID></soapenv:Header>\
         <soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )
}

/// The CPE, its agent and model, a fake clock, and a flash.
pub struct Rig {
    pub cpe: Cpe,
    pub agent: Agent<32, 16>,
    pub model: Box<Model>,
    pub now: Instant,
    pub tx: Vec<u8>,
    pub events: Vec<Event>,
    pub flash: Option<(Vec<u8>, Vec<u8>)>,
    pub connected: bool,
}

impl Rig {
    pub fn new() -> Rig {
        Self::with(Model::default(), 64 * 1024)
    }

    pub fn with(model: Model, tx: usize) -> Rig {
        let now = Instant::from_secs(1);
        let cfg = config();
        let agent = Agent::new(&cfg);
        let mut cpe = Cpe::new(&cfg, now, 7).unwrap();
        cpe.bootstrap(now);
        let mut r = Rig {
            cpe,
            agent,
            model: Box::new(model),
            now,
            tx: vec![0; tx],
            events: Vec::new(),
            flash: None,
            connected: false,
        };
        r.agent.boot(now, &mut r.cpe, &*r.model);
        r
    }

    pub fn drain(&mut self) {
        while let Some(ev) = self.cpe.poll_event() {
            self.events.push(ev);
            self.agent.handle_event(&self.cpe, &ev);
            match ev {
                Event::Connect { .. } => {
                    self.connected = true;
                    self.cpe.handle_connected(self.now).unwrap();
                }
                Event::Close => self.connected = false,
                Event::SessionStarted => {
                    self.agent
                        .check_values(self.now, &mut self.cpe, &*self.model);
                }
                Event::PersistChanged => self.persist(),
                _ => {}
            }
        }
        if self.agent.needs_persist() {
            self.persist();
        }
    }

    pub fn persist(&mut self) {
        let mut a = vec![0u8; cwmp_core::persist::Record::<64, 3, 3>::MAX_LEN];
        let n = self.cpe.export(self.now, &mut a).unwrap();
        a.truncate(n);
        let mut b = vec![0u8; 64 * 1024];
        let n = self.agent.export(&mut b).unwrap();
        b.truncate(n);
        self.flash = Some((a, b));
    }

    /// A power cycle: a new agent and machine from the flash.
    pub fn reboot(&mut self) {
        self.drain();
        self.persist();
        let (a, b) = self.flash.clone().unwrap();
        self.now = self.now + Duration::from_secs(10);
        let cfg = config();
        let mut agent: Agent<32, 16> = Agent::new(&cfg);
        agent.restore(&b).unwrap();
        let mut cfg2 = config();
        agent.configure(&mut cfg2);
        let mut cpe = Cpe::new(&cfg2, self.now, 8).unwrap();
        cpe.boot(self.now, Some(&a)).unwrap();
        agent.boot(self.now, &mut cpe, &*self.model);
        self.cpe = cpe;
        self.agent = agent;
        self.connected = false;
        self.events.clear();
    }

    /// Opens a Session: returns the Inform; the InformResponse is fed, and the empty POST
    /// that follows is left for [`Rig::rpc`].
    pub fn open(&mut self) -> Post {
        self.drain();
        assert!(self.connected, "no Session started: {:?}", self.events);
        let list = self.agent.inform_parameters(&self.cpe, &*self.model);
        let mut w: &mut [u8] = &mut self.tx;
        let t = self
            .cpe
            .poll_transmit_with(self.now, &Array::from_lending(&list), &mut w)
            .unwrap()
            .expect("an Inform");
        let inform = split(&self.tx[..t.len]);
        assert_eq!(inform.method(), "Inform");
        let id = inform.envelope().header.id.unwrap().raw().to_string();
        let mut rx = http(
            200,
            &envelope_id(
                &id,
                "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>",
            ),
        );
        let n = rx.len();
        let inc = self.cpe.handle_response(self.now, &mut rx, n).unwrap();
        assert!(matches!(inc, Incoming::Nothing));
        self.drain();
        let mut w: &mut [u8] = &mut self.tx;
        let t = self.cpe.poll_transmit(self.now, &mut w).unwrap();
        let t = t.unwrap_or_else(|| panic!("no empty POST; events {:?}", self.events));
        assert_eq!(split(&self.tx[..t.len]).method(), "");
        inform
    }

    /// The ACS sends `inner` (a cwmp body element); returns the CPE's answer.
    pub fn rpc(&mut self, inner: &str) -> Post {
        let mut rx = http(200, &envelope(inner));
        let n = rx.len();
        let inc = self.cpe.handle_response(self.now, &mut rx, n).unwrap();
        let Incoming::AcsRequest(req) = inc else {
            panic!("not a request: {inner}")
        };
        let mut w: &mut [u8] = &mut self.tx;
        let t = self
            .agent
            .answer(self.now, &mut self.cpe, &mut *self.model, &req, &mut w)
            .unwrap();
        let post = split(&self.tx[..t.len]);
        self.drain();
        post
    }

    /// An ACS request whose arguments do not decode: the machine, not the agent, answers it
    /// (fault 9003) in its next POST.
    pub fn rpc_undecodable(&mut self, inner: &str) -> Post {
        let mut rx = http(200, &envelope(inner));
        let n = rx.len();
        let inc = self.cpe.handle_response(self.now, &mut rx, n).unwrap();
        assert!(matches!(inc, Incoming::Nothing), "handed out: {inner}");
        self.drain();
        let mut w: &mut [u8] = &mut self.tx;
        let t = self
            .cpe
            .poll_transmit(self.now, &mut w)
            .unwrap()
            .expect("the machine's fault");
        let post = split(&self.tx[..t.len]);
        self.drain();
        post
    }

    /// The ACS ends the Session (204).
    pub fn close(&mut self) {
        let mut rx = http(204, "");
        let n = rx.len();
        self.cpe.handle_response(self.now, &mut rx, n).unwrap();
        self.drain();
    }

    pub fn add_mappings(&mut self, n: usize) {
        for i in 0..n {
            self.model.mappings.add(Mapping {
                enable: i % 2 == 0,
                description: format!("mapping {i}"),
                port: i as u32,
            });
        }
    }
}

pub fn gpv(names: &[&str]) -> String {
    let items: String = names
        .iter()
        .map(|n| format!("<string>{n}</string>"))
        .collect();
    format!(
        "<cwmp:GetParameterValues><ParameterNames soapenc:arrayType=\"xsd:string[{}]\">{items}</ParameterNames></cwmp:GetParameterValues>",
        names.len()
    )
}

pub fn gpn(path: &str, next_level: bool) -> String {
    format!(
        "<cwmp:GetParameterNames><ParameterPath>{path}</ParameterPath><NextLevel>{}</NextLevel></cwmp:GetParameterNames>",
        u8::from(next_level)
    )
}

pub fn spv(params: &[(&str, &str, &str)], key: &str) -> String {
    let items: String = params
        .iter()
        .map(|(n, t, v)| {
            format!("<ParameterValueStruct><Name>{n}</Name><Value xsi:type=\"xsd:{t}\">{v}</Value></ParameterValueStruct>")
        })
        .collect();
    format!(
        "<cwmp:SetParameterValues><ParameterList soapenc:arrayType=\"cwmp:ParameterValueStruct[{}]\">{items}</ParameterList><ParameterKey>{key}</ParameterKey></cwmp:SetParameterValues>",
        params.len()
    )
}

pub fn spa(name: &str, notification: i32) -> String {
    format!(
        "<cwmp:SetParameterAttributes><ParameterList soapenc:arrayType=\"cwmp:SetParameterAttributesStruct[1]\"><SetParameterAttributesStruct><Name>{name}</Name><NotificationChange>1</NotificationChange><Notification>{notification}</Notification><AccessListChange>0</AccessListChange><AccessList soapenc:arrayType=\"xsd:string[0]\"/></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>"
    )
}

/// `(name, value text)` of a GetParameterValuesResponse or an Inform's ParameterList.
pub fn values(p: &Post) -> Vec<(String, String)> {
    let env = p.envelope();
    let list = match &env.body {
        Body::GetParameterValuesResponse(r) => r.parameter_list.clone(),
        Body::Inform(i) => i.parameter_list.clone(),
        b => panic!("not a value list: {}", b.method_name()),
    };
    list.iter()
        .map(|v| {
            (
                v.name.to_string(),
                v.value.map(|x| x.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

/// `(name, writable)` of a GetParameterNamesResponse.
pub fn names(p: &Post) -> Vec<(String, bool)> {
    let env = p.envelope();
    let Body::GetParameterNamesResponse(r) = &env.body else {
        panic!("not GPN: {}", p.text())
    };
    r.parameter_list
        .iter()
        .map(|i| (i.name.to_string(), i.writable))
        .collect()
}

pub fn s(x: &str) -> XmlStr<'_> {
    XmlStr::new(x)
}
