//! Fuzz body for the agent (`cwmp_core::agent`): a CPE Session whose ACS sends decoded
//! arbitrary requests (`Body::arbitrary`, and requests built from templates over the model's
//! real names with arbitrary values), with firmware-side changes and reboots through the
//! agent's record. Never panics; every answer is a POST that decodes, and a failed
//! SetParameterValues changes nothing.

use arbitrary::{Arbitrary, Unstructured};
use cwmp_core::agent::{Agent, Capabilities, DataModel, Node, ParamType, TransferRequest};
use cwmp_core::codec::http::request::RequestHead;
use cwmp_core::codec::http::{Status, EMPTY_HEADER};
use cwmp_core::codec::{decode, Array, Body, CwmpNamespace, Envelope, FaultCode, Value, XmlStr};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming};
use cwmp_core::{Duration, Instant};

/// The agent's fuzz targets.
#[allow(clippy::type_complexity)]
pub const TARGETS: &[(&str, fn(&[u8]))] = &[("agent_requests", requests)];

const INFO: &[Node] = &[
    Node::parameter("SoftwareVersion", 1, ParamType::string(32)).forced_inform(),
    Node::parameter("HostName", 2, ParamType::string(32)).writable(),
    Node::parameter("Level", 3, ParamType::Int { min: -3, max: 3 }).writable(),
    Node::parameter("UpTime", 4, ParamType::UNSIGNED_INT).no_active(),
];
const ROW: &[Node] = &[
    Node::parameter("Enable", 11, ParamType::Boolean).writable(),
    Node::parameter("When", 12, ParamType::DateTime).writable(),
];
static DEVICE: Node = Node::object(
    "Device",
    0,
    &[
        Node::object("DeviceInfo", 0, INFO),
        Node::table("Row", 10, 3, ROW),
    ],
);

const NAMES: &[&str] = &[
    "",
    "Device.",
    "Device.DeviceInfo.",
    "Device.DeviceInfo.HostName",
    "Device.DeviceInfo.Level",
    "Device.DeviceInfo.UpTime",
    "Device.Row.",
    "Device.Row.1.",
    "Device.Row.1.Enable",
    "Device.Row.2.When",
    "Device.ManagementServer.",
    "Device.ManagementServer.URL",
    "Device.ManagementServer.PeriodicInformInterval",
    "Device.ManagementServer.ConnectionRequestUsername",
    "Device.Row.*.Enable",
    "Device.Nope",
];
const TYPES: &[&str] = &[
    "string",
    "int",
    "unsignedInt",
    "boolean",
    "dateTime",
    "base64",
];

#[derive(Clone, PartialEq, Debug, Default)]
struct Model {
    hostname: String,
    level: i32,
    rows: Vec<(u32, bool)>,
    next: u32,
}

impl DataModel for Model {
    fn root(&self) -> &'static Node {
        &DEVICE
    }
    fn instance(&self, _t: &'static Node, _p: &[u32], i: usize) -> Option<u32> {
        self.rows.get(i).map(|r| r.0)
    }
    fn get<'s>(&self, p: &'static Node, inst: &[u32], scratch: &'s mut [u8]) -> Option<Value<'s>> {
        let row = || self.rows.iter().find(|r| Some(&r.0) == inst.first());
        match p.id {
            1 => Some(Value::string("1.0")),
            2 => {
                let d = scratch.get_mut(..self.hostname.len())?;
                d.copy_from_slice(self.hostname.as_bytes());
                Some(Value::string(core::str::from_utf8(d).ok()?))
            }
            3 => Some(Value::Int(self.level)),
            4 => Some(Value::UnsignedInt(7)),
            11 => Some(Value::Boolean(row()?.1)),
            12 => row().map(|_| Value::DateTime(cwmp_core::codec::DateTime::UNKNOWN)),
            _ => None,
        }
    }
    fn set(&mut self, p: &'static Node, inst: &[u32], v: &Value<'_>) {
        match p.id {
            2 => {
                let mut buf = [0u8; 256];
                self.hostname = v
                    .as_xml_str()
                    .and_then(|x| x.unescape_into(&mut buf).ok())
                    .unwrap_or("")
                    .to_string();
            }
            3 => {
                if let Value::Int(i) = v {
                    self.level = *i;
                }
            }
            11 => {
                if let Some(r) = self.rows.iter_mut().find(|r| Some(&r.0) == inst.first()) {
                    r.1 = v.as_bool().unwrap_or(false);
                }
            }
            _ => {}
        }
    }
    fn add_instance(&mut self, _t: &'static Node, _p: &[u32]) -> Result<u32, FaultCode> {
        self.next += 1;
        self.rows.push((self.next, false));
        Ok(self.next)
    }
    fn delete_instance(&mut self, _t: &'static Node, inst: &[u32]) -> Result<(), FaultCode> {
        let n = inst.last().copied().unwrap_or(0);
        let before = self.rows.len();
        self.rows.retain(|r| r.0 != n);
        if self.rows.len() == before {
            return Err(FaultCode::INVALID_PARAMETER_NAME);
        }
        Ok(())
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
    fn accept_transfer(&mut self, _r: &TransferRequest<'_>) -> Result<(), FaultCode> {
        Ok(())
    }
}

struct Rig {
    cpe: Cpe,
    agent: Agent<8, 8>,
    model: Model,
    now: Instant,
    tx: Vec<u8>,
    flash: (Vec<u8>, Vec<u8>),
}

const ACS: &str = "http://acs.example.com/cwmp";

fn config() -> Config<'static> {
    Config::new(ACS, "Acme", "00D09E", "STB", "SN1")
}

fn http(body: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body);
    v
}

fn body_of(post: &[u8]) -> &[u8] {
    let mut h = [EMPTY_HEADER; 32];
    match RequestHead::parse(post, &mut h) {
        Ok(Status::Complete(head)) => &post[head.head_len..],
        _ => panic!("the CPE wrote an unreadable head"),
    }
}

impl Rig {
    fn drain(&mut self) {
        while let Some(ev) = self.cpe.poll_event() {
            self.agent.handle_event(&self.cpe, &ev);
            match ev {
                Event::Connect { .. } => {
                    let _ = self.cpe.handle_connected(self.now);
                }
                Event::SessionStarted => {
                    self.agent
                        .check_values(self.now, &mut self.cpe, &self.model);
                }
                _ => {}
            }
        }
    }

    /// Gets the Session to the point where the ACS may send a request; `false` if it cannot.
    fn open(&mut self) -> bool {
        for _ in 0..4 {
            self.drain();
            let list = self.agent.inform_parameters(&self.cpe, &self.model);
            let mut w: &mut [u8] = &mut self.tx;
            let Ok(t) = self
                .cpe
                .poll_transmit_with(self.now, &Array::from_lending(&list), &mut w)
            else {
                return false;
            };
            let Some(t) = t else {
                self.cpe.handle_connection_request(self.now);
                continue;
            };
            let body = body_of(&self.tx[..t.len]).to_vec();
            if body.is_empty() {
                return true;
            }
            let env = decode(&body).expect("the CPE's POST decodes");
            let id = env
                .header
                .id
                .map(|x| x.raw().to_string())
                .unwrap_or_default();
            let ir = format!("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">{id}</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soapenv:Body></soapenv:Envelope>");
            let mut rx = http(ir.as_bytes());
            let n = rx.len();
            let _ = self.cpe.handle_response(self.now, &mut rx, n);
        }
        false
    }

    fn ask(&mut self, envelope: &[u8]) {
        let mut rx = http(envelope);
        let n = rx.len();
        let before = (
            self.model.clone(),
            self.cpe.parameter_key().map(str::to_string),
        );
        let Ok(Incoming::AcsRequest(req)) = self.cpe.handle_response(self.now, &mut rx, n) else {
            self.drain();
            return;
        };
        let spv = matches!(req.body(), Body::SetParameterValues(_));
        let mut w: &mut [u8] = &mut self.tx;
        let t = self
            .agent
            .answer(self.now, &mut self.cpe, &mut self.model, &req, &mut w)
            .expect("a 256 KiB buffer holds every answer");
        let out = decode(body_of(&self.tx[..t.len])).expect("the agent's answer decodes");
        if spv && matches!(out.body, Body::Fault(_)) {
            let after = (
                self.model.clone(),
                self.cpe.parameter_key().map(str::to_string),
            );
            assert_eq!(
                before, after,
                "a failed SetParameterValues changed something"
            );
        }
        self.drain();
    }

    fn reboot(&mut self) {
        let mut a = vec![0u8; 16 * 1024];
        let n = self.cpe.export(self.now, &mut a).unwrap();
        a.truncate(n);
        let mut b = vec![0u8; 16 * 1024];
        let n = self.agent.export(&mut b).unwrap();
        b.truncate(n);
        self.flash = (a, b);
        self.now = self.now + Duration::from_secs(5);
        let mut agent: Agent<8, 8> = Agent::new(&config());
        agent
            .restore(&self.flash.1)
            .expect("the agent's own record restores");
        let mut cfg = config();
        agent.configure(&mut cfg);
        let Ok(mut cpe) = Cpe::new(&cfg, self.now, 2) else {
            return;
        };
        let _ = cpe.boot(self.now, Some(&self.flash.0));
        agent.boot(self.now, &mut cpe, &self.model);
        self.cpe = cpe;
        self.agent = agent;
    }
}

fn envelope(inner: &str) -> Vec<u8> {
    format!("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">q</cwmp:ID></soapenv:Header><soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>").into_bytes()
}

fn escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '<' => "&lt;".to_string(),
            '&' => "&amp;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn templated(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<u8>> {
    let name = *u.choose(NAMES)?;
    let value = escape(&String::arbitrary(u)?);
    let ty = *u.choose(TYPES)?;
    let inner = match u.int_in_range(0u8..=7)? {
        0 => format!("<cwmp:GetParameterValues><ParameterNames soapenc:arrayType=\"xsd:string[1]\"><string>{name}</string></ParameterNames></cwmp:GetParameterValues>"),
        1 => format!("<cwmp:GetParameterNames><ParameterPath>{name}</ParameterPath><NextLevel>{}</NextLevel></cwmp:GetParameterNames>", u8::from(bool::arbitrary(u)?)),
        2 => {
            let other = *u.choose(NAMES)?;
            format!("<cwmp:SetParameterValues><ParameterList soapenc:arrayType=\"cwmp:ParameterValueStruct[2]\"><ParameterValueStruct><Name>{name}</Name><Value xsi:type=\"xsd:{ty}\">{value}</Value></ParameterValueStruct><ParameterValueStruct><Name>{other}</Name><Value xsi:type=\"xsd:string\">{value}</Value></ParameterValueStruct></ParameterList><ParameterKey>{}</ParameterKey></cwmp:SetParameterValues>", escape(&String::arbitrary(u)?))
        }
        3 => format!("<cwmp:SetParameterAttributes><ParameterList soapenc:arrayType=\"cwmp:SetParameterAttributesStruct[1]\"><SetParameterAttributesStruct><Name>{name}</Name><NotificationChange>1</NotificationChange><Notification>{}</Notification><AccessListChange>1</AccessListChange><AccessList><string>Subscriber</string></AccessList></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>", u.int_in_range(-1i32..=7)?),
        4 => format!("<cwmp:GetParameterAttributes><ParameterNames><string>{name}</string></ParameterNames></cwmp:GetParameterAttributes>"),
        5 => format!("<cwmp:AddObject><ObjectName>{name}</ObjectName><ParameterKey>a</ParameterKey></cwmp:AddObject>"),
        6 => format!("<cwmp:DeleteObject><ObjectName>{name}</ObjectName><ParameterKey>d</ParameterKey></cwmp:DeleteObject>"),
        _ => format!("<cwmp:Download><CommandKey>{value}</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>http://h/{value}</URL><Username/><Password/><FileSize>0</FileSize><TargetFileName/><DelaySeconds>{}</DelaySeconds><SuccessURL/><FailureURL/></cwmp:Download>", u32::arbitrary(u)?),
    };
    Ok(envelope(&inner))
}

/// The body of `agent_requests`.
pub fn requests(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let cfg = config();
    let now = Instant::from_secs(1);
    let Ok(mut cpe) = Cpe::new(&cfg, now, 1) else {
        return;
    };
    cpe.bootstrap(now);
    let mut rig = Rig {
        cpe,
        agent: Agent::new(&cfg),
        model: Model {
            hostname: "cpe".into(),
            ..Model::default()
        },
        now,
        tx: vec![0; 256 * 1024],
        flash: (Vec::new(), Vec::new()),
    };
    rig.agent.boot(now, &mut rig.cpe, &rig.model);
    for _ in 0..48 {
        if u.is_empty() {
            break;
        }
        if !rig.cpe.in_session() || rig.cpe.poll_timeout().is_none() {
            rig.cpe.handle_connection_request(rig.now);
        }
        if !rig.open() {
            return;
        }
        let Ok(kind) = u.int_in_range(0u8..=9) else {
            return;
        };
        match kind {
            0..=1 => {
                let Ok(body) = Body::arbitrary(&mut u) else {
                    return;
                };
                let mut env = Envelope::new(CwmpNamespace::V1_2, body);
                env.header.id = Some(XmlStr::new("z"));
                let Ok(n) = env.encoded_len() else { continue };
                let mut out = vec![0u8; n];
                let mut w: &mut [u8] = &mut out;
                if env.encode(&mut w).is_ok() {
                    rig.ask(&out);
                }
            }
            2..=7 => {
                let Ok(req) = templated(&mut u) else { return };
                rig.ask(&req);
            }
            8 => {
                rig.model.level = (rig.model.level + 1) % 3;
                let _ =
                    rig.agent
                        .changed(rig.now, &mut rig.cpe, &rig.model, "Device.DeviceInfo.Level");
                rig.model.hostname.push('x');
                rig.agent.check_values(rig.now, &mut rig.cpe, &rig.model);
            }
            _ => {
                rig.cpe.abort_session(rig.now);
                rig.drain();
                rig.reboot();
            }
        }
    }
}
