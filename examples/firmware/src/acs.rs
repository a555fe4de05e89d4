//! The scripted ACS, in memory: it reads each POST the CPE wrote (with the codec's HTTP request
//! reader and SOAP decoder), checks it against the next [`Step`] of the script, prints one trace
//! line for it, and writes the scripted HTTP response into the CPE's receive buffer.
//!
//! No allocation: the script is a `static` table, requests are built from `static` arrays, the
//! response is encoded straight into the receive buffer.

use cortex_m_semihosting::{hprint, hprintln};
use cwmp_core::codec::http::request::RequestHead;
use cwmp_core::codec::http::response::ServerResponseHead;
use cwmp_core::codec::http::{Status, EMPTY_HEADER};
use cwmp_core::codec::message::{
    Download, GetParameterValues, InformResponse, ParameterValueStruct, Reboot, SetParameterValues,
    TransferCompleteResponse,
};
use cwmp_core::codec::{decode, Array, Body, CwmpNamespace, DownloadFileType, Envelope, XmlStr};

use crate::{print_value, Failure};

/// What the CPE must POST next.
pub enum Expect {
    /// An Inform with exactly these event codes (any order) and CommandKeys, and these
    /// `Device.DeviceInfo.SoftwareVersion` and `Device.ManagementServer.ParameterKey` among its
    /// parameters.
    Inform {
        events: &'static [(&'static str, &'static str)],
        software_version: &'static str,
        parameter_key: &'static str,
    },
    /// The response to the ACS's last request (the method name), checked by `check`.
    Response {
        method: &'static str,
        check: fn(&Body<'_>) -> Result<(), &'static str>,
    },
    /// A TransferComplete with this CommandKey and FaultCode.
    TransferComplete {
        command_key: &'static str,
        fault: u32,
    },
    /// An empty POST.
    Empty,
}

/// What the ACS answers.
#[derive(Clone, Copy)]
pub enum Reply {
    /// InformResponse with `UseCWMPVersion 1.4`.
    InformResponse,
    /// TransferCompleteResponse.
    TransferCompleteResponse,
    /// An ACS request.
    Request(Rpc),
    /// 204 No Content: the ACS has nothing more (§3.7.1.4).
    NoContent,
}

/// The requests the scripted ACS sends.
#[derive(Clone, Copy)]
pub enum Rpc {
    GetParameterValues,
    SetParameterValues,
    Download,
    Reboot,
}

/// One exchange: what the CPE must send, what the ACS answers.
pub struct Step {
    pub expect: Expect,
    pub reply: Reply,
}

static GPV_NAMES: [XmlStr<'static>; 2] = [
    XmlStr::new("Device.DeviceInfo.SoftwareVersion"),
    XmlStr::new("Device.ManagementServer."),
];

static SPV_LIST: [ParameterValueStruct<'static>; 2] = [
    ParameterValueStruct::new(
        "Device.ManagementServer.PeriodicInformInterval",
        cwmp_core::codec::Value::UnsignedInt(600),
    ),
    ParameterValueStruct::new(
        "Device.DeviceInfo.ProvisioningCode",
        cwmp_core::codec::Value::string("FW-DEMO"),
    ),
];

/// The Download's CommandKey, echoed in `M Download` and the TransferComplete.
pub const DOWNLOAD_KEY: &str = "fw-2.0.0";
/// The Reboot's CommandKey, echoed in `M Reboot`.
pub const REBOOT_KEY: &str = "rb-1";

const ID_CAP: usize = 32;

/// The scripted ACS.
pub struct ScriptedAcs {
    script: &'static [Step],
    next: usize,
    /// The cwmp:ID of the CPE's last request (echoed in the ACS's response).
    cpe_id: [u8; ID_CAP],
    cpe_id_len: usize,
    /// Number of requests the ACS sent: its cwmp:IDs are `acs-<n>`.
    requests_sent: u32,
}

impl ScriptedAcs {
    pub const fn new(script: &'static [Step]) -> Self {
        ScriptedAcs {
            script,
            next: 0,
            cpe_id: [0; ID_CAP],
            cpe_id_len: 0,
            requests_sent: 0,
        }
    }

    /// Every step was used.
    pub fn finished(&self) -> bool {
        self.next == self.script.len()
    }

    /// One round trip: checks the CPE's POST in `post`, prints it, writes the response into
    /// `rx`; returns the response's length.
    pub fn exchange(&mut self, post: &[u8], rx: &mut [u8]) -> Result<usize, Failure> {
        let step = self
            .script
            .get(self.next)
            .ok_or(Failure("the CPE sent a POST after the end of the script"))?;
        self.next += 1;

        // The HTTP head: a POST with an exact Content-Length.
        let mut headers = [EMPTY_HEADER; 24];
        let head = match RequestHead::parse(post, &mut headers) {
            Ok(Status::Complete(h)) => h,
            _ => return Err(Failure("unreadable HTTP request head")),
        };
        if head.method != "POST" {
            return Err(Failure("not a POST"));
        }
        let body = post.get(head.head_len..).unwrap_or(&[]);
        let content_length = head
            .header("content-length")
            .and_then(|v| core::str::from_utf8(v).ok())
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if content_length != body.len() {
            return Err(Failure("Content-Length is not the body length"));
        }

        hprint!("  CPE -> ACS  ");
        if body.is_empty() {
            hprint!("(empty POST) [{} B]", post.len());
            if !matches!(step.expect, Expect::Empty) {
                hprintln!();
                return Err(Failure("unexpected empty POST"));
            }
        } else {
            let env = decode(body).map_err(|_| Failure("the CPE's envelope does not decode"))?;
            if env.schema_deviation.is_some() {
                return Err(Failure("the CPE's envelope deviates from the schema"));
            }
            hprint!("{} [{} B]", env.body.method_name(), post.len());
            self.check(&step.expect, &env)?;
        }
        hprintln!();

        let len = self.reply(step.reply, rx)?;
        Ok(len)
    }

    fn check(&mut self, expect: &Expect, env: &Envelope<'_>) -> Result<(), Failure> {
        match (expect, &env.body) {
            (
                Expect::Inform {
                    events,
                    software_version,
                    parameter_key,
                },
                Body::Inform(inform),
            ) => {
                self.remember_id(env)?;
                hprint!(" [");
                let mut n = 0;
                for (i, e) in inform.event.iter().enumerate() {
                    let code = e.event_code.as_str();
                    let key = e.command_key.as_str().unwrap_or("?");
                    if i > 0 {
                        hprint!(", ");
                    }
                    if key.is_empty() {
                        hprint!("{}", code);
                    } else {
                        hprint!("{} {}", code, key);
                    }
                    if !events.iter().any(|(c, k)| *c == code && *k == key) {
                        hprintln!("]");
                        return Err(Failure("unexpected Inform event"));
                    }
                    n += 1;
                }
                hprint!("]");
                if n != events.len() {
                    hprintln!();
                    return Err(Failure("Inform events missing"));
                }
                let mut found = 0;
                for p in inform.parameter_list.iter() {
                    let (label, want) = if p.name.eq_str("Device.DeviceInfo.SoftwareVersion") {
                        ("SoftwareVersion", software_version)
                    } else if p.name.eq_str("Device.ManagementServer.ParameterKey") {
                        ("ParameterKey", parameter_key)
                    } else {
                        continue;
                    };
                    hprint!(" {}=", label);
                    if let Some(v) = p.value {
                        print_value(&v);
                    }
                    if p.value
                        .and_then(|v| v.as_xml_str())
                        .is_some_and(|s| s.eq_str(want))
                    {
                        found += 1;
                    }
                }
                if found != 2 {
                    hprintln!();
                    return Err(Failure(
                        "Inform without the expected SoftwareVersion and ParameterKey",
                    ));
                }
                Ok(())
            }
            (Expect::Response { method, check }, body) => {
                if body.method_name() != *method {
                    hprintln!();
                    return Err(Failure("unexpected response method"));
                }
                let want_id = self.requests_sent;
                let id_ok = env.header.id.is_some_and(|id| {
                    let mut buf = [0u8; 10];
                    id.eq_str(acs_id(want_id, &mut buf))
                });
                if !id_ok {
                    hprintln!();
                    return Err(Failure("response does not echo the request's cwmp:ID"));
                }
                check(body).map_err(|e| {
                    hprintln!();
                    Failure(e)
                })
            }
            (Expect::TransferComplete { command_key, fault }, Body::TransferComplete(tc)) => {
                self.remember_id(env)?;
                hprint!(
                    " CommandKey={} FaultCode={}",
                    tc.command_key.as_str().unwrap_or("?"),
                    tc.fault_struct.fault_code
                );
                if !tc.command_key.eq_str(command_key)
                    || tc.fault_struct.fault_code.valid() != Some(*fault)
                {
                    hprintln!();
                    return Err(Failure("unexpected TransferComplete"));
                }
                Ok(())
            }
            _ => {
                hprintln!();
                Err(Failure("unexpected method"))
            }
        }
    }

    fn remember_id(&mut self, env: &Envelope<'_>) -> Result<(), Failure> {
        let id = env
            .header
            .id
            .and_then(|id| id.as_str())
            .ok_or(Failure("CPE request without cwmp:ID"))?;
        let dst = self
            .cpe_id
            .get_mut(..id.len())
            .ok_or(Failure("cwmp:ID too long for the scripted ACS"))?;
        dst.copy_from_slice(id.as_bytes());
        self.cpe_id_len = id.len();
        Ok(())
    }

    fn reply(&mut self, reply: Reply, rx: &mut [u8]) -> Result<usize, Failure> {
        let cpe_id = self.cpe_id.get(..self.cpe_id_len).unwrap_or(&[]);
        let cpe_id = core::str::from_utf8(cpe_id).unwrap_or("");
        let mut id_buf = [0u8; 10];
        let ns = CwmpNamespace::V1_2;
        let (env, label) = match reply {
            Reply::NoContent => {
                let total = rx.len();
                let mut w: &mut [u8] = rx;
                ServerResponseHead::no_content()
                    .write(&mut w)
                    .map_err(|_| Failure("rx buffer too small for a 204"))?;
                let n = total - w.len();
                hprintln!("  ACS -> CPE  204 No Content [{} B]", n);
                return Ok(n);
            }
            Reply::InformResponse => {
                let mut env = Envelope::new(ns, InformResponse { max_envelopes: 1 });
                env.header.id = Some(XmlStr::new(cpe_id));
                env.header.use_cwmp_version = Some(XmlStr::new("1.4"));
                (env, "(UseCWMPVersion 1.4)")
            }
            Reply::TransferCompleteResponse => {
                let mut env = Envelope::new(ns, TransferCompleteResponse {});
                env.header.id = Some(XmlStr::new(cpe_id));
                (env, "")
            }
            Reply::Request(rpc) => {
                self.requests_sent += 1;
                let (body, label): (Body<'_>, &str) = match rpc {
                    Rpc::GetParameterValues => (
                        GetParameterValues {
                            parameter_names: Array::new(&GPV_NAMES),
                        }
                        .into(),
                        "[Device.DeviceInfo.SoftwareVersion, Device.ManagementServer.]",
                    ),
                    Rpc::SetParameterValues => (
                        SetParameterValues {
                            parameter_list: Array::new(&SPV_LIST),
                            parameter_key: XmlStr::new("spv-1"),
                        }
                        .into(),
                        "[PeriodicInformInterval=600, ProvisioningCode=FW-DEMO]",
                    ),
                    Rpc::Download => (
                        Download {
                            command_key: XmlStr::new(DOWNLOAD_KEY),
                            file_type: DownloadFileType::FirmwareUpgradeImage,
                            url: XmlStr::new("http://files.example.com/fw-2.0.0.bin"),
                            username: XmlStr::new(""),
                            password: XmlStr::new(""),
                            file_size: 180_224.into(),
                            target_file_name: XmlStr::new(""),
                            delay_seconds: 0,
                            success_url: XmlStr::new(""),
                            failure_url: XmlStr::new(""),
                        }
                        .into(),
                        "1 Firmware Upgrade Image, CommandKey fw-2.0.0",
                    ),
                    Rpc::Reboot => (
                        Reboot {
                            command_key: XmlStr::new(REBOOT_KEY),
                        }
                        .into(),
                        "CommandKey rb-1",
                    ),
                };
                let mut env = Envelope::new(ns, body);
                env.header.id = Some(XmlStr::new(acs_id(self.requests_sent, &mut id_buf)));
                (env, label)
            }
        };
        let len = env
            .encoded_len()
            .map_err(|_| Failure("ACS envelope does not encode"))?;
        let total = rx.len();
        let mut w: &mut [u8] = rx;
        ServerResponseHead::envelope(len as u64)
            .write(&mut w)
            .map_err(|_| Failure("rx buffer too small"))?;
        env.encode(&mut w)
            .map_err(|_| Failure("rx buffer too small"))?;
        let n = total - w.len();
        hprint!("  ACS -> CPE  {} [{} B]", env.body.method_name(), n);
        if !label.is_empty() {
            hprint!(" {}", label);
        }
        hprintln!();
        Ok(n)
    }
}

/// `acs-<n>` in `buf`.
fn acs_id(n: u32, buf: &mut [u8; 10]) -> &str {
    buf[..4].copy_from_slice(b"acs-");
    let mut digits = [0u8; 5];
    let mut k = 0;
    let mut v = n;
    loop {
        digits[k] = b'0' + (v % 10) as u8;
        k += 1;
        v /= 10;
        if v == 0 || k == digits.len() {
            break;
        }
    }
    for i in 0..k {
        buf[4 + i] = digits[k - 1 - i];
    }
    core::str::from_utf8(&buf[..4 + k]).unwrap_or("acs-?")
}
