//! The `cpe` example's program (`cwmp_examples::cpe_app`) against the ACS server over loopback
//! TCP, with Digest on both sides: the sample script of the `acs` example, then a restart from
//! the state and record files (`1 BOOT`, the table row kept), then a connection request.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::net::TcpListener;
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use cwmp_core::acs::{
    AcsConfig, AcsSession, CrOutcome, Event, Outcome, Received, StaticCredentials,
};
use cwmp_core::codec::Body;
use cwmp_examples::acs_script;
use cwmp_examples::acs_server::{send_connection_request, serve, AcsHandler};
use cwmp_examples::cpe_app::{parse_args, run};

static CREDS: StaticCredentials<'static> = StaticCredentials {
    username: "alice",
    password: "s3cret",
};

#[derive(Default)]
struct Seen {
    events: Vec<Vec<String>>,
    received: Vec<String>,
    completed: usize,
}

struct Script {
    seen: Arc<Mutex<Seen>>,
    script: Vec<acs_script::ScriptLine>,
    ended: mpsc::Sender<()>,
}

impl AcsHandler<'static> for Script {
    fn received(&mut self, session: &mut AcsSession<'static>, received: Received<'_>) {
        let mut seen = self.seen.lock().unwrap();
        match &received {
            Received::Inform(i) => {
                seen.events.push(
                    i.inform
                        .event
                        .iter()
                        .map(|e| e.event_code.as_str().to_string())
                        .collect(),
                );
                for l in &self.script {
                    session.enqueue(l.body.clone()).unwrap();
                }
            }
            Received::Response { body, .. } => {
                let item = match body {
                    Body::AddObjectResponse(r) => {
                        format!("AddObjectResponse {}", r.instance_number)
                    }
                    other => other.method_name().to_string(),
                };
                seen.received.push(item);
            }
            Received::CpeRequest {
                body: Body::TransferComplete(t),
            } => seen.received.push(format!(
                "TransferComplete {} {}",
                t.command_key, t.fault_struct.fault_code
            )),
            Received::CpeFault { code, .. } => seen.received.push(format!("Fault {}", code.get())),
            _ => {}
        }
    }
    fn event(&mut self, _: &AcsSession<'static>, event: Event) {
        if let Event::SessionEnded { outcome } = event {
            if outcome == Outcome::Completed {
                self.seen.lock().unwrap().completed += 1;
            }
            let _ = self.ended.send(());
        }
    }
}

#[test]
fn cpe_example_against_the_acs_server() {
    let dir = std::env::temp_dir().join(format!("cwmp-cpe-acs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.txt").to_string_lossy().into_owned();
    let record = dir.join("record.bin").to_string_lossy().into_owned();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let acs_url = format!("http://{}/cwmp", listener.local_addr().unwrap());
    let cr_port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (ended_tx, ended_rx) = mpsc::channel();
    let acs_seen = seen.clone();
    let stop = AtomicBool::new(false);
    let args = |sessions: &str, cr: bool| {
        let mut a: Vec<String> = [
            "--acs",
            &acs_url,
            "--user",
            "alice",
            "--password",
            "s3cret",
            "--serial",
            "T1",
            "--state",
            &state,
            "--record",
            &record,
            "--sessions",
            sessions,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if cr {
            a.extend(
                [
                    "--cr-listen",
                    &format!("127.0.0.1:{cr_port}"),
                    "--cr-user",
                    "u",
                    "--cr-password",
                    "p",
                ]
                .iter()
                .map(|s| s.to_string()),
            );
        }
        parse_args(a).unwrap()
    };
    let log: cwmp_examples::cpe_driver::Log = Arc::new(|_: &str| {});
    std::thread::scope(|scope| {
        scope.spawn(|| {
            // Built here: request bodies are not `Send`.
            let mut acs = Script {
                seen: acs_seen,
                script: acs_script::parse(include_str!("../scripts/basic.acs")).unwrap(),
                ended: ended_tx,
            };
            let config = AcsConfig {
                credentials: Some(&CREDS),
                ..AcsConfig::default()
            };
            serve(&listener, config, &mut acs, Some(3), &stop).unwrap();
        });
        // First power-up: bootstrap, the script.
        let n = run(
            &args("1", false),
            log.clone(),
            Arc::new(AtomicBool::new(false)),
            None,
        )
        .unwrap();
        assert_eq!(n, 1);
        ended_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        // Second power-up from the files: boot, the script again (a second row), then a
        // connection request.
        let cpe = scope.spawn(|| {
            run(
                &args("2", true),
                log.clone(),
                Arc::new(AtomicBool::new(false)),
                None,
            )
            .unwrap()
        });
        ended_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        let url = format!("http://127.0.0.1:{cr_port}/cr");
        let mut outcome = None;
        for _ in 0..50 {
            match send_connection_request(&url, "u", "p", Duration::from_secs(10)) {
                Ok(o) => {
                    outcome = Some(o);
                    break;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        assert!(
            matches!(outcome, Some(CrOutcome::Accepted { .. })),
            "{outcome:?}"
        );
        assert_eq!(cpe.join().unwrap(), 2);
    });
    let seen = seen.lock().unwrap();
    // The second power-up listens for connection requests: ConnectionRequestURL went from ""
    // to the listener's URL, a Parameter with Active Notification (TR-181), so `4 VALUE
    // CHANGE` rides with `1 BOOT` (§3.2.1, Table 8).
    assert_eq!(
        seen.events,
        [
            vec!["0 BOOTSTRAP"],
            vec!["1 BOOT", "4 VALUE CHANGE"],
            vec!["6 CONNECTION REQUEST"]
        ]
    );
    assert_eq!(seen.completed, 3);
    let one = [
        "GetParameterNamesResponse",
        "GetParameterValuesResponse",
        "GetRPCMethodsResponse",
        "SetParameterValuesResponse",
        "GetParameterAttributesResponse",
    ];
    let mut want: Vec<String> = Vec::new();
    for row in 1..=3 {
        want.extend(one.iter().map(|s| s.to_string()));
        want.push(format!("AddObjectResponse {row}"));
    }
    assert_eq!(seen.received, want);
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(text.contains("Device.NAT.PortMapping.3.Enable"));
    // ParameterKey is the machine's and the agent's (their records), not the model's.
    assert!(!text.contains("ParameterKey"));
    assert!(!std::fs::read(format!("{record}.agent")).unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Download and Reboot in one Session: the device reboots first (the transfer is in its
/// record, the URL in its state file), fetches the image during the boot Session, finishes
/// that Session, reboots into the image, and reports `M Download` / `7 TRANSFER COMPLETE`
/// with the new SoftwareVersion and a TransferComplete.
#[test]
fn download_queued_across_a_reboot() {
    use cwmp_examples::cpe_driver::firmware_image;
    use cwmp_examples::demo::{file_server, Trace};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let dir = std::env::temp_dir().join(format!("cwmp-cpe-dl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.txt").to_string_lossy().into_owned();
    let record = dir.join("record.bin").to_string_lossy().into_owned();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let acs_url = format!("http://{}/", listener.local_addr().unwrap());
    let files = TcpListener::bind("127.0.0.1:0").unwrap();
    let script = format!(
        "Download fw-9 http://{}/firmware.bin\nReboot rb-1\n",
        files.local_addr().unwrap()
    );
    let seen = Arc::new(Mutex::new(Seen::default()));
    let acs_seen = seen.clone();
    let (ended_tx, _ended_rx) = mpsc::channel();
    let stop = AtomicBool::new(false);
    let gets = AtomicUsize::new(0);
    let trace = Trace::new(false);
    let args = parse_args(
        [
            "--acs",
            &acs_url,
            "--state",
            &state,
            "--record",
            &record,
            "--sessions",
            "3",
            "--software-version",
            "1.0",
        ]
        .iter()
        .map(|s| s.to_string()),
    )
    .unwrap();
    std::thread::scope(|scope| {
        scope.spawn(|| file_server(files, firmware_image("9.9", 10_000), &stop, &gets, &trace));
        let acs = scope.spawn(|| {
            let mut acs = Script {
                seen: acs_seen,
                script: Vec::new(),
                ended: ended_tx,
            };
            let lines = acs_script::parse(&script).unwrap();
            // The script for the first Session only.
            acs.script = lines;
            struct Once(Script, bool);
            impl AcsHandler<'static> for Once {
                fn received(&mut self, s: &mut AcsSession<'static>, r: Received<'_>) {
                    if self.1 {
                        self.0.script.clear();
                    }
                    if matches!(r, Received::Inform(_)) {
                        self.1 = true;
                    }
                    self.0.received(s, r);
                }
                fn event(&mut self, s: &AcsSession<'static>, e: Event) {
                    self.0.event(s, e);
                }
            }
            let mut once = Once(acs, false);
            serve(&listener, AcsConfig::default(), &mut once, Some(3), &stop).unwrap();
        });
        let log: cwmp_examples::cpe_driver::Log = Arc::new(|_: &str| {});
        let n = run(&args, log, Arc::new(AtomicBool::new(false)), None).unwrap();
        assert_eq!(n, 3);
        acs.join().unwrap();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    assert_eq!(gets.load(Ordering::SeqCst), 1);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.completed, 3, "every Session completes");
    assert_eq!(seen.events[0], ["0 BOOTSTRAP"]);
    assert_eq!(seen.events[1], ["M Reboot", "1 BOOT"]);
    assert_eq!(
        seen.events[2],
        ["M Download", "7 TRANSFER COMPLETE", "1 BOOT"]
    );
    assert_eq!(
        seen.received,
        [
            "DownloadResponse",
            "RebootResponse",
            "TransferComplete fw-9 0"
        ]
    );
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(text.contains("Device.DeviceInfo.SoftwareVersion\t9.9\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The ACS sets ConnectionRequestUsername/Password (GenieACS's bootstrap provision does):
/// the next connection request with the new credentials is accepted, the start-up ones get
/// 401 (TR-069 §3.2.2.1: the CPE authenticates with the ConnectionRequest credentials in
/// force): the listener reads the agent's `connection_request_credentials()` for each request.
#[test]
fn connection_request_uses_the_credentials_the_acs_set() {
    let dir = std::env::temp_dir().join(format!("cwmp-cpe-crcred-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.txt").to_string_lossy().into_owned();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let acs_url = format!("http://{}/cwmp", listener.local_addr().unwrap());
    let cr_port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let script = "SetParameterValues Device.ManagementServer.ConnectionRequestUsername=acs-user \
                  Device.ManagementServer.ConnectionRequestPassword=acs-pass key=cr-1\n";
    let seen = Arc::new(Mutex::new(Seen::default()));
    let acs_seen = seen.clone();
    let (ended_tx, ended_rx) = mpsc::channel();
    let stop = AtomicBool::new(false);
    let args = parse_args(
        [
            "--acs",
            &acs_url,
            "--state",
            &state,
            "--sessions",
            "2",
            "--cr-listen",
            &format!("127.0.0.1:{cr_port}"),
            "--cr-user",
            "factory-user",
            "--cr-password",
            "factory-pass",
        ]
        .iter()
        .map(|s| s.to_string()),
    )
    .unwrap();
    let log: cwmp_examples::cpe_driver::Log = Arc::new(|_: &str| {});
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut acs = Script {
                seen: acs_seen,
                script: acs_script::parse(script).unwrap(),
                ended: ended_tx,
            };
            serve(&listener, AcsConfig::default(), &mut acs, Some(2), &stop).unwrap();
        });
        let cpe = scope.spawn(|| run(&args, log.clone(), Arc::new(AtomicBool::new(false)), None));
        // The bootstrap Session, with the SetParameterValues.
        ended_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        let url = format!("http://127.0.0.1:{cr_port}/cr");
        let old = send_connection_request(
            &url,
            "factory-user",
            "factory-pass",
            Duration::from_secs(10),
        );
        assert!(matches!(old, Ok(CrOutcome::AuthFailed)), "{old:?}");
        let new = send_connection_request(&url, "acs-user", "acs-pass", Duration::from_secs(10));
        assert!(matches!(new, Ok(CrOutcome::Accepted { .. })), "{new:?}");
        ended_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(cpe.join().unwrap().unwrap(), 2);
    });
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.events,
        [vec!["0 BOOTSTRAP"], vec!["6 CONNECTION REQUEST"]]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--periodic` is a factory value: the ACS turns periodic Informs off, then asks for a
/// FactoryReset; the device comes back with `0 BOOTSTRAP` and its factory
/// PeriodicInformEnable=1 (the agent's record, where the ACS's value was, is erased), so a
/// `2 PERIODIC` Session follows.
#[test]
fn periodic_survives_a_factory_reset() {
    let dir = std::env::temp_dir().join(format!("cwmp-cpe-reset-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.txt").to_string_lossy().into_owned();
    let record = dir.join("record.bin").to_string_lossy().into_owned();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let acs_url = format!("http://{}/", listener.local_addr().unwrap());
    let script =
        "SetParameterValues Device.ManagementServer.PeriodicInformEnable=0:boolean key=off\n\
                  FactoryReset\n";
    let seen = Arc::new(Mutex::new(Seen::default()));
    let acs_seen = seen.clone();
    let (ended_tx, _ended_rx) = mpsc::channel();
    let stop = AtomicBool::new(false);
    let args = parse_args(
        [
            "--acs",
            &acs_url,
            "--state",
            &state,
            "--record",
            &record,
            "--sessions",
            "3",
            "--periodic",
            "1",
        ]
        .iter()
        .map(|s| s.to_string()),
    )
    .unwrap();
    std::thread::scope(|scope| {
        let acs = scope.spawn(|| {
            struct Once(Script, bool);
            impl AcsHandler<'static> for Once {
                fn received(&mut self, s: &mut AcsSession<'static>, r: Received<'_>) {
                    if self.1 {
                        self.0.script.clear();
                    }
                    if matches!(r, Received::Inform(_)) {
                        self.1 = true;
                    }
                    self.0.received(s, r);
                }
                fn event(&mut self, s: &AcsSession<'static>, e: Event) {
                    self.0.event(s, e);
                }
            }
            let mut once = Once(
                Script {
                    seen: acs_seen,
                    script: acs_script::parse(script).unwrap(),
                    ended: ended_tx,
                },
                false,
            );
            serve(&listener, AcsConfig::default(), &mut once, Some(3), &stop).unwrap();
        });
        let log: cwmp_examples::cpe_driver::Log = Arc::new(|_: &str| {});
        // Without periodic Informs after the reset nothing would start the third Session:
        // a watchdog stops the CPE, and the count below fails.
        let (wake_tx, wake_rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let watchdog_wake = wake_tx.clone();
        scope.spawn(move || {
            if done_rx.recv_timeout(Duration::from_secs(20)).is_err() {
                let _ = watchdog_wake.send(cwmp_examples::cpe_driver::Wake::Stop);
            }
        });
        let n = run(
            &args,
            log,
            Arc::new(AtomicBool::new(false)),
            Some((wake_tx, wake_rx)),
        )
        .unwrap();
        let _ = done_tx.send(());
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(n, 3, "the periodic Session after the factory reset");
        acs.join().unwrap();
    });
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.received,
        ["SetParameterValuesResponse", "FactoryResetResponse"]
    );
    assert_eq!(
        seen.events,
        [vec!["0 BOOTSTRAP"], vec!["0 BOOTSTRAP"], vec!["2 PERIODIC"]]
    );
    assert_eq!(seen.completed, 3);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A redirect of the POST that carries a response (§3.4.5): the machine asks for the response
/// again (`Event::ResendResponse`) and the driver re-sends the envelope it kept, the same bytes,
/// without executing the request twice (one AddObject, one row).
#[test]
fn a_redirected_response_is_sent_again_not_executed_again() {
    use cwmp_examples::driver::{HttpReader, MessageKind};
    use std::io::Write as _;

    let dir = std::env::temp_dir().join(format!("cwmp-cpe-resend-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.txt").to_string_lossy().into_owned();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let envelope = |id: u32, body: &str| {
        format!(
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soapenv:Header><cwmp:ID \
             soapenv:mustUnderstand=\"1\">{id}</cwmp:ID></soapenv:Header><soapenv:Body>{body}\
             </soapenv:Body></soapenv:Envelope>"
        )
    };
    let ok = |xml: &str| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nContent-Length: {}\r\n\r\n{xml}",
            xml.len()
        )
    };
    let acs = std::thread::spawn(move || {
        // Every POST's envelope, in order, over however many connections.
        let mut posts: Vec<String> = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        listener.set_nonblocking(true).unwrap();
        while posts.len() < 4 && std::time::Instant::now() < deadline {
            let Ok((mut s, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            s.set_nonblocking(false).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let mut reader = HttpReader::new();
            while posts.len() < 4 {
                let Ok(Some(n)) = reader.read(&mut s, MessageKind::Request) else {
                    break;
                };
                let msg = String::from_utf8_lossy(reader.message_mut(n)).into_owned();
                reader.consume(n);
                let body = msg
                    .split_once("\r\n\r\n")
                    .map_or("", |(_, b)| b)
                    .to_string();
                posts.push(body);
                let answer = match posts.len() {
                    1 => ok(&envelope(
                        1,
                        "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>",
                    )),
                    2 => ok(&envelope(
                        7,
                        "<cwmp:AddObject><ObjectName>Device.NAT.PortMapping.</ObjectName>\
                         <ParameterKey>k1</ParameterKey></cwmp:AddObject>",
                    )),
                    3 => format!(
                        "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://{addr}/again\r\nContent-Length: 0\r\n\r\n"
                    ),
                    _ => "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".to_string(),
                };
                s.write_all(answer.as_bytes()).unwrap();
            }
        }
        posts
    });
    let args = parse_args(
        [
            "--acs",
            &format!("http://{addr}/cwmp"),
            "--state",
            &state,
            "--sessions",
            "1",
        ]
        .iter()
        .map(|s| s.to_string()),
    )
    .unwrap();
    let log: cwmp_examples::cpe_driver::Log = Arc::new(|_: &str| {});
    let n = run(&args, log, Arc::new(AtomicBool::new(false)), None).unwrap();
    assert_eq!(n, 1);
    let posts = acs.join().unwrap();
    assert_eq!(posts.len(), 4, "{posts:?}");
    assert!(posts[0].contains("Inform>"), "{}", posts[0]);
    assert!(posts[1].is_empty(), "{}", posts[1]);
    assert!(posts[2].contains("AddObjectResponse"), "{}", posts[2]);
    assert!(
        posts[2].contains("<InstanceNumber>1</InstanceNumber>"),
        "{}",
        posts[2]
    );
    assert_eq!(posts[3], posts[2], "the same response, sent again");
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(text.contains("Device.NAT.PortMapping.1.Enable"));
    assert!(!text.contains("Device.NAT.PortMapping.2."), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// What the ACS set in ManagementServer survives a power cycle (the agent's record,
/// `RECORD.agent`): after a restart with the same files, the connection request with the
/// credentials the ACS set is accepted and the command line's (factory) ones get 401.
#[test]
fn acs_set_credentials_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("cwmp-cpe-crkeep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.txt").to_string_lossy().into_owned();
    let record = dir.join("record.bin").to_string_lossy().into_owned();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let acs_url = format!("http://{}/cwmp", listener.local_addr().unwrap());
    let cr_port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let script = "SetParameterValues Device.ManagementServer.ConnectionRequestUsername=acs-user \
                  Device.ManagementServer.ConnectionRequestPassword=acs-pass key=cr-1\n";
    let seen = Arc::new(Mutex::new(Seen::default()));
    let acs_seen = seen.clone();
    let (ended_tx, ended_rx) = mpsc::channel();
    let stop = AtomicBool::new(false);
    let args = |sessions: &str| {
        parse_args(
            [
                "--acs",
                &acs_url,
                "--state",
                &state,
                "--record",
                &record,
                "--sessions",
                sessions,
                "--cr-listen",
                &format!("127.0.0.1:{cr_port}"),
                "--cr-user",
                "factory-user",
                "--cr-password",
                "factory-pass",
            ]
            .iter()
            .map(|s| s.to_string()),
        )
        .unwrap()
    };
    let log: cwmp_examples::cpe_driver::Log = Arc::new(|_: &str| {});
    std::thread::scope(|scope| {
        scope.spawn(|| {
            // The script in the first Session only.
            struct First(Script, bool);
            impl AcsHandler<'static> for First {
                fn received(&mut self, s: &mut AcsSession<'static>, r: Received<'_>) {
                    if self.1 {
                        self.0.script.clear();
                    }
                    if matches!(r, Received::Inform(_)) {
                        self.1 = true;
                    }
                    self.0.received(s, r);
                }
                fn event(&mut self, s: &AcsSession<'static>, e: Event) {
                    self.0.event(s, e);
                }
            }
            let mut acs = First(
                Script {
                    seen: acs_seen,
                    script: acs_script::parse(script).unwrap(),
                    ended: ended_tx,
                },
                false,
            );
            serve(&listener, AcsConfig::default(), &mut acs, Some(3), &stop).unwrap();
        });
        // First power-up: bootstrap, the ACS sets the credentials.
        let n = run(
            &args("1"),
            log.clone(),
            Arc::new(AtomicBool::new(false)),
            None,
        )
        .unwrap();
        assert_eq!(n, 1);
        ended_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        // Second power-up from the files.
        let cpe = scope.spawn(|| {
            run(
                &args("2"),
                log.clone(),
                Arc::new(AtomicBool::new(false)),
                None,
            )
        });
        ended_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        let url = format!("http://127.0.0.1:{cr_port}/cr");
        let old = send_connection_request(
            &url,
            "factory-user",
            "factory-pass",
            Duration::from_secs(10),
        );
        assert!(matches!(old, Ok(CrOutcome::AuthFailed)), "{old:?}");
        let new = send_connection_request(&url, "acs-user", "acs-pass", Duration::from_secs(10));
        assert!(matches!(new, Ok(CrOutcome::Accepted { .. })), "{new:?}");
        ended_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(cpe.join().unwrap().unwrap(), 2);
    });
    let seen = seen.lock().unwrap();
    assert_eq!(seen.received, ["SetParameterValuesResponse"]);
    assert_eq!(
        seen.events,
        [
            vec!["0 BOOTSTRAP"],
            vec!["1 BOOT"],
            vec!["6 CONNECTION REQUEST"]
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
