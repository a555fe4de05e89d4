//! The blocking ACS server over real loopback TCP: a scripted Session from a raw-socket CPE,
//! a Session continued on a second connection, and the connection-request sender against a
//! tiny Digest server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use cwmp_core::acs::{AcsConfig, AcsSession, CrOutcome, Event, Outcome, Received};
use cwmp_core::codec::message::Reboot;
use cwmp_core::codec::XmlStr;
use cwmp_examples::acs_server::{send_connection_request, serve, AcsHandler, MAX_SESSIONS};
use cwmp_examples::driver::{HttpReader, MessageKind};

const INFORM: &str = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap:Header><cwmp:ID soap:mustUnderstand="1">i1</cwmp:ID><cwmp:SupportedCWMPVersions>1.0,1.4</cwmp:SupportedCWMPVersions></soap:Header><soap:Body><cwmp:Inform><DeviceId><Manufacturer>M</Manufacturer><OUI>00D09E</OUI><ProductClass>P</ProductClass><SerialNumber>S</SerialNumber></DeviceId><Event/><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-01-01T00:00:00Z</CurrentTime><RetryCount>0</RetryCount><ParameterList/></cwmp:Inform></soap:Body></soap:Envelope>"#;
const REBOOT_RESPONSE: &str = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap:Header><cwmp:ID soap:mustUnderstand="1">01</cwmp:ID></soap:Header><soap:Body><cwmp:RebootResponse/></soap:Body></soap:Envelope>"#;

struct Recorder {
    log: mpsc::Sender<String>,
}

impl AcsHandler<'static> for Recorder {
    fn received(&mut self, session: &mut AcsSession<'static>, received: Received<'_>) {
        let line = match &received {
            Received::Inform(_) => {
                session
                    .enqueue(Reboot {
                        command_key: XmlStr::new("rk"),
                    })
                    .unwrap();
                "inform".to_string()
            }
            Received::Response { body, .. } => body.method_name().to_string(),
            Received::EmptyPost => "empty".to_string(),
            other => format!("{other:?}"),
        };
        self.log.send(line).unwrap();
    }
    fn event(&mut self, _: &AcsSession<'static>, event: Event) {
        if let Event::SessionEnded { outcome } = event {
            self.log.send(format!("ended {outcome}")).unwrap();
        }
    }
}

fn post(body: &str, cookie: Option<&str>) -> Vec<u8> {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    if body.is_empty() {
        return format!("POST /acs HTTP/1.1\r\nHost: x\r\n{cookie}Content-Length: 0\r\n\r\n")
            .into_bytes();
    }
    format!(
        "POST /acs HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n{cookie}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn roundtrip(s: &mut TcpStream, r: &mut HttpReader, req: &[u8]) -> String {
    s.write_all(req).unwrap();
    let n = r.read(s, MessageKind::Response).unwrap().unwrap();
    let text = String::from_utf8(r.message_mut(n).to_vec()).unwrap();
    r.consume(n);
    text
}

fn cookie_of(resp: &str) -> String {
    let line = resp
        .lines()
        .find(|l| l.starts_with("Set-Cookie: "))
        .unwrap();
    line["Set-Cookie: ".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn a_session_over_two_connections() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    let server = std::thread::spawn(move || {
        let stop = AtomicBool::new(false);
        serve(
            &listener,
            AcsConfig::default(),
            &mut Recorder { log: tx },
            Some(1),
            &stop,
        )
        .unwrap()
    });
    let mut s = TcpStream::connect(addr).unwrap();
    let mut r = HttpReader::new();
    let resp = roundtrip(&mut s, &mut r, &post(INFORM, None));
    assert!(resp.starts_with("HTTP/1.1 200 OK"));
    assert!(resp.contains(">1.4</cwmp:UseCWMPVersion>"));
    let cookie = cookie_of(&resp);
    // The CPE goes on over a new connection (§3.4.2).
    drop(s);
    let mut s = TcpStream::connect(addr).unwrap();
    let mut r = HttpReader::new();
    let resp = roundtrip(&mut s, &mut r, &post("", Some(&cookie)));
    assert!(resp.contains("<cwmp:Reboot><CommandKey>rk</CommandKey></cwmp:Reboot>"));
    let resp = roundtrip(&mut s, &mut r, &post(REBOOT_RESPONSE, Some(&cookie)));
    assert!(resp.starts_with("HTTP/1.1 204 No Content"));
    assert_eq!(server.join().unwrap(), 1);
    let log: Vec<String> = rx.try_iter().collect();
    assert_eq!(
        log,
        [
            "inform",
            "empty",
            "RebootResponse",
            &format!("ended {}", Outcome::Completed)
        ]
    );
}

struct Quiet;

impl AcsHandler<'static> for Quiet {
    fn received(&mut self, _: &mut AcsSession<'static>, _: Received<'_>) {}
}

/// Every slot holds a live Session: the next CPE gets 503 with `Retry-After` up to the
/// earliest Session deadline (INTEROP C5), and the connection is closed.
#[test]
fn a_full_session_table_answers_503_with_retry_after() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            serve(&listener, AcsConfig::default(), &mut Quiet, None, &stop).unwrap()
        })
    };
    // Each CPE informs and leaves its Session open (it would go on over a new connection).
    for _ in 0..MAX_SESSIONS {
        let mut s = TcpStream::connect(addr).unwrap();
        let resp = roundtrip(&mut s, &mut HttpReader::new(), &post(INFORM, None));
        assert!(resp.starts_with("HTTP/1.1 200 OK"), "{resp}");
    }
    let mut s = TcpStream::connect(addr).unwrap();
    let resp = roundtrip(&mut s, &mut HttpReader::new(), &post(INFORM, None));
    assert!(
        resp.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{resp}"
    );
    assert!(resp.contains("\r\nConnection: close\r\n"), "{resp}");
    let seconds: u64 = resp
        .lines()
        .find_map(|l| l.strip_prefix("Retry-After: "))
        .unwrap_or_else(|| panic!("no Retry-After: {resp}"))
        .parse()
        .unwrap();
    // The first Session times out at most `session_timeout` after its Inform.
    let timeout = AcsConfig::default().session_timeout.as_millis() / 1000;
    assert!((1..=timeout).contains(&seconds), "{seconds} s: {resp}");
    // The server closed the connection.
    let mut rest = Vec::new();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(s.read_to_end(&mut rest).unwrap(), 0);
    stop.store(true, Ordering::Relaxed);
    server.join().unwrap();
}

/// A CPE's connection-request server: 401 with a Digest challenge, then 200 for any
/// Authorization (the verification itself is tested in cwmp-core).
fn fake_cpe(listener: TcpListener, status: u16) {
    let (mut s, _) = listener.accept().unwrap();
    let mut buf = [0u8; 2048];
    let n = s.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"GET /cr HTTP/1.1\r\n"));
    s.write_all(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"cpe\", qop=\"auth\", nonce=\"abc\"\r\nContent-Length: 0\r\n\r\n").unwrap();
    let n = s.read(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(
        text.contains(
            "Authorization: Digest username=\"acs\", realm=\"cpe\", nonce=\"abc\", uri=\"/cr\""
        ),
        "{text}"
    );
    s.write_all(format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n").as_bytes())
        .unwrap();
}

#[test]
fn connection_request_with_digest() {
    for (status, want) in [
        (200, CrOutcome::Accepted { status: 200 }),
        (503, CrOutcome::Busy),
    ] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/cr", listener.local_addr().unwrap());
        let cpe = std::thread::spawn(move || fake_cpe(listener, status));
        let got = send_connection_request(&url, "acs", "pw", Duration::from_secs(5)).unwrap();
        cpe.join().unwrap();
        assert_eq!(got, want);
    }
}
