//! The agent bench's fixture: a static model with one PortMapping table, a [`Cpe`] in a
//! Session waiting for ACS requests, and [`Rig::answer`], one request answered into a sink.

use cwmp_codec::{Array, Value};
use cwmp_core::agent::table::InstanceTable;
use cwmp_core::agent::{Agent, DataModel, Node, ParamType};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming};
use cwmp_core::Instant;

const PORT_MAPPING: &[Node] = &[
    Node::parameter("Enable", 11, ParamType::Boolean).writable(),
    Node::parameter("Description", 12, ParamType::string(64)).writable(),
    Node::parameter(
        "ExternalPort",
        13,
        ParamType::UnsignedInt { min: 0, max: 65535 },
    )
    .writable(),
];
const NAT: &[Node] = &[Node::table("PortMapping", 10, 0, PORT_MAPPING)];
static DEVICE: Node = Node::object("Device", 0, &[Node::object("NAT", 0, NAT)]);

/// One mapping: enable, description, port.
pub type Mapping = (bool, String, u32);

/// The bench's firmware model.
pub struct Model {
    mappings: InstanceTable<Mapping, 4000>,
}

impl DataModel for Model {
    fn root(&self) -> &'static Node {
        &DEVICE
    }
    fn instance(&self, _t: &'static Node, _p: &[u32], i: usize) -> Option<u32> {
        self.mappings.number(i)
    }
    fn has_instance(&self, _t: &'static Node, _p: &[u32], n: u32) -> bool {
        self.mappings.get(n).is_some()
    }
    fn get<'s>(&self, p: &'static Node, inst: &[u32], scratch: &'s mut [u8]) -> Option<Value<'s>> {
        let m = self.mappings.get(*inst.first()?)?;
        match p.id {
            11 => Some(Value::Boolean(m.0)),
            12 => {
                let d = scratch.get_mut(..m.1.len())?;
                d.copy_from_slice(m.1.as_bytes());
                Some(Value::string(std::str::from_utf8(d).ok()?))
            }
            13 => Some(Value::UnsignedInt(m.2)),
            _ => None,
        }
    }
    fn set(&mut self, _p: &'static Node, _inst: &[u32], _v: &Value<'_>) {}
}

/// Counts bytes, keeps none.
pub struct Sink(pub usize);
impl embedded_io::ErrorType for Sink {
    type Error = core::convert::Infallible;
}
impl embedded_io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A Session waiting for the ACS's next request.
pub struct Rig {
    cpe: Cpe,
    agent: Agent<4, 4>,
    model: Box<Model>,
    now: Instant,
    rx: Vec<u8>,
}

/// A GetParameterValues of `name`, as HTTP response bytes.
pub fn gpv_request(name: &str) -> Vec<u8> {
    http(&format!("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">g</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:GetParameterValues><ParameterNames soapenc:arrayType=\"xsd:string[1]\"><string>{name}</string></ParameterNames></cwmp:GetParameterValues></soapenv:Body></soapenv:Envelope>"))
}

fn http(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

impl Rig {
    /// `n` PortMapping instances (3 Parameters each), Session open.
    pub fn new(n: u32) -> Rig {
        let mut mappings = InstanceTable::new();
        for i in 0..n {
            mappings.add((i % 2 == 0, format!("mapping {i}"), i % 65536));
        }
        let now = Instant::from_secs(1);
        let cfg = Config::new(
            "http://acs.example.com/cwmp",
            "Acme",
            "00D09E",
            "STB",
            "SN1",
        );
        let mut cpe: Cpe = Cpe::new(&cfg, now, 1).unwrap();
        cpe.bootstrap(now);
        let mut rig = Rig {
            cpe,
            agent: Agent::new(&cfg),
            model: Box::new(Model { mappings }),
            now,
            rx: vec![0; 4096],
        };
        while let Some(ev) = rig.cpe.poll_event() {
            if let Event::Connect { .. } = ev {
                rig.cpe.handle_connected(now).unwrap();
            }
        }
        let mut tx = vec![0u8; 8192];
        let list = rig.agent.inform_parameters(&rig.cpe, &*rig.model);
        let mut w: &mut [u8] = &mut tx;
        rig.cpe
            .poll_transmit_with(now, &Array::from_lending(&list), &mut w)
            .unwrap()
            .unwrap();
        let ir = http("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">1</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soapenv:Body></soapenv:Envelope>");
        rig.rx[..ir.len()].copy_from_slice(&ir);
        rig.cpe.handle_response(now, &mut rig.rx, ir.len()).unwrap();
        while rig.cpe.poll_event().is_some() {}
        let mut w: &mut [u8] = &mut tx;
        rig.cpe.poll_transmit(now, &mut w).unwrap().unwrap();
        rig
    }

    /// Parameters in the model.
    pub fn params(&self) -> usize {
        self.model.mappings.len() * 3
    }

    /// Answers one request (HTTP response bytes); returns the bytes written.
    pub fn answer(&mut self, request: &[u8]) -> usize {
        self.rx[..request.len()].copy_from_slice(request);
        let Incoming::AcsRequest(req) = self
            .cpe
            .handle_response(self.now, &mut self.rx, request.len())
            .unwrap()
        else {
            panic!("not a request")
        };
        let mut sink = Sink(0);
        self.agent
            .answer(self.now, &mut self.cpe, &mut *self.model, &req, &mut sink)
            .unwrap();
        sink.0
    }
}
