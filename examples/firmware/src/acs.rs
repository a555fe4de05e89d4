//! The scripted ACS, in memory: it reads each POST the CPE wrote (with the codec's HTTP request
//! reader; `decode` checks the envelope and reads its header), checks it against the next
//! [`Step`] of the script, prints one trace line for it, and writes the scripted HTTP response
//! into the CPE's receive buffer.
//!
//! This is a CPE-only build (cwmp-core with `default-features = false, features = ["cpe"]`):
//! the decoders of what only an ACS receives (Inform, TransferComplete, the responses to the
//! ACS's requests) and the encoders of what only an ACS sends are not linked, so they cannot
//! weigh on the device's flash. The scripted ACS therefore works like a peer on the wire: it
//! reads the fields it checks from the bytes of the CPE's canonical encoding ([`raw`]), and its
//! responses are envelopes spelt out as text, with the cwmp:ID spliced in.
//!
//! No allocation: the script is a `static` table, the response is written straight into the
//! receive buffer.

use cortex_m_semihosting::{hprint, hprintln};
use cwmp_core::codec::http::request::RequestHead;
use cwmp_core::codec::http::response::ServerResponseHead;
use cwmp_core::codec::http::{Status, EMPTY_HEADER};
use cwmp_core::codec::{decode, Envelope};

use crate::Failure;

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
        check: fn(&[u8]) -> Result<(), &'static str>,
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
            self.check(&step.expect, &env, body)?;
        }
        hprintln!();

        let len = self.reply(step.reply, rx)?;
        Ok(len)
    }

    fn check(&mut self, expect: &Expect, env: &Envelope<'_>, body: &[u8]) -> Result<(), Failure> {
        let method = env.body.method_name();
        match expect {
            Expect::Inform {
                events,
                software_version,
                parameter_key,
            } if method == "Inform" => {
                self.remember_id(env)?;
                hprint!(" [");
                for (i, (code, key)) in events.iter().enumerate() {
                    if i > 0 {
                        hprint!(", ");
                    }
                    if key.is_empty() {
                        hprint!("{}", code);
                    } else {
                        hprint!("{} {}", code, key);
                    }
                    let found = if key.is_empty() {
                        raw::has_seq(body, &["<EventCode>", code, "</EventCode><CommandKey/>"])
                    } else {
                        raw::has_seq(
                            body,
                            &[
                                "<EventCode>",
                                code,
                                "</EventCode><CommandKey>",
                                key,
                                "</CommandKey>",
                            ],
                        )
                    };
                    if !found {
                        hprintln!("]");
                        return Err(Failure("Inform event missing"));
                    }
                }
                hprint!("]");
                if raw::count(body, "<EventStruct>") != events.len() {
                    hprintln!();
                    return Err(Failure("unexpected Inform event"));
                }
                for (label, name, want) in [
                    (
                        "SoftwareVersion",
                        "Device.DeviceInfo.SoftwareVersion",
                        software_version,
                    ),
                    (
                        "ParameterKey",
                        "Device.ManagementServer.ParameterKey",
                        parameter_key,
                    ),
                ] {
                    hprint!(" {}={}", label, want);
                    if !raw::has_string_value(body, name, want) {
                        hprintln!();
                        return Err(Failure(
                            "Inform without the expected SoftwareVersion and ParameterKey",
                        ));
                    }
                }
                Ok(())
            }
            Expect::Response {
                method: want,
                check,
            } => {
                if method != *want {
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
            Expect::TransferComplete { command_key, fault } if method == "TransferComplete" => {
                self.remember_id(env)?;
                hprint!(" CommandKey={} FaultCode={}", command_key, fault);
                let mut digits = [0u8; 10];
                if !raw::has_seq(body, &["<CommandKey>", command_key, "</CommandKey>"])
                    || !raw::has_seq(
                        body,
                        &["<FaultCode>", decimal(*fault, &mut digits), "</FaultCode>"],
                    )
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
        // The envelope's pieces: the header's cwmp:ID, then the rest of the header, the body.
        let (id, header, body, method, label): (&str, &str, &str, &str, &str) = match reply {
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
            Reply::InformResponse => (
                cpe_id,
                "<cwmp:UseCWMPVersion soap-env:mustUnderstand=\"1\">1.4</cwmp:UseCWMPVersion>",
                "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>",
                "InformResponse",
                "(UseCWMPVersion 1.4)",
            ),
            Reply::TransferCompleteResponse => (
                cpe_id,
                "",
                "<cwmp:TransferCompleteResponse></cwmp:TransferCompleteResponse>",
                "TransferCompleteResponse",
                "",
            ),
            Reply::Request(rpc) => {
                self.requests_sent += 1;
                let id = acs_id(self.requests_sent, &mut id_buf);
                let (body, method, label) = match rpc {
                    Rpc::GetParameterValues => (
                        "<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType=\"xsd:string[2]\"><string>Device.DeviceInfo.SoftwareVersion</string><string>Device.ManagementServer.</string></ParameterNames></cwmp:GetParameterValues>",
                        "GetParameterValues",
                        "[Device.DeviceInfo.SoftwareVersion, Device.ManagementServer.]",
                    ),
                    Rpc::SetParameterValues => (
                        "<cwmp:SetParameterValues><ParameterList soap-enc:arrayType=\"cwmp:ParameterValueStruct[2]\"><ParameterValueStruct><Name>Device.ManagementServer.PeriodicInformInterval</Name><Value xsi:type=\"xsd:unsignedInt\">600</Value></ParameterValueStruct><ParameterValueStruct><Name>Device.DeviceInfo.ProvisioningCode</Name><Value xsi:type=\"xsd:string\">FW-DEMO</Value></ParameterValueStruct></ParameterList><ParameterKey>spv-1</ParameterKey></cwmp:SetParameterValues>",
                        "SetParameterValues",
                        "[PeriodicInformInterval=600, ProvisioningCode=FW-DEMO]",
                    ),
                    Rpc::Download => (
                        "<cwmp:Download><CommandKey>fw-2.0.0</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>http://files.example.com/fw-2.0.0.bin</URL><Username/><Password/><FileSize>180224</FileSize><TargetFileName/><DelaySeconds>0</DelaySeconds><SuccessURL/><FailureURL/></cwmp:Download>",
                        "Download",
                        "1 Firmware Upgrade Image, CommandKey fw-2.0.0",
                    ),
                    Rpc::Reboot => (
                        "<cwmp:Reboot><CommandKey>rb-1</CommandKey></cwmp:Reboot>",
                        "Reboot",
                        "CommandKey rb-1",
                    ),
                };
                (id, "", body, method, label)
            }
        };
        let pieces = [
            ENVELOPE_START,
            id,
            "</cwmp:ID>",
            header,
            "</soap-env:Header><soap-env:Body>",
            body,
            ENVELOPE_END,
        ];
        let len: usize = pieces.iter().map(|p| p.len()).sum();
        let total = rx.len();
        let mut w: &mut [u8] = rx;
        ServerResponseHead::envelope(len as u64)
            .write(&mut w)
            .map_err(|_| Failure("rx buffer too small"))?;
        for p in pieces {
            embedded_io::Write::write_all(&mut w, p.as_bytes())
                .map_err(|_| Failure("rx buffer too small"))?;
        }
        let n = total - w.len();
        hprint!("  ACS -> CPE  {} [{} B]", method, n);
        if !label.is_empty() {
            hprint!(" {}", label);
        }
        hprintln!();
        Ok(n)
    }
}

/// What every envelope of the scripted ACS starts with, up to its cwmp:ID's text (the form
/// cwmp-codec's encoder writes, TR-069 §3.5).
const ENVELOPE_START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">";
const ENVELOPE_END: &str = "</soap-env:Body></soap-env:Envelope>\n";

/// `n` in decimal in `buf`.
fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &str {
    let mut k = buf.len();
    loop {
        k -= 1;
        buf[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 || k == 0 {
            break;
        }
    }
    core::str::from_utf8(&buf[k..]).unwrap_or("?")
}

/// Reading fields from the bytes of an envelope in the canonical form the CPE writes (no
/// whitespace between elements, values with their `xsi:type`): what the scripted ACS checks.
pub mod raw {
    /// Where `needle` first occurs in `hay` at or after `from`.
    pub fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
        let n = needle.len();
        if n == 0 {
            return Some(from);
        }
        (from..=hay.len().checked_sub(n)?).find(|&i| hay.get(i..i + n) == Some(needle))
    }

    /// How many times `needle` occurs.
    pub fn count(hay: &[u8], needle: &str) -> usize {
        let mut n = 0;
        let mut at = 0;
        while let Some(i) = find(hay, needle.as_bytes(), at) {
            n += 1;
            at = i + needle.len();
        }
        n
    }

    /// Do `parts` occur one right after the other somewhere in `hay`?
    pub fn has_seq(hay: &[u8], parts: &[&str]) -> bool {
        let Some((first, rest)) = parts.split_first() else {
            return true;
        };
        let mut at = 0;
        while let Some(i) = find(hay, first.as_bytes(), at) {
            let mut pos = i + first.len();
            if rest.iter().all(|p| {
                let ok = hay.get(pos..pos + p.len()) == Some(p.as_bytes());
                pos += p.len();
                ok
            }) {
                return true;
            }
            at = i + 1;
        }
        false
    }

    /// Is there a ParameterValueStruct `name` with the string value `want`?
    pub fn has_string_value(hay: &[u8], name: &str, want: &str) -> bool {
        let start = ["<Name>", name, "</Name><Value xsi:type=\"xsd:string\""];
        if want.is_empty() {
            let mut empty = start;
            empty[2] = "</Name><Value xsi:type=\"xsd:string\"/>";
            return has_seq(hay, &empty)
                || has_seq(
                    hay,
                    &[
                        "<Name>",
                        name,
                        "</Name><Value xsi:type=\"xsd:string\"></Value>",
                    ],
                );
        }
        has_seq(hay, &[start[0], start[1], start[2], ">", want, "</Value>"])
    }

    /// The text of the next `<open>…</close>` at or after `from`, and where it ends.
    pub fn text<'a>(
        hay: &'a [u8],
        open: &str,
        close: &str,
        from: usize,
    ) -> Option<(&'a str, usize)> {
        let s = find(hay, open.as_bytes(), from)? + open.len();
        let e = find(hay, close.as_bytes(), s)?;
        Some((core::str::from_utf8(hay.get(s..e)?).ok()?, e + close.len()))
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
