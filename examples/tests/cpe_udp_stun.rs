//! The `cpe` example's `--udp-cr` (Annex G) against the ACS server and a test STUN server over
//! loopback UDP: the ACS sets `STUN*` in the bootstrap Session; the CPE's Binding Request goes
//! out from its UDP Connection Request port, unsigned; the server answers 401; the CPE sends
//! it again with USERNAME and MESSAGE-INTEGRITY (G.2.1.1); the server's signed answer gives
//! the binding (a forged one first is discarded); a UDP Connection Request sent to that port
//! starts a `6 CONNECTION REQUEST` Session in which `UDPConnectionRequestAddress` and
//! `NATDetected` read back as the STUN server saw them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use cwmp_codec::connreq::stun::{StunMessage, ATTR_MESSAGE_INTEGRITY};
use cwmp_core::acs::{AcsConfig, AcsSession, Event, Received};
use cwmp_core::codec::Body;
use cwmp_examples::acs_script;
use cwmp_examples::acs_server::{send_udp_connection_request, serve, AcsHandler};
use cwmp_examples::cpe_app::{parse_args, run};
use hmac::{Hmac, KeyInit, Mac};

const STUN_USER: &str = "cpe-stun";
const STUN_PASSWORD: &str = "stun-pass";
/// What the test STUN server says it sees: a "public" address unlike the CPE's.
const PUBLIC: &str = "198.51.100.7:40001";

/// One Binding Request the STUN server received.
#[derive(Debug, Clone)]
struct Seen {
    from: SocketAddr,
    connection_request_binding: bool,
    username: Option<Vec<u8>>,
    signed: bool,
}

/// A Binding Response with MAPPED-ADDRESS `public`, signed with MESSAGE-INTEGRITY keyed by
/// `key` (RFC 3489 §11.2.8), or (`!ok`) a 401 Binding Error Response, for transaction `id`.
fn answer(id: &[u8; 16], ok: bool, public: &str, key: &[u8]) -> Vec<u8> {
    if !ok {
        let mut v = vec![0x01, 0x11, 0, 8];
        v.extend_from_slice(id);
        v.extend_from_slice(&[0, 9, 0, 4, 0, 0, 4, 1]);
        return v;
    }
    let SocketAddr::V4(a) = public.parse().unwrap() else {
        panic!()
    };
    let mut v = vec![0x01, 0x01, 0, 12 + 24];
    v.extend_from_slice(id);
    v.extend_from_slice(&[0, 1, 0, 8, 0, 1]);
    v.extend_from_slice(&a.port().to_be_bytes());
    v.extend_from_slice(&a.ip().octets());
    let mut text = v.clone();
    text.resize(64, 0);
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(&text);
    v.extend_from_slice(&ATTR_MESSAGE_INTEGRITY.to_be_bytes());
    v.extend_from_slice(&[0, 20]);
    v.extend_from_slice(&mac.finalize().into_bytes());
    v
}

/// A STUN server that asks for MESSAGE-INTEGRITY: 401 to an unsigned request; to a signed
/// one, first a response forged with another key and another address (which the CPE must
/// discard), then the real one. Reports each request on `seen`.
fn stun_server(socket: UdpSocket, seen: mpsc::Sender<Seen>, stop: &AtomicBool) {
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut buf = [0u8; 1500];
    while !stop.load(Ordering::Relaxed) {
        let Ok((n, from)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let Ok(m) = StunMessage::decode(&buf[..n]) else {
            continue;
        };
        if !m.is_binding_request() {
            continue;
        }
        let signed = m.verify_message_integrity(STUN_PASSWORD.as_bytes());
        let _ = seen.send(Seen {
            from,
            connection_request_binding: m.connection_request_binding(),
            username: m.username().map(<[u8]>::to_vec),
            signed,
        });
        if signed {
            let forged = answer(
                &m.transaction_id,
                true,
                "203.0.113.66:666",
                b"not-the-password",
            );
            socket.send_to(&forged, from).unwrap();
        }
        let reply = answer(&m.transaction_id, signed, PUBLIC, STUN_PASSWORD.as_bytes());
        socket.send_to(&reply, from).unwrap();
    }
}

struct Acs {
    stun_port: u16,
    events: Arc<Mutex<Vec<Vec<String>>>>,
    values: Arc<Mutex<Vec<(String, String)>>>,
    ended: mpsc::Sender<()>,
}

impl AcsHandler<'static> for Acs {
    fn received(&mut self, session: &mut AcsSession<'static>, received: Received<'_>) {
        match &received {
            Received::Inform(i) => {
                let codes: Vec<String> = i
                    .inform
                    .event
                    .iter()
                    .map(|e| e.event_code.as_str().to_string())
                    .collect();
                let bootstrap = codes.iter().any(|c| c == "0 BOOTSTRAP");
                self.events.lock().unwrap().push(codes);
                let ms = "Device.ManagementServer.";
                let line = if bootstrap {
                    format!(
                        "SetParameterValues {ms}STUNServerAddress=127.0.0.1 \
                         {ms}STUNServerPort={}:xsd:unsignedInt {ms}STUNUsername={STUN_USER} \
                         {ms}STUNPassword={STUN_PASSWORD} \
                         {ms}STUNMinimumKeepAlivePeriod=30:xsd:unsignedInt \
                         {ms}STUNMaximumKeepAlivePeriod=60:xsd:int \
                         {ms}STUNEnable=1:xsd:boolean key=stun-1",
                        self.stun_port
                    )
                } else {
                    format!("GetParameterValues {ms}UDPConnectionRequestAddress {ms}NATDetected")
                };
                for l in acs_script::parse(&line).unwrap() {
                    session.enqueue(l.body.clone()).unwrap();
                }
            }
            Received::Response {
                body: Body::GetParameterValuesResponse(r),
                ..
            } => {
                let mut values = self.values.lock().unwrap();
                for p in r.parameter_list.iter() {
                    values.push((
                        p.name.to_string(),
                        p.value.map(|v| v.to_string()).unwrap_or_default(),
                    ));
                }
            }
            Received::Response {
                body: Body::SetParameterValuesResponse(r),
                ..
            } => assert_eq!(r.status, 0),
            Received::CpeFault { code, .. } => panic!("CPE fault {}", code.get()),
            _ => {}
        }
    }
    fn event(&mut self, _: &AcsSession<'static>, event: Event) {
        if let Event::SessionEnded { .. } = event {
            let _ = self.ended.send(());
        }
    }
}

#[test]
fn udp_connection_requests_and_a_stun_binding_with_message_integrity() {
    let dir = std::env::temp_dir().join(format!("cwmp-cpe-udp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.txt").to_string_lossy().into_owned();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let acs_url = format!("http://{}/cwmp", listener.local_addr().unwrap());
    let udp_addr = {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap()
    };
    let stun = UdpSocket::bind("127.0.0.1:0").unwrap();
    let stun_port = stun.local_addr().unwrap().port();
    let events = Arc::new(Mutex::new(Vec::new()));
    let values = Arc::new(Mutex::new(Vec::new()));
    let (ended_tx, ended_rx) = mpsc::channel();
    let (seen_tx, seen_rx) = mpsc::channel();
    let stop = AtomicBool::new(false);
    let args = parse_args(
        [
            "--acs",
            &acs_url,
            "--state",
            &state,
            "--sessions",
            "2",
            "--udp-cr",
            &udp_addr.to_string(),
        ]
        .iter()
        .map(|s| s.to_string()),
    )
    .unwrap();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let log: cwmp_examples::cpe_driver::Log =
        Arc::new(move |s: &str| sink.lock().unwrap().push(s.to_string()));
    std::thread::scope(|scope| {
        scope.spawn(|| stun_server(stun, seen_tx, &stop));
        scope.spawn(|| {
            let mut acs = Acs {
                stun_port,
                events: events.clone(),
                values: values.clone(),
                ended: ended_tx,
            };
            serve(&listener, AcsConfig::default(), &mut acs, Some(2), &stop).unwrap();
        });
        let cpe = scope.spawn(|| run(&args, log.clone(), Arc::new(AtomicBool::new(false)), None));
        // The bootstrap Session sets STUN*; the client starts at once.
        ended_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        let first = seen_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(
            first.from, udp_addr,
            "G.2.1.1: from the UDP Connection Request port"
        );
        assert!(first.connection_request_binding, "Table 107");
        assert!(!first.signed, "G.2.1.1: unsigned until a 401");
        let second = seen_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(second.from, udp_addr);
        assert!(
            second.signed,
            "the answer to the 401 carries MESSAGE-INTEGRITY"
        );
        assert_eq!(second.username.as_deref(), Some(&b"cpe-stun"[..]));
        // The binding is learnt: wait for the driver to log it, then a UDP Connection Request.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("stun: binding"))
        {
            assert!(std::time::Instant::now() < deadline, "no binding learnt");
            std::thread::sleep(Duration::from_millis(20));
        }
        send_udp_connection_request(&udp_addr.to_string(), "cwmp", "cwmp", 1, 3).unwrap();
        ended_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(cpe.join().unwrap().unwrap(), 2);
        stop.store(true, Ordering::SeqCst);
    });
    assert_eq!(
        *events.lock().unwrap(),
        [vec!["0 BOOTSTRAP"], vec!["6 CONNECTION REQUEST"]]
    );
    let values = values.lock().unwrap();
    let get = |n: &str| {
        values
            .iter()
            .find(|(k, _)| k.ends_with(n))
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    // The real answer's address, not the forged one's (G.2.1.1: discarded).
    assert_eq!(get("UDPConnectionRequestAddress"), PUBLIC);
    assert!(matches!(get("NATDetected").as_str(), "1" | "true"));
    let lines = lines.lock().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("udp connection request from") && l.contains("authenticated")),
        "{lines:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
