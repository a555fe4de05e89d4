//! The whole-device-life demo (`cargo run --example demo`, and `examples/tests/demo.rs`): an ACS
//! ([`crate::acs_server::serve`] around [`cwmp_core::acs::AcsSession`]), a CPE
//! ([`crate::cpe_driver::CpeDriver`] around [`cwmp_core::cpe::Cpe`] with the
//! the agent and the [`crate::data_model`]), a Connection Request listener ([`cwmp_core::connreq`]) and a tiny
//! HTTP file server, all on 127.0.0.1 with ephemeral ports, each in a thread of its own.
//!
//! Every line of the trace is printed by the side that saw it happen: the ACS logs what it
//! decoded from the CPE's POSTs and what it sent, the CPE what its driver did (connections,
//! the download, the reboot), the file server the GET it served. The checks at the end
//! ([`Report::checks`]) are made on what the ACS received, not on what anyone intended.

use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant as StdInstant};

use cwmp_codec::Body;
use cwmp_core::acs::{
    AcsConfig, AcsSession, Event, Outcome, Received, RequestId, StaticCredentials,
};
use cwmp_core::connreq::ConnectionRequestServer;

use crate::acs_script::{parse_line, summarize};
use crate::acs_server::{send_connection_request, serve, AcsHandler};
use crate::cpe_driver::{
    firmware_image, shared_agent, spawn_cr_listener, CpeDriver, CrListen, Exit, Flash, Log, Setup,
    Wake,
};
use crate::data_model::{value_text, Identity, Model};
use crate::driver::Clock;

/// The CPE's credentials at the ACS (HTTP Digest, §3.4.4).
pub const CPE_USER: &str = "00D09E-DemoBox-DB0001";
/// Its password.
pub const CPE_PASSWORD: &str = "acs-secret";
/// The Connection Request credentials (Digest, §3.2.2.2).
pub const CR_USER: &str = "cr-demo";
/// Its password.
pub const CR_PASSWORD: &str = "cr-secret";
/// The factory firmware version, and the one the Download installs.
pub const OLD_VERSION: &str = "1.0.0";
/// The new firmware version.
pub const NEW_VERSION: &str = "2.0.0";

static ACS_CREDENTIALS: StaticCredentials<'static> = StaticCredentials {
    username: CPE_USER,
    password: CPE_PASSWORD,
};

/// Demo options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Print the trace as it happens.
    pub print: bool,
    /// Give up after this long.
    pub timeout: StdDuration,
    /// PeriodicInformInterval the ACS sets (seconds).
    pub periodic_interval: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            print: true,
            timeout: StdDuration::from_secs(25),
            periodic_interval: 2,
        }
    }
}

/// The shared, timestamped trace.
#[derive(Clone)]
pub struct Trace {
    lines: Arc<Mutex<Vec<String>>>,
    start: StdInstant,
    print: bool,
}

impl Trace {
    /// An empty trace; `print` echoes each line to stdout.
    pub fn new(print: bool) -> Self {
        Trace {
            lines: Arc::new(Mutex::new(Vec::new())),
            start: StdInstant::now(),
            print,
        }
    }

    /// Adds a line (and the indented lines of a multi-line text) from `who`.
    pub fn log(&self, who: &str, text: &str) {
        let t = self.start.elapsed().as_secs_f64();
        let mut lines = self.lines.lock().unwrap();
        for (i, l) in text.lines().enumerate() {
            let line = if i == 0 {
                format!("{t:6.3}s {who:<4}| {l}")
            } else {
                format!("        {:<4}| {l}", "")
            };
            if self.print {
                println!("{line}");
            }
            lines.push(line);
        }
    }

    fn logger(&self, who: &'static str) -> Log {
        let t = self.clone();
        Arc::new(move |s: &str| t.log(who, s))
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

/// What the ACS saw in one Session.
#[derive(Debug, Clone, Default)]
pub struct SessionSeen {
    /// Event codes of the Inform.
    pub events: Vec<String>,
    /// The Inform's ParameterList.
    pub params: Vec<(String, String)>,
    /// What came after the Inform, in order: method names of responses and CPE requests,
    /// `Fault NNNN` for faults, `TransferComplete key=K fault=F`.
    pub received: Vec<String>,
    /// `Some(true)` completed, `Some(false)` failed.
    pub completed: Option<bool>,
}

impl SessionSeen {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn has_event(&self, code: &str) -> bool {
        self.events.iter().any(|e| e == code)
    }
}

struct DemoAcs {
    trace: Trace,
    seen: Arc<Mutex<Vec<SessionSeen>>>,
    current: Option<usize>,
    file_url: String,
    periodic_interval: u32,
    ended: Sender<usize>,
    sent: std::collections::HashMap<RequestId, String>,
}

fn request(line: &str) -> Body<'static> {
    parse_line(line)
        .expect("demo request lines are valid")
        .expect("not empty")
}

impl DemoAcs {
    fn log(&self, text: &str) {
        self.trace.log("ACS", text);
    }

    fn enqueue(&mut self, session: &mut AcsSession<'static>, line: &str) {
        let body = request(line);
        let text = summarize(&body);
        match session.enqueue(body) {
            Ok(id) => {
                self.sent.insert(id, text);
            }
            Err(_) => self.log(&format!("(queue full: {line} not sent)")),
        }
    }

    fn record(&self, s: String) {
        if let Some(i) = self.current {
            self.seen.lock().unwrap()[i].received.push(s);
        }
    }
}

impl AcsHandler<'static> for DemoAcs {
    fn received(&mut self, session: &mut AcsSession<'static>, received: Received<'_>) {
        match &received {
            Received::Inform(i) => {
                let inform = &i.inform;
                let seen = SessionSeen {
                    events: inform
                        .event
                        .iter()
                        .map(|e| e.event_code.as_str().to_string())
                        .collect(),
                    params: inform
                        .parameter_list
                        .iter()
                        .map(|p| {
                            (
                                p.name.to_string(),
                                p.value.as_ref().map(value_text).unwrap_or_default(),
                            )
                        })
                        .collect(),
                    ..SessionSeen::default()
                };
                let version = i.version.map(|v| v.to_string()).unwrap_or_default();
                let text = summarize(&Body::Inform(inform.clone()));
                let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
                self.log(&format!(
                    "<- {first} (CWMP {version}, Digest user {:?})\n{rest}",
                    session.username()
                ));
                // What to do in this Session, from why the CPE came.
                let lines: Vec<String> = if seen.has_event("0 BOOTSTRAP") {
                    vec![
                        "GetParameterNames Device.DeviceInfo. 1".into(),
                        "GetParameterValues Device.DeviceInfo.SoftwareVersion Device.DeviceInfo.UpTime Device.ManagementServer.".into(),
                        "GetParameterValues Device.DeviceInfo.NoSuchParameter".into(),
                        "SetParameterValues Device.DeviceInfo.ProvisioningCode=demo-lab key=demo-1".into(),
                        "SetParameterValues Device.DeviceInfo.UpTime=0:unsignedInt".into(),
                        "AddObject Device.NAT.PortMapping. demo-2".into(),
                        format!("Download fw-{NEW_VERSION} {}", self.file_url),
                    ]
                } else if seen.has_event("6 CONNECTION REQUEST") {
                    vec![format!(
                        "SetParameterValues Device.ManagementServer.PeriodicInformEnable=1:boolean Device.ManagementServer.PeriodicInformInterval={}:unsignedInt key=demo-3",
                        self.periodic_interval
                    )]
                } else if seen.has_event("2 PERIODIC") {
                    vec!["SetParameterValues Device.ManagementServer.PeriodicInformEnable=0:boolean key=demo-4".into()]
                } else {
                    vec!["GetParameterValues Device.DeviceInfo.SoftwareVersion".into()]
                };
                let mut all = self.seen.lock().unwrap();
                all.push(seen);
                self.current = Some(all.len() - 1);
                drop(all);
                for l in &lines {
                    self.enqueue(session, l);
                }
            }
            Received::CpeRequest { body } => {
                self.log(&format!("<- {} (CPE request)", summarize(body)));
                match body {
                    Body::TransferComplete(t) => self.record(format!(
                        "TransferComplete key={} fault={}",
                        t.command_key, t.fault_struct.fault_code
                    )),
                    other => self.record(other.method_name().to_string()),
                }
            }
            Received::Response { body, .. } => {
                self.log(&format!("<- {}", summarize(body)));
                self.record(body.method_name().to_string());
                if let Body::AddObjectResponse(r) = body {
                    // Fill in the new row.
                    let i = r.instance_number;
                    let line = format!(
                        "SetParameterValues Device.NAT.PortMapping.{i}.Enable=1:boolean Device.NAT.PortMapping.{i}.ExternalPort=8080:unsignedInt Device.NAT.PortMapping.{i}.InternalPort=80:unsignedInt Device.NAT.PortMapping.{i}.InternalClient=192.168.1.10 key=demo-2b"
                    );
                    self.enqueue(session, &line);
                }
            }
            Received::CpeFault { code, fault, .. } => {
                self.log(&format!("<- {}", summarize(&Body::Fault(fault.clone()))));
                self.record(format!("Fault {}", code.get()));
            }
            Received::EmptyPost => {
                self.log("<- empty POST (the CPE has nothing more to ask)");
            }
            _ => {}
        }
    }

    fn event(&mut self, _session: &AcsSession<'static>, event: Event) {
        match event {
            Event::Challenged { reason } => {
                self.log(&format!("-> 401 Digest challenge ({reason:?})"))
            }
            Event::SessionStarted { version } => {
                self.log(&format!("-> InformResponse (UseCWMPVersion {version})"))
            }
            Event::RequestSent { id } => {
                if let Some(text) = self.sent.get(&id) {
                    self.log(&format!("-> {text}"));
                }
            }
            Event::SessionEnded { outcome } => {
                self.log(&format!("-> 204 No Content: session {outcome}"));
                if let Some(i) = self.current.take() {
                    self.seen.lock().unwrap()[i].completed = Some(outcome == Outcome::Completed);
                    let _ = self.ended.send(i);
                }
            }
            _ => {}
        }
    }
}

/// One check of the report.
#[derive(Debug, Clone)]
pub struct Check {
    /// What was expected.
    pub name: String,
    /// Whether it happened.
    pub ok: bool,
}

/// The outcome of [`run`].
#[derive(Debug, Clone)]
pub struct Report {
    /// The trace, as printed.
    pub trace: Vec<String>,
    /// What the ACS saw, Session by Session.
    pub sessions: Vec<SessionSeen>,
    /// The checks, in the order of the device's life.
    pub checks: Vec<Check>,
    /// GETs the file server answered.
    pub file_gets: usize,
    /// Reboots of the CPE.
    pub reboots: usize,
}

impl Report {
    /// Every check passed.
    pub fn success(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }
}

/// Serves the firmware image at `/firmware.bin` (404 elsewhere) until `stop`, counting the
/// GETs answered and logging them as `FILE`.
pub fn file_server(
    listener: TcpListener,
    image: Vec<u8>,
    stop: &AtomicBool,
    gets: &AtomicUsize,
    trace: &Trace,
) {
    let _ = listener.set_nonblocking(true);
    while !stop.load(Ordering::Relaxed) {
        let mut s = match listener.accept() {
            Ok((s, _)) => s,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(StdDuration::from_millis(20));
                continue;
            }
            Err(_) => return,
        };
        let _ = s.set_nonblocking(false);
        let _ = s.set_read_timeout(Some(StdDuration::from_secs(5)));
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let head = String::from_utf8_lossy(&buf);
        let line = head.lines().next().unwrap_or("").to_string();
        let ok = line.starts_with("GET /firmware.bin ");
        let _ = if ok {
            gets.fetch_add(1, Ordering::SeqCst);
            trace.log("FILE", &format!("{line} -> 200 OK, {} bytes", image.len()));
            write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                image.len()
            )
            .and_then(|()| s.write_all(&image))
        } else {
            trace.log("FILE", &format!("{line} -> 404"));
            s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        };
    }
}

/// Runs the demo. Never panics on a failed step: the [`Report`] says what failed.
///
/// # Errors
/// Sockets that cannot be bound on 127.0.0.1.
pub fn run(opts: &Options) -> io::Result<Report> {
    let trace = Trace::new(opts.print);
    let acs_listener = TcpListener::bind("127.0.0.1:0")?;
    let file_listener = TcpListener::bind("127.0.0.1:0")?;
    let cr_listener = TcpListener::bind("127.0.0.1:0")?;
    let acs_url = format!("http://{}/cwmp", acs_listener.local_addr()?);
    let file_url = format!("http://{}/firmware.bin", file_listener.local_addr()?);
    let cr_url = format!("http://{}/cr/7f3a9c", cr_listener.local_addr()?);
    let stop = Arc::new(AtomicBool::new(false));
    let gets = AtomicUsize::new(0);
    let seen: Arc<Mutex<Vec<SessionSeen>>> = Arc::new(Mutex::new(Vec::new()));
    let (ended_tx, ended_rx) = mpsc::channel::<usize>();
    let (wake_tx, wake_rx) = mpsc::channel::<Wake>();

    if opts.print {
        println!("cwmp-rs demo: an ACS and a CPE over 127.0.0.1; every line is printed by the side that did it\n");
    }
    trace.log(
        "DEMO",
        &format!("ACS at {acs_url} (Digest user {CPE_USER:?})"),
    );
    trace.log(
        "DEMO",
        &format!("file server at {file_url} (firmware {NEW_VERSION})"),
    );
    trace.log(
        "DEMO",
        &format!("CPE connection-request listener at {cr_url}"),
    );

    let setup = Setup {
        identity: Identity {
            manufacturer: "cwmp-rs".into(),
            oui: "00D09E".into(),
            product_class: "DemoBox".into(),
            serial: "DB0001".into(),
            software_version: OLD_VERSION.into(),
        },
        acs_url: acs_url.clone(),
        username: CPE_USER.into(),
        password: CPE_PASSWORD.into(),
        periodic: None,
        cr_url: cr_url.clone(),
        cr_username: CR_USER.into(),
        cr_password: CR_PASSWORD.into(),
    };
    let model = Model::new(&setup.identity);
    let agent = shared_agent(&setup);
    let cr_server = Arc::new(Mutex::new(ConnectionRequestServer::new()));
    let cr_thread = spawn_cr_listener(
        cr_listener,
        cr_server.clone(),
        CrListen {
            path: "/cr/7f3a9c".into(),
            rate_limit: cwmp_core::connreq::RateLimit::DEFAULT,
        },
        agent.clone(),
        wake_tx.clone(),
        stop.clone(),
        trace.logger("CPE"),
    )?;

    let deadline = StdInstant::now() + opts.timeout;
    let mut reboots = 0;
    let mut cr_result = None;
    std::thread::scope(|scope| {
        // The ACS.
        let acs_stop = stop.clone();
        let mut acs = DemoAcs {
            trace: trace.clone(),
            seen: seen.clone(),
            current: None,
            file_url: file_url.clone(),
            periodic_interval: opts.periodic_interval,
            ended: ended_tx,
            sent: std::collections::HashMap::new(),
        };
        let acs_trace = trace.clone();
        scope.spawn(move || {
            let config = AcsConfig {
                credentials: Some(&ACS_CREDENTIALS),
                ..AcsConfig::default()
            };
            if let Err(e) = serve(&acs_listener, config, &mut acs, None, &acs_stop) {
                acs_trace.log("ACS", &format!("listener failed: {e}"));
            }
        });
        // The file server.
        let image = firmware_image(NEW_VERSION, 64 * 1024);
        let (fs_stop, fs_gets, fs_trace) = (&*stop, &gets, &trace);
        scope.spawn(move || file_server(file_listener, image, fs_stop, fs_gets, fs_trace));
        // The CPE, through its reboots.
        let cpe_trace = trace.clone();
        let cpe = scope.spawn(move || {
            let log = cpe_trace.logger("CPE");
            let clock = Clock::new();
            let mut model = model;
            let mut flash = Flash::default();
            let mut wake = wake_rx;
            let mut reboots = 0;
            loop {
                let mut d = match CpeDriver::new(
                    &setup,
                    model,
                    clock,
                    flash,
                    agent.clone(),
                    wake,
                    Some(cr_server.clone()),
                    log.clone(),
                ) {
                    Ok(d) => d,
                    Err(e) => {
                        log(&e);
                        return reboots;
                    }
                };
                let exit = d.run();
                if exit != Exit::Reboot {
                    return reboots;
                }
                // Power cycle: only the persisted records and the model's text survive.
                reboots += 1;
                let text = d.model.to_text();
                flash = d.flash.clone();
                wake = d.into_wake();
                log(&format!(
                    "--- power cycle: the machine and the agent are dropped; {} bytes of record, {} of agent record and {} of data model survive ---",
                    flash.record.as_ref().map_or(0, Vec::len),
                    flash.agent.as_ref().map_or(0, Vec::len),
                    text.len()
                ));
                model = Model::from_text(&setup.identity, &text).expect("own format");
            }
        });

        // The orchestration: a connection request after the boot Session, stop after the
        // periodic one.
        let mut sent_cr = false;
        loop {
            let left = deadline.saturating_duration_since(StdInstant::now());
            if left.is_zero() {
                trace.log("DEMO", "timed out waiting for the next step");
                break;
            }
            let Ok(i) = ended_rx.recv_timeout(left.min(StdDuration::from_millis(200))) else {
                continue;
            };
            let s = seen.lock().unwrap()[i].clone();
            if s.has_event("1 BOOT") && !sent_cr {
                sent_cr = true;
                trace.log(
                    "ACS",
                    &format!("-> connection request: HTTP GET {cr_url} with Digest credentials"),
                );
                let r = send_connection_request(
                    &cr_url,
                    CR_USER,
                    CR_PASSWORD,
                    StdDuration::from_secs(10),
                );
                trace.log("ACS", &format!("   connection request result: {r:?}"));
                cr_result = Some(r.map_err(|e| e.to_string()));
            }
            if s.has_event("2 PERIODIC") {
                break;
            }
        }
        stop.store(true, Ordering::SeqCst);
        let _ = wake_tx.send(Wake::Stop);
        reboots = cpe.join().unwrap_or(0);
    });
    let _ = cr_thread.join();

    let sessions = seen.lock().unwrap().clone();
    let file_gets = gets.load(Ordering::SeqCst);
    let checks = evaluate(&sessions, file_gets, reboots, cr_result.as_ref());
    let report = Report {
        trace: trace.lines(),
        sessions,
        checks,
        file_gets,
        reboots,
    };
    if opts.print {
        println!("\nSummary");
        for c in &report.checks {
            println!("  [{}] {}", if c.ok { "ok" } else { "FAILED" }, c.name);
        }
        println!(
            "{}",
            if report.success() {
                "every step happened as expected"
            } else {
                "SOME STEPS DID NOT HAPPEN"
            }
        );
    }
    Ok(report)
}

fn evaluate(
    sessions: &[SessionSeen],
    file_gets: usize,
    reboots: usize,
    cr: Option<&Result<cwmp_core::acs::CrOutcome, String>>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut check = |name: &str, ok: bool| {
        checks.push(Check {
            name: name.to_string(),
            ok,
        })
    };
    let find = |code: &str| sessions.iter().position(|s| s.has_event(code));
    let boot1 = find("0 BOOTSTRAP");
    let s1 = boot1.map(|i| &sessions[i]);
    check(
        "session 1: Inform with 0 BOOTSTRAP",
        s1.is_some() && boot1 == Some(0),
    );
    let r1: Vec<&str> = s1.map_or(Vec::new(), |s| {
        s.received.iter().map(String::as_str).collect()
    });
    check(
        "session 1: GetParameterNames, GetParameterValues, fault 9005 for an unknown name, SetParameterValues, fault 9003 for a read-only one, AddObject, SetParameterValues on the new row, Download accepted",
        r1 == [
            "GetParameterNamesResponse",
            "GetParameterValuesResponse",
            "Fault 9005",
            "SetParameterValuesResponse",
            "Fault 9003",
            "AddObjectResponse",
            "DownloadResponse",
            "SetParameterValuesResponse",
        ] || r1
            == [
                "GetParameterNamesResponse",
                "GetParameterValuesResponse",
                "Fault 9005",
                "SetParameterValuesResponse",
                "Fault 9003",
                "AddObjectResponse",
                "SetParameterValuesResponse",
                "DownloadResponse",
            ],
    );
    check(
        "session 1 completed, reporting SoftwareVersion 1.0.0",
        s1.is_some_and(|s| {
            s.completed == Some(true)
                && s.param("Device.DeviceInfo.SoftwareVersion") == Some(OLD_VERSION)
        }),
    );
    check(
        "the CPE fetched the image from the demo's file server",
        file_gets >= 1,
    );
    check(
        "the CPE rebooted into it (machine dropped, rebuilt from its record)",
        reboots == 1,
    );
    let boot = find("1 BOOT");
    let s2 = boot.map(|i| &sessions[i]);
    check(
        "session 2: Inform with 1 BOOT, 7 TRANSFER COMPLETE, M Download",
        s2.is_some_and(|s| {
            s.has_event("1 BOOT") && s.has_event("7 TRANSFER COMPLETE") && s.has_event("M Download")
        }),
    );
    check(
        "session 2: Inform reports the new SoftwareVersion 2.0.0",
        s2.is_some_and(|s| s.param("Device.DeviceInfo.SoftwareVersion") == Some(NEW_VERSION)),
    );
    check(
        "session 2: TransferComplete for fw-2.0.0 with FaultCode 0, then completed",
        s2.is_some_and(|s| {
            s.received.first().map(String::as_str) == Some("TransferComplete key=fw-2.0.0 fault=0")
                && s.completed == Some(true)
        }),
    );
    check(
        "connection request accepted by the CPE (Digest)",
        matches!(cr, Some(Ok(cwmp_core::acs::CrOutcome::Accepted { .. }))),
    );
    let crs = find("6 CONNECTION REQUEST");
    check(
        "session 3: Inform with 6 CONNECTION REQUEST, periodic informs enabled, completed",
        crs.is_some_and(|i| {
            let s = &sessions[i];
            i > boot.unwrap_or(usize::MAX)
                && s.received == ["SetParameterValuesResponse"]
                && s.completed == Some(true)
        }),
    );
    let per = find("2 PERIODIC");
    check(
        "session 4: Inform with 2 PERIODIC, completed",
        per.is_some_and(|i| i > crs.unwrap_or(usize::MAX) && sessions[i].completed == Some(true)),
    );
    check(
        "every session completed",
        !sessions.is_empty() && sessions.iter().all(|s| s.completed == Some(true)),
    );
    checks
}
