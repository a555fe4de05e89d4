//! A whole Session answered by the agent allocates nothing (DESIGN §7): Inform with the
//! agent's ParameterList, then every CPE RPC the agent answers (GetRPCMethods, GPN, GPV, GPA,
//! SPV good and bad, SPA, AddObject, DeleteObject, Download, Upload, ScheduleInform,
//! CancelTransfer, GetQueuedTransfers, GetAllQueuedTransfers, Reboot, FactoryReset, an unknown
//! method), a value change, the agent's record exported and restored.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use cwmp_core::agent::table::InstanceTable;
use cwmp_core::agent::{Agent, Capabilities, DataModel, Node, ParamType, TransferRequest};
use cwmp_core::codec::{Array, FaultCode, Value};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming};
use cwmp_core::Instant;

#[path = "../../cwmp-codec/tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

const NAME: &[Node] = &[
    Node::parameter("SoftwareVersion", 1, ParamType::string(32)).forced_inform(),
    Node::parameter("HostName", 2, ParamType::string(32)).writable(),
];
const ROW: &[Node] = &[Node::parameter("Enable", 11, ParamType::Boolean).writable()];
static DEVICE: Node = Node::object(
    "Device",
    0,
    &[
        Node::object("DeviceInfo", 0, NAME),
        Node::table("Row", 10, 4, ROW),
    ],
);

struct Model {
    hostname: heapless::String<32>,
    rows: InstanceTable<bool, 4>,
}

impl DataModel for Model {
    fn root(&self) -> &'static Node {
        &DEVICE
    }
    fn instance(&self, _t: &'static Node, _p: &[u32], i: usize) -> Option<u32> {
        self.rows.number(i)
    }
    fn get<'s>(&self, p: &'static Node, inst: &[u32], scratch: &'s mut [u8]) -> Option<Value<'s>> {
        match p.id {
            1 => Some(Value::string("1.0")),
            2 => {
                let d = scratch.get_mut(..self.hostname.len())?;
                d.copy_from_slice(self.hostname.as_bytes());
                Some(Value::string(core::str::from_utf8(d).ok()?))
            }
            11 => Some(Value::Boolean(*self.rows.get(*inst.first()?)?)),
            _ => None,
        }
    }
    fn set(&mut self, p: &'static Node, inst: &[u32], v: &Value<'_>) {
        match p.id {
            2 => {
                let mut buf = [0u8; 64];
                if let Some(s) = v.as_xml_str().and_then(|x| x.unescape_into(&mut buf).ok()) {
                    self.hostname = heapless::String::try_from(s).unwrap_or_default();
                }
            }
            11 => {
                if let Some(r) = inst.first().and_then(|n| self.rows.get_mut(*n)) {
                    *r = v.as_bool().unwrap_or(false);
                }
            }
            _ => {}
        }
    }
    fn add_instance(&mut self, _t: &'static Node, _p: &[u32]) -> Result<u32, FaultCode> {
        self.rows.add(false).ok_or(FaultCode::RESOURCES_EXCEEDED)
    }
    fn delete_instance(&mut self, _t: &'static Node, inst: &[u32]) -> Result<(), FaultCode> {
        if self.rows.remove(*inst.last().unwrap_or(&0)) {
            Ok(())
        } else {
            Err(FaultCode::INVALID_PARAMETER_NAME)
        }
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            download: true,
            upload: true,
            factory_reset: true,
            ..Capabilities::default()
        }
    }
    fn accept_transfer(&mut self, _r: &TransferRequest<'_>) -> Result<(), FaultCode> {
        Ok(())
    }
}

fn env(id: &str, body: &str) -> Vec<u8> {
    let e = format!(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\" xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">{id}</cwmp:ID></soapenv:Header><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    );
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{e}",
        e.len()
    )
    .into_bytes()
}

#[test]
fn a_whole_agent_session_allocates_nothing() {
    let requests: Vec<Vec<u8>> = [
        "<cwmp:GetRPCMethods/>",
        "<cwmp:GetParameterNames><ParameterPath></ParameterPath><NextLevel>1</NextLevel></cwmp:GetParameterNames>",
        "<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>0</NextLevel></cwmp:GetParameterNames>",
        "<cwmp:GetParameterValues><ParameterNames soapenc:arrayType=\"xsd:string[1]\"><string>Device.</string></ParameterNames></cwmp:GetParameterValues>",
        "<cwmp:SetParameterAttributes><ParameterList soapenc:arrayType=\"cwmp:SetParameterAttributesStruct[1]\"><SetParameterAttributesStruct><Name>Device.DeviceInfo.HostName</Name><NotificationChange>1</NotificationChange><Notification>2</Notification><AccessListChange>1</AccessListChange><AccessList soapenc:arrayType=\"xsd:string[1]\"><string>Subscriber</string></AccessList></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>",
        "<cwmp:GetParameterAttributes><ParameterNames soapenc:arrayType=\"xsd:string[1]\"><string>Device.DeviceInfo.</string></ParameterNames></cwmp:GetParameterAttributes>",
        "<cwmp:SetParameterValues><ParameterList soapenc:arrayType=\"cwmp:ParameterValueStruct[1]\"><ParameterValueStruct><Name>Device.DeviceInfo.HostName</Name><Value xsi:type=\"xsd:string\">acs</Value></ParameterValueStruct></ParameterList><ParameterKey>k</ParameterKey></cwmp:SetParameterValues>",
        "<cwmp:SetParameterValues><ParameterList soapenc:arrayType=\"cwmp:ParameterValueStruct[2]\"><ParameterValueStruct><Name>Device.DeviceInfo.SoftwareVersion</Name><Value xsi:type=\"xsd:string\">x</Value></ParameterValueStruct><ParameterValueStruct><Name>Device.Nope</Name><Value xsi:type=\"xsd:string\">x</Value></ParameterValueStruct></ParameterList><ParameterKey>k2</ParameterKey></cwmp:SetParameterValues>",
        "<cwmp:AddObject><ObjectName>Device.Row.</ObjectName><ParameterKey>a</ParameterKey></cwmp:AddObject>",
        "<cwmp:AddObject><ObjectName>Device.Row.</ObjectName><ParameterKey>a</ParameterKey></cwmp:AddObject>",
        "<cwmp:DeleteObject><ObjectName>Device.Row.1.</ObjectName><ParameterKey>d</ParameterKey></cwmp:DeleteObject>",
        "<cwmp:Download><CommandKey>dl</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>http://h/f</URL><Username/><Password/><FileSize>0</FileSize><TargetFileName/><DelaySeconds>9</DelaySeconds><SuccessURL/><FailureURL/></cwmp:Download>",
        "<cwmp:Upload><CommandKey>ul</CommandKey><FileType>1 Vendor Configuration File</FileType><URL>http://h/u</URL><Username/><Password/><DelaySeconds>9</DelaySeconds></cwmp:Upload>",
        "<cwmp:GetQueuedTransfers/>",
        "<cwmp:GetAllQueuedTransfers/>",
        "<cwmp:CancelTransfer><CommandKey>ul</CommandKey></cwmp:CancelTransfer>",
        "<cwmp:ScheduleInform><DelaySeconds>60</DelaySeconds><CommandKey>si</CommandKey></cwmp:ScheduleInform>",
        "<cwmp:Reboot><CommandKey>rb</CommandKey></cwmp:Reboot>",
        "<cwmp:FactoryReset/>",
        "<cwmp:X_ACME_Unknown/>",
    ]
    .iter()
    .map(|b| env("a1", b))
    .collect();
    // The Inform's ID is "1" for a fresh machine.
    let inform_response = env(
        "1",
        "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>",
    );
    let empty204 = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".to_vec();
    let config = Config::new(
        "http://acs.example.com/cwmp",
        "Acme",
        "00D09E",
        "STB",
        "SN1",
    );
    let mut model = Model {
        hostname: heapless::String::try_from("cpe").unwrap(),
        rows: InstanceTable::new(),
    };
    let mut agent: Agent<8, 8> = Agent::new(&config);
    let mut cpe: Cpe = Cpe::new(&config, Instant::from_secs(1), 1).unwrap();
    let mut tx = vec![0u8; 16 * 1024];
    let mut rx = vec![0u8; 16 * 1024];
    let mut flash = vec![0u8; 8 * 1024];
    let mut answered = 0usize;
    let ((), n) = allocations(|| {
        let now = Instant::from_secs(1);
        cpe.bootstrap(now);
        agent.boot(now, &mut cpe, &model);
        let drain = |cpe: &mut Cpe, agent: &mut Agent<8, 8>| {
            while let Some(ev) = cpe.poll_event() {
                agent.handle_event(cpe, &ev);
                if let Event::Connect { .. } = ev {
                    cpe.handle_connected(now).unwrap();
                }
            }
        };
        drain(&mut cpe, &mut agent);
        let list = agent.inform_parameters(&cpe, &model);
        let mut w: &mut [u8] = &mut tx;
        cpe.poll_transmit_with(now, &Array::from_lending(&list), &mut w)
            .unwrap()
            .unwrap();
        rx[..inform_response.len()].copy_from_slice(&inform_response);
        let len = inform_response.len();
        let inc = cpe.handle_response(now, &mut rx, len).unwrap();
        assert!(matches!(inc, Incoming::Nothing));
        drain(&mut cpe, &mut agent);
        let mut w: &mut [u8] = &mut tx;
        cpe.poll_transmit(now, &mut w).unwrap().unwrap();
        for req in &requests {
            rx[..req.len()].copy_from_slice(req);
            let Incoming::AcsRequest(r) = cpe.handle_response(now, &mut rx, req.len()).unwrap()
            else {
                panic!()
            };
            let mut w: &mut [u8] = &mut tx;
            agent.answer(now, &mut cpe, &mut model, &r, &mut w).unwrap();
            answered += 1;
            drain(&mut cpe, &mut agent);
        }
        // A change by the firmware, noticed by comparison.
        model.hostname = heapless::String::try_from("firmware").unwrap();
        assert_eq!(agent.check_values(now, &mut cpe, &model), 1);
        rx[..empty204.len()].copy_from_slice(&empty204);
        cpe.handle_response(now, &mut rx, empty204.len()).unwrap();
        drain(&mut cpe, &mut agent);
        let n = agent.export(&mut flash).unwrap();
        let mut again: Agent<8, 8> = Agent::new(&config);
        again.restore(&flash[..n]).unwrap();
        assert_eq!(again.attributes().len(), agent.attributes().len());
    });
    assert_eq!(answered, 20);
    assert_eq!(n, 0, "the agent's Session allocated {n} times");
}
