//! A scripted in-memory ACS and a fake clock around a real [`Cpe`] (quinn's `Pair` style).
//!
//! The ACS side is written with this project's HTTP reader and SOAP decoder: every POST the CPE
//! writes is parsed with `RequestHead::parse` and `decode`, recorded as a [`Seen`], and answered
//! by the next [`Step`] of the script. The "application" answers ACS requests with the codec's
//! message types. Time only moves when the pair says so.
#![allow(
    dead_code,
    clippy::type_complexity,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::collections::VecDeque;

use cwmp_core::codec::datetime::DateTime;
use cwmp_core::codec::http::request::RequestHead;
use cwmp_core::codec::http::{Status, EMPTY_HEADER};
use cwmp_core::codec::message::{
    DownloadResponse, FactoryResetResponse, GetParameterValuesResponse, Kicked, RebootResponse,
    ScheduleInformResponse, SetParameterValuesResponse, SoapFault,
};
use cwmp_core::codec::{decode, Array, Body, DateTimeValue, XmlStr};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming, SessionOutcome, TransportError};
use cwmp_core::events::EventQueue;
use cwmp_core::persist::Record;
use cwmp_core::schedule::ScheduleInformQueue;
use cwmp_core::transfer::{TransferKind, Transfers};
use cwmp_core::{Duration, Instant};

pub const ACS_URL: &str = "http://acs.example.com:7547/cwmp";
pub const NS12: &str = "urn:dslforum-org:cwmp-1-2";
pub const NS10: &str = "urn:dslforum-org:cwmp-1-0";

pub fn config() -> Config<'static> {
    let mut c = Config::new(ACS_URL, "Acme", "00D09E", "STB", "SN123");
    c.username = "00D09E-STB-SN123";
    c.password = "secret";
    c
}

pub fn new_cpe(seed: u64) -> Cpe {
    Cpe::new(&config(), Instant::from_secs(1), seed).unwrap()
}

/// One POST as the ACS saw it.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Method name, `""` for an empty POST.
    pub method: String,
    pub id: Option<String>,
    pub ns: String,
    pub host: String,
    pub target: String,
    pub authorization: Option<String>,
    pub cookie: Option<String>,
    pub soap_action: Option<String>,
    pub supported_versions: Option<String>,
    pub session_timeout: Option<u32>,
    /// Inform events `(code, command key)`.
    pub events: Vec<(String, String)>,
    pub retry_count: Option<u32>,
    /// TransferComplete: CommandKey and FaultCode.
    pub transfer_complete: Option<(String, u32)>,
    /// The connection (1-based count of Connects) it came on.
    pub connection: u32,
    /// Response faults sent by the CPE.
    pub fault_code: Option<u32>,
    pub raw_len: usize,
    /// The cwmp:ID of the CPE's last request (what an ACS response echoes).
    pub request_id: Option<String>,
    /// The body bytes (the envelope).
    pub body: Vec<u8>,
}

/// What the ACS does with the next POST.
pub enum Step {
    /// Answer with these HTTP bytes, made from what was seen.
    Reply(Box<dyn FnMut(&Seen) -> Vec<u8>>),
    /// The transport fails instead of a response.
    Transport(TransportError),
    /// No response: the clock runs until the CPE gives up.
    Silence,
    /// The ACS sends these bytes (made from what was seen), then closes the connection:
    /// `Cpe::handle_connection_closed`.
    Closed(Box<dyn FnMut(&Seen) -> Vec<u8>>),
}

/// Answer with `bytes`, then close (`Connection: close` or not).
pub fn closing(f: impl FnMut(&Seen) -> Vec<u8> + 'static) -> Step {
    Step::Closed(Box::new(f))
}

/// The reply the application wrote, kept to write it again after `Event::ResendResponse` (the
/// request is not executed twice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Gpv,
    Spv,
    Download,
    Reboot,
    FactoryReset,
    ScheduleInform,
    Fault(u32),
}

impl Reply {
    pub fn write(self, cpe: &mut Cpe, now: Instant, w: &mut &mut [u8]) -> usize {
        let reply: Body<'_> = match self {
            Reply::Gpv => GetParameterValuesResponse {
                parameter_list: Array::empty(),
            }
            .into(),
            Reply::Spv => SetParameterValuesResponse { status: 0 }.into(),
            Reply::Download => DownloadResponse {
                status: 1,
                start_time: DateTimeValue::UNKNOWN,
                complete_time: DateTimeValue::UNKNOWN,
            }
            .into(),
            Reply::Reboot => RebootResponse {}.into(),
            Reply::FactoryReset => FactoryResetResponse {}.into(),
            Reply::ScheduleInform => ScheduleInformResponse {}.into(),
            Reply::Fault(c) => Body::Fault(SoapFault::new(c, "fault")),
        };
        cpe.respond(now, reply, w).unwrap().len
    }
}

pub fn http(status: u16, extra: &str, body: &str) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        401 => "Unauthorized",
        302 => "Found",
        _ => "Status",
    };
    let ct = if body.is_empty() {
        ""
    } else {
        "Content-Type: text/xml; charset=\"utf-8\"\r\n"
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\n{ct}Content-Length: {}\r\n{extra}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub fn envelope(ns: &str, header: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:cwmp=\"{ns}\">\
         <soapenv:Header>{header}</soapenv:Header><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )
}

fn id_header(seen: &Seen) -> String {
    match &seen.request_id {
        Some(id) => format!("<cwmp:ID soapenv:mustUnderstand=\"1\">{id}</cwmp:ID>"),
        None => String::new(),
    }
}

/// InformResponse in `ns`, with an optional UseCWMPVersion and HoldRequests.
pub fn inform_response_with(
    ns: &'static str,
    use_version: Option<&'static str>,
    hold: Option<bool>,
) -> Step {
    Step::Reply(Box::new(move |seen| {
        assert_eq!(seen.method, "Inform", "script expected an Inform");
        let mut h = id_header(seen);
        if let Some(v) = use_version {
            h.push_str(&format!(
                "<cwmp:UseCWMPVersion soapenv:mustUnderstand=\"1\">{v}</cwmp:UseCWMPVersion>"
            ));
        }
        if let Some(x) = hold {
            h.push_str(&format!(
                "<cwmp:HoldRequests soapenv:mustUnderstand=\"1\">{}</cwmp:HoldRequests>",
                u8::from(x)
            ));
        }
        http(
            200,
            "",
            &envelope(
                ns,
                &h,
                "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>",
            ),
        )
    }))
}

pub fn inform_response() -> Step {
    inform_response_with(NS12, Some("1.4"), None)
}

/// 204 No Content.
pub fn empty() -> Step {
    Step::Reply(Box::new(|_| http(204, "", "")))
}

/// An empty 200 (INTEROP H1).
pub fn empty_200() -> Step {
    Step::Reply(Box::new(|_| http(200, "", "")))
}

pub fn status(code: u16) -> Step {
    Step::Reply(Box::new(move |_| http(code, "", "")))
}

pub fn digest_challenge(close: bool) -> Step {
    Step::Reply(Box::new(move |_| {
        let extra = format!(
            "WWW-Authenticate: Digest realm=\"cwmp\", nonce=\"n0nce\", qop=\"auth\", algorithm=MD5\r\nSet-Cookie: session=abc; Path=/\r\n{}",
            if close { "Connection: close\r\n" } else { "" }
        );
        http(401, &extra, "")
    }))
}

pub fn redirect(location: &'static str) -> Step {
    Step::Reply(Box::new(move |_| {
        http(302, &format!("Location: {location}\r\n"), "")
    }))
}

/// A CWMP fault to the CPE's request, echoing its ID.
pub fn fault_in(ns: &'static str, code: u32) -> Step {
    Step::Reply(Box::new(move |seen| {
        let body = format!(
            "<soapenv:Fault><faultcode>Server</faultcode><faultstring>CWMP fault</faultstring><detail>\
             <cwmp:Fault><FaultCode>{code}</FaultCode><FaultString>x</FaultString></cwmp:Fault></detail></soapenv:Fault>"
        );
        http(200, "", &envelope(ns, &id_header(seen), &body))
    }))
}

pub fn fault(code: u32) -> Step {
    fault_in(NS12, code)
}

/// A response method (e.g. `TransferCompleteResponse`) echoing the request's ID.
pub fn response(method: &'static str) -> Step {
    Step::Reply(Box::new(move |seen| {
        http(
            200,
            "",
            &envelope(NS12, &id_header(seen), &format!("<cwmp:{method}/>")),
        )
    }))
}

/// An ACS request (inner XML of the Body), with cwmp:ID `acs-<n>`, optional HoldRequests.
pub fn request_with(inner: &'static str, hold: Option<bool>) -> Step {
    Step::Reply(Box::new(move |_| {
        let mut h = "<cwmp:ID soapenv:mustUnderstand=\"1\">acs&amp;1</cwmp:ID>".to_string();
        if let Some(x) = hold {
            h.push_str(&format!(
                "<cwmp:HoldRequests soapenv:mustUnderstand=\"1\">{}</cwmp:HoldRequests>",
                u8::from(x)
            ));
        }
        http(200, "", &envelope(NS12, &h, inner))
    }))
}

/// An ACS request in namespace `ns`.
pub fn request_ns(ns: &'static str, inner: &'static str) -> Step {
    Step::Reply(Box::new(move |_| {
        http(
            200,
            "",
            &envelope(
                ns,
                "<cwmp:ID soapenv:mustUnderstand=\"1\">a1</cwmp:ID>",
                inner,
            ),
        )
    }))
}

pub fn request(inner: &'static str) -> Step {
    request_with(inner, None)
}

pub fn raw(bytes: &'static [u8]) -> Step {
    Step::Reply(Box::new(move |_| bytes.to_vec()))
}

/// `step`'s bytes with `prefix` before them.
pub fn after(prefix: &'static str, step: Step) -> Step {
    let Step::Reply(mut f) = step else {
        panic!("not a reply")
    };
    Step::Reply(Box::new(move |seen| {
        let mut v = prefix.as_bytes().to_vec();
        v.extend(f(seen));
        v
    }))
}

/// The first `k` bytes of `step`'s answer, then the peer closes.
pub fn cut(step: Step, k: usize) -> Step {
    let Step::Reply(mut f) = step else {
        panic!("not a reply")
    };
    closing(move |seen| {
        let mut v = f(seen);
        v.truncate(k);
        v
    })
}

pub fn with_close(mut step: Step) -> Step {
    if let Step::Reply(f) = &mut step {
        let mut inner = std::mem::replace(f, Box::new(|_| Vec::new()));
        *f = Box::new(move |seen| {
            let bytes = inner(seen);
            let text = String::from_utf8(bytes).unwrap();
            text.replacen("\r\n", "\r\nConnection: close\r\n", 1)
                .into_bytes()
        });
    }
    step
}

pub const GPV: &str = "<cwmp:GetParameterValues><ParameterNames soapenc:arrayType=\"xsd:string[1]\"><string>Device.DeviceInfo.UpTime</string></ParameterNames></cwmp:GetParameterValues>";
pub const DOWNLOAD: &str = "<cwmp:Download><CommandKey>fw-42</CommandKey><FileType>1 Firmware Upgrade Image</FileType>\
    <URL>http://files.example.com/fw.bin</URL><Username></Username><Password></Password><FileSize>1000</FileSize>\
    <TargetFileName></TargetFileName><DelaySeconds>0</DelaySeconds><SuccessURL></SuccessURL><FailureURL></FailureURL></cwmp:Download>";
pub const REBOOT: &str = "<cwmp:Reboot><CommandKey>rb-1</CommandKey></cwmp:Reboot>";
pub const FACTORY_RESET: &str = "<cwmp:FactoryReset/>";
pub const SCHEDULE_INFORM: &str = "<cwmp:ScheduleInform><DelaySeconds>60</DelaySeconds><CommandKey>si-1</CommandKey></cwmp:ScheduleInform>";
pub const UNKNOWN_METHOD: &str = "<cwmp:X_Vendor_Method/>";

/// The CPE and the scripted ACS, with a fake clock.
pub struct Pair {
    pub cpe: Cpe,
    pub now: Instant,
    pub script: VecDeque<Step>,
    /// Every POST the ACS saw.
    pub seen: Vec<Seen>,
    /// Every event the CPE emitted.
    pub events: Vec<Event>,
    /// Outcomes of ended Sessions.
    pub outcomes: Vec<SessionOutcome>,
    pub connected: bool,
    pub connections: u32,
    /// Last persisted record (written on PersistChanged).
    pub flash: Option<Vec<u8>>,
    /// ACS requests the application handled (method names).
    pub handled: Vec<String>,
    pub reboots: u32,
    /// Transfers the application was told to start.
    pub started_transfers: Vec<cwmp_core::transfer::TransferId>,
    tx: Vec<u8>,
    pending_tx: Option<usize>,
    last_request_id: Option<String>,
    ready_request: Option<cwmp_core::cpe::RequestKind>,
    /// Answers POSTs when the script is empty.
    pub responder: Option<Box<dyn FnMut(&Seen) -> Step>>,
    /// At every failed Session: (time, retry deadline, post-reboot retry count).
    pub retry_log: Vec<(Instant, Option<Instant>, u32)>,
    /// The last reply written by `respond`, and how many times it was written again.
    pub last_reply: Option<Reply>,
    pub resent_responses: u32,
}

impl Pair {
    pub fn new(cpe: Cpe) -> Pair {
        Pair {
            cpe,
            now: Instant::from_secs(1),
            script: VecDeque::new(),
            seen: Vec::new(),
            events: Vec::new(),
            outcomes: Vec::new(),
            connected: false,
            connections: 0,
            flash: None,
            handled: Vec::new(),
            reboots: 0,
            started_transfers: Vec::new(),
            tx: vec![0u8; 16 * 1024],
            pending_tx: None,
            last_request_id: None,
            ready_request: None,
            responder: None,
            retry_log: Vec::new(),
            last_reply: None,
            resent_responses: 0,
        }
    }

    pub fn script(&mut self, steps: impl IntoIterator<Item = Step>) -> &mut Self {
        self.script.extend(steps);
        self
    }

    pub fn advance(&mut self, d: Duration) {
        self.now = self.now + d;
    }

    /// Drains the CPE's events, acting on them like a driver.
    pub fn drain_events(&mut self) {
        while let Some(ev) = self.cpe.poll_event() {
            self.events.push(ev);
            match ev {
                Event::Connect { .. } => {
                    assert!(!self.connected, "Connect while connected");
                    self.connected = true;
                    self.connections += 1;
                    self.cpe.handle_connected(self.now).unwrap();
                }
                Event::Close => self.connected = false,
                Event::SessionEnded { outcome } => {
                    self.outcomes.push(outcome);
                    if outcome != SessionOutcome::Success {
                        let r = self.cpe.retry_state();
                        self.retry_log
                            .push((self.now, r.poll_timeout(), r.post_reboot_count()));
                    }
                    assert!(!self.connected, "connection left open after the Session");
                }
                Event::PersistChanged => {
                    let mut buf = vec![0u8; cwmp_core::persist::Record::<64, 3, 3>::MAX_LEN];
                    let n = self.cpe.export(self.now, &mut buf).unwrap();
                    buf.truncate(n);
                    assert_export_matches_record(&self.cpe, self.now, &buf);
                    self.flash = Some(buf);
                }
                Event::Reboot | Event::FactoryReset => self.reboots += 1,
                Event::StartTransfer { id } => self.started_transfers.push(id),
                Event::RequestReady { kind } => self.ready_request = Some(kind),
                Event::ResendResponse => {
                    let reply = self.last_reply.expect("ResendResponse before any reply");
                    let mut w: &mut [u8] = &mut self.tx;
                    self.pending_tx = Some(reply.write(&mut self.cpe, self.now, &mut w));
                    self.resent_responses += 1;
                }
                _ => {}
            }
        }
    }

    /// One step of the driver loop. Returns `false` when nothing happened (idle).
    pub fn step(&mut self) -> bool {
        self.drain_events();
        let len = match self.pending_tx.take() {
            Some(n) => Some(n),
            None if self.ready_request.is_some() => {
                let kind = self.ready_request.take().unwrap();
                let mut w: &mut [u8] = &mut self.tx;
                let body: Body<'_> = match kind {
                    cwmp_core::cpe::RequestKind::Kicked => Kicked {
                        command: XmlStr::new("cmd"),
                        referer: XmlStr::new("http://lan/"),
                        arg: XmlStr::new(""),
                        next: XmlStr::new("http://lan/next"),
                    }
                    .into(),
                    _ => panic!("harness builds Kicked only"),
                };
                Some(self.cpe.send_request(self.now, body, &mut w).unwrap().len)
            }
            None => {
                let mut w: &mut [u8] = &mut self.tx;
                self.cpe
                    .poll_transmit(self.now, &mut w)
                    .unwrap()
                    .map(|t| t.len)
            }
        };
        self.drain_events();
        let Some(len) = len else {
            return self.ready_request.is_some();
        };
        assert!(self.connected, "POST without a connection");
        let mut seen = parse_post(&self.tx[..len], self.connections);
        let is_request =
            !seen.method.is_empty() && seen.method != "Fault" && !seen.method.ends_with("Response");
        if is_request {
            self.last_request_id = seen.id.clone();
        }
        seen.request_id = self.last_request_id.clone();
        self.seen.push(seen.clone());
        let from_script = self.script.pop_front();
        let step = from_script
            .or_else(|| self.responder.as_mut().map(|r| r(&seen)))
            .unwrap_or_else(|| {
                panic!(
                    "script exhausted at {:?} (seen so far: {:?})",
                    seen.method,
                    self.methods()
                )
            });
        match step {
            Step::Transport(kind) => {
                self.cpe.handle_transport_error(self.now, kind);
            }
            Step::Silence => {
                let deadline = self.cpe.poll_timeout().expect("a response deadline");
                assert!(
                    deadline >= self.now + Duration::from_secs(30),
                    "response timeout below 30 s"
                );
                self.now = deadline;
                self.cpe.handle_timeout(self.now);
            }
            step @ (Step::Reply(_) | Step::Closed(_)) => {
                let (mut rx, closed) = match step {
                    Step::Reply(mut f) => (f(&seen), false),
                    Step::Closed(mut f) => (f(&seen), true),
                    _ => unreachable!(),
                };
                let n = rx.len();
                // Room past the bytes, as a driver's receive buffer has.
                rx.resize(n + 4096, 0);
                let incoming = if closed {
                    self.connected = false;
                    self.cpe
                        .handle_connection_closed(self.now, &mut rx, n)
                        .unwrap()
                } else {
                    self.cpe.handle_response(self.now, &mut rx, n).unwrap()
                };
                if let Incoming::AcsRequest(req) = incoming {
                    let method = req.method_name().to_string();
                    self.handled.push(method.clone());
                    let now = self.now;
                    let mut w: &mut [u8] = &mut self.tx;
                    let reply = match req.body() {
                        Body::GetParameterValues(_) => Reply::Gpv,
                        Body::SetParameterValues(_) => Reply::Spv,
                        Body::Download(d) => {
                            let key = d.command_key.as_str().unwrap_or("").to_string();
                            match self.cpe.queue_transfer(
                                now,
                                TransferKind::Download,
                                &key,
                                "1 Firmware Upgrade Image",
                                0,
                            ) {
                                Ok(_) => Reply::Download,
                                Err(_) => Reply::Fault(9004),
                            }
                        }
                        Body::Reboot(r) => {
                            let key = r.command_key.as_str().unwrap_or("").to_string();
                            self.cpe.request_reboot(now, &key);
                            Reply::Reboot
                        }
                        Body::FactoryReset(_) => {
                            self.cpe.request_factory_reset(now);
                            Reply::FactoryReset
                        }
                        Body::ScheduleInform(s) => {
                            let key = s.command_key.as_str().unwrap_or("").to_string();
                            match self.cpe.schedule_inform(now, s.delay_seconds, &key) {
                                Ok(()) => Reply::ScheduleInform,
                                Err(e) => Reply::Fault(e.fault_code()),
                            }
                        }
                        _ => Reply::Fault(9000),
                    };
                    self.last_reply = Some(reply);
                    self.pending_tx = Some(reply.write(&mut self.cpe, now, &mut w));
                }
            }
        }
        true
    }

    /// Runs until the CPE is idle (no POST to send, no events). Panics after too many steps.
    pub fn run(&mut self) {
        for _ in 0..500 {
            if !self.step() {
                self.drain_events();
                return;
            }
        }
        panic!("no quiescence after 500 steps: {:?}", self.methods());
    }

    /// Runs, then fires timeouts up to `until`, running after each.
    pub fn run_until(&mut self, until: Instant) {
        self.run();
        while let Some(t) = self.cpe.poll_timeout() {
            if t > until {
                break;
            }
            self.now = self.now.max(t);
            self.cpe.handle_timeout(self.now);
            self.run();
        }
        self.now = self.now.max(until);
    }

    pub fn methods(&self) -> Vec<String> {
        self.seen.iter().map(|s| s.method.clone()).collect()
    }

    pub fn last_outcome(&self) -> Option<SessionOutcome> {
        self.outcomes.last().copied()
    }

    /// Simulates a reboot: a fresh CPE restored from the last flash record.
    pub fn reboot(&mut self, seed: u64) {
        self.drain_events();
        self.advance(Duration::from_secs(60));
        let mut cpe = Cpe::new(&config(), self.now, seed).unwrap();
        let flash = self.flash.clone();
        cpe.boot(self.now, flash.as_deref()).unwrap();
        if let Some(bytes) = &flash {
            assert_boot_matches_record(&cpe, self.now, None, bytes);
        }
        self.cpe = cpe;
        self.connected = false;
        self.pending_tx = None;
    }
}

/// `Cpe::export` (streamed from the machine's parts) writes exactly what `Record::capture` of the
/// same parts, with the ParameterKey and UDP `ts`, exports.
pub fn assert_export_matches_record(cpe: &Cpe, now: Instant, exported: &[u8]) {
    let mut r: Record = Record::capture(
        now,
        cpe.events(),
        cpe.transfers(),
        cpe.schedule(),
        cpe.retry_state(),
    );
    r.parameter_key = cpe.parameter_key().map(|k| k.try_into().unwrap());
    r.last_udp_timestamp = cpe.udp_timestamp();
    let mut buf = vec![0u8; Record::<64, 3, 3>::MAX_LEN];
    let n = r.export(&mut buf).unwrap();
    assert_eq!(
        exported,
        &buf[..n],
        "Cpe::export differs from Record::export"
    );
}

/// A fresh `Cpe` booted (streaming restore) from `bytes` at `now` (with the wall clock
/// `unix_now`, if it was set before `boot`) holds what the `Record` path gives:
/// `Record::restore`, `Record::apply` into fresh parts, then `Cpe::boot`'s reboot rules (Table 8
/// discards, §3.2.1.1 retry window, `1 BOOT`), compared on the parts' full state.
pub fn assert_boot_matches_record(cpe: &Cpe, now: Instant, unix_now: Option<i64>, bytes: &[u8]) {
    use cwmp_core::codec::event::EventCode;
    let r: Record = Record::restore(bytes).unwrap();
    let mut events: EventQueue = EventQueue::new();
    let mut transfers: Transfers = Transfers::new();
    let mut schedule: ScheduleInformQueue = ScheduleInformQueue::new();
    let mut retry = r
        .apply(now, unix_now, &mut events, &mut transfers, &mut schedule)
        .unwrap();
    events.on_reboot();
    retry.on_reboot();
    for code in [
        EventCode::Kicked,
        EventCode::RequestDownload,
        EventCode::AutonomousTransferComplete,
        EventCode::DuStateChangeComplete,
        EventCode::MChangeDuState,
        EventCode::AutonomousDuStateChangeComplete,
    ] {
        events.discard(code);
    }
    let _ = events.push(EventCode::Boot, "");
    assert_eq!(format!("{:?}", cpe.events()), format!("{events:?}"));
    assert_eq!(format!("{:?}", cpe.transfers()), format!("{transfers:?}"));
    assert_eq!(format!("{:?}", cpe.schedule()), format!("{schedule:?}"));
    assert_eq!(
        cpe.retry_state().retry_count(),
        retry.retry_count(),
        "retry count"
    );
    assert_eq!(
        cpe.retry_state().post_reboot_count(),
        retry.post_reboot_count()
    );
    assert_eq!(cpe.parameter_key(), r.parameter_key.as_deref());
    assert_eq!(cpe.udp_timestamp(), r.last_udp_timestamp);
}

pub fn parse_post(bytes: &[u8], connection: u32) -> Seen {
    let mut headers = [EMPTY_HEADER; 32];
    let Ok(Status::Complete(head)) = RequestHead::parse(bytes, &mut headers) else {
        panic!("CPE wrote an unreadable request head");
    };
    let text = |v: Option<&[u8]>| v.map(|b| String::from_utf8_lossy(b).into_owned());
    let mut seen = Seen {
        host: text(head.header("host")).unwrap_or_default(),
        target: head.path().to_string(),
        authorization: text(head.authorization()),
        cookie: head
            .cookies()
            .next()
            .map(|c| String::from_utf8_lossy(c).into_owned()),
        soap_action: text(head.soap_action()),
        connection,
        raw_len: bytes.len(),
        ..Seen::default()
    };
    let head_len = head.head_len;
    let content_length: usize = text(head.header("content-length"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        head_len + content_length,
        bytes.len(),
        "Content-Length must be exact"
    );
    let body = &bytes[head_len..];
    seen.body = body.to_vec();
    if body.is_empty() {
        return seen;
    }
    let env = decode(body).expect("CPE wrote an envelope that does not decode");
    assert!(
        env.schema_deviation.is_none(),
        "CPE output deviates: {:?}",
        env.schema_deviation
    );
    seen.method = env.body.method_name().to_string();
    seen.ns = env.cwmp_ns.uri().to_string();
    seen.id = env.header.id.map(|x| x.raw().to_string());
    seen.supported_versions = env
        .header
        .supported_cwmp_versions
        .map(|x| x.as_str().unwrap().to_string());
    seen.session_timeout = env.header.session_timeout;
    match &env.body {
        Body::Inform(i) => {
            seen.events = i
                .event
                .iter()
                .map(|e| {
                    (
                        e.event_code.as_str().to_string(),
                        e.command_key.as_str().unwrap().to_string(),
                    )
                })
                .collect();
            seen.retry_count = i.retry_count.valid();
        }
        Body::TransferComplete(tc) => {
            seen.transfer_complete = Some((
                tc.command_key.as_str().unwrap().to_string(),
                tc.fault_struct
                    .fault_code
                    .valid()
                    .expect("a numeric FaultCode"),
            ));
        }
        Body::Fault(f) => seen.fault_code = Some(f.code()),
        _ => {}
    }
    seen
}

/// Event codes of an Inform.
pub fn codes(seen: &Seen) -> Vec<&str> {
    seen.events.iter().map(|(c, _)| c.as_str()).collect()
}

pub fn unknown_time() -> DateTime {
    DateTime::UNKNOWN
}
