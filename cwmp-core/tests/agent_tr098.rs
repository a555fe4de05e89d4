//! The agent under a TR-098 root (`InternetGatewayDevice.`): `ManagementServer.` is grafted
//! there, GetParameterNames `""` NextLevel=true gives that root alone (§A.3.2.3), and the
//! Inform carries `InternetGatewayDevice.ManagementServer.ParameterKey` (§A.3.3.1).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_core::agent::{Agent, DataModel, Node, ParamType};
use cwmp_core::codec::{decode, Array, Body, Value};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming};
use cwmp_core::Instant;

const INFO: &[Node] =
    &[Node::parameter("SoftwareVersion", 1, ParamType::string(16)).forced_inform()];
static IGD: Node = Node::object(
    "InternetGatewayDevice",
    0,
    &[Node::object("DeviceInfo", 0, INFO)],
);

struct Igd;
impl DataModel for Igd {
    fn root(&self) -> &'static Node {
        &IGD
    }
    fn instance(&self, _: &'static Node, _: &[u32], _: usize) -> Option<u32> {
        None
    }
    fn get<'s>(&self, _: &'static Node, _: &[u32], _: &'s mut [u8]) -> Option<Value<'s>> {
        Some(Value::string("3.1"))
    }
    fn set(&mut self, _: &'static Node, _: &[u32], _: &Value<'_>) {}
}

fn http(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
fn env(id: &str, inner: &str) -> String {
    format!("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">{id}</cwmp:ID></soapenv:Header><soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>")
}
fn body(post: &[u8]) -> &[u8] {
    let i = post.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    &post[i + 4..]
}

#[test]
fn tr098_root() {
    let now = Instant::from_secs(1);
    let cfg = Config::new(
        "http://acs.example.com/cwmp",
        "Acme",
        "00D09E",
        "IGD",
        "SN1",
    );
    let mut agent: Agent = Agent::new(&cfg);
    let mut cpe: Cpe = Cpe::new(&cfg, now, 1).unwrap();
    let mut model = Igd;
    cpe.bootstrap(now);
    agent.boot(now, &mut cpe, &model);
    while let Some(ev) = cpe.poll_event() {
        agent.handle_event(&cpe, &ev);
        if let Event::Connect { .. } = ev {
            cpe.handle_connected(now).unwrap();
        }
    }
    let mut tx = vec![0u8; 64 * 1024];
    let list = agent.inform_parameters(&cpe, &model);
    let mut w: &mut [u8] = &mut tx;
    let t = cpe
        .poll_transmit_with(now, &Array::from_lending(&list), &mut w)
        .unwrap()
        .unwrap();
    let inform = decode(body(&tx[..t.len])).unwrap();
    let Body::Inform(i) = &inform.body else {
        panic!()
    };
    let names: Vec<String> = i
        .parameter_list
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    assert!(
        names.contains(&"InternetGatewayDevice.ManagementServer.ParameterKey".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"InternetGatewayDevice.DeviceInfo.SoftwareVersion".to_string()));
    let id = inform.header.id.unwrap().raw().to_string();
    let mut rx = http(&env(
        &id,
        "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>",
    ));
    let n = rx.len();
    cpe.handle_response(now, &mut rx, n).unwrap();
    while cpe.poll_event().is_some() {}
    let mut w: &mut [u8] = &mut tx;
    cpe.poll_transmit(now, &mut w).unwrap().unwrap();
    let mut rx = http(&env("g", "<cwmp:GetParameterNames><ParameterPath></ParameterPath><NextLevel>1</NextLevel></cwmp:GetParameterNames>"));
    let n = rx.len();
    let Incoming::AcsRequest(req) = cpe.handle_response(now, &mut rx, n).unwrap() else {
        panic!()
    };
    let mut w: &mut [u8] = &mut tx;
    let t = agent
        .answer(now, &mut cpe, &mut model, &req, &mut w)
        .unwrap();
    let r = decode(body(&tx[..t.len])).unwrap();
    let Body::GetParameterNamesResponse(g) = &r.body else {
        panic!()
    };
    let got: Vec<String> = g
        .parameter_list
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    assert_eq!(got, ["InternetGatewayDevice."]);
    // And the agent's subtree is there.
    let mut rx = http(&env("h", "<cwmp:GetParameterNames><ParameterPath>InternetGatewayDevice.</ParameterPath><NextLevel>1</NextLevel></cwmp:GetParameterNames>"));
    let n = rx.len();
    let Incoming::AcsRequest(req) = cpe.handle_response(now, &mut rx, n).unwrap() else {
        panic!()
    };
    let mut w: &mut [u8] = &mut tx;
    let t = agent
        .answer(now, &mut cpe, &mut model, &req, &mut w)
        .unwrap();
    let r = decode(body(&tx[..t.len])).unwrap();
    let Body::GetParameterNamesResponse(g) = &r.body else {
        panic!()
    };
    let got: Vec<String> = g
        .parameter_list
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    assert_eq!(
        got,
        [
            "InternetGatewayDevice.DeviceInfo.",
            "InternetGatewayDevice.ManagementServer."
        ]
    );
}
